/*
 * tests/unit/tlog/tlog_test.c - the transparency log's Merkle tree
 * (eseal/tlog.h): hashes, heads and proofs against hand-built trees (the
 * worked example of RFC 6962 §2.1.3) and against an independent bottom-up
 * construction for every size 1..17, every index and every old/new size
 * pair; every tampered path, root, index and size is refused.
 */
#include "testlib.h"

#include <stdio.h>

#define N_MAX 17

static uint8_t g_leaf[N_MAX][32];

static void setup_leaves(void)
{
    for (int i = 0; i < N_MAX; i++) {
        char entry[16];
        int n = snprintf(entry, sizeof(entry), "entry-%d", i);
        es_tlog_leaf_hash((const uint8_t *)entry, (size_t)n, g_leaf[i]);
    }
}

static void node(const uint8_t *l, const uint8_t *r, uint8_t out[32])
{
    uint8_t buf[65];
    buf[0] = 1;
    memcpy(buf + 1, l, 32);
    memcpy(buf + 33, r, 32);
    es_sm3(buf, sizeof(buf), out);
}

/* Independent construction: pair neighbours level by level, carrying an odd
 * last node up unchanged (equivalent to RFC 6962's split at powers of two).
 * Replaces the n nodes of a level by the next level's; returns its size. */
static uint64_t next_level(uint8_t lvl[][32], uint64_t n)
{
    uint64_t m = 0;
    for (uint64_t i = 0; i < n; i += 2) {
        if (i + 1 < n) {
            node(lvl[i], lvl[i + 1], lvl[m]);
        } else {
            memmove(lvl[m], lvl[i], 32);
        }
        m++;
    }
    return m;
}

static void ref_root(uint64_t n, uint8_t out[32])
{
    uint8_t lvl[N_MAX][32];
    memcpy(lvl, g_leaf, sizeof(lvl));
    while (n > 1) {
        n = next_level(lvl, n);
    }
    memcpy(out, lvl[0], 32);
}

static size_t ref_path(uint64_t n, uint64_t idx, uint8_t path[][32])
{
    uint8_t lvl[N_MAX][32];
    size_t len = 0;
    memcpy(lvl, g_leaf, sizeof(lvl));
    while (n > 1) {
        uint64_t sib = idx ^ 1;
        if (sib < n) {
            memcpy(path[len++], lvl[sib], 32);
        }
        n = next_level(lvl, n);
        idx >>= 1;
    }
    return len;
}

static void test_hashes(void **state)
{
    (void)state;
    uint8_t h[32], want[32];
    uint8_t buf[4] = {0, 'a', 'b', 'c'};
    es_tlog_leaf_hash(buf + 1, 3, h);
    es_sm3(buf, 4, want);
    assert_memory_equal(h, want, 32);
    /* the empty entry is still a leaf: SM3(0x00) */
    es_tlog_leaf_hash(NULL, 0, h);
    es_sm3(buf, 1, want);
    assert_memory_equal(h, want, 32);
    /* MTH({}) = SM3("") */
    assert_int_equal(es_tlog_root(NULL, 0, h), ES_OK);
    t_unhex("1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b", want, 32);
    assert_memory_equal(h, want, 32);
    assert_string_equal(es_tlog_errmsg(), "");
}

/* RFC 6962 §2.1.3: the tree of seven leaves d0..d6. */
static void test_rfc6962_example(void **state)
{
    (void)state;
    uint8_t(*d)[32] = g_leaf;
    uint8_t g[32], h[32], i[32], k[32], l[32], root[32], got[32];
    node(d[0], d[1], g);
    node(d[2], d[3], h);
    node(d[4], d[5], i);
    node(g, h, k);
    node(i, d[6], l); /* j = d6 is carried up */
    node(k, l, root);
    assert_int_equal(es_tlog_root((const uint8_t(*)[32])d, 7, got), ES_OK);
    assert_memory_equal(got, root, 32);

    uint8_t p[ES_TLOG_MAX_PATH][32];
    size_t n = 0;
    const uint8_t(*L)[32] = (const uint8_t(*)[32])d;
    /* audit path of d0 is [b, h, l] */
    assert_int_equal(es_tlog_inclusion_proof(L, 7, 0, p, ES_TLOG_MAX_PATH, &n), ES_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(p[0], d[1], 32);
    assert_memory_equal(p[1], h, 32);
    assert_memory_equal(p[2], l, 32);
    /* d3: [c, g, l] */
    assert_int_equal(es_tlog_inclusion_proof(L, 7, 3, p, ES_TLOG_MAX_PATH, &n), ES_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(p[0], d[2], 32);
    assert_memory_equal(p[1], g, 32);
    assert_memory_equal(p[2], l, 32);
    /* d4: [f, j, k] */
    assert_int_equal(es_tlog_inclusion_proof(L, 7, 4, p, ES_TLOG_MAX_PATH, &n), ES_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(p[0], d[5], 32);
    assert_memory_equal(p[1], d[6], 32);
    assert_memory_equal(p[2], k, 32);
    /* d6: [i, k] */
    assert_int_equal(es_tlog_inclusion_proof(L, 7, 6, p, ES_TLOG_MAX_PATH, &n), ES_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(p[0], i, 32);
    assert_memory_equal(p[1], k, 32);

    /* consistency 3 -> 7 is [c, d, g, l] */
    uint8_t r3[32], ab[32];
    node(d[0], d[1], ab);
    node(ab, d[2], r3);
    assert_int_equal(es_tlog_consistency_proof(L, 7, 3, p, ES_TLOG_MAX_PATH, &n), ES_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(p[0], d[2], 32);
    assert_memory_equal(p[1], d[3], 32);
    assert_memory_equal(p[2], g, 32);
    assert_memory_equal(p[3], l, 32);
    assert_int_equal(es_tlog_verify_consistency(3, 7, r3, root, (const uint8_t(*)[32])p, n),
                     ES_OK);
    /* 4 -> 7 is [l] */
    assert_int_equal(es_tlog_consistency_proof(L, 7, 4, p, ES_TLOG_MAX_PATH, &n), ES_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(p[0], l, 32);
    assert_int_equal(es_tlog_verify_consistency(4, 7, k, root, (const uint8_t(*)[32])p, n), ES_OK);
    /* 6 -> 7 is [i, j, k] */
    uint8_t r6[32];
    node(k, i, r6);
    assert_int_equal(es_tlog_consistency_proof(L, 7, 6, p, ES_TLOG_MAX_PATH, &n), ES_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(p[0], i, 32);
    assert_memory_equal(p[1], d[6], 32);
    assert_memory_equal(p[2], k, 32);
    assert_int_equal(es_tlog_verify_consistency(6, 7, r6, root, (const uint8_t(*)[32])p, n),
                     ES_OK);
}

static void test_roots(void **state)
{
    (void)state;
    for (uint64_t n = 1; n <= N_MAX; n++) {
        uint8_t want[32], got[32];
        ref_root(n, want);
        assert_int_equal(es_tlog_root((const uint8_t(*)[32])g_leaf, n, got), ES_OK);
        assert_memory_equal(got, want, 32);
    }
}

static void flip(uint8_t *b) { b[0] ^= 0x01; }

static void test_inclusion_all(void **state)
{
    (void)state;
    const uint8_t(*L)[32] = (const uint8_t(*)[32])g_leaf;
    for (uint64_t n = 1; n <= N_MAX; n++) {
        uint8_t root[32];
        assert_int_equal(es_tlog_root(L, n, root), ES_OK);
        for (uint64_t i = 0; i < n; i++) {
            uint8_t p[ES_TLOG_MAX_PATH][32], want[ES_TLOG_MAX_PATH][32];
            size_t len = 99;
            assert_int_equal(es_tlog_inclusion_proof(L, n, i, p, ES_TLOG_MAX_PATH, &len), ES_OK);
            size_t wlen = ref_path(n, i, want);
            assert_int_equal(len, wlen);
            if (len > 0) {
                assert_memory_equal(p, want, len * 32);
            }
            const uint8_t(*P)[32] = (const uint8_t(*)[32])p;
            assert_int_equal(es_tlog_verify_inclusion(L[i], i, n, P, len, root), ES_OK);
            /* tampered root */
            uint8_t bad[32];
            memcpy(bad, root, 32);
            flip(bad);
            assert_int_equal(es_tlog_verify_inclusion(L[i], i, n, P, len, bad),
                             ES_ERR_CRYPTO_PROOF);
            assert_non_null(strstr(es_tlog_errmsg(), "root"));
            /* tampered leaf */
            memcpy(bad, L[i], 32);
            flip(bad);
            assert_int_equal(es_tlog_verify_inclusion(bad, i, n, P, len, root),
                             ES_ERR_CRYPTO_PROOF);
            /* each tampered path element */
            for (size_t j = 0; j < len; j++) {
                flip(p[j]);
                assert_int_equal(es_tlog_verify_inclusion(L[i], i, n, P, len, root),
                                 ES_ERR_CRYPTO_PROOF);
                flip(p[j]);
            }
            /* a path cut short or with an extra hash */
            if (len > 0) {
                assert_int_equal(es_tlog_verify_inclusion(L[i], i, n, P, len - 1, root),
                                 ES_ERR_CRYPTO_PROOF);
            }
            memcpy(p[len], root, 32);
            assert_int_equal(es_tlog_verify_inclusion(L[i], i, n, P, len + 1, root),
                             ES_ERR_CRYPTO_PROOF);
            /* every other index */
            for (uint64_t j = 0; j < n; j++) {
                if (j != i) {
                    assert_int_equal(es_tlog_verify_inclusion(L[i], j, n, P, len, root),
                                     ES_ERR_CRYPTO_PROOF);
                }
            }
            /* other sizes: refused unless the hash shape is the same (RFC 6962
             * binds the size through the signed tree head, not the path) */
            for (uint64_t m = i + 1; m <= N_MAX; m++) {
                uint8_t other[ES_TLOG_MAX_PATH][32];
                if (m == n) {
                    continue;
                }
                size_t olen = ref_path(m, i, other);
                int rc = es_tlog_verify_inclusion(L[i], i, m, P, len, root);
                if (olen != len) {
                    assert_int_equal(rc, ES_ERR_CRYPTO_PROOF);
                }
            }
            assert_int_equal(es_tlog_verify_inclusion(L[i], n, n, P, len, root),
                             ES_ERR_USAGE_ARG);
        }
        /* proof for an index out of range */
        uint8_t p[ES_TLOG_MAX_PATH][32];
        size_t len;
        assert_int_equal(es_tlog_inclusion_proof(L, n, n, p, ES_TLOG_MAX_PATH, &len),
                         ES_ERR_USAGE_ARG);
    }
}

static void test_consistency_all(void **state)
{
    (void)state;
    const uint8_t(*L)[32] = (const uint8_t(*)[32])g_leaf;
    for (uint64_t n = 0; n <= N_MAX; n++) {
        uint8_t new_root[32];
        assert_int_equal(es_tlog_root(L, n, new_root), ES_OK);
        for (uint64_t m = 0; m <= n; m++) {
            uint8_t old_root[32], bad[32];
            assert_int_equal(es_tlog_root(L, m, old_root), ES_OK);
            uint8_t p[ES_TLOG_MAX_PATH + 1][32];
            const uint8_t(*P)[32] = (const uint8_t(*)[32])p;
            size_t len = 99;
            assert_int_equal(es_tlog_consistency_proof(L, n, m, p, ES_TLOG_MAX_PATH, &len), ES_OK);
            if (m == 0 || m == n) {
                assert_int_equal(len, 0);
            }
            assert_int_equal(es_tlog_verify_consistency(m, n, old_root, new_root, P, len), ES_OK);
            /* tampered roots */
            memcpy(bad, old_root, 32);
            flip(bad);
            assert_int_equal(es_tlog_verify_consistency(m, n, bad, new_root, P, len),
                             ES_ERR_CRYPTO_PROOF);
            /* (every tree extends the empty one: old size 0 fixes nothing) */
            memcpy(bad, new_root, 32);
            flip(bad);
            assert_int_equal(es_tlog_verify_consistency(m, n, old_root, bad, P, len),
                             m == 0 ? ES_OK : ES_ERR_CRYPTO_PROOF);
            /* every tampered hash, a cut and an extended path */
            for (size_t j = 0; j < len; j++) {
                flip(p[j]);
                assert_int_equal(es_tlog_verify_consistency(m, n, old_root, new_root, P, len),
                                 ES_ERR_CRYPTO_PROOF);
                flip(p[j]);
            }
            if (len > 0) {
                assert_int_equal(es_tlog_verify_consistency(m, n, old_root, new_root, P, len - 1),
                                 ES_ERR_CRYPTO_PROOF);
            }
            memcpy(p[len], new_root, 32);
            assert_int_equal(es_tlog_verify_consistency(m, n, old_root, new_root, P, len + 1),
                             ES_ERR_CRYPTO_PROOF);
            /* the same proof claimed for other sizes */
            for (uint64_t m2 = 1; m2 < n; m2++) {
                uint8_t r2[32];
                assert_int_equal(es_tlog_root(L, m2, r2), ES_OK);
                if (m2 != m && memcmp(r2, old_root, 32) != 0) {
                    assert_int_equal(es_tlog_verify_consistency(m2, n, old_root, new_root, P, len),
                                     ES_ERR_CRYPTO_PROOF);
                }
            }
            /* a forked history: a different leaf in the old part */
            if (m > 0 && m < n) {
                uint8_t forked[N_MAX][32], froot[32];
                memcpy(forked, g_leaf, sizeof(forked));
                flip(forked[m - 1]);
                assert_int_equal(es_tlog_root((const uint8_t(*)[32])forked, n, froot), ES_OK);
                assert_int_equal(es_tlog_verify_consistency(m, n, old_root, froot, P, len),
                                 ES_ERR_CRYPTO_PROOF);
            }
        }
        if (n < N_MAX) {
            uint8_t p[ES_TLOG_MAX_PATH][32];
            size_t len;
            assert_int_equal(es_tlog_consistency_proof(L, n, n + 1, p, ES_TLOG_MAX_PATH, &len),
                             ES_ERR_USAGE_ARG);
            assert_int_equal(es_tlog_verify_consistency(n + 1, n, new_root, new_root, NULL, 0),
                             ES_ERR_USAGE_ARG);
        }
    }
}

static void test_limits(void **state)
{
    (void)state;
    const uint8_t(*L)[32] = (const uint8_t(*)[32])g_leaf;
    uint8_t p[2][32];
    size_t len;
    /* 17 leaves: leaf 0 needs 5 hashes; room for 2 */
    assert_int_equal(es_tlog_inclusion_proof(L, 17, 0, p, 2, &len), ES_ERR_LIMIT_COUNT);
    assert_int_equal(es_tlog_consistency_proof(L, 17, 3, p, 2, &len), ES_ERR_LIMIT_COUNT);
    uint8_t root[32];
    assert_int_equal(es_tlog_root(L, 17, root), ES_OK);
    uint8_t big[ES_TLOG_MAX_PATH + 1][32] = {{0}};
    assert_int_equal(es_tlog_verify_inclusion(L[0], 0, 17, (const uint8_t(*)[32])big,
                                              ES_TLOG_MAX_PATH + 1, root),
                     ES_ERR_LIMIT_COUNT);
    assert_int_equal(es_tlog_verify_consistency(3, 17, root, root, (const uint8_t(*)[32])big,
                                                ES_TLOG_MAX_PATH + 1),
                     ES_ERR_LIMIT_COUNT);
    /* huge claimed sizes with short paths are refused, not looped over */
    assert_int_equal(es_tlog_verify_inclusion(L[0], 0, UINT64_MAX, (const uint8_t(*)[32])p, 2,
                                              root),
                     ES_ERR_CRYPTO_PROOF);
    assert_int_equal(es_tlog_verify_consistency(UINT64_MAX - 1, UINT64_MAX, root, root,
                                                (const uint8_t(*)[32])p, 2),
                     ES_ERR_CRYPTO_PROOF);
    /* an empty proof between different sizes */
    assert_int_equal(es_tlog_verify_consistency(3, 7, root, root, NULL, 0), ES_ERR_CRYPTO_PROOF);
    assert_non_null(strstr(es_tlog_errmsg(), "empty"));
    /* old size 0 against a non-empty old root */
    assert_int_equal(es_tlog_verify_consistency(0, 7, root, root, NULL, 0), ES_ERR_CRYPTO_PROOF);
}

int main(void)
{
    setup_leaves();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashes),          cmocka_unit_test(test_rfc6962_example),
        cmocka_unit_test(test_roots),           cmocka_unit_test(test_inclusion_all),
        cmocka_unit_test(test_consistency_all), cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
