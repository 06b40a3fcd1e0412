/*
 * lib/crypto/ossl_x509.c - trust anchors, chain building at a given time,
 * key usage, and building certificates for the throwaway demo PKI.
 *
 * SM2 certificate signatures carry an implicit signer ID. Real CAs use the
 * GB/T 35276 default "1234567812345678"; OpenSSL 3.0 defaults to an empty
 * ID (shared/notes/dependencies.md §11). Chains are verified with the
 * default ID first and, failing that, with the empty one, which is then
 * reported so nothing is accepted silently.
 *
 * Anchors: a self-signed certificate added with es_trust_add_cert, and any
 * certificate added with es_trust_add_anchor_partial. A non-self-signed
 * certificate of the first kind is only an intermediate: a store that
 * silently ended chains at whatever it holds would trust every certificate
 * a careless --trust directory happened to contain, so ending a chain below
 * a root (X509_V_FLAG_PARTIAL_CHAIN) is turned on only when the caller has
 * named such anchors, and then the store holds exactly the anchors.
 *
 * Memo: a verifier checks the same few chains (a maker's, an owner's) over
 * and over, and each check costs OpenSSL certificate copies and its own
 * (slow, generic) SM2 verification of every certificate signature: a third
 * of verifying a sealed OFD. A chain that verified is remembered by the
 * trust set with the window in which all its certificates are valid; the
 * same leaf and intermediates at a time inside that window get the same
 * answer without redoing it. Nothing else can change the answer: there is
 * no revocation checking at this layer (the registry does that), and adding
 * a certificate to the trust set forgets every memo.
 */
#include <dirent.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <sys/stat.h>

#include "crypto/ossl_int.h"

int es_trust_new(es_ctx *ctx, es_trust **out)
{
    *out = NULL;
    es_trust *t = es_calloc(1, sizeof(*t));
    if (!t) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "oom"));
    }
    t->all = sk_X509_new_null();
    t->partial = sk_X509_new_null();
    pthread_mutex_init(&t->memo_mu, NULL);
    if (!t->all || !t->partial) {
        es_trust_free(t);
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "oom"));
    }
    *out = t;
    return ES_OK;
}

void es_trust_free(es_trust *t)
{
    if (!t) {
        return;
    }
    sk_X509_pop_free(t->all, X509_free);
    sk_X509_pop_free(t->partial, X509_free);
    pthread_mutex_destroy(&t->memo_mu);
    es_free(t);
}

size_t es_trust_count(const es_trust *t) { return t ? t->n : 0; }

static int trust_push(es_ctx *ctx, es_trust *t, STACK_OF(X509) *sk, const es_cert *cert)
{
    if (!t || !cert) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_USAGE_NULL, __FILE__, __LINE__,
                                                   "es_trust: no trust set or certificate"));
    }
    if (!sk_X509_push(sk, cert->x)) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "oom"));
    }
    X509_up_ref(cert->x);
    t->n++;
    pthread_mutex_lock(&t->memo_mu); /* other anchors: other answers */
    memset(t->memo, 0, sizeof(t->memo));
    pthread_mutex_unlock(&t->memo_mu);
    return ES_OK;
}

int es_trust_add_cert(es_ctx *ctx, es_trust *t, const es_cert *cert)
{
    return trust_push(ctx, t, t ? t->all : NULL, cert);
}

int es_trust_add_anchor_partial(es_ctx *ctx, es_trust *t, const es_cert *cert)
{
    return trust_push(ctx, t, t ? t->partial : NULL, cert);
}

static int add_file(es_ctx *ctx, es_trust *t, const char *path, bool anchors)
{
    es_cert **arr = NULL;
    size_t n = 0;
    int rc = es_cert_load_all(ctx, path, NULL, &arr, &n);
    for (size_t i = 0; i < n; i++) {
        if (rc == ES_OK) {
            rc = anchors ? es_trust_add_anchor_partial(ctx, t, arr[i])
                         : es_trust_add_cert(ctx, t, arr[i]);
        }
        es_cert_free(arr[i]);
    }
    es_free(arr);
    return rc;
}

static bool cert_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcmp(dot, ".pem") == 0 || strcmp(dot, ".crt") == 0 ||
                   strcmp(dot, ".cer") == 0 || strcmp(dot, ".der") == 0);
}

static int add_path(es_ctx *ctx, es_trust *t, const char *path, bool anchors)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_IO_OPEN, __FILE__, __LINE__,
                                                   "%s: no such file or directory", path));
    }
    if (!S_ISDIR(st.st_mode)) {
        return add_file(ctx, t, path, anchors);
    }
    DIR *d = opendir(path);
    if (!d) {
        return es_ctx_take_error(ctx, es_error_set(ES_ERR_IO_OPEN, __FILE__, __LINE__,
                                                   "%s: cannot open directory", path));
    }
    int rc = ES_OK;
    struct dirent *de;
    while (rc == ES_OK && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !cert_ext(de->d_name)) {
            continue;
        }
        char *p = es_asprintf("%s/%s", path, de->d_name);
        if (!p) {
            rc = ES_ERR_NOMEM;
            break;
        }
        rc = add_file(ctx, t, p, anchors);
        es_free(p);
    }
    closedir(d);
    return rc;
}

int es_trust_add_path(es_ctx *ctx, es_trust *t, const char *path)
{
    return add_path(ctx, t, path, false);
}

int es_trust_add_path_partial(es_ctx *ctx, es_trust *t, const char *path)
{
    return add_path(ctx, t, path, true);
}

static void set_id(X509 *x, bool empty)
{
    if (empty) {
        X509_set0_distinguishing_id(x, NULL);
        return;
    }
    ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
    if (id && ASN1_OCTET_STRING_set(id, (const unsigned char *)ES_SM2_DEFAULT_ID, 16)) {
        X509_set0_distinguishing_id(x, id);
    } else {
        ASN1_OCTET_STRING_free(id);
    }
}

static bool self_signed(X509 *x) { return X509_check_issued(x, x) == X509_V_OK; }

/* A copy of x with the ID rule set, into the store of anchors. */
static void add_anchor(X509_STORE *store, X509 *x, bool empty_id)
{
    X509 *c = X509_dup(x);
    if (c) {
        set_id(c, empty_id);
        X509_STORE_add_cert(store, c); /* takes its own reference */
        X509_free(c);
    }
}

/* One attempt at building and verifying the chain with the given ID rule. */
static es_result try_chain(const es_trust *trust, const es_cert *cert,
                           const es_cert *const *extra, size_t n_extra, int64_t t, bool empty_id,
                           struct es_chain_result *out, int64_t window[2])
{
    es_result res = ES_RESULT_OK;
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *sc = X509_STORE_CTX_new();
    X509 *leaf = X509_dup(cert->x);
    if (!store || !untrusted || !sc || !leaf) {
        res = es_error_set(ES_ERR_NOMEM, __FILE__, __LINE__, "out of memory");
        goto out;
    }
    set_id(leaf, empty_id);
    for (int i = 0; trust && i < sk_X509_num(trust->all); i++) {
        X509 *c = X509_dup(sk_X509_value(trust->all, i));
        if (!c) {
            continue;
        }
        set_id(c, empty_id);
        if (self_signed(c)) {
            X509_STORE_add_cert(store, c);
        } else {
            sk_X509_push(untrusted, c);
            c = NULL;
        }
        X509_free(c);
    }
    int n_partial = trust ? sk_X509_num(trust->partial) : 0;
    for (int i = 0; i < n_partial; i++) {
        add_anchor(store, sk_X509_value(trust->partial, i), empty_id);
    }
    for (size_t i = 0; i < n_extra; i++) {
        X509 *c = X509_dup(extra[i]->x);
        if (c) {
            set_id(c, empty_id);
            sk_X509_push(untrusted, c);
        }
    }
    if (!X509_STORE_CTX_init(sc, store, leaf, untrusted)) {
        res = es_ossl_error(ES_ERR_INTERNAL, "chain context");
        goto out;
    }
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(sc);
    X509_VERIFY_PARAM_set_time(vp, (time_t)t);
    X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_X509_STRICT & 0);
    if (n_partial > 0) {
        /* every certificate in the store is an anchor: only the self-signed
         * ones and those the caller named as anchors are there */
        X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
    }
    int ok = X509_verify_cert(sc);
    int err = X509_STORE_CTX_get_error(sc);
    out->ossl_error = err;
    if (ok == 1) {
        out->built = true;
        out->time_ok = true;
        STACK_OF(X509) *ch = X509_STORE_CTX_get0_chain(sc);
        X509 *anchor = sk_X509_value(ch, sk_X509_num(ch) - 1);
        X509_NAME_oneline(X509_get_subject_name(anchor), out->anchor, sizeof(out->anchor));
        window[0] = INT64_MIN;
        window[1] = INT64_MAX;
        for (int i = 0; i < sk_X509_num(ch); i++) {
            int64_t nb = es_ossl_asn1_time(X509_get0_notBefore(sk_X509_value(ch, i)));
            int64_t na = es_ossl_asn1_time(X509_get0_notAfter(sk_X509_value(ch, i)));
            window[0] = nb > window[0] ? nb : window[0];
            window[1] = na < window[1] ? na : window[1];
        }
        out->partial_anchor = !self_signed(anchor);
        snprintf(out->detail, sizeof(out->detail), "chain of %d certificate(s) to a trust anchor%s",
                 sk_X509_num(ch),
                 out->partial_anchor ? " (recognised, not self-signed)" : "");
    } else {
        out->built = false;
        out->time_ok = !(err == X509_V_ERR_CERT_HAS_EXPIRED ||
                         err == X509_V_ERR_CERT_NOT_YET_VALID);
        if (!out->time_ok) {
            /* the chain itself was found; only the time is wrong */
            out->built = true;
        }
        X509 *at = X509_STORE_CTX_get_current_cert(sc);
        char who[200] = "";
        if (at) {
            X509_NAME_oneline(X509_get_subject_name(at), who, sizeof(who));
        }
        snprintf(out->detail, sizeof(out->detail), "%s%s%s", X509_verify_cert_error_string(err),
                 who[0] ? " at " : "", who);
    }
    ERR_clear_error();
out:
    X509_STORE_CTX_free(sc);
    X509_STORE_free(store);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(leaf);
    return res;
}

/* The memo key: the leaf and the extras, each with its length. */
static void memo_key(const es_cert *cert, const es_cert *const *extra, size_t n_extra,
                     uint8_t key[32])
{
    es_sm3_ctx h;
    es_sm3_init(&h);
    for (size_t i = 0; i <= n_extra; i++) {
        const es_cert *c = i == 0 ? cert : extra[i - 1];
        uint8_t len[8];
        for (int b = 0; b < 8; b++) {
            len[b] = (uint8_t)((uint64_t)c->der_len >> (56 - 8 * b));
        }
        es_sm3_update(&h, len, sizeof(len));
        es_sm3_update(&h, c->der, c->der_len);
    }
    es_sm3_final(&h, key);
}

static bool memo_find(es_trust *trust, const uint8_t key[32], int64_t t,
                      struct es_chain_result *out)
{
    bool hit = false;
    pthread_mutex_lock(&trust->memo_mu);
    for (unsigned i = 0; i < ES_CHAIN_MEMO_SLOTS && !hit; i++) {
        const struct es_chain_memo *m = &trust->memo[i];
        if (m->used && memcmp(m->key, key, 32) == 0 && t >= m->from && t <= m->until) {
            *out = m->result;
            hit = true;
            trust->memo_hits++;
        }
    }
    pthread_mutex_unlock(&trust->memo_mu);
    return hit;
}

static void memo_put(es_trust *trust, const uint8_t key[32], const int64_t window[2],
                     const struct es_chain_result *r)
{
    pthread_mutex_lock(&trust->memo_mu);
    struct es_chain_memo *m = &trust->memo[trust->memo_next++ % ES_CHAIN_MEMO_SLOTS];
    memcpy(m->key, key, 32);
    m->from = window[0];
    m->until = window[1];
    m->result = *r;
    m->used = true;
    pthread_mutex_unlock(&trust->memo_mu);
}

es_result es_chain_verify(const es_trust *trust, const es_cert *cert, const es_cert *const *extra,
                          size_t n_extra, int64_t t, struct es_chain_result *out)
{
    memset(out, 0, sizeof(*out));
    /* the memo is the trust set's cache, not part of its value: writing it
     * through a const pointer changes no answer it gives */
    es_trust *memo = (es_trust *)trust;
    uint8_t key[32];
    if (memo) {
        memo_key(cert, extra, n_extra, key);
        if (memo_find(memo, key, t, out)) {
            return ES_RESULT_OK;
        }
    }
    int64_t window[2] = {0, -1};
    ES_GUARD(try_chain(trust, cert, extra, n_extra, t, false, out, window));
    if (out->ossl_error == X509_V_ERR_CERT_SIGNATURE_FAILURE) {
        struct es_chain_result alt;
        memset(&alt, 0, sizeof(alt));
        int64_t alt_window[2] = {0, -1};
        ES_GUARD(try_chain(trust, cert, extra, n_extra, t, true, &alt, alt_window));
        if (alt.ossl_error != X509_V_ERR_CERT_SIGNATURE_FAILURE) {
            *out = alt;
            out->sig_empty_id = true;
            window[0] = alt_window[0];
            window[1] = alt_window[1];
        }
    }
    if (memo && out->built && out->time_ok && window[0] <= window[1]) {
        memo_put(memo, key, window, out);
    }
    return ES_RESULT_OK;
}

bool es_cert_usage_signing(const es_cert *cert)
{
    uint32_t ku = X509_get_key_usage(cert->x);
    if (ku == UINT32_MAX) {
        return true; /* no keyUsage extension: unrestricted */
    }
    return (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
}

int es_ossl_set_id(EVP_PKEY_CTX *pc)
{
    return EVP_PKEY_CTX_set1_id(pc, ES_SM2_DEFAULT_ID, 16) > 0;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!ext) {
        return 0;
    }
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

es_result es_cert_build(const struct es_cert_spec *spec, const es_key *subject_key,
                        const es_key *issuer_key, const es_cert *issuer, es_cert **out)
{
    es_result res = ES_RESULT_OK;
    X509 *x = X509_new();
    X509_NAME *name = NULL;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    BIGNUM *serial = BN_new();
    *out = NULL;
    if (!x || !mctx || !serial) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    X509_set_version(x, 2);
    if (!BN_rand(serial, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
        !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x))) {
        res = es_ossl_error(ES_ERR_CRYPTO_RANDOM, "serial number");
        goto out;
    }
    name = X509_NAME_new();
    /* subject is "/K=V/K=V": split and add as UTF-8 */
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", spec->subject);
    for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok;
         tok = strtok_r(NULL, "/", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            continue;
        }
        *eq = '\0';
        if (!X509_NAME_add_entry_by_txt(name, tok, MBSTRING_UTF8, (unsigned char *)eq + 1, -1,
                                        -1, 0)) {
            res = es_ossl_error(ES_ERR_USAGE_ARG, "bad subject");
            goto out;
        }
    }
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) : name);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)spec->not_before);
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)spec->not_after);
    X509_set_pubkey(x, subject_key->pub.ossl);
    X509 *iss = issuer ? issuer->x : x;
    bool ok = add_ext(x, iss, NID_subject_key_identifier, "hash") &&
              add_ext(x, iss, NID_authority_key_identifier, "keyid:always");
    if (spec->ca) {
        ok = ok && add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    } else {
        ok = ok && add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE");
        if (spec->time_stamping) {
            ok = ok && add_ext(x, iss, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
                 add_ext(x, iss, NID_ext_key_usage, "critical,timeStamping");
        } else if (spec->signing) {
            ok = ok && add_ext(x, iss, NID_key_usage, "critical,digitalSignature,nonRepudiation");
        }
    }
    if (!ok) {
        res = es_ossl_error(ES_ERR_INTERNAL, "certificate extensions");
        goto out;
    }
    if (!EVP_DigestSignInit_ex(mctx, &pctx, "SM3", NULL, NULL, issuer_key->pub.ossl, NULL) ||
        !es_ossl_set_id(pctx) || X509_sign_ctx(x, mctx) <= 0) {
        res = es_ossl_error(ES_ERR_CRYPTO_SIGN, "signing the certificate");
        goto out;
    }
    ES_GUARD_GOTO(es_ossl_cert_wrap(x, out));
out:
    BN_free(serial);
    X509_NAME_free(name);
    EVP_MD_CTX_free(mctx);
    X509_free(x);
    return res;
}
