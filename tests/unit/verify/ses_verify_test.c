/*
 * tests/unit/verify/ses_verify_test.c - seals and signatures eseal makes:
 * sign/verify round trips, refusals when signing, and the negative tests:
 * each field of a valid signature altered in turn must make the verdict
 * TOTAL-FAILED at the right check.
 */
#include "testlib.h"

#include <time.h>

#include "seal/seal_int.h"
#include "verify/report_int.h"

static es_key *mk, *ok;
static es_cert *mc, *oc, *rc;
static es_trust *trust;
static uint8_t *seal;
static size_t seal_len;
static const char data[] = "contract text";

static int setup(void **state)
{
    (void)state;
    es_key *rk;
    t_load_identity("maker", &mk, &mc);
    t_load_identity("owner", &ok, &oc);
    t_load_identity("root-ca", &rk, &rc);
    es_key_free(rk);
    assert_int_equal(es_trust_new(NULL, &trust), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, trust, rc), ES_OK);
    int64_t now = (int64_t)time(NULL);
    seal = t_make_seal(mk, mc, oc, now - 60, now + 86400, &seal_len);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    es_key_free(mk);
    es_key_free(ok);
    es_cert_free(mc);
    es_cert_free(oc);
    es_cert_free(rc);
    es_trust_free(trust);
    es_free(seal);
    return 0;
}

static uint8_t *sign_now(size_t *n)
{
    uint8_t *sig = NULL;
    assert_int_equal(es_sign_data(NULL, seal, seal_len, ok, oc, (const uint8_t *)data,
                                  strlen(data), "contract.txt", &sig, n),
                     ES_OK);
    return sig;
}

static es_report *verify(const uint8_t *sig, size_t n, const es_trust *t, bool no_chain)
{
    es_verify_opts o = {.trust = t, .no_chain = no_chain};
    es_report *r = NULL;
    assert_int_equal(es_verify_detached(NULL, &o, sig, n, (const uint8_t *)data, strlen(data), &r),
                     ES_OK);
    return r;
}

/* id of the first FAILED check, or "" */
static const char *first_failed(const es_report *r, char *buf)
{
    buf[0] = '\0';
    for (size_t j = 0; j < es_report_check_count(r, 0); j++) {
        const char *id;
        es_check_result cr;
        assert_int_equal(es_report_check(r, 0, j, &id, &cr, NULL, NULL), ES_OK);
        if (cr == ES_CHECK_FAILED) {
            strcpy(buf, id);
            break;
        }
    }
    return buf;
}

static void test_roundtrip_passes(void **state)
{
    (void)state;
    size_t n;
    uint8_t *sig = sign_now(&n);
    es_report *r = verify(sig, n, trust, false);
    char *j = NULL;
    assert_int_equal(es_report_to_json(NULL, r, &j), ES_OK);
    if (es_report_verdict(r) != ES_VERDICT_TOTAL_PASSED) {
        fail_msg("%s", j);
    }
    assert_non_null(strstr(j, "\"verdict\":\"TOTAL-PASSED\""));
    assert_non_null(strstr(j, "\"esid\":\"TEST-0001\""));
    assert_int_equal(es_report_check_count(r, 0), 8);
    es_free(j);
    es_report_free(r);
    /* the signature eseal writes decodes and re-encodes byte-identically */
    struct es_signature g;
    assert_true(es_is_ok(es_signature_parse(&g, sig, n, ES_PROFILE_STRICT)));
    assert_int_equal(g.w.n, 0);
    struct es_buf b;
    es_buf_init(&b, 0);
    assert_true(es_is_ok(es_signature_reencode(&g, &b)));
    assert_int_equal(b.len, n);
    assert_memory_equal(b.ptr, sig, n);
    assert_memory_equal(g.seal.tlv.ptr, seal, seal_len);
    es_buf_free(&b);
    es_signature_clear(&g);
    es_free(sig);
}

static void test_no_trust_is_indeterminate(void **state)
{
    (void)state;
    size_t n;
    uint8_t *sig = sign_now(&n);
    es_report *r = verify(sig, n, NULL, false);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_INDETERMINATE);
    assert_string_equal(es_report_entry_reason(r, 0), "NO_TRUST_ANCHOR");
    es_report_free(r);
    /* an unrelated anchor: the chain cannot be built */
    es_key *k;
    es_cert *c;
    t_load_identity("owner", &k, &c);
    es_trust *other;
    assert_int_equal(es_trust_new(NULL, &other), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, other, mc), ES_OK);
    r = verify(sig, n, other, false);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_INDETERMINATE);
    es_report_free(r);
    r = verify(sig, n, NULL, true);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    es_trust_free(other);
    es_key_free(k);
    es_cert_free(c);
    es_free(sig);
}

static void expect_fail_at(const uint8_t *sig0, size_t n, size_t off, const char *check)
{
    uint8_t *m = es_malloc(n);
    memcpy(m, sig0, n);
    m[off] ^= 0x01;
    es_report *r = verify(m, n, trust, false);
    char buf[64];
    if (es_report_verdict(r) != ES_VERDICT_TOTAL_FAILED ||
        strcmp(first_failed(r, buf), check) != 0) {
        char *t = NULL;
        assert_int_equal(es_report_to_text(NULL, r, 0, &t), ES_OK);
        fail_msg("flip at %zu: expected FAILED at %s, got %s\n%s", off, check, buf, t);
    }
    es_report_free(r);
    es_free(m);
}

static size_t off_of(const struct es_signature *g, const uint8_t *base, const uint8_t *p)
{
    (void)g;
    return (size_t)(p - base);
}

static void test_each_field_altered(void **state)
{
    (void)state;
    size_t n;
    uint8_t *sig = sign_now(&n);
    struct es_signature g;
    assert_true(es_is_ok(es_signature_parse(&g, sig, n, ES_PROFILE_LENIENT)));
    const struct es_seal *s = &g.seal;
    /* the seal's content is protected by the maker's signature */
    expect_fail_at(sig, n, off_of(&g, sig, (const uint8_t *)s->name_raw.ptr), "seal_signature");
    expect_fail_at(sig, n, off_of(&g, sig, s->pic_data.ptr), "seal_signature");
    expect_fail_at(sig, n, off_of(&g, sig, s->certs[0].ptr + s->certs[0].len - 5),
                   "seal_signature");
    expect_fail_at(sig, n, off_of(&g, sig, s->signed_value.ptr + 10), "seal_signature");
    /* the data hash */
    expect_fail_at(sig, n, off_of(&g, sig, g.data_hash.ptr), "data_hash");
    /* the signature value (outside TBS_Sign) */
    expect_fail_at(sig, n, off_of(&g, sig, g.signature.ptr + 10), "signature");
    /* propertyInfo and the time are covered by the signer's signature */
    expect_fail_at(sig, n, off_of(&g, sig, (const uint8_t *)g.tbs_tlv.ptr + g.tbs_tlv.len - 3),
                   "signature");
    expect_fail_at(sig, n, off_of(&g, sig, g.time_raw.ptr + 11), "signature");
    /* the signer certificate (its signature bytes): no longer in the seal */
    expect_fail_at(sig, n, off_of(&g, sig, g.cert.ptr + g.cert.len - 5), "signer_binding");
    es_signature_clear(&g);
    es_free(sig);
}

static void test_time_checks(void **state)
{
    (void)state;
    int64_t now = (int64_t)time(NULL);
    /* signed (allowed by the caller) after the seal's end: seal_validity fails */
    size_t sl, n;
    uint8_t *old = t_make_seal(mk, mc, oc, now - 86400 * 3, now - 86400 * 2, &sl);
    uint8_t h[32];
    es_sm3(data, strlen(data), h);
    es_sign_params p = {.seal = old, .seal_len = sl, .key = ok, .cert = oc, .data_hash = h,
                        .property_info = "x", .time = now};
    uint8_t *sig = NULL;
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_sign(ctx, &p, &sig, &n), ES_ERR_POLICY_SEAL_NOT_VALID);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "TEST-0001"));
    p.allow_expired = 1;
    assert_int_equal(es_sign(ctx, &p, &sig, &n), ES_OK);
    es_report *r = verify(sig, n, trust, false);
    char buf[64];
    assert_string_equal(first_failed(r, buf), "seal_validity");
    assert_string_equal(es_report_entry_reason(r, 0), "SEAL_EXPIRED");
    es_report_free(r);
    es_free(sig);
    /* a time before the signer certificate: signer_chain fails */
    p.seal = seal;
    p.seal_len = seal_len;
    p.time = es_cert_not_before(oc) - 3600;
    assert_int_equal(es_sign(ctx, &p, &sig, &n), ES_OK);
    r = verify(sig, n, trust, false);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    es_report_free(r);
    es_free(sig);
    es_free(old);
    es_ctx_free(ctx);
}

static void test_sign_refusals(void **state)
{
    (void)state;
    es_ctx *ctx = es_ctx_new();
    uint8_t *sig = NULL;
    size_t n;
    /* the maker's key with the owner's certificate */
    assert_int_equal(es_sign_data(ctx, seal, seal_len, mk, oc, (const uint8_t *)"x", 1, "x", &sig,
                                  &n),
                     ES_ERR_POLICY_KEY_MISMATCH);
    /* a certificate not listed in the seal */
    assert_int_equal(es_sign_data(ctx, seal, seal_len, mk, mc, (const uint8_t *)"x", 1, "x", &sig,
                                  &n),
                     ES_ERR_POLICY_KEY_MISMATCH);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "not one of the seal"));
    /* non-ASCII propertyInfo cannot be an IA5String */
    assert_int_equal(es_sign_data(ctx, seal, seal_len, ok, oc, (const uint8_t *)"x", 1, "合同",
                                  &sig, &n),
                     ES_ERR_USAGE_ARG);
    /* garbage instead of a seal */
    assert_int_equal(es_sign_data(ctx, (const uint8_t *)"\x30\x03\x02\x01", 4, ok, oc,
                                  (const uint8_t *)"x", 1, "x", &sig, &n),
                     ES_ERR_FORMAT_TRUNCATED);
    assert_null(sig);
    es_ctx_free(ctx);
}

static void test_seal_make_refusals(void **state)
{
    (void)state;
    es_ctx *ctx = es_ctx_new();
    const es_cert *certs[1] = {oc};
    static const uint8_t gif[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00, 0x72, 0xb6, 0x0d, 0x24, 0x00, 0x00, 0x00, 0x11, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x78, 0xc6, 0x20, 0xf4, 0x1f, 0x84, 0x19, 0x60, 0x0c, 0x00, 0x46, 0x14, 0x07, 0xdd, 0xe5, 0xb4, 0xff, 0x47, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    int64_t now = (int64_t)time(NULL);
    es_seal_params p = {.name = "章", .signer_certs = certs, .n_signer_certs = 1,
                        .valid_end = now + 3600, .picture = gif, .picture_len = sizeof(gif)};
    uint8_t *der = NULL;
    size_t n;
    /* validity end after the signer certificate's end */
    p.valid_end = es_cert_not_after(oc) + 10;
    assert_int_equal(es_seal_make(ctx, &p, mk, mc, &der, &n), ES_ERR_POLICY_VALIDITY);
    p.valid_end = now + 3600;
    /* picture type detected from content, not trusted; a truncated image fails */
    p.picture = (const uint8_t *)"not an image";
    p.picture_len = 12;
    assert_int_equal(es_seal_make(ctx, &p, mk, mc, &der, &n), ES_ERR_FORMAT_IMAGE);
    p.picture = gif;
    p.picture_len = sizeof(gif) - 20;
    assert_int_equal(es_seal_make(ctx, &p, mk, mc, &der, &n), ES_ERR_FORMAT_IMAGE);
    p.picture = gif;
    p.picture_len = sizeof(gif);
    /* maker key not matching the maker certificate */
    assert_int_equal(es_seal_make(ctx, &p, ok, mc, &der, &n), ES_ERR_POLICY_KEY_MISMATCH);
    assert_int_equal(es_seal_make(ctx, &p, mk, mc, &der, &n), ES_OK);
    es_seal *s = NULL;
    assert_int_equal(es_seal_decode(ctx, der, n, &s), ES_OK);
    const char *type;
    es_seal_picture(s, &type, NULL, NULL);
    assert_string_equal(type, "PNG");
    assert_int_equal(strlen(es_seal_esid(s)), 32);
    assert_int_equal(es_seal_version(s), 4);
    es_seal_free(s);
    /* trailing garbage after a seal is refused with its offset */
    uint8_t *t = es_malloc(n + 2);
    memcpy(t, der, n);
    t[n] = t[n + 1] = 0;
    assert_int_equal(es_seal_decode(ctx, t, n + 2, &s), ES_ERR_FORMAT_TRAILING);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "offset"));
    /* every truncation fails cleanly */
    for (size_t k = 0; k < n; k += 7) {
        assert_int_not_equal(es_seal_decode(ctx, der, k, &s), ES_OK);
        assert_null(s);
    }
    es_free(t);
    es_free(der);
    es_ctx_free(ctx);
}

static void test_seal_alone(void **state)
{
    (void)state;
    es_verify_opts o = {.trust = trust};
    es_report *r = NULL;
    assert_int_equal(es_verify_seal(NULL, &o, seal, seal_len, &r), ES_OK);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    assert_int_equal(es_report_check_count(r, 0), 4);
    es_report_free(r);
    o.at = (int64_t)time(NULL) + 86400 * 2;
    assert_int_equal(es_verify_seal(NULL, &o, seal, seal_len, &r), ES_OK);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    assert_string_equal(es_report_entry_reason(r, 0), "SEAL_EXPIRED");
    es_report_free(r);
}

static void test_not_signed(void **state)
{
    (void)state;
    es_report *r = NULL;
    assert_true(es_is_ok(es_report_new(NULL, &r)));
    es_report_finish(r);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    char *j = NULL;
    assert_int_equal(es_report_to_json(NULL, r, &j), ES_OK);
    assert_non_null(strstr(j, "\"reason\":\"NOT_SIGNED\""));
    es_free(j);
    es_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_passes),   cmocka_unit_test(test_no_trust_is_indeterminate),
        cmocka_unit_test(test_each_field_altered), cmocka_unit_test(test_time_checks),
        cmocka_unit_test(test_sign_refusals),      cmocka_unit_test(test_seal_make_refusals),
        cmocka_unit_test(test_seal_alone),         cmocka_unit_test(test_not_signed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
