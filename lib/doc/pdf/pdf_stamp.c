/*
 * lib/doc/pdf/pdf_stamp.c - the visible seal: where it goes on the page and
 * what it looks like.
 *
 * A PNG picture becomes one image XObject (RGB, Flate) with a soft mask
 * (its alpha channel), a JPEG one is embedded as it is (DCTDecode), written
 * once; each widget gets a form XObject that
 * paints it with /BM /Multiply, so that the text under the seal stays
 * readable (pdf-seal.md §3). A riding seal gives each page of its range a
 * slice: the form's /BBox is the slice and the image is shifted left by the
 * slices before it. Other picture types (the vector "ofd" pictures) are
 * drawn as a red frame of the picture's size, so the signature stays
 * visible and clickable; docs/pdf.md says so.
 *
 * Positions are millimetres from the top-left corner of the page's CropBox
 * (else MediaBox, inherited through /Parent) as displayed, that is after the
 * page's /Rotate (inherited too), as for OFD; a keyword stamp is centred on
 * the words found by pdf_text.c. On a rotated page the rectangle is turned
 * back into the unrotated page space (where /Rect lives) and the form gets a
 * /Matrix that turns the picture against the page's rotation, so the viewer
 * sees it upright (ISO 32000-1 12.5.5: BBox x Matrix is fitted into /Rect).
 */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"
#include "image/image_int.h"

#define PT_PER_MM (72.0 / 25.4)

struct png_src {
    const uint8_t *p;
    size_t n, off;
};

static cairo_status_t png_read(void *arg, unsigned char *out, unsigned int len)
{
    struct png_src *s = arg;
    if (s->n - s->off < len) {
        return CAIRO_STATUS_READ_ERROR;
    }
    memcpy(out, s->p + s->off, len);
    s->off += len;
    return CAIRO_STATUS_SUCCESS;
}

/* The PNG as deflated RGB and alpha planes. */
static es_result png_planes(const uint8_t *png, size_t n, int *w, int *h, struct es_buf *rgb_z,
                            struct es_buf *a_z)
{
    struct png_src src = {png, n, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(png_read, &src);
    es_result res = ES_RESULT_OK;
    uint8_t *rgb = NULL, *a = NULL;
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "the seal's PNG picture cannot be decoded");
    }
    cairo_surface_flush(s);
    *w = cairo_image_surface_get_width(s);
    *h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    cairo_format_t fmt = cairo_image_surface_get_format(s);
    if (*w <= 0 || *h <= 0 || *w > 10000 || *h > 10000) {
        ES_FAIL_GOTO(ES_ERR_LIMIT_SIZE, "the seal picture is %dx%d pixels", *w, *h);
    }
    size_t px = (size_t)*w * (size_t)*h;
    rgb = es_malloc(px * 3);
    a = es_malloc(px);
    if (!rgb || !a) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    const uint8_t *data = cairo_image_surface_get_data(s);
    for (int y = 0; y < *h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < *w; x++) {
            uint32_t v = row[x];
            uint32_t al = fmt == CAIRO_FORMAT_ARGB32 ? v >> 24 : 255;
            size_t i = (size_t)y * (size_t)*w + (size_t)x;
            for (int c = 0; c < 3; c++) {
                uint32_t ch = (v >> (16 - 8 * c)) & 0xff; /* premultiplied */
                rgb[3 * i + (size_t)c] = (uint8_t)(al ? (ch * 255 + al / 2) / al : 255);
            }
            a[i] = (uint8_t)al;
        }
    }
    ES_GUARD_GOTO(es_pdf_deflate(rgb, px * 3, rgb_z));
    ES_GUARD_GOTO(es_pdf_deflate(a, px, a_z));
out:
    es_free(rgb);
    es_free(a);
    cairo_surface_destroy(s);
    return res;
}

/* Colour components of a baseline/progressive JPEG (its SOF marker), 0 if
 * none is found. The whole file was decoded by es_image_check_jpeg first. */
static int jpeg_components(const uint8_t *p, size_t n)
{
    for (size_t i = 2; i + 9 < n;) {
        if (p[i] != 0xff) {
            return 0;
        }
        uint8_t m = p[i + 1];
        size_t len = (size_t)p[i + 2] << 8 | p[i + 3];
        if (m >= 0xc0 && m <= 0xc2) {
            return p[i + 9];
        }
        i += 2 + len;
    }
    return 0;
}

/* The page's visible box: CropBox, else MediaBox, looked up through /Parent. */
static es_result page_box(struct es_pdf_doc *d, int page, double box[4])
{
    qpdf_data q = d->q;
    qpdf_oh pg = qpdf_get_page_n(q, (size_t)page);
    for (const char *key = "/CropBox"; key; key = strcmp(key, "/CropBox") == 0 ? "/MediaBox"
                                                                                : NULL) {
        qpdf_oh n = pg;
        for (int depth = 0; depth < ES_PDF_MAX_FIELD_DEPTH && qpdf_oh_is_dictionary(q, n);
             depth++) {
            qpdf_oh b = qpdf_oh_get_key(q, n, key);
            if (qpdf_oh_is_array(q, b) && qpdf_oh_get_array_n_items(q, b) == 4) {
                for (int i = 0; i < 4; i++) {
                    box[i] = qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, b, i));
                }
                ES_GUARD(es_pdf_qcheck(d, "page box"));
                if (box[0] > box[2]) {
                    double t = box[0];
                    box[0] = box[2];
                    box[2] = t;
                }
                if (box[1] > box[3]) {
                    double t = box[1];
                    box[1] = box[3];
                    box[3] = t;
                }
                return ES_RESULT_OK;
            }
            n = qpdf_oh_get_key(q, n, "/Parent");
        }
    }
    ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE, "PDF: page %d has no /MediaBox", page + 1);
}

/* The page's /Rotate, inherited through /Parent, as 0, 90, 180 or 270
 * (negative values and multiples of 360 normalised as readers do; a value
 * that is not a multiple of 90 is refused: readers disagree on it). */
static es_result page_rotate(struct es_pdf_doc *d, int page, int *rot)
{
    qpdf_data q = d->q;
    qpdf_oh n = qpdf_get_page_n(q, (size_t)page);
    *rot = 0;
    for (int depth = 0; depth < ES_PDF_MAX_FIELD_DEPTH && qpdf_oh_is_dictionary(q, n); depth++) {
        qpdf_oh r = qpdf_oh_get_key(q, n, "/Rotate");
        if (qpdf_oh_is_integer(q, r)) {
            long long v = qpdf_oh_get_int_value(q, r);
            ES_GUARD(es_pdf_qcheck(d, "page /Rotate"));
            ES_ENSURE_MSG(v % 90 == 0, ES_ERR_FORMAT_STRUCTURE,
                          "PDF: page %d has /Rotate %lld, not a multiple of 90", page + 1, v);
            *rot = (int)(((v % 360) + 360) % 360);
            return ES_RESULT_OK;
        }
        n = qpdf_oh_get_key(q, n, "/Parent");
    }
    return es_pdf_qcheck(d, "page /Rotate");
}

/* A page as the viewer sees it: the visible box and the rotation. */
struct view {
    double box[4]; /* unrotated page space */
    int rot;       /* 0, 90, 180, 270 (clockwise on display) */
    double w, h;   /* displayed size in points */
};

static es_result page_view(struct es_pdf_doc *d, int page, struct view *v)
{
    ES_GUARD(page_box(d, page, v->box));
    ES_GUARD(page_rotate(d, page, &v->rot));
    double bw = v->box[2] - v->box[0], bh = v->box[3] - v->box[1];
    bool turned = v->rot == 90 || v->rot == 270;
    v->w = turned ? bh : bw;
    v->h = turned ? bw : bh;
    return ES_RESULT_OK;
}

/* The point (u, v) in points from the displayed top-left corner (u to the
 * right, v down) in unrotated page space. /Rotate turns the page clockwise,
 * so e.g. at 90 the box's lower-left corner is shown top-left. */
static void view_point(const struct view *v, double u, double dv, double *x, double *y)
{
    const double *b = v->box;
    switch (v->rot) {
    case 90:
        *x = b[0] + dv;
        *y = b[1] + u;
        break;
    case 180:
        *x = b[2] - u;
        *y = b[1] + dv;
        break;
    case 270:
        *x = b[2] - dv;
        *y = b[3] - u;
        break;
    default:
        *x = b[0] + u;
        *y = b[3] - dv;
        break;
    }
}

/* The displayed rectangle u0..u1 x v0..v1 in unrotated page space. */
static void view_rect(const struct view *v, double u0, double v0, double u1, double v1,
                      double r[4])
{
    double xa, ya, xb, yb;
    view_point(v, u0, v0, &xa, &ya);
    view_point(v, u1, v1, &xb, &yb);
    r[0] = xa < xb ? xa : xb;
    r[1] = ya < yb ? ya : yb;
    r[2] = xa < xb ? xb : xa;
    r[3] = ya < yb ? yb : ya;
}

/* Widgets for the positions: page and rectangle (unrotated page space),
 * the page's rotation, plus slice index/count. */
struct place {
    int page;
    double rect[4];
    int slice, n_slices;
    int rot;
};

static es_result add_place(struct place **v, size_t *n, struct place p)
{
    ES_ENSURE_MSG(*n < 1000, ES_ERR_LIMIT_COUNT, "PDF: more than 1000 stamps");
    struct place *nv = es_realloc(*v, (*n + 1) * sizeof(*nv));
    ES_ENSURE(nv, ES_ERR_NOMEM);
    *v = nv;
    nv[(*n)++] = p;
    return ES_RESULT_OK;
}

static es_result places(struct es_pdf_doc *d, const es_pdf_position *pos, size_t n_pos,
                        double w, double h, struct place **out, size_t *out_n)
{
    for (size_t i = 0; i < n_pos; i++) {
        const es_pdf_position *p = &pos[i];
        double pw = p->w_mm > 0 ? p->w_mm * PT_PER_MM : w;
        double ph = p->h_mm > 0 ? p->h_mm * PT_PER_MM : h;
        struct view vw;
        if (p->kind == ES_OFD_POS_PAGE) {
            ES_ENSURE_MSG(p->page >= 1 && p->page <= d->n_pages, ES_ERR_USAGE_ARG,
                          "page %d does not exist: the document has %d page(s)", p->page,
                          d->n_pages);
            ES_GUARD(page_view(d, p->page - 1, &vw));
            double u0 = p->x_mm * PT_PER_MM, v0 = p->y_mm * PT_PER_MM;
            struct place pl = {p->page - 1, {0}, 0, 1, vw.rot};
            view_rect(&vw, u0, v0, u0 + pw, v0 + ph, pl.rect);
            ES_GUARD(add_place(out, out_n, pl));
        } else if (p->kind == ES_OFD_POS_RIDING) {
            int first = p->first_page ? p->first_page : 1;
            int last = p->last_page ? p->last_page : d->n_pages;
            ES_ENSURE_MSG(first >= 1 && last <= d->n_pages && first <= last, ES_ERR_USAGE_ARG,
                          "riding pages %d-%d: the document has %d page(s)", first, last,
                          d->n_pages);
            int ns = last - first + 1;
            for (int k = 0; k < ns; k++) {
                ES_GUARD(page_view(d, first - 1 + k, &vw));
                double sw = pw / ns, vc = vw.h / 2;
                struct place pl = {first - 1 + k, {0}, k, ns, vw.rot};
                view_rect(&vw, vw.w - sw, vc - ph / 2, vw.w, vc + ph / 2, pl.rect);
                ES_GUARD(add_place(out, out_n, pl));
            }
        } else if (p->kind == ES_OFD_POS_KEYWORD) {
            ES_ENSURE_MSG(p->keyword && p->keyword[0], ES_ERR_USAGE_ARG, "empty keyword");
            struct es_pdf_hit *hits = NULL;
            size_t nh = 0;
            ES_GUARD(es_pdf_find_keyword(d, p->keyword, p->occurrence, &hits, &nh));
            es_result res = ES_RESULT_OK;
            for (size_t k = 0; k < nh && es_is_ok(res); k++) {
                /* the hit is in unrotated space; the stamp's displayed
                 * width runs along y on a page turned by 90 or 270 */
                res = page_view(d, hits[k].page, &vw);
                double cx = (hits[k].box[0] + hits[k].box[2]) / 2;
                double cy = (hits[k].box[1] + hits[k].box[3]) / 2;
                bool turned = vw.rot == 90 || vw.rot == 270;
                double hw = (turned ? ph : pw) / 2, hh = (turned ? pw : ph) / 2;
                if (es_is_ok(res)) {
                    res = add_place(out, out_n,
                                    (struct place){hits[k].page,
                                                   {cx - hw, cy - hh, cx + hw, cy + hh},
                                                   0, 1, vw.rot});
                }
            }
            es_free(hits);
            ES_GUARD(res);
        } else {
            ES_BAIL_MSG(ES_ERR_USAGE_ARG, "unknown stamp position kind %d", (int)p->kind);
        }
    }
    return ES_RESULT_OK;
}

static int new_id(struct es_pdf_doc *d)
{
    qpdf_oh o = qpdf_make_indirect_object(d->q, qpdf_oh_new_null(d->q));
    return qpdf_oh_get_object_id(d->q, o);
}

es_result es_pdf_stamp_write(struct es_pdf_update *u, struct es_pdf_doc *d,
                             const uint8_t *picture, size_t pic_len, double w_mm, double h_mm,
                             const es_pdf_position *pos, size_t n_pos,
                             struct es_pdf_widget **out, size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    if (n_pos == 0) {
        return ES_RESULT_OK;
    }
    ES_GUARD(es_pdf_pages_load(d));
    double w = (w_mm > 0 ? w_mm : 40) * PT_PER_MM, h = (h_mm > 0 ? h_mm : 40) * PT_PER_MM;
    struct place *pl = NULL;
    size_t n = 0;
    struct es_buf rgb, alpha, content;
    es_buf_init(&rgb, 0);
    es_buf_init(&alpha, 0);
    es_buf_init(&content, 1 << 16);
    struct es_pdf_widget *wv = NULL;
    es_result res = ES_RESULT_OK;
    ES_GUARD_GOTO(places(d, pos, n_pos, w, h, &pl, &n));
    int img_id = 0;
    bool png = pic_len >= 8 && memcmp(picture, "\x89PNG\r\n\x1a\n", 8) == 0;
    bool jpeg = pic_len >= 3 && memcmp(picture, "\xff\xd8\xff", 3) == 0;
    if (jpeg) {
        /* embedded as is (DCTDecode); without alpha, the multiply blending
         * makes its white background vanish over the page */
        uint32_t jw = 0, jh = 0;
        ES_GUARD_GOTO(es_image_check_jpeg(picture, pic_len, &jw, &jh));
        int comps = jpeg_components(picture, pic_len);
        if (comps != 1 && comps != 3) {
            ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "the seal's JPEG picture has %d colour "
                                              "components (1 or 3 are drawn)",
                         comps);
        }
        img_id = new_id(d);
        ES_GUARD_GOTO(es_pdf_qcheck(d, "new objects"));
        char dict[256];
        snprintf(dict, sizeof(dict),
                 "/Type /XObject /Subtype /Image /Width %u /Height %u /ColorSpace /%s "
                 "/BitsPerComponent 8 /Filter /DCTDecode",
                 jw, jh, comps == 1 ? "DeviceGray" : "DeviceRGB");
        ES_GUARD_GOTO(es_pdf_upd_stream(u, img_id, dict, picture, pic_len));
        png = true; /* drawn as an image below */
    } else if (png) {
        int pw = 0, ph = 0;
        ES_GUARD_GOTO(png_planes(picture, pic_len, &pw, &ph, &rgb, &alpha));
        int mask_id = new_id(d);
        img_id = new_id(d);
        ES_GUARD_GOTO(es_pdf_qcheck(d, "new objects"));
        char dict[256];
        snprintf(dict, sizeof(dict),
                 "/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                 "/BitsPerComponent 8 /Filter /FlateDecode",
                 pw, ph);
        ES_GUARD_GOTO(es_pdf_upd_stream(u, mask_id, dict, alpha.ptr, alpha.len));
        snprintf(dict, sizeof(dict),
                 "/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                 "/BitsPerComponent 8 /Filter /FlateDecode /SMask %d 0 R",
                 pw, ph, mask_id);
        ES_GUARD_GOTO(es_pdf_upd_stream(u, img_id, dict, rgb.ptr, rgb.len));
    }
    wv = es_calloc(n, sizeof(*wv));
    if (!wv) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        /* the form is drawn in displayed orientation: on a page turned by
         * 90 or 270 its width is the rectangle's height */
        bool turned = pl[i].rot == 90 || pl[i].rot == 270;
        double bw = pl[i].rect[2] - pl[i].rect[0], bh = pl[i].rect[3] - pl[i].rect[1];
        if (turned) {
            double t = bw;
            bw = bh;
            bh = t;
        }
        double full = bw * pl[i].n_slices; /* the whole picture's width */
        content.len = 0;
        if (png) {
            ES_GUARD_GOTO(es_buf_printf(&content, "q /GS0 gs %.4f 0 0 %.4f %.4f 0 cm /Im Do Q\n",
                                        full, bh, -bw * pl[i].slice));
        } else {
            ES_GUARD_GOTO(es_buf_printf(&content,
                                        "q /GS0 gs 0.902 0 0.071 RG 1.5 w %.4f %.4f %.4f %.4f "
                                        "re S Q\n",
                                        0.75 - bw * pl[i].slice, 0.75, full - 1.5, bh - 1.5));
        }
        char dict[512];
        char xo[64] = "";
        if (png) {
            snprintf(xo, sizeof(xo), "/XObject << /Im %d 0 R >> ", img_id);
        }
        /* counter-clockwise by the page's rotation (12.5.5 fits the turned
         * BBox into /Rect, so no translation is needed) */
        static const char *const matrix[4] = {"", " /Matrix [0 1 -1 0 0 0]",
                                              " /Matrix [-1 0 0 -1 0 0]",
                                              " /Matrix [0 -1 1 0 0 0]"};
        snprintf(dict, sizeof(dict),
                 "/Type /XObject /Subtype /Form /BBox [0 0 %.4f %.4f]%s /Resources << %s"
                 "/ExtGState << /GS0 << /Type /ExtGState /BM /Multiply >> >> >>",
                 bw, bh, matrix[pl[i].rot / 90], xo);
        wv[i].ap_id = new_id(d);
        wv[i].page = pl[i].page;
        memcpy(wv[i].rect, pl[i].rect, sizeof(wv[i].rect));
        ES_GUARD_GOTO(es_pdf_qcheck(d, "new objects"));
        ES_GUARD_GOTO(es_pdf_upd_stream(u, wv[i].ap_id, dict, content.ptr, content.len));
    }
    *out = wv;
    *out_n = n;
    wv = NULL;
out:
    es_free(wv);
    es_free(pl);
    es_buf_free(&rgb);
    es_buf_free(&alpha);
    es_buf_free(&content);
    return res;
}
