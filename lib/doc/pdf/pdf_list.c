/*
 * lib/doc/pdf/pdf_list.c - es_pdf_list: the revisions and the signature
 * fields of every revision, as text, without verifying anything.
 */
#include <stdio.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"

static es_result list(const es_pdf_limits *lim, const uint8_t *pdf, size_t len,
                      struct es_buf *b)
{
    struct es_pdf_doc d;
    struct es_pdf_sig *v = NULL;
    size_t n = 0;
    es_result res = es_pdf_open(&d, pdf, len, lim);
    if (es_is_ok(res)) {
        res = es_pdf_pages_load(&d);
    }
    if (es_is_ok(res)) {
        res = es_pdf_sigs_all(&d, &v, &n);
    }
    ES_GUARD_GOTO(res);
    ES_GUARD_GOTO(es_buf_printf(b, "PDF %s, %zu bytes, %d page(s), %lld objects, xref %s\n",
                                d.version, d.n, d.n_pages, (long long)d.size,
                                d.xref_stream ? "stream" : "table"));
    ES_GUARD_GOTO(es_buf_printf(b, "%zu revision(s), ending at:", d.n_rev));
    for (size_t i = 0; i < d.n_rev; i++) {
        ES_GUARD_GOTO(es_buf_printf(b, " %zu", d.rev_end[i]));
    }
    ES_GUARD_GOTO(es_buf_printf(b, "\n%zu signature(s)\n", n));
    for (size_t i = 0; i < n; i++) {
        const struct es_pdf_sig *s = &v[i];
        size_t dl = s->has_contents ? es_pdf_der_len(s->contents, s->contents_len) : 0;
        int ver = 0;
        const char *kind = dl ? es_pdf_contents_kind(s->contents, dl, &ver) : "none";
        ES_GUARD_GOTO(es_buf_printf(b, "  %s: /Filter %s /SubFilter %s\n", s->name,
                                    s->filter[0] ? s->filter : "-",
                                    s->subfilter[0] ? s->subfilter : "-"));
        if (s->br_ok) {
            ES_GUARD_GOTO(es_buf_printf(b, "    /ByteRange [%lld %lld %lld %lld]\n",
                                        (long long)s->br[0], (long long)s->br[1],
                                        (long long)s->br[2], (long long)s->br[3]));
        } else {
            ES_GUARD_GOTO(es_buf_printf(b, "    /ByteRange missing or malformed\n"));
        }
        ES_GUARD_GOTO(es_buf_printf(b, "    /Contents %zu bytes (%zu used): %s%s\n",
                                    s->contents_len, dl, kind, ver == 1 ? " v1" : ver == 4 ? " v4" : ""));
        ES_GUARD_GOTO(es_buf_printf(b, "    widgets %d, page %d%s%s\n", s->n_widgets,
                                    s->page + 1, s->docmdp_p ? ", certified (DocMDP)" : "",
                                    s->fieldmdp ? ", field lock" : ""));
        if (s->rev_end != d.n) {
            ES_GUARD_GOTO(es_buf_printf(b, "    only in the revision ending at %zu\n",
                                        s->rev_end));
        }
    }
    ES_GUARD_GOTO(es_buf_append_byte(b, '\0'));
out:
    es_pdf_sigs_free(v, n);
    es_pdf_close(&d);
    return res;
}

int es_pdf_list(es_ctx *ctx, const es_pdf_limits *limits, const uint8_t *pdf, size_t len,
                char **out_text)
{
    *out_text = NULL;
    struct es_buf b;
    es_buf_init(&b, 0);
    es_result res = list(limits, pdf, len, &b);
    if (es_is_ok(res)) {
        uint8_t *p = NULL;
        size_t n = 0;
        res = es_buf_take(&b, &p, &n);
        *out_text = (char *)p;
    }
    es_buf_free(&b);
    return es_ctx_take_error(ctx, res);
}
