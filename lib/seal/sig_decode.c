/*
 * lib/seal/sig_decode.c - SES_Signature of GM/T 0031-2014 (v1), GB/T
 * 38540-2020 (v4) and the v5 layout. The embedded seal is decoded in place
 * (its byte span kept, never re-encoded). ses-format.md §2-§5, §7.
 */
#include <stdio.h>

#include "base/ctx_int.h"
#include "seal/seal_int.h"

#define NO_Z_OFFSET 28800

#define QUIRK(g, prof, dev, code, off, ...)                                                    \
    ES_GUARD(es_quirk(&(g)->w, (prof), (dev), (code), (off), __VA_ARGS__))

static es_result where(es_result r, const char *what)
{
    if (es_is_err(r)) {
        es_error_prefix("%s", what);
    }
    return r;
}
#define IN(what, call) ES_GUARD(where((call), (what)))

enum es_blob_kind es_blob_detect(const uint8_t *p, size_t len, int *out_version)
{
    struct es_der_cur top, c;
    struct es_der_elem e, first, second;
    size_t n = 0;
    if (out_version) {
        *out_version = 0;
    }
    es_der_init(&top, p, len, NULL);
    if (es_is_err(es_der_enter(&top, ES_DER_SEQUENCE, &c, NULL)) ||
        es_is_err(es_der_count(&c, &n)) || n == 0 || es_is_err(es_der_peek(&c, &first))) {
        es_error_clear();
        return ES_BLOB_UNKNOWN;
    }
    struct es_der_cur t = c;
    bool has_second = es_is_ok(es_der_next(&t, &e)) && es_is_ok(es_der_peek(&t, &second));
    es_error_clear();
    if (n == 2 && first.id == ES_DER_OID) {
        return ES_BLOB_GBT35275;
    }
    if (n == 2 && first.id == ES_DER_INTEGER && has_second && second.id == ES_DER_INTEGER) {
        return ES_BLOB_BARE_SM2;
    }
    if (n == 3 && first.id == ES_DER_SEQUENCE && has_second && second.id == ES_DER_SEQUENCE) {
        return ES_BLOB_CERT; /* tbsCertificate, signatureAlgorithm, signature */
    }
    if (first.id != ES_DER_SEQUENCE) {
        return ES_BLOB_UNKNOWN;
    }
    /* SESeal starts with SES_SealInfo whose first child is SES_Header {IA5 "ES", ...};
     * SES_Signature starts with TBS_Sign whose first child is an INTEGER. */
    struct es_der_cur f;
    struct es_der_elem ff;
    if (es_is_err(es_der_open(&c, &first, &f)) || es_is_err(es_der_peek(&f, &ff))) {
        es_error_clear();
        return ES_BLOB_UNKNOWN;
    }
    if (ff.id == ES_DER_SEQUENCE && (n == 2 || n == 4 || n == 5)) {
        if (out_version) {
            *out_version = n == 2 ? 1 : 4;
        }
        return ES_BLOB_SEAL;
    }
    if (ff.id == ES_DER_INTEGER && (n == 2 || n == 4 || n == 5)) {
        if (out_version) {
            *out_version = n == 2 ? 1 : 4;
        }
        return ES_BLOB_SES_SIGNATURE;
    }
    return ES_BLOB_UNKNOWN;
}

/* The embedded SESeal (v1 may wrap it in an OCTET STRING, Q-EXT-3). */
static es_result read_eseal(struct es_signature *g, struct es_der_cur *c, es_profile prof)
{
    struct es_der_elem e;
    IN("TBS_Sign.eseal", es_der_next(c, &e));
    const uint8_t *p = e.tlv;
    size_t len = e.tlv_len;
    size_t off = e.off;
    if (e.id == ES_DER_OCTET_STRING) {
        QUIRK(g, prof, true, "Q-EXT-3", e.off, "TBS_Sign.eseal wrapped in an OCTET STRING");
        p = e.val;
        len = e.val_len;
        off = e.val_off;
    } else {
        ES_ENSURE_MSG(e.id == ES_DER_SEQUENCE, ES_ERR_FORMAT_TAG,
                      "TBS_Sign.eseal at offset %zu: expected a SESeal, found tag 0x%02x", e.off,
                      e.id);
    }
    IN("TBS_Sign.eseal", es_seal_parse(&g->seal, p, len, off, prof));
    ES_ENSURE_MSG(g->seal.tlv.len == len, ES_ERR_FORMAT_TRAILING,
                  "bytes after the embedded SESeal at offset %zu", off + g->seal.tlv.len);
    return ES_RESULT_OK;
}

static es_result read_bits(struct es_signature *g, es_profile prof, struct es_der_cur *c,
                           const char *what, es_bytes *out, uint8_t *unused, size_t *off,
                           bool allow_octets)
{
    struct es_der_elem e;
    IN(what, es_der_next(c, &e));
    if (off) {
        *off = e.off;
    }
    if (allow_octets && e.id == ES_DER_OCTET_STRING) {
        QUIRK(g, prof, true, "Q-EXT-3", e.off, "%s is an OCTET STRING instead of a BIT STRING",
              what);
        *out = (es_bytes){e.val, e.val_len};
        *unused = 0;
        return ES_RESULT_OK;
    }
    ES_ENSURE_MSG(e.id == ES_DER_BIT_STRING, ES_ERR_FORMAT_TAG,
                  "%s at offset %zu: expected a BIT STRING, found tag 0x%02x", what, e.off, e.id);
    IN(what, es_der_get_bits(&e, unused, out));
    if (*unused) {
        QUIRK(g, prof, true, "Q-BIT-1", e.off,
              "%s declares %u unused bits; all content bytes used", what, *unused);
    }
    return ES_RESULT_OK;
}

static es_result read_ia5(struct es_signature *g, es_profile prof, struct es_der_cur *c,
                          const char *what, char **out)
{
    struct es_der_elem e;
    IN(what, es_der_next(c, &e));
    if (e.id != ES_DER_IA5_STRING) {
        ES_ENSURE_MSG(e.id == ES_DER_UTF8_STRING || e.id == ES_DER_PRINTABLE_STRING ||
                          e.id == 0x1a,
                      ES_ERR_FORMAT_TAG, "%s at offset %zu: expected an IA5String, found 0x%02x",
                      what, e.off, e.id);
        QUIRK(g, prof, true, "Q-STR", e.off, "%s is not an IA5String (tag 0x%02x)", what, e.id);
    }
    *out = es_strndup((const char *)e.val, e.val_len);
    ES_ENSURE(*out, ES_ERR_NOMEM);
    return ES_RESULT_OK;
}

/* v1 timeInfo: a BIT STRING holding a time-stamp token or a time as text
 * (Q-TIME-3). */
static es_result v1_time(struct es_signature *g, es_profile prof, size_t off)
{
    if (g->time_raw.len > 0 && g->time_raw.ptr[0] == 0x30) {
        g->time_is_token = true;
        QUIRK(g, prof, false, "Q-TIME-3", off,
              "v1 timeInfo holds a time-stamp token; the signing time is taken from it only "
              "when it is verified");
        return ES_RESULT_OK;
    }
    unsigned q = 0;
    es_result r = es_time_parse_text(g->time_raw.ptr, g->time_raw.len, NO_Z_OFFSET, &g->time, &q);
    if (es_is_ok(r)) {
        g->time_known = true;
        bool compact = g->time_raw.len >= 13 && g->time_raw.ptr[g->time_raw.len - 1] == 'Z' &&
                       g->time_raw.ptr[4] != '-';
        if (!compact) {
            QUIRK(g, prof, true, "Q-TIME-3", off, "v1 timeInfo is the text '%.*s'%s",
                  (int)(g->time_raw.len > 30 ? 30 : g->time_raw.len),
                  (const char *)g->time_raw.ptr, (q & ES_DQ_TIME_NO_Z) ? ", read as UTC+8" : "");
        }
        return ES_RESULT_OK;
    }
    es_error_clear();
    QUIRK(g, prof, true, "Q-TIME-3", off, "v1 timeInfo cannot be read as a time");
    return ES_RESULT_OK;
}

static es_result read_exts_ctx(struct es_signature *g, es_profile prof, struct es_der_cur *c)
{
    struct es_der_elem e;
    IN("TBS_Sign.extDatas", es_der_next(c, &e));
    ES_ENSURE_MSG(e.id == ES_DER_CTX0_CONS, ES_ERR_FORMAT_TAG,
                  "unexpected tag 0x%02x at offset %zu in TBS_Sign", e.id, e.off);
    struct es_der_cur x, l;
    ES_GUARD(es_der_open(c, &e, &x));
    struct es_der_elem f;
    IN("TBS_Sign.extDatas", es_der_peek(&x, &f));
    /* EXPLICIT: [0] { SEQUENCE OF ExtData }; IMPLICIT: [0] { ExtData... } */
    struct es_der_cur probe;
    struct es_der_elem ff;
    ES_GUARD(es_der_open(&x, &f, &probe));
    ES_GUARD(es_der_peek(&probe, &ff));
    if (ff.id == ES_DER_OID) {
        QUIRK(g, prof, true, "TAG-IMPL", e.off, "TBS_Sign.extDatas tagged IMPLICIT");
        l = x;
    } else {
        IN("TBS_Sign.extDatas", es_der_enter(&x, ES_DER_SEQUENCE, &l, NULL));
        IN("TBS_Sign.extDatas", es_der_leave(&x));
    }
    g->n_ext = 0;
    while (!es_der_at_end(&l)) {
        struct es_der_cur xe;
        ES_ENSURE_MSG(g->n_ext < ES_SEAL_MAX_EXTS, ES_ERR_LIMIT_COUNT, "too many ExtData");
        IN("ExtData", es_der_enter(&l, ES_DER_SEQUENCE, &xe, NULL));
        struct es_ext *t = &g->ext[g->n_ext];
        memset(t, 0, sizeof(*t));
        struct es_der_elem oe, be, ve;
        IN("ExtData.extnID", es_der_expect(&xe, ES_DER_OID, &oe));
        IN("ExtData.extnID", es_der_get_oid(&oe, t->oid, sizeof(t->oid)));
        ES_GUARD(es_der_peek(&xe, &be));
        if (be.id == ES_DER_BOOLEAN) {
            ES_GUARD(es_der_next(&xe, &be));
            IN("ExtData.critical", es_der_get_bool(&be, &t->critical, NULL));
            t->critical_present = true;
            if (!t->critical) {
                QUIRK(g, prof, true, "Q-EXT-1", be.off, "ExtData.critical FALSE encoded explicitly");
            }
        }
        IN("ExtData.extnValue", es_der_expect(&xe, ES_DER_OCTET_STRING, &ve));
        t->value = (es_bytes){ve.val, ve.val_len};
        IN("ExtData", es_der_leave(&xe));
        if (t->critical) {
            QUIRK(g, prof, false, "Q-EXT-2", oe.off,
                  "unknown critical extension %s in TBS_Sign (no processing rule in the "
                  "standard)",
                  t->oid);
        }
        g->n_ext++;
    }
    return ES_RESULT_OK;
}

static es_result parse(struct es_signature *g, const uint8_t *p, size_t len, es_profile prof)
{
    struct es_der_cur top, c, tbs;
    struct es_der_elem e;
    unsigned dq = 0;
    es_der_init(&top, p, len, &dq);
    IN("SES_Signature", es_der_enter(&top, ES_DER_SEQUENCE, &c, &e));
    g->tlv = (es_bytes){e.tlv, e.tlv_len};
    ES_ENSURE_MSG(e.tlv_len == len, ES_ERR_FORMAT_TRAILING,
                  "%zu bytes after the end of the SES_Signature at offset %zu", len - e.tlv_len,
                  e.tlv_len);
    size_t n = 0;
    IN("SES_Signature", es_der_count(&c, &n));
    IN("TBS_Sign", es_der_enter(&c, ES_DER_SEQUENCE, &tbs, &e));
    g->tbs_tlv = (es_bytes){e.tlv, e.tlv_len};
    struct es_der_elem ve;
    IN("TBS_Sign.version", es_der_expect(&tbs, ES_DER_INTEGER, &ve));
    IN("TBS_Sign.version", es_der_get_int(&ve, &g->tbs_version, NULL));
    ES_GUARD(read_eseal(g, &tbs, prof));
    if (n == 2) {
        g->version = 1;
        ES_ENSURE_MSG(g->seal.version == 1, ES_ERR_FORMAT_STRUCTURE,
                      "a v1 SES_Signature embeds a v%d seal", g->seal.version);
        size_t toff;
        ES_GUARD(read_bits(g, prof, &tbs, "TBS_Sign.timeInfo", &g->time_raw, &g->dh_unused, &toff,
                           true));
        ES_GUARD(v1_time(g, prof, toff));
        ES_GUARD(read_bits(g, prof, &tbs, "TBS_Sign.dataHash", &g->data_hash, &g->dh_unused, NULL,
                           true));
        ES_GUARD(read_ia5(g, prof, &tbs, "TBS_Sign.propertyInfo", &g->property_info));
        IN("TBS_Sign.cert", es_der_expect(&tbs, ES_DER_OCTET_STRING, &e));
        g->cert = (es_bytes){e.val, e.val_len};
        IN("TBS_Sign.signatureAlgorithm", es_der_expect(&tbs, ES_DER_OID, &e));
        IN("TBS_Sign.signatureAlgorithm", es_der_get_oid(&e, g->sign_alg, sizeof(g->sign_alg)));
        IN("TBS_Sign", es_der_leave(&tbs));
        ES_GUARD(read_bits(g, prof, &c, "SES_Signature.signature", &g->signature, &g->sig_unused,
                           &g->sig_off, false));
    } else if (n == 4 || n == 5) {
        g->version = g->seal.version == 5 ? 5 : 4;
        ES_ENSURE_MSG(g->seal.version != 1, ES_ERR_FORMAT_STRUCTURE,
                      "a v4 SES_Signature embeds a v1 seal");
        struct es_der_elem te;
        IN("TBS_Sign.timeInfo", es_der_next(&tbs, &te));
        unsigned q = 0;
        IN("TBS_Sign.timeInfo", es_der_get_time(&te, NO_Z_OFFSET, &g->time, &q));
        g->time_known = true;
        g->time_raw = (es_bytes){te.val, te.val_len};
        if (te.id != ES_DER_GENERALIZED_TIME) {
            QUIRK(g, prof, true, "Q-TIME-U", te.off, "timeInfo is a UTCTime");
        }
        if (q & ES_DQ_TIME_NO_Z) {
            QUIRK(g, prof, true, "Q-TIME-1", te.off, "timeInfo '%.*s' has no time zone; read as UTC+8",
                  (int)(te.val_len > 20 ? 20 : te.val_len), (const char *)te.val);
        }
        if (q & ES_DQ_TIME_12_DIGITS) {
            QUIRK(g, prof, true, "Q-TIME-2", te.off, "timeInfo is a UTCTime string in a "
                                                      "GeneralizedTime");
        }
        ES_GUARD(read_bits(g, prof, &tbs, "TBS_Sign.dataHash", &g->data_hash, &g->dh_unused, NULL,
                           false));
        ES_GUARD(read_ia5(g, prof, &tbs, "TBS_Sign.propertyInfo", &g->property_info));
        if (!es_der_at_end(&tbs)) {
            ES_GUARD(read_exts_ctx(g, prof, &tbs));
        }
        IN("TBS_Sign", es_der_leave(&tbs));
        IN("SES_Signature.cert", es_der_expect(&c, ES_DER_OCTET_STRING, &e));
        g->cert = (es_bytes){e.val, e.val_len};
        IN("SES_Signature.signatureAlgID", es_der_expect(&c, ES_DER_OID, &e));
        IN("SES_Signature.signatureAlgID", es_der_get_oid(&e, g->sign_alg, sizeof(g->sign_alg)));
        ES_GUARD(read_bits(g, prof, &c, "SES_Signature.signature", &g->signature, &g->sig_unused,
                           &g->sig_off, false));
        if (n == 5) {
            struct es_der_elem t;
            IN("SES_Signature.timeStamp", es_der_next(&c, &t));
            if (t.id == ES_DER_CTX0_CONS) {
                struct es_der_cur tc;
                struct es_der_elem tb;
                uint8_t u;
                ES_GUARD(es_der_open(&c, &t, &tc));
                IN("SES_Signature.timeStamp", es_der_expect(&tc, ES_DER_BIT_STRING, &tb));
                IN("SES_Signature.timeStamp", es_der_get_bits(&tb, &u, &g->timestamp));
                IN("SES_Signature.timeStamp", es_der_leave(&tc));
            } else {
                ES_ENSURE_MSG(t.id == ES_DER_CTX0_PRIM, ES_ERR_FORMAT_TAG,
                              "5th element of SES_Signature at offset %zu has tag 0x%02x", t.off,
                              t.id);
                QUIRK(g, prof, true, "TAG-IMPL", t.off, "timeStamp tagged IMPLICIT");
                uint8_t u;
                IN("SES_Signature.timeStamp", es_der_get_bits(&t, &u, &g->timestamp));
            }
            g->has_timestamp = true;
        }
    } else {
        ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE,
                    "SES_Signature has %zu elements; expected 2 (GM/T 0031-2014) or 4-5 (GB/T "
                    "38540-2020)",
                    n);
    }
    IN("SES_Signature", es_der_leave(&c));
    if (g->tbs_version != g->seal.header_version) {
        QUIRK(g, prof, false, "TBS-VER", ve.off,
              "TBS_Sign.version %lld differs from the seal header version %lld",
              (long long)g->tbs_version, (long long)g->seal.header_version);
    }
    if (dq & ES_DQ_LEN_NONMINIMAL) {
        QUIRK(g, prof, true, "DER-LEN", 0, "non-minimal DER length encoding");
    }
    ES_GUARD(es_warnings_copy(&g->w, &g->seal.w));
    return ES_RESULT_OK;
}

es_result es_signature_parse(struct es_signature *g, const uint8_t *p, size_t len, es_profile prof)
{
    memset(g, 0, sizeof(*g));
    ES_ENSURE_MSG(len <= 2 * ES_SEAL_MAX_BYTES, ES_ERR_LIMIT_SIZE,
                  "signature of %zu bytes is too large", len);
    es_result r = parse(g, p, len, prof);
    if (es_is_err(r)) {
        es_signature_clear(g);
    }
    return r;
}

void es_signature_clear(struct es_signature *g)
{
    es_seal_clear(&g->seal);
    es_free(g->buf);
    es_free(g->property_info);
    es_warnings_free(&g->w);
    memset(g, 0, sizeof(*g));
}

int es_signature_decode(es_ctx *ctx, const uint8_t *der, size_t len, es_signature **out)
{
    *out = NULL;
    es_signature *g = es_calloc(1, sizeof(*g));
    uint8_t *copy = es_malloc(len);
    if (!g || !copy || !der) {
        es_free(g);
        es_free(copy);
        return es_ctx_take_error(ctx, es_error_set(der ? ES_ERR_NOMEM : ES_ERR_USAGE_NULL,
                                                   __FILE__, __LINE__, "cannot decode"));
    }
    memcpy(copy, der, len);
    es_result r = es_signature_parse(g, copy, len, es_ctx_get_profile(ctx));
    if (es_is_err(r)) {
        es_free(g);
        es_free(copy);
        return es_ctx_take_error(ctx, r);
    }
    g->buf = copy;
    g->len = len;
    *out = g;
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}

void es_signature_free(es_signature *g)
{
    if (g) {
        es_signature_clear(g);
        es_free(g);
    }
}

int es_signature_version(const es_signature *g) { return g->version; }
const es_seal *es_signature_seal(const es_signature *g) { return &g->seal; }
int64_t es_signature_time(const es_signature *g, int *out_known)
{
    if (out_known) {
        *out_known = g->time_known;
    }
    return g->time_known ? g->time : 0;
}
es_bytes es_signature_data_hash(const es_signature *g) { return g->data_hash; }
const char *es_signature_property_info(const es_signature *g)
{
    return g->property_info ? g->property_info : "";
}
es_bytes es_signature_signer_cert(const es_signature *g) { return g->cert; }
es_bytes es_signature_der(const es_signature *g) { return g->tlv; }
size_t es_signature_warning_count(const es_signature *g) { return g->w.n; }
const char *es_signature_warning(const es_signature *g, size_t i, const char **out_code)
{
    if (i >= g->w.n) {
        return NULL;
    }
    if (out_code) {
        *out_code = g->w.v[i].code;
    }
    return g->w.v[i].msg;
}
