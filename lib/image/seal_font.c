/*
 * lib/image/seal_font.c - the seal font, opened by file path with FreeType.
 *
 * Seal pictures must not depend on what fontconfig finds on a machine, and a
 * missing character must be an error rather than a silent fallback to some
 * other font (Pango's behaviour). So the font is opened by path, the face is
 * chosen by family name (in NotoSerifCJK-Bold.ttc face 0 is JP, whose glyph
 * forms differ from the simplified Chinese ones; SC is face 2), and glyphs
 * are taken as unhinted outlines in font units, which the layout transforms
 * and both outputs (PNG, SVG) fill. Each call opens its own FT_Library, so
 * there is no shared state between threads.
 */
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_TRUETYPE_TABLES_H

#include "image/image_int.h"

#define DEFAULT_FAMILY "Noto Serif CJK SC"

static bool family_is_sc(const char *family)
{
    size_t n = family ? strlen(family) : 0;
    return n >= 3 && strcmp(family + n - 3, " SC") == 0;
}

void es_seal_font_close(struct es_seal_font *f)
{
    if (!f) {
        return;
    }
    if (f->face) {
        FT_Done_Face((FT_Face)f->face);
    }
    if (f->lib) {
        FT_Done_FreeType((FT_Library)f->lib);
    }
    f->face = NULL;
    f->lib = NULL;
}

es_result es_seal_font_open(const char *path, struct es_seal_font *out)
{
    es_result res = ES_RESULT_OK;
    FT_Library lib = NULL;
    FT_Face face = NULL;
    bool is_default = !path;
    if (!path) {
        path = ES_SEAL_FONT_DEFAULT;
    }
    memset(out, 0, sizeof(*out));
    if (FT_Init_FreeType(&lib) != 0) {
        ES_BAIL_MSG(ES_ERR_NOMEM, "cannot initialise FreeType");
    }
    FT_Error fe = FT_New_Face(lib, path, 0, &face);
    if (fe != 0) {
        ES_FAIL_GOTO(ES_ERR_IO_OPEN,
                     "cannot open the seal font %s (FreeType error %d)%s", path, fe,
                     is_default ? "; install the Debian package fonts-noto-cjk" : "");
    }
    long n_faces = face->num_faces;
    if (!family_is_sc(face->family_name)) {
        for (long i = 1; i < n_faces && i < 64; i++) {
            FT_Face other = NULL;
            if (FT_New_Face(lib, path, i, &other) != 0) {
                continue;
            }
            if (family_is_sc(other->family_name)) {
                FT_Done_Face(face);
                face = other;
                break;
            }
            FT_Done_Face(other);
        }
    }
    /* Pango's trap: a fallback face looks fine until a reader compares forms. */
    if (is_default && (!face->family_name || strcmp(face->family_name, DEFAULT_FAMILY) != 0)) {
        ES_FAIL_GOTO(ES_ERR_IO_OPEN, "the seal font %s has no face \"%s\" (found \"%s\")", path,
                     DEFAULT_FAMILY, face->family_name ? face->family_name : "?");
    }
    if (!FT_IS_SCALABLE(face) || face->units_per_EM == 0) {
        ES_FAIL_GOTO(ES_ERR_IO_OPEN, "the seal font %s has no scalable outlines", path);
    }
    out->upem = face->units_per_EM;
    /* The ideographic em box: OS/2 typo metrics in CJK fonts (880/-120 in
     * Noto CJK); the hhea metrics include room for accents and are too tall. */
    const TT_OS2 *os2 = FT_Get_Sfnt_Table(face, FT_SFNT_OS2);
    if (os2 && os2->version != 0xFFFFu && os2->sTypoAscender > 0 &&
        os2->sTypoAscender - os2->sTypoDescender > 0) {
        out->asc = os2->sTypoAscender;
        out->desc = os2->sTypoDescender;
    } else {
        out->asc = out->upem * 0.88;
        out->desc = -out->upem * 0.12;
    }
    out->lib = lib;
    out->face = face;
    lib = NULL;
    face = NULL;
out:
    if (face) {
        FT_Done_Face(face);
    }
    if (lib) {
        FT_Done_FreeType(lib);
    }
    return res;
}

static es_result load_glyph(FT_Face face, uint32_t gid)
{
    FT_Error fe = FT_Load_Glyph(face, gid, FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP);
    ES_ENSURE_MSG(fe == 0 && face->glyph->format == FT_GLYPH_FORMAT_OUTLINE, ES_ERR_INTERNAL,
                  "cannot load glyph %u of the seal font (FreeType error %d)", (unsigned)gid, fe);
    return ES_RESULT_OK;
}

es_result es_seal_font_metrics(struct es_seal_font *f, uint32_t cp, struct es_seal_glyph_metrics *out)
{
    FT_Face face = f->face;
    FT_UInt gid = FT_Get_Char_Index(face, cp);
    ES_ENSURE_MSG(gid != 0, ES_ERR_USAGE_ARG, "the seal font has no glyph for U+%04X",
                  (unsigned)cp);
    ES_GUARD(load_glyph(face, gid));
    FT_BBox box;
    FT_Outline_Get_CBox(&face->glyph->outline, &box);
    out->gid = gid;
    out->adv = (double)face->glyph->advance.x;
    out->has_ink = face->glyph->outline.n_points > 0;
    out->xmin = (double)box.xMin;
    out->ymin = (double)box.yMin;
    out->xmax = (double)box.xMax;
    out->ymax = (double)box.yMax;
    if (out->adv <= 0) {
        out->adv = f->upem;
    }
    return ES_RESULT_OK;
}

struct decompose {
    struct es_seal_drawing *d;
    const struct es_seal_affine *m;
    double cx, cy; /* current point, font units */
    bool open;
    es_result res;
};

static void xf(const struct es_seal_affine *m, double x, double y, double *ox, double *oy)
{
    *ox = m->a * x + m->b * y + m->e;
    *oy = m->c * x + m->d * y + m->f;
}

static int emit(struct decompose *st, uint8_t op, const double *fx, const double *fy, int n)
{
    double xs[3] = {0, 0, 0};
    double ys[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        xf(st->m, fx[i], fy[i], &xs[i], &ys[i]);
    }
    st->res = es_seal_path_add(st->d, op, xs, ys, n);
    return es_is_ok(st->res) ? 0 : 1;
}

static int cb_move(const FT_Vector *to, void *user)
{
    struct decompose *st = user;
    if (st->open && emit(st, ES_PATH_CLOSE, NULL, NULL, 0) != 0) {
        return 1;
    }
    double x = (double)to->x;
    double y = (double)to->y;
    st->cx = x;
    st->cy = y;
    st->open = true;
    return emit(st, ES_PATH_MOVE, &x, &y, 1);
}

static int cb_line(const FT_Vector *to, void *user)
{
    struct decompose *st = user;
    double x = (double)to->x;
    double y = (double)to->y;
    st->cx = x;
    st->cy = y;
    return emit(st, ES_PATH_LINE, &x, &y, 1);
}

static int cb_conic(const FT_Vector *c, const FT_Vector *to, void *user)
{
    /* quadratic to cubic: control points at 2/3 towards the conic's control */
    struct decompose *st = user;
    double qx = (double)c->x;
    double qy = (double)c->y;
    double ex = (double)to->x;
    double ey = (double)to->y;
    double xs[3] = {st->cx + 2.0 / 3.0 * (qx - st->cx), ex + 2.0 / 3.0 * (qx - ex), ex};
    double ys[3] = {st->cy + 2.0 / 3.0 * (qy - st->cy), ey + 2.0 / 3.0 * (qy - ey), ey};
    st->cx = ex;
    st->cy = ey;
    return emit(st, ES_PATH_CURVE, xs, ys, 3);
}

static int cb_cubic(const FT_Vector *c1, const FT_Vector *c2, const FT_Vector *to, void *user)
{
    struct decompose *st = user;
    double xs[3] = {(double)c1->x, (double)c2->x, (double)to->x};
    double ys[3] = {(double)c1->y, (double)c2->y, (double)to->y};
    st->cx = xs[2];
    st->cy = ys[2];
    return emit(st, ES_PATH_CURVE, xs, ys, 3);
}

es_result es_seal_font_outline(struct es_seal_font *f, uint32_t gid, const struct es_seal_affine *m,
                               struct es_seal_drawing *d)
{
    FT_Face face = f->face;
    ES_GUARD(load_glyph(face, gid));
    if (face->glyph->outline.n_points == 0) {
        return ES_RESULT_OK;
    }
    static const FT_Outline_Funcs funcs = {
        .move_to = cb_move,
        .line_to = cb_line,
        .conic_to = cb_conic,
        .cubic_to = cb_cubic,
        .shift = 0,
        .delta = 0,
    };
    struct decompose st = {.d = d, .m = m, .open = false, .res = ES_RESULT_OK};
    FT_Error fe = FT_Outline_Decompose(&face->glyph->outline, &funcs, &st);
    ES_GUARD(st.res);
    ES_ENSURE_MSG(fe == 0, ES_ERR_INTERNAL, "cannot decompose glyph %u (FreeType error %d)",
                  (unsigned)gid, fe);
    if (st.open) {
        ES_GUARD(es_seal_path_add(d, ES_PATH_CLOSE, NULL, NULL, 0));
    }
    return es_seal_shape_end(d);
}
