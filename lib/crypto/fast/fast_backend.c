/*
 * lib/crypto/fast/fast_backend.c - the "fast" crypto backend: SM3 and SM2
 * of our own (sm3_fast.c, sm2_fast.c) behind struct es_crypto_ops. It
 * registers itself at load time and, being registered after OpenSSL, is
 * the default; ESEAL_CRYPTO=openssl or es_crypto_select("openssl") goes
 * back to OpenSSL. See docs/internals/CRYPTO.md.
 */
#include "crypto/crypto.h"
#include "crypto/fast/sm2_fast.h"
#include "crypto/fast/sm3_fast.h"

_Static_assert(sizeof(struct es_sm3_state) <= sizeof(((es_sm3_ctx *)0)->opaque),
               "es_sm3_ctx too small for the fast SM3 state");

static void f_sm3_init(es_sm3_ctx *c)
{
    es_sm3_fast_init((struct es_sm3_state *)(void *)c->opaque);
}

static void f_sm3_update(es_sm3_ctx *c, const void *p, size_t n)
{
    es_sm3_fast_update((struct es_sm3_state *)(void *)c->opaque, p, n);
}

static void f_sm3_final(es_sm3_ctx *c, uint8_t out[32])
{
    es_sm3_fast_final((struct es_sm3_state *)(void *)c->opaque, out);
}

const struct es_crypto_ops es_crypto_fast = {
    .name = "fast",
    .sm3_init = f_sm3_init,
    .sm3_update = f_sm3_update,
    .sm3_final = f_sm3_final,
    .sm2_sign = es_sm2_fast_sign,
    .sm2_verify = es_sm2_fast_verify,
    .key_prepare = es_sm2_fast_key_prepare,
    .key_cache_free = es_sm2_fast_key_cache_free,
};

__attribute__((constructor)) static void fast_register(void)
{
    es_crypto_register(&es_crypto_fast);
}
