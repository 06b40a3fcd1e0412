/*
 * lib/doc/pdf/pdf_cms_sm2.c - a detached RFC 5652 SignedData with SM3 and
 * SM2 (pdf-seal.md convention C4: PKCS#7 OIDs, digest 1.2.156.10197.1.401,
 * signature 1.2.156.10197.1.501), written with our DER writer because
 * OpenSSL 3.0's CMS cannot sign with SM2. Signed attributes contentType,
 * signingTime and messageDigest (= SM3 of the ByteRange bytes), in DER SET
 * order; the SM2 signature (Z with the default ID) is over the attributes
 * encoded as a SET. The signer's certificate is included.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "der/der.h"
#include "doc/pdf/pdf_int.h"

#define OID_SIGNED_DATA "1.2.840.113549.1.7.2"
#define OID_DATA "1.2.840.113549.1.7.1"
#define OID_CONTENT_TYPE "1.2.840.113549.1.9.3"
#define OID_MESSAGE_DIGEST "1.2.840.113549.1.9.4"
#define OID_SIGNING_TIME "1.2.840.113549.1.9.5"
#define OID_SM3 "1.2.156.10197.1.401"
#define OID_SM2_SM3 "1.2.156.10197.1.501"

/* issuer Name (whole TLV) and serialNumber (INTEGER TLV) of a certificate */
static es_result issuer_serial(es_bytes cert, es_bytes *issuer, es_bytes *serial)
{
    struct es_der_cur top, c, tbs;
    struct es_der_elem e;
    es_der_init(&top, cert.ptr, cert.len, NULL);
    ES_GUARD(es_der_enter(&top, ES_DER_SEQUENCE, &c, NULL));
    ES_GUARD(es_der_enter(&c, ES_DER_SEQUENCE, &tbs, NULL));
    ES_GUARD(es_der_next(&tbs, &e));
    if (e.id == ES_DER_CTX0_CONS) {
        ES_GUARD(es_der_next(&tbs, &e));
    }
    ES_ENSURE_MSG(e.id == ES_DER_INTEGER, ES_ERR_FORMAT_TAG, "certificate: no serialNumber");
    *serial = (es_bytes){e.tlv, e.tlv_len};
    ES_GUARD(es_der_expect(&tbs, ES_DER_SEQUENCE, &e)); /* signature algorithm */
    ES_GUARD(es_der_expect(&tbs, ES_DER_SEQUENCE, &e));
    *issuer = (es_bytes){e.tlv, e.tlv_len};
    return ES_RESULT_OK;
}

static es_result alg(struct es_buf *b, const char *oid)
{
    size_t m;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &m));
    ES_GUARD(es_derw_oid(b, oid));
    return es_derw_end(b, m);
}

/* One Attribute SEQUENCE { type, SET { value } } with the value's TLV given. */
static es_result attr(struct es_buf *b, const char *oid, const struct es_buf *value)
{
    size_t m, s;
    ES_GUARD(es_derw_begin(b, ES_DER_SEQUENCE, &m));
    ES_GUARD(es_derw_oid(b, oid));
    ES_GUARD(es_derw_begin(b, ES_DER_SET, &s));
    ES_GUARD(es_derw_raw(b, value->ptr, value->len));
    ES_GUARD(es_derw_end(b, s));
    return es_derw_end(b, m);
}

/* The signed attributes as a SET (for signing; stored re-tagged [0]). */
static es_result signed_attrs(struct es_buf *b, const uint8_t h[32], int64_t t)
{
    struct es_buf v;
    es_buf_init(&v, 4096);
    size_t m;
    es_result res = ES_RESULT_OK;
    ES_GUARD_GOTO(es_derw_begin(b, ES_DER_SET, &m));
    /* DER order of the encodings: contentType (24 bytes), signingTime (28),
     * messageDigest (47) */
    ES_GUARD_GOTO(es_derw_oid(&v, OID_DATA));
    ES_GUARD_GOTO(attr(b, OID_CONTENT_TYPE, &v));
    v.len = 0;
    ES_GUARD_GOTO(es_derw_utctime(&v, t));
    ES_GUARD_GOTO(attr(b, OID_SIGNING_TIME, &v));
    v.len = 0;
    ES_GUARD_GOTO(es_derw_tlv(&v, ES_DER_OCTET_STRING, h, 32));
    ES_GUARD_GOTO(attr(b, OID_MESSAGE_DIGEST, &v));
    ES_GUARD_GOTO(es_derw_end(b, m));
out:
    es_buf_free(&v);
    return res;
}

es_result es_pdf_sm2_cms(const es_key *key, const es_cert *cert, const uint8_t h[32], int64_t t,
                         uint8_t **out, size_t *out_len)
{
    es_bytes cder = es_cert_der(cert), issuer = {NULL, 0}, serial = {NULL, 0};
    ES_ENSURE_MSG(es_cert_pub(cert), ES_ERR_CRYPTO_CERT, "the certificate's key is not SM2");
    ES_GUARD(issuer_serial(cder, &issuer, &serial));
    struct es_buf sa, b;
    es_buf_init(&sa, 1 << 16);
    es_buf_init(&b, 1 << 20);
    es_result res = ES_RESULT_OK;
    uint8_t sig[72];
    size_t sig_len = 0, ci, ctx0, sd, set, si, sid;
    ES_GUARD_GOTO(signed_attrs(&sa, h, t));
    ES_GUARD_GOTO(es_sm2_sign_msg(key, sa.ptr, sa.len, sig, &sig_len));
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &ci));
    ES_GUARD_GOTO(es_derw_oid(&b, OID_SIGNED_DATA));
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_CTX0_CONS, &ctx0));
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &sd));
    ES_GUARD_GOTO(es_derw_int(&b, 1));
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SET, &set));
    ES_GUARD_GOTO(alg(&b, OID_SM3));
    ES_GUARD_GOTO(es_derw_end(&b, set));
    ES_GUARD_GOTO(alg(&b, OID_DATA)); /* encapContentInfo: detached, no eContent */
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_CTX0_CONS, &set)); /* certificates [0] */
    ES_GUARD_GOTO(es_derw_raw(&b, cder.ptr, cder.len));
    ES_GUARD_GOTO(es_derw_end(&b, set));
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SET, &set)); /* signerInfos */
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &si));
    ES_GUARD_GOTO(es_derw_int(&b, 1));
    ES_GUARD_GOTO(es_derw_begin(&b, ES_DER_SEQUENCE, &sid));
    ES_GUARD_GOTO(es_derw_raw(&b, issuer.ptr, issuer.len));
    ES_GUARD_GOTO(es_derw_raw(&b, serial.ptr, serial.len));
    ES_GUARD_GOTO(es_derw_end(&b, sid));
    ES_GUARD_GOTO(alg(&b, OID_SM3));
    size_t at = b.len;
    ES_GUARD_GOTO(es_derw_raw(&b, sa.ptr, sa.len));
    b.ptr[at] = ES_DER_CTX0_CONS; /* signedAttrs [0] IMPLICIT */
    ES_GUARD_GOTO(alg(&b, OID_SM2_SM3));
    ES_GUARD_GOTO(es_derw_tlv(&b, ES_DER_OCTET_STRING, sig, sig_len));
    ES_GUARD_GOTO(es_derw_end(&b, si));
    ES_GUARD_GOTO(es_derw_end(&b, set));
    ES_GUARD_GOTO(es_derw_end(&b, sd));
    ES_GUARD_GOTO(es_derw_end(&b, ctx0));
    ES_GUARD_GOTO(es_derw_end(&b, ci));
    ES_GUARD_GOTO(es_buf_take(&b, out, out_len));
out:
    es_buf_free(&sa);
    es_buf_free(&b);
    return res;
}
