/*
 * lib/sdoc/sdoc_sign.c - making signed JSON envelopes (see eseal/sdoc.h):
 * the same shape eseald's platform writes, plus the signer's certificate so
 * that a document carried alone (a trust list, a status answer embedded in a
 * seal signature) names the key that signed it.
 */
#include "crypto/crypto.h"
#include "sdoc/sdoc_int.h"

ES_RESULT es_sdoc_sign_int(const es_key *key, const es_cert *cert, const char *tbs, size_t len,
                           char **out, size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    json_t *content = NULL;
    json_t *env = NULL;
    char *t64 = NULL;
    char *s64 = NULL;
    char *c64 = NULL;
    char *text = NULL;
    ES_ENSURE_MSG(key && cert && tbs && out && out_len, ES_ERR_USAGE_NULL,
                  "es_sdoc_sign: missing argument");
    *out = NULL;
    *out_len = 0;
    if (!es_key_matches_cert(key, cert)) {
        ES_FAIL_GOTO(ES_ERR_POLICY_KEY_MISMATCH, "the key is not the one of %s",
                     es_cert_subject(cert));
    }
    ES_GUARD_GOTO(es_json_load((const uint8_t *)tbs, len, "the content to sign", &content));
    uint8_t sig[72];
    size_t sig_len = 0;
    ES_GUARD_GOTO(es_sm2_sign_msg(key, (const uint8_t *)tbs, len, sig, &sig_len));
    es_bytes der = es_cert_der(cert);
    ES_GUARD_GOTO(es_b64_encode((const uint8_t *)tbs, len, &t64));
    ES_GUARD_GOTO(es_b64_encode(sig, sig_len, &s64));
    ES_GUARD_GOTO(es_b64_encode(der.ptr, der.len, &c64));
    env = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "alg", "SM2-with-SM3", "tbs", t64,
                    "signature", s64, "signer", es_cert_serial_hex(cert), "signer_subject",
                    es_cert_subject(cert), "signer_cert", c64, "content", content);
    if (!env) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "building the envelope failed");
    }
    ES_GUARD_GOTO(es_json_dump(env, JSON_COMPACT | JSON_SORT_KEYS, &text));
    *out_len = strlen(text);
    *out = text;
    text = NULL;
out:
    es_free(text);
    json_decref(env);
    json_decref(content);
    es_free(t64);
    es_free(s64);
    es_free(c64);
    return res;
}

int es_sdoc_sign(es_ctx *ctx, const es_key *key, const es_cert *cert, const char *tbs,
                 size_t len, char **out, size_t *out_len)
{
    return es_ctx_take_error(ctx, es_sdoc_sign_int(key, cert, tbs, len, out, out_len));
}
