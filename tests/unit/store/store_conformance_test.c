/*
 * tests/unit/store/store_conformance_test.c - one conformance suite for
 * every es_store backend (SQLite's permutations): the same checks run on a
 * SQLite file and on a throwaway PostgreSQL cluster that the test starts
 * itself (initdb + pg_ctl in a temporary directory, on a free loopback port,
 * fsync off) and stops at the end.
 *
 * Exit 77 (skipped) only when the PostgreSQL server binaries are absent and
 * everything that could run passed.
 */
#include <dirent.h>
#include <glob.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eseal/eseal.h"
#include "store.h"
#include "testlib.h"

static void sm3_fn(const void *p, size_t n, uint8_t out[32])
{
    es_sm3(p, n, out);
}

static const es_store_opts OPTS = {.hash = sm3_fn};

/* The URL under test, and how to tamper with its audit log behind the
 * store's back (for the chain check). */
static char g_url[1024];
static void (*g_tamper)(const char *sql);

static es_store *open_store(void)
{
    es_store *st = NULL;
    char err[512] = "";
    int rc = es_store_open(g_url, &OPTS, &st, err, sizeof(err));
    if (rc != ES_STORE_OK) {
        fail_msg("open %s: %s", g_url, err);
    }
    return st;
}

/* ---- callbacks collecting list rows ---- */
struct collect {
    int n;
    char names[16][256];
    int64_t ids[16];
};

/* Counts a row and keeps its name (unless NULL) and id in the first 16. */
static void collect_add(void *arg, const char *name, int64_t id)
{
    struct collect *c = arg;
    if (c->n < 16) {
        if (name) {
            snprintf(c->names[c->n], 256, "%s", name);
        }
        c->ids[c->n] = id;
    }
    c->n++;
}

static int org_cb(void *arg, const struct es_store_org *row)
{
    collect_add(arg, row->name, row->id);
    return 0;
}

static int user_cb(void *arg, const struct es_store_user *row)
{
    collect_add(arg, row->username, row->id);
    return 0;
}

static int app_cb(void *arg, const struct es_store_app *row)
{
    assert_null(row->picture); /* lists carry no blobs */
    collect_add(arg, NULL, row->id);
    return 0;
}

static int seal_cb(void *arg, const struct es_store_seal *row)
{
    assert_null(row->der);
    collect_add(arg, row->esid, 0);
    return 0;
}

static int event_cb(void *arg, const struct es_store_event *row)
{
    collect_add(arg, row->action, row->id);
    return 0;
}

static int grant_cb(void *arg, const struct es_store_grant *row)
{
    collect_add(arg, NULL, row->id);
    return 0;
}

static int usage_cb(void *arg, const struct es_store_usage *row)
{
    collect_add(arg, row->result, row->id);
    return 0;
}

static int stop_after_one(void *arg, const struct es_store_org *row)
{
    (void)row;
    (*(int *)arg)++;
    return 1;
}

/* ---- the suite ---- */

static void check_schema(es_store *st)
{
    int64_t v = 0;
    assert_int_equal(ES_STORE_CALL(st, schema_version, &v), ES_STORE_OK);
    assert_int_equal(v, es_store_latest_version());
    assert_true(v >= 2);
}

static int64_t mk_org(es_store *st, const char *name)
{
    struct es_store_org o = {0};
    assert_int_equal(ES_STORE_SET(o.name, name), 0);
    assert_int_equal(ES_STORE_SET(o.code, "91110000MA00000000"), 0);
    assert_int_equal(ES_STORE_CALL(st, org_create, &o), ES_STORE_OK);
    assert_true(o.id > 0);
    return o.id;
}

static int64_t mk_user(es_store *st, const char *name, const char *role, int64_t org)
{
    struct es_store_user u = {0};
    ES_STORE_SET(u.username, name);
    ES_STORE_SET(u.role, role);
    ES_STORE_SET(u.pw_hash, "pbkdf2$1$00$00");
    ES_STORE_SET(u.display, "显示名");
    u.org_id = org;
    assert_int_equal(ES_STORE_CALL(st, user_create, &u), ES_STORE_OK);
    assert_true(u.id > 0);
    return u.id;
}

static void mk_seal(es_store *st, const char *esid, int64_t org)
{
    static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x00, 0xff, 0x00, 0x80};
    struct es_store_seal s = {0};
    ES_STORE_SET(s.esid, esid);
    ES_STORE_SET(s.name, "示例科技有限公司合同专用章");
    ES_STORE_SET(s.status, "made");
    ES_STORE_SET(s.der_sm3, "ab");
    ES_STORE_SET(s.key_id, "k1");
    s.org_id = org;
    s.type = 1;
    s.valid_start = 1000;
    s.valid_end = 2000;
    s.der = (uint8_t *)der;
    s.der_len = sizeof(der);
    s.cert = (uint8_t *)der;
    s.cert_len = 3;
    assert_int_equal(ES_STORE_CALL(st, seal_create, &s), ES_STORE_OK);
}

static void suite_orgs_users(es_store *st)
{
    int64_t org = mk_org(st, "示例科技有限公司");
    int64_t org2 = mk_org(st, "Other Org");
    struct es_store_org o;
    assert_int_equal(ES_STORE_CALL(st, org_get, org, &o), ES_STORE_OK);
    assert_string_equal(o.name, "示例科技有限公司");
    assert_true(o.created_at > 0);
    assert_int_equal(ES_STORE_CALL(st, org_get, 987654, &o), ES_STORE_NOTFOUND);
    struct es_store_org dup = {0};
    ES_STORE_SET(dup.name, "Other Org");
    assert_int_equal(ES_STORE_CALL(st, org_create, &dup), ES_STORE_CONFLICT);
    struct collect c = {0};
    assert_int_equal(ES_STORE_CALL(st, org_list, org_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.ids[0], org);
    int stopped = 0;
    assert_int_equal(ES_STORE_CALL(st, org_list, stop_after_one, &stopped), ES_STORE_OK);
    assert_int_equal(stopped, 1);

    mk_user(st, "admin", "admin", 0);
    int64_t u1 = mk_user(st, "alice", "org_admin", org);
    mk_user(st, "bob", "user", org);
    mk_user(st, "carol", "user", org2);
    struct es_store_user u = {0};
    ES_STORE_SET(u.username, "alice");
    ES_STORE_SET(u.role, "user");
    ES_STORE_SET(u.pw_hash, "x");
    assert_int_equal(ES_STORE_CALL(st, user_create, &u), ES_STORE_CONFLICT);
    /* a foreign key to no organisation */
    memset(&u, 0, sizeof(u));
    ES_STORE_SET(u.username, "dave");
    ES_STORE_SET(u.role, "user");
    ES_STORE_SET(u.pw_hash, "x");
    u.org_id = 999999;
    assert_int_equal(ES_STORE_CALL(st, user_create, &u), ES_STORE_CONFLICT);
    assert_int_equal(ES_STORE_CALL(st, user_get_by_name, "alice", &u), ES_STORE_OK);
    assert_int_equal(u.id, u1);
    assert_int_equal(u.org_id, org);
    assert_string_equal(u.role, "org_admin");
    assert_string_equal(u.display, "显示名");
    assert_int_equal(ES_STORE_CALL(st, user_get_by_name, "admin", &u), ES_STORE_OK);
    assert_int_equal(u.org_id, 0);
    assert_int_equal(ES_STORE_CALL(st, user_get_by_name, "nobody", &u), ES_STORE_NOTFOUND);
    assert_int_equal(ES_STORE_CALL(st, user_get, u1, &u), ES_STORE_OK);
    assert_string_equal(u.username, "alice");
    memset(&c, 0, sizeof(c));
    struct es_store_filter f = {.org_id = org};
    assert_int_equal(ES_STORE_CALL(st, user_list, &f, user_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 2);
    memset(&c, 0, sizeof(c));
    assert_int_equal(ES_STORE_CALL(st, user_list, NULL, user_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 4);

    /* sessions */
    struct es_store_session s = {.user_id = u1, .created_at = 10, .expires_at = 100};
    ES_STORE_SET(s.token_hash, "deadbeef");
    assert_int_equal(ES_STORE_CALL(st, session_create, &s), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, session_create, &s), ES_STORE_CONFLICT);
    struct es_store_session s2;
    assert_int_equal(ES_STORE_CALL(st, session_get, "deadbeef", &s2), ES_STORE_OK);
    assert_int_equal(s2.user_id, u1);
    assert_int_equal(s2.expires_at, 100);
    assert_int_equal(ES_STORE_CALL(st, session_purge, 50), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, session_get, "deadbeef", &s2), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, session_purge, 101), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, session_get, "deadbeef", &s2), ES_STORE_NOTFOUND);
    assert_int_equal(ES_STORE_CALL(st, session_create, &s), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, session_delete, "deadbeef"), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, session_delete, "deadbeef"), ES_STORE_NOTFOUND);
}

static void suite_apps(es_store *st)
{
    struct es_store_user alice;
    assert_int_equal(ES_STORE_CALL(st, user_get_by_name, "alice", &alice), ES_STORE_OK);
    uint8_t pic[300];
    for (size_t i = 0; i < sizeof(pic); i++) {
        pic[i] = (uint8_t)(i * 7);
    }
    struct es_store_app a = {.org_id = alice.org_id, .applicant_id = alice.id, .seal_type = 1,
                             .valid_days = 365, .picture = pic, .picture_len = sizeof(pic)};
    ES_STORE_SET(a.kind, "new");
    ES_STORE_SET(a.seal_name, "合同专用章");
    ES_STORE_SET(a.status, "applied");
    ES_STORE_SET(a.note, "note");
    assert_int_equal(ES_STORE_CALL(st, app_create, &a), ES_STORE_OK);
    int64_t id1 = a.id;
    a.picture = NULL;
    a.picture_len = 0;
    assert_int_equal(ES_STORE_CALL(st, app_create, &a), ES_STORE_OK);
    int64_t id2 = a.id;
    assert_true(id2 > id1);

    struct es_store_app g;
    assert_int_equal(ES_STORE_CALL(st, app_get, id1, &g), ES_STORE_OK);
    assert_int_equal(g.picture_len, sizeof(pic));
    assert_memory_equal(g.picture, pic, sizeof(pic));
    assert_string_equal(g.seal_name, "合同专用章");
    assert_string_equal(g.status, "applied");
    es_store_app_clear(&g);
    assert_int_equal(ES_STORE_CALL(st, app_get, id2, &g), ES_STORE_OK);
    assert_null(g.picture);
    /* decide: applied -> approved; a second decision on the same row loses */
    ES_STORE_SET(g.status, "approved");
    g.reviewer_id = 1;
    g.decided_at = 77;
    ES_STORE_SET(g.decision_reason, "ok");
    assert_int_equal(ES_STORE_CALL(st, app_update, &g, "applied"), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, app_update, &g, "applied"), ES_STORE_CONFLICT);
    es_store_app_clear(&g);
    assert_int_equal(ES_STORE_CALL(st, app_get, id2, &g), ES_STORE_OK);
    assert_string_equal(g.status, "approved");
    assert_int_equal(g.decided_at, 77);
    assert_int_equal(ES_STORE_CALL(st, app_get, 123456, &g), ES_STORE_NOTFOUND);

    struct collect c = {0};
    struct es_store_filter f = {.org_id = alice.org_id, .status = "applied"};
    assert_int_equal(ES_STORE_CALL(st, app_list, &f, app_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.ids[0], id1);
    memset(&c, 0, sizeof(c));
    assert_int_equal(ES_STORE_CALL(st, app_list, NULL, app_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.ids[0], id2); /* newest first */
    memset(&c, 0, sizeof(c));
    f.org_id = alice.org_id + 1000;
    f.status = NULL;
    assert_int_equal(ES_STORE_CALL(st, app_list, &f, app_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 0);
}

static void suite_seals(es_store *st)
{
    struct es_store_user alice;
    assert_int_equal(ES_STORE_CALL(st, user_get_by_name, "alice", &alice), ES_STORE_OK);
    mk_seal(st, "ESID-0001", alice.org_id);
    mk_seal(st, "ESID-0002", alice.org_id);
    struct es_store_seal s;
    assert_int_equal(ES_STORE_CALL(st, seal_get, "ESID-0001", &s), ES_STORE_OK);
    assert_int_equal(s.der_len, 8);
    assert_int_equal(s.der[5], 0xff);
    assert_int_equal(s.der[6], 0x00);
    assert_int_equal(s.cert_len, 3);
    assert_null(s.reg_cert);
    assert_int_equal(s.version, 1);
    assert_string_equal(s.status, "made");
    assert_string_equal(s.name, "示例科技有限公司合同专用章");
    assert_int_equal(s.valid_end, 2000);

    /* duplicate esid, unknown organisation */
    struct es_store_seal d = s;
    assert_int_equal(ES_STORE_CALL(st, seal_create, &d), ES_STORE_CONFLICT);
    ES_STORE_SET(d.esid, "ESID-FK");
    d.org_id = 424242;
    assert_int_equal(ES_STORE_CALL(st, seal_create, &d), ES_STORE_CONFLICT);

    /* optimistic update */
    ES_STORE_SET(s.status, "registered");
    ES_STORE_SET(s.reg_no, "REG-1");
    uint8_t rc[4] = {1, 2, 0, 4};
    free(s.reg_cert);
    s.reg_cert = malloc(4);
    memcpy(s.reg_cert, rc, 4);
    s.reg_cert_len = 4;
    assert_int_equal(ES_STORE_CALL(st, seal_update, &s), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, seal_update, &s), ES_STORE_CONFLICT); /* stale version */
    es_store_seal_clear(&s);
    assert_int_equal(ES_STORE_CALL(st, seal_get, "ESID-0001", &s), ES_STORE_OK);
    assert_int_equal(s.version, 2);
    assert_string_equal(s.status, "registered");
    assert_string_equal(s.reg_no, "REG-1");
    assert_int_equal(s.reg_cert_len, 4);
    assert_memory_equal(s.reg_cert, rc, 4);
    assert_int_equal(s.der_len, 8); /* untouched */
    es_store_seal_clear(&s);
    assert_int_equal(ES_STORE_CALL(st, seal_get, "nope", &s), ES_STORE_NOTFOUND);

    struct collect c = {0};
    struct es_store_filter f = {.org_id = alice.org_id};
    assert_int_equal(ES_STORE_CALL(st, seal_list, &f, seal_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 2);
    memset(&c, 0, sizeof(c));
    f.status = "registered";
    assert_int_equal(ES_STORE_CALL(st, seal_list, &f, seal_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.names[0], "ESID-0001");

    /* events */
    const char *actions[3] = {"make", "register", "activate"};
    for (int i = 0; i < 3; i++) {
        struct es_store_event e = {.actor_id = alice.id};
        ES_STORE_SET(e.esid, "ESID-0001");
        ES_STORE_SET(e.action, actions[i]);
        ES_STORE_SET(e.to_status, "x");
        ES_STORE_SET(e.actor, "alice");
        assert_int_equal(ES_STORE_CALL(st, event_append, &e), ES_STORE_OK);
        assert_true(e.id > 0);
    }
    struct es_store_event bad = {0};
    ES_STORE_SET(bad.esid, "no-such-seal");
    ES_STORE_SET(bad.action, "x");
    ES_STORE_SET(bad.to_status, "x");
    assert_int_equal(ES_STORE_CALL(st, event_append, &bad), ES_STORE_CONFLICT);
    memset(&c, 0, sizeof(c));
    assert_int_equal(ES_STORE_CALL(st, event_list, "ESID-0001", event_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.names[0], "make");
    assert_string_equal(c.names[2], "activate");

    /* keys */
    uint8_t w[5] = {9, 0, 9, 0, 9};
    struct es_store_key k = {.org_id = alice.org_id, .wrapped = w, .wrapped_len = 5};
    ES_STORE_SET(k.id, "key-1");
    ES_STORE_SET(k.alg, "sm2");
    assert_int_equal(ES_STORE_CALL(st, key_put, &k), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, key_put, &k), ES_STORE_CONFLICT);
    struct es_store_key k2;
    assert_int_equal(ES_STORE_CALL(st, key_get, "key-1", &k2), ES_STORE_OK);
    assert_int_equal(k2.wrapped_len, 5);
    assert_memory_equal(k2.wrapped, w, 5);
    es_store_key_clear(&k2);
    assert_null(k2.wrapped);
    assert_int_equal(ES_STORE_CALL(st, key_get, "key-2", &k2), ES_STORE_NOTFOUND);

    /* grants */
    struct es_store_user bob;
    assert_int_equal(ES_STORE_CALL(st, user_get_by_name, "bob", &bob), ES_STORE_OK);
    struct es_store_grant g = {.user_id = bob.id, .granted_by = alice.id, .not_before = 10,
                               .not_after = 20};
    ES_STORE_SET(g.esid, "ESID-0001");
    ES_STORE_SET(g.scope, "contracts");
    assert_int_equal(ES_STORE_CALL(st, grant_create, &g), ES_STORE_OK);
    int64_t gid = g.id;
    ES_STORE_SET(g.esid, "ESID-0002");
    assert_int_equal(ES_STORE_CALL(st, grant_create, &g), ES_STORE_OK);
    memset(&c, 0, sizeof(c));
    f = (struct es_store_filter){.esid = "ESID-0001"};
    assert_int_equal(ES_STORE_CALL(st, grant_list, &f, grant_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof(c));
    f = (struct es_store_filter){.user_id = bob.id};
    assert_int_equal(ES_STORE_CALL(st, grant_list, &f, grant_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(ES_STORE_CALL(st, grant_revoke, gid, 15), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, grant_revoke, gid, 16), ES_STORE_NOTFOUND);
    struct es_store_grant g2;
    assert_int_equal(ES_STORE_CALL(st, grant_get, gid, &g2), ES_STORE_OK);
    assert_int_equal(g2.revoked_at, 15);
    assert_string_equal(g2.scope, "contracts");
    assert_int_equal(ES_STORE_CALL(st, grant_get, 99999, &g2), ES_STORE_NOTFOUND);

    /* usage log: newest first, filters, limit */
    for (int i = 0; i < 5; i++) {
        struct es_store_usage u = {.user_id = bob.id, .org_id = alice.org_id, .at = 100 + i};
        ES_STORE_SET(u.esid, i < 3 ? "ESID-0001" : "ESID-0002");
        ES_STORE_SET(u.username, "bob");
        ES_STORE_SET(u.doc_sm3, "00ff");
        ES_STORE_SET(u.doc_name, "合同.ofd");
        ES_STORE_SET(u.result, i == 4 ? "refused" : "ok");
        assert_int_equal(ES_STORE_CALL(st, usage_append, &u), ES_STORE_OK);
    }
    memset(&c, 0, sizeof(c));
    f = (struct es_store_filter){.org_id = alice.org_id};
    assert_int_equal(ES_STORE_CALL(st, usage_list, &f, usage_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 5);
    assert_string_equal(c.names[0], "refused");
    assert_true(c.ids[0] > c.ids[1]);
    memset(&c, 0, sizeof(c));
    f = (struct es_store_filter){.esid = "ESID-0001", .limit = 2};
    assert_int_equal(ES_STORE_CALL(st, usage_list, &f, usage_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 2);
    memset(&c, 0, sizeof(c));
    f = (struct es_store_filter){.since = 103};
    assert_int_equal(ES_STORE_CALL(st, usage_list, &f, usage_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 2);
    memset(&c, 0, sizeof(c));
    f = (struct es_store_filter){.org_id = alice.org_id + 99};
    assert_int_equal(ES_STORE_CALL(st, usage_list, &f, usage_cb, &c), ES_STORE_OK);
    assert_int_equal(c.n, 0);
}

static void suite_transactions(es_store *st)
{
    assert_int_equal(ES_STORE_CALL0(st, begin), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL0(st, begin), ES_STORE_ERR); /* no nesting */
    mk_org(st, "Rolled Back");
    assert_int_equal(ES_STORE_CALL0(st, rollback), ES_STORE_OK);
    struct collect c = {0};
    assert_int_equal(ES_STORE_CALL(st, org_list, org_cb, &c), ES_STORE_OK);
    for (int i = 0; i < c.n && i < 16; i++) {
        assert_string_not_equal(c.names[i], "Rolled Back");
    }
    assert_int_equal(ES_STORE_CALL0(st, begin), ES_STORE_OK);
    mk_org(st, "Committed");
    assert_int_equal(ES_STORE_CALL0(st, commit), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL0(st, commit), ES_STORE_ERR);
    memset(&c, 0, sizeof(c));
    assert_int_equal(ES_STORE_CALL(st, org_list, org_cb, &c), ES_STORE_OK);
    assert_string_equal(c.names[c.n - 1], "Committed");
    /* a failed statement inside a transaction, then rollback: the handle works */
    assert_int_equal(ES_STORE_CALL0(st, begin), ES_STORE_OK);
    struct es_store_org o = {0};
    ES_STORE_SET(o.name, "Committed");
    assert_int_equal(ES_STORE_CALL(st, org_create, &o), ES_STORE_CONFLICT);
    assert_true(strlen(es_store_errmsg(st)) > 0);
    assert_int_equal(ES_STORE_CALL0(st, rollback), ES_STORE_OK);
    mk_org(st, "After Rollback");
}

static void audit_one(es_store *st, const char *actor, int i)
{
    struct es_store_audit e = {0};
    ES_STORE_SET(e.actor, actor);
    ES_STORE_SET(e.action, "seal.suspend");
    snprintf(e.object, sizeof(e.object), "seal/ESID-%04d", i);
    snprintf(e.detail, sizeof(e.detail), "{\"i\":%d,\"why\":\"测试\"}", i);
    assert_int_equal(ES_STORE_CALL(st, audit_append, &e), ES_STORE_OK);
    assert_true(e.seq > 0);
}

struct audit_thread {
    int base;
    int fails;
};

static void *audit_worker(void *arg)
{
    struct audit_thread *t = arg;
    es_store *st = NULL;
    char err[256];
    if (es_store_open(g_url, &OPTS, &st, err, sizeof(err)) != ES_STORE_OK) {
        t->fails++;
        return NULL;
    }
    for (int i = 0; i < 25; i++) {
        struct es_store_audit e = {0};
        ES_STORE_SET(e.actor, "worker");
        ES_STORE_SET(e.action, "test.concurrent");
        snprintf(e.object, sizeof(e.object), "t%d/%d", t->base, i);
        if (ES_STORE_CALL(st, audit_append, &e) != ES_STORE_OK) {
            t->fails++;
        }
    }
    es_store_close(st);
    return NULL;
}

static void suite_audit(es_store *st)
{
    int64_t n = 0, bad = 0;
    assert_int_equal(es_store_audit_verify(st, &n, &bad), ES_STORE_OK);
    assert_int_equal(n, 0);
    for (int i = 1; i <= 20; i++) {
        audit_one(st, "alice", i);
    }
    /* inside a transaction that is rolled back: no trace, chain intact */
    assert_int_equal(ES_STORE_CALL0(st, begin), ES_STORE_OK);
    audit_one(st, "ghost", 99);
    assert_int_equal(ES_STORE_CALL0(st, rollback), ES_STORE_OK);
    assert_int_equal(es_store_audit_verify(st, &n, &bad), ES_STORE_OK);
    assert_int_equal(n, 20);
    assert_int_equal(bad, 0);

    /* four connections appending at once keep one unbroken chain */
    pthread_t th[4];
    struct audit_thread args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct audit_thread){.base = i};
        assert_int_equal(pthread_create(&th[i], NULL, audit_worker, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].fails, 0);
    }
    assert_int_equal(es_store_audit_verify(st, &n, &bad), ES_STORE_OK);
    assert_int_equal(n, 120);
    assert_int_equal(bad, 0);

    /* tampering behind the store's back is detected at the row changed */
    g_tamper("UPDATE audit_log SET detail = 'edited' WHERE seq = 7");
    assert_int_equal(es_store_audit_verify(st, &n, &bad), ES_STORE_OK);
    assert_int_equal(bad, 7);
    g_tamper("DELETE FROM audit_log WHERE seq = 7");
    assert_int_equal(es_store_audit_verify(st, &n, &bad), ES_STORE_OK);
    assert_int_equal(bad, 8);
}

static void suite_race(void)
{
    /* two connections read the same seal; the slower write loses */
    es_store *a = open_store();
    es_store *b = open_store();
    struct es_store_seal sa, sb;
    assert_int_equal(ES_STORE_CALL(a, seal_get, "ESID-0002", &sa), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(b, seal_get, "ESID-0002", &sb), ES_STORE_OK);
    ES_STORE_SET(sa.status, "cancelled");
    ES_STORE_SET(sb.status, "suspended");
    assert_int_equal(ES_STORE_CALL(a, seal_update, &sa), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(b, seal_update, &sb), ES_STORE_CONFLICT);
    es_store_seal_clear(&sa);
    es_store_seal_clear(&sb);
    assert_int_equal(ES_STORE_CALL(b, seal_get, "ESID-0002", &sb), ES_STORE_OK);
    assert_string_equal(sb.status, "cancelled");
    es_store_seal_clear(&sb);
    es_store_close(a);
    es_store_close(b);
}

/* ---- federation and the transparency log (migration 0003) ---- */

struct tlog_seen {
    int n;
    int64_t index[8];
    char entry[8][160];
};

/* Keeps a row's number and its text (printf-formatted) in the first 8. */
static void seen_add(struct tlog_seen *s, int64_t index, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seen_add(struct tlog_seen *s, int64_t index, const char *fmt, ...)
{
    if (s->n < 8) {
        va_list ap;
        va_start(ap, fmt);
        s->index[s->n] = index;
        vsnprintf(s->entry[s->n], sizeof(s->entry[0]), fmt, ap);
        va_end(ap);
        s->n++;
    }
}

static int tlog_cb(void *arg, const struct es_store_tlog *t)
{
    seen_add(arg, t->leaf_index, "%s", t->entry);
    return 0;
}

static int outbox_cb(void *arg, const struct es_store_outbox *o)
{
    seen_add(arg, o->seq, "%s", o->body);
    return 0;
}

static int peer_cb(void *arg, const struct es_store_peer *p)
{
    seen_add(arg, p->tree_size, "%s|%.64s", p->node, p->alarm);
    return 0;
}

struct unproven_seen {
    int n;
    int64_t seq[8];
    char hash[72];
};

static int inbox_cb(void *arg, const struct es_store_inbox *e)
{
    struct unproven_seen *u = arg;
    if (u->n < 8) {
        u->seq[u->n++] = e->seq;
        snprintf(u->hash, sizeof(u->hash), "%s", e->leaf_hash);
    }
    return 0;
}

static void leaf(es_store *st, int64_t index, const char *esid, const char *entry)
{
    struct es_store_tlog t = {.leaf_index = index, .entry = entry, .at = 1000 + index};
    ES_STORE_SET(t.esid, esid);
    ES_STORE_SET(t.event, "register");
    ES_STORE_SET(t.leaf_hash, "00");
    assert_int_equal(ES_STORE_CALL(st, tlog_insert, &t), ES_STORE_OK);
}

static void suite_federation(es_store *st)
{
    int64_t next = -1, size = -1, a = 0, b = 0;
    /* the log: indexes handed out under the lock, in the transaction */
    assert_int_equal(ES_STORE_CALL(st, tlog_next, &next), ES_STORE_ERR);
    assert_int_equal(ES_STORE_CALL0(st, begin), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, tlog_next, &next), ES_STORE_OK);
    assert_int_equal(next, 0);
    leaf(st, 0, "E1", "{\"seq\":1}");
    assert_int_equal(ES_STORE_CALL(st, tlog_next, &next), ES_STORE_OK);
    assert_int_equal(next, 1);
    leaf(st, 1, "E2", "{\"seq\":2}");
    assert_int_equal(ES_STORE_CALL0(st, commit), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL0(st, begin), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, tlog_next, &next), ES_STORE_OK);
    leaf(st, next, "E1", "{\"seq\":3}");
    assert_int_equal(ES_STORE_CALL0(st, rollback), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, tlog_size, &size), ES_STORE_OK);
    assert_int_equal(size, 2); /* the rolled-back leaf left no trace */
    struct es_store_tlog dup = {.leaf_index = 1, .entry = "x"};
    assert_int_equal(ES_STORE_CALL(st, tlog_insert, &dup), ES_STORE_CONFLICT);
    struct tlog_seen seen = {0};
    assert_int_equal(ES_STORE_CALL(st, tlog_range, 0, 2, tlog_cb, &seen), ES_STORE_OK);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.index[1], 1);
    assert_string_equal(seen.entry[1], "{\"seq\":2}");
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(ES_STORE_CALL(st, tlog_last_for, "E2", tlog_cb, &seen), ES_STORE_OK);
    assert_int_equal(seen.index[0], 1);
    assert_int_equal(ES_STORE_CALL(st, tlog_last_for, "nothing", tlog_cb, &seen),
                     ES_STORE_NOTFOUND);

    /* the outbox: pending rows in seq order until marked delivered */
    for (int64_t q = 1; q <= 3; q++) {
        struct es_store_outbox o = {.seq = q, .body = q == 2 ? "two" : "other"};
        ES_STORE_SET(o.esid, "E1");
        assert_int_equal(ES_STORE_CALL(st, outbox_put, &o), ES_STORE_OK);
    }
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(ES_STORE_CALL(st, outbox_pending, 2, outbox_cb, &seen), ES_STORE_OK);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.index[0], 1);
    assert_string_equal(seen.entry[1], "two");
    struct es_store_outbox done = {.seq = 1, .attempts = 3, .delivered_at = 2000};
    assert_int_equal(ES_STORE_CALL(st, outbox_mark, &done), ES_STORE_OK);
    done.seq = 99;
    assert_int_equal(ES_STORE_CALL(st, outbox_mark, &done), ES_STORE_NOTFOUND);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(ES_STORE_CALL(st, outbox_pending, 10, outbox_cb, &seen), ES_STORE_OK);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.index[0], 2);
    assert_int_equal(ES_STORE_CALL(st, outbox_stats, &a, &b), ES_STORE_OK);
    assert_int_equal(a, 3);
    assert_int_equal(b, 2);

    /* the inbox: (origin, seq) once */
    struct es_store_inbox in = {.seq = 1, .at = 5};
    ES_STORE_SET(in.origin, "A");
    ES_STORE_SET(in.esid, "E9");
    ES_STORE_SET(in.event, "register");
    ES_STORE_SET(in.status, "registered");
    assert_int_equal(ES_STORE_CALL(st, inbox_put, &in), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, inbox_put, &in), ES_STORE_CONFLICT);
    ES_STORE_SET(in.origin, "B");
    assert_int_equal(ES_STORE_CALL(st, inbox_put, &in), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, inbox_count, "A", &a, &b), ES_STORE_OK);
    assert_int_equal(a, 1);
    assert_int_equal(b, 1);
    in.seq = 2;
    ES_STORE_SET(in.leaf_hash, "ab");
    assert_int_equal(ES_STORE_CALL(st, inbox_put, &in), ES_STORE_OK); /* B, 2 */
    struct es_store_inbox had;
    assert_int_equal(ES_STORE_CALL(st, inbox_get, "B", 2, &had), ES_STORE_OK);
    assert_string_equal(had.leaf_hash, "ab");
    assert_string_equal(had.esid, "E9");
    assert_int_equal(ES_STORE_CALL(st, inbox_get, "B", 99, &had), ES_STORE_NOTFOUND);
    struct unproven_seen u = {0};
    assert_int_equal(ES_STORE_CALL(st, inbox_unproven, "B", 5, 10, inbox_cb, &u), ES_STORE_OK);
    assert_int_equal(u.n, 2);
    assert_int_equal(u.seq[1], 2);
    assert_string_equal(u.hash, "ab");
    assert_int_equal(ES_STORE_CALL(st, inbox_proven, "B", 1), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, inbox_proven, "B", 9), ES_STORE_NOTFOUND);
    memset(&u, 0, sizeof(u));
    assert_int_equal(ES_STORE_CALL(st, inbox_unproven, "B", 1, 10, inbox_cb, &u), ES_STORE_OK);
    assert_int_equal(u.n, 0); /* seq 2 lies beyond the tree size asked for */
    assert_int_equal(ES_STORE_CALL(st, inbox_unproven, "B", 5, 10, inbox_cb, &u), ES_STORE_OK);
    assert_int_equal(u.n, 1);

    /* foreign seals: a newer answer replaces, an older one does not */
    struct es_store_remote r = {.seq = 5, .answer = (char *)"five", .next_update = 10};
    ES_STORE_SET(r.esid, "E9");
    ES_STORE_SET(r.owner, "A");
    ES_STORE_SET(r.status, "active");
    assert_int_equal(ES_STORE_CALL(st, remote_put, &r), ES_STORE_OK);
    r.seq = 3;
    r.answer = (char *)"three";
    assert_int_equal(ES_STORE_CALL(st, remote_put, &r), ES_STORE_CONFLICT);
    struct es_store_remote got;
    assert_int_equal(ES_STORE_CALL(st, remote_get, "E9", &got), ES_STORE_OK);
    assert_string_equal(got.answer, "five");
    assert_int_equal(got.seq, 5);
    es_store_remote_clear(&got);
    r.seq = 7;
    r.answer = (char *)"seven";
    assert_int_equal(ES_STORE_CALL(st, remote_put, &r), ES_STORE_OK);
    assert_int_equal(ES_STORE_CALL(st, remote_get, "E9", &got), ES_STORE_OK);
    assert_string_equal(got.answer, "seven");
    es_store_remote_clear(&got);
    assert_int_equal(ES_STORE_CALL(st, remote_get, "nothing", &got), ES_STORE_NOTFOUND);

    /* peers: one row per node, replaced */
    struct es_store_peer p = {.sth = "{}", .tree_size = 4, .alarm = ""};
    ES_STORE_SET(p.node, "A");
    assert_int_equal(ES_STORE_CALL(st, peer_put, &p), ES_STORE_OK);
    p.alarm = "fork";
    p.tree_size = 6;
    assert_int_equal(ES_STORE_CALL(st, peer_put, &p), ES_STORE_OK);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(ES_STORE_CALL(st, peer_list, peer_cb, &seen), ES_STORE_OK);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.index[0], 6);
    assert_string_equal(seen.entry[0], "A|fork");
}

static void run_suite(void)
{
    es_store *st = open_store();
    check_schema(st);
    es_store_close(st);
    st = open_store(); /* re-opening applies nothing twice */
    check_schema(st);
    suite_orgs_users(st);
    suite_apps(st);
    suite_seals(st);
    suite_transactions(st);
    suite_audit(st);
    suite_federation(st);
    es_store_close(st);
    suite_race();
}

/* ---- SQLite ---- */

static char g_sqlite_path[600];

static void sqlite_tamper(const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(g_sqlite_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_sqlite(void **state)
{
    (void)state;
    snprintf(g_sqlite_path, sizeof(g_sqlite_path), "%.500s/conformance.db", t_tmpdir());
    snprintf(g_url, sizeof(g_url), "sqlite:%s", g_sqlite_path);
    g_tamper = sqlite_tamper;
    run_suite();
    /* the journal is WAL */
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_open(g_sqlite_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void test_bad_urls(void **state)
{
    (void)state;
    es_store *st = NULL;
    char err[256] = "";
    assert_int_equal(es_store_open("mysql://x", &OPTS, &st, err, sizeof(err)), ES_STORE_ERR);
    assert_non_null(strstr(err, "unknown database URL"));
    assert_null(st);
    assert_int_equal(es_store_open("sqlite:", &OPTS, &st, err, sizeof(err)), ES_STORE_ERR);
    assert_int_equal(es_store_open("sqlite:/nonexistent-dir/x/y.db", &OPTS, &st, err,
                                   sizeof(err)),
                     ES_STORE_ERR);
    assert_int_equal(es_store_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
                                   &OPTS, &st, err, sizeof(err)),
                     ES_STORE_ERR);
    assert_non_null(strstr(err, "cannot connect"));
    char small[4];
    struct es_store_org o;
    assert_int_equal(ES_STORE_SET(small, "abc"), 0);
    assert_int_equal(ES_STORE_SET(small, "abcd"), -1);
    assert_int_equal(ES_STORE_SET(o.name, NULL), 0);
    assert_string_equal(o.name, "");
}

/* ---- PostgreSQL: a throwaway cluster ---- */

static char g_pg_bin[256];
static char g_pg_dir[256];
static int g_pg_port;
static bool g_pg_started;

static bool find_pg_bin(void)
{
    glob_t g;
    bool found = false;
    if (glob("/usr/lib/postgresql/*/bin/pg_ctl", 0, NULL, &g) == 0 && g.gl_pathc > 0) {
        /* the newest version sorts last */
        snprintf(g_pg_bin, sizeof(g_pg_bin), "%s", g.gl_pathv[g.gl_pathc - 1]);
        char *slash = strrchr(g_pg_bin, '/');
        *slash = '\0';
        char initdb[300];
        snprintf(initdb, sizeof(initdb), "%s/initdb", g_pg_bin);
        found = access(initdb, X_OK) == 0;
    }
    globfree(&g);
    return found;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return 0;
    }
    close(fd);
    return ntohs(a.sin_port);
}

/* Runs a command as the postgres user when we are root (initdb refuses root). */
static int pg_run(const char *cmd)
{
    char full[2200];
    if (geteuid() == 0) {
        snprintf(full, sizeof(full), "runuser -u postgres -- %s", cmd);
    } else {
        snprintf(full, sizeof(full), "%s", cmd);
    }
    return system(full);
}

static void pg_stop(void)
{
    if (!g_pg_started) {
        return;
    }
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s/pg_ctl -D %s/data -m immediate -w stop >/dev/null 2>&1",
             g_pg_bin, g_pg_dir);
    pg_run(cmd);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", g_pg_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", g_pg_dir);
    }
    g_pg_started = false;
}

static bool pg_start(void)
{
    snprintf(g_pg_dir, sizeof(g_pg_dir), "/tmp/es-store-pg-XXXXXX");
    if (!mkdtemp(g_pg_dir)) {
        return false;
    }
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("postgres");
        if (!pw || chown(g_pg_dir, pw->pw_uid, pw->pw_gid) != 0) {
            fprintf(stderr, "no postgres user to run the cluster\n");
            return false;
        }
    }
    chmod(g_pg_dir, 0755);
    g_pg_started = true;
    atexit(pg_stop);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "%s/initdb -D %s/data -U seal --auth=trust -E UTF8 --locale=C.UTF-8 -N "
             ">%s/initdb.log 2>&1",
             g_pg_bin, g_pg_dir, g_pg_dir);
    if (pg_run(cmd) != 0) {
        fprintf(stderr, "initdb failed (see %s/initdb.log)\n", g_pg_dir);
        return false;
    }
    for (int attempt = 0; attempt < 5; attempt++) {
        g_pg_port = free_port();
        snprintf(cmd, sizeof(cmd),
                 "%s/pg_ctl -D %s/data -l %s/pg.log -w -t 60 -o \"-c listen_addresses=127.0.0.1 "
                 "-p %d -c unix_socket_directories=%s -c fsync=off -c max_connections=40\" "
                 "start >/dev/null 2>&1",
                 g_pg_bin, g_pg_dir, g_pg_dir, g_pg_port, g_pg_dir);
        if (pg_run(cmd) == 0) {
            return true;
        }
    }
    fprintf(stderr, "pg_ctl start failed (see %s/pg.log)\n", g_pg_dir);
    return false;
}

static void pg_tamper(const char *sql)
{
    PGconn *c = PQconnectdb(g_url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
}

static bool g_pg_absent;

static void test_postgresql(void **state)
{
    (void)state;
    if (!find_pg_bin()) {
        g_pg_absent = true;
        skip();
    }
    assert_true(pg_start());
    snprintf(g_url, sizeof(g_url), "postgresql://seal@127.0.0.1:%d/postgres", g_pg_port);
    g_tamper = pg_tamper;
    run_suite();
    pg_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_urls),
        cmocka_unit_test(test_sqlite),
        cmocka_unit_test(test_postgresql),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    pg_stop();
    if (failed) {
        return 1;
    }
    return g_pg_absent ? 77 : 0;
}
