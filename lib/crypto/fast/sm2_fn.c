/*
 * lib/crypto/fast/sm2_fn.c - arithmetic modulo the SM2 group order n
 * (GB/T 32918.5 §3), constant time. Only a handful of these operations
 * run per signature, so a portable Montgomery multiplier (CIOS) is enough.
 */
#include "base/base.h"
#include "crypto/fast/sm2_ec.h"

const uint64_t ES_SM2_N[4] = {0x53bbf40939d54123ULL, 0x7203df6b21c6052bULL,
                              0xffffffffffffffffULL, 0xfffffffeffffffffULL};
/* -n^-1 mod 2^64 and R^2 mod n, R = 2^256 */
static const uint64_t N0 = 0x327f9e8872350975ULL;
static const uint64_t RR_N[4] = {0x901192af7c114f20ULL, 0x3464504ade6fa2faULL,
                                 0x620fc84c3affe0d4ULL, 0x1eb5e412a22b3d3bULL};

void es_fn_from_be(uint64_t r[4], const uint8_t in[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int b = 0; b < 8; b++) {
            w = (w << 8) | in[8 * i + b];
        }
        r[3 - i] = w;
    }
}

void es_fn_to_be(uint8_t out[32], const uint64_t a[4])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = a[3 - i];
        for (int b = 0; b < 8; b++) {
            out[8 * i + b] = (uint8_t)(w >> (56 - 8 * b));
        }
    }
}

/* borrow of a - n, as all-ones (a < n) or zero */
uint64_t es_fn_lt_n(const uint64_t a[4])
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a[i] - ES_SM2_N[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return (uint64_t)0 - borrow;
}

uint64_t es_fn_is_zero(const uint64_t a[4]) { return ct_is_zero64(a[0] | a[1] | a[2] | a[3]); }

/* r = (hi:a) - n if that is >= 0, else a */
static void sub_n_cond(uint64_t r[4], const uint64_t a[4], uint64_t hi)
{
    uint64_t t[4];
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a[i] - ES_SM2_N[i] - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    uint64_t keep = (uint64_t)0 - (borrow & ~hi & 1);
    for (int i = 0; i < 4; i++) {
        r[i] = (a[i] & keep) | (t[i] & ~keep);
    }
}

void es_fn_reduce(uint64_t r[4], const uint64_t a[4]) { sub_n_cond(r, a, 0); }

void es_fn_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t[4];
    u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        acc += (u128)a[i] + b[i];
        t[i] = (uint64_t)acc;
        acc >>= 64;
    }
    sub_n_cond(r, t, (uint64_t)acc);
}

void es_fn_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t[4];
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    uint64_t mask = (uint64_t)0 - borrow;
    u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        acc += (u128)t[i] + (ES_SM2_N[i] & mask);
        r[i] = (uint64_t)acc;
        acc >>= 64;
    }
}

void es_fn_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t[6] = {0};
    for (int i = 0; i < 4; i++) {
        u128 acc = 0;
        for (int j = 0; j < 4; j++) {
            acc += (u128)a[j] * b[i] + t[j];
            t[j] = (uint64_t)acc;
            acc >>= 64;
        }
        acc += t[4];
        t[4] = (uint64_t)acc;
        t[5] = (uint64_t)(acc >> 64);
        uint64_t m = t[0] * N0;
        acc = (u128)m * ES_SM2_N[0] + t[0];
        acc >>= 64;
        for (int j = 1; j < 4; j++) {
            acc += (u128)m * ES_SM2_N[j] + t[j];
            t[j - 1] = (uint64_t)acc;
            acc >>= 64;
        }
        acc += t[4];
        t[3] = (uint64_t)acc;
        t[4] = t[5] + (uint64_t)(acc >> 64);
    }
    sub_n_cond(r, t, t[4]);
}

void es_fn_to_mont(uint64_t r[4], const uint64_t a[4]) { es_fn_mont_mul(r, a, RR_N); }

/* a^(n-2) in the Montgomery domain, 4-bit fixed windows over the public exponent. */
void es_fn_inv_mont(uint64_t r[4], const uint64_t a[4])
{
    static const uint64_t e[4] = {0x53bbf40939d54121ULL, 0x7203df6b21c6052bULL,
                                  0xffffffffffffffffULL, 0xfffffffeffffffffULL};
    uint64_t tab[16][4];
    /* tab[0] = R mod n (one), tab[i] = a^i */
    static const uint64_t one[4] = {1, 0, 0, 0};
    es_fn_to_mont(tab[0], one);
    memcpy(tab[1], a, 32);
    for (int i = 2; i < 16; i++) {
        es_fn_mont_mul(tab[i], tab[i - 1], a);
    }
    uint64_t acc[4];
    memcpy(acc, tab[0], 32);
    for (int i = 63; i >= 0; i--) {
        for (int k = 0; k < 4; k++) {
            es_fn_mont_mul(acc, acc, acc);
        }
        unsigned nib = (unsigned)(e[i / 16] >> (4 * (i % 16))) & 15;
        es_fn_mont_mul(acc, acc, tab[nib]);
    }
    memcpy(r, acc, 32);
    es_wipe(tab, sizeof(tab));
}

uint64_t es_sm2_sign_finish(const struct es_sm2_fast_key *key, const uint64_t e[4],
                            const uint64_t k[4], const uint64_t x1[4], uint64_t r[4],
                            uint64_t s[4])
{
    uint64_t t[4], rd[4];
    es_fn_add(r, e, x1);
    uint64_t retry = es_fn_is_zero(r);
    es_fn_add(t, r, k);
    retry |= es_fn_is_zero(t);
    es_fn_mont_mul(rd, key->d_mont, r);
    es_fn_sub(t, k, rd);
    es_fn_mont_mul(s, key->dinv_mont, t);
    retry |= es_fn_is_zero(s);
    es_wipe(t, sizeof(t));
    es_wipe(rd, sizeof(rd));
    return retry;
}
