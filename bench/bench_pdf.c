/*
 * bench/bench_pdf.c - sealing and verifying PDFs: a 1-page and a 200-page
 * document drawn here with cairo, each sealed (SES, page stamp) and
 * verified, beside SM3 over the bytes the signature covers (the ByteRange:
 * the file but the /Contents hole, which is most of a 1-page file) and the
 * two SM2 verifications a seal signature needs, all in the same run. Each
 * measurement runs in a child process so that its peak memory (ru_maxrss
 * from wait4) is its own. The target: verification within 1.3x of
 * SM3 over the ByteRange plus the SM2 verifications; SM3 over the whole
 * file is shown too. The SM2 verifications are timed as the verifier does them: the
 * maker's signature over TBS_Seal and the signer's over TBS_Sign, taken
 * from the sealed file (SM2 hashes its message: 42 KB each here, the
 * seal's picture being in both); and, for reference, two verifications of
 * a 32-byte message, the bare SM2 cost.
 *
 * usage: bench_pdf [seconds per measurement [rounds]]   (default 1, 5)
 * The operations are measured in turn, round after round, and each one's
 * best round is shown: on a shared machine the load changes from second to
 * second, and the best of interleaved rounds compares like with like.
 * BENCH_PDF_KEEP=1 keeps the generated documents (for profiling). The
 * "verification reading" line says whether verify read the sealed file
 * without qpdf (pdf_plain.c) or through qpdf.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "doc/pdf/pdf_int.h"
#include "eseal/eseal.h"
#include "seal/seal_int.h"

static double g_secs = 1.0;
static int g_rounds = 5;
static char g_dir[256];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void make_pdf(const char *path, int pages)
{
    cairo_surface_t *s = cairo_pdf_surface_create(path, 595, 842);
    cairo_t *cr = cairo_create(s);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 10);
    for (int p = 0; p < pages; p++) {
        for (int line = 0; line < 60; line++) {
            char text[128];
            snprintf(text, sizeof(text), "Page %d line %d: the parties agree to the terms "
                                         "set out below.", p + 1, line + 1);
            cairo_move_to(cr, 50, 60 + line * 12);
            cairo_show_text(cr, text);
        }
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}

struct ident {
    es_key *key;
    es_cert *cert;
    uint8_t *seal;
    size_t seal_len;
};

static int make_ident(struct ident *id)
{
    int64_t t = (int64_t)time(NULL);
    struct es_cert_spec spec = {"/C=CN/CN=bench signer", t - 60, t + 86400 * 30, false, true,
                                false};
    if (es_key_generate(NULL, &id->key) != ES_OK ||
        es_is_err(es_cert_build(&spec, id->key, id->key, NULL, &id->cert))) {
        return -1;
    }
    es_seal_image_spec sp = {.shape = ES_SEAL_SHAPE_ROUND, .name = "基准测试有限公司",
                             .kind = "合同专用章", .dpi = 300};
    uint8_t *png = NULL;
    size_t png_len = 0;
    if (es_seal_image_render(NULL, &sp, ES_IMAGE_PNG, &png, &png_len) != ES_OK) {
        return -1;
    }
    const es_cert *certs[1] = {id->cert};
    es_seal_params p = {.name = "基准测试合同专用章", .type = 1, .signer_certs = certs,
                        .n_signer_certs = 1, .valid_end = t + 86400, .picture = png,
                        .picture_len = png_len, .picture_w_mm = 40, .picture_h_mm = 40};
    int rc = es_seal_make(NULL, &p, id->key, id->cert, &id->seal, &id->seal_len);
    es_free(png);
    return rc == ES_OK ? 0 : -1;
}

enum op { OP_SM3_RANGE, OP_SM3, OP_SM2X2, OP_SM2X2_BARE, OP_SIGN, OP_VERIFY, OP_N };

/* The two SM2 verifications of the sealed file's SES_Signature, as the
 * verifier makes them: TBS_Seal with the maker's signature, TBS_Sign with
 * the signer's (both by the bench key). */
struct sm2_job {
    struct es_pdf_doc d;
    struct es_pdf_sig *v;
    size_t n;
    struct es_signature g;
};

static int sm2_job_load(struct sm2_job *j, const uint8_t *doc, size_t len)
{
    memset(j, 0, sizeof(*j));
    if (es_is_err(es_pdf_open(&j->d, doc, len, NULL)) ||
        es_is_err(es_pdf_sigs_read(&j->d, &j->v, &j->n)) || j->n != 1) {
        return -1;
    }
    size_t der = es_pdf_der_len(j->v[0].contents, j->v[0].contents_len);
    if (es_is_err(es_signature_parse(&j->g, j->v[0].contents, der, ES_PROFILE_LENIENT))) {
        return -1;
    }
    return 0;
}

static bool sm2_job_run(const struct sm2_job *j, const es_cert *cert)
{
    bool ok1 = false, ok2 = false;
    unsigned q = 0;
    const struct es_signature *g = &j->g;
    if (es_is_err(es_sm2_verify_msg(es_cert_pub(cert), g->seal.maker_tbs.ptr,
                                    g->seal.maker_tbs.len, g->seal.signed_value.ptr,
                                    g->seal.signed_value.len, &ok1, &q)) ||
        es_is_err(es_sm2_verify_msg(es_cert_pub(cert), g->tbs_tlv.ptr, g->tbs_tlv.len,
                                    g->signature.ptr, g->signature.len, &ok2, &q))) {
        return false;
    }
    return ok1 && ok2;
}

/* Runs op repeatedly for g_secs in a child; returns seconds per run and
 * the child's peak memory in KiB. */
static int measure(enum op op, const struct ident *id, const char *in, const char *signed_pdf,
                   double *per_run, long *maxrss_kb)
{
    int fd[2];
    if (pipe(fd) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        uint8_t *doc = NULL;
        size_t len = 0;
        const char *path = op == OP_SIGN ? in : signed_pdf; /* hash what is verified */
        if (es_file_read_all(NULL, path, (size_t)1 << 30, &doc, &len) != ES_OK) {
            _exit(1);
        }
        char out[512];
        snprintf(out, sizeof(out), "%s/out-%d.pdf", g_dir, (int)getpid());
        es_pdf_position pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 120, .y_mm = 200};
        es_pdf_sign_params sp = {.seal = id->seal, .seal_len = id->seal_len, .key = id->key,
                                 .cert = id->cert, .positions = &pos, .n_positions = 1};
        es_verify_opts o = {.no_chain = 1};
        uint8_t h[32], msg[32] = {1}, sig[72];
        size_t sig_len = 0;
        if (op == OP_SM2X2_BARE && es_is_err(es_sm2_sign_msg(id->key, msg, 32, sig, &sig_len))) {
            _exit(1);
        }
        struct sm2_job job;
        if ((op == OP_SM2X2 || op == OP_SM3_RANGE) && sm2_job_load(&job, doc, len) != 0) {
            fprintf(stderr, "bench_pdf: cannot read the sealed file's signature\n");
            _exit(1);
        }
        es_ctx *ctx = es_ctx_new();
        long n = 0;
        double t0 = now();
        do {
            int rc = ES_OK;
            if (op == OP_SM3_RANGE) {
                es_pdf_range_sm3(doc, job.v[0].br, h);
            } else if (op == OP_SM3) {
                es_sm3(doc, len, h);
            } else if (op == OP_SM2X2) {
                rc = sm2_job_run(&job, id->cert) ? ES_OK : ES_ERR_CRYPTO;
            } else if (op == OP_SM2X2_BARE) {
                bool ok = false;
                unsigned q = 0;
                for (int k = 0; k < 2; k++) {
                    if (es_is_err(es_sm2_verify_msg(es_cert_pub(id->cert), msg, 32, sig, sig_len,
                                                    &ok, &q)) || !ok) {
                        rc = ES_ERR_CRYPTO;
                    }
                }
            } else if (op == OP_SIGN) {
                rc = es_pdf_sign(ctx, &sp, in, out);
            } else {
                es_report *r = NULL;
                rc = es_pdf_verify(ctx, &o, NULL, doc, len, &r);
                if (rc == ES_OK && es_report_verdict(r) != ES_VERDICT_TOTAL_PASSED) {
                    rc = ES_ERR_INTERNAL;
                }
                es_report_free(r);
            }
            if (rc != ES_OK) {
                fprintf(stderr, "bench_pdf: %s\n", es_ctx_errmsg(ctx));
                _exit(1);
            }
            n++;
        } while (now() - t0 < g_secs);
        double per = (now() - t0) / (double)n;
        if (write(fd[1], &per, sizeof(per)) != (ssize_t)sizeof(per)) {
            _exit(1);
        }
        unlink(out);
        _exit(0);
    }
    close(fd[1]);
    int status = 0;
    struct rusage ru;
    ssize_t got = read(fd[0], per_run, sizeof(*per_run));
    close(fd[0]);
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof(*per_run)) {
        return -1;
    }
    *maxrss_kb = ru.ru_maxrss;
    return 0;
}

/* Which reading verification takes for the sealed file: the plain one of
 * pdf_plain.c (no qpdf) or qpdf's. */
static const char *reading(const char *path)
{
    uint8_t *p = NULL;
    size_t n = 0;
    if (es_is_err(es_file_read(path, (size_t)1 << 30, &p, &n))) {
        es_error_clear();
        return "unreadable";
    }
    es_verify_opts o = {.no_chain = 1};
    es_report *r = NULL;
    bool plain = false;
    es_result res = es_pdf_verify_mem(&r, &o, ES_PROFILE_LENIENT, NULL, p, n, true, &plain);
    es_report_free(r);
    es_free(p);
    es_error_clear();
    return es_is_err(res) ? "error" : plain ? "plain, without qpdf" : "qpdf";
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        g_secs = atof(argv[1]);
    }
    if (argc > 2) {
        long r = strtol(argv[2], NULL, 10);
        g_rounds = r > 0 && r < 1000 ? (int)r : 1;
    }
    snprintf(g_dir, sizeof(g_dir), "/tmp/bench_pdf.XXXXXX");
    if (!mkdtemp(g_dir)) {
        return 1;
    }
    struct ident id;
    memset(&id, 0, sizeof(id));
    if (make_ident(&id) != 0) {
        fprintf(stderr, "bench_pdf: cannot make the signer\n");
        return 1;
    }
    static const int sizes[] = {1, 200};
    printf("%-6s %10s %-22s %12s %10s\n", "pages", "bytes", "operation", "ms/run", "peak MiB");
    int failed = 0;
    for (size_t i = 0; i < 2; i++) {
        char in[512], sealed[512];
        snprintf(in, sizeof(in), "%s/doc%d.pdf", g_dir, sizes[i]);
        snprintf(sealed, sizeof(sealed), "%s/doc%d-sealed.pdf", g_dir, sizes[i]);
        make_pdf(in, sizes[i]);
        es_pdf_position pos = {.kind = ES_OFD_POS_PAGE, .page = 1, .x_mm = 120, .y_mm = 200};
        es_pdf_sign_params sp = {.seal = id.seal, .seal_len = id.seal_len, .key = id.key,
                                 .cert = id.cert, .positions = &pos, .n_positions = 1};
        es_ctx *ctx = es_ctx_new();
        if (es_pdf_sign(ctx, &sp, in, sealed) != ES_OK) {
            fprintf(stderr, "bench_pdf: %s\n", es_ctx_errmsg(ctx));
            return 1;
        }
        es_ctx_free(ctx);
        FILE *f = fopen(sealed, "rb");
        long bytes = 0;
        if (f) {
            fseek(f, 0, SEEK_END);
            bytes = ftell(f);
            fclose(f);
        }
        static const char *names[] = {"SM3 over the ByteRange", "SM3 over the file",
                                      "2 SM2 verifications",
                                      "2 SM2 (32-byte msgs)", "seal (sign)", "verify"};
        double per[OP_N] = {0};
        long rss[OP_N] = {0};
        for (int round = 0; round < g_rounds; round++) {
            for (int op = 0; op < OP_N; op++) {
                double t = 0;
                long kb = 0;
                if (measure((enum op)op, &id, in, sealed, &t, &kb) != 0) {
                    fprintf(stderr, "bench_pdf: %s failed\n", names[op]);
                    failed = 1;
                    continue;
                }
                per[op] = round == 0 || t < per[op] ? t : per[op];
                rss[op] = kb > rss[op] ? kb : rss[op];
            }
        }
        for (int op = 0; op < OP_N; op++) {
            printf("%-6d %10ld %-22s %12.3f %10.1f\n", sizes[i], bytes, names[op],
                   per[op] * 1e3, (double)rss[op] / 1024.0);
        }
        printf("%-6d %10ld %-22s %s\n", sizes[i], bytes, "verification reading",
               reading(sealed));
        double base = per[OP_SM3_RANGE] + per[OP_SM2X2];
        double bare = per[OP_SM3_RANGE] + per[OP_SM2X2_BARE];
        printf("%-6d %10ld %-22s %12.2fx  (target <= 1.3x)\n", sizes[i], bytes,
               "verify / (SM3 + SM2)", base > 0 ? per[OP_VERIFY] / base : 0);
        printf("%-6d %10ld %-22s %12.2fx  (SM2 over 32-byte messages)\n", sizes[i], bytes,
               "verify / (SM3 + bare)", bare > 0 ? per[OP_VERIFY] / bare : 0);
        if (!getenv("BENCH_PDF_KEEP")) {
            unlink(in);
            unlink(sealed);
        }
    }
    if (!getenv("BENCH_PDF_KEEP")) {
        rmdir(g_dir);
    } else {
        printf("documents kept in %s\n", g_dir);
    }
    es_key_free(id.key);
    es_cert_free(id.cert);
    es_free(id.seal);
    return failed;
}
