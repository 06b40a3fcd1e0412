/*
 * lib/crypto/fast/sm3_fast.c - SM3 (GB/T 32905-2016), single stream, and
 * the dispatcher of the multi-buffer kernels.
 *
 * The compression function is fully unrolled. The round registers are
 * renamed instead of shifted (each round writes D and H, which become the
 * next A and E), the constants T_j <<< j are precomputed, and the message
 * schedule W_j is expanded four rounds ahead of its use.
 *
 * A round is bound by the latency of E -> SS1 -> TT2 -> P0(TT2) = E', about
 * seven dependent operations, which no reordering removes; moving the
 * message schedule to SIMD registers (tried with AVX-512VL) only made it
 * slower. BMI2's RORX (no flags, no copy) is the one measurable gain.
 */
#include <string.h>

#include "base/base.h"
#include "crypto/fast/sm3_fast.h"

/* T_j <<< (j mod 32), GB/T 32905 §4.2 and §5.3.3 */
const uint32_t es_sm3_k[64] = {
    0x79cc4519U, 0xf3988a32U, 0xe7311465U, 0xce6228cbU, 0x9cc45197U, 0x3988a32fU, 0x7311465eU,
    0xe6228cbcU, 0xcc451979U, 0x988a32f3U, 0x311465e7U, 0x6228cbceU, 0xc451979cU, 0x88a32f39U,
    0x11465e73U, 0x228cbce6U, 0x9d8a7a87U, 0x3b14f50fU, 0x7629ea1eU, 0xec53d43cU, 0xd8a7a879U,
    0xb14f50f3U, 0x629ea1e7U, 0xc53d43ceU, 0x8a7a879dU, 0x14f50f3bU, 0x29ea1e76U, 0x53d43cecU,
    0xa7a879d8U, 0x4f50f3b1U, 0x9ea1e762U, 0x3d43cec5U, 0x7a879d8aU, 0xf50f3b14U, 0xea1e7629U,
    0xd43cec53U, 0xa879d8a7U, 0x50f3b14fU, 0xa1e7629eU, 0x43cec53dU, 0x879d8a7aU, 0x0f3b14f5U,
    0x1e7629eaU, 0x3cec53d4U, 0x79d8a7a8U, 0xf3b14f50U, 0xe7629ea1U, 0xcec53d43U, 0x9d8a7a87U,
    0x3b14f50fU, 0x7629ea1eU, 0xec53d43cU, 0xd8a7a879U, 0xb14f50f3U, 0x629ea1e7U, 0xc53d43ceU,
    0x8a7a879dU, 0x14f50f3bU, 0x29ea1e76U, 0x53d43cecU, 0xa7a879d8U, 0x4f50f3b1U, 0x9ea1e762U,
    0x3d43cec5U,
};

static const uint32_t k_iv[8] = {0x7380166fU, 0x4914b2b9U, 0x172442d7U, 0xda8a0600U,
                                 0xa96f30bcU, 0x163138aaU, 0xe38dee4dU, 0xb0fb0e4eU};

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define P0(x) ((x) ^ ROL((x), 9) ^ ROL((x), 17))
#define P1(x) ((x) ^ ROL((x), 15) ^ ROL((x), 23))
#define FF0(x, y, z) ((x) ^ (y) ^ (z))
#define FF1(x, y, z) (((x) & (y)) | (((x) | (y)) & (z)))
#define GG0(x, y, z) ((x) ^ (y) ^ (z))
#define GG1(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))

static inline uint32_t load_be32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

/* W_j for j >= 16 (GB/T 32905 §5.3.2 a, b) */
#define EXPAND(j)                                                                               \
    w[j] = P1(w[(j) - 16] ^ w[(j) - 9] ^ ROL(w[(j) - 3], 15)) ^ ROL(w[(j) - 13], 7) ^ w[(j) - 6]

/* One round (§5.3.3); D and H receive TT1 and P0(TT2). */
#define ROUND(A, B, C, D, E, F, G, H, j, FF, GG)                                                \
    do {                                                                                        \
        uint32_t a12 = ROL(A, 12);                                                              \
        uint32_t ss1 = ROL(a12 + E + es_sm3_k[j], 7);                                           \
        uint32_t ss2 = ss1 ^ a12;                                                               \
        D += FF(A, B, C) + ss2 + (w[j] ^ w[(j) + 4]);                                           \
        H += GG(E, F, G) + ss1 + w[j];                                                          \
        B = ROL(B, 9);                                                                          \
        F = ROL(F, 19);                                                                         \
        H = P0(H);                                                                              \
    } while (0)

#define R8(j, FF, GG)                                                                           \
    ROUND(a, b, c, d, e, f, g, h, (j) + 0, FF, GG);                                             \
    ROUND(d, a, b, c, h, e, f, g, (j) + 1, FF, GG);                                             \
    ROUND(c, d, a, b, g, h, e, f, (j) + 2, FF, GG);                                             \
    ROUND(b, c, d, a, f, g, h, e, (j) + 3, FF, GG);                                             \
    ROUND(a, b, c, d, e, f, g, h, (j) + 4, FF, GG);                                             \
    ROUND(d, a, b, c, h, e, f, g, (j) + 5, FF, GG);                                             \
    ROUND(c, d, a, b, g, h, e, f, (j) + 6, FF, GG);                                             \
    ROUND(b, c, d, a, f, g, h, e, (j) + 7, FF, GG)

#define E4(j)                                                                                   \
    EXPAND(j);                                                                                  \
    EXPAND((j) + 1);                                                                            \
    EXPAND((j) + 2);                                                                            \
    EXPAND((j) + 3)

#define COMPRESS_BODY                                                                           \
    while (n_blocks--) {                                                                        \
        uint32_t w[68];                                                                         \
        for (int i = 0; i < 16; i++) {                                                          \
            w[i] = load_be32(p + 4 * i);                                                        \
        }                                                                                       \
        uint32_t a = v[0], b = v[1], c = v[2], d = v[3];                                        \
        uint32_t e = v[4], f = v[5], g = v[6], h = v[7];                                        \
        E4(16);                                                                                 \
        R8(0, FF0, GG0);                                                                        \
        E4(20);                                                                                 \
        E4(24);                                                                                 \
        R8(8, FF0, GG0);                                                                        \
        E4(28);                                                                                 \
        E4(32);                                                                                 \
        R8(16, FF1, GG1);                                                                       \
        E4(36);                                                                                 \
        E4(40);                                                                                 \
        R8(24, FF1, GG1);                                                                       \
        E4(44);                                                                                 \
        E4(48);                                                                                 \
        R8(32, FF1, GG1);                                                                       \
        E4(52);                                                                                 \
        E4(56);                                                                                 \
        R8(40, FF1, GG1);                                                                       \
        E4(60);                                                                                 \
        E4(64);                                                                                 \
        R8(48, FF1, GG1);                                                                       \
        R8(56, FF1, GG1);                                                                       \
        v[0] ^= a;                                                                              \
        v[1] ^= b;                                                                              \
        v[2] ^= c;                                                                              \
        v[3] ^= d;                                                                              \
        v[4] ^= e;                                                                              \
        v[5] ^= f;                                                                              \
        v[6] ^= g;                                                                              \
        v[7] ^= h;                                                                              \
        p += 64;                                                                                \
    }

static void compress_generic(uint32_t v[8], const uint8_t *p, size_t n_blocks)
{
    COMPRESS_BODY
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* Same code with BMI2's RORX: rotations without a flag write or a copy. */
__attribute__((target("bmi2"))) static void compress_bmi2(uint32_t v[8], const uint8_t *p,
                                                          size_t n_blocks)
{
    COMPRESS_BODY
}

#endif

typedef void (*compress_fn)(uint32_t v[8], const uint8_t *p, size_t n_blocks);

static compress_fn pick_compress(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("bmi2")) {
        return compress_bmi2;
    }
#endif
    return compress_generic;
}

/* a benign race: every thread computes the same pointer */
static compress_fn g_compress;

void es_sm3_compress(uint32_t v[8], const uint8_t *p, size_t n_blocks)
{
    compress_fn f = __atomic_load_n(&g_compress, __ATOMIC_RELAXED);
    if (!f) {
        f = pick_compress();
        __atomic_store_n(&g_compress, f, __ATOMIC_RELAXED);
    }
    f(v, p, n_blocks);
}

int es_sm3_fast_force(int level)
{
    compress_fn best = pick_compress();
    compress_fn f;
    switch (level) {
    case 0:
        f = best;
        break;
    case 1:
        f = compress_generic;
        break;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case 2:
        if (best == compress_generic) {
            return 0;
        }
        f = compress_bmi2;
        break;
#endif
    default:
        return 0;
    }
    __atomic_store_n(&g_compress, f, __ATOMIC_RELAXED);
    return 1;
}

void es_sm3_fast_init(struct es_sm3_state *st)
{
    memcpy(st->v, k_iv, sizeof(k_iv));
    st->n_blocks = 0;
    st->buf_len = 0;
}

void es_sm3_fast_update(struct es_sm3_state *st, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (len == 0) {
        return;
    }
    if (st->buf_len) {
        size_t take = 64 - st->buf_len;
        if (take > len) {
            take = len;
        }
        memcpy(st->buf + st->buf_len, p, take);
        st->buf_len += take;
        p += take;
        len -= take;
        if (st->buf_len < 64) {
            return;
        }
        es_sm3_compress(st->v, st->buf, 1);
        st->n_blocks++;
        st->buf_len = 0;
    }
    if (len >= 64) {
        size_t nb = len / 64;
        es_sm3_compress(st->v, p, nb);
        st->n_blocks += nb;
        p += nb * 64;
        len -= nb * 64;
    }
    if (len) {
        memcpy(st->buf, p, len);
        st->buf_len = len;
    }
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (56 - 8 * i));
    }
}

static void put_digest(uint8_t out[32], const uint32_t v[8])
{
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(v[i] >> 24);
        out[4 * i + 1] = (uint8_t)(v[i] >> 16);
        out[4 * i + 2] = (uint8_t)(v[i] >> 8);
        out[4 * i + 3] = (uint8_t)v[i];
    }
}

void es_sm3_fast_final(struct es_sm3_state *st, uint8_t out[32])
{
    /* GB/T 32905 §5.2: 1, zeros to 448 mod 512, 64-bit length in bits */
    uint64_t bits = (st->n_blocks * 64 + st->buf_len) * 8;
    uint8_t pad[128] = {0};
    memcpy(pad, st->buf, st->buf_len);
    pad[st->buf_len] = 0x80;
    size_t nb = st->buf_len < 56 ? 1 : 2;
    put_be64(pad + nb * 64 - 8, bits);
    es_sm3_compress(st->v, pad, nb);
    put_digest(out, st->v);
    es_wipe(st, sizeof(*st));
}

void es_sm3_fast(const void *data, size_t len, uint8_t out[32])
{
    struct es_sm3_state st;
    es_sm3_fast_init(&st);
    es_sm3_fast_update(&st, data, len);
    es_sm3_fast_final(&st, out);
}

size_t es_sm3_tail(const uint8_t *msg, size_t len, uint8_t tail[128])
{
    size_t full = len / 64;
    size_t rest = len - full * 64;
    memset(tail, 0, 128);
    if (rest) {
        memcpy(tail, msg + full * 64, rest);
    }
    tail[rest] = 0x80;
    size_t nb = rest < 56 ? 1 : 2;
    put_be64(tail + nb * 64 - 8, (uint64_t)len * 8);
    return nb;
}

static size_t g_force_lanes;

void es_sm3_multi_force(size_t lanes) { g_force_lanes = lanes; }

size_t es_sm3_multi_lanes(void)
{
    size_t lanes = 1;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
        lanes = 16;
    } else if (__builtin_cpu_supports("avx2")) {
        lanes = 8;
    }
#endif
    if (g_force_lanes && g_force_lanes < lanes) {
        lanes = g_force_lanes >= 8 ? 8 : 1;
    }
    return lanes;
}

/* see eseal/crypto_fast.h */
void es_sm3_multi(const uint8_t *const *msgs, const size_t *lens, size_t n, uint8_t (*out)[32])
{
    size_t lanes = es_sm3_multi_lanes();
    size_t i = 0;
    /* full groups through the SIMD kernel; a lone leftover message goes
     * through the single-stream code, which is faster for one */
    while (lanes > 1 && n - i >= 2) {
        size_t k = n - i < lanes ? n - i : lanes;
        if (lanes == 16) {
            es_sm3_mb_avx512(msgs + i, lens + i, k, out + i);
        } else {
            es_sm3_mb_avx2(msgs + i, lens + i, k, out + i);
        }
        i += k;
    }
    for (; i < n; i++) {
        es_sm3_fast(lens[i] ? msgs[i] : (const uint8_t *)"", lens[i], out[i]);
    }
}
