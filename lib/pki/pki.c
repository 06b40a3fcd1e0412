/*
 * lib/pki/pki.c - a throwaway SM2 PKI for demos and tests: a root CA, a seal
 * maker and a seal owner, certificates signed with SM2/SM3 and the default
 * ID, keys written only encrypted.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "base/ctx_int.h"
#include "crypto/crypto.h"
#include "eseal/pki.h"

/* mkdir -p, mode 0700 for what it creates */
static es_result make_dirs(const char *dir)
{
    char *p = es_strdup(dir);
    ES_ENSURE(p, ES_ERR_NOMEM);
    es_result res = ES_RESULT_OK;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0700) != 0 && errno != EEXIST) {
                res = es_error_set(ES_ERR_IO_WRITE, __FILE__, __LINE__, "%s: cannot create: %s", p,
                                   strerror(errno));
                break;
            }
            *s = c;
            if (c == '\0') {
                break;
            }
        }
    }
    es_free(p);
    return res;
}

static es_result write_cert(const es_cert *c, const char *dir, const char *name)
{
    char *pem = NULL;
    char *path = es_asprintf("%s/%s", dir, name);
    ES_ENSURE(path, ES_ERR_NOMEM);
    es_result res = ES_RESULT_OK;
    if (es_cert_to_pem(NULL, c, &pem) != ES_OK) {
        res = es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "PEM encoding");
    } else {
        res = es_file_write_atomic(path, pem, strlen(pem), 0644);
    }
    es_free(pem);
    es_free(path);
    return res;
}

static es_result write_key(const es_key *k, const char *dir, const char *name, const char *pass)
{
    char *path = es_asprintf("%s/%s", dir, name);
    ES_ENSURE(path, ES_ERR_NOMEM);
    int rc = es_key_save(NULL, k, pass, path);
    es_free(path);
    ES_ENSURE_MSG(rc == ES_OK, rc, "cannot write %s/%s: %s", dir, name, es_error_detail());
    return ES_RESULT_OK;
}

static es_result pki(const char *dir, const char *pass, int days)
{
    es_result res = ES_RESULT_OK;
    es_key *rk = NULL, *mk = NULL, *ok = NULL, *tk = NULL;
    es_cert *rc = NULL, *mc = NULL, *oc = NULL, *tc = NULL;
    ES_ENSURE_MSG(dir && dir[0], ES_ERR_USAGE_ARG, "a directory is required");
    ES_ENSURE_MSG(pass && pass[0], ES_ERR_USAGE_ARG,
                  "a passphrase is required: private keys are never written in clear");
    ES_GUARD(make_dirs(dir));
    int64_t now = (int64_t)time(NULL) - 60;
    int64_t end = now + (int64_t)(days > 0 ? days : 825) * 86400;
    if (es_key_generate(NULL, &rk) != ES_OK || es_key_generate(NULL, &mk) != ES_OK ||
        es_key_generate(NULL, &ok) != ES_OK || es_key_generate(NULL, &tk) != ES_OK) {
        ES_FAIL_GOTO(ES_ERR_CRYPTO_KEY, "key generation failed");
    }
    struct es_cert_spec root = {"/C=CN/O=eseal demo/CN=eseal Demo Root CA", now, end + 86400,
                                true, false, false};
    struct es_cert_spec maker = {"/C=CN/O=eseal demo/OU=Seal Authority/CN=eseal Demo Seal Maker",
                                 now, end, false, true, false};
    struct es_cert_spec owner = {"/C=CN/O=示例科技有限公司/CN=示例科技有限公司 签章人", now, end,
                                 false, true, false};
    /* RFC 3161 §2.3: extendedKeyUsage timeStamping, critical */
    struct es_cert_spec tsa = {"/C=CN/O=eseal demo/OU=Time-Stamp Authority/CN=eseal Demo TSA",
                               now, end, false, true, true};
    ES_GUARD_GOTO(es_cert_build(&root, rk, rk, NULL, &rc));
    ES_GUARD_GOTO(es_cert_build(&tsa, tk, rk, rc, &tc));
    ES_GUARD_GOTO(es_cert_build(&maker, mk, rk, rc, &mc));
    ES_GUARD_GOTO(es_cert_build(&owner, ok, rk, rc, &oc));
    ES_GUARD_GOTO(write_cert(rc, dir, "root-ca.pem"));
    ES_GUARD_GOTO(write_key(rk, dir, "root-ca.key", pass));
    ES_GUARD_GOTO(write_cert(mc, dir, "maker.pem"));
    ES_GUARD_GOTO(write_key(mk, dir, "maker.key", pass));
    ES_GUARD_GOTO(write_cert(oc, dir, "owner.pem"));
    ES_GUARD_GOTO(write_key(ok, dir, "owner.key", pass));
    ES_GUARD_GOTO(write_cert(tc, dir, "tsa.pem"));
    ES_GUARD_GOTO(write_key(tk, dir, "tsa.key", pass));
out:
    es_key_free(tk);
    es_cert_free(tc);
    es_key_free(rk);
    es_key_free(mk);
    es_key_free(ok);
    es_cert_free(rc);
    es_cert_free(mc);
    es_cert_free(oc);
    return res;
}

int es_pki_init(es_ctx *ctx, const char *dir, const char *passphrase, int days)
{
    return es_ctx_take_error(ctx, pki(dir, passphrase, days));
}
