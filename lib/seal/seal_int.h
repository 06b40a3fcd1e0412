/*
 * lib/seal/seal_int.h - decoded seals (SESeal) and seal signatures
 * (SES_Signature) of GM/T 0031-2014 (v1), GB/T 38540-2020 (v4) and the
 * unconfirmed v5 layout, as libeseal's internal structures.
 *
 * Decoding only checks syntax (parse, then validate, then act): the
 * verification pipeline in lib/verify does the semantic checks. Every field
 * is a slice of the input buffer; the only owned memory is the v1 maker
 * signature input that has to be assembled from three original TLVs, and
 * the display strings.
 */
#ifndef ES_SEAL_INT_H
#define ES_SEAL_INT_H

#include "base/base.h"
#include "der/der.h"
#include "eseal/seal.h"
#include "eseal/sign.h"

#define ES_SEAL_MAX_CERTS 16
#define ES_SEAL_MAX_EXTS 16
#define ES_SEAL_MAX_BYTES ((size_t)8 * 1024 * 1024)

/* A tolerance taken while reading (ses-format.md §7), or a notable fact. */
struct es_warning {
    char code[16];  /* "Q-SIG-1", "DER-LEN", ... */
    char msg[200];
    size_t off;     /* byte offset in the decoded input */
};

struct es_warnings {
    struct es_warning *v;
    size_t n;
    size_t cap;
};

void es_warnings_free(struct es_warnings *w);
/* Records a quirk. In the strict profile a quirk that deviates from the
 * standard (`deviation`) is an error; informational ones never are. */
ES_RESULT es_quirk(struct es_warnings *w, es_profile prof, bool deviation, const char *code,
                   size_t off, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
ES_RESULT es_warnings_copy(struct es_warnings *dst, const struct es_warnings *src);

struct es_ext {
    char oid[64];
    bool critical;
    bool critical_present;
    es_bytes value;
};

enum es_cert_list_kind {
    ES_CL_CERTS = 0,   /* SEQUENCE OF OCTET STRING (DER certificates) */
    ES_CL_DIGESTS = 1, /* SEQUENCE OF CertDigestObj */
    ES_CL_STRINGS = 2, /* v1 iOFD: SEQUENCE OF IA5String (Q-V1-2) */
};

struct es_seal {
    uint8_t *buf; /* owned copy for a standalone seal, NULL when embedded */
    size_t len;
    int version;  /* structural: 1, 4 or 5 */
    int64_t header_version;
    es_bytes tlv; /* the whole SESeal TLV, as in the input */
    size_t off;   /* offset of the SESeal TLV in the outer input */
    es_bytes sealinfo_tlv;
    char id[8];
    char *vid;
    char *esid;
    char *name; /* trailing NULs stripped (Q-NAME-1) */
    es_bytes name_raw;
    int64_t type;
    int64_t cert_list_type; /* v4/v5; 0 for v1 */
    enum es_cert_list_kind cert_list_kind;
    size_t n_certs;
    es_bytes certs[ES_SEAL_MAX_CERTS];        /* DER certs, digests, or strings */
    es_bytes digest_types[ES_SEAL_MAX_CERTS]; /* for ES_CL_DIGESTS */
    int64_t create_date;
    int64_t valid_start;
    int64_t valid_end;
    char pic_type[16];       /* as declared */
    const char *pic_sniffed; /* from the content, or NULL */
    es_bytes pic_data;
    int64_t pic_w_mm;
    int64_t pic_h_mm;
    size_t n_ext;
    struct es_ext ext[ES_SEAL_MAX_EXTS];
    es_bytes maker_cert;
    char sign_alg[64];
    es_bytes signed_value;
    uint8_t sv_unused;
    size_t sv_off;
    es_bytes maker_tbs; /* what the maker signed */
    uint8_t *maker_tbs_owned;
    bool has_timestamp; /* v5 [0] */
    es_bytes timestamp;
    struct es_warnings w;
};

struct es_signature {
    uint8_t *buf; /* owned copy of the input */
    size_t len;
    int version;  /* structural: 1, 4 or 5 */
    int64_t tbs_version;
    es_bytes tlv;
    es_bytes tbs_tlv;
    struct es_seal seal; /* embedded, borrows from buf */
    bool time_known;
    int64_t time;
    es_bytes time_raw;
    bool time_is_token; /* v1 timeInfo holding a DER time-stamp token */
    es_bytes data_hash;
    uint8_t dh_unused;
    char *property_info;
    size_t n_ext;
    struct es_ext ext[ES_SEAL_MAX_EXTS];
    es_bytes cert; /* signer certificate DER */
    char sign_alg[64];
    es_bytes signature;
    uint8_t sig_unused;
    size_t sig_off;
    bool has_timestamp;
    es_bytes timestamp;
    struct es_warnings w;
};

/* Parses a SESeal at p[0..len) whose first byte is at absolute offset
 * base_off of the outer input. Borrows p. */
ES_RESULT es_seal_parse(struct es_seal *s, const uint8_t *p, size_t len, size_t base_off,
                        es_profile prof);
void es_seal_clear(struct es_seal *s);
ES_RESULT es_signature_parse(struct es_signature *g, const uint8_t *p, size_t len,
                             es_profile prof);
void es_signature_clear(struct es_signature *g);

/* What a blob of DER is, by structure (ses-format.md §2). */
enum es_blob_kind {
    ES_BLOB_UNKNOWN = 0,
    ES_BLOB_SEAL,
    ES_BLOB_SES_SIGNATURE,
    ES_BLOB_GBT35275, /* ContentInfo of GB/T 35275 SignedData */
    ES_BLOB_BARE_SM2, /* SEQUENCE { INTEGER r, INTEGER s } */
    ES_BLOB_CERT,
};
enum es_blob_kind es_blob_detect(const uint8_t *p, size_t len, int *out_version);

/* Picture type from magic bytes ("PNG", "GIF", "BMP", "JPG", "OFD", "SVG"), or NULL. */
const char *es_picture_sniff(const uint8_t *p, size_t n);

/* Re-encodes a decoded seal / signature in canonical DER from its fields
 * (round-trip proof: a canonical input re-encodes byte-identically). */
ES_RESULT es_seal_reencode(const struct es_seal *s, struct es_buf *b);
ES_RESULT es_signature_reencode(const struct es_signature *g, struct es_buf *b);

/* ---- encoders (canonical DER) ---- */
struct es_seal_info_v4 {
    const char *vid;
    const char *esid;
    int64_t type;
    const char *name;
    const es_bytes *certs;
    size_t n_certs;
    int64_t create_date, valid_start, valid_end;
    const char *pic_type;
    es_bytes pic_data;
    int64_t pic_w_mm, pic_h_mm;
};
ES_RESULT es_seal_encode_info_v4(struct es_buf *b, const struct es_seal_info_v4 *in);

#endif
