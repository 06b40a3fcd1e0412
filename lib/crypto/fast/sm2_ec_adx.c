/*
 * lib/crypto/fast/sm2_ec_adx.c - the SM2 point code on the MULX/ADCX/ADOX
 * field multiplier (x86-64 with BMI2 and ADX, checked at run time before
 * any of these functions is called).
 */
#include "crypto/fast/sm2_fp.h"

#ifdef ES_FAST_HAVE_ADX_ASM
#define fmul fe_mul_adx
#define fsqr fe_sqr_adx
#define fadd fe_add_asm
#define fsub fe_sub_asm
#define SFX(name) name##_adx
#include "crypto/fast/sm2_ec_impl.h"
#else
/* ISO C forbids an empty translation unit */
typedef int es_sm2_ec_adx_unused;
#endif
