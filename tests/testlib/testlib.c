/* tests/testlib/testlib.c - see testlib.h */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

uint8_t *t_read_file(const char *path, size_t *out_len)
{
    uint8_t *p = NULL;
    es_result r = es_file_read(path, 64u * 1024 * 1024, &p, out_len);
    if (es_is_err(r)) {
        fail_msg("cannot read %s: %s", path, es_error_detail());
    }
    return p;
}

const char *t_testdata(const char *rel)
{
    static char buf[4][1024];
    static int k;
    const char *root = getenv("ES_SHARED_DIR");
    char *b = buf[k++ & 3];
    snprintf(b, sizeof(buf[0]), "%s/testdata/%s", root ? root : ES_SHARED_DIR, rel);
    return access(b, R_OK) == 0 ? b : NULL;
}

size_t t_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        int v;
        if (*p >= '0' && *p <= '9') {
            v = *p - '0';
        } else if (*p >= 'a' && *p <= 'f') {
            v = *p - 'a' + 10;
        } else if (*p >= 'A' && *p <= 'F') {
            v = *p - 'A' + 10;
        } else {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            if (n < cap) {
                out[n] = (uint8_t)(hi << 4 | v);
            }
            n++;
            hi = -1;
        }
    }
    return n;
}

static char g_tmp[256];

static void rm_tmp(void)
{
    if (g_tmp[0]) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_tmp);
        if (system(cmd) != 0) {
            /* best effort */
        }
    }
}

const char *t_tmpdir(void)
{
    if (!g_tmp[0]) {
        snprintf(g_tmp, sizeof(g_tmp), "/tmp/eseal-test-XXXXXX");
        if (!mkdtemp(g_tmp)) {
            fail_msg("mkdtemp failed");
        }
        atexit(rm_tmp);
    }
    return g_tmp;
}
