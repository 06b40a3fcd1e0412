/*
 * eseal/report.h - the verification report: verdicts, one entry per seal or
 * signature, and the checks of each entry in their fixed order.
 *
 * Verdicts follow ETSI EN 319 102-1: TOTAL-PASSED, TOTAL-FAILED,
 * INDETERMINATE. A check result is PASSED, FAILED, INDETERMINATE or WARNING.
 * An entry is TOTAL-FAILED if any check FAILED, else INDETERMINATE if any is
 * INDETERMINATE, else TOTAL-PASSED. The report is TOTAL-FAILED if it has no
 * entry (reason NOT_SIGNED) or any entry failed, else INDETERMINATE if any
 * entry is, else TOTAL-PASSED. The JSON schema is docs/report-schema.md.
 */
#ifndef ESEAL_REPORT_H
#define ESEAL_REPORT_H

#include "eseal/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum es_verdict {
    ES_VERDICT_TOTAL_PASSED = 0,
    ES_VERDICT_TOTAL_FAILED = 1,
    ES_VERDICT_INDETERMINATE = 2,
    ES_VERDICT_LAST_
} es_verdict;

typedef enum es_check_result {
    ES_CHECK_PASSED = 0,
    ES_CHECK_FAILED = 1,
    ES_CHECK_INDETERMINATE = 2,
    ES_CHECK_WARNING = 3,
    ES_CHECK_LAST_
} es_check_result;

typedef struct es_report es_report;

ES_API void es_report_free(es_report *r);
ES_API es_verdict es_report_verdict(const es_report *r);
/* "TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE". Static. */
ES_API const char *es_verdict_name(es_verdict v);
/* "PASSED", "FAILED", "INDETERMINATE", "WARNING". Static. */
ES_API const char *es_check_result_name(es_check_result c);
/* Number of entries (signatures, or the seal for a seal-only check). */
ES_API size_t es_report_count(const es_report *r);
ES_API es_verdict es_report_entry_verdict(const es_report *r, size_t i);
ES_API size_t es_report_check_count(const es_report *r, size_t i);
/* Check j of entry i; strings borrowed. Returns ES_ERR_USAGE_ARG if out of range. */
ES_API int es_report_check(const es_report *r, size_t i, size_t j, const char **out_id,
                           es_check_result *out_result, const char **out_reason,
                           const char **out_detail);
/* The first FAILED or INDETERMINATE check of entry i, or NULL. */
ES_API const char *es_report_entry_reason(const es_report *r, size_t i);
/* The report as JSON (OUT owned, es_free). */
ES_API int es_report_to_json(es_ctx *ctx, const es_report *r, char **out);
/* The report as text for a person; `color` adds ANSI colours. OUT owned. */
ES_API int es_report_to_text(es_ctx *ctx, const es_report *r, int color, char **out);

#ifdef __cplusplus
}
#endif
#endif
