/*
 * lib/doc/ofd/ofd_stamp.c - where the stamps go: StampAnnot Boundary/Clip
 * for a stamp at page coordinates, centred on a keyword, or as a riding
 * seal (ofd-signature.md §6.2, ofdrw's right-edge construction): N pages,
 * stamp W x H, strip s = W/N, page i (0-based) gets
 *   Boundary = (PW - s(i+1), PH/2 - H/2, W, H),  Clip = (s i, 0, s, H)
 * so that strip i lands in [PW - s, PW] and the strips line up when the
 * pages are fanned.
 */
#include <stdio.h>

#include "doc/ofd/ofd_sign_int.h"

/* The page's own Area/PhysicalBox when its content gives one. */
static es_result page_box(const struct es_ofd_pkg *pkg, struct es_ofd_page *pg, bool *done)
{
    if (*done) {
        return ES_RESULT_OK;
    }
    *done = true;
    const struct es_ofd_entry *e = pg->content ? es_ofd_pkg_find(pkg, pg->content) : NULL;
    if (!e) {
        return ES_RESULT_OK;
    }
    uint8_t *raw = NULL;
    size_t n = 0;
    xmlDoc *x = NULL;
    bool refused;
    ES_GUARD(es_ofd_pkg_read(pkg, e, pkg->lim.max_xml_size, &raw, &n));
    es_result r = es_ofd_xml_parse(raw, n, e->name, &pkg->lim, &x, &refused);
    es_free(raw);
    ES_GUARD(r);
    xmlNode *area = es_ofd_xml_child(xmlDocGetRootElement(x), "Area");
    xmlNode *pb = es_ofd_xml_child(area, "PhysicalBox");
    if (pb) {
        char *t = es_ofd_xml_text(pb);
        double v[4];
        if (t && es_ofd_parse_numbers(t, v, 4) == 4 && v[2] > 0 && v[3] > 0) {
            memcpy(pg->box, v, sizeof(v));
        }
        es_free(t);
    }
    xmlFreeDoc(x);
    return ES_RESULT_OK;
}

static es_result push(struct es_ofd_newstamp **v, size_t *n, const struct es_ofd_newstamp *s)
{
    ES_ENSURE_MSG(*n < ES_OFD_MAX_STAMPS, ES_ERR_LIMIT_COUNT, "more than %d stamps",
                  ES_OFD_MAX_STAMPS);
    struct es_ofd_newstamp *nv = es_realloc(*v, (*n + 1) * sizeof(**v));
    ES_ENSURE(nv, ES_ERR_NOMEM);
    *v = nv;
    nv[(*n)++] = *s;
    return ES_RESULT_OK;
}

es_result es_ofd_place(const struct es_ofd_pkg *pkg, struct es_ofd_document *doc,
                       const es_ofd_position *pos, size_t n_pos, double seal_w, double seal_h,
                       struct es_ofd_newstamp **out, size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    es_result res = ES_RESULT_OK;
    struct es_ofd_newstamp *v = NULL;
    size_t n = 0;
    struct es_ofd_hit *hits = NULL;
    bool *boxed = es_calloc(doc->n_pages + 1, sizeof(bool));
    if (!boxed) {
        ES_BAIL(ES_ERR_NOMEM);
    }
    for (size_t k = 0; k < n_pos; k++) {
        const es_ofd_position *p = &pos[k];
        double w = p->w_mm > 0 ? p->w_mm : seal_w;
        double h = p->h_mm > 0 ? p->h_mm : seal_h;
        if (!(w > 0 && h > 0 && w < 10000 && h < 10000)) {
            ES_FAIL_GOTO(ES_ERR_USAGE_ARG, "position %zu: the stamp size %gx%g mm is invalid",
                         k + 1, w, h);
        }
        ES_GUARD_GOTO(doc->n_pages ? ES_RESULT_OK
                                   : es_error_set(ES_ERR_FORMAT_STRUCTURE, __FILE__, __LINE__,
                                                  "the document has no pages"));
        struct es_ofd_newstamp s;
        memset(&s, 0, sizeof(s));
        if (p->kind == ES_OFD_POS_PAGE) {
            if (p->page < 1 || (size_t)p->page > doc->n_pages) {
                ES_FAIL_GOTO(ES_ERR_USAGE_ARG, "position %zu: page %d does not exist (the "
                                               "document has %zu pages)",
                             k + 1, p->page, doc->n_pages);
            }
            const struct es_ofd_page *pg = &doc->pages[p->page - 1];
            s.page_id = pg->id;
            s.boundary[0] = p->x_mm;
            s.boundary[1] = p->y_mm;
            s.boundary[2] = w;
            s.boundary[3] = h;
            ES_GUARD_GOTO(push(&v, &n, &s));
        } else if (p->kind == ES_OFD_POS_KEYWORD) {
            size_t nh = 0;
            ES_GUARD_GOTO(es_ofd_find_keyword(pkg, doc, p->keyword ? p->keyword : "",
                                              p->occurrence, &hits, &nh));
            for (size_t i = 0; i < nh; i++) {
                /* centred on the keyword's box */
                double cx = (hits[i].box[0] + hits[i].box[2]) / 2;
                double cy = (hits[i].box[1] + hits[i].box[3]) / 2;
                s.page_id = doc->pages[hits[i].page].id;
                s.boundary[0] = cx - w / 2;
                s.boundary[1] = cy - h / 2;
                s.boundary[2] = w;
                s.boundary[3] = h;
                ES_GUARD_GOTO(push(&v, &n, &s));
            }
            ES_FREE_AND_NULL(hits);
        } else if (p->kind == ES_OFD_POS_RIDING) {
            size_t first = p->first_page > 0 ? (size_t)p->first_page : 1;
            size_t last = p->last_page > 0 ? (size_t)p->last_page : doc->n_pages;
            if (first > last || last > doc->n_pages) {
                ES_FAIL_GOTO(ES_ERR_USAGE_ARG, "position %zu: pages %zu-%zu do not exist (the "
                                               "document has %zu pages)",
                             k + 1, first, last, doc->n_pages);
            }
            size_t cnt = last - first + 1;
            if (cnt < 2) {
                ES_FAIL_GOTO(ES_ERR_USAGE_ARG,
                             "position %zu: a riding seal needs at least 2 pages", k + 1);
            }
            double strip = w / (double)cnt;
            for (size_t i = 0; i < cnt; i++) {
                struct es_ofd_page *pg = &doc->pages[first - 1 + i];
                ES_GUARD_GOTO(page_box(pkg, pg, &boxed[first - 1 + i]));
                double pw = pg->box[2], ph = pg->box[3];
                s.page_id = pg->id;
                s.boundary[0] = pw - strip * (double)(i + 1);
                s.boundary[1] = ph / 2 - h / 2;
                s.boundary[2] = w;
                s.boundary[3] = h;
                s.has_clip = true;
                s.clip[0] = strip * (double)i;
                s.clip[1] = 0;
                s.clip[2] = strip;
                s.clip[3] = h;
                ES_GUARD_GOTO(push(&v, &n, &s));
            }
        } else {
            ES_FAIL_GOTO(ES_ERR_USAGE_ARG, "position %zu: unknown kind %d", k + 1, (int)p->kind);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!v[i].page_id || !v[i].page_id[0]) {
            ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "a page of the document has no ID");
        }
    }
out:
    es_free(boxed);
    es_free(hits);
    if (es_is_err(res)) {
        es_free(v);
        return res;
    }
    *out = v;
    *out_n = n;
    return ES_RESULT_OK;
}
