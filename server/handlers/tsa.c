/*
 * server/handlers/tsa.c - the platform's time-stamp authority: RFC 3161 over
 * HTTP (§3.4), POST /api/v1/tsa with an application/timestamp-query body,
 * answered with an application/timestamp-reply. Public, as RFC 3161 TSAs
 * are: a token proves only that a digest existed at genTime, so a caller
 * needs no account, and standard clients (openssl ts, curl, other eseal
 * installations) can use it. The tokens are made by libeseal (eseal/ts.h).
 *
 * Which key signs (docs/timestamps.md "eseald"): tsa_key/tsa_cert when
 * configured (SM2, or ECDSA P-256 for interoperability tests); otherwise
 * the platform key with a TSA certificate that the platform's CA issued
 * (critical extendedKeyUsage timeStamping, valid as long as the platform
 * certificate), kept in tsa-cert.pem beside the master key and reused while
 * it fits, so that its identity is stable across restarts. Serial numbers: 128 random bits drawn at start-up
 * then a 32-bit counter (lib/ts/ts_make.c), so they never repeat within a
 * process and two processes collide with probability 2^-128, without a
 * database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "../eseald.h"

/* A TimeStampReq is ~100 bytes; anything near this is not one. */
#define TSA_MAX_REQUEST ((size_t)16 * 1024)

/* How long a kept TSA certificate must still be valid to be used again:
 * a certificate that would expire soon after a restart is renewed at it. */
#define TSA_CERT_MARGIN_S ((int64_t)30 * 86400)
/* A certificate is ~1 KB; a file much larger is not one. */
#define TSA_CERT_FILE_MAX ((size_t)64 * 1024)

/* Where the platform's TSA certificate is kept: "tsa-cert.pem" in the
 * directory of the master key file, the platform state that is not in the
 * database (docs/operations.md "TSA certificate"). */
static int tsa_cert_path(const struct es_config *c, char *out, size_t out_len)
{
    const char *slash = strrchr(c->master_key, '/');
    int dir = slash ? (int)(slash - c->master_key) + 1 : 0;
    int n = snprintf(out, out_len, "%.*stsa-cert.pem", dir, c->master_key);
    return n > 0 && (size_t)n < out_len ? 0 : -1;
}

/* The kept TSA certificate when it is still fit for the platform key and
 * the CA (ks_check_tsa_cert); otherwise (why in `why`) -1. */
static int kept_tsa_cert(struct es_app *app, es_ctx *ctx, const char *path, int64_t valid_until,
                         uint8_t **der, size_t *der_len, char *why, size_t why_len)
{
    es_bytes holder = es_cert_der(app->platform_cert);
    uint8_t *pem = NULL;
    size_t pem_len = 0;
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT) {
        snprintf(why, why_len, "none was kept yet");
        return -1;
    }
    if (es_file_read_all(ctx, path, TSA_CERT_FILE_MAX, &pem, &pem_len) != ES_OK) {
        snprintf(why, why_len, "%s", es_ctx_errmsg(ctx));
        return -1;
    }
    int rc = ks_check_tsa_cert(app->ks, holder.ptr, holder.len, (const char *)pem, pem_len,
                               valid_until, der, der_len, why, why_len);
    es_free(pem);
    return rc;
}

/* Issues a TSA certificate for the platform key and keeps it in `path`
 * (mode 0644: it is public). A file that cannot be written costs only the
 * stability of the certificate across restarts, so it is a warning. */
static int new_tsa_cert(struct es_app *app, es_ctx *ctx, const char *path, uint8_t **der,
                        size_t *der_len, char *err, size_t err_len)
{
    es_bytes holder = es_cert_der(app->platform_cert);
    int64_t not_after = es_cert_not_after(app->platform_cert);
    if (ks_issue_tsa_cert(app->ks, holder.ptr, holder.len, not_after, der, der_len, err,
                          err_len) != 0) {
        return -1;
    }
    es_cert *cert = NULL;
    char *pem = NULL;
    if (es_cert_from_der(ctx, *der, *der_len, &cert) != ES_OK ||
        es_cert_to_pem(ctx, cert, &pem) != ES_OK ||
        es_file_write(ctx, path, pem, strlen(pem), 0644) != ES_OK) {
        fprintf(stderr, "eseald: warning: the TSA certificate cannot be kept in %s (%s): the "
                        "next start issues another\n", path, es_ctx_errmsg(ctx));
    }
    es_free(pem);
    es_cert_free(cert);
    return 0;
}

/* The platform key again (its own es_key: the platform's is under
 * platform_lock) with the TSA certificate kept from an earlier start, or
 * one the CA issues now, so that a trust list or relying party that names
 * it keeps working across restarts. */
static int platform_tsa(struct es_app *app, es_ctx *ctx, char *err, size_t err_len)
{
    struct es_config *c = &app->cfg;
    char path[600], why[300];
    uint8_t *der = NULL;
    size_t der_len = 0;
    es_cert *cert = NULL;
    if (tsa_cert_path(c, path, sizeof(path)) != 0) {
        snprintf(err, err_len, "the master key path is too long for the TSA certificate's");
        return -1;
    }
    int64_t until = (int64_t)time(NULL) + TSA_CERT_MARGIN_S;
    int64_t platform_end = es_cert_not_after(app->platform_cert);
    if (platform_end < until) {
        until = platform_end; /* it cannot outlive the platform certificate */
    }
    bool kept = kept_tsa_cert(app, ctx, path, until, &der, &der_len, why, sizeof(why)) == 0;
    if (!kept) {
        if (new_tsa_cert(app, ctx, path, &der, &der_len, err, err_len) != 0) {
            return -1;
        }
    }
    int rc = es_cert_from_der(ctx, der, der_len, &cert);
    free(der);
    if (rc == ES_OK) {
        if (kept) {
            fprintf(stderr, "eseald: tsa: the TSA certificate in %s (serial %s)\n", path,
                    es_cert_serial_hex(cert));
        } else {
            fprintf(stderr, "eseald: tsa: a new TSA certificate (serial %s) in %s, as the kept "
                            "one is unusable: %s\n", es_cert_serial_hex(cert), path, why);
        }
        rc = es_key_load(ctx, c->platform_key, c->platform_pass[0] ? c->platform_pass : NULL,
                         &app->tsa_key);
    }
    if (rc == ES_OK) {
        rc = es_tsa_new(ctx, app->tsa_key, cert, &app->tsa);
    }
    es_cert_free(cert);
    if (rc != ES_OK) {
        snprintf(err, err_len, "time-stamp authority: %s", es_ctx_errmsg(ctx));
        return -1;
    }
    return 0;
}

int es_tsa_setup(struct es_app *app, char *err, size_t err_len)
{
    struct es_config *c = &app->cfg;
    if (c->tsa_off) {
        return 0;
    }
    if (!c->tsa_key[0] != !c->tsa_cert[0]) {
        snprintf(err, err_len, "tsa_key and tsa_cert go together");
        return -1;
    }
    es_ctx *ctx = es_ctx_new();
    if (!ctx) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    int ret = 0;
    if (c->tsa_key[0]) {
        if (es_tsa_load(ctx, c->tsa_key, c->tsa_pass[0] ? c->tsa_pass : NULL, c->tsa_cert,
                        &app->tsa) != ES_OK) {
            snprintf(err, err_len, "time-stamp authority (%s, %s): %s", c->tsa_key, c->tsa_cert,
                     es_ctx_errmsg(ctx));
            ret = -1;
        }
    } else if (ks_has_ca(app->ks)) {
        ret = platform_tsa(app, ctx, err, err_len);
    } else {
        fprintf(stderr, "eseald: warning: no time-stamp authority (neither --tsa-key/--tsa-cert "
                        "nor a CA to certify the platform key): POST /api/v1/tsa answers 503\n");
    }
    es_ctx_free(ctx);
    return ret;
}

void es_tsa_teardown(struct es_app *app)
{
    es_tsa_free(app->tsa);
    es_key_free(app->tsa_key);
    app->tsa = NULL;
    app->tsa_key = NULL;
}

static bool is_query_type(const char *ct)
{
    static const char want[] = "application/timestamp-query";
    size_t n = sizeof(want) - 1;
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

void h_tsa(struct es_call *c)
{
    if (!c->app->tsa) {
        api_error(c, 503, "tsa_unavailable", "This platform runs no time-stamp authority.");
        return;
    }
    if (!is_query_type(es_http_header(c->req, "Content-Type"))) {
        api_error(c, 415, "unsupported_media_type",
                  "The body must be an RFC 3161 TimeStampReq sent as "
                  "application/timestamp-query.");
        return;
    }
    if (c->req->body_len == 0) {
        api_error(c, 400, "bad_timestamp_query", "The body is empty: send a DER TimeStampReq.");
        return;
    }
    if (c->req->body_len > TSA_MAX_REQUEST) {
        api_error(c, 413, "payload_too_large", "A TimeStampReq is at most %zu bytes here.",
                  TSA_MAX_REQUEST);
        return;
    }
    es_ctx *ctx = es_ctx_new();
    uint8_t *resp = NULL;
    size_t resp_len = 0;
    if (!ctx) {
        api_error(c, 500, "internal", "Out of memory.");
        return;
    }
    /* input that is no request at all is the client's error (400); a request
     * the TSA will not grant (another policy, an unknown hash) is answered
     * with a TimeStampResp carrying status rejection, as RFC 3161 says */
    if (es_ts_request_check(ctx, c->req->body, c->req->body_len) != ES_OK) {
        api_error(c, 400, "bad_timestamp_query", "The body is not a DER TimeStampReq: %s",
                  es_ctx_errmsg(ctx));
    } else if (es_tsa_respond(ctx, c->app->tsa, c->req->body, c->req->body_len, &resp,
                              &resp_len) != ES_OK) {
        fprintf(stderr, "eseald: tsa: %s\n", es_ctx_errmsg(ctx));
        api_error(c, 500, "internal", "The time stamp could not be made.");
    } else {
        uint8_t *body = es_arena_memdup(c->arena, resp, resp_len);
        if (!body) {
            api_error(c, 500, "internal", "Out of memory.");
        } else {
            c->res->status = 200;
            c->res->content_type = "application/timestamp-reply";
            c->res->body = body;
            c->res->body_len = resp_len;
            c->res->body_static = false;
            es_http_add_header(c->res, "Cache-Control", "no-store");
        }
    }
    es_free(resp);
    es_ctx_free(ctx);
}
