/*
 * eseal/common.h - conventions shared by every public header.
 *
 * Conventions (they hold for the whole API unless a function says otherwise):
 *  - Functions returning int return ES_OK (0) on success or a negative
 *    es_error code. Details of the last failure are on the es_ctx passed in:
 *    es_ctx_errmsg() and es_ctx_errloc().
 *  - Pointer arguments MUST NOT be NULL unless the documentation says so.
 *  - "borrow": the returned pointer stays valid while the owning object lives;
 *    the caller MUST NOT free it. "take"/"OUT (owned)": the caller frees it with
 *    the named function, or es_free() for plain memory.
 *  - Objects are not thread-safe; distinct objects may be used from distinct
 *    threads at once. An es_ctx MUST NOT be shared between threads.
 *  - Invalid seals or signatures are results, not errors: a verification
 *    returns ES_OK with a report whose verdict says what was wrong.
 */
#ifndef ESEAL_COMMON_H
#define ESEAL_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ES_BUILDING_LIB)
#define ES_API __attribute__((visibility("default")))
#else
#define ES_API
#endif

/* A borrowed byte range. */
typedef struct es_bytes {
    const uint8_t *ptr;
    size_t len;
} es_bytes;

/* Per-caller context: error details, parsing profile and limits. */
typedef struct es_ctx es_ctx;

/* Parsing profiles (see docs/formats.md). */
typedef enum es_profile {
    ES_PROFILE_LENIENT = 0, /* default: accept catalogued real-world quirks, warn */
    ES_PROFILE_STRICT = 1,  /* the standard as written */
    ES_PROFILE_LAST_ /* never use */
} es_profile;

/* Creates a context. Returns NULL on allocation failure. */
ES_API es_ctx *es_ctx_new(void);
/* Frees a context; NULL is a no-op. */
ES_API void es_ctx_free(es_ctx *ctx);
ES_API void es_ctx_set_profile(es_ctx *ctx, es_profile profile);
ES_API es_profile es_ctx_get_profile(const es_ctx *ctx);
/* The message of the last failure on this context ("" if none). Borrowed. */
ES_API const char *es_ctx_errmsg(const es_ctx *ctx);
/* Where in the library the last failure was raised ("file.c:123"). Borrowed. */
ES_API const char *es_ctx_errloc(const es_ctx *ctx);
/* The error code of the last failure (ES_OK if none). */
ES_API int es_ctx_errcode(const es_ctx *ctx);

/* Frees memory that the library allocated for the caller. NULL is a no-op. */
ES_API void es_free(void *p);

/* Replaces the allocator (for fault injection or accounting). Call before any
 * other function; passing NULLs restores malloc/realloc/free. */
typedef void *(*es_malloc_fn)(size_t n);
typedef void *(*es_realloc_fn)(void *p, size_t n);
typedef void (*es_free_fn)(void *p);
ES_API void es_set_allocator(es_malloc_fn m, es_realloc_fn r, es_free_fn f);

/* Writes a file atomically (temporary file in the same directory, fsync,
 * rename), so a failure never leaves a half-written file and an existing
 * file is replaced only when the new one is complete. */
ES_API int es_file_write(es_ctx *ctx, const char *path, const void *data, size_t len, int mode);
/* Reads a whole file, refusing more than `max` bytes. OUT (owned, es_free). */
ES_API int es_file_read_all(es_ctx *ctx, const char *path, size_t max, uint8_t **out,
                            size_t *out_len);

/* Library version string, e.g. "0.1.0". */
ES_API const char *es_version(void);

#ifdef __cplusplus
}
#endif
#endif
