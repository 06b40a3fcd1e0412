/*
 * lib/doc/ofd/ofd_verify.c - verifying the signatures of an OFD package
 * (ofd-signature.md §8): for each document, for each Signatures/Signature in
 * list order, locate and parse the description, run the package-level checks
 * (references, coverage, seal_file, stamp_annot), then the signature value's
 * own pipeline: SES (lib/verify, data = raw Signature.xml bytes) for seals,
 * GB/T 35275 for Type="Sign". The package-level checks come first in the
 * entry so that "what was signed" reads before "who signed it".
 */
#include <stdio.h>
#include <strings.h>

#include "base/ctx_int.h"
#include "crypto/crypto.h"
#include "doc/ofd/ofd_verify_int.h"
#include "seal/seal_int.h"

struct vctx {
    es_report *r;
    const es_verify_opts *o;
    es_profile prof;
    const struct es_ofd_pkg *pkg;
};

/* Moves the checks and notes gathered in `pre` to the front of `e`. */
static es_result merge(struct es_entry *e, struct es_entry *pre)
{
    ES_ENSURE_MSG(pre->n_checks + e->n_checks <= ES_REPORT_MAX_CHECKS, ES_ERR_LIMIT_COUNT,
                  "too many checks for one signature");
    memmove(&e->checks[pre->n_checks], &e->checks[0], e->n_checks * sizeof(e->checks[0]));
    memcpy(&e->checks[0], pre->checks, pre->n_checks * sizeof(e->checks[0]));
    e->n_checks += pre->n_checks;
    pre->n_checks = 0;
    for (size_t i = 0; i < pre->n_warn; i++) {
        ES_GUARD(es_entry_warn(e, pre->warn[i].code, "%s", pre->warn[i].msg));
    }
    return ES_RESULT_OK;
}

static bool is_sign_type(const char *t) { return t && strcasecmp(t, "Sign") == 0; }

/* Step 1 of §8 for every list entry, so that coverage can see later ones.
 * Each Signature.xml read is kept for verify_one (its bytes are signed), up
 * to one max_xml_size in all; beyond that verify_one reads it again. */
static es_result locate_all(const struct vctx *v, const struct es_ofd_siglist *l,
                            struct es_ofd_sigstate *st)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct es_ofd_sigstate *s = &st[i];
        s->le = &l->v[i];
        s->xml_entry = s->le->path ? es_ofd_pkg_find(v->pkg, s->le->path) : NULL;
        if (!s->xml_entry) {
            continue;
        }
        uint8_t *p = NULL;
        size_t n = 0;
        ES_GUARD(es_ofd_pkg_read(v->pkg, s->xml_entry, v->pkg->lim.max_xml_size, &p, &n));
        bool refused = false;
        es_result pr = es_ofd_sigdesc_parse(p, n, s->xml_entry->name, &v->pkg->lim, &s->d,
                                            &refused);
        if (kept + n <= v->pkg->lim.max_xml_size) {
            kept += n;
            s->xml = p;
            s->xml_len = n;
        } else {
            es_free(p);
        }
        if (es_is_err(pr) && refused) {
            return pr;
        }
        es_error_clear();
        s->have_desc = es_is_ok(pr);
        if (s->have_desc) {
            s->value_entry = s->d.value_path ? es_ofd_pkg_find(v->pkg, s->d.value_path) : NULL;
            s->seal_entry = s->d.seal_path ? es_ofd_pkg_find(v->pkg, s->d.seal_path) : NULL;
        }
    }
    return ES_RESULT_OK;
}

/* Signature.xml or the value missing or unreadable: an entry that fails. */
static es_result broken(const struct vctx *v, const char *id, const char *kind,
                        struct es_entry *pre, const char *reason, const char *detail)
{
    struct es_entry *e;
    ES_GUARD(es_report_add(v->r, id, kind, &e));
    snprintf(e->time_source, sizeof(e->time_source), "unknown");
    ES_GUARD(es_entry_check(pre, "ofd_structure", ES_CHECK_FAILED, reason, ES_OFD_C_PKG, "%s",
                            detail));
    return merge(e, pre);
}

static es_result verify_one(const struct vctx *v, struct es_ofd_sigstate *all, size_t n,
                            size_t i, const char *list_path, const char *const *lists,
                            size_t n_lists, const struct es_ofd_document *doc, bool doc_ok,
                            const char *id_prefix)
{
    struct es_ofd_sigstate *s = &all[i];
    const struct es_ofd_listentry *le = s->le;
    struct es_entry pre;
    memset(&pre, 0, sizeof(pre));
    es_result res = ES_RESULT_OK;
    uint8_t *xml = s->xml, *val = NULL, *seal = NULL;
    size_t xml_len = s->xml_len, val_len = 0, seal_len = 0;
    s->xml = NULL; /* owned here from now on */
    es_cert *signer = NULL;
    char id[64], msg[400];
    snprintf(id, sizeof(id), "%s%s", id_prefix, le->id);
    bool sign_type = is_sign_type(le->type);
    const char *kind = sign_type ? "gbt35275-signature" : "ses-signature";
    if (le->type && !sign_type && strcasecmp(le->type, "Seal") != 0) {
        ES_GUARD_GOTO(es_entry_warn(&pre, "O-TYPE", "unknown Type '%.40s', read as Seal",
                                    le->type));
    }
    if (i == 0) {
        ES_GUARD_GOTO(es_ofd_note_orphans(&pre, v->pkg, all, n));
    }
    if (le->relative) {
        /* GM/T 0099: a signature built on a base one; the base is verified too */
        bool found = false;
        for (size_t k = 0; k < n && !found; k++) {
            found = k != i && strcmp(all[k].le->id, le->relative) == 0;
        }
        ES_GUARD_GOTO(es_entry_warn(&pre, "O-RELATIVE",
                                    found ? "builds on signature '%.40s', verified in this report"
                                          : "names the base signature '%.40s', which the list "
                                            "does not have",
                                    le->relative));
    }
    if (!s->xml_entry) {
        snprintf(msg, sizeof(msg), "the signature description '%s' does not exist",
                 le->base_loc ? le->base_loc : "(no BaseLoc)");
        ES_GUARD_GOTO(broken(v, id, kind, &pre, "SIGNATURE_XML_MISSING", msg));
        goto out;
    }
    if (!s->have_desc) {
        /* re-parse for the message: it was cleared while locating */
        bool refused;
        struct es_ofd_sigdesc tmp;
        if (!xml) {
            ES_GUARD_GOTO(es_ofd_pkg_read(v->pkg, s->xml_entry, v->pkg->lim.max_xml_size, &xml,
                                          &xml_len));
        }
        es_result pr = es_ofd_sigdesc_parse(xml, xml_len, s->xml_entry->name, &v->pkg->lim,
                                            &tmp, &refused);
        if (es_is_ok(pr)) {
            es_ofd_sigdesc_free(&tmp);
        }
        snprintf(msg, sizeof(msg), "%s", es_is_err(pr) ? es_error_detail() : "unreadable");
        es_error_clear();
        ES_GUARD_GOTO(broken(v, id, kind, &pre, "SIGNATURE_XML_MALFORMED", msg));
        goto out;
    }
    if (!s->value_entry) {
        /* O-14: listed, but the value file is gone */
        snprintf(msg, sizeof(msg), "the signature value '%s' does not exist",
                 s->d.value_loc ? s->d.value_loc : "(no SignedValue)");
        ES_GUARD_GOTO(broken(v, id, kind, &pre, "SIGNED_VALUE_MISSING", msg));
        goto out;
    }
    if (!xml) {
        ES_GUARD_GOTO(es_ofd_pkg_read(v->pkg, s->xml_entry, v->pkg->lim.max_xml_size, &xml,
                                      &xml_len));
    }
    ES_GUARD_GOTO(es_ofd_pkg_read(v->pkg, s->value_entry, ES_OFD_MAX_VALUE, &val, &val_len));
    enum es_blob_kind bk = es_blob_detect(val, val_len, NULL);
    bool ses = bk == ES_BLOB_SES_SIGNATURE || (!sign_type && bk != ES_BLOB_GBT35275 &&
                                               bk != ES_BLOB_BARE_SM2);
    if (ses && sign_type) {
        ES_GUARD_GOTO(es_entry_warn(&pre, "O-TYPE", "Type=\"Sign\" but the value is an "
                                                    "SES_Signature: verified as a seal"));
    } else if (!ses && !sign_type) {
        ES_GUARD_GOTO(es_entry_warn(&pre, "O-TYPE", "Type=\"Seal\" but the value is not an "
                                                    "SES_Signature: verified as Type=\"Sign\""));
    }
    ES_GUARD_GOTO(es_entry_check(&pre, "ofd_structure", ES_CHECK_PASSED, "", ES_OFD_C_PKG,
                                 "/%s by %.60s; value /%s (%zu bytes)%s", s->xml_entry->name,
                                 s->d.provider ? s->d.provider : "(no provider)",
                                 s->value_entry->name, val_len,
                                 s->d.order_quirk ? "; elements not in schema order" : ""));
    if (s->d.provider_children) {
        ES_GUARD_GOTO(es_entry_warn(&pre, "O-1", "Provider fields are child elements"));
    }
    if (s->d.order_quirk) {
        ES_GUARD_GOTO(es_entry_warn(&pre, "O-2", "Signature.xml elements are not in schema "
                                                 "order"));
    }
    signer = es_ofd_value_signer(val, val_len, v->prof);
    if (s->d.seal_loc && s->seal_entry && bk == ES_BLOB_SES_SIGNATURE) {
        /* read before the References: when one names it, its digest is kept (one inflate) */
        ES_GUARD_GOTO(es_ofd_pkg_read(v->pkg, s->seal_entry, ES_OFD_MAX_VALUE, &seal,
                                      &seal_len));
    }
    bool locked = false;
    ES_GUARD_GOTO(es_ofd_check_references(&pre, v->pkg, s, list_path, signer, &locked));
    if (locked) {
        ES_GUARD_GOTO(es_entry_warn(&pre, "O-LOCK",
                                    "the signature protects the signature list: the document "
                                    "is locked against further signatures%s",
                                    i + 1 < n ? " (yet later signatures exist)" : ""));
    }
    ES_GUARD_GOTO(es_ofd_check_coverage(&pre, v->pkg, all, n, i, lists, n_lists));
    ES_GUARD_GOTO(es_ofd_check_seal_file(&pre, s, seal, seal_len, val, val_len, v->prof));
    if (ses || s->d.n_stamps) {
        ES_GUARD_GOTO(es_ofd_check_stamps(&pre, s, doc, doc_ok, val, val_len, v->prof));
    }
    struct es_entry *e = NULL;
    if (ses) {
        uint8_t h[32];
        es_sm3(xml, xml_len, h);
        ES_GUARD_GOTO(es_verify_ses_into(v->r, v->o, v->prof, id, val, val_len, h, 32, &e));
        /* propertyInfo is informational: report when it is not this file's path */
        if (e->property_info) {
            const char *pi = e->property_info;
            while (*pi == '/') {
                pi++;
            }
            if (strcmp(pi, s->xml_entry->name) != 0) {
                ES_GUARD_GOTO(es_entry_warn(&pre, "O-PROPINFO",
                                            "propertyInfo '%.80s' is not the path of this "
                                            "Signature.xml",
                                            e->property_info));
            }
        }
    } else {
        ES_GUARD_GOTO(es_ofd_verify_sign_into(v->r, v->o, v->prof, id, val, val_len, xml,
                                              xml_len, s->d.sig_time, &e));
    }
    if (s->d.sig_method && signer && strcmp(s->d.sig_method, ES_OID_SM2_SM3) != 0 &&
        strcasecmp(s->d.sig_method, "SM2") != 0) {
        ES_GUARD_GOTO(es_entry_warn(&pre, "O-ALG", "SignatureMethod '%.60s' is not SM2/SM3",
                                    s->d.sig_method));
    }
    ES_GUARD_GOTO(merge(e, &pre));
out:
    es_free(pre.warn);
    es_free(xml);
    es_free(val);
    es_free(seal);
    es_cert_free(signer);
    return res;
}

static es_result verify_body(const struct vctx *v, const struct es_ofd_main *m, size_t b)
{
    const struct es_ofd_docbody *body = &m->bodies[b];
    if (!body->sig_list) {
        return ES_RESULT_OK;
    }
    const struct es_ofd_entry *le = es_ofd_pkg_find(v->pkg, body->sig_list);
    if (!le) {
        return ES_RESULT_OK; /* nothing listed: NOT_SIGNED unless another document is */
    }
    uint8_t *p = NULL;
    size_t n = 0;
    /* until the References are known, keep the digest of every entry read */
    es_ofd_pkg_want_sm3(v->pkg, NULL, true);
    ES_GUARD(es_ofd_pkg_read(v->pkg, le, v->pkg->lim.max_xml_size, &p, &n));
    struct es_ofd_siglist l;
    bool refused = false;
    es_result res = es_ofd_siglist_parse(p, n, le->name, &v->pkg->lim, &l, &refused);
    es_free(p);
    ES_GUARD(res);
    struct es_ofd_document doc;
    bool doc_ok = false;
    struct es_ofd_sigstate *st = NULL;
    if (l.n) {
        st = es_calloc(l.n, sizeof(*st));
        if (!st) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
    }
    ES_GUARD_GOTO(locate_all(v, &l, st));
    es_ofd_want_references(v->pkg, st, l.n);
    es_result dr = es_ofd_document_read(v->pkg, body->doc_root, &doc, &refused);
    doc_ok = es_is_ok(dr);
    if (!doc_ok && refused) {
        res = dr;
        goto out;
    }
    es_error_clear();
    const char *lists[16];
    for (size_t k = 0; k < m->n_bodies; k++) {
        lists[k] = m->bodies[k].sig_list;
    }
    char prefix[32] = "";
    if (b > 0) {
        snprintf(prefix, sizeof(prefix), "Doc%zu:", b);
    }
    for (size_t i = 0; i < l.n; i++) {
        ES_GUARD_GOTO(verify_one(v, st, l.n, i, le->name, lists, m->n_bodies, &doc, doc_ok,
                                 prefix));
    }
out:
    for (size_t i = 0; st && i < l.n; i++) {
        es_ofd_sigdesc_free(&st[i].d);
        es_free(st[i].xml);
    }
    es_free(st);
    if (doc_ok) {
        es_ofd_document_free(&doc);
    }
    es_ofd_siglist_free(&l);
    return res;
}

es_result es_ofd_verify_pkg(es_report *r, const es_verify_opts *o, es_profile prof,
                            const struct es_ofd_pkg *pkg)
{
    struct es_ofd_main m;
    bool refused;
    es_ofd_pkg_want_sm3(pkg, NULL, true); /* OFD.xml is usually a Reference */
    ES_GUARD(es_ofd_main_read(pkg, &m, &refused));
    es_result res = ES_RESULT_OK;
    struct vctx v = {r, o, prof, pkg};
    for (size_t b = 0; b < m.n_bodies; b++) {
        ES_GUARD_GOTO(verify_body(&v, &m, b));
    }
    if (m.ns_warning[0]) {
        for (size_t i = 0; i < r->n; i++) {
            ES_GUARD_GOTO(es_entry_warn(r->entries[i], "O-NS", "%s", m.ns_warning));
        }
    }
out:
    es_ofd_main_free(&m);
    return res;
}

static int finish(es_ctx *ctx, es_report *r, es_result res, es_report **out)
{
    if (es_is_err(res)) {
        es_report_free(r);
        return es_ctx_take_error(ctx, res);
    }
    es_report_finish(r);
    *out = r;
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}

static es_result start(const es_verify_opts *o, es_report **r)
{
    ES_GUARD(es_report_new(o, r));
    (*r)->document = es_strdup("ofd");
    ES_ENSURE((*r)->document, ES_ERR_NOMEM);
    return ES_RESULT_OK;
}

int es_ofd_verify_ex(es_ctx *ctx, const es_verify_opts *opts, const es_ofd_limits *limits,
                     const uint8_t *pkg, size_t len, es_report **out)
{
    *out = NULL;
    es_report *r = NULL;
    struct es_ofd_pkg p;
    memset(&p, 0, sizeof(p));
    es_result res = start(opts, &r);
    if (es_is_ok(res)) {
        res = es_ofd_pkg_open_mem(&p, pkg, len, limits);
    }
    if (es_is_ok(res)) {
        res = es_ofd_verify_pkg(r, opts, es_ctx_get_profile(ctx), &p);
    }
    es_ofd_pkg_close(&p);
    return finish(ctx, r, res, out);
}

int es_ofd_verify(es_ctx *ctx, const es_verify_opts *opts, const uint8_t *pkg, size_t len,
                  es_report **out)
{
    return es_ofd_verify_ex(ctx, opts, NULL, pkg, len, out);
}

int es_ofd_verify_file(es_ctx *ctx, const es_verify_opts *opts, const es_ofd_limits *limits,
                       const char *path, es_report **out)
{
    *out = NULL;
    es_report *r = NULL;
    struct es_ofd_pkg p;
    memset(&p, 0, sizeof(p));
    es_result res = start(opts, &r);
    if (es_is_ok(res)) {
        res = es_ofd_pkg_open_file(&p, path, limits);
    }
    if (es_is_ok(res)) {
        res = es_ofd_verify_pkg(r, opts, es_ctx_get_profile(ctx), &p);
    }
    es_ofd_pkg_close(&p);
    return finish(ctx, r, res, out);
}
