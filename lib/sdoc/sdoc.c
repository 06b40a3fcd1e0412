/*
 * lib/sdoc/sdoc.c - reading and checking signed JSON envelopes (see
 * eseal/sdoc.h). Parse, then check: the tbs is decoded and parsed here, the
 * signature is checked only against a certificate the caller chose.
 */
#include <stdio.h>

#include "der/der.h"
#include "doc/ofd/ofd_int.h"
#include "sdoc/sdoc_int.h"

ES_RESULT es_json_load(const uint8_t *p, size_t n, const char *what, json_t **out)
{
    json_error_t err;
    *out = NULL;
    ES_ENSURE_MSG(n <= ES_SDOC_MAX_LEN, ES_ERR_LIMIT_SIZE, "%s: %zu bytes, at most %zu", what, n,
                  ES_SDOC_MAX_LEN);
    json_t *j = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &err);
    ES_ENSURE_MSG(j, ES_ERR_FORMAT_STRUCTURE, "%s is not JSON: %s (line %d, column %d)", what,
                  err.text, err.line, err.column);
    if (!json_is_object(j)) {
        json_decref(j);
        ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE, "%s is not a JSON object", what);
    }
    *out = j;
    return ES_RESULT_OK;
}

ES_RESULT es_json_dump(const json_t *j, size_t flags, char **out)
{
    *out = NULL;
    size_t n = json_dumpb(j, NULL, 0, flags);
    ES_ENSURE_MSG(n > 0, ES_ERR_NOMEM, "cannot write JSON");
    char *t = es_malloc(n + 1);
    ES_ENSURE(t, ES_ERR_NOMEM);
    if (json_dumpb(j, t, n, flags) != n) {
        es_free(t);
        ES_BAIL_MSG(ES_ERR_INTERNAL, "JSON changed size while being written");
    }
    t[n] = '\0';
    *out = t;
    return ES_RESULT_OK;
}

ES_RESULT es_json_str(const json_t *o, const char *what, const char *key, const char **out)
{
    const char *s = json_string_value(json_object_get(o, key));
    ES_ENSURE_MSG(s, ES_ERR_FORMAT_STRUCTURE, "%s: \"%s\" is missing or not a string", what, key);
    *out = s;
    return ES_RESULT_OK;
}

ES_RESULT es_json_int(const json_t *o, const char *what, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(o, key);
    ES_ENSURE_MSG(json_is_integer(v), ES_ERR_FORMAT_STRUCTURE,
                  "%s: \"%s\" is missing or not an integer", what, key);
    *out = (int64_t)json_integer_value(v);
    return ES_RESULT_OK;
}

ES_RESULT es_json_time(const json_t *o, const char *what, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return ES_RESULT_OK;
    }
    const char *s = json_string_value(v);
    ES_ENSURE_MSG(s, ES_ERR_FORMAT_STRUCTURE, "%s: \"%s\" is missing or not a time", what, key);
    size_t n = strlen(s);
    bool ok = n == 20 && s[10] == 'T' && s[19] == 'Z' &&
              es_is_ok(es_time_parse_text((const uint8_t *)s, n, 0, out, NULL));
    ES_ENSURE_MSG(ok, ES_ERR_FORMAT_TIME, "%s: \"%s\" is \"%.40s\", not YYYY-MM-DDTHH:MM:SSZ",
                  what, key, s);
    return ES_RESULT_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

ES_RESULT es_json_hash(const json_t *v, const char *what, uint8_t out[32])
{
    const char *s = json_string_value(v);
    ES_ENSURE_MSG(s && strlen(s) == 64, ES_ERR_FORMAT_STRUCTURE,
                  "%s: a hash must be 64 hex digits", what);
    for (size_t i = 0; i < 32; i++) {
        int hi = hexval(s[2 * i]);
        int lo = hexval(s[2 * i + 1]);
        ES_ENSURE_MSG(hi >= 0 && lo >= 0, ES_ERR_FORMAT_STRUCTURE,
                      "%s: a hash must be 64 hex digits", what);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return ES_RESULT_OK;
}

ES_RESULT es_b64_decode(const char *s, uint8_t **out, size_t *out_len)
{
    size_t cap = strlen(s) / 4 * 3 + 3;
    uint8_t *p = es_malloc(cap);
    ES_ENSURE(p, ES_ERR_NOMEM);
    if (!es_ofd_b64_decode(s, p, cap, out_len)) {
        es_free(p);
        ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE, "invalid base64");
    }
    *out = p;
    return ES_RESULT_OK;
}

ES_RESULT es_b64_encode(const uint8_t *p, size_t n, char **out)
{
    struct es_buf b;
    uint8_t *t = NULL;
    size_t tl;
    es_buf_init(&b, 0);
    es_result r = es_ofd_b64_encode(&b, p, n);
    if (es_is_ok(r)) {
        r = es_buf_take(&b, &t, &tl);
    }
    es_buf_free(&b);
    ES_GUARD(r);
    if (!t) { /* nothing appended: the empty string */
        t = (uint8_t *)es_strdup("");
        ES_ENSURE(t, ES_ERR_NOMEM);
    }
    *out = (char *)t;
    return ES_RESULT_OK;
}

static void sdoc_free(struct es_sdoc *d)
{
    if (!d) {
        return;
    }
    json_decref(d->env);
    json_decref(d->content);
    es_free(d->tbs);
    es_free(d->sig);
    es_free(d);
}

ES_RESULT es_sdoc_from_json(const json_t *env, struct es_sdoc **out)
{
    static const char *what = "signed document";
    const char *alg = NULL, *t64 = NULL, *s64 = NULL;
    es_result res = ES_RESULT_OK;
    *out = NULL;
    ES_ENSURE_MSG(json_is_object(env), ES_ERR_FORMAT_STRUCTURE, "%s is not a JSON object", what);
    ES_GUARD(es_json_str(env, what, "alg", &alg));
    ES_GUARD(es_json_str(env, what, "tbs", &t64));
    ES_GUARD(es_json_str(env, what, "signature", &s64));
    ES_ENSURE_MSG(strcmp(alg, "SM2-with-SM3") == 0, ES_ERR_FORMAT_STRUCTURE,
                  "%s: alg is \"%.40s\", only SM2-with-SM3 is known", what, alg);
    struct es_sdoc *d = es_calloc(1, sizeof(*d));
    ES_ENSURE(d, ES_ERR_NOMEM);
    d->env = json_incref((json_t *)(uintptr_t)env);
    res = es_b64_decode(t64, &d->tbs, &d->tbs_len);
    if (es_is_err(res)) {
        es_error_prefix("%s: tbs", what);
        goto out;
    }
    res = es_b64_decode(s64, &d->sig, &d->sig_len);
    if (es_is_err(res)) {
        es_error_prefix("%s: signature", what);
        goto out;
    }
    ES_GUARD_GOTO(es_json_load(d->tbs, d->tbs_len, "the signed bytes (tbs)", &d->content));
    const json_t *copy = json_object_get(env, "content");
    if (copy && !json_equal((json_t *)(uintptr_t)copy, d->content)) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE,
                     "%s: \"content\" differs from the signed bytes (tbs); only tbs is signed",
                     what);
    }
out:
    if (es_is_err(res)) {
        sdoc_free(d);
        return res;
    }
    *out = d;
    return ES_RESULT_OK;
}

ES_RESULT es_sdoc_parse(const uint8_t *doc, size_t len, struct es_sdoc **out)
{
    json_t *env = NULL;
    *out = NULL;
    ES_GUARD(es_json_load(doc, len, "signed document", &env));
    es_result r = es_sdoc_from_json(env, out);
    json_decref(env);
    return r;
}

ES_RESULT es_sdoc_check_sig(struct es_sdoc *d, const es_cert *signer)
{
    ES_ENSURE_REF(d);
    ES_ENSURE_REF(signer);
    if (es_cert_verify(signer, d->tbs, d->tbs_len, d->sig, d->sig_len) != 1) {
        es_error_clear();
        ES_BAIL_MSG(ES_ERR_CRYPTO_SIGNATURE,
                    "the signature of the %s document does not verify with the key of %s "
                    "(serial %s)",
                    es_sdoc_type(d)[0] ? es_sdoc_type(d) : "signed", es_cert_subject(signer),
                    es_cert_serial_hex(signer));
    }
    d->checked = true;
    return ES_RESULT_OK;
}

const json_t *es_sdoc_content(const es_sdoc *d) { return d ? d->content : NULL; }

/* ---- public API ---- */

int es_sdoc_verify(es_ctx *ctx, const uint8_t *doc, size_t len, const es_cert *signer,
                   es_sdoc **out)
{
    struct es_sdoc *d = NULL;
    if (!out || (!doc && len)) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "es_sdoc_verify: no document"));
    }
    *out = NULL;
    es_result r = es_sdoc_parse(doc, len, &d);
    if (es_is_ok(r) && signer) {
        r = es_sdoc_check_sig(d, signer);
    }
    if (es_is_err(r)) {
        sdoc_free(d);
        return es_ctx_take_error(ctx, r);
    }
    *out = d;
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}

int es_sdoc_check_signature(es_ctx *ctx, es_sdoc *doc, const es_cert *signer)
{
    return es_ctx_take_error(ctx, es_sdoc_check_sig(doc, signer));
}

int es_sdoc_signature_checked(const es_sdoc *doc) { return doc && doc->checked; }

void es_sdoc_free(es_sdoc *doc) { sdoc_free(doc); }

es_bytes es_sdoc_tbs(const es_sdoc *doc)
{
    es_bytes b = {NULL, 0};
    if (doc) {
        b.ptr = doc->tbs;
        b.len = doc->tbs_len;
    }
    return b;
}

const char *es_sdoc_get_str(const es_sdoc *doc, const char *key)
{
    return doc ? json_string_value(json_object_get(doc->content, key)) : NULL;
}

const char *es_sdoc_type(const es_sdoc *doc)
{
    const char *t = es_sdoc_get_str(doc, "type");
    return t ? t : "";
}

int es_sdoc_get_int(const es_sdoc *doc, const char *key, int64_t *out)
{
    const json_t *v = doc ? json_object_get(doc->content, key) : NULL;
    if (!json_is_integer(v) || !out) {
        return ES_ERR_FORMAT_STRUCTURE;
    }
    *out = (int64_t)json_integer_value(v);
    return ES_OK;
}

static const char *env_str(const es_sdoc *doc, const char *key)
{
    const char *s = doc ? json_string_value(json_object_get(doc->env, key)) : NULL;
    return s ? s : "";
}

const char *es_sdoc_signer_serial(const es_sdoc *doc) { return env_str(doc, "signer"); }
const char *es_sdoc_signer_subject(const es_sdoc *doc) { return env_str(doc, "signer_subject"); }

int es_sdoc_signer_cert(es_ctx *ctx, const es_sdoc *doc, es_cert **out)
{
    uint8_t *der = NULL;
    size_t n = 0;
    *out = NULL;
    const char *s = doc ? json_string_value(json_object_get(doc->env, "signer_cert")) : NULL;
    if (!s) {
        return es_ctx_take_error(ctx, ES_RESULT_OK);
    }
    es_result r = es_b64_decode(s, &der, &n);
    if (es_is_err(r)) {
        es_error_prefix("signed document: signer_cert");
        return es_ctx_take_error(ctx, r);
    }
    int rc = es_cert_from_der(ctx, der, n, out);
    es_free(der);
    return rc;
}

int es_base64_encode(const uint8_t *p, size_t n, char **out)
{
    if (!out || (!p && n)) {
        return ES_ERR_USAGE_NULL;
    }
    return es_b64_encode(p, n, out).rc;
}

int es_base64_decode(const char *s, uint8_t **out, size_t *out_len)
{
    if (!s || !out || !out_len) {
        return ES_ERR_USAGE_NULL;
    }
    return es_b64_decode(s, out, out_len).rc;
}
