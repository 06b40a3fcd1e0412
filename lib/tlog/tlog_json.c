/*
 * lib/tlog/tlog_json.c - the transparency log's JSON forms: signed tree
 * heads, inclusion and consistency proofs, exported logs, and the "log"
 * member of a status answer (see eseal/tlog.h, docs/transparency-log.md).
 * Everything here is outside input: parse into fixed-size values, then hand
 * them to the verifiers of tlog_verify.c.
 */
#include <stdio.h>

#include "sdoc/sdoc_int.h"
#include "tlog/tlog_int.h"

/* A JSON proof path into path[0..ES_TLOG_MAX_PATH). */
static ES_RESULT read_path(const json_t *a, const char *what, uint8_t (*path)[32], size_t *n)
{
    ES_ENSURE_MSG(json_is_array(a), ES_ERR_FORMAT_STRUCTURE,
                  "%s: \"path\" is missing or not an array", what);
    ES_ENSURE_MSG(json_array_size(a) <= ES_TLOG_MAX_PATH, ES_ERR_LIMIT_COUNT,
                  "%s: %zu path hashes, at most %d", what, json_array_size(a), ES_TLOG_MAX_PATH);
    for (size_t i = 0; i < json_array_size(a); i++) {
        ES_GUARD(es_json_hash(json_array_get(a, i), what, path[i]));
    }
    *n = json_array_size(a);
    return ES_RESULT_OK;
}

static ES_RESULT read_size(const json_t *o, const char *what, const char *key, uint64_t *out)
{
    int64_t v = 0;
    ES_GUARD(es_json_int(o, what, key, &v));
    ES_ENSURE_MSG(v >= 0, ES_ERR_FORMAT_STRUCTURE, "%s: \"%s\" is negative", what, key);
    *out = (uint64_t)v;
    return ES_RESULT_OK;
}

/* A proof failure from the public verifiers, as a result. */
static es_result proof_result(int rc)
{
    if (rc == ES_OK) {
        return ES_RESULT_OK;
    }
    return (es_result){rc}; /* the verifier recorded code and message */
}

ES_RESULT es_tlog_head_from_sdoc(struct es_sdoc *d, es_tlog_head *out)
{
    static const char *what = "signed tree head";
    const json_t *c = es_sdoc_content(d);
    const char *type = NULL, *node = NULL;
    memset(out, 0, sizeof(*out));
    ES_GUARD(es_json_str(c, what, "type", &type));
    ES_ENSURE_MSG(strcmp(type, "eseal-sth/1") == 0, ES_ERR_FORMAT_STRUCTURE,
                  "%s: type is \"%.60s\", not eseal-sth/1", what, type);
    ES_GUARD(es_json_str(c, what, "node", &node));
    ES_ENSURE_MSG(strlen(node) < sizeof(out->node), ES_ERR_FORMAT_STRUCTURE,
                  "%s: node id longer than %zu bytes", what, sizeof(out->node) - 1);
    memcpy(out->node, node, strlen(node) + 1);
    ES_GUARD(read_size(c, what, "tree_size", &out->tree_size));
    ES_GUARD(es_json_hash(json_object_get(c, "root_hash"), "signed tree head root_hash",
                          out->root));
    ES_GUARD(es_json_time(c, what, "timestamp", &out->timestamp));
    return ES_RESULT_OK;
}

int es_tlog_sth_verify(es_ctx *ctx, const uint8_t *sth, size_t len, const es_cert *platform,
                       es_tlog_head *out)
{
    struct es_sdoc *d = NULL;
    es_result res = ES_RESULT_OK;
    if (!sth || !out) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "signed tree head: missing argument"));
    }
    res = es_sdoc_parse(sth, len, &d);
    if (es_is_err(res)) {
        es_error_prefix("signed tree head");
        goto out;
    }
    ES_GUARD_GOTO(es_tlog_head_from_sdoc(d, out));
    if (platform) {
        ES_GUARD_GOTO(es_sdoc_check_sig(d, platform));
    }
out:
    es_sdoc_free(d);
    return es_ctx_take_error(ctx, res);
}

static ES_RESULT check_inclusion(const uint8_t *entry, size_t entry_len, const json_t *p,
                                 const es_tlog_head *head)
{
    static const char *what = "inclusion proof";
    uint64_t index = 0, size = 0;
    uint8_t path[ES_TLOG_MAX_PATH][32];
    size_t n = 0;
    ES_ENSURE_MSG(json_is_object(p), ES_ERR_FORMAT_STRUCTURE, "%s is not a JSON object", what);
    ES_GUARD(read_size(p, what, "leaf_index", &index));
    ES_GUARD(read_size(p, what, "tree_size", &size));
    ES_GUARD(read_path(json_object_get(p, "path"), what, path, &n));
    ES_ENSURE_MSG(size == head->tree_size, ES_ERR_CRYPTO_PROOF,
                  "%s: the proof is for a tree of %llu entries, the tree head has %llu", what,
                  (unsigned long long)size, (unsigned long long)head->tree_size);
    ES_ENSURE_MSG(index < size, ES_ERR_CRYPTO_PROOF,
                  "%s: leaf index %llu is not below the tree size %llu", what,
                  (unsigned long long)index, (unsigned long long)size);
    uint8_t leaf[32];
    es_tlog_leaf_hash(entry, entry_len, leaf);
    return proof_result(
        es_tlog_verify_inclusion(leaf, index, size, (const uint8_t(*)[32])path, n, head->root));
}

int es_tlog_inclusion_verify_json(es_ctx *ctx, const uint8_t *entry, size_t entry_len,
                                  const uint8_t *proof, size_t proof_len, const es_tlog_head *head)
{
    json_t *p = NULL;
    es_result res = ES_RESULT_OK;
    if (!entry || !proof || !head) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "inclusion proof: missing argument"));
    }
    ES_GUARD_GOTO(es_json_load(proof, proof_len, "inclusion proof", &p));
    ES_GUARD_GOTO(check_inclusion(entry, entry_len, p, head));
out:
    json_decref(p);
    return es_ctx_take_error(ctx, res);
}

int es_tlog_consistency_verify_json(es_ctx *ctx, const uint8_t *proof, size_t proof_len,
                                    const es_tlog_head *first, const es_tlog_head *second)
{
    static const char *what = "consistency proof";
    json_t *p = NULL;
    es_result res = ES_RESULT_OK;
    uint64_t m = 0, n = 0;
    uint8_t path[ES_TLOG_MAX_PATH][32];
    size_t len = 0;
    if (!proof || !first || !second) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "consistency proof: missing argument"));
    }
    ES_GUARD_GOTO(es_json_load(proof, proof_len, what, &p));
    ES_GUARD_GOTO(read_size(p, what, "first", &m));
    ES_GUARD_GOTO(read_size(p, what, "second", &n));
    ES_GUARD_GOTO(read_path(json_object_get(p, "path"), what, path, &len));
    if (m != first->tree_size || n != second->tree_size) {
        ES_FAIL_GOTO(ES_ERR_CRYPTO_PROOF,
                     "%s: the proof is from %llu to %llu entries, the tree heads have %llu and "
                     "%llu",
                     what, (unsigned long long)m, (unsigned long long)n,
                     (unsigned long long)first->tree_size, (unsigned long long)second->tree_size);
    }
    if (m > n) {
        ES_FAIL_GOTO(ES_ERR_CRYPTO_PROOF, "%s: the first tree head (%llu entries) is larger "
                                          "than the second (%llu): give the older head first",
                     what, (unsigned long long)m, (unsigned long long)n);
    }
    res = proof_result(es_tlog_verify_consistency(m, n, first->root, second->root,
                                                  (const uint8_t(*)[32])path, len));
out:
    json_decref(p);
    return es_ctx_take_error(ctx, res);
}

int es_tlog_export_verify(es_ctx *ctx, const uint8_t *exp, size_t len, const es_tlog_head *head,
                          uint64_t *out_n)
{
    static const char *what = "log export";
    json_t *j = NULL;
    uint8_t(*leaves)[32] = NULL;
    es_result res = ES_RESULT_OK;
    if (!exp || !head || !out_n) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "log export: missing argument"));
    }
    *out_n = 0;
    ES_GUARD_GOTO(es_json_load(exp, len, what, &j));
    const json_t *a = json_object_get(j, "entries");
    if (!json_is_array(a)) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "%s: \"entries\" is missing or not an array", what);
    }
    size_t n = json_array_size(a);
    if (n > ES_TLOG_MAX_EXPORT) {
        ES_FAIL_GOTO(ES_ERR_LIMIT_COUNT, "%s: more than %d entries", what, ES_TLOG_MAX_EXPORT);
    }
    *out_n = n;
    if (n < head->tree_size) {
        ES_FAIL_GOTO(ES_ERR_CRYPTO_PROOF,
                     "%s: %zu entries, but the tree head covers %llu: entries were removed", what,
                     n, (unsigned long long)head->tree_size);
    }
    if (n > 0) {
        leaves = es_malloc(n * sizeof(*leaves));
        if (!leaves) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        uint8_t *e = NULL;
        size_t el = 0;
        if (!s || es_is_err(es_b64_decode(s, &e, &el))) {
            ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "%s: entries[%zu] is not base64 text", what, i);
        }
        es_tlog_leaf_hash(e, el, leaves[i]);
        es_free(e);
    }
    uint8_t root[32];
    ES_GUARD_GOTO(proof_result(
        es_tlog_root((const uint8_t(*)[32])leaves, head->tree_size, root)));
    if (!es_ct_equal(root, head->root, sizeof(root))) {
        ES_FAIL_GOTO(ES_ERR_CRYPTO_PROOF,
                     "%s: the root of its first %llu entries differs from the signed tree head "
                     "of node %s: the log was edited, reordered or forked",
                     what, (unsigned long long)head->tree_size, head->node);
    }
out:
    es_free(leaves);
    json_decref(j);
    return es_ctx_take_error(ctx, res);
}

ES_RESULT es_tlog_check_answer_log(const json_t *log, const es_cert *platform, const char *esid,
                                   const char *status, es_tlog_head *out_head)
{
    static const char *what = "status answer log proof";
    const char *e64 = NULL;
    uint8_t *entry = NULL;
    size_t el = 0;
    struct es_sdoc *sth = NULL;
    json_t *ej = NULL;
    es_result res = ES_RESULT_OK;
    ES_ENSURE_MSG(json_is_object(log), ES_ERR_FORMAT_STRUCTURE, "%s is not an object", what);
    ES_GUARD(es_json_str(log, what, "entry", &e64));
    res = es_sdoc_from_json(json_object_get(log, "sth"), &sth);
    if (es_is_err(res)) {
        es_error_prefix("%s: sth", what);
        return res;
    }
    ES_GUARD_GOTO(es_tlog_head_from_sdoc(sth, out_head));
    res = es_sdoc_check_sig(sth, platform);
    if (es_is_err(res)) {
        es_error_prefix("%s: the tree head is not signed by the answering platform", what);
        goto out;
    }
    ES_GUARD_GOTO(es_b64_decode(e64, &entry, &el));
    ES_GUARD_GOTO(check_inclusion(entry, el, log, out_head));
    /* the entry must be about this seal and say what the answer says */
    const char *ees = NULL, *est = NULL;
    ES_GUARD_GOTO(es_json_load(entry, el, "log entry", &ej));
    ES_GUARD_GOTO(es_json_str(ej, "log entry", "esid", &ees));
    ES_GUARD_GOTO(es_json_str(ej, "log entry", "status", &est));
    if (strcmp(ees, esid) != 0 || strcmp(est, status) != 0) {
        ES_FAIL_GOTO(ES_ERR_CRYPTO_PROOF,
                     "%s: the logged entry is for seal '%.60s' with status '%.20s', the answer "
                     "says '%.60s' is '%.20s'",
                     what, ees, est, esid, status);
    }
out:
    json_decref(ej);
    es_free(entry);
    es_sdoc_free(sth);
    return res;
}
