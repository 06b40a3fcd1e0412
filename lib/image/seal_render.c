/*
 * lib/image/seal_render.c - output of a laid-out seal drawing: a coverage
 * mask rasterised by cairo, encoded as PNG by libpng; or SVG text.
 *
 * Determinism: the mask is drawn into a cairo A8 surface (coverage only), and
 * the PNG's colour is the constant seal red with the coverage as alpha, so
 * no premultiplication round trip changes the colour at the edges. libpng
 * writes IHDR, pHYs, IDAT and IEND only: no tIME, no text. The SVG numbers
 * are printed with integer arithmetic (no locale, no %g surprises).
 */
#include <cairo.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>

#include "image/image_int.h"

/* ---- raster ---- */

static void cairo_shape(cairo_t *cr, const struct es_seal_drawing *d, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const struct es_path_op *o = &d->ops[i];
        switch (o->op) {
        case ES_PATH_MOVE:
            cairo_move_to(cr, o->x[0], o->y[0]);
            break;
        case ES_PATH_LINE:
            cairo_line_to(cr, o->x[0], o->y[0]);
            break;
        case ES_PATH_CURVE:
            cairo_curve_to(cr, o->x[0], o->y[0], o->x[1], o->y[1], o->x[2], o->y[2]);
            break;
        default:
            cairo_close_path(cr);
            break;
        }
    }
}

es_result es_seal_raster(const struct es_seal_drawing *d, uint32_t w_px, uint32_t h_px,
                         uint8_t **out_mask)
{
    es_result res = ES_RESULT_OK;
    *out_mask = NULL;
    ES_ENSURE_MSG(w_px > 0 && h_px > 0 && w_px <= 32767 && h_px <= 32767, ES_ERR_USAGE_ARG,
                  "picture size %ux%u out of range", (unsigned)w_px, (unsigned)h_px);
    uint8_t *mask = NULL;
    cairo_t *cr = NULL;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, (int)w_px, (int)h_px);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "cannot create a %ux%u picture", (unsigned)w_px,
                     (unsigned)h_px);
    }
    cr = cairo_create(s);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY);
    cairo_scale(cr, (double)w_px / d->w_mm, (double)h_px / d->h_mm);
    cairo_set_source_rgba(cr, 0, 0, 0, 1);

    /* border: stroked along its centre line, with a uniform line width */
    cairo_save(cr);
    cairo_translate(cr, d->w_mm / 2, d->h_mm / 2);
    if (d->border == ES_BORDER_RECT) {
        cairo_rectangle(cr, -d->rx, -d->ry, 2 * d->rx, 2 * d->ry);
    } else {
        cairo_scale(cr, d->rx, d->ry);
        cairo_arc(cr, 0, 0, 1, 0, 2 * M_PI);
        cairo_close_path(cr);
    }
    cairo_restore(cr);
    cairo_set_line_width(cr, d->border_w);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    cairo_stroke(cr);

    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    size_t from = 0;
    for (size_t k = 0; k < d->n_shapes; k++) {
        cairo_shape(cr, d, from, d->shape_end[k]);
        cairo_fill(cr);
        from = d->shape_end[k];
    }
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        ES_FAIL_GOTO(ES_ERR_INTERNAL, "drawing failed: %s",
                     cairo_status_to_string(cairo_status(cr)));
    }
    cairo_surface_flush(s);
    mask = es_malloc((size_t)w_px * h_px);
    if (!mask) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    const uint8_t *src = cairo_image_surface_get_data(s);
    size_t stride = (size_t)cairo_image_surface_get_stride(s);
    for (uint32_t y = 0; y < h_px; y++) {
        memcpy(mask + (size_t)y * w_px, src + (size_t)y * stride, w_px);
    }
    *out_mask = mask;
    mask = NULL;
out:
    es_free(mask);
    if (cr) {
        cairo_destroy(cr);
    }
    cairo_surface_destroy(s);
    return res;
}

/* ---- PNG ---- */

struct png_out {
    struct es_buf *buf;
    bool failed;
    es_result append_res; /* why the output buffer refused bytes */
    char msg[200];
    jmp_buf jb;
};

static void png_write_cb(png_structp png, png_bytep data, size_t len)
{
    struct png_out *o = png_get_io_ptr(png);
    o->append_res = es_buf_append(o->buf, data, len);
    if (es_is_err(o->append_res)) {
        o->failed = true;
        png_error(png, "output buffer full");
    }
}

static void png_flush_cb(png_structp png) { (void)png; }

static void png_err_cb(png_structp png, png_const_charp msg)
{
    struct png_out *o = png_get_error_ptr(png);
    snprintf(o->msg, sizeof(o->msg), "%s", msg);
    longjmp(o->jb, 1);
}

static void png_warn_cb(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Everything that touches libpng after setjmp lives here, with no local
 * whose value changes between setjmp and a longjmp. */
static int write_png_rows(png_structp png, png_infop info, struct png_out *o, const uint8_t *mask,
                          uint32_t w, uint32_t h, int dpi, uint8_t *row)
{
    if (setjmp(o->jb)) {
        return -1;
    }
    png_set_write_fn(png, o, png_write_cb, png_flush_cb);
    png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);
    png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    png_set_compression_level(png, 9);
    png_write_info(png, info);
    const uint8_t r = (ES_SEAL_RED >> 16) & 0xFF;
    const uint8_t g = (ES_SEAL_RED >> 8) & 0xFF;
    const uint8_t b = ES_SEAL_RED & 0xFF;
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *m = mask + (size_t)y * w;
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *px = row + (size_t)x * 4;
            /* fully transparent pixels are stored as 0,0,0,0 */
            px[0] = m[x] ? r : 0;
            px[1] = m[x] ? g : 0;
            px[2] = m[x] ? b : 0;
            px[3] = m[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    return 0;
}

es_result es_seal_png_encode(const uint8_t *mask, uint32_t w_px, uint32_t h_px, int dpi,
                             struct es_buf *out)
{
    es_result res = ES_RESULT_OK;
    struct png_out o;
    memset(&o, 0, sizeof(o));
    o.buf = out;
    png_infop info = NULL;
    uint8_t *row = es_malloc((size_t)w_px * 4);
    ES_ENSURE(row, ES_ERR_NOMEM);
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &o, png_err_cb, png_warn_cb);
    if (!png) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "cannot create the PNG writer");
    }
    info = png_create_info_struct(png);
    if (!info) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "cannot create the PNG writer");
    }
    if (write_png_rows(png, info, &o, mask, w_px, h_px, dpi, row) != 0) {
        if (o.failed) {
            res = o.append_res; /* out of memory or over the buffer's limit */
            goto out;
        }
        ES_FAIL_GOTO(ES_ERR_INTERNAL, "PNG encoding failed: %s", o.msg);
    }
out:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    es_free(row);
    return res;
}

/* ---- SVG ---- */

/* Prints v rounded to 1/1000 with trailing zeros removed, without printf's
 * locale-dependent decimal point. */
static es_result num(struct es_buf *b, double v)
{
    ES_ENSURE(isfinite(v) && fabs(v) < 1e9, ES_ERR_INTERNAL);
    long long m = llround(v * 1000.0);
    char tmp[40];
    char *p = tmp + sizeof(tmp);
    *--p = 0;
    bool neg = m < 0;
    unsigned long long a = neg ? (unsigned long long)(-m) : (unsigned long long)m;
    unsigned long long ip = a / 1000;
    unsigned frac = (unsigned)(a % 1000);
    if (frac) {
        int digits = 3;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        for (int i = 0; i < digits; i++) {
            *--p = (char)('0' + frac % 10);
            frac /= 10;
        }
        *--p = '.';
    }
    do {
        *--p = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (neg && a) {
        *--p = '-';
    }
    return es_buf_append(b, p, strlen(p));
}

static es_result str(struct es_buf *b, const char *s) { return es_buf_append(b, s, strlen(s)); }

static es_result xml_text(struct es_buf *b, const struct es_seal_text *t)
{
    for (size_t i = 0; i < t->n; i++) {
        uint32_t c = t->cp[i];
        if (c == '&') {
            ES_GUARD(str(b, "&amp;"));
        } else if (c == '<') {
            ES_GUARD(str(b, "&lt;"));
        } else if (c == '>') {
            ES_GUARD(str(b, "&gt;"));
        } else if (c < 0x80) {
            ES_GUARD(es_buf_append_byte(b, (uint8_t)c));
        } else {
            uint8_t u[4];
            size_t n;
            if (c < 0x800) {
                u[0] = (uint8_t)(0xC0 | c >> 6);
                u[1] = (uint8_t)(0x80 | (c & 0x3F));
                n = 2;
            } else if (c < 0x10000) {
                u[0] = (uint8_t)(0xE0 | c >> 12);
                u[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
                u[2] = (uint8_t)(0x80 | (c & 0x3F));
                n = 3;
            } else {
                u[0] = (uint8_t)(0xF0 | c >> 18);
                u[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
                u[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
                u[3] = (uint8_t)(0x80 | (c & 0x3F));
                n = 4;
            }
            ES_GUARD(es_buf_append(b, u, n));
        }
    }
    return ES_RESULT_OK;
}

static es_result pt(struct es_buf *b, double x, double y)
{
    ES_GUARD(num(b, x));
    ES_GUARD(es_buf_append_byte(b, ' '));
    return num(b, y);
}

es_result es_seal_svg(const struct es_seal_drawing *d, const struct es_seal_prepared *p,
                      struct es_buf *b)
{
    char color[8];
    snprintf(color, sizeof(color), "#%06X", (unsigned)ES_SEAL_RED);
    ES_GUARD(str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\""));
    ES_GUARD(num(b, d->w_mm));
    ES_GUARD(str(b, "mm\" height=\""));
    ES_GUARD(num(b, d->h_mm));
    ES_GUARD(str(b, "mm\" viewBox=\"0 0 "));
    ES_GUARD(pt(b, d->w_mm, d->h_mm));
    ES_GUARD(str(b, "\">\n<title>"));
    ES_GUARD(xml_text(b, &p->name));
    if (p->kind.n) {
        ES_GUARD(es_buf_append_byte(b, ' '));
        ES_GUARD(xml_text(b, &p->kind));
    }
    if (p->code.n) {
        ES_GUARD(es_buf_append_byte(b, ' '));
        ES_GUARD(xml_text(b, &p->code));
    }
    ES_GUARD(str(b, "</title>\n"));

    /* border */
    if (d->border == ES_BORDER_RECT) {
        ES_GUARD(str(b, "<rect x=\""));
        ES_GUARD(num(b, d->w_mm / 2 - d->rx));
        ES_GUARD(str(b, "\" y=\""));
        ES_GUARD(num(b, d->h_mm / 2 - d->ry));
        ES_GUARD(str(b, "\" width=\""));
        ES_GUARD(num(b, 2 * d->rx));
        ES_GUARD(str(b, "\" height=\""));
        ES_GUARD(num(b, 2 * d->ry));
    } else {
        ES_GUARD(str(b, "<ellipse cx=\""));
        ES_GUARD(num(b, d->w_mm / 2));
        ES_GUARD(str(b, "\" cy=\""));
        ES_GUARD(num(b, d->h_mm / 2));
        ES_GUARD(str(b, "\" rx=\""));
        ES_GUARD(num(b, d->rx));
        ES_GUARD(str(b, "\" ry=\""));
        ES_GUARD(num(b, d->ry));
    }
    ES_GUARD(str(b, "\" fill=\"none\" stroke=\""));
    ES_GUARD(str(b, color));
    ES_GUARD(str(b, "\" stroke-width=\""));
    ES_GUARD(num(b, d->border_w));
    ES_GUARD(str(b, "\"/>\n<g fill=\""));
    ES_GUARD(str(b, color));
    ES_GUARD(str(b, "\" fill-rule=\"nonzero\">\n"));

    size_t from = 0;
    for (size_t k = 0; k < d->n_shapes; k++) {
        ES_GUARD(str(b, "<path d=\""));
        for (size_t i = from; i < d->shape_end[k]; i++) {
            const struct es_path_op *o = &d->ops[i];
            switch (o->op) {
            case ES_PATH_MOVE:
                ES_GUARD(str(b, "M"));
                ES_GUARD(pt(b, o->x[0], o->y[0]));
                break;
            case ES_PATH_LINE:
                ES_GUARD(str(b, "L"));
                ES_GUARD(pt(b, o->x[0], o->y[0]));
                break;
            case ES_PATH_CURVE:
                ES_GUARD(str(b, "C"));
                ES_GUARD(pt(b, o->x[0], o->y[0]));
                ES_GUARD(es_buf_append_byte(b, ' '));
                ES_GUARD(pt(b, o->x[1], o->y[1]));
                ES_GUARD(es_buf_append_byte(b, ' '));
                ES_GUARD(pt(b, o->x[2], o->y[2]));
                break;
            default:
                ES_GUARD(str(b, "Z"));
                break;
            }
        }
        ES_GUARD(str(b, "\"/>\n"));
        from = d->shape_end[k];
    }
    return str(b, "</g>\n</svg>\n");
}
