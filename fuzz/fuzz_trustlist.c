/*
 * fuzz/fuzz_trustlist.c - trust lists from arbitrary bytes: the envelope,
 * the content (entries, histories, certificates), the rotation chain walk
 * and the status queries. A list read without a signer must never claim to
 * be verified.
 * Target functions: es_trustlist_read, es_trustlist_verify,
 * es_trustlist_status_at, es_trustlist_find_platform.
 */
#include <stdlib.h>

#include "eseal/eseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_ctx *ctx = es_ctx_new();
    es_trustlist *tl = NULL;
    if (!ctx) {
        return 0;
    }
    if (es_trustlist_read(ctx, data, size, 1, &tl) == ES_OK) {
        if (es_trustlist_verified(tl)) {
            abort();
        }
        const es_cert *signer = es_trustlist_signer(tl);
        for (size_t i = 0; i < es_trustlist_count(tl); i++) {
            const es_cert *c = NULL;
            es_tl_kind k;
            if (es_trustlist_entry(tl, i, &k, NULL, &c, NULL, NULL) == ES_OK) {
                (void)es_trustlist_status_at(tl, k, c, 0, 0, NULL, NULL);
                (void)es_trustlist_status_at(tl, ES_TL_CA, c, 1, INT64_MAX, NULL, NULL);
                (void)es_trustlist_find_platform(tl, es_cert_serial_hex(c));
            }
        }
        if (signer) {
            /* the claimed signer trusted: walks the signature and any chain */
            es_cert *s = es_cert_dup(signer);
            const es_cert *ss[] = {s};
            es_trustlist *v = NULL;
            (void)es_trustlist_verify(ctx, data, size, ss, 1, 1, &v);
            es_trustlist_free(v);
            es_cert_free(s);
        }
    }
    es_trustlist_free(tl);
    es_ctx_free(ctx);
    return 0;
}
