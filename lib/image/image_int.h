/*
 * lib/image/image_int.h - the seal-picture module's interface to the rest of
 * libeseal and to its unit tests.
 *
 * Drawing is split in three steps so that each can be tested alone:
 *  1. es_seal_spec_prepare(): validates the caller's spec, decodes its UTF-8
 *     and fills in the default size and resolution;
 *  2. es_seal_layout(): places every element in millimetres (y pointing down,
 *     origin at the picture's top-left corner) and turns the glyphs into
 *     outline paths: a struct es_seal_drawing, independent of any output;
 *  3. es_seal_raster() + es_seal_png_encode(), or es_seal_svg(): output.
 * No FreeType, cairo or libpng type appears here.
 */
#ifndef ES_IMAGE_INT_H
#define ES_IMAGE_INT_H

#include "base/base.h"
#include "eseal/image.h"

/* ---- the prepared spec ---- */
struct es_seal_text {
    uint32_t cp[ES_SEAL_NAME_MAX + 1];
    size_t n;
};

struct es_seal_prepared {
    es_seal_shape shape;
    struct es_seal_text name, kind, code;
    double w_mm, h_mm;
    int dpi;
    uint32_t w_px, h_px;
    const char *font_path; /* borrowed */
};

/* Validates and normalises a spec (see eseal/image.h for the rules). */
ES_RESULT es_seal_spec_prepare(const es_seal_image_spec *spec, struct es_seal_prepared *out);

/* Decodes strict UTF-8 (no overlongs, surrogates or values past U+10FFFF)
 * into at most `max` code points. `what` names the field in messages. */
ES_RESULT es_seal_utf8_decode(const char *s, const char *what, size_t max,
                              struct es_seal_text *out);

/* ---- font (FreeType, opened by path) ---- */
struct es_seal_font {
    void *lib;   /* FT_Library */
    void *face;  /* FT_Face */
    double upem; /* font units per em */
    double asc;  /* ideographic em box top, font units (y up) */
    double desc; /* em box bottom (negative) */
};

/* Opens the font file. With the default path the face MUST be "Noto Serif
 * CJK SC" (in that collection face 0 is the JP one, whose glyph forms differ);
 * with another path the face whose family ends in " SC", else face 0. */
ES_RESULT es_seal_font_open(const char *path, struct es_seal_font *out);
void es_seal_font_close(struct es_seal_font *f);

/* Metrics of a character in font units (y up). A character that the font
 * lacks is ES_ERR_USAGE_ARG: no silent fallback. */
struct es_seal_glyph_metrics {
    uint32_t gid;
    double adv;
    double xmin, ymin, xmax, ymax; /* control box of the outline */
    bool has_ink;
};
ES_RESULT es_seal_font_metrics(struct es_seal_font *f, uint32_t cp,
                               struct es_seal_glyph_metrics *out);

/* x' = a x + b y + e; y' = c x + d y + f */
struct es_seal_affine {
    double a, b, c, d, e, f;
};
struct es_seal_drawing;
/* Appends the glyph's outline, transformed by m, as one filled shape. */
ES_RESULT es_seal_font_outline(struct es_seal_font *f, uint32_t gid,
                               const struct es_seal_affine *m, struct es_seal_drawing *d);

/* ---- drawing ---- */
enum { ES_PATH_MOVE = 0, ES_PATH_LINE = 1, ES_PATH_CURVE = 2, ES_PATH_CLOSE = 3 };

/* One path operation; CURVE uses the three points, MOVE/LINE the first. */
struct es_path_op {
    uint8_t op;
    double x[3];
    double y[3];
};

/* Which text line a glyph belongs to. */
enum { ES_SEAL_LINE_NAME = 0, ES_SEAL_LINE_KIND = 1, ES_SEAL_LINE_CODE = 2 };

/* A placed glyph: the transform from its em box to the picture, and two
 * rotated rectangles in picture millimetres (corners in order around): the
 * cell the layout reserved for it and the control box of its outline (which
 * contains all of its ink). */
struct es_seal_glyph {
    uint32_t cp;
    int line;
    double cx, cy;  /* centre of the cell */
    double angle;   /* rotation in radians, clockwise (y down) */
    double sx, sy;  /* millimetres per font unit, horizontally and vertically */
    double cell[4][2];
    double ink[4][2];
    bool has_ink;
};

enum { ES_BORDER_ELLIPSE = 0, ES_BORDER_RECT = 1 };

struct es_seal_drawing {
    es_seal_shape shape;
    double w_mm, h_mm;
    /* The border is stroked along its centre line: an ellipse (a circle for a
     * round seal) of semi-axes rx, ry, or a rectangle of half-sides rx, ry,
     * centred in the picture, with stroke width border_w. Its outer edge
     * touches the picture's edges. */
    int border;
    double border_w, rx, ry;
    /* Filled shapes (star, glyphs), each a run of ops ending at shape_end[i]. */
    struct es_path_op *ops;
    size_t n_ops, cap_ops;
    size_t *shape_end;
    size_t n_shapes, cap_shapes;
    struct es_seal_glyph *glyphs;
    size_t n_glyphs, cap_glyphs;
    /* Diagnostics for tests and docs. */
    double name_height;   /* mm */
    double name_compress; /* width / natural width, in (0, 1] */
    bool has_star;
    double star_r; /* outer radius, mm */
};

void es_seal_drawing_init(struct es_seal_drawing *d);
void es_seal_drawing_free(struct es_seal_drawing *d);
/* Appends one operation (npts points from xs/ys) to the current shape. */
ES_RESULT es_seal_path_add(struct es_seal_drawing *d, uint8_t op, const double *xs,
                           const double *ys, int npts);
/* Ends the current shape (no-op when it is empty). */
ES_RESULT es_seal_shape_end(struct es_seal_drawing *d);

/* Lays the prepared spec out with the font. */
ES_RESULT es_seal_layout(const struct es_seal_prepared *p, struct es_seal_font *font,
                         struct es_seal_drawing *out);

/* Rasterises the drawing into an 8-bit coverage mask (0 transparent, 255 full
 * ink) of p->w_px x p->h_px pixels, row-major without padding. OUT (owned,
 * es_free). */
ES_RESULT es_seal_raster(const struct es_seal_drawing *d, uint32_t w_px, uint32_t h_px,
                         uint8_t **out_mask);

/* Encodes a coverage mask as RGBA PNG in seal red. */
ES_RESULT es_seal_png_encode(const uint8_t *mask, uint32_t w_px, uint32_t h_px, int dpi,
                             struct es_buf *out);

/* Writes the drawing as SVG (title = the texts, XML-escaped). */
ES_RESULT es_seal_svg(const struct es_seal_drawing *d, const struct es_seal_prepared *p,
                      struct es_buf *out);

/* ---- checking uploads ---- */
/* Type detection from the first bytes; NULL when unknown. */
const char *es_image_detect(const uint8_t *data, size_t len);
ES_RESULT es_image_check_png(const uint8_t *data, size_t len, uint32_t *w, uint32_t *h);
ES_RESULT es_image_check_jpeg(const uint8_t *data, size_t len, uint32_t *w, uint32_t *h);
ES_RESULT es_image_check_gif(const uint8_t *data, size_t len, uint32_t *w, uint32_t *h);
ES_RESULT es_image_check_bmp(const uint8_t *data, size_t len, uint32_t *w, uint32_t *h);
ES_RESULT es_image_check_svg(const uint8_t *data, size_t len, uint32_t *w, uint32_t *h);
ES_RESULT es_image_check_ofd(const uint8_t *data, size_t len);
/* The shared dimension rule: both sides in 1..ES_IMAGE_MAX_SIDE and
 * w * h * 4 (computed in 64 bits) within ES_IMAGE_MAX_RGBA. */
ES_RESULT es_image_check_dims(const char *type, uint64_t w, uint64_t h);

#endif
