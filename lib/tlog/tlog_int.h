/*
 * lib/tlog/tlog_int.h - helpers shared by the Merkle tree's generation and
 * verification code (lib/tlog/).
 */
#ifndef ES_TLOG_INT_H
#define ES_TLOG_INT_H

#include <stdint.h>

/* The largest power of two strictly below n; n MUST be >= 2 (RFC 6962 k). */
uint64_t es_tlog_split(uint64_t n);

#endif
