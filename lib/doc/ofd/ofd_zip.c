/*
 * lib/doc/ofd/ofd_zip.c - the bounded ZIP reader under every OFD operation.
 *
 * libzip 1.7.3 trusts the sizes an archive declares and keeps inflating past
 * them (dependencies.md §3), so this file enforces, before any byte is
 * inflated: the entry count, each entry's and the total declared size, the
 * compression ratio, the compression method (stored or deflate), no
 * encryption, safe and unique names. While reading it enforces that an entry
 * yields exactly its declared size and CRC-32. Every refusal names the entry
 * and the limit. The package also remembers plain SM3 digests of entries
 * (es_ofd_memo), so that verifying reads each entry at most once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <zip.h>
#include <zlib.h>

#include "doc/ofd/ofd_int.h"

#define RATIO_MIN_SIZE ((uint64_t)1024 * 1024)
#define CHUNK 65536

void es_ofd_limits_default(es_ofd_limits *out)
{
    out->max_entries = 10000;
    out->max_entry_size = (uint64_t)512 * 1024 * 1024;
    out->max_total_size = (uint64_t)2 * 1024 * 1024 * 1024;
    out->max_ratio = 200;
    out->max_xml_size = (size_t)32 * 1024 * 1024;
    out->max_xml_depth = 64;
    out->max_name_len = 1024;
}

void es_ofd_limits_fill(es_ofd_limits *out, const es_ofd_limits *in)
{
    es_ofd_limits_default(out);
    if (!in) {
        return;
    }
    if (in->max_entries) {
        out->max_entries = in->max_entries;
    }
    if (in->max_entry_size) {
        out->max_entry_size = in->max_entry_size;
    }
    if (in->max_total_size) {
        out->max_total_size = in->max_total_size;
    }
    if (in->max_ratio) {
        out->max_ratio = in->max_ratio;
    }
    if (in->max_xml_size) {
        out->max_xml_size = in->max_xml_size;
    }
    if (in->max_xml_depth) {
        out->max_xml_depth = in->max_xml_depth;
    }
    if (in->max_name_len) {
        out->max_name_len = in->max_name_len;
    }
}

/* CRC-32 (ISO 3309, as ZIP uses it): zlib's table-driven implementation,
 * several times faster than a byte-wise loop on large entries. */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32((uLong)crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return crc;
}

static int cmp_sorted(const void *a, const void *b, void *arg)
{
    const struct es_ofd_entry *e = arg;
    return strcmp(e[*(const size_t *)a].name, e[*(const size_t *)b].name);
}

static es_result zip_fail(int zerr, const char *what)
{
    zip_error_t ze;
    zip_error_init_with_code(&ze, zerr);
    int code = zerr == ZIP_ER_MEMORY ? ES_ERR_NOMEM
               : zerr == ZIP_ER_NOZIP || zerr == ZIP_ER_EOF ? ES_ERR_FORMAT_TRUNCATED
               : zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ ? ES_ERR_IO_READ
                                                            : ES_ERR_FORMAT_STRUCTURE;
    es_result r = es_error_set(code, __FILE__, __LINE__, "%s: %s", what, zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return r;
}

/* Reads and validates the central directory. */
static es_result scan(struct es_ofd_pkg *pkg)
{
    zip_t *za = pkg->za;
    zip_int64_t ne = zip_get_num_entries(za, 0);
    ES_ENSURE_MSG(ne >= 0, ES_ERR_FORMAT_STRUCTURE, "the ZIP central directory is unreadable");
    ES_ENSURE_MSG((uint64_t)ne <= pkg->lim.max_entries, ES_ERR_LIMIT_COUNT,
                  "the package has %lld ZIP entries, over the limit of %zu", (long long)ne,
                  pkg->lim.max_entries);
    ES_ENSURE_MSG(ne > 0, ES_ERR_FORMAT, "the ZIP archive is empty");
    pkg->e = es_calloc((size_t)ne, sizeof(*pkg->e));
    pkg->sorted = es_calloc((size_t)ne, sizeof(*pkg->sorted));
    pkg->memo.flags = es_calloc((size_t)ne, sizeof(*pkg->memo.flags));
    pkg->memo.sm3 = es_calloc((size_t)ne, sizeof(*pkg->memo.sm3));
    pkg->memo.streams = es_calloc((size_t)ne, sizeof(*pkg->memo.streams));
    ES_ENSURE(pkg->e && pkg->sorted && pkg->memo.flags && pkg->memo.sm3 && pkg->memo.streams,
              ES_ERR_NOMEM);
    uint64_t total = 0;
    for (zip_uint64_t i = 0; i < (zip_uint64_t)ne; i++) {
        struct es_ofd_entry *e = &pkg->e[pkg->n];
        const char *raw = zip_get_name(za, i, ZIP_FL_ENC_RAW);
        ES_ENSURE_MSG(raw, ES_ERR_FORMAT_STRUCTURE, "ZIP entry %llu has no readable name",
                      (unsigned long long)i);
        bool conv = false;
        ES_GUARD(es_ofd_name_check(raw, pkg->lim.max_name_len, &e->name, &conv));
        pkg->n++;
        e->raw = es_strdup(raw);
        ES_ENSURE(e->raw, ES_ERR_NOMEM);
        e->index = i;
        zip_stat_t st;
        zip_stat_init(&st);
        ES_ENSURE_MSG(zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) == 0, ES_ERR_FORMAT_STRUCTURE,
                      "ZIP entry '%s': %s", e->name, zip_strerror(za));
        ES_ENSURE_MSG((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) &&
                          (st.valid & ZIP_STAT_CRC) && (st.valid & ZIP_STAT_COMP_METHOD),
                      ES_ERR_FORMAT_STRUCTURE, "ZIP entry '%s' lacks its sizes or CRC", e->name);
        e->size = st.size;
        e->comp_size = st.comp_size;
        e->crc = st.crc;
        e->method = st.comp_method;
        e->mtime = (st.valid & ZIP_STAT_MTIME) ? st.mtime : 0;
        size_t nl = strlen(e->name);
        e->is_dir = nl > 0 && e->name[nl - 1] == '/';
        ES_ENSURE_MSG(!(st.valid & ZIP_STAT_ENCRYPTION_METHOD) ||
                          st.encryption_method == ZIP_EM_NONE,
                      ES_ERR_FORMAT, "ZIP entry '%s' is encrypted: refused", e->name);
        ES_ENSURE_MSG(e->method == ZIP_CM_STORE || e->method == ZIP_CM_DEFLATE, ES_ERR_FORMAT,
                      "ZIP entry '%s' uses compression method %u; only stored and deflate "
                      "are accepted",
                      e->name, (unsigned)e->method);
        ES_ENSURE_MSG(e->size <= pkg->lim.max_entry_size, ES_ERR_LIMIT_SIZE,
                      "ZIP entry '%s' declares %llu bytes, over the limit of %llu bytes per "
                      "entry",
                      e->name, (unsigned long long)e->size,
                      (unsigned long long)pkg->lim.max_entry_size);
        ES_ENSURE_MSG(!e->is_dir || e->size == 0, ES_ERR_FORMAT,
                      "ZIP directory entry '%s' has content", e->name);
        if (e->size > RATIO_MIN_SIZE) {
            /* zip bombs: deflate tops out near 1032:1, real OFD content is < 50:1 */
            ES_ENSURE_MSG(e->comp_size > 0 && e->size / e->comp_size <= pkg->lim.max_ratio,
                          ES_ERR_LIMIT_SIZE,
                          "ZIP entry '%s' inflates %llu bytes into %llu, a ratio over the "
                          "limit of %u",
                          e->name, (unsigned long long)e->comp_size,
                          (unsigned long long)e->size, pkg->lim.max_ratio);
        }
        total += e->size;
        ES_ENSURE_MSG(total <= pkg->lim.max_total_size, ES_ERR_LIMIT_SIZE,
                      "the package declares more than %llu uncompressed bytes (limit reached "
                      "at entry '%s')",
                      (unsigned long long)pkg->lim.max_total_size, e->name);
        pkg->sorted[pkg->n - 1] = pkg->n - 1;
    }
    qsort_r(pkg->sorted, pkg->n, sizeof(size_t), cmp_sorted, pkg->e);
    for (size_t i = 1; i < pkg->n; i++) {
        const char *a = pkg->e[pkg->sorted[i - 1]].name;
        const char *b = pkg->e[pkg->sorted[i]].name;
        ES_ENSURE_MSG(strcmp(a, b) != 0, ES_ERR_FORMAT,
                      "the ZIP entry name '%s' appears twice: refused", a);
    }
    /* a file "a" and a directory entry "a/" are fine; a file "a" and a file "a/b" are not */
    for (size_t i = 0; i + 1 < pkg->n; i++) {
        const char *a = pkg->e[pkg->sorted[i]].name;
        size_t al = strlen(a);
        if (a[al - 1] == '/') {
            continue;
        }
        for (size_t j = i + 1; j < pkg->n; j++) {
            const char *b = pkg->e[pkg->sorted[j]].name;
            if (strncmp(a, b, al) != 0) {
                break;
            }
            ES_ENSURE_MSG(b[al] != '/' || b[al + 1] == '\0', ES_ERR_FORMAT,
                          "the ZIP entry '%s' is both a file and a directory: refused", a);
        }
    }
    return ES_RESULT_OK;
}

es_result es_ofd_pkg_open_mem(struct es_ofd_pkg *pkg, const uint8_t *data, size_t len,
                              const es_ofd_limits *lim)
{
    memset(pkg, 0, sizeof(*pkg));
    es_ofd_limits_fill(&pkg->lim, lim);
    ES_ENSURE_REF(data);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        ES_BAIL(ES_ERR_NOMEM);
    }
    pkg->za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!pkg->za) {
        int code = zip_error_code_zip(&ze);
        zip_error_fini(&ze);
        zip_source_free(src);
        return zip_fail(code, "not a readable ZIP package");
    }
    zip_error_fini(&ze);
    es_result r = scan(pkg);
    if (es_is_err(r)) {
        es_ofd_pkg_close(pkg);
    }
    return r;
}

es_result es_ofd_pkg_open_file(struct es_ofd_pkg *pkg, const char *path,
                               const es_ofd_limits *lim)
{
    memset(pkg, 0, sizeof(*pkg));
    es_ofd_limits_fill(&pkg->lim, lim);
    int zerr = 0;
    pkg->za = zip_open(path, ZIP_RDONLY, &zerr);
    if (!pkg->za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        int code = zerr == ZIP_ER_NOENT || zerr == ZIP_ER_OPEN ? ES_ERR_IO_OPEN
                   : zerr == ZIP_ER_READ                        ? ES_ERR_IO_READ
                   : zerr == ZIP_ER_MEMORY                      ? ES_ERR_NOMEM
                   : zerr == ZIP_ER_NOZIP                       ? ES_ERR_FORMAT_TRUNCATED
                                                                : ES_ERR_FORMAT_STRUCTURE;
        es_result r = es_error_set(code, __FILE__, __LINE__, "%s: %s", path,
                                   zerr == ZIP_ER_NOZIP ? "not a ZIP package (or truncated)"
                                                        : zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return r;
    }
    es_result r = scan(pkg);
    if (es_is_err(r)) {
        es_ofd_pkg_close(pkg);
    }
    return r;
}

void es_ofd_pkg_close(struct es_ofd_pkg *pkg)
{
    if (!pkg) {
        return;
    }
    if (pkg->za) {
        zip_discard(pkg->za);
    }
    for (size_t i = 0; i < pkg->n; i++) {
        es_free(pkg->e[i].name);
        es_free(pkg->e[i].raw);
    }
    es_free(pkg->e);
    es_free(pkg->sorted);
    es_free(pkg->memo.flags);
    es_free(pkg->memo.sm3);
    es_free(pkg->memo.streams);
    memset(pkg, 0, sizeof(*pkg));
}

const struct es_ofd_entry *es_ofd_pkg_find(const struct es_ofd_pkg *pkg, const char *name)
{
    size_t lo = 0, hi = pkg->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct es_ofd_entry *e = &pkg->e[pkg->sorted[mid]];
        int c = strcmp(e->name, name);
        if (c == 0) {
            return e->is_dir ? NULL : e;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct es_ofd_entry *es_ofd_pkg_find_nocase(const struct es_ofd_pkg *pkg,
                                                  const char *name)
{
    for (size_t i = 0; i < pkg->n; i++) {
        if (!pkg->e[i].is_dir && strcasecmp(pkg->e[i].name, name) == 0) {
            return &pkg->e[i];
        }
    }
    return NULL;
}

/* Streams an entry through `sink`, enforcing the declared size and CRC. */
typedef void (*sink_fn)(void *arg, const uint8_t *p, size_t n);

static es_result stream(const struct es_ofd_pkg *pkg, const struct es_ofd_entry *e, sink_fn sink,
                        void *arg)
{
    es_result res = ES_RESULT_OK;
    uint32_t *count = &pkg->memo.streams[e - pkg->e];
    *count += *count < UINT32_MAX;
    zip_file_t *zf = zip_fopen_index(pkg->za, e->index, 0);
    if (!zf) {
        return es_error_set(ES_ERR_FORMAT_STRUCTURE, __FILE__, __LINE__,
                            "ZIP entry '%s' cannot be opened: %s", e->name,
                            zip_strerror(pkg->za));
    }
    uint8_t *buf = es_malloc(CHUNK);
    if (!buf) {
        zip_fclose(zf);
        ES_BAIL(ES_ERR_NOMEM);
    }
    uint64_t got = 0;
    uint32_t crc = 0;
    for (;;) {
        /* never ask for more than one byte past the declared size */
        uint64_t left = e->size - got + 1;
        zip_uint64_t want = left < CHUNK ? left : CHUNK;
        zip_int64_t n = zip_fread(zf, buf, want);
        if (n < 0) {
            zip_error_t *ze = zip_file_get_error(zf);
            int zc = zip_error_code_zip(ze);
            if (zc == ZIP_ER_CRC) {
                ES_FAIL_GOTO(ES_ERR_FORMAT, "ZIP entry '%s' fails its CRC-32 check", e->name);
            }
            ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "ZIP entry '%s' cannot be read: %s", e->name,
                         zip_error_strerror(ze));
        }
        if (n == 0) {
            break;
        }
        got += (uint64_t)n;
        if (got > e->size) {
            ES_FAIL_GOTO(ES_ERR_LIMIT_SIZE,
                         "ZIP entry '%s' inflates beyond its declared size of %llu bytes "
                         "(zip bomb?): refused",
                         e->name, (unsigned long long)e->size);
        }
        crc = crc_update(crc, buf, (size_t)n);
        sink(arg, buf, (size_t)n);
    }
    if (got != e->size) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_TRUNCATED,
                     "ZIP entry '%s' holds %llu bytes, its header declares %llu", e->name,
                     (unsigned long long)got, (unsigned long long)e->size);
    }
    if (crc != e->crc) {
        ES_FAIL_GOTO(ES_ERR_FORMAT, "ZIP entry '%s' fails its CRC-32 check", e->name);
    }
out:
    es_free(buf);
    zip_fclose(zf);
    return res;
}

struct buf_sink {
    uint8_t *p;
    size_t len;
};
static void to_buf(void *arg, const uint8_t *p, size_t n)
{
    struct buf_sink *b = arg;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

es_result es_ofd_pkg_read(const struct es_ofd_pkg *pkg, const struct es_ofd_entry *e, size_t max,
                          uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    ES_ENSURE_MSG(e->size <= max, ES_ERR_LIMIT_SIZE,
                  "ZIP entry '%s' has %llu bytes, over the limit of %zu for this kind of file",
                  e->name, (unsigned long long)e->size, max);
    struct buf_sink b = {es_malloc((size_t)e->size + 1), 0};
    ES_ENSURE(b.p, ES_ERR_NOMEM);
    es_result r = stream(pkg, e, to_buf, &b);
    if (es_is_err(r)) {
        es_free(b.p);
        return r;
    }
    b.p[b.len] = '\0';
    size_t i = (size_t)(e - pkg->e);
    if ((pkg->memo.flags[i] & (ES_OFD_MEMO_WANT | ES_OFD_MEMO_HAVE)) == ES_OFD_MEMO_WANT) {
        es_sm3(b.p, b.len, pkg->memo.sm3[i]);
        pkg->memo.flags[i] |= ES_OFD_MEMO_HAVE;
    }
    *out = b.p;
    *out_len = b.len;
    return ES_RESULT_OK;
}

static void to_sm3(void *arg, const uint8_t *p, size_t n) { es_sm3_update(arg, p, n); }

es_result es_ofd_pkg_sm3(const struct es_ofd_pkg *pkg, const struct es_ofd_entry *e,
                         const uint8_t *prefix, uint8_t out[32])
{
    size_t i = (size_t)(e - pkg->e);
    if (!prefix && (pkg->memo.flags[i] & ES_OFD_MEMO_HAVE)) {
        memcpy(out, pkg->memo.sm3[i], 32);
        return ES_RESULT_OK;
    }
    es_sm3_ctx c;
    es_sm3_init(&c);
    if (prefix) {
        es_sm3_update(&c, prefix, 32);
    }
    ES_GUARD(stream(pkg, e, to_sm3, &c));
    es_sm3_final(&c, out);
    if (!prefix) {
        memcpy(pkg->memo.sm3[i], out, 32);
        pkg->memo.flags[i] |= ES_OFD_MEMO_HAVE;
    }
    return ES_RESULT_OK;
}

void es_ofd_pkg_want_sm3(const struct es_ofd_pkg *pkg, const struct es_ofd_entry *e, bool want)
{
    size_t i = e ? (size_t)(e - pkg->e) : 0, end = e ? i + 1 : pkg->n;
    for (; i < end; i++) {
        uint8_t *f = &pkg->memo.flags[i];
        *f = want ? (uint8_t)(*f | ES_OFD_MEMO_WANT) : (uint8_t)(*f & ~ES_OFD_MEMO_WANT);
    }
}
