/*
 * cli/cmd_image.c - `eseal seal image`: draws a seal picture (PNG or SVG)
 * with es_seal_image_render(), and the default picture that `seal make` and
 * the demo use when no --picture is given. Public API only.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eseal/image.h"

static void usage(void)
{
    printf("usage: eseal seal image --name NAME -o OUT [--shape round|oval|square]\n"
           "                        [--kind KIND] [--code CODE] [--width-mm W] [--height-mm H]\n"
           "                        [--dpi N] [--format png|svg] [--font FILE]\n"
           "Draws a seal picture in seal red on a transparent background.\n"
           "  --shape   round (default): organisation seal, name on the upper arc,\n"
           "            star, KIND under the star, CODE on the lower arc;\n"
           "            oval: finance/invoice seal (40x30 mm), CODE and KIND in lines;\n"
           "            square: a person's name seal, 2 to 4 characters.\n"
           "  --kind    e.g. 合同专用章, 财务专用章, 发票专用章 (none: legal-name seal)\n"
           "  --code    the seal code (round) or taxpayer number (oval)\n"
           "  --width-mm, --height-mm  size; default by shape and kind (42 mm for a\n"
           "            legal-name seal, 40 mm for special seals, 38 mm for finance\n"
           "            seals, 40x30 mm oval, 20 mm square)\n"
           "  --dpi     PNG resolution, %d..%d (default %d)\n"
           "  --format  png (default, or from OUT's extension) or svg\n"
           "  --font    a CJK font file (default %s)\n",
           ES_SEAL_DPI_MIN, ES_SEAL_DPI_MAX, ES_SEAL_DPI_DEFAULT, ES_SEAL_FONT_DEFAULT);
}

/* Parses a positive number of millimetres; false if not a number. */
static bool parse_mm(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_int(const char *s, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > 100000) {
        return false;
    }
    *out = (int)v;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int cmd_seal_image(int argc, char **argv)
{
    static const struct option opts[] = {
        {"shape", required_argument, NULL, 's'},     {"name", required_argument, NULL, 'n'},
        {"kind", required_argument, NULL, 'k'},      {"code", required_argument, NULL, 'c'},
        {"width-mm", required_argument, NULL, 'W'},  {"height-mm", required_argument, NULL, 'H'},
        {"dpi", required_argument, NULL, 'd'},       {"format", required_argument, NULL, 'f'},
        {"font", required_argument, NULL, 'F'},      {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
    es_seal_image_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.shape = ES_SEAL_SHAPE_ROUND;
    const char *out = NULL;
    int fmt = -1;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (strcmp(optarg, "round") == 0) {
                spec.shape = ES_SEAL_SHAPE_ROUND;
            } else if (strcmp(optarg, "oval") == 0) {
                spec.shape = ES_SEAL_SHAPE_OVAL;
            } else if (strcmp(optarg, "square") == 0) {
                spec.shape = ES_SEAL_SHAPE_SQUARE;
            } else {
                return cli_usage("seal image: --shape must be round, oval or square, not '%s'",
                                 optarg);
            }
            break;
        case 'n':
            spec.name = optarg;
            break;
        case 'k':
            spec.kind = optarg;
            break;
        case 'c':
            spec.code = optarg;
            break;
        case 'W':
            if (!parse_mm(optarg, &spec.width_mm)) {
                return cli_usage("seal image: --width-mm needs a positive number, not '%s'",
                                 optarg);
            }
            break;
        case 'H':
            if (!parse_mm(optarg, &spec.height_mm)) {
                return cli_usage("seal image: --height-mm needs a positive number, not '%s'",
                                 optarg);
            }
            break;
        case 'd':
            if (!parse_int(optarg, &spec.dpi)) {
                return cli_usage("seal image: --dpi needs a positive whole number, not '%s'",
                                 optarg);
            }
            break;
        case 'f':
            if (strcmp(optarg, "png") == 0) {
                fmt = ES_IMAGE_PNG;
            } else if (strcmp(optarg, "svg") == 0) {
                fmt = ES_IMAGE_SVG;
            } else {
                return cli_usage("seal image: --format must be png or svg, not '%s'", optarg);
            }
            break;
        case 'F':
            spec.font_path = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            usage();
            return EXIT_PASSED;
        default:
            return cli_usage("seal image: unknown option or missing value: %s",
                             argv[optind - 1]);
        }
    }
    if (optind < argc) {
        return cli_usage("seal image: unexpected argument '%s'", argv[optind]);
    }
    if (!spec.name) {
        return cli_usage("seal image: --name is required");
    }
    if (!out) {
        return cli_usage("seal image: -o OUT is required");
    }
    if (fmt < 0) {
        fmt = (ends_with(out, ".svg") || ends_with(out, ".SVG")) ? ES_IMAGE_SVG : ES_IMAGE_PNG;
    }
    es_ctx *ctx = es_ctx_new();
    if (!ctx) {
        fprintf(stderr, "eseal: out of memory\n");
        return EXIT_INTERNAL;
    }
    uint8_t *img = NULL;
    size_t img_len = 0;
    int ex = EXIT_PASSED;
    int rc = es_seal_image_render(ctx, &spec, (es_image_format)fmt, &img, &img_len);
    if (rc != ES_OK) {
        ex = cli_fail(ctx, rc, "seal image");
        goto out;
    }
    rc = es_file_write(ctx, out, img, img_len, 0644);
    if (rc != ES_OK) {
        ex = cli_fail(ctx, rc, "writing %s", out);
        goto out;
    }
out:
    es_free(img);
    es_ctx_free(ctx);
    return ex;
}

/* Splits a seal name such as "示例科技有限公司合同专用章" into the
 * organisation and the kind ("合同专用章": the last five characters when the
 * name ends in 专用章), so that the kind goes under the star. An invoice seal
 * (发票专用章) is drawn oval. `type` is business-defined and not used. */
int cli_default_picture(es_ctx *ctx, const char *name, int64_t type, uint8_t **out,
                        size_t *out_len)
{
    (void)type;
    static const char suffix[] = "专用章";
    es_seal_image_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.shape = ES_SEAL_SHAPE_ROUND;
    spec.name = name;
    char org[256];
    size_t n = name ? strlen(name) : 0;
    /* five characters of three UTF-8 bytes each */
    if (n > 15 && n < sizeof(org) && ends_with(name, suffix) &&
        ((unsigned char)name[n - 15] & 0xF0) == 0xE0 &&
        ((unsigned char)name[n - 12] & 0xF0) == 0xE0) {
        memcpy(org, name, n - 15);
        org[n - 15] = '\0';
        spec.name = org;
        spec.kind = name + n - 15;
        if (strcmp(spec.kind, "发票专用章") == 0) {
            spec.shape = ES_SEAL_SHAPE_OVAL;
        }
    }
    return es_seal_image_render(ctx, &spec, ES_IMAGE_PNG, out, out_len);
}
