/* cli/cmd_sign.c - `eseal sign`: a detached v4 SES_Signature over a file. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

int cli_stamp_cb(void *arg, const uint8_t digest[32], uint8_t **out_token, size_t *out_len)
{
    struct cli_stamp *ts = arg;
    es_ctx *c = es_ctx_new();
    int rc = ts->tsa ? es_tsa_stamp(c, ts->tsa, digest, out_token, out_len)
                     : es_ts_http_stamp(c, &ts->http, digest, out_token, out_len);
    if (rc != ES_OK && ts->optional) {
        /* es_sign goes on without a token: say why, so that nobody believes
         * the signature carries one */
        fprintf(stderr, "eseal: warning: signing without a time stamp: %s\n",
                c ? es_ctx_errmsg(c) : es_strerror(rc));
    }
    es_ctx_free(c);
    return rc;
}

void cli_stamp_apply(struct cli_stamp *ts, int (**cb)(void *, const uint8_t *, uint8_t **,
                                                       size_t *),
                     void **arg, int *optional)
{
    if (ts->tsa || ts->http.url) {
        *cb = cli_stamp_cb;
        *arg = ts;
        *optional = ts->optional;
    }
}

/* es_sign_data, plus a time stamp over the signature value when a TSA is given. */
static int sign_file(es_ctx *ctx, const uint8_t *sd, size_t sd_len, const es_key *k,
                     const es_cert *ct, const uint8_t *data, size_t data_len, const char *name,
                     struct cli_stamp *ts, const uint8_t *ans, size_t ans_len, uint8_t **sig,
                     size_t *sig_len)
{
    uint8_t h[32];
    es_sm3(data, data_len, h);
    es_sign_params p = {.seal = sd, .seal_len = sd_len, .key = k, .cert = ct, .data_hash = h,
                        .property_info = name, .status_answer = ans,
                        .status_answer_len = ans_len};
    cli_stamp_apply(ts, &p.timestamp, &p.timestamp_arg, &p.timestamp_optional);
    return es_sign(ctx, &p, sig, sig_len);
}

int cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seal", required_argument, NULL, 's'}, {"key", required_argument, NULL, 'k'},
        {"cert", required_argument, NULL, 'c'}, {"pass", required_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'}, {"name", required_argument, NULL, 'n'},
        {"tsa-key", required_argument, NULL, 'K'}, {"tsa-cert", required_argument, NULL, 'C'},
        {"tsa", required_argument, NULL, 'T'},  {"tsa-optional", no_argument, NULL, 'O'},
        {"tsa-timeout", required_argument, NULL, 'W'},
        {"status-answer", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    const char *tsa_key = NULL, *tsa_cert = NULL;
    struct cli_stamp ts = {0};
    int64_t wait_ms = 0;
    const char *seal = NULL, *kpath = NULL, *cpath = NULL, *pass = NULL, *out = NULL;
    const char *name = NULL, *answer = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:k:c:p:o:n:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': seal = optarg; break;
        case 'k': kpath = optarg; break;
        case 'c': cpath = optarg; break;
        case 'p': pass = cli_pass(optarg); break;
        case 'o': out = optarg; break;
        case 'n': name = optarg; break;
        case 'K': tsa_key = optarg; break;
        case 'C': tsa_cert = optarg; break;
        case 'T': ts.http.url = optarg; break;
        case 'O': ts.optional = 1; break;
        case 'A': answer = optarg; break;
        case 'W':
            if (!cli_parse_int(optarg, 1, 600000, &wait_ms)) {
                return cli_usage("sign: --tsa-timeout takes milliseconds (1..600000)");
            }
            ts.http.timeout_ms = (long)wait_ms;
            break;
        case 'h':
            printf("usage: eseal sign FILE --seal S.esl --key KEY --cert CERT -o OUT.sig\n"
                   "                 [--pass P] [--name PROPERTY_INFO]\n"
                   "                 [--tsa URL | --tsa-key K --tsa-cert C] [--tsa-optional]\n"
                   "                 [--tsa-timeout MS] [--status-answer ANSWER.json]\n"
                   "Writes a detached GB/T 38540 v4 SES_Signature: dataHash = SM3(FILE),\n"
                   "propertyInfo = the file's name. Refuses a key that does not match a\n"
                   "certificate of the seal, or a seal or certificate not valid now.\n"
                   "--tsa asks an RFC 3161 time-stamp authority over HTTP for a token over\n"
                   "the signature value (SES_Signature.timeStamp); --tsa-key/--tsa-cert make\n"
                   "it locally. A TSA that does not answer makes signing fail (exit 6)\n"
                   "unless --tsa-optional is given (then the signature has no token).\n"
                   "--status-answer embeds an eseald status answer for the seal (GET\n"
                   "/api/v1/seals/ESID/status) in the signature (docs/formats.md); it must\n"
                   "name this seal and cover the signing time.\n");
            return 0;
        default: return cli_usage("sign: bad option");
        }
    }
    int ex = cli_stamp_check("sign", &ts, tsa_key, tsa_cert);
    if (ex != 0) {
        return ex;
    }
    if (argc - optind != 1 || !seal || !kpath || !cpath || !out) {
        return cli_usage("usage: eseal sign FILE --seal S.esl --key KEY --cert CERT -o OUT");
    }
    const char *file = argv[optind];
    if (!name) {
        const char *slash = strrchr(file, '/');
        name = slash ? slash + 1 : file;
    }
    es_ctx *ctx = es_ctx_new();
    struct cli_signer sg;
    uint8_t *data = NULL, *sig = NULL, *ans = NULL;
    size_t data_len = 0, sig_len = 0, ans_len = 0;
    int rc;
    if ((ex = cli_signer_load(ctx, seal, kpath, cpath, pass, &sg)) != 0) {
        /* the message is printed */
    } else if ((rc = es_file_read_all(ctx, file, CLI_MAX_FILE, &data, &data_len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "data");
    } else if (answer && (rc = es_file_read_all(ctx, answer, 1024u * 1024, &ans, &ans_len)) !=
                             ES_OK) {
        ex = cli_fail(ctx, rc, "--status-answer %s", answer);
    } else if ((ex = cli_stamp_load(ctx, &ts, tsa_key, tsa_cert, pass)) != 0) {
        /* the message is printed */
    } else if ((rc = sign_file(ctx, sg.seal, sg.seal_len, sg.key, sg.cert, data, data_len, name,
                               &ts, ans, ans_len, &sig, &sig_len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "sign %s", file);
    } else if ((rc = es_file_write(ctx, out, sig, sig_len, 0644)) != ES_OK) {
        ex = cli_fail(ctx, rc, "writing %s", out);
    } else {
        printf("signature (%zu bytes) written to %s\n", sig_len, out);
    }
    cli_signer_free(&sg);
    es_tsa_free(ts.tsa);
    es_free(data);
    es_free(ans);
    es_free(sig);
    es_ctx_free(ctx);
    return ex;
}
