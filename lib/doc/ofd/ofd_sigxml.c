/*
 * lib/doc/ofd/ofd_sigxml.c - reading the signature list (Signatures.xml)
 * and signature descriptions (Signature.xml) of GB/T 33190-2016 §18, order-
 * independent and with the real-world variations of ofd-signature.md §3-§4
 * (O-1 Provider as child elements, O-2 element order, O-5 relative paths,
 * O-6 "//" paths, O-7 CheckMethod spellings, O-8 MaxSignId anywhere).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "doc/ofd/ofd_int.h"

long es_ofd_id_number(const char *id)
{
    if (!id) {
        return -1;
    }
    const char *p = id;
    while (*p && !isdigit((unsigned char)*p)) {
        p++;
    }
    if (!*p) {
        return -1;
    }
    long v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > 100000000L) {
            return -1;
        }
        v = v * 10 + (*p - '0');
    }
    return v;
}

enum es_ofd_check_method es_ofd_check_method(const char *s)
{
    if (!s) {
        return ES_OFD_CM_MISSING;
    }
    if (strcasecmp(s, "SM3") == 0 || strcmp(s, "1.2.156.10197.1.401") == 0 ||
        strcmp(s, "1.2.156.10197.1.401.1") == 0) {
        return ES_OFD_CM_SM3;
    }
    if (strcmp(s, "1.2.156.10197.1.401.2") == 0) {
        return ES_OFD_CM_SM3_Z;
    }
    return ES_OFD_CM_OTHER;
}

static es_result parse(const uint8_t *p, size_t n, const char *what, const es_ofd_limits *lim,
                       const char *root_name, xmlDoc **out, bool *refused)
{
    ES_GUARD(es_ofd_xml_parse(p, n, what, lim, out, refused));
    xmlNode *root = xmlDocGetRootElement(*out);
    if (!es_ofd_xml_is(root, root_name)) {
        es_result r = es_error_set(ES_ERR_FORMAT_STRUCTURE, __FILE__, __LINE__,
                                   "%s: the root element is <%s>, not <%s>", what,
                                   (const char *)root->name, root_name);
        xmlFreeDoc(*out);
        *out = NULL;
        return r;
    }
    return ES_RESULT_OK;
}

es_result es_ofd_siglist_parse(const uint8_t *p, size_t n, const char *list_path,
                               const es_ofd_limits *lim, struct es_ofd_siglist *out,
                               bool *refused)
{
    memset(out, 0, sizeof(*out));
    out->max_id = -1;
    xmlDoc *x = NULL;
    ES_GUARD(parse(p, n, list_path, lim, "Signatures", &x, refused));
    es_result res = ES_RESULT_OK;
    char dir[ES_OFD_MAX_PATH];
    es_ofd_dirname(list_path, dir, sizeof(dir));
    xmlNode *root = xmlDocGetRootElement(x);
    size_t cnt = 0;
    for (xmlNode *s = es_ofd_xml_child(root, "Signature"); s; s = es_ofd_xml_next(s, "Signature")) {
        cnt++;
    }
    if (cnt > ES_OFD_MAX_SIGNATURES) {
        ES_FAIL_GOTO(ES_ERR_LIMIT_COUNT, "%s lists %zu signatures, over the limit of %d",
                     list_path, cnt, ES_OFD_MAX_SIGNATURES);
    }
    if (cnt) {
        out->v = es_calloc(cnt, sizeof(*out->v));
        if (!out->v) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
    }
    for (xmlNode *c = root->children; c; c = c->next) {
        if (es_ofd_xml_is(c, "MaxSignId")) {
            char *t = es_ofd_xml_text(c);
            long v = es_ofd_id_number(t);
            if (t && (t[0] == 's' || t[0] == 'S')) {
                out->s_style = true;
            }
            es_free(t);
            out->n_max++;
            if (v > out->max_id) {
                out->max_id = v;
            }
        } else if (es_ofd_xml_is(c, "Signature")) {
            struct es_ofd_listentry *e = &out->v[out->n++];
            e->id = es_ofd_xml_attr(c, "ID");
            e->type = es_ofd_xml_attr(c, "Type");
            e->base_loc = es_ofd_xml_attr(c, "BaseLoc");
            e->relative = es_ofd_xml_attr(c, "Relative");
            if (!e->id) {
                e->id = es_asprintf("#%zu", out->n);
            }
            if (e->id[0] == 's' || e->id[0] == 'S') {
                out->s_style = true;
            }
            char path[ES_OFD_MAX_PATH];
            if (e->base_loc && es_is_ok(es_ofd_path_resolve(dir, e->base_loc, path, sizeof(path)))) {
                e->path = es_strdup(path);
            } else {
                es_error_clear();
            }
        }
    }
out:
    xmlFreeDoc(x);
    if (es_is_err(res)) {
        es_ofd_siglist_free(out);
    }
    return res;
}

void es_ofd_siglist_free(struct es_ofd_siglist *l)
{
    if (!l) {
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        es_free(l->v[i].id);
        es_free(l->v[i].type);
        es_free(l->v[i].base_loc);
        es_free(l->v[i].path);
        es_free(l->v[i].relative);
    }
    es_free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Schema rank of a SignedInfo child (Signature.xsd), for the O-2 note. */
static int rank(const xmlNode *c)
{
    static const char *order[] = {"Provider",   "SignatureMethod", "SignatureDateTime",
                                  "Parameters", "References",      "StampAnnot",
                                  "Seal"};
    for (int i = 0; i < 7; i++) {
        if (es_ofd_xml_is(c, order[i])) {
            return i;
        }
    }
    return -1;
}

static es_result resolved(const char *dir, const char *loc, char **out)
{
    char path[ES_OFD_MAX_PATH];
    *out = NULL;
    if (loc && es_is_ok(es_ofd_path_resolve(dir, loc, path, sizeof(path)))) {
        *out = es_strdup(path);
        ES_ENSURE(*out, ES_ERR_NOMEM);
    } else {
        es_error_clear();
    }
    return ES_RESULT_OK;
}

static void parse_box(const char *s, double v[4], bool *ok)
{
    *ok = s && es_ofd_parse_numbers(s, v, 4) == 4;
}

static es_result read_refs(xmlNode *refs, struct es_ofd_sigdesc *d, const char *what)
{
    d->check_method = es_ofd_xml_attr(refs, "CheckMethod");
    size_t cnt = 0;
    for (xmlNode *r = es_ofd_xml_child(refs, "Reference"); r; r = es_ofd_xml_next(r, "Reference")) {
        cnt++;
    }
    ES_ENSURE_MSG(cnt <= ES_OFD_MAX_REFS, ES_ERR_LIMIT_COUNT,
                  "%s has %zu References, over the limit of %d", what, cnt, ES_OFD_MAX_REFS);
    if (!cnt) {
        return ES_RESULT_OK;
    }
    d->refs = es_calloc(cnt, sizeof(*d->refs));
    ES_ENSURE(d->refs, ES_ERR_NOMEM);
    for (xmlNode *r = es_ofd_xml_child(refs, "Reference"); r; r = es_ofd_xml_next(r, "Reference")) {
        struct es_ofd_ref *f = &d->refs[d->n_refs++];
        f->file_ref = es_ofd_xml_attr(r, "FileRef");
        /* FileRef is absolute by the standard; "//x" (O-6) and a relative one go from the root */
        ES_GUARD(resolved("", f->file_ref, &f->path));
        xmlNode *cv = es_ofd_xml_child(r, "CheckValue");
        if (cv) {
            char *t = es_ofd_xml_text(cv);
            ES_ENSURE(t, ES_ERR_NOMEM);
            f->value_ok = es_ofd_b64_decode(t, f->value, sizeof(f->value), &f->value_len);
            es_free(t);
        }
    }
    return ES_RESULT_OK;
}

static es_result read_stamp(xmlNode *s, struct es_ofd_sigdesc *d)
{
    struct es_ofd_stamp *st = &d->stamps[d->n_stamps++];
    st->id = es_ofd_xml_attr(s, "ID");
    st->page_ref = es_ofd_xml_attr(s, "PageRef");
    char *b = es_ofd_xml_attr(s, "Boundary");
    char *c = es_ofd_xml_attr(s, "Clip");
    parse_box(b, st->boundary, &st->boundary_ok);
    if (c) {
        st->has_clip = true;
        parse_box(c, st->clip, &st->clip_ok);
    }
    es_free(b);
    es_free(c);
    return ES_RESULT_OK;
}

/* Provider: attributes, or (O-1, iOFD) child elements. */
static void read_provider(xmlNode *p, struct es_ofd_sigdesc *d)
{
    d->provider = es_ofd_xml_attr(p, "ProviderName");
    if (!d->provider) {
        xmlNode *c = es_ofd_xml_child(p, "ProviderName");
        if (c) {
            d->provider = es_ofd_xml_text(c);
            d->provider_children = true;
        }
    }
}

es_result es_ofd_sigdesc_parse(const uint8_t *p, size_t n, const char *path,
                               const es_ofd_limits *lim, struct es_ofd_sigdesc *out,
                               bool *refused)
{
    memset(out, 0, sizeof(*out));
    xmlDoc *x = NULL;
    ES_GUARD(parse(p, n, path, lim, "Signature", &x, refused));
    es_result res = ES_RESULT_OK;
    char dir[ES_OFD_MAX_PATH];
    es_ofd_dirname(path, dir, sizeof(dir));
    xmlNode *root = xmlDocGetRootElement(x);
    xmlNode *si = es_ofd_xml_child(root, "SignedInfo");
    xmlNode *sv = es_ofd_xml_child(root, "SignedValue");
    if (!si) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "%s has no SignedInfo", path);
    }
    /* ofdrw writes SignedValue before SignedInfo (O-2) */
    for (xmlNode *c = root->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            out->order_quirk = c != si;
            break;
        }
    }
    if (sv) {
        out->value_loc = es_ofd_xml_text(sv);
        ES_GUARD_GOTO(resolved(dir, out->value_loc, &out->value_path));
    }
    size_t n_st = 0;
    int last = -1;
    for (xmlNode *c = si->children; c; c = c->next) {
        int rk = rank(c);
        if (rk >= 0) {
            if (rk < last) {
                out->order_quirk = true;
            }
            last = rk;
        }
        n_st += es_ofd_xml_is(c, "StampAnnot");
    }
    if (n_st > ES_OFD_MAX_STAMPS) {
        ES_FAIL_GOTO(ES_ERR_LIMIT_COUNT, "%s has %zu StampAnnots, over the limit of %d", path,
                     n_st, ES_OFD_MAX_STAMPS);
    }
    if (n_st) {
        out->stamps = es_calloc(n_st, sizeof(*out->stamps));
        if (!out->stamps) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
    }
    bool have_refs = false;
    for (xmlNode *c = si->children; c; c = c->next) {
        if (es_ofd_xml_is(c, "Provider")) {
            read_provider(c, out);
        } else if (es_ofd_xml_is(c, "SignatureMethod") && !out->sig_method) {
            out->sig_method = es_ofd_xml_text(c);
        } else if (es_ofd_xml_is(c, "SignatureDateTime") && !out->sig_time) {
            out->sig_time = es_ofd_xml_text(c);
        } else if (es_ofd_xml_is(c, "References") && !have_refs) {
            have_refs = true;
            ES_GUARD_GOTO(read_refs(c, out, path));
        } else if (es_ofd_xml_is(c, "StampAnnot")) {
            ES_GUARD_GOTO(read_stamp(c, out));
        } else if (es_ofd_xml_is(c, "Seal") && !out->seal_loc) {
            xmlNode *bl = es_ofd_xml_child(c, "BaseLoc");
            if (bl) {
                out->seal_loc = es_ofd_xml_text(bl);
                ES_GUARD_GOTO(resolved(dir, out->seal_loc, &out->seal_path));
            }
        }
    }
    if (!have_refs) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "%s has no References", path);
    }
out:
    xmlFreeDoc(x);
    if (es_is_err(res)) {
        es_ofd_sigdesc_free(out);
    }
    return res;
}

void es_ofd_sigdesc_free(struct es_ofd_sigdesc *d)
{
    if (!d) {
        return;
    }
    es_free(d->provider);
    es_free(d->sig_method);
    es_free(d->sig_time);
    es_free(d->check_method);
    for (size_t i = 0; i < d->n_refs; i++) {
        es_free(d->refs[i].file_ref);
        es_free(d->refs[i].path);
    }
    es_free(d->refs);
    for (size_t i = 0; i < d->n_stamps; i++) {
        es_free(d->stamps[i].id);
        es_free(d->stamps[i].page_ref);
    }
    es_free(d->stamps);
    es_free(d->seal_loc);
    es_free(d->seal_path);
    es_free(d->value_loc);
    es_free(d->value_path);
    memset(d, 0, sizeof(*d));
}
