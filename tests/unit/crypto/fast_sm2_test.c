/*
 * tests/unit/crypto/fast_sm2_test.c - the fast SM2 backend proven equal to
 * OpenSSL and libgcrypt: field arithmetic against BIGNUM, public keys
 * against OpenSSL's, signatures made by each of the three verified by the
 * others, corrupted and out-of-range signatures judged alike, the
 * GB/T 32918 retry rules, on every implementation the CPU offers
 * (portable / MULX-ADX multiplier, portable / AVX2 / AVX-512 table scan).
 */
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fast_common.h"

#include "crypto/fast/sm2_fast.h"

static const char *N_HEX = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";
static const char *P_HEX = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF";

/* implementations to run: every subset the CPU supports, deduplicated */
static unsigned g_variants[8];
static size_t g_n_variants;

static void pick_variants(void)
{
    unsigned cpu = es_sm2_fast_cpu();
    const unsigned all[] = {0,
                            ES_SM2_IMPL_AVX2,
                            ES_SM2_IMPL_ADX,
                            ES_SM2_IMPL_ADX | ES_SM2_IMPL_AVX2,
                            ES_SM2_IMPL_ADX | ES_SM2_IMPL_AVX2 | ES_SM2_IMPL_AVX512,
                            ES_SM2_IMPL_ADX | ES_SM2_IMPL_AVX2 | ES_SM2_IMPL_AVX512 |
                                ES_SM2_IMPL_IFMA};
    g_n_variants = 0;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        unsigned v = all[i] & cpu;
        bool dup = false;
        for (size_t j = 0; j < g_n_variants; j++) {
            dup |= g_variants[j] == v;
        }
        if (!dup) {
            g_variants[g_n_variants++] = v;
        }
    }
}

static void limbs_from_bn(uint64_t r[4], const BIGNUM *bn)
{
    uint8_t b[32];
    assert_int_equal(BN_bn2binpad(bn, b, 32), 32);
    es_fn_from_be(r, b);
}

static BIGNUM *bn_from_limbs(const uint64_t a[4])
{
    uint8_t b[32];
    es_fn_to_be(b, a);
    return BN_bin2bn(b, 32, NULL);
}

/* Random field element, biased towards the edges (0, 1, p-1, limbs of all ones). */
static void rand_below(uint64_t r[4], const BIGNUM *m, BN_CTX *ctx)
{
    BIGNUM *t = BN_new();
    uint8_t b[32];
    unsigned kind = (unsigned)(t_rand64() % 8);
    t_rand_bytes(b, 32);
    if (kind == 0) {
        memset(b, 0, 32);
        b[31] = (uint8_t)(t_rand64() % 3);
    } else if (kind == 1) {
        memset(b, 0xff, 32);
    } else if (kind == 2) {
        for (int i = 0; i < 32; i++) {
            b[i] = (t_rand64() & 1) ? 0xff : 0;
        }
    }
    BN_bin2bn(b, 32, t);
    if (kind == 1) {
        BN_sub(t, m, BN_value_one());
        BN_sub_word(t, (BN_ULONG)(t_rand64() % 3));
    }
    BN_nnmod(t, t, m, ctx);
    limbs_from_bn(r, t);
    BN_free(t);
}

static void test_field(void **state)
{
    (void)state;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = NULL, *rinv = BN_new(), *r = BN_new(), *x = BN_new();
    BN_hex2bn(&p, P_HEX);
    BN_set_bit(r, 256);
    BN_mod_inverse(rinv, r, p, ctx);
    long iters = t_iters(20000);
    for (long it = 0; it < iters; it++) {
        uint64_t a[4], b[4], c1[4], c2[4], want[4];
        rand_below(a, p, ctx);
        rand_below(b, p, ctx);
        BIGNUM *ba = bn_from_limbs(a), *bb = bn_from_limbs(b);
        /* Montgomery product a b R^-1 */
        BN_mod_mul(x, ba, bb, p, ctx);
        BN_mod_mul(x, x, rinv, p, ctx);
        limbs_from_bn(want, x);
        es_sm2_fe_mul_c(c1, a, b);
        assert_memory_equal(c1, want, 32);
        es_sm2_fe_add_c(c1, a, b);
        BN_mod_add(x, ba, bb, p, ctx);
        limbs_from_bn(want, x);
        assert_memory_equal(c1, want, 32);
        es_sm2_fe_sub_c(c1, a, b);
        BN_mod_sub(x, ba, bb, p, ctx);
        limbs_from_bn(want, x);
        assert_memory_equal(c1, want, 32);
#ifdef ES_FAST_HAVE_ADX_ASM
        es_sm2_fe_add_adx(c1, a, b);
        BN_mod_add(x, ba, bb, p, ctx);
        limbs_from_bn(want, x);
        assert_memory_equal(c1, want, 32);
        es_sm2_fe_sub_adx(c1, a, b);
        BN_mod_sub(x, ba, bb, p, ctx);
        limbs_from_bn(want, x);
        assert_memory_equal(c1, want, 32);
#endif
        es_sm2_fe_sqr_c(c2, a);
        BN_mod_mul(x, ba, ba, p, ctx);
        BN_mod_mul(x, x, rinv, p, ctx);
        limbs_from_bn(want, x);
        assert_memory_equal(c2, want, 32);
#ifdef ES_FAST_HAVE_ADX_ASM
        if (es_sm2_fast_cpu() & ES_SM2_IMPL_ADX) {
            es_sm2_fe_mul_adx(c1, a, b);
            es_sm2_fe_mul_c(c2, a, b);
            assert_memory_equal(c1, c2, 32);
            es_sm2_fe_sqr_adx(c1, a);
            es_sm2_fe_sqr_c(c2, a);
            assert_memory_equal(c1, c2, 32);
            /* aliasing r = a */
            memcpy(c1, a, 32);
            es_sm2_fe_mul_adx(c1, c1, b);
            es_sm2_fe_mul_c(c2, a, b);
            assert_memory_equal(c1, c2, 32);
        }
#endif
        if (it % 64 == 0) {
            /* inversion: a^-1 in Montgomery form times a is one */
            uint64_t inv[4], one[4];
            es_sm2_fe_inv_c(inv, a);
            es_sm2_fe_mul_c(one, inv, a);
            es_sm2_fe_mul_c(one, one, (const uint64_t[4]){1, 0, 0, 0});
            /* Montgomery product of a and its inverse is R, i.e. 1 once converted */
            if (BN_is_zero(ba)) {
                assert_true(one[0] == 0 && one[1] == 0 && one[2] == 0 && one[3] == 0);
            } else {
                assert_true(one[0] == 1 && one[1] == 0 && one[2] == 0 && one[3] == 0);
            }
            uint64_t inv3[4];
            es_sm2_fe_inv_gcd_c(inv3, a);
            assert_memory_equal(inv, inv3, 32);
#ifdef ES_FAST_HAVE_ADX_ASM
            if (es_sm2_fast_cpu() & ES_SM2_IMPL_ADX) {
                uint64_t inv2[4];
                es_sm2_fe_inv_adx(inv2, a);
                assert_memory_equal(inv, inv2, 32);
                es_sm2_fe_inv_gcd_adx(inv2, a);
                assert_memory_equal(inv, inv2, 32);
            }
#endif
        }
        BN_free(ba);
        BN_free(bb);
    }
    BN_free(p);
    BN_free(rinv);
    BN_free(r);
    BN_free(x);
    BN_CTX_free(ctx);
}

/* safegcd inverses against BN_mod_inverse, modulo p and n */
/* want = a b R^-1 mod p (R = 2^256) */
static void mont_ref(uint64_t want[4], const uint64_t a[4], const uint64_t b[4],
                     const BIGNUM *p, const BIGNUM *rinv, BN_CTX *ctx)
{
    BIGNUM *ba = bn_from_limbs(a), *bb = bn_from_limbs(b), *x = BN_new();
    BN_mod_mul(x, ba, bb, p, ctx);
    BN_mod_mul(x, x, rinv, p, ctx);
    limbs_from_bn(want, x);
    BN_free(ba);
    BN_free(bb);
    BN_free(x);
}

/* a*b and a^2 by every multiplier the CPU offers, against BIGNUM */
static void check_mul_sqr(const uint64_t a[4], const uint64_t b[4], const BIGNUM *p,
                          const BIGNUM *rinv, BN_CTX *ctx)
{
    uint64_t want[4], got[4];
    mont_ref(want, a, b, p, rinv, ctx);
    es_sm2_fe_mul_c(got, a, b);
    assert_memory_equal(got, want, 32);
#ifdef ES_FAST_HAVE_ADX_ASM
    if (es_sm2_fast_cpu() & ES_SM2_IMPL_ADX) {
        /* the instantiation's multiplier (sm2_fp_mulx.h) and the earlier one */
        es_sm2_fe_mul_adx(got, a, b);
        assert_memory_equal(got, want, 32);
        fe_mul_adx(got, a, b);
        assert_memory_equal(got, want, 32);
    }
#endif
    mont_ref(want, a, a, p, rinv, ctx);
    es_sm2_fe_sqr_c(got, a);
    assert_memory_equal(got, want, 32);
#ifdef ES_FAST_HAVE_ADX_ASM
    if (es_sm2_fast_cpu() & ES_SM2_IMPL_ADX) {
        es_sm2_fe_sqr_adx(got, a);
        assert_memory_equal(got, want, 32);
        fe_sqr_adx(got, a);
        assert_memory_equal(got, want, 32);
    }
#endif
}

/*
 * The carry edges of the multipliers (portable, sm2_fp_mulx.h's used by the
 * MULX/ADX instantiation, and sm2_fp.h's earlier fe_mul_adx), systematically rather than by chance:
 * every element whose limbs are drawn from {0, 1, 2^32 - 1, 2^32,
 * 2^64 - 2^32, 2^64 - 1} (reduced mod p; these make the Montgomery quotients
 * and the carry chains of the reduction take their extreme values), squared
 * and multiplied by each of the named edge values (0, 1, 2, p - 1, p - 2,
 * 2^256 - p, R mod p, R^2 mod p, 2^255 mod p, 2^64 - 1), and every pair of
 * those named values with each other.
 */
static void test_field_edges(void **state)
{
    (void)state;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = NULL, *rinv = BN_new(), *r = BN_new(), *t = BN_new();
    BN_hex2bn(&p, P_HEX);
    BN_set_bit(r, 256);
    BN_mod_inverse(rinv, r, p, ctx);
    static const uint64_t P[4] = {0xffffffffffffffffULL, 0xffffffff00000000ULL,
                                  0xffffffffffffffffULL, 0xfffffffeffffffffULL};
    uint64_t named[10][4] = {
        {0, 0, 0, 0},
        {1, 0, 0, 0},
        {2, 0, 0, 0},
        {P[0] - 1, P[1], P[2], P[3]},
        {P[0] - 2, P[1], P[2], P[3]},
        {1, 0x00000000ffffffffULL, 0, 0x0000000100000000ULL}, /* 2^256 - p = R mod p */
        {0x0000000200000003ULL, 0x00000002ffffffffULL, 0x0000000100000001ULL,
         0x0000000400000002ULL}, /* R^2 mod p */
        {0, 0, 0, 0x8000000000000000ULL},
        {0xffffffffffffffffULL, 0, 0, 0},
        {0xffffffffffffffffULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL, 0},
    };
    for (size_t i = 0; i < 10; i++) {
        for (size_t j = 0; j < 10; j++) {
            check_mul_sqr(named[i], named[j], p, rinv, ctx);
        }
    }
    static const uint64_t limb[6] = {0, 1, 0xffffffffULL, 0x100000000ULL,
                                     0xffffffff00000000ULL, 0xffffffffffffffffULL};
    for (unsigned k = 0; k < 6 * 6 * 6 * 6; k++) {
        uint64_t a[4] = {limb[k % 6], limb[k / 6 % 6], limb[k / 36 % 6], limb[k / 216]};
        BIGNUM *ba = bn_from_limbs(a);
        BN_nnmod(t, ba, p, ctx);
        limbs_from_bn(a, t);
        BN_free(ba);
        for (size_t j = 0; j < 10; j++) {
            check_mul_sqr(a, named[j], p, rinv, ctx);
        }
    }
    BN_free(p);
    BN_free(rinv);
    BN_free(r);
    BN_free(t);
    BN_CTX_free(ctx);
}

static void test_safegcd(void **state)
{
    (void)state;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *mods[2] = {NULL, NULL}, *x = BN_new();
    BN_hex2bn(&mods[0], P_HEX);
    BN_hex2bn(&mods[1], N_HEX);
    for (int m = 0; m < 2; m++) {
        for (long it = 0; it < t_iters(20000); it++) {
            uint64_t a[4], r[4], want[4];
            if (it < 256) {
                /* 2^it, and 2^it - 1, below the modulus */
                BIGNUM *t = BN_new();
                BN_set_bit(t, (int)(it % 256));
                if (it & 1) {
                    BN_sub_word(t, 1);
                }
                BN_nnmod(t, t, mods[m], ctx);
                limbs_from_bn(a, t);
                BN_free(t);
            } else {
                rand_below(a, mods[m], ctx);
            }
            if (m == 0) {
                es_sm2_inv_mod_p(r, a);
            } else {
                es_sm2_inv_mod_n(r, a);
            }
            BIGNUM *ba = bn_from_limbs(a);
            if (BN_is_zero(ba)) {
                memset(want, 0, 32);
            } else {
                assert_non_null(BN_mod_inverse(x, ba, mods[m], ctx));
                limbs_from_bn(want, x);
            }
            assert_memory_equal(r, want, 32);
            BN_free(ba);
        }
    }
    BN_free(mods[0]);
    BN_free(mods[1]);
    BN_free(x);
    BN_CTX_free(ctx);
}

static void test_scalar(void **state)
{
    (void)state;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *n = NULL, *rinv = BN_new(), *r = BN_new(), *x = BN_new();
    BN_hex2bn(&n, N_HEX);
    BN_set_bit(r, 256);
    BN_mod_inverse(rinv, r, n, ctx);
    for (long it = 0; it < t_iters(5000); it++) {
        uint64_t a[4], b[4], c[4], want[4];
        rand_below(a, n, ctx);
        rand_below(b, n, ctx);
        BIGNUM *ba = bn_from_limbs(a), *bb = bn_from_limbs(b);
        es_fn_mont_mul(c, a, b);
        BN_mod_mul(x, ba, bb, n, ctx);
        BN_mod_mul(x, x, rinv, n, ctx);
        limbs_from_bn(want, x);
        assert_memory_equal(c, want, 32);
        es_fn_add(c, a, b);
        BN_mod_add(x, ba, bb, n, ctx);
        limbs_from_bn(want, x);
        assert_memory_equal(c, want, 32);
        es_fn_sub(c, a, b);
        BN_mod_sub(x, ba, bb, n, ctx);
        limbs_from_bn(want, x);
        assert_memory_equal(c, want, 32);
        if (it % 100 == 0 && !BN_is_zero(ba)) {
            uint64_t am[4], im[4], one[4];
            es_fn_to_mont(am, a);
            es_fn_inv_mont(im, am);
            es_fn_mont_mul(one, im, am);
            es_fn_mont_mul(one, one, (const uint64_t[4]){1, 0, 0, 0});
            assert_true(one[0] == 1 && one[1] == 0 && one[2] == 0 && one[3] == 0);
        }
        BN_free(ba);
        BN_free(bb);
    }
    /* reduction of values >= n */
    uint8_t ff[32];
    memset(ff, 0xff, 32);
    uint64_t v[4];
    es_fn_from_be(v, ff);
    es_fn_reduce(v, v);
    BIGNUM *bf = BN_bin2bn(ff, 32, NULL);
    BN_nnmod(bf, bf, n, ctx);
    uint64_t want[4];
    limbs_from_bn(want, bf);
    assert_memory_equal(v, want, 32);
    BN_free(bf);
    BN_free(n);
    BN_free(rinv);
    BN_free(r);
    BN_free(x);
    BN_CTX_free(ctx);
}

/* d*G against OpenSSL's public key, and the ends of the range. */
static void test_pubkey(void **state)
{
    (void)state;
    for (size_t v = 0; v < g_n_variants; v++) {
        es_sm2_fast_force(g_variants[v]);
        for (long it = 0; it < t_iters(40); it++) {
            uint8_t d[32], xy[64], mine[64];
            EVP_PKEY *pk = t_ossl_keygen(d, xy);
            es_sm2_fast_pub_from_priv(d, mine);
            assert_memory_equal(mine, xy, 64);
            EVP_PKEY_free(pk);
        }
        /* d = 1 gives G; d = n - 1 gives -G */
        static const uint8_t gxy[64] = {
            0x32, 0xC4, 0xAE, 0x2C, 0x1F, 0x19, 0x81, 0x19, 0x5F, 0x99, 0x04, 0x46, 0x6A,
            0x39, 0xC9, 0x94, 0x8F, 0xE3, 0x0B, 0xBF, 0xF2, 0x66, 0x0B, 0xE1, 0x71, 0x5A,
            0x45, 0x89, 0x33, 0x4C, 0x74, 0xC7, 0xBC, 0x37, 0x36, 0xA2, 0xF4, 0xF6, 0x77,
            0x9C, 0x59, 0xBD, 0xCE, 0xE3, 0x6B, 0x69, 0x21, 0x53, 0xD0, 0xA9, 0x87, 0x7C,
            0xC6, 0x2A, 0x47, 0x40, 0x02, 0xDF, 0x32, 0xE5, 0x21, 0x39, 0xF0, 0xA0};
        uint8_t d[32] = {0}, xy[64];
        d[31] = 1;
        es_sm2_fast_pub_from_priv(d, xy);
        assert_memory_equal(xy, gxy, 64);
        t_unhex(N_HEX, d, 32);
        d[31] -= 1;
        es_sm2_fast_pub_from_priv(d, xy);
        assert_memory_equal(xy, gxy, 32);
        /* every window's top digit, and scalars with long runs of ones/zeros */
        for (int k = 0; k < 64; k++) {
            uint8_t dd[32], want[64];
            for (int i = 0; i < 32; i++) {
                dd[i] = (uint8_t)((k & 1) ? 0xff : 0x00);
            }
            dd[0] = (uint8_t)(0x7f - k);
            dd[31] |= 1;
            es_sm2_fast_pub_from_priv(dd, xy);
            /* compare with OpenSSL's EC_POINT_mul */
            EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_sm2);
            EC_POINT *pt = EC_POINT_new(grp);
            BIGNUM *bd = BN_bin2bn(dd, 32, NULL);
            assert_true(EC_POINT_mul(grp, pt, bd, NULL, NULL, NULL));
            uint8_t oct[65];
            assert_int_equal(EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, oct, 65,
                                                NULL),
                             65);
            memcpy(want, oct + 1, 64);
            assert_memory_equal(xy, want, 64);
            BN_free(bd);
            EC_POINT_free(pt);
            EC_GROUP_free(grp);
        }
    }
    es_sm2_fast_force(~0u);
}

/* Flips one random bit of one of r, s, e or swaps in an edge value. */
static int corrupt(uint8_t e[32], uint8_t r[32], uint8_t s[32])
{
    int kind = (int)(t_rand64() % 10);
    uint8_t *t = kind % 3 == 0 ? e : kind % 3 == 1 ? r : s;
    if (kind < 6) {
        unsigned bit = (unsigned)(t_rand64() % 256);
        t[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    } else if (kind == 6) {
        memset(r, 0, 32);
    } else if (kind == 7) {
        t_unhex(N_HEX, s, 32); /* s = n */
    } else if (kind == 8) {
        t_unhex(N_HEX, r, 32);
        r[31] = (uint8_t)(r[31] + (t_rand64() & 3)); /* r = n .. n+3 (no carry: 0x23) */
    } else {
        t_rand_bytes(s, 32);
    }
    return kind;
}

/*
 * The differential core: for random keys and digests, our signatures
 * verify under OpenSSL and libgcrypt, theirs under ours, and for every
 * corrupted triple all three give the same verdict.
 */
static void test_differential(void **state)
{
    (void)state;
    t_gcry_init();
    const struct es_crypto_ops *fast = &es_crypto_fast;
    long iters = t_iters(t_under_asan() ? 120 : 300);
    for (size_t v = 0; v < g_n_variants; v++) {
        es_sm2_fast_force(g_variants[v]);
        for (long it = 0; it < iters; it++) {
            uint8_t d[32], xy[64], e[32], r[32], s[32];
            EVP_PKEY *pk = t_ossl_keygen(d, xy);
            es_key key;
            memset(&key, 0, sizeof(key));
            memcpy(key.d, d, 32);
            memcpy(key.pub.xy, xy, 64);
            key.pub.ossl = pk;
            assert_true(es_is_ok(fast->key_prepare(&key)));
            t_rand_bytes(e, 32);
            if (it % 8 == 0) {
                memset(e, 0xff, 32); /* e >= n */
            }
            /* ours -> OpenSSL, libgcrypt, ours */
            assert_true(es_is_ok(fast->sm2_sign(&key, e, r, s)));
            bool ok = false;
            assert_true(es_is_ok(fast->sm2_verify(&key.pub, e, r, s, &ok)));
            assert_true(ok);
            assert_true(t_ossl_verify(pk, e, r, s));
            if (it % 4 == 0) {
                assert_true(t_gcry_verify(xy, e, r, s));
            }
            /* OpenSSL -> ours */
            uint8_t r2[32], s2[32];
            t_ossl_sign(pk, e, r2, s2);
            assert_true(es_sm2_fast_verify_xy(xy, e, r2, s2));
            /* libgcrypt -> ours */
            if (it % 4 == 1) {
                t_gcry_sign(d, xy, e, r2, s2);
                assert_true(es_sm2_fast_verify_xy(xy, e, r2, s2));
            }
            /* corrupted: same verdict everywhere */
            for (int c = 0; c < 3; c++) {
                uint8_t ce[32], cr[32], cs[32];
                memcpy(ce, e, 32);
                memcpy(cr, r, 32);
                memcpy(cs, s, 32);
                corrupt(ce, cr, cs);
                bool mine = es_sm2_fast_verify_xy(xy, ce, cr, cs);
                bool theirs = t_ossl_verify(pk, ce, cr, cs);
                if (mine != theirs) {
                    char h[65];
                    es_hex_encode(cr, 32, h);
                    fail_msg("verdicts differ (ours %d, OpenSSL %d), r=%s", mine, theirs, h);
                }
                if (c == 0 && it % 4 == 2) {
                    assert_int_equal(mine, t_gcry_verify(xy, ce, cr, cs));
                }
            }
            fast->key_cache_free(key.backend_cache);
            EVP_PKEY_free(pk);
        }
    }
    es_sm2_fast_force(~0u);
}

/*
 * The per-thread table cache of verification: more keys than cache slots,
 * used in a shuffled order so that tables are built, hit and evicted; each
 * verdict (valid and corrupted signatures) equals OpenSSL's and the
 * uncached path's.
 */
static void test_verify_table_cache(void **state)
{
    (void)state;
    enum { KEYS = 40, SIGS = 3 };
    long rounds = t_iters(t_under_asan() ? 60 : 240);
    static uint8_t d[KEYS][32], xy[KEYS][64], e[KEYS][SIGS][32], r[KEYS][SIGS][32],
        s[KEYS][SIGS][32];
    EVP_PKEY *pk[KEYS];
    for (int i = 0; i < KEYS; i++) {
        pk[i] = t_ossl_keygen(d[i], xy[i]);
        for (int j = 0; j < SIGS; j++) {
            t_rand_bytes(e[i][j], 32);
            t_ossl_sign(pk[i], e[i][j], r[i][j], s[i][j]);
        }
    }
    for (size_t v = 0; v < g_n_variants; v++) {
        es_sm2_fast_force(g_variants[v]);
        for (long it = 0; it < rounds; it++) {
            /* a few keys come back often (cached), the rest rarely */
            int i = (int)(t_rand64() % (it % 2 ? 4 : KEYS));
            int j = (int)(t_rand64() % SIGS);
            uint8_t ce[32], cr[32], cs[32];
            memcpy(ce, e[i][j], 32);
            memcpy(cr, r[i][j], 32);
            memcpy(cs, s[i][j], 32);
            if (it % 3 == 0) {
                corrupt(ce, cr, cs);
            }
            bool cached = es_sm2_fast_verify_xy(xy[i], ce, cr, cs);
            es_sm2_fast_vcache(false);
            bool plain = es_sm2_fast_verify_xy(xy[i], ce, cr, cs);
            es_sm2_fast_vcache(true);
            bool theirs = t_ossl_verify(pk[i], ce, cr, cs);
            assert_int_equal(cached, plain);
            assert_int_equal(cached, theirs);
            if (it % 3 != 0) {
                assert_true(cached);
            }
        }
    }
    /* a bad key seen twice is refused by the cached path too */
    uint8_t bad[64];
    memcpy(bad, xy[0], 64);
    bad[63] ^= 1;
    for (int k = 0; k < 3; k++) {
        assert_false(es_sm2_fast_verify_xy(bad, e[0][0], r[0][0], s[0][0]));
    }
    for (int i = 0; i < KEYS; i++) {
        EVP_PKEY_free(pk[i]);
    }
    es_sm2_fast_force(~0u);
}

/*
 * The signing pool's batch: x of k G for SM2_BATCH nonces at once equals
 * the single constant-time path (public key code), edge nonces included;
 * signatures with the pool off verify under OpenSSL too.
 */
static void test_nonce_batch(void **state)
{
    (void)state;
    long rounds = t_iters(t_under_asan() ? 4 : 12);
    for (size_t v = 0; v < g_n_variants; v++) {
        es_sm2_fast_force(g_variants[v]);
        for (long it = 0; it < rounds; it++) {
            uint8_t k[SM2_BATCH][32], x[SM2_BATCH][32], xy[64], ref[32];
            for (int b = 0; b < SM2_BATCH; b++) {
                t_rand_bytes(k[b], 32);
                k[b][0] &= 0x7f;
            }
            if (it == 0) {
                memset(k[0], 0, 32); /* k = 1: every window but the lowest zero */
                k[0][31] = 1;
                t_unhex(N_HEX, k[1], 32); /* k = n - 1 */
                k[1][31] = (uint8_t)(k[1][31] - 1);
                memset(k[2], 0, 32); /* only the top window */
                k[2][0] = 0x70;
                memset(k[3], 0xff, 16); /* long runs: Booth carries */
                memset(k[3], 0x7f, 1);
            }
            es_sm2_fast_nonce_batch((const uint8_t(*)[32])k, x);
            for (int b = 0; b < SM2_BATCH; b++) {
                es_sm2_fast_pub_from_priv(k[b], xy);
                uint64_t xv[4];
                es_fn_from_be(xv, xy);
                es_fn_reduce(xv, xv);
                es_fn_to_be(ref, xv);
                assert_memory_equal(x[b], ref, 32);
            }
        }
        uint8_t d[32], xy[64], e[32], r[32], s[32];
        EVP_PKEY *pk = t_ossl_keygen(d, xy);
        es_key key;
        memset(&key, 0, sizeof(key));
        memcpy(key.d, d, 32);
        memcpy(key.pub.xy, xy, 64);
        key.pub.ossl = pk;
        assert_true(es_is_ok(es_crypto_fast.key_prepare(&key)));
        for (int pool = 0; pool < 2; pool++) {
            es_sm2_fast_pool(pool == 1);
            for (int i = 0; i < 2 * SM2_BATCH + 1; i++) {
                t_rand_bytes(e, 32);
                assert_true(es_is_ok(es_crypto_fast.sm2_sign(&key, e, r, s)));
                assert_true(t_ossl_verify(pk, e, r, s));
            }
        }
        es_crypto_fast.key_cache_free(key.backend_cache);
        EVP_PKEY_free(pk);
    }
    es_sm2_fast_force(~0u);
}

/*
 * A forked child must not reuse the parent's pooled nonces: with one e,
 * a reused k would give the child the very r that the parent's next
 * signature gets.
 */
static void test_pool_fork(void **state)
{
    (void)state;
    uint8_t d[32], xy[64], e[32], r[32], s[32], rc[32];
    EVP_PKEY *pk = t_ossl_keygen(d, xy);
    es_key key;
    memset(&key, 0, sizeof(key));
    memcpy(key.d, d, 32);
    memcpy(key.pub.xy, xy, 64);
    key.pub.ossl = pk;
    assert_true(es_is_ok(es_crypto_fast.key_prepare(&key)));
    t_rand_bytes(e, 32);
    /* the pool is now full but for one nonce */
    assert_true(es_is_ok(es_crypto_fast.sm2_sign(&key, e, r, s)));
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        bool ok = es_is_ok(es_crypto_fast.sm2_sign(&key, e, rc, s));
        _exit(ok && write(fd[1], rc, 32) == 32 ? 0 : 1);
    }
    close(fd[1]);
    assert_int_equal(read(fd[0], rc, 32), 32);
    close(fd[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(es_is_ok(es_crypto_fast.sm2_sign(&key, e, r, s)));
    assert_memory_not_equal(r, rc, 32);
    es_crypto_fast.key_cache_free(key.backend_cache);
    EVP_PKEY_free(pk);
}

/*
 * Per-thread state (nonce pool, verification tables) in several threads at
 * once: each thread signs with the shared key and verifies its own and the
 * other threads' signatures; every signature must then verify under
 * OpenSSL, and no two signatures of one digest may share r (a nonce handed
 * out twice). Thread exit frees the state (checked by the ASan build).
 */
enum { TH_N = 4, TH_SIGS = 3 * SM2_BATCH };
struct th_arg {
    es_key *key;
    uint8_t e[32];
    uint8_t r[TH_SIGS][32], s[TH_SIGS][32];
    int ok; /* signatures made and verified by this thread */
};

static void *th_main(void *p)
{
    struct th_arg *a = p;
    for (int i = 0; i < TH_SIGS; i++) {
        bool ok = false;
        if (es_is_ok(es_crypto_fast.sm2_sign(a->key, a->e, a->r[i], a->s[i])) &&
            es_is_ok(es_crypto_fast.sm2_verify(&a->key->pub, a->e, a->r[i], a->s[i], &ok)) &&
            ok) {
            a->ok++;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    uint8_t d[32], xy[64];
    EVP_PKEY *pk = t_ossl_keygen(d, xy);
    es_key key;
    memset(&key, 0, sizeof(key));
    memcpy(key.d, d, 32);
    memcpy(key.pub.xy, xy, 64);
    key.pub.ossl = pk;
    assert_true(es_is_ok(es_crypto_fast.key_prepare(&key)));
    static struct th_arg args[TH_N];
    pthread_t th[TH_N];
    uint8_t e[32];
    t_rand_bytes(e, 32);
    for (int i = 0; i < TH_N; i++) {
        memset(&args[i], 0, sizeof(args[i]));
        args[i].key = &key;
        memcpy(args[i].e, e, 32);
        assert_int_equal(pthread_create(&th[i], NULL, th_main, &args[i]), 0);
    }
    for (int i = 0; i < TH_N; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(args[i].ok, TH_SIGS);
    }
    for (int i = 0; i < TH_N * TH_SIGS; i++) {
        const struct th_arg *a = &args[i / TH_SIGS];
        assert_true(t_ossl_verify(pk, e, a->r[i % TH_SIGS], a->s[i % TH_SIGS]));
        for (int j = 0; j < i; j++) {
            const struct th_arg *b = &args[j / TH_SIGS];
            assert_memory_not_equal(a->r[i % TH_SIGS], b->r[j % TH_SIGS], 32);
        }
    }
    es_crypto_fast.key_cache_free(key.backend_cache);
    EVP_PKEY_free(pk);
}

/* A wrong or off-curve public key never verifies. */
static void test_bad_pubkey(void **state)
{
    (void)state;
    uint8_t d[32], xy[64], e[32], r[32], s[32];
    EVP_PKEY *pk = t_ossl_keygen(d, xy);
    struct es_sm2_fast_key fk;
    es_sm2_fast_key_init(&fk, d);
    t_rand_bytes(e, 32);
    uint8_t k[32];
    do {
        t_rand_bytes(k, 32);
        k[0] &= 0x7f;
    } while (es_sm2_fast_sign_k(&fk, e, k, r, s));
    assert_true(es_sm2_fast_verify_xy(xy, e, r, s));
    uint8_t bad[64];
    memcpy(bad, xy, 64);
    bad[63] ^= 1; /* off the curve */
    assert_false(es_sm2_fast_verify_xy(bad, e, r, s));
    memset(bad, 0xff, 64); /* coordinates >= p */
    assert_false(es_sm2_fast_verify_xy(bad, e, r, s));
    memset(bad, 0, 64);
    assert_false(es_sm2_fast_verify_xy(bad, e, r, s));
    EVP_PKEY_free(pk);
}

/*
 * GB/T 32918.2 A5/A6: digests chosen so that r = 0, r + k = n, s = 0 must
 * make the signer ask for another nonce.
 */
static void test_retry_rules(void **state)
{
    (void)state;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *n = NULL;
    BN_hex2bn(&n, N_HEX);
    uint8_t d[32], xy[64], k[32], kxy[64], e[32], r[32], s[32];
    EVP_PKEY *pk = t_ossl_keygen(d, xy);
    struct es_sm2_fast_key fk;
    es_sm2_fast_key_init(&fk, d);
    t_rand_bytes(k, 32);
    k[0] &= 0x7f;
    es_sm2_fast_pub_from_priv(k, kxy); /* x1 = x(kG) */
    BIGNUM *x1 = BN_bin2bn(kxy, 32, NULL), *bk = BN_bin2bn(k, 32, NULL);
    BIGNUM *bd = BN_bin2bn(d, 32, NULL), *t = BN_new(), *di = BN_new();
    /* r = 0: e = -x1 */
    BN_mod_sub(t, n, x1, n, ctx);
    BN_bn2binpad(t, e, 32);
    assert_true(es_sm2_fast_sign_k(&fk, e, k, r, s) != 0);
    /* r + k = n: e = -k - x1 */
    BN_mod_sub(t, n, bk, n, ctx);
    BN_mod_sub(t, t, x1, n, ctx);
    BN_bn2binpad(t, e, 32);
    assert_true(es_sm2_fast_sign_k(&fk, e, k, r, s) != 0);
    /* s = 0: k = r d, so r = k / d and e = r - x1 */
    BN_mod_inverse(di, bd, n, ctx);
    BN_mod_mul(t, bk, di, n, ctx);
    BN_mod_sub(t, t, x1, n, ctx);
    BN_bn2binpad(t, e, 32);
    assert_true(es_sm2_fast_sign_k(&fk, e, k, r, s) != 0);
    /* an ordinary digest goes through, and e and e + n give the same r */
    t_rand_bytes(e, 32);
    memset(e, 0, 4); /* e < 2^224 < 2^256 - n */
    assert_true(es_sm2_fast_sign_k(&fk, e, k, r, s) == 0);
    BIGNUM *be = BN_bin2bn(e, 32, NULL);
    BN_add(be, be, n);
    uint8_t e2[32], r2[32], s2[32];
    assert_int_equal(BN_bn2binpad(be, e2, 32), 32);
    assert_true(es_sm2_fast_sign_k(&fk, e2, k, r2, s2) == 0);
    assert_memory_equal(r, r2, 32);
    assert_memory_equal(s, s2, 32);
    BN_free(be);
    BN_free(x1);
    BN_free(bk);
    BN_free(bd);
    BN_free(t);
    BN_free(di);
    BN_free(n);
    BN_CTX_free(ctx);
    EVP_PKEY_free(pk);
}

/* Keys through the public API: load, prepare, sign, verify, backend switch. */
static void test_es_key(void **state)
{
    (void)state;
    es_ctx *ctx = es_ctx_new();
    es_key *key = NULL;
    assert_int_equal(es_crypto_select("fast"), ES_OK);
    assert_int_equal(es_key_generate(ctx, &key), ES_OK);
    assert_true(key->backend_cache != NULL);
    assert_true(key->cache_owner == &es_crypto_fast);
    uint8_t msg[100], sig[72];
    size_t sig_len = 0;
    t_rand_bytes(msg, sizeof(msg));
    for (int i = 0; i < 20; i++) {
        assert_int_equal(es_crypto_select(i % 2 ? "openssl" : "fast"), ES_OK);
        assert_int_equal(es_key_sign(ctx, key, msg, sizeof(msg), sig, &sig_len), ES_OK);
        for (int j = 0; j < 2; j++) {
            assert_int_equal(es_crypto_select(j ? "openssl" : "fast"), ES_OK);
            bool ok = false;
            assert_true(es_is_ok(es_sm2_verify_msg(&key->pub, msg, sizeof(msg), sig, sig_len, &ok,
                                                   NULL)));
            assert_true(ok);
            msg[3] ^= 1;
            assert_true(es_is_ok(es_sm2_verify_msg(&key->pub, msg, sizeof(msg), sig, sig_len, &ok,
                                                   NULL)));
            assert_false(ok);
            msg[3] ^= 1;
        }
    }
    /* a key loaded while OpenSSL is selected has no fast cache; fast still signs */
    es_key *k2 = NULL;
    assert_int_equal(es_crypto_select("openssl"), ES_OK);
    assert_int_equal(es_key_generate(ctx, &k2), ES_OK);
    assert_null(k2->backend_cache);
    assert_int_equal(es_crypto_select("fast"), ES_OK);
    assert_int_equal(es_key_sign(ctx, k2, msg, sizeof(msg), sig, &sig_len), ES_OK);
    bool ok = false;
    assert_int_equal(es_crypto_select("openssl"), ES_OK);
    assert_true(es_is_ok(es_sm2_verify_msg(&k2->pub, msg, sizeof(msg), sig, sig_len, &ok, NULL)));
    assert_true(ok);
    es_key_free(k2);
    /* freed under the other backend: the owner frees its cache */
    es_key_free(key);
    assert_int_equal(es_crypto_select("fast"), ES_OK);
    es_ctx_free(ctx);
}

int main(void)
{
    t_seed();
    pick_variants();
    for (size_t i = 0; i < g_n_variants; i++) {
        es_sm2_fast_force(g_variants[i]);
        fprintf(stderr, "variant %s\n", es_sm2_fast_impl_name());
    }
    es_sm2_fast_force(~0u);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field),        cmocka_unit_test(test_field_edges),
        cmocka_unit_test(test_safegcd),
        cmocka_unit_test(test_scalar),
        cmocka_unit_test(test_pubkey),       cmocka_unit_test(test_differential),
        cmocka_unit_test(test_bad_pubkey),   cmocka_unit_test(test_retry_rules),
        cmocka_unit_test(test_es_key),       cmocka_unit_test(test_verify_table_cache),
        cmocka_unit_test(test_nonce_batch),  cmocka_unit_test(test_pool_fork),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
