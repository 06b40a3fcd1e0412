/* tests/unit/der/der_write_test.c - the canonical DER writer. */
#include "testlib.h"

#include "der/der.h"

static void test_lengths_and_nesting(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 0);
    size_t m1, m2;
    uint8_t big[300];
    memset(big, 0x41, sizeof(big));
    assert_true(es_is_ok(es_derw_begin(&b, ES_DER_SEQUENCE, &m1)));
    assert_true(es_is_ok(es_derw_begin(&b, ES_DER_SEQUENCE, &m2)));
    assert_true(es_is_ok(es_derw_tlv(&b, ES_DER_OCTET_STRING, big, sizeof(big))));
    assert_true(es_is_ok(es_derw_end(&b, m2)));
    assert_true(es_is_ok(es_derw_int(&b, 128)));
    assert_true(es_is_ok(es_derw_end(&b, m1)));
    /* 30 82 01 38 | 30 82 01 30 | 04 82 01 2c ... | 02 02 00 80 */
    assert_int_equal(b.len, 4 + 4 + 4 + 300 + 4);
    assert_int_equal(b.ptr[0], 0x30);
    assert_int_equal(b.ptr[1], 0x82);
    assert_int_equal(b.ptr[2], 0x01);
    assert_int_equal(b.ptr[3], 0x38);
    assert_memory_equal(b.ptr + b.len - 4, "\x02\x02\x00\x80", 4);
    /* and it reads back */
    struct es_der_cur c, s;
    es_der_init(&c, b.ptr, b.len, NULL);
    assert_true(es_is_ok(es_der_enter(&c, ES_DER_SEQUENCE, &s, NULL)));
    es_buf_free(&b);
}

static void test_ints(void **state)
{
    (void)state;
    struct { int64_t v; const char *der; size_t n; } cases[] = {
        {0, "\x02\x01\x00", 3}, {127, "\x02\x01\x7f", 3}, {128, "\x02\x02\x00\x80", 4},
        {-1, "\x02\x01\xff", 3}, {-129, "\x02\x02\xff\x7f", 4}, {256, "\x02\x02\x01\x00", 4}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct es_buf b;
        es_buf_init(&b, 0);
        assert_true(es_is_ok(es_derw_int(&b, cases[i].v)));
        assert_int_equal(b.len, cases[i].n);
        assert_memory_equal(b.ptr, cases[i].der, cases[i].n);
        es_buf_free(&b);
    }
    struct es_buf b;
    es_buf_init(&b, 0);
    static const uint8_t mag[4] = {0, 0, 0x80, 1};
    assert_true(es_is_ok(es_derw_uint(&b, mag, 4)));
    assert_memory_equal(b.ptr, "\x02\x03\x00\x80\x01", 5);
    es_buf_free(&b);
}

static void test_oid_time_roundtrip(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 0);
    assert_true(es_is_ok(es_derw_oid(&b, "1.2.156.10197.1.501")));
    assert_memory_equal(b.ptr, "\x06\x08\x2A\x81\x1C\xCF\x55\x01\x83\x75", 10);
    b.len = 0;
    assert_true(es_is_ok(es_derw_gentime(&b, 1595509747)));
    assert_memory_equal(b.ptr, "\x18\x0f" "20200723130907Z", 17);
    b.len = 0;
    assert_int_equal(es_derw_oid(&b, "x.1").rc, ES_ERR_USAGE_ARG);
    assert_int_equal(es_derw_utctime(&b, es_time_from_fields(2051, 1, 1, 0, 0, 0)).rc,
                     ES_ERR_USAGE_ARG);
    es_buf_free(&b);
}

static void test_buf_limit(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 10);
    uint8_t x[11] = {0};
    assert_int_equal(es_buf_append(&b, x, 11).rc, ES_ERR_LIMIT_SIZE);
    assert_true(es_is_ok(es_buf_append(&b, x, 10)));
    assert_int_equal(es_buf_append(&b, x, 1).rc, ES_ERR_LIMIT_SIZE);
    es_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths_and_nesting),
        cmocka_unit_test(test_ints),
        cmocka_unit_test(test_oid_time_roundtrip),
        cmocka_unit_test(test_buf_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
