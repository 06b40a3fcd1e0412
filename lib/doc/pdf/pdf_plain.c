/*
 * lib/doc/pdf/pdf_plain.c - verification's reading of a plain PDF without
 * qpdf: qpdf_read (its whole cross-reference) and qpdf's object model cost
 * more than the SM2 verification of a seal, and a plain sealed file needs
 * only a handful of objects: the trailer's /Root, the catalog's /AcroForm
 * /Fields and /Pages (/Count, the path to the first page), the signature
 * fields and their widgets (/T /FT /V /Kids /Lock /Subtype /Rect /P), and
 * the page of each widget by climbing /Parent (as es_pdf_page_index).
 *
 * Plain means: the header at offset 0, startxref in the last KiB, a chain
 * of classic xref tables going backwards through /Prev (no stream, no
 * /XRefStm, no /Encrypt), every entry of every table in the 20-byte form,
 * every object read here a direct value of the tokens pdf_sigdict.c reads
 * exactly as qpdf does, ended by endobj (no stream); no earlier revision
 * with a /ByteRange (those need qpdf to compare revisions), and every
 * signature ending in the last revision. Anything else (a reference that
 * cannot be resolved, a repeated key, a null, a hex or non-ASCII /T, a
 * type other than expected, any limit reached) answers "not done" and the
 * caller opens the file with qpdf: this reader only ever decides for files
 * on which both would agree; tests/unit/pdf/pdf_plain_test.c compares the
 * two reports over built and mutated files. Work is bounded: the bytes of
 * objects read (twice the file), the field count and depth, the page-tree
 * depth, as in the qpdf path.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"

struct plain {
    struct es_pdf_doc *d;
    size_t budget;         /* bytes still to be read: objects, xref sections */
    size_t n_sub;          /* xref subsections in the chain (each lookup reads them) */
    size_t visited;        /* form fields walked */
    struct es_pdf_sig *v;
    size_t n, cap;
};

/* A value: where its first byte is, and its object number (0: direct). */
struct pv {
    size_t off;
    int id;
};

static bool eol_ws(uint8_t c) { return c == ' ' || c == '\r' || c == '\n' || c == '\t'; }

/* ---- the cross-reference ---- */

/* One xref table's entries at c (after "xref"), up to "trailer" (consumed).
 * *max_end: one past the highest object number listed. */
static bool table_ok(const struct es_pdf_doc *d, struct es_pdf_cur *c, uint64_t *max_end,
                     size_t *n_sub)
{
    for (;;) {
        while (c->i < c->n && eol_ws(c->p[c->i])) {
            c->i++; /* whitespace only: no comment inside a table */
        }
        if (es_pdf_at(c, "trailer")) {
            c->i += 7;
            return true;
        }
        uint64_t first = 0, count = 0;
        ++*n_sub;
        if (!es_pdf_uint_tok(c, &first) || c->i >= c->n || c->p[c->i++] != ' ' ||
            !es_pdf_uint_tok(c, &count) || first > d->lim.max_objects ||
            count > (d->n - c->i) / 20) {
            return false;
        }
        while (c->i < c->n && c->p[c->i] == ' ') {
            c->i++;
        }
        if (c->i >= c->n || (c->p[c->i] != '\r' && c->p[c->i] != '\n')) {
            return false;
        }
        c->i += c->p[c->i] == '\r' && c->i + 1 < c->n && c->p[c->i + 1] == '\n' ? 2 : 1;
        for (uint64_t k = 0; k < count; k++) {
            const uint8_t *e = c->p + c->i + k * 20;
            struct es_pdf_cur ec = {e, 0, 20};
            uint64_t off = 0, gen = 0;
            bool eol = (e[18] == ' ' && (e[19] == '\r' || e[19] == '\n')) ||
                       (e[18] == '\r' && e[19] == '\n');
            if (!es_pdf_uint_tok(&ec, &off) || ec.i != 10 || e[10] != ' ' ||
                (ec.i++, !es_pdf_uint_tok(&ec, &gen)) || ec.i != 16 || e[16] != ' ' || !eol ||
                (e[17] != 'n' && e[17] != 'f')) {
                return false;
            }
            /* qpdf renumbers a table that starts at 1 with a free entry, and
             * ignores in-use entries it finds impossible */
            if ((e[17] == 'f' && first == 1 && k == 0) ||
                (e[17] == 'n' && (first + k == 0 || first + k > d->n / 20 || gen >= 65535 ||
                                  off < 5 || off >= d->n))) {
                return false;
            }
        }
        c->i += (size_t)count * 20;
        *max_end = first + count > *max_end ? first + count : *max_end;
    }
}

/* The chain of tables from startxref; the newest trailer's /Size into d
 * and its /Root reference into root_id/root_gen. */
static bool chain_ok(struct es_pdf_doc *d, uint64_t *root_id, uint64_t *root_gen,
                     size_t *n_sub)
{
    if (d->xref_stream || d->n < 5 || memcmp(d->p, "%PDF-", 5) != 0) {
        return false;
    }
    /* the startxref qpdf finds: in its last 1054 bytes, an integer after */
    struct es_pdf_cur c = {d->p, d->startxref_at + 9, d->n};
    uint64_t sx = 0;
    es_pdf_skip_ws(&c);
    if (d->startxref_at + 1000 < d->n || !es_pdf_uint_tok(&c, &sx) || sx != d->startxref) {
        return false;
    }
    size_t off = d->startxref;
    uint64_t max_end = 0;
    int64_t size = -1;
    for (size_t hop = 0;; hop++) {
        if (hop >= d->n_rev || d->n - off < 5 || memcmp(d->p + off, "xref", 4) != 0 ||
            !eol_ws(d->p[off + 4])) {
            return false;
        }
        c = (struct es_pdf_cur){d->p, off + 4, d->n};
        if (!table_ok(d, &c, &max_end, n_sub)) {
            return false;
        }
        es_pdf_skip_ws(&c);
        if (!es_pdf_at(&c, "<<")) {
            return false;
        }
        c.i += 2;
        int64_t prev = -1;
        unsigned seen = 0;
        char k[64];
        int r;
        while ((r = es_pdf_dict_key(&c, k, sizeof(k))) != 0) {
            unsigned bit = strcmp(k, "Prev") == 0   ? 1u
                           : strcmp(k, "Size") == 0 ? 2u
                           : strcmp(k, "Root") == 0 ? 4u
                                                    : 0u;
            if (r < 0 || (seen & bit) || strcmp(k, "XRefStm") == 0 ||
                strcmp(k, "Encrypt") == 0) {
                return false;
            }
            seen |= bit;
            struct es_pdf_cur v = c;
            bool ok = es_pdf_skip_value(&c, 1);
            if (bit == 1) {
                ok = ok && es_pdf_int_tok(&v, &prev) && v.i == c.i;
            } else if (bit == 2 && hop == 0) {
                ok = ok && es_pdf_int_tok(&v, &size) && v.i == c.i;
            } else if (bit == 4 && hop == 0) {
                ok = ok && es_pdf_is_ref(&v) && es_pdf_uint_tok(&v, root_id) &&
                     (es_pdf_skip_ws(&v), es_pdf_uint_tok(&v, root_gen));
            }
            if (!ok) {
                return false;
            }
        }
        if (hop == 0 && (!(seen & 4) || size <= 0 || (uint64_t)size > d->lim.max_objects)) {
            return false;
        }
        if (!(seen & 1)) {
            break;
        }
        /* strictly backwards: no loop, at most one table per revision */
        if (prev <= 0 || (uint64_t)prev >= off) {
            return false;
        }
        off = (size_t)prev;
    }
    d->size = size;
    return max_end <= (uint64_t)size;
}

/* ---- objects ---- */

/* Object `id gen`: its value, where the tables say, ended by endobj. */
static bool object(struct plain *pl, uint64_t id, uint64_t gen, struct pv *out)
{
    struct es_pdf_doc *d = pl->d;
    size_t off = 0;
    if (id == 0 || id >= (uint64_t)d->size || id > INT_MAX || gen >= 65535 ||
        !es_pdf_table_offset(d, (int)id, (int)gen, &off)) {
        return false;
    }
    struct es_pdf_cur o = {d->p, off, d->n};
    uint64_t oid = 0, ogen = 0;
    if (!es_pdf_uint_tok(&o, &oid) || oid != id ||
        (es_pdf_skip_ws(&o), !es_pdf_uint_tok(&o, &ogen)) || ogen != gen ||
        (es_pdf_skip_ws(&o), !es_pdf_at(&o, "obj"))) {
        return false;
    }
    o.i += 3;
    es_pdf_skip_ws(&o);
    size_t start = o.i;
    if (es_pdf_is_ref(&o) || es_pdf_at(&o, "null") || !es_pdf_skip_value(&o, 0)) {
        return false;
    }
    es_pdf_skip_ws(&o);
    /* the lookup read every subsection up to the entry, at worst all */
    size_t cost = (o.i - off) + pl->n_sub * 32;
    if (!es_pdf_at(&o, "endobj") || cost > pl->budget) {
        return false; /* a stream, a missing endobj, or too much read */
    }
    pl->budget -= cost;
    *out = (struct pv){start, (int)id};
    return true;
}

/* The value at c, through a reference. */
static bool value(struct plain *pl, struct es_pdf_cur c, struct pv *out)
{
    es_pdf_skip_ws(&c);
    if (c.i >= c.n || es_pdf_at(&c, "null")) {
        return false;
    }
    if (!es_pdf_is_ref(&c)) {
        *out = (struct pv){c.i, 0};
        return true;
    }
    uint64_t id = 0, gen = 0;
    (void)es_pdf_uint_tok(&c, &id);
    es_pdf_skip_ws(&c);
    (void)es_pdf_uint_tok(&c, &gen);
    return object(pl, id, gen, out);
}

static struct es_pdf_cur at_pv(const struct plain *pl, struct pv v)
{
    return (struct es_pdf_cur){pl->d->p, v.off, pl->d->n};
}

/* 'd' dictionary, 'a' array, 'n' name, 's' literal string, 'h' hex
 * string, 'o' other. */
static char kind(const struct plain *pl, struct pv v)
{
    const uint8_t *p = pl->d->p + v.off;
    size_t left = pl->d->n - v.off;
    if (left >= 2 && p[0] == '<' && p[1] == '<') {
        return 'd';
    }
    return p[0] == '<' ? 'h' : p[0] == '(' ? 's' : p[0] == '[' ? 'a' : p[0] == '/' ? 'n' : 'o';
}

/* Where the value of `key` is in dictionary v (unresolved): 1 found, 0
 * absent, -1 not plain (no dictionary, the key twice). */
static int find(const struct plain *pl, struct pv v, const char *key, struct es_pdf_cur *out)
{
    struct es_pdf_cur c = at_pv(pl, v);
    if (kind(pl, v) != 'd') {
        return -1;
    }
    c.i += 2;
    char k[128];
    int r;
    bool found = false;
    while ((r = es_pdf_dict_key(&c, k, sizeof(k))) == 1) {
        if (strcmp(k, key) == 0) {
            if (found) {
                return -1;
            }
            found = true;
            *out = c;
        }
        if (!es_pdf_skip_value(&c, 1)) {
            return -1;
        }
    }
    return r < 0 ? -1 : found;
}

/* The value of `key`, resolved: 1, 0 absent, -1 not plain (a null too). */
static int get(struct plain *pl, struct pv v, const char *key, struct pv *out)
{
    struct es_pdf_cur c;
    int r = find(pl, v, key, &c);
    return r <= 0 ? r : value(pl, c, out) ? 1 : -1;
}

static bool integer(const struct plain *pl, struct pv v, int64_t *out)
{
    struct es_pdf_cur c = at_pv(pl, v);
    return es_pdf_int_tok(&c, out);
}

static bool name(const struct plain *pl, struct pv v, char *out, size_t cap)
{
    struct es_pdf_cur c = at_pv(pl, v);
    return es_pdf_name_tok(&c, out, cap);
}

/* The next array element at a (after '[' or an element): 1 with it in
 * *item, 0 at ']', -1 on anything else. */
static int arr_next(struct es_pdf_cur *a, struct es_pdf_cur *item)
{
    es_pdf_skip_ws(a);
    if (a->i < a->n && a->p[a->i] == ']') {
        return 0;
    }
    *item = *a;
    return es_pdf_skip_value(a, 1) ? 1 : -1;
}

static struct es_pdf_cur arr_begin(const struct plain *pl, struct pv v)
{
    struct es_pdf_cur a = at_pv(pl, v);
    a.i++;
    return a;
}

/* ---- the page tree ---- */

/* As pages_peek and first_path (pdf_doc.c): the root's /Count, the path to
 * the first page without a loop. */
static bool pages(struct plain *pl, struct pv root)
{
    struct es_pdf_doc *d = pl->d;
    struct pv node, count, kids;
    int64_t np = -1;
    if (get(pl, root, "Pages", &node) != 1 || kind(pl, node) != 'd' || node.id <= 0 ||
        get(pl, node, "Count", &count) != 1 || !integer(pl, count, &np) || np < 0 ||
        (uint64_t)np > d->lim.max_pages || np > INT_MAX) {
        return false;
    }
    d->pages_id = node.id;
    d->n_pages = (int)np;
    int seen[ES_PDF_MAX_PAGE_DEPTH];
    for (int depth = 0;; depth++) {
        if (depth >= ES_PDF_MAX_PAGE_DEPTH) {
            return false;
        }
        for (int k = 0; k < depth; k++) {
            if (seen[k] == node.id && node.id != 0) {
                return false;
            }
        }
        seen[depth] = node.id;
        int r = get(pl, node, "Kids", &kids);
        if (r < 0) {
            return false;
        }
        if (r == 0 || kind(pl, kids) != 'a') {
            return true;
        }
        struct es_pdf_cur a = arr_begin(pl, kids), item;
        r = arr_next(&a, &item);
        if (r == 0) {
            return true;
        }
        if (r < 0 || !value(pl, item, &node) || kind(pl, node) != 'd') {
            return false;
        }
    }
}

/* The object number of a reference at c, 0 for a direct value, -1 for
 * one qpdf could not number. */
static int64_t ref_id(struct es_pdf_cur c)
{
    uint64_t id = 0;
    if (!es_pdf_is_ref(&c)) {
        return 0;
    }
    (void)es_pdf_uint_tok(&c, &id);
    return id > INT_MAX ? -1 : (int64_t)id;
}

/* As pages_before (pdf_doc.c); *out -1 when id is no kid of parent. */
static bool pages_before(struct plain *pl, struct pv parent, int id, long long *out)
{
    size_t max = pl->d->lim.max_pages;
    *out = -1;
    struct pv kids, k, c;
    int r = get(pl, parent, "Kids", &kids);
    if (r < 0) {
        return false;
    }
    if (r == 0 || kind(pl, kids) != 'a') {
        return true;
    }
    struct es_pdf_cur a = arr_begin(pl, kids), item;
    long long before = 0;
    for (size_t i = 0; i <= max && (r = arr_next(&a, &item)) == 1; i++) {
        int64_t kid = ref_id(item);
        if (kid < 0) {
            return false;
        }
        if (kid == id) {
            *out = before;
            return true;
        }
        if (!value(pl, item, &k) || kind(pl, k) != 'd') {
            return false;
        }
        int rc = get(pl, k, "Count", &c);
        struct es_pdf_cur kk;
        int rk = find(pl, k, "Kids", &kk);
        if (rc < 0 || rk < 0 || (rk == 1 && !value(pl, kk, &kids))) {
            return false; /* has_key: a /Kids that resolves to null is none */
        }
        int64_t add = 1;
        if (rk == 1 && rc == 1 && !integer(pl, c, &add)) {
            add = 1;
        }
        if (add < 0 || (uint64_t)(before + add) > max) {
            return true;
        }
        before += add;
    }
    return r >= 0;
}

/* As es_pdf_page_index without the loaded tree; *out -1: none. */
static bool page_index(struct plain *pl, struct pv page, int *out)
{
    struct es_pdf_doc *d = pl->d;
    *out = -1;
    struct pv t;
    int r = get(pl, page, "Kids", &t);
    if (r < 0) {
        return false;
    }
    if (page.id <= 0 || r == 1) {
        return true;
    }
    long long index = 0;
    struct pv node = page;
    for (int depth = 0; depth < ES_PDF_MAX_PAGE_DEPTH; depth++) {
        if (node.id == d->pages_id) {
            *out = index < d->n_pages ? (int)index : -1;
            return true;
        }
        struct pv parent;
        r = get(pl, node, "Parent", &parent);
        if (r < 0) {
            return false;
        }
        if (node.id <= 0 || r == 0 || kind(pl, parent) != 'd') {
            return true;
        }
        long long before = -1;
        if (!pages_before(pl, parent, node.id, &before)) {
            return false;
        }
        if (before < 0) {
            return true;
        }
        index += before;
        node = parent;
    }
    return true;
}

/* ---- the fields ---- */

/* As read_rect (pdf_fields.c). */
static bool rect(struct plain *pl, struct pv w, struct es_pdf_sig *s)
{
    struct pv ra, it[4];
    int r = get(pl, w, "Rect", &ra);
    if (r <= 0 || kind(pl, ra) != 'a') {
        return r >= 0;
    }
    struct es_pdf_cur a = arr_begin(pl, ra), item;
    int n = 0;
    while ((r = arr_next(&a, &item)) == 1) {
        if (n == 4) {
            return true; /* not 4 numbers: no rectangle */
        }
        if (!value(pl, item, &it[n++])) {
            return false;
        }
    }
    if (r < 0) {
        return false;
    }
    if (n != 4) {
        return true;
    }
    for (int i = 0; i < 4; i++) {
        struct es_pdf_cur c = at_pv(pl, it[i]);
        if (!es_pdf_num_tok(&c, &s->rect[i])) {
            return true;
        }
    }
    es_pdf_rect_norm(s->rect);
    s->has_rect = true;
    return true;
}

static bool widget(struct plain *pl, struct pv w, struct es_pdf_sig *s)
{
    if (++s->n_widgets > 1) {
        return true;
    }
    s->widget_id = w.id;
    if (!rect(pl, w, s)) {
        return false;
    }
    s->page = -1;
    struct pv p;
    int r = get(pl, w, "P", &p);
    return r == 0 || (r == 1 && (kind(pl, p) != 'd' || page_index(pl, p, &s->page)));
}

/* 1: /Subtype /Widget; 0: not; -1 not plain. */
static int is_widget(struct plain *pl, struct pv f)
{
    struct pv st;
    char nm[16];
    int r = get(pl, f, "Subtype", &st);
    if (r <= 0 || kind(pl, st) != 'n') {
        return r;
    }
    return !name(pl, st, nm, sizeof(nm)) ? 0 : strcmp(nm, "Widget") == 0;
}

/* As read_field (pdf_fields.c): the lock and the widgets. */
static bool field(struct plain *pl, struct pv f, struct es_pdf_sig *s)
{
    struct pv lock, p, kids, k;
    int r = get(pl, f, "Lock", &lock);
    if (r < 0) {
        return false;
    }
    if (r == 1 && kind(pl, lock) == 'd') {
        s->fieldmdp = true;
        int64_t lp = 0;
        r = get(pl, lock, "P", &p);
        if (r < 0) {
            return false;
        }
        if (r == 1 && !integer(pl, p, &lp)) {
            lp = 0;
        }
        s->lock_p = lp >= 1 && lp <= 3 ? (int)lp : 0;
    }
    int w = is_widget(pl, f);
    if (w < 0 || (w == 1 && !widget(pl, f, s))) {
        return false;
    }
    r = get(pl, f, "Kids", &kids);
    if (r <= 0 || kind(pl, kids) != 'a') {
        return r >= 0;
    }
    struct es_pdf_cur a = arr_begin(pl, kids), item;
    for (int i = 0; i < 1000 && (r = arr_next(&a, &item)) == 1; i++) {
        if (!value(pl, item, &k) || kind(pl, k) != 'd' || (w = is_widget(pl, k)) < 0 ||
            (w == 1 && !widget(pl, k, s))) {
            return false;
        }
    }
    return r >= 0;
}

/* A literal string of printable ASCII (what qpdf's UTF-8 value keeps as
 * it is) into out. */
static bool ascii_text(const struct plain *pl, struct pv v, char *out, size_t cap)
{
    struct es_pdf_cur c = at_pv(pl, v);
    if (!es_pdf_lit_string(&c, out, cap)) {
        return false;
    }
    size_t l = strlen(out);
    for (size_t i = 0; i < l; i++) {
        if ((uint8_t)out[i] < 0x20 || (uint8_t)out[i] > 0x7e) {
            return false;
        }
    }
    return l + 1 < cap;
}

/* As read_sig (pdf_fields.c) for a /V that is a reference the signature
 * dictionary reader takes; *out_sig false: the field is walked on. */
static bool sig(struct plain *pl, struct pv f, const char *nm, bool *out_sig)
{
    struct es_pdf_doc *d = pl->d;
    struct es_pdf_cur c;
    *out_sig = false;
    int r = find(pl, f, "V", &c);
    if (r <= 0) {
        return r == 0;
    }
    es_pdf_skip_ws(&c);
    if (!es_pdf_is_ref(&c)) {
        /* a direct value: a dictionary is read by qpdf, anything else is no
         * signature */
        struct pv v;
        return value(pl, c, &v) && kind(pl, v) != 'd';
    }
    uint64_t id = 0, gen = 0;
    (void)es_pdf_uint_tok(&c, &id);
    es_pdf_skip_ws(&c);
    (void)es_pdf_uint_tok(&c, &gen);
    if (id > INT_MAX || gen >= 65535) {
        return false;
    }
    if (pl->n == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 8;
        struct es_pdf_sig *nv = es_realloc(pl->v, cap * sizeof(*nv));
        if (!nv) {
            return false;
        }
        pl->v = nv;
        pl->cap = cap;
    }
    struct es_pdf_sig *s = &pl->v[pl->n];
    memset(s, 0, sizeof(*s));
    s->page = -1;
    s->rev_end = d->n;
    snprintf(s->name, sizeof(s->name), "%s", nm);
    s->field_id = f.id;
    s->sig_id = (int)id;
    bool done = false;
    es_result res = es_pdf_sigdict_fast(d, (int)id, (int)gen, nm, s, &done);
    if (es_is_err(res) || !done) {
        es_error_clear();
        return false;
    }
    /* the dictionary was read: its /Contents counts against the budget (a
     * thousand fields naming one large dictionary) */
    size_t cost = s->hex_end - s->hex_off + pl->n_sub * 32;
    if (cost > pl->budget) {
        es_free(s->contents);
        return false;
    }
    pl->budget -= cost;
    pl->n++;
    *out_sig = true;
    return field(pl, f, s);
}

/* As walk_field (pdf_fields.c). */
static bool walk(struct plain *pl, struct pv f, const char *parent, const char *ft_in,
                 int depth)
{
    if (depth >= ES_PDF_MAX_FIELD_DEPTH || ++pl->visited > pl->d->lim.max_fields ||
        kind(pl, f) != 'd') {
        return false;
    }
    char nm[128], tv[128], ft[16], ftn[128];
    struct pv t, fv, kids, k;
    int rt = get(pl, f, "T", &t);
    if (rt < 0 || (rt == 1 && kind(pl, t) == 'h')) {
        return false;
    }
    bool has_t = rt == 1 && kind(pl, t) == 's';
    if (has_t) {
        if (!ascii_text(pl, t, tv, sizeof(tv))) {
            return false;
        }
        snprintf(nm, sizeof(nm), "%s%s%.100s", parent, parent[0] ? "." : "", tv);
        es_pdf_utf8_cut(nm);
    } else {
        snprintf(nm, sizeof(nm), "%s", parent);
    }
    ft[0] = '\0';
    int r = get(pl, f, "FT", &fv);
    if (r < 0 || (r == 1 && kind(pl, fv) == 'n' && !name(pl, fv, ftn, sizeof(ftn)))) {
        return false;
    }
    if (r == 1 && kind(pl, fv) == 'n') {
        size_t l = strnlen(ftn, sizeof(ft) - 1); /* cut as name_of cuts */
        memcpy(ft, ftn, l);
        ft[l] = '\0';
    }
    if (!ft[0]) {
        snprintf(ft, sizeof(ft), "%s", ft_in);
    }
    if (strcmp(ft, "Sig") == 0 && has_t) {
        bool is_sig = false;
        if (!sig(pl, f, nm, &is_sig)) {
            return false;
        }
        if (is_sig) {
            return true;
        }
    }
    r = get(pl, f, "Kids", &kids);
    if (r <= 0 || kind(pl, kids) != 'a') {
        return r >= 0;
    }
    struct es_pdf_cur a = arr_begin(pl, kids), item;
    while ((r = arr_next(&a, &item)) == 1) {
        if (!value(pl, item, &k)) {
            return false;
        }
        if (kind(pl, k) != 'd') {
            continue;
        }
        int rk = get(pl, k, "T", &t);
        if (rk < 0 || (rk == 1 && !walk(pl, k, nm, ft, depth + 1))) {
            return false;
        }
    }
    return r == 0;
}

/* Every signature ends in the last revision (nothing to compare). */
static bool all_last(const struct es_pdf_doc *d, const struct es_pdf_sig *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const int64_t *b = v[i].br;
        if (!v[i].br_ok || b[2] < 0 || b[3] < 0 || (uint64_t)b[2] > d->n ||
            (uint64_t)b[3] > d->n) {
            continue; /* check_range fails before the revisions are looked at */
        }
        uint64_t end = (uint64_t)b[2] + (uint64_t)b[3];
        for (size_t r = 0; r + 1 < d->n_rev; r++) {
            if (end >= d->rev_eof[r] && end <= d->rev_end[r]) {
                return false;
            }
        }
    }
    return true;
}

static bool read_plain(struct plain *pl)
{
    struct es_pdf_doc *d = pl->d;
    uint64_t rid = 0, rgen = 0;
    if (!chain_ok(d, &rid, &rgen, &pl->n_sub)) {
        return false;
    }
    /* es_pdf_sigs_all would open an earlier revision holding a ByteRange */
    for (size_t r = 0; r + 1 < d->n_rev; r++) {
        size_t from = r ? d->rev_end[r - 1] : 0;
        if (memmem(d->p + from, d->rev_end[r] - from, "/ByteRange", 10)) {
            return false;
        }
    }
    struct pv root, af, fields, f;
    if (!object(pl, rid, rgen, &root) || kind(pl, root) != 'd' || !pages(pl, root)) {
        return false;
    }
    int r = get(pl, root, "AcroForm", &af);
    if (r <= 0) {
        return r == 0;
    }
    if (kind(pl, af) != 'd' || (r = get(pl, af, "Fields", &fields)) < 0) {
        return false;
    }
    if (r == 0 || kind(pl, fields) != 'a') {
        return true;
    }
    struct es_pdf_cur a = arr_begin(pl, fields), item;
    while ((r = arr_next(&a, &item)) == 1) {
        if (!value(pl, item, &f) || !walk(pl, f, "", "", 0)) {
            return false;
        }
    }
    return r == 0 && all_last(d, pl->v, pl->n);
}

es_result es_pdf_plain_read(struct es_pdf_doc *d, struct es_pdf_sig **out, size_t *out_n,
                            bool *out_done)
{
    *out = NULL;
    *out_n = 0;
    *out_done = false;
    struct plain pl = {d, 2 * d->n + 65536, 0, 0, NULL, 0, 0};
    if (!read_plain(&pl)) {
        es_pdf_sigs_free(pl.v, pl.n);
        d->size = 0;
        d->n_pages = 0;
        d->pages_id = 0;
        return ES_RESULT_OK;
    }
    es_pdf_sigs_sort(pl.v, pl.n);
    *out = pl.v;
    *out_n = pl.n;
    *out_done = true;
    return ES_RESULT_OK;
}
