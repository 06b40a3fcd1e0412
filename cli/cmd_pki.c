/* cli/cmd_pki.c - `eseal pki init DIR`: a throwaway SM2 PKI. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_pki(int argc, char **argv)
{
    static const struct option opts[] = {{"pass", required_argument, NULL, 'p'},
                                         {"days", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *pass = NULL;
    int days = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            pass = cli_pass(optarg);
            break;
        case 'd':
        {
            int64_t d;
            if (!cli_parse_int(optarg, 1, 36500, &d)) {
                return cli_usage("pki: bad --days '%s'", optarg);
            }
            days = (int)d;
            break;
        }
        case 'h':
            printf("usage: eseal pki init DIR --pass PASSPHRASE [--days N]\n"
                   "Creates root-ca.pem, maker.pem/.key, owner.pem/.key in DIR (keys are\n"
                   "encrypted PKCS#8). --pass accepts TEXT, pass:TEXT, env:VAR, file:PATH.\n");
            return 0;
        default:
            return cli_usage("pki: bad option");
        }
    }
    if (argc - optind != 2 || strcmp(argv[optind], "init") != 0) {
        return cli_usage("usage: eseal pki init DIR --pass PASSPHRASE");
    }
    if (!pass || !pass[0]) {
        return cli_usage("pki init: --pass is required (keys are never written in clear)");
    }
    es_ctx *ctx = es_ctx_new();
    int rc = es_pki_init(ctx, argv[optind + 1], pass, days);
    int ex = rc == ES_OK ? 0 : cli_fail(ctx, rc, "pki init %s", argv[optind + 1]);
    if (rc == ES_OK) {
        printf("PKI created in %s: root-ca.pem, maker.pem, maker.key, owner.pem, owner.key\n",
               argv[optind + 1]);
    }
    es_ctx_free(ctx);
    return ex;
}
