/* server/http/arena.c - see arena.h */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
    struct chunk *next;
    size_t cap;
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct es_arena {
    struct chunk *head;
    size_t total;
    size_t limit;
};

es_arena *es_arena_new(size_t limit)
{
    es_arena *a = calloc(1, sizeof(*a));
    if (a) {
        a->limit = limit;
    }
    return a;
}

void es_arena_free(es_arena *a)
{
    if (!a) {
        return;
    }
    for (struct chunk *c = a->head; c;) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a);
}

void *es_arena_alloc(es_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) {
        n = 16;
    }
    struct chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        if (a->total + cap > a->limit || cap > SIZE_MAX - sizeof(*c)) {
            return NULL;
        }
        c = malloc(sizeof(*c) + cap);
        if (!c) {
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total += cap;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

void *es_arena_memdup(es_arena *a, const void *p, size_t n)
{
    if (n == SIZE_MAX) {
        return NULL;
    }
    unsigned char *q = es_arena_alloc(a, n + 1);
    if (q) {
        if (n) {
            memcpy(q, p, n);
        }
        q[n] = '\0';
    }
    return q;
}

char *es_arena_strdup(es_arena *a, const char *s)
{
    return s ? es_arena_memdup(a, s, strlen(s)) : NULL;
}

char *es_arena_printf(es_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *s = es_arena_alloc(a, (size_t)n + 1);
    if (!s) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

size_t es_arena_used(const es_arena *a)
{
    return a->total;
}
