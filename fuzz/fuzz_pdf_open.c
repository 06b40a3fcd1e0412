/*
 * fuzz/fuzz_pdf_open.c - the PDF reader and verifier on arbitrary bytes:
 * our revision and startxref scans, qpdf with recovery off, the limits,
 * the signature fields of every revision, the ByteRange checks, the
 * comparison of later revisions, report rendering, and
 * the keyword search in page text (content operators, /ToUnicode CMaps).
 * Target functions: es_pdf_verify, es_pdf_list, es_report_to_json,
 * es_report_to_text, es_pdf_find_keyword.
 */
#include <string.h>

#include "doc/pdf/pdf_int.h"
#include "eseal/eseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* small limits keep each run fast; the checks are the same */
    es_pdf_limits lim = {.max_objects = 100000,
                         .max_revisions = 32,
                         .max_fields = 256,
                         .max_contents = 64 * 1024,
                         .max_pages = 1000};
    es_ctx *ctx = es_ctx_new();
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    if (es_pdf_verify(ctx, &o, &lim, data, size, &r) == ES_OK) {
        char *t = NULL;
        if (es_report_to_json(ctx, r, &t) == ES_OK) {
            es_free(t);
        }
        if (es_report_to_text(ctx, r, 0, &t) == ES_OK) {
            es_free(t);
        }
        es_report_free(r);
    }
    char *text = NULL;
    if (es_pdf_list(ctx, &lim, data, size, &text) == ES_OK) {
        es_free(text);
    }
    struct es_pdf_doc d;
    if (es_is_ok(es_pdf_open(&d, data, size, &lim))) {
        struct es_pdf_hit *h = NULL;
        size_t nh = 0;
        if (es_is_ok(es_pdf_find_keyword(&d, "合同", 0, &h, &nh))) {
            es_free(h);
        }
    }
    es_pdf_close(&d);
    es_error_clear();
    es_ctx_free(ctx);
    return 0;
}
