/* cli/cmd_inspect.c - `eseal inspect FILE [--picture OUT]`. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

int cmd_inspect(int argc, char **argv)
{
    static const struct option opts[] = {{"picture", required_argument, NULL, 'P'},
                                         {"strict", no_argument, NULL, 'S'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *pic = NULL;
    bool strict = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "P:Sh", opts, NULL)) != -1) {
        switch (c) {
        case 'P': pic = optarg; break;
        case 'S': strict = true; break;
        case 'h':
            printf("usage: eseal inspect FILE [--picture OUT] [--strict]\n"
                   "Prints any seal or signature (v1, v4, v5), GB/T 35275 SignedData or\n"
                   "certificate as a tree; --picture extracts the seal picture.\n");
            return 0;
        default: return cli_usage("inspect: bad option");
        }
    }
    if (argc - optind != 1) {
        return cli_usage("usage: eseal inspect FILE [--picture OUT]");
    }
    const char *file = argv[optind];
    es_ctx *ctx = es_ctx_new();
    if (strict) {
        es_ctx_set_profile(ctx, ES_PROFILE_STRICT);
    }
    uint8_t *in = NULL;
    size_t len = 0;
    char *text = NULL;
    int rc, ex = 0;
    if ((rc = es_file_read_all(ctx, file, CLI_MAX_FILE, &in, &len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "%s", file);
    } else if ((rc = es_inspect(ctx, in, len, &text)) != ES_OK) {
        ex = cli_fail(ctx, rc, "%s", file);
    } else {
        fputs(text, stdout);
        if (pic) {
            es_seal *s = NULL;
            es_signature *g = NULL;
            const es_seal *sp = NULL;
            const char *kind = es_detect(in, len, NULL);
            if (strcmp(kind, "seal") == 0 && es_seal_decode(ctx, in, len, &s) == ES_OK) {
                sp = s;
            } else if (strcmp(kind, "ses-signature") == 0 &&
                       es_signature_decode(ctx, in, len, &g) == ES_OK) {
                sp = es_signature_seal(g);
            }
            if (!sp) {
                ex = cli_usage("inspect: %s holds no seal picture", file);
            } else {
                es_bytes p = es_seal_picture(sp, NULL, NULL, NULL);
                if ((rc = es_file_write(ctx, pic, p.ptr, p.len, 0644)) != ES_OK) {
                    ex = cli_fail(ctx, rc, "writing %s", pic);
                } else {
                    fprintf(stderr, "picture (%zu bytes) written to %s\n", p.len, pic);
                }
            }
            es_seal_free(s);
            es_signature_free(g);
        }
    }
    es_free(text);
    es_free(in);
    es_ctx_free(ctx);
    return ex;
}
