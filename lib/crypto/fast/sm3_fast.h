/*
 * lib/crypto/fast/sm3_fast.h - SM3 (GB/T 32905-2016) of the fast backend:
 * a single-stream implementation with an unrolled compression function,
 * and multi-buffer hashing of independent messages in SIMD lanes (8 lanes
 * with AVX2, 16 with AVX-512), chosen at run time.
 */
#ifndef ES_FAST_SM3_FAST_H
#define ES_FAST_SM3_FAST_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/crypto_fast.h"

struct es_sm3_state {
    uint32_t v[8];
    uint64_t n_blocks; /* compressed so far */
    uint8_t buf[64];
    size_t buf_len;
};

void es_sm3_fast_init(struct es_sm3_state *st);
void es_sm3_fast_update(struct es_sm3_state *st, const void *data, size_t len);
void es_sm3_fast_final(struct es_sm3_state *st, uint8_t out[32]);
void es_sm3_fast(const void *data, size_t len, uint8_t out[32]);

/* Selects the compression function for tests: 0 automatic, 1 portable,
 * 2 BMI2. Returns 0 if this CPU cannot run it. */
int es_sm3_fast_force(int level);

/* Compresses n_blocks 64-byte blocks into v. */
void es_sm3_compress(uint32_t v[8], const uint8_t *p, size_t n_blocks);

/*
 * Multi-buffer kernels: hash `n` (<= lanes) messages, 8 for AVX2 and 16
 * for AVX-512. Callers go through es_sm3_multi, which checks the CPU.
 */
void es_sm3_mb_avx2(const uint8_t *const *msgs, const size_t *lens, size_t n, uint8_t (*out)[32]);
void es_sm3_mb_avx512(const uint8_t *const *msgs, const size_t *lens, size_t n,
                      uint8_t (*out)[32]);

/* The padded tail of a message: the last partial block, 0x80, zeros and
 * the 64-bit big-endian bit length; returns 1 or 2 (blocks in tail). */
size_t es_sm3_tail(const uint8_t *msg, size_t len, uint8_t tail[128]);

/* SIMD width used by es_sm3_multi (1 when no SIMD kernel is usable). */
size_t es_sm3_multi_lanes(void);
/* Restricts es_sm3_multi to `lanes` (1, 8 or 16) for tests; 0 = automatic. */
void es_sm3_multi_force(size_t lanes);

#endif
