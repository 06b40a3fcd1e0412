/*
 * tests/unit/pdf/pdf_cms_test.c - /Contents dispatched by content: the
 * SM2/SM3 CMS eseal writes (PKCS#7 OIDs, signed attributes), and a
 * GM/T 0010 SignedData with the GM OIDs and no signed attributes (the
 * reported DianJu form, pdf-seal.md C2: eContent = SM3 of the ByteRange,
 * SM2 over that digest) put into the same file; each verifies, and fails
 * at data_hash once a signed byte changes. A SubFilter that names the
 * other kind is only a note.
 */
#include "pdf_testutil.h"

#include "crypto/crypto.h"
#include "der/der.h"

/* Signs plain in CMS mode with the SM2 identity. */
static uint8_t *cms_doc(size_t *len)
{
    size_t np = 0;
    uint8_t *plain = t_pdf_plain(1, &np);
    const char *ip = t_path("cms-in.pdf"), *op = t_path("cms-out.pdf");
    assert_int_equal(es_file_write(NULL, ip, plain, np, 0644), ES_OK);
    es_pdf_sign_params p = {.mode = ES_PDF_CMS, .key = g_id.key, .cert = g_id.cert};
    es_ctx *ctx = es_ctx_new();
    if (es_pdf_sign(ctx, &p, ip, op) != ES_OK) {
        fail_msg("es_pdf_sign --cms: %s", es_ctx_errmsg(ctx));
    }
    es_ctx_free(ctx);
    es_free(plain);
    return t_read_file(op, len);
}

/* The C2 SignedData over digest h. */
static void c2_signed_data(const uint8_t h[32], struct es_buf *b)
{
    es_bytes cert = es_cert_der(g_id.cert);
    struct es_der_cur top, c, tbs;
    struct es_der_elem serial, alg, issuer;
    es_der_init(&top, cert.ptr, cert.len, NULL);
    assert_true(es_is_ok(es_der_enter(&top, ES_DER_SEQUENCE, &c, NULL)));
    assert_true(es_is_ok(es_der_enter(&c, ES_DER_SEQUENCE, &tbs, NULL)));
    assert_true(es_is_ok(es_der_next(&tbs, &serial)));
    if (serial.id == ES_DER_CTX0_CONS) {
        assert_true(es_is_ok(es_der_next(&tbs, &serial)));
    }
    assert_true(es_is_ok(es_der_next(&tbs, &alg)));
    assert_true(es_is_ok(es_der_next(&tbs, &issuer)));
    uint8_t sig[72];
    size_t sig_len = 0;
    assert_true(es_is_ok(es_sm2_sign_msg(g_id.key, h, 32, sig, &sig_len)));
    size_t m[8];
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SEQUENCE, &m[0])));
    assert_true(es_is_ok(es_derw_oid(b, "1.2.156.10197.6.1.4.2.2")));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_CTX0_CONS, &m[1])));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SEQUENCE, &m[2])));
    assert_true(es_is_ok(es_derw_int(b, 1)));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SET, &m[3])));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SEQUENCE, &m[4])));
    assert_true(es_is_ok(es_derw_oid(b, "1.2.156.10197.1.401")));
    assert_true(es_is_ok(es_derw_end(b, m[4])));
    assert_true(es_is_ok(es_derw_end(b, m[3])));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SEQUENCE, &m[3]))); /* contentInfo */
    assert_true(es_is_ok(es_derw_oid(b, "1.2.156.10197.6.1.4.2.1")));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_CTX0_CONS, &m[4])));
    assert_true(es_is_ok(es_derw_tlv(b, ES_DER_OCTET_STRING, h, 32)));
    assert_true(es_is_ok(es_derw_end(b, m[4])));
    assert_true(es_is_ok(es_derw_end(b, m[3])));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_CTX0_CONS, &m[3]))); /* certificates */
    assert_true(es_is_ok(es_derw_raw(b, cert.ptr, cert.len)));
    assert_true(es_is_ok(es_derw_end(b, m[3])));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SET, &m[3]))); /* signerInfos */
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SEQUENCE, &m[4])));
    assert_true(es_is_ok(es_derw_int(b, 1)));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SEQUENCE, &m[5])));
    assert_true(es_is_ok(es_derw_raw(b, issuer.tlv, issuer.tlv_len)));
    assert_true(es_is_ok(es_derw_raw(b, serial.tlv, serial.tlv_len)));
    assert_true(es_is_ok(es_derw_end(b, m[5])));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SEQUENCE, &m[5])));
    assert_true(es_is_ok(es_derw_oid(b, "1.2.156.10197.1.401")));
    assert_true(es_is_ok(es_derw_end(b, m[5])));
    assert_true(es_is_ok(es_derw_begin(b, ES_DER_SEQUENCE, &m[5])));
    assert_true(es_is_ok(es_derw_oid(b, "1.2.156.10197.1.301.1")));
    assert_true(es_is_ok(es_derw_end(b, m[5])));
    assert_true(es_is_ok(es_derw_tlv(b, ES_DER_OCTET_STRING, sig, sig_len)));
    for (int k = 4; k >= 0; k--) {
        assert_true(es_is_ok(es_derw_end(b, m[k])));
    }
}

static void test_sm2_cms(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *s = cms_doc(&n);
    es_report *r = t_pdf_verify(s, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    t_expect(r, 0, "data_hash", ES_CHECK_PASSED, NULL);
    t_expect(r, 0, "signature", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    uint8_t *hello = memmem(s, n, "Hello", 5);
    assert_non_null(hello);
    hello[0] = 'J';
    r = t_pdf_verify(s, n);
    t_expect(r, 0, "data_hash", ES_CHECK_FAILED, "DATA_HASH_MISMATCH");
    es_report_free(r);
    es_free(s);
}

static void test_gm_oids_without_attributes(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *s = cms_doc(&n);
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, s, n, NULL)));
    struct es_pdf_sig *v = NULL;
    size_t nv = 0;
    assert_true(es_is_ok(es_pdf_sigs_read(&d, &v, &nv)));
    int64_t br[4];
    memcpy(br, v[0].br, sizeof(br));
    es_pdf_sigs_free(v, nv);
    es_pdf_close(&d);
    uint8_t h[32];
    es_pdf_range_sm3(s, br, h);
    struct es_buf b;
    es_buf_init(&b, 0);
    c2_signed_data(h, &b);
    size_t room = (size_t)(br[2] - br[1] - 2) / 2;
    assert_true(b.len <= room);
    char *hex = es_malloc(2 * b.len + 1);
    es_hex_encode(b.ptr, b.len, hex);
    memset(s + br[1] + 1, '0', 2 * room);
    memcpy(s + br[1] + 1, hex, 2 * b.len);
    es_free(hex);
    es_buf_free(&b);
    es_report *r = t_pdf_verify(s, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    t_expect(r, 0, "structure", ES_CHECK_PASSED, NULL);
    t_expect(r, 0, "data_hash", ES_CHECK_PASSED, NULL);
    t_expect(r, 0, "signature", ES_CHECK_PASSED, NULL);
    /* no signingTime attribute: the signer chain is judged at /M */
    t_expect(r, 0, "signer_chain", ES_CHECK_WARNING, "CHAIN_NOT_CHECKED");
    es_report_free(r);
    uint8_t *hello = memmem(s, n, "Hello", 5);
    hello[0] = 'J';
    r = t_pdf_verify(s, n);
    t_expect(r, 0, "data_hash", ES_CHECK_FAILED, "DATA_HASH_MISMATCH");
    es_report_free(r);
    es_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sm2_cms),
        cmocka_unit_test(test_gm_oids_without_attributes),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
