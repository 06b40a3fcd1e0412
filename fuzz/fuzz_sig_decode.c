/*
 * fuzz/fuzz_sig_decode.c - SES_Signature decoding and detached verification
 * on arbitrary bytes.
 * Target functions: es_signature_decode, es_verify_detached, es_report_to_text.
 */
#include "eseal/eseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_ctx *ctx = es_ctx_new();
    for (int prof = 0; prof < 2; prof++) {
        es_ctx_set_profile(ctx, (es_profile)prof);
        es_signature *g = NULL;
        if (es_signature_decode(ctx, data, size, &g) == ES_OK) {
            (void)es_signature_property_info(g);
            es_signature_free(g);
        }
    }
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    if (es_verify_detached(ctx, &o, data, size, (const uint8_t *)"x", 1, &r) == ES_OK) {
        char *t = NULL;
        if (es_report_to_text(ctx, r, 1, &t) == ES_OK) {
            es_free(t);
        }
        es_report_free(r);
    }
    es_ctx_free(ctx);
    return 0;
}
