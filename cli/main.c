/*
 * cli/main.c - the `eseal` command: dispatch to the subcommands of
 * commands.h. Uses only libeseal's public API.
 */
#include <string.h>

#include "cli.h"

static void help(FILE *f)
{
    fprintf(f, "eseal %s - electronic seals (GB/T 38540-2020, GM/T 0031-2014) with SM2/SM3\n\n"
               "usage: eseal COMMAND [options]\n\ncommands:\n",
            es_version());
#define X(name, fn, h) fprintf(f, "  %-9s %s\n", name, h);
    ES_CLI_COMMANDS(X)
#undef X
    fprintf(f, "\nexit codes: 0 TOTAL-PASSED/success, 1 TOTAL-FAILED, 2 INDETERMINATE,\n"
               "            3 unreadable input or usage error, 4 refused by policy, 5 internal\n"
               "'eseal COMMAND --help' describes a command; see docs/cli.md.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_INPUT : EXIT_PASSED;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("eseal %s (crypto backend: %s)\n", es_version(), es_crypto_backend_name());
        return 0;
    }
#define X(name, fn, h)                                                                         \
    if (strcmp(argv[1], name) == 0) {                                                           \
        return fn(argc - 1, argv + 1);                                                          \
    }
    ES_CLI_COMMANDS(X)
#undef X
    return cli_usage("unknown command '%s'", argv[1]);
}
