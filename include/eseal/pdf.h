/*
 * eseal/pdf.h - seals and signatures inside PDF documents.
 *
 * Signing appends an incremental update and never changes a byte of the
 * original: a signature field whose widget shows the seal picture (raster
 * with a soft mask, multiply blending), a signature dictionary whose
 * /ByteRange covers the whole file but the /Contents hole, and the
 * signature itself in /Contents, hex, zero-padded. The default is the
 * convention of the tax-bureau e-invoices (../shared/spec/pdf-seal.md C1):
 * /SubFilter /GM.sm2seal with a GB/T 38540 v4 SES_Signature whose dataHash
 * is SM3 over the ByteRange bytes. ES_PDF_CMS writes a standard detached CMS
 * signature (adbe.pkcs7.detached): SM2/SM3 with an es_key, or ECDSA/RSA
 * through OpenSSL. Each signature adds a revision.
 *
 * Verification reports every signature of every revision, dispatched on the
 * content of /Contents (SES v4/v1, GB/T 35275 or PKCS#7 SignedData with
 * SM2/SM3, RSA/ECDSA CMS through OpenSSL); /SubFilter is only a hint. An
 * unknown content is reported as such (INDETERMINATE), never as valid.
 * docs/pdf.md lists the checks and the quirks accepted.
 *
 * PDFs are untrusted input: the limits below bound file size, object count,
 * revisions, signature fields and /Contents; cross-reference damage is
 * refused (no reconstruction), as are encrypted files, with ES_ERR_FORMAT_*
 * or ES_ERR_LIMIT_* and a message naming what and where.
 */
#ifndef ESEAL_PDF_H
#define ESEAL_PDF_H

#include "eseal/common.h"
#include "eseal/crypto.h"
#include "eseal/ofd.h"
#include "eseal/report.h"
#include "eseal/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caps on what a PDF may contain. A zero field takes the default shown. */
typedef struct es_pdf_limits {
    size_t max_file_size; /* bytes; 1 GiB */
    size_t max_objects;   /* trailer /Size; 4,000,000 */
    size_t max_revisions; /* %%EOF markers (incremental updates + 1); 1000 */
    size_t max_fields;    /* form fields visited; 10000 */
    size_t max_contents;  /* bytes of one decoded /Contents; 1 MiB */
    size_t max_pages;     /* pages; 100000 */
} es_pdf_limits;

/* Fills `out` with the default limits. */
ES_API void es_pdf_limits_default(es_pdf_limits *out);

/* Lists the revisions and every signature field (over all revisions) with
 * its /ByteRange, /Filter, /SubFilter and the size and kind of /Contents,
 * as text for a person. OUT (owned, es_free). */
ES_API int es_pdf_list(es_ctx *ctx, const es_pdf_limits *limits, const uint8_t *pdf,
                       size_t len, char **out_text);

/* ---- verification ---- */

/* Verifies every signature of a PDF held in memory. One report entry per
 * signature (id = the field name /T), ordered by revision. Checks, in order:
 *   pdf_structure  signature dictionary and /Contents read
 *   byte_range     [0 a b c]: starts at 0, the hole is exactly the /Contents
 *                  string, b+c ends a revision inside the file; no overlap,
 *                  gap or range past the end
 *   revisions      later revisions classified: none, harmless (new
 *                  signatures, form filling, annotations: WARNING naming
 *                  them) or changes to the content (FAILED naming objects)
 *   stamp          the widget exists on a page with a positive size and was
 *                  not moved or changed by a later revision
 *   mdp            (certified or locked signatures) later changes allowed by
 *                  DocMDP /P or the FieldMDP lock
 * followed by the checks of the signature kind: those of es_verify_detached
 * for an SES_Signature (dataHash = SM3 of the ByteRange bytes), signer_chain,
 * data_hash and signature for CMS. A PDF without signatures gives a
 * TOTAL-FAILED report with reason NOT_SIGNED.
 * Returns ES_OK with the report, or an error when no verdict can be reached
 * (not a PDF, broken cross-reference, encrypted, a limit exceeded).
 * OUT (owned): es_report_free. */
ES_API int es_pdf_verify(es_ctx *ctx, const es_verify_opts *opts, const es_pdf_limits *limits,
                         const uint8_t *pdf, size_t len, es_report **out);

/* As es_pdf_verify, reading the file (at most limits->max_file_size). */
ES_API int es_pdf_verify_file(es_ctx *ctx, const es_verify_opts *opts,
                              const es_pdf_limits *limits, const char *path, es_report **out);

/* ---- signing ---- */

/* Stamp positions are those of OFD (eseal/ofd.h): millimetres from the
 * page's top-left corner (of its /CropBox, else /MediaBox), y downwards;
 * a keyword stamp is centred on the words found in the page text (decoded
 * through the fonts' /ToUnicode, else as Latin-1; ES_ERR_USAGE_ARG when not
 * found). A riding seal puts one slice per page on the right edge. Several
 * stamps are widget kids of the one signed field. */
typedef es_ofd_position es_pdf_position;

typedef enum es_pdf_mode {
    ES_PDF_SES = 0, /* /SubFilter /GM.sm2seal, GB/T 38540 v4 SES_Signature */
    ES_PDF_CMS = 1, /* /SubFilter /adbe.pkcs7.detached, RFC 5652 CMS */
    ES_PDF_MODE_LAST_
} es_pdf_mode;

typedef struct es_pdf_sign_params {
    es_pdf_mode mode;
    /* ES_PDF_SES: */
    const uint8_t *seal;         /* the seal (SESeal v4 DER); also gives the picture */
    size_t seal_len;
    const es_key *key;           /* the signer's SM2 key ... */
    const es_cert *cert;         /* ... and certificate, listed in the seal */
    const char *filter;          /* NULL = "Gomain.GMPkiLite" */
    const char *property_info;   /* NULL = "Signature.xml" (as the tax-bureau files) */
    /* optional time stamp over the signature value, as es_sign_params (sign.h) */
    int (*timestamp)(void *arg, const uint8_t digest[32], uint8_t **out_token,
                     size_t *out_len);
    void *timestamp_arg;
    int timestamp_optional;
    /* ES_PDF_CMS: with key and cert set, an SM2/SM3 SignedData written by
     * eseal (PKCS#7 OIDs, pdf-seal.md C4); otherwise these PEM files, read
     * and signed by OpenSSL (ECDSA, RSA) */
    const char *cms_key_path;
    const char *cms_cert_path;
    const char *cms_pass;        /* may be NULL */
    /* both: */
    const es_pdf_position *positions; /* 0 positions: an invisible signature */
    size_t n_positions;
    int certify;                 /* 1..3: DocMDP certification with /P certify; 0 none */
    int64_t time;                /* 0 = now */
    int allow_expired;
    size_t reserve;              /* bytes reserved for /Contents; 0 = seal +
                                    certificate + 4 KiB (+ 8 KiB with a time
                                    stamp) (SES), 16 KiB (CMS) */
    const es_pdf_limits *limits; /* NULL = defaults */
} es_pdf_sign_params;

/* Signs the PDF at in_path into out_path (written to a temporary file and
 * renamed; the input is never modified and MUST be another file). The
 * result is the input's bytes followed by one incremental update.
 * Refused: unreadable or hostile input (ES_ERR_FORMAT_*, ES_ERR_LIMIT_*), a
 * document certified with DocMDP /P 1 (ES_ERR_POLICY), a position off the
 * pages (ES_ERR_USAGE_ARG), a key/certificate/seal the signer may not use
 * (ES_ERR_POLICY_*, as es_sign), a signature larger than the reserve. */
ES_API int es_pdf_sign(es_ctx *ctx, const es_pdf_sign_params *params, const char *in_path,
                       const char *out_path);

#ifdef __cplusplus
}
#endif
#endif
