/*
 * tests/unit/crypto/sm3_test.c - SM3 (GB/T 32905-2016) through the backend
 * vtable of every backend, the fast single stream and the multi-buffer
 * kernels: the standard's examples, streaming in every chunking, every
 * length around the padding boundaries, and OpenSSL's EVP as the oracle.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"

#include "crypto/crypto.h"
#include "crypto/fast/sm3_fast.h"
#include "eseal/crypto_fast.h"

static const struct es_crypto_ops *const g_backends[] = {&es_crypto_openssl, &es_crypto_fast};

static void vt_sm3(const struct es_crypto_ops *o, const void *p, size_t n, uint8_t out[32])
{
    es_sm3_ctx c;
    o->sm3_init(&c);
    o->sm3_update(&c, p, n);
    o->sm3_final(&c, out);
}

static void ossl_sm3(const void *p, size_t n, uint8_t out[32])
{
    unsigned len = 32;
    assert_true(EVP_Digest(p, n, out, &len, EVP_sm3(), NULL));
}

/* GB/T 32905-2016 Appendix A, examples 1 and 2, plus the empty message. */
static void test_kat(void **state)
{
    (void)state;
    struct {
        const char *msg;
        int repeat;
        const char *hex;
    } kats[] = {
        {"abc", 1, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
        {"abcd", 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"},
        {"", 1, "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"},
    };
    for (size_t b = 0; b < 2; b++) {
        const struct es_crypto_ops *o = g_backends[b];
        for (size_t i = 0; i < 3; i++) {
            uint8_t want[32], got[32];
            t_unhex(kats[i].hex, want, 32);
            es_sm3_ctx c;
            o->sm3_init(&c);
            for (int r = 0; r < kats[i].repeat; r++) {
                o->sm3_update(&c, kats[i].msg, strlen(kats[i].msg));
            }
            o->sm3_final(&c, got);
            assert_memory_equal(got, want, 32);
        }
    }
    /* the public entry point follows the selected backend */
    uint8_t want[32], got[32];
    t_unhex(kats[0].hex, want, 32);
    for (size_t b = 0; b < 2; b++) {
        assert_int_equal(es_crypto_select(g_backends[b]->name), ES_OK);
        assert_string_equal(es_crypto_backend_name(), g_backends[b]->name);
        es_sm3("abc", 3, got);
        assert_memory_equal(got, want, 32);
    }
    assert_int_equal(es_crypto_select("no-such-backend"), ES_ERR_USAGE_ARG);
    /* fast is registered last: the default */
    assert_string_equal(es_crypto_fast.name, "fast");
}

/* Every length 0..300 (padding: 55/56/63/64 bytes), in every chunking,
 * with each compression function this CPU can run. */
static void lengths_and_chunks(void);

static void test_lengths_and_chunks(void **state)
{
    (void)state;
    for (int level = 1; level <= 2; level++) {
        if (!es_sm3_fast_force(level)) {
            continue;
        }
        lengths_and_chunks();
    }
    assert_true(es_sm3_fast_force(0));
}

static void lengths_and_chunks(void)
{
    uint8_t buf[1200];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 37 + 11);
    }
    for (size_t len = 0; len <= 300; len++) {
        uint8_t want[32], got[32];
        ossl_sm3(buf, len, want);
        es_sm3_fast(buf, len, got);
        assert_memory_equal(got, want, 32);
        vt_sm3(&es_crypto_fast, buf, len, got);
        assert_memory_equal(got, want, 32);
        /* chunks of every size 1..70 */
        for (size_t chunk = 1; chunk <= 70; chunk += (len < 130 ? 1 : 7)) {
            es_sm3_ctx c;
            es_crypto_fast.sm3_init(&c);
            for (size_t off = 0; off < len; off += chunk) {
                es_crypto_fast.sm3_update(&c, buf + off, len - off < chunk ? len - off : chunk);
            }
            es_crypto_fast.sm3_final(&c, got);
            assert_memory_equal(got, want, 32);
        }
    }
    /* a long message, unaligned */
    uint8_t want[32], got[32];
    ossl_sm3(buf + 3, sizeof(buf) - 3, want);
    es_sm3_fast(buf + 3, sizeof(buf) - 3, got);
    assert_memory_equal(got, want, 32);
}

/* es_sm3_multi equals es_sm3 per message, for each SIMD width available. */
static void test_multi(void **state)
{
    (void)state;
    enum { MAXN = 40, MAXLEN = 700 };
    uint8_t *store = malloc((size_t)MAXN * MAXLEN + 64);
    assert_non_null(store);
    for (size_t i = 0; i < (size_t)MAXN * MAXLEN + 64; i++) {
        store[i] = (uint8_t)(i * 131 + (i >> 8));
    }
    const uint8_t *msgs[MAXN];
    size_t lens[MAXN];
    uint8_t out[MAXN][32];
    uint64_t rng = 12345;
    const size_t widths[] = {1, 8, 16};
    for (size_t wi = 0; wi < 3; wi++) {
        es_sm3_multi_force(widths[wi]);
        size_t lanes = es_sm3_multi_lanes();
        if (widths[wi] != 1 && lanes != widths[wi]) {
            continue; /* this CPU lacks it */
        }
        for (int round = 0; round < 200; round++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t n = (size_t)(rng >> 59) + (round % 3 == 0 ? 17 : 0);
            if (n > MAXN) {
                n = MAXN;
            }
            for (size_t i = 0; i < n; i++) {
                rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                /* same lengths in some rounds, very different in others */
                size_t len = round % 2 ? (size_t)(rng >> 33) % MAXLEN
                                       : (size_t)(round * 7) % MAXLEN;
                msgs[i] = store + i * MAXLEN + (rng & 7);
                lens[i] = len;
                if (len == 0 && (rng & 16)) {
                    msgs[i] = NULL;
                }
            }
            memset(out, 0, sizeof(out));
            es_sm3_multi(msgs, lens, n, out);
            for (size_t i = 0; i < n; i++) {
                uint8_t want[32];
                ossl_sm3(msgs[i] ? msgs[i] : (const uint8_t *)"", lens[i], want);
                if (memcmp(out[i], want, 32) != 0) {
                    fail_msg("width %zu round %d message %zu of %zu (len %zu) differs", lanes,
                             round, i, n, lens[i]);
                }
            }
        }
    }
    es_sm3_multi_force(0);
    free(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat),
        cmocka_unit_test(test_lengths_and_chunks),
        cmocka_unit_test(test_multi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
