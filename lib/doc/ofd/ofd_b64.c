/* lib/doc/ofd/ofd_b64.c - base64 for CheckValue (RFC 4648, standard alphabet). */
#include "doc/ofd/ofd_int.h"

static int val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

bool es_ofd_b64_decode(const char *s, uint8_t *out, size_t cap, size_t *out_len)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0, pad = 0, chars = 0;
    for (; *s; s++) {
        char c = *s;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        if (c == '=') {
            pad++;
            continue;
        }
        int v = val(c);
        if (v < 0 || pad) {
            return false; /* bad character, or data after padding */
        }
        chars++;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap) {
                return false;
            }
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    if (pad > 2 || chars % 4 == 1 || (pad && (chars + pad) % 4 != 0)) {
        return false;
    }
    *out_len = n;
    return true;
}

es_result es_ofd_b64_encode(struct es_buf *b, const uint8_t *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)p[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= p[i + 2];
        }
        char q[4] = {a[v >> 18 & 63], a[v >> 12 & 63], i + 1 < n ? a[v >> 6 & 63] : '=',
                     i + 2 < n ? a[v & 63] : '='};
        ES_GUARD(es_buf_append(b, q, 4));
    }
    return ES_RESULT_OK;
}
