/* server/http/request.c - request accessors, independent of the HTTP
 * library (the fuzz target supplies its own lookup). See http.h. */
#include "http.h"

const char *es_http_header(const es_http_request *req, const char *name)
{
    return req->lookup ? req->lookup(req->conn, 0, name) : NULL;
}

const char *es_http_query(const es_http_request *req, const char *name)
{
    return req->lookup ? req->lookup(req->conn, 1, name) : NULL;
}

void es_http_add_header(es_http_response *res, const char *name, const char *value)
{
    if (res->n_headers < ES_HTTP_MAX_HEADERS) {
        res->hname[res->n_headers] = name;
        res->hvalue[res->n_headers] = value;
        res->n_headers++;
    }
}
