/*
 * lib/verify/verify_recognition.c - the two mutual-recognition checks of a
 * seal signature (docs/trustlist.md, docs/transparency-log.md):
 *   status_answer: an eseald status answer embedded in TBS_Sign.extDatas,
 *     signed by a platform the reader trusts, says the seal was active at
 *     the signing time (and, with a log proof, that this was logged);
 *   trust_list: the seal maker (or its CA) was recognised when the seal was
 *     made, and the signer's CA when the signature was made.
 * Both write one report line each, after the other checks.
 */
#include <stdio.h>

#include "crypto/crypto.h"
#include "der/der.h"
#include "sdoc/sdoc_int.h"
#include "seal/seal_int.h"
#include "tlog/tlog_int.h"
#include "trustlist/trustlist_int.h"
#include "verify/report_int.h"

#define C_STATUS "docs/formats.md (status answer in TBS_Sign.extDatas)"
#define C_TL "docs/trustlist.md"

/* The platform certificate of a status answer, and whether it is trusted
 * at t: a recognised platform of the trust list, or chained to --trust. */
static ES_RESULT platform_of(const es_verify_opts *o, const struct es_sdoc *d, int64_t t,
                             es_cert **out, bool *trusted, char *why, size_t why_len)
{
    *out = NULL;
    *trusted = false;
    es_ctx *ctx = es_ctx_new();
    ES_ENSURE(ctx, ES_ERR_NOMEM);
    if (es_sdoc_signer_cert(ctx, d, out) != ES_OK) {
        *out = NULL;
    }
    es_ctx_free(ctx);
    long i = o && o->trust_list ? es_trustlist_find_platform(o->trust_list,
                                                             es_sdoc_signer_serial(d))
                                : -1;
    if (!*out && i >= 0) {
        const es_cert *c = NULL;
        (void)es_trustlist_entry(o->trust_list, (size_t)i, NULL, NULL, &c, NULL, NULL);
        *out = es_cert_dup(c);
        ES_ENSURE(*out, ES_ERR_NOMEM);
    }
    if (!*out) {
        snprintf(why, why_len, "the answer does not carry its signer's certificate (serial %s) "
                               "and no trust-list platform has that serial",
                 es_sdoc_signer_serial(d));
        return ES_RESULT_OK;
    }
    if (o && o->trust_list) {
        int64_t since = 0;
        size_t at = 0;
        es_tl_status s =
            es_trustlist_status_at(o->trust_list, ES_TL_PLATFORM, *out, 0, t, &since, &at);
        char when[21];
        es_time_format(since, when);
        if (s == ES_TL_RECOGNISED) {
            const char *name = NULL;
            (void)es_trustlist_entry(o->trust_list, at, NULL, &name, NULL, NULL, NULL);
            *trusted = true;
            snprintf(why, why_len, "platform '%s' recognised by the trust list since %s", name,
                     when);
            return ES_RESULT_OK;
        }
        if (s != ES_TL_NOT_LISTED) {
            snprintf(why, why_len, "the platform %s is %s in the trust list (since %s)",
                     es_cert_subject(*out), es_tl_status_name(s), when);
            return ES_RESULT_OK;
        }
    }
    if (o && o->trust && es_trust_count(o->trust) > 0 && !o->no_chain) {
        struct es_chain_result cr;
        ES_GUARD(es_chain_verify(o->trust, *out, NULL, 0, t, &cr));
        if (cr.built && cr.time_ok) {
            *trusted = true;
            snprintf(why, why_len, "platform certificate chained to %s", cr.anchor);
            return ES_RESULT_OK;
        }
        snprintf(why, why_len, "the platform certificate %s is not trusted: %s",
                 es_cert_subject(*out), cr.detail);
        return ES_RESULT_OK;
    }
    snprintf(why, why_len, "the platform certificate %s is neither in a trust list nor chained "
                           "to a --trust anchor",
             es_cert_subject(*out));
    return ES_RESULT_OK;
}

ES_RESULT es_verify_status_answer(struct es_entry *e, const es_verify_opts *o,
                                  const struct es_signature *g, bool time_known, int64_t t)
{
    const struct es_ext *x = NULL;
    for (size_t i = 0; i < g->n_ext && !x; i++) {
        if (strcmp(g->ext[i].oid, ES_OID_STATUS_ANSWER) == 0) {
            x = &g->ext[i];
        }
    }
    if (!x) {
        return ES_RESULT_OK; /* no line: the signature carries no answer */
    }
    struct es_status_answer a;
    es_cert *pc = NULL;
    es_result res = ES_RESULT_OK;
    char why[400];
    es_result pr = es_status_answer_read(x->value.ptr, x->value.len, &a);
    if (es_is_err(pr)) {
        return es_entry_check(e, "status_answer", ES_CHECK_FAILED, "STATUS_ANSWER_MALFORMED",
                              C_STATUS, "%s", es_error_detail());
    }
    bool trusted = false;
    ES_GUARD_GOTO(platform_of(o, a.doc, t, &pc, &trusted, why, sizeof(why)));
    if (!pc) {
        ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_INDETERMINATE,
                                     "STATUS_SIGNER_UNKNOWN", C_STATUS, "%s", why));
        goto out;
    }
    if (es_is_err(es_sdoc_check_sig(a.doc, pc))) {
        ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_FAILED,
                                     "STATUS_SIGNATURE_INVALID", C_STATUS, "%s",
                                     es_error_detail()));
        goto out;
    }
    if (!trusted) {
        ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_INDETERMINATE,
                                     "STATUS_SIGNER_UNTRUSTED", C_STATUS,
                                     "the answer says '%.60s' is %.20s, but %s", a.esid,
                                     a.status, why));
        goto out;
    }
    char tu[21], nu[21], at[21];
    es_time_format(a.this_update, tu);
    es_time_format(a.next_update, nu);
    es_time_format(t, at);
    if (strcmp(a.esid, g->seal.esid) != 0) {
        ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_FAILED, "STATUS_ESID_MISMATCH",
                                     C_STATUS, "the answer is about seal '%.60s', not '%.60s'",
                                     a.esid, g->seal.esid));
    } else if (!time_known) {
        ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_INDETERMINATE,
                                     "SIGNING_TIME_UNKNOWN", C_STATUS,
                                     "the answer is valid %s to %s; the signing time is unknown",
                                     tu, nu));
    } else if (t < a.this_update || t > a.next_update) {
        ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_FAILED,
                                     "STATUS_ANSWER_NOT_AT_SIGNING_TIME", C_STATUS,
                                     "the answer is valid %s to %s, the signing time is %s", tu,
                                     nu, at));
    } else if (strcmp(a.status, "active") != 0) {
        ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_FAILED, "STATUS_NOT_ACTIVE",
                                     C_STATUS,
                                     "the platform answered that seal '%.60s' was %.20s at %s",
                                     a.esid, a.status, tu));
    } else if (a.log) {
        es_tlog_head h;
        es_result lr = es_tlog_check_answer_log(a.log, pc, a.esid, a.status, &h);
        if (es_is_err(lr)) {
            ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_FAILED,
                                         "STATUS_LOG_PROOF_INVALID", C_STATUS, "%s",
                                         es_error_detail()));
        } else {
            ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_PASSED, "", C_STATUS,
                                         "seal '%.60s' active at %s (answer valid %s to %s; %s); "
                                         "logged in node %.60s's tree of %llu entries",
                                         a.esid, at, tu, nu, why, h.node,
                                         (unsigned long long)h.tree_size));
        }
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "status_answer", ES_CHECK_PASSED, "", C_STATUS,
                                     "seal '%.60s' active at %s (answer valid %s to %s; %s)",
                                     a.esid, at, tu, nu, why));
    }
out:
    es_cert_free(pc);
    es_status_answer_clear(&a);
    return res;
}

/* One party's recognition at time t, as a failure reason or NULL. */
static const char *judge(const es_trustlist *tl, es_tl_kind kind, const es_cert *c, int issuer,
                         int64_t t, const char *who, const char *when_what, char *msg,
                         size_t n, es_check_result *res)
{
    int64_t since = 0;
    size_t i = 0;
    es_tl_status s = es_trustlist_status_at(tl, kind, c, issuer, t, &since, &i);
    const char *name = "";
    (void)es_trustlist_entry(tl, i, NULL, &name, NULL, NULL, NULL);
    char ts[21], ss[21];
    es_time_format(t, ts);
    es_time_format(since, ss);
    switch (s) {
    case ES_TL_RECOGNISED:
        snprintf(msg, n, "%s '%s' recognised since %s", who, name, ss);
        *res = ES_CHECK_PASSED;
        return NULL;
    case ES_TL_WITHDRAWN:
        snprintf(msg, n, "%s '%s' was withdrawn from the trust list at %s, before %s (%s)", who,
                 name, ss, when_what, ts);
        *res = ES_CHECK_FAILED;
        return kind == ES_TL_MAKER ? "MAKER_WITHDRAWN" : "CA_WITHDRAWN";
    case ES_TL_NOT_YET:
        snprintf(msg, n, "%s '%s' is recognised only from %s, after %s (%s)", who, name, ss,
                 when_what, ts);
        *res = ES_CHECK_FAILED;
        return "NOT_YET_RECOGNISED";
    default:
        snprintf(msg, n, "%s %s is not in the trust list", who, es_cert_subject(c));
        *res = ES_CHECK_INDETERMINATE;
        return "NOT_IN_TRUST_LIST";
    }
}

/* The maker (listed as a maker, else through the CA that issued its
 * certificate), judged at `t`. */
static const char *judge_maker(const es_trustlist *tl, const es_cert *maker, int64_t t,
                               const char *when_what, char *msg, size_t n, es_check_result *res)
{
    if (es_trustlist_status_at(tl, ES_TL_MAKER, maker, 0, t, NULL, NULL) != ES_TL_NOT_LISTED) {
        return judge(tl, ES_TL_MAKER, maker, 0, t, "seal maker", when_what, msg, n, res);
    }
    return judge(tl, ES_TL_CA, maker, 1, t, "the CA of the seal maker", when_what, msg, n, res);
}

/* The TSA whose time stamp gave the signing time, known by its subject. */
static const char *judge_tsa(const es_trustlist *tl, const char *subject, int64_t t, char *msg,
                             size_t n, es_check_result *res)
{
    int64_t since = 0;
    size_t i = 0;
    es_tl_status s = es_tl_status_by_subject(tl, ES_TL_TSA, subject, t, &since, &i);
    char ts[21], ss[21];
    es_time_format(t, ts);
    es_time_format(since, ss);
    if (s == ES_TL_RECOGNISED) {
        snprintf(msg, n, "time-stamp authority '%s' recognised since %s", tl->e[i].name, ss);
        *res = ES_CHECK_PASSED;
        return NULL;
    }
    if (s == ES_TL_NOT_LISTED) {
        snprintf(msg, n, "the time-stamp authority %s that gave the signing time is not in the "
                         "trust list",
                 subject);
        *res = ES_CHECK_INDETERMINATE;
        return "TSA_NOT_IN_TRUST_LIST";
    }
    snprintf(msg, n, "time-stamp authority '%s' is %s in the trust list since %s, at the time "
                     "stamp's time %s",
             tl->e[i].name, es_tl_status_name(s), ss, ts);
    *res = ES_CHECK_FAILED;
    return s == ES_TL_WITHDRAWN ? "TSA_WITHDRAWN" : "NOT_YET_RECOGNISED";
}

ES_RESULT es_verify_trust_list(struct es_entry *e, const es_verify_opts *o,
                               const struct es_seal *s, const es_cert *signer, bool time_known,
                               int64_t t, const char *tsa_subject)
{
    const es_trustlist *tl = o ? o->trust_list : NULL;
    if (!tl) {
        return ES_RESULT_OK;
    }
    char nu[21];
    es_time_format(es_trustlist_next_update(tl), nu);
    if (es_trustlist_is_stale(tl)) {
        return es_entry_check(e, "trust_list", ES_CHECK_INDETERMINATE, "TRUST_LIST_STALE", C_TL,
                              "the trust list of %s (sequence %lld) was due for update at %s",
                              es_trustlist_region(tl), (long long)es_trustlist_seq(tl), nu);
    }
    es_cert *maker = NULL;
    if (es_cert_from_der(NULL, s->maker_cert.ptr, s->maker_cert.len, &maker) != ES_OK) {
        return es_entry_check(e, "trust_list", ES_CHECK_FAILED, "MAKER_CERT_UNREADABLE", C_TL,
                              "the seal maker certificate cannot be read");
    }
    /* the maker is judged when it made the seal (createDate); without one,
     * when the seal was used */
    bool made_known = s->create_date > 0;
    int64_t tm = made_known ? s->create_date : t;
    char m1[300] = "", m2[300] = "", m3[300] = "";
    es_check_result r1 = ES_CHECK_PASSED, r2 = ES_CHECK_PASSED, r3 = ES_CHECK_PASSED;
    const char *why1 = NULL, *why2 = NULL, *why3 = NULL;
    es_result res = ES_RESULT_OK;
    if (!made_known && !time_known) {
        ES_GUARD_GOTO(es_entry_check(e, "trust_list", ES_CHECK_INDETERMINATE,
                                     "SIGNING_TIME_UNKNOWN", C_TL,
                                     "neither the seal's creation time nor the signing time is "
                                     "known"));
        goto out;
    }
    why1 = judge_maker(tl, maker, tm, made_known ? "the seal was made" : "the signing time", m1,
                       sizeof(m1), &r1);
    if (signer && time_known) {
        why2 = judge(tl, ES_TL_CA, signer, 1, t, "the CA of the signer", "the signing time", m2,
                     sizeof(m2), &r2);
    }
    if (tsa_subject) {
        why3 = judge_tsa(tl, tsa_subject, t, m3, sizeof(m3), &r3);
    }
    /* the worst decides; FAILED before INDETERMINATE, the first of equals */
    es_check_result r = r1;
    const char *why = why1;
    const char *msg = m1;
    const es_check_result rs[2] = {r2, r3};
    const char *whys[2] = {why2, why3};
    const char *msgs[2] = {m2, m3};
    for (int k = 0; k < 2; k++) {
        if ((rs[k] == ES_CHECK_FAILED && r != ES_CHECK_FAILED) ||
            (rs[k] == ES_CHECK_INDETERMINATE && r == ES_CHECK_PASSED)) {
            r = rs[k];
            why = whys[k];
            msg = msgs[k];
        }
    }
    if (r == ES_CHECK_PASSED) {
        ES_GUARD_GOTO(es_entry_check(e, "trust_list", ES_CHECK_PASSED, "", C_TL,
                                     "%s%s%s%s%s (trust list of %s, sequence %lld)", m1,
                                     m2[0] ? "; " : "", m2, m3[0] ? "; " : "", m3,
                                     es_trustlist_region(tl), (long long)es_trustlist_seq(tl)));
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "trust_list", r, why, C_TL,
                                     "%s (trust list of %s, sequence %lld)", msg,
                                     es_trustlist_region(tl), (long long)es_trustlist_seq(tl)));
    }
out:
    es_cert_free(maker);
    return res;
}
