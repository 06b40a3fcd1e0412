/*
 * cli/cmd_ofd.c - `eseal ofd sign|verify`: seal OFD documents and verify
 * their signatures (`eseal verify DOC.ofd` calls es_ofd_verify directly).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int usage_sign(void)
{
    printf("usage: eseal ofd sign IN.ofd -o OUT.ofd --seal S.esl --key KEY --cert CERT\n"
           "                     [--pass P] POSITION... [--lock] [--time DATE]\n"
           "                     [--tsa URL [--tsa-optional] [--tsa-timeout MS]]\n"
           "POSITION (several may be given; all go into one signature):\n"
           "  --page N --x MM --y MM       stamp with its top-left corner at (x, y) mm\n"
           "                               on page N (1-based)\n"
           "  --keyword TEXT [--occurrence N|all]\n"
           "                               stamp centred on the N-th occurrence (default 1)\n"
           "                               of TEXT in the page text\n"
           "  --riding [--pages all|A-B]   riding seal across the right edge of pages A..B\n"
           "  --size WxH                   stamp size in mm for the last position\n"
           "                               (default: the seal picture's size)\n"
           "--lock also protects the signature list: no later signature can be added.\n"
           "--time sets the signing time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ).\n"
           "--tsa puts an RFC 3161 time stamp from that URL over the signature value;\n"
           "a TSA that does not answer fails the signing (exit 6) unless --tsa-optional.\n"
           "The input is never modified; OUT is written to a temporary file and renamed.\n"
           "Exit: 0 signed, 3 unreadable or refused input, 4 refused by policy (locked\n"
           "document, seal or certificate not valid, key not matching), 6 no time stamp.\n");
    return 0;
}

static int cmd_ofd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"seal", required_argument, NULL, 's'},
        {"key", required_argument, NULL, 'k'},    {"cert", required_argument, NULL, 'c'},
        {"pass", required_argument, NULL, 'p'},   {"page", required_argument, NULL, 'P'},
        {"x", required_argument, NULL, 'x'},      {"y", required_argument, NULL, 'y'},
        {"keyword", required_argument, NULL, 'K'}, {"occurrence", required_argument, NULL, 'O'},
        {"riding", no_argument, NULL, 'R'},       {"pages", required_argument, NULL, 'A'},
        {"size", required_argument, NULL, 'Z'},   {"lock", no_argument, NULL, 'L'},
        {"time", required_argument, NULL, 't'},   {"help", no_argument, NULL, 'h'},
        {"tsa", required_argument, NULL, 1001},   {"tsa-optional", no_argument, NULL, 1002},
        {"tsa-timeout", required_argument, NULL, 1003},
        {NULL, 0, NULL, 0}};
    struct cli_stamp ts = {0};
    int64_t wait_ms = 0;
    const char *out = NULL, *seal = NULL, *kpath = NULL, *cpath = NULL, *pass = NULL;
    es_ofd_position pos[CLI_MAX_POS];
    size_t n_pos = 0;
    int lock = 0;
    int64_t t = 0;
    int c, ex;
    memset(pos, 0, sizeof(pos));
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:k:c:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's': seal = optarg; break;
        case 'k': kpath = optarg; break;
        case 'c': cpath = optarg; break;
        case 'p': pass = cli_pass(optarg); break;
        case 'L': lock = 1; break;
        case 'P': case 'K': case 'R': case 'x': case 'y': case 'A': case 'Z': case 'O':
            if ((ex = cli_position_opt("ofd sign", c, optarg, pos, &n_pos)) != 0) {
                return ex;
            }
            break;
        case 't':
            if (!cli_parse_time(optarg, &t)) {
                return cli_usage("ofd sign: bad --time '%s'", optarg);
            }
            break;
        case 1001: ts.http.url = optarg; break;
        case 1002: ts.optional = 1; break;
        case 1003:
            if (!cli_parse_int(optarg, 1, 600000, &wait_ms)) {
                return cli_usage("ofd sign: --tsa-timeout takes milliseconds (1..600000)");
            }
            ts.http.timeout_ms = (long)wait_ms;
            break;
        case 'h': return usage_sign();
        default: return cli_usage("ofd sign: bad option");
        }
    }
    if (argc - optind != 1 || !out || !seal || !kpath || !cpath) {
        return cli_usage("usage: eseal ofd sign IN.ofd -o OUT.ofd --seal S --key K --cert C "
                         "POSITION...");
    }
    if ((ex = cli_stamp_check("ofd sign", &ts, NULL, NULL)) != 0) {
        return ex;
    }
    if (n_pos == 0) {
        return cli_usage("ofd sign: give a position: --page N --x MM --y MM, --keyword TEXT "
                         "or --riding");
    }
    for (size_t i = 0; i < n_pos; i++) {
        if (pos[i].kind == ES_OFD_POS_PAGE && pos[i].x_mm == 0 && pos[i].y_mm == 0) {
            /* allowed, but say so: (0, 0) is the page's top-left corner */
            fprintf(stderr, "eseal: note: stamp %zu at the top-left corner of page %d\n", i + 1,
                    pos[i].page);
        }
    }
    const char *in = argv[optind];
    es_ctx *ctx = es_ctx_new();
    struct cli_signer sg;
    int rc;
    if ((ex = cli_signer_load(ctx, seal, kpath, cpath, pass, &sg)) == 0) {
        es_ofd_sign_params p = {.seal = sg.seal,
                                .seal_len = sg.seal_len,
                                .key = sg.key,
                                .cert = sg.cert,
                                .positions = pos,
                                .n_positions = n_pos,
                                .lock = lock,
                                .time = t};
        cli_stamp_apply(&ts, &p.timestamp, &p.timestamp_arg, &p.timestamp_optional);
        if ((rc = es_ofd_sign(ctx, &p, in, out)) != ES_OK) {
            ex = cli_fail(ctx, rc, "ofd sign %s", in);
        } else {
            printf("signed %s -> %s%s\n", in, out, lock ? " (locked)" : "");
        }
    }
    cli_signer_free(&sg);
    es_ctx_free(ctx);
    return ex;
}

static int cmd_ofd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"trust", required_argument, NULL, 't'}, {"no-chain", no_argument, NULL, 'N'},
        {"json", no_argument, NULL, 'j'},        {"strict", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *trusts[32];
    size_t n_trust = 0;
    bool json = false, strict = false;
    es_verify_opts o;
    memset(&o, 0, sizeof(o));
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:NjSh", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (n_trust == 32) {
                return cli_usage("ofd verify: at most 32 --trust");
            }
            trusts[n_trust++] = optarg;
            break;
        case 'N': o.no_chain = 1; break;
        case 'j': json = true; break;
        case 'S': strict = true; break;
        case 'h':
            printf("usage: eseal ofd verify DOC.ofd [--trust PEM|DIR]... [--no-chain] [--json]\n"
                   "                       [--strict]\n"
                   "One report entry per signature: the references (each protected file's\n"
                   "SM3), what the signature leaves unprotected, Seal.esl, the stamps, then\n"
                   "the seal signature itself. Exit: 0 TOTAL-PASSED, 1 TOTAL-FAILED,\n"
                   "2 INDETERMINATE, 3 unreadable or refused package.\n");
            return 0;
        default: return cli_usage("ofd verify: bad option");
        }
    }
    if (argc - optind != 1) {
        return cli_usage("usage: eseal ofd verify DOC.ofd [options]");
    }
    const char *file = argv[optind];
    o.file = file;
    es_ctx *ctx = es_ctx_new();
    es_trust *trust = NULL;
    es_report *rep = NULL;
    int rc, ex = 0;
    if (strict) {
        es_ctx_set_profile(ctx, ES_PROFILE_STRICT);
    }
    ex = cli_load_trust(ctx, trusts, n_trust, &trust);
    o.trust = trust;
    if (ex == 0) {
        if ((rc = es_ofd_verify_file(ctx, &o, NULL, file, &rep)) != ES_OK) {
            ex = cli_fail(ctx, rc, "%s", file);
        } else {
            ex = cli_print_report(ctx, rep, json);
        }
    }
    es_report_free(rep);
    es_trust_free(trust);
    es_ctx_free(ctx);
    return ex;
}

int cmd_ofd(int argc, char **argv)
{
    static const struct cli_sub subs[] = {{"sign", cmd_ofd_sign}, {"verify", cmd_ofd_verify}};
    return cli_subcommand(
        argc, argv, "ofd",
        "usage: eseal ofd sign IN.ofd -o OUT.ofd --seal S.esl --key K --cert C ...\n"
        "       eseal ofd verify DOC.ofd [--json] [--trust ...] [--no-chain]\n"
        "'eseal ofd sign --help' lists the stamp positions.\n",
        subs, sizeof(subs) / sizeof(subs[0]));
}
