/*
 * lib/ts/ts_int.h - RFC 3161 time stamps inside libeseal: the decoded
 * structures (every field a slice of the input, as in lib/seal), the DER
 * parsers, and the few OpenSSL-backed helpers of lib/crypto/ts_ossl.c that
 * an ECDSA TSA (interoperability tests only) needs.
 */
#ifndef ES_TS_INT_H
#define ES_TS_INT_H

#include "base/base.h"
#include "der/der.h"
#include "eseal/ts.h"

#define ES_OID_SIGNED_DATA "1.2.840.113549.1.7.2"
#define ES_OID_CT_TSTINFO "1.2.840.113549.1.9.16.1.4"
#define ES_OID_ATTR_CONTENT_TYPE "1.2.840.113549.1.9.3"
#define ES_OID_ATTR_MESSAGE_DIGEST "1.2.840.113549.1.9.4"
#define ES_OID_ATTR_SIGNING_CERT "1.2.840.113549.1.9.16.2.12"
#define ES_OID_ATTR_SIGNING_CERT_V2 "1.2.840.113549.1.9.16.2.47"
#define ES_OID_SHA256 "2.16.840.1.101.3.4.2.1"
#define ES_OID_SHA1 "1.3.14.3.2.26"
#define ES_OID_ECDSA_SHA256 "1.2.840.10045.4.3.2"
#define ES_OID_SM2_SIGN "1.2.156.10197.1.301.1"
#define ES_OID_KP_TIME_STAMPING "1.3.6.1.5.5.7.3.8"
#define ES_OID_EXT_EKU "2.5.29.37"

#define ES_TS_MAX_CERTS 8
#define ES_TS_MAX_BYTES ((size_t)1024 * 1024)

/* TimeStampReq (RFC 3161 §2.4.1). */
struct es_ts_req {
    es_bytes imprint_tlv; /* MessageImprint, echoed verbatim in the TSTInfo */
    char hash_oid[64];
    es_bytes digest;
    bool has_policy;
    char policy[64];
    es_bytes nonce; /* magnitude, no leading zero octets; len 0 = absent */
    bool has_nonce;
    bool cert_req;
    bool has_extensions;
};
ES_RESULT es_ts_req_parse(const uint8_t *p, size_t len, struct es_ts_req *out);

/* TSTInfo (RFC 3161 §2.4.2). */
struct es_tst {
    char policy[64];
    char hash_oid[64];
    es_bytes digest;
    es_bytes serial; /* magnitude */
    int64_t gen_time;
    bool gen_frac;
    int64_t accuracy_ms; /* -1 if absent */
    bool has_nonce;
    es_bytes nonce; /* magnitude */
};
ES_RESULT es_tst_parse(const uint8_t *p, size_t len, struct es_tst *out);

/* TimeStampToken = ContentInfo { id-signedData, SignedData } (RFC 5652). */
struct es_ts_token {
    es_bytes econtent; /* the TSTInfo DER (eContent OCTET STRING value) */
    size_t n_certs;
    es_bytes certs[ES_TS_MAX_CERTS];
    bool sid_skid;          /* sid is [0] SubjectKeyIdentifier */
    es_bytes sid_issuer;    /* Name TLV */
    es_bytes sid_serial;    /* INTEGER TLV */
    es_bytes sid_key_id;
    char digest_oid[64];    /* SignerInfo digestAlgorithm */
    es_bytes signed_attrs;  /* the [0] IMPLICIT SET TLV, as in the input */
    char sig_oid[64];
    es_bytes signature;
    char content_type[64];  /* the contentType attribute */
    bool has_message_digest;
    es_bytes message_digest;
    bool has_signing_cert;  /* signingCertificate (SHA-1) or V2 */
    char signing_cert_hash_oid[64];
    es_bytes signing_cert_hash;
    struct es_tst tst;
};
ES_RESULT es_ts_token_parse(const uint8_t *p, size_t len, struct es_ts_token *out);

/* TimeStampResp (RFC 3161 §2.4.2). */
struct es_ts_resp {
    int64_t status;
    char status_text[160];
    bool has_fail_info;
    uint32_t fail_info; /* bit n of the PKIFailureInfo named bits */
    bool has_token;
    es_bytes token;
};
ES_RESULT es_ts_resp_parse(const uint8_t *p, size_t len, struct es_ts_resp *out);

/* What the TSA side needs from a certificate, read with the DER reader. */
struct es_ts_certinfo {
    es_bytes serial_tlv;
    es_bytes issuer_tlv;
    es_bytes subject_tlv;
    bool eku_present;
    bool eku_critical;
    size_t eku_count;
    bool eku_time_stamping;
};
ES_RESULT es_ts_cert_info(const uint8_t *der, size_t len, struct es_ts_certinfo *out);

/* The check of es_ts_verify_token, for lib/verify. */
ES_RESULT es_ts_verify_int(const es_ts_verify_opts *o, const uint8_t *tok, size_t tok_len,
                           const uint8_t *data, size_t data_len, const uint8_t *digest,
                           size_t digest_len, es_ts_info *out);
/* Hash by OID (SM3, SHA-256, SHA-1); out holds 64 bytes. */
ES_RESULT es_ts_hash(const char *oid, const uint8_t *p, size_t n, uint8_t *out, size_t *out_len);

/* ---- lib/crypto/ts_ossl.c: ECDSA P-256 TSA keys (interop tests) ---- */
/* Loads a PEM EC private key that is not SM2. OUT (owned): es_ts_ossl_key_free. */
ES_RESULT es_ts_ossl_key_load(const char *path, const char *pass, void **out);
void es_ts_ossl_key_free(void *key);
bool es_ts_ossl_key_matches(void *key, const es_cert *cert);
/* ECDSA with SHA-256 over msg; DER signature into sig (capacity 80). */
ES_RESULT es_ts_ossl_sign(void *key, const uint8_t *msg, size_t len, uint8_t *sig,
                          size_t *out_len);
/* Verifies an ECDSA/SHA-256 signature with the certificate's (non-SM2) key. */
ES_RESULT es_ts_ossl_verify(const es_cert *cert, const uint8_t *msg, size_t len,
                            const uint8_t *sig, size_t sig_len, bool *out_ok);

#endif
