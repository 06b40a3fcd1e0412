/*
 * lib/sdoc/sdoc_status.c - reading an eseald status answer (content type
 * eseal-status/1): the fields a signer checks before embedding it and a
 * verifier checks after (lib/seal/sig_encode.c, lib/verify/verify_status.c).
 */
#include "sdoc/sdoc_int.h"

ES_RESULT es_status_answer_read(const uint8_t *p, size_t n, struct es_status_answer *out)
{
    static const char *what = "status answer";
    const char *type = NULL;
    es_result res = ES_RESULT_OK;
    memset(out, 0, sizeof(*out));
    res = es_sdoc_parse(p, n, &out->doc);
    if (es_is_err(res)) {
        es_error_prefix("%s", what);
        return res;
    }
    const json_t *c = es_sdoc_content(out->doc);
    ES_GUARD_GOTO(es_json_str(c, what, "type", &type));
    if (strcmp(type, "eseal-status/1") != 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "%s: type is \"%.60s\", not eseal-status/1", what,
                     type);
    }
    ES_GUARD_GOTO(es_json_str(c, what, "esid", &out->esid));
    ES_GUARD_GOTO(es_json_str(c, what, "status", &out->status));
    ES_GUARD_GOTO(es_json_time(c, what, "this_update", &out->this_update));
    ES_GUARD_GOTO(es_json_time(c, what, "next_update", &out->next_update));
    out->log = json_object_get(c, "log");
out:
    if (es_is_err(res)) {
        es_status_answer_clear(out);
    }
    return res;
}

void es_status_answer_clear(struct es_status_answer *a)
{
    es_sdoc_free(a->doc);
    memset(a, 0, sizeof(*a));
}
