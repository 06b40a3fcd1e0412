/*
 * lib/image/image_check.c - checks of uploaded pictures that need no codec
 * library: type detection from the content, the shared dimension rule, BMP
 * (parsed by hand, every read bounded), SVG (root element, size, refusal of
 * active content) and OFD (a ZIP package holding OFD.xml).
 *
 * The bytes are hostile: every read goes through struct rd, which fails
 * instead of reading past the end, and every size product is computed in
 * 64 bits before it is compared with a limit.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>

#include "image/image_int.h"

/* ---- bounded little-endian reader ---- */

struct rd {
    const uint8_t *p;
    size_t len;
    size_t pos;
};

static bool rd_skip(struct rd *r, size_t n)
{
    if (n > r->len - r->pos) {
        return false;
    }
    r->pos += n;
    return true;
}

static bool rd_u8(struct rd *r, uint32_t *v)
{
    if (r->len - r->pos < 1) {
        return false;
    }
    *v = r->p[r->pos];
    r->pos += 1;
    return true;
}

static bool rd_u16(struct rd *r, uint32_t *v)
{
    if (r->len - r->pos < 2) {
        return false;
    }
    *v = (uint32_t)r->p[r->pos] | (uint32_t)r->p[r->pos + 1] << 8;
    r->pos += 2;
    return true;
}

static bool rd_u32(struct rd *r, uint32_t *v)
{
    if (r->len - r->pos < 4) {
        return false;
    }
    *v = (uint32_t)r->p[r->pos] | (uint32_t)r->p[r->pos + 1] << 8 |
         (uint32_t)r->p[r->pos + 2] << 16 | (uint32_t)r->p[r->pos + 3] << 24;
    r->pos += 4;
    return true;
}

static bool rd_seek(struct rd *r, size_t pos)
{
    if (pos > r->len) {
        return false;
    }
    r->pos = pos;
    return true;
}

/* ---- detection ---- */

static bool has_prefix(const uint8_t *d, size_t len, const char *s, size_t n)
{
    return len >= n && memcmp(d, s, n) == 0;
}

/* Case-insensitive search for an ASCII needle. */
static const uint8_t *find_ci(const uint8_t *h, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || len < n) {
        return NULL;
    }
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && tolower(h[i + k]) == needle[k]) {
            k++;
        }
        if (k == n) {
            return h + i;
        }
    }
    return NULL;
}

static size_t skip_ws(const uint8_t *d, size_t len, size_t i)
{
    while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n')) {
        i++;
    }
    return i;
}

const char *es_image_detect(const uint8_t *data, size_t len)
{
    if (has_prefix(data, len, "\x89PNG\r\n\x1a\n", 8)) {
        return "PNG";
    }
    if (has_prefix(data, len, "\xff\xd8\xff", 3)) {
        return "JPG";
    }
    if (has_prefix(data, len, "GIF87a", 6) || has_prefix(data, len, "GIF89a", 6)) {
        return "GIF";
    }
    if (has_prefix(data, len, "BM", 2)) {
        return "BMP";
    }
    if (has_prefix(data, len, "PK\x03\x04", 4)) {
        return "OFD";
    }
    size_t i = has_prefix(data, len, "\xef\xbb\xbf", 3) ? 3 : 0;
    i = skip_ws(data, len, i);
    if (i < len && data[i] == '<' && find_ci(data + i, len - i, "<svg")) {
        return "SVG";
    }
    return NULL;
}

es_result es_image_check_dims(const char *type, uint64_t w, uint64_t h)
{
    ES_ENSURE_MSG(w > 0 && h > 0, ES_ERR_FORMAT_IMAGE, "the %s picture has no pixels (%llux%llu)",
                  type, (unsigned long long)w, (unsigned long long)h);
    ES_ENSURE_MSG(w <= ES_IMAGE_MAX_SIDE && h <= ES_IMAGE_MAX_SIDE, ES_ERR_LIMIT_SIZE,
                  "the %s picture is %llux%llu pixels; at most %u on a side are allowed", type,
                  (unsigned long long)w, (unsigned long long)h, ES_IMAGE_MAX_SIDE);
    /* w, h <= 10000 so the product cannot overflow 64 bits */
    uint64_t rgba = w * h * 4;
    ES_ENSURE_MSG(rgba <= ES_IMAGE_MAX_RGBA, ES_ERR_LIMIT_SIZE,
                  "the %s picture is %llux%llu pixels (%llu bytes decoded); at most %llu bytes "
                  "are allowed",
                  type, (unsigned long long)w, (unsigned long long)h, (unsigned long long)rgba,
                  (unsigned long long)ES_IMAGE_MAX_RGBA);
    return ES_RESULT_OK;
}

/* ---- BMP ---- */

#define BMP_TRUNC(what) ES_BAIL_MSG(ES_ERR_FORMAT_IMAGE, "the BMP is truncated in its %s", what)

/* Checks palette indices of one row of packed pixels. */
static es_result bmp_row_indices(const uint8_t *row, uint32_t w, uint32_t bpp, uint32_t n_colors)
{
    for (uint32_t x = 0; x < w; x++) {
        uint32_t idx;
        if (bpp == 8) {
            idx = row[x];
        } else if (bpp == 4) {
            idx = (row[x / 2] >> ((x % 2) ? 0 : 4)) & 0x0F;
        } else {
            idx = (row[x / 8] >> (7 - x % 8)) & 1;
        }
        ES_ENSURE_MSG(idx < n_colors, ES_ERR_FORMAT_IMAGE,
                      "the BMP uses colour %u of a %u-colour palette", (unsigned)idx,
                      (unsigned)n_colors);
    }
    return ES_RESULT_OK;
}

/* Walks an RLE8/RLE4 stream without writing pixels, checking that every run
 * stays inside the picture and every index inside the palette. */
static es_result bmp_rle(struct rd *r, uint32_t w, uint32_t h, uint32_t bpp, uint32_t n_colors)
{
    uint64_t x = 0;
    uint64_t y = 0;
    for (;;) {
        uint32_t a;
        uint32_t b;
        if (!rd_u8(r, &a) || !rd_u8(r, &b)) {
            ES_BAIL_MSG(ES_ERR_FORMAT_IMAGE,
                        "the BMP's RLE data ends without an end-of-bitmap marker");
        }
        if (a > 0) {
            /* encoded run of a pixels of colour(s) b */
            ES_ENSURE_MSG(y < h && x + a <= w, ES_ERR_FORMAT_IMAGE,
                          "a BMP RLE run leaves the picture at row %llu",
                          (unsigned long long)y);
            uint32_t i0 = bpp == 8 ? b : b >> 4;
            uint32_t i1 = bpp == 8 ? b : b & 0x0F;
            ES_ENSURE_MSG(i0 < n_colors && (a < 2 || i1 < n_colors), ES_ERR_FORMAT_IMAGE,
                          "a BMP RLE run uses a colour outside the palette");
            x += a;
            continue;
        }
        if (b == 0) {
            x = 0;
            y++;
            ES_ENSURE_MSG(y <= h, ES_ERR_FORMAT_IMAGE, "the BMP's RLE data has too many rows");
        } else if (b == 1) {
            return ES_RESULT_OK;
        } else if (b == 2) {
            uint32_t dx;
            uint32_t dy;
            if (!rd_u8(r, &dx) || !rd_u8(r, &dy)) {
                BMP_TRUNC("RLE data");
            }
            x += dx;
            y += dy;
            ES_ENSURE_MSG(x <= w && y <= h, ES_ERR_FORMAT_IMAGE,
                          "a BMP RLE delta moves outside the picture");
        } else {
            /* absolute mode: b literal pixels, padded to a 16-bit boundary */
            ES_ENSURE_MSG(y < h && x + b <= w, ES_ERR_FORMAT_IMAGE,
                          "a BMP RLE literal run leaves the picture at row %llu",
                          (unsigned long long)y);
            size_t nbytes = bpp == 8 ? b : (b + 1) / 2;
            size_t start = r->pos;
            if (!rd_skip(r, nbytes) || !rd_skip(r, nbytes % 2)) {
                BMP_TRUNC("RLE data");
            }
            ES_GUARD(bmp_row_indices(r->p + start, b, bpp, n_colors));
            x += b;
        }
    }
}

es_result es_image_check_bmp(const uint8_t *data, size_t len, uint32_t *out_w, uint32_t *out_h)
{
    struct rd r = {data, len, 0};
    uint32_t v;
    uint32_t off_bits;
    uint32_t hsize;
    if (!rd_skip(&r, 2) || !rd_u32(&r, &v) || !rd_u32(&r, &v) || !rd_u32(&r, &off_bits) ||
        !rd_u32(&r, &hsize)) {
        BMP_TRUNC("file header");
    }
    ES_ENSURE_MSG(hsize == 12 || hsize == 40 || hsize == 52 || hsize == 56 || hsize == 64 ||
                      hsize == 108 || hsize == 124,
                  ES_ERR_FORMAT_IMAGE, "the BMP has an unknown header size %u", (unsigned)hsize);
    ES_ENSURE_MSG(hsize <= len - 14, ES_ERR_FORMAT_IMAGE, "the BMP is truncated in its header");
    int64_t w;
    int64_t h;
    uint32_t planes;
    uint32_t bpp;
    uint32_t comp = 0;
    uint32_t clr_used = 0;
    size_t pal_entry = 4;
    if (hsize == 12) {
        uint32_t w16;
        uint32_t h16;
        if (!rd_u16(&r, &w16) || !rd_u16(&r, &h16) || !rd_u16(&r, &planes) ||
            !rd_u16(&r, &bpp)) {
            BMP_TRUNC("header");
        }
        w = w16;
        h = h16;
        pal_entry = 3;
    } else {
        uint32_t w32;
        uint32_t h32;
        if (!rd_u32(&r, &w32) || !rd_u32(&r, &h32) || !rd_u16(&r, &planes) ||
            !rd_u16(&r, &bpp) || !rd_u32(&r, &comp) || !rd_u32(&r, &v) || !rd_u32(&r, &v) ||
            !rd_u32(&r, &v) || !rd_u32(&r, &clr_used) || !rd_u32(&r, &v)) {
            BMP_TRUNC("header");
        }
        w = (int32_t)w32;
        h = (int32_t)h32;
    }
    ES_ENSURE_MSG(planes == 1, ES_ERR_FORMAT_IMAGE, "the BMP has %u planes (must be 1)",
                  (unsigned)planes);
    ES_ENSURE_MSG(bpp == 1 || bpp == 4 || bpp == 8 || bpp == 16 || bpp == 24 || bpp == 32,
                  ES_ERR_FORMAT_IMAGE, "the BMP has an invalid bit depth %u", (unsigned)bpp);
    ES_ENSURE_MSG(w > 0, ES_ERR_FORMAT_IMAGE, "the BMP has an invalid width %lld", (long long)w);
    ES_ENSURE_MSG(h != 0 && h != INT32_MIN, ES_ERR_FORMAT_IMAGE,
                  "the BMP has an invalid height %lld", (long long)h);
    bool top_down = h < 0;
    uint64_t uh = (uint64_t)(h < 0 ? -h : h);
    uint64_t uw = (uint64_t)w;
    ES_GUARD(es_image_check_dims("BMP", uw, uh));

    size_t masks = 0;
    switch (comp) {
    case 0: /* BI_RGB */
        break;
    case 1: /* BI_RLE8 */
    case 2: /* BI_RLE4 */
        ES_ENSURE_MSG(bpp == (comp == 1 ? 8u : 4u) && !top_down, ES_ERR_FORMAT_IMAGE,
                      "the BMP's RLE compression does not match its bit depth or orientation");
        break;
    case 3: /* BI_BITFIELDS */
    case 6: /* BI_ALPHABITFIELDS */
        ES_ENSURE_MSG(bpp == 16 || bpp == 32, ES_ERR_FORMAT_IMAGE,
                      "the BMP uses bit fields with a bit depth of %u", (unsigned)bpp);
        if (hsize == 40) {
            masks = comp == 3 ? 12 : 16;
        }
        break;
    case 4:
    case 5:
        ES_BAIL_MSG(ES_ERR_FORMAT_IMAGE, "a BMP holding a JPEG or PNG stream is not accepted");
    default:
        ES_BAIL_MSG(ES_ERR_FORMAT_IMAGE, "the BMP has an unknown compression %u", (unsigned)comp);
    }

    uint32_t n_colors = 0;
    if (bpp <= 8) {
        uint32_t max_colors = 1u << bpp;
        ES_ENSURE_MSG(clr_used <= max_colors, ES_ERR_FORMAT_IMAGE,
                      "the BMP declares %u palette colours for %u bits per pixel",
                      (unsigned)clr_used, (unsigned)bpp);
        n_colors = clr_used ? clr_used : max_colors;
    } else {
        ES_ENSURE_MSG(clr_used <= 256, ES_ERR_FORMAT_IMAGE,
                      "the BMP declares %u palette colours", (unsigned)clr_used);
    }
    uint64_t pal_start = 14 + (uint64_t)hsize + masks;
    uint64_t pal_end = pal_start + (uint64_t)(bpp <= 8 ? n_colors : clr_used) * pal_entry;
    ES_ENSURE_MSG(pal_end <= len, ES_ERR_FORMAT_IMAGE, "the BMP is truncated in its palette");
    ES_ENSURE_MSG(off_bits >= pal_start && off_bits < len, ES_ERR_FORMAT_IMAGE,
                  "the BMP's pixel data offset %u lies outside the file", (unsigned)off_bits);
    if (!rd_seek(&r, off_bits)) {
        BMP_TRUNC("pixel data");
    }
    if (comp == 1 || comp == 2) {
        ES_GUARD(bmp_rle(&r, (uint32_t)uw, (uint32_t)uh, bpp, n_colors));
    } else {
        uint64_t stride = (uw * bpp + 31) / 32 * 4;
        uint64_t need = stride * uh;
        ES_ENSURE_MSG(need <= len - off_bits, ES_ERR_FORMAT_IMAGE,
                      "the BMP's pixel data is truncated: %llu bytes expected, %llu present",
                      (unsigned long long)need, (unsigned long long)(len - off_bits));
        if (bpp <= 8) {
            for (uint64_t y = 0; y < uh; y++) {
                ES_GUARD(bmp_row_indices(data + off_bits + y * stride, (uint32_t)uw, bpp,
                                         n_colors));
            }
        }
    }
    *out_w = (uint32_t)uw;
    *out_h = (uint32_t)uh;
    return ES_RESULT_OK;
}

/* ---- SVG ---- */

/* Parses a length attribute into pixels at 96 per inch; false if absent,
 * relative (%) or not a number. */
static bool svg_length(const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v < 0) {
        return false;
    }
    while (*end == ' ') {
        end++;
    }
    double k;
    if (!*end || strcmp(end, "px") == 0) {
        k = 1;
    } else if (strcmp(end, "mm") == 0) {
        k = 96 / 25.4;
    } else if (strcmp(end, "cm") == 0) {
        k = 96 / 2.54;
    } else if (strcmp(end, "in") == 0) {
        k = 96;
    } else if (strcmp(end, "pt") == 0) {
        k = 96.0 / 72;
    } else if (strcmp(end, "pc") == 0) {
        k = 16;
    } else {
        return false;
    }
    *out = v * k;
    return true;
}

/* Finds attribute `name` in a start tag (text between '<svg' and '>') and
 * copies its value. */
static bool svg_attr(const uint8_t *tag, size_t len, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    size_t i = 0;
    while (i < len) {
        /* at an attribute name boundary? */
        bool boundary = i > 0 && (tag[i - 1] == ' ' || tag[i - 1] == '\t' || tag[i - 1] == '\n' ||
                                  tag[i - 1] == '\r');
        if (boundary && len - i > n && memcmp(tag + i, name, n) == 0) {
            size_t j = skip_ws(tag, len, i + n);
            if (j < len && tag[j] == '=') {
                j = skip_ws(tag, len, j + 1);
                if (j < len && (tag[j] == '"' || tag[j] == '\'')) {
                    uint8_t q = tag[j];
                    size_t k = j + 1;
                    while (k < len && tag[k] != q) {
                        k++;
                    }
                    if (k < len && k - j - 1 < cap) {
                        memcpy(out, tag + j + 1, k - j - 1);
                        out[k - j - 1] = 0;
                        return true;
                    }
                    return false;
                }
            }
        }
        if (tag[i] == '"' || tag[i] == '\'') {
            /* skip quoted values */
            uint8_t q = tag[i];
            i++;
            while (i < len && tag[i] != q) {
                i++;
            }
        }
        i++;
    }
    return false;
}

/* Active content and external references are refused: a seal picture is
 * shown inside documents and web pages, where a script would run with the
 * viewer's rights. */
static es_result svg_safe(const uint8_t *d, size_t len)
{
    static const char *const banned[] = {"<!entity", "<script",  "javascript:", "<foreignobject",
                                         "<iframe",  "<embed",   "<object",     "vbscript:",
                                         "<!doctype svg [", "<handler", "<listener"};
    for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
        ES_ENSURE_MSG(!find_ci(d, len, banned[i]), ES_ERR_FORMAT_IMAGE,
                      "the SVG contains active or unsafe content (%s)", banned[i]);
    }
    /* event attributes: on<letters>= after white space */
    for (size_t i = 1; i + 3 < len; i++) {
        if (!(d[i - 1] == ' ' || d[i - 1] == '\t' || d[i - 1] == '\n' || d[i - 1] == '\r')) {
            continue;
        }
        if (tolower(d[i]) != 'o' || tolower(d[i + 1]) != 'n' || !isalpha(d[i + 2])) {
            continue;
        }
        size_t j = i + 2;
        while (j < len && isalpha(d[j])) {
            j++;
        }
        j = skip_ws(d, len, j);
        ES_ENSURE_MSG(j >= len || d[j] != '=', ES_ERR_FORMAT_IMAGE,
                      "the SVG contains an event attribute (%.*s)", (int)(j - i), d + i);
    }
    /* references: only to the document itself ("#id") or inline pictures */
    for (const uint8_t *p = d; (p = find_ci(p, len - (size_t)(p - d), "href")) != NULL; p += 4) {
        size_t j = skip_ws(d, len, (size_t)(p - d) + 4);
        if (j >= len || d[j] != '=') {
            continue;
        }
        j = skip_ws(d, len, j + 1);
        if (j < len && (d[j] == '"' || d[j] == '\'')) {
            j = skip_ws(d, len, j + 1);
        }
        bool local = j < len && d[j] == '#';
        bool inline_pic = len - j >= 11 && find_ci(d + j, 11, "data:image/") == d + j;
        ES_ENSURE_MSG(local || inline_pic, ES_ERR_FORMAT_IMAGE,
                      "the SVG refers to an external resource");
    }
    return ES_RESULT_OK;
}

es_result es_image_check_svg(const uint8_t *d, size_t len, uint32_t *out_w, uint32_t *out_h)
{
    ES_ENSURE_MSG(!memchr(d, 0, len), ES_ERR_FORMAT_IMAGE, "the SVG contains a NUL byte");
    size_t i = has_prefix(d, len, "\xef\xbb\xbf", 3) ? 3 : 0;
    /* prolog: XML declaration, comments, processing instructions, DOCTYPE */
    for (;;) {
        i = skip_ws(d, len, i);
        if (len - i >= 4 && memcmp(d + i, "<!--", 4) == 0) {
            const uint8_t *e = find_ci(d + i + 4, len - i - 4, "-->");
            ES_ENSURE_MSG(e, ES_ERR_FORMAT_IMAGE, "the SVG has an unterminated comment");
            i = (size_t)(e - d) + 3;
        } else if (len - i >= 2 && memcmp(d + i, "<?", 2) == 0) {
            const uint8_t *e = find_ci(d + i + 2, len - i - 2, "?>");
            ES_ENSURE_MSG(e, ES_ERR_FORMAT_IMAGE, "the SVG has an unterminated declaration");
            i = (size_t)(e - d) + 2;
        } else if (len - i >= 9 && find_ci(d + i, 9, "<!doctype") == d + i) {
            size_t j = i + 9;
            while (j < len && d[j] != '>' && d[j] != '[') {
                j++;
            }
            ES_ENSURE_MSG(j < len && d[j] == '>', ES_ERR_FORMAT_IMAGE,
                          "the SVG has a DOCTYPE with an internal subset (entities refused)");
            i = j + 1;
        } else {
            break;
        }
    }
    ES_ENSURE_MSG(len - i >= 5 && memcmp(d + i, "<svg", 4) == 0 &&
                      (d[i + 4] == ' ' || d[i + 4] == '>' || d[i + 4] == '\n' ||
                       d[i + 4] == '\t' || d[i + 4] == '\r' || d[i + 4] == '/'),
                  ES_ERR_FORMAT_IMAGE, "the SVG's root element is not <svg>");
    ES_GUARD(svg_safe(d, len));
    /* the start tag ends at the first '>' outside quotes */
    size_t t0 = i + 4;
    size_t t1 = t0;
    uint8_t q = 0;
    while (t1 < len && (q || d[t1] != '>')) {
        if (q && d[t1] == q) {
            q = 0;
        } else if (!q && (d[t1] == '"' || d[t1] == '\'')) {
            q = d[t1];
        }
        t1++;
    }
    ES_ENSURE_MSG(t1 < len, ES_ERR_FORMAT_IMAGE, "the SVG's <svg> start tag is truncated");
    bool self_closed = d[t1 - 1] == '/';
    if (!self_closed) {
        size_t e = len;
        while (e > 0 && (d[e - 1] == ' ' || d[e - 1] == '\n' || d[e - 1] == '\r' ||
                         d[e - 1] == '\t')) {
            e--;
        }
        ES_ENSURE_MSG(e >= 6 && memcmp(d + e - 6, "</svg>", 6) == 0, ES_ERR_FORMAT_IMAGE,
                      "the SVG does not end with </svg> (truncated?)");
    }
    char val[128];
    double w = 0;
    double h = 0;
    if (svg_attr(d + t0 - 1, t1 - t0 + 1, "width", val, sizeof(val))) {
        (void)svg_length(val, &w);
    }
    if (svg_attr(d + t0 - 1, t1 - t0 + 1, "height", val, sizeof(val))) {
        (void)svg_length(val, &h);
    }
    if ((w == 0 || h == 0) && svg_attr(d + t0 - 1, t1 - t0 + 1, "viewBox", val, sizeof(val))) {
        double vb[4];
        char *p = val;
        int n = 0;
        while (n < 4) {
            char *end = NULL;
            vb[n] = strtod(p, &end);
            if (end == p || !isfinite(vb[n])) {
                break;
            }
            n++;
            p = end;
            while (*p == ' ' || *p == ',') {
                p++;
            }
        }
        ES_ENSURE_MSG(n == 4 && vb[2] > 0 && vb[3] > 0, ES_ERR_FORMAT_IMAGE,
                      "the SVG has an invalid viewBox");
        if (w == 0 && h == 0) {
            w = vb[2];
            h = vb[3];
        } else if (w == 0) {
            w = h * vb[2] / vb[3];
        } else {
            h = w * vb[3] / vb[2];
        }
    }
    *out_w = *out_h = 0;
    if (w > 0 && h > 0) {
        ES_ENSURE_MSG(w < 1e9 && h < 1e9, ES_ERR_LIMIT_SIZE, "the SVG's size is too large");
        uint64_t pw = (uint64_t)llround(fmax(w, 1));
        uint64_t ph = (uint64_t)llround(fmax(h, 1));
        ES_GUARD(es_image_check_dims("SVG", pw, ph));
        *out_w = (uint32_t)pw;
        *out_h = (uint32_t)ph;
    }
    return ES_RESULT_OK;
}

/* ---- OFD (ZIP) ---- */

#define OFD_MAX_ENTRIES 10000u

es_result es_image_check_ofd(const uint8_t *d, size_t len)
{
    struct rd r = {d, len, 0};
    ES_ENSURE_MSG(len >= 30 + 22, ES_ERR_FORMAT_IMAGE, "the OFD package is truncated");
    /* End of central directory: the last 22+comment bytes. */
    size_t lowest = len > 22 + 65535 ? len - 22 - 65535 : 0;
    size_t eocd = SIZE_MAX;
    for (size_t i = len - 22 + 1; i-- > lowest;) {
        if (memcmp(d + i, "PK\x05\x06", 4) == 0) {
            uint32_t clen = (uint32_t)d[i + 20] | (uint32_t)d[i + 21] << 8;
            if (i + 22 + clen == len) {
                eocd = i;
                break;
            }
        }
    }
    ES_ENSURE_MSG(eocd != SIZE_MAX, ES_ERR_FORMAT_IMAGE,
                  "the OFD package has no ZIP end record (truncated?)");
    uint32_t disk;
    uint32_t cd_disk;
    uint32_t n_here;
    uint32_t n_total;
    uint32_t cd_size;
    uint32_t cd_off;
    if (!rd_seek(&r, eocd + 4) || !rd_u16(&r, &disk) || !rd_u16(&r, &cd_disk) ||
        !rd_u16(&r, &n_here) || !rd_u16(&r, &n_total) || !rd_u32(&r, &cd_size) ||
        !rd_u32(&r, &cd_off)) {
        ES_BAIL_MSG(ES_ERR_FORMAT_IMAGE, "the OFD package's ZIP end record is truncated");
    }
    ES_ENSURE_MSG(disk == 0 && cd_disk == 0 && n_here == n_total, ES_ERR_FORMAT_IMAGE,
                  "the OFD package spans several disks");
    ES_ENSURE_MSG(n_total != 0xFFFF && cd_off != 0xFFFFFFFFu, ES_ERR_FORMAT_IMAGE,
                  "ZIP64 OFD packages are not accepted as seal pictures");
    ES_ENSURE_MSG(n_total <= OFD_MAX_ENTRIES, ES_ERR_LIMIT_SIZE,
                  "the OFD package has %u entries", (unsigned)n_total);
    ES_ENSURE_MSG((uint64_t)cd_off + cd_size <= eocd, ES_ERR_FORMAT_IMAGE,
                  "the OFD package's central directory lies outside the file");
    bool has_ofd_xml = false;
    if (!rd_seek(&r, cd_off)) {
        ES_BAIL_MSG(ES_ERR_FORMAT_IMAGE, "the OFD package's central directory is truncated");
    }
    for (uint32_t e = 0; e < n_total; e++) {
        uint32_t sig;
        uint32_t nlen;
        uint32_t xlen;
        uint32_t clen;
        uint32_t lh_off;
        size_t start = r.pos;
        if (!rd_u32(&r, &sig) || sig != 0x02014b50u || !rd_seek(&r, start + 28) ||
            !rd_u16(&r, &nlen) || !rd_u16(&r, &xlen) || !rd_u16(&r, &clen) ||
            !rd_seek(&r, start + 42) || !rd_u32(&r, &lh_off)) {
            ES_BAIL_MSG(ES_ERR_FORMAT_IMAGE, "the OFD package's directory entry %u is malformed",
                        (unsigned)e);
        }
        size_t name_at = r.pos;
        if (!rd_skip(&r, (size_t)nlen + xlen + clen) || r.pos > eocd) {
            ES_BAIL_MSG(ES_ERR_FORMAT_IMAGE, "the OFD package's directory entry %u is truncated",
                        (unsigned)e);
        }
        ES_ENSURE_MSG((uint64_t)lh_off + 30 <= cd_off &&
                          memcmp(d + lh_off, "PK\x03\x04", 4) == 0,
                      ES_ERR_FORMAT_IMAGE,
                      "the OFD package's directory entry %u points to no file header",
                      (unsigned)e);
        if ((nlen == 7 && memcmp(d + name_at, "OFD.xml", 7) == 0) ||
            (nlen == 8 && memcmp(d + name_at, "/OFD.xml", 8) == 0)) {
            has_ofd_xml = true;
        }
    }
    ES_ENSURE_MSG(has_ofd_xml, ES_ERR_FORMAT_IMAGE,
                  "the ZIP package has no OFD.xml: it is not an OFD document");
    return ES_RESULT_OK;
}
