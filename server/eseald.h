/*
 * server/eseald.h - eseald's internal interface: configuration, the
 * process-wide state (es_app), the per-request call context (es_call), the
 * helpers handlers use to parse JSON and answer, and the handler table.
 *
 * Layering (STYLE.md "HTTP service"): http/ knows HTTP only; api.c routes
 * and enforces roles; handlers/ parse, call libeseal and the store, and
 * render JSON, with no SQL and no DER inside; platform.c makes seals,
 * registration certificates and signed status answers; keystore.c is the
 * only server file that uses OpenSSL.
 */
#ifndef ESEALD_H
#define ESEALD_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "eseal/eseal.h"
#include "http/http.h"
#include "keystore.h"
#include "store.h"

/* ---- federation settings (federation_config.c, docs/federation.md) ---- */
#define ES_FED_MAX_PEERS 16
enum { ES_NODE_STANDALONE = 0, ES_NODE_NATIONAL, ES_NODE_SUBCENTRE };
struct es_fed_peer_config {
    char id[64];
    char url[256];  /* base URL, "http://host:port" */
    char cert[512]; /* the peer platform's certificate (PEM file) */
};
struct es_fed_config {
    char node_id[64];  /* this node's name in log entries, tree heads and answers */
    int role;          /* ES_NODE_* */
    char national[64]; /* a sub-centre: the peer id of its national node */
    struct es_fed_peer_config peers[ES_FED_MAX_PEERS];
    unsigned n_peers;
    unsigned timeout_ms;  /* one request to a peer (default 2000) */
    unsigned poll_s;      /* tree heads fetched from peers this often (default 30) */
    unsigned retry_max_s; /* the outbox's back-off limit (default 300) */
};
/* A federation setting ("node_id", "role", "national", "peer" = "ID URL
 * CERT", "fed_timeout_ms", "fed_poll_s", "fed_retry_max_s"): 0 done, -1
 * bad value (err set), 1 not a federation setting. */
int es_fed_config_key(struct es_fed_config *f, const char *k, const char *v, char *err,
                      size_t err_len);

/* ---- configuration (config.c) ---- */
struct es_config {
    char listen[128];   /* "127.0.0.1:8440", "[::]:8440" */
    char db[1024];      /* sqlite:PATH or postgresql://... */
    char platform_key[512];
    char platform_cert[512];
    char platform_pass[256];
    char ca_key[512];
    char ca_cert[512];
    char ca_pass[256];
    char trust[512];    /* extra trust anchors: a file or a directory */
    char tsa_key[512];  /* the TSA's key and certificate (handlers/tsa.c); empty: */
    char tsa_cert[512]; /* the platform key with a TSA certificate from the CA */
    char tsa_pass[256];
    bool tsa_off;       /* no time-stamp authority (POST /api/v1/tsa answers 503) */
    char tsa_url[512];  /* platform sealing with "tsa" asks this RFC 3161 URL instead */
    char master_key[512];
    bool create_master_key;
    unsigned threads;
    size_t max_body;
    unsigned timeout_s;
    unsigned max_connections;
    unsigned max_per_ip;
    unsigned session_ttl_s;
    unsigned status_ttl_s;
    unsigned sweep_s;
    bool seed_demo;
    char demo_password[64];
    char admin[160];     /* "user:password": create this administrator if missing */
    char port_file[512]; /* write the bound port here (tests) */
    bool quiet;
    struct es_fed_config fed; /* node role and peers (federation_config.c) */
};

void es_config_defaults(struct es_config *c);
/* Reads "key = value" lines; '#' starts a comment. */
int es_config_load(struct es_config *c, const char *path, char *err, size_t err_len);
/* Applies command-line flags (after the file named by --config). Returns
 * 1 if the program should exit 0 (--help, --version), 0 to go on, -1 on a
 * usage error (message in err). */
int es_config_args(struct es_config *c, int argc, char **argv, char *err, size_t err_len);
/* Resolves "env:VAR", "file:PATH", "pass:TEXT" or plain text in place. */
int es_config_secret(char *value, size_t cap, char *err, size_t err_len);

/* ---- store connection pool (pool.c) ---- */
struct es_pool;
struct es_pool *es_pool_new(const char *url, size_t max, char *err, size_t err_len);
void es_pool_free(struct es_pool *p);
/* A connection for this thread's request; NULL with err set on failure. */
es_store *es_pool_get(struct es_pool *p, char *err, size_t err_len);
/* Gives it back; a connection that failed at the database level is closed. */
void es_pool_put(struct es_pool *p, es_store *st, bool broken);

/* ---- roles ---- */
enum {
    R_PUBLIC = 1u << 0, /* no login needed */
    R_ADMIN = 1u << 1,
    R_REVIEWER = 1u << 2,
    R_MAKER = 1u << 3,
    R_ORG_ADMIN = 1u << 4,
    R_USER = 1u << 5,
    R_AUDITOR = 1u << 6,
};
#define R_STAFF (R_ADMIN | R_REVIEWER | R_MAKER | R_ORG_ADMIN | R_USER | R_AUDITOR)
unsigned es_role_bit(const char *role); /* 0 for an unknown role */
const char *es_role_name(unsigned bit);

/* ---- life cycle (lifecycle.c) ---- */
struct es_transition {
    const char *action;
    const char *from[7];
    const char *to;
    unsigned roles;
    bool forced; /* imposed by the authority */
};
/* The transition for action and role, or NULL. *out_known says whether the
 * action exists for any role. */
const struct es_transition *es_lifecycle_find(const char *action, unsigned role_bit,
                                              bool *out_known);
bool es_lifecycle_allowed_from(const struct es_transition *t, const char *status);
/* "active, suspended" */
void es_lifecycle_from_list(const struct es_transition *t, char *out, size_t cap);
/* The status a seal has now: the stored one, or "expired" past its validity. */
const char *es_lifecycle_effective(const char *status, int64_t valid_end, int64_t now);
bool es_lifecycle_terminal(const char *status);
/* Reasons of the Measures for cancelling a seal. */
bool es_lifecycle_cancel_reason_ok(const char *reason);
extern const char *const es_cancel_reasons[];

/* ---- process state ---- */
struct es_status_cache;
struct es_fed;

struct es_app {
    struct es_config cfg;
    struct es_pool *pool;
    es_keystore *ks;
    es_key *platform_key;   /* signs seals (maker), registration certificates, status */
    es_cert *platform_cert;
    char *platform_cert_pem;
    char *ca_cert_pem;
    pthread_mutex_t platform_lock; /* es_key objects are not shared between threads */
    es_trust *trust;
    pthread_mutex_t trust_lock;
    struct es_status_cache *status_cache;
    struct es_fed *fed; /* peers, tree-head cache, the federation worker */
    es_tsa *tsa;            /* the platform's time-stamp authority, or NULL */
    es_key *tsa_key;        /* its key, when not loaded by es_tsa_load */
    int64_t started_at;
    volatile int stopping;
};

/* Loads keys and the platform identity, opens the store pool, seeds the
 * demo data / administrator as configured (app.c). */
int es_app_init(struct es_app *app, char *err, size_t err_len);
void es_app_close(struct es_app *app);

/* ---- per-request call context (api.c) ---- */
struct es_principal {
    bool authed;
    int64_t user_id;
    char username[64];
    char role[24];
    unsigned role_bit;
    int64_t org_id;
    char token_hash[72];
};

struct es_call {
    struct es_app *app;
    const es_http_request *req;
    es_http_response *res;
    es_arena *arena;
    es_store *st;
    bool st_broken;
    struct es_principal who;
    const char *param[4];
    int n_params;
    json_t *body; /* parsed lazily by api_body */
};

/* Answers {"error":{"code":code,"message":...}}. */
void api_error(struct es_call *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Answers a JSON value (the reference is stolen). */
void api_json(struct es_call *c, int status, json_t *v);
/* The request body as a JSON object (strict: duplicate keys, invalid UTF-8,
 * NUL are refused). NULL after answering 400/415. */
json_t *api_body(struct es_call *c);
/* The store connection for this request; NULL after answering 503. */
es_store *api_store(struct es_call *c);
/* Maps a store result: returns true for ES_STORE_OK, else answers 404 /
 * 409 / 500 naming `what`. */
bool api_store_ok(struct es_call *c, int rc, const char *what);
/* Appends to the audit log (in the store's open transaction if any). */
int api_audit(struct es_call *c, const char *action, const char *object, json_t *detail);

/* JSON field helpers. A wrong type answers 400 and returns false. */
bool jget_str(struct es_call *c, json_t *o, const char *key, bool required, size_t max,
              const char **out);
bool jget_int(struct es_call *c, json_t *o, const char *key, bool required, int64_t min,
              int64_t max, int64_t *out);
/* Base64 field decoded into the arena. */
bool jget_b64(struct es_call *c, json_t *o, const char *key, bool required, size_t max,
              const uint8_t **out, size_t *out_len);
/* Rejects members not in the NULL-terminated list (400). */
bool jcheck_keys(struct es_call *c, json_t *o, const char *const *allowed);
/* Base64 into the arena. */
char *api_b64(struct es_call *c, const uint8_t *p, size_t n);
char *api_hex(struct es_call *c, const uint8_t *p, size_t n);
/* ISO 8601 UTC of a time (arena). */
char *api_time(struct es_call *c, int64_t t);
/* Integer query argument with a default. */
int64_t api_query_int(struct es_call *c, const char *name, int64_t dflt);

/* The dispatcher given to es_http. */
void es_api_handle(void *arg, const es_http_request *req, es_http_response *res);

/* ---- platform services (platform.c) ---- */
/* SM2 signature by the platform key (serialised). */
int es_platform_sign(struct es_app *app, const uint8_t *msg, size_t len, uint8_t sig[72],
                     size_t *sig_len);
/* {"tbs": b64, "signature": b64, "signer": serial} document over a JSON object
 * (serialised compact with sorted keys). Returns a new object. */
json_t *es_platform_signed(struct es_app *app, json_t *tbs);
/* Checks such a document against the platform certificate: 1 valid, 0 not. */
int es_platform_check_signed(struct es_app *app, json_t *doc, json_t **out_tbs);
/* The same against any certificate (lock serialises its use). */
int es_check_signed_by(const es_cert *cert, pthread_mutex_t *lock, json_t *doc,
                       json_t **out_tbs);
/* Seal picture for a new seal: the image API when built in, else a drawn ring. */
int es_platform_picture(const char *org, const char *name, int64_t type, uint8_t **out,
                        size_t *out_len);
/* The signed status answer for a seal (cached). Returns the JSON text, or
 * NULL (404 answered). */
const char *es_status_answer(struct es_call *c, const char *esid, size_t *out_len);
struct es_status_cache *es_status_cache_new(void);
void es_status_cache_free(struct es_status_cache *sc);
/* Per-thread trust anchors for verification (built from the config). */
es_trust *es_platform_trust(struct es_app *app);
/* Marks seals past their validity as expired (with an event). */
void es_platform_sweep(struct es_app *app);
/* Frees the per-thread trust anchors (after the workers stopped). */
void es_platform_shutdown(void);

/* ---- time-stamp authority (handlers/tsa.c) ---- */
/* Sets up app->tsa from tsa_key/tsa_cert, or from the platform key and a
 * TSA certificate issued by the CA at start-up; none without either (a
 * warning). -1 with err set when a configured TSA cannot be loaded. */
int es_tsa_setup(struct es_app *app, char *err, size_t err_len);
void es_tsa_teardown(struct es_app *app);

/* ---- federation and the transparency log (federation*.c, tlog_server.c) ---- */
/* Loads the peers' certificates and checks the role's settings. */
int es_fed_init(struct es_app *app, char *err, size_t err_len);
/* Starts / stops the worker thread (outbox delivery, tree-head checks). */
int es_fed_start(struct es_app *app, char *err, size_t err_len);
void es_fed_stop(struct es_app *app);
void es_fed_free(struct es_app *app);
/* Records the event just appended (ev) in the caller's open transaction:
 * the seal's eseal-log-entry/1 leaf in this node's log and, on a sub-centre,
 * the outbox row for the national node with the signed status answer. */
int es_fed_record(struct es_app *app, es_store *st, const struct es_store_event *ev);
/* The signed status answer of a seal this node does not own (asked of the
 * national node or a peer, or from the replicated table); NULL after
 * answering 404 / 503. */
const char *es_fed_status(struct es_call *c, const char *esid, size_t *out_len);
/* The registry part of a verification report for a seal this node does
 * not own, from its owner's signed answer; NULL if no node knows it. */
json_t *es_fed_registry(struct es_call *c, const char *esid, int64_t signed_at);
/* The status answer's content (eseal-status/1) for a seal; `history`
 * lists its transitions (at, status) so that a relying party elsewhere can
 * tell its status at a signing time. */
json_t *es_status_content(struct es_app *app, es_store *st, const struct es_store_seal *s,
                          int64_t now);
/* Adds the "log" member (entry, inclusion proof, signed tree head) for the
 * seal's newest log entry to a status answer's content; no-op if none. */
int es_tlog_add_proof(struct es_app *app, es_store *st, json_t *content);

/* ---- handlers ---- */
#define ES_HANDLERS(X)                                                                        \
    X(h_health)                                                                               \
    X(h_platform)                                                                             \
    X(h_openapi)                                                                              \
    X(h_login)                                                                                \
    X(h_logout)                                                                               \
    X(h_me)                                                                                   \
    X(h_orgs_list)                                                                            \
    X(h_orgs_create)                                                                          \
    X(h_users_list)                                                                           \
    X(h_users_create)                                                                         \
    X(h_apps_create)                                                                          \
    X(h_apps_list)                                                                            \
    X(h_apps_get)                                                                             \
    X(h_apps_approve)                                                                         \
    X(h_apps_reject)                                                                          \
    X(h_apps_make)                                                                            \
    X(h_seals_list)                                                                           \
    X(h_seals_get)                                                                            \
    X(h_seals_events)                                                                         \
    X(h_seals_action)                                                                         \
    X(h_seals_status)                                                                         \
    X(h_seals_registration)                                                                   \
    X(h_seals_picture)                                                                        \
    X(h_seals_sign)                                                                           \
    X(h_grants_list)                                                                          \
    X(h_grants_create)                                                                        \
    X(h_grants_revoke)                                                                        \
    X(h_usage_list)                                                                           \
    X(h_audit_list)                                                                           \
    X(h_audit_verify)                                                                         \
    X(h_verify)                                                                               \
    X(h_registration_verify)                                                                  \
    X(h_fed_events)                                                                           \
    X(h_fed_peers)                                                                            \
    X(h_log_sth)                                                                              \
    X(h_log_proof)                                                                            \
    X(h_log_consistency)                                                                      \
    X(h_log_entries)                                                                          \
    X(h_tsa)                                                                                  \
    X(h_web)

#define ES_DECLARE_HANDLER(name) void name(struct es_call *c);
ES_HANDLERS(ES_DECLARE_HANDLER)
#undef ES_DECLARE_HANDLER

/* Helpers shared by handlers (handlers/common.c). */
/* Loads a seal the caller may see: 404 if absent or outside the caller's
 * organisation (an organisation sees only its own seals). */
bool seal_load(struct es_call *c, const char *esid, struct es_store_seal *out);
json_t *seal_json(struct es_call *c, const struct es_store_seal *s, bool full);
bool user_may_see_org(const struct es_principal *who, int64_t org_id);
/* Files an application in its own transaction, with its audit entry. */
bool apps_file(struct es_call *c, struct es_store_app *a);

/* Embedded files (generated at build time). */
struct es_embedded_file {
    const char *name;
    const unsigned char *data;
    size_t len;
};
extern const struct es_embedded_file es_web_files[];
extern const size_t es_web_files_count;

#endif
