/* svg: the dashboard's inline charts (see svg.h). */
#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "html.h"
#include "strbuf.h"

#define LINE_COLOUR "#1f5fa8"
#define BAND_COLOUR "#9cc3ea"
#define GRID_COLOUR "#d0d7de"
#define TEXT_COLOUR "#3d4650"

void svg_number(struct strbuf *out, double v)
{
    if (!isfinite(v))
        v = 0; /* callers skip these; never write "nan" */
    if (v > 1e12)
        v = 1e12;
    if (v < -1e12)
        v = -1e12;
    long long tenths = llround(v * 10.0);
    char buf[40];
    snprintf(buf, sizeof buf, "%s%lld.%lld", tenths < 0 ? "-" : "", llabs(tenths) / 10,
             llabs(tenths) % 10);
    strbuf_puts(out, buf);
}

/* " name=\"v\"" with v as svg_number writes it. */
static void attr_number(struct strbuf *out, const char *name, double v)
{
    strbuf_puts(out, " ");
    strbuf_puts(out, name);
    strbuf_puts(out, "=\"");
    svg_number(out, v);
    strbuf_puts(out, "\"");
}

static void xy(struct strbuf *out, const char *command, double x, double y)
{
    strbuf_puts(out, command);
    svg_number(out, x);
    strbuf_puts(out, " ");
    svg_number(out, y);
}

/* Appends a whole number of units. */
static void put_whole(struct strbuf *out, const char *before, double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%s%lld", before, (long long)llround(v));
    strbuf_puts(out, buf);
}

static double clamp100(double v)
{
    return v < 0 ? 0 : v > 100 ? 100 : v;
}

/* The opening tag with its title; the caller closes with </svg>. */
static void svg_begin(struct strbuf *out, const char *class_name, double width, double height,
                      bool fixed_size, const char *label)
{
    /* inline in HTML: the parser puts <svg> in the SVG namespace itself */
    strbuf_puts(out, "<svg class=\"");
    strbuf_puts(out, class_name);
    put_whole(out, "\" viewBox=\"0 0 ", ceil(width));
    put_whole(out, " ", ceil(height));
    strbuf_puts(out, "\"");
    if (fixed_size) {
        put_whole(out, " width=\"", width);
        put_whole(out, "\" height=\"", height);
        strbuf_puts(out, "\"");
    }
    strbuf_puts(out, " role=\"img\"><title>");
    html_escape(out, label);
    strbuf_puts(out, "</title>");
}

/* Text at (x, y); anchor "start", "middle" or "end"; text escaped. */
static void text_at(struct strbuf *out, double x, double y, const char *anchor, const char *extra,
                    const char *text)
{
    strbuf_puts(out, "<text");
    attr_number(out, "x", x);
    attr_number(out, "y", y);
    strbuf_puts(out, " text-anchor=\"");
    strbuf_puts(out, anchor);
    strbuf_puts(out, "\"");
    strbuf_puts(out, extra);
    strbuf_puts(out, ">");
    html_escape(out, text);
    strbuf_puts(out, "</text>");
}

/* A polyline through the points with ok[i], broken at the others; a run
 * of one point is a dot.  Coordinates in x[], y[]; with whole, they are
 * whole units, the path is written with relative steps ("l4-3h4") and
 * its colours and width come from the stylesheet: the lightest form, for
 * the league's hundred sparklines. */
static void line_runs(struct strbuf *out, const double *x, const double *y, const bool *ok,
                      size_t n, double width, double dot, bool whole)
{
    bool any = false;
    for (size_t i = 0; i + 1 < n; i++)
        any = any || (ok[i] && ok[i + 1]);
    if (any) {
        if (!whole) {
            strbuf_puts(out,
                        "<path fill=\"none\" stroke=\"" LINE_COLOUR "\" stroke-linejoin=\"round\"");
            attr_number(out, "stroke-width", width);
            strbuf_puts(out, " d=\"");
        } else {
            strbuf_puts(out, "<path d=\""); /* styled by the stylesheet (svg.spark) */
        }
        for (size_t i = 0; i < n; i++) {
            bool first = i == 0 || !ok[i - 1];
            if (!ok[i] || (first && (i + 1 >= n || !ok[i + 1])))
                continue; /* a gap, or a lone point: a dot below */
            if (first && whole) {
                put_whole(out, "M", x[i]);
                put_whole(out, " ", y[i]);
            } else if (first) {
                xy(out, " M", x[i], y[i]);
            } else if (whole && llround(y[i] - y[i - 1]) == 0) {
                put_whole(out, "h", x[i] - x[i - 1]);
            } else if (whole) {
                put_whole(out, "l", x[i] - x[i - 1]);
                put_whole(out, y[i] - y[i - 1] < 0 ? "" : " ", y[i] - y[i - 1]);
            } else {
                xy(out, " L", x[i], y[i]);
            }
        }
        strbuf_puts(out, "\"/>");
    }
    for (size_t i = 0; i < n; i++) {
        bool alone = ok[i] && (i == 0 || !ok[i - 1]) && (i + 1 >= n || !ok[i + 1]);
        if (!alone)
            continue;
        strbuf_puts(out, whole ? "<circle" : "<circle fill=\"" LINE_COLOUR "\"");
        attr_number(out, "cx", x[i]);
        attr_number(out, "cy", y[i]);
        attr_number(out, "r", dot);
        strbuf_puts(out, "/>");
    }
}

/* Three arrays of n entries for a chart, or false (out marked failed). */
static bool coordinates(struct strbuf *out, size_t n, double **x, double **y, bool **ok)
{
    *x = calloc(n ? n : 1, sizeof **x);
    *y = calloc(n ? n : 1, sizeof **y);
    *ok = calloc(n ? n : 1, sizeof **ok);
    if (*x && *y && *ok)
        return true;
    free(*x);
    free(*y);
    free(*ok);
    out->failed = true;
    return false;
}

/* The y range of a sparkline: the values' own, at least min_span wide
 * around their middle, kept within 0..100. */
static void spark_range(const double *values, size_t n, double min_span, double *lo, double *hi)
{
    double a = 100, b = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            continue;
        a = fmin(a, clamp100(values[i]));
        b = fmax(b, clamp100(values[i]));
    }
    if (a > b) { /* no values */
        a = 0;
        b = 100;
    }
    double mid = (a + b) / 2, span = fmax(b - a, min_span);
    *lo = fmax(0, mid - span / 2);
    *hi = fmin(100, *lo + span);
    *lo = fmax(0, *hi - span);
}

void svg_sparkline(struct strbuf *out, const double *values, size_t n, const char *label)
{
    const double w = 120, h = 28, pad = 3;
    double *x, *y, lo, hi;
    bool *ok;
    if (!coordinates(out, n, &x, &y, &ok))
        return;
    spark_range(values, n, SVG_SPARK_MIN_SPAN, &lo, &hi);
    for (size_t i = 0; i < n; i++) { /* whole units: 1 unit is 1 px */
        x[i] = round(pad + (w - 2 * pad) * ((double)i + 0.5) / (double)n);
        ok[i] = isfinite(values[i]);
        y[i] = ok[i] ? round(pad + (h - 2 * pad) * (hi - clamp100(values[i])) / (hi - lo)) : 0;
    }
    svg_begin(out, "spark", w, h, false, label); /* sized by the stylesheet */
    line_runs(out, x, y, ok, n, 1.5, 1.6, true);
    strbuf_puts(out, "</svg>");
    free(x);
    free(y);
    free(ok);
}

/* The band: for every run of steps with a finite value, lo and hi, a
 * closed shape along hi forward and lo back (a run of one: a thin bar). */
static void band_runs(struct strbuf *out, const struct svg_point *p, const double *x, size_t n,
                      double top, double height)
{
    bool open = false;
    for (size_t i = 0; i <= n; i++) {
        bool ok = i < n && isfinite(p[i].value) && isfinite(p[i].lo) && isfinite(p[i].hi);
        if (ok && !open) {
            open = true;
            size_t end = i;
            while (end < n && isfinite(p[end].value) && isfinite(p[end].lo) && isfinite(p[end].hi))
                end++;
            double pad = end - i == 1 ? 2 : 0;
            strbuf_puts(out, "<path fill=\"" BAND_COLOUR "\" fill-opacity=\"0.6\" d=\"");
            for (size_t j = i; j < end; j++)
                xy(out, j == i ? "M" : " L", x[j] - (j == i ? pad : 0),
                   top + height * (100 - clamp100(p[j].hi)) / 100);
            if (pad > 0)
                xy(out, " L", x[i] + pad, top + height * (100 - clamp100(p[i].hi)) / 100);
            for (size_t j = end; j-- > i;)
                xy(out, " L", x[j] + (j == end - 1 ? pad : 0),
                   top + height * (100 - clamp100(p[j].lo)) / 100);
            if (pad > 0)
                xy(out, " L", x[i] - pad, top + height * (100 - clamp100(p[i].lo)) / 100);
            strbuf_puts(out, " Z\"/>");
        } else if (!ok) {
            open = false;
        }
    }
}

/* The y axis of a 0..100 chart: grid lines every 25 with their labels. */
static void y_axis(struct strbuf *out, double left, double right, double top, double height)
{
    for (int v = 0; v <= 100; v += 25) {
        double y = top + height * (100 - v) / 100;
        strbuf_puts(out, "<line stroke=\"" GRID_COLOUR "\"");
        attr_number(out, "x1", left);
        attr_number(out, "x2", right);
        attr_number(out, "y1", y);
        attr_number(out, "y2", y);
        strbuf_puts(out, "/>");
        char label[16];
        snprintf(label, sizeof label, "%d", v);
        text_at(out, left - 6, y + 4, "end", " font-size=\"13\" fill=\"" TEXT_COLOUR "\"", label);
    }
}

void svg_band_chart(struct strbuf *out, const struct svg_point *points, const char *const *x_labels,
                    size_t n, const char *label)
{
    const double w = 720, h = 310, left = 50, right = 712, top = 18, height = 250;
    double *x, *y;
    bool *ok;
    if (!coordinates(out, n, &x, &y, &ok))
        return;
    for (size_t i = 0; i < n; i++) {
        x[i] = left + (right - left) * ((double)i + 0.5) / (double)n;
        ok[i] = isfinite(points[i].value);
        y[i] = ok[i] ? top + height * (100 - clamp100(points[i].value)) / 100 : 0;
    }
    svg_begin(out, "chart", w, h, false, label);
    y_axis(out, left, right, top, height);
    band_runs(out, points, x, n, top, height);
    line_runs(out, x, y, ok, n, 2, 2.5, false);
    size_t labelled = 0;
    for (size_t i = 0; i < n; i++) {
        if (!x_labels || !x_labels[i] || !x_labels[i][0])
            continue;
        /* every second label is minor: a phone's stylesheet hides those */
        bool minor = labelled++ % 2 == 1;
        strbuf_puts(out, "<line stroke=\"" GRID_COLOUR "\"");
        attr_number(out, "x1", x[i]);
        attr_number(out, "x2", x[i]);
        attr_number(out, "y1", top + height);
        attr_number(out, "y2", top + height + 5);
        strbuf_puts(out, "/>");
        text_at(out, x[i], top + height + 22, "middle",
                minor ? " class=\"minor\" font-size=\"13\" fill=\"" TEXT_COLOUR "\""
                      : " font-size=\"13\" fill=\"" TEXT_COLOUR "\"",
                x_labels[i]);
    }
    strbuf_puts(out, "</svg>");
    free(x);
    free(y);
    free(ok);
}

void svg_bar_chart(struct strbuf *out, const struct svg_bar *bars, size_t n, const char *label)
{
    const double row = 32, bar_left = 170, bar_width = 280;
    svg_begin(out, "bars", 600, row * (double)n + 4, false, label);
    for (size_t i = 0; i < n; i++) {
        double y = row * (double)i + 4;
        text_at(out, bar_left - 8, y + 17, "end", " font-size=\"14\" fill=\"" TEXT_COLOUR "\"",
                bars[i].label);
        double share = isfinite(bars[i].share) ? clamp100(bars[i].share) : 0;
        double length = bar_width * share / 100;
        strbuf_puts(out, "<rect");
        attr_number(out, "x", bar_left);
        attr_number(out, "y", y);
        attr_number(out, "width", length);
        strbuf_puts(out, " height=\"22\" fill=\"");
        html_escape(out, bars[i].fill);
        strbuf_puts(out, "\"/>");
        text_at(out, bar_left + length + 6, y + 17, "start",
                " font-size=\"14\" fill=\"" TEXT_COLOUR "\"", bars[i].caption);
    }
    strbuf_puts(out, "</svg>");
}

/* A channel between a and b at t in 0..1. */
static int mix(int a, int b, double t)
{
    return (int)lround(a + (b - a) * t);
}

bool svg_heat_colour(double value, char buf[8])
{
    /* #b35806 (0) .. #f7f7f7 (50) .. #2166ac (100): orange to blue, which
     * colour-blind readers tell apart; the number is in the cell anyway */
    static const int low[3] = {0xb3, 0x58, 0x06}, mid[3] = {0xf7, 0xf7, 0xf7},
                     high[3] = {0x21, 0x66, 0xac};
    double v = isfinite(value) ? clamp100(value) : 50;
    const int *end = v < 50 ? low : high;
    double t = fabs(v - 50) / 50;
    snprintf(buf, 8, "#%02x%02x%02x", mix(mid[0], end[0], t), mix(mid[1], end[1], t),
             mix(mid[2], end[2], t));
    return t >= 0.75;
}

/* The heat map's scale: v mapped so that centre is 50 and centre +- spread
 * are 100 and 0 (the fixed scale when spread is 0). */
static double heat_scaled(const struct svg_heat *heat, double v)
{
    if (!(heat->spread > 0) || !isfinite(v))
        return v;
    return 50 + 50 * (v - heat->centre) / heat->spread;
}

/* " name=\"v\"" for a whole number of units (the heat map's grid). */
static void attr_int(struct strbuf *out, const char *name, double v)
{
    char buf[48];
    snprintf(buf, sizeof buf, " %s=\"%lld\"", name, (long long)llround(v));
    strbuf_puts(out, buf);
}

/* One cell of the heat map at (x, y).  Its text's size, anchor and dark
 * colour come from the enclosing group (svg_heat_map), which keeps 168
 * cells light. */
static void heat_cell(struct strbuf *out, double x, double y, double value, double scaled,
                      const char *title)
{
    strbuf_puts(out, "<g><title>");
    html_escape(out, title ? title : "");
    strbuf_puts(out, "</title><rect");
    attr_int(out, "x", x + 1);
    attr_int(out, "y", y + 1);
    strbuf_puts(out, " width=\"26\" height=\"22\"");
    if (!isfinite(value)) {
        strbuf_puts(out, " class=\"empty\" fill=\"#fff\" stroke=\"" GRID_COLOUR
                         "\" stroke-dasharray=\"2 2\"/></g>");
        return;
    }
    char colour[8], number[64];
    bool light = svg_heat_colour(scaled, colour);
    strbuf_puts(out, " fill=\"");
    strbuf_puts(out, colour);
    strbuf_puts(out, "\"/><text");
    attr_int(out, "x", x + 14);
    attr_int(out, "y", y + 16);
    snprintf(number, sizeof number, "%s>%lld</text></g>", light ? " fill=\"#fff\"" : "",
             (long long)llround(clamp100(value)));
    strbuf_puts(out, number);
}

/* The key under the heat map: five colours with their values, and "no data". */
static void heat_legend(struct strbuf *out, const struct svg_heat *heat, double y)
{
    double x = 44;
    for (int v = 0; v <= 100; v += 25) {
        char colour[8], label[16];
        svg_heat_colour(v, colour);
        double shown = heat->spread > 0 ? heat->centre + heat->spread * (v - 50) / 50.0 : v;
        snprintf(label, sizeof label, "%lld", (long long)llround(clamp100(shown)));
        strbuf_puts(out, "<rect");
        attr_number(out, "x", x);
        attr_number(out, "y", y);
        strbuf_puts(out, " width=\"22\" height=\"14\" fill=\"");
        strbuf_puts(out, colour);
        strbuf_puts(out, "\"/>");
        text_at(out, x + 26, y + 12, "start", " font-size=\"11\" fill=\"" TEXT_COLOUR "\"", label);
        x += 62;
    }
    strbuf_puts(out, "<rect");
    attr_number(out, "x", x);
    attr_number(out, "y", y);
    strbuf_puts(out, " width=\"22\" height=\"14\" fill=\"#ffffff\" stroke=\"" GRID_COLOUR
                     "\" stroke-dasharray=\"2 2\"/>");
    text_at(out, x + 26, y + 12, "start", " font-size=\"11\" fill=\"" TEXT_COLOUR "\"",
            heat->no_data ? heat->no_data : "no data");
}

void svg_heat_map(struct strbuf *out, const struct svg_heat *heat, const char *label)
{
    const double left = 44, top = 20, cw = 28, ch = 24;
    /* at least the legend's width (five keys and "no data") */
    double width = fmax(left + cw * (double)heat->cols + 4, 44 + 6 * 62 + 20);
    double height = top + ch * (double)heat->rows + 30;
    /* a few hours' map is drawn no larger than its cells need */
    svg_begin(out, heat->cols <= 12 ? "heat narrow" : "heat", width, height, false, label);
    for (size_t c = 0; c < heat->cols; c++)
        text_at(out, left + cw * (double)c + 14, top - 6, "middle",
                " font-size=\"11\" fill=\"" TEXT_COLOUR "\"", heat->col_labels[c]);
    for (size_t r = 0; r < heat->rows; r++) {
        double y = top + ch * (double)r;
        text_at(out, left - 6, y + 16, "end", " font-size=\"12\" fill=\"" TEXT_COLOUR "\"",
                heat->row_labels[r]);
        strbuf_puts(out, "<g font-size=\"11\" text-anchor=\"middle\" fill=\"#1b1f24\">");
        for (size_t c = 0; c < heat->cols; c++)
            heat_cell(out, left + cw * (double)c, y, heat->values[r * heat->cols + c],
                      heat_scaled(heat, heat->values[r * heat->cols + c]),
                      heat->titles[r * heat->cols + c]);
        strbuf_puts(out, "</g>");
    }
    heat_legend(out, heat, top + ch * (double)heat->rows + 10);
    strbuf_puts(out, "</svg>");
}
