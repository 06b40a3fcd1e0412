/*
 * server/handlers/verify.c - public verification, no login: upload a
 * document, a seal or a signature; get libeseal's report plus, for each
 * seal, what the registry says: its status at signing time and now (a lost
 * seal is distrusted from the reported time on).
 *
 * "Signing time" is the genTime of a valid time-stamp token over the
 * signature value when there is one (the report's time_source says so):
 * that time is proven, so a token made after a loss or cancellation fails
 * and one made before stays good. Otherwise it is the signer's claim
 * (timeInfo), which a holder of a lost seal can backdate: such a signature
 * of a seal now lost or cancelled is not "ok". The entry says which time
 * it used and why (docs/timestamps.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../eseald.h"

#if defined(__has_include)
#if __has_include("eseal/ofd.h")
#include "eseal/ofd.h"
#define ES_HAVE_OFD 1
#endif
#endif

#define VERIFY_MAX ((size_t)64 * 1024 * 1024)

static int64_t parse_iso(const char *s)
{
    int y, mo, d, h, mi, se;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) != 6) {
        return 0;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_sec = se};
    return (int64_t)timegm(&tm);
}

struct at_time {
    int64_t t;
    char status[16];
};

static int event_at(void *arg, const struct es_store_event *e)
{
    struct at_time *a = arg;
    if (e->at <= a->t) {
        snprintf(a->status, sizeof(a->status), "%s", e->to_status);
    }
    return 0;
}

/* Which time a signature's registry status is judged at, and why. */
struct sign_time {
    int64_t at;        /* 0: a seal checked alone */
    const char *basis; /* "time_stamp", "signer_claim", "verification_time" */
    const char *note;
};

/* From a report entry: genTime when libeseal used a valid token (its
 * time_source is "time stamp of <TSA>"), else timeInfo, else now. */
static struct sign_time sign_time_of(struct es_call *c, json_t *sig)
{
    struct sign_time t = {0};
    const char *src = json_string_value(json_object_get(sig, "time_source"));
    const char *ts_reason = NULL;
    size_t i;
    json_t *chk;
    json_array_foreach(json_object_get(sig, "checks"), i, chk) {
        const char *id = json_string_value(json_object_get(chk, "id"));
        const char *result = json_string_value(json_object_get(chk, "result"));
        if (id && result && !strcmp(id, "timestamp") && strcmp(result, "PASSED") != 0) {
            ts_reason = json_string_value(json_object_get(chk, "reason"));
        }
    }
    t.at = parse_iso(json_string_value(json_object_get(sig, "signing_time")));
    if (t.at && src && !strncmp(src, "time stamp of ", 14)) {
        t.basis = "time_stamp";
        t.note = es_arena_printf(c->arena, "genTime of the signature's time-stamp token (%s): "
                                 "a proven time, so the registry is judged then.", src + 14);
    } else if (t.at) {
        t.basis = "signer_claim";
        t.note = ts_reason ? es_arena_printf(c->arena, "timeInfo, the signer's own claim: the "
                                             "time-stamp token did not verify (%s).", ts_reason)
                           : "timeInfo, the signer's own claim: the signature carries no "
                             "time-stamp token.";
    } else {
        t.at = (int64_t)time(NULL);
        t.basis = "verification_time";
        t.note = "The signing time is unknown: the registry is judged now.";
    }
    return t;
}

/* The registry's view of one seal for a signature made at `when`
 * (when->at == 0: a seal checked alone). */
static json_t *registry_entry(struct es_call *c, const char *esid, const struct sign_time *when)
{
    int64_t signed_at = when->at;
    es_store *st = api_store(c);
    struct es_store_seal s;
    if (!st || !esid || ES_STORE_CALL(st, seal_get, esid, &s) != ES_STORE_OK) {
        json_t *far = st && esid ? es_fed_registry(c, esid, signed_at) : NULL; /* another node's */
        if (far) {
            return far;
        }
        return json_pack("{s:b,s:s}", "known", 0, "note",
                         "This seal is not in this platform's registry.");
    }
    int64_t now = (int64_t)time(NULL);
    const char *eff_now = es_lifecycle_effective(s.status, s.valid_end, now);
    json_t *o = json_pack("{s:b,s:s,s:s,s:s,s:s}", "known", 1, "esid", s.esid, "name", s.name,
                          "reg_no", s.reg_no, "status_now", eff_now);
    struct es_store_org org;
    if (ES_STORE_CALL(st, org_get, s.org_id, &org) == ES_STORE_OK) {
        json_object_set_new(o, "org", json_string(org.name));
    }
    if (s.lost_at) {
        json_object_set_new(o, "lost_at", json_integer(s.lost_at));
        json_object_set_new(o, "lost_since", json_string(api_time(c, s.lost_at)));
    }
    bool ok_at_signing = false;
    if (signed_at) {
        struct at_time at = {.t = signed_at};
        ES_STORE_CALL(st, event_list, s.esid, event_at, &at);
        const char *then = at.status[0] ? at.status : "not yet made";
        if (s.lost_at && signed_at >= s.lost_at) {
            then = "lost";
        }
        if (s.valid_end && signed_at > s.valid_end) {
            then = "expired";
        }
        json_object_set_new(o, "status_at_signing", json_string(then));
        json_object_set_new(o, "time_used", json_string(api_time(c, signed_at)));
        json_object_set_new(o, "time_basis", json_string(when->basis));
        json_object_set_new(o, "time_note", json_string(when->note));
        ok_at_signing = !strcmp(then, "active");
        /* a claimed time cannot show that the signature predates a loss or a
         * cancellation: only a time stamp can */
        bool unproven = ok_at_signing && strcmp(when->basis, "time_stamp") != 0 &&
                        (s.lost_at || !strcmp(s.status, "lost") || !strcmp(s.status, "cancelled"));
        json_object_set_new(o, "ok", json_boolean(ok_at_signing && !unproven));
        json_object_set_new(
            o, "note",
            json_string(unproven ? "The seal was active at the claimed signing time but has since "
                                   "been reported lost or cancelled, and without a valid time "
                                   "stamp nothing proves the document was sealed before that: "
                                   "do not rely on this signature."
                        : ok_at_signing
                            ? "The seal was registered and active when the document was sealed."
                            : "The seal was not active when the document was sealed: do not "
                              "rely on this signature."));
    } else {
        bool live = !strcmp(eff_now, "active");
        json_object_set_new(o, "ok", json_boolean(live));
        json_object_set_new(o, "note", json_string(live ? "The seal is registered and active."
                                                        : "The seal is not active."));
    }
    es_store_seal_clear(&s);
    return o;
}

static int hexv(int ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* X-File-Name, percent-decoded: header values are Latin-1 on the wire, so
 * a browser sends a Chinese file name as encodeURIComponent's UTF-8 escapes.
 * A value that does not decode to valid UTF-8 is shown as sent. */
static const char *file_name(struct es_call *c, const char *v)
{
    if (!v || !strchr(v, '%')) {
        return v;
    }
    size_t n = strlen(v);
    char *out = es_arena_alloc(c->arena, n + 1);
    if (!out) {
        return v;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (v[i] == '%' && i + 2 < n && (hi = hexv((unsigned char)v[i + 1])) >= 0 &&
            (lo = hexv((unsigned char)v[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = v[i];
        }
    }
    out[o] = '\0';
    json_t *probe = json_string(out); /* NULL unless valid UTF-8 without NUL */
    if (!probe || memchr(out, '\0', o)) {
        json_decref(probe);
        return v;
    }
    json_decref(probe);
    return out;
}

void h_verify(struct es_call *c)
{
    static const char *const keys[] = {"file", "data", "name", NULL};
    const uint8_t *file = NULL, *data = NULL;
    size_t file_len = 0, data_len = 0;
    const char *name = NULL;
    const char *ct = es_http_header(c->req, "Content-Type");
    if (ct && strncasecmp(ct, "application/octet-stream", 24) == 0) {
        /* the document itself as the body: no base64 and no JSON to parse, so
         * that verifying large documents is bound by the cryptography */
        if (c->req->body_len == 0) {
            api_error(c, 400, "bad_request", "The body is empty: send the document itself.");
            return;
        }
        file = c->req->body;
        file_len = c->req->body_len;
        name = file_name(c, es_http_header(c->req, "X-File-Name"));
    } else {
        json_t *b = api_body(c);
        if (!b || !jcheck_keys(c, b, keys) || !jget_str(c, b, "name", false, 255, &name) ||
            !jget_b64(c, b, "file", true, VERIFY_MAX, &file, &file_len) ||
            !jget_b64(c, b, "data", false, VERIFY_MAX, &data, &data_len)) {
            return;
        }
    }
    int version = 0;
    const char *kind = es_detect(file, file_len, &version);
    es_ctx *ctx = es_ctx_new();
    es_report *rep = NULL;
    char *text = NULL;
    if (!ctx) {
        api_error(c, 500, "internal", "Out of memory.");
        return;
    }
    es_verify_opts opts = {.trust = es_platform_trust(c->app), .file = name};
    int rc;
    bool seal_alone = false;
    if (!strcmp(kind, "seal")) {
        seal_alone = true;
        rc = es_verify_seal(ctx, &opts, file, file_len, &rep);
    } else if (!strcmp(kind, "ses-signature") || !strcmp(kind, "gbt35275-signed-data") ||
               !strcmp(kind, "sm2-signature")) {
        rc = es_verify_detached(ctx, &opts, file, file_len, data, data_len, &rep);
    } else if (!strcmp(kind, "zip")) {
#ifdef ES_HAVE_OFD
        rc = es_ofd_verify(ctx, &opts, file, file_len, &rep);
#else
        es_ctx_free(ctx);
        api_error(c, 400, "unsupported", "This build cannot verify OFD documents.");
        return;
#endif
    } else if (!strcmp(kind, "pdf")) {
        rc = es_pdf_verify(ctx, &opts, NULL, file, file_len, &rep);
    } else {
        es_ctx_free(ctx);
        api_error(c, 400, "unsupported", "The file is not a seal, a seal signature, an OFD or a "
                  "PDF document (detected: %s).", kind);
        return;
    }
    if (rc != ES_OK) {
        int status = es_error_category(rc) == ES_CAT_FORMAT || es_error_category(rc) == ES_CAT_LIMIT
                         ? 400
                         : 500;
        api_error(c, status, status == 400 ? "unreadable" : "internal",
                  "No verdict could be reached: %s", es_ctx_errmsg(ctx));
        es_ctx_free(ctx);
        return;
    }
    rc = es_report_to_json(ctx, rep, &text);
    json_t *report = rc == ES_OK ? json_loads(text, 0, NULL) : NULL;
    es_free(text);
    es_report_free(rep);
    es_ctx_free(ctx);
    if (!report) {
        api_error(c, 500, "internal", "The report could not be rendered.");
        return;
    }
    /* the registry's word on each seal */
    json_t *sigs = json_object_get(report, "signatures");
    bool registry_ok = json_array_size(sigs) > 0;
    size_t i;
    json_t *sig;
    json_array_foreach(sigs, i, sig) {
        json_t *seal = json_object_get(sig, "seal");
        const char *esid = json_string_value(json_object_get(seal, "esid"));
        struct sign_time when = {0};
        if (!seal_alone) {
            when = sign_time_of(c, sig);
        }
        json_t *reg = registry_entry(c, esid, &when);
        if (!json_is_true(json_object_get(reg, "ok"))) {
            registry_ok = false;
        }
        json_object_set_new(sig, "registry", reg);
    }
    const char *verdict = json_string_value(json_object_get(report, "verdict"));
    json_t *o = json_pack("{s:s,s:s,s:b,s:o}", "kind", kind, "verdict", verdict ? verdict : "?",
                          "registry_ok", registry_ok, "report", report);
    api_json(c, 200, o);
}
