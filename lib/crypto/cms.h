/*
 * lib/crypto/cms.h - RFC 5652 CMS SignedData through OpenSSL, for document
 * signatures whose algorithms are not SM2/SM3 (RSA and ECDSA PKCS#7/CAdES
 * in PDFs) and for writing standard detached CMS signatures. The signed
 * data is given as segments (a PDF's ByteRange) and hashed as one message.
 */
#ifndef ES_CRYPTO_CMS_H
#define ES_CRYPTO_CMS_H

#include "base/base.h"
#include "eseal/crypto.h"

struct es_cms_info {
    bool parsed;           /* a CMS SignedData OpenSSL can read */
    bool has_signer_cert;
    es_cert *signer;       /* owned (es_cert_free), NULL if absent */
    char digest[32];       /* digest algorithm short name */
    char sig_alg[48];      /* signature algorithm short name */
    bool has_attrs;
    bool digest_ok;        /* messageDigest equals the data's digest */
    bool sig_ok;           /* the signature over the signed attributes verifies */
    bool has_time;
    int64_t signing_time;
    char error[200];       /* why parsing or a check failed */
};

/* Checks a detached CMS SignedData over the concatenation of segments.
 * Never fails for a bad signature (the fields say); an error only when out
 * of memory. */
ES_RESULT es_cms_check_detached(const uint8_t *der, size_t len, const es_bytes *seg,
                                size_t n_seg, struct es_cms_info *out);
void es_cms_info_clear(struct es_cms_info *i);

/* Signs the concatenation of segments: a detached CMS SignedData with
 * signed attributes (contentType, signingTime, messageDigest), the signer's
 * certificate included, SHA-256 (SM3 for an SM2 key). key_path/cert_path
 * are PEM files. OUT (owned, es_free). */
ES_RESULT es_cms_sign_detached(const char *key_path, const char *cert_path, const char *pass,
                               const es_bytes *seg, size_t n_seg, uint8_t **out,
                               size_t *out_len);

#endif
