/*
 * server/app.c - the process state of eseald: keys, the platform identity,
 * the store pool and the demo seed. Shared by main.c and the fuzz target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseald.h"

static int load_platform(struct es_app *app, char *err, size_t err_len)
{
    struct es_config *c = &app->cfg;
    if (!c->platform_key[0] || !c->platform_cert[0]) {
        snprintf(err, err_len, "the platform's key and certificate are required "
                               "(--platform-key, --platform-cert)");
        return -1;
    }
    es_ctx *ctx = es_ctx_new();
    int rc = es_key_load(ctx, c->platform_key, c->platform_pass[0] ? c->platform_pass : NULL,
                         &app->platform_key);
    if (rc == ES_OK) {
        rc = es_cert_load(ctx, c->platform_cert, NULL, &app->platform_cert);
    }
    if (rc == ES_OK && !es_key_matches_cert(app->platform_key, app->platform_cert)) {
        snprintf(err, err_len, "the platform key does not match its certificate");
        es_ctx_free(ctx);
        return -1;
    }
    if (rc == ES_OK) {
        rc = es_cert_to_pem(ctx, app->platform_cert, &app->platform_cert_pem);
    }
    if (rc != ES_OK) {
        snprintf(err, err_len, "platform key/certificate: %s", es_ctx_errmsg(ctx));
        es_ctx_free(ctx);
        return -1;
    }
    if (c->ca_cert[0]) {
        es_cert *ca = NULL;
        if (es_cert_load(ctx, c->ca_cert, NULL, &ca) == ES_OK) {
            es_cert_to_pem(ctx, ca, &app->ca_cert_pem);
        }
        es_cert_free(ca);
    }
    es_ctx_free(ctx);
    if (c->ca_key[0] && c->ca_cert[0]) {
        if (ks_load_ca(app->ks, c->ca_key, c->ca_cert, c->ca_pass[0] ? c->ca_pass : NULL, err,
                       err_len) != 0) {
            return -1;
        }
    } else {
        fprintf(stderr, "eseald: warning: no CA (--ca-key, --ca-cert): seals cannot be made\n");
    }
    return 0;
}

static int add_user(es_store *st, const char *name, const char *pw, const char *role,
                    int64_t org, const char *display)
{
    struct es_store_user u = {.org_id = org};
    ES_STORE_SET(u.username, name);
    ES_STORE_SET(u.role, role);
    ES_STORE_SET(u.display, display);
    if (ks_password_hash(pw, u.pw_hash, sizeof(u.pw_hash)) != 0) {
        return ES_STORE_ERR;
    }
    int rc = ES_STORE_CALL(st, user_create, &u);
    if (rc == ES_STORE_OK) {
        struct es_store_audit a = {0};
        ES_STORE_SET(a.actor, "system");
        ES_STORE_SET(a.action, "user.create");
        snprintf(a.object, sizeof(a.object), "user/%s", name);
        snprintf(a.detail, sizeof(a.detail), "{\"org_id\":%lld,\"role\":\"%s\"}",
                 (long long)org, role);
        rc = ES_STORE_CALL(st, audit_append, &a);
    }
    return rc == ES_STORE_CONFLICT ? ES_STORE_OK : rc;
}

static int64_t add_org(es_store *st, const char *name, const char *code)
{
    struct es_store_org o = {0};
    ES_STORE_SET(o.name, name);
    ES_STORE_SET(o.code, code);
    if (ES_STORE_CALL(st, org_create, &o) != ES_STORE_OK) {
        return 0;
    }
    struct es_store_audit a = {0};
    ES_STORE_SET(a.actor, "system");
    ES_STORE_SET(a.action, "org.create");
    snprintf(a.object, sizeof(a.object), "org/%lld", (long long)o.id);
    ES_STORE_SET(a.detail, "{\"seed\":\"demo\"}");
    ES_STORE_CALL(st, audit_append, &a);
    return o.id;
}

/* Creates the demo organisation and one user per role (idempotent). */
static int seed(struct es_app *app, char *err, size_t err_len)
{
    es_store *st = es_pool_get(app->pool, err, err_len);
    if (!st) {
        return -1;
    }
    int rc = ES_STORE_OK;
    const char *admin = app->cfg.admin;
    if (admin[0]) {
        char name[64];
        const char *colon = strchr(admin, ':');
        if (!colon || colon == admin || (size_t)(colon - admin) >= sizeof(name) || !colon[1]) {
            snprintf(err, err_len, "--admin expects USER:PASSWORD");
            es_pool_put(app->pool, st, false);
            return -1;
        }
        memcpy(name, admin, (size_t)(colon - admin));
        name[colon - admin] = '\0';
        rc = add_user(st, name, colon + 1, "admin", 0, "Platform administrator");
    }
    struct es_store_user u;
    if (rc == ES_STORE_OK && app->cfg.seed_demo &&
        ES_STORE_CALL(st, user_get_by_name, "reviewer", &u) == ES_STORE_NOTFOUND) {
        const char *pw = app->cfg.demo_password;
        int64_t org = add_org(st, "示例科技有限公司", "91110000MA01DEMO01");
        int64_t org2 = add_org(st, "另一家公司", "91110000MA01DEMO02");
        if (!org || !org2) {
            rc = ES_STORE_ERR;
        }
        struct {
            const char *name, *role, *display;
            int64_t org;
        } users[] = {
            {"admin", "admin", "平台管理员 Platform admin", 0},
            {"reviewer", "reviewer", "制发部门审核员 Reviewer", 0},
            {"maker", "maker", "制作管理单位 Seal maker", 0},
            {"orgadmin", "org_admin", "单位管理员 Org admin", org},
            {"user", "user", "用印人 Seal user", org},
            {"auditor", "auditor", "审计员 Auditor", 0},
            {"orgadmin2", "org_admin", "另一单位管理员", org2},
            {"user2", "user", "另一单位用印人", org2},
        };
        for (size_t i = 0; rc == ES_STORE_OK && i < sizeof(users) / sizeof(users[0]); i++) {
            rc = add_user(st, users[i].name, pw, users[i].role, users[i].org, users[i].display);
        }
    }
    if (rc != ES_STORE_OK) {
        snprintf(err, err_len, "seeding: %s", es_store_errmsg(st));
    }
    es_pool_put(app->pool, st, rc != ES_STORE_OK);
    return rc == ES_STORE_OK ? 0 : -1;
}

int es_app_init(struct es_app *app, char *err, size_t err_len)
{
    pthread_mutex_init(&app->platform_lock, NULL);
    pthread_mutex_init(&app->trust_lock, NULL);
    app->started_at = (int64_t)time(NULL);
    if (ks_open(app->cfg.master_key, app->cfg.create_master_key, &app->ks, err, err_len) != 0 ||
        load_platform(app, err, err_len) != 0 || es_tsa_setup(app, err, err_len) != 0) {
        return -1;
    }
    /* compute threads run POSTs, epoll threads run GETs: both may hold one */
    app->pool = es_pool_new(app->cfg.db, app->cfg.threads * 2 + 2, err, err_len);
    if (!app->pool) {
        char keep[512];
        snprintf(keep, sizeof(keep), "%s", err);
        snprintf(err, err_len, "database: %s", keep);
        return -1;
    }
    app->status_cache = es_status_cache_new();
    if (!app->status_cache) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (es_fed_init(app, err, err_len) != 0) {
        return -1;
    }
    return seed(app, err, err_len);
}

void es_app_close(struct es_app *app)
{
    es_platform_shutdown();
    es_status_cache_free(app->status_cache);
    es_fed_stop(app);
    es_fed_free(app);
    es_tsa_teardown(app);
    es_pool_free(app->pool);
    es_key_free(app->platform_key);
    es_cert_free(app->platform_cert);
    es_free(app->platform_cert_pem);
    es_free(app->ca_cert_pem);
    ks_close(app->ks);
    ks_wipe(app->cfg.platform_pass, sizeof(app->cfg.platform_pass));
    ks_wipe(app->cfg.ca_pass, sizeof(app->cfg.ca_pass));
    ks_wipe(app->cfg.tsa_pass, sizeof(app->cfg.tsa_pass));
    pthread_mutex_destroy(&app->platform_lock);
    pthread_mutex_destroy(&app->trust_lock);
    memset(app, 0, sizeof(*app));
}
