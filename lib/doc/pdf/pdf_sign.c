/*
 * lib/doc/pdf/pdf_sign.c - adding a signature to a PDF as an incremental
 * update (pdf-seal.md §5):
 *   1. read and open the input within the limits; refuse a document
 *      certified with DocMDP /P 1;
 *   2. the stamp appearances (pdf_stamp.c);
 *   3. the signature dictionary: /Contents <00…> first (the hole), then a
 *      space-padded /ByteRange, /Type /Sig, /Filter, /SubFilter, /M and the
 *      FieldMDP reference (plus DocMDP when certifying);
 *   4. the field (merged with its widget, or with one widget kid per stamp)
 *      with /Lock, the pages' /Annots, /AcroForm /Fields and /SigFlags 3;
 *   5. the xref section and trailer; then /ByteRange is filled in, the
 *      ByteRange bytes are hashed and signed, and the signature is written
 *      in hex into the hole; the file is written atomically.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/file_same.h"
#include "crypto/cms.h"
#include "der/der.h"
#include "doc/pdf/pdf_int.h"
#include "eseal/seal.h"
#include "eseal/sign.h"

#define BR_WIDTH 40 /* characters between the brackets of /ByteRange */

struct signer {
    const es_pdf_sign_params *pp;
    uint8_t *in;
    size_t in_len;
    struct es_pdf_doc d;
    bool open;
    struct es_pdf_update u;
    struct es_pdf_widget *w;
    size_t n_w;
    size_t hole_start, hole_end, br_at;
    uint8_t *der;
    size_t der_len;
};

static int new_id(struct es_pdf_doc *d)
{
    qpdf_oh o = qpdf_make_indirect_object(d->q, qpdf_oh_new_null(d->q));
    return qpdf_oh_get_object_id(d->q, o);
}

static qpdf_oh ref(struct es_pdf_doc *d, int id) { return qpdf_get_object_by_id(d->q, id, 0); }

/* Writes an existing (indirect) object again with its current value. */
static es_result rewrite(struct signer *s, qpdf_oh oh)
{
    qpdf_data q = s->d.q;
    ES_GUARD(es_pdf_upd_obj(&s->u, qpdf_oh_get_object_id(q, oh), qpdf_oh_get_generation(q, oh)));
    ES_GUARD(es_buf_printf(&s->u.out, "%s\nendobj\n", qpdf_oh_unparse_resolved(q, oh)));
    return es_pdf_qcheck(&s->d, "rewriting an object");
}

/* Appends `item` to array `key` of dict `owner` (creating it); the object
 * to write again is the array when indirect, else the owner. */
static es_result append_to(struct signer *s, qpdf_oh owner, const char *key, qpdf_oh item,
                           qpdf_oh *rewrite_oh)
{
    qpdf_data q = s->d.q;
    qpdf_oh a = qpdf_oh_get_key(q, owner, key);
    if (!qpdf_oh_is_array(q, a)) {
        qpdf_oh_replace_key(q, owner, key, qpdf_oh_new_array(q));
        a = qpdf_oh_get_key(q, owner, key);
    }
    ES_ENSURE_MSG(qpdf_oh_get_array_n_items(q, a) < 100000, ES_ERR_LIMIT_COUNT,
                  "PDF: %s has too many entries", key);
    qpdf_oh_append_item(q, a, item);
    *rewrite_oh = qpdf_oh_is_indirect(q, a) ? a : owner;
    return es_pdf_qcheck(&s->d, key);
}

static void pdf_date(int64_t t, char out[32])
{
    char iso[21];
    es_time_format(t, iso); /* YYYY-MM-DDTHH:MM:SSZ */
    snprintf(out, 32, "D:%.4s%.2s%.2s%.2s%.2s%.2s+00'00'", iso, iso + 5, iso + 8, iso + 11,
             iso + 14, iso + 17);
}

/* A field name not used by a top-level field: S1, S2, ... */
static void field_name(struct signer *s, char out[32])
{
    qpdf_data q = s->d.q;
    qpdf_oh f = qpdf_oh_get_key(q, qpdf_oh_get_key(q, qpdf_get_root(q), "/AcroForm"), "/Fields");
    int n = qpdf_oh_is_array(q, f) ? qpdf_oh_get_array_n_items(q, f) : 0;
    for (int k = n + 1;; k++) {
        snprintf(out, 32, "S%d", k);
        bool used = false;
        for (int i = 0; i < n && !used; i++) {
            qpdf_oh t = qpdf_oh_get_key(q, qpdf_oh_get_array_item(q, f, i), "/T");
            used = qpdf_oh_is_string(q, t) && strcmp(qpdf_oh_get_utf8_value(q, t), out) == 0;
        }
        if (!used) {
            return;
        }
    }
}

static es_result write_sig_dict(struct signer *s, int sig_id, int64_t t, size_t reserve)
{
    const es_pdf_sign_params *pp = s->pp;
    struct es_buf *b = &s->u.out;
    char m[32];
    pdf_date(t, m);
    ES_GUARD(es_pdf_upd_obj(&s->u, sig_id, 0));
    ES_GUARD(es_buf_printf(b, "<< /Contents "));
    s->hole_start = b->len;
    ES_GUARD(es_buf_append_byte(b, '<'));
    ES_GUARD(es_buf_reserve(b, 2 * reserve + 1));
    memset(b->ptr + b->len, '0', 2 * reserve);
    b->len += 2 * reserve;
    ES_GUARD(es_buf_append_byte(b, '>'));
    s->hole_end = b->len;
    ES_GUARD(es_buf_printf(b, "\n/ByteRange ["));
    s->br_at = b->len;
    ES_GUARD(es_buf_printf(b, "%*s]", BR_WIDTH, ""));
    if (pp->mode == ES_PDF_CMS) {
        ES_GUARD(es_buf_printf(b, " /Type /Sig /Filter /Adobe.PPKLite /SubFilter "
                                  "/adbe.pkcs7.detached"));
    } else {
        ES_GUARD(es_buf_printf(b, " /Type /Sig /Filter /%s /SubFilter /GM.sm2seal",
                               pp->filter ? pp->filter : "Gomain.GMPkiLite"));
    }
    ES_GUARD(es_buf_printf(b, " /M (%s) /Prop_Build << /App << /Name /eseal >> >>\n"
                              "/Reference [",
                           m));
    if (pp->certify) {
        ES_GUARD(es_buf_printf(b, "<< /Type /SigRef /TransformMethod /DocMDP /TransformParams "
                                  "<< /Type /TransformParams /P %d /V /1.2 >> >> ",
                               pp->certify));
    }
    return es_buf_printf(b, "<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << "
                            "/Type /TransformParams /Action /All /V /1.2 >> >>] >>\nendobj\n");
}

static es_result write_field(struct signer *s, int field_id, int sig_id, int *widget_ids,
                             const char *name)
{
    struct es_buf *b = &s->u.out;
    qpdf_data q = s->d.q;
    /* as the tax-bureau files: all fields locked, /P 2 (PDF 2.0: form filling
     * and signing still allowed after this signature) */
    const char *lock = "/Lock << /Type /SigFieldLock /Action /All /P 2 >>";
    if (s->n_w <= 1) {
        /* merged field and widget; invisible (empty /Rect, page 1) without stamps */
        double r[4] = {0, 0, 0, 0};
        int page = 0;
        if (s->n_w == 1) {
            memcpy(r, s->w[0].rect, sizeof(r));
            page = s->w[0].page;
        }
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)page);
        ES_GUARD(es_pdf_upd_obj(&s->u, field_id, 0));
        ES_GUARD(es_buf_printf(b, "<< /FT /Sig /T (%s) /Type /Annot /Subtype /Widget /F 132 "
                                  "/Rect [%.4f %.4f %.4f %.4f] /P %s /V %d 0 R %s",
                               name, r[0], r[1], r[2], r[3], qpdf_oh_unparse(q, pg), sig_id,
                               lock));
        if (s->n_w == 1) {
            ES_GUARD(es_buf_printf(b, " /AP << /N %d 0 R >>", s->w[0].ap_id));
        }
        ES_GUARD(es_buf_printf(b, " >>\nendobj\n"));
        widget_ids[0] = field_id;
        return es_pdf_qcheck(&s->d, "page reference");
    }
    ES_GUARD(es_pdf_upd_obj(&s->u, field_id, 0));
    ES_GUARD(es_buf_printf(b, "<< /FT /Sig /T (%s) /V %d 0 R %s /Kids [", name, sig_id, lock));
    for (size_t i = 0; i < s->n_w; i++) {
        ES_GUARD(es_buf_printf(b, "%s%d 0 R", i ? " " : "", widget_ids[i]));
    }
    ES_GUARD(es_buf_printf(b, "] >>\nendobj\n"));
    for (size_t i = 0; i < s->n_w; i++) {
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)s->w[i].page);
        const double *r = s->w[i].rect;
        ES_GUARD(es_pdf_upd_obj(&s->u, widget_ids[i], 0));
        ES_GUARD(es_buf_printf(b, "<< /Type /Annot /Subtype /Widget /F 132 /Parent %d 0 R "
                                  "/Rect [%.4f %.4f %.4f %.4f] /P %s /AP << /N %d 0 R >> >>\n"
                                  "endobj\n",
                               field_id, r[0], r[1], r[2], r[3], qpdf_oh_unparse(q, pg),
                               s->w[i].ap_id));
    }
    return es_pdf_qcheck(&s->d, "page reference");
}

/* Pages get their widgets in /Annots; the catalog the field and /SigFlags. */
static es_result update_pages_and_form(struct signer *s, int field_id, const int *widget_ids,
                                       int sig_id)
{
    struct es_pdf_doc *d = &s->d;
    qpdf_data q = d->q;
    size_t nw = s->n_w ? s->n_w : 1;
    qpdf_oh done[1000];
    size_t n_done = 0;
    for (size_t i = 0; i < nw; i++) {
        int page = s->n_w ? s->w[i].page : 0;
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)page);
        qpdf_oh rw;
        ES_GUARD(append_to(s, pg, "/Annots", ref(d, widget_ids[i]), &rw));
        bool seen = false;
        int rid = qpdf_oh_get_object_id(q, rw);
        for (size_t k = 0; k < n_done && !seen; k++) {
            seen = qpdf_oh_get_object_id(q, done[k]) == rid;
        }
        ES_ENSURE_MSG(seen || n_done < 1000, ES_ERR_LIMIT_COUNT, "PDF: more than 1000 pages");
        if (!seen) {
            done[n_done++] = rw;
        }
    }
    /* every page or array touched is written once, after all appends */
    for (size_t k = 0; k < n_done; k++) {
        ES_GUARD(rewrite(s, done[k]));
    }
    qpdf_oh root = qpdf_get_root(q);
    qpdf_oh af = qpdf_oh_get_key(q, root, "/AcroForm");
    if (!qpdf_oh_is_dictionary(q, af)) {
        qpdf_oh_replace_key(q, root, "/AcroForm", qpdf_oh_new_dictionary(q));
        af = qpdf_oh_get_key(q, root, "/AcroForm");
    }
    qpdf_oh_replace_key(q, af, "/SigFlags", qpdf_oh_new_integer(q, 3));
    qpdf_oh rw;
    ES_GUARD(append_to(s, af, "/Fields", ref(d, field_id), &rw));
    if (qpdf_oh_is_indirect(q, rw) && qpdf_oh_get_object_id(q, rw) != qpdf_oh_get_object_id(q, af)) {
        ES_GUARD(rewrite(s, rw)); /* an indirect /Fields array */
    }
    if (s->pp->certify) {
        qpdf_oh perms = qpdf_oh_new_dictionary(q);
        qpdf_oh_replace_key(q, perms, "/DocMDP", ref(d, sig_id));
        qpdf_oh_replace_key(q, root, "/Perms", perms);
    }
    if (qpdf_oh_is_indirect(q, af)) {
        ES_GUARD(rewrite(s, af));
    }
    ES_GUARD(rewrite(s, root)); /* /SigFlags may live in a direct /AcroForm; /Perms */
    return es_pdf_qcheck(d, "catalog");
}

static es_result make_signature(struct signer *s, const int64_t br[4], int64_t t)
{
    const es_pdf_sign_params *pp = s->pp;
    const uint8_t *p = s->u.out.ptr;
    if (pp->mode == ES_PDF_CMS && pp->key && pp->cert) {
        uint8_t h[32];
        es_pdf_range_sm3(p, br, h);
        return es_pdf_sm2_cms(pp->key, pp->cert, h, t, &s->der, &s->der_len);
    }
    if (pp->mode == ES_PDF_CMS) {
        es_bytes seg[2] = {{p + br[0], (size_t)br[1]}, {p + br[2], (size_t)br[3]}};
        return es_cms_sign_detached(pp->cms_key_path, pp->cms_cert_path, pp->cms_pass, seg, 2,
                                    &s->der, &s->der_len);
    }
    uint8_t h[32];
    es_pdf_range_sm3(p, br, h);
    es_sign_params sp = {.seal = pp->seal,
                         .seal_len = pp->seal_len,
                         .key = pp->key,
                         .cert = pp->cert,
                         .data_hash = h,
                         .property_info = pp->property_info ? pp->property_info
                                                            : "Signature.xml",
                         .time = t,
                         .allow_expired = pp->allow_expired,
                         .timestamp = pp->timestamp,
                         .timestamp_arg = pp->timestamp_arg,
                         .timestamp_optional = pp->timestamp_optional};
    int rc = es_sign(NULL, &sp, &s->der, &s->der_len);
    if (rc != ES_OK) {
        return (es_result){rc}; /* the detail is in the error slot */
    }
    return ES_RESULT_OK;
}

static es_result check_existing(struct signer *s)
{
    struct es_pdf_sig *v = NULL;
    size_t n = 0;
    ES_GUARD(es_pdf_sigs_read(&s->d, &v, &n));
    es_result res = ES_RESULT_OK;
    for (size_t i = 0; i < n; i++) {
        if (v[i].docmdp_p == 1 || v[i].lock_p == 1) {
            ES_FAIL_GOTO(ES_ERR_POLICY, "the document is certified by signature '%s' with "
                                        "DocMDP /P 1 (or its field lock /P 1): no change, not "
                                        "even a signature, is allowed",
                         v[i].name);
        }
    }
    if (s->pp->certify && n) {
        ES_FAIL_GOTO(ES_ERR_USAGE_ARG, "a certification (DocMDP) must be the document's first "
                                       "signature; this one has %zu",
                     n);
    }
out:
    es_pdf_sigs_free(v, n);
    return res;
}

static es_result sign_steps(struct signer *s, const char *in_path, const char *out_path)
{
    const es_pdf_sign_params *pp = s->pp;
    es_pdf_limits lim;
    es_pdf_limits_default(&lim);
    if (pp->limits && pp->limits->max_file_size) {
        lim.max_file_size = pp->limits->max_file_size;
    }
    ES_GUARD(es_file_read(in_path, lim.max_file_size, &s->in, &s->in_len));
    ES_GUARD(es_pdf_open(&s->d, s->in, s->in_len, pp->limits));
    s->open = true;
    ES_GUARD(es_pdf_pages_load(&s->d));
    ES_ENSURE_MSG(s->d.n_pages >= 1, ES_ERR_FORMAT_STRUCTURE, "PDF: the document has no page");
    ES_GUARD(check_existing(s));

    /* the picture (SES: from the seal; CMS: none, a frame of 40x20 mm) */
    es_seal *seal = NULL;
    es_bytes pic = {NULL, 0};
    int64_t wmm = 40, hmm = 20;
    if (pp->mode == ES_PDF_SES) {
        int rc = es_seal_decode(NULL, pp->seal, pp->seal_len, &seal);
        if (rc != ES_OK) {
            return (es_result){rc};
        }
        const char *type = NULL;
        pic = es_seal_picture(seal, &type, &wmm, &hmm);
    }
    ES_GUARD(es_pdf_upd_begin(&s->u, &s->d));
    es_result res = es_pdf_stamp_write(&s->u, &s->d, pic.ptr, pic.len, (double)wmm,
                                       (double)hmm, pp->positions, pp->n_positions, &s->w,
                                       &s->n_w);
    es_seal_free(seal);
    ES_GUARD(res);

    int sig_id = new_id(&s->d), field_id = new_id(&s->d);
    int widget_ids[1000];
    ES_ENSURE_MSG(s->n_w <= 1000, ES_ERR_LIMIT_COUNT, "PDF: more than 1000 stamps");
    for (size_t i = 0; s->n_w > 1 && i < s->n_w; i++) {
        widget_ids[i] = new_id(&s->d);
    }
    ES_GUARD(es_pdf_qcheck(&s->d, "new objects"));
    int64_t t = pp->time ? pp->time : (int64_t)time(NULL);
    /* SES: the seal and certificate are embedded; pdf-seal.md says DER + 4 KB */
    size_t reserve = pp->reserve         ? pp->reserve
                     : pp->mode == ES_PDF_SES ? pp->seal_len + es_cert_der(pp->cert).len + 4096 +
                                                    (pp->timestamp ? 8192 : 0)
                                              : 16384;
    ES_ENSURE_MSG(reserve <= s->d.lim.max_contents, ES_ERR_USAGE_ARG,
                  "reserve of %zu bytes over the /Contents limit", reserve);
    ES_GUARD(write_sig_dict(s, sig_id, t, reserve));
    char name[32];
    field_name(s, name);
    ES_GUARD(write_field(s, field_id, sig_id, widget_ids, name));
    ES_GUARD(update_pages_and_form(s, field_id, widget_ids, sig_id));
    ES_GUARD(es_pdf_upd_finish(&s->u, &s->d));

    /* ByteRange: everything but the hole, to the end of the file */
    size_t total = s->u.out.len;
    int64_t br[4] = {0, (int64_t)s->hole_start, (int64_t)s->hole_end,
                     (int64_t)(total - s->hole_end)};
    char brt[BR_WIDTH + 1];
    int k = snprintf(brt, sizeof(brt), "%lld %lld %lld %lld", (long long)br[0],
                     (long long)br[1], (long long)br[2], (long long)br[3]);
    ES_ENSURE(k > 0 && k <= BR_WIDTH, ES_ERR_INTERNAL);
    memcpy(s->u.out.ptr + s->br_at, brt, (size_t)k);
    ES_GUARD(make_signature(s, br, t));
    ES_ENSURE_MSG(s->der_len <= reserve, ES_ERR_LIMIT_SIZE,
                  "the signature is %zu bytes, more than the %zu reserved for /Contents",
                  s->der_len, reserve);
    size_t nul_at = s->hole_start + 1 + 2 * s->der_len;
    uint8_t keep = s->u.out.ptr[nul_at]; /* es_hex_encode writes a NUL there */
    es_hex_encode(s->der, s->der_len, (char *)s->u.out.ptr + s->hole_start + 1);
    s->u.out.ptr[nul_at] = keep;
    return es_file_write_atomic(out_path, s->u.out.ptr, s->u.out.len, 0644);
}

static es_result sign(const es_pdf_sign_params *pp, const char *in_path, const char *out_path)
{
    ES_ENSURE_MSG(pp && in_path && out_path, ES_ERR_USAGE_NULL,
                  "parameters, input and output are required");
    ES_ENSURE_MSG(pp->mode < ES_PDF_MODE_LAST_, ES_ERR_USAGE_ARG, "unknown signing mode");
    if (pp->mode == ES_PDF_SES) {
        ES_ENSURE_MSG(pp->seal && pp->seal_len && pp->key && pp->cert, ES_ERR_USAGE_NULL,
                      "the seal, key and certificate are required");
    } else {
        ES_ENSURE_MSG((pp->key && pp->cert) || (pp->cms_key_path && pp->cms_cert_path),
                      ES_ERR_USAGE_NULL, "CMS mode needs a key and certificate");
        if (pp->key && pp->cert) {
            ES_ENSURE_MSG(es_key_matches_cert(pp->key, pp->cert) == 1,
                          ES_ERR_POLICY_KEY_MISMATCH, "the key does not match the certificate");
        }
    }
    ES_ENSURE_MSG(pp->certify >= 0 && pp->certify <= 3, ES_ERR_USAGE_ARG,
                  "certify is 0 (none) or a DocMDP level 1..3");
    ES_ENSURE_MSG(pp->n_positions == 0 || pp->positions, ES_ERR_USAGE_NULL, "positions missing");
    ES_GUARD(es_file_check_distinct(in_path, out_path));
    struct signer s;
    memset(&s, 0, sizeof(s));
    s.pp = pp;
    es_result res = sign_steps(&s, in_path, out_path);
    es_free(s.der);
    es_free(s.w);
    es_pdf_upd_free(&s.u);
    if (s.open) {
        es_pdf_close(&s.d);
    }
    es_free(s.in);
    return res;
}

int es_pdf_sign(es_ctx *ctx, const es_pdf_sign_params *params, const char *in_path,
                const char *out_path)
{
    return es_ctx_take_error(ctx, sign(params, in_path, out_path));
}
