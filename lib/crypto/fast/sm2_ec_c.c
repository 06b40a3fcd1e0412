/*
 * lib/crypto/fast/sm2_ec_c.c - the SM2 point code on the portable
 * (unsigned __int128) field multiplier; used where BMI2/ADX is absent.
 */
#include "crypto/fast/sm2_fp.h"

#define fmul fe_mul_c
#define fsqr fe_sqr_c
#define fadd fe_add
#define fsub fe_sub
#define SFX(name) name##_c
#include "crypto/fast/sm2_ec_impl.h"
