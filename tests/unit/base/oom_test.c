/*
 * tests/unit/base/oom_test.c - allocation-failure runs (curl's -t, SQLite's
 * faultsim): count the allocations of an operation, then run it again
 * failing each one in turn. Every run must end cleanly: success or an error,
 * no crash, no leak (LeakSanitizer in the sanitizer build).
 */
#include "testlib.h"

#include <stdlib.h>
#include <time.h>

static es_key *ok, *mk;
static es_cert *oc, *mc;
static uint8_t *seal, *sig;
static size_t seal_len, sig_len;

static int op_verify(void)
{
    es_ctx *ctx = es_ctx_new();
    if (!ctx) {
        return ES_ERR_NOMEM;
    }
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    int rc = es_verify_detached(ctx, &o, sig, sig_len, (const uint8_t *)"data", 4, &r);
    if (rc == ES_OK) {
        char *j = NULL, *t = NULL;
        rc = es_report_to_json(ctx, r, &j);
        if (rc == ES_OK) {
            rc = es_report_to_text(ctx, r, 0, &t);
        }
        es_free(j);
        es_free(t);
        es_report_free(r);
    }
    es_seal *s = NULL;
    if (rc == ES_OK && (rc = es_seal_decode(ctx, seal, seal_len, &s)) == ES_OK) {
        es_seal_free(s);
    }
    char *tree = NULL;
    if (rc == ES_OK && (rc = es_inspect(ctx, sig, sig_len, &tree)) == ES_OK) {
        es_free(tree);
    }
    es_ctx_free(ctx);
    return rc;
}

static int op_sign(void)
{
    uint8_t *out = NULL;
    size_t n;
    int rc = es_sign_data(NULL, seal, seal_len, ok, oc, (const uint8_t *)"data", 4, "d", &out, &n);
    es_free(out);
    return rc;
}

static void test_oom(void **state)
{
    (void)state;
    t_load_identity("maker", &mk, &mc);
    t_load_identity("owner", &ok, &oc);
    int64_t now = (int64_t)time(NULL);
    seal = t_make_seal(mk, mc, oc, now - 10, now + 3600, &seal_len);
    assert_int_equal(es_sign_data(NULL, seal, seal_len, ok, oc, (const uint8_t *)"data", 4, "d",
                                  &sig, &sig_len),
                     ES_OK);
    t_faultsim_begin();
    t_faultsim(op_verify, "verify");
    t_faultsim(op_sign, "sign");
    t_faultsim_end();
    es_free(seal);
    es_free(sig);
    es_key_free(ok);
    es_key_free(mk);
    es_cert_free(oc);
    es_cert_free(mc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_oom)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
