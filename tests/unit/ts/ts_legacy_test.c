/*
 * tests/unit/ts/ts_legacy_test.c - the two other places a token can sit
 * (ses-format.md): a v1 timeInfo holding a DER TimeStampToken (Q-TIME-3),
 * checked against dataHash and used as the claimed signing time; and the
 * v5 seal's own timeStamp [0], checked against the seal's signatureValue and
 * reported as a warning when it is not a valid token (ofdrw's placeholder).
 * Built on ofdrw's seals from ../shared/testdata (skipped when absent).
 */
#include "ts_testutil.h"

#include <stdlib.h>
#include <time.h>

#include "crypto/crypto.h"
#include "der/der.h"
#include "seal/seal_int.h"
#include "ts/ts_int.h"

static es_key *rk, *tk, *sk;
static es_cert *rc, *tc, *sc;
static es_trust *trust;
static es_tsa *tsa;
static const char data[] = "a document of 2014";
#define GEN_TIME ((int64_t)1700000000) /* 2023-11-14T22:13:20Z */

static int setup(void **state)
{
    (void)state;
    int64_t now = (int64_t)time(NULL);
    struct es_cert_spec rs = {"/CN=legacy root", GEN_TIME - 86400, now + 86400, true, false,
                              false};
    struct es_cert_spec ts = {"/CN=legacy TSA", GEN_TIME - 3600, now + 86400, false, true, true};
    struct es_cert_spec ss = {"/CN=legacy signer", GEN_TIME - 3600, now + 86400, false, true,
                              false};
    assert_int_equal(es_key_generate(NULL, &rk), ES_OK);
    assert_int_equal(es_key_generate(NULL, &tk), ES_OK);
    assert_int_equal(es_key_generate(NULL, &sk), ES_OK);
    assert_true(es_is_ok(es_cert_build(&rs, rk, rk, NULL, &rc)));
    assert_true(es_is_ok(es_cert_build(&ts, tk, rk, rc, &tc)));
    assert_true(es_is_ok(es_cert_build(&ss, sk, rk, rc, &sc)));
    assert_int_equal(es_trust_new(NULL, &trust), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, trust, rc), ES_OK);
    assert_int_equal(es_tsa_new(NULL, tk, tc, &tsa), ES_OK);
    es_tsa_set_time(tsa, GEN_TIME);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    es_tsa_free(tsa);
    es_trust_free(trust);
    es_key_free(rk);
    es_key_free(tk);
    es_key_free(sk);
    es_cert_free(rc);
    es_cert_free(tc);
    es_cert_free(sc);
    return 0;
}

/* A GM/T 0031-2014 SES_Signature { TBS_Sign, signature } around ofdrw's v1
 * seal, signed by our key (the binding to the seal fails, which is not what
 * these tests look at), with `time_info` as the content of timeInfo. */
static uint8_t *v1_signature(const uint8_t *seal, size_t seal_len, const uint8_t *time_info,
                             size_t ti_len, size_t *out_len)
{
    struct es_buf tbs, sig;
    size_t m, m2;
    uint8_t h[32], sv[72];
    size_t sv_len = 0;
    es_sm3(data, strlen(data), h);
    es_buf_init(&tbs, 0);
    es_buf_init(&sig, 0);
    es_bytes cert = es_cert_der(sc);
    assert_true(es_is_ok(es_derw_begin(&tbs, ES_DER_SEQUENCE, &m)));
    assert_true(es_is_ok(es_derw_int(&tbs, 1)));
    assert_true(es_is_ok(es_derw_raw(&tbs, seal, seal_len)));
    assert_true(es_is_ok(es_derw_bits(&tbs, time_info, ti_len)));
    assert_true(es_is_ok(es_derw_bits(&tbs, h, 32)));
    assert_true(es_is_ok(es_derw_tlv(&tbs, ES_DER_IA5_STRING, "doc.txt", 7)));
    assert_true(es_is_ok(es_derw_tlv(&tbs, ES_DER_OCTET_STRING, cert.ptr, cert.len)));
    assert_true(es_is_ok(es_derw_oid(&tbs, ES_OID_SM2_SM3)));
    assert_true(es_is_ok(es_derw_end(&tbs, m)));
    assert_int_equal(es_key_sign(NULL, sk, tbs.ptr, tbs.len, sv, &sv_len), ES_OK);
    assert_true(es_is_ok(es_derw_begin(&sig, ES_DER_SEQUENCE, &m2)));
    assert_true(es_is_ok(es_derw_raw(&sig, tbs.ptr, tbs.len)));
    assert_true(es_is_ok(es_derw_bits(&sig, sv, sv_len)));
    assert_true(es_is_ok(es_derw_end(&sig, m2)));
    uint8_t *out = NULL;
    assert_true(es_is_ok(es_buf_take(&sig, &out, out_len)));
    es_buf_free(&tbs);
    return out;
}

static es_report *verify_v1(const uint8_t *time_info, size_t ti_len)
{
    size_t seal_len = 0, n = 0;
    const char *path = t_testdata("ofdrw/UserV1.esl");
    uint8_t *seal = t_read_file(path, &seal_len);
    uint8_t *sig = v1_signature(seal, seal_len, time_info, ti_len, &n);
    es_verify_opts o = {.trust = trust};
    es_report *r = NULL;
    assert_int_equal(es_verify_detached(NULL, &o, sig, n, (const uint8_t *)data, strlen(data), &r),
                     ES_OK);
    assert_int_equal(r->entries[0]->version, 1);
    free(seal);
    es_free(sig);
    return r;
}

static void test_v1_timeinfo_token(void **state)
{
    (void)state;
    if (!t_testdata("ofdrw/UserV1.esl")) {
        skip();
    }
    uint8_t h[32], *tok = NULL;
    size_t tl = 0;
    /* a token over dataHash: checked, its genTime is the claimed signing time */
    es_sm3(data, strlen(data), h);
    assert_int_equal(es_tsa_stamp(NULL, tsa, h, &tok, &tl), ES_OK);
    es_report *r = verify_v1(tok, tl);
    expect_result(r, "timeinfo_token", ES_CHECK_PASSED, "");
    assert_non_null(strstr(check_of(r, "timeinfo_token")->detail, "legacy TSA"));
    const struct es_entry *e = r->entries[0];
    assert_true(e->time_known);
    assert_int_equal(e->time, GEN_TIME);
    /* claimed, never the "time stamp of" that marks a proven time */
    assert_null(strstr(e->time_source, "time stamp of"));
    assert_non_null(strstr(e->time_source, "timeInfo (v1)"));
    assert_int_equal(check_of(r, "signature")->result, ES_CHECK_PASSED);
    es_report_free(r);
    es_free(tok);

    /* a token over other data: a warning, the time still read from it */
    es_sm3("something else", 14, h);
    assert_int_equal(es_tsa_stamp(NULL, tsa, h, &tok, &tl), ES_OK);
    r = verify_v1(tok, tl);
    expect_result(r, "timeinfo_token", ES_CHECK_WARNING, "TIMESTAMP_IMPRINT_MISMATCH");
    assert_int_equal(r->entries[0]->time, GEN_TIME);
    es_report_free(r);

    /* a token whose signature was tampered with: FAILED */
    es_free(tok);
    es_sm3(data, strlen(data), h);
    assert_int_equal(es_tsa_stamp(NULL, tsa, h, &tok, &tl), ES_OK);
    struct es_ts_token t;
    assert_true(es_is_ok(es_ts_token_parse(tok, tl, &t)));
    size_t off = (size_t)(t.signature.ptr - tok) + t.signature.len - 2;
    tok[off] ^= 0x01;
    r = verify_v1(tok, tl);
    expect_result(r, "timeinfo_token", ES_CHECK_FAILED, "TIMESTAMP_SIGNATURE_INVALID");
    es_report_free(r);
    es_free(tok);

    /* not a token at all, though it starts like one: FAILED, time unknown */
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x07};
    r = verify_v1(junk, sizeof(junk));
    expect_result(r, "timeinfo_token", ES_CHECK_FAILED, "TIMESTAMP_MALFORMED");
    assert_false(r->entries[0]->time_known);
    es_report_free(r);
}

#ifdef ES_SES_V5
/* ofdrw's v5 seal without a time stamp, with `tok` appended as timeStamp [0]. */
static uint8_t *v5_seal_with(const uint8_t *tok, size_t tl, size_t *out_len)
{
    size_t n = 0;
    uint8_t *seal = t_read_file(t_testdata("ofdrw/UserV5.esl"), &n);
    struct es_der_cur top, c;
    struct es_der_elem e;
    es_der_init(&top, seal, n, NULL);
    assert_true(es_is_ok(es_der_enter(&top, ES_DER_SEQUENCE, &c, &e)));
    struct es_buf b;
    size_t m, x;
    es_buf_init(&b, 0);
    assert_true(es_is_ok(es_derw_begin(&b, ES_DER_SEQUENCE, &m)));
    assert_true(es_is_ok(es_derw_raw(&b, e.val, e.val_len)));
    assert_true(es_is_ok(es_derw_begin(&b, ES_DER_CTX0_CONS, &x)));
    assert_true(es_is_ok(es_derw_bits(&b, tok, tl)));
    assert_true(es_is_ok(es_derw_end(&b, x)));
    assert_true(es_is_ok(es_derw_end(&b, m)));
    uint8_t *out = NULL;
    assert_true(es_is_ok(es_buf_take(&b, &out, out_len)));
    free(seal);
    return out;
}

static es_report *verify_seal(const uint8_t *seal, size_t n)
{
    es_verify_opts o = {.trust = trust};
    es_report *r = NULL;
    assert_int_equal(es_verify_seal(NULL, &o, seal, n, &r), ES_OK);
    return r;
}
#endif

static void test_v5_seal_timestamp(void **state)
{
    (void)state;
#ifndef ES_SES_V5
    skip(); /* this build does not read v5 seals */
#else
    if (!t_testdata("ofdrw/UserV5.esl") || !t_testdata("ofdrw/UserV5_ts.esl")) {
        skip();
    }
    /* ofdrw's placeholder 00 01 02 03: a warning, not a failure */
    size_t n = 0;
    uint8_t *ph = t_read_file(t_testdata("ofdrw/UserV5_ts.esl"), &n);
    es_report *r = verify_seal(ph, n);
    expect_result(r, "seal_timestamp", ES_CHECK_WARNING, "TIMESTAMP_MALFORMED");
    expect_result(r, "structure", ES_CHECK_PASSED, "");
    es_report_free(r);
    free(ph);

    /* a real token over the seal's signatureValue */
    size_t sn = 0;
    uint8_t *plain = t_read_file(t_testdata("ofdrw/UserV5.esl"), &sn);
    struct es_seal s;
    assert_true(es_is_ok(es_seal_parse(&s, plain, sn, 0, ES_PROFILE_LENIENT)));
    uint8_t h[32], *tok = NULL;
    size_t tl = 0;
    es_sm3(s.signed_value.ptr, s.signed_value.len, h);
    es_seal_clear(&s);
    free(plain);
    assert_int_equal(es_tsa_stamp(NULL, tsa, h, &tok, &tl), ES_OK);
    uint8_t *seal = v5_seal_with(tok, tl, &n);
    r = verify_seal(seal, n);
    expect_result(r, "seal_timestamp", ES_CHECK_PASSED, "");
    assert_non_null(strstr(check_of(r, "seal_timestamp")->detail, "2023-11-14T22:13:20Z"));
    es_report_free(r);
    es_free(seal);
    es_free(tok);

    /* a token over something else: a warning naming the mismatch */
    es_sm3("another seal", 12, h);
    assert_int_equal(es_tsa_stamp(NULL, tsa, h, &tok, &tl), ES_OK);
    seal = v5_seal_with(tok, tl, &n);
    r = verify_seal(seal, n);
    expect_result(r, "seal_timestamp", ES_CHECK_WARNING, "TIMESTAMP_IMPRINT_MISMATCH");
    es_report_free(r);
    es_free(seal);
    es_free(tok);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_timeinfo_token),
        cmocka_unit_test(test_v5_seal_timestamp),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
