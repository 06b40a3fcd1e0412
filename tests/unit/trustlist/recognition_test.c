/*
 * tests/unit/trustlist/recognition_test.c - the mutual-recognition checks of
 * the verifier (lib/verify/verify_recognition.c):
 *   status_answer: an eseald status answer embedded by es_sign, checked
 *     valid; untrusted platform INDETERMINATE; wrong esid, window missing the
 *     signing time, status not active, tampered platform signature and a
 *     broken log proof FAILED; trusted through a trust list, or not when the
 *     platform was withdrawn;
 *   trust_list: maker recognised, withdrawn before the seal was made
 *     (FAILED), withdrawn after (PASSED), not listed, stale list.
 */
#include "testlib.h"

#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "sdoc/sdoc_int.h"
#include "seal/seal_int.h"
#include "verify/report_int.h"
#include "tl_common.h"

static es_key *k_maker, *k_owner, *k_root;
static es_cert *c_maker, *c_owner, *c_root;
static uint8_t *g_seal;
static size_t g_seal_len;
static int64_t g_now;
static es_trust *g_trust; /* root-ca: anchors makers, owners and the "platform" */
static es_tsa *g_tsa;     /* when set, sign_with adds a time stamp */

static const uint8_t k_data[] = "the contract";

/* A status answer signed by the root CA key (standing in for a platform). */
static char *answer(const char *esid, const char *status, int64_t from, int64_t to,
                    json_t *log)
{
    json_t *c = json_pack("{s:s,s:s,s:s,s:I,s:I}", "type", "eseal-status/1", "esid", esid,
                          "status", status, "this_update", (json_int_t)from, "next_update",
                          (json_int_t)to);
    if (log) {
        json_object_set_new(c, "log", log);
    }
    char *t = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = NULL;
    size_t n;
    assert_int_equal(es_sdoc_sign(NULL, k_root, c_root, t, strlen(t), &out, &n), ES_OK);
    free(t);
    json_decref(c);
    return out;
}

static uint8_t *sign_with(const char *ans, int64_t t, int allow_expired, int expect,
                          size_t *out_len)
{
    uint8_t h[32];
    es_sm3(k_data, sizeof(k_data), h);
    es_sign_params p = {.seal = g_seal, .seal_len = g_seal_len, .key = k_owner, .cert = c_owner,
                        .data_hash = h, .property_info = "contract.txt", .time = t,
                        .allow_expired = allow_expired};
    if (g_tsa) {
        p.timestamp = es_tsa_stamp_cb;
        p.timestamp_arg = g_tsa;
    }
    if (ans) {
        p.status_answer = (const uint8_t *)ans;
        p.status_answer_len = strlen(ans);
    }
    uint8_t *der = NULL;
    es_ctx *ctx = es_ctx_new();
    int rc = es_sign(ctx, &p, &der, out_len);
    if (rc != expect) {
        fail_msg("es_sign: %d (%s), wanted %d", rc, es_ctx_errmsg(ctx), expect);
    }
    es_ctx_free(ctx);
    return der;
}

/* The result and reason of check `id` in a verification of sig. */
static es_check_result check_of(const uint8_t *sig, size_t n, const es_trust *trust,
                                const es_trustlist *tl, const char *id, char *reason,
                                char *detail)
{
    es_verify_opts o = {.trust = trust, .trust_list = tl};
    es_report *r = NULL;
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_verify_detached(ctx, &o, sig, n, k_data, sizeof(k_data), &r), ES_OK);
    es_check_result res = ES_CHECK_LAST_;
    for (size_t j = 0; j < es_report_check_count(r, 0); j++) {
        const char *cid, *rs, *dt;
        es_check_result cr;
        assert_int_equal(es_report_check(r, 0, j, &cid, &cr, &rs, &dt), ES_OK);
        if (strcmp(cid, id) == 0) {
            res = cr;
            snprintf(reason, 64, "%s", rs);
            if (detail) {
                snprintf(detail, 400, "%s", dt);
            }
        }
    }
    es_report_free(r);
    es_ctx_free(ctx);
    return res;
}

#define EXPECT_CHECK(sig, n, trust, tl, id, want, want_reason)                                \
    do {                                                                                       \
        char rs_[64] = "", dt_[400] = "";                                                      \
        es_check_result got_ = check_of(sig, n, trust, tl, id, rs_, dt_);                      \
        if (got_ != (want) || strcmp(rs_, want_reason) != 0) {                                 \
            fail_msg("%s: %s/%s (%s), wanted %s/%s", id, es_check_result_name(got_), rs_, dt_, \
                     es_check_result_name(want), want_reason);                                 \
        }                                                                                      \
    } while (0)

static void test_answer_valid(void **state)
{
    (void)state;
    char *a = answer("TEST-0001", "active", g_now - 100, g_now + 100, NULL);
    size_t n;
    uint8_t *sig = sign_with(a, g_now, 0, ES_OK, &n);
    EXPECT_CHECK(sig, n, g_trust, NULL, "status_answer", ES_CHECK_PASSED, "");
    /* the same answer without a trusted platform: never a pass */
    EXPECT_CHECK(sig, n, NULL, NULL, "status_answer", ES_CHECK_INDETERMINATE,
                 "STATUS_SIGNER_UNTRUSTED");
    /* a signature without an answer has no such line */
    size_t n2;
    uint8_t *plain = sign_with(NULL, g_now, 0, ES_OK, &n2);
    EXPECT_CHECK(plain, n2, g_trust, NULL, "status_answer", ES_CHECK_LAST_, "");
    es_free(plain);
    es_free(sig);
    es_free(a);
}

static void test_answer_refused_at_signing(void **state)
{
    (void)state;
    size_t n;
    char *a = answer("TEST-0002", "active", g_now - 100, g_now + 100, NULL);
    assert_null(sign_with(a, g_now, 0, ES_ERR_FORMAT_STRUCTURE, &n));
    es_free(a);
    a = answer("TEST-0001", "active", g_now - 300, g_now - 200, NULL);
    assert_null(sign_with(a, g_now, 0, ES_ERR_POLICY_VALIDITY, &n));
    es_free(a);
    assert_null(sign_with("{\"not\":\"an envelope\"}", g_now, 0, ES_ERR_FORMAT_STRUCTURE, &n));
}

static void test_answer_failures(void **state)
{
    (void)state;
    size_t n;
    /* the window does not contain the signing time (signed anyway) */
    char *a = answer("TEST-0001", "active", g_now - 300, g_now - 200, NULL);
    uint8_t *sig = sign_with(a, g_now, 1, ES_OK, &n);
    EXPECT_CHECK(sig, n, g_trust, NULL, "status_answer", ES_CHECK_FAILED,
                 "STATUS_ANSWER_NOT_AT_SIGNING_TIME");
    es_free(sig);
    es_free(a);
    /* not active */
    a = answer("TEST-0001", "suspended", g_now - 100, g_now + 100, NULL);
    sig = sign_with(a, g_now, 0, ES_OK, &n);
    EXPECT_CHECK(sig, n, g_trust, NULL, "status_answer", ES_CHECK_FAILED, "STATUS_NOT_ACTIVE");
    es_free(sig);
    es_free(a);
    /* the platform's signature replaced by one over another answer */
    a = answer("TEST-0001", "active", g_now - 100, g_now + 100, NULL);
    char *b = answer("TEST-0001", "revoked", g_now - 100, g_now + 100, NULL);
    json_t *ja = json_loads(a, 0, NULL), *jb = json_loads(b, 0, NULL);
    json_object_set(ja, "signature", json_object_get(jb, "signature"));
    char *t = json_dumps(ja, JSON_COMPACT);
    sig = sign_with(t, g_now, 0, ES_OK, &n);
    EXPECT_CHECK(sig, n, g_trust, NULL, "status_answer", ES_CHECK_FAILED,
                 "STATUS_SIGNATURE_INVALID");
    /* a wrong esid can only come from another signer: checked on the parsed signature */
    struct es_signature g;
    assert_true(es_is_ok(es_signature_parse(&g, sig, n, ES_PROFILE_LENIENT)));
    es_free(sig);
    es_free(t);
    json_decref(ja);
    json_decref(jb);
    es_free(b);
    sig = sign_with(a, g_now, 0, ES_OK, &n);
    es_signature_clear(&g);
    assert_true(es_is_ok(es_signature_parse(&g, sig, n, ES_PROFILE_LENIENT)));
    char *saved = g.seal.esid;
    g.seal.esid = "TEST-0999";
    es_verify_opts o = {.trust = g_trust};
    es_report *r = NULL;
    struct es_entry *e = NULL;
    assert_true(es_is_ok(es_report_new(&o, &r)));
    assert_true(es_is_ok(es_report_add(r, "s", "ses-signature", &e)));
    assert_true(es_is_ok(es_verify_status_answer(e, &o, &g, true, g_now)));
    assert_int_equal(e->n_checks, 1);
    assert_int_equal(e->checks[0].result, ES_CHECK_FAILED);
    assert_string_equal(e->checks[0].reason, "STATUS_ESID_MISMATCH");
    g.seal.esid = saved;
    es_report_free(r);
    es_signature_clear(&g);
    es_free(sig);
    es_free(a);
}

/* A log of three entries; the answer proves entry 1 (this seal, active). */
static json_t *log_member(const char *logged_status, int tamper_root)
{
    char entries[3][200];
    uint8_t leaves[3][32];
    const char *st[3] = {"active", logged_status, "revoked"};
    const char *es[3] = {"TEST-0000", "TEST-0001", "TEST-0003"};
    for (int i = 0; i < 3; i++) {
        snprintf(entries[i], sizeof(entries[i]),
                 "{\"at\":\"2026-11-24T00:00:0%dZ\",\"esid\":\"%s\",\"event\":\"register\","
                 "\"node\":\"cn-11\",\"seq\":%d,\"status\":\"%s\",\"type\":\"eseal-log-entry/1\"}",
                 i, es[i], i + 1, st[i]);
        es_tlog_leaf_hash((const uint8_t *)entries[i], strlen(entries[i]), leaves[i]);
    }
    uint8_t root[32], path[ES_TLOG_MAX_PATH][32];
    size_t plen;
    const uint8_t(*L)[32] = (const uint8_t(*)[32])leaves;
    assert_int_equal(es_tlog_root(L, 3, root), ES_OK);
    assert_int_equal(es_tlog_inclusion_proof(L, 3, 1, path, ES_TLOG_MAX_PATH, &plen), ES_OK);
    char hex[65];
    root[0] ^= (uint8_t)tamper_root;
    es_hex_encode(root, 32, hex);
    json_t *sth = json_pack("{s:s,s:s,s:i,s:s,s:s}", "type", "eseal-sth/1", "node", "cn-11",
                            "tree_size", 3, "root_hash", hex, "timestamp",
                            "2026-11-24T00:00:10Z");
    char *t = json_dumps(sth, JSON_COMPACT | JSON_SORT_KEYS);
    char *env = NULL;
    size_t n;
    assert_int_equal(es_sdoc_sign(NULL, k_root, c_root, t, strlen(t), &env, &n), ES_OK);
    json_t *pa = json_array();
    for (size_t i = 0; i < plen; i++) {
        es_hex_encode(path[i], 32, hex);
        json_array_append_new(pa, json_string(hex));
    }
    char *e64 = NULL;
    assert_true(es_is_ok(es_b64_encode((const uint8_t *)entries[1], strlen(entries[1]), &e64)));
    json_t *log = json_pack("{s:s,s:i,s:i,s:o,s:o}", "entry", e64, "leaf_index", 1, "tree_size",
                            3, "path", pa, "sth", json_loads(env, 0, NULL));
    es_free(e64);
    es_free(env);
    free(t);
    json_decref(sth);
    return log;
}

static void test_answer_log_proof(void **state)
{
    (void)state;
    size_t n;
    char *a = answer("TEST-0001", "active", g_now - 100, g_now + 100, log_member("active", 0));
    uint8_t *sig = sign_with(a, g_now, 0, ES_OK, &n);
    char rs[64], dt[400];
    assert_int_equal(check_of(sig, n, g_trust, NULL, "status_answer", rs, dt), ES_CHECK_PASSED);
    assert_non_null(strstr(dt, "logged in node cn-11's tree of 3 entries"));
    es_free(sig);
    es_free(a);
    /* a tree head whose root does not match the proof */
    a = answer("TEST-0001", "active", g_now - 100, g_now + 100, log_member("active", 1));
    sig = sign_with(a, g_now, 0, ES_OK, &n);
    EXPECT_CHECK(sig, n, g_trust, NULL, "status_answer", ES_CHECK_FAILED,
                 "STATUS_LOG_PROOF_INVALID");
    es_free(sig);
    es_free(a);
    /* the logged entry says something else than the answer */
    a = answer("TEST-0001", "active", g_now - 100, g_now + 100, log_member("suspended", 0));
    sig = sign_with(a, g_now, 0, ES_OK, &n);
    EXPECT_CHECK(sig, n, g_trust, NULL, "status_answer", ES_CHECK_FAILED,
                 "STATUS_LOG_PROOF_INVALID");
    es_free(sig);
    es_free(a);
}

/* A trust list signed by the maker key: maker history, root CA, platform. */
static int64_t g_tsa_listed;    /* 0: no tsa entry; else recognised from then */
static int64_t g_tsa_withdrawn; /* 0: not withdrawn */

static es_trustlist *make_list(int64_t maker_withdrawn, int64_t platform_withdrawn,
                               int list_maker, int64_t next_update)
{
    char *m = NULL, *r = NULL;
    es_bytes md = es_cert_der(c_maker), rd = es_cert_der(c_root);
    assert_true(es_is_ok(es_b64_encode(md.ptr, md.len, &m)));
    assert_true(es_is_ok(es_b64_encode(rd.ptr, rd.len, &r)));
    json_t *entries = json_array();
    json_t *mh = json_pack("[{s:s,s:I}]", "status", "recognised", "from",
                           (json_int_t)(g_now - 10000));
    if (maker_withdrawn) {
        json_array_append_new(mh, json_pack("{s:s,s:I}", "status", "withdrawn", "from",
                                            (json_int_t)maker_withdrawn));
    }
    if (list_maker) {
        json_array_append_new(entries, json_pack("{s:s,s:s,s:s,s:o}", "kind", "maker", "name",
                                                 "Maker A", "cert", m, "history", mh));
    } else {
        json_decref(mh);
    }
    json_t *ph = json_pack("[{s:s,s:I}]", "status", "recognised", "from",
                           (json_int_t)(g_now - 10000));
    if (platform_withdrawn) {
        json_array_append_new(ph, json_pack("{s:s,s:I}", "status", "withdrawn", "from",
                                            (json_int_t)platform_withdrawn));
    }
    json_array_append_new(entries,
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "kind", "platform", "name",
                                    "Node A", "cert", r, "node", "cn-11", "url",
                                    "https://a.example", "history", ph));
    if (list_maker) {
        json_array_append_new(entries,
                              json_pack("{s:s,s:s,s:s,s:[{s:s,s:I}]}", "kind", "ca", "name",
                                        "Root CA", "cert", r, "history", "status", "recognised",
                                        "from", (json_int_t)(g_now - 10000)));
    }
    if (g_tsa_listed) {
        char path[600];
        es_cert *tc = NULL;
        char *t64 = NULL;
        snprintf(path, sizeof(path), "%s/tsa.pem", t_pki());
        assert_int_equal(es_cert_load(NULL, path, NULL, &tc), ES_OK);
        assert_true(es_is_ok(es_b64_encode(es_cert_der(tc).ptr, es_cert_der(tc).len, &t64)));
        json_t *th = json_pack("[{s:s,s:I}]", "status", "recognised", "from",
                               (json_int_t)g_tsa_listed);
        if (g_tsa_withdrawn) {
            json_array_append_new(th, json_pack("{s:s,s:I}", "status", "withdrawn", "from",
                                                (json_int_t)g_tsa_withdrawn));
        }
        json_array_append_new(entries, json_pack("{s:s,s:s,s:s,s:o}", "kind", "tsa", "name",
                                                 "TSA 1", "cert", t64, "history", th));
        es_free(t64);
        es_cert_free(tc);
    }
    json_t *c = json_pack("{s:s,s:i,s:I,s:I,s:o}", "region", "CN-11", "seq", 1, "issued",
                          (json_int_t)(g_now - 20000), "next_update", (json_int_t)next_update,
                          "entries", entries);
    es_trustlist *tl = tl_sign_verified(c, k_maker, c_maker);
    es_free(m);
    es_free(r);
    return tl;
}

static void test_trust_list(void **state)
{
    (void)state;
    size_t n;
    /* signed a minute after the seal was made */
    uint8_t *sig = sign_with(NULL, g_now + 60, 0, ES_OK, &n);
    es_trustlist *tl = make_list(0, 0, 1, g_now + 86400);
    EXPECT_CHECK(sig, n, g_trust, tl, "trust_list", ES_CHECK_PASSED, "");
    es_trustlist_free(tl);
    /* withdrawn before the seal was made: its later seals are untrusted */
    tl = make_list(g_now - 5000, 0, 1, g_now + 86400);
    char rs[64], dt[400];
    assert_int_equal(check_of(sig, n, g_trust, tl, "trust_list", rs, dt), ES_CHECK_FAILED);
    assert_string_equal(rs, "MAKER_WITHDRAWN");
    assert_non_null(strstr(dt, "before the seal was made"));
    es_trustlist_free(tl);
    /* withdrawn after the seal was made: the seal stays trusted */
    tl = make_list(g_now + 30, 0, 1, g_now + 86400);
    EXPECT_CHECK(sig, n, g_trust, tl, "trust_list", ES_CHECK_PASSED, "");
    es_trustlist_free(tl);
    /* neither maker nor CA listed */
    tl = make_list(0, 0, 0, g_now + 86400);
    EXPECT_CHECK(sig, n, g_trust, tl, "trust_list", ES_CHECK_INDETERMINATE, "NOT_IN_TRUST_LIST");
    es_trustlist_free(tl);
    /* a stale list decides nothing */
    tl = make_list(0, 0, 1, g_now - 1);
    EXPECT_CHECK(sig, n, g_trust, tl, "trust_list", ES_CHECK_INDETERMINATE, "TRUST_LIST_STALE");
    es_trustlist_free(tl);
    es_free(sig);
}

/* The TSA whose token gave the signing time is judged at that time. */
static void test_trust_list_tsa(void **state)
{
    (void)state;
    char kp[600], cp[600];
    snprintf(kp, sizeof(kp), "%s/tsa.key", t_pki());
    snprintf(cp, sizeof(cp), "%s/tsa.pem", t_pki());
    assert_int_equal(es_tsa_load(NULL, kp, "test", cp, &g_tsa), ES_OK);
    size_t n;
    /* signed now: the claimed time must not be after the token's genTime */
    uint8_t *sig = sign_with(NULL, 0, 0, ES_OK, &n);
    char rs[64], dt[400];
    assert_int_equal(check_of(sig, n, g_trust, NULL, "timestamp", rs, dt), ES_CHECK_PASSED);
    /* a time-stamped signature needs the TSA recognised */
    g_tsa_listed = 0;
    es_trustlist *tl = make_list(0, 0, 1, g_now + 86400);
    EXPECT_CHECK(sig, n, g_trust, tl, "trust_list", ES_CHECK_INDETERMINATE,
                 "TSA_NOT_IN_TRUST_LIST");
    es_trustlist_free(tl);
    g_tsa_listed = g_now - 10000;
    tl = make_list(0, 0, 1, g_now + 86400);
    assert_int_equal(check_of(sig, n, g_trust, tl, "trust_list", rs, dt), ES_CHECK_PASSED);
    assert_non_null(strstr(dt, "time-stamp authority 'TSA 1' recognised"));
    es_trustlist_free(tl);
    g_tsa_withdrawn = g_now - 5000;
    tl = make_list(0, 0, 1, g_now + 86400);
    EXPECT_CHECK(sig, n, g_trust, tl, "trust_list", ES_CHECK_FAILED, "TSA_WITHDRAWN");
    es_trustlist_free(tl);
    g_tsa_listed = 0;
    g_tsa_withdrawn = 0;
    es_tsa_free(g_tsa);
    g_tsa = NULL;
    es_free(sig);
}

static void test_answer_with_trust_list(void **state)
{
    (void)state;
    size_t n;
    char *a = answer("TEST-0001", "active", g_now - 100, g_now + 100, NULL);
    uint8_t *sig = sign_with(a, g_now, 0, ES_OK, &n);
    /* the list alone vouches for the platform */
    es_trustlist *tl = make_list(0, 0, 1, g_now + 86400);
    EXPECT_CHECK(sig, n, NULL, tl, "status_answer", ES_CHECK_PASSED, "");
    es_trustlist_free(tl);
    /* a platform withdrawn before the signing time does not */
    tl = make_list(0, g_now - 50, 1, g_now + 86400);
    EXPECT_CHECK(sig, n, NULL, tl, "status_answer", ES_CHECK_INDETERMINATE,
                 "STATUS_SIGNER_UNTRUSTED");
    es_trustlist_free(tl);
    es_free(sig);
    es_free(a);
}

int main(void)
{
    t_load_identity("maker", &k_maker, &c_maker);
    t_load_identity("owner", &k_owner, &c_owner);
    t_load_identity("root-ca", &k_root, &c_root);
    g_now = (int64_t)time(NULL);
    g_seal = t_make_seal(k_maker, c_maker, c_owner, g_now - 3600, g_now + 86400, &g_seal_len);
    assert_int_equal(es_trust_new(NULL, &g_trust), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, g_trust, c_root), ES_OK);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_valid),     cmocka_unit_test(test_answer_refused_at_signing),
        cmocka_unit_test(test_answer_failures),  cmocka_unit_test(test_answer_log_proof),
        cmocka_unit_test(test_trust_list),       cmocka_unit_test(test_trust_list_tsa),
        cmocka_unit_test(test_answer_with_trust_list),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    es_trust_free(g_trust);
    es_free(g_seal);
    es_key_free(k_maker);
    es_key_free(k_owner);
    es_key_free(k_root);
    es_cert_free(c_maker);
    es_cert_free(c_owner);
    es_cert_free(c_root);
    return rc;
}
