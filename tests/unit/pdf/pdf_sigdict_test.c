/*
 * tests/unit/pdf/pdf_sigdict_test.c - the signature dictionary read without
 * qpdf (pdf_sigdict.c): the plain case gives the values qpdf would (names,
 * an escaped /M, the ByteRange, the decoded /Contents and its place in the
 * file, DocMDP and FieldMDP), the newest xref table wins over an older one
 * reached through /Prev, the /Contents limit holds, and every case it does
 * not take (indirect values, literal or spaced /Contents, #xx names,
 * repeated keys, a free or missing entry) is left to qpdf: "not done"; and
 * 1000 randomly changed dictionaries and xref tables, each read alike by
 * both whenever the fast path takes it.
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

/* What qpdf reads from object 3 of d, compared with the fast path's s. */
static void same_as_qpdf(struct es_pdf_doc *d, const struct es_pdf_sig *s, const char *body)
{
    qpdf_data q = d->q;
    qpdf_oh v = qpdf_get_object_by_id(q, 3, 0);
    if (!qpdf_oh_is_dictionary(q, v) || qpdf_has_error(q)) {
        fail_msg("taken, but qpdf reads no dictionary: %s", body);
    }
    static const char *const names[] = {"/Filter", "/SubFilter"};
    const char *mine[] = {s->filter, s->subfilter};
    for (int i = 0; i < 2; i++) {
        qpdf_oh nm = qpdf_oh_get_key(q, v, names[i]);
        const char *want = qpdf_oh_is_name(q, nm) ? qpdf_oh_get_name(q, nm) + 1 : "";
        if (strcmp(want, mine[i]) != 0) {
            fail_msg("%s: qpdf '%s', fast '%s': %s", names[i], want, mine[i], body);
        }
    }
    qpdf_oh br = qpdf_oh_get_key(q, v, "/ByteRange");
    bool br_ok = qpdf_oh_is_array(q, br) && qpdf_oh_get_array_n_items(q, br) == 4;
    for (int i = 0; br_ok && i < 4; i++) {
        qpdf_oh it = qpdf_oh_get_array_item(q, br, i);
        br_ok = qpdf_oh_is_integer(q, it) && qpdf_oh_get_int_value(q, it) == s->br[i];
    }
    if (br_ok != s->br_ok) {
        fail_msg("/ByteRange differs: %s", body);
    }
    qpdf_oh c = qpdf_oh_get_key(q, v, "/Contents");
    size_t len = 0;
    const char *b = qpdf_oh_is_string(q, c) ? qpdf_oh_get_binary_string_value(q, c, &len) : NULL;
    if ((b != NULL) != s->has_contents || len != s->contents_len ||
        (len && memcmp(b, s->contents, len) != 0)) {
        fail_msg("/Contents differs: %s", body);
    }
}

/* Random changes to a signature dictionary: whenever the fast path takes
 * one, qpdf reads the same values from it. */
static void test_mutations_agree(void **st)
{
    (void)st;
    static const char base[] =
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M (D:2024) "
        "/ByteRange [0 10 20 30] /Contents <3003020100> /Reference [<< /TransformMethod "
        "/DocMDP /TransformParams << /P 1 >> >>] /Prop_Build << /App << /Name /x >> >> >>";
    static const char alphabet[] = "<>[]()/ 0123456789abcdefR%\n\r\t\\#-+.Gnulltrueobjstreamx";
    uint32_t seed = 12345;
    size_t taken = 0;
    for (int round = 0; round < 1000; round++) {
        char body[sizeof(base)];
        memcpy(body, base, sizeof(base));
        /* half the rounds change the dictionary, half the xref table and trailer */
        bool in_xref = round % 2;
        for (int k = 0; k < 1 + round % 4 && !in_xref; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % (sizeof(base) - 1);
            seed = seed * 1103515245u + 12345u;
            body[at] = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
        }
        const char *objs[] = {CAT, PAGES, body};
        size_t n = 0;
        uint8_t *p = t_pdf_build(objs, 3, NULL, &n);
        size_t xref = t_pdf_startxref(p, n);
        for (int k = 0; k < 1 + round % 4 && in_xref; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = xref + (seed >> 8) % (n - xref);
            seed = seed * 1103515245u + 12345u;
            p[at] = (uint8_t)alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
        }
        struct es_pdf_doc d;
        if (es_is_ok(es_pdf_open(&d, p, n, NULL))) {
            struct es_pdf_sig s;
            memset(&s, 0, sizeof(s));
            bool done = false;
            if (es_is_ok(es_pdf_sigdict_fast(&d, 3, 0, "S", &s, &done)) && done) {
                taken++;
                same_as_qpdf(&d, &s, body);
            }
            es_free(s.contents);
        }
        es_error_clear();
        es_pdf_close(&d);
        es_free(p);
    }
    assert_true(taken > 100); /* the comparison did happen */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_left_to_qpdf),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_mutations_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
