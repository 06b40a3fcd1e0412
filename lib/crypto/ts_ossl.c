/*
 * lib/crypto/ts_ossl.c - the OpenSSL side of lib/ts: ECDSA P-256 / SHA-256
 * TSA keys. They exist for one purpose: tokens that an independent
 * implementation (`openssl ts -verify`) can check structurally, since
 * OpenSSL 3.0 cannot verify SM2 CMS signatures made with the GM/T ID.
 * SM2 time stamps never come through here.
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/ossl_int.h"
#include "ts/ts_int.h"

es_result es_ts_ossl_key_load(const char *path, const char *pass, void **out)
{
    *out = NULL;
    BIO *bio = BIO_new_file(path, "rb");
    if (!bio) {
        ERR_clear_error();
        ES_BAIL_MSG(ES_ERR_IO_OPEN, "%s: cannot open", path);
    }
    EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)(pass ? pass : ""));
    BIO_free(bio);
    if (!pk) {
        return es_ossl_error(ES_ERR_CRYPTO_KEY, "reading the TSA key");
    }
    if (!EVP_PKEY_is_a(pk, "EC")) {
        EVP_PKEY_free(pk);
        ES_BAIL_MSG(ES_ERR_CRYPTO_UNSUPPORTED, "%s: a TSA key is SM2 or ECDSA P-256", path);
    }
    *out = pk;
    return ES_RESULT_OK;
}

void es_ts_ossl_key_free(void *key) { EVP_PKEY_free((EVP_PKEY *)key); }

bool es_ts_ossl_key_matches(void *key, const es_cert *cert)
{
    EVP_PKEY *pub = X509_get0_pubkey(cert->x);
    bool ok = pub && EVP_PKEY_eq(pub, (EVP_PKEY *)key) == 1;
    ERR_clear_error();
    return ok;
}

es_result es_ts_ossl_sign(void *key, const uint8_t *msg, size_t len, uint8_t *sig,
                          size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    size_t n = 80;
    if (!m || EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, (EVP_PKEY *)key) != 1 ||
        EVP_DigestSign(m, sig, &n, msg, len) != 1) {
        res = es_ossl_error(ES_ERR_CRYPTO_SIGN, "ECDSA signing");
    } else {
        *out_len = n;
    }
    EVP_MD_CTX_free(m);
    return res;
}

es_result es_ts_ossl_verify(const es_cert *cert, const uint8_t *msg, size_t len,
                            const uint8_t *sig, size_t sig_len, bool *out_ok)
{
    *out_ok = false;
    EVP_PKEY *pub = X509_get0_pubkey(cert->x);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    if (pub && m && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, pub) == 1) {
        *out_ok = EVP_DigestVerify(m, sig, sig_len, msg, len) == 1;
    }
    EVP_MD_CTX_free(m);
    ERR_clear_error();
    return ES_RESULT_OK;
}
