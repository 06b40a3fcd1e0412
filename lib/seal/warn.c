/*
 * lib/seal/warn.c - the quirk log kept with every decoded object, so that no
 * tolerance is taken silently (ses-format.md §7).
 */
#include <stdarg.h>
#include <stdio.h>

#include "seal/seal_int.h"

void es_warnings_free(struct es_warnings *w)
{
    es_free(w->v);
    w->v = NULL;
    w->n = w->cap = 0;
}

static es_result push(struct es_warnings *w, const struct es_warning *x)
{
    for (size_t i = 0; i < w->n; i++) {
        if (strcmp(w->v[i].code, x->code) == 0 && strcmp(w->v[i].msg, x->msg) == 0) {
            return ES_RESULT_OK; /* once per distinct quirk */
        }
    }
    ES_ENSURE_MSG(w->n < 256, ES_ERR_LIMIT_COUNT, "too many warnings");
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        struct es_warning *v = es_realloc(w->v, cap * sizeof(*v));
        ES_ENSURE(v, ES_ERR_NOMEM);
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = *x;
    return ES_RESULT_OK;
}

es_result es_quirk(struct es_warnings *w, es_profile prof, bool deviation, const char *code,
                   size_t off, const char *fmt, ...)
{
    struct es_warning x;
    va_list ap;
    snprintf(x.code, sizeof(x.code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(x.msg, sizeof(x.msg), fmt, ap);
    va_end(ap);
    x.off = off;
    if (deviation && prof == ES_PROFILE_STRICT) {
        ES_BAIL_MSG(ES_ERR_FORMAT_NOT_STRICT, "%s at offset %zu (%s; refused by the strict profile)",
                    x.msg, off, code);
    }
    return push(w, &x);
}

es_result es_warnings_copy(struct es_warnings *dst, const struct es_warnings *src)
{
    for (size_t i = 0; i < src->n; i++) {
        ES_GUARD(push(dst, &src->v[i]));
    }
    return ES_RESULT_OK;
}

const char *es_picture_sniff(const uint8_t *p, size_t n)
{
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) {
        return "PNG";
    }
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0)) {
        return "GIF";
    }
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
        return "JPG";
    }
    if (n >= 14 && p[0] == 'B' && p[1] == 'M') {
        return "BMP";
    }
    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) {
        return "OFD";
    }
    size_t i = 0;
    while (i < n && i < 64 && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) {
        i++;
    }
    if (n - i >= 4 && (memcmp(p + i, "<svg", 4) == 0 || memcmp(p + i, "<?xm", 4) == 0)) {
        return "SVG";
    }
    return NULL;
}

const char *es_picture_type(const uint8_t *data, size_t len)
{
    return data ? es_picture_sniff(data, len) : NULL;
}
