/*
 * server/main.c - eseald: configuration, keys, database, HTTP service, and
 * graceful shutdown. SIGTERM or SIGINT stop accepting connections, let the
 * requests in progress finish and be answered, then close the database.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eseald.h"

static int parse_listen(const char *s, char *host, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon) {
        return -1;
    }
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        h = s + 1;
        hl -= 2;
    }
    if (hl == 0 || hl >= cap) {
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end = NULL;
    long p = strtol(colon + 1, &end, 10);
    if (!end || *end || p < 0 || p > 65535) {
        return -1;
    }
    *port = (uint16_t)p;
    return 0;
}

int main(int argc, char **argv)
{
    static struct es_app app;
    char err[1024] = "";
    int status = 1;
    es_http_server *http = NULL;
    es_config_defaults(&app.cfg);
    int r = es_config_args(&app.cfg, argc, argv, err, sizeof(err));
    if (r != 0) {
        if (r < 0) {
            fprintf(stderr, "eseald: %s\n", err);
            return 2;
        }
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    /* SIGTERM and SIGINT are taken by sigtimedwait below, in this thread only */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    char host[128];
    uint16_t port = 0;
    if (parse_listen(app.cfg.listen, host, sizeof(host), &port) != 0) {
        fprintf(stderr, "eseald: bad listen address \"%s\" (HOST:PORT)\n", app.cfg.listen);
        return 2;
    }
    if (es_app_init(&app, err, sizeof(err)) != 0) {
        fprintf(stderr, "eseald: %s\n", err);
        goto out;
    }
    es_http_config hc = {.address = host,
                         .port = port,
                         .threads = app.cfg.threads,
                         .max_body = app.cfg.max_body,
                         .header_memory = 64 * 1024,
                         .max_connections = app.cfg.max_connections,
                         .max_per_ip = app.cfg.max_per_ip,
                         .timeout_s = app.cfg.timeout_s,
                         .handler = es_api_handle,
                         .handler_arg = &app};
    http = es_http_start(&hc, err, sizeof(err));
    if (!http) {
        fprintf(stderr, "eseald: %s\n", err);
        goto out;
    }
    if (es_fed_start(&app, err, sizeof(err)) != 0) {
        fprintf(stderr, "eseald: %s\n", err);
        goto out;
    }
    port = es_http_port(http);
    if (app.cfg.port_file[0]) {
        char num[16];
        snprintf(num, sizeof(num), "%u\n", (unsigned)port);
        es_ctx *ctx = es_ctx_new();
        es_file_write(ctx, app.cfg.port_file, num, strlen(num), 0644);
        es_ctx_free(ctx);
    }
    fprintf(stderr, "eseald %s: listening on http://%s%s%s:%u/ (database %s, %u threads)\n",
            es_version(), strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
            (unsigned)port, app.cfg.db, app.cfg.threads);
    time_t last_sweep = time(NULL);
    es_platform_sweep(&app);
    for (;;) {
        struct timespec ts = {1, 0};
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT) {
            fprintf(stderr, "eseald: signal %d: finishing the requests in progress (%u)\n", sig,
                    es_http_in_flight(http));
            break;
        }
        if (app.cfg.sweep_s && time(NULL) - last_sweep >= (time_t)app.cfg.sweep_s) {
            es_platform_sweep(&app);
            last_sweep = time(NULL);
        }
    }
    app.stopping = 1;
    es_http_stop(http, 15000);
    http = NULL;
    es_fed_stop(&app);
    status = 0;
    fprintf(stderr, "eseald: stopped\n");
out:
    es_http_stop(http, 0);
    es_app_close(&app);
    return status;
}
