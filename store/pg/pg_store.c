/*
 * store/pg/pg_store.c - the PostgreSQL backend through libpq: one PGconn per
 * handle, every statement prepared on the server (PQprepare) and run with
 * PQexecPrepared. Parameters go as text, blobs as binary (bytea); results
 * come back as text, bytea decoded with PQunescapeBytea.
 *
 * Several eseald nodes share one database: transactions are READ COMMITTED;
 * the audit chain and the migrations are serialised with transaction-scoped
 * advisory locks; life-cycle updates are conditional (version / status) and
 * report a lost race as ES_STORE_CONFLICT.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store_int.h"

#define PG_MAX_PARAMS 24
#define PG_MAX_BLOBS 4

struct pg_stmt {
    int n_params;
    const char *values[PG_MAX_PARAMS];
    int lengths[PG_MAX_PARAMS];
    int formats[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][24];
    PGresult *res;
    int row;
    int64_t changes;
    unsigned char *blobs[PG_MAX_BLOBS];
    int n_blobs;
};

struct pg_store {
    struct es_store base; /* first */
    PGconn *conn;
    struct pg_stmt stmt[S_COUNT_];
};

static struct pg_store *PG(es_store *st)
{
    return (struct pg_store *)st;
}

static int pg_err(es_store *st, const char *what, const PGresult *res)
{
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(PG(st)->conn);
    char clean[400];
    snprintf(clean, sizeof(clean), "%s", msg ? msg : "");
    size_t n = strlen(clean);
    while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' ')) {
        clean[--n] = '\0';
    }
    return es_store_fail(st, "postgresql: %s: %s", what, clean);
}

/* "?" placeholders to "$n"; the statements contain no '?' in literals. */
static char *dollarize(const char *sql, int *n_params)
{
    size_t len = strlen(sql);
    size_t cap = len * 4 + 1; /* "?" becomes at most "$999" */
    char *out = malloc(cap);
    if (!out) {
        return NULL;
    }
    int n = 0;
    size_t o = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '?') {
            o += (size_t)snprintf(out + o, cap - o, "$%d", ++n);
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    *n_params = n;
    return out;
}

static int pg_prepare(es_store *st, int id, const char *sql)
{
    int n = 0;
    char *text = dollarize(sql, &n);
    if (!text) {
        return es_store_fail(st, "out of memory");
    }
    if (n > PG_MAX_PARAMS) {
        free(text);
        return es_store_fail(st, "postgresql: too many parameters");
    }
    char name[16];
    snprintf(name, sizeof(name), "s%d", id);
    PGresult *r = PQprepare(PG(st)->conn, name, text, n, NULL);
    free(text);
    int rc = ES_STORE_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = pg_err(st, "prepare", r);
    }
    PQclear(r);
    PG(st)->stmt[id].n_params = n;
    return rc;
}

static int pg_exec(es_store *st, const char *sql)
{
    PGresult *r = PQexec(PG(st)->conn, sql);
    ExecStatusType s = PQresultStatus(r);
    int rc = ES_STORE_OK;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        rc = pg_err(st, "exec", r);
    }
    PQclear(r);
    return rc;
}

static int pg_query_i64(es_store *st, const char *sql, int64_t *out)
{
    PGresult *r = PQexec(PG(st)->conn, sql);
    int rc = ES_STORE_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
        rc = pg_err(st, "query", r);
    } else {
        *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    }
    PQclear(r);
    return rc;
}

static void pg_reset(es_store *st, int id)
{
    struct pg_stmt *s = &PG(st)->stmt[id];
    PQclear(s->res);
    s->res = NULL;
    s->row = 0;
    for (int i = 0; i < s->n_blobs; i++) {
        PQfreemem(s->blobs[i]);
    }
    s->n_blobs = 0;
    for (int i = 0; i < PG_MAX_PARAMS; i++) {
        s->values[i] = NULL;
        s->lengths[i] = 0;
        s->formats[i] = 0;
    }
}

static int check_idx(es_store *st, int id, int idx)
{
    if (idx < 1 || idx > PG(st)->stmt[id].n_params) {
        return es_store_fail(st, "postgresql: parameter %d out of range", idx);
    }
    return ES_STORE_OK;
}

static int pg_bind_i64(es_store *st, int id, int idx, int64_t v)
{
    if (check_idx(st, id, idx) != ES_STORE_OK) {
        return ES_STORE_ERR;
    }
    struct pg_stmt *s = &PG(st)->stmt[id];
    snprintf(s->num[idx - 1], sizeof(s->num[0]), "%lld", (long long)v);
    s->values[idx - 1] = s->num[idx - 1];
    return ES_STORE_OK;
}

static int pg_bind_text(es_store *st, int id, int idx, const char *t)
{
    if (check_idx(st, id, idx) != ES_STORE_OK) {
        return ES_STORE_ERR;
    }
    PG(st)->stmt[id].values[idx - 1] = t;
    return ES_STORE_OK;
}

static int pg_bind_blob(es_store *st, int id, int idx, const void *p, size_t n)
{
    if (check_idx(st, id, idx) != ES_STORE_OK) {
        return ES_STORE_ERR;
    }
    if (n > 0x7fffffff) {
        return es_store_fail(st, "postgresql: blob too large");
    }
    struct pg_stmt *s = &PG(st)->stmt[id];
    s->values[idx - 1] = p;
    s->lengths[idx - 1] = (int)n;
    s->formats[idx - 1] = 1;
    return ES_STORE_OK;
}

static int pg_bind_null(es_store *st, int id, int idx)
{
    if (check_idx(st, id, idx) != ES_STORE_OK) {
        return ES_STORE_ERR;
    }
    PG(st)->stmt[id].values[idx - 1] = NULL;
    return ES_STORE_OK;
}

static int pg_step(es_store *st, int id)
{
    struct pg_stmt *s = &PG(st)->stmt[id];
    if (s->res) {
        s->row++;
        return s->row < PQntuples(s->res) ? ES_SQL_ROW : ES_SQL_DONE;
    }
    char name[16];
    snprintf(name, sizeof(name), "s%d", id);
    s->res = PQexecPrepared(PG(st)->conn, name, s->n_params, s->values, s->lengths, s->formats,
                            0);
    ExecStatusType status = PQresultStatus(s->res);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        const char *ct = PQcmdTuples(s->res);
        s->changes = ct && ct[0] ? strtoll(ct, NULL, 10) : 0;
        s->row = 0;
        return PQntuples(s->res) > 0 ? ES_SQL_ROW : ES_SQL_DONE;
    }
    const char *state = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
    /* class 23: integrity constraint violation (unique, foreign key, ...) */
    int rc = state && strncmp(state, "23", 2) == 0 ? ES_STORE_CONFLICT : ES_STORE_ERR;
    pg_err(st, "statement", s->res);
    PQclear(s->res);
    s->res = NULL;
    if (PQstatus(PG(st)->conn) == CONNECTION_BAD) {
        /* the server went away: try once to reconnect for the next call
         * (prepared statements are lost with the session, so the handle
         * stays failed; the server's pool replaces it) */
        st->in_tx = false;
    }
    return rc;
}

static int64_t pg_col_i64(es_store *st, int id, int col)
{
    struct pg_stmt *s = &PG(st)->stmt[id];
    if (!s->res || PQgetisnull(s->res, s->row, col)) {
        return 0;
    }
    return strtoll(PQgetvalue(s->res, s->row, col), NULL, 10);
}

static const char *pg_col_text(es_store *st, int id, int col)
{
    struct pg_stmt *s = &PG(st)->stmt[id];
    if (!s->res || PQgetisnull(s->res, s->row, col)) {
        return "";
    }
    return PQgetvalue(s->res, s->row, col);
}

static const void *pg_col_blob(es_store *st, int id, int col, size_t *len)
{
    struct pg_stmt *s = &PG(st)->stmt[id];
    *len = 0;
    if (!s->res || PQgetisnull(s->res, s->row, col) || s->n_blobs >= PG_MAX_BLOBS) {
        return NULL;
    }
    size_t n = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, col), &n);
    if (!b) {
        return NULL;
    }
    s->blobs[s->n_blobs++] = b;
    *len = n;
    return b;
}

static int64_t pg_changes(es_store *st, int id)
{
    return PG(st)->stmt[id].changes;
}

static const char *const pg_overrides[S_COUNT_] = {
    [S_AUDIT_LOCK] = "SELECT pg_advisory_xact_lock(74310)",
    [S_TLOG_LOCK] = "SELECT pg_advisory_xact_lock(74311)",
};

static const struct es_sql_ops pg_sql = {
    .prepare = pg_prepare,
    .exec = pg_exec,
    .query_i64 = pg_query_i64,
    .reset = pg_reset,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_i64 = pg_col_i64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .begin_sql = "BEGIN",
    .migration_lock_sql = "SELECT pg_advisory_xact_lock(74309)",
    .overrides = pg_overrides,
    .type_id = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .type_bigint = "BIGINT",
    .type_blob = "BYTEA",
};

static void pg_close(es_store *st)
{
    struct pg_store *p = PG(st);
    for (int i = 0; i < S_COUNT_; i++) {
        pg_reset(st, i);
    }
    PQfinish(p->conn);
    free(p);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs ("relation already exists, skipping") are not errors */
}

static struct es_store_ops pg_ops;
static pthread_once_t pg_ops_once = PTHREAD_ONCE_INIT;

static void pg_ops_init(void)
{
    pg_ops = es_store_common_ops;
    pg_ops.close = pg_close;
    pg_ops.name = "postgresql";
}

int es_store_pg_open(const char *conninfo, es_store **out, char *err, size_t err_len)
{
    *out = NULL;
    struct pg_store *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err, err_len, "out of memory");
        return ES_STORE_ERR;
    }
    pthread_once(&pg_ops_once, pg_ops_init);
    p->base.vtable = &pg_ops;
    p->base.sql = &pg_sql;
    p->conn = PQconnectdb(conninfo);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        char msg[300];
        snprintf(msg, sizeof(msg), "%s", p->conn ? PQerrorMessage(p->conn) : "out of memory");
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
            msg[--n] = '\0';
        }
        snprintf(err, err_len, "postgresql: cannot connect: %s", msg);
        PQfinish(p->conn);
        free(p);
        return ES_STORE_ERR;
    }
    PQsetNoticeProcessor(p->conn, quiet, NULL);
    es_store *st = &p->base;
    int rc = pg_exec(st, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
    if (rc == ES_STORE_OK) {
        rc = es_store_setup(st);
    }
    if (rc != ES_STORE_OK) {
        snprintf(err, err_len, "%s", st->err);
        pg_close(st);
        return ES_STORE_ERR;
    }
    *out = st;
    return ES_STORE_OK;
}
