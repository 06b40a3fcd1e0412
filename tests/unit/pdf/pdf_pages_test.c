/*
 * tests/unit/pdf/pdf_pages_test.c - pages without walking the page tree:
 * es_pdf_open takes the page count from the root's /Count and
 * es_pdf_page_index climbs /Parent, counting the pages before each node;
 * both must agree with qpdf's full walk (es_pdf_pages_load) on a nested
 * tree, give -1 for pages outside the tree and stop on /Parent loops; and a
 * stamp on the last page of a nested tree is reported on that page.
 */
#include <stdio.h>

#include "pdf_testutil.h"

/* 1 catalog, 2 root (kids 3 and 6), 3 node (kids 4 5), 4 5 6 pages,
 * 7 a page naming 3 as parent but not among its kids, 8 9 nodes that are
 * each other's parents with 10 a page under 8 (a /Parent loop). */
static uint8_t *nested(size_t *n)
{
    const char *objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 3 /MediaBox [0 0 595 842] >>",
        "<< /Type /Pages /Parent 2 0 R /Kids [4 0 R 5 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 3 0 R >>",
        "<< /Type /Page /Parent 3 0 R >>",
        "<< /Type /Page /Parent 2 0 R >>",
        "<< /Type /Page /Parent 3 0 R >>",
        "<< /Type /Pages /Parent 9 0 R /Kids [9 0 R 10 0 R] /Count 0 >>",
        "<< /Type /Pages /Parent 8 0 R /Kids [8 0 R] /Count 0 >>",
        "<< /Type /Page /Parent 8 0 R >>",
    };
    return t_pdf_build(objs, sizeof(objs) / sizeof(objs[0]), NULL, n);
}

static int index_of(struct es_pdf_doc *d, int id)
{
    return es_pdf_page_index(d, qpdf_get_object_by_id(d->q, id, 0));
}

static void test_index_by_parent(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *p = nested(&n);
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, p, n, NULL)));
    assert_false(d.pages_loaded); /* the tree was not walked */
    assert_int_equal(d.n_pages, 3);
    const int want[][2] = {{4, 0}, {5, 1}, {6, 2}, {7, -1}, {10, -1}, {3, -1}, {1, -1}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(index_of(&d, want[i][0]), want[i][1]);
    }
    /* qpdf's full walk agrees */
    assert_true(es_is_ok(es_pdf_pages_load(&d)));
    assert_true(d.pages_loaded);
    assert_int_equal(d.n_pages, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(index_of(&d, want[i][0]), want[i][1]);
    }
    es_pdf_close(&d);
    es_free(p);
}

static void test_count_over_limit(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *p = nested(&n);
    struct es_pdf_doc d;
    es_pdf_limits lim = {.max_pages = 2};
    es_result r = es_pdf_open(&d, p, n, &lim);
    assert_int_equal(r.rc, ES_ERR_LIMIT_COUNT);
    assert_non_null(strstr(es_error_detail(), "pages"));
    es_error_clear();
    es_pdf_close(&d);
    es_free(p);
}

/* A stamp on page 3 (under the root, after a node of two pages). */
static void test_stamp_on_last_page(void **st)
{
    (void)st;
    size_t n = 0, ns = 0;
    uint8_t *p = nested(&n);
    es_pdf_position pos = {.kind = ES_OFD_POS_PAGE, .page = 3, .x_mm = 20, .y_mm = 20};
    uint8_t *s = t_pdf_sign(&g_id, p, n, &pos, 1, 0, &ns);
    es_report *r = t_pdf_verify(s, ns);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    bool seen = false;
    for (size_t j = 0; j < es_report_check_count(r, 0); j++) {
        const char *id, *reason, *detail;
        es_check_result cr;
        assert_int_equal(es_report_check(r, 0, j, &id, &cr, &reason, &detail), ES_OK);
        if (strcmp(id, "stamp") == 0) {
            seen = true;
            assert_int_equal(cr, ES_CHECK_PASSED);
            assert_non_null(strstr(detail, "on page 3 "));
        }
    }
    assert_true(seen);
    es_report_free(r);
    es_free(s);
    es_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_by_parent),
        cmocka_unit_test(test_count_over_limit),
        cmocka_unit_test(test_stamp_on_last_page),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
