/*
 * lib/crypto/fast/sm2_ifma.c - the signing pool's batch of nonces (k G for
 * SM2_BATCH secret k, see es_sm2_mul_g_batch_ct) with AVX-512 IFMA: the
 * eight nonces run in the eight 64-bit lanes of ZMM registers, one nonce
 * per lane, so one vector field multiplication does eight.
 *
 * Field elements are five 52-bit limbs per lane (radix 2^52, the width of
 * VPMADD52LUQ/HUQ), in Montgomery form with R' = 2^260. Because
 * p = -1 mod 2^52, the Montgomery multiplier of each reduction step is the
 * low limb itself. Values are kept below 2p with normalised limbs (each
 * below 2^52, which IFMA requires of its inputs): the multiplication maps
 * inputs below 4p to below 2p (ab/R' < 16p^2/2^260 < p), and every
 * addition or subtraction is followed by fold(), which brings anything
 * below 2^260 back under 2p using 2^256 = 2^224 + 2^96 - 2^64 + 1 (mod p).
 *
 * The comb, its table, the recoding and the argument that the incomplete
 * mixed addition never meets its exceptional cases are those of
 * sm2_ec_impl.h; table entries (R = 2^256 form) are converted on the way
 * in, and X, Z on the way out, where the MULX/ADX code shares one
 * inversion between the eight results (es_sm2_batch_x_adx).
 *
 * Constant time: vector arithmetic, blends under masks computed from the
 * digits, loads at fixed addresses only; no branch and no address depends
 * on k. (valgrind cannot run AVX-512, so tests/unit/crypto/fast_ct_test.c
 * cannot check this file; tests/unit/crypto/fast_sm2_test.c checks its
 * results against the portable path.)
 */
#include "base/base.h"
#include "crypto/fast/sm2_ec.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&                           \
    defined(ES_FAST_HAVE_ADX_ASM)
#include <immintrin.h>

#define IFMA __attribute__((target("avx512f,avx512ifma")))

typedef struct {
    __m512i l[5];
} f8;

#define M52 0xfffffffffffffULL
/* p, 2^264, 2^256 and 2^260 mod p in radix 2^52 */
static const uint64_t P52[5] = {0xfffffffffffffULL, 0xff00000000fffULL, 0xfffffffffffffULL,
                                0xfffffffffffffULL, 0xfffffffeffffULL};
static const uint64_t C_IN[5] = {0x100, 0xffffffff00000ULL, 0, 0, 0x1000000};
static const uint64_t C_OUT[5] = {0x1, 0xffffffff000ULL, 0, 0, 0x10000};
static const uint64_t ONE52[5] = {0x10, 0xffffffff0000ULL, 0, 0, 0x100000};

static inline IFMA void f8_const(f8 *r, const uint64_t c[5])
{
    for (int i = 0; i < 5; i++) {
        r->l[i] = _mm512_set1_epi64((long long)c[i]);
    }
}

/* Signed carry propagation: limbs 0..3 into [0, 2^52), the rest on limb 4. */
static inline IFMA void f8_carry(f8 *a)
{
    const __m512i m = _mm512_set1_epi64(M52);
    for (int i = 0; i < 4; i++) {
        a->l[i + 1] = _mm512_add_epi64(a->l[i + 1], _mm512_srai_epi64(a->l[i], 52));
        a->l[i] = _mm512_and_si512(a->l[i], m);
    }
}

/*
 * For a value below 2^260 (limb 4 below 2^52): h = bits 256.., and
 * h 2^256 is replaced by h (2^224 + 2^96 - 2^64 + 1); the result is below
 * 2^256 + 2^229 < 2p, limbs normalised.
 */
static inline IFMA void f8_fold(f8 *a)
{
    __m512i h = _mm512_srli_epi64(a->l[4], 48);
    a->l[4] = _mm512_and_si512(a->l[4], _mm512_set1_epi64(0xffffffffffffULL));
    a->l[0] = _mm512_add_epi64(a->l[0], h);
    a->l[1] = _mm512_add_epi64(a->l[1],
                               _mm512_sub_epi64(_mm512_slli_epi64(h, 44), _mm512_slli_epi64(h, 12)));
    a->l[4] = _mm512_add_epi64(a->l[4], _mm512_slli_epi64(h, 16));
    f8_carry(a);
}

static inline IFMA void f8_add(f8 *r, const f8 *a, const f8 *b)
{
    for (int i = 0; i < 5; i++) {
        r->l[i] = _mm512_add_epi64(a->l[i], b->l[i]);
    }
    f8_carry(r);
    f8_fold(r);
}

/* r = a - b + 2p (in (0, 4p) for a, b below 2p), folded. */
static inline IFMA void f8_sub(f8 *r, const f8 *a, const f8 *b)
{
    for (int i = 0; i < 5; i++) {
        __m512i p2 = _mm512_set1_epi64((long long)(2 * P52[i]));
        r->l[i] = _mm512_add_epi64(_mm512_sub_epi64(a->l[i], b->l[i]), p2);
    }
    f8_carry(r);
    f8_fold(r);
}

/* r = a * b / 2^260 mod p (below 2p for inputs below 4p). r may alias. */
#define MAC(T, A, B)                                                                            \
    do {                                                                                        \
        t[T] = _mm512_madd52lo_epu64(t[T], A, B);                                               \
        t[(T) + 1] = _mm512_madd52hi_epu64(t[(T) + 1], A, B);                                   \
    } while (0)
#define ROWMUL(I, A, B)                                                                         \
    MAC((I) + 0, (A)[0], B);                                                                    \
    MAC((I) + 1, (A)[1], B);                                                                    \
    MAC((I) + 2, (A)[2], B);                                                                    \
    MAC((I) + 3, (A)[3], B);                                                                    \
    MAC((I) + 4, (A)[4], B)
#define REDSTEP(I)                                                                              \
    do {                                                                                        \
        __m512i m_ = _mm512_and_si512(t[I], mask);                                              \
        ROWMUL(I, pv, m_);                                                                      \
        t[(I) + 1] = _mm512_add_epi64(t[(I) + 1], _mm512_srli_epi64(t[I], 52));                 \
    } while (0)

static inline IFMA void f8_mul(f8 *r, const f8 *a, const f8 *b)
{
    const __m512i mask = _mm512_set1_epi64(M52);
    const __m512i pv[5] = {_mm512_set1_epi64((long long)P52[0]), _mm512_set1_epi64((long long)P52[1]),
                           _mm512_set1_epi64((long long)P52[2]), _mm512_set1_epi64((long long)P52[3]),
                           _mm512_set1_epi64((long long)P52[4])};
    __m512i t[10];
    for (int i = 0; i < 10; i++) {
        t[i] = _mm512_setzero_si512();
    }
    ROWMUL(0, a->l, b->l[0]);
    ROWMUL(1, a->l, b->l[1]);
    ROWMUL(2, a->l, b->l[2]);
    ROWMUL(3, a->l, b->l[3]);
    ROWMUL(4, a->l, b->l[4]);
    REDSTEP(0);
    REDSTEP(1);
    REDSTEP(2);
    REDSTEP(3);
    REDSTEP(4);
    for (int i = 5; i < 9; i++) {
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64(t[i], 52));
        t[i] = _mm512_and_si512(t[i], mask);
    }
    for (int i = 0; i < 5; i++) {
        r->l[i] = t[i + 5];
    }
}

static inline IFMA void f8_sqr(f8 *r, const f8 *a) { f8_mul(r, a, a); }

/* r = mask ? a : r, per lane */
static inline IFMA void f8_blend(f8 *r, const f8 *a, __mmask8 m)
{
    for (int i = 0; i < 5; i++) {
        r->l[i] = _mm512_mask_blend_epi64(m, r->l[i], a->l[i]);
    }
}

/* 4 x 64-bit limbs per lane (q[j] = limb j of every lane) to radix 2^52. */
static inline IFMA void f8_from64(f8 *r, const __m512i q[4])
{
    const __m512i m = _mm512_set1_epi64(M52);
    r->l[0] = _mm512_and_si512(q[0], m);
    r->l[1] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(q[0], 52), _mm512_slli_epi64(q[1], 12)), m);
    r->l[2] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(q[1], 40), _mm512_slli_epi64(q[2], 24)), m);
    r->l[3] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(q[2], 28), _mm512_slli_epi64(q[3], 36)), m);
    r->l[4] = _mm512_srli_epi64(q[3], 16);
}

/* Back to 64-bit limbs; the value (below 2p) is brought below p. */
static inline IFMA void f8_to64(fe out[SM2_BATCH], const f8 *a)
{
    _Alignas(64) uint64_t q[5][8];
    _mm512_store_si512(q[0], _mm512_or_si512(a->l[0], _mm512_slli_epi64(a->l[1], 52)));
    _mm512_store_si512(q[1], _mm512_or_si512(_mm512_srli_epi64(a->l[1], 12),
                                             _mm512_slli_epi64(a->l[2], 40)));
    _mm512_store_si512(q[2], _mm512_or_si512(_mm512_srli_epi64(a->l[2], 24),
                                             _mm512_slli_epi64(a->l[3], 28)));
    _mm512_store_si512(q[3], _mm512_or_si512(_mm512_srli_epi64(a->l[3], 36),
                                             _mm512_slli_epi64(a->l[4], 16)));
    _mm512_store_si512(q[4], _mm512_srli_epi64(a->l[4], 48));
    for (int b = 0; b < SM2_BATCH; b++) {
        uint64_t v[4] = {q[0][b], q[1][b], q[2][b], q[3][b]};
        fe_sub_p_cond(out[b], v, q[4][b]);
    }
}

/*
 * The eight looked-up entries (t[b] for lane b, R = 2^256 form) as
 * vectors in R' form, y negated in the lanes of negmask.
 */
static inline IFMA void load_entries(f8 *x, f8 *y, const apt t[SM2_BATCH], __mmask8 negmask,
                                     const f8 *cin)
{
    const __m512i vindex = _mm512_set_epi64(56, 48, 40, 32, 24, 16, 8, 0);
    const long long *base = (const long long *)(const void *)t;
    __m512i qx[4], qy[4];
    for (int j = 0; j < 4; j++) {
        qx[j] = _mm512_i64gather_epi64(vindex, base + j, 8);
        qy[j] = _mm512_i64gather_epi64(vindex, base + 4 + j, 8);
    }
    f8_from64(x, qx);
    f8_from64(y, qy);
    f8_mul(x, x, cin);
    f8_mul(y, y, cin);
    f8 zero, ny;
    for (int i = 0; i < 5; i++) {
        zero.l[i] = _mm512_setzero_si512();
    }
    f8_sub(&ny, &zero, y);
    f8_blend(y, &ny, negmask);
}

/*
 * Mixed addition on eight lanes, acc += (x2, y2) (madd-2007-bl as in
 * pt_madd_raw), with the infinity cases selected by per-lane masks.
 */
static inline IFMA void madd8(f8 *X, f8 *Y, f8 *Z, const f8 *x2, const f8 *y2, __mmask8 a_inf,
                              __mmask8 b_inf, const f8 *one)
{
    f8 z1z1, u2, s2, h, rr, hh, i4, j, v, t, x3, y3, z3;
    f8_sqr(&z1z1, Z);
    f8_mul(&u2, x2, &z1z1);
    f8_mul(&s2, Z, &z1z1);
    f8_mul(&s2, y2, &s2);
    f8_sub(&h, &u2, X);
    f8_sub(&rr, &s2, Y);
    f8_add(&rr, &rr, &rr);
    f8_sqr(&hh, &h);
    f8_add(&i4, &hh, &hh);
    f8_add(&i4, &i4, &i4);
    f8_mul(&j, &h, &i4);
    f8_mul(&v, X, &i4);
    f8_add(&t, Z, &h);
    f8_sqr(&t, &t);
    f8_sub(&t, &t, &z1z1);
    f8_sub(&z3, &t, &hh);
    f8_sqr(&x3, &rr);
    f8_sub(&x3, &x3, &j);
    f8_add(&t, &v, &v);
    f8_sub(&x3, &x3, &t);
    f8_sub(&t, &v, &x3);
    f8_mul(&t, &rr, &t);
    f8_mul(&j, Y, &j);
    f8_add(&j, &j, &j);
    f8_sub(&y3, &t, &j);
    /* acc at infinity: the result is the addend (Z = 1) */
    f8_blend(&x3, x2, a_inf);
    f8_blend(&y3, y2, a_inf);
    f8_blend(&z3, one, a_inf);
    /* addend at infinity (digit 0): acc unchanged */
    f8_blend(&x3, X, b_inf);
    f8_blend(&y3, Y, b_inf);
    f8_blend(&z3, Z, b_inf);
    *X = x3;
    *Y = y3;
    *Z = z3;
}

IFMA void es_sm2_mul_g_batch_ifma(uint64_t x[SM2_BATCH][4], const uint64_t k[SM2_BATCH][4])
{
    f8 X, Y, Z, x2, y2, cin, cout, one;
    f8_const(&cin, C_IN);
    f8_const(&cout, C_OUT);
    f8_const(&one, ONE52);
    __mmask8 acc_inf = 0;
    _Alignas(64) apt t[SM2_BATCH];
    for (int j = 0; j < COMB_WINDOWS; j++) {
        uint32_t digit[SM2_BATCH], neg[SM2_BATCH];
        uint32_t negbits = 0, zerobits = 0;
        for (int b = 0; b < SM2_BATCH; b++) {
            comb_booth(comb_window(k[b], j), &digit[b], &neg[b]);
            negbits |= (neg[b] & 1) << b;
            zerobits |= (uint32_t)(ct_is_zero64(digit[b]) & 1) << b;
        }
        es_sm2_lookup_batch_avx512(t, es_sm2_comb[j], digit);
        load_entries(&x2, &y2, t, (__mmask8)negbits, &cin);
        if (j == 0) {
            X = x2;
            Y = y2;
            Z = one;
            acc_inf = (__mmask8)zerobits;
            continue;
        }
        madd8(&X, &Y, &Z, &x2, &y2, acc_inf, (__mmask8)zerobits, &one);
        acc_inf &= (__mmask8)zerobits;
    }
    es_wipe(t, sizeof(t));
    /* R' form to R form (times 2^256 / 2^260), below p, then one inversion */
    fe xs[SM2_BATCH], zs[SM2_BATCH];
    f8_mul(&X, &X, &cout);
    f8_mul(&Z, &Z, &cout);
    f8_to64(xs, &X);
    f8_to64(zs, &Z);
    es_sm2_batch_x_adx(x, (const fe *)xs, (const fe *)zs);
}

#else
typedef int es_sm2_ifma_unused; /* ISO C forbids an empty translation unit */
#endif
