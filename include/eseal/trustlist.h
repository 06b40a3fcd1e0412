/*
 * eseal/trustlist.h - trust lists: the signed, machine-readable list of the
 * seal makers, certification authorities, time-stamp services and platform
 * status endpoints that a region recognises, each with its status history.
 * Format and design: docs/trustlist.md.
 *
 * A list is a signed JSON envelope (eseal/sdoc.h) whose content has type
 * "eseal-trustlist/1". Its signer is a certificate the reader trusts, or is
 * reached from one by a chain of rotation statements, each signed by the
 * key it replaces (content type "eseal-trustlist-rotation/1").
 *
 * Reading a list never trusts it: es_trustlist_verify checks the signer
 * against the reader's list-signer certificates. A list past its next
 * update is still returned, marked stale; a verifier then gives
 * INDETERMINATE for what it would have decided from the list.
 */
#ifndef ESEAL_TRUSTLIST_H
#define ESEAL_TRUSTLIST_H

#include "eseal/common.h"
#include "eseal/crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ES_TRUSTLIST_TYPE "eseal-trustlist/1"
#define ES_TRUSTLIST_ROTATION_TYPE "eseal-trustlist-rotation/1"
/* Limits: entries per list, history periods per entry, rotation statements. */
#define ES_TRUSTLIST_MAX_ENTRIES 10000
#define ES_TRUSTLIST_MAX_HISTORY 64
#define ES_TRUSTLIST_MAX_ROTATIONS 16

typedef struct es_trustlist es_trustlist;

typedef enum es_tl_kind {
    ES_TL_MAKER = 0,    /* "maker": a seal maker's certificate */
    ES_TL_CA = 1,       /* "ca": a certification authority */
    ES_TL_TSA = 2,      /* "tsa": a time-stamp authority */
    ES_TL_PLATFORM = 3, /* "platform": an eseald status endpoint (node id, URL) */
    ES_TL_KIND_LAST_    /* never use */
} es_tl_kind;

typedef enum es_tl_status {
    ES_TL_NOT_LISTED = 0, /* the list does not name it */
    ES_TL_RECOGNISED = 1, /* recognised at the time asked */
    ES_TL_WITHDRAWN = 2,  /* withdrawn at or before the time asked */
    ES_TL_NOT_YET = 3,    /* listed, but recognised only after the time asked */
    ES_TL_STATUS_LAST_    /* never use */
} es_tl_status;

/* "maker", "ca", "tsa", "platform" / "not-listed", "recognised",
 * "withdrawn", "not-yet-recognised". Static. */
ES_API const char *es_tl_kind_name(es_tl_kind k);
ES_API const char *es_tl_status_name(es_tl_status s);

/* Reads and checks a signed list. `signers` are the list-signer
 * certificates the reader trusts (at least one). The list's signer_cert
 * must be one of them, or be reached from one by the list's rotation chain;
 * the envelope signature must verify with it. `now` (0 = the current time)
 * decides staleness. Returns ES_OK; ES_ERR_CRYPTO_SIGNATURE when the
 * signature, the signer or a rotation statement fails (the message says
 * which); ES_ERR_FORMAT_* for a malformed list (naming the entry and field);
 * ES_ERR_LIMIT_COUNT beyond the limits above. OUT (owned): es_trustlist_free. */
ES_API int es_trustlist_verify(es_ctx *ctx, const uint8_t *data, size_t len,
                               const es_cert *const *signers, size_t n_signers, int64_t now,
                               es_trustlist **out);
/* Reads a signed list without checking who signed it (for inspection only:
 * es_trustlist_verified() is then 0). */
ES_API int es_trustlist_read(es_ctx *ctx, const uint8_t *data, size_t len, int64_t now,
                             es_trustlist **out);
ES_API void es_trustlist_free(es_trustlist *tl);

ES_API int es_trustlist_verified(const es_trustlist *tl);
ES_API int es_trustlist_is_stale(const es_trustlist *tl);
ES_API const char *es_trustlist_region(const es_trustlist *tl);
ES_API int64_t es_trustlist_seq(const es_trustlist *tl);
ES_API int64_t es_trustlist_issued(const es_trustlist *tl);
ES_API int64_t es_trustlist_next_update(const es_trustlist *tl);
/* The certificate that signed the list (borrowed) and the number of
 * rotation statements between the reader's signer and it. */
ES_API const es_cert *es_trustlist_signer(const es_trustlist *tl);
ES_API size_t es_trustlist_rotations(const es_trustlist *tl);

/* Entries, in list order. Strings and certificate borrowed; node and url
 * are NULL except for platforms. ES_ERR_USAGE_ARG when i is out of range. */
ES_API size_t es_trustlist_count(const es_trustlist *tl);
ES_API int es_trustlist_entry(const es_trustlist *tl, size_t i, es_tl_kind *out_kind,
                              const char **out_name, const es_cert **out_cert,
                              const char **out_node, const char **out_url);
ES_API size_t es_trustlist_history_count(const es_trustlist *tl, size_t i);
/* Period j of entry i: its status (ES_TL_RECOGNISED or ES_TL_WITHDRAWN) and
 * the time it starts. */
ES_API int es_trustlist_history(const es_trustlist *tl, size_t i, size_t j,
                                es_tl_status *out_status, int64_t *out_from);

/* The status at time t of the entry of this kind whose certificate is
 * `cert` (exact DER match). With issuer != 0, of the entry of this kind
 * whose certificate's subject is cert's issuer (the CA named as issuer; the
 * chain check, with the list's certificates as anchors, proves the issuer's
 * signature). When several entries match, a recognised one wins. *out_since (may be NULL):
 * the start of the period in force, or of the first period for NOT_YET.
 * *out_entry (may be NULL): the index of the entry. */
ES_API es_tl_status es_trustlist_status_at(const es_trustlist *tl, es_tl_kind kind,
                                           const es_cert *cert, int issuer, int64_t t,
                                           int64_t *out_since, size_t *out_entry);
/* The platform entry whose certificate has this serial (hex, any case), or
 * -1. */
ES_API long es_trustlist_find_platform(const es_trustlist *tl, const char *serial_hex);
/* Adds the certificates of every ca, maker and tsa entry to `trust`,
 * whatever their history: withdrawal is judged at the relevant time by the
 * verifier (the trust_list check). Makers and CAs become anchors even when
 * not self-signed (es_trust_add_anchor_partial), so a list naming only an
 * intermediate CA or a maker certificate lets their chains be built; a
 * sibling certificate the list does not name is not trusted through them.
 * TSAs are added as by es_trust_add_cert (anchors only when self-signed). */
ES_API int es_trustlist_add_to_trust(es_ctx *ctx, const es_trustlist *tl, es_trust *trust);

/* Signs list content (a JSON object, the "content" of docs/trustlist.md,
 * without signer_cert). Sets type and signer_cert; with prev_key/prev_cert
 * (both or neither) appends a rotation statement signed by the previous key
 * naming `cert` as its successor. The content is checked as a list before
 * signing. `now` stamps the rotation (0 = current time).
 * OUT (owned, es_free): the signed list, NUL-terminated. */
ES_API int es_trustlist_sign(es_ctx *ctx, const char *content, size_t len, const es_key *key,
                             const es_cert *cert, const es_key *prev_key,
                             const es_cert *prev_cert, int64_t now, char **out,
                             size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
