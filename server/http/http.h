/*
 * server/http/http.h - the HTTP adapter: the only interface eseald's code
 * has to the HTTP library (libmicrohttpd, server/http/mhd.c). The parser is
 * the library's; this layer adds the limits (body size, header memory,
 * connection count and time), the per-request arena, and graceful shutdown.
 *
 * A handler gets a complete request (the body is buffered up to the limit;
 * a larger body never reaches it: the adapter answers 413) and fills a
 * response. Everything a handler allocates for the request comes from the
 * request's arena, released when the request ends (h2o's mem pools).
 */
#ifndef ES_HTTP_H
#define ES_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct es_http_request {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* decoded path, without the query */
    const uint8_t *body;
    size_t body_len;
    es_arena *arena;
    void *conn;          /* the library's connection (adapter use only) */
    /* looks up a header (kind 0) or a query argument (kind 1) of conn */
    const char *(*lookup)(void *conn, int kind, const char *name);
    char client[64];     /* peer address, for logs */
} es_http_request;

#define ES_HTTP_MAX_HEADERS 8

typedef struct es_http_response {
    int status;
    const char *content_type;
    const uint8_t *body; /* arena or static memory; copied by the adapter */
    size_t body_len;
    bool body_static;    /* body is static: sent without a copy */
    const char *hname[ES_HTTP_MAX_HEADERS];
    const char *hvalue[ES_HTTP_MAX_HEADERS];
    int n_headers;
} es_http_response;

/* A request header or query argument (NULL if absent). Borrowed for the
 * request's lifetime. */
const char *es_http_header(const es_http_request *req, const char *name);
const char *es_http_query(const es_http_request *req, const char *name);
/* Adds a response header (names and values must outlive the request). */
void es_http_add_header(es_http_response *res, const char *name, const char *value);

typedef void (*es_http_handler)(void *arg, const es_http_request *req, es_http_response *res);

typedef struct es_http_config {
    const char *address; /* "127.0.0.1" or "::" */
    uint16_t port;       /* 0: any free port (see es_http_port) */
    unsigned threads;    /* compute threads for requests other than GET/HEAD
                          * (0: 2); they run the handlers (mhd.c says why) */
    unsigned io_threads; /* epoll threads, one loop each (0: as threads) */
    size_t max_body;     /* bytes; a larger body gets 413 */
    size_t header_memory; /* per-connection memory for headers; beyond it 431 */
    unsigned max_connections;
    unsigned max_per_ip;
    unsigned timeout_s;  /* idle/slow connection timeout */
    es_http_handler handler;
    void *handler_arg;
    /* called when a request could not be completed (client went away) */
    void (*on_abort)(void *arg, const char *client);
} es_http_config;

typedef struct es_http_server es_http_server;

/* Starts listening and serving. Returns NULL with a message in err. */
es_http_server *es_http_start(const es_http_config *cfg, char *err, size_t err_len);
uint16_t es_http_port(const es_http_server *s);
/* Graceful stop: stop accepting, wait up to grace_ms for the requests in
 * progress to be answered, then close everything. */
void es_http_stop(es_http_server *s, unsigned grace_ms);
/* Requests being processed right now. */
unsigned es_http_in_flight(const es_http_server *s);

#endif
