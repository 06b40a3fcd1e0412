/*
 * server/federation_config.c - a node's federation settings (role, node
 * id, the national node, the trusted peers with their platform
 * certificates), the peer table loaded from them, and the checks every
 * federation message goes through: a document signed by a configured peer.
 * Nodes authenticate each other by these signatures, never by passwords.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "federation.h"

static int set_uint(unsigned *dst, const char *v, unsigned max, const char *k, char *err,
                    size_t err_len)
{
    char *end = NULL;
    unsigned long x = strtoul(v, &end, 10);
    if (!*v || *end || x > max) {
        snprintf(err, err_len, "%s: expected a number up to %u", k, max);
        return -1;
    }
    *dst = (unsigned)x;
    return 0;
}

/* A node id: letters, digits, '-', '_', '.'; it names the node in log
 * entries, tree heads and event ids. */
static bool id_ok(const char *s)
{
    if (!*s || strlen(s) >= 64) {
        return false;
    }
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            return false;
        }
    }
    return true;
}

static int add_peer(struct es_fed_config *f, const char *v, char *err, size_t err_len)
{
    char id[256], url[512], cert[1024];
    if (sscanf(v, "%255s %511s %1023s", id, url, cert) != 3) {
        snprintf(err, err_len, "peer: expected \"ID URL CERT.pem\"");
        return -1;
    }
    if (!id_ok(id)) {
        snprintf(err, err_len, "peer: bad node id \"%.64s\" (letters, digits, - _ .)", id);
        return -1;
    }
    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
        snprintf(err, err_len, "peer %s: the URL must start with http:// or https://", id);
        return -1;
    }
    if (strlen(url) >= sizeof(f->peers[0].url) || strlen(cert) >= sizeof(f->peers[0].cert)) {
        snprintf(err, err_len, "peer %s: value too long", id);
        return -1;
    }
    for (unsigned i = 0; i < f->n_peers; i++) {
        if (!strcmp(f->peers[i].id, id)) {
            snprintf(err, err_len, "peer %s: listed twice", id);
            return -1;
        }
    }
    if (f->n_peers >= ES_FED_MAX_PEERS) {
        snprintf(err, err_len, "peer: at most %d peers", ES_FED_MAX_PEERS);
        return -1;
    }
    struct es_fed_peer_config *p = &f->peers[f->n_peers++];
    memcpy(p->id, id, strlen(id) + 1); /* id_ok: shorter than 64 */
    size_t ul = strlen(url);
    while (ul && url[ul - 1] == '/') {
        url[--ul] = '\0'; /* paths are appended as "/api/v1/..." */
    }
    memcpy(p->url, url, strlen(url) + 1); /* lengths checked above */
    memcpy(p->cert, cert, strlen(cert) + 1);
    return 0;
}

int es_fed_config_key(struct es_fed_config *f, const char *k, const char *v, char *err,
                      size_t err_len)
{
    if (!strcmp(k, "node_id") || !strcmp(k, "national")) {
        if (!id_ok(v)) {
            snprintf(err, err_len, "%s: bad node id \"%.64s\" (letters, digits, - _ .)", k, v);
            return -1;
        }
        snprintf(!strcmp(k, "node_id") ? f->node_id : f->national, sizeof(f->node_id), "%s", v);
        return 0;
    }
    if (!strcmp(k, "role")) {
        if (!strcmp(v, "standalone")) {
            f->role = ES_NODE_STANDALONE;
        } else if (!strcmp(v, "national")) {
            f->role = ES_NODE_NATIONAL;
        } else if (!strcmp(v, "subcentre") || !strcmp(v, "sub-centre")) {
            f->role = ES_NODE_SUBCENTRE;
        } else {
            snprintf(err, err_len, "role: expected national, subcentre or standalone");
            return -1;
        }
        return 0;
    }
    if (!strcmp(k, "peer")) {
        return add_peer(f, v, err, err_len);
    }
    if (!strcmp(k, "fed_timeout_ms")) {
        return set_uint(&f->timeout_ms, v, 60000, k, err, err_len);
    }
    if (!strcmp(k, "fed_poll_s")) {
        return set_uint(&f->poll_s, v, 86400, k, err, err_len);
    }
    if (!strcmp(k, "fed_retry_max_s")) {
        return set_uint(&f->retry_max_s, v, 86400, k, err, err_len);
    }
    return 1;
}

int es_fed_init(struct es_app *app, char *err, size_t err_len)
{
    struct es_fed_config *f = &app->cfg.fed;
    if (!f->node_id[0]) {
        snprintf(f->node_id, sizeof(f->node_id), "%s", "local");
    }
    if (!f->timeout_ms) {
        f->timeout_ms = 2000;
    }
    if (!f->poll_s) {
        f->poll_s = 30;
    }
    if (!f->retry_max_s) {
        f->retry_max_s = 300;
    }
    struct es_fed *fed = calloc(1, sizeof(*fed));
    if (!fed) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    app->fed = fed;
    fed->national = -1;
    pthread_mutex_init(&fed->cert_lock, NULL);
    pthread_mutex_init(&fed->sth_lock, NULL);
    pthread_mutex_init(&fed->wake_lock, NULL);
    pthread_cond_init(&fed->wake, NULL);
    fed->sth_size = -1;
    es_ctx *ctx = es_ctx_new();
    if (!ctx) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    int rc = 0;
    for (unsigned i = 0; i < f->n_peers && rc == 0; i++) {
        struct es_fed_peer *p = &fed->peer[fed->n_peers];
        p->cfg = &f->peers[i];
        if (!strcmp(p->cfg->id, f->node_id)) {
            snprintf(err, err_len, "peer %s: that is this node's own id", p->cfg->id);
            rc = -1;
        } else if (es_cert_load(ctx, p->cfg->cert, NULL, &p->cert) != ES_OK) {
            snprintf(err, err_len, "peer %s: certificate %s: %s", p->cfg->id, p->cfg->cert,
                     es_ctx_errmsg(ctx));
            rc = -1;
        } else {
            if (!strcmp(p->cfg->id, f->national)) {
                fed->national = (int)fed->n_peers;
            }
            p->sth_due = 1;
            fed->n_peers++;
        }
    }
    es_ctx_free(ctx);
    if (rc == 0 && f->role == ES_NODE_SUBCENTRE && fed->national < 0) {
        snprintf(err, err_len, "a sub-centre needs \"national = ID\" naming one of its peers%s",
                 f->national[0] ? " (no such peer)" : "");
        rc = -1;
    }
    if (rc == 0 && f->role != ES_NODE_SUBCENTRE && f->national[0]) {
        snprintf(err, err_len, "\"national\" is a setting of a sub-centre (role = subcentre)");
        rc = -1;
    }
    if (rc == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, err_len, "libcurl could not be initialised");
        rc = -1;
    }
    return rc;
}

void es_fed_free(struct es_app *app)
{
    struct es_fed *fed = app->fed;
    if (!fed) {
        return;
    }
    for (size_t i = 0; i < fed->n_peers; i++) {
        es_cert_free(fed->peer[i].cert);
    }
    free(fed->sth_text);
    pthread_mutex_destroy(&fed->cert_lock);
    pthread_mutex_destroy(&fed->sth_lock);
    pthread_mutex_destroy(&fed->wake_lock);
    pthread_cond_destroy(&fed->wake);
    free(fed);
    app->fed = NULL;
    curl_global_cleanup();
}

struct es_fed_peer *es_fed_peer_find(struct es_fed *fed, const char *id)
{
    for (size_t i = 0; id && i < fed->n_peers; i++) {
        if (!strcmp(fed->peer[i].cfg->id, id)) {
            return &fed->peer[i];
        }
    }
    return NULL;
}

json_t *es_fed_check_signed(struct es_fed *fed, const es_cert *cert, json_t *doc)
{
    json_t *tbs = NULL;
    es_check_signed_by(cert, &fed->cert_lock, doc, &tbs);
    return tbs;
}

json_t *es_fed_check_peer_doc(struct es_fed *fed, json_t *doc, const char *type,
                              struct es_fed_peer **out_peer, char *why, size_t why_len)
{
    *out_peer = NULL;
    /* the claimed signer names the certificate to check against; the claim
     * is then confirmed by the verified content */
    const char *node = json_string_value(json_object_get(json_object_get(doc, "content"), "node"));
    struct es_fed_peer *p = es_fed_peer_find(fed, node);
    if (!p) {
        snprintf(why, why_len, "signed by \"%.64s\", which is not a configured peer",
                 node ? node : "(no node)");
        return NULL;
    }
    json_t *c = es_fed_check_signed(fed, p->cert, doc);
    if (!c) {
        snprintf(why, why_len, "the signature of node %s does not verify", p->cfg->id);
        return NULL;
    }
    const char *t = json_string_value(json_object_get(c, "type"));
    const char *n = json_string_value(json_object_get(c, "node"));
    if (!t || strcmp(t, type) || !n || strcmp(n, p->cfg->id)) {
        snprintf(why, why_len, "node %s signed a document that is not %s from itself",
                 p->cfg->id, type);
        json_decref(c);
        return NULL;
    }
    *out_peer = p;
    return c;
}

/* ---- HTTP client ---- */

struct buf {
    char *p;
    size_t n;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
    struct buf *b = arg;
    size_t add = size * nmemb;
    if (b->n + add > 8u * 1024 * 1024) {
        return 0; /* a peer's answer is small; refuse a flood */
    }
    char *np = realloc(b->p, b->n + add + 1);
    if (!np) {
        return 0;
    }
    memcpy(np + b->n, data, add);
    b->n += add;
    np[b->n] = '\0';
    b->p = np;
    return add;
}

long es_fed_http(const char *method, const char *url, const char *body, unsigned timeout_ms,
                 char **out, size_t *out_len, char *err, size_t err_len)
{
    *out = NULL;
    *out_len = 0;
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, err_len, "libcurl: out of memory");
        return 0;
    }
    struct buf b = {NULL, 0};
    struct curl_slist *hdr = NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    if (body) {
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    long status = 0;
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        *out = b.p ? b.p : strdup("");
        *out_len = b.n;
        b.p = NULL;
    } else {
        snprintf(err, err_len, "%s: %s", url, curl_easy_strerror(rc));
    }
    free(b.p);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

/* ---- hex ---- */

void es_fed_hex(const uint8_t *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int es_fed_unhex(const char *s, uint8_t *out, size_t n)
{
    if (!s || strlen(s) != 2 * n) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdef", s[2 * i]) ||
            !strchr("0123456789abcdef", s[2 * i + 1])) {
            return -1;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

int es_fed_path(json_t *arr, uint8_t (*path)[32], size_t *n)
{
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) > ES_TLOG_MAX_PATH) {
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (es_fed_unhex(json_string_value(v), path[i], 32) != 0) {
            return -1;
        }
    }
    *n = json_array_size(arr);
    return 0;
}
