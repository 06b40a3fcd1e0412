/*
 * lib/seal/seal_decode.c - SESeal of GM/T 0031-2014 (v1), GB/T 38540-2020
 * (v4) and the v5 layout (ES_SES_V5). Structure per ses-format.md §3-§5;
 * tolerances per §7, each logged as a warning (or refused when strict).
 */
#include <stdio.h>

#include "seal/seal_int.h"

/* Q-TIME-1: times without a zone are Beijing local time */
#define NO_Z_OFFSET 28800

struct rd {
    es_profile prof;
    struct es_warnings *w;
};

#define QUIRK(rd, dev, code, off, ...) ES_GUARD(es_quirk((rd)->w, (rd)->prof, (dev), (code), (off), __VA_ARGS__))

static es_result ctx_err(es_result r, const char *where)
{
    if (es_is_err(r)) {
        es_error_prefix("%s", where);
    }
    return r;
}
#define IN(where, call)                                                                        \
    do {                                                                                        \
        es_result in_r_ = (call);                                                               \
        if (es_is_err(in_r_)) {                                                                 \
            return ctx_err(in_r_, where);                                                       \
        }                                                                                       \
    } while (0)

static bool is_string_tag(uint8_t id)
{
    return id == ES_DER_IA5_STRING || id == ES_DER_PRINTABLE_STRING || id == ES_DER_UTF8_STRING ||
           id == 0x1a /* VisibleString */ || id == 0x14 /* T61String */;
}

/* A character string field; other string types are a tolerated deviation. */
static es_result str_field(const struct rd *rd, struct es_der_cur *c, uint8_t want,
                           const char *what, char **out, es_bytes *raw)
{
    struct es_der_elem e;
    ES_GUARD(es_der_next(c, &e));
    if (e.id != want) {
        ES_ENSURE_MSG(is_string_tag(e.id), ES_ERR_FORMAT_TAG,
                      "%s at offset %zu: expected a string (tag 0x%02x), found tag 0x%02x", what,
                      e.off, want, e.id);
        QUIRK(rd, true, "Q-STR", e.off, "%s encoded with string tag 0x%02x instead of 0x%02x",
              what, e.id, want);
    }
    if (raw) {
        raw->ptr = e.val;
        raw->len = e.val_len;
    }
    if (out) {
        size_t n = e.val_len;
        while (n > 0 && e.val[n - 1] == 0) {
            n--;
        }
        if (n != e.val_len) {
            QUIRK(rd, false, "Q-NAME-1", e.off, "%s padded with %zu NUL bytes", what,
                  e.val_len - n);
        }
        *out = es_strndup((const char *)e.val, n);
        ES_ENSURE(*out, ES_ERR_NOMEM);
    }
    return ES_RESULT_OK;
}

static es_result int_field(const struct rd *rd, struct es_der_cur *c, const char *what,
                           int64_t *out)
{
    struct es_der_elem e;
    unsigned q = 0;
    IN(what, es_der_expect(c, ES_DER_INTEGER, &e));
    IN(what, es_der_get_int(&e, out, &q));
    if (q) {
        QUIRK(rd, true, "DER-INT", e.off, "%s is a non-minimal INTEGER", what);
    }
    return ES_RESULT_OK;
}

/* A time: `gen` says whether the standard wants GeneralizedTime (v4) or
 * UTCTime (v1). */
static es_result time_field(const struct rd *rd, struct es_der_cur *c, bool gen, const char *what,
                            int64_t *out)
{
    struct es_der_elem e;
    unsigned q = 0;
    ES_GUARD(es_der_next(c, &e));
    uint8_t want = gen ? ES_DER_GENERALIZED_TIME : ES_DER_UTC_TIME;
    if (e.id != want) {
        ES_ENSURE_MSG(e.id == ES_DER_GENERALIZED_TIME || e.id == ES_DER_UTC_TIME,
                      ES_ERR_FORMAT_TAG, "%s at offset %zu: expected a time, found tag 0x%02x",
                      what, e.off, e.id);
        QUIRK(rd, true, gen ? "Q-TIME-U" : "Q-TIME-4", e.off, "%s is a %s instead of a %s", what,
              e.id == ES_DER_UTC_TIME ? "UTCTime" : "GeneralizedTime",
              gen ? "GeneralizedTime" : "UTCTime");
    }
    IN(what, es_der_get_time(&e, NO_Z_OFFSET, out, &q));
    if (q & ES_DQ_TIME_NO_Z) {
        QUIRK(rd, true, "Q-TIME-1", e.off, "%s '%.*s' has no time zone; read as UTC+8", what,
              (int)(e.val_len > 20 ? 20 : e.val_len), (const char *)e.val);
    }
    if (q & ES_DQ_TIME_12_DIGITS) {
        QUIRK(rd, true, "Q-TIME-2", e.off, "%s '%.*s' is a UTCTime string in a GeneralizedTime",
              what, (int)(e.val_len > 20 ? 20 : e.val_len), (const char *)e.val);
    }
    if (q & ES_DQ_TIME_FRACTION) {
        QUIRK(rd, false, "TIME-FRAC", e.off, "%s has fractional seconds", what);
    }
    return ES_RESULT_OK;
}

static es_result bits_field(const struct rd *rd, struct es_der_cur *c, const char *what,
                            es_bytes *out, uint8_t *unused, size_t *off, bool allow_octets)
{
    struct es_der_elem e;
    ES_GUARD(es_der_next(c, &e));
    if (off) {
        *off = e.off;
    }
    if (e.id == ES_DER_OCTET_STRING && allow_octets) {
        QUIRK(rd, true, "Q-EXT-3", e.off, "%s is an OCTET STRING instead of a BIT STRING", what);
        out->ptr = e.val;
        out->len = e.val_len;
        *unused = 0;
        return ES_RESULT_OK;
    }
    ES_ENSURE_MSG(e.id == ES_DER_BIT_STRING, ES_ERR_FORMAT_TAG,
                  "%s at offset %zu: expected a BIT STRING, found tag 0x%02x", what, e.off, e.id);
    IN(what, es_der_get_bits(&e, unused, out));
    if (*unused) {
        QUIRK(rd, true, "Q-BIT-1", e.off, "%s declares %u unused bits; all content bytes used",
              what, *unused);
    }
    return ES_RESULT_OK;
}

static es_result oid_field(struct es_der_cur *c, const char *what, char *buf, size_t n)
{
    struct es_der_elem e;
    IN(what, es_der_expect(c, ES_DER_OID, &e));
    IN(what, es_der_get_oid(&e, buf, n));
    return ES_RESULT_OK;
}

/* ExtensionDatas ::= SEQUENCE OF ExtData; `c` is positioned inside. */
static es_result read_exts(const struct rd *rd, struct es_der_cur *c, struct es_ext *ext,
                           size_t *n_ext)
{
    *n_ext = 0;
    while (!es_der_at_end(c)) {
        struct es_der_cur x;
        struct es_der_elem e;
        ES_ENSURE_MSG(*n_ext < ES_SEAL_MAX_EXTS, ES_ERR_LIMIT_COUNT,
                      "more than %d ExtData at offset %zu", ES_SEAL_MAX_EXTS, es_der_offset(c));
        IN("ExtData", es_der_enter(c, ES_DER_SEQUENCE, &x, &e));
        struct es_ext *xe = &ext[*n_ext];
        memset(xe, 0, sizeof(*xe));
        ES_GUARD(oid_field(&x, "ExtData.extnID", xe->oid, sizeof(xe->oid)));
        struct es_der_elem b;
        ES_GUARD(es_der_peek(&x, &b));
        if (b.id == ES_DER_BOOLEAN) {
            unsigned q = 0;
            ES_GUARD(es_der_next(&x, &b));
            IN("ExtData.critical", es_der_get_bool(&b, &xe->critical, &q));
            xe->critical_present = true;
            if (!xe->critical) {
                /* DER omits DEFAULT values; every producer writes it (Q-EXT-1) */
                QUIRK(rd, true, "Q-EXT-1", b.off, "ExtData.critical FALSE encoded explicitly");
            }
        }
        struct es_der_elem v;
        IN("ExtData.extnValue", es_der_expect(&x, ES_DER_OCTET_STRING, &v));
        xe->value = (es_bytes){v.val, v.val_len};
        IN("ExtData", es_der_leave(&x));
        (*n_ext)++;
    }
    return ES_RESULT_OK;
}

static es_result read_cert_list(const struct rd *rd, struct es_der_cur *c, struct es_seal *s)
{
    struct es_der_cur l;
    struct es_der_elem le;
    IN("certList", es_der_enter(c, ES_DER_SEQUENCE, &l, &le));
    s->n_certs = 0;
    bool first = true;
    while (!es_der_at_end(&l)) {
        struct es_der_elem e;
        ES_GUARD(es_der_next(&l, &e));
        ES_ENSURE_MSG(s->n_certs < ES_SEAL_MAX_CERTS, ES_ERR_LIMIT_COUNT,
                      "certList at offset %zu has more than %d entries", le.off,
                      ES_SEAL_MAX_CERTS);
        enum es_cert_list_kind k;
        if (e.id == ES_DER_OCTET_STRING) {
            k = ES_CL_CERTS;
            s->certs[s->n_certs] = (es_bytes){e.val, e.val_len};
        } else if (e.id == ES_DER_SEQUENCE) {
            /* CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING } */
            struct es_der_cur d;
            struct es_der_elem t, v;
            ES_GUARD(es_der_open(&l, &e, &d));
            ES_GUARD(es_der_next(&d, &t));
            if (!is_string_tag(t.id) && t.id == ES_DER_INTEGER) {
                /* a bare certificate (SEQUENCE) instead of an OCTET STRING */
                QUIRK(rd, true, "Q-CL-2", e.off, "certificate in certList not wrapped in an "
                                                 "OCTET STRING");
                k = ES_CL_CERTS;
                s->certs[s->n_certs] = (es_bytes){e.tlv, e.tlv_len};
            } else if (is_string_tag(t.id) || t.id == 0x30) {
                k = ES_CL_DIGESTS;
                IN("CertDigestObj.value", es_der_expect(&d, ES_DER_OCTET_STRING, &v));
                IN("CertDigestObj", es_der_leave(&d));
                s->digest_types[s->n_certs] = (es_bytes){t.val, t.val_len};
                s->certs[s->n_certs] = (es_bytes){v.val, v.val_len};
            } else {
                /* a DER certificate whose first element is the tbsCertificate */
                QUIRK(rd, true, "Q-CL-2", e.off,
                      "certificate in certList not wrapped in an OCTET STRING");
                k = ES_CL_CERTS;
                s->certs[s->n_certs] = (es_bytes){e.tlv, e.tlv_len};
            }
        } else if (is_string_tag(e.id)) {
            k = ES_CL_STRINGS;
            s->certs[s->n_certs] = (es_bytes){e.val, e.val_len};
        } else {
            ES_BAIL_MSG(ES_ERR_FORMAT_TAG, "certList entry at offset %zu has tag 0x%02x", e.off,
                        e.id);
        }
        if (first) {
            s->cert_list_kind = k;
            first = false;
        } else {
            ES_ENSURE_MSG(k == s->cert_list_kind, ES_ERR_FORMAT_STRUCTURE,
                          "certList at offset %zu mixes entry kinds", le.off);
        }
        for (size_t i = 0; i < s->n_certs; i++) {
            if (s->certs[i].len == s->certs[s->n_certs].len &&
                memcmp(s->certs[i].ptr, s->certs[s->n_certs].ptr, s->certs[i].len) == 0) {
                QUIRK(rd, false, "Q-CL-2", e.off, "certList entry %zu repeats entry %zu",
                      s->n_certs + 1, i + 1);
            }
        }
        s->n_certs++;
    }
    if (s->cert_list_kind == ES_CL_STRINGS) {
        QUIRK(rd, true, "Q-V1-2", le.off,
              "certList holds strings, not certificates: the signer binding cannot be checked");
    }
    return ES_RESULT_OK;
}

/* SES_SealInfo (v1 and v4 differ in the property info and time types). */
static es_result read_seal_info(const struct rd *rd, struct es_der_cur *c, struct es_seal *s,
                                bool v1)
{
    struct es_der_cur si, h, p, pic;
    struct es_der_elem e;
    IN("SES_SealInfo", es_der_enter(c, ES_DER_SEQUENCE, &si, &e));
    s->sealinfo_tlv = (es_bytes){e.tlv, e.tlv_len};

    IN("SES_Header", es_der_enter(&si, ES_DER_SEQUENCE, &h, NULL));
    char *id = NULL;
    IN("SES_Header.ID", str_field(rd, &h, ES_DER_IA5_STRING, "SES_Header.ID", &id, NULL));
    snprintf(s->id, sizeof(s->id), "%s", id);
    bool id_ok = strcmp(id, "ES") == 0;
    es_free(id);
    ES_ENSURE_MSG(id_ok, ES_ERR_FORMAT_STRUCTURE,
                  "SES_Header.ID is '%s', the standard requires \"ES\"", s->id);
    ES_GUARD(int_field(rd, &h, "SES_Header.version", &s->header_version));
    IN("SES_Header.Vid", str_field(rd, &h, ES_DER_IA5_STRING, "SES_Header.Vid", &s->vid, NULL));
    IN("SES_Header", es_der_leave(&h));

    IN("SES_SealInfo.esID", str_field(rd, &si, ES_DER_IA5_STRING, "esID", &s->esid, NULL));

    IN("SES_ESPropertyInfo", es_der_enter(&si, ES_DER_SEQUENCE, &p, NULL));
    ES_GUARD(int_field(rd, &p, "SES_ESPropertyInfo.type", &s->type));
    IN("SES_ESPropertyInfo.name", str_field(rd, &p, ES_DER_UTF8_STRING, "SES_ESPropertyInfo.name",
                                            &s->name, &s->name_raw));
    if (!v1) {
        ES_GUARD(int_field(rd, &p, "SES_ESPropertyInfo.certListType", &s->cert_list_type));
    }
    ES_GUARD(read_cert_list(rd, &p, s));
    if (!v1) {
        if (s->cert_list_type == 1 && s->cert_list_kind != ES_CL_CERTS) {
            QUIRK(rd, true, "Q-CL-1", es_der_offset(&p),
                  "certListType 1 but certList does not hold certificates");
        } else if (s->cert_list_type == 2 && s->cert_list_kind != ES_CL_DIGESTS) {
            QUIRK(rd, true, "Q-CL-1", es_der_offset(&p),
                  "certListType 2 but certList does not hold digests");
        } else if (s->cert_list_type != 1 && s->cert_list_type != 2) {
            QUIRK(rd, true, "Q-CL-1", es_der_offset(&p),
                  "unknown certListType %lld; list read by the shape of its entries",
                  (long long)s->cert_list_type);
        }
    }
    ES_GUARD(time_field(rd, &p, !v1, "createDate", &s->create_date));
    ES_GUARD(time_field(rd, &p, !v1, "validStart", &s->valid_start));
    ES_GUARD(time_field(rd, &p, !v1, "validEnd", &s->valid_end));
    IN("SES_ESPropertyInfo", es_der_leave(&p));

    IN("SES_ESPictrueInfo", es_der_enter(&si, ES_DER_SEQUENCE, &pic, NULL));
    char *ptype = NULL;
    IN("SES_ESPictrueInfo.type",
       str_field(rd, &pic, ES_DER_IA5_STRING, "SES_ESPictrueInfo.type", &ptype, NULL));
    snprintf(s->pic_type, sizeof(s->pic_type), "%s", ptype);
    es_free(ptype);
    IN("SES_ESPictrueInfo.data", es_der_expect(&pic, ES_DER_OCTET_STRING, &e));
    s->pic_data = (es_bytes){e.val, e.val_len};
    ES_GUARD(int_field(rd, &pic, "SES_ESPictrueInfo.width", &s->pic_w_mm));
    ES_GUARD(int_field(rd, &pic, "SES_ESPictrueInfo.height", &s->pic_h_mm));
    IN("SES_ESPictrueInfo", es_der_leave(&pic));
    s->pic_sniffed = es_picture_sniff(s->pic_data.ptr, s->pic_data.len);
    if (s->pic_sniffed && strcasecmp(s->pic_sniffed, s->pic_type) != 0 &&
        !(strcmp(s->pic_sniffed, "JPG") == 0 && strcasecmp(s->pic_type, "JPEG") == 0)) {
        QUIRK(rd, false, "Q-PIC-3", e.off, "picture declared as '%s' but its content is %s",
              s->pic_type, s->pic_sniffed);
    } else if (s->pic_sniffed && strcmp(s->pic_sniffed, s->pic_type) != 0 &&
               strcasecmp(s->pic_type, "JPEG") != 0) {
        QUIRK(rd, false, "Q-PIC-2", e.off, "picture type '%s' is not upper case", s->pic_type);
    }

    if (!es_der_at_end(&si)) {
        struct es_der_cur x;
        ES_GUARD(es_der_next(&si, &e));
        if (e.id == ES_DER_SEQUENCE) {
            ES_GUARD(es_der_open(&si, &e, &x));
        } else if (v1 && (e.id == ES_DER_OCTET_STRING || (e.cls == 2 && e.cons))) {
            /* Q-EXT-3: v1 ExtensionDatas wrapped in an OCTET STRING or a context tag */
            QUIRK(rd, true, "Q-EXT-3", e.off, "v1 extDatas wrapped in tag 0x%02x", e.id);
            ES_GUARD(es_der_open(&si, &e, &x));
            if (e.id == ES_DER_OCTET_STRING || e.cls == 2) {
                struct es_der_elem in;
                ES_GUARD(es_der_peek(&x, &in));
                if (in.id == ES_DER_SEQUENCE && in.tlv_len == x.len) {
                    struct es_der_cur y;
                    ES_GUARD(es_der_next(&x, &in));
                    ES_GUARD(es_der_open(&x, &in, &y));
                    struct es_der_elem first;
                    ES_GUARD(es_der_peek(&y, &first));
                    if (first.id == ES_DER_SEQUENCE) {
                        x = y;
                    } else {
                        /* the wrapper's content is a single ExtData: re-read it */
                        ES_GUARD(es_der_open(&si, &e, &x));
                    }
                }
            }
        } else {
            ES_BAIL_MSG(ES_ERR_FORMAT_TAG, "extDatas at offset %zu has tag 0x%02x", e.off, e.id);
        }
        ES_GUARD(read_exts(rd, &x, s->ext, &s->n_ext));
    }
    IN("SES_SealInfo", es_der_leave(&si));
    for (size_t i = 0; i < s->n_ext; i++) {
        if (s->ext[i].critical) {
            QUIRK(rd, false, "Q-EXT-2", es_der_offset(c),
                  "unknown critical extension %s in the seal (no processing rule in the "
                  "standard)",
                  s->ext[i].oid);
        }
    }
    return ES_RESULT_OK;
}

static es_result read_v1_sign_info(const struct rd *rd, struct es_der_cur *c, struct es_seal *s)
{
    struct es_der_elem e;
    struct es_der_cur si;
    ES_GUARD(es_der_next(c, &e));
    if (e.id == ES_DER_BIT_STRING) {
        /* Q-EXT-3: SES_SignInfo wrapped in a BIT STRING */
        QUIRK(rd, true, "Q-EXT-3", e.off, "v1 SES_SignInfo wrapped in a BIT STRING");
        uint8_t u;
        es_bytes inner;
        ES_GUARD(es_der_get_bits(&e, &u, &inner));
        struct es_der_cur w;
        ES_GUARD(es_der_open(c, &e, &w));
        w.p = inner.ptr;
        w.len = inner.len;
        w.base_off = e.val_off + 1;
        IN("SES_SignInfo", es_der_enter(&w, ES_DER_SEQUENCE, &si, NULL));
        IN("SES_SignInfo", es_der_leave(&w));
    } else {
        ES_ENSURE_MSG(e.id == ES_DER_SEQUENCE, ES_ERR_FORMAT_TAG,
                      "SES_SignInfo at offset %zu: expected a SEQUENCE, found tag 0x%02x", e.off,
                      e.id);
        ES_GUARD(es_der_open(c, &e, &si));
    }
    struct es_der_elem ce, ae;
    IN("SES_SignInfo.cert", es_der_expect(&si, ES_DER_OCTET_STRING, &ce));
    s->maker_cert = (es_bytes){ce.val, ce.val_len};
    ES_GUARD(es_der_peek(&si, &ae));
    ES_GUARD(oid_field(&si, "SES_SignInfo.signatureAlgorithm", s->sign_alg, sizeof(s->sign_alg)));
    ES_GUARD(bits_field(rd, &si, "SES_SignInfo.signData", &s->signed_value, &s->sv_unused,
                        &s->sv_off, false));
    IN("SES_SignInfo", es_der_leave(&si));

    /* GM/T 0031-2014: the maker signs SEQUENCE { sealInfo, cert, signatureAlgorithm },
     * assembled here from the original TLVs (verified on every v1 sample). */
    struct es_buf b;
    es_buf_init(&b, ES_SEAL_MAX_BYTES);
    size_t mark;
    es_result res = ES_RESULT_OK;
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &mark));
    ES_GUARD_GOTO(es_derw_raw(&b, s->sealinfo_tlv.ptr, s->sealinfo_tlv.len));
    ES_GUARD_GOTO(es_derw_raw(&b, ce.tlv, ce.tlv_len));
    ES_GUARD_GOTO(es_derw_raw(&b, ae.tlv, ae.tlv_len));
    ES_GUARD_GOTO(es_derw_end(&b, mark));
    s->maker_tbs_owned = b.ptr;
    s->maker_tbs = (es_bytes){b.ptr, b.len};
    b.ptr = NULL;
out:
    es_buf_free(&b);
    return res;
}

static es_result parse(struct es_seal *s, const uint8_t *p, size_t len, size_t base_off,
                       es_profile prof)
{
    struct rd rd = {prof, &s->w};
    struct es_der_cur top, c;
    struct es_der_elem e;
    unsigned dq = 0;
    es_der_init(&top, p, len, &dq);
    top.base_off = base_off;
    IN("SESeal", es_der_enter(&top, ES_DER_SEQUENCE, &c, &e));
    s->tlv = (es_bytes){e.tlv, e.tlv_len};
    s->off = e.off;
    size_t n = 0;
    IN("SESeal", es_der_count(&c, &n));
    if (n == 2) {
        s->version = 1;
        ES_GUARD(read_seal_info(&rd, &c, s, true));
        ES_GUARD(read_v1_sign_info(&rd, &c, s));
    } else if (n == 4 || n == 5) {
        ES_GUARD(read_seal_info(&rd, &c, s, false));
        s->version = s->header_version == 5 || n == 5 ? 5 : 4;
#ifndef ES_SES_V5
        ES_ENSURE_MSG(s->version != 5, ES_ERR_FORMAT_VERSION,
                      "SESeal at offset %zu has the v5 layout (header version %lld), whose "
                      "standard text is unconfirmed; build with -DES_SES_V5=ON to read it",
                      e.off, (long long)s->header_version);
#endif
        IN("SESeal.cert", es_der_expect(&c, ES_DER_OCTET_STRING, &e));
        s->maker_cert = (es_bytes){e.val, e.val_len};
        ES_GUARD(oid_field(&c, "SESeal.signAlgID", s->sign_alg, sizeof(s->sign_alg)));
        ES_GUARD(bits_field(&rd, &c, "SESeal.signedValue", &s->signed_value, &s->sv_unused,
                            &s->sv_off, false));
        /* GB/T 38540-2020: the maker signs the eSealInfo TLV only */
        s->maker_tbs = s->sealinfo_tlv;
        if (n == 5) {
            struct es_der_elem t;
            ES_GUARD(es_der_next(&c, &t));
            ES_ENSURE_MSG(t.id == ES_DER_CTX0_CONS, ES_ERR_FORMAT_TAG,
                          "5th element of SESeal at offset %zu is tag 0x%02x, expected [0]",
                          t.off, t.id);
            struct es_der_cur tc;
            struct es_der_elem tb;
            uint8_t u;
            ES_GUARD(es_der_open(&c, &t, &tc));
            IN("SESeal.timeStamp", es_der_expect(&tc, ES_DER_BIT_STRING, &tb));
            ES_GUARD(es_der_get_bits(&tb, &u, &s->timestamp));
            IN("SESeal.timeStamp", es_der_leave(&tc));
            s->has_timestamp = true;
        }
        if (s->header_version != 4 && s->version == 4) {
            QUIRK(&rd, true, "HDR-VER", s->off, "v4 seal layout with header version %lld",
                  (long long)s->header_version);
        }
    } else {
        ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE,
                    "SESeal at offset %zu has %zu elements; a seal has 2 (GM/T 0031-2014) or 4 "
                    "(GB/T 38540-2020)",
                    e.off, n);
    }
    IN("SESeal", es_der_leave(&c));
    if (dq & ES_DQ_LEN_NONMINIMAL) {
        QUIRK(&rd, true, "DER-LEN", s->off, "non-minimal DER length encoding");
    }
    return ES_RESULT_OK;
}

es_result es_seal_parse(struct es_seal *s, const uint8_t *p, size_t len, size_t base_off,
                        es_profile prof)
{
    memset(s, 0, sizeof(*s));
    ES_ENSURE_MSG(len <= ES_SEAL_MAX_BYTES, ES_ERR_LIMIT_SIZE, "seal of %zu bytes exceeds %zu",
                  len, ES_SEAL_MAX_BYTES);
    es_result r = parse(s, p, len, base_off, prof);
    if (es_is_err(r)) {
        es_seal_clear(s);
    }
    return r;
}

void es_seal_clear(struct es_seal *s)
{
    es_free(s->buf);
    es_free(s->vid);
    es_free(s->esid);
    es_free(s->name);
    es_free(s->maker_tbs_owned);
    es_warnings_free(&s->w);
    memset(s, 0, sizeof(*s));
}

/* ---- public API ---- */
#include "base/ctx_int.h"

int es_seal_decode(es_ctx *ctx, const uint8_t *der, size_t len, es_seal **out)
{
    *out = NULL;
    es_seal *s = es_calloc(1, sizeof(*s));
    uint8_t *copy = es_malloc(len);
    es_result r;
    if (!s || !copy || !der) {
        es_free(s);
        es_free(copy);
        return es_ctx_take_error(ctx, es_error_set(der ? ES_ERR_NOMEM : ES_ERR_USAGE_NULL,
                                                   __FILE__, __LINE__, "cannot decode"));
    }
    memcpy(copy, der, len);
    r = es_seal_parse(s, copy, len, 0, es_ctx_get_profile(ctx));
    if (es_is_ok(r) && s->tlv.len != len) {
        r = es_error_set(ES_ERR_FORMAT_TRAILING, __FILE__, __LINE__,
                         "%zu bytes after the end of the SESeal at offset %zu", len - s->tlv.len,
                         s->tlv.len);
    }
    if (es_is_err(r)) {
        es_seal_clear(s);
        es_free(s);
        es_free(copy);
        return es_ctx_take_error(ctx, r);
    }
    s->buf = copy;
    s->len = len;
    *out = s;
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}

void es_seal_free(es_seal *s)
{
    if (s) {
        es_seal_clear(s);
        es_free(s);
    }
}

int es_seal_version(const es_seal *s) { return s->version; }
int64_t es_seal_header_version(const es_seal *s) { return s->header_version; }
const char *es_seal_vid(const es_seal *s) { return s->vid ? s->vid : ""; }
const char *es_seal_esid(const es_seal *s) { return s->esid ? s->esid : ""; }
const char *es_seal_name(const es_seal *s) { return s->name ? s->name : ""; }
int64_t es_seal_type(const es_seal *s) { return s->type; }
int64_t es_seal_create_date(const es_seal *s) { return s->create_date; }
int64_t es_seal_valid_start(const es_seal *s) { return s->valid_start; }
int64_t es_seal_valid_end(const es_seal *s) { return s->valid_end; }
int64_t es_seal_cert_list_type(const es_seal *s) { return s->cert_list_type; }
size_t es_seal_cert_count(const es_seal *s) { return s->n_certs; }
es_bytes es_seal_cert_entry(const es_seal *s, size_t i)
{
    return i < s->n_certs ? s->certs[i] : (es_bytes){NULL, 0};
}
es_bytes es_seal_picture(const es_seal *s, const char **out_type, int64_t *out_w_mm,
                         int64_t *out_h_mm)
{
    if (out_type) {
        *out_type = s->pic_type;
    }
    if (out_w_mm) {
        *out_w_mm = s->pic_w_mm;
    }
    if (out_h_mm) {
        *out_h_mm = s->pic_h_mm;
    }
    return s->pic_data;
}
const char *es_seal_picture_sniffed(const es_seal *s) { return s->pic_sniffed; }
es_bytes es_seal_maker_cert(const es_seal *s) { return s->maker_cert; }
es_bytes es_seal_der(const es_seal *s) { return s->tlv; }
size_t es_seal_warning_count(const es_seal *s) { return s->w.n; }
const char *es_seal_warning(const es_seal *s, size_t i, const char **out_code)
{
    if (i >= s->w.n) {
        return NULL;
    }
    if (out_code) {
        *out_code = s->w.v[i].code;
    }
    return s->w.v[i].msg;
}
