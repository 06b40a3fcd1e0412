/*
 * server/handlers/common.c - what several handlers share: loading a seal
 * the caller may see, and rendering seals.
 */
#include <string.h>
#include <time.h>

#include "../eseald.h"

bool user_may_see_org(const struct es_principal *who, int64_t org_id)
{
    /* the authority's roles see every organisation; an organisation's own
     * roles only theirs */
    if (who->role_bit & (R_REVIEWER | R_MAKER | R_AUDITOR | R_ADMIN)) {
        return true;
    }
    return who->org_id != 0 && who->org_id == org_id;
}

bool seal_load(struct es_call *c, const char *esid, struct es_store_seal *out)
{
    es_store *st = api_store(c);
    if (!st) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    int rc = ES_STORE_CALL(st, seal_get, esid, out);
    if (rc == ES_STORE_OK && c->who.authed && !user_may_see_org(&c->who, out->org_id)) {
        es_store_seal_clear(out);
        /* 404, not 403: an organisation does not learn of others' seals */
        api_error(c, 404, "not_found", "No such seal: %s.", esid);
        return false;
    }
    if (rc == ES_STORE_NOTFOUND) {
        api_error(c, 404, "not_found", "No such seal: %s.", esid);
        return false;
    }
    return api_store_ok(c, rc, "seal");
}

json_t *seal_json(struct es_call *c, const struct es_store_seal *s, bool full)
{
    int64_t now = (int64_t)time(NULL);
    json_t *o = json_pack("{s:s,s:s,s:I,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:I,s:I}", "esid", s->esid,
                          "name", s->name, "type", (json_int_t)s->type, "status",
                          es_lifecycle_effective(s->status, s->valid_end, now), "stored_status",
                          s->status, "org_id", (json_int_t)s->org_id, "valid_start",
                          (json_int_t)s->valid_start, "valid_end", (json_int_t)s->valid_end,
                          "reg_no", s->reg_no, "sm3", s->der_sm3, "created_at",
                          (json_int_t)s->created_at, "updated_at", (json_int_t)s->updated_at);
    if (!o) {
        return json_object();
    }
    json_object_set_new(o, "version", json_integer(s->version));
    json_object_set_new(o, "app_id", json_integer(s->app_id));
    if (s->lost_at) {
        json_object_set_new(o, "lost_at", json_integer(s->lost_at));
    }
    if (s->cancel_reason[0]) {
        json_object_set_new(o, "cancel_reason", json_string(s->cancel_reason));
    }
    if (s->replaces[0]) {
        json_object_set_new(o, "replaces", json_string(s->replaces));
    }
    if (s->replaced_by[0]) {
        json_object_set_new(o, "replaced_by", json_string(s->replaced_by));
    }
    if (full) {
        if (s->der) {
            json_object_set_new(o, "seal_der", json_string(api_b64(c, s->der, s->der_len)));
        }
        if (s->cert) {
            json_object_set_new(o, "owner_cert", json_string(api_b64(c, s->cert, s->cert_len)));
        }
    }
    return o;
}
