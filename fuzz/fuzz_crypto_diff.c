/*
 * fuzz/fuzz_crypto_diff.c - differential fuzzing of the two crypto
 * backends: libeseal's own SM2/SM3 (lib/crypto/fast) against OpenSSL,
 * called directly through EVP. Any disagreement aborts.
 * Target functions: es_crypto_fast.sm3_*, es_sm3_multi, es_sm2_fast_verify_xy,
 * es_sm2_fast_sign_k, es_sm2_fast_pub_from_priv, es_crypto_openssl.sm3_*.
 *
 * Input: byte 0 selects the operation, the rest is its material.
 *   0  SM3: the data hashed by both backends, streamed in chunks whose
 *      sizes come from the data, and by es_sm3_multi in pieces.
 *   1  verify: d (32) e (32) r (32) s (32): P = d G; (r, s) over e judged
 *      by both, as given.
 *   2  sign, mutate, verify: d (32) e (32) k (32) mask (64): our signature
 *      with nonce k must verify under OpenSSL; after XOR with mask both
 *      must give the same verdict.
 *   3  public key: x || y (64) e r s (96): an arbitrary point; OpenSSL must
 *      accept the key and the signature before we may.
 */
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/crypto.h"
#include "crypto/fast/sm2_fast.h"
#include "crypto/fast/sm3_fast.h"
#include "eseal/crypto_fast.h"

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_crypto_diff: %s\n", what);
        abort();
    }
}

static EVP_PKEY *pkey(const uint8_t xy[64])
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    uint8_t pt[65] = {4};
    memcpy(pt + 1, xy, 64);
    EVP_PKEY *pk = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = NULL;
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 65)) {
        params = OSSL_PARAM_BLD_to_param(bld);
        pc = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
        if (params && pc && EVP_PKEY_fromdata_init(pc) > 0) {
            if (EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
                pk = NULL;
            }
        }
    }
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    ERR_clear_error();
    return pk;
}

/* OpenSSL's verdict on (r, s) over e; DER with minimal INTEGERs */
static int ossl_verify(EVP_PKEY *pk, const uint8_t e[32], const uint8_t r[32],
                       const uint8_t s[32])
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(r, 32, NULL), *bs = BN_bin2bn(s, 32, NULL);
    check(sig && br && bs && ECDSA_SIG_set0(sig, br, bs), "ECDSA_SIG");
    uint8_t der[80], *p = der;
    int n = i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    check(n > 0, "i2d_ECDSA_SIG");
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
    check(pc != NULL, "EVP_PKEY_CTX_new");
    int ok = EVP_PKEY_verify_init(pc) > 0 && EVP_PKEY_verify(pc, der, (size_t)n, e, 32) == 1;
    EVP_PKEY_CTX_free(pc);
    ERR_clear_error();
    return ok;
}

/* d G through OpenSSL's generic EC code, NULL when d is 0 mod n */
static int ossl_pub(const uint8_t d[32], uint8_t xy[64])
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    EC_POINT *pt = EC_POINT_new(g);
    BIGNUM *bd = BN_bin2bn(d, 32, NULL);
    uint8_t oct[65];
    int ok = g && pt && bd && EC_POINT_mul(g, pt, bd, NULL, NULL, NULL) &&
             !EC_POINT_is_at_infinity(g, pt) &&
             EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, oct, 65, NULL) == 65;
    if (ok) {
        memcpy(xy, oct + 1, 64);
    }
    BN_free(bd);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    ERR_clear_error();
    return ok;
}

static void op_sm3(const uint8_t *p, size_t n)
{
    uint8_t a[32], b[32], c[32];
    es_sm3_ctx ca, cb;
    es_crypto_openssl.sm3_init(&ca);
    es_crypto_fast.sm3_init(&cb);
    es_crypto_openssl.sm3_update(&ca, p, n);
    size_t off = 0, step = 1;
    while (off < n) {
        size_t k = step < n - off ? step : n - off;
        es_crypto_fast.sm3_update(&cb, p + off, k);
        off += k;
        step = (size_t)p[off % n] + 1;
    }
    es_crypto_openssl.sm3_final(&ca, a);
    es_crypto_fast.sm3_final(&cb, b);
    check(memcmp(a, b, 32) == 0, "SM3 differs");
    /* the same bytes as up to 20 messages cut at data-chosen points */
    const uint8_t *msgs[20];
    size_t lens[20];
    uint8_t outs[20][32];
    size_t m = 0, pos = 0;
    while (m < 20 && pos <= n) {
        size_t len = n - pos;
        if (m < 19 && pos < n) {
            len = (size_t)p[pos] % (n - pos + 1);
        }
        msgs[m] = p + pos;
        lens[m] = len;
        pos += len + 1;
        m++;
    }
    es_sm3_multi(msgs, lens, m, outs);
    for (size_t i = 0; i < m; i++) {
        es_sm3_fast(msgs[i], lens[i], c);
        check(memcmp(c, outs[i], 32) == 0, "es_sm3_multi differs");
    }
}

static void op_verify(const uint8_t *p, size_t n)
{
    uint8_t xy[64];
    if (n < 128 || !es_sm2_fast_priv_ok(p) || !ossl_pub(p, xy)) {
        return;
    }
    uint8_t mine[64];
    es_sm2_fast_pub_from_priv(p, mine);
    check(memcmp(mine, xy, 64) == 0, "public key differs");
    EVP_PKEY *pk = pkey(xy);
    check(pk != NULL, "key");
    int a = es_sm2_fast_verify_xy(xy, p + 32, p + 64, p + 96);
    int b = ossl_verify(pk, p + 32, p + 64, p + 96);
    check(a == b, "verify verdicts differ");
    EVP_PKEY_free(pk);
}

static void op_sign(const uint8_t *p, size_t n)
{
    uint8_t xy[64], r[32], s[32];
    if (n < 160 || !es_sm2_fast_priv_ok(p) || !ossl_pub(p, xy)) {
        return;
    }
    uint8_t k[32];
    memcpy(k, p + 64, 32);
    k[0] &= 0x7f; /* below n */
    if (!es_sm2_fast_priv_ok(k)) {
        return;
    }
    struct es_sm2_fast_key fk;
    es_sm2_fast_key_init(&fk, p);
    if (es_sm2_fast_sign_k(&fk, p + 32, k, r, s)) {
        return; /* GB/T 32918.2 asks for another k */
    }
    EVP_PKEY *pk = pkey(xy);
    check(pk != NULL, "key");
    check(ossl_verify(pk, p + 32, r, s), "OpenSSL rejects our signature");
    check(es_sm2_fast_verify_xy(xy, p + 32, r, s), "we reject our signature");
    uint8_t e[32];
    memcpy(e, p + 32, 32);
    for (int i = 0; i < 32; i++) {
        e[i] ^= p[96 + i] & p[128 + i] & 0x11;
        r[i] ^= p[96 + i];
        s[i] ^= p[128 + i];
    }
    check(es_sm2_fast_verify_xy(xy, e, r, s) == ossl_verify(pk, e, r, s),
          "verdicts on a mutated signature differ");
    EVP_PKEY_free(pk);
}

static void op_pubkey(const uint8_t *p, size_t n)
{
    if (n < 160) {
        return;
    }
    EVP_PKEY *pk = pkey(p);
    int mine = es_sm2_fast_verify_xy(p, p + 64, p + 96, p + 128);
    if (!pk) {
        check(!mine, "accepted a signature under a key OpenSSL refuses");
        return;
    }
    check(mine == ossl_verify(pk, p + 64, p + 96, p + 128), "verdicts differ");
    EVP_PKEY_free(pk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    switch (data[0] % 4) {
    case 0:
        op_sm3(data + 1, size - 1);
        break;
    case 1:
        op_verify(data + 1, size - 1);
        break;
    case 2:
        op_sign(data + 1, size - 1);
        break;
    default:
        op_pubkey(data + 1, size - 1);
        break;
    }
    return 0;
}
