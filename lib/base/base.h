/*
 * lib/base/base.h - internal foundation of libeseal: the result type and
 * safety macros, error recording, allocation, bounded growing buffers.
 *
 * Internal functions return es_result (warn_unused_result), in the manner of
 * s2n-tls's S2N_RESULT: a call nobody checks is a compile error. The failing
 * site records its code, file:line and a detail sentence in a thread-local
 * slot; the public API copies that slot into the caller's es_ctx.
 */
#ifndef ES_BASE_H
#define ES_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eseal/common.h"
#include "eseal/error.h"

typedef struct {
    int rc;
} es_result;
/* Declarations use ES_RESULT so that an unchecked call is a compile error. */
#define ES_RESULT __attribute__((warn_unused_result)) es_result

#define ES_RESULT_OK ((es_result){ES_OK})
static inline bool es_is_ok(es_result r) { return r.rc == ES_OK; }
static inline bool es_is_err(es_result r) { return r.rc != ES_OK; }

/* Records an error (code, site, printf detail) and returns it as a result. */
ES_RESULT es_error_set(int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds context in front of the current detail ("in SES_SealInfo: ..."). */
void es_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void es_error_clear(void);
int es_error_code(void);
const char *es_error_detail(void);
const char *es_error_site(void);

#define ES_BAIL_MSG(code, ...) return es_error_set((code), __FILE__, __LINE__, __VA_ARGS__)
#define ES_BAIL(code) ES_BAIL_MSG((code), "%s", es_strerror(code))
#define ES_ENSURE(cond, code)                                                          \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            ES_BAIL(code);                                                              \
        }                                                                               \
    } while (0)
#define ES_ENSURE_MSG(cond, code, ...)                                                 \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            ES_BAIL_MSG((code), __VA_ARGS__);                                           \
        }                                                                               \
    } while (0)
#define ES_ENSURE_REF(p) ES_ENSURE((p) != NULL, ES_ERR_USAGE_NULL)
#define ES_GUARD(call)                                                                 \
    do {                                                                                \
        es_result es_guard_r_ = (call);                                                 \
        if (es_is_err(es_guard_r_)) {                                                   \
            return es_guard_r_;                                                         \
        }                                                                               \
    } while (0)
/* For functions with an `out:` cleanup label and an `es_result res` local. */
#define ES_GUARD_GOTO(call)                                                            \
    do {                                                                                \
        res = (call);                                                                   \
        if (es_is_err(res)) {                                                           \
            goto out;                                                                   \
        }                                                                               \
    } while (0)
#define ES_FAIL_GOTO(code, ...)                                                        \
    do {                                                                                \
        res = es_error_set((code), __FILE__, __LINE__, __VA_ARGS__);                    \
        goto out;                                                                       \
    } while (0)

/* Copies the thread's error slot into a context and returns the code. */
int es_ctx_take_error(es_ctx *ctx, es_result r);

/* ---- allocation (all library memory goes through these) ---- */
void *es_malloc(size_t n);
void *es_calloc(size_t n, size_t size);
void *es_realloc(void *p, size_t n);
char *es_strdup(const char *s);
char *es_strndup(const char *s, size_t n);
/* Allocating printf; NULL on failure. */
char *es_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Zeroes then frees (for secrets). */
void es_free_secret(void *p, size_t n);
void es_wipe(void *p, size_t n);
#define ES_FREE_AND_NULL(p)                                                            \
    do {                                                                                \
        es_free(p);                                                                     \
        (p) = NULL;                                                                     \
    } while (0)

/* Constant-time comparison of equal-length buffers: true when equal. */
bool es_ct_equal(const void *a, const void *b, size_t n);

/* ---- growing buffer with a hard maximum (curl's dynbuf) ---- */
struct es_buf {
    uint8_t *ptr;
    size_t len;
    size_t cap;
    size_t max; /* 0 = ES_BUF_DEFAULT_MAX */
};
#define ES_BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)
void es_buf_init(struct es_buf *b, size_t max);
void es_buf_free(struct es_buf *b);
ES_RESULT es_buf_append(struct es_buf *b, const void *p, size_t n);
ES_RESULT es_buf_append_byte(struct es_buf *b, uint8_t c);
ES_RESULT es_buf_printf(struct es_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ES_RESULT es_buf_reserve(struct es_buf *b, size_t extra);
/* Hands the bytes to the caller (NUL-terminated as a convenience) and resets. */
ES_RESULT es_buf_take(struct es_buf *b, uint8_t **out, size_t *out_len);

/* ---- files ---- */
/* Reads a whole file, refusing more than max bytes. OUT (owned, es_free). */
ES_RESULT es_file_read(const char *path, size_t max, uint8_t **out, size_t *out_len);
/* Writes atomically: temporary file in the same directory, fsync, rename. */
ES_RESULT es_file_write_atomic(const char *path, const void *data, size_t len, int mode);

/* ---- hex ---- */
void es_hex_encode(const uint8_t *in, size_t n, char *out /* 2n+1 */);

/* ---- defensive assertions (SQLite's ALWAYS/NEVER) ---- */
#ifndef NDEBUG
#include <assert.h>
#define ES_ALWAYS(x) ((x) ? 1 : (assert(0), 0))
#define ES_NEVER(x) ((x) ? (assert(0), 1) : 0)
#else
#define ES_ALWAYS(x) (x)
#define ES_NEVER(x) (x)
#endif

#endif
