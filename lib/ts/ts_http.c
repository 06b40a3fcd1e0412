/*
 * lib/ts/ts_http.c - an RFC 3161 client over HTTP (RFC 3161 §3.4): one POST
 * of a TimeStampReq as application/timestamp-query, one TimeStampResp back as
 * application/timestamp-reply. The HTTP work is libcurl's (Debian's
 * libcurl4-openssl-dev; docs/timestamps.md says why it is not hand-written);
 * what this file adds is the policy: bounded time, a bounded answer, the
 * content type, and the checks that the answer belongs to this request
 * (status granted, nonce and imprint echoed, signature by the certificate
 * in the token). Every failure is ES_ERR_IO_REMOTE with a sentence saying
 * what the TSA did, so that callers can tell "no time stamp" from bad input.
 *
 * Built without libcurl (ES_HAVE_CURL unset), the functions exist and answer
 * ES_ERR_CRYPTO_UNSUPPORTED.
 */
#include <pthread.h>
#include <stdio.h>
#include <strings.h>

#include "base/ctx_int.h"
#include "ts/ts_int.h"

#ifdef ES_HAVE_CURL
#include <curl/curl.h>

#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_CONNECT_MS 5000L
#define DEFAULT_MAX_RESPONSE ((size_t)256 * 1024)
#define NONCE_LEN 8

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init = CURLE_FAILED_INIT;

static void curl_init_once(void) { g_curl_init = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* The answer, bounded: the write callback refuses bytes past the cap, which
 * makes libcurl stop the transfer (CURLE_WRITE_ERROR). */
struct sink {
    struct es_buf buf;
    size_t cap;
    bool too_big;
};

static size_t sink_write(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    if (len > s->cap - s->buf.len) {
        s->too_big = true;
        return 0;
    }
    if (es_is_err(es_buf_append(&s->buf, p, len))) {
        es_error_clear();
        return 0;
    }
    return len;
}

/* "application/timestamp-reply", parameters allowed; also the old
 * "application/timestamp-response" some servers still send. */
static bool reply_type(const char *ct)
{
    static const char *const ok[] = {"application/timestamp-reply",
                                     "application/timestamp-response"};
    if (!ct) {
        return false;
    }
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        size_t n = strlen(ok[i]);
        if (strncasecmp(ct, ok[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ')) {
            return true;
        }
    }
    return false;
}

/* POSTs req to url; the answer's body into s. */
static es_result post(const es_ts_http_opts *o, const uint8_t *req, size_t req_len,
                      struct sink *s)
{
    es_result res = ES_RESULT_OK;
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = NULL;
    CURL *h = NULL;
    pthread_once(&g_curl_once, curl_init_once);
    ES_ENSURE_MSG(g_curl_init == CURLE_OK, ES_ERR_INTERNAL, "libcurl cannot start");
    h = curl_easy_init();
    struct curl_slist *h1 = curl_slist_append(NULL, "Content-Type: application/timestamp-query");
    hdr = h1 ? curl_slist_append(h1, "Accept: application/timestamp-reply") : NULL;
    if (!hdr) {
        curl_slist_free_all(h1);
    }
    if (!h || !hdr) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    long timeout = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    long connect = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
    if (connect > timeout) {
        connect = timeout;
    }
    CURLcode cc = CURLE_OK;
#define SET(opt, val) \
    if (cc == CURLE_OK) cc = curl_easy_setopt(h, opt, val)
    SET(CURLOPT_URL, o->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for time-outs */
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_POSTFIELDS, (const char *)req);
    SET(CURLOPT_POSTFIELDSIZE, (long)req_len);
    SET(CURLOPT_HTTPHEADER, hdr);
    SET(CURLOPT_TIMEOUT_MS, timeout);
    SET(CURLOPT_CONNECTTIMEOUT_MS, connect);
    SET(CURLOPT_FOLLOWLOCATION, 0L); /* a TSA that moved is a configuration error */
    SET(CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->cap);
    SET(CURLOPT_WRITEFUNCTION, sink_write);
    SET(CURLOPT_WRITEDATA, s);
    SET(CURLOPT_USERAGENT, "libeseal-tsa-client");
#undef SET
    if (cc != CURLE_OK) {
        ES_FAIL_GOTO(ES_ERR_USAGE_ARG, "the TSA URL '%s' cannot be used: %s", o->url,
                     curl_easy_strerror(cc));
    }
    cc = curl_easy_perform(h);
    if (s->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        ES_FAIL_GOTO(ES_ERR_IO_REMOTE, "the TSA at %s answered more than %zu bytes", o->url,
                     s->cap);
    }
    if (cc == CURLE_OPERATION_TIMEDOUT) {
        ES_FAIL_GOTO(ES_ERR_IO_REMOTE, "the TSA at %s did not answer within %ld ms", o->url,
                     timeout);
    }
    if (cc != CURLE_OK) {
        ES_FAIL_GOTO(ES_ERR_IO_REMOTE, "the TSA at %s did not answer: %s", o->url,
                     errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
    long status = 0;
    char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    if (status != 200) {
        ES_FAIL_GOTO(ES_ERR_IO_REMOTE, "the TSA at %s answered HTTP %ld", o->url, status);
    }
    if (!reply_type(ct)) {
        ES_FAIL_GOTO(ES_ERR_IO_REMOTE,
                     "the TSA at %s answered %s, not application/timestamp-reply", o->url,
                     ct ? ct : "without a Content-Type");
    }
out:
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return res;
}

static es_result http_stamp(const es_ts_http_opts *o, const uint8_t digest[32], uint8_t **out,
                            size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    uint8_t nonce[NONCE_LEN], *req = NULL;
    size_t req_len = 0;
    struct sink s = {.cap = o && o->max_response ? o->max_response : DEFAULT_MAX_RESPONSE};
    es_buf_init(&s.buf, s.cap);
    ES_ENSURE_REF(o);
    ES_ENSURE_REF(digest);
    ES_ENSURE_MSG(o->url && o->url[0], ES_ERR_USAGE_ARG, "no TSA URL");
    ES_GUARD_GOTO((es_result){es_ts_nonce(NULL, nonce, sizeof(nonce))});
    es_ts_req_params p = {.digest = digest, .digest_len = 32, .policy = o->policy,
                          .nonce = nonce, .nonce_len = sizeof(nonce), .cert_req = 1};
    ES_GUARD_GOTO((es_result){es_ts_request(NULL, &p, &req, &req_len)});
    ES_GUARD_GOTO(post(o, req, req_len, &s));
    /* the answer must be for this request: granted, our nonce, our imprint,
     * signed by the certificate it carries */
    es_ts_verify_opts vo = {.nonce = nonce, .nonce_len = sizeof(nonce), .no_chain = 1};
    es_ts_info info;
    struct es_ts_resp r;
    ES_GUARD_GOTO((es_result){es_ts_verify_response(NULL, &vo, s.buf.ptr, s.buf.len, NULL, 0,
                                                    digest, 32, &info)});
    if (info.status != ES_TS_VALID) {
        ES_FAIL_GOTO(ES_ERR_IO_REMOTE, "the TSA at %s gave no usable token: %s (%s)", o->url,
                     info.detail, info.reason);
    }
    ES_GUARD_GOTO(es_ts_resp_parse(s.buf.ptr, s.buf.len, &r));
    *out = es_malloc(r.token.len);
    if (!*out) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    memcpy(*out, r.token.ptr, r.token.len);
    *out_len = r.token.len;
out:
    es_free(req);
    es_buf_free(&s.buf);
    return res;
}

#else /* !ES_HAVE_CURL */

static es_result http_stamp(const es_ts_http_opts *o, const uint8_t digest[32], uint8_t **out,
                            size_t *out_len)
{
    (void)o;
    (void)digest;
    (void)out;
    (void)out_len;
    ES_BAIL_MSG(ES_ERR_CRYPTO_UNSUPPORTED,
                "this libeseal was built without libcurl: it cannot ask a TSA over HTTP");
}

#endif

int es_ts_http_stamp(es_ctx *ctx, const es_ts_http_opts *opts, const uint8_t digest[32],
                     uint8_t **out_token, size_t *out_len)
{
    *out_token = NULL;
    *out_len = 0;
    return es_ctx_take_error(ctx, http_stamp(opts, digest, out_token, out_len));
}

int es_ts_http_stamp_cb(void *arg, const uint8_t digest[32], uint8_t **out_token,
                        size_t *out_len)
{
    *out_token = NULL;
    *out_len = 0;
    /* no context: the message stays in the thread's error slot for es_sign */
    return http_stamp((const es_ts_http_opts *)arg, digest, out_token, out_len).rc;
}
