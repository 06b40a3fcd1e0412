/*
 * eseal/pki.h - a throwaway SM2 PKI for demonstrations and tests.
 */
#ifndef ESEAL_PKI_H
#define ESEAL_PKI_H

#include "eseal/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Creates in `dir` (made if missing): root-ca.pem (self-signed root),
 * maker.pem + maker.key (the seal maker), owner.pem + owner.key (the seal
 * owner's signing certificate), tsa.pem + tsa.key (a time-stamp authority,
 * extendedKeyUsage timeStamping, critical), chain.pem (root), all SM2/SM3 with the
 * default ID. Private keys are passphrase-encrypted PKCS#8 (PBES2, SM4).
 * Certificates are valid from now for `days` days (0 = 825). */
ES_API int es_pki_init(es_ctx *ctx, const char *dir, const char *passphrase, int days);

#ifdef __cplusplus
}
#endif
#endif
