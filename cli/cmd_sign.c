/* cli/cmd_sign.c - `eseal sign`: a detached v4 SES_Signature over a file. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

/* es_sign_data, plus a time stamp over the signature value when a TSA is given. */
static int sign_file(es_ctx *ctx, const uint8_t *sd, size_t sd_len, const es_key *k,
                     const es_cert *ct, const uint8_t *data, size_t data_len, const char *name,
                     es_tsa *tsa, uint8_t **sig, size_t *sig_len)
{
    uint8_t h[32];
    es_sm3(data, data_len, h);
    es_sign_params p = {.seal = sd, .seal_len = sd_len, .key = k, .cert = ct, .data_hash = h,
                        .property_info = name};
    if (tsa) {
        p.timestamp = es_tsa_stamp_cb;
        p.timestamp_arg = tsa;
    }
    return es_sign(ctx, &p, sig, sig_len);
}

int cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seal", required_argument, NULL, 's'}, {"key", required_argument, NULL, 'k'},
        {"cert", required_argument, NULL, 'c'}, {"pass", required_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'}, {"name", required_argument, NULL, 'n'},
        {"tsa-key", required_argument, NULL, 'K'}, {"tsa-cert", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    const char *tsa_key = NULL, *tsa_cert = NULL;
    const char *seal = NULL, *kpath = NULL, *cpath = NULL, *pass = NULL, *out = NULL;
    const char *name = NULL;
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
        case 'h':
            printf("usage: eseal sign FILE --seal S.esl --key KEY --cert CERT -o OUT.sig\n"
                   "                 [--pass P] [--name PROPERTY_INFO]\n"
                   "                 [--tsa-key K --tsa-cert C]  (time-stamp the signature)\n"
                   "Writes a detached GB/T 38540 v4 SES_Signature: dataHash = SM3(FILE),\n"
                   "propertyInfo = the file's name. Refuses a key that does not match a\n"
                   "certificate of the seal, or a seal or certificate not valid now.\n");
            return 0;
        default: return cli_usage("sign: bad option");
        }
    }
    if (!tsa_key != !tsa_cert) {
        return cli_usage("sign: --tsa-key and --tsa-cert go together");
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
    es_key *k = NULL;
    es_cert *ct = NULL;
    es_tsa *tsa = NULL;
    uint8_t *sd = NULL, *data = NULL, *sig = NULL;
    size_t sd_len = 0, data_len = 0, sig_len = 0;
    int rc, ex = 0;
    if ((rc = es_file_read_all(ctx, seal, 16u * 1024 * 1024, &sd, &sd_len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "seal");
    } else if ((rc = cli_load_key(ctx, kpath, pass, &k)) != ES_OK) {
        ex = cli_fail(ctx, rc, "key");
    } else if ((rc = es_cert_load(ctx, cpath, pass, &ct)) != ES_OK) {
        ex = cli_fail(ctx, rc, "certificate");
    } else if ((rc = es_file_read_all(ctx, file, CLI_MAX_FILE, &data, &data_len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "data");
    } else if (tsa_key && (rc = es_tsa_load(ctx, tsa_key, pass, tsa_cert, &tsa)) != ES_OK) {
        ex = cli_fail(ctx, rc, "TSA");
    } else if ((rc = sign_file(ctx, sd, sd_len, k, ct, data, data_len, name, tsa, &sig,
                               &sig_len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "sign %s", file);
    } else if ((rc = es_file_write(ctx, out, sig, sig_len, 0644)) != ES_OK) {
        ex = cli_fail(ctx, rc, "writing %s", out);
    } else {
        printf("signature (%zu bytes) written to %s\n", sig_len, out);
    }
    es_key_free(k);
    es_cert_free(ct);
    es_tsa_free(tsa);
    es_free(sd);
    es_free(data);
    es_free(sig);
    es_ctx_free(ctx);
    return ex;
}
