/*
 * fuzz/fuzz_ts_parse.c - RFC 3161 time-stamp tokens, responses and requests
 * on arbitrary bytes (the [0] timeStamp of every seal signature is one).
 * Target functions: es_ts_verify_token, es_ts_verify_response,
 * es_ts_response_token, es_ts_status_name.
 */
#include "eseal/eseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_ctx *ctx = es_ctx_new();
    es_ts_verify_opts o = {.no_chain = 1};
    es_ts_info info;
    static const uint8_t d[32];
    (void)es_ts_verify_token(ctx, &o, data, size, NULL, 0, d, sizeof(d), &info);
    (void)es_ts_verify_token(ctx, &o, data, size, data, size, NULL, 0, &info);
    (void)es_ts_verify_response(ctx, &o, data, size, NULL, 0, d, sizeof(d), &info);
    es_bytes tok;
    if (es_ts_response_token(ctx, data, size, &tok) == ES_OK) {
        (void)es_ts_verify_token(ctx, &o, tok.ptr, tok.len, NULL, 0, NULL, 0, &info);
    }
    (void)es_ts_status_name(info.status);
    es_ctx_free(ctx);
    return 0;
}
