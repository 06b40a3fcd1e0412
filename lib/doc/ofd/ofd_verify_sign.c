/*
 * lib/doc/ofd/ofd_verify_sign.c - Type="Sign" signatures (ofd-signature.md
 * §9): GB/T 35275 SignedData with signed attributes (messageDigest =
 * SM3(Signature.xml), SM2 over the DER of the attributes re-tagged as SET),
 * the attribute-less variants (signature over Signature.xml, or over its SM3
 * digest carried as content), and ofdrw's bare SM2 SEQUENCE{r,s}, which
 * without a certificate can only be INDETERMINATE. Checks, in order:
 *   structure, signer_chain, data_hash, signature.
 */
#include <stdio.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "der/der.h"
#include "doc/ofd/ofd_verify_int.h"
#include "seal/seal_int.h"

#define OID_SM3 "1.2.156.10197.1.401"
#define OID_SM2_SIGN "1.2.156.10197.1.301.1"
#define OID_SM2_SM3 "1.2.156.10197.1.501"
#define OID_GBT_SIGNED "1.2.156.10197.6.1.4.2.2"
#define OID_PKCS7_SIGNED "1.2.840.113549.1.7.2"
#define C_SIGNER "GB/T 35275-2017 (signer certificate)"
#define C_HASH "GB/T 35275-2017 (messageDigest)"
#define C_SIG "GB/T 35275-2017 (encryptedDigest)"

es_result es_ofd_cert_check(struct es_entry *e, const es_verify_opts *o, const char *id,
                            const char *clause, const es_cert *cert, bool time_known, int64_t t)
{
    /* the same rules as the SES pipeline's certificate checks */
    return es_verify_cert_check(e, o, id, clause, cert, NULL, 0, time_known, t, true);
}

es_cert *es_ofd_value_signer(const uint8_t *val, size_t len, es_profile prof)
{
    es_cert *c = NULL;
    enum es_blob_kind k = es_blob_detect(val, len, NULL);
    if (k == ES_BLOB_SES_SIGNATURE) {
        struct es_signature g;
        if (es_is_ok(es_signature_parse(&g, val, len, prof))) {
            if (es_cert_from_der(NULL, g.cert.ptr, g.cert.len, &c) != ES_OK) {
                c = NULL;
            }
            es_signature_clear(&g);
        }
    } else if (k == ES_BLOB_GBT35275) {
        struct es_ofd_signeddata sd;
        if (es_is_ok(es_ofd_signeddata_parse(val, len, &sd)) && sd.n_certs) {
            if (es_cert_from_der(NULL, sd.certs[0].ptr, sd.certs[0].len, &c) != ES_OK) {
                c = NULL;
            }
        }
    }
    es_error_clear();
    return c;
}

/* The certificate that issued SignerInfo: same serial, or the only one. */
static es_cert *pick_signer(const struct es_ofd_signeddata *sd)
{
    size_t pick = sd->n_certs;
    for (size_t i = 0; i < sd->n_certs && pick == sd->n_certs; i++) {
        es_bytes serial;
        if (es_is_ok(es_ofd_cert_serial(sd->certs[i], &serial)) &&
            serial.len == sd->signer_serial.len &&
            memcmp(serial.ptr, sd->signer_serial.ptr, serial.len) == 0) {
            pick = i;
        }
    }
    es_error_clear();
    if (pick == sd->n_certs && sd->n_certs == 1) {
        pick = 0;
    }
    es_cert *c = NULL;
    if (pick < sd->n_certs && es_cert_from_der(NULL, sd->certs[pick].ptr, sd->certs[pick].len,
                                               &c) != ES_OK) {
        c = NULL;
    }
    return c;
}

static bool verify_over(const es_cert *c, const uint8_t *msg, size_t n, es_bytes sig,
                        unsigned *sq)
{
    bool ok = false;
    if (es_is_err(es_sm2_verify_msg(es_cert_pub(c), msg, n, sig.ptr, sig.len, &ok, sq))) {
        es_error_clear();
        return false;
    }
    return ok;
}

static es_result bare_sm2(struct es_entry *e)
{
    ES_GUARD(es_entry_check(e, "structure", ES_CHECK_PASSED, "", ES_OFD_C_SIGN,
                            "a bare SM2 signature SEQUENCE{r,s} (ofdrw DigitalSignContainer)"));
    ES_GUARD(es_entry_check(e, "signer_chain", ES_CHECK_INDETERMINATE, "NO_SIGNER_CERTIFICATE",
                            C_SIGNER, "the package does not carry the signer's certificate"));
    ES_GUARD(es_entry_check(e, "data_hash", ES_CHECK_INDETERMINATE, "NO_SIGNER_CERTIFICATE",
                            C_HASH, "the signature is over Signature.xml itself; without the "
                                    "signer's certificate it cannot be checked"));
    return es_entry_check(e, "signature", ES_CHECK_INDETERMINATE, "NO_SIGNER_CERTIFICATE", C_SIG,
                          "an SM2 signature with no certificate: verifiable only with the "
                          "signer's certificate obtained elsewhere");
}

static es_result signed_data(struct es_entry *e, const es_verify_opts *o, es_profile prof,
                             const uint8_t *val, size_t val_len, const uint8_t *xml,
                             size_t xml_len, const char *sig_time_text)
{
    struct es_ofd_signeddata sd;
    es_result pr = es_ofd_signeddata_parse(val, val_len, &sd);
    if (es_is_err(pr)) {
        return es_entry_check(e, "structure", ES_CHECK_FAILED, es_error_name(pr.rc),
                              ES_OFD_C_SIGN, "%s", es_error_detail());
    }
    if (strcmp(sd.content_type, OID_GBT_SIGNED) != 0) {
        ES_GUARD(es_entry_warn(e, "O-SD-OID", "ContentInfo type %s instead of %s",
                               sd.content_type, OID_GBT_SIGNED));
    }
    bool sm3 = strcmp(sd.digest_alg, OID_SM3) == 0;
    bool sm2 = strcmp(sd.sig_alg, OID_SM2_SIGN) == 0 || strcmp(sd.sig_alg, OID_SM2_SM3) == 0;
    es_cert *c = pick_signer(&sd);
    es_result res = ES_RESULT_OK;
    struct es_buf b64;
    es_buf_init(&b64, 64);
    if (!sm3 || !sm2) {
        ES_GUARD_GOTO(es_entry_check(e, "structure", ES_CHECK_INDETERMINATE,
                                     "UNSUPPORTED_ALGORITHM", ES_OFD_C_SIGN,
                                     "digest %s with signature %s is not supported",
                                     sd.digest_alg, sd.sig_alg));
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "structure", ES_CHECK_PASSED, "", ES_OFD_C_SIGN,
                                     "GB/T 35275 SignedData, %s signed attributes, %zu "
                                     "certificate(s)",
                                     sd.has_attrs ? "with" : "without", sd.n_certs));
    }
    if (c) {
        ES_GUARD_GOTO(es_entry_set_str(&e->signer, es_cert_subject(c)));
    }
    /* the signing time: the signed attribute, else the description's text */
    if (sd.has_time) {
        e->time_known = true;
        e->time = sd.signing_time;
        snprintf(e->time_source, sizeof(e->time_source), "signingTime attribute");
    } else if (sig_time_text) {
        unsigned q = 0;
        int64_t t;
        if (es_is_ok(es_time_parse_text((const uint8_t *)sig_time_text, strlen(sig_time_text),
                                        28800, &t, &q))) {
            e->time_known = true;
            e->time = t;
            snprintf(e->time_source, sizeof(e->time_source), "SignatureDateTime (claimed)");
        }
        es_error_clear();
    }
    if (!c) {
        ES_GUARD_GOTO(es_entry_check(e, "signer_chain", ES_CHECK_INDETERMINATE,
                                     "NO_SIGNER_CERTIFICATE", C_SIGNER,
                                     "SignedData carries no certificate of the signer"));
    } else {
        ES_GUARD_GOTO(es_ofd_cert_check(e, o, "signer_chain", C_SIGNER, c, e->time_known,
                                        e->time));
    }
    uint8_t h[32];
    es_sm3(xml, xml_len, h);
    unsigned sq = 0;
    bool usable = c && es_cert_pub(c) && sm3 && sm2;
    if (sd.has_attrs) {
        /* data: messageDigest; signature: over the attributes re-tagged SET */
        if (!sd.has_digest) {
            ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_FAILED, "NO_MESSAGE_DIGEST",
                                         C_HASH, "the signed attributes have no messageDigest"));
        } else if (sd.message_digest.len == 32 && es_ct_equal(sd.message_digest.ptr, h, 32)) {
            ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_PASSED, "", C_HASH,
                                         "messageDigest equals SM3 of Signature.xml"));
        } else {
            ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_FAILED, "DATA_HASH_MISMATCH",
                                         C_HASH, "Signature.xml was changed after signing: its "
                                                 "SM3 digest differs from messageDigest"));
        }
        uint8_t *m = es_malloc(sd.attrs_tlv.len);
        if (!m) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
        memcpy(m, sd.attrs_tlv.ptr, sd.attrs_tlv.len);
        m[0] = ES_DER_SET;
        bool ok = usable && verify_over(c, m, sd.attrs_tlv.len, sd.signature, &sq);
        es_free(m);
        if (!usable) {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_INDETERMINATE,
                                         c ? "UNSUPPORTED_ALGORITHM" : "NO_SIGNER_CERTIFICATE",
                                         C_SIG, "the signature cannot be checked"));
        } else if (!ok) {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_FAILED, "SIGNATURE_INVALID",
                                         C_SIG, "the SM2 signature over the signed attributes "
                                                "does not verify"));
        } else {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_PASSED, "", C_SIG,
                                         "SM2/SM3 signature over the signed attributes is "
                                         "valid"));
        }
    } else {
        /* no attributes: content = SM3 (or its base64) signed as such (ofdrw
         * GBT35275DSContainer), or the signature is over Signature.xml (tongz) */
        ES_GUARD_GOTO(es_ofd_b64_encode(&b64, h, 32));
        bool content_hash = sd.has_content && sd.content.len == 32 &&
                            es_ct_equal(sd.content.ptr, h, 32);
        bool content_b64 = sd.has_content && sd.content.len == b64.len &&
                           memcmp(sd.content.ptr, b64.ptr, b64.len) == 0;
        const char *how = NULL;
        if (usable) {
            if (verify_over(c, xml, xml_len, sd.signature, &sq)) {
                how = "over Signature.xml";
            } else if (verify_over(c, h, 32, sd.signature, &sq)) {
                how = "over SM3(Signature.xml)";
            } else if (verify_over(c, b64.ptr, b64.len, sd.signature, &sq)) {
                how = "over base64(SM3(Signature.xml))";
            }
        }
        if (sd.has_content && !content_hash && !content_b64) {
            ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_FAILED, "DATA_HASH_MISMATCH",
                                         C_HASH, "the signed content differs from SM3 of "
                                                 "Signature.xml"));
        } else if (sd.has_content || how) {
            ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_PASSED, "", C_HASH,
                                         "%s", sd.has_content ? "the signed content is SM3 of "
                                                                "Signature.xml"
                                                              : "the signature binds "
                                                                "Signature.xml directly"));
        } else if (usable) {
            ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_FAILED, "DATA_HASH_MISMATCH",
                                         C_HASH, "no signed attributes, and the signature "
                                                 "verifies over no form of Signature.xml: it "
                                                 "was changed after signing, or the signature "
                                                 "is broken"));
        } else {
            ES_GUARD_GOTO(es_entry_check(e, "data_hash", ES_CHECK_INDETERMINATE,
                                         "NO_SIGNER_CERTIFICATE", C_HASH,
                                         "the data binding cannot be checked"));
        }
        if (!usable) {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_INDETERMINATE,
                                         c ? "UNSUPPORTED_ALGORITHM" : "NO_SIGNER_CERTIFICATE",
                                         C_SIG, "the signature cannot be checked"));
        } else if (!how) {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_FAILED, "SIGNATURE_INVALID",
                                         C_SIG, "the SM2 signature does not verify"));
        } else {
            ES_GUARD_GOTO(es_entry_check(e, "signature", ES_CHECK_PASSED, "", C_SIG,
                                         "SM2/SM3 signature %s is valid (no signed attributes)",
                                         how));
        }
    }
    if (sq) {
        ES_GUARD_GOTO(es_entry_warn(e, "Q-SIG-1", "the SM2 signature is not canonical DER "
                                                  "(quirk bits 0x%x)",
                                    sq));
        if (prof == ES_PROFILE_STRICT) {
            ES_GUARD_GOTO(es_entry_check(e, "signature_encoding", ES_CHECK_FAILED,
                                         "SIGNATURE_ENCODING", C_SIG,
                                         "the signature is not DER (strict profile)"));
        }
    }
out:
    es_buf_free(&b64);
    es_cert_free(c);
    return res;
}

es_result es_ofd_verify_sign_into(es_report *r, const es_verify_opts *o, es_profile prof,
                                  const char *id, const uint8_t *val, size_t val_len,
                                  const uint8_t *xml, size_t xml_len, const char *sig_time_text,
                                  struct es_entry **out)
{
    enum es_blob_kind k = es_blob_detect(val, val_len, NULL);
    struct es_entry *e;
    ES_GUARD(es_report_add(r, id, k == ES_BLOB_BARE_SM2 ? "sm2-signature" : "gbt35275-signature",
                           &e));
    *out = e;
    snprintf(e->time_source, sizeof(e->time_source), "unknown");
    if (k == ES_BLOB_BARE_SM2) {
        return bare_sm2(e);
    }
    if (k != ES_BLOB_GBT35275) {
        return es_entry_check(e, "structure", ES_CHECK_FAILED, "UNKNOWN_SIGNATURE_FORMAT",
                              ES_OFD_C_SIGN,
                              "the signature value is neither GB/T 35275 SignedData nor an "
                              "SM2 signature");
    }
    return signed_data(e, o, prof, val, val_len, xml, xml_len, sig_time_text);
}
