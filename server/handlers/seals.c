/*
 * server/handlers/seals.c - seals: the list an organisation may see, one
 * seal with its history, the life-cycle actions (each checked against the
 * table of lifecycle.c, refused with 409 and the reason when the current
 * state does not allow it), registration with a signed registration
 * certificate, and the public status, registration and picture lookups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../eseald.h"

struct seal_out {
    struct es_call *c;
    json_t *arr;
};

static int seal_row(void *arg, const struct es_store_seal *s)
{
    struct seal_out *o = arg;
    json_array_append_new(o->arr, seal_json(o->c, s, false));
    return 0;
}

void h_seals_list(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_filter f = {.status = es_http_query(c->req, "status"),
                                .limit = api_query_int(c, "limit", 500)};
    if (c->who.role_bit & (R_ORG_ADMIN | R_USER)) {
        f.org_id = c->who.org_id;
    }
    struct seal_out o = {c, json_array()};
    if (!api_store_ok(c, ES_STORE_CALL(st, seal_list, &f, seal_row, &o), "seal")) {
        json_decref(o.arr);
        return;
    }
    api_json(c, 200, json_pack("{s:o}", "seals", o.arr));
}

void h_seals_get(struct es_call *c)
{
    struct es_store_seal s;
    if (!seal_load(c, c->param[0], &s)) {
        return;
    }
    json_t *o = seal_json(c, &s, true);
    es_store_seal_clear(&s);
    api_json(c, 200, o);
}

static int event_row(void *arg, const struct es_store_event *e)
{
    struct seal_out *o = arg;
    json_array_append_new(o->arr,
                          json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "id", (json_int_t)e->id,
                                    "action", e->action, "from", e->from_status, "to",
                                    e->to_status, "actor", e->actor, "reason", e->reason, "at",
                                    (json_int_t)e->at, "time", api_time(o->c, e->at)));
    return 0;
}

void h_seals_events(struct es_call *c)
{
    struct es_store_seal s;
    if (!seal_load(c, c->param[0], &s)) {
        return;
    }
    es_store_seal_clear(&s);
    struct seal_out o = {c, json_array()};
    if (!api_store_ok(c, ES_STORE_CALL(api_store(c), event_list, s.esid, event_row, &o),
                      "seal event")) {
        json_decref(o.arr);
        return;
    }
    api_json(c, 200, json_pack("{s:s,s:o}", "esid", s.esid, "events", o.arr));
}

/* The registration certificate (备案证书): a platform-signed JSON document. */
static json_t *registration_doc(struct es_call *c, const struct es_store_seal *s,
                                const struct es_store_org *org, int64_t at)
{
    json_t *tbs = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s}", "type",
                            "eseal-registration/1", "reg_no", s->reg_no, "esid", s->esid,
                            "seal_name", s->name, "seal_sm3", s->der_sm3, "org", org->name,
                            "org_code", org->code, "registered_at", (json_int_t)at, "valid_start",
                            (json_int_t)s->valid_start, "valid_end", (json_int_t)s->valid_end,
                            "platform", es_cert_subject(c->app->platform_cert));
    if (!tbs) {
        return NULL;
    }
    json_t *doc = es_platform_signed(c->app, tbs);
    json_decref(tbs);
    return doc;
}

/* The "change" action: a new application for a changed seal that, once
 * made and activated, replaces this one (which is then cancelled). */
static void change(struct es_call *c, struct es_store_seal *s, json_t *b)
{
    const char *name = NULL, *note = NULL;
    int64_t days = 730;
    if (!jget_str(c, b, "seal_name", true, 255, &name) ||
        !jget_str(c, b, "reason", false, 511, &note) ||
        !jget_int(c, b, "valid_days", false, 1, 3650, &days)) {
        return;
    }
    if (s->replaced_by[0]) {
        api_error(c, 409, "conflict", "The seal %s has already been replaced by %s.", s->esid,
                  s->replaced_by);
        return;
    }
    struct es_store_app a = {.org_id = s->org_id, .applicant_id = c->who.user_id,
                             .seal_type = s->type, .valid_days = days};
    ES_STORE_SET(a.kind, "change");
    ES_STORE_SET(a.seal_name, name);
    ES_STORE_SET(a.status, "applied");
    ES_STORE_SET(a.replaces, s->esid);
    ES_STORE_SET(a.note, note);
    if (apps_file(c, &a)) {
        api_json(c, 201, json_pack("{s:I,s:s,s:s,s:s}", "application", (json_int_t)a.id, "kind",
                                   "change", "replaces", s->esid, "status", "applied"));
    }
}

void h_seals_action(struct es_call *c)
{
    const char *esid = c->param[0], *action = c->param[1];
    bool known = false;
    const struct es_transition *t = es_lifecycle_find(action, c->who.role_bit, &known);
    if (!known) {
        api_error(c, 404, "not_found", "No such action \"%s\": register, activate, suspend, "
                  "resume, freeze, unfreeze, report-loss, cancel or change.", action);
        return;
    }
    if (!t) {
        api_error(c, 403, "forbidden", "The role %s may not %s a seal.", c->who.role, action);
        return;
    }
    json_t *b = api_body(c);
    static const char *const keys[] = {"reason", "lost_at", "seal_name", "valid_days", NULL};
    const char *reason = NULL;
    int64_t lost_at = 0;
    if (!b || !jcheck_keys(c, b, keys)) {
        return;
    }
    struct es_store_seal s;
    if (!seal_load(c, esid, &s)) {
        return;
    }
    int64_t now = (int64_t)time(NULL);
    const char *eff = es_lifecycle_effective(s.status, s.valid_end, now);
    es_store *st = api_store(c);
    if (!es_lifecycle_allowed_from(t, eff)) {
        char from[160];
        es_lifecycle_from_list(t, from, sizeof(from));
        api_error(c, 409, "invalid_transition", "Cannot %s the seal %s: it is %s, and %s is "
                  "allowed only from: %s.", action, esid, eff, action, from);
        goto out;
    }
    if (!t->to) {
        change(c, &s, b);
        goto out;
    }
    if (!jget_str(c, b, "reason", false, 511, &reason) ||
        !jget_int(c, b, "lost_at", false, 0, now + 60, &lost_at)) {
        goto out;
    }
    if (!strcmp(action, "cancel") && (!reason || !es_lifecycle_cancel_reason_ok(reason))) {
        api_error(c, 400, "bad_request", "A cancellation needs a reason among: rename, "
                  "dissolution, revocation, bankruptcy, split, merger, key-compromise, damaged, "
                  "no-longer-used.");
        goto out;
    }
    if (t->forced && (!reason || !reason[0])) {
        api_error(c, 400, "bad_request", "The authority's %s needs a reason.", action);
        goto out;
    }
    char prev[16];
    snprintf(prev, sizeof(prev), "%s", s.status);
    ES_STORE_SET(s.status, t->to);
    s.updated_at = now;
    json_t *detail = json_pack("{s:s,s:s,s:s}", "from", prev, "to", t->to, "reason",
                               reason ? reason : "");
    if (!strcmp(action, "report-loss")) {
        s.lost_at = lost_at ? lost_at : now;
        json_object_set_new(detail, "lost_at", json_integer(s.lost_at));
    } else if (!strcmp(action, "cancel")) {
        ES_STORE_SET(s.cancel_reason, reason);
        json_object_set_new(detail, "forced", json_boolean(t->forced));
    } else if (!strcmp(action, "register")) {
        struct es_store_org org;
        if (!api_store_ok(c, ES_STORE_CALL(st, org_get, s.org_id, &org), "organisation")) {
            json_decref(detail);
            goto out;
        }
        /* the registration number: year, then the seal's own identifier */
        time_t tt = (time_t)now;
        struct tm tm;
        gmtime_r(&tt, &tm);
        snprintf(s.reg_no, sizeof(s.reg_no), "REG-%04d-%.16s", tm.tm_year + 1900, s.esid);
        json_t *doc = registration_doc(c, &s, &org, now);
        char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(doc);
        if (!text) {
            json_decref(detail);
            api_error(c, 500, "internal", "Cannot sign the registration certificate.");
            goto out;
        }
        free(s.reg_cert);
        s.reg_cert = (uint8_t *)text;
        s.reg_cert_len = strlen(text);
        json_object_set_new(detail, "reg_no", json_string(s.reg_no));
    }
    struct es_store_event ev = {.actor_id = c->who.user_id, .at = now};
    ES_STORE_SET(ev.esid, s.esid);
    ES_STORE_SET(ev.action, action);
    ES_STORE_SET(ev.from_status, prev);
    ES_STORE_SET(ev.to_status, t->to);
    ES_STORE_SET(ev.actor, c->who.username);
    ES_STORE_SET(ev.reason, reason);
    char obj[96], act[48];
    snprintf(obj, sizeof(obj), "seal/%s", s.esid);
    snprintf(act, sizeof(act), "seal.%s%s", action, t->forced && !strcmp(action, "cancel")
                                                        ? "-forced" : "");
    if (!api_store_ok(c, ES_STORE_CALL0(st, begin), "seal")) {
        json_decref(detail);
        goto out;
    }
    int rc = ES_STORE_CALL(st, seal_update, &s);
    if (rc == ES_STORE_CONFLICT) {
        json_decref(detail);
        api_error(c, 409, "conflict", "The seal %s was changed meanwhile; reload and try again.",
                  s.esid);
        goto out;
    }
    if (!api_store_ok(c, rc, "seal") ||
        !api_store_ok(c, ES_STORE_CALL(st, event_append, &ev), "seal event") ||
        !api_store_ok(c, es_fed_record(c->app, st, &ev), "transparency log") ||
        !api_store_ok(c, api_audit(c, act, obj, detail), "audit log")) {
        goto out;
    }
    /* activating a changed seal retires the one it replaces */
    if (!strcmp(action, "activate") && s.replaces[0]) {
        struct es_store_seal old;
        rc = ES_STORE_CALL(st, seal_get, s.replaces, &old);
        if (rc == ES_STORE_OK && !es_lifecycle_terminal(old.status)) {
            struct es_store_event ev2 = {.actor_id = c->who.user_id, .at = now};
            ES_STORE_SET(ev2.esid, old.esid);
            ES_STORE_SET(ev2.action, "cancel");
            ES_STORE_SET(ev2.from_status, old.status);
            ES_STORE_SET(ev2.to_status, "cancelled");
            ES_STORE_SET(ev2.actor, c->who.username);
            snprintf(ev2.reason, sizeof(ev2.reason), "rename");
            ES_STORE_SET(old.status, "cancelled");
            ES_STORE_SET(old.cancel_reason, "rename");
            old.updated_at = now;
            rc = ES_STORE_CALL(st, seal_update, &old);
            if (rc == ES_STORE_OK) {
                rc = ES_STORE_CALL(st, event_append, &ev2);
            }
            if (rc == ES_STORE_OK) {
                rc = es_fed_record(c->app, st, &ev2);
            }
            if (rc == ES_STORE_OK) {
                char o2[96];
                snprintf(o2, sizeof(o2), "seal/%s", old.esid);
                rc = api_audit(c, "seal.cancel", o2,
                               json_pack("{s:s,s:s}", "reason", "rename", "replaced_by", s.esid));
            }
        }
        es_store_seal_clear(&old);
        if (rc != ES_STORE_OK && !api_store_ok(c, rc, "replaced seal")) {
            goto out;
        }
    }
    if (!api_store_ok(c, ES_STORE_CALL0(st, commit), "seal")) {
        goto out;
    }
    s.version++;
    /* pre-sign the new status answer, so that status requests find it signed */
    size_t warm_len = 0;
    es_status_answer(c, s.esid, &warm_len);
    api_json(c, 200, seal_json(c, &s, false));
out:
    es_store_seal_clear(&s);
}

void h_seals_status(struct es_call *c)
{
    size_t len = 0;
    const char *text = es_status_answer(c, c->param[0], &len);
    if (!text) {
        return;
    }
    c->res->status = 200;
    c->res->content_type = "application/json; charset=utf-8";
    c->res->body = (const uint8_t *)text;
    c->res->body_len = len;
    es_http_add_header(c->res, "Cache-Control", "no-cache");
}

void h_seals_registration(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_seal s;
    int rc = ES_STORE_CALL(st, seal_get, c->param[0], &s);
    if (!api_store_ok(c, rc, "seal")) {
        return;
    }
    if (!s.reg_cert) {
        es_store_seal_clear(&s);
        api_error(c, 404, "not_found", "The seal %s is not registered.", c->param[0]);
        return;
    }
    c->res->status = 200;
    c->res->content_type = "application/json; charset=utf-8";
    c->res->body = es_arena_memdup(c->arena, s.reg_cert, s.reg_cert_len);
    c->res->body_len = c->res->body ? s.reg_cert_len : 0;
    es_store_seal_clear(&s);
}

void h_seals_picture(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct es_store_seal s;
    if (!api_store_ok(c, ES_STORE_CALL(st, seal_get, c->param[0], &s), "seal")) {
        return;
    }
    es_ctx *ctx = es_ctx_new();
    es_seal *seal = NULL;
    if (!ctx || es_seal_decode(ctx, s.der, s.der_len, &seal) != ES_OK) {
        api_error(c, 500, "internal", "The stored seal is unreadable.");
    } else {
        const char *type = NULL;
        es_bytes pic = es_seal_picture(seal, &type, NULL, NULL);
        const char *sniff = es_seal_picture_sniffed(seal);
        c->res->status = 200;
        c->res->content_type = sniff && !strcmp(sniff, "PNG")    ? "image/png"
                               : sniff && !strcmp(sniff, "JPG")  ? "image/jpeg"
                               : sniff && !strcmp(sniff, "GIF")  ? "image/gif"
                               : sniff && !strcmp(sniff, "BMP")  ? "image/bmp"
                                                                 : "application/octet-stream";
        c->res->body = es_arena_memdup(c->arena, pic.ptr, pic.len);
        c->res->body_len = c->res->body ? pic.len : 0;
        es_http_add_header(c->res, "Cache-Control", "public, max-age=3600");
    }
    es_seal_free(seal);
    es_ctx_free(ctx);
    es_store_seal_clear(&s);
}

void h_registration_verify(struct es_call *c)
{
    json_t *b = api_body(c);
    if (!b) {
        return;
    }
    json_t *tbs = NULL;
    int ok = es_platform_check_signed(c->app, b, &tbs);
    json_t *o = json_pack("{s:b}", "valid", ok == 1);
    if (tbs) {
        json_object_set_new(o, "registration", tbs);
        /* and what the registry says now */
        const char *esid = json_string_value(json_object_get(tbs, "esid"));
        es_store *st = api_store(c);
        struct es_store_seal s;
        if (esid && st && ES_STORE_CALL(st, seal_get, esid, &s) == ES_STORE_OK) {
            json_object_set_new(
                o, "status_now",
                json_string(es_lifecycle_effective(s.status, s.valid_end, (int64_t)time(NULL))));
            es_store_seal_clear(&s);
        }
    }
    api_json(c, 200, o);
}
