/*
 * lib/doc/pdf/pdf_doc.c - opening an untrusted PDF: our own bounded scan of
 * the revision markers (%%EOF) and of startxref, then qpdf on the bytes with
 * recovery disabled (a damaged cross-reference is refused, never rebuilt:
 * what a verifier reconstructs is not what the signer hashed), then the
 * trailer /Size and the page tree within the limits.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"

void es_pdf_limits_default(es_pdf_limits *out)
{
    out->max_file_size = (size_t)1024 * 1024 * 1024;
    out->max_objects = 4000000;
    out->max_revisions = 1000;
    out->max_fields = 10000;
    out->max_contents = (size_t)1024 * 1024;
    out->max_pages = 100000;
}

static void limits_fill(es_pdf_limits *l, const es_pdf_limits *in)
{
    es_pdf_limits def;
    es_pdf_limits_default(&def);
    *l = in ? *in : def;
#define DEF_(f) if (!l->f) l->f = def.f
    DEF_(max_file_size);
    DEF_(max_objects);
    DEF_(max_revisions);
    DEF_(max_fields);
    DEF_(max_contents);
    DEF_(max_pages);
#undef DEF_
}

es_result es_pdf_qcheck(struct es_pdf_doc *d, const char *what)
{
    if (!d->q || !qpdf_has_error(d->q)) {
        return ES_RESULT_OK;
    }
    qpdf_error e = qpdf_get_error(d->q);
    const char *msg = e ? qpdf_get_error_full_text(d->q, e) : "unknown error";
    ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE, "PDF %s: %.300s", what, msg);
}

static bool is_eol(uint8_t c) { return c == '\r' || c == '\n'; }

/* Every "%%EOF" followed by an end of line or the end of the file ends a
 * revision; the revision includes that end of line. */
static es_result scan_revisions(struct es_pdf_doc *d)
{
    size_t cap = 16;
    d->rev_end = es_malloc(cap * sizeof(*d->rev_end));
    d->rev_eof = es_malloc(cap * sizeof(*d->rev_eof));
    ES_ENSURE(d->rev_end && d->rev_eof, ES_ERR_NOMEM);
    const uint8_t *p = d->p, *end = d->p + d->n;
    while (p < end) {
        const uint8_t *hit = memmem(p, (size_t)(end - p), "%%EOF", 5);
        if (!hit) {
            break;
        }
        size_t e = (size_t)(hit - d->p) + 5, eof = e;
        p = hit + 5;
        if (e < d->n && !is_eol(d->p[e]) && d->p[e] != ' ') {
            continue; /* "%%EOFx": not a marker */
        }
        while (e < d->n && (d->p[e] == ' ' || d->p[e] == '\t')) {
            e++;
        }
        if (e < d->n && d->p[e] == '\r') {
            e++;
        }
        if (e < d->n && d->p[e] == '\n') {
            e++;
        }
        ES_ENSURE_MSG(d->n_rev < d->lim.max_revisions, ES_ERR_LIMIT_COUNT,
                      "PDF: more than %zu revisions (%%%%EOF markers)", d->lim.max_revisions);
        if (d->n_rev == cap) {
            cap *= 2;
            size_t *nr = es_realloc(d->rev_end, cap * sizeof(*nr));
            ES_ENSURE(nr, ES_ERR_NOMEM);
            d->rev_end = nr;
            nr = es_realloc(d->rev_eof, cap * sizeof(*nr));
            ES_ENSURE(nr, ES_ERR_NOMEM);
            d->rev_eof = nr;
        }
        d->rev_eof[d->n_rev] = eof;
        d->rev_end[d->n_rev++] = e;
    }
    ES_ENSURE_MSG(d->n_rev > 0, ES_ERR_FORMAT_TRUNCATED,
                  "PDF: no %%%%EOF marker: the file is truncated or not a PDF");
    return ES_RESULT_OK;
}

/* The last "startxref N" and what is at N: "xref" (a table) or an object
 * (an xref stream). */
static es_result scan_startxref(struct es_pdf_doc *d)
{
    size_t from = d->n > 2048 ? d->n - 2048 : 0;
    const uint8_t *last = NULL;
    for (const uint8_t *p = d->p + from; p < d->p + d->n;) {
        const uint8_t *hit = memmem(p, (size_t)(d->p + d->n - p), "startxref", 9);
        if (!hit) {
            break;
        }
        last = hit;
        p = hit + 9;
    }
    ES_ENSURE_MSG(last, ES_ERR_FORMAT_STRUCTURE,
                  "PDF: no startxref in the last 2 KiB of the file");
    size_t i = (size_t)(last - d->p) + 9;
    while (i < d->n && (is_eol(d->p[i]) || d->p[i] == ' ')) {
        i++;
    }
    uint64_t v = 0;
    size_t digits = 0;
    while (i < d->n && d->p[i] >= '0' && d->p[i] <= '9' && digits < 12) {
        v = v * 10 + (uint64_t)(d->p[i++] - '0');
        digits++;
    }
    ES_ENSURE_MSG(digits > 0 && v < d->n, ES_ERR_FORMAT_STRUCTURE,
                  "PDF: startxref %llu points past the end of the file (%zu bytes)",
                  (unsigned long long)v, d->n);
    d->startxref = (size_t)v;
    d->startxref_at = (size_t)(last - d->p);
    size_t k = d->startxref;
    while (k < d->n && (is_eol(d->p[k]) || d->p[k] == ' ')) {
        k++;
    }
    d->xref_stream = !(d->n - k >= 4 && memcmp(d->p + k, "xref", 4) == 0);
    return ES_RESULT_OK;
}

static es_result check_header(struct es_pdf_doc *d)
{
    size_t span = d->n < 1024 ? d->n : 1024;
    const uint8_t *h = span >= 5 ? memmem(d->p, span, "%PDF-", 5) : NULL;
    ES_ENSURE_MSG(h, ES_ERR_FORMAT_STRUCTURE, "not a PDF: no %%PDF- header in the first 1 KiB");
    size_t k = 0, i = (size_t)(h - d->p) + 5;
    while (i < d->n && k + 1 < sizeof(d->version) && ((d->p[i] >= '0' && d->p[i] <= '9') ||
                                                      d->p[i] == '.')) {
        d->version[k++] = (char)d->p[i++];
    }
    d->version[k] = '\0';
    return ES_RESULT_OK;
}

/* The page-tree nodes on the way from the root to its first page: a loop
 * (a node met twice) or a path deeper than ES_PDF_MAX_PAGE_DEPTH is refused. */
static es_result first_path(struct es_pdf_doc *d, qpdf_oh node)
{
    qpdf_data q = d->q;
    int seen[ES_PDF_MAX_PAGE_DEPTH];
    for (int depth = 0;; depth++) {
        int id = qpdf_oh_get_object_id(q, node);
        for (int k = 0; k < depth; k++) {
            ES_ENSURE_MSG(seen[k] != id || id == 0, ES_ERR_FORMAT_STRUCTURE,
                          "PDF page tree: object %d is its own ancestor (a loop)", id);
        }
        ES_ENSURE_MSG(depth < ES_PDF_MAX_PAGE_DEPTH, ES_ERR_FORMAT_STRUCTURE,
                      "PDF page tree: deeper than %d levels", ES_PDF_MAX_PAGE_DEPTH);
        seen[depth] = id;
        qpdf_oh kids = qpdf_oh_get_key(q, node, "/Kids");
        if (!qpdf_oh_is_array(q, kids) || qpdf_oh_get_array_n_items(q, kids) == 0) {
            break; /* a leaf (a page) or an empty node */
        }
        node = qpdf_oh_get_array_item(q, kids, 0);
        ES_ENSURE_MSG(qpdf_oh_is_dictionary(q, node), ES_ERR_FORMAT_STRUCTURE,
                      "PDF page tree: a /Kids entry of object %d is not a dictionary", id);
    }
    return es_pdf_qcheck(d, "page tree");
}

/* The page count without walking the tree: the root's /Count (a claim,
 * checked against the limit; the pages a verdict needs are resolved one by
 * one through /Parent, es_pdf_page_index). Without a usable /Count the
 * whole tree is walked. */
static es_result pages_peek(struct es_pdf_doc *d, qpdf_oh root)
{
    qpdf_data q = d->q;
    qpdf_oh pages = qpdf_oh_get_key(q, root, "/Pages");
    ES_GUARD(es_pdf_qcheck(d, "page tree"));
    ES_ENSURE_MSG(qpdf_oh_is_dictionary(q, pages), ES_ERR_FORMAT_STRUCTURE,
                  "PDF page tree: the catalog's /Pages is not a dictionary");
    d->pages_id = qpdf_oh_get_object_id(q, pages);
    qpdf_oh count = qpdf_oh_get_key(q, pages, "/Count");
    if (!qpdf_oh_is_integer(q, count) || qpdf_oh_get_int_value(q, count) < 0) {
        return es_pdf_pages_load(d);
    }
    long long np = qpdf_oh_get_int_value(q, count);
    ES_ENSURE_MSG((uint64_t)np <= d->lim.max_pages && np <= INT_MAX, ES_ERR_LIMIT_COUNT,
                  "PDF: %lld pages, more than the limit of %zu", np, d->lim.max_pages);
    d->n_pages = (int)np;
    return first_path(d, pages);
}

es_result es_pdf_pages_load(struct es_pdf_doc *d)
{
    if (d->pages_loaded) {
        return ES_RESULT_OK;
    }
    /* qpdf walks /Pages refusing loops and non-page leaves */
    int np = qpdf_get_num_pages(d->q);
    ES_GUARD(es_pdf_qcheck(d, "page tree"));
    ES_ENSURE_MSG(np >= 0, ES_ERR_FORMAT_STRUCTURE, "PDF: the page tree cannot be read");
    ES_ENSURE_MSG((size_t)np <= d->lim.max_pages, ES_ERR_LIMIT_COUNT,
                  "PDF: %d pages, more than the limit of %zu", np, d->lim.max_pages);
    d->n_pages = np;
    d->pages_loaded = true;
    return ES_RESULT_OK;
}

es_result es_pdf_scan(struct es_pdf_doc *d, const uint8_t *pdf, size_t len,
                      const es_pdf_limits *lim)
{
    memset(d, 0, sizeof(*d));
    d->p = pdf;
    d->n = len;
    d->n_pages = 0;
    limits_fill(&d->lim, lim);
    ES_ENSURE_REF(pdf);
    ES_ENSURE_MSG(len <= d->lim.max_file_size, ES_ERR_LIMIT_SIZE,
                  "PDF: %zu bytes, more than the limit of %zu", len, d->lim.max_file_size);
    ES_GUARD(check_header(d));
    ES_GUARD(scan_revisions(d));
    ES_GUARD(scan_startxref(d));
    return ES_RESULT_OK;
}

es_result es_pdf_open(struct es_pdf_doc *d, const uint8_t *pdf, size_t len,
                      const es_pdf_limits *lim)
{
    ES_GUARD(es_pdf_scan(d, pdf, len, lim));
    d->q = qpdf_init();
    ES_ENSURE(d->q, ES_ERR_NOMEM);
    qpdf_silence_errors(d->q);
    qpdf_set_suppress_warnings(d->q, QPDF_TRUE);
    qpdf_set_attempt_recovery(d->q, QPDF_FALSE);
    qpdf_read_memory(d->q, "input.pdf", (const char *)pdf, (unsigned long long)len, NULL);
    if (qpdf_has_error(d->q)) {
        qpdf_error e = qpdf_get_error(d->q);
        ES_ENSURE_MSG(!e || qpdf_get_error_code(d->q, e) != qpdf_e_password,
                      ES_ERR_FORMAT_STRUCTURE,
                      "PDF: encrypted documents are not supported (a password is needed)");
        ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE, "PDF cross-reference (damaged, not repaired): %.300s",
                    e ? qpdf_get_error_full_text(d->q, e) : "unknown error");
    }
    ES_ENSURE_MSG(!qpdf_is_encrypted(d->q), ES_ERR_FORMAT_STRUCTURE,
                  "PDF: encrypted documents are not supported");
    qpdf_oh tr = qpdf_get_trailer(d->q);
    qpdf_oh sz = qpdf_oh_get_key(d->q, tr, "/Size");
    d->size = qpdf_oh_is_integer(d->q, sz) ? qpdf_oh_get_int_value(d->q, sz) : -1;
    ES_GUARD(es_pdf_qcheck(d, "trailer"));
    ES_ENSURE_MSG(d->size > 0, ES_ERR_FORMAT_STRUCTURE, "PDF: the trailer has no valid /Size");
    ES_ENSURE_MSG((uint64_t)d->size <= d->lim.max_objects, ES_ERR_LIMIT_COUNT,
                  "PDF: trailer /Size %lld is over the limit of %zu objects",
                  (long long)d->size, d->lim.max_objects);
    qpdf_oh root = qpdf_get_root(d->q);
    ES_GUARD(es_pdf_qcheck(d, "catalog"));
    ES_ENSURE_MSG(qpdf_oh_is_dictionary(d->q, root), ES_ERR_FORMAT_STRUCTURE,
                  "PDF: the trailer's /Root is not a dictionary");
    ES_GUARD(pages_peek(d, root));
    return ES_RESULT_OK;
}

es_result es_pdf_open_prefix(struct es_pdf_doc *d, size_t end, struct es_pdf_doc **out)
{
    *out = NULL;
    ES_ENSURE_MSG(end < d->n, ES_ERR_INTERNAL, "a prefix must be shorter than the file");
    for (size_t i = 0; i < d->n_prefix; i++) {
        if (d->prefix[i]->n == end) {
            *out = d->prefix[i];
            return ES_RESULT_OK;
        }
    }
    if (d->n_prefix == ES_PDF_MAX_PREFIXES) {
        es_pdf_drop_prefix(d, d->prefix[0]);
    }
    struct es_pdf_doc *e = es_malloc(sizeof(*e));
    ES_ENSURE(e, ES_ERR_NOMEM);
    es_result res = es_pdf_open(e, d->p, end, &d->lim);
    if (es_is_err(res)) {
        es_pdf_close(e);
        es_free(e);
        return res;
    }
    d->prefix[d->n_prefix++] = e;
    *out = e;
    return ES_RESULT_OK;
}

void es_pdf_drop_prefix(struct es_pdf_doc *d, struct es_pdf_doc *prefix)
{
    for (size_t i = 0; i < d->n_prefix; i++) {
        if (d->prefix[i] == prefix) {
            es_pdf_close(prefix);
            es_free(prefix);
            memmove(&d->prefix[i], &d->prefix[i + 1], (d->n_prefix - i - 1) * sizeof(*d->prefix));
            d->n_prefix--;
            return;
        }
    }
}

void es_pdf_close(struct es_pdf_doc *d)
{
    while (d->n_prefix) {
        es_pdf_drop_prefix(d, d->prefix[d->n_prefix - 1]);
    }
    if (d->q) {
        qpdf_cleanup(&d->q);
    }
    es_free(d->rev_end);
    es_free(d->rev_eof);
    d->rev_end = NULL;
    d->rev_eof = NULL;
    d->n_rev = 0;
}

size_t es_pdf_der_len(const uint8_t *p, size_t n)
{
    if (n < 2) {
        return 0;
    }
    size_t len = p[1], hdr = 2;
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 4 || n < 2 + k) {
            return 0;
        }
        len = 0;
        for (size_t i = 0; i < k; i++) {
            len = (len << 8) | p[2 + i];
        }
        hdr += k;
    }
    return len <= n - hdr ? hdr + len : 0;
}

void es_pdf_range_sm3(const uint8_t *p, const int64_t br[4], uint8_t out[32])
{
    es_sm3_ctx c;
    es_sm3_init(&c);
    es_sm3_update(&c, p + br[0], (size_t)br[1]);
    es_sm3_update(&c, p + br[2], (size_t)br[3]);
    es_sm3_final(&c, out);
}

/* Position of `node` among the pages under its /Parent: the pages of the
 * kids before it (a /Pages kid counts its /Count). -1 if it is not a kid. */
static long long pages_before(struct es_pdf_doc *d, qpdf_oh parent, int id)
{
    qpdf_data q = d->q;
    qpdf_oh kids = qpdf_oh_get_key(q, parent, "/Kids");
    int nk = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
    long long before = 0;
    for (int i = 0; i < nk && (size_t)i <= d->lim.max_pages; i++) {
        qpdf_oh k = qpdf_oh_get_array_item(q, kids, i);
        if (qpdf_oh_get_object_id(q, k) == id) {
            return before;
        }
        qpdf_oh c = qpdf_oh_get_key(q, k, "/Count");
        bool node = qpdf_oh_has_key(q, k, "/Kids");
        long long add = node && qpdf_oh_is_integer(q, c) ? qpdf_oh_get_int_value(q, c) : 1;
        if (add < 0 || (uint64_t)(before + add) > d->lim.max_pages) {
            return -1;
        }
        before += add;
    }
    return -1;
}

int es_pdf_page_index(struct es_pdf_doc *d, qpdf_oh page)
{
    /* not qpdf_find_page_by_oh: it pushes inherited attributes into every
     * page, and a page written back would then name objects never written */
    int id = qpdf_oh_get_object_id(d->q, page);
    if (d->pages_loaded) {
        for (int i = 0; id > 0 && i < d->n_pages; i++) {
            qpdf_oh p = qpdf_get_page_n(d->q, (size_t)i);
            bool hit = qpdf_oh_get_object_id(d->q, p) == id;
            qpdf_oh_release(d->q, p);
            if (hit) {
                return i;
            }
        }
        return -1;
    }
    /* up the /Parent chain to the root, counting the pages before each node:
     * only the nodes on that path and their kids are resolved */
    qpdf_data q = d->q;
    if (id <= 0 || qpdf_oh_has_key(q, page, "/Kids")) {
        return -1;
    }
    long long index = 0;
    qpdf_oh node = page;
    for (int depth = 0; depth < ES_PDF_MAX_PAGE_DEPTH; depth++) {
        int nid = qpdf_oh_get_object_id(q, node);
        if (nid == d->pages_id) {
            return index < d->n_pages && !qpdf_has_error(q) ? (int)index : -1;
        }
        qpdf_oh parent = qpdf_oh_get_key(q, node, "/Parent");
        if (nid <= 0 || !qpdf_oh_is_dictionary(q, parent)) {
            break;
        }
        long long before = pages_before(d, parent, nid);
        if (before < 0) {
            break;
        }
        index += before;
        node = parent;
    }
    if (qpdf_has_error(q)) {
        (void)qpdf_get_error(q);
    }
    return -1;
}

void es_pdf_utf8_cut(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((uint8_t)s[i - 1] & 0xc0) == 0x80) {
        i--; /* continuation bytes */
    }
    if (i == 0 || (uint8_t)s[i - 1] < 0x80) {
        return;
    }
    uint8_t lead = (uint8_t)s[i - 1];
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (n - (i - 1) < need) {
        s[i - 1] = '\0'; /* the last character was cut short */
    }
}
