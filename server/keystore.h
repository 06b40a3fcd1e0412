/*
 * server/keystore.h - eseald's own cryptography, the only server code that
 * uses OpenSSL directly (libeseal's public API has no certificate issuance
 * and no symmetric envelope): the master-key envelope of stored private
 * keys (AES-256-GCM), SM2 key generation and owner-certificate issuance by
 * the platform's CA, password hashing (PBKDF2-HMAC-SHA256), random bytes
 * and base64.
 *
 * Private keys of seal owners never leave the platform: they are generated
 * here, stored only wrapped under the master key, and unwrapped into an
 * es_key for the duration of one signature. Plaintext buffers are wiped.
 */
#ifndef ES_KEYSTORE_H
#define ES_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/eseal.h"

typedef struct es_keystore es_keystore;

/* Opens the master key file (32 raw bytes, or 64 hex digits). With `create`
 * a missing file is made (mode 0600) from fresh random bytes. */
int ks_open(const char *master_key_path, bool create, es_keystore **out, char *err,
            size_t err_len);
void ks_close(es_keystore *ks);

/* Loads the CA that issues owners' signing certificates (key PEM, possibly
 * passphrase-encrypted, and its certificate). */
int ks_load_ca(es_keystore *ks, const char *key_path, const char *cert_path, const char *pass,
               char *err, size_t err_len);
bool ks_has_ca(const es_keystore *ks);

/* Generates an SM2 key pair and a signing certificate for it issued by the
 * CA (subject /C=CN/O=org/CN=cn, valid from now-60 s to not_after).
 * OUT (malloc'd): the key wrapped under the master key, bound to key_id,
 * and the certificate's DER. */
int ks_new_identity(es_keystore *ks, const char *key_id, const char *org, const char *cn,
                    int64_t not_after, uint8_t **out_wrapped, size_t *out_wrapped_len,
                    uint8_t **out_cert, size_t *out_cert_len, char *err, size_t err_len);
/* Issues a time-stamping certificate (RFC 3161 §2.3: critical
 * extendedKeyUsage timeStamping only) for the public key of `holder` (a DER
 * certificate), subject = holder's subject with " TSA" after its CN, valid
 * from now-60 s to not_after. OUT (malloc'd): the certificate's DER. */
int ks_issue_tsa_cert(es_keystore *ks, const uint8_t *holder, size_t holder_len,
                      int64_t not_after, uint8_t **out_cert, size_t *out_cert_len, char *err,
                      size_t err_len);
/* Checks a stored TSA certificate (PEM, from the file that keeps it across
 * restarts) before it is used again: it certifies the public key of
 * `holder` (a DER certificate), the configured CA issued it (issuer name,
 * key identifier and signature), it carries extendedKeyUsage timeStamping,
 * it is valid now and still valid at `valid_until`. 0 with its DER in OUT
 * (malloc'd) when all hold; -1 with the first that fails in err. */
int ks_check_tsa_cert(es_keystore *ks, const uint8_t *holder, size_t holder_len, const char *pem,
                      size_t pem_len, int64_t valid_until, uint8_t **out_cert,
                      size_t *out_cert_len, char *err, size_t err_len);
/* Unwraps a stored key into an es_key (es_key_free). Fails on a wrong
 * master key, a tampered blob, or a blob of another key id. */
int ks_unwrap(es_keystore *ks, const char *key_id, const uint8_t *wrapped, size_t wrapped_len,
              es_key **out, char *err, size_t err_len);

/* Password hashes: "pbkdf2-sha256$ITER$SALTHEX$HASHHEX". */
int ks_password_hash(const char *password, char *out, size_t out_len);
bool ks_password_check(const char *password, const char *stored);

int ks_random(void *buf, size_t n);
/* Constant-time equality. */
bool ks_equal(const void *a, const void *b, size_t n);

/* Base64 (RFC 4648, with padding). Encode returns a malloc'd string.
 * Decode refuses anything but the alphabet, '=' padding and no whitespace;
 * returns a malloc'd buffer (NUL-terminated) or NULL. */
char *ks_b64_encode(const uint8_t *p, size_t n);
uint8_t *ks_b64_decode(const char *s, size_t len, size_t *out_len);

void ks_wipe(void *p, size_t n);

#endif
