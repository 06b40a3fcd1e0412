/*
 * lib/base/alloc.c - every allocation of libeseal goes through these hooks,
 * so tests can inject failures and embedders can account for memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/base.h"

static es_malloc_fn g_malloc = malloc;
static es_realloc_fn g_realloc = realloc;
static es_free_fn g_free = free;

void es_set_allocator(es_malloc_fn m, es_realloc_fn r, es_free_fn f)
{
    g_malloc = m ? m : malloc;
    g_realloc = r ? r : realloc;
    g_free = f ? f : free;
}

void *es_malloc(size_t n) { return g_malloc(n ? n : 1); }

void *es_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        return NULL;
    }
    size_t total = n * size;
    void *p = g_malloc(total ? total : 1);
    if (p) {
        memset(p, 0, total);
    }
    return p;
}

void *es_realloc(void *p, size_t n) { return g_realloc(p, n ? n : 1); }

void es_free(void *p)
{
    if (p) {
        g_free(p);
    }
}

char *es_strndup(const char *s, size_t n)
{
    char *d = es_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *es_strdup(const char *s) { return s ? es_strndup(s, strlen(s)) : NULL; }

char *es_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *s = es_malloc((size_t)n + 1);
    if (!s) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void es_wipe(void *p, size_t n)
{
    if (p && n) {
        /* volatile pointer: the store must not be optimised away */
        volatile uint8_t *v = p;
        while (n--) {
            *v++ = 0;
        }
    }
}

void es_free_secret(void *p, size_t n)
{
    es_wipe(p, n);
    es_free(p);
}

bool es_ct_equal(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a;
    const uint8_t *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++) {
        d |= (uint8_t)(x[i] ^ y[i]);
    }
    return d == 0;
}

void es_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[in[i] >> 4];
        out[2 * i + 1] = hx[in[i] & 15];
    }
    out[2 * n] = '\0';
}
