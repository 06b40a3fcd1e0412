/*
 * lib/doc/ofd/ofd_path.c - ZIP entry names and OFD ST_Loc paths.
 *
 * ZIP libraries return names unchanged, including "../../etc/x", "/abs",
 * "a\b" and "C:x" (dependencies.md §3), so names are validated here before
 * anything else looks at them. Legacy names without the UTF-8 flag are
 * GBK/GB18030 in Chinese producers' packages; they are converted with iconv.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>

#include "doc/ofd/ofd_int.h"

bool es_ofd_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (n - i <= k) {
            return false;
        }
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (p[i + j] & 0x3fu);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += k + 1;
    }
    return true;
}

static es_result gb18030_to_utf8(const char *raw, size_t len, char **out)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    ES_ENSURE_MSG(cd != (iconv_t)-1, ES_ERR_INTERNAL, "iconv GB18030 is not available");
    size_t cap = len * 4 + 1;
    char *buf = es_malloc(cap);
    if (!buf) {
        iconv_close(cd);
        ES_BAIL(ES_ERR_NOMEM);
    }
    char *in = (char *)(uintptr_t)raw;
    char *o = buf;
    size_t il = len, ol = cap - 1;
    size_t r = iconv(cd, &in, &il, &o, &ol);
    iconv_close(cd);
    if (r == (size_t)-1 || il != 0) {
        es_free(buf);
        *out = NULL;
        return ES_RESULT_OK;
    }
    *o = '\0';
    *out = buf;
    return ES_RESULT_OK;
}

es_result es_ofd_name_check(const char *raw, size_t max_len, char **out_utf8,
                            bool *out_converted)
{
    *out_utf8 = NULL;
    *out_converted = false;
    size_t len = strlen(raw);
    ES_ENSURE_MSG(len > 0, ES_ERR_FORMAT, "a ZIP entry has an empty name");
    ES_ENSURE_MSG(len <= max_len, ES_ERR_LIMIT_SIZE,
                  "ZIP entry name of %zu bytes exceeds the limit of %zu bytes", len, max_len);
    char *name = NULL;
    if (es_ofd_utf8_valid((const uint8_t *)raw, len)) {
        name = es_strdup(raw);
        ES_ENSURE(name, ES_ERR_NOMEM);
    } else {
        ES_GUARD(gb18030_to_utf8(raw, len, &name));
        ES_ENSURE_MSG(name, ES_ERR_FORMAT,
                      "ZIP entry name '%.80s' is neither UTF-8 nor GB18030", raw);
        *out_converted = true;
    }
    const char *why = NULL;
    if (name[0] == '/') {
        why = "is an absolute path";
    } else if (strchr(name, '\\')) {
        why = "contains a backslash";
    } else if (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') && name[1] == ':') {
        why = "starts with a drive letter";
    }
    for (const unsigned char *p = (const unsigned char *)name; !why && *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            why = "contains a control character";
        }
    }
    /* segments: no "", ".", ".." (a trailing '/' marks a directory entry) */
    const char *s = name;
    while (!why && *s) {
        const char *e = strchr(s, '/');
        size_t sl = e ? (size_t)(e - s) : strlen(s);
        if (sl == 0) {
            why = "has an empty path segment";
        } else if ((sl == 1 && s[0] == '.') || (sl == 2 && s[0] == '.' && s[1] == '.')) {
            why = "has a '.' or '..' segment";
        }
        if (!e) {
            break;
        }
        s = e + 1;
    }
    if (why) {
        es_result r = es_error_set(ES_ERR_FORMAT, __FILE__, __LINE__,
                                   "ZIP entry name '%.200s' %s: refused", name, why);
        es_free(name);
        return r;
    }
    *out_utf8 = name;
    return ES_RESULT_OK;
}

es_result es_ofd_path_resolve(const char *base_dir, const char *loc, char *out, size_t cap)
{
    ES_ENSURE_MSG(loc && loc[0], ES_ERR_FORMAT, "empty path");
    ES_ENSURE(cap >= 2, ES_ERR_USAGE_ARG);
    size_t o = 0;
    out[0] = '\0';
    const char *parts[2] = {loc[0] == '/' ? "" : base_dir, loc};
    /* segment stack in `out`: names joined by '/' */
    for (int pi = 0; pi < 2; pi++) {
        const char *s = parts[pi] ? parts[pi] : "";
        while (*s) {
            const char *e = strchr(s, '/');
            size_t sl = e ? (size_t)(e - s) : strlen(s);
            if (sl == 0 || (sl == 1 && s[0] == '.')) {
                /* O-6: "//Doc_0/..." and "./x" */
            } else if (sl == 2 && s[0] == '.' && s[1] == '.') {
                ES_ENSURE_MSG(o > 0, ES_ERR_FORMAT, "path '%.200s' climbs above the package root",
                              loc);
                while (o > 0 && out[o - 1] != '/') {
                    o--;
                }
                if (o > 0) {
                    o--; /* the separator */
                }
                out[o] = '\0';
            } else {
                ES_ENSURE_MSG(o + sl + 2 <= cap, ES_ERR_LIMIT_SIZE, "path '%.200s' is too long",
                              loc);
                if (o > 0) {
                    out[o++] = '/';
                }
                memcpy(out + o, s, sl);
                o += sl;
                out[o] = '\0';
            }
            if (!e) {
                break;
            }
            s = e + 1;
        }
    }
    ES_ENSURE_MSG(o > 0, ES_ERR_FORMAT, "path '%.200s' names the package root", loc);
    return ES_RESULT_OK;
}

void es_ofd_dirname(const char *name, char *out, size_t cap)
{
    const char *slash = strrchr(name, '/');
    size_t n = slash ? (size_t)(slash - name) : 0;
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(out, name, n);
    out[n] = '\0';
}
