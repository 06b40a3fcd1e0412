/*
 * tests/unit/trustlist/oom_test.c - allocation-failure runs over the mutual
 * recognition code (signed documents, trust lists with rotation, status
 * answers with log proofs checked in a verification, log exports): count
 * the library's allocations of each operation, then fail each in turn.
 * Every run must end with success or an error code, never a crash, a leak
 * (LeakSanitizer) or a half-made result. jansson's own allocations are not
 * failed: jansson 2.14 asserts in its lexer when one fails.
 */
#include "testlib.h"

#include <jansson.h>
#include <stdlib.h>
#include <time.h>

#include "sdoc/sdoc_int.h"

static es_key *k_maker, *k_owner, *k_root;
static es_cert *c_maker, *c_owner, *c_root;
static char *g_content;   /* trust list content */
static char *g_list;      /* signed by owner, rotated from maker */
static uint8_t *g_sig;    /* a signature with a status answer */
static size_t g_sig_len;
static char *g_export;
static es_tlog_head g_head;

static int op_sdoc(void)
{
    static const char tbs[] = "{\"type\":\"eseal-status/1\",\"esid\":\"TEST-0001\"}";
    char *doc = NULL;
    size_t n;
    int rc = es_sdoc_sign(NULL, k_root, c_root, tbs, strlen(tbs), &doc, &n);
    if (rc == ES_OK) {
        es_sdoc *d = NULL;
        rc = es_sdoc_verify(NULL, (const uint8_t *)doc, n, c_root, &d);
        if (rc == ES_OK && strcmp(es_sdoc_type(d), "eseal-status/1") != 0) {
            fail_msg("a verified document lost its content");
        }
        es_sdoc_free(d);
    }
    es_free(doc);
    return rc;
}

static int op_trustlist(void)
{
    char *doc = NULL;
    size_t n;
    int rc = es_trustlist_sign(NULL, g_content, strlen(g_content), k_owner, c_owner, k_maker,
                               c_maker, 0, &doc, &n);
    if (rc == ES_OK) {
        /* what signing produced must check: no half-made list */
        const es_cert *s[] = {c_maker};
        es_trustlist *tl = NULL;
        t_faultsim_pause(); /* check the result without faults */
        rc = es_trustlist_verify(NULL, (const uint8_t *)doc, n, s, 1, 0, &tl);
        if (rc != ES_OK) {
            fail_msg("es_trustlist_sign returned a list that does not verify (%d)", rc);
        }
        es_trustlist_free(tl);
    }
    es_free(doc);
    return rc;
}

static int op_trustlist_verify(void)
{
    const es_cert *s[] = {c_maker};
    es_trustlist *tl = NULL;
    int rc = es_trustlist_verify(NULL, (const uint8_t *)g_list, strlen(g_list), s, 1, 0, &tl);
    if (rc == ES_OK && es_trustlist_rotations(tl) != 1) {
        fail_msg("a verified list lost its rotation");
    }
    es_trustlist_free(tl);
    return rc;
}

static int op_verify(void)
{
    const es_cert *s[] = {c_maker};
    es_trustlist *tl = NULL;
    int rc = es_trustlist_verify(NULL, (const uint8_t *)g_list, strlen(g_list), s, 1, 0, &tl);
    if (rc != ES_OK) {
        return rc;
    }
    es_trust *tr = NULL;
    if ((rc = es_trust_new(NULL, &tr)) == ES_OK &&
        (rc = es_trustlist_add_to_trust(NULL, tl, tr)) == ES_OK) {
        es_verify_opts o = {.trust = tr, .trust_list = tl};
        es_report *r = NULL;
        rc = es_verify_detached(NULL, &o, g_sig, g_sig_len, (const uint8_t *)"data", 4, &r);
        char *j = NULL;
        if (rc == ES_OK) {
            rc = es_report_to_json(NULL, r, &j);
        }
        es_free(j);
        es_report_free(r);
    }
    es_trust_free(tr);
    es_trustlist_free(tl);
    return rc;
}

static int op_export(void)
{
    uint64_t n = 0;
    return es_tlog_export_verify(NULL, (const uint8_t *)g_export, strlen(g_export), &g_head, &n);
}

static char *b64(const es_cert *c)
{
    char *s = NULL;
    assert_int_equal(es_base64_encode(es_cert_der(c).ptr, es_cert_der(c).len, &s), ES_OK);
    return s;
}

static void setup(void)
{
    t_load_identity("maker", &k_maker, &c_maker);
    t_load_identity("owner", &k_owner, &c_owner);
    t_load_identity("root-ca", &k_root, &c_root);
    int64_t now = (int64_t)time(NULL);
    char *m = b64(c_maker), *r = b64(c_root);
    json_t *c = json_pack(
        "{s:s,s:i,s:I,s:I,s:[{s:s,s:s,s:s,s:[{s:s,s:I}]},{s:s,s:s,s:s,s:[{s:s,s:I}]},"
        "{s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:I}]}]}",
        "region", "CN-11", "seq", 1, "issued", (json_int_t)(now - 100), "next_update",
        (json_int_t)(now + 86400), "entries", "kind", "maker", "name", "M", "cert", m, "history",
        "status", "recognised", "from", (json_int_t)(now - 100), "kind", "ca", "name", "R",
        "cert", r, "history", "status", "recognised", "from", (json_int_t)(now - 100), "kind",
        "platform", "name", "P", "cert", r, "node", "cn-11", "url", "https://p.example",
        "history", "status", "recognised", "from", (json_int_t)(now - 100));
    assert_true(es_is_ok(es_json_dump(c, JSON_COMPACT | JSON_SORT_KEYS, &g_content)));
    json_decref(c);
    es_free(m);
    es_free(r);
    size_t n;
    assert_int_equal(es_trustlist_sign(NULL, g_content, strlen(g_content), k_owner, c_owner,
                                       k_maker, c_maker, 0, &g_list, &n),
                     ES_OK);

    /* a one-entry log, its head, and an answer carrying the proof */
    const char *entry = "{\"esid\":\"TEST-0001\",\"status\":\"active\"}";
    uint8_t leaf[32];
    es_tlog_leaf_hash((const uint8_t *)entry, strlen(entry), leaf);
    char hex[65];
    es_hex_encode(leaf, 32, hex);
    char sth[256];
    snprintf(sth, sizeof(sth),
             "{\"node\":\"cn-11\",\"root_hash\":\"%s\",\"timestamp\":%lld,\"tree_size\":1,"
             "\"type\":\"eseal-sth/1\"}",
             hex, (long long)now);
    char *sth_env = NULL, *e64 = NULL;
    assert_int_equal(es_sdoc_sign(NULL, k_root, c_root, sth, strlen(sth), &sth_env, &n), ES_OK);
    assert_int_equal(es_tlog_sth_verify(NULL, (const uint8_t *)sth_env, n, c_root, &g_head),
                     ES_OK);
    assert_int_equal(es_base64_encode((const uint8_t *)entry, strlen(entry), &e64), ES_OK);
    json_t *a = json_pack("{s:s,s:s,s:s,s:I,s:I,s:{s:s,s:i,s:i,s:[],s:o}}", "type",
                          "eseal-status/1", "esid", "TEST-0001", "status", "active",
                          "this_update", (json_int_t)(now - 100), "next_update",
                          (json_int_t)(now + 100), "log", "entry", e64, "leaf_index", 0,
                          "tree_size", 1, "path", "sth", json_loads(sth_env, 0, NULL));
    char *at = NULL, *ans = NULL;
    assert_true(es_is_ok(es_json_dump(a, JSON_COMPACT | JSON_SORT_KEYS, &at)));
    assert_int_equal(es_sdoc_sign(NULL, k_root, c_root, at, strlen(at), &ans, &n), ES_OK);
    json_t *ex = json_pack("{s:[s]}", "entries", e64);
    assert_true(es_is_ok(es_json_dump(ex, JSON_COMPACT, &g_export)));
    json_decref(ex);
    json_decref(a);

    size_t seal_len;
    uint8_t *seal = t_make_seal(k_maker, c_maker, c_owner, now - 100, now + 3600, &seal_len);
    uint8_t h[32];
    es_sm3("data", 4, h);
    es_sign_params p = {.seal = seal, .seal_len = seal_len, .key = k_owner, .cert = c_owner,
                        .data_hash = h, .property_info = "d", .status_answer = (uint8_t *)ans,
                        .status_answer_len = strlen(ans)};
    assert_int_equal(es_sign(NULL, &p, &g_sig, &g_sig_len), ES_OK);
    es_free(seal);
    es_free(ans);
    es_free(at);
    es_free(e64);
    es_free(sth_env);
}

static void test_oom(void **state)
{
    (void)state;
    setup();
    /* the verification must pass fully before faults are injected */
    t_faultsim_begin();
    t_faultsim(op_sdoc, "sdoc sign+verify");
    t_faultsim(op_trustlist_verify, "trust list verify (rotation)");
    t_faultsim(op_trustlist, "trust list sign (rotation)");
    t_faultsim(op_verify, "verify with trust list and status answer");
    t_faultsim(op_export, "log export");
    t_faultsim_end();
    es_free(g_content);
    es_free(g_list);
    es_free(g_sig);
    es_free(g_export);
    es_key_free(k_maker);
    es_key_free(k_owner);
    es_key_free(k_root);
    es_cert_free(c_maker);
    es_cert_free(c_owner);
    es_cert_free(c_root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_oom)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
