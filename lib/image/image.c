/*
 * lib/image/image.c - the public entry points of eseal/image.h: render a seal
 * picture (prepare, lay out, output) and check an uploaded picture.
 */
#include "image/image_int.h"

/* see eseal/image.h */

static es_result render(const es_seal_image_spec *spec, es_image_format fmt, uint8_t **out,
                        size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    struct es_seal_prepared p;
    struct es_seal_font font;
    struct es_seal_drawing d;
    struct es_buf b;
    uint8_t *mask = NULL;
    memset(&font, 0, sizeof(font));
    es_seal_drawing_init(&d);
    es_buf_init(&b, 0);
    ES_ENSURE_MSG(fmt >= ES_IMAGE_PNG && fmt < ES_IMAGE_FORMAT_LAST_, ES_ERR_USAGE_ARG,
                  "unknown picture format %d", (int)fmt);
    ES_GUARD(es_seal_spec_prepare(spec, &p));
    ES_GUARD_GOTO(es_seal_font_open(p.font_path, &font));
    ES_GUARD_GOTO(es_seal_layout(&p, &font, &d));
    if (fmt == ES_IMAGE_PNG) {
        ES_GUARD_GOTO(es_seal_raster(&d, p.w_px, p.h_px, &mask));
        ES_GUARD_GOTO(es_seal_png_encode(mask, p.w_px, p.h_px, p.dpi, &b));
    } else {
        ES_GUARD_GOTO(es_seal_svg(&d, &p, &b));
    }
    ES_GUARD_GOTO(es_buf_take(&b, out, out_len));
out:
    es_free(mask);
    es_buf_free(&b);
    es_seal_drawing_free(&d);
    es_seal_font_close(&font);
    return res;
}

int es_seal_image_render(es_ctx *ctx, const es_seal_image_spec *spec, es_image_format fmt,
                         uint8_t **out, size_t *out_len)
{
    if (!spec || !out || !out_len) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "es_seal_image_render: NULL argument"));
    }
    *out = NULL;
    *out_len = 0;
    return es_ctx_take_error(ctx, render(spec, fmt, out, out_len));
}

static es_result check(const uint8_t *data, size_t len, const char **out_type, uint32_t *w,
                       uint32_t *h)
{
    ES_ENSURE_MSG(len > 0, ES_ERR_FORMAT_IMAGE, "the picture is empty");
    ES_ENSURE_MSG(len <= ES_IMAGE_MAX_BYTES, ES_ERR_LIMIT_SIZE,
                  "the picture has %zu bytes; at most %zu are allowed", len,
                  (size_t)ES_IMAGE_MAX_BYTES);
    const char *type = es_image_detect(data, len);
    ES_ENSURE_MSG(type, ES_ERR_FORMAT_IMAGE,
                  "unknown picture type (not PNG, JPEG, GIF, BMP, OFD or SVG)");
    *w = *h = 0;
    if (strcmp(type, "PNG") == 0) {
        ES_GUARD(es_image_check_png(data, len, w, h));
    } else if (strcmp(type, "JPG") == 0) {
        ES_GUARD(es_image_check_jpeg(data, len, w, h));
    } else if (strcmp(type, "GIF") == 0) {
        ES_GUARD(es_image_check_gif(data, len, w, h));
    } else if (strcmp(type, "BMP") == 0) {
        ES_GUARD(es_image_check_bmp(data, len, w, h));
    } else if (strcmp(type, "SVG") == 0) {
        ES_GUARD(es_image_check_svg(data, len, w, h));
    } else {
        ES_GUARD(es_image_check_ofd(data, len));
    }
    *out_type = type;
    return ES_RESULT_OK;
}

int es_image_check(es_ctx *ctx, const uint8_t *data, size_t len, const char **out_type,
                   uint32_t *out_w_px, uint32_t *out_h_px)
{
    const char *type = NULL;
    uint32_t w = 0;
    uint32_t h = 0;
    int rc;
    if (!data && len) {
        rc = es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                 "es_image_check: NULL data"));
    } else {
        rc = es_ctx_take_error(ctx, check(data, len, &type, &w, &h));
    }
    if (out_type) {
        *out_type = rc == ES_OK ? type : NULL;
    }
    if (out_w_px) {
        *out_w_px = rc == ES_OK ? w : 0;
    }
    if (out_h_px) {
        *out_h_px = rc == ES_OK ? h : 0;
    }
    return rc;
}
