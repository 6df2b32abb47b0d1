/*
 * pages_private: what the files of the dashboard's pages share (pages.h is
 * the public side): the helpers page_frame.c defines for every page, and
 * the alert list page_alerts.c lends the overview and a department.  Only
 * app/dash/render includes it.
 */
#ifndef WOW_PAGES_PRIVATE_H
#define WOW_PAGES_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashview.h"
#include "pages.h"
#include "score.h"

struct strbuf;

#define DASH "–" /* what a number with n = 0 shows */

/* ---- page_words.c: texts, numbers, dates and times in ctx->lang ---- */
/* Marks a text in a table for the catalog (scripts/dash_pot.py); the
 * table's user looks it up with page_tr(). */
#define N_(text) text

/* msgid's translation in the viewer's language, or msgid. */
const char *page_tr(const struct page_ctx *ctx, const char *msgid) __attribute__((format_arg(2)));

/* The translation of msgid, escaped for HTML text or a quoted attribute. */
void page_text(struct strbuf *out, const struct page_ctx *ctx, const char *msgid);

/* printf with the translation of fmt (a msgid) into buf, not escaped. */
void page_trf(char *buf, size_t size, const struct page_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The same, escaped, onto out (cut at 1 KB). */
void page_textf(struct strbuf *out, const struct page_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* <th scope="col"> for each of msgids[0..n), translated. */
void page_head_cells(struct strbuf *out, const struct page_ctx *ctx, const char *const *msgids,
                     size_t n);

/* <tag data-label="label"EXTRA> (label a msgid, extra raw attributes or
 * NULL): a cell a phone labels with its column's name. */
void page_cell_open(struct strbuf *out, const struct page_ctx *ctx, const char *tag,
                    const char *label, const char *extra);

/* v with one decimal in the language ("72.4", "72,4", "1,234.5"); DASH
 * for NaN or infinity. */
void page_num1(const struct page_ctx *ctx, double v, char *buf, size_t size);

/* A share 0..1 as "85.1%" ("85,1%"); DASH for NaN. */
void page_pct(const struct page_ctx *ctx, double share, char *buf, size_t size);

/* "68.1–76.5" (or with '%' for shares). */
void page_interval(const struct page_ctx *ctx, double lo, double hi, bool share, char *buf,
                   size_t size);

/* v with the language's thousands separator: "17,256", "17 256", "17.256". */
void page_int_text(const struct page_ctx *ctx, int64_t v, char *buf, size_t size);

/* The same onto out (no escaping needed). */
void page_put_int(struct strbuf *out, const struct page_ctx *ctx, int64_t v);

/* "1 response", "17,256 responses". */
void page_responses(const struct page_ctx *ctx, int64_t n, char *buf, size_t size);

/* "3 h ago", "just now". */
void page_age(const struct page_ctx *ctx, int64_t age_ms, char *buf, size_t size);

/* A measured span, rounded down: "6 s", "45 min", "3 h 20 min", "4 days 2 h". */
void page_span(const struct page_ctx *ctx, int64_t ms, char *buf, size_t size);

/* "15 min", "2 h", "1 day", "3 days". */
void page_duration(const struct page_ctx *ctx, int64_t ms, char *buf, size_t size);

/* An instant in the dashboard's zone (ctx->tz) with its offset:
 * "2026-11-28 11:00 +02:00", "28.11.2026 11:00 +02:00". */
void page_clock_text(const struct page_ctx *ctx, int64_t at_ms, char *buf, size_t size);

/* <time> for page_clock_text() and the age: "2026-11-28 11:00 +02:00
 * (3 h ago)", the zone's name as its title; DASH for 0. */
void page_put_local_time(struct strbuf *out, const struct page_ctx *ctx, int64_t at_ms);

/* ---- page_frame.c ---- */
/* A league cell holding page_change_text(). */
void page_change_cell(struct strbuf *out, const struct page_ctx *ctx, const struct score *now,
                      const struct score *prev);

/* The change against the previous period: "▲ +5.1" in bold when the
 * intervals do not overlap (score_changed), the bare difference in grey
 * when they do, DASH when either period has no responses. */
void page_change_text(struct strbuf *out, const struct page_ctx *ctx, const struct score *now,
                      const struct score *prev, char *title, size_t size);

/* ---- page_act.c (an alert's forms and its recognise-and-act section) ---- */
/* The form POSTing to /alerts/<id>/<verb>, with the csrf field. */
void page_alert_form_open(struct strbuf *out, const struct page_ctx *ctx,
                          const struct dash_alert *a, const char *verb, const char *class_name);

/* An alert's recognise-and-act section: its change point and times, its
 * owner and what was done, with the forms to assign and resolve it. */
void page_alert_act(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a);

/* A hidden csrf field (the session's token). */
void page_csrf_field(struct strbuf *out, const struct page_ctx *ctx);

/* The four faces' names, 1 (very unhappy) at [0]; the months; Mon..Sun. */
extern const char *const page_face_names[];

/* The filter of a row's link: ctx's, with department and group replaced. */
struct dash_filter page_filter_with(const struct dash_filter *f, const char *department,
                                    const char *group);

/* The head, nav, <main>, the <h1> (title escaped) and, when path is not
 * NULL, the filter form sending there (path and segment as page_url() takes
 * them) and the period line. */
void page_frame_begin(struct strbuf *out, const struct page_ctx *ctx, const char *title,
                      const char *active, const char *path, const char *segment);

/* Closes what page_frame_begin() opened. */
void page_frame_end(struct strbuf *out);

/* <a href="..."> for page_url()'s arguments; the caller writes the text and </a>. */
void page_link_open(struct strbuf *out, const char *path, const char *segment,
                    const struct dash_filter *f, const char *extra);

extern const char *const page_month_names[];

/* A league number: the value, its 95 % interval under it, and in its
 * title over how many responses it stands (-n: no title, for a row that
 * says it once already); DASH with n = 0.  Plain cells
 * (the stylesheet aligns the columns): a league of 100 departments must
 * stay light. */
void page_score_cell(struct strbuf *out, const struct page_ctx *ctx, double v, double lo, double hi,
                     bool share, int64_t n);

/* Appends path, then segment percent-encoded (NULL: none), then '?' and
 * the filter and extra (raw query text, NULL: none), all escaped for a
 * quoted attribute: the value of an href or action. */
void page_url(struct strbuf *out, const char *path, const char *segment,
              const struct dash_filter *f, const char *extra);

extern const char *const page_weekday_names[];

/* ---- page_alerts.c ---- */
/* Alerts as a list of links (the overview's open alerts, a department's);
 * empty (a msgid) when there are none. */
void page_alert_list(struct strbuf *out, const struct page_ctx *ctx,
                     const struct dash_alerts *alerts, const char *empty);

/* Previous and next page links, and which rows these are. */
void page_paging(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                 const char *extra, int64_t offset, int64_t limit, size_t shown, bool more,
                 const char *noun);

/* ---- page_fleet.c ---- */
/* A hidden form field, name and value escaped. */
void page_hidden(struct strbuf *out, const char *name, const char *value);

/* ---- page_flags.c ---- */
/* "These numbers may be incomplete": d's kiosks silent past
 * ctx->silent_after_ms or with a backlog of 100 rows or more; nothing when
 * none is. */
void page_flags_missing(struct strbuf *out, const struct page_ctx *ctx,
                        const struct dash_department *d);

/* ---- page_consistency.c ---- */
/* A department's consistency: the spread of its weekdays and hours and its
 * weakest places and times (model/consistency.h). */
/* An internal team's section of the customers' answers traced to it
 * (page_attributed.c). */
struct attributed;
void page_attributed_section(struct strbuf *out, const struct page_ctx *ctx,
                             const struct attributed *a);

/* The overview's section of the internal teams ranked by the customers'
 * answers traced to them (ctx->impact); nothing without any. */
void page_attributed_league(struct strbuf *out, const struct page_ctx *ctx);

void page_consistency_section(struct strbuf *out, const struct page_ctx *ctx,
                              const struct dash_department *d);

/* ---- page_csv.c ---- */
/* A paragraph linking to api (a CSV export, with ctx's filter and extra)
 * under text (a msgid). */
void page_csv_link(struct strbuf *out, const struct page_ctx *ctx, const char *api,
                   const char *extra, const char *text);

/* ---- page_bench.c ---- */
/* The mean index of the whole organisation over the period (the league's
 * prior); NAN when nobody answered. */
double page_bench_prior(const struct dash_league *league);

/* Where a row with this shrunk index ranks among every department of the
 * organisation that has responses (*of of them), by their shrunk index. */
size_t page_bench_rank(const struct dash_league *league, double prior, double shrunk, size_t *of);

/* The league's benchmark rows: the whole organisation, the median department. */
void page_bench_rows(struct strbuf *out, const struct page_ctx *ctx,
                     const struct dash_league *league);

/* " ⚠ 2 open alerts", linking to them, when open holds any of department's. */
void page_bench_badge(struct strbuf *out, const struct page_ctx *ctx,
                      const struct dash_alerts *open, const char *department);

/* The open alerts grouped per department, the first departments only and a
 * link to the rest. */
void page_bench_alert_groups(struct strbuf *out, const struct page_ctx *ctx,
                             const struct dash_alerts *open);

#endif
