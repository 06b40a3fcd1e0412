/*
 * eseal/ts.h - trusted time: RFC 3161 time stamps signed with SM2/SM3 (the
 * GM/T 0033 profile), made and verified by libeseal itself.
 *
 * OpenSSL 3.0 cannot sign time stamps or CMS with SM2, so the TimeStampReq,
 * TimeStampResp, TSTInfo and the CMS SignedData around it are written and
 * read by libeseal's own DER code (docs/timestamps.md):
 *  - ContentInfo id-signedData (1.2.840.113549.1.7.2) holding a SignedData
 *    v3 whose eContentType is id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4);
 *  - digestAlgorithm SM3 (1.2.156.10197.1.401), signatureAlgorithm
 *    SM2-with-SM3 (1.2.156.10197.1.501), the SM2 user ID 1234567812345678;
 *    the verifier also accepts the bare SM2 OID 1.2.156.10197.1.301.1;
 *  - signed attributes contentType, messageDigest and signingCertificateV2
 *    (ESSCertIDv2 with SM3), sorted as DER requires;
 *  - serial numbers of 160 bits: 128 random bits drawn when the TSA object
 *    is made, then a 32-bit counter, so they never repeat;
 *  - a TSA key may also be ECDSA P-256 (SHA-256, ecdsa-with-SHA256): such
 *    tokens are for interoperability tests with `openssl ts -verify`.
 *
 * Thread-safety: an es_tsa may be used by several threads at once for
 * es_tsa_respond and es_tsa_stamp (the serial counter is locked); its
 * setters MUST be called before it is shared.
 */
#ifndef ESEAL_TS_H
#define ESEAL_TS_H

#include "eseal/common.h"
#include "eseal/crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The policy OID a TSA uses unless told otherwise (an eseal demo arc). */
#define ES_TS_DEFAULT_POLICY "1.2.156.10197.6.1.4.2.9.1"

/* ---- requests (the client side) ---- */

typedef struct es_ts_req_params {
    const uint8_t *digest; /* the message imprint: SM3 (32 bytes) of the data */
    size_t digest_len;
    const char *hash_oid;  /* NULL = SM3; "2.16.840.1.101.3.4.2.1" = SHA-256 */
    const char *policy;    /* reqPolicy OID or NULL */
    const uint8_t *nonce;  /* NULL = no nonce; else 1..32 bytes, an unsigned number */
    size_t nonce_len;
    int cert_req;          /* ask the TSA to include its certificate */
} es_ts_req_params;

/* Encodes a TimeStampReq (RFC 3161 §2.4.1). OUT (owned, es_free): the DER. */
ES_API int es_ts_request(es_ctx *ctx, const es_ts_req_params *params, uint8_t **out_der,
                         size_t *out_len);

/* Fills `out` with n random bytes (n <= 32) for a nonce; the first byte is
 * never zero so that the INTEGER keeps its length. */
ES_API int es_ts_nonce(es_ctx *ctx, uint8_t *out, size_t n);

/* Checks that `req` is a well-formed DER TimeStampReq (RFC 3161 §2.4.1).
 * ES_OK, or ES_ERR_FORMAT_* with a message naming what is wrong; lets a
 * server tell input that is not a request at all (HTTP 400) from a request
 * it answers with a rejection. */
ES_API int es_ts_request_check(es_ctx *ctx, const uint8_t *req, size_t req_len);

/* ---- the authority ---- */

typedef struct es_tsa es_tsa;

/* A TSA that signs with an SM2 key. The key is borrowed (it MUST outlive the
 * TSA); the certificate is copied. Refuses (ES_ERR_POLICY_KEY_MISMATCH) a key
 * that does not match the certificate and (ES_ERR_POLICY_CERT_NOT_VALID) a
 * certificate without a critical extendedKeyUsage of exactly timeStamping
 * (RFC 3161 §2.3). OUT (owned): es_tsa_free. */
ES_API int es_tsa_new(es_ctx *ctx, const es_key *key, const es_cert *cert, es_tsa **out);
/* A TSA from files: an SM2 key (PEM, DER, encrypted PKCS#8, PKCS#12) or an
 * ECDSA P-256 key (PEM; for interoperability tests), and its certificate.
 * Extra certificates in the certificate file (intermediates) are included in
 * tokens after the TSA certificate. OUT (owned): es_tsa_free. */
ES_API int es_tsa_load(es_ctx *ctx, const char *key_path, const char *pass,
                       const char *cert_path, es_tsa **out);
ES_API void es_tsa_free(es_tsa *tsa);
/* The policy OID written into every TSTInfo (default ES_TS_DEFAULT_POLICY).
 * A request naming another policy is rejected (unacceptedPolicy). */
ES_API int es_tsa_set_policy(es_ctx *ctx, es_tsa *tsa, const char *oid);
/* The accuracy stated in tokens (default 1 s; 0, 0 = none). */
ES_API void es_tsa_set_accuracy(es_tsa *tsa, int seconds, int millis);
/* A fixed genTime for tests and simulations (0 = the system clock). */
ES_API void es_tsa_set_time(es_tsa *tsa, int64_t t);
/* The TSA certificate (borrowed). */
ES_API const es_cert *es_tsa_cert(const es_tsa *tsa);

/* Answers a DER TimeStampReq with a DER TimeStampResp (RFC 3161 §2.4.2).
 * A request that cannot be granted (malformed, unknown hash algorithm, an
 * unaccepted policy) gives ES_OK and a response with status rejection and
 * the matching failInfo; errors are only for memory or signing failures.
 * The nonce is echoed. OUT (owned, es_free). */
ES_API int es_tsa_respond(es_ctx *ctx, es_tsa *tsa, const uint8_t *req, size_t req_len,
                          uint8_t **out_der, size_t *out_len);
/* Makes a TimeStampToken (a CMS ContentInfo) over an SM3 digest directly,
 * without a request (certificate included, no nonce). OUT (owned, es_free). */
ES_API int es_tsa_stamp(es_ctx *ctx, es_tsa *tsa, const uint8_t digest[32], uint8_t **out_der,
                        size_t *out_len);
/* The same as a time-stamp callback for es_sign_params.timestamp: `arg` is an
 * es_tsa*. Returns ES_OK or an error code. */
ES_API int es_tsa_stamp_cb(void *arg, const uint8_t digest[32], uint8_t **out_token,
                           size_t *out_len);

/* ---- an RFC 3161 client over HTTP (lib/ts/ts_http.c, libcurl) ---- */

/* Where and how to ask. Only the URL is required. */
typedef struct es_ts_http_opts {
    const char *url;           /* http:// or https:// URL of the TSA */
    long timeout_ms;           /* the whole exchange; 0 = 10 000 */
    long connect_timeout_ms;   /* 0 = 5 000 */
    size_t max_response;       /* bytes; 0 = 256 KiB; a longer answer is refused */
    const char *policy;        /* reqPolicy OID or NULL */
} es_ts_http_opts;

/* Asks the TSA at opts->url for a token over an SM3 digest (32 bytes): POSTs
 * a TimeStampReq (SM3 imprint, a fresh 8-byte nonce, certReq) as
 * application/timestamp-query (RFC 3161 §3.4) and checks the answer: HTTP
 * 200, Content-Type application/timestamp-reply, at most max_response bytes,
 * status granted, the nonce and the imprint echoed, and the token's
 * signature by the certificate it carries (trust in the TSA is the
 * verifier's business). Redirects are not followed, no proxy from the
 * environment is used for loopback. Returns ES_OK and the token
 * (OUT owned, es_free), or ES_ERR_IO_REMOTE with a message saying what the
 * TSA did (no answer, a time-out, an HTTP status, a rejection with its text,
 * a wrong nonce...). ES_ERR_CRYPTO_UNSUPPORTED when libeseal was built
 * without libcurl. Thread-safe. */
ES_API int es_ts_http_stamp(es_ctx *ctx, const es_ts_http_opts *opts, const uint8_t digest[32],
                            uint8_t **out_token, size_t *out_len);
/* The same as a time-stamp callback for es_sign_params.timestamp (and
 * es_ofd_sign_params.timestamp): `arg` is an es_ts_http_opts*. The error's
 * message stays readable through the caller's context. */
ES_API int es_ts_http_stamp_cb(void *arg, const uint8_t digest[32], uint8_t **out_token,
                               size_t *out_len);

/* ---- verification ---- */

/* What a verification found. ES_TS_VALID only when every check passed. */
typedef enum es_ts_status {
    ES_TS_VALID = 0,
    ES_TS_MALFORMED,          /* TIMESTAMP_MALFORMED: not a well-formed token */
    ES_TS_REJECTED,           /* TIMESTAMP_REJECTED: the response carries no grant */
    ES_TS_IMPRINT_MISMATCH,   /* TIMESTAMP_IMPRINT_MISMATCH: stamps other data */
    ES_TS_NONCE_MISMATCH,     /* TIMESTAMP_NONCE_MISMATCH: not the nonce asked for */
    ES_TS_SIGNATURE_INVALID,  /* TIMESTAMP_SIGNATURE_INVALID: messageDigest or signature */
    ES_TS_UNSUPPORTED,        /* TIMESTAMP_UNSUPPORTED_ALGORITHM */
    ES_TS_TSA_USAGE,          /* TIMESTAMP_TSA_USAGE: no critical EKU timeStamping */
    ES_TS_TSA_NOT_VALID,      /* TIMESTAMP_TSA_NOT_VALID: genTime outside the TSA cert */
    ES_TS_UNTRUSTED,          /* TIMESTAMP_UNTRUSTED: TSA cert unknown or no chain */
    ES_TS_NO_TRUST_ANCHOR,    /* TIMESTAMP_NO_TRUST_ANCHOR: no anchors were given */
    ES_TS_STATUS_LAST_        /* never use */
} es_ts_status;

typedef struct es_ts_verify_opts {
    const es_trust *trust;     /* anchors for the TSA chain; NULL = cannot judge trust */
    const es_cert *tsa_cert;   /* the TSA certificate when the token does not carry it */
    const uint8_t *nonce;      /* the nonce sent, to be echoed (NULL = not checked) */
    size_t nonce_len;
    int no_chain;              /* skip the chain: ES_TS_VALID then means "signed by
                                  the certificate in the token", not "trusted" */
} es_ts_verify_opts;

typedef struct es_ts_info {
    es_ts_status status;
    char reason[40];          /* "" or "TIMESTAMP_..." as above */
    char detail[300];         /* one sentence for people */
    int parsed;               /* 1 when the TSTInfo could be read: fields below are set */
    int64_t gen_time;         /* seconds since the epoch, UTC (fractions dropped) */
    int gen_time_fraction;    /* 1 if genTime had a fraction of a second */
    char serial_hex[44];      /* serialNumber, hex */
    char policy[64];          /* dotted OID */
    char hash_alg[64];        /* messageImprint algorithm, dotted OID */
    char sig_alg[64];         /* SignerInfo signatureAlgorithm, dotted OID */
    int64_t accuracy_ms;      /* -1 if absent */
    size_t nonce_len;         /* 0 if absent */
    uint8_t nonce[32];
    char tsa_subject[256];    /* subject of the TSA certificate, "" if not found */
} es_ts_info;

/* Reason text of a status ("TIMESTAMP_MALFORMED", ...; "" for ES_TS_VALID). */
ES_API const char *es_ts_status_name(es_ts_status s);

/* Verifies a TimeStampToken against the stamped data (data != NULL: its
 * digest is computed with the token's imprint algorithm) or against a digest
 * (digest != NULL). Checks, in order: structure; imprint; nonce; messageDigest
 * and the signature with the TSA certificate; its extendedKeyUsage
 * (timeStamping, critical) and keyUsage; genTime within its validity; its
 * chain to opts->trust at genTime. A token that fails is a result (ES_OK,
 * out->status), not an error. */
ES_API int es_ts_verify_token(es_ctx *ctx, const es_ts_verify_opts *opts, const uint8_t *token,
                              size_t token_len, const uint8_t *data, size_t data_len,
                              const uint8_t *digest, size_t digest_len, es_ts_info *out);
/* The same for a TimeStampResp: a response without status granted (0) or
 * grantedWithMods (1) gives ES_TS_REJECTED. */
ES_API int es_ts_verify_response(es_ctx *ctx, const es_ts_verify_opts *opts, const uint8_t *resp,
                                 size_t resp_len, const uint8_t *data, size_t data_len,
                                 const uint8_t *digest, size_t digest_len, es_ts_info *out);
/* The TimeStampToken inside a granted TimeStampResp (borrowed from resp). */
ES_API int es_ts_response_token(es_ctx *ctx, const uint8_t *resp, size_t resp_len,
                                es_bytes *out_token);

#ifdef __cplusplus
}
#endif
#endif
