/*
 * lib/doc/ofd/ofd_sign.c - adding a seal signature to an OFD package, the
 * procedure of ofd-signature.md §5.4:
 *   1. open the package (bounded), take DocBody[0];
 *   2. read the signature list; refuse if an existing signature protects it
 *      (the document is locked);
 *   3. allocate IDs above every MaxSignId, Signature and StampAnnot ID;
 *   4. choose Doc_N/Signs/Sign_k (k above every existing one), Seal.esl;
 *   5. append to the list (creating it, and inserting DocBody/Signatures
 *      into OFD.xml, when there is none);
 *   6. References: SM3 of every file of the new package except the list
 *      (unless locking), Signature.xml and SignedValue.dat, sorted by name;
 *   7. Signature.xml; 8. the SES_Signature over its exact bytes;
 *   9. write the package, copying every other entry byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/file_same.h"
#include "doc/ofd/ofd_sign_int.h"
#include "seal/seal_int.h"

struct signer {
    const es_ofd_sign_params *pp;
    struct es_ofd_pkg pkg;
    struct es_ofd_main main;
    struct es_ofd_document doc;
    bool doc_read;
    char list_path[ES_OFD_MAX_PATH + 64];
    bool list_exists;
    bool main_changes;
    long max_id;
    bool s_style;
    char dir[ES_OFD_MAX_PATH + 64]; /* Doc_0/Signs/Sign_k */
    char xml_name[ES_OFD_MAX_PATH + 96];
    char value_name[ES_OFD_MAX_PATH + 96];
    char seal_name[ES_OFD_MAX_PATH + 96];
    struct es_buf list_bytes;
    struct es_buf main_bytes;
    struct es_buf sig_xml;
    struct es_ofd_newstamp *stamps;
    size_t n_stamps;
    struct es_ofd_newref *refs;
    size_t n_refs;
    uint8_t *value;
    size_t value_len;
};

static void fmt_id(const struct signer *s, long n, char out[32])
{
    snprintf(out, 32, s->s_style ? "s%03ld" : "%ld", n);
}

static void bump(long *max, long v)
{
    if (v > *max) {
        *max = v;
    }
}

/* Step 2-3: the existing list, the lock, the highest ID in use. */
static es_result read_list(struct signer *s)
{
    const struct es_ofd_entry *le = es_ofd_pkg_find(&s->pkg, s->list_path);
    s->list_exists = le != NULL;
    if (!le) {
        return ES_RESULT_OK;
    }
    uint8_t *p = NULL;
    size_t n = 0;
    bool refused;
    struct es_ofd_siglist l;
    ES_GUARD(es_ofd_pkg_read(&s->pkg, le, s->pkg.lim.max_xml_size, &p, &n));
    es_result res = es_ofd_siglist_parse(p, n, le->name, &s->pkg.lim, &l, &refused);
    ES_FREE_AND_NULL(p);
    ES_GUARD(res);
    bump(&s->max_id, l.max_id);
    s->s_style = l.s_style || l.n == 0;
    for (size_t i = 0; i < l.n; i++) {
        bump(&s->max_id, es_ofd_id_number(l.v[i].id));
        const struct es_ofd_entry *xe = l.v[i].path ? es_ofd_pkg_find(&s->pkg, l.v[i].path)
                                                    : NULL;
        if (!xe) {
            continue;
        }
        struct es_ofd_sigdesc d;
        ES_GUARD_GOTO(es_ofd_pkg_read(&s->pkg, xe, s->pkg.lim.max_xml_size, &p, &n));
        res = es_ofd_sigdesc_parse(p, n, xe->name, &s->pkg.lim, &d, &refused);
        ES_FREE_AND_NULL(p);
        if (es_is_err(res)) {
            if (refused) {
                goto out;
            }
            /* an unreadable description cannot lock anything; it stays as it is */
            es_error_clear();
            res = ES_RESULT_OK;
            continue;
        }
        bool locked = false;
        for (size_t k = 0; k < d.n_refs && !locked; k++) {
            locked = d.refs[k].path && strcmp(d.refs[k].path, le->name) == 0;
        }
        for (size_t k = 0; k < d.n_stamps; k++) {
            bump(&s->max_id, es_ofd_id_number(d.stamps[k].id));
        }
        es_ofd_sigdesc_free(&d);
        if (locked) {
            ES_FAIL_GOTO(ES_ERR_POLICY,
                         "the document is locked: signature '%s' (%s) protects the signature "
                         "list %s, so no further signature can be added without breaking it",
                         l.v[i].id, xe->name, le->name);
        }
    }
out:
    es_free(p);
    es_ofd_siglist_free(&l);
    return res;
}

/* Step 4: Doc_N/Signs/Sign_k with k above every existing Sign_ directory. */
static es_result choose_dir(struct signer *s, const char *docdir)
{
    char signs[ES_OFD_MAX_PATH + 32];
    int w = snprintf(signs, sizeof(signs), "%s%sSigns/Sign_", docdir, docdir[0] ? "/" : "");
    ES_ENSURE_MSG(w > 0 && (size_t)w < sizeof(signs), ES_ERR_LIMIT_SIZE, "path too long");
    size_t sl = (size_t)w;
    long k = -1;
    for (size_t i = 0; i < s->pkg.n; i++) {
        const char *nm = s->pkg.e[i].name;
        if (strncmp(nm, signs, sl) == 0) {
            char *end;
            long v = strtol(nm + sl, &end, 10);
            if (end != nm + sl && (*end == '/' || *end == '\0') && v < 100000000L) {
                bump(&k, v);
            }
        }
    }
    for (k = k + 1;; k++) {
        snprintf(s->dir, sizeof(s->dir), "%s%ld", signs, k);
        size_t dl = strlen(s->dir);
        bool taken = false;
        for (size_t i = 0; i < s->pkg.n && !taken; i++) {
            taken = strncmp(s->pkg.e[i].name, s->dir, dl) == 0 &&
                    (s->pkg.e[i].name[dl] == '/' || s->pkg.e[i].name[dl] == '\0');
        }
        if (!taken) {
            break;
        }
    }
    snprintf(s->xml_name, sizeof(s->xml_name), "%s/Signature.xml", s->dir);
    snprintf(s->value_name, sizeof(s->value_name), "%s/SignedValue.dat", s->dir);
    snprintf(s->seal_name, sizeof(s->seal_name), "%s/Seal.esl", s->dir);
    ES_ENSURE_MSG(strlen(s->value_name) < ES_OFD_MAX_PATH, ES_ERR_LIMIT_SIZE,
                  "the document directory name is too long");
    return ES_RESULT_OK;
}

/* Step 5: the list (and OFD.xml when the list is new to it). */
static es_result build_list(struct signer *s, const char *sig_id, const char *max_id)
{
    char base[ES_OFD_MAX_PATH + 128];
    snprintf(base, sizeof(base), "/%s", s->xml_name);
    if (s->list_exists) {
        const struct es_ofd_entry *le = es_ofd_pkg_find(&s->pkg, s->list_path);
        uint8_t *p = NULL;
        size_t n = 0;
        ES_GUARD(es_ofd_pkg_read(&s->pkg, le, s->pkg.lim.max_xml_size, &p, &n));
        es_result r = es_ofd_write_list_append(p, n, le->name, &s->pkg.lim, max_id, sig_id, base,
                                               &s->list_bytes);
        es_free(p);
        return r;
    }
    ES_GUARD(es_ofd_write_new_list(&s->list_bytes, max_id, sig_id, base));
    if (s->main_changes) {
        const struct es_ofd_entry *me = es_ofd_pkg_find(&s->pkg, "OFD.xml");
        ES_ENSURE_MSG(me, ES_ERR_FORMAT, "the package has no OFD.xml");
        uint8_t *p = NULL;
        size_t n = 0;
        char loc[ES_OFD_MAX_PATH + 128];
        snprintf(loc, sizeof(loc), "/%s", s->list_path);
        ES_GUARD(es_ofd_pkg_read(&s->pkg, me, s->pkg.lim.max_xml_size, &p, &n));
        es_result r = es_ofd_write_main_with_list(p, n, &s->pkg.lim, loc, &s->main_bytes);
        es_free(p);
        ES_GUARD(r);
    }
    return ES_RESULT_OK;
}

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(((const struct es_ofd_newref *)a)->name, ((const struct es_ofd_newref *)b)->name);
}

static es_result add_ref(struct signer *s, const char *name, const uint8_t *data, size_t len,
                         const struct es_ofd_entry *e)
{
    struct es_ofd_newref *r = &s->refs[s->n_refs];
    r->name = es_strdup(name);
    ES_ENSURE(r->name, ES_ERR_NOMEM);
    s->n_refs++;
    if (e) {
        return es_ofd_pkg_sm3(&s->pkg, e, NULL, r->digest);
    }
    es_sm3(data, len, r->digest);
    return ES_RESULT_OK;
}

/* Step 6: every file, sorted; the package entries are streamed (which also
 * re-checks each one's size and CRC). */
static es_result build_refs(struct signer *s)
{
    s->refs = es_calloc(s->pkg.n + 3, sizeof(*s->refs));
    ES_ENSURE(s->refs, ES_ERR_NOMEM);
    bool lock = s->pp->lock != 0;
    for (size_t i = 0; i < s->pkg.n; i++) {
        const struct es_ofd_entry *e = &s->pkg.e[i];
        if (e->is_dir) {
            continue;
        }
        if (strcmp(e->name, s->list_path) == 0) {
            if (lock) {
                ES_GUARD(add_ref(s, e->name, s->list_bytes.ptr, s->list_bytes.len, NULL));
            }
        } else if (s->main_changes && strcmp(e->name, "OFD.xml") == 0) {
            ES_GUARD(add_ref(s, e->name, s->main_bytes.ptr, s->main_bytes.len, NULL));
        } else {
            ES_GUARD(add_ref(s, e->name, NULL, 0, e));
        }
    }
    if (lock && !s->list_exists) {
        ES_GUARD(add_ref(s, s->list_path, s->list_bytes.ptr, s->list_bytes.len, NULL));
    }
    ES_GUARD(add_ref(s, s->seal_name, s->pp->seal, s->pp->seal_len, NULL));
    qsort(s->refs, s->n_refs, sizeof(*s->refs), cmp_ref);
    return ES_RESULT_OK;
}

/* propertyInfo is an IA5String: non-ASCII bytes of a path are %-escaped. */
static void ia5_path(const char *name, char *out, size_t cap)
{
    size_t o = 0;
    if (cap < 8) {
        return;
    }
    out[o++] = '/';
    for (const unsigned char *p = (const unsigned char *)name; *p && o + 4 < cap; p++) {
        if (*p < 0x80) {
            out[o++] = (char)*p;
        } else {
            snprintf(out + o, cap - o, "%%%02X", *p);
            o += 3;
        }
    }
    out[o] = '\0';
}

static es_result sign_steps(struct signer *s, const char *in_path, const char *out_path)
{
    const es_ofd_sign_params *pp = s->pp;
    ES_GUARD(es_ofd_pkg_open_file(&s->pkg, in_path, pp->limits));
    bool refused;
    ES_GUARD(es_ofd_main_read(&s->pkg, &s->main, &refused));
    const struct es_ofd_docbody *body = &s->main.bodies[0];
    ES_GUARD(es_ofd_document_read(&s->pkg, body->doc_root, &s->doc, &refused));
    s->doc_read = true;
    char docdir[ES_OFD_MAX_PATH];
    es_ofd_dirname(body->doc_root, docdir, sizeof(docdir));

    /* the seal: its picture size gives the stamp size */
    struct es_seal seal;
    ES_GUARD(es_seal_parse(&seal, pp->seal, pp->seal_len, 0, ES_PROFILE_LENIENT));
    double sw = seal.pic_w_mm > 0 ? (double)seal.pic_w_mm : 40;
    double sh = seal.pic_h_mm > 0 ? (double)seal.pic_h_mm : sw;
    es_seal_clear(&seal);

    s->max_id = 0;
    s->s_style = true;
    if (body->sig_list) {
        snprintf(s->list_path, sizeof(s->list_path), "%s", body->sig_list);
    } else {
        s->main_changes = true;
        snprintf(s->list_path, sizeof(s->list_path), "%s%sSigns/Signatures.xml", docdir,
                 docdir[0] ? "/" : "");
        for (int k = 1; es_ofd_pkg_find(&s->pkg, s->list_path) && k < 1000; k++) {
            /* an orphan file already has the conventional name */
            snprintf(s->list_path, sizeof(s->list_path), "%s%sSigns/Signatures_%d.xml", docdir,
                     docdir[0] ? "/" : "", k);
        }
    }
    ES_GUARD(read_list(s));
    ES_GUARD(choose_dir(s, docdir));

    ES_GUARD(es_ofd_place(&s->pkg, &s->doc, pp->positions, pp->n_positions, sw, sh, &s->stamps,
                          &s->n_stamps));
    char sig_id[32], max_id[32];
    long next = s->max_id + 1;
    fmt_id(s, next, sig_id);
    for (size_t i = 0; i < s->n_stamps; i++) {
        fmt_id(s, ++next, s->stamps[i].id);
    }
    fmt_id(s, next, max_id);
    ES_GUARD(build_list(s, sig_id, max_id));
    ES_GUARD(build_refs(s));

    int64_t t = pp->time ? pp->time : (int64_t)time(NULL);
    char tt[21], ttext[20];
    es_time_format(t, tt); /* YYYY-MM-DDTHH:MM:SSZ */
    snprintf(ttext, sizeof(ttext), "%.4s%.2s%.2s%.2s%.2s%.2sZ", tt, tt + 5, tt + 8, tt + 11,
             tt + 14, tt + 17);
    char seal_abs[ES_OFD_MAX_PATH + 128], value_abs[ES_OFD_MAX_PATH + 128];
    snprintf(seal_abs, sizeof(seal_abs), "/%s", s->seal_name);
    snprintf(value_abs, sizeof(value_abs), "/%s", s->value_name);
    struct es_ofd_newsig ns = {ttext, s->refs, s->n_refs, s->stamps, s->n_stamps, seal_abs,
                               value_abs};
    ES_GUARD(es_ofd_write_signature(&s->sig_xml, &ns));

    /* the SES signature over the exact Signature.xml bytes (§5.2) */
    uint8_t h[32];
    es_sm3(s->sig_xml.ptr, s->sig_xml.len, h);
    char pinfo[3 * ES_OFD_MAX_PATH];
    ia5_path(s->xml_name, pinfo, sizeof(pinfo));
    es_sign_params sp = {.seal = pp->seal,
                         .seal_len = pp->seal_len,
                         .key = pp->key,
                         .cert = pp->cert,
                         .data_hash = h,
                         .property_info = pinfo,
                         .time = t,
                         .allow_expired = pp->allow_expired,
                         .timestamp = pp->timestamp,
                         .timestamp_arg = pp->timestamp_arg,
                         .timestamp_optional = pp->timestamp_optional};
    int rc = es_sign(NULL, &sp, &s->value, &s->value_len);
    if (rc != ES_OK) {
        return (es_result){rc}; /* the detail is in the error slot */
    }

    struct es_ofd_addition adds[5];
    size_t na = 0;
    if (s->main_changes) {
        adds[na++] = (struct es_ofd_addition){"OFD.xml", s->main_bytes.ptr, s->main_bytes.len};
    }
    adds[na++] = (struct es_ofd_addition){s->list_path, s->list_bytes.ptr, s->list_bytes.len};
    adds[na++] = (struct es_ofd_addition){s->seal_name, pp->seal, pp->seal_len};
    adds[na++] = (struct es_ofd_addition){s->xml_name, s->sig_xml.ptr, s->sig_xml.len};
    adds[na++] = (struct es_ofd_addition){s->value_name, s->value, s->value_len};
    return es_ofd_pkg_write(&s->pkg, out_path, adds, na, (time_t)t);
}

static es_result sign(const es_ofd_sign_params *pp, const char *in_path, const char *out_path)
{
    ES_ENSURE_MSG(pp && in_path && out_path, ES_ERR_USAGE_NULL,
                  "parameters, input and output are required");
    ES_ENSURE_MSG(pp->seal && pp->seal_len && pp->key && pp->cert, ES_ERR_USAGE_NULL,
                  "the seal, key and certificate are required");
    ES_ENSURE_MSG(pp->n_positions == 0 || pp->positions, ES_ERR_USAGE_NULL, "positions missing");
    ES_GUARD(es_file_check_distinct(in_path, out_path));
    struct signer s;
    memset(&s, 0, sizeof(s));
    s.pp = pp;
    es_buf_init(&s.list_bytes, 0);
    es_buf_init(&s.main_bytes, 0);
    es_buf_init(&s.sig_xml, 0);
    es_result res = sign_steps(&s, in_path, out_path);
    for (size_t i = 0; i < s.n_refs; i++) {
        es_free(s.refs[i].name);
    }
    es_free(s.refs);
    es_free(s.stamps);
    es_free(s.value);
    es_buf_free(&s.list_bytes);
    es_buf_free(&s.main_bytes);
    es_buf_free(&s.sig_xml);
    if (s.doc_read) {
        es_ofd_document_free(&s.doc);
    }
    es_ofd_main_free(&s.main);
    es_ofd_pkg_close(&s.pkg);
    return res;
}

int es_ofd_sign(es_ctx *ctx, const es_ofd_sign_params *params, const char *in_path,
                const char *out_path)
{
    return es_ctx_take_error(ctx, sign(params, in_path, out_path));
}
