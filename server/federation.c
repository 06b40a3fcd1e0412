/*
 * server/federation.c - recording this node's seal events for the
 * federation (the log leaf and, on a sub-centre, the outbox row, in the
 * transaction of the change), and answering for seals other nodes own:
 * from the replicated table, or by asking the national node or the owner,
 * always with the owner's signature (docs/federation.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "federation.h"

static void rfc3339(int64_t t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A failure that is not the database's: said here, since the store's
 * message would be stale. */
static int fail(const char *what)
{
    fprintf(stderr, "eseald: federation: %s\n", what);
    return ES_STORE_ERR;
}

/* The outbox row: the event, its log entry and the owner's signed status
 * answer, all under one signature of this node. */
static int outbox_row(struct es_app *app, es_store *st, const struct es_store_seal *s,
                      const struct es_store_event *ev, int64_t seq, const char *entry)
{
    int64_t now = (int64_t)time(NULL);
    json_t *content = es_status_content(app, st, s, now);
    json_t *answer = content ? es_platform_signed(app, content) : NULL;
    json_decref(content);
    char *b64 = ks_b64_encode((const uint8_t *)entry, strlen(entry));
    json_t *evc = answer && b64 ? json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:s,s:O}", "type",
                                            "eseal-fed-event/1", "node", app->cfg.fed.node_id,
                                            "seq", (json_int_t)seq, "esid", s->esid, "event",
                                            ev->action, "status", ev->to_status, "at",
                                            (json_int_t)ev->at, "entry", b64, "answer", answer)
                                : NULL;
    json_t *doc = evc ? es_platform_signed(app, evc) : NULL;
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    json_decref(evc);
    json_decref(answer);
    free(b64);
    if (!body) {
        return fail("cannot sign the federation event");
    }
    struct es_store_outbox o = {.seq = seq, .body = body, .created_at = now};
    ES_STORE_SET(o.esid, s->esid);
    int rc = ES_STORE_CALL(st, outbox_put, &o);
    free(body);
    return rc;
}

int es_fed_record(struct es_app *app, es_store *st, const struct es_store_event *ev)
{
    struct es_store_seal s;
    int rc = ES_STORE_CALL(st, seal_get, ev->esid, &s);
    if (rc != ES_STORE_OK) {
        return rc;
    }
    int64_t index = 0;
    rc = ES_STORE_CALL(st, tlog_next, &index);
    char at[32], lost[32];
    rfc3339(ev->at, at);
    rfc3339(s.lost_at, lost);
    json_t *e = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s}", "type", "eseal-log-entry/1",
                          "node", app->cfg.fed.node_id, "seq", (json_int_t)(index + 1), "esid",
                          s.esid, "event", ev->action, "status", ev->to_status, "at", at,
                          "reason", ev->reason);
    if (e && s.lost_at && !strcmp(ev->to_status, "lost")) {
        json_object_set_new(e, "lost_since", json_string(lost));
    }
    /* the leaf is these exact bytes: the tbs form of a signed document */
    char *entry = e ? json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(e);
    if (rc == ES_STORE_OK && !entry) {
        rc = fail("cannot write the log entry");
    }
    if (rc == ES_STORE_OK) {
        struct es_store_tlog t = {.leaf_index = index, .entry = entry, .at = ev->at};
        uint8_t h[32];
        es_tlog_leaf_hash((const uint8_t *)entry, strlen(entry), h);
        es_fed_hex(h, 32, t.leaf_hash);
        ES_STORE_SET(t.esid, s.esid);
        ES_STORE_SET(t.event, ev->action);
        rc = ES_STORE_CALL(st, tlog_insert, &t);
    }
    if (rc == ES_STORE_OK && app->cfg.fed.role == ES_NODE_SUBCENTRE) {
        rc = outbox_row(app, st, &s, ev, index + 1, entry);
        if (rc == ES_STORE_OK) {
            pthread_cond_signal(&app->fed->wake); /* delivered once committed */
        }
    }
    free(entry);
    es_store_seal_clear(&s);
    return rc;
}

/* ---- seals of other nodes ---- */

struct found {
    char *text;      /* the owner's signed answer (malloc'd) */
    json_t *content; /* its verified content */
    bool fresh;
};

/* Asks `p` for the status of esid; 200 with f filled, 404, or 0/other. */
static long ask(struct es_call *c, struct es_fed_peer *p, const char *esid, bool local,
                struct found *f)
{
    struct es_fed *fed = c->app->fed;
    char url[512], err[256];
    snprintf(url, sizeof(url), "%s/api/v1/seals/%s/status%s", p->cfg->url, esid,
             local ? "?local=1" : "");
    char *body = NULL;
    size_t len = 0;
    long st = es_fed_http("GET", url, NULL, c->app->cfg.fed.timeout_ms, &body, &len, err,
                          sizeof(err));
    if (st != 200) {
        if (!st) {
            fprintf(stderr, "eseald: federation: %s\n", err);
        }
        free(body);
        return st;
    }
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    struct es_fed_peer *owner = NULL;
    char why[200];
    json_t *content = doc ? es_fed_check_peer_doc(fed, doc, "eseal-status/1", &owner, why,
                                                  sizeof(why))
                          : NULL;
    json_decref(doc);
    const char *got = json_string_value(json_object_get(content, "esid"));
    if (!content || !got || strcmp(got, esid)) {
        fprintf(stderr, "eseald: federation: %s's answer about %s refused: %s\n", p->cfg->id,
                esid, content ? "another seal" : why);
        json_decref(content);
        free(body);
        return 0;
    }
    f->text = body;
    f->content = content;
    f->fresh = (int64_t)time(NULL) < json_integer_value(json_object_get(content, "next_update"));
    return 200;
}

/* Keeps an owner's answer until its next_update (sub-centres: a cache;
 * national: the same table its sub-centres push to). */
static void keep(es_store *st, const struct found *f)
{
    struct es_store_remote r = {
        .seq = json_integer_value(json_object_get(f->content, "seq")),
        .answer = f->text,
        .next_update = json_integer_value(json_object_get(f->content, "next_update"))};
    ES_STORE_SET(r.esid, json_string_value(json_object_get(f->content, "esid")));
    ES_STORE_SET(r.owner, json_string_value(json_object_get(f->content, "node")));
    ES_STORE_SET(r.status, json_string_value(json_object_get(f->content, "status")));
    ES_STORE_CALL(st, remote_put, &r); /* CONFLICT: a newer answer is stored already */
}

/* 200 (f filled), 404 (no node knows the seal) or 503 (none answered). */
static int lookup(struct es_call *c, const char *esid, struct found *f)
{
    struct es_fed *fed = c->app->fed;
    const struct es_fed_config *cfg = &c->app->cfg.fed;
    memset(f, 0, sizeof(*f));
    es_store *st = api_store(c);
    if (!st) {
        return 503;
    }
    struct es_store_remote r;
    int rc = ES_STORE_CALL(st, remote_get, esid, &r);
    bool have = rc == ES_STORE_OK;
    int64_t now = (int64_t)time(NULL);
    const char *local = es_http_query(c->req, "local");
    bool network = !(local && !strcmp(local, "1")); /* a peer asking: no fan-out */
    if (have && (now < r.next_update || !network || !fed->n_peers)) {
        json_t *doc = json_loads(r.answer, 0, NULL);
        f->content = doc ? json_incref(json_object_get(doc, "content")) : NULL;
        json_decref(doc);
        f->text = r.answer;
        f->fresh = now < r.next_update;
        return 200;
    }
    int any404 = 0, asked = 0;
    long got = 0;
    if (network) {
        /* the national node knows every region's seals; then the owner */
        struct es_fed_peer *order[ES_FED_MAX_PEERS + 1];
        size_t n = 0;
        if (fed->national >= 0) {
            order[n++] = &fed->peer[fed->national];
        }
        struct es_fed_peer *owner = have ? es_fed_peer_find(fed, r.owner) : NULL;
        if (owner && (n == 0 || owner != order[0])) {
            order[n++] = owner;
        }
        if (!have && cfg->role != ES_NODE_NATIONAL) {
            for (size_t i = 0; i < fed->n_peers; i++) {
                if ((int)i != fed->national) {
                    order[n++] = &fed->peer[i];
                }
            }
        }
        struct found stale = {NULL, NULL, false};
        for (size_t i = 0; i < n && got != 200; i++) {
            bool direct = order[i] != (fed->national >= 0 ? &fed->peer[fed->national] : NULL);
            got = ask(c, order[i], esid, direct, f);
            any404 |= got == 404;
            asked++;
            if (got == 200 && !f->fresh && i + 1 < n) {
                /* out of date (the national node could not reach the owner
                 * either): keep the first such, and ask the next node */
                if (!stale.text) {
                    stale = *f;
                } else {
                    free(f->text);
                    json_decref(f->content);
                }
                got = 0;
            }
        }
        if (got != 200 && stale.text) {
            *f = stale;
            got = 200;
        } else if (stale.text) {
            free(stale.text);
            json_decref(stale.content);
        }
    }
    if (got == 200) {
        keep(st, f);
        if (have) {
            es_store_remote_clear(&r);
        }
        return 200;
    }
    if (have) {
        /* nobody answered: the last signed answer, whose next_update is past */
        json_t *doc = json_loads(r.answer, 0, NULL);
        f->content = doc ? json_incref(json_object_get(doc, "content")) : NULL;
        json_decref(doc);
        f->text = r.answer;
        f->fresh = false;
        return 200;
    }
    return any404 || !asked ? 404 : 503;
}

const char *es_fed_status(struct es_call *c, const char *esid, size_t *out_len)
{
    struct found f;
    int rc = lookup(c, esid, &f);
    if (rc == 404) {
        api_error(c, 404, "not_found", "No such seal: %s.", esid);
        return NULL;
    }
    if (rc != 200) {
        if (!c->res->status || c->res->status == 200) {
            api_error(c, 503, "unavailable", "The seal %s is not registered here and no other "
                      "node could be asked; try again later.", esid);
        }
        return NULL;
    }
    char *ret = es_arena_strdup(c->arena, f.text);
    *out_len = ret ? strlen(ret) : 0;
    if (!f.fresh) {
        es_http_add_header(c->res, "Warning", "110 - \"the owner's answer is out of date\"");
    }
    free(f.text);
    json_decref(f.content);
    if (!ret) {
        api_error(c, 500, "internal", "Out of memory.");
    }
    return ret;
}

json_t *es_fed_registry(struct es_call *c, const char *esid, int64_t signed_at)
{
    struct found f;
    if (lookup(c, esid, &f) != 200) {
        return NULL;
    }
    /* an answer older than the signature cannot tell the status when it
     * was made (a change may not have reached the national node yet): ask
     * the owner itself */
    struct es_fed_peer *owner =
        es_fed_peer_find(c->app->fed, json_string_value(json_object_get(f.content, "node")));
    if (signed_at && owner &&
        json_integer_value(json_object_get(f.content, "this_update")) <= signed_at) {
        struct found g;
        if (ask(c, owner, esid, true, &g) == 200) {
            keep(api_store(c), &g);
            free(f.text);
            json_decref(f.content);
            f = g;
        }
    }
    json_t *ct = f.content;
    const char *now_status = json_string_value(json_object_get(ct, "status"));
    int64_t lost_at = json_integer_value(json_object_get(ct, "lost_at"));
    int64_t valid_end = json_integer_value(json_object_get(ct, "valid_end"));
    json_t *o = json_pack("{s:b,s:s,s:s?,s:s?,s:s?,s:b,s:o?}", "known", 1, "esid", esid,
                          "reg_no", json_string_value(json_object_get(ct, "reg_no")),
                          "status_now", now_status, "owner",
                          json_string_value(json_object_get(ct, "node")), "answer_fresh",
                          f.fresh, "answer", json_loads(f.text, 0, NULL));
    if (lost_at) {
        json_object_set_new(o, "lost_at", json_integer(lost_at));
        json_object_set_new(o, "lost_since", json_string(api_time(c, lost_at)));
    }
    bool ok;
    const char *note;
    if (signed_at) {
        /* the owner's signed history: the last transition at or before the
         * signing time (the same cautious reading as for this node's seals) */
        const char *then = "not yet made";
        size_t i;
        json_t *h;
        json_array_foreach(json_object_get(ct, "history"), i, h) {
            if (json_integer_value(json_object_get(h, "at")) <= signed_at) {
                const char *s = json_string_value(json_object_get(h, "status"));
                then = s ? s : then;
            }
        }
        if (lost_at && signed_at >= lost_at) {
            then = "lost";
        }
        if (valid_end && signed_at > valid_end) {
            then = "expired";
        }
        json_object_set_new(o, "status_at_signing", json_string(then));
        ok = !strcmp(then, "active");
        note = ok ? "The seal was registered and active when the document was sealed (signed "
                    "answer of the node that owns it)."
                  : "The seal was not active when the document was sealed: do not rely on this "
                    "signature.";
    } else {
        ok = now_status && !strcmp(now_status, "active");
        note = ok ? "The seal is registered and active (signed answer of the node that owns it)."
                  : "The seal is not active.";
    }
    if (!f.fresh) {
        ok = false;
        note = "The owning node's last answer is out of date and it could not be asked again.";
    }
    json_object_set_new(o, "ok", json_boolean(ok));
    json_object_set_new(o, "note", json_string(note));
    free(f.text);
    json_decref(ct);
    return o;
}
