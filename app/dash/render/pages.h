/*
 * pages: the dashboard's server-rendered HTML pages, each a pure function
 * of the values dashview.h describes (read by dashq.h and alerts.h), so
 * tests render them from hand-built values and the router only fetches
 * and calls.
 *
 * Every page shares one frame: a nav bar (Overview, Alerts, Fleet by
 * role, the user's name, a logout form POSTing the session's csrf), the
 * filter form (GET: period, from/to dates, department, group, include
 * misuse) and the period in words.  Every link keeps the filter
 * (page_filter_query).  No script, no style attribute or element (the CSP
 * is default-src 'self'), no request to another host; charts are inline
 * SVG (svg.h).  Every text from the database is escaped; every number
 * comes from score.h and says over how many responses it stands; n = 0
 * shows "–", never 0.
 *
 * All renderers append a complete HTML document to out (out of memory
 * marks it failed; the caller checks out->failed once).  Every argument is
 * borrowed and not changed.
 */
#ifndef WOW_PAGES_H
#define WOW_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "comment_check.h"
#include "moderation.h"
#include "dashview.h"

struct attributed;
struct fleet;
struct report;
struct page_lang;
struct page_langs;
struct strbuf;

/* What every page needs besides its own values. */
struct tz;

struct page_ctx {
    const struct dash_user *user;
    const struct dash_filter *filter;
    const struct dash_departments *departments; /* for the filter's selects */
    const struct dash_places *places;           /* the same for site and kiosk; NULL: none */
    const char *csrf;                           /* the session's token, for every POST form */
    int64_t now_ms;                             /* UTC */
    int32_t today;                              /* in the dashboard's zone */
    const char *zone;                           /* its name, e.g. "Europe/Helsinki" */
    const struct tz *tz;     /* borrowed: that zone, for every time a page shows; NULL: UTC */
    int64_t silent_after_ms; /* a kiosk unheard this long is silent (0: the default, 15 min) */
    const char *sort; /* the league's column (PAGE_LEAGUE_SORTS); NULL: by the shrunk index */
    const struct page_lang *lang;   /* the pages' language (page_lang.h); NULL: English */
    const struct page_langs *langs; /* the choice the nav offers; NULL: none */
    const char *here;               /* the request's target, for the language links; NULL: none */
    /* an internal team's page: the customers' answers traced to it
       (attributed.h); NULL for a customer-facing department */
    const struct attributed *attributed;
    /* the overview: the internal teams ranked by the customers' answers
       traced to them (attributed_league); impact_n 0: no section */
    const struct attributed *impact;
    size_t impact_n;
    /* the department page's comments (page_comments.c); NULL: no section */
    const struct page_comments *comments;
};

/* Lists in pages (alerts, fleet) show this many rows unless asked. */
#define PAGE_LIMIT_DEFAULT 50

/* The league's sortable columns (?sort=), NULL-terminated: the first, "rank",
 * is the shrunk index. */
extern const char *const page_league_sorts[];

/* The overview: open alerts, then the league of departments (ranked by
 * the shrunk index) and groups (summaries). */
void page_overview(const struct page_ctx *ctx, const struct dash_league *league,
                   const struct dash_alerts *open, struct strbuf *out);

/* A department's period as a one-page poster for its staff: the WOW share
 * and index in large type, answers, change, the reasons given most; no
 * nav, form or script (page_poster.c). */
void page_poster(const struct page_ctx *ctx, const struct dash_department *d, struct strbuf *out);

/* A team's evaluation report over ctx's period: its figures beside the
 * period before, its group and the organisation, its rank, its weeks, the
 * reasons chosen most, its alerts in the period (page_report.c).  Made
 * to be printed; no nav, form or script. */
void page_report(const struct page_ctx *ctx, const struct dash_department *department,
                 const struct report *report, const struct dash_alerts *alerts, struct strbuf *out);

/* The wall display: the league (departments) and the open alerts in large
 * type, reloading itself every refresh_s seconds; no nav, form or script. */
void page_wall(const struct page_ctx *ctx, const struct dash_league *league,
               const struct dash_alerts *open, int refresh_s, struct strbuf *out);

struct act_row;

/* One department: headline numbers, trend with band, distribution, hour x
 * weekday heat map, reasons, kiosks, and its alerts; act (may be NULL):
 * its recognise-and-act times over the period. */
void page_department(const struct page_ctx *ctx, const struct dash_department *department,
                     const struct dash_alerts *alerts, const struct act_row *act,
                     struct strbuf *out);

/* The alerts list for state "open", "closed" or "all", one page of it
 * (alerts->more: a next page exists). */
void page_alerts(const struct page_ctx *ctx, const struct dash_alerts *alerts, const char *state,
                 int64_t offset, int64_t limit, struct strbuf *out);

struct act_row;
struct act_table;

/* Recognise and act (act.h): the organisation's table at /alerts/times,
 * and one department's row (a section of its page). */
void page_act_times(const struct page_ctx *ctx, const struct act_table *table, struct strbuf *out);
void page_act_department(struct strbuf *out, const struct page_ctx *ctx, const struct act_row *row);

/* One alert with its comments and the acknowledge and comment forms. */
void page_alert(const struct page_ctx *ctx, const struct dash_alert *alert, struct strbuf *out);

/* The fleet, problem kiosks first (fleet.h), rows offset .. offset +
 * limit of that order (or of the problem kiosks only). */
void page_fleet(const struct page_ctx *ctx, const struct fleet *fleet, int64_t silent_after_ms,
                int64_t offset, int64_t limit, bool problems_only, struct strbuf *out);

/* The login form in lang (NULL: English); message (a msgid, NULL: none)
 * says why it is shown again; next (NULL or "": none) is carried as a
 * hidden field. */
void page_login(const struct page_lang *lang, const char *message, const char *next,
                struct strbuf *out);

/* An error page: the status, the message (a msgid, or text shown as it
 * is), a link home.  ctx may be NULL (no session: no nav bar), lang is
 * then the page's language (NULL: English). */
void page_error(const struct page_ctx *ctx_or_null, const struct page_lang *lang, unsigned status,
                const char *message, struct strbuf *out);

/* The filter as a query string, "period=last_30_days&department=x...",
 * each value percent-encoded (not yet escaped for HTML). */
void page_filter_query(const struct dash_filter *f, struct strbuf *out);

/* "last_30_days" and so on: the period's name in a URL. */
const char *page_period_name(enum dash_period period);

/* /assets/live.js, which every page with the nav bar loads: it long-polls
 * /api/v1/live and swaps in the page's <main> when the figures change.
 * Static; borrowed. */
extern const char page_live_script[];

/* "1–30 Nov 2026" ("1.–30.11.2026" in Finnish or German): the days
 * [from_day, to_day) in ctx's language (NULL: English), into buf. */
void page_period_words(const struct page_ctx *ctx, int32_t from_day, int32_t to_day, char *buf,
                       size_t size);

/* ---- page_phone.c: the public comment form behind a kiosk's QR code ---- */

/* The form for token (the path's, shown in the action escaped) in lang
 * (NULL: English): rating 1..4 names the face tapped (else none),
 * message (a msgid or NULL) says why it is shown again, body (NULL: "")
 * is the text sent before.  Appended to out. */
void page_phone_form(const struct page_lang *lang, const char *token, int rating,
                     const char *message, const char *body, struct strbuf *out);

/* The thank-you after a comment was kept. */
void page_phone_sent(const struct page_lang *lang, struct strbuf *out);

/* Why a link cannot be used: message a msgid; status goes in a data-
 * attribute only (the reply's status is the caller's). */
void page_phone_refused(const struct page_lang *lang, unsigned status, const char *message,
                        struct strbuf *out);

/* The msgid that says what is wrong with a comment (static; "" for OK). */
const char *page_phone_verdict(enum comment_check_verdict v);

/* ---- page_comments.c: the customers' comments on the pages ---- */

struct comment_list;
struct comment_complaint;

/* The department page's comments: list moderated and narrowed (face, tag,
 * hidden ones for an admin only), newest first; counts by tag of the
 * period's comments the viewer may see (before face and tag). */
struct page_comments {
    const struct comment_list *list;
    const char *department;
    int face;     /* the face chosen, 0: any */
    unsigned tag; /* the tag chosen (a MODERATION_* bit), 0: any */
    int64_t offset, limit;
    int64_t counts[MODERATION_TAGS];
    bool admin;             /* hidden comments are in the list, marked */
    int64_t from_ms, to_ms; /* an alert's window (page_comments_alert) */
};

/* The department page's section (page_department calls it). */
void page_comments_section(struct strbuf *out, const struct page_ctx *ctx,
                           const struct page_comments *pc);

/* The evaluation report's: the period's count, counts by tag, and the
 * newest max comments of list (moderated, narrowed). */
void page_comments_report(struct strbuf *out, const struct page_ctx *ctx,
                          const struct comment_list *list, bool admin, size_t max);

/* An alert page's three most common complaints: of pc's list, those of
 * face 1 or 2 tapped in [pc->from_ms, pc->to_ms), the alert's window
 * (comment_list_complaints). */
void page_comments_alert(struct strbuf *out, const struct page_ctx *ctx,
                         const struct page_comments *pc);

/* The report shows at most this many of the period's comments. */
#define PAGE_REPORT_COMMENTS 50

#endif
