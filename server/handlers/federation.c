/*
 * server/handlers/federation.c - what nodes send each other: events pushed
 * by a sub-centre's outbox (POST /api/v1/federation/events, authenticated
 * by the sender's platform signature against the configured peer
 * certificate, idempotent on (node, seq)), and the federation's state for
 * operators and relying parties (GET /api/v1/federation/peers: peers, the
 * tree heads accepted from them, fork alarms with their evidence, the
 * outbox). docs/federation.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../federation.h"

static const char *role_name(int role)
{
    return role == ES_NODE_NATIONAL ? "national" : role == ES_NODE_SUBCENTRE ? "subcentre"
                                                                            : "standalone";
}

void h_fed_events(struct es_call *c)
{
    struct es_fed *fed = c->app->fed;
    json_t *b = api_body(c);
    if (!b) {
        return;
    }
    if (c->app->cfg.fed.role != ES_NODE_NATIONAL) {
        api_error(c, 403, "forbidden", "This node (%s) is not a national node; events go to "
                  "the national node.", role_name(c->app->cfg.fed.role));
        return;
    }
    struct es_fed_peer *p = NULL, *p2 = NULL;
    char why[200];
    json_t *ev = es_fed_check_peer_doc(fed, b, "eseal-fed-event/1", &p, why, sizeof(why));
    if (!ev) {
        api_error(c, 403, "forbidden", "Event refused: %s.", why);
        return;
    }
    json_t *answer = json_object_get(ev, "answer");
    json_t *ac = es_fed_check_peer_doc(fed, answer, "eseal-status/1", &p2, why, sizeof(why));
    const char *esid = json_string_value(json_object_get(ev, "esid"));
    const char *event = json_string_value(json_object_get(ev, "event"));
    const char *status = json_string_value(json_object_get(ev, "status"));
    const char *entry64 = json_string_value(json_object_get(ev, "entry"));
    json_int_t seq = json_integer_value(json_object_get(ev, "seq"));
    json_int_t at = json_integer_value(json_object_get(ev, "at"));
    size_t elen = 0;
    uint8_t *entry = entry64 ? ks_b64_decode(entry64, strlen(entry64), &elen) : NULL;
    json_t *ec = entry ? json_loadb((const char *)entry, elen, JSON_REJECT_DUPLICATES, NULL)
                       : NULL;
    uint8_t leaf[32];
    es_tlog_leaf_hash(entry, entry ? elen : 0, leaf); /* proven in the sender's log later */
    free(entry);
    es_store *st = NULL;
    /* the event, its log entry and the answer must all say the same */
    if (!ac || p2 != p) {
        api_error(c, 400, "bad_request", "The event's status answer is not %s's: %s.",
                  p->cfg->id, ac ? "another signer" : why);
    } else if (!esid || !event || !status || seq < 1 || strlen(esid) >= 72 ||
               strlen(event) >= 24 || strlen(status) >= 16) {
        api_error(c, 400, "bad_request", "The event lacks esid, event, status or seq.");
    } else if (!ec || json_integer_value(json_object_get(ec, "seq")) != seq ||
               !json_is_string(json_object_get(ec, "esid")) ||
               strcmp(json_string_value(json_object_get(ec, "esid")), esid) ||
               !json_equal(json_object_get(ec, "node"), json_object_get(ev, "node")) ||
               !json_equal(json_object_get(ec, "status"), json_object_get(ev, "status"))) {
        api_error(c, 400, "bad_request", "The event's log entry does not match the event.");
    } else if (!json_equal(json_object_get(ac, "esid"), json_object_get(ev, "esid"))) {
        api_error(c, 400, "bad_request", "The event's status answer is about another seal.");
    } else if ((st = api_store(c)) != NULL) {
        struct es_store_inbox in = {.seq = seq, .at = at, .received_at = (int64_t)time(NULL)};
        ES_STORE_SET(in.origin, p->cfg->id);
        ES_STORE_SET(in.esid, esid);
        ES_STORE_SET(in.event, event);
        ES_STORE_SET(in.status, status);
        es_fed_hex(leaf, 32, in.leaf_hash);
        char *text = json_dumps(answer, JSON_COMPACT);
        struct es_store_remote r = {
            .seq = seq, .answer = text,
            .next_update = json_integer_value(json_object_get(ac, "next_update"))};
        ES_STORE_SET(r.esid, esid);
        ES_STORE_SET(r.owner, p->cfg->id);
        ES_STORE_SET(r.status, json_string_value(json_object_get(ac, "status")));
        int rc = text ? ES_STORE_CALL0(st, begin) : ES_STORE_ERR;
        if (rc == ES_STORE_OK) {
            rc = ES_STORE_CALL(st, inbox_put, &in);
        }
        bool dup = rc == ES_STORE_CONFLICT;
        if (rc == ES_STORE_OK) {
            /* CONFLICT: an answer for a later event arrived first; keep it */
            rc = ES_STORE_CALL(st, remote_put, &r);
            rc = rc == ES_STORE_CONFLICT ? ES_STORE_OK : rc;
        }
        if (rc == ES_STORE_OK) {
            rc = ES_STORE_CALL0(st, commit);
        } else {
            ES_STORE_CALL0(st, rollback);
        }
        free(text);
        struct es_store_inbox had;
        if (dup && ES_STORE_CALL(st, inbox_get, in.origin, in.seq, &had) == ES_STORE_OK &&
            strcmp(had.leaf_hash, in.leaf_hash)) {
            /* the same event id for another entry: the sender's history was
             * rewritten (a restored backup, a forged log) */
            es_fed_alarm(c->app, st, p->cfg->id, "seq-reused",
                         json_pack("{s:s,s:I,s:s,s:s,s:O}", "detail",
                                   "an event id received before came again with another entry",
                                   "seq", (json_int_t)seq, "accepted_leaf_hash", had.leaf_hash,
                                   "new_leaf_hash", in.leaf_hash, "new_event", b));
            api_error(c, 409, "conflict", "Event %s/%lld was received before with another log "
                      "entry: history was rewritten (fork alarm raised).", p->cfg->id,
                      (long long)seq);
        } else if (dup || api_store_ok(c, rc, "federation event")) {
            p->sth_due = 1; /* and check the sender's log has it */
            pthread_cond_signal(&c->app->fed->wake);
            api_json(c, 200, json_pack("{s:b,s:b,s:s,s:I}", "accepted", 1, "duplicate", dup,
                                       "node", p->cfg->id, "seq", seq));
        }
    }
    json_decref(ec);
    json_decref(ac);
    json_decref(ev);
}

struct peers_out {
    struct es_call *c;
    json_t *rows; /* node -> row */
};

static int peer_row(void *arg, const struct es_store_peer *p)
{
    struct peers_out *o = arg;
    json_t *row = json_object_get(o->rows, p->node);
    if (!row) {
        row = json_pack("{s:s}", "node", p->node);
        json_object_set_new(o->rows, p->node, row);
    }
    json_object_set_new(row, "tree_size", json_integer(p->tree_size));
    json_object_set_new(row, "root_hash", json_string(p->root_hash));
    json_object_set_new(row, "checked_at", json_integer(p->checked_at));
    json_t *sth = p->sth[0] ? json_loads(p->sth, 0, NULL) : NULL;
    json_object_set_new(row, "sth", sth ? sth : json_null());
    json_t *alarm = p->alarm[0] ? json_loads(p->alarm, 0, NULL) : NULL;
    json_object_set_new(row, "alarm", alarm ? alarm : json_null());
    json_object_set_new(row, "alarm_at", json_integer(p->alarm_at));
    return 0;
}

void h_fed_peers(struct es_call *c)
{
    struct es_fed *fed = c->app->fed;
    const struct es_fed_config *cfg = &c->app->cfg.fed;
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct peers_out o = {c, json_object()};
    for (size_t i = 0; i < fed->n_peers; i++) {
        const struct es_fed_peer *p = &fed->peer[i];
        int64_t count = 0, max_seq = 0;
        if (!api_store_ok(c, ES_STORE_CALL(st, inbox_count, p->cfg->id, &count, &max_seq),
                          "federation inbox")) {
            json_decref(o.rows);
            return;
        }
        json_object_set_new(o.rows, p->cfg->id,
                            json_pack("{s:s,s:s,s:b,s:I,s:I,s:n,s:n}", "node", p->cfg->id, "url",
                                      p->cfg->url, "national", (int)i == fed->national,
                                      "events_received", (json_int_t)count, "max_seq",
                                      (json_int_t)max_seq, "sth", "alarm"));
    }
    int64_t total = 0, pending = 0, size = 0;
    if (!api_store_ok(c, ES_STORE_CALL(st, peer_list, peer_row, &o), "federation peers") ||
        !api_store_ok(c, ES_STORE_CALL(st, outbox_stats, &total, &pending), "outbox") ||
        !api_store_ok(c, ES_STORE_CALL(st, tlog_size, &size), "log")) {
        json_decref(o.rows);
        return;
    }
    json_t *arr = json_array();
    json_t *self_alarm = json_null();
    int alarms = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o.rows, k, v) {
        if (!json_is_null(json_object_get(v, "alarm"))) {
            alarms++;
        }
        if (!strcmp(k, cfg->node_id)) {
            self_alarm = json_incref(json_object_get(v, "alarm"));
        } else {
            json_array_append(arr, v);
        }
    }
    json_decref(o.rows);
    api_json(c, 200,
             json_pack("{s:s,s:s,s:s?,s:{s:I,s:o},s:{s:I,s:I,s:I},s:o,s:i}", "node",
                       cfg->node_id, "role", role_name(cfg->role), "national",
                       fed->national >= 0 ? fed->peer[fed->national].cfg->id : NULL, "log",
                       "tree_size", (json_int_t)size, "alarm", self_alarm, "outbox", "total",
                       (json_int_t)total, "pending", (json_int_t)pending, "delivered",
                       (json_int_t)(total - pending), "peers", arr, "alarms", alarms));
}
