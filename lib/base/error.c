/*
 * lib/base/error.c - error codes, the thread-local error slot and es_ctx.
 */
#include <stdarg.h>
#include <stdio.h>

#include "base/base.h"
#include "base/ctx_int.h"

static _Thread_local struct {
    int code;
    const char *file;
    int line;
    char detail[512];
} g_err;

static const char *basename_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

es_result es_error_set(int code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    g_err.code = code;
    g_err.file = basename_of(file);
    g_err.line = line;
    va_start(ap, fmt);
    vsnprintf(g_err.detail, sizeof(g_err.detail), fmt, ap);
    va_end(ap);
    return (es_result){code};
}

void es_error_prefix(const char *fmt, ...)
{
    char pre[256];
    char old[sizeof(g_err.detail)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    memcpy(old, g_err.detail, sizeof(old));
    size_t n = strlen(pre);
    if (n + 2 < sizeof(g_err.detail)) {
        memcpy(g_err.detail, pre, n);
        memcpy(g_err.detail + n, ": ", 2);
        size_t room = sizeof(g_err.detail) - n - 3;
        size_t ol = strnlen(old, room);
        memcpy(g_err.detail + n + 2, old, ol);
        g_err.detail[n + 2 + ol] = '\0';
    }
}

void es_error_clear(void)
{
    g_err.code = ES_OK;
    g_err.file = NULL;
    g_err.line = 0;
    g_err.detail[0] = '\0';
}

int es_error_code(void) { return g_err.code; }
const char *es_error_detail(void) { return g_err.detail; }

const char *es_error_site(void)
{
    static _Thread_local char site[128];
    if (!g_err.file) {
        return "";
    }
    snprintf(site, sizeof(site), "%s:%d", g_err.file, g_err.line);
    return site;
}

es_ctx *es_ctx_new(void)
{
    es_ctx *ctx = es_calloc(1, sizeof(*ctx));
    if (!ctx) {
        return NULL;
    }
    ctx->profile = ES_PROFILE_LENIENT;
    return ctx;
}

void es_ctx_free(es_ctx *ctx) { es_free(ctx); }

void es_ctx_set_profile(es_ctx *ctx, es_profile profile)
{
    if (ctx && profile >= ES_PROFILE_LENIENT && profile < ES_PROFILE_LAST_) {
        ctx->profile = profile;
    }
}

es_profile es_ctx_get_profile(const es_ctx *ctx)
{
    return ctx ? ctx->profile : ES_PROFILE_LENIENT;
}

const char *es_ctx_errmsg(const es_ctx *ctx) { return ctx ? ctx->errmsg : ""; }
const char *es_ctx_errloc(const es_ctx *ctx) { return ctx ? ctx->errloc : ""; }
int es_ctx_errcode(const es_ctx *ctx) { return ctx ? ctx->errcode : ES_OK; }

int es_ctx_take_error(es_ctx *ctx, es_result r)
{
    if (!ctx) {
        return r.rc;
    }
    ctx->errcode = r.rc;
    if (r.rc == ES_OK) {
        ctx->errmsg[0] = '\0';
        ctx->errloc[0] = '\0';
        return ES_OK;
    }
    snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s",
             g_err.code == r.rc && g_err.detail[0] ? g_err.detail : es_strerror(r.rc));
    snprintf(ctx->errloc, sizeof(ctx->errloc), "%s", es_error_site());
    return r.rc;
}

const char *es_version(void) { return "0.1.0"; }

es_error_cat es_error_category(int code)
{
    if (code >= 0) {
        return ES_CAT_OK;
    }
    int c = (-code) / 100;
    if (c < ES_CAT_USAGE || c >= ES_CAT_LAST_) {
        return ES_CAT_INTERNAL;
    }
    return (es_error_cat)c;
}

#define E(code, text) {code, #code, text}
static const struct {
    int code;
    const char *name;
    const char *text;
} k_errors[] = {
    E(ES_OK, "success"),
    E(ES_ERR_USAGE, "invalid use of the API"),
    E(ES_ERR_USAGE_NULL, "a required argument is missing"),
    E(ES_ERR_USAGE_ARG, "an argument is invalid"),
    E(ES_ERR_FORMAT, "malformed input"),
    E(ES_ERR_FORMAT_TRUNCATED, "input is truncated"),
    E(ES_ERR_FORMAT_TAG, "unexpected ASN.1 tag"),
    E(ES_ERR_FORMAT_LENGTH, "invalid ASN.1 length"),
    E(ES_ERR_FORMAT_INDEFINITE, "indefinite length is not allowed in DER"),
    E(ES_ERR_FORMAT_TRAILING, "unexpected bytes after the end of a structure"),
    E(ES_ERR_FORMAT_INTEGER, "invalid INTEGER"),
    E(ES_ERR_FORMAT_TIME, "invalid time value"),
    E(ES_ERR_FORMAT_OID, "invalid OBJECT IDENTIFIER"),
    E(ES_ERR_FORMAT_STRUCTURE, "structure does not match the format"),
    E(ES_ERR_FORMAT_VERSION, "unknown format version"),
    E(ES_ERR_FORMAT_PEM, "invalid PEM or DER file"),
    E(ES_ERR_FORMAT_IMAGE, "invalid or unsupported image"),
    E(ES_ERR_FORMAT_NOT_STRICT, "deviation from the standard refused by the strict profile"),
    E(ES_ERR_CRYPTO, "cryptographic operation failed"),
    E(ES_ERR_CRYPTO_KEY, "invalid or unsupported key"),
    E(ES_ERR_CRYPTO_CERT, "invalid or unsupported certificate"),
    E(ES_ERR_CRYPTO_SIGN, "signing failed"),
    E(ES_ERR_CRYPTO_PASSPHRASE, "wrong or missing passphrase"),
    E(ES_ERR_CRYPTO_RANDOM, "random number generator failed"),
    E(ES_ERR_CRYPTO_UNSUPPORTED, "unsupported algorithm"),
    E(ES_ERR_CRYPTO_PROOF, "a Merkle tree proof does not verify"),
    E(ES_ERR_CRYPTO_SIGNATURE, "the signature of a signed document does not verify"),
    E(ES_ERR_IO, "input/output error"),
    E(ES_ERR_IO_OPEN, "cannot open file"),
    E(ES_ERR_IO_READ, "cannot read file"),
    E(ES_ERR_IO_WRITE, "cannot write file"),
    E(ES_ERR_IO_REMOTE, "a remote service did not answer or answered unusably"),
    E(ES_ERR_STORE, "storage error"),
    E(ES_ERR_LIMIT, "a limit was exceeded"),
    E(ES_ERR_LIMIT_DEPTH, "nesting is too deep"),
    E(ES_ERR_LIMIT_SIZE, "input is too large"),
    E(ES_ERR_LIMIT_COUNT, "too many elements"),
    E(ES_ERR_INTERNAL, "internal error"),
    E(ES_ERR_NOMEM, "out of memory"),
    E(ES_ERR_POLICY, "refused by policy"),
    E(ES_ERR_POLICY_KEY_MISMATCH, "the key does not match the certificate"),
    E(ES_ERR_POLICY_SEAL_NOT_VALID, "the seal is not valid at this time"),
    E(ES_ERR_POLICY_CERT_NOT_VALID, "the certificate is not valid at this time"),
    E(ES_ERR_POLICY_VALIDITY, "invalid validity period"),
};
#undef E

const char *es_error_name(int code)
{
    for (size_t i = 0; i < sizeof(k_errors) / sizeof(k_errors[0]); i++) {
        if (k_errors[i].code == code) {
            return k_errors[i].name;
        }
    }
    return "ES_ERR_UNKNOWN";
}

const char *es_strerror(int code)
{
    for (size_t i = 0; i < sizeof(k_errors) / sizeof(k_errors[0]); i++) {
        if (k_errors[i].code == code) {
            return k_errors[i].text;
        }
    }
    return "unknown error";
}
