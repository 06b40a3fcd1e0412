/*
 * cli/cmd_seal.c - `eseal seal make` (a v4 seal signed by the seal maker)
 * and `eseal seal image` (drawn by cmd_image.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Replaced by cli/cmd_image.c when the seal-picture module is built. */
__attribute__((weak)) int cmd_seal_image(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage("seal image: this build has no seal-picture support");
}

/* Draws a default picture when --picture is not given (weak: see cmd_image.c). */
__attribute__((weak)) int cli_default_picture(es_ctx *ctx, const char *name, int64_t type,
                                              uint8_t **out, size_t *out_len)
{
    (void)ctx;
    (void)name;
    (void)type;
    (void)out;
    (void)out_len;
    return ES_ERR_USAGE_ARG;
}

static void usage(void)
{
    printf("usage: eseal seal make --maker-key KEY --maker-cert CERT --cert SIGNER_CERT...\n"
           "                      --name NAME --valid-to DATE|+DAYS -o OUT.esl\n"
           "                      [--type N] [--esid ID] [--vid VENDOR] [--valid-from DATE]\n"
           "                      [--picture FILE] [--width-mm N] [--height-mm N] [--pass P]\n"
           "       eseal seal image --help\n"
           "DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ; +DAYS counts from now.\n"
           "The picture (PNG, JPEG, GIF, BMP or OFD) is checked by content; without\n"
           "--picture a round official seal is drawn from the name.\n");
}

static int make(int argc, char **argv)
{
    static const struct option opts[] = {
        {"maker-key", required_argument, NULL, 'k'}, {"maker-cert", required_argument, NULL, 'm'},
        {"cert", required_argument, NULL, 'c'},      {"name", required_argument, NULL, 'n'},
        {"type", required_argument, NULL, 't'},      {"esid", required_argument, NULL, 'e'},
        {"vid", required_argument, NULL, 'v'},       {"valid-from", required_argument, NULL, 'f'},
        {"valid-to", required_argument, NULL, 'u'},  {"picture", required_argument, NULL, 'P'},
        {"width-mm", required_argument, NULL, 'W'},  {"height-mm", required_argument, NULL, 'H'},
        {"pass", required_argument, NULL, 'p'},      {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
    const char *kpath = NULL, *mpath = NULL, *out = NULL, *pic = NULL, *pass = NULL;
    const char *certs[16];
    size_t n_certs = 0;
    es_seal_params p;
    memset(&p, 0, sizeof(p));
    p.type = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:m:c:n:t:e:v:f:u:P:W:H:p:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': kpath = optarg; break;
        case 'm': mpath = optarg; break;
        case 'c':
            if (n_certs == 16) {
                return cli_usage("seal make: at most 16 --cert");
            }
            certs[n_certs++] = optarg;
            break;
        case 'n': p.name = optarg; break;
        case 't':
            if (!cli_parse_int(optarg, 0, INT32_MAX, &p.type)) {
                return cli_usage("seal make: bad --type '%s'", optarg);
            }
            break;
        case 'e': p.esid = optarg; break;
        case 'v': p.vid = optarg; break;
        case 'f':
            if (!cli_parse_time(optarg, &p.valid_start)) {
                return cli_usage("seal make: bad --valid-from '%s'", optarg);
            }
            break;
        case 'u':
            if (!cli_parse_time(optarg, &p.valid_end)) {
                return cli_usage("seal make: bad --valid-to '%s'", optarg);
            }
            break;
        case 'P': pic = optarg; break;
        case 'W':
            if (!cli_parse_int(optarg, 1, 1000, &p.picture_w_mm)) {
                return cli_usage("seal make: bad --width-mm '%s'", optarg);
            }
            break;
        case 'H':
            if (!cli_parse_int(optarg, 1, 1000, &p.picture_h_mm)) {
                return cli_usage("seal make: bad --height-mm '%s'", optarg);
            }
            break;
        case 'p': pass = cli_pass(optarg); break;
        case 'o': out = optarg; break;
        case 'h': usage(); return 0;
        default: return cli_usage("seal make: bad option");
        }
    }
    if (!kpath || !mpath || !n_certs || !p.name || !p.valid_end || !out) {
        return cli_usage("seal make: --maker-key, --maker-cert, --cert, --name, --valid-to and "
                         "-o are required");
    }
    es_ctx *ctx = es_ctx_new();
    es_key *mk = NULL;
    es_cert *mc = NULL;
    es_cert *sc[16] = {0};
    uint8_t *picture = NULL, *der = NULL;
    size_t pic_len = 0, der_len = 0;
    int ex = 0, rc;
    if ((rc = cli_load_key(ctx, kpath, pass, &mk)) != ES_OK) {
        ex = cli_fail(ctx, rc, "maker key");
        goto out;
    }
    if ((rc = es_cert_load(ctx, mpath, pass, &mc)) != ES_OK) {
        ex = cli_fail(ctx, rc, "maker certificate");
        goto out;
    }
    for (size_t i = 0; i < n_certs; i++) {
        if ((rc = es_cert_load(ctx, certs[i], pass, &sc[i])) != ES_OK) {
            ex = cli_fail(ctx, rc, "signer certificate");
            goto out;
        }
    }
    if (pic) {
        rc = es_file_read_all(ctx, pic, 4u * 1024 * 1024, &picture, &pic_len);
        if (rc != ES_OK) {
            ex = cli_fail(ctx, rc, "picture");
            goto out;
        }
    } else if ((rc = cli_default_picture(ctx, p.name, p.type, &picture, &pic_len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "seal make: cannot draw a picture for '%s' (give --picture)",
                      p.name);
        goto out;
    }
    p.signer_certs = (const es_cert *const *)sc;
    p.n_signer_certs = n_certs;
    p.picture = picture;
    p.picture_len = pic_len;
    if ((rc = es_seal_make(ctx, &p, mk, mc, &der, &der_len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "seal make");
        goto out;
    }
    if ((rc = es_file_write(ctx, out, der, der_len, 0644)) != ES_OK) {
        ex = cli_fail(ctx, rc, "writing %s", out);
        goto out;
    }
    es_seal *s = NULL;
    if (es_seal_decode(ctx, der, der_len, &s) == ES_OK) {
        printf("seal %s (\"%s\", %zu bytes) written to %s\n", es_seal_esid(s), es_seal_name(s),
               der_len, out);
        es_seal_free(s);
    }
out:
    es_key_free(mk);
    es_cert_free(mc);
    for (size_t i = 0; i < n_certs; i++) {
        es_cert_free(sc[i]);
    }
    es_free(picture);
    es_free(der);
    es_ctx_free(ctx);
    return ex;
}

int cmd_seal(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "make") == 0) {
        return make(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "image") == 0) {
        return cmd_seal_image(argc - 1, argv + 1);
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage();
        return 0;
    }
    return cli_usage("usage: eseal seal make|image ...");
}
