/*
 * lib/ts/ts_parse.c - decoding RFC 3161 TimeStampReq, TimeStampResp and
 * TimeStampToken (a CMS SignedData around a TSTInfo, RFC 5652) with the
 * bounded DER reader. Syntax only: lib/ts/ts_verify.c judges the content.
 * Every result borrows from the input.
 */
#include <stdio.h>

#include "ts/ts_int.h"

#define BAD(...) ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE, __VA_ARGS__)

/* AlgorithmIdentifier: the OID; parameters are skipped (NULL or absent). */
static es_result alg_id(struct es_der_cur *c, char *oid, size_t n)
{
    struct es_der_cur a;
    struct es_der_elem e;
    ES_GUARD(es_der_enter(c, ES_DER_SEQUENCE, &a, NULL));
    ES_GUARD(es_der_expect(&a, ES_DER_OID, &e));
    ES_GUARD(es_der_get_oid(&e, oid, n));
    if (!es_der_at_end(&a)) {
        ES_GUARD(es_der_next(&a, &e));
    }
    return es_der_leave(&a);
}

/* An INTEGER as a non-negative magnitude without leading zero octets. */
static es_result uint_mag(const struct es_der_elem *e, es_bytes *out)
{
    ES_ENSURE_MSG(e->val_len > 0, ES_ERR_FORMAT_INTEGER, "empty INTEGER");
    ES_ENSURE_MSG((e->val[0] & 0x80) == 0, ES_ERR_FORMAT_INTEGER, "negative INTEGER");
    size_t i = 0;
    while (i + 1 < e->val_len && e->val[i] == 0) {
        i++;
    }
    out->ptr = e->val + i;
    out->len = e->val_len - i;
    return ES_RESULT_OK;
}

static es_result small_int(struct es_der_cur *c, int64_t *v)
{
    struct es_der_elem e;
    ES_GUARD(es_der_expect(c, ES_DER_INTEGER, &e));
    return es_der_get_int(&e, v, NULL);
}

/* MessageImprint ::= SEQUENCE { hashAlgorithm, hashedMessage OCTET STRING } */
static es_result imprint(struct es_der_cur *c, char *oid, size_t n, es_bytes *digest)
{
    struct es_der_cur m;
    struct es_der_elem e;
    ES_GUARD(es_der_enter(c, ES_DER_SEQUENCE, &m, NULL));
    ES_GUARD(alg_id(&m, oid, n));
    ES_GUARD(es_der_expect(&m, ES_DER_OCTET_STRING, &e));
    ES_ENSURE_MSG(e.val_len >= 16 && e.val_len <= 64, ES_ERR_FORMAT_LENGTH,
                  "a message imprint of %zu bytes", e.val_len);
    digest->ptr = e.val;
    digest->len = e.val_len;
    return es_der_leave(&m);
}

es_result es_ts_req_parse(const uint8_t *p, size_t len, struct es_ts_req *out)
{
    struct es_der_cur top, c;
    struct es_der_elem e;
    memset(out, 0, sizeof(*out));
    es_der_init(&top, p, len, NULL);
    ES_GUARD(es_der_enter(&top, ES_DER_SEQUENCE, &c, NULL));
    ES_ENSURE_MSG(es_der_at_end(&top), ES_ERR_FORMAT_TRAILING, "bytes after the TimeStampReq");
    int64_t v;
    ES_GUARD(small_int(&c, &v));
    ES_ENSURE_MSG(v == 1, ES_ERR_FORMAT_VERSION, "TimeStampReq version %lld", (long long)v);
    ES_GUARD(es_der_peek(&c, &e));
    out->imprint_tlv.ptr = e.tlv;
    out->imprint_tlv.len = e.tlv_len;
    ES_GUARD(imprint(&c, out->hash_oid, sizeof(out->hash_oid), &out->digest));
    while (!es_der_at_end(&c)) {
        ES_GUARD(es_der_next(&c, &e));
        if (e.id == ES_DER_OID && !out->has_policy && !out->has_nonce) {
            ES_GUARD(es_der_get_oid(&e, out->policy, sizeof(out->policy)));
            out->has_policy = true;
        } else if (e.id == ES_DER_INTEGER && !out->has_nonce) {
            ES_GUARD(uint_mag(&e, &out->nonce));
            ES_ENSURE_MSG(out->nonce.len <= 32, ES_ERR_FORMAT_LENGTH, "a nonce of %zu bytes",
                          out->nonce.len);
            out->has_nonce = true;
        } else if (e.id == ES_DER_BOOLEAN) {
            ES_GUARD(es_der_get_bool(&e, &out->cert_req, NULL));
        } else if (e.id == ES_DER_CTX0_CONS) {
            out->has_extensions = true;
        } else {
            BAD("unexpected element 0x%02x in TimeStampReq", e.id);
        }
    }
    return ES_RESULT_OK;
}

es_result es_tst_parse(const uint8_t *p, size_t len, struct es_tst *out)
{
    struct es_der_cur top, c;
    struct es_der_elem e;
    memset(out, 0, sizeof(*out));
    out->accuracy_ms = -1;
    es_der_init(&top, p, len, NULL);
    ES_GUARD(es_der_enter(&top, ES_DER_SEQUENCE, &c, NULL));
    ES_ENSURE_MSG(es_der_at_end(&top), ES_ERR_FORMAT_TRAILING, "bytes after the TSTInfo");
    int64_t v;
    ES_GUARD(small_int(&c, &v));
    ES_ENSURE_MSG(v == 1, ES_ERR_FORMAT_VERSION, "TSTInfo version %lld", (long long)v);
    ES_GUARD(es_der_expect(&c, ES_DER_OID, &e));
    ES_GUARD(es_der_get_oid(&e, out->policy, sizeof(out->policy)));
    ES_GUARD(imprint(&c, out->hash_oid, sizeof(out->hash_oid), &out->digest));
    ES_GUARD(es_der_expect(&c, ES_DER_INTEGER, &e));
    ES_GUARD(uint_mag(&e, &out->serial));
    ES_ENSURE_MSG(out->serial.len <= 20, ES_ERR_FORMAT_LENGTH,
                  "a serial number of %zu bytes (RFC 3161 allows 160 bits)", out->serial.len);
    ES_GUARD(es_der_expect(&c, ES_DER_GENERALIZED_TIME, &e));
    unsigned q = 0;
    ES_GUARD(es_der_get_time(&e, 0, &out->gen_time, &q));
    /* RFC 3161 §2.4.2: genTime is UTC ("Z") */
    ES_ENSURE_MSG(!(q & (ES_DQ_TIME_NO_Z | ES_DQ_TIME_12_DIGITS)), ES_ERR_FORMAT_TIME,
                  "genTime is not a UTC GeneralizedTime");
    out->gen_frac = (q & ES_DQ_TIME_FRACTION) != 0;
    bool ordering_seen = false;
    while (!es_der_at_end(&c)) {
        ES_GUARD(es_der_next(&c, &e));
        if (e.id == ES_DER_SEQUENCE && out->accuracy_ms < 0 && !ordering_seen &&
            !out->has_nonce) {
            /* Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL,
             *   millis [0] INTEGER (1..999) OPTIONAL, micros [1] ... OPTIONAL } */
            struct es_der_cur a;
            struct es_der_elem x;
            int64_t s = 0, ms = 0, val;
            ES_GUARD(es_der_open(&c, &e, &a));
            while (!es_der_at_end(&a)) {
                ES_GUARD(es_der_next(&a, &x));
                struct es_der_elem y = x;
                y.id = ES_DER_INTEGER;
                ES_GUARD(es_der_get_int(&y, &val, NULL));
                ES_ENSURE_MSG(val >= 0 && val <= 100000000, ES_ERR_FORMAT_INTEGER,
                              "accuracy out of range");
                if (x.id == ES_DER_INTEGER) {
                    s = val;
                } else if (x.id == ES_DER_CTX0_PRIM) {
                    ms = val;
                } else if (x.id != 0x81) {
                    BAD("unexpected element 0x%02x in Accuracy", x.id);
                }
            }
            out->accuracy_ms = s * 1000 + ms;
        } else if (e.id == ES_DER_BOOLEAN && !ordering_seen && !out->has_nonce) {
            bool b;
            ES_GUARD(es_der_get_bool(&e, &b, NULL));
            ordering_seen = true;
        } else if (e.id == ES_DER_INTEGER && !out->has_nonce) {
            ES_GUARD(uint_mag(&e, &out->nonce));
            ES_ENSURE_MSG(out->nonce.len <= 32, ES_ERR_FORMAT_LENGTH, "a nonce of %zu bytes",
                          out->nonce.len);
            out->has_nonce = true;
        } else if (e.id == ES_DER_CTX0_CONS || e.id == 0xa1) {
            /* tsa [0] GeneralName, extensions [1]: informational */
        } else {
            BAD("unexpected element 0x%02x in TSTInfo", e.id);
        }
    }
    return ES_RESULT_OK;
}

/* Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY } */
static es_result signed_attrs(struct es_ts_token *t, const struct es_der_cur *parent,
                              const struct es_der_elem *set)
{
    struct es_der_cur s;
    ES_GUARD(es_der_open(parent, set, &s));
    while (!es_der_at_end(&s)) {
        struct es_der_cur a, vals;
        struct es_der_elem e;
        char oid[64];
        ES_GUARD(es_der_enter(&s, ES_DER_SEQUENCE, &a, NULL));
        ES_GUARD(es_der_expect(&a, ES_DER_OID, &e));
        ES_GUARD(es_der_get_oid(&e, oid, sizeof(oid)));
        ES_GUARD(es_der_enter(&a, ES_DER_SET, &vals, NULL));
        ES_GUARD(es_der_leave(&a));
        if (strcmp(oid, ES_OID_ATTR_CONTENT_TYPE) == 0) {
            ES_ENSURE_MSG(!t->content_type[0], ES_ERR_FORMAT_STRUCTURE,
                          "two contentType attributes");
            ES_GUARD(es_der_expect(&vals, ES_DER_OID, &e));
            ES_GUARD(es_der_get_oid(&e, t->content_type, sizeof(t->content_type)));
            ES_GUARD(es_der_leave(&vals));
        } else if (strcmp(oid, ES_OID_ATTR_MESSAGE_DIGEST) == 0) {
            ES_ENSURE_MSG(!t->has_message_digest, ES_ERR_FORMAT_STRUCTURE,
                          "two messageDigest attributes");
            ES_GUARD(es_der_expect(&vals, ES_DER_OCTET_STRING, &e));
            t->message_digest.ptr = e.val;
            t->message_digest.len = e.val_len;
            t->has_message_digest = true;
            ES_GUARD(es_der_leave(&vals));
        } else if (strcmp(oid, ES_OID_ATTR_SIGNING_CERT_V2) == 0 ||
                   strcmp(oid, ES_OID_ATTR_SIGNING_CERT) == 0) {
            bool v2 = strcmp(oid, ES_OID_ATTR_SIGNING_CERT_V2) == 0;
            /* SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), ... }
             * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET
             * STRING, issuerSerial OPTIONAL }; only the first (the signer's) is read. */
            struct es_der_cur sc, ids, id;
            ES_GUARD(es_der_enter(&vals, ES_DER_SEQUENCE, &sc, NULL));
            ES_GUARD(es_der_enter(&sc, ES_DER_SEQUENCE, &ids, NULL));
            ES_GUARD(es_der_enter(&ids, ES_DER_SEQUENCE, &id, NULL));
            snprintf(t->signing_cert_hash_oid, sizeof(t->signing_cert_hash_oid), "%s",
                     v2 ? ES_OID_SHA256 : ES_OID_SHA1);
            ES_GUARD(es_der_peek(&id, &e));
            if (v2 && e.id == ES_DER_SEQUENCE) {
                ES_GUARD(alg_id(&id, t->signing_cert_hash_oid,
                                sizeof(t->signing_cert_hash_oid)));
            }
            ES_GUARD(es_der_expect(&id, ES_DER_OCTET_STRING, &e));
            t->signing_cert_hash.ptr = e.val;
            t->signing_cert_hash.len = e.val_len;
            t->has_signing_cert = true;
        }
        /* other attributes (signingTime, ...) are allowed and not interpreted */
    }
    return ES_RESULT_OK;
}

static es_result signer_info(struct es_ts_token *t, struct es_der_cur *infos)
{
    struct es_der_cur si, sid;
    struct es_der_elem e;
    ES_GUARD(es_der_enter(infos, ES_DER_SEQUENCE, &si, NULL));
    ES_ENSURE_MSG(es_der_at_end(infos), ES_ERR_FORMAT_STRUCTURE,
                  "a time-stamp token has exactly one SignerInfo (RFC 3161 §2.4.2)");
    int64_t v;
    ES_GUARD(small_int(&si, &v));
    ES_ENSURE_MSG(v == 1 || v == 3, ES_ERR_FORMAT_VERSION, "SignerInfo version %lld",
                  (long long)v);
    ES_GUARD(es_der_next(&si, &e));
    if (e.id == ES_DER_SEQUENCE) {
        ES_GUARD(es_der_open(&si, &e, &sid));
        ES_GUARD(es_der_expect(&sid, ES_DER_SEQUENCE, &e));
        t->sid_issuer.ptr = e.tlv;
        t->sid_issuer.len = e.tlv_len;
        ES_GUARD(es_der_expect(&sid, ES_DER_INTEGER, &e));
        t->sid_serial.ptr = e.tlv;
        t->sid_serial.len = e.tlv_len;
        ES_GUARD(es_der_leave(&sid));
    } else if (e.id == ES_DER_CTX0_PRIM) {
        t->sid_skid = true;
        t->sid_key_id.ptr = e.val;
        t->sid_key_id.len = e.val_len;
    } else {
        BAD("SignerInfo.sid has tag 0x%02x", e.id);
    }
    ES_GUARD(alg_id(&si, t->digest_oid, sizeof(t->digest_oid)));
    ES_GUARD(es_der_expect(&si, ES_DER_CTX0_CONS, &e));
    t->signed_attrs.ptr = e.tlv;
    t->signed_attrs.len = e.tlv_len;
    ES_GUARD(signed_attrs(t, &si, &e));
    ES_GUARD(alg_id(&si, t->sig_oid, sizeof(t->sig_oid)));
    ES_GUARD(es_der_expect(&si, ES_DER_OCTET_STRING, &e));
    t->signature.ptr = e.val;
    t->signature.len = e.val_len;
    if (!es_der_at_end(&si)) {
        ES_GUARD(es_der_expect(&si, 0xa1, &e)); /* unsignedAttrs */
    }
    return es_der_leave(&si);
}

es_result es_ts_token_parse(const uint8_t *p, size_t len, struct es_ts_token *t)
{
    struct es_der_cur top, ci, x, sd, set, enc, ex;
    struct es_der_elem e;
    char oid[64];
    memset(t, 0, sizeof(*t));
    ES_ENSURE_MSG(len <= ES_TS_MAX_BYTES, ES_ERR_LIMIT_SIZE, "a token of %zu bytes", len);
    es_der_init(&top, p, len, NULL);
    /* ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content } */
    ES_GUARD(es_der_enter(&top, ES_DER_SEQUENCE, &ci, NULL));
    ES_ENSURE_MSG(es_der_at_end(&top), ES_ERR_FORMAT_TRAILING, "bytes after the token");
    ES_GUARD(es_der_expect(&ci, ES_DER_OID, &e));
    ES_GUARD(es_der_get_oid(&e, oid, sizeof(oid)));
    ES_ENSURE_MSG(strcmp(oid, ES_OID_SIGNED_DATA) == 0, ES_ERR_FORMAT_OID,
                  "contentType %s, not id-signedData", oid);
    ES_GUARD(es_der_enter(&ci, ES_DER_CTX0_CONS, &x, NULL));
    ES_GUARD(es_der_leave(&ci));
    ES_GUARD(es_der_enter(&x, ES_DER_SEQUENCE, &sd, NULL));
    ES_GUARD(es_der_leave(&x));
    int64_t v;
    ES_GUARD(small_int(&sd, &v));
    ES_ENSURE_MSG(v >= 1 && v <= 5, ES_ERR_FORMAT_VERSION, "SignedData version %lld",
                  (long long)v);
    /* digestAlgorithms SET OF AlgorithmIdentifier */
    ES_GUARD(es_der_enter(&sd, ES_DER_SET, &set, NULL));
    char dalgs[4][64];
    size_t n_dalgs = 0;
    while (!es_der_at_end(&set)) {
        ES_ENSURE_MSG(n_dalgs < 4, ES_ERR_LIMIT_COUNT, "too many digestAlgorithms");
        ES_GUARD(alg_id(&set, dalgs[n_dalgs], sizeof(dalgs[0])));
        n_dalgs++;
    }
    /* encapContentInfo ::= SEQUENCE { eContentType, [0] EXPLICIT OCTET STRING } */
    ES_GUARD(es_der_enter(&sd, ES_DER_SEQUENCE, &enc, NULL));
    ES_GUARD(es_der_expect(&enc, ES_DER_OID, &e));
    ES_GUARD(es_der_get_oid(&e, oid, sizeof(oid)));
    ES_ENSURE_MSG(strcmp(oid, ES_OID_CT_TSTINFO) == 0, ES_ERR_FORMAT_OID,
                  "eContentType %s, not id-ct-TSTInfo", oid);
    ES_GUARD(es_der_enter(&enc, ES_DER_CTX0_CONS, &ex, NULL));
    ES_GUARD(es_der_leave(&enc));
    ES_GUARD(es_der_expect(&ex, ES_DER_OCTET_STRING, &e));
    ES_GUARD(es_der_leave(&ex));
    t->econtent.ptr = e.val;
    t->econtent.len = e.val_len;
    ES_GUARD(es_der_next(&sd, &e));
    if (e.id == ES_DER_CTX0_CONS) {
        /* certificates [0] IMPLICIT CertificateSet */
        struct es_der_cur cs;
        ES_GUARD(es_der_open(&sd, &e, &cs));
        while (!es_der_at_end(&cs)) {
            ES_GUARD(es_der_next(&cs, &e));
            if (e.id == ES_DER_SEQUENCE && t->n_certs < ES_TS_MAX_CERTS) {
                t->certs[t->n_certs].ptr = e.tlv;
                t->certs[t->n_certs].len = e.tlv_len;
                t->n_certs++;
            }
        }
        ES_GUARD(es_der_next(&sd, &e));
    }
    if (e.id == 0xa1) { /* crls [1] IMPLICIT */
        ES_GUARD(es_der_next(&sd, &e));
    }
    ES_ENSURE_MSG(e.id == ES_DER_SET, ES_ERR_FORMAT_TAG, "signerInfos has tag 0x%02x", e.id);
    struct es_der_cur infos;
    ES_GUARD(es_der_open(&sd, &e, &infos));
    ES_GUARD(es_der_leave(&sd));
    ES_GUARD(signer_info(t, &infos));
    bool listed = false;
    for (size_t i = 0; i < n_dalgs; i++) {
        listed = listed || strcmp(dalgs[i], t->digest_oid) == 0;
    }
    ES_ENSURE_MSG(listed, ES_ERR_FORMAT_STRUCTURE,
                  "the signer's digest algorithm %s is not among digestAlgorithms",
                  t->digest_oid);
    es_result r = es_tst_parse(t->econtent.ptr, t->econtent.len, &t->tst);
    if (es_is_err(r)) {
        es_error_prefix("in TSTInfo: ");
    }
    return r;
}

es_result es_ts_resp_parse(const uint8_t *p, size_t len, struct es_ts_resp *out)
{
    struct es_der_cur top, c, si;
    struct es_der_elem e;
    memset(out, 0, sizeof(*out));
    es_der_init(&top, p, len, NULL);
    ES_GUARD(es_der_enter(&top, ES_DER_SEQUENCE, &c, NULL));
    ES_ENSURE_MSG(es_der_at_end(&top), ES_ERR_FORMAT_TRAILING, "bytes after the TimeStampResp");
    /* PKIStatusInfo ::= SEQUENCE { status, statusString OPTIONAL, failInfo OPTIONAL } */
    ES_GUARD(es_der_enter(&c, ES_DER_SEQUENCE, &si, NULL));
    ES_GUARD(small_int(&si, &out->status));
    while (!es_der_at_end(&si)) {
        ES_GUARD(es_der_next(&si, &e));
        if (e.id == ES_DER_SEQUENCE) {
            struct es_der_cur ft;
            ES_GUARD(es_der_open(&si, &e, &ft));
            while (!es_der_at_end(&ft)) {
                ES_GUARD(es_der_expect(&ft, ES_DER_UTF8_STRING, &e));
                size_t have = strlen(out->status_text);
                if (have + 3 < sizeof(out->status_text)) {
                    snprintf(out->status_text + have, sizeof(out->status_text) - have, "%s%.*s",
                             have ? "; " : "", (int)e.val_len, (const char *)e.val);
                }
            }
        } else if (e.id == ES_DER_BIT_STRING) {
            uint8_t unused;
            es_bytes bits;
            ES_GUARD(es_der_get_bits(&e, &unused, &bits));
            out->has_fail_info = true;
            for (size_t i = 0; i < bits.len && i < 4; i++) {
                for (int b = 0; b < 8; b++) {
                    if (bits.ptr[i] & (0x80 >> b)) {
                        out->fail_info |= 1u << (i * 8 + (size_t)b);
                    }
                }
            }
        } else {
            BAD("unexpected element 0x%02x in PKIStatusInfo", e.id);
        }
    }
    if (!es_der_at_end(&c)) {
        ES_GUARD(es_der_expect(&c, ES_DER_SEQUENCE, &e));
        out->has_token = true;
        out->token.ptr = e.tlv;
        out->token.len = e.tlv_len;
    }
    return es_der_leave(&c);
}

es_result es_ts_cert_info(const uint8_t *der, size_t len, struct es_ts_certinfo *out)
{
    struct es_der_cur top, cert, tbs;
    struct es_der_elem e;
    memset(out, 0, sizeof(*out));
    es_der_init(&top, der, len, NULL);
    ES_GUARD(es_der_enter(&top, ES_DER_SEQUENCE, &cert, NULL));
    ES_GUARD(es_der_enter(&cert, ES_DER_SEQUENCE, &tbs, NULL));
    ES_GUARD(es_der_next(&tbs, &e));
    if (e.id == ES_DER_CTX0_CONS) {
        ES_GUARD(es_der_next(&tbs, &e));
    }
    ES_ENSURE_MSG(e.id == ES_DER_INTEGER, ES_ERR_FORMAT_TAG, "certificate serial number");
    out->serial_tlv.ptr = e.tlv;
    out->serial_tlv.len = e.tlv_len;
    ES_GUARD(es_der_expect(&tbs, ES_DER_SEQUENCE, &e)); /* signature */
    ES_GUARD(es_der_expect(&tbs, ES_DER_SEQUENCE, &e)); /* issuer */
    out->issuer_tlv.ptr = e.tlv;
    out->issuer_tlv.len = e.tlv_len;
    ES_GUARD(es_der_expect(&tbs, ES_DER_SEQUENCE, &e)); /* validity */
    ES_GUARD(es_der_expect(&tbs, ES_DER_SEQUENCE, &e)); /* subject */
    out->subject_tlv.ptr = e.tlv;
    out->subject_tlv.len = e.tlv_len;
    ES_GUARD(es_der_expect(&tbs, ES_DER_SEQUENCE, &e)); /* subjectPublicKeyInfo */
    while (!es_der_at_end(&tbs)) {
        ES_GUARD(es_der_next(&tbs, &e));
        if (e.id != 0xa3) {
            continue;
        }
        struct es_der_cur x, exts;
        ES_GUARD(es_der_open(&tbs, &e, &x));
        ES_GUARD(es_der_enter(&x, ES_DER_SEQUENCE, &exts, NULL));
        while (!es_der_at_end(&exts)) {
            struct es_der_cur ext;
            char oid[64];
            bool crit = false;
            ES_GUARD(es_der_enter(&exts, ES_DER_SEQUENCE, &ext, NULL));
            ES_GUARD(es_der_expect(&ext, ES_DER_OID, &e));
            ES_GUARD(es_der_get_oid(&e, oid, sizeof(oid)));
            ES_GUARD(es_der_next(&ext, &e));
            if (e.id == ES_DER_BOOLEAN) {
                ES_GUARD(es_der_get_bool(&e, &crit, NULL));
                ES_GUARD(es_der_next(&ext, &e));
            }
            ES_ENSURE_MSG(e.id == ES_DER_OCTET_STRING, ES_ERR_FORMAT_TAG, "extension value");
            if (strcmp(oid, ES_OID_EXT_EKU) != 0) {
                continue;
            }
            ES_ENSURE_MSG(!out->eku_present, ES_ERR_FORMAT_STRUCTURE,
                          "two extendedKeyUsage extensions");
            out->eku_present = true;
            out->eku_critical = crit;
            struct es_der_cur v, seq;
            es_der_init(&v, e.val, e.val_len, NULL);
            ES_GUARD(es_der_enter(&v, ES_DER_SEQUENCE, &seq, NULL));
            while (!es_der_at_end(&seq)) {
                ES_GUARD(es_der_expect(&seq, ES_DER_OID, &e));
                ES_GUARD(es_der_get_oid(&e, oid, sizeof(oid)));
                out->eku_count++;
                if (strcmp(oid, ES_OID_KP_TIME_STAMPING) == 0) {
                    out->eku_time_stamping = true;
                }
            }
        }
    }
    return ES_RESULT_OK;
}
