/*
 * lib/crypto/fast/sm2_lookup.c - constant-time selection of one comb
 * entry: every entry of the window is read and combined under a mask, so
 * neither the branch pattern nor the addresses touched depend on the
 * (secret) digit. Three versions: portable, AVX2 and AVX-512, chosen at
 * run time by es_sm2_fast_init.
 */
#include "crypto/fast/sm2_ec.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_X86_SIMD 1
#endif

void es_sm2_lookup_c(apt *out, const apt *tab, uint32_t digit)
{
    uint64_t acc[8] = {0};
    for (uint32_t i = 0; i < COMB_N; i++) {
        uint64_t mask = ct_is_zero64((uint64_t)((i + 1) ^ digit));
        const uint64_t *e = tab[i].x;
        for (int w = 0; w < 8; w++) {
            acc[w] |= e[w] & mask;
        }
    }
    memcpy(out, acc, sizeof(acc));
}

#ifdef HAVE_X86_SIMD
__attribute__((target("avx2"))) void es_sm2_lookup_avx2(apt *out, const apt *tab, uint32_t digit)
{
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, b0 = a0, b1 = a0;
    const __m256i d = _mm256_set1_epi32((int)digit);
    const __m256i two = _mm256_set1_epi32(2);
    __m256i ia = _mm256_set1_epi32(1), ib = _mm256_set1_epi32(2);
    const __m256i *p = (const __m256i *)(const void *)tab;
    for (uint32_t i = 0; i < COMB_N; i += 2) {
        __m256i ma = _mm256_cmpeq_epi32(ia, d);
        __m256i mb = _mm256_cmpeq_epi32(ib, d);
        a0 = _mm256_or_si256(a0, _mm256_and_si256(ma, _mm256_loadu_si256(p + 2 * i)));
        a1 = _mm256_or_si256(a1, _mm256_and_si256(ma, _mm256_loadu_si256(p + 2 * i + 1)));
        b0 = _mm256_or_si256(b0, _mm256_and_si256(mb, _mm256_loadu_si256(p + 2 * i + 2)));
        b1 = _mm256_or_si256(b1, _mm256_and_si256(mb, _mm256_loadu_si256(p + 2 * i + 3)));
        ia = _mm256_add_epi32(ia, two);
        ib = _mm256_add_epi32(ib, two);
    }
    _mm256_storeu_si256((__m256i *)(void *)out, _mm256_or_si256(a0, b0));
    _mm256_storeu_si256((__m256i *)(void *)out + 1, _mm256_or_si256(a1, b1));
}

/*
 * One 64-byte entry per ZMM register; each entry is OR-ed in under a
 * k-mask from a compare, into four accumulators so that the loop is not
 * one long dependency chain. Every entry is loaded without a mask (a
 * masked load could skip memory for masked-off lanes).
 */
__attribute__((target("avx512f"))) void es_sm2_lookup_avx512(apt *out, const apt *tab,
                                                              uint32_t digit)
{
    __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    const __m512i d = _mm512_set1_epi64((long long)digit);
    const __m512i four = _mm512_set1_epi64(4);
    __m512i i0 = _mm512_set1_epi64(1), i1 = _mm512_set1_epi64(2);
    __m512i i2 = _mm512_set1_epi64(3), i3 = _mm512_set1_epi64(4);
    const __m512i *p = (const __m512i *)(const void *)tab;
    _Static_assert(COMB_N % 4 == 0, "four accumulators");
    for (uint32_t i = 0; i < COMB_N; i += 4) {
        __m512i e0 = _mm512_loadu_si512(p + i);
        __m512i e1 = _mm512_loadu_si512(p + i + 1);
        __m512i e2 = _mm512_loadu_si512(p + i + 2);
        __m512i e3 = _mm512_loadu_si512(p + i + 3);
        acc0 = _mm512_mask_or_epi64(acc0, _mm512_cmpeq_epi64_mask(i0, d), acc0, e0);
        acc1 = _mm512_mask_or_epi64(acc1, _mm512_cmpeq_epi64_mask(i1, d), acc1, e1);
        acc2 = _mm512_mask_or_epi64(acc2, _mm512_cmpeq_epi64_mask(i2, d), acc2, e2);
        acc3 = _mm512_mask_or_epi64(acc3, _mm512_cmpeq_epi64_mask(i3, d), acc3, e3);
        i0 = _mm512_add_epi64(i0, four);
        i1 = _mm512_add_epi64(i1, four);
        i2 = _mm512_add_epi64(i2, four);
        i3 = _mm512_add_epi64(i3, four);
    }
    acc0 = _mm512_or_si512(_mm512_or_si512(acc0, acc1), _mm512_or_si512(acc2, acc3));
    _mm512_storeu_si512((void *)out, acc0);
}

/*
 * SM2_BATCH digits in one pass: each entry is loaded once and OR-ed into
 * every digit's accumulator under that digit's compare mask, so the
 * window is read from memory once for the whole batch (the scan of a
 * single digit is bound by L2 bandwidth: the 148 KiB table does not fit
 * L1). Same rules as above: every entry, unmasked loads, no branch.
 */
__attribute__((target("avx512f"))) void es_sm2_lookup_batch_avx512(apt out[SM2_BATCH],
                                                                    const apt *tab,
                                                                    const uint32_t digit[SM2_BATCH])
{
    /* eight named accumulators: as an array GCC keeps them in memory */
    _Static_assert(SM2_BATCH == 8, "one accumulator per digit below");
    const __m512i d0 = _mm512_set1_epi64(digit[0]), d1 = _mm512_set1_epi64(digit[1]);
    const __m512i d2 = _mm512_set1_epi64(digit[2]), d3 = _mm512_set1_epi64(digit[3]);
    const __m512i d4 = _mm512_set1_epi64(digit[4]), d5 = _mm512_set1_epi64(digit[5]);
    const __m512i d6 = _mm512_set1_epi64(digit[6]), d7 = _mm512_set1_epi64(digit[7]);
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
            a7 = a0;
    const __m512i one = _mm512_set1_epi64(1);
    __m512i idx = one;
    const __m512i *p = (const __m512i *)(const void *)tab;
#define LB_OR(A, D) A = _mm512_mask_or_epi64(A, _mm512_cmpeq_epi64_mask(idx, D), A, e)
    for (uint32_t i = 0; i < COMB_N; i++) {
        __m512i e = _mm512_loadu_si512(p + i);
        LB_OR(a0, d0);
        LB_OR(a1, d1);
        LB_OR(a2, d2);
        LB_OR(a3, d3);
        LB_OR(a4, d4);
        LB_OR(a5, d5);
        LB_OR(a6, d6);
        LB_OR(a7, d7);
        idx = _mm512_add_epi64(idx, one);
    }
#undef LB_OR
    __m512i *o = (__m512i *)(void *)out;
    _mm512_storeu_si512(o, a0);
    _mm512_storeu_si512(o + 1, a1);
    _mm512_storeu_si512(o + 2, a2);
    _mm512_storeu_si512(o + 3, a3);
    _mm512_storeu_si512(o + 4, a4);
    _mm512_storeu_si512(o + 5, a5);
    _mm512_storeu_si512(o + 6, a6);
    _mm512_storeu_si512(o + 7, a7);
}
#else
void es_sm2_lookup_avx2(apt *out, const apt *tab, uint32_t digit)
{
    es_sm2_lookup_c(out, tab, digit);
}
void es_sm2_lookup_avx512(apt *out, const apt *tab, uint32_t digit)
{
    es_sm2_lookup_c(out, tab, digit);
}
void es_sm2_lookup_batch_avx512(apt out[SM2_BATCH], const apt *tab,
                                const uint32_t digit[SM2_BATCH])
{
    for (int b = 0; b < SM2_BATCH; b++) {
        es_sm2_lookup_c(&out[b], tab, digit[b]);
    }
}
#endif
