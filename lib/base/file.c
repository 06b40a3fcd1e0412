/*
 * lib/base/file.c - whole-file reads with a size cap, and atomic writes
 * (temporary file + fsync + rename) so that a failure never leaves a
 * half-written output and an existing file is replaced only when complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

es_result es_file_read(const char *path, size_t max, uint8_t **out, size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    struct es_buf b;
    es_buf_init(&b, max);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ES_BAIL_MSG(ES_ERR_IO_OPEN, "%s: cannot open: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ES_FAIL_GOTO(ES_ERR_IO_READ, "%s: is a directory", path);
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        ES_FAIL_GOTO(ES_ERR_LIMIT_SIZE, "%s: %lld bytes exceeds the limit of %zu bytes", path,
                     (long long)st.st_size, max);
    }
    for (;;) {
        uint8_t chunk[65536];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            ES_FAIL_GOTO(ES_ERR_IO_READ, "%s: read error: %s", path, strerror(errno));
        }
        if (n == 0) {
            break;
        }
        res = es_buf_append(&b, chunk, (size_t)n);
        if (es_is_err(res)) {
            ES_FAIL_GOTO(ES_ERR_LIMIT_SIZE, "%s: exceeds the limit of %zu bytes", path, max);
        }
    }
    ES_GUARD_GOTO(es_buf_take(&b, out, out_len));
out:
    close(fd);
    es_buf_free(&b);
    return res;
}

es_result es_file_write_atomic(const char *path, const void *data, size_t len, int mode)
{
    es_result res = ES_RESULT_OK;
    char *tmp = es_asprintf("%s.tmp.XXXXXX", path);
    ES_ENSURE(tmp, ES_ERR_NOMEM);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        res = es_error_set(ES_ERR_IO_WRITE, __FILE__, __LINE__, "%s: cannot create: %s", path,
                           strerror(errno));
        es_free(tmp);
        return res;
    }
    const uint8_t *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ES_FAIL_GOTO(ES_ERR_IO_WRITE, "%s: write error: %s", path, strerror(errno));
        }
        p += n;
        left -= (size_t)n;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0) {
        ES_FAIL_GOTO(ES_ERR_IO_WRITE, "%s: cannot finish: %s", path, strerror(errno));
    }
    if (close(fd) != 0) {
        fd = -1;
        ES_FAIL_GOTO(ES_ERR_IO_WRITE, "%s: close failed: %s", path, strerror(errno));
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        ES_FAIL_GOTO(ES_ERR_IO_WRITE, "%s: cannot rename into place: %s", path, strerror(errno));
    }
out:
    if (fd >= 0) {
        close(fd);
    }
    if (es_is_err(res)) {
        unlink(tmp);
    }
    es_free(tmp);
    return res;
}

int es_file_write(es_ctx *ctx, const char *path, const void *data, size_t len, int mode)
{
    return es_ctx_take_error(ctx, es_file_write_atomic(path, data, len, mode));
}

int es_file_read_all(es_ctx *ctx, const char *path, size_t max, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    return es_ctx_take_error(ctx, es_file_read(path, max, out, out_len));
}
