/*
 * eseal/verify.h - verifying seals and seal signatures.
 *
 * Checks run in a fixed order, each writing one line to the report:
 *   structure, seal_signature, seal_maker_chain, seal_validity,
 *   signer_binding, signer_chain, data_hash, signature, timestamp,
 *   status_answer (a status answer embedded in the signature, see
 *   eseal/sign.h), trust_list (with opts->trust_list).
 * A seal checked alone gets the first four. An invalid seal or signature is
 * a result (ES_OK and a report saying why), not an error; an error means no
 * verdict could be reached (out of memory, unreadable arguments).
 */
#ifndef ESEAL_VERIFY_H
#define ESEAL_VERIFY_H

#include "eseal/common.h"
#include "eseal/crypto.h"
#include "eseal/report.h"
#include "eseal/trustlist.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct es_verify_opts {
    const es_trust *trust; /* anchors; NULL: chain checks are INDETERMINATE */
    int no_chain;          /* skip the two chain checks: an integrity-and-binding verdict */
    int64_t at;            /* time for checking a seal alone; 0 = now */
    const char *file;      /* name shown in the report; may be NULL */
    /* A verified trust list (eseal/trustlist.h), or NULL. Adds the check
     * trust_list: the seal maker (or its CA) recognised when the seal was
     * made, the signer's CA when it signed; a stale list gives INDETERMINATE.
     * It also vouches for platforms signing embedded status answers. The
     * caller adds the list's certificates to `trust` for the chain checks
     * (es_trustlist_add_to_trust). */
    const es_trustlist *trust_list;
} es_verify_opts;

/* Verifies a seal on its own (maker signature, maker chain, validity at
 * opts->at). OUT (owned): es_report_free. */
ES_API int es_verify_seal(es_ctx *ctx, const es_verify_opts *opts, const uint8_t *seal,
                          size_t seal_len, es_report **out);

/* Verifies a detached SES_Signature over data (data may be NULL: the data
 * hash check is then INDETERMINATE). OUT (owned): es_report_free. */
ES_API int es_verify_detached(es_ctx *ctx, const es_verify_opts *opts, const uint8_t *sig,
                              size_t sig_len, const uint8_t *data, size_t data_len,
                              es_report **out);

#ifdef __cplusplus
}
#endif
#endif
