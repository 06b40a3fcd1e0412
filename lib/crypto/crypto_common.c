/*
 * lib/crypto/crypto_common.c - backend selection and the SM2 pieces every
 * backend shares: the Z value, e = SM3(Z || M), and the signature encodings
 * real files use (DER, raw r||s, sign-less and non-minimal INTEGERs).
 */
#include <stdlib.h>

#include "crypto/crypto.h"
#include "der/der.h"

#define MAX_BACKENDS 4
static const struct es_crypto_ops *g_backends[MAX_BACKENDS] = {&es_crypto_openssl};
static size_t g_n_backends = 1;
static const struct es_crypto_ops *g_current;

void es_crypto_register(const struct es_crypto_ops *ops)
{
    if (g_n_backends < MAX_BACKENDS) {
        g_backends[g_n_backends++] = ops;
    }
}

static const struct es_crypto_ops *find(const char *name)
{
    for (size_t i = 0; i < g_n_backends; i++) {
        if (strcmp(g_backends[i]->name, name) == 0) {
            return g_backends[i];
        }
    }
    return NULL;
}

const struct es_crypto_ops *es_crypto(void)
{
    if (!g_current) {
        const char *env = getenv("ESEAL_CRYPTO");
        const struct es_crypto_ops *o = env ? find(env) : NULL;
        /* the last registered backend is the preferred default */
        g_current = o ? o : g_backends[g_n_backends - 1];
    }
    return g_current;
}

int es_crypto_select(const char *name)
{
    const struct es_crypto_ops *o = name ? find(name) : NULL;
    if (!o) {
        return ES_ERR_USAGE_ARG;
    }
    g_current = o;
    return ES_OK;
}

const char *es_crypto_backend_name(void) { return es_crypto()->name; }

void es_sm3_init(es_sm3_ctx *c) { es_crypto()->sm3_init(c); }
void es_sm3_update(es_sm3_ctx *c, const void *p, size_t n) { es_crypto()->sm3_update(c, p, n); }
void es_sm3_final(es_sm3_ctx *c, uint8_t out[32]) { es_crypto()->sm3_final(c, out); }

void es_sm3(const void *data, size_t len, uint8_t out[32])
{
    es_sm3_ctx c;
    const struct es_crypto_ops *o = es_crypto();
    o->sm3_init(&c);
    o->sm3_update(&c, data, len);
    o->sm3_final(&c, out);
}

/* GB/T 32918.5 recommended curve parameters a, b, xG, yG. */
static const uint8_t k_sm2_abg[128] = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC,
    0x28, 0xE9, 0xFA, 0x9E, 0x9D, 0x9F, 0x5E, 0x34, 0x4D, 0x5A, 0x9E, 0x4B, 0xCF, 0x65, 0x09, 0xA7,
    0xF3, 0x97, 0x89, 0xF5, 0x15, 0xAB, 0x8F, 0x92, 0xDD, 0xBC, 0xBD, 0x41, 0x4D, 0x94, 0x0E, 0x93,
    0x32, 0xC4, 0xAE, 0x2C, 0x1F, 0x19, 0x81, 0x19, 0x5F, 0x99, 0x04, 0x46, 0x6A, 0x39, 0xC9, 0x94,
    0x8F, 0xE3, 0x0B, 0xBF, 0xF2, 0x66, 0x0B, 0xE1, 0x71, 0x5A, 0x45, 0x89, 0x33, 0x4C, 0x74, 0xC7,
    0xBC, 0x37, 0x36, 0xA2, 0xF4, 0xF6, 0x77, 0x9C, 0x59, 0xBD, 0xCE, 0xE3, 0x6B, 0x69, 0x21, 0x53,
    0xD0, 0xA9, 0x87, 0x7C, 0xC6, 0x2A, 0x47, 0x40, 0x02, 0xDF, 0x32, 0xE5, 0x21, 0x39, 0xF0, 0xA0,
};

void es_sm2_compute_z(const uint8_t xy[64], uint8_t out[32])
{
    es_sm3_ctx c;
    const struct es_crypto_ops *o = es_crypto();
    const uint8_t entl[2] = {0x00, 0x80}; /* 16 bytes * 8 bits */
    o->sm3_init(&c);
    o->sm3_update(&c, entl, 2);
    o->sm3_update(&c, ES_SM2_DEFAULT_ID, 16);
    o->sm3_update(&c, k_sm2_abg, sizeof(k_sm2_abg));
    o->sm3_update(&c, xy, 64);
    o->sm3_final(&c, out);
}

void es_sm2_digest(const struct es_sm2_pub *p, const uint8_t *msg, size_t len, uint8_t e[32])
{
    es_sm3_ctx c;
    const struct es_crypto_ops *o = es_crypto();
    o->sm3_init(&c);
    o->sm3_update(&c, p->z, 32);
    o->sm3_update(&c, msg, len);
    o->sm3_final(&c, e);
}

es_result es_sm2_sig_decode(const uint8_t *sig, size_t len, uint8_t r[32], uint8_t s[32],
                            unsigned *quirks)
{
    struct es_der_cur c, in;
    struct es_der_elem er, es_;
    unsigned dq = 0;
    es_der_init(&c, sig, len, &dq);
    es_result res = es_der_enter(&c, ES_DER_SEQUENCE, &in, NULL);
    if (es_is_ok(res)) {
        res = es_der_expect(&in, ES_DER_INTEGER, &er);
    }
    if (es_is_ok(res)) {
        res = es_der_expect(&in, ES_DER_INTEGER, &es_);
    }
    if (es_is_ok(res)) {
        res = es_der_leave(&in);
    }
    if (es_is_ok(res)) {
        res = es_der_leave(&c);
    }
    if (es_is_ok(res)) {
        ES_GUARD(es_der_get_uint(&er, r, 32, &dq));
        ES_GUARD(es_der_get_uint(&es_, s, 32, &dq));
        if (quirks) {
            if (dq & ES_DQ_INT_SIGNLESS) {
                *quirks |= ES_SQ_SIGNLESS;
            }
            if (dq & (ES_DQ_INT_NONMINIMAL | ES_DQ_LEN_NONMINIMAL)) {
                *quirks |= ES_SQ_NONMINIMAL;
            }
        }
        return ES_RESULT_OK;
    }
    /* Q-SIG-1: 64 raw bytes r || s */
    ES_ENSURE_MSG(len == 64, ES_ERR_FORMAT_STRUCTURE,
                  "signature value of %zu bytes is neither DER SEQUENCE{r,s} nor raw r||s", len);
    memcpy(r, sig, 32);
    memcpy(s, sig + 32, 32);
    if (quirks) {
        *quirks |= ES_SQ_RAW64;
    }
    return ES_RESULT_OK;
}

es_result es_sm2_sig_encode(const uint8_t r[32], const uint8_t s[32], uint8_t out[72],
                            size_t *out_len)
{
    struct es_buf b;
    es_buf_init(&b, 80);
    size_t mark;
    es_result res = ES_RESULT_OK;
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &mark));
    ES_GUARD_GOTO(es_derw_uint(&b, r, 32));
    ES_GUARD_GOTO(es_derw_uint(&b, s, 32));
    ES_GUARD_GOTO(es_derw_end(&b, mark));
    if (b.len > 72) {
        ES_FAIL_GOTO(ES_ERR_INTERNAL, "signature encoding too long");
    }
    memcpy(out, b.ptr, b.len);
    *out_len = b.len;
out:
    es_buf_free(&b);
    return res;
}

es_result es_sm2_sign_msg(const es_key *k, const uint8_t *msg, size_t len, uint8_t out[72],
                          size_t *out_len)
{
    uint8_t e[32], r[32], s[32];
    es_sm2_digest(&k->pub, msg, len, e);
    ES_GUARD(es_crypto()->sm2_sign(k, e, r, s));
    return es_sm2_sig_encode(r, s, out, out_len);
}

es_result es_sm2_verify_e(const struct es_sm2_pub *p, const uint8_t e[32], const uint8_t *sig,
                          size_t sig_len, bool *out_ok, unsigned *quirks)
{
    uint8_t r[32], s[32];
    *out_ok = false;
    ES_GUARD(es_sm2_sig_decode(sig, sig_len, r, s, quirks));
    return es_crypto()->sm2_verify(p, e, r, s, out_ok);
}

es_result es_sm2_verify_msg(const struct es_sm2_pub *p, const uint8_t *msg, size_t len,
                            const uint8_t *sig, size_t sig_len, bool *out_ok, unsigned *quirks)
{
    uint8_t e[32];
    es_sm2_digest(p, msg, len, e);
    return es_sm2_verify_e(p, e, sig, sig_len, out_ok, quirks);
}
