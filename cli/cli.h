/*
 * cli/cli.h - shared helpers of the `eseal` command. The command uses only
 * libeseal's public API.
 *
 * Exit codes: 0 TOTAL-PASSED (or success), 1 TOTAL-FAILED, 2 INDETERMINATE,
 * 3 unreadable input or a usage error, 4 refused by policy (expired seal,
 * key not matching), 5 internal error, 6 the time-stamp authority did not
 * answer or answered unusably (ES_ERR_IO_REMOTE).
 */
#ifndef ES_CLI_H
#define ES_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "eseal/eseal.h"

enum {
    EXIT_PASSED = 0,
    EXIT_FAILED = 1,
    EXIT_INDETERMINATE = 2,
    EXIT_INPUT = 3,
    EXIT_POLICY = 4,
    EXIT_INTERNAL = 5,
    EXIT_REMOTE = 6,
};

#define CLI_MAX_FILE ((size_t)512 * 1024 * 1024)
#define CLI_MAX_SEAL ((size_t)16 * 1024 * 1024) /* a seal file (.esl) */
#define CLI_MAX_POS 64                          /* stamp positions of one signature */

/* Prints "eseal: <what>: <ctx message>" and returns the exit code for rc. */
int cli_fail(es_ctx *ctx, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints a usage error and returns EXIT_INPUT. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit code for an error code. */
int cli_exit_for(int rc);
/* Resolves a --pass value: "env:VAR", "file:PATH", "pass:TEXT" or the text. */
const char *cli_pass(const char *arg);
/* Loads a key; prompts for the passphrase on a terminal if needed. */
int cli_load_key(es_ctx *ctx, const char *path, const char *pass, es_key **out);
/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or "+N" days; 0 on error. */
int cli_parse_time(const char *s, int64_t *out);
/* Parses a decimal integer in [min, max]; 0 on error. */
int cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* Exit code for a verdict. */
int cli_exit_verdict(es_verdict v);
bool cli_color(FILE *f);
/* Loads --trust paths into *out (NULL when n == 0; free with es_trust_free
 * even on failure). Returns 0 or the exit code, the message printed. */
int cli_load_trust(es_ctx *ctx, const char *const *paths, size_t n, es_trust **out);
/* Prints a report (JSON or text) and returns the verdict's exit code. */
int cli_print_report(es_ctx *ctx, const es_report *rep, bool json);
/* Loads and checks a trust list (cmd_trustlist.c) and adds its CAs, makers
 * and TSAs to *trust (created if NULL). Returns an exit code: 0, or 4 when
 * the list is refused (signature, signer, edition below min_seq), 3 when
 * unreadable. */
int cli_load_trust_list(es_ctx *ctx, const char *path, const char *const *signers, size_t n,
                        int64_t min_seq, es_trust **trust, es_trustlist **out);

/* A time stamp over a signature value (cmd_sign.c): from a local TSA
 * (--tsa-key/--tsa-cert) or an RFC 3161 URL (--tsa). */
struct cli_stamp {
    es_tsa *tsa;
    es_ts_http_opts http;
    int optional; /* --tsa-optional: sign without a token, with a warning */
};
int cli_stamp_cb(void *arg, const uint8_t digest[32], uint8_t **out_token, size_t *out_len);
/* Fills a sign-parameter triple (timestamp, timestamp_arg, _optional) when a
 * TSA was given. */
void cli_stamp_apply(struct cli_stamp *ts,
                     int (**cb)(void *, const uint8_t *, uint8_t **, size_t *), void **arg,
                     int *optional);

/* What the sign commands (sign, ofd sign, pdf sign) load before signing:
 * the seal file (skipped when `seal` is NULL), the key (a passphrase prompt
 * on a terminal) and the certificate. Returns 0, or the exit code with the
 * message printed ("seal", "key" or "certificate"); cli_signer_free in
 * both cases. */
struct cli_signer {
    uint8_t *seal;
    size_t seal_len;
    es_key *key;
    es_cert *cert;
};
int cli_signer_load(es_ctx *ctx, const char *seal, const char *key, const char *cert,
                    const char *pass, struct cli_signer *out);
void cli_signer_free(struct cli_signer *s);
/* The time-stamp options taken together (--tsa-key with --tsa-cert, not
 * with --tsa; --tsa-optional and --tsa-timeout only with a TSA): 0 or the
 * usage exit code, the message naming `cmd`. */
int cli_stamp_check(const char *cmd, const struct cli_stamp *ts, const char *tsa_key,
                    const char *tsa_cert);
/* Loads the local TSA of --tsa-key/--tsa-cert into ts->tsa (nothing when
 * tsa_key is NULL): 0 or the exit code, the message printed. */
int cli_stamp_load(es_ctx *ctx, struct cli_stamp *ts, const char *tsa_key, const char *tsa_cert,
                   const char *pass);
/* One stamp-position option of `ofd sign` and `pdf sign` into pos[] (at
 * most CLI_MAX_POS): c is 'P' --page, 'x'/'y' --x/--y, 'K' --keyword, 'O'
 * --occurrence, 'R' --riding, 'A' --pages, 'Z' --size. 0, or the usage exit
 * code with the message naming `cmd`. */
int cli_position_opt(const char *cmd, int c, const char *arg, es_ofd_position *pos,
                     size_t *n_pos);

/* `eseal CMD SUB ...`: runs the subcommand named by argv[1] with argv
 * shifted; prints `help` (to stderr with exit 3 when no subcommand is
 * given, to stdout for --help, -h, help) or refuses an unknown one. */
struct cli_sub {
    const char *name;
    int (*fn)(int argc, char **argv);
};
int cli_subcommand(int argc, char **argv, const char *cmd, const char *help,
                   const struct cli_sub *subs, size_t n);

#define X(name, fn, help) int fn(int argc, char **argv);
#include "commands.h"
ES_CLI_COMMANDS(X)
#undef X
int cmd_seal_image(int argc, char **argv);
/* A default seal picture (PNG) drawn from the name; ES_ERR_USAGE_ARG if the
 * build cannot draw. OUT owned (es_free). */
int cli_default_picture(es_ctx *ctx, const char *name, int64_t type, uint8_t **out,
                        size_t *out_len);

#endif
