/*
 * tests/unit/image/image_oom_test.c - allocation failures (curl's -t,
 * SQLite's faultsim): each drawing and each check is run once to count the
 * library's allocations, then again failing each one in turn. Every run must
 * end in ES_ERR_NOMEM with no output and nothing left allocated.
 */
#include <stdio.h>
#include <stdlib.h>

#include "image/image_int.h"
#include "testlib.h"

static long g_count;
static long g_fail_at = -1;
static long g_live;

static void *t_malloc(size_t n)
{
    if (g_count++ == g_fail_at) {
        return NULL;
    }
    void *p = malloc(n);
    if (p) {
        g_live++;
    }
    return p;
}

static void *t_realloc(void *p, size_t n)
{
    if (g_count++ == g_fail_at) {
        return NULL;
    }
    void *q = realloc(p, n);
    if (q && !p) {
        g_live++;
    }
    return q;
}

static void t_free(void *p)
{
    if (p) {
        g_live--;
    }
    free(p);
}

typedef int (*job_fn)(es_ctx *ctx, const void *arg);

/* Runs job with the i-th allocation failing for every i; returns how many
 * allocations a clean run makes. */
static long fault_all(job_fn job, const void *arg)
{
    es_ctx *ctx = es_ctx_new(); /* allocated before the hooks */
    es_set_allocator(t_malloc, t_realloc, t_free);
    g_count = 0;
    g_fail_at = -1;
    g_live = 0;
    assert_int_equal(job(ctx, arg), ES_OK);
    long n = g_count;
    assert_int_equal(g_live, 0);
    for (long i = 0; i < n; i++) {
        g_count = 0;
        g_fail_at = i;
        g_live = 0;
        int rc = job(ctx, arg);
        if (rc != ES_ERR_NOMEM) {
            es_set_allocator(NULL, NULL, NULL);
            fail_msg("allocation %ld of %ld failing: rc %d (%s)", i, n, rc, es_ctx_errmsg(ctx));
        }
        if (g_live != 0) {
            es_set_allocator(NULL, NULL, NULL);
            fail_msg("allocation %ld of %ld failing: %ld blocks leaked", i, n, g_live);
        }
    }
    es_set_allocator(NULL, NULL, NULL);
    g_fail_at = -1;
    es_ctx_free(ctx);
    return n;
}

struct render_arg {
    es_seal_image_spec spec;
    es_image_format fmt;
};

static int render_job(es_ctx *ctx, const void *arg)
{
    const struct render_arg *a = arg;
    uint8_t *out = (uint8_t *)1;
    size_t len = 1;
    int rc = es_seal_image_render(ctx, &a->spec, a->fmt, &out, &len);
    if (rc != ES_OK) {
        assert_null(out);
        assert_int_equal(len, 0);
    }
    es_free(out);
    return rc;
}

static void test_render_oom(void **state)
{
    (void)state;
    struct render_arg args[] = {
        {{.shape = ES_SEAL_SHAPE_ROUND, .name = "北京示例科技有限公司", .kind = "合同专用章",
          .code = "1101080123456", .dpi = 72},
         ES_IMAGE_PNG},
        {{.shape = ES_SEAL_SHAPE_OVAL, .name = "上海示例贸易有限公司", .kind = "发票专用章",
          .code = "91310000MA1FL0X12Q", .dpi = 72},
         ES_IMAGE_SVG},
        {{.shape = ES_SEAL_SHAPE_SQUARE, .name = "王小明印", .dpi = 72}, ES_IMAGE_PNG},
    };
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        assert_true(fault_all(render_job, &args[i]) > 3);
    }
}

struct bytes_arg {
    const uint8_t *p;
    size_t n;
};

static int check_job(es_ctx *ctx, const void *arg)
{
    const struct bytes_arg *a = arg;
    return es_image_check(ctx, a->p, a->n, NULL, NULL, NULL);
}

static void test_check_oom(void **state)
{
    (void)state;
    es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_SQUARE, .name = "王印", .dpi = 72};
    uint8_t *png = NULL;
    size_t png_len = 0;
    assert_int_equal(es_seal_image_render(NULL, &s, ES_IMAGE_PNG, &png, &png_len), ES_OK);
    static const uint8_t gif[] = {
        'G',  'I',  'F',  '8',  '9',  'a',  0x02, 0x00, 0x02, 0x00, 0x80, 0x00, 0x00,
        0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
        0x02, 0x00, 0x00, 0x02, 0x03, 0x44, 0x02, 0x05, 0x00, 0x3B};
    struct bytes_arg args[] = {{png, png_len}, {gif, sizeof(gif)}};
    for (size_t i = 0; i < 2; i++) {
        assert_true(fault_all(check_job, &args[i]) >= 1);
    }
    es_free(png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_oom),
        cmocka_unit_test(test_check_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
