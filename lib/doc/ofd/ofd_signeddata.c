/*
 * lib/doc/ofd/ofd_signeddata.c - reading GB/T 35275-2017 SignedData, the
 * value of Type="Sign" OFD signatures (ofd-signature.md §9), with the
 * bounded DER reader. Only syntax is checked here; ofd_verify_sign.c judges.
 *
 *   ContentInfo ::= SEQUENCE { contentType OID (1.2.156.10197.6.1.4.2.2),
 *                              content [0] EXPLICIT SignedData }
 *   SignedData  ::= SEQUENCE { version INTEGER, digestAlgorithms SET,
 *                              contentInfo SEQUENCE { OID, [0] EXPLICIT ANY OPTIONAL },
 *                              certificates [0] IMPLICIT SET OPTIONAL,
 *                              crls [1] IMPLICIT SET OPTIONAL, signerInfos SET }
 *   SignerInfo  ::= SEQUENCE { version INTEGER, issuerAndSerialNumber SEQUENCE,
 *                              digestAlgorithm AlgorithmIdentifier,
 *                              authenticatedAttributes [0] IMPLICIT SET OPTIONAL,
 *                              digestEncryptionAlgorithm AlgorithmIdentifier,
 *                              encryptedDigest OCTET STRING, [1] OPTIONAL }
 */
#include <stdio.h>

#include "der/der.h"
#include "doc/ofd/ofd_int.h"

#define OID_MESSAGE_DIGEST "1.2.840.113549.1.9.4"
#define OID_SIGNING_TIME "1.2.840.113549.1.9.5"

static es_result alg_oid(struct es_der_cur *c, char *oid, size_t n)
{
    struct es_der_cur a;
    struct es_der_elem e;
    ES_GUARD(es_der_enter(c, ES_DER_SEQUENCE, &a, NULL));
    ES_GUARD(es_der_expect(&a, ES_DER_OID, &e));
    ES_GUARD(es_der_get_oid(&e, oid, n));
    return ES_RESULT_OK; /* parameters (NULL or absent) ignored */
}

static es_result attrs(struct es_ofd_signeddata *sd, const struct es_der_cur *parent,
                       const struct es_der_elem *set)
{
    struct es_der_cur c;
    ES_GUARD(es_der_open(parent, set, &c));
    while (!es_der_at_end(&c)) {
        struct es_der_cur a, vals;
        struct es_der_elem oid, v;
        char name[64];
        ES_GUARD(es_der_enter(&c, ES_DER_SEQUENCE, &a, NULL));
        ES_GUARD(es_der_expect(&a, ES_DER_OID, &oid));
        ES_GUARD(es_der_get_oid(&oid, name, sizeof(name)));
        ES_GUARD(es_der_enter(&a, ES_DER_SET, &vals, NULL));
        if (es_der_at_end(&vals)) {
            continue;
        }
        ES_GUARD(es_der_next(&vals, &v));
        if (strcmp(name, OID_MESSAGE_DIGEST) == 0 && v.id == ES_DER_OCTET_STRING) {
            sd->has_digest = true;
            sd->message_digest = (es_bytes){v.val, v.val_len};
        } else if (strcmp(name, OID_SIGNING_TIME) == 0 &&
                   (v.id == ES_DER_UTC_TIME || v.id == ES_DER_GENERALIZED_TIME)) {
            unsigned q = 0;
            sd->has_time = es_is_ok(es_der_get_time(&v, 28800, &sd->signing_time, &q));
            if (!sd->has_time) {
                es_error_clear();
            }
        }
    }
    return ES_RESULT_OK;
}

static es_result signer_info(struct es_ofd_signeddata *sd, struct es_der_cur *infos)
{
    struct es_der_cur si, ias;
    struct es_der_elem e;
    ES_GUARD(es_der_enter(infos, ES_DER_SEQUENCE, &si, NULL));
    ES_GUARD(es_der_expect(&si, ES_DER_INTEGER, &e));
    ES_GUARD(es_der_enter(&si, ES_DER_SEQUENCE, &ias, NULL));
    ES_GUARD(es_der_next(&ias, &e)); /* issuer Name */
    ES_GUARD(es_der_expect(&ias, ES_DER_INTEGER, &e));
    sd->signer_serial = (es_bytes){e.val, e.val_len};
    ES_GUARD(alg_oid(&si, sd->digest_alg, sizeof(sd->digest_alg)));
    ES_GUARD(es_der_peek(&si, &e));
    if (e.id == ES_DER_CTX0_CONS) {
        ES_GUARD(es_der_next(&si, &e));
        sd->has_attrs = true;
        sd->attrs_tlv = (es_bytes){e.tlv, e.tlv_len};
        ES_GUARD(attrs(sd, &si, &e));
    }
    ES_GUARD(alg_oid(&si, sd->sig_alg, sizeof(sd->sig_alg)));
    ES_GUARD(es_der_next(&si, &e));
    if (e.id == ES_DER_OCTET_STRING) {
        sd->signature = (es_bytes){e.val, e.val_len};
    } else if (e.id == ES_DER_BIT_STRING) {
        uint8_t unused;
        ES_GUARD(es_der_get_bits(&e, &unused, &sd->signature));
    } else {
        ES_BAIL_MSG(ES_ERR_FORMAT_TAG, "SignerInfo: encryptedDigest has tag 0x%02x", e.id);
    }
    return ES_RESULT_OK;
}

es_result es_ofd_signeddata_parse(const uint8_t *p, size_t n, struct es_ofd_signeddata *sd)
{
    memset(sd, 0, sizeof(*sd));
    unsigned q = 0;
    struct es_der_cur top, ci, exp, sdc, inner, set;
    struct es_der_elem e;
    es_der_init(&top, p, n, &q);
    ES_GUARD(es_der_enter(&top, ES_DER_SEQUENCE, &ci, NULL));
    ES_ENSURE_MSG(es_der_at_end(&top), ES_ERR_FORMAT_TRAILING, "bytes after the ContentInfo");
    ES_GUARD(es_der_expect(&ci, ES_DER_OID, &e));
    ES_GUARD(es_der_get_oid(&e, sd->content_type, sizeof(sd->content_type)));
    ES_GUARD(es_der_enter(&ci, ES_DER_CTX0_CONS, &exp, NULL));
    ES_GUARD(es_der_enter(&exp, ES_DER_SEQUENCE, &sdc, NULL));
    ES_GUARD(es_der_expect(&sdc, ES_DER_INTEGER, &e));
    ES_GUARD(es_der_expect(&sdc, ES_DER_SET, &e)); /* digestAlgorithms */
    ES_GUARD(es_der_enter(&sdc, ES_DER_SEQUENCE, &inner, NULL)); /* contentInfo */
    ES_GUARD(es_der_expect(&inner, ES_DER_OID, &e));
    if (!es_der_at_end(&inner)) {
        struct es_der_cur c0;
        ES_GUARD(es_der_enter(&inner, ES_DER_CTX0_CONS, &c0, NULL));
        if (!es_der_at_end(&c0)) {
            ES_GUARD(es_der_next(&c0, &e));
            sd->has_content = true;
            sd->content = e.id == ES_DER_OCTET_STRING ? (es_bytes){e.val, e.val_len}
                                                      : (es_bytes){e.tlv, e.tlv_len};
        }
    }
    ES_GUARD(es_der_peek(&sdc, &e));
    if (e.id == ES_DER_CTX0_CONS) {
        struct es_der_cur certs;
        ES_GUARD(es_der_enter(&sdc, ES_DER_CTX0_CONS, &certs, NULL));
        while (!es_der_at_end(&certs)) {
            ES_GUARD(es_der_next(&certs, &e));
            if (sd->n_certs < sizeof(sd->certs) / sizeof(sd->certs[0]) &&
                e.id == ES_DER_SEQUENCE) {
                sd->certs[sd->n_certs++] = (es_bytes){e.tlv, e.tlv_len};
            }
        }
        ES_GUARD(es_der_peek(&sdc, &e));
    }
    if (e.id == 0xa1) { /* crls */
        ES_GUARD(es_der_next(&sdc, &e));
    }
    ES_GUARD(es_der_enter(&sdc, ES_DER_SET, &set, NULL));
    ES_ENSURE_MSG(!es_der_at_end(&set), ES_ERR_FORMAT_STRUCTURE, "SignedData has no SignerInfo");
    ES_GUARD(signer_info(sd, &set));
    return ES_RESULT_OK;
}

es_result es_ofd_cert_serial(es_bytes cert, es_bytes *out)
{
    unsigned q = 0;
    struct es_der_cur top, c, tbs;
    struct es_der_elem e;
    es_der_init(&top, cert.ptr, cert.len, &q);
    ES_GUARD(es_der_enter(&top, ES_DER_SEQUENCE, &c, NULL));
    ES_GUARD(es_der_enter(&c, ES_DER_SEQUENCE, &tbs, NULL));
    ES_GUARD(es_der_next(&tbs, &e));
    if (e.id == ES_DER_CTX0_CONS) {
        ES_GUARD(es_der_next(&tbs, &e));
    }
    ES_ENSURE_MSG(e.id == ES_DER_INTEGER, ES_ERR_FORMAT_TAG, "certificate: no serialNumber");
    *out = (es_bytes){e.val, e.val_len};
    return ES_RESULT_OK;
}
