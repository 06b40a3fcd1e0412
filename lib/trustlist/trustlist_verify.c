/*
 * lib/trustlist/trustlist_verify.c - who signed a trust list: the list's
 * signer_cert must be a list signer the reader trusts, or be reached from
 * one through the rotation chain the list carries (each statement signed by
 * the key it hands over from); then the envelope signature must verify with
 * it. Every failure here is ES_ERR_CRYPTO_SIGNATURE, distinct from a
 * malformed list, with a message naming the broken link.
 * See eseal/trustlist.h and docs/trustlist.md ("Signer rotation").
 */
#include <stdio.h>

#include "trustlist/trustlist_int.h"

static bool same_cert(const es_cert *a, const es_cert *b)
{
    es_bytes x = es_cert_der(a);
    es_bytes y = es_cert_der(b);
    return x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0;
}

static const es_cert *trusted_by_id(const es_cert *const *signers, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        char sid[65];
        es_tl_cert_id(signers[i], sid);
        if (strcmp(sid, id) == 0) {
            return signers[i];
        }
    }
    return NULL;
}

/* One rotation statement: signed by `cur` (checked), hands over to a new
 * certificate (OUT owned). */
static ES_RESULT rotation_step(const json_t *stmt, size_t k, const char *region,
                               const es_cert *cur, es_cert **out)
{
    struct es_sdoc *sd = NULL;
    char what[64];
    const char *type = NULL, *reg = NULL;
    es_result res = ES_RESULT_OK;
    snprintf(what, sizeof(what), "trust list rotation[%zu]", k);
    *out = NULL;
    res = es_sdoc_from_json(stmt, &sd);
    if (es_is_err(res)) {
        es_error_prefix("%s", what);
        return res;
    }
    const json_t *c = es_sdoc_content(sd);
    ES_GUARD_GOTO(es_json_str(c, what, "type", &type));
    ES_GUARD_GOTO(es_json_str(c, what, "region", &reg));
    if (strcmp(type, ES_TRUSTLIST_ROTATION_TYPE) != 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "%s: type is \"%.60s\", not %s", what, type,
                     ES_TRUSTLIST_ROTATION_TYPE);
    }
    if (strcmp(reg, region) != 0) {
        ES_FAIL_GOTO(ES_ERR_CRYPTO_SIGNATURE,
                     "%s hands over the signer of region \"%.60s\", not of \"%.60s\"", what, reg,
                     region);
    }
    res = es_sdoc_check_sig(sd, cur);
    if (es_is_err(res)) {
        es_error_prefix("%s is not signed by the key it replaces", what);
        goto out;
    }
    const char *b64 = NULL;
    uint8_t *der = NULL;
    size_t n = 0;
    ES_GUARD_GOTO(es_json_str(c, what, "to_cert", &b64));
    ES_GUARD_GOTO(es_b64_decode(b64, &der, &n));
    es_ctx *ctx = es_ctx_new();
    int rc = ctx ? es_cert_from_der(ctx, der, n, out) : ES_ERR_NOMEM;
    es_free(der);
    es_ctx_free(ctx);
    if (rc != ES_OK) {
        ES_FAIL_GOTO(ES_ERR_CRYPTO_CERT, "%s: to_cert is not a certificate", what);
    }
out:
    es_sdoc_free(sd);
    return res;
}

ES_RESULT es_tl_check_signer(es_trustlist *tl, struct es_sdoc *doc, const json_t *content,
                             const es_cert *const *signers, size_t n_signers)
{
    es_cert *listed = NULL;
    es_cert *cur = NULL;
    es_result res = ES_RESULT_OK;
    const char *b64 = NULL;
    uint8_t *der = NULL;
    size_t n = 0;
    ES_ENSURE_MSG(n_signers > 0, ES_ERR_USAGE_ARG, "no trusted trust-list signer was given");
    ES_GUARD(es_json_str(content, "trust list", "signer_cert", &b64));
    ES_GUARD(es_b64_decode(b64, &der, &n));
    es_ctx *ctx = es_ctx_new();
    int rc = ctx ? es_cert_from_der(ctx, der, n, &listed) : ES_ERR_NOMEM;
    es_free(der);
    es_ctx_free(ctx);
    ES_ENSURE_MSG(rc == ES_OK, ES_ERR_CRYPTO_CERT, "trust list: signer_cert is not a certificate");

    bool direct = false;
    for (size_t i = 0; i < n_signers && !direct; i++) {
        direct = same_cert(signers[i], listed);
    }
    if (!direct) {
        const json_t *rot = json_object_get(content, "rotation");
        size_t nr = json_is_array(rot) ? json_array_size(rot) : 0;
        if (nr == 0) {
            ES_FAIL_GOTO(ES_ERR_CRYPTO_SIGNATURE,
                         "the trust list is signed by %s (serial %s), which is not a trusted "
                         "list signer, and carries no rotation chain",
                         es_cert_subject(listed), es_cert_serial_hex(listed));
        }
        if (nr > ES_TRUSTLIST_MAX_ROTATIONS) {
            ES_FAIL_GOTO(ES_ERR_LIMIT_COUNT, "trust list: more than %d rotation statements",
                         ES_TRUSTLIST_MAX_ROTATIONS);
        }
        /* start at the first statement handing over from a trusted signer:
         * a reader who already follows a later key skips the older links */
        size_t k = 0;
        const es_cert *start = NULL;
        for (; k < nr && !start; k++) {
            const json_t *c = json_object_get(json_array_get(rot, k), "tbs");
            struct es_sdoc *sd = NULL;
            if (c && es_is_ok(es_sdoc_from_json(json_array_get(rot, k), &sd))) {
                const char *from = json_string_value(json_object_get(es_sdoc_content(sd), "from"));
                start = from ? trusted_by_id(signers, n_signers, from) : NULL;
            }
            es_sdoc_free(sd);
        }
        es_error_clear();
        if (!start) {
            ES_FAIL_GOTO(ES_ERR_CRYPTO_SIGNATURE,
                         "the trust list's rotation chain does not start at a trusted list "
                         "signer");
        }
        k--;
        cur = es_cert_dup(start);
        if (!cur) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
        for (; k < nr; k++) {
            es_cert *next = NULL;
            char want[65];
            const char *from = NULL;
            es_tl_cert_id(cur, want);
            struct es_sdoc *sd = NULL;
            ES_GUARD_GOTO(es_sdoc_from_json(json_array_get(rot, k), &sd));
            from = json_string_value(json_object_get(es_sdoc_content(sd), "from"));
            bool linked = from && strcmp(from, want) == 0;
            es_sdoc_free(sd);
            if (!linked) {
                ES_FAIL_GOTO(ES_ERR_CRYPTO_SIGNATURE,
                             "trust list rotation[%zu] does not hand over from the previous "
                             "signer %s",
                             k, es_cert_subject(cur));
            }
            ES_GUARD_GOTO(rotation_step(json_array_get(rot, k), k, tl->region, cur, &next));
            es_cert_free(cur);
            cur = next;
            tl->n_rotations++;
        }
        if (!same_cert(cur, listed)) {
            ES_FAIL_GOTO(ES_ERR_CRYPTO_SIGNATURE,
                         "the rotation chain ends at %s, but the list names %s as its signer",
                         es_cert_subject(cur), es_cert_subject(listed));
        }
    }
    ES_GUARD_GOTO(es_sdoc_check_sig(doc, listed));
    tl->signer = listed;
    listed = NULL;
    tl->verified = true;
out:
    es_cert_free(listed);
    es_cert_free(cur);
    return res;
}

static int load(es_ctx *ctx, const uint8_t *data, size_t len, const es_cert *const *signers,
                size_t n_signers, bool check, int64_t now, es_trustlist **out)
{
    struct es_sdoc *doc = NULL;
    es_trustlist *tl = NULL;
    es_result res = ES_RESULT_OK;
    if (!out || !data || (check && !signers && n_signers)) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "trust list: missing argument"));
    }
    *out = NULL;
    res = es_sdoc_parse(data, len, &doc);
    if (es_is_err(res)) {
        es_error_prefix("trust list");
        goto out;
    }
    ES_GUARD_GOTO(es_tl_from_content(es_sdoc_content(doc), now, &tl));
    if (check) {
        ES_GUARD_GOTO(es_tl_check_signer(tl, doc, es_sdoc_content(doc), signers, n_signers));
    } else {
        /* name the claimed signer for inspection, trusting nothing */
        es_cert *c = NULL;
        es_ctx *c2 = es_ctx_new();
        const char *b64 = json_string_value(json_object_get(es_sdoc_content(doc), "signer_cert"));
        uint8_t *der = NULL;
        size_t n = 0;
        if (c2 && b64 && es_is_ok(es_b64_decode(b64, &der, &n)) &&
            es_cert_from_der(c2, der, n, &c) == ES_OK) {
            tl->signer = c;
        }
        es_free(der);
        es_ctx_free(c2);
        es_error_clear();
    }
out:
    es_sdoc_free(doc);
    if (es_is_err(res)) {
        es_trustlist_free(tl);
        return es_ctx_take_error(ctx, res);
    }
    *out = tl;
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}

int es_trustlist_verify(es_ctx *ctx, const uint8_t *data, size_t len,
                        const es_cert *const *signers, size_t n_signers, int64_t now,
                        es_trustlist **out)
{
    return load(ctx, data, len, signers, n_signers, true, now, out);
}

int es_trustlist_read(es_ctx *ctx, const uint8_t *data, size_t len, int64_t now,
                      es_trustlist **out)
{
    return load(ctx, data, len, NULL, 0, false, now, out);
}
