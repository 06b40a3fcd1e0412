/*
 * bench/bench_crypto.c - SM2 and SM3 throughput, one core, libeseal beside
 * OpenSSL's own figures measured in the same run.
 *
 * Rows:
 *   OpenSSL EVP ...   OpenSSL 3 called directly (EVP_PKEY_sign/verify on a
 *                     prepared digest e; EVP_DigestSign/Verify with the
 *                     GB/T 35276 ID for whole messages; EVP_Digest for SM3).
 *   fast backend ...  our backend's vtable entry on the same e.
 *   libeseal API ...  es_key_sign, es_cert_verify, es_sm3 (with the default
 *                     backend, and with ESEAL_CRYPTO=openssl's backend).
 *   SM2 field ...     the Montgomery multiplication and squaring mod p
 *                     (sm2_fp_mulx.h, the earlier sm2_fp.h MULX/ADX code,
 *                     the portable code), inlined as the point code inlines them: a
 *                     dependent chain (latency, as in a run of doublings)
 *                     and four independent chains (throughput), in cycles
 *                     from a chain of dependent register additions timed
 *                     in the same run (one addition per cycle).
 * The rows are measured interleaved: ROUNDS passes over all rows, each row
 * timed for SECONDS per pass, and each figure is the row's best pass. On a
 * shared, noisy machine the best pass is the least disturbed one, and
 * interleaving gives OpenSSL and libeseal the same conditions.
 *
 * usage: bench_crypto [seconds-per-slice] [rounds]
 */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crypto/crypto.h"
#include "crypto/fast/sm2_fast.h"
#include "crypto/fast/sm2_fp_mulx.h"
#include "crypto/fast/sm3_fast.h"
#include "eseal/crypto_fast.h"

static double g_seconds = 0.1;
static int g_rounds = 20;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef void (*op_fn)(void *arg);

/* operations per second during one slice of g_seconds */
static double slice(op_fn op, void *arg)
{
    long n = 0;
    long batch = 1;
    double t0 = now(), t;
    do {
        for (long i = 0; i < batch; i++) {
            op(arg);
        }
        n += batch;
        if (batch < 256) {
            batch *= 2;
        }
        t = now() - t0;
    } while (t < g_seconds);
    return (double)n / t;
}

struct ctx {
    EVP_PKEY *pk;
    EVP_PKEY_CTX *sign_pc, *verify_pc;
    es_key *key;
    es_cert *cert;
    uint8_t e[32], r[32], s[32], der[80];
    size_t der_len;
    uint8_t msg[256];
    uint8_t sig[72];
    size_t sig_len;
    uint8_t *buf;
    size_t buf_len;
    const uint8_t *mb_msgs[16];
    size_t mb_lens[16];
    uint8_t mb_out[16][32];
    size_t mb_n;
};

static void die(const char *what)
{
    fprintf(stderr, "bench_crypto: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static void op_ossl_sign_e(void *a)
{
    struct ctx *c = a;
    uint8_t der[80];
    size_t n = sizeof(der);
    if (EVP_PKEY_sign(c->sign_pc, der, &n, c->e, 32) <= 0) {
        die("EVP_PKEY_sign");
    }
}

static void op_ossl_verify_e(void *a)
{
    struct ctx *c = a;
    if (EVP_PKEY_verify(c->verify_pc, c->der, c->der_len, c->e, 32) != 1) {
        die("EVP_PKEY_verify");
    }
}

static void op_ossl_digestsign(void *a)
{
    struct ctx *c = a;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(c->pk, NULL);
    uint8_t der[80];
    size_t n = sizeof(der);
    if (!m || !pc || EVP_PKEY_CTX_set1_id(pc, ES_SM2_DEFAULT_ID, 16) <= 0) {
        die("EVP_PKEY_CTX_set1_id");
    }
    EVP_MD_CTX_set_pkey_ctx(m, pc);
    if (EVP_DigestSignInit(m, NULL, EVP_sm3(), NULL, c->pk) <= 0 ||
        EVP_DigestSign(m, der, &n, c->msg, sizeof(c->msg)) <= 0) {
        die("EVP_DigestSign");
    }
    EVP_MD_CTX_free(m);
    EVP_PKEY_CTX_free(pc);
}

static void op_ossl_digestverify(void *a)
{
    struct ctx *c = a;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(c->pk, NULL);
    if (!m || !pc || EVP_PKEY_CTX_set1_id(pc, ES_SM2_DEFAULT_ID, 16) <= 0) {
        die("EVP_PKEY_CTX_set1_id");
    }
    EVP_MD_CTX_set_pkey_ctx(m, pc);
    if (EVP_DigestVerifyInit(m, NULL, EVP_sm3(), NULL, c->pk) <= 0 ||
        EVP_DigestVerify(m, c->sig, c->sig_len, c->msg, sizeof(c->msg)) != 1) {
        die("EVP_DigestVerify");
    }
    EVP_MD_CTX_free(m);
    EVP_PKEY_CTX_free(pc);
}

static void op_ossl_sm3(void *a)
{
    struct ctx *c = a;
    uint8_t out[32];
    unsigned n = 32;
    if (!EVP_Digest(c->buf, c->buf_len, out, &n, EVP_sm3(), NULL)) {
        die("EVP_Digest");
    }
}

static void op_fast_sign_e(void *a)
{
    struct ctx *c = a;
    if (es_is_err(es_crypto_fast.sm2_sign(c->key, c->e, c->r, c->s))) {
        die("fast sign");
    }
}

static void op_fast_verify_e(void *a)
{
    struct ctx *c = a;
    bool ok = false;
    if (es_is_err(es_crypto_fast.sm2_verify(&c->key->pub, c->e, c->r, c->s, &ok)) || !ok) {
        die("fast verify");
    }
}

/* one nonce per signature: what a thread's first signature costs per k */
static void op_fast_sign_nopool(void *a)
{
    es_sm2_fast_pool(false);
    op_fast_sign_e(a);
    es_sm2_fast_pool(true);
}

/* a key's first verification: no per-key table (the cache turned off) */
static void op_fast_verify_cold(void *a)
{
    es_sm2_fast_vcache(false);
    op_fast_verify_e(a);
    es_sm2_fast_vcache(true);
}

/* what a key's second verification pays once to build its table */
static void op_ptab_build(void *a)
{
    struct ctx *c = a;
    static apt tab[PT_SEGS][PT_N];
#ifdef ES_FAST_HAVE_ADX_ASM
    if (es_sm2_fast_impl() & ES_SM2_IMPL_ADX) {
        es_sm2_ptab_build_adx(tab, c->key->pub.xy);
        return;
    }
#endif
    es_sm2_ptab_build_c(tab, c->key->pub.xy);
}

static void op_api_sign(void *a)
{
    struct ctx *c = a;
    if (es_key_sign(NULL, c->key, c->msg, sizeof(c->msg), c->sig, &c->sig_len) != ES_OK) {
        die("es_key_sign");
    }
}

static void op_api_verify(void *a)
{
    struct ctx *c = a;
    if (es_cert_verify(c->cert, c->msg, sizeof(c->msg), c->sig, c->sig_len) != 1) {
        die("es_cert_verify");
    }
}

static void op_api_sm3(void *a)
{
    struct ctx *c = a;
    uint8_t out[32];
    es_sm3(c->buf, c->buf_len, out);
}

static void op_fast_sm3(void *a)
{
    struct ctx *c = a;
    uint8_t out[32];
    es_sm3_fast(c->buf, c->buf_len, out);
}

static void op_multi(void *a)
{
    struct ctx *c = a;
    es_sm3_multi(c->mb_msgs, c->mb_lens, c->mb_n, c->mb_out);
}

/* ---- SM2 field arithmetic: FE_OPS operations per call ---- */
enum { FE_OPS = 256, CLOCK_ADDS = 4096 };
static fe g_fe_y = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                    0x082efa98ec4e6c89ULL};
static fe g_fe_x[4] = {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}};

/* one addition per cycle: the clock the cycle figures are derived from (the
 * empty asm keeps each addition, dependent on the last, from being folded) */
static void op_clock(void *a)
{
    (void)a;
    uint64_t x = 1;
    for (int i = 0; i < CLOCK_ADDS; i++) {
        x += x;
        __asm__ volatile("" : "+r"(x));
    }
}

#define FE_CHAIN_OPS(NAME, STEP)                                                                \
    static void op_##NAME##_lat(void *a)                                                        \
    {                                                                                           \
        (void)a;                                                                                \
        for (int i = 0; i < FE_OPS; i++) {                                                      \
            STEP(g_fe_x[0]);                                                                    \
        }                                                                                       \
    }                                                                                           \
    static void op_##NAME##_tp(void *a)                                                         \
    {                                                                                           \
        (void)a;                                                                                \
        for (int i = 0; i < FE_OPS / 4; i++) {                                                  \
            STEP(g_fe_x[0]);                                                                    \
            STEP(g_fe_x[1]);                                                                    \
            STEP(g_fe_x[2]);                                                                    \
            STEP(g_fe_x[3]);                                                                    \
        }                                                                                       \
    }
#define FE_MUL_C(v) fe_mul_c(v, v, g_fe_y)
#define FE_SQR_C(v) fe_sqr_c(v, v)
FE_CHAIN_OPS(fe_mul_c, FE_MUL_C)
FE_CHAIN_OPS(fe_sqr_c, FE_SQR_C)
#ifdef ES_FAST_HAVE_ADX_ASM
#define FE_MUL_MX(v) fe_mul_mulx(v, v, g_fe_y)
#define FE_SQR_MX(v) fe_sqr_mulx(v, v)
#define FE_MUL_ADX(v) fe_mul_adx(v, v, g_fe_y)
#define FE_SQR_ADX(v) fe_sqr_adx(v, v)
FE_CHAIN_OPS(fe_mul_mulx, FE_MUL_MX)
FE_CHAIN_OPS(fe_sqr_mulx, FE_SQR_MX)
FE_CHAIN_OPS(fe_mul_adx, FE_MUL_ADX)
FE_CHAIN_OPS(fe_sqr_adx, FE_SQR_ADX)
#endif

enum { MAX_ROWS = 24 };
struct row {
    const char *section; /* printed before the row when set */
    char what[80];
    op_fn op;
    const char *backend; /* es_crypto_select'ed while measuring */
    double scale;        /* ops -> unit (bytes per op / 1e6 for MB/s) */
    const char *unit;
    int base;            /* index of the OpenSSL row to compare with, or -1 */
    bool cycles;         /* also print cycles per operation (g_clock_row's clock) */
    double best;
};
static struct row g_rows[MAX_ROWS];
static int g_n_rows;
static int g_clock_row = -1; /* the row timing op_clock, in GHz */

static int add_row(const char *section, const char *what, op_fn op, const char *backend,
                   double scale, const char *unit, int base)
{
    struct row *r = &g_rows[g_n_rows];
    r->section = section;
    snprintf(r->what, sizeof(r->what), "%s", what);
    r->op = op;
    r->backend = backend;
    r->scale = scale;
    r->unit = unit;
    r->base = base;
    r->cycles = false;
    r->best = 0;
    return g_n_rows++;
}

static void run_rows(void *arg)
{
    for (int round = 0; round < g_rounds; round++) {
        for (int i = 0; i < g_n_rows; i++) {
            es_crypto_select(g_rows[i].backend);
            double v = slice(g_rows[i].op, arg) * g_rows[i].scale;
            if (v > g_rows[i].best) {
                g_rows[i].best = v;
            }
        }
    }
    es_crypto_select("fast");
    for (int i = 0; i < g_n_rows; i++) {
        const struct row *r = &g_rows[i];
        if (r->section) {
            printf("\n%s\n", r->section);
        }
        if (i == g_clock_row) {
            printf("  %-50s %10.2f %-5s\n", r->what, r->best, r->unit);
        } else if (r->cycles && g_clock_row >= 0) {
            /* GHz / (M op/s) = cycles per operation */
            printf("  %-50s %10.1f %-5s %6.1f cycles\n", r->what, r->best, r->unit,
                   g_rows[g_clock_row].best * 1e3 / r->best);
        } else if (r->base >= 0) {
            printf("  %-50s %10.0f %-5s %6.2fx\n", r->what, r->best, r->unit,
                   r->best / g_rows[r->base].best);
        } else {
            printf("  %-50s %10.0f %-5s\n", r->what, r->best, r->unit);
        }
    }
}

static void add_cycle_row(const char *section, const char *what, op_fn op)
{
    int i = add_row(section, what, op, "fast", FE_OPS / 1e6, "M/s", -1);
    g_rows[i].cycles = true;
}

/* The field multiplier on its own, beside the clock measured in the same run. */
static void run_field_rows(void *arg)
{
    g_n_rows = 0;
    g_clock_row = add_row("SM2 field arithmetic mod p (one multiplication = one op)",
                          "dependent register additions (clock)", op_clock, "fast",
                          CLOCK_ADDS / 1e9, "GHz", -1);
#ifdef ES_FAST_HAVE_ADX_ASM
    if (es_sm2_fast_cpu() & ES_SM2_IMPL_ADX) {
        add_cycle_row(NULL, "fe_mul MULX/ADX, dependent chain (latency)", op_fe_mul_mulx_lat);
        add_cycle_row(NULL, "fe_mul MULX/ADX, 4 chains (throughput)", op_fe_mul_mulx_tp);
        add_cycle_row(NULL, "fe_sqr MULX/ADX, dependent chain (latency)", op_fe_sqr_mulx_lat);
        add_cycle_row(NULL, "fe_sqr MULX/ADX, 4 chains (throughput)", op_fe_sqr_mulx_tp);
        add_cycle_row(NULL, "  earlier fe_mul_adx, dependent chain", op_fe_mul_adx_lat);
        add_cycle_row(NULL, "  earlier fe_mul_adx, 4 chains", op_fe_mul_adx_tp);
        add_cycle_row(NULL, "  earlier fe_sqr_adx, dependent chain", op_fe_sqr_adx_lat);
        add_cycle_row(NULL, "  earlier fe_sqr_adx, 4 chains", op_fe_sqr_adx_tp);
    }
#endif
    add_cycle_row(NULL, "fe_mul portable, dependent chain (latency)", op_fe_mul_c_lat);
    add_cycle_row(NULL, "fe_mul portable, 4 chains (throughput)", op_fe_mul_c_tp);
    add_cycle_row(NULL, "fe_sqr portable, dependent chain (latency)", op_fe_sqr_c_lat);
    add_cycle_row(NULL, "fe_sqr portable, 4 chains (throughput)", op_fe_sqr_c_tp);
    run_rows(arg);
    g_clock_row = -1;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        g_seconds = atof(argv[1]);
    }
    if (argc > 2) {
        g_rounds = (int)strtol(argv[2], NULL, 10);
    }
    struct ctx c;
    memset(&c, 0, sizeof(c));
    es_ctx *ctx = es_ctx_new();
    if (es_crypto_select("fast") != ES_OK || es_key_generate(ctx, &c.key) != ES_OK) {
        die("key generation");
    }
    c.pk = c.key->pub.ossl;
    struct es_cert_spec spec = {.subject = "/C=CN/O=bench/CN=bench",
                                .not_before = 0,
                                .not_after = 4102444800,
                                .ca = true,
                                .signing = true};
    if (es_is_err(es_cert_build(&spec, c.key, c.key, NULL, &c.cert))) {
        die("es_cert_build");
    }
    for (size_t i = 0; i < sizeof(c.msg); i++) {
        c.msg[i] = (uint8_t)i;
    }
    for (int i = 0; i < 32; i++) {
        c.e[i] = (uint8_t)(0x5a ^ (i * 7));
    }
    c.sign_pc = EVP_PKEY_CTX_new(c.pk, NULL);
    c.verify_pc = EVP_PKEY_CTX_new(c.pk, NULL);
    if (!c.sign_pc || EVP_PKEY_sign_init(c.sign_pc) <= 0 || !c.verify_pc ||
        EVP_PKEY_verify_init(c.verify_pc) <= 0) {
        die("EVP_PKEY_*_init");
    }
    c.der_len = sizeof(c.der);
    if (EVP_PKEY_sign(c.sign_pc, c.der, &c.der_len, c.e, 32) <= 0) {
        die("EVP_PKEY_sign");
    }
    if (es_is_err(es_crypto_fast.sm2_sign(c.key, c.e, c.r, c.s))) {
        die("fast sign");
    }
    if (es_key_sign(ctx, c.key, c.msg, sizeof(c.msg), c.sig, &c.sig_len) != ES_OK) {
        die("es_key_sign");
    }
    c.buf_len = 16384;
    c.buf = malloc(c.buf_len * 16);
    for (size_t i = 0; i < c.buf_len * 16; i++) {
        c.buf[i] = (uint8_t)(i * 131);
    }

    printf("eseal crypto benchmark: one thread, best of %d interleaved slices of %.2f s\n",
           g_rounds, g_seconds);
    printf("OpenSSL %s; fast backend: SM2 %s, SM3 multi-buffer %zu lanes\n",
           OpenSSL_version(OPENSSL_VERSION_STRING), es_sm2_fast_impl_name(),
           es_sm3_multi_lanes());

    int b;
    b = add_row("SM2 sign (op/s)                                                      vs OpenSSL",
                "OpenSSL EVP_PKEY_sign on e", op_ossl_sign_e, "fast", 1, "op/s", -1);
    add_row(NULL, "fast backend sm2_sign on e (loaded key)", op_fast_sign_e, "fast", 1, "op/s", b);
    add_row(NULL, "fast backend sm2_sign on e (nonce pool off)", op_fast_sign_nopool, "fast", 1,
            "op/s", b);
    b = add_row(NULL, "OpenSSL EVP_DigestSign, 256 B message, ID", op_ossl_digestsign, "fast", 1,
                "op/s", -1);
    add_row(NULL, "libeseal es_key_sign, 256 B (fast)", op_api_sign, "fast", 1, "op/s", b);
    add_row(NULL, "libeseal es_key_sign, 256 B (openssl backend)", op_api_sign, "openssl", 1,
            "op/s", b);
    b = add_row("SM2 verify (op/s)", "OpenSSL EVP_PKEY_verify on e", op_ossl_verify_e, "fast", 1,
                "op/s", -1);
    add_row(NULL, "fast backend sm2_verify on e (key seen before)", op_fast_verify_e, "fast", 1,
            "op/s", b);
    add_row(NULL, "fast backend sm2_verify on e (key's first use)", op_fast_verify_cold, "fast",
            1, "op/s", b);
    add_row(NULL, "  per-key table, built at a key's second use", op_ptab_build, "fast", 1,
            "op/s", -1);
    b = add_row(NULL, "OpenSSL EVP_DigestVerify, 256 B message, ID", op_ossl_digestverify, "fast",
                1, "op/s", -1);
    add_row(NULL, "libeseal es_cert_verify, 256 B (fast)", op_api_verify, "fast", 1, "op/s", b);
    add_row(NULL, "libeseal es_cert_verify, 256 B (openssl backend)", op_api_verify, "openssl",
            1, "op/s", b);
    double mb = (double)c.buf_len / 1e6;
    b = add_row("SM3, 16 KiB messages (MB/s)", "OpenSSL EVP_Digest SM3", op_ossl_sm3, "fast", mb,
                "MB/s", -1);
    add_row(NULL, "fast SM3 single stream", op_fast_sm3, "fast", mb, "MB/s", b);
    add_row(NULL, "libeseal es_sm3 (fast)", op_api_sm3, "fast", mb, "MB/s", b);
    add_row(NULL, "libeseal es_sm3 (openssl backend)", op_api_sm3, "openssl", mb, "MB/s", b);
    size_t lanes = es_sm3_multi_lanes();
    c.mb_n = lanes;
    for (size_t i = 0; i < lanes; i++) {
        c.mb_msgs[i] = c.buf + i * c.buf_len;
        c.mb_lens[i] = c.buf_len;
    }
    if (lanes > 1) {
        char what[80];
        snprintf(what, sizeof(what), "es_sm3_multi, %zu x 16 KiB (%s), aggregate", lanes,
                 lanes == 16 ? "AVX-512" : "AVX2");
        add_row(NULL, what, op_multi, "fast", mb * (double)lanes, "MB/s", b);
    }
    run_rows(&c);
    run_field_rows(&c);

    /* the AVX2 kernel on its own, when AVX-512 was the default */
    if (lanes == 16) {
        es_sm3_multi_force(8);
        c.mb_n = 8;
        g_n_rows = 0;
        b = add_row("SM3 multi-buffer, AVX2 kernel (8 lanes)", "OpenSSL EVP_Digest SM3",
                    op_ossl_sm3, "fast", mb, "MB/s", -1);
        add_row(NULL, "es_sm3_multi, 8 x 16 KiB (AVX2), aggregate", op_multi, "fast", mb * 8,
                "MB/s", b);
        g_rounds = g_rounds / 2 > 0 ? g_rounds / 2 : 1;
        run_rows(&c);
        es_sm3_multi_force(0);
    }

    EVP_PKEY_CTX_free(c.sign_pc);
    EVP_PKEY_CTX_free(c.verify_pc);
    es_cert_free(c.cert);
    es_key_free(c.key);
    es_ctx_free(ctx);
    free(c.buf);
    return 0;
}
