/*
 * tests/unit/image/image_check_test.c - es_image_check on uploaded pictures:
 * type detection from the content, good pictures of every type accepted
 * with their size, and malformed ones rejected cleanly: truncated PNG, JPEG
 * and GIF at every length, huge declared dimensions, bad CRCs, BMP headers
 * with bad fields, unsafe SVG, broken ZIP packages, random bytes.
 */
#include <stdio.h> /* before jpeglib.h */
#include <stdlib.h>

#include <jpeglib.h>

#include "image/image_int.h"
#include "testlib.h"

static int check(const uint8_t *d, size_t len, const char **type, uint32_t *w, uint32_t *h)
{
    es_ctx *ctx = es_ctx_new();
    int rc = es_image_check(ctx, d, len, type, w, h);
    if (rc != ES_OK) {
        /* every failure carries a message */
        assert_true(strlen(es_ctx_errmsg(ctx)) > 0);
    }
    es_ctx_free(ctx);
    return rc;
}

static void expect_rc(const uint8_t *d, size_t len, int want, const char *needle)
{
    es_ctx *ctx = es_ctx_new();
    const char *type = "x";
    uint32_t w = 1, h = 1;
    int rc = es_image_check(ctx, d, len, &type, &w, &h);
    if (rc != want) {
        fail_msg("rc %d (%s), expected %d", rc, es_ctx_errmsg(ctx), want);
    }
    if (needle && !strstr(es_ctx_errmsg(ctx), needle)) {
        fail_msg("message '%s' lacks '%s'", es_ctx_errmsg(ctx), needle);
    }
    if (rc != ES_OK) {
        assert_null(type);
        assert_int_equal(w, 0);
        assert_int_equal(h, 0);
    }
    es_ctx_free(ctx);
}

/* A good picture: accepted with its type and size; with cut_from > 0 also
 * refused when cut to any length from cut_from to len - 1. */
static void expect_ok(const uint8_t *d, size_t len, const char *want_type, uint32_t want_w,
                      uint32_t want_h, size_t cut_from)
{
    const char *type = NULL;
    uint32_t w = UINT32_MAX, h = UINT32_MAX;
    assert_int_equal(check(d, len, &type, &w, &h), ES_OK);
    assert_string_equal(type, want_type);
    assert_int_equal(w, want_w);
    assert_int_equal(h, want_h);
    for (size_t n = cut_from; cut_from > 0 && n < len; n++) {
        assert_int_not_equal(check(d, n, NULL, NULL, NULL), ES_OK);
    }
}

/* ---- PNG ---- */

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        }
    }
    return c ^ 0xFFFFFFFFu;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint8_t *seal_png(size_t *len)
{
    es_seal_image_spec s = {.shape = ES_SEAL_SHAPE_SQUARE, .name = "王印", .dpi = 100};
    uint8_t *png = NULL;
    assert_int_equal(es_seal_image_render(NULL, &s, ES_IMAGE_PNG, &png, len), ES_OK);
    return png;
}

static void test_png(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *png = seal_png(&len);
    /* truncated at every length: a clean error, never a crash or success */
    expect_ok(png, len, "PNG", 79, 79, 1);
    expect_rc(png, len - 1, ES_ERR_FORMAT_IMAGE, "PNG");

    /* a flipped bit in the image data: CRC error */
    uint8_t *bad = es_malloc(len);
    memcpy(bad, png, len);
    bad[len - 20] ^= 0x10;
    expect_rc(bad, len, ES_ERR_FORMAT_IMAGE, "PNG");

    /* huge declared dimensions with a valid CRC: 60000 x 60000 RGBA is
     * 14.4 GB, which PNG_IMAGE_SIZE would wrap to 1.5 GB in 32 bits */
    memcpy(bad, png, len);
    put32(bad + 16, 60000);
    put32(bad + 20, 60000);
    put32(bad + 29, crc32_of(bad + 12, 17));
    expect_rc(bad, len, ES_ERR_LIMIT_SIZE, "60000x60000");
    /* within the side limit but too many bytes: 9000 x 9000 x 4 > 100 MiB */
    put32(bad + 16, 9000);
    put32(bad + 20, 9000);
    put32(bad + 29, crc32_of(bad + 12, 17));
    expect_rc(bad, len, ES_ERR_LIMIT_SIZE, "bytes");
    /* zero width */
    put32(bad + 16, 0);
    put32(bad + 29, crc32_of(bad + 12, 17));
    expect_rc(bad, len, ES_ERR_FORMAT_IMAGE, NULL);
    es_free(bad);
    es_free(png);
}

/* ---- JPEG ---- */

static uint8_t *make_jpeg(unsigned w, unsigned h, bool progressive, size_t *out_len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    unsigned char *buf = NULL;
    unsigned long len = 0;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &buf, &len);
    c.image_width = w;
    c.image_height = h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    if (progressive) {
        jpeg_simple_progression(&c);
    }
    jpeg_start_compress(&c, TRUE);
    uint8_t *row = es_malloc(w * 3);
    while (c.next_scanline < h) {
        for (unsigned x = 0; x < w; x++) {
            row[x * 3] = (uint8_t)(x * 7 + c.next_scanline);
            row[x * 3 + 1] = (uint8_t)(x ^ c.next_scanline);
            row[x * 3 + 2] = (uint8_t)(200 - x);
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    es_free(row);
    uint8_t *out = es_malloc(len);
    memcpy(out, buf, len);
    free(buf);
    *out_len = len;
    return out;
}

/* Offset of the SOF marker's height field. */
static size_t sof_at(const uint8_t *j, size_t len)
{
    for (size_t i = 2; i + 9 < len; i++) {
        if (j[i] == 0xFF && (j[i + 1] == 0xC0 || j[i + 1] == 0xC2)) {
            return i + 5;
        }
    }
    fail_msg("no SOF");
    return 0;
}

static void test_jpeg(void **state)
{
    (void)state;
    for (int prog = 0; prog < 2; prog++) {
        size_t len = 0;
        uint8_t *jpg = make_jpeg(64, 48, prog, &len);
        /* truncated: libjpeg only warns ("premature end"); we refuse */
        expect_ok(jpg, len, "JPG", 64, 48, 3);
        expect_rc(jpg, len / 2, ES_ERR_FORMAT_IMAGE, "JPEG");
        /* missing EOI only */
        expect_rc(jpg, len - 2, ES_ERR_FORMAT_IMAGE, "JPEG");
        /* huge declared dimensions */
        uint8_t *bad = es_malloc(len);
        memcpy(bad, jpg, len);
        size_t at = sof_at(bad, len);
        bad[at] = 0xEA; /* height 60000 */
        bad[at + 1] = 0x60;
        bad[at + 2] = 0xEA; /* width 60000 */
        bad[at + 3] = 0x60;
        expect_rc(bad, len, ES_ERR_LIMIT_SIZE, "60000x60000");
        /* corrupt entropy data: clean error */
        memcpy(bad, jpg, len);
        for (size_t i = len - 40; i < len - 10; i++) {
            bad[i] = 0xFF;
        }
        expect_rc(bad, len, ES_ERR_FORMAT_IMAGE, "JPEG");
        es_free(bad);
        es_free(jpg);
    }
}

/* ---- GIF ---- */

/* 2x2, two colours, one frame, LZW min code size 2. */
static const uint8_t GIF_2X2[] = {
    'G', 'I', 'F', '8', '9', 'a', 0x02, 0x00, 0x02, 0x00, 0x80, 0x00, 0x00,  /* screen */
    0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,                                      /* palette */
    0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,                          /* GCE */
    0x2C, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00,              /* frame */
    0x02, 0x03, 0x44, 0x02, 0x05, 0x00,                                      /* LZW */
    0x3B};

static void test_gif(void **state)
{
    (void)state;
    expect_ok(GIF_2X2, sizeof(GIF_2X2), "GIF", 2, 2, 1);
    expect_rc(GIF_2X2, sizeof(GIF_2X2) - 1, ES_ERR_FORMAT_IMAGE, "GIF");
    uint8_t bad[sizeof(GIF_2X2)];
    /* huge logical screen */
    memcpy(bad, GIF_2X2, sizeof(bad));
    bad[6] = bad[7] = bad[8] = bad[9] = 0xFF;
    expect_rc(bad, sizeof(bad), ES_ERR_LIMIT_SIZE, "65535x65535");
    /* a frame outside the screen */
    memcpy(bad, GIF_2X2, sizeof(bad));
    bad[28] = 0x05; /* frame left = 5 */
    expect_rc(bad, sizeof(bad), ES_ERR_FORMAT_IMAGE, "outside");
    /* no colour table at all */
    memcpy(bad, GIF_2X2, sizeof(bad));
    bad[10] = 0x00;
    expect_rc(bad, sizeof(bad), ES_ERR_FORMAT_IMAGE, NULL);
    /* broken LZW code size */
    memcpy(bad, GIF_2X2, sizeof(bad));
    bad[37] = 0x0F;
    expect_rc(bad, sizeof(bad), ES_ERR_FORMAT_IMAGE, "GIF");
}

/* ---- BMP ---- */

static void le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xFFFF);
    le16(p + 2, v >> 16);
}

/* A 4x3 BMP of the given depth (24 or 8), BITMAPINFOHEADER. */
static size_t make_bmp(uint8_t *b, uint32_t bpp)
{
    uint32_t pal = bpp == 8 ? 4 * 4 : 0;
    uint32_t stride = (4 * bpp + 31) / 32 * 4;
    uint32_t off = 14 + 40 + pal;
    uint32_t size = off + stride * 3;
    memset(b, 0, size);
    b[0] = 'B';
    b[1] = 'M';
    le32(b + 2, size);
    le32(b + 10, off);
    le32(b + 14, 40);
    le32(b + 18, 4);
    le32(b + 22, 3);
    le16(b + 26, 1);
    le16(b + 28, bpp);
    le32(b + 46, bpp == 8 ? 4 : 0); /* colours used */
    for (uint32_t i = off; i < size; i++) {
        b[i] = (uint8_t)(bpp == 8 ? i % 4 : i * 13);
    }
    return size;
}

static void test_bmp(void **state)
{
    (void)state;
    uint8_t b[256];
    uint8_t x[256];
    size_t len = make_bmp(b, 24);
    expect_ok(b, len, "BMP", 4, 3, 1);
    expect_rc(b, len - 1, ES_ERR_FORMAT_IMAGE, "truncated");
    expect_rc(b, 20, ES_ERR_FORMAT_IMAGE, "truncated");

#define MUT(stmt, rc, msg)                                                                         \
    do {                                                                                           \
        memcpy(x, b, len);                                                                         \
        stmt;                                                                                      \
        expect_rc(x, len, rc, msg);                                                                \
    } while (0)
    MUT(le32(x + 14, 41), ES_ERR_FORMAT_IMAGE, "header size");
    MUT(le32(x + 14, 0xFFFFFFF0u), ES_ERR_FORMAT_IMAGE, "header size");
    MUT(le16(x + 26, 2), ES_ERR_FORMAT_IMAGE, "planes");
    MUT(le16(x + 28, 7), ES_ERR_FORMAT_IMAGE, "bit depth");
    MUT(le32(x + 18, 0), ES_ERR_FORMAT_IMAGE, "width");
    MUT(le32(x + 18, 0x80000000u), ES_ERR_FORMAT_IMAGE, "width");
    MUT(le32(x + 22, 0), ES_ERR_FORMAT_IMAGE, "height");
    MUT(le32(x + 22, 0x80000000u), ES_ERR_FORMAT_IMAGE, "height");
    MUT(le32(x + 18, 100000), ES_ERR_LIMIT_SIZE, "100000x3");
    MUT((le32(x + 18, 10000), le32(x + 22, 10000)), ES_ERR_LIMIT_SIZE, "bytes");
    MUT(le32(x + 18, 5), ES_ERR_FORMAT_IMAGE, "truncated"); /* needs more pixel bytes */
    MUT(le32(x + 10, 9999), ES_ERR_FORMAT_IMAGE, "offset");
    MUT(le32(x + 10, 10), ES_ERR_FORMAT_IMAGE, "offset");
    MUT(le32(x + 30, 9), ES_ERR_FORMAT_IMAGE, "compression");
    MUT(le32(x + 30, 4), ES_ERR_FORMAT_IMAGE, "JPEG");
    MUT(le32(x + 30, 1), ES_ERR_FORMAT_IMAGE, "RLE"); /* RLE8 with 24 bits */
    /* top-down (negative height) is fine */
    MUT(le32(x + 22, (uint32_t)-3), ES_OK, NULL);

    /* 8-bit with a 4-colour palette */
    len = make_bmp(b, 8);
    assert_int_equal(check(b, len, NULL, NULL, NULL), ES_OK);
    MUT(x[len - 1] = 7, ES_ERR_FORMAT_IMAGE, "palette");
    MUT(le32(x + 46, 300), ES_ERR_FORMAT_IMAGE, "palette");

    /* RLE8: two rows of runs, then a run that overflows the row */
    static const uint8_t rle_ok[] = {4, 1, 0, 0, 2, 2, 2, 3, 0, 0, 0, 4, 0, 1, 2, 3, 0, 1};
    static const uint8_t rle_long[] = {9, 1, 0, 1};
    static const uint8_t rle_noend[] = {4, 1, 0, 0};
    static const uint8_t rle_delta[] = {0, 2, 9, 9, 0, 1};
    static const uint8_t rle_color[] = {4, 9, 0, 1};
    const uint8_t *rles[] = {rle_ok, rle_long, rle_noend, rle_delta, rle_color};
    size_t rle_lens[] = {sizeof(rle_ok), sizeof(rle_long), sizeof(rle_noend), sizeof(rle_delta),
                         sizeof(rle_color)};
    int want[] = {ES_OK, ES_ERR_FORMAT_IMAGE, ES_ERR_FORMAT_IMAGE, ES_ERR_FORMAT_IMAGE,
                  ES_ERR_FORMAT_IMAGE};
    for (int i = 0; i < 5; i++) {
        size_t off = 14 + 40 + 16;
        memcpy(x, b, off);
        le32(x + 30, 1);
        memcpy(x + off, rles[i], rle_lens[i]);
        expect_rc(x, off + rle_lens[i], want[i], NULL);
    }
#undef MUT
}

/* ---- SVG ---- */

static void svg_rc(const char *s, int want, const char *needle)
{
    expect_rc((const uint8_t *)s, strlen(s), want, needle);
}

static void test_svg(void **state)
{
    (void)state;
    const char *ok = "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- a seal -->\n"
                     "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
                     "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"42mm\" height='42mm'>"
                     "<circle cx=\"10\" cy=\"10\" r=\"5\"/><use href=\"#a\"/></svg>\n";
    expect_ok((const uint8_t *)ok, strlen(ok), "SVG", 159, 159, 0); /* 42 mm at 96 px per inch */
    const char *type = NULL;
    uint32_t w = 0, h = 0;
    assert_int_equal(check((const uint8_t *)"<svg viewBox=\"0 0 300 200\"></svg>", 33, &type, &w,
                           &h),
                     ES_OK);
    assert_int_equal(w, 300);
    assert_int_equal(h, 200);
    svg_rc("<svg/>", ES_OK, NULL);

    svg_rc("<svg><script>alert(1)</script></svg>", ES_ERR_FORMAT_IMAGE, "script");
    svg_rc("<svg onload=\"alert(1)\"></svg>", ES_ERR_FORMAT_IMAGE, "onload");
    svg_rc("<svg><a xlink:href=\"javascript:x\">a</a></svg>", ES_ERR_FORMAT_IMAGE, "javascript");
    svg_rc("<svg><image href=\"http://evil/x.png\"/></svg>", ES_ERR_FORMAT_IMAGE, "external");
    svg_rc("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"aaaa\">]><svg>&a;</svg>",
           ES_ERR_FORMAT_IMAGE, "entit");
    svg_rc("<svg><foreignObject/></svg>", ES_ERR_FORMAT_IMAGE, "foreignobject");
    svg_rc("<svg width=\"10\" height=\"10\"><rect/>", ES_ERR_FORMAT_IMAGE, "truncated");
    svg_rc("<svg width=\"10", ES_ERR_FORMAT_IMAGE, "truncated");
    svg_rc("<html><svg></svg></html>", ES_ERR_FORMAT_IMAGE, "root");
    svg_rc("<!-- <svg>", ES_ERR_FORMAT_IMAGE, "comment");
    svg_rc("<svg width=\"100000\" height=\"10\"></svg>", ES_ERR_LIMIT_SIZE, NULL);
    svg_rc("<svg viewBox=\"0 0 -1 5\"></svg>", ES_ERR_FORMAT_IMAGE, "viewBox");
    uint8_t nul[] = "<svg>\0</svg>";
    expect_rc(nul, sizeof(nul) - 1, ES_ERR_FORMAT_IMAGE, "NUL");
}

/* ---- OFD (ZIP) ---- */

static size_t make_zip(uint8_t *z, const char *name)
{
    size_t n = strlen(name);
    const char *data = "<ofd:OFD/>";
    size_t dl = strlen(data);
    size_t p = 0;
    /* local header */
    memset(z, 0, 512);
    memcpy(z, "PK\x03\x04", 4);
    le16(z + 4, 20);
    le32(z + 18, (uint32_t)dl);
    le32(z + 22, (uint32_t)dl);
    le16(z + 26, (uint16_t)n);
    memcpy(z + 30, name, n);
    memcpy(z + 30 + n, data, dl);
    p = 30 + n + dl;
    size_t cd = p;
    memcpy(z + p, "PK\x01\x02", 4);
    le16(z + p + 4, 20);
    le16(z + p + 6, 20);
    le32(z + p + 20, (uint32_t)dl);
    le32(z + p + 24, (uint32_t)dl);
    le16(z + p + 28, (uint16_t)n);
    le32(z + p + 42, 0);
    memcpy(z + p + 46, name, n);
    p += 46 + n;
    memcpy(z + p, "PK\x05\x06", 4);
    le16(z + p + 8, 1);
    le16(z + p + 10, 1);
    le32(z + p + 12, (uint32_t)(p - cd));
    le32(z + p + 16, (uint32_t)cd);
    return p + 22;
}

static void test_ofd(void **state)
{
    (void)state;
    uint8_t z[512];
    size_t len = make_zip(z, "OFD.xml");
    expect_ok(z, len, "OFD", 0, 0, 1);
    expect_rc(z, len - 1, ES_ERR_FORMAT_IMAGE, "end record");
    len = make_zip(z, "Doc.xml");
    expect_rc(z, len, ES_ERR_FORMAT_IMAGE, "OFD.xml");
    len = make_zip(z, "OFD.xml");
    z[len - 6] = 0xFF; /* central directory offset far away */
    expect_rc(z, len, ES_ERR_FORMAT_IMAGE, "central directory");
}

/* ---- generic ---- */

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_random_and_limits(void **state)
{
    (void)state;
    expect_rc((const uint8_t *)"", 0, ES_ERR_FORMAT_IMAGE, "empty");
    expect_rc((const uint8_t *)"hello world", 11, ES_ERR_FORMAT_IMAGE, "unknown picture type");
    expect_rc(NULL, 5, ES_ERR_USAGE_NULL, NULL);
    uint8_t *big = es_calloc(1, ES_IMAGE_MAX_BYTES + 1);
    memcpy(big, "\x89PNG\r\n\x1a\n", 8);
    expect_rc(big, ES_IMAGE_MAX_BYTES + 1, ES_ERR_LIMIT_SIZE, "bytes");
    es_free(big);

    /* random bytes, bare and behind each magic: always a clean error */
    static const char *const magics[] = {"", "\x89PNG\r\n\x1a\n", "\xff\xd8\xff", "GIF89a",
                                         "BM", "PK\x03\x04", "<svg "};
    static const size_t magic_len[] = {0, 8, 3, 6, 2, 4, 5};
    uint8_t buf[2048];
    for (int round = 0; round < 300; round++) {
        for (size_t m = 0; m < sizeof(magics) / sizeof(magics[0]); m++) {
            size_t len = magic_len[m] + rnd() % (sizeof(buf) - magic_len[m]);
            memcpy(buf, magics[m], magic_len[m]);
            for (size_t i = magic_len[m]; i < len; i++) {
                buf[i] = (uint8_t)rnd();
            }
            assert_int_not_equal(check(buf, len, NULL, NULL, NULL), ES_OK);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png),  cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_gif),  cmocka_unit_test(test_bmp),
        cmocka_unit_test(test_svg),  cmocka_unit_test(test_ofd),
        cmocka_unit_test(test_random_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
