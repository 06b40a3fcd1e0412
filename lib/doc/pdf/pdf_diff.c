/*
 * lib/doc/pdf/pdf_diff.c - what the revisions after a signature changed.
 *
 * The objects (re)defined after the signed revision are found by scanning
 * those bytes for "N G obj" headers and by listing the members of any
 * object stream among them. Each is compared with its value in the signed
 * revision (opened on its own with qpdf) and classified, in the spirit of
 * ISO 32000-1 12.8.2.2 (DocMDP permissions):
 *   new objects                  harmless on their own (nothing refers to
 *                                them unless an existing object changed)
 *   rewritten but equal          harmless
 *   a page whose only change is /Annots, an /Annots or /Fields array,
 *   /AcroForm (/Fields, /SigFlags, /DR, /DA, /NeedAppearances), the catalog
 *   (/AcroForm, /DSS, /Perms added)         annotations / form
 *   a widget or field whose /V, /AS, /AP, /MK changed    form filling
 *   anything else (content streams, resources, page boxes, fonts, ...)
 *                                content change, named in the report
 * The signature's own field, widget and dictionary must not change at all
 * (a moved or replaced stamp). Known limit: an object freed by a later
 * xref (without being redefined) is not seen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"

#define MAX_CHANGED 100000

struct idset {
    int *v;
    size_t n, cap;
};

static es_result idset_add(struct idset *s, int id)
{
    ES_ENSURE_MSG(s->n < MAX_CHANGED, ES_ERR_LIMIT_COUNT,
                  "PDF: more than %d objects rewritten after a signature", MAX_CHANGED);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        int *nv = es_realloc(s->v, cap * sizeof(*nv));
        ES_ENSURE(nv, ES_ERR_NOMEM);
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = id;
    return ES_RESULT_OK;
}

static bool is_ws(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0; }
static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* "N G obj" headers in p[from, to). */
static es_result scan_headers(const uint8_t *p, size_t from, size_t to, struct idset *ids)
{
    for (size_t i = from; i + 3 <= to; i++) {
        if (memcmp(p + i, "obj", 3) != 0 || (i + 3 < to && !is_ws(p[i + 3]) && p[i + 3] != '<')) {
            continue;
        }
        size_t k = i;
        if (k == from || !is_ws(p[k - 1])) {
            continue;
        }
        while (k > from && is_ws(p[k - 1])) {
            k--;
        }
        size_t ge = k;
        while (k > from && is_digit(p[k - 1]) && ge - k < 6) {
            k--;
        }
        if (k == ge || k == from || !is_ws(p[k - 1])) {
            continue;
        }
        while (k > from && is_ws(p[k - 1])) {
            k--;
        }
        size_t ne = k;
        while (k > from && is_digit(p[k - 1]) && ne - k < 10) {
            k--;
        }
        if (k == ne || (k > from && !is_ws(p[k - 1]))) {
            continue;
        }
        long id = strtol((const char *)p + k, NULL, 10);
        if (id > 0 && id < 100000000) {
            ES_GUARD(idset_add(ids, (int)id));
        }
    }
    return ES_RESULT_OK;
}

/* Members of object stream `oh` (the "objnum offset" pairs of its header). */
static es_result objstm_members(struct es_pdf_doc *d, qpdf_oh oh, struct idset *ids)
{
    qpdf_data q = d->q;
    qpdf_oh nn = qpdf_oh_get_key(q, oh, "/N");
    int64_t n = qpdf_oh_is_integer(q, nn) ? qpdf_oh_get_int_value(q, nn) : 0;
    ES_ENSURE_MSG(n >= 0 && n <= 100000, ES_ERR_LIMIT_COUNT, "PDF: object stream /N %lld",
                  (long long)n);
    unsigned char *buf = NULL;
    size_t len = 0;
    QPDF_BOOL filtered = QPDF_FALSE;
    qpdf_oh_get_stream_data(q, oh, qpdf_dl_generalized, &filtered, &buf, &len);
    es_result res = es_pdf_qcheck(d, "object stream");
    const char *p = (const char *)buf, *end = p + len;
    for (int64_t i = 0; es_is_ok(res) && buf && i < n; i++) {
        while (p < end && !is_digit((uint8_t)*p)) {
            p++;
        }
        long id = 0;
        int digits = 0;
        while (p < end && is_digit((uint8_t)*p) && digits++ < 10) {
            id = id * 10 + (*p++ - '0');
        }
        while (p < end && !is_digit((uint8_t)*p)) {
            p++;
        }
        while (p < end && is_digit((uint8_t)*p)) {
            p++; /* the offset */
        }
        if (digits && id > 0) {
            res = idset_add(ids, (int)id);
        }
    }
    es_pdf_qfree(buf);
    return res;
}

/* Unparsed value of key in o (copied), "" when absent. */
static char *val_of(qpdf_data q, qpdf_oh o, const char *key)
{
    qpdf_oh v = key ? qpdf_oh_get_key(q, o, key) : o;
    /* the object itself resolved; values inside keep their "N G R" */
    const char *s = qpdf_oh_is_null(q, v) ? ""
                    : key                 ? qpdf_oh_unparse_binary(q, v)
                                          : qpdf_oh_unparse_resolved(q, v);
    return es_strdup(s ? s : "");
}

static bool same_val(qpdf_data q1, qpdf_oh o1, qpdf_data q2, qpdf_oh o2, const char *key)
{
    char *a = val_of(q1, o1, key), *b = val_of(q2, o2, key);
    bool eq = a && b && strcmp(a, b) == 0;
    es_free(a);
    es_free(b);
    return eq;
}

static bool same_stream(qpdf_data q1, qpdf_oh o1, qpdf_data q2, qpdf_oh o2)
{
    unsigned char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    QPDF_BOOL f = QPDF_FALSE;
    qpdf_oh_get_stream_data(q1, o1, qpdf_dl_none, &f, &a, &la);
    qpdf_oh_get_stream_data(q2, o2, qpdf_dl_none, &f, &b, &lb);
    bool eq = a && b && la == lb && memcmp(a, b, la) == 0;
    es_pdf_qfree(a);
    es_pdf_qfree(b);
    return eq;
}

/* The keys of o1/o2 that differ, ignoring those in `allowed`; the first
 * differing key into `what`. */
static bool other_keys_differ(qpdf_data q1, qpdf_oh o1, qpdf_data q2, qpdf_oh o2,
                              const char *const *allowed, char *what, size_t cap)
{
    for (int pass = 0; pass < 2; pass++) {
        qpdf_data q = pass ? q2 : q1;
        qpdf_oh o = pass ? o2 : o1;
        char keys[64][64];
        int nk = 0;
        qpdf_oh_begin_dict_key_iter(q, o);
        while (qpdf_oh_dict_more_keys(q) && nk < 64) {
            snprintf(keys[nk++], sizeof(keys[0]), "%.63s", qpdf_oh_dict_next_key(q));
        }
        for (int i = 0; i < nk; i++) {
            bool ok = false;
            for (size_t k = 0; allowed[k] && !ok; k++) {
                ok = strcmp(keys[i], allowed[k]) == 0;
            }
            if (!ok && !same_val(q1, o1, q2, o2, keys[i])) {
                snprintf(what, cap, "%.60s", keys[i]);
                return true;
            }
        }
    }
    return false;
}

static void note(char *buf, size_t cap, const char *fmt, int id, const char *what)
{
    size_t l = strlen(buf);
    if (l + 40 < cap) {
        snprintf(buf + l, cap - l, fmt, l ? "; " : "", id, what);
    }
}

static bool has_name(qpdf_data q, qpdf_oh o, const char *key, const char *name)
{
    return qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, o, key), name);
}

static bool in_set(const struct idset *s, int id)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i] == id) {
            return true;
        }
    }
    return false;
}

/* Arrays that may grow with annotations and fields: indirect page /Annots
 * and /AcroForm /Fields of the final revision. */
static es_result list_arrays(struct es_pdf_doc *d, struct idset *arrays, struct idset *pages)
{
    qpdf_data q = d->q;
    ES_GUARD(es_pdf_pages_load(d));
    for (int i = 0; i < d->n_pages; i++) {
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)i);
        ES_GUARD(idset_add(pages, qpdf_oh_get_object_id(q, pg)));
        qpdf_oh a = qpdf_oh_get_key(q, pg, "/Annots");
        if (qpdf_oh_is_indirect(q, a)) {
            ES_GUARD(idset_add(arrays, qpdf_oh_get_object_id(q, a)));
        }
        qpdf_oh_release_all(q);
    }
    qpdf_oh f = qpdf_oh_get_key(q, qpdf_oh_get_key(q, qpdf_get_root(q), "/AcroForm"), "/Fields");
    if (qpdf_oh_is_indirect(q, f)) {
        ES_GUARD(idset_add(arrays, qpdf_oh_get_object_id(q, f)));
    }
    return es_pdf_qcheck(d, "pages");
}

/* The indirect /Annots arrays and the pages of the final revision, listed
 * only when a changed array needs them (a walk of the whole page tree). */
struct sets {
    struct idset arrays, pages;
    bool listed;
    es_result err;
};

/* Lists the sets once; false on an error (in s->err). Releases d's qpdf
 * handles: the caller fetches its own again. */
static bool sets_listed(struct es_pdf_doc *d, struct sets *s)
{
    if (!s->listed) {
        s->listed = true;
        s->err = list_arrays(d, &s->arrays, &s->pages);
    }
    return es_is_ok(s->err);
}

/* Whether object `id` (o, of the final revision) is a page: from the list
 * when there is one, else by climbing its /Parent chain to the root, which
 * resolves only that path (a page whose /Parent lies is no page here, so
 * its change counts as content: the stricter reading). */
static bool is_page(struct es_pdf_doc *d, const struct sets *s, int id, qpdf_oh o)
{
    if (s->listed) {
        return in_set(&s->pages, id);
    }
    return es_pdf_page_index(d, o) >= 0;
}

/* True when every entry of array a2 (final revision) that is not in a1 (the
 * signed revision) is a signature widget: signing, allowed by DocMDP /P 2. */
static bool only_sig_widgets_added(qpdf_data q1, qpdf_oh a1, qpdf_data q2, qpdf_oh a2)
{
    int n1 = qpdf_oh_is_array(q1, a1) ? qpdf_oh_get_array_n_items(q1, a1) : 0;
    int n2 = qpdf_oh_is_array(q2, a2) ? qpdf_oh_get_array_n_items(q2, a2) : 0;
    for (int i = 0; i < n2 && i < 10000; i++) {
        qpdf_oh w = qpdf_oh_get_array_item(q2, a2, i);
        int id = qpdf_oh_get_object_id(q2, w);
        bool old = false;
        for (int k = 0; k < n1 && !old && id; k++) {
            old = qpdf_oh_get_object_id(q1, qpdf_oh_get_array_item(q1, a1, k)) == id;
        }
        if (old) {
            continue;
        }
        qpdf_oh parent = qpdf_oh_get_key(q2, w, "/Parent");
        if (!qpdf_oh_is_name_and_equals(q2, qpdf_oh_get_key(q2, w, "/FT"), "/Sig") &&
            !qpdf_oh_is_name_and_equals(q2, qpdf_oh_get_key(q2, parent, "/FT"), "/Sig")) {
            return false;
        }
    }
    return true;
}

static const char *const PAGE_OK[] = {"/Annots", NULL};
static const char *const ROOT_OK[] = {"/AcroForm", "/DSS", "/Perms", NULL};
static const char *const FORM_OK[] = {"/Fields", "/SigFlags", "/DR", "/DA", "/NeedAppearances",
                                      NULL};
static const char *const FIELD_OK[] = {"/V", "/AS", "/AP", "/MK", "/Kids", NULL};

static void classify(struct es_pdf_doc *d, qpdf_data q1, int id, struct sets *sets,
                     const struct es_pdf_sig *sig, struct es_pdf_changes *c)
{
    qpdf_data q2 = d->q;
    qpdf_oh o2 = qpdf_get_object_by_id(q2, id, 0);
    qpdf_oh o1 = qpdf_get_object_by_id(q1, id, 0);
    bool mine = id == sig->sig_id || id == sig->field_id || id == sig->widget_id;
    if (qpdf_oh_is_null(q1, o1)) {
        c->n_new++;
        if (has_name(q2, o2, "/Type", "/Sig") || has_name(q2, o2, "/FT", "/Sig")) {
            c->n_sig++;
        } else if (has_name(q2, o2, "/Type", "/Annot")) {
            c->n_annot++;
        }
        return;
    }
    bool s1 = qpdf_oh_is_stream(q1, o1), s2 = qpdf_oh_is_stream(q2, o2);
    if (s1 == s2 && same_val(q1, o1, q2, o2, NULL) && (!s1 || same_stream(q1, o1, q2, o2))) {
        return; /* written again, unchanged */
    }
    char what[64] = "";
    if (mine) {
        c->stamp_changed = true;
        note(c->stamp, sizeof(c->stamp), "%sobject %d (%s) changed", id,
             id == sig->sig_id ? "signature dictionary" : "field/widget");
        return;
    }
    if (qpdf_oh_is_null(q2, o2)) {
        c->n_content++;
        note(c->content, sizeof(c->content), "%sobject %d %s", id, "deleted");
        return;
    }
    if (qpdf_oh_is_array(q2, o2)) {
        if (!sets_listed(d, sets)) {
            return; /* the caller reports sets->err */
        }
        o2 = qpdf_get_object_by_id(q2, id, 0);
    }
    if (sets->listed && in_set(&sets->arrays, id) && qpdf_oh_is_array(q2, o2)) {
        if (only_sig_widgets_added(q1, o1, q2, o2)) {
            c->n_sig++;
        } else {
            c->n_annot++;
        }
        return;
    }
    bool dict = qpdf_oh_is_dictionary(q1, o1) && qpdf_oh_is_dictionary(q2, o2) && !s1 && !s2;
    if (dict && is_page(d, sets, id, o2)) {
        if (other_keys_differ(q1, o1, q2, o2, PAGE_OK, what, sizeof(what))) {
            c->n_content++;
            note(c->content, sizeof(c->content), "%spage object %d: %s changed", id, what);
        } else if (only_sig_widgets_added(q1, qpdf_oh_get_key(q1, o1, "/Annots"), q2,
                                          qpdf_oh_get_key(q2, o2, "/Annots"))) {
            c->n_sig++;
        } else {
            c->n_annot++;
        }
        return;
    }
    int root = qpdf_oh_get_object_id(q2, qpdf_get_root(q2));
    int form = qpdf_oh_get_object_id(q2, qpdf_oh_get_key(q2, qpdf_get_root(q2), "/AcroForm"));
    if (dict && (id == root || id == form)) {
        if (other_keys_differ(q1, o1, q2, o2, id == root ? ROOT_OK : FORM_OK, what,
                              sizeof(what))) {
            c->n_content++;
            note(c->content, sizeof(c->content), "%sobject %d: %s changed", id, what);
        } else {
            c->n_form++;
        }
        return;
    }
    bool field = dict && (qpdf_oh_has_key(q1, o1, "/FT") || qpdf_oh_has_key(q1, o1, "/T") ||
                          has_name(q1, o1, "/Subtype", "/Widget"));
    if (field) {
        if (other_keys_differ(q1, o1, q2, o2, FIELD_OK, what, sizeof(what))) {
            c->n_annot++; /* a field moved or restyled */
        } else {
            c->n_form++;
        }
        if (!same_val(q1, o1, q2, o2, "/V") && !has_name(q1, o1, "/FT", "/Sig")) {
            c->locked_field_changed = true;
            note(c->locked, sizeof(c->locked), "%sfield object %d: %s changed", id, "/V");
        }
        return;
    }
    if (dict && has_name(q1, o1, "/Type", "/Annot")) {
        c->n_annot++;
        return;
    }
    c->n_content++;
    note(c->content, sizeof(c->content), "%sobject %d (%s) changed", id,
         s1 ? "a stream" : qpdf_oh_get_type_name(q1, o1));
}

/* A signature dictionary of d that pdf_sigdict.c read: a dictionary (no
 * object stream, no xref stream), which qpdf need not parse with its
 * ~100 KiB of hex to learn that. */
static bool plain_sig(const struct es_pdf_doc *d, int id)
{
    for (size_t i = 0; i < d->n_plain_sigs; i++) {
        if (d->plain_sigs[i] == id) {
            return true;
        }
    }
    return false;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

es_result es_pdf_diff(struct es_pdf_doc *d, size_t end, const struct es_pdf_sig *sig,
                      struct es_pdf_changes *out)
{
    memset(out, 0, sizeof(*out));
    struct idset ids = {0};
    struct sets sets;
    memset(&sets, 0, sizeof(sets));
    struct es_pdf_doc *e = NULL;
    es_result res = es_pdf_open_prefix(d, end, &e);
    if (es_is_err(res)) {
        es_error_prefix("the signed revision (bytes 0-%zu) cannot be read on its own: ", end);
        return res;
    }
    ES_GUARD_GOTO(scan_headers(d->p, end, d->n, &ids));
    size_t n_direct = ids.n;
    for (size_t i = 0; i < n_direct; i++) {
        if (plain_sig(d, ids.v[i])) {
            continue;
        }
        qpdf_oh o = qpdf_get_object_by_id(d->q, ids.v[i], 0);
        if (qpdf_oh_is_stream(d->q, o) && has_name(d->q, o, "/Type", "/ObjStm")) {
            ES_GUARD_GOTO(objstm_members(d, o, &ids));
        }
    }
    ES_GUARD_GOTO(es_pdf_qcheck(d, "later revisions"));
    if (ids.n) {
        qsort(ids.v, ids.n, sizeof(*ids.v), cmp_int);
    }
    for (size_t i = 0; i < ids.n; i++) {
        bool dup = i > 0 && ids.v[i - 1] == ids.v[i];
        if (!dup && plain_sig(d, ids.v[i]) &&
            qpdf_oh_is_null(e->q, qpdf_get_object_by_id(e->q, ids.v[i], 0))) {
            out->n_new++; /* a later signature's dictionary, as classify counts it */
            out->n_sig++;
            continue;
        }
        qpdf_oh o = qpdf_get_object_by_id(d->q, ids.v[i], 0);
        if (dup || has_name(d->q, o, "/Type", "/ObjStm") || has_name(d->q, o, "/Type", "/XRef")) {
            continue;
        }
        classify(d, e->q, ids.v[i], &sets, sig, out);
        ES_GUARD_GOTO(sets.err);
        qpdf_oh_release_all(d->q);
        qpdf_oh_release_all(e->q);
    }
    /* errors while comparing are content we could not read: say so */
    if (qpdf_has_error(d->q) || qpdf_has_error(e->q)) {
        out->n_content++;
        note(out->content, sizeof(out->content), "%sobject %d: %s", 0,
             "unreadable in a later revision");
        if (qpdf_has_error(d->q)) {
            (void)qpdf_get_error(d->q);
        }
        if (qpdf_has_error(e->q)) {
            (void)qpdf_get_error(e->q);
        }
    }
out:
    es_free(ids.v);
    es_free(sets.arrays.v);
    es_free(sets.pages.v);
    if (es_is_err(res)) {
        es_pdf_drop_prefix(d, e);
    }
    return res;
}
