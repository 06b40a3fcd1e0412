/*
 * cli/cmd_audit.c - `eseal audit verify EXPORT.json...`: recomputes the hash
 * chain of an audit log exported from eseald (GET /api/v1/audit), so that an
 * auditor needs nothing but this command to detect an edited, deleted or
 * reordered entry. Each entry's hash is SM3(prev_hash || seq (u64 BE) ||
 * at (u64 BE) || for actor, action, object, detail: length (u32 BE) ||
 * bytes), the first prev_hash being 32 zero bytes (docs/operations.md).
 * Several files are pages of one export, in order.
 */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "cli.h"

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static bool hex32(const char *s, uint8_t out[32])
{
    if (!s || strlen(s) != 64) {
        return false;
    }
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            return false;
        }
        out[i] = (uint8_t)v;
    }
    return true;
}

static void tohex(const uint8_t *p, char out[65])
{
    for (int i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    }
}

/* Returns 0 intact, 1 broken (message printed), 3 unreadable. */
static int check_entry(json_t *row, uint8_t prev[32], int64_t *last_seq)
{
    json_t *seq = json_object_get(row, "seq");
    json_t *at = json_object_get(row, "at");
    const char *names[4] = {"actor", "action", "object", "detail"};
    const char *vals[4];
    if (!json_is_integer(seq) || !json_is_integer(at)) {
        fprintf(stderr, "eseal: audit entry without integer seq/at\n");
        return EXIT_INPUT;
    }
    int64_t s = json_integer_value(seq);
    for (int i = 0; i < 4; i++) {
        json_t *v = json_object_get(row, names[i]);
        vals[i] = json_is_string(v) ? json_string_value(v) : json_is_null(v) ? "" : NULL;
        if (!vals[i]) {
            fprintf(stderr, "eseal: audit entry %lld: '%s' is not a string\n", (long long)s,
                    names[i]);
            return EXIT_INPUT;
        }
    }
    uint8_t claimed_prev[32], claimed[32];
    if (!hex32(json_string_value(json_object_get(row, "prev_hash")), claimed_prev) ||
        !hex32(json_string_value(json_object_get(row, "hash")), claimed)) {
        fprintf(stderr, "eseal: audit entry %lld: prev_hash/hash are not 64 hex digits\n",
                (long long)s);
        return EXIT_INPUT;
    }
    if (*last_seq >= 0 && s != *last_seq + 1) {
        printf("BROKEN: entry %lld follows entry %lld (missing or reordered entries)\n",
               (long long)s, (long long)*last_seq);
        return EXIT_FAILED;
    }
    if (memcmp(claimed_prev, prev, 32) != 0) {
        printf("BROKEN: entry %lld does not link to the entry before it\n", (long long)s);
        return EXIT_FAILED;
    }
    es_sm3_ctx c;
    uint8_t b[16];
    es_sm3_init(&c);
    es_sm3_update(&c, prev, 32);
    put_be(b, (uint64_t)s, 8);
    put_be(b + 8, (uint64_t)json_integer_value(at), 8);
    es_sm3_update(&c, b, 16);
    for (int i = 0; i < 4; i++) {
        size_t n = strnlen(vals[i], 1024);
        put_be(b, n, 4);
        es_sm3_update(&c, b, 4);
        es_sm3_update(&c, vals[i], n);
    }
    uint8_t h[32];
    es_sm3_final(&c, h);
    if (memcmp(h, claimed, 32) != 0) {
        printf("TAMPERED: entry %lld (%s %s) does not hash to its recorded value\n",
               (long long)s, vals[1], vals[2]);
        return EXIT_FAILED;
    }
    memcpy(prev, h, 32);
    *last_seq = s;
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {{"head", required_argument, NULL, 'H'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *want_head = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "H:h", opts, NULL)) != -1) {
        switch (c) {
        case 'H': want_head = optarg; break;
        case 'h':
            printf("usage: eseal audit verify EXPORT.json... [--head HASH]\n"
                   "Recomputes the SM3 hash chain of an audit log exported from eseald\n"
                   "(GET /api/v1/audit; several files are pages in order). --head compares\n"
                   "the last hash with a signed head kept earlier. Exit: 0 intact,\n"
                   "1 tampered or broken, 3 unreadable.\n");
            return 0;
        default: return cli_usage("audit: bad option");
        }
    }
    if (argc - optind < 2 || strcmp(argv[optind], "verify") != 0) {
        return cli_usage("usage: eseal audit verify EXPORT.json...");
    }
    uint8_t prev[32] = {0};
    int64_t last = -1;
    size_t n = 0;
    for (int i = optind + 1; i < argc; i++) {
        json_error_t err;
        json_t *doc = json_load_file(argv[i], JSON_REJECT_DUPLICATES, &err);
        if (!doc) {
            fprintf(stderr, "eseal: %s: line %d: %s\n", argv[i], err.line, err.text);
            return EXIT_INPUT;
        }
        json_t *entries = json_object_get(doc, "entries");
        if (!json_is_array(entries)) {
            fprintf(stderr, "eseal: %s: no \"entries\" array (not an audit export)\n", argv[i]);
            json_decref(doc);
            return EXIT_INPUT;
        }
        size_t k;
        json_t *row;
        json_array_foreach(entries, k, row)
        {
            int rc = check_entry(row, prev, &last);
            if (rc != 0) {
                json_decref(doc);
                return rc;
            }
            n++;
        }
        json_decref(doc);
    }
    char hx[65];
    tohex(prev, hx);
    if (want_head && strcasecmp(want_head, hx) != 0) {
        printf("BROKEN: the chain ends at %s, not at the expected head %s\n", hx, want_head);
        return EXIT_FAILED;
    }
    printf("audit chain intact: %zu entries, head %s\n", n, hx);
    return 0;
}
