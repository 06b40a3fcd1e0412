/*
 * server/http/arena.h - a per-request bump allocator (h2o's mem pool): many
 * small allocations, one release when the request ends. Bounded: an arena
 * refuses to grow past its limit, so a request cannot take the process's
 * memory through it.
 */
#ifndef ES_ARENA_H
#define ES_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct es_arena es_arena;

es_arena *es_arena_new(size_t limit);
void es_arena_free(es_arena *a);
/* NULL when the limit would be exceeded or memory is short. Aligned to 16. */
void *es_arena_alloc(es_arena *a, size_t n);
void *es_arena_memdup(es_arena *a, const void *p, size_t n); /* adds a NUL */
char *es_arena_strdup(es_arena *a, const char *s);
char *es_arena_printf(es_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t es_arena_used(const es_arena *a);

#endif
