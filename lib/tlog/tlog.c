/*
 * lib/tlog/tlog.c - the transparency log's Merkle tree: leaf and node hashes,
 * tree heads and proof generation (RFC 6962 §2.1, SM3). The verifiers, which
 * see outside input, are in tlog_verify.c. See eseal/tlog.h.
 *
 * Generation follows the recursive definitions of RFC 6962 §2.1.1 and §2.1.2
 * word for word, so that the iterative verifiers (RFC 9162) and the
 * definitions check each other in the tests. Recursion depth is bounded by
 * the tree height (64 for a uint64_t size).
 */
#include "eseal/tlog.h"

#include "base/base.h"
#include "eseal/crypto.h"
#include "tlog/tlog_int.h"

void es_tlog_leaf_hash(const uint8_t *entry, size_t len, uint8_t out[32])
{
    static const uint8_t prefix = 0x00;
    es_sm3_ctx c;
    es_sm3_init(&c);
    es_sm3_update(&c, &prefix, 1);
    if (len > 0) {
        es_sm3_update(&c, entry, len);
    }
    es_sm3_final(&c, out);
}

void es_tlog_node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
    uint8_t buf[1 + 2 * ES_TLOG_HASH_LEN];
    buf[0] = 0x01;
    memcpy(buf + 1, l, ES_TLOG_HASH_LEN);
    memcpy(buf + 1 + ES_TLOG_HASH_LEN, r, ES_TLOG_HASH_LEN);
    es_sm3(buf, sizeof(buf), out);
}

uint64_t es_tlog_split(uint64_t n)
{
    /* the largest power of two strictly below n (n >= 2) */
    uint64_t k = 1;
    while (k < n - k) {
        k <<= 1;
    }
    return k;
}

/* MTH(D[0:n]) over leaf hashes. */
static void mth(const uint8_t (*leaves)[32], uint64_t n, uint8_t out[32])
{
    if (n == 0) {
        es_sm3("", 0, out);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], ES_TLOG_HASH_LEN);
        return;
    }
    uint64_t k = es_tlog_split(n);
    uint8_t l[32];
    uint8_t r[32];
    mth(leaves, k, l);
    mth(leaves + k, n - k, r);
    es_tlog_node_hash(l, r, out);
}

struct path_out {
    uint8_t (*path)[32];
    size_t max;
    size_t len;
};

static ES_RESULT push_mth(struct path_out *p, const uint8_t (*leaves)[32], uint64_t n)
{
    ES_ENSURE_MSG(p->len < p->max && p->len < ES_TLOG_MAX_PATH, ES_ERR_LIMIT_COUNT,
                  "proof needs more than %zu hashes", p->len);
    mth(leaves, n, p->path[p->len]);
    p->len++;
    return ES_RESULT_OK;
}

/* RFC 6962 §2.1.1: PATH(m, D[n]). */
static ES_RESULT inclusion_path(struct path_out *p, const uint8_t (*leaves)[32], uint64_t n,
                                uint64_t m)
{
    if (n <= 1) {
        return ES_RESULT_OK;
    }
    uint64_t k = es_tlog_split(n);
    if (m < k) {
        ES_GUARD(inclusion_path(p, leaves, k, m));
        ES_GUARD(push_mth(p, leaves + k, n - k));
    } else {
        ES_GUARD(inclusion_path(p, leaves + k, n - k, m - k));
        ES_GUARD(push_mth(p, leaves, k));
    }
    return ES_RESULT_OK;
}

/* RFC 6962 §2.1.2: SUBPROOF(m, D[n], b). */
static ES_RESULT subproof(struct path_out *p, const uint8_t (*leaves)[32], uint64_t n,
                          uint64_t m, bool whole)
{
    if (m == n) {
        if (!whole) {
            ES_GUARD(push_mth(p, leaves, n));
        }
        return ES_RESULT_OK;
    }
    uint64_t k = es_tlog_split(n);
    if (m <= k) {
        ES_GUARD(subproof(p, leaves, k, m, whole));
        ES_GUARD(push_mth(p, leaves + k, n - k));
    } else {
        ES_GUARD(subproof(p, leaves + k, n - k, m - k, false));
        ES_GUARD(push_mth(p, leaves, k));
    }
    return ES_RESULT_OK;
}

int es_tlog_root(const uint8_t (*leaves)[32], uint64_t n, uint8_t out[32])
{
    es_error_clear();
    if (!out || (n > 0 && !leaves)) {
        return es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__, "tree head: no leaves").rc;
    }
    mth(leaves, n, out);
    return ES_OK;
}

int es_tlog_inclusion_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t index,
                            uint8_t (*path)[32], size_t max, size_t *path_len)
{
    es_error_clear();
    if (!leaves || !path_len || (max > 0 && !path)) {
        return es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__, "inclusion proof: no leaves")
            .rc;
    }
    *path_len = 0;
    if (index >= n) {
        return es_error_set(ES_ERR_USAGE_ARG, __FILE__, __LINE__,
                            "inclusion proof: leaf index %llu is not below tree size %llu",
                            (unsigned long long)index, (unsigned long long)n)
            .rc;
    }
    struct path_out p = {path, max, 0};
    es_result r = inclusion_path(&p, leaves, n, index);
    if (es_is_err(r)) {
        return r.rc;
    }
    *path_len = p.len;
    return ES_OK;
}

int es_tlog_consistency_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t old_size,
                              uint8_t (*path)[32], size_t max, size_t *path_len)
{
    es_error_clear();
    if (!path_len || (n > 0 && !leaves) || (max > 0 && !path)) {
        return es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                            "consistency proof: no leaves")
            .rc;
    }
    *path_len = 0;
    if (old_size > n) {
        return es_error_set(ES_ERR_USAGE_ARG, __FILE__, __LINE__,
                            "consistency proof: old size %llu is above new size %llu",
                            (unsigned long long)old_size, (unsigned long long)n)
            .rc;
    }
    if (old_size == 0 || old_size == n) {
        return ES_OK; /* empty proof, see eseal/tlog.h */
    }
    struct path_out p = {path, max, 0};
    es_result r = subproof(&p, leaves, n, old_size, true);
    if (es_is_err(r)) {
        return r.rc;
    }
    *path_len = p.len;
    return ES_OK;
}

const char *es_tlog_errmsg(void) { return es_error_code() == ES_OK ? "" : es_error_detail(); }
