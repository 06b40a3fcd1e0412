/*
 * lib/doc/pdf/pdf_sigdict.c - the signature dictionary read by bounded code
 * of our own, because qpdf tokenises the /Contents hex string (~100 KiB in a
 * seal) byte by byte and that alone cost more than hashing the file.
 *
 * Only the plain case is taken: the file's cross-reference is a chain of
 * xref tables (no stream, no /XRefStm), the object is listed once per table
 * and its header "id gen obj" is where the newest table says (what qpdf,
 * which already read those tables with recovery off, resolves too; or,
 * without qpdf, pdf_plain.c, which checked every table first), and the
 * dictionary has only direct values of the expected types. Anything else
 * (an indirect /ByteRange, a literal /Contents or one with whitespace, a
 * name with #xx, a repeated key, nesting deeper than 8) answers "not done"
 * and qpdf reads the dictionary as before, so the result never depends on
 * which path ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"

#define MAX_NEST 8

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static bool is_delim(uint8_t c)
{
    return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
           c == '}' || c == '/' || c == '%';
}

void es_pdf_skip_ws(struct es_pdf_cur *c)
{
    while (c->i < c->n) {
        if (is_ws(c->p[c->i])) {
            c->i++;
        } else if (c->p[c->i] == '%') {
            while (c->i < c->n && c->p[c->i] != '\n' && c->p[c->i] != '\r') {
                c->i++;
            }
        } else {
            break;
        }
    }
}

bool es_pdf_at(const struct es_pdf_cur *c, const char *tok)
{
    size_t l = strlen(tok);
    return c->n - c->i >= l && memcmp(c->p + c->i, tok, l) == 0 &&
           (c->i + l == c->n || is_ws(c->p[c->i + l]) || is_delim(c->p[c->i + l]) ||
            is_delim((uint8_t)tok[l - 1]));
}

/* An unsigned integer token (at most 18 digits). */
bool es_pdf_uint_tok(struct es_pdf_cur *c, uint64_t *out)
{
    size_t k = 0;
    uint64_t v = 0;
    while (c->i < c->n && c->p[c->i] >= '0' && c->p[c->i] <= '9' && k < 18) {
        v = v * 10 + (uint64_t)(c->p[c->i++] - '0');
        k++;
    }
    *out = v;
    return k > 0 && (c->i == c->n || is_ws(c->p[c->i]) || is_delim(c->p[c->i]));
}

/* An integer with an optional sign. */
bool es_pdf_int_tok(struct es_pdf_cur *c, int64_t *out)
{
    bool neg = c->i < c->n && (c->p[c->i] == '-' || c->p[c->i] == '+');
    neg = neg && c->p[c->i++] == '-';
    uint64_t v = 0;
    if (!es_pdf_uint_tok(c, &v)) {
        return false;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* A name without #xx escapes, copied without its '/'. */
bool es_pdf_name_tok(struct es_pdf_cur *c, char *out, size_t cap)
{
    if (c->i >= c->n || c->p[c->i] != '/') {
        return false;
    }
    size_t s = ++c->i;
    while (c->i < c->n && !is_ws(c->p[c->i]) && !is_delim(c->p[c->i])) {
        if (c->p[c->i] == '#') {
            return false;
        }
        c->i++;
    }
    size_t l = c->i - s;
    if (l >= cap) {
        return false;
    }
    memcpy(out, c->p + s, l);
    out[l] = '\0';
    return true;
}

/* The next key of a dictionary being read: 1 with the key in k and c at
 * its value, 0 at the closing ">>" (consumed), -1 on anything else. */
int es_pdf_dict_key(struct es_pdf_cur *c, char *k, size_t cap)
{
    es_pdf_skip_ws(c);
    if (es_pdf_at(c, ">>")) {
        c->i += 2;
        return 0;
    }
    if (!es_pdf_name_tok(c, k, cap)) {
        return -1;
    }
    es_pdf_skip_ws(c);
    return 1;
}

/* A literal string, decoded into out (truncated to cap-1, as qpdf's value
 * is by snprintf in the other path); false on an unterminated one. */
bool es_pdf_lit_string(struct es_pdf_cur *c, char *out, size_t cap)
{
    size_t o = 0;
    int depth = 0;
    c->i++; /* '(' */
    while (c->i < c->n) {
        uint8_t ch = c->p[c->i++];
        if (ch == '\\') {
            if (c->i >= c->n) {
                return false;
            }
            uint8_t e = c->p[c->i++];
            static const char from[] = "nrtbf()\\", to[] = "\n\r\t\b\f()\\";
            const char *m = e ? strchr(from, e) : NULL;
            if (m) {
                ch = (uint8_t)to[m - from];
            } else if (e >= '0' && e <= '7') {
                unsigned v = e - '0';
                for (int k = 0; k < 2 && c->i < c->n && c->p[c->i] >= '0' && c->p[c->i] <= '7';
                     k++) {
                    v = v * 8 + (unsigned)(c->p[c->i++] - '0');
                }
                ch = (uint8_t)v;
            } else if (e == '\r' || e == '\n') {
                if (e == '\r' && c->i < c->n && c->p[c->i] == '\n') {
                    c->i++;
                }
                continue; /* a line continuation */
            } else {
                ch = e;
            }
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            if (depth-- == 0) {
                out[o] = '\0';
                return true;
            }
        } else if (ch == '\r') {
            /* an end of line in a string reads as \n */
            if (c->i < c->n && c->p[c->i] == '\n') {
                c->i++;
            }
            ch = '\n';
        }
        if (o + 1 < cap) {
            out[o++] = (char)ch;
        }
    }
    return false;
}

/* Hex digit values; 0xff for other bytes. A table and no branch per byte:
 * the /Contents of a seal is ~100 KiB of hex, as long as the file's hash. */
static uint8_t g_hex[256];

static void hex_table(void)
{
    if (g_hex['0'] == 0 && g_hex['a'] == 0) {
        memset(g_hex, 0xff, sizeof(g_hex));
        for (int i = 0; i < 10; i++) {
            g_hex['0' + i] = (uint8_t)i;
        }
        for (int i = 0; i < 6; i++) {
            g_hex['a' + i] = g_hex['A' + i] = (uint8_t)(10 + i);
        }
    }
}

bool es_pdf_hex_decode(const uint8_t *h, size_t n, uint8_t *out)
{
    hex_table();
    uint8_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t hi = g_hex[h[2 * i]], lo = g_hex[h[2 * i + 1]];
        bad |= hi | lo;
        out[i] = (uint8_t)((hi << 4) | (lo & 0x0f));
    }
    return (bad & 0xf0) == 0;
}

/* The span of a hex string "<...>" at c (c left after it); *plain when it
 * has an even number of bytes (es_pdf_hex_decode then checks they are
 * digits). */
static bool hex_span(struct es_pdf_cur *c, size_t *s, size_t *e, size_t *digits, bool *plain)
{
    *s = c->i++;
    const uint8_t *close = memchr(c->p + c->i, '>', c->n - c->i);
    if (!close) {
        return false;
    }
    *e = (size_t)(close - c->p) + 1;
    c->i = *e;
    *digits = *e - *s - 2;
    *plain = *digits % 2 == 0;
    return true;
}

/* Skips a hex string of any other key, refusing (like qpdf) a byte that is
 * neither a hex digit nor whitespace. */
static bool hex_skip(struct es_pdf_cur *c)
{
    size_t s, e, digits;
    bool plain;
    if (!hex_span(c, &s, &e, &digits, &plain)) {
        return false;
    }
    hex_table();
    for (size_t i = s + 1; i + 1 < e; i++) {
        if (g_hex[c->p[i]] == 0xff && !is_ws(c->p[i])) {
            return false;
        }
    }
    return true;
}

/* "N G R" at c: an indirect reference (only qpdf resolves those). */
bool es_pdf_is_ref(const struct es_pdf_cur *c)
{
    struct es_pdf_cur t = *c;
    uint64_t v;
    if (!es_pdf_uint_tok(&t, &v)) {
        return false;
    }
    es_pdf_skip_ws(&t);
    if (!es_pdf_uint_tok(&t, &v)) {
        return false;
    }
    es_pdf_skip_ws(&t);
    return es_pdf_at(&t, "R");
}

/* Skips one object (a reference included); false on a malformed or too
 * deeply nested one (the caller gives up). */
bool es_pdf_skip_value(struct es_pdf_cur *c, int depth)
{
    es_pdf_skip_ws(c);
    if (c->i >= c->n || depth > MAX_NEST) {
        return false;
    }
    uint8_t ch = c->p[c->i];
    if (ch == '/') {
        char nm[128];
        return es_pdf_name_tok(c, nm, sizeof(nm));
    }
    if (ch == '(') {
        char tmp[2];
        return es_pdf_lit_string(c, tmp, sizeof(tmp));
    }
    if (ch == '<' && c->i + 1 < c->n && c->p[c->i + 1] == '<') {
        c->i += 2;
        char nm[128];
        int r;
        while ((r = es_pdf_dict_key(c, nm, sizeof(nm))) == 1) {
            if (!es_pdf_skip_value(c, depth + 1)) {
                return false;
            }
        }
        return r == 0;
    }
    if (ch == '<') {
        return hex_skip(c);
    }
    if (ch == '[') {
        c->i++;
        for (;;) {
            es_pdf_skip_ws(c);
            if (c->i < c->n && c->p[c->i] == ']') {
                c->i++;
                return true;
            }
            if (!es_pdf_skip_value(c, depth + 1)) {
                return false;
            }
        }
    }
    if (es_pdf_at(c, "true") || es_pdf_at(c, "null")) {
        c->i += 4;
        return true;
    }
    if (es_pdf_at(c, "false")) {
        c->i += 5;
        return true;
    }
    if (es_pdf_is_ref(c)) {
        uint64_t v;
        (void)es_pdf_uint_tok(c, &v);
        es_pdf_skip_ws(c);
        (void)es_pdf_uint_tok(c, &v);
        es_pdf_skip_ws(c);
        c->i++; /* R */
        return true;
    }
    /* a number as qpdf reads one: sign, digits, at most one point; anything
     * else qpdf only warns about and keeps, so it is not skipped here */
    return es_pdf_num_tok(c, NULL);
}

bool es_pdf_num_tok(struct es_pdf_cur *c, double *out)
{
    size_t s = c->i, digits = 0, points = 0;
    if (c->i < c->n && (c->p[c->i] == '-' || c->p[c->i] == '+')) {
        c->i++;
    }
    while (c->i < c->n && ((c->p[c->i] >= '0' && c->p[c->i] <= '9') || c->p[c->i] == '.')) {
        digits += c->p[c->i] != '.';
        points += c->p[c->i++] == '.';
    }
    if (digits == 0 || points > 1 || digits > 30 ||
        !(c->i == c->n || is_ws(c->p[c->i]) || is_delim(c->p[c->i]))) {
        return false;
    }
    if (out) {
        char tmp[40];
        memcpy(tmp, c->p + s, c->i - s);
        tmp[c->i - s] = '\0';
        *out = strtod(tmp, NULL);
    }
    return true;
}

/* A /TransformParams dictionary of a /Reference entry. */
static bool read_params(struct es_pdf_cur *c, bool docmdp, struct es_pdf_sig *s)
{
    es_pdf_skip_ws(c);
    if (!es_pdf_at(c, "<<")) {
        return false;
    }
    c->i += 2;
    char k[32];
    int r;
    while ((r = es_pdf_dict_key(c, k, sizeof(k))) == 1) {
        struct es_pdf_cur v = *c;
        if (docmdp && strcmp(k, "P") == 0) {
            int64_t p = 0;
            bool is_int = es_pdf_int_tok(&v, &p);
            if (es_pdf_is_ref(c) || !es_pdf_skip_value(c, 2)) {
                return false; /* an indirect /P: qpdf */
            }
            /* a /P that is no integer reads as the default 2, as via qpdf */
            s->docmdp_p = is_int && v.i == c->i ? (int)p : 2;
            continue;
        }
        if (!docmdp && strcmp(k, "Action") == 0 && c->i < c->n && c->p[c->i] == '/') {
            if (!es_pdf_name_tok(c, s->fieldmdp_action, sizeof(s->fieldmdp_action))) {
                return false;
            }
            continue;
        }
        if (es_pdf_is_ref(c) || !es_pdf_skip_value(c, 2)) {
            return false; /* an indirect /Action: qpdf */
        }
    }
    return r == 0;
}

/* /Reference [ << /TransformMethod /DocMDP|/FieldMDP /TransformParams <<…>> >> … ]:
 * the first 8 entries count, as in the qpdf path. */
static bool read_refs(struct es_pdf_cur *c, struct es_pdf_sig *s)
{
    es_pdf_skip_ws(c);
    if (c->i >= c->n || c->p[c->i] != '[') {
        /* not an array: ignored, as via qpdf, unless qpdf would resolve it */
        return !es_pdf_is_ref(c) && es_pdf_skip_value(c, 1);
    }
    c->i++;
    for (int n = 0;; n++) {
        es_pdf_skip_ws(c);
        if (c->i < c->n && c->p[c->i] == ']') {
            c->i++;
            return true;
        }
        if (!es_pdf_at(c, "<<")) {
            return false; /* an indirect entry: qpdf */
        }
        /* two passes: the method first, then its parameters */
        struct es_pdf_cur first = *c;
        char tm[32] = "";
        if (!es_pdf_skip_value(c, 1)) {
            return false;
        }
        struct es_pdf_cur dict = {first.p, first.i + 2, c->i};
        char k[32];
        int r;
        while (n < 8 && (r = es_pdf_dict_key(&dict, k, sizeof(k))) != 0) {
            if (r < 0) {
                return false;
            }
            bool method = strcmp(k, "TransformMethod") == 0;
            if (method && dict.i < dict.n && dict.p[dict.i] == '/') {
                if (!es_pdf_name_tok(&dict, tm, sizeof(tm))) {
                    return false;
                }
            } else if ((method && es_pdf_is_ref(&dict)) || !es_pdf_skip_value(&dict, 2)) {
                return false;
            }
        }
        dict = (struct es_pdf_cur){first.p, first.i + 2, c->i};
        bool doc = strcmp(tm, "DocMDP") == 0, field = strcmp(tm, "FieldMDP") == 0;
        if (field) {
            s->fieldmdp = true;
        }
        bool params = false;
        while (n < 8 && (doc || field) && (r = es_pdf_dict_key(&dict, k, sizeof(k))) != 0) {
            if (r < 0) {
                return false;
            }
            if (strcmp(k, "TransformParams") == 0) {
                struct es_pdf_cur v = dict;
                es_pdf_skip_ws(&v);
                if (es_pdf_at(&v, "<<")) {
                    params = true;
                    if (!read_params(&dict, doc, s)) {
                        return false;
                    }
                    continue;
                }
                if (es_pdf_is_ref(&v)) {
                    return false;
                }
            }
            if (!es_pdf_skip_value(&dict, 2)) {
                return false;
            }
        }
        if (doc && !params) {
            s->docmdp_p = 2; /* DocMDP without parameters: the default */
        }
    }
}

/* Where the newest xref table lists `id gen` in use; false when the chain
 * is not plain tables or the object is not listed once, in use, with that
 * generation. */
bool es_pdf_table_offset(struct es_pdf_doc *d, int id, int gen, size_t *out)
{
    if (d->xref_stream) {
        return false;
    }
    struct es_pdf_cur c = {d->p, d->startxref, d->n};
    for (size_t hop = 0; hop <= d->n_rev; hop++) {
        es_pdf_skip_ws(&c);
        if (!es_pdf_at(&c, "xref")) {
            return false;
        }
        c.i += 4;
        bool found = false;
        for (;;) {
            es_pdf_skip_ws(&c);
            if (es_pdf_at(&c, "trailer")) {
                c.i += 7;
                break;
            }
            uint64_t first = 0, count = 0;
            if (!es_pdf_uint_tok(&c, &first) ||
                (es_pdf_skip_ws(&c), !es_pdf_uint_tok(&c, &count)) ||
                count > (uint64_t)d->size || first > (uint64_t)d->size) {
                return false;
            }
            es_pdf_skip_ws(&c);
            size_t e0 = c.i;
            if (count > (d->n - e0) / 20) {
                return false;
            }
            if ((uint64_t)id >= first && (uint64_t)id < first + count) {
                const uint8_t *e = d->p + e0 + ((uint64_t)id - first) * 20;
                struct es_pdf_cur ec = {e, 0, 20};
                uint64_t off = 0, g = 0;
                if (found || !es_pdf_uint_tok(&ec, &off) || ec.i != 10 ||
                    (ec.i++, !es_pdf_uint_tok(&ec, &g)) || ec.i != 16 || e[17] != 'n' ||
                    g != (uint64_t)gen || off >= d->n ||
                    !((e[18] == ' ' && (e[19] == '\r' || e[19] == '\n')) ||
                      (e[18] == '\r' && e[19] == '\n'))) {
                    return false; /* twice, free, other generation or odd layout */
                }
                found = true;
                *out = (size_t)off;
            }
            c.i = e0 + (size_t)count * 20;
        }
        /* the trailer: /Prev to go on, /XRefStm means a hybrid file */
        es_pdf_skip_ws(&c);
        if (!es_pdf_at(&c, "<<")) {
            return false;
        }
        c.i += 2;
        int64_t prev = -1;
        char k[32];
        int r;
        while ((r = es_pdf_dict_key(&c, k, sizeof(k))) != 0) {
            if (r < 0 || strcmp(k, "XRefStm") == 0) {
                return false;
            }
            if (strcmp(k, "Prev") == 0) {
                if (!es_pdf_int_tok(&c, &prev) || prev < 0 || (uint64_t)prev >= d->n) {
                    return false;
                }
            } else if (!es_pdf_skip_value(&c, 1)) {
                return false;
            }
        }
        if (found) {
            return true;
        }
        if (prev < 0) {
            return false;
        }
        c.i = (size_t)prev;
    }
    return false;
}

es_result es_pdf_sigdict_fast(struct es_pdf_doc *d, int id, int gen, const char *name,
                              struct es_pdf_sig *s, bool *out_done)
{
    *out_done = false;
    size_t off = 0;
    if (id <= 0 || id >= d->size || !es_pdf_table_offset(d, id, gen, &off)) {
        return ES_RESULT_OK;
    }
    struct es_pdf_cur c = {d->p, off, d->n};
    uint64_t oid = 0, ogen = 0;
    if (!es_pdf_uint_tok(&c, &oid) || oid != (uint64_t)id ||
        (es_pdf_skip_ws(&c), !es_pdf_uint_tok(&c, &ogen)) || ogen != (uint64_t)gen ||
        (es_pdf_skip_ws(&c), !es_pdf_at(&c, "obj"))) {
        return ES_RESULT_OK;
    }
    c.i += 3;
    es_pdf_skip_ws(&c);
    if (!es_pdf_at(&c, "<<")) {
        return ES_RESULT_OK;
    }
    c.i += 2;
    struct es_pdf_sig v = *s; /* filled here, copied out when all is plain */
    size_t cs = 0, ce = 0, digits = 0;
    bool plain = false;
    unsigned seen = 0;
    static const char *const keys[] = {"Filter", "SubFilter", "M", "ByteRange", "Contents",
                                       "Reference"};
    char k[64];
    int r;
    while ((r = es_pdf_dict_key(&c, k, sizeof(k))) != 0) {
        if (r < 0) {
            return ES_RESULT_OK;
        }
        unsigned bit = 0;
        for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            bit = strcmp(k, keys[i]) == 0 ? 1u << i : bit;
        }
        if (bit & seen) {
            return ES_RESULT_OK; /* a repeated key: which one wins is qpdf's call */
        }
        seen |= bit;
        es_pdf_skip_ws(&c);
        bool ok = true;
        uint8_t ch = c.i < c.n ? c.p[c.i] : 0;
        if (strcmp(k, "Filter") == 0 && ch == '/') {
            ok = es_pdf_name_tok(&c, v.filter, sizeof(v.filter));
        } else if (strcmp(k, "SubFilter") == 0 && ch == '/') {
            ok = es_pdf_name_tok(&c, v.subfilter, sizeof(v.subfilter));
        } else if (strcmp(k, "M") == 0 && ch == '(') {
            ok = es_pdf_lit_string(&c, v.m, sizeof(v.m));
        } else if (strcmp(k, "ByteRange") == 0 && ch == '[') {
            c.i++;
            v.br_ok = true;
            for (int i = 0; i < 4 && ok; i++) {
                es_pdf_skip_ws(&c);
                struct es_pdf_cur t = c;
                ok = es_pdf_int_tok(&t, &v.br[i]) && es_pdf_skip_value(&c, 1) && t.i == c.i;
            }
            es_pdf_skip_ws(&c);
            ok = ok && c.i < c.n && c.p[c.i++] == ']';
        } else if (strcmp(k, "Contents") == 0 && ch == '<') {
            ok = hex_span(&c, &cs, &ce, &digits, &plain);
        } else if (strcmp(k, "Reference") == 0) {
            ok = read_refs(&c, &v);
        } else if (bit) {
            return ES_RESULT_OK; /* a key we read, of another type: qpdf */
        } else {
            ok = es_pdf_skip_value(&c, 1);
        }
        if (!ok) {
            return ES_RESULT_OK;
        }
    }
    es_pdf_skip_ws(&c);
    if (!es_pdf_at(&c, "endobj")) {
        return ES_RESULT_OK; /* a stream (no dictionary for qpdf) or worse */
    }
    if (ce) {
        if (!plain) {
            return ES_RESULT_OK; /* whitespace or an odd digit count: qpdf */
        }
        size_t len = digits / 2;
        ES_ENSURE_MSG(len <= d->lim.max_contents, ES_ERR_LIMIT_SIZE,
                      "PDF: /Contents of signature '%s' is %zu bytes, over the limit of %zu",
                      name, len, d->lim.max_contents);
        v.contents = es_malloc(len ? len : 1);
        ES_ENSURE(v.contents, ES_ERR_NOMEM);
        if (!es_pdf_hex_decode(d->p + cs + 1, len, v.contents)) {
            es_free(v.contents);
            return ES_RESULT_OK; /* not only hex digits: qpdf says what it is */
        }
        v.hex_off = cs; /* the token's place: the ByteRange hole must be it */
        v.hex_end = ce;
        v.contents_len = len;
        v.has_contents = true;
    }
    *s = v;
    *out_done = true;
    return ES_RESULT_OK;
}
