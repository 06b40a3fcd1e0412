/* tests/unit/der/der_read_test.c - the bounded DER reader. */
#include "testlib.h"

#include "der/der.h"

static void test_nested_and_spans(void **state)
{
    (void)state;
    /* SEQUENCE { INTEGER 5, SEQUENCE { BOOLEAN TRUE } } */
    static const uint8_t in[] = {0x30, 0x08, 0x02, 0x01, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff};
    struct es_der_cur c, s, t;
    struct es_der_elem e, i;
    es_der_init(&c, in, sizeof(in), NULL);
    assert_true(es_is_ok(es_der_enter(&c, ES_DER_SEQUENCE, &s, &e)));
    assert_int_equal(e.tlv_len, sizeof(in));
    assert_int_equal(e.off, 0);
    assert_true(es_is_ok(es_der_expect(&s, ES_DER_INTEGER, &i)));
    assert_int_equal(i.off, 2);
    int64_t v;
    assert_true(es_is_ok(es_der_get_int(&i, &v, NULL)));
    assert_int_equal(v, 5);
    assert_true(es_is_ok(es_der_enter(&s, ES_DER_SEQUENCE, &t, &e)));
    assert_int_equal(e.off, 5);
    assert_ptr_equal(e.tlv, in + 5);
    bool b;
    assert_true(es_is_ok(es_der_expect(&t, ES_DER_BOOLEAN, &e)));
    assert_true(es_is_ok(es_der_get_bool(&e, &b, NULL)));
    assert_true(b);
    assert_true(es_is_ok(es_der_leave(&t)));
    assert_true(es_is_ok(es_der_leave(&s)));
    assert_true(es_der_at_end(&c));
}

static void test_truncated(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x30, 0x05, 0x02, 0x01, 0x05};
    struct es_der_cur c;
    struct es_der_elem e;
    es_der_init(&c, in, sizeof(in), NULL);
    es_result r = es_der_next(&c, &e);
    assert_int_equal(r.rc, ES_ERR_FORMAT_TRUNCATED);
    assert_non_null(strstr(es_error_detail(), "offset 0"));
    es_der_init(&c, in, 1, NULL);
    assert_int_equal(es_der_next(&c, &e).rc, ES_ERR_FORMAT_TRUNCATED);
    es_der_init(&c, in, 0, NULL);
    assert_int_equal(es_der_next(&c, &e).rc, ES_ERR_FORMAT_TRUNCATED);
}

static void test_indefinite_and_huge_lengths(void **state)
{
    (void)state;
    static const uint8_t indef[] = {0x30, 0x80, 0x00, 0x00};
    static const uint8_t huge[] = {0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00};
    static const uint8_t toolong[] = {0x04, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    struct es_der_cur c;
    struct es_der_elem e;
    es_der_init(&c, indef, sizeof(indef), NULL);
    assert_int_equal(es_der_next(&c, &e).rc, ES_ERR_FORMAT_INDEFINITE);
    es_der_init(&c, huge, sizeof(huge), NULL);
    assert_int_equal(es_der_next(&c, &e).rc, ES_ERR_FORMAT_TRUNCATED);
    es_der_init(&c, toolong, sizeof(toolong), NULL);
    assert_int_equal(es_der_next(&c, &e).rc, ES_ERR_FORMAT_LENGTH);
}

static void test_trailing_inside(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x30, 0x04, 0x05, 0x00, 0x05, 0x00};
    struct es_der_cur c, s;
    struct es_der_elem e;
    es_der_init(&c, in, sizeof(in), NULL);
    assert_true(es_is_ok(es_der_enter(&c, ES_DER_SEQUENCE, &s, NULL)));
    assert_true(es_is_ok(es_der_expect(&s, ES_DER_NULL, &e)));
    assert_int_equal(es_der_leave(&s).rc, ES_ERR_FORMAT_TRAILING);
}

static void test_wrong_tag(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x02, 0x01, 0x01};
    struct es_der_cur c;
    struct es_der_elem e;
    es_der_init(&c, in, sizeof(in), NULL);
    assert_int_equal(es_der_expect(&c, ES_DER_SEQUENCE, &e).rc, ES_ERR_FORMAT_TAG);
}

static void test_depth_cap(void **state)
{
    (void)state;
    uint8_t in[2 * 40];
    for (int i = 0; i < 40; i++) {
        in[2 * i] = 0x30;
        in[2 * i + 1] = (uint8_t)(2 * (39 - i));
    }
    struct es_der_cur cur[41];
    es_der_init(&cur[0], in, sizeof(in), NULL);
    es_result r = ES_RESULT_OK;
    int i = 0;
    for (; i < 40 && es_is_ok(r); i++) {
        r = es_der_enter(&cur[i], ES_DER_SEQUENCE, &cur[i + 1], NULL);
    }
    assert_int_equal(r.rc, ES_ERR_LIMIT_DEPTH);
    assert_true(i <= ES_DER_MAX_DEPTH + 1);
}

static void test_nonminimal_length_quirk(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x04, 0x81, 0x01, 0xaa};
    struct es_der_cur c;
    struct es_der_elem e;
    unsigned q = 0;
    es_der_init(&c, in, sizeof(in), &q);
    assert_true(es_is_ok(es_der_next(&c, &e)));
    assert_true(q & ES_DQ_LEN_NONMINIMAL);
    assert_int_equal(e.val_len, 1);
}

static void test_integers(void **state)
{
    (void)state;
    struct es_der_elem e = {0};
    uint8_t out[4];
    unsigned q = 0;
    static const uint8_t signless[] = {0x80, 0x01};
    e.val = signless;
    e.val_len = 2;
    assert_true(es_is_ok(es_der_get_uint(&e, out, 4, &q)));
    assert_true(q & ES_DQ_INT_SIGNLESS);
    assert_int_equal(out[2], 0x80);
    static const uint8_t padded[] = {0x00, 0x01};
    q = 0;
    e.val = padded;
    assert_true(es_is_ok(es_der_get_uint(&e, out, 4, &q)));
    assert_true(q & ES_DQ_INT_NONMINIMAL);
    static const uint8_t big[] = {1, 2, 3, 4, 5};
    e.val = big;
    e.val_len = 5;
    assert_int_equal(es_der_get_uint(&e, out, 4, NULL).rc, ES_ERR_FORMAT_INTEGER);
    int64_t v;
    static const uint8_t neg[] = {0xff};
    e.val = neg;
    e.val_len = 1;
    assert_true(es_is_ok(es_der_get_int(&e, &v, NULL)));
    assert_int_equal(v, -1);
    e.val_len = 0;
    assert_int_equal(es_der_get_int(&e, &v, NULL).rc, ES_ERR_FORMAT_INTEGER);
}

static void test_bits_and_oid(void **state)
{
    (void)state;
    struct es_der_elem e = {0};
    static const uint8_t bits[] = {0x03, 0xa8};
    uint8_t u;
    es_bytes b;
    e.val = bits;
    e.val_len = 2;
    assert_true(es_is_ok(es_der_get_bits(&e, &u, &b)));
    assert_int_equal(u, 3);
    assert_int_equal(b.len, 1);
    static const uint8_t badbits[] = {0x08, 0x00};
    e.val = badbits;
    assert_int_equal(es_der_get_bits(&e, &u, &b).rc, ES_ERR_FORMAT_LENGTH);
    static const uint8_t oid[] = {0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0x75};
    char s[64];
    e.val = oid;
    e.val_len = sizeof(oid);
    assert_true(es_is_ok(es_der_get_oid(&e, s, sizeof(s))));
    assert_string_equal(s, "1.2.156.10197.1.501");
    static const uint8_t badoid[] = {0x2A, 0x81};
    e.val = badoid;
    e.val_len = 2;
    assert_int_equal(es_der_get_oid(&e, s, sizeof(s)).rc, ES_ERR_FORMAT_OID);
}

static void test_times(void **state)
{
    (void)state;
    struct es_der_elem e = {0};
    int64_t t;
    unsigned q = 0;
    e.id = ES_DER_GENERALIZED_TIME;
    e.val = (const uint8_t *)"20200723130907Z";
    e.val_len = 15;
    assert_true(es_is_ok(es_der_get_time(&e, 28800, &t, &q)));
    assert_int_equal(t, 1595509747);
    assert_int_equal(q, 0);
    /* Q-TIME-1: no Z, Beijing time */
    e.val = (const uint8_t *)"20220217163340";
    e.val_len = 14;
    assert_true(es_is_ok(es_der_get_time(&e, 28800, &t, &q)));
    assert_true(q & ES_DQ_TIME_NO_Z);
    char f[21];
    es_time_format(t, f);
    assert_string_equal(f, "2022-02-17T08:33:40Z");
    /* Q-TIME-2: 12 digits in a GeneralizedTime */
    q = 0;
    e.val = (const uint8_t *)"220725214639Z";
    e.val_len = 13;
    assert_true(es_is_ok(es_der_get_time(&e, 28800, &t, &q)));
    assert_true(q & ES_DQ_TIME_12_DIGITS);
    es_time_format(t, f);
    assert_string_equal(f, "2022-07-25T21:46:39Z");
    /* fractions */
    e.val = (const uint8_t *)"20200723130907.763Z";
    e.val_len = 19;
    assert_true(es_is_ok(es_der_get_time(&e, 0, &t, NULL)));
    e.id = ES_DER_UTC_TIME;
    e.val = (const uint8_t *)"491231235959Z";
    e.val_len = 13;
    assert_true(es_is_ok(es_der_get_time(&e, 0, &t, NULL)));
    es_time_format(t, f);
    assert_string_equal(f, "2049-12-31T23:59:59Z");
    e.val = (const uint8_t *)"991332235959Z";
    assert_int_equal(es_der_get_time(&e, 0, &t, NULL).rc, ES_ERR_FORMAT_TIME);
    e.val = (const uint8_t *)"2020";
    e.val_len = 4;
    assert_int_equal(es_der_get_time(&e, 0, &t, NULL).rc, ES_ERR_FORMAT_TIME);
    /* text forms of v1 timeInfo (Q-TIME-3) */
    assert_true(es_is_ok(es_time_parse_text((const uint8_t *)"2020-01-25T07:31:56.377Z", 24, 0,
                                            &t, NULL)));
    es_time_format(t, f);
    assert_string_equal(f, "2020-01-25T07:31:56Z");
    q = 0;
    assert_true(es_is_ok(
        es_time_parse_text((const uint8_t *)"2020-01-25 15:31:56", 19, 28800, &t, &q)));
    es_time_format(t, f);
    assert_string_equal(f, "2020-01-25T07:31:56Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_and_spans),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_indefinite_and_huge_lengths),
        cmocka_unit_test(test_trailing_inside),
        cmocka_unit_test(test_wrong_tag),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_nonminimal_length_quirk),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_bits_and_oid),
        cmocka_unit_test(test_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
