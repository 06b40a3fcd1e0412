/*
 * fuzz/fuzz_der.c - the bounded DER reader on arbitrary bytes.
 * Target functions: es_der_next, es_der_open, es_der_leave, es_der_count,
 * es_der_get_int, es_der_get_uint, es_der_get_bits, es_der_get_oid,
 * es_der_get_time, es_der_get_bool, es_sm2_sig_decode.
 */
#include "crypto/crypto.h"
#include "der/der.h"

static void walk(struct es_der_cur *c, int depth)
{
    struct es_der_elem e;
    size_t n;
    (void)es_der_count(c, &n);
    while (!es_der_at_end(c) && es_is_ok(es_der_next(c, &e))) {
        int64_t v;
        uint8_t u[32], unused;
        bool b;
        es_bytes bits;
        char oid[128];
        (void)es_der_get_int(&e, &v, NULL);
        (void)es_der_get_uint(&e, u, sizeof(u), NULL);
        (void)es_der_get_bits(&e, &unused, &bits);
        (void)es_der_get_oid(&e, oid, sizeof(oid));
        (void)es_der_get_time(&e, 28800, &v, NULL);
        (void)es_der_get_bool(&e, &b, NULL);
        if (e.cons && depth < 64) {
            struct es_der_cur in;
            if (es_is_ok(es_der_open(c, &e, &in))) {
                walk(&in, depth + 1);
                (void)es_der_leave(&in);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct es_der_cur c;
    unsigned q = 0;
    es_der_init(&c, data, size, &q);
    walk(&c, 0);
    uint8_t r[32], s[32];
    (void)es_sm2_sig_decode(data, size, r, s, NULL);
    int64_t t;
    (void)es_time_parse_text(data, size, 0, &t, NULL);
    return 0;
}
