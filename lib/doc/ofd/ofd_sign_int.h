/*
 * lib/doc/ofd/ofd_sign_int.h - the pieces of OFD signing: stamp placement
 * (ofd_stamp.c, ofd_text.c), the XML written (ofd_write.c) and the package
 * writer that copies existing entries byte for byte (ofd_zipw.c).
 */
#ifndef ES_OFD_SIGN_INT_H
#define ES_OFD_SIGN_INT_H

#include "doc/ofd/ofd_int.h"

/* A keyword occurrence: 0-based page index and bounding box (x0 y0 x1 y1, mm). */
struct es_ofd_hit {
    size_t page;
    double box[4];
};
/* Occurrence `occurrence` (1-based; 0 = all) of keyword in document order.
 * ES_ERR_USAGE_ARG when it does not occur. OUT (owned, es_free). */
ES_RESULT es_ofd_find_keyword(const struct es_ofd_pkg *pkg, const struct es_ofd_document *doc,
                              const char *keyword, int occurrence, struct es_ofd_hit **out,
                              size_t *out_n);

/* A StampAnnot to write. */
struct es_ofd_newstamp {
    char id[32];
    const char *page_id;   /* borrowed from the document model */
    double boundary[4];
    bool has_clip;
    double clip[4];
};
/* Turns positions into StampAnnots (IDs not yet assigned). `seal_w`/`seal_h`
 * is the seal picture's size in mm. OUT (owned, es_free). */
ES_RESULT es_ofd_place(const struct es_ofd_pkg *pkg, struct es_ofd_document *doc,
                       const es_ofd_position *pos, size_t n_pos, double seal_w, double seal_h,
                       struct es_ofd_newstamp **out, size_t *out_n);

/* Signature.xml in schema order (ofd-signature.md §5.4 step 7). */
struct es_ofd_newref {
    char *name;         /* entry name, no leading '/' */
    uint8_t digest[32];
};
struct es_ofd_newsig {
    const char *time_text;   /* YYYYMMDDHHMMSSZ */
    const struct es_ofd_newref *refs;
    size_t n_refs;
    const struct es_ofd_newstamp *stamps;
    size_t n_stamps;
    const char *seal_path;   /* absolute, with '/' */
    const char *value_path;  /* absolute, with '/' */
};
ES_RESULT es_ofd_write_signature(struct es_buf *b, const struct es_ofd_newsig *s);
/* A new signature list with one entry. */
ES_RESULT es_ofd_write_new_list(struct es_buf *b, const char *max_id, const char *id,
                                const char *base_loc);
/* The existing list with one more entry and MaxSignId updated. */
ES_RESULT es_ofd_write_list_append(const uint8_t *p, size_t n, const char *what,
                                   const es_ofd_limits *lim, const char *max_id, const char *id,
                                   const char *base_loc, struct es_buf *out);
/* OFD.xml with <Signatures>loc</Signatures> inserted as the last child of the
 * first DocBody; every other byte is kept. */
ES_RESULT es_ofd_write_main_with_list(const uint8_t *p, size_t n, const es_ofd_limits *lim,
                                      const char *loc, struct es_buf *out);

/* Writes a package: every entry of `in` in order (replaced when an addition
 * has its name, else copied byte for byte: same compressed data, method and
 * time), then the other additions. Written by libzip to a temporary file in
 * out_path's directory and renamed into place on success. */
struct es_ofd_addition {
    const char *name;
    const uint8_t *data;
    size_t len;
};
ES_RESULT es_ofd_pkg_write(const struct es_ofd_pkg *in, const char *out_path,
                           const struct es_ofd_addition *adds, size_t n_adds, time_t mtime);
/* The ZIP method (a zip_int32_t ZIP_CM_* value) for a new entry: stored for
 * signature data (.esl, .dat) and already-compressed pictures and archives,
 * stored as well when deflating a sample of the bytes saves under 5%,
 * deflate otherwise. */
int es_ofd_zip_method(const char *name, const uint8_t *p, size_t n);

#endif
