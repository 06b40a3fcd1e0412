/*
 * server/platform.c - what the platform signs and draws: documents signed
 * with the platform key (registration certificates, status answers), the
 * pre-signed status cache, seal pictures, per-thread trust anchors for
 * verification, and the sweep that expires seals past their validity.
 *
 * Status answers are signed once per (seal, version, effective status) and
 * served from a cache until half their validity has passed, so that the
 * status endpoint's throughput is that of a database lookup, not of SM2.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "eseald.h"

#if defined(__has_include)
#if __has_include("eseal/image.h")
#include "eseal/image.h"
#define ES_HAVE_IMAGE 1
#endif
#endif

/* ---- signing with the platform key ---- */

int es_platform_sign(struct es_app *app, const uint8_t *msg, size_t len, uint8_t sig[72],
                     size_t *sig_len)
{
    es_ctx *ctx = es_ctx_new();
    if (!ctx) {
        return ES_ERR_NOMEM;
    }
    pthread_mutex_lock(&app->platform_lock);
    int rc = es_key_sign(ctx, app->platform_key, msg, len, sig, sig_len);
    pthread_mutex_unlock(&app->platform_lock);
    es_ctx_free(ctx);
    return rc;
}

json_t *es_platform_signed(struct es_app *app, json_t *tbs)
{
    char *text = json_dumps(tbs, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) {
        return NULL;
    }
    uint8_t sig[72];
    size_t sig_len = 0;
    json_t *doc = NULL;
    if (es_platform_sign(app, (const uint8_t *)text, strlen(text), sig, &sig_len) == ES_OK) {
        char *t64 = ks_b64_encode((const uint8_t *)text, strlen(text));
        char *s64 = ks_b64_encode(sig, sig_len);
        /* the certificate travels with the document (status answers embedded
         * in signatures, answers relayed by other nodes); a reader still
         * trusts it only through its own configuration */
        es_bytes der = es_cert_der(app->platform_cert);
        char *c64 = ks_b64_encode(der.ptr, der.len);
        if (t64 && s64 && c64) {
            doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "alg", "SM2-with-SM3", "tbs", t64,
                            "signature", s64, "signer", es_cert_serial_hex(app->platform_cert),
                            "signer_subject", es_cert_subject(app->platform_cert),
                            "signer_cert", c64, "content", tbs);
        }
        free(t64);
        free(s64);
        free(c64);
    }
    free(text);
    return doc;
}

int es_check_signed_by(const es_cert *cert, pthread_mutex_t *lock, json_t *doc,
                       json_t **out_tbs)
{
    *out_tbs = NULL;
    const char *t64 = json_string_value(json_object_get(doc, "tbs"));
    const char *s64 = json_string_value(json_object_get(doc, "signature"));
    if (!t64 || !s64) {
        return 0;
    }
    size_t tl = 0, sl = 0;
    uint8_t *tbs = ks_b64_decode(t64, strlen(t64), &tl);
    uint8_t *sig = ks_b64_decode(s64, strlen(s64), &sl);
    int ok = 0;
    if (tbs && sig) {
        pthread_mutex_lock(lock); /* one es_cert, many threads */
        ok = es_cert_verify(cert, tbs, tl, sig, sl) == 1;
        pthread_mutex_unlock(lock);
        if (ok) {
            *out_tbs = json_loadb((const char *)tbs, tl, JSON_REJECT_DUPLICATES, NULL);
            ok = *out_tbs != NULL;
        }
    }
    free(tbs);
    free(sig);
    return ok;
}

int es_platform_check_signed(struct es_app *app, json_t *doc, json_t **out_tbs)
{
    return es_check_signed_by(app->platform_cert, &app->platform_lock, doc, out_tbs);
}

/* ---- seal pictures ---- */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static size_t chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t len)
{
    put32(out, len);
    memcpy(out + 4, type, 4);
    if (len) {
        memcpy(out + 8, data, len);
    }
    uLong crc = crc32(0L, out + 4, 4 + len);
    put32(out + 8 + len, (uint32_t)crc);
    return 12 + len;
}

/* A red ring with an inner line and a five-pointed star: the picture of a
 * seal when this build cannot draw its text. RGBA PNG, 256 x 256. */
static int ring_png(uint8_t **out, size_t *out_len)
{
    enum { W = 256, H = 256 };
    size_t raw_len = (size_t)H * (1 + W * 4);
    uint8_t *raw = calloc(1, raw_len);
    if (!raw) {
        return -1;
    }
    /* star: inside test against the 10 edges of the polygon */
    double sx[10], sy[10];
    for (int k = 0; k < 10; k++) {
        double r = k % 2 ? 17.0 : 44.0;
        double a = -3.14159265358979 / 2 + k * 3.14159265358979 / 5;
        sx[k] = 128 + r * cos(a);
        sy[k] = 128 + r * sin(a);
    }
    for (int y = 0; y < H; y++) {
        uint8_t *row = raw + (size_t)y * (1 + W * 4);
        row[0] = 0;
        for (int x = 0; x < W; x++) {
            double dx = x + 0.5 - 128, dy = y + 0.5 - 128;
            double d = sqrt(dx * dx + dy * dy);
            bool on = (d >= 112 && d <= 124) || (d >= 104 && d <= 106);
            if (!on) {
                bool in = false;
                for (int i = 0, j = 9; i < 10; j = i++) {
                    if (((sy[i] > y + 0.5) != (sy[j] > y + 0.5)) &&
                        (x + 0.5 < (sx[j] - sx[i]) * (y + 0.5 - sy[i]) / (sy[j] - sy[i]) + sx[i])) {
                        in = !in;
                    }
                }
                on = in;
            }
            if (on) {
                uint8_t *px = row + 1 + x * 4;
                px[0] = 0xd8;
                px[1] = 0x1e;
                px[2] = 0x06;
                px[3] = 0xff;
            }
        }
    }
    uLongf zlen = compressBound((uLong)raw_len);
    uint8_t *z = malloc(zlen);
    uint8_t *png = z ? malloc(zlen + 64) : NULL;
    if (!png || compress2(z, &zlen, raw, (uLong)raw_len, 9) != Z_OK) {
        free(raw);
        free(z);
        free(png);
        return -1;
    }
    free(raw);
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    uint8_t ihdr[13];
    put32(ihdr, W);
    put32(ihdr + 4, H);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 6;  /* RGBA */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    size_t n = 0;
    memcpy(png, sig, 8);
    n += 8;
    n += chunk(png + n, "IHDR", ihdr, 13);
    n += chunk(png + n, "IDAT", z, (uint32_t)zlen);
    n += chunk(png + n, "IEND", NULL, 0);
    free(z);
    *out = png;
    *out_len = n;
    return 0;
}

int es_platform_picture(const char *org, const char *name, int64_t type, uint8_t **out,
                        size_t *out_len)
{
    (void)type;
#ifdef ES_HAVE_IMAGE
    es_ctx *ctx = es_ctx_new();
    if (ctx) {
        /* the organisation on the arc, the seal's kind below the star */
        size_t ol = strlen(org);
        const char *kind = !strncmp(name, org, ol) && name[ol] ? name + ol : name;
        if (!strcmp(kind, org)) {
            kind = NULL;
        }
        es_seal_image_spec spec;
        memset(&spec, 0, sizeof(spec));
        spec.shape = ES_SEAL_SHAPE_ROUND;
        spec.name = org;
        spec.kind = kind;
        spec.dpi = 300;
        uint8_t *png = NULL;
        size_t len = 0;
        int rc = es_seal_image_render(ctx, &spec, ES_IMAGE_PNG, &png, &len);
        es_ctx_free(ctx);
        if (rc == ES_OK) {
            *out = malloc(len);
            if (*out) {
                memcpy(*out, png, len);
                *out_len = len;
                es_free(png);
                return 0;
            }
        }
        es_free(png);
    }
#else
    (void)org;
    (void)name;
#endif
    return ring_png(out, out_len);
}

/* ---- per-thread trust anchors ---- */

static pthread_mutex_t g_trust_mu = PTHREAD_MUTEX_INITIALIZER;
static es_trust *g_trusts[1024];
static size_t g_n_trusts;
static __thread es_trust *tl_trust;

es_trust *es_platform_trust(struct es_app *app)
{
    if (tl_trust) {
        return tl_trust;
    }
    es_ctx *ctx = es_ctx_new();
    es_trust *t = NULL;
    if (!ctx || es_trust_new(ctx, &t) != ES_OK) {
        es_ctx_free(ctx);
        return NULL;
    }
    if (app->cfg.ca_cert[0] && es_trust_add_path(ctx, t, app->cfg.ca_cert) != ES_OK) {
        fprintf(stderr, "eseald: trust: %s\n", es_ctx_errmsg(ctx));
    }
    if (app->cfg.trust[0] && es_trust_add_path(ctx, t, app->cfg.trust) != ES_OK) {
        fprintf(stderr, "eseald: trust: %s\n", es_ctx_errmsg(ctx));
    }
    es_ctx_free(ctx);
    pthread_mutex_lock(&g_trust_mu);
    if (g_n_trusts < sizeof(g_trusts) / sizeof(g_trusts[0])) {
        g_trusts[g_n_trusts++] = t;
        tl_trust = t;
    }
    pthread_mutex_unlock(&g_trust_mu);
    if (!tl_trust) {
        es_trust_free(t); /* more threads than slots: cannot happen with the thread cap */
        return NULL;
    }
    return t;
}

void es_platform_shutdown(void)
{
    pthread_mutex_lock(&g_trust_mu);
    for (size_t i = 0; i < g_n_trusts; i++) {
        es_trust_free(g_trusts[i]);
    }
    g_n_trusts = 0;
    pthread_mutex_unlock(&g_trust_mu);
    tl_trust = NULL;
}

/* ---- status answers ---- */

#define SLOTS 4096

struct status_slot {
    char esid[72];
    int64_t version;
    char eff[16];
    int64_t refresh_after;
    char *text;
    size_t len;
};

struct es_status_cache {
    pthread_rwlock_t lock;
    struct status_slot slot[SLOTS];
};

struct es_status_cache *es_status_cache_new(void)
{
    struct es_status_cache *sc = calloc(1, sizeof(*sc));
    if (sc) {
        pthread_rwlock_init(&sc->lock, NULL);
    }
    return sc;
}

void es_status_cache_free(struct es_status_cache *sc)
{
    if (!sc) {
        return;
    }
    for (int i = 0; i < SLOTS; i++) {
        free(sc->slot[i].text);
    }
    pthread_rwlock_destroy(&sc->lock);
    free(sc);
}

static unsigned slot_of(const char *esid)
{
    uint32_t h = 2166136261u;
    for (const char *p = esid; *p; p++) {
        h = (h ^ (uint8_t)*p) * 16777619u;
    }
    return h % SLOTS;
}

struct history {
    json_t *arr;
};

static int history_row(void *arg, const struct es_store_event *e)
{
    struct history *h = arg;
    if (json_array_size(h->arr) >= 64) {
        json_array_remove(h->arr, 0); /* the newest 64 transitions */
    }
    json_array_append_new(h->arr, json_pack("{s:I,s:s}", "at", (json_int_t)e->at, "status",
                                            e->to_status));
    return 0;
}

static int seq_of(void *arg, const struct es_store_tlog *t)
{
    *(int64_t *)arg = t->leaf_index + 1;
    return 0;
}

json_t *es_status_content(struct es_app *app, es_store *st, const struct es_store_seal *s,
                          int64_t now)
{
    int64_t ttl = app->cfg.status_ttl_s ? app->cfg.status_ttl_s : 300;
    const char *eff = es_lifecycle_effective(s->status, s->valid_end, now);
    struct history h = {json_array()};
    int64_t seq = 0;
    if (ES_STORE_CALL(st, event_list, s->esid, history_row, &h) != ES_STORE_OK) {
        json_decref(h.arr);
        return NULL;
    }
    int rc = ES_STORE_CALL(st, tlog_last_for, s->esid, seq_of, &seq);
    if (rc != ES_STORE_OK && rc != ES_STORE_NOTFOUND) {
        json_decref(h.arr);
        return NULL;
    }
    /* node and seq name the owner and its newest log entry about the seal;
     * history lets a relying party elsewhere find the status at a signing
     * time */
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:s,s:I,s:o}", "type",
                     "eseal-status/1", "esid", s->esid, "status", eff, "reg_no", s->reg_no,
                     "version", (json_int_t)s->version, "valid_end", (json_int_t)s->valid_end,
                     "lost_at", (json_int_t)s->lost_at, "this_update", (json_int_t)now,
                     "next_update", (json_int_t)(now + ttl), "node", app->cfg.fed.node_id,
                     "seq", (json_int_t)seq, "history", h.arr);
}

const char *es_status_answer(struct es_call *c, const char *esid, size_t *out_len)
{
    struct es_app *app = c->app;
    es_store *st = api_store(c);
    if (!st) {
        return NULL;
    }
    struct es_store_seal s;
    int rc = ES_STORE_CALL(st, seal_get, esid, &s);
    if (rc == ES_STORE_NOTFOUND) {
        return es_fed_status(c, esid, out_len); /* another node's seal, or 404 */
    }
    if (!api_store_ok(c, rc, "seal")) {
        return NULL;
    }
    int64_t now = (int64_t)time(NULL);
    const char *eff = es_lifecycle_effective(s.status, s.valid_end, now);
    struct es_status_cache *sc = app->status_cache;
    struct status_slot *sl = &sc->slot[slot_of(s.esid)];
    char *hit = NULL;
    pthread_rwlock_rdlock(&sc->lock);
    if (sl->text && !strcmp(sl->esid, s.esid) && sl->version == s.version &&
        !strcmp(sl->eff, eff) && now < sl->refresh_after) {
        hit = es_arena_memdup(c->arena, sl->text, sl->len);
        *out_len = sl->len;
    }
    pthread_rwlock_unlock(&sc->lock);
    if (hit) {
        es_store_seal_clear(&s);
        return hit;
    }
    int64_t ttl = app->cfg.status_ttl_s ? app->cfg.status_ttl_s : 300;
    json_t *tbs = es_status_content(app, st, &s, now);
    es_store_seal_clear(&s);
    if (tbs && es_tlog_add_proof(app, st, tbs) != 0) {
        json_decref(tbs);
        tbs = NULL;
    }
    json_t *doc = tbs ? es_platform_signed(app, tbs) : NULL;
    json_decref(tbs);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) {
        api_error(c, 500, "internal", "Cannot sign the status answer.");
        return NULL;
    }
    size_t len = strlen(text);
    char *ret = es_arena_memdup(c->arena, text, len);
    pthread_rwlock_wrlock(&sc->lock);
    free(sl->text);
    snprintf(sl->esid, sizeof(sl->esid), "%s", esid);
    sl->version = s.version;
    snprintf(sl->eff, sizeof(sl->eff), "%s", eff);
    sl->refresh_after = now + ttl / 2;
    sl->text = text;
    sl->len = len;
    pthread_rwlock_unlock(&sc->lock);
    *out_len = len;
    return ret;
}

/* ---- expiry sweep ---- */

struct expired {
    char esid[64][72];
    int n;
    int64_t now;
};

static int collect_expired(void *arg, const struct es_store_seal *s)
{
    struct expired *e = arg;
    if (s->valid_end && s->valid_end < e->now && e->n < 64) {
        snprintf(e->esid[e->n++], 72, "%s", s->esid);
    }
    return 0;
}

void es_platform_sweep(struct es_app *app)
{
    char err[256];
    es_store *st = es_pool_get(app->pool, err, sizeof(err));
    if (!st) {
        return;
    }
    static const char *live[] = {"made", "registered", "active", "suspended", "frozen"};
    bool broken = false;
    for (size_t k = 0; k < 5 && !broken; k++) {
        struct expired e = {.now = (int64_t)time(NULL)};
        struct es_store_filter f = {.status = live[k], .limit = 100000};
        if (ES_STORE_CALL(st, seal_list, &f, collect_expired, &e) != ES_STORE_OK) {
            broken = true;
            break;
        }
        for (int i = 0; i < e.n; i++) {
            struct es_store_seal s;
            if (ES_STORE_CALL0(st, begin) != ES_STORE_OK) {
                broken = true;
                break;
            }
            int rc = ES_STORE_CALL(st, seal_get, e.esid[i], &s);
            if (rc == ES_STORE_OK && !strcmp(s.status, live[k])) {
                struct es_store_event ev = {.at = e.now};
                ES_STORE_SET(ev.esid, s.esid);
                ES_STORE_SET(ev.action, "expire");
                ES_STORE_SET(ev.from_status, s.status);
                ES_STORE_SET(ev.to_status, "expired");
                ES_STORE_SET(ev.actor, "system");
                ES_STORE_SET(ev.reason, "end of validity");
                ES_STORE_SET(s.status, "expired");
                s.updated_at = e.now;
                struct es_store_audit a = {.at = e.now};
                ES_STORE_SET(a.actor, "system");
                ES_STORE_SET(a.action, "seal.expire");
                snprintf(a.object, sizeof(a.object), "seal/%s", s.esid);
                ES_STORE_SET(a.detail, "{\"reason\":\"end of validity\"}");
                rc = ES_STORE_CALL(st, seal_update, &s);
                if (rc == ES_STORE_OK) {
                    rc = ES_STORE_CALL(st, event_append, &ev);
                }
                if (rc == ES_STORE_OK) {
                    rc = es_fed_record(app, st, &ev);
                }
                if (rc == ES_STORE_OK) {
                    rc = ES_STORE_CALL(st, audit_append, &a);
                }
                es_store_seal_clear(&s);
            }
            if (rc == ES_STORE_OK) {
                rc = ES_STORE_CALL0(st, commit);
            } else {
                ES_STORE_CALL0(st, rollback);
            }
            if (rc == ES_STORE_ERR) {
                broken = true;
                break;
            }
        }
    }
    es_pool_put(app->pool, st, broken);
}
