/*
 * tests/unit/trustlist/partial_test.c - makers and CAs named in a trust list
 * are anchors even when not self-signed (es_trustlist_add_to_trust with
 * es_trust_add_anchor_partial), and the verifier's chain checks use them:
 *   a list naming only the intermediate CA: every chain check PASSED;
 *   a list naming only the maker (and the signer's root CA): the maker chain
 *     PASSED though its intermediate is given nowhere;
 *   intermediate and root both named: PASSED, as before;
 *   the named maker withdrawn before the seal was made: FAILED
 *     MAKER_WITHDRAWN; recognised only later: FAILED NOT_YET_RECOGNISED;
 *   a sibling maker of the same intermediate and root, not named: its chain
 *     is not built through the named maker (INDETERMINATE).
 * PKI: root-ca of t_pki() -> "Intermediate CA" -> makers 1 and 2 and an
 * owner; t_pki()'s own owner is issued by root-ca directly.
 */
#include "testlib.h"

#include <jansson.h>
#include <time.h>

#include "crypto/crypto.h"
#include "sdoc/sdoc_int.h"
#include "tl_common.h"

static es_key *k_root, *k_int, *k_m1, *k_m2, *k_own_i, *k_own_r;
static es_cert *c_root, *c_int, *c_m1, *c_m2, *c_own_i, *c_own_r;
static int64_t g_now;

static const uint8_t k_data[] = "a contract between regions";

static es_cert *issue(const char *subject, bool ca, const es_key *k, const es_key *ik,
                      const es_cert *ic)
{
    struct es_cert_spec sp = {.subject = subject, .not_before = g_now - 86400,
                              .not_after = g_now + 20 * 86400, .ca = ca, .signing = !ca};
    es_cert *c = NULL;
    assert_true(es_is_ok(es_cert_build(&sp, k, ik, ic, &c)));
    return c;
}

/* One list entry: kind, certificate, recognised from, withdrawn at (0: never). */
struct entry {
    const char *kind;
    const es_cert *cert;
    int64_t from;
    int64_t withdrawn;
};

/* A current list of these entries, signed by root-ca and verified. */
static es_trustlist *make_list(const struct entry *e, size_t n)
{
    json_t *entries = json_array();
    for (size_t i = 0; i < n; i++) {
        char *b64 = NULL, name[32];
        es_bytes d = es_cert_der(e[i].cert);
        assert_true(es_is_ok(es_b64_encode(d.ptr, d.len, &b64)));
        json_t *h = json_pack("[{s:s,s:I}]", "status", "recognised", "from",
                              (json_int_t)e[i].from);
        if (e[i].withdrawn) {
            json_array_append_new(h, json_pack("{s:s,s:I}", "status", "withdrawn", "from",
                                               (json_int_t)e[i].withdrawn));
        }
        snprintf(name, sizeof(name), "Entry %zu", i);
        json_array_append_new(entries, json_pack("{s:s,s:s,s:s,s:o}", "kind", e[i].kind, "name",
                                                 name, "cert", b64, "history", h));
        es_free(b64);
    }
    json_t *c = json_pack("{s:s,s:i,s:I,s:I,s:o}", "region", "CN-31", "seq", 1, "issued",
                          (json_int_t)(g_now - 20000), "next_update",
                          (json_int_t)(g_now + 86400), "entries", entries);
    return tl_sign_verified(c, k_root, c_root);
}

/* A detached signature by (ok, oc) with a seal made by (mk, mc) for oc. */
static uint8_t *sign_with(const es_key *mk, const es_cert *mc, const es_key *ok,
                          const es_cert *oc, size_t *out_len)
{
    size_t seal_len;
    uint8_t *seal = t_make_seal(mk, mc, oc, g_now - 3600, g_now + 86400, &seal_len);
    uint8_t h[32];
    es_sm3(k_data, sizeof(k_data), h);
    es_sign_params p = {.seal = seal, .seal_len = seal_len, .key = ok, .cert = oc,
                        .data_hash = h, .property_info = "contract.txt", .time = g_now + 60};
    uint8_t *der = NULL;
    assert_int_equal(es_sign(NULL, &p, &der, out_len), ES_OK);
    es_free(seal);
    return der;
}

/* Verifies sig with the list as the only trust material (as `eseal verify
 * --trust-list` does) and checks the verdict and three checks. */
static void expect(const uint8_t *sig, size_t n, const es_trustlist *tl, es_verdict verdict,
                   const char *maker_chain, const char *signer_chain, const char *trust_list)
{
    es_trust *trust = NULL;
    assert_int_equal(es_trust_new(NULL, &trust), ES_OK);
    assert_int_equal(es_trustlist_add_to_trust(NULL, tl, trust), ES_OK);
    es_verify_opts o = {.trust = trust, .trust_list = tl};
    es_report *r = NULL;
    assert_int_equal(es_verify_detached(NULL, &o, sig, n, k_data, sizeof(k_data), &r), ES_OK);
    const char *want[3][2] = {{"seal_maker_chain", maker_chain},
                              {"signer_chain", signer_chain},
                              {"trust_list", trust_list}};
    for (size_t w = 0; w < 3; w++) {
        bool seen = false;
        for (size_t j = 0; j < es_report_check_count(r, 0); j++) {
            const char *id, *reason, *detail;
            es_check_result cr;
            assert_int_equal(es_report_check(r, 0, j, &id, &cr, &reason, &detail), ES_OK);
            if (strcmp(id, want[w][0]) != 0) {
                continue;
            }
            char got[96];
            snprintf(got, sizeof(got), "%s%s%s", es_check_result_name(cr), reason[0] ? "/" : "",
                     reason);
            if (strcmp(got, want[w][1]) != 0) {
                fail_msg("%s: %s (%s), wanted %s", id, got, detail, want[w][1]);
            }
            seen = true;
        }
        if (!seen) {
            fail_msg("no %s check", want[w][0]);
        }
    }
    assert_int_equal(es_report_verdict(r), verdict);
    es_report_free(r);
    es_trust_free(trust);
}

static void test_intermediate_only(void **state)
{
    (void)state;
    size_t n;
    uint8_t *sig = sign_with(k_m1, c_m1, k_own_i, c_own_i, &n);
    struct entry e[] = {{"ca", c_int, g_now - 10000, 0}};
    es_trustlist *tl = make_list(e, 1);
    expect(sig, n, tl, ES_VERDICT_TOTAL_PASSED, "PASSED", "PASSED", "PASSED");
    es_trustlist_free(tl);
    /* recognised only after the seal was made: the chain is built, the
     * list's time rule still fails it */
    e[0].from = g_now + 30;
    tl = make_list(e, 1);
    expect(sig, n, tl, ES_VERDICT_TOTAL_FAILED, "PASSED", "PASSED",
           "FAILED/NOT_YET_RECOGNISED");
    es_trustlist_free(tl);
    /* intermediate and root both named: as before */
    struct entry both[] = {{"ca", c_int, g_now - 10000, 0}, {"ca", c_root, g_now - 10000, 0}};
    tl = make_list(both, 2);
    expect(sig, n, tl, ES_VERDICT_TOTAL_PASSED, "PASSED", "PASSED", "PASSED");
    es_trustlist_free(tl);
    es_free(sig);
}

static void test_maker_only(void **state)
{
    (void)state;
    size_t n;
    /* the maker under the intermediate, which no one gives; the signer
     * under root-ca, named as a CA */
    uint8_t *sig = sign_with(k_m1, c_m1, k_own_r, c_own_r, &n);
    struct entry e[] = {{"maker", c_m1, g_now - 10000, 0}, {"ca", c_root, g_now - 10000, 0}};
    es_trustlist *tl = make_list(e, 2);
    expect(sig, n, tl, ES_VERDICT_TOTAL_PASSED, "PASSED", "PASSED", "PASSED");
    es_trustlist_free(tl);
    /* withdrawn before the seal was made: FAILED as before */
    e[0].withdrawn = g_now - 5000;
    tl = make_list(e, 2);
    expect(sig, n, tl, ES_VERDICT_TOTAL_FAILED, "PASSED", "PASSED", "FAILED/MAKER_WITHDRAWN");
    es_trustlist_free(tl);
    es_free(sig);
}

static void test_sibling_not_trusted(void **state)
{
    (void)state;
    size_t n;
    /* maker 2 shares maker 1's intermediate and root; only maker 1 is named */
    uint8_t *sig = sign_with(k_m2, c_m2, k_own_r, c_own_r, &n);
    struct entry e[] = {{"maker", c_m1, g_now - 10000, 0}, {"ca", c_root, g_now - 10000, 0}};
    es_trustlist *tl = make_list(e, 2);
    expect(sig, n, tl, ES_VERDICT_INDETERMINATE, "INDETERMINATE/CHAIN_NOT_BUILT", "PASSED",
           "INDETERMINATE/NOT_IN_TRUST_LIST");
    es_trustlist_free(tl);
    es_free(sig);
}

int main(void)
{
    g_now = (int64_t)time(NULL);
    t_load_identity("root-ca", &k_root, &c_root);
    t_load_identity("owner", &k_own_r, &c_own_r);
    es_key **ks[] = {&k_int, &k_m1, &k_m2, &k_own_i};
    for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
        assert_int_equal(es_key_generate(NULL, ks[i]), ES_OK);
    }
    c_int = issue("/C=CN/O=Test/CN=Intermediate CA", true, k_int, k_root, c_root);
    c_m1 = issue("/C=CN/O=Test/CN=Maker 1", false, k_m1, k_int, c_int);
    c_m2 = issue("/C=CN/O=Test/CN=Maker 2", false, k_m2, k_int, c_int);
    c_own_i = issue("/C=CN/O=Test/CN=Owner under the intermediate", false, k_own_i, k_int, c_int);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intermediate_only),
        cmocka_unit_test(test_maker_only),
        cmocka_unit_test(test_sibling_not_trusted),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    es_key *kf[] = {k_root, k_int, k_m1, k_m2, k_own_i, k_own_r};
    es_cert *cf[] = {c_root, c_int, c_m1, c_m2, c_own_i, c_own_r};
    for (size_t i = 0; i < 6; i++) {
        es_key_free(kf[i]);
        es_cert_free(cf[i]);
    }
    return rc;
}
