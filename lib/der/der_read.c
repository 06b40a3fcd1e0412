/*
 * lib/der/der_read.c - the bounded DER reader. This is the one file of the
 * format code that does pointer arithmetic on untrusted input; every other
 * decoder goes through the cursor functions here (fuzz/fuzz_der.c).
 */
#include "der/der.h"

void es_der_init(struct es_der_cur *c, const uint8_t *p, size_t len, unsigned *quirks)
{
    c->p = p;
    c->len = p ? len : 0;
    c->pos = 0;
    c->base_off = 0;
    c->depth = 0;
    c->quirks = quirks;
}

bool es_der_at_end(const struct es_der_cur *c) { return c->pos >= c->len; }
size_t es_der_offset(const struct es_der_cur *c) { return c->base_off + c->pos; }

static void quirk(const struct es_der_cur *c, unsigned bit)
{
    if (c->quirks) {
        *c->quirks |= bit;
    }
}

/* Parses the header at c->pos; does not advance. */
static es_result parse_header(const struct es_der_cur *c, struct es_der_elem *e)
{
    size_t pos = c->pos;
    size_t off = c->base_off + pos;
    size_t avail = c->len - pos;
    ES_ENSURE_MSG(pos < c->len, ES_ERR_FORMAT_TRUNCATED,
                  "expected an element at offset %zu, found end of data", off);
    uint8_t id = c->p[pos];
    size_t i = 1;
    uint32_t tag = id & 0x1fu;
    if (tag == 0x1f) {
        /* high-tag-number form: base-128, at most 4 octets */
        tag = 0;
        for (int k = 0;; k++) {
            ES_ENSURE_MSG(i < avail, ES_ERR_FORMAT_TRUNCATED, "tag truncated at offset %zu", off);
            ES_ENSURE_MSG(k < 4, ES_ERR_FORMAT_TAG, "tag number too large at offset %zu", off);
            uint8_t b = c->p[pos + i++];
            tag = (tag << 7) | (b & 0x7fu);
            if (!(b & 0x80)) {
                break;
            }
        }
    }
    ES_ENSURE_MSG(i < avail, ES_ERR_FORMAT_TRUNCATED, "length missing at offset %zu", off);
    uint8_t l0 = c->p[pos + i++];
    size_t vlen;
    if (l0 < 0x80) {
        vlen = l0;
    } else {
        ES_ENSURE_MSG(l0 != 0x80, ES_ERR_FORMAT_INDEFINITE,
                      "indefinite length at offset %zu (not allowed in DER)", off);
        size_t nb = l0 & 0x7fu;
        ES_ENSURE_MSG(nb <= sizeof(size_t) && nb <= 4, ES_ERR_FORMAT_LENGTH,
                      "length of %zu octets at offset %zu is too long", nb, off);
        ES_ENSURE_MSG(nb <= avail - i, ES_ERR_FORMAT_TRUNCATED,
                      "length truncated at offset %zu", off);
        vlen = 0;
        for (size_t k = 0; k < nb; k++) {
            vlen = (vlen << 8) | c->p[pos + i + k];
        }
        if (c->p[pos + i] == 0 || vlen < 0x80) {
            quirk(c, ES_DQ_LEN_NONMINIMAL);
        }
        i += nb;
    }
    ES_ENSURE_MSG(vlen <= avail - i, ES_ERR_FORMAT_TRUNCATED,
                  "element at offset %zu declares %zu content bytes but only %zu remain", off,
                  vlen, avail - i);
    e->id = id;
    e->tag = tag;
    e->cls = (uint8_t)(id >> 6);
    e->cons = (id & 0x20) != 0;
    e->off = off;
    e->tlv = c->p + pos;
    e->tlv_len = i + vlen;
    e->val = c->p + pos + i;
    e->val_len = vlen;
    e->val_off = off + i;
    return ES_RESULT_OK;
}

es_result es_der_peek(const struct es_der_cur *c, struct es_der_elem *out)
{
    return parse_header(c, out);
}

es_result es_der_next(struct es_der_cur *c, struct es_der_elem *out)
{
    ES_GUARD(parse_header(c, out));
    c->pos += out->tlv_len;
    return ES_RESULT_OK;
}

es_result es_der_expect(struct es_der_cur *c, uint8_t id, struct es_der_elem *out)
{
    struct es_der_elem e;
    ES_GUARD(parse_header(c, &e));
    ES_ENSURE_MSG(e.id == id, ES_ERR_FORMAT_TAG,
                  "expected tag 0x%02x at offset %zu, found 0x%02x", id, e.off, e.id);
    c->pos += e.tlv_len;
    if (out) {
        *out = e;
    }
    return ES_RESULT_OK;
}

es_result es_der_open(const struct es_der_cur *parent, const struct es_der_elem *e,
                      struct es_der_cur *inner)
{
    ES_ENSURE_MSG(parent->depth + 1 < ES_DER_MAX_DEPTH, ES_ERR_LIMIT_DEPTH,
                  "nesting deeper than %d at offset %zu", ES_DER_MAX_DEPTH, e->off);
    inner->p = e->val;
    inner->len = e->val_len;
    inner->pos = 0;
    inner->base_off = e->val_off;
    inner->depth = parent->depth + 1;
    inner->quirks = parent->quirks;
    return ES_RESULT_OK;
}

es_result es_der_enter(struct es_der_cur *c, uint8_t id, struct es_der_cur *inner,
                       struct es_der_elem *out)
{
    struct es_der_elem e;
    ES_GUARD(es_der_expect(c, id, &e));
    ES_GUARD(es_der_open(c, &e, inner));
    if (out) {
        *out = e;
    }
    return ES_RESULT_OK;
}

es_result es_der_leave(const struct es_der_cur *inner)
{
    ES_ENSURE_MSG(inner->pos == inner->len, ES_ERR_FORMAT_TRAILING,
                  "%zu unexpected bytes at offset %zu", inner->len - inner->pos,
                  inner->base_off + inner->pos);
    return ES_RESULT_OK;
}

es_result es_der_count(const struct es_der_cur *c, size_t *out_n)
{
    struct es_der_cur t = *c;
    size_t n = 0;
    struct es_der_elem e;
    while (!es_der_at_end(&t)) {
        ES_GUARD(es_der_next(&t, &e));
        n++;
    }
    *out_n = n;
    return ES_RESULT_OK;
}

es_result es_der_get_int(const struct es_der_elem *e, int64_t *out, unsigned *quirks)
{
    ES_ENSURE_MSG(e->val_len >= 1, ES_ERR_FORMAT_INTEGER, "empty INTEGER at offset %zu", e->off);
    if (e->val_len > 1 && ((e->val[0] == 0 && !(e->val[1] & 0x80)) ||
                           (e->val[0] == 0xff && (e->val[1] & 0x80)))) {
        if (quirks) {
            *quirks |= ES_DQ_INT_NONMINIMAL;
        }
    }
    /* strip redundant sign octets so that padded small values still fit */
    size_t i = 0;
    while (e->val_len - i > 8 && e->val[i] == 0 && !(e->val[i + 1] & 0x80)) {
        i++;
    }
    ES_ENSURE_MSG(e->val_len - i <= 8, ES_ERR_FORMAT_INTEGER,
                  "INTEGER at offset %zu is too large", e->off);
    uint64_t v = (e->val[i] & 0x80) ? UINT64_MAX : 0;
    for (; i < e->val_len; i++) {
        v = (v << 8) | e->val[i];
    }
    *out = (int64_t)v;
    return ES_RESULT_OK;
}

es_result es_der_get_uint(const struct es_der_elem *e, uint8_t *out, size_t out_len,
                          unsigned *quirks)
{
    ES_ENSURE_MSG(e->val_len >= 1, ES_ERR_FORMAT_INTEGER, "empty INTEGER at offset %zu", e->off);
    if (e->val[0] & 0x80) {
        if (quirks) {
            *quirks |= ES_DQ_INT_SIGNLESS; /* Q-SIG-2: magnitude without 00 pad */
        }
    } else if (e->val_len > 1 && e->val[0] == 0 && !(e->val[1] & 0x80)) {
        if (quirks) {
            *quirks |= ES_DQ_INT_NONMINIMAL; /* Q-SIG-3 */
        }
    }
    size_t i = 0;
    while (i < e->val_len && e->val[i] == 0) {
        i++;
    }
    size_t n = e->val_len - i;
    ES_ENSURE_MSG(n <= out_len, ES_ERR_FORMAT_INTEGER,
                  "INTEGER at offset %zu has %zu significant bytes, at most %zu allowed", e->off,
                  n, out_len);
    memset(out, 0, out_len - n);
    if (n) {
        memcpy(out + (out_len - n), e->val + i, n);
    }
    return ES_RESULT_OK;
}

es_result es_der_get_bool(const struct es_der_elem *e, bool *out, unsigned *quirks)
{
    ES_ENSURE_MSG(e->val_len == 1, ES_ERR_FORMAT_LENGTH, "BOOLEAN at offset %zu has length %zu",
                  e->off, e->val_len);
    if (e->val[0] != 0 && e->val[0] != 0xff && quirks) {
        *quirks |= ES_DQ_BOOL_NONCANON;
    }
    *out = e->val[0] != 0;
    return ES_RESULT_OK;
}

es_result es_der_get_bits(const struct es_der_elem *e, uint8_t *out_unused, es_bytes *out)
{
    ES_ENSURE_MSG(e->val_len >= 1, ES_ERR_FORMAT_LENGTH, "empty BIT STRING at offset %zu",
                  e->off);
    ES_ENSURE_MSG(e->val[0] <= 7, ES_ERR_FORMAT_LENGTH,
                  "BIT STRING at offset %zu declares %u unused bits", e->off, e->val[0]);
    ES_ENSURE_MSG(e->val[0] == 0 || e->val_len > 1, ES_ERR_FORMAT_LENGTH,
                  "empty BIT STRING at offset %zu declares unused bits", e->off);
    *out_unused = e->val[0];
    out->ptr = e->val + 1;
    out->len = e->val_len - 1;
    return ES_RESULT_OK;
}
