/*
 * server/keystore.c - see keystore.h. OpenSSL 3 EVP only; every OpenSSL
 * error queue is drained here and turned into a sentence.
 */
#include "keystore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MASTER_LEN 32
#define ENVELOPE_MAGIC "ESK1"
#define NONCE_LEN 12
#define TAG_LEN 16
#define PBKDF2_ITER 60000
#define SM2_ID "1234567812345678"

struct es_keystore {
    uint8_t master[MASTER_LEN];
    EVP_PKEY *ca_key;
    X509 *ca_cert;
};

void ks_wipe(void *p, size_t n)
{
    if (p) {
        OPENSSL_cleanse(p, n);
    }
}

static void ossl_msg(char *err, size_t err_len, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e) {
        ERR_error_string_n(e, buf, sizeof(buf));
    }
    ERR_clear_error();
    snprintf(err, err_len, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int ks_open(const char *path, bool create, es_keystore **out, char *err, size_t err_len)
{
    *out = NULL;
    es_keystore *ks = OPENSSL_secure_zalloc(sizeof(*ks));
    if (!ks) {
        ks = OPENSSL_zalloc(sizeof(*ks));
    }
    if (!ks) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    uint8_t buf[130];
    ssize_t n = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        if (RAND_bytes(ks->master, MASTER_LEN) != 1) {
            snprintf(err, err_len, "no random bytes for the master key");
            goto fail;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, ks->master, MASTER_LEN) != MASTER_LEN || fsync(fd) != 0) {
            snprintf(err, err_len, "cannot create the master key %s: %s", path, strerror(errno));
            if (fd >= 0) {
                close(fd);
            }
            goto fail;
        }
        close(fd);
        *out = ks;
        return 0;
    }
    if (fd < 0) {
        snprintf(err, err_len, "cannot open the master key %s: %s", path, strerror(errno));
        goto fail;
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0 && (sb.st_mode & 077)) {
        fprintf(stderr, "eseald: warning: the master key %s is readable by others (chmod 600)\n",
                path);
    }
    n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n == MASTER_LEN) {
        memcpy(ks->master, buf, MASTER_LEN);
    } else if (n == 64 || (n == 65 && buf[64] == '\n')) {
        for (int i = 0; i < MASTER_LEN; i++) {
            int hi = hexval(buf[2 * i]), lo = hexval(buf[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                snprintf(err, err_len, "the master key %s is not 64 hex digits", path);
                goto fail;
            }
            ks->master[i] = (uint8_t)(hi << 4 | lo);
        }
    } else {
        snprintf(err, err_len, "the master key %s must hold 32 bytes (or 64 hex digits)", path);
        goto fail;
    }
    ks_wipe(buf, sizeof(buf));
    *out = ks;
    return 0;
fail:
    ks_wipe(buf, sizeof(buf));
    ks_close(ks);
    return -1;
}

void ks_close(es_keystore *ks)
{
    if (!ks) {
        return;
    }
    EVP_PKEY_free(ks->ca_key);
    X509_free(ks->ca_cert);
    ks_wipe(ks->master, sizeof(ks->master));
    if (CRYPTO_secure_allocated(ks)) {
        OPENSSL_secure_clear_free(ks, sizeof(*ks));
    } else {
        OPENSSL_clear_free(ks, sizeof(*ks));
    }
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *p = u;
    if (!p) {
        return -1;
    }
    int n = (int)strlen(p);
    if (n > size) {
        n = size;
    }
    memcpy(buf, p, (size_t)n);
    return n;
}

int ks_load_ca(es_keystore *ks, const char *key_path, const char *cert_path, const char *pass,
               char *err, size_t err_len)
{
    FILE *f = fopen(key_path, "r");
    if (!f) {
        snprintf(err, err_len, "cannot open the CA key %s: %s", key_path, strerror(errno));
        return -1;
    }
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, pass_cb, (void *)pass);
    fclose(f);
    if (!k) {
        ossl_msg(err, err_len, "cannot read the CA key (wrong passphrase?)");
        return -1;
    }
    f = fopen(cert_path, "r");
    if (!f) {
        snprintf(err, err_len, "cannot open the CA certificate %s: %s", cert_path,
                 strerror(errno));
        EVP_PKEY_free(k);
        return -1;
    }
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x) {
        ossl_msg(err, err_len, "cannot read the CA certificate");
        EVP_PKEY_free(k);
        return -1;
    }
    if (X509_check_private_key(x, k) != 1) {
        snprintf(err, err_len, "the CA key does not match the CA certificate");
        ERR_clear_error();
        EVP_PKEY_free(k);
        X509_free(x);
        return -1;
    }
    EVP_PKEY_free(ks->ca_key);
    X509_free(ks->ca_cert);
    ks->ca_key = k;
    ks->ca_cert = x;
    return 0;
}

bool ks_has_ca(const es_keystore *ks)
{
    return ks && ks->ca_key && ks->ca_cert;
}

/* ---- envelope: "ESK1" || nonce || AES-256-GCM(master, plaintext, aad=key_id) || tag ---- */

static int seal_blob(const es_keystore *ks, const char *key_id, const uint8_t *pt, size_t pt_len,
                     uint8_t **out, size_t *out_len)
{
    size_t total = 4 + NONCE_LEN + pt_len + TAG_LEN;
    uint8_t *b = malloc(total);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, ok = 0;
    if (!b || !c || pt_len > 1u << 20) {
        goto out;
    }
    memcpy(b, ENVELOPE_MAGIC, 4);
    if (RAND_bytes(b + 4, NONCE_LEN) != 1 ||
        EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, ks->master, b + 4) != 1 ||
        EVP_EncryptUpdate(c, NULL, &len, (const uint8_t *)key_id, (int)strlen(key_id)) != 1 ||
        EVP_EncryptUpdate(c, b + 4 + NONCE_LEN, &len, pt, (int)pt_len) != 1 ||
        EVP_EncryptFinal_ex(c, b + 4 + NONCE_LEN + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, b + 4 + NONCE_LEN + pt_len) != 1) {
        goto out;
    }
    ok = 1;
out:
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
        free(b);
        ERR_clear_error();
        return -1;
    }
    *out = b;
    *out_len = total;
    return 0;
}

static int open_blob(const es_keystore *ks, const char *key_id, const uint8_t *b, size_t n,
                     uint8_t **out, size_t *out_len)
{
    if (n < 4 + NONCE_LEN + TAG_LEN || memcmp(b, ENVELOPE_MAGIC, 4) != 0) {
        return -1;
    }
    size_t ct_len = n - 4 - NONCE_LEN - TAG_LEN;
    uint8_t *pt = OPENSSL_malloc(ct_len + 1);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, ok = 0;
    if (!pt || !c) {
        goto out;
    }
    if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, ks->master, b + 4) != 1 ||
        EVP_DecryptUpdate(c, NULL, &len, (const uint8_t *)key_id, (int)strlen(key_id)) != 1 ||
        EVP_DecryptUpdate(c, pt, &len, b + 4 + NONCE_LEN, (int)ct_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                            (void *)(b + 4 + NONCE_LEN + ct_len)) != 1 ||
        EVP_DecryptFinal_ex(c, pt + len, &len) != 1) {
        goto out;
    }
    pt[ct_len] = 0;
    ok = 1;
out:
    EVP_CIPHER_CTX_free(c);
    ERR_clear_error();
    if (!ok) {
        if (pt) {
            OPENSSL_clear_free(pt, ct_len + 1);
        }
        return -1;
    }
    *out = pt;
    *out_len = ct_len;
    return 0;
}

static bool add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!e) {
        return false;
    }
    bool ok = X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

/* Fills, signs (SM2 with the default ID, GM/T 0009) and encodes a
 * certificate for pk issued by the CA, valid from now-60 s to not_after,
 * with the extensions of an end-entity signing certificate plus `eku`
 * (an extendedKeyUsage value, NULL = none). OUT (malloc'd): the DER. */
static int ca_issue(es_keystore *ks, EVP_PKEY *pk, const X509_NAME *subject, int64_t not_after,
                    const char *eku, uint8_t **out, size_t *out_len, char *err, size_t err_len)
{
    int rc = -1;
    unsigned char *der = NULL;
    X509 *x = X509_new();
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    BIGNUM *serial = BN_new();
    EVP_PKEY_CTX *pctx = NULL;
    *out = NULL;
    if (!x || !md || !serial) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    X509_set_version(x, 2);
    int64_t now = (int64_t)time(NULL) - 60;
    if (!BN_rand(serial, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
        !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) ||
        !X509_set_subject_name(x, subject) ||
        !X509_set_issuer_name(x, X509_get_subject_name(ks->ca_cert)) ||
        !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)now) ||
        !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after) || !X509_set_pubkey(x, pk) ||
        !add_ext(x, ks->ca_cert, NID_subject_key_identifier, "hash") ||
        !add_ext(x, ks->ca_cert, NID_authority_key_identifier, "keyid:always") ||
        !add_ext(x, ks->ca_cert, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(x, ks->ca_cert, NID_key_usage, "critical,digitalSignature,nonRepudiation") ||
        (eku && !add_ext(x, ks->ca_cert, NID_ext_key_usage, eku))) {
        ossl_msg(err, err_len, "building the certificate");
        goto out;
    }
    if (EVP_DigestSignInit_ex(md, &pctx, "SM3", NULL, NULL, ks->ca_key, NULL) != 1 ||
        EVP_PKEY_CTX_set1_id(pctx, SM2_ID, strlen(SM2_ID)) <= 0 || X509_sign_ctx(x, md) <= 0) {
        ossl_msg(err, err_len, "signing the certificate");
        goto out;
    }
    int der_len = i2d_X509(x, &der);
    if (der_len <= 0) {
        der = NULL;
        ossl_msg(err, err_len, "encoding the certificate");
        goto out;
    }
    *out = malloc((size_t)der_len);
    if (!*out) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    memcpy(*out, der, (size_t)der_len);
    *out_len = (size_t)der_len;
    rc = 0;
out:
    OPENSSL_free(der);
    BN_free(serial);
    EVP_MD_CTX_free(md);
    X509_free(x);
    return rc;
}

static int no_ca(const es_keystore *ks, char *err, size_t err_len)
{
    if (ks_has_ca(ks)) {
        return 0;
    }
    snprintf(err, err_len, "no CA is configured to issue certificates (ca_key, ca_cert)");
    return -1;
}

int ks_new_identity(es_keystore *ks, const char *key_id, const char *org, const char *cn,
                    int64_t not_after, uint8_t **out_wrapped, size_t *out_wrapped_len,
                    uint8_t **out_cert, size_t *out_cert_len, char *err, size_t err_len)
{
    int rc = -1;
    EVP_PKEY *pk = NULL;
    X509_NAME *name = NULL;
    BIO *bio = NULL;
    *out_wrapped = NULL;
    *out_cert = NULL;
    if (no_ca(ks, err, err_len) != 0) {
        return -1;
    }
    pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    name = X509_NAME_new();
    if (!pk || !name) {
        ossl_msg(err, err_len, "SM2 key generation");
        goto out;
    }
    if (!X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"CN", -1,
                                    -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1,
                                    0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0)) {
        ossl_msg(err, err_len, "building the certificate");
        goto out;
    }
    if (ca_issue(ks, pk, name, not_after, NULL, out_cert, out_cert_len, err, err_len) != 0) {
        goto out;
    }
    /* the private key: unencrypted PKCS#8 PEM inside the envelope */
    bio = BIO_new(BIO_s_secmem());
    if (!bio) {
        bio = BIO_new(BIO_s_mem());
    }
    if (!bio || PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) != 1) {
        ossl_msg(err, err_len, "encoding the key");
        goto out;
    }
    char *pem = NULL;
    long pem_len = BIO_get_mem_data(bio, &pem);
    if (pem_len <= 0 ||
        seal_blob(ks, key_id, (const uint8_t *)pem, (size_t)pem_len, out_wrapped,
                  out_wrapped_len) != 0) {
        snprintf(err, err_len, "wrapping the key under the master key failed");
        free(*out_cert);
        *out_cert = NULL;
        goto out;
    }
    rc = 0;
out:
    BIO_free(bio); /* a secmem BIO clears its memory */
    X509_NAME_free(name);
    EVP_PKEY_free(pk);
    ERR_clear_error();
    return rc;
}

int ks_issue_tsa_cert(es_keystore *ks, const uint8_t *holder, size_t holder_len,
                      int64_t not_after, uint8_t **out_cert, size_t *out_cert_len, char *err,
                      size_t err_len)
{
    int rc = -1;
    const unsigned char *p = holder;
    X509 *h = NULL;
    X509_NAME *name = NULL;
    *out_cert = NULL;
    if (no_ca(ks, err, err_len) != 0) {
        return -1;
    }
    h = d2i_X509(NULL, &p, (long)holder_len);
    EVP_PKEY *pk = h ? X509_get0_pubkey(h) : NULL;
    name = h ? X509_NAME_dup(X509_get_subject_name(h)) : NULL;
    if (!pk || !name) {
        ossl_msg(err, err_len, "reading the platform certificate");
        goto out;
    }
    /* the CN says what the certificate is for: "<platform CN> TSA" */
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    char cn[256] = "eseald";
    if (i >= 0) {
        X509_NAME_ENTRY *e = X509_NAME_delete_entry(name, i);
        const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
        unsigned char *u = NULL;
        int n = ASN1_STRING_to_UTF8(&u, v);
        if (n > 0 && (size_t)n < sizeof(cn)) {
            memcpy(cn, u, (size_t)n);
            cn[n] = '\0';
        }
        OPENSSL_free(u);
        X509_NAME_ENTRY_free(e);
    }
    char tsa_cn[300];
    snprintf(tsa_cn, sizeof(tsa_cn), "%s TSA", cn);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)tsa_cn, -1,
                                    -1, 0)) {
        ossl_msg(err, err_len, "building the TSA certificate");
        goto out;
    }
    if (ca_issue(ks, pk, name, not_after, "critical,timeStamping", out_cert, out_cert_len, err,
                 err_len) != 0) {
        goto out;
    }
    rc = 0;
out:
    X509_NAME_free(name);
    X509_free(h);
    ERR_clear_error();
    return rc;
}

int ks_check_tsa_cert(es_keystore *ks, const uint8_t *holder, size_t holder_len, const char *pem,
                      size_t pem_len, int64_t valid_until, uint8_t **out_cert,
                      size_t *out_cert_len, char *err, size_t err_len)
{
    int rc = -1;
    const unsigned char *p = holder;
    unsigned char *der = NULL;
    X509 *h = NULL, *x = NULL;
    BIO *bio = NULL;
    *out_cert = NULL;
    if (no_ca(ks, err, err_len) != 0) {
        return -1;
    }
    h = d2i_X509(NULL, &p, (long)holder_len);
    bio = pem_len <= INT_MAX ? BIO_new_mem_buf(pem, (int)pem_len) : NULL;
    x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    time_t until = (time_t)valid_until;
    /* an SM2 signature covers the signer's ID too: the default one, as
     * ca_issue signs with it */
    ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
    if (x && id && ASN1_OCTET_STRING_set(id, (const unsigned char *)SM2_ID, strlen(SM2_ID))) {
        X509_set0_distinguishing_id(x, id);
        id = NULL;
    }
    ASN1_OCTET_STRING_free(id);
    if (!h) {
        ossl_msg(err, err_len, "reading the platform certificate");
    } else if (!x) {
        snprintf(err, err_len, "it holds no PEM certificate");
    } else if (EVP_PKEY_eq(X509_get0_pubkey(x), X509_get0_pubkey(h)) != 1) {
        snprintf(err, err_len, "it certifies another key than the platform key");
    } else if (X509_check_issued(ks->ca_cert, x) != X509_V_OK) {
        snprintf(err, err_len, "the configured CA did not issue it (issuer or key identifier)");
    } else if (X509_verify(x, X509_get0_pubkey(ks->ca_cert)) != 1) {
        snprintf(err, err_len, "its signature does not verify under the CA's key");
    } else if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE) ||
               !(X509_get_extended_key_usage(x) & XKU_TIMESTAMP)) {
        snprintf(err, err_len, "it lacks extendedKeyUsage timeStamping");
    } else if (X509_cmp_time(X509_get0_notBefore(x), NULL) > 0) {
        snprintf(err, err_len, "it is not valid yet");
    } else if (X509_cmp_time(X509_get0_notAfter(x), &until) < 0) {
        struct tm tm;
        char when[32] = "?";
        if (gmtime_r(&until, &tm)) {
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        snprintf(err, err_len, "it expires too soon (before %s)", when);
    } else {
        int der_len = i2d_X509(x, &der);
        *out_cert = der_len > 0 ? malloc((size_t)der_len) : NULL;
        if (!*out_cert) {
            snprintf(err, err_len, "out of memory");
        } else {
            memcpy(*out_cert, der, (size_t)der_len);
            *out_cert_len = (size_t)der_len;
            rc = 0;
        }
    }
    OPENSSL_free(der);
    X509_free(x);
    X509_free(h);
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

int ks_unwrap(es_keystore *ks, const char *key_id, const uint8_t *wrapped, size_t wrapped_len,
              es_key **out, char *err, size_t err_len)
{
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    *out = NULL;
    if (open_blob(ks, key_id, wrapped, wrapped_len, &pt, &pt_len) != 0) {
        snprintf(err, err_len, "the stored key %s cannot be unwrapped (wrong master key or "
                               "tampered record)", key_id);
        return -1;
    }
    es_ctx *ctx = es_ctx_new();
    int rc = ctx ? es_key_from_bytes(ctx, pt, pt_len, NULL, out) : ES_ERR_NOMEM;
    if (rc != ES_OK) {
        snprintf(err, err_len, "the stored key %s is unreadable: %s", key_id,
                 ctx ? es_ctx_errmsg(ctx) : "out of memory");
    }
    es_ctx_free(ctx);
    OPENSSL_clear_free(pt, pt_len + 1);
    return rc == ES_OK ? 0 : -1;
}

/* ---- passwords ---- */

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int ks_password_hash(const char *password, char *out, size_t out_len)
{
    uint8_t salt[16], h[32];
    char sh[33], hh[65];
    if (RAND_bytes(salt, sizeof(salt)) != 1 ||
        PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, sizeof(salt), PBKDF2_ITER,
                          EVP_sha256(), sizeof(h), h) != 1) {
        ERR_clear_error();
        return -1;
    }
    hex(salt, sizeof(salt), sh);
    hex(h, sizeof(h), hh);
    ks_wipe(h, sizeof(h));
    int n = snprintf(out, out_len, "pbkdf2-sha256$%d$%s$%s", PBKDF2_ITER, sh, hh);
    return n > 0 && (size_t)n < out_len ? 0 : -1;
}

bool ks_password_check(const char *password, const char *stored)
{
    int iter = 0;
    char sh[65] = "", hh[129] = "";
    if (sscanf(stored, "pbkdf2-sha256$%d$%64[0-9a-f]$%128[0-9a-f]", &iter, sh, hh) != 3 ||
        iter < 1000 || iter > 10000000 || strlen(sh) != 32 || strlen(hh) != 64) {
        return false;
    }
    uint8_t salt[16], want[32], got[32];
    for (int i = 0; i < 16; i++) {
        salt[i] = (uint8_t)(hexval(sh[2 * i]) << 4 | hexval(sh[2 * i + 1]));
    }
    for (int i = 0; i < 32; i++) {
        want[i] = (uint8_t)(hexval(hh[2 * i]) << 4 | hexval(hh[2 * i + 1]));
    }
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, sizeof(salt), iter,
                          EVP_sha256(), sizeof(got), got) != 1) {
        ERR_clear_error();
        return false;
    }
    bool ok = CRYPTO_memcmp(got, want, sizeof(got)) == 0;
    ks_wipe(got, sizeof(got));
    return ok;
}

int ks_random(void *buf, size_t n)
{
    return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

bool ks_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

/* ---- base64 ---- */

char *ks_b64_encode(const uint8_t *p, size_t n)
{
    if (n > (SIZE_MAX / 4) * 3 - 3 || n > 0x3fffffff) {
        return NULL;
    }
    size_t cap = 4 * ((n + 2) / 3) + 1;
    char *s = malloc(cap);
    if (!s) {
        return NULL;
    }
    int w = EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    s[w < 0 ? 0 : w] = '\0';
    return s;
}

/* Value of each byte as a base64 digit, 0xff for anything else. A table,
 * not a chain of range tests: on random base64 those branches mispredicted
 * so often that decoding an uploaded document cost more than verifying it. */
static uint8_t g_b64v[256];
static pthread_once_t g_b64_once = PTHREAD_ONCE_INIT;

static void b64_table(void)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(g_b64v, 0xff, sizeof(g_b64v));
    for (int i = 0; i < 64; i++) {
        g_b64v[(unsigned char)digits[i]] = (uint8_t)i;
    }
}

uint8_t *ks_b64_decode(const char *s, size_t len, size_t *out_len)
{
    /* strict: length a multiple of 4, '=' only as the last one or two */
    if (len % 4 != 0) {
        return NULL;
    }
    pthread_once(&g_b64_once, b64_table);
    size_t pad = 0;
    if (len >= 1 && s[len - 1] == '=') {
        pad++;
    }
    if (len >= 2 && s[len - 2] == '=') {
        pad++;
    }
    uint8_t *out = malloc(len / 4 * 3 + 1);
    if (!out) {
        return NULL;
    }
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, body = pad ? len - 4 : len; /* the last group may hold '=' */
    uint8_t bad = 0;
    for (size_t i = 0; i < body; i += 4) {
        uint8_t a = g_b64v[u[i]], b = g_b64v[u[i + 1]], c = g_b64v[u[i + 2]],
                d = g_b64v[u[i + 3]];
        bad |= (a | b | c | d) & 0x80; /* one test per call, not per digit */
        uint32_t w = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        out[o++] = (uint8_t)(w >> 16);
        out[o++] = (uint8_t)(w >> 8);
        out[o++] = (uint8_t)w;
    }
    if (pad) {
        const unsigned char *g = u + body;
        uint8_t a = g_b64v[g[0]], b = g_b64v[g[1]];
        uint8_t c = pad == 2 ? 0 : g_b64v[g[2]];
        bad |= (a | b | c) & 0x80;
        uint32_t w = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
        out[o++] = (uint8_t)(w >> 16);
        out[o++] = (uint8_t)(w >> 8);
        out[o++] = (uint8_t)w;
        o -= pad;
    }
    if (bad) {
        free(out);
        return NULL;
    }
    out[o] = 0;
    *out_len = o;
    return out;
}
