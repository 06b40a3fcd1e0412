/*
 * server/handlers/auth.c - login, logout, who am I; health and the
 * platform's public identity; the OpenAPI document and the web page,
 * served from files built into the binary.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../eseald.h"

void h_health(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    int64_t v = 0;
    if (!api_store_ok(c, ES_STORE_CALL(st, schema_version, &v), "schema")) {
        return;
    }
    api_json(c, 200,
             json_pack("{s:s,s:s,s:s,s:I,s:I}", "status", "ok", "version", es_version(), "db",
                       es_store_backend(st), "schema", (json_int_t)v, "uptime_s",
                       (json_int_t)((int64_t)time(NULL) - c->app->started_at)));
}

void h_platform(struct es_call *c)
{
    struct es_app *a = c->app;
    json_t *reasons = json_array();
    for (int i = 0; es_cancel_reasons[i]; i++) {
        json_array_append_new(reasons, json_string(es_cancel_reasons[i]));
    }
    /* the certificate in the platform TSA's tokens, for trust lists ("tsa"
     * entries) and relying parties that name it; null without a TSA */
    char *tsa_pem = NULL;
    if (a->tsa) {
        es_ctx *ctx = es_ctx_new();
        if (!ctx || es_cert_to_pem(ctx, es_tsa_cert(a->tsa), &tsa_pem) != ES_OK) {
            es_ctx_free(ctx);
            json_decref(reasons);
            api_error(c, 500, "internal", "The TSA certificate could not be encoded.");
            return;
        }
        es_ctx_free(ctx);
    }
    api_json(c, 200,
             json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s?,s:o,s:I}", "name", "eseald", "version",
                       es_version(), "platform_cert", a->platform_cert_pem, "platform_subject",
                       es_cert_subject(a->platform_cert), "ca_cert", a->ca_cert_pem,
                       "tsa_cert", tsa_pem, "cancel_reasons", reasons, "status_ttl_s",
                       (json_int_t)a->cfg.status_ttl_s));
    es_free(tsa_pem);
}

void h_login(struct es_call *c)
{
    json_t *b = api_body(c);
    static const char *const keys[] = {"username", "password", NULL};
    const char *user = NULL, *pw = NULL;
    if (!b || !jcheck_keys(c, b, keys) || !jget_str(c, b, "username", true, 63, &user) ||
        !jget_str(c, b, "password", true, 256, &pw)) {
        return;
    }
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_user u;
    int rc = ES_STORE_CALL(st, user_get_by_name, user, &u);
    if (rc != ES_STORE_OK && rc != ES_STORE_NOTFOUND) {
        api_store_ok(c, rc, "user");
        return;
    }
    /* the same work whether or not the user exists */
    bool ok = ks_password_check(pw, rc == ES_STORE_OK ? u.pw_hash
                                                      : "pbkdf2-sha256$60000$"
                                                        "00000000000000000000000000000000$"
                                                        "0000000000000000000000000000000000000000"
                                                        "000000000000000000000000");
    if (rc != ES_STORE_OK || !ok || u.disabled) {
        json_t *d = json_pack("{s:s}", "username", user);
        api_audit(c, "auth.login_failed", "user", d);
        api_error(c, 401, "unauthorized", "Wrong user name or password.");
        return;
    }
    uint8_t raw[32];
    if (ks_random(raw, sizeof(raw)) != 0) {
        api_error(c, 500, "internal", "No random bytes for the session.");
        return;
    }
    char *token = api_hex(c, raw, sizeof(raw));
    ks_wipe(raw, sizeof(raw));
    uint8_t h[32];
    es_sm3(token, strlen(token), h);
    struct es_store_session s = {.user_id = u.id, .created_at = (int64_t)time(NULL)};
    s.expires_at = s.created_at + c->app->cfg.session_ttl_s;
    snprintf(s.token_hash, sizeof(s.token_hash), "%s", api_hex(c, h, 32));
    if (!api_store_ok(c, ES_STORE_CALL(st, session_create, &s), "session")) {
        return;
    }
    ES_STORE_CALL(st, session_purge, s.created_at);
    c->who.authed = true;
    snprintf(c->who.username, sizeof(c->who.username), "%s", u.username);
    api_audit(c, "auth.login", "user", json_pack("{s:s}", "username", u.username));
    json_t *o = json_pack("{s:s,s:I,s:s,s:s,s:I,s:s}", "token", token, "expires_at",
                          (json_int_t)s.expires_at, "username", u.username, "role", u.role,
                          "org_id", (json_int_t)u.org_id, "display", u.display);
    api_json(c, 200, o);
}

void h_logout(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    int rc = ES_STORE_CALL(st, session_delete, c->who.token_hash);
    if (rc != ES_STORE_OK && rc != ES_STORE_NOTFOUND) {
        api_store_ok(c, rc, "session");
        return;
    }
    api_json(c, 200, json_pack("{s:b}", "ok", 1));
}

void h_me(struct es_call *c)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)c->who.user_id, "username",
                          c->who.username, "role", c->who.role, "org_id",
                          (json_int_t)c->who.org_id);
    if (c->who.org_id) {
        struct es_store_org org;
        es_store *st = api_store(c);
        if (st && ES_STORE_CALL(st, org_get, c->who.org_id, &org) == ES_STORE_OK) {
            json_object_set_new(o, "org_name", json_string(org.name));
        }
    }
    api_json(c, 200, o);
}

/* ---- built-in files ---- */

static const struct es_embedded_file *find_file(const char *name)
{
    for (size_t i = 0; i < es_web_files_count; i++) {
        if (!strcmp(es_web_files[i].name, name)) {
            return &es_web_files[i];
        }
    }
    return NULL;
}

static void serve_file(struct es_call *c, const struct es_embedded_file *f, const char *ctype)
{
    /* a strong ETag from the content: a client revalidates cheaply */
    uint8_t h[32];
    es_sm3(f->data, f->len, h);
    char *etag = es_arena_printf(c->arena, "\"%s\"", api_hex(c, h, 12));
    const char *inm = es_http_header(c->req, "If-None-Match");
    es_http_add_header(c->res, "ETag", etag ? etag : "\"0\"");
    es_http_add_header(c->res, "Cache-Control", "no-cache");
    if (ctype && strstr(ctype, "text/html")) {
        es_http_add_header(c->res, "Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                           "script-src 'self'; frame-ancestors 'none'");
        es_http_add_header(c->res, "X-Frame-Options", "DENY");
    }
    c->res->content_type = ctype;
    if (inm && etag && !strcmp(inm, etag)) {
        c->res->status = 304;
        c->res->body = NULL;
        c->res->body_len = 0;
        return;
    }
    c->res->status = 200;
    c->res->body = f->data;
    c->res->body_len = f->len;
    c->res->body_static = true;
}

static const char *ctype_of(const char *name)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++) {
        if (!strcmp(dot, types[i][0])) {
            return types[i][1];
        }
    }
    return "application/octet-stream";
}

void h_openapi(struct es_call *c)
{
    const struct es_embedded_file *f = find_file("api/openapi.json");
    if (!f) {
        api_error(c, 404, "not_found", "This build has no OpenAPI document.");
        return;
    }
    serve_file(c, f, "application/json; charset=utf-8");
}

void h_web(struct es_call *c)
{
    const char *p = c->req->path;
    if (!strcmp(p, "/") || !strcmp(p, "")) {
        p = "/index.html";
    }
    const struct es_embedded_file *f = NULL;
    /* only the top-level assets: no path walking over the table */
    if (p[0] == '/' && !strchr(p + 1, '/')) {
        f = find_file(p + 1);
    }
    if (!f) {
        api_error(c, 404, "not_found", "No such page: %s.", c->req->path);
        return;
    }
    serve_file(c, f, ctype_of(f->name));
}
