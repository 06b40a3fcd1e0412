/*
 * tests/unit/trustlist/tl_common.h - shared by the trust-list tests: signs
 * list content and reads it back as a verified list.
 */
#ifndef ES_TEST_TL_COMMON_H
#define ES_TEST_TL_COMMON_H

#include <jansson.h>

/* The list content `c` (reference stolen) signed by (k, cert) and verified
 * with cert as the reader's signer. */
static inline es_trustlist *tl_sign_verified(json_t *c, const es_key *k, const es_cert *cert)
{
    char *t = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    char *doc = NULL;
    size_t n;
    assert_int_equal(es_trustlist_sign(NULL, t, strlen(t), k, cert, NULL, NULL, 0, &doc, &n),
                     ES_OK);
    const es_cert *signers[] = {cert};
    es_trustlist *tl = NULL;
    assert_int_equal(es_trustlist_verify(NULL, (const uint8_t *)doc, n, signers, 1, 0, &tl),
                     ES_OK);
    es_free(doc);
    free(t);
    json_decref(c);
    return tl;
}

#endif
