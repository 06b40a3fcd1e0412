/*
 * lib/crypto/ossl_backend.c - the OpenSSL 3 backend of the crypto vtable:
 * SM3 through EVP, SM2 sign/verify of a prepared digest e through
 * EVP_PKEY_sign/verify (which treat their input as e for SM2 keys).
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"
#include "crypto/ossl_int.h"

static EVP_MD *sm3_md(void)
{
    static EVP_MD *md;
    if (!md) {
        md = EVP_MD_fetch(NULL, "SM3", NULL);
    }
    return md;
}

static void o_sm3_init(es_sm3_ctx *c)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    if (m && !EVP_DigestInit_ex(m, sm3_md(), NULL)) {
        EVP_MD_CTX_free(m);
        m = NULL;
    }
    memcpy(c->opaque, &m, sizeof(m));
}

static void o_sm3_update(es_sm3_ctx *c, const void *p, size_t n)
{
    EVP_MD_CTX *m;
    memcpy(&m, c->opaque, sizeof(m));
    if (m) {
        EVP_DigestUpdate(m, p, n);
    }
}

static void o_sm3_final(es_sm3_ctx *c, uint8_t out[32])
{
    EVP_MD_CTX *m;
    memcpy(&m, c->opaque, sizeof(m));
    unsigned n = 32;
    if (!m || !EVP_DigestFinal_ex(m, out, &n)) {
        /* only on allocation failure; a zero digest never matches anything real */
        memset(out, 0, 32);
        ERR_clear_error();
    }
    EVP_MD_CTX_free(m);
    memset(c->opaque, 0, sizeof(c->opaque));
}

static es_result o_sm2_sign(const es_key *k, const uint8_t e[32], uint8_t r[32], uint8_t s[32])
{
    es_result res = ES_RESULT_OK;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(k->pub.ossl, NULL);
    uint8_t sig[80];
    size_t sig_len = sizeof(sig);
    if (!pc || EVP_PKEY_sign_init(pc) <= 0 || EVP_PKEY_sign(pc, sig, &sig_len, e, 32) <= 0) {
        res = es_ossl_error(ES_ERR_CRYPTO_SIGN, "SM2 signing failed");
        goto out;
    }
    ES_GUARD_GOTO(es_sm2_sig_decode(sig, sig_len, r, s, NULL));
out:
    EVP_PKEY_CTX_free(pc);
    return res;
}

static es_result o_sm2_verify(const struct es_sm2_pub *p, const uint8_t e[32], const uint8_t r[32],
                              const uint8_t s[32], bool *out_ok)
{
    uint8_t der[72];
    size_t der_len;
    *out_ok = false;
    ES_GUARD(es_sm2_sig_encode(r, s, der, &der_len));
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(p->ossl, NULL);
    ES_ENSURE(pc, ES_ERR_NOMEM);
    if (EVP_PKEY_verify_init(pc) > 0 && EVP_PKEY_verify(pc, der, der_len, e, 32) == 1) {
        *out_ok = true;
    }
    EVP_PKEY_CTX_free(pc);
    ERR_clear_error();
    return ES_RESULT_OK;
}

const struct es_crypto_ops es_crypto_openssl = {
    .name = "openssl",
    .sm3_init = o_sm3_init,
    .sm3_update = o_sm3_update,
    .sm3_final = o_sm3_final,
    .sm2_sign = o_sm2_sign,
    .sm2_verify = o_sm2_verify,
    .key_cache_free = NULL,
};

es_result es_random(void *buf, size_t n)
{
    if (RAND_bytes(buf, (int)n) != 1) {
        return es_ossl_error(ES_ERR_CRYPTO_RANDOM, "random generator failed");
    }
    return ES_RESULT_OK;
}

es_result es_ossl_error(int code, const char *what)
{
    char detail[256] = "";
    unsigned long e = ERR_peek_last_error();
    if (e) {
        ERR_error_string_n(e, detail, sizeof(detail));
    }
    ERR_clear_error();
    return es_error_set(code, __FILE__, __LINE__, "%s%s%s", what, detail[0] ? ": " : "", detail);
}

es_result es_digest_other(const char *name, const void *p, size_t n, uint8_t *out,
                          size_t *out_len)
{
    unsigned len = 0;
    if (!EVP_Digest(p, n, out, &len, EVP_get_digestbyname(name), NULL)) {
        return es_ossl_error(ES_ERR_CRYPTO_UNSUPPORTED, name);
    }
    *out_len = len;
    return ES_RESULT_OK;
}
