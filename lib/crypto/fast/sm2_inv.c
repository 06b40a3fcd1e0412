/*
 * lib/crypto/fast/sm2_inv.c - constant-time modular inversion by the
 * Bernstein-Yang "safegcd" divsteps (Bernstein, Yang: "Fast constant-time
 * gcd computation and modular inversion", TCHES 2019), in the form with
 * 62-bit signed limbs and batches of 59 divsteps described and bounded in
 * libsecp256k1's doc/safegcd_implementation.md: 10 x 59 = 590 divsteps are
 * enough for any modulus and input below 2^256.
 *
 * Every loop has a fixed trip count and every choice is a mask, so the
 * time does not depend on the input. Used for the field inversion of
 * signing (about twice as fast as Fermat's 256 squarings) and for
 * (1 + d)^-1 mod n.
 */
#include "crypto/fast/sm2_ec.h"

typedef __int128 i128;

struct s62 {
    int64_t v[5];
};

struct modinfo {
    struct s62 m;     /* the modulus in signed-62 form */
    uint64_t inv62;   /* m^-1 mod 2^62 */
};

static const struct modinfo MOD_P = {
    {{0x3fffffffffffffffLL, 0x3ffffffc00000003LL, 0x3fffffffffffffffLL, 0x3fffffbfffffffffLL,
      0xffLL}},
    0x3fffffffffffffffULL};
static const struct modinfo MOD_N = {
    {{0x13bbf40939d54123LL, 0x080f7dac871814adLL, 0x3ffffffffffffff7LL, 0x3fffffbfffffffffLL,
      0xffLL}},
    0x0d8061778dcaf68bULL};

#define M62 ((uint64_t)-1 >> 2)

struct trans {
    int64_t u, v, q, r;
};

/*
 * 59 divsteps on the low 64 bits of f and g, returning the transition
 * matrix scaled by 2^62. zeta = -(delta + 1/2) of the half-delta divstep.
 */
static int64_t divsteps_59(int64_t zeta, uint64_t f0, uint64_t g0, struct trans *t)
{
    uint64_t u = 8, v = 0, q = 0, r = 8;
    uint64_t f = f0, g = g0;
    for (int i = 3; i < 62; i++) {
        /* masks: zeta < 0, g odd */
        uint64_t m1 = (uint64_t)(zeta >> 63);
        uint64_t m2 = (uint64_t)0 - (g & 1);
        uint64_t x = (f ^ m1) - m1;
        uint64_t y = (u ^ m1) - m1;
        uint64_t z = (v ^ m1) - m1;
        g += x & m2;
        q += y & m2;
        r += z & m2;
        m1 &= m2; /* swap: zeta < 0 and g odd */
        zeta = (int64_t)(((uint64_t)zeta ^ m1) - 1);
        f += g & m1;
        u += q & m1;
        v += r & m1;
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    t->u = (int64_t)u;
    t->v = (int64_t)v;
    t->q = (int64_t)q;
    t->r = (int64_t)r;
    return zeta;
}

/* sign-extending shift of a signed 128-bit value (GCC, Clang: arithmetic) */
static inline i128 sar62(i128 x) { return x >> 62; }

/* [d, e] = t [d, e] / 2^62 mod m, keeping both in (-2m, m). */
static void update_de(struct s62 *d, struct s62 *e, const struct trans *t,
                      const struct modinfo *mi)
{
    const int64_t u = t->u, v = t->v, q = t->q, r = t->r;
    int64_t sd = d->v[4] >> 63, se = e->v[4] >> 63;
    int64_t md = (u & sd) + (v & se);
    int64_t me = (q & sd) + (r & se);
    i128 cd = (i128)u * d->v[0] + (i128)v * e->v[0];
    i128 ce = (i128)q * d->v[0] + (i128)r * e->v[0];
    /* choose md, me so that the low 62 bits of t[d,e] + m[md,me] vanish */
    md -= (int64_t)((mi->inv62 * (uint64_t)cd + (uint64_t)md) & M62);
    me -= (int64_t)((mi->inv62 * (uint64_t)ce + (uint64_t)me) & M62);
    cd += (i128)mi->m.v[0] * md;
    ce += (i128)mi->m.v[0] * me;
    cd = sar62(cd);
    ce = sar62(ce);
    for (int i = 1; i < 5; i++) {
        cd += (i128)u * d->v[i] + (i128)v * e->v[i] + (i128)mi->m.v[i] * md;
        ce += (i128)q * d->v[i] + (i128)r * e->v[i] + (i128)mi->m.v[i] * me;
        d->v[i - 1] = (int64_t)((uint64_t)cd & M62);
        e->v[i - 1] = (int64_t)((uint64_t)ce & M62);
        cd = sar62(cd);
        ce = sar62(ce);
    }
    d->v[4] = (int64_t)cd;
    e->v[4] = (int64_t)ce;
}

/* [f, g] = t [f, g] / 2^62 (exact). */
static void update_fg(struct s62 *f, struct s62 *g, const struct trans *t)
{
    const int64_t u = t->u, v = t->v, q = t->q, r = t->r;
    i128 cf = (i128)u * f->v[0] + (i128)v * g->v[0];
    i128 cg = (i128)q * f->v[0] + (i128)r * g->v[0];
    cf = sar62(cf);
    cg = sar62(cg);
    for (int i = 1; i < 5; i++) {
        cf += (i128)u * f->v[i] + (i128)v * g->v[i];
        cg += (i128)q * f->v[i] + (i128)r * g->v[i];
        f->v[i - 1] = (int64_t)((uint64_t)cf & M62);
        g->v[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf = sar62(cf);
        cg = sar62(cg);
    }
    f->v[4] = (int64_t)cf;
    g->v[4] = (int64_t)cg;
}

/* r from (-2m, m) to [0, m), negated first when sign < 0. */
static void normalize(struct s62 *r, int64_t sign, const struct modinfo *mi)
{
    int64_t x[5];
    int64_t add = r->v[4] >> 63;
    for (int i = 0; i < 5; i++) {
        x[i] = r->v[i] + (mi->m.v[i] & add);
    }
    int64_t neg = sign >> 63;
    for (int i = 0; i < 5; i++) {
        x[i] = (x[i] ^ neg) - neg;
    }
    for (int i = 0; i < 4; i++) {
        x[i + 1] += x[i] >> 62;
        x[i] = (int64_t)((uint64_t)x[i] & M62);
    }
    add = x[4] >> 63;
    for (int i = 0; i < 5; i++) {
        x[i] += mi->m.v[i] & add;
    }
    for (int i = 0; i < 4; i++) {
        x[i + 1] += x[i] >> 62;
        x[i] = (int64_t)((uint64_t)x[i] & M62);
    }
    memcpy(r->v, x, sizeof(x));
}

static void to_s62(struct s62 *r, const uint64_t a[4])
{
    r->v[0] = (int64_t)(a[0] & M62);
    r->v[1] = (int64_t)(((a[0] >> 62) | (a[1] << 2)) & M62);
    r->v[2] = (int64_t)(((a[1] >> 60) | (a[2] << 4)) & M62);
    r->v[3] = (int64_t)(((a[2] >> 58) | (a[3] << 6)) & M62);
    r->v[4] = (int64_t)(a[3] >> 56);
}

static void from_s62(uint64_t r[4], const struct s62 *a)
{
    const uint64_t *v = (const uint64_t *)(const void *)a->v;
    r[0] = v[0] | (v[1] << 62);
    r[1] = (v[1] >> 2) | (v[2] << 60);
    r[2] = (v[2] >> 4) | (v[3] << 58);
    r[3] = (v[3] >> 6) | (v[4] << 56);
}

static void modinv(uint64_t r[4], const uint64_t a[4], const struct modinfo *mi)
{
    struct s62 d = {{0, 0, 0, 0, 0}}, e = {{1, 0, 0, 0, 0}}, f = mi->m, g;
    struct trans t;
    int64_t zeta = -1;
    to_s62(&g, a);
    for (int i = 0; i < 10; i++) {
        zeta = divsteps_59(zeta, (uint64_t)f.v[0], (uint64_t)g.v[0], &t);
        update_de(&d, &e, &t, mi);
        update_fg(&f, &g, &t);
    }
    /* g = 0 and f = +-gcd = +-1 (or +-m for a = 0, giving 0) */
    normalize(&d, f.v[4], mi);
    from_s62(r, &d);
}

/* a must be below p; 0 gives 0. */
void es_sm2_inv_mod_p(uint64_t r[4], const uint64_t a[4]) { modinv(r, a, &MOD_P); }

/* a must be below n; 0 gives 0. */
void es_sm2_inv_mod_n(uint64_t r[4], const uint64_t a[4]) { modinv(r, a, &MOD_N); }
