/*
 * fuzz/fuzz_pdf_sig.c - the /Contents dispatcher on arbitrary bytes: DER
 * length and kind detection, then the SES pipeline, the GB/T 35275
 * SignedData verifier and OpenSSL CMS, over a fixed document whose
 * ByteRange is [0 16 32 16].
 * Target functions: es_pdf_der_len, es_pdf_contents_kind,
 * es_pdf_verify_contents, es_cms_check_detached.
 */
#include <string.h>

#include "crypto/cms.h"
#include "doc/pdf/pdf_int.h"
#include "verify/report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t doc[48] = "%PDF-1.7 fuzz  <0000000000000000> %%EOF\n";
    struct es_pdf_doc d;
    memset(&d, 0, sizeof(d));
    d.p = doc;
    d.n = sizeof(doc);
    struct es_pdf_sig s;
    memset(&s, 0, sizeof(s));
    s.br_ok = true;
    s.br[1] = 16;
    s.br[2] = 32;
    s.br[3] = 16;
    size_t n = es_pdf_der_len(data, size);
    (void)es_pdf_contents_kind(data, n ? n : size, NULL);
    es_verify_opts o = {.no_chain = 1};
    for (int prof = 0; prof < 2; prof++) {
        es_report *r = NULL;
        if (es_is_ok(es_report_new(&o, &r))) {
            struct es_entry *e = NULL;
            if (es_is_err(es_pdf_verify_contents(r, &o, (es_profile)prof, "fuzz", &d, &s, data,
                                                 n ? n : size, &e))) {
                es_error_clear();
            }
            es_report_finish(r);
        }
        es_report_free(r);
    }
    struct es_cms_info ci;
    es_bytes seg[2] = {{doc, 16}, {doc + 32, 16}};
    if (es_is_ok(es_cms_check_detached(data, size, seg, 2, &ci))) {
        es_cms_info_clear(&ci);
    }
    es_error_clear();
    return 0;
}
