/*
 * server/lifecycle.c - the seal life cycle as a table (docs/architecture-
 * server.md has the diagram):
 *
 *   applied -> approved | rejected          (applications, reviewer)
 *   approved -> made                        (maker: seal data, key, certificate)
 *   made -> registered                      (reviewer: registration number + certificate)
 *   registered -> active                    (organisation administrator takes delivery)
 *   active <-> suspended                    (by the owner)
 *   active | suspended <-> frozen           (imposed by the authority)
 *   active | suspended | frozen -> lost     (owner reports; distrusted from a time)
 *   any live state -> cancelled             (owner, or forced by the authority, with a reason)
 *   live states -> expired                  (automatically past validEnd)
 *
 * Applications are decided in handlers/apps.c; seal actions come here.
 */
#include <stdio.h>
#include <string.h>

#include "eseald.h"

static const struct es_transition T[] = {
    {"register", {"made"}, "registered", R_REVIEWER, false},
    {"activate", {"registered"}, "active", R_ORG_ADMIN, false},
    {"suspend", {"active"}, "suspended", R_ORG_ADMIN, false},
    {"resume", {"suspended"}, "active", R_ORG_ADMIN, false},
    {"freeze", {"active", "suspended"}, "frozen", R_REVIEWER, true},
    {"unfreeze", {"frozen"}, "active", R_REVIEWER, true},
    {"report-loss", {"active", "suspended", "frozen"}, "lost", R_ORG_ADMIN, false},
    {"cancel", {"made", "registered", "active", "suspended", "lost"}, "cancelled", R_ORG_ADMIN,
     false},
    {"cancel", {"made", "registered", "active", "suspended", "frozen", "lost"}, "cancelled",
     R_REVIEWER, true},
    /* a change (变更) keeps the seal as it is and files a new application */
    {"change", {"active", "suspended"}, NULL, R_ORG_ADMIN, false},
};

/* GB/T 38540 and the Measures: reasons for cancelling (注销) a seal */
const char *const es_cancel_reasons[] = {"rename",  "dissolution",    "revocation", "bankruptcy",
                                         "split",   "merger",         "key-compromise",
                                         "damaged", "no-longer-used", NULL};

const struct es_transition *es_lifecycle_find(const char *action, unsigned role_bit,
                                              bool *out_known)
{
    *out_known = false;
    for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
        if (strcmp(T[i].action, action) != 0) {
            continue;
        }
        *out_known = true;
        if (T[i].roles & role_bit) {
            return &T[i];
        }
    }
    return NULL;
}

bool es_lifecycle_allowed_from(const struct es_transition *t, const char *status)
{
    for (int i = 0; i < 7 && t->from[i]; i++) {
        if (!strcmp(t->from[i], status)) {
            return true;
        }
    }
    return false;
}

void es_lifecycle_from_list(const struct es_transition *t, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < 7 && t->from[i] && n < cap; i++) {
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "", t->from[i]);
    }
}

bool es_lifecycle_terminal(const char *status)
{
    return !strcmp(status, "cancelled") || !strcmp(status, "expired");
}

const char *es_lifecycle_effective(const char *status, int64_t valid_end, int64_t now)
{
    if (valid_end && now > valid_end && !es_lifecycle_terminal(status) &&
        strcmp(status, "lost") != 0) {
        return "expired";
    }
    return status;
}

bool es_lifecycle_cancel_reason_ok(const char *reason)
{
    for (int i = 0; es_cancel_reasons[i]; i++) {
        if (!strcmp(es_cancel_reasons[i], reason)) {
            return true;
        }
    }
    return false;
}

unsigned es_role_bit(const char *role)
{
    static const struct {
        const char *name;
        unsigned bit;
    } roles[] = {{"admin", R_ADMIN},         {"reviewer", R_REVIEWER}, {"maker", R_MAKER},
                 {"org_admin", R_ORG_ADMIN}, {"user", R_USER},         {"auditor", R_AUDITOR}};
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (!strcmp(roles[i].name, role)) {
            return roles[i].bit;
        }
    }
    return 0;
}

const char *es_role_name(unsigned bit)
{
    switch (bit) {
    case R_ADMIN: return "admin";
    case R_REVIEWER: return "reviewer";
    case R_MAKER: return "maker";
    case R_ORG_ADMIN: return "org_admin";
    case R_USER: return "user";
    case R_AUDITOR: return "auditor";
    default: return "public";
    }
}
