/*
 * store/store.h - libeseal-store: the platform's persistent state behind one
 * interface with two backends (SQLite, PostgreSQL through libpq).
 *
 * Shape (BearSSL's vtables, SQLite's VFS): an es_store handle is one
 * database connection whose first field is a pointer to the backend's
 * es_store_ops table; the es_store_* functions below only dispatch through
 * it. Every data access uses prepared statements; the schema is created and
 * upgraded by the versioned migrations of store/migrations/NNNN_*.sql, which
 * are built into the library and applied by es_store_open().
 *
 * Threads: a handle is one connection and MUST be used by one thread at a
 * time. A server opens one handle per worker (see server/pool.c). Several
 * processes may share one PostgreSQL database (and one SQLite file on one
 * host): writes that must be serialised (the audit chain, the migrations)
 * take a database lock, and life-cycle updates are optimistic (a version
 * number; a lost race is ES_STORE_CONFLICT).
 *
 * Return codes: ES_STORE_OK (0); ES_STORE_NOTFOUND and ES_STORE_CONFLICT are
 * expected outcomes (no such row; a unique key taken, or a conditional
 * update whose condition no longer holds); ES_STORE_ERR is a database
 * failure whose message is es_store_errmsg(). The store depends on nothing
 * of libeseal: the audit chain's hash function is passed in by the caller.
 *
 * Text fields are NUL-terminated UTF-8 in fixed arrays; a caller's value
 * longer than its array is refused with ES_STORE_ERR ("too long") rather
 * than truncated. Blob fields of rows filled by a get are malloc'd and owned
 * by the row: release them with the matching _clear() function. Rows given
 * to list callbacks are borrowed for the duration of the call, and list
 * rows carry no blobs.
 */
#ifndef ES_STORE_H
#define ES_STORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ES_STORE_OK = 0,
    ES_STORE_NOTFOUND = 1,
    ES_STORE_CONFLICT = 2,
    ES_STORE_ERR = -500, /* = ES_ERR_STORE of eseal/error.h */
};

typedef struct es_store es_store;

/* The audit chain's hash (the server passes SM3). */
typedef void (*es_store_hash_fn)(const void *data, size_t len, uint8_t out[32]);

typedef struct es_store_opts {
    es_store_hash_fn hash; /* required for audit_append */
} es_store_opts;

/* ---- rows ---- */
struct es_store_org {
    int64_t id;
    char name[256];
    char code[64]; /* unified social credit code */
    int64_t created_at;
};

struct es_store_user {
    int64_t id;
    char username[64];
    char display[128];
    char role[24]; /* admin, reviewer, maker, org_admin, user, auditor */
    int64_t org_id; /* 0: none */
    char pw_hash[192];
    int64_t disabled;
    int64_t created_at;
};

struct es_store_session {
    char token_hash[72]; /* hex digest of the bearer token */
    int64_t user_id;
    int64_t created_at;
    int64_t expires_at;
};

struct es_store_app {
    int64_t id;
    int64_t org_id;
    int64_t applicant_id;
    char kind[16]; /* new, change, remake */
    char seal_name[256];
    int64_t seal_type;
    int64_t valid_days;
    char status[16]; /* applied, approved, rejected, made */
    char replaces[72]; /* esid, or "" */
    char note[512];
    int64_t reviewer_id;
    char decision_reason[512];
    char esid[72]; /* the seal made from it, or "" */
    int64_t created_at;
    int64_t decided_at;
    uint8_t *picture; /* optional uploaded picture (owned) */
    size_t picture_len;
};

struct es_store_seal {
    char esid[72];
    int64_t org_id;
    int64_t app_id;
    char name[256];
    int64_t type;
    char status[16];
    int64_t version; /* bumped by every seal_update */
    char der_sm3[72];
    char key_id[40];
    char reg_no[64];
    int64_t valid_start;
    int64_t valid_end;
    int64_t lost_at; /* 0: not lost; distrusted from this time */
    char cancel_reason[32];
    char replaces[72];
    char replaced_by[72];
    int64_t created_at;
    int64_t updated_at;
    uint8_t *der; /* owned blobs (NULL in lists) */
    size_t der_len;
    uint8_t *cert; /* the owner's signing certificate */
    size_t cert_len;
    uint8_t *reg_cert; /* the signed registration certificate */
    size_t reg_cert_len;
};

struct es_store_event {
    int64_t id;
    char esid[72];
    char action[24];
    char from_status[16];
    char to_status[16];
    int64_t actor_id;
    char actor[64];
    char reason[512];
    int64_t at;
};

struct es_store_key {
    char id[40];
    int64_t org_id;
    char alg[16];
    int64_t created_at;
    uint8_t *wrapped; /* owned: the private key encrypted under the master key */
    size_t wrapped_len;
};

struct es_store_grant {
    int64_t id;
    char esid[72];
    int64_t user_id;
    int64_t granted_by;
    int64_t not_before;
    int64_t not_after;
    char scope[128];
    int64_t revoked_at; /* 0: in force */
    int64_t created_at;
};

struct es_store_usage {
    int64_t id;
    char esid[72];
    int64_t user_id;
    char username[64];
    int64_t org_id;
    int64_t at;
    char doc_sm3[72];
    char doc_name[256];
    char result[16]; /* ok, refused, error */
    char detail[512];
};

struct es_store_audit {
    int64_t seq; /* 1, 2, ... set by audit_append */
    int64_t at;
    char actor[64];
    char action[48];
    char object[128];
    char detail[1024];
    uint8_t prev_hash[32]; /* set by audit_append */
    uint8_t hash[32];      /* SM3(prev_hash || row), set by audit_append */
};

/* Filters; zero/empty fields match everything. */
struct es_store_filter {
    int64_t org_id;
    int64_t user_id;
    const char *status;
    const char *esid;
    int64_t since;  /* usage: at >= since; audit: seq >= since */
    int64_t limit;  /* 0: a default of 1000 */
};

/* Federation and the transparency log (migration 0003, docs/federation.md).
 * Text members declared `const char *` are borrowed: by the store for the
 * duration of a write, by the caller for the duration of a list callback. */
struct es_store_tlog {
    int64_t leaf_index; /* 0, 1, ...; the entry's seq is leaf_index + 1 */
    char esid[72];
    char event[24];
    const char *entry; /* the exact eseal-log-entry/1 bytes (JSON text) */
    char leaf_hash[72]; /* hex SM3(0x00 || entry) */
    int64_t at;
};

struct es_store_outbox {
    int64_t seq;
    char esid[72];
    const char *body; /* the signed event (JSON) */
    int64_t created_at;
    int64_t attempts;
    int64_t next_at; /* not before this time */
    char last_error[256];
    int64_t delivered_at; /* 0: pending */
};

struct es_store_inbox {
    char origin[64];
    int64_t seq;
    char esid[72];
    char event[24];
    char status[16];
    int64_t at;
    int64_t received_at;
    char leaf_hash[72]; /* hex SM3(0x00 || the event's log entry) */
    int64_t proven;     /* 1: shown in a tree head of the origin's log */
};

struct es_store_remote {
    char esid[72];
    char owner[64];
    int64_t seq;
    char status[16];
    char *answer; /* the owner's signed status answer: borrowed by remote_put,
                     malloc'd by remote_get (free it) */
    int64_t next_update;
    int64_t updated_at;
};

struct es_store_peer {
    char node[64];
    const char *sth; /* the last accepted signed tree head (JSON), or "" */
    int64_t tree_size;
    char root_hash[72];
    int64_t checked_at;
    const char *alarm; /* fork evidence (JSON), or "" */
    int64_t alarm_at;
};

typedef int (*es_store_tlog_cb)(void *arg, const struct es_store_tlog *row);
typedef int (*es_store_outbox_cb)(void *arg, const struct es_store_outbox *row);
typedef int (*es_store_peer_cb)(void *arg, const struct es_store_peer *row);
typedef int (*es_store_inbox_cb)(void *arg, const struct es_store_inbox *row);

typedef int (*es_store_org_cb)(void *arg, const struct es_store_org *row);
typedef int (*es_store_user_cb)(void *arg, const struct es_store_user *row);
typedef int (*es_store_app_cb)(void *arg, const struct es_store_app *row);
typedef int (*es_store_seal_cb)(void *arg, const struct es_store_seal *row);
typedef int (*es_store_event_cb)(void *arg, const struct es_store_event *row);
typedef int (*es_store_grant_cb)(void *arg, const struct es_store_grant *row);
typedef int (*es_store_usage_cb)(void *arg, const struct es_store_usage *row);
typedef int (*es_store_audit_cb)(void *arg, const struct es_store_audit *row);
/* A callback returning non-zero stops the listing; the list returns ES_STORE_OK. */

/* The backend vtable. Every backend fills every entry. */
struct es_store_ops {
    const char *name; /* "sqlite", "postgresql" */
    void (*close)(es_store *st);
    int (*begin)(es_store *st);
    int (*commit)(es_store *st);
    int (*rollback)(es_store *st);
    int (*schema_version)(es_store *st, int64_t *out);

    int (*org_create)(es_store *st, struct es_store_org *org);
    int (*org_get)(es_store *st, int64_t id, struct es_store_org *out);
    int (*org_list)(es_store *st, es_store_org_cb cb, void *arg);

    int (*user_create)(es_store *st, struct es_store_user *user);
    int (*user_get)(es_store *st, int64_t id, struct es_store_user *out);
    int (*user_get_by_name)(es_store *st, const char *username, struct es_store_user *out);
    int (*user_list)(es_store *st, const struct es_store_filter *f, es_store_user_cb cb,
                     void *arg);

    int (*session_create)(es_store *st, const struct es_store_session *s);
    int (*session_get)(es_store *st, const char *token_hash, struct es_store_session *out);
    int (*session_delete)(es_store *st, const char *token_hash);
    int (*session_purge)(es_store *st, int64_t now);

    int (*app_create)(es_store *st, struct es_store_app *app);
    int (*app_get)(es_store *st, int64_t id, struct es_store_app *out);
    int (*app_list)(es_store *st, const struct es_store_filter *f, es_store_app_cb cb,
                    void *arg);
    /* Writes status, reviewer, reason, decided_at and esid if the row is still
     * in `expected_status`; ES_STORE_CONFLICT otherwise. */
    int (*app_update)(es_store *st, const struct es_store_app *app, const char *expected_status);

    int (*seal_create)(es_store *st, const struct es_store_seal *seal);
    int (*seal_get)(es_store *st, const char *esid, struct es_store_seal *out);
    int (*seal_list)(es_store *st, const struct es_store_filter *f, es_store_seal_cb cb,
                     void *arg);
    /* Writes every mutable field if the stored version is still
     * seal->version, and bumps the version; ES_STORE_CONFLICT otherwise. */
    int (*seal_update)(es_store *st, const struct es_store_seal *seal);

    int (*event_append)(es_store *st, struct es_store_event *ev);
    int (*event_list)(es_store *st, const char *esid, es_store_event_cb cb, void *arg);

    int (*key_put)(es_store *st, const struct es_store_key *key);
    int (*key_get)(es_store *st, const char *id, struct es_store_key *out);

    int (*grant_create)(es_store *st, struct es_store_grant *g);
    int (*grant_get)(es_store *st, int64_t id, struct es_store_grant *out);
    int (*grant_list)(es_store *st, const struct es_store_filter *f, es_store_grant_cb cb,
                      void *arg);
    /* ES_STORE_NOTFOUND if there is no such grant in force. */
    int (*grant_revoke)(es_store *st, int64_t id, int64_t at);

    int (*usage_append)(es_store *st, struct es_store_usage *u);
    int (*usage_list)(es_store *st, const struct es_store_filter *f, es_store_usage_cb cb,
                      void *arg);

    /* Appends under a database lock: reads the last row, sets e->seq,
     * e->prev_hash and e->hash. Runs in the caller's transaction if one is
     * open, else in its own. */
    int (*audit_append)(es_store *st, struct es_store_audit *e);
    int (*audit_list)(es_store *st, const struct es_store_filter *f, es_store_audit_cb cb,
                      void *arg);
    /* ---- the transparency log: rows are never updated or deleted ---- */
    /* In the caller's open transaction: takes the log's lock (held until
     * commit, so that appends from several nodes sharing a database are
     * serialised) and gives the next leaf index (= the log's size). */
    int (*tlog_next)(es_store *st, int64_t *out_index);
    int (*tlog_insert)(es_store *st, const struct es_store_tlog *e);
    /* The log's size: the largest leaf index + 1 (0 when empty). */
    int (*tlog_size)(es_store *st, int64_t *out);
    /* Leaves start <= leaf_index < end in order. */
    int (*tlog_range)(es_store *st, int64_t start, int64_t end, es_store_tlog_cb cb, void *arg);
    /* The newest leaf about a seal (ES_STORE_NOTFOUND if none). */
    int (*tlog_last_for)(es_store *st, const char *esid, es_store_tlog_cb cb, void *arg);

    /* ---- federation ---- */
    int (*outbox_put)(es_store *st, const struct es_store_outbox *o);
    /* Undelivered rows in seq order, at most `limit`. */
    int (*outbox_pending)(es_store *st, int64_t limit, es_store_outbox_cb cb, void *arg);
    /* Writes attempts, next_at, last_error and delivered_at of row seq. */
    int (*outbox_mark)(es_store *st, const struct es_store_outbox *o);
    int (*outbox_stats)(es_store *st, int64_t *out_total, int64_t *out_pending);
    /* ES_STORE_CONFLICT if (origin, seq) was received before. */
    int (*inbox_put)(es_store *st, const struct es_store_inbox *e);
    /* Events from origin not yet proven in its log, seq <= max_seq, in seq
     * order, at most `limit`; and marking one proven. */
    int (*inbox_unproven)(es_store *st, const char *origin, int64_t max_seq, int64_t limit,
                          es_store_inbox_cb cb, void *arg);
    int (*inbox_proven)(es_store *st, const char *origin, int64_t seq);
    int (*inbox_get)(es_store *st, const char *origin, int64_t seq, struct es_store_inbox *out);
    /* Events received from origin: how many, and the largest seq. */
    int (*inbox_count)(es_store *st, const char *origin, int64_t *out_count,
                       int64_t *out_max_seq);
    /* Inserts or replaces the row if the stored seq is <= r->seq;
     * ES_STORE_CONFLICT (nothing written) if a newer answer is stored. */
    int (*remote_put)(es_store *st, const struct es_store_remote *r);
    int (*remote_get)(es_store *st, const char *esid, struct es_store_remote *out);
    int (*peer_put)(es_store *st, const struct es_store_peer *p);
    int (*peer_list)(es_store *st, es_store_peer_cb cb, void *arg);
};

/* Opens a connection. url: "sqlite:PATH" (PATH may be ":memory:"),
 * "postgresql://..." or "postgres://..." (a libpq URI). Applies the pending
 * migrations. On failure returns ES_STORE_ERR and writes a sentence to err.
 * OUT (owned): es_store_close. */
int es_store_open(const char *url, const es_store_opts *opts, es_store **out, char *err,
                  size_t err_len);
void es_store_close(es_store *st);
const char *es_store_errmsg(const es_store *st);
const char *es_store_backend(const es_store *st);
/* The number of built-in migrations (the newest schema version). */
int64_t es_store_latest_version(void);

/* The canonical bytes hashed for an audit row: prev_hash (32) || seq (u64
 * big-endian) || at (u64 BE) || then actor, action, object, detail each as
 * u32 BE length || bytes. Writes the hash of them to out. */
void es_store_audit_hash(es_store_hash_fn hash, const struct es_store_audit *e,
                         uint8_t out[32]);
/* Walks the whole audit log and recomputes the chain. *out_bad_seq = 0 if
 * it holds, else the first row whose prev_hash or hash does not match;
 * *out_count gets the number of rows. */
int es_store_audit_verify(es_store *st, int64_t *out_count, int64_t *out_bad_seq);

void es_store_app_clear(struct es_store_app *a);
void es_store_seal_clear(struct es_store_seal *s);
void es_store_key_clear(struct es_store_key *k); /* wipes the wrapped key too */
void es_store_remote_clear(struct es_store_remote *r);

/* Copies src into a fixed text field; returns 0, or -1 if it does not fit. */
int es_store_strset(char *dst, size_t cap, const char *src);
#define ES_STORE_SET(field, src) es_store_strset((field), sizeof(field), (src))

/* Dispatchers: st->vtable->fn(st, ...). */
static inline const struct es_store_ops *es_store_vt(es_store *st)
{
    return *(const struct es_store_ops *const *)(const void *)st;
}
#define ES_STORE_CALL(st, fn, ...) (es_store_vt(st)->fn((st), __VA_ARGS__))
#define ES_STORE_CALL0(st, fn) (es_store_vt(st)->fn((st)))

#ifdef __cplusplus
}
#endif
#endif
