/*
 * tests/unit/ofd/ofd_parts_test.c - the small pieces of lib/doc/ofd on their
 * own: entry names, ST_Loc resolution (O-5, O-6), base64 CheckValues,
 * number lists, CheckMethod spellings (O-7), IDs (O-8), the signature list
 * and description readers on the real-world variations of ofd-signature.md
 * §3-§4, and the GB/T 35275 reader on malformed input.
 */
#include "ofd_testutil.h"

#include "doc/ofd/ofd_int.h"

static void test_names(void **state)
{
    (void)state;
    static const char *ok[] = {"OFD.xml", "Doc_0/Pages/Page_0/Content.xml", "Doc_0/",
                               "Doc_0/Res/印章.png", "a..b/c", ".hidden/x"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char *n = NULL;
        bool conv;
        if (es_is_err(es_ofd_name_check(ok[i], 1024, &n, &conv))) {
            fail_msg("%s refused: %s", ok[i], es_error_detail());
        }
        assert_string_equal(n, ok[i]);
        assert_false(conv);
        es_free(n);
    }
    static const char *bad[] = {"", "/OFD.xml", "../x", "a/../b", "a/./b", "a//b", "a\\b",
                                "c:x", "Z:/x", "a\x7f", "a\nb", "a/.."};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *n = NULL;
        bool conv;
        if (es_is_ok(es_ofd_name_check(bad[i], 1024, &n, &conv))) {
            fail_msg("'%s' accepted", bad[i]);
        }
        assert_null(n);
    }
    /* GB18030 (印章 in GBK) converted to UTF-8 */
    char *n = NULL;
    bool conv;
    assert_true(es_is_ok(es_ofd_name_check("Res/\xd3\xa1\xd5\xc2.png", 1024, &n, &conv)));
    assert_true(conv);
    assert_string_equal(n, "Res/印章.png");
    es_free(n);
    /* over-long, overlong UTF-8 forms and surrogates are not UTF-8 */
    assert_false(es_ofd_utf8_valid((const uint8_t *)"\xc0\xaf", 2));
    assert_false(es_ofd_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));
    assert_false(es_ofd_utf8_valid((const uint8_t *)"\xe5\x8d", 2));
    assert_true(es_ofd_utf8_valid((const uint8_t *)"\xe5\x8d\xb0", 3));
    assert_true(es_is_err(es_ofd_name_check("abcdef", 5, &n, &conv)));
    es_error_clear();
}

static void test_paths(void **state)
{
    (void)state;
    static const struct {
        const char *base, *loc, *want;
    } ok[] = {
        {"", "Doc_0/Signs/Signatures.xml", "Doc_0/Signs/Signatures.xml"},
        {"", "/Doc_0/Signs/Signatures.xml", "Doc_0/Signs/Signatures.xml"},
        {"Doc_0/Signs", "Sign_0/Signature.xml", "Doc_0/Signs/Sign_0/Signature.xml"},
        {"Doc_0/Signs/Sign_0", "SignedValue.dat", "Doc_0/Signs/Sign_0/SignedValue.dat"},
        {"Doc_0/Signs/Sign_0", "/Doc_0/Signs/Sign_0/Seal.esl", "Doc_0/Signs/Sign_0/Seal.esl"},
        {"", "//Doc_0/Signs/Sign_1/Seal.esl", "Doc_0/Signs/Sign_1/Seal.esl"}, /* O-6 Koal */
        {"Doc_0", "./Pages/../Pages/Page_0/Content.xml", "Doc_0/Pages/Page_0/Content.xml"},
        {"Doc_0/Signs", "../Document.xml", "Doc_0/Document.xml"},
    };
    char out[ES_OFD_MAX_PATH];
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (es_is_err(es_ofd_path_resolve(ok[i].base, ok[i].loc, out, sizeof(out)))) {
            fail_msg("%s + %s: %s", ok[i].base, ok[i].loc, es_error_detail());
        }
        assert_string_equal(out, ok[i].want);
    }
    assert_true(es_is_err(es_ofd_path_resolve("Doc_0", "../../etc/passwd", out, sizeof(out))));
    assert_true(es_is_err(es_ofd_path_resolve("", "/", out, sizeof(out))));
    assert_true(es_is_err(es_ofd_path_resolve("", "", out, sizeof(out))));
    assert_true(es_is_err(es_ofd_path_resolve("", "abcdefgh/ijk", out, 8)));
    es_error_clear();
    es_ofd_dirname("Doc_0/Signs/Signatures.xml", out, sizeof(out));
    assert_string_equal(out, "Doc_0/Signs");
    es_ofd_dirname("OFD.xml", out, sizeof(out));
    assert_string_equal(out, "");
}

static void test_b64_numbers_ids(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n;
    assert_true(es_ofd_b64_decode("bB415m1tMmbEjyz5OZT5fiCqzI9Dec/JD/WjKnU20+g=", buf, 64, &n));
    assert_int_equal(n, 32);
    assert_true(es_ofd_b64_decode(" YWJj\n", buf, 64, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "abc", 3);
    assert_false(es_ofd_b64_decode("YW*j", buf, 64, &n));
    assert_false(es_ofd_b64_decode("YQ==YQ==", buf, 64, &n));
    assert_false(es_ofd_b64_decode("Y", buf, 64, &n));
    assert_false(es_ofd_b64_decode("YWJjZA==", buf, 3, &n));
    struct es_buf b;
    es_buf_init(&b, 0);
    assert_true(es_is_ok(es_ofd_b64_encode(&b, (const uint8_t *)"abcd", 4)));
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.ptr, "YWJjZA==", 8);
    es_buf_free(&b);

    double v[6];
    assert_int_equal(es_ofd_parse_numbers("90.00 8.00 30.00 20.00", v, 4), 4);
    assert_true(v[0] == 90 && v[3] == 20);
    assert_int_equal(es_ofd_parse_numbers("1 2 3 4 5", v, 4), -1);
    assert_int_equal(es_ofd_parse_numbers("1 x", v, 4), -1);
    assert_int_equal(es_ofd_parse_numbers("1e99", v, 4), -1);
    assert_int_equal(es_ofd_parse_numbers("", v, 4), 0);

    assert_int_equal(es_ofd_check_method("1.2.156.10197.1.401"), ES_OFD_CM_SM3);
    assert_int_equal(es_ofd_check_method("SM3"), ES_OFD_CM_SM3);
    assert_int_equal(es_ofd_check_method("sm3"), ES_OFD_CM_SM3);
    assert_int_equal(es_ofd_check_method("1.2.156.10197.1.401.2"), ES_OFD_CM_SM3_Z);
    assert_int_equal(es_ofd_check_method("MD5"), ES_OFD_CM_OTHER);
    assert_int_equal(es_ofd_check_method(NULL), ES_OFD_CM_MISSING);

    assert_int_equal(es_ofd_id_number("s007"), 7);
    assert_int_equal(es_ofd_id_number("004"), 4);
    assert_int_equal(es_ofd_id_number("12"), 12);
    assert_int_equal(es_ofd_id_number("abc"), -1);
    assert_int_equal(es_ofd_id_number("s99999999999"), -1);
}

static void test_siglist_variants(void **state)
{
    (void)state;
    /* O-8: MaxSignId after the entries and twice (ofdrw 1.5.2 h.ofd) */
    static const char list[] =
        "<?xml version=\"1.0\"?><ofd:Signatures xmlns:ofd=\"" T_NS "\">"
        "<ofd:Signature ID=\"s001\" Type=\"Seal\" BaseLoc=\"Sign_0/Signature.xml\"/>"
        "<ofd:Signature ID=\"s007\" BaseLoc=\"/Doc_0/Signs/Sign_1/Signature.xml\" "
        "Relative=\"s001\"/>"
        "<ofd:MaxSignId>s006</ofd:MaxSignId><ofd:MaxSignId>s008</ofd:MaxSignId>"
        "</ofd:Signatures>";
    struct es_ofd_siglist l;
    bool refused;
    assert_true(es_is_ok(es_ofd_siglist_parse((const uint8_t *)list, strlen(list),
                                              "Doc_0/Signs/Signatures.xml", NULL, &l, &refused)));
    assert_int_equal(l.n, 2);
    assert_int_equal(l.max_id, 8);
    assert_int_equal(l.n_max, 2);
    assert_true(l.s_style);
    assert_string_equal(l.v[0].path, "Doc_0/Signs/Sign_0/Signature.xml");
    assert_null(l.v[1].type);
    assert_string_equal(l.v[1].relative, "s001");
    es_ofd_siglist_free(&l);
    /* the wrong root */
    assert_true(es_is_err(es_ofd_siglist_parse((const uint8_t *)"<a/>", 4, "x", NULL, &l,
                                               &refused)));
    assert_false(refused);
    es_error_clear();
}

static void test_sigdesc_variants(void **state)
{
    (void)state;
    /* ofdrw order (SignedValue first, Seal and StampAnnot before References),
     * iOFD Provider children, relative paths, "//" FileRef */
    static const char desc[] =
        "<?xml version=\"1.0\"?><ofd:Signature xmlns:ofd=\"" T_NS "\">"
        "<ofd:SignedValue>SignedValue.dat</ofd:SignedValue><ofd:SignedInfo>"
        "<ofd:Provider><ofd:ProviderName>iOFD</ofd:ProviderName></ofd:Provider>"
        "<ofd:SignatureDateTime>2020-07-16 16:04:27</ofd:SignatureDateTime>"
        "<ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod>"
        "<ofd:Seal><ofd:BaseLoc>Seal.esl</ofd:BaseLoc></ofd:Seal>"
        "<ofd:StampAnnot ID=\"2\" PageRef=\"1\" Boundary=\"202 40 40 40\" Clip=\"0 0 8 40\"/>"
        "<ofd:StampAnnot ID=\"2\" PageRef=\"6\" Boundary=\"bad\"/>"
        "<ofd:References CheckMethod=\"SM3\">"
        "<ofd:Reference FileRef=\"//Doc_0/Document.xml\"><ofd:CheckValue>"
        "YWJj</ofd:CheckValue></ofd:Reference>"
        "<ofd:Reference FileRef=\"/Doc_0/x.xml\"><ofd:CheckValue>!!</ofd:CheckValue>"
        "</ofd:Reference></ofd:References></ofd:SignedInfo></ofd:Signature>";
    struct es_ofd_sigdesc d;
    bool refused;
    assert_true(es_is_ok(es_ofd_sigdesc_parse((const uint8_t *)desc, strlen(desc),
                                              "Doc_0/Signs/Sign_1/Signature.xml", NULL, &d,
                                              &refused)));
    assert_true(d.order_quirk);
    assert_true(d.provider_children);
    assert_string_equal(d.provider, "iOFD");
    assert_string_equal(d.value_path, "Doc_0/Signs/Sign_1/SignedValue.dat");
    assert_string_equal(d.seal_path, "Doc_0/Signs/Sign_1/Seal.esl");
    assert_string_equal(d.check_method, "SM3");
    assert_int_equal(d.n_refs, 2);
    assert_string_equal(d.refs[0].path, "Doc_0/Document.xml");
    assert_true(d.refs[0].value_ok);
    assert_int_equal(d.refs[0].value_len, 3);
    assert_false(d.refs[1].value_ok);
    assert_int_equal(d.n_stamps, 2);
    assert_true(d.stamps[0].has_clip && d.stamps[0].clip_ok && d.stamps[0].clip[2] == 8);
    assert_false(d.stamps[1].boundary_ok);
    es_ofd_sigdesc_free(&d);
    /* no References: not a signature description */
    static const char none[] = "<ofd:Signature xmlns:ofd=\"" T_NS "\"><ofd:SignedInfo/>"
                               "</ofd:Signature>";
    assert_true(es_is_err(es_ofd_sigdesc_parse((const uint8_t *)none, strlen(none), "x", NULL,
                                               &d, &refused)));
    es_error_clear();
}

static void test_xml_guards(void **state)
{
    (void)state;
    xmlDoc *x = NULL;
    bool refused;
    static const char ok[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>&amp;&#x4e2d;</a>";
    assert_true(es_is_ok(es_ofd_xml_parse((const uint8_t *)ok, strlen(ok), "ok", NULL, &x,
                                          &refused)));
    char *t = es_ofd_xml_text(xmlDocGetRootElement(x));
    assert_string_equal(t, "&中");
    es_free(t);
    xmlFreeDoc(x);
    static const char undefined[] = "<a>&undefined;</a>";
    es_result r = es_ofd_xml_parse((const uint8_t *)undefined, strlen(undefined), "u", NULL, &x,
                                   &refused);
    assert_int_equal(r.rc, ES_ERR_FORMAT_STRUCTURE);
    assert_false(refused);
    static const char dtd[] = "<!DOCTYPE a><a/>";
    r = es_ofd_xml_parse((const uint8_t *)dtd, strlen(dtd), "d", NULL, &x, &refused);
    assert_int_equal(r.rc, ES_ERR_FORMAT);
    assert_true(refused);
    es_ofd_limits lim = {.max_xml_depth = 3};
    static const char deep[] = "<a><b><c><d/></c></b></a>";
    r = es_ofd_xml_parse((const uint8_t *)deep, strlen(deep), "d", &lim, &x, &refused);
    assert_int_equal(r.rc, ES_ERR_LIMIT_DEPTH);
    assert_true(refused);
    lim.max_xml_depth = 4;
    assert_true(es_is_ok(es_ofd_xml_parse((const uint8_t *)deep, strlen(deep), "d", &lim, &x,
                                          &refused)));
    xmlFreeDoc(x);
    r = es_ofd_xml_parse((const uint8_t *)"", 0, "empty", NULL, &x, &refused);
    assert_int_equal(r.rc, ES_ERR_FORMAT_STRUCTURE);
    es_error_clear();
}

static void test_signeddata_malformed(void **state)
{
    (void)state;
    struct es_ofd_signeddata sd;
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    assert_true(es_is_err(es_ofd_signeddata_parse(junk, sizeof(junk), &sd)));
    static const uint8_t trunc[] = {0x30, 0x82, 0x10, 0x00, 0x06};
    assert_true(es_is_err(es_ofd_signeddata_parse(trunc, sizeof(trunc), &sd)));
    assert_true(es_is_err(es_ofd_signeddata_parse(junk, 0, &sd)));
    es_error_clear();
    /* a real one from the corpus, every byte prefix of it rejected cleanly */
    const char *p = t_testdata("ofd.js/26050100800_00001.ofd");
    if (!p) {
        return;
    }
    size_t n;
    uint8_t *v = t_zip_get(p, "Doc_0/Signs/Sign_0/SignedValue.dat", &n);
    assert_non_null(v);
    assert_true(es_is_ok(es_ofd_signeddata_parse(v, n, &sd)));
    assert_string_equal(sd.content_type, "1.2.156.10197.6.1.4.2.2");
    assert_string_equal(sd.digest_alg, "1.2.156.10197.1.401");
    assert_true(sd.has_attrs && sd.has_digest && sd.has_time);
    assert_int_equal(sd.message_digest.len, 32);
    assert_int_equal(sd.n_certs, 1);
    es_bytes serial;
    assert_true(es_is_ok(es_ofd_cert_serial(sd.certs[0], &serial)));
    assert_int_equal(serial.len, sd.signer_serial.len);
    for (size_t k = 0; k < n; k++) {
        assert_true(es_is_err(es_ofd_signeddata_parse(v, k, &sd)));
    }
    es_error_clear();
    es_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),           cmocka_unit_test(test_paths),
        cmocka_unit_test(test_b64_numbers_ids), cmocka_unit_test(test_siglist_variants),
        cmocka_unit_test(test_sigdesc_variants), cmocka_unit_test(test_xml_guards),
        cmocka_unit_test(test_signeddata_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
