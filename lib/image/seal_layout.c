/*
 * lib/image/seal_layout.c - where everything goes on a seal picture.
 *
 * Units are millimetres, y points down, the origin is the picture's top-left
 * corner. Every length is proportional to the seal's size: `u` is one
 * millimetre of the reference seal (42 mm round, 40x30 mm oval, 20 mm square),
 * so a 38 mm finance seal is the 42 mm drawing scaled by 38/42.
 *
 * Reference proportions (after the public specimen rules, see
 * docs/seal-pictures.md): round 42 mm: border 1.2 mm, star 14 mm across,
 * name characters 6.6 mm high on the upper arc over at most 250 degrees;
 * oval 40x30 mm: border 1.0 mm; square 20 mm: border 1.1 mm.
 *
 * Text on an arc: characters are centred at equal arc-length steps along an
 * ellipse (a circle for round seals) and stand on its normal. The step is the
 * natural pitch (widened for short names) or, when the name does not fit,
 * the available arc divided by the count; the glyphs are then narrowed until
 * neighbouring cells no longer touch at their inner edge, which is where an
 * arc is tightest. Straight lines (kind, code) get the room left between the
 * name's cells and the border, and are narrowed to fit it.
 */
#include <math.h>

#include "image/image_int.h"

#define MAX_OPS ((size_t)4 * 1024 * 1024)
#define DEG (M_PI / 180.0)

/* ---- drawing storage ---- */

void es_seal_drawing_init(struct es_seal_drawing *d) { memset(d, 0, sizeof(*d)); }

void es_seal_drawing_free(struct es_seal_drawing *d)
{
    if (!d) {
        return;
    }
    es_free(d->ops);
    es_free(d->shape_end);
    es_free(d->glyphs);
    memset(d, 0, sizeof(*d));
}

static es_result grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return ES_RESULT_OK;
    }
    ES_ENSURE_MSG(need <= MAX_OPS, ES_ERR_LIMIT_SIZE, "the seal drawing is too complex");
    size_t nc = *cap ? *cap * 2 : 256;
    while (nc < need) {
        nc *= 2;
    }
    void *np = es_realloc(*p, nc * elem);
    ES_ENSURE(np, ES_ERR_NOMEM);
    *p = np;
    *cap = nc;
    return ES_RESULT_OK;
}

es_result es_seal_path_add(struct es_seal_drawing *d, uint8_t op, const double *xs, const double *ys,
                           int npts)
{
    ES_GUARD(grow((void **)&d->ops, &d->cap_ops, d->n_ops + 1, sizeof(*d->ops)));
    struct es_path_op *o = &d->ops[d->n_ops++];
    memset(o, 0, sizeof(*o));
    o->op = op;
    for (int i = 0; i < npts && i < 3; i++) {
        o->x[i] = xs[i];
        o->y[i] = ys[i];
    }
    return ES_RESULT_OK;
}

es_result es_seal_shape_end(struct es_seal_drawing *d)
{
    size_t start = d->n_shapes ? d->shape_end[d->n_shapes - 1] : 0;
    if (d->n_ops == start) {
        return ES_RESULT_OK;
    }
    ES_GUARD(grow((void **)&d->shape_end, &d->cap_shapes, d->n_shapes + 1,
                  sizeof(*d->shape_end)));
    d->shape_end[d->n_shapes++] = d->n_ops;
    return ES_RESULT_OK;
}

/* ---- glyph placement ---- */

/* Metrics of one line of text. */
struct line {
    struct es_seal_glyph_metrics m[ES_SEAL_NAME_MAX];
    size_t n;
    double max_adv;
};

static es_result line_load(struct es_seal_font *f, const struct es_seal_text *t, struct line *out)
{
    out->n = t->n;
    out->max_adv = 0;
    for (size_t i = 0; i < t->n; i++) {
        ES_GUARD(es_seal_font_metrics(f, t->cp[i], &out->m[i]));
        if (out->m[i].adv > out->max_adv) {
            out->max_adv = out->m[i].adv;
        }
    }
    return ES_RESULT_OK;
}

static void corners(const struct es_seal_affine *m, double x0, double y0, double x1, double y1,
                    double out[4][2])
{
    const double xs[4] = {x0, x1, x1, x0};
    const double ys[4] = {y0, y0, y1, y1};
    for (int i = 0; i < 4; i++) {
        out[i][0] = m->a * xs[i] + m->b * ys[i] + m->e;
        out[i][1] = m->c * xs[i] + m->d * ys[i] + m->f;
    }
}

/* Places a glyph: its em box, `cell_h` mm high and sx mm per font unit wide,
 * centred on (cx, cy) and turned by `angle` (clockwise, y down). */
static es_result place(struct es_seal_drawing *d, struct es_seal_font *f,
                       const struct es_seal_glyph_metrics *gm, uint32_t cp, int line, double cx,
                       double cy, double angle, double sx, double sy)
{
    double co = cos(angle);
    double si = sin(angle);
    double mid = (f->asc + f->desc) / 2;
    /* font (fx, fy up) -> local (u, v down) -> picture */
    struct es_seal_affine m = {
        .a = co * sx,
        .b = si * sy,
        .e = cx - co * sx * gm->adv / 2 - si * sy * mid,
        .c = si * sx,
        .d = -co * sy,
        .f = cy - si * sx * gm->adv / 2 + co * sy * mid,
    };
    ES_GUARD(grow((void **)&d->glyphs, &d->cap_glyphs, d->n_glyphs + 1, sizeof(*d->glyphs)));
    struct es_seal_glyph *g = &d->glyphs[d->n_glyphs++];
    memset(g, 0, sizeof(*g));
    g->cp = cp;
    g->line = line;
    g->cx = cx;
    g->cy = cy;
    g->angle = angle;
    g->sx = sx;
    g->sy = sy;
    corners(&m, 0, f->desc, gm->adv, f->asc, g->cell);
    g->has_ink = gm->has_ink;
    if (gm->has_ink) {
        corners(&m, gm->xmin, gm->ymin, gm->xmax, gm->ymax, g->ink);
    } else {
        for (int i = 0; i < 4; i++) {
            g->ink[i][0] = cx;
            g->ink[i][1] = cy;
        }
    }
    return es_seal_font_outline(f, gm->gid, &m, d);
}

/* ---- text along an ellipse ---- */

#define ARC_SAMPLES 2048

struct arc {
    double cx, cy; /* ellipse centre */
    double a, b;   /* semi-axes of the line through the cells' centres */
    bool bottom;   /* lower arc: glyphs stand towards the centre */
    double t_max;  /* cells stay within parameter -t_max..t_max */
    double s[ARC_SAMPLES + 1];
};

static void arc_point(const struct arc *arc, double t, double *x, double *y, double *angle)
{
    double st = sin(t);
    double ct = cos(t);
    *x = arc->cx + arc->a * st;
    if (!arc->bottom) {
        *y = arc->cy - arc->b * ct;
        *angle = atan2(st / arc->a, ct / arc->b);
    } else {
        *y = arc->cy + arc->b * ct;
        *angle = atan2(-st / arc->a, ct / arc->b);
    }
}

static void arc_init(struct arc *arc)
{
    /* cumulative arc length over -t_max..t_max (trapezoids) */
    double dt = 2 * arc->t_max / ARC_SAMPLES;
    double prev = 0;
    arc->s[0] = 0;
    for (int i = 0; i <= ARC_SAMPLES; i++) {
        double t = -arc->t_max + i * dt;
        double v = hypot(arc->a * cos(t), arc->b * sin(t));
        if (i > 0) {
            arc->s[i] = arc->s[i - 1] + (prev + v) / 2 * dt;
        }
        prev = v;
    }
}

static double arc_t_at(const struct arc *arc, double s)
{
    size_t lo = 0;
    size_t hi = ARC_SAMPLES;
    if (s <= 0) {
        return -arc->t_max;
    }
    if (s >= arc->s[ARC_SAMPLES]) {
        return arc->t_max;
    }
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (arc->s[mid] <= s) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    double dt = 2 * arc->t_max / ARC_SAMPLES;
    double f = (s - arc->s[lo]) / (arc->s[hi] - arc->s[lo]);
    return -arc->t_max + ((double)lo + f) * dt;
}

/* Text along an arc. h: cell height; aspect: natural width / height of a
 * full-width character; gap: space between cells as a share of their width;
 * spread: how much wider than natural short texts may be spaced. Sets
 * *out_compress to the narrowing applied. */
static es_result arc_text(struct es_seal_drawing *d, struct es_seal_font *f, struct arc *arc,
                          const struct es_seal_text *t, const struct line *ln, int line_id,
                          double h, double aspect, double gap, double spread,
                          double *out_compress)
{
    size_t n = t->n;
    double sy = h / (f->asc - f->desc);
    double sx_nat = sy * aspect * (f->upem / (f->asc - f->desc));
    double w_nat = ln->max_adv * sx_nat;
    arc_init(arc);
    double total_len = arc->s[ARC_SAMPLES];
    double step = fmin(total_len / (double)n, w_nat * (1 + gap) * spread);
    double s0 = total_len / 2 - step * (double)n / 2;

    double px[ES_SEAL_NAME_MAX];
    double py[ES_SEAL_NAME_MAX];
    double pa[ES_SEAL_NAME_MAX];
    for (size_t i = 0; i < n; i++) {
        double tt = arc_t_at(arc, s0 + ((double)i + 0.5) * step);
        arc_point(arc, tt, &px[i], &py[i], &pa[i]);
    }
    /* Narrowest gap between neighbours, at the cells' inner edges. */
    double chord = INFINITY;
    for (size_t i = 0; i + 1 < n; i++) {
        double x0 = px[i] - h / 2 * sin(pa[i]);
        double y0 = py[i] + h / 2 * cos(pa[i]);
        double x1 = px[i + 1] - h / 2 * sin(pa[i + 1]);
        double y1 = py[i + 1] + h / 2 * cos(pa[i + 1]);
        if (arc->bottom) {
            /* on a lower arc the cells' inner edge is their top */
            x0 = px[i] + h / 2 * sin(pa[i]);
            y0 = py[i] - h / 2 * cos(pa[i]);
            x1 = px[i + 1] + h / 2 * sin(pa[i + 1]);
            y1 = py[i + 1] - h / 2 * cos(pa[i + 1]);
        }
        chord = fmin(chord, hypot(x1 - x0, y1 - y0));
    }
    double w_max = chord / (1 + fmin(gap, 0.08));
    double compress = w_nat <= w_max ? 1.0 : w_max / w_nat;
    ES_ENSURE_MSG(compress > 0.05, ES_ERR_USAGE_ARG,
                  "the text does not fit on the seal even when compressed");
    for (size_t i = 0; i < n; i++) {
        ES_GUARD(place(d, f, &ln->m[i], t->cp[i], line_id, px[i], py[i], pa[i],
                       sx_nat * compress, sy));
    }
    *out_compress = compress;
    return ES_RESULT_OK;
}

/* ---- straight lines ---- */

/* How far from x = 0 a horizontal band y0..y1 may extend before meeting any
 * cell placed so far (the cells lie to the sides of the band's middle). */
static double band_room(const struct es_seal_drawing *d, double mid_x, double y0, double y1)
{
    double room = INFINITY;
    for (size_t g = 0; g < d->n_glyphs; g++) {
        const double(*c)[2] = d->glyphs[g].cell;
        double xmin = INFINITY;
        double xmax = -INFINITY;
        bool hit = false;
        for (int i = 0; i < 4; i++) {
            const double *p = c[i];
            const double *q = c[(i + 1) % 4];
            if (p[1] >= y0 && p[1] <= y1) {
                xmin = fmin(xmin, p[0]);
                xmax = fmax(xmax, p[0]);
                hit = true;
            }
            const double ys[2] = {y0, y1};
            for (int k = 0; k < 2; k++) {
                double yy = ys[k];
                if ((p[1] - yy) * (q[1] - yy) < 0) {
                    double x = p[0] + (q[0] - p[0]) * (yy - p[1]) / (q[1] - p[1]);
                    xmin = fmin(xmin, x);
                    xmax = fmax(xmax, x);
                    hit = true;
                }
            }
        }
        if (!hit) {
            continue;
        }
        if (xmin > mid_x) {
            room = fmin(room, xmin - mid_x);
        } else if (xmax < mid_x) {
            room = fmin(room, mid_x - xmax);
        } else {
            room = 0;
        }
    }
    return room;
}

/* Half-width of an ellipse (semi-axes a, b) at distance dy from its centre. */
static double ellipse_half(double a, double b, double dy)
{
    double r = 1 - (dy / b) * (dy / b);
    return r > 0 ? a * sqrt(r) : 0;
}

/* A horizontal line of text centred on (cx, cy), at most 2 * half_room wide. */
static es_result straight_text(struct es_seal_drawing *d, struct es_seal_font *f,
                               const struct es_seal_text *t, const struct line *ln, int line_id,
                               double cx, double cy, double h, double aspect, double gap,
                               double half_room)
{
    size_t n = t->n;
    double sy = h / (f->asc - f->desc);
    double sx_nat = sy * aspect * (f->upem / (f->asc - f->desc));
    double pitch = ln->max_adv * sx_nat * (1 + gap);
    double total = pitch * (double)n - ln->max_adv * sx_nat * gap;
    double compress = total <= 2 * half_room ? 1.0 : 2 * half_room / total;
    ES_ENSURE_MSG(compress > 0.05, ES_ERR_USAGE_ARG,
                  "a line of text does not fit on the seal even when compressed");
    pitch *= compress;
    total *= compress;
    double w_cell = ln->max_adv * sx_nat * compress;
    for (size_t i = 0; i < n; i++) {
        double x = cx - total / 2 + w_cell / 2 + (double)i * pitch;
        ES_GUARD(place(d, f, &ln->m[i], t->cp[i], line_id, x, cy, 0, sx_nat * compress, sy));
    }
    return ES_RESULT_OK;
}

/* ---- lines of text on a seal ---- */

/* How a line of text is set: cell height; natural width / height of a
 * full-width character; space between cells as a share of their width;
 * (arcs) how much wider than natural short texts may be spaced. */
struct text_style {
    double h;
    double aspect;
    double gap;
    double spread;
};

/* Text t along the arc of semi-axes a, b around (arc->cx, arc->cy), on its
 * upper or (bottom) lower half, within parameter -t_max..t_max; ln is
 * scratch. Sets *out_compress as arc_text does. */
static es_result text_on_arc(struct es_seal_drawing *d, struct es_seal_font *f, struct arc *arc,
                             struct line *ln, const struct es_seal_text *t, int line_id,
                             const struct text_style *s, double a, double b, bool bottom,
                             double t_max, double *out_compress)
{
    arc->a = a;
    arc->b = b;
    arc->bottom = bottom;
    arc->t_max = t_max;
    ES_GUARD(line_load(f, t, ln));
    return arc_text(d, f, arc, t, ln, line_id, s->h, s->aspect, s->gap, s->spread, out_compress);
}

/* Text t on a horizontal line centred on (cx, y), inside the ellipse of
 * semi-axes a, b around (cx, cy) and `margin` clear of the cells placed so
 * far; ln is scratch. */
static es_result text_in_band(struct es_seal_drawing *d, struct es_seal_font *f, struct line *ln,
                              const struct es_seal_text *t, int line_id,
                              const struct text_style *s, double cx, double cy, double a,
                              double b, double y, double margin)
{
    double y0 = y - s->h / 2;
    double y1 = y + s->h / 2;
    double room = fmin(ellipse_half(a, b, y1 - cy), band_room(d, cx, y0, y1) - margin);
    ES_GUARD(line_load(f, t, ln));
    return straight_text(d, f, t, ln, line_id, cx, y, s->h, s->aspect, s->gap, room);
}

/* ---- the star ---- */

static es_result star(struct es_seal_drawing *d, double cx, double cy, double r)
{
    /* regular pentagram: inner radius = r * sin 18 / sin 54 */
    double ri = r * sin(18 * DEG) / sin(54 * DEG);
    for (int k = 0; k < 10; k++) {
        double ang = (-90.0 + 36.0 * k) * DEG;
        double rr = (k % 2) ? ri : r;
        double x = cx + rr * cos(ang);
        double y = cy + rr * sin(ang);
        ES_GUARD(es_seal_path_add(d, k ? ES_PATH_LINE : ES_PATH_MOVE, &x, &y, 1));
    }
    ES_GUARD(es_seal_path_add(d, ES_PATH_CLOSE, NULL, NULL, 0));
    ES_GUARD(es_seal_shape_end(d));
    d->has_star = true;
    d->star_r = r;
    return ES_RESULT_OK;
}

/* ---- shapes ---- */

/* Long names keep their top edge and lose some height so that the glyphs
 * need less narrowing (a 40-character name is 72% as tall as a short one). */
static double name_height(double h0, size_t n)
{
    if (n <= 13) {
        return h0;
    }
    return h0 * fmax(0.72, sqrt(13.0 / (double)n));
}

static es_result layout_round(const struct es_seal_prepared *p, struct es_seal_font *f,
                              struct es_seal_drawing *d, struct line *ln, struct arc *arc)
{
    double D = p->w_mm;
    double R = D / 2;
    double u = D / 42.0;
    double cx = R;
    double cy = R;
    bool has_kind = p->kind.n > 0;
    bool has_code = p->code.n > 0;
    d->border = ES_BORDER_ELLIPSE;
    d->border_w = 1.2 * u;
    d->rx = d->ry = R - d->border_w / 2;
    double inner = R - d->border_w; /* inner edge of the ring */

    /* The star: 14 mm across on a 42 mm seal, a little smaller above a kind. */
    ES_GUARD(star(d, cx, cy, (has_kind ? 6.2 : 7.0) * u));

    /* The name along the upper arc, reading left to right. */
    double name_span = has_kind ? 230.0 : 250.0;
    double h = name_height(6.6 * u, p->name.n);
    double rc = inner - 0.9 * u - h / 2;
    arc->cx = cx;
    arc->cy = cy;
    const struct text_style name_style = {h, 0.8, 0.15, 1.5};
    ES_GUARD(text_on_arc(d, f, arc, ln, &p->name, ES_SEAL_LINE_NAME, &name_style, rc, rc,
                         false, name_span / 2 * DEG, &d->name_compress));
    d->name_height = h;

    /* The code along the lower arc, in the room the name leaves. */
    double code_inner = inner;
    if (has_code) {
        double hc = 2.4 * u;
        double rcc = inner - 0.6 * u - hc / 2;
        double free_half = 180.0 - name_span / 2 - 8.0;
        double cmp = 1;
        const struct text_style code_style = {hc, 0.85, 0.3, 1.0};
        ES_GUARD(text_on_arc(d, f, arc, ln, &p->code, ES_SEAL_LINE_CODE, &code_style, rcc,
                             rcc, true, fmin(45.0, free_half) * DEG, &cmp));
        code_inner = rcc - hc / 2;
    }

    /* The kind on a straight line under the star. */
    if (has_kind) {
        const struct text_style kind_style = {4.6 * u, 0.9, 0.12, 0};
        double lim = code_inner - 0.6 * u;
        ES_GUARD(text_in_band(d, f, ln, &p->kind, ES_SEAL_LINE_KIND, &kind_style, cx, cy, lim,
                              lim, cy + 10.4 * u, 0.8 * u));
    }
    return ES_RESULT_OK;
}

static es_result layout_oval(const struct es_seal_prepared *p, struct es_seal_font *f,
                             struct es_seal_drawing *d, struct line *ln, struct arc *arc)
{
    double W = p->w_mm;
    double H = p->h_mm;
    double u = fmin(W / 40.0, H / 30.0);
    double cx = W / 2;
    double cy = H / 2;
    d->border = ES_BORDER_ELLIPSE;
    d->border_w = 1.0 * u;
    d->rx = W / 2 - d->border_w / 2;
    d->ry = H / 2 - d->border_w / 2;
    double ia = W / 2 - d->border_w;
    double ib = H / 2 - d->border_w;

    /* The name along the upper arc. */
    double h = name_height(4.8 * u, p->name.n);
    arc->cx = cx;
    arc->cy = cy;
    const struct text_style name_style = {h, 0.8, 0.15, 1.5};
    ES_GUARD(text_on_arc(d, f, arc, ln, &p->name, ES_SEAL_LINE_NAME, &name_style,
                         ia - 0.7 * u - h / 2, ib - 0.7 * u - h / 2, false, 106.0 * DEG,
                         &d->name_compress));
    d->name_height = h;
    double la = ia - 0.6 * u;
    double lb = ib - 0.6 * u;

    /* The code (taxpayer number) on the middle line. */
    if (p->code.n) {
        const struct text_style code_style = {3.2 * u, 0.8, 0.15, 0};
        ES_GUARD(text_in_band(d, f, ln, &p->code, ES_SEAL_LINE_CODE, &code_style, cx, cy, la,
                              lb, cy + 0.4 * u, 0.8 * u));
    }
    /* The kind ("发票专用章") on the lower line. */
    if (p->kind.n) {
        const struct text_style kind_style = {4.4 * u, 0.9, 0.12, 0};
        ES_GUARD(text_in_band(d, f, ln, &p->kind, ES_SEAL_LINE_KIND, &kind_style, cx, cy, la,
                              lb, cy + 7.6 * u, 0.8 * u));
    }
    return ES_RESULT_OK;
}

static es_result layout_square(const struct es_seal_prepared *p, struct es_seal_font *f,
                               struct es_seal_drawing *d, struct line *ln)
{
    double S = p->w_mm;
    double u = S / 20.0;
    d->border = ES_BORDER_RECT;
    d->border_w = 1.1 * u;
    d->rx = d->ry = S / 2 - d->border_w / 2;
    double pad = 0.8 * u;
    double gap = 0.6 * u;
    double x0 = d->border_w + pad;
    double box = S - 2 * x0;
    double col_w = (box - gap) / 2;
    double row_h = (box - gap) / 2;
    ES_GUARD(line_load(f, &p->name, ln));
    /* Seal order: columns from right to left, each read top to bottom.
     * 2 characters: one per column; 3: the first (the surname) fills the
     * right column; 4: a 2x2 grid. cells[i] = column, row, rows spanned. */
    static const int grid[3][4][3] = {
        {{1, 0, 2}, {0, 0, 2}},
        {{1, 0, 2}, {0, 0, 1}, {0, 1, 1}},
        {{1, 0, 1}, {1, 1, 1}, {0, 0, 1}, {0, 1, 1}},
    };
    size_t n = p->name.n;
    for (size_t i = 0; i < n; i++) {
        const int *c = grid[n - 2][i];
        double cw = col_w;
        double ch = c[2] == 2 ? box : row_h;
        double gx = x0 + c[0] * (col_w + gap) + cw / 2;
        double gy = x0 + c[1] * (row_h + gap) + ch / 2;
        double sy = ch / (f->asc - f->desc);
        double sx = cw / ln->m[i].adv;
        ES_GUARD(place(d, f, &ln->m[i], p->name.cp[i], ES_SEAL_LINE_NAME, gx, gy, 0, sx, sy));
    }
    d->name_height = row_h;
    d->name_compress = 1;
    return ES_RESULT_OK;
}

es_result es_seal_layout(const struct es_seal_prepared *p, struct es_seal_font *font,
                         struct es_seal_drawing *out)
{
    es_seal_drawing_init(out);
    out->shape = p->shape;
    out->w_mm = p->w_mm;
    out->h_mm = p->h_mm;
    es_result res = ES_RESULT_OK;
    /* scratch for the layouts: one line's metrics; an arc's length table
     * (the curved shapes) */
    struct arc *arc = NULL;
    struct line *ln = es_calloc(1, sizeof(*ln));
    if (!ln) {
        ES_FAIL_GOTO(ES_ERR_NOMEM, "%s", es_strerror(ES_ERR_NOMEM));
    }
    if (p->shape != ES_SEAL_SHAPE_SQUARE) {
        arc = es_calloc(1, sizeof(*arc));
        if (!arc) {
            ES_FAIL_GOTO(ES_ERR_NOMEM, "out of memory");
        }
    }
    switch (p->shape) {
    case ES_SEAL_SHAPE_ROUND:
        res = layout_round(p, font, out, ln, arc);
        break;
    case ES_SEAL_SHAPE_OVAL:
        res = layout_oval(p, font, out, ln, arc);
        break;
    case ES_SEAL_SHAPE_SQUARE:
        res = layout_square(p, font, out, ln);
        break;
    default:
        res = es_error_set(ES_ERR_USAGE_ARG, __FILE__, __LINE__, "unknown seal shape");
        break;
    }
out:
    es_free(arc);
    es_free(ln);
    if (es_is_err(res)) {
        es_seal_drawing_free(out);
    }
    return res;
}
