/*
 * tests/unit/ts/ts_testutil.h - what the time-stamp tests share: finding a
 * check in a report's first entry, and asserting its result and reason.
 */
#ifndef ES_TS_TESTUTIL_H
#define ES_TS_TESTUTIL_H

#include "testlib.h"
#include "verify/report_int.h"

static inline const struct es_check *check_of(const es_report *r, const char *id)
{
    const struct es_entry *e = r->entries[0];
    for (size_t i = 0; i < e->n_checks; i++) {
        if (strcmp(e->checks[i].id, id) == 0) {
            return &e->checks[i];
        }
    }
    fail_msg("no check %s", id);
    return NULL;
}

/* Asserts the check's result and reason (with its detail when they differ). */
static inline void expect_result(const es_report *r, const char *id, es_check_result want,
                                const char *reason)
{
    const struct es_check *c = check_of(r, id);
    if (c->result != want || strcmp(c->reason, reason) != 0) {
        fail_msg("%s: want %d %s, got %d %s: %s", id, want, reason, c->result, c->reason,
                 c->detail);
    }
}

#endif
