/*
 * tests/unit/ofd/ofd_corpus_test.c - every .ofd of ../shared/testdata
 * (samples.md) verified with --no-chain semantics (no trust anchors exist),
 * against the lenient verdicts of samples.md: the verdict of the document
 * and of each signature, and the check that decides it (references naming
 * the edited file, expired seals and certificates at the signing time, the
 * bare SM2 signature without a certificate). A file in the corpus that this
 * table does not know fails the test, so new samples get an expectation.
 * Skipped (77) when the shared corpus is absent.
 */
#include <dirent.h>

#include "ofd_testutil.h"

#include "verify/report_int.h"

#define P ES_CHECK_PASSED
#define F ES_CHECK_FAILED
#define I ES_CHECK_INDETERMINATE
#define W ES_CHECK_WARNING
#define OK ES_VERDICT_TOTAL_PASSED
#define KO ES_VERDICT_TOTAL_FAILED
#define IND ES_VERDICT_INDETERMINATE

struct want_check {
    const char *check;
    es_check_result result;
    const char *reason;  /* NULL: any */
    const char *detail;  /* substring, NULL: any */
};

struct want_sig {
    const char *id;
    const char *kind;
    es_verdict verdict;
    struct want_check checks[4];
};

struct want_file {
    const char *path;
    es_verdict verdict;
    size_t n;
    struct want_sig sigs[2];
};

#define SES "ses-signature"
#define GBT "gbt35275-signature"
#define REFS_OK {"references", P, NULL, NULL}

static const struct want_file corpus[] = {
    {"easyofd/增值税电子专票5.ofd", OK, 1, {{"2", SES, OK, {REFS_OK, {"coverage", P, NULL, NULL}}}}},
    {"ofd.js/26050100800_00001.ofd", OK, 1,
     {{"1", GBT, OK, {REFS_OK, {"data_hash", P, NULL, "messageDigest"}, {"signature", P, NULL, NULL}}}}},
    {"ofd.js/26050100800_00002.ofd", OK, 1, {{"1", GBT, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    {"ofd.js/26050100800_00003.ofd", OK, 1, {{"1", GBT, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    {"ofd.js/26050100800_00004.ofd", OK, 1, {{"1", GBT, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    {"ofd.js/26050100800_00005.ofd", OK, 1, {{"1", GBT, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    {"ofdrw/1.ofd", OK, 1, {{"2", SES, OK, {REFS_OK, {"data_hash", P, NULL, NULL}}}}},
    /* KingGrid leaves OFD.xml unprotected: a coverage warning */
    {"ofdrw/999.ofd", OK, 1,
     {{"1", SES, OK, {REFS_OK, {"coverage", W, "UNPROTECTED_FILES", "/OFD.xml (entry file)"}}}}},
    /* ofdrw bare SM2 SEQUENCE{r,s}: no certificate in the package */
    {"ofdrw/DigitalSign.ofd", IND, 1,
     {{"s001", "sm2-signature", IND,
       {REFS_OK, {"signature", I, "NO_SIGNER_CERTIFICATE", NULL}}}}},
    /* signed 2026 with a seal and certificates that expired in 2022 */
    {"ofdrw/SESV4SignDoc.ofd", KO, 1,
     {{"1", SES, KO,
       {REFS_OK, {"seal_validity", F, "SEAL_EXPIRED", NULL},
        {"signer_chain", F, "CERT_EXPIRED", NULL}, {"signature", P, NULL, NULL}}}}},
    {"ofdrw/SignScaleError.ofd", OK, 1, {{"1", SES, OK, {REFS_OK, {"stamp_annot", P, NULL, NULL}}}}},
    {"ofdrw/V4RideRight.ofd", OK, 1,
     {{"s001", SES, OK, {REFS_OK, {"stamp_annot", P, NULL, "5 StampAnnot"},
                         {"seal_file", P, NULL, NULL}}}}},
    {"ofdrw/allprotected.ofd", OK, 1, {{"001", SES, OK, {REFS_OK, {"seal_file", P, NULL, NULL}}}}},
    {"ofdrw/draw_param_ref.ofd", OK, 1, {{"2", SES, OK, {REFS_OK, {"seal_file", P, NULL, NULL}}}}},
    /* the first signature covered Signatures.xml, which the second rewrote */
    {"ofdrw/h.ofd", KO, 2,
     {{"s001", SES, KO,
       {{"references", F, "REFERENCE_MISMATCH", "/Doc_0/Signs/Signatures.xml"},
        {"data_hash", P, NULL, NULL}, {"signature", P, NULL, NULL}}},
      {"s007", SES, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    /* tongz: three referenced files edited after signing */
    {"ofdrw/keyword.ofd", KO, 2,
     {{"2", SES, KO,
       {{"references", F, "REFERENCE_MISMATCH", "/Doc_0/Pages/Page_0/Content.xml"},
        {"coverage", W, "UNPROTECTED_FILES", "Font7.ttf (font)"}}},
      {"4", GBT, KO, {{"references", F, "REFERENCE_MISMATCH", "3 of 9"}}}}},
    /* iOFD v1: re-serialised package, Signature.xml included */
    {"ofdrw/n.ofd", KO, 1,
     {{"0", SES, KO,
       {{"references", F, "REFERENCE_MISMATCH", "5 of 6"},
        {"data_hash", F, "DATA_HASH_MISMATCH", NULL}}}}},
    {"ofdrw/signedFile.ofd", OK, 1, {{"2", SES, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    /* GOMAIN Type=Sign: the second signature covers the annotations added with it */
    {"ofdrw/testImageNotFound.ofd", OK, 2,
     {{"1", GBT, OK, {REFS_OK, {"coverage", W, NULL, "/Doc_0/Annots/Annotations.xml"}}},
      {"2", GBT, OK, {REFS_OK, {"coverage", P, NULL, NULL}, {"signature", P, NULL, NULL}}}}},
    {"ofdrw/testImageOverridePage.ofd", OK, 2,
     {{"1", GBT, OK, {REFS_OK, {"signature", P, NULL, NULL}}},
      {"2", GBT, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    {"ofdrw/testPathClip.ofd", OK, 2,
     {{"1", GBT, OK, {REFS_OK, {"signature", P, NULL, NULL}}},
      {"2", GBT, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    {"ofdrw/v4signed.ofd", OK, 1, {{"1", SES, OK, {REFS_OK, {"data_hash", P, NULL, NULL}}}}},
    /* two page contents edited; the maker certificate expired before signing */
    {"ofdrw/zsbk.ofd", KO, 2,
     {{"2", SES, KO,
       {{"references", F, "REFERENCE_MISMATCH", "/Doc_0/Pages/Page_0/Content.xml"},
        {"seal_maker_chain", F, "CERT_EXPIRED", NULL}}},
      {"4", SES, KO,
       {{"references", F, "REFERENCE_MISMATCH", "/Doc_0/Pages/Page_1/Content.xml"},
        {"seal_file", P, NULL, NULL}}}}},
    /* DianJu: SignValue.dat, relative paths, element order */
    {"ofdrw/不规范资源路径.ofd", OK, 1, {{"1", SES, OK, {REFS_OK, {"signature", P, NULL, NULL}}}}},
    /* same signature as v4signed.ofd, Document.xml edited */
    {"ofdrw/发票示例.ofd", KO, 1,
     {{"1", SES, KO,
       {{"references", F, "REFERENCE_MISMATCH", "1 of 13 protected file(s) changed after "
                                                "signing: /Doc_0/Document.xml"},
        {"data_hash", P, NULL, NULL}, {"signature", P, NULL, NULL}}}}},
};

static const struct want_file *lookup(const char *rel)
{
    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
        if (strcmp(corpus[i].path, rel) == 0) {
            return &corpus[i];
        }
    }
    return NULL;
}

static void check_file(const struct want_file *w, const es_report *r)
{
    if (es_report_verdict(r) != w->verdict || es_report_count(r) != w->n) {
        char *t = NULL;
        es_report_to_text(NULL, r, 0, &t);
        fail_msg("%s: %s with %zu signature(s), expected %s with %zu\n%s", w->path,
                 es_verdict_name(es_report_verdict(r)), es_report_count(r),
                 es_verdict_name(w->verdict), w->n, t ? t : "");
    }
    for (size_t i = 0; i < w->n; i++) {
        const struct want_sig *s = &w->sigs[i];
        const struct es_entry *e = r->entries[i];
        if (strcmp(e->id, s->id) != 0 || strcmp(e->kind, s->kind) != 0 ||
            e->verdict != s->verdict) {
            fail_msg("%s [%zu]: %s %s %s, expected %s %s %s", w->path, i, e->kind, e->id,
                     es_verdict_name(e->verdict), s->kind, s->id, es_verdict_name(s->verdict));
        }
        for (size_t k = 0; k < 4 && s->checks[k].check; k++) {
            const struct want_check *c = &s->checks[k];
            es_check_result got;
            const char *reason = "", *detail = "";
            if (!t_check(r, i, c->check, &got, &reason, &detail)) {
                fail_msg("%s %s: no check %s", w->path, s->id, c->check);
            }
            if (got != c->result || (c->reason && strcmp(reason, c->reason) != 0) ||
                (c->detail && !strstr(detail, c->detail))) {
                fail_msg("%s %s: %s is %s [%s] '%s', expected %s [%s] '%s'", w->path, s->id,
                         c->check, es_check_result_name(got), reason, detail,
                         es_check_result_name(c->result), c->reason ? c->reason : "*",
                         c->detail ? c->detail : "*");
            }
        }
    }
}

static size_t run_dir(const char *sub, size_t *n_known)
{
    const char *root = t_testdata(sub);
    if (!root) {
        return 0;
    }
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s", root);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    size_t n = 0;
    while ((de = readdir(d)) != NULL) {
        const char *dot = strrchr(de->d_name, '.');
        if (!dot || strcmp(dot, ".ofd") != 0) {
            continue;
        }
        char rel[512], path[2048];
        snprintf(rel, sizeof(rel), "%s/%s", sub, de->d_name);
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        const struct want_file *w = lookup(rel);
        if (!w) {
            fail_msg("%s: no expected verdict in ofd_corpus_test.c (see samples.md)", rel);
        }
        es_verify_opts o = {.no_chain = 1, .file = rel};
        es_ctx *ctx = es_ctx_new();
        /* from the file, streamed ... */
        es_report *r = NULL;
        if (es_ofd_verify_file(ctx, &o, NULL, path, &r) != ES_OK) {
            fail_msg("%s: %s", rel, es_ctx_errmsg(ctx));
        }
        check_file(w, r);
        char *json = NULL, *text = NULL;
        assert_int_equal(es_report_to_json(ctx, r, &json), ES_OK);
        assert_int_equal(es_report_to_text(ctx, r, 1, &text), ES_OK);
        assert_non_null(strstr(json, "\"document\":\"ofd\""));
        es_free(json);
        es_free(text);
        es_report_free(r);
        /* ... and from memory, with the same result */
        size_t len;
        uint8_t *pkg = t_read_file(path, &len);
        assert_int_equal(es_ofd_verify(ctx, &o, pkg, len, &r), ES_OK);
        check_file(w, r);
        es_report_free(r);
        /* the strict profile reaches a verdict too */
        es_ctx_set_profile(ctx, ES_PROFILE_STRICT);
        assert_int_equal(es_ofd_verify(ctx, &o, pkg, len, &r), ES_OK);
        es_report_free(r);
        es_free(pkg);
        es_ctx_free(ctx);
        n++;
        (*n_known)++;
    }
    closedir(d);
    return n;
}

static void test_corpus(void **state)
{
    (void)state;
    if (!t_testdata("ofdrw/1.ofd")) {
        skip();
    }
    size_t known = 0, n = 0;
    n += run_dir("ofdrw", &known);
    n += run_dir("easyofd", &known);
    n += run_dir("ofd.js", &known);
    print_message("%zu corpus packages verified\n", n);
    assert_int_equal(n, sizeof(corpus) / sizeof(corpus[0]));
}

/* The data hash given to the SES pipeline is SM3 of the raw Signature.xml:
 * every verifiable sample agrees (ofd-signature.md §5.2). */
static void test_notes(void **state)
{
    (void)state;
    const char *p = t_testdata("ofdrw/allprotected.ofd");
    if (!p) {
        skip();
    }
    es_report *r = t_verify(p);
    bool lock = false;
    for (size_t i = 0; i < r->entries[0]->n_warn; i++) {
        lock |= strcmp(r->entries[0]->warn[i].code, "O-LOCK") == 0;
    }
    assert_true(lock);
    es_report_free(r);
    p = t_testdata("ofdrw/n.ofd");
    r = t_verify(p);
    bool o1 = false;
    for (size_t i = 0; i < r->entries[0]->n_warn; i++) {
        o1 |= strcmp(r->entries[0]->warn[i].code, "O-1") == 0;
    }
    assert_true(o1); /* iOFD Provider as child elements */
    es_report_free(r);
    /* 1.ofd has no Seal element: no seal_file check */
    r = t_verify(t_testdata("ofdrw/1.ofd"));
    assert_false(t_check(r, 0, "seal_file", NULL, NULL, NULL));
    es_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_notes),
    };
    if (!t_testdata("ofdrw/1.ofd")) {
        return 77;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
