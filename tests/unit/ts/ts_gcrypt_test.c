/*
 * tests/unit/ts/ts_gcrypt_test.c - the SM2 signature of a time-stamp token
 * made by libeseal's TSA, checked with an independent implementation:
 * libgcrypt's SM3 computes the messageDigest of the TSTInfo, the SM2 user
 * digest Z (GB/T 32918.2 §5.5, the default ID 1234567812345678) and
 * e = SM3(Z || signed attributes as a DER SET), and libgcrypt's SM2
 * verifies (r, s) with the public key OpenSSL reads from the certificate in
 * the token. Only the byte slices come from our parser. A signature over
 * altered attributes must fail the same check, so the test is not vacuous.
 */
#include <openssl/x509.h>
#include <time.h>

#include "../crypto/fast_common.h" /* t_gcry_init, t_gcry_verify: libgcrypt's SM2 */
#include "ts/ts_int.h"

/* sm2p256v1 (GB/T 32918.5): a, b, Gx, Gy for Z */
static const char *const CURVE_HEX[4] = {
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0",
};

static void unhex(const char *h, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* e = SM3(Z || msg), everything with libgcrypt */
static void gcry_sm2_e(const uint8_t xy[64], const uint8_t *msg, size_t len, uint8_t e[32])
{
    static const char id[] = "1234567812345678";
    gcry_md_hd_t h;
    assert_int_equal(gcry_md_open(&h, GCRY_MD_SM3, 0), 0);
    uint8_t entl[2] = {0, (uint8_t)(8 * (sizeof(id) - 1))};
    gcry_md_write(h, entl, 2);
    gcry_md_write(h, id, sizeof(id) - 1);
    for (int i = 0; i < 4; i++) {
        uint8_t v[32];
        unhex(CURVE_HEX[i], v, 32);
        gcry_md_write(h, v, 32);
    }
    gcry_md_write(h, xy, 64);
    uint8_t z[32];
    memcpy(z, gcry_md_read(h, GCRY_MD_SM3), 32);
    gcry_md_reset(h);
    gcry_md_write(h, z, 32);
    gcry_md_write(h, msg, len);
    memcpy(e, gcry_md_read(h, GCRY_MD_SM3), 32);
    gcry_md_close(h);
}

/* The public key (x || y) of a DER certificate, read by OpenSSL. */
static void cert_xy(es_bytes der, uint8_t xy[64])
{
    const unsigned char *p = der.ptr;
    X509 *x = d2i_X509(NULL, &p, (long)der.len);
    assert_non_null(x);
    EVP_PKEY *k = X509_get0_pubkey(x);
    assert_non_null(k);
    uint8_t q[65];
    size_t n = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, q, sizeof(q), &n),
                     1);
    assert_int_equal(n, 65);
    assert_int_equal(q[0], 4);
    memcpy(xy, q + 1, 64);
    X509_free(x);
}

/* (r, s) of a DER SEQUENCE { INTEGER r, INTEGER s }, read by OpenSSL. */
static void sig_rs(es_bytes sig, uint8_t r[32], uint8_t s[32])
{
    const unsigned char *p = sig.ptr;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sig.len);
    assert_non_null(es);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), r, 32), 32);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), s, 32), 32);
    ECDSA_SIG_free(es);
}

static void test_token_sm2_with_libgcrypt(void **state)
{
    (void)state;
    t_gcry_init();
    es_key *rk = NULL, *tk = NULL;
    es_cert *rc = NULL, *tc = NULL;
    es_tsa *tsa = NULL;
    int64_t now = (int64_t)time(NULL);
    struct es_cert_spec rs = {"/CN=gcrypt root", now - 60, now + 86400, true, false, false};
    struct es_cert_spec ts = {"/CN=gcrypt TSA", now - 60, now + 86400, false, true, true};
    assert_int_equal(es_key_generate(NULL, &rk), ES_OK);
    assert_int_equal(es_key_generate(NULL, &tk), ES_OK);
    assert_true(es_is_ok(es_cert_build(&rs, rk, rk, NULL, &rc)));
    assert_true(es_is_ok(es_cert_build(&ts, tk, rk, rc, &tc)));
    assert_int_equal(es_tsa_new(NULL, tk, tc, &tsa), ES_OK);

    for (int round = 0; round < 8; round++) {
        uint8_t h[32], nonce[8], *req = NULL, *resp = NULL;
        size_t ql = 0, rl = 0;
        char doc[32];
        snprintf(doc, sizeof(doc), "document %d", round);
        es_sm3(doc, strlen(doc), h);
        assert_int_equal(es_ts_nonce(NULL, nonce, sizeof(nonce)), ES_OK);
        es_ts_req_params p = {.digest = h, .digest_len = 32, .nonce = nonce, .nonce_len = 8,
                              .cert_req = 1};
        assert_int_equal(es_ts_request(NULL, &p, &req, &ql), ES_OK);
        assert_int_equal(es_tsa_respond(NULL, tsa, req, ql, &resp, &rl), ES_OK);
        struct es_ts_resp r;
        struct es_ts_token t;
        assert_true(es_is_ok(es_ts_resp_parse(resp, rl, &r)));
        assert_true(r.has_token);
        assert_true(es_is_ok(es_ts_token_parse(r.token.ptr, r.token.len, &t)));
        assert_string_equal(t.sig_oid, ES_OID_SM2_SM3);
        assert_string_equal(t.digest_oid, ES_OID_SM3);
        assert_int_equal(t.n_certs, 1);

        /* messageDigest = SM3(TSTInfo), by libgcrypt */
        uint8_t md[32];
        gcry_md_hash_buffer(GCRY_MD_SM3, md, t.econtent.ptr, t.econtent.len);
        assert_true(t.has_message_digest);
        assert_int_equal(t.message_digest.len, 32);
        assert_memory_equal(t.message_digest.ptr, md, 32);

        /* the signature covers the attributes re-tagged as a SET (RFC 5652 §5.4) */
        uint8_t *set = malloc(t.signed_attrs.len);
        assert_non_null(set);
        memcpy(set, t.signed_attrs.ptr, t.signed_attrs.len);
        assert_int_equal(set[0], 0xa0);
        set[0] = 0x31;
        uint8_t xy[64], e[32], rr[32], ss[32];
        cert_xy(t.certs[0], xy);
        sig_rs(t.signature, rr, ss);
        gcry_sm2_e(xy, set, t.signed_attrs.len, e);
        assert_true(t_gcry_verify(xy, e, rr, ss));
        /* the same check fails for other bytes: one bit of the attributes */
        set[t.signed_attrs.len - 1] ^= 1;
        gcry_sm2_e(xy, set, t.signed_attrs.len, e);
        assert_false(t_gcry_verify(xy, e, rr, ss));
        free(set);
        es_free(req);
        es_free(resp);
    }
    es_tsa_free(tsa);
    es_key_free(rk);
    es_key_free(tk);
    es_cert_free(rc);
    es_cert_free(tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_sm2_with_libgcrypt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
