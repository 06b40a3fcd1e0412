/*
 * lib/ts/ts_verify.c - verifying RFC 3161 time-stamp tokens: structure,
 * message imprint, nonce, messageDigest and the SM2 (or ECDSA) signature
 * over the signed attributes, the TSA certificate's extendedKeyUsage and
 * validity at genTime, and its chain. A failing token is a result in
 * es_ts_info, never an error.
 */
#include <stdarg.h>
#include <stdio.h>

#include "base/ctx_int.h"
#include "crypto/crypto.h"
#include "ts/ts_int.h"

static const char *const names[ES_TS_STATUS_LAST_] = {
    [ES_TS_VALID] = "",
    [ES_TS_MALFORMED] = "TIMESTAMP_MALFORMED",
    [ES_TS_REJECTED] = "TIMESTAMP_REJECTED",
    [ES_TS_IMPRINT_MISMATCH] = "TIMESTAMP_IMPRINT_MISMATCH",
    [ES_TS_NONCE_MISMATCH] = "TIMESTAMP_NONCE_MISMATCH",
    [ES_TS_SIGNATURE_INVALID] = "TIMESTAMP_SIGNATURE_INVALID",
    [ES_TS_UNSUPPORTED] = "TIMESTAMP_UNSUPPORTED_ALGORITHM",
    [ES_TS_TSA_USAGE] = "TIMESTAMP_TSA_USAGE",
    [ES_TS_TSA_NOT_VALID] = "TIMESTAMP_TSA_NOT_VALID",
    [ES_TS_UNTRUSTED] = "TIMESTAMP_UNTRUSTED",
    [ES_TS_NO_TRUST_ANCHOR] = "TIMESTAMP_NO_TRUST_ANCHOR",
};

const char *es_ts_status_name(es_ts_status s)
{
    return (unsigned)s < ES_TS_STATUS_LAST_ ? names[s] : "TIMESTAMP_UNKNOWN";
}

static void verdict(es_ts_info *i, es_ts_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void verdict(es_ts_info *i, es_ts_status s, const char *fmt, ...)
{
    va_list ap;
    i->status = s;
    snprintf(i->reason, sizeof(i->reason), "%s", es_ts_status_name(s));
    va_start(ap, fmt);
    vsnprintf(i->detail, sizeof(i->detail), fmt, ap);
    va_end(ap);
}

static bool mag_equal(es_bytes a, const uint8_t *b, size_t n)
{
    while (n > 1 && b[0] == 0) {
        b++;
        n--;
    }
    return a.len == n && memcmp(a.ptr, b, n) == 0;
}

static bool bytes_eq(es_bytes a, es_bytes b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* Does cert match the SignerInfo's sid? */
static bool is_signer(const struct es_ts_token *t, const es_cert *c)
{
    es_bytes der = es_cert_der(c);
    struct es_ts_certinfo ci;
    if (es_is_err(es_ts_cert_info(der.ptr, der.len, &ci))) {
        es_error_clear();
        return false;
    }
    if (t->sid_skid) {
        return false; /* eseal writes IssuerAndSerialNumber; see docs/timestamps.md */
    }
    return bytes_eq(ci.issuer_tlv, t->sid_issuer) && bytes_eq(ci.serial_tlv, t->sid_serial);
}

es_result es_ts_verify_int(const es_ts_verify_opts *o, const uint8_t *tok, size_t tok_len,
                           const uint8_t *data, size_t data_len, const uint8_t *digest,
                           size_t digest_len, es_ts_info *info)
{
    static const es_ts_verify_opts none;
    es_result res = ES_RESULT_OK;
    struct es_ts_token t;
    es_cert *tsa = NULL;
    es_cert *extra[ES_TS_MAX_CERTS];
    size_t n_extra = 0;
    uint8_t *attrs = NULL;
    ES_ENSURE_REF(info);
    memset(info, 0, sizeof(*info));
    info->accuracy_ms = -1;
    if (!o) {
        o = &none;
    }
    ES_ENSURE_MSG(tok, ES_ERR_USAGE_NULL, "no token");
    es_result pr = es_ts_token_parse(tok, tok_len, &t);
    if (es_is_err(pr)) {
        verdict(info, ES_TS_MALFORMED, "not a well-formed time-stamp token: %s",
                es_error_detail());
        es_error_clear();
        return ES_RESULT_OK;
    }
    info->parsed = 1;
    info->gen_time = t.tst.gen_time;
    info->gen_time_fraction = t.tst.gen_frac;
    for (size_t i = 0; i < t.tst.serial.len && i < 20; i++) {
        snprintf(info->serial_hex + 2 * i, 3, "%02x", t.tst.serial.ptr[i]);
    }
    snprintf(info->policy, sizeof(info->policy), "%s", t.tst.policy);
    snprintf(info->hash_alg, sizeof(info->hash_alg), "%s", t.tst.hash_oid);
    snprintf(info->sig_alg, sizeof(info->sig_alg), "%s", t.sig_oid);
    info->accuracy_ms = t.tst.accuracy_ms;
    if (t.tst.has_nonce) {
        info->nonce_len = t.tst.nonce.len;
        memcpy(info->nonce, t.tst.nonce.ptr, t.tst.nonce.len);
    }
    /* RFC 5652 §5.3: contentType and messageDigest MUST be signed attributes */
    if (strcmp(t.content_type, ES_OID_CT_TSTINFO) != 0 || !t.has_message_digest) {
        verdict(info, ES_TS_MALFORMED,
                "the signed attributes lack contentType id-ct-TSTInfo or messageDigest");
        goto out;
    }
    /* RFC 3161 §2.4.2: the imprint is the hash of the data sent */
    uint8_t h[64];
    size_t hl = 0;
    if (data || digest) {
        if (data) {
            if (es_is_err(es_ts_hash(t.tst.hash_oid, data, data_len, h, &hl))) {
                es_error_clear();
                verdict(info, ES_TS_UNSUPPORTED, "imprint hash algorithm %s is not supported",
                        t.tst.hash_oid);
                goto out;
            }
        } else {
            hl = digest_len < sizeof(h) ? digest_len : sizeof(h);
            memcpy(h, digest, hl);
        }
        if (t.tst.digest.len != hl || !es_ct_equal(t.tst.digest.ptr, h, hl)) {
            verdict(info, ES_TS_IMPRINT_MISMATCH,
                    "the token's message imprint (%s) is not the digest of the data: it "
                    "stamps other data",
                    t.tst.hash_oid);
            goto out;
        }
    }
    if (o->nonce && (!t.tst.has_nonce || !mag_equal(t.tst.nonce, o->nonce, o->nonce_len))) {
        verdict(info, ES_TS_NONCE_MISMATCH,
                "the token %s the nonce of the request (a replayed or foreign response)",
                t.tst.has_nonce ? "does not echo" : "carries no nonce, not");
        goto out;
    }
    /* the TSA certificate: named by the sid, carried in the token or given */
    for (size_t i = 0; i < t.n_certs; i++) {
        es_cert *c = NULL;
        if (es_cert_from_der(NULL, t.certs[i].ptr, t.certs[i].len, &c) != ES_OK) {
            es_error_clear();
            continue;
        }
        if (!tsa && is_signer(&t, c)) {
            tsa = c;
        } else {
            extra[n_extra++] = c;
        }
    }
    if (!tsa && o->tsa_cert && is_signer(&t, o->tsa_cert)) {
        tsa = es_cert_dup(o->tsa_cert);
        ES_ENSURE_MSG(tsa, ES_ERR_NOMEM, "out of memory");
    }
    if (!tsa) {
        verdict(info, ES_TS_UNTRUSTED,
                "the TSA certificate named by the SignerInfo is neither in the token nor "
                "given");
        goto out;
    }
    snprintf(info->tsa_subject, sizeof(info->tsa_subject), "%s", es_cert_subject(tsa));
    /* messageDigest = hash of the eContent (RFC 5652 §11.2) */
    if (es_is_err(es_ts_hash(t.digest_oid, t.econtent.ptr, t.econtent.len, h, &hl))) {
        es_error_clear();
        verdict(info, ES_TS_UNSUPPORTED, "digest algorithm %s is not supported", t.digest_oid);
        goto out;
    }
    if (t.message_digest.len != hl || !es_ct_equal(t.message_digest.ptr, h, hl)) {
        verdict(info, ES_TS_SIGNATURE_INVALID,
                "messageDigest does not match the TSTInfo: the token was altered");
        goto out;
    }
    /* the signature covers the signed attributes encoded as a SET (RFC 5652 §5.4) */
    attrs = es_malloc(t.signed_attrs.len);
    ES_ENSURE(attrs, ES_ERR_NOMEM);
    memcpy(attrs, t.signed_attrs.ptr, t.signed_attrs.len);
    attrs[0] = ES_DER_SET;
    bool ok = false;
    es_result vr;
    const bool sm2 = strcmp(t.sig_oid, ES_OID_SM2_SM3) == 0 ||
                     strcmp(t.sig_oid, ES_OID_SM2_SIGN) == 0;
    if (sm2 && es_cert_pub(tsa) && strcmp(t.digest_oid, ES_OID_SM3) == 0) {
        unsigned q = 0;
        vr = es_sm2_verify_msg(es_cert_pub(tsa), attrs, t.signed_attrs.len, t.signature.ptr,
                               t.signature.len, &ok, &q);
    } else if (strcmp(t.sig_oid, ES_OID_ECDSA_SHA256) == 0 && !es_cert_pub(tsa) &&
               strcmp(t.digest_oid, ES_OID_SHA256) == 0) {
        vr = es_ts_ossl_verify(tsa, attrs, t.signed_attrs.len, t.signature.ptr, t.signature.len,
                               &ok);
    } else {
        verdict(info, ES_TS_UNSUPPORTED,
                "signature algorithm %s with digest %s and a %s key is not supported",
                t.sig_oid, t.digest_oid, es_cert_pub(tsa) ? "SM2" : "non-SM2");
        goto out;
    }
    if (es_is_err(vr) || !ok) {
        verdict(info, ES_TS_SIGNATURE_INVALID,
                "the TSA signature does not verify with the key of %s%s%s", info->tsa_subject,
                es_is_err(vr) ? ": " : "", es_is_err(vr) ? es_error_detail() : "");
        es_error_clear();
        goto out;
    }
    /* RFC 5816: an ESSCertID(v2) names the signer certificate by its hash */
    if (t.has_signing_cert) {
        es_bytes der = es_cert_der(tsa);
        if (es_is_err(es_ts_hash(t.signing_cert_hash_oid, der.ptr, der.len, h, &hl)) ||
            t.signing_cert_hash.len != hl || !es_ct_equal(t.signing_cert_hash.ptr, h, hl)) {
            es_error_clear();
            verdict(info, ES_TS_SIGNATURE_INVALID,
                    "signingCertificateV2 names another certificate than %s", info->tsa_subject);
            goto out;
        }
    }
    /* RFC 3161 §2.3: critical extendedKeyUsage, timeStamping only */
    es_bytes cder = es_cert_der(tsa);
    struct es_ts_certinfo ci;
    if (es_is_err(es_ts_cert_info(cder.ptr, cder.len, &ci))) {
        es_error_clear();
        memset(&ci, 0, sizeof(ci));
    }
    if (!(ci.eku_present && ci.eku_critical && ci.eku_count == 1 && ci.eku_time_stamping) ||
        !es_cert_usage_signing(tsa)) {
        verdict(info, ES_TS_TSA_USAGE,
                "%s is not a time-stamping certificate (RFC 3161 §2.3 requires a critical "
                "extendedKeyUsage of exactly timeStamping)",
                info->tsa_subject);
        goto out;
    }
    char a[21], z[21], g[21];
    es_time_format(es_cert_not_before(tsa), a);
    es_time_format(es_cert_not_after(tsa), z);
    es_time_format(t.tst.gen_time, g);
    if (t.tst.gen_time < es_cert_not_before(tsa) || t.tst.gen_time > es_cert_not_after(tsa)) {
        verdict(info, ES_TS_TSA_NOT_VALID,
                "genTime %s lies outside the TSA certificate's validity %s to %s", g, a, z);
        goto out;
    }
    if (o->no_chain) {
        verdict(info, ES_TS_VALID, "time stamp of %s at %s (TSA chain not checked)",
                info->tsa_subject, g);
        info->reason[0] = '\0';
        goto out;
    }
    if (!o->trust || es_trust_count(o->trust) == 0) {
        verdict(info, ES_TS_NO_TRUST_ANCHOR,
                "valid token of %s at %s, but no trust anchors were given for the TSA",
                info->tsa_subject, g);
        goto out;
    }
    struct es_chain_result cr;
    ES_GUARD_GOTO(es_chain_verify(o->trust, tsa, (const es_cert *const *)extra, n_extra,
                                  t.tst.gen_time, &cr));
    if (cr.built && cr.time_ok) {
        verdict(info, ES_TS_VALID, "time stamp of %s at %s: %s", info->tsa_subject, g,
                cr.detail);
        info->reason[0] = '\0';
    } else {
        verdict(info, ES_TS_UNTRUSTED, "the TSA %s is not trusted at %s: %s", info->tsa_subject,
                g, cr.detail);
    }
out:
    es_free(attrs);
    es_cert_free(tsa);
    for (size_t i = 0; i < n_extra; i++) {
        es_cert_free(extra[i]);
    }
    return res;
}

int es_ts_verify_token(es_ctx *ctx, const es_ts_verify_opts *opts, const uint8_t *token,
                       size_t token_len, const uint8_t *data, size_t data_len,
                       const uint8_t *digest, size_t digest_len, es_ts_info *out)
{
    return es_ctx_take_error(ctx, es_ts_verify_int(opts, token, token_len, data, data_len,
                                                   digest, digest_len, out));
}

int es_ts_response_token(es_ctx *ctx, const uint8_t *resp, size_t resp_len, es_bytes *out_token)
{
    struct es_ts_resp r;
    out_token->ptr = NULL;
    out_token->len = 0;
    es_result pr = es_ts_resp_parse(resp, resp_len, &r);
    if (es_is_ok(pr) && (r.status > 1 || !r.has_token)) {
        pr = es_error_set(ES_ERR_FORMAT_STRUCTURE, __FILE__, __LINE__,
                          "the TSA did not grant the request (status %lld%s%s)",
                          (long long)r.status, r.status_text[0] ? ": " : "", r.status_text);
    }
    if (es_is_ok(pr)) {
        *out_token = r.token;
    }
    return es_ctx_take_error(ctx, pr);
}

int es_ts_verify_response(es_ctx *ctx, const es_ts_verify_opts *opts, const uint8_t *resp,
                          size_t resp_len, const uint8_t *data, size_t data_len,
                          const uint8_t *digest, size_t digest_len, es_ts_info *out)
{
    struct es_ts_resp r;
    memset(out, 0, sizeof(*out));
    out->accuracy_ms = -1;
    es_result pr = es_ts_resp_parse(resp, resp_len, &r);
    if (es_is_err(pr)) {
        verdict(out, ES_TS_MALFORMED, "not a well-formed TimeStampResp: %s", es_error_detail());
        es_error_clear();
        return es_ctx_take_error(ctx, ES_RESULT_OK);
    }
    if (r.status > 1) {
        verdict(out, ES_TS_REJECTED, "the TSA answered status %lld%s%s (failInfo 0x%x)",
                (long long)r.status, r.status_text[0] ? ": " : "", r.status_text, r.fail_info);
        return es_ctx_take_error(ctx, ES_RESULT_OK);
    }
    if (!r.has_token) {
        verdict(out, ES_TS_MALFORMED, "a granted response without a token");
        return es_ctx_take_error(ctx, ES_RESULT_OK);
    }
    return es_ts_verify_token(ctx, opts, r.token.ptr, r.token.len, data, data_len, digest,
                              digest_len, out);
}
