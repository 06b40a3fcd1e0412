/*
 * tests/unit/crypto/cert_cache_test.c - the per-thread cache of parsed
 * certificates (lib/crypto/ossl_key.c):
 *   the same DER parsed twice shares one parsed X509 (no second decode);
 *   each caller owns its es_cert: freeing one leaves the other and the
 *   cache intact;
 *   other DER, or the same DER with a trailing byte, is not served from it;
 *   es_cert_cache_clear empties it.
 */
#include "testlib.h"

#include <time.h>

#include "crypto/ossl_int.h"

static void test_same_der_shares_the_parse(void **state)
{
    (void)state;
    int64_t now = (int64_t)time(NULL);
    es_key *k1 = NULL, *k2 = NULL;
    es_cert *c1 = NULL, *c2 = NULL;
    assert_int_equal(es_key_generate(NULL, &k1), ES_OK);
    assert_int_equal(es_key_generate(NULL, &k2), ES_OK);
    struct es_cert_spec sp = {.subject = "/CN=cache one", .not_before = now - 60,
                              .not_after = now + 86400, .ca = true};
    assert_true(es_is_ok(es_cert_build(&sp, k1, k1, NULL, &c1)));
    sp.subject = "/CN=cache two";
    assert_true(es_is_ok(es_cert_build(&sp, k2, k2, NULL, &c2)));
    es_cert_cache_clear();

    es_cert *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(es_cert_from_der(NULL, c1->der, c1->der_len, &a), ES_OK);
    assert_int_equal(es_cert_from_der(NULL, c1->der, c1->der_len, &b), ES_OK);
    assert_ptr_equal(a->x, b->x); /* served from the cache */
    assert_ptr_not_equal(a, b);
    assert_string_equal(es_cert_subject(a), es_cert_subject(b));
    es_cert_free(a); /* b and the cache keep theirs */
    assert_string_equal(es_cert_subject(b), "CN=cache one");
    assert_memory_equal(b->pub.xy, k1->pub.xy, 64);

    assert_int_equal(es_cert_from_der(NULL, c2->der, c2->der_len, &c), ES_OK);
    assert_ptr_not_equal(c->x, b->x);
    assert_string_equal(es_cert_subject(c), "CN=cache two");

    /* one byte more is refused, not served */
    uint8_t *longer = es_malloc(c1->der_len + 1);
    memcpy(longer, c1->der, c1->der_len);
    longer[c1->der_len] = 0;
    es_cert *d = NULL;
    assert_int_not_equal(es_cert_from_der(NULL, longer, c1->der_len + 1, &d), ES_OK);
    assert_null(d);
    es_free(longer);

    es_cert_cache_clear();
    es_cert *e = NULL;
    assert_int_equal(es_cert_from_der(NULL, c1->der, c1->der_len, &e), ES_OK);
    assert_ptr_not_equal(e->x, b->x); /* parsed afresh */
    es_cert_free(b);
    es_cert_free(c);
    es_cert_free(e);
    es_cert_free(c1);
    es_cert_free(c2);
    es_key_free(k1);
    es_key_free(k2);
    es_cert_cache_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_der_shares_the_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
