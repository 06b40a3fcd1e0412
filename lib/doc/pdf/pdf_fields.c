/*
 * lib/doc/pdf/pdf_fields.c - signature fields: the /AcroForm /Fields tree of
 * a revision (depth and count bounded, /FT inherited, names joined with
 * '.'), each signed field's dictionary (/ByteRange, /Contents, /Filter,
 * /SubFilter, /M, /Reference DocMDP/FieldMDP) and first widget; and the
 * union over all revisions, so that a signature removed by a later update
 * is still reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"

struct walk {
    struct es_pdf_doc *d;
    struct es_pdf_sig *v;
    size_t n, cap;
    size_t visited;
};

static void name_of(qpdf_data q, qpdf_oh oh, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    qpdf_oh v = qpdf_oh_get_key(q, oh, key);
    if (qpdf_oh_is_name(q, v)) {
        snprintf(out, cap, "%s", qpdf_oh_get_name(q, v) + 1);
    }
}

static int64_t int_of(qpdf_data q, qpdf_oh oh, const char *key, int64_t def)
{
    qpdf_oh v = qpdf_oh_get_key(q, oh, key);
    return qpdf_oh_is_integer(q, v) ? qpdf_oh_get_int_value(q, v) : def;
}

static void read_rect(qpdf_data q, qpdf_oh w, struct es_pdf_sig *s)
{
    qpdf_oh r = qpdf_oh_get_key(q, w, "/Rect");
    if (!qpdf_oh_is_array(q, r) || qpdf_oh_get_array_n_items(q, r) != 4) {
        return;
    }
    for (int i = 0; i < 4; i++) {
        qpdf_oh it = qpdf_oh_get_array_item(q, r, i);
        if (!qpdf_oh_is_number(q, it)) {
            return;
        }
        s->rect[i] = qpdf_oh_get_numeric_value(q, it);
    }
    es_pdf_rect_norm(s->rect);
    s->has_rect = true;
}

void es_pdf_rect_norm(double r[4])
{
    for (int i = 0; i < 2; i++) {
        if (r[i] > r[i + 2]) {
            double t = r[i];
            r[i] = r[i + 2];
            r[i + 2] = t;
        }
    }
}

static void read_widget(struct es_pdf_doc *d, qpdf_oh w, struct es_pdf_sig *s)
{
    qpdf_data q = d->q;
    s->n_widgets++;
    if (s->n_widgets > 1) {
        return;
    }
    s->widget_id = qpdf_oh_get_object_id(q, w);
    read_rect(q, w, s);
    s->page = -1;
    qpdf_oh p = qpdf_oh_get_key(q, w, "/P");
    if (qpdf_oh_is_dictionary(q, p)) {
        s->page = es_pdf_page_index(d, p);
    }
}

static void read_reference(qpdf_data q, qpdf_oh sig, struct es_pdf_sig *s)
{
    qpdf_oh refs = qpdf_oh_get_key(q, sig, "/Reference");
    int n = qpdf_oh_is_array(q, refs) ? qpdf_oh_get_array_n_items(q, refs) : 0;
    for (int i = 0; i < n && i < 8; i++) {
        qpdf_oh r = qpdf_oh_get_array_item(q, refs, i);
        char tm[32];
        name_of(q, r, "/TransformMethod", tm, sizeof(tm));
        qpdf_oh tp = qpdf_oh_get_key(q, r, "/TransformParams");
        if (strcmp(tm, "DocMDP") == 0) {
            s->docmdp_p = (int)int_of(q, tp, "/P", 2);
        } else if (strcmp(tm, "FieldMDP") == 0) {
            s->fieldmdp = true;
            name_of(q, tp, "/Action", s->fieldmdp_action, sizeof(s->fieldmdp_action));
        }
    }
}

/* The signature dictionary's entries, through qpdf. */
static es_result read_dict(struct es_pdf_doc *d, qpdf_oh v, const char *name,
                           struct es_pdf_sig *s)
{
    qpdf_data q = d->q;
    name_of(q, v, "/Filter", s->filter, sizeof(s->filter));
    name_of(q, v, "/SubFilter", s->subfilter, sizeof(s->subfilter));
    qpdf_oh m = qpdf_oh_get_key(q, v, "/M");
    if (qpdf_oh_is_string(q, m)) {
        snprintf(s->m, sizeof(s->m), "%s", qpdf_oh_get_string_value(q, m));
    }
    qpdf_oh br = qpdf_oh_get_key(q, v, "/ByteRange");
    if (qpdf_oh_is_array(q, br) && qpdf_oh_get_array_n_items(q, br) == 4) {
        s->br_ok = true;
        for (int i = 0; i < 4; i++) {
            qpdf_oh it = qpdf_oh_get_array_item(q, br, i);
            if (!qpdf_oh_is_integer(q, it)) {
                s->br_ok = false;
                break;
            }
            s->br[i] = qpdf_oh_get_int_value(q, it);
        }
    }
    qpdf_oh c = qpdf_oh_get_key(q, v, "/Contents");
    if (qpdf_oh_is_string(q, c)) {
        size_t len = 0;
        const char *b = qpdf_oh_get_binary_string_value(q, c, &len);
        ES_ENSURE_MSG(len <= d->lim.max_contents, ES_ERR_LIMIT_SIZE,
                      "PDF: /Contents of signature '%s' is %zu bytes, over the limit of %zu",
                      name, len, d->lim.max_contents);
        s->contents = es_malloc(len ? len : 1);
        ES_ENSURE(s->contents, ES_ERR_NOMEM);
        memcpy(s->contents, b, len);
        s->contents_len = len;
        s->has_contents = true;
    }
    read_reference(q, v, s);
    return ES_RESULT_OK;
}

/* The field's lock and widgets. */
static es_result read_field(struct es_pdf_doc *d, qpdf_oh field, struct es_pdf_sig *s)
{
    qpdf_data q = d->q;
    qpdf_oh lock = qpdf_oh_get_key(q, field, "/Lock");
    if (qpdf_oh_is_dictionary(q, lock)) {
        s->fieldmdp = true;
        int64_t lp = int_of(q, lock, "/P", 0);
        s->lock_p = lp >= 1 && lp <= 3 ? (int)lp : 0;
    }
    /* the widget: the field itself (merged) or its kids */
    if (qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, field, "/Subtype"), "/Widget")) {
        read_widget(d, field, s);
    }
    qpdf_oh kids = qpdf_oh_get_key(q, field, "/Kids");
    int nk = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
    for (int i = 0; i < nk && i < 1000; i++) {
        qpdf_oh k = qpdf_oh_get_array_item(q, kids, i);
        if (qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, k, "/Subtype"), "/Widget")) {
            read_widget(d, k, s);
        }
    }
    return es_pdf_qcheck(d, "signature field");
}

/* *out_sig false: /V is no dictionary, the field is walked as any other. */
static es_result read_sig(struct walk *w, qpdf_oh field, qpdf_oh v, const char *name,
                          bool *out_sig)
{
    struct es_pdf_doc *d = w->d;
    qpdf_data q = d->q;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        struct es_pdf_sig *nv = es_realloc(w->v, cap * sizeof(*nv));
        ES_ENSURE(nv, ES_ERR_NOMEM);
        w->v = nv;
        w->cap = cap;
    }
    struct es_pdf_sig *s = &w->v[w->n++];
    memset(s, 0, sizeof(*s));
    s->page = -1;
    s->rev_end = d->n;
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->field_id = qpdf_oh_get_object_id(q, field);
    s->sig_id = qpdf_oh_get_object_id(q, v);
    *out_sig = true;
    bool fast = false;
    if (qpdf_oh_is_indirect(q, v)) {
        /* without qpdf parsing the dictionary and its ~100 KiB of hex */
        ES_GUARD(es_pdf_sigdict_fast(d, s->sig_id, qpdf_oh_get_generation(q, v), name, s,
                                     &fast));
    }
    if (!fast && !qpdf_oh_is_dictionary(q, v)) {
        w->n--;
        *out_sig = false;
        return es_pdf_qcheck(d, "signature field");
    }
    if (!fast) {
        ES_GUARD(read_dict(d, v, name, s));
    } else if (d->n_plain_sigs < sizeof(d->plain_sigs) / sizeof(d->plain_sigs[0])) {
        /* a plain dictionary, not a stream: es_pdf_diff need not ask qpdf */
        d->plain_sigs[d->n_plain_sigs++] = s->sig_id;
    }
    return read_field(d, field, s);
}

static es_result walk_field(struct walk *w, qpdf_oh f, const char *parent, const char *ft_in,
                            int depth)
{
    struct es_pdf_doc *d = w->d;
    qpdf_data q = d->q;
    ES_ENSURE_MSG(depth < ES_PDF_MAX_FIELD_DEPTH, ES_ERR_LIMIT_DEPTH,
                  "PDF: form fields nested deeper than %d (a loop in /Kids?)",
                  ES_PDF_MAX_FIELD_DEPTH);
    ES_ENSURE_MSG(++w->visited <= d->lim.max_fields, ES_ERR_LIMIT_COUNT,
                  "PDF: more than %zu form fields (a loop in /Kids?)", d->lim.max_fields);
    if (!qpdf_oh_is_dictionary(q, f)) {
        return ES_RESULT_OK;
    }
    char name[128];
    qpdf_oh t = qpdf_oh_get_key(q, f, "/T");
    if (qpdf_oh_is_string(q, t)) {
        const char *tv = qpdf_oh_get_utf8_value(q, t);
        snprintf(name, sizeof(name), "%s%s%.100s", parent, parent[0] ? "." : "", tv);
        es_pdf_utf8_cut(name);
    } else {
        snprintf(name, sizeof(name), "%s", parent);
    }
    char ft[16];
    name_of(q, f, "/FT", ft, sizeof(ft));
    if (!ft[0]) {
        snprintf(ft, sizeof(ft), "%s", ft_in);
    }
    qpdf_oh v = qpdf_oh_get_key(q, f, "/V");
    if (strcmp(ft, "Sig") == 0 && qpdf_oh_is_string(q, t)) {
        bool sig = false;
        ES_GUARD(read_sig(w, f, v, name, &sig));
        if (sig) {
            return ES_RESULT_OK;
        }
    }
    qpdf_oh kids = qpdf_oh_get_key(q, f, "/Kids");
    int nk = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
    for (int i = 0; i < nk; i++) {
        qpdf_oh k = qpdf_oh_get_array_item(q, kids, i);
        if (qpdf_oh_is_dictionary(q, k) && qpdf_oh_has_key(q, k, "/T")) {
            ES_GUARD(walk_field(w, k, name, ft, depth + 1));
        }
    }
    return es_pdf_qcheck(d, "form field");
}

void es_pdf_sigs_free(struct es_pdf_sig *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        es_free(s[i].contents);
    }
    es_free(s);
}

es_result es_pdf_sigs_read(struct es_pdf_doc *d, struct es_pdf_sig **out, size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    struct walk w = {d, NULL, 0, 0, 0};
    qpdf_data q = d->q;
    qpdf_oh af = qpdf_oh_get_key(q, qpdf_get_root(q), "/AcroForm");
    qpdf_oh fields = qpdf_oh_get_key(q, af, "/Fields");
    int n = qpdf_oh_is_array(q, fields) ? qpdf_oh_get_array_n_items(q, fields) : 0;
    es_result res = es_pdf_qcheck(d, "/AcroForm");
    for (int i = 0; i < n && es_is_ok(res); i++) {
        res = walk_field(&w, qpdf_oh_get_array_item(q, fields, i), "", "", 0);
    }
    if (es_is_err(res)) {
        es_pdf_sigs_free(w.v, w.n);
        return res;
    }
    *out = w.v;
    *out_n = w.n;
    return ES_RESULT_OK;
}

static bool same_sig(const struct es_pdf_sig *a, const struct es_pdf_sig *b)
{
    return a->br_ok == b->br_ok && memcmp(a->br, b->br, sizeof(a->br)) == 0 &&
           a->contents_len == b->contents_len &&
           (a->contents_len == 0 || memcmp(a->contents, b->contents, a->contents_len) == 0);
}

static int by_end(const void *x, const void *y)
{
    const struct es_pdf_sig *a = x, *b = y;
    int64_t ea = a->br_ok ? a->br[2] + a->br[3] : INT64_MAX;
    int64_t eb = b->br_ok ? b->br[2] + b->br[3] : INT64_MAX;
    return ea < eb ? -1 : ea > eb;
}

void es_pdf_sigs_sort(struct es_pdf_sig *v, size_t n)
{
    if (n > 1) {
        qsort(v, n, sizeof(*v), by_end);
    }
}

es_result es_pdf_sigs_all(struct es_pdf_doc *d, struct es_pdf_sig **out, size_t *out_n)
{
    struct es_pdf_sig *all = NULL;
    size_t n = 0;
    ES_GUARD(es_pdf_sigs_read(d, &all, &n));
    es_result res = ES_RESULT_OK;
    /* earlier revisions: a prefix that does not open on its own (the first
     * section of a linearized file) holds no revision of its own */
    for (size_t r = 0; r + 1 < d->n_rev; r++) {
        struct es_pdf_doc *e = NULL;
        struct es_pdf_sig *v = NULL;
        size_t nv = 0;
        /* only a revision that wrote a signature dictionary (never inside an
         * object stream: its ByteRange must point into the file) can hold one
         * the final revision lacks; opening the others would cost a parse */
        size_t from = r ? d->rev_end[r - 1] : 0;
        if (!memmem(d->p + from, d->rev_end[r] - from, "/ByteRange", 10)) {
            continue;
        }
        /* kept open: es_pdf_diff compares the revisions after it */
        if (es_is_ok(es_pdf_open_prefix(d, d->rev_end[r], &e)) &&
            es_is_ok(es_pdf_sigs_read(e, &v, &nv))) {
            for (size_t i = 0; i < nv; i++) {
                bool seen = false;
                for (size_t j = 0; j < n && !seen; j++) {
                    seen = same_sig(&all[j], &v[i]);
                }
                if (!seen) {
                    struct es_pdf_sig *na = es_realloc(all, (n + 1) * sizeof(*na));
                    if (!na) {
                        es_pdf_sigs_free(v, nv);
                        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
                    }
                    all = na;
                    all[n] = v[i];
                    all[n].rev_end = d->rev_end[r];
                    v[i].contents = NULL;
                    n++;
                }
            }
        } else if (e) {
            es_pdf_drop_prefix(d, e); /* a reading that failed is not reused */
        }
        es_error_clear();
        es_pdf_sigs_free(v, nv);
    }
    es_pdf_sigs_sort(all, n);
    *out = all;
    *out_n = n;
    return ES_RESULT_OK;
out:
    es_pdf_sigs_free(all, n);
    return res;
}
