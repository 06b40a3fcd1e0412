/*
 * lib/ts/ts_make.c - the time-stamp authority and the request encoder
 * (RFC 3161, GM/T 0033 profile with SM2/SM3; see eseal/ts.h and
 * docs/timestamps.md). Everything is written with the canonical DER writer
 * because OpenSSL 3.0 cannot make CMS or TS structures with an SM2 key.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "base/ctx_int.h"
#include "crypto/crypto.h"
#include "ts/ts_int.h"

/* A DER-encoded OBJECT IDENTIFIER (tag, length, arcs), made once: encoding
 * dotted OIDs for every token cost more than the DER around them. */
struct oid_der {
    uint8_t b[40];
    size_t n;
};

struct es_tsa {
    const es_key *key; /* SM2 (borrowed unless owned_key) */
    es_key *owned_key;
    void *ec_key;      /* ECDSA P-256 (lib/crypto/ts_ossl.c) */
    es_cert *cert;
    es_cert **extra;   /* intermediates from the certificate file */
    size_t n_extra;
    struct es_ts_certinfo ci; /* borrows from cert's DER */
    uint8_t cert_hash[32];    /* for signingCertificateV2 */
    char policy[64];
    int acc_s;
    int acc_ms;
    int64_t fixed_time;
    pthread_mutex_t lock;
    uint8_t prefix[16]; /* 128 random bits of every serial number */
    uint32_t counter;
    int64_t gt_time;    /* genTime of the last token and its DER (under lock) */
    uint8_t gt_der[24];
    size_t gt_len;
    /* the OIDs every token writes, encoded in tsa_init */
    struct oid_der o_policy, o_digest, o_sig, o_sm3, o_signed_data, o_ct_tst, o_attr_ct,
        o_attr_md, o_attr_scv2;
};

/* PKIFailureInfo named bits (RFC 3161 §2.4.2). */
enum {
    FAIL_BAD_ALG = 0,
    FAIL_BAD_REQUEST = 2,
    FAIL_BAD_DATA_FORMAT = 5,
    FAIL_UNACCEPTED_POLICY = 15,
    FAIL_UNACCEPTED_EXTENSION = 16,
    FAIL_SYSTEM_FAILURE = 25,
};

es_result es_ts_hash(const char *oid, const uint8_t *p, size_t n, uint8_t *out, size_t *out_len)
{
    if (strcmp(oid, ES_OID_SM3) == 0) {
        es_sm3(p, n, out);
        *out_len = 32;
        return ES_RESULT_OK;
    }
    if (strcmp(oid, ES_OID_SHA256) == 0) {
        return es_digest_other("SHA256", p, n, out, out_len);
    }
    if (strcmp(oid, ES_OID_SHA1) == 0) {
        return es_digest_other("SHA1", p, n, out, out_len);
    }
    ES_BAIL_MSG(ES_ERR_CRYPTO_UNSUPPORTED, "hash algorithm %s is not supported", oid);
}

static size_t hash_len(const char *oid)
{
    if (strcmp(oid, ES_OID_SM3) == 0 || strcmp(oid, ES_OID_SHA256) == 0) {
        return 32;
    }
    return 0;
}

static es_result alg(struct es_buf *b, const char *oid)
{
    size_t m;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &m));
    ES_GUARD(es_derw_oid(b, oid));
    return es_derw_end(b, m);
}

static es_result oid_encode(const char *dotted, struct oid_der *o)
{
    es_result res = ES_RESULT_OK;
    struct es_buf b;
    es_buf_init(&b, sizeof(o->b));
    ES_GUARD_GOTO(es_derw_oid(&b, dotted));
    memcpy(o->b, b.ptr, b.len);
    o->n = b.len;
out:
    es_buf_free(&b);
    return res;
}

/* AlgorithmIdentifier { oid } without parameters, from a cached OID. */
static es_result alg_der(struct es_buf *b, const struct oid_der *o)
{
    size_t m;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &m));
    ES_GUARD(es_derw_raw(b, o->b, o->n));
    return es_derw_end(b, m);
}

/* ---- requests ---- */

static es_result request(const es_ts_req_params *p, uint8_t **out, size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    struct es_buf b;
    size_t top, mi;
    ES_ENSURE_REF(p);
    const char *h = p->hash_oid ? p->hash_oid : ES_OID_SM3;
    ES_ENSURE_MSG(p->digest && hash_len(h) && p->digest_len == hash_len(h), ES_ERR_USAGE_ARG,
                  "the imprint must be an SM3 or SHA-256 digest of 32 bytes");
    ES_ENSURE_MSG(!p->nonce || (p->nonce_len >= 1 && p->nonce_len <= 32), ES_ERR_USAGE_ARG,
                  "a nonce has 1 to 32 bytes");
    es_buf_init(&b, 4096);
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &top));
    ES_GUARD_GOTO(es_derw_int(&b, 1));
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &mi));
    ES_GUARD_GOTO(alg(&b, h));
    ES_GUARD_GOTO(es_derw_tlv(&b, ES_DER_OCTET_STRING, p->digest, p->digest_len));
    ES_GUARD_GOTO(es_derw_end(&b, mi));
    if (p->policy) {
        ES_GUARD_GOTO(es_derw_oid(&b, p->policy));
    }
    if (p->nonce) {
        ES_GUARD_GOTO(es_derw_uint(&b, p->nonce, p->nonce_len));
    }
    if (p->cert_req) {
        ES_GUARD_GOTO(es_derw_bool(&b, true));
    }
    ES_GUARD_GOTO(es_derw_end(&b, top));
    ES_GUARD_GOTO(es_buf_take(&b, out, out_len));
out:
    es_buf_free(&b);
    return res;
}

int es_ts_request(es_ctx *ctx, const es_ts_req_params *params, uint8_t **out_der,
                  size_t *out_len)
{
    *out_der = NULL;
    *out_len = 0;
    return es_ctx_take_error(ctx, request(params, out_der, out_len));
}

int es_ts_request_check(es_ctx *ctx, const uint8_t *req, size_t req_len)
{
    struct es_ts_req q;
    es_result r = req ? es_ts_req_parse(req, req_len, &q)
                      : es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__, "no request");
    return es_ctx_take_error(ctx, r);
}

int es_ts_nonce(es_ctx *ctx, uint8_t *out, size_t n)
{
    es_result r = ES_RESULT_OK;
    if (n == 0 || n > 32) {
        r = es_error_set(ES_ERR_USAGE_ARG, __FILE__, __LINE__, "a nonce has 1 to 32 bytes");
    } else {
        r = es_random(out, n);
        out[0] |= 0x01; /* never a leading zero octet */
        out[0] &= 0x7f;
        out[0] |= 0x40;
    }
    return es_ctx_take_error(ctx, r);
}

/* ---- the authority ---- */

static es_result check_tsa_cert(const es_cert *cert, struct es_ts_certinfo *ci)
{
    es_bytes der = es_cert_der(cert);
    ES_GUARD(es_ts_cert_info(der.ptr, der.len, ci));
    /* RFC 3161 §2.3: exactly one KeyPurposeId, id-kp-timeStamping, critical */
    ES_ENSURE_MSG(ci->eku_present && ci->eku_critical && ci->eku_count == 1 &&
                      ci->eku_time_stamping,
                  ES_ERR_POLICY_CERT_NOT_VALID,
                  "%s is not a TSA certificate: RFC 3161 requires a critical "
                  "extendedKeyUsage of exactly timeStamping",
                  es_cert_subject(cert));
    ES_ENSURE_MSG(es_cert_usage_signing(cert), ES_ERR_POLICY_CERT_NOT_VALID,
                  "%s: keyUsage allows neither digitalSignature nor nonRepudiation",
                  es_cert_subject(cert));
    return ES_RESULT_OK;
}

static es_result tsa_init(es_tsa *t)
{
    snprintf(t->policy, sizeof(t->policy), "%s", ES_TS_DEFAULT_POLICY);
    t->acc_s = 1;
    ES_GUARD(check_tsa_cert(t->cert, &t->ci));
    const bool ec = t->ec_key != NULL;
    ES_GUARD(oid_encode(t->policy, &t->o_policy));
    ES_GUARD(oid_encode(ec ? ES_OID_SHA256 : ES_OID_SM3, &t->o_digest));
    ES_GUARD(oid_encode(ec ? ES_OID_ECDSA_SHA256 : ES_OID_SM2_SM3, &t->o_sig));
    ES_GUARD(oid_encode(ES_OID_SM3, &t->o_sm3));
    ES_GUARD(oid_encode(ES_OID_SIGNED_DATA, &t->o_signed_data));
    ES_GUARD(oid_encode(ES_OID_CT_TSTINFO, &t->o_ct_tst));
    ES_GUARD(oid_encode(ES_OID_ATTR_CONTENT_TYPE, &t->o_attr_ct));
    ES_GUARD(oid_encode(ES_OID_ATTR_MESSAGE_DIGEST, &t->o_attr_md));
    ES_GUARD(oid_encode(ES_OID_ATTR_SIGNING_CERT_V2, &t->o_attr_scv2));
    es_bytes der = es_cert_der(t->cert);
    if (t->ec_key) {
        size_t n;
        ES_GUARD(es_digest_other("SHA256", der.ptr, der.len, t->cert_hash, &n));
    } else {
        es_sm3(der.ptr, der.len, t->cert_hash);
    }
    ES_GUARD(es_random(t->prefix, sizeof(t->prefix)));
    t->prefix[0] = (uint8_t)((t->prefix[0] & 0x7f) | 0x40); /* positive, 20 octets */
    ES_ENSURE_MSG(pthread_mutex_init(&t->lock, NULL) == 0, ES_ERR_INTERNAL, "mutex");
    return ES_RESULT_OK;
}

static void tsa_free(es_tsa *t)
{
    if (!t) {
        return;
    }
    es_key_free(t->owned_key);
    es_ts_ossl_key_free(t->ec_key);
    es_cert_free(t->cert);
    for (size_t i = 0; i < t->n_extra; i++) {
        es_cert_free(t->extra[i]);
    }
    es_free(t->extra);
    es_free(t);
}

void es_tsa_free(es_tsa *tsa)
{
    if (tsa) {
        pthread_mutex_destroy(&tsa->lock);
    }
    tsa_free(tsa);
}

static es_result tsa_new(const es_key *key, const es_cert *cert, es_tsa **out)
{
    ES_ENSURE_REF(key);
    ES_ENSURE_REF(cert);
    ES_ENSURE_MSG(es_key_matches_cert(key, cert), ES_ERR_POLICY_KEY_MISMATCH,
                  "the TSA key does not match the certificate '%s'", es_cert_subject(cert));
    es_tsa *t = es_calloc(1, sizeof(*t));
    ES_ENSURE(t, ES_ERR_NOMEM);
    t->key = key;
    t->cert = es_cert_dup(cert);
    es_result r = t->cert ? tsa_init(t) : es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "dup");
    if (es_is_err(r)) {
        tsa_free(t);
        return r;
    }
    *out = t;
    return ES_RESULT_OK;
}

int es_tsa_new(es_ctx *ctx, const es_key *key, const es_cert *cert, es_tsa **out)
{
    *out = NULL;
    return es_ctx_take_error(ctx, tsa_new(key, cert, out));
}

int es_tsa_load(es_ctx *ctx, const char *key_path, const char *pass, const char *cert_path,
                es_tsa **out)
{
    es_result r = ES_RESULT_OK;
    es_tsa *t = NULL;
    es_cert **certs = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = es_cert_load_all(ctx, cert_path, NULL, &certs, &n);
    if (rc != ES_OK) {
        return rc;
    }
    t = es_calloc(1, sizeof(*t));
    if (!t) {
        r = es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "out of memory");
        goto out;
    }
    t->cert = certs[0];
    t->extra = certs;
    for (size_t i = 1; i < n; i++) {
        certs[i - 1] = certs[i];
    }
    t->n_extra = n - 1;
    certs = NULL;
    if (es_cert_is_sm2(t->cert)) {
        rc = es_key_load(ctx, key_path, pass, &t->owned_key);
        if (rc != ES_OK) {
            tsa_free(t);
            return rc;
        }
        t->key = t->owned_key;
        if (!es_key_matches_cert(t->key, t->cert)) {
            r = es_error_set(ES_ERR_POLICY_KEY_MISMATCH, __FILE__, __LINE__,
                             "the TSA key does not match the certificate '%s'",
                             es_cert_subject(t->cert));
            goto out;
        }
    } else {
        r = es_ts_ossl_key_load(key_path, pass, &t->ec_key);
        if (es_is_ok(r) && !es_ts_ossl_key_matches(t->ec_key, t->cert)) {
            r = es_error_set(ES_ERR_POLICY_KEY_MISMATCH, __FILE__, __LINE__,
                             "the TSA key does not match the certificate '%s'",
                             es_cert_subject(t->cert));
        }
        if (es_is_err(r)) {
            goto out;
        }
    }
    r = tsa_init(t);
out:
    if (es_is_err(r)) {
        tsa_free(t);
        t = NULL;
    }
    *out = t;
    return es_ctx_take_error(ctx, r);
}

int es_tsa_set_policy(es_ctx *ctx, es_tsa *tsa, const char *oid)
{
    struct oid_der o;
    es_result r = oid_encode(oid, &o); /* validates the dotted form */
    if (es_is_ok(r)) {
        if (strlen(oid) >= sizeof(tsa->policy)) {
            r = es_error_set(ES_ERR_USAGE_ARG, __FILE__, __LINE__, "policy OID too long");
        } else {
            snprintf(tsa->policy, sizeof(tsa->policy), "%s", oid);
            tsa->o_policy = o;
        }
    }
    return es_ctx_take_error(ctx, r);
}

void es_tsa_set_accuracy(es_tsa *tsa, int seconds, int millis)
{
    tsa->acc_s = seconds < 0 ? 0 : seconds;
    tsa->acc_ms = millis < 0 ? 0 : millis > 999 ? 999 : millis;
}

void es_tsa_set_time(es_tsa *tsa, int64_t t) { tsa->fixed_time = t; }

const es_cert *es_tsa_cert(const es_tsa *tsa) { return tsa->cert; }

/* 160-bit serial: the TSA's 128 random bits then a 32-bit counter. When the
 * counter wraps, new random bits are drawn, so no serial repeats. Also the
 * genTime DER for `now`, formatted once per second. */
static es_result next_serial(es_tsa *t, int64_t now, uint8_t out[20], uint8_t gt[24],
                             size_t *gt_len)
{
    es_result r = ES_RESULT_OK;
    pthread_mutex_lock(&t->lock);
    if (t->gt_len == 0 || t->gt_time != now) {
        struct es_buf b;
        es_buf_init(&b, sizeof(t->gt_der));
        r = es_derw_gentime(&b, now);
        if (es_is_ok(r)) {
            memcpy(t->gt_der, b.ptr, b.len);
            t->gt_len = b.len;
            t->gt_time = now;
        }
        es_buf_free(&b);
    }
    memcpy(gt, t->gt_der, t->gt_len);
    *gt_len = t->gt_len;
    t->counter++;
    if (t->counter == 0) {
        r = es_random(t->prefix, sizeof(t->prefix));
        t->prefix[0] = (uint8_t)((t->prefix[0] & 0x7f) | 0x40);
        t->counter = 1;
    }
    memcpy(out, t->prefix, 16);
    out[16] = (uint8_t)(t->counter >> 24);
    out[17] = (uint8_t)(t->counter >> 16);
    out[18] = (uint8_t)(t->counter >> 8);
    out[19] = (uint8_t)t->counter;
    pthread_mutex_unlock(&t->lock);
    return r;
}

/* One Attribute TLV into its own buffer (they are sorted afterwards). */
static es_result attr_begin(struct es_buf *b, const struct oid_der *oid, size_t *m_attr,
                            size_t *m_set)
{
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, m_attr));
    ES_GUARD(es_derw_raw(b, oid->b, oid->n));
    return es_derw_begin(b, ES_DER_SET, m_set);
}

static es_result attr_end(struct es_buf *b, size_t m_attr, size_t m_set)
{
    ES_GUARD(es_derw_end(b, m_set));
    return es_derw_end(b, m_attr);
}

/* DER orders the elements of a SET OF by their encodings (X.690 §11.6). */
static int der_cmp(const struct es_buf *a, const struct es_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->ptr, b->ptr, n);
    if (c != 0) {
        return c;
    }
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

struct token_in {
    es_bytes imprint_tlv; /* verbatim from a request, or empty */
    const uint8_t *digest; /* SM3, when imprint_tlv is empty */
    es_bytes nonce;
    bool include_cert;
};

static es_result make_token(es_tsa *t, const struct token_in *in, struct es_buf *out)
{
    es_result res = ES_RESULT_OK;
    struct es_buf tst, at[3], sa;
    size_t m, m2, m3, m4;
    es_buf_init(&tst, 64 * 1024);
    es_buf_init(&sa, 64 * 1024);
    for (int i = 0; i < 3; i++) {
        es_buf_init(&at[i], 4096);
    }
    const bool ec = t->ec_key != NULL;
    const char *dg = ec ? ES_OID_SHA256 : ES_OID_SM3;
    /* TSTInfo (RFC 3161 §2.4.2) */
    uint8_t serial[20], gt[24];
    size_t gt_len = 0;
    int64_t now = t->fixed_time ? t->fixed_time : (int64_t)time(NULL);
    ES_GUARD_GOTO(next_serial(t, now, serial, gt, &gt_len));
    /* room for what follows, so that the buffers do not grow step by step */
    ES_GUARD_GOTO(es_buf_reserve(&tst, 512));
    ES_GUARD_GOTO(es_buf_reserve(&sa, 256));
    ES_GUARD_GOTO(es_buf_reserve(out, 1024 + (in->include_cert ? es_cert_der(t->cert).len : 0)));
    ES_GUARD_GOTO(es_derw_begin(&tst, ES_DER_SEQUENCE, &m));
    ES_GUARD_GOTO(es_derw_int(&tst, 1));
    ES_GUARD_GOTO(es_derw_raw(&tst, t->o_policy.b, t->o_policy.n));
    if (in->imprint_tlv.len) {
        ES_GUARD_GOTO(es_derw_raw(&tst, in->imprint_tlv.ptr, in->imprint_tlv.len));
    } else {
        ES_GUARD_GOTO(es_derw_begin(&tst, ES_DER_SEQUENCE, &m2));
        ES_GUARD_GOTO(alg_der(&tst, &t->o_sm3));
        ES_GUARD_GOTO(es_derw_tlv(&tst, ES_DER_OCTET_STRING, in->digest, 32));
        ES_GUARD_GOTO(es_derw_end(&tst, m2));
    }
    ES_GUARD_GOTO(es_derw_uint(&tst, serial, sizeof(serial)));
    ES_GUARD_GOTO(es_derw_raw(&tst, gt, gt_len));
    if (t->acc_s || t->acc_ms) {
        ES_GUARD_GOTO(es_derw_begin(&tst, ES_DER_SEQUENCE, &m2));
        if (t->acc_s) {
            ES_GUARD_GOTO(es_derw_int(&tst, t->acc_s));
        }
        if (t->acc_ms) {
            uint8_t ms[2] = {(uint8_t)(t->acc_ms >> 8), (uint8_t)t->acc_ms};
            size_t off = ms[0] ? 0 : 1;
            if (!ms[0] && (ms[1] & 0x80)) {
                off = 0;
            }
            ES_GUARD_GOTO(es_derw_tlv(&tst, ES_DER_CTX0_PRIM, ms + off, 2 - off));
        }
        ES_GUARD_GOTO(es_derw_end(&tst, m2));
    }
    if (in->nonce.len) {
        ES_GUARD_GOTO(es_derw_uint(&tst, in->nonce.ptr, in->nonce.len));
    }
    /* tsa [0] GeneralName: directoryName [4] of the TSA's subject */
    ES_GUARD_GOTO(es_derw_begin(&tst, ES_DER_CTX0_CONS, &m2));
    ES_GUARD_GOTO(es_derw_begin(&tst, 0xa4, &m3));
    ES_GUARD_GOTO(es_derw_raw(&tst, t->ci.subject_tlv.ptr, t->ci.subject_tlv.len));
    ES_GUARD_GOTO(es_derw_end(&tst, m3));
    ES_GUARD_GOTO(es_derw_end(&tst, m2));
    ES_GUARD_GOTO(es_derw_end(&tst, m));

    /* signed attributes: contentType, messageDigest, signingCertificateV2 */
    uint8_t md[64];
    size_t md_len;
    ES_GUARD_GOTO(es_ts_hash(dg, tst.ptr, tst.len, md, &md_len));
    ES_GUARD_GOTO(attr_begin(&at[0], &t->o_attr_ct, &m, &m2));
    ES_GUARD_GOTO(es_derw_raw(&at[0], t->o_ct_tst.b, t->o_ct_tst.n));
    ES_GUARD_GOTO(attr_end(&at[0], m, m2));
    ES_GUARD_GOTO(attr_begin(&at[1], &t->o_attr_md, &m, &m2));
    ES_GUARD_GOTO(es_derw_tlv(&at[1], ES_DER_OCTET_STRING, md, md_len));
    ES_GUARD_GOTO(attr_end(&at[1], m, m2));
    ES_GUARD_GOTO(attr_begin(&at[2], &t->o_attr_scv2, &m, &m2));
    ES_GUARD_GOTO(es_derw_begin(&at[2], ES_DER_SEQUENCE, &m3)); /* SigningCertificateV2 */
    ES_GUARD_GOTO(es_derw_begin(&at[2], ES_DER_SEQUENCE, &m4)); /* certs */
    size_t m5;
    ES_GUARD_GOTO(es_derw_begin(&at[2], ES_DER_SEQUENCE, &m5)); /* ESSCertIDv2 */
    if (!ec) {
        ES_GUARD_GOTO(alg_der(&at[2], &t->o_sm3)); /* SHA-256 is the DEFAULT, left out */
    }
    ES_GUARD_GOTO(es_derw_tlv(&at[2], ES_DER_OCTET_STRING, t->cert_hash, 32));
    ES_GUARD_GOTO(es_derw_end(&at[2], m5));
    ES_GUARD_GOTO(es_derw_end(&at[2], m4));
    ES_GUARD_GOTO(es_derw_end(&at[2], m3));
    ES_GUARD_GOTO(attr_end(&at[2], m, m2));
    int order[3] = {0, 1, 2};
    for (int i = 0; i < 3; i++) {
        for (int j = i + 1; j < 3; j++) {
            if (der_cmp(&at[order[j]], &at[order[i]]) < 0) {
                int x = order[i];
                order[i] = order[j];
                order[j] = x;
            }
        }
    }
    /* RFC 5652 §5.4: the signature covers the attributes DER-encoded as a SET */
    ES_GUARD_GOTO(es_derw_begin(&sa, ES_DER_SET, &m));
    for (int i = 0; i < 3; i++) {
        ES_GUARD_GOTO(es_derw_raw(&sa, at[order[i]].ptr, at[order[i]].len));
    }
    ES_GUARD_GOTO(es_derw_end(&sa, m));
    uint8_t sig[80];
    size_t sig_len;
    if (ec) {
        ES_GUARD_GOTO(es_ts_ossl_sign(t->ec_key, sa.ptr, sa.len, sig, &sig_len));
    } else {
        ES_GUARD_GOTO(es_sm2_sign_msg(t->key, sa.ptr, sa.len, sig, &sig_len));
    }

    /* ContentInfo { id-signedData, [0] SignedData } */
    size_t ci, x0, sd, s1;
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_SEQUENCE, &ci));
    ES_GUARD_GOTO(es_derw_raw(out, t->o_signed_data.b, t->o_signed_data.n));
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_CTX0_CONS, &x0));
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_SEQUENCE, &sd));
    ES_GUARD_GOTO(es_derw_int(out, 3)); /* eContentType is not id-data */
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_SET, &s1));
    ES_GUARD_GOTO(alg_der(out, &t->o_digest));
    ES_GUARD_GOTO(es_derw_end(out, s1));
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_SEQUENCE, &s1));
    ES_GUARD_GOTO(es_derw_raw(out, t->o_ct_tst.b, t->o_ct_tst.n));
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_CTX0_CONS, &m));
    ES_GUARD_GOTO(es_derw_tlv(out, ES_DER_OCTET_STRING, tst.ptr, tst.len));
    ES_GUARD_GOTO(es_derw_end(out, m));
    ES_GUARD_GOTO(es_derw_end(out, s1));
    if (in->include_cert) {
        ES_GUARD_GOTO(es_derw_begin(out, ES_DER_CTX0_CONS, &m));
        es_bytes c = es_cert_der(t->cert);
        ES_GUARD_GOTO(es_derw_raw(out, c.ptr, c.len));
        for (size_t i = 0; i < t->n_extra; i++) {
            c = es_cert_der(t->extra[i]);
            ES_GUARD_GOTO(es_derw_raw(out, c.ptr, c.len));
        }
        ES_GUARD_GOTO(es_derw_end(out, m));
    }
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_SET, &s1));
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_SEQUENCE, &m)); /* SignerInfo */
    ES_GUARD_GOTO(es_derw_int(out, 1));
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_SEQUENCE, &m2)); /* IssuerAndSerialNumber */
    ES_GUARD_GOTO(es_derw_raw(out, t->ci.issuer_tlv.ptr, t->ci.issuer_tlv.len));
    ES_GUARD_GOTO(es_derw_raw(out, t->ci.serial_tlv.ptr, t->ci.serial_tlv.len));
    ES_GUARD_GOTO(es_derw_end(out, m2));
    ES_GUARD_GOTO(alg_der(out, &t->o_digest));
    /* signedAttrs [0] IMPLICIT: the same content as the signed SET */
    ES_GUARD_GOTO(es_derw_begin(out, ES_DER_CTX0_CONS, &m2));
    for (int i = 0; i < 3; i++) {
        ES_GUARD_GOTO(es_derw_raw(out, at[order[i]].ptr, at[order[i]].len));
    }
    ES_GUARD_GOTO(es_derw_end(out, m2));
    /* GM/T 0033 profile: SM2-with-SM3 (1.2.156.10197.1.501), as in the certificates */
    ES_GUARD_GOTO(alg_der(out, &t->o_sig));
    ES_GUARD_GOTO(es_derw_tlv(out, ES_DER_OCTET_STRING, sig, sig_len));
    ES_GUARD_GOTO(es_derw_end(out, m));
    ES_GUARD_GOTO(es_derw_end(out, s1));
    ES_GUARD_GOTO(es_derw_end(out, sd));
    ES_GUARD_GOTO(es_derw_end(out, x0));
    ES_GUARD_GOTO(es_derw_end(out, ci));
out:
    es_buf_free(&tst);
    es_buf_free(&sa);
    for (int i = 0; i < 3; i++) {
        es_buf_free(&at[i]);
    }
    return res;
}

static es_result rejection(struct es_buf *b, int bit, const char *text)
{
    size_t top, si, ft;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &top));
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &si));
    ES_GUARD(es_derw_int(b, 2)); /* rejection */
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &ft));
    ES_GUARD(es_derw_tlv(b, ES_DER_UTF8_STRING, text, strlen(text)));
    ES_GUARD(es_derw_end(b, ft));
    /* PKIFailureInfo: a named-bit BIT STRING, trailing zero bits dropped */
    uint8_t bits[5] = {0};
    size_t n = (size_t)bit / 8 + 1;
    bits[0] = (uint8_t)(7 - bit % 8);
    bits[n] = (uint8_t)(0x80 >> (bit % 8));
    ES_GUARD(es_derw_tlv(b, ES_DER_BIT_STRING, bits, n + 1));
    ES_GUARD(es_derw_end(b, si));
    return es_derw_end(b, top);
}

static es_result respond(es_tsa *t, const uint8_t *req, size_t req_len, uint8_t **out,
                         size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    struct es_buf b;
    struct es_ts_req q;
    size_t top, si;
    es_buf_init(&b, 4u * 1024 * 1024);
    ES_ENSURE_REF(t);
    es_result pr = req ? es_ts_req_parse(req, req_len, &q)
                       : es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__, "no request");
    if (es_is_err(pr)) {
        char msg[200];
        snprintf(msg, sizeof(msg), "malformed TimeStampReq: %s", es_error_detail());
        es_error_clear();
        ES_GUARD_GOTO(rejection(&b, FAIL_BAD_DATA_FORMAT, msg));
    } else if (!hash_len(q.hash_oid) || q.digest.len != hash_len(q.hash_oid)) {
        ES_GUARD_GOTO(rejection(&b, FAIL_BAD_ALG, "the imprint must be SM3 or SHA-256"));
    } else if (q.has_policy && strcmp(q.policy, t->policy) != 0) {
        ES_GUARD_GOTO(rejection(&b, FAIL_UNACCEPTED_POLICY, "this TSA does not use that policy"));
    } else if (q.has_extensions) {
        ES_GUARD_GOTO(rejection(&b, FAIL_UNACCEPTED_EXTENSION, "no extensions are supported"));
    } else {
        struct token_in in = {.imprint_tlv = q.imprint_tlv, .nonce = q.nonce,
                              .include_cert = q.cert_req};
        ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &top));
        ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &si));
        ES_GUARD_GOTO(es_derw_int(&b, 0)); /* granted */
        ES_GUARD_GOTO(es_derw_end(&b, si));
        ES_GUARD_GOTO(make_token(t, &in, &b));
        ES_GUARD_GOTO(es_derw_end(&b, top));
    }
    ES_GUARD_GOTO(es_buf_take(&b, out, out_len));
out:
    es_buf_free(&b);
    return res;
}

int es_tsa_respond(es_ctx *ctx, es_tsa *tsa, const uint8_t *req, size_t req_len,
                   uint8_t **out_der, size_t *out_len)
{
    *out_der = NULL;
    *out_len = 0;
    return es_ctx_take_error(ctx, respond(tsa, req, req_len, out_der, out_len));
}

static es_result stamp(es_tsa *t, const uint8_t digest[32], uint8_t **out, size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    struct es_buf b;
    ES_ENSURE_REF(t);
    ES_ENSURE_REF(digest);
    es_buf_init(&b, 4u * 1024 * 1024);
    struct token_in in = {.digest = digest, .include_cert = true};
    ES_GUARD_GOTO(make_token(t, &in, &b));
    ES_GUARD_GOTO(es_buf_take(&b, out, out_len));
out:
    es_buf_free(&b);
    return res;
}

int es_tsa_stamp(es_ctx *ctx, es_tsa *tsa, const uint8_t digest[32], uint8_t **out_der,
                 size_t *out_len)
{
    *out_der = NULL;
    *out_len = 0;
    return es_ctx_take_error(ctx, stamp(tsa, digest, out_der, out_len));
}

int es_tsa_stamp_cb(void *arg, const uint8_t digest[32], uint8_t **out_token, size_t *out_len)
{
    *out_token = NULL;
    *out_len = 0;
    es_result r = stamp((es_tsa *)arg, digest, out_token, out_len);
    return r.rc;
}
