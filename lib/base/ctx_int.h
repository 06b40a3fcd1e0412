/* lib/base/ctx_int.h - the es_ctx structure (private to libeseal). */
#ifndef ES_CTX_INT_H
#define ES_CTX_INT_H

#include "eseal/common.h"

struct es_ctx {
    es_profile profile;
    int errcode;
    char errmsg[512];
    char errloc[128];
};

#endif
