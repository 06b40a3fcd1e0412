/*
 * server/handlers/admin.c - organisations and users (platform administrator;
 * an organisation administrator manages the seal users of its own
 * organisation), and the audit log (auditor: export and chain check).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../eseald.h"

static int org_row(void *arg, const struct es_store_org *o)
{
    json_array_append_new(arg, json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)o->id, "name",
                                         o->name, "code", o->code, "created_at",
                                         (json_int_t)o->created_at));
    return 0;
}

struct org_filter {
    json_t *arr;
    int64_t only;
};

static int org_row_filtered(void *arg, const struct es_store_org *o)
{
    struct org_filter *f = arg;
    return f->only && f->only != o->id ? 0 : org_row(f->arr, o);
}

void h_orgs_list(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct org_filter f = {.arr = json_array(),
                           .only = c->who.role_bit == R_ORG_ADMIN ? c->who.org_id : 0};
    if (!api_store_ok(c, ES_STORE_CALL(st, org_list, org_row_filtered, &f), "organisation")) {
        json_decref(f.arr);
        return;
    }
    api_json(c, 200, json_pack("{s:o}", "orgs", f.arr));
}

void h_orgs_create(struct es_call *c)
{
    json_t *b = api_body(c);
    static const char *const keys[] = {"name", "code", NULL};
    const char *name = NULL, *code = NULL;
    if (!b || !jcheck_keys(c, b, keys) || !jget_str(c, b, "name", true, 255, &name) ||
        !jget_str(c, b, "code", false, 63, &code)) {
        return;
    }
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_org o = {0};
    ES_STORE_SET(o.name, name);
    ES_STORE_SET(o.code, code);
    if (!api_store_ok(c, ES_STORE_CALL0(st, begin), "organisation") ||
        !api_store_ok(c, ES_STORE_CALL(st, org_create, &o), "organisation")) {
        return;
    }
    char obj[64];
    snprintf(obj, sizeof(obj), "org/%lld", (long long)o.id);
    if (!api_store_ok(c, api_audit(c, "org.create", obj, json_pack("{s:s}", "name", name)),
                      "audit log") ||
        !api_store_ok(c, ES_STORE_CALL0(st, commit), "organisation")) {
        return;
    }
    api_json(c, 201, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)o.id, "name", o.name, "code",
                               o.code));
}

static int user_row(void *arg, const struct es_store_user *u)
{
    json_array_append_new(arg, json_pack("{s:I,s:s,s:s,s:s,s:I,s:b}", "id", (json_int_t)u->id,
                                         "username", u->username, "display", u->display, "role",
                                         u->role, "org_id", (json_int_t)u->org_id, "disabled",
                                         (int)(u->disabled != 0)));
    return 0;
}

void h_users_list(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_filter f = {.limit = 1000};
    if (c->who.role_bit == R_ORG_ADMIN) {
        f.org_id = c->who.org_id;
    }
    json_t *arr = json_array();
    if (!api_store_ok(c, ES_STORE_CALL(st, user_list, &f, user_row, arr), "user")) {
        json_decref(arr);
        return;
    }
    api_json(c, 200, json_pack("{s:o}", "users", arr));
}

static bool username_ok(const char *u)
{
    size_t n = strlen(u);
    if (n < 2 || n > 63) {
        return false;
    }
    for (const char *p = u; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.')) {
            return false;
        }
    }
    return true;
}

void h_users_create(struct es_call *c)
{
    json_t *b = api_body(c);
    static const char *const keys[] = {"username", "password", "role", "org_id", "display",
                                       NULL};
    const char *user = NULL, *pw = NULL, *role = NULL, *display = NULL;
    int64_t org = 0;
    if (!b || !jcheck_keys(c, b, keys) || !jget_str(c, b, "username", true, 63, &user) ||
        !jget_str(c, b, "password", true, 256, &pw) || !jget_str(c, b, "role", true, 23, &role) ||
        !jget_str(c, b, "display", false, 127, &display) ||
        !jget_int(c, b, "org_id", false, 0, INT64_MAX, &org)) {
        return;
    }
    unsigned bit = es_role_bit(role);
    if (!username_ok(user)) {
        api_error(c, 400, "bad_request", "A user name is 2 to 63 of A-Z a-z 0-9 _ - .");
        return;
    }
    if (!bit) {
        api_error(c, 400, "bad_request", "Unknown role \"%s\": admin, reviewer, maker, "
                  "org_admin, user or auditor.", role);
        return;
    }
    if (strlen(pw) < 4) {
        api_error(c, 400, "bad_request", "The password is too short.");
        return;
    }
    /* an organisation administrator creates seal users of its own organisation only */
    if (c->who.role_bit == R_ORG_ADMIN) {
        if (bit != R_USER || (org && org != c->who.org_id)) {
            api_error(c, 403, "forbidden", "An organisation administrator may create only "
                      "seal users (role user) of its own organisation.");
            return;
        }
        org = c->who.org_id;
    }
    if ((bit == R_ORG_ADMIN || bit == R_USER) && !org) {
        api_error(c, 400, "bad_request", "The role %s needs an org_id.", role);
        return;
    }
    if (!(bit == R_ORG_ADMIN || bit == R_USER) && org) {
        api_error(c, 400, "bad_request", "The role %s belongs to the authority, not to an "
                  "organisation: leave org_id out.", role);
        return;
    }
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_user u = {.org_id = org};
    ES_STORE_SET(u.username, user);
    ES_STORE_SET(u.role, role);
    ES_STORE_SET(u.display, display);
    if (ks_password_hash(pw, u.pw_hash, sizeof(u.pw_hash)) != 0) {
        api_error(c, 500, "internal", "Cannot hash the password.");
        return;
    }
    if (org) {
        struct es_store_org o;
        if (!api_store_ok(c, ES_STORE_CALL(st, org_get, org, &o), "organisation")) {
            return;
        }
    }
    if (!api_store_ok(c, ES_STORE_CALL0(st, begin), "user")) {
        return;
    }
    int rc = ES_STORE_CALL(st, user_create, &u);
    if (rc == ES_STORE_CONFLICT) {
        api_error(c, 409, "conflict", "The user name %s is taken.", user);
        return;
    }
    if (!api_store_ok(c, rc, "user")) {
        return;
    }
    char obj[96];
    snprintf(obj, sizeof(obj), "user/%s", user);
    if (!api_store_ok(c, api_audit(c, "user.create", obj,
                                   json_pack("{s:s,s:I}", "role", role, "org_id",
                                             (json_int_t)org)),
                      "audit log") ||
        !api_store_ok(c, ES_STORE_CALL0(st, commit), "user")) {
        return;
    }
    api_json(c, 201, json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)u.id, "username",
                               u.username, "role", u.role, "org_id", (json_int_t)u.org_id));
}

/* ---- audit ---- */

struct audit_out {
    struct es_call *c;
    json_t *arr;
};

static int audit_row(void *arg, const struct es_store_audit *a)
{
    struct audit_out *o = arg;
    json_t *detail = json_loads(a->detail, JSON_REJECT_DUPLICATES, NULL);
    json_t *row = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "seq", (json_int_t)a->seq, "at",
                            (json_int_t)a->at, "time", api_time(o->c, a->at), "actor", a->actor,
                            "action", a->action, "object", a->object, "prev_hash",
                            api_hex(o->c, a->prev_hash, 32), "hash", api_hex(o->c, a->hash, 32));
    if (row) {
        /* the exact text that was hashed, and its parsed form for reading */
        json_object_set_new(row, "detail", json_string(a->detail));
        if (detail) {
            json_object_set_new(row, "detail_json", detail);
        }
        json_array_append_new(o->arr, row);
    } else {
        json_decref(detail);
    }
    return 0;
}

void h_audit_list(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_filter f = {.since = api_query_int(c, "from", 1),
                                .limit = api_query_int(c, "limit", 1000)};
    if (f.limit < 1 || f.limit > 10000) {
        f.limit = 1000;
    }
    struct audit_out o = {c, json_array()};
    if (!api_store_ok(c, ES_STORE_CALL(st, audit_list, &f, audit_row, &o), "audit log")) {
        json_decref(o.arr);
        return;
    }
    api_json(c, 200,
             json_pack("{s:s,s:o}", "hash",
                       "SM3(prev_hash || u64be(seq) || u64be(at) || lp(actor) || lp(action) || "
                       "lp(object) || lp(detail)), lp(x) = u32be(len) || x",
                       "entries", o.arr));
}

void h_audit_verify(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    int64_t n = 0, bad = 0;
    if (!api_store_ok(c, es_store_audit_verify(st, &n, &bad), "audit log")) {
        return;
    }
    json_t *o = json_pack("{s:b,s:I}", "intact", bad == 0, "entries", (json_int_t)n);
    if (bad) {
        json_object_set_new(o, "first_bad_seq", json_integer(bad));
    } else if (n > 0) {
        /* the head, signed by the platform: kept with a backup or by the
         * auditor, it shows later whether the log was cut short */
        struct audit_out last = {c, json_array()};
        struct es_store_filter f = {.since = n, .limit = 1};
        if (ES_STORE_CALL(st, audit_list, &f, audit_row, &last) == ES_STORE_OK &&
            json_array_size(last.arr) == 1) {
            json_t *row = json_array_get(last.arr, 0);
            json_t *tbs = json_pack("{s:s,s:O,s:O,s:I}", "type", "eseal-audit-head/1", "seq",
                                    json_object_get(row, "seq"), "hash",
                                    json_object_get(row, "hash"), "at",
                                    (json_int_t)time(NULL));
            json_t *head = tbs ? es_platform_signed(c->app, tbs) : NULL;
            json_decref(tbs);
            if (head) {
                json_object_set_new(o, "head", head);
            }
        }
        json_decref(last.arr);
    }
    api_json(c, 200, o);
}
