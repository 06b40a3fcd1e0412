/*
 * cli/cmd_log.c - `eseal log verify`: offline checks of an eseald
 * transparency log (docs/transparency-log.md):
 *   --entry E --proof P --sth S    E is in the tree that S signs
 *   --sth S --sth2 S2 --proof P    S2's tree extends S's (consistency)
 *   --export X --sth S             X's entries give S's root
 * Tree heads are checked with --platform CERT (the node's certificate);
 * without it the verdict is INDETERMINATE, since anyone can write a head.
 *
 * Exit codes: 0 verified, 1 a proof, root or signature fails (the log was
 * tampered with or forked), 2 proofs hold but the heads' signatures were
 * not checked, 3 unreadable input or usage.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int fail_exit(es_ctx *ctx, int rc, const char *what)
{
    int ex = cli_fail(ctx, rc, "%s", what);
    if (rc == ES_ERR_CRYPTO_PROOF || rc == ES_ERR_CRYPTO_SIGNATURE) {
        return EXIT_FAILED;
    }
    return ex;
}

static int load_head(es_ctx *ctx, const char *path, const es_cert *platform, es_tlog_head *h)
{
    uint8_t *d = NULL;
    size_t n = 0;
    int rc = es_file_read_all(ctx, path, CLI_MAX_FILE, &d, &n);
    if (rc != ES_OK) {
        return cli_fail(ctx, rc, "%s", path);
    }
    rc = es_tlog_sth_verify(ctx, d, n, platform, h);
    es_free(d);
    if (rc != ES_OK) {
        char what[600];
        snprintf(what, sizeof(what), "tree head %s", path);
        return fail_exit(ctx, rc, what);
    }
    return 0;
}

/* The leaf bytes of an entry file: the tbs of a signed entry envelope, or
 * the file itself. OUT (owned, es_free). */
static int load_entry(es_ctx *ctx, const char *path, uint8_t **out, size_t *out_len)
{
    uint8_t *d = NULL;
    size_t n = 0;
    int rc = es_file_read_all(ctx, path, CLI_MAX_FILE, &d, &n);
    if (rc != ES_OK) {
        return cli_fail(ctx, rc, "%s", path);
    }
    json_t *j = json_loadb((const char *)d, n, 0, NULL);
    const char *t64 = json_string_value(json_object_get(j, "tbs"));
    if (t64) {
        uint8_t *t = NULL;
        size_t tl = 0;
        rc = es_base64_decode(t64, &t, &tl);
        json_decref(j);
        es_free(d);
        if (rc != ES_OK) {
            return cli_fail(ctx, rc, "%s: tbs", path);
        }
        *out = t;
        *out_len = tl;
        return 0;
    }
    json_decref(j);
    *out = d;
    *out_len = n;
    return 0;
}

static void print_head(const char *label, const es_tlog_head *h)
{
    char root[65];
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        root[2 * i] = hex[h->root[i] >> 4];
        root[2 * i + 1] = hex[h->root[i] & 15];
    }
    root[64] = '\0';
    printf("%s: node %s, %llu entries, root %s\n", label, h->node,
           (unsigned long long)h->tree_size, root);
}

static int log_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"entry", required_argument, NULL, 'e'},   {"proof", required_argument, NULL, 'p'},
        {"sth", required_argument, NULL, 's'},     {"sth2", required_argument, NULL, 'S'},
        {"export", required_argument, NULL, 'x'},  {"platform", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *entry = NULL, *proof = NULL, *sth = NULL, *sth2 = NULL, *exp = NULL;
    const char *plat = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:p:s:S:x:P:h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': entry = optarg; break;
        case 'p': proof = optarg; break;
        case 's': sth = optarg; break;
        case 'S': sth2 = optarg; break;
        case 'x': exp = optarg; break;
        case 'P': plat = optarg; break;
        case 'h':
            printf("usage: eseal log verify --entry E --proof P --sth S [--platform CERT]\n"
                   "       eseal log verify --sth OLD --sth2 NEW --proof P [--platform CERT]\n"
                   "       eseal log verify --export X --sth S [--platform CERT]\n"
                   "E: the entry's bytes or its signed envelope; P: an inclusion proof\n"
                   "{leaf_index,tree_size,path} or a consistency proof {first,second,path};\n"
                   "S: a signed tree head; X: GET /api/v1/log/entries output. Exit 0 verified,\n"
                   "1 a proof, root or signature fails, 2 heads not checked (no --platform),\n"
                   "3 unreadable input.\n");
            return 0;
        default: return cli_usage("log verify: bad option");
        }
    }
    int modes = (entry != NULL) + (sth2 != NULL) + (exp != NULL);
    if (argc != optind || !sth || modes != 1 || (!exp && !proof) || (exp && proof)) {
        return cli_usage("usage: eseal log verify (--entry E --proof P | --sth2 NEW --proof P | "
                         "--export X) --sth S [--platform CERT]");
    }
    es_ctx *ctx = es_ctx_new();
    es_cert *pc = NULL;
    uint8_t *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;
    es_tlog_head h1, h2;
    int rc, ex = 0;
    if (plat && (rc = es_cert_load(ctx, plat, NULL, &pc)) != ES_OK) {
        ex = cli_fail(ctx, rc, "--platform %s", plat);
        goto out;
    }
    if ((ex = load_head(ctx, sth, pc, &h1)) != 0) {
        goto out;
    }
    print_head(sth2 ? "old tree head" : "tree head", &h1);
    if (entry) {
        if ((ex = load_entry(ctx, entry, &a, &al)) != 0) {
            goto out;
        }
        if ((rc = es_file_read_all(ctx, proof, CLI_MAX_FILE, &b, &bl)) != ES_OK) {
            ex = cli_fail(ctx, rc, "%s", proof);
            goto out;
        }
        if ((rc = es_tlog_inclusion_verify_json(ctx, a, al, b, bl, &h1)) != ES_OK) {
            ex = fail_exit(ctx, rc, "inclusion");
            goto out;
        }
        printf("the entry is in the log (inclusion proof verified)\n");
    } else if (sth2) {
        if ((ex = load_head(ctx, sth2, pc, &h2)) != 0) {
            goto out;
        }
        print_head("new tree head", &h2);
        if ((rc = es_file_read_all(ctx, proof, CLI_MAX_FILE, &b, &bl)) != ES_OK) {
            ex = cli_fail(ctx, rc, "%s", proof);
            goto out;
        }
        if (strcmp(h1.node, h2.node) != 0) {
            fprintf(stderr, "eseal: the tree heads are of different nodes (%s, %s)\n", h1.node,
                    h2.node);
            ex = EXIT_FAILED;
            goto out;
        }
        if ((rc = es_tlog_consistency_verify_json(ctx, b, bl, &h1, &h2)) != ES_OK) {
            ex = fail_exit(ctx, rc, "consistency");
            goto out;
        }
        printf("the new tree extends the old one (consistency proof verified)\n");
    } else {
        uint64_t n = 0;
        if ((rc = es_file_read_all(ctx, exp, CLI_MAX_FILE, &a, &al)) != ES_OK) {
            ex = cli_fail(ctx, rc, "%s", exp);
            goto out;
        }
        if ((rc = es_tlog_export_verify(ctx, a, al, &h1, &n)) != ES_OK) {
            ex = fail_exit(ctx, rc, exp);
            goto out;
        }
        printf("the first %llu of %llu exported entries give the tree head's root\n",
               (unsigned long long)h1.tree_size, (unsigned long long)n);
    }
    if (!pc) {
        printf("INDETERMINATE: the tree head signatures were not checked (give --platform)\n");
        ex = EXIT_INDETERMINATE;
    } else {
        printf("VERIFIED: tree heads signed by %s\n", es_cert_subject(pc));
    }
out:
    es_free(a);
    es_free(b);
    es_cert_free(pc);
    es_ctx_free(ctx);
    return ex;
}

int cmd_log(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        return log_verify(argc - 1, argv + 1);
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: eseal log verify ... (eseal log verify --help)\n");
        return 0;
    }
    return cli_usage("usage: eseal log verify ...");
}
