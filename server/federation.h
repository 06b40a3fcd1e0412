/*
 * server/federation.h - what the federation files share (federation*.c,
 * tlog_server.c, handlers/federation.c, handlers/log.c): the peers with
 * their loaded certificates, the cache of this node's signed tree head,
 * the worker's wake-up, the HTTP client and signed-document checks.
 * docs/federation.md describes the design.
 */
#ifndef ESEALD_FEDERATION_H
#define ESEALD_FEDERATION_H

#include "eseald.h"

struct es_fed_peer {
    const struct es_fed_peer_config *cfg;
    es_cert *cert;
    volatile int sth_due; /* check its tree head at the next turn */
    int64_t last_check;   /* worker thread only */
};

struct es_fed {
    struct es_fed_peer peer[ES_FED_MAX_PEERS];
    size_t n_peers;
    int national; /* index into peer[], or -1 */
    pthread_mutex_t cert_lock; /* es_cert objects are not shared between threads */
    /* this node's newest signed tree head */
    pthread_mutex_t sth_lock;
    int64_t sth_size;
    uint8_t sth_root[32];
    char *sth_text;
    bool self_alarm; /* this node's own log changed under a signed head */
    /* the worker */
    pthread_t thread;
    bool running;
    pthread_mutex_t wake_lock;
    pthread_cond_t wake;
    volatile int stop;
};

/* The peer called `id`, or NULL. */
struct es_fed_peer *es_fed_peer_find(struct es_fed *fed, const char *id);

/* Checks a signed document ({"tbs","signature",...}) against `cert`;
 * returns the parsed tbs (a new reference) or NULL. */
json_t *es_fed_check_signed(struct es_fed *fed, const es_cert *cert, json_t *doc);
/* Checks a document signed by the peer named in its content's "node"; the
 * content (new reference) and the peer, or NULL with a sentence in why. */
json_t *es_fed_check_peer_doc(struct es_fed *fed, json_t *doc, const char *type,
                              struct es_fed_peer **out_peer, char *why, size_t why_len);

/* One HTTP exchange with a peer (libcurl): method, URL, optional JSON
 * body. Returns the HTTP status (0 when unreachable, err says why); the
 * answer's body (malloc'd, NUL-terminated) in *out. */
long es_fed_http(const char *method, const char *url, const char *body, unsigned timeout_ms,
                 char **out, size_t *out_len, char *err, size_t err_len);

/* ---- the transparency log (tlog_server.c) ---- */
/* Loads the leaf hashes of the whole log, recomputing each from its entry
 * (a stored hash that does not match its entry, or a missing index, is
 * reported in why and counts as tampering). */
int es_tlog_load(es_store *st, uint8_t (**out)[32], int64_t *out_n, char *why, size_t why_len);
/* This node's signed tree head over the log as stored now (re-signed when
 * the log grew; a changed root at the same size raises a local alarm).
 * Returns the signed document (new reference) and, if asked, the leaf
 * hashes it covers (malloc'd) and their count. */
json_t *es_tlog_sth(struct es_app *app, es_store *st, uint8_t (**hashes)[32], int64_t *n);
/* Records a fork alarm about `node` with its evidence (peer row + audit). */
void es_fed_alarm(struct es_app *app, es_store *st, const char *node, const char *kind,
                  json_t *evidence);
/* Hex helpers. */
void es_fed_hex(const uint8_t *p, size_t n, char *out);
int es_fed_unhex(const char *s, uint8_t *out, size_t n);
/* Parses "path":["hex",...] into path[]; -1 if malformed. */
int es_fed_path(json_t *arr, uint8_t (*path)[32], size_t *n);

#endif
