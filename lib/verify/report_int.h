/*
 * lib/verify/report_int.h - building verification reports (for the SES
 * pipeline here and for document verifiers such as OFD and PDF).
 */
#ifndef ES_REPORT_INT_H
#define ES_REPORT_INT_H

#include "base/base.h"
#include "eseal/report.h"
#include "eseal/verify.h"

#define ES_REPORT_MAX_CHECKS 24

struct es_check {
    char id[32];
    es_check_result result;
    char reason[48];
    char clause[64];
    char detail[400];
};

struct es_entry {
    char id[64];   /* signature id in the document, or "seal" */
    char kind[32]; /* "seal", "ses-signature", "gbt35275-signature", ... */
    int version;
    char *signer;  /* subject of the signer certificate */
    bool has_seal;
    char *seal_esid;
    char *seal_name;
    char *seal_vid;
    int64_t seal_type;
    int seal_version;
    int64_t seal_valid_start;
    int64_t seal_valid_end;
    bool time_known;
    int64_t time;
    char time_source[64];
    char *property_info;
    size_t n_checks;
    struct es_check checks[ES_REPORT_MAX_CHECKS];
    size_t n_warn;
    struct {
        char code[16];
        char msg[200];
    } * warn;
    es_verdict verdict;
};

struct es_report {
    char *file;
    char scope[32]; /* "full" or "integrity-and-binding" */
    int64_t verified_at;
    size_t n;
    struct es_entry **entries;
    es_verdict verdict;
    char reason[32]; /* NOT_SIGNED when empty */
    char *document; /* optional document kind, e.g. "ofd" */
};

ES_RESULT es_report_new(const es_verify_opts *o, es_report **out);
ES_RESULT es_report_add(es_report *r, const char *id, const char *kind, struct es_entry **out);
ES_RESULT es_entry_check(struct es_entry *e, const char *id, es_check_result res,
                         const char *reason, const char *clause, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
ES_RESULT es_entry_warn(struct es_entry *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
ES_RESULT es_entry_set_str(char **slot, const char *s);
/* Computes entry and report verdicts. */
void es_report_finish(es_report *r);

/* One report line for a certificate at time t: validity window, key usage
 * (when `signer`), then the chain to opts->trust (skipped with no_chain,
 * INDETERMINATE without anchors). `extra` may serve as intermediates. */
ES_RESULT es_verify_cert_check(struct es_entry *e, const es_verify_opts *o, const char *id,
                               const char *clause, const es_cert *cert,
                               const es_cert *const *extra, size_t n_extra, bool time_known,
                               int64_t t, bool signer);

/* The SES pipeline: verifies one SES_Signature (v1/v4/v5) into a new entry.
 * `actual_hash` is the digest of the protected data computed by the caller
 * (NULL = data not available). ses-format.md §6.4. */
ES_RESULT es_verify_ses_into(es_report *r, const es_verify_opts *o, es_profile prof,
                             const char *id, const uint8_t *sig, size_t sig_len,
                             const uint8_t *actual_hash, size_t actual_hash_len,
                             struct es_entry **out);
/* Mutual recognition (verify_recognition.c): the embedded status answer
 * (no line when the signature carries none) and the trust list (no line
 * without opts->trust_list). `signer` may be NULL; `tsa_subject` names the
 * TSA whose time stamp gave t (NULL when t is not from a time stamp). */
struct es_signature;
struct es_seal;
ES_RESULT es_verify_status_answer(struct es_entry *e, const es_verify_opts *o,
                                  const struct es_signature *g, bool time_known, int64_t t);
ES_RESULT es_verify_trust_list(struct es_entry *e, const es_verify_opts *o,
                               const struct es_seal *s, const es_cert *signer, bool time_known,
                               int64_t t, const char *tsa_subject);
/* The seal alone (S-steps) at time t. */
ES_RESULT es_verify_seal_into(es_report *r, const es_verify_opts *o, es_profile prof,
                              const uint8_t *seal, size_t seal_len, struct es_entry **out);

#endif
