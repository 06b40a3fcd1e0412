/*
 * lib/crypto/cms_ossl.c - detached CMS SignedData checked and made with
 * OpenSSL (see cms.h). The two halves of a verification are reported apart:
 * CMS_SignerInfo_verify (the signature over the signed attributes) and
 * CMS_SignerInfo_verify_content (messageDigest against the data), so that a
 * report can say "the document changed" or "the signature is broken".
 */
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "crypto/cms.h"
#include "crypto/ossl_int.h"

static void last_error(char *out, size_t cap, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    char buf[160];
    ERR_error_string_n(e, buf, sizeof(buf));
    snprintf(out, cap, "%s%s%s", what, e ? ": " : "", e ? buf : "");
    ERR_clear_error();
}

static BIO *data_bio(const es_bytes *seg, size_t n_seg, uint8_t **copy)
{
    size_t total = 0;
    for (size_t i = 0; i < n_seg; i++) {
        total += seg[i].len;
    }
    *copy = es_malloc(total ? total : 1);
    if (!*copy) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n_seg; i++) {
        memcpy(*copy + o, seg[i].ptr, seg[i].len);
        o += seg[i].len;
    }
    return BIO_new_mem_buf(*copy, (int)total);
}

void es_cms_info_clear(struct es_cms_info *i)
{
    es_cert_free(i->signer);
    memset(i, 0, sizeof(*i));
}

static void signer_details(CMS_ContentInfo *cms, CMS_SignerInfo *si, struct es_cms_info *out)
{
    X509 *signer = NULL;
    X509_ALGOR *dig = NULL, *sig = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, &signer, &dig, &sig);
    if (dig) {
        snprintf(out->digest, sizeof(out->digest), "%s",
                 OBJ_nid2sn(OBJ_obj2nid(dig->algorithm)));
    }
    if (sig) {
        snprintf(out->sig_alg, sizeof(out->sig_alg), "%s",
                 OBJ_nid2sn(OBJ_obj2nid(sig->algorithm)));
    }
    out->has_attrs = CMS_signed_get_attr_count(si) > 0;
    int ti = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (ti >= 0) {
        X509_ATTRIBUTE *a = CMS_signed_get_attr(si, ti);
        ASN1_TYPE *t = a ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
        struct tm tm;
        if (t && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME) &&
            ASN1_TIME_to_tm((const ASN1_TIME *)t->value.asn1_string, &tm) == 1) {
            out->has_time = true;
            out->signing_time = (int64_t)timegm(&tm);
        }
    }
    if (signer) {
        unsigned char *der = NULL;
        int dl = i2d_X509(signer, &der);
        if (dl > 0) {
            es_cert *c = NULL;
            if (es_cert_from_der(NULL, der, (size_t)dl, &c) == ES_OK) {
                out->signer = c;
                out->has_signer_cert = true;
            }
        }
        OPENSSL_free(der);
    }
    (void)cms;
}

/* messageDigest against the digest of the segments (CMS_SignerInfo_verify_content
 * needs the digest BIO chain of a streaming verification, which we do not have). */
static bool digest_matches(CMS_SignerInfo *si, const es_bytes *seg, size_t n_seg)
{
    X509_ALGOR *dig = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    const EVP_MD *md = dig ? EVP_get_digestbyobj(dig->algorithm) : NULL;
    ASN1_OCTET_STRING *md_attr = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    bool ok = md && md_attr && c && EVP_DigestInit_ex(c, md, NULL) == 1;
    for (size_t i = 0; ok && i < n_seg; i++) {
        ok = EVP_DigestUpdate(c, seg[i].ptr, seg[i].len) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(c, h, &hl) == 1 &&
         (unsigned)ASN1_STRING_length(md_attr) == hl &&
         CRYPTO_memcmp(ASN1_STRING_get0_data(md_attr), h, hl) == 0;
    EVP_MD_CTX_free(c);
    ERR_clear_error();
    return ok;
}

es_result es_cms_check_detached(const uint8_t *der, size_t len, const es_bytes *seg,
                                size_t n_seg, struct es_cms_info *out)
{
    memset(out, 0, sizeof(*out));
    uint8_t *copy = NULL;
    BIO *in = BIO_new_mem_buf(der, (int)len);
    BIO *data = NULL;
    CMS_ContentInfo *cms = in ? d2i_CMS_bio(in, NULL) : NULL;
    STACK_OF(X509) *certs = NULL;
    es_result res = ES_RESULT_OK;
    if (!in) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        last_error(out->error, sizeof(out->error), "not a CMS SignedData");
        goto out;
    }
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    if (!sis || sk_CMS_SignerInfo_num(sis) != 1) {
        snprintf(out->error, sizeof(out->error), "%d SignerInfos (one expected)",
                 sis ? sk_CMS_SignerInfo_num(sis) : 0);
        goto out;
    }
    out->parsed = true;
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
    certs = CMS_get1_certs(cms);
    for (int i = 0; certs && i < sk_X509_num(certs); i++) {
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0) {
            CMS_SignerInfo_set1_signer_cert(si, sk_X509_value(certs, i));
            break;
        }
    }
    signer_details(cms, si, out);
    if (!out->has_signer_cert) {
        snprintf(out->error, sizeof(out->error), "the signer's certificate is not included");
        goto out;
    }
    data = data_bio(seg, n_seg, &copy);
    if (!data) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    if (out->has_attrs) {
        out->sig_ok = CMS_SignerInfo_verify(si) == 1;
        if (!out->sig_ok) {
            last_error(out->error, sizeof(out->error), "signature");
        }
        out->digest_ok = digest_matches(si, seg, n_seg);
        if (!out->digest_ok && !out->error[0]) {
            snprintf(out->error, sizeof(out->error),
                     "messageDigest differs from the digest of the data");
        }
    } else {
        /* without attributes the signature is over the data itself */
        int ok = CMS_verify(cms, NULL, NULL, data, NULL,
                            CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY | CMS_NOINTERN);
        out->sig_ok = out->digest_ok = ok == 1;
        if (!ok) {
            last_error(out->error, sizeof(out->error), "signature over the data");
        }
    }
out:
    ERR_clear_error();
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(data);
    es_free(copy);
    return res;
}

/* The passphrase as given, never a prompt (OpenSSL's default reads /dev/tty). */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    size_t n = u ? strlen(u) : 0;
    if (!u || n >= (size_t)size) {
        return -1;
    }
    memcpy(buf, u, n);
    return (int)n;
}

es_result es_cms_sign_detached(const char *key_path, const char *cert_path, const char *pass,
                               const es_bytes *seg, size_t n_seg, uint8_t **out,
                               size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    es_result res = ES_RESULT_OK;
    uint8_t *copy = NULL;
    BIO *kb = BIO_new_file(key_path, "r"), *cb = BIO_new_file(cert_path, "r");
    EVP_PKEY *pk = kb ? PEM_read_bio_PrivateKey(kb, NULL, pass_cb, (void *)pass) : NULL;
    X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    BIO *data = NULL, *o = NULL;
    CMS_ContentInfo *cms = NULL;
    if (!pk) {
        res = es_ossl_error(ES_ERR_CRYPTO_KEY, "reading the CMS signing key (PEM)");
        goto out;
    }
    if (!x) {
        res = es_ossl_error(ES_ERR_CRYPTO_CERT, "reading the CMS certificate (PEM)");
        goto out;
    }
    if (X509_check_private_key(x, pk) != 1) {
        ERR_clear_error();
        ES_FAIL_GOTO(ES_ERR_POLICY_KEY_MISMATCH, "the CMS key does not match the certificate");
    }
    data = data_bio(seg, n_seg, &copy);
    if (!data) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    cms = CMS_sign(NULL, NULL, NULL, NULL,
                   CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP);
    const EVP_MD *md = EVP_PKEY_is_a(pk, "SM2") ? EVP_sm3() : EVP_sha256();
    if (!cms || !CMS_add1_signer(cms, x, pk, md, CMS_BINARY | CMS_NOSMIMECAP) ||
        CMS_final(cms, data, NULL, CMS_DETACHED | CMS_BINARY) != 1) {
        res = es_ossl_error(ES_ERR_CRYPTO_SIGN, "making the CMS signature");
        goto out;
    }
    o = BIO_new(BIO_s_mem());
    if (!o || i2d_CMS_bio(o, cms) != 1) {
        res = es_ossl_error(ES_ERR_CRYPTO_SIGN, "encoding the CMS signature");
        goto out;
    }
    char *p = NULL;
    long n = BIO_get_mem_data(o, &p);
    *out = es_malloc((size_t)n);
    if (!*out) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    memcpy(*out, p, (size_t)n);
    *out_len = (size_t)n;
out:
    ERR_clear_error();
    CMS_ContentInfo_free(cms);
    BIO_free(o);
    BIO_free(data);
    BIO_free(kb);
    BIO_free(cb);
    EVP_PKEY_free(pk);
    X509_free(x);
    es_free(copy);
    return res;
}
