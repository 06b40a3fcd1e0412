/*
 * fuzz/fuzz_sdoc.c - signed JSON envelopes (status answers, tree heads, trust
 * lists) from arbitrary bytes: parsing, the content-versus-tbs check and the
 * accessors; a parsed document must never claim a checked signature.
 * The same bytes are read as the transparency log's JSON forms (a signed
 * tree head, an inclusion proof, a consistency proof, an export).
 * Target functions: es_sdoc_verify, es_sdoc_type, es_sdoc_get_str,
 * es_sdoc_get_int, es_sdoc_signer_cert, es_sdoc_tbs, es_tlog_sth_verify,
 * es_tlog_inclusion_verify_json, es_tlog_consistency_verify_json,
 * es_tlog_export_verify.
 */
#include <stdlib.h>

#include "eseal/eseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_ctx *ctx = es_ctx_new();
    es_sdoc *d = NULL;
    if (ctx && es_sdoc_verify(ctx, data, size, NULL, &d) == ES_OK) {
        if (es_sdoc_signature_checked(d)) {
            abort();
        }
        int64_t v;
        (void)es_sdoc_type(d);
        (void)es_sdoc_get_str(d, "esid");
        (void)es_sdoc_get_int(d, "seq", &v);
        (void)es_sdoc_signer_serial(d);
        es_bytes tbs = es_sdoc_tbs(d);
        if (tbs.len > size) {
            abort(); /* base64 decodes to fewer bytes than it takes */
        }
        es_cert *c = NULL;
        if (es_sdoc_signer_cert(ctx, d, &c) == ES_OK && c) {
            (void)es_sdoc_check_signature(ctx, d, c);
        }
        es_cert_free(c);
    }
    es_sdoc_free(d);
    if (ctx) {
        es_tlog_head h = {.tree_size = 3};
        es_tlog_head h2 = {.tree_size = 7};
        uint64_t n = 0;
        (void)es_tlog_sth_verify(ctx, data, size, NULL, &h);
        h.tree_size = h.tree_size > 1000 ? 1000 : h.tree_size; /* bound the export's work */
        (void)es_tlog_inclusion_verify_json(ctx, data, size, data, size, &h);
        (void)es_tlog_consistency_verify_json(ctx, data, size, &h, &h2);
        (void)es_tlog_export_verify(ctx, data, size, &h, &n);
    }
    es_ctx_free(ctx);
    return 0;
}
