/*
 * tests/unit/crypto/fast_ct_test.c - constant-time check of SM2 signing
 * and key handling in the fast backend, with valgrind memcheck.
 *
 * The private key d and the nonce k are marked undefined
 * (VALGRIND_MAKE_MEM_UNDEFINED); memcheck then reports any conditional
 * jump or memory address that depends on them. Outputs that are public by
 * design (r, s, the retry flag, the public key) are declassified with
 * VALGRIND_MAKE_MEM_DEFINED before the test looks at them.
 *
 * The program re-executes itself under `valgrind --error-exitcode=1`
 * (ES_CT_VALGRIND marks the inner run); it exits 77 (skipped) when
 * valgrind is not installed or under AddressSanitizer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

#include "testlib.h"

#include "crypto/crypto.h"
#include "crypto/fast/sm2_fast.h"

static bool under_asan(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

static uint64_t g_rng = 0x243f6a8885a308d3ULL;

static void rand_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_rng = g_rng * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (uint8_t)(g_rng >> 56);
    }
}

static void secret(void *p, size_t n) { VALGRIND_MAKE_MEM_UNDEFINED(p, n); }
static void public_(void *p, size_t n) { VALGRIND_MAKE_MEM_DEFINED(p, n); }

static void test_sign_constant_time(void **state)
{
    (void)state;
    /* valgrind executes MULX/ADCX/ADOX but hides BMI2/ADX from CPUID:
     * the multiplier is forced (results are checked below), the SIMD
     * table scans only where CPUID shows them */
    unsigned cpu = es_sm2_fast_cpu();
#ifdef ES_FAST_HAVE_ADX_ASM
    cpu |= ES_SM2_IMPL_ADX;
#endif
    const unsigned variants[] = {0, ES_SM2_IMPL_AVX2, ES_SM2_IMPL_ADX,
                                 ES_SM2_IMPL_ADX | ES_SM2_IMPL_AVX2};
    for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
        if ((variants[v] & cpu) != variants[v]) {
            continue;
        }
        es_sm2_fast_force_unchecked(variants[v]);
        fprintf(stderr, "constant-time check: %s\n", es_sm2_fast_impl_name());
        for (int it = 0; it < 24; it++) {
            uint8_t d[32], k[32], e[32], r[32], s[32], xy[64];
            rand_bytes(d, 32);
            rand_bytes(k, 32);
            rand_bytes(e, 32);
            d[0] &= 0x7f; /* in [1, n-2] with overwhelming probability */
            k[0] &= 0x7f;
            if (it == 0) {
                memset(k + 1, 0, 31); /* many zero digits: the infinity masks */
                k[31] = 5;
            }
            assert_true(es_sm2_fast_priv_ok(d));

            /* key generation path: P = dG */
            secret(d, 32);
            es_sm2_fast_pub_from_priv(d, xy);
            public_(xy, 64);

            /* key preparation: d R and (1 + d)^-1 R mod n */
            struct es_sm2_fast_key fk;
            es_sm2_fast_key_init(&fk, d);

            /* one signing attempt with a secret nonce */
            secret(k, 32);
            uint64_t retry = es_sm2_fast_sign_k(&fk, e, k, r, s);
            public_(&retry, sizeof(retry));
            public_(r, 32);
            public_(s, 32);
            assert_int_equal(retry, 0);
            assert_true(es_sm2_fast_verify_xy(xy, e, r, s));
        }
        /* the signing pool's batch of nonces (one inversion for all) */
        for (int it = 0; it < 2; it++) {
            uint8_t k[SM2_BATCH][32], x[SM2_BATCH][32], xy[64];
            for (int b = 0; b < SM2_BATCH; b++) {
                rand_bytes(k[b], 32);
                k[b][0] &= 0x7f;
            }
            secret(k, sizeof(k));
            es_sm2_fast_nonce_batch((const uint8_t(*)[32])k, x);
            public_(x, sizeof(x));
            public_(k, sizeof(k));
            es_sm2_fast_pub_from_priv(k[SM2_BATCH - 1], xy);
            uint64_t xv[4];
            es_fn_from_be(xv, xy);
            es_fn_reduce(xv, xv);
            uint8_t ref[32];
            es_fn_to_be(ref, xv);
            assert_memory_equal(x[SM2_BATCH - 1], ref, 32);
        }
    }
    es_sm2_fast_force(~0u);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (under_asan()) {
        fprintf(stderr, "skipped: valgrind cannot run an AddressSanitizer build\n");
        return 77;
    }
    if (!RUNNING_ON_VALGRIND) {
        if (getenv("ES_CT_VALGRIND")) {
            fprintf(stderr, "ES_CT_VALGRIND set but not running under valgrind\n");
            return 1;
        }
        if (system("valgrind --version >/dev/null 2>&1") != 0) {
            fprintf(stderr, "skipped: valgrind is not installed\n");
            return 77;
        }
        setenv("ES_CT_VALGRIND", "1", 1);
        char *args[] = {"valgrind", "--error-exitcode=1", "--quiet", "--track-origins=yes",
                        argv[0], NULL};
        execvp("valgrind", args);
        perror("execvp valgrind");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_constant_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
