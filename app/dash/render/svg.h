/*
 * svg: the dashboard's charts as inline SVG, drawn on the server: a
 * sparkline, a line with its interval band, a bar chart and a heat map.
 *
 * Pure functions appending to a strbuf (out of memory marks it failed; the
 * caller checks once).  Every number is written with one decimal and '.'
 * whatever the locale; a value that is NaN or infinite is never written:
 * it is a gap in a line, an empty cell, a missing bar.  Texts (labels,
 * titles) are escaped.  Colours are presentation attributes (fill=,
 * stroke=), which the dashboard's CSP allows, or rules of the stylesheet
 * (the sparkline); there is never a style attribute.
 * Every chart is role="img" with a <title>, so it has a text alternative,
 * and the pages also say its numbers in words or tables.
 */
#ifndef WOW_SVG_H
#define WOW_SVG_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* Appends v rounded to one decimal ("-3.0", "72.4") with '.' as the
 * separator whatever the locale.  v must be finite (callers skip others). */
void svg_number(struct strbuf *out, double v);

/* The smallest range of index points a sparkline's height spans. */
#define SVG_SPARK_MIN_SPAN 20.0

/* A small line of values on 0..100 (n of them, NaN = a gap: the line
 * breaks), 120 x 28 units; label (borrowed) is its title.  Its height
 * spans the values' own range, but at least SVG_SPARK_MIN_SPAN points, so
 * the shape shows and noise of a few points does not look like a cliff.
 * Its size and colours come from the stylesheet (svg.spark), which keeps a
 * hundred of them light. */
void svg_sparkline(struct strbuf *out, const double *values, size_t n, const char *label);

/* One step of a band chart: value with its interval [lo, hi], on 0..100.
 * A non-finite value is a gap; a non-finite lo or hi leaves out the band
 * at that step only. */
struct svg_point {
    double value, lo, hi;
};

/* A line with its interval band over n steps, a y axis 0..100 with grid
 * lines, and x labels: x_labels[i] (borrowed, may be NULL or "") under
 * step i, every second one of class "minor" (a narrow screen hides those).
 * label is the chart's title. */
void svg_band_chart(struct strbuf *out, const struct svg_point *points, const char *const *x_labels,
                    size_t n, const char *label);

/* One bar: share on 0..100 (its length), label left of it, caption right
 * of it ("12 (4.1 %)"), fill a colour ("#rrggbb"); strings borrowed. */
struct svg_bar {
    const char *label;
    double share;
    const char *caption;
    const char *fill;
};

/* Horizontal bars, one per line. */
void svg_bar_chart(struct strbuf *out, const struct svg_bar *bars, size_t n, const char *label);

/* A heat map of rows x cols cells: values[r * cols + c] on 0..100 (NaN: an
 * empty cell, no data), the value written in the cell, titles[r * cols +
 * c] its tooltip; row_labels (rows of them) left, col_labels (cols) on
 * top.  Everything borrowed. */
struct svg_heat {
    const double *values;
    const char *const *titles;
    size_t rows, cols;
    const char *const *row_labels;
    const char *const *col_labels;
    /* The colour scale: white at centre, full orange at centre - spread,
     * full blue at centre + spread (the legend says the values).  spread
     * 0: the fixed scale of svg_heat_colour, white at 50. */
    double centre, spread;
    const char *no_data; /* the legend's word for a cell without responses; NULL: "no data" */
};

void svg_heat_map(struct strbuf *out, const struct svg_heat *heat, const char *label);

/* The heat map's colour for a value on 0..100 (orange low, light middle,
 * blue high) as "#rrggbb" into buf (8 bytes), and whether text on it
 * must be light. */
bool svg_heat_colour(double value, char buf[8]);

#endif
