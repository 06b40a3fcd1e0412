/*
 * eseal/error.h - error codes.
 *
 * Codes are negative and grouped by category in ranges of 100, so that a
 * caller (the HTTP server, the CLI) can map a category to a status without a
 * switch over every code: es_error_category(code).
 */
#ifndef ESEAL_ERROR_H
#define ESEAL_ERROR_H

#include "eseal/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum es_error_cat {
    ES_CAT_OK = 0,
    ES_CAT_USAGE = 1,    /* caller bug or bad argument */
    ES_CAT_FORMAT = 2,   /* malformed input */
    ES_CAT_CRYPTO = 3,   /* key, certificate or signature operation failed */
    ES_CAT_IO = 4,       /* file system */
    ES_CAT_STORE = 5,    /* database */
    ES_CAT_LIMIT = 6,    /* a configured limit was exceeded */
    ES_CAT_INTERNAL = 7, /* out of memory, invariant broken */
    ES_CAT_POLICY = 8,   /* refused by policy (expired seal, key mismatch...) */
    ES_CAT_LAST_
} es_error_cat;

typedef enum es_error {
    ES_OK = 0,

    ES_ERR_USAGE = -100,
    ES_ERR_USAGE_NULL = -101,
    ES_ERR_USAGE_ARG = -102,

    ES_ERR_FORMAT = -200,
    ES_ERR_FORMAT_TRUNCATED = -201,
    ES_ERR_FORMAT_TAG = -202,
    ES_ERR_FORMAT_LENGTH = -203,
    ES_ERR_FORMAT_INDEFINITE = -204,
    ES_ERR_FORMAT_TRAILING = -205,
    ES_ERR_FORMAT_INTEGER = -206,
    ES_ERR_FORMAT_TIME = -207,
    ES_ERR_FORMAT_OID = -208,
    ES_ERR_FORMAT_STRUCTURE = -209,
    ES_ERR_FORMAT_VERSION = -210,
    ES_ERR_FORMAT_PEM = -211,
    ES_ERR_FORMAT_IMAGE = -212,
    ES_ERR_FORMAT_NOT_STRICT = -213, /* a quirk refused by the strict profile */

    ES_ERR_CRYPTO = -300,
    ES_ERR_CRYPTO_KEY = -301,
    ES_ERR_CRYPTO_CERT = -302,
    ES_ERR_CRYPTO_SIGN = -303,
    ES_ERR_CRYPTO_PASSPHRASE = -304,
    ES_ERR_CRYPTO_RANDOM = -305,
    ES_ERR_CRYPTO_UNSUPPORTED = -306,
    ES_ERR_CRYPTO_PROOF = -307,     /* a Merkle tree proof does not verify (eseal/tlog.h) */
    ES_ERR_CRYPTO_SIGNATURE = -308, /* a signed document's signature does not verify */

    ES_ERR_IO = -400,
    ES_ERR_IO_OPEN = -401,
    ES_ERR_IO_READ = -402,
    ES_ERR_IO_WRITE = -403,
    ES_ERR_IO_REMOTE = -404, /* a remote service (a time-stamp authority) failed */

    ES_ERR_STORE = -500,

    ES_ERR_LIMIT = -600,
    ES_ERR_LIMIT_DEPTH = -601,
    ES_ERR_LIMIT_SIZE = -602,
    ES_ERR_LIMIT_COUNT = -603,

    ES_ERR_INTERNAL = -700,
    ES_ERR_NOMEM = -701,

    ES_ERR_POLICY = -800,
    ES_ERR_POLICY_KEY_MISMATCH = -801,
    ES_ERR_POLICY_SEAL_NOT_VALID = -802,
    ES_ERR_POLICY_CERT_NOT_VALID = -803,
    ES_ERR_POLICY_VALIDITY = -804,

    ES_ERR_LAST_ = -999 /* never use */
} es_error;

/* Category of a code (ES_CAT_OK for ES_OK). */
ES_API es_error_cat es_error_category(int code);
/* Short constant name of a code, e.g. "ES_ERR_FORMAT_TRUNCATED". Static. */
ES_API const char *es_error_name(int code);
/* A sentence describing the code in general. Static. */
ES_API const char *es_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif
