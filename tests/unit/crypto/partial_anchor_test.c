/*
 * tests/unit/crypto/partial_anchor_test.c - explicit anchors that are not
 * self-signed (es_trust_add_anchor_partial):
 *   an intermediate CA given as an anchor ends the chains of what it issued,
 *   given as an ordinary certificate it is only an intermediate;
 *   a maker (end-entity) certificate given as an anchor verifies alone, and
 *   trusts neither its sibling nor its issuer;
 *   a sibling intermediate of the same root is not trusted through it;
 *   anchor and root together still build;
 *   validity is still judged at the time given;
 *   the same from a file (es_trust_add_path_partial) but not es_trust_add_path;
 *   chains signed with the empty SM2 ID still verify (and say so), both
 *   through an explicit anchor and through a root.
 */
#include "testlib.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <time.h>

#include "crypto/ossl_int.h"

static es_key *k_root, *k_int, *k_int2, *k_m1, *k_m2, *k_m3;
static es_cert *c_root, *c_int, *c_int2, *c_m1, *c_m2, *c_m3;
static int64_t g_now;

static es_cert *issue(const char *subject, bool ca, const es_key *k, const es_key *ik,
                      const es_cert *ic)
{
    struct es_cert_spec sp = {.subject = subject, .not_before = g_now - 3600,
                              .not_after = g_now + 20 * 86400, .ca = ca, .signing = !ca};
    es_cert *c = NULL;
    assert_true(es_is_ok(es_cert_build(&sp, k, ik, ic, &c)));
    return c;
}

/* The certificate re-signed by `ik` with OpenSSL's empty SM2 ID (as some
 * CAs built on OpenSSL 3.0 do). */
static es_cert *resign_empty_id(const es_cert *c, const es_key *ik)
{
    X509 *x = X509_dup(c->x);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    assert_non_null(x);
    assert_non_null(m);
    assert_int_equal(EVP_DigestSignInit_ex(m, NULL, "SM3", NULL, NULL, ik->pub.ossl, NULL), 1);
    assert_true(X509_sign_ctx(x, m) > 0);
    es_cert *out = NULL;
    assert_true(es_is_ok(es_ossl_cert_wrap(x, &out)));
    EVP_MD_CTX_free(m);
    X509_free(x);
    return out;
}

static void chain(const es_trust *t, const es_cert *c, const es_cert *extra, int64_t at,
                  struct es_chain_result *cr)
{
    const es_cert *ex[] = {extra};
    assert_true(es_is_ok(es_chain_verify(t, c, ex, extra ? 1 : 0, at, cr)));
}

/* A trust set of one certificate, added as an explicit anchor or not. */
static es_trust *trust_of(const es_cert *c, bool anchor)
{
    es_trust *t = NULL;
    assert_int_equal(es_trust_new(NULL, &t), ES_OK);
    int rc = anchor ? es_trust_add_anchor_partial(NULL, t, c) : es_trust_add_cert(NULL, t, c);
    assert_int_equal(rc, ES_OK);
    return t;
}

static void test_intermediate_as_anchor(void **state)
{
    (void)state;
    struct es_chain_result cr;
    es_trust *t;
    /* an ordinary trust set: the intermediate is only an intermediate */
    t = trust_of(c_int, false);
    chain(t, c_m1, NULL, g_now, &cr);
    assert_false(cr.built);
    es_trust_free(t);
    /* named as an anchor: it ends the chains of what it issued */
    t = trust_of(c_int, true);
    assert_int_equal(es_trust_count(t), 1);
    chain(t, c_m1, NULL, g_now, &cr);
    assert_true(cr.built && cr.time_ok);
    assert_true(cr.partial_anchor);
    assert_false(cr.sig_empty_id);
    assert_non_null(strstr(cr.anchor, "Intermediate CA 1"));
    assert_non_null(strstr(cr.detail, "chain of 2 certificate(s)"));
    assert_non_null(strstr(cr.detail, "not self-signed"));
    chain(t, c_m2, NULL, g_now, &cr);
    assert_true(cr.built && cr.time_ok);
    /* validity is judged at the time given, the anchor's included */
    chain(t, c_m1, NULL, g_now + 40 * 86400, &cr);
    assert_true(cr.built);
    assert_false(cr.time_ok);
    /* nor is the other intermediate of the same root */
    chain(t, c_int2, NULL, g_now, &cr);
    assert_false(cr.built);
    /* a sibling intermediate of the same root is not trusted through it,
     * even when the sibling is supplied as an intermediate */
    chain(t, c_m3, c_int2, g_now, &cr);
    assert_false(cr.built);
    /* with the root as well: still built */
    assert_int_equal(es_trust_add_cert(NULL, t, c_root), ES_OK);
    chain(t, c_m1, NULL, g_now, &cr);
    assert_true(cr.built && cr.time_ok);
    chain(t, c_m3, c_int2, g_now, &cr);
    assert_true(cr.built && cr.time_ok); /* now through the root */
    assert_false(cr.partial_anchor);
    es_trust_free(t);
}

static void test_maker_as_anchor(void **state)
{
    (void)state;
    struct es_chain_result cr;
    es_trust *t;
    t = trust_of(c_m1, false);
    chain(t, c_m1, NULL, g_now, &cr);
    assert_false(cr.built); /* present, but not an anchor */
    es_trust_free(t);
    t = trust_of(c_m1, true);
    chain(t, c_m1, NULL, g_now, &cr);
    assert_true(cr.built && cr.time_ok && cr.partial_anchor);
    assert_non_null(strstr(cr.detail, "chain of 1 certificate(s)"));
    /* the sibling from the same intermediate, and the intermediate itself */
    chain(t, c_m2, c_int, g_now, &cr);
    assert_false(cr.built);
    chain(t, c_int, NULL, g_now, &cr);
    assert_false(cr.built);
    /* the sibling cannot pose as the anchor's issuer's child through it */
    chain(t, c_m2, c_m1, g_now, &cr);
    assert_false(cr.built);
    es_trust_free(t);
    assert_int_equal(es_trust_add_anchor_partial(NULL, NULL, c_m1), ES_ERR_USAGE_NULL);
}

/* From a file, as `eseal verify --trust-anchor` and `--trust` read it. */
static void test_path(void **state)
{
    (void)state;
    char path[600], *pem = NULL;
    snprintf(path, sizeof(path), "%s/intermediate.pem", t_tmpdir());
    assert_int_equal(es_cert_to_pem(NULL, c_int, &pem), ES_OK);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(pem, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    es_free(pem);
    struct es_chain_result cr;
    es_trust *t;
    assert_int_equal(es_trust_new(NULL, &t), ES_OK);
    assert_int_equal(es_trust_add_path(NULL, t, path), ES_OK);
    chain(t, c_m1, NULL, g_now, &cr);
    assert_false(cr.built);
    assert_int_equal(es_trust_add_path_partial(NULL, t, path), ES_OK);
    assert_int_equal(es_trust_count(t), 2);
    chain(t, c_m1, NULL, g_now, &cr);
    assert_true(cr.built && cr.time_ok && cr.partial_anchor);
    assert_int_equal(es_trust_add_path_partial(NULL, t, "/nonexistent/x.pem"), ES_ERR_IO_OPEN);
    es_trust_free(t);
}

static void test_empty_sm2_id(void **state)
{
    (void)state;
    es_cert *int_e = resign_empty_id(c_int, k_root);
    es_cert *m_e = resign_empty_id(c_m1, k_int);
    struct es_chain_result cr;
    es_trust *t;
    /* explicit anchor, leaf signed with the empty ID */
    t = trust_of(c_int, true);
    chain(t, m_e, NULL, g_now, &cr);
    assert_true(cr.built && cr.time_ok && cr.partial_anchor);
    assert_true(cr.sig_empty_id);
    /* the default-ID leaf under the same anchor needs no fallback */
    chain(t, c_m1, NULL, g_now, &cr);
    assert_true(cr.built && !cr.sig_empty_id);
    es_trust_free(t);
    /* an explicit anchor that was itself signed with the empty ID: its own
     * signature is not what makes it trusted */
    t = trust_of(int_e, true);
    chain(t, c_m1, NULL, g_now, &cr);
    assert_true(cr.built && cr.time_ok && !cr.sig_empty_id);
    es_trust_free(t);
    /* through the root, with the empty-ID intermediate as an intermediate,
     * while an unrelated explicit anchor turns partial chains on */
    t = trust_of(c_root, false);
    assert_int_equal(es_trust_add_anchor_partial(NULL, t, c_m2), ES_OK);
    chain(t, m_e, int_e, g_now, &cr);
    assert_true(cr.built && cr.time_ok && !cr.partial_anchor);
    assert_true(cr.sig_empty_id);
    es_trust_free(t);
    es_cert_free(int_e);
    es_cert_free(m_e);
}

int main(void)
{
    g_now = (int64_t)time(NULL);
    t_load_identity("root-ca", &k_root, &c_root);
    es_key **ks[] = {&k_int, &k_int2, &k_m1, &k_m2, &k_m3};
    for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
        assert_int_equal(es_key_generate(NULL, ks[i]), ES_OK);
    }
    c_int = issue("/C=CN/O=Test/CN=Intermediate CA 1", true, k_int, k_root, c_root);
    c_int2 = issue("/C=CN/O=Test/CN=Intermediate CA 2", true, k_int2, k_root, c_root);
    c_m1 = issue("/C=CN/O=Test/CN=Maker 1", false, k_m1, k_int, c_int);
    c_m2 = issue("/C=CN/O=Test/CN=Maker 2", false, k_m2, k_int, c_int);
    c_m3 = issue("/C=CN/O=Test/CN=Maker 3", false, k_m3, k_int2, c_int2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intermediate_as_anchor),
        cmocka_unit_test(test_maker_as_anchor),
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_empty_sm2_id),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    es_key *kf[] = {k_root, k_int, k_int2, k_m1, k_m2, k_m3};
    es_cert *cf[] = {c_root, c_int, c_int2, c_m1, c_m2, c_m3};
    for (size_t i = 0; i < 6; i++) {
        es_key_free(kf[i]);
        es_cert_free(cf[i]);
    }
    return rc;
}
