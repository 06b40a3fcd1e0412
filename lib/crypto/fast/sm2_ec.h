/*
 * lib/crypto/fast/sm2_ec.h - internal interface of the fast SM2 code:
 * point types, the fixed-base comb table, the scalar field (mod n) and
 * the per-multiplier entry points instantiated from sm2_ec_impl.h.
 *
 * Points are kept in Montgomery form. Jacobian (X, Y, Z) stands for
 * (X/Z^2, Y/Z^3); Z = 0 is the point at infinity in the variable-time
 * code, while the constant-time code carries an explicit mask instead.
 */
#ifndef ES_FAST_SM2_EC_H
#define ES_FAST_SM2_EC_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/fast/sm2_fp.h"

typedef struct {
    fe x, y;
} apt; /* affine point, 64 bytes */

typedef struct {
    fe x, y, z;
} jpt; /* Jacobian point */

/*
 * Fixed-base comb: the scalar is cut into signed (Booth) digits of COMB_W
 * bits, d_j in [-2^(W-1), 2^(W-1)], k = sum d_j 2^(W j). Window j holds the
 * affine points i * 2^(W j) * G for i = 1..2^(W-1), so k*G costs one table
 * lookup and one mixed addition per window and no doubling at all.
 */
#define COMB_W 7
#define COMB_N (1 << (COMB_W - 1))
#define COMB_WINDOWS (256 / COMB_W + 1)

/*
 * Per-key table for verification: t is cut into PT_SEGS segments of
 * PT_SEGBITS bits, and segment i holds the odd multiples
 * m 2^(PT_SEGBITS i) P, m = 1, 3, ..., 2 PT_N - 1 (affine), so t P costs
 * PT_SEGBITS doublings (4 KiB per key).
 */
#define PT_SEGS 8
#define PT_SEGBITS 32
#define PT_N 8

/* W+1 bits of k ending at bit W*j + W - 1, with bit -1 taken as 0. */
static inline uint32_t comb_window(const uint64_t k[4], int j)
{
    const uint64_t mask = (1u << (COMB_W + 1)) - 1;
    int lo = COMB_W * j - 1;
    if (lo < 0) {
        return (uint32_t)((k[0] << 1) & mask);
    }
    int limb = lo / 64;
    int sh = lo % 64;
    uint64_t v = limb < 4 ? k[limb] >> sh : 0;
    if (sh + COMB_W + 1 > 64 && limb + 1 < 4) {
        v |= k[limb + 1] << (64 - sh);
    }
    return (uint32_t)(v & mask);
}

/* Booth recoding of a W+1-bit window into magnitude and sign, no branch. */
static inline void comb_booth(uint32_t in, uint32_t *digit, uint32_t *neg)
{
    uint32_t s = ~((in >> COMB_W) - 1);
    uint32_t d = (1u << (COMB_W + 1)) - in - 1;
    d = (d & s) | (in & ~s);
    d = (d >> 1) + (d & 1);
    *digit = d;
    *neg = s & 1;
}

/* The table, built once on first use (es_sm2_fast_init). */
extern apt (*es_sm2_comb)[COMB_N];
/* Builds the tables and picks the implementations; idempotent, thread-safe. */
void es_sm2_fast_init(void);

/* Constant-time table scan: out = tab[digit - 1], or (0, 0) for digit 0. */
typedef void (*es_sm2_lookup_fn)(apt *out, const apt *tab, uint32_t digit);
void es_sm2_lookup_c(apt *out, const apt *tab, uint32_t digit);
void es_sm2_lookup_avx2(apt *out, const apt *tab, uint32_t digit);
void es_sm2_lookup_avx512(apt *out, const apt *tab, uint32_t digit);
/* The same for SM2_BATCH digits in one pass over the window (the signing
 * pool): out[b] = tab[digit[b] - 1], or (0, 0) for 0. */
#define SM2_BATCH 8
typedef void (*es_sm2_lookup_batch_fn)(apt out[SM2_BATCH], const apt *tab,
                                       const uint32_t digit[SM2_BATCH]);
void es_sm2_lookup_batch_avx512(apt out[SM2_BATCH], const apt *tab,
                                const uint32_t digit[SM2_BATCH]);

/* ---- scalars modulo the group order n (sm2_fn.c), constant time ---- */
extern const uint64_t ES_SM2_N[4];
void es_fn_from_be(uint64_t r[4], const uint8_t in[32]);
void es_fn_to_be(uint8_t out[32], const uint64_t a[4]);
/* All-ones when a < n, else zero. */
uint64_t es_fn_lt_n(const uint64_t a[4]);
uint64_t es_fn_is_zero(const uint64_t a[4]);
/* a < 2^256 reduced once: valid for any a since 2^256 < 2n. */
void es_fn_reduce(uint64_t r[4], const uint64_t a[4]);
void es_fn_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
void es_fn_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
/* Montgomery product a*b/2^256 mod n. */
void es_fn_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
void es_fn_to_mont(uint64_t r[4], const uint64_t a[4]);
/* r = a^-1 * R^2 style: input aR, output a^-1 R (Fermat, n - 2). */
void es_fn_inv_mont(uint64_t r[4], const uint64_t a[4]);

/* Plain (not Montgomery) inverses by constant-time safegcd (sm2_inv.c);
 * the input must be reduced; 0 maps to 0. */
void es_sm2_inv_mod_p(uint64_t r[4], const uint64_t a[4]);
void es_sm2_inv_mod_n(uint64_t r[4], const uint64_t a[4]);

/*
 * GB/T 32918.2 A5/A6 once x1 mod n is known (sm2_fn.c), constant time:
 * r = (e + x1) mod n, s = (1 + d)^-1 (k - r d) mod n; returns all-ones
 * when the standard asks for another k (r = 0, r + k = n, s = 0).
 */
struct es_sm2_fast_key;
uint64_t es_sm2_sign_finish(const struct es_sm2_fast_key *key, const uint64_t e[4],
                            const uint64_t k[4], const uint64_t x1[4], uint64_t r[4],
                            uint64_t s[4]);

/* Per-key signing constants (es_key.backend_cache of the fast backend). */
struct es_sm2_fast_key {
    uint64_t d_mont[4];    /* d * R mod n */
    uint64_t dinv_mont[4]; /* (1 + d)^-1 * R mod n */
};

/*
 * Entry points of one instantiation of sm2_ec_impl.h (suffix _c for the
 * portable multiplier, _adx for MULX/ADCX/ADOX).
 */
#define ES_SM2_DECLARE(sfx)                                                                     \
    void es_sm2_fe_inv_##sfx(fe r, const fe a);                                                 \
    void es_sm2_fe_inv_gcd_##sfx(fe r, const fe a);                                             \
    void es_sm2_mul_g_ct_##sfx(jpt *r, const uint64_t k[4], es_sm2_lookup_fn lookup);           \
    uint64_t es_sm2_sign_core_##sfx(const struct es_sm2_fast_key *key, const uint64_t e[4],     \
                                    const uint64_t k[4], uint64_t r[4], uint64_t s[4],          \
                                    es_sm2_lookup_fn lookup);                                   \
    void es_sm2_batch_x_##sfx(uint64_t x[SM2_BATCH][4], const fe X[SM2_BATCH],                  \
                              const fe Z[SM2_BATCH]);                                           \
    void es_sm2_mul_g_x_ct_##sfx(uint64_t x[4], const uint64_t k[4], es_sm2_lookup_fn lookup);   \
    void es_sm2_mul_g_batch_ct_##sfx(uint64_t x[SM2_BATCH][4], const uint64_t k[SM2_BATCH][4], \
                                     es_sm2_lookup_fn lookup,                                   \
                                     es_sm2_lookup_batch_fn lookup_batch);                      \
    void es_sm2_pub_from_priv_##sfx(uint8_t xy[64], const uint64_t d[4],                        \
                                    es_sm2_lookup_fn lookup);                                   \
    bool es_sm2_verify_core_##sfx(const uint8_t xy[64], const uint64_t s[4],                    \
                                  const uint64_t t[4], const uint64_t c[4]);                    \
    bool es_sm2_verify_core_tab_##sfx(const apt tab[PT_SEGS][PT_N], const uint64_t s[4],       \
                                      const uint64_t t[4], const uint64_t c[4]);                \
    bool es_sm2_ptab_build_##sfx(apt tab[PT_SEGS][PT_N], const uint8_t xy[64]);                 \
    void es_sm2_comb_build_##sfx(apt (*tab)[COMB_N]);                                           \
    void es_sm2_fe_mul_##sfx(fe r, const fe a, const fe b);                                     \
    void es_sm2_fe_sqr_##sfx(fe r, const fe a);                                                 \
    void es_sm2_fe_add_##sfx(fe r, const fe a, const fe b);                                     \
    void es_sm2_fe_sub_##sfx(fe r, const fe a, const fe b);
ES_SM2_DECLARE(c)
#ifdef ES_FAST_HAVE_ADX_ASM
ES_SM2_DECLARE(adx)
#endif

/* Implementation choice, made once by es_sm2_fast_init. */
enum {
    ES_SM2_IMPL_ADX = 1u << 0,
    ES_SM2_IMPL_AVX2 = 1u << 1,
    ES_SM2_IMPL_AVX512 = 1u << 2,
    ES_SM2_IMPL_IFMA = 1u << 3, /* AVX-512 IFMA nonce batch (with ADX and AVX-512) */
};

#ifdef ES_FAST_HAVE_ADX_ASM
/* The nonce batch on AVX-512 IFMA, eight nonces in eight lanes (sm2_ifma.c). */
void es_sm2_mul_g_batch_ifma(uint64_t x[SM2_BATCH][4], const uint64_t k[SM2_BATCH][4]);
#endif
/* Features this CPU offers (subset of the above). */
unsigned es_sm2_fast_cpu(void);
/* Restricts the implementation to `features` & es_sm2_fast_cpu() (tests). */
void es_sm2_fast_force(unsigned features);
/* The same without the CPU check: only for valgrind, which runs MULX/ADX
 * code but hides BMI2/ADX from CPUID (tests/unit/crypto/fast_ct_test.c). */
void es_sm2_fast_force_unchecked(unsigned features);
unsigned es_sm2_fast_impl(void);

#endif
