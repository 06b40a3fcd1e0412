/*
 * eseal/sign.h - seal signatures (SES_Signature): decode any version, make v4.
 */
#ifndef ESEAL_SIGN_H
#define ESEAL_SIGN_H

#include "eseal/common.h"
#include "eseal/crypto.h"
#include "eseal/seal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct es_signature es_signature;

/* Decodes an SES_Signature (v1, v4, v5). The bytes are copied.
 * OUT (owned): es_signature_free. */
ES_API int es_signature_decode(es_ctx *ctx, const uint8_t *der, size_t len,
                               es_signature **out);
ES_API void es_signature_free(es_signature *sig);
ES_API int es_signature_version(const es_signature *sig);
/* The embedded seal (borrowed; lives as long as sig). */
ES_API const es_seal *es_signature_seal(const es_signature *sig);
/* Signing time claimed by the signer (timeInfo); 0 and *known = 0 if it
 * could not be read (a v1 time-stamp token, an unparseable text). */
ES_API int64_t es_signature_time(const es_signature *sig, int *out_known);
ES_API es_bytes es_signature_data_hash(const es_signature *sig);
ES_API const char *es_signature_property_info(const es_signature *sig);
ES_API es_bytes es_signature_signer_cert(const es_signature *sig);
ES_API es_bytes es_signature_der(const es_signature *sig);
ES_API size_t es_signature_warning_count(const es_signature *sig);
ES_API const char *es_signature_warning(const es_signature *sig, size_t i, const char **out_code);

/* Parameters of a v4 signature. */
typedef struct es_sign_params {
    const uint8_t *seal; /* the seal, embedded verbatim */
    size_t seal_len;
    const es_key *key;   /* the signer's key ... */
    const es_cert *cert; /* ... and certificate, which must be listed in the seal */
    const uint8_t *data_hash; /* SM3 of the protected data (32 bytes) */
    const char *property_info; /* IA5: what was signed (file name, package path) */
    int64_t time;        /* 0 = now */
    int allow_expired;   /* 0: refuse a seal or certificate not valid at `time` */
    /* Optional (GB/T 38540 7.1.6): a time-stamp token over the signature value,
     * written as SES_Signature.timeStamp [0]. Called with SM3 of the signature
     * value (the BIT STRING content); returns ES_OK and a DER TimeStampToken
     * allocated with the library's allocator (es_sign frees it with es_free),
     * or an error code. es_tsa_stamp_cb with an es_tsa* as `timestamp_arg`
     * stamps locally (eseal/ts.h); an RFC 3161 HTTP client fits the same slot.
     * The token is checked (structure, imprint, signature) before use. */
    int (*timestamp)(void *arg, const uint8_t digest[32], uint8_t **out_token,
                     size_t *out_len);
    void *timestamp_arg;
    /* 0: a failing time-stamp callback makes es_sign fail; 1: sign without */
    int timestamp_optional;
    /* Optional: an eseald status answer for the seal (the signed envelope of
     * docs/api.md, content type eseal-status/1, as bytes), written into
     * TBS_Sign.extDatas under ES_OID_STATUS_ANSWER (critical FALSE), so that
     * the signature itself proves the seal was in force when it was used
     * (docs/formats.md). es_sign refuses (ES_ERR_FORMAT_STRUCTURE) an answer
     * that is not such an envelope or names another seal, and
     * (ES_ERR_POLICY_VALIDITY, unless allow_expired) one whose window
     * this_update..next_update does not contain the signing time. Its
     * signature is checked by the verifier, not here. */
    const uint8_t *status_answer;
    size_t status_answer_len;
} es_sign_params;

/* The ExtData extnID of an embedded status answer. Arc 1.3.6.1.4.1.32473 is
 * IANA's enterprise number for documentation (RFC 5612): a placeholder
 * until the project has an arc of its own (docs/formats.md). */
#define ES_OID_STATUS_ANSWER "1.3.6.1.4.1.32473.7.1"

/* Makes a GB/T 38540 v4 SES_Signature. Refuses (ES_ERR_POLICY_*) a key that
 * does not match the certificate, a certificate not listed in the seal, and
 * a seal or certificate not valid at the signing time.
 * OUT (owned, es_free): the DER. */
ES_API int es_sign(es_ctx *ctx, const es_sign_params *params, uint8_t **out_der,
                   size_t *out_len);

/* Convenience: a detached signature over a file's bytes (dataHash = SM3 of
 * the data, propertyInfo = the given name). */
ES_API int es_sign_data(es_ctx *ctx, const uint8_t *seal, size_t seal_len, const es_key *key,
                        const es_cert *cert, const uint8_t *data, size_t data_len,
                        const char *name, uint8_t **out_der, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
