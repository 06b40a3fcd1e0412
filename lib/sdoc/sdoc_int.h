/*
 * lib/sdoc/sdoc_int.h - signed JSON documents inside the library: the parsed
 * envelope, envelopes nested in other JSON (a status answer's tree head, a
 * trust list's rotation chain), base64 and JSON helpers shared by the
 * modules that read signed documents (lib/trustlist, lib/tlog, lib/verify).
 */
#ifndef ES_SDOC_INT_H
#define ES_SDOC_INT_H

#include <jansson.h>

#include "base/base.h"
#include "eseal/sdoc.h"

struct es_sdoc {
    json_t *env;     /* the envelope */
    json_t *content; /* parsed from the tbs bytes (not the envelope's copy) */
    uint8_t *tbs;
    size_t tbs_len;
    uint8_t *sig;
    size_t sig_len;
    bool checked;
};

/* Parses an envelope given as JSON (borrowed; a reference is kept). */
ES_RESULT es_sdoc_from_json(const json_t *env, struct es_sdoc **out);
ES_RESULT es_sdoc_parse(const uint8_t *doc, size_t len, struct es_sdoc **out);
ES_RESULT es_sdoc_check_sig(struct es_sdoc *d, const es_cert *signer);
/* es_sdoc_sign without a context (for library callers). */
ES_RESULT es_sdoc_sign_int(const es_key *key, const es_cert *cert, const char *tbs, size_t len,
                           char **out, size_t *out_len);
/* The signed content (borrowed, lives as long as d). */
const json_t *es_sdoc_content(const es_sdoc *d);

/* Base64 (RFC 4648, standard alphabet). OUT (owned, es_free). */
ES_RESULT es_b64_decode(const char *s, uint8_t **out, size_t *out_len);
ES_RESULT es_b64_encode(const uint8_t *p, size_t n, char **out);

/* Loads JSON text, refusing duplicate keys; names `what` in the message. */
ES_RESULT es_json_load(const uint8_t *p, size_t n, const char *what, json_t **out);
/* JSON text of j with json_dumpb flags, in library memory (es_free),
 * NUL-terminated: jansson's own json_dumps memory would need its free. */
ES_RESULT es_json_dump(const json_t *j, size_t flags, char **out);
/* Required members of an object, with a message naming `what` and `key`. */
ES_RESULT es_json_str(const json_t *o, const char *what, const char *key, const char **out);
ES_RESULT es_json_int(const json_t *o, const char *what, const char *key, int64_t *out);
/* A time member: RFC 3339 UTC text "YYYY-MM-DDTHH:MM:SSZ" or an integer
 * (seconds since the epoch, as eseald's status answers carry). */
ES_RESULT es_json_time(const json_t *o, const char *what, const char *key, int64_t *out);
/* 32 bytes from 64 lowercase or uppercase hex digits. */
ES_RESULT es_json_hash(const json_t *v, const char *what, uint8_t out[32]);

/* ---- status answers (eseal-status/1, docs/api.md) ---- */
struct es_status_answer {
    struct es_sdoc *doc; /* owned */
    const char *esid;    /* borrowed from doc */
    const char *status;
    int64_t this_update;
    int64_t next_update;
    const json_t *log; /* the optional "log" member, or NULL */
};
/* Reads a status answer envelope: type, esid, status and the window
 * (signature not checked). Free with es_status_answer_clear. */
ES_RESULT es_status_answer_read(const uint8_t *p, size_t n, struct es_status_answer *out);
void es_status_answer_clear(struct es_status_answer *a);

#endif
