/*
 * eseal/seal.h - electronic seals (SESeal): decode any version, make v4.
 *
 * Versions are told apart by structure (see docs/formats.md): a 2-element
 * SESeal is GM/T 0031-2014 (v1), a 4-element one GB/T 38540-2020 (v4), and
 * with header version 5 (or a 5th [0] element) the unconfirmed v5 layout,
 * which is decoded only when libeseal was built with ES_SES_V5.
 */
#ifndef ESEAL_SEAL_H
#define ESEAL_SEAL_H

#include "eseal/common.h"
#include "eseal/crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct es_seal es_seal;

/* Decodes a seal. The bytes are copied; the input may be freed afterwards.
 * Fails with an ES_ERR_FORMAT_* code whose message names the structure and
 * byte offset. In the strict profile any catalogued quirk is an error
 * (ES_ERR_FORMAT_NOT_STRICT); in the lenient profile it is a warning.
 * OUT (owned): es_seal_free. */
ES_API int es_seal_decode(es_ctx *ctx, const uint8_t *der, size_t len, es_seal **out);
ES_API void es_seal_free(es_seal *seal);

/* Structural version: 1, 4 or 5. */
ES_API int es_seal_version(const es_seal *seal);
ES_API int64_t es_seal_header_version(const es_seal *seal);
/* Strings are UTF-8, NUL-terminated, borrowed. */
ES_API const char *es_seal_vid(const es_seal *seal);
ES_API const char *es_seal_esid(const es_seal *seal);
ES_API const char *es_seal_name(const es_seal *seal);
ES_API int64_t es_seal_type(const es_seal *seal);
/* Seconds since the epoch, UTC. */
ES_API int64_t es_seal_create_date(const es_seal *seal);
ES_API int64_t es_seal_valid_start(const es_seal *seal);
ES_API int64_t es_seal_valid_end(const es_seal *seal);
/* certListType (v4/v5; 0 for v1) and the entries of certList: DER
 * certificates (type 1), digests (type 2) or, in some v1 files, strings. */
ES_API int64_t es_seal_cert_list_type(const es_seal *seal);
ES_API size_t es_seal_cert_count(const es_seal *seal);
ES_API es_bytes es_seal_cert_entry(const es_seal *seal, size_t i);
/* The picture: bytes (borrowed), declared type, size in millimetres. */
ES_API es_bytes es_seal_picture(const es_seal *seal, const char **out_type, int64_t *out_w_mm,
                                int64_t *out_h_mm);
/* Type detected from the picture's content ("PNG", "OFD", ...) or NULL. */
ES_API const char *es_seal_picture_sniffed(const es_seal *seal);
ES_API es_bytes es_seal_maker_cert(const es_seal *seal);
/* The seal's exact bytes (borrowed). */
ES_API es_bytes es_seal_der(const es_seal *seal);
/* Warnings: quirks tolerated while decoding. Strings borrowed. */
ES_API size_t es_seal_warning_count(const es_seal *seal);
ES_API const char *es_seal_warning(const es_seal *seal, size_t i, const char **out_code);

/* Parameters of a new v4 seal. */
typedef struct es_seal_params {
    const char *vid;      /* vendor id, IA5; NULL = "eseal" */
    const char *esid;     /* IA5; NULL = generated (32 hex digits) */
    int64_t type;         /* business-defined seal type, e.g. 1 */
    const char *name;     /* UTF-8 */
    const es_cert *const *signer_certs; /* certificates allowed to sign with the seal */
    size_t n_signer_certs;
    int64_t create_date;  /* 0 = now */
    int64_t valid_start;  /* 0 = now */
    int64_t valid_end;    /* required; not after any signer certificate's notAfter */
    const uint8_t *picture; /* PNG, JPEG, GIF, BMP or OFD bytes (type checked) */
    size_t picture_len;
    int64_t picture_w_mm; /* 0 = 40 */
    int64_t picture_h_mm; /* 0 = width */
} es_seal_params;

/* Builds and signs a GB/T 38540 v4 seal with the maker's key; the maker
 * certificate must carry the key. OUT (owned, es_free): the DER. */
ES_API int es_seal_make(es_ctx *ctx, const es_seal_params *params, const es_key *maker_key,
                        const es_cert *maker_cert, uint8_t **out_der, size_t *out_len);

/* Detected type of a picture from its content, or NULL if unknown. */
ES_API const char *es_picture_type(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
