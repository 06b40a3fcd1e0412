/*
 * lib/doc/ofd/ofd_write.c - the XML written when signing (ofd-signature.md
 * §5.4): Signature.xml in schema order with the conventional "ofd" prefix,
 * absolute paths, CheckMethod/SignatureMethod as OIDs and a UTC
 * SignatureDateTime; the signature list, new or with one entry appended;
 * and OFD.xml with its DocBody/Signatures element added by inserting bytes,
 * never by re-serialising (nothing else in OFD.xml changes).
 */
#include <libxml/parser.h>
#include <stdio.h>

#include "doc/ofd/ofd_sign_int.h"

#define HDR "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* Millimetres with at most 3 decimals, no trailing zeros ("202", "8.5"). */
static void num(double v, char out[32])
{
    if (v > -0.0005 && v < 0.0005) {
        v = 0;
    }
    snprintf(out, 32, "%.3f", v);
    char *comma = strchr(out, ','); /* a host program's LC_NUMERIC */
    if (comma) {
        *comma = '.';
    }
    char *dot = strchr(out, '.');
    if (dot) {
        char *e = out + strlen(out) - 1;
        while (e > dot && *e == '0') {
            *e-- = '\0';
        }
        if (e == dot) {
            *e = '\0';
        }
    }
}

static es_result box(struct es_buf *b, const char *attr, const double v[4])
{
    char n[4][32];
    for (int i = 0; i < 4; i++) {
        num(v[i], n[i]);
    }
    return es_buf_printf(b, " %s=\"%s %s %s %s\"", attr, n[0], n[1], n[2], n[3]);
}

es_result es_ofd_write_signature(struct es_buf *b, const struct es_ofd_newsig *s)
{
    ES_GUARD(es_buf_printf(b, HDR "<ofd:Signature xmlns:ofd=\"%s\">\n<ofd:SignedInfo>\n", ES_OFD_NS));
    ES_GUARD(es_buf_printf(b, "<ofd:Provider ProviderName=\"eseal\" Version=\"%s\" "
                              "Company=\"eseal\"/>\n",
                           es_version()));
    ES_GUARD(es_buf_printf(b, "<ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod>\n"
                              "<ofd:SignatureDateTime>%s</ofd:SignatureDateTime>\n",
                           s->time_text));
    ES_GUARD(es_buf_printf(b, "<ofd:References CheckMethod=\"1.2.156.10197.1.401\">\n"));
    for (size_t i = 0; i < s->n_refs; i++) {
        ES_GUARD(es_buf_printf(b, "<ofd:Reference FileRef=\"/"));
        ES_GUARD(es_ofd_xml_escape(b, s->refs[i].name));
        ES_GUARD(es_buf_printf(b, "\"><ofd:CheckValue>"));
        ES_GUARD(es_ofd_b64_encode(b, s->refs[i].digest, 32));
        ES_GUARD(es_buf_printf(b, "</ofd:CheckValue></ofd:Reference>\n"));
    }
    ES_GUARD(es_buf_printf(b, "</ofd:References>\n"));
    for (size_t i = 0; i < s->n_stamps; i++) {
        const struct es_ofd_newstamp *st = &s->stamps[i];
        ES_GUARD(es_buf_printf(b, "<ofd:StampAnnot ID=\""));
        ES_GUARD(es_ofd_xml_escape(b, st->id));
        ES_GUARD(es_buf_printf(b, "\" PageRef=\""));
        ES_GUARD(es_ofd_xml_escape(b, st->page_id));
        ES_GUARD(es_buf_printf(b, "\""));
        ES_GUARD(box(b, "Boundary", st->boundary));
        if (st->has_clip) {
            ES_GUARD(box(b, "Clip", st->clip));
        }
        ES_GUARD(es_buf_printf(b, "/>\n"));
    }
    ES_GUARD(es_buf_printf(b, "<ofd:Seal><ofd:BaseLoc>"));
    ES_GUARD(es_ofd_xml_escape(b, s->seal_path));
    ES_GUARD(es_buf_printf(b, "</ofd:BaseLoc></ofd:Seal>\n</ofd:SignedInfo>\n<ofd:SignedValue>"));
    ES_GUARD(es_ofd_xml_escape(b, s->value_path));
    return es_buf_printf(b, "</ofd:SignedValue>\n</ofd:Signature>\n");
}

static es_result list_entry(struct es_buf *b, const char *id, const char *base_loc)
{
    ES_GUARD(es_buf_printf(b, "<ofd:Signature ID=\""));
    ES_GUARD(es_ofd_xml_escape(b, id));
    ES_GUARD(es_buf_printf(b, "\" Type=\"Seal\" BaseLoc=\""));
    ES_GUARD(es_ofd_xml_escape(b, base_loc));
    return es_buf_printf(b, "\"/>\n");
}

es_result es_ofd_write_new_list(struct es_buf *b, const char *max_id, const char *id,
                                const char *base_loc)
{
    ES_GUARD(es_buf_printf(b, HDR "<ofd:Signatures xmlns:ofd=\"%s\">\n<ofd:MaxSignId>", ES_OFD_NS));
    ES_GUARD(es_ofd_xml_escape(b, max_id));
    ES_GUARD(es_buf_printf(b, "</ofd:MaxSignId>\n"));
    ES_GUARD(list_entry(b, id, base_loc));
    return es_buf_printf(b, "</ofd:Signatures>\n");
}

es_result es_ofd_write_list_append(const uint8_t *p, size_t n, const char *what,
                                   const es_ofd_limits *lim, const char *max_id, const char *id,
                                   const char *base_loc, struct es_buf *out)
{
    /* The list is not protected (unless locked, and then we never get here),
     * so it may be re-serialised; libxml2 keeps namespaces and other entries. */
    xmlDoc *x = NULL;
    bool refused;
    ES_GUARD(es_ofd_xml_parse(p, n, what, lim, &x, &refused));
    es_result res = ES_RESULT_OK;
    xmlChar *mem = NULL;
    xmlNode *root = xmlDocGetRootElement(x);
    xmlNs *ns = root->ns;
    xmlNode *last_sig = NULL;
    bool have_max = false;
    for (xmlNode *c = root->children; c; c = c->next) {
        if (es_ofd_xml_is(c, "MaxSignId")) {
            xmlNodeSetContent(c, (const xmlChar *)max_id); /* O-8: all copies agree */
            have_max = true;
        } else if (es_ofd_xml_is(c, "Signature")) {
            last_sig = c;
        }
    }
    if (!have_max) {
        xmlNode *m = xmlNewDocNode(x, ns, (const xmlChar *)"MaxSignId", (const xmlChar *)max_id);
        if (!m) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
        if (root->children) {
            xmlAddPrevSibling(root->children, m);
        } else {
            xmlAddChild(root, m);
        }
    }
    xmlNode *s = xmlNewDocNode(x, ns, (const xmlChar *)"Signature", NULL);
    if (!s || !xmlSetProp(s, (const xmlChar *)"ID", (const xmlChar *)id) ||
        !xmlSetProp(s, (const xmlChar *)"Type", (const xmlChar *)"Seal") ||
        !xmlSetProp(s, (const xmlChar *)"BaseLoc", (const xmlChar *)base_loc)) {
        xmlFreeNode(s);
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    if (last_sig) {
        xmlAddNextSibling(last_sig, s);
    } else {
        xmlAddChild(root, s);
    }
    int len = 0;
    xmlDocDumpMemoryEnc(x, &mem, &len, "UTF-8");
    if (!mem || len <= 0) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "cannot serialise %s", what);
    }
    ES_GUARD_GOTO(es_buf_append(out, mem, (size_t)len));
out:
    xmlFree(mem);
    xmlFreeDoc(x);
    return res;
}

es_result es_ofd_write_main_with_list(const uint8_t *p, size_t n, const es_ofd_limits *lim,
                                      const char *loc, struct es_buf *out)
{
    xmlDoc *x = NULL;
    bool refused;
    ES_GUARD(es_ofd_xml_parse(p, n, "OFD.xml", lim, &x, &refused));
    xmlNode *body = es_ofd_xml_child(xmlDocGetRootElement(x), "DocBody");
    char close[128];
    const xmlChar *pre = body && body->ns ? body->ns->prefix : NULL;
    snprintf(close, sizeof(close), "</%s%sDocBody", pre ? (const char *)pre : "", pre ? ":" : "");
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%s%s", pre ? (const char *)pre : "", pre ? ":" : "");
    bool have_body = body != NULL;
    xmlFreeDoc(x);
    ES_ENSURE_MSG(have_body, ES_ERR_FORMAT_STRUCTURE, "OFD.xml has no DocBody");
    /* the first "</prefix:DocBody" followed by optional blanks and '>' */
    size_t cl = strlen(close), at = n;
    for (size_t i = 0; i + cl <= n && at == n; i++) {
        if (memcmp(p + i, close, cl) != 0) {
            continue;
        }
        size_t j = i + cl;
        while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r' || p[j] == '\n')) {
            j++;
        }
        if (j < n && p[j] == '>') {
            at = i;
        }
    }
    ES_ENSURE_MSG(at < n, ES_ERR_FORMAT_STRUCTURE, "OFD.xml: the end of DocBody was not found");
    ES_GUARD(es_buf_append(out, p, at));
    ES_GUARD(es_buf_printf(out, "<%sSignatures>", prefix));
    ES_GUARD(es_ofd_xml_escape(out, loc));
    ES_GUARD(es_buf_printf(out, "</%sSignatures>", prefix));
    ES_GUARD(es_buf_append(out, p + at, n - at));
    /* the result must still be OFD.xml with the list as DocBody's last child */
    ES_GUARD(es_ofd_xml_parse(out->ptr, out->len, "OFD.xml (with the signature list)", lim, &x,
                              &refused));
    body = es_ofd_xml_child(xmlDocGetRootElement(x), "DocBody");
    xmlNode *last = NULL;
    for (xmlNode *c = body ? body->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            last = c;
        }
    }
    bool ok = es_ofd_xml_is(last, "Signatures");
    if (ok) {
        char *t = es_ofd_xml_text(last);
        ok = t && strcmp(t, loc) == 0;
        es_free(t);
    }
    xmlFreeDoc(x);
    ES_ENSURE_MSG(ok, ES_ERR_FORMAT_STRUCTURE,
                  "OFD.xml: the signature list could not be added to the first DocBody");
    return ES_RESULT_OK;
}
