/*
 * tests/unit/pdf/pdf_keyword_test.c - stamps placed by keyword: a document
 * drawn with cairo (embedded CJK font subset with a /ToUnicode CMap, text
 * shown with two-byte codes) must give the stamp centred on the words, on
 * the right page, for the first, the n-th and all occurrences; a missing
 * keyword is refused.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pdf_testutil.h"


/* Page 1: "合同编号 HT-001" at (72, 100) and "甲方（盖章）" at (300, 600);
 * page 2: "乙方（盖章）" at (300, 600). Cairo coordinates: y down, points. */
static uint8_t *cjk_pdf(size_t *len)
{
    const char *path = t_path("cjk.pdf");
    /* drawn in a child that leaves with _exit: cairo's and fontconfig's
     * process-wide caches are not this test's leaks */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cairo_surface_t *s = cairo_pdf_surface_create(path, 595, 842);
        cairo_t *cr = cairo_create(s);
        cairo_select_font_face(cr, "Noto Serif CJK SC", CAIRO_FONT_SLANT_NORMAL,
                               CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 14);
        cairo_move_to(cr, 72, 100);
        cairo_show_text(cr, "合同编号 HT-001");
        cairo_move_to(cr, 300, 600);
        cairo_show_text(cr, "甲方（盖章）");
        cairo_show_page(cr);
        cairo_move_to(cr, 300, 600);
        cairo_show_text(cr, "乙方（盖章）");
        cairo_show_page(cr);
        cairo_destroy(cr);
        cairo_surface_destroy(s);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return t_read_file(path, len);
}

static void hits(const uint8_t *p, size_t n, const char *kw, int occ, struct es_pdf_hit **h,
                 size_t *nh, int want_rc)
{
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, p, n, NULL)));
    es_result r = es_pdf_find_keyword(&d, kw, occ, h, nh);
    assert_int_equal(r.rc, want_rc);
    es_error_clear();
    es_pdf_close(&d);
}

static void test_find(void **st)
{
    (void)st;
    size_t n = 0, nh = 0;
    uint8_t *p = cjk_pdf(&n);
    struct es_pdf_hit *h = NULL;
    hits(p, n, "甲方（盖章）", 1, &h, &nh, ES_OK);
    assert_int_equal(nh, 1);
    assert_int_equal(h[0].page, 0);
    /* starts at x = 300, baseline y = 842 - 600; six CJK characters of 14 pt */
    assert_true(h[0].box[0] > 295 && h[0].box[0] < 305);
    assert_true(h[0].box[1] < 242 && h[0].box[3] > 242);
    assert_true(h[0].box[2] > 370 && h[0].box[2] < 400);
    es_free(h);
    hits(p, n, "（盖章）", 0, &h, &nh, ES_OK);
    assert_int_equal(nh, 2);
    assert_int_equal(h[1].page, 1);
    es_free(h);
    hits(p, n, "（盖章）", 2, &h, &nh, ES_OK);
    assert_int_equal(nh, 1);
    assert_int_equal(h[0].page, 1);
    es_free(h);
    hits(p, n, "HT-001", 1, &h, &nh, ES_OK);
    assert_int_equal(nh, 1);
    assert_true(h[0].box[0] > 100 && h[0].box[1] > 700);
    es_free(h);
    h = NULL;
    hits(p, n, "丙方", 1, &h, &nh, ES_ERR_USAGE_ARG);
    assert_null(h);
    es_free(p);
}

static void test_sign_by_keyword(void **st)
{
    (void)st;
    size_t n = 0, ns = 0;
    uint8_t *p = cjk_pdf(&n);
    es_pdf_position pos = {.kind = ES_OFD_POS_KEYWORD, .keyword = "乙方（盖章）", .occurrence = 1};
    uint8_t *s = t_pdf_sign(&g_id, p, n, &pos, 1, 0, &ns);
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, s, ns, NULL)));
    struct es_pdf_sig *v = NULL;
    size_t nv = 0;
    assert_true(es_is_ok(es_pdf_sigs_read(&d, &v, &nv)));
    assert_int_equal(nv, 1);
    assert_int_equal(v[0].page, 1);
    double cx = (v[0].rect[0] + v[0].rect[2]) / 2, cy = (v[0].rect[1] + v[0].rect[3]) / 2;
    assert_true(cx > 320 && cx < 380);
    assert_true(cy > 230 && cy < 260);
    es_pdf_sigs_free(v, nv);
    es_pdf_close(&d);
    es_report *r = t_pdf_verify(s, ns);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    es_free(s);
    es_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_sign_by_keyword),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
