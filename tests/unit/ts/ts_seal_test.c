/*
 * tests/unit/ts/ts_seal_test.c - time stamps in seal signatures: es_sign
 * with a TSA, and verification "years later" (simulated with certificates
 * and a seal that have all expired by now): the proven time of the token,
 * not the verification time nor the signer's claim, decides the seal's and
 * the certificates' validity.
 */
#include "ts_testutil.h"

#include <time.h>

#include "crypto/crypto.h"
#include "seal/seal_int.h"
#include "ts/ts_int.h"
#include "verify/report_int.h"

#define DAY 86400
static es_key *rk, *mk, *ok, *tk;
static es_cert *rc, *mc, *oc, *tc;
static es_trust *trust;
static uint8_t *seal;
static size_t seal_len;
static int64_t now;
static const char data[] = "a contract sealed long ago";

static int setup(void **state)
{
    (void)state;
    now = (int64_t)time(NULL);
    /* a root valid long before and after (the demo PKI's starts now) */
    struct es_cert_spec rs = {"/C=CN/O=ts test/CN=Old Root", now - 30 * DAY, now + 30 * DAY, true,
                              false, false};
    assert_int_equal(es_key_generate(NULL, &rk), ES_OK);
    assert_true(es_is_ok(es_cert_build(&rs, rk, rk, NULL, &rc)));
    /* everything expired yesterday */
    struct es_cert_spec ms = {"/C=CN/O=ts test/CN=Maker", now - 10 * DAY, now - DAY, false, true,
                              false};
    struct es_cert_spec os = {"/C=CN/O=ts test/CN=Owner", now - 10 * DAY, now - DAY, false, true,
                              false};
    struct es_cert_spec ts = {"/C=CN/O=ts test/CN=Short-lived TSA", now - 10 * DAY, now - DAY,
                              false, true, true};
    assert_int_equal(es_key_generate(NULL, &mk), ES_OK);
    assert_int_equal(es_key_generate(NULL, &ok), ES_OK);
    assert_int_equal(es_key_generate(NULL, &tk), ES_OK);
    assert_true(es_is_ok(es_cert_build(&ms, mk, rk, rc, &mc)));
    assert_true(es_is_ok(es_cert_build(&os, ok, rk, rc, &oc)));
    assert_true(es_is_ok(es_cert_build(&ts, tk, rk, rc, &tc)));
    assert_int_equal(es_trust_new(NULL, &trust), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, trust, rc), ES_OK);
    seal = t_make_seal(mk, mc, oc, now - 5 * DAY, now - 2 * DAY, &seal_len);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    es_key_free(rk);
    es_key_free(mk);
    es_key_free(ok);
    es_key_free(tk);
    es_cert_free(rc);
    es_cert_free(mc);
    es_cert_free(oc);
    es_cert_free(tc);
    es_trust_free(trust);
    es_free(seal);
    return 0;
}

/* Signs at `t_sign` with a TSA whose clock says `t_tsa` (0: no token). */
static uint8_t *sign_at(int64_t t_sign, int64_t t_tsa, es_key *tsa_key, es_cert *tsa_cert,
                        size_t *n)
{
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    es_tsa *tsa = NULL;
    es_sign_params p = {.seal = seal, .seal_len = seal_len, .key = ok, .cert = oc,
                        .data_hash = h, .property_info = "contract.txt", .time = t_sign};
    if (t_tsa) {
        assert_int_equal(es_tsa_new(NULL, tsa_key, tsa_cert, &tsa), ES_OK);
        es_tsa_set_time(tsa, t_tsa);
        p.timestamp = es_tsa_stamp_cb;
        p.timestamp_arg = tsa;
    }
    uint8_t *sig = NULL;
    es_ctx *ctx = es_ctx_new();
    if (es_sign(ctx, &p, &sig, n) != ES_OK) {
        fail_msg("es_sign: %s", es_ctx_errmsg(ctx));
    }
    es_ctx_free(ctx);
    es_tsa_free(tsa);
    return sig;
}

static es_report *verify(const uint8_t *sig, size_t n)
{
    es_verify_opts o = {.trust = trust};
    es_report *r = NULL;
    assert_int_equal(es_verify_detached(NULL, &o, sig, n, (const uint8_t *)data, strlen(data), &r),
                     ES_OK);
    return r;
}

static char *text(const es_report *r)
{
    char *t = NULL;
    assert_int_equal(es_report_to_text(NULL, r, 0, &t), ES_OK);
    return t;
}

static void test_valid_long_after_expiry(void **state)
{
    (void)state;
    size_t n;
    int64_t t = now - 3 * DAY;
    uint8_t *sig = sign_at(t, t + 5, tk, tc, &n);
    struct es_signature g;
    assert_true(es_is_ok(es_signature_parse(&g, sig, n, ES_PROFILE_STRICT)));
    assert_true(g.has_timestamp);
    es_signature_clear(&g);
    es_report *r = verify(sig, n);
    if (es_report_verdict(r) != ES_VERDICT_TOTAL_PASSED) {
        fail_msg("%s", text(r));
    }
    const struct es_entry *e = r->entries[0];
    assert_int_equal(e->time, t + 5);
    assert_non_null(strstr(e->time_source, "time stamp of"));
    assert_non_null(strstr(e->time_source, "Short-lived TSA"));
    assert_int_equal(check_of(r, "timestamp")->result, ES_CHECK_PASSED);
    /* the order of the checks is unchanged: timestamp is the last line */
    assert_string_equal(e->checks[e->n_checks - 1].id, "timestamp");
    char *j = NULL;
    assert_int_equal(es_report_to_json(NULL, r, &j), ES_OK);
    assert_non_null(strstr(j, "time stamp of"));
    es_free(j);
    es_report_free(r);
    es_free(sig);
}

static void test_token_after_seal_end_fails(void **state)
{
    (void)state;
    size_t n;
    /* claimed inside the seal's window, proven only after its end */
    uint8_t *sig = sign_at(now - 3 * DAY, now - 2 * DAY + 3600, tk, tc, &n);
    es_report *r = verify(sig, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    assert_string_equal(check_of(r, "seal_validity")->reason, "SEAL_EXPIRED");
    assert_int_equal(check_of(r, "timestamp")->result, ES_CHECK_PASSED);
    es_report_free(r);
    es_free(sig);
    /* without a token the same claim passes: the claimed time was used */
    sig = sign_at(now - 3 * DAY, 0, NULL, NULL, &n);
    r = verify(sig, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    assert_string_equal(r->entries[0]->time_source, "timeInfo, as claimed by the signer");
    es_report_free(r);
    es_free(sig);
}

static void test_timeinfo_after_gentime_fails(void **state)
{
    (void)state;
    size_t n;
    uint8_t *sig = sign_at(now - 3 * DAY, now - 4 * DAY, tk, tc, &n);
    es_report *r = verify(sig, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    assert_string_equal(check_of(r, "timestamp")->reason, "TIMESTAMP_BEFORE_TIMEINFO");
    assert_string_equal(r->entries[0]->time_source, "timeInfo, as claimed by the signer");
    es_report_free(r);
    es_free(sig);
}

static void expect_ts(const uint8_t *sig, size_t n, es_check_result want, const char *reason)
{
    es_report *r = verify(sig, n);
    const struct es_check *c = check_of(r, "timestamp");
    if (c->result != want || strcmp(c->reason, reason) != 0) {
        fail_msg("want %s, got %s: %s", reason, c->reason, c->detail);
    }
    assert_string_equal(r->entries[0]->time_source, "timeInfo, as claimed by the signer");
    es_report_free(r);
}

static void test_bad_tokens(void **state)
{
    (void)state;
    size_t n, tn;
    int64_t t = now - 3 * DAY;
    uint8_t *sig = sign_at(t, t + 5, tk, tc, &n);
    struct es_signature g;
    assert_true(es_is_ok(es_signature_parse(&g, sig, n, ES_PROFILE_LENIENT)));
    size_t off = (size_t)(g.timestamp.ptr - sig);
    size_t len = g.timestamp.len;
    struct es_ts_token tok;
    assert_true(es_is_ok(es_ts_token_parse(g.timestamp.ptr, len, &tok)));
    size_t sig_off = off + (size_t)(tok.signature.ptr - g.timestamp.ptr);
    es_signature_clear(&g);
    /* a token over other data (same size, spliced in) */
    es_tsa *tsa = NULL;
    assert_int_equal(es_tsa_new(NULL, tk, tc, &tsa), ES_OK);
    es_tsa_set_time(tsa, t + 5);
    uint8_t other[32] = {1, 2, 3};
    uint8_t *tok2 = NULL;
    /* SM2 signatures vary in DER length: draw until the sizes match */
    for (int k = 0; k < 50; k++) {
        es_free(tok2);
        assert_int_equal(es_tsa_stamp(NULL, tsa, other, &tok2, &tn), ES_OK);
        if (tn == len) {
            break;
        }
    }
    uint8_t *m = es_malloc(n);
    memcpy(m, sig, n);
    assert_int_equal(tn, len);
    memcpy(m + off, tok2, tn);
    expect_ts(m, n, ES_CHECK_FAILED, "TIMESTAMP_IMPRINT_MISMATCH");
    es_free(tok2);
    es_tsa_free(tsa);
    /* the TSA's signature */
    memcpy(m, sig, n);
    m[sig_off + 10] ^= 1;
    expect_ts(m, n, ES_CHECK_FAILED, "TIMESTAMP_SIGNATURE_INVALID");
    /* not a token */
    memcpy(m, sig, n);
    m[off] = 0x31;
    expect_ts(m, n, ES_CHECK_FAILED, "TIMESTAMP_MALFORMED");
    es_free(m);
    es_free(sig);
    /* a TSA nobody trusts (self-issued) */
    es_key *sk;
    es_cert *sc;
    struct es_cert_spec ss = {"/CN=Rogue TSA", now - 10 * DAY, now + DAY, false, true, true};
    assert_int_equal(es_key_generate(NULL, &sk), ES_OK);
    assert_true(es_is_ok(es_cert_build(&ss, sk, sk, NULL, &sc)));
    sig = sign_at(t, t + 5, sk, sc, &n);
    expect_ts(sig, n, ES_CHECK_INDETERMINATE, "TIMESTAMP_UNTRUSTED");
    es_report *r = verify(sig, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_INDETERMINATE);
    es_report_free(r);
    es_free(sig);
    es_key_free(sk);
    es_cert_free(sc);
}

static int failing_tsa(void *arg, const uint8_t d[32], uint8_t **out, size_t *n)
{
    (void)arg;
    (void)d;
    (void)out;
    (void)n;
    return ES_ERR_IO_READ;
}

static int wrong_tsa(void *arg, const uint8_t d[32], uint8_t **out, size_t *n)
{
    (void)d;
    static const uint8_t other[32] = {9};
    return es_tsa_stamp(NULL, arg, other, out, n);
}

static void test_sign_with_failing_tsa(void **state)
{
    (void)state;
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    es_sign_params p = {.seal = seal, .seal_len = seal_len, .key = ok, .cert = oc,
                        .data_hash = h, .time = now - 3 * DAY, .timestamp = failing_tsa};
    uint8_t *sig = NULL;
    size_t n;
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_sign(ctx, &p, &sig, &n), ES_ERR_IO_READ);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "time-stamp authority"));
    p.timestamp_optional = 1;
    assert_int_equal(es_sign(ctx, &p, &sig, &n), ES_OK);
    struct es_signature g;
    assert_true(es_is_ok(es_signature_parse(&g, sig, n, ES_PROFILE_STRICT)));
    assert_false(g.has_timestamp);
    es_signature_clear(&g);
    es_free(sig);
    /* a TSA answering for other data is refused */
    es_tsa *tsa = NULL;
    assert_int_equal(es_tsa_new(NULL, tk, tc, &tsa), ES_OK);
    p.timestamp = wrong_tsa;
    p.timestamp_arg = tsa;
    p.timestamp_optional = 0;
    assert_int_equal(es_sign(ctx, &p, &sig, &n), ES_ERR_FORMAT_STRUCTURE);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "unusable"));
    es_tsa_free(tsa);
    es_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_long_after_expiry),
        cmocka_unit_test(test_token_after_seal_end_fails),
        cmocka_unit_test(test_timeinfo_after_gentime_fails),
        cmocka_unit_test(test_bad_tokens),
        cmocka_unit_test(test_sign_with_failing_tsa),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
