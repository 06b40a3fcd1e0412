/*
 * lib/crypto/ossl_key.c - SM2 keys and X.509 certificates through OpenSSL:
 * loading from PEM, DER, encrypted PKCS#8 and PKCS#12; saving keys only
 * encrypted; accessors that keep OpenSSL types out of the public API.
 */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "crypto/ossl_int.h"
#include "der/der.h"

#define KEY_FILE_MAX (1024 * 1024)

int64_t es_ossl_asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm)) {
        return 0;
    }
    return es_time_from_fields(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                               tm.tm_min, tm.tm_sec);
}

es_result es_ossl_make_pkey(const uint8_t *d, const uint8_t xy[64], EVP_PKEY **out)
{
    es_result res = ES_RESULT_OK;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = NULL;
    BIGNUM *bn = NULL;
    uint8_t pt[65];
    pt[0] = 0x04;
    memcpy(pt + 1, xy, 64);
    *out = NULL;
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt))) {
        res = es_ossl_error(ES_ERR_NOMEM, "building key parameters");
        goto out;
    }
    if (d) {
        bn = BN_bin2bn(d, 32, NULL);
        if (!bn || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn)) {
            res = es_ossl_error(ES_ERR_NOMEM, "building key parameters");
            goto out;
        }
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    pc = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (!params || !pc || EVP_PKEY_fromdata_init(pc) <= 0 ||
        EVP_PKEY_fromdata(pc, out, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        res = es_ossl_error(ES_ERR_CRYPTO_KEY, "not a valid SM2 key");
        goto out;
    }
out:
    BN_clear_free(bn);
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return res;
}

es_result es_ossl_pub_from_pkey(EVP_PKEY *pk, struct es_sm2_pub *pub)
{
    char group[64] = "";
    size_t glen = 0;
    uint8_t pt[133];
    size_t ptlen = 0;
    ES_ENSURE_MSG(pk && (EVP_PKEY_is_a(pk, "SM2") || EVP_PKEY_is_a(pk, "EC")),
                  ES_ERR_CRYPTO_KEY, "the key is not an SM2 key");
    if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                        &glen) ||
        strcmp(group, "SM2") != 0) {
        ERR_clear_error();
        ES_BAIL_MSG(ES_ERR_CRYPTO_KEY, "the key is on curve '%s', not on the SM2 curve",
                    group[0] ? group : "unknown");
    }
    if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt),
                                         &ptlen) ||
        ptlen != 65 || pt[0] != 0x04) {
        /* ask for the uncompressed form explicitly */
        ERR_clear_error();
        ES_BAIL_MSG(ES_ERR_CRYPTO_KEY, "cannot read the SM2 public point");
    }
    memcpy(pub->xy, pt + 1, 64);
    es_sm2_compute_z(pub->xy, pub->z);
    EVP_PKEY *own = NULL;
    ES_GUARD(es_ossl_make_pkey(NULL, pub->xy, &own));
    pub->ossl = own;
    return ES_RESULT_OK;
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *p = u;
    if (!p) {
        return -1;
    }
    size_t n = strlen(p);
    if (n > (size_t)size) {
        n = (size_t)size;
    }
    memcpy(buf, p, n);
    return (int)n;
}

static void load_legacy_provider(void)
{
    /* PKCS#12 files from Java tools use RC2/3DES, which live in "legacy";
     * loaded once for the life of the process (kept referenced here) */
    static OSSL_PROVIDER *legacy;
    if (!legacy) {
        legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
        ERR_clear_error();
    }
}

/* Parses a PKCS#12 blob; returns 1 if it was one. */
static es_result try_p12(const uint8_t *data, size_t len, const char *pass, EVP_PKEY **pk,
                         X509 **x, bool *is_p12)
{
    const unsigned char *p = data;
    *is_p12 = false;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    if (!p12) {
        ERR_clear_error();
        return ES_RESULT_OK;
    }
    *is_p12 = true;
    load_legacy_provider();
    es_result res = ES_RESULT_OK;
    if (!PKCS12_verify_mac(p12, pass ? pass : "", -1) &&
        !(pass == NULL && PKCS12_verify_mac(p12, NULL, 0))) {
        ERR_clear_error();
        res = es_error_set(ES_ERR_CRYPTO_PASSPHRASE, __FILE__, __LINE__,
                           "wrong or missing passphrase for the PKCS#12 file");
        goto out;
    }
    if (!PKCS12_parse(p12, pass ? pass : "", pk, x, NULL)) {
        res = es_ossl_error(ES_ERR_CRYPTO_KEY, "cannot read the PKCS#12 file");
    }
out:
    PKCS12_free(p12);
    return res;
}

static bool looks_pem(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i + 10 <= n && i < 4096; i++) {
        if (memcmp(d + i, "-----BEGIN", 10) == 0) {
            return true;
        }
    }
    return false;
}

static bool pem_encrypted(const uint8_t *d, size_t n)
{
    static const char *marks[] = {"ENCRYPTED PRIVATE KEY", "Proc-Type: 4,ENCRYPTED"};
    for (size_t m = 0; m < 2; m++) {
        size_t k = strlen(marks[m]);
        for (size_t i = 0; i + k <= n; i++) {
            if (memcmp(d + i, marks[m], k) == 0) {
                return true;
            }
        }
    }
    return false;
}

static es_result key_from_pkey(EVP_PKEY *pk, es_key **out)
{
    es_result res = ES_RESULT_OK;
    BIGNUM *bn = NULL;
    es_key *k = es_calloc(1, sizeof(*k));
    ES_ENSURE(k, ES_ERR_NOMEM);
    struct es_sm2_pub tmp = {0};
    ES_GUARD_GOTO(es_ossl_pub_from_pkey(pk, &tmp));
    EVP_PKEY_free(tmp.ossl);
    memcpy(k->pub.xy, tmp.xy, 64);
    memcpy(k->pub.z, tmp.z, 32);
    if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bn) ||
        BN_bn2binpad(bn, k->d, 32) != 32) {
        res = es_ossl_error(ES_ERR_CRYPTO_KEY, "the file holds no SM2 private key");
        goto out;
    }
    EVP_PKEY *own = NULL;
    ES_GUARD_GOTO(es_ossl_make_pkey(k->d, k->pub.xy, &own));
    k->pub.ossl = own;
    if (es_crypto()->key_prepare) {
        ES_GUARD_GOTO(es_crypto()->key_prepare(k));
    }
    *out = k;
    k = NULL;
out:
    BN_clear_free(bn);
    es_key_free(k);
    return res;
}

static es_result load_key_bytes(const uint8_t *data, size_t len, const char *pass, es_key **out)
{
    es_result res = ES_RESULT_OK;
    EVP_PKEY *pk = NULL;
    X509 *x = NULL;
    if (looks_pem(data, len)) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        ES_ENSURE(bio, ES_ERR_NOMEM);
        pk = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, (void *)pass);
        BIO_free(bio);
        if (!pk) {
            if (pem_encrypted(data, len)) {
                ERR_clear_error();
                ES_FAIL_GOTO(ES_ERR_CRYPTO_PASSPHRASE,
                             "wrong or missing passphrase for the encrypted private key");
            }
            res = es_ossl_error(ES_ERR_FORMAT_PEM, "no private key in the PEM data");
            goto out;
        }
    } else {
        bool is_p12 = false;
        ES_GUARD_GOTO(try_p12(data, len, pass, &pk, &x, &is_p12));
        if (!is_p12) {
            BIO *bio = BIO_new_mem_buf(data, (int)len);
            ES_ENSURE(bio, ES_ERR_NOMEM);
            pk = d2i_PKCS8PrivateKey_bio(bio, NULL, pass_cb, (void *)pass);
            BIO_free(bio);
            if (!pk) {
                const unsigned char *p = data;
                ERR_clear_error();
                pk = d2i_AutoPrivateKey(NULL, &p, (long)len);
            }
            if (!pk) {
                res = es_ossl_error(ES_ERR_FORMAT_PEM,
                                    "not a private key (PEM, DER, PKCS#8 or PKCS#12)");
                goto out;
            }
        } else if (!pk) {
            ES_FAIL_GOTO(ES_ERR_CRYPTO_KEY, "the PKCS#12 file holds no private key");
        }
    }
    ES_GUARD_GOTO(key_from_pkey(pk, out));
out:
    EVP_PKEY_free(pk);
    X509_free(x);
    return res;
}

int es_key_from_bytes(es_ctx *ctx, const uint8_t *data, size_t len, const char *pass,
                      es_key **out)
{
    *out = NULL;
    if (!data) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "no key data"));
    }
    return es_ctx_take_error(ctx, load_key_bytes(data, len, pass, out));
}

int es_key_load(es_ctx *ctx, const char *path, const char *pass, es_key **out)
{
    uint8_t *data = NULL;
    size_t len = 0;
    *out = NULL;
    es_result res = es_file_read(path, KEY_FILE_MAX, &data, &len);
    if (es_is_ok(res)) {
        res = load_key_bytes(data, len, pass, out);
        if (es_is_err(res)) {
            es_error_prefix("%s", path);
        }
    }
    es_free_secret(data, len);
    return es_ctx_take_error(ctx, res);
}

int es_key_generate(es_ctx *ctx, es_key **out)
{
    *out = NULL;
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    if (!pk) {
        return es_ctx_take_error(ctx, es_ossl_error(ES_ERR_CRYPTO_KEY, "SM2 key generation"));
    }
    es_result res = key_from_pkey(pk, out);
    EVP_PKEY_free(pk);
    return es_ctx_take_error(ctx, res);
}

void es_key_free(es_key *key)
{
    if (!key) {
        return;
    }
    EVP_PKEY_free(key->pub.ossl);
    if (key->backend_cache && key->cache_owner && key->cache_owner->key_cache_free) {
        key->cache_owner->key_cache_free(key->backend_cache);
    }
    es_free_secret(key, sizeof(*key));
}

static es_result key_pem(const es_key *key, const char *pass, char **out)
{
    ES_ENSURE_MSG(pass && pass[0], ES_ERR_USAGE_ARG,
                  "a passphrase is required: private keys are never written in clear");
    es_result res = ES_RESULT_OK;
    BIO *bio = BIO_new(BIO_s_mem());
    ES_ENSURE(bio, ES_ERR_NOMEM);
    /* PBES2 with SM4-CBC keeps the whole key file in the national algorithms */
    const EVP_CIPHER *ciph = EVP_sm4_cbc();
    if (!PEM_write_bio_PKCS8PrivateKey(bio, key->pub.ossl, ciph, NULL, 0, NULL, (void *)pass)) {
        res = es_ossl_error(ES_ERR_CRYPTO_KEY, "cannot encode the private key");
        goto out;
    }
    char *mem = NULL;
    long n = BIO_get_mem_data(bio, &mem);
    *out = es_strndup(mem, (size_t)n);
    if (!*out) {
        res = es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "out of memory");
    }
out:
    BIO_free(bio);
    return res;
}

int es_key_to_pem(es_ctx *ctx, const es_key *key, const char *pass, char **out_pem)
{
    *out_pem = NULL;
    return es_ctx_take_error(ctx, key_pem(key, pass, out_pem));
}

int es_key_save(es_ctx *ctx, const es_key *key, const char *pass, const char *path)
{
    char *pem = NULL;
    es_result res = key_pem(key, pass, &pem);
    if (es_is_ok(res)) {
        res = es_file_write_atomic(path, pem, strlen(pem), 0600);
    }
    if (pem) {
        es_free_secret(pem, strlen(pem));
    }
    return es_ctx_take_error(ctx, res);
}

int es_key_matches_cert(const es_key *key, const es_cert *cert)
{
    return key && cert && cert->has_sm2 && memcmp(key->pub.xy, cert->pub.xy, 64) == 0;
}

int es_key_sign(es_ctx *ctx, const es_key *key, const uint8_t *msg, size_t len, uint8_t sig[72],
                size_t *out_len)
{
    return es_ctx_take_error(ctx, es_sm2_sign_msg(key, msg, len, sig, out_len));
}

/* ---- certificates ---- */

static char *name_line(const X509_NAME *n)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) {
        return NULL;
    }
    unsigned long fl = (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | XN_FLAG_SEP_CPLUS_SPC |
                       XN_FLAG_FN_SN;
    X509_NAME_print_ex(bio, n, 0, fl);
    char *mem = NULL;
    long len = BIO_get_mem_data(bio, &mem);
    char *s = es_strndup(mem ? mem : "", (size_t)(len > 0 ? len : 0));
    BIO_free(bio);
    return s;
}

es_result es_ossl_cert_wrap(X509 *x, es_cert **out)
{
    es_cert *c = es_calloc(1, sizeof(*c));
    ES_ENSURE(c, ES_ERR_NOMEM);
    c->x = x;
    X509_up_ref(x);
    int n = i2d_X509(x, NULL);
    unsigned char *p = NULL;
    if (n > 0) {
        c->der = es_malloc((size_t)n);
        p = c->der;
    }
    if (!c->der || i2d_X509(x, &p) != n) {
        es_cert_free(c);
        ES_BAIL(ES_ERR_NOMEM);
    }
    c->der_len = (size_t)n;
    c->subject = name_line(X509_get_subject_name(x));
    c->issuer = name_line(X509_get_issuer_name(x));
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    snprintf(c->serial, sizeof(c->serial), "%s", hex ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk && es_is_ok(es_ossl_pub_from_pkey(pk, &c->pub))) {
        c->has_sm2 = true;
    }
    es_error_clear();
    ERR_clear_error();
    *out = c;
    return ES_RESULT_OK;
}

/* A copy sharing the X509 and the EVP_PKEY (both reference-counted). */
static es_result cert_clone(const es_cert *src, es_cert **out)
{
    es_cert *c = es_calloc(1, sizeof(*c));
    ES_ENSURE(c, ES_ERR_NOMEM);
    *c = *src;
    c->der = es_malloc(src->der_len);
    if (c->der) {
        memcpy(c->der, src->der, src->der_len);
    }
    c->subject = src->subject ? es_strndup(src->subject, strlen(src->subject)) : NULL;
    c->issuer = src->issuer ? es_strndup(src->issuer, strlen(src->issuer)) : NULL;
    if (!c->der || (src->subject && !c->subject) || (src->issuer && !c->issuer)) {
        es_free(c->der);
        es_free(c->subject);
        es_free(c->issuer);
        es_free(c);
        ES_BAIL(ES_ERR_NOMEM);
    }
    X509_up_ref(c->x);
    if (c->pub.ossl) {
        EVP_PKEY_up_ref(c->pub.ossl);
    }
    *out = c;
    return ES_RESULT_OK;
}

/*
 * Parsed certificates, per thread. A verifier meets the same few
 * certificates (makers, owners, CAs) over and over, and OpenSSL 3 parses a
 * certificate through its provider decoders: about a sixth of verifying a
 * sealed OFD went there. Entries are compared on the whole DER, so a hit is
 * the very same certificate; a thread's entries are freed when it exits.
 */
#define CERT_CACHE_SLOTS 16

struct cert_cache {
    es_cert *slot[CERT_CACHE_SLOTS];
    unsigned next; /* round-robin eviction */
};

static pthread_key_t g_cache_key;
static pthread_once_t g_cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    struct cert_cache *cc = p;
    for (unsigned i = 0; cc && i < CERT_CACHE_SLOTS; i++) {
        es_cert_free(cc->slot[i]);
    }
    es_free(cc);
}

static void cache_init(void) { (void)pthread_key_create(&g_cache_key, cache_free); }

static struct cert_cache *cache_get(void)
{
    (void)pthread_once(&g_cache_once, cache_init);
    struct cert_cache *cc = pthread_getspecific(g_cache_key);
    if (!cc && (cc = es_calloc(1, sizeof(*cc))) != NULL &&
        pthread_setspecific(g_cache_key, cc) != 0) {
        es_free(cc);
        cc = NULL;
    }
    return cc;
}

void es_cert_cache_clear(void)
{
    (void)pthread_once(&g_cache_once, cache_init);
    struct cert_cache *cc = pthread_getspecific(g_cache_key);
    if (cc) {
        (void)pthread_setspecific(g_cache_key, NULL);
        cache_free(cc);
    }
}

static es_result cert_parse(const uint8_t *der, size_t len, es_cert **out)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x) {
        return es_ossl_error(ES_ERR_CRYPTO_CERT, "not a valid X.509 certificate");
    }
    if ((size_t)(p - der) != len) {
        X509_free(x);
        ES_BAIL_MSG(ES_ERR_FORMAT_TRAILING, "%zu bytes after the certificate",
                    len - (size_t)(p - der));
    }
    es_result res = es_ossl_cert_wrap(x, out);
    X509_free(x);
    return res;
}

static es_result cert_from_der(const uint8_t *der, size_t len, es_cert **out)
{
    struct cert_cache *cc = cache_get();
    for (unsigned i = 0; cc && i < CERT_CACHE_SLOTS; i++) {
        const es_cert *e = cc->slot[i];
        /* the DER is public data: an ordinary comparison is fine */
        if (e && e->der_len == len && memcmp(e->der, der, len) == 0) {
            return cert_clone(e, out);
        }
    }
    ES_GUARD(cert_parse(der, len, out));
    if (cc && (*out)->der_len == len) { /* re-encoded identically: cacheable */
        es_cert *keep = NULL;
        if (es_is_ok(cert_clone(*out, &keep))) {
            unsigned i = cc->next++ % CERT_CACHE_SLOTS;
            es_cert_free(cc->slot[i]);
            cc->slot[i] = keep;
        }
        es_error_clear();
    }
    return ES_RESULT_OK;
}

int es_cert_from_der(es_ctx *ctx, const uint8_t *der, size_t len, es_cert **out)
{
    *out = NULL;
    return es_ctx_take_error(ctx, cert_from_der(der, len, out));
}

static es_result load_certs(const uint8_t *data, size_t len, const char *pass, es_cert ***out,
                            size_t *out_n)
{
    es_result res = ES_RESULT_OK;
    es_cert **arr = NULL;
    size_t n = 0;
    if (looks_pem(data, len)) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        ES_ENSURE(bio, ES_ERR_NOMEM);
        X509 *x;
        while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            es_cert **na = es_realloc(arr, (n + 1) * sizeof(*arr));
            if (!na) {
                X509_free(x);
                res = es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "out of memory");
                break;
            }
            arr = na;
            res = es_ossl_cert_wrap(x, &arr[n]);
            X509_free(x);
            if (es_is_err(res)) {
                break;
            }
            n++;
        }
        BIO_free(bio);
        ERR_clear_error();
        if (es_is_ok(res) && n == 0) {
            res = es_error_set(ES_ERR_FORMAT_PEM, __FILE__, __LINE__,
                               "no CERTIFICATE block in the PEM data");
        }
    } else {
        EVP_PKEY *pk = NULL;
        X509 *x = NULL;
        bool is_p12 = false;
        ES_GUARD(try_p12(data, len, pass, &pk, &x, &is_p12));
        arr = es_calloc(1, sizeof(*arr));
        if (!arr) {
            res = es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "out of memory");
        } else if (is_p12) {
            if (!x) {
                res = es_error_set(ES_ERR_CRYPTO_CERT, __FILE__, __LINE__,
                                   "the PKCS#12 file holds no certificate");
            } else {
                res = es_ossl_cert_wrap(x, &arr[0]);
            }
        } else {
            res = cert_from_der(data, len, &arr[0]);
        }
        if (es_is_ok(res)) {
            n = 1;
        }
        EVP_PKEY_free(pk);
        X509_free(x);
    }
    if (es_is_err(res)) {
        for (size_t i = 0; i < n; i++) {
            es_cert_free(arr[i]);
        }
        es_free(arr);
        return res;
    }
    *out = arr;
    *out_n = n;
    return ES_RESULT_OK;
}

int es_cert_load_all(es_ctx *ctx, const char *path, const char *pass, es_cert ***out,
                     size_t *out_n)
{
    uint8_t *data = NULL;
    size_t len = 0;
    *out = NULL;
    *out_n = 0;
    es_result res = es_file_read(path, KEY_FILE_MAX * 16, &data, &len);
    if (es_is_ok(res)) {
        res = load_certs(data, len, pass, out, out_n);
        if (es_is_err(res)) {
            es_error_prefix("%s", path);
        }
    }
    es_free(data);
    return es_ctx_take_error(ctx, res);
}

int es_cert_load(es_ctx *ctx, const char *path, const char *pass, es_cert **out)
{
    es_cert **arr = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = es_cert_load_all(ctx, path, pass, &arr, &n);
    if (rc != ES_OK) {
        return rc;
    }
    *out = arr[0];
    for (size_t i = 1; i < n; i++) {
        es_cert_free(arr[i]);
    }
    es_free(arr);
    return ES_OK;
}

void es_cert_free(es_cert *cert)
{
    if (!cert) {
        return;
    }
    X509_free(cert->x);
    EVP_PKEY_free(cert->pub.ossl);
    es_free(cert->der);
    es_free(cert->subject);
    es_free(cert->issuer);
    es_free(cert);
}

es_cert *es_cert_dup(const es_cert *cert)
{
    es_cert *c = NULL;
    if (cert && es_is_ok(es_ossl_cert_wrap(cert->x, &c))) {
        return c;
    }
    return NULL;
}

es_bytes es_cert_der(const es_cert *cert) { return (es_bytes){cert->der, cert->der_len}; }
const char *es_cert_subject(const es_cert *cert) { return cert->subject ? cert->subject : ""; }
const char *es_cert_issuer(const es_cert *cert) { return cert->issuer ? cert->issuer : ""; }
const char *es_cert_serial_hex(const es_cert *cert) { return cert->serial; }
int64_t es_cert_not_before(const es_cert *cert)
{
    return es_ossl_asn1_time(X509_get0_notBefore(cert->x));
}
int64_t es_cert_not_after(const es_cert *cert)
{
    return es_ossl_asn1_time(X509_get0_notAfter(cert->x));
}
int es_cert_is_sm2(const es_cert *cert) { return cert && cert->has_sm2; }
const struct es_sm2_pub *es_cert_pub(const es_cert *cert)
{
    return cert && cert->has_sm2 ? &cert->pub : NULL;
}

int es_cert_to_pem(es_ctx *ctx, const es_cert *cert, char **out_pem)
{
    *out_pem = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || !PEM_write_bio_X509(bio, cert->x)) {
        BIO_free(bio);
        return es_ctx_take_error(ctx, es_ossl_error(ES_ERR_NOMEM, "PEM encoding"));
    }
    char *mem = NULL;
    long n = BIO_get_mem_data(bio, &mem);
    *out_pem = es_strndup(mem, (size_t)n);
    BIO_free(bio);
    return *out_pem ? ES_OK : ES_ERR_NOMEM;
}

int es_cert_verify(const es_cert *cert, const uint8_t *msg, size_t len, const uint8_t *sig,
                   size_t sig_len)
{
    bool ok = false;
    if (!cert || !cert->has_sm2) {
        return 0;
    }
    if (es_is_err(es_sm2_verify_msg(&cert->pub, msg, len, sig, sig_len, &ok, NULL))) {
        return 0;
    }
    return ok ? 1 : 0;
}
