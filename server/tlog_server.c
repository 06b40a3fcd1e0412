/*
 * server/tlog_server.c - this node's transparency log (docs/federation.md):
 * the leaves stored by es_fed_record (table tlog_leaves, insert only), the
 * signed tree head (eseal-sth/1) kept in memory and re-signed when the log
 * grows, and the inclusion proof that status answers carry. The Merkle
 * arithmetic is libeseal's (eseal/tlog.h).
 *
 * Every tree head is computed from the stored entries themselves: a leaf
 * hash that no longer matches its entry, a missing index, or a root that
 * changes at a size this node already signed is a local alarm. The node
 * still signs what it holds, so that peers comparing tree heads see the
 * fork too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "federation.h"

struct load {
    uint8_t (*h)[32];
    int64_t n;
    int64_t next;
    char *why;
    size_t why_len;
};

static int load_row(void *arg, const struct es_store_tlog *t)
{
    struct load *l = arg;
    if (t->leaf_index != l->next || l->next >= l->n) {
        if (!l->why[0]) {
            snprintf(l->why, l->why_len, "leaf %lld is missing", (long long)l->next);
        }
        return 1;
    }
    es_tlog_leaf_hash((const uint8_t *)t->entry, strlen(t->entry), l->h[l->next]);
    char hex[65];
    es_fed_hex(l->h[l->next], 32, hex);
    if (strcmp(hex, t->leaf_hash) && !l->why[0]) {
        snprintf(l->why, l->why_len, "leaf %lld: the stored hash does not match its entry",
                 (long long)t->leaf_index);
    }
    l->next++;
    return 0;
}

int es_tlog_load(es_store *st, uint8_t (**out)[32], int64_t *out_n, char *why, size_t why_len)
{
    *out = NULL;
    *out_n = 0;
    why[0] = '\0';
    int64_t n = 0;
    if (ES_STORE_CALL(st, tlog_size, &n) != ES_STORE_OK) {
        return -1;
    }
    struct load l = {.h = malloc((size_t)(n ? n : 1) * 32), .n = n, .why = why,
                     .why_len = why_len};
    if (!l.h) {
        return -1;
    }
    if (ES_STORE_CALL(st, tlog_range, 0, n, load_row, &l) != ES_STORE_OK) {
        free(l.h);
        return -1;
    }
    if (l.next != n && !why[0]) {
        snprintf(why, why_len, "leaf %lld is missing", (long long)l.next);
    }
    *out = l.h;
    *out_n = l.next; /* a hole ends the tree that can be proven */
    return 0;
}

static char *rfc3339(int64_t t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* The tree head document over n leaves with root `root` (new reference). */
static json_t *sign_head(struct es_app *app, int64_t n, const uint8_t root[32])
{
    char hex[65], ts[32];
    es_fed_hex(root, 32, hex);
    json_t *c = json_pack("{s:s,s:s,s:I,s:s,s:s}", "type", "eseal-sth/1", "node",
                          app->cfg.fed.node_id, "tree_size", (json_int_t)n, "root_hash", hex,
                          "timestamp", rfc3339((int64_t)time(NULL), ts));
    json_t *doc = c ? es_platform_signed(app, c) : NULL;
    json_decref(c);
    return doc;
}

json_t *es_tlog_sth(struct es_app *app, es_store *st, uint8_t (**hashes)[32], int64_t *out_n)
{
    struct es_fed *fed = app->fed;
    uint8_t (*h)[32] = NULL;
    int64_t n = 0;
    char why[160];
    if (es_tlog_load(st, &h, &n, why, sizeof(why)) != 0) {
        return NULL;
    }
    uint8_t root[32];
    es_tlog_root(h, (uint64_t)n, root);
    json_t *doc = NULL;
    pthread_mutex_lock(&fed->sth_lock);
    if (fed->sth_text && fed->sth_size == n && !memcmp(fed->sth_root, root, 32)) {
        doc = json_loads(fed->sth_text, 0, NULL);
    } else {
        /* the part this node signed before must still be there, unchanged */
        if (!why[0] && fed->sth_text && fed->sth_size > n) {
            snprintf(why, sizeof(why), "the log shrank from %lld to %lld leaves",
                     (long long)fed->sth_size, (long long)n);
        } else if (!why[0] && fed->sth_text) {
            uint8_t old[32];
            es_tlog_root(h, (uint64_t)fed->sth_size, old);
            if (memcmp(old, fed->sth_root, 32)) {
                snprintf(why, sizeof(why), "the first %lld leaves no longer give the root "
                         "signed for them", (long long)fed->sth_size);
            }
        }
        if (why[0] && !fed->self_alarm) {
            fed->self_alarm = true;
            json_t *ev = json_pack("{s:s,s:s?}", "detail", why, "signed_sth", fed->sth_text);
            es_fed_alarm(app, st, app->cfg.fed.node_id, "local-log-changed", ev);
        }
        doc = sign_head(app, n, root);
        char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        if (text) {
            free(fed->sth_text);
            fed->sth_text = text;
            fed->sth_size = n;
            memcpy(fed->sth_root, root, 32);
        }
    }
    pthread_mutex_unlock(&fed->sth_lock);
    if (doc && hashes) {
        *hashes = h;
        *out_n = n;
    } else {
        free(h);
    }
    return doc;
}

struct last {
    int64_t index;
    char *entry;
};

static int last_row(void *arg, const struct es_store_tlog *t)
{
    struct last *l = arg;
    l->index = t->leaf_index;
    l->entry = strdup(t->entry);
    return 0;
}

int es_tlog_add_proof(struct es_app *app, es_store *st, json_t *content)
{
    const char *esid = json_string_value(json_object_get(content, "esid"));
    struct last l = {-1, NULL};
    int rc = esid ? ES_STORE_CALL(st, tlog_last_for, esid, last_row, &l) : ES_STORE_NOTFOUND;
    if (rc == ES_STORE_NOTFOUND) {
        return 0; /* a seal made before the log existed */
    }
    if (rc != ES_STORE_OK || !l.entry) {
        free(l.entry);
        return -1;
    }
    uint8_t (*h)[32] = NULL;
    int64_t n = 0;
    json_t *sth = es_tlog_sth(app, st, &h, &n);
    uint8_t path[ES_TLOG_MAX_PATH][32];
    size_t plen = 0;
    int ret = -1;
    if (sth && l.index < n &&
        es_tlog_inclusion_proof(h, (uint64_t)n, (uint64_t)l.index, path, ES_TLOG_MAX_PATH,
                                &plen) == ES_OK) {
        json_t *arr = json_array();
        for (size_t i = 0; i < plen; i++) {
            char hex[65];
            es_fed_hex(path[i], 32, hex);
            json_array_append_new(arr, json_string(hex));
        }
        char *b64 = ks_b64_encode((const uint8_t *)l.entry, strlen(l.entry));
        if (b64) {
            json_object_set_new(content, "log",
                                json_pack("{s:s,s:I,s:I,s:o,s:O}", "entry", b64, "leaf_index",
                                          (json_int_t)l.index, "tree_size", (json_int_t)n, "path",
                                          arr, "sth", sth));
            ret = 0;
        } else {
            json_decref(arr);
        }
        free(b64);
    }
    json_decref(sth);
    free(h);
    free(l.entry);
    return ret;
}

struct peer_row {
    const char *node;
    bool found;
    struct es_store_peer row;
    char *sth;
    char *alarm;
};

static int find_peer_row(void *arg, const struct es_store_peer *p)
{
    struct peer_row *r = arg;
    if (strcmp(p->node, r->node)) {
        return 0;
    }
    r->found = true;
    r->row = *p;
    r->sth = strdup(p->sth);
    r->alarm = strdup(p->alarm);
    return 1;
}

/* Writes the alarm row (keeping the last accepted head) and its audit entry. */
static void alarm_write(es_store *st, const char *node, const char *kind, const char *text,
                        const struct peer_row *r, int64_t now)
{
    struct es_store_peer p = {.sth = r->sth ? r->sth : "", .alarm = text ? text : "{}",
                              .alarm_at = now, .checked_at = now};
    snprintf(p.node, sizeof(p.node), "%s", node);
    if (r->found) {
        p.tree_size = r->row.tree_size;
        memcpy(p.root_hash, r->row.root_hash, sizeof(p.root_hash));
    }
    if (ES_STORE_CALL(st, peer_put, &p) != ES_STORE_OK) {
        fprintf(stderr, "eseald: cannot record the alarm: %s\n", es_store_errmsg(st));
    }
    struct es_store_audit a = {.at = now};
    ES_STORE_SET(a.actor, "system");
    ES_STORE_SET(a.action, "federation.fork");
    snprintf(a.object, sizeof(a.object), "node/%.100s", node);
    snprintf(a.detail, sizeof(a.detail), "{\"kind\":\"%.64s\"}", kind);
    if (ES_STORE_CALL(st, audit_append, &a) != ES_STORE_OK) {
        fprintf(stderr, "eseald: cannot audit the alarm: %s\n", es_store_errmsg(st));
    }
}

void es_fed_alarm(struct es_app *app, es_store *st, const char *node, const char *kind,
                  json_t *evidence)
{
    (void)app;
    int64_t now = (int64_t)time(NULL);
    if (!evidence) {
        evidence = json_object();
    }
    json_object_set_new(evidence, "kind", json_string(kind));
    json_object_set_new(evidence, "node", json_string(node));
    fprintf(stderr, "eseald: FORK ALARM about node %s: %s\n", node, kind);
    struct peer_row r = {.node = node};
    ES_STORE_CALL(st, peer_list, find_peer_row, &r);
    json_t *earlier = r.alarm && r.alarm[0] ? json_loads(r.alarm, 0, NULL) : NULL;
    if (earlier) {
        json_object_set_new(evidence, "earlier", earlier); /* keep all the evidence */
    }
    char *text = json_dumps(evidence, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(evidence);
    char same[96];
    snprintf(same, sizeof(same), "\"kind\":\"%.64s\"", kind);
    /* raised already (a sender retrying): once is evidence enough */
    if (!r.alarm || !strstr(r.alarm, same)) {
        alarm_write(st, node, kind, text, &r, now);
    }
    free(r.sth);
    free(r.alarm);
    free(text);
}
