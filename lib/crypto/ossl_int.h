/* lib/crypto/ossl_int.h - helpers shared by the OpenSSL-facing files. */
#ifndef ES_OSSL_INT_H
#define ES_OSSL_INT_H

#include <pthread.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"

struct es_cert {
    X509 *x;
    uint8_t *der;
    size_t der_len;
    bool has_sm2;
    struct es_sm2_pub pub;
    char *subject;
    char *issuer;
    char serial[80];
};

/* A chain es_chain_verify built and verified, remembered by the trust set
 * (ossl_x509.c says why). */
struct es_chain_memo {
    uint8_t key[32];        /* SM3 over the leaf's and the extras' DER */
    int64_t from, until;    /* every certificate of the chain valid in between */
    struct es_chain_result result;
    bool used;
};

#define ES_CHAIN_MEMO_SLOTS 8

struct es_trust {
    X509_STORE *store;
    STACK_OF(X509) *all; /* es_trust_add_cert: self-signed anchors, else intermediates */
    STACK_OF(X509) *partial; /* es_trust_add_anchor_partial: anchors whatever their issuer */
    size_t n;
    pthread_mutex_t memo_mu; /* verification may share a trust set between threads */
    struct es_chain_memo memo[ES_CHAIN_MEMO_SLOTS];
    unsigned memo_next;
    unsigned long memo_hits; /* answers given from the memo (for tests) */
};

/* Drains OpenSSL's error queue into the thread's es error slot. */
ES_RESULT es_ossl_error(int code, const char *what);
/* Fills pub (xy, Z, SM2-typed EVP_PKEY) from any EC/SM2 key on the SM2 curve. */
ES_RESULT es_ossl_pub_from_pkey(EVP_PKEY *pk, struct es_sm2_pub *pub);
/* Builds an SM2-typed EVP_PKEY from raw parts (d may be NULL). */
ES_RESULT es_ossl_make_pkey(const uint8_t *d, const uint8_t xy[64], EVP_PKEY **out);
/* Sets the default SM2 ID on an EVP_PKEY_CTX used for signing certificates. */
int es_ossl_set_id(EVP_PKEY_CTX *pc);
int64_t es_ossl_asn1_time(const ASN1_TIME *t);
/* Wraps an X509 (its reference count is raised) as an es_cert. */
ES_RESULT es_ossl_cert_wrap(X509 *x, es_cert **out);

#endif
