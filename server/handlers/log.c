/*
 * server/handlers/log.c - this node's transparency log over HTTP, public:
 * the signed tree head, inclusion and consistency proofs (RFC 6962 shapes,
 * SM3), and the entries themselves. docs/federation.md, docs/api.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../federation.h"

#define ENTRIES_MAX 1000

void h_log_sth(struct es_call *c)
{
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    json_t *doc = es_tlog_sth(c->app, st, NULL, NULL);
    if (!doc) {
        api_error(c, 500, "internal", "The tree head could not be computed or signed.");
        return;
    }
    api_json(c, 200, doc);
}

/* A non-negative integer query argument; false after answering 400. */
static bool arg(struct es_call *c, const char *name, bool required, int64_t dflt, int64_t *out)
{
    const char *v = es_http_query(c->req, name);
    if (!v || !*v) {
        if (required) {
            api_error(c, 400, "bad_request", "The query argument \"%s\" is required.", name);
            return false;
        }
        *out = dflt;
        return true;
    }
    char *end = NULL;
    long long x = strtoll(v, &end, 10);
    if (!end || *end || x < 0 || x > ((int64_t)1 << 48)) { /* no sums overflow */
        api_error(c, 400, "bad_request", "The query argument \"%s\" must be a number from 0 "
                  "to 2^48.", name);
        return false;
    }
    *out = x;
    return true;
}

static json_t *path_json(uint8_t (*path)[32], size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char hex[65];
        es_fed_hex(path[i], 32, hex);
        json_array_append_new(arr, json_string(hex));
    }
    return arr;
}

/* The leaf hashes; NULL after answering. */
static uint8_t (*load(struct es_call *c, int64_t *n))[32]
{
    es_store *st = api_store(c);
    uint8_t (*h)[32] = NULL;
    char why[160];
    if (!st) {
        return NULL;
    }
    if (es_tlog_load(st, &h, n, why, sizeof(why)) != 0) {
        api_error(c, 500, "internal", "The log could not be read.");
        return NULL;
    }
    return h;
}

void h_log_proof(struct es_call *c)
{
    int64_t index = 0, size = 0, n = 0;
    if (!arg(c, "index", true, 0, &index) || !arg(c, "size", false, -1, &size)) {
        return;
    }
    uint8_t (*h)[32] = load(c, &n);
    if (!h) {
        return;
    }
    if (size < 0) {
        size = n;
    }
    uint8_t path[ES_TLOG_MAX_PATH][32];
    size_t plen = 0;
    if (size > n || index >= size) {
        api_error(c, 400, "bad_request", "Need index < size <= %lld (the log's size).",
                  (long long)n);
    } else if (es_tlog_inclusion_proof(h, (uint64_t)size, (uint64_t)index, path,
                                       ES_TLOG_MAX_PATH, &plen) != ES_OK) {
        api_error(c, 500, "internal", "The proof failed: %s", es_tlog_errmsg());
    } else {
        char hex[65];
        es_fed_hex(h[index], 32, hex);
        api_json(c, 200, json_pack("{s:I,s:I,s:s,s:o}", "leaf_index", (json_int_t)index,
                                   "tree_size", (json_int_t)size, "leaf_hash", hex, "path",
                                   path_json(path, plen)));
    }
    free(h);
}

void h_log_consistency(struct es_call *c)
{
    int64_t first = 0, second = 0, n = 0;
    if (!arg(c, "first", true, 0, &first) || !arg(c, "second", true, 0, &second)) {
        return;
    }
    uint8_t (*h)[32] = load(c, &n);
    if (!h) {
        return;
    }
    uint8_t path[ES_TLOG_MAX_PATH][32];
    size_t plen = 0;
    if (second > n || first > second) {
        api_error(c, 400, "bad_request", "Need first <= second <= %lld (the log's size).",
                  (long long)n);
    } else if (es_tlog_consistency_proof(h, (uint64_t)second, (uint64_t)first, path,
                                         ES_TLOG_MAX_PATH, &plen) != ES_OK) {
        api_error(c, 500, "internal", "The proof failed: %s", es_tlog_errmsg());
    } else {
        api_json(c, 200, json_pack("{s:I,s:I,s:o}", "first", (json_int_t)first, "second",
                                   (json_int_t)second, "path", path_json(path, plen)));
    }
    free(h);
}

struct entries {
    struct es_call *c;
    json_t *arr;
};

static int entry_row(void *arg, const struct es_store_tlog *t)
{
    struct entries *e = arg;
    json_array_append_new(e->arr,
                          json_string(api_b64(e->c, (const uint8_t *)t->entry, strlen(t->entry))));
    return 0;
}

void h_log_entries(struct es_call *c)
{
    int64_t start = 0, end = 0;
    if (!arg(c, "start", true, 0, &start) || !arg(c, "end", true, 0, &end)) {
        return;
    }
    if (end < start || end - start >= ENTRIES_MAX) {
        api_error(c, 400, "bad_request", "Need start <= end, at most %d entries at a time "
                  "(end is inclusive).", ENTRIES_MAX);
        return;
    }
    es_store *st = api_store(c);
    if (!st) {
        return;
    }
    struct entries e = {c, json_array()};
    if (!api_store_ok(c, ES_STORE_CALL(st, tlog_range, start, end + 1, entry_row, &e), "log")) {
        json_decref(e.arr);
        return;
    }
    api_json(c, 200, json_pack("{s:I,s:o}", "start", (json_int_t)start, "entries", e.arr));
}
