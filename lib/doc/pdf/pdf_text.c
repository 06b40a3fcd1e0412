/*
 * lib/doc/pdf/pdf_text.c - finding a keyword in the text of PDF pages, for
 * stamps placed by keyword (as OFD's ES_OFD_POS_KEYWORD).
 *
 * Each page's content (qpdf decodes and joins the streams) is tokenised and
 * the text operators are followed: q/Q/cm for the CTM, BT, Tf, Td, TD, Tm,
 * T*, TL, Tj, TJ, ' and ". Strings are turned into Unicode through the
 * font's /ToUnicode CMap (bfchar and bfrange; one- or two-byte codes), or
 * byte for byte (Latin-1) for simple fonts without one. Glyph widths are
 * not read: an advance is estimated as half the font size for Latin text
 * and the full size for CJK, which is enough to centre a stamp on a word.
 * Everything is bounded: content size, tokens, q nesting, fonts per page,
 * CMap entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/pdf/pdf_int.h"

#define MAX_CONTENT ((size_t)64 << 20)
#define MAX_GLYPHS 1000000
#define MAX_FONTS 64
#define MAX_QDEPTH 32

struct font {
    char name[64];
    int bytes;       /* code length: 1 or 2 */
    uint32_t *map;   /* code -> code point (0 = none); NULL: Latin-1 */
};

struct glyph {
    uint32_t cp;
    double x, y, adv, size; /* user space */
};

struct scan {
    struct es_pdf_doc *d;
    qpdf_oh fonts;           /* the page's /Resources /Font (may be null) */
    struct font f[MAX_FONTS];
    size_t nf;
    struct font *cur;
    double size, leading;
    double ctm[6], tm[6], tlm[6];
    double qstack[MAX_QDEPTH][6];
    int qdepth;
    struct glyph *g;
    size_t ng, capg;
};

static void mul(const double a[6], const double b[6], double out[6])
{
    double r[6] = {a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
                   a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
                   a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]};
    memcpy(out, r, sizeof(r));
}

static void identity(double m[6])
{
    static const double id[6] = {1, 0, 0, 1, 0, 0};
    memcpy(m, id, sizeof(id));
}

static unsigned hexv(uint8_t c)
{
    return c >= '0' && c <= '9' ? (unsigned)(c - '0')
           : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (unsigned)((c | 0x20) - 'a' + 10)
                                                    : 16;
}

/* <hex> at p[i] (after '<') into a number and its digit count. */
static size_t read_hex_num(const uint8_t *p, size_t n, size_t i, uint32_t *v, int *digits)
{
    *v = 0;
    *digits = 0;
    while (i < n && p[i] != '>') {
        unsigned h = hexv(p[i++]);
        if (h < 16 && *digits < 8) {
            *v = (*v << 4) | h;
            (*digits)++;
        }
    }
    return i < n ? i + 1 : n;
}

/* The ToUnicode CMap: bfchar and bfrange sections. */
static void parse_cmap(const uint8_t *p, size_t n, struct font *f)
{
    size_t cap = f->bytes == 2 ? 65536 : 256;
    f->map = es_calloc(cap, sizeof(*f->map));
    if (!f->map) {
        return;
    }
    for (size_t i = 0; i < n;) {
        const uint8_t *bc = memmem(p + i, n - i, "beginbf", 7);
        if (!bc) {
            break;
        }
        bool range = (size_t)(bc - p) + 12 <= n && memcmp(bc + 7, "range", 5) == 0;
        i = (size_t)(bc - p) + 7;
        const uint8_t *end = memmem(p + i, n - i, "endbf", 5);
        size_t stop = end ? (size_t)(end - p) : n;
        uint32_t nums[3];
        int k = 0, dg = 0;
        while (i < stop) {
            if (p[i] == '<') {
                i = read_hex_num(p, stop, i + 1, &nums[k], &dg);
                if (k == 0 && dg == 4 && f->bytes == 1) {
                    /* two-byte codes: grow the table */
                    uint32_t *nm = es_realloc(f->map, 65536 * sizeof(*nm));
                    if (!nm) {
                        return;
                    }
                    memset(nm + 256, 0, (65536 - 256) * sizeof(*nm));
                    f->map = nm;
                    f->bytes = 2;
                    cap = 65536;
                }
                k++;
            } else if (p[i] == '[' && range && k == 2) {
                /* <lo> <hi> [<d1> <d2> ...] */
                i++;
                for (uint32_t c = nums[0]; i < stop && p[i] != ']';) {
                    if (p[i] == '<') {
                        uint32_t dst;
                        i = read_hex_num(p, stop, i + 1, &dst, &dg);
                        if (c < cap) {
                            f->map[c] = dg > 4 ? dst >> 16 : dst;
                        }
                        c++;
                    } else {
                        i++;
                    }
                }
                k = 0;
                continue;
            } else {
                i++;
            }
            if (!range && k == 2) {
                if (nums[0] < cap) {
                    f->map[nums[0]] = dg > 4 ? nums[1] >> 16 : nums[1];
                }
                k = 0;
            } else if (range && k == 3) {
                uint32_t dst = dg > 4 ? nums[2] >> 16 : nums[2];
                for (uint32_t c = nums[0]; c <= nums[1] && c < cap; c++) {
                    f->map[c] = dst + (c - nums[0]);
                }
                k = 0;
            }
        }
        i = stop + 5;
    }
}

static struct font *font_for(struct scan *s, const char *name)
{
    for (size_t i = 0; i < s->nf; i++) {
        if (strcmp(s->f[i].name, name) == 0) {
            return &s->f[i];
        }
    }
    if (s->nf == MAX_FONTS) {
        return NULL;
    }
    struct font *f = &s->f[s->nf++];
    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", name);
    qpdf_data q = s->d->q;
    char key[72];
    snprintf(key, sizeof(key), "/%s", name);
    qpdf_oh fo = qpdf_oh_get_key(q, s->fonts, key);
    f->bytes = qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, fo, "/Subtype"), "/Type0") ? 2
                                                                                            : 1;
    qpdf_oh tu = qpdf_oh_get_key(q, fo, "/ToUnicode");
    if (qpdf_oh_is_stream(q, tu)) {
        unsigned char *buf = NULL;
        size_t len = 0;
        QPDF_BOOL filtered = QPDF_FALSE;
        qpdf_oh_get_stream_data(q, tu, qpdf_dl_generalized, &filtered, &buf, &len);
        if (buf && filtered && len < ((size_t)4 << 20)) {
            parse_cmap(buf, len, f);
        }
        es_pdf_qfree(buf);
    }
    if (qpdf_has_error(q)) {
        (void)qpdf_get_error(q);
    }
    return f;
}

static double absd(double v) { return v < 0 ? -v : v; }

static void add_glyph(struct scan *s, uint32_t cp)
{
    double trm[6];
    mul(s->tm, s->ctm, trm);
    double w = (cp >= 0x2e80 ? 1.0 : 0.5) * s->size; /* text space advance */
    if (s->ng == s->capg && s->capg < MAX_GLYPHS) {
        size_t cap = s->capg ? s->capg * 2 : 256;
        struct glyph *ng = es_realloc(s->g, cap * sizeof(*ng));
        if (ng) {
            s->g = ng;
            s->capg = cap;
        }
    }
    if (s->ng < s->capg) {
        s->g[s->ng++] = (struct glyph){cp, trm[4], trm[5], w * absd(trm[0]),
                                       s->size * absd(trm[3])};
    }
    double adv[6] = {1, 0, 0, 1, w, 0};
    mul(adv, s->tm, s->tm);
}

static void show(struct scan *s, const uint8_t *str, size_t n)
{
    struct font *f = s->cur;
    int bytes = f ? f->bytes : 1;
    for (size_t i = 0; i + (size_t)bytes <= n; i += (size_t)bytes) {
        uint32_t code = bytes == 2 ? (uint32_t)(str[i] << 8 | str[i + 1]) : str[i];
        uint32_t cp = f && f->map ? f->map[code] : (bytes == 1 ? code : 0);
        add_glyph(s, cp ? cp : 0xfffd);
    }
}

/* Appends a byte; a string that outgrows the content bound is cut short. */
static void put_byte(struct es_buf *b, uint8_t c)
{
    if (es_is_err(es_buf_append_byte(b, c))) {
        es_error_clear();
    }
}

/* A PDF string token at p[i] ('(' or '<') decoded into out; returns the
 * index after it. */
static size_t read_string(const uint8_t *p, size_t n, size_t i, struct es_buf *out)
{
    out->len = 0;
    if (p[i] == '<') {
        int hi = -1;
        for (i++; i < n && p[i] != '>'; i++) {
            unsigned h = hexv(p[i]);
            if (h < 16) {
                if (hi < 0) {
                    hi = (int)h;
                } else {
                    put_byte(out, (uint8_t)(hi << 4 | (int)h));
                    hi = -1;
                }
            }
        }
        if (hi >= 0) {
            put_byte(out, (uint8_t)(hi << 4));
        }
        return i < n ? i + 1 : n;
    }
    int depth = 1;
    for (i++; i < n && depth > 0; i++) {
        uint8_t c = p[i];
        if (c == '\\' && i + 1 < n) {
            c = p[++i];
            if (c >= '0' && c <= '7') {
                unsigned v = 0;
                for (int k = 0; k < 3 && i < n && p[i] >= '0' && p[i] <= '7'; k++) {
                    v = v * 8 + (unsigned)(p[i++] - '0');
                }
                i--;
                c = (uint8_t)v;
            } else if (c == 'n') {
                c = '\n';
            } else if (c == 'r') {
                c = '\r';
            } else if (c == 't') {
                c = '\t';
            } else if (c == '\r' || c == '\n') {
                continue;
            }
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            break;
        }
        put_byte(out, c);
    }
    return i < n ? i + 1 : n;
}

static bool is_delim(uint8_t c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0 || c == '(' ||
           c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '/' || c == '%' ||
           c == '{' || c == '}';
}

static void td(struct scan *s, double tx, double ty)
{
    double t[6] = {1, 0, 0, 1, tx, ty};
    mul(t, s->tlm, s->tlm);
    memcpy(s->tm, s->tlm, sizeof(s->tm));
}

/* Follows the text operators of one page's content. */
static void run(struct scan *s, const uint8_t *p, size_t n)
{
    double num[8];
    int nn = 0;
    char name[64] = "";
    struct es_buf str;
    es_buf_init(&str, MAX_CONTENT);
    bool in_array = false;
    identity(s->ctm);
    identity(s->tm);
    identity(s->tlm);
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        if (c == '%') {
            while (i < n && p[i] != '\n' && p[i] != '\r') {
                i++;
            }
        } else if (c == '(' || (c == '<' && (i + 1 >= n || p[i + 1] != '<'))) {
            i = read_string(p, n, i, &str);
            if (in_array) {
                show(s, str.ptr, str.len); /* TJ element */
            }
            continue;
        } else if (c == '[') {
            in_array = true;
            nn = 0;
        } else if (c == ']') {
            in_array = false;
        } else if (c == '/') {
            size_t k = 0;
            for (i++; i < n && !is_delim(p[i]); i++) {
                if (k + 1 < sizeof(name)) {
                    name[k++] = (char)p[i];
                }
            }
            name[k] = '\0';
            continue;
        } else if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
            /* the content is not NUL-terminated: strtod on a bounded copy */
            char tok[40], *end;
            size_t tl = 0;
            while (i + tl < n && tl + 1 < sizeof(tok) && !is_delim(p[i + tl])) {
                tok[tl] = (char)p[i + tl];
                tl++;
            }
            tok[tl] = '\0';
            double v = strtod(tok, &end);
            size_t used = (size_t)(end - tok);
            if (in_array && s->cur) {
                double t[6] = {1, 0, 0, 1, -v / 1000.0 * s->size, 0};
                mul(t, s->tm, s->tm);
            } else if (nn < 8) {
                num[nn++] = v;
            }
            i += used ? used : 1;
            continue;
        } else if (!is_delim(c)) {
            size_t st = i;
            while (i < n && !is_delim(p[i])) {
                i++;
            }
            size_t l = i - st;
            const char *op = (const char *)p + st;
#define OP(s_) (l == sizeof(s_) - 1 && memcmp(op, s_, l) == 0)
            if (OP("q") && s->qdepth < MAX_QDEPTH) {
                memcpy(s->qstack[s->qdepth++], s->ctm, sizeof(s->ctm));
            } else if (OP("Q") && s->qdepth > 0) {
                memcpy(s->ctm, s->qstack[--s->qdepth], sizeof(s->ctm));
            } else if (OP("cm") && nn == 6) {
                mul(num, s->ctm, s->ctm);
            } else if (OP("BT")) {
                identity(s->tm);
                identity(s->tlm);
            } else if (OP("Tf") && nn >= 1) {
                s->size = num[nn - 1];
                s->cur = font_for(s, name);
            } else if (OP("Td") && nn == 2) {
                td(s, num[0], num[1]);
            } else if (OP("TD") && nn == 2) {
                s->leading = -num[1];
                td(s, num[0], num[1]);
            } else if (OP("Tm") && nn == 6) {
                memcpy(s->tlm, num, sizeof(s->tlm));
                memcpy(s->tm, num, sizeof(s->tm));
            } else if (OP("TL") && nn == 1) {
                s->leading = num[0];
            } else if (OP("T*")) {
                td(s, 0, -s->leading);
            } else if (OP("Tj")) {
                show(s, str.ptr, str.len);
            } else if (OP("'") || OP("\"")) {
                td(s, 0, -s->leading);
                show(s, str.ptr, str.len);
            } else if (OP("BI")) {
                /* inline image: skip to EI */
                const uint8_t *ei = memmem(p + i, n - i, "EI", 2);
                i = ei ? (size_t)(ei - p) + 2 : n;
            }
#undef OP
            nn = 0;
            continue;
        }
        i++;
    }
    es_buf_free(&str);
}

static size_t utf8_decode(const char *s, uint32_t *out, size_t cap)
{
    size_t n = 0;
    const uint8_t *p = (const uint8_t *)s;
    while (*p && n < cap) {
        uint32_t c = *p++;
        int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
        c &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : extra == 1 ? 0x1f : 0x7f;
        for (int k = 0; k < extra && (*p & 0xc0) == 0x80; k++) {
            c = (c << 6) | (*p++ & 0x3f);
        }
        out[n++] = c;
    }
    return n;
}

es_result es_pdf_find_keyword(struct es_pdf_doc *d, const char *keyword, int occurrence,
                              struct es_pdf_hit **out, size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    uint32_t kw[128];
    size_t nk = utf8_decode(keyword, kw, 128);
    ES_ENSURE_MSG(nk > 0, ES_ERR_USAGE_ARG, "empty keyword");
    ES_GUARD(es_pdf_pages_load(d));
    qpdf_data q = d->q;
    es_result res = ES_RESULT_OK;
    struct scan s;
    memset(&s, 0, sizeof(s));
    s.d = d;
    int seen = 0;
    for (int pg = 0; pg < d->n_pages; pg++) {
        qpdf_oh page = qpdf_get_page_n(q, (size_t)pg);
        s.fonts = qpdf_oh_get_key(q, qpdf_oh_get_key(q, page, "/Resources"), "/Font");
        unsigned char *buf = NULL;
        size_t len = 0;
        qpdf_oh_get_page_content_data(q, page, &buf, &len);
        if (qpdf_has_error(q)) {
            (void)qpdf_get_error(q); /* a page whose content cannot be read has no text */
        }
        s.ng = 0;
        s.qdepth = 0;
        s.cur = NULL;
        if (buf && len <= MAX_CONTENT) {
            run(&s, buf, len);
        }
        es_pdf_qfree(buf);
        for (size_t i = 0; i + nk <= s.ng; i++) {
            size_t k = 0;
            while (k < nk && s.g[i + k].cp == kw[k]) {
                k++;
            }
            if (k < nk) {
                continue;
            }
            seen++;
            if (occurrence && seen != occurrence) {
                continue;
            }
            struct es_pdf_hit *nh = es_realloc(*out, (*out_n + 1) * sizeof(*nh));
            if (!nh) {
                ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
            }
            *out = nh;
            const struct glyph *a = &s.g[i], *z = &s.g[i + nk - 1];
            double x1 = z->x + (z->adv > 0 ? z->adv : z->size * 0.5);
            nh[(*out_n)++] = (struct es_pdf_hit){pg, {a->x, a->y - a->size * 0.2, x1,
                                                      a->y + a->size * 0.8}};
            if (occurrence) {
                goto out;
            }
            i += nk - 1;
        }
        for (size_t f = 0; f < s.nf; f++) {
            es_free(s.f[f].map);
        }
        s.nf = 0;
        qpdf_oh_release_all(q);
    }
    if (*out_n == 0) {
        ES_FAIL_GOTO(ES_ERR_USAGE_ARG, "the keyword '%.80s' is not in the text of the document",
                     keyword);
    }
out:
    for (size_t f = 0; f < s.nf; f++) {
        es_free(s.f[f].map);
    }
    es_free(s.g);
    if (es_is_err(res)) {
        ES_FREE_AND_NULL(*out);
        *out_n = 0;
    }
    return res;
}
