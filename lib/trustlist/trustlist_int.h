/*
 * lib/trustlist/trustlist_int.h - the parsed trust list (eseal/trustlist.h)
 * shared by reading, checking and signing.
 */
#ifndef ES_TRUSTLIST_INT_H
#define ES_TRUSTLIST_INT_H

#include "eseal/trustlist.h"
#include "sdoc/sdoc_int.h"

struct es_tl_period {
    es_tl_status status; /* ES_TL_RECOGNISED or ES_TL_WITHDRAWN */
    int64_t from;
};

struct es_tl_entry {
    es_tl_kind kind;
    char *name;
    es_cert *cert;
    char *node; /* platforms */
    char *url;  /* platforms */
    size_t n_hist;
    struct es_tl_period hist[ES_TRUSTLIST_MAX_HISTORY];
};

struct es_trustlist {
    char *region;
    int64_t seq;
    int64_t issued;
    int64_t next_update;
    bool stale;
    bool verified;
    es_cert *signer;
    size_t n_rotations;
    size_t n;
    struct es_tl_entry *e;
};

/* Reads list content (the signed JSON object) into a new list; no
 * signature is looked at. `now` decides staleness. */
ES_RESULT es_tl_from_content(const json_t *content, int64_t now, es_trustlist **out);
/* Checks who signed: the list's signer_cert against the reader's signers,
 * through the content's rotation chain; then the envelope signature. */
ES_RESULT es_tl_check_signer(es_trustlist *tl, struct es_sdoc *doc, const json_t *content,
                             const es_cert *const *signers, size_t n_signers);
/* The status at t of the entry of `kind` whose certificate's subject is
 * `subject` (a TSA known from a time stamp only by its subject name). */
es_tl_status es_tl_status_by_subject(const es_trustlist *tl, es_tl_kind kind,
                                     const char *subject, int64_t t, int64_t *out_since,
                                     size_t *out_entry);
/* SM3 of a certificate's DER as 64 hex digits (how rotations name a key). */
void es_tl_cert_id(const es_cert *cert, char out[65]);

#endif
