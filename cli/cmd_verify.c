/*
 * cli/cmd_verify.c - `eseal verify`: a seal, a detached signature with its
 * data, or a document; prints the report (text or --json) and exits with
 * the verdict's code.
 */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Documents: dispatched on the type es_detect found. */
static int verify_document(es_ctx *ctx, const es_verify_opts *o, const char *kind,
                           const uint8_t *data, size_t len, es_report **out)
{
    if (strcmp(kind, "zip") == 0) {
        return es_ofd_verify(ctx, o, data, len, out);
    }
    return es_pdf_verify(ctx, o, NULL, data, len, out); /* "pdf" */
}

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},  {"trust", required_argument, NULL, 't'},
        {"no-chain", no_argument, NULL, 'N'},    {"json", no_argument, NULL, 'j'},
        {"at", required_argument, NULL, 'a'},    {"strict", no_argument, NULL, 'S'},
        {"trust-list", required_argument, NULL, 'L'},
        {"trust-list-signer", required_argument, NULL, 'G'},
        {"trust-list-min-seq", required_argument, NULL, 'Q'},
        {"trust-anchor", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *data_path = NULL;
    const char *trusts[32];
    size_t n_trust = 0;
    const char *anchors[32];
    size_t n_anchors = 0;
    const char *tl_path = NULL;
    const char *tl_signers[32];
    size_t n_tl_signers = 0;
    int64_t tl_min_seq = 0;
    bool json = false, strict = false;
    es_verify_opts o;
    memset(&o, 0, sizeof(o));
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:t:Nja:Sh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data_path = optarg; break;
        case 't':
            if (n_trust == 32) {
                return cli_usage("verify: at most 32 --trust");
            }
            trusts[n_trust++] = optarg;
            break;
        case 'A':
            if (n_anchors == 32) {
                return cli_usage("verify: at most 32 --trust-anchor");
            }
            anchors[n_anchors++] = optarg;
            break;
        case 'N': o.no_chain = 1; break;
        case 'j': json = true; break;
        case 'S': strict = true; break;
        case 'L': tl_path = optarg; break;
        case 'Q':
            if (!cli_parse_int(optarg, 0, INT64_MAX, &tl_min_seq)) {
                return cli_usage("verify: bad --trust-list-min-seq '%s'", optarg);
            }
            break;
        case 'G':
            if (n_tl_signers == 32) {
                return cli_usage("verify: at most 32 --trust-list-signer");
            }
            tl_signers[n_tl_signers++] = optarg;
            break;
        case 'a':
            if (!cli_parse_time(optarg, &o.at)) {
                return cli_usage("verify: bad --at '%s'", optarg);
            }
            break;
        case 'h':
            printf("usage: eseal verify FILE [--data DATA] [--trust PEM|DIR]...\n"
                   "                   [--trust-anchor PEM|DIR]... [--no-chain]\n"
                   "                   [--json] [--at DATE] [--strict]\n"
                   "                   [--trust-list LIST.json --trust-list-signer CERT...\n"
                   "                    [--trust-list-min-seq N]]\n"
                   "FILE is a seal (.esl), a detached SES_Signature (with --data), or a\n"
                   "document. Without --trust the chain checks are INDETERMINATE; --no-chain\n"
                   "skips them for an integrity-and-binding verdict. --trust uses self-signed\n"
                   "certificates as anchors and the others as intermediates; --trust-anchor\n"
                   "makes every certificate given an anchor, self-signed or not (a chain\n"
                   "may end there). --at sets the time for a seal checked alone.\n"
                   "--trust-list adds the CAs and makers of a signed trust list (checked\n"
                   "against --trust-list-signer) as anchors, its TSAs as --trust does, and\n"
                   "judges their recognition at the seal's and the signature's times\n"
                   "(docs/trustlist.md). Exit: 0 TOTAL-PASSED, 1 TOTAL-FAILED, 2\n"
                   "INDETERMINATE, 3 unreadable input, 4 trust list refused.\n");
            return 0;
        default: return cli_usage("verify: bad option");
        }
    }
    if (argc - optind != 1) {
        return cli_usage("usage: eseal verify FILE [options]");
    }
    if (!tl_path != !n_tl_signers) {
        return cli_usage("verify: --trust-list and --trust-list-signer go together");
    }
    const char *file = argv[optind];
    o.file = file;
    es_ctx *ctx = es_ctx_new();
    es_trust *trust = NULL;
    es_trustlist *tl = NULL;
    uint8_t *in = NULL, *data = NULL;
    size_t in_len = 0, data_len = 0;
    es_report *rep = NULL;
    int rc, ex = 0;
    if (strict) {
        es_ctx_set_profile(ctx, ES_PROFILE_STRICT);
    }
    if ((ex = cli_load_trust(ctx, trusts, n_trust, &trust)) != 0) {
        goto out;
    }
    /* explicit anchors that need not be self-signed (docs/trustlist.md) */
    if (n_anchors && !trust && (rc = es_trust_new(ctx, &trust)) != ES_OK) {
        ex = cli_fail(ctx, rc, "trust");
        goto out;
    }
    for (size_t i = 0; i < n_anchors; i++) {
        if ((rc = es_trust_add_path_partial(ctx, trust, anchors[i])) != ES_OK) {
            ex = cli_fail(ctx, rc, "--trust-anchor %s", anchors[i]);
            goto out;
        }
    }
    if (tl_path && (ex = cli_load_trust_list(ctx, tl_path, tl_signers, n_tl_signers, tl_min_seq,
                                             &trust, &tl)) != 0) {
        goto out;
    }
    o.trust = trust;
    o.trust_list = tl;
    if ((rc = es_file_read_all(ctx, file, CLI_MAX_FILE, &in, &in_len)) != ES_OK) {
        ex = cli_fail(ctx, rc, "%s", file);
        goto out;
    }
    int ver = 0;
    const char *kind = es_detect(in, in_len, &ver);
    bool unreadable = false;
    if (strcmp(kind, "seal") == 0) {
        es_seal *s = NULL;
        if ((rc = es_seal_decode(ctx, in, in_len, &s)) != ES_OK) {
            cli_fail(ctx, rc, "%s: cannot read the seal", file);
            unreadable = true;
        }
        es_seal_free(s);
        rc = es_verify_seal(ctx, &o, in, in_len, &rep);
    } else if (strcmp(kind, "ses-signature") == 0) {
        es_signature *g = NULL;
        if ((rc = es_signature_decode(ctx, in, in_len, &g)) != ES_OK) {
            cli_fail(ctx, rc, "%s: cannot read the signature", file);
            unreadable = true;
        }
        es_signature_free(g);
        if (data_path &&
            (rc = es_file_read_all(ctx, data_path, CLI_MAX_FILE, &data, &data_len)) != ES_OK) {
            ex = cli_fail(ctx, rc, "--data %s", data_path);
            goto out;
        }
        rc = es_verify_detached(ctx, &o, in, in_len, data, data_len, &rep);
    } else if (strcmp(kind, "zip") == 0 || strcmp(kind, "pdf") == 0) {
        rc = verify_document(ctx, &o, kind, in, in_len, &rep);
        if (rc != ES_OK) {
            ex = cli_fail(ctx, rc, "%s", file);
            goto out;
        }
    } else {
        es_seal *s = NULL;
        /* neither shape: report why the seal reading failed, with its offset */
        rc = es_seal_decode(ctx, in, in_len, &s);
        es_seal_free(s);
        ex = cli_fail(ctx, rc == ES_OK ? ES_ERR_FORMAT_STRUCTURE : rc,
                      "%s: not a seal, a seal signature or a document (%s)", file, kind);
        goto out;
    }
    if (rc != ES_OK) {
        ex = cli_fail(ctx, rc, "verify %s", file);
        goto out;
    }
    ex = cli_print_report(ctx, rep, json);
    if (unreadable) {
        ex = EXIT_INPUT;
    }
out:
    es_report_free(rep);
    es_trust_free(trust);
    es_trustlist_free(tl);
    es_free(in);
    es_free(data);
    es_ctx_free(ctx);
    return ex;
}
