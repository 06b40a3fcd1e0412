/*
 * tests/unit/ofd/ofd_hostile_test.c - hostile packages built in the test:
 * each must end in a clean error with the right code and a message naming
 * the entry and the limit, never a crash, a hang or a large allocation
 * (dependencies.md §3-§4). Also: random corruption of a signed package, and
 * that memory does not grow with the size of a package's entries.
 */
#include "ofd_testutil.h"

#include "doc/ofd/ofd_int.h"

static uint8_t *build(const struct t_file *f, size_t n, size_t *len)
{
    const char *p = t_path("hostile.zip");
    t_zip_write(p, f, n);
    return t_read_file(p, len);
}

static const char *g_ofd = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<ofd:OFD xmlns:ofd=\"" T_NS "\"><ofd:DocBody>"
                           "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
                           "</ofd:DocBody></ofd:OFD>\n";

/* es_ofd_verify must fail with `code` and a message containing both strings. */
static void refused(const uint8_t *p, size_t n, const es_ofd_limits *lim, int code,
                    const char *s1, const char *s2)
{
    es_ctx *ctx = es_ctx_new();
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    int rc = es_ofd_verify_ex(ctx, &o, lim, p, n, &r);
    const char *m = es_ctx_errmsg(ctx);
    if (rc != code || (s1 && !strstr(m, s1)) || (s2 && !strstr(m, s2))) {
        fail_msg("got %s '%s', expected %s with '%s' and '%s'", es_error_name(rc), m,
                 es_error_name(code), s1 ? s1 : "", s2 ? s2 : "");
    }
    assert_null(r);
    es_ctx_free(ctx);
}

/* Offsets of a name's local and central headers in a ZIP. */
static void headers(uint8_t *z, size_t n, const char *name, size_t *loc, size_t *cen)
{
    size_t nl = strlen(name);
    *loc = *cen = 0;
    for (size_t i = 0; i + 46 + nl <= n; i++) {
        if (z[i] == 'P' && z[i + 1] == 'K' && z[i + 2] == 3 && z[i + 3] == 4 &&
            (size_t)(z[i + 26] | z[i + 27] << 8) == nl && memcmp(z + i + 30, name, nl) == 0) {
            *loc = i;
        }
        if (z[i] == 'P' && z[i + 1] == 'K' && z[i + 2] == 1 && z[i + 3] == 2 &&
            (size_t)(z[i + 28] | z[i + 29] << 8) == nl && memcmp(z + i + 46, name, nl) == 0) {
            *cen = i;
        }
    }
    assert_true(*loc || *cen);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void test_not_zip(void **state)
{
    (void)state;
    refused((const uint8_t *)"hello, world", 12, NULL, ES_ERR_FORMAT_TRUNCATED, "ZIP", NULL);
    /* truncated: the central directory is gone */
    size_t n;
    const char *p = t_path("trunc.ofd");
    t_make_ofd(p, 2);
    uint8_t *z = t_read_file(p, &n);
    refused(z, n / 2, NULL, ES_ERR_FORMAT_TRUNCATED, "ZIP", NULL);
    refused(z, n - 10, NULL, ES_ERR_FORMAT_TRUNCATED, NULL, NULL);
    es_free(z);
    /* a ZIP without OFD.xml */
    struct t_file f[] = {{"readme.txt", "hi", NULL, 0, false}};
    z = build(f, 1, &n);
    refused(z, n, NULL, ES_ERR_FORMAT, "no 'OFD.xml'", NULL);
    es_free(z);
}

static void test_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *why;
    } bad[] = {
        {"../evil.xml", "'..' segment"},           {"Doc_0/../../evil.xml", "'..' segment"},
        {"/etc/passwd", "absolute path"},          {"Doc_0\\evil.xml", "backslash"},
        {"C:/evil.xml", "drive letter"},           {"Doc_0//x.xml", "empty path segment"},
        {"Doc_0/./x.xml", "'.' or '..' segment"},  {"Doc_0/\x01x.xml", "control character"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct t_file f[] = {{"OFD.xml", g_ofd, NULL, 0, false},
                             {bad[i].name, "x", NULL, 0, false}};
        size_t n;
        uint8_t *z = build(f, 2, &n);
        refused(z, n, NULL, ES_ERR_FORMAT, bad[i].why, "refused");
        es_free(z);
    }
    /* an over-long name */
    char longname[1200];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    struct t_file f[] = {{"OFD.xml", g_ofd, NULL, 0, false}, {longname, "x", NULL, 0, false}};
    size_t n;
    uint8_t *z = build(f, 2, &n);
    refused(z, n, NULL, ES_ERR_LIMIT_SIZE, "name of 1199 bytes", "limit of 1024");
    es_free(z);
    /* signing refuses them too, writing nothing */
    struct t_file g[] = {{"OFD.xml", g_ofd, NULL, 0, false}, {"../x", "x", NULL, 0, false}};
    t_zip_write(t_path("evil.ofd"), g, 2);
    es_ofd_sign_params pp = {.seal = (const uint8_t *)"x", .seal_len = 1,
                             .key = (const es_key *)1, .cert = (const es_cert *)1};
    assert_int_equal(es_ofd_sign(NULL, &pp, t_path("evil.ofd"), t_path("evil-out.ofd")),
                     ES_ERR_FORMAT);
    assert_int_equal(access(t_path("evil-out.ofd"), F_OK), -1);
}

static void test_duplicates(void **state)
{
    (void)state;
    struct t_file f[] = {{"OFD.xml", g_ofd, NULL, 0, false},
                         {"Doc_0/a.xml", "<a/>", NULL, 0, false},
                         {"Doc_0/b.xml", "<b/>", NULL, 0, false}};
    size_t n, loc, cen;
    uint8_t *z = build(f, 3, &n);
    headers(z, n, "Doc_0/b.xml", &loc, &cen);
    z[loc + 30 + 6] = 'a';
    z[cen + 46 + 6] = 'a';
    refused(z, n, NULL, ES_ERR_FORMAT, "'Doc_0/a.xml' appears twice", "refused");
    es_free(z);
    /* a file that is also a directory */
    struct t_file g[] = {{"OFD.xml", g_ofd, NULL, 0, false},
                         {"Doc_0", "x", NULL, 0, false},
                         {"Doc_0/b.xml", "<b/>", NULL, 0, false}};
    z = build(g, 3, &n);
    refused(z, n, NULL, ES_ERR_FORMAT, "both a file and a directory", NULL);
    es_free(z);
}

static void test_too_many(void **state)
{
    (void)state;
    /* the default limit, 10000 entries */
    size_t cnt = 10001;
    struct t_file *f = calloc(cnt, sizeof(*f));
    char (*names)[32] = calloc(cnt, 32);
    f[0] = (struct t_file){"OFD.xml", g_ofd, NULL, 0, false};
    for (size_t i = 1; i < cnt; i++) {
        snprintf(names[i], 32, "Doc_0/Res/f%zu.bin", i);
        f[i] = (struct t_file){names[i], "", NULL, 0, true};
    }
    size_t n;
    uint8_t *z = build(f, cnt, &n);
    refused(z, n, NULL, ES_ERR_LIMIT_COUNT, "10001 ZIP entries", "limit of 10000");
    /* a lowered limit */
    es_ofd_limits lim = {.max_entries = 50};
    refused(z, n, &lim, ES_ERR_LIMIT_COUNT, "10001 ZIP entries", "limit of 50");
    es_free(z);
    free(f);
    free(names);
}

static void test_zip_bombs(void **state)
{
    (void)state;
    /* by ratio: 8 MiB of zeros deflate to ~8 KiB */
    size_t big = (size_t)8 * 1024 * 1024;
    uint8_t *zeros = calloc(1, big);
    struct t_file f[] = {{"OFD.xml", g_ofd, NULL, 0, false},
                         {"Doc_0/Res/bomb.bin", NULL, zeros, big, false}};
    size_t n;
    uint8_t *z = build(f, 2, &n);
    refused(z, n, NULL, ES_ERR_LIMIT_SIZE, "'Doc_0/Res/bomb.bin' inflates", "limit of 200");
    es_free(z);
    /* over the per-entry size limit */
    es_ofd_limits lim = {.max_entry_size = 1024 * 1024, .max_ratio = 100000};
    z = build(f, 2, &n);
    refused(z, n, &lim, ES_ERR_LIMIT_SIZE, "'Doc_0/Res/bomb.bin' declares 8388608 bytes",
            "limit of 1048576");
    /* over the total size limit */
    es_ofd_limits lim2 = {.max_total_size = 4 * 1024 * 1024, .max_ratio = 100000};
    refused(z, n, &lim2, ES_ERR_LIMIT_SIZE, "more than 4194304 uncompressed bytes",
            "Doc_0/Res/bomb.bin");
    es_free(z);
    free(zeros);

    /* a huge declared size in the central directory */
    size_t loc, cen;
    z = build(f, 1, &n);
    headers(z, n, "OFD.xml", &loc, &cen);
    put32(z + cen + 24, 0xfffffff0u);
    refused(z, n, NULL, ES_ERR_LIMIT_SIZE, "'OFD.xml' declares 4294967280 bytes",
            "limit of 536870912");
    es_free(z);

    /* a declared size smaller than what the data inflates to (libzip 1.7.3
     * keeps inflating past it): stopped one byte after the declared size */
    size_t pad = 3 * 1024 * 1024;
    char *xml = malloc(strlen(g_ofd) + pad + 1);
    strcpy(xml, g_ofd);
    memset(xml + strlen(g_ofd), ' ', pad);
    xml[strlen(g_ofd) + pad] = '\0';
    struct t_file g[] = {{"OFD.xml", xml, NULL, 0, false}};
    z = build(g, 1, &n);
    headers(z, n, "OFD.xml", &loc, &cen);
    put32(z + loc + 22, 300);
    put32(z + cen + 24, 300);
    refused(z, n, NULL, ES_ERR_LIMIT_SIZE, "'OFD.xml' inflates beyond its declared size of 300",
            "refused");
    es_free(z);
    free(xml);
}

static void test_entry_integrity(void **state)
{
    (void)state;
    /* a stored entry with one byte changed fails its CRC */
    struct t_file f[] = {{"OFD.xml", g_ofd, NULL, 0, true}};
    size_t n, loc, cen;
    uint8_t *z = build(f, 1, &n);
    headers(z, n, "OFD.xml", &loc, &cen);
    uint8_t *data = z + loc + 30 + 7;
    uint8_t *nl = memchr(data, '\n', strlen(g_ofd));
    assert_non_null(nl);
    *nl = ' ';
    refused(z, n, NULL, ES_ERR_FORMAT, "'OFD.xml' fails its CRC-32", NULL);
    es_free(z);
    /* an unsupported compression method */
    z = build(f, 1, &n);
    headers(z, n, "OFD.xml", &loc, &cen);
    z[cen + 10] = 12; /* bzip2 */
    z[loc + 8] = 12;
    refused(z, n, NULL, ES_ERR_FORMAT, "'OFD.xml' uses compression method 12", NULL);
    es_free(z);
}

static void test_xml(void **state)
{
    (void)state;
    static const char *docs[] = {
        /* external entity (XXE) */
        "<?xml version=\"1.0\"?><!DOCTYPE ofd:OFD [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<ofd:OFD xmlns:ofd=\"" T_NS "\"><ofd:DocBody><ofd:DocRoot>&x;</ofd:DocRoot>"
        "</ofd:DocBody></ofd:OFD>",
        /* billion laughs */
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
        "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
        "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
        "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
        "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
        "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
        "<ofd:OFD xmlns:ofd=\"" T_NS "\"><ofd:DocBody><ofd:DocRoot>&lol9;</ofd:DocRoot>"
        "</ofd:DocBody></ofd:OFD>",
        /* an external DTD (network) */
        "<?xml version=\"1.0\"?><!DOCTYPE ofd:OFD SYSTEM \"http://127.0.0.1:9/x.dtd\">"
        "<ofd:OFD xmlns:ofd=\"" T_NS "\"><ofd:DocBody><ofd:DocRoot>D.xml</ofd:DocRoot>"
        "</ofd:DocBody></ofd:OFD>",
    };
    for (size_t i = 0; i < 3; i++) {
        struct t_file f[] = {{"OFD.xml", docs[i], NULL, 0, false}};
        size_t n;
        uint8_t *z = build(f, 1, &n);
        refused(z, n, NULL, ES_ERR_FORMAT, "OFD.xml: the XML has a DOCTYPE", "refused");
        es_free(z);
    }
    /* too deep */
    char deep[4096] = "<?xml version=\"1.0\"?><ofd:OFD xmlns:ofd=\"" T_NS "\">";
    for (int i = 0; i < 100; i++) {
        strcat(deep, "<a>");
    }
    for (int i = 0; i < 100; i++) {
        strcat(deep, "</a>");
    }
    strcat(deep, "</ofd:OFD>");
    struct t_file f[] = {{"OFD.xml", deep, NULL, 0, false}};
    size_t n;
    uint8_t *z = build(f, 1, &n);
    refused(z, n, NULL, ES_ERR_LIMIT_DEPTH, "OFD.xml: XML elements nest deeper", "limit of 64");
    /* too big for the XML limit */
    es_ofd_limits lim = {.max_xml_size = 100};
    refused(z, n, &lim, ES_ERR_LIMIT_SIZE, "OFD.xml", "limit of 100");
    es_free(z);
    /* malformed XML in OFD.xml: an error too (no list can be found) */
    struct t_file g[] = {{"OFD.xml", "<ofd:OFD><unclosed>", NULL, 0, false}};
    z = build(g, 1, &n);
    refused(z, n, NULL, ES_ERR_FORMAT_STRUCTURE, "OFD.xml: malformed XML", NULL);
    es_free(z);
}

/* A DTD inside a signed package's Signature.xml is refused as well. */
static void test_xml_in_signature(void **state)
{
    (void)state;
    struct t_ident id;
    t_ident_load(&id);
    const char *in = t_path("d.ofd"), *out = t_path("d-signed.ofd");
    t_make_ofd(in, 1);
    es_ofd_position p = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 5, .y_mm = 5};
    es_ofd_sign_params pp = {.seal = id.seal, .seal_len = id.seal_len, .key = id.key,
                             .cert = id.cert, .positions = &p, .n_positions = 1};
    assert_int_equal(es_ofd_sign(NULL, &pp, in, out), ES_OK);
    size_t n, sx_len = 0;
    uint8_t *sx = t_zip_get(out, "Doc_0/Signs/Sign_0/Signature.xml", &sx_len);
    n = sx_len;
    const char *dtd = "<!DOCTYPE x [<!ENTITY e \"e\">]>";
    char *evil = es_malloc(n + strlen(dtd) + 1);
    char *decl_end = strstr((char *)sx, "?>") + 2;
    size_t head = (size_t)(decl_end - (char *)sx);
    memcpy(evil, sx, head);
    strcpy(evil + head, dtd);
    strcat(evil, decl_end);
    t_zip_put(out, "Doc_0/Signs/Sign_0/Signature.xml", evil, strlen(evil));
    uint8_t *z = t_read_file(out, &n);
    refused(z, n, NULL, ES_ERR_FORMAT, "Doc_0/Signs/Sign_0/Signature.xml: the XML has a DOCTYPE",
            NULL);
    es_free(z);
    /* malformed (not hostile) Signature.xml: a FAILED signature, not an error */
    t_zip_put(out, "Doc_0/Signs/Sign_0/Signature.xml", "<ofd:Signature", 14);
    es_report *r = t_verify(out);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    assert_string_equal(es_report_entry_reason(r, 0), "SIGNATURE_XML_MALFORMED");
    es_report_free(r);
    /* and a listed signature whose value file is gone (O-14) */
    int err;
    t_zip_put(out, "Doc_0/Signs/Sign_0/Signature.xml", sx, sx_len);
    zip_t *zz = zip_open(out, 0, &err);
    zip_delete(zz, (zip_uint64_t)zip_name_locate(zz, "Doc_0/Signs/Sign_0/SignedValue.dat", 0));
    assert_int_equal(zip_close(zz), 0);
    r = t_verify(out);
    assert_string_equal(es_report_entry_reason(r, 0), "SIGNED_VALUE_MISSING");
    es_report_free(r);
    es_free(evil);
    es_free(sx);
    t_ident_free(&id);
}

/* Random corruption of a signed package: a verdict or a clean error. */
static void test_mutations(void **state)
{
    (void)state;
    struct t_ident id;
    t_ident_load(&id);
    const char *in = t_path("mu.ofd"), *out = t_path("mu-signed.ofd");
    t_make_ofd(in, 2);
    es_ofd_position p = {.kind = ES_OFD_POS_RIDING};
    es_ofd_sign_params pp = {.seal = id.seal, .seal_len = id.seal_len, .key = id.key,
                             .cert = id.cert, .positions = &p, .n_positions = 1};
    assert_int_equal(es_ofd_sign(NULL, &pp, in, out), ES_OK);
    size_t n;
    uint8_t *orig = t_read_file(out, &n);
    uint8_t *m = es_malloc(n);
    uint32_t seed = 12345;
    size_t verdicts = 0, errors = 0;
    for (int round = 0; round < 400; round++) {
        memcpy(m, orig, n);
        int flips = 1 + round % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            m[at] ^= (uint8_t)(1u << ((seed >> 16) % 8));
        }
        es_verify_opts o = {.no_chain = 1};
        es_report *r = NULL;
        es_ctx *ctx = es_ctx_new();
        int rc = es_ofd_verify(ctx, &o, m, n, &r);
        if (rc == ES_OK) {
            verdicts++;
            char *t = NULL;
            assert_int_equal(es_report_to_json(ctx, r, &t), ES_OK);
            es_free(t);
            es_report_free(r);
        } else {
            errors++;
            assert_true(es_ctx_errmsg(ctx)[0] != '\0');
            assert_null(r);
        }
        es_ctx_free(ctx);
    }
    print_message("mutations: %zu verdicts, %zu errors\n", verdicts, errors);
    es_free(m);
    es_free(orig);
    t_ident_free(&id);
}

/* Memory does not follow the size of the entries: only what is parsed. */
static size_t g_cur, g_peak;
static void *count_malloc(size_t n)
{
    size_t *p = malloc(n + 16);
    if (!p) {
        return NULL;
    }
    p[0] = n;
    g_cur += n;
    if (g_cur > g_peak) {
        g_peak = g_cur;
    }
    return (uint8_t *)p + 16;
}
static void count_free(void *q)
{
    if (!q) {
        return;
    }
    size_t *p = (size_t *)(void *)((uint8_t *)q - 16);
    g_cur -= p[0];
    free(p);
}
static void *count_realloc(void *q, size_t n)
{
    if (!q) {
        return count_malloc(n);
    }
    size_t *p = (size_t *)(void *)((uint8_t *)q - 16);
    size_t old = p[0];
    size_t *np = realloc(p, n + 16);
    if (!np) {
        return NULL;
    }
    np[0] = n;
    g_cur = g_cur - old + n;
    if (g_cur > g_peak) {
        g_peak = g_cur;
    }
    return (uint8_t *)np + 16;
}

static void test_streaming_memory(void **state)
{
    (void)state;
    struct t_ident id;
    t_ident_load(&id);
    const char *in = t_path("big.ofd"), *out = t_path("big-signed.ofd");
    t_make_ofd(in, 1);
    /* 48 MiB of incompressible data */
    size_t big = (size_t)48 * 1024 * 1024;
    uint8_t *data = malloc(big);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (uint8_t)x;
    }
    t_zip_put(in, "Doc_0/Res/video.bin", data, big);
    free(data);
    es_ofd_position p = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 5, .y_mm = 5};
    es_ofd_sign_params pp = {.seal = id.seal, .seal_len = id.seal_len, .key = id.key,
                             .cert = id.cert, .positions = &p, .n_positions = 1};
    es_set_allocator(count_malloc, count_realloc, count_free);
    g_peak = g_cur = 0;
    int rc = es_ofd_sign(NULL, &pp, in, out);
    size_t sign_peak = g_peak;
    g_peak = g_cur = 0;
    es_report *r = NULL;
    es_verify_opts o = {.no_chain = 1};
    int rc2 = es_ofd_verify_file(NULL, &o, NULL, out, &r);
    size_t verify_peak = g_peak;
    es_verdict v = r ? es_report_verdict(r) : ES_VERDICT_TOTAL_FAILED;
    es_report_free(r);
    es_set_allocator(NULL, NULL, NULL);
    assert_int_equal(rc, ES_OK);
    assert_int_equal(rc2, ES_OK);
    assert_int_equal(v, ES_VERDICT_TOTAL_PASSED);
    print_message("peak library memory: signing %zu bytes, verifying %zu bytes (entry of %zu)\n",
                  sign_peak, verify_peak, big);
    assert_true(sign_peak < (size_t)4 * 1024 * 1024);
    assert_true(verify_peak < (size_t)4 * 1024 * 1024);
    t_ident_free(&id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_zip),       cmocka_unit_test(test_names),
        cmocka_unit_test(test_duplicates),    cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_zip_bombs),     cmocka_unit_test(test_entry_integrity),
        cmocka_unit_test(test_xml),           cmocka_unit_test(test_xml_in_signature),
        cmocka_unit_test(test_mutations),     cmocka_unit_test(test_streaming_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
