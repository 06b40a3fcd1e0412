/*
 * lib/doc/pdf/pdf_write.c - the incremental update (ISO 32000-1 7.5.6): the
 * original bytes kept as they are, new and changed objects appended, then a
 * cross-reference section of the same kind as the original's last one (a
 * table, or an uncompressed xref stream with /W [1 4 2]), a trailer with
 * /Prev pointing at the previous section and /Root, /Info and /ID copied,
 * startxref and %%EOF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "doc/pdf/pdf_int.h"

es_result es_pdf_upd_begin(struct es_pdf_update *u, const struct es_pdf_doc *d)
{
    memset(u, 0, sizeof(*u));
    es_buf_init(&u->out, d->n + ((size_t)64 << 20));
    ES_GUARD(es_buf_reserve(&u->out, d->n + 65536));
    ES_GUARD(es_buf_append(&u->out, d->p, d->n));
    if (d->n && d->p[d->n - 1] != '\n' && d->p[d->n - 1] != '\r') {
        ES_GUARD(es_buf_append_byte(&u->out, '\n'));
    }
    u->base = d->n;
    u->next_id = (int)d->size;
    return ES_RESULT_OK;
}

void es_pdf_upd_free(struct es_pdf_update *u) { es_buf_free(&u->out); }

es_result es_pdf_upd_obj(struct es_pdf_update *u, int id, int gen)
{
    ES_ENSURE_MSG(u->n_obj < sizeof(u->ids) / sizeof(u->ids[0]), ES_ERR_LIMIT_COUNT,
                  "PDF: too many objects in one update");
    ES_ENSURE(id > 0, ES_ERR_INTERNAL);
    u->ids[u->n_obj] = id;
    u->gens[u->n_obj] = gen;
    u->offs[u->n_obj] = u->out.len;
    u->n_obj++;
    if (id >= u->next_id) {
        u->next_id = id + 1;
    }
    return es_buf_printf(&u->out, "%d %d obj\n", id, gen);
}

es_result es_pdf_upd_stream(struct es_pdf_update *u, int id, const char *dict,
                            const uint8_t *data, size_t len)
{
    ES_GUARD(es_pdf_upd_obj(u, id, 0));
    ES_GUARD(es_buf_printf(&u->out, "<< %s /Length %zu >>\nstream\n", dict, len));
    ES_GUARD(es_buf_append(&u->out, data, len));
    return es_buf_printf(&u->out, "\nendstream\nendobj\n");
}

es_result es_pdf_deflate(const uint8_t *data, size_t len, struct es_buf *out)
{
    uLongf cap = compressBound((uLong)len);
    ES_ENSURE_MSG(len < ((size_t)1 << 30), ES_ERR_LIMIT_SIZE, "PDF: stream too large");
    ES_GUARD(es_buf_reserve(out, cap));
    uLongf got = cap;
    ES_ENSURE_MSG(compress2(out->ptr + out->len, &got, data, (uLong)len, 6) == Z_OK,
                  ES_ERR_INTERNAL, "zlib compression failed");
    out->len += got;
    return ES_RESULT_OK;
}

static int cmp_pair(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* /Root, /Info and /ID of the original trailer, as text. */
static es_result trailer_keys(struct es_pdf_doc *d, struct es_buf *b)
{
    qpdf_data q = d->q;
    qpdf_oh tr = qpdf_get_trailer(q);
    qpdf_oh root = qpdf_oh_get_key(q, tr, "/Root");
    ES_GUARD(es_buf_printf(b, " /Root %s", qpdf_oh_unparse(q, root)));
    qpdf_oh info = qpdf_oh_get_key(q, tr, "/Info");
    if (qpdf_oh_is_indirect(q, info)) {
        ES_GUARD(es_buf_printf(b, " /Info %s", qpdf_oh_unparse(q, info)));
    }
    qpdf_oh id = qpdf_oh_get_key(q, tr, "/ID");
    if (qpdf_oh_is_array(q, id)) {
        ES_GUARD(es_buf_printf(b, " /ID %s", qpdf_oh_unparse_binary(q, id)));
    }
    return es_pdf_qcheck(d, "trailer");
}

es_result es_pdf_upd_finish(struct es_pdf_update *u, struct es_pdf_doc *d)
{
    struct es_buf tk;
    es_buf_init(&tk, 1 << 16);
    es_result res = ES_RESULT_OK;
    size_t *pairs = NULL;
    ES_GUARD_GOTO(trailer_keys(d, &tk));
    ES_GUARD_GOTO(es_buf_append_byte(&tk, '\0'));
    int xs_id = 0;
    if (d->xref_stream) {
        xs_id = u->next_id;
        ES_GUARD_GOTO(es_pdf_upd_obj(u, xs_id, 0)); /* the xref stream lists itself */
    }
    pairs = es_calloc(u->n_obj * 3, sizeof(*pairs));
    if (!pairs) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < u->n_obj; i++) {
        pairs[3 * i] = (size_t)u->ids[i];
        pairs[3 * i + 1] = u->offs[i];
        pairs[3 * i + 2] = (size_t)u->gens[i];
    }
    qsort(pairs, u->n_obj, 3 * sizeof(*pairs), cmp_pair);
    int size = u->next_id > d->size ? u->next_id : (int)d->size;
    size_t xref_at = d->xref_stream ? u->offs[u->n_obj - 1] : u->out.len;
    if (!d->xref_stream) {
        ES_GUARD_GOTO(es_buf_printf(&u->out, "xref\n"));
        for (size_t i = 0; i < u->n_obj;) {
            size_t j = i + 1;
            while (j < u->n_obj && pairs[3 * j] == pairs[3 * (j - 1)] + 1) {
                j++;
            }
            ES_GUARD_GOTO(es_buf_printf(&u->out, "%zu %zu\n", pairs[3 * i], j - i));
            for (size_t k = i; k < j; k++) {
                ES_GUARD_GOTO(es_buf_printf(&u->out, "%010zu %05zu n\r\n", pairs[3 * k + 1],
                                            pairs[3 * k + 2]));
            }
            i = j;
        }
        ES_GUARD_GOTO(es_buf_printf(&u->out, "trailer\n<< /Size %d%s /Prev %zu >>\n", size,
                                    (const char *)tk.ptr, d->startxref));
    } else {
        struct es_buf idx, data;
        es_buf_init(&idx, 1 << 20);
        es_buf_init(&data, 1 << 20);
        for (size_t i = 0; i < u->n_obj && es_is_ok(res);) {
            size_t j = i + 1;
            while (j < u->n_obj && pairs[3 * j] == pairs[3 * (j - 1)] + 1) {
                j++;
            }
            res = es_buf_printf(&idx, "%s%zu %zu", i ? " " : "", pairs[3 * i], j - i);
            for (size_t k = i; k < j && es_is_ok(res); k++) {
                size_t off = pairs[3 * k + 1], gen = pairs[3 * k + 2];
                uint8_t e[7] = {1, (uint8_t)(off >> 24), (uint8_t)(off >> 16),
                                (uint8_t)(off >> 8), (uint8_t)off, (uint8_t)(gen >> 8),
                                (uint8_t)gen};
                res = es_buf_append(&data, e, sizeof(e));
            }
            i = j;
        }
        if (es_is_ok(res)) {
            res = es_buf_append_byte(&idx, '\0');
        }
        if (es_is_ok(res)) {
            res = es_buf_printf(&u->out,
                                "<< /Type /XRef /Size %d /W [1 4 2] /Index [%s]%s /Prev %zu "
                                "/Length %zu >>\nstream\n",
                                size, (const char *)idx.ptr, (const char *)tk.ptr, d->startxref,
                                data.len);
        }
        if (es_is_ok(res)) {
            res = es_buf_append(&u->out, data.ptr, data.len);
        }
        es_buf_free(&idx);
        es_buf_free(&data);
        ES_GUARD_GOTO(res);
        ES_GUARD_GOTO(es_buf_printf(&u->out, "\nendstream\nendobj\n"));
    }
    ES_GUARD_GOTO(es_buf_printf(&u->out, "startxref\n%zu\n%%%%EOF\n", xref_at));
out:
    es_free(pairs);
    es_buf_free(&tk);
    return res;
}
