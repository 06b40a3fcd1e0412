/*
 * lib/doc/pdf/pdf_cms.c - what /Contents holds decides how it is verified
 * (pdf-seal.md §5 "Read"), never /SubFilter:
 *   SES_Signature (v4, v1)    the SES pipeline, dataHash against SM3 of the
 *                             ByteRange bytes (es_verify_ses_into)
 *   SignedData with SM3/SM2   (GB/T 35275 or PKCS#7 OIDs, with or without
 *                             signed attributes) the GB/T 35275 verifier
 *                             shared with OFD Type="Sign" signatures
 *   other SignedData          (RSA, ECDSA: PKCS#7, CAdES) OpenSSL CMS
 *   anything else             "unknown", INDETERMINATE, never valid
 */
#include <stdio.h>
#include <string.h>

#include "crypto/cms.h"
#include "der/der.h"
#include "doc/ofd/ofd_verify_int.h"
#include "doc/pdf/pdf_int.h"
#include "seal/seal_int.h"

#define C_CMS "RFC 5652 (CMS SignedData)"
#define OID_SM3 "1.2.156.10197.1.401"

const char *es_pdf_contents_kind(const uint8_t *der, size_t len, int *out_version)
{
    int v = 0;
    enum es_blob_kind k = es_blob_detect(der, len, &v);
    if (out_version) {
        *out_version = v;
    }
    if (k == ES_BLOB_SES_SIGNATURE) {
        return "ses-signature";
    }
    if (k == ES_BLOB_GBT35275) {
        struct es_ofd_signeddata sd;
        bool gm = es_is_ok(es_ofd_signeddata_parse(der, len, &sd)) &&
                  strcmp(sd.digest_alg, OID_SM3) == 0;
        es_error_clear();
        return gm ? "gbt35275-signature" : "cms-signature";
    }
    return "unknown";
}

static bool range_ok(const struct es_pdf_doc *d, const struct es_pdf_sig *s)
{
    return s->br_ok && s->br[0] == 0 && s->br[1] >= 0 && s->br[2] >= s->br[1] &&
           s->br[3] >= 0 && (uint64_t)s->br[2] <= d->n &&
           (uint64_t)s->br[3] <= d->n - (uint64_t)s->br[2];
}

static es_result openssl_cms(struct es_entry *e, const es_verify_opts *o,
                             const struct es_pdf_doc *d, const struct es_pdf_sig *s,
                             const uint8_t *der, size_t len)
{
    struct es_cms_info ci;
    bool have_data = range_ok(d, s);
    es_bytes seg[2] = {{NULL, 0}, {NULL, 0}};
    if (have_data) {
        seg[0] = (es_bytes){d->p + s->br[0], (size_t)s->br[1]};
        seg[1] = (es_bytes){d->p + s->br[2], (size_t)s->br[3]};
    }
    ES_GUARD(es_cms_check_detached(der, len, seg, 2, &ci));
    es_result res = ES_RESULT_OK;
    if (!ci.parsed) {
        ES_GUARD_GOTO(es_entry_check(e, "structure", ES_CHECK_FAILED, "MALFORMED_CMS", C_CMS,
                                     "%s", ci.error));
        goto out;
    }
    ES_GUARD_GOTO(es_entry_check(e, "structure", ES_CHECK_PASSED, "", C_CMS,
                                 "CMS SignedData, %s with %s, %s signed attributes", ci.digest,
                                 ci.sig_alg, ci.has_attrs ? "with" : "without"));
    if (ci.has_time) {
        e->time_known = true;
        e->time = ci.signing_time;
        snprintf(e->time_source, sizeof(e->time_source), "signingTime attribute");
    }
    if (!ci.signer) {
        ES_GUARD_GOTO(es_entry_check(e, "signer_chain", ES_CHECK_INDETERMINATE,
                                     "NO_SIGNER_CERTIFICATE", C_CMS, "%s", ci.error));
        ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_INDETERMINATE,
                                     "NO_SIGNER_CERTIFICATE", C_CMS, "cannot be checked"));
        ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_INDETERMINATE,
                                     "NO_SIGNER_CERTIFICATE", C_CMS, "cannot be checked"));
        goto out;
    }
    ES_GUARD_GOTO(es_entry_set_str(&e->signer, es_cert_subject(ci.signer)));
    ES_GUARD_GOTO(es_verify_cert_check(e, o, "signer_chain", C_CMS, ci.signer, NULL, 0,
                                       e->time_known, e->time, true));
    if (!have_data) {
        ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_FAILED, "BYTE_RANGE_INVALID",
                                     C_CMS, "the ByteRange does not lie inside the file"));
    } else if (ci.digest_ok) {
        ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_PASSED, "", C_CMS,
                                     "messageDigest equals %s of the ByteRange bytes",
                                     ci.digest));
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_FAILED, "DATA_HASH_MISMATCH",
                                     C_CMS, "the signed bytes were changed after signing (%s)",
                                     ci.error));
    }
    if (ci.sig_ok) {
        ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_PASSED, "", C_CMS,
                                     "%s signature is valid", ci.sig_alg));
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_FAILED, "SIGNATURE_INVALID",
                                     C_CMS, "%s", ci.error));
    }
out:
    es_cms_info_clear(&ci);
    return res;
}

/* /M "D:YYYYMMDDHHmmSS[Z|+HH'mm'|-HH'mm']" as "YYYYMMDDHHMMSSZ" (UTC), the
 * form the shared verifier reads; "" when it is not a full date. */
static void m_as_utc(const char *m, char out[16])
{
    out[0] = '\0';
    if (strncmp(m, "D:", 2) == 0) {
        m += 2;
    }
    int v[6], k = 0;
    static const int w[6] = {4, 2, 2, 2, 2, 2};
    for (; k < 6; k++) {
        v[k] = 0;
        for (int i = 0; i < w[k]; i++, m++) {
            if (*m < '0' || *m > '9') {
                return;
            }
            v[k] = v[k] * 10 + (*m - '0');
        }
    }
    int64_t t = es_time_from_fields(v[0], v[1], v[2], v[3], v[4], v[5]);
    if ((*m == '+' || *m == '-') && m[1] >= '0' && m[2] >= '0') {
        int off = ((m[1] - '0') * 10 + (m[2] - '0')) * 3600;
        if (m[3] == '\'' && m[4] >= '0' && m[5] >= '0') {
            off += ((m[4] - '0') * 10 + (m[5] - '0')) * 60;
        }
        t -= *m == '+' ? off : -off;
    }
    char iso[21];
    es_time_format(t, iso);
    snprintf(out, 16, "%.4s%.2s%.2s%.2s%.2s%.2sZ", iso, iso + 5, iso + 8, iso + 11, iso + 14,
             iso + 17);
}

/* The GB/T 35275 verifier is shared with OFD, whose data is Signature.xml:
 * say what the data is here, and drop the note about PKCS#7 OIDs, which
 * are the norm in PDF (pdf-seal.md C4). */
static void as_pdf_wording(struct es_entry *e)
{
    static const char from[] = "Signature.xml", to[] = "the ByteRange bytes";
    for (size_t i = 0; i < e->n_checks; i++) {
        char *d = e->checks[i].detail, *hit;
        while ((hit = strstr(d, from)) != NULL) {
            char rest[sizeof(e->checks[i].detail)];
            snprintf(rest, sizeof(rest), "%s", hit + strlen(from));
            size_t at = (size_t)(hit - d);
            snprintf(hit, sizeof(e->checks[i].detail) - at, "%s%s", to, rest);
            d = hit + strlen(to);
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < e->n_warn; i++) {
        if (strcmp(e->warn[i].code, "O-SD-OID") != 0) {
            e->warn[k++] = e->warn[i];
        }
    }
    e->n_warn = k;
    if (strstr(e->time_source, "SignatureDateTime")) {
        snprintf(e->time_source, sizeof(e->time_source), "/M (claimed)");
    }
}

es_result es_pdf_verify_contents(es_report *r, const es_verify_opts *o, es_profile prof,
                                 const char *id, const struct es_pdf_doc *d,
                                 const struct es_pdf_sig *s, const uint8_t *der, size_t len,
                                 struct es_entry **out)
{
    const char *kind = es_pdf_contents_kind(der, len, NULL);
    bool have_data = range_ok(d, s);
    if (strcmp(kind, "ses-signature") == 0) {
        uint8_t h[32];
        if (have_data) {
            es_pdf_range_sm3(d->p, s->br, h);
        }
        return es_verify_ses_into(r, o, prof, id, der, len, have_data ? h : NULL,
                                  have_data ? 32 : 0, out);
    }
    if (strcmp(kind, "gbt35275-signature") == 0) {
        /* the shared verifier takes contiguous data: the two ranges joined */
        size_t n = have_data ? (size_t)s->br[1] + (size_t)s->br[3] : 0;
        uint8_t *data = es_malloc(n ? n : 1);
        ES_ENSURE(data, ES_ERR_NOMEM);
        if (have_data) {
            memcpy(data, d->p, (size_t)s->br[1]);
            memcpy(data + s->br[1], d->p + s->br[2], (size_t)s->br[3]);
        }
        /* without a signingTime attribute the time is the dictionary's /M */
        char m[16];
        m_as_utc(s->m, m);
        es_result res = es_ofd_verify_sign_into(r, o, prof, id, der, len, data, n,
                                                m[0] ? m : NULL, out);
        es_free(data);
        if (es_is_ok(res)) {
            as_pdf_wording(*out);
        }
        return res;
    }
    struct es_entry *e;
    ES_GUARD(es_report_add(r, id, strcmp(kind, "cms-signature") == 0 ? "cms-signature"
                                                                      : "unknown",
                           &e));
    *out = e;
    snprintf(e->time_source, sizeof(e->time_source), "unknown");
    if (strcmp(kind, "cms-signature") == 0) {
        return openssl_cms(e, o, d, s, der, len);
    }
    return es_entry_check(e, "structure", ES_CHECK_INDETERMINATE, "UNKNOWN_SIGNATURE_FORMAT",
                          "pdf-seal.md 5 (read)",
                          "/Contents is neither an SES_Signature nor a CMS SignedData "
                          "(%zu bytes, SubFilter %.60s): not verifiable here",
                          len, s->subfilter[0] ? s->subfilter : "absent");
}
