/*
 * tests/unit/pdf/pdf_sigdict_test.c - the signature dictionary read without
 * qpdf (pdf_sigdict.c): the plain case gives the values qpdf would (names,
 * an escaped /M, the ByteRange, the decoded /Contents and its place in the
 * file, DocMDP and FieldMDP), the newest xref table wins over an older one
 * reached through /Prev, the /Contents limit holds, and every case it does
 * not take (indirect values, literal or spaced /Contents, #xx names,
 * repeated keys, a free or missing entry) is left to qpdf: "not done".
 */
#include <stdio.h>

#include "pdf_testutil.h"

#define CAT "<< /Type /Catalog /Pages 2 0 R >>"
#define PAGES "<< /Type /Pages /Kids [] /Count 0 >>"

/* Reads object 3 of a document whose object 3 is `sig`. */
static bool fast(const char *sig, const es_pdf_limits *lim, struct es_pdf_sig *s, int *rc)
{
    const char *objs[] = {CAT, PAGES, sig};
    size_t n = 0;
    uint8_t *p = t_pdf_build(objs, 3, NULL, &n);
    struct es_pdf_doc d;
    assert_true(es_is_ok(es_pdf_open(&d, p, n, lim)));
    memset(s, 0, sizeof(*s));
    bool done = false;
    es_result r = es_pdf_sigdict_fast(&d, 3, 0, "S1", s, &done);
    *rc = r.rc;
    es_error_clear();
    if (s->hex_end) {
        /* the recorded place is the hex string in the file */
        assert_int_equal(p[s->hex_off], '<');
        assert_int_equal(p[s->hex_end - 1], '>');
    }
    es_pdf_close(&d);
    es_free(p);
    return done;
}

static void test_plain(void **st)
{
    (void)st;
    struct es_pdf_sig s;
    int rc = 0;
    bool done = fast("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached\n"
                     "/M (D:2024\\051\\\nx) % a comment\n/ByteRange [0 10 20 -3 ]"
                     "/Contents<3003020100>/Prop_Build << /App << /Name /eseal /R 2 0 R >> >>"
                     " /Reference [ << /Type /SigRef /TransformMethod /DocMDP"
                     " /TransformParams << /P 1 /V /1.2 >> >> << /TransformMethod /FieldMDP"
                     " /TransformParams << /Action /Include /Fields [(a) (b)] >> >> ]"
                     " /Name (x(y)z) /Info 3 0 R >>",
                     NULL, &s, &rc);
    assert_int_equal(rc, ES_OK);
    assert_true(done);
    assert_string_equal(s.filter, "Adobe.PPKLite");
    assert_string_equal(s.subfilter, "adbe.pkcs7.detached");
    assert_string_equal(s.m, "D:2024)x");
    assert_true(s.br_ok);
    assert_int_equal(s.br[1], 10);
    assert_int_equal(s.br[3], -3);
    assert_true(s.has_contents);
    assert_int_equal(s.contents_len, 5);
    assert_memory_equal(s.contents, "\x30\x03\x02\x01\x00", 5);
    assert_int_equal(s.hex_end - s.hex_off, 12);
    assert_int_equal(s.docmdp_p, 1);
    assert_true(s.fieldmdp);
    assert_string_equal(s.fieldmdp_action, "Include");
    es_free(s.contents);

    /* DocMDP without /TransformParams: /P 2, the default */
    done = fast("<< /Contents <00> /Reference [<< /TransformMethod /DocMDP >>] >>", NULL, &s,
                &rc);
    assert_true(done);
    assert_int_equal(s.docmdp_p, 2);
    assert_false(s.br_ok);
    es_free(s.contents);
}

static void test_left_to_qpdf(void **st)
{
    (void)st;
    static const char *const cases[] = {
        "<< /ByteRange 5 0 R /Contents <00> >>",
        "<< /ByteRange [0 1 2 3 4] /Contents <00> >>",
        "<< /ByteRange [0 1.5 2 3] /Contents <00> >>",
        "<< /ByteRange [0 1 2 0 R] /Contents <00> >>",
        "<< /Contents (literal) >>",
        "<< /Contents <30 03> >>",
        "<< /Contents <300> >>",
        "<< /Contents <30zz> >>",
        "<< /Contents 5 0 R >>",
        "<< /Filter /A#20B /Contents <00> >>",
        "<< /Filter /A /Filter /B /Contents <00> >>",
        "<< /Filter 5 0 R /Contents <00> >>",
        "<< /M <443a> /Contents <00> >>",
        "<< /Reference 5 0 R /Contents <00> >>",
        "<< /Reference [5 0 R] /Contents <00> >>",
        "<< /Reference [<< /TransformMethod 5 0 R >>] >>",
        "<< /Reference [<< /TransformMethod /DocMDP /TransformParams 5 0 R >>] >>",
        "<< /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 5 0 R >> >>] >>",
        "<< /Reference [<< /TransformMethod /FieldMDP /TransformParams << /Action 5 0 R >> "
        ">>] >>",
        "<< /X [[[[[[[[[[1]]]]]]]]]] /Contents <00> >>",
        "<< /Contents <00> /M (unterminated >>",
        "[ /not a dictionary ]",
        "<< /Contents <00> /Name <4g> >>",
        "<< /Contents <00> /Length 0 >>\nstream\n\nendstream",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct es_pdf_sig s;
        int rc = 0;
        if (fast(cases[i], NULL, &s, &rc)) {
            fail_msg("case %zu taken: %s", i, cases[i]);
        }
        assert_int_equal(rc, ES_OK);
        assert_null(s.contents);
    }
}

static void test_limit(void **st)
{
    (void)st;
    struct es_pdf_sig s;
    int rc = 0;
    es_pdf_limits lim = {.max_contents = 2};
    assert_false(fast("<< /Contents <000000> >>", &lim, &s, &rc));
    assert_int_equal(rc, ES_ERR_LIMIT_SIZE);
    assert_null(s.contents);
}

/* An update redefining object 3: the newest table wins; an object only the
 * first table lists is found through /Prev; a freed one is left to qpdf. */
static void test_tables(void **st)
{
    (void)st;
    const char *objs[] = {CAT, PAGES, "<< /Contents <01> >>", "<< /Contents <04> >>"};
    size_t n = 0, n2 = 0, n3 = 0;
    uint8_t *p = t_pdf_build(objs, 4, NULL, &n);
    uint8_t *p2 = t_pdf_append(p, n, 3, "<< /Contents <0202> >>", 5, &n2);
    struct es_pdf_doc d;
    struct es_pdf_sig s;
    bool done = false;
    assert_true(es_is_ok(es_pdf_open(&d, p2, n2, NULL)));
    memset(&s, 0, sizeof(s));
    assert_true(es_is_ok(es_pdf_sigdict_fast(&d, 3, 0, "S", &s, &done)));
    assert_true(done);
    assert_int_equal(s.contents_len, 2);
    assert_int_equal(s.contents[0], 2);
    assert_true(s.hex_off > n); /* in the update */
    es_free(s.contents);
    memset(&s, 0, sizeof(s));
    assert_true(es_is_ok(es_pdf_sigdict_fast(&d, 4, 0, "S", &s, &done)));
    assert_true(done);
    assert_int_equal(s.contents[0], 4);
    es_free(s.contents);
    memset(&s, 0, sizeof(s));
    /* another generation than the table's */
    assert_true(es_is_ok(es_pdf_sigdict_fast(&d, 4, 1, "S", &s, &done)));
    assert_false(done);
    es_pdf_close(&d);

    /* object 4 freed by a later table */
    struct es_buf b;
    es_buf_init(&b, 0);
    assert_true(es_is_ok(es_buf_append(&b, p2, n2)));
    size_t xref = b.len;
    assert_true(es_is_ok(es_buf_printf(&b,
                                       "xref\n4 1\n0000000000 00001 f\r\ntrailer\n<< /Size 5 "
                                       "/Root 1 0 R /Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n",
                                       t_pdf_startxref(p2, n2), xref)));
    uint8_t *p3 = NULL;
    assert_true(es_is_ok(es_buf_take(&b, &p3, &n3)));
    es_buf_free(&b);
    assert_true(es_is_ok(es_pdf_open(&d, p3, n3, NULL)));
    assert_true(es_is_ok(es_pdf_sigdict_fast(&d, 4, 0, "S", &s, &done)));
    assert_false(done);
    es_pdf_close(&d);
    es_free(p3);
    es_free(p2);
    es_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_left_to_qpdf),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
