/*
 * server/config.c - eseald's configuration: defaults, then the file named by
 * --config ("key = value" lines), then the other flags, which win.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eseald.h"

void es_config_defaults(struct es_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8440");
    snprintf(c->db, sizeof(c->db), "sqlite:eseald.db");
    snprintf(c->master_key, sizeof(c->master_key), "master.key");
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    c->threads = n > 0 && n < 64 ? (unsigned)n : 2;
    c->max_body = 32u * 1024 * 1024;
    c->timeout_s = 30;
    c->max_connections = 1024;
    c->max_per_ip = 0;
    c->session_ttl_s = 8 * 3600;
    c->status_ttl_s = 300;
    c->sweep_s = 60;
    snprintf(c->demo_password, sizeof(c->demo_password), "demo");
}

static int set_str(char *dst, size_t cap, const char *v, const char *key, char *err,
                   size_t err_len)
{
    if (strlen(v) >= cap) {
        snprintf(err, err_len, "%s: value too long", key);
        return -1;
    }
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int set_uint(unsigned *dst, const char *v, unsigned max, const char *key, char *err,
                    size_t err_len)
{
    char *end = NULL;
    errno = 0;
    unsigned long x = strtoul(v, &end, 10);
    if (errno || end == v || *end || x > max) {
        snprintf(err, err_len, "%s: expected a number up to %u", key, max);
        return -1;
    }
    *dst = (unsigned)x;
    return 0;
}

static int set_bool(bool *dst, const char *v, const char *key, char *err, size_t err_len)
{
    if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on")) {
        *dst = true;
    } else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off")) {
        *dst = false;
    } else {
        snprintf(err, err_len, "%s: expected yes or no", key);
        return -1;
    }
    return 0;
}

/* One setting by name; shared by the file and the flags. */
static int set_key(struct es_config *c, const char *k, const char *v, char *err, size_t err_len)
{
#define S(name) if (!strcmp(k, #name)) return set_str(c->name, sizeof(c->name), v, k, err, err_len)
    S(listen);
    S(db);
    S(platform_key);
    S(platform_cert);
    S(platform_pass);
    S(ca_key);
    S(ca_cert);
    S(ca_pass);
    S(trust);
    S(tsa_key);
    S(tsa_cert);
    S(tsa_pass);
    S(tsa_url);
    S(master_key);
    S(demo_password);
    S(admin);
    S(port_file);
#undef S
#define U(name, max) if (!strcmp(k, #name)) return set_uint(&c->name, v, max, k, err, err_len)
    U(threads, 256);
    U(timeout_s, 3600);
    U(max_connections, 100000);
    U(max_per_ip, 100000);
    U(session_ttl_s, 30 * 86400);
    U(status_ttl_s, 86400);
    U(sweep_s, 86400);
#undef U
    if (!strcmp(k, "max_body")) {
        unsigned mib = 0;
        if (set_uint(&mib, v, 1024, k, err, err_len) != 0) {
            return -1;
        }
        c->max_body = (size_t)mib * 1024 * 1024;
        return 0;
    }
    if (!strcmp(k, "max_body_bytes")) {
        unsigned b = 0;
        if (set_uint(&b, v, 1u << 30, k, err, err_len) != 0) {
            return -1;
        }
        c->max_body = b;
        return 0;
    }
    if (!strcmp(k, "create_master_key")) {
        return set_bool(&c->create_master_key, v, k, err, err_len);
    }
    if (!strcmp(k, "seed_demo")) {
        return set_bool(&c->seed_demo, v, k, err, err_len);
    }
    if (!strcmp(k, "tsa")) {
        bool on = true;
        if (set_bool(&on, v, k, err, err_len) != 0) {
            return -1;
        }
        c->tsa_off = !on;
        return 0;
    }
    if (!strcmp(k, "quiet")) {
        return set_bool(&c->quiet, v, k, err, err_len);
    }
    int fed = es_fed_config_key(&c->fed, k, v, err, err_len);
    if (fed <= 0) {
        return fed;
    }
    snprintf(err, err_len, "unknown setting \"%s\"", k);
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

int es_config_load(struct es_config *c, const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[2048];
    int no = 0;
    while (fgets(line, sizeof(line), f)) {
        no++;
        char *s = trim(line);
        if (!*s || *s == '#') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, err_len, "%s:%d: expected key = value", path, no);
            fclose(f);
            return -1;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        char sub[300];
        if (set_key(c, k, v, sub, sizeof(sub)) != 0) {
            snprintf(err, err_len, "%s:%d: %s", path, no, sub);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

int es_config_secret(char *value, size_t cap, char *err, size_t err_len)
{
    char tmp[512];
    if (!strncmp(value, "env:", 4)) {
        const char *e = getenv(value + 4);
        if (!e) {
            snprintf(err, err_len, "environment variable %s is not set", value + 4);
            return -1;
        }
        snprintf(tmp, sizeof(tmp), "%s", e);
    } else if (!strncmp(value, "file:", 5)) {
        FILE *f = fopen(value + 5, "r");
        if (!f) {
            snprintf(err, err_len, "%s: %s", value + 5, strerror(errno));
            return -1;
        }
        if (!fgets(tmp, sizeof(tmp), f)) {
            tmp[0] = '\0';
        }
        fclose(f);
        tmp[strcspn(tmp, "\r\n")] = '\0';
    } else if (!strncmp(value, "pass:", 5)) {
        snprintf(tmp, sizeof(tmp), "%s", value + 5);
    } else {
        return 0;
    }
    if (strlen(tmp) >= cap) {
        snprintf(err, err_len, "secret too long");
        return -1;
    }
    memcpy(value, tmp, strlen(tmp) + 1);
    ks_wipe(tmp, sizeof(tmp));
    return 0;
}

static const char USAGE[] =
    "usage: eseald [--config FILE] [options]\n"
    "  --listen ADDR:PORT      listen address (127.0.0.1:8440; [::]:8440; port 0 = any)\n"
    "  --db URL                sqlite:PATH (default sqlite:eseald.db) or postgresql://...\n"
    "  --platform-key FILE     the platform's SM2 key (signs seals, registrations, status)\n"
    "  --platform-cert FILE    its certificate\n"
    "  --pass SECRET           passphrase of the platform key (env:VAR, file:PATH, pass:TEXT)\n"
    "  --ca-key FILE --ca-cert FILE [--ca-pass SECRET]\n"
    "                          the CA that issues seal owners' signing certificates\n"
    "  --trust PATH            extra trust anchors for verification (file or directory)\n"
    "  --tsa-key FILE --tsa-cert FILE [--tsa-pass SECRET]\n"
    "                          the time-stamp authority (POST /api/v1/tsa); default: the\n"
    "                          platform key with a TSA certificate issued by the CA\n"
    "  --no-tsa                no time-stamp authority\n"
    "  --tsa-url URL           platform sealing with \"tsa\" asks this RFC 3161 TSA (any\n"
    "                          vendor's) instead of the platform's own\n"
    "  --master-key FILE       32-byte key that encrypts stored private keys\n"
    "  --create-master-key     create the master key file if it is missing\n"
    "  --threads N             HTTP event threads and as many compute threads (default: CPUs)\n"
    "  --max-body MIB          largest request body (default 32)\n"
    "  --admin USER:PASSWORD   create this platform administrator if missing\n"
    "  --seed-demo             create a demo organisation and one user per role\n"
    "  --demo-password PW      their password (default \"demo\")\n"
    "  --port-file FILE        write the port listened on to FILE\n"
    "  --quiet                 no request log\n"
    "  --set KEY=VALUE         any setting of the configuration file\n"
    "                          (federation: node_id, role, national, peer; see\n"
    "                          docs/federation.md)\n"
    "Signals: SIGTERM/SIGINT stop gracefully (requests in progress are answered).\n";

int es_config_args(struct es_config *c, int argc, char **argv, char *err, size_t err_len)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"db", required_argument, NULL, 'd'},
        {"platform-key", required_argument, NULL, 'k'},
        {"platform-cert", required_argument, NULL, 'C'},
        {"pass", required_argument, NULL, 'p'},
        {"ca-key", required_argument, NULL, 'K'},
        {"ca-cert", required_argument, NULL, 'A'},
        {"ca-pass", required_argument, NULL, 'P'},
        {"trust", required_argument, NULL, 't'},
        {"tsa-key", required_argument, NULL, 1001},
        {"tsa-cert", required_argument, NULL, 1002},
        {"tsa-pass", required_argument, NULL, 1003},
        {"no-tsa", no_argument, NULL, 1004},
        {"tsa-url", required_argument, NULL, 1005},
        {"master-key", required_argument, NULL, 'm'},
        {"create-master-key", no_argument, NULL, 'M'},
        {"threads", required_argument, NULL, 'T'},
        {"max-body", required_argument, NULL, 'b'},
        {"admin", required_argument, NULL, 'a'},
        {"seed-demo", no_argument, NULL, 'S'},
        {"demo-password", required_argument, NULL, 'D'},
        {"port-file", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"set", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    /* the configuration file first, so that flags override it */
    for (int i = 1; i < argc - 1; i++) {
        if (!strcmp(argv[i], "--config") && es_config_load(c, argv[i + 1], err, err_len) != 0) {
            return -1;
        }
    }
    optind = 1;
    int o;
    while ((o = getopt_long(argc, argv, "c:l:d:h", opts, NULL)) != -1) {
        const char *k = NULL;
        char kv[1200];
        switch (o) {
        case 'c': continue;
        case 'l': k = "listen"; break;
        case 'd': k = "db"; break;
        case 'k': k = "platform_key"; break;
        case 'C': k = "platform_cert"; break;
        case 'p': k = "platform_pass"; break;
        case 'K': k = "ca_key"; break;
        case 'A': k = "ca_cert"; break;
        case 'P': k = "ca_pass"; break;
        case 't': k = "trust"; break;
        case 1001: k = "tsa_key"; break;
        case 1002: k = "tsa_cert"; break;
        case 1003: k = "tsa_pass"; break;
        case 1004: c->tsa_off = true; continue;
        case 1005: k = "tsa_url"; break;
        case 'm': k = "master_key"; break;
        case 'T': k = "threads"; break;
        case 'b': k = "max_body"; break;
        case 'a': k = "admin"; break;
        case 'D': k = "demo_password"; break;
        case 'f': k = "port_file"; break;
        case 'M': c->create_master_key = true; continue;
        case 'S': c->seed_demo = true; continue;
        case 'q': c->quiet = true; continue;
        case 's': {
            snprintf(kv, sizeof(kv), "%s", optarg);
            char *eq = strchr(kv, '=');
            if (!eq) {
                snprintf(err, err_len, "--set: expected KEY=VALUE");
                return -1;
            }
            *eq = '\0';
            if (set_key(c, kv, eq + 1, err, err_len) != 0) {
                return -1;
            }
            continue;
        }
        case 'h': fputs(USAGE, stdout); return 1;
        case 'V': printf("eseald %s\n", es_version()); return 1;
        default: snprintf(err, err_len, "bad option (see --help)"); return -1;
        }
        if (set_key(c, k, optarg, err, err_len) != 0) {
            return -1;
        }
    }
    if (optind < argc) {
        snprintf(err, err_len, "unexpected argument %s (see --help)", argv[optind]);
        return -1;
    }
    if (es_config_secret(c->platform_pass, sizeof(c->platform_pass), err, err_len) != 0 ||
        es_config_secret(c->ca_pass, sizeof(c->ca_pass), err, err_len) != 0 ||
        es_config_secret(c->tsa_pass, sizeof(c->tsa_pass), err, err_len) != 0) {
        return -1;
    }
    return 0;
}
