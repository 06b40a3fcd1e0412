/*
 * tests/unit/crypto/sm2_test.c - SM2 known answers through the backend
 * vtable of every backend: the signature example of GM/T 0003.5-2012
 * (= GB/T 32918.5-2017) Annex A.2 on the recommended curve, and the same
 * key taken through the public API and checked by OpenSSL's
 * EVP_DigestVerify with the GB/T 35276 ID.
 */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "testlib.h"

#include "crypto/crypto.h"
#include "crypto/ossl_int.h"
#include "crypto/fast/sm2_fast.h"

/* GM/T 0003.5-2012 A.2: ID "1234567812345678", message "message digest" */
static const char *KAT_D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
static const char *KAT_XY = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
                            "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
static const char *KAT_K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21";
static const char *KAT_E = "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640";
static const char *KAT_R = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3";
static const char *KAT_S = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA";

static const struct es_crypto_ops *const g_backends[] = {&es_crypto_openssl, &es_crypto_fast};

static EVP_PKEY *pkey_from(const uint8_t *d, const uint8_t xy[64])
{
    EVP_PKEY *pk = NULL;
    /* the library's own constructor (lib/crypto/ossl_key.c) */
    assert_true(es_is_ok(es_ossl_make_pkey(d, xy, &pk)));
    return pk;
}

static void test_annex_a2(void **state)
{
    (void)state;
    uint8_t d[32], xy[64], k[32], e[32], r[32], s[32], z[32], got[32];
    t_unhex(KAT_D, d, 32);
    t_unhex(KAT_XY, xy, 64);
    t_unhex(KAT_K, k, 32);
    t_unhex(KAT_E, e, 32);
    t_unhex(KAT_R, r, 32);
    t_unhex(KAT_S, s, 32);

    /* P = dG */
    uint8_t pub[64];
    es_sm2_fast_pub_from_priv(d, pub);
    assert_memory_equal(pub, xy, 64);

    struct es_sm2_pub p;
    memset(&p, 0, sizeof(p));
    memcpy(p.xy, xy, 64);
    p.ossl = pkey_from(NULL, xy);
    for (size_t b = 0; b < 2; b++) {
        /* e = SM3(Z || M) with Z over the default ID, with each backend's SM3 */
        assert_int_equal(es_crypto_select(g_backends[b]->name), ES_OK);
        es_sm2_compute_z(xy, z);
        memcpy(p.z, z, 32);
        es_sm2_digest(&p, (const uint8_t *)"message digest", 14, got);
        assert_memory_equal(got, e, 32);
        /* the standard's (r, s) verifies; a changed bit does not */
        bool ok = false;
        assert_true(es_is_ok(g_backends[b]->sm2_verify(&p, e, r, s, &ok)));
        assert_true(ok);
        e[31] ^= 1;
        assert_true(es_is_ok(g_backends[b]->sm2_verify(&p, e, r, s, &ok)));
        assert_false(ok);
        e[31] ^= 1;
        s[0] ^= 0x80;
        assert_true(es_is_ok(g_backends[b]->sm2_verify(&p, e, r, s, &ok)));
        assert_false(ok);
        s[0] ^= 0x80;
    }

    /* the fast signer reproduces (r, s) from the standard's k */
    struct es_sm2_fast_key fk;
    es_sm2_fast_key_init(&fk, d);
    uint8_t r2[32], s2[32];
    assert_int_equal(es_sm2_fast_sign_k(&fk, e, k, r2, s2), 0);
    assert_memory_equal(r2, r, 32);
    assert_memory_equal(s2, s, 32);

    /* random-nonce signatures of each backend verify under the other */
    es_key key;
    memset(&key, 0, sizeof(key));
    memcpy(key.d, d, 32);
    key.pub = p;
    key.pub.ossl = pkey_from(d, xy);
    assert_true(es_is_ok(es_crypto_fast.key_prepare(&key)));
    for (size_t b = 0; b < 2; b++) {
        for (int i = 0; i < 8; i++) {
            assert_true(es_is_ok(g_backends[b]->sm2_sign(&key, e, r2, s2)));
            for (size_t v = 0; v < 2; v++) {
                bool ok = false;
                assert_true(es_is_ok(g_backends[v]->sm2_verify(&p, e, r2, s2, &ok)));
                assert_true(ok);
            }
        }
    }
    es_crypto_fast.key_cache_free(key.backend_cache);
    EVP_PKEY_free(key.pub.ossl);
    EVP_PKEY_free(p.ossl);
    assert_int_equal(es_crypto_select("fast"), ES_OK);
}

/* The public API signs "message digest" with the Annex key; OpenSSL's
 * EVP_DigestVerify with distid 1234567812345678 accepts it. */
static void test_public_api_interop(void **state)
{
    (void)state;
    uint8_t d[32], xy[64];
    t_unhex(KAT_D, d, 32);
    t_unhex(KAT_XY, xy, 64);
    EVP_PKEY *pk = pkey_from(d, xy);
    unsigned char *der = NULL;
    int der_len = i2d_PrivateKey(pk, &der);
    assert_true(der_len > 0);
    for (size_t b = 0; b < 2; b++) {
        assert_int_equal(es_crypto_select(g_backends[b]->name), ES_OK);
        es_key *key = NULL;
        assert_int_equal(es_key_from_bytes(NULL, der, (size_t)der_len, NULL, &key), ES_OK);
        uint8_t sig[72];
        size_t sig_len = 0;
        assert_int_equal(
            es_key_sign(NULL, key, (const uint8_t *)"message digest", 14, sig, &sig_len), ES_OK);
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
        assert_true(m && pc && EVP_PKEY_CTX_set1_id(pc, "1234567812345678", 16) > 0);
        EVP_MD_CTX_set_pkey_ctx(m, pc);
        assert_true(EVP_DigestVerifyInit(m, NULL, EVP_sm3(), NULL, pk) > 0);
        assert_int_equal(EVP_DigestVerify(m, sig, sig_len, (const uint8_t *)"message digest", 14),
                         1);
        EVP_MD_CTX_free(m);
        EVP_PKEY_CTX_free(pc);
        /* and the other way: OpenSSL signs, libeseal verifies with each backend */
        m = EVP_MD_CTX_new();
        pc = EVP_PKEY_CTX_new(pk, NULL);
        assert_true(m && pc && EVP_PKEY_CTX_set1_id(pc, "1234567812345678", 16) > 0);
        EVP_MD_CTX_set_pkey_ctx(m, pc);
        uint8_t osig[80];
        size_t osig_len = sizeof(osig);
        assert_true(EVP_DigestSignInit(m, NULL, EVP_sm3(), NULL, pk) > 0);
        assert_true(EVP_DigestSign(m, osig, &osig_len, (const uint8_t *)"message digest", 14) > 0);
        EVP_MD_CTX_free(m);
        EVP_PKEY_CTX_free(pc);
        bool ok = false;
        assert_true(es_is_ok(es_sm2_verify_msg(&key->pub, (const uint8_t *)"message digest", 14,
                                               osig, osig_len, &ok, NULL)));
        assert_true(ok);
        assert_true(es_is_ok(es_sm2_verify_msg(&key->pub, (const uint8_t *)"message digesT", 14,
                                               osig, osig_len, &ok, NULL)));
        assert_false(ok);
        es_key_free(key);
    }
    OPENSSL_free(der);
    EVP_PKEY_free(pk);
    assert_int_equal(es_crypto_select("fast"), ES_OK);
}

/* Keys outside [1, n-2] are refused by the fast backend's preparation. */
static void test_key_range(void **state)
{
    (void)state;
    uint8_t d[32];
    memset(d, 0, 32);
    assert_false(es_sm2_fast_priv_ok(d));
    d[31] = 1;
    assert_true(es_sm2_fast_priv_ok(d));
    t_unhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54121", d, 32);
    assert_true(es_sm2_fast_priv_ok(d)); /* n - 2 */
    d[31] = 0x22;
    assert_false(es_sm2_fast_priv_ok(d)); /* n - 1: 1 + d = n has no inverse */
    d[31] = 0x23;
    assert_false(es_sm2_fast_priv_ok(d)); /* n */
    memset(d, 0xff, 32);
    assert_false(es_sm2_fast_priv_ok(d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annex_a2),
        cmocka_unit_test(test_public_api_interop),
        cmocka_unit_test(test_key_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
