/*
 * tests/unit/server/http_pool_test.c - the HTTP adapter runs handlers of
 * POST requests on its compute threads, so that requests on connections
 * owned by one event thread still run side by side (the defect this guards
 * against: verification through eseald used one core while others idled).
 *
 * One epoll thread, two compute threads, two connections: each handler waits
 * (bounded) until both are running at once. Serialised handlers time out and
 * answer 503.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/http.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_running;

static void meet(void *arg, const es_http_request *req, es_http_response *res)
{
    (void)arg;
    (void)req;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&g_mu);
    g_running++;
    pthread_cond_broadcast(&g_cv);
    int rc = 0;
    while (g_running < 2 && rc == 0) {
        rc = pthread_cond_timedwait(&g_cv, &g_mu, &until);
    }
    bool met = g_running >= 2;
    pthread_mutex_unlock(&g_mu);
    res->status = met ? 200 : 503;
    res->content_type = "text/plain";
    res->body = (const uint8_t *)(met ? "met" : "alone");
    res->body_len = met ? 3 : 5;
    res->body_static = true;
}

struct client {
    uint16_t port;
    int status;
};

static void *post(void *arg)
{
    struct client *cl = arg;
    cl->status = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(cl->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        goto out;
    }
    static const char rq[] = "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi";
    if (write(fd, rq, sizeof(rq) - 1) != (ssize_t)(sizeof(rq) - 1)) {
        goto out;
    }
    char buf[256] = {0};
    size_t got = 0;
    while (got < 12) {
        ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);
        if (n <= 0) {
            goto out;
        }
        got += (size_t)n;
    }
    sscanf(buf, "HTTP/1.1 %d", &cl->status);
out:
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

static void test_handlers_run_side_by_side(void **state)
{
    (void)state;
    es_http_config cfg = {.address = "127.0.0.1", .threads = 2, .io_threads = 1,
                          .max_body = 1024, .timeout_s = 30, .handler = meet};
    char err[256] = "";
    es_http_server *s = es_http_start(&cfg, err, sizeof(err));
    assert_non_null(s);
    struct client c1 = {.port = es_http_port(s)}, c2 = {.port = es_http_port(s)};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, post, &c1), 0);
    assert_int_equal(pthread_create(&t2, NULL, post, &c2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_int_equal(c1.status, 200);
    assert_int_equal(c2.status, 200);
    es_http_stop(s, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handlers_run_side_by_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
