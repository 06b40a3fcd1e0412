/*
 * lib/doc/ofd/ofd_verify_int.h - pieces of OFD verification shared between
 * the package-level pipeline (ofd_verify.c, ofd_checks.c) and the Type="Sign"
 * verifier (ofd_verify_sign.c).
 */
#ifndef ES_OFD_VERIFY_INT_H
#define ES_OFD_VERIFY_INT_H

#include "doc/ofd/ofd_int.h"
#include "verify/report_int.h"

#define ES_OFD_C_PKG "GB/T 33190-2016 18.1 (signature list and description)"
#define ES_OFD_C_REFS "GB/T 33190-2016 18.2.2 (References, CheckValue)"
#define ES_OFD_C_COVER "GB/T 33190-2016 18.2.2; ofd-signature.md 8.8 (coverage)"
#define ES_OFD_C_SEALFILE "GB/T 33190-2016 18.2.2 (Seal/BaseLoc)"
#define ES_OFD_C_STAMP "GB/T 33190-2016 18.2.3 (StampAnnot)"
#define ES_OFD_C_SIGN "GB/T 35275-2017 (SignedData)"

/* Everything known about one signature of the list while verifying. */
struct es_ofd_sigstate {
    const struct es_ofd_listentry *le;
    bool have_desc;           /* Signature.xml found and parsed */
    struct es_ofd_sigdesc d;
    const struct es_ofd_entry *xml_entry;
    const struct es_ofd_entry *value_entry;
    const struct es_ofd_entry *seal_entry;
    uint8_t *xml;             /* Signature.xml as read while locating, or NULL
                               * (owned; kept within one max_xml_size in all) */
    size_t xml_len;
};

/* Verifies every signature of an open package into `r` (es_ofd_verify_ex
 * and es_ofd_verify_file after opening; tests call it to see the package's
 * per-entry counts afterwards). */
ES_RESULT es_ofd_verify_pkg(es_report *r, const es_verify_opts *o, es_profile prof,
                            const struct es_ofd_pkg *pkg);

/* Validity of a certificate at t, then its chain (or the --no-chain
 * warning, or INDETERMINATE without anchors), as one check. */
ES_RESULT es_ofd_cert_check(struct es_entry *e, const es_verify_opts *o, const char *id,
                            const char *clause, const es_cert *cert, bool time_known,
                            int64_t t);

/* Type="Sign": GB/T 35275 SignedData or a bare SM2 signature over the raw
 * Signature.xml bytes, into a new report entry. */
ES_RESULT es_ofd_verify_sign_into(es_report *r, const es_verify_opts *o, es_profile prof,
                                  const char *id, const uint8_t *val, size_t val_len,
                                  const uint8_t *xml, size_t xml_len, const char *sig_time_text,
                                  struct es_entry **out);

/* The signer's certificate carried by a signature value (SES_Signature or
 * SignedData), for CheckMethod 1.2.156.10197.1.401.2; NULL if none. */
es_cert *es_ofd_value_signer(const uint8_t *val, size_t len, es_profile prof);

/* Marks the entries that plain-SM3 References of `all` name as wanted
 * (es_ofd_pkg_want_sm3), every other entry unwanted, so that the entries
 * read whole later (document root, seal files) are hashed from the bytes
 * read instead of being inflated a second time. */
void es_ofd_want_references(const struct es_ofd_pkg *pkg, const struct es_ofd_sigstate *all,
                            size_t n);
/* Package-level checks of one signature into `e` (ofd_checks.c). Digests
 * come from the package's memo when an entry was already read or hashed. */
ES_RESULT es_ofd_check_references(struct es_entry *e, const struct es_ofd_pkg *pkg,
                                  const struct es_ofd_sigstate *s, const char *list_path,
                                  const es_cert *signer, bool *out_locked);
ES_RESULT es_ofd_check_coverage(struct es_entry *e, const struct es_ofd_pkg *pkg,
                                const struct es_ofd_sigstate *all, size_t n, size_t i,
                                const char *const *lists, size_t n_lists);
/* `seal` is the Seal/BaseLoc entry read whole by the caller (NULL when
 * s->seal_entry is NULL or the value holds no SES_Signature). */
ES_RESULT es_ofd_check_seal_file(struct es_entry *e, const struct es_ofd_sigstate *s,
                                 const uint8_t *seal, size_t seal_len, const uint8_t *val,
                                 size_t val_len, es_profile prof);
ES_RESULT es_ofd_check_stamps(struct es_entry *e, const struct es_ofd_sigstate *s,
                              const struct es_ofd_document *doc, bool doc_ok,
                              const uint8_t *val, size_t val_len, es_profile prof);
/* Orphan signature data: Sign_* directories and *Value.dat files that no
 * list entry uses (ofd-signature.md §3), as notes on `e`. */
ES_RESULT es_ofd_note_orphans(struct es_entry *e, const struct es_ofd_pkg *pkg,
                              const struct es_ofd_sigstate *all, size_t n);

#endif
