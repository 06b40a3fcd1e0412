/*
 * eseal/ofd.h - seal signatures inside OFD packages (GB/T 33190-2016 §18).
 *
 * An OFD file is a ZIP package. Signing adds one signature description
 * (Sign_N/Signature.xml) whose References hold the SM3 digest of every file
 * of the package, a GB/T 38540 v4 SES_Signature over the exact bytes of that
 * Signature.xml (SignedValue.dat), a copy of the seal (Seal.esl), and the
 * stamp appearances (StampAnnot). Verification recomputes every digest,
 * reports what the signature leaves unprotected, and runs the seal
 * signature pipeline of eseal/verify.h for each signature. docs/ofd.md
 * describes the profile written and the quirks of other producers that
 * are accepted.
 *
 * Packages are untrusted input. Opening one enforces the limits below (entry
 * count, entry and total uncompressed size, compression ratio, entry names,
 * XML size and depth, no DTD); a package that breaks one is refused with
 * ES_ERR_LIMIT_* or ES_ERR_FORMAT_* and a message naming the entry and the
 * limit. Entry digests are computed while streaming the entry, so memory
 * use does not grow with the package beyond the largest XML file parsed.
 */
#ifndef ESEAL_OFD_H
#define ESEAL_OFD_H

#include "eseal/common.h"
#include "eseal/crypto.h"
#include "eseal/report.h"
#include "eseal/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caps on what a package may contain. A zero field takes the default shown. */
typedef struct es_ofd_limits {
    size_t max_entries;       /* ZIP entries (files and directories); 10000 */
    uint64_t max_entry_size;  /* uncompressed bytes of one entry; 512 MiB */
    uint64_t max_total_size;  /* uncompressed bytes of all entries; 2 GiB */
    uint32_t max_ratio;       /* uncompressed/compressed, for entries over 1 MiB; 200 */
    size_t max_xml_size;      /* bytes of one XML file that is parsed; 32 MiB */
    unsigned max_xml_depth;   /* element nesting of one XML file; 64 */
    size_t max_name_len;      /* bytes of one entry name; 1024 */
} es_ofd_limits;

/* Fills `out` with the default limits. */
ES_API void es_ofd_limits_default(es_ofd_limits *out);

/* ---- verification ---- */

/* Verifies every signature of an OFD package held in memory.
 *
 * The report has one entry per Signatures/Signature of the document, in list
 * order, whose id is the Signature's ID attribute. The checks of an entry
 * are, in order:
 *   ofd_structure  Signature.xml and the signature value located and parsed
 *   references     every Reference/CheckValue recomputed over the raw entry
 *                  bytes (FAILED names the files that changed or are missing)
 *   coverage       package files the signature leaves unprotected (WARNING)
 *   seal_file      Seal/BaseLoc equals the seal inside the signature (only
 *                  when the element is present)
 *   stamp_annot    every StampAnnot names an existing page, with a positive size
 * followed, for Type="Seal", by the checks of es_verify_detached (the data
 * being the raw bytes of Signature.xml) and, for Type="Sign" (GB/T 35275
 * SignedData or a bare SM2 signature), by signer_chain, data_hash and
 * signature. A package without signatures gives a TOTAL-FAILED report with
 * reason NOT_SIGNED.
 *
 * Returns ES_OK with the report, or an error when no verdict can be reached:
 * not a ZIP package, no OFD.xml, a limit exceeded (ES_ERR_LIMIT_*), a hostile
 * entry name or XML construct (ES_ERR_FORMAT_*), out of memory. `pkg` is only
 * read during the call. OUT (owned): es_report_free. */
ES_API int es_ofd_verify(es_ctx *ctx, const es_verify_opts *opts, const uint8_t *pkg,
                         size_t len, es_report **out);

/* As es_ofd_verify, with explicit limits (NULL = defaults). */
ES_API int es_ofd_verify_ex(es_ctx *ctx, const es_verify_opts *opts,
                            const es_ofd_limits *limits, const uint8_t *pkg, size_t len,
                            es_report **out);

/* As es_ofd_verify_ex, reading the package from a file. The file is read
 * on demand, never loaded whole. */
ES_API int es_ofd_verify_file(es_ctx *ctx, const es_verify_opts *opts,
                              const es_ofd_limits *limits, const char *path, es_report **out);

/* ---- signing ---- */

/* Where the stamp appears. Coordinates are millimetres in the page's
 * coordinate system (origin top-left, y downwards), as OFD Boundary values. */
typedef enum es_ofd_pos_kind {
    ES_OFD_POS_PAGE = 0,    /* on page `page` with its top-left corner at (x_mm, y_mm) */
    ES_OFD_POS_KEYWORD = 1, /* centred on an occurrence of `keyword` in the page text */
    ES_OFD_POS_RIDING = 2,  /* riding seal (骑缝章) across the right edge of pages
                               first_page..last_page, one slice per page */
    ES_OFD_POS_LAST_        /* never use */
} es_ofd_pos_kind;

typedef struct es_ofd_position {
    es_ofd_pos_kind kind;
    int page;              /* PAGE: 1-based page index */
    double x_mm, y_mm;     /* PAGE: top-left corner of the stamp */
    const char *keyword;   /* KEYWORD: UTF-8 text searched in TextObject/TextCode */
    int occurrence;        /* KEYWORD: 1-based occurrence in document order; 0 = all */
    int first_page;        /* RIDING: 1-based, inclusive; 0 = 1 */
    int last_page;         /* RIDING: 1-based, inclusive; 0 = the last page */
    double w_mm, h_mm;     /* stamp size; 0 = the seal picture's size */
} es_ofd_position;

typedef struct es_ofd_sign_params {
    const uint8_t *seal;       /* the seal (SESeal v4 DER), embedded verbatim */
    size_t seal_len;
    const es_key *key;         /* the signer's key ... */
    const es_cert *cert;       /* ... and certificate, listed in the seal */
    const es_ofd_position *positions; /* stamp appearances, may be 0 of them */
    size_t n_positions;
    int lock;                  /* 1: also protect the signature list, so that
                                  no later signature can be added */
    int64_t time;              /* signing time; 0 = now */
    int allow_expired;         /* 0: refuse a seal or certificate not valid at `time` */
    const es_ofd_limits *limits; /* NULL = defaults */
    /* A time stamp over the signature value, as es_sign_params (eseal/sign.h):
     * callback, its argument, and whether signing goes on without a token. */
    int (*timestamp)(void *arg, const uint8_t digest[32], uint8_t **out_token,
                     size_t *out_len);
    void *timestamp_arg;
    int timestamp_optional;
} es_ofd_sign_params;

/* Adds a seal signature to the OFD package at in_path and writes the result
 * to out_path (a temporary file in the same directory, renamed into place
 * when complete; the input is never modified and MUST be a different file).
 * Existing entries are copied byte for byte (same compressed data, method
 * and time); OFD.xml is changed only when the document had no signature list
 * yet. The new signature's References cover every file of the package
 * (earlier signatures included) except the signature list, which is covered
 * only when `lock` is set.
 *
 * Refused: a package breaking the limits or malformed (ES_ERR_FORMAT_*,
 * ES_ERR_LIMIT_*); a document locked by an earlier signature that protects
 * the signature list (ES_ERR_POLICY); a key, certificate or seal the signer
 * may not use (ES_ERR_POLICY_*, as es_sign); a position that does not exist
 * (page out of range, keyword not found: ES_ERR_USAGE_ARG). */
ES_API int es_ofd_sign(es_ctx *ctx, const es_ofd_sign_params *params, const char *in_path,
                       const char *out_path);

#ifdef __cplusplus
}
#endif
#endif
