/*
 * lib/crypto/fast/sm2_fast.h - the fast SM2 backend's entry points, for
 * fast_backend.c and the tests. Inputs and outputs are big-endian 32-byte
 * strings as in GB/T 32918.
 */
#ifndef ES_FAST_SM2_FAST_H
#define ES_FAST_SM2_FAST_H

#include "crypto/crypto.h"
#include "crypto/fast/sm2_ec.h"

/* es_key preparation: the fast backend's key cache (d and (1+d)^-1). */
ES_RESULT es_sm2_fast_key_prepare(es_key *k);
void es_sm2_fast_key_cache_free(void *cache);

/* GB/T 32918.2 §6.1 on a prepared digest e; fresh nonce from es_random. */
ES_RESULT es_sm2_fast_sign(const es_key *k, const uint8_t e[32], uint8_t r[32], uint8_t s[32]);
/* GB/T 32918.2 §7.1 on a prepared digest e. */
ES_RESULT es_sm2_fast_verify(const struct es_sm2_pub *p, const uint8_t e[32], const uint8_t r[32],
                             const uint8_t s[32], bool *out_ok);

/* ---- lower level, for tests and benchmarks ---- */
/* Key constants from d, constant time, no validation (d must be in [1, n-2]). */
void es_sm2_fast_key_init(struct es_sm2_fast_key *fk, const uint8_t d[32]);
/* Returns false unless 1 <= d <= n-2. */
bool es_sm2_fast_priv_ok(const uint8_t d[32]);
/* One signing attempt with the given nonce k in [1, n-1], constant time.
 * Returns all-ones when GB/T 32918.2 A5/A6 ask for another k. */
uint64_t es_sm2_fast_sign_k(const struct es_sm2_fast_key *fk, const uint8_t e[32],
                            const uint8_t k[32], uint8_t r[32], uint8_t s[32]);
/* Public key d*G, constant time. */
void es_sm2_fast_pub_from_priv(const uint8_t d[32], uint8_t xy[64]);
/* Verification on raw coordinates. */
bool es_sm2_fast_verify_xy(const uint8_t xy[64], const uint8_t e[32], const uint8_t r[32],
                           const uint8_t s[32]);
/* Turns the per-thread cache of verification tables on (default) or off
 * (tests, benchmarks of a key's first verification). */
void es_sm2_fast_vcache(bool on);
/* Turns the per-thread signing nonce pool on (default) or off: off, each
 * signature draws and computes its own nonce (tests, benchmarks). */
void es_sm2_fast_pool(bool on);
/* The pool's batch computation: x[b] = (k[b] G).x mod n for SM2_BATCH
 * nonces in [1, n-1], constant time (tests). */
void es_sm2_fast_nonce_batch(const uint8_t k[SM2_BATCH][32], uint8_t x[SM2_BATCH][32]);
/* Name of the chosen implementation, e.g. "adx+avx512". */
const char *es_sm2_fast_impl_name(void);

#endif
