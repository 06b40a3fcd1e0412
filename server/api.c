/*
 * server/api.c - the REST API's front: the route table (h2o's handler
 * table), authentication (bearer tokens whose SM3 digest names a session),
 * role enforcement for every route (least privilege: a route lists the
 * roles that may call it; everything else is 401 or 403), JSON in and out,
 * and error answers {"error":{"code":..., "message":...}}.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseald.h"

#define SEALS_READERS (R_ORG_ADMIN | R_REVIEWER | R_MAKER | R_AUDITOR | R_USER)
#define APPS_READERS (R_ORG_ADMIN | R_REVIEWER | R_MAKER | R_AUDITOR)

struct route {
    const char *method;
    const char *pattern;
    void (*fn)(struct es_call *c);
    unsigned roles;
};

/* Order matters: the first match wins (specific paths before {action}). */
static const struct route ROUTES[] = {
    {"GET", "/api/v1/health", h_health, R_PUBLIC},
    {"GET", "/api/v1/platform", h_platform, R_PUBLIC},
    {"GET", "/api/v1/openapi.json", h_openapi, R_PUBLIC},
    {"POST", "/api/v1/login", h_login, R_PUBLIC},
    {"POST", "/api/v1/logout", h_logout, R_STAFF},
    {"GET", "/api/v1/me", h_me, R_STAFF},
    {"GET", "/api/v1/orgs", h_orgs_list, R_ADMIN | R_REVIEWER | R_MAKER | R_AUDITOR | R_ORG_ADMIN},
    {"POST", "/api/v1/orgs", h_orgs_create, R_ADMIN},
    {"GET", "/api/v1/users", h_users_list, R_ADMIN | R_ORG_ADMIN | R_AUDITOR},
    {"POST", "/api/v1/users", h_users_create, R_ADMIN | R_ORG_ADMIN},
    {"POST", "/api/v1/applications", h_apps_create, R_ORG_ADMIN},
    {"GET", "/api/v1/applications", h_apps_list, APPS_READERS},
    {"GET", "/api/v1/applications/{id}", h_apps_get, APPS_READERS},
    {"POST", "/api/v1/applications/{id}/approve", h_apps_approve, R_REVIEWER},
    {"POST", "/api/v1/applications/{id}/reject", h_apps_reject, R_REVIEWER},
    {"POST", "/api/v1/applications/{id}/make", h_apps_make, R_MAKER},
    {"GET", "/api/v1/seals", h_seals_list, SEALS_READERS},
    {"GET", "/api/v1/seals/{esid}", h_seals_get, SEALS_READERS},
    {"GET", "/api/v1/seals/{esid}/events", h_seals_events, SEALS_READERS},
    {"GET", "/api/v1/seals/{esid}/status", h_seals_status, R_PUBLIC},
    {"GET", "/api/v1/seals/{esid}/registration", h_seals_registration, R_PUBLIC},
    {"GET", "/api/v1/seals/{esid}/picture", h_seals_picture, R_PUBLIC},
    {"POST", "/api/v1/seals/{esid}/sign", h_seals_sign, R_USER},
    {"GET", "/api/v1/seals/{esid}/grants", h_grants_list, R_ORG_ADMIN | R_AUDITOR},
    {"POST", "/api/v1/seals/{esid}/grants", h_grants_create, R_ORG_ADMIN},
    {"POST", "/api/v1/seals/{esid}/{action}", h_seals_action, R_ORG_ADMIN | R_REVIEWER},
    {"GET", "/api/v1/grants", h_grants_list, R_USER | R_ORG_ADMIN | R_AUDITOR},
    {"POST", "/api/v1/grants/{id}/revoke", h_grants_revoke, R_ORG_ADMIN},
    {"GET", "/api/v1/usage", h_usage_list, R_ORG_ADMIN | R_AUDITOR | R_USER},
    {"GET", "/api/v1/audit", h_audit_list, R_AUDITOR},
    {"GET", "/api/v1/audit/verify", h_audit_verify, R_AUDITOR},
    {"POST", "/api/v1/verify", h_verify, R_PUBLIC},
    {"POST", "/api/v1/registrations/verify", h_registration_verify, R_PUBLIC},
    {"POST", "/api/v1/federation/events", h_fed_events, R_PUBLIC}, /* signed by a peer */
    {"GET", "/api/v1/federation/peers", h_fed_peers, R_PUBLIC},
    {"GET", "/api/v1/log/sth", h_log_sth, R_PUBLIC},
    {"GET", "/api/v1/log/proof", h_log_proof, R_PUBLIC},
    {"GET", "/api/v1/log/consistency", h_log_consistency, R_PUBLIC},
    {"GET", "/api/v1/log/entries", h_log_entries, R_PUBLIC},
    {"POST", "/api/v1/tsa", h_tsa, R_PUBLIC},
};

/* ---- answers ---- */

static void set_body(struct es_call *c, int status, const char *ctype, char *text, size_t len)
{
    c->res->status = status;
    c->res->content_type = ctype;
    c->res->body = (const uint8_t *)text;
    c->res->body_len = len;
    c->res->body_static = false;
}

void api_json(struct es_call *c, int status, json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    if (!s) {
        static const char oom[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"Out of memory.\"}}";
        c->res->status = 500;
        c->res->content_type = "application/json; charset=utf-8";
        c->res->body = (const uint8_t *)oom;
        c->res->body_len = sizeof(oom) - 1;
        c->res->body_static = true;
        return;
    }
    size_t n = strlen(s);
    char *a = es_arena_memdup(c->arena, s, n);
    free(s);
    if (!a) {
        api_json(c, 500, NULL);
        return;
    }
    set_body(c, status, "application/json; charset=utf-8", a, n);
    es_http_add_header(c->res, "Cache-Control", "no-store");
}

void api_error(struct es_call *c, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    if (!e) {
        /* the message was not valid UTF-8: say so without it */
        e = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", "(unprintable)");
    }
    api_json(c, status, e);
}

json_t *api_body(struct es_call *c)
{
    if (c->body) {
        return c->body;
    }
    if (c->req->body_len == 0) {
        c->body = json_object();
        return c->body;
    }
    const char *ct = es_http_header(c->req, "Content-Type");
    if (ct && strncasecmp(ct, "application/json", 16) != 0) {
        api_error(c, 415, "unsupported_media_type", "The body must be application/json.");
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb((const char *)c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES,
                           &je);
    if (!v) {
        api_error(c, 400, "bad_json", "The body is not valid JSON: %s (line %d, column %d).",
                  je.text, je.line, je.column);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        api_error(c, 400, "bad_json", "The body must be a JSON object.");
        return NULL;
    }
    c->body = v;
    return v;
}

es_store *api_store(struct es_call *c)
{
    if (c->st) {
        return c->st;
    }
    char err[512];
    c->st = es_pool_get(c->app->pool, err, sizeof(err));
    if (!c->st) {
        fprintf(stderr, "eseald: database unavailable: %s\n", err);
        api_error(c, 503, "unavailable", "The database is unavailable; try again later.");
    }
    return c->st;
}

bool api_store_ok(struct es_call *c, int rc, const char *what)
{
    switch (rc) {
    case ES_STORE_OK: return true;
    case ES_STORE_NOTFOUND: api_error(c, 404, "not_found", "No such %s.", what); return false;
    case ES_STORE_CONFLICT:
        api_error(c, 409, "conflict", "The %s already exists or was changed meanwhile; reload "
                  "and try again.", what);
        return false;
    default:
        fprintf(stderr, "eseald: store error (%s): %s\n", what,
                c->st ? es_store_errmsg(c->st) : "?");
        c->st_broken = true;
        api_error(c, 500, "internal", "The database failed while handling the %s.", what);
        return false;
    }
}

int api_audit(struct es_call *c, const char *action, const char *object, json_t *detail)
{
    struct es_store_audit e = {0};
    ES_STORE_SET(e.actor, c->who.authed ? c->who.username : "public");
    ES_STORE_SET(e.action, action);
    ES_STORE_SET(e.object, object);
    if (detail) {
        char *d = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
        if (d && strlen(d) < sizeof(e.detail)) {
            memcpy(e.detail, d, strlen(d) + 1);
        } else {
            ES_STORE_SET(e.detail, "{\"truncated\":true}");
        }
        free(d);
        json_decref(detail);
    }
    es_store *st = api_store(c);
    if (!st) {
        return ES_STORE_ERR;
    }
    return ES_STORE_CALL(st, audit_append, &e);
}

/* ---- JSON fields ---- */

bool jcheck_keys(struct es_call *c, json_t *o, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        bool ok = false;
        for (int i = 0; allowed[i]; i++) {
            if (!strcmp(allowed[i], k)) {
                ok = true;
                break;
            }
        }
        if (!ok) {
            api_error(c, 400, "bad_request", "Unknown field \"%.64s\".", k);
            return false;
        }
    }
    return true;
}

/* o[key] into *out, NULL when absent or null; false (400 answered) when it
 * is required and absent. */
static bool jget_value(struct es_call *c, json_t *o, const char *key, bool required,
                       json_t **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) {
            api_error(c, 400, "bad_request", "The field \"%s\" is required.", key);
            return false;
        }
        return true;
    }
    *out = v;
    return true;
}

bool jget_str(struct es_call *c, json_t *o, const char *key, bool required, size_t max,
              const char **out)
{
    json_t *v = NULL;
    *out = NULL;
    if (!jget_value(c, o, key, required, &v)) {
        return false;
    }
    if (!v) {
        return true;
    }
    if (!json_is_string(v)) {
        api_error(c, 400, "bad_request", "The field \"%s\" must be a string.", key);
        return false;
    }
    size_t n = json_string_length(v);
    if (n > max) {
        api_error(c, 400, "bad_request", "The field \"%s\" is longer than %zu bytes.", key, max);
        return false;
    }
    if (required && n == 0) {
        api_error(c, 400, "bad_request", "The field \"%s\" must not be empty.", key);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool jget_int(struct es_call *c, json_t *o, const char *key, bool required, int64_t min,
              int64_t max, int64_t *out)
{
    json_t *v = NULL;
    if (!jget_value(c, o, key, required, &v)) {
        return false;
    }
    if (!v) {
        return true;
    }
    if (!json_is_integer(v)) {
        api_error(c, 400, "bad_request", "The field \"%s\" must be an integer.", key);
        return false;
    }
    json_int_t x = json_integer_value(v);
    if (x < min || x > max) {
        api_error(c, 400, "bad_request", "The field \"%s\" must lie in [%lld, %lld].", key,
                  (long long)min, (long long)max);
        return false;
    }
    *out = (int64_t)x;
    return true;
}

bool jget_b64(struct es_call *c, json_t *o, const char *key, bool required, size_t max,
              const uint8_t **out, size_t *out_len)
{
    const char *s = NULL;
    *out = NULL;
    *out_len = 0;
    if (!jget_str(c, o, key, required, max / 3 * 4 + 8, &s)) {
        return false;
    }
    if (!s) {
        return true;
    }
    size_t n = 0;
    uint8_t *d = ks_b64_decode(s, strlen(s), &n);
    if (!d) {
        api_error(c, 400, "bad_request", "The field \"%s\" is not valid base64.", key);
        return false;
    }
    *out = es_arena_memdup(c->arena, d, n);
    free(d);
    if (!*out) {
        api_error(c, 413, "payload_too_large", "The field \"%s\" is too large.", key);
        return false;
    }
    *out_len = n;
    return true;
}

char *api_b64(struct es_call *c, const uint8_t *p, size_t n)
{
    char *s = ks_b64_encode(p, n);
    char *a = s ? es_arena_strdup(c->arena, s) : NULL;
    free(s);
    return a ? a : (char *)"";
}

char *api_hex(struct es_call *c, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    char *s = es_arena_alloc(c->arena, 2 * n + 1);
    if (!s) {
        return (char *)"";
    }
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = hx[p[i] >> 4];
        s[2 * i + 1] = hx[p[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

char *api_time(struct es_call *c, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char buf[32];
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return es_arena_strdup(c->arena, buf);
}

int64_t api_query_int(struct es_call *c, const char *name, int64_t dflt)
{
    const char *v = es_http_query(c->req, name);
    if (!v || !*v) {
        return dflt;
    }
    char *end = NULL;
    long long x = strtoll(v, &end, 10);
    return end && *end == '\0' ? (int64_t)x : dflt;
}

/* ---- authentication ---- */

static void token_digest(const char *token, char out[65])
{
    uint8_t h[32];
    static const char hx[] = "0123456789abcdef";
    es_sm3(token, strlen(token), h);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hx[h[i] >> 4];
        out[2 * i + 1] = hx[h[i] & 15];
    }
    out[64] = '\0';
}

/* Resolves the bearer token; false after answering 401 (or 503). */
static bool authenticate(struct es_call *c)
{
    const char *h = es_http_header(c->req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || strlen(h + 7) < 16 || strlen(h + 7) > 128) {
        api_error(c, 401, "unauthorized", "Log in first (Authorization: Bearer TOKEN).");
        es_http_add_header(c->res, "WWW-Authenticate", "Bearer");
        return false;
    }
    char dig[65];
    token_digest(h + 7, dig);
    es_store *st = api_store(c);
    if (!st) {
        return false;
    }
    struct es_store_session s;
    int rc = ES_STORE_CALL(st, session_get, dig, &s);
    int64_t now = (int64_t)time(NULL);
    if (rc == ES_STORE_NOTFOUND || (rc == ES_STORE_OK && s.expires_at < now)) {
        api_error(c, 401, "unauthorized", "The session has expired or was closed; log in again.");
        return false;
    }
    if (!api_store_ok(c, rc, "session")) {
        return false;
    }
    struct es_store_user u;
    rc = ES_STORE_CALL(st, user_get, s.user_id, &u);
    if (rc == ES_STORE_NOTFOUND || (rc == ES_STORE_OK && u.disabled)) {
        api_error(c, 401, "unauthorized", "The account is disabled.");
        return false;
    }
    if (!api_store_ok(c, rc, "user")) {
        return false;
    }
    c->who.authed = true;
    c->who.user_id = u.id;
    c->who.org_id = u.org_id;
    snprintf(c->who.username, sizeof(c->who.username), "%s", u.username);
    snprintf(c->who.role, sizeof(c->who.role), "%s", u.role);
    c->who.role_bit = es_role_bit(u.role);
    snprintf(c->who.token_hash, sizeof(c->who.token_hash), "%s", dig);
    return true;
}

/* ---- routing ---- */

/* Matches path against pattern; captures {x} segments (max 4). */
static bool match(const char *pattern, const char *path, struct es_call *c)
{
    const char *p = pattern, *q = path;
    int n = 0;
    while (*p && *q) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *qe = strchr(q, '/');
            size_t len = qe ? (size_t)(qe - q) : strlen(q);
            if (!pe || len == 0 || len > 128 || n >= 4) {
                return false;
            }
            char *v = es_arena_memdup(c->arena, q, len);
            if (!v) {
                return false;
            }
            c->param[n++] = v;
            p = pe + 1;
            q += len;
            continue;
        }
        if (*p != *q) {
            return false;
        }
        p++;
        q++;
    }
    if (*p || *q) {
        return false;
    }
    c->n_params = n;
    return true;
}

static void log_request(struct es_call *c, double ms)
{
    if (c->app->cfg.quiet) {
        return;
    }
    fprintf(stderr, "eseald: %s %s %s %d %.1fms %s\n", c->req->client, c->req->method,
            c->req->path, c->res->status, ms, c->who.authed ? c->who.username : "-");
}

void es_api_handle(void *arg, const es_http_request *req, es_http_response *res)
{
    struct es_app *app = arg;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct es_call c = {.app = app, .req = req, .res = res, .arena = req->arena};
    const char *path = req->path;
    if (strncmp(path, "/api/", 5) != 0) {
        if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
            api_error(&c, 405, "method_not_allowed", "Only GET is allowed here.");
        } else {
            h_web(&c);
        }
        goto out;
    }
    const struct route *hit = NULL;
    bool path_known = false;
    for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]); i++) {
        c.n_params = 0;
        if (!match(ROUTES[i].pattern, path, &c)) {
            continue;
        }
        path_known = true;
        if (!strcmp(ROUTES[i].method, req->method)) {
            hit = &ROUTES[i];
            break;
        }
    }
    if (!hit) {
        if (path_known) {
            api_error(&c, 405, "method_not_allowed", "%s is not allowed on %s.", req->method,
                      path);
        } else {
            api_error(&c, 404, "not_found", "No such resource: %s.", path);
        }
        goto out;
    }
    if (!(hit->roles & R_PUBLIC)) {
        if (!authenticate(&c)) {
            goto out;
        }
        if (!(hit->roles & c.who.role_bit)) {
            api_error(&c, 403, "forbidden", "The role %s may not call %s %s.", c.who.role,
                      req->method, hit->pattern);
            goto out;
        }
    }
    hit->fn(&c);
out:
    if (c.st) {
        ES_STORE_CALL0(c.st, rollback); /* a no-op unless a handler left one open */
        es_pool_put(app->pool, c.st, c.st_broken);
    }
    json_decref(c.body);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    log_request(&c, (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}
