/*
 * lib/crypto/crypto.h - the crypto layer's interface to the rest of libeseal.
 *
 * lib/crypto is the only directory that includes the OpenSSL headers. It offers:
 *  - a backend vtable for the primitives that dominate seal work (SM3, SM2
 *    sign and verify on a prepared digest e); backends are chosen at run time;
 *  - keys, certificates and chain building (always through OpenSSL);
 *  - the SM2 helpers shared by every backend: Z value, e = SM3(Z || M), and
 *    the signature encodings found in real files.
 */
#ifndef ES_CRYPTO_INT_H
#define ES_CRYPTO_INT_H

#include "base/base.h"
#include "eseal/crypto.h"

#define ES_SM2_DEFAULT_ID "1234567812345678"
#define ES_OID_SM2_SM3 "1.2.156.10197.1.501"
#define ES_OID_SM3 "1.2.156.10197.1.401"
#define ES_OID_SM3_WITH_KEY "1.2.156.10197.1.401.2"

/* Public key in affine coordinates, x || y, 32 bytes each. */
struct es_sm2_pub {
    uint8_t xy[64];
    void *ossl;   /* EVP_PKEY* of type SM2, owned by the holder */
    uint8_t z[32]; /* Z value for the default ID, computed on load */
};

struct es_key {
    uint8_t d[32]; /* private scalar, wiped on free */
    struct es_sm2_pub pub;
    void *backend_cache; /* per-backend precomputation, freed by the backend */
    const struct es_crypto_ops *cache_owner; /* the backend that made backend_cache */
};

/* Backend vtable. sm2_sign/sm2_verify work on a prepared digest e. */
struct es_crypto_ops {
    const char *name;
    void (*sm3_init)(es_sm3_ctx *c);
    void (*sm3_update)(es_sm3_ctx *c, const void *p, size_t n);
    void (*sm3_final)(es_sm3_ctx *c, uint8_t out[32]);
    es_result (*sm2_sign)(const es_key *k, const uint8_t e[32], uint8_t r[32], uint8_t s[32]);
    /* *out_ok = true only for a valid signature; errors are for broken input only */
    es_result (*sm2_verify)(const struct es_sm2_pub *p, const uint8_t e[32], const uint8_t r[32],
                            const uint8_t s[32], bool *out_ok);
    /* Optional: per-key precomputation when a key is loaded; sets
     * k->backend_cache and k->cache_owner. */
    es_result (*key_prepare)(es_key *k);
    void (*key_cache_free)(void *cache);
};

const struct es_crypto_ops *es_crypto(void);
extern const struct es_crypto_ops es_crypto_openssl;
/* lib/crypto/fast: SM2 and SM3 of our own, the default once registered. */
extern const struct es_crypto_ops es_crypto_fast;
/* Every object including this header refers to the fast backend, so that a
 * static link pulls lib/crypto/fast in and its constructor registers it. */
__attribute__((used)) static const struct es_crypto_ops *const es_crypto_fast_link_ =
    &es_crypto_fast;
/* Registers another backend (called from that backend's constructor). */
void es_crypto_register(const struct es_crypto_ops *ops);

/* Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA), default ID. */
void es_sm2_compute_z(const uint8_t xy[64], uint8_t out[32]);
/* e = SM3(Z || msg). */
void es_sm2_digest(const struct es_sm2_pub *p, const uint8_t *msg, size_t len, uint8_t e[32]);

/* Quirk bits for SM2 signature encodings (ses-format.md Q-SIG-1..3). */
enum {
    ES_SQ_RAW64 = 1u << 0,
    ES_SQ_SIGNLESS = 1u << 1,
    ES_SQ_NONMINIMAL = 1u << 2,
};
/* Decodes a signature blob into r, s. Fails on anything else. */
ES_RESULT es_sm2_sig_decode(const uint8_t *sig, size_t len, uint8_t r[32], uint8_t s[32],
                            unsigned *quirks);
/* Canonical DER SEQUENCE{r,s}; out has room for 72 bytes. */
ES_RESULT es_sm2_sig_encode(const uint8_t r[32], const uint8_t s[32], uint8_t out[72],
                            size_t *out_len);

/* Signs msg: e = SM3(Z||msg), then the backend. Canonical DER out. */
ES_RESULT es_sm2_sign_msg(const es_key *k, const uint8_t *msg, size_t len, uint8_t out[72],
                          size_t *out_len);
/* Verifies over msg (mode 0) or over a given e (mode 1, Q-SIG-4). */
ES_RESULT es_sm2_verify_msg(const struct es_sm2_pub *p, const uint8_t *msg, size_t len,
                            const uint8_t *sig, size_t sig_len, bool *out_ok, unsigned *quirks);
ES_RESULT es_sm2_verify_e(const struct es_sm2_pub *p, const uint8_t e[32], const uint8_t *sig,
                          size_t sig_len, bool *out_ok, unsigned *quirks);

/* The certificate's SM2 public key (NULL if not SM2). Borrowed. */
const struct es_sm2_pub *es_cert_pub(const es_cert *cert);
ES_RESULT es_random(void *buf, size_t n);
/* SHA-256 / SHA-1 (for certificate digest lists only). out holds 64 bytes. */
ES_RESULT es_digest_other(const char *name, const void *p, size_t n, uint8_t *out,
                          size_t *out_len);

/* ---- chain building ---- */
struct es_chain_result {
    bool built;          /* a chain to an anchor was built and verified */
    bool time_ok;        /* every certificate valid at the time given */
    bool sig_empty_id;   /* a certificate signature only verified with the empty SM2 ID */
    bool partial_anchor; /* built: the anchor is an explicit anchor, not self-signed */
    int ossl_error;      /* X509_V_ERR_* of the failure */
    char detail[256];    /* human reason */
    char anchor[256];    /* subject of the anchor */
};
/* Builds and verifies cert's chain to an anchor at time t. `extra` are
 * untrusted certificates that may serve as intermediates. Anchors are the
 * self-signed certificates of `trust` and, only when it has some, its
 * explicit anchors (es_trust_add_anchor_partial), at which a chain may end
 * (X509_V_FLAG_PARTIAL_CHAIN on a store holding exactly the anchors). */
ES_RESULT es_chain_verify(const es_trust *trust, const es_cert *cert, const es_cert *const *extra,
                          size_t n_extra, int64_t t, struct es_chain_result *out);
/* keyUsage allows digitalSignature or nonRepudiation (absent extension: yes). */
bool es_cert_usage_signing(const es_cert *cert);

/* ---- building certificates (throwaway PKI) ---- */
struct es_cert_spec {
    const char *subject;  /* "/C=CN/O=.../CN=..." */
    int64_t not_before;
    int64_t not_after;
    bool ca;
    bool signing;          /* digitalSignature + nonRepudiation */
    bool time_stamping;    /* extendedKeyUsage timeStamping */
};
ES_RESULT es_cert_build(const struct es_cert_spec *spec, const es_key *subject_key,
                        const es_key *issuer_key, const es_cert *issuer, es_cert **out);

/* Frees the calling thread's cache of parsed certificates (es_cert_from_der
 * keeps the last few per thread; a thread's entries are freed when it
 * exits, this is for long-lived threads and tests). */
void es_cert_cache_clear(void);

#endif
