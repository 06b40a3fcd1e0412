/*
 * bench/bench_verify.c - documents verified per second by libeseal itself,
 * in this process, on 1 thread and on N threads (each with its own trust
 * anchors, as eseald's threads have). bench_server.sh runs it beside the
 * same document verified through eseald over HTTP, so the ratio says how
 * much the service adds to the cryptography and parsing: the target
 * "verification bound by the cryptography, not by the service".
 *
 * The last line printed is "RATE CPU_US" (documents/s on N threads, CPU
 * microseconds per document on one thread) for bench_server.sh.
 *
 * usage: bench_verify FILE [seconds] [threads] [trust.pem]
 * FILE is an OFD package, a seal or a detached signature (es_detect).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/eseal.h"

struct job {
    const uint8_t *doc;
    size_t len;
    double secs;
    const char *trust_path;
    long done;
    int failed;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int verify_once(es_ctx *ctx, const es_verify_opts *o, const uint8_t *doc, size_t len)
{
    es_report *rep = NULL;
    int version = 0;
    const char *kind = es_detect(doc, len, &version);
    int rc;
    if (!strcmp(kind, "zip")) {
        rc = es_ofd_verify(ctx, o, doc, len, &rep);
    } else if (!strcmp(kind, "seal")) {
        rc = es_verify_seal(ctx, o, doc, len, &rep);
    } else {
        rc = es_verify_detached(ctx, o, doc, len, NULL, 0, &rep);
    }
    es_report_free(rep);
    return rc;
}

static void *run(void *arg)
{
    struct job *j = arg;
    es_ctx *ctx = es_ctx_new();
    es_trust *t = NULL;
    if (!ctx || es_trust_new(ctx, &t) != ES_OK ||
        (j->trust_path && es_trust_add_path(ctx, t, j->trust_path) != ES_OK)) {
        j->failed = 1;
        goto out;
    }
    es_verify_opts o = {.trust = t};
    double t0 = now();
    do {
        for (int i = 0; i < 4; i++, j->done++) {
            if (verify_once(ctx, &o, j->doc, j->len) != ES_OK) {
                fprintf(stderr, "bench_verify: %s\n", es_ctx_errmsg(ctx));
                j->failed = 1;
                goto out;
            }
        }
    } while (now() - t0 < j->secs);
out:
    es_trust_free(t);
    es_ctx_free(ctx);
    return NULL;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* documents per second over n threads running for secs; *cpu_per_doc gets
 * the process's CPU seconds per document (robust to other load on the
 * machine, unlike the rate) */
static double rate(const uint8_t *doc, size_t len, double secs, int n, const char *trust,
                   double *cpu_per_doc)
{
    double c0 = cpu_now();
    struct job jobs[64];
    pthread_t th[64];
    double t0 = now();
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct job){.doc = doc, .len = len, .secs = secs, .trust_path = trust};
        pthread_create(&th[i], NULL, run, &jobs[i]);
    }
    long done = 0;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        done += jobs[i].done;
        failed |= jobs[i].failed;
    }
    *cpu_per_doc = done ? (cpu_now() - c0) / (double)done : 0;
    return failed ? -1.0 : (double)done / (now() - t0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_verify FILE [seconds] [threads] [trust.pem]\n");
        return 2;
    }
    double secs = argc > 2 ? atof(argv[2]) : 2.0;
    int threads = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 2;
    const char *trust = argc > 4 ? argv[4] : NULL;
    if (threads < 1 || threads > 64) {
        threads = 2;
    }
    uint8_t *doc = NULL;
    size_t len = 0;
    es_ctx *ctx = es_ctx_new();
    if (!ctx || es_file_read_all(ctx, argv[1], 256u << 20, &doc, &len) != ES_OK) {
        fprintf(stderr, "bench_verify: %s: %s\n", argv[1], ctx ? es_ctx_errmsg(ctx) : "no memory");
        return 1;
    }
    double c1 = 0, cn = 0;
    double r1 = rate(doc, len, secs, 1, trust, &c1);
    double rn = rate(doc, len, secs, threads, trust, &cn);
    if (r1 < 0 || rn < 0) {
        return 1;
    }
    printf("libeseal in-process verification of %s (%zu B): %.0f documents/s on 1 thread, "
           "%.0f on %d threads; %.0f us of CPU per document\n", argv[1], len, r1, rn, threads,
           c1 * 1e6);
    /* last line, for scripts: rate on N threads, CPU microseconds per document */
    printf("%.1f %.1f\n", rn, c1 * 1e6);
    es_free(doc);
    es_ctx_free(ctx);
    return 0;
}
