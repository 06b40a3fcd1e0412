/*
 * lib/doc/ofd/ofd_checks.c - the package-level checks of one OFD signature
 * (ofd-signature.md §8 steps 2, 3, 5, 7, 8, 9): References recomputed over
 * the raw entry bytes, what the signature leaves unprotected, Seal.esl
 * against the embedded seal, and the StampAnnots' pages and geometry.
 */
#include <stdio.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "doc/ofd/ofd_verify_int.h"
#include "seal/seal_int.h"

#define MAX_NOTES 20

/* Appends "; item" to a fixed detail buffer, marking truncation once. */
static void add_item(char *buf, size_t cap, size_t *count, const char *fmt, const char *s,
                     const char *t)
{
    size_t l = strlen(buf);
    (*count)++;
    if (l + 8 >= cap) {
        return;
    }
    char item[300];
    snprintf(item, sizeof(item), fmt, s, t ? t : "");
    if (l + strlen(item) + 8 >= cap) {
        snprintf(buf + l, cap - l, "%s...", l ? "; " : "");
        buf[cap - 2] = '\0';
        return;
    }
    snprintf(buf + l, cap - l, "%s%s", l ? "; " : "", item);
}

static const struct es_ofd_entry *lookup(const struct es_ofd_pkg *pkg, const char *path,
                                         bool *nocase)
{
    *nocase = false;
    if (!path) {
        return NULL;
    }
    const struct es_ofd_entry *f = es_ofd_pkg_find(pkg, path);
    if (!f) {
        f = es_ofd_pkg_find_nocase(pkg, path);
        *nocase = f != NULL;
    }
    return f;
}

void es_ofd_want_references(const struct es_ofd_pkg *pkg, const struct es_ofd_sigstate *all,
                            size_t n)
{
    es_ofd_pkg_want_sm3(pkg, NULL, false);
    for (size_t i = 0; i < n; i++) {
        const struct es_ofd_sigstate *s = &all[i];
        if (!s->have_desc || es_ofd_check_method(s->d.check_method) != ES_OFD_CM_SM3) {
            continue;
        }
        for (size_t k = 0; k < s->d.n_refs; k++) {
            bool nocase;
            const struct es_ofd_entry *ent = lookup(pkg, s->d.refs[k].path, &nocase);
            if (ent && ent != s->xml_entry && ent != s->value_entry) {
                es_ofd_pkg_want_sm3(pkg, ent, true);
            }
        }
    }
}

es_result es_ofd_check_references(struct es_entry *e, const struct es_ofd_pkg *pkg,
                                  const struct es_ofd_sigstate *s, const char *list_path,
                                  const es_cert *signer, bool *out_locked)
{
    const struct es_ofd_sigdesc *d = &s->d;
    enum es_ofd_check_method cm = es_ofd_check_method(d->check_method);
    *out_locked = false;
    if (cm == ES_OFD_CM_MISSING) {
        /* the schema default would be MD5, which no seal may rely on */
        return es_entry_check(e, "references", ES_CHECK_FAILED, "CHECK_METHOD_MISSING",
                              ES_OFD_C_REFS, "References has no CheckMethod (MD5 by the schema "
                                             "default): refused for a seal");
    }
    if (cm == ES_OFD_CM_OTHER) {
        return es_entry_check(e, "references", ES_CHECK_INDETERMINATE,
                              "CHECK_METHOD_UNSUPPORTED", ES_OFD_C_REFS,
                              "CheckMethod '%s' is not SM3; the digests were not checked",
                              d->check_method);
    }
    const struct es_sm2_pub *pub = signer ? es_cert_pub(signer) : NULL;
    if (cm == ES_OFD_CM_SM3_Z && !pub) {
        return es_entry_check(e, "references", ES_CHECK_INDETERMINATE, "NO_SIGNER_CERTIFICATE",
                              ES_OFD_C_REFS,
                              "CheckMethod 1.2.156.10197.1.401.2 (SM3 with the signer's Z) "
                              "needs the signer's SM2 certificate, which is unreadable");
    }
    if (d->n_refs == 0) {
        return es_entry_check(e, "references", ES_CHECK_FAILED, "NO_REFERENCES", ES_OFD_C_REFS,
                              "the signature protects no file");
    }
    if (strcmp(d->check_method, "1.2.156.10197.1.401") != 0) {
        ES_GUARD(es_entry_warn(e, "O-7", "CheckMethod written as '%s'", d->check_method));
    }
    char changed[400] = "", missing[400] = "", bad[400] = "", self[400] = "";
    size_t n_changed = 0, n_missing = 0, n_bad = 0, n_self = 0, n_notes = 0;
    for (size_t i = 0; i < d->n_refs; i++) {
        const struct es_ofd_ref *f = &d->refs[i];
        const char *shown = f->file_ref ? f->file_ref : "(no FileRef)";
        bool nocase;
        const struct es_ofd_entry *ent = lookup(pkg, f->path, &nocase);
        if (!ent) {
            add_item(missing, sizeof(missing), &n_missing, "%s%s", shown, NULL);
            if (n_notes++ < MAX_NOTES) {
                ES_GUARD(es_entry_warn(e, "REF-MISSING", "%.180s: no such file", shown));
            }
            continue;
        }
        if (nocase) {
            ES_GUARD(es_entry_warn(e, "O-CASE", "%.80s matched '%.80s' only ignoring case",
                                   shown, ent->name));
        }
        if (ent == s->xml_entry || ent == s->value_entry) {
            add_item(self, sizeof(self), &n_self, "%s%s", shown, NULL);
            continue;
        }
        if (list_path && strcmp(ent->name, list_path) == 0) {
            *out_locked = true;
        }
        if (!f->value_ok || f->value_len != 32) {
            add_item(bad, sizeof(bad), &n_bad, "%s%s", shown, NULL);
            continue;
        }
        uint8_t h[32];
        ES_GUARD(es_ofd_pkg_sm3(pkg, ent, cm == ES_OFD_CM_SM3_Z ? pub->z : NULL, h));
        if (!es_ct_equal(h, f->value, 32)) {
            add_item(changed, sizeof(changed), &n_changed, "%s%s", shown, NULL);
            if (n_notes++ < MAX_NOTES) {
                ES_GUARD(es_entry_warn(e, "REF-CHANGED",
                                       "%.180s was changed after signing (SM3 differs)", shown));
            }
        }
    }
    if (n_changed) {
        return es_entry_check(e, "references", ES_CHECK_FAILED, "REFERENCE_MISMATCH",
                              ES_OFD_C_REFS, "%zu of %zu protected file(s) changed after "
                                             "signing: %s",
                              n_changed, d->n_refs, changed);
    }
    if (n_missing) {
        return es_entry_check(e, "references", ES_CHECK_FAILED, "REFERENCE_MISSING",
                              ES_OFD_C_REFS, "%zu of %zu protected file(s) are missing: %s",
                              n_missing, d->n_refs, missing);
    }
    if (n_bad) {
        return es_entry_check(e, "references", ES_CHECK_FAILED, "CHECK_VALUE_MALFORMED",
                              ES_OFD_C_REFS, "%zu CheckValue(s) are not base64 SM3 digests: %s",
                              n_bad, bad);
    }
    if (n_self) {
        return es_entry_check(e, "references", ES_CHECK_FAILED, "SELF_REFERENCE", ES_OFD_C_REFS,
                              "the signature claims to protect its own description or value "
                              "(impossible when genuine): %s",
                              self);
    }
    return es_entry_check(e, "references", ES_CHECK_PASSED, "", ES_OFD_C_REFS,
                          "all %zu protected files match their %s CheckValue", d->n_refs,
                          cm == ES_OFD_CM_SM3_Z ? "SM3(Z||data)" : "SM3");
}

/* What a file is, and whether drawing the pages depends on it. */
static const char *classify(const char *name, bool *render)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    *render = true;
    if (strcmp(name, "OFD.xml") == 0) {
        return "entry file";
    }
    if (strstr(name, "/Signs/") || strncmp(base, "Sign", 4) == 0 ||
        (dot && strcasecmp(dot, ".esl") == 0) || strstr(base, "Value.dat")) {
        *render = false;
        return "signature data";
    }
    if (strcmp(base, "Document.xml") == 0) {
        return "document root";
    }
    if (strcasestr(name, "/Tpls/") || strcasestr(name, "/Temps/") || strcasestr(name, "/Tpl_")) {
        return "template";
    }
    if (strcasestr(name, "/Pages/")) {
        return "page content";
    }
    if (strcasestr(name, "/Annots/")) {
        return "annotation";
    }
    if (strcmp(base, "PublicRes.xml") == 0 || strcmp(base, "DocumentRes.xml") == 0) {
        return "resource list";
    }
    if (dot && (strcasecmp(dot, ".ttf") == 0 || strcasecmp(dot, ".otf") == 0 ||
                strcasecmp(dot, ".ttc") == 0)) {
        return "font";
    }
    if (dot && (strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".jpg") == 0 ||
                strcasecmp(dot, ".jpeg") == 0 || strcasecmp(dot, ".gif") == 0 ||
                strcasecmp(dot, ".bmp") == 0 || strcasecmp(dot, ".tif") == 0 ||
                strcasecmp(dot, ".svg") == 0 || strcasecmp(dot, ".jb2") == 0)) {
        return "image";
    }
    if (strcasestr(name, "/Attachs/")) {
        *render = false;
        return "attachment";
    }
    if (strcasestr(name, "/Res/")) {
        return "resource";
    }
    *render = false;
    return "other";
}

static void mark(bool *v, const struct es_ofd_pkg *pkg, const struct es_ofd_entry *ent)
{
    if (ent) {
        v[ent - pkg->e] = true;
    }
}

es_result es_ofd_check_coverage(struct es_entry *e, const struct es_ofd_pkg *pkg,
                                const struct es_ofd_sigstate *all, size_t n, size_t i,
                                const char *const *lists, size_t n_lists)
{
    const struct es_ofd_sigstate *s = &all[i];
    bool *cov = es_calloc(pkg->n + 1, sizeof(bool));
    bool *skip = es_calloc(pkg->n + 1, sizeof(bool));
    es_result res = ES_RESULT_OK;
    if (!cov || !skip) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
    }
    for (size_t k = 0; k < s->d.n_refs; k++) {
        bool nocase;
        mark(cov, pkg, lookup(pkg, s->d.refs[k].path, &nocase));
    }
    mark(skip, pkg, s->xml_entry);
    mark(skip, pkg, s->value_entry);
    for (size_t k = 0; k < n_lists; k++) {
        mark(skip, pkg, lists[k] ? es_ofd_pkg_find(pkg, lists[k]) : NULL);
    }
    /* files of signatures made later (their directory, their value and seal) */
    for (size_t j = i + 1; j < n; j++) {
        mark(skip, pkg, all[j].xml_entry);
        mark(skip, pkg, all[j].value_entry);
        mark(skip, pkg, all[j].seal_entry);
        if (!all[j].xml_entry) {
            continue;
        }
        char dir[ES_OFD_MAX_PATH], ldir[ES_OFD_MAX_PATH] = "";
        es_ofd_dirname(all[j].xml_entry->name, dir, sizeof(dir));
        if (n_lists && lists[0]) {
            es_ofd_dirname(lists[0], ldir, sizeof(ldir));
        }
        size_t dl = strlen(dir);
        if (dl == 0 || strcmp(dir, ldir) == 0) {
            continue;
        }
        for (size_t k = 0; k < pkg->n; k++) {
            if (strncmp(pkg->e[k].name, dir, dl) == 0 && pkg->e[k].name[dl] == '/') {
                skip[k] = true;
            }
        }
    }
    char det[400] = "", rest[400] = "";
    size_t n_unc = 0, n_render = 0, n_files = 0, dummy = 0;
    for (size_t k = 0; k < pkg->n; k++) {
        if (pkg->e[k].is_dir) {
            continue;
        }
        n_files++;
        if (cov[k] || skip[k]) {
            continue;
        }
        bool render;
        const char *what = classify(pkg->e[k].name, &render);
        n_unc++;
        if (render) {
            n_render++;
            add_item(det, sizeof(det), &dummy, "/%s (%s)", pkg->e[k].name, what);
        } else {
            add_item(rest, sizeof(rest), &dummy, "/%s (%s)", pkg->e[k].name, what);
        }
    }
    if (n_unc == 0) {
        ES_GUARD_GOTO(es_entry_check(e, "coverage", ES_CHECK_PASSED, "", ES_OFD_C_COVER,
                                     "every file of the package is protected or belongs to "
                                     "the signature machinery (%zu files)",
                                     n_files));
    } else {
        ES_GUARD_GOTO(es_entry_check(e, "coverage", ES_CHECK_WARNING, "UNPROTECTED_FILES",
                                     ES_OFD_C_COVER,
                                     "%zu file(s) not protected by this signature, %zu of them "
                                     "used to draw the pages%s%s%s%s",
                                     n_unc, n_render, det[0] ? ": " : "", det,
                                     rest[0] ? (det[0] ? "; also " : ": ") : "", rest));
    }
out:
    es_free(cov);
    es_free(skip);
    return res;
}

es_result es_ofd_check_seal_file(struct es_entry *e, const struct es_ofd_sigstate *s,
                                 const uint8_t *p, size_t n, const uint8_t *val,
                                 size_t val_len, es_profile prof)
{
    if (!s->d.seal_loc) {
        return ES_RESULT_OK;
    }
    if (!s->seal_entry) {
        return es_entry_check(e, "seal_file", ES_CHECK_FAILED, "SEAL_FILE_MISSING",
                              ES_OFD_C_SEALFILE, "Seal/BaseLoc '%s' names no file",
                              s->d.seal_loc);
    }
    if (es_blob_detect(val, val_len, NULL) != ES_BLOB_SES_SIGNATURE) {
        return es_entry_check(e, "seal_file", ES_CHECK_WARNING, "NO_EMBEDDED_SEAL",
                              ES_OFD_C_SEALFILE,
                              "Seal/BaseLoc is given but the signature value holds no seal to "
                              "compare it with");
    }
    ES_ENSURE_REF(p);
    struct es_signature g;
    es_result pr = es_signature_parse(&g, val, val_len, prof);
    es_result res = ES_RESULT_OK;
    if (es_is_err(pr)) {
        es_error_clear();
        res = es_entry_check(e, "seal_file", ES_CHECK_INDETERMINATE, "SIGNATURE_UNREADABLE",
                             ES_OFD_C_SEALFILE,
                             "the signature value cannot be decoded to compare the seal");
    } else {
        bool same = g.seal.tlv.len == n && memcmp(g.seal.tlv.ptr, p, n) == 0;
        /* ofd-signature.md §8.5: compare raw TLV bytes, never a re-encoding */
        res = same ? es_entry_check(e, "seal_file", ES_CHECK_PASSED, "", ES_OFD_C_SEALFILE,
                                    "/%s is byte-identical to the seal inside the signature",
                                    s->seal_entry->name)
                   : es_entry_check(e, "seal_file", ES_CHECK_FAILED, "SEAL_FILE_MISMATCH",
                                    ES_OFD_C_SEALFILE,
                                    "/%s (%zu bytes) differs from the seal inside the "
                                    "signature (%zu bytes)",
                                    s->seal_entry->name, n, g.seal.tlv.len);
        es_signature_clear(&g);
    }
    return res;
}

es_result es_ofd_check_stamps(struct es_entry *e, const struct es_ofd_sigstate *s,
                              const struct es_ofd_document *doc, bool doc_ok,
                              const uint8_t *val, size_t val_len, es_profile prof)
{
    const struct es_ofd_sigdesc *d = &s->d;
    if (d->n_stamps == 0) {
        return es_entry_check(e, "stamp_annot", ES_CHECK_PASSED, "", ES_OFD_C_STAMP,
                              "no StampAnnot: the signature has no visible appearance");
    }
    char probs[400] = "";
    size_t n_probs = 0;
    for (size_t i = 0; i < d->n_stamps; i++) {
        const struct es_ofd_stamp *st = &d->stamps[i];
        const char *sid = st->id ? st->id : "?";
        bool found = false;
        for (size_t p = 0; doc_ok && st->page_ref && p < doc->n_pages && !found; p++) {
            found = doc->pages[p].id && strcmp(doc->pages[p].id, st->page_ref) == 0;
        }
        if (doc_ok && !found) {
            char m[160];
            snprintf(m, sizeof(m), "StampAnnot %.20s: PageRef '%.40s' is no page ID", sid,
                     st->page_ref ? st->page_ref : "");
            add_item(probs, sizeof(probs), &n_probs, "%s%s", m, NULL);
        }
        if (!st->boundary_ok || st->boundary[2] <= 0 || st->boundary[3] <= 0) {
            add_item(probs, sizeof(probs), &n_probs, "StampAnnot %.20s: bad Boundary%s", sid,
                     NULL);
        }
        if (st->has_clip && (!st->clip_ok || st->clip[2] <= 0 || st->clip[3] <= 0)) {
            add_item(probs, sizeof(probs), &n_probs, "StampAnnot %.20s: bad Clip%s", sid, NULL);
        }
        for (size_t j = 0; j < i; j++) {
            if (st->id && d->stamps[j].id && strcmp(st->id, d->stamps[j].id) == 0) {
                ES_GUARD(es_entry_warn(e, "O-11", "StampAnnot ID '%.40s' used twice", st->id));
                break;
            }
        }
    }
    if (es_blob_detect(val, val_len, NULL) == ES_BLOB_SES_SIGNATURE) {
        struct es_signature g;
        if (es_is_ok(es_signature_parse(&g, val, val_len, prof))) {
            if (g.seal.pic_data.len == 0) {
                add_item(probs, sizeof(probs), &n_probs, "the seal has no picture to show%s%s",
                         "", NULL);
            }
            es_signature_clear(&g);
        }
        es_error_clear();
    }
    if (n_probs) {
        return es_entry_check(e, "stamp_annot", ES_CHECK_WARNING, "STAMP_ANNOT", ES_OFD_C_STAMP,
                              "%s", probs);
    }
    return es_entry_check(e, "stamp_annot", ES_CHECK_PASSED, "", ES_OFD_C_STAMP,
                          "%zu StampAnnot(s) on existing pages%s", d->n_stamps,
                          doc_ok ? "" : " (pages not checked: Document.xml unreadable)");
}

es_result es_ofd_note_orphans(struct es_entry *e, const struct es_ofd_pkg *pkg,
                              const struct es_ofd_sigstate *all, size_t n)
{
    size_t notes = 0;
    for (size_t k = 0; k < pkg->n && notes < MAX_NOTES; k++) {
        const struct es_ofd_entry *f = &pkg->e[k];
        if (f->is_dir) {
            continue;
        }
        bool used = false;
        for (size_t j = 0; j < n && !used; j++) {
            used = f == all[j].xml_entry || f == all[j].value_entry || f == all[j].seal_entry;
            if (!used && all[j].xml_entry) {
                char dir[ES_OFD_MAX_PATH];
                es_ofd_dirname(all[j].xml_entry->name, dir, sizeof(dir));
                size_t dl = strlen(dir);
                used = dl && strncmp(f->name, dir, dl) == 0 && f->name[dl] == '/';
            }
        }
        if (used) {
            continue;
        }
        const char *base = strrchr(f->name, '/');
        base = base ? base + 1 : f->name;
        bool in_sign_dir = strstr(f->name, "/Sign_") != NULL;
        bool value_file = strstr(base, "Value.dat") != NULL;
        if (in_sign_dir || value_file) {
            notes++;
            ES_GUARD(es_entry_warn(e, "O-ORPHAN",
                                   "/%.160s is signature data that no list entry uses", f->name));
        }
    }
    return ES_RESULT_OK;
}
