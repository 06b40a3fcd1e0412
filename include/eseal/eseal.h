/*
 * eseal/eseal.h - libeseal, electronic seals (GB/T 38540-2020, GM/T
 * 0031-2014) with SM2/SM3. Include this header only.
 *
 * See eseal/common.h for the conventions every function follows: return
 * codes, NULL arguments, ownership ("borrowed" / "owned") and threads.
 */
#ifndef ESEAL_ESEAL_H
#define ESEAL_ESEAL_H

#include "eseal/common.h"
#include "eseal/crypto.h"
#include "eseal/crypto_fast.h"
#include "eseal/error.h"
#include "eseal/pki.h"
#include "eseal/report.h"
#include "eseal/seal.h"
#include "eseal/sign.h"
#include "eseal/verify.h"
#include "eseal/image.h"
#include "eseal/inspect.h"
#include "eseal/ts.h"
#include "eseal/tlog.h"
#include "eseal/sdoc.h"
#include "eseal/trustlist.h"
#include "eseal/ofd.h"
#include "eseal/pdf.h"

#endif
