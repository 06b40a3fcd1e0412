/*
 * tests/unit/crypto/keys_test.c - keys and certificates in every container
 * a command accepts (PEM, DER, encrypted PKCS#8, PKCS#12), signature
 * encodings of real files (Q-SIG-1..3), chains with the SM2 ID.
 */
#include "testlib.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>

#include "crypto/crypto.h"

static void test_encrypted_pkcs8_and_passphrases(void **state)
{
    (void)state;
    char p[600];
    snprintf(p, sizeof(p), "%s/owner.key", t_pki());
    es_key *k = NULL;
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_key_load(ctx, p, "wrong", &k), ES_ERR_CRYPTO_PASSPHRASE);
    assert_null(k);
    assert_int_equal(es_key_load(ctx, p, NULL, &k), ES_ERR_CRYPTO_PASSPHRASE);
    assert_int_equal(es_key_load(ctx, p, "test", &k), ES_OK);
    /* never written in clear */
    char *pem = NULL;
    assert_int_equal(es_key_to_pem(ctx, k, "", &pem), ES_ERR_USAGE_ARG);
    assert_int_equal(es_key_to_pem(ctx, k, "pw", &pem), ES_OK);
    assert_non_null(strstr(pem, "ENCRYPTED PRIVATE KEY"));
    es_key *k2 = NULL;
    assert_int_equal(es_key_from_bytes(ctx, (const uint8_t *)pem, strlen(pem), "pw", &k2), ES_OK);
    es_cert *c = NULL;
    snprintf(p, sizeof(p), "%s/owner.pem", t_pki());
    assert_int_equal(es_cert_load(ctx, p, NULL, &c), ES_OK);
    assert_true(es_key_matches_cert(k2, c));
    assert_true(es_cert_is_sm2(c));
    es_free(pem);
    es_key_free(k);
    es_key_free(k2);
    es_cert_free(c);
    es_ctx_free(ctx);
}

static void test_plain_der_and_sec1(void **state)
{
    (void)state;
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    assert_non_null(pk);
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(pk, &der);
    assert_true(n > 0);
    es_key *k = NULL;
    assert_int_equal(es_key_from_bytes(NULL, der, (size_t)n, NULL, &k), ES_OK);
    es_key_free(k);
    OPENSSL_free(der);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL));
    char *mem;
    long len = BIO_get_mem_data(bio, &mem);
    assert_int_equal(es_key_from_bytes(NULL, (const uint8_t *)mem, (size_t)len, NULL, &k), ES_OK);
    es_key_free(k);
    BIO_free(bio);
    EVP_PKEY_free(pk);
    /* a P-256 key is refused, naming the curve */
    pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    der = NULL;
    n = i2d_PrivateKey(pk, &der);
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_key_from_bytes(ctx, der, (size_t)n, NULL, &k), ES_ERR_CRYPTO_KEY);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "prime256v1"));
    OPENSSL_free(der);
    EVP_PKEY_free(pk);
    assert_int_equal(es_key_from_bytes(ctx, (const uint8_t *)"garbage", 7, NULL, &k),
                     ES_ERR_FORMAT_PEM);
    es_ctx_free(ctx);
}

static void test_pkcs12_from_ofdrw(void **state)
{
    (void)state;
    const char *p = t_testdata("ofdrw/USER.p12");
    if (!p) {
        skip();
    }
    es_key *k = NULL;
    es_cert *c = NULL;
    assert_int_equal(es_key_load(NULL, p, "bad", &k), ES_ERR_CRYPTO_PASSPHRASE);
    assert_int_equal(es_key_load(NULL, p, "777777", &k), ES_OK);
    assert_int_equal(es_cert_load(NULL, p, "777777", &c), ES_OK);
    assert_true(es_key_matches_cert(k, c));
    /* the ofdrw test seal lists this certificate: sign with it, verify */
    uint8_t sig[72];
    size_t n;
    assert_int_equal(es_key_sign(NULL, k, (const uint8_t *)"abc", 3, sig, &n), ES_OK);
    assert_int_equal(es_cert_verify(c, (const uint8_t *)"abc", 3, sig, n), 1);
    assert_int_equal(es_cert_verify(c, (const uint8_t *)"abd", 3, sig, n), 0);
    es_key_free(k);
    es_cert_free(c);
}

static void test_signature_encodings(void **state)
{
    (void)state;
    es_key *k;
    es_cert *c;
    t_load_identity("owner", &k, &c);
    const uint8_t msg[] = "message";
    uint8_t der[72], r[32], s[32];
    size_t n;
    /* find a signature whose r has the top bit set, for the sign-less case */
    for (int i = 0; i < 64; i++) {
        assert_int_equal(es_key_sign(NULL, k, msg, sizeof(msg), der, &n), ES_OK);
        assert_true(es_is_ok(es_sm2_sig_decode(der, n, r, s, NULL)));
        if (r[0] & 0x80) {
            break;
        }
    }
    /* Q-SIG-1: raw r || s */
    uint8_t raw[64];
    memcpy(raw, r, 32);
    memcpy(raw + 32, s, 32);
    unsigned q = 0;
    bool ok = false;
    assert_true(es_is_ok(es_sm2_verify_msg(es_cert_pub(c), msg, sizeof(msg), raw, 64, &ok, &q)));
    assert_true(ok);
    assert_true(q & ES_SQ_RAW64);
    /* Q-SIG-2/3: fixed-width 32-byte INTEGERs */
    uint8_t fixed[70] = {0x30, 68, 0x02, 32};
    memcpy(fixed + 4, r, 32);
    fixed[36] = 0x02;
    fixed[37] = 32;
    memcpy(fixed + 38, s, 32);
    q = 0;
    assert_true(es_is_ok(es_sm2_verify_msg(es_cert_pub(c), msg, sizeof(msg), fixed, 70, &ok, &q)));
    assert_true(ok);
    assert_true(q & (ES_SQ_SIGNLESS | ES_SQ_NONMINIMAL));
    /* the canonical one has no quirk; a corrupted one fails; junk errors */
    q = 0;
    assert_true(es_is_ok(es_sm2_verify_msg(es_cert_pub(c), msg, sizeof(msg), der, n, &ok, &q)));
    assert_true(ok);
    assert_int_equal(q, 0);
    der[n - 1] ^= 1;
    assert_true(es_is_ok(es_sm2_verify_msg(es_cert_pub(c), msg, sizeof(msg), der, n, &ok, NULL)));
    assert_false(ok);
    assert_int_equal(es_sm2_verify_msg(es_cert_pub(c), msg, sizeof(msg), der, 10, &ok, NULL).rc,
                     ES_ERR_FORMAT_STRUCTURE);
    es_key_free(k);
    es_cert_free(c);
}

static void test_sm3_and_z(void **state)
{
    (void)state;
    uint8_t h[32], want[32];
    es_sm3("abc", 3, h);
    t_unhex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", want, 32);
    assert_memory_equal(h, want, 32);
    es_sm3_ctx c;
    es_sm3_init(&c);
    for (int i = 0; i < 16; i++) {
        es_sm3_update(&c, "abcd", 4);
    }
    es_sm3_final(&c, h);
    t_unhex("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732", want, 32);
    assert_memory_equal(h, want, 32);
}

static void test_chain_and_time(void **state)
{
    (void)state;
    es_key *k;
    es_cert *owner, *root;
    t_load_identity("owner", &k, &owner);
    es_key_free(k);
    t_load_identity("root-ca", &k, &root);
    es_trust *t;
    assert_int_equal(es_trust_new(NULL, &t), ES_OK);
    assert_int_equal(es_trust_add_path(NULL, t, t_pki()), ES_OK);
    assert_true(es_trust_count(t) >= 3);
    struct es_chain_result cr;
    int64_t mid = (es_cert_not_before(owner) + es_cert_not_after(owner)) / 2;
    assert_true(es_is_ok(es_chain_verify(t, owner, NULL, 0, mid, &cr)));
    assert_true(cr.built && cr.time_ok);
    assert_false(cr.sig_empty_id);
    assert_true(es_is_ok(es_chain_verify(t, owner, NULL, 0, es_cert_not_after(owner) + 10, &cr)));
    assert_false(cr.time_ok);
    assert_int_equal(es_trust_add_path(NULL, t, "/nonexistent/x.pem"), ES_ERR_IO_OPEN);
    es_trust_free(t);
    es_key_free(k);
    es_cert_free(owner);
    es_cert_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encrypted_pkcs8_and_passphrases),
        cmocka_unit_test(test_plain_der_and_sec1),
        cmocka_unit_test(test_pkcs12_from_ofdrw),
        cmocka_unit_test(test_signature_encodings),
        cmocka_unit_test(test_sm3_and_z),
        cmocka_unit_test(test_chain_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
