/*
 * lib/base/buf.c - growing byte buffer with a hard maximum, so that no
 * untrusted input can make the library allocate without bound.
 */
#include <stdarg.h>
#include <stdio.h>

#include "base/base.h"

void es_buf_init(struct es_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : ES_BUF_DEFAULT_MAX;
}

void es_buf_free(struct es_buf *b)
{
    es_free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

es_result es_buf_reserve(struct es_buf *b, size_t extra)
{
    if (b->max == 0) {
        b->max = ES_BUF_DEFAULT_MAX;
    }
    ES_ENSURE_MSG(extra <= b->max && b->len <= b->max - extra, ES_ERR_LIMIT_SIZE,
                  "buffer would exceed its limit of %zu bytes", b->max);
    size_t need = b->len + extra + 1; /* room for a NUL terminator */
    if (need <= b->cap) {
        return ES_RESULT_OK;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    uint8_t *p = es_realloc(b->ptr, cap);
    ES_ENSURE(p, ES_ERR_NOMEM);
    b->ptr = p;
    b->cap = cap;
    return ES_RESULT_OK;
}

es_result es_buf_append(struct es_buf *b, const void *p, size_t n)
{
    ES_GUARD(es_buf_reserve(b, n));
    if (n) {
        memcpy(b->ptr + b->len, p, n);
    }
    b->len += n;
    b->ptr[b->len] = 0;
    return ES_RESULT_OK;
}

es_result es_buf_append_byte(struct es_buf *b, uint8_t c) { return es_buf_append(b, &c, 1); }

es_result es_buf_printf(struct es_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ES_ENSURE(n >= 0, ES_ERR_INTERNAL);
    ES_GUARD(es_buf_reserve(b, (size_t)n));
    va_start(ap, fmt);
    vsnprintf((char *)b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return ES_RESULT_OK;
}

es_result es_buf_take(struct es_buf *b, uint8_t **out, size_t *out_len)
{
    if (!b->ptr) {
        ES_GUARD(es_buf_reserve(b, 0));
        b->ptr[0] = 0;
    }
    *out = b->ptr;
    if (out_len) {
        *out_len = b->len;
    }
    b->ptr = NULL;
    b->len = b->cap = 0;
    return ES_RESULT_OK;
}
