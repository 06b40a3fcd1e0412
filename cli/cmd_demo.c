/*
 * cli/cmd_demo.c - `eseal demo`: the guided tour that `make run` starts
 * until the platform exists: a throwaway PKI, a seal, a signed file, its
 * verification, a tampered copy and its verification.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

extern const uint8_t es_demo_png[];
extern const size_t es_demo_png_len;

static int run(const char *title, int argc, char **argv, int (*fn)(int, char **))
{
    printf("\n\033[1m== %s\033[0m\n$ eseal", title);
    for (int i = 0; i < argc; i++) {
        printf(" %s", argv[i]);
    }
    printf("\n");
    fflush(stdout);
    int rc = fn(argc, argv);
    fflush(stdout);
    return rc;
}

static char *path(const char *dir, const char *name)
{
    static char buf[64][512];
    static int k;
    char tmp[512];
    /* dir may itself be one of the buffers: format aside, then copy */
    snprintf(tmp, sizeof(tmp), "%s/%s", dir, name);
    char *b = buf[k++ & 63];
    memcpy(b, tmp, sizeof(tmp));
    return b;
}

int cmd_demo(int argc, char **argv)
{
    char tmpl[] = "/tmp/eseal-demo-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
    if (!dir) {
        return cli_usage("demo: cannot create a temporary directory");
    }
    printf("eseal demo in %s (passphrase \"demo\")\n", dir);
    char *pki = path(dir, "pki");
    char *a1[] = {"pki", "init", pki, "--pass", "demo"};
    if (run("1. A throwaway SM2 PKI: root CA, seal maker, seal owner", 5, a1, cmd_pki)) {
        return EXIT_INTERNAL;
    }
    /* a picture: drawn when this build can, else a built-in ring */
    es_ctx *ctx = es_ctx_new();
    uint8_t *png = NULL;
    size_t png_len = 0;
    char *pic = path(dir, "seal.png");
    if (cli_default_picture(ctx, "示例科技有限公司", 1, &png, &png_len) == ES_OK) {
        es_file_write(ctx, pic, png, png_len, 0644);
        es_free(png);
    } else {
        es_file_write(ctx, pic, es_demo_png, es_demo_png_len, 0644);
    }
    es_ctx_free(ctx);
    char *seal = path(dir, "company.esl");
    char *a2[] = {"seal", "make", "--maker-key", path(pki, "maker.key"), "--maker-cert",
                  path(pki, "maker.pem"), "--cert", path(pki, "owner.pem"), "--name",
                  "示例科技有限公司合同专用章", "--type", "1", "--valid-to", "+365",
                  "--picture", pic, "--pass", "demo", "-o", seal};
    if (run("2. The seal maker makes a GB/T 38540 seal for the owner", 20, a2, cmd_seal)) {
        return EXIT_INTERNAL;
    }
    char *doc = path(dir, "contract.txt");
    const char *text = "合同 / Contract No. 2026-001\nThe parties agree to the terms below.\n";
    FILE *f = fopen(doc, "w");
    if (!f) {
        return EXIT_INTERNAL;
    }
    fputs(text, f);
    fclose(f);
    char *sig = path(dir, "contract.txt.sig");
    char *a3[] = {"sign", doc, "--seal", seal, "--key", path(pki, "owner.key"), "--cert",
                  path(pki, "owner.pem"), "--pass", "demo", "-o", sig};
    if (run("3. The owner seals a contract (detached SES_Signature)", 12, a3, cmd_sign)) {
        return EXIT_INTERNAL;
    }
    char *a4[] = {"verify", sig, "--data", doc, "--trust", path(pki, "root-ca.pem")};
    int v1 = run("4. A relying party verifies it", 6, a4, cmd_verify);
    f = fopen(doc, "a");
    if (!f) {
        return EXIT_INTERNAL;
    }
    fputs("Amount: 1,000,000 (added after sealing)\n", f);
    fclose(f);
    int v2 = run("5. Someone edits the contract; verifying again", 6, a4, cmd_verify);
    printf("\nResult: the genuine contract verified with exit code %d, the tampered one with "
           "%d.\nFiles are in %s\n",
           v1, v2, dir);
    return v1 == EXIT_PASSED && v2 == EXIT_FAILED ? 0 : EXIT_INTERNAL;
}
