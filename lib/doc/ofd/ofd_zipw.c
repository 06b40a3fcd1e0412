/*
 * lib/doc/ofd/ofd_zipw.c - writing the signed package. Every existing entry
 * is copied with zip_source_zip(ZIP_FL_COMPRESSED): its compressed bytes,
 * method (zip_set_file_compression, or libzip would re-deflate a stored
 * entry) and time are kept, so the bytes every earlier signature hashed are
 * untouched (ofd-signature.md §5.4 step 9, dependencies.md §3). Names are
 * written back as stored (legacy GB18030 names keep their bytes). libzip
 * writes to a temporary file next to out_path and renames it on zip_close.
 * New entries are deflated unless that saves too little (es_ofd_zip_method):
 * a seal and a signature value hold a PNG and random-looking signatures,
 * and inflating them again would cost every verification time for ~2%.
 */
#include <fcntl.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "doc/ofd/ofd_sign_int.h"

static zip_flags_t name_flags(const struct es_ofd_entry *e)
{
    for (const unsigned char *p = (const unsigned char *)e->raw; *p; p++) {
        if (*p >= 0x80) {
            /* UTF-8 gets its flag; converted legacy names are written raw, unflagged */
            return strcmp(e->raw, e->name) == 0 ? ZIP_FL_ENC_UTF_8 : ZIP_FL_ENC_GUESS;
        }
    }
    return ZIP_FL_ENC_GUESS;
}

static const struct es_ofd_addition *find_add(const struct es_ofd_addition *adds, size_t n,
                                              const char *name, bool *used)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(adds[i].name, name) == 0) {
            used[i] = true;
            return &adds[i];
        }
    }
    return NULL;
}

/* Deflated output must save at least 1/SAVE_MIN (5%) of a sample. */
#define SAVE_MIN 20
#define SAMPLE ((size_t)64 * 1024)

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && strcasecmp(name + n - k, suffix) == 0;
}

int es_ofd_zip_method(const char *name, const uint8_t *p, size_t n)
{
    static const char *const stored[] = {".esl", ".dat", ".png", ".jpg", ".jpeg", ".gif",
                                         ".jb2", ".zip", ".ofd"};
    for (size_t i = 0; i < sizeof(stored) / sizeof(stored[0]); i++) {
        if (has_suffix(name, stored[i])) {
            return ZIP_CM_STORE;
        }
    }
    if (n < 256) {
        return ZIP_CM_DEFLATE; /* too small to matter either way */
    }
    /* anything else: deflate a sample and keep it only when it pays */
    size_t len = n < SAMPLE ? n : SAMPLE;
    uLongf cap = compressBound((uLong)len);
    uint8_t *buf = es_malloc(cap);
    if (!buf) {
        return ZIP_CM_DEFLATE;
    }
    int zr = compress2(buf, &cap, p, (uLong)len, Z_BEST_SPEED);
    es_free(buf);
    return zr == Z_OK && cap > len - len / SAVE_MIN ? ZIP_CM_STORE : ZIP_CM_DEFLATE;
}

static es_result add_buffer(zip_t *dst, const char *name, zip_flags_t fl, const uint8_t *p,
                            size_t n, time_t mtime)
{
    zip_source_t *src = zip_source_buffer(dst, p, n, 0);
    ES_ENSURE_MSG(src, ES_ERR_NOMEM, "%s: %s", name, zip_strerror(dst));
    zip_int64_t idx = zip_file_add(dst, name, src, fl);
    if (idx < 0) {
        es_result r = es_error_set(ES_ERR_IO_WRITE, __FILE__, __LINE__, "adding %s: %s", name,
                                   zip_strerror(dst));
        zip_source_free(src);
        return r;
    }
    ES_ENSURE_MSG(zip_set_file_compression(dst, (zip_uint64_t)idx,
                                           es_ofd_zip_method(name, p, n), 0) == 0 &&
                      zip_file_set_mtime(dst, (zip_uint64_t)idx, mtime, 0) == 0,
                  ES_ERR_IO_WRITE, "%s: %s", name, zip_strerror(dst));
    return ES_RESULT_OK;
}

static es_result copy_entry(zip_t *dst, zip_t *src_za, const struct es_ofd_entry *e)
{
    zip_flags_t fl = name_flags(e);
    if (e->is_dir) {
        zip_int64_t idx = zip_dir_add(dst, e->raw, fl);
        ES_ENSURE_MSG(idx >= 0, ES_ERR_IO_WRITE, "copying %s: %s", e->name, zip_strerror(dst));
        if (e->mtime) {
            ES_ENSURE_MSG(zip_file_set_mtime(dst, (zip_uint64_t)idx, e->mtime, 0) == 0,
                          ES_ERR_IO_WRITE, "%s: %s", e->name, zip_strerror(dst));
        }
        return ES_RESULT_OK;
    }
    zip_source_t *src = zip_source_zip(dst, src_za, e->index, ZIP_FL_COMPRESSED, 0, -1);
    ES_ENSURE_MSG(src, ES_ERR_IO_WRITE, "copying %s: %s", e->name, zip_strerror(dst));
    zip_int64_t idx = zip_file_add(dst, e->raw, src, fl);
    if (idx < 0) {
        es_result r = es_error_set(ES_ERR_IO_WRITE, __FILE__, __LINE__, "copying %s: %s",
                                   e->name, zip_strerror(dst));
        zip_source_free(src);
        return r;
    }
    ES_ENSURE_MSG(zip_set_file_compression(dst, (zip_uint64_t)idx, (zip_int32_t)e->method, 0) ==
                      0,
                  ES_ERR_IO_WRITE, "%s: %s", e->name, zip_strerror(dst));
    if (e->mtime) {
        ES_ENSURE_MSG(zip_file_set_mtime(dst, (zip_uint64_t)idx, e->mtime, 0) == 0,
                      ES_ERR_IO_WRITE, "%s: %s", e->name, zip_strerror(dst));
    }
    return ES_RESULT_OK;
}

es_result es_ofd_pkg_write(const struct es_ofd_pkg *in, const char *out_path,
                           const struct es_ofd_addition *adds, size_t n_adds, time_t mtime)
{
    int zerr = 0;
    zip_t *dst = zip_open(out_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!dst) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        es_result r = es_error_set(ES_ERR_IO_WRITE, __FILE__, __LINE__, "%s: %s", out_path,
                                   zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return r;
    }
    es_result res = ES_RESULT_OK;
    bool *used = es_calloc(n_adds + 1, sizeof(bool));
    if (!used) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < in->n; i++) {
        const struct es_ofd_entry *e = &in->e[i];
        const struct es_ofd_addition *a = find_add(adds, n_adds, e->name, used);
        if (a) {
            ES_GUARD_GOTO(add_buffer(dst, e->raw, name_flags(e), a->data, a->len, mtime));
        } else {
            ES_GUARD_GOTO(copy_entry(dst, in->za, e));
        }
    }
    for (size_t i = 0; i < n_adds; i++) {
        if (!used[i]) {
            zip_flags_t fl = es_ofd_utf8_valid((const uint8_t *)adds[i].name, strlen(adds[i].name))
                                 ? ZIP_FL_ENC_UTF_8
                                 : ZIP_FL_ENC_GUESS;
            ES_GUARD_GOTO(add_buffer(dst, adds[i].name, fl, adds[i].data, adds[i].len, mtime));
        }
    }
    if (zip_close(dst) != 0) {
        res = es_error_set(ES_ERR_IO_WRITE, __FILE__, __LINE__, "writing %s: %s", out_path,
                           zip_strerror(dst));
        goto out;
    }
    dst = NULL;
    /* libzip renames without syncing: make the new file durable */
    int fd = open(out_path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) != 0) {
            /* best effort: the data is complete, only durability is at stake */
        }
        close(fd);
    }
out:
    if (dst) {
        zip_discard(dst);
    }
    es_free(used);
    return res;
}
