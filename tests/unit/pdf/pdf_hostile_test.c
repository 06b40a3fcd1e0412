/*
 * tests/unit/pdf/pdf_hostile_test.c - hostile PDFs built in the test: each
 * is refused with the right code and a message saying what is wrong, or
 * (for signature dictionaries) reported FAILED at the right check; never a
 * crash, a hang or a verdict of valid. Also: random corruption of a signed
 * file.
 */
#include "pdf_testutil.h"


static void refused(const uint8_t *p, size_t n, const es_pdf_limits *lim, int code,
                    const char *needle)
{
    es_ctx *ctx = es_ctx_new();
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    int rc = es_pdf_verify(ctx, &o, lim, p, n, &r);
    const char *m = es_ctx_errmsg(ctx);
    if (rc != code || (needle && !strstr(m, needle))) {
        fail_msg("got %s '%s', expected %s with '%s'", es_error_name(rc), m,
                 es_error_name(code), needle ? needle : "");
    }
    assert_null(r);
    es_ctx_free(ctx);
}

static void test_not_pdf(void **st)
{
    (void)st;
    refused((const uint8_t *)"hello", 5, NULL, ES_ERR_FORMAT_STRUCTURE, "%PDF-");
    const char *t = "%PDF-1.7\n1 0 obj << >> endobj\n";
    refused((const uint8_t *)t, strlen(t), NULL, ES_ERR_FORMAT_TRUNCATED, "%%EOF");
}

static void test_broken_xref(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *p = t_pdf_plain(1, &n);
    /* startxref past the end */
    uint8_t *sx = memmem(p, n, "startxref\n", 10);
    assert_non_null(sx);
    uint8_t *q = es_malloc(n + 16);
    size_t k = (size_t)(sx - p) + 10;
    memcpy(q, p, k);
    int w = snprintf((char *)q + k, 16, "99999999\n%%%%EOF\n");
    refused(q, k + (size_t)w, NULL, ES_ERR_FORMAT_STRUCTURE, "past the end");
    /* startxref pointing at garbage: qpdf may not rebuild it */
    w = snprintf((char *)q + k, 16, "20\n%%%%EOF\n");
    refused(q, k + (size_t)w, NULL, ES_ERR_FORMAT_STRUCTURE, "cross-reference");
    /* an xref entry pointing into another object */
    memcpy(q, p, n);
    uint8_t *e = memmem(q, n, "00000 n\r\n", 9);
    assert_non_null(e);
    memcpy(e - 11, "0000000003", 10);
    es_ctx *ctx = es_ctx_new();
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    int rc = es_pdf_verify(ctx, &o, NULL, q, n, &r);
    assert_true(rc == ES_ERR_FORMAT_STRUCTURE || (rc == ES_OK && es_report_verdict(r) !=
                                                                    ES_VERDICT_TOTAL_PASSED));
    es_report_free(r);
    es_ctx_free(ctx);
    es_free(q);
    es_free(p);
}

static void test_page_tree_loop(void **st)
{
    (void)st;
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          "<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"};
    size_t n = 0;
    uint8_t *p = t_pdf_build(objs, 3, NULL, &n);
    refused(p, n, NULL, ES_ERR_FORMAT_STRUCTURE, "page tree");
    es_free(p);
}

static void test_limits(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *p = t_pdf_plain(2, &n);
    es_pdf_limits lim = {.max_pages = 1};
    refused(p, n, &lim, ES_ERR_LIMIT_COUNT, "pages");
    lim = (es_pdf_limits){.max_file_size = 100};
    refused(p, n, &lim, ES_ERR_LIMIT_SIZE, "bytes");
    lim = (es_pdf_limits){.max_objects = 3};
    refused(p, n, &lim, ES_ERR_LIMIT_COUNT, "/Size");
    es_free(p);
    /* many revisions (%%EOF markers) */
    struct es_buf b;
    es_buf_init(&b, 0);
    p = t_pdf_plain(1, &n);
    assert_true(es_is_ok(es_buf_append(&b, p, n)));
    for (int i = 0; i < 20; i++) {
        assert_true(es_is_ok(es_buf_printf(&b, "%%%%EOF\n")));
    }
    assert_true(es_is_ok(es_buf_printf(&b, "startxref\n%zu\n%%%%EOF\n",
                                       t_pdf_startxref(p, n))));
    lim = (es_pdf_limits){.max_revisions = 10};
    refused(b.ptr, b.len, &lim, ES_ERR_LIMIT_COUNT, "revisions");
    es_buf_free(&b);
    es_free(p);
}

static void test_huge_stream(void **st)
{
    (void)st;
    /* /Length far past the end: never read whole, never trusted */
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                          "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 10 10] >>",
                          "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
                          "<< /Length 99999999999 >>\nstream\nBT ET\nendstream"};
    size_t n = 0;
    uint8_t *p = t_pdf_build(objs, 4, NULL, &n);
    es_ctx *ctx = es_ctx_new();
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    assert_int_equal(es_pdf_verify(ctx, &o, NULL, p, n, &r), ES_OK);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED); /* NOT_SIGNED */
    es_report_free(r);
    es_ctx_free(ctx);
    es_free(p);
}

/* A document with one signature field whose dictionary is `sig`. */
static es_report *with_sig(const char *sig, uint8_t **out, size_t *out_n)
{
    const char *objs[] = {
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 100 100] >>",
        "<< /Type /Page /Parent 2 0 R /Annots [4 0 R] >>",
        "<< /FT /Sig /T (S1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R "
        "/V 5 0 R >>",
        sig};
    uint8_t *p = t_pdf_build(objs, 5, NULL, out_n);
    *out = p;
    return t_pdf_verify(p, *out_n);
}

static void expect_range(const char *sig, const char *reason)
{
    uint8_t *p = NULL;
    size_t n = 0;
    es_report *r = with_sig(sig, &p, &n);
    const char *why = NULL;
    assert_int_equal(es_report_count(r), 1);
    assert_int_not_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    assert_int_equal(t_pcheck(r, 0, "byte_range", &why), ES_CHECK_FAILED);
    if (strcmp(why, reason) != 0) {
        fail_msg("%s: reason %s, expected %s", sig, why, reason);
    }
    es_report_free(r);
    es_free(p);
}

static void test_bad_byte_ranges(void **st)
{
    (void)st;
    expect_range("<< /Type /Sig /ByteRange [0 10 5 10] /Contents <3000> >>",
                 "BYTE_RANGE_OVERLAP");
    expect_range("<< /Type /Sig /ByteRange [0 10 20 99999999] /Contents <3000> >>",
                 "BYTE_RANGE_PAST_END");
    expect_range("<< /Type /Sig /ByteRange [5 10 20 30] /Contents <3000> >>",
                 "BYTE_RANGE_INVALID");
    expect_range("<< /Type /Sig /ByteRange [0 10 20] /Contents <3000> >>",
                 "BYTE_RANGE_INVALID");
    /* a gap that is not the /Contents string */
    expect_range("<< /Type /Sig /ByteRange [0 10 20 30] /Contents <3000> >>",
                 "BYTE_RANGE_GAP");
}

/* A ByteRange ending right after "%%EOF", before its end of line (some
 * producers write it so), is a whole revision. */
static void test_range_before_eol(void **st)
{
    (void)st;
    uint8_t *p = NULL;
    size_t n = 0;
    es_report *r = with_sig("<< /Type /Sig /ByteRange [0 1111111111 2222222222 3333333333] "
                            "/Contents <3000> >>",
                            &p, &n);
    es_report_free(r);
    uint8_t *hole = memmem(p, n, "<3000>", 6);
    uint8_t *br = memmem(p, n, "1111111111", 10);
    assert_non_null(hole);
    assert_non_null(br);
    size_t hs = (size_t)(hole - p), he = hs + 6, end = n - 1; /* before the last '\n' */
    char v[40];
    snprintf(v, sizeof(v), "%010zu %010zu %010zu", hs, he, end - he);
    memcpy(br, v, strlen(v));
    r = t_pdf_verify(p, n);
    t_expect(r, 0, "byte_range", ES_CHECK_PASSED, NULL);
    t_expect(r, 0, "revisions", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    /* one byte short of "%%EOF" is not a revision boundary */
    snprintf(v, sizeof(v), "%010zu %010zu %010zu", hs, he, end - he - 1);
    memcpy(br, v, strlen(v));
    r = t_pdf_verify(p, n);
    const char *why = NULL;
    assert_int_equal(t_pcheck(r, 0, "byte_range", &why), ES_CHECK_FAILED);
    assert_string_equal(why, "BYTE_RANGE_NOT_REVISION");
    es_report_free(r);
    es_free(p);
}

static void test_utf8_cut(void **st)
{
    (void)st;
    char a[] = "ab\xe7\x94"; /* "ab" + the first two bytes of a three-byte character */
    es_pdf_utf8_cut(a);
    assert_string_equal(a, "ab");
    char b[] = "ab\xe7\x94\xb2"; /* complete: kept */
    es_pdf_utf8_cut(b);
    assert_string_equal(b, "ab\xe7\x94\xb2");
}

static void test_unknown_contents(void **st)
{
    (void)st;
    uint8_t *p = NULL;
    size_t n = 0;
    es_report *r = with_sig("<< /Type /Sig /SubFilter /GM.sm2seal /ByteRange [0 10 20 30] "
                            "/Contents <0401020304> >>",
                            &p, &n);
    const char *why = NULL;
    assert_int_equal(t_pcheck(r, 0, "structure", &why), ES_CHECK_INDETERMINATE);
    assert_string_equal(why, "UNKNOWN_SIGNATURE_FORMAT");
    assert_int_not_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    es_free(p);
}

static void test_field_loop(void **st)
{
    (void)st;
    const char *objs[] = {
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 100 100] >>",
        "<< /Type /Page /Parent 2 0 R >>", "<< /T (a) /Kids [4 0 R] >>"};
    size_t n = 0;
    uint8_t *p = t_pdf_build(objs, 4, NULL, &n);
    refused(p, n, NULL, ES_ERR_LIMIT_DEPTH, "/Kids");
    es_free(p);
}

/* Random byte changes in a signed file: an error or a verdict that is not
 * TOTAL-PASSED, unless the byte lies in the /Contents padding. */
static void test_mutations(void **st)
{
    (void)st;
    struct t_ident id;
    t_ident_load(&id);
    size_t np = 0, n = 0;
    uint8_t *plain = t_pdf_plain(1, &np);
    es_pdf_position pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 20, .y_mm = 20};
    uint8_t *s = t_pdf_sign(&id, plain, np, &pos, 1, 0, &n);
    uint8_t *hole = memmem(s, n, "/Contents <", 11);
    assert_non_null(hole);
    size_t hs = (size_t)(hole - s) + 10, he = (size_t)((uint8_t *)memchr(s + hs, '>', n - hs) - s);
    srand(7);
    for (int i = 0; i < 60; i++) {
        size_t at = (size_t)rand() % n;
        if (at >= hs && at <= he) {
            continue;
        }
        uint8_t keep = s[at];
        s[at] ^= (uint8_t)(1 + rand() % 255);
        es_ctx *ctx = es_ctx_new();
        es_verify_opts o = {.no_chain = 1};
        es_report *r = NULL;
        int rc = es_pdf_verify(ctx, &o, NULL, s, n, &r);
        if (rc == ES_OK && es_report_verdict(r) == ES_VERDICT_TOTAL_PASSED) {
            fail_msg("byte %zu changed (0x%02x -> 0x%02x) and still TOTAL-PASSED", at, keep,
                     s[at]);
        }
        es_report_free(r);
        es_ctx_free(ctx);
        s[at] = keep;
    }
    es_free(s);
    es_free(plain);
    t_ident_free(&id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_pdf),         cmocka_unit_test(test_broken_xref),
        cmocka_unit_test(test_page_tree_loop),  cmocka_unit_test(test_limits),
        cmocka_unit_test(test_huge_stream),     cmocka_unit_test(test_bad_byte_ranges),
        cmocka_unit_test(test_unknown_contents), cmocka_unit_test(test_field_loop),
        cmocka_unit_test(test_mutations),       cmocka_unit_test(test_range_before_eol),
        cmocka_unit_test(test_utf8_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
