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
