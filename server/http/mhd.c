/*
 * server/http/mhd.c - es_http over GNU libmicrohttpd 0.9.75: epoll worker
 * threads (MHD_USE_EPOLL_INTERNAL_THREAD + THREAD_POOL_SIZE), limits on
 * connections, per-IP connections, time and header memory, a bounded body
 * buffer, and quiesce-then-drain on shutdown.
 *
 * Keep-alive (dependencies.md §1): the access handler returns MHD_YES on
 * its first call and queues the response only on a later one; queuing on
 * the first call makes MHD 0.9.75 answer "Connection: close".
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

struct es_http_server {
    struct MHD_Daemon *d;
    es_http_config cfg;
    atomic_uint in_flight;
    uint16_t port;
};

struct req_state {
    es_http_request req;
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
    es_http_response res = {.status = 500, .content_type = "text/plain"};
    s->cfg.handler(s->cfg.handler_arg, req, &res);
    struct MHD_Response *r = MHD_create_response_from_buffer(
        res.body_len, (void *)(res.body ? res.body : (const uint8_t *)""),
        res.body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", res.content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    for (int i = 0; i < res.n_headers; i++) {
        MHD_add_response_header(r, res.hname[i], res.hvalue[i]);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)res.status, r);
    MHD_destroy_response(r);
    return ret;
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
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    const char *addr = cfg->address && cfg->address[0] ? cfg->address : "127.0.0.1";
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(cfg->port);
        if (inet_pton(AF_INET6, addr, &a6->sin6_addr) != 1) {
            snprintf(err, err_len, "bad listen address %s", addr);
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
            free(s);
            return NULL;
        }
    }
    s->d = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 2),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(cfg->max_connections ? cfg->max_connections : 512),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(cfg->timeout_s ? cfg->timeout_s : 30),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(cfg->header_memory ? cfg->header_memory : 64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, err_len, "cannot listen on %s port %u (in use, or not allowed)", addr,
                 (unsigned)cfg->port);
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
    MHD_stop_daemon(s->d);
    free(s);
}
