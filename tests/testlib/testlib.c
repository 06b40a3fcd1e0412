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

const char *t_pki(void)
{
    static char dir[512];
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "%s/pki", t_tmpdir());
        if (es_pki_init(NULL, dir, "test", 30) != ES_OK) {
            fail_msg("es_pki_init: %s", es_error_detail());
        }
    }
    return dir;
}

void t_load_identity(const char *who, es_key **k, es_cert **c)
{
    char p[600];
    snprintf(p, sizeof(p), "%s/%s.key", t_pki(), who);
    assert_int_equal(es_key_load(NULL, p, "test", k), ES_OK);
    snprintf(p, sizeof(p), "%s/%s.pem", t_pki(), who);
    assert_int_equal(es_cert_load(NULL, p, NULL, c), ES_OK);
}

uint8_t *t_make_seal(const es_key *mk, const es_cert *mc, const es_cert *owner, int64_t start,
                     int64_t end, size_t *out_len)
{
    /* a valid 2x2 PNG in seal red */
    static const uint8_t png[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00, 0x72, 0xb6, 0x0d, 0x24, 0x00, 0x00, 0x00, 0x11, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x78, 0xc6, 0x20, 0xf4, 0x1f, 0x84, 0x19, 0x60, 0x0c, 0x00, 0x46, 0x14, 0x07, 0xdd, 0xe5, 0xb4, 0xff, 0x47, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    const es_cert *certs[1] = {owner};
    es_seal_params p = {.name = "测试单位合同专用章", .type = 1, .esid = "TEST-0001",
                        .signer_certs = certs, .n_signer_certs = 1, .valid_start = start,
                        .valid_end = end, .picture = png, .picture_len = sizeof(png)};
    uint8_t *der = NULL;
    assert_int_equal(es_seal_make(NULL, &p, mk, mc, &der, out_len), ES_OK);
    return der;
}

/* ---- allocation-failure runs ---- */
static long g_fault_count;
static long g_fault_at = -1;

static void *fault_malloc(size_t n)
{
    if (g_fault_at >= 0 && g_fault_count++ == g_fault_at) {
        return NULL;
    }
    return malloc(n);
}

static void *fault_realloc(void *p, size_t n)
{
    if (g_fault_at >= 0 && g_fault_count++ == g_fault_at) {
        return NULL;
    }
    return realloc(p, n);
}

void t_faultsim_begin(void) { es_set_allocator(fault_malloc, fault_realloc, free); }

void t_faultsim_end(void)
{
    g_fault_at = -1;
    es_set_allocator(NULL, NULL, NULL);
}

void t_faultsim_pause(void) { g_fault_at = -1; }

void t_faultsim(int (*op)(void), const char *name)
{
    g_fault_at = -1;
    g_fault_count = 0;
    assert_int_equal(op(), ES_OK);
    /* count */
    g_fault_at = 1L << 40;
    g_fault_count = 0;
    assert_int_equal(op(), ES_OK);
    long total = g_fault_count;
    assert_true(total > 0);
    for (long i = 0; i < total; i++) {
        g_fault_at = i;
        g_fault_count = 0;
        int rc = op();
        if (rc == ES_OK) {
            continue; /* the failure was absorbed (an optional allocation) */
        }
        if (es_error_category(rc) == ES_CAT_OK) {
            fail_msg("%s: allocation %ld: bad code %d", name, i, rc);
        }
    }
    g_fault_at = -1;
    print_message("%s: %ld allocations failed in turn\n", name, total);
}
