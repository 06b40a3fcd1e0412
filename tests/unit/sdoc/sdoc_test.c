/*
 * tests/unit/sdoc/sdoc_test.c - signed JSON envelopes (eseal/sdoc.h): made
 * and checked; a changed tbs, signature, signer or content is refused, each
 * malformed field named; eseald's form (no signer_cert) is read.
 */
#include "testlib.h"

#include <jansson.h>
#include <stdio.h>

#include "der/der.h"
#include "sdoc/sdoc_int.h"

static es_key *g_key, *g_okey;
static es_cert *g_cert, *g_ocert;

static const char k_tbs[] = "{\"esid\":\"ES-1\",\"next_update\":200,\"status\":\"active\","
                            "\"this_update\":100,\"type\":\"eseal-status/1\"}";

static char *sign_doc(const char *tbs)
{
    char *out = NULL;
    size_t n = 0;
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_sdoc_sign(ctx, g_key, g_cert, tbs, strlen(tbs), &out, &n), ES_OK);
    assert_int_equal(strlen(out), n);
    es_ctx_free(ctx);
    return out;
}

/* Re-writes one member of an envelope (NULL value: removes it). */
static char *edit(const char *doc, const char *key, json_t *value)
{
    json_t *j = json_loads(doc, 0, NULL);
    assert_non_null(j);
    if (value) {
        json_object_set_new(j, key, value);
    } else {
        json_object_del(j, key);
    }
    char *t = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return t;
}

static int verify_rc(const char *doc, const es_cert *signer, const char *msg_part)
{
    es_ctx *ctx = es_ctx_new();
    es_sdoc *d = NULL;
    int rc = es_sdoc_verify(ctx, (const uint8_t *)doc, strlen(doc), signer, &d);
    if (rc != ES_OK) {
        assert_null(d);
        if (msg_part && !strstr(es_ctx_errmsg(ctx), msg_part)) {
            fail_msg("message \"%s\" lacks \"%s\"", es_ctx_errmsg(ctx), msg_part);
        }
    }
    es_sdoc_free(d);
    es_ctx_free(ctx);
    return rc;
}

static void test_round_trip(void **state)
{
    (void)state;
    char *doc = sign_doc(k_tbs);
    es_ctx *ctx = es_ctx_new();
    es_sdoc *d = NULL;
    assert_int_equal(es_sdoc_verify(ctx, (const uint8_t *)doc, strlen(doc), g_cert, &d), ES_OK);
    assert_true(es_sdoc_signature_checked(d));
    es_bytes tbs = es_sdoc_tbs(d);
    assert_int_equal(tbs.len, strlen(k_tbs));
    assert_memory_equal(tbs.ptr, k_tbs, tbs.len);
    assert_string_equal(es_sdoc_type(d), "eseal-status/1");
    assert_string_equal(es_sdoc_get_str(d, "esid"), "ES-1");
    assert_null(es_sdoc_get_str(d, "missing"));
    int64_t v = 0;
    assert_int_equal(es_sdoc_get_int(d, "next_update", &v), ES_OK);
    assert_int_equal(v, 200);
    assert_int_equal(es_sdoc_get_int(d, "esid", &v), ES_ERR_FORMAT_STRUCTURE);
    assert_string_equal(es_sdoc_signer_serial(d), es_cert_serial_hex(g_cert));
    assert_string_equal(es_sdoc_signer_subject(d), es_cert_subject(g_cert));
    es_cert *c = NULL;
    assert_int_equal(es_sdoc_signer_cert(ctx, d, &c), ES_OK);
    assert_non_null(c);
    assert_memory_equal(es_cert_der(c).ptr, es_cert_der(g_cert).ptr, es_cert_der(c).len);
    es_cert_free(c);
    es_sdoc_free(d);

    /* parse now, check later */
    assert_int_equal(es_sdoc_verify(ctx, (const uint8_t *)doc, strlen(doc), NULL, &d), ES_OK);
    assert_false(es_sdoc_signature_checked(d));
    assert_int_equal(es_sdoc_check_signature(ctx, d, g_ocert), ES_ERR_CRYPTO_SIGNATURE);
    assert_false(es_sdoc_signature_checked(d));
    assert_int_equal(es_sdoc_check_signature(ctx, d, g_cert), ES_OK);
    assert_true(es_sdoc_signature_checked(d));
    es_sdoc_free(d);
    es_ctx_free(ctx);
    free(doc);
}

static void test_tampered(void **state)
{
    (void)state;
    char *doc = sign_doc(k_tbs);
    /* another signer's key */
    assert_int_equal(verify_rc(doc, g_ocert, "does not verify"), ES_ERR_CRYPTO_SIGNATURE);
    /* the signed bytes changed (content changed alike, so only the signature tells) */
    const char *t2 = "{\"esid\":\"ES-1\",\"next_update\":200,\"status\":\"revoked\","
                     "\"this_update\":100,\"type\":\"eseal-status/1\"}";
    char *t64 = NULL;
    assert_true(es_is_ok(es_b64_encode((const uint8_t *)t2, strlen(t2), &t64)));
    char *d1 = edit(doc, "tbs", json_string(t64));
    char *d2 = edit(d1, "content", json_loads(t2, 0, NULL));
    assert_int_equal(verify_rc(d2, g_cert, "does not verify"), ES_ERR_CRYPTO_SIGNATURE);
    /* the unsigned content copy changed */
    char *d3 = edit(doc, "content", json_loads(t2, 0, NULL));
    assert_int_equal(verify_rc(d3, g_cert, "content"), ES_ERR_FORMAT_STRUCTURE);
    /* the signature of another document */
    char *other = sign_doc(t2);
    json_t *oj = json_loads(other, 0, NULL);
    char *d4 = edit(doc, "signature", json_incref(json_object_get(oj, "signature")));
    assert_int_equal(verify_rc(d4, g_cert, NULL), ES_ERR_CRYPTO_SIGNATURE);
    json_decref(oj);
    es_free(t64);
    free(d1);
    free(d2);
    free(d3);
    free(d4);
    free(other);
    free(doc);
}

static void test_malformed(void **state)
{
    (void)state;
    char *doc = sign_doc(k_tbs);
    assert_int_equal(verify_rc("not json", g_cert, "not JSON"), ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(verify_rc("[1,2]", g_cert, "not a JSON object"), ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(verify_rc("{\"alg\":\"SM2-with-SM3\",\"alg\":\"x\"}", g_cert, "duplicate"),
                     ES_ERR_FORMAT_STRUCTURE);
    static const char *fields[] = {"alg", "tbs", "signature"};
    for (size_t i = 0; i < 3; i++) {
        char *d = edit(doc, fields[i], NULL);
        assert_int_equal(verify_rc(d, g_cert, fields[i]), ES_ERR_FORMAT_STRUCTURE);
        free(d);
        d = edit(doc, fields[i], json_integer(3));
        assert_int_equal(verify_rc(d, g_cert, fields[i]), ES_ERR_FORMAT_STRUCTURE);
        free(d);
    }
    char *d = edit(doc, "alg", json_string("RSA"));
    assert_int_equal(verify_rc(d, g_cert, "SM2-with-SM3"), ES_ERR_FORMAT_STRUCTURE);
    free(d);
    d = edit(doc, "tbs", json_string("@@@@"));
    assert_int_equal(verify_rc(d, g_cert, "base64"), ES_ERR_FORMAT_STRUCTURE);
    free(d);
    d = edit(doc, "signature", json_string("AB=C"));
    assert_int_equal(verify_rc(d, g_cert, "signature"), ES_ERR_FORMAT_STRUCTURE);
    free(d);
    /* tbs is "[1]" */
    d = edit(doc, "tbs", json_string("WzFd"));
    assert_int_equal(verify_rc(d, g_cert, "tbs"), ES_ERR_FORMAT_STRUCTURE);
    free(d);
    /* signing something that is not an object */
    es_ctx *ctx = es_ctx_new();
    char *out = NULL;
    size_t n;
    assert_int_equal(es_sdoc_sign(ctx, g_key, g_cert, "[1]", 3, &out, &n),
                     ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(es_sdoc_sign(ctx, g_okey, g_cert, k_tbs, strlen(k_tbs), &out, &n),
                     ES_ERR_POLICY_KEY_MISMATCH);
    assert_null(out);
    /* an unreadable signer_cert is reported when asked for */
    d = edit(doc, "signer_cert", json_string("AAAA"));
    es_sdoc *sd = NULL;
    assert_int_equal(es_sdoc_verify(ctx, (const uint8_t *)d, strlen(d), g_cert, &sd), ES_OK);
    es_cert *c = NULL;
    assert_int_not_equal(es_sdoc_signer_cert(ctx, sd, &c), ES_OK);
    assert_null(c);
    es_sdoc_free(sd);
    free(d);
    es_ctx_free(ctx);
    free(doc);
}

/* eseald's own envelopes have no signer_cert and are read alike. */
static void test_platform_form(void **state)
{
    (void)state;
    char *doc = sign_doc(k_tbs);
    char *d = edit(doc, "signer_cert", NULL);
    es_ctx *ctx = es_ctx_new();
    es_sdoc *sd = NULL;
    assert_int_equal(es_sdoc_verify(ctx, (const uint8_t *)d, strlen(d), g_cert, &sd), ES_OK);
    es_cert *c = (es_cert *)1;
    assert_int_equal(es_sdoc_signer_cert(ctx, sd, &c), ES_OK);
    assert_null(c);
    es_sdoc_free(sd);
    /* and without the content copy */
    char *d2 = edit(d, "content", NULL);
    assert_int_equal(verify_rc(d2, g_cert, NULL), ES_OK);
    free(d2);
    free(d);
    es_ctx_free(ctx);
    free(doc);
}

static void test_json_helpers(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:s,s:I,s:s,s:s}", "a", "2026-11-24T18:16:21Z", "b", (json_int_t)5,
                          "c", "2026-11-24 18:16:21", "h",
                          "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");
    int64_t t;
    assert_true(es_is_ok(es_json_time(o, "x", "a", &t)));
    assert_int_equal(t, es_time_from_fields(2026, 11, 24, 18, 16, 21));
    assert_true(es_is_ok(es_json_time(o, "x", "b", &t)));
    assert_int_equal(t, 5);
    assert_int_equal(es_json_time(o, "x", "c", &t).rc, ES_ERR_FORMAT_TIME);
    assert_int_equal(es_json_time(o, "x", "zz", &t).rc, ES_ERR_FORMAT_STRUCTURE);
    uint8_t h[32];
    assert_true(es_is_ok(es_json_hash(json_object_get(o, "h"), "x", h)));
    assert_int_equal(h[31], 0xff);
    assert_int_equal(es_json_hash(json_object_get(o, "a"), "x", h).rc, ES_ERR_FORMAT_STRUCTURE);
    json_decref(o);
}

int main(void)
{
    t_load_identity("maker", &g_key, &g_cert);
    t_load_identity("owner", &g_okey, &g_ocert);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_malformed),     cmocka_unit_test(test_platform_form),
        cmocka_unit_test(test_json_helpers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    es_key_free(g_key);
    es_key_free(g_okey);
    es_cert_free(g_cert);
    es_cert_free(g_ocert);
    return rc;
}
