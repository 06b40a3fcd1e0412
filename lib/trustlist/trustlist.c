/*
 * lib/trustlist/trustlist.c - reading trust list content and answering
 * "was this maker / CA / TSA / platform recognised at time t" (see
 * eseal/trustlist.h and docs/trustlist.md). The signature and signer checks
 * are in trustlist_verify.c.
 */
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "trustlist/trustlist_int.h"

static const char *const k_kinds[] = {"maker", "ca", "tsa", "platform"};
static const char *const k_status[] = {"not-listed", "recognised", "withdrawn",
                                       "not-yet-recognised"};

const char *es_tl_kind_name(es_tl_kind k)
{
    return k >= ES_TL_MAKER && k < ES_TL_KIND_LAST_ ? k_kinds[k] : "unknown";
}

const char *es_tl_status_name(es_tl_status s)
{
    return s >= ES_TL_NOT_LISTED && s < ES_TL_STATUS_LAST_ ? k_status[s] : "unknown";
}

void es_tl_cert_id(const es_cert *cert, char out[65])
{
    uint8_t h[32];
    es_bytes der = es_cert_der(cert);
    es_sm3(der.ptr, der.len, h);
    es_hex_encode(h, sizeof(h), out);
}

void es_trustlist_free(es_trustlist *tl)
{
    if (!tl) {
        return;
    }
    for (size_t i = 0; i < tl->n; i++) {
        es_free(tl->e[i].name);
        es_cert_free(tl->e[i].cert);
        es_free(tl->e[i].node);
        es_free(tl->e[i].url);
    }
    es_free(tl->e);
    es_free(tl->region);
    es_cert_free(tl->signer);
    es_free(tl);
}

static ES_RESULT dup_str(const char *s, char **out)
{
    *out = es_strdup(s);
    ES_ENSURE(*out, ES_ERR_NOMEM);
    return ES_RESULT_OK;
}

/* A certificate member (base64 DER). */
static ES_RESULT json_cert(const json_t *o, const char *what, const char *key, es_cert **out)
{
    const char *s = NULL;
    uint8_t *der = NULL;
    size_t n = 0;
    ES_GUARD(es_json_str(o, what, key, &s));
    es_result r = es_b64_decode(s, &der, &n);
    if (es_is_err(r)) {
        es_error_prefix("%s: %s", what, key);
        return r;
    }
    es_ctx *ctx = es_ctx_new();
    int rc = ctx ? es_cert_from_der(ctx, der, n, out) : ES_ERR_NOMEM;
    es_free(der);
    if (rc != ES_OK) {
        r = es_error_set(ES_ERR_CRYPTO_CERT, __FILE__, __LINE__, "%s: %s is not a certificate: %s",
                         what, key, ctx ? es_ctx_errmsg(ctx) : "out of memory");
    }
    es_ctx_free(ctx);
    return r;
}

static ES_RESULT read_history(const json_t *a, const char *what, struct es_tl_entry *e)
{
    ES_ENSURE_MSG(json_is_array(a) && json_array_size(a) > 0, ES_ERR_FORMAT_STRUCTURE,
                  "%s: \"history\" must be a non-empty array", what);
    ES_ENSURE_MSG(json_array_size(a) <= ES_TRUSTLIST_MAX_HISTORY, ES_ERR_LIMIT_COUNT,
                  "%s: more than %d history periods", what, ES_TRUSTLIST_MAX_HISTORY);
    for (size_t j = 0; j < json_array_size(a); j++) {
        const json_t *p = json_array_get(a, j);
        char pw[160];
        const char *st = NULL;
        snprintf(pw, sizeof(pw), "%s history[%zu]", what, j);
        ES_ENSURE_MSG(json_is_object(p), ES_ERR_FORMAT_STRUCTURE, "%s is not an object", pw);
        ES_GUARD(es_json_str(p, pw, "status", &st));
        struct es_tl_period *q = &e->hist[j];
        if (strcmp(st, "recognised") == 0) {
            q->status = ES_TL_RECOGNISED;
        } else if (strcmp(st, "withdrawn") == 0) {
            q->status = ES_TL_WITHDRAWN;
        } else {
            ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE,
                        "%s: status \"%.40s\" is neither recognised nor withdrawn", pw, st);
        }
        ES_GUARD(es_json_time(p, pw, "from", &q->from));
        /* periods in time order, so that "the last period starting at or
         * before t" is well defined */
        ES_ENSURE_MSG(j == 0 || q->from > e->hist[j - 1].from, ES_ERR_FORMAT_STRUCTURE,
                      "%s: periods must be in strictly increasing time order", pw);
        e->n_hist = j + 1;
    }
    return ES_RESULT_OK;
}

static ES_RESULT read_entry(const json_t *o, size_t i, struct es_tl_entry *e)
{
    char what[96];
    const char *kind = NULL, *name = NULL;
    snprintf(what, sizeof(what), "trust list entries[%zu]", i);
    ES_ENSURE_MSG(json_is_object(o), ES_ERR_FORMAT_STRUCTURE, "%s is not an object", what);
    ES_GUARD(es_json_str(o, what, "kind", &kind));
    ES_GUARD(es_json_str(o, what, "name", &name));
    size_t k = 0;
    while (k < ES_TL_KIND_LAST_ && strcmp(kind, k_kinds[k]) != 0) {
        k++;
    }
    ES_ENSURE_MSG(k < ES_TL_KIND_LAST_, ES_ERR_FORMAT_STRUCTURE,
                  "%s: kind \"%.40s\" is not maker, ca, tsa or platform", what, kind);
    e->kind = (es_tl_kind)k;
    ES_GUARD(dup_str(name, &e->name));
    ES_GUARD(json_cert(o, what, "cert", &e->cert));
    if (e->kind == ES_TL_PLATFORM) {
        const char *node = NULL, *url = NULL;
        ES_GUARD(es_json_str(o, what, "node", &node));
        ES_GUARD(es_json_str(o, what, "url", &url));
        ES_GUARD(dup_str(node, &e->node));
        ES_GUARD(dup_str(url, &e->url));
    }
    ES_GUARD(read_history(json_object_get(o, "history"), what, e));
    return ES_RESULT_OK;
}

ES_RESULT es_tl_from_content(const json_t *c, int64_t now, es_trustlist **out)
{
    static const char *what = "trust list";
    const char *type = NULL, *region = NULL;
    es_result res = ES_RESULT_OK;
    *out = NULL;
    ES_GUARD(es_json_str(c, what, "type", &type));
    ES_ENSURE_MSG(strcmp(type, ES_TRUSTLIST_TYPE) == 0, ES_ERR_FORMAT_STRUCTURE,
                  "%s: type is \"%.60s\", not " ES_TRUSTLIST_TYPE, what, type);
    ES_GUARD(es_json_str(c, what, "region", &region));
    es_trustlist *tl = es_calloc(1, sizeof(*tl));
    ES_ENSURE(tl, ES_ERR_NOMEM);
    ES_GUARD_GOTO(dup_str(region, &tl->region));
    ES_GUARD_GOTO(es_json_int(c, what, "seq", &tl->seq));
    ES_GUARD_GOTO(es_json_time(c, what, "issued", &tl->issued));
    ES_GUARD_GOTO(es_json_time(c, what, "next_update", &tl->next_update));
    if (tl->next_update <= tl->issued) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "%s: next_update is not after issued", what);
    }
    const json_t *a = json_object_get(c, "entries");
    if (!json_is_array(a)) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_STRUCTURE, "%s: \"entries\" is missing or not an array",
                     what);
    }
    if (json_array_size(a) > ES_TRUSTLIST_MAX_ENTRIES) {
        ES_FAIL_GOTO(ES_ERR_LIMIT_COUNT, "%s: more than %d entries", what,
                     ES_TRUSTLIST_MAX_ENTRIES);
    }
    if (json_array_size(a) > 0) {
        tl->e = es_calloc(json_array_size(a), sizeof(*tl->e));
        if (!tl->e) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        tl->n = i + 1;
        ES_GUARD_GOTO(read_entry(json_array_get(a, i), i, &tl->e[i]));
    }
    tl->stale = (now ? now : (int64_t)time(NULL)) > tl->next_update;
out:
    if (es_is_err(res)) {
        es_trustlist_free(tl);
        return res;
    }
    *out = tl;
    return ES_RESULT_OK;
}

/* ---- accessors ---- */

int es_trustlist_verified(const es_trustlist *tl) { return tl && tl->verified; }
int es_trustlist_is_stale(const es_trustlist *tl) { return tl && tl->stale; }
const char *es_trustlist_region(const es_trustlist *tl) { return tl ? tl->region : ""; }
int64_t es_trustlist_seq(const es_trustlist *tl) { return tl ? tl->seq : 0; }
int64_t es_trustlist_issued(const es_trustlist *tl) { return tl ? tl->issued : 0; }
int64_t es_trustlist_next_update(const es_trustlist *tl) { return tl ? tl->next_update : 0; }
const es_cert *es_trustlist_signer(const es_trustlist *tl) { return tl ? tl->signer : NULL; }
size_t es_trustlist_rotations(const es_trustlist *tl) { return tl ? tl->n_rotations : 0; }
size_t es_trustlist_count(const es_trustlist *tl) { return tl ? tl->n : 0; }

int es_trustlist_entry(const es_trustlist *tl, size_t i, es_tl_kind *out_kind,
                       const char **out_name, const es_cert **out_cert, const char **out_node,
                       const char **out_url)
{
    if (!tl || i >= tl->n) {
        return ES_ERR_USAGE_ARG;
    }
    const struct es_tl_entry *e = &tl->e[i];
    if (out_kind) {
        *out_kind = e->kind;
    }
    if (out_name) {
        *out_name = e->name;
    }
    if (out_cert) {
        *out_cert = e->cert;
    }
    if (out_node) {
        *out_node = e->node;
    }
    if (out_url) {
        *out_url = e->url;
    }
    return ES_OK;
}

size_t es_trustlist_history_count(const es_trustlist *tl, size_t i)
{
    return tl && i < tl->n ? tl->e[i].n_hist : 0;
}

int es_trustlist_history(const es_trustlist *tl, size_t i, size_t j, es_tl_status *out_status,
                         int64_t *out_from)
{
    if (!tl || i >= tl->n || j >= tl->e[i].n_hist) {
        return ES_ERR_USAGE_ARG;
    }
    if (out_status) {
        *out_status = tl->e[i].hist[j].status;
    }
    if (out_from) {
        *out_from = tl->e[i].hist[j].from;
    }
    return ES_OK;
}

static es_tl_status entry_status_at(const struct es_tl_entry *e, int64_t t, int64_t *since)
{
    size_t j = e->n_hist;
    while (j > 0 && e->hist[j - 1].from > t) {
        j--;
    }
    if (j == 0) {
        *since = e->hist[0].from;
        return ES_TL_NOT_YET;
    }
    *since = e->hist[j - 1].from;
    return e->hist[j - 1].status;
}

/* The status at t of the entries of `kind` matching by exact certificate
 * (cert, !issuer), by subject equal to cert's issuer (cert, issuer), or by
 * subject equal to `subject` (cert NULL). A recognised match wins over any
 * other; otherwise the first match decides. */
static es_tl_status find_status(const es_trustlist *tl, es_tl_kind kind, const es_cert *cert,
                                int issuer, const char *subject, int64_t t, int64_t *out_since,
                                size_t *out_entry)
{
    es_tl_status best = ES_TL_NOT_LISTED;
    int64_t best_since = 0;
    size_t best_i = 0;
    es_bytes der = {NULL, 0};
    if (cert) {
        der = es_cert_der(cert);
    }
    for (size_t i = 0; i < tl->n; i++) {
        const struct es_tl_entry *e = &tl->e[i];
        if (e->kind != kind) {
            continue;
        }
        bool match;
        if (!cert) {
            match = strcmp(es_cert_subject(e->cert), subject) == 0;
        } else if (issuer) {
            match = strcmp(es_cert_subject(e->cert), es_cert_issuer(cert)) == 0;
        } else {
            es_bytes d = es_cert_der(e->cert);
            match = d.len == der.len && memcmp(d.ptr, der.ptr, d.len) == 0;
        }
        if (!match) {
            continue;
        }
        int64_t since = 0;
        es_tl_status s = entry_status_at(e, t, &since);
        if (best == ES_TL_NOT_LISTED || (s == ES_TL_RECOGNISED && best != ES_TL_RECOGNISED)) {
            best = s;
            best_since = since;
            best_i = i;
        }
    }
    if (out_since) {
        *out_since = best_since;
    }
    if (out_entry) {
        *out_entry = best_i;
    }
    return best;
}

es_tl_status es_trustlist_status_at(const es_trustlist *tl, es_tl_kind kind,
                                    const es_cert *cert, int issuer, int64_t t,
                                    int64_t *out_since, size_t *out_entry)
{
    if (!tl || !cert) {
        return ES_TL_NOT_LISTED;
    }
    return find_status(tl, kind, cert, issuer, NULL, t, out_since, out_entry);
}

es_tl_status es_tl_status_by_subject(const es_trustlist *tl, es_tl_kind kind,
                                     const char *subject, int64_t t, int64_t *out_since,
                                     size_t *out_entry)
{
    if (!tl || !subject || !subject[0]) {
        return ES_TL_NOT_LISTED;
    }
    return find_status(tl, kind, NULL, 0, subject, t, out_since, out_entry);
}

long es_trustlist_find_platform(const es_trustlist *tl, const char *serial_hex)
{
    if (!tl || !serial_hex) {
        return -1;
    }
    for (size_t i = 0; i < tl->n; i++) {
        if (tl->e[i].kind == ES_TL_PLATFORM &&
            strcasecmp(es_cert_serial_hex(tl->e[i].cert), serial_hex) == 0) {
            return (long)i;
        }
    }
    return -1;
}

int es_trustlist_add_to_trust(es_ctx *ctx, const es_trustlist *tl, es_trust *trust)
{
    if (!tl || !trust) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "es_trustlist_add_to_trust: no list"));
    }
    for (size_t i = 0; i < tl->n; i++) {
        if (tl->e[i].kind == ES_TL_PLATFORM) {
            continue;
        }
        /* makers and CAs the list names are recognised by the reader: they
         * end a chain even when not self-signed; a TSA's chain still goes
         * to a root (its recognition is judged by subject at genTime) */
        int rc = tl->e[i].kind == ES_TL_TSA
                     ? es_trust_add_cert(ctx, trust, tl->e[i].cert)
                     : es_trust_add_anchor_partial(ctx, trust, tl->e[i].cert);
        if (rc != ES_OK) {
            return rc;
        }
    }
    return es_ctx_take_error(ctx, ES_RESULT_OK);
}
