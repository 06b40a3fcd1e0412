/*
 * tests/unit/image/seal_render_test.c - the rendered pictures: PNG size for
 * each kind at a resolution, transparency outside the border, nothing drawn
 * beyond it, the colour and share of ink, pixel checks that neighbouring
 * characters of long names stay apart, byte-identical output when drawn
 * twice, the PNG chunks (pHYs, no time or text), well-formed SVG.
 */
#include <cairo.h>
#include <ctype.h>
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <stdio.h>

#include "image/image_int.h"
#include "testlib.h"

struct pic {
    uint32_t w, h;
    uint8_t *rgba;
};

static void render(const es_seal_image_spec *s, es_image_format fmt, uint8_t **out, size_t *len)
{
    es_ctx *ctx = es_ctx_new();
    int rc = es_seal_image_render(ctx, s, fmt, out, len);
    if (rc != ES_OK) {
        fail_msg("render: %s", es_ctx_errmsg(ctx));
    }
    es_ctx_free(ctx);
}

static struct pic decode(const uint8_t *png, size_t len)
{
    png_image img;
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_memory(&img, png, len));
    img.format = PNG_FORMAT_RGBA;
    struct pic p = {img.width, img.height, NULL};
    p.rgba = es_malloc((size_t)p.w * p.h * 4);
    assert_non_null(p.rgba);
    assert_true(png_image_finish_read(&img, NULL, p.rgba, 0, NULL));
    return p;
}

/* Renders s as PNG and decodes it (free p.rgba). */
static struct pic render_pic(const es_seal_image_spec *s)
{
    uint8_t *png = NULL;
    size_t len = 0;
    render(s, ES_IMAGE_PNG, &png, &len);
    struct pic p = decode(png, len);
    es_free(png);
    return p;
}

static const uint8_t *px(const struct pic *p, uint32_t x, uint32_t y)
{
    return p->rgba + ((size_t)y * p->w + x) * 4;
}

/* ---- size by kind ---- */

static void test_png_size_by_kind(void **state)
{
    (void)state;
    static const struct {
        es_seal_shape shape;
        const char *name, *kind;
        int dpi;
        uint32_t w, h;
    } cases[] = {
        {ES_SEAL_SHAPE_ROUND, "北京示例科技有限公司", NULL, 600, 992, 992},         /* 42 mm */
        {ES_SEAL_SHAPE_ROUND, "北京示例科技有限公司", "合同专用章", 600, 945, 945}, /* 40 mm */
        {ES_SEAL_SHAPE_ROUND, "北京示例科技有限公司", "财务专用章", 600, 898, 898}, /* 38 mm */
        {ES_SEAL_SHAPE_ROUND, "北京示例科技有限公司", NULL, 150, 248, 248},
        {ES_SEAL_SHAPE_OVAL, "上海示例贸易有限公司", "发票专用章", 600, 945, 709},  /* 40x30 */
        {ES_SEAL_SHAPE_OVAL, "上海示例贸易有限公司", "发票专用章", 300, 472, 354},
        {ES_SEAL_SHAPE_SQUARE, "王小明印", NULL, 600, 472, 472}, /* 20 mm */
        {ES_SEAL_SHAPE_SQUARE, "王小明印", NULL, 1200, 945, 945},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        es_seal_image_spec s = {.shape = cases[i].shape,
                                .name = cases[i].name,
                                .kind = cases[i].kind,
                                .dpi = cases[i].dpi};
        struct pic p = render_pic(&s);
        if (p.w != cases[i].w || p.h != cases[i].h) {
            fail_msg("case %zu: %ux%u, expected %ux%u", i, p.w, p.h, cases[i].w, cases[i].h);
        }
        es_free(p.rgba);
    }
}

/* ---- pixels ---- */

/* The three sample seals: round and oval with kind and code, square. */
static void samples(es_seal_image_spec out[3], int dpi)
{
    static const es_seal_image_spec base[3] = {
        {.shape = ES_SEAL_SHAPE_ROUND, .name = "北京示例科技有限公司", .kind = "合同专用章",
         .code = "1101080123456"},
        {.shape = ES_SEAL_SHAPE_OVAL, .name = "上海示例贸易有限公司", .kind = "发票专用章",
         .code = "91310000MA1FL0X12Q"},
        {.shape = ES_SEAL_SHAPE_SQUARE, .name = "王小明印"},
    };
    for (size_t i = 0; i < 3; i++) {
        out[i] = base[i];
        out[i].dpi = dpi;
    }
}

/* Round and oval: transparent outside the outer edge, all ink seal red, the
 * ring drawn all round, a share of ink within bounds. */
static void check_ellipse_pixels(const struct pic *p, double min_share, double max_share)
{
    double cx = p->w / 2.0;
    double cy = p->h / 2.0;
    double a = p->w / 2.0;
    double b = p->h / 2.0;
    uint64_t inside = 0;
    uint64_t ink = 0;
    for (uint32_t y = 0; y < p->h; y++) {
        for (uint32_t x = 0; x < p->w; x++) {
            const uint8_t *q = px(p, x, y);
            double dx = (x + 0.5 - cx) / a;
            double dy = (y + 0.5 - cy) / b;
            double e = sqrt(dx * dx + dy * dy);
            if (q[3]) {
                /* ink is seal red at any coverage */
                if (q[0] != 0xE6 || q[1] != 0x00 || q[2] != 0x12) {
                    fail_msg("pixel %u,%u is %02x%02x%02x, not seal red", x, y, q[0], q[1], q[2]);
                }
            }
            if (e > 1 + 1.5 / fmin(a, b)) {
                /* nothing outside the border (1.5 px of anti-aliasing) */
                if (q[3] != 0) {
                    fail_msg("pixel %u,%u outside the border has alpha %u", x, y, q[3]);
                }
            } else if (e <= 1) {
                inside++;
                ink += q[3];
            }
        }
    }
    /* the ring: opaque just inside the outer edge in eight directions */
    for (int k = 0; k < 8; k++) {
        double ang = k * M_PI / 4;
        double r = 1 - 4.0 / fmin(a, b);
        uint32_t x = (uint32_t)(cx + a * r * cos(ang));
        uint32_t y = (uint32_t)(cy + b * r * sin(ang));
        assert_int_equal(px(p, x, y)[3], 255);
    }
    assert_int_equal(px(p, 0, 0)[3], 0);
    assert_int_equal(px(p, p->w - 1, p->h - 1)[3], 0);
    double share = (double)ink / 255.0 / (double)inside;
    if (share < min_share || share > max_share) {
        fail_msg("ink share %.3f outside %.2f..%.2f", share, min_share, max_share);
    }
}

static void test_round_pixels(void **state)
{
    (void)state;
    es_seal_image_spec s[3];
    samples(s, 300);
    struct pic p = render_pic(&s[0]);
    check_ellipse_pixels(&p, 0.12, 0.45);
    /* the star's centre is inked; between star and name it is transparent */
    assert_int_equal(px(&p, p.w / 2, p.h / 2)[3], 255);
    assert_int_equal(px(&p, p.w / 2, (uint32_t)(p.h * 0.31))[3], 0);
    es_free(p.rgba);
}

static void test_oval_pixels(void **state)
{
    (void)state;
    es_seal_image_spec s[3];
    samples(s, 300);
    struct pic p = render_pic(&s[1]);
    check_ellipse_pixels(&p, 0.10, 0.45);
    es_free(p.rgba);
}

static void test_square_pixels(void **state)
{
    (void)state;
    es_seal_image_spec s[3];
    samples(s, 300);
    struct pic p = render_pic(&s[2]);
    /* the border touches every edge: opaque two pixels in, all round */
    for (uint32_t i = 4; i + 4 < p.w; i++) {
        assert_int_equal(px(&p, i, 2)[3], 255);
        assert_int_equal(px(&p, i, p.h - 3)[3], 255);
        assert_int_equal(px(&p, 2, i)[3], 255);
        assert_int_equal(px(&p, p.w - 3, i)[3], 255);
    }
    /* a gap between the border and the characters: the pad is transparent
     * along its middle line except where strokes come close */
    uint64_t ink = 0;
    for (uint32_t y = 0; y < p.h; y++) {
        for (uint32_t x = 0; x < p.w; x++) {
            ink += px(&p, x, y)[3];
        }
    }
    double share = (double)ink / 255.0 / ((double)p.w * p.h);
    assert_true(share > 0.25 && share < 0.7);
    es_free(p.rgba);
}

/* Pixel check that neighbouring characters of names of 2 to 40 characters
 * do not touch: the radius halfway between two neighbours crosses no ink. */
static void test_long_name_gaps_in_pixels(void **state)
{
    (void)state;
    char name[40 * 3 + 1] = "";
    /* 田: its strokes reach both sides of its cell */
    for (size_t n = 2; n <= 40; n++) {
        name[0] = 0;
        for (size_t i = 0; i < n; i++) {
            strcat(name, "田");
        }
        es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_ROUND, .name = name, .dpi = 600};
        struct es_seal_prepared p;
        struct es_seal_font font;
        struct es_seal_drawing d;
        uint8_t *mask = NULL;
        assert_true(es_is_ok(es_seal_spec_prepare(&s, &p)));
        assert_true(es_is_ok(es_seal_font_open(NULL, &font)));
        assert_true(es_is_ok(es_seal_layout(&p, &font, &d)));
        assert_true(es_is_ok(es_seal_raster(&d, p.w_px, p.h_px, &mask)));
        /* radius of the name glyphs' centres, in pixels */
        double k = p.w_px / p.w_mm;
        double cx = p.w_px / 2.0;
        double cy = p.h_px / 2.0;
        double r = hypot(d.glyphs[0].cx - p.w_mm / 2, d.glyphs[0].cy - p.h_mm / 2) * k;
        for (size_t g = 0; g + 1 < d.n_glyphs; g++) {
            /* the radius halfway between two neighbours is clear of ink
             * across the name's height */
            double mx = (d.glyphs[g].cx + d.glyphs[g + 1].cx) / 2 * k - cx;
            double my = (d.glyphs[g].cy + d.glyphs[g + 1].cy) / 2 * k - cy;
            double ml = hypot(mx, my);
            double hh = d.name_height * k / 2;
            for (double t = -hh * 0.9; t <= hh * 0.9; t += 0.5) {
                int x = (int)(cx + mx / ml * (r + t));
                int y = (int)(cy + my / ml * (r + t));
                if (mask[(size_t)y * p.w_px + (size_t)x] > 64) {
                    fail_msg("%zu chars: ink between glyphs %zu and %zu", n, g, g + 1);
                }
            }
        }
        es_free(mask);
        es_seal_drawing_free(&d);
        es_seal_font_close(&font);
    }
}

/* ---- determinism and chunks ---- */

static void test_deterministic(void **state)
{
    (void)state;
    es_seal_image_spec specs[3];
    samples(specs, 200);
    for (size_t i = 0; i < 3; i++) {
        for (int f = 0; f < 2; f++) {
            uint8_t *a = NULL, *b = NULL;
            size_t alen = 0, blen = 0;
            render(&specs[i], (es_image_format)f, &a, &alen);
            /* something else in between, to disturb any cache */
            uint8_t *c = NULL;
            size_t clen = 0;
            render(&specs[(i + 1) % 3], (es_image_format)f, &c, &clen);
            render(&specs[i], (es_image_format)f, &b, &blen);
            assert_int_equal(alen, blen);
            assert_memory_equal(a, b, alen);
            es_free(a);
            es_free(b);
            es_free(c);
        }
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_png_chunks(void **state)
{
    (void)state;
    es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_ROUND, .name = "北京示例科技有限公司"};
    uint8_t *png = NULL;
    size_t len = 0;
    render(&s, ES_IMAGE_PNG, &png, &len);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    size_t pos = 8;
    bool phys = false, iend = false;
    while (pos + 12 <= len) {
        uint32_t n = be32(png + pos);
        char type[5];
        memcpy(type, png + pos + 4, 4);
        type[4] = 0;
        assert_true(strcmp(type, "tIME") != 0);
        assert_true(strcmp(type, "tEXt") != 0 && strcmp(type, "zTXt") != 0 &&
                    strcmp(type, "iTXt") != 0);
        if (strcmp(type, "IHDR") == 0) {
            assert_int_equal(png[pos + 8 + 8], 8); /* bit depth */
            assert_int_equal(png[pos + 8 + 9], 6); /* RGBA */
        }
        if (strcmp(type, "pHYs") == 0) {
            /* 600 dpi = 23622 pixels per metre */
            assert_int_equal(be32(png + pos + 8), 23622);
            assert_int_equal(be32(png + pos + 12), 23622);
            assert_int_equal(png[pos + 16], 1);
            phys = true;
        }
        if (strcmp(type, "IEND") == 0) {
            iend = true;
        }
        pos += 12 + n;
    }
    assert_true(phys && iend);
    assert_int_equal(pos, len);
    /* our own checker accepts our own output */
    es_ctx *ctx = es_ctx_new();
    const char *type = NULL;
    uint32_t w = 0, h = 0;
    assert_int_equal(es_image_check(ctx, png, len, &type, &w, &h), ES_OK);
    assert_string_equal(type, "PNG");
    assert_int_equal(w, 992);
    es_ctx_free(ctx);
    es_free(png);
}

/* ---- SVG ---- */

/* A small well-formedness checker: balanced elements, quoted attributes,
 * escaped text, one root. Enough for the SVG we write. */
static void check_xml(const char *x)
{
    char stack[32][32];
    int depth = 0;
    int roots = 0;
    const char *p = x;
    if (strncmp(p, "<?xml ", 6) == 0) {
        p = strstr(p, "?>");
        assert_non_null(p);
        p += 2;
    }
    while (*p) {
        if (*p != '<') {
            if (depth == 0) {
                assert_true(*p == '\n' || *p == ' ');
            }
            if (*p == '&') {
                assert_true(strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
                            strncmp(p, "&gt;", 4) == 0 || strncmp(p, "&quot;", 6) == 0);
            }
            assert_true(*p != '>');
            p++;
            continue;
        }
        p++;
        bool closing = *p == '/';
        if (closing) {
            p++;
        }
        char name[32];
        size_t n = 0;
        while (*p && (isalnum((unsigned char)*p) || *p == ':' || *p == '-') && n < 31) {
            name[n++] = *p++;
        }
        name[n] = 0;
        assert_true(n > 0);
        if (closing) {
            assert_true(depth > 0);
            assert_string_equal(stack[depth - 1], name);
            depth--;
            assert_int_equal(*p, '>');
            p++;
            continue;
        }
        /* attributes */
        for (;;) {
            while (*p == ' ' || *p == '\n') {
                p++;
            }
            if (*p == '>' || (*p == '/' && p[1] == '>')) {
                break;
            }
            assert_true(isalpha((unsigned char)*p));
            while (isalnum((unsigned char)*p) || *p == ':' || *p == '-') {
                p++;
            }
            assert_int_equal(*p, '=');
            p++;
            assert_int_equal(*p, '"');
            p++;
            while (*p && *p != '"') {
                assert_true(*p != '<');
                p++;
            }
            assert_int_equal(*p, '"');
            p++;
        }
        if (depth == 0) {
            roots++;
        }
        if (*p == '/') {
            p += 2;
        } else {
            p++;
            assert_true(depth < 32);
            strcpy(stack[depth++], name);
        }
    }
    assert_int_equal(depth, 0);
    assert_int_equal(roots, 1);
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

static void test_svg(void **state)
{
    (void)state;
    es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_ROUND,
                            .name = "A&B<示例>\"科技\"有限公司",
                            .kind = "合同专用章",
                            .code = "1101080123456"};
    uint8_t *svg = NULL;
    size_t len = 0;
    render(&s, ES_IMAGE_SVG, &svg, &len);
    const char *x = (const char *)svg;
    assert_int_equal(strlen(x), len);
    check_xml(x);
    assert_non_null(strstr(x, "width=\"40mm\" height=\"40mm\" viewBox=\"0 0 40 40\""));
    assert_non_null(strstr(x, "<title>A&amp;B&lt;示例&gt;\"科技\"有限公司 合同专用章 1101080123456</title>"));
    assert_non_null(strstr(x, "<ellipse cx=\"20\" cy=\"20\""));
    assert_non_null(strstr(x, "fill=\"#E60012\""));
    assert_null(strstr(x, ",")); /* no locale decimal commas */
    /* one path for the star and one per inked character: 15 + 5 + 13 + 1,
     * less the spaces (none here) */
    assert_int_equal(count(x, "<path "), 15 + 5 + 13 + 1);
    /* our checker accepts it, with the size in pixels at 96 per inch */
    es_ctx *ctx = es_ctx_new();
    const char *type = NULL;
    uint32_t w = 0, h = 0;
    assert_int_equal(es_image_check(ctx, svg, len, &type, &w, &h), ES_OK);
    assert_string_equal(type, "SVG");
    assert_int_equal(w, 151); /* 40 mm */
    assert_int_equal(h, 151);
    es_ctx_free(ctx);
    es_free(svg);

    es_seal_image_spec sq = {.shape = ES_SEAL_SHAPE_SQUARE, .name = "王小明印"};
    render(&sq, ES_IMAGE_SVG, &svg, &len);
    check_xml((const char *)svg);
    assert_non_null(strstr((const char *)svg, "<rect "));
    es_free(svg);
}

static double attr(const char *x, const char *name)
{
    char key[32];
    snprintf(key, sizeof(key), " %s=\"", name);
    const char *p = strstr(x, key);
    assert_non_null(p);
    return strtod(p + strlen(key), NULL);
}

/* Draws our SVG back with cairo (border element + every path) and compares
 * the coverage with the PNG renderer's mask: the two outputs are the same
 * picture. */
static void test_svg_matches_png(void **state)
{
    (void)state;
    es_seal_image_spec specs[3];
    samples(specs, 300);
    for (size_t i = 0; i < 3; i++) {
        uint8_t *svg = NULL, *png = NULL;
        size_t svg_len = 0, png_len = 0;
        render(&specs[i], ES_IMAGE_SVG, &svg, &svg_len);
        render(&specs[i], ES_IMAGE_PNG, &png, &png_len);
        struct pic p = decode(png, png_len);
        const char *x = (const char *)svg;
        double w_mm = attr(x, "width");
        double h_mm = attr(x, "height");
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, (int)p.w, (int)p.h);
        cairo_t *cr = cairo_create(s);
        cairo_scale(cr, p.w / w_mm, p.h / h_mm);
        const char *b = strstr(x, "<ellipse ");
        if (b) {
            cairo_save(cr);
            cairo_translate(cr, attr(b, "cx"), attr(b, "cy"));
            cairo_scale(cr, attr(b, "rx"), attr(b, "ry"));
            cairo_arc(cr, 0, 0, 1, 0, 2 * M_PI);
            cairo_restore(cr);
        } else {
            b = strstr(x, "<rect ");
            assert_non_null(b);
            cairo_rectangle(cr, attr(b, "x"), attr(b, "y"), attr(b, "width"), attr(b, "height"));
        }
        cairo_set_line_width(cr, attr(b, "stroke-width"));
        cairo_stroke(cr);
        size_t n_paths = 0;
        for (const char *q = strstr(x, "<path d=\""); q; q = strstr(q, "<path d=\"")) {
            q += 9;
            char *e = NULL;
            while (*q != '"') {
                char op = *q++;
                double v[6];
                int nv = op == 'C' ? 6 : (op == 'Z' ? 0 : 2);
                for (int k = 0; k < nv; k++) {
                    v[k] = strtod(q, &e);
                    assert_true(e != q);
                    q = e;
                    while (*q == ' ') {
                        q++;
                    }
                }
                if (op == 'M') {
                    cairo_move_to(cr, v[0], v[1]);
                } else if (op == 'L') {
                    cairo_line_to(cr, v[0], v[1]);
                } else if (op == 'C') {
                    cairo_curve_to(cr, v[0], v[1], v[2], v[3], v[4], v[5]);
                } else {
                    assert_int_equal(op, 'Z');
                    cairo_close_path(cr);
                }
            }
            cairo_fill(cr);
            n_paths++;
        }
        assert_true(n_paths >= 3);
        cairo_surface_flush(s);
        const uint8_t *m = cairo_image_surface_get_data(s);
        int stride = cairo_image_surface_get_stride(s);
        uint64_t diff = 0, ink = 0;
        for (uint32_t y = 0; y < p.h; y++) {
            for (uint32_t xx = 0; xx < p.w; xx++) {
                int a = m[(size_t)y * (size_t)stride + xx];
                int c = px(&p, xx, y)[3];
                diff += (uint64_t)abs(a - c);
                ink += (uint64_t)c;
            }
        }
        /* coordinates are rounded to 1 micrometre in the SVG */
        if ((double)diff > 0.002 * (double)ink) {
            fail_msg("shape %zu: SVG and PNG differ by %.4f of the ink", i,
                     (double)diff / (double)ink);
        }
        cairo_destroy(cr);
        cairo_surface_destroy(s);
        es_free(p.rgba);
        es_free(svg);
        es_free(png);
    }
}

static void test_api_errors(void **state)
{
    (void)state;
    es_ctx *ctx = es_ctx_new();
    uint8_t *out = NULL;
    size_t len = 0;
    es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_ROUND, .name = "示例"};
    assert_int_equal(es_seal_image_render(ctx, NULL, ES_IMAGE_PNG, &out, &len), ES_ERR_USAGE_NULL);
    assert_int_equal(es_seal_image_render(ctx, &s, ES_IMAGE_PNG, NULL, &len), ES_ERR_USAGE_NULL);
    assert_int_equal(es_seal_image_render(ctx, &s, ES_IMAGE_FORMAT_LAST_, &out, &len),
                     ES_ERR_USAGE_ARG);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "format"));
    s.name = "";
    assert_int_equal(es_seal_image_render(ctx, &s, ES_IMAGE_PNG, &out, &len), ES_ERR_USAGE_ARG);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "name"));
    assert_non_null(strstr(es_ctx_errloc(ctx), "seal_spec.c"));
    s.name = "示例";
    s.font_path = "/nonexistent.ttc";
    assert_int_equal(es_seal_image_render(ctx, &s, ES_IMAGE_PNG, &out, &len), ES_ERR_IO_OPEN);
    assert_null(out);
    /* a font given by path: the Sans collection, SC face */
    s.font_path = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";
    assert_int_equal(es_seal_image_render(ctx, &s, ES_IMAGE_PNG, &out, &len), ES_OK);
    assert_non_null(out);
    es_free(out);
    /* NULL ctx is allowed */
    s.font_path = NULL;
    assert_int_equal(es_seal_image_render(NULL, &s, ES_IMAGE_SVG, &out, &len), ES_OK);
    es_free(out);
    es_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_size_by_kind),
        cmocka_unit_test(test_round_pixels),
        cmocka_unit_test(test_oval_pixels),
        cmocka_unit_test(test_square_pixels),
        cmocka_unit_test(test_long_name_gaps_in_pixels),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_png_chunks),
        cmocka_unit_test(test_svg),
        cmocka_unit_test(test_svg_matches_png),
        cmocka_unit_test(test_api_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
