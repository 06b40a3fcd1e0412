/*
 * lib/seal/reencode.c - canonical DER from decoded fields, for the
 * round-trip proofs: whatever eseal writes, and every canonical file of the
 * corpus, must come back byte-identical. Only the canonical shapes are
 * written (untagged v1 extDatas, explicit [0] tags, critical always
 * encoded as producers do).
 */
#include "seal/seal_int.h"

static es_result exts(struct es_buf *b, const struct es_ext *x, size_t n)
{
    size_t m, e;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &m));
    for (size_t i = 0; i < n; i++) {
        ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &e));
        ES_GUARD(es_derw_oid(b, x[i].oid));
        if (x[i].critical_present) {
            ES_GUARD(es_derw_bool(b, x[i].critical));
        }
        ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, x[i].value.ptr, x[i].value.len));
        ES_GUARD(es_derw_end(b, e));
    }
    return es_derw_end(b, m);
}

static es_result time_(struct es_buf *b, int64_t t, bool v1)
{
    return v1 ? es_derw_utctime(b, t) : es_derw_gentime(b, t);
}

static es_result bits(struct es_buf *b, es_bytes v, uint8_t unused)
{
    size_t m;
    ES_GUARD(es_derw_begin(b, ES_DER_BIT_STRING, &m));
    ES_GUARD(es_buf_append_byte(b, unused));
    ES_GUARD(es_buf_append(b, v.ptr, v.len));
    return es_derw_end(b, m);
}

static es_result str(struct es_buf *b, uint8_t tag, const char *s)
{
    return es_derw_tlv(b, tag, s, strlen(s));
}

static es_result seal_info(const struct es_seal *s, struct es_buf *b)
{
    bool v1 = s->version == 1;
    size_t si, h, p, cl, pic;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &si));
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &h));
    ES_GUARD(str(b, ES_DER_IA5_STRING, s->id));
    ES_GUARD(es_derw_int(b, s->header_version));
    ES_GUARD(str(b, ES_DER_IA5_STRING, s->vid));
    ES_GUARD(es_derw_end(b, h));
    ES_GUARD(str(b, ES_DER_IA5_STRING, s->esid));
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &p));
    ES_GUARD(es_derw_int(b, s->type));
    ES_GUARD(es_derw_tlv(b, ES_DER_UTF8_STRING, s->name_raw.ptr, s->name_raw.len));
    if (!v1) {
        ES_GUARD(es_derw_int(b, s->cert_list_type));
    }
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &cl));
    for (size_t i = 0; i < s->n_certs; i++) {
        if (s->cert_list_kind == ES_CL_DIGESTS) {
            size_t d;
            ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &d));
            ES_GUARD(es_derw_tlv(b, ES_DER_PRINTABLE_STRING, s->digest_types[i].ptr,
                                 s->digest_types[i].len));
            ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, s->certs[i].ptr, s->certs[i].len));
            ES_GUARD(es_derw_end(b, d));
        } else {
            ES_GUARD(es_derw_tlv(b, s->cert_list_kind == ES_CL_STRINGS ? ES_DER_IA5_STRING
                                                                       : ES_DER_OCTET_STRING,
                                 s->certs[i].ptr, s->certs[i].len));
        }
    }
    ES_GUARD(es_derw_end(b, cl));
    ES_GUARD(time_(b, s->create_date, v1));
    ES_GUARD(time_(b, s->valid_start, v1));
    ES_GUARD(time_(b, s->valid_end, v1));
    ES_GUARD(es_derw_end(b, p));
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &pic));
    ES_GUARD(str(b, ES_DER_IA5_STRING, s->pic_type));
    ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, s->pic_data.ptr, s->pic_data.len));
    ES_GUARD(es_derw_int(b, s->pic_w_mm));
    ES_GUARD(es_derw_int(b, s->pic_h_mm));
    ES_GUARD(es_derw_end(b, pic));
    if (s->n_ext) {
        ES_GUARD(exts(b, s->ext, s->n_ext));
    }
    return es_derw_end(b, si);
}

es_result es_seal_reencode(const struct es_seal *s, struct es_buf *b)
{
    size_t top;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &top));
    ES_GUARD(seal_info(s, b));
    if (s->version == 1) {
        size_t si;
        ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &si));
        ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, s->maker_cert.ptr, s->maker_cert.len));
        ES_GUARD(es_derw_oid(b, s->sign_alg));
        ES_GUARD(bits(b, s->signed_value, s->sv_unused));
        ES_GUARD(es_derw_end(b, si));
    } else {
        ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, s->maker_cert.ptr, s->maker_cert.len));
        ES_GUARD(es_derw_oid(b, s->sign_alg));
        ES_GUARD(bits(b, s->signed_value, s->sv_unused));
        if (s->has_timestamp) {
            size_t t;
            ES_GUARD(es_derw_begin(b, ES_DER_CTX0_CONS, &t));
            ES_GUARD(bits(b, s->timestamp, 0));
            ES_GUARD(es_derw_end(b, t));
        }
    }
    return es_derw_end(b, top);
}

es_result es_signature_reencode(const struct es_signature *g, struct es_buf *b)
{
    size_t top, tbs;
    bool v1 = g->version == 1;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &top));
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &tbs));
    ES_GUARD(es_derw_int(b, g->tbs_version));
    ES_GUARD(es_seal_reencode(&g->seal, b));
    if (v1) {
        ES_GUARD(bits(b, g->time_raw, 0));
    } else {
        ES_GUARD(es_derw_gentime(b, g->time));
    }
    ES_GUARD(bits(b, g->data_hash, g->dh_unused));
    ES_GUARD(str(b, ES_DER_IA5_STRING, g->property_info));
    if (v1) {
        ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, g->cert.ptr, g->cert.len));
        ES_GUARD(es_derw_oid(b, g->sign_alg));
        ES_GUARD(es_derw_end(b, tbs));
        ES_GUARD(bits(b, g->signature, g->sig_unused));
        return es_derw_end(b, top);
    }
    if (g->n_ext) {
        size_t x;
        ES_GUARD(es_derw_begin(b, ES_DER_CTX0_CONS, &x));
        ES_GUARD(exts(b, g->ext, g->n_ext));
        ES_GUARD(es_derw_end(b, x));
    }
    ES_GUARD(es_derw_end(b, tbs));
    ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, g->cert.ptr, g->cert.len));
    ES_GUARD(es_derw_oid(b, g->sign_alg));
    ES_GUARD(bits(b, g->signature, g->sig_unused));
    if (g->has_timestamp) {
        size_t t;
        ES_GUARD(es_derw_begin(b, ES_DER_CTX0_CONS, &t));
        ES_GUARD(bits(b, g->timestamp, 0));
        ES_GUARD(es_derw_end(b, t));
    }
    return es_derw_end(b, top);
}
