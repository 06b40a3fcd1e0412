/*
 * store/store_int.h - what the backends share: the handle's common head, the
 * small SQL driver interface each backend implements (prepare, bind, step,
 * column), the statement table and the migration runner.
 *
 * The entity functions of es_store_ops (store/common.c) are written once
 * against this driver interface, so both backends run the very same SQL and
 * the same row mapping; a backend supplies connection handling, statement
 * execution and the few SQL texts that differ (overrides[]).
 */
#ifndef ES_STORE_INT_H
#define ES_STORE_INT_H

#include <stdbool.h>

#include "store.h"

enum { ES_SQL_ROW = 100, ES_SQL_DONE = 101 };

/* Statement ids; the SQL is in common.c. */
enum es_stmt {
    S_ORG_INSERT,
    S_ORG_GET,
    S_ORG_LIST,
    S_USER_INSERT,
    S_USER_GET,
    S_USER_GET_NAME,
    S_USER_LIST,
    S_SESSION_INSERT,
    S_SESSION_GET,
    S_SESSION_DELETE,
    S_SESSION_PURGE,
    S_APP_INSERT,
    S_APP_GET,
    S_APP_LIST,
    S_APP_UPDATE,
    S_SEAL_INSERT,
    S_SEAL_GET,
    S_SEAL_LIST,
    S_SEAL_UPDATE,
    S_EVENT_INSERT,
    S_EVENT_LIST,
    S_KEY_INSERT,
    S_KEY_GET,
    S_GRANT_INSERT,
    S_GRANT_GET,
    S_GRANT_LIST,
    S_GRANT_REVOKE,
    S_USAGE_INSERT,
    S_USAGE_LIST,
    S_AUDIT_LOCK,
    S_AUDIT_LAST,
    S_AUDIT_INSERT,
    S_AUDIT_LIST,
    S_VERSION,
    S_TLOG_LOCK,
    S_TLOG_SIZE,
    S_TLOG_INSERT,
    S_TLOG_RANGE,
    S_TLOG_LAST_FOR,
    S_OUTBOX_INSERT,
    S_OUTBOX_PENDING,
    S_OUTBOX_MARK,
    S_OUTBOX_STATS,
    S_INBOX_INSERT,
    S_INBOX_COUNT,
    S_INBOX_UNPROVEN,
    S_INBOX_PROVEN,
    S_INBOX_GET,
    S_REMOTE_UPSERT,
    S_REMOTE_GET,
    S_PEER_UPSERT,
    S_PEER_LIST,
    S_COUNT_
};

struct es_sql_ops {
    /* Prepares statement `id` (the SQL uses '?' placeholders). */
    int (*prepare)(es_store *st, int id, const char *sql);
    /* Runs a script or a statement without parameters (DDL, BEGIN...). */
    int (*exec)(es_store *st, const char *sql);
    /* Runs a one-value query without parameters. */
    int (*query_i64)(es_store *st, const char *sql, int64_t *out);
    /* Clears bindings and results of a statement. */
    void (*reset)(es_store *st, int id);
    int (*bind_i64)(es_store *st, int id, int idx, int64_t v);    /* idx from 1 */
    int (*bind_text)(es_store *st, int id, int idx, const char *s); /* borrowed until step */
    int (*bind_blob)(es_store *st, int id, int idx, const void *p, size_t n);
    int (*bind_null)(es_store *st, int id, int idx);
    /* ES_SQL_ROW, ES_SQL_DONE, ES_STORE_CONFLICT (unique or foreign key
     * violation) or ES_STORE_ERR. */
    int (*step)(es_store *st, int id);
    int64_t (*col_i64)(es_store *st, int id, int col);
    const char *(*col_text)(es_store *st, int id, int col); /* never NULL */
    const void *(*col_blob)(es_store *st, int id, int col, size_t *len);
    int64_t (*changes)(es_store *st, int id); /* rows written by the last step */
    /* Statement opening a write transaction (NULL: "BEGIN"). */
    const char *begin_sql;
    /* Statement taking the migration lock inside a transaction (or NULL). */
    const char *migration_lock_sql;
    /* Backend-specific SQL replacing the common text (NULL entries: common). */
    const char *const *overrides;
    /* Column types substituted into the migrations: @ID@, @BIGINT@, @BLOB@. */
    const char *type_id;
    const char *type_bigint;
    const char *type_blob;
};

/* The common head of every backend's handle. vtable MUST stay first. */
struct es_store {
    const struct es_store_ops *vtable;
    const struct es_sql_ops *sql;
    es_store_hash_fn hash;
    bool in_tx;
    char err[512];
};

/* The entity functions shared by both backends (common.c). A backend's
 * es_store_ops table is es_store_common_ops with name and close replaced. */
extern const struct es_store_ops es_store_common_ops;

/* Records an error message on the handle; returns ES_STORE_ERR. */
int es_store_fail(es_store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Applies pending migrations, then prepares every statement. */
int es_store_setup(es_store *st);

/* The built-in migrations (generated at build time from migrations/). */
struct es_embedded_file {
    const char *name;
    const unsigned char *data; /* NUL-terminated */
    size_t len;
};
extern const struct es_embedded_file es_store_migrations[];
extern const size_t es_store_migrations_count;

/* Backend constructors. */
int es_store_sqlite_open(const char *path, es_store **out, char *err, size_t err_len);
int es_store_pg_open(const char *conninfo, es_store **out, char *err, size_t err_len);

#endif
