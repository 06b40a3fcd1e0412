/*
 * fuzz/fuzz_seal_decode.c - seal decoding in both profiles, inspection and
 * seal-only verification on arbitrary bytes.
 * Target functions: es_seal_decode, es_inspect, es_verify_seal, es_detect.
 */
#include "eseal/eseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_ctx *ctx = es_ctx_new();
    for (int prof = 0; prof < 2; prof++) {
        es_ctx_set_profile(ctx, (es_profile)prof);
        es_seal *s = NULL;
        if (es_seal_decode(ctx, data, size, &s) == ES_OK) {
            (void)es_seal_name(s);
            es_seal_free(s);
        }
    }
    char *t = NULL;
    if (es_inspect(ctx, data, size, &t) == ES_OK) {
        es_free(t);
    }
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    if (es_verify_seal(ctx, &o, data, size, &r) == ES_OK) {
        char *j = NULL;
        if (es_report_to_json(ctx, r, &j) == ES_OK) {
            es_free(j);
        }
        es_report_free(r);
    }
    (void)es_detect(data, size, NULL);
    es_ctx_free(ctx);
    return 0;
}
