/*
 * eseal/crypto.h - SM2 keys, SM2 X.509 certificates, trust anchors and SM3.
 *
 * No OpenSSL type appears here: keys and certificates are opaque handles.
 * Keys and certificates are read from PEM, DER, passphrase-encrypted PKCS#8
 * and PKCS#12. SM2 signatures always use the GB/T 35276 default user ID
 * "1234567812345678".
 */
#ifndef ESEAL_CRYPTO_H
#define ESEAL_CRYPTO_H

#include "eseal/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct es_key es_key;     /* an SM2 private key (secret wiped on free) */
typedef struct es_cert es_cert;   /* an X.509 certificate */
typedef struct es_trust es_trust; /* a set of trust anchors (and intermediates) */

/* ---- SM3 (GB/T 32905) ---- */
ES_API void es_sm3(const void *data, size_t len, uint8_t out[32]);

/* Streaming SM3. The state is opaque storage of fixed size. */
typedef struct es_sm3_ctx {
    uint64_t opaque[32];
} es_sm3_ctx;
ES_API void es_sm3_init(es_sm3_ctx *c);
ES_API void es_sm3_update(es_sm3_ctx *c, const void *data, size_t len);
ES_API void es_sm3_final(es_sm3_ctx *c, uint8_t out[32]);

/* ---- backend selection ---- */
/* Selects the SM2/SM3 implementation: "openssl" (always available) or the
 * name of another compiled-in backend. The environment variable
 * ESEAL_CRYPTO is read once at first use. Returns ES_ERR_USAGE_ARG for an
 * unknown name. Not thread-safe: call before starting threads. */
ES_API int es_crypto_select(const char *name);
ES_API const char *es_crypto_backend_name(void);

/* ---- keys ---- */
/* Loads an SM2 private key from a file (PEM, DER, encrypted PKCS#8, PKCS#12).
 * `pass` may be NULL for unencrypted files. OUT (owned): es_key_free. */
ES_API int es_key_load(es_ctx *ctx, const char *path, const char *pass, es_key **out);
ES_API int es_key_from_bytes(es_ctx *ctx, const uint8_t *data, size_t len, const char *pass,
                             es_key **out);
ES_API int es_key_generate(es_ctx *ctx, es_key **out);
/* Writes the key as passphrase-encrypted PKCS#8 PEM (atomically, mode 0600).
 * `pass` MUST be non-empty: private keys are never written in clear. */
ES_API int es_key_save(es_ctx *ctx, const es_key *key, const char *pass, const char *path);
/* Encrypted PKCS#8 PEM in memory. OUT (owned, es_free). */
ES_API int es_key_to_pem(es_ctx *ctx, const es_key *key, const char *pass, char **out_pem);
ES_API void es_key_free(es_key *key);
/* 1 if the certificate carries the key's public key, else 0. */
ES_API int es_key_matches_cert(const es_key *key, const es_cert *cert);
/* Signs `msg` with SM2/SM3 (default ID). OUT: DER SEQUENCE{r,s}, at most 72
 * bytes, into `sig` (capacity 72); *out_len set. */
ES_API int es_key_sign(es_ctx *ctx, const es_key *key, const uint8_t *msg, size_t len,
                       uint8_t sig[72], size_t *out_len);

/* ---- certificates ---- */
ES_API int es_cert_load(es_ctx *ctx, const char *path, const char *pass, es_cert **out);
/* Loads every certificate of a PEM file (or one DER/PKCS#12). OUT (owned):
 * array of *out_n handles, free each with es_cert_free and the array with es_free. */
ES_API int es_cert_load_all(es_ctx *ctx, const char *path, const char *pass, es_cert ***out,
                            size_t *out_n);
ES_API int es_cert_from_der(es_ctx *ctx, const uint8_t *der, size_t len, es_cert **out);
ES_API void es_cert_free(es_cert *cert);
ES_API es_cert *es_cert_dup(const es_cert *cert);
/* The DER bytes (borrowed). */
ES_API es_bytes es_cert_der(const es_cert *cert);
/* One-line distinguished names ("C=CN, O=..., CN=..."), UTF-8 (borrowed). */
ES_API const char *es_cert_subject(const es_cert *cert);
ES_API const char *es_cert_issuer(const es_cert *cert);
ES_API const char *es_cert_serial_hex(const es_cert *cert);
ES_API int64_t es_cert_not_before(const es_cert *cert);
ES_API int64_t es_cert_not_after(const es_cert *cert);
/* 1 if the public key is on the SM2 curve. */
ES_API int es_cert_is_sm2(const es_cert *cert);
/* PEM text of the certificate. OUT (owned, es_free). */
ES_API int es_cert_to_pem(es_ctx *ctx, const es_cert *cert, char **out_pem);
/* Verifies an SM2/SM3 signature (DER, raw r||s, or tolerated variants) over msg
 * with the certificate's key. Returns 1 valid, 0 invalid. */
ES_API int es_cert_verify(const es_cert *cert, const uint8_t *msg, size_t len,
                          const uint8_t *sig, size_t sig_len);

/* ---- trust anchors ---- */
ES_API int es_trust_new(es_ctx *ctx, es_trust **out);
/* Adds every certificate in a PEM/DER file, or in every *.pem, *.crt, *.cer,
 * *.der file of a directory. Self-signed ones become anchors; the rest are
 * used as intermediates when building chains. */
ES_API int es_trust_add_path(es_ctx *ctx, es_trust *trust, const char *path);
ES_API int es_trust_add_cert(es_ctx *ctx, es_trust *trust, const es_cert *cert);
/* Adds a certificate the relying party explicitly recognises as a trust
 * anchor even when it is not self-signed (a maker or an intermediate CA named
 * in a verified trust list, or a certificate given as an anchor): a chain
 * that reaches it ends there, without its issuers (OpenSSL's partial
 * chain). Only certificates added this way become such anchors; those of
 * es_trust_add_cert/add_path that are not self-signed stay intermediates,
 * because a certificate merely present in a store must not silently cut
 * its chain short: trusting a non-root is a deliberate choice. */
ES_API int es_trust_add_anchor_partial(es_ctx *ctx, es_trust *trust, const es_cert *cert);
/* Every certificate of a file or directory (as es_trust_add_path) added as
 * by es_trust_add_anchor_partial (`eseal verify --trust-anchor`). */
ES_API int es_trust_add_path_partial(es_ctx *ctx, es_trust *trust, const char *path);
/* Certificates added, of both kinds. */
ES_API size_t es_trust_count(const es_trust *trust);
ES_API void es_trust_free(es_trust *trust);

#ifdef __cplusplus
}
#endif
#endif
