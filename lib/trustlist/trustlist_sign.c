/*
 * lib/trustlist/trustlist_sign.c - signing a trust list, and handing the
 * signer over to a new key (a rotation statement signed by the previous
 * key). See eseal/trustlist.h and docs/trustlist.md.
 */
#include <time.h>

#include "der/der.h"
#include "trustlist/trustlist_int.h"

/* A rotation statement from prev_cert to cert, signed by prev_key. */
static ES_RESULT make_rotation(const char *region, const es_key *prev_key,
                               const es_cert *prev_cert, const es_cert *cert, int64_t now,
                               json_t **out)
{
    char from[65], at[21];
    char *c64 = NULL;
    char *text = NULL;
    char *env = NULL;
    size_t env_len = 0;
    json_t *st = NULL;
    es_result res = ES_RESULT_OK;
    es_tl_cert_id(prev_cert, from);
    es_time_format(now, at);
    es_bytes der = es_cert_der(cert);
    ES_GUARD(es_b64_encode(der.ptr, der.len, &c64));
    st = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", ES_TRUSTLIST_ROTATION_TYPE, "region", region,
                   "from", from, "to_cert", c64, "at", at);
    if (!st) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    ES_GUARD_GOTO(es_json_dump(st, JSON_COMPACT | JSON_SORT_KEYS, &text));
    res = es_sdoc_sign_int(prev_key, prev_cert, text, strlen(text), &env, &env_len);
    if (es_is_err(res)) {
        es_error_prefix("rotation statement");
        goto out;
    }
    ES_GUARD_GOTO(es_json_load((const uint8_t *)env, env_len, "rotation statement", out));
out:
    es_free(c64);
    es_free(text);
    es_free(env);
    json_decref(st);
    return res;
}

int es_trustlist_sign(es_ctx *ctx, const char *content, size_t len, const es_key *key,
                      const es_cert *cert, const es_key *prev_key, const es_cert *prev_cert,
                      int64_t now, char **out, size_t *out_len)
{
    json_t *c = NULL;
    json_t *rot = NULL;
    char *c64 = NULL;
    char *text = NULL;
    es_trustlist *check = NULL;
    es_result res = ES_RESULT_OK;
    if (!content || !key || !cert || !out || !out_len || (!prev_key != !prev_cert)) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "es_trustlist_sign: missing argument (the "
                                                   "previous key and certificate go together)"));
    }
    *out = NULL;
    if (!now) {
        now = (int64_t)time(NULL);
    }
    ES_GUARD_GOTO(es_json_load((const uint8_t *)content, len, "trust list content", &c));
    if (json_object_set_new(c, "type", json_string(ES_TRUSTLIST_TYPE)) != 0) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    es_bytes der = es_cert_der(cert);
    ES_GUARD_GOTO(es_b64_encode(der.ptr, der.len, &c64));
    if (json_object_set_new(c, "signer_cert", json_string(c64)) != 0) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    /* the content must read as a list before anyone signs it */
    ES_GUARD_GOTO(es_tl_from_content(c, now, &check));
    if (prev_key) {
        if (!es_key_matches_cert(prev_key, prev_cert)) {
            ES_FAIL_GOTO(ES_ERR_POLICY_KEY_MISMATCH,
                         "the previous key is not the one of the previous certificate %s",
                         es_cert_subject(prev_cert));
        }
        rot = json_object_get(c, "rotation");
        if (!rot && json_object_set_new(c, "rotation", json_array()) != 0) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
        rot = json_object_get(c, "rotation");
        if (!json_is_array(rot)) {
            ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "trust list: \"rotation\" is not an array");
        }
        json_t *st = NULL;
        ES_GUARD_GOTO(make_rotation(check->region, prev_key, prev_cert, cert, now, &st));
        if (json_array_append_new(rot, st) != 0) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
    }
    ES_GUARD_GOTO(es_json_dump(c, JSON_COMPACT | JSON_SORT_KEYS, &text));
    ES_GUARD_GOTO(es_sdoc_sign_int(key, cert, text, strlen(text), out, out_len));
out:
    es_free(text);
    es_free(c64);
    json_decref(c);
    es_trustlist_free(check);
    return es_ctx_take_error(ctx, res);
}
