/*
 * lib/seal/sig_encode.c - making GB/T 38540-2020 v4 SES_Signature
 * (ses-format.md §6.2): checks that the signer may use the seal, builds
 * TBS_Sign in canonical DER with the seal embedded verbatim, and signs its
 * exact bytes with SM2/SM3 and the default user ID.
 */
#include <stdio.h>
#include <time.h>

#include "base/ctx_int.h"
#include "crypto/crypto.h"
#include "sdoc/sdoc_int.h"
#include "seal/seal_int.h"
#include "ts/ts_int.h"

static bool cert_listed(const struct es_seal *s, es_bytes der)
{
    for (size_t i = 0; i < s->n_certs; i++) {
        if (s->cert_list_kind == ES_CL_CERTS && s->certs[i].len == der.len &&
            memcmp(s->certs[i].ptr, der.ptr, der.len) == 0) {
            return true;
        }
        if (s->cert_list_kind == ES_CL_DIGESTS && s->certs[i].len == 32) {
            uint8_t d[32];
            es_sm3(der.ptr, der.len, d);
            if (memcmp(d, s->certs[i].ptr, 32) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* GB/T 38540-2020 7.1.6: timeStamp [0] EXPLICIT BIT STRING holding a token
 * whose imprint is SM3 of the signature value (ses-format.md §4.3). */
static es_result add_timestamp(const es_sign_params *pp, const uint8_t *sig, size_t sig_len,
                               struct es_buf *b)
{
    es_result res = ES_RESULT_OK;
    uint8_t d[32], *tok = NULL;
    size_t tok_len = 0, m;
    es_sm3(sig, sig_len, d);
    es_error_clear();
    int rc = pp->timestamp(pp->timestamp_arg, d, &tok, &tok_len);
    if (rc != ES_OK || !tok) {
        if (pp->timestamp_optional) {
            es_error_clear();
            goto out;
        }
        /* the callback's reason is in the error slot that the new error
         * overwrites: copy it first */
        char why[300];
        snprintf(why, sizeof(why), "%s", es_error_detail());
        ES_FAIL_GOTO(rc != ES_OK ? rc : ES_ERR_INTERNAL,
                     "the time-stamp authority gave no token%s%s (sign without one only when "
                     "asked to)",
                     why[0] ? ": " : "", why);
    }
    es_ts_verify_opts o = {.no_chain = 1};
    es_ts_info ti;
    ES_GUARD_GOTO(es_ts_verify_int(&o, tok, tok_len, NULL, 0, d, 32, &ti));
    if (ti.status != ES_TS_VALID && ti.status != ES_TS_UNTRUSTED) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "the time-stamp authority's token is unusable: %s",
                     ti.detail);
    }
    ES_GUARD_GOTO(es_derw_begin(b, ES_DER_CTX0_CONS, &m));
    ES_GUARD_GOTO(es_derw_bits(b, tok, tok_len));
    ES_GUARD_GOTO(es_derw_end(b, m));
out:
    es_free(tok);
    return res;
}

/* TBS_Sign.extDatas [0] EXPLICIT SEQUENCE OF ExtData with the status answer
 * (docs/formats.md); critical FALSE is the DEFAULT and so not written. */
static es_result add_status_answer(const es_sign_params *pp, const struct es_seal *seal,
                                   int64_t t, struct es_buf *b)
{
    struct es_status_answer a;
    ES_GUARD(es_status_answer_read(pp->status_answer, pp->status_answer_len, &a));
    es_result res = ES_RESULT_OK;
    if (strcmp(a.esid, seal->esid) != 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "the status answer is for seal '%s', not '%s'",
                     a.esid, seal->esid);
    }
    if (!pp->allow_expired && (t < a.this_update || t > a.next_update)) {
        char x[21], y[21], at[21];
        es_time_format(a.this_update, x);
        es_time_format(a.next_update, y);
        es_time_format(t, at);
        ES_FAIL_GOTO(ES_ERR_POLICY_VALIDITY,
                     "the status answer is valid from %s to %s, not at the signing time %s", x,
                     y, at);
    }
    size_t x0, seq, ext;
    ES_GUARD_GOTO(es_derw_begin(b, ES_DER_CTX0_CONS, &x0));
    ES_GUARD_GOTO(es_derw_begin(b, ES_DER_SEQUENCE, &seq));
    ES_GUARD_GOTO(es_derw_begin(b, ES_DER_SEQUENCE, &ext));
    ES_GUARD_GOTO(es_derw_oid(b, ES_OID_STATUS_ANSWER));
    ES_GUARD_GOTO(
        es_derw_tlv(b, ES_DER_OCTET_STRING, pp->status_answer, pp->status_answer_len));
    ES_GUARD_GOTO(es_derw_end(b, ext));
    ES_GUARD_GOTO(es_derw_end(b, seq));
    ES_GUARD_GOTO(es_derw_end(b, x0));
out:
    es_status_answer_clear(&a);
    return res;
}

static es_result sign(const es_sign_params *pp, uint8_t **out_der, size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    struct es_seal seal;
    struct es_buf b;
    es_buf_init(&b, 32u * 1024 * 1024);
    memset(&seal, 0, sizeof(seal));
    ES_ENSURE_REF(pp);
    ES_ENSURE_MSG(pp->seal && pp->key && pp->cert && pp->data_hash, ES_ERR_USAGE_NULL,
                  "the seal, key, certificate and data hash are required");
    const char *pinfo = pp->property_info ? pp->property_info : "";
    for (const char *p = pinfo; *p; p++) {
        /* Q-PI-2: propertyInfo is an IA5String */
        ES_ENSURE_MSG((unsigned char)*p < 0x80, ES_ERR_USAGE_ARG,
                      "propertyInfo must be ASCII (IA5String): '%s'", pinfo);
    }
    int64_t t = pp->time ? pp->time : (int64_t)time(NULL);

    ES_GUARD_GOTO(es_seal_parse(&seal, pp->seal, pp->seal_len, 0, ES_PROFILE_LENIENT));
    if (seal.tlv.len != pp->seal_len) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_TRAILING, "bytes after the end of the seal");
    }
    if (seal.version == 1) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_VERSION,
                     "the seal is a GM/T 0031-2014 (v1) seal; eseal signs with v4 seals only");
    }
    if (!es_key_matches_cert(pp->key, pp->cert)) {
        ES_FAIL_GOTO(ES_ERR_POLICY_KEY_MISMATCH,
                     "the signing key does not match the certificate '%s'",
                     es_cert_subject(pp->cert));
    }
    if (!cert_listed(&seal, es_cert_der(pp->cert))) {
        ES_FAIL_GOTO(ES_ERR_POLICY_KEY_MISMATCH,
                     "the certificate '%s' is not one of the seal's signer certificates",
                     es_cert_subject(pp->cert));
    }
    if (!pp->allow_expired) {
        char a[21], z[21], now[21];
        es_time_format(seal.valid_start, a);
        es_time_format(seal.valid_end, z);
        es_time_format(t, now);
        if (t < seal.valid_start || t > seal.valid_end) {
            ES_FAIL_GOTO(ES_ERR_POLICY_SEAL_NOT_VALID,
                         "the seal '%s' is valid from %s to %s, not at %s", seal.esid, a, z, now);
        }
        if (t < es_cert_not_before(pp->cert) || t > es_cert_not_after(pp->cert)) {
            es_time_format(es_cert_not_before(pp->cert), a);
            es_time_format(es_cert_not_after(pp->cert), z);
            ES_FAIL_GOTO(ES_ERR_POLICY_CERT_NOT_VALID,
                         "the signer certificate is valid from %s to %s, not at %s", a, z, now);
        }
    }
    size_t outer, tbs;
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &outer));
    size_t tbs_at = b.len;
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &tbs));
    ES_GUARD_GOTO(es_derw_int(&b, seal.header_version));
    ES_GUARD_GOTO(es_derw_raw(&b, seal.tlv.ptr, seal.tlv.len));
    ES_GUARD_GOTO(es_derw_gentime(&b, t));
    ES_GUARD_GOTO(es_derw_bits(&b, pp->data_hash, 32));
    ES_GUARD_GOTO(es_derw_tlv(&b, ES_DER_IA5_STRING, pinfo, strlen(pinfo)));
    if (pp->status_answer) {
        ES_GUARD_GOTO(add_status_answer(pp, &seal, t, &b));
    }
    ES_GUARD_GOTO(es_derw_end(&b, tbs));
    size_t tbs_len = b.len - tbs_at;
    uint8_t sig[72];
    size_t sig_len;
    /* GB/T 38540-2020 7.1: the signer signs the TBS_Sign TLV */
    ES_GUARD_GOTO(es_sm2_sign_msg(pp->key, b.ptr + tbs_at, tbs_len, sig, &sig_len));
    es_bytes c = es_cert_der(pp->cert);
    ES_GUARD_GOTO(es_derw_tlv(&b, ES_DER_OCTET_STRING, c.ptr, c.len));
    ES_GUARD_GOTO(es_derw_oid(&b, ES_OID_SM2_SM3));
    ES_GUARD_GOTO(es_derw_bits(&b, sig, sig_len));
    if (pp->timestamp) {
        ES_GUARD_GOTO(add_timestamp(pp, sig, sig_len, &b));
    }
    ES_GUARD_GOTO(es_derw_end(&b, outer));
    ES_GUARD_GOTO(es_buf_take(&b, out_der, out_len));
out:
    es_seal_clear(&seal);
    es_buf_free(&b);
    return res;
}

int es_sign(es_ctx *ctx, const es_sign_params *params, uint8_t **out_der, size_t *out_len)
{
    *out_der = NULL;
    *out_len = 0;
    return es_ctx_take_error(ctx, sign(params, out_der, out_len));
}

int es_sign_data(es_ctx *ctx, const uint8_t *seal, size_t seal_len, const es_key *key,
                 const es_cert *cert, const uint8_t *data, size_t data_len, const char *name,
                 uint8_t **out_der, size_t *out_len)
{
    uint8_t h[32];
    es_sm3(data, data_len, h);
    es_sign_params p = {
        .seal = seal,
        .seal_len = seal_len,
        .key = key,
        .cert = cert,
        .data_hash = h,
        .property_info = name,
    };
    return es_sign(ctx, &p, out_der, out_len);
}
