/*
 * fuzz/fuzz_http_request.c - eseald's request layer on hostile requests.
 *
 * Target functions: es_api_handle (routing and path parameters, bearer
 * token parsing, role checks), api_body (strict JSON: duplicate keys,
 * UTF-8, NUL, depth), jcheck_keys / jget_str / jget_int / jget_b64 (field
 * validation and base64), and every handler's argument checks down to the
 * store (SQLite, in a temporary directory) — not libmicrohttpd's parser,
 * which is not ours.
 *
 * Input: byte 0 picks the caller (0 anonymous, 1..6 one user per role:
 * admin, reviewer, maker, orgadmin, user, auditor); then "METHOD PATH\n",
 * header lines "Name: value\n" up to an empty line, then the body.
 * Seal production (POST .../make) is skipped: it generates keys and would
 * make the run about key generation rather than parsing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eseald.h"

static struct es_app g_app;
static int g_ready;
static char g_tokens[7][40];

struct fuzz_conn {
    const char *hname[16];
    const char *hvalue[16];
    int n;
    const char *query;
};

static const char *lookup(void *conn, int kind, const char *name)
{
    struct fuzz_conn *fc = conn;
    if (kind == 0) {
        for (int i = 0; i < fc->n; i++) {
            if (!strcasecmp(fc->hname[i], name)) {
                return fc->hvalue[i];
            }
        }
        return NULL;
    }
    /* query: "a=b&c=d", exact names */
    static __thread char val[256];
    size_t nl = strlen(name);
    for (const char *p = fc->query; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
            size_t vl = len - nl - 1;
            if (vl >= sizeof(val)) {
                vl = sizeof(val) - 1;
            }
            memcpy(val, p + nl + 1, vl);
            val[vl] = '\0';
            return val;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static void session_for(es_store *st, const char *user, int idx)
{
    struct es_store_user u;
    if (ES_STORE_CALL(st, user_get_by_name, user, &u) != ES_STORE_OK) {
        return;
    }
    snprintf(g_tokens[idx], sizeof(g_tokens[idx]), "fuzz-token-%02d-0123456789", idx);
    uint8_t h[32];
    es_sm3(g_tokens[idx], strlen(g_tokens[idx]), h);
    struct es_store_session s = {.user_id = u.id, .created_at = 1, .expires_at = INT64_MAX / 2};
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        s.token_hash[2 * i] = hx[h[i] >> 4];
        s.token_hash[2 * i + 1] = hx[h[i] & 15];
    }
    ES_STORE_CALL(st, session_create, &s);
}

static int setup(void)
{
    char dir[] = "/tmp/fuzz-eseald-XXXXXX";
    if (!mkdtemp(dir)) {
        return -1;
    }
    char pki[128];
    snprintf(pki, sizeof(pki), "%s/pki", dir);
    es_ctx *ctx = es_ctx_new();
    int rc = es_pki_init(ctx, pki, "fuzz", 30);
    es_ctx_free(ctx);
    if (rc != ES_OK) {
        return -1;
    }
    struct es_config *c = &g_app.cfg;
    es_config_defaults(c);
    snprintf(c->db, sizeof(c->db), "sqlite:%s/fuzz.db", dir);
    snprintf(c->platform_key, sizeof(c->platform_key), "%s/maker.key", pki);
    snprintf(c->platform_cert, sizeof(c->platform_cert), "%s/maker.pem", pki);
    snprintf(c->platform_pass, sizeof(c->platform_pass), "fuzz");
    snprintf(c->ca_key, sizeof(c->ca_key), "%s/root-ca.key", pki);
    snprintf(c->ca_cert, sizeof(c->ca_cert), "%s/root-ca.pem", pki);
    snprintf(c->ca_pass, sizeof(c->ca_pass), "fuzz");
    snprintf(c->master_key, sizeof(c->master_key), "%s/master.key", dir);
    c->create_master_key = true;
    c->seed_demo = true;
    c->threads = 1;
    c->max_body = 1 << 20;
    c->quiet = true;
    char err[512];
    if (es_app_init(&g_app, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz setup: %s\n", err);
        return -1;
    }
    es_store *st = es_pool_get(g_app.pool, err, sizeof(err));
    if (!st) {
        return -1;
    }
    static const char *users[7] = {NULL, "admin", "reviewer", "maker", "orgadmin", "user",
                                   "auditor"};
    for (int i = 1; i < 7; i++) {
        session_for(st, users[i], i);
    }
    es_pool_put(g_app.pool, st, false);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_ready) {
        g_ready = setup() == 0 ? 1 : -1;
    }
    if (g_ready < 0 || size < 1 || size > 200000) {
        return 0;
    }
    int who = data[0] % 7;
    data++;
    size--;
    char *buf = malloc(size + 1);
    if (!buf) {
        return 0;
    }
    memcpy(buf, data, size);
    buf[size] = '\0';
    /* request line */
    char *p = buf, *end = buf + size;
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) {
        free(buf);
        return 0;
    }
    *nl = '\0';
    char *sp = strchr(p, ' ');
    if (!sp) {
        free(buf);
        return 0;
    }
    *sp = '\0';
    const char *method = p;
    char *path = sp + 1;
    struct fuzz_conn fc = {0};
    char *q = strchr(path, '?');
    if (q) {
        *q = '\0';
        fc.query = q + 1;
    }
    p = nl + 1;
    /* headers */
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            break;
        }
        *nl = '\0';
        if (p == nl) {
            p = nl + 1;
            break;
        }
        char *colon = strchr(p, ':');
        if (colon && fc.n < 15) {
            *colon = '\0';
            fc.hname[fc.n] = p;
            fc.hvalue[fc.n] = colon[1] == ' ' ? colon + 2 : colon + 1;
            fc.n++;
        }
        p = nl + 1;
    }
    char auth[64];
    if (who) {
        snprintf(auth, sizeof(auth), "Bearer %s", g_tokens[who]);
        fc.hname[fc.n] = "Authorization";
        fc.hvalue[fc.n] = auth;
        fc.n++;
    }
    if (strstr(path, "/make") || strlen(path) > 2048) {
        free(buf);
        return 0;
    }
    es_http_request req = {.method = method, .path = path, .body = (const uint8_t *)p,
                           .body_len = (size_t)(end - p), .conn = &fc, .lookup = lookup};
    snprintf(req.client, sizeof(req.client), "fuzz");
    req.arena = es_arena_new(16u << 20);
    if (req.arena) {
        es_http_response res = {.status = 500, .content_type = "text/plain"};
        es_api_handle(&g_app, &req, &res);
        if (res.status < 100 || res.status > 599) {
            __builtin_trap(); /* every answer has a real status */
        }
        es_arena_free(req.arena);
    }
    free(buf);
    return 0;
}
