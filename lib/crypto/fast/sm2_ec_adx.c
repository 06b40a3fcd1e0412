/*
 * lib/crypto/fast/sm2_ec_adx.c - the SM2 point code on the MULX/ADCX/ADOX
 * field multiplier (x86-64 with BMI2 and ADX, checked at run time before
 * any of these functions is called). The multiplication and squaring are
 * those of sm2_fp_mulx.h (reduction by MULX, fewer carry instructions);
 * sm2_fp.h's fe_mul_adx / fe_sqr_adx stay as the reference they are
 * measured and tested against (-DES_FP_EARLIER_MULX builds the point code
 * on them, to compare whole operations).
 */
#include "crypto/fast/sm2_fp.h"
#include "crypto/fast/sm2_fp_mulx.h"

#ifdef ES_FAST_HAVE_ADX_ASM
#ifdef ES_FP_EARLIER_MULX
#define fmul fe_mul_adx
#define fsqr fe_sqr_adx
#else
#define fmul fe_mul_mulx
#define fsqr fe_sqr_mulx
#endif
#define fadd fe_add_asm
#define fsub fe_sub_asm
#define SFX(name) name##_adx
#include "crypto/fast/sm2_ec_impl.h"
#else
/* ISO C forbids an empty translation unit */
typedef int es_sm2_ec_adx_unused;
#endif
