/*
 * bench/bench_ts.c - time-stamp responses per second (request parsing,
 * TSTInfo, signed attributes, one SM2 signature, TimeStampResp) beside raw
 * SM2 signatures per second through es_key_sign, measured in the same run on
 * one core. Target: responses >= 80% of raw signatures. The two are measured
 * in alternating slices of 50 ms, so that other load on the machine weighs
 * on both alike.
 *
 * usage: bench_ts [seconds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crypto/crypto.h"
#include "eseal/eseal.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    es_key *rk = NULL, *tk = NULL;
    es_cert *rc = NULL, *tc = NULL;
    es_tsa *tsa = NULL;
    int64_t t = (int64_t)time(NULL);
    struct es_cert_spec rs = {"/CN=bench root", t - 60, t + 86400, true, false, false};
    struct es_cert_spec ts = {"/CN=bench TSA", t - 60, t + 86400, false, true, true};
    if (es_key_generate(NULL, &rk) != ES_OK || es_key_generate(NULL, &tk) != ES_OK ||
        es_is_err(es_cert_build(&rs, rk, rk, NULL, &rc)) ||
        es_is_err(es_cert_build(&ts, tk, rk, rc, &tc)) || es_tsa_new(NULL, tk, tc, &tsa) != ES_OK) {
        fprintf(stderr, "bench_ts: setup failed\n");
        return 1;
    }
    uint8_t h[32], nonce[8], sig[72];
    es_sm3("bench", 5, h);
    (void)es_ts_nonce(NULL, nonce, sizeof(nonce));
    es_ts_req_params p = {.digest = h, .digest_len = 32, .nonce = nonce, .nonce_len = 8,
                          .cert_req = 1};
    uint8_t *req = NULL;
    size_t ql = 0;
    if (es_ts_request(NULL, &p, &req, &ql) != ES_OK) {
        return 1;
    }
    /* raw SM2 signatures over a message of the size of the signed attributes */
    uint8_t msg[160] = {0};
    long n_sig = 0, n_ts = 0;
    double t_sig = 0, t_ts = 0;
    const double slice = 0.05;
    while (t_sig < secs || t_ts < secs) {
        double t0 = now(), el;
        do {
            size_t sl;
            for (int i = 0; i < 16; i++, n_sig++) {
                (void)es_key_sign(NULL, tk, msg, sizeof(msg), sig, &sl);
            }
            el = now() - t0;
        } while (el < slice);
        t_sig += el;
        t0 = now();
        do {
            for (int i = 0; i < 16; i++, n_ts++) {
                uint8_t *resp = NULL;
                size_t rl;
                if (es_tsa_respond(NULL, tsa, req, ql, &resp, &rl) != ES_OK) {
                    return 1;
                }
                es_free(resp);
            }
            el = now() - t0;
        } while (el < slice);
        t_ts += el;
    }
    double sig_rate = (double)n_sig / t_sig;
    double ts_rate = (double)n_ts / t_ts;
    printf("backend %s, one core\n", es_crypto_backend_name());
    printf("%-40s %10.0f /s\n", "SM2 signatures (es_key_sign)", sig_rate);
    printf("%-40s %10.0f /s  (%.0f%% of raw signatures; target >= 80%%)\n",
           "time-stamp responses (es_tsa_respond)", ts_rate, 100.0 * ts_rate / sig_rate);
    es_free(req);
    es_tsa_free(tsa);
    es_key_free(rk);
    es_key_free(tk);
    es_cert_free(rc);
    es_cert_free(tc);
    return 0;
}
