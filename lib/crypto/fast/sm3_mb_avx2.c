/*
 * lib/crypto/fast/sm3_mb_avx2.c - multi-buffer SM3 on AVX2: 8 messages
 * per pass, one per 32-bit lane (AVX2 has no rotate: shift, shift, or).
 */
#include "crypto/fast/sm3_fast.h"

extern const uint32_t es_sm3_k[64];

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx2")))
#define LANES 8
#define MB_NAME es_sm3_mb_avx2
typedef __m256i V;
typedef __m256i M;
#define V_ADD(a, b) _mm256_add_epi32((a), (b))
#define V_XOR(a, b) _mm256_xor_si256((a), (b))
#define V_XOR3(a, b, c) V_XOR(V_XOR((a), (b)), (c))
#define V_ROL(x, n) _mm256_or_si256(_mm256_slli_epi32((x), (n)), _mm256_srli_epi32((x), 32 - (n)))
#define V_FF1(x, y, z)                                                                          \
    _mm256_or_si256(_mm256_and_si256((x), (y)), _mm256_and_si256(_mm256_or_si256((x), (y)), (z)))
#define V_GG1(x, y, z) V_XOR((z), _mm256_and_si256((x), V_XOR((y), (z))))
#define V_SET1(x) _mm256_set1_epi32((int)(x))
#define M_ACTIVE(act) _mm256_loadu_si256((const __m256i *)(const void *)(act))
#define V_KEEP(old, new_, m) _mm256_blendv_epi8((old), (new_), (m))
#define V_STORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))

/* Loads 16 words of 8 blocks, transposed (lane i = block i) and byte-swapped. */
TARGET static inline void transpose8(V out[8], const V r[8])
{
    V t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int g = 0; g < 8; g += 4) {
        u[g] = _mm256_unpacklo_epi64(t[g], t[g + 2]);
        u[g + 1] = _mm256_unpackhi_epi64(t[g], t[g + 2]);
        u[g + 2] = _mm256_unpacklo_epi64(t[g + 1], t[g + 3]);
        u[g + 3] = _mm256_unpackhi_epi64(t[g + 1], t[g + 3]);
    }
    for (int c = 0; c < 4; c++) {
        out[c] = _mm256_permute2x128_si256(u[c], u[c + 4], 0x20);
        out[c + 4] = _mm256_permute2x128_si256(u[c], u[c + 4], 0x31);
    }
}

TARGET static inline void load_words(V w[68], const uint8_t *const ptr[LANES])
{
    const V bswap = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2,
                                     1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    for (int half = 0; half < 2; half++) {
        V r[8];
        for (int i = 0; i < 8; i++) {
            r[i] = _mm256_loadu_si256((const __m256i *)(const void *)(ptr[i] + 32 * half));
        }
        transpose8(w + 8 * half, r);
        for (int j = 0; j < 8; j++) {
            w[8 * half + j] = _mm256_shuffle_epi8(w[8 * half + j], bswap);
        }
    }
}

#include "crypto/fast/sm3_mb_impl.h"

#else
void es_sm3_mb_avx2(const uint8_t *const *msgs, const size_t *lens, size_t n, uint8_t (*out)[32])
{
    for (size_t i = 0; i < n; i++) {
        es_sm3_fast(msgs[i], lens[i], out[i]);
    }
}
#endif
