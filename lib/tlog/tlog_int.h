/*
 * lib/tlog/tlog_int.h - helpers shared by the Merkle tree's generation and
 * verification code (lib/tlog/).
 */
#ifndef ES_TLOG_INT_H
#define ES_TLOG_INT_H

#include <stdint.h>

#include "base/base.h"
#include "eseal/tlog.h"

/* The largest power of two strictly below n; n MUST be >= 2 (RFC 6962 k). */
uint64_t es_tlog_split(uint64_t n);


/* JSON forms (tlog_json.c); need jansson and lib/sdoc. */
#ifdef ES_SDOC_INT_H
/* The tree head in a signed envelope (signature not checked). */
ES_RESULT es_tlog_head_from_sdoc(struct es_sdoc *d, es_tlog_head *out);
/* A status answer's "log" member: the tree head signed by `platform`, the
 * entry included in it, the entry about `esid` with `status`. */
ES_RESULT es_tlog_check_answer_log(const json_t *log, const es_cert *platform, const char *esid,
                                   const char *status, es_tlog_head *out_head);
#endif

#endif
