/*
 * eseal/inspect.h - a readable tree of any seal or signature.
 */
#ifndef ESEAL_INSPECT_H
#define ESEAL_INSPECT_H

#include "eseal/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Describes any DER blob eseal knows (seal v1/v4/v5, SES_Signature, GB/T
 * 35275 SignedData, bare SM2 signature, certificate) as an indented tree
 * with offsets. Unknown structures are shown as a generic TLV tree.
 * OUT (owned, es_free): UTF-8 text. */
ES_API int es_inspect(es_ctx *ctx, const uint8_t *der, size_t len, char **out_text);

/* What a blob is, by structure: "seal", "ses-signature", "gbt35275-signed-data",
 * "sm2-signature", "certificate", "zip" (an OFD package) or "unknown". Static.
 * *out_version (may be NULL) gets 1 or 4 for seals and signatures. */
ES_API const char *es_detect(const uint8_t *data, size_t len, int *out_version);

#ifdef __cplusplus
}
#endif
#endif
