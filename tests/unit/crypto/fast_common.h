/*
 * tests/unit/crypto/fast_common.h - shared helpers of the fast-backend
 * tests: a seeded generator (ES_TEST_SEED), an iteration scale
 * (ES_TEST_ITERS multiplies the default counts, for scripts/crypto-diff-long.sh),
 * and OpenSSL EVP / libgcrypt oracles for SM2 on a prepared digest e.
 */
#ifndef ES_TEST_FAST_COMMON_H
#define ES_TEST_FAST_COMMON_H

#include <gcrypt.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/crypto.h"
#include "crypto/ossl_int.h"
#include "testlib.h"

static uint64_t g_rng = 0x9e3779b97f4a7c15ULL;

static inline void t_seed(void)
{
    const char *s = getenv("ES_TEST_SEED");
    if (s && *s) {
        g_rng = strtoull(s, NULL, 0) | 1;
    }
    fprintf(stderr, "seed 0x%llx\n", (unsigned long long)g_rng);
}

static inline uint64_t t_rand64(void)
{
    /* xorshift64* */
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545F4914F6CDD1DULL;
}

static inline void t_rand_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(t_rand64() >> 56);
    }
}

static inline long t_iters(long base)
{
    const char *s = getenv("ES_TEST_ITERS");
    long m = s ? strtol(s, NULL, 10) : 1;
    return base * (m > 0 ? m : 1);
}

static inline bool t_under_asan(void)
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

/* ---- OpenSSL EVP, used directly (not through libeseal) ---- */

/* Fresh SM2 key pair: d, x||y and the EVP_PKEY (caller frees). */
static inline EVP_PKEY *t_ossl_keygen(uint8_t d[32], uint8_t xy[64])
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    assert_non_null(pk);
    BIGNUM *bn = NULL;
    assert_true(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bn));
    assert_int_equal(BN_bn2binpad(bn, d, 32), 32);
    BN_clear_free(bn);
    uint8_t pt[65];
    size_t n = 0;
    assert_true(EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
                                                sizeof(pt), &n));
    assert_int_equal(n, 65);
    memcpy(xy, pt + 1, 64);
    return pk;
}

static inline size_t t_der_sig(const uint8_t r[32], const uint8_t s[32], uint8_t out[80])
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(r, 32, NULL), *bs = BN_bin2bn(s, 32, NULL);
    assert_true(sig && br && bs && ECDSA_SIG_set0(sig, br, bs));
    unsigned char *p = out;
    int n = i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    assert_true(n > 0 && n <= 80);
    return (size_t)n;
}

/* OpenSSL's verdict on (r, s) over e: EVP_PKEY_verify with an SM2 key
 * treats its input as the digest e. r or s of 0 or >= n are refused. */
static inline bool t_ossl_verify(EVP_PKEY *pk, const uint8_t e[32], const uint8_t r[32],
                                 const uint8_t s[32])
{
    uint8_t der[80];
    size_t n = t_der_sig(r, s, der);
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
    assert_non_null(pc);
    bool ok = EVP_PKEY_verify_init(pc) > 0 && EVP_PKEY_verify(pc, der, n, e, 32) == 1;
    EVP_PKEY_CTX_free(pc);
    ERR_clear_error();
    return ok;
}

static inline void t_ossl_sign(EVP_PKEY *pk, const uint8_t e[32], uint8_t r[32], uint8_t s[32])
{
    uint8_t der[80];
    size_t n = sizeof(der);
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
    assert_non_null(pc);
    assert_true(EVP_PKEY_sign_init(pc) > 0 && EVP_PKEY_sign(pc, der, &n, e, 32) > 0);
    EVP_PKEY_CTX_free(pc);
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
    assert_non_null(sig);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(sig), r, 32), 32);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(sig), s, 32), 32);
    ECDSA_SIG_free(sig);
}

/* EVP_PKEY from raw parts (d may be NULL). */
static inline EVP_PKEY *t_ossl_pkey(const uint8_t *d, const uint8_t xy[64])
{
    EVP_PKEY *pk = NULL;
    /* the library's own constructor (lib/crypto/ossl_key.c) */
    assert_true(es_is_ok(es_ossl_make_pkey(d, xy, &pk)));
    return pk;
}

/* ---- libgcrypt: (ecc (curve sm2p256v1)) with (flags sm2) ---- */

static inline void t_gcry_init(void)
{
    static bool done;
    if (!done) {
        assert_non_null(gcry_check_version(NULL));
        gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
        gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
        done = true;
    }
}

static inline bool t_gcry_verify(const uint8_t xy[64], const uint8_t e[32], const uint8_t r[32],
                                 const uint8_t s[32])
{
    uint8_t q[65];
    q[0] = 4;
    memcpy(q + 1, xy, 64);
    gcry_sexp_t pub = NULL, data = NULL, sig = NULL;
    assert_int_equal(gcry_sexp_build(&pub, NULL, "(public-key (ecc (curve sm2p256v1) (q %b)))", 65,
                                     q),
                     0);
    assert_int_equal(gcry_sexp_build(&data, NULL, "(data (flags sm2) (value %b))", 32, e), 0);
    assert_int_equal(gcry_sexp_build(&sig, NULL, "(sig-val (sm2 (r %b)(s %b)))", 32, r, 32, s),
                     0);
    bool ok = gcry_pk_verify(sig, data, pub) == 0;
    gcry_sexp_release(pub);
    gcry_sexp_release(data);
    gcry_sexp_release(sig);
    return ok;
}

static inline void t_gcry_mpi_out(gcry_sexp_t sig, const char *tok, uint8_t out[32])
{
    gcry_sexp_t l = gcry_sexp_find_token(sig, tok, 0);
    assert_non_null(l);
    size_t n = 0;
    const char *p = gcry_sexp_nth_data(l, 1, &n);
    assert_true(p && n <= 33);
    /* an MPI may carry a leading zero byte or fewer than 32 bytes */
    while (n > 32) {
        p++;
        n--;
    }
    memset(out, 0, 32);
    memcpy(out + 32 - n, p, n);
    gcry_sexp_release(l);
}

static inline void t_gcry_sign(const uint8_t d[32], const uint8_t xy[64], const uint8_t e[32],
                               uint8_t r[32], uint8_t s[32])
{
    uint8_t q[65];
    q[0] = 4;
    memcpy(q + 1, xy, 64);
    gcry_sexp_t priv = NULL, data = NULL, sig = NULL;
    assert_int_equal(gcry_sexp_build(&priv, NULL,
                                     "(private-key (ecc (curve sm2p256v1) (q %b) (d %b)))", 65, q,
                                     32, d),
                     0);
    assert_int_equal(gcry_sexp_build(&data, NULL, "(data (flags sm2) (value %b))", 32, e), 0);
    assert_int_equal(gcry_pk_sign(&sig, data, priv), 0);
    t_gcry_mpi_out(sig, "r", r);
    t_gcry_mpi_out(sig, "s", s);
    gcry_sexp_release(priv);
    gcry_sexp_release(data);
    gcry_sexp_release(sig);
}

#endif
