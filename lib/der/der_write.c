/*
 * lib/der/der_write.c - canonical DER writer. Constructed elements are
 * written with a one-octet length placeholder that es_derw_end widens in
 * place, so callers write nested structures in document order.
 */
#include <stdio.h>

#include "der/der.h"

size_t es_der_len_encode(size_t n, uint8_t out[5])
{
    if (n < 0x80) {
        out[0] = (uint8_t)n;
        return 1;
    }
    size_t k = 0;
    for (size_t t = n; t; t >>= 8) {
        k++;
    }
    out[0] = (uint8_t)(0x80 | k);
    for (size_t i = 0; i < k; i++) {
        out[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
    }
    return 1 + k;
}

es_result es_derw_tlv(struct es_buf *b, uint8_t id, const void *val, size_t len)
{
    uint8_t hdr[6];
    hdr[0] = id;
    size_t h = 1 + es_der_len_encode(len, hdr + 1);
    ES_GUARD(es_buf_append(b, hdr, h));
    return es_buf_append(b, val, len);
}

es_result es_derw_begin(struct es_buf *b, uint8_t id, size_t *out_mark)
{
    uint8_t hdr[2] = {id, 0};
    *out_mark = b->len;
    return es_buf_append(b, hdr, 2);
}

es_result es_derw_end(struct es_buf *b, size_t mark)
{
    ES_ENSURE(mark + 2 <= b->len, ES_ERR_INTERNAL);
    size_t content = b->len - mark - 2;
    uint8_t len[5];
    size_t k = es_der_len_encode(content, len);
    if (k > 1) {
        ES_GUARD(es_buf_reserve(b, k - 1));
        memmove(b->ptr + mark + 1 + k, b->ptr + mark + 2, content);
        b->len += k - 1;
        b->ptr[b->len] = 0;
    }
    memcpy(b->ptr + mark + 1, len, k);
    return ES_RESULT_OK;
}

es_result es_derw_int(struct es_buf *b, int64_t v)
{
    uint8_t tmp[9];
    size_t n = 0;
    for (int i = 7; i >= 0; i--) {
        tmp[n++] = (uint8_t)((uint64_t)v >> (8 * i));
    }
    size_t s = 0;
    while (s < 7 && ((tmp[s] == 0 && !(tmp[s + 1] & 0x80)) ||
                     (tmp[s] == 0xff && (tmp[s + 1] & 0x80)))) {
        s++;
    }
    return es_derw_tlv(b, ES_DER_INTEGER, tmp + s, n - s);
}

es_result es_derw_uint(struct es_buf *b, const uint8_t *mag, size_t len)
{
    size_t i = 0;
    while (i + 1 < len && mag[i] == 0) {
        i++;
    }
    uint8_t tmp[1 + 128];
    ES_ENSURE(len - i <= 128 && len > 0, ES_ERR_USAGE_ARG);
    size_t n = 0;
    if (mag[i] & 0x80) {
        tmp[n++] = 0;
    }
    memcpy(tmp + n, mag + i, len - i);
    return es_derw_tlv(b, ES_DER_INTEGER, tmp, n + len - i);
}

es_result es_derw_bool(struct es_buf *b, bool v)
{
    uint8_t x = v ? 0xff : 0x00;
    return es_derw_tlv(b, ES_DER_BOOLEAN, &x, 1);
}

es_result es_derw_bits(struct es_buf *b, const void *val, size_t len)
{
    size_t mark;
    ES_GUARD(es_derw_begin(b, ES_DER_BIT_STRING, &mark));
    ES_GUARD(es_buf_append_byte(b, 0));
    ES_GUARD(es_buf_append(b, val, len));
    return es_derw_end(b, mark);
}

static void split(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    char f[21];
    es_time_format(t, f);
    sscanf(f, "%4d-%2d-%2dT%2d:%2d:%2dZ", y, mo, d, h, mi, s);
}

es_result es_derw_gentime(struct es_buf *b, int64_t t)
{
    int y, mo, d, h, mi, s;
    split(t, &y, &mo, &d, &h, &mi, &s);
    char out[32];
    int n = snprintf(out, sizeof(out), "%04d%02d%02d%02d%02d%02dZ", y, mo, d, h, mi, s);
    return es_derw_tlv(b, ES_DER_GENERALIZED_TIME, out, (size_t)n);
}

es_result es_derw_utctime(struct es_buf *b, int64_t t)
{
    int y, mo, d, h, mi, s;
    split(t, &y, &mo, &d, &h, &mi, &s);
    ES_ENSURE_MSG(y >= 1950 && y < 2050, ES_ERR_USAGE_ARG, "year %d cannot be a UTCTime", y);
    char out[32];
    int n = snprintf(out, sizeof(out), "%02d%02d%02d%02d%02d%02dZ", y % 100, mo, d, h, mi, s);
    return es_derw_tlv(b, ES_DER_UTC_TIME, out, (size_t)n);
}

es_result es_derw_raw(struct es_buf *b, const void *p, size_t n) { return es_buf_append(b, p, n); }
