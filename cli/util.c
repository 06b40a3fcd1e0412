/* cli/util.c - see cli.h */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_exit_for(int rc)
{
    if (rc == ES_ERR_IO_REMOTE) {
        return EXIT_REMOTE;
    }
    switch (es_error_category(rc)) {
    case ES_CAT_OK:
        return EXIT_PASSED;
    case ES_CAT_POLICY:
        return EXIT_POLICY;
    case ES_CAT_INTERNAL:
        return EXIT_INTERNAL;
    default:
        return EXIT_INPUT;
    }
}

int cli_fail(es_ctx *ctx, int rc, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "eseal: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    const char *m = ctx ? es_ctx_errmsg(ctx) : "";
    fprintf(stderr, ": %s [%s]\n", m[0] ? m : es_strerror(rc), es_error_name(rc));
    return cli_exit_for(rc);
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "eseal: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'eseal help')\n");
    return EXIT_INPUT;
}

const char *cli_pass(const char *arg)
{
    if (!arg) {
        return NULL;
    }
    if (strncmp(arg, "env:", 4) == 0) {
        return getenv(arg + 4);
    }
    if (strncmp(arg, "pass:", 5) == 0) {
        return arg + 5;
    }
    if (strncmp(arg, "file:", 5) == 0) {
        static char buf[1024];
        FILE *f = fopen(arg + 5, "r");
        if (!f) {
            return NULL;
        }
        if (!fgets(buf, sizeof(buf), f)) {
            buf[0] = '\0';
        }
        fclose(f);
        buf[strcspn(buf, "\r\n")] = '\0';
        return buf;
    }
    return arg;
}

static char *prompt(const char *path)
{
    static char buf[1024];
    struct termios old, noecho;
    fprintf(stderr, "Passphrase for %s: ", path);
    if (tcgetattr(STDIN_FILENO, &old) != 0) {
        return NULL;
    }
    noecho = old;
    noecho.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
    char *r = fgets(buf, sizeof(buf), stdin);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fprintf(stderr, "\n");
    if (!r) {
        return NULL;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf;
}

int cli_load_key(es_ctx *ctx, const char *path, const char *pass, es_key **out)
{
    int rc = es_key_load(ctx, path, pass, out);
    if (rc == ES_ERR_CRYPTO_PASSPHRASE && !pass && isatty(STDIN_FILENO)) {
        char *p = prompt(path);
        if (p) {
            rc = es_key_load(ctx, path, p, out);
            memset(p, 0, strlen(p));
        }
    }
    return rc;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int cli_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    char z = 0;
    if (s[0] == '+') {
        char *end;
        long n = strtol(s + 1, &end, 10);
        if (*end || n < 0 || n > 36500) {
            return 0;
        }
        *out = (int64_t)time(NULL) + (int64_t)n * 86400;
        return 1;
    }
    int n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z);
    if (!(n == 3 && strlen(s) == 10) && !(n == 7 && z == 'Z')) {
        return 0;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
        return 0;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 1;
}

int cli_exit_verdict(es_verdict v)
{
    return v == ES_VERDICT_TOTAL_PASSED ? EXIT_PASSED
           : v == ES_VERDICT_TOTAL_FAILED ? EXIT_FAILED : EXIT_INDETERMINATE;
}

bool cli_color(FILE *f) { return isatty(fileno(f)) && !getenv("NO_COLOR"); }

int cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        return 0;
    }
    *out = v;
    return 1;
}

int cli_load_trust(es_ctx *ctx, const char *const *paths, size_t n, es_trust **out)
{
    int rc;
    *out = NULL;
    if (n == 0) {
        return 0;
    }
    if ((rc = es_trust_new(ctx, out)) != ES_OK) {
        return cli_fail(ctx, rc, "trust");
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = es_trust_add_path(ctx, *out, paths[i])) != ES_OK) {
            return cli_fail(ctx, rc, "--trust %s", paths[i]);
        }
    }
    return 0;
}

int cli_print_report(es_ctx *ctx, const es_report *rep, bool json)
{
    char *text = NULL;
    int rc = json ? es_report_to_json(ctx, rep, &text)
                  : es_report_to_text(ctx, rep, cli_color(stdout), &text);
    if (rc != ES_OK) {
        return cli_fail(ctx, rc, "report");
    }
    fputs(text, stdout);
    es_free(text);
    return cli_exit_verdict(es_report_verdict(rep));
}

int cli_signer_load(es_ctx *ctx, const char *seal, const char *key, const char *cert,
                    const char *pass, struct cli_signer *out)
{
    memset(out, 0, sizeof(*out));
    int rc;
    if (seal && (rc = es_file_read_all(ctx, seal, CLI_MAX_SEAL, &out->seal, &out->seal_len)) !=
                    ES_OK) {
        return cli_fail(ctx, rc, "seal");
    }
    if ((rc = cli_load_key(ctx, key, pass, &out->key)) != ES_OK) {
        return cli_fail(ctx, rc, "key");
    }
    if ((rc = es_cert_load(ctx, cert, pass, &out->cert)) != ES_OK) {
        return cli_fail(ctx, rc, "certificate");
    }
    return 0;
}

void cli_signer_free(struct cli_signer *s)
{
    es_free(s->seal);
    es_key_free(s->key);
    es_cert_free(s->cert);
    memset(s, 0, sizeof(*s));
}

int cli_stamp_check(const char *cmd, const struct cli_stamp *ts, const char *tsa_key,
                    const char *tsa_cert)
{
    if (!tsa_key != !tsa_cert) {
        return cli_usage("%s: --tsa-key and --tsa-cert go together", cmd);
    }
    if (tsa_key && ts->http.url) {
        return cli_usage("%s: --tsa URL or --tsa-key/--tsa-cert, not both", cmd);
    }
    if ((ts->optional || ts->http.timeout_ms) && !tsa_key && !ts->http.url) {
        return cli_usage("%s: --tsa-optional and --tsa-timeout need --tsa", cmd);
    }
    return 0;
}

static bool parse_mm(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || v != v || v < -10000 || v > 10000) {
        return false;
    }
    *out = v;
    return true;
}

/* --pages all|A-B after --riding. */
static int pages_opt(const char *cmd, const char *arg, es_ofd_position *last)
{
    if (strcmp(arg, "all") == 0) {
        return 0;
    }
    int64_t a = 0, b = 0;
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", arg);
    char *dash = strchr(buf, '-');
    if (!dash) {
        return cli_usage("%s: --pages is 'all' or A-B", cmd);
    }
    *dash = '\0';
    if (!cli_parse_int(buf, 1, 1000000, &a) || !cli_parse_int(dash + 1, a, 1000000, &b)) {
        return cli_usage("%s: bad --pages range '%s'", cmd, arg);
    }
    last->first_page = (int)a;
    last->last_page = (int)b;
    return 0;
}

int cli_position_opt(const char *cmd, int c, const char *arg, es_ofd_position *pos,
                     size_t *n_pos)
{
    es_ofd_position *last = *n_pos ? &pos[*n_pos - 1] : NULL;
    int64_t v = 0;
    if (c == 'P' || c == 'K' || c == 'R') {
        if (*n_pos == CLI_MAX_POS) {
            return cli_usage("%s: at most %d positions", cmd, CLI_MAX_POS);
        }
        last = &pos[(*n_pos)++];
        last->kind = c == 'P' ? ES_OFD_POS_PAGE : c == 'K' ? ES_OFD_POS_KEYWORD
                                                           : ES_OFD_POS_RIDING;
        if (c == 'P') {
            if (!cli_parse_int(arg, 1, 1000000, &v)) {
                return cli_usage("%s: bad --page '%s'", cmd, arg);
            }
            last->page = (int)v;
        }
        if (c == 'K' && !arg[0]) {
            return cli_usage("%s: empty --keyword", cmd);
        }
        last->keyword = c == 'K' ? arg : NULL;
        last->occurrence = 1;
        return 0;
    }
    if (c == 'x' || c == 'y') {
        if (!last || last->kind != ES_OFD_POS_PAGE ||
            !parse_mm(arg, c == 'x' ? &last->x_mm : &last->y_mm)) {
            return cli_usage("%s: --%c needs a number after --page", cmd, c);
        }
        return 0;
    }
    if (c == 'O') {
        if (!last || last->kind != ES_OFD_POS_KEYWORD) {
            return cli_usage("%s: --occurrence follows --keyword", cmd);
        }
        if (strcmp(arg, "all") == 0) {
            last->occurrence = 0;
        } else if (!cli_parse_int(arg, 1, 1000000, &v)) {
            return cli_usage("%s: bad --occurrence '%s'", cmd, arg);
        } else {
            last->occurrence = (int)v;
        }
        return 0;
    }
    if (c == 'A') {
        if (!last || last->kind != ES_OFD_POS_RIDING) {
            return cli_usage("%s: --pages follows --riding", cmd);
        }
        return pages_opt(cmd, arg, last);
    }
    /* 'Z' */
    if (!last || sscanf(arg, "%lfx%lf", &last->w_mm, &last->h_mm) != 2 || last->w_mm <= 0 ||
        last->h_mm <= 0 || last->w_mm > 1000 || last->h_mm > 1000) {
        return cli_usage("%s: --size WxH (mm) follows a position", cmd);
    }
    return 0;
}

int cli_stamp_load(es_ctx *ctx, struct cli_stamp *ts, const char *tsa_key, const char *tsa_cert,
                   const char *pass)
{
    int rc;
    if (tsa_key && (rc = es_tsa_load(ctx, tsa_key, pass, tsa_cert, &ts->tsa)) != ES_OK) {
        return cli_fail(ctx, rc, "--tsa-key %s", tsa_key);
    }
    return 0;
}

int cli_subcommand(int argc, char **argv, const char *cmd, const char *help,
                   const struct cli_sub *subs, size_t n)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_INPUT : 0;
    }
    char names[128] = "";
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], subs[i].name) == 0) {
            return subs[i].fn(argc - 1, argv + 1);
        }
        size_t l = strlen(names);
        snprintf(names + l, sizeof(names) - l, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                 subs[i].name);
    }
    return cli_usage("%s: unknown subcommand '%s' (%s)", cmd, argv[1], names);
}
