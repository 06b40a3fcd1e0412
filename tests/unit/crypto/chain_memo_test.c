/*
 * tests/unit/crypto/chain_memo_test.c - the trust set remembers chains it
 * verified (lib/crypto/ossl_x509.c, "Memo"):
 *   the same leaf at a time inside the chain's validity is answered from the
 *   memo, with the same answer;
 *   a time outside the window, another leaf, other intermediates, and any
 *   failed chain are computed afresh, never served from the memo;
 *   adding a certificate to the trust set forgets every memo.
 */
#include "testlib.h"

#include <time.h>

#include "crypto/ossl_int.h"

static es_key *k_root, *k_int, *k_a, *k_b;
static es_cert *c_root, *c_int, *c_a, *c_b;
static int64_t g_now;

static es_cert *issue(const char *subject, bool ca, int64_t days, const es_key *k,
                      const es_key *ik, const es_cert *ic)
{
    struct es_cert_spec sp = {.subject = subject, .not_before = g_now - 3600,
                              .not_after = g_now + days * 86400, .ca = ca, .signing = !ca};
    es_cert *c = NULL;
    assert_true(es_is_ok(es_cert_build(&sp, k, ik, ic, &c)));
    return c;
}

static int setup(void **state)
{
    (void)state;
    g_now = (int64_t)time(NULL);
    assert_int_equal(es_key_generate(NULL, &k_root), ES_OK);
    assert_int_equal(es_key_generate(NULL, &k_int), ES_OK);
    assert_int_equal(es_key_generate(NULL, &k_a), ES_OK);
    assert_int_equal(es_key_generate(NULL, &k_b), ES_OK);
    c_root = issue("/CN=memo root", true, 3650, k_root, k_root, NULL);
    c_int = issue("/CN=memo CA", true, 365, k_int, k_root, c_root);
    c_a = issue("/CN=memo signer A", false, 30, k_a, k_int, c_int);
    c_b = issue("/CN=memo signer B", false, 30, k_b, k_int, c_int);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    es_cert *cs[] = {c_root, c_int, c_a, c_b};
    es_key *ks[] = {k_root, k_int, k_a, k_b};
    for (int i = 0; i < 4; i++) {
        es_cert_free(cs[i]);
        es_key_free(ks[i]);
    }
    return 0;
}

static void chain(const es_trust *t, const es_cert *leaf, const es_cert *extra, int64_t at,
                  struct es_chain_result *cr)
{
    const es_cert *ex[] = {extra};
    assert_true(es_is_ok(es_chain_verify(t, leaf, ex, extra ? 1 : 0, at, cr)));
}

static void test_same_chain_is_remembered(void **state)
{
    (void)state;
    es_trust *t = NULL;
    assert_int_equal(es_trust_new(NULL, &t), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, t, c_root), ES_OK);
    struct es_chain_result first, again;
    chain(t, c_a, c_int, g_now, &first);
    assert_true(first.built && first.time_ok);
    assert_int_equal(t->memo_hits, 0);
    chain(t, c_a, c_int, g_now + 86400, &again); /* inside every validity */
    assert_int_equal(t->memo_hits, 1);
    assert_true(again.built && again.time_ok);
    assert_string_equal(again.anchor, first.anchor);
    assert_string_equal(again.detail, first.detail);

    /* after the signer's certificate expired: computed, and refused */
    chain(t, c_a, c_int, g_now + 40 * 86400, &again);
    assert_int_equal(t->memo_hits, 1);
    assert_false(again.time_ok);
    /* another leaf, and the same leaf without its intermediate */
    chain(t, c_b, c_int, g_now, &again);
    assert_int_equal(t->memo_hits, 1);
    assert_true(again.built);
    chain(t, c_a, NULL, g_now, &again);
    assert_int_equal(t->memo_hits, 1);
    assert_false(again.built);
    /* a failed chain is not remembered either */
    chain(t, c_a, NULL, g_now, &again);
    assert_int_equal(t->memo_hits, 1);
    assert_false(again.built);
    es_trust_free(t);
}

static void test_adding_a_certificate_forgets(void **state)
{
    (void)state;
    es_trust *t = NULL;
    assert_int_equal(es_trust_new(NULL, &t), ES_OK);
    assert_int_equal(es_trust_add_cert(NULL, t, c_root), ES_OK);
    struct es_chain_result cr;
    chain(t, c_a, c_int, g_now, &cr);
    chain(t, c_a, c_int, g_now, &cr);
    assert_int_equal(t->memo_hits, 1);
    assert_int_equal(es_trust_add_cert(NULL, t, c_int), ES_OK);
    chain(t, c_a, c_int, g_now, &cr);
    assert_int_equal(t->memo_hits, 1);
    assert_true(cr.built);
    chain(t, c_a, c_int, g_now, &cr);
    assert_int_equal(t->memo_hits, 2);
    es_trust_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_chain_is_remembered),
        cmocka_unit_test(test_adding_a_certificate_forgets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
