/*
 * server/pool.c - a pool of store connections: one es_store handle is one
 * database connection used by one thread at a time. Connections are opened
 * on demand up to `max` and reused; one that failed at the database level
 * is closed rather than reused (a PostgreSQL restart, for instance).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseald.h"

struct es_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char url[1024];
    es_store **idle;
    size_t n_idle;
    size_t open;
    size_t max;
};

static void sm3_hash(const void *p, size_t n, uint8_t out[32])
{
    es_sm3(p, n, out);
}

static const es_store_opts OPTS = {.hash = sm3_hash};

struct es_pool *es_pool_new(const char *url, size_t max, char *err, size_t err_len)
{
    struct es_pool *p = calloc(1, sizeof(*p));
    if (!p || !(p->idle = calloc(max, sizeof(*p->idle)))) {
        free(p);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    snprintf(p->url, sizeof(p->url), "%s", url);
    p->max = max;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    /* open one now: applies the migrations and reports a bad URL at start */
    es_store *st = NULL;
    if (es_store_open(url, &OPTS, &st, err, err_len) != ES_STORE_OK) {
        es_pool_free(p);
        return NULL;
    }
    p->idle[p->n_idle++] = st;
    p->open = 1;
    return p;
}

void es_pool_free(struct es_pool *p)
{
    if (!p) {
        return;
    }
    for (size_t i = 0; i < p->n_idle; i++) {
        es_store_close(p->idle[i]);
    }
    free(p->idle);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

es_store *es_pool_get(struct es_pool *p, char *err, size_t err_len)
{
    pthread_mutex_lock(&p->mu);
    while (p->n_idle == 0 && p->open >= p->max) {
        pthread_cond_wait(&p->cv, &p->mu);
    }
    if (p->n_idle > 0) {
        es_store *st = p->idle[--p->n_idle];
        pthread_mutex_unlock(&p->mu);
        return st;
    }
    p->open++;
    pthread_mutex_unlock(&p->mu);
    es_store *st = NULL;
    if (es_store_open(p->url, &OPTS, &st, err, err_len) != ES_STORE_OK) {
        pthread_mutex_lock(&p->mu);
        p->open--;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    return st;
}

void es_pool_put(struct es_pool *p, es_store *st, bool broken)
{
    if (!st) {
        return;
    }
    if (broken) {
        es_store_close(st);
    }
    pthread_mutex_lock(&p->mu);
    if (broken) {
        p->open--;
    } else {
        p->idle[p->n_idle++] = st;
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
