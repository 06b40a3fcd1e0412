/*
 * store/common.c - the entity functions of es_store_ops, written once over
 * the SQL driver interface of store_int.h; the migration runner; the audit
 * chain; es_store_open's dispatch on the URL scheme.
 *
 * Every statement is prepared once per connection (es_store_setup) and only
 * bound and stepped afterwards: no SQL text is ever built from data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* ---- the SQL, one text for both backends ('?' placeholders) ---- */

#define USER_COLS "id, username, display, role, COALESCE(org_id, 0), pw_hash, disabled, created_at"
#define APP_COLS                                                                              \
    "id, org_id, applicant_id, kind, seal_name, seal_type, valid_days, status, replaces, note, " \
    "reviewer_id, decision_reason, esid, created_at, decided_at"
#define SEAL_COLS                                                                             \
    "esid, org_id, app_id, name, type, status, version, der_sm3, key_id, reg_no, valid_start, " \
    "valid_end, lost_at, cancel_reason, replaces, replaced_by, created_at, updated_at"
#define GRANT_COLS "id, esid, user_id, granted_by, not_before, not_after, scope, revoked_at, created_at"
#define USAGE_COLS "id, esid, user_id, username, org_id, at, doc_sm3, doc_name, result, detail"
#define AUDIT_COLS "seq, at, actor, action, object, detail, prev_hash, hash"
#define TLOG_COLS "leaf_index, esid, event, entry, leaf_hash, at"
#define OUTBOX_COLS "seq, esid, body, created_at, attempts, next_at, last_error, delivered_at"
#define REMOTE_COLS "esid, owner, seq, status, answer, next_update, updated_at"
#define PEER_COLS "node, sth, tree_size, root_hash, checked_at, alarm, alarm_at"
#define INBOX_COLS "origin, seq, esid, event, status, at, received_at, leaf_hash, proven"

static const char *const sql_text[S_COUNT_] = {
    [S_ORG_INSERT] = "INSERT INTO orgs (name, code, created_at) VALUES (?, ?, ?) RETURNING id",
    [S_ORG_GET] = "SELECT id, name, code, created_at FROM orgs WHERE id = ?",
    [S_ORG_LIST] = "SELECT id, name, code, created_at FROM orgs ORDER BY id",
    [S_USER_INSERT] = "INSERT INTO users (username, display, role, org_id, pw_hash, disabled, "
                      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    [S_USER_GET] = "SELECT " USER_COLS " FROM users WHERE id = ?",
    [S_USER_GET_NAME] = "SELECT " USER_COLS " FROM users WHERE username = ?",
    [S_USER_LIST] = "SELECT " USER_COLS " FROM users WHERE (CAST(? AS BIGINT) = 0 OR org_id = ?) "
                    "ORDER BY id LIMIT ?",
    [S_SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
                         "VALUES (?, ?, ?, ?)",
    [S_SESSION_GET] = "SELECT token_hash, user_id, created_at, expires_at FROM sessions "
                      "WHERE token_hash = ?",
    [S_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?",
    [S_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at < ?",
    [S_APP_INSERT] = "INSERT INTO applications (org_id, applicant_id, kind, seal_name, seal_type, "
                     "valid_days, status, replaces, note, reviewer_id, decision_reason, esid, "
                     "created_at, decided_at, picture) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    [S_APP_GET] = "SELECT " APP_COLS ", picture FROM applications WHERE id = ?",
    [S_APP_LIST] = "SELECT " APP_COLS " FROM applications WHERE (CAST(? AS BIGINT) = 0 OR "
                   "org_id = ?) AND (CAST(? AS TEXT) = '' OR status = ?) ORDER BY id DESC LIMIT ?",
    [S_APP_UPDATE] = "UPDATE applications SET status = ?, reviewer_id = ?, decision_reason = ?, "
                     "decided_at = ?, esid = ? WHERE id = ? AND status = ?",
    [S_SEAL_INSERT] = "INSERT INTO seals (esid, org_id, app_id, name, type, status, version, "
                      "der_sm3, key_id, reg_no, valid_start, valid_end, lost_at, cancel_reason, "
                      "replaces, replaced_by, created_at, updated_at, der, cert, reg_cert) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_SEAL_GET] = "SELECT " SEAL_COLS ", der, cert, reg_cert FROM seals WHERE esid = ?",
    [S_SEAL_LIST] = "SELECT " SEAL_COLS " FROM seals WHERE (CAST(? AS BIGINT) = 0 OR org_id = ?) "
                    "AND (CAST(? AS TEXT) = '' OR status = ?) ORDER BY created_at DESC, esid "
                    "LIMIT ?",
    [S_SEAL_UPDATE] = "UPDATE seals SET status = ?, version = version + 1, key_id = ?, "
                      "reg_no = ?, lost_at = ?, cancel_reason = ?, replaced_by = ?, "
                      "updated_at = ?, reg_cert = ? WHERE esid = ? AND version = ?",
    [S_EVENT_INSERT] = "INSERT INTO seal_events (esid, action, from_status, to_status, actor_id, "
                       "actor, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    [S_EVENT_LIST] = "SELECT id, esid, action, from_status, to_status, actor_id, actor, reason, "
                     "at FROM seal_events WHERE esid = ? ORDER BY id",
    [S_KEY_INSERT] = "INSERT INTO keys (id, org_id, alg, created_at, wrapped) "
                     "VALUES (?, ?, ?, ?, ?)",
    [S_KEY_GET] = "SELECT id, org_id, alg, created_at, wrapped FROM keys WHERE id = ?",
    [S_GRANT_INSERT] = "INSERT INTO grants (esid, user_id, granted_by, not_before, not_after, "
                       "scope, revoked_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?) "
                       "RETURNING id",
    [S_GRANT_GET] = "SELECT " GRANT_COLS " FROM grants WHERE id = ?",
    [S_GRANT_LIST] = "SELECT " GRANT_COLS " FROM grants WHERE (CAST(? AS TEXT) = '' OR esid = ?) "
                     "AND (CAST(? AS BIGINT) = 0 OR user_id = ?) ORDER BY id LIMIT ?",
    [S_GRANT_REVOKE] = "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at = 0",
    [S_USAGE_INSERT] = "INSERT INTO usage_log (esid, user_id, username, org_id, at, doc_sm3, "
                       "doc_name, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    [S_USAGE_LIST] = "SELECT " USAGE_COLS " FROM usage_log WHERE (CAST(? AS BIGINT) = 0 OR "
                     "org_id = ?) AND (CAST(? AS TEXT) = '' OR esid = ?) AND (CAST(? AS BIGINT) "
                     "= 0 OR user_id = ?) AND at >= ? ORDER BY id DESC LIMIT ?",
    [S_AUDIT_LOCK] = "SELECT 1",
    [S_AUDIT_LAST] = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
    [S_AUDIT_INSERT] = "INSERT INTO audit_log (" AUDIT_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [S_AUDIT_LIST] = "SELECT " AUDIT_COLS " FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?",
    [S_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
    [S_TLOG_LOCK] = "SELECT 1",
    [S_TLOG_SIZE] = "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM tlog_leaves",
    [S_TLOG_INSERT] = "INSERT INTO tlog_leaves (" TLOG_COLS ") VALUES (?, ?, ?, ?, ?, ?)",
    [S_TLOG_RANGE] = "SELECT " TLOG_COLS " FROM tlog_leaves WHERE leaf_index >= ? AND "
                     "leaf_index < ? ORDER BY leaf_index",
    [S_TLOG_LAST_FOR] = "SELECT " TLOG_COLS " FROM tlog_leaves WHERE esid = ? ORDER BY "
                        "leaf_index DESC LIMIT 1",
    [S_OUTBOX_INSERT] = "INSERT INTO fed_outbox (" OUTBOX_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [S_OUTBOX_PENDING] = "SELECT " OUTBOX_COLS " FROM fed_outbox WHERE delivered_at = 0 ORDER BY "
                         "seq LIMIT ?",
    [S_OUTBOX_MARK] = "UPDATE fed_outbox SET attempts = ?, next_at = ?, last_error = ?, "
                      "delivered_at = ? WHERE seq = ?",
    [S_OUTBOX_STATS] = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN delivered_at = 0 THEN 1 ELSE 0 "
                       "END), 0) FROM fed_outbox",
    [S_INBOX_INSERT] = "INSERT INTO fed_inbox (" INBOX_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_INBOX_UNPROVEN] = "SELECT " INBOX_COLS " FROM fed_inbox WHERE origin = ? AND proven = 0 "
                         "AND seq <= ? ORDER BY seq LIMIT ?",
    [S_INBOX_PROVEN] = "UPDATE fed_inbox SET proven = 1 WHERE origin = ? AND seq = ?",
    [S_INBOX_GET] = "SELECT " INBOX_COLS " FROM fed_inbox WHERE origin = ? AND seq = ?",
    [S_INBOX_COUNT] = "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM fed_inbox WHERE origin = ?",
    [S_REMOTE_UPSERT] = "INSERT INTO remote_seals (" REMOTE_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (esid) DO UPDATE SET owner = excluded.owner, seq = "
                        "excluded.seq, status = excluded.status, answer = excluded.answer, "
                        "next_update = excluded.next_update, updated_at = excluded.updated_at "
                        "WHERE remote_seals.seq <= excluded.seq",
    [S_REMOTE_GET] = "SELECT " REMOTE_COLS " FROM remote_seals WHERE esid = ?",
    [S_PEER_UPSERT] = "INSERT INTO fed_peers (" PEER_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT (node) DO UPDATE SET sth = excluded.sth, tree_size = "
                      "excluded.tree_size, root_hash = excluded.root_hash, checked_at = "
                      "excluded.checked_at, alarm = excluded.alarm, alarm_at = excluded.alarm_at",
    [S_PEER_LIST] = "SELECT " PEER_COLS " FROM fed_peers ORDER BY node",
};

/* ---- helpers ---- */

int es_store_fail(es_store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof(st->err), fmt, ap);
    va_end(ap);
    return ES_STORE_ERR;
}

int es_store_strset(char *dst, size_t cap, const char *src)
{
    if (!src) {
        src = "";
    }
    size_t n = strlen(src);
    if (n >= cap) {
        dst[0] = '\0';
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

/* Copies a column into a fixed field (the database is trusted to respect
 * the limits it was written with; a longer value is cut, never overflowed). */
static void col_str(es_store *st, int id, int col, char *dst, size_t cap)
{
    const char *s = st->sql->col_text(st, id, col);
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static int col_dup(es_store *st, int id, int col, uint8_t **out, size_t *out_len)
{
    size_t n = 0;
    const void *p = st->sql->col_blob(st, id, col, &n);
    *out = NULL;
    *out_len = 0;
    if (!p || n == 0) {
        return ES_STORE_OK;
    }
    *out = malloc(n);
    if (!*out) {
        return es_store_fail(st, "out of memory");
    }
    memcpy(*out, p, n);
    *out_len = n;
    return ES_STORE_OK;
}

/*
 * Binds the arguments described by fmt to statement id, from index 1:
 *   i int64_t   t const char* (NULL -> '')   b const void*, size_t (NULL/0 -> NULL)
 *   o int64_t bound as NULL when 0 (optional foreign keys)
 */
static int bindv(es_store *st, int id, const char *fmt, va_list ap)
{
    const struct es_sql_ops *q = st->sql;
    q->reset(st, id);
    int idx = 1;
    int rc = ES_STORE_OK;
    for (const char *f = fmt; *f && rc == ES_STORE_OK; f++, idx++) {
        switch (*f) {
        case 'i':
            rc = q->bind_i64(st, id, idx, va_arg(ap, int64_t));
            break;
        case 'o': {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? q->bind_i64(st, id, idx, v) : q->bind_null(st, id, idx);
            break;
        }
        case 't': {
            const char *s = va_arg(ap, const char *);
            rc = q->bind_text(st, id, idx, s ? s : "");
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = p && n ? q->bind_blob(st, id, idx, p, n) : q->bind_null(st, id, idx);
            break;
        }
        default:
            rc = es_store_fail(st, "internal: bad bind format");
        }
    }
    return rc;
}

/* Binds and steps once: ES_SQL_ROW, ES_SQL_DONE or an error. */
static int run_v(es_store *st, int id, const char *fmt, va_list ap)
{
    int rc = bindv(st, id, fmt, ap);
    if (rc != ES_STORE_OK) {
        return rc;
    }
    return st->sql->step(st, id);
}

static int run(es_store *st, int id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = run_v(st, id, fmt, ap);
    va_end(ap);
    return rc;
}

/* For statements that write: DONE (or a RETURNING row) -> OK. */
static int write_v(es_store *st, int id, int64_t *out_id, const char *fmt, va_list ap)
{
    int rc = run_v(st, id, fmt, ap);
    if (rc == ES_SQL_ROW) {
        if (out_id) {
            *out_id = st->sql->col_i64(st, id, 0);
        }
        /* drain, so that the statement completes (SQLite) */
        while ((rc = st->sql->step(st, id)) == ES_SQL_ROW) {
        }
    }
    if (rc == ES_SQL_DONE) {
        rc = ES_STORE_OK;
    }
    st->sql->reset(st, id);
    return rc;
}

static int run_write(es_store *st, int id, int64_t *out_id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = write_v(st, id, out_id, fmt, ap);
    va_end(ap);
    return rc;
}

/* run_write for an UPDATE or DELETE that must touch a row: `none` (NOTFOUND
 * or CONFLICT) when it touched none. */
static int run_change(es_store *st, int id, int none, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = write_v(st, id, NULL, fmt, ap);
    va_end(ap);
    if (rc == ES_STORE_OK && st->sql->changes(st, id) == 0) {
        rc = none;
    }
    return rc;
}

/* Steps a lock statement (SELECT 1 or SELECT ... FOR UPDATE) to its end. */
static int run_lock(es_store *st, int id)
{
    int rc = run(st, id, "");
    while (rc == ES_SQL_ROW) {
        rc = st->sql->step(st, id);
    }
    st->sql->reset(st, id);
    return rc == ES_SQL_DONE ? ES_STORE_OK : rc;
}

/* Rolls back after `rc` failed, keeping the message of the first failure. */
static int rollback_keep_error(es_store *st, int rc);

static int64_t lim(const struct es_store_filter *f)
{
    return f && f->limit > 0 ? f->limit : 1000;
}

/*
 * How the result columns of a statement land in a row struct: one entry a
 * column, in the order the statement selects them. The columns after
 * COL_GET_ONLY are selected only by the entity's single-row statement (the
 * blobs a list leaves out); COL_END closes the table.
 */
enum col_kind {
    COL_END,
    COL_GET_ONLY,
    COL_I64,  /* int64_t */
    COL_STR,  /* char[aux], cut to fit (col_str) */
    COL_TEXT, /* const char *, borrowed until the next step or reset */
    COL_DUP,  /* char *, a malloc'd copy */
    COL_BLOB, /* uint8_t *, malloc'd (col_dup); its size_t length at offset aux */
    COL_HEX32 /* uint8_t[32] from 64 hex digits; all 0xff when malformed */
};

struct col {
    enum col_kind kind;
    size_t off;
    size_t aux;
};

#define C_I64(T, m) {COL_I64, offsetof(T, m), 0}
#define C_STR(T, m) {COL_STR, offsetof(T, m), sizeof(((T *)0)->m)}
#define C_TEXT(T, m) {COL_TEXT, offsetof(T, m), 0}
#define C_DUP(T, m) {COL_DUP, offsetof(T, m), 0}
#define C_BLOB(T, m) {COL_BLOB, offsetof(T, m), offsetof(T, m##_len)}
#define C_HEX32(T, m) {COL_HEX32, offsetof(T, m), 0}
#define C_GET_ONLY {COL_GET_ONLY, 0, 0}
#define C_END {COL_END, 0, 0}

static int from_hex(const char *s, uint8_t *out, size_t n);

/* Frees what read_row allocated for the owned (COL_DUP, COL_BLOB) columns. */
static void free_owned(const struct col *c, void *row)
{
    for (; c->kind != COL_END; c++) {
        char *f = (char *)row + c->off;
        if (c->kind == COL_DUP) {
            free(*(char **)f);
            *(char **)f = NULL;
        } else if (c->kind == COL_BLOB) {
            free(*(uint8_t **)f);
            *(uint8_t **)f = NULL;
            *(size_t *)((char *)row + c->aux) = 0;
        }
    }
}

/* Reads the current row of statement id into `row` by table `cols`; with
 * `whole`, also the columns after COL_GET_ONLY. On failure (out of memory)
 * nothing stays allocated. */
static int read_row(es_store *st, int id, const struct col *cols, void *row, bool whole)
{
    const struct es_sql_ops *q = st->sql;
    int rc = ES_STORE_OK;
    int col = 0;
    for (const struct col *c = cols; c->kind != COL_END; c++) {
        char *f = (char *)row + c->off;
        switch (c->kind) {
        case COL_GET_ONLY:
            if (!whole) {
                return rc;
            }
            continue; /* not a column */
        case COL_I64:
            *(int64_t *)f = q->col_i64(st, id, col);
            break;
        case COL_STR:
            col_str(st, id, col, f, c->aux);
            break;
        case COL_TEXT:
            *(const char **)f = q->col_text(st, id, col);
            break;
        case COL_DUP:
            *(char **)f = strdup(q->col_text(st, id, col));
            if (!*(char **)f && rc == ES_STORE_OK) {
                rc = es_store_fail(st, "out of memory");
            }
            break;
        case COL_BLOB:
            if (rc == ES_STORE_OK) {
                rc = col_dup(st, id, col, (uint8_t **)f, (size_t *)((char *)row + c->aux));
            }
            break;
        case COL_HEX32:
            if (from_hex(q->col_text(st, id, col), (uint8_t *)f, 32) != 0) {
                memset(f, 0xff, 32);
            }
            break;
        case COL_END:
            break;
        }
        col++;
    }
    if (rc != ES_STORE_OK) {
        free_owned(cols, row);
    }
    return rc;
}

/* Runs a single-row query: OK and the row (of `size` bytes, zeroed first)
 * read by `cols` (whole), or NOTFOUND. */
static int get_row(es_store *st, int id, const struct col *cols, void *row, size_t size,
                   const char *fmt, ...)
{
    memset(row, 0, size);
    va_list ap;
    va_start(ap, fmt);
    int rc = run_v(st, id, fmt, ap);
    va_end(ap);
    if (rc == ES_SQL_ROW) {
        rc = read_row(st, id, cols, row, true);
    } else if (rc == ES_SQL_DONE) {
        rc = ES_STORE_NOTFOUND;
    }
    st->sql->reset(st, id);
    return rc;
}

/* Iterates the rows of a bound statement into callback `cb` (a macro: the
 * callbacks are typed by entity). */
#define LIST(st, id, type, cols, cb, arg, ...)                                                  \
    do {                                                                                       \
        int rc_ = run((st), (id), __VA_ARGS__);                                                \
        while (rc_ == ES_SQL_ROW) {                                                            \
            type row_;                                                                         \
            memset(&row_, 0, sizeof(row_));                                                   \
            (void)read_row((st), (id), (cols), &row_, false);                                  \
            if ((cb)((arg), &row_)) {                                                          \
                rc_ = ES_SQL_DONE;                                                             \
                break;                                                                         \
            }                                                                                  \
            rc_ = (st)->sql->step((st), (id));                                                 \
        }                                                                                      \
        (st)->sql->reset((st), (id));                                                          \
        return rc_ == ES_SQL_DONE ? ES_STORE_OK : rc_;                                         \
    } while (0)

#define TOO_LONG(st, what) es_store_fail((st), "%s is too long", (what))

/* ---- transactions ---- */

static int c_begin(es_store *st)
{
    if (st->in_tx) {
        return es_store_fail(st, "a transaction is already open");
    }
    int rc = st->sql->exec(st, st->sql->begin_sql ? st->sql->begin_sql : "BEGIN");
    if (rc == ES_STORE_OK) {
        st->in_tx = true;
    }
    return rc;
}

static int c_commit(es_store *st)
{
    if (!st->in_tx) {
        return es_store_fail(st, "no transaction is open");
    }
    int rc = st->sql->exec(st, "COMMIT");
    if (rc != ES_STORE_OK) {
        char keep[sizeof(st->err)];
        memcpy(keep, st->err, sizeof(keep));
        st->sql->exec(st, "ROLLBACK");
        memcpy(st->err, keep, sizeof(keep));
    }
    st->in_tx = false;
    return rc;
}

static int c_rollback(es_store *st)
{
    if (!st->in_tx) {
        return ES_STORE_OK;
    }
    st->in_tx = false;
    return st->sql->exec(st, "ROLLBACK");
}

static int rollback_keep_error(es_store *st, int rc)
{
    char keep[sizeof(st->err)];
    memcpy(keep, st->err, sizeof(keep));
    c_rollback(st);
    memcpy(st->err, keep, sizeof(keep));
    return rc;
}

static int c_schema_version(es_store *st, int64_t *out)
{
    int rc = run(st, S_VERSION, "");
    if (rc == ES_SQL_ROW) {
        *out = st->sql->col_i64(st, S_VERSION, 0);
        rc = ES_STORE_OK;
    }
    st->sql->reset(st, S_VERSION);
    return rc;
}

/* ---- organisations ---- */

#define R struct es_store_org
static const struct col org_cols[] = {
    C_I64(R, id), C_STR(R, name), C_STR(R, code), C_I64(R, created_at), C_END,
};
#undef R

static int c_org_create(es_store *st, struct es_store_org *org)
{
    if (!org->created_at) {
        org->created_at = (int64_t)time(NULL);
    }
    return run_write(st, S_ORG_INSERT, &org->id, "tti", org->name, org->code, org->created_at);
}

static int c_org_get(es_store *st, int64_t id, struct es_store_org *out)
{
    return get_row(st, S_ORG_GET, org_cols, out, sizeof(*out), "i", id);
}

static int c_org_list(es_store *st, es_store_org_cb cb, void *arg)
{
    LIST(st, S_ORG_LIST, struct es_store_org, org_cols, cb, arg, "");
}

/* ---- users ---- */

#define R struct es_store_user
static const struct col user_cols[] = {
    C_I64(R, id),     C_STR(R, username), C_STR(R, display), C_STR(R, role),
    C_I64(R, org_id), C_STR(R, pw_hash),  C_I64(R, disabled), C_I64(R, created_at),
    C_END,
};
#undef R

static int c_user_create(es_store *st, struct es_store_user *u)
{
    if (!u->created_at) {
        u->created_at = (int64_t)time(NULL);
    }
    return run_write(st, S_USER_INSERT, &u->id, "tttotii", u->username, u->display, u->role,
                     u->org_id, u->pw_hash, u->disabled, u->created_at);
}

static int c_user_get(es_store *st, int64_t id, struct es_store_user *out)
{
    return get_row(st, S_USER_GET, user_cols, out, sizeof(*out), "i", id);
}

static int c_user_get_by_name(es_store *st, const char *name, struct es_store_user *out)
{
    return get_row(st, S_USER_GET_NAME, user_cols, out, sizeof(*out), "t", name);
}

static int c_user_list(es_store *st, const struct es_store_filter *f, es_store_user_cb cb,
                       void *arg)
{
    int64_t org = f ? f->org_id : 0;
    LIST(st, S_USER_LIST, struct es_store_user, user_cols, cb, arg, "iii", org, org, lim(f));
}

/* ---- sessions ---- */

#define R struct es_store_session
static const struct col session_cols[] = {
    C_STR(R, token_hash), C_I64(R, user_id), C_I64(R, created_at), C_I64(R, expires_at), C_END,
};
#undef R

static int c_session_create(es_store *st, const struct es_store_session *s)
{
    return run_write(st, S_SESSION_INSERT, NULL, "tiii", s->token_hash, s->user_id,
                     s->created_at, s->expires_at);
}

static int c_session_get(es_store *st, const char *token_hash, struct es_store_session *out)
{
    return get_row(st, S_SESSION_GET, session_cols, out, sizeof(*out), "t", token_hash);
}

static int c_session_delete(es_store *st, const char *token_hash)
{
    return run_change(st, S_SESSION_DELETE, ES_STORE_NOTFOUND, "t", token_hash);
}

static int c_session_purge(es_store *st, int64_t now)
{
    return run_write(st, S_SESSION_PURGE, NULL, "i", now);
}

/* ---- applications ---- */

#define R struct es_store_app
static const struct col app_cols[] = {
    C_I64(R, id),          C_I64(R, org_id),    C_I64(R, applicant_id),
    C_STR(R, kind),        C_STR(R, seal_name), C_I64(R, seal_type),
    C_I64(R, valid_days),  C_STR(R, status),    C_STR(R, replaces),
    C_STR(R, note),        C_I64(R, reviewer_id), C_STR(R, decision_reason),
    C_STR(R, esid),        C_I64(R, created_at), C_I64(R, decided_at),
    C_GET_ONLY,            C_BLOB(R, picture),  C_END,
};
#undef R

static int c_app_create(es_store *st, struct es_store_app *a)
{
    if (!a->created_at) {
        a->created_at = (int64_t)time(NULL);
    }
    return run_write(st, S_APP_INSERT, &a->id, "iittiitttittiib", a->org_id, a->applicant_id,
                     a->kind, a->seal_name, a->seal_type, a->valid_days, a->status, a->replaces,
                     a->note, a->reviewer_id, a->decision_reason, a->esid, a->created_at,
                     a->decided_at, (const void *)a->picture, a->picture_len);
}

static int c_app_get(es_store *st, int64_t id, struct es_store_app *out)
{
    return get_row(st, S_APP_GET, app_cols, out, sizeof(*out), "i", id);
}

static int c_app_list(es_store *st, const struct es_store_filter *f, es_store_app_cb cb,
                      void *arg)
{
    int64_t org = f ? f->org_id : 0;
    const char *status = f && f->status ? f->status : "";
    LIST(st, S_APP_LIST, struct es_store_app, app_cols, cb, arg, "iitti", org, org, status,
         status, lim(f));
}

static int c_app_update(es_store *st, const struct es_store_app *a, const char *expected)
{
    return run_change(st, S_APP_UPDATE, ES_STORE_CONFLICT, "tititit", a->status, a->reviewer_id,
                      a->decision_reason, a->decided_at, a->esid, a->id, expected);
}

/* ---- seals ---- */

#define R struct es_store_seal
static const struct col seal_cols[] = {
    C_STR(R, esid),          C_I64(R, org_id),      C_I64(R, app_id),
    C_STR(R, name),          C_I64(R, type),        C_STR(R, status),
    C_I64(R, version),       C_STR(R, der_sm3),     C_STR(R, key_id),
    C_STR(R, reg_no),        C_I64(R, valid_start), C_I64(R, valid_end),
    C_I64(R, lost_at),       C_STR(R, cancel_reason), C_STR(R, replaces),
    C_STR(R, replaced_by),   C_I64(R, created_at),  C_I64(R, updated_at),
    C_GET_ONLY,              C_BLOB(R, der),        C_BLOB(R, cert),
    C_BLOB(R, reg_cert),     C_END,
};
#undef R

static int c_seal_create(es_store *st, const struct es_store_seal *s)
{
    if (!s->der || !s->der_len) {
        return es_store_fail(st, "a seal needs its DER");
    }
    int64_t now = (int64_t)time(NULL);
    return run_write(st, S_SEAL_INSERT, NULL, "tiitititttiiitttiibbb", s->esid, s->org_id,
                     s->app_id, s->name, s->type, s->status, (int64_t)1, s->der_sm3, s->key_id,
                     s->reg_no, s->valid_start, s->valid_end, s->lost_at, s->cancel_reason,
                     s->replaces, s->replaced_by, s->created_at ? s->created_at : now,
                     s->updated_at ? s->updated_at : now, (const void *)s->der, s->der_len,
                     (const void *)s->cert, s->cert_len, (const void *)s->reg_cert,
                     s->reg_cert_len);
}

static int c_seal_get(es_store *st, const char *esid, struct es_store_seal *out)
{
    return get_row(st, S_SEAL_GET, seal_cols, out, sizeof(*out), "t", esid);
}

static int c_seal_list(es_store *st, const struct es_store_filter *f, es_store_seal_cb cb,
                       void *arg)
{
    int64_t org = f ? f->org_id : 0;
    const char *status = f && f->status ? f->status : "";
    LIST(st, S_SEAL_LIST, struct es_store_seal, seal_cols, cb, arg, "iitti", org, org, status,
         status, lim(f));
}

static int c_seal_update(es_store *st, const struct es_store_seal *s)
{
    return run_change(st, S_SEAL_UPDATE, ES_STORE_CONFLICT, "tttittibti", s->status, s->key_id,
                      s->reg_no, s->lost_at, s->cancel_reason, s->replaced_by,
                      s->updated_at ? s->updated_at : (int64_t)time(NULL),
                      (const void *)s->reg_cert, s->reg_cert_len, s->esid, s->version);
}

/* ---- seal events ---- */

#define R struct es_store_event
static const struct col event_cols[] = {
    C_I64(R, id),        C_STR(R, esid),  C_STR(R, action), C_STR(R, from_status),
    C_STR(R, to_status), C_I64(R, actor_id), C_STR(R, actor), C_STR(R, reason),
    C_I64(R, at),        C_END,
};
#undef R

static int c_event_append(es_store *st, struct es_store_event *e)
{
    if (!e->at) {
        e->at = (int64_t)time(NULL);
    }
    return run_write(st, S_EVENT_INSERT, &e->id, "ttttitti", e->esid, e->action, e->from_status,
                     e->to_status, e->actor_id, e->actor, e->reason, e->at);
}

static int c_event_list(es_store *st, const char *esid, es_store_event_cb cb, void *arg)
{
    LIST(st, S_EVENT_LIST, struct es_store_event, event_cols, cb, arg, "t", esid);
}

/* ---- keys ---- */

static int c_key_put(es_store *st, const struct es_store_key *k)
{
    if (!k->wrapped || !k->wrapped_len) {
        return es_store_fail(st, "an empty key");
    }
    return run_write(st, S_KEY_INSERT, NULL, "titib", k->id, k->org_id, k->alg,
                     k->created_at ? k->created_at : (int64_t)time(NULL),
                     (const void *)k->wrapped, k->wrapped_len);
}

#define R struct es_store_key
static const struct col key_cols[] = {
    C_STR(R, id), C_I64(R, org_id), C_STR(R, alg), C_I64(R, created_at), C_BLOB(R, wrapped), C_END,
};
#undef R

static int c_key_get(es_store *st, const char *id, struct es_store_key *out)
{
    return get_row(st, S_KEY_GET, key_cols, out, sizeof(*out), "t", id);
}

/* ---- grants ---- */

#define R struct es_store_grant
static const struct col grant_cols[] = {
    C_I64(R, id),        C_STR(R, esid),      C_I64(R, user_id),
    C_I64(R, granted_by), C_I64(R, not_before), C_I64(R, not_after),
    C_STR(R, scope),     C_I64(R, revoked_at), C_I64(R, created_at),
    C_END,
};
#undef R

static int c_grant_create(es_store *st, struct es_store_grant *g)
{
    if (!g->created_at) {
        g->created_at = (int64_t)time(NULL);
    }
    g->revoked_at = 0;
    return run_write(st, S_GRANT_INSERT, &g->id, "tiiiiti", g->esid, g->user_id, g->granted_by,
                     g->not_before, g->not_after, g->scope, g->created_at);
}

static int c_grant_get(es_store *st, int64_t id, struct es_store_grant *out)
{
    return get_row(st, S_GRANT_GET, grant_cols, out, sizeof(*out), "i", id);
}

static int c_grant_list(es_store *st, const struct es_store_filter *f, es_store_grant_cb cb,
                        void *arg)
{
    const char *esid = f && f->esid ? f->esid : "";
    int64_t user = f ? f->user_id : 0;
    LIST(st, S_GRANT_LIST, struct es_store_grant, grant_cols, cb, arg, "ttiii", esid, esid, user,
         user, lim(f));
}

static int c_grant_revoke(es_store *st, int64_t id, int64_t at)
{
    return run_change(st, S_GRANT_REVOKE, ES_STORE_NOTFOUND, "ii", at ? at : (int64_t)time(NULL),
                      id);
}

/* ---- usage log ---- */

#define R struct es_store_usage
static const struct col usage_cols[] = {
    C_I64(R, id),      C_STR(R, esid),     C_I64(R, user_id),  C_STR(R, username),
    C_I64(R, org_id),  C_I64(R, at),       C_STR(R, doc_sm3),  C_STR(R, doc_name),
    C_STR(R, result),  C_STR(R, detail),   C_END,
};
#undef R

static int c_usage_append(es_store *st, struct es_store_usage *u)
{
    if (!u->at) {
        u->at = (int64_t)time(NULL);
    }
    return run_write(st, S_USAGE_INSERT, &u->id, "titiittt" "t", u->esid, u->user_id,
                     u->username, u->org_id, u->at, u->doc_sm3, u->doc_name, u->result,
                     u->detail);
}

static int c_usage_list(es_store *st, const struct es_store_filter *f, es_store_usage_cb cb,
                        void *arg)
{
    int64_t org = f ? f->org_id : 0;
    int64_t user = f ? f->user_id : 0;
    const char *esid = f && f->esid ? f->esid : "";
    LIST(st, S_USAGE_LIST, struct es_store_usage, usage_cols, cb, arg, "iittiiii", org, org, esid,
         esid, user, user, f ? f->since : 0, lim(f));
}

/* ---- audit chain ---- */

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

void es_store_audit_hash(es_store_hash_fn hash, const struct es_store_audit *e, uint8_t out[32])
{
    const char *fields[4] = {e->actor, e->action, e->object, e->detail};
    size_t lens[4];
    size_t total = 32 + 16;
    for (int i = 0; i < 4; i++) {
        lens[i] = strnlen(fields[i], 1024);
        total += 4 + lens[i];
    }
    uint8_t stackbuf[2048 + 512];
    uint8_t *buf = stackbuf;
    if (total > sizeof(stackbuf)) {
        memset(out, 0, 32);
        return; /* cannot happen: the fields are bounded */
    }
    size_t n = 0;
    memcpy(buf, e->prev_hash, 32);
    n += 32;
    put_u64(buf + n, (uint64_t)e->seq);
    n += 8;
    put_u64(buf + n, (uint64_t)e->at);
    n += 8;
    for (int i = 0; i < 4; i++) {
        uint32_t l = (uint32_t)lens[i];
        buf[n++] = (uint8_t)(l >> 24);
        buf[n++] = (uint8_t)(l >> 16);
        buf[n++] = (uint8_t)(l >> 8);
        buf[n++] = (uint8_t)l;
        memcpy(buf + n, fields[i], lens[i]);
        n += lens[i];
    }
    hash(buf, n, out);
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int from_hex(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n) {
        return -1;
    }
    for (size_t i = 0; i < 2 * n; i++) {
        int c = s[i], v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else {
            return -1;
        }
        if (i % 2 == 0) {
            out[i / 2] = (uint8_t)(v << 4);
        } else {
            out[i / 2] |= (uint8_t)v;
        }
    }
    return 0;
}

#define R struct es_store_audit
static const struct col audit_cols[] = {
    C_I64(R, seq),    C_I64(R, at),     C_STR(R, actor),        C_STR(R, action),
    C_STR(R, object), C_STR(R, detail), C_HEX32(R, prev_hash), C_HEX32(R, hash),
    C_END,
};
#undef R

static int audit_append_tx(es_store *st, struct es_store_audit *e)
{
    int rc = run_lock(st, S_AUDIT_LOCK);
    if (rc != ES_STORE_OK) {
        return rc;
    }
    int64_t last = 0;
    memset(e->prev_hash, 0, 32);
    rc = run(st, S_AUDIT_LAST, "");
    if (rc == ES_SQL_ROW) {
        last = st->sql->col_i64(st, S_AUDIT_LAST, 0);
        if (from_hex(st->sql->col_text(st, S_AUDIT_LAST, 1), e->prev_hash, 32) != 0) {
            st->sql->reset(st, S_AUDIT_LAST);
            return es_store_fail(st, "the audit log's last hash is malformed");
        }
        rc = ES_SQL_DONE;
    }
    st->sql->reset(st, S_AUDIT_LAST);
    if (rc != ES_SQL_DONE) {
        return rc;
    }
    e->seq = last + 1;
    if (!e->at) {
        e->at = (int64_t)time(NULL);
    }
    es_store_audit_hash(st->hash, e, e->hash);
    char ph[65], h[65];
    to_hex(e->prev_hash, 32, ph);
    to_hex(e->hash, 32, h);
    return run_write(st, S_AUDIT_INSERT, NULL, "iitttttt", e->seq, e->at, e->actor, e->action,
                     e->object, e->detail, ph, h);
}

static int c_audit_append(es_store *st, struct es_store_audit *e)
{
    if (!st->hash) {
        return es_store_fail(st, "no hash function was given for the audit chain");
    }
    if (st->in_tx) {
        return audit_append_tx(st, e);
    }
    int rc = c_begin(st);
    if (rc != ES_STORE_OK) {
        return rc;
    }
    rc = audit_append_tx(st, e);
    if (rc == ES_STORE_OK) {
        return c_commit(st);
    }
    return rollback_keep_error(st, rc);
}

static int c_audit_list(es_store *st, const struct es_store_filter *f, es_store_audit_cb cb,
                        void *arg)
{
    LIST(st, S_AUDIT_LIST, struct es_store_audit, audit_cols, cb, arg, "ii", f ? f->since : 0,
         lim(f));
}

struct verify_state {
    es_store_hash_fn hash;
    uint8_t prev[32];
    int64_t expect_seq;
    int64_t count;
    int64_t bad;
};

static int verify_row(void *arg, const struct es_store_audit *row)
{
    struct verify_state *v = arg;
    uint8_t h[32];
    v->count++;
    if (row->seq != v->expect_seq || memcmp(row->prev_hash, v->prev, 32) != 0) {
        v->bad = row->seq ? row->seq : -1;
        return 1;
    }
    es_store_audit_hash(v->hash, row, h);
    if (memcmp(h, row->hash, 32) != 0) {
        v->bad = row->seq;
        return 1;
    }
    memcpy(v->prev, row->hash, 32);
    v->expect_seq++;
    return 0;
}

int es_store_audit_verify(es_store *st, int64_t *out_count, int64_t *out_bad_seq)
{
    struct verify_state v = {.hash = st->hash, .expect_seq = 1};
    *out_count = 0;
    *out_bad_seq = 0;
    if (!st->hash) {
        return es_store_fail(st, "no hash function was given for the audit chain");
    }
    /* in pages, so that memory stays bounded on a long log */
    for (;;) {
        int64_t before = v.count;
        struct es_store_filter f = {.since = v.expect_seq, .limit = 1000};
        int rc = st->vtable->audit_list(st, &f, verify_row, &v);
        if (rc != ES_STORE_OK) {
            return rc;
        }
        if (v.bad || v.count - before < 1000) {
            break;
        }
    }
    *out_count = v.count;
    *out_bad_seq = v.bad;
    return ES_STORE_OK;
}

/* ---- the transparency log ---- */

#define R struct es_store_tlog
static const struct col tlog_cols[] = {
    C_I64(R, leaf_index), C_STR(R, esid),      C_STR(R, event),
    C_TEXT(R, entry),     C_STR(R, leaf_hash), C_I64(R, at),
    C_END,
};
#undef R

/* A one-row query of integers into out[0..n-1]. */
static int query_ints(es_store *st, int id, int64_t *out, int n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = bindv(st, id, fmt, ap);
    va_end(ap);
    if (rc == ES_STORE_OK) {
        rc = st->sql->step(st, id);
    }
    if (rc == ES_SQL_ROW) {
        for (int i = 0; i < n; i++) {
            out[i] = st->sql->col_i64(st, id, i);
        }
        rc = ES_STORE_OK;
    } else if (rc == ES_SQL_DONE) {
        rc = es_store_fail(st, "an aggregate query gave no row");
    }
    st->sql->reset(st, id);
    return rc;
}

static int c_tlog_size(es_store *st, int64_t *out)
{
    return query_ints(st, S_TLOG_SIZE, out, 1, "");
}

static int c_tlog_next(es_store *st, int64_t *out_index)
{
    if (!st->in_tx) {
        return es_store_fail(st, "a log append needs an open transaction");
    }
    int rc = run_lock(st, S_TLOG_LOCK);
    if (rc != ES_STORE_OK) {
        return rc;
    }
    return c_tlog_size(st, out_index);
}

static int c_tlog_insert(es_store *st, const struct es_store_tlog *e)
{
    return run_write(st, S_TLOG_INSERT, NULL, "itttti", e->leaf_index, e->esid, e->event,
                     e->entry, e->leaf_hash, e->at);
}

static int c_tlog_range(es_store *st, int64_t start, int64_t end, es_store_tlog_cb cb, void *arg)
{
    LIST(st, S_TLOG_RANGE, struct es_store_tlog, tlog_cols, cb, arg, "ii", start, end);
}

static int c_tlog_last_for(es_store *st, const char *esid, es_store_tlog_cb cb, void *arg)
{
    struct es_store_tlog t;
    memset(&t, 0, sizeof(t));
    int rc = run(st, S_TLOG_LAST_FOR, "t", esid);
    if (rc == ES_SQL_ROW) {
        /* the entry is borrowed from the statement: the callback runs before the reset */
        (void)read_row(st, S_TLOG_LAST_FOR, tlog_cols, &t, true);
        cb(arg, &t);
        rc = ES_STORE_OK;
    } else if (rc == ES_SQL_DONE) {
        rc = ES_STORE_NOTFOUND;
    }
    st->sql->reset(st, S_TLOG_LAST_FOR);
    return rc;
}

/* ---- federation: outbox, inbox, foreign seals, peers ---- */

#define R struct es_store_outbox
static const struct col outbox_cols[] = {
    C_I64(R, seq),      C_STR(R, esid),    C_TEXT(R, body),       C_I64(R, created_at),
    C_I64(R, attempts), C_I64(R, next_at), C_STR(R, last_error), C_I64(R, delivered_at),
    C_END,
};
#undef R

static int c_outbox_put(es_store *st, const struct es_store_outbox *o)
{
    return run_write(st, S_OUTBOX_INSERT, NULL, "ittiiiti", o->seq, o->esid, o->body,
                     o->created_at ? o->created_at : (int64_t)time(NULL), o->attempts,
                     o->next_at, o->last_error, o->delivered_at);
}

static int c_outbox_pending(es_store *st, int64_t limit, es_store_outbox_cb cb, void *arg)
{
    LIST(st, S_OUTBOX_PENDING, struct es_store_outbox, outbox_cols, cb, arg, "i",
         limit > 0 ? limit : 100);
}

static int c_outbox_mark(es_store *st, const struct es_store_outbox *o)
{
    return run_change(st, S_OUTBOX_MARK, ES_STORE_NOTFOUND, "iitii", o->attempts, o->next_at,
                      o->last_error, o->delivered_at, o->seq);
}

static int c_outbox_stats(es_store *st, int64_t *out_total, int64_t *out_pending)
{
    int64_t v[2] = {0, 0};
    int rc = query_ints(st, S_OUTBOX_STATS, v, 2, "");
    *out_total = v[0];
    *out_pending = v[1];
    return rc;
}

static int c_inbox_put(es_store *st, const struct es_store_inbox *e)
{
    return run_write(st, S_INBOX_INSERT, NULL, "titttiiti", e->origin, e->seq, e->esid, e->event,
                     e->status, e->at, e->received_at ? e->received_at : (int64_t)time(NULL),
                     e->leaf_hash, e->proven);
}

#define R struct es_store_inbox
static const struct col inbox_cols[] = {
    C_STR(R, origin),    C_I64(R, seq),   C_STR(R, esid),        C_STR(R, event),
    C_STR(R, status),    C_I64(R, at),    C_I64(R, received_at), C_STR(R, leaf_hash),
    C_I64(R, proven),    C_END,
};
#undef R

static int c_inbox_unproven(es_store *st, const char *origin, int64_t max_seq, int64_t limit,
                            es_store_inbox_cb cb, void *arg)
{
    LIST(st, S_INBOX_UNPROVEN, struct es_store_inbox, inbox_cols, cb, arg, "tii", origin,
         max_seq, limit > 0 ? limit : 100);
}

static int c_inbox_get(es_store *st, const char *origin, int64_t seq,
                       struct es_store_inbox *out)
{
    return get_row(st, S_INBOX_GET, inbox_cols, out, sizeof(*out), "ti", origin, seq);
}

static int c_inbox_proven(es_store *st, const char *origin, int64_t seq)
{
    return run_change(st, S_INBOX_PROVEN, ES_STORE_NOTFOUND, "ti", origin, seq);
}

static int c_inbox_count(es_store *st, const char *origin, int64_t *out_count,
                         int64_t *out_max_seq)
{
    int64_t v[2] = {0, 0};
    int rc = query_ints(st, S_INBOX_COUNT, v, 2, "t", origin);
    *out_count = v[0];
    *out_max_seq = v[1];
    return rc;
}

static int c_remote_put(es_store *st, const struct es_store_remote *r)
{
    return run_change(st, S_REMOTE_UPSERT, ES_STORE_CONFLICT, "ttittii", r->esid, r->owner, r->seq,
                      r->status, r->answer, r->next_update,
                      r->updated_at ? r->updated_at : (int64_t)time(NULL));
}

#define R struct es_store_remote
static const struct col remote_cols[] = {
    C_STR(R, esid),        C_STR(R, owner),      C_I64(R, seq),        C_STR(R, status),
    C_DUP(R, answer),      C_I64(R, next_update), C_I64(R, updated_at), C_END,
};
#undef R

static int c_remote_get(es_store *st, const char *esid, struct es_store_remote *out)
{
    return get_row(st, S_REMOTE_GET, remote_cols, out, sizeof(*out), "t", esid);
}

#define R struct es_store_peer
static const struct col peer_cols[] = {
    C_STR(R, node),       C_TEXT(R, sth),  C_I64(R, tree_size), C_STR(R, root_hash),
    C_I64(R, checked_at), C_TEXT(R, alarm), C_I64(R, alarm_at), C_END,
};
#undef R

static int c_peer_put(es_store *st, const struct es_store_peer *p)
{
    return run_write(st, S_PEER_UPSERT, NULL, "ttititi", p->node, p->sth, p->tree_size,
                     p->root_hash, p->checked_at, p->alarm, p->alarm_at);
}

static int c_peer_list(es_store *st, es_store_peer_cb cb, void *arg)
{
    LIST(st, S_PEER_LIST, struct es_store_peer, peer_cols, cb, arg, "");
}

/* ---- row clean-up ---- */

void es_store_app_clear(struct es_store_app *a)
{
    free(a->picture);
    a->picture = NULL;
    a->picture_len = 0;
}

void es_store_seal_clear(struct es_store_seal *s)
{
    free(s->der);
    free(s->cert);
    free(s->reg_cert);
    s->der = s->cert = s->reg_cert = NULL;
    s->der_len = s->cert_len = s->reg_cert_len = 0;
}

void es_store_remote_clear(struct es_store_remote *r)
{
    free(r->answer);
    r->answer = NULL;
}

void es_store_key_clear(struct es_store_key *k)
{
    if (k->wrapped) {
        volatile uint8_t *p = k->wrapped;
        for (size_t i = 0; i < k->wrapped_len; i++) {
            p[i] = 0;
        }
    }
    free(k->wrapped);
    k->wrapped = NULL;
    k->wrapped_len = 0;
}

/* ---- migrations and statements ---- */

/* Replaces the type tokens of a migration for this backend. malloc'd. */
static char *subst(const struct es_sql_ops *q, const char *sql)
{
    static const char *tok[3] = {"@ID@", "@BIGINT@", "@BLOB@"};
    const char *rep[3] = {q->type_id, q->type_bigint, q->type_blob};
    size_t maxrep = 0, ats = 0;
    for (int i = 0; i < 3; i++) {
        size_t l = strlen(rep[i]);
        maxrep = l > maxrep ? l : maxrep;
    }
    for (const char *p = sql; *p; p++) {
        ats += *p == '@';
    }
    size_t cap = strlen(sql) + ats * maxrep + 1;
    char *out = malloc(cap);
    if (!out) {
        return NULL;
    }
    size_t n = 0;
    for (const char *p = sql; *p;) {
        int hit = -1;
        for (int i = 0; i < 3; i++) {
            if (strncmp(p, tok[i], strlen(tok[i])) == 0) {
                hit = i;
                break;
            }
        }
        if (hit >= 0) {
            size_t l = strlen(rep[hit]);
            memcpy(out + n, rep[hit], l);
            n += l;
            p += strlen(tok[hit]);
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

static int migrate(es_store *st)
{
    const struct es_sql_ops *q = st->sql;
    /* one node at a time: the lock is taken before the table is looked at */
    int rc = c_begin(st);
    if (rc != ES_STORE_OK) {
        return rc;
    }
    if (q->migration_lock_sql) {
        rc = q->exec(st, q->migration_lock_sql);
    }
    if (rc == ES_STORE_OK) {
        rc = q->exec(st, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY "
                         "KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    }
    int64_t have = 0;
    if (rc == ES_STORE_OK) {
        rc = q->query_i64(st, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &have);
    }
    for (size_t i = 0; rc == ES_STORE_OK && i < es_store_migrations_count; i++) {
        const struct es_embedded_file *m = &es_store_migrations[i];
        int64_t ver = strtoll(m->name, NULL, 10);
        if (ver <= have) {
            continue;
        }
        char *sql = subst(q, (const char *)m->data);
        if (!sql) {
            rc = es_store_fail(st, "out of memory");
            break;
        }
        rc = q->exec(st, sql);
        free(sql);
        if (rc != ES_STORE_OK) {
            char keep[sizeof(st->err)];
            memcpy(keep, st->err, sizeof(keep));
            es_store_fail(st, "migration %.64s: %.400s", m->name, keep);
            break;
        }
        /* the name is our own file name: digits, letters, '_' and '.' only */
        char ins[256];
        for (const char *c = m->name; *c; c++) {
            if (!(*c == '_' || *c == '.' || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z'))) {
                rc = es_store_fail(st, "bad migration name %s", m->name);
                break;
            }
        }
        if (rc != ES_STORE_OK) {
            break;
        }
        snprintf(ins, sizeof(ins),
                 "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%lld, '%s', "
                 "%lld)",
                 (long long)ver, m->name, (long long)time(NULL));
        rc = q->exec(st, ins);
    }
    if (rc == ES_STORE_OK) {
        return c_commit(st);
    }
    return rollback_keep_error(st, rc);
}

int es_store_setup(es_store *st)
{
    int rc = migrate(st);
    for (int i = 0; rc == ES_STORE_OK && i < S_COUNT_; i++) {
        const char *sql = st->sql->overrides && st->sql->overrides[i] ? st->sql->overrides[i]
                                                                        : sql_text[i];
        rc = st->sql->prepare(st, i, sql);
    }
    return rc;
}

int64_t es_store_latest_version(void)
{
    int64_t v = 0;
    for (size_t i = 0; i < es_store_migrations_count; i++) {
        int64_t x = strtoll(es_store_migrations[i].name, NULL, 10);
        v = x > v ? x : v;
    }
    return v;
}

const struct es_store_ops es_store_common_ops = {
    .name = "common",
    .close = NULL,
    .begin = c_begin,
    .commit = c_commit,
    .rollback = c_rollback,
    .schema_version = c_schema_version,
    .org_create = c_org_create,
    .org_get = c_org_get,
    .org_list = c_org_list,
    .user_create = c_user_create,
    .user_get = c_user_get,
    .user_get_by_name = c_user_get_by_name,
    .user_list = c_user_list,
    .session_create = c_session_create,
    .session_get = c_session_get,
    .session_delete = c_session_delete,
    .session_purge = c_session_purge,
    .app_create = c_app_create,
    .app_get = c_app_get,
    .app_list = c_app_list,
    .app_update = c_app_update,
    .seal_create = c_seal_create,
    .seal_get = c_seal_get,
    .seal_list = c_seal_list,
    .seal_update = c_seal_update,
    .event_append = c_event_append,
    .event_list = c_event_list,
    .key_put = c_key_put,
    .key_get = c_key_get,
    .grant_create = c_grant_create,
    .grant_get = c_grant_get,
    .grant_list = c_grant_list,
    .grant_revoke = c_grant_revoke,
    .usage_append = c_usage_append,
    .usage_list = c_usage_list,
    .audit_append = c_audit_append,
    .audit_list = c_audit_list,
    .tlog_next = c_tlog_next,
    .tlog_insert = c_tlog_insert,
    .tlog_size = c_tlog_size,
    .tlog_range = c_tlog_range,
    .tlog_last_for = c_tlog_last_for,
    .outbox_put = c_outbox_put,
    .outbox_pending = c_outbox_pending,
    .outbox_mark = c_outbox_mark,
    .outbox_stats = c_outbox_stats,
    .inbox_put = c_inbox_put,
    .inbox_count = c_inbox_count,
    .inbox_unproven = c_inbox_unproven,
    .inbox_proven = c_inbox_proven,
    .inbox_get = c_inbox_get,
    .remote_put = c_remote_put,
    .remote_get = c_remote_get,
    .peer_put = c_peer_put,
    .peer_list = c_peer_list,
};

/* ---- opening ---- */

int es_store_open(const char *url, const es_store_opts *opts, es_store **out, char *err,
                  size_t err_len)
{
    *out = NULL;
    int rc;
    if (!url) {
        url = "";
    }
    if (strncmp(url, "sqlite:", 7) == 0) {
        rc = es_store_sqlite_open(url + 7, out, err, err_len);
    } else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        rc = es_store_pg_open(url, out, err, err_len);
    } else {
        snprintf(err, err_len, "unknown database URL \"%.64s\": use sqlite:PATH or "
                 "postgresql://...", url);
        return ES_STORE_ERR;
    }
    if (rc != ES_STORE_OK) {
        return rc;
    }
    (*out)->hash = opts ? opts->hash : NULL;
    return ES_STORE_OK;
}

void es_store_close(es_store *st)
{
    if (st) {
        if (st->in_tx) {
            c_rollback(st);
        }
        st->vtable->close(st);
    }
}

const char *es_store_errmsg(const es_store *st)
{
    return st ? st->err : "no store";
}

const char *es_store_backend(const es_store *st)
{
    return st->vtable->name;
}
