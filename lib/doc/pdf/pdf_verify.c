/*
 * lib/doc/pdf/pdf_verify.c - the PDF verification pipeline: one report
 * entry per signature of any revision, with the document checks
 * (pdf_structure, byte_range, revisions, stamp, mdp) before the checks of
 * the signature kind (pdf_cms.c). See eseal/pdf.h for the contract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"
#include "verify/report_int.h"

#define C_SIG "ISO 32000-1 12.8.1 (signature dictionary)"
#define C_BR "ISO 32000-1 12.8.1 (ByteRange); pdf-seal.md 5"
#define C_REV "ISO 32000-1 7.5.6, 12.8.2.2 (incremental updates)"
#define C_STAMP "ISO 32000-1 12.5.6.19 (widget); pdf-seal.md 3"
#define C_MDP "ISO 32000-1 12.8.2.2-3 (DocMDP, FieldMDP)"

/* The document checks go first: move the kind's checks after them. */
static es_result prepend(struct es_entry *e, struct es_entry *pre)
{
    ES_ENSURE_MSG(pre->n_checks + e->n_checks <= ES_REPORT_MAX_CHECKS, ES_ERR_LIMIT_COUNT,
                  "too many checks for one signature");
    memmove(&e->checks[pre->n_checks], &e->checks[0], e->n_checks * sizeof(e->checks[0]));
    memcpy(&e->checks[0], pre->checks, pre->n_checks * sizeof(e->checks[0]));
    e->n_checks += pre->n_checks;
    for (size_t i = 0; i < pre->n_warn; i++) {
        ES_GUARD(es_entry_warn(e, pre->warn[i].code, "%s", pre->warn[i].msg));
    }
    return ES_RESULT_OK;
}

/* The hole is "<hex>" and its hex is exactly the /Contents qpdf read (not
 * another string), the padding included. */
static bool hole_is_contents(const struct es_pdf_doc *d, size_t hs, size_t he,
                             const struct es_pdf_sig *s)
{
    if (he - hs < 2 || d->p[hs] != '<' || d->p[he - 1] != '>' || (he - hs - 2) % 2 ||
        (he - hs - 2) / 2 != s->contents_len) {
        return false;
    }
    if (s->hex_end && s->hex_off == hs && s->hex_end == he) {
        return true; /* read from these very bytes (pdf_sigdict.c) */
    }
    uint8_t *b = es_malloc(s->contents_len ? s->contents_len : 1);
    bool same = b && es_pdf_hex_decode(d->p + hs + 1, s->contents_len, b) &&
                memcmp(b, s->contents, s->contents_len) == 0;
    es_free(b);
    return same;
}

static size_t rev_index(const struct es_pdf_doc *d, size_t end)
{
    for (size_t i = 0; i < d->n_rev; i++) {
        /* producers end the range after "%%EOF" or after its end of line */
        if (end >= d->rev_eof[i] && end <= d->rev_end[i]) {
            return i;
        }
    }
    return d->n_rev;
}

/* byte_range: [0 a b c], hole = the /Contents hex string, b+c = a revision end. */
static es_result check_range(struct es_entry *pre, const struct es_pdf_doc *d,
                             const struct es_pdf_sig *s, size_t *out_end)
{
    *out_end = 0;
    if (!s->br_ok) {
        return es_entry_check(pre, "byte_range", ES_CHECK_FAILED, "BYTE_RANGE_INVALID", C_BR,
                              "/ByteRange is not an array of four integers");
    }
    const int64_t *b = s->br;
    if (b[0] != 0 || b[1] <= 0 || b[2] < 0 || b[3] < 0) {
        return es_entry_check(pre, "byte_range", ES_CHECK_FAILED, "BYTE_RANGE_INVALID", C_BR,
                              "[%lld %lld %lld %lld] does not start at 0 with positive "
                              "lengths",
                              (long long)b[0], (long long)b[1], (long long)b[2],
                              (long long)b[3]);
    }
    if (b[2] < b[1]) {
        return es_entry_check(pre, "byte_range", ES_CHECK_FAILED, "BYTE_RANGE_OVERLAP", C_BR,
                              "the second range (from %lld) overlaps the first (to %lld)",
                              (long long)b[2], (long long)b[1]);
    }
    if ((uint64_t)b[2] > d->n || (uint64_t)b[3] > d->n - (uint64_t)b[2]) {
        return es_entry_check(pre, "byte_range", ES_CHECK_FAILED, "BYTE_RANGE_PAST_END", C_BR,
                              "the ranges end at %lld, past the end of the file (%zu bytes)",
                              (long long)(b[2] + b[3]), d->n);
    }
    size_t hs = (size_t)b[1], he = (size_t)b[2];
    if (!hole_is_contents(d, hs, he, s)) {
        return es_entry_check(pre, "byte_range", ES_CHECK_FAILED, "BYTE_RANGE_GAP", C_BR,
                              "the unsigned gap %zu-%zu is not exactly this signature's "
                              "/Contents hex string: bytes outside the signature are left "
                              "unprotected",
                              hs, he);
    }
    size_t end = (size_t)(b[2] + b[3]);
    size_t ri = rev_index(d, end);
    if (ri == d->n_rev) {
        return es_entry_check(pre, "byte_range", ES_CHECK_FAILED, "BYTE_RANGE_NOT_REVISION",
                              C_BR,
                              "the ranges end at %zu, which is not the end of a revision "
                              "(%%%%EOF): part of an update is signed",
                              end);
    }
    *out_end = end;
    return es_entry_check(pre, "byte_range", ES_CHECK_PASSED, "", C_BR,
                          "[0 %lld %lld %lld]: revision %zu of %zu, everything but the "
                          "/Contents hole",
                          (long long)b[1], (long long)b[2], (long long)b[3], ri + 1, d->n_rev);
}

static es_result check_later(struct es_entry *pre, struct es_pdf_doc *d,
                             const struct es_pdf_sig *s, size_t end,
                             struct es_pdf_changes *ch, bool *out_diffed)
{
    *out_diffed = false;
    if (s->rev_end != d->n) {
        return es_entry_check(pre, "revisions", ES_CHECK_FAILED, "SIGNATURE_REMOVED", C_REV,
                              "the signature is in revision ending at %zu but a later "
                              "revision removed or replaced its field",
                              s->rev_end);
    }
    if (end == 0) {
        return es_entry_check(pre, "revisions", ES_CHECK_INDETERMINATE, "BYTE_RANGE_INVALID",
                              C_REV, "unknown: the ByteRange is not usable");
    }
    size_t later = d->n_rev - 1 - rev_index(d, end);
    if (later == 0) {
        return es_entry_check(pre, "revisions", ES_CHECK_PASSED, "", C_REV,
                              "the signature covers the whole file: no later revision");
    }
    es_result dr = es_pdf_diff(d, end, s, ch);
    if (es_is_err(dr)) {
        if (dr.rc == ES_ERR_NOMEM) {
            return dr;
        }
        es_result cr = es_entry_check(pre, "revisions", ES_CHECK_FAILED, "REVISION_UNREADABLE",
                                      C_REV, "%zu later revision(s) cannot be compared: %s",
                                      later, es_error_detail());
        es_error_clear();
        return cr;
    }
    *out_diffed = true;
    if (ch->n_content) {
        return es_entry_check(pre, "revisions", ES_CHECK_FAILED, "CONTENT_CHANGED", C_REV,
                              "%zu later revision(s) changed the document after signing: %s",
                              later, ch->content);
    }
    return es_entry_check(pre, "revisions", ES_CHECK_WARNING, "LATER_REVISIONS", C_REV,
                          "%zu later revision(s), no content change: %zu signature "
                          "object(s), %zu form change(s), %zu annotation change(s), %zu new "
                          "object(s)",
                          later, ch->n_sig, ch->n_form, ch->n_annot, ch->n_new);
}

static es_result check_stamp(struct es_entry *pre, const struct es_pdf_doc *d,
                             const struct es_pdf_sig *s, const struct es_pdf_changes *ch)
{
    if (ch->stamp_changed) {
        return es_entry_check(pre, "stamp", ES_CHECK_FAILED, "STAMP_CHANGED", C_STAMP,
                              "a later revision moved or replaced the stamp: %s", ch->stamp);
    }
    if (s->n_widgets == 0) {
        return es_entry_check(pre, "stamp", ES_CHECK_WARNING, "NO_WIDGET", C_STAMP,
                              "the field has no widget annotation");
    }
    if (s->page < 0 || s->page >= d->n_pages) {
        return es_entry_check(pre, "stamp", ES_CHECK_WARNING, "WIDGET_NOT_ON_PAGE", C_STAMP,
                              "the widget's /P names no page of the document");
    }
    double w = s->rect[2] - s->rect[0], h = s->rect[3] - s->rect[1];
    if (!s->has_rect || w <= 0 || h <= 0) {
        return es_entry_check(pre, "stamp", ES_CHECK_PASSED, "", C_STAMP,
                              "an invisible signature (page %d)", s->page + 1);
    }
    return es_entry_check(pre, "stamp", ES_CHECK_PASSED, "", C_STAMP,
                          "%d widget(s); on page %d at [%.1f %.1f %.1f %.1f] (%.1f x %.1f mm)",
                          s->n_widgets, s->page + 1, s->rect[0], s->rect[1], s->rect[2],
                          s->rect[3], w * 25.4 / 72, h * 25.4 / 72);
}

static es_result check_mdp(struct es_entry *pre, const struct es_pdf_sig *s,
                           const struct es_pdf_changes *ch, bool diffed)
{
    if (!s->docmdp_p && !s->fieldmdp) {
        return ES_RESULT_OK;
    }
    if (!diffed) {
        return es_entry_check(pre, "mdp", ES_CHECK_PASSED, "", C_MDP,
                              "%s%s: no later change", s->docmdp_p ? "certified" : "",
                              s->fieldmdp ? (s->docmdp_p ? ", fields locked" : "fields locked")
                                          : "");
    }
    /* the stricter of DocMDP /P and the field lock's /P (same meaning) */
    int level = s->docmdp_p;
    const char *by = "certified with DocMDP";
    if (s->lock_p && (!level || s->lock_p < level)) {
        level = s->lock_p;
        by = "the field lock has";
    }
    if (level == 1) {
        return es_entry_check(pre, "mdp", ES_CHECK_FAILED, "MDP_VIOLATED", C_MDP,
                              "%s /P 1 (no changes), yet later revisions exist", by);
    }
    if (level == 2 && ch->n_annot) {
        return es_entry_check(pre, "mdp", ES_CHECK_FAILED, "MDP_VIOLATED", C_MDP,
                              "%s /P 2 (form filling and signing only), yet %zu annotation "
                              "change(s) followed",
                              by, ch->n_annot);
    }
    if (s->fieldmdp && ch->locked_field_changed) {
        return es_entry_check(pre, "mdp", ES_CHECK_FAILED, "MDP_VIOLATED", C_MDP,
                              "FieldMDP %s locks the fields, yet %s",
                              s->fieldmdp_action[0] ? s->fieldmdp_action : "(lock)",
                              ch->locked);
    }
    return es_entry_check(pre, "mdp", ES_CHECK_PASSED, "", C_MDP,
                          "the later changes are allowed%s%s",
                          s->docmdp_p ? " by DocMDP" : "", s->fieldmdp ? " and the field lock"
                                                                       : "");
}

static es_result verify_one(es_report *r, const es_verify_opts *o, es_profile prof,
                            struct es_pdf_doc *d, const struct es_pdf_sig *s, const char *id)
{
    struct es_entry pre;
    memset(&pre, 0, sizeof(pre));
    es_result res = ES_RESULT_OK;
    size_t der_len = s->has_contents ? es_pdf_der_len(s->contents, s->contents_len) : 0;
    const char *kind = der_len ? es_pdf_contents_kind(s->contents, der_len, NULL) : "unknown";
    if (!s->has_contents) {
        ES_GUARD_GOTO(es_entry_check(&pre, "pdf_structure", ES_CHECK_FAILED, "NO_CONTENTS",
                                     C_SIG, "the signature dictionary has no /Contents string"));
    } else {
        ES_GUARD_GOTO(es_entry_check(&pre, "pdf_structure", ES_CHECK_PASSED, "", C_SIG,
                                     "/Filter %.60s /SubFilter %.60s; /Contents: %zu bytes of "
                                     "%zu reserved (%s)%s%s",
                                     s->filter[0] ? s->filter : "-",
                                     s->subfilter[0] ? s->subfilter : "-", der_len,
                                     s->contents_len, kind, s->m[0] ? "; /M " : "", s->m));
    }
    bool ses = strcmp(kind, "ses-signature") == 0;
    if ((strcmp(s->subfilter, "GM.sm2seal") == 0) != ses && der_len) {
        ES_GUARD_GOTO(es_entry_warn(&pre, "P-SUBFILTER", "/SubFilter %.60s but /Contents is "
                                                         "%s: verified by its content",
                                    s->subfilter[0] ? s->subfilter : "(none)", kind));
    }
    size_t end = 0;
    ES_GUARD_GOTO(check_range(&pre, d, s, &end));
    struct es_pdf_changes ch;
    memset(&ch, 0, sizeof(ch));
    bool diffed = false;
    ES_GUARD_GOTO(check_later(&pre, d, s, end, &ch, &diffed));
    ES_GUARD_GOTO(check_stamp(&pre, d, s, &ch));
    ES_GUARD_GOTO(check_mdp(&pre, s, &ch, diffed));
    struct es_entry *e = NULL;
    ES_GUARD_GOTO(es_pdf_verify_contents(r, o, prof, id, d, s, s->contents,
                                         der_len ? der_len : 0, &e));
    ES_GUARD_GOTO(prepend(e, &pre));
out:
    es_free(pre.warn);
    return res;
}

/* One entry per signature of v (freed here). */
static es_result verify_sigs(es_report *r, const es_verify_opts *o, es_profile prof,
                             struct es_pdf_doc *d, struct es_pdf_sig *v, size_t n)
{
    es_result res = ES_RESULT_OK;
    for (size_t i = 0; i < n; i++) {
        char id[64], base[61];
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++) {
            dup = strcmp(v[k].name, v[i].name) == 0;
        }
        size_t l = strnlen(v[i].name, dup ? 40 : 60);
        memcpy(base, v[i].name, l);
        base[l] = '\0';
        es_pdf_utf8_cut(base);
        if (dup) {
            snprintf(id, sizeof(id), "%.40s#%zu", base, i + 1);
        } else {
            snprintf(id, sizeof(id), "%.60s", base);
        }
        ES_GUARD_GOTO(verify_one(r, o, prof, d, &v[i], id));
    }
out:
    es_pdf_sigs_free(v, n);
    return res;
}

es_result es_pdf_verify_doc(es_report *r, const es_verify_opts *o, es_profile prof,
                            struct es_pdf_doc *d)
{
    struct es_pdf_sig *v = NULL;
    size_t n = 0;
    ES_GUARD(es_pdf_sigs_all(d, &v, &n));
    return verify_sigs(r, o, prof, d, v, n);
}

es_result es_pdf_verify_mem(es_report **r, const es_verify_opts *o, es_profile prof,
                            const es_pdf_limits *lim, const uint8_t *pdf, size_t len,
                            bool plain, bool *out_plain)
{
    bool done = false;
    if (out_plain) {
        *out_plain = false;
    }
    ES_GUARD(es_report_new(o, r));
    (*r)->document = es_strdup("pdf");
    ES_ENSURE((*r)->document, ES_ERR_NOMEM);
    struct es_pdf_doc d;
    struct es_pdf_sig *v = NULL;
    size_t n = 0;
    /* the scan es_pdf_open starts with, then our own reading when the file
     * is plain (pdf_plain.c), else qpdf from the start */
    es_result res = es_pdf_scan(&d, pdf, len, lim);
    if (es_is_ok(res) && plain) {
        res = es_pdf_plain_read(&d, &v, &n, &done);
    }
    if (es_is_ok(res) && done) {
        res = verify_sigs(*r, o, prof, &d, v, n);
    } else if (es_is_ok(res)) {
        es_pdf_close(&d);
        res = es_pdf_open(&d, pdf, len, lim);
        if (es_is_ok(res)) {
            res = es_pdf_verify_doc(*r, o, prof, &d);
        }
    }
    es_pdf_close(&d);
    if (out_plain) {
        *out_plain = done;
    }
    return res;
}

int es_pdf_verify(es_ctx *ctx, const es_verify_opts *opts, const es_pdf_limits *limits,
                  const uint8_t *pdf, size_t len, es_report **out)
{
    *out = NULL;
    es_report *r = NULL;
    es_result res = es_pdf_verify_mem(&r, opts, es_ctx_get_profile(ctx), limits, pdf, len, true,
                                      NULL);
    if (es_is_err(res)) {
        es_report_free(r);
        return es_ctx_take_error(ctx, res);
    }
    es_report_finish(r);
    *out = r;
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}

int es_pdf_verify_file(es_ctx *ctx, const es_verify_opts *opts, const es_pdf_limits *limits,
                       const char *path, es_report **out)
{
    *out = NULL;
    es_pdf_limits l;
    es_pdf_limits_default(&l);
    size_t max = limits && limits->max_file_size ? limits->max_file_size : l.max_file_size;
    uint8_t *p = NULL;
    size_t n = 0;
    es_result res = es_file_read(path, max, &p, &n);
    if (es_is_err(res)) {
        return es_ctx_take_error(ctx, res);
    }
    int rc = es_pdf_verify(ctx, opts, limits, p, n, out);
    es_free(p);
    return rc;
}
