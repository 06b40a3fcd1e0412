/*
 * fuzz/fuzz_ofd_open.c - OFD package opening, XML parsing and verification
 * on arbitrary bytes. Inputs that look like a ZIP go through the whole
 * verifier (bounded reader, OFD.xml, Document.xml, the signature list and
 * descriptions, references, SES / GB/T 35275 decoding, report rendering);
 * other inputs are parsed as signature list and signature description XML
 * and used as ST_Loc paths.
 * Target functions: es_ofd_verify_ex, es_report_to_json, es_report_to_text,
 * es_ofd_siglist_parse, es_ofd_sigdesc_parse, es_ofd_path_resolve,
 * es_ofd_name_check.
 */
#include <string.h>

#include "doc/ofd/ofd_int.h"
#include "eseal/eseal.h"

static void as_zip(const uint8_t *data, size_t size)
{
    /* small limits keep each run fast; the checks are the same */
    es_ofd_limits lim = {.max_entries = 256,
                         .max_entry_size = 4u * 1024 * 1024,
                         .max_total_size = 16u * 1024 * 1024,
                         .max_xml_size = 1024 * 1024};
    es_ctx *ctx = es_ctx_new();
    for (int prof = 0; prof < 2; prof++) {
        es_ctx_set_profile(ctx, (es_profile)prof);
        es_verify_opts o = {.no_chain = prof == 0};
        es_report *r = NULL;
        if (es_ofd_verify_ex(ctx, &o, &lim, data, size, &r) == ES_OK) {
            char *t = NULL;
            if (es_report_to_json(ctx, r, &t) == ES_OK) {
                es_free(t);
            }
            if (es_report_to_text(ctx, r, 0, &t) == ES_OK) {
                es_free(t);
            }
            es_report_free(r);
        }
    }
    es_ctx_free(ctx);
}

static void as_xml(const uint8_t *data, size_t size)
{
    bool refused;
    struct es_ofd_siglist l;
    if (es_is_ok(es_ofd_siglist_parse(data, size, "Doc_0/Signs/Signatures.xml", NULL, &l,
                                      &refused))) {
        es_ofd_siglist_free(&l);
    }
    struct es_ofd_sigdesc d;
    if (es_is_ok(es_ofd_sigdesc_parse(data, size, "Doc_0/Signs/Sign_0/Signature.xml", NULL, &d,
                                      &refused))) {
        es_ofd_sigdesc_free(&d);
    }
    char s[512], out[ES_OFD_MAX_PATH];
    size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    if (es_is_ok(es_ofd_path_resolve("Doc_0/Signs", s, out, sizeof(out)))) {
        (void)strlen(out);
    }
    char *name = NULL;
    bool conv;
    if (es_is_ok(es_ofd_name_check(s, 1024, &name, &conv))) {
        es_free(name);
    }
    es_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        as_zip(data, size);
    } else {
        as_xml(data, size);
    }
    return 0;
}
