/*
 * lib/tlog/tlog_verify.c - checking Merkle inclusion and consistency proofs
 * received from elsewhere (a status answer, a node's tree head exchange, a
 * file given to `eseal log verify`). See eseal/tlog.h.
 *
 * The algorithms are those of RFC 9162 §2.1.3.2 and §2.1.4.2: walk the path
 * while shifting the node indices fn (ours) and sn (the last leaf's) up the
 * tree; a path that ends before sn reaches 0 is too short, one that goes on
 * after it is too long. Every loop step consumes one path hash, so the work
 * is bounded by path_len (at most ES_TLOG_MAX_PATH) whatever sizes are claimed.
 */
#include "eseal/tlog.h"

#include "base/base.h"
#include "eseal/crypto.h"

#define PROOF_FAIL(...) es_error_set(ES_ERR_CRYPTO_PROOF, __FILE__, __LINE__, __VA_ARGS__).rc

/* Shifts fn and sn right until fn's lowest bit is set or fn is 0 (RFC 9162). */
static void climb_right_edge(uint64_t *fn, uint64_t *sn)
{
    while ((*fn & 1) == 0 && *fn != 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

int es_tlog_verify_inclusion(const uint8_t leaf[32], uint64_t index, uint64_t tree_size,
                             const uint8_t (*path)[32], size_t path_len, const uint8_t root[32])
{
    es_error_clear();
    if (!leaf || !root || (path_len > 0 && !path)) {
        return es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__, "inclusion proof: missing input")
            .rc;
    }
    if (path_len > ES_TLOG_MAX_PATH) {
        return es_error_set(ES_ERR_LIMIT_COUNT, __FILE__, __LINE__,
                            "inclusion proof: %zu hashes, at most %d allowed", path_len,
                            ES_TLOG_MAX_PATH)
            .rc;
    }
    if (index >= tree_size) {
        return es_error_set(ES_ERR_USAGE_ARG, __FILE__, __LINE__,
                            "inclusion proof: leaf index %llu is not below tree size %llu",
                            (unsigned long long)index, (unsigned long long)tree_size)
            .rc;
    }
    uint64_t fn = index;
    uint64_t sn = tree_size - 1;
    uint8_t r[32];
    memcpy(r, leaf, sizeof(r));
    for (size_t i = 0; i < path_len; i++) {
        if (sn == 0) {
            return PROOF_FAIL("inclusion proof: path too long (%zu hashes, the tree of %llu "
                              "leaves needs %zu for leaf %llu)",
                              path_len, (unsigned long long)tree_size, i,
                              (unsigned long long)index);
        }
        if ((fn & 1) || fn == sn) {
            es_tlog_node_hash(path[i], r, r);
            climb_right_edge(&fn, &sn);
        } else {
            es_tlog_node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return PROOF_FAIL("inclusion proof: path too short (%zu hashes) for leaf %llu of a tree "
                          "of %llu leaves",
                          path_len, (unsigned long long)index, (unsigned long long)tree_size);
    }
    if (!es_ct_equal(r, root, sizeof(r))) {
        return PROOF_FAIL("inclusion proof: the root computed from leaf %llu and its path differs "
                          "from the tree head (size %llu)",
                          (unsigned long long)index, (unsigned long long)tree_size);
    }
    return ES_OK;
}

static int verify_trivial_consistency(uint64_t old_size, uint64_t new_size,
                                      const uint8_t old_root[32], const uint8_t new_root[32],
                                      size_t path_len)
{
    if (path_len != 0) {
        return PROOF_FAIL("consistency proof: from size %llu to %llu the proof must be empty, "
                          "it has %zu hashes",
                          (unsigned long long)old_size, (unsigned long long)new_size, path_len);
    }
    if (old_size == 0) {
        uint8_t empty[32];
        es_sm3("", 0, empty);
        if (!es_ct_equal(old_root, empty, sizeof(empty))) {
            return PROOF_FAIL("consistency proof: the old tree head of size 0 is not the empty "
                              "tree's root");
        }
        return ES_OK;
    }
    if (!es_ct_equal(old_root, new_root, 32)) {
        return PROOF_FAIL("consistency proof: two tree heads of the same size %llu differ "
                          "(forked log)",
                          (unsigned long long)old_size);
    }
    return ES_OK;
}

int es_tlog_verify_consistency(uint64_t old_size, uint64_t new_size, const uint8_t old_root[32],
                               const uint8_t new_root[32], const uint8_t (*path)[32],
                               size_t path_len)
{
    es_error_clear();
    if (!old_root || !new_root || (path_len > 0 && !path)) {
        return es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                            "consistency proof: missing input")
            .rc;
    }
    if (path_len > ES_TLOG_MAX_PATH) {
        return es_error_set(ES_ERR_LIMIT_COUNT, __FILE__, __LINE__,
                            "consistency proof: %zu hashes, at most %d allowed", path_len,
                            ES_TLOG_MAX_PATH)
            .rc;
    }
    if (old_size > new_size) {
        return es_error_set(ES_ERR_USAGE_ARG, __FILE__, __LINE__,
                            "consistency proof: old size %llu is above new size %llu",
                            (unsigned long long)old_size, (unsigned long long)new_size)
            .rc;
    }
    if (old_size == 0 || old_size == new_size) {
        return verify_trivial_consistency(old_size, new_size, old_root, new_root, path_len);
    }
    if (path_len == 0) {
        return PROOF_FAIL("consistency proof: empty proof between sizes %llu and %llu",
                          (unsigned long long)old_size, (unsigned long long)new_size);
    }
    /* RFC 9162 §2.1.4.2: when old_size is a power of two the old root is a
     * node of the new tree and is not sent; it starts the walk instead. */
    size_t next = 0;
    const uint8_t *seed;
    if ((old_size & (old_size - 1)) == 0) {
        seed = old_root;
    } else {
        seed = path[0];
        next = 1;
    }
    uint64_t fn = old_size - 1;
    uint64_t sn = new_size - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[32];
    uint8_t sr[32];
    memcpy(fr, seed, sizeof(fr));
    memcpy(sr, seed, sizeof(sr));
    for (size_t i = next; i < path_len; i++) {
        if (sn == 0) {
            return PROOF_FAIL("consistency proof: path too long (%zu hashes) from size %llu to "
                              "%llu",
                              path_len, (unsigned long long)old_size,
                              (unsigned long long)new_size);
        }
        if ((fn & 1) || fn == sn) {
            es_tlog_node_hash(path[i], fr, fr);
            es_tlog_node_hash(path[i], sr, sr);
            climb_right_edge(&fn, &sn);
        } else {
            es_tlog_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return PROOF_FAIL("consistency proof: path too short (%zu hashes) from size %llu to %llu",
                          path_len, (unsigned long long)old_size, (unsigned long long)new_size);
    }
    if (!es_ct_equal(fr, old_root, sizeof(fr))) {
        return PROOF_FAIL("consistency proof: the old root computed from the proof differs from "
                          "the old tree head (size %llu): the new tree does not contain the old "
                          "one, history was rewritten or forked",
                          (unsigned long long)old_size);
    }
    if (!es_ct_equal(sr, new_root, sizeof(sr))) {
        return PROOF_FAIL("consistency proof: the new root computed from the proof differs from "
                          "the new tree head (size %llu): the log was rewritten or forked",
                          (unsigned long long)new_size);
    }
    return ES_OK;
}
