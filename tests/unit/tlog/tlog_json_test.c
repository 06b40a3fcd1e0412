/*
 * tests/unit/tlog/tlog_json_test.c - the transparency log's JSON forms
 * (eseal/tlog.h): signed tree heads read and checked, inclusion and
 * consistency proofs bound to the heads' sizes, exports recomputed; each
 * malformed field, foreign signer, fork and cut has its own code.
 */
#include "testlib.h"

#include <stdio.h>

static es_key *g_key, *g_okey;
static es_cert *g_cert, *g_ocert;
static uint8_t g_leaf[5][32];
static const char *g_entries[5] = {"e0", "e1", "e2", "e3", "e4"};

static char *sth(uint64_t size, int flip, const es_key *k, const es_cert *c)
{
    uint8_t root[32];
    char hex[65], tbs[256];
    assert_int_equal(es_tlog_root((const uint8_t(*)[32])g_leaf, size, root), ES_OK);
    root[0] ^= (uint8_t)flip;
    es_hex_encode(root, 32, hex);
    snprintf(tbs, sizeof(tbs),
             "{\"node\":\"n1\",\"root_hash\":\"%s\",\"timestamp\":\"2026-11-24T10:00:00Z\","
             "\"tree_size\":%llu,\"type\":\"eseal-sth/1\"}",
             hex, (unsigned long long)size);
    char *out = NULL;
    size_t n;
    assert_int_equal(es_sdoc_sign(NULL, k, c, tbs, strlen(tbs), &out, &n), ES_OK);
    return out;
}

static es_tlog_head head(uint64_t size, int flip)
{
    char *d = sth(size, flip, g_key, g_cert);
    es_tlog_head h;
    assert_int_equal(es_tlog_sth_verify(NULL, (const uint8_t *)d, strlen(d), g_cert, &h), ES_OK);
    es_free(d);
    return h;
}

static int sth_rc(const char *tbs, const es_cert *check, const char *msg_part)
{
    char *d = NULL;
    size_t n;
    assert_int_equal(es_sdoc_sign(NULL, g_key, g_cert, tbs, strlen(tbs), &d, &n), ES_OK);
    es_ctx *ctx = es_ctx_new();
    es_tlog_head h;
    int rc = es_tlog_sth_verify(ctx, (const uint8_t *)d, n, check, &h);
    if (rc != ES_OK && msg_part && !strstr(es_ctx_errmsg(ctx), msg_part)) {
        fail_msg("\"%s\" lacks \"%s\"", es_ctx_errmsg(ctx), msg_part);
    }
    es_ctx_free(ctx);
    es_free(d);
    return rc;
}

static void test_sth(void **state)
{
    (void)state;
    es_tlog_head h = head(5, 0);
    assert_string_equal(h.node, "n1");
    assert_int_equal(h.tree_size, 5);
    assert_int_equal(h.timestamp, 1763978400 + 365 * 86400);
    char *d = sth(5, 0, g_okey, g_ocert);
    es_tlog_head x;
    assert_int_equal(es_tlog_sth_verify(NULL, (const uint8_t *)d, strlen(d), g_cert, &x),
                     ES_ERR_CRYPTO_SIGNATURE);
    /* without a certificate the form is read, nothing vouched */
    assert_int_equal(es_tlog_sth_verify(NULL, (const uint8_t *)d, strlen(d), NULL, &x), ES_OK);
    es_free(d);
    assert_int_equal(sth_rc("{\"type\":\"eseal-status/1\"}", g_cert, "not eseal-sth/1"),
                     ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(sth_rc("{\"node\":\"n\",\"root_hash\":\"00\",\"timestamp\":1,\"tree_size\":1,"
                            "\"type\":\"eseal-sth/1\"}",
                            g_cert, "64 hex digits"),
                     ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(sth_rc("{\"node\":\"n\",\"root_hash\":\"00\",\"timestamp\":1,\"tree_size\":-1,"
                            "\"type\":\"eseal-sth/1\"}",
                            g_cert, "negative"),
                     ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(sth_rc("{\"node\":\"n\",\"tree_size\":1,\"type\":\"eseal-sth/1\"}", g_cert,
                            "root_hash"),
                     ES_ERR_FORMAT_STRUCTURE);
}

static char *proof_json(uint64_t index, uint64_t size, uint64_t path_for_size)
{
    uint8_t p[ES_TLOG_MAX_PATH][32];
    size_t n;
    assert_int_equal(es_tlog_inclusion_proof((const uint8_t(*)[32])g_leaf, path_for_size, index, p,
                                             ES_TLOG_MAX_PATH, &n),
                     ES_OK);
    static char buf[2048];
    int o = snprintf(buf, sizeof(buf), "{\"leaf_index\":%llu,\"tree_size\":%llu,\"path\":[",
                     (unsigned long long)index, (unsigned long long)size);
    for (size_t i = 0; i < n; i++) {
        char hex[65];
        es_hex_encode(p[i], 32, hex);
        o += snprintf(buf + o, sizeof(buf) - (size_t)o, "%s\"%s\"", i ? "," : "", hex);
    }
    snprintf(buf + o, sizeof(buf) - (size_t)o, "]}");
    return buf;
}

static int incl(const char *entry, const char *proof, const es_tlog_head *h)
{
    return es_tlog_inclusion_verify_json(NULL, (const uint8_t *)entry, strlen(entry),
                                         (const uint8_t *)proof, strlen(proof), h);
}

static void test_inclusion(void **state)
{
    (void)state;
    es_tlog_head h5 = head(5, 0), h4 = head(4, 0);
    assert_int_equal(incl("e3", proof_json(3, 5, 5), &h5), ES_OK);
    assert_int_equal(incl("e2", proof_json(3, 5, 5), &h5), ES_ERR_CRYPTO_PROOF);
    /* a proof for another size than the head's */
    assert_int_equal(incl("e3", proof_json(3, 4, 4), &h5), ES_ERR_CRYPTO_PROOF);
    assert_int_equal(incl("e3", proof_json(3, 4, 4), &h4), ES_OK);
    assert_int_equal(incl("e3", "{\"leaf_index\":9,\"tree_size\":5,\"path\":[]}", &h5),
                     ES_ERR_CRYPTO_PROOF);
    assert_int_equal(incl("e3", "{\"leaf_index\":3,\"tree_size\":5}", &h5),
                     ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(incl("e3", "{\"leaf_index\":3,\"tree_size\":5,\"path\":[1]}", &h5),
                     ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(incl("e3", "[]", &h5), ES_ERR_FORMAT_STRUCTURE);
}

static int cons(uint64_t m, uint64_t n, const es_tlog_head *a, const es_tlog_head *b)
{
    uint8_t p[ES_TLOG_MAX_PATH][32];
    size_t len = 0;
    if (m <= n) {
        assert_int_equal(es_tlog_consistency_proof((const uint8_t(*)[32])g_leaf, n, m, p,
                                                   ES_TLOG_MAX_PATH, &len),
                         ES_OK);
    }
    char buf[2048];
    int o = snprintf(buf, sizeof(buf), "{\"first\":%llu,\"second\":%llu,\"path\":[",
                     (unsigned long long)m, (unsigned long long)n);
    for (size_t i = 0; i < len; i++) {
        char hex[65];
        es_hex_encode(p[i], 32, hex);
        o += snprintf(buf + o, sizeof(buf) - (size_t)o, "%s\"%s\"", i ? "," : "", hex);
    }
    snprintf(buf + o, sizeof(buf) - (size_t)o, "]}");
    return es_tlog_consistency_verify_json(NULL, (const uint8_t *)buf, strlen(buf), a, b);
}

static void test_consistency(void **state)
{
    (void)state;
    es_tlog_head h3 = head(3, 0), h5 = head(5, 0), f5 = head(5, 1);
    assert_int_equal(cons(3, 5, &h3, &h5), ES_OK);
    assert_int_equal(cons(3, 5, &h3, &f5), ES_ERR_CRYPTO_PROOF);
    /* the same size, two roots: a fork */
    assert_int_equal(cons(5, 5, &h5, &f5), ES_ERR_CRYPTO_PROOF);
    assert_int_equal(cons(5, 5, &h5, &h5), ES_OK);
    /* sizes that are not the heads' */
    assert_int_equal(cons(2, 5, &h3, &h5), ES_ERR_CRYPTO_PROOF);
    /* heads in the wrong order */
    assert_int_equal(cons(5, 3, &h5, &h3), ES_ERR_CRYPTO_PROOF);
}

static int export_rc(int n, int swap, const es_tlog_head *h, uint64_t *out_n)
{
    char buf[512];
    int o = snprintf(buf, sizeof(buf), "{\"entries\":[");
    for (int i = 0; i < n; i++) {
        int k = swap && i < 2 ? 1 - i : i;
        char *b64 = NULL;
        assert_int_equal(es_base64_encode((const uint8_t *)g_entries[k], 2, &b64), ES_OK);
        o += snprintf(buf + o, sizeof(buf) - (size_t)o, "%s\"%s\"", i ? "," : "", b64);
        es_free(b64);
    }
    snprintf(buf + o, sizeof(buf) - (size_t)o, "]}");
    return es_tlog_export_verify(NULL, (const uint8_t *)buf, strlen(buf), h, out_n);
}

static void test_export(void **state)
{
    (void)state;
    es_tlog_head h4 = head(4, 0), h5 = head(5, 0);
    uint64_t n = 0;
    assert_int_equal(export_rc(5, 0, &h5, &n), ES_OK);
    assert_int_equal(n, 5);
    assert_int_equal(export_rc(5, 0, &h4, &n), ES_OK); /* the log grew since */
    assert_int_equal(export_rc(4, 0, &h5, &n), ES_ERR_CRYPTO_PROOF); /* cut */
    assert_int_equal(export_rc(5, 1, &h5, &n), ES_ERR_CRYPTO_PROOF); /* reordered */
    const char *bad = "{\"entries\":[\"@@\"]}";
    es_tlog_head h1 = head(1, 0);
    assert_int_equal(es_tlog_export_verify(NULL, (const uint8_t *)bad, strlen(bad), &h1, &n),
                     ES_ERR_FORMAT_STRUCTURE);
    const char *none = "{\"rows\":[]}";
    assert_int_equal(es_tlog_export_verify(NULL, (const uint8_t *)none, strlen(none), &h1, &n),
                     ES_ERR_FORMAT_STRUCTURE);
}

int main(void)
{
    t_load_identity("maker", &g_key, &g_cert);
    t_load_identity("owner", &g_okey, &g_ocert);
    for (int i = 0; i < 5; i++) {
        es_tlog_leaf_hash((const uint8_t *)g_entries[i], 2, g_leaf[i]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sth),         cmocka_unit_test(test_inclusion),
        cmocka_unit_test(test_consistency), cmocka_unit_test(test_export),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    es_key_free(g_key);
    es_key_free(g_okey);
    es_cert_free(g_cert);
    es_cert_free(g_ocert);
    return rc;
}
