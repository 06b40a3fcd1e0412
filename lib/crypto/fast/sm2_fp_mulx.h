/*
 * lib/crypto/fast/sm2_fp_mulx.h - the Montgomery multiplication and squaring
 * mod p of the MULX/ADX instantiation (sm2_ec_adx.c), x86-64 with BMI2 and
 * ADX (checked at run time by sm2_fast.c before any caller runs).
 *
 * The 512-bit product is formed as in fe_mul_adx / fe_sqr_adx (sm2_fp.h:
 * rows of MULX with the low halves on the CF chain, ADCX, and the high
 * halves on the OF chain, ADOX). What differs is the reduction and the
 * final subtraction, which cost the earlier code most of its time: on this
 * kind of core the flag-chain instructions (ADC, SBB, ADCX, ADOX, CMOV)
 * issue on two ports only, while MULX runs on two others, so a step of
 * the reduction is cheaper with one more MULX and two fewer carry
 * instructions (docs/performance.md, "SM2 field multiplication").
 *
 * Reduction step (m = the lowest limb of the window W, see fp_reduce_c):
 *   W' = (W >> 64) + m p',  p' = (p + 1) / 2^64 = 2^192 - 2^160 - 2^32 + 1
 *                              = (2^32 - 1)(2^160 - 1),
 * so with u = m (2^32 - 1) < 2^96, m p' = u 2^160 - u. One MULX of m by
 * 2^32 - 1 gives u = [u0, u1]; one MULX of m by 2^64 - 2^32 gives
 * u 2^32 = [A, B]; then W' = [W1, W2, W3, 0] - [u0, u1, 0, 0] + [0, 0, A, B]:
 * four carry instructions instead of six. As in fp_reduce_c the window
 * works modulo 2^256 (a carry or borrow out of its top is dropped); its
 * true value stays below 2^192 + p < 2^256, so the result is exact.
 *
 * Final step: s = L + H (the reduced low half plus the high half) on the
 * OF chain and t = s + (2^256 - p) on the CF chain at the same time; the
 * total carry out of both is 1 exactly when L + H >= p, and then t (=
 * L + H - p) is kept, by CMOV: no branch, no memory index.
 *
 * Time independent of the values; results in [0, p) for inputs in [0, p);
 * r may alias a or b. The register use is that of fe_mul_adx (14
 * general registers, which -O0 builds can give).
 */
#ifndef ES_FAST_SM2_FP_MULX_H
#define ES_FAST_SM2_FP_MULX_H

#include "crypto/fast/sm2_fp.h"

#ifdef ES_FAST_HAVE_ADX_ASM

/* 2^256 - p without its lowest limb (1), which the STC of FP_MX_FINISH adds. */
static const uint64_t FP_MX_NEG_P[4] = {0, 0x00000000ffffffffULL, 0, 0x0000000100000000ULL};

/* %[a] = 2^32 - 1 and %[b] = 2^64 - 2^32 (the pointers are no longer needed). */
#define FP_MX_RED_SETUP                                                                        \
    "movl $0xffffffff, %k[a]\n\t"                                                              \
    "movabsq $0xffffffff00000000, %[b]\n\t"

/* One reduction step on the window W0..W3 (m = W0); the new window is
 * W1, W2, W3, W0 (W0 receives the top limb B). */
#define FP_MX_RED(W0, W1, W2, W3)                                                              \
    "movq %%" #W0 ", %%rdx\n\t"                                                                \
    "mulxq %[a], %%rax, %%rbx\n\t"     /* u = [rax, rbx] */                                    \
    "subq %%rax, %%" #W1 "\n\t"                                                                \
    "mulxq %[b], %%rax, %%" #W0 "\n\t" /* u 2^32 = [rax, W0] */                               \
    "sbbq %%rbx, %%" #W2 "\n\t"                                                                \
    "sbbq $0, %%" #W3 "\n\t"                                                                   \
    "sbbq $0, %%" #W0 "\n\t"                                                                   \
    "addq %%rax, %%" #W3 "\n\t"                                                                \
    "adcq $0, %%" #W0 "\n\t"

/*
 * r = r8..r11 + r12..r15 reduced once: s in r12..r15 (OF chain), t = s +
 * 2^256 - p in r8..r11 (CF chain, its +1 from STC), rax = the carries of
 * both; s replaces t when rax is 0.
 */
#define FP_MX_FINISH                                                                           \
    "leaq %[negp], %[a]\n\t"                                                                   \
    "xorl %%eax, %%eax\n\t"                                                                    \
    "stc\n\t"                                                                                  \
    "adoxq %%r8, %%r12\n\t"                                                                    \
    "movq %%r12, %%r8\n\t"                                                                     \
    "adoxq %%r9, %%r13\n\t"                                                                    \
    "adcxq 0(%[a]), %%r8\n\t"                                                                  \
    "movq %%r13, %%r9\n\t"                                                                     \
    "adoxq %%r10, %%r14\n\t"                                                                   \
    "adcxq 8(%[a]), %%r9\n\t"                                                                  \
    "movq %%r14, %%r10\n\t"                                                                    \
    "adoxq %%r11, %%r15\n\t"                                                                   \
    "adcxq 16(%[a]), %%r10\n\t"                                                                \
    "movq %%r15, %%r11\n\t"                                                                    \
    "adoxq %%rax, %%rax\n\t"                                                                   \
    "adcxq 24(%[a]), %%r11\n\t"                                                                \
    "adcxq 0(%[a]), %%rax\n\t"                                                                 \
    "testq %%rax, %%rax\n\t"                                                                   \
    "cmovzq %%r12, %%r8\n\t"                                                                   \
    "cmovzq %%r13, %%r9\n\t"                                                                   \
    "cmovzq %%r14, %%r10\n\t"                                                                  \
    "cmovzq %%r15, %%r11\n\t"                                                                  \
    "movq %%r8, 0(%[r])\n\t"                                                                   \
    "movq %%r9, 8(%[r])\n\t"                                                                   \
    "movq %%r10, 16(%[r])\n\t"                                                                 \
    "movq %%r11, 24(%[r])\n\t"

#define FP_MX_REDUCE_FINISH                                                                    \
    FP_MX_RED_SETUP                                                                            \
    FP_MX_RED(r8, r9, r10, r11)                                                                \
    FP_MX_RED(r9, r10, r11, r8)                                                                \
    FP_MX_RED(r10, r11, r8, r9)                                                                \
    FP_MX_RED(r11, r8, r9, r10)                                                                \
    FP_MX_FINISH

/* r = a * b * 2^-256 mod p. */
static inline __attribute__((always_inline)) void fe_mul_mulx(fe r, const fe a, const fe b)
{
    uint64_t pa = (uint64_t)(uintptr_t)a, pb = (uint64_t)(uintptr_t)b;
    __asm__ volatile(
        FP_MUL_PRODUCT
        FP_MX_REDUCE_FINISH
        : [a] "+&r"(pa), [b] "+&r"(pb)
        : [r] "r"(r), [negp] "m"(FP_MX_NEG_P)
        : "rax", "rbx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc",
          "memory");
}

/* r = a^2 * 2^-256 mod p: the product as in fe_sqr_adx. */
static inline __attribute__((always_inline)) void fe_sqr_mulx(fe r, const fe a)
{
    uint64_t pa = (uint64_t)(uintptr_t)a, pb = 0;
    __asm__ volatile(
        FP_SQR_PRODUCT
        FP_MX_REDUCE_FINISH
        : [a] "+&r"(pa), [b] "+&r"(pb)
        : [r] "r"(r), [negp] "m"(FP_MX_NEG_P)
        : "rax", "rbx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc",
          "memory");
}

#endif
#endif
