/*
 * lib/image/image_decode.c - full decoding of uploaded raster pictures with
 * the system codecs (libpng, libjpeg-turbo, giflib), to prove they are well
 * formed before they go into a seal.
 *
 * Each codec is driven in two steps: read the header, check the dimensions
 * against the shared limits (in 64-bit arithmetic: libpng's PNG_IMAGE_SIZE
 * overflows 32 bits), then decode every row into one reused row buffer, so
 * memory stays at one row whatever the picture. Codec errors arrive by
 * longjmp; everything that runs after setjmp lives in small functions whose
 * locals do not change between setjmp and longjmp. libjpeg reports a
 * truncated file as a warning and "succeeds": here every warning is an error.
 */
#include <stdio.h> /* before jpeglib.h */

#include <gif_lib.h>
#include <jerror.h>
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>

#include "image/image_int.h"

/* ---- PNG ---- */

struct png_in {
    const uint8_t *p;
    size_t len;
    size_t pos;
    char msg[200];
    jmp_buf jb;
};

static void png_read_cb(png_structp png, png_bytep out, size_t n)
{
    struct png_in *in = png_get_io_ptr(png);
    if (n > in->len - in->pos) {
        png_error(png, "the data ends early (truncated file)");
    }
    memcpy(out, in->p + in->pos, n);
    in->pos += n;
}

static void png_in_err(png_structp png, png_const_charp msg)
{
    struct png_in *in = png_get_error_ptr(png);
    snprintf(in->msg, sizeof(in->msg), "%s", msg);
    longjmp(in->jb, 1);
}

static void png_in_warn(png_structp png, png_const_charp msg)
{
    /* benign warnings (colour profiles, unknown chunks); errors are errors */
    (void)png;
    (void)msg;
}

static int png_header(png_structp png, png_infop info, struct png_in *in, png_uint_32 *w,
                      png_uint_32 *h)
{
    if (setjmp(in->jb)) {
        return -1;
    }
    png_set_read_fn(png, in, png_read_cb);
    /* our limits are checked after the header, with a clearer message */
    png_set_user_limits(png, 0x7fffffffL, 0x7fffffffL);
    png_set_chunk_cache_max(png, 1000);
    png_set_chunk_malloc_max(png, 8u * 1024 * 1024);
    png_set_benign_errors(png, 0);
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_read_info(png, info);
    *w = png_get_image_width(png, info);
    *h = png_get_image_height(png, info);
    return 0;
}

static int png_rows(png_structp png, png_infop info, struct png_in *in, uint8_t *row, png_uint_32 h)
{
    if (setjmp(in->jb)) {
        return -1;
    }
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 y = 0; y < h; y++) {
            png_read_row(png, row, NULL);
        }
    }
    png_read_end(png, NULL);
    return 0;
}

es_result es_image_check_png(const uint8_t *data, size_t len, uint32_t *out_w, uint32_t *out_h)
{
    es_result res = ES_RESULT_OK;
    struct png_in in;
    memset(&in, 0, sizeof(in));
    in.p = data;
    in.len = len;
    png_infop info = NULL;
    uint8_t *row = NULL;
    png_uint_32 w = 0;
    png_uint_32 h = 0;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &in, png_in_err, png_in_warn);
    ES_ENSURE(png, ES_ERR_NOMEM);
    info = png_create_info_struct(png);
    if (!info) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    if (png_header(png, info, &in, &w, &h) != 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed PNG header: %s", in.msg);
    }
    ES_GUARD_GOTO(es_image_check_dims("PNG", w, h));
    /* at most 10000 pixels of 8 bytes (16-bit RGBA) per row */
    row = es_malloc((size_t)w * 8 + 16);
    if (!row) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    if (png_rows(png, info, &in, row, h) != 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed PNG image data: %s", in.msg);
    }
    *out_w = w;
    *out_h = h;
out:
    png_destroy_read_struct(&png, info ? &info : NULL, NULL);
    es_free(row);
    return res;
}

/* ---- JPEG ---- */

#define JPEG_MAX_SCANS 500

struct jpeg_err {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX + 32];
};

static void jpeg_fail(j_common_ptr cinfo)
{
    struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
    char buf[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, buf);
    snprintf(e->msg, sizeof(e->msg), "%s", buf);
    longjmp(e->jb, 1);
}

static void jpeg_emit(j_common_ptr cinfo, int level)
{
    /* level -1 is a warning: corrupt data, premature end of file... */
    if (level < 0) {
        jpeg_fail(cinfo);
    }
}

static void jpeg_progress(j_common_ptr cinfo)
{
    /* a progressive JPEG with thousands of scans costs minutes to decode */
    if (cinfo->is_decompressor) {
        j_decompress_ptr d = (j_decompress_ptr)cinfo;
        if (d->input_scan_number > JPEG_MAX_SCANS) {
            struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
            snprintf(e->msg, sizeof(e->msg), "more than %d scans", JPEG_MAX_SCANS);
            longjmp(e->jb, 1);
        }
    }
}

struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_err err;
    struct jpeg_progress_mgr prog;
    bool created;
};

static int jpeg_header(struct jpeg_job *j, const uint8_t *data, size_t len)
{
    if (setjmp(j->err.jb)) {
        return -1;
    }
    jpeg_create_decompress(&j->cinfo);
    j->created = true;
    j->cinfo.mem->max_memory_to_use = 512L * 1024 * 1024;
    j->prog.progress_monitor = jpeg_progress;
    j->cinfo.progress = &j->prog;
    jpeg_mem_src(&j->cinfo, data, (unsigned long)len);
    if (jpeg_read_header(&j->cinfo, TRUE) != JPEG_HEADER_OK) {
        snprintf(j->err.msg, sizeof(j->err.msg), "no image in the file");
        return -1;
    }
    return 0;
}

static int jpeg_rows(struct jpeg_job *j, uint8_t *row)
{
    if (setjmp(j->err.jb)) {
        return -1;
    }
    JSAMPROW rows[1] = {row};
    jpeg_start_decompress(&j->cinfo);
    while (j->cinfo.output_scanline < j->cinfo.output_height) {
        if (jpeg_read_scanlines(&j->cinfo, rows, 1) != 1) {
            snprintf(j->err.msg, sizeof(j->err.msg), "the image data ends early");
            return -1;
        }
    }
    jpeg_finish_decompress(&j->cinfo);
    return 0;
}

es_result es_image_check_jpeg(const uint8_t *data, size_t len, uint32_t *out_w, uint32_t *out_h)
{
    es_result res = ES_RESULT_OK;
    uint8_t *row = NULL;
    struct jpeg_job *j = es_calloc(1, sizeof(*j));
    ES_ENSURE(j, ES_ERR_NOMEM);
    j->cinfo.err = jpeg_std_error(&j->err.pub);
    j->err.pub.error_exit = jpeg_fail;
    j->err.pub.emit_message = jpeg_emit;
    if (jpeg_header(j, data, len) != 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed JPEG header: %s", j->err.msg);
    }
    uint32_t w = j->cinfo.image_width;
    uint32_t h = j->cinfo.image_height;
    ES_GUARD_GOTO(es_image_check_dims("JPG", w, h));
    /* output components <= 4 (CMYK) */
    row = es_malloc((size_t)w * 4 + 16);
    if (!row) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    if (jpeg_rows(j, row) != 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed JPEG image data: %s", j->err.msg);
    }
    *out_w = w;
    *out_h = h;
out:
    if (j->created) {
        jpeg_destroy_decompress(&j->cinfo);
    }
    es_free(j);
    es_free(row);
    return res;
}

/* ---- GIF ---- */

struct gif_in {
    const uint8_t *p;
    size_t len;
    size_t pos;
};

static int gif_read_cb(GifFileType *gif, GifByteType *out, int n)
{
    struct gif_in *in = gif->UserData;
    if (n < 0) {
        return 0;
    }
    size_t left = in->len - in->pos;
    size_t k = (size_t)n < left ? (size_t)n : left;
    memcpy(out, in->p + in->pos, k);
    in->pos += k;
    return (int)k;
}

static const char *gif_msg(int code)
{
    const char *s = GifErrorString(code);
    return s ? s : "unknown error";
}

es_result es_image_check_gif(const uint8_t *data, size_t len, uint32_t *out_w, uint32_t *out_h)
{
    es_result res = ES_RESULT_OK;
    struct gif_in in = {data, len, 0};
    int err = 0;
    uint8_t *row = NULL;
    GifFileType *gif = DGifOpen(&in, gif_read_cb, &err);
    ES_ENSURE_MSG(gif, ES_ERR_FORMAT_IMAGE, "malformed GIF header: %s", gif_msg(err));
    uint32_t sw = (uint32_t)gif->SWidth;
    uint32_t sh = (uint32_t)gif->SHeight;
    ES_GUARD_GOTO(es_image_check_dims("GIF", sw, sh));
    row = es_malloc(sw);
    if (!row) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    unsigned frames = 0;
    GifRecordType rt;
    do {
        if (DGifGetRecordType(gif, &rt) == GIF_ERROR) {
            ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed GIF: %s", gif_msg(gif->Error));
        }
        if (rt == IMAGE_DESC_RECORD_TYPE) {
            if (DGifGetImageDesc(gif) == GIF_ERROR) {
                ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed GIF frame: %s",
                             gif_msg(gif->Error));
            }
            if (++frames > ES_IMAGE_MAX_FRAMES) {
                ES_FAIL_GOTO(ES_ERR_LIMIT_SIZE, "the GIF has more than %u frames",
                             ES_IMAGE_MAX_FRAMES);
            }
            const GifImageDesc *id = &gif->Image;
            if (id->Left < 0 || id->Top < 0 || id->Width <= 0 || id->Height <= 0 ||
                (uint64_t)id->Left + (uint64_t)id->Width > sw ||
                (uint64_t)id->Top + (uint64_t)id->Height > sh) {
                ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE,
                             "GIF frame %u (%dx%d at %d,%d) lies outside the %ux%u screen",
                             frames, id->Width, id->Height, id->Left, id->Top, (unsigned)sw,
                             (unsigned)sh);
            }
            if (!id->ColorMap && !gif->SColorMap) {
                ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "GIF frame %u has no colour table", frames);
            }
            for (int y = 0; y < id->Height; y++) {
                if (DGifGetLine(gif, row, id->Width) == GIF_ERROR) {
                    ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed GIF image data in frame %u: %s",
                                 frames, gif_msg(gif->Error));
                }
            }
        } else if (rt == EXTENSION_RECORD_TYPE) {
            int code = 0;
            GifByteType *ext = NULL;
            if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR) {
                ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed GIF extension: %s",
                             gif_msg(gif->Error));
            }
            while (ext) {
                if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR) {
                    ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed GIF extension: %s",
                                 gif_msg(gif->Error));
                }
            }
        } else if (rt != TERMINATE_RECORD_TYPE) {
            ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "malformed GIF: unknown record");
        }
    } while (rt != TERMINATE_RECORD_TYPE);
    if (frames == 0) {
        ES_FAIL_GOTO(ES_ERR_FORMAT_IMAGE, "the GIF has no image");
    }
    *out_w = sw;
    *out_h = sh;
out:
    es_free(row);
    if (gif) {
        DGifCloseFile(gif, &err);
    }
    return res;
}
