/*
 * tests/unit/pdf/pdf_testutil.h - helpers shared by the PDF unit tests
 * (header-only: every tests/unit/X_test.c is its own program): PDFs built
 * from object bodies with a correct xref table, incremental updates
 * appended by hand, signing with the throwaway PKI (the identity helpers
 * of the OFD tests), report lookups.
 */
#ifndef ES_PDF_TESTUTIL_H
#define ES_PDF_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../ofd/ofd_testutil.h" /* t_ident, t_path */
#include "doc/pdf/pdf_int.h"

/* A PDF whose object i+1 has body objs[i]; trailer /Size n+1 /Root 1 0 R
 * plus `trailer_extra`. OUT (owned, es_free). */
static inline uint8_t *t_pdf_build(const char *const *objs, size_t n, const char *trailer_extra,
                                   size_t *out_len)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    size_t offs[64];
    assert_true(n < 64);
    assert_true(es_is_ok(es_buf_printf(&b, "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")));
    for (size_t i = 0; i < n; i++) {
        offs[i] = b.len;
        assert_true(es_is_ok(es_buf_printf(&b, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i])));
    }
    size_t xref = b.len;
    assert_true(es_is_ok(es_buf_printf(&b, "xref\n0 %zu\n0000000000 65535 f\r\n", n + 1)));
    for (size_t i = 0; i < n; i++) {
        assert_true(es_is_ok(es_buf_printf(&b, "%010zu 00000 n\r\n", offs[i])));
    }
    assert_true(es_is_ok(es_buf_printf(&b,
                                       "trailer\n<< /Size %zu /Root 1 0 R %s >>\nstartxref\n%zu\n"
                                       "%%%%EOF\n",
                                       n + 1, trailer_extra ? trailer_extra : "", xref)));
    uint8_t *p = NULL;
    assert_true(es_is_ok(es_buf_take(&b, &p, out_len)));
    es_buf_free(&b);
    return p;
}

/* A plain document of n_pages A4 pages (objects: 1 catalog, 2 pages, 3 font,
 * 4 content "Hello eseal contract", 5.. pages); page i gets `page_extra[i]`
 * in its dictionary and /Pages gets `pages_extra` (NULL: nothing). */
static inline uint8_t *t_pdf_pages(int n_pages, const char *const *page_extra,
                                   const char *pages_extra, size_t *out_len)
{
    static char kids[1024], pages[16][256];
    const char *objs[24];
    assert_true(n_pages >= 1 && n_pages <= 16);
    int o = 0;
    for (int i = 0; i < n_pages; i++) {
        o += snprintf(kids + o, sizeof(kids) - (size_t)o, "%d 0 R ", 5 + i);
        snprintf(pages[i], sizeof(pages[i]),
                 "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 3 0 R "
                 ">> >> %s>>",
                 page_extra && page_extra[i] ? page_extra[i] : "");
        objs[4 + i] = pages[i];
    }
    static char pages_obj[1300];
    snprintf(pages_obj, sizeof(pages_obj),
             "<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 595 842] %s>>", kids, n_pages,
             pages_extra ? pages_extra : "");
    objs[0] = "<< /Type /Catalog /Pages 2 0 R >>";
    objs[1] = pages_obj;
    objs[2] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
    objs[3] = "<< /Length 51 >>\nstream\nBT /F1 24 Tf 72 720 Td (Hello eseal contract) Tj ET\n"
              "endstream";
    return t_pdf_build(objs, 4 + (size_t)n_pages, NULL, out_len);
}

static inline uint8_t *t_pdf_plain(int n_pages, size_t *out_len)
{
    return t_pdf_pages(n_pages, NULL, NULL, out_len);
}

/* The offset of the last startxref value and the trailer /Size of a file. */
static inline size_t t_pdf_startxref(const uint8_t *p, size_t n)
{
    const uint8_t *last = NULL;
    for (const uint8_t *q = p; (q = memmem(q, n - (size_t)(q - p), "startxref", 9)); q += 9) {
        last = q;
    }
    assert_non_null(last);
    return (size_t)strtoul((const char *)last + 10, NULL, 10);
}

/* Appends an incremental update redefining object `id` with `body` (an xref
 * table section). `size` is the new trailer /Size. OUT (owned). */
static inline uint8_t *t_pdf_append(const uint8_t *p, size_t n, int id, const char *body,
                                    int size, size_t *out_len)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    assert_true(es_is_ok(es_buf_append(&b, p, n)));
    size_t off = b.len;
    assert_true(es_is_ok(es_buf_printf(&b, "%d 0 obj\n%s\nendobj\n", id, body)));
    size_t xref = b.len;
    assert_true(es_is_ok(es_buf_printf(&b,
                                       "xref\n%d 1\n%010zu 00000 n\r\ntrailer\n<< /Size %d "
                                       "/Root 1 0 R /Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n",
                                       id, off, size, t_pdf_startxref(p, n), xref)));
    uint8_t *out = NULL;
    assert_true(es_is_ok(es_buf_take(&b, &out, out_len)));
    es_buf_free(&b);
    return out;
}

/* Signs `in` (bytes) into a new buffer; fails the test on error. */
static inline uint8_t *t_pdf_sign(const struct t_ident *id, const uint8_t *in, size_t n,
                                  const es_pdf_position *pos, size_t n_pos, int certify,
                                  size_t *out_len)
{
    const char *ip = t_path("in.pdf"), *op = t_path("out.pdf");
    assert_int_equal(es_file_write(NULL, ip, in, n, 0644), ES_OK);
    es_pdf_sign_params p = {.seal = id->seal,
                            .seal_len = id->seal_len,
                            .key = id->key,
                            .cert = id->cert,
                            .positions = pos,
                            .n_positions = n_pos,
                            .certify = certify};
    es_ctx *ctx = es_ctx_new();
    int rc = es_pdf_sign(ctx, &p, ip, op);
    if (rc != ES_OK) {
        fail_msg("es_pdf_sign: %s", es_ctx_errmsg(ctx));
    }
    es_ctx_free(ctx);
    return t_read_file(op, out_len);
}

static inline es_report *t_pdf_verify(const uint8_t *p, size_t n)
{
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    es_ctx *ctx = es_ctx_new();
    int rc = es_pdf_verify(ctx, &o, NULL, p, n, &r);
    if (rc != ES_OK) {
        fail_msg("es_pdf_verify: %s", es_ctx_errmsg(ctx));
    }
    es_ctx_free(ctx);
    return r;
}

/* Result and reason of check `id` of entry i (ES_CHECK_LAST_ if absent). */
static inline es_check_result t_pcheck(const es_report *r, size_t i, const char *id,
                                      const char **reason)
{
    for (size_t j = 0; j < es_report_check_count(r, i); j++) {
        const char *cid, *rs, *dt;
        es_check_result cr;
        assert_int_equal(es_report_check(r, i, j, &cid, &cr, &rs, &dt), ES_OK);
        if (strcmp(cid, id) == 0) {
            if (reason) {
                *reason = rs;
            }
            return cr;
        }
    }
    return ES_CHECK_LAST_;
}

/* Asserts that check `id` of entry i has result `want` and, when `reason`
 * is not NULL, that reason. */
static inline void t_expect(const es_report *r, size_t i, const char *id, es_check_result want,
                            const char *reason)
{
    const char *why = NULL;
    es_check_result got = t_pcheck(r, i, id, &why);
    if (got != want || (reason && strcmp(why, reason) != 0)) {
        fail_msg("entry %zu check %s: %s %s, expected %s %s", i, id,
                 got == ES_CHECK_LAST_ ? "absent" : es_check_result_name(got), why ? why : "",
                 es_check_result_name(want), reason ? reason : "");
    }
}

/* The trailer /Size of a PDF (the next free object number). */
static inline int t_pdf_size(const uint8_t *p, size_t n)
{
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, p, n, NULL)));
    int size = (int)d.size;
    es_pdf_close(&d);
    return size;
}

/* The signer identity shared by a test program (cmocka group setup). */
static struct t_ident g_id;

static inline int t_setup(void **st)
{
    (void)st;
    t_ident_load(&g_id);
    return 0;
}

static inline int t_teardown(void **st)
{
    (void)st;
    t_ident_free(&g_id);
    return 0;
}

#endif
