/*
 * cli/cmd_trustlist.c - `eseal trustlist create|sign|inspect|verify`: write
 * the content of a trust list, sign it (handing the signer over to a new key
 * when asked), show one, and check one against the list signers a reader
 * trusts. Format: docs/trustlist.md.
 *
 * Exit codes of verify: 0 valid and current, 1 signature or signer refused,
 * 2 valid but stale (past next_update), 3 unreadable or malformed.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define MAX_ITEMS 256

static void fmt_time(int64_t t, char out[21])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int read_file(es_ctx *ctx, const char *path, uint8_t **out, size_t *len)
{
    int rc = es_file_read_all(ctx, path, CLI_MAX_FILE, out, len);
    return rc == ES_OK ? 0 : cli_fail(ctx, rc, "%s", path);
}

static int write_text(es_ctx *ctx, const char *path, const char *text)
{
    int rc = es_file_write(ctx, path, text, strlen(text), 0644);
    return rc == ES_OK ? 0 : cli_fail(ctx, rc, "%s", path);
}

/* The entry named `name` in the content's entries, or NULL. */
static json_t *find_entry(json_t *c, const char *name)
{
    json_t *a = json_object_get(c, "entries");
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *e = json_array_get(a, i);
        const char *n = json_string_value(json_object_get(e, "name"));
        if (n && strcmp(n, name) == 0) {
            return e;
        }
    }
    return NULL;
}

/* "NAME=CERT" or, for platforms, "NAME=CERT,NODE,URL" into a new entry. */
static int add_entry(es_ctx *ctx, json_t *c, const char *kind, const char *spec, int64_t since)
{
    char buf[2048];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *eq = strchr(buf, '=');
    if (!eq || eq == buf) {
        return cli_usage("trustlist create: --%s wants NAME=CERT%s", kind,
                         strcmp(kind, "platform") == 0 ? ",NODE,URL" : "");
    }
    *eq = '\0';
    char *path = eq + 1, *node = NULL, *url = NULL;
    if (strcmp(kind, "platform") == 0) {
        node = strchr(path, ',');
        url = node ? strchr(node + 1, ',') : NULL;
        if (!node || !url) {
            return cli_usage("trustlist create: --platform wants NAME=CERT,NODE,URL");
        }
        *node++ = '\0';
        *url++ = '\0';
    }
    if (find_entry(c, buf)) {
        return cli_usage("trustlist create: two entries named '%s'", buf);
    }
    es_cert *cert = NULL;
    int rc = es_cert_load(ctx, path, NULL, &cert);
    if (rc != ES_OK) {
        return cli_fail(ctx, rc, "--%s %s", kind, path);
    }
    es_bytes der = es_cert_der(cert);
    char *b64 = NULL;
    rc = es_base64_encode(der.ptr, der.len, &b64);
    es_cert_free(cert);
    if (rc != ES_OK) {
        return cli_fail(ctx, rc, "--%s %s", kind, path);
    }
    char from[21];
    fmt_time(since, from);
    json_t *e = json_pack("{s:s,s:s,s:s,s:[{s:s,s:s}]}", "kind", kind, "name", buf, "cert", b64,
                          "history", "status", "recognised", "from", from);
    es_free(b64);
    if (node) {
        json_object_set_new(e, "node", json_string(node));
        json_object_set_new(e, "url", json_string(url));
    }
    json_array_append_new(json_object_get(c, "entries"), e);
    return 0;
}

/* "NAME=DATE": a new period for the entry. */
static int add_period(json_t *c, const char *spec, const char *status)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *eq = strrchr(buf, '=');
    int64_t t;
    if (!eq || !cli_parse_time(eq + 1, &t)) {
        return cli_usage("trustlist create: --%s wants NAME=DATE",
                         strcmp(status, "withdrawn") == 0 ? "withdraw" : "recognise");
    }
    *eq = '\0';
    json_t *e = find_entry(c, buf);
    if (!e) {
        return cli_usage("trustlist create: no entry named '%s'", buf);
    }
    char from[21];
    fmt_time(t, from);
    json_array_append_new(json_object_get(e, "history"),
                          json_pack("{s:s,s:s}", "status", status, "from", from));
    return 0;
}

/* Content to start from: a content file or a signed list (its content). */
static json_t *load_base(es_ctx *ctx, const char *path)
{
    uint8_t *d = NULL;
    size_t n = 0;
    if (read_file(ctx, path, &d, &n) != 0) {
        return NULL;
    }
    json_t *j = json_loadb((const char *)d, n, JSON_REJECT_DUPLICATES, NULL);
    es_free(d);
    if (j && json_object_get(j, "tbs")) {
        json_t *c = json_incref(json_object_get(j, "content"));
        json_decref(j);
        j = c;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        fprintf(stderr, "eseal: %s: not a trust list or its content\n", path);
        return NULL;
    }
    json_object_del(j, "signer_cert");
    return j;
}

static int tl_create(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},   {"region", required_argument, NULL, 'r'},
        {"seq", required_argument, NULL, 's'},      {"issued", required_argument, NULL, 'i'},
        {"next-update", required_argument, NULL, 'n'}, {"from", required_argument, NULL, 'f'},
        {"since", required_argument, NULL, 'S'},    {"maker", required_argument, NULL, 'm'},
        {"ca", required_argument, NULL, 'c'},       {"tsa", required_argument, NULL, 't'},
        {"platform", required_argument, NULL, 'p'}, {"withdraw", required_argument, NULL, 'w'},
        {"recognise", required_argument, NULL, 'R'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *out = NULL, *region = NULL, *from = NULL;
    int64_t seq = -1, issued = 0, next = 0, since = 0;
    struct {
        char kind;
        const char *arg;
    } items[MAX_ITEMS];
    size_t n_items = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:r:s:i:n:f:S:m:c:t:p:w:R:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'r': region = optarg; break;
        case 'f': from = optarg; break;
        case 's':
            if (!cli_parse_int(optarg, 0, INT64_MAX, &seq)) {
                return cli_usage("trustlist create: bad --seq '%s'", optarg);
            }
            break;
        case 'i':
        case 'n':
        case 'S':
            if (!cli_parse_time(optarg, c == 'i' ? &issued : c == 'n' ? &next : &since)) {
                return cli_usage("trustlist create: bad date '%s'", optarg);
            }
            break;
        case 'm':
        case 'c':
        case 't':
        case 'p':
        case 'w':
        case 'R':
            if (n_items == MAX_ITEMS) {
                return cli_usage("trustlist create: at most %d entries and changes", MAX_ITEMS);
            }
            items[n_items].kind = (char)c;
            items[n_items++].arg = optarg;
            break;
        case 'h':
            printf("usage: eseal trustlist create -o CONTENT.json [--from LIST|CONTENT]\n"
                   "         [--region R] [--seq N] [--issued DATE] [--next-update DATE]\n"
                   "         [--since DATE] [--maker|--ca|--tsa NAME=CERT]...\n"
                   "         [--platform NAME=CERT,NODE,URL]... [--withdraw NAME=DATE]...\n"
                   "         [--recognise NAME=DATE]...\n"
                   "Writes unsigned list content (docs/trustlist.md); new entries are\n"
                   "recognised from --since (default: --issued). Sign it with\n"
                   "'eseal trustlist sign'.\n");
            return 0;
        default: return cli_usage("trustlist create: bad option");
        }
    }
    if (!out || argc != optind) {
        return cli_usage("usage: eseal trustlist create -o CONTENT.json [options]");
    }
    es_ctx *ctx = es_ctx_new();
    int ex = 0;
    json_t *j = from ? load_base(ctx, from) : json_pack("{s:s,s:[]}", "type", ES_TRUSTLIST_TYPE,
                                                        "entries");
    if (!j) {
        ex = from ? EXIT_INPUT : EXIT_INTERNAL;
        goto out;
    }
    if (!json_is_array(json_object_get(j, "entries"))) {
        json_object_set_new(j, "entries", json_array());
    }
    if (!issued) {
        issued = (int64_t)time(NULL);
    }
    char t[21];
    fmt_time(issued, t);
    json_object_set_new(j, "issued", json_string(t));
    if (next) {
        fmt_time(next, t);
        json_object_set_new(j, "next_update", json_string(t));
    }
    if (region) {
        json_object_set_new(j, "region", json_string(region));
    }
    if (seq >= 0) {
        json_object_set_new(j, "seq", json_integer(seq));
    } else if (from) {
        /* a new edition of an existing list: the next number */
        json_object_set_new(j, "seq",
                            json_integer(json_integer_value(json_object_get(j, "seq")) + 1));
    }
    for (size_t i = 0; i < n_items && ex == 0; i++) {
        static const char *kinds[] = {"maker", "ca", "tsa", "platform"};
        const char *k = strchr("mctp", items[i].kind);
        if (k) {
            ex = add_entry(ctx, j, kinds[k - "mctp"], items[i].arg, since ? since : issued);
        } else {
            ex = add_period(j, items[i].arg, items[i].kind == 'w' ? "withdrawn" : "recognised");
        }
    }
    if (ex == 0) {
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
        ex = text ? write_text(ctx, out, text) : EXIT_INTERNAL;
        free(text);
    }
out:
    json_decref(j);
    es_ctx_free(ctx);
    return ex;
}

static int tl_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},           {"cert", required_argument, NULL, 'c'},
        {"pass", required_argument, NULL, 'p'},          {"output", required_argument, NULL, 'o'},
        {"previous-key", required_argument, NULL, 'K'},
        {"previous-cert", required_argument, NULL, 'C'},
        {"previous-pass", required_argument, NULL, 'P'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *kp = NULL, *cp = NULL, *pass = NULL, *out = NULL, *pkp = NULL, *pcp = NULL;
    const char *ppass = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:c:p:o:K:C:P:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': kp = optarg; break;
        case 'c': cp = optarg; break;
        case 'p': pass = optarg; break;
        case 'o': out = optarg; break;
        case 'K': pkp = optarg; break;
        case 'C': pcp = optarg; break;
        case 'P': ppass = optarg; break;
        case 'h':
            printf("usage: eseal trustlist sign CONTENT.json --key K --cert C -o LIST.json\n"
                   "         [--pass P] [--previous-key K0 --previous-cert C0 [--previous-pass "
                   "P0]]\n"
                   "With --previous-*, the previous signer hands over to --cert: a rotation\n"
                   "statement signed with K0 is added to the list (docs/trustlist.md).\n");
            return 0;
        default: return cli_usage("trustlist sign: bad option");
        }
    }
    if (argc - optind != 1 || !kp || !cp || !out || (!pkp != !pcp)) {
        return cli_usage("usage: eseal trustlist sign CONTENT.json --key K --cert C -o LIST.json "
                         "(--previous-key and --previous-cert go together)");
    }
    es_ctx *ctx = es_ctx_new();
    es_key *k = NULL, *pk = NULL;
    es_cert *ct = NULL, *pc = NULL;
    uint8_t *content = NULL;
    size_t n = 0;
    char *doc = NULL;
    size_t dl = 0;
    int rc, ex = 0;
    if ((ex = read_file(ctx, argv[optind], &content, &n)) != 0) {
        goto out;
    }
    if ((rc = cli_load_key(ctx, kp, cli_pass(pass), &k)) != ES_OK) {
        ex = cli_fail(ctx, rc, "--key %s", kp);
        goto out;
    }
    if ((rc = es_cert_load(ctx, cp, NULL, &ct)) != ES_OK) {
        ex = cli_fail(ctx, rc, "--cert %s", cp);
        goto out;
    }
    if (pkp) {
        if ((rc = cli_load_key(ctx, pkp, cli_pass(ppass), &pk)) != ES_OK) {
            ex = cli_fail(ctx, rc, "--previous-key %s", pkp);
            goto out;
        }
        if ((rc = es_cert_load(ctx, pcp, NULL, &pc)) != ES_OK) {
            ex = cli_fail(ctx, rc, "--previous-cert %s", pcp);
            goto out;
        }
    }
    rc = es_trustlist_sign(ctx, (const char *)content, n, k, ct, pk, pc, 0, &doc, &dl);
    if (rc != ES_OK) {
        ex = cli_fail(ctx, rc, "trustlist sign %s", argv[optind]);
        goto out;
    }
    ex = write_text(ctx, out, doc);
out:
    es_free(doc);
    es_free(content);
    es_key_free(k);
    es_key_free(pk);
    es_cert_free(ct);
    es_cert_free(pc);
    es_ctx_free(ctx);
    return ex;
}

static void print_list(const es_trustlist *tl)
{
    char a[21], b[21];
    fmt_time(es_trustlist_issued(tl), a);
    fmt_time(es_trustlist_next_update(tl), b);
    const es_cert *s = es_trustlist_signer(tl);
    printf("trust list of %s, sequence %lld\n  issued %s, next update %s%s\n",
           es_trustlist_region(tl), (long long)es_trustlist_seq(tl), a, b,
           es_trustlist_is_stale(tl) ? " (STALE)" : "");
    printf("  signer %s (serial %s)%s\n", s ? es_cert_subject(s) : "(unreadable)",
           s ? es_cert_serial_hex(s) : "-",
           es_trustlist_verified(tl) ? "" : " - signature NOT checked");
    if (es_trustlist_rotations(tl)) {
        printf("  reached through %zu signer rotation(s)\n", es_trustlist_rotations(tl));
    }
    for (size_t i = 0; i < es_trustlist_count(tl); i++) {
        es_tl_kind k;
        const char *name, *node, *url;
        const es_cert *c;
        (void)es_trustlist_entry(tl, i, &k, &name, &c, &node, &url);
        printf("  %-8s %s: %s", es_tl_kind_name(k), name, es_cert_subject(c));
        if (node) {
            printf(" [node %s, %s]", node, url);
        }
        printf("\n");
        for (size_t j = 0; j < es_trustlist_history_count(tl, i); j++) {
            es_tl_status st;
            int64_t from;
            (void)es_trustlist_history(tl, i, j, &st, &from);
            fmt_time(from, a);
            printf("           %s from %s\n", es_tl_status_name(st), a);
        }
    }
}

static int tl_read(int argc, char **argv, bool verify)
{
    static const struct option opts[] = {{"signer", required_argument, NULL, 's'},
                                         {"at", required_argument, NULL, 'a'},
                                         {"min-seq", required_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *signers[32];
    size_t n_signers = 0;
    int64_t at = 0, min_seq = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:a:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (n_signers == 32) {
                return cli_usage("trustlist: at most 32 --signer");
            }
            signers[n_signers++] = optarg;
            break;
        case 'a':
            if (!cli_parse_time(optarg, &at)) {
                return cli_usage("trustlist: bad --at '%s'", optarg);
            }
            break;
        case 'm':
            if (!cli_parse_int(optarg, 0, INT64_MAX, &min_seq)) {
                return cli_usage("trustlist: bad --min-seq '%s'", optarg);
            }
            break;
        case 'h':
            printf("usage: eseal trustlist inspect LIST.json\n"
                   "       eseal trustlist verify LIST.json --signer CERT... [--at DATE]\n"
                   "                                    [--min-seq N]\n"
                   "verify: the list must be signed by a --signer certificate or reach it\n"
                   "through its rotation chain. Exit 0 valid, 1 signature or signer refused,\n"
                   "2 valid but stale (past next_update at --at or now), 3 unreadable.\n"
                   "--min-seq refuses (exit 1) an edition older than the last one seen.\n");
            return 0;
        default: return cli_usage("trustlist: bad option");
        }
    }
    if (argc - optind != 1 || (verify && n_signers == 0)) {
        return cli_usage(verify ? "usage: eseal trustlist verify LIST.json --signer CERT..."
                                : "usage: eseal trustlist inspect LIST.json");
    }
    es_ctx *ctx = es_ctx_new();
    es_cert *certs[32] = {NULL};
    uint8_t *d = NULL;
    size_t n = 0;
    es_trustlist *tl = NULL;
    int rc, ex = 0;
    for (size_t i = 0; i < n_signers; i++) {
        if ((rc = es_cert_load(ctx, signers[i], NULL, &certs[i])) != ES_OK) {
            ex = cli_fail(ctx, rc, "--signer %s", signers[i]);
            goto out;
        }
    }
    if ((ex = read_file(ctx, argv[optind], &d, &n)) != 0) {
        goto out;
    }
    rc = verify ? es_trustlist_verify(ctx, d, n, (const es_cert *const *)certs, n_signers, at, &tl)
                : es_trustlist_read(ctx, d, n, at, &tl);
    if (rc != ES_OK) {
        ex = cli_fail(ctx, rc, "%s", argv[optind]);
        if (rc == ES_ERR_CRYPTO_SIGNATURE) {
            ex = EXIT_FAILED; /* a refused list, not an unreadable one */
        }
        goto out;
    }
    print_list(tl);
    if (verify && es_trustlist_seq(tl) < min_seq) {
        fprintf(stderr, "eseal: %s: edition %lld is older than --min-seq %lld (a replayed list?)\n",
                argv[optind], (long long)es_trustlist_seq(tl), (long long)min_seq);
        ex = EXIT_FAILED;
    } else if (verify) {
        ex = es_trustlist_is_stale(tl) ? EXIT_INDETERMINATE : EXIT_PASSED;
        printf("%s\n", ex ? "INDETERMINATE: the list is past its next update"
                          : "VALID: signed by a trusted list signer and current");
    }
out:
    es_trustlist_free(tl);
    es_free(d);
    for (size_t i = 0; i < n_signers; i++) {
        es_cert_free(certs[i]);
    }
    es_ctx_free(ctx);
    return ex;
}

int cmd_trustlist(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("usage: eseal trustlist create|sign|inspect|verify ... (--help on each)\n");
        return argc < 2 ? EXIT_INPUT : 0;
    }
    if (strcmp(argv[1], "create") == 0) {
        return tl_create(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "sign") == 0) {
        return tl_sign(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "inspect") == 0) {
        return tl_read(argc - 1, argv + 1, false);
    }
    if (strcmp(argv[1], "verify") == 0) {
        return tl_read(argc - 1, argv + 1, true);
    }
    return cli_usage("trustlist: unknown subcommand '%s'", argv[1]);
}

int cli_load_trust_list(es_ctx *ctx, const char *path, const char *const *signers, size_t n,
                        int64_t min_seq, es_trust **trust, es_trustlist **out)
{
    es_cert *certs[32] = {NULL};
    uint8_t *d = NULL;
    size_t len = 0;
    int rc, ex = 0;
    *out = NULL;
    for (size_t i = 0; i < n && i < 32; i++) {
        if ((rc = es_cert_load(ctx, signers[i], NULL, &certs[i])) != ES_OK) {
            ex = cli_fail(ctx, rc, "--trust-list-signer %s", signers[i]);
            goto out;
        }
    }
    if ((ex = read_file(ctx, path, &d, &len)) != 0) {
        goto out;
    }
    rc = es_trustlist_verify(ctx, d, len, (const es_cert *const *)certs, n < 32 ? n : 32, 0, out);
    if (rc != ES_OK) {
        ex = cli_fail(ctx, rc, "--trust-list %s", path);
        if (rc == ES_ERR_CRYPTO_SIGNATURE) {
            ex = EXIT_POLICY; /* refused, distinct from unreadable */
        }
        goto out;
    }
    if (es_trustlist_seq(*out) < min_seq) {
        fprintf(stderr, "eseal: --trust-list %s: edition %lld is older than %lld (a replayed "
                        "list?)\n",
                path, (long long)es_trustlist_seq(*out), (long long)min_seq);
        ex = EXIT_POLICY;
        goto out;
    }
    if (es_trustlist_is_stale(*out)) {
        fprintf(stderr, "eseal: warning: the trust list %s is past its next update; "
                        "its judgements are INDETERMINATE\n",
                path);
    }
    if (!*trust && (rc = es_trust_new(ctx, trust)) != ES_OK) {
        ex = cli_fail(ctx, rc, "trust");
        goto out;
    }
    if ((rc = es_trustlist_add_to_trust(ctx, *out, *trust)) != ES_OK) {
        ex = cli_fail(ctx, rc, "--trust-list %s", path);
    }
out:
    if (ex != 0) {
        es_trustlist_free(*out);
        *out = NULL;
    }
    es_free(d);
    for (size_t i = 0; i < n && i < 32; i++) {
        es_cert_free(certs[i]);
    }
    return ex;
}
