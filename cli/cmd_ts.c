/*
 * cli/cmd_ts.c - `eseal ts request|reply|verify`: RFC 3161 time stamps with
 * SM2/SM3 (or an ECDSA P-256 TSA key, for interoperability tests), through
 * the public API of eseal/ts.h. Files are DER, as `openssl ts` writes them.
 */
#include <ctype.h>
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* "0a1b..." (1 to 32 bytes) into out; 0 on anything else. */
static int parse_hex(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    size_t len = strlen(s);
    if (len == 0 || len % 2 || len / 2 > cap) {
        return 0;
    }
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
            sscanf(s + 2 * i, "%2x", &v) != 1) {
            return 0;
        }
        out[i] = (uint8_t)v;
    }
    *n = len / 2;
    return 1;
}

static int ts_request(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"policy", required_argument, NULL, 'P'},
                                         {"no-nonce", no_argument, NULL, 'N'},
                                         {"cert", no_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *policy = NULL;
    int nonce = 1, cert = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:P:Nc", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'P': policy = optarg; break;
        case 'N': nonce = 0; break;
        case 'c': cert = 1; break;
        default: return cli_usage("ts request: bad option");
        }
    }
    if (argc - optind != 1 || !out) {
        return cli_usage("usage: eseal ts request FILE -o REQ.tsq [--policy OID] [--cert] "
                         "[--no-nonce]");
    }
    es_ctx *ctx = es_ctx_new();
    uint8_t *data = NULL, *req = NULL, n[8], h[32];
    size_t dl = 0, rl = 0;
    int rc, ex = 0;
    if ((rc = es_file_read_all(ctx, argv[optind], CLI_MAX_FILE, &data, &dl)) != ES_OK) {
        ex = cli_fail(ctx, rc, "data");
    } else if (nonce && (rc = es_ts_nonce(ctx, n, sizeof(n))) != ES_OK) {
        ex = cli_fail(ctx, rc, "nonce");
    } else {
        es_sm3(data, dl, h);
        es_ts_req_params p = {.digest = h, .digest_len = 32, .policy = policy,
                              .nonce = nonce ? n : NULL, .nonce_len = nonce ? sizeof(n) : 0,
                              .cert_req = cert};
        if ((rc = es_ts_request(ctx, &p, &req, &rl)) != ES_OK) {
            ex = cli_fail(ctx, rc, "request");
        } else if ((rc = es_file_write(ctx, out, req, rl, 0644)) != ES_OK) {
            ex = cli_fail(ctx, rc, "writing %s", out);
        } else {
            printf("time-stamp request (SM3 imprint, %zu bytes) written to %s\n", rl, out);
            if (nonce) {
                /* for `eseal ts verify --nonce`: the answer must echo it */
                printf("nonce: ");
                for (size_t i = 0; i < sizeof(n); i++) {
                    printf("%02x", n[i]);
                }
                printf("\n");
            }
        }
    }
    es_free(data);
    es_free(req);
    es_ctx_free(ctx);
    return ex;
}

static int ts_reply(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"tsa-key", required_argument, NULL, 'k'},
        {"tsa-cert", required_argument, NULL, 'c'}, {"pass", required_argument, NULL, 'p'},
        {"policy", required_argument, NULL, 'P'}, {"time", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0}};
    const char *out = NULL, *key = NULL, *cert = NULL, *pass = NULL, *policy = NULL;
    int64_t at = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:k:c:p:P:t:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'k': key = optarg; break;
        case 'c': cert = optarg; break;
        case 'p': pass = cli_pass(optarg); break;
        case 'P': policy = optarg; break;
        case 't':
            if (!cli_parse_time(optarg, &at)) {
                return cli_usage("ts reply: bad --time '%s'", optarg);
            }
            break;
        default: return cli_usage("ts reply: bad option");
        }
    }
    if (argc - optind != 1 || !out || !key || !cert) {
        return cli_usage("usage: eseal ts reply REQ.tsq --tsa-key K --tsa-cert C -o RESP.tsr "
                         "[--pass P] [--policy OID] [--time T]");
    }
    es_ctx *ctx = es_ctx_new();
    es_tsa *tsa = NULL;
    uint8_t *req = NULL, *resp = NULL;
    size_t ql = 0, rl = 0;
    int rc, ex = 0;
    if ((rc = es_file_read_all(ctx, argv[optind], 1024 * 1024, &req, &ql)) != ES_OK) {
        ex = cli_fail(ctx, rc, "request");
    } else if ((rc = es_tsa_load(ctx, key, pass, cert, &tsa)) != ES_OK) {
        ex = cli_fail(ctx, rc, "TSA");
    } else if (policy && (rc = es_tsa_set_policy(ctx, tsa, policy)) != ES_OK) {
        ex = cli_fail(ctx, rc, "policy");
    } else {
        es_tsa_set_time(tsa, at);
        if ((rc = es_tsa_respond(ctx, tsa, req, ql, &resp, &rl)) != ES_OK) {
            ex = cli_fail(ctx, rc, "reply");
        } else if ((rc = es_file_write(ctx, out, resp, rl, 0644)) != ES_OK) {
            ex = cli_fail(ctx, rc, "writing %s", out);
        } else {
            printf("time-stamp response (%zu bytes) written to %s\n", rl, out);
        }
    }
    es_tsa_free(tsa);
    es_free(req);
    es_free(resp);
    es_ctx_free(ctx);
    return ex;
}

static int ts_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"trust", required_argument, NULL, 'T'},
        {"token", no_argument, NULL, 'K'},      {"tsa-cert", required_argument, NULL, 'c'},
        {"nonce", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
    const char *data_path = NULL, *trust_path = NULL, *tsa_cert = NULL;
    uint8_t nonce[32];
    size_t nonce_len = 0;
    int token = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:T:Kc:n:", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_hex(optarg, nonce, sizeof(nonce), &nonce_len)) {
                return cli_usage("ts verify: --nonce takes 1 to 32 bytes in hex, as "
                                 "`eseal ts request` prints them");
            }
            break;
        case 'd': data_path = optarg; break;
        case 'T': trust_path = optarg; break;
        case 'K': token = 1; break;
        case 'c': tsa_cert = optarg; break;
        default: return cli_usage("ts verify: bad option");
        }
    }
    if (argc - optind != 1 || !data_path) {
        return cli_usage("usage: eseal ts verify RESP.tsr --data FILE [--trust PATH] "
                         "[--token] [--tsa-cert C] [--nonce HEX]");
    }
    es_ctx *ctx = es_ctx_new();
    es_trust *trust = NULL;
    es_cert *tc = NULL;
    uint8_t *in = NULL, *data = NULL;
    size_t il = 0, dl = 0;
    int rc, ex = EXIT_INTERNAL;
    es_ts_info i;
    if ((rc = es_file_read_all(ctx, argv[optind], 1024 * 1024, &in, &il)) != ES_OK ||
        (rc = es_file_read_all(ctx, data_path, CLI_MAX_FILE, &data, &dl)) != ES_OK) {
        ex = cli_fail(ctx, rc, "input");
    } else if ((rc = es_trust_new(ctx, &trust)) != ES_OK ||
               (trust_path && (rc = es_trust_add_path(ctx, trust, trust_path)) != ES_OK)) {
        ex = cli_fail(ctx, rc, "trust anchors");
    } else if (tsa_cert && (rc = es_cert_load(ctx, tsa_cert, NULL, &tc)) != ES_OK) {
        ex = cli_fail(ctx, rc, "TSA certificate");
    } else {
        es_ts_verify_opts o = {.trust = trust, .tsa_cert = tc, .nonce = nonce_len ? nonce : NULL,
                               .nonce_len = nonce_len};
        rc = token ? es_ts_verify_token(ctx, &o, in, il, data, dl, NULL, 0, &i)
                   : es_ts_verify_response(ctx, &o, in, il, data, dl, NULL, 0, &i);
        if (rc != ES_OK) {
            ex = cli_fail(ctx, rc, "verify");
        } else {
            char gt[21];
            printf("status:   %s\n", i.status == ES_TS_VALID ? "VALID" : i.reason);
            printf("detail:   %s\n", i.detail);
            if (i.parsed) {
                time_t tt = (time_t)i.gen_time;
                struct tm tmv;
                gmtime_r(&tt, &tmv);
                strftime(gt, sizeof(gt), "%Y-%m-%dT%H:%M:%SZ", &tmv);
                printf("genTime:  %s\nserial:   %s\npolicy:   %s\nimprint:  %s\nTSA:      %s\n",
                       gt, i.serial_hex, i.policy, i.hash_alg,
                       i.tsa_subject[0] ? i.tsa_subject : "(unknown)");
                printf("nonce:    ");
                for (size_t k = 0; k < i.nonce_len; k++) {
                    printf("%02x", i.nonce[k]);
                }
                printf("%s\n", i.nonce_len ? "" : "(none)");
            }
            ex = i.status == ES_TS_VALID ? EXIT_PASSED
                 : (i.status == ES_TS_UNTRUSTED || i.status == ES_TS_NO_TRUST_ANCHOR ||
                    i.status == ES_TS_UNSUPPORTED)
                     ? EXIT_INDETERMINATE
                     : EXIT_FAILED;
        }
    }
    es_cert_free(tc);
    es_trust_free(trust);
    es_free(in);
    es_free(data);
    es_ctx_free(ctx);
    return ex;
}

int cmd_ts(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("usage: eseal ts request FILE -o REQ.tsq [--policy OID] [--cert] [--no-nonce]\n"
               "       eseal ts reply REQ.tsq --tsa-key K --tsa-cert C -o RESP.tsr [--pass P]\n"
               "                [--policy OID] [--time T]\n"
               "       eseal ts verify RESP.tsr --data FILE [--trust PATH] [--token]\n"
               "                [--tsa-cert C] [--nonce HEX]\n"
               "RFC 3161 time stamps signed with SM2/SM3 (GM/T 0033 profile); see\n"
               "docs/timestamps.md. verify exits 0 valid, 1 invalid, 2 untrusted.\n"
               "--nonce: the nonce `ts request` printed; an answer that does not echo it\n"
               "(replayed, or for another request) is TIMESTAMP_NONCE_MISMATCH.\n");
        return argc < 2 ? EXIT_INPUT : 0;
    }
    if (strcmp(argv[1], "request") == 0) {
        return ts_request(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "reply") == 0) {
        return ts_reply(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "verify") == 0) {
        return ts_verify(argc - 1, argv + 1);
    }
    return cli_usage("ts: unknown subcommand '%s' (request, reply, verify)", argv[1]);
}
