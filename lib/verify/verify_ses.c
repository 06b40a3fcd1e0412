/*
 * lib/verify/verify_ses.c - the verification pipeline for seals and seal
 * signatures (ses-format.md §6.3-§6.4, GB/T 38540-2020 §7.3). Each check
 * writes one line to the report, in a fixed order:
 *   structure, seal_signature, seal_maker_chain, seal_validity,
 *   signer_binding, signer_chain, data_hash, signature, timestamp.
 * Decoding only checked syntax; every semantic judgement is made here.
 */
#include <stdio.h>
#include <time.h>

#include "base/ctx_int.h"
#include "crypto/crypto.h"
#include "seal/seal_int.h"
#include "ts/ts_int.h"
#include "verify/report_int.h"

#define C_STRUCT "GB/T 38540-2020 7.3; GM/T 0031-2014 6.2.3"
#define C_SEALSIG "GB/T 38540-2020 6.3 (seal maker signature)"
#define C_CHAIN "GB/T 38540-2020 6.3; GB/T 20518"
#define C_VALID "GB/T 38540-2020 6.3 (seal validity)"
#define C_BIND "GB/T 38540-2020 7.3 (signer in seal)"
#define C_SIGNER "GB/T 38540-2020 7.3 (signer certificate)"
#define C_HASH "GB/T 38540-2020 7.3 (original data hash)"
#define C_SIG "GB/T 38540-2020 7.3 (signature value)"
#define C_TS "GB/T 38540-2020 7.1.6 (time stamp)"
#define C_TS_V1 "GM/T 0031-2014 7.3 (timeInfo: a time stamp or a time); ses-format.md Q-TIME-3"
#define C_TS_SEAL "ses-format.md §5 (v5 SESeal.timeStamp, coverage unspecified)"

static void fmt_time(int64_t t, char out[21]) { es_time_format(t, out); }

static es_result sig_quirks(struct es_entry *e, es_profile prof, unsigned sq, const char *what,
                            bool *strict_fail)
{
    *strict_fail = false;
    if (sq & ES_SQ_RAW64) {
        ES_GUARD(es_entry_warn(e, "Q-SIG-1", "%s is a raw 64-byte r||s, not DER", what));
    }
    if (sq & ES_SQ_SIGNLESS) {
        ES_GUARD(es_entry_warn(e, "Q-SIG-2", "%s has sign-less INTEGERs (read as unsigned)", what));
    }
    if (sq & ES_SQ_NONMINIMAL) {
        ES_GUARD(es_entry_warn(e, "Q-SIG-3", "%s has non-minimal INTEGERs", what));
    }
    *strict_fail = sq && prof == ES_PROFILE_STRICT;
    return ES_RESULT_OK;
}

/* see verify/report_int.h */
es_result es_verify_cert_check(struct es_entry *e, const es_verify_opts *o, const char *id,
                            const char *clause, const es_cert *cert, const es_cert *const *extra,
                            size_t n_extra, bool time_known, int64_t t, bool signer)
{
    char a[21], z[21], at[21];
    fmt_time(es_cert_not_before(cert), a);
    fmt_time(es_cert_not_after(cert), z);
    fmt_time(t, at);
    const char *who = es_cert_subject(cert);
    if (!time_known) {
        return es_entry_check(e, id, ES_CHECK_INDETERMINATE, "SIGNING_TIME_UNKNOWN", clause,
                              "%s: the signing time is unknown, validity cannot be judged", who);
    }
    if (t < es_cert_not_before(cert)) {
        return es_entry_check(e, id, ES_CHECK_FAILED, "CERT_NOT_YET_VALID", clause,
                              "%s is valid from %s, after the time %s", who, a, at);
    }
    if (t > es_cert_not_after(cert)) {
        return es_entry_check(e, id, ES_CHECK_FAILED, "CERT_EXPIRED", clause,
                              "%s expired on %s, before the time %s", who, z, at);
    }
    if (signer && !es_cert_usage_signing(cert)) {
        return es_entry_check(e, id, ES_CHECK_FAILED, "KEY_USAGE", clause,
                              "%s: keyUsage allows neither digitalSignature nor "
                              "nonRepudiation",
                              who);
    }
    if (o && o->no_chain) {
        return es_entry_check(e, id, ES_CHECK_WARNING, "CHAIN_NOT_CHECKED", clause,
                              "%s valid at %s; chain not checked (--no-chain)", who, at);
    }
    if (!o || !o->trust || es_trust_count(o->trust) == 0) {
        return es_entry_check(e, id, ES_CHECK_INDETERMINATE, "NO_TRUST_ANCHOR", clause,
                              "%s valid at %s, but no trust anchors were given", who, at);
    }
    struct es_chain_result cr;
    ES_GUARD(es_chain_verify(o->trust, cert, extra, n_extra, t, &cr));
    if (cr.sig_empty_id) {
        ES_GUARD(es_entry_warn(e, "SM2-ID", "a certificate in the chain of %s was signed with "
                                            "the empty SM2 ID, not 1234567812345678",
                               who));
    }
    if (cr.built && cr.time_ok) {
        return es_entry_check(e, id, ES_CHECK_PASSED, "", clause, "%s: %s valid at %s", who,
                              cr.detail, at);
    }
    if (cr.built && !cr.time_ok) {
        return es_entry_check(e, id, ES_CHECK_FAILED, "CHAIN_CERT_NOT_VALID_AT_TIME", clause,
                              "%s: %s at %s", who, cr.detail, at);
    }
    /* 7 = X509_V_ERR_CERT_SIGNATURE_FAILURE: a chain was found but is forged */
    if (cr.ossl_error == 7) {
        return es_entry_check(e, id, ES_CHECK_FAILED, "CHAIN_SIGNATURE_INVALID", clause, "%s: %s",
                              who, cr.detail);
    }
    return es_entry_check(e, id, ES_CHECK_INDETERMINATE, "CHAIN_NOT_BUILT", clause, "%s: %s",
                          who, cr.detail);
}

static es_result fill_seal_info(struct es_entry *e, const struct es_seal *s)
{
    e->has_seal = true;
    ES_GUARD(es_entry_set_str(&e->seal_esid, s->esid));
    ES_GUARD(es_entry_set_str(&e->seal_name, s->name));
    ES_GUARD(es_entry_set_str(&e->seal_vid, s->vid));
    e->seal_type = s->type;
    e->seal_version = s->version;
    e->seal_valid_start = s->valid_start;
    e->seal_valid_end = s->valid_end;
    return ES_RESULT_OK;
}

/* A v5 seal's own timeStamp [0]. No text we could read says what it covers;
 * by analogy with SES_Signature.timeStamp we check a token over the seal's
 * signatureValue. The field is not signed by the maker and nothing is
 * judged at its time, so a token that is not valid is a WARNING, never a
 * failure (ofdrw's test seal carries the placeholder 00 01 02 03). */
static es_result seal_timestamp_check(struct es_entry *e, const es_verify_opts *o,
                                      const struct es_seal *s)
{
    es_ts_verify_opts to = {.trust = o ? o->trust : NULL, .no_chain = o && o->no_chain};
    es_ts_info ti;
    ES_GUARD(es_ts_verify_int(&to, s->timestamp.ptr, s->timestamp.len, s->signed_value.ptr,
                              s->signed_value.len, NULL, 0, &ti));
    if (ti.status == ES_TS_VALID) {
        char gt[21];
        es_time_format(ti.gen_time, gt);
        return es_entry_check(e, "seal_timestamp", ES_CHECK_PASSED, "", C_TS_SEAL,
                              "the seal existed at %s: %s (serial %s) over its signatureValue",
                              gt, ti.detail, ti.serial_hex);
    }
    return es_entry_check(e, "seal_timestamp", ES_CHECK_WARNING, ti.reason, C_TS_SEAL,
                          "%s; the seal's time stamp is ignored (it is not signed by the maker "
                          "and nothing depends on it)",
                          ti.detail);
}

/* A v1 timeInfo that holds a time-stamp token (Q-TIME-3). The token sits
 * inside TBS_Sign, so it was made before the signature: checked against
 * dataHash, it proves that the data existed at genTime, and the signature is
 * later. Its genTime is therefore the signer's claimed signing time (as a
 * textual timeInfo is), never a proof that the signature existed then. */
static es_result v1_token_check(struct es_entry *e, const es_ts_info *ti)
{
    char gt[21];
    es_time_format(ti->gen_time, gt);
    if (ti->status == ES_TS_VALID) {
        return es_entry_check(e, "timeinfo_token", ES_CHECK_PASSED, "", C_TS_V1,
                              "%s (serial %s) over dataHash: the data existed at %s and the "
                              "signature was made after it; genTime is used as the claimed "
                              "signing time",
                              ti->detail, ti->serial_hex, gt);
    }
    es_check_result r = ES_CHECK_FAILED;
    if (ti->status == ES_TS_IMPRINT_MISMATCH) {
        /* GM/T 0031-2014 does not say what the token covers */
        r = ES_CHECK_WARNING;
    } else if (ti->status == ES_TS_UNTRUSTED || ti->status == ES_TS_NO_TRUST_ANCHOR ||
               ti->status == ES_TS_UNSUPPORTED) {
        r = ES_CHECK_INDETERMINATE;
    }
    return es_entry_check(e, "timeinfo_token", r, ti->reason, C_TS_V1, "%s%s%s", ti->detail,
                          ti->parsed ? "; its genTime is used as the claimed signing time: " : "",
                          ti->parsed ? gt : "");
}

/* S2-S4 for a decoded seal at time t. Returns the maker certificate (owned). */
static es_result seal_checks(struct es_entry *e, const es_verify_opts *o, es_profile prof,
                             const struct es_seal *s, bool time_known, int64_t t)
{
    es_cert *maker = NULL;
    es_result res = ES_RESULT_OK;
    /* S2: maker signature over eSealInfo (v4/v5) or SEQUENCE{sealInfo,cert,alg} (v1) */
    if (es_cert_from_der(NULL, s->maker_cert.ptr, s->maker_cert.len, &maker) != ES_OK) {
        ES_GUARD(es_entry_check(e, "seal_signature", ES_CHECK_FAILED, "MAKER_CERT_UNREADABLE",
                                C_SEALSIG, "the seal maker certificate cannot be read: %s",
                                es_error_detail()));
        ES_GUARD(es_entry_check(e, "seal_maker_chain", ES_CHECK_FAILED, "MAKER_CERT_UNREADABLE",
                                C_CHAIN, "no maker certificate"));
    } else if (strcmp(s->sign_alg, ES_OID_SM2_SM3) != 0 || !es_cert_pub(maker)) {
        ES_GUARD_GOTO(es_entry_check(e, "seal_signature", ES_CHECK_INDETERMINATE,
                                     "UNSUPPORTED_ALGORITHM", C_SEALSIG,
                                     "signature algorithm %s with a %s key is not supported",
                                     s->sign_alg, es_cert_pub(maker) ? "SM2" : "non-SM2"));
    } else {
        bool ok = false, sf;
        unsigned sq = 0;
        es_result vr = es_sm2_verify_msg(es_cert_pub(maker), s->maker_tbs.ptr, s->maker_tbs.len,
                                         s->signed_value.ptr, s->signed_value.len, &ok, &sq);
        ES_GUARD_GOTO(sig_quirks(e, prof, sq, "the seal maker signature", &sf));
        if (es_is_err(vr)) {
            ES_GUARD_GOTO(es_entry_check(e, "seal_signature", ES_CHECK_FAILED,
                                         "SIGNATURE_MALFORMED", C_SEALSIG, "%s",
                                         es_error_detail()));
        } else if (!ok) {
            ES_GUARD_GOTO(es_entry_check(
                e, "seal_signature", ES_CHECK_FAILED, "SEAL_SIGNATURE_INVALID", C_SEALSIG,
                "the seal maker's signature does not verify over %s with the key of %s",
                s->version == 1 ? "SEQUENCE{sealInfo, cert, signatureAlgorithm}" : "eSealInfo",
                es_cert_subject(maker)));
        } else if (sf) {
            ES_GUARD_GOTO(es_entry_check(e, "seal_signature", ES_CHECK_FAILED,
                                         "SIGNATURE_ENCODING", C_SEALSIG,
                                         "the signature verifies but is not DER (strict "
                                         "profile)"));
        } else {
            ES_GUARD_GOTO(es_entry_check(e, "seal_signature", ES_CHECK_PASSED, "", C_SEALSIG,
                                         "made by %s", es_cert_subject(maker)));
        }
    }
    if (maker) {
        ES_GUARD_GOTO(es_verify_cert_check(e, o, "seal_maker_chain", C_CHAIN, maker, NULL, 0, time_known,
                                 t, false));
    }
    if (s->has_timestamp) {
        ES_GUARD_GOTO(seal_timestamp_check(e, o, s));
    }
    /* S4: validStart <= t <= validEnd */
    char a[21], z[21], at[21];
    fmt_time(s->valid_start, a);
    fmt_time(s->valid_end, z);
    fmt_time(t, at);
    if (!time_known) {
        ES_GUARD_GOTO(es_entry_check(e, "seal_validity", ES_CHECK_INDETERMINATE,
                                     "SIGNING_TIME_UNKNOWN", C_VALID,
                                     "valid %s to %s; the signing time is unknown", a, z));
    } else if (t < s->valid_start) {
        ES_GUARD_GOTO(es_entry_check(e, "seal_validity", ES_CHECK_FAILED, "SEAL_NOT_YET_VALID",
                                     C_VALID, "the seal is valid from %s, after %s", a, at));
    } else if (t > s->valid_end) {
        ES_GUARD_GOTO(es_entry_check(e, "seal_validity", ES_CHECK_FAILED, "SEAL_EXPIRED", C_VALID,
                                     "the seal expired on %s, before %s", z, at));
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "seal_validity", ES_CHECK_PASSED, "", C_VALID,
                                     "valid %s to %s, in force at %s", a, z, at));
    }
out:
    es_cert_free(maker);
    return res;
}

static es_result copy_warnings(struct es_entry *e, const struct es_warnings *w)
{
    for (size_t i = 0; i < w->n; i++) {
        ES_GUARD(es_entry_warn(e, w->v[i].code, "%s (offset %zu)", w->v[i].msg, w->v[i].off));
    }
    return ES_RESULT_OK;
}

es_result es_verify_seal_into(es_report *r, const es_verify_opts *o, es_profile prof,
                              const uint8_t *seal, size_t seal_len, struct es_entry **out)
{
    struct es_entry *e;
    struct es_seal s;
    ES_GUARD(es_report_add(r, "seal", "seal", &e));
    if (out) {
        *out = e;
    }
    int64_t t = o && o->at ? o->at : (int64_t)time(NULL);
    snprintf(e->time_source, sizeof(e->time_source), "%s",
             o && o->at ? "time given by the caller" : "verification time");
    e->time = t;
    e->time_known = true;
    es_result pr = es_seal_parse(&s, seal, seal_len, 0, prof);
    if (es_is_ok(pr) && s.tlv.len != seal_len) {
        es_seal_clear(&s);
        pr = es_error_set(ES_ERR_FORMAT_TRAILING, __FILE__, __LINE__,
                          "%zu bytes after the end of the SESeal", seal_len - s.tlv.len);
    }
    if (es_is_err(pr)) {
        return es_entry_check(e, "structure", ES_CHECK_FAILED, es_error_name(pr.rc), C_STRUCT,
                              "%s", es_error_detail());
    }
    es_result res = ES_RESULT_OK;
    e->version = s.version;
    ES_GUARD_GOTO(fill_seal_info(e, &s));
    ES_GUARD_GOTO(copy_warnings(e, &s.w));
    ES_GUARD_GOTO(es_entry_check(e, "structure", ES_CHECK_PASSED, "", C_STRUCT,
                                 "SESeal v%d (header version %lld, vendor %s)%s", s.version,
                                 (long long)s.header_version, s.vid,
                                 s.w.n ? "; quirks tolerated, see notes" : ""));
    ES_GUARD_GOTO(seal_checks(e, o, prof, &s, true, t));
    ES_GUARD_GOTO(es_verify_trust_list(e, o, &s, NULL, true, t, NULL));
out:
    es_seal_clear(&s);
    return res;
}

static bool digest_matches(const struct es_seal *s, size_t i, es_bytes der, char *alg, size_t n)
{
    uint8_t d[64];
    size_t dl = 32;
    es_sm3(der.ptr, der.len, d);
    if (s->certs[i].len == 32 && memcmp(d, s->certs[i].ptr, 32) == 0) {
        snprintf(alg, n, "SM3");
        return true;
    }
    static const char *algs[] = {"SHA256", "SHA1"};
    for (size_t k = 0; k < 2; k++) {
        if (es_is_ok(es_digest_other(algs[k], der.ptr, der.len, d, &dl)) &&
            s->certs[i].len == dl && memcmp(d, s->certs[i].ptr, dl) == 0) {
            snprintf(alg, n, "%s", algs[k]);
            return true;
        }
    }
    es_error_clear();
    return false;
}

/* V8's report line for a token already verified (GB/T 38540-2020 7.1.6, 7.3). */
static es_result timestamp_check(struct es_entry *e, const struct es_signature *g,
                                 const es_ts_info *tsi, bool used)
{
    char gt[21], ti[21];
    es_time_format(tsi->gen_time, gt);
    es_time_format(g->time, ti);
    if (used && strstr(tsi->detail, "chain not checked")) {
        return es_entry_check(e, "timestamp", ES_CHECK_WARNING, "TIMESTAMP_CHAIN_NOT_CHECKED",
                              C_TS, "%s; its time was used", tsi->detail);
    }
    if (used) {
        return es_entry_check(e, "timestamp", ES_CHECK_PASSED, "", C_TS,
                              "%s (serial %s); the seal and the certificates were judged at "
                              "this proven time",
                              tsi->detail, tsi->serial_hex);
    }
    if (tsi->status == ES_TS_VALID) {
        /* ses-format.md §6.4 V8: timeInfo must not be later than the time stamp */
        return es_entry_check(e, "timestamp", ES_CHECK_FAILED, "TIMESTAMP_BEFORE_TIMEINFO", C_TS,
                              "the signer claims %s (timeInfo), later than the time stamp %s "
                              "over the signature",
                              ti, gt);
    }
    es_check_result r = ES_CHECK_FAILED;
    if (tsi->status == ES_TS_UNTRUSTED || tsi->status == ES_TS_NO_TRUST_ANCHOR ||
        tsi->status == ES_TS_UNSUPPORTED) {
        r = ES_CHECK_INDETERMINATE;
    }
    return es_entry_check(e, "timestamp", r, tsi->reason, C_TS,
                          "%s; the signer's claimed time was used", tsi->detail);
}

es_result es_verify_ses_into(es_report *r, const es_verify_opts *o, es_profile prof,
                             const char *id, const uint8_t *sig, size_t sig_len,
                             const uint8_t *actual_hash, size_t actual_hash_len,
                             struct es_entry **out)
{
    struct es_entry *e;
    struct es_signature g;
    es_cert *signer = NULL;
    es_result res = ES_RESULT_OK;
    ES_GUARD(es_report_add(r, id ? id : "signature", "ses-signature", &e));
    if (out) {
        *out = e;
    }
    /* V1 format */
    es_result pr = es_signature_parse(&g, sig, sig_len, prof);
    if (es_is_err(pr)) {
        return es_entry_check(e, "structure", ES_CHECK_FAILED, es_error_name(pr.rc), C_STRUCT,
                              "%s", es_error_detail());
    }
    e->version = g.version;
    ES_GUARD_GOTO(fill_seal_info(e, &g.seal));
    ES_GUARD_GOTO(es_entry_set_str(&e->property_info, g.property_info));
    ES_GUARD_GOTO(copy_warnings(e, &g.w));
    e->time_known = g.time_known;
    e->time = g.time;
    snprintf(e->time_source, sizeof(e->time_source), "%s",
             g.time_known ? "timeInfo, as claimed by the signer" : "unknown");
    ES_GUARD_GOTO(es_entry_check(e, "structure", ES_CHECK_PASSED, "", C_STRUCT,
                                 "SES_Signature v%d with a v%d seal (vendor %s)%s", g.version,
                                 g.seal.version, g.seal.vid,
                                 g.w.n ? "; quirks tolerated, see notes" : ""));

    bool have_signer = es_cert_from_der(NULL, g.cert.ptr, g.cert.len, &signer) == ES_OK;
    if (have_signer) {
        ES_GUARD_GOTO(es_entry_set_str(&e->signer, es_cert_subject(signer)));
    }

    /* V8 is decided first (its report line stays last): a valid token over the
     * signature value proves the signature existed at genTime, and that time,
     * not the signer's claim, is the one V4-V6 judge (ses-format.md §6.4). */
    bool time_known = g.time_known;
    int64_t t_sign = g.time;
    es_ts_info tsi;
    bool ts_used = false;
    if (g.has_timestamp) {
        es_ts_verify_opts to = {.trust = o ? o->trust : NULL, .no_chain = o && o->no_chain};
        ES_GUARD_GOTO(es_ts_verify_int(&to, g.timestamp.ptr, g.timestamp.len, g.signature.ptr,
                                       g.signature.len, NULL, 0, &tsi));
        ts_used = tsi.status == ES_TS_VALID && (!g.time_known || g.time <= tsi.gen_time);
        if (ts_used) {
            time_known = true;
            t_sign = tsi.gen_time;
            e->time_known = true;
            e->time = tsi.gen_time;
            /* "time stamp of <TSA subject>", cut to the report's field */
            char ts_src[sizeof(e->time_source)];
            size_t pre = strlen("time stamp of ");
            memcpy(ts_src, "time stamp of ", pre);
            size_t room = sizeof(ts_src) - pre - 1;
            size_t sl = strlen(tsi.tsa_subject);
            sl = sl < room ? sl : room;
            memcpy(ts_src + pre, tsi.tsa_subject, sl);
            ts_src[pre + sl] = '\0';
            memcpy(e->time_source, ts_src, sizeof(ts_src));
        }
    }

    es_ts_info v1i;
    if (g.time_is_token) {
        es_ts_verify_opts to = {.trust = o ? o->trust : NULL, .no_chain = o && o->no_chain};
        ES_GUARD_GOTO(es_ts_verify_int(&to, g.time_raw.ptr, g.time_raw.len, NULL, 0,
                                       g.data_hash.ptr, g.data_hash.len, &v1i));
        if (v1i.parsed && !ts_used) {
            time_known = true;
            t_sign = v1i.gen_time;
            e->time_known = true;
            e->time = v1i.gen_time;
            /* never "time stamp of ...": that prefix means a proven signing time */
            snprintf(e->time_source, sizeof(e->time_source), "%s",
                     "timeInfo (v1): genTime of a token over dataHash, claimed");
        }
    }

    /* V4: the seal, judged at the signing time */
    ES_GUARD_GOTO(seal_checks(e, o, prof, &g.seal, time_known, t_sign));

    /* V3: signer certificate listed in the seal */
    if (!have_signer) {
        ES_GUARD_GOTO(es_entry_check(e, "signer_binding", ES_CHECK_FAILED,
                                     "SIGNER_CERT_UNREADABLE", C_BIND,
                                     "the signer certificate cannot be read"));
    } else if (g.seal.cert_list_kind == ES_CL_STRINGS || g.seal.n_certs == 0) {
        ES_GUARD_GOTO(es_entry_check(e, "signer_binding", ES_CHECK_INDETERMINATE,
                                     "BINDING_UNCHECKABLE", C_BIND,
                                     "the seal lists no certificates (Q-V1-2); the binding "
                                     "of the signer to the seal cannot be checked"));
    } else {
        es_bytes der = es_cert_der(signer);
        bool found = false;
        char how[32] = "";
        for (size_t i = 0; i < g.seal.n_certs && !found; i++) {
            if (g.seal.cert_list_kind == ES_CL_CERTS) {
                found = g.seal.certs[i].len == der.len &&
                        memcmp(g.seal.certs[i].ptr, der.ptr, der.len) == 0;
                snprintf(how, sizeof(how), "exact DER");
            } else {
                found = digest_matches(&g.seal, i, der, how, sizeof(how));
            }
        }
        if (found) {
            ES_GUARD_GOTO(es_entry_check(e, "signer_binding", ES_CHECK_PASSED, "", C_BIND,
                                         "the signer certificate is listed in the seal (%s "
                                         "match)",
                                         how));
        } else {
            ES_GUARD_GOTO(es_entry_check(e, "signer_binding", ES_CHECK_FAILED,
                                         "SIGNER_NOT_IN_SEAL", C_BIND,
                                         "%s is not among the %zu certificate(s) of the seal",
                                         es_cert_subject(signer), g.seal.n_certs));
        }
    }

    /* V5/V6: signer certificate chain, usage and validity at the signing time */
    if (have_signer) {
        ES_GUARD_GOTO(es_verify_cert_check(e, o, "signer_chain", C_SIGNER, signer, NULL, 0, time_known,
                                 t_sign, true));
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "signer_chain", ES_CHECK_FAILED, "SIGNER_CERT_UNREADABLE",
                                     C_SIGNER, "the signer certificate cannot be read"));
    }

    /* V7: data hash */
    if (!actual_hash) {
        ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_INDETERMINATE, "DATA_NOT_PROVIDED",
                                     C_HASH, "the signed data was not provided"));
    } else if (g.data_hash.len != actual_hash_len) {
        ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_FAILED, "DATA_HASH_MISMATCH",
                                     C_HASH, "dataHash has %zu bytes, an SM3 digest has %zu",
                                     g.data_hash.len, actual_hash_len));
    } else if (!es_ct_equal(g.data_hash.ptr, actual_hash, actual_hash_len)) {
        ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_FAILED, "DATA_HASH_MISMATCH",
                                     C_HASH,
                                     "the data was changed after signing: its SM3 digest "
                                     "differs from dataHash"));
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_PASSED, "", C_HASH,
                                     "SM3 of the data equals dataHash"));
    }

    /* V2: the signature value over the exact TBS_Sign bytes */
    if (!have_signer || !es_cert_pub(signer) || strcmp(g.sign_alg, ES_OID_SM2_SM3) != 0) {
        ES_GUARD_GOTO(es_entry_check(e, "signature", have_signer ? ES_CHECK_INDETERMINATE
                                                                 : ES_CHECK_FAILED,
                                     have_signer ? "UNSUPPORTED_ALGORITHM"
                                                 : "SIGNER_CERT_UNREADABLE",
                                     C_SIG, "signature algorithm %s cannot be verified",
                                     g.sign_alg));
    } else {
        bool ok = false, sf;
        unsigned sq = 0;
        const struct es_sm2_pub *pub = es_cert_pub(signer);
        es_result vr = es_sm2_verify_msg(pub, g.tbs_tlv.ptr, g.tbs_tlv.len, g.signature.ptr,
                                         g.signature.len, &ok, &sq);
        bool over_hash = false;
        if (es_is_ok(vr) && !ok && g.data_hash.len == 32 && prof == ES_PROFILE_LENIENT) {
            /* Q-SIG-4: some v1 producers sign dataHash as the SM2 digest e */
            bool ok2 = false;
            if (es_is_ok(es_sm2_verify_e(pub, g.data_hash.ptr, g.signature.ptr, g.signature.len,
                                         &ok2, NULL)) &&
                ok2) {
                ok = true;
                over_hash = true;
            }
        }
        ES_GUARD_GOTO(sig_quirks(e, prof, sq, "the signer signature", &sf));
        if (es_is_err(vr)) {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_FAILED, "SIGNATURE_MALFORMED",
                                         C_SIG, "%s", es_error_detail()));
        } else if (!ok) {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_FAILED, "SIGNATURE_INVALID",
                                         C_SIG,
                                         "the signature does not verify over TBS_Sign with the "
                                         "signer's key"));
        } else if (sf) {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_FAILED, "SIGNATURE_ENCODING",
                                         C_SIG, "the signature verifies but is not DER (strict "
                                                "profile)"));
        } else if (over_hash) {
            ES_GUARD_GOTO(es_entry_warn(e, "Q-SIG-4",
                                        "the signer signed dataHash directly as the SM2 digest; "
                                        "TBS_Sign itself is not protected"));
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_PASSED, "", C_SIG,
                                         "valid over dataHash only (non-standard input)"));
        } else {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_PASSED, "", C_SIG,
                                         "SM2/SM3 signature over TBS_Sign is valid"));
        }
    }

    /* V8: time stamp */
    if (g.has_timestamp) {
        ES_GUARD_GOTO(timestamp_check(e, &g, &tsi, ts_used));
    }
    if (g.time_is_token) {
        ES_GUARD_GOTO(v1_token_check(e, &v1i));
    }
    ES_GUARD_GOTO(es_verify_status_answer(e, o, &g, time_known, t_sign));
    ES_GUARD_GOTO(es_verify_trust_list(e, o, &g.seal, have_signer ? signer : NULL, time_known,
                                       t_sign, ts_used ? tsi.tsa_subject : NULL));
out:
    es_cert_free(signer);
    es_signature_clear(&g);
    return res;
}

/* ---- public API ---- */

int es_verify_seal(es_ctx *ctx, const es_verify_opts *opts, const uint8_t *seal, size_t seal_len,
                   es_report **out)
{
    es_report *r = NULL;
    *out = NULL;
    es_result res = es_report_new(opts, &r);
    if (es_is_ok(res)) {
        res = es_verify_seal_into(r, opts, es_ctx_get_profile(ctx), seal, seal_len, NULL);
    }
    if (es_is_err(res)) {
        es_report_free(r);
        return es_ctx_take_error(ctx, res);
    }
    es_report_finish(r);
    *out = r;
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}

int es_verify_detached(es_ctx *ctx, const es_verify_opts *opts, const uint8_t *sig,
                       size_t sig_len, const uint8_t *data, size_t data_len, es_report **out)
{
    es_report *r = NULL;
    uint8_t h[32];
    *out = NULL;
    if (data) {
        es_sm3(data, data_len, h);
    }
    es_result res = es_report_new(opts, &r);
    if (es_is_ok(res)) {
        res = es_verify_ses_into(r, opts, es_ctx_get_profile(ctx), "signature", sig, sig_len,
                                 data ? h : NULL, 32, NULL);
    }
    if (es_is_err(res)) {
        es_report_free(r);
        return es_ctx_take_error(ctx, res);
    }
    es_report_finish(r);
    *out = r;
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}
