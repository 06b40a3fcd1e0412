/*
 * eseal/image.h - seal pictures: drawing official seals, checking uploads.
 *
 * Drawing. es_seal_image_render() draws the picture of a seal the way the
 * public specimen rules describe it (see docs/seal-pictures.md):
 *  - round: a ring, a five-pointed star in the centre, the organisation's name
 *    along the upper arc read left to right, the seal's kind ("合同专用章") on
 *    a straight line under the star and the seal code along the lower arc;
 *  - oval (finance and invoice seals, 40x30 mm): the name along the upper arc,
 *    the code (taxpayer number) on the middle line, the kind on the lower line;
 *  - square (a person's name seal): 2 to 4 characters in a grid, read in
 *    columns from right to left.
 * Sizes default by shape and kind (es_seal_image_default_size()); line widths
 * and character sizes are proportional to the size. Characters are spaced
 * evenly along an arc whatever the name's length; long names are drawn with
 * narrower (compressed) glyphs, never overlapping.
 *
 * The text is drawn with the glyph outlines of a CJK font opened by file path
 * (by default Noto Serif CJK SC Bold from Debian's fonts-noto-cjk), so the
 * output never depends on a font lookup: rendering the same spec twice gives
 * byte-identical PNG and SVG. A character the font lacks is an error, never a
 * silent fallback to another font.
 *
 * PNG output is 8-bit RGBA in seal red on a transparent background, exactly
 * as large as the seal at the chosen resolution, with a pHYs chunk giving the
 * resolution and no time stamp or text chunk. SVG output is in millimetres
 * (the viewBox unit is 1 mm) with the text as outlines.
 *
 * Checking. es_image_check() is for pictures that callers upload to put in
 * a seal: it detects the type from the bytes (never from a file name), and
 * decodes the header, and for raster formats the whole image, within the
 * limits below. Malformed input fails with ES_ERR_FORMAT_IMAGE and a message
 * saying what is wrong; oversized input with ES_ERR_LIMIT_SIZE.
 *
 * Thread-safety: the functions keep no global state and may be called from
 * several threads at once with distinct contexts.
 */
#ifndef ESEAL_IMAGE_H
#define ESEAL_IMAGE_H

#include "eseal/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The shape of a seal picture. */
typedef enum es_seal_shape {
    ES_SEAL_SHAPE_ROUND = 0,  /* organisation seals: legal-name and special seals */
    ES_SEAL_SHAPE_OVAL = 1,   /* finance and invoice seals */
    ES_SEAL_SHAPE_SQUARE = 2, /* a person's name seal */
    ES_SEAL_SHAPE_LAST_       /* never use */
} es_seal_shape;

/* What to draw. Strings are UTF-8 and borrowed for the duration of the call.
 * Limits (ES_ERR_USAGE_ARG beyond them): the name has 1 to
 * ES_SEAL_NAME_MAX characters (2 to 4 for a square seal); the kind at most
 * ES_SEAL_KIND_MAX; the code at most ES_SEAL_CODE_MAX; control characters
 * and invalid UTF-8 are refused; a square seal carries only a name. */
typedef struct es_seal_image_spec {
    es_seal_shape shape;
    const char *name;   /* organisation name (upper arc) or person's name (square), UTF-8 */
    const char *kind;   /* e.g. "合同专用章"; NULL or "" for none */
    const char *code;   /* seal code (lower arc / number line); NULL for none */
    double width_mm;    /* 0 = default for the shape and kind */
    double height_mm;   /* 0 = default */
    int dpi;            /* 0 = 600 */
    /* Added fields (zero-initialise the struct so that they take defaults): */
    const char *font_path; /* NULL = ES_SEAL_FONT_DEFAULT. In a font collection
                              the face whose family ends in " SC" is used, else
                              the first face. */
} es_seal_image_spec;

#define ES_SEAL_NAME_MAX 40  /* characters of the name */
#define ES_SEAL_KIND_MAX 12  /* characters of the kind */
#define ES_SEAL_CODE_MAX 32  /* characters of the code */
#define ES_SEAL_MM_MIN 10.0  /* smallest side in millimetres */
#define ES_SEAL_MM_MAX 100.0 /* largest side in millimetres */
#define ES_SEAL_DPI_MIN 50
#define ES_SEAL_DPI_MAX 2400
#define ES_SEAL_DPI_DEFAULT 600
#define ES_SEAL_FONT_DEFAULT "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"
/* Seal red, as 0xRRGGBB. */
#define ES_SEAL_RED 0xE60012

/* Output formats of es_seal_image_render(). */
typedef enum es_image_format {
    ES_IMAGE_PNG = 0,
    ES_IMAGE_SVG = 1,
    ES_IMAGE_FORMAT_LAST_ /* never use */
} es_image_format;

/* Draws the picture. OUT (owned, es_free).
 *
 * Sizes: 0 takes the default of the shape and kind. A round or square seal
 * has equal width and height (giving only one of them is enough); an oval's
 * height must not exceed its width. Each side lies within
 * [ES_SEAL_MM_MIN, ES_SEAL_MM_MAX] and the dpi within [ES_SEAL_DPI_MIN,
 * ES_SEAL_DPI_MAX]. The PNG is round(mm / 25.4 * dpi) pixels on each side.
 *
 * Returns ES_OK; ES_ERR_USAGE_NULL; ES_ERR_USAGE_ARG for a bad spec (the
 * message names the field) or a character missing from the font;
 * ES_ERR_IO_OPEN when the font cannot be opened; ES_ERR_NOMEM. On error
 * *out is NULL and *out_len 0. */
ES_API int es_seal_image_render(es_ctx *ctx, const es_seal_image_spec *spec, es_image_format fmt,
                                uint8_t **out, size_t *out_len);

/* Default size in mm of a shape/kind (42 for a legal-name round seal, etc.).
 * Round: 42 without a kind (the legal-name seal), 38 for a finance seal
 * (kind containing "财务"), 40 for other kinds. Oval: 40 x 30. Square: 20 x 20.
 * `kind` may be NULL. Never fails; an unknown shape gives 0 x 0. */
ES_API void es_seal_image_default_size(es_seal_shape shape, const char *kind, double *out_w_mm,
                                       double *out_h_mm);

/* Limits of es_image_check(). */
#define ES_IMAGE_MAX_BYTES ((size_t)16 * 1024 * 1024) /* input size */
#define ES_IMAGE_MAX_SIDE 10000u                      /* pixels on either side */
#define ES_IMAGE_MAX_RGBA ((uint64_t)100 * 1024 * 1024) /* width * height * 4 */
#define ES_IMAGE_MAX_FRAMES 256u                      /* GIF frames */

/* Checks uploaded picture bytes: detects the type from the content and decodes
 * the header (and for raster formats the whole image) within limits.
 * *out_type is a static upper-case name: "PNG","JPG","GIF","BMP","OFD","SVG".
 *
 * Raster types (PNG, JPG, GIF, BMP) are decoded completely; libjpeg warnings
 * (a truncated file among them) count as errors. An SVG must have an <svg>
 * root and no scripts, event attributes, entity declarations or external
 * references; its size comes from the root's width/height (at 96 px per
 * inch) or viewBox, else 0. An OFD (a ZIP package) is checked for a local
 * header and an end-of-central-directory record; its size is 0 x 0.
 * out_type, out_w_px and out_h_px may each be NULL.
 *
 * Returns ES_OK; ES_ERR_USAGE_NULL; ES_ERR_FORMAT_IMAGE for an unknown type or
 * a malformed picture; ES_ERR_LIMIT_SIZE when a limit above is exceeded. */
ES_API int es_image_check(es_ctx *ctx, const uint8_t *data, size_t len, const char **out_type,
                          uint32_t *out_w_px, uint32_t *out_h_px);

#ifdef __cplusplus
}
#endif
#endif
