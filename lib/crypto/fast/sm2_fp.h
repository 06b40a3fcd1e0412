/*
 * lib/crypto/fast/sm2_fp.h - arithmetic modulo the SM2 prime
 *   p = 2^256 - 2^224 - 2^96 + 2^64 - 1            (GB/T 32918.5 §3)
 * on four little-endian 64-bit limbs, in Montgomery form (R = 2^256).
 *
 * Because p = -1 mod 2^64, the Montgomery factor -p^-1 mod 2^64 is 1: the
 * multiplier of each reduction step is the lowest limb itself, and since
 * the limbs of p are sparse, m*p is formed with two shifts and a
 * subtraction chain instead of four multiplications (see fp_reduce_c).
 *
 * Every function here runs in time independent of the values: no branch
 * and no memory index depends on an operand. Results are fully reduced
 * (in [0, p)) whenever the inputs are.
 *
 * Two multipliers exist: a portable one on unsigned __int128 and one in
 * inline assembly using MULX/ADCX/ADOX (BMI2+ADX), chosen at run time by
 * sm2_ec.c. Both are static inline so that the point formulas of
 * sm2_ec_impl.h, instantiated once per multiplier, inline them.
 */
#ifndef ES_FAST_SM2_FP_H
#define ES_FAST_SM2_FP_H

#include <stdint.h>
#include <string.h>

typedef uint64_t fe[4];
typedef unsigned __int128 u128;

static const fe FP_P = {0xffffffffffffffffULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
                        0xfffffffeffffffffULL};
/* R mod p (Montgomery one) and R^2 mod p. */
static const fe FP_ONE = {0x0000000000000001ULL, 0x00000000ffffffffULL, 0x0000000000000000ULL,
                          0x0000000100000000ULL};
static const fe FP_R2 = {0x0000000200000003ULL, 0x00000002ffffffffULL, 0x0000000100000001ULL,
                         0x0000000400000002ULL};
/* b*R mod p, the curve coefficient b in Montgomery form. */
static const fe FP_B = {0x90d230632bc0dd42ULL, 0x71cf379ae9b537abULL, 0x527981505ea51c3cULL,
                        0x240fe188ba20e2c8ULL};

static inline void fe_copy(fe r, const fe a) { memcpy(r, a, sizeof(fe)); }

/* All-ones when x == 0, else zero (no branch). */
static inline uint64_t ct_is_zero64(uint64_t x)
{
    return (uint64_t)0 - (((~x & (x - 1)) >> 63) & 1);
}

static inline uint64_t fe_is_zero(const fe a) { return ct_is_zero64(a[0] | a[1] | a[2] | a[3]); }

static inline uint64_t fe_eq(const fe a, const fe b)
{
    return ct_is_zero64((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]));
}

/* r = mask ? a : r, mask all-ones or zero. */
static inline void fe_cmov(fe r, const fe a, uint64_t mask)
{
    for (int i = 0; i < 4; i++) {
        r[i] = (r[i] & ~mask) | (a[i] & mask);
    }
}

/* r = a - p if a (with carry bit hi) >= p, else a. */
static inline void fe_sub_p_cond(fe r, const uint64_t a[4], uint64_t hi)
{
    uint64_t t[4];
    u128 acc = 0;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        acc = (u128)a[i] - FP_P[i] - borrow;
        t[i] = (uint64_t)acc;
        borrow = (uint64_t)(acc >> 64) & 1;
    }
    /* keep a when it was below p: borrow out and no carry in */
    uint64_t keep = (uint64_t)0 - (borrow & ~hi & 1);
    for (int i = 0; i < 4; i++) {
        r[i] = (a[i] & keep) | (t[i] & ~keep);
    }
}

static inline void fe_add(fe r, const fe a, const fe b)
{
    uint64_t t[4];
    u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        acc += (u128)a[i] + b[i];
        t[i] = (uint64_t)acc;
        acc >>= 64;
    }
    fe_sub_p_cond(r, t, (uint64_t)acc);
}

static inline void fe_sub(fe r, const fe a, const fe b)
{
    uint64_t t[4];
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 acc = (u128)a[i] - b[i] - borrow;
        t[i] = (uint64_t)acc;
        borrow = (uint64_t)(acc >> 64) & 1;
    }
    /* add p back when it went negative */
    uint64_t mask = (uint64_t)0 - borrow;
    u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        acc += (u128)t[i] + (FP_P[i] & mask);
        r[i] = (uint64_t)acc;
        acc >>= 64;
    }
}

static inline void fe_neg(fe r, const fe a)
{
    static const fe zero = {0, 0, 0, 0};
    fe_sub(r, zero, a);
}

/*
 * Montgomery reduction of a 512-bit t: returns t * 2^-256 mod p.
 * Step (m = lowest limb): (w + m*p) / 2^64 = (w >> 64) + v with
 *   v = m*(2^192 - 2^160 - 2^32 + 1) = [m, 0, 0, m] - [m<<32, m>>32, m<<32, m>>32]
 * (limbs little-endian). Reducing the low half alone keeps the running
 * value below 2^192 + p < 2^256, so four limbs suffice; the result is at
 * most p, then the high half is added and one subtraction of p finishes.
 */
static inline void fp_reduce_c(fe r, const uint64_t t[8])
{
    uint64_t w0 = t[0], w1 = t[1], w2 = t[2], w3 = t[3];
    for (int i = 0; i < 4; i++) {
        uint64_t m = w0;
        uint64_t lo = m << 32;
        uint64_t hi = m >> 32;
        u128 d;
        uint64_t v0, v1, v2, v3, b;
        d = (u128)m - lo;
        v0 = (uint64_t)d;
        b = (uint64_t)(d >> 64) & 1;
        d = (u128)0 - hi - b;
        v1 = (uint64_t)d;
        b = (uint64_t)(d >> 64) & 1;
        d = (u128)0 - lo - b;
        v2 = (uint64_t)d;
        b = (uint64_t)(d >> 64) & 1;
        v3 = m - hi - b;
        u128 acc = (u128)w1 + v0;
        w0 = (uint64_t)acc;
        acc = (acc >> 64) + w2 + v1;
        w1 = (uint64_t)acc;
        acc = (acc >> 64) + w3 + v2;
        w2 = (uint64_t)acc;
        w3 = (uint64_t)(acc >> 64) + v3;
    }
    uint64_t s[4];
    u128 acc = (u128)w0 + t[4];
    s[0] = (uint64_t)acc;
    acc = (acc >> 64) + w1 + t[5];
    s[1] = (uint64_t)acc;
    acc = (acc >> 64) + w2 + t[6];
    s[2] = (uint64_t)acc;
    acc = (acc >> 64) + w3 + t[7];
    s[3] = (uint64_t)acc;
    fe_sub_p_cond(r, s, (uint64_t)(acc >> 64));
}

static inline void fe_mul_c(fe r, const fe a, const fe b)
{
    uint64_t t[8] = {0};
    for (int i = 0; i < 4; i++) {
        u128 acc = 0;
        for (int j = 0; j < 4; j++) {
            acc += (u128)a[j] * b[i] + t[i + j];
            t[i + j] = (uint64_t)acc;
            acc >>= 64;
        }
        t[i + 4] = (uint64_t)acc;
    }
    fp_reduce_c(r, t);
}

static inline void fe_sqr_c(fe r, const fe a)
{
    /* off-diagonal products once, doubled, plus the squares */
    uint64_t t[8] = {0};
    for (int i = 0; i < 3; i++) {
        u128 acc = 0;
        for (int j = i + 1; j < 4; j++) {
            acc += (u128)a[i] * a[j] + t[i + j];
            t[i + j] = (uint64_t)acc;
            acc >>= 64;
        }
        t[i + 4] = (uint64_t)acc;
    }
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t nc = t[i] >> 63;
        t[i] = (t[i] << 1) | c;
        c = nc;
    }
    u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        u128 sq = (u128)a[i] * a[i];
        acc += (u128)t[2 * i] + (uint64_t)sq;
        t[2 * i] = (uint64_t)acc;
        acc >>= 64;
        acc += (u128)t[2 * i + 1] + (uint64_t)(sq >> 64);
        t[2 * i + 1] = (uint64_t)acc;
        acc >>= 64;
    }
    fp_reduce_c(r, t);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ES_FAST_HAVE_ADX_ASM 1

/*
 * One row of the schoolbook product: T0..T3 += a * b[OFF/8] with the low
 * halves on the CF chain (ADCX) and the high halves on the OF chain (ADOX);
 * N receives the top limb.
 */
#define FP_ROW(OFF, T0, T1, T2, T3, N)                                                          \
    "movq " #OFF "(%[b]), %%rdx\n\t"                                                           \
    "xorl %%eax, %%eax\n\t"                                                                    \
    "mulxq 0(%[a]), %%rax, %%rbx\n\t"                                                          \
    "adcxq %%rax, %%" #T0 "\n\t"                                                               \
    "adoxq %%rbx, %%" #T1 "\n\t"                                                               \
    "mulxq 8(%[a]), %%rax, %%rbx\n\t"                                                          \
    "adcxq %%rax, %%" #T1 "\n\t"                                                               \
    "adoxq %%rbx, %%" #T2 "\n\t"                                                               \
    "mulxq 16(%[a]), %%rax, %%rbx\n\t"                                                         \
    "adcxq %%rax, %%" #T2 "\n\t"                                                               \
    "adoxq %%rbx, %%" #T3 "\n\t"                                                               \
    "mulxq 24(%[a]), %%rax, %%" #N "\n\t"                                                      \
    "adcxq %%rax, %%" #T3 "\n\t"                                                               \
    "movl $0, %%eax\n\t"                                                                       \
    "adoxq %%rax, %%" #N "\n\t"                                                                \
    "adcxq %%rax, %%" #N "\n\t"

/*
 * One Montgomery step on the window W0..W3 (see fp_reduce_c): with m = W0,
 * the window becomes [W1, W2, W3, 0] + [m, 0, 0, m] - [m<<32, m>>32,
 * m<<32, m>>32], written to W1, W2, W3, W0. Both chains work modulo
 * 2^256 (a carry or borrow out of the top limb is dropped); the true
 * result is below 2^192 + p < 2^256, so it comes out exact.
 * m<<32 and m>>32 come from one MULX by 2^32 (rdx holds 2^32, see
 * FP_RED_SETUP): the shifts would compete with the carry chains for
 * ports 0 and 6, which bound the throughput of this code.
 */
#define FP_RED_SETUP "movabsq $0x100000000, %%rdx\n\t"
#define FP_RED(W0, W1, W2, W3)                                                                  \
    "mulxq %%" #W0 ", %%rax, %%rbx\n\t"                                                        \
    "addq %%" #W0 ", %%" #W1 "\n\t"                                                            \
    "adcq $0, %%" #W2 "\n\t"                                                                   \
    "adcq $0, %%" #W3 "\n\t"                                                                   \
    "adcq $0, %%" #W0 "\n\t"                                                                   \
    "subq %%rax, %%" #W1 "\n\t"                                                                \
    "sbbq %%rbx, %%" #W2 "\n\t"                                                                \
    "sbbq %%rax, %%" #W3 "\n\t"                                                                \
    "sbbq %%rbx, %%" #W0 "\n\t"

/*
 * r8..r11 += r12..r15, minus p when the sum is >= p, stored to r: p is
 * subtracted, then added back under a mask when that went below zero
 * (fewer flag-chain instructions than keeping a copy and CMOVs).
 */
#define FP_FINISH                                                                               \
    "xorl %%eax, %%eax\n\t"                                                                    \
    "addq %%r12, %%r8\n\t"                                                                     \
    "adcq %%r13, %%r9\n\t"                                                                     \
    "adcq %%r14, %%r10\n\t"                                                                    \
    "adcq %%r15, %%r11\n\t"                                                                    \
    "adcq $0, %%rax\n\t"                                                                       \
    "movabsq $0xFFFFFFFF00000000, %%rbx\n\t"                                                   \
    "movabsq $0xFFFFFFFEFFFFFFFF, %%rdx\n\t"                                                   \
    "subq $-1, %%r8\n\t"                                                                       \
    "sbbq %%rbx, %%r9\n\t"                                                                     \
    "sbbq $-1, %%r10\n\t"                                                                      \
    "sbbq %%rdx, %%r11\n\t"                                                                    \
    "sbbq $0, %%rax\n\t"                                                                       \
    "andq %%rax, %%rbx\n\t"                                                                    \
    "andq %%rax, %%rdx\n\t"                                                                    \
    "addq %%rax, %%r8\n\t"                                                                     \
    "adcq %%rbx, %%r9\n\t"                                                                     \
    "adcq %%rax, %%r10\n\t"                                                                    \
    "adcq %%rdx, %%r11\n\t"                                                                    \
    "movq %%r8, 0(%[r])\n\t"                                                                   \
    "movq %%r9, 8(%[r])\n\t"                                                                   \
    "movq %%r10, 16(%[r])\n\t"                                                                 \
    "movq %%r11, 24(%[r])\n\t"

/* r8..r15 = a * b (the 512-bit product), for the multipliers of this file and sm2_fp_mulx.h */
#define FP_MUL_PRODUCT                                                                          \
    "movq 0(%[b]), %%rdx\n\t"                                                                   \
    "mulxq 0(%[a]), %%r8, %%r9\n\t"                                                             \
    "mulxq 8(%[a]), %%rax, %%r10\n\t"                                                           \
    "addq %%rax, %%r9\n\t"                                                                      \
    "mulxq 16(%[a]), %%rax, %%r11\n\t"                                                          \
    "adcq %%rax, %%r10\n\t"                                                                     \
    "mulxq 24(%[a]), %%rax, %%r12\n\t"                                                          \
    "adcq %%rax, %%r11\n\t"                                                                     \
    "adcq $0, %%r12\n\t"                                                                        \
    FP_ROW(8, r9, r10, r11, r12, r13)                                                           \
    FP_ROW(16, r10, r11, r12, r13, r14)                                                         \
    FP_ROW(24, r11, r12, r13, r14, r15)

/* r8..r15 = a^2: the six cross products once (doubled with the carry chains), then the four squares */
#define FP_SQR_PRODUCT                                                                          \
    /* cross products: r9..r14 = sum a_i a_j (i<j) at limb i+j */                               \
    "movq 0(%[a]), %%rdx\n\t"                                                                   \
    "mulxq 8(%[a]), %%r9, %%r10\n\t" /* a0a1 */                                                 \
    "mulxq 16(%[a]), %%rax, %%r11\n\t" /* a0a2 */                                               \
    "addq %%rax, %%r10\n\t"                                                                     \
    "mulxq 24(%[a]), %%rax, %%r12\n\t" /* a0a3 */                                               \
    "adcq %%rax, %%r11\n\t"                                                                     \
    "adcq $0, %%r12\n\t"                                                                        \
    "movq 8(%[a]), %%rdx\n\t"                                                                   \
    "xorl %%r13d, %%r13d\n\t"                                                                   \
    "mulxq 16(%[a]), %%rax, %%rbx\n\t" /* a1a2 at 3 */                                          \
    "adcxq %%rax, %%r11\n\t"                                                                    \
    "adoxq %%rbx, %%r12\n\t"                                                                    \
    "mulxq 24(%[a]), %%rax, %%rbx\n\t" /* a1a3 at 4 */                                          \
    "adcxq %%rax, %%r12\n\t"                                                                    \
    "adoxq %%rbx, %%r13\n\t"                                                                    \
    "movq 16(%[a]), %%rdx\n\t"                                                                  \
    "mulxq 24(%[a]), %%rax, %%r14\n\t" /* a2a3 at 5 */                                          \
    "movl $0, %%ebx\n\t"                                                                        \
    "adcxq %%rax, %%r13\n\t"                                                                    \
    "adoxq %%rbx, %%r14\n\t"                                                                    \
    "adcxq %%rbx, %%r14\n\t"                                                                    \
    /* double: r15:r9 <<= 1, with the squares added */                                          \
    "xorl %%r15d, %%r15d\n\t"                                                                   \
    "movq 0(%[a]), %%rdx\n\t"                                                                   \
    "mulxq %%rdx, %%r8, %%rbx\n\t" /* a0^2 */                                                   \
    "adcxq %%r9, %%r9\n\t"                                                                      \
    "adoxq %%rbx, %%r9\n\t"                                                                     \
    "movq 8(%[a]), %%rdx\n\t"                                                                   \
    "mulxq %%rdx, %%rax, %%rbx\n\t" /* a1^2 */                                                  \
    "adcxq %%r10, %%r10\n\t"                                                                    \
    "adoxq %%rax, %%r10\n\t"                                                                    \
    "adcxq %%r11, %%r11\n\t"                                                                    \
    "adoxq %%rbx, %%r11\n\t"                                                                    \
    "movq 16(%[a]), %%rdx\n\t"                                                                  \
    "mulxq %%rdx, %%rax, %%rbx\n\t" /* a2^2 */                                                  \
    "adcxq %%r12, %%r12\n\t"                                                                    \
    "adoxq %%rax, %%r12\n\t"                                                                    \
    "adcxq %%r13, %%r13\n\t"                                                                    \
    "adoxq %%rbx, %%r13\n\t"                                                                    \
    "movq 24(%[a]), %%rdx\n\t"                                                                  \
    "mulxq %%rdx, %%rax, %%rbx\n\t" /* a3^2 */                                                  \
    "adcxq %%r14, %%r14\n\t"                                                                    \
    "adoxq %%rax, %%r14\n\t"                                                                    \
    "adcxq %%r15, %%r15\n\t"                                                                    \
    "adoxq %%rbx, %%r15\n\t"

/* r = a * b * 2^-256 mod p. Requires BMI2 and ADX. r may alias a or b. */
static inline __attribute__((always_inline)) void fe_mul_adx(fe r, const fe a, const fe b)
{
    const uint64_t *pa = a, *pb = b;
    __asm__ volatile(
        FP_MUL_PRODUCT
        FP_RED_SETUP
        FP_RED(r8, r9, r10, r11)
        FP_RED(r9, r10, r11, r8)
        FP_RED(r10, r11, r8, r9)
        FP_RED(r11, r8, r9, r10)
        FP_FINISH
        : [a] "+&r"(pa), [b] "+&r"(pb)
        : [r] "r"(r)
        : "rax", "rbx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc",
          "memory");
}

/*
 * r = a^2 * 2^-256 mod p: the six cross products once (doubled with the
 * carry chains), then the four squares on the diagonal.
 */
static inline __attribute__((always_inline)) void fe_sqr_adx(fe r, const fe a)
{
    const uint64_t *pa = a, *pb = a;
    __asm__ volatile(
        FP_SQR_PRODUCT
        FP_RED_SETUP
        FP_RED(r8, r9, r10, r11)
        FP_RED(r9, r10, r11, r8)
        FP_RED(r10, r11, r8, r9)
        FP_RED(r11, r8, r9, r10)
        FP_FINISH
        : [a] "+&r"(pa), [b] "+&r"(pb)
        : [r] "r"(r)
        : "rax", "rbx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc",
          "memory");
}
/* r = a + b mod p (x86-64 assembly; no BMI2 needed). */
static inline __attribute__((always_inline)) void fe_add_asm(fe r, const fe a, const fe b)
{
    __asm__ volatile(
        "movq 0(%[a]), %%r8\n\t"
        "movq 8(%[a]), %%r9\n\t"
        "movq 16(%[a]), %%r10\n\t"
        "movq 24(%[a]), %%r11\n\t"
        "xorl %%eax, %%eax\n\t"
        "addq 0(%[b]), %%r8\n\t"
        "adcq 8(%[b]), %%r9\n\t"
        "adcq 16(%[b]), %%r10\n\t"
        "adcq 24(%[b]), %%r11\n\t"
        "adcq $0, %%rax\n\t"
        "movq %%r8, %%r12\n\t"
        "movq %%r9, %%r13\n\t"
        "movq %%r10, %%r14\n\t"
        "movq %%r11, %%r15\n\t"
        "movabsq $0xFFFFFFFF00000000, %%rcx\n\t"
        "movabsq $0xFFFFFFFEFFFFFFFF, %%rdx\n\t"
        "subq $-1, %%r8\n\t"
        "sbbq %%rcx, %%r9\n\t"
        "sbbq $-1, %%r10\n\t"
        "sbbq %%rdx, %%r11\n\t"
        "sbbq $0, %%rax\n\t"
        "cmovcq %%r12, %%r8\n\t"
        "cmovcq %%r13, %%r9\n\t"
        "cmovcq %%r14, %%r10\n\t"
        "cmovcq %%r15, %%r11\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc",
          "memory");
}

/* r = a - b mod p: subtract, then add p masked by the borrow. */
static inline __attribute__((always_inline)) void fe_sub_asm(fe r, const fe a, const fe b)
{
    __asm__ volatile(
        "movq 0(%[a]), %%r8\n\t"
        "movq 8(%[a]), %%r9\n\t"
        "movq 16(%[a]), %%r10\n\t"
        "movq 24(%[a]), %%r11\n\t"
        "subq 0(%[b]), %%r8\n\t"
        "sbbq 8(%[b]), %%r9\n\t"
        "sbbq 16(%[b]), %%r10\n\t"
        "sbbq 24(%[b]), %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "movabsq $0xFFFFFFFF00000000, %%rcx\n\t"
        "movabsq $0xFFFFFFFEFFFFFFFF, %%rdx\n\t"
        "andq %%rax, %%rcx\n\t"
        "andq %%rax, %%rdx\n\t"
        "addq %%rax, %%r8\n\t"
        "adcq %%rcx, %%r9\n\t"
        "adcq %%rax, %%r10\n\t"
        "adcq %%rdx, %%r11\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "cc", "memory");
}
#endif

#endif
