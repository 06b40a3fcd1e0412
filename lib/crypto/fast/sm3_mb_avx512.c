/*
 * lib/crypto/fast/sm3_mb_avx512.c - multi-buffer SM3 on AVX-512: 16
 * messages per pass, with VPROLD rotations and VPTERNLOGD for the
 * three-input boolean functions (0x96 xor, 0xE8 majority, 0xCA select).
 */
#include "crypto/fast/sm3_fast.h"

extern const uint32_t es_sm3_k[64];

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw")))
#define LANES 16
#define MB_NAME es_sm3_mb_avx512
typedef __m512i V;
typedef __mmask16 M;
#define V_ADD(a, b) _mm512_add_epi32((a), (b))
#define V_XOR(a, b) _mm512_xor_si512((a), (b))
#define V_XOR3(a, b, c) _mm512_ternarylogic_epi32((a), (b), (c), 0x96)
#define V_ROL(x, n) _mm512_rol_epi32((x), (n))
#define V_FF1(x, y, z) _mm512_ternarylogic_epi32((x), (y), (z), 0xE8)
#define V_GG1(x, y, z) _mm512_ternarylogic_epi32((x), (y), (z), 0xCA)
#define V_SET1(x) _mm512_set1_epi32((int)(x))
#define M_ACTIVE(act)                                                                           \
    _mm512_cmpneq_epi32_mask(_mm512_loadu_si512((const void *)(act)), _mm512_setzero_si512())
#define V_KEEP(old, new_, m) _mm512_mask_mov_epi32((old), (m), (new_))
#define V_STORE(p, v) _mm512_storeu_si512((void *)(p), (v))

/*
 * 16x16 transpose of 32-bit words: lane i of out[j] = word j of block i.
 * Two unpack stages inside 128-bit chunks, then a 4x4 transpose of the
 * chunks with VSHUFI32X4.
 */
TARGET static inline void load_words(V w[68], const uint8_t *const ptr[LANES])
{
    const V bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
    V r[16], t[16], u[16];
    for (int i = 0; i < 16; i++) {
        r[i] = _mm512_loadu_si512((const void *)ptr[i]);
    }
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    /* u[4g + c]: column c (+4, +8, +12 in the chunks) of rows 4g..4g+3 */
    for (int g = 0; g < 16; g += 4) {
        u[g] = _mm512_unpacklo_epi64(t[g], t[g + 2]);
        u[g + 1] = _mm512_unpackhi_epi64(t[g], t[g + 2]);
        u[g + 2] = _mm512_unpacklo_epi64(t[g + 1], t[g + 3]);
        u[g + 3] = _mm512_unpackhi_epi64(t[g + 1], t[g + 3]);
    }
    for (int c = 0; c < 4; c++) {
        V x0 = _mm512_shuffle_i32x4(u[c], u[4 + c], 0x44);
        V x1 = _mm512_shuffle_i32x4(u[c], u[4 + c], 0xEE);
        V x2 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0x44);
        V x3 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0xEE);
        w[c] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(x0, x2, 0x88), bswap);
        w[c + 4] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(x0, x2, 0xDD), bswap);
        w[c + 8] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(x1, x3, 0x88), bswap);
        w[c + 12] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(x1, x3, 0xDD), bswap);
    }
}

#include "crypto/fast/sm3_mb_impl.h"

#else
void es_sm3_mb_avx512(const uint8_t *const *msgs, const size_t *lens, size_t n,
                      uint8_t (*out)[32])
{
    for (size_t i = 0; i < n; i++) {
        es_sm3_fast(msgs[i], lens[i], out[i]);
    }
}
#endif
