/*
 * draw: the display list's shapes as triangles for SDL_RenderGeometry.
 *
 * Circles, rings and thick lines are drawn exactly by disc.c.  Every
 * other filled shape becomes a closed outline (a rounded rectangle's
 * perimeter, a polygon's points), drawn as
 *   - a body: the outline moved 0.5 px inwards, triangulated, drawn without
 *     blending when opaque (the software renderer blends each triangle
 *     through a temporary surface, so unblended bodies are much cheaper);
 *   - a fringe: a 1 px band across the outline fading from the colour to
 *     transparent, which smooths the edges.
 * Bodies of convex outlines are cut into horizontal zig-zag strips, not
 * fans: the software rasteriser scans each triangle's bounding box, and a
 * fan's long thin triangles have huge boxes.  Concave polygons are cut by
 * ear clipping.  All of it is plain float arithmetic in a fixed order, so
 * the same frame gives the same pixels.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "display_private.h"
#include "log.h"

#define DRAW_PI            3.14159265358979323846f
#define DRAW_ARC_TOLERANCE 0.1f /* px between an arc and its chords: invisible */
#define DRAW_MIN_ARC       12   /* segments per full circle at least */
#define DRAW_MAX_ARC       256  /* and at most */
#define DRAW_MAX_OUTLINE   (DRAW_MAX_ARC + 8)
#define DRAW_MITER_LIMIT   3.0f /* the fringe of a sharp corner stays short */

struct vec {
    float x, y;
};

/* ---- meshes ---- */

/* Room for `vertices` more vertices and the indices of indices / 3 more
 * triangles (with their separators: see mesh_triangle). */
static bool mesh_reserve(struct draw_mesh *m, int vertices, int indices)
{
    indices *= 2;
    if (m->vertex_count + vertices > m->vertex_cap) {
        int cap = (m->vertex_count + vertices) * 2;
        SDL_Vertex *v = realloc(m->vertices, (size_t)cap * sizeof *v);
        if (v == NULL)
            return false;
        m->vertices = v;
        m->vertex_cap = cap;
    }
    if (m->index_count + indices > m->index_cap) {
        int cap = (m->index_count + indices) * 2;
        int *ix = realloc(m->indices, (size_t)cap * sizeof *ix);
        if (ix == NULL)
            return false;
        m->indices = ix;
        m->index_cap = cap;
    }
    return true;
}

/* SDL 2.26's software triangles truncate vertex positions to whole pixels
 * (and sample at pixel centres, as our coordinates do); adding 0.5 makes
 * the truncation a rounding, so a shape stays centred where it was put
 * (measured: a circle at 400 r 120 is symmetric about 400 with it, about
 * 399 without). */
#define DRAW_SAMPLE_SHIFT 0.5f

static int mesh_vertex(struct draw_mesh *m, struct vec p, SDL_Color c)
{
    m->vertices[m->vertex_count] =
        (SDL_Vertex){{p.x + DRAW_SAMPLE_SHIFT, p.y + DRAW_SAMPLE_SHIFT}, c, {0.0f, 0.0f}};
    return m->vertex_count++;
}

/* SDL 2.26's software path turns two consecutive triangles that share
 * coordinates into one filled rectangle, wrongly when they do not form one
 * (a rounded rectangle lost a sliver above its straight sides, a circle
 * grew a box).  An empty triangle between any two keeps them apart. */
static void mesh_triangle(struct draw_mesh *m, int a, int b, int c)
{
    if (m->index_count > 0) {
        m->indices[m->index_count++] = a;
        m->indices[m->index_count++] = a;
        m->indices[m->index_count++] = a;
    }
    m->indices[m->index_count++] = a;
    m->indices[m->index_count++] = b;
    m->indices[m->index_count++] = c;
}

void draw_buffers_free(struct draw_buffers *b)
{
    free(b->body.vertices);
    free(b->body.indices);
    free(b->fringe.vertices);
    free(b->fringe.indices);
    memset(b, 0, sizeof *b);
}

static bool mesh_render(SDL_Renderer *r, struct draw_mesh *m, SDL_BlendMode blend)
{
    if (m->index_count == 0)
        return true;
    SDL_SetRenderDrawBlendMode(r, blend);
    int rc = SDL_RenderGeometry(r, NULL, m->vertices, m->vertex_count, m->indices, m->index_count);
    m->vertex_count = 0;
    m->index_count = 0;
    if (rc != 0) {
        log_error("draw: SDL_RenderGeometry: %s", SDL_GetError());
        return false;
    }
    return true;
}

/* Renders what the shape's outlines added: body first, fringe over it. */
static bool buffers_render(SDL_Renderer *r, struct draw_buffers *b, SDL_Color c)
{
    if (b->failed) {
        log_error("draw: out of memory for a shape's vertices; shape skipped");
        b->failed = false;
        b->body.vertex_count = b->body.index_count = 0;
        b->fringe.vertex_count = b->fringe.index_count = 0;
        return true; /* not a renderer error: the frame goes on */
    }
    bool ok = mesh_render(r, &b->body, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    return mesh_render(r, &b->fringe, SDL_BLENDMODE_BLEND) && ok;
}

/* ---- geometry ---- */

static float cross(struct vec o, struct vec a, struct vec b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

static float outline_area2(const struct vec *p, int n)
{
    float a = 0.0f;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        a += p[i].x * p[j].y - p[j].x * p[i].y;
    }
    return a;
}

/* Drops repeated points (a zero-length edge has no normal) and orients the
 * outline so that its signed area is positive.  Returns the new count. */
static int outline_clean(struct vec *p, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (k > 0 && fabsf(p[i].x - p[k - 1].x) < 0.01f && fabsf(p[i].y - p[k - 1].y) < 0.01f)
            continue;
        p[k++] = p[i];
    }
    while (k > 1 && fabsf(p[0].x - p[k - 1].x) < 0.01f && fabsf(p[0].y - p[k - 1].y) < 0.01f)
        k--;
    if (outline_area2(p, k) < 0.0f) {
        for (int i = 0; i < k / 2; i++) {
            struct vec t = p[i];
            p[i] = p[k - 1 - i];
            p[k - 1 - i] = t;
        }
    }
    return k;
}

static struct vec edge_normal(struct vec a, struct vec b)
{
    float dx = b.x - a.x, dy = b.y - a.y;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-6f)
        return (struct vec){0.0f, 0.0f};
    return (struct vec){dy / len, -dx / len}; /* outwards for a positive area */
}

/* The offset at each vertex that moves both adjacent edges by 1 px
 * outwards (the miter), limited at sharp corners. */
static void outline_miters(const struct vec *p, int n, struct vec *miter)
{
    for (int i = 0; i < n; i++) {
        struct vec n0 = edge_normal(p[(i + n - 1) % n], p[i]);
        struct vec n1 = edge_normal(p[i], p[(i + 1) % n]);
        struct vec m = {(n0.x + n1.x) * 0.5f, (n0.y + n1.y) * 0.5f};
        float d = m.x * m.x + m.y * m.y;
        float scale = d > 1e-6f ? 1.0f / d : 0.0f;
        if (scale > DRAW_MITER_LIMIT)
            scale = DRAW_MITER_LIMIT;
        miter[i] = (struct vec){m.x * scale, m.y * scale};
    }
}

/* Horizontal zig-zag strips over a convex outline: both chains are walked
 * down from the topmost vertex, always advancing the higher one. */
static void body_convex(struct draw_mesh *m, int base, const struct vec *p, int n)
{
    int top = 0;
    for (int i = 1; i < n; i++)
        if (p[i].y < p[top].y)
            top = i;
    /* l, r: the next vertex of each chain as a step from top; the last
     * vertices used are l - 1 and r + 1.  At l == r one vertex is left. */
    mesh_triangle(m, base + top, base + (top + 1) % n, base + (top + n - 1) % n);
    int l = 2, r = n - 2;
    while (l <= r) {
        int il = (top + l) % n, ir = (top + r) % n;
        int ilp = (top + l - 1) % n, irp = (top + r + 1) % n;
        if (p[il].y <= p[ir].y) {
            mesh_triangle(m, base + ilp, base + il, base + irp);
            l++;
        } else {
            mesh_triangle(m, base + ilp, base + ir, base + irp);
            r--;
        }
    }
}

static bool point_in_triangle(struct vec p, struct vec a, struct vec b, struct vec c)
{
    return cross(a, b, p) >= 0.0f && cross(b, c, p) >= 0.0f && cross(c, a, p) >= 0.0f;
}

/* Is the corner at v[i] of the remaining outline an ear? */
static bool is_ear(const struct vec *p, const int *v, int count, int i)
{
    int a = v[(i + count - 1) % count], b = v[i], c = v[(i + 1) % count];
    if (cross(p[a], p[b], p[c]) <= 0.0f)
        return false; /* reflex or flat */
    for (int k = 0; k < count; k++) {
        int q = v[k];
        if (q == a || q == b || q == c)
            continue;
        if (point_in_triangle(p[q], p[a], p[b], p[c]))
            return false;
    }
    return true;
}

/* Ear clipping of a simple polygon with positive area (at most
 * DRAW_MAX_OUTLINE points).  A degenerate rest is cut as a fan rather than
 * looping forever. */
static void body_concave(struct draw_mesh *m, int base, const struct vec *p, int n)
{
    int v[DRAW_MAX_OUTLINE];
    for (int i = 0; i < n; i++)
        v[i] = i;
    int count = n;
    while (count > 3) {
        int ear = -1;
        for (int i = 0; i < count && ear < 0; i++)
            if (is_ear(p, v, count, i))
                ear = i;
        if (ear < 0)
            break;
        mesh_triangle(m, base + v[(ear + count - 1) % count], base + v[ear],
                      base + v[(ear + 1) % count]);
        memmove(&v[ear], &v[ear + 1], (size_t)(count - ear - 1) * sizeof v[0]);
        count--;
    }
    for (int i = 1; i + 1 < count; i++)
        mesh_triangle(m, base + v[0], base + v[i], base + v[i + 1]);
}

/* Adds one filled outline (any orientation; modified in place) to the
 * shape's meshes. */
static void outline_fill(struct draw_buffers *b, struct vec *p, int n, SDL_Color c, bool convex)
{
    n = outline_clean(p, n);
    if (n < 3 || n > DRAW_MAX_OUTLINE)
        return;
    struct vec miter[DRAW_MAX_OUTLINE];
    outline_miters(p, n, miter);
    if (!mesh_reserve(&b->body, n, 3 * n) || !mesh_reserve(&b->fringe, 2 * n, 6 * n)) {
        b->failed = true;
        return;
    }
    SDL_Color clear = {c.r, c.g, c.b, 0};
    int body = b->body.vertex_count, fringe = b->fringe.vertex_count;
    for (int i = 0; i < n; i++) {
        struct vec in = {p[i].x - 0.5f * miter[i].x, p[i].y - 0.5f * miter[i].y};
        struct vec out = {p[i].x + 0.5f * miter[i].x, p[i].y + 0.5f * miter[i].y};
        mesh_vertex(&b->body, in, c);
        mesh_vertex(&b->fringe, in, c);
        mesh_vertex(&b->fringe, out, clear);
    }
    /* The body is cut from the original outline's shape: insetting by half
     * a pixel keeps a simple polygon simple at the sizes we draw. */
    if (convex)
        body_convex(&b->body, body, p, n);
    else
        body_concave(&b->body, body, p, n);
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        int in0 = fringe + 2 * i, out0 = in0 + 1, in1 = fringe + 2 * j, out1 = in1 + 1;
        mesh_triangle(&b->fringe, in0, out0, out1);
        mesh_triangle(&b->fringe, in0, out1, in1);
    }
}

/* Segments for `turn` of a full circle of radius r: few enough to keep the
 * triangle count (the software renderer's cost) down, enough that no chord
 * strays DRAW_ARC_TOLERANCE px from the true arc. */
static int arc_segments(float radius, float turn)
{
    float full = DRAW_MIN_ARC;
    if (radius > DRAW_ARC_TOLERANCE)
        full = DRAW_PI / acosf(1.0f - DRAW_ARC_TOLERANCE / radius);
    if (full < DRAW_MIN_ARC)
        full = DRAW_MIN_ARC;
    if (full > DRAW_MAX_ARC)
        full = DRAW_MAX_ARC;
    int n = (int)ceilf(full * turn);
    return n < 2 ? 2 : n;
}

/* Appends the points of an arc (angles in radians, y down) to p. */
static int arc_points(struct vec *p, int k, struct vec c, float r, float a0, float a1, int segs)
{
    for (int i = 0; i <= segs; i++) {
        float a = a0 + (a1 - a0) * (float)i / (float)segs;
        p[k++] = (struct vec){c.x + r * cosf(a), c.y + r * sinf(a)};
    }
    return k;
}

/* ---- the commands ---- */

static SDL_Color cmd_color(const struct ui_cmd *cmd)
{
    return (SDL_Color){cmd->color.r, cmd->color.g, cmd->color.b, cmd->color.a};
}

static bool draw_clear(SDL_Renderer *r, const struct ui_cmd *cmd)
{
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r, cmd->color.r, cmd->color.g, cmd->color.b, 255);
    if (SDL_RenderClear(r) != 0) {
        log_error("draw: SDL_RenderClear: %s", SDL_GetError());
        return false;
    }
    return true;
}

static bool draw_rect(struct display *d, const struct ui_cmd *cmd)
{
    const struct ui_rect *rc = &cmd->rect;
    if (rc->w <= 0 || rc->h <= 0)
        return true;
    int radius = cmd->radius;
    if (radius > rc->w / 2)
        radius = rc->w / 2;
    if (radius > rc->h / 2)
        radius = rc->h / 2;
    if (radius <= 0) { /* square corners stay crisp: no fringe */
        SDL_Rect sr = {rc->x, rc->y, rc->w, rc->h};
        SDL_SetRenderDrawBlendMode(d->renderer,
                                   cmd->color.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(d->renderer, cmd->color.r, cmd->color.g, cmd->color.b, cmd->color.a);
        if (SDL_RenderFillRect(d->renderer, &sr) != 0) {
            log_error("draw: SDL_RenderFillRect: %s", SDL_GetError());
            return false;
        }
        return true;
    }
    float r = (float)radius;
    float x0 = (float)rc->x + r, y0 = (float)rc->y + r;
    float x1 = (float)(rc->x + rc->w) - r, y1 = (float)(rc->y + rc->h) - r;
    int segs = arc_segments(r, 0.25f);
    struct vec p[DRAW_MAX_OUTLINE];
    int n = arc_points(p, 0, (struct vec){x1, y1}, r, 0.0f, 0.5f * DRAW_PI, segs);
    n = arc_points(p, n, (struct vec){x0, y1}, r, 0.5f * DRAW_PI, DRAW_PI, segs);
    n = arc_points(p, n, (struct vec){x0, y0}, r, DRAW_PI, 1.5f * DRAW_PI, segs);
    n = arc_points(p, n, (struct vec){x1, y0}, r, 1.5f * DRAW_PI, 2.0f * DRAW_PI, segs);
    outline_fill(&d->draw, p, n, cmd_color(cmd), true);
    return buffers_render(d->renderer, &d->draw, cmd_color(cmd));
}

/* Circles and rings are exact discs (disc.c), not meshes: a mesh's
 * corners snap to whole pixels and a large circle shows its chords. */
static bool draw_circle(struct display *d, const struct ui_cmd *cmd)
{
    return disc_draw(d, (float)cmd->rect.x, (float)cmd->rect.y, 0.0f, (float)cmd->radius,
                     cmd_color(cmd));
}

static bool draw_ring(struct display *d, const struct ui_cmd *cmd)
{
    float r1 = (float)cmd->radius;
    float r0 = r1 - (float)cmd->width;
    if (r0 < 0.0f)
        r0 = 0.0f;
    if (r1 <= 0.0f || cmd->width <= 0)
        return true;
    if (r0 < 0.5f) /* no hole left: a disc */
        r0 = 0.0f;
    return disc_draw(d, (float)cmd->rect.x, (float)cmd->rect.y, r0, r1, cmd_color(cmd));
}

/* A thick line with round joins and caps: exact, from the distance to its
 * segments (disc.c); a quad per segment would show its snapped corners. */
static bool draw_polyline(struct display *d, const struct ui_cmd *cmd)
{
    int n = cmd->point_count < UI_MAX_POINTS ? cmd->point_count : UI_MAX_POINTS;
    float half = (float)(cmd->width > 0 ? cmd->width : 1) * 0.5f;
    return disc_line(d, cmd->points, n, half, cmd_color(cmd));
}

static bool draw_polygon(struct display *d, const struct ui_cmd *cmd)
{
    int n = cmd->point_count < UI_MAX_POINTS ? cmd->point_count : UI_MAX_POINTS;
    struct vec p[UI_MAX_POINTS];
    for (int i = 0; i < n; i++)
        p[i] = (struct vec){cmd->points[i].x, cmd->points[i].y};
    outline_fill(&d->draw, p, n, cmd_color(cmd), false);
    return buffers_render(d->renderer, &d->draw, cmd_color(cmd));
}

bool draw_shape(struct display *d, const struct ui_cmd *cmd)
{
    switch (cmd->type) {
    case UI_CMD_CLEAR:
        return draw_clear(d->renderer, cmd);
    case UI_CMD_RECT:
        return draw_rect(d, cmd);
    case UI_CMD_CIRCLE:
        return draw_circle(d, cmd);
    case UI_CMD_RING:
        return draw_ring(d, cmd);
    case UI_CMD_POLYLINE:
        return draw_polyline(d, cmd);
    case UI_CMD_POLYGON:
        return draw_polygon(d, cmd);
    case UI_CMD_TEXT:
        break; /* text.c */
    case UI_CMD_QR:
        return draw_qr(d, cmd);
    }
    return true;
}
