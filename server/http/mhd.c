/*
 * server/http/mhd.c - es_http over GNU libmicrohttpd 0.9.75: epoll worker
 * threads (MHD_USE_EPOLL_INTERNAL_THREAD + THREAD_POOL_SIZE), limits on
 * connections, per-IP connections, time and header memory, a bounded body
 * buffer, and quiesce-then-drain on shutdown.
 *
 * Keep-alive (dependencies.md §1): the access handler returns MHD_YES on
 * its first call and queues the response only on a later one; queuing on
 * the first call makes MHD 0.9.75 answer "Connection: close".
 *
 * Compute pool: MHD's pool threads each own the connections they accepted,
 * for the connections' whole life. Clients that keep a few connections alive
 * (a load balancer, wrk, a browser) can therefore all land on one thread, and
 * verification ran on one core while the others idled (docs/performance.md).
 * So a request that may be expensive - anything but GET/HEAD, which are
 * cache and file reads - is handed to a pool of compute threads: the
 * connection is suspended, a compute thread runs the handler, stores the
 * response and resumes the connection, and MHD sends it from its own thread.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

struct req_state;

/* The compute pool: a FIFO of suspended requests and the threads that run
 * their handlers. */
struct compute {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct req_state *head, *tail;
    pthread_t *threads;
    unsigned n_threads;
    bool stopping;
};

struct es_http_server {
    struct MHD_Daemon *d;
    es_http_config cfg;
    atomic_uint in_flight;
    uint16_t port;
    struct compute pool;
};

enum req_phase {
    PH_READING,  /* headers and body arriving */
    PH_QUEUED,   /* suspended, waiting for or running on a compute thread */
    PH_COMPUTED, /* res is filled; the connection is resumed to send it */
};

struct req_state {
    es_http_request req;
    es_http_response res;
    struct MHD_Connection *conn;
    struct req_state *next; /* compute queue link */
    enum req_phase phase;
    uint8_t *body;
    size_t len;
    size_t cap;
    size_t discarded;
    bool too_big;
    bool answered;
};

static const char TOO_LARGE[] =
    "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"The request body is larger than "
    "this server accepts.\"}}";
static const char NO_MEMORY[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"The server is out of memory.\"}}";

static const char *mhd_lookup(void *conn, int kind, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)conn,
                                       kind ? MHD_GET_ARGUMENT_KIND : MHD_HEADER_KIND, name);
}

static enum MHD_Result send_static(struct MHD_Connection *c, unsigned status, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void client_addr(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (!ci || !ci->client_addr) {
        return;
    }
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
    }
}

static enum MHD_Result queue_result(struct MHD_Connection *c, const es_http_response *res)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        res->body_len, (void *)(res->body ? res->body : (const uint8_t *)""),
        res->body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", res->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    for (int i = 0; i < res->n_headers; i++) {
        MHD_add_response_header(r, res->hname[i], res->hvalue[i]);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- the compute pool ---- */

static void compute_push(struct compute *p, struct req_state *st)
{
    st->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->tail) {
        p->tail->next = st;
    } else {
        p->head = st;
    }
    p->tail = st;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void *compute_main(void *arg)
{
    struct es_http_server *s = arg;
    struct compute *p = &s->pool;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->stopping) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        struct req_state *st = p->head;
        if (!st) { /* stopping, and nothing left to run */
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        p->head = st->next;
        if (!p->head) {
            p->tail = NULL;
        }
        pthread_mutex_unlock(&p->mu);
        /* the connection is suspended: MHD does not touch it (nor its
         * header table, which the handler reads) until it is resumed */
        s->cfg.handler(s->cfg.handler_arg, &st->req, &st->res);
        st->phase = PH_COMPUTED;
        MHD_resume_connection(st->conn);
    }
}

/* Starts n compute threads; 0 leaves every request on MHD's threads. */
static int compute_start(struct es_http_server *s, unsigned n)
{
    struct compute *p = &s->pool;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (n == 0) {
        return 0;
    }
    p->threads = calloc(n, sizeof(*p->threads));
    if (!p->threads) {
        return -1;
    }
    for (; p->n_threads < n; p->n_threads++) {
        if (pthread_create(&p->threads[p->n_threads], NULL, compute_main, s) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Lets the queued requests finish, then joins the threads. */
static void compute_stop(struct es_http_server *s)
{
    struct compute *p = &s->pool;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct es_http_server *s = cls;
    struct req_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof(*st));
        if (!st) {
            return MHD_NO;
        }
        /* the arena holds what handlers make: a few times the body at most */
        st->req.arena = es_arena_new(s->cfg.max_body * 4 + 8u * 1024 * 1024);
        if (!st->req.arena) {
            free(st);
            return MHD_NO;
        }
        *con_cls = st;
        atomic_fetch_add(&s->in_flight, 1);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end = NULL;
            unsigned long long v = strtoull(cl, &end, 10);
            if (end == cl || v > s->cfg.max_body) {
                /* refuse before reading: no "100 Continue" is sent, and MHD
                 * closes the connection after this answer */
                st->too_big = true;
                st->answered = true;
                return send_static(c, MHD_HTTP_CONTENT_TOO_LARGE, TOO_LARGE);
            }
        }
        return MHD_YES;
    }
    if (st->phase == PH_COMPUTED) { /* resumed by a compute thread */
        st->phase = PH_READING;
        return queue_result(c, &st->res);
    }
    if (st->answered) {
        *upload_data_size = 0; /* a response is queued; the rest is discarded */
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        if (!st->too_big && n > s->cfg.max_body - st->len) {
            /* a chunked body grew past the limit: drop what we have, read
             * and discard the rest so that the client gets its 413 */
            st->too_big = true;
            free(st->body);
            st->body = NULL;
            st->len = st->cap = 0;
        }
        if (st->too_big) {
            *upload_data_size = 0;
            st->discarded += n;
            /* but not forever: past 4x the limit the connection is cut */
            return st->discarded > 4 * s->cfg.max_body ? MHD_NO : MHD_YES;
        }
        if (st->len + n > st->cap) {
            size_t cap = st->cap ? st->cap : 16384;
            while (cap < st->len + n) {
                cap *= 2;
            }
            if (cap > s->cfg.max_body) {
                cap = s->cfg.max_body;
            }
            uint8_t *b = realloc(st->body, cap);
            if (!b) {
                st->answered = true;
                *upload_data_size = 0;
                return send_static(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NO_MEMORY);
            }
            st->body = b;
            st->cap = cap;
        }
        memcpy(st->body + st->len, upload_data, n);
        st->len += n;
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* the whole request is here */
    if (st->too_big) {
        st->answered = true;
        return send_static(c, MHD_HTTP_CONTENT_TOO_LARGE, TOO_LARGE);
    }
    st->answered = true;
    es_http_request *req = &st->req;
    req->method = method;
    req->path = url;
    req->body = st->body ? st->body : (const uint8_t *)"";
    req->body_len = st->len;
    req->conn = c;
    req->lookup = mhd_lookup;
    client_addr(c, req->client, sizeof(req->client));
    st->res = (es_http_response){.status = 500, .content_type = "text/plain"};
    if (s->pool.n_threads > 0 && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        st->conn = c;
        st->phase = PH_QUEUED;
        MHD_suspend_connection(c);
        compute_push(&s->pool, st);
        return MHD_YES;
    }
    s->cfg.handler(s->cfg.handler_arg, req, &st->res);
    return queue_result(c, &st->res);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    struct es_http_server *s = cls;
    struct req_state *st = *con_cls;
    if (!st) {
        return;
    }
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && s->cfg.on_abort) {
        s->cfg.on_abort(s->cfg.handler_arg, st->req.client[0] ? st->req.client : "?");
    }
    es_arena_free(st->req.arena);
    free(st->body);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fprintf(stderr, "eseald: http: ");
    vfprintf(stderr, fmt, ap);
}

es_http_server *es_http_start(const es_http_config *cfg, char *err, size_t err_len)
{
    struct es_http_server *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    if (compute_start(s, cfg->threads ? cfg->threads : 2) != 0) {
        snprintf(err, err_len, "cannot start the compute threads");
        compute_stop(s);
        free(s);
        return NULL;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    const char *addr = cfg->address && cfg->address[0] ? cfg->address : "127.0.0.1";
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(cfg->port);
        if (inet_pton(AF_INET6, addr, &a6->sin6_addr) != 1) {
            snprintf(err, err_len, "bad listen address %s", addr);
            compute_stop(s);
            free(s);
            return NULL;
        }
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons(cfg->port);
        if (inet_pton(AF_INET, addr, &a4->sin_addr) != 1) {
            snprintf(err, err_len, "bad listen address %s", addr);
            compute_stop(s);
            free(s);
            return NULL;
        }
    }
    s->d = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(cfg->io_threads ? cfg->io_threads : cfg->threads ? cfg->threads : 2),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(cfg->max_connections ? cfg->max_connections : 512),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(cfg->timeout_s ? cfg->timeout_s : 30),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(cfg->header_memory ? cfg->header_memory : 64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, err_len, "cannot listen on %s port %u (in use, or not allowed)", addr,
                 (unsigned)cfg->port);
        compute_stop(s);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : cfg->port;
    return s;
}

uint16_t es_http_port(const es_http_server *s)
{
    return s->port;
}

unsigned es_http_in_flight(const es_http_server *s)
{
    return atomic_load(&((struct es_http_server *)s)->in_flight);
}

void es_http_stop(es_http_server *s, unsigned grace_ms)
{
    if (!s) {
        return;
    }
    /* no new connections; requests in progress finish and are answered */
    MHD_socket ls = MHD_quiesce_daemon(s->d);
    if (ls != MHD_INVALID_SOCKET) {
        close(ls);
    }
    for (unsigned waited = 0; waited < grace_ms && atomic_load(&s->in_flight) > 0; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* handlers still running finish and resume their connections before
     * MHD goes: stopping MHD with suspended connections is not allowed */
    compute_stop(s);
    MHD_stop_daemon(s->d);
    free(s);
}
