/*
 * tests/unit/image/seal_layout_test.c - spec validation and the geometry of
 * seal pictures: default sizes, names of 1 to 40 characters spaced evenly
 * and never overlapping, everything inside the border, the square seal's
 * reading order, and the font traps (wrong face, missing character).
 */
#include <ft2build.h>
#include FT_FREETYPE_H
#include <math.h>
#include <stdio.h>

#include "image/image_int.h"
#include "testlib.h"

/* A name of n distinct common characters. */
static const char *const POOL[] = {
    "北", "京", "示", "例", "科", "技", "有", "限", "公", "司", "中", "华", "人", "民",
    "共", "和", "国", "家", "市", "场", "监", "督", "管", "理", "总", "局", "认", "证",
    "可", "术", "研", "究", "心", "电", "网", "海", "淀", "供", "营", "业", "厅", "服"};

static void make_name(size_t n, char *buf, size_t cap)
{
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        strncat(buf, POOL[i % (sizeof(POOL) / sizeof(POOL[0]))], cap - strlen(buf) - 1);
    }
}

static int open_font(void **state)
{
    static struct es_seal_font font;
    es_result r = es_seal_font_open(NULL, &font);
    if (es_is_err(r)) {
        fprintf(stderr, "font: %s\n", es_error_detail());
        return -1;
    }
    *state = &font;
    return 0;
}

static int close_font(void **state)
{
    es_seal_font_close(*state);
    return 0;
}

static void layout(struct es_seal_font *font, const es_seal_image_spec *spec,
                   struct es_seal_prepared *p, struct es_seal_drawing *d)
{
    es_result r = es_seal_spec_prepare(spec, p);
    if (es_is_err(r)) {
        fail_msg("prepare: %s", es_error_detail());
    }
    r = es_seal_layout(p, font, d);
    if (es_is_err(r)) {
        fail_msg("layout: %s", es_error_detail());
    }
}

/* ---- convex quadrilateral helpers ---- */

static void project(const double q[4][2], double ax, double ay, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < 4; i++) {
        double v = q[i][0] * ax + q[i][1] * ay;
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
}

/* Separating-axis test: true when the quads overlap by more than eps. */
static bool quads_overlap(const double a[4][2], const double b[4][2], double eps)
{
    const double(*polys[2])[2] = {a, b};
    for (int p = 0; p < 2; p++) {
        for (int i = 0; i < 4; i++) {
            const double *u = polys[p][i];
            const double *v = polys[p][(i + 1) % 4];
            double ax = -(v[1] - u[1]);
            double ay = v[0] - u[0];
            double len = hypot(ax, ay);
            if (len < 1e-12) {
                continue;
            }
            ax /= len;
            ay /= len;
            double alo, ahi, blo, bhi;
            project(a, ax, ay, &alo, &ahi);
            project(b, ax, ay, &blo, &bhi);
            if (ahi <= blo + eps || bhi <= alo + eps) {
                return false;
            }
        }
    }
    return true;
}

/* Every inked glyph is apart from every other one and from the star, and
 * lies inside the border's inner edge with a margin. */
static void check_no_overlap_inside(const struct es_seal_drawing *d, const char *what)
{
    for (size_t i = 0; i < d->n_glyphs; i++) {
        const struct es_seal_glyph *g = &d->glyphs[i];
        if (!g->has_ink) {
            continue;
        }
        for (size_t j = i + 1; j < d->n_glyphs; j++) {
            if (d->glyphs[j].has_ink && quads_overlap(g->ink, d->glyphs[j].ink, 1e-6)) {
                fail_msg("%s: glyphs %zu (U+%04X) and %zu (U+%04X) overlap", what, i,
                         (unsigned)g->cp, j, (unsigned)d->glyphs[j].cp);
            }
        }
        for (int k = 0; k < 4; k++) {
            double x = g->ink[k][0] - d->w_mm / 2;
            double y = g->ink[k][1] - d->h_mm / 2;
            double ia = d->rx - d->border_w / 2;
            double ib = d->ry - d->border_w / 2;
            if (d->border == ES_BORDER_RECT) {
                if (fabs(x) > ia - 0.1 || fabs(y) > ib - 0.1) {
                    fail_msg("%s: glyph %zu reaches the border", what, i);
                }
            } else {
                /* inside the inner edge, 0.2 mm to spare */
                double e = (x / (ia - 0.2)) * (x / (ia - 0.2)) + (y / (ib - 0.2)) * (y / (ib - 0.2));
                if (e > 1) {
                    fail_msg("%s: glyph %zu (U+%04X) reaches the border (%.3f)", what, i,
                             (unsigned)g->cp, e);
                }
            }
        }
        if (d->has_star) {
            /* the star's circumscribed circle stays clear of every glyph */
            double cx = d->w_mm / 2;
            double cy = d->h_mm / 2;
            double min_d = INFINITY;
            for (int k = 0; k < 4; k++) {
                const double *p0 = g->ink[k];
                const double *p1 = g->ink[(k + 1) % 4];
                double vx = p1[0] - p0[0];
                double vy = p1[1] - p0[1];
                double t = ((cx - p0[0]) * vx + (cy - p0[1]) * vy) / (vx * vx + vy * vy);
                t = fmax(0, fmin(1, t));
                min_d = fmin(min_d, hypot(p0[0] + t * vx - cx, p0[1] + t * vy - cy));
            }
            if (min_d < d->star_r) {
                fail_msg("%s: glyph %zu touches the star", what, i);
            }
        }
    }
}

/* ---- tests ---- */

static void test_default_sizes(void **state)
{
    (void)state;
    double w, h;
    es_seal_image_default_size(ES_SEAL_SHAPE_ROUND, NULL, &w, &h);
    assert_true(w == 42 && h == 42);
    es_seal_image_default_size(ES_SEAL_SHAPE_ROUND, "", &w, &h);
    assert_true(w == 42 && h == 42);
    es_seal_image_default_size(ES_SEAL_SHAPE_ROUND, "合同专用章", &w, &h);
    assert_true(w == 40 && h == 40);
    es_seal_image_default_size(ES_SEAL_SHAPE_ROUND, "财务专用章", &w, &h);
    assert_true(w == 38 && h == 38);
    es_seal_image_default_size(ES_SEAL_SHAPE_OVAL, "发票专用章", &w, &h);
    assert_true(w == 40 && h == 30);
    es_seal_image_default_size(ES_SEAL_SHAPE_SQUARE, NULL, &w, &h);
    assert_true(w == 20 && h == 20);
    es_seal_image_default_size(ES_SEAL_SHAPE_LAST_, NULL, &w, &h);
    assert_true(w == 0 && h == 0);
}

static void test_prepare_sizes(void **state)
{
    (void)state;
    struct es_seal_prepared p;
    es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_ROUND, .name = "北京示例科技有限公司"};
    assert_true(es_is_ok(es_seal_spec_prepare(&s, &p)));
    /* 42 mm at 600 dpi: 42 / 25.4 * 600 = 992.1 */
    assert_int_equal(p.w_px, 992);
    assert_int_equal(p.h_px, 992);
    assert_int_equal(p.dpi, 600);
    s.kind = "合同专用章";
    s.dpi = 300;
    assert_true(es_is_ok(es_seal_spec_prepare(&s, &p)));
    assert_int_equal(p.w_px, 472); /* 40 mm */
    s.shape = ES_SEAL_SHAPE_OVAL;
    s.kind = "发票专用章";
    assert_true(es_is_ok(es_seal_spec_prepare(&s, &p)));
    assert_int_equal(p.w_px, 472);
    assert_int_equal(p.h_px, 354); /* 30 mm */
    s.width_mm = 45;
    assert_true(es_is_ok(es_seal_spec_prepare(&s, &p)));
    assert_true(p.w_mm == 45 && p.h_mm == 33.75);
    s.shape = ES_SEAL_SHAPE_SQUARE;
    s.name = "王小明";
    s.kind = NULL;
    s.width_mm = 0;
    s.height_mm = 18;
    assert_true(es_is_ok(es_seal_spec_prepare(&s, &p)));
    assert_true(p.w_mm == 18 && p.h_mm == 18);
}

static void expect_bad(es_seal_image_spec s, const char *needle)
{
    struct es_seal_prepared p;
    es_result r = es_seal_spec_prepare(&s, &p);
    assert_int_equal(r.rc, ES_ERR_USAGE_ARG);
    if (needle && !strstr(es_error_detail(), needle)) {
        fail_msg("message '%s' does not mention '%s'", es_error_detail(), needle);
    }
}

static void test_prepare_rejects(void **state)
{
    (void)state;
    char name41[41 * 3 + 1];
    make_name(41, name41, sizeof(name41));
    es_seal_image_spec ok = {.shape = ES_SEAL_SHAPE_ROUND, .name = "示例公司"};
    es_seal_image_spec s = ok;
    s.name = NULL;
    expect_bad(s, "name");
    s.name = "";
    expect_bad(s, "name");
    s.name = "   ";
    expect_bad(s, "blank");
    s.name = name41;
    expect_bad(s, "41 characters");
    s.name = "示例\xe5\x85"; /* truncated sequence */
    expect_bad(s, "UTF-8");
    s.name = "\xc0\xaf"; /* overlong '/' */
    expect_bad(s, "UTF-8");
    s.name = "\xed\xa0\x80"; /* surrogate */
    expect_bad(s, "UTF-8");
    s.name = "示例\n公司";
    expect_bad(s, "control");
    s = ok;
    s.kind = "一二三四五六七八九十一二三";
    expect_bad(s, "kind");
    s = ok;
    s.code = "123456789012345678901234567890123";
    expect_bad(s, "code");
    s = ok;
    s.shape = ES_SEAL_SHAPE_LAST_;
    expect_bad(s, "shape");
    s = ok;
    s.width_mm = 40;
    s.height_mm = 30;
    expect_bad(s, "equal");
    s = ok;
    s.width_mm = 5;
    expect_bad(s, "diameter");
    s.width_mm = 1000;
    expect_bad(s, "diameter");
    s.width_mm = NAN;
    expect_bad(s, "width");
    s.width_mm = -1;
    expect_bad(s, "width");
    s = ok;
    s.dpi = 10;
    expect_bad(s, "dpi");
    s.dpi = 100000;
    expect_bad(s, "dpi");
    s = ok;
    s.shape = ES_SEAL_SHAPE_OVAL;
    s.width_mm = 30;
    s.height_mm = 40;
    expect_bad(s, "height");
    s = ok;
    s.shape = ES_SEAL_SHAPE_SQUARE;
    s.name = "王";
    expect_bad(s, "2 to 4");
    s.name = "王小明之印";
    expect_bad(s, "2 to 4");
    s.name = "王小明";
    s.kind = "专用章";
    expect_bad(s, "only the name");
}

static void test_font_face_and_missing_glyph(void **state)
{
    struct es_seal_font *font = *state;
    /* the collection's face 0 is JP: the simplified Chinese face must be chosen */
    FT_Face face = font->face;
    assert_string_equal(face->family_name, "Noto Serif CJK SC");
    assert_int_not_equal(face->face_index, 0);
    assert_true(font->asc - font->desc > 0);
    struct es_seal_glyph_metrics m;
    assert_true(es_is_ok(es_seal_font_metrics(font, 0x516C /* 公 */, &m)));
    assert_true(m.has_ink);
    es_result r = es_seal_font_metrics(font, 0xE000 /* private use */, &m);
    assert_int_equal(r.rc, ES_ERR_USAGE_ARG);
    assert_non_null(strstr(es_error_detail(), "U+E000"));

    struct es_seal_font other;
    r = es_seal_font_open("/nonexistent/font.ttc", &other);
    assert_int_equal(r.rc, ES_ERR_IO_OPEN);
    assert_non_null(strstr(es_error_detail(), "/nonexistent/font.ttc"));

    /* a character the font lacks fails the whole picture: no fallback */
    es_ctx *ctx = es_ctx_new();
    es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_ROUND, .name = "示例\xee\x80\x80公司"};
    uint8_t *out = (uint8_t *)1;
    size_t len = 1;
    assert_int_equal(es_seal_image_render(ctx, &s, ES_IMAGE_PNG, &out, &len), ES_ERR_USAGE_ARG);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "U+E000"));
    es_ctx_free(ctx);
}

/* Names from 1 to 40 characters on the round seals of every kind: even
 * steps, no overlap, inside the ring, compressed only when needed. */
static void test_round_names_1_to_40(void **state)
{
    struct es_seal_font *font = *state;
    static const char *const kinds[] = {NULL, "合同专用章", "财务专用章"};
    char name[40 * 3 + 1];
    for (size_t k = 0; k < 3; k++) {
        for (size_t n = 1; n <= 40; n++) {
            make_name(n, name, sizeof(name));
            es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_ROUND, .name = name, .kind = kinds[k],
                                    .code = k ? "1101080123456" : NULL};
            struct es_seal_prepared p;
            struct es_seal_drawing d;
            layout(font, &s, &p, &d);
            char what[64];
            snprintf(what, sizeof(what), "round kind %zu, %zu chars", k, n);
            check_no_overlap_inside(&d, what);
            /* the name glyphs: equal angular steps, left to right */
            double cx = d.w_mm / 2;
            double cy = d.h_mm / 2;
            double prev = 0;
            double step = 0;
            size_t seen = 0;
            for (size_t i = 0; i < d.n_glyphs; i++) {
                const struct es_seal_glyph *g = &d.glyphs[i];
                if (g->line != ES_SEAL_LINE_NAME) {
                    continue;
                }
                double ang = atan2(g->cx - cx, cy - g->cy); /* from the top, clockwise */
                assert_true(fabs(ang - g->angle) < 1e-9);   /* standing on the radius */
                if (seen == 1) {
                    step = ang - prev;
                    assert_true(step > 0);
                } else if (seen > 1) {
                    assert_true(fabs((ang - prev) - step) < 1e-4);
                }
                prev = ang;
                seen++;
            }
            assert_int_equal(seen, n);
            /* symmetric about the top */
            assert_true(d.name_compress > 0 && d.name_compress <= 1);
            if (n <= 8) {
                assert_true(d.name_compress == 1.0);
            }
            if (n >= 20) {
                assert_true(d.name_compress < 1.0);
            }
            es_seal_drawing_free(&d);
        }
    }
}

static void test_round_symmetry_and_parts(void **state)
{
    struct es_seal_font *font = *state;
    es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_ROUND,
                            .name = "北京示例科技有限公司",
                            .kind = "合同专用章",
                            .code = "1101080123456"};
    struct es_seal_prepared p;
    struct es_seal_drawing d;
    layout(font, &s, &p, &d);
    size_t n_name = 0, n_kind = 0, n_code = 0;
    double first = 0, last = 0;
    for (size_t i = 0; i < d.n_glyphs; i++) {
        const struct es_seal_glyph *g = &d.glyphs[i];
        if (g->line == ES_SEAL_LINE_NAME) {
            if (n_name == 0) {
                first = g->angle;
            }
            last = g->angle;
            n_name++;
            assert_true(g->cy < d.h_mm * 0.75); /* the upper arc */
        } else if (g->line == ES_SEAL_LINE_KIND) {
            n_kind++;
            assert_true(g->angle == 0);           /* straight */
            assert_true(g->cy > d.h_mm / 2 + 2);  /* under the star */
        } else {
            n_code++;
            assert_true(g->cy > d.h_mm * 0.8); /* the lower arc */
            assert_true(fabs(g->angle) < 50 * M_PI / 180);
        }
    }
    assert_int_equal(n_name, 10);
    assert_int_equal(n_kind, 5);
    assert_int_equal(n_code, 13);
    assert_true(fabs(first + last) < 1e-9); /* centred on the top */
    assert_true(d.has_star);
    /* border 1.2 mm on 42 mm, proportional: 40/42 * 1.2 */
    assert_true(fabs(d.border_w - 1.2 * 40 / 42) < 1e-9);
    assert_true(fabs(d.rx + d.border_w / 2 - 20) < 1e-9);
    /* code glyphs read left to right */
    double px = -1;
    for (size_t i = 0; i < d.n_glyphs; i++) {
        if (d.glyphs[i].line == ES_SEAL_LINE_CODE) {
            assert_true(d.glyphs[i].cx > px);
            px = d.glyphs[i].cx;
        }
    }
    check_no_overlap_inside(&d, "round parts");
    es_seal_drawing_free(&d);
}

static void test_oval_names(void **state)
{
    struct es_seal_font *font = *state;
    char name[40 * 3 + 1];
    for (size_t n = 1; n <= 40; n++) {
        make_name(n, name, sizeof(name));
        es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_OVAL,
                                .name = name,
                                .kind = "发票专用章",
                                .code = "91310000MA1FL0X12Q"};
        struct es_seal_prepared p;
        struct es_seal_drawing d;
        layout(font, &s, &p, &d);
        char what[64];
        snprintf(what, sizeof(what), "oval, %zu chars", n);
        check_no_overlap_inside(&d, what);
        /* even arc-length steps: neighbouring centres equally far apart */
        double prev_d = -1;
        const struct es_seal_glyph *pg = NULL;
        for (size_t i = 0; i < d.n_glyphs; i++) {
            const struct es_seal_glyph *g = &d.glyphs[i];
            if (g->line != ES_SEAL_LINE_NAME) {
                continue;
            }
            if (pg) {
                double dist = hypot(g->cx - pg->cx, g->cy - pg->cy);
                assert_true(g->angle > pg->angle); /* along the arc, left to right */
                /* chords of equal arcs differ a little with the curvature */
                if (prev_d > 0) {
                    assert_true(fabs(dist - prev_d) / prev_d < 0.03);
                }
                prev_d = dist;
            }
            pg = g;
        }
        es_seal_drawing_free(&d);
    }
}

static void test_square_order(void **state)
{
    struct es_seal_font *font = *state;
    static const char *const names[] = {"李白", "欧阳修", "王小明印"};
    for (size_t k = 0; k < 3; k++) {
        es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_SQUARE, .name = names[k]};
        struct es_seal_prepared p;
        struct es_seal_drawing d;
        layout(font, &s, &p, &d);
        assert_int_equal(d.n_glyphs, k + 2);
        assert_int_equal(d.border, ES_BORDER_RECT);
        check_no_overlap_inside(&d, names[k]);
        const struct es_seal_glyph *g = d.glyphs;
        /* the first character is in the right column, the last in the left */
        assert_true(g[0].cx > d.w_mm / 2);
        assert_true(g[k + 1].cx < d.w_mm / 2);
        if (k == 2) {
            /* 2x2: top-right, bottom-right, top-left, bottom-left */
            assert_true(g[0].cy < g[1].cy && fabs(g[0].cx - g[1].cx) < 1e-9);
            assert_true(g[2].cy < g[3].cy && g[2].cx < g[0].cx);
        }
        if (k == 1) {
            /* the surname fills the right column */
            assert_true(fabs(g[0].cy - d.h_mm / 2) < 1e-9);
            assert_true(g[1].cy < g[2].cy);
        }
        es_seal_drawing_free(&d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_sizes),
        cmocka_unit_test(test_prepare_sizes),
        cmocka_unit_test(test_prepare_rejects),
        cmocka_unit_test(test_font_face_and_missing_glyph),
        cmocka_unit_test(test_round_names_1_to_40),
        cmocka_unit_test(test_round_symmetry_and_parts),
        cmocka_unit_test(test_oval_names),
        cmocka_unit_test(test_square_order),
    };
    return cmocka_run_group_tests(tests, open_font, close_font);
}
