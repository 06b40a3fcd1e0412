/*
 * lib/doc/ofd/ofd_text.c - finding a keyword in the text of OFD pages, for
 * stamps placed by keyword. GB/T 33190-2016 §11: a TextObject (Boundary,
 * Size, optional CTM) holds TextCode runs whose characters start at X/Y
 * (baseline) and advance by DeltaX/DeltaY ("g N v" repeats v N times). The
 * page text is the concatenation of every TextCode in document order
 * (PageBlocks included, templates not); a match may span TextObjects.
 */
#include <stdio.h>
#include <stdlib.h>

#include "doc/ofd/ofd_sign_int.h"

struct glyph {
    size_t off;      /* byte offset in the page text */
    double box[4];   /* x0 y0 x1 y1 in page millimetres */
};

struct pagetext {
    struct es_buf text;
    struct glyph *g;
    size_t n, cap;
};

/* "1 2 g 3 4.5" -> advances; returns how many were produced (at most max). */
static size_t deltas(const char *s, double *out, size_t max)
{
    size_t n = 0;
    while (s && *s && n < max) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            s++;
        }
        if (!*s) {
            break;
        }
        char *end;
        if (*s == 'g') {
            long rep = strtol(s + 1, &end, 10);
            if (end == s + 1 || rep < 0) {
                break;
            }
            double v = es_ofd_strtod(end, &end);
            for (long k = 0; k < rep && n < max; k++) {
                out[n++] = v;
            }
        } else {
            out[n++] = es_ofd_strtod(s, &end);
            if (end == s) {
                break;
            }
        }
        s = end;
    }
    return n;
}

static size_t utf8_len(uint8_t c)
{
    return c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4
                                                                                               : 1;
}

static void apply(const double m[6], double x, double y, double *ox, double *oy)
{
    *ox = m[0] * x + m[2] * y + m[4];
    *oy = m[1] * x + m[3] * y + m[5];
}

static es_result add_glyph(struct pagetext *t, size_t off, const double box[4])
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 256;
        ES_ENSURE_MSG(nc <= (size_t)1024 * 1024, ES_ERR_LIMIT_COUNT,
                      "a page has more than 1048576 characters of text");
        struct glyph *g = es_realloc(t->g, nc * sizeof(*g));
        ES_ENSURE(g, ES_ERR_NOMEM);
        t->g = g;
        t->cap = nc;
    }
    t->g[t->n].off = off;
    memcpy(t->g[t->n].box, box, sizeof(t->g[0].box));
    t->n++;
    return ES_RESULT_OK;
}

static es_result text_object(struct pagetext *t, const xmlNode *to)
{
    double bnd[4] = {0, 0, 0, 0}, ctm[6] = {1, 0, 0, 1, 0, 0}, size = 3.5;
    char *a = es_ofd_xml_attr(to, "Boundary");
    es_ofd_parse_numbers(a, bnd, 4);
    es_free(a);
    a = es_ofd_xml_attr(to, "CTM");
    if (a && es_ofd_parse_numbers(a, ctm, 6) != 6) {
        memcpy(ctm, (double[6]){1, 0, 0, 1, 0, 0}, sizeof(ctm));
    }
    es_free(a);
    a = es_ofd_xml_attr(to, "Size");
    if (a) {
        double v;
        if (es_ofd_parse_numbers(a, &v, 1) == 1 && v > 0) {
            size = v;
        }
    }
    es_free(a);
    double x = 0, y = 0;
    for (xmlNode *tc = es_ofd_xml_child(to, "TextCode"); tc; tc = es_ofd_xml_next(tc, "TextCode")) {
        char *xs = es_ofd_xml_attr(tc, "X"), *ys = es_ofd_xml_attr(tc, "Y");
        char *dx = es_ofd_xml_attr(tc, "DeltaX"), *dy = es_ofd_xml_attr(tc, "DeltaY");
        if (xs) {
            es_ofd_parse_numbers(xs, &x, 1);
        }
        if (ys) {
            es_ofd_parse_numbers(ys, &y, 1);
        }
        xmlChar *raw = xmlNodeGetContent(tc);
        const char *s = raw ? (const char *)raw : "";
        size_t sl = strlen(s);
        double ddx[512], ddy[512];
        size_t ndx = deltas(dx, ddx, 512), ndy = deltas(dy, ddy, 512);
        es_result r = ES_RESULT_OK;
        for (size_t i = 0, k = 0; i < sl && es_is_ok(r); k++) {
            size_t cl = utf8_len((uint8_t)s[i]);
            if (i + cl > sl) {
                cl = sl - i;
            }
            double adv = k < ndx ? ddx[k] : ndx ? ddx[ndx - 1] : size;
            double adv_y = k < ndy ? ddy[k] : 0;
            /* glyph cell: baseline at y, one em high, one advance wide */
            double px[4], py[4];
            apply(ctm, x, y - size, &px[0], &py[0]);
            apply(ctm, x + (adv > 0 ? adv : size), y - size, &px[1], &py[1]);
            apply(ctm, x, y, &px[2], &py[2]);
            apply(ctm, x + (adv > 0 ? adv : size), y, &px[3], &py[3]);
            double box[4] = {px[0], py[0], px[0], py[0]};
            for (int q = 1; q < 4; q++) {
                box[0] = px[q] < box[0] ? px[q] : box[0];
                box[1] = py[q] < box[1] ? py[q] : box[1];
                box[2] = px[q] > box[2] ? px[q] : box[2];
                box[3] = py[q] > box[3] ? py[q] : box[3];
            }
            box[0] += bnd[0];
            box[2] += bnd[0];
            box[1] += bnd[1];
            box[3] += bnd[1];
            r = add_glyph(t, t->text.len, box);
            if (es_is_ok(r)) {
                r = es_buf_append(&t->text, s + i, cl);
            }
            i += cl;
            x += adv;
            y += adv_y;
        }
        xmlFree(raw);
        es_free(xs);
        es_free(ys);
        es_free(dx);
        es_free(dy);
        ES_GUARD(r);
    }
    return ES_RESULT_OK;
}

static es_result walk(struct pagetext *t, const xmlNode *n, unsigned depth)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (es_ofd_xml_is(c, "TextObject")) {
            ES_GUARD(text_object(t, c));
        } else if (depth < 64) {
            ES_GUARD(walk(t, c, depth + 1));
        }
    }
    return ES_RESULT_OK;
}

es_result es_ofd_find_keyword(const struct es_ofd_pkg *pkg, const struct es_ofd_document *doc,
                              const char *keyword, int occurrence, struct es_ofd_hit **out,
                              size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    size_t klen = strlen(keyword);
    ES_ENSURE_MSG(klen > 0, ES_ERR_USAGE_ARG, "empty keyword");
    int seen = 0;
    struct es_ofd_hit *hits = NULL;
    size_t n = 0;
    es_result res = ES_RESULT_OK;
    for (size_t p = 0; p < doc->n_pages; p++) {
        const struct es_ofd_page *pg = &doc->pages[p];
        const struct es_ofd_entry *e = pg->content ? es_ofd_pkg_find(pkg, pg->content) : NULL;
        if (!e) {
            continue;
        }
        uint8_t *raw = NULL;
        size_t rn = 0;
        xmlDoc *x = NULL;
        bool refused;
        ES_GUARD_GOTO(es_ofd_pkg_read(pkg, e, pkg->lim.max_xml_size, &raw, &rn));
        res = es_ofd_xml_parse(raw, rn, e->name, &pkg->lim, &x, &refused);
        es_free(raw);
        if (es_is_err(res)) {
            goto out;
        }
        struct pagetext t;
        memset(&t, 0, sizeof(t));
        es_buf_init(&t.text, 64u * 1024 * 1024);
        xmlNode *content = es_ofd_xml_child(xmlDocGetRootElement(x), "Content");
        res = content ? walk(&t, content, 0) : ES_RESULT_OK;
        xmlFreeDoc(x);
        for (size_t i = 0; es_is_ok(res) && t.text.len >= klen && i <= t.text.len - klen;) {
            if (memcmp(t.text.ptr + i, keyword, klen) != 0) {
                i++;
                continue;
            }
            seen++;
            if (occurrence == 0 || seen == occurrence) {
                struct es_ofd_hit h = {p, {1e18, 1e18, -1e18, -1e18}};
                for (size_t g = 0; g < t.n; g++) {
                    if (t.g[g].off >= i && t.g[g].off < i + klen) {
                        h.box[0] = t.g[g].box[0] < h.box[0] ? t.g[g].box[0] : h.box[0];
                        h.box[1] = t.g[g].box[1] < h.box[1] ? t.g[g].box[1] : h.box[1];
                        h.box[2] = t.g[g].box[2] > h.box[2] ? t.g[g].box[2] : h.box[2];
                        h.box[3] = t.g[g].box[3] > h.box[3] ? t.g[g].box[3] : h.box[3];
                    }
                }
                struct es_ofd_hit *v = es_realloc(hits, (n + 1) * sizeof(*v));
                if (!v) {
                    res = es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "out of memory");
                    break;
                }
                hits = v;
                hits[n++] = h;
                if (n >= ES_OFD_MAX_STAMPS) {
                    break;
                }
            }
            i += klen;
        }
        es_buf_free(&t.text);
        es_free(t.g);
        if (es_is_err(res)) {
            goto out;
        }
        if ((occurrence > 0 && seen >= occurrence) || n >= ES_OFD_MAX_STAMPS) {
            break;
        }
    }
    if (n == 0) {
        if (seen > 0) {
            ES_FAIL_GOTO(ES_ERR_USAGE_ARG,
                         "the keyword '%s' occurs %d time(s), not %d times", keyword, seen,
                         occurrence);
        }
        ES_FAIL_GOTO(ES_ERR_USAGE_ARG, "the keyword '%s' is not in the text of any page",
                     keyword);
    }
out:
    if (es_is_err(res)) {
        es_free(hits);
        return res;
    }
    *out = hits;
    *out_n = n;
    return ES_RESULT_OK;
}
