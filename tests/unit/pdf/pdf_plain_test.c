/*
 * tests/unit/pdf/pdf_plain_test.c - verification's reading of a plain PDF
 * without qpdf (pdf_plain.c) against the qpdf path: for sealed files of
 * several shapes (one to three pages, a nested page tree, a riding seal
 * with several widgets, a certification, an invisible signature, a file
 * without a form) and thousands of random changes to their structure, the
 * report (every check, result, reason and detail, as JSON) and the error
 * are the same whichever path ran; the plain files are taken by the fast
 * path and the others (two seals, a later revision, an xref stream, a
 * reference it cannot resolve) are left to qpdf.
 */
#include <stdio.h>

#include "pdf_testutil.h"
#include "verify/report_int.h"

/* Verifies p both ways; fails on any difference. Returns whether the
 * plain reading took the file. */
static bool both(const uint8_t *p, size_t n, const char *what)
{
    es_verify_opts o = {.no_chain = 1};
    es_report *r[2] = {NULL, NULL};
    bool plain = false;
    es_result res[2];
    char *json[2] = {NULL, NULL};
    char msg[2][512];
    for (int k = 0; k < 2; k++) {
        res[k] = es_pdf_verify_mem(&r[k], &o, ES_PROFILE_LENIENT, NULL, p, n, k == 0,
                                   k == 0 ? &plain : NULL);
        snprintf(msg[k], sizeof(msg[k]), "%s", es_is_err(res[k]) ? es_error_detail() : "");
        es_error_clear();
        if (es_is_ok(res[k])) {
            es_report_finish(r[k]);
            r[k]->verified_at = 0;
            es_ctx *ctx = es_ctx_new();
            assert_int_equal(es_report_to_json(ctx, r[k], &json[k]), ES_OK);
            es_ctx_free(ctx);
        }
    }
    if (res[0].rc != res[1].rc || strcmp(msg[0], msg[1]) != 0) {
        fail_msg("%s (plain %d): errors differ: '%s' / '%s'", what, plain, msg[0], msg[1]);
    }
    if (json[0] && strcmp(json[0], json[1]) != 0) {
        fail_msg("%s (plain %d): reports differ:\n%s\n%s", what, plain, json[0], json[1]);
    }
    for (int k = 0; k < 2; k++) {
        es_free(json[k]);
        es_report_free(r[k]);
    }
    return plain;
}

static const es_pdf_position g_p1 = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 100,
                                     .y_mm = 200};
static const es_pdf_position g_p3 = {.kind = ES_OFD_POS_PAGE, .page = 3, .x_mm = 20,
                                     .y_mm = 30};
static const es_pdf_position g_p2 = {.kind = ES_OFD_POS_PAGE, .page = 2, .x_mm = 50,
                                     .y_mm = 60};
static const es_pdf_position g_ride = {.kind = ES_OFD_POS_RIDING, .y_mm = 100};

/* Three pages in a two-level tree: page 1 and 2 under an inner /Pages. */
static uint8_t *nested(size_t *n)
{
    const char *objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [5 0 R 6 0 R] /Count 3 /MediaBox [0 0 595 842] >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Length 0 >>\nstream\n\nendstream",
        "<< /Type /Pages /Parent 2 0 R /Kids [7 0 R 8 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
        "<< /Type /Page /Parent 5 0 R /Contents 4 0 R >>",
        "<< /Type /Page /Parent 5 0 R /Contents 4 0 R >>",
    };
    return t_pdf_build(objs, 8, NULL, n);
}

#define N_BASE 8

/* The corpus; want_plain: whether the fast path must take it. */
static uint8_t *base(int i, size_t *n, bool *want_plain)
{
    size_t pn = 0, sn = 0;
    uint8_t *p = NULL, *s = NULL;
    *want_plain = true;
    switch (i) {
    case 0:
        p = t_pdf_plain(2, &pn);
        s = t_pdf_sign(&g_id, p, pn, &g_p1, 1, 0, n);
        break;
    case 1: /* certified, on the last of three pages */
        p = t_pdf_plain(3, &pn);
        s = t_pdf_sign(&g_id, p, pn, &g_p3, 1, 2, n);
        break;
    case 2: /* several widgets */
        p = t_pdf_plain(3, &pn);
        s = t_pdf_sign(&g_id, p, pn, &g_ride, 1, 0, n);
        break;
    case 3: /* invisible */
        p = t_pdf_plain(1, &pn);
        s = t_pdf_sign(&g_id, p, pn, NULL, 0, 0, n);
        break;
    case 4: /* nested page tree: the page index counts an inner /Count */
        p = nested(&pn);
        s = t_pdf_sign(&g_id, p, pn, &g_p3, 1, 0, n);
        break;
    case 5: /* no form at all */
        s = t_pdf_plain(2, n);
        break;
    case 6: /* two seals: the earlier revision holds a ByteRange */
        p = t_pdf_plain(3, &pn);
        s = t_pdf_sign(&g_id, p, pn, &g_p1, 1, 0, &sn);
        es_free(p);
        p = s;
        s = t_pdf_sign(&g_id, p, sn, &g_p2, 1, 0, n);
        *want_plain = false;
        break;
    default: { /* a later revision after the seal */
        p = t_pdf_plain(2, &pn);
        s = t_pdf_sign(&g_id, p, pn, &g_p1, 1, 0, &sn);
        es_free(p);
        p = s;
        s = t_pdf_append(p, sn, 4, "<< /Length 0 >>\nstream\n\nendstream", t_pdf_size(p, sn),
                         n);
        *want_plain = false;
        break;
    }
    }
    es_free(p);
    return s;
}

static void test_corpus(void **st)
{
    (void)st;
    for (int i = 0; i < N_BASE; i++) {
        size_t n = 0;
        bool want = false;
        uint8_t *p = base(i, &n, &want);
        char what[32];
        snprintf(what, sizeof(what), "base %d", i);
        bool got = both(p, n, what);
        if (got != want) {
            fail_msg("%s: plain path %s, expected %s", what, got ? "taken" : "not taken",
                     want ? "taken" : "not taken");
        }
        es_free(p);
    }
}

/* What it leaves to qpdf, though the file verifies. */
static void test_left_to_qpdf(void **st)
{
    (void)st;
    size_t n = 0;
    bool want = false;
    uint8_t *p = base(0, &n, &want);
    assert_true(both(p, n, "sealed"));
    /* the catalog's /AcroForm through a reference to a missing object */
    uint8_t *q = es_malloc(n);
    memcpy(q, p, n);
    uint8_t *af = memmem(q, n, "/AcroForm ", 10);
    assert_non_null(af);
    af[10] = '9'; /* "N 0 R" becomes "9... 0 R": no such object */
    assert_false(both(q, n, "unresolvable /AcroForm"));
    /* a comment inside the last xref table */
    memcpy(q, p, n);
    size_t sx = t_pdf_startxref(q, n);
    assert_int_equal(memcmp(q + sx, "xref\n", 5), 0);
    q[sx + 4] = '%';
    assert_false(both(q, n, "comment after xref"));
    /* a signature field name that is not ASCII (qpdf's UTF-8 value differs) */
    memcpy(q, p, n);
    uint8_t *t = memmem(q, n, "/T (", 4);
    assert_non_null(t);
    t[4] = 0xe9;
    assert_false(both(q, n, "non-ASCII /T"));
    es_free(q);
    es_free(p);
}

/* The reading is bounded by twice the file: a large signature dictionary
 * named by one field is read, named by eight fields it is left to qpdf. */
static void test_budget(void **st)
{
    (void)st;
    size_t hex = 200000;
    char *sig = es_malloc(hex + 100);
    int o = snprintf(sig, hex + 100, "<< /Type /Sig /ByteRange [0 1 2 3] /Contents <");
    memset(sig + o, '0', hex);
    snprintf(sig + o + hex, 100, "> >>");
    for (int fields = 1; fields <= 8; fields *= 8) {
        char cat[300];
        int c = snprintf(cat, sizeof(cat), "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [");
        for (int i = 0; i < fields; i++) {
            c += snprintf(cat + c, sizeof(cat) - (size_t)c, "4 0 R ");
        }
        snprintf(cat + c, sizeof(cat) - (size_t)c, "] >> >>");
        const char *objs[] = {cat, "<< /Type /Pages /Kids [] /Count 0 >>", sig,
                              "<< /FT /Sig /T (S) /V 3 0 R >>"};
        size_t n = 0;
        uint8_t *p = t_pdf_build(objs, 4, NULL, &n);
        bool taken = both(p, n, "budget");
        if (taken != (fields == 1)) {
            fail_msg("%d field(s): plain path %s", fields, taken ? "taken" : "not taken");
        }
        es_free(p);
    }
    es_free(sig);
}

/* Random changes to the structure of each base file (its bytes outside the
 * /Contents hex and the streams are what the plain reading parses): the
 * two paths agree on every one. */
static void test_mutations_agree(void **st)
{
    (void)st;
    static const char alphabet[] =
        "<>[]()/ 0123456789abcdefR%\n\r\t\\#-+.GnulltrueobjstreamxKidsParentCountP";
    uint32_t seed = 4242;
    size_t taken = 0, rounds = 0;
    for (int i = 0; i < N_BASE; i++) {
        size_t n = 0;
        bool want = false;
        uint8_t *p = base(i, &n, &want);
        /* the hex of /Contents and of the picture is skipped: a change there
         * is a signature matter, the same bytes for both paths */
        uint8_t *q = es_malloc(n);
        for (int round = 0; round < 250; round++) {
            memcpy(q, p, n);
            for (int k = 0; k < 1 + round % 3; k++) {
                size_t at = 0;
                for (int tries = 0; tries < 50; tries++) {
                    seed = seed * 1103515245u + 12345u;
                    /* a third of the changes in the last 4 KiB (xref,
                     * trailer, the field and signature dictionaries' keys),
                     * a third in the first 2 KiB (catalog, page tree) */
                    size_t span = round % 3 && n > 4096 ? 4096 : n;
                    at = n - span + (seed >> 8) % span;
                    if (round % 3 == 2) {
                        at = (seed >> 8) % (n < 2048 ? n : 2048);
                    }
                    /* not inside a long run of hex digits */
                    size_t hex = 0;
                    for (size_t j = at; j < n && j < at + 64 && strchr("0123456789abcdefABCDEF",
                                                                       q[j]) && q[j];
                         j++) {
                        hex++;
                    }
                    if (hex < 64) {
                        break;
                    }
                }
                seed = seed * 1103515245u + 12345u;
                q[at] = round % 5 == 4 ? (uint8_t)(seed >> 16)
                                       : (uint8_t)alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
            }
            char what[48];
            snprintf(what, sizeof(what), "base %d round %d", i, round);
            taken += both(q, n, what);
            rounds++;
        }
        es_free(q);
        es_free(p);
    }
    /* the comparison happened on files the fast path took */
    printf("plain path taken for %zu of %zu changed files\n", taken, rounds);
    assert_true(taken > rounds / 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_left_to_qpdf),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_mutations_agree),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
