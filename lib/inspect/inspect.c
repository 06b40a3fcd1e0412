/*
 * lib/inspect/inspect.c - readable trees of seals, signatures and any DER.
 */
#include <stdarg.h>
#include <stdio.h>

#include "base/ctx_int.h"
#include "crypto/crypto.h"
#include "eseal/inspect.h"
#include "seal/seal_int.h"

static es_result line(struct es_buf *b, int ind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static es_result line(struct es_buf *b, int ind, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    return es_buf_printf(b, "%*s%s\n", ind * 2, "", tmp);
}

static es_result cert_line(struct es_buf *b, int ind, const char *what, es_bytes der)
{
    es_cert *c = NULL;
    if (es_cert_from_der(NULL, der.ptr, der.len, &c) != ES_OK) {
        es_error_clear();
        return line(b, ind, "%s: %zu bytes (not a readable certificate)", what, der.len);
    }
    char a[21], z[21];
    es_time_format(es_cert_not_before(c), a);
    es_time_format(es_cert_not_after(c), z);
    es_result r = line(b, ind, "%s: %s", what, es_cert_subject(c));
    if (es_is_ok(r)) {
        r = line(b, ind + 1, "issuer %s, serial %s, valid %s to %s%s", es_cert_issuer(c),
                 es_cert_serial_hex(c), a, z, es_cert_is_sm2(c) ? ", SM2 key" : "");
    }
    es_cert_free(c);
    return r;
}

static es_result hexline(struct es_buf *b, int ind, const char *what, es_bytes v)
{
    char hx[2 * 80 + 1];
    size_t n = v.len > 80 ? 80 : v.len;
    es_hex_encode(v.ptr, n, hx);
    return line(b, ind, "%s (%zu bytes): %s%s", what, v.len, hx, v.len > n ? "..." : "");
}

static es_result seal_tree(struct es_buf *b, int ind, const struct es_seal *s)
{
    char c[21], a[21], z[21];
    es_time_format(s->create_date, c);
    es_time_format(s->valid_start, a);
    es_time_format(s->valid_end, z);
    ES_GUARD(line(b, ind, "SESeal v%d (%zu bytes at offset %zu)", s->version, s->tlv.len, s->off));
    ES_GUARD(line(b, ind + 1, "header: ID \"%s\", version %lld, Vid \"%s\"", s->id,
                  (long long)s->header_version, s->vid));
    ES_GUARD(line(b, ind + 1, "esID: %s", s->esid));
    ES_GUARD(line(b, ind + 1, "property: type %lld, name \"%s\"%s", (long long)s->type, s->name,
                  s->version == 1 ? "" : ""));
    if (s->version != 1) {
        ES_GUARD(line(b, ind + 2, "certListType %lld", (long long)s->cert_list_type));
    }
    for (size_t i = 0; i < s->n_certs; i++) {
        char what[48];
        snprintf(what, sizeof(what), "certList[%zu]", i);
        if (s->cert_list_kind == ES_CL_CERTS) {
            ES_GUARD(cert_line(b, ind + 2, what, s->certs[i]));
        } else if (s->cert_list_kind == ES_CL_DIGESTS) {
            ES_GUARD(hexline(b, ind + 2, what, s->certs[i]));
        } else {
            ES_GUARD(line(b, ind + 2, "%s: string \"%.*s\"", what, (int)s->certs[i].len,
                          (const char *)s->certs[i].ptr));
        }
    }
    ES_GUARD(line(b, ind + 2, "createDate %s, validStart %s, validEnd %s", c, a, z));
    ES_GUARD(line(b, ind + 1, "picture: type \"%s\" (content: %s), %zu bytes, %lldx%lld mm",
                  s->pic_type, s->pic_sniffed ? s->pic_sniffed : "unknown", s->pic_data.len,
                  (long long)s->pic_w_mm, (long long)s->pic_h_mm));
    for (size_t i = 0; i < s->n_ext; i++) {
        ES_GUARD(line(b, ind + 1, "extData %s critical=%s value %zu bytes", s->ext[i].oid,
                      s->ext[i].critical ? "TRUE" : "FALSE", s->ext[i].value.len));
    }
    ES_GUARD(cert_line(b, ind + 1, "maker cert", s->maker_cert));
    ES_GUARD(line(b, ind + 1, "signature algorithm: %s", s->sign_alg));
    ES_GUARD(hexline(b, ind + 1, "maker signature", s->signed_value));
    if (s->has_timestamp) {
        ES_GUARD(hexline(b, ind + 1, "timeStamp [0]", s->timestamp));
    }
    return ES_RESULT_OK;
}

static es_result warn_tree(struct es_buf *b, int ind, const struct es_warnings *w)
{
    for (size_t i = 0; i < w->n; i++) {
        ES_GUARD(line(b, ind, "note %s: %s (offset %zu)", w->v[i].code, w->v[i].msg, w->v[i].off));
    }
    return ES_RESULT_OK;
}

static es_result generic(struct es_buf *b, struct es_der_cur *c, int ind)
{
    while (!es_der_at_end(c)) {
        struct es_der_elem e;
        ES_GUARD(es_der_next(c, &e));
        if (e.cons) {
            ES_GUARD(line(b, ind, "[%zu] tag 0x%02x constructed, %zu bytes", e.off, e.id,
                          e.val_len));
            struct es_der_cur in;
            ES_GUARD(es_der_open(c, &e, &in));
            ES_GUARD(generic(b, &in, ind + 1));
        } else if (e.id == ES_DER_OID) {
            char oid[128];
            ES_GUARD(es_der_get_oid(&e, oid, sizeof(oid)));
            ES_GUARD(line(b, ind, "[%zu] OID %s", e.off, oid));
        } else if (e.id == ES_DER_IA5_STRING || e.id == ES_DER_UTF8_STRING ||
                   e.id == ES_DER_PRINTABLE_STRING || e.id == ES_DER_UTC_TIME ||
                   e.id == ES_DER_GENERALIZED_TIME) {
            ES_GUARD(line(b, ind, "[%zu] tag 0x%02x \"%.*s\"", e.off, e.id,
                          (int)(e.val_len > 200 ? 200 : e.val_len), (const char *)e.val));
        } else {
            char what[48];
            snprintf(what, sizeof(what), "[%zu] tag 0x%02x", e.off, e.id);
            ES_GUARD(hexline(b, ind, what, (es_bytes){e.val, e.val_len}));
        }
    }
    return ES_RESULT_OK;
}

static es_result inspect(const uint8_t *p, size_t len, es_profile prof, struct es_buf *b)
{
    int ver = 0;
    enum es_blob_kind k = es_blob_detect(p, len, &ver);
    if (k == ES_BLOB_SEAL) {
        struct es_seal s;
        ES_GUARD(es_seal_parse(&s, p, len, 0, prof));
        es_result r = seal_tree(b, 0, &s);
        if (es_is_ok(r)) {
            r = warn_tree(b, 0, &s.w);
        }
        es_seal_clear(&s);
        return r;
    }
    if (k == ES_BLOB_SES_SIGNATURE) {
        struct es_signature g;
        ES_GUARD(es_signature_parse(&g, p, len, prof));
        es_result res = ES_RESULT_OK;
        char t[21];
        es_time_format(g.time, t);
        ES_GUARD_GOTO(line(b, 0, "SES_Signature v%d (%zu bytes)", g.version, g.tlv.len));
        ES_GUARD_GOTO(line(b, 1, "TBS_Sign (%zu bytes): version %lld", g.tbs_tlv.len,
                           (long long)g.tbs_version));
        ES_GUARD_GOTO(seal_tree(b, 2, &g.seal));
        ES_GUARD_GOTO(line(b, 2, "timeInfo: %s%s", g.time_known ? t : "unknown",
                           g.time_is_token ? " (time-stamp token)" : ""));
        ES_GUARD_GOTO(hexline(b, 2, "dataHash", g.data_hash));
        ES_GUARD_GOTO(line(b, 2, "propertyInfo: \"%s\"", g.property_info));
        for (size_t i = 0; i < g.n_ext; i++) {
            ES_GUARD_GOTO(line(b, 2, "extData %s critical=%s value %zu bytes", g.ext[i].oid,
                               g.ext[i].critical ? "TRUE" : "FALSE", g.ext[i].value.len));
        }
        ES_GUARD_GOTO(cert_line(b, 1, "signer cert", g.cert));
        ES_GUARD_GOTO(line(b, 1, "signature algorithm: %s", g.sign_alg));
        ES_GUARD_GOTO(hexline(b, 1, "signature", g.signature));
        if (g.has_timestamp) {
            ES_GUARD_GOTO(hexline(b, 1, "timeStamp [0]", g.timestamp));
        }
        ES_GUARD_GOTO(warn_tree(b, 0, &g.w));
    out:
        es_signature_clear(&g);
        return res;
    }
    if (k == ES_BLOB_CERT) {
        return cert_line(b, 0, "X.509 certificate", (es_bytes){p, len});
    }
    static const char *names[] = {"unknown DER", "", "", "GB/T 35275 SignedData (ContentInfo)",
                                  "bare SM2 signature SEQUENCE{r, s}", ""};
    ES_GUARD(line(b, 0, "%s, %zu bytes", names[k], len));
    struct es_der_cur c;
    es_der_init(&c, p, len, NULL);
    return generic(b, &c, 1);
}

int es_inspect(es_ctx *ctx, const uint8_t *der, size_t len, char **out_text)
{
    struct es_buf b;
    es_buf_init(&b, 64u * 1024 * 1024);
    *out_text = NULL;
    es_result r = inspect(der, len, es_ctx_get_profile(ctx), &b);
    if (es_is_ok(r)) {
        r = es_buf_take(&b, (uint8_t **)out_text, NULL);
    }
    es_buf_free(&b);
    return es_ctx_take_error(ctx, r);
}

const char *es_detect(const uint8_t *data, size_t len, int *out_version)
{
    static const char *names[] = {"unknown",       "seal",          "ses-signature",
                                  "gbt35275-signed-data", "sm2-signature", "certificate"};
    if (out_version) {
        *out_version = 0;
    }
    if (!data) {
        return "unknown";
    }
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        return "zip";
    }
    if (len >= 5 && memcmp(data, "%PDF-", 5) == 0) {
        return "pdf";
    }
    return names[es_blob_detect(data, len, out_version)];
}
