/*
 * lib/crypto/fast/sm2_ec_impl.h - SM2 point arithmetic, written once and
 * compiled once per field multiplier. The including file defines
 *   fmul(r, a, b), fsqr(r, a)   the Montgomery multiplier to use,
 *   SFX(name)                   the suffix of exported names,
 * then includes this file. Not a header in the usual sense: it has no
 * include guard on purpose.
 *
 * Curve (GB/T 32918.5): y^2 = x^3 + a x + b over F_p with a = -3, so the
 * doubling uses the a = -3 shortcut 3(X - Z^2)(X + Z^2).
 *
 * The functions ending in _ct run in time independent of secret scalars:
 * digits are recoded without branches, table entries are found by
 * scanning the whole window, and special cases are resolved with masks.
 * The _vt functions are for public data only (verification, tables).
 */

#include "crypto/fast/sm2_ec.h"

static const fe FE_ONE_INT = {1, 0, 0, 0};

static inline void fe_to_mont(fe r, const fe a) { fmul(r, a, FP_R2); }
static inline void fe_from_mont(fe r, const fe a) { fmul(r, a, FE_ONE_INT); }

static inline void fe_dbl(fe r, const fe a) { fadd(r, a, a); }

static inline void fneg(fe r, const fe a)
{
    static const fe zero = {0, 0, 0, 0};
    fsub(r, zero, a);
}

/* r = a^(2^n) */
static inline void fe_sqr_n(fe r, const fe a, int n)
{
    fsqr(r, a);
    for (int i = 1; i < n; i++) {
        fsqr(r, r);
    }
}

/*
 * r = a^(p-2) = a^-1 (Fermat); 0 maps to 0. The exponent
 *   p - 2 = 1^31 0 1^128 0^32 1^32 1^30 0 1   (bits, high to low)
 * is built from runs x_k = a^(2^k - 1): 256 squarings, 15 multiplications.
 */
void SFX(es_sm2_fe_inv)(fe r, const fe a)
{
    fe x2, x3, x6, x12, x24, x30, x31, x32, t;
    fsqr(t, a);
    fmul(x2, t, a);
    fsqr(t, x2);
    fmul(x3, t, a);
    fe_sqr_n(t, x3, 3);
    fmul(x6, t, x3);
    fe_sqr_n(t, x6, 6);
    fmul(x12, t, x6);
    fe_sqr_n(t, x12, 12);
    fmul(x24, t, x12);
    fe_sqr_n(t, x24, 6);
    fmul(x30, t, x6);
    fsqr(t, x30);
    fmul(x31, t, a);
    fsqr(t, x31);
    fmul(x32, t, a);
    /* 1^31 0 */
    fsqr(t, x31);
    /* 1^128 */
    for (int i = 0; i < 4; i++) {
        fe_sqr_n(t, t, 32);
        fmul(t, t, x32);
    }
    /* 0^32 1^32 */
    fe_sqr_n(t, t, 64);
    fmul(t, t, x32);
    /* 1^30 */
    fe_sqr_n(t, t, 30);
    fmul(t, t, x30);
    /* 0 1 */
    fe_sqr_n(t, t, 2);
    fmul(r, t, a);
}

/* R^3 mod p: turns the plain inverse of a Montgomery value back into one. */
static const fe FP_R3 = {0x0000001200000016ULL, 0x0000000efffffff8ULL, 0x0000000a0000000cULL,
                         0x0000001b00000009ULL};

/* r = a^-1 in Montgomery form by safegcd: (aR)^-1 R^3 R^-1 = a^-1 R. */
static void fe_inv_gcd(fe r, const fe a)
{
    fe t;
    es_sm2_inv_mod_p(t, a);
    fmul(r, t, FP_R3);
}

void SFX(es_sm2_fe_inv_gcd)(fe r, const fe a) { fe_inv_gcd(r, a); }

void SFX(es_sm2_fe_mul)(fe r, const fe a, const fe b) { fmul(r, a, b); }
void SFX(es_sm2_fe_sqr)(fe r, const fe a) { fsqr(r, a); }
void SFX(es_sm2_fe_add)(fe r, const fe a, const fe b) { fadd(r, a, b); }
void SFX(es_sm2_fe_sub)(fe r, const fe a, const fe b) { fsub(r, a, b); }

/*
 * Doubling, a = -3 (dbl-2001-b, 3M + 5S). Z = 0 gives Z = 0, so infinity
 * doubles to infinity without a special case.
 */
static void pt_dbl(jpt *r, const jpt *a)
{
    fe delta, gamma, beta, alpha, t0, t1;
    fsqr(delta, a->z);
    fsqr(gamma, a->y);
    fmul(beta, a->x, gamma);
    fsub(t0, a->x, delta);
    fadd(t1, a->x, delta);
    fmul(alpha, t0, t1);
    fe_dbl(t0, alpha);
    fadd(alpha, alpha, t0);
    /* Z3 = (Y + Z)^2 - gamma - delta */
    fadd(t0, a->y, a->z);
    fsqr(t0, t0);
    fsub(t0, t0, gamma);
    fsub(r->z, t0, delta);
    /* X3 = alpha^2 - 8 beta */
    fe_dbl(beta, beta);
    fe_dbl(beta, beta); /* 4 beta */
    fsqr(t0, alpha);
    fe_dbl(t1, beta);
    fsub(r->x, t0, t1);
    /* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
    fsub(t0, beta, r->x);
    fmul(t0, alpha, t0);
    fsqr(gamma, gamma);
    fe_dbl(gamma, gamma);
    fe_dbl(gamma, gamma);
    fe_dbl(gamma, gamma);
    fsub(r->y, t0, gamma);
}

/*
 * The generic part of a mixed addition a + b (madd-2007-bl, 7M + 4S),
 * valid when neither is infinity and a != +-b. Writes H so callers can
 * detect the exceptional cases; rr2 receives 2(S2 - Y1).
 */
static inline void pt_madd_raw(jpt *r, const jpt *a, const apt *b, fe h, fe rr2)
{
    fe z1z1, u2, s2, hh, i, j, v, t;
    fsqr(z1z1, a->z);
    fmul(u2, b->x, z1z1);
    fmul(s2, a->z, z1z1);
    fmul(s2, b->y, s2);
    fsub(h, u2, a->x);
    fsub(rr2, s2, a->y);
    fe_dbl(rr2, rr2);
    fsqr(hh, h);
    fe_dbl(i, hh);
    fe_dbl(i, i);
    fmul(j, h, i);
    fmul(v, a->x, i);
    /* Z3 = (Z1 + H)^2 - Z1Z1 - HH  (= 2 Z1 H) */
    fadd(t, a->z, h);
    fsqr(t, t);
    fsub(t, t, z1z1);
    fsub(r->z, t, hh);
    /* X3 = rr^2 - J - 2V */
    fe x3;
    fsqr(x3, rr2);
    fsub(x3, x3, j);
    fe_dbl(t, v);
    fsub(x3, x3, t);
    /* Y3 = rr (V - X3) - 2 Y1 J */
    fsub(t, v, x3);
    fmul(t, rr2, t);
    fmul(j, a->y, j);
    fe_dbl(j, j);
    fsub(r->y, t, j);
    fe_copy(r->x, x3);
}

/*
 * Constant-time mixed addition with infinity masks: a_inf / b_inf are
 * all-ones when that operand is the point at infinity. The doubling case
 * a = b cannot occur in the comb (see docs/internals/CRYPTO.md: the
 * partial sums are bounded away from the next window's multiples for
 * scalars in [1, n-1]).
 */
static void pt_madd_ct(jpt *r, const jpt *a, const apt *b, uint64_t a_inf, uint64_t b_inf)
{
    jpt t;
    fe h, rr2;
    pt_madd_raw(&t, a, b, h, rr2);
    /* a is infinity: the result is b (Z = 1) */
    fe_cmov(t.x, b->x, a_inf);
    fe_cmov(t.y, b->y, a_inf);
    fe_cmov(t.z, FP_ONE, a_inf);
    /* b is infinity: the result is a */
    fe_cmov(t.x, a->x, b_inf);
    fe_cmov(t.y, a->y, b_inf);
    fe_cmov(t.z, a->z, b_inf);
    *r = t;
}

/* Variable-time mixed addition for public points; Z = 0 means infinity. */
static void pt_madd_vt(jpt *r, const jpt *a, const apt *b)
{
    if (fe_is_zero(a->z)) {
        fe_copy(r->x, b->x);
        fe_copy(r->y, b->y);
        fe_copy(r->z, FP_ONE);
        return;
    }
    jpt t;
    fe h, rr2;
    pt_madd_raw(&t, a, b, h, rr2);
    if (fe_is_zero(h)) {
        if (fe_is_zero(rr2)) {
            jpt bb;
            fe_copy(bb.x, b->x);
            fe_copy(bb.y, b->y);
            fe_copy(bb.z, FP_ONE);
            pt_dbl(r, &bb);
        } else {
            memset(r, 0, sizeof(*r));
        }
        return;
    }
    *r = t;
}

/*
 * Variable time, public points: d = 2d and acc = acc + b at once, the
 * operations of the doubling and of the mixed addition interleaved so
 * that the two independent dependency chains overlap (verification runs
 * its s G comb this way alongside the doublings of t P).
 */
static void pt_dbl_madd_vt(jpt *d, jpt *acc, const apt *b)
{
    if (fe_is_zero(acc->z)) {
        fe_copy(acc->x, b->x);
        fe_copy(acc->y, b->y);
        fe_copy(acc->z, FP_ONE);
        pt_dbl(d, d);
        return;
    }
    fe delta, gamma, beta, alpha, t0, t1;
    fe z1z1, u2, s2, h, rr, hh, ii, jj, v, t;
    jpt o;
    fsqr(delta, d->z);
    fsqr(z1z1, acc->z);
    fsqr(gamma, d->y);
    fmul(u2, b->x, z1z1);
    fmul(beta, d->x, gamma);
    fmul(s2, acc->z, z1z1);
    fsub(t0, d->x, delta);
    fadd(t1, d->x, delta);
    fmul(s2, b->y, s2);
    fmul(alpha, t0, t1);
    fsub(h, u2, acc->x);
    fsub(rr, s2, acc->y);
    fe_dbl(rr, rr);
    fe_dbl(t0, alpha);
    fadd(alpha, alpha, t0);
    fsqr(hh, h);
    fadd(t0, d->y, d->z);
    fe_dbl(ii, hh);
    fe_dbl(ii, ii);
    fsqr(t0, t0);
    fmul(jj, h, ii);
    fsub(t0, t0, gamma);
    fmul(v, acc->x, ii);
    fsub(d->z, t0, delta); /* d->x, d->y, d->z are not read after this */
    fe_dbl(beta, beta);
    fe_dbl(beta, beta);
    fadd(t, acc->z, h);
    fsqr(t0, alpha);
    fsqr(t, t);
    fe_dbl(t1, beta);
    fsub(d->x, t0, t1);
    fsub(t, t, z1z1);
    fsub(o.z, t, hh);
    fsub(t0, beta, d->x);
    fsqr(o.x, rr);
    fmul(t0, alpha, t0);
    fsub(o.x, o.x, jj);
    fe_dbl(t, v);
    fsub(o.x, o.x, t);
    fsqr(gamma, gamma);
    fsub(t, v, o.x);
    fe_dbl(gamma, gamma);
    fmul(t, rr, t);
    fe_dbl(gamma, gamma);
    fmul(jj, acc->y, jj);
    fe_dbl(gamma, gamma);
    fe_dbl(jj, jj);
    fsub(d->y, t0, gamma);
    fsub(o.y, t, jj);
    if (fe_is_zero(h)) {
        pt_madd_vt(acc, acc, b); /* acc = +-b: the general formula does not apply */
    } else {
        *acc = o;
    }
}

/* Variable-time full Jacobian addition (add-2007-bl shape, 12M + 4S). */
static void pt_add_vt(jpt *r, const jpt *a, const jpt *b)
{
    if (fe_is_zero(a->z)) {
        *r = *b;
        return;
    }
    if (fe_is_zero(b->z)) {
        *r = *a;
        return;
    }
    fe z1z1, z2z2, u1, u2, s1, s2, h, rr, hh, hhh, v, t;
    fsqr(z1z1, a->z);
    fsqr(z2z2, b->z);
    fmul(u1, a->x, z2z2);
    fmul(u2, b->x, z1z1);
    fmul(s1, b->z, z2z2);
    fmul(s1, a->y, s1);
    fmul(s2, a->z, z1z1);
    fmul(s2, b->y, s2);
    fsub(h, u2, u1);
    fsub(rr, s2, s1);
    if (fe_is_zero(h)) {
        if (fe_is_zero(rr)) {
            pt_dbl(r, a);
        } else {
            memset(r, 0, sizeof(*r));
        }
        return;
    }
    fsqr(hh, h);
    fmul(hhh, h, hh);
    fmul(v, u1, hh);
    jpt o;
    fsqr(o.x, rr);
    fsub(o.x, o.x, hhh);
    fe_dbl(t, v);
    fsub(o.x, o.x, t);
    fsub(t, v, o.x);
    fmul(t, rr, t);
    fmul(s1, s1, hhh);
    fsub(o.y, t, s1);
    fmul(o.z, a->z, b->z);
    fmul(o.z, o.z, h);
    *r = o;
}

/*
 * Two independent constant-time mixed additions, r[k] += b[k], with the
 * field operations of both interleaved so that the processor overlaps the
 * two dependency chains (a single addition is latency-bound).
 * Same formulas and masks as pt_madd_ct.
 */
static void pt_madd_ct2(jpt r[2], const apt b[2], const uint64_t a_inf[2],
                        const uint64_t b_inf[2])
{
    fe z1z1[2], u2[2], s2[2], h[2], rr[2], hh[2], ii[2], jj[2], v[2], t[2];
    jpt o[2];
    for (int k = 0; k < 2; k++) {
        fsqr(z1z1[k], r[k].z);
    }
    for (int k = 0; k < 2; k++) {
        fmul(u2[k], b[k].x, z1z1[k]);
        fmul(s2[k], r[k].z, z1z1[k]);
    }
    for (int k = 0; k < 2; k++) {
        fmul(s2[k], b[k].y, s2[k]);
        fsub(h[k], u2[k], r[k].x);
    }
    for (int k = 0; k < 2; k++) {
        fsqr(hh[k], h[k]);
        fsub(rr[k], s2[k], r[k].y);
        fe_dbl(rr[k], rr[k]);
    }
    for (int k = 0; k < 2; k++) {
        fe_dbl(ii[k], hh[k]);
        fe_dbl(ii[k], ii[k]);
        fadd(t[k], r[k].z, h[k]);
    }
    for (int k = 0; k < 2; k++) {
        fmul(jj[k], h[k], ii[k]);
        fmul(v[k], r[k].x, ii[k]);
        fsqr(t[k], t[k]);
    }
    for (int k = 0; k < 2; k++) {
        fsqr(o[k].x, rr[k]);
        fsub(t[k], t[k], z1z1[k]);
        fsub(o[k].z, t[k], hh[k]);
    }
    for (int k = 0; k < 2; k++) {
        fsub(o[k].x, o[k].x, jj[k]);
        fe_dbl(t[k], v[k]);
        fsub(o[k].x, o[k].x, t[k]);
        fmul(jj[k], r[k].y, jj[k]);
    }
    for (int k = 0; k < 2; k++) {
        fsub(t[k], v[k], o[k].x);
        fmul(t[k], rr[k], t[k]);
        fe_dbl(jj[k], jj[k]);
    }
    for (int k = 0; k < 2; k++) {
        fsub(o[k].y, t[k], jj[k]);
        fe_cmov(o[k].x, b[k].x, a_inf[k]);
        fe_cmov(o[k].y, b[k].y, a_inf[k]);
        fe_cmov(o[k].z, FP_ONE, a_inf[k]);
        fe_cmov(o[k].x, r[k].x, b_inf[k]);
        fe_cmov(o[k].y, r[k].y, b_inf[k]);
        fe_cmov(o[k].z, r[k].z, b_inf[k]);
        r[k] = o[k];
    }
}

/*
 * Complete constant-time addition of two Jacobian points given with
 * infinity masks: the general formula, the doubling and the infinity
 * cases are all computed and the right one selected by masks. Used once
 * per signature to join the comb's two accumulators.
 */
static void pt_add_ct(jpt *r, const jpt *a, uint64_t a_inf, const jpt *b, uint64_t b_inf)
{
    fe z1z1, z2z2, u1, u2, s1, s2, h, rr, hh, hhh, v, t;
    jpt o, d;
    fsqr(z1z1, a->z);
    fsqr(z2z2, b->z);
    fmul(u1, a->x, z2z2);
    fmul(u2, b->x, z1z1);
    fmul(s1, b->z, z2z2);
    fmul(s1, a->y, s1);
    fmul(s2, a->z, z1z1);
    fmul(s2, b->y, s2);
    fsub(h, u2, u1);
    fsub(rr, s2, s1);
    fsqr(hh, h);
    fmul(hhh, h, hh);
    fmul(v, u1, hh);
    fsqr(o.x, rr);
    fsub(o.x, o.x, hhh);
    fe_dbl(t, v);
    fsub(o.x, o.x, t);
    fsub(t, v, o.x);
    fmul(t, rr, t);
    fmul(s1, s1, hhh);
    fsub(o.y, t, s1);
    fmul(o.z, a->z, b->z);
    fmul(o.z, o.z, h); /* a = -b: H = 0 and Z3 = 0, the point at infinity */
    pt_dbl(&d, a);
    uint64_t same = fe_is_zero(h) & fe_is_zero(rr) & ~a_inf & ~b_inf;
    fe_cmov(o.x, d.x, same);
    fe_cmov(o.y, d.y, same);
    fe_cmov(o.z, d.z, same);
    fe_cmov(o.x, b->x, a_inf);
    fe_cmov(o.y, b->y, a_inf);
    fe_cmov(o.z, b->z, a_inf);
    fe_cmov(o.x, a->x, b_inf);
    fe_cmov(o.y, a->y, b_inf);
    fe_cmov(o.z, a->z, b_inf);
    *r = o;
}

/* t = +-(the comb entry for window j of k), with its infinity mask. */
static inline void comb_pick_ct(apt *t, uint64_t *t_inf, const uint64_t k[4], int j,
                                es_sm2_lookup_fn lookup)
{
    uint32_t digit, neg;
    fe ny;
    comb_booth(comb_window(k, j), &digit, &neg);
    lookup(t, es_sm2_comb[j], digit);
    fneg(ny, t->y);
    fe_cmov(t->y, ny, (uint64_t)0 - neg);
    *t_inf = ct_is_zero64(digit);
}

/*
 * r = k * G for a secret k in [1, n-1], constant time: one full scan of
 * each window and one mixed addition per window.
 */
_Static_assert((COMB_WINDOWS - 1) % 2 == 0, "the comb pairs all windows but the top one");

void SFX(es_sm2_mul_g_ct)(jpt *r, const uint64_t k[4], es_sm2_lookup_fn lookup)
{
    /*
     * Two accumulators, one for the even windows and one for the odd ones
     * below the top window, advanced together (pt_madd_ct2), joined by a
     * complete addition; the top window is added last. Within each
     * accumulator the partial sums stay below 2^(7j) in absolute value, far
     * from +-(the next window's multiple), so the incomplete mixed addition
     * never meets its exceptional cases; the join handles every case; and
     * the last addition is R + Q with R + Q = k as integers, k in
     * [1, n-1], where R = +-Q is impossible (docs/internals/CRYPTO.md).
     */
    apt t[2];
    jpt acc[2];
    uint64_t acc_inf[2], t_inf[2];

    for (int k2 = 0; k2 < 2; k2++) {
        comb_pick_ct(&t[k2], &acc_inf[k2], k, k2, lookup);
        fe_copy(acc[k2].x, t[k2].x);
        fe_copy(acc[k2].y, t[k2].y);
        fe_copy(acc[k2].z, FP_ONE);
    }
    for (int j = 2; j + 1 < COMB_WINDOWS; j += 2) {
        for (int k2 = 0; k2 < 2; k2++) {
            comb_pick_ct(&t[k2], &t_inf[k2], k, j + k2, lookup);
        }
        pt_madd_ct2(acc, t, acc_inf, t_inf);
        acc_inf[0] &= t_inf[0];
        acc_inf[1] &= t_inf[1];
    }
    jpt sum;
    pt_add_ct(&sum, &acc[0], acc_inf[0], &acc[1], acc_inf[1]);
    uint64_t sum_inf = acc_inf[0] & acc_inf[1];
    comb_pick_ct(&t[0], &t_inf[0], k, COMB_WINDOWS - 1, lookup);
    pt_madd_ct(r, &sum, &t[0], sum_inf, t_inf[0]);
}

/* Affine x (and optionally y) as integers from a finite Jacobian point. */
static void pt_to_affine(fe x, fe y, const jpt *p)
{
    fe zi, zi2;
    fe_inv_gcd(zi, p->z);
    fsqr(zi2, zi);
    fmul(x, p->x, zi2);
    fe_from_mont(x, x);
    if (y) {
        fmul(zi2, zi2, zi);
        fmul(y, p->y, zi2);
        fe_from_mont(y, y);
    }
}

static void fe_to_be(uint8_t out[32], const fe a)
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = a[3 - i];
        for (int b = 0; b < 8; b++) {
            out[8 * i + b] = (uint8_t)(w >> (56 - 8 * b));
        }
    }
}

static void fe_from_be(fe r, const uint8_t in[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int b = 0; b < 8; b++) {
            w = (w << 8) | in[8 * i + b];
        }
        r[3 - i] = w;
    }
}

void SFX(es_sm2_pub_from_priv)(uint8_t xy[64], const uint64_t d[4], es_sm2_lookup_fn lookup)
{
    jpt p;
    fe x, y;
    SFX(es_sm2_mul_g_ct)(&p, d, lookup);
    pt_to_affine(x, y, &p);
    fe_to_be(xy, x);
    fe_to_be(xy + 32, y);
}

/*
 * GB/T 32918.2 §6.1 A4..A6 for a given nonce k in [1, n-1]:
 *   (x1, y1) = [k]G, r = (e + x1) mod n, s = (1 + d)^-1 (k - r d) mod n.
 * e must already be reduced mod n. Returns all-ones when the standard
 * says to draw another k (r = 0, r + k = n, s = 0), else zero; every step
 * is constant time, including the returned mask's computation.
 */
/* x = (k G).x (an integer below p) for a secret k in [1, n-1], constant time. */
void SFX(es_sm2_mul_g_x_ct)(uint64_t x[4], const uint64_t k[4], es_sm2_lookup_fn lookup)
{
    jpt p;
    SFX(es_sm2_mul_g_ct)(&p, k, lookup);
    pt_to_affine(x, NULL, &p);
}

uint64_t SFX(es_sm2_sign_core)(const struct es_sm2_fast_key *key, const uint64_t e[4],
                              const uint64_t k[4], uint64_t r[4], uint64_t s[4],
                              es_sm2_lookup_fn lookup)
{
    fe x;
    SFX(es_sm2_mul_g_x_ct)(x, k, lookup);
    es_fn_reduce(x, x); /* x1 < p < 2n */
    return es_sm2_sign_finish(key, e, k, x, r, s);
}

/*
 * x[b] = X[b] / Z[b]^2 as an integer below p, for SM2_BATCH Jacobian
 * points (Montgomery form, fully reduced, Z != 0), with one inversion
 * (Montgomery's trick: products of the Z values, then back-substitution).
 * Constant time.
 */
void SFX(es_sm2_batch_x)(uint64_t x[SM2_BATCH][4], const fe X[SM2_BATCH], const fe Z[SM2_BATCH])
{
    fe prod[SM2_BATCH], inv, zi, zi2;
    fe_copy(prod[0], Z[0]);
    for (int b = 1; b < SM2_BATCH; b++) {
        fmul(prod[b], prod[b - 1], Z[b]);
    }
    fe_inv_gcd(inv, prod[SM2_BATCH - 1]);
    for (int b = SM2_BATCH - 1; b >= 0; b--) {
        if (b > 0) {
            fmul(zi, inv, prod[b - 1]);
            fmul(inv, inv, Z[b]);
        } else {
            fe_copy(zi, inv);
        }
        fsqr(zi2, zi);
        fmul(x[b], X[b], zi2);
        fe_from_mont(x[b], x[b]);
    }
}

_Static_assert(SM2_BATCH % 2 == 0, "the batch runs in pairs");

/*
 * x[b] = the affine x of k[b] G (an integer below p) for SM2_BATCH secret
 * scalars in [1, n-1], constant time. Each scalar has one accumulator over
 * all windows (the incomplete mixed addition is safe there, see
 * es_sm2_mul_g_ct and docs/internals/CRYPTO.md: below the top window the
 * partial sum is smaller than the next addend's multiple, and the top
 * window's addition is R + Q = k); two scalars' additions are interleaved
 * (pt_madd_ct2), and the SM2_BATCH results share one inversion
 * (Montgomery's trick: products of Z values, then back-substitution).
 */
void SFX(es_sm2_mul_g_batch_ct)(uint64_t x[SM2_BATCH][4], const uint64_t k[SM2_BATCH][4],
                                es_sm2_lookup_fn lookup, es_sm2_lookup_batch_fn lookup_batch)
{
    jpt acc[SM2_BATCH];
    uint64_t acc_inf[SM2_BATCH], t_inf[SM2_BATCH];
    apt t[SM2_BATCH];
    for (int j = 0; j < COMB_WINDOWS; j++) {
        if (lookup_batch) {
            uint32_t digit[SM2_BATCH], neg[SM2_BATCH];
            fe ny;
            for (int b = 0; b < SM2_BATCH; b++) {
                comb_booth(comb_window(k[b], j), &digit[b], &neg[b]);
            }
            lookup_batch(t, es_sm2_comb[j], digit);
            for (int b = 0; b < SM2_BATCH; b++) {
                fneg(ny, t[b].y);
                fe_cmov(t[b].y, ny, (uint64_t)0 - neg[b]);
                t_inf[b] = ct_is_zero64(digit[b]);
            }
        } else {
            for (int b = 0; b < SM2_BATCH; b++) {
                comb_pick_ct(&t[b], &t_inf[b], k[b], j, lookup);
            }
        }
        if (j == 0) {
            for (int b = 0; b < SM2_BATCH; b++) {
                fe_copy(acc[b].x, t[b].x);
                fe_copy(acc[b].y, t[b].y);
                fe_copy(acc[b].z, FP_ONE);
                acc_inf[b] = t_inf[b];
            }
            continue;
        }
        for (int b = 0; b < SM2_BATCH; b += 2) {
            pt_madd_ct2(&acc[b], &t[b], &acc_inf[b], &t_inf[b]);
            acc_inf[b] &= t_inf[b];
            acc_inf[b + 1] &= t_inf[b + 1];
        }
    }
    fe xs[SM2_BATCH], zs[SM2_BATCH];
    for (int b = 0; b < SM2_BATCH; b++) {
        fe_copy(xs[b], acc[b].x);
        fe_copy(zs[b], acc[b].z);
    }
    SFX(es_sm2_batch_x)(x, xs, zs);
}

/* Width-5 NAF of a 256-bit scalar: digits odd in [-15, 15] or 0. */
static int wnaf5(int8_t out[258], const uint64_t k[4])
{
    uint64_t v[5] = {k[0], k[1], k[2], k[3], 0};
    int len = 0;
    memset(out, 0, 258);
    while ((v[0] | v[1] | v[2] | v[3] | v[4]) != 0) {
        int d = 0;
        if (v[0] & 1) {
            d = (int)(v[0] & 31);
            if (d >= 16) {
                d -= 32;
            }
            /* v -= d */
            if (d > 0) {
                uint64_t b = (uint64_t)d;
                for (int i = 0; i < 5 && b; i++) {
                    uint64_t o = v[i];
                    v[i] -= b;
                    b = v[i] > o;
                }
            } else {
                uint64_t c = (uint64_t)(-d);
                for (int i = 0; i < 5 && c; i++) {
                    v[i] += c;
                    c = v[i] < c;
                }
            }
        }
        out[len++] = (int8_t)d;
        for (int i = 0; i < 4; i++) {
            v[i] = (v[i] >> 1) | (v[i + 1] << 63);
        }
        v[4] >>= 1;
    }
    return len;
}

/*
 * P from its big-endian coordinates, in Montgomery form; false unless both
 * coordinates are below p and the point is on y^2 = x^3 - 3x + b.
 */
static bool pt_load_check(apt *pa, const uint8_t xy[64])
{
    fe x, y, lhs, rhs, tmp;
    fe_from_be(x, xy);
    fe_from_be(y, xy + 32);
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)x[i] - FP_P[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    if (!borrow) {
        return false;
    }
    borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)y[i] - FP_P[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    if (!borrow) {
        return false;
    }
    fe_to_mont(pa->x, x);
    fe_to_mont(pa->y, y);
    fsqr(lhs, pa->y);
    fsqr(rhs, pa->x);
    fmul(rhs, rhs, pa->x);
    fe_dbl(tmp, pa->x);
    fadd(tmp, tmp, pa->x);
    fsub(rhs, rhs, tmp);
    fadd(rhs, rhs, FP_B);
    return fe_eq(lhs, rhs) != 0;
}

/* s G as the list of the comb's nonzero window entries (s is public, so
 * the table is indexed directly); returns how many. */
static int comb_terms(apt comb[COMB_WINDOWS], const uint64_t s[4])
{
    int n_comb = 0;
    for (int j = 0; j < COMB_WINDOWS; j++) {
        uint32_t digit, neg;
        comb_booth(comb_window(s, j), &digit, &neg);
        if (digit == 0) {
            continue;
        }
        comb[n_comb] = es_sm2_comb[j][digit - 1];
        if (neg) {
            fneg(comb[n_comb].y, comb[n_comb].y);
        }
        n_comb++;
    }
    return n_comb;
}

/*
 * The end of verification: R = r1 + r2, and the check x_R ≡ r - e (mod n)
 * done projectively as X == c Z^2 for the candidates c = (r - e) mod n and
 * c + n (when below p, since x_R < p may exceed n).
 */
static bool verify_finish(const jpt *r1, const jpt *r2, const uint64_t c[4])
{
    jpt rr;
    pt_add_vt(&rr, r1, r2);
    if (fe_is_zero(rr.z)) {
        return false;
    }
    fe z2, cm, cz, tmp;
    fsqr(z2, rr.z);
    fe_copy(tmp, c);
    fe_to_mont(cm, tmp);
    fmul(cz, cm, z2);
    if (fe_eq(cz, rr.x)) {
        return true;
    }
    uint64_t c2[4];
    u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        acc += (u128)c[i] + ES_SM2_N[i];
        c2[i] = (uint64_t)acc;
        acc >>= 64;
    }
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)c2[i] - FP_P[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    if (acc == 0 && borrow) {
        fe_to_mont(cm, c2);
        fmul(cz, cm, z2);
        if (fe_eq(cz, rr.x)) {
            return true;
        }
    }
    return false;
}

/*
 * GB/T 32918.2 §7.1 B5..B7, variable time (all inputs are public):
 * R = s G + t P and the check (e + x_R) mod n = r (verify_finish).
 * The caller has checked r, s in [1, n-1] and t = r + s mod n != 0.
 */
bool SFX(es_sm2_verify_core)(const uint8_t xy[64], const uint64_t s[4], const uint64_t t[4],
                             const uint64_t c[4])
{
    apt pa;
    if (!pt_load_check(&pa, xy)) {
        return false;
    }
    apt comb[COMB_WINDOWS];
    int n_comb = comb_terms(comb, s);

    /* t P by width-5 NAF: odd multiples P, 3P, ..., 15P */
    jpt pre[8], p2;
    fe_copy(pre[0].x, pa.x);
    fe_copy(pre[0].y, pa.y);
    fe_copy(pre[0].z, FP_ONE);
    pt_dbl(&p2, &pre[0]);
    for (int i = 1; i < 8; i++) {
        pt_add_vt(&pre[i], &pre[i - 1], &p2);
    }
    int8_t naf[258];
    int len = wnaf5(naf, t);
    /*
     * The doublings of t P run alongside the comb additions of s G (one
     * comb addition per doubling while they last): two independent chains
     * that the processor overlaps.
     */
    jpt r1, r2;
    memset(&r1, 0, sizeof(r1));
    memset(&r2, 0, sizeof(r2));
    int ci = 0;
    for (int i = len - 1; i >= 0; i--) {
        if (ci < n_comb) {
            pt_dbl_madd_vt(&r2, &r1, &comb[ci++]);
        } else {
            pt_dbl(&r2, &r2);
        }
        int d = naf[i];
        if (d > 0) {
            pt_add_vt(&r2, &r2, &pre[(d - 1) / 2]);
        } else if (d < 0) {
            jpt q = pre[(-d - 1) / 2];
            fneg(q.y, q.y);
            pt_add_vt(&r2, &r2, &q);
        }
    }
    for (; ci < n_comb; ci++) {
        pt_madd_vt(&r1, &r1, &comb[ci]);
    }
    return verify_finish(&r1, &r2, c);
}

/*
 * Normalises n finite Jacobian points to affine with one inversion
 * (Montgomery's trick); public data only (the inversion is constant time
 * anyway). prod must hold n elements.
 */
static void pts_to_affine(apt *out, const jpt *in, fe *prod, int n)
{
    fe inv, zi, zi2;
    fe_copy(prod[0], in[0].z);
    for (int i = 1; i < n; i++) {
        fmul(prod[i], prod[i - 1], in[i].z);
    }
    fe_inv_gcd(inv, prod[n - 1]);
    for (int i = n - 1; i >= 0; i--) {
        if (i > 0) {
            fmul(zi, inv, prod[i - 1]);
            fmul(inv, inv, in[i].z);
        } else {
            fe_copy(zi, inv);
        }
        fsqr(zi2, zi);
        fmul(out[i].x, in[i].x, zi2);
        fmul(zi2, zi2, zi);
        fmul(out[i].y, in[i].y, zi2);
    }
}

/*
 * Per-key table for verification (public data, variable time): segment i
 * holds the odd multiples m 2^(PT_SEGBITS i) P, m = 1, 3, ..., 2 PT_N - 1,
 * affine. None is the point at infinity: m 2^(32 i) < 2^228 < n, and P
 * has order n. False when xy is not a valid point.
 */
bool SFX(es_sm2_ptab_build)(apt tab[PT_SEGS][PT_N], const uint8_t xy[64])
{
    apt pa;
    if (!pt_load_check(&pa, xy)) {
        return false;
    }
    jpt pts[PT_SEGS * PT_N]; /* 6 KiB on the stack */
    fe prod[PT_SEGS * PT_N];
    jpt base, d2;
    fe_copy(base.x, pa.x);
    fe_copy(base.y, pa.y);
    fe_copy(base.z, FP_ONE);
    for (int i = 0; i < PT_SEGS; i++) {
        jpt *row = pts + i * PT_N;
        row[0] = base;
        pt_dbl(&d2, &base);
        for (int m = 1; m < PT_N; m++) {
            pt_add_vt(&row[m], &row[m - 1], &d2);
        }
        /* the next segment's base: 2^(PT_SEGBITS - 1) doublings more */
        base = d2;
        for (int b = 1; b < PT_SEGBITS; b++) {
            pt_dbl(&base, &base);
        }
    }
    pts_to_affine(&tab[0][0], pts, prod, PT_SEGS * PT_N);
    return true;
}

/* Width-5 NAF of a PT_SEGBITS-bit segment: at most PT_SEGBITS + 1 digits. */
static void wnaf5_seg(int8_t out[PT_SEGBITS + 1], uint64_t v)
{
    for (int i = 0; i <= PT_SEGBITS; i++) {
        int d = 0;
        if (v & 1) {
            d = (int)(v & 31);
            if (d >= 16) {
                d -= 32;
            }
            v -= (uint64_t)(int64_t)d; /* v stays below 2^(PT_SEGBITS + 1) */
        }
        out[i] = (int8_t)d;
        v >>= 1;
    }
}

/*
 * Verification with the per-key table (see es_sm2_ptab_build): t is cut
 * into PT_SEGS segments, each in width-5 NAF, so t P needs only
 * PT_SEGBITS doublings; the s G comb additions run alongside them.
 * Same contract as es_sm2_verify_core (the table was built from a point
 * that passed its checks).
 */
bool SFX(es_sm2_verify_core_tab)(const apt tab[PT_SEGS][PT_N], const uint64_t s[4],
                                 const uint64_t t[4], const uint64_t c[4])
{
    apt comb[COMB_WINDOWS];
    int n_comb = comb_terms(comb, s);
    int8_t naf[PT_SEGS][PT_SEGBITS + 1];
    for (int i = 0; i < PT_SEGS; i++) {
        uint64_t seg = (t[(i * PT_SEGBITS) / 64] >> ((i * PT_SEGBITS) % 64));
        seg &= ((uint64_t)1 << PT_SEGBITS) - 1;
        wnaf5_seg(naf[i], seg);
    }
    jpt r1, r2;
    memset(&r1, 0, sizeof(r1));
    memset(&r2, 0, sizeof(r2));
    int ci = 0;
    for (int j = PT_SEGBITS; j >= 0; j--) {
        if (ci < n_comb) {
            pt_dbl_madd_vt(&r2, &r1, &comb[ci++]);
        } else {
            pt_dbl(&r2, &r2);
        }
        for (int i = 0; i < PT_SEGS; i++) {
            int d = naf[i][j];
            if (d > 0) {
                pt_madd_vt(&r2, &r2, &tab[i][(d - 1) / 2]);
            } else if (d < 0) {
                apt q = tab[i][(-d - 1) / 2];
                fneg(q.y, q.y);
                pt_madd_vt(&r2, &r2, &q);
            }
        }
    }
    for (; ci < n_comb; ci++) {
        pt_madd_vt(&r1, &r1, &comb[ci]);
    }
    return verify_finish(&r1, &r2, c);
}

/*
 * Fills the comb: window j holds i * 2^(W j) G, i = 1..2^(W-1), affine.
 * Each window is computed in Jacobian coordinates and normalised with one
 * shared inversion (Montgomery's trick).
 */
void SFX(es_sm2_comb_build)(apt (*tab)[COMB_N])
{
    static const fe gx = {0x61328990f418029eULL, 0x3e7981eddca6c050ULL, 0xd6a1ed99ac24c3c3ULL,
                          0x91167a5ee1c13b05ULL};
    static const fe gy = {0xc1354e593c2d0dddULL, 0xc1f5e5788d3295faULL, 0x8d4cfb066e2a48f8ULL,
                          0x63cd65d481d735bdULL};
    apt base, aff[COMB_N + 1];
    fe_copy(base.x, gx);
    fe_copy(base.y, gy);
    jpt pts[COMB_N + 1];
    fe prod[COMB_N + 1];
    for (int j = 0; j < COMB_WINDOWS; j++) {
        fe_copy(pts[0].x, base.x);
        fe_copy(pts[0].y, base.y);
        fe_copy(pts[0].z, FP_ONE);
        for (int i = 1; i < COMB_N; i++) {
            pt_madd_vt(&pts[i], &pts[i - 1], &base);
        }
        /* 2^(W-1) B doubled is the next window's base */
        pt_dbl(&pts[COMB_N], &pts[COMB_N - 1]);
        pts_to_affine(aff, pts, prod, COMB_N + 1);
        memcpy(tab[j], aff, sizeof(apt) * COMB_N);
        base = aff[COMB_N];
    }
}
