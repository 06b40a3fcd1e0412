/*
 * lib/doc/ofd/ofd_doc.c - the entry file OFD.xml (DocBody: DocRoot and the
 * Signatures list location) and the document's Document.xml (pages, their
 * IDs, content files and default page area). GB/T 33190-2016 §7.
 */
#include <stdio.h>

#include "doc/ofd/ofd_int.h"

static es_result read_xml(const struct es_ofd_pkg *pkg, const char *name, xmlDoc **out,
                          bool *refused)
{
    *out = NULL;
    const struct es_ofd_entry *e = es_ofd_pkg_find(pkg, name);
    ES_ENSURE_MSG(e, ES_ERR_FORMAT, "the package has no '%s'", name);
    uint8_t *p = NULL;
    size_t n = 0;
    es_result r = es_ofd_pkg_read(pkg, e, pkg->lim.max_xml_size, &p, &n);
    if (es_is_err(r)) {
        *refused = true; /* size, CRC, zip bomb: the package is broken or hostile */
        return r;
    }
    r = es_ofd_xml_parse(p, n, name, &pkg->lim, out, refused);
    es_free(p);
    return r;
}

static es_result resolve_dup(const char *base, const char *loc, char **out)
{
    char path[ES_OFD_MAX_PATH];
    ES_GUARD(es_ofd_path_resolve(base, loc, path, sizeof(path)));
    *out = es_strdup(path);
    ES_ENSURE(*out, ES_ERR_NOMEM);
    return ES_RESULT_OK;
}

es_result es_ofd_main_read(const struct es_ofd_pkg *pkg, struct es_ofd_main *out, bool *refused)
{
    memset(out, 0, sizeof(*out));
    *refused = false;
    ES_GUARD(read_xml(pkg, "OFD.xml", &out->xml, refused));
    es_result res = ES_RESULT_OK;
    xmlNode *root = xmlDocGetRootElement(out->xml);
    char *t = NULL;
    if (!es_ofd_xml_is(root, "OFD")) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "OFD.xml: the root element is <%s>, not <OFD>",
                     (const char *)root->name);
    }
    if (!root->ns || !root->ns->href || strcmp((const char *)root->ns->href, ES_OFD_NS) != 0) {
        snprintf(out->ns_warning, sizeof(out->ns_warning),
                 "OFD.xml: the root element is not in the namespace %s (O-NS)", ES_OFD_NS);
    }
    for (xmlNode *b = es_ofd_xml_child(root, "DocBody"); b; b = es_ofd_xml_next(b, "DocBody")) {
        if (out->n_bodies == sizeof(out->bodies) / sizeof(out->bodies[0])) {
            ES_FAIL_GOTO(ES_ERR_LIMIT_COUNT, "OFD.xml: more than %zu DocBody elements",
                         out->n_bodies);
        }
        struct es_ofd_docbody *d = &out->bodies[out->n_bodies++];
        xmlNode *dr = es_ofd_xml_child(b, "DocRoot");
        if (!dr) {
            ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "OFD.xml: DocBody %zu has no DocRoot",
                         out->n_bodies);
        }
        t = es_ofd_xml_text(dr);
        if (!t) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
        res = resolve_dup("", t, &d->doc_root);
        if (es_is_err(res)) {
            es_error_prefix("OFD.xml DocRoot: ");
            goto out;
        }
        ES_FREE_AND_NULL(t);
        xmlNode *sg = es_ofd_xml_child(b, "Signatures");
        if (sg) {
            t = es_ofd_xml_text(sg);
            if (!t) {
                ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
            }
            res = resolve_dup("", t, &d->sig_list);
            if (es_is_err(res)) {
                es_error_prefix("OFD.xml Signatures: ");
                goto out;
            }
            ES_FREE_AND_NULL(t);
        }
    }
    if (out->n_bodies == 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "OFD.xml has no DocBody");
    }
out:
    es_free(t);
    if (es_is_err(res)) {
        es_ofd_main_free(out);
    }
    return res;
}

void es_ofd_main_free(struct es_ofd_main *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; i < m->n_bodies; i++) {
        es_free(m->bodies[i].doc_root);
        es_free(m->bodies[i].sig_list);
    }
    if (m->xml) {
        xmlFreeDoc(m->xml);
    }
    memset(m, 0, sizeof(*m));
}

/* PhysicalBox "x y w h" of an Area element, if valid. */
static bool area_box(const xmlNode *area, double box[4])
{
    xmlNode *pb = es_ofd_xml_child(area, "PhysicalBox");
    if (!pb) {
        return false;
    }
    char *t = es_ofd_xml_text(pb);
    double v[4];
    bool ok = t && es_ofd_parse_numbers(t, v, 4) == 4 && v[2] > 0 && v[3] > 0;
    es_free(t);
    if (ok) {
        memcpy(box, v, sizeof(v));
    }
    return ok;
}

es_result es_ofd_document_read(const struct es_ofd_pkg *pkg, const char *doc_root,
                               struct es_ofd_document *out, bool *refused)
{
    memset(out, 0, sizeof(*out));
    *refused = false;
    /* A4 portrait when the document says nothing (GB/T 33190 §7.5) */
    out->default_box[2] = 210;
    out->default_box[3] = 297;
    xmlDoc *x = NULL;
    ES_GUARD(read_xml(pkg, doc_root, &x, refused));
    es_result res = ES_RESULT_OK;
    char dir[ES_OFD_MAX_PATH];
    es_ofd_dirname(doc_root, dir, sizeof(dir));
    xmlNode *root = xmlDocGetRootElement(x);
    xmlNode *cd = es_ofd_xml_child(root, "CommonData");
    xmlNode *pa = es_ofd_xml_child(cd, "PageArea");
    if (pa) {
        area_box(pa, out->default_box);
    }
    xmlNode *pages = es_ofd_xml_child(root, "Pages");
    size_t n = 0;
    for (xmlNode *p = es_ofd_xml_child(pages, "Page"); p; p = es_ofd_xml_next(p, "Page")) {
        n++;
    }
    if (n) {
        out->pages = es_calloc(n, sizeof(*out->pages));
        if (!out->pages) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
    }
    for (xmlNode *p = es_ofd_xml_child(pages, "Page"); p; p = es_ofd_xml_next(p, "Page")) {
        struct es_ofd_page *pg = &out->pages[out->n_pages++];
        memcpy(pg->box, out->default_box, sizeof(pg->box));
        pg->id = es_ofd_xml_attr(p, "ID");
        char *loc = es_ofd_xml_attr(p, "BaseLoc");
        if (loc) {
            char path[ES_OFD_MAX_PATH];
            if (es_is_ok(es_ofd_path_resolve(dir, loc, path, sizeof(path)))) {
                pg->content = es_strdup(path);
            } else {
                es_error_clear();
            }
        }
        es_free(loc);
    }
out:
    xmlFreeDoc(x);
    if (es_is_err(res)) {
        es_ofd_document_free(out);
    }
    return res;
}

void es_ofd_document_free(struct es_ofd_document *d)
{
    if (!d) {
        return;
    }
    for (size_t i = 0; i < d->n_pages; i++) {
        es_free(d->pages[i].id);
        es_free(d->pages[i].content);
    }
    es_free(d->pages);
    memset(d, 0, sizeof(*d));
}
