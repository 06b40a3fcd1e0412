/*
 * tests/unit/ofd/ofd_testutil.h - helpers shared by the OFD unit tests
 * (header-only: every tests/unit/X_test.c is its own program): a small
 * unsigned OFD package written with libzip, entry access, tampering, and
 * the signer's identity from the throwaway PKI.
 */
#ifndef ES_OFD_TESTUTIL_H
#define ES_OFD_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "testlib.h"

#define T_NS "http://www.ofdspec.org/2016"

static inline double fabs_(double v) { return v < 0 ? -v : v; }
#define fabs fabs_

struct t_file {
    const char *name;
    const char *data; /* NULL: use bin/len */
    const uint8_t *bin;
    size_t len;
    bool store;       /* stored, not deflated */
};

/* Writes a ZIP with the given files (in order); fails the test on error. */
static inline void t_zip_write(const char *path, const struct t_file *f, size_t n)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        const void *p = f[i].data ? (const void *)f[i].data : (const void *)f[i].bin;
        size_t l = f[i].data ? strlen(f[i].data) : f[i].len;
        size_t nl = strlen(f[i].name);
        zip_int64_t idx;
        if (nl && f[i].name[nl - 1] == '/') {
            idx = zip_dir_add(z, f[i].name, 0);
        } else {
            zip_source_t *s = zip_source_buffer(z, p, l, 0);
            assert_non_null(s);
            idx = zip_file_add(z, f[i].name, s, 0);
            assert_true(idx >= 0);
            assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)idx,
                                                      f[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                                      0),
                             0);
        }
        assert_true(idx >= 0);
        zip_file_set_mtime(z, (zip_uint64_t)idx, (time_t)1600000000, 0);
    }
    assert_int_equal(zip_close(z), 0);
}

/* A plain unsigned OFD of n_pages A4 pages; page 1 carries "合同编号" and
 * "甲方（盖章）", page 2 "乙方（盖章）", every page "第N页". */
static inline void t_make_ofd(const char *path, int n_pages)
{
    static char ofd[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<ofd:OFD xmlns:ofd=\"" T_NS "\" Version=\"1.1\" DocType=\"OFD\">\n"
        "  <ofd:DocBody>\n"
        "    <ofd:DocInfo><ofd:DocID>0123456789abcdef</ofd:DocID>"
        "<ofd:Title>测试合同</ofd:Title></ofd:DocInfo>\n"
        "    <ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>\n"
        "  </ofd:DocBody>\n"
        "</ofd:OFD>\n";
    char doc[8192];
    int o = snprintf(doc, sizeof(doc),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<ofd:Document xmlns:ofd=\"" T_NS "\">\n"
                     "  <ofd:CommonData><ofd:MaxUnitID>%d</ofd:MaxUnitID>\n"
                     "    <ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
                     "</ofd:PageArea>\n"
                     "    <ofd:PublicRes>PublicRes.xml</ofd:PublicRes>\n"
                     "  </ofd:CommonData>\n  <ofd:Pages>\n",
                     100 + n_pages * 10);
    for (int i = 0; i < n_pages; i++) {
        o += snprintf(doc + o, sizeof(doc) - (size_t)o,
                      "    <ofd:Page ID=\"%d\" BaseLoc=\"Pages/Page_%d/Content.xml\"/>\n",
                      10 + i * 10, i);
    }
    snprintf(doc + o, sizeof(doc) - (size_t)o, "  </ofd:Pages>\n</ofd:Document>\n");
    static const char pub[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<ofd:Res xmlns:ofd=\"" T_NS "\" BaseLoc=\"Res\">"
                              "<ofd:Fonts><ofd:Font ID=\"2\" FontName=\"宋体\"/></ofd:Fonts>"
                              "</ofd:Res>\n";
    static char pages[16][2048];
    static char names[16][64];
    static const uint8_t img[64] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 7, 7, 7};
    struct t_file f[24];
    size_t n = 0;
    f[n++] = (struct t_file){"OFD.xml", ofd, NULL, 0, false};
    f[n++] = (struct t_file){"Doc_0/", "", NULL, 0, false};
    f[n++] = (struct t_file){"Doc_0/Document.xml", doc, NULL, 0, false};
    f[n++] = (struct t_file){"Doc_0/PublicRes.xml", pub, NULL, 0, false};
    f[n++] = (struct t_file){"Doc_0/Res/logo.png", NULL, img, sizeof(img), true};
    for (int i = 0; i < n_pages && i < 16; i++) {
        const char *extra = i == 0   ? "<ofd:TextObject ID=\"5\" Boundary=\"20 30 60 10\" "
                                       "Font=\"2\" Size=\"5\"><ofd:TextCode X=\"0\" Y=\"5\" "
                                       "DeltaX=\"g 3 5\">合同编号</ofd:TextCode></ofd:TextObject>"
                                       "<ofd:TextObject ID=\"6\" Boundary=\"120 200 60 10\" "
                                       "Font=\"2\" Size=\"5\"><ofd:TextCode X=\"0\" Y=\"5\" "
                                       "DeltaX=\"g 5 5\">甲方（盖章）</ofd:TextCode>"
                                       "</ofd:TextObject>"
                            : i == 1 ? "<ofd:PageBlock><ofd:TextObject ID=\"7\" Boundary=\"20 "
                                       "200 60 10\" Font=\"2\" Size=\"4\" CTM=\"1 0 0 1 0 0\">"
                                       "<ofd:TextCode X=\"0\" Y=\"4\" DeltaX=\"4 4 4 4 4\">"
                                       "乙方（盖章）</ofd:TextCode></ofd:TextObject>"
                                       "</ofd:PageBlock>"
                                     : "";
        snprintf(pages[i], sizeof(pages[i]),
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<ofd:Page xmlns:ofd=\"" T_NS "\">\n"
                 "  <ofd:Content><ofd:Layer ID=\"%d\">%s"
                 "<ofd:TextObject ID=\"%d\" Boundary=\"95 280 20 6\" Font=\"2\" Size=\"4\">"
                 "<ofd:TextCode X=\"0\" Y=\"4\" DeltaX=\"4 4\">第%d页</ofd:TextCode>"
                 "</ofd:TextObject></ofd:Layer></ofd:Content>\n</ofd:Page>\n",
                 3 + i, extra, 50 + i, i + 1);
        snprintf(names[i], sizeof(names[i]), "Doc_0/Pages/Page_%d/Content.xml", i);
        f[n++] = (struct t_file){names[i], pages[i], NULL, 0, false};
    }
    t_zip_write(path, f, n);
}

/* An entry's content (owned, es_free) or NULL when absent. */
static inline uint8_t *t_zip_get(const char *path, const char *name, size_t *len)
{
    int err = 0;
    *len = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    assert_non_null(z);
    zip_stat_t st;
    uint8_t *p = NULL;
    if (zip_stat(z, name, 0, &st) == 0) {
        zip_file_t *f = zip_fopen(z, name, 0);
        assert_non_null(f);
        p = es_malloc(st.size + 1);
        assert_non_null(p);
        assert_int_equal(zip_fread(f, p, st.size), (zip_int64_t)st.size);
        p[st.size] = '\0';
        zip_fclose(f);
        *len = st.size;
    }
    zip_close(z);
    return p;
}

/* Replaces (or adds) one entry in place. */
static inline void t_zip_put(const char *path, const char *name, const void *p, size_t len)
{
    int err = 0;
    zip_t *z = zip_open(path, 0, &err);
    assert_non_null(z);
    void *copy = malloc(len ? len : 1);
    memcpy(copy, p, len);
    zip_source_t *s = zip_source_buffer(z, copy, len, 1);
    assert_non_null(s);
    assert_true(zip_file_add(z, name, s, ZIP_FL_OVERWRITE) >= 0);
    assert_int_equal(zip_close(z), 0);
}

/* Copies a file. */
static inline void t_copy(const char *from, const char *to)
{
    size_t n = 0;
    uint8_t *p = t_read_file(from, &n);
    assert_int_equal(es_file_write(NULL, to, p, n, 0644), ES_OK);
    es_free(p);
}

static inline const char *t_path(const char *name)
{
    static char buf[8][512];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, sizeof(buf[0]), "%s/%s", t_tmpdir(), name);
    return b;
}

/* The owner's key and certificate, and a seal for them valid around now. */
struct t_ident {
    es_key *key;
    es_cert *cert;
    uint8_t *seal;
    size_t seal_len;
};

static inline void t_ident_load(struct t_ident *id)
{
    es_key *mk = NULL;
    es_cert *mc = NULL;
    t_load_identity("maker", &mk, &mc);
    t_load_identity("owner", &id->key, &id->cert);
    int64_t now = (int64_t)time(NULL);
    id->seal = t_make_seal(mk, mc, id->cert, now - 86400, now + 20 * 86400, &id->seal_len);
    es_key_free(mk);
    es_cert_free(mc);
}

static inline void t_ident_free(struct t_ident *id)
{
    es_key_free(id->key);
    es_cert_free(id->cert);
    es_free(id->seal);
}

/* Verifies a package file with --no-chain semantics. */
static inline es_report *t_verify(const char *path)
{
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    es_ctx *ctx = es_ctx_new();
    int rc = es_ofd_verify_file(ctx, &o, NULL, path, &r);
    if (rc != ES_OK) {
        fail_msg("verify %s: %s", path, es_ctx_errmsg(ctx));
    }
    es_ctx_free(ctx);
    return r;
}

/* The result and reason of check `id` of entry i; false if absent. */
static inline bool t_check(const es_report *r, size_t i, const char *id, es_check_result *res,
                           const char **reason, const char **detail)
{
    if (res) {
        *res = ES_CHECK_LAST_;
    }
    if (reason) {
        *reason = "";
    }
    if (detail) {
        *detail = "";
    }
    for (size_t j = 0; j < es_report_check_count(r, i); j++) {
        const char *cid, *rs, *dt;
        es_check_result cr;
        assert_int_equal(es_report_check(r, i, j, &cid, &cr, &rs, &dt), ES_OK);
        if (strcmp(cid, id) == 0) {
            if (res) {
                *res = cr;
            }
            if (reason) {
                *reason = rs;
            }
            if (detail) {
                *detail = dt;
            }
            return true;
        }
    }
    return false;
}

#endif
