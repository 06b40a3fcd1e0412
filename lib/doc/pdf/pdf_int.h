/*
 * lib/doc/pdf/pdf_int.h - the PDF module's interface to the rest of lib.
 *
 * pdf_doc.c     opening a PDF with qpdf inside the limits, revisions, pages
 * pdf_fields.c  signature fields and their dictionaries over all revisions
 * pdf_diff.c    what the revisions after a signature changed
 * pdf_verify.c  the verification pipeline, one report entry per signature
 * pdf_sigdict.c a signature dictionary read by bounded code of our own
 * pdf_plain.c   verification's reading of a plain file without qpdf
 * pdf_cms.c     dispatch of /Contents to the SES, GB/T 35275 and CMS verifiers
 * pdf_stamp.c   the visible appearance: seal picture as image + form XObject
 * pdf_write.c   the incremental update: objects, xref table or stream
 * pdf_sign.c    the signing procedure
 * qpdf is only used through qpdf-c.h, here and in those files.
 */
#ifndef ES_PDF_INT_H
#define ES_PDF_INT_H

#include <qpdf/qpdf-c.h>
#include <stdlib.h>

#include "base/base.h"
#include "eseal/pdf.h"

#define ES_PDF_MAX_FIELD_DEPTH 32
#define ES_PDF_MAX_PAGE_DEPTH 64 /* page-tree levels followed */
#define ES_PDF_MAX_UPDATE 4096
#define ES_PDF_MAX_PREFIXES 4 /* earlier revisions kept open at once */ /* objects written by one signature */

/* One signature field with a signature value (/V). */
struct es_pdf_sig {
    char name[128];        /* /T, full name with parents joined by '.' */
    int field_id;          /* object number of the field (0: direct) */
    int sig_id;            /* object number of /V (0: direct) */
    int widget_id;         /* first widget annotation (the field itself when merged) */
    int n_widgets;
    int page;              /* 0-based page of the first widget; -1 unknown */
    double rect[4];
    bool has_rect;
    bool br_ok;            /* /ByteRange is an array of 4 integers */
    int64_t br[4];
    uint8_t *contents;     /* decoded /Contents (owned) */
    size_t contents_len;
    bool has_contents;
    size_t hex_off, hex_end; /* where /Contents is written as plain hex (0: unknown) */
    char filter[64], subfilter[64];
    char m[40];            /* /M as written */
    int docmdp_p;          /* /Reference DocMDP /P (0 none) */
    int lock_p;            /* the field's /Lock /P (PDF 2.0; 0 none) */
    bool fieldmdp;         /* /Reference FieldMDP or field /Lock present */
    char fieldmdp_action[16]; /* All, Include, Exclude */
    size_t rev_end;        /* end of the revision it was found in */
};

struct es_pdf_doc {
    const uint8_t *p;      /* the file, borrowed */
    size_t n;
    es_pdf_limits lim;
    qpdf_data q;
    size_t *rev_end;       /* offset just past each %%EOF line, ascending */
    size_t *rev_eof;       /* offset just past each "%%EOF" (before its end of line) */
    size_t n_rev;
    size_t startxref;      /* of the last revision */
    size_t startxref_at;   /* where the keyword "startxref" giving it is */
    bool xref_stream;      /* the last revision's xref is a stream */
    int64_t size;          /* trailer /Size */
    int n_pages;           /* the root's /Count until es_pdf_pages_load */
    bool pages_loaded;     /* qpdf walked the whole page tree */
    int pages_id;          /* object number of the root /Pages */
    int plain_sigs[16];    /* signature dictionaries pdf_sigdict.c read (not qpdf) */
    size_t n_plain_sigs;
    struct es_pdf_doc *prefix[ES_PDF_MAX_PREFIXES]; /* es_pdf_open_prefix, owned */
    size_t n_prefix;
    char version[16];
};

/* Opens pdf[0..len) (borrowed for the doc's lifetime) within the limits.
 * Refuses: no %PDF- header in the first 1 KiB, no %%EOF, a damaged or
 * looping xref (no reconstruction), an encrypted file, a /Count over the
 * page limit, a loop or damage on the path to the first page, any limit.
 * The page tree is not walked (verification needs only the widgets'
 * pages): n_pages is the root's /Count until es_pdf_pages_load. */
ES_RESULT es_pdf_open(struct es_pdf_doc *d, const uint8_t *pdf, size_t len,
                      const es_pdf_limits *lim);
/* What es_pdf_open does before qpdf: limits, header, revisions, startxref
 * (the same errors); d->q stays NULL. */
ES_RESULT es_pdf_scan(struct es_pdf_doc *d, const uint8_t *pdf, size_t len,
                      const es_pdf_limits *lim);
/* Walks the whole page tree with qpdf (refusing loops and non-page leaves)
 * and sets n_pages to the pages found; needed before qpdf_get_page_n.
 * Idempotent. */
ES_RESULT es_pdf_pages_load(struct es_pdf_doc *d);
void es_pdf_close(struct es_pdf_doc *d);
/* The document as it was at the end of an earlier revision (end < d->n),
 * opened once and kept in d (the last ES_PDF_MAX_PREFIXES) until
 * es_pdf_close(d): listing the signatures of every revision and comparing
 * the revisions after a signature read the same prefix without parsing its
 * cross-reference twice. OUT borrowed; es_pdf_drop_prefix after an error on
 * it, so that a failed reading is never reused. */
ES_RESULT es_pdf_open_prefix(struct es_pdf_doc *d, size_t end, struct es_pdf_doc **out);
void es_pdf_drop_prefix(struct es_pdf_doc *d, struct es_pdf_doc *prefix);
/* Buffers qpdf returns (stream data, page content) come from the C
 * library's malloc and go back to its free, not to es_free. */
static inline void es_pdf_qfree(void *p)
{
    void (*const c_free)(void *) = free;
    c_free(p);
}

/* Drops a UTF-8 sequence left incomplete at the end of s by truncation. */
void es_pdf_utf8_cut(char *s);

/* 0-based index of a page object, -1 if it is none of the document's. */
int es_pdf_page_index(struct es_pdf_doc *d, qpdf_oh page);
/* The qpdf error pending on d as an es error naming `what`, or OK. */
ES_RESULT es_pdf_qcheck(struct es_pdf_doc *d, const char *what);

/* The dictionary entries of signature dictionary `id gen` (/Filter,
 * /SubFilter, /M, /ByteRange, /Contents, /Reference) into s, read by our own
 * bounded code when the xref is plain tables and the values are direct
 * (pdf_sigdict.c); *out_done false: qpdf must read it, s untouched.
 * `name` is for the /Contents limit's message. */
ES_RESULT es_pdf_sigdict_fast(struct es_pdf_doc *d, int id, int gen, const char *name,
                              struct es_pdf_sig *s, bool *out_done);

/* A bounded cursor over the file and the tokens of pdf_sigdict.c that
 * pdf_plain.c shares: each answers false (or -1) on anything it does not
 * read exactly as qpdf would, and the caller then leaves the file to qpdf. */
struct es_pdf_cur {
    const uint8_t *p;
    size_t i, n;
};
void es_pdf_skip_ws(struct es_pdf_cur *c);  /* whitespace and comments */
bool es_pdf_at(const struct es_pdf_cur *c, const char *tok);
bool es_pdf_uint_tok(struct es_pdf_cur *c, uint64_t *out);
bool es_pdf_int_tok(struct es_pdf_cur *c, int64_t *out);
/* A number (integer or real); *out (may be NULL) its value. */
bool es_pdf_num_tok(struct es_pdf_cur *c, double *out);
bool es_pdf_name_tok(struct es_pdf_cur *c, char *out, size_t cap);
/* 1: key in k, c at its value; 0: ">>" consumed; -1: anything else. */
int es_pdf_dict_key(struct es_pdf_cur *c, char *k, size_t cap);
bool es_pdf_lit_string(struct es_pdf_cur *c, char *out, size_t cap);
bool es_pdf_is_ref(const struct es_pdf_cur *c);
bool es_pdf_skip_value(struct es_pdf_cur *c, int depth);
/* Where the newest xref table lists `id gen` in use (plain tables only). */
bool es_pdf_table_offset(struct es_pdf_doc *d, int id, int gen, size_t *out);

/* Decodes n pairs of hex digits at h (no whitespace) into out[0..n); false
 * if any byte is no hex digit (pdf_sigdict.c). */
bool es_pdf_hex_decode(const uint8_t *h, size_t n, uint8_t *out);

/* Signature fields of the last revision of d. OUT (owned): es_pdf_sigs_free. */
ES_RESULT es_pdf_sigs_read(struct es_pdf_doc *d, struct es_pdf_sig **out, size_t *out_n);
void es_pdf_sigs_free(struct es_pdf_sig *s, size_t n);
/* Signature fields of every revision, the same signature (same ByteRange
 * and /Contents) once, in revision order. */
ES_RESULT es_pdf_sigs_all(struct es_pdf_doc *d, struct es_pdf_sig **out, size_t *out_n);

/* Orders a /Rect as x0 <= x1, y0 <= y1 (pdf_fields.c). */
void es_pdf_rect_norm(double r[4]);
/* In the order es_pdf_sigs_all gives: by the end of the ByteRange. */
void es_pdf_sigs_sort(struct es_pdf_sig *v, size_t n);

/* The signatures of a plain file (pdf_plain.c) read without qpdf from d
 * as es_pdf_scan left it: *out_done true with what es_pdf_open and
 * es_pdf_sigs_all would give (d's /Size, /Count and root /Pages set, every
 * signature ending in the last revision); false when the file is not
 * plain, and qpdf must read it. OUT (owned): es_pdf_sigs_free. */
ES_RESULT es_pdf_plain_read(struct es_pdf_doc *d, struct es_pdf_sig **out, size_t *out_n,
                            bool *out_done);
/* Verification of pdf[0..len) into a new report *r: through
 * es_pdf_plain_read when `plain` allows and the file is plain (*out_plain,
 * may be NULL, says so), else through qpdf (pdf_verify.c). */
ES_RESULT es_pdf_verify_mem(es_report **r, const es_verify_opts *o, es_profile prof,
                            const es_pdf_limits *lim, const uint8_t *pdf, size_t len,
                            bool plain, bool *out_plain);

/* Length of the DER TLV at p (zero padding after it ignored), 0 if none. */
size_t es_pdf_der_len(const uint8_t *p, size_t n);
/* SM3 over the ByteRange segments (checked to lie inside the file). */
void es_pdf_range_sm3(const uint8_t *p, const int64_t br[4], uint8_t out[32]);

/* What the revisions after `end` changed, relative to the revision that
 * ends at `end`; `sig` is the signature whose stamp must not move. */
struct es_pdf_changes {
    size_t n_new;          /* objects added */
    size_t n_sig;          /* signature fields signed / signatures added */
    size_t n_form;         /* form field values or appearances changed */
    size_t n_annot;        /* annotations added or changed */
    size_t n_content;      /* changes to anything else */
    char content[300];     /* the first content changes, named */
    bool stamp_changed;    /* sig's widget or /V changed or removed */
    char stamp[200];
    bool locked_field_changed; /* a field existing at signing time changed value */
    char locked[200];
};
ES_RESULT es_pdf_diff(struct es_pdf_doc *d, size_t end, const struct es_pdf_sig *sig,
                      struct es_pdf_changes *out);

/* Verifies d into a report (pdf_verify.c). */
ES_RESULT es_pdf_verify_doc(es_report *r, const es_verify_opts *o, es_profile prof,
                            struct es_pdf_doc *d);

/* Verifies one /Contents value (DER, padding removed) into a new entry of
 * r, the data being the ByteRange bytes of the file (pdf_cms.c). */
struct es_entry;
ES_RESULT es_pdf_verify_contents(es_report *r, const es_verify_opts *o, es_profile prof,
                                 const char *id, const struct es_pdf_doc *d,
                                 const struct es_pdf_sig *s, const uint8_t *der, size_t len,
                                 struct es_entry **out);
/* "ses-signature", "gbt35275-signature", "cms-signature" or "unknown". */
const char *es_pdf_contents_kind(const uint8_t *der, size_t len, int *out_version);

/* ---- writing ---- */

/* The incremental update being built: new objects, then the xref. */
struct es_pdf_update {
    struct es_buf out;     /* the original bytes followed by what is appended */
    size_t base;           /* length of the original */
    int next_id;           /* next free object number */
    size_t n_obj;
    int ids[ES_PDF_MAX_UPDATE];
    int gens[ES_PDF_MAX_UPDATE];
    size_t offs[ES_PDF_MAX_UPDATE];
};
ES_RESULT es_pdf_upd_begin(struct es_pdf_update *u, const struct es_pdf_doc *d);
void es_pdf_upd_free(struct es_pdf_update *u);
/* Starts object `id` ("id gen obj\n"); the caller appends its body. */
ES_RESULT es_pdf_upd_obj(struct es_pdf_update *u, int id, int gen);
/* A complete stream object with the given dictionary entries and data. */
ES_RESULT es_pdf_upd_stream(struct es_pdf_update *u, int id, const char *dict,
                            const uint8_t *data, size_t len);
/* Ends the update: xref table or stream (as the original's last one), the
 * trailer with /Prev, /Root, /Info and /ID copied, startxref, %%EOF. */
ES_RESULT es_pdf_upd_finish(struct es_pdf_update *u, struct es_pdf_doc *d);

/* Appearance of a stamp: an image XObject (+ SMask) from the seal picture
 * and one form XObject per widget. Writes the objects into u. */
struct es_pdf_widget {
    int page;               /* 0-based */
    double rect[4];         /* in page space */
    int ap_id;              /* the form XObject written */
};
ES_RESULT es_pdf_stamp_write(struct es_pdf_update *u, struct es_pdf_doc *d,
                             const uint8_t *picture, size_t pic_len, double w_mm,
                             double h_mm, const es_pdf_position *pos, size_t n_pos,
                             struct es_pdf_widget **out, size_t *out_n);

/* A detached SignedData with SM3/SM2 over the ByteRange digest h
 * (pdf_cms_sm2.c). OUT (owned, es_free). */
ES_RESULT es_pdf_sm2_cms(const es_key *key, const es_cert *cert, const uint8_t h[32],
                         int64_t t, uint8_t **out, size_t *out_len);

/* Occurrence `occurrence` (1-based; 0 = all) of a UTF-8 keyword in the
 * page text (pdf_text.c): page and box in user space (x0 y0 x1 y1).
 * ES_ERR_USAGE_ARG when it does not occur. OUT (owned, es_free). */
struct es_pdf_hit {
    int page;
    double box[4];
};
ES_RESULT es_pdf_find_keyword(struct es_pdf_doc *d, const char *keyword, int occurrence,
                              struct es_pdf_hit **out, size_t *out_n);

/* zlib deflate of data into out (appended). */
ES_RESULT es_pdf_deflate(const uint8_t *data, size_t len, struct es_buf *out);

#endif
