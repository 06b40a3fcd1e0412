/*
 * tests/unit/ofd/ofd_sign_test.c - es_ofd_sign round trips: a stamp by
 * page, by keyword and riding; two successive signatures; the locking mode
 * and the refusal that follows; tampering detected and named; the package
 * structure the signing profile requires (ofd-signature.md §5.4) checked
 * element by element; untouched entries copied byte for byte; the seal and
 * the signature value written stored (not deflated); verifying inflates
 * every ZIP entry at most once.
 */
#include "ofd_testutil.h"

#include "doc/ofd/ofd_sign_int.h"
#include "doc/ofd/ofd_verify_int.h"
#include "verify/report_int.h"

static struct t_ident g_id;

static int setup(void **state)
{
    (void)state;
    t_ident_load(&g_id);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_ident_free(&g_id);
    return 0;
}

static int sign(const char *in, const char *out, const es_ofd_position *pos, size_t n, int lock)
{
    es_ofd_sign_params p = {.seal = g_id.seal,
                            .seal_len = g_id.seal_len,
                            .key = g_id.key,
                            .cert = g_id.cert,
                            .positions = pos,
                            .n_positions = n,
                            .lock = lock};
    es_ctx *ctx = es_ctx_new();
    int rc = es_ofd_sign(ctx, &p, in, out);
    if (rc != ES_OK) {
        print_message("es_ofd_sign: %s\n", es_ctx_errmsg(ctx));
    }
    es_ctx_free(ctx);
    return rc;
}

static void want_check(const es_report *r, size_t i, const char *id, es_check_result want)
{
    es_check_result got;
    const char *reason, *detail;
    if (!t_check(r, i, id, &got, &reason, &detail)) {
        fail_msg("entry %zu has no check %s", i, id);
    }
    if (got != want) {
        fail_msg("entry %zu check %s: %s (%s: %s), expected %s", i, id,
                 es_check_result_name(got), reason, detail, es_check_result_name(want));
    }
}

/* The parsed Signature.xml of Sign_k in a package. */
static void read_desc(const char *pkg, const char *name, struct es_ofd_sigdesc *d,
                      uint8_t **raw, size_t *raw_len)
{
    *raw = t_zip_get(pkg, name, raw_len);
    assert_non_null(*raw);
    bool refused;
    es_result r = es_ofd_sigdesc_parse(*raw, *raw_len, name, NULL, d, &refused);
    if (es_is_err(r)) {
        fail_msg("%s: %s", name, es_error_detail());
    }
}

static bool has_ref(const struct es_ofd_sigdesc *d, const char *abs)
{
    for (size_t i = 0; i < d->n_refs; i++) {
        if (strcmp(d->refs[i].file_ref, abs) == 0) {
            return true;
        }
    }
    return false;
}

static void test_not_signed(void **state)
{
    (void)state;
    const char *in = t_path("plain.ofd");
    t_make_ofd(in, 3);
    es_report *r = t_verify(in);
    assert_int_equal(es_report_count(r), 0);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    assert_string_equal(r->reason, "NOT_SIGNED");
    es_report_free(r);
}

static void test_sign_page_profile(void **state)
{
    (void)state;
    const char *in = t_path("p1.ofd"), *out = t_path("p1-signed.ofd");
    t_make_ofd(in, 3);
    size_t in_len0;
    uint8_t *in0 = t_read_file(in, &in_len0);
    es_ofd_position pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 20, .y_mm = 30};
    assert_int_equal(sign(in, out, &pos, 1, 0), ES_OK);

    /* the input is untouched */
    size_t in_len1;
    uint8_t *in1 = t_read_file(in, &in_len1);
    assert_int_equal(in_len0, in_len1);
    assert_memory_equal(in0, in1, in_len0);
    es_free(in0);
    es_free(in1);

    es_report *r = t_verify(out);
    assert_int_equal(es_report_count(r), 1);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    assert_string_equal(r->entries[0]->id, "s001");
    want_check(r, 0, "ofd_structure", ES_CHECK_PASSED);
    want_check(r, 0, "references", ES_CHECK_PASSED);
    want_check(r, 0, "coverage", ES_CHECK_PASSED);
    want_check(r, 0, "seal_file", ES_CHECK_PASSED);
    want_check(r, 0, "stamp_annot", ES_CHECK_PASSED);
    want_check(r, 0, "data_hash", ES_CHECK_PASSED);
    want_check(r, 0, "signature", ES_CHECK_PASSED);
    /* the OFD checks come before the SES checks */
    const char *first;
    assert_int_equal(es_report_check(r, 0, 0, &first, NULL, NULL, NULL), ES_OK);
    assert_string_equal(first, "ofd_structure");
    es_report_free(r);

    /* OFD.xml: DocBody/Signatures added as the last child, absolute path */
    size_t n;
    uint8_t *main = t_zip_get(out, "OFD.xml", &n);
    xmlDoc *x = NULL;
    bool refused;
    assert_true(es_is_ok(es_ofd_xml_parse(main, n, "OFD.xml", NULL, &x, &refused)));
    xmlNode *body = es_ofd_xml_child(xmlDocGetRootElement(x), "DocBody");
    xmlNode *last = NULL;
    for (xmlNode *c = body->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            last = c;
        }
    }
    assert_true(es_ofd_xml_is(last, "Signatures"));
    assert_non_null(last->ns);
    assert_string_equal((const char *)last->ns->href, T_NS);
    char *t = es_ofd_xml_text(last);
    assert_string_equal(t, "/Doc_0/Signs/Signatures.xml");
    es_free(t);
    xmlFreeDoc(x);
    es_free(main);

    /* Signatures.xml: MaxSignId, one Seal entry, absolute BaseLoc */
    uint8_t *lst = t_zip_get(out, "Doc_0/Signs/Signatures.xml", &n);
    assert_non_null(lst);
    struct es_ofd_siglist l;
    assert_true(es_is_ok(es_ofd_siglist_parse(lst, n, "Doc_0/Signs/Signatures.xml", NULL, &l,
                                              &refused)));
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].id, "s001");
    assert_string_equal(l.v[0].type, "Seal");
    assert_string_equal(l.v[0].base_loc, "/Doc_0/Signs/Sign_0/Signature.xml");
    assert_int_equal(l.max_id, 2);
    assert_int_equal(l.n_max, 1);
    es_ofd_siglist_free(&l);
    assert_non_null(strstr((const char *)lst, "<ofd:MaxSignId>s002</ofd:MaxSignId>"));
    es_free(lst);

    /* Signature.xml: schema order, OIDs, absolute paths, References */
    struct es_ofd_sigdesc d;
    uint8_t *sx;
    size_t sx_len;
    read_desc(out, "Doc_0/Signs/Sign_0/Signature.xml", &d, &sx, &sx_len);
    assert_false(d.order_quirk);
    assert_string_equal(d.provider, "eseal");
    assert_string_equal(d.sig_method, "1.2.156.10197.1.501");
    assert_string_equal(d.check_method, "1.2.156.10197.1.401");
    assert_int_equal(strlen(d.sig_time), 15);
    assert_int_equal(d.sig_time[14], 'Z');
    assert_string_equal(d.value_loc, "/Doc_0/Signs/Sign_0/SignedValue.dat");
    assert_string_equal(d.seal_loc, "/Doc_0/Signs/Sign_0/Seal.esl");
    assert_true(has_ref(&d, "/OFD.xml"));
    assert_true(has_ref(&d, "/Doc_0/Document.xml"));
    assert_true(has_ref(&d, "/Doc_0/Res/logo.png"));
    assert_true(has_ref(&d, "/Doc_0/Signs/Sign_0/Seal.esl"));
    assert_false(has_ref(&d, "/Doc_0/Signs/Signatures.xml"));
    assert_false(has_ref(&d, "/Doc_0/Signs/Sign_0/Signature.xml"));
    assert_false(has_ref(&d, "/Doc_0/Signs/Sign_0/SignedValue.dat"));
    assert_int_equal(d.n_refs, 8); /* OFD, Document, PublicRes, logo, 3 pages, Seal.esl */
    for (size_t i = 0; i < d.n_refs; i++) {
        assert_int_equal(d.refs[i].file_ref[0], '/');
        assert_int_equal(d.refs[i].value_len, 32);
        if (i > 0) {
            assert_true(strcmp(d.refs[i - 1].file_ref, d.refs[i].file_ref) < 0);
        }
    }
    assert_int_equal(d.n_stamps, 1);
    assert_string_equal(d.stamps[0].id, "s002");
    assert_string_equal(d.stamps[0].page_ref, "10");
    assert_true(d.stamps[0].boundary_ok);
    assert_true(d.stamps[0].boundary[0] == 20 && d.stamps[0].boundary[1] == 30 &&
                d.stamps[0].boundary[2] == 40 && d.stamps[0].boundary[3] == 40);
    assert_false(d.stamps[0].has_clip);
    /* raw schema order of SignedInfo's children and the namespace prefix */
    const char *order[] = {"<ofd:Provider ", "<ofd:SignatureMethod>", "<ofd:SignatureDateTime>",
                           "<ofd:References ", "<ofd:StampAnnot ", "<ofd:Seal>",
                           "</ofd:SignedInfo>", "<ofd:SignedValue>"};
    const char *prev = (const char *)sx;
    for (size_t i = 0; i < 8; i++) {
        const char *at = strstr((const char *)sx, order[i]);
        assert_non_null(at);
        assert_true(at >= prev);
        prev = at;
    }
    es_ofd_sigdesc_free(&d);

    /* SignedValue: dataHash = SM3(Signature.xml), propertyInfo = its path */
    uint8_t *sv = t_zip_get(out, "Doc_0/Signs/Sign_0/SignedValue.dat", &n);
    es_signature *g = NULL;
    assert_int_equal(es_signature_decode(NULL, sv, n, &g), ES_OK);
    uint8_t h[32];
    es_sm3(sx, sx_len, h);
    es_bytes dh = es_signature_data_hash(g);
    assert_int_equal(dh.len, 32);
    assert_memory_equal(dh.ptr, h, 32);
    assert_string_equal(es_signature_property_info(g), "/Doc_0/Signs/Sign_0/Signature.xml");
    /* Seal.esl is the seal, byte for byte, as embedded */
    size_t sl;
    uint8_t *seal = t_zip_get(out, "Doc_0/Signs/Sign_0/Seal.esl", &sl);
    assert_int_equal(sl, g_id.seal_len);
    assert_memory_equal(seal, g_id.seal, sl);
    es_bytes emb = es_seal_der(es_signature_seal(g));
    assert_int_equal(emb.len, sl);
    assert_memory_equal(emb.ptr, seal, sl);
    es_free(seal);
    es_signature_free(g);
    es_free(sv);
    es_free(sx);

    /* the same from memory */
    uint8_t *pkg = t_read_file(out, &n);
    es_verify_opts o = {.no_chain = 1};
    assert_int_equal(es_ofd_verify(NULL, &o, pkg, n, &r), ES_OK);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    es_free(pkg);
}

/* Every entry of `in` other than `changed` is in `out` with the same
 * compressed bytes, method, CRC and time. */
static void expect_copied(const char *in, const char *out, const char *changed)
{
    int err;
    zip_t *a = zip_open(in, ZIP_RDONLY, &err), *b = zip_open(out, ZIP_RDONLY, &err);
    assert_non_null(a);
    assert_non_null(b);
    zip_int64_t na = zip_get_num_entries(a, 0);
    size_t checked = 0;
    for (zip_int64_t i = 0; i < na; i++) {
        zip_stat_t sa, sb;
        assert_int_equal(zip_stat_index(a, (zip_uint64_t)i, 0, &sa), 0);
        if (changed && strcmp(sa.name, changed) == 0) {
            continue;
        }
        assert_int_equal(zip_stat(b, sa.name, 0, &sb), 0);
        assert_int_equal(sa.comp_method, sb.comp_method);
        assert_int_equal(sa.comp_size, sb.comp_size);
        assert_int_equal(sa.size, sb.size);
        assert_int_equal(sa.crc, sb.crc);
        assert_int_equal((long long)sa.mtime, (long long)sb.mtime);
        if (sa.comp_size) {
            uint8_t *pa = malloc(sa.comp_size), *pb = malloc(sb.comp_size);
            zip_file_t *fa = zip_fopen_index(a, (zip_uint64_t)i, ZIP_FL_COMPRESSED);
            zip_file_t *fb = zip_fopen_index(b, (zip_uint64_t)sb.index, ZIP_FL_COMPRESSED);
            assert_int_equal(zip_fread(fa, pa, sa.comp_size), (zip_int64_t)sa.comp_size);
            assert_int_equal(zip_fread(fb, pb, sb.comp_size), (zip_int64_t)sb.comp_size);
            assert_memory_equal(pa, pb, sa.comp_size);
            zip_fclose(fa);
            zip_fclose(fb);
            free(pa);
            free(pb);
        }
        checked++;
    }
    assert_true(checked > 0);
    zip_close(a);
    zip_close(b);
}

static void test_byte_copy(void **state)
{
    (void)state;
    const char *in = t_path("c.ofd"), *out = t_path("c-signed.ofd"), *out2 = t_path("c2.ofd");
    t_make_ofd(in, 2);
    es_ofd_position pos = {.kind = ES_OFD_POS_PAGE, .page = 2, .x_mm = 100, .y_mm = 100};
    assert_int_equal(sign(in, out, &pos, 1, 0), ES_OK);
    expect_copied(in, out, "OFD.xml");
    /* a stored entry stays stored */
    int err;
    zip_t *z = zip_open(out, ZIP_RDONLY, &err);
    zip_stat_t st;
    assert_int_equal(zip_stat(z, "Doc_0/Res/logo.png", 0, &st), 0);
    assert_int_equal(st.comp_method, ZIP_CM_STORE);
    zip_close(z);
    /* a second signature changes nothing but the list */
    assert_int_equal(sign(out, out2, &pos, 1, 0), ES_OK);
    expect_copied(out, out2, "Doc_0/Signs/Signatures.xml");
}

static void test_keyword(void **state)
{
    (void)state;
    const char *in = t_path("k.ofd"), *out = t_path("k-signed.ofd");
    t_make_ofd(in, 3);
    es_ofd_position pos[3] = {
        {.kind = ES_OFD_POS_KEYWORD, .keyword = "甲方（盖章）", .occurrence = 1},
        {.kind = ES_OFD_POS_KEYWORD, .keyword = "盖章", .occurrence = 2, .w_mm = 30, .h_mm = 30},
        {.kind = ES_OFD_POS_KEYWORD, .keyword = "页", .occurrence = 0},
    };
    assert_int_equal(sign(in, out, pos, 3, 0), ES_OK);
    struct es_ofd_sigdesc d;
    uint8_t *sx;
    size_t sl;
    read_desc(out, "Doc_0/Signs/Sign_0/Signature.xml", &d, &sx, &sl);
    assert_int_equal(d.n_stamps, 5);
    /* 甲方（盖章）: 6 glyphs of 5 mm from (120, 200), centred: (135, 202.5) */
    assert_string_equal(d.stamps[0].page_ref, "10");
    assert_true(d.stamps[0].boundary[0] == 115 && d.stamps[0].boundary[1] == 182.5);
    /* second 盖章 is page 2's 乙方（盖章）, 4 mm glyphs from (20, 200): chars 3-4 */
    assert_string_equal(d.stamps[1].page_ref, "20");
    assert_true(d.stamps[1].boundary[0] == 20 + 12 + 4 - 15);
    assert_true(d.stamps[1].boundary[2] == 30);
    /* 页 on every page */
    assert_string_equal(d.stamps[2].page_ref, "10");
    assert_string_equal(d.stamps[3].page_ref, "20");
    assert_string_equal(d.stamps[4].page_ref, "30");
    es_ofd_sigdesc_free(&d);
    es_free(sx);
    es_report *r = t_verify(out);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);

    es_ofd_position bad = {.kind = ES_OFD_POS_KEYWORD, .keyword = "不存在的文字", .occurrence = 1};
    assert_int_equal(sign(in, t_path("k-bad.ofd"), &bad, 1, 0), ES_ERR_USAGE_ARG);
    es_ofd_position many = {.kind = ES_OFD_POS_KEYWORD, .keyword = "合同", .occurrence = 2};
    assert_int_equal(sign(in, t_path("k-bad.ofd"), &many, 1, 0), ES_ERR_USAGE_ARG);
    assert_int_equal(access(t_path("k-bad.ofd"), F_OK), -1);
}

static void test_riding(void **state)
{
    (void)state;
    const char *in = t_path("r.ofd"), *out = t_path("r-signed.ofd");
    t_make_ofd(in, 4);
    es_ofd_position pos = {.kind = ES_OFD_POS_RIDING, .first_page = 2, .last_page = 4};
    assert_int_equal(sign(in, out, &pos, 1, 0), ES_OK);
    struct es_ofd_sigdesc d;
    uint8_t *sx;
    size_t sl;
    read_desc(out, "Doc_0/Signs/Sign_0/Signature.xml", &d, &sx, &sl);
    assert_int_equal(d.n_stamps, 3);
    const char *pages[3] = {"20", "30", "40"};
    double strip = 40.0 / 3;
    for (size_t i = 0; i < 3; i++) {
        const struct es_ofd_stamp *s = &d.stamps[i];
        assert_string_equal(s->page_ref, pages[i]);
        /* Boundary = (PW - s(i+1), PH/2 - H/2, W, H), Clip = (s i, 0, s, H) */
        assert_true(fabs(s->boundary[0] - (210 - strip * (double)(i + 1))) < 0.001);
        assert_true(fabs(s->boundary[1] - (297.0 / 2 - 20)) < 0.001);
        assert_true(s->boundary[2] == 40 && s->boundary[3] == 40);
        assert_true(s->has_clip && s->clip_ok);
        assert_true(fabs(s->clip[0] - strip * (double)i) < 0.001);
        assert_true(fabs(s->clip[2] - strip) < 0.001 && s->clip[3] == 40);
        /* strip i of the image lands on [PW - s, PW] of its page */
        assert_true(fabs(s->boundary[0] + s->clip[0] - (210 - strip)) < 0.002);
    }
    es_ofd_sigdesc_free(&d);
    es_free(sx);
    es_report *r = t_verify(out);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    want_check(r, 0, "stamp_annot", ES_CHECK_PASSED);
    es_report_free(r);

    es_ofd_position one = {.kind = ES_OFD_POS_RIDING, .first_page = 2, .last_page = 2};
    assert_int_equal(sign(in, t_path("r-bad.ofd"), &one, 1, 0), ES_ERR_USAGE_ARG);
    es_ofd_position far = {.kind = ES_OFD_POS_RIDING, .first_page = 1, .last_page = 9};
    assert_int_equal(sign(in, t_path("r-bad.ofd"), &far, 1, 0), ES_ERR_USAGE_ARG);
}

static void test_several_positions(void **state)
{
    (void)state;
    const char *in = t_path("m.ofd"), *out = t_path("m-signed.ofd");
    t_make_ofd(in, 3);
    es_ofd_position pos[3] = {
        {.kind = ES_OFD_POS_PAGE, .page = 3, .x_mm = 150, .y_mm = 240, .w_mm = 42, .h_mm = 42},
        {.kind = ES_OFD_POS_KEYWORD, .keyword = "乙方", .occurrence = 1},
        {.kind = ES_OFD_POS_RIDING},
    };
    assert_int_equal(sign(in, out, pos, 3, 0), ES_OK);
    struct es_ofd_sigdesc d;
    uint8_t *sx;
    size_t sl;
    read_desc(out, "Doc_0/Signs/Sign_0/Signature.xml", &d, &sx, &sl);
    assert_int_equal(d.n_stamps, 5);
    assert_string_equal(d.stamps[0].page_ref, "30");
    assert_true(d.stamps[0].boundary[2] == 42);
    /* IDs continue the signature's: s001 is the signature, s002..s006 the stamps */
    for (size_t i = 0; i < 5; i++) {
        char want[8];
        snprintf(want, sizeof(want), "s%03zu", i + 2);
        assert_string_equal(d.stamps[i].id, want);
    }
    es_ofd_sigdesc_free(&d);
    es_free(sx);
    es_report *r = t_verify(out);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
}

/* A 2-page package `base`.ofd signed on page 1 into o1, then on page 2 into o2. */
static void sign_twice(const char *base, const char *o1, const char *o2)
{
    char name[64];
    snprintf(name, sizeof(name), "%s.ofd", base);
    const char *in = t_path(name);
    t_make_ofd(in, 2);
    es_ofd_position p1 = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 10, .y_mm = 10};
    es_ofd_position p2 = {.kind = ES_OFD_POS_PAGE, .page = 2, .x_mm = 10, .y_mm = 10};
    assert_int_equal(sign(in, o1, &p1, 1, 0), ES_OK);
    assert_int_equal(sign(o1, o2, &p2, 1, 0), ES_OK);
}

static void test_two_signatures(void **state)
{
    (void)state;
    const char *o1 = t_path("t1.ofd"), *o2 = t_path("t2.ofd");
    sign_twice("t", o1, o2);
    es_report *r = t_verify(o2);
    assert_int_equal(es_report_count(r), 2);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    assert_string_equal(r->entries[0]->id, "s001");
    assert_string_equal(r->entries[1]->id, "s003");
    /* the first signature does not see the second one's files as unprotected */
    want_check(r, 0, "coverage", ES_CHECK_PASSED);
    want_check(r, 1, "coverage", ES_CHECK_PASSED);
    es_report_free(r);
    /* the second covers the first signature's files */
    struct es_ofd_sigdesc d;
    uint8_t *sx;
    size_t sl;
    read_desc(o2, "Doc_0/Signs/Sign_1/Signature.xml", &d, &sx, &sl);
    assert_true(has_ref(&d, "/Doc_0/Signs/Sign_0/Signature.xml"));
    assert_true(has_ref(&d, "/Doc_0/Signs/Sign_0/SignedValue.dat"));
    assert_true(has_ref(&d, "/Doc_0/Signs/Sign_0/Seal.esl"));
    assert_true(has_ref(&d, "/Doc_0/Signs/Sign_1/Seal.esl"));
    assert_true(has_ref(&d, "/OFD.xml"));
    assert_false(has_ref(&d, "/Doc_0/Signs/Signatures.xml"));
    assert_string_equal(d.stamps[0].id, "s004");
    es_ofd_sigdesc_free(&d);
    es_free(sx);
    /* OFD.xml is not touched again */
    size_t a, b;
    uint8_t *m1 = t_zip_get(o1, "OFD.xml", &a), *m2 = t_zip_get(o2, "OFD.xml", &b);
    assert_int_equal(a, b);
    assert_memory_equal(m1, m2, a);
    es_free(m1);
    es_free(m2);
    uint8_t *lst = t_zip_get(o2, "Doc_0/Signs/Signatures.xml", &a);
    assert_non_null(strstr((const char *)lst, "s004"));
    /* OFD 2.0 Relative: noted; the list is unprotected, the verdict stays */
    char *at = strstr((char *)lst, "ID=\"s003\"");
    assert_non_null(at);
    struct es_buf nb;
    es_buf_init(&nb, 0);
    assert_true(es_is_ok(es_buf_append(&nb, lst, (size_t)(at - (char *)lst))));
    assert_true(es_is_ok(es_buf_printf(&nb, "Relative=\"s001\" %s", at)));
    t_zip_put(o2, "Doc_0/Signs/Signatures.xml", nb.ptr, nb.len);
    es_buf_free(&nb);
    es_free(lst);
    r = t_verify(o2);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    bool rel = false;
    for (size_t i = 0; i < r->entries[1]->n_warn; i++) {
        rel |= strcmp(r->entries[1]->warn[i].code, "O-RELATIVE") == 0;
    }
    assert_true(rel);
    es_report_free(r);
}

static void test_lock(void **state)
{
    (void)state;
    const char *in = t_path("l.ofd"), *o1 = t_path("l1.ofd"), *o2 = t_path("l2.ofd");
    t_make_ofd(in, 2);
    es_ofd_position p = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 10, .y_mm = 10};
    assert_int_equal(sign(in, o1, &p, 1, 1), ES_OK);
    es_report *r = t_verify(o1);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    bool noted = false;
    for (size_t i = 0; i < r->entries[0]->n_warn; i++) {
        noted |= strcmp(r->entries[0]->warn[i].code, "O-LOCK") == 0;
    }
    assert_true(noted);
    es_report_free(r);
    struct es_ofd_sigdesc d;
    uint8_t *sx;
    size_t sl;
    read_desc(o1, "Doc_0/Signs/Sign_0/Signature.xml", &d, &sx, &sl);
    assert_true(has_ref(&d, "/Doc_0/Signs/Signatures.xml"));
    es_ofd_sigdesc_free(&d);
    es_free(sx);
    /* a later signature is refused, and no output appears */
    es_ofd_sign_params pp = {.seal = g_id.seal, .seal_len = g_id.seal_len, .key = g_id.key,
                             .cert = g_id.cert, .positions = &p, .n_positions = 1};
    es_ctx *ctx = es_ctx_new();
    assert_int_equal(es_ofd_sign(ctx, &pp, o1, o2), ES_ERR_POLICY);
    assert_non_null(strstr(es_ctx_errmsg(ctx), "locked"));
    es_ctx_free(ctx);
    assert_int_equal(access(o2, F_OK), -1);
}

static void test_tamper(void **state)
{
    (void)state;
    const char *in = t_path("x.ofd"), *out = t_path("x-signed.ofd");
    const char *bad = t_path("x-bad.ofd");
    t_make_ofd(in, 2);
    es_ofd_position p = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 10, .y_mm = 10};
    assert_int_equal(sign(in, out, &p, 1, 0), ES_OK);

    /* a page changed: references FAILED, naming the page */
    t_copy(out, bad);
    size_t n;
    uint8_t *pg = t_zip_get(bad, "Doc_0/Pages/Page_1/Content.xml", &n);
    uint8_t *twin = es_malloc(n + 1);
    memcpy(twin, pg, n);
    char *at = strstr((char *)twin, "第2页");
    assert_non_null(at);
    memcpy(at, "第9页", strlen("第9页"));
    t_zip_put(bad, "Doc_0/Pages/Page_1/Content.xml", twin, n);
    es_free(pg);
    es_free(twin);
    es_report *r = t_verify(bad);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    es_check_result cr;
    const char *reason, *detail;
    assert_true(t_check(r, 0, "references", &cr, &reason, &detail));
    assert_int_equal(cr, ES_CHECK_FAILED);
    assert_string_equal(reason, "REFERENCE_MISMATCH");
    assert_non_null(strstr(detail, "/Doc_0/Pages/Page_1/Content.xml"));
    assert_string_equal(es_report_entry_reason(r, 0), "REFERENCE_MISMATCH");
    want_check(r, 0, "data_hash", ES_CHECK_PASSED);
    es_report_free(r);

    /* Signature.xml changed: the SES data hash fails */
    t_copy(out, bad);
    uint8_t *sx = t_zip_get(bad, "Doc_0/Signs/Sign_0/Signature.xml", &n);
    at = strstr((char *)sx, "Boundary=\"10 10");
    assert_non_null(at);
    at[10] = '9';
    t_zip_put(bad, "Doc_0/Signs/Sign_0/Signature.xml", sx, n);
    es_free(sx);
    r = t_verify(bad);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_FAILED);
    want_check(r, 0, "references", ES_CHECK_PASSED);
    want_check(r, 0, "data_hash", ES_CHECK_FAILED);
    es_report_free(r);

    /* Seal.esl replaced: covered, and no longer the embedded seal */
    t_copy(out, bad);
    t_zip_put(bad, "Doc_0/Signs/Sign_0/Seal.esl", "not a seal", 10);
    r = t_verify(bad);
    want_check(r, 0, "references", ES_CHECK_FAILED);
    want_check(r, 0, "seal_file", ES_CHECK_FAILED);
    es_report_free(r);

    /* a protected file removed */
    t_copy(out, bad);
    int err;
    zip_t *z = zip_open(bad, 0, &err);
    assert_int_equal(zip_delete(z, (zip_uint64_t)zip_name_locate(z, "Doc_0/Res/logo.png", 0)),
                     0);
    assert_int_equal(zip_close(z), 0);
    r = t_verify(bad);
    assert_true(t_check(r, 0, "references", &cr, &reason, &detail));
    assert_string_equal(reason, "REFERENCE_MISSING");
    assert_non_null(strstr(detail, "/Doc_0/Res/logo.png"));
    es_report_free(r);

    /* a file added after signing: a coverage warning, not a failure */
    t_copy(out, bad);
    t_zip_put(bad, "Doc_0/Res/extra.png", "\x89PNG\r\n\x1a\n", 8);
    r = t_verify(bad);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    assert_true(t_check(r, 0, "coverage", &cr, &reason, &detail));
    assert_int_equal(cr, ES_CHECK_WARNING);
    assert_non_null(strstr(detail, "/Doc_0/Res/extra.png (image)"));
    es_report_free(r);
}

static void test_refusals(void **state)
{
    (void)state;
    const char *in = t_path("f.ofd"), *out = t_path("f-out.ofd");
    t_make_ofd(in, 1);
    es_ofd_position p = {.kind = ES_OFD_POS_PAGE, .page = 2, .x_mm = 1, .y_mm = 1};
    assert_int_equal(sign(in, out, &p, 1, 0), ES_ERR_USAGE_ARG); /* no page 2 */
    p.page = 1;
    assert_int_equal(sign(in, in, &p, 1, 0), ES_ERR_USAGE_ARG); /* output = input */
    /* a key that is not the certificate's */
    es_key *mk = NULL;
    es_cert *mc = NULL;
    t_load_identity("maker", &mk, &mc);
    es_ofd_sign_params pp = {.seal = g_id.seal, .seal_len = g_id.seal_len, .key = mk,
                             .cert = g_id.cert, .positions = &p, .n_positions = 1};
    assert_int_equal(es_ofd_sign(NULL, &pp, in, out), ES_ERR_POLICY_KEY_MISMATCH);
    /* a seal that expired */
    int64_t now = (int64_t)time(NULL);
    size_t ol;
    uint8_t *old = t_make_seal(mk, mc, g_id.cert, now - 30 * 86400, now - 86400, &ol);
    pp.key = g_id.key;
    pp.seal = old;
    pp.seal_len = ol;
    assert_int_equal(es_ofd_sign(NULL, &pp, in, out), ES_ERR_POLICY_SEAL_NOT_VALID);
    es_free(old);
    es_key_free(mk);
    es_cert_free(mc);
    assert_int_equal(access(out, F_OK), -1);
    /* not an OFD package */
    const char *junk = t_path("junk.ofd");
    assert_int_equal(es_file_write(NULL, junk, "hello", 5, 0644), ES_OK);
    assert_int_equal(sign(junk, out, &p, 1, 0), ES_ERR_FORMAT_TRUNCATED);
}

/* A legacy package with a GB18030 entry name (no UTF-8 flag): the name is
 * read as UTF-8 for FileRef and written back with its original bytes. */
static void test_gbk_name(void **state)
{
    (void)state;
    const char *in = t_path("g.ofd"), *out = t_path("g-signed.ofd");
    t_make_ofd(in, 1);
    int err;
    zip_t *z = zip_open(in, 0, &err);
    static const char gbk[] = "Doc_0/Res/\xd3\xa1\xd5\xc2.png"; /* 印章.png in GBK */
    zip_source_t *s = zip_source_buffer(z, "\x89PNG", 4, 0);
    assert_true(zip_file_add(z, gbk, s, ZIP_FL_ENC_CP437) >= 0);
    assert_int_equal(zip_close(z), 0);
    es_ofd_position p = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 10, .y_mm = 10};
    assert_int_equal(sign(in, out, &p, 1, 0), ES_OK);
    struct es_ofd_sigdesc d;
    uint8_t *sx;
    size_t sl;
    read_desc(out, "Doc_0/Signs/Sign_0/Signature.xml", &d, &sx, &sl);
    assert_true(has_ref(&d, "/Doc_0/Res/印章.png"));
    es_ofd_sigdesc_free(&d);
    es_free(sx);
    z = zip_open(out, ZIP_RDONLY, &err);
    bool found = false;
    for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); i++) {
        found |= strcmp(zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW), gbk) == 0;
    }
    assert_true(found);
    zip_close(z);
    es_report *r = t_verify(out);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
}

/* The ZIP compression method of an entry as the central directory says. */
static int method_of(const char *path, const char *name)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    assert_non_null(z);
    zip_stat_t st;
    zip_stat_init(&st);
    assert_int_equal(zip_stat(z, name, 0, &st), 0);
    assert_true(st.valid & ZIP_STAT_COMP_METHOD);
    zip_discard(z);
    return st.comp_method;
}

static void test_stored_entries(void **state)
{
    (void)state;
    const char *in = t_path("st.ofd"), *out = t_path("st-signed.ofd");
    t_make_ofd(in, 1);
    es_ofd_position pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 10, .y_mm = 10};
    assert_int_equal(sign(in, out, &pos, 1, 0), ES_OK);
    /* a seal and a signature value compress by ~2%: inflating them is wasted */
    assert_int_equal(method_of(out, "Doc_0/Signs/Sign_0/Seal.esl"), ZIP_CM_STORE);
    assert_int_equal(method_of(out, "Doc_0/Signs/Sign_0/SignedValue.dat"), ZIP_CM_STORE);
    /* XML still pays for deflate; copied entries keep their method */
    assert_int_equal(method_of(out, "Doc_0/Signs/Sign_0/Signature.xml"), ZIP_CM_DEFLATE);
    assert_int_equal(method_of(out, "Doc_0/Document.xml"), ZIP_CM_DEFLATE);
    assert_int_equal(method_of(out, "Doc_0/Res/logo.png"), ZIP_CM_STORE);
    es_report *r = t_verify(out);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    /* the rule itself: by name, then by what deflate saves on a sample */
    static uint8_t noise[4096], text[4096];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof(noise); i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        noise[i] = (uint8_t)x;
        text[i] = (uint8_t)("<ofd:Page/>\n"[i % 12]);
    }
    assert_int_equal(es_ofd_zip_method("a/Seal.esl", text, sizeof(text)), ZIP_CM_STORE);
    assert_int_equal(es_ofd_zip_method("a/B.JPG", text, sizeof(text)), ZIP_CM_STORE);
    assert_int_equal(es_ofd_zip_method("a/x.xml", text, sizeof(text)), ZIP_CM_DEFLATE);
    assert_int_equal(es_ofd_zip_method("a/x.xml", noise, sizeof(noise)), ZIP_CM_STORE);
    assert_int_equal(es_ofd_zip_method("a/x.xml", noise, 100), ZIP_CM_DEFLATE);
}

/* Verifying a package signed twice inflates each ZIP entry at most once:
 * the seal files are both References and compared whole, Signature.xml is
 * read to locate and again to verify, OFD.xml and Document.xml are parsed
 * and protected. */
static void test_reads_once(void **state)
{
    (void)state;
    const char *o2 = t_path("ro2.ofd");
    sign_twice("ro", t_path("ro1.ofd"), o2);
    struct es_ofd_pkg pkg;
    assert_true(es_is_ok(es_ofd_pkg_open_file(&pkg, o2, NULL)));
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    assert_true(es_is_ok(es_report_new(&o, &r)));
    if (es_is_err(es_ofd_verify_pkg(r, &o, ES_PROFILE_LENIENT, &pkg))) {
        fail_msg("verify: %s", es_error_detail());
    }
    es_report_finish(r);
    assert_int_equal(es_report_count(r), 2);
    assert_int_equal(es_report_verdict(r), ES_VERDICT_TOTAL_PASSED);
    es_report_free(r);
    size_t total = 0;
    for (size_t i = 0; i < pkg.n; i++) {
        if (pkg.memo.streams[i] > 1) {
            fail_msg("%s inflated %u times", pkg.e[i].name, (unsigned)pkg.memo.streams[i]);
        }
        total += pkg.memo.streams[i];
    }
    /* and nothing was skipped: every file entry was read or hashed */
    size_t files = 0;
    for (size_t i = 0; i < pkg.n; i++) {
        files += !pkg.e[i].is_dir;
    }
    assert_int_equal(total, files);
    es_ofd_pkg_close(&pkg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_signed),      cmocka_unit_test(test_sign_page_profile),
        cmocka_unit_test(test_byte_copy),       cmocka_unit_test(test_keyword),
        cmocka_unit_test(test_riding),          cmocka_unit_test(test_several_positions),
        cmocka_unit_test(test_two_signatures),  cmocka_unit_test(test_lock),
        cmocka_unit_test(test_tamper),          cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_gbk_name),        cmocka_unit_test(test_stored_entries),
        cmocka_unit_test(test_reads_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
