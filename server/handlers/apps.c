/*
 * server/handlers/apps.c - seal applications: an organisation administrator
 * applies, a reviewer of the issuing department approves or rejects, the
 * seal maker produces the seal (the seal data signed with the maker's key,
 * the picture, the owner's key pair and certificate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../eseald.h"

#if defined(__has_include)
#if __has_include("eseal/image.h")
#include "eseal/image.h"
#define ES_HAVE_IMAGE 1
#endif
#endif

#define PICTURE_MAX (2u * 1024 * 1024)

static json_t *app_json(const struct es_store_app *a)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:I,s:I}", "id",
                          (json_int_t)a->id, "org_id", (json_int_t)a->org_id, "applicant_id",
                          (json_int_t)a->applicant_id, "kind", a->kind, "seal_name", a->seal_name,
                          "seal_type", (json_int_t)a->seal_type, "valid_days",
                          (json_int_t)a->valid_days, "status", a->status, "replaces",
                          a->replaces, "note", a->note, "reviewer_id",
                          (json_int_t)a->reviewer_id, "decision_reason", a->decision_reason,
                          "esid", a->esid, "created_at", (json_int_t)a->created_at, "decided_at",
                          (json_int_t)a->decided_at);
    return o ? o : json_object();
}

/* Loads an application the caller may see (404 otherwise). */
static bool app_load(struct es_call *c, struct es_store_app *a)
{
    char *end = NULL;
    long long id = strtoll(c->param[0], &end, 10);
    if (!end || *end || id <= 0) {
        api_error(c, 404, "not_found", "No such application: %s.", c->param[0]);
        return false;
    }
    es_store *st = api_store(c);
    if (!st) {
        return false;
    }
    int rc = ES_STORE_CALL(st, app_get, (int64_t)id, a);
    if (rc == ES_STORE_OK && !user_may_see_org(&c->who, a->org_id)) {
        es_store_app_clear(a);
        rc = ES_STORE_NOTFOUND;
    }
    return api_store_ok(c, rc, "application");
}

/* Files an application; shared with the "change" action of a seal. */
bool apps_file(struct es_call *c, struct es_store_app *a)
{
    es_store *st = api_store(c);
    if (!st || !api_store_ok(c, ES_STORE_CALL0(st, begin), "application") ||
        !api_store_ok(c, ES_STORE_CALL(st, app_create, a), "application")) {
        return false;
    }
    char obj[64];
    snprintf(obj, sizeof(obj), "application/%lld", (long long)a->id);
    return api_store_ok(c, api_audit(c, "application.create", obj,
                                     json_pack("{s:s,s:s,s:I,s:s}", "kind", a->kind, "seal_name",
                                               a->seal_name, "org_id", (json_int_t)a->org_id,
                                               "replaces", a->replaces)),
                        "audit log") &&
           api_store_ok(c, ES_STORE_CALL0(st, commit), "application");
}

void h_apps_create(struct es_call *c)
{
    json_t *b = api_body(c);
    static const char *const keys[] = {"seal_name", "seal_type", "valid_days", "note",
                                       "picture",   "replaces",  NULL};
    const char *name = NULL, *note = NULL, *replaces = NULL;
    int64_t type = 1, days = 730;
    const uint8_t *pic = NULL;
    size_t pic_len = 0;
    if (!b || !jcheck_keys(c, b, keys) || !jget_str(c, b, "seal_name", true, 255, &name) ||
        !jget_int(c, b, "seal_type", false, 1, 99, &type) ||
        !jget_int(c, b, "valid_days", false, 1, 3650, &days) ||
        !jget_str(c, b, "note", false, 511, &note) ||
        !jget_str(c, b, "replaces", false, 71, &replaces) ||
        !jget_b64(c, b, "picture", false, PICTURE_MAX, &pic, &pic_len)) {
        return;
    }
    if (pic && !es_picture_type(pic, pic_len)) {
        api_error(c, 400, "bad_request", "The picture is not a PNG, JPEG, GIF, BMP or OFD file.");
        return;
    }
#ifdef ES_HAVE_IMAGE
    if (pic) {
        /* decode it whole, within limits: a picture that is not what it
         * claims never reaches a seal */
        es_ctx *ictx = es_ctx_new();
        int irc = ictx ? es_image_check(ictx, pic, pic_len, NULL, NULL, NULL) : ES_ERR_NOMEM;
        if (irc != ES_OK) {
            api_error(c, 400, "bad_request", "The picture is unusable: %s",
                      ictx ? es_ctx_errmsg(ictx) : "out of memory");
            es_ctx_free(ictx);
            return;
        }
        es_ctx_free(ictx);
    }
#endif
    struct es_store_app a = {.org_id = c->who.org_id, .applicant_id = c->who.user_id,
                             .seal_type = type, .valid_days = days, .picture = (uint8_t *)pic,
                             .picture_len = pic_len};
    ES_STORE_SET(a.kind, "new");
    ES_STORE_SET(a.seal_name, name);
    ES_STORE_SET(a.status, "applied");
    ES_STORE_SET(a.note, note);
    if (replaces && replaces[0]) {
        /* a re-made seal (after key compromise or loss) links to the old one */
        struct es_store_seal old;
        if (!seal_load(c, replaces, &old)) {
            return;
        }
        const char *eff = es_lifecycle_effective(old.status, old.valid_end, (int64_t)time(NULL));
        bool ok = !strcmp(eff, "cancelled") || !strcmp(eff, "lost") || !strcmp(eff, "expired");
        bool taken = old.replaced_by[0] != 0;
        es_store_seal_clear(&old);
        if (!ok) {
            api_error(c, 409, "conflict", "The seal %s is %s: only a cancelled, lost or expired "
                      "seal can be replaced (use the change action for a live seal).",
                      replaces, eff);
            return;
        }
        if (taken) {
            api_error(c, 409, "conflict", "The seal %s has already been replaced.", replaces);
            return;
        }
        ES_STORE_SET(a.kind, "remake");
        ES_STORE_SET(a.replaces, replaces);
    }
    if (!apps_file(c, &a)) {
        return;
    }
    a.picture = NULL;
    api_json(c, 201, app_json(&a));
}

struct app_out {
    json_t *arr;
};

static int app_row(void *arg, const struct es_store_app *a)
{
    json_array_append_new(((struct app_out *)arg)->arr, app_json(a));
    return 0;
}

void h_apps_list(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    const char *status = es_http_query(c->req, "status");
    struct es_store_filter f = {.status = status, .limit = api_query_int(c, "limit", 500)};
    if (c->who.role_bit == R_ORG_ADMIN) {
        f.org_id = c->who.org_id;
    }
    struct app_out o = {json_array()};
    if (!api_store_ok(c, ES_STORE_CALL(st, app_list, &f, app_row, &o), "application")) {
        json_decref(o.arr);
        return;
    }
    api_json(c, 200, json_pack("{s:o}", "applications", o.arr));
}

void h_apps_get(struct es_call *c)
{
    struct es_store_app a;
    if (!app_load(c, &a)) {
        return;
    }
    json_t *o = app_json(&a);
    if (a.picture) {
        json_object_set_new(o, "picture", json_string(api_b64(c, a.picture, a.picture_len)));
    }
    es_store_app_clear(&a);
    api_json(c, 200, o);
}

static void decide(struct es_call *c, const char *to, const char *audit_action)
{
    json_t *b = api_body(c);
    static const char *const keys[] = {"reason", NULL};
    const char *reason = NULL;
    if (!b || !jcheck_keys(c, b, keys) || !jget_str(c, b, "reason", false, 511, &reason)) {
        return;
    }
    if (!strcmp(to, "rejected") && (!reason || !reason[0])) {
        api_error(c, 400, "bad_request", "A rejection needs a reason.");
        return;
    }
    struct es_store_app a;
    if (!app_load(c, &a)) {
        return;
    }
    es_store_app_clear(&a);
    if (strcmp(a.status, "applied") != 0) {
        api_error(c, 409, "conflict", "The application %lld is %s: only an application in "
                  "state applied can be %s.", (long long)a.id, a.status, to);
        return;
    }
    es_store *st = api_store(c);
    ES_STORE_SET(a.status, to);
    ES_STORE_SET(a.decision_reason, reason);
    a.reviewer_id = c->who.user_id;
    a.decided_at = (int64_t)time(NULL);
    if (!api_store_ok(c, ES_STORE_CALL0(st, begin), "application")) {
        return;
    }
    int rc = ES_STORE_CALL(st, app_update, &a, "applied");
    if (rc == ES_STORE_CONFLICT) {
        api_error(c, 409, "conflict", "The application %lld was decided meanwhile.",
                  (long long)a.id);
        return;
    }
    char obj[64];
    snprintf(obj, sizeof(obj), "application/%lld", (long long)a.id);
    if (!api_store_ok(c, rc, "application") ||
        !api_store_ok(c, api_audit(c, audit_action, obj,
                                   json_pack("{s:s}", "reason", reason ? reason : "")),
                      "audit log") ||
        !api_store_ok(c, ES_STORE_CALL0(st, commit), "application")) {
        return;
    }
    api_json(c, 200, app_json(&a));
}

void h_apps_approve(struct es_call *c)
{
    decide(c, "approved", "application.approve");
}

void h_apps_reject(struct es_call *c)
{
    decide(c, "rejected", "application.reject");
}

/* ---- production ---- */

void h_apps_make(struct es_call *c)
{
    struct es_app *app = c->app;
    struct es_store_app a;
    struct es_store_org org;
    uint8_t *picture = NULL, *wrapped = NULL, *cert_der = NULL, *seal = NULL;
    size_t picture_len = 0, wrapped_len = 0, cert_len = 0, seal_len = 0;
    es_cert *owner = NULL;
    es_ctx *ctx = NULL;
    json_t *b = api_body(c);
    static const char *const keys[] = {NULL};
    if (!b || !jcheck_keys(c, b, keys) || !app_load(c, &a)) {
        return;
    }
    es_store *st = api_store(c);
    if (strcmp(a.status, "approved") != 0) {
        api_error(c, 409, "conflict", "The application %lld is %s: only an approved application "
                  "can be made into a seal.", (long long)a.id, a.status);
        goto out;
    }
    if (!api_store_ok(c, ES_STORE_CALL(st, org_get, a.org_id, &org), "organisation")) {
        goto out;
    }
    /* everything costly happens before the transaction */
    if (a.picture) {
        picture = malloc(a.picture_len);
        if (!picture) {
            api_error(c, 500, "internal", "Out of memory.");
            goto out;
        }
        memcpy(picture, a.picture, a.picture_len);
        picture_len = a.picture_len;
    } else if (es_platform_picture(org.name, a.seal_name, a.seal_type, &picture, &picture_len) !=
               0) {
        api_error(c, 500, "internal", "Cannot draw the seal picture.");
        goto out;
    }
    uint8_t rnd[16];
    if (ks_random(rnd, sizeof(rnd)) != 0) {
        api_error(c, 500, "internal", "No random bytes.");
        goto out;
    }
    char esid[40];
    static const char HX[] = "0123456789ABCDEF";
    for (int i = 0; i < 16; i++) {
        esid[2 * i] = HX[rnd[i] >> 4];
        esid[2 * i + 1] = HX[rnd[i] & 15];
    }
    esid[32] = '\0';
    char key_id[40];
    snprintf(key_id, sizeof(key_id), "k-%.32s", esid);
    int64_t now = (int64_t)time(NULL);
    int64_t valid_end = now + a.valid_days * 86400;
    char err[512];
    if (ks_new_identity(app->ks, key_id, org.name, a.seal_name, valid_end + 3600, &wrapped,
                        &wrapped_len, &cert_der, &cert_len, err, sizeof(err)) != 0) {
        fprintf(stderr, "eseald: make: %s\n", err);
        api_error(c, 500, "internal", "Cannot make the owner's key and certificate: %s", err);
        goto out;
    }
    ctx = es_ctx_new();
    if (!ctx || es_cert_from_der(ctx, cert_der, cert_len, &owner) != ES_OK) {
        api_error(c, 500, "internal", "The issued certificate is unreadable.");
        goto out;
    }
    const es_cert *signers[1] = {owner};
    es_seal_params p = {.vid = "eseald", .esid = esid, .type = a.seal_type, .name = a.seal_name,
                        .signer_certs = signers, .n_signer_certs = 1, .create_date = now,
                        .valid_start = now - 60, .valid_end = valid_end, .picture = picture,
                        .picture_len = picture_len};
    pthread_mutex_lock(&app->platform_lock);
    int rc = es_seal_make(ctx, &p, app->platform_key, app->platform_cert, &seal, &seal_len);
    pthread_mutex_unlock(&app->platform_lock);
    if (rc != ES_OK) {
        api_error(c, 500, "internal", "Making the seal failed: %s", es_ctx_errmsg(ctx));
        goto out;
    }
    uint8_t h[32];
    es_sm3(seal, seal_len, h);
    struct es_store_seal s = {.org_id = a.org_id, .app_id = a.id, .type = a.seal_type,
                              .valid_start = p.valid_start, .valid_end = valid_end,
                              .created_at = now, .updated_at = now, .der = seal,
                              .der_len = seal_len, .cert = cert_der, .cert_len = cert_len};
    ES_STORE_SET(s.esid, esid);
    ES_STORE_SET(s.name, a.seal_name);
    ES_STORE_SET(s.status, "made");
    ES_STORE_SET(s.der_sm3, api_hex(c, h, 32));
    ES_STORE_SET(s.key_id, key_id);
    ES_STORE_SET(s.replaces, a.replaces);
    struct es_store_key k = {.org_id = a.org_id, .created_at = now, .wrapped = wrapped,
                             .wrapped_len = wrapped_len};
    ES_STORE_SET(k.id, key_id);
    ES_STORE_SET(k.alg, "sm2");
    struct es_store_event ev = {.actor_id = c->who.user_id, .at = now};
    ES_STORE_SET(ev.esid, esid);
    ES_STORE_SET(ev.action, "make");
    ES_STORE_SET(ev.to_status, "made");
    ES_STORE_SET(ev.actor, c->who.username);
    snprintf(ev.reason, sizeof(ev.reason), "application %lld", (long long)a.id);
    ES_STORE_SET(a.status, "made");
    ES_STORE_SET(a.esid, esid);
    if (!api_store_ok(c, ES_STORE_CALL0(st, begin), "seal")) {
        goto out;
    }
    rc = ES_STORE_CALL(st, app_update, &a, "approved");
    if (rc == ES_STORE_CONFLICT) {
        api_error(c, 409, "conflict", "The application %lld was made meanwhile.",
                  (long long)a.id);
        goto out;
    }
    if (!api_store_ok(c, rc, "application") ||
        !api_store_ok(c, ES_STORE_CALL(st, seal_create, &s), "seal") ||
        !api_store_ok(c, ES_STORE_CALL(st, key_put, &k), "key") ||
        !api_store_ok(c, ES_STORE_CALL(st, event_append, &ev), "seal event") ||
        !api_store_ok(c, es_fed_record(app, st, &ev), "transparency log")) {
        goto out;
    }
    if (a.replaces[0]) {
        struct es_store_seal old;
        rc = ES_STORE_CALL(st, seal_get, a.replaces, &old);
        if (rc == ES_STORE_OK) {
            ES_STORE_SET(old.replaced_by, esid);
            old.updated_at = now;
            rc = ES_STORE_CALL(st, seal_update, &old);
            es_store_seal_clear(&old);
        }
        if (!api_store_ok(c, rc, "replaced seal")) {
            goto out;
        }
    }
    char obj[96];
    snprintf(obj, sizeof(obj), "seal/%s", esid);
    if (!api_store_ok(c, api_audit(c, "seal.make", obj,
                                   json_pack("{s:I,s:s,s:s,s:s}", "application", (json_int_t)a.id,
                                             "sm3", s.der_sm3, "owner_cert_serial",
                                             es_cert_serial_hex(owner), "replaces", a.replaces)),
                      "audit log") ||
        !api_store_ok(c, ES_STORE_CALL0(st, commit), "seal")) {
        goto out;
    }
    s.der = seal;
    s.version = 1;
    api_json(c, 201, seal_json(c, &s, true));
out:
    es_store_app_clear(&a);
    es_cert_free(owner);
    es_ctx_free(ctx);
    free(picture);
    if (wrapped) {
        ks_wipe(wrapped, wrapped_len);
    }
    free(wrapped);
    free(cert_der);
    es_free(seal);
}
