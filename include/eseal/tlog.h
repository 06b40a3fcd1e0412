/*
 * eseal/tlog.h - the transparency log's Merkle tree (RFC 6962 §2.1 shape,
 * hash = SM3): tree heads, inclusion proofs and consistency proofs, to make
 * and to check.
 *
 * Hashes (RFC 6962 §2.1, with SM3 in place of SHA-256):
 *   leaf hash = SM3(0x00 || entry bytes)
 *   node hash = SM3(0x01 || left || right)
 *   MTH({})   = SM3("")
 *   MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
 * The 0x00/0x01 prefixes keep a leaf from ever being read as an inner node
 * (second-preimage attack on the tree).
 *
 * Proofs are lists of 32-byte hashes, at most ES_TLOG_MAX_PATH of them.
 * Inclusion proofs follow RFC 6962 §2.1.1, consistency proofs §2.1.2; the
 * verifiers are the iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
 * Edge cases (RFC 6962 leaves them open; fixed here):
 *   - a consistency proof from old_size 0 is empty and checks that old_root
 *     is SM3(""): the empty tree is a prefix of every tree;
 *   - from old_size == new_size the proof is empty and the roots must match.
 *
 * Return codes: ES_OK; ES_ERR_USAGE_NULL; ES_ERR_USAGE_ARG for sizes that
 * cannot go together (index >= tree_size, old_size > new_size, a tree of 0
 * leaves asked for a proof); ES_ERR_LIMIT_COUNT when a path does not fit
 * `max` or is longer than ES_TLOG_MAX_PATH; ES_ERR_CRYPTO_PROOF when a proof
 * does not verify. es_tlog_errmsg() then says which check failed (path too
 * short, too long, root mismatch...).
 *
 * All functions are pure (no allocation besides the stack, no global state)
 * and thread-safe. Generation takes the leaf hashes of the whole tree and
 * costs O(n) hash operations; a log keeps the leaf hashes, not the entries.
 */
#ifndef ESEAL_TLOG_H
#define ESEAL_TLOG_H

#include "eseal/common.h"
#include "eseal/crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ES_TLOG_HASH_LEN 32
/* 2^64 leaves need at most 64 inclusion hashes and 64 consistency hashes
 * for the sizes a uint64_t can express in practice; anything longer is
 * malformed. */
#define ES_TLOG_MAX_PATH 64

/* SM3(0x00 || entry). `entry` may be NULL when len is 0. */
ES_API void es_tlog_leaf_hash(const uint8_t *entry, size_t len, uint8_t out[32]);
/* SM3(0x01 || l || r). */
ES_API void es_tlog_node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32]);

/* The tree head of the first n leaves (n = 0: SM3 of the empty string;
 * `leaves` may then be NULL). */
ES_API int es_tlog_root(const uint8_t (*leaves)[32], uint64_t n, uint8_t out[32]);

/* The audit path of leaf `index` in the tree of the first n leaves, nearest
 * sibling first (RFC 6962 PATH(m, D[n])). Writes *path_len hashes into
 * path[0..max). ES_ERR_USAGE_ARG when index >= n. */
ES_API int es_tlog_inclusion_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t index,
                                   uint8_t (*path)[32], size_t max, size_t *path_len);

/* Checks that `leaf` (a leaf hash) is leaf `index` of the tree of
 * `tree_size` leaves whose head is `root`. `path` may be NULL when
 * path_len is 0. ES_OK or ES_ERR_CRYPTO_PROOF (or ES_ERR_USAGE_ARG for
 * index >= tree_size, ES_ERR_LIMIT_COUNT for path_len > ES_TLOG_MAX_PATH). */
ES_API int es_tlog_verify_inclusion(const uint8_t leaf[32], uint64_t index, uint64_t tree_size,
                                    const uint8_t (*path)[32], size_t path_len,
                                    const uint8_t root[32]);

/* The consistency proof between the tree of the first old_size leaves and
 * the tree of all n leaves (RFC 6962 PROOF(m, D[n])); empty when old_size is
 * 0 or n. ES_ERR_USAGE_ARG when old_size > n. */
ES_API int es_tlog_consistency_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t old_size,
                                     uint8_t (*path)[32], size_t max, size_t *path_len);

/* Checks that the tree of new_size leaves with head new_root extends the
 * tree of old_size leaves with head old_root. ES_OK or ES_ERR_CRYPTO_PROOF
 * (ES_ERR_USAGE_ARG for old_size > new_size). */
ES_API int es_tlog_verify_consistency(uint64_t old_size, uint64_t new_size,
                                      const uint8_t old_root[32], const uint8_t new_root[32],
                                      const uint8_t (*path)[32], size_t path_len);

/* The detail of the last es_tlog_* failure on this thread ("inclusion
 * proof: computed root differs from the tree head"). Borrowed, valid until
 * the next library call on this thread; "" after a success. */
ES_API const char *es_tlog_errmsg(void);

/* ---- the log's JSON forms (docs/transparency-log.md) ----
 * Signed tree head: a signed envelope (eseal/sdoc.h) with content
 *   {"type":"eseal-sth/1","node":ID,"tree_size":N,"root_hash":HEX,"timestamp":TIME}
 * Inclusion proof: {"leaf_index":I,"tree_size":N,"path":[HEX,...]}
 * Consistency proof: {"first":M,"second":N,"path":[HEX,...]}
 * Log export: {"entries":["<base64 entry bytes>",...]} in log order.
 * Failures: ES_ERR_CRYPTO_SIGNATURE (tree head not signed by `platform`),
 * ES_ERR_CRYPTO_PROOF (a proof or a recomputed root does not match),
 * ES_ERR_FORMAT_* (malformed JSON, naming the field), each with a message on
 * ctx. */
typedef struct es_tlog_head {
    char node[128];
    uint64_t tree_size;
    uint8_t root[32];
    int64_t timestamp;
} es_tlog_head;

/* Reads a signed tree head and checks its signature with `platform` (NULL:
 * not checked; the caller MUST then not rely on it). */
ES_API int es_tlog_sth_verify(es_ctx *ctx, const uint8_t *sth, size_t len, const es_cert *platform,
                              es_tlog_head *out);
/* Checks that `entry` (the exact leaf bytes) is in the tree of `head`,
 * with an inclusion proof in JSON whose tree_size must equal the head's. */
ES_API int es_tlog_inclusion_verify_json(es_ctx *ctx, const uint8_t *entry, size_t entry_len,
                                         const uint8_t *proof, size_t proof_len,
                                         const es_tlog_head *head);
/* Checks a consistency proof in JSON between two heads (first/second must
 * equal their sizes). Two heads of the same size with different roots are
 * a fork: ES_ERR_CRYPTO_PROOF. */
ES_API int es_tlog_consistency_verify_json(es_ctx *ctx, const uint8_t *proof, size_t proof_len,
                                           const es_tlog_head *first, const es_tlog_head *second);
/* Recomputes the root of the first head->tree_size entries of an export and
 * compares it with the head (a longer export is a log that grew since).
 * *out_n: the number of entries in the export. At most
 * ES_TLOG_MAX_EXPORT entries. */
#define ES_TLOG_MAX_EXPORT 1000000
ES_API int es_tlog_export_verify(es_ctx *ctx, const uint8_t *exp, size_t len,
                                 const es_tlog_head *head, uint64_t *out_n);

#ifdef __cplusplus
}
#endif
#endif
