/*
 * lib/doc/ofd/ofd_int.h - OFD packages inside libeseal: the bounded ZIP
 * reader, entry names and ST_Loc paths, the hardened XML parser, the models
 * of OFD.xml / Document.xml / Signatures.xml / Signature.xml, the GB/T
 * 35275 SignedData reader, and the writers used when signing.
 *
 * Conventions: entry names are UTF-8 without a leading '/', exactly as the
 * package spells them (after GB18030 conversion for legacy names). ST_Loc
 * values from the XML are resolved to that form before any lookup.
 * Everything here treats the package as hostile (ofd-signature.md,
 * dependencies.md §3-§4).
 */
#ifndef ES_OFD_INT_H
#define ES_OFD_INT_H

#include <libxml/tree.h>
#include <time.h>

#include "base/base.h"
#include "eseal/ofd.h"

#define ES_OFD_NS "http://www.ofdspec.org/2016"
#define ES_OFD_MAX_PATH 1024
/* Signature values and seals are read whole; these bound them. */
#define ES_OFD_MAX_VALUE ((size_t)32 * 1024 * 1024)
#define ES_OFD_MAX_SIGNATURES 256
#define ES_OFD_MAX_REFS 100000
#define ES_OFD_MAX_STAMPS 1000

/* ---- limits ---- */
void es_ofd_limits_fill(es_ofd_limits *out, const es_ofd_limits *in);

/* ---- names and paths (ofd_path.c) ---- */
/* Validates a raw entry name and converts it to UTF-8 (legacy GB18030 names
 * without the UTF-8 flag are converted). Refuses absolute names, '..', '.',
 * empty segments, backslashes, drive letters, control characters and
 * over-long names. OUT (owned) *out_utf8; *out_converted when converted. */
ES_RESULT es_ofd_name_check(const char *raw, size_t max_len, char **out_utf8,
                            bool *out_converted);
bool es_ofd_utf8_valid(const uint8_t *p, size_t n);
/* Resolves an ST_Loc against the directory `base_dir` ("" = package root;
 * no leading or trailing '/'): absolute when it starts with '/', else
 * relative. Empty and '.' segments are dropped, '..' resolved; a path that
 * climbs above the root, is empty or too long fails (ES_ERR_FORMAT). */
ES_RESULT es_ofd_path_resolve(const char *base_dir, const char *loc, char *out, size_t cap);
/* The directory part of an entry name ("" for a top-level name). */
void es_ofd_dirname(const char *name, char *out, size_t cap);

/* ---- the package (ofd_zip.c) ---- */
struct es_ofd_entry {
    char *name;      /* UTF-8 */
    char *raw;       /* the name's bytes as stored (differs when converted) */
    uint64_t index;  /* libzip index */
    uint64_t size;   /* declared uncompressed size */
    uint64_t comp_size;
    uint32_t crc;
    uint16_t method;
    time_t mtime;
    bool is_dir;
};

/* What a package remembers per entry while it is open, writable behind a
 * const package: the plain SM3 of entries read whole, so that a Reference
 * to an entry the caller reads anyway costs no second inflate, and how
 * often each entry was inflated (tests read the counts). */
#define ES_OFD_MEMO_WANT 1u /* es_ofd_pkg_read keeps this entry's SM3 */
#define ES_OFD_MEMO_HAVE 2u /* sm3[] holds this entry's digest */
struct es_ofd_memo {
    uint8_t *flags;       /* per entry: ES_OFD_MEMO_* */
    uint8_t (*sm3)[32];   /* per entry, valid under ES_OFD_MEMO_HAVE */
    uint32_t *streams;    /* per entry: times inflated (saturating) */
};

struct es_ofd_pkg {
    void *za;        /* zip_t */
    es_ofd_limits lim;
    struct es_ofd_entry *e; /* in archive order */
    size_t n;
    size_t *sorted;  /* indices into e, sorted by name */
    struct es_ofd_memo memo; /* arrays of n, owned */
};

ES_RESULT es_ofd_pkg_open_mem(struct es_ofd_pkg *pkg, const uint8_t *data, size_t len,
                              const es_ofd_limits *lim);
ES_RESULT es_ofd_pkg_open_file(struct es_ofd_pkg *pkg, const char *path,
                               const es_ofd_limits *lim);
void es_ofd_pkg_close(struct es_ofd_pkg *pkg);
/* The file entry with exactly this name, or NULL. */
const struct es_ofd_entry *es_ofd_pkg_find(const struct es_ofd_pkg *pkg, const char *name);
/* The first file entry whose name matches ignoring ASCII case, or NULL. */
const struct es_ofd_entry *es_ofd_pkg_find_nocase(const struct es_ofd_pkg *pkg,
                                                  const char *name);
/* Reads an entry whole, refusing more than `max` bytes; the declared size
 * and CRC-32 are enforced. When the entry is marked wanted
 * (es_ofd_pkg_want_sm3) its SM3 is kept for es_ofd_pkg_sm3. OUT (owned,
 * es_free), NUL-terminated. */
ES_RESULT es_ofd_pkg_read(const struct es_ofd_pkg *pkg, const struct es_ofd_entry *e,
                          size_t max, uint8_t **out, size_t *out_len);
/* Digest of an entry's raw bytes: SM3(prefix || bytes) where the optional
 * 32-byte prefix is an SM2 Z value (CheckMethod 1.2.156.10197.1.401.2).
 * Without a prefix a digest kept by an earlier read or hash is returned
 * (no inflate), else the entry is streamed once and its digest kept. */
ES_RESULT es_ofd_pkg_sm3(const struct es_ofd_pkg *pkg, const struct es_ofd_entry *e,
                         const uint8_t *prefix, uint8_t out[32]);
/* Marks (want = true) or unmarks an entry (NULL: every entry) whose plain
 * SM3 es_ofd_pkg_read should keep when it reads the entry whole; hashing
 * costs about as much as inflating, so only entries that will be hashed
 * anyway should be marked. */
void es_ofd_pkg_want_sm3(const struct es_ofd_pkg *pkg, const struct es_ofd_entry *e, bool want);

/* ---- XML (ofd_xml.c) ---- */
/* Parses XML safely: network off, no DTD (internal or external subset: the
 * document is refused), no entity substitution, size and depth capped.
 * `what` names the entry in messages. On failure *out_refused tells a
 * refusal by policy (DTD, size, depth: the package is hostile) from a
 * syntax error. OUT (owned): xmlFreeDoc. */
ES_RESULT es_ofd_xml_parse(const uint8_t *p, size_t n, const char *what,
                           const es_ofd_limits *lim, xmlDoc **out, bool *out_refused);
/* Element matching by local name (namespace ignored: lenient, O-NS). */
bool es_ofd_xml_is(const xmlNode *n, const char *local);
xmlNode *es_ofd_xml_child(const xmlNode *parent, const char *local);
xmlNode *es_ofd_xml_next(const xmlNode *after, const char *local);
/* Trimmed text content. OUT (owned, es_free); NULL on no memory. */
char *es_ofd_xml_text(const xmlNode *n);
/* Attribute value (unqualified), trimmed. OUT (owned, es_free) or NULL if absent. */
char *es_ofd_xml_attr(const xmlNode *n, const char *name);
/* "x y w h" (or any count up to `max`) of decimal numbers. Returns the count read,
 * or -1 on a malformed list. */
int es_ofd_parse_numbers(const char *s, double *out, int max);
/* strtod in the C locale. */
double es_ofd_strtod(const char *s, char **end);
/* Appends s escaped for XML text or attribute values. */
ES_RESULT es_ofd_xml_escape(struct es_buf *b, const char *s);
/* Initialises libxml2 once per process (thread-safe). */
void es_ofd_xml_init(void);

/* ---- document model (ofd_doc.c) ---- */
struct es_ofd_page {
    char *id;
    char *content; /* resolved Content.xml entry name, or NULL */
    double box[4]; /* PhysicalBox in mm */
};

struct es_ofd_docbody {
    char *doc_root;     /* resolved Document.xml */
    char *sig_list;     /* resolved Signatures.xml, or NULL */
};

struct es_ofd_main {
    xmlDoc *xml;            /* OFD.xml */
    size_t n_bodies;
    struct es_ofd_docbody bodies[16];
    char ns_warning[128];   /* non-OFD root namespace, "" if none */
};

struct es_ofd_document {
    size_t n_pages;
    struct es_ofd_page *pages;
    double default_box[4];
};

ES_RESULT es_ofd_main_read(const struct es_ofd_pkg *pkg, struct es_ofd_main *out,
                           bool *out_refused);
void es_ofd_main_free(struct es_ofd_main *m);
ES_RESULT es_ofd_document_read(const struct es_ofd_pkg *pkg, const char *doc_root,
                               struct es_ofd_document *out, bool *out_refused);
void es_ofd_document_free(struct es_ofd_document *d);

/* ---- signature list and descriptions (ofd_sigxml.c) ---- */
struct es_ofd_listentry {
    char *id;
    char *type;     /* as written, NULL when absent (= Seal) */
    char *base_loc; /* as written */
    char *path;     /* resolved Signature.xml, NULL if unresolvable */
    char *relative; /* OFD 2.0 Relative, or NULL */
};

struct es_ofd_siglist {
    struct es_ofd_listentry *v;
    size_t n;
    long max_id;      /* the largest numeric part of all MaxSignId values, -1 if none */
    size_t n_max;     /* MaxSignId elements */
    bool s_style;     /* IDs written as sNNN */
};

struct es_ofd_ref {
    char *file_ref; /* as written */
    char *path;     /* resolved entry name, NULL when unresolvable */
    uint8_t value[64];
    size_t value_len;
    bool value_ok;  /* CheckValue was valid base64 */
};

struct es_ofd_stamp {
    char *id;
    char *page_ref;
    double boundary[4];
    bool boundary_ok;
    bool has_clip;
    double clip[4];
    bool clip_ok;
};

struct es_ofd_sigdesc {
    char *provider;      /* ProviderName */
    bool provider_children; /* O-1 */
    char *sig_method;
    char *sig_time;
    char *check_method;  /* NULL when absent */
    struct es_ofd_ref *refs;
    size_t n_refs;
    struct es_ofd_stamp *stamps;
    size_t n_stamps;
    char *seal_loc;      /* as written, NULL when absent */
    char *seal_path;     /* resolved */
    char *value_loc;
    char *value_path;    /* resolved, NULL when absent or unresolvable */
    bool order_quirk;    /* O-2: not in schema order */
};

ES_RESULT es_ofd_siglist_parse(const uint8_t *p, size_t n, const char *list_path,
                               const es_ofd_limits *lim, struct es_ofd_siglist *out,
                               bool *out_refused);
void es_ofd_siglist_free(struct es_ofd_siglist *l);
ES_RESULT es_ofd_sigdesc_parse(const uint8_t *p, size_t n, const char *path,
                               const es_ofd_limits *lim, struct es_ofd_sigdesc *out,
                               bool *out_refused);
void es_ofd_sigdesc_free(struct es_ofd_sigdesc *d);
/* The numeric part of an ID ("s007" -> 7), -1 if none. */
long es_ofd_id_number(const char *id);

/* CheckMethod (ofd-signature.md §4, O-7). */
enum es_ofd_check_method {
    ES_OFD_CM_SM3 = 0,
    ES_OFD_CM_SM3_Z,   /* 1.2.156.10197.1.401.2: SM3(Z || data) */
    ES_OFD_CM_OTHER,   /* SHA1, SHA256, MD5, anything else */
    ES_OFD_CM_MISSING,
};
enum es_ofd_check_method es_ofd_check_method(const char *s);

/* ---- GB/T 35275 SignedData (ofd_signeddata.c) ---- */
struct es_ofd_signeddata {
    char content_type[64];
    char digest_alg[64];
    char sig_alg[64];
    size_t n_certs;
    es_bytes certs[8];
    es_bytes signer_serial; /* INTEGER contents of issuerAndSerialNumber */
    es_bytes content;       /* encapsulated content, when present */
    bool has_content;
    bool has_attrs;
    es_bytes attrs_tlv;     /* [0] IMPLICIT SET OF Attribute, as stored */
    bool has_digest;
    es_bytes message_digest;
    bool has_time;
    int64_t signing_time;
    es_bytes signature;     /* encryptedDigest */
};
ES_RESULT es_ofd_signeddata_parse(const uint8_t *p, size_t n, struct es_ofd_signeddata *out);
/* The serialNumber INTEGER contents of a certificate, or an error. */
ES_RESULT es_ofd_cert_serial(es_bytes cert, es_bytes *out);

/* ---- base64 (ofd_b64.c) ---- */
/* Decodes standard base64 (whitespace ignored). Returns false on bad input
 * or if more than cap bytes would be produced. */
bool es_ofd_b64_decode(const char *s, uint8_t *out, size_t cap, size_t *out_len);
ES_RESULT es_ofd_b64_encode(struct es_buf *b, const uint8_t *p, size_t n);

#endif
