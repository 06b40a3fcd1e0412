/*
 * lib/seal/seal_encode.c - making GB/T 38540-2020 v4 seals (ses-format.md
 * §6.1): SES_SealInfo in canonical DER, signed by the seal maker over its
 * exact bytes with SM2/SM3 and the default user ID.
 */
#include <stdio.h>
#include <time.h>

#include "base/ctx_int.h"
#include "crypto/crypto.h"
#include "eseal/image.h"
#include "seal/seal_int.h"

static es_result ia5(struct es_buf *b, const char *s, const char *what)
{
    for (const char *p = s; *p; p++) {
        ES_ENSURE_MSG((unsigned char)*p < 0x80, ES_ERR_USAGE_ARG,
                      "%s must be ASCII (IA5String): '%s'", what, s);
    }
    return es_derw_tlv(b, ES_DER_IA5_STRING, s, strlen(s));
}

static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
                : (*p & 0xf8) == 0xf0                 ? 3
                                                      : -1;
        if (n < 0 || (n == 1 && *p < 0xc2)) {
            return false;
        }
        p++;
        for (int i = 0; i < n; i++, p++) {
            if ((*p & 0xc0) != 0x80) {
                return false;
            }
        }
    }
    return true;
}

es_result es_seal_encode_info_v4(struct es_buf *b, const struct es_seal_info_v4 *in)
{
    size_t si, h, p, cl, pic;
    ES_ENSURE_MSG(in->name && in->name[0] && utf8_valid(in->name), ES_ERR_USAGE_ARG,
                  "the seal name must be non-empty UTF-8");
    ES_ENSURE_MSG(in->n_certs >= 1 && in->n_certs <= ES_SEAL_MAX_CERTS, ES_ERR_USAGE_ARG,
                  "a seal lists 1 to %d signer certificates", ES_SEAL_MAX_CERTS);
    ES_ENSURE_MSG(in->valid_start < in->valid_end, ES_ERR_POLICY_VALIDITY,
                  "the validity period ends before it starts");
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &si));
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &h));
    ES_GUARD(es_derw_tlv(b, ES_DER_IA5_STRING, "ES", 2));
    ES_GUARD(es_derw_int(b, 4));
    ES_GUARD(ia5(b, in->vid, "the vendor id"));
    ES_GUARD(es_derw_end(b, h));
    ES_GUARD(ia5(b, in->esid, "the esID"));
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &p));
    ES_GUARD(es_derw_int(b, in->type));
    ES_GUARD(es_derw_tlv(b, ES_DER_UTF8_STRING, in->name, strlen(in->name)));
    ES_GUARD(es_derw_int(b, 1)); /* certListType 1: certificates */
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &cl));
    for (size_t i = 0; i < in->n_certs; i++) {
        ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, in->certs[i].ptr, in->certs[i].len));
    }
    ES_GUARD(es_derw_end(b, cl));
    ES_GUARD(es_derw_gentime(b, in->create_date));
    ES_GUARD(es_derw_gentime(b, in->valid_start));
    ES_GUARD(es_derw_gentime(b, in->valid_end));
    ES_GUARD(es_derw_end(b, p));
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &pic));
    ES_GUARD(ia5(b, in->pic_type, "the picture type"));
    ES_GUARD(es_derw_tlv(b, ES_DER_OCTET_STRING, in->pic_data.ptr, in->pic_data.len));
    ES_GUARD(es_derw_int(b, in->pic_w_mm));
    ES_GUARD(es_derw_int(b, in->pic_h_mm));
    ES_GUARD(es_derw_end(b, pic));
    return es_derw_end(b, si);
}

#define MAX_PICTURE (4u * 1024 * 1024)

static es_result make(const es_seal_params *pp, const es_key *maker_key, const es_cert *maker_cert,
                      uint8_t **out_der, size_t *out_len)
{
    es_result res = ES_RESULT_OK;
    struct es_buf b;
    es_bytes certs[ES_SEAL_MAX_CERTS];
    char esid[33];
    es_buf_init(&b, 16u * 1024 * 1024);
    int64_t now = (int64_t)time(NULL);

    ES_ENSURE_REF(pp);
    ES_ENSURE_MSG(maker_key && maker_cert, ES_ERR_USAGE_NULL, "the maker key and certificate are "
                                                               "required");
    ES_ENSURE_MSG(es_key_matches_cert(maker_key, maker_cert), ES_ERR_POLICY_KEY_MISMATCH,
                  "the maker key does not match the maker certificate (%s)",
                  es_cert_subject(maker_cert));
    ES_ENSURE_MSG(pp->n_signer_certs >= 1 && pp->n_signer_certs <= ES_SEAL_MAX_CERTS,
                  ES_ERR_USAGE_ARG, "a seal lists 1 to %d signer certificates",
                  ES_SEAL_MAX_CERTS);
    ES_ENSURE_MSG(pp->picture && pp->picture_len > 0, ES_ERR_USAGE_ARG,
                  "a seal needs a picture");
    ES_ENSURE_MSG(pp->picture_len <= MAX_PICTURE, ES_ERR_LIMIT_SIZE,
                  "the picture has %zu bytes; at most %u are allowed", pp->picture_len,
                  MAX_PICTURE);
    /* the type comes from the content, which is decoded within limits; the
     * file name is never trusted (lib/image) */
    const char *ptype = NULL;
    uint32_t pw = 0, ph = 0;
    int irc = es_image_check(NULL, pp->picture, pp->picture_len, &ptype, &pw, &ph);
    ES_ENSURE_MSG(irc == ES_OK, irc, "the picture: %s", es_error_detail());
    ES_ENSURE_MSG(ptype && strcmp(ptype, "SVG") != 0, ES_ERR_FORMAT_IMAGE,
                  "the picture is %s; a seal picture is PNG, JPEG, GIF, BMP or OFD",
                  ptype ? ptype : "of unknown type");
    int64_t start = pp->valid_start ? pp->valid_start : now;
    ES_ENSURE_MSG(pp->valid_end > start, ES_ERR_POLICY_VALIDITY,
                  "the validity end must be later than the start");
    for (size_t i = 0; i < pp->n_signer_certs; i++) {
        const es_cert *c = pp->signer_certs[i];
        ES_ENSURE_REF(c);
        ES_ENSURE_MSG(es_cert_is_sm2(c), ES_ERR_CRYPTO_CERT,
                      "signer certificate %zu (%s) does not carry an SM2 key", i + 1,
                      es_cert_subject(c));
        ES_ENSURE_MSG(pp->valid_end <= es_cert_not_after(c), ES_ERR_POLICY_VALIDITY,
                      "the seal's validity end is later than the end of signer certificate "
                      "'%s'",
                      es_cert_subject(c));
        certs[i] = es_cert_der(c);
    }
    if (pp->esid) {
        snprintf(esid, sizeof(esid), "%s", pp->esid);
        ES_ENSURE_MSG(strlen(pp->esid) < sizeof(esid) && pp->esid[0], ES_ERR_USAGE_ARG,
                      "the esID must have 1 to 32 characters");
    } else {
        uint8_t rnd[16];
        ES_GUARD(es_random(rnd, sizeof(rnd)));
        es_hex_encode(rnd, sizeof(rnd), esid);
    }
    struct es_seal_info_v4 in = {
        .vid = pp->vid ? pp->vid : "eseal",
        .esid = esid,
        .type = pp->type,
        .name = pp->name,
        .certs = certs,
        .n_certs = pp->n_signer_certs,
        .create_date = pp->create_date ? pp->create_date : now,
        .valid_start = start,
        .valid_end = pp->valid_end,
        .pic_type = ptype,
        .pic_data = {pp->picture, pp->picture_len},
        .pic_w_mm = pp->picture_w_mm ? pp->picture_w_mm : 40,
        .pic_h_mm = pp->picture_h_mm ? pp->picture_h_mm : (pp->picture_w_mm ? pp->picture_w_mm : 40),
    };
    size_t mark;
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &mark));
    size_t info_at = b.len;
    ES_GUARD_GOTO(es_seal_encode_info_v4(&b, &in));
    size_t info_len = b.len - info_at;
    uint8_t sig[72];
    size_t sig_len;
    /* GB/T 38540-2020: signedValue is the maker's signature over eSealInfo */
    ES_GUARD_GOTO(es_sm2_sign_msg(maker_key, b.ptr + info_at, info_len, sig, &sig_len));
    es_bytes mc = es_cert_der(maker_cert);
    ES_GUARD_GOTO(es_derw_tlv(&b, ES_DER_OCTET_STRING, mc.ptr, mc.len));
    ES_GUARD_GOTO(es_derw_oid(&b, ES_OID_SM2_SM3));
    ES_GUARD_GOTO(es_derw_bits(&b, sig, sig_len));
    ES_GUARD_GOTO(es_derw_end(&b, mark));
    ES_GUARD_GOTO(es_buf_take(&b, out_der, out_len));
out:
    es_buf_free(&b);
    return res;
}

int es_seal_make(es_ctx *ctx, const es_seal_params *params, const es_key *maker_key,
                 const es_cert *maker_cert, uint8_t **out_der, size_t *out_len)
{
    *out_der = NULL;
    *out_len = 0;
    return es_ctx_take_error(ctx, make(params, maker_key, maker_cert, out_der, out_len));
}
