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
#else
void es_sm2_lookup_avx2(apt *out, const apt *tab, uint32_t digit)
{
    es_sm2_lookup_c(out, tab, digit);
}
void es_sm2_lookup_avx512(apt *out, const apt *tab, uint32_t digit)
{
    es_sm2_lookup_c(out, tab, digit);
}
#endif
