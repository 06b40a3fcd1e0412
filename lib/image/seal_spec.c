/*
 * lib/image/seal_spec.c - validation of a seal-picture spec: strict UTF-8,
 * character counts, sizes by shape and kind, resolution.
 */
#include <math.h>

#include "image/image_int.h"

es_result es_seal_utf8_decode(const char *s, const char *what, size_t max, struct es_seal_text *out)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = 0;
    out->n = 0;
    while (*p) {
        uint32_t c = *p;
        int extra = 0;
        uint32_t min = 0;
        if (c < 0x80) {
            extra = 0;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            c &= 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            c &= 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            c &= 0x07;
            min = 0x10000;
        } else {
            ES_BAIL_MSG(ES_ERR_USAGE_ARG, "the %s is not valid UTF-8 (byte 0x%02X at offset %zu)",
                        what, *p, (size_t)(p - (const uint8_t *)s));
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            ES_ENSURE_MSG((*p & 0xC0) == 0x80, ES_ERR_USAGE_ARG,
                          "the %s is not valid UTF-8 (truncated sequence)", what);
            c = c << 6 | (uint32_t)(*p & 0x3F);
        }
        ES_ENSURE_MSG(c >= min && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF),
                      ES_ERR_USAGE_ARG, "the %s is not valid UTF-8 (overlong or out of range)",
                      what);
        ES_ENSURE_MSG(c >= 0x20 && !(c >= 0x7F && c <= 0x9F) && c != 0x2028 && c != 0x2029,
                      ES_ERR_USAGE_ARG, "the %s contains a control character (U+%04X)", what,
                      (unsigned)c);
        if (n < max) {
            out->cp[n] = c;
        }
        n++;
    }
    ES_ENSURE_MSG(n <= max, ES_ERR_USAGE_ARG, "the %s has %zu characters; at most %zu are allowed",
                  what, n, max);
    out->n = n;
    return ES_RESULT_OK;
}

static bool all_spaces(const struct es_seal_text *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->cp[i] != 0x20 && t->cp[i] != 0x3000) {
            return false;
        }
    }
    return true;
}

void es_seal_image_default_size(es_seal_shape shape, const char *kind, double *out_w_mm,
                                double *out_h_mm)
{
    double w = 0;
    double h = 0;
    switch (shape) {
    case ES_SEAL_SHAPE_ROUND:
        /* Legal-name seal 42 mm; special seals 40 mm; finance seals 38 mm. */
        if (!kind || !kind[0]) {
            w = 42;
        } else if (strstr(kind, "财务")) {
            w = 38;
        } else {
            w = 40;
        }
        h = w;
        break;
    case ES_SEAL_SHAPE_OVAL:
        /* invoice seal: major axis 40 mm, minor axis 30 mm */
        w = 40;
        h = 30;
        break;
    case ES_SEAL_SHAPE_SQUARE:
        w = 20;
        h = 20;
        break;
    default:
        break;
    }
    if (out_w_mm) {
        *out_w_mm = w;
    }
    if (out_h_mm) {
        *out_h_mm = h;
    }
}

static es_result check_mm(const char *what, double v)
{
    ES_ENSURE_MSG(isfinite(v) && v >= ES_SEAL_MM_MIN && v <= ES_SEAL_MM_MAX, ES_ERR_USAGE_ARG,
                  "the %s %g mm is outside %g..%g mm", what, v, ES_SEAL_MM_MIN, ES_SEAL_MM_MAX);
    return ES_RESULT_OK;
}

es_result es_seal_spec_prepare(const es_seal_image_spec *spec, struct es_seal_prepared *out)
{
    ES_ENSURE_REF(spec);
    memset(out, 0, sizeof(*out));
    ES_ENSURE_MSG(spec->shape >= ES_SEAL_SHAPE_ROUND && spec->shape < ES_SEAL_SHAPE_LAST_,
                  ES_ERR_USAGE_ARG, "unknown seal shape %d", (int)spec->shape);
    out->shape = spec->shape;
    ES_ENSURE_MSG(spec->name && spec->name[0], ES_ERR_USAGE_ARG, "the seal's name is empty");
    ES_GUARD(es_seal_utf8_decode(spec->name, "name", ES_SEAL_NAME_MAX, &out->name));
    ES_ENSURE_MSG(!all_spaces(&out->name), ES_ERR_USAGE_ARG, "the seal's name is blank");
    if (spec->kind) {
        ES_GUARD(es_seal_utf8_decode(spec->kind, "kind", ES_SEAL_KIND_MAX, &out->kind));
    }
    if (spec->code) {
        ES_GUARD(es_seal_utf8_decode(spec->code, "code", ES_SEAL_CODE_MAX, &out->code));
    }
    if (spec->shape == ES_SEAL_SHAPE_SQUARE) {
        ES_ENSURE_MSG(out->name.n >= 2 && out->name.n <= 4, ES_ERR_USAGE_ARG,
                      "a square name seal holds 2 to 4 characters, not %zu", out->name.n);
        ES_ENSURE_MSG(out->kind.n == 0 && out->code.n == 0, ES_ERR_USAGE_ARG,
                      "a square name seal carries only the name (no kind, no code)");
    }

    double w = spec->width_mm;
    double h = spec->height_mm;
    ES_ENSURE_MSG(!isnan(w) && !isnan(h) && w >= 0 && h >= 0, ES_ERR_USAGE_ARG,
                  "the seal's width and height must be positive (or 0 for the default)");
    double dw = 0;
    double dh = 0;
    es_seal_image_default_size(spec->shape, spec->kind, &dw, &dh);
    if (spec->shape == ES_SEAL_SHAPE_OVAL) {
        if (w == 0 && h == 0) {
            w = dw;
            h = dh;
        } else if (h == 0) {
            h = w * dh / dw;
        } else if (w == 0) {
            w = h * dw / dh;
        }
        ES_GUARD(check_mm("width", w));
        ES_GUARD(check_mm("height", h));
        ES_ENSURE_MSG(h <= w, ES_ERR_USAGE_ARG,
                      "an oval seal's height (%g mm) must not exceed its width (%g mm)", h, w);
    } else {
        if (w == 0 && h == 0) {
            w = dw;
        } else if (w == 0) {
            w = h;
        }
        ES_ENSURE_MSG(h == 0 || fabs(h - w) < 1e-9, ES_ERR_USAGE_ARG,
                      "a %s seal has equal width and height (got %g x %g mm)",
                      spec->shape == ES_SEAL_SHAPE_ROUND ? "round" : "square", w, h);
        h = w;
        ES_GUARD(check_mm("diameter", w));
    }
    int dpi = spec->dpi ? spec->dpi : ES_SEAL_DPI_DEFAULT;
    ES_ENSURE_MSG(dpi >= ES_SEAL_DPI_MIN && dpi <= ES_SEAL_DPI_MAX, ES_ERR_USAGE_ARG,
                  "the resolution %d dpi is outside %d..%d", dpi, ES_SEAL_DPI_MIN,
                  ES_SEAL_DPI_MAX);
    out->w_mm = w;
    out->h_mm = h;
    out->dpi = dpi;
    out->w_px = (uint32_t)lround(w / 25.4 * dpi);
    out->h_px = (uint32_t)lround(h / 25.4 * dpi);
    out->font_path = spec->font_path;
    return ES_RESULT_OK;
}
