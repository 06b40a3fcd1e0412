/*
 * server/federation_worker.c - the federation's background thread:
 *   - a sub-centre delivers its outbox to the national node, strictly in
 *     seq order (so in order per seal), one event at a time; a failure
 *     stops the queue and is retried with exponential back-off (1, 2, 4 ...
 *     seconds up to fed_retry_max_s); rows are marked delivered only after
 *     the national node acknowledged them, so nothing is lost, and the
 *     receiver ignores a repeated (node, seq), so nothing is applied twice;
 *   - the national node checks every peer's signed tree head, and a
 *     sub-centre the national node's, every fed_poll_s seconds (and after
 *     each delivered event): a head for the same size with another root, a
 *     smaller tree, or a consistency proof that fails is a fork alarm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "federation.h"

#define BATCH 32

struct pending {
    struct es_store_outbox row[BATCH];
    char *body[BATCH];
    int n;
};

static int collect(void *arg, const struct es_store_outbox *o)
{
    struct pending *p = arg;
    if (p->n >= BATCH) {
        return 1;
    }
    p->row[p->n] = *o;
    p->body[p->n] = strdup(o->body);
    p->row[p->n].body = p->body[p->n];
    p->n++;
    return 0;
}

static void deliver(struct es_app *app, es_store *st)
{
    struct es_fed *fed = app->fed;
    struct es_fed_peer *nat = &fed->peer[fed->national];
    struct pending p = {.n = 0};
    if (ES_STORE_CALL(st, outbox_pending, BATCH, collect, &p) != ES_STORE_OK) {
        fprintf(stderr, "eseald: outbox: %s\n", es_store_errmsg(st));
        return;
    }
    char url[320];
    snprintf(url, sizeof(url), "%s/api/v1/federation/events", nat->cfg->url);
    for (int i = 0; i < p.n && !fed->stop; i++) {
        struct es_store_outbox *o = &p.row[i];
        int64_t now = (int64_t)time(NULL);
        if (o->next_at > now) {
            break; /* backing off; later rows wait behind this one */
        }
        char *resp = NULL, err[256] = "";
        size_t len = 0;
        long status = es_fed_http("POST", url, o->body, app->cfg.fed.timeout_ms, &resp, &len,
                                  err, sizeof(err));
        o->attempts++;
        if (status == 200) {
            o->delivered_at = now;
            o->last_error[0] = '\0';
        } else {
            if (status) {
                snprintf(o->last_error, sizeof(o->last_error), "HTTP %ld: %.200s", status,
                         resp ? resp : "");
            } else {
                snprintf(o->last_error, sizeof(o->last_error), "%s", err);
            }
            int64_t wait = (int64_t)1 << (o->attempts < 20 ? o->attempts - 1 : 20);
            int64_t cap = app->cfg.fed.retry_max_s;
            o->next_at = now + (wait < cap ? wait : cap);
            fprintf(stderr, "eseald: outbox: event %lld not delivered (attempt %lld, next in "
                    "%llds): %s\n", (long long)o->seq, (long long)o->attempts,
                    (long long)(o->next_at - now), o->last_error);
        }
        free(resp);
        if (ES_STORE_CALL(st, outbox_mark, o) != ES_STORE_OK) {
            fprintf(stderr, "eseald: outbox: %s\n", es_store_errmsg(st));
            break;
        }
        if (status != 200) {
            break;
        }
        nat->sth_due = 1; /* the national node's log may have moved too */
    }
    for (int i = 0; i < p.n; i++) {
        free(p.body[i]);
    }
}

/* ---- tree heads ---- */

struct stored {
    const char *node;
    bool found;
    int64_t size;
    char root[72];
    char *sth;
    bool alarmed;
};

static int stored_row(void *arg, const struct es_store_peer *p)
{
    struct stored *s = arg;
    if (strcmp(p->node, s->node)) {
        return 0;
    }
    s->found = p->sth[0] != '\0';
    s->size = p->tree_size;
    snprintf(s->root, sizeof(s->root), "%s", p->root_hash);
    s->sth = strdup(p->sth);
    s->alarmed = p->alarm[0] != '\0';
    return 1;
}

static json_t *fetch(struct es_app *app, const char *url, char *err, size_t err_len);

struct unproven {
    struct es_store_inbox row[16];
    int n;
};

static int collect_inbox(void *arg, const struct es_store_inbox *e)
{
    struct unproven *u = arg;
    if (u->n < 16) {
        u->row[u->n++] = *e;
    }
    return 0;
}

/* The national node: each event received from p must be in p's log, as
 * the tree head just accepted (size n, root) shows it; an event that is
 * not is a fork (p told this node one thing and its log another). */
static void prove_events(struct es_app *app, es_store *st, struct es_fed_peer *p, int64_t n,
                         const uint8_t root[32], json_t *sth)
{
    struct unproven u = {.n = 0};
    if (ES_STORE_CALL(st, inbox_unproven, p->cfg->id, n, 16, collect_inbox, &u) != ES_STORE_OK) {
        return;
    }
    for (int i = 0; i < u.n; i++) {
        const struct es_store_inbox *e = &u.row[i];
        uint8_t leaf[32], path[ES_TLOG_MAX_PATH][32];
        size_t plen = 0;
        char url[512], err[256] = "";
        if (es_fed_unhex(e->leaf_hash, leaf, 32) != 0) {
            continue; /* received without its entry's hash: nothing to prove */
        }
        snprintf(url, sizeof(url), "%s/api/v1/log/proof?index=%lld&size=%lld", p->cfg->url,
                 (long long)(e->seq - 1), (long long)n);
        json_t *proof = fetch(app, url, err, sizeof(err));
        if (!proof) {
            fprintf(stderr, "eseald: inclusion proof of %s's event %lld: %s\n", p->cfg->id,
                    (long long)e->seq, err);
            return; /* try again at the next turn */
        }
        if (es_fed_path(json_object_get(proof, "path"), path, &plen) != 0 ||
            es_tlog_verify_inclusion(leaf, (uint64_t)(e->seq - 1), (uint64_t)n, path, plen,
                                     root) != ES_OK) {
            json_t *ev = json_pack("{s:s,s:I,s:s,s:s,s:O,s:o}", "detail",
                                   "an event this node received is not in the sender's log",
                                   "seq", (json_int_t)e->seq, "esid", e->esid, "leaf_hash",
                                   e->leaf_hash, "new_sth", sth, "inclusion_proof", proof);
            es_fed_alarm(app, st, p->cfg->id, "event-not-in-log", ev);
            return;
        }
        json_decref(proof);
        ES_STORE_CALL(st, inbox_proven, p->cfg->id, e->seq);
    }
}

static json_t *fetch(struct es_app *app, const char *url, char *err, size_t err_len)
{
    char *body = NULL;
    size_t len = 0;
    long status = es_fed_http("GET", url, NULL, app->cfg.fed.timeout_ms, &body, &len, err,
                              err_len);
    json_t *v = status == 200 ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (status && status != 200) {
        snprintf(err, err_len, "%s: HTTP %ld", url, status);
    }
    free(body);
    return v;
}

static void check_peer(struct es_app *app, es_store *st, struct es_fed_peer *p)
{
    struct es_fed *fed = app->fed;
    char url[512], err[256] = "", why[200] = "";
    snprintf(url, sizeof(url), "%s/api/v1/log/sth", p->cfg->url);
    json_t *doc = fetch(app, url, err, sizeof(err));
    if (!doc) {
        fprintf(stderr, "eseald: tree head of %s: %s\n", p->cfg->id, err);
        return;
    }
    struct es_fed_peer *signer = NULL;
    json_t *c = es_fed_check_peer_doc(fed, doc, "eseal-sth/1", &signer, why, sizeof(why));
    if (!c || signer != p) {
        fprintf(stderr, "eseald: tree head of %s refused: %s\n", p->cfg->id,
                c ? "signed by another node" : why);
        json_decref(c);
        json_decref(doc);
        return;
    }
    int64_t n = json_integer_value(json_object_get(c, "tree_size"));
    const char *root_hex = json_string_value(json_object_get(c, "root_hash"));
    uint8_t root[32], old[32];
    struct stored s = {.node = p->cfg->id};
    ES_STORE_CALL(st, peer_list, stored_row, &s);
    char *text = json_dumps(doc, JSON_COMPACT);
    const char *kind = NULL;
    json_t *proof = NULL;
    if (n < 0 || es_fed_unhex(root_hex, root, 32) != 0 || !text) {
        fprintf(stderr, "eseald: tree head of %s is malformed\n", p->cfg->id);
    } else if (s.alarmed) {
        /* the alarm stands until an operator has looked (docs/federation.md) */
    } else if (s.found && es_fed_unhex(s.root, old, 32) != 0) {
        kind = "stored-head-unreadable";
    } else if (s.found && n < s.size) {
        kind = "tree-shrank";
    } else if (s.found && n == s.size && memcmp(old, root, 32)) {
        kind = "two-heads-for-one-size";
    } else if (s.found && n > s.size && s.size > 0) {
        snprintf(url, sizeof(url), "%s/api/v1/log/consistency?first=%lld&second=%lld",
                 p->cfg->url, (long long)s.size, (long long)n);
        proof = fetch(app, url, err, sizeof(err));
        uint8_t path[ES_TLOG_MAX_PATH][32];
        size_t plen = 0;
        if (!proof) {
            fprintf(stderr, "eseald: consistency proof of %s: %s\n", p->cfg->id, err);
            goto out; /* unreachable now: try again later */
        }
        if (es_fed_path(json_object_get(proof, "path"), path, &plen) != 0 ||
            es_tlog_verify_consistency((uint64_t)s.size, (uint64_t)n, old, root, path, plen) !=
                ES_OK) {
            kind = "inconsistent";
        }
    }
    if (kind) {
        json_t *ev = json_pack("{s:s,s:o?,s:o?,s:O?}", "detail",
                               !strcmp(kind, "inconsistent") ? es_tlog_errmsg() : kind,
                               "accepted_sth", s.sth ? json_loads(s.sth, 0, NULL) : NULL,
                               "new_sth", json_incref(doc), "consistency_proof", proof);
        es_fed_alarm(app, st, p->cfg->id, kind, ev);
    } else if (!s.alarmed && text && root_hex) {
        struct es_store_peer row = {.sth = text, .tree_size = n,
                                    .checked_at = (int64_t)time(NULL), .alarm = ""};
        snprintf(row.node, sizeof(row.node), "%s", p->cfg->id);
        snprintf(row.root_hash, sizeof(row.root_hash), "%s", root_hex);
        if (ES_STORE_CALL(st, peer_put, &row) != ES_STORE_OK) {
            fprintf(stderr, "eseald: peer %s: %s\n", p->cfg->id, es_store_errmsg(st));
        } else if (app->cfg.fed.role == ES_NODE_NATIONAL) {
            prove_events(app, st, p, n, root, doc);
        }
    }
out:
    json_decref(proof);
    free(text);
    free(s.sth);
    json_decref(c);
    json_decref(doc);
}

/* ---- the thread ---- */

static void *worker(void *arg)
{
    struct es_app *app = arg;
    struct es_fed *fed = app->fed;
    const struct es_fed_config *cfg = &app->cfg.fed;
    while (!fed->stop) {
        pthread_mutex_lock(&fed->wake_lock);
        if (!fed->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 250 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&fed->wake, &fed->wake_lock, &ts);
        }
        pthread_mutex_unlock(&fed->wake_lock);
        if (fed->stop) {
            break;
        }
        char err[256];
        es_store *st = es_pool_get(app->pool, err, sizeof(err));
        if (!st) {
            continue;
        }
        if (cfg->role == ES_NODE_SUBCENTRE) {
            deliver(app, st);
        }
        int64_t now = (int64_t)time(NULL);
        for (size_t i = 0; i < fed->n_peers && !fed->stop; i++) {
            struct es_fed_peer *p = &fed->peer[i];
            bool mine = cfg->role == ES_NODE_NATIONAL ||
                        (cfg->role == ES_NODE_SUBCENTRE && (int)i == fed->national);
            if (mine && (p->sth_due || now - p->last_check >= (int64_t)cfg->poll_s)) {
                p->sth_due = 0;
                p->last_check = now;
                check_peer(app, st, p);
            }
        }
        ES_STORE_CALL0(st, rollback);
        es_pool_put(app->pool, st, false);
    }
    return NULL;
}

int es_fed_start(struct es_app *app, char *err, size_t err_len)
{
    struct es_fed *fed = app->fed;
    if (!fed || app->cfg.fed.role == ES_NODE_STANDALONE) {
        return 0;
    }
    fed->stop = 0;
    if (pthread_create(&fed->thread, NULL, worker, app) != 0) {
        snprintf(err, err_len, "cannot start the federation worker");
        return -1;
    }
    fed->running = true;
    return 0;
}

void es_fed_stop(struct es_app *app)
{
    struct es_fed *fed = app->fed;
    if (!fed || !fed->running) {
        return;
    }
    pthread_mutex_lock(&fed->wake_lock);
    fed->stop = 1;
    pthread_cond_signal(&fed->wake);
    pthread_mutex_unlock(&fed->wake_lock);
    pthread_join(fed->thread, NULL);
    fed->running = false;
}
