/*
 * cli/cmd_pdf.c - `eseal pdf sign|verify|list`: seal PDF documents, verify
 * every signature of every revision, list the signature fields. `eseal
 * verify DOC.pdf` takes the same verification path (cmd_verify.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int usage_sign(void)
{
    printf("usage: eseal pdf sign IN.pdf -o OUT.pdf --seal S.esl --key KEY --cert CERT\n"
           "                     [--pass P] [POSITION...] [--certify 1|2|3] [--time DATE]\n"
           "                     [--filter NAME] [--reserve BYTES]\n"
           "                     [--tsa URL | --tsa-key K --tsa-cert C] [--tsa-optional]\n"
           "                     [--tsa-timeout MS]\n"
           "       eseal pdf sign IN.pdf -o OUT.pdf --cms --key KEY.pem --cert CERT.pem ...\n"
           "POSITION (several may be given; all are widgets of one signature field):\n"
           "  --page N --x MM --y MM       stamp with its top-left corner at (x, y) mm\n"
           "                               from the top-left of page N (1-based)\n"
           "  --riding [--pages all|A-B]   riding seal across the right edge of pages A..B\n"
           "  --size WxH                   stamp size in mm for the last position\n"
           "                               (default: the seal picture's size)\n"
           "  --keyword TEXT [--occurrence N|all]\n"
           "                               stamp centred on the N-th occurrence (default 1)\n"
           "                               of TEXT in the page text (ToUnicode or Latin-1)\n"
           "Without a position the signature is invisible.\n"
           "Default: /SubFilter /GM.sm2seal with a GB/T 38540 v4 SES_Signature (dataHash =\n"
           "SM3 of the ByteRange bytes), /Filter Gomain.GMPkiLite (--filter changes it).\n"
           "--cms writes a standard detached CMS signature (adbe.pkcs7.detached): SM2/SM3\n"
           "for an SM2 key, else through OpenSSL (ECDSA, RSA); no seal is needed.\n"
           "--certify N makes it a certification signature (DocMDP /P N).\n"
           "--tsa puts an RFC 3161 time stamp over the signature value (SES_Signature\n"
           "timeStamp); --tsa-key/--tsa-cert make it locally; a TSA that fails fails the\n"
           "signing (exit 6) unless --tsa-optional.\n"
           "The input is never modified; OUT is the input plus one incremental update.\n"
           "Exit: 0 signed, 3 unreadable or refused input, 4 refused by policy, 6 no time\n"
           "stamp (the TSA failed).\n");
    return 0;
}

static int cmd_pdf_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"seal", required_argument, NULL, 's'},
        {"key", required_argument, NULL, 'k'},    {"cert", required_argument, NULL, 'c'},
        {"pass", required_argument, NULL, 'p'},   {"page", required_argument, NULL, 'P'},
        {"x", required_argument, NULL, 'x'},      {"y", required_argument, NULL, 'y'},
        {"keyword", required_argument, NULL, 'K'}, {"occurrence", required_argument, NULL, 'O'},
        {"riding", no_argument, NULL, 'R'},
        {"pages", required_argument, NULL, 'A'},  {"size", required_argument, NULL, 'Z'},
        {"certify", required_argument, NULL, 'C'}, {"time", required_argument, NULL, 't'},
        {"cms", no_argument, NULL, 'M'},          {"filter", required_argument, NULL, 'F'},
        {"reserve", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'},
        {"tsa", required_argument, NULL, 1001},   {"tsa-optional", no_argument, NULL, 1002},
        {"tsa-timeout", required_argument, NULL, 1003},
        {"tsa-key", required_argument, NULL, 1004}, {"tsa-cert", required_argument, NULL, 1005},
        {NULL, 0, NULL, 0}};
    struct cli_stamp ts;
    memset(&ts, 0, sizeof(ts));
    const char *tsa_key = NULL, *tsa_cert = NULL;
    const char *out = NULL, *seal = NULL, *kpath = NULL, *cpath = NULL, *pass = NULL;
    es_pdf_position pos[CLI_MAX_POS];
    size_t n_pos = 0;
    es_pdf_sign_params p;
    memset(&p, 0, sizeof(p));
    memset(pos, 0, sizeof(pos));
    int64_t v = 0;
    int c, ex;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:k:c:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's': seal = optarg; break;
        case 'k': kpath = optarg; break;
        case 'c': cpath = optarg; break;
        case 'p': pass = cli_pass(optarg); break;
        case 'M': p.mode = ES_PDF_CMS; break;
        case 'F': p.filter = optarg; break;
        case 'C':
            if (!cli_parse_int(optarg, 1, 3, &v)) {
                return cli_usage("pdf sign: --certify is 1, 2 or 3");
            }
            p.certify = (int)v;
            break;
        case 'r':
            if (!cli_parse_int(optarg, 1024, 1024 * 1024, &v)) {
                return cli_usage("pdf sign: --reserve is 1024..1048576 bytes");
            }
            p.reserve = (size_t)v;
            break;
        case 't':
            if (!cli_parse_time(optarg, &p.time)) {
                return cli_usage("pdf sign: bad --time '%s'", optarg);
            }
            break;
        case 'P': case 'K': case 'R': case 'x': case 'y': case 'A': case 'Z': case 'O':
            if ((ex = cli_position_opt("pdf sign", c, optarg, pos, &n_pos)) != 0) {
                return ex;
            }
            break;
        case 1001: ts.http.url = optarg; break;
        case 1002: ts.optional = 1; break;
        case 1003:
            if (!cli_parse_int(optarg, 1, 600000, &v)) {
                return cli_usage("pdf sign: --tsa-timeout takes milliseconds (1..600000)");
            }
            ts.http.timeout_ms = (long)v;
            break;
        case 1004: tsa_key = optarg; break;
        case 1005: tsa_cert = optarg; break;
        case 'h': return usage_sign();
        default: return cli_usage("pdf sign: bad option");
        }
    }
    if (argc - optind != 1 || !out || !kpath || !cpath || (p.mode == ES_PDF_SES && !seal)) {
        return cli_usage("usage: eseal pdf sign IN.pdf -o OUT.pdf --seal S --key K --cert C "
                         "[POSITION...] (or --cms --key K --cert C)");
    }
    if ((ex = cli_stamp_check("pdf sign", &ts, tsa_key, tsa_cert)) != 0) {
        return ex;
    }
    if ((tsa_key || ts.http.url) && p.mode != ES_PDF_SES) {
        return cli_usage("pdf sign: time stamps go into SES seals, not --cms");
    }
    const char *in = argv[optind];
    es_ctx *ctx = es_ctx_new();
    struct cli_signer sg;
    memset(&sg, 0, sizeof(sg));
    int rc;
    ex = 0;
    p.positions = pos;
    p.n_positions = n_pos;
    if (p.mode == ES_PDF_CMS) {
        /* an SM2 key signs with eseal's SM2/SM3 CMS; any other goes to OpenSSL */
        if (es_key_load(ctx, kpath, pass, &sg.key) != ES_OK ||
            es_cert_load(ctx, cpath, pass, &sg.cert) != ES_OK) {
            es_key_free(sg.key);
            sg.key = NULL;
            p.cms_key_path = kpath;
            p.cms_cert_path = cpath;
            p.cms_pass = pass;
        }
    } else {
        ex = cli_signer_load(ctx, seal, kpath, cpath, pass, &sg);
    }
    if (ex == 0) {
        ex = cli_stamp_load(ctx, &ts, tsa_key, tsa_cert, pass);
    }
    cli_stamp_apply(&ts, &p.timestamp, &p.timestamp_arg, &p.timestamp_optional);
    p.seal = sg.seal;
    p.seal_len = sg.seal_len;
    p.key = sg.key;
    p.cert = sg.cert;
    if (ex == 0) {
        if ((rc = es_pdf_sign(ctx, &p, in, out)) != ES_OK) {
            ex = cli_fail(ctx, rc, "pdf sign %s", in);
        } else {
            printf("signed %s -> %s%s\n", in, out, p.certify ? " (certified)" : "");
        }
    }
    es_tsa_free(ts.tsa);
    cli_signer_free(&sg);
    es_ctx_free(ctx);
    return ex;
}

static int cmd_pdf_list(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        return cli_usage("usage: eseal pdf list DOC.pdf");
    }
    es_ctx *ctx = es_ctx_new();
    uint8_t *in = NULL;
    size_t n = 0;
    char *text = NULL;
    int rc, ex = 0;
    if ((rc = es_file_read_all(ctx, argv[1], CLI_MAX_FILE, &in, &n)) != ES_OK ||
        (rc = es_pdf_list(ctx, NULL, in, n, &text)) != ES_OK) {
        ex = cli_fail(ctx, rc, "%s", argv[1]);
    } else {
        fputs(text, stdout);
    }
    es_free(text);
    es_free(in);
    es_ctx_free(ctx);
    return ex;
}

int cmd_pdf(int argc, char **argv)
{
    /* verify: the same options and report as `eseal verify` */
    static const struct cli_sub subs[] = {
        {"sign", cmd_pdf_sign}, {"verify", cmd_verify}, {"list", cmd_pdf_list}};
    return cli_subcommand(
        argc, argv, "pdf",
        "usage: eseal pdf sign IN.pdf -o OUT.pdf --seal S.esl --key K --cert C ...\n"
        "       eseal pdf verify DOC.pdf [--json] [--trust ...] [--no-chain]\n"
        "       eseal pdf list DOC.pdf\n"
        "'eseal pdf sign --help' lists the stamp positions and modes.\n",
        subs, sizeof(subs) / sizeof(subs[0]));
}
