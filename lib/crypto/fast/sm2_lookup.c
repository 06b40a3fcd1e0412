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
    __m256i acc0 = _mm256_setzero_si256();
    __m256i acc1 = _mm256_setzero_si256();
    const __m256i d = _mm256_set1_epi32((int)digit);
    const __m256i one = _mm256_set1_epi32(1);
    __m256i idx = one;
    const __m256i *p = (const __m256i *)(const void *)tab;
    for (uint32_t i = 0; i < COMB_N; i++) {
        __m256i m = _mm256_cmpeq_epi32(idx, d);
        acc0 = _mm256_or_si256(acc0, _mm256_and_si256(m, _mm256_loadu_si256(p + 2 * i)));
        acc1 = _mm256_or_si256(acc1, _mm256_and_si256(m, _mm256_loadu_si256(p + 2 * i + 1)));
        idx = _mm256_add_epi32(idx, one);
    }
    _mm256_storeu_si256((__m256i *)(void *)out, acc0);
    _mm256_storeu_si256((__m256i *)(void *)out + 1, acc1);
}

__attribute__((target("avx512f"))) void es_sm2_lookup_avx512(apt *out, const apt *tab,
                                                              uint32_t digit)
{
    __m512i acc = _mm512_setzero_si512();
    const __m512i d = _mm512_set1_epi64((long long)digit);
    const __m512i one = _mm512_set1_epi64(1);
    __m512i idx = one;
    const __m512i *p = (const __m512i *)(const void *)tab;
    for (uint32_t i = 0; i < COMB_N; i++) {
        __mmask8 m = _mm512_cmpeq_epi64_mask(idx, d);
        acc = _mm512_mask_mov_epi64(acc, m, _mm512_loadu_si512(p + i));
        idx = _mm512_add_epi64(idx, one);
    }
    _mm512_storeu_si512((void *)out, acc);
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
