/*
 * server/handlers/use.c - authorised use (授权用印): grants of a seal to a
 * seal user for a period and a scope, sealing through the platform (the
 * owner's key is unwrapped only for the signature and never leaves the
 * process), and the usage log of every attempt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../eseald.h"

#if defined(__has_include)
#if __has_include("eseal/ofd.h")
#include "eseal/ofd.h"
#define ES_HAVE_OFD 1
#endif
#endif

#define DOC_MAX ((size_t)64 * 1024 * 1024)

static json_t *grant_json(const struct es_store_grant *g)
{
    json_t *o = json_pack("{s:I,s:s,s:I,s:I,s:I,s:I,s:s,s:I,s:I}", "id", (json_int_t)g->id, "esid",
                          g->esid, "user_id", (json_int_t)g->user_id, "granted_by",
                          (json_int_t)g->granted_by, "not_before", (json_int_t)g->not_before,
                          "not_after", (json_int_t)g->not_after, "scope", g->scope, "revoked_at",
                          (json_int_t)g->revoked_at, "created_at", (json_int_t)g->created_at);
    return o ? o : json_object();
}

struct grant_rows {
    struct es_store_grant rows[1000];
    int n;
};

static int grant_collect(void *arg, const struct es_store_grant *g)
{
    struct grant_rows *r = arg;
    if (r->n < 1000) {
        r->rows[r->n++] = *g;
    }
    return 0;
}

void h_grants_list(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_filter f = {.limit = 1000};
    if (c->n_params == 1) {
        struct es_store_seal s;
        if (!seal_load(c, c->param[0], &s)) {
            return;
        }
        es_store_seal_clear(&s);
        f.esid = c->param[0];
    } else {
        f.esid = es_http_query(c->req, "esid");
    }
    if (c->who.role_bit == R_USER) {
        f.user_id = c->who.user_id;
    }
    struct grant_rows *r = calloc(1, sizeof(*r));
    if (!r) {
        api_error(c, 500, "internal", "Out of memory.");
        return;
    }
    if (!api_store_ok(c, ES_STORE_CALL(st, grant_list, &f, grant_collect, r), "grant")) {
        free(r);
        return;
    }
    json_t *arr = json_array();
    int64_t now = (int64_t)time(NULL);
    for (int i = 0; i < r->n; i++) {
        const struct es_store_grant *g = &r->rows[i];
        if (c->who.role_bit == R_ORG_ADMIN && c->n_params == 0) {
            /* an organisation sees the grants of its own seals only */
            struct es_store_seal s;
            if (ES_STORE_CALL(st, seal_get, g->esid, &s) != ES_STORE_OK) {
                continue;
            }
            bool mine = s.org_id == c->who.org_id;
            es_store_seal_clear(&s);
            if (!mine) {
                continue;
            }
        }
        json_t *o = grant_json(g);
        json_object_set_new(o, "in_force", json_boolean(!g->revoked_at && g->not_before <= now &&
                                                        now <= g->not_after));
        struct es_store_user u;
        if (ES_STORE_CALL(st, user_get, g->user_id, &u) == ES_STORE_OK) {
            json_object_set_new(o, "username", json_string(u.username));
        }
        json_array_append_new(arr, o);
    }
    free(r);
    api_json(c, 200, json_pack("{s:o}", "grants", arr));
}

void h_grants_create(struct es_call *c)
{
    json_t *b = api_body(c);
    static const char *const keys[] = {"user", "user_id", "not_before", "not_after", "scope",
                                       NULL};
    const char *user = NULL, *scope = NULL;
    int64_t uid = 0, now = (int64_t)time(NULL), nb = now, na = 0;
    if (!b || !jcheck_keys(c, b, keys) || !jget_str(c, b, "user", false, 63, &user) ||
        !jget_int(c, b, "user_id", false, 1, INT64_MAX, &uid) ||
        !jget_int(c, b, "not_before", false, 0, INT64_MAX / 2, &nb) ||
        !jget_int(c, b, "not_after", true, 0, INT64_MAX / 2, &na) ||
        !jget_str(c, b, "scope", false, 127, &scope)) {
        return;
    }
    if (na <= nb) {
        api_error(c, 400, "bad_request", "not_after must be later than not_before.");
        return;
    }
    struct es_store_seal s;
    if (!seal_load(c, c->param[0], &s)) {
        return;
    }
    es_store_seal_clear(&s);
    es_store *st = api_store(c);
    const char *eff = es_lifecycle_effective(s.status, s.valid_end, now);
    if (es_lifecycle_terminal(eff) || !strcmp(eff, "lost")) {
        api_error(c, 409, "invalid_transition", "The seal %s is %s: it can no longer be granted.",
                  s.esid, eff);
        return;
    }
    struct es_store_user u;
    int rc = user ? ES_STORE_CALL(st, user_get_by_name, user, &u)
                  : uid ? ES_STORE_CALL(st, user_get, uid, &u) : ES_STORE_NOTFOUND;
    if (rc == ES_STORE_NOTFOUND || (rc == ES_STORE_OK && (u.org_id != s.org_id ||
                                                          strcmp(u.role, "user") != 0))) {
        api_error(c, 400, "bad_request", "The grantee must be a seal user (role user) of the "
                  "seal's organisation.");
        return;
    }
    if (!api_store_ok(c, rc, "user")) {
        return;
    }
    struct es_store_grant g = {.user_id = u.id, .granted_by = c->who.user_id, .not_before = nb,
                               .not_after = na};
    ES_STORE_SET(g.esid, s.esid);
    ES_STORE_SET(g.scope, scope && scope[0] ? scope : "*");
    char obj[96];
    snprintf(obj, sizeof(obj), "seal/%s", s.esid);
    if (!api_store_ok(c, ES_STORE_CALL0(st, begin), "grant") ||
        !api_store_ok(c, ES_STORE_CALL(st, grant_create, &g), "grant") ||
        !api_store_ok(c, api_audit(c, "grant.create", obj,
                                   json_pack("{s:I,s:s,s:I,s:I,s:s}", "grant", (json_int_t)g.id,
                                             "user", u.username, "not_before", (json_int_t)nb,
                                             "not_after", (json_int_t)na, "scope", g.scope)),
                      "audit log") ||
        !api_store_ok(c, ES_STORE_CALL0(st, commit), "grant")) {
        return;
    }
    api_json(c, 201, grant_json(&g));
}

void h_grants_revoke(struct es_call *c)
{
    char *end = NULL;
    long long id = strtoll(c->param[0], &end, 10);
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_grant g;
    int rc = end && !*end && id > 0 ? ES_STORE_CALL(st, grant_get, (int64_t)id, &g)
                                    : ES_STORE_NOTFOUND;
    if (!api_store_ok(c, rc, "grant")) {
        return;
    }
    struct es_store_seal s;
    if (!seal_load(c, g.esid, &s)) {
        return;
    }
    es_store_seal_clear(&s);
    char obj[64];
    snprintf(obj, sizeof(obj), "grant/%lld", id);
    if (!api_store_ok(c, ES_STORE_CALL0(st, begin), "grant")) {
        return;
    }
    rc = ES_STORE_CALL(st, grant_revoke, g.id, (int64_t)time(NULL));
    if (rc == ES_STORE_NOTFOUND) {
        api_error(c, 409, "conflict", "The grant %lld is already revoked.", id);
        return;
    }
    if (!api_store_ok(c, rc, "grant") ||
        !api_store_ok(c, api_audit(c, "grant.revoke", obj, json_pack("{s:s}", "esid", g.esid)),
                      "audit log") ||
        !api_store_ok(c, ES_STORE_CALL0(st, commit), "grant")) {
        return;
    }
    api_json(c, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "revoked", 1));
}

/* ---- sealing ---- */

static void usage(struct es_call *c, const struct es_store_seal *s, const char *sm3,
                  const char *name, const char *result, const char *detail)
{
    struct es_store_usage u = {.user_id = c->who.user_id, .org_id = s->org_id};
    ES_STORE_SET(u.esid, s->esid);
    ES_STORE_SET(u.username, c->who.username);
    ES_STORE_SET(u.doc_sm3, sm3);
    if (ES_STORE_SET(u.doc_name, name) != 0) {
        ES_STORE_SET(u.doc_name, "(name too long)");
    }
    ES_STORE_SET(u.result, result);
    if (ES_STORE_SET(u.detail, detail) != 0) {
        ES_STORE_SET(u.detail, "(detail too long)");
    }
    es_store *st = api_store(c);
    if (st && ES_STORE_CALL(st, usage_append, &u) != ES_STORE_OK) {
        fprintf(stderr, "eseald: usage log: %s\n", es_store_errmsg(st));
    }
}

struct grant_pick {
    int64_t now;
    const char *purpose;
    int64_t found;
    bool any;
};

static int grant_pick(void *arg, const struct es_store_grant *g)
{
    struct grant_pick *p = arg;
    p->any = true;
    if (!g->revoked_at && g->not_before <= p->now && p->now <= g->not_after &&
        (!strcmp(g->scope, "*") || (p->purpose && !strcmp(g->scope, p->purpose)))) {
        p->found = g->id;
        return 1;
    }
    return 0;
}

/* Where a time stamp comes from: the platform's own TSA in process, or the
 * RFC 3161 URL of tsa_url (any vendor's TSA; docs/timestamps.md). */
struct stamper {
    int (*cb)(void *arg, const uint8_t digest[32], uint8_t **token, size_t *len);
    void *arg;
    es_ts_http_opts http;
};

/* A document sealed inside itself (OFD or PDF): both libeseal calls work on
 * files, so the upload goes through a private temporary directory that is
 * removed before returning. */
struct doc_sign {
    const char *format; /* "ofd" or "pdf" */
    const struct es_store_seal *seal;
    const es_key *key;
    const es_cert *cert;
    const struct stamper *tsa; /* NULL: no time stamp */
    json_t *positions;  /* [{page, x, y}] in mm, at most 16 taken; may be NULL */
};

static size_t positions_of(json_t *pos, es_ofd_position ps[16])
{
    size_t n = 0;
    size_t i;
    json_t *v;
    memset(ps, 0, 16 * sizeof(*ps));
    if (!json_is_array(pos)) {
        return 0;
    }
    json_array_foreach(pos, i, v) {
        if (n >= 16 || !json_is_object(v)) {
            break;
        }
        ps[n].kind = ES_OFD_POS_PAGE;
        ps[n].page = (int)json_integer_value(json_object_get(v, "page"));
        ps[n].x_mm = json_number_value(json_object_get(v, "x"));
        ps[n].y_mm = json_number_value(json_object_get(v, "y"));
        if (ps[n].page < 1) {
            ps[n].page = 1;
        }
        n++;
    }
    return n;
}

static int sign_document(es_ctx *ctx, const struct doc_sign *ds, const uint8_t *data,
                         size_t data_len, uint8_t **out, size_t *out_len)
{
    char dir[] = "/tmp/eseald-doc-XXXXXX";
    if (!mkdtemp(dir)) {
        return ES_ERR_IO_WRITE;
    }
    char in[64], outp[64];
    snprintf(in, sizeof(in), "%s/in.%s", dir, ds->format);
    snprintf(outp, sizeof(outp), "%s/out.%s", dir, ds->format);
    es_ofd_position ps[16];
    size_t n_pos = positions_of(ds->positions, ps);
    int rc = es_file_write(ctx, in, data, data_len, 0600);
    if (rc == ES_OK && !strcmp(ds->format, "pdf")) {
        /* GB/T 38540 v4 seal in /Contents (/SubFilter /GM.sm2seal); no
         * position: an invisible signature */
        es_pdf_sign_params pp = {.mode = ES_PDF_SES, .seal = ds->seal->der,
                                 .seal_len = ds->seal->der_len, .key = ds->key,
                                 .cert = ds->cert, .positions = ps, .n_positions = n_pos,
                                 .timestamp = ds->tsa ? ds->tsa->cb : NULL,
                                 .timestamp_arg = ds->tsa ? ds->tsa->arg : NULL};
        rc = es_pdf_sign(ctx, &pp, in, outp);
    } else if (rc == ES_OK) {
#ifdef ES_HAVE_OFD
        es_ofd_sign_params op = {.seal = ds->seal->der, .seal_len = ds->seal->der_len,
                                 .key = ds->key, .cert = ds->cert, .positions = ps,
                                 .n_positions = n_pos,
                                 .timestamp = ds->tsa ? ds->tsa->cb : NULL,
                                 .timestamp_arg = ds->tsa ? ds->tsa->arg : NULL};
        rc = es_ofd_sign(ctx, &op, in, outp);
#else
        rc = ES_ERR_USAGE_ARG;
#endif
    }
    if (rc == ES_OK) {
        rc = es_file_read_all(ctx, outp, DOC_MAX * 2, out, out_len);
    }
    unlink(in);
    unlink(outp);
    rmdir(dir);
    return rc;
}

void h_seals_sign(struct es_call *c)
{
    json_t *b = api_body(c);
    static const char *const keys[] = {"name", "data", "format", "positions", "purpose", "tsa",
                                       "embed_status", NULL};
    const char *name = NULL, *format = NULL, *purpose = NULL;
    const uint8_t *data = NULL;
    size_t data_len = 0;
    json_t *tsa_opt = b ? json_object_get(b, "tsa") : NULL;
    if (tsa_opt && !json_is_boolean(tsa_opt)) {
        api_error(c, 400, "bad_request", "The field \"tsa\" must be true or false.");
        return;
    }
    /* a time stamp over the signature value: by the TSA at tsa_url, or by
     * the platform's own TSA in process (docs/timestamps.md); without
     * either the request cannot be met */
    struct stamper stamp = {0};
    const struct stamper *tsa = NULL;
    if (json_is_true(tsa_opt) && c->app->cfg.tsa_url[0]) {
        stamp.http = (es_ts_http_opts){.url = c->app->cfg.tsa_url};
        stamp.cb = es_ts_http_stamp_cb;
        stamp.arg = &stamp.http;
        tsa = &stamp;
    } else if (json_is_true(tsa_opt) && c->app->tsa) {
        stamp.cb = es_tsa_stamp_cb;
        stamp.arg = c->app->tsa;
        tsa = &stamp;
    } else if (json_is_true(tsa_opt)) {
        api_error(c, 503, "tsa_unavailable", "This platform runs no time-stamp authority: seal "
                  "without \"tsa\".");
        return;
    }
    if (!b || !jcheck_keys(c, b, keys) || !jget_str(c, b, "name", false, 255, &name) ||
        !jget_str(c, b, "format", false, 16, &format) ||
        !jget_str(c, b, "purpose", false, 127, &purpose) ||
        !jget_b64(c, b, "data", true, DOC_MAX, &data, &data_len)) {
        return;
    }
    if (!format) {
        format = "detached";
    }
    json_t *embed = json_object_get(b, "embed_status");
    if (embed && (!json_is_boolean(embed) || (json_is_true(embed) && strcmp(format, "detached")))) {
        api_error(c, 400, "bad_request", "\"embed_status\" is true or false, and true only for "
                  "a detached signature.");
        return;
    }
    if (strcmp(format, "detached") != 0 && strcmp(format, "ofd") != 0 &&
        strcmp(format, "pdf") != 0) {
        api_error(c, 400, "bad_request", "format is \"detached\" (any file), \"ofd\" or "
                  "\"pdf\".");
        return;
    }
    if (!name || !name[0]) {
        name = "document";
    }
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
            /* propertyInfo is an IA5String */
            name = !strcmp(format, "ofd")   ? "document.ofd"
                   : !strcmp(format, "pdf") ? "document.pdf"
                                            : "document";
            break;
        }
    }
    struct es_store_seal s;
    if (!seal_load(c, c->param[0], &s)) {
        return;
    }
    uint8_t h[32];
    es_sm3(data, data_len, h);
    const char *sm3 = api_hex(c, h, 32);
    int64_t now = (int64_t)time(NULL);
    es_store *st = api_store(c);
    es_key *key = NULL;
    es_cert *cert = NULL;
    es_ctx *ctx = NULL;
    uint8_t *out = NULL;
    size_t out_len = 0;
    struct es_store_key k = {0};
    const char *eff = es_lifecycle_effective(s.status, s.valid_end, now);
    if (strcmp(eff, "active") != 0) {
        usage(c, &s, sm3, name, "refused", "seal not active");
        api_error(c, 409, "seal_not_active", "The seal %s is %s: only an active seal can seal.",
                  s.esid, eff);
        goto out;
    }
    struct es_store_filter f = {.esid = s.esid, .user_id = c->who.user_id, .limit = 1000};
    struct grant_pick gp = {.now = now, .purpose = purpose};
    if (!api_store_ok(c, ES_STORE_CALL(st, grant_list, &f, grant_pick, &gp), "grant")) {
        goto out;
    }
    if (!gp.found) {
        usage(c, &s, sm3, name, "refused", gp.any ? "no grant in force" : "no grant");
        api_error(c, 403, "forbidden", "%s holds no grant in force for the seal %s%s%s.",
                  c->who.username, s.esid, purpose ? " for " : "", purpose ? purpose : "");
        goto out;
    }
    char err[512];
    if (!api_store_ok(c, ES_STORE_CALL(st, key_get, s.key_id, &k), "key")) {
        goto out;
    }
    ctx = es_ctx_new();
    if (!ctx || ks_unwrap(c->app->ks, k.id, k.wrapped, k.wrapped_len, &key, err, sizeof(err)) ||
        es_cert_from_der(ctx, s.cert, s.cert_len, &cert) != ES_OK) {
        usage(c, &s, sm3, name, "error", "key unavailable");
        fprintf(stderr, "eseald: sign: %s\n", ctx ? err : "out of memory");
        api_error(c, 500, "internal", "The seal's key is unavailable.");
        goto out;
    }
    int rc;
    if (strcmp(format, "detached") != 0) {
#ifndef ES_HAVE_OFD
        if (!strcmp(format, "ofd")) {
            usage(c, &s, sm3, name, "refused", "OFD not supported by this build");
            api_error(c, 400, "bad_request", "This build cannot seal OFD documents; use "
                      "format \"detached\" or \"pdf\".");
            goto out;
        }
#endif
        struct doc_sign ds = {.format = format, .seal = &s, .key = key, .cert = cert,
                              .tsa = tsa, .positions = json_object_get(b, "positions")};
        rc = sign_document(ctx, &ds, data, data_len, &out, &out_len);
    } else {
        es_sign_params sp = {.seal = s.der, .seal_len = s.der_len, .key = key, .cert = cert,
                             .data_hash = h, .property_info = name,
                             .timestamp = tsa ? tsa->cb : NULL,
                             .timestamp_arg = tsa ? tsa->arg : NULL};
        if (json_is_true(embed)) {
            /* this platform's signed status answer for the seal, in the
             * signature's extension data: the document then proves on its
             * own that the seal was in force (docs/federation.md) */
            size_t alen = 0;
            const char *answer = es_status_answer(c, s.esid, &alen);
            if (!answer) {
                usage(c, &s, sm3, name, "error", "no status answer");
                goto out; /* answered */
            }
            sp.status_answer = (const uint8_t *)answer;
            sp.status_answer_len = alen;
        }
        rc = es_sign(ctx, &sp, &out, &out_len);
    }
    if (rc != ES_OK) {
        usage(c, &s, sm3, name, "error", es_ctx_errmsg(ctx));
        es_error_cat cat = es_error_category(rc);
        /* a position off the pages is the caller's (USAGE), as is a
         * document that cannot be read (FORMAT, LIMIT) */
        int status = rc == ES_ERR_IO_REMOTE                                          ? 502
                     : cat == ES_CAT_POLICY                                            ? 409
                     : cat == ES_CAT_FORMAT || cat == ES_CAT_LIMIT || cat == ES_CAT_USAGE ? 400
                                                                                   : 500;
        /* 502: the configured TSA did not answer usably; nothing was sealed */
        api_error(c, status,
                  status == 502   ? "tsa_unreachable"
                  : status == 500 ? "internal"
                                  : "refused",
                  "Sealing failed: %s", es_ctx_errmsg(ctx));
        goto out;
    }
    char detail[128];
    snprintf(detail, sizeof(detail), "grant %lld, %s%s", (long long)gp.found, format,
             tsa ? ", time-stamped" : "");
    usage(c, &s, sm3, name, "ok", detail);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:b,s:b}", "esid", s.esid, "format", format,
                          "name", name, "document_sm3", sm3, "grant", (json_int_t)gp.found,
                          "time_stamped", tsa != NULL, "status_embedded", json_is_true(embed));
    json_object_set_new(o, strcmp(format, "detached") != 0 ? "document" : "signature",
                        json_string(api_b64(c, out, out_len)));
    api_json(c, 200, o);
out:
    es_free(out);
    es_key_free(key);
    es_cert_free(cert);
    es_ctx_free(ctx);
    es_store_key_clear(&k);
    es_store_seal_clear(&s);
}

struct usage_out {
    struct es_call *c;
    json_t *arr;
};

static int usage_row(void *arg, const struct es_store_usage *u)
{
    struct usage_out *o = arg;
    json_array_append_new(o->arr,
                          json_pack("{s:I,s:s,s:I,s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "id",
                                    (json_int_t)u->id, "esid", u->esid, "user_id",
                                    (json_int_t)u->user_id, "username", u->username, "org_id",
                                    (json_int_t)u->org_id, "at", (json_int_t)u->at, "time",
                                    api_time(o->c, u->at), "document_sm3", u->doc_sm3,
                                    "document_name", u->doc_name, "result", u->result, "detail",
                                    u->detail));
    return 0;
}

void h_usage_list(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_filter f = {.esid = es_http_query(c->req, "esid"),
                                .since = api_query_int(c, "since", 0),
                                .limit = api_query_int(c, "limit", 500)};
    if (c->who.role_bit & (R_ORG_ADMIN | R_USER)) {
        f.org_id = c->who.org_id;
    }
    if (c->who.role_bit == R_USER) {
        f.user_id = c->who.user_id;
    }
    struct usage_out o = {c, json_array()};
    if (!api_store_ok(c, ES_STORE_CALL(st, usage_list, &f, usage_row, &o), "usage log")) {
        json_decref(o.arr);
        return;
    }
    api_json(c, 200, json_pack("{s:o}", "usage", o.arr));
}
