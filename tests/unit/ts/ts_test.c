/*
 * tests/unit/ts/ts_test.c - RFC 3161 time stamps with SM2: request /
 * response / token round trips, nonce echo, serial uniqueness, and one
 * negative test per way a token can be wrong (each with its own status).
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crypto/crypto.h"
#include "ts/ts_int.h"

static es_key *rk, *tk;
static es_cert *rc, *tc;
static es_trust *trust;
static es_tsa *tsa;
static const char data[] = "the signature value";

static int setup(void **state)
{
    (void)state;
    t_load_identity("root-ca", &rk, &rc);
    int64_t now = (int64_t)time(NULL);
    struct es_cert_spec s = {"/C=CN/O=eseal test/CN=eseal Test TSA", now - 86400, now + 86400 * 30,
                             false, true, true};
    assert_int_equal(es_key_generate(NULL, &tk), ES_OK);
    assert_true(es_is_ok(es_cert_build(&s, tk, rk, rc, &tc)));
    assert_int_equal(es_trust_new(NULL, &trust), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, trust, rc), ES_OK);
    assert_int_equal(es_tsa_new(NULL, tk, tc, &tsa), ES_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    es_tsa_free(tsa);
    es_trust_free(trust);
    es_key_free(rk);
    es_key_free(tk);
    es_cert_free(rc);
    es_cert_free(tc);
    return 0;
}

static uint8_t *make_req(const uint8_t *nonce, size_t nl, const char *policy, size_t *n)
{
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    es_ts_req_params p = {.digest = h, .digest_len = 32, .nonce = nonce, .nonce_len = nl,
                          .policy = policy, .cert_req = 1};
    uint8_t *req = NULL;
    assert_int_equal(es_ts_request(NULL, &p, &req, n), ES_OK);
    return req;
}

static es_ts_info verify_resp(const uint8_t *resp, size_t n, const es_trust *t,
                              const uint8_t *nonce, size_t nl)
{
    es_ts_verify_opts o = {.trust = t, .nonce = nonce, .nonce_len = nl};
    es_ts_info i;
    assert_int_equal(es_ts_verify_response(NULL, &o, resp, n, (const uint8_t *)data,
                                           strlen(data), NULL, 0, &i),
                     ES_OK);
    return i;
}

static void test_roundtrip(void **state)
{
    (void)state;
    uint8_t nonce[8];
    assert_int_equal(es_ts_nonce(NULL, nonce, sizeof(nonce)), ES_OK);
    size_t ql, rl;
    uint8_t *req = make_req(nonce, sizeof(nonce), NULL, &ql);
    struct es_ts_req q;
    assert_true(es_is_ok(es_ts_req_parse(req, ql, &q)));
    assert_true(q.has_nonce && q.cert_req);
    uint8_t *resp = NULL;
    assert_int_equal(es_tsa_respond(NULL, tsa, req, ql, &resp, &rl), ES_OK);
    es_ts_info i = verify_resp(resp, rl, trust, nonce, sizeof(nonce));
    if (i.status != ES_TS_VALID) {
        fail_msg("%s: %s", i.reason, i.detail);
    }
    assert_int_equal(i.nonce_len, 8);
    assert_memory_equal(i.nonce, nonce, 8);
    assert_string_equal(i.policy, ES_TS_DEFAULT_POLICY);
    assert_string_equal(i.hash_alg, ES_OID_SM3);
    assert_string_equal(i.sig_alg, ES_OID_SM2_SM3);
    assert_int_equal(strlen(i.serial_hex), 40);
    assert_int_equal(i.accuracy_ms, 1000);
    assert_non_null(strstr(i.tsa_subject, "eseal Test TSA"));
    assert_true(llabs(i.gen_time - (int64_t)time(NULL)) < 60);
    /* the token alone, against the digest */
    es_bytes tok;
    assert_int_equal(es_ts_response_token(NULL, resp, rl, &tok), ES_OK);
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    es_ts_verify_opts o = {.trust = trust};
    assert_int_equal(es_ts_verify_token(NULL, &o, tok.ptr, tok.len, NULL, 0, h, 32, &i), ES_OK);
    assert_int_equal(i.status, ES_TS_VALID);
    /* a replayed response: another nonce was sent */
    uint8_t other[8];
    assert_int_equal(es_ts_nonce(NULL, other, sizeof(other)), ES_OK);
    i = verify_resp(resp, rl, trust, other, sizeof(other));
    assert_int_equal(i.status, ES_TS_NONCE_MISMATCH);
    assert_string_equal(i.reason, "TIMESTAMP_NONCE_MISMATCH");
    /* stamped other data */
    assert_int_equal(es_ts_verify_token(NULL, &o, tok.ptr, tok.len, (const uint8_t *)"x", 1,
                                        NULL, 0, &i),
                     ES_OK);
    assert_int_equal(i.status, ES_TS_IMPRINT_MISMATCH);
    assert_string_equal(i.reason, "TIMESTAMP_IMPRINT_MISMATCH");
    /* no anchors; an unrelated anchor */
    i = verify_resp(resp, rl, NULL, NULL, 0);
    assert_int_equal(i.status, ES_TS_NO_TRUST_ANCHOR);
    es_trust *other_t;
    assert_int_equal(es_trust_new(NULL, &other_t), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, other_t, tc), ES_OK);
    i = verify_resp(resp, rl, other_t, NULL, 0);
    assert_int_equal(i.status, ES_TS_UNTRUSTED);
    assert_string_equal(i.reason, "TIMESTAMP_UNTRUSTED");
    es_trust_free(other_t);
    es_free(req);
    es_free(resp);
}

static void test_token_without_cert(void **state)
{
    (void)state;
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    es_ts_req_params p = {.digest = h, .digest_len = 32};
    uint8_t *req = NULL, *resp = NULL;
    size_t ql, rl;
    assert_int_equal(es_ts_request(NULL, &p, &req, &ql), ES_OK);
    assert_int_equal(es_tsa_respond(NULL, tsa, req, ql, &resp, &rl), ES_OK);
    es_ts_info i = verify_resp(resp, rl, trust, NULL, 0);
    assert_int_equal(i.status, ES_TS_UNTRUSTED); /* the TSA certificate is unknown */
    es_ts_verify_opts o = {.trust = trust, .tsa_cert = tc};
    assert_int_equal(es_ts_verify_response(NULL, &o, resp, rl, NULL, 0, h, 32, &i), ES_OK);
    assert_int_equal(i.status, ES_TS_VALID);
    es_free(req);
    es_free(resp);
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

static void test_serial_unique(void **state)
{
    (void)state;
    enum { N = 2000 };
    char(*serials)[44] = calloc(N, 44);
    assert_non_null(serials);
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    es_tsa *t2 = NULL; /* a second TSA with the same key: distinct random prefix */
    assert_int_equal(es_tsa_new(NULL, tk, tc, &t2), ES_OK);
    for (size_t k = 0; k < N; k++) {
        uint8_t *tok = NULL;
        size_t n;
        assert_int_equal(es_tsa_stamp(NULL, k % 2 ? tsa : t2, h, &tok, &n), ES_OK);
        struct es_ts_token t;
        assert_true(es_is_ok(es_ts_token_parse(tok, n, &t)));
        assert_int_equal(t.tst.serial.len, 20);
        for (size_t j = 0; j < 20; j++) {
            snprintf(serials[k] + 2 * j, 3, "%02x", t.tst.serial.ptr[j]);
        }
        es_free(tok);
    }
    qsort(serials, N, 44, cmp_str);
    for (size_t k = 1; k < N; k++) {
        assert_string_not_equal(serials[k - 1], serials[k]);
    }
    free(serials);
    es_tsa_free(t2);
}

static es_ts_status status_of(const uint8_t *tok, size_t n)
{
    es_ts_verify_opts o = {.trust = trust};
    es_ts_info i;
    assert_int_equal(es_ts_verify_token(NULL, &o, tok, n, (const uint8_t *)data, strlen(data),
                                        NULL, 0, &i),
                     ES_OK);
    return i.status;
}

static void test_altered_tokens(void **state)
{
    (void)state;
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    uint8_t *tok = NULL;
    size_t n;
    assert_int_equal(es_tsa_stamp(NULL, tsa, h, &tok, &n), ES_OK);
    assert_int_equal(status_of(tok, n), ES_TS_VALID);
    struct es_ts_token t;
    assert_true(es_is_ok(es_ts_token_parse(tok, n, &t)));
    /* the genTime inside the TSTInfo: messageDigest no longer matches */
    size_t off = (size_t)(t.econtent.ptr - tok) + t.econtent.len - 30;
    tok[off] ^= 1;
    es_ts_status s = status_of(tok, n);
    assert_true(s == ES_TS_SIGNATURE_INVALID || s == ES_TS_MALFORMED);
    tok[off] ^= 1;
    /* the signature value */
    off = (size_t)(t.signature.ptr - tok) + t.signature.len - 3;
    tok[off] ^= 1;
    assert_int_equal(status_of(tok, n), ES_TS_SIGNATURE_INVALID);
    tok[off] ^= 1;
    /* a signed attribute (messageDigest) */
    off = (size_t)(t.message_digest.ptr - tok) + 4;
    tok[off] ^= 1;
    assert_int_equal(status_of(tok, n), ES_TS_SIGNATURE_INVALID);
    tok[off] ^= 1;
    /* the imprint itself: the token stamps other data */
    off = (size_t)(t.tst.digest.ptr - tok);
    tok[off] ^= 1;
    assert_int_equal(status_of(tok, n), ES_TS_IMPRINT_MISMATCH);
    tok[off] ^= 1;
    assert_int_equal(status_of(tok, n), ES_TS_VALID);
    /* every truncation and every single-byte change: a status, never a crash */
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(status_of(tok, k), ES_TS_MALFORMED);
    }
    for (size_t k = 0; k < n; k += 3) {
        tok[k] ^= 0x5a;
        if (status_of(tok, n) == ES_TS_VALID) {
            fail_msg("a change at offset %zu of %zu went unnoticed", k, n);
        }
        tok[k] ^= 0x5a;
    }
    /* trailing bytes */
    uint8_t *tt = es_malloc(n + 1);
    memcpy(tt, tok, n);
    tt[n] = 0;
    assert_int_equal(status_of(tt, n + 1), ES_TS_MALFORMED);
    es_free(tt);
    es_free(tok);
}

static void test_tsa_time_and_usage(void **state)
{
    (void)state;
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    uint8_t *tok = NULL;
    size_t n;
    es_tsa *t2 = NULL;
    assert_int_equal(es_tsa_new(NULL, tk, tc, &t2), ES_OK);
    es_tsa_set_time(t2, es_cert_not_before(tc) - 3600);
    assert_int_equal(es_tsa_stamp(NULL, t2, h, &tok, &n), ES_OK);
    assert_int_equal(status_of(tok, n), ES_TS_TSA_NOT_VALID);
    es_free(tok);
    es_tsa_free(t2);
    /* a signing certificate without the timeStamping EKU cannot be a TSA */
    es_key *ok;
    es_cert *oc;
    t_load_identity("owner", &ok, &oc);
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_tsa_new(ctx, ok, oc, &t2), ES_ERR_POLICY_CERT_NOT_VALID);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "timeStamping"));
    assert_int_equal(es_tsa_new(ctx, ok, tc, &t2), ES_ERR_POLICY_KEY_MISMATCH);
    assert_null(t2);
    es_ctx_free(ctx);
    es_key_free(ok);
    es_cert_free(oc);
}

static void test_rejections(void **state)
{
    (void)state;
    uint8_t *resp = NULL;
    size_t rl, ql;
    /* garbage */
    assert_int_equal(es_tsa_respond(NULL, tsa, (const uint8_t *)"\x30\x03\x02\x01", 4, &resp, &rl),
                     ES_OK);
    struct es_ts_resp r;
    assert_true(es_is_ok(es_ts_resp_parse(resp, rl, &r)));
    assert_int_equal(r.status, 2);
    assert_true(r.fail_info & (1u << 5)); /* badDataFormat */
    es_ts_info i = verify_resp(resp, rl, trust, NULL, 0);
    assert_int_equal(i.status, ES_TS_REJECTED);
    es_free(resp);
    /* another policy */
    uint8_t *req = make_req(NULL, 0, "1.2.3.4", &ql);
    assert_int_equal(es_tsa_respond(NULL, tsa, req, ql, &resp, &rl), ES_OK);
    assert_true(es_is_ok(es_ts_resp_parse(resp, rl, &r)));
    assert_int_equal(r.status, 2);
    assert_true(r.fail_info & (1u << 15)); /* unacceptedPolicy */
    es_free(resp);
    es_free(req);
    /* the TSA's own policy is granted */
    assert_int_equal(es_tsa_set_policy(NULL, tsa, "1.2.3.4"), ES_OK);
    req = make_req(NULL, 0, "1.2.3.4", &ql);
    assert_int_equal(es_tsa_respond(NULL, tsa, req, ql, &resp, &rl), ES_OK);
    i = verify_resp(resp, rl, trust, NULL, 0);
    assert_int_equal(i.status, ES_TS_VALID);
    assert_string_equal(i.policy, "1.2.3.4");
    assert_int_equal(es_tsa_set_policy(NULL, tsa, ES_TS_DEFAULT_POLICY), ES_OK);
    es_free(resp);
    es_free(req);
    /* bad requests are refused by the encoder */
    es_ts_req_params p = {.digest = (const uint8_t *)"short", .digest_len = 5};
    assert_int_equal(es_ts_request(NULL, &p, &req, &ql), ES_ERR_USAGE_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),        cmocka_unit_test(test_token_without_cert),
        cmocka_unit_test(test_serial_unique),    cmocka_unit_test(test_altered_tokens),
        cmocka_unit_test(test_tsa_time_and_usage), cmocka_unit_test(test_rejections),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
