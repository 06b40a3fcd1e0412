/*
 * eseal/sdoc.h - signed JSON documents: the envelope eseald uses for
 * registration certificates, status answers, audit heads, log entries,
 * signed tree heads and trust lists (docs/api.md "Signed documents").
 *
 *   {"alg": "SM2-with-SM3",
 *    "tbs": "<base64 of the exact signed bytes: a JSON object>",
 *    "signature": "<base64 DER SM2 signature>",
 *    "signer": "<signer certificate serial, hex>",
 *    "signer_subject": "C=CN, O=...",
 *    "signer_cert": "<base64 DER of the signer certificate>"   (optional)
 *    "content": { the tbs, parsed }}
 *
 * The signature is SM2/SM3 with the default user ID over the decoded tbs
 * bytes. Only `tbs` is signed: `content`, `signer`, `signer_subject` and
 * `signer_cert` are conveniences. The verifier therefore reads the content
 * from the tbs bytes, and refuses an envelope whose `content` differs from
 * them (a reader that trusted `content` would be misled). `signer_cert` is
 * never trusted by itself: it only saves looking the certificate up, and
 * the caller decides whether that certificate is trusted.
 *
 * Limits: an envelope above ES_SDOC_MAX_LEN bytes, JSON nested deeper than
 * jansson's limit, duplicate keys and a tbs that is not a JSON object are
 * refused (ES_ERR_LIMIT_SIZE / ES_ERR_FORMAT_STRUCTURE, with a message naming
 * the field).
 */
#ifndef ESEAL_SDOC_H
#define ESEAL_SDOC_H

#include "eseal/common.h"
#include "eseal/crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ES_SDOC_MAX_LEN ((size_t)16 * 1024 * 1024)

typedef struct es_sdoc es_sdoc;

/* Parses an envelope and, when `signer` is not NULL, verifies its signature
 * with that certificate's key. With `signer` NULL only the form is checked
 * and es_sdoc_signature_checked() stays 0: the caller MUST check the
 * signature later (es_sdoc_check_signature) before believing the content.
 * Returns ES_OK; ES_ERR_FORMAT_STRUCTURE for a malformed envelope (not JSON,
 * a field missing or of the wrong type, bad base64, alg not SM2-with-SM3,
 * tbs not a JSON object, content differing from tbs); ES_ERR_LIMIT_SIZE;
 * ES_ERR_CRYPTO_SIGNATURE when the signature does not verify with `signer`
 * (then *out is NULL). OUT (owned): es_sdoc_free. */
ES_API int es_sdoc_verify(es_ctx *ctx, const uint8_t *doc, size_t len, const es_cert *signer,
                          es_sdoc **out);
/* Verifies the signature of a parsed envelope with `signer`: ES_OK (and the
 * document is marked checked) or ES_ERR_CRYPTO_SIGNATURE. */
ES_API int es_sdoc_check_signature(es_ctx *ctx, es_sdoc *doc, const es_cert *signer);
/* 1 once a signature check passed. */
ES_API int es_sdoc_signature_checked(const es_sdoc *doc);
ES_API void es_sdoc_free(es_sdoc *doc);

/* The exact signed bytes (borrowed; compact JSON text, not NUL-terminated). */
ES_API es_bytes es_sdoc_tbs(const es_sdoc *doc);
/* content.type, or "" when absent (borrowed). */
ES_API const char *es_sdoc_type(const es_sdoc *doc);
/* A top-level string member of the signed content, or NULL (borrowed). */
ES_API const char *es_sdoc_get_str(const es_sdoc *doc, const char *key);
/* A top-level integer member of the signed content: ES_OK, or
 * ES_ERR_FORMAT_STRUCTURE when absent or not an integer. */
ES_API int es_sdoc_get_int(const es_sdoc *doc, const char *key, int64_t *out);
/* The envelope's claimed signer serial (hex) and subject; "" if absent. */
ES_API const char *es_sdoc_signer_serial(const es_sdoc *doc);
ES_API const char *es_sdoc_signer_subject(const es_sdoc *doc);
/* The certificate carried in `signer_cert`, if any (NOT trusted by being
 * there). OUT (owned): es_cert_free; *out NULL when absent. ES_ERR_FORMAT_*
 * when present but unreadable. */
ES_API int es_sdoc_signer_cert(es_ctx *ctx, const es_sdoc *doc, es_cert **out);

/* Signs `tbs` (a JSON object, signed byte for byte as given: callers that
 * want canonical bytes pass compact, key-sorted JSON) with key/cert and
 * writes the envelope, with signer_cert, as compact JSON text.
 * ES_ERR_FORMAT_STRUCTURE when tbs is not a JSON object;
 * ES_ERR_POLICY_KEY_MISMATCH when the key is not the certificate's.
 * OUT (owned, es_free): NUL-terminated text, *out_len without the NUL. */
ES_API int es_sdoc_sign(es_ctx *ctx, const es_key *key, const es_cert *cert, const char *tbs,
                        size_t len, char **out, size_t *out_len);

/* Base64 (RFC 4648, standard alphabet, padded), as the envelopes use it.
 * Encode: OUT (owned, es_free) NUL-terminated text. Decode: whitespace
 * ignored; ES_ERR_FORMAT_STRUCTURE on bad input; OUT (owned, es_free). */
ES_API int es_base64_encode(const uint8_t *p, size_t n, char **out);
ES_API int es_base64_decode(const char *s, uint8_t **out, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
