/*
 * tests/unit/pdf/pdf_rotate_test.c - stamps on pages with /Rotate: a
 * position in millimetres from the top-left corner of the page as displayed
 * must give the widget /Rect at the matching place of the unrotated page
 * space, for /Rotate 90, 180, 270 (also written as -90 or 450, and inherited
 * from /Pages); a /Rotate that is not a multiple of 90 is refused; riding
 * slices sit on the displayed right edge and a keyword stamp keeps its
 * displayed width. Rendered by pdftoppm (skipped without it), the red seal
 * pixels lie in the expected region of the displayed page and the picture
 * (a red "Γ") is upright: its red centroid sits where it does on an
 * unrotated page.
 */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pdf_testutil.h"

#define MM (72.0 / 25.4)

/* The /Rect of every widget annotation of page `page` (0-based), in order. */
static size_t widget_rects(const uint8_t *p, size_t n, int page, double r[][4], size_t max)
{
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, p, n, NULL)));
    qpdf_data q = d.q;
    qpdf_oh annots = qpdf_oh_get_key(q, qpdf_get_page_n(q, (size_t)page), "/Annots");
    size_t k = 0;
    int na = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
    for (int i = 0; i < na && k < max; i++) {
        qpdf_oh a = qpdf_oh_get_array_item(q, annots, i);
        qpdf_oh rect = qpdf_oh_get_key(q, a, "/Rect");
        if (!qpdf_oh_is_array(q, rect)) {
            continue;
        }
        for (int j = 0; j < 4; j++) {
            r[k][j] = qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, rect, j));
        }
        k++;
    }
    es_pdf_close(&d);
    return k;
}

static void expect_rect(const double got[4], double x0, double y0, double x1, double y1)
{
    const double want[4] = {x0, y0, x1, y1};
    for (int i = 0; i < 4; i++) {
        if (fabs(got[i] - want[i]) > 0.01) {
            fail_msg("rect [%.2f %.2f %.2f %.2f], expected [%.2f %.2f %.2f %.2f]", got[0],
                     got[1], got[2], got[3], x0, y0, x1, y1);
        }
    }
}

static void expect_verified(const uint8_t *s, size_t n)
{
    es_report *r = t_pdf_verify(s, n);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    t_expect(r, 0, "stamp", ES_CHECK_PASSED, NULL);
    es_report_free(r);
}

/* 40 x 20 mm at (20, 30) mm from the displayed top-left corner. */
static const es_pdf_position g_pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 20,
                                      .y_mm = 30, .w_mm = 40, .h_mm = 20};

/* Signs a one-page document whose page (or /Pages) carries `extra`; checks
 * the /Rect and the appearance's /Matrix. */
static void place_on(const char *page_extra, const char *pages_extra, const double want[4],
                     const char *matrix)
{
    size_t np = 0, n = 0;
    const char *pe[1] = {page_extra};
    uint8_t *plain = t_pdf_pages(1, pe, pages_extra, &np);
    uint8_t *s = t_pdf_sign(&g_id, plain, np, &g_pos, 1, 0, &n);
    double r[4][4];
    assert_int_equal(widget_rects(s, n, 0, r, 4), 1);
    expect_rect(r[0], want[0], want[1], want[2], want[3]);
    bool has_matrix = memmem(s + np, n - np, "/Matrix", 7) != NULL;
    if (matrix) {
        assert_non_null(memmem(s + np, n - np, matrix, strlen(matrix)));
    } else {
        assert_false(has_matrix);
    }
    expect_verified(s, n);
    es_free(s);
    es_free(plain);
}

static void test_page_position(void **st)
{
    (void)st;
    double u0 = 20 * MM, v0 = 30 * MM, u1 = 60 * MM, v1 = 50 * MM;
    /* unrotated: x = u, y = 842 - v */
    place_on(NULL, NULL, (double[]){u0, 842 - v1, u1, 842 - v0}, NULL);
    /* 90: the box's lower-left corner is shown top-left; x = v, y = u */
    const double r90[4] = {v0, u0, v1, u1};
    place_on("/Rotate 90", NULL, r90, "/Matrix [0 1 -1 0 0 0]");
    place_on("/Rotate 450", NULL, r90, "/Matrix [0 1 -1 0 0 0]");
    place_on(NULL, "/Rotate 90", r90, "/Matrix [0 1 -1 0 0 0]"); /* inherited */
    /* 180: x = 595 - u, y = v */
    place_on("/Rotate 180", NULL, (double[]){595 - u1, v0, 595 - u0, v1},
             "/Matrix [-1 0 0 -1 0 0]");
    /* 270: x = 595 - v, y = 842 - u */
    const double r270[4] = {595 - v1, 842 - u1, 595 - v0, 842 - u0};
    place_on("/Rotate 270", NULL, r270, "/Matrix [0 -1 1 0 0 0]");
    place_on("/Rotate -90", NULL, r270, "/Matrix [0 -1 1 0 0 0]");
    /* the page's own value wins over the inherited one */
    place_on("/Rotate 0", "/Rotate 90", (double[]){u0, 842 - v1, u1, 842 - v0}, NULL);
}

static void test_bad_rotate(void **st)
{
    (void)st;
    size_t np = 0;
    const char *pe[1] = {"/Rotate 45"};
    uint8_t *plain = t_pdf_pages(1, pe, NULL, &np);
    const char *ip = t_path("bad.pdf"), *op = t_path("bad-out.pdf");
    assert_int_equal(es_file_write(NULL, ip, plain, np, 0644), ES_OK);
    unlink(op);
    es_pdf_sign_params p = {.seal = g_id.seal, .seal_len = g_id.seal_len, .key = g_id.key,
                            .cert = g_id.cert, .positions = &g_pos, .n_positions = 1};
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_pdf_sign(ctx, &p, ip, op), ES_ERR_FORMAT_STRUCTURE);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "/Rotate 45"));
    es_ctx_free(ctx);
    assert_int_equal(access(op, F_OK), -1); /* nothing half written */
    es_free(plain);
}

/* A riding seal across pages turned 0, 90, 180 and 270: each slice on the
 * right edge of the displayed page, centred vertically there. */
static void test_riding(void **st)
{
    (void)st;
    size_t np = 0, n = 0;
    const char *pe[4] = {NULL, "/Rotate 90", "/Rotate 180", "/Rotate 270"};
    uint8_t *plain = t_pdf_pages(4, pe, NULL, &np);
    es_pdf_position rp = {.kind = ES_OFD_POS_RIDING, .w_mm = 40, .h_mm = 20};
    uint8_t *s = t_pdf_sign(&g_id, plain, np, &rp, 1, 0, &n);
    double sw = 10 * MM, h = 20 * MM, r[4][4];
    assert_int_equal(widget_rects(s, n, 0, r, 4), 1);
    expect_rect(r[0], 595 - sw, 421 - h / 2, 595, 421 + h / 2);
    /* 90: the displayed right edge is the top (y = 842), vertical centre x */
    assert_int_equal(widget_rects(s, n, 1, r, 4), 1);
    expect_rect(r[0], 297.5 - h / 2, 842 - sw, 297.5 + h / 2, 842);
    /* 180: the left edge (x = 0) */
    assert_int_equal(widget_rects(s, n, 2, r, 4), 1);
    expect_rect(r[0], 0, 421 - h / 2, sw, 421 + h / 2);
    /* 270: the bottom edge (y = 0) */
    assert_int_equal(widget_rects(s, n, 3, r, 4), 1);
    expect_rect(r[0], 297.5 - h / 2, 0, 297.5 + h / 2, sw);
    expect_verified(s, n);
    es_free(s);
    es_free(plain);
}

/* A keyword stamp on a page turned by 90: centred on the words, its
 * displayed width (40 mm) along the unrotated y axis. */
static void test_keyword(void **st)
{
    (void)st;
    size_t np = 0, n = 0, nh = 0;
    const char *pe[1] = {"/Rotate 90"};
    uint8_t *plain = t_pdf_pages(1, pe, NULL, &np);
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, plain, np, NULL)));
    struct es_pdf_hit *hit = NULL;
    assert_true(es_is_ok(es_pdf_find_keyword(&d, "contract", 1, &hit, &nh)));
    assert_int_equal(nh, 1);
    double cx = (hit[0].box[0] + hit[0].box[2]) / 2, cy = (hit[0].box[1] + hit[0].box[3]) / 2;
    es_free(hit);
    es_pdf_close(&d);
    es_pdf_position kp = {.kind = ES_OFD_POS_KEYWORD, .keyword = "contract", .occurrence = 1,
                          .w_mm = 40, .h_mm = 20};
    uint8_t *s = t_pdf_sign(&g_id, plain, np, &kp, 1, 0, &n);
    double r[4][4];
    assert_int_equal(widget_rects(s, n, 0, r, 4), 1);
    expect_rect(r[0], cx - 10 * MM, cy - 20 * MM, cx + 10 * MM, cy + 20 * MM);
    expect_verified(s, n);
    es_free(s);
    es_free(plain);
}

/* Red pixels of a rendering: their count, bounding box and centroid. */
struct red {
    long n;
    int x0, y0, x1, y1;
    double cx, cy;
    int w, h;
};

static bool render_red(const uint8_t *pdf, size_t n, struct red *out)
{
    const char *in = t_path("render.pdf"), *prefix = t_path("render");
    assert_int_equal(es_file_write(NULL, in, pdf, n, 0644), ES_OK);
    char cmd[1024], png[600];
    snprintf(cmd, sizeof(cmd), "pdftoppm -r 36 -png -singlefile '%s' '%s'", in, prefix);
    if (system(cmd) != 0) {
        return false;
    }
    snprintf(png, sizeof(png), "%s.png", prefix);
    cairo_surface_t *s = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const uint8_t *data = cairo_image_surface_get_data(s);
    struct red r = {0, w, h, -1, -1, 0, 0, w, h};
    double sx = 0, sy = 0;
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++) {
            uint32_t v = row[x];
            int R = (int)(v >> 16 & 0xff), G = (int)(v >> 8 & 0xff), B = (int)(v & 0xff);
            if (R > 150 && G < 100 && B < 100) {
                r.n++;
                sx += x;
                sy += y;
                r.x0 = x < r.x0 ? x : r.x0;
                r.y0 = y < r.y0 ? y : r.y0;
                r.x1 = x > r.x1 ? x : r.x1;
                r.y1 = y > r.y1 ? y : r.y1;
            }
        }
    }
    cairo_surface_destroy(s);
    if (r.n) {
        r.cx = sx / (double)r.n;
        r.cy = sy / (double)r.n;
    }
    *out = r;
    return true;
}

static cairo_status_t png_write(void *arg, const unsigned char *p, unsigned int n)
{
    return es_is_ok(es_buf_append(arg, p, n)) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* A seal whose picture is a red "Γ" (top bar and left bar of a 40 x 40
 * square): its red centroid is up and left, and moves if it is turned. */
static uint8_t *gamma_seal(size_t *len)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 40, 40);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.9, 0, 0);
    cairo_rectangle(cr, 0, 0, 40, 10);
    cairo_rectangle(cr, 0, 0, 10, 40);
    cairo_fill(cr);
    cairo_destroy(cr);
    struct es_buf png;
    es_buf_init(&png, 0);
    assert_int_equal(cairo_surface_write_to_png_stream(s, png_write, &png), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
    es_key *mk = NULL;
    es_cert *mc = NULL;
    t_load_identity("maker", &mk, &mc);
    const es_cert *certs[1] = {g_id.cert};
    int64_t now = (int64_t)time(NULL);
    es_seal_params p = {.name = "测试单位合同专用章", .type = 1, .esid = "TEST-0002",
                        .signer_certs = certs, .n_signer_certs = 1, .valid_start = now - 86400,
                        .valid_end = now + 86400, .picture = png.ptr, .picture_len = png.len};
    uint8_t *der = NULL;
    assert_int_equal(es_seal_make(NULL, &p, mk, mc, &der, len), ES_OK);
    es_key_free(mk);
    es_cert_free(mc);
    es_buf_free(&png);
    return der;
}

/* A square 40 mm stamp at (20, 30) mm, rendered at 36 dpi for each
 * rotation: the red pixels inside the expected square of the displayed
 * page, and their centroid (relative to the square) as on the unrotated
 * page, so the picture is upright. */
static void test_render(void **st)
{
    (void)st;
    if (system("command -v pdftoppm >/dev/null 2>&1") != 0) {
        skip(); /* exit 77 in CTest terms: pdftoppm (poppler-utils) missing */
    }
    const double px = 36 / 25.4; /* pixels per mm */
    const double ex0 = 20 * px, ey0 = 30 * px, ex1 = 60 * px, ey1 = 70 * px;
    const es_pdf_position pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 20, .y_mm = 30,
                                 .w_mm = 40, .h_mm = 40};
    const char *rot[4] = {NULL, "/Rotate 90", "/Rotate 180", "/Rotate 270"};
    struct t_ident id = g_id;
    id.seal = gamma_seal(&id.seal_len);
    double ref_cx = 0, ref_cy = 0;
    for (int i = 0; i < 4; i++) {
        size_t np = 0, n = 0;
        const char *pe[1] = {rot[i]};
        uint8_t *plain = t_pdf_pages(1, pe, NULL, &np);
        uint8_t *s = t_pdf_sign(&id, plain, np, &pos, 1, 0, &n);
        struct red r = {0};
        assert_true(render_red(s, n, &r));
        /* the displayed page: 595 x 842 pt, or turned */
        bool turned = i % 2 == 1;
        assert_int_equal(r.w, (int)lround((turned ? 842 : 595) / 2.0));
        if (r.n < 100 || r.x0 < ex0 - 2 || r.y0 < ey0 - 2 || r.x1 > ex1 + 2 ||
            r.y1 > ey1 + 2 || r.x1 - r.x0 < (ex1 - ex0) * 0.8) {
            fail_msg("/Rotate %d: %ld red pixels in [%d %d %d %d], expected within "
                     "[%.0f %.0f %.0f %.0f]",
                     i * 90, r.n, r.x0, r.y0, r.x1, r.y1, ex0, ey0, ex1, ey1);
        }
        double cx = (r.cx - ex0) / (ex1 - ex0) - 0.5, cy = (r.cy - ey0) / (ey1 - ey0) - 0.5;
        if (i == 0) {
            ref_cx = cx;
            ref_cy = cy;
            /* up and left: a picture turned by 90, 180 or 270 moves it */
            assert_true(cx < -0.05 && cy < -0.05);
        } else if (fabs(cx - ref_cx) > 0.03 || fabs(cy - ref_cy) > 0.03) {
            fail_msg("/Rotate %d: red centroid (%.3f, %.3f), upright it is (%.3f, %.3f)",
                     i * 90, cx, cy, ref_cx, ref_cy);
        }
        es_free(s);
        es_free(plain);
    }
    es_free(id.seal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_position), cmocka_unit_test(test_bad_rotate),
        cmocka_unit_test(test_riding),        cmocka_unit_test(test_keyword),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
