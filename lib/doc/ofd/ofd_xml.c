/*
 * lib/doc/ofd/ofd_xml.c - the one place OFD XML is parsed.
 *
 * libxml2 is driven with XML_PARSE_NONET only (plus silencing its stderr
 * output); NOENT, DTDLOAD, DTDATTR and HUGE are never set (dependencies.md
 * §4). OFD files never need a DTD, so any DOCTYPE is refused the moment the
 * parser sees it, before a single declaration is read: that closes external
 * entities (XXE) and entity expansion (billion laughs) alike. Element depth
 * is counted by wrapping the SAX2 callbacks, so an over-deep document stops
 * the parser instead of being built.
 */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "doc/ofd/ofd_int.h"

struct guard {
    unsigned depth;
    unsigned max_depth;
    bool dtd;
    bool too_deep;
    char err[200];
    startElementNsSAX2Func start;
    endElementNsSAX2Func end;
};

static locale_t c_numeric;
static void xml_init_once(void)
{
    xmlInitParser();
    c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

double es_ofd_strtod(const char *s, char **end)
{
    /* OFD numbers use '.', whatever LC_NUMERIC the host program chose */
    es_ofd_xml_init();
    return c_numeric ? strtod_l(s, end, c_numeric) : strtod(s, end);
}

void es_ofd_xml_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, xml_init_once);
}

static struct guard *guard_of(void *ctx)
{
    xmlParserCtxtPtr c = ctx;
    return c->_private;
}

static void on_subset(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name;
    (void)ext;
    (void)sys;
    guard_of(ctx)->dtd = true;
    xmlStopParser(ctx);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
                           const xmlChar *sys, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)pub;
    (void)sys;
    (void)content;
    guard_of(ctx)->dtd = true;
    xmlStopParser(ctx);
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                     int nb_ns, const xmlChar **ns, int nb_attr, int nb_def,
                     const xmlChar **attrs)
{
    struct guard *g = guard_of(ctx);
    if (++g->depth > g->max_depth) {
        g->too_deep = true;
        xmlStopParser(ctx);
        return;
    }
    g->start(ctx, local, prefix, uri, nb_ns, ns, nb_attr, nb_def, attrs);
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    struct guard *g = guard_of(ctx);
    if (g->depth > 0) {
        g->depth--;
    }
    g->end(ctx, local, prefix, uri);
}

static void on_error(void *ctx, xmlErrorPtr e)
{
    xmlParserCtxtPtr c = ctx;
    struct guard *g = c ? c->_private : NULL;
    if (g && !g->err[0] && e && e->message) {
        snprintf(g->err, sizeof(g->err), "line %d: %s", e->line, e->message);
        size_t l = strlen(g->err);
        while (l > 0 && (g->err[l - 1] == '\n' || g->err[l - 1] == ' ')) {
            g->err[--l] = '\0';
        }
    }
}

es_result es_ofd_xml_parse(const uint8_t *p, size_t n, const char *what, const es_ofd_limits *lim,
                           xmlDoc **out, bool *out_refused)
{
    *out = NULL;
    *out_refused = false;
    es_ofd_limits l;
    es_ofd_limits_fill(&l, lim);
    if (n > l.max_xml_size || n > (size_t)INT32_MAX) {
        *out_refused = true;
        ES_BAIL_MSG(ES_ERR_LIMIT_SIZE, "%s: %zu bytes of XML, over the limit of %zu bytes", what,
                    n, l.max_xml_size);
    }
    ES_ENSURE_MSG(n > 0, ES_ERR_FORMAT_STRUCTURE, "%s: empty file, not XML", what);
    es_ofd_xml_init();
    xmlParserCtxtPtr c = xmlCreateMemoryParserCtxt((const char *)p, (int)n);
    ES_ENSURE(c, ES_ERR_NOMEM);
    struct guard g;
    memset(&g, 0, sizeof(g));
    g.max_depth = l.max_xml_depth;
    xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    c->_private = &g;
    g.start = c->sax->startElementNs;
    g.end = c->sax->endElementNs;
    c->sax->startElementNs = on_start;
    c->sax->endElementNs = on_end;
    c->sax->internalSubset = on_subset;
    c->sax->externalSubset = on_subset;
    c->sax->entityDecl = on_entity_decl;
    c->sax->serror = on_error;
    c->sax->error = NULL;
    c->sax->warning = NULL;
    c->sax->fatalError = NULL;
    int rc = xmlParseDocument(c);
    xmlDoc *doc = c->myDoc;
    bool ok = rc == 0 && c->wellFormed && doc && !g.dtd && !g.too_deep;
    c->myDoc = NULL;
    xmlFreeParserCtxt(c);
    if (ok && !xmlDocGetRootElement(doc)) {
        ok = false;
    }
    if (ok) {
        *out = doc;
        return ES_RESULT_OK;
    }
    if (doc) {
        xmlFreeDoc(doc);
    }
    if (g.dtd) {
        *out_refused = true;
        ES_BAIL_MSG(ES_ERR_FORMAT,
                    "%s: the XML has a DOCTYPE (DTD or entity declarations): refused", what);
    }
    if (g.too_deep) {
        *out_refused = true;
        ES_BAIL_MSG(ES_ERR_LIMIT_DEPTH, "%s: XML elements nest deeper than the limit of %u",
                    what, l.max_xml_depth);
    }
    ES_BAIL_MSG(ES_ERR_FORMAT_STRUCTURE, "%s: malformed XML (%s)", what,
                g.err[0] ? g.err : "no root element");
}

bool es_ofd_xml_is(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && n->name &&
           strcmp((const char *)n->name, local) == 0;
}

xmlNode *es_ofd_xml_child(const xmlNode *parent, const char *local)
{
    if (!parent) {
        return NULL;
    }
    for (xmlNode *c = parent->children; c; c = c->next) {
        if (es_ofd_xml_is(c, local)) {
            return c;
        }
    }
    return NULL;
}

xmlNode *es_ofd_xml_next(const xmlNode *after, const char *local)
{
    for (xmlNode *c = after ? after->next : NULL; c; c = c->next) {
        if (es_ofd_xml_is(c, local)) {
            return c;
        }
    }
    return NULL;
}

static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) {
        n--;
    }
    return es_strndup(s, n);
}

char *es_ofd_xml_text(const xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    char *r = trimmed(t ? (const char *)t : "");
    xmlFree(t);
    return r;
}

char *es_ofd_xml_attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v) {
        return NULL;
    }
    char *r = trimmed((const char *)v);
    xmlFree(v);
    return r;
}

int es_ofd_parse_numbers(const char *s, double *out, int max)
{
    int k = 0;
    if (!s) {
        return -1;
    }
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == ',') {
            s++;
        }
        if (!*s) {
            return k;
        }
        if (k == max) {
            return -1;
        }
        char *end;
        double v = es_ofd_strtod(s, &end);
        if (end == s || v != v || v > 1e9 || v < -1e9) {
            return -1;
        }
        out[k++] = v;
        s = end;
    }
}

es_result es_ofd_xml_escape(struct es_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': ES_GUARD(es_buf_append(b, "&amp;", 5)); break;
        case '<': ES_GUARD(es_buf_append(b, "&lt;", 4)); break;
        case '>': ES_GUARD(es_buf_append(b, "&gt;", 4)); break;
        case '"': ES_GUARD(es_buf_append(b, "&quot;", 6)); break;
        case '\'': ES_GUARD(es_buf_append(b, "&apos;", 6)); break;
        default: ES_GUARD(es_buf_append_byte(b, (uint8_t)*s)); break;
        }
    }
    return ES_RESULT_OK;
}
