/*
 * tests/unit/pdf/pdf_sign_test.c - signing and verifying PDFs through the
 * API: the original bytes kept, the ByteRange over the whole file, a
 * second signature in a new revision, and every way to break a signed
 * file failing at its own check: a byte changed inside the ByteRange
 * (data_hash), a revision changing the content (revisions), a revision
 * moving the stamp (stamp), a change after a certification (mdp).
 */
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <jpeglib.h>

#include "pdf_testutil.h"


static const es_pdf_position g_pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 100,
                                      .y_mm = 50};

static uint8_t *signed_doc(size_t *len)
{
    size_t n = 0;
    uint8_t *plain = t_pdf_plain(2, &n);
    uint8_t *s = t_pdf_sign(&g_id, plain, n, &g_pos, 1, 0, len);
    assert_true(*len > n);
    assert_memory_equal(s, plain, n); /* incremental: the original untouched */
    es_free(plain);
    return s;
}

static void test_sign_verify(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *s = signed_doc(&n);
    es_report *r = t_pdf_verify(s, n);
    assert_int_equal(es_report_count(r), 1);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    t_expect(r, 0, "byte_range", ES_CHECK_PASSED, NULL);
    t_expect(r, 0, "revisions", ES_CHECK_PASSED, NULL);
    t_expect(r, 0, "stamp", ES_CHECK_PASSED, NULL);
    t_expect(r, 0, "data_hash", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    /* the field and its dictionary as read back */
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, s, n, NULL)));
    struct es_pdf_sig *v = NULL;
    size_t nv = 0;
    assert_true(es_is_ok(es_pdf_sigs_all(&d, &v, &nv)));
    assert_int_equal(nv, 1);
    assert_string_equal(v[0].subfilter, "GM.sm2seal");
    assert_string_equal(v[0].filter, "Gomain.GMPkiLite");
    assert_int_equal(v[0].br[0], 0);
    assert_int_equal(v[0].br[2] + v[0].br[3], (int64_t)n);
    assert_int_equal(v[0].page, 0);
    /* size from the picture: the test seal is 40 mm wide */
    assert_true(v[0].rect[2] - v[0].rect[0] > 113 && v[0].rect[2] - v[0].rect[0] < 114);
    es_pdf_sigs_free(v, nv);
    es_pdf_close(&d);
    es_free(s);
}

static void test_tamper_inside_range(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *s = signed_doc(&n);
    uint8_t *hello = memmem(s, n, "Hello", 5);
    assert_non_null(hello);
    hello[0] = 'J'; /* same length: the structure stays readable */
    es_report *r = t_pdf_verify(s, n);
    const char *why = NULL;
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    assert_int_equal(t_pcheck(r, 0, "data_hash", &why), ES_CHECK_FAILED);
    t_expect(r, 0, "byte_range", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    hello[0] = 'H';
    /* a byte of the update written by the signer (the widget's /F) */
    uint8_t *f = memmem(s + 700, n - 700, "/F 132", 6);
    assert_non_null(f);
    f[4] = '2';
    r = t_pdf_verify(s, n);
    t_expect(r, 0, "data_hash", ES_CHECK_FAILED, NULL);
    es_report_free(r);
    es_free(s);
}

static void test_second_signature(void **st)
{
    (void)st;
    size_t n = 0, n2 = 0;
    uint8_t *s = signed_doc(&n);
    es_pdf_position p2 = {.kind = ES_OFD_POS_PAGE, .page = 2, .x_mm = 10, .y_mm = 10};
    uint8_t *s2 = t_pdf_sign(&g_id, s, n, &p2, 1, 0, &n2);
    es_report *r = t_pdf_verify(s2, n2);
    assert_int_equal(es_report_count(r), 2);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    t_expect(r, 0, "revisions", ES_CHECK_WARNING, "LATER_REVISIONS");
    t_expect(r, 1, "revisions", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    /* the later revision (a page's /Annots, the form, new objects) is
     * classified without walking the page tree: page 2 is known for a page
     * through its /Parent */
    struct es_pdf_doc d;
    struct es_pdf_sig *v = NULL;
    size_t nv = 0;
    assert_true(es_is_ok(es_pdf_open(&d, s2, n2, NULL)));
    assert_true(es_is_ok(es_pdf_sigs_all(&d, &v, &nv)));
    assert_int_equal(nv, 2);
    /* the first signature's revision, opened once to list its signatures and
     * kept for the comparison */
    size_t end = (size_t)(v[0].br[2] + v[0].br[3]);
    assert_int_equal(d.n_prefix, 1);
    assert_int_equal(d.prefix[0]->n, end);
    struct es_pdf_doc *kept = d.prefix[0];
    struct es_pdf_changes ch;
    assert_true(es_is_ok(es_pdf_diff(&d, end, &v[0], &ch)));
    assert_int_equal(ch.n_content, 0);
    assert_true(ch.n_sig >= 2); /* the page's new widget and the new field */
    assert_false(d.pages_loaded);
    assert_int_equal(d.n_prefix, 1);
    assert_ptr_equal(d.prefix[0], kept);
    es_pdf_sigs_free(v, nv);
    es_pdf_close(&d);
    es_free(s);
    es_free(s2);
}

static void test_content_revision(void **st)
{
    (void)st;
    size_t n = 0, n2 = 0;
    uint8_t *s = signed_doc(&n);
    int size = t_pdf_size(s, n);
    uint8_t *t = t_pdf_append(s, n, 4,
                              "<< /Length 35 >>\nstream\nBT /F1 24 Tf 72 720 Td (Paid) Tj ET"
                              "\nendstream",
                              size, &n2);
    es_report *r = t_pdf_verify(t, n2);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    t_expect(r, 0, "revisions", ES_CHECK_FAILED, "CONTENT_CHANGED");
    t_expect(r, 0, "data_hash", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    es_free(t);
    es_free(s);
}

static void test_moved_stamp(void **st)
{
    (void)st;
    size_t n = 0, n2 = 0;
    uint8_t *s = signed_doc(&n);
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, s, n, NULL)));
    struct es_pdf_sig *v = NULL;
    size_t nv = 0;
    assert_true(es_is_ok(es_pdf_sigs_read(&d, &v, &nv)));
    assert_int_equal(nv, 1);
    int wid = v[0].widget_id, size = (int)d.size;
    char body[512];
    snprintf(body, sizeof(body),
             "<< /FT /Sig /T (S1) /Type /Annot /Subtype /Widget /F 132 /Rect [10 10 123 123] "
             "/P 5 0 R /V %d 0 R >>",
             v[0].sig_id);
    es_pdf_sigs_free(v, nv);
    es_pdf_close(&d);
    uint8_t *t = t_pdf_append(s, n, wid, body, size, &n2);
    es_report *r = t_pdf_verify(t, n2);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    t_expect(r, 0, "stamp", ES_CHECK_FAILED, "STAMP_CHANGED");
    es_report_free(r);
    es_free(t);
    es_free(s);
}

static void test_removed_signature(void **st)
{
    (void)st;
    size_t n = 0, n2 = 0;
    uint8_t *s = signed_doc(&n);
    int size = t_pdf_size(s, n);
    /* a later revision drops the field from the catalog's form */
    uint8_t *t = t_pdf_append(s, n, 1, "<< /Type /Catalog /Pages 2 0 R >>", size, &n2);
    es_report *r = t_pdf_verify(t, n2);
    assert_int_equal(es_report_count(r), 1);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    t_expect(r, 0, "revisions", ES_CHECK_FAILED, "SIGNATURE_REMOVED");
    es_report_free(r);
    es_free(t);
    es_free(s);
}

static void test_certified(void **st)
{
    (void)st;
    size_t n = 0, n2 = 0, np = 0;
    uint8_t *plain = t_pdf_plain(1, &np);
    uint8_t *s = t_pdf_sign(&g_id, plain, np, &g_pos, 1, 1, &n);
    es_report *r = t_pdf_verify(s, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    t_expect(r, 0, "mdp", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    /* DocMDP /P 1: signing again is refused */
    const char *ip = t_path("cert.pdf"), *op = t_path("cert2.pdf");
    assert_int_equal(es_file_write(NULL, ip, s, n, 0644), ES_OK);
    es_pdf_sign_params p = {.seal = g_id.seal, .seal_len = g_id.seal_len, .key = g_id.key,
                            .cert = g_id.cert};
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_pdf_sign(ctx, &p, ip, op), ES_ERR_POLICY);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "DocMDP /P 1"));
    es_ctx_free(ctx);
    /* and any later revision, even a harmless new annotation, breaks it */
    int size = t_pdf_size(s, n);
    uint8_t *t = t_pdf_append(s, n, size,
                              "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] "
                              "/Contents (note) >>",
                              size + 1, &n2);
    r = t_pdf_verify(t, n2);
    t_expect(r, 0, "mdp", ES_CHECK_FAILED, "MDP_VIOLATED");
    es_report_free(r);
    es_free(t);
    es_free(s);
    es_free(plain);
}

/* DocMDP /P 2 allows signing: a second signature keeps the first valid,
 * while a new annotation breaks it. */
static void test_certified_p2(void **st)
{
    (void)st;
    size_t np = 0, n = 0, n2 = 0, n3 = 0;
    uint8_t *plain = t_pdf_plain(2, &np);
    uint8_t *s = t_pdf_sign(&g_id, plain, np, &g_pos, 1, 2, &n);
    es_pdf_position p2 = {.kind = ES_OFD_POS_PAGE, .page = 2, .x_mm = 10, .y_mm = 10};
    uint8_t *s2 = t_pdf_sign(&g_id, s, n, &p2, 1, 0, &n2);
    es_report *r = t_pdf_verify(s2, n2);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    t_expect(r, 0, "mdp", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    int size = t_pdf_size(s, n);
    char body[200];
    snprintf(body, sizeof(body), "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [%d 0 R] "
                                 "/Resources << /Font << /F1 3 0 R >> >> >>",
             size);
    /* the note itself (object `size`) and page 2 (object 6) listing it */
    uint8_t *t = t_pdf_append(s, n, size,
                              "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] >>", size + 1,
                              &n3);
    uint8_t *t2 = t_pdf_append(t, n3, 6, body, size + 1, &n3);
    r = t_pdf_verify(t2, n3);
    t_expect(r, 0, "mdp", ES_CHECK_FAILED, "MDP_VIOLATED");
    es_report_free(r);
    es_free(t2);
    es_free(t);
    es_free(s2);
    es_free(s);
    es_free(plain);
}

/* eseal's own seals lock the fields with /Lock /P 2, as the tax-bureau
 * files: a later annotation breaks the lock, a second signature does not
 * (test_second_signature). */
static void test_lock_p2(void **st)
{
    (void)st;
    size_t n = 0, n2 = 0, n3 = 0;
    uint8_t *s = signed_doc(&n);
    int size = t_pdf_size(s, n);
    char body[200];
    snprintf(body, sizeof(body), "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [%d 0 R] "
                                 "/Resources << /Font << /F1 3 0 R >> >> >>",
             size);
    uint8_t *t = t_pdf_append(s, n, size, "<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] >>",
                              size + 1, &n2);
    uint8_t *t2 = t_pdf_append(t, n2, 6, body, size + 1, &n3);
    es_report *r = t_pdf_verify(t2, n3);
    t_expect(r, 0, "revisions", ES_CHECK_WARNING, "LATER_REVISIONS");
    t_expect(r, 0, "mdp", ES_CHECK_FAILED, "MDP_VIOLATED");
    es_report_free(r);
    es_free(t2);
    es_free(t);
    es_free(s);
}

/* A later revision that fills in a text field: a form change (WARNING),
 * and, since eseal's lock covers all fields existing at signing, a broken
 * FieldMDP lock (mdp FAILED) naming the field. */
static void test_form_filling(void **st)
{
    (void)st;
    const char *objs[] = {
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>",
        "<< /Type /Pages /Kids [5 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Length 51 >>\nstream\nBT /F1 24 Tf 72 720 Td (Hello eseal contract) Tj ET\n"
        "endstream",
        "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [6 0 R] "
        "/Resources << /Font << /F1 3 0 R >> >> >>",
        "<< /FT /Tx /T (amount) /V (100) /Type /Annot /Subtype /Widget /Rect [72 600 200 620] "
        "/P 5 0 R >>"};
    size_t np = 0, n = 0, n2 = 0;
    uint8_t *plain = t_pdf_build(objs, 6, NULL, &np);
    uint8_t *s = t_pdf_sign(&g_id, plain, np, &g_pos, 1, 0, &n);
    uint8_t *t = t_pdf_append(s, n, 6,
                              "<< /FT /Tx /T (amount) /V (900) /Type /Annot /Subtype /Widget "
                              "/Rect [72 600 200 620] /P 5 0 R >>",
                              t_pdf_size(s, n), &n2);
    es_report *r = t_pdf_verify(t, n2);
    t_expect(r, 0, "revisions", ES_CHECK_WARNING, "LATER_REVISIONS");
    t_expect(r, 0, "mdp", ES_CHECK_FAILED, "MDP_VIOLATED");
    t_expect(r, 0, "data_hash", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    es_free(t);
    es_free(s);
    es_free(plain);
}

/* A seal whose picture is a JPEG: embedded as it is (DCTDecode). */
static void test_jpeg_picture(void **st)
{
    (void)st;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    unsigned char *jpg = NULL;
    unsigned long jlen = 0;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &jpg, &jlen);
    c.image_width = 64;
    c.image_height = 64;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_start_compress(&c, TRUE);
    unsigned char row[64 * 3];
    memset(row, 200, sizeof(row));
    while (c.next_scanline < 64) {
        JSAMPROW rp = row;
        jpeg_write_scanlines(&c, &rp, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    es_key *mk = NULL;
    es_cert *mc = NULL;
    t_load_identity("maker", &mk, &mc);
    const es_cert *certs[1] = {g_id.cert};
    int64_t now = (int64_t)time(NULL);
    es_seal_params sp = {.name = "JPEG", .type = 1, .signer_certs = certs, .n_signer_certs = 1,
                         .valid_end = now + 86400, .picture = jpg, .picture_len = jlen,
                         .picture_w_mm = 30, .picture_h_mm = 30};
    struct t_ident id = {g_id.key, g_id.cert, NULL, 0};
    assert_int_equal(es_seal_make(NULL, &sp, mk, mc, &id.seal, &id.seal_len), ES_OK);
    size_t np = 0, n = 0;
    uint8_t *plain = t_pdf_plain(1, &np);
    uint8_t *s = t_pdf_sign(&id, plain, np, &g_pos, 1, 0, &n);
    assert_non_null(memmem(s, n, "/DCTDecode", 10));
    es_report *r = t_pdf_verify(s, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    es_free(s);
    es_free(plain);
    es_free(id.seal);
    free(jpg);
    es_key_free(mk);
    es_cert_free(mc);
}

static void test_riding_and_invisible(void **st)
{
    (void)st;
    size_t np = 0, n = 0;
    uint8_t *plain = t_pdf_plain(3, &np);
    es_pdf_position rp = {.kind = ES_OFD_POS_RIDING};
    uint8_t *s = t_pdf_sign(&g_id, plain, np, &rp, 1, 0, &n);
    es_report *r = t_pdf_verify(s, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, s, n, NULL)));
    struct es_pdf_sig *v = NULL;
    size_t nv = 0;
    assert_true(es_is_ok(es_pdf_sigs_read(&d, &v, &nv)));
    assert_int_equal(v[0].n_widgets, 3);
    es_pdf_sigs_free(v, nv);
    es_pdf_close(&d);
    es_free(s);
    s = t_pdf_sign(&g_id, plain, np, NULL, 0, 0, &n);
    r = t_pdf_verify(s, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    es_free(s);
    /* positions that do not exist */
    const char *ip = t_path("p.pdf"), *op = t_path("p2.pdf");
    assert_int_equal(es_file_write(NULL, ip, plain, np, 0644), ES_OK);
    es_pdf_position bad[2] = {{.kind = ES_OFD_POS_PAGE, .page = 9},
                              {.kind = ES_OFD_POS_KEYWORD, .keyword = "x"}};
    for (int i = 0; i < 2; i++) {
        es_pdf_sign_params p = {.seal = g_id.seal, .seal_len = g_id.seal_len, .key = g_id.key,
                                .cert = g_id.cert, .positions = &bad[i], .n_positions = 1};
        es_ctx *ctx = es_ctx_new();
        assert_int_equal(es_pdf_sign(ctx, &p, ip, op), ES_ERR_USAGE_ARG);
        es_ctx_free(ctx);
    }
    es_free(plain);
}

/* The output may not be the input, under its own name or a hard link
 * (lib/base/file_same.c, shared with OFD signing); the input is unchanged. */
static void test_output_is_input(void **st)
{
    (void)st;
    size_t n = 0, m = 0;
    uint8_t *p = t_pdf_plain(1, &n);
    char in[512], link_path[512];
    snprintf(in, sizeof(in), "%s", t_path("same-in.pdf"));
    snprintf(link_path, sizeof(link_path), "%s", t_path("same-link.pdf"));
    assert_int_equal(es_file_write(NULL, in, p, n, 0644), ES_OK);
    unlink(link_path);
    assert_int_equal(link(in, link_path), 0);
    es_pdf_sign_params sp = {.seal = g_id.seal, .seal_len = g_id.seal_len, .key = g_id.key,
                             .cert = g_id.cert};
    const char *outs[] = {in, link_path};
    for (size_t i = 0; i < 2; i++) {
        es_ctx *ctx = es_ctx_new();
        assert_int_equal(es_pdf_sign(ctx, &sp, in, outs[i]), ES_ERR_USAGE_ARG);
        assert_non_null(strstr(es_ctx_errmsg(ctx), "is the input"));
        es_ctx_free(ctx);
    }
    uint8_t *q = t_read_file(in, &m);
    assert_int_equal(m, n);
    assert_memory_equal(p, q, n);
    unlink(link_path);
    es_free(q);
    es_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_verify),      cmocka_unit_test(test_tamper_inside_range),
        cmocka_unit_test(test_second_signature), cmocka_unit_test(test_content_revision),
        cmocka_unit_test(test_moved_stamp),      cmocka_unit_test(test_certified),
        cmocka_unit_test(test_riding_and_invisible), cmocka_unit_test(test_removed_signature),
        cmocka_unit_test(test_certified_p2),     cmocka_unit_test(test_lock_p2),
        cmocka_unit_test(test_jpeg_picture),     cmocka_unit_test(test_form_filling),
        cmocka_unit_test(test_output_is_input),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
