/*
 * store/sqlite/sqlite_store.c - the SQLite backend: one sqlite3 connection
 * per handle, WAL journal, foreign keys on, synchronous=FULL (an
 * acknowledged commit survives a crash of the process and of the machine),
 * a busy timeout so that concurrent writers wait rather than fail, and
 * write transactions opened with BEGIN IMMEDIATE (no lock upgrade, hence no
 * deadlock between two writers).
 *
 * The database file is treated as hostile input only as far as SQLite
 * itself does; rows are copied into bounded fields by store/common.c.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store_int.h"

struct sqlite_store {
    struct es_store base; /* first */
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT_];
    int64_t changes[S_COUNT_];
};

static struct sqlite_store *SQ(es_store *st)
{
    return (struct sqlite_store *)st;
}

static int sq_err(es_store *st, const char *what)
{
    return es_store_fail(st, "sqlite: %s: %s", what, sqlite3_errmsg(SQ(st)->db));
}

static int sq_prepare(es_store *st, int id, const char *sql)
{
    if (sqlite3_prepare_v3(SQ(st)->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &SQ(st)->stmt[id],
                           NULL) != SQLITE_OK) {
        return sq_err(st, "prepare");
    }
    return ES_STORE_OK;
}

static int sq_exec(es_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(SQ(st)->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        es_store_fail(st, "sqlite: %s", msg ? msg : sqlite3_errmsg(SQ(st)->db));
        sqlite3_free(msg);
        return ES_STORE_ERR;
    }
    return ES_STORE_OK;
}

static int sq_query_i64(es_store *st, const char *sql, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    int rc = ES_STORE_OK;
    if (sqlite3_prepare_v2(SQ(st)->db, sql, -1, &s, NULL) != SQLITE_OK) {
        return sq_err(st, "prepare");
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
    } else {
        rc = sq_err(st, "query");
    }
    sqlite3_finalize(s);
    return rc;
}

static void sq_reset(es_store *st, int id)
{
    sqlite3_stmt *s = SQ(st)->stmt[id];
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
}

static int bind_rc(es_store *st, int rc)
{
    return rc == SQLITE_OK ? ES_STORE_OK : sq_err(st, "bind");
}

static int sq_bind_i64(es_store *st, int id, int idx, int64_t v)
{
    return bind_rc(st, sqlite3_bind_int64(SQ(st)->stmt[id], idx, v));
}

static int sq_bind_text(es_store *st, int id, int idx, const char *s)
{
    return bind_rc(st, sqlite3_bind_text(SQ(st)->stmt[id], idx, s, -1, SQLITE_STATIC));
}

static int sq_bind_blob(es_store *st, int id, int idx, const void *p, size_t n)
{
    return bind_rc(st, sqlite3_bind_blob64(SQ(st)->stmt[id], idx, p, n, SQLITE_STATIC));
}

static int sq_bind_null(es_store *st, int id, int idx)
{
    return bind_rc(st, sqlite3_bind_null(SQ(st)->stmt[id], idx));
}

static int sq_step(es_store *st, int id)
{
    int rc = sqlite3_step(SQ(st)->stmt[id]);
    if (rc == SQLITE_ROW) {
        return ES_SQL_ROW;
    }
    if (rc == SQLITE_DONE) {
        SQ(st)->changes[id] = sqlite3_changes64(SQ(st)->db);
        return ES_SQL_DONE;
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        es_store_fail(st, "sqlite: constraint: %s", sqlite3_errmsg(SQ(st)->db));
        return ES_STORE_CONFLICT;
    }
    return sq_err(st, "step");
}

static int64_t sq_col_i64(es_store *st, int id, int col)
{
    return sqlite3_column_int64(SQ(st)->stmt[id], col);
}

static const char *sq_col_text(es_store *st, int id, int col)
{
    const unsigned char *t = sqlite3_column_text(SQ(st)->stmt[id], col);
    return t ? (const char *)t : "";
}

static const void *sq_col_blob(es_store *st, int id, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(SQ(st)->stmt[id], col);
    *len = (size_t)sqlite3_column_bytes(SQ(st)->stmt[id], col);
    return p;
}

static int64_t sq_changes(es_store *st, int id)
{
    return SQ(st)->changes[id];
}

static const struct es_sql_ops sqlite_sql = {
    .prepare = sq_prepare,
    .exec = sq_exec,
    .query_i64 = sq_query_i64,
    .reset = sq_reset,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_i64 = sq_col_i64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .changes = sq_changes,
    .begin_sql = "BEGIN IMMEDIATE",
    .migration_lock_sql = NULL, /* BEGIN IMMEDIATE already holds the write lock */
    .overrides = NULL,
    .type_id = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .type_bigint = "INTEGER",
    .type_blob = "BLOB",
};

static void sq_close(es_store *st)
{
    struct sqlite_store *s = SQ(st);
    for (int i = 0; i < S_COUNT_; i++) {
        sqlite3_finalize(s->stmt[i]);
    }
    sqlite3_close_v2(s->db);
    free(s);
}

static struct es_store_ops sqlite_ops;
static pthread_once_t sqlite_ops_once = PTHREAD_ONCE_INIT;

/* The common functions plus our own, filled once. */
static void sqlite_ops_init(void)
{
    sqlite_ops = es_store_common_ops;
    sqlite_ops.close = sq_close;
    sqlite_ops.name = "sqlite";
}

int es_store_sqlite_open(const char *path, es_store **out, char *err, size_t err_len)
{
    *out = NULL;
    if (!path || !path[0]) {
        snprintf(err, err_len, "sqlite: no database path (sqlite:PATH)");
        return ES_STORE_ERR;
    }
    struct sqlite_store *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return ES_STORE_ERR;
    }
    pthread_once(&sqlite_ops_once, sqlite_ops_init);
    s->base.vtable = &sqlite_ops;
    s->base.sql = &sqlite_sql;
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, err_len, "sqlite: cannot open %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sqlite3_close_v2(s->db);
        free(s);
        return ES_STORE_ERR;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    /* defence in depth against a hostile database file */
    sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, 256 * 1024 * 1024);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    es_store *st = &s->base;
    rc = sq_exec(st, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                     "PRAGMA synchronous=FULL; PRAGMA trusted_schema=OFF");
    if (rc == ES_STORE_OK) {
        rc = es_store_setup(st);
    }
    if (rc != ES_STORE_OK) {
        snprintf(err, err_len, "%s", st->err);
        sq_close(st);
        return ES_STORE_ERR;
    }
    *out = st;
    return ES_STORE_OK;
}
