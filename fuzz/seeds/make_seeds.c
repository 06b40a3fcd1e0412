/*
 * fuzz/seeds/make_seeds.c - writes the seed corpus of a fuzz target:
 * seals and signatures eseal makes itself (v4), plus the standalone files of
 * ../shared/testdata when present (read there, never copied into the tree).
 * usage: fuzz_seeds TARGET OUTDIR [TESTDATA_DIR]
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "eseal/eseal.h"

static void put(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
}

static bool want(const char *target, const char *file)
{
    const char *dot = strrchr(file, '.');
    if (!dot) {
        return false;
    }
    if (strstr(target, "ofd")) {
        return strcmp(dot, ".ofd") == 0;
    }
    return strcmp(dot, ".esl") == 0 || strcmp(dot, ".dat") == 0 || strcmp(dot, ".DER") == 0;
}

static void copy_testdata(const char *target, const char *out, const char *root)
{
    static const char *subs[] = {"ofdrw", "easyofd", "ofd.js"};
    for (size_t s = 0; s < 3; s++) {
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/%s", root, subs[s]);
        DIR *d = opendir(dir);
        if (!d) {
            continue;
        }
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (!want(target, de->d_name)) {
                continue;
            }
            char path[2048];
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            uint8_t *p = NULL;
            size_t n = 0;
            if (es_file_read_all(NULL, path, 256 * 1024, &p, &n) == ES_OK) {
                put(out, de->d_name, p, n);
                es_free(p);
            }
        }
        closedir(d);
    }
}

/* PDF seeds: a plain one-page document and the same document sealed (SES,
 * page stamp), both with an xref table. */
static void pdf_seeds(const char *dir, const uint8_t *seal, size_t seal_len, const es_key *k,
                      const es_cert *c)
{
    static const char *objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
        "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
        "<< /Length 15 >>\nstream\nBT (seed) Tj ET\nendstream"};
    char buf[2048];
    size_t offs[4], n = (size_t)snprintf(buf, sizeof(buf), "%%PDF-1.7\n");
    for (size_t i = 0; i < 4; i++) {
        offs[i] = n;
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%zu 0 obj\n%s\nendobj\n", i + 1,
                              objs[i]);
    }
    size_t x = n;
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "xref\n0 5\n0000000000 65535 f\r\n");
    for (size_t i = 0; i < 4; i++) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%010zu 00000 n\r\n", offs[i]);
    }
    n += (size_t)snprintf(buf + n, sizeof(buf) - n,
                          "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", x);
    put(dir, "plain.pdf", (const uint8_t *)buf, n);
    char in[1024], out[1024];
    snprintf(in, sizeof(in), "%s/plain.pdf", dir);
    snprintf(out, sizeof(out), "%s/sealed.pdf", dir);
    es_pdf_position pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 10, .y_mm = 10};
    es_pdf_sign_params sp = {.seal = seal, .seal_len = seal_len, .key = k, .cert = c,
                             .positions = &pos, .n_positions = 1, .reserve = 4096};
    if (es_pdf_sign(NULL, &sp, in, out) != ES_OK) {
        fprintf(stderr, "pdf seed: signing failed\n");
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s TARGET OUTDIR [TESTDATA]\n", argv[0]);
        return 2;
    }
    if (argc > 3) {
        copy_testdata(argv[1], argv[2], argv[3]);
    }
    if (strstr(argv[1], "ofd")) {
        return 0;
    }
    if (strstr(argv[1], "image")) {
        /* a drawn seal of each shape, small */
        for (int shape = 0; shape < 3; shape++) {
            es_seal_image_spec sp = {.shape = (es_seal_shape)shape, .name = "种子单位",
                                     .kind = shape == 2 ? NULL : "合同专用章", .dpi = 60};
            uint8_t *img = NULL;
            size_t n = 0;
            for (int fmt = 0; fmt < 2; fmt++) {
                if (es_seal_image_render(NULL, &sp, (es_image_format)fmt, &img, &n) == ES_OK) {
                    char name[32];
                    snprintf(name, sizeof(name), "seal%d.%s", shape, fmt ? "svg" : "png");
                    put(argv[2], name, img, n);
                    es_free(img);
                }
            }
        }
        return 0;
    }
    es_key *k = NULL;
    es_cert *c = NULL;
    int64_t now = (int64_t)time(NULL);
    struct es_cert_spec spec = {"/C=CN/CN=fuzz seed", now - 10, now + 86400 * 30, false, true,
                                false};
    if (es_key_generate(NULL, &k) != ES_OK || es_is_err(es_cert_build(&spec, k, k, NULL, &c))) {
        return 1;
    }
    /* a valid 2x2 PNG in seal red */
    static const uint8_t png[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00, 0x72, 0xb6, 0x0d, 0x24, 0x00, 0x00, 0x00, 0x11, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x78, 0xc6, 0x20, 0xf4, 0x1f, 0x84, 0x19, 0x60, 0x0c, 0x00, 0x46, 0x14, 0x07, 0xdd, 0xe5, 0xb4, 0xff, 0x47, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    const es_cert *certs[1] = {c};
    es_seal_params p = {.name = "种子印章", .type = 1, .signer_certs = certs, .n_signer_certs = 1,
                        .valid_end = now + 86400, .picture = png, .picture_len = sizeof(png)};
    uint8_t *seal = NULL, *sig = NULL;
    size_t seal_len = 0, sig_len = 0;
    if (es_seal_make(NULL, &p, k, c, &seal, &seal_len) == ES_OK) {
        put(argv[2], "eseal-v4.esl", seal, seal_len);
        if (strstr(argv[1], "pdf")) {
            pdf_seeds(argv[2], seal, seal_len, k, c);
        }
        if (es_sign_data(NULL, seal, seal_len, k, c, (const uint8_t *)"data", 4, "data.txt", &sig,
                         &sig_len) == ES_OK) {
            put(argv[2], "eseal-v4.sig", sig, sig_len);
        }
    }
    es_bytes der = es_cert_der(c);
    put(argv[2], "cert.der", der.ptr, der.len);
    es_free(seal);
    es_free(sig);
    es_key_free(k);
    es_cert_free(c);
    return 0;
}
