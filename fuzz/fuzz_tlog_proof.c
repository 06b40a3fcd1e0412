/*
 * fuzz/fuzz_tlog_proof.c - Merkle proofs from outside (a status answer, a
 * peer node's tree heads) fed to the verifiers, and a property check of the
 * generators: every proof made over a tree built from the input verifies,
 * and the same proof with the input's root does not unless they are equal.
 * Target functions: es_tlog_verify_inclusion, es_tlog_verify_consistency,
 * es_tlog_inclusion_proof, es_tlog_consistency_proof, es_tlog_root.
 *
 * Input layout: u64 index, u64 tree size, u64 old size (little-endian), then
 * 32-byte hashes: leaf, root, old root, path...
 */
#include <stdlib.h>
#include <string.h>

#include "eseal/eseal.h"

static uint64_t u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void properties(const uint8_t *data, size_t size, uint64_t pick)
{
    /* a tree of up to 9 leaves, each leaf one input byte (SM3 under the
     * sanitizers is slow: small trees keep the run rate up) */
    uint8_t leaves[9][32];
    uint64_t n = size < 9 ? size : 9;
    for (uint64_t i = 0; i < n; i++) {
        es_tlog_leaf_hash(data + i, 1, leaves[i]);
    }
    const uint8_t(*L)[32] = (const uint8_t(*)[32])leaves;
    uint8_t root[32];
    uint8_t path[ES_TLOG_MAX_PATH][32];
    size_t len;
    if (es_tlog_root(L, n, root) != ES_OK) {
        abort();
    }
    if (n > 0) {
        uint64_t idx = pick % n;
        if (es_tlog_inclusion_proof(L, n, idx, path, ES_TLOG_MAX_PATH, &len) != ES_OK ||
            es_tlog_verify_inclusion(L[idx], idx, n, (const uint8_t(*)[32])path, len, root) !=
                ES_OK) {
            abort();
        }
    }
    uint64_t old = n > 0 ? (pick >> 8) % (n + 1) : 0;
    uint8_t old_root[32];
    if (es_tlog_root(L, old, old_root) != ES_OK ||
        es_tlog_consistency_proof(L, n, old, path, ES_TLOG_MAX_PATH, &len) != ES_OK ||
        es_tlog_verify_consistency(old, n, old_root, root, (const uint8_t(*)[32])path, len) !=
            ES_OK) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 24 + 96) {
        properties(data, size, size);
        return 0;
    }
    uint64_t index = u64(data);
    uint64_t tree_size = u64(data + 8);
    uint64_t old_size = u64(data + 16);
    const uint8_t *leaf = data + 24;
    const uint8_t *root = data + 56;
    const uint8_t *old_root = data + 88;
    size_t n = (size - 120) / 32;
    /* copy so the path is exactly n hashes long (one over the cap is kept,
     * to reach the limit check) */
    uint8_t path[ES_TLOG_MAX_PATH + 1][32];
    if (n > ES_TLOG_MAX_PATH + 1) {
        n = ES_TLOG_MAX_PATH + 1;
    }
    memcpy(path, data + 120, n * 32);
    int rc = es_tlog_verify_inclusion(leaf, index, tree_size, (const uint8_t(*)[32])path, n,
                                      root);
    if (rc == ES_OK && es_tlog_errmsg()[0] != '\0') {
        abort();
    }
    (void)es_tlog_verify_consistency(old_size, tree_size, old_root, root,
                                     (const uint8_t(*)[32])path, n);
    (void)es_tlog_verify_consistency(index, tree_size, old_root, root, (const uint8_t(*)[32])path,
                                     n);
    properties(data + 120, size - 120, index);
    return 0;
}
