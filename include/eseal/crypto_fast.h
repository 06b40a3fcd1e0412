/*
 * eseal/crypto_fast.h - bulk SM3 from libeseal's own crypto backend.
 *
 * es_sm3_multi hashes several independent messages at once, using SIMD
 * lanes (AVX2: 8 messages in parallel, AVX-512: 16) when the CPU has
 * them, and the single-stream code otherwise. The result is always equal
 * to calling es_sm3 on each message. Useful to digest many seals or
 * document parts in one go. Thread-safe; no allocation.
 */
#ifndef ESEAL_CRYPTO_FAST_H
#define ESEAL_CRYPTO_FAST_H

#include "eseal/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out[i] = SM3(msgs[i][0 .. lens[i])) for i < n. msgs[i] may be NULL when
 * lens[i] is 0. Messages of similar length get the best throughput. */
ES_API void es_sm3_multi(const uint8_t *const *msgs, const size_t *lens, size_t n,
                         uint8_t (*out)[32]);

#ifdef __cplusplus
}
#endif
#endif
