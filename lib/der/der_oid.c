/*
 * lib/der/der_oid.c - OBJECT IDENTIFIER to and from dotted text.
 */
#include <stdio.h>
#include <stdlib.h>

#include "der/der.h"

es_result es_der_get_oid(const struct es_der_elem *e, char *buf, size_t buf_len)
{
    ES_ENSURE_MSG(e->val_len >= 1 && e->val_len <= 64, ES_ERR_FORMAT_OID,
                  "OBJECT IDENTIFIER at offset %zu has length %zu", e->off, e->val_len);
    ES_ENSURE_MSG(!(e->val[e->val_len - 1] & 0x80), ES_ERR_FORMAT_OID,
                  "OBJECT IDENTIFIER at offset %zu is truncated", e->off);
    size_t used = 0;
    uint64_t v = 0;
    bool first = true;
    bool start = true;
    for (size_t i = 0; i < e->val_len; i++) {
        uint8_t b = e->val[i];
        ES_ENSURE_MSG(!(start && b == 0x80), ES_ERR_FORMAT_OID,
                      "OBJECT IDENTIFIER at offset %zu has a non-minimal arc", e->off);
        ES_ENSURE_MSG(v <= (UINT64_MAX >> 7), ES_ERR_FORMAT_OID,
                      "OBJECT IDENTIFIER at offset %zu has an arc too large", e->off);
        v = (v << 7) | (b & 0x7fu);
        start = false;
        if (b & 0x80) {
            continue;
        }
        int n;
        if (first) {
            unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;
            n = snprintf(buf + used, buf_len - used, "%u.%llu", a,
                         (unsigned long long)(v - 40u * a));
            first = false;
        } else {
            n = snprintf(buf + used, buf_len - used, ".%llu", (unsigned long long)v);
        }
        ES_ENSURE(n > 0 && (size_t)n < buf_len - used, ES_ERR_LIMIT_SIZE);
        used += (size_t)n;
        v = 0;
        start = true;
    }
    return ES_RESULT_OK;
}

es_result es_derw_oid(struct es_buf *b, const char *dotted)
{
    uint8_t out[64];
    size_t n = 0;
    uint64_t arcs[32];
    size_t na = 0;
    const char *s = dotted;
    while (*s) {
        ES_ENSURE_MSG(na < 32 && *s >= '0' && *s <= '9', ES_ERR_USAGE_ARG, "bad OID '%s'",
                      dotted);
        char *end;
        arcs[na++] = strtoull(s, &end, 10);
        s = end;
        if (*s == '.') {
            s++;
        }
    }
    ES_ENSURE_MSG(na >= 2 && arcs[0] <= 2, ES_ERR_USAGE_ARG, "bad OID '%s'", dotted);
    for (size_t i = 1; i < na; i++) {
        uint64_t v = i == 1 ? arcs[0] * 40 + arcs[1] : arcs[i];
        uint8_t tmp[10];
        size_t k = 0;
        do {
            tmp[k++] = (uint8_t)(v & 0x7f);
            v >>= 7;
        } while (v);
        ES_ENSURE(n + k <= sizeof(out), ES_ERR_USAGE_ARG);
        while (k) {
            k--;
            out[n++] = (uint8_t)(tmp[k] | (k ? 0x80 : 0));
        }
    }
    return es_derw_tlv(b, ES_DER_OID, out, n);
}
