/*
 * lib/der/der.h - bounded DER reader (no allocation) and canonical DER writer.
 *
 * Reader contract (see docs/internals/DER.md):
 *  - Every read goes through a struct es_der_cur, which never reads outside
 *    [p, p+len). Entering a constructed element yields a sub-cursor bounded
 *    to that element's contents; es_der_leave() fails if bytes remain.
 *  - Indefinite lengths are always rejected; nesting is capped at
 *    ES_DER_MAX_DEPTH; lengths must fit in what remains of the input.
 *  - Every element keeps the exact byte span of its TLV (tlv/tlv_len) and its
 *    absolute offset in the root input, because signatures are verified over
 *    the original bytes, never over a re-encoding.
 *  - DER deviations that real files contain (non-minimal lengths, INTEGERs,
 *    booleans, times) are reported as quirk bits on the cursor; whether a
 *    quirk is fatal is decided by the caller's profile.
 *  - Decoded values borrow from the input; the input must outlive them.
 */
#ifndef ES_DER_H
#define ES_DER_H

#include "base/base.h"

#define ES_DER_MAX_DEPTH 32

/* Identifier octets used by the formats. */
enum {
    ES_DER_BOOLEAN = 0x01,
    ES_DER_INTEGER = 0x02,
    ES_DER_BIT_STRING = 0x03,
    ES_DER_OCTET_STRING = 0x04,
    ES_DER_NULL = 0x05,
    ES_DER_OID = 0x06,
    ES_DER_UTF8_STRING = 0x0c,
    ES_DER_PRINTABLE_STRING = 0x13,
    ES_DER_IA5_STRING = 0x16,
    ES_DER_UTC_TIME = 0x17,
    ES_DER_GENERALIZED_TIME = 0x18,
    ES_DER_SEQUENCE = 0x30,
    ES_DER_SET = 0x31,
    ES_DER_CTX0_CONS = 0xa0,
    ES_DER_CTX0_PRIM = 0x80,
};

/* Quirk bits: DER deviations seen while reading. */
enum {
    ES_DQ_LEN_NONMINIMAL = 1u << 0,
    ES_DQ_INT_NONMINIMAL = 1u << 1,
    ES_DQ_INT_SIGNLESS = 1u << 2,
    ES_DQ_BOOL_NONCANON = 1u << 3,
    ES_DQ_BIT_UNUSED = 1u << 4,
    ES_DQ_TIME_NO_Z = 1u << 5,
    ES_DQ_TIME_12_DIGITS = 1u << 6,
    ES_DQ_TIME_FRACTION = 1u << 7,
    ES_DQ_TIME_OTHER_TYPE = 1u << 8,
};

struct es_der_elem {
    uint8_t id;      /* first identifier octet (class|constructed|tag) */
    uint32_t tag;    /* tag number (also for high-tag-number form) */
    uint8_t cls;     /* 0 universal, 1 application, 2 context, 3 private */
    bool cons;       /* constructed */
    size_t off;      /* absolute offset of the TLV in the root input */
    const uint8_t *tlv;
    size_t tlv_len;
    const uint8_t *val;
    size_t val_len;
    size_t val_off;  /* absolute offset of the contents */
};

struct es_der_cur {
    const uint8_t *p;
    size_t len;
    size_t pos;
    size_t base_off; /* absolute offset of p[0] in the root input */
    unsigned depth;
    unsigned *quirks; /* shared with sub-cursors; may be NULL */
};

void es_der_init(struct es_der_cur *c, const uint8_t *p, size_t len, unsigned *quirks);
bool es_der_at_end(const struct es_der_cur *c);
size_t es_der_offset(const struct es_der_cur *c); /* absolute offset of next read */
/* Reads the next element, whatever its tag. */
ES_RESULT es_der_next(struct es_der_cur *c, struct es_der_elem *out);
/* Reads the next element without consuming it. */
ES_RESULT es_der_peek(const struct es_der_cur *c, struct es_der_elem *out);
/* Reads the next element and requires its identifier octet. */
ES_RESULT es_der_expect(struct es_der_cur *c, uint8_t id, struct es_der_elem *out);
/* Opens a constructed element as a bounded sub-cursor. */
ES_RESULT es_der_open(const struct es_der_cur *parent, const struct es_der_elem *e,
                      struct es_der_cur *inner);
/* es_der_expect + es_der_open. `out` may be NULL. */
ES_RESULT es_der_enter(struct es_der_cur *c, uint8_t id, struct es_der_cur *inner,
                       struct es_der_elem *out);
/* Fails with ES_ERR_FORMAT_TRAILING if the sub-cursor has bytes left. */
ES_RESULT es_der_leave(const struct es_der_cur *inner);
/* Counts the elements left in the cursor (walks headers only). */
ES_RESULT es_der_count(const struct es_der_cur *c, size_t *out_n);

/* Value decoders (the element's tag is checked by the caller). */
/* A small INTEGER (fits int64_t); non-minimal encodings set ES_DQ_INT_NONMINIMAL. */
ES_RESULT es_der_get_int(const struct es_der_elem *e, int64_t *out, unsigned *quirks);
/* An INTEGER read as an unsigned magnitude into exactly out_len bytes,
 * big-endian, left-padded. Sign-less or padded encodings set quirk bits. */
ES_RESULT es_der_get_uint(const struct es_der_elem *e, uint8_t *out, size_t out_len,
                          unsigned *quirks);
ES_RESULT es_der_get_bool(const struct es_der_elem *e, bool *out, unsigned *quirks);
/* BIT STRING: the unused-bits octet and the content after it. */
ES_RESULT es_der_get_bits(const struct es_der_elem *e, uint8_t *out_unused, es_bytes *out);
/* OBJECT IDENTIFIER in dotted form. */
ES_RESULT es_der_get_oid(const struct es_der_elem *e, char *buf, size_t buf_len);
/* UTCTime or GeneralizedTime (e->id decides) to seconds since the epoch, UTC.
 * Values without a zone designator are taken as local time at offset
 * `no_z_offset` seconds east of UTC (Q-TIME-1: Beijing, +28800). */
ES_RESULT es_der_get_time(const struct es_der_elem *e, long no_z_offset, int64_t *out,
                          unsigned *quirks);
/* Parses a time given as text in any of the forms real files use
 * (UTCTime, GeneralizedTime, ISO 8601, "YYYY-MM-DD HH:MM:SS"). */
ES_RESULT es_time_parse_text(const uint8_t *s, size_t n, long no_z_offset, int64_t *out,
                             unsigned *quirks);
/* Calendar helpers. */
int64_t es_time_from_fields(int y, int mo, int d, int h, int mi, int s);
void es_time_format(int64_t t, char out[21]); /* "YYYY-MM-DDTHH:MM:SSZ" */

/* ---- writer: canonical DER into an es_buf ---- */
/* Starts a constructed element; returns its mark for es_derw_end. */
ES_RESULT es_derw_begin(struct es_buf *b, uint8_t id, size_t *out_mark);
ES_RESULT es_derw_end(struct es_buf *b, size_t mark);
ES_RESULT es_derw_tlv(struct es_buf *b, uint8_t id, const void *val, size_t len);
ES_RESULT es_derw_int(struct es_buf *b, int64_t v);
/* INTEGER from an unsigned big-endian magnitude. */
ES_RESULT es_derw_uint(struct es_buf *b, const uint8_t *mag, size_t len);
ES_RESULT es_derw_bool(struct es_buf *b, bool v);
ES_RESULT es_derw_bits(struct es_buf *b, const void *val, size_t len);
ES_RESULT es_derw_oid(struct es_buf *b, const char *dotted);
ES_RESULT es_derw_gentime(struct es_buf *b, int64_t t);
ES_RESULT es_derw_utctime(struct es_buf *b, int64_t t);
ES_RESULT es_derw_raw(struct es_buf *b, const void *p, size_t n);
/* The length octets for n (1..5 bytes); returns how many were written. */
size_t es_der_len_encode(size_t n, uint8_t out[5]);

#endif
