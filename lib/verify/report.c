/*
 * lib/verify/report.c - the report model, its verdict rules (ETSI EN 319
 * 102-1 style), and its two renderings: JSON (docs/report-schema.md) and
 * text for a person.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "base/ctx_int.h"
#include "der/der.h"
#include "verify/report_int.h"

es_result es_report_new(const es_verify_opts *o, es_report **out)
{
    es_report *r = es_calloc(1, sizeof(*r));
    ES_ENSURE(r, ES_ERR_NOMEM);
    snprintf(r->scope, sizeof(r->scope), "%s",
             o && o->no_chain ? "integrity-and-binding" : "full");
    r->verified_at = (int64_t)time(NULL);
    if (o && o->file) {
        r->file = es_strdup(o->file);
    }
    *out = r;
    return ES_RESULT_OK;
}

es_result es_report_add(es_report *r, const char *id, const char *kind, struct es_entry **out)
{
    ES_ENSURE_MSG(r->n < 1024, ES_ERR_LIMIT_COUNT, "too many signatures in one report");
    struct es_entry **v = es_realloc(r->entries, (r->n + 1) * sizeof(*v));
    ES_ENSURE(v, ES_ERR_NOMEM);
    r->entries = v;
    struct es_entry *e = es_calloc(1, sizeof(*e));
    ES_ENSURE(e, ES_ERR_NOMEM);
    snprintf(e->id, sizeof(e->id), "%s", id ? id : "");
    snprintf(e->kind, sizeof(e->kind), "%s", kind ? kind : "");
    r->entries[r->n++] = e;
    *out = e;
    return ES_RESULT_OK;
}

es_result es_entry_check(struct es_entry *e, const char *id, es_check_result res,
                         const char *reason, const char *clause, const char *fmt, ...)
{
    ES_ENSURE(e->n_checks < ES_REPORT_MAX_CHECKS, ES_ERR_LIMIT_COUNT);
    struct es_check *c = &e->checks[e->n_checks++];
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->result = res;
    snprintf(c->reason, sizeof(c->reason), "%s", reason ? reason : "");
    snprintf(c->clause, sizeof(c->clause), "%s", clause ? clause : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
    va_end(ap);
    return ES_RESULT_OK;
}

es_result es_entry_warn(struct es_entry *e, const char *code, const char *fmt, ...)
{
    ES_ENSURE(e->n_warn < 256, ES_ERR_LIMIT_COUNT);
    void *v = es_realloc(e->warn, (e->n_warn + 1) * sizeof(*e->warn));
    ES_ENSURE(v, ES_ERR_NOMEM);
    e->warn = v;
    snprintf(e->warn[e->n_warn].code, sizeof(e->warn[0].code), "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->warn[e->n_warn].msg, sizeof(e->warn[0].msg), fmt, ap);
    va_end(ap);
    e->n_warn++;
    return ES_RESULT_OK;
}

es_result es_entry_set_str(char **slot, const char *s)
{
    es_free(*slot);
    *slot = s ? es_strdup(s) : NULL;
    ES_ENSURE(!s || *slot, ES_ERR_NOMEM);
    return ES_RESULT_OK;
}

void es_report_finish(es_report *r)
{
    bool any_fail = false, any_ind = false;
    for (size_t i = 0; i < r->n; i++) {
        struct es_entry *e = r->entries[i];
        bool f = false, ind = false;
        for (size_t j = 0; j < e->n_checks; j++) {
            f |= e->checks[j].result == ES_CHECK_FAILED;
            ind |= e->checks[j].result == ES_CHECK_INDETERMINATE;
        }
        if (e->n_checks == 0) {
            f = true;
        }
        e->verdict = f ? ES_VERDICT_TOTAL_FAILED
                       : ind ? ES_VERDICT_INDETERMINATE : ES_VERDICT_TOTAL_PASSED;
        any_fail |= f;
        any_ind |= !f && ind;
    }
    r->reason[0] = '\0';
    if (r->n == 0) {
        r->verdict = ES_VERDICT_TOTAL_FAILED;
        snprintf(r->reason, sizeof(r->reason), "NOT_SIGNED");
    } else {
        r->verdict = any_fail ? ES_VERDICT_TOTAL_FAILED
                     : any_ind ? ES_VERDICT_INDETERMINATE : ES_VERDICT_TOTAL_PASSED;
    }
}

void es_report_free(es_report *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        struct es_entry *e = r->entries[i];
        es_free(e->signer);
        es_free(e->seal_esid);
        es_free(e->seal_name);
        es_free(e->seal_vid);
        es_free(e->property_info);
        es_free(e->warn);
        es_free(e);
    }
    es_free(r->entries);
    es_free(r->file);
    es_free(r->document);
    es_free(r);
}

es_verdict es_report_verdict(const es_report *r) { return r->verdict; }

const char *es_verdict_name(es_verdict v)
{
    static const char *n[] = {"TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE"};
    return (unsigned)v < ES_VERDICT_LAST_ ? n[v] : "UNKNOWN";
}

const char *es_check_result_name(es_check_result c)
{
    static const char *n[] = {"PASSED", "FAILED", "INDETERMINATE", "WARNING"};
    return (unsigned)c < ES_CHECK_LAST_ ? n[c] : "UNKNOWN";
}

size_t es_report_count(const es_report *r) { return r->n; }

es_verdict es_report_entry_verdict(const es_report *r, size_t i)
{
    return i < r->n ? r->entries[i]->verdict : ES_VERDICT_TOTAL_FAILED;
}

size_t es_report_check_count(const es_report *r, size_t i)
{
    return i < r->n ? r->entries[i]->n_checks : 0;
}

int es_report_check(const es_report *r, size_t i, size_t j, const char **out_id,
                    es_check_result *out_result, const char **out_reason, const char **out_detail)
{
    if (i >= r->n || j >= r->entries[i]->n_checks) {
        return ES_ERR_USAGE_ARG;
    }
    const struct es_check *c = &r->entries[i]->checks[j];
    if (out_id) {
        *out_id = c->id;
    }
    if (out_result) {
        *out_result = c->result;
    }
    if (out_reason) {
        *out_reason = c->reason;
    }
    if (out_detail) {
        *out_detail = c->detail;
    }
    return ES_OK;
}

const char *es_report_entry_reason(const es_report *r, size_t i)
{
    if (i >= r->n) {
        return NULL;
    }
    const struct es_entry *e = r->entries[i];
    for (size_t j = 0; j < e->n_checks; j++) {
        if (e->checks[j].result == ES_CHECK_FAILED) {
            return e->checks[j].reason;
        }
    }
    for (size_t j = 0; j < e->n_checks; j++) {
        if (e->checks[j].result == ES_CHECK_INDETERMINATE) {
            return e->checks[j].reason;
        }
    }
    return NULL;
}

/* ---- JSON ---- */

/* Appends s as a JSON string; invalid UTF-8 becomes U+FFFD so the output is
 * always valid JSON whatever a seal's name contains (Q-NAME-1). */
static es_result jstr(struct es_buf *b, const char *s)
{
    ES_GUARD(es_buf_append_byte(b, '"'));
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            ES_GUARD(es_buf_append_byte(b, '\\'));
            ES_GUARD(es_buf_append_byte(b, c));
            p++;
        } else if (c < 0x20) {
            ES_GUARD(es_buf_printf(b, "\\u%04x", c));
            p++;
        } else if (c < 0x80) {
            ES_GUARD(es_buf_append_byte(b, c));
            p++;
        } else {
            int n = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
            bool ok = n > 0 && !(n == 1 && c < 0xc2);
            for (int i = 1; ok && i <= n; i++) {
                ok = (p[i] & 0xc0) == 0x80;
            }
            if (ok) {
                ES_GUARD(es_buf_append(b, p, (size_t)n + 1));
                p += n + 1;
            } else {
                ES_GUARD(es_buf_append(b, "\xef\xbf\xbd", 3));
                p++;
            }
        }
    }
    return es_buf_append_byte(b, '"');
}

static es_result jtime(struct es_buf *b, int64_t t)
{
    char s[21];
    es_time_format(t, s);
    return jstr(b, s);
}

static es_result to_json(const es_report *r, struct es_buf *b)
{
    ES_GUARD(es_buf_printf(b, "{\"schema\":\"eseal-report/1\",\"verdict\":"));
    ES_GUARD(jstr(b, es_verdict_name(r->verdict)));
    if (r->reason[0]) {
        ES_GUARD(es_buf_printf(b, ",\"reason\":"));
        ES_GUARD(jstr(b, r->reason));
    }
    ES_GUARD(es_buf_printf(b, ",\"file\":"));
    ES_GUARD(r->file ? jstr(b, r->file) : es_buf_printf(b, "null"));
    if (r->document) {
        ES_GUARD(es_buf_printf(b, ",\"document\":"));
        ES_GUARD(jstr(b, r->document));
    }
    ES_GUARD(es_buf_printf(b, ",\"scope\":"));
    ES_GUARD(jstr(b, r->scope));
    ES_GUARD(es_buf_printf(b, ",\"verified_at\":"));
    ES_GUARD(jtime(b, r->verified_at));
    ES_GUARD(es_buf_printf(b, ",\"signatures\":["));
    for (size_t i = 0; i < r->n; i++) {
        const struct es_entry *e = r->entries[i];
        ES_GUARD(es_buf_printf(b, "%s{\"id\":", i ? "," : ""));
        ES_GUARD(jstr(b, e->id));
        ES_GUARD(es_buf_printf(b, ",\"kind\":"));
        ES_GUARD(jstr(b, e->kind));
        ES_GUARD(es_buf_printf(b, ",\"version\":%d,\"verdict\":", e->version));
        ES_GUARD(jstr(b, es_verdict_name(e->verdict)));
        const char *why = es_report_entry_reason(r, i);
        ES_GUARD(es_buf_printf(b, ",\"reason\":"));
        ES_GUARD(why ? jstr(b, why) : es_buf_printf(b, "null"));
        ES_GUARD(es_buf_printf(b, ",\"signer\":"));
        ES_GUARD(e->signer ? jstr(b, e->signer) : es_buf_printf(b, "null"));
        ES_GUARD(es_buf_printf(b, ",\"signing_time\":"));
        ES_GUARD(e->time_known ? jtime(b, e->time) : es_buf_printf(b, "null"));
        ES_GUARD(es_buf_printf(b, ",\"time_source\":"));
        ES_GUARD(jstr(b, e->time_source));
        if (e->property_info) {
            ES_GUARD(es_buf_printf(b, ",\"property_info\":"));
            ES_GUARD(jstr(b, e->property_info));
        }
        ES_GUARD(es_buf_printf(b, ",\"seal\":"));
        if (e->has_seal) {
            ES_GUARD(es_buf_printf(b, "{\"esid\":"));
            ES_GUARD(jstr(b, e->seal_esid));
            ES_GUARD(es_buf_printf(b, ",\"name\":"));
            ES_GUARD(jstr(b, e->seal_name));
            ES_GUARD(es_buf_printf(b, ",\"vid\":"));
            ES_GUARD(jstr(b, e->seal_vid));
            ES_GUARD(es_buf_printf(b, ",\"type\":%lld,\"version\":%d,\"validity\":{\"start\":",
                                   (long long)e->seal_type, e->seal_version));
            ES_GUARD(jtime(b, e->seal_valid_start));
            ES_GUARD(es_buf_printf(b, ",\"end\":"));
            ES_GUARD(jtime(b, e->seal_valid_end));
            ES_GUARD(es_buf_printf(b, "}}"));
        } else {
            ES_GUARD(es_buf_printf(b, "null"));
        }
        ES_GUARD(es_buf_printf(b, ",\"checks\":["));
        for (size_t j = 0; j < e->n_checks; j++) {
            const struct es_check *c = &e->checks[j];
            ES_GUARD(es_buf_printf(b, "%s{\"id\":", j ? "," : ""));
            ES_GUARD(jstr(b, c->id));
            ES_GUARD(es_buf_printf(b, ",\"result\":"));
            ES_GUARD(jstr(b, es_check_result_name(c->result)));
            ES_GUARD(es_buf_printf(b, ",\"reason\":"));
            ES_GUARD(jstr(b, c->reason));
            ES_GUARD(es_buf_printf(b, ",\"clause\":"));
            ES_GUARD(jstr(b, c->clause));
            ES_GUARD(es_buf_printf(b, ",\"detail\":"));
            ES_GUARD(jstr(b, c->detail));
            ES_GUARD(es_buf_printf(b, "}"));
        }
        ES_GUARD(es_buf_printf(b, "],\"warnings\":["));
        for (size_t j = 0; j < e->n_warn; j++) {
            ES_GUARD(es_buf_printf(b, "%s{\"code\":", j ? "," : ""));
            ES_GUARD(jstr(b, e->warn[j].code));
            ES_GUARD(es_buf_printf(b, ",\"message\":"));
            ES_GUARD(jstr(b, e->warn[j].msg));
            ES_GUARD(es_buf_printf(b, "}"));
        }
        ES_GUARD(es_buf_printf(b, "]}"));
    }
    return es_buf_printf(b, "]}\n");
}

int es_report_to_json(es_ctx *ctx, const es_report *r, char **out)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    *out = NULL;
    es_result res = to_json(r, &b);
    if (es_is_ok(res)) {
        res = es_buf_take(&b, (uint8_t **)out, NULL);
    }
    es_buf_free(&b);
    return es_ctx_take_error(ctx, res);
}

/* ---- text ---- */

static const char *col(int color, es_check_result c)
{
    if (!color) {
        return "";
    }
    switch (c) {
    case ES_CHECK_PASSED:
        return "\033[32m";
    case ES_CHECK_FAILED:
        return "\033[31m";
    case ES_CHECK_INDETERMINATE:
        return "\033[33m";
    default:
        return "\033[35m";
    }
}

static es_check_result verdict_as_check(es_verdict v)
{
    return v == ES_VERDICT_TOTAL_PASSED ? ES_CHECK_PASSED
           : v == ES_VERDICT_TOTAL_FAILED ? ES_CHECK_FAILED : ES_CHECK_INDETERMINATE;
}

static es_result to_text(const es_report *r, int color, struct es_buf *b)
{
    const char *rst = color ? "\033[0m" : "";
    const char *bold = color ? "\033[1m" : "";
    char t[21];
    ES_GUARD(es_buf_printf(b, "%seseal verification report%s\n", bold, rst));
    if (r->file) {
        ES_GUARD(es_buf_printf(b, "File:     %s\n", r->file));
    }
    es_time_format(r->verified_at, t);
    ES_GUARD(es_buf_printf(b, "Checked:  %s (%s)\n", t,
                           strcmp(r->scope, "full") == 0
                               ? "full validation"
                               : "integrity and binding only: certificate chains not checked"));
    ES_GUARD(es_buf_printf(b, "Verdict:  %s%s%s%s%s%s\n", bold,
                           col(color, verdict_as_check(r->verdict)), es_verdict_name(r->verdict),
                           rst, r->reason[0] ? " - " : "", r->reason[0] ? r->reason : ""));
    for (size_t i = 0; i < r->n; i++) {
        const struct es_entry *e = r->entries[i];
        ES_GUARD(es_buf_printf(b, "\n%s[%zu] %s %s (v%d): %s%s%s\n", bold, i + 1, e->kind,
                               e->id, e->version, col(color, verdict_as_check(e->verdict)),
                               es_verdict_name(e->verdict), rst));
        if (e->has_seal) {
            char a[21], z[21];
            es_time_format(e->seal_valid_start, a);
            es_time_format(e->seal_valid_end, z);
            ES_GUARD(es_buf_printf(b, "    Seal:    %s (esID %s, type %lld, v%d, vendor %s)\n",
                                   e->seal_name ? e->seal_name : "", e->seal_esid,
                                   (long long)e->seal_type, e->seal_version,
                                   e->seal_vid ? e->seal_vid : ""));
            ES_GUARD(es_buf_printf(b, "    Valid:   %s to %s\n", a, z));
        }
        if (e->signer) {
            ES_GUARD(es_buf_printf(b, "    Signer:  %s\n", e->signer));
        }
        if (e->time_known) {
            es_time_format(e->time, t);
            ES_GUARD(es_buf_printf(b, "    Time:    %s (%s)\n", t, e->time_source));
        }
        if (e->property_info) {
            ES_GUARD(es_buf_printf(b, "    Signed:  %s\n", e->property_info));
        }
        for (size_t j = 0; j < e->n_checks; j++) {
            const struct es_check *c = &e->checks[j];
            ES_GUARD(es_buf_printf(b, "    %s%-13s%s %-17s %s", col(color, c->result),
                                   es_check_result_name(c->result), rst, c->id, c->detail));
            if (c->result != ES_CHECK_PASSED && c->reason[0]) {
                ES_GUARD(es_buf_printf(b, " [%s]", c->reason));
            }
            ES_GUARD(es_buf_printf(b, "\n"));
        }
        for (size_t j = 0; j < e->n_warn; j++) {
            ES_GUARD(es_buf_printf(b, "    note %-8s %s\n", e->warn[j].code, e->warn[j].msg));
        }
    }
    return ES_RESULT_OK;
}

int es_report_to_text(es_ctx *ctx, const es_report *r, int color, char **out)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    *out = NULL;
    es_result res = to_text(r, color, &b);
    if (es_is_ok(res)) {
        res = es_buf_take(&b, (uint8_t **)out, NULL);
    }
    es_buf_free(&b);
    return es_ctx_take_error(ctx, res);
}
