/*
 * api: the read-only API's bodies, /api/v1/{counts,reasons,departments,
 * kiosks,alerts}, in JSON or CSV, as pure functions of the rows dashq.h and
 * alerts.h read (the router picks the rows, sets the headers and checks who
 * may ask).
 *
 * JSON: {"offset": 0, "limit": 1000, "more": false, "items": [...]}, dates
 * "YYYY-MM-DD", times "YYYY-MM-DDTHH:MM:SSZ" (UTC), counts as numbers,
 * every count object with "responses"; index (0..100, one decimal), csat
 * and wow_rate (shares 0..1, four decimals) are null over 0 responses.
 * Strings escaped per RFC 8259 (control characters as \u00XX, and < > &
 * too, so a body sniffed as HTML stays inert); valid UTF-8 passes through,
 * invalid bytes become U+FFFD.
 *
 * CSV (RFC 4180): UTF-8 with a byte-order mark, CRLF line ends, a header
 * row; a cell holding , " CR or LF is quoted with "" for ".  A text cell
 * starting with = + - @ TAB or CR gets a leading ' so a spreadsheet does
 * not run it as a formula.  Numbers over 0 responses are empty cells.
 *
 * Everything appends to a strbuf; out of memory marks it failed.
 */
#ifndef WOW_API_H
#define WOW_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;
struct dash_count_rows;
struct dash_reason_count_rows;
struct attributed;
struct dash_departments;
struct dash_kiosk_rows;
struct dash_alerts;
struct report;
struct consistency;
struct comment_list;

enum api_format { API_JSON, API_CSV };

/* Where a page of rows sits, for the JSON envelope. */
struct api_page {
    int64_t offset, limit;
    bool more;
};

/* Columns: date,hour,department,kiosk_id,very_unhappy,unhappy,happy,wow,
 * responses,index,csat,wow_rate,misuse,department_name (hour and kiosk_id
 * empty for daily, per-department rows; misuse the flagged taps; names in
 * the viewer's language, added last so older readers keep their columns). */
void api_counts(const struct dash_count_rows *rows, const struct api_page *page,
                enum api_format format, struct strbuf *out);

/* Columns: date,department,question,reason,ended_by,misuse,responses,
 * department_name,reason_label (the catalog's label; empty for a skip or
 * a timeout). */
void api_reasons(const struct dash_reason_count_rows *rows, const struct api_page *page,
                 enum api_format format, struct strbuf *out);

/* Columns: id,name,group,group_name.  All departments are given; the page
 * (offset, limit) is cut here, and page->more set. */
void api_departments(const struct dash_departments *list, struct api_page *page,
                     enum api_format format, struct strbuf *out);

/* Columns: kiosk_id,site,label,department,app_version,last_seen,
 * last_success,backlog,last_error,department_name,mode,departments,
 * department_names,catalog_version,catalog_error,site_name (department "" and
 * departments its list for a picker kiosk). */
void api_kiosks(const struct dash_kiosk_rows *rows, const struct api_page *page,
                enum api_format format, struct strbuf *out);

/* Columns: id,source,kind,department,department_name,state,opened,
 * acknowledged,acknowledged_by,closed,value,baseline,responses,detail,
 * then recognise and act (act.h): direction (down, or up for a rise),
 * change_point, time_to_recognise_s, time_to_act_s, assignee, resolved,
 * resolved_by, resolution, recovered, time_to_recover_s. */
void api_alerts(const struct dash_alerts *alerts, const struct api_page *page,
                enum api_format format, struct strbuf *out);

/* A team's evaluation report (report.h), one row per section: team,
 * previous (as many days just before), group, organisation, then one per
 * week.  Columns: department,section,from,to,responses,index,index_lo,
 * index_hi,csat,csat_lo,csat_hi,wow_rate,wow_lo,wow_hi,negative,rank,of,
 * department_name,audience (rank and of on the team's row only; audience
 * "customers" or "colleagues" on the team's own rows, empty on the group's
 * and the organisation's).  For an internal team (attributed not NULL and
 * internal) two more rows, "attributed" and "attributed_previous": the
 * customers' answers traced to it as responses, and in negative their
 * share of every negative answer customers chose (attributed.h). */
void api_report(const struct report *report, const char *department, const char *name,
                const struct attributed *attributed, enum api_format format, struct strbuf *out);

/* A department's consistency (consistency.h): first its own row (kind
 * "department", with the spread), then its weakest places and times.
 * Columns: department,kind,id,name,at,responses,index,index_lo,index_hi,
 * below_by,significant,spread (at: the weekday, 0 = Monday, or the hour). */
void api_consistency(const struct consistency *consistency, const char *department,
                     enum api_format format, struct strbuf *out);

/* Customers' answers traced to the teams owning their cause (attributed.h),
 * one "team" row per team (n of them), and for a single team (n == 1,
 * detail true) then one row per "department" the answers came from, per
 * "reason" and per "day" of the period.  Columns: team,team_name,kind,id,
 * name,date,audience,answers,previous,negative,share (audience always
 * "customers": what customers answered; previous, negative and share on
 * team rows only; date on day rows only). */
void api_attributed(const struct attributed *teams, size_t n, bool detail, enum api_format format,
                    struct strbuf *out);

struct act_table;

/* Recognise and act per department over the period (act.h), the whole
 * organisation last (department ""). Columns: department,department_name,
 * alerts,open_now,rises,recognise_n,median_time_to_recognise_s,act_n,
 * median_time_to_act_s,recover_n,median_time_to_recover_s. */
void api_act_times(const struct act_table *table, const struct api_page *page,
                   enum api_format format, struct strbuf *out);

/* {"error": "message"} and a newline. */
void api_error(const char *message, struct strbuf *out);

/* text as one CSV cell (quoted when needed, formula-guarded). */
void api_csv_text(struct strbuf *out, const char *text);

/* /api/v1/comments: columns department,kiosk_id,source,face,tapped,written,
 * lang,tags (space-separated ids),hidden (0/1),text (personal data masked,
 * moderation.h); list moderated and narrowed by the caller, newest first;
 * page's offset and limit cut it (page->more set). */
void api_comments(const struct comment_list *list, struct api_page *page, enum api_format format,
                  struct strbuf *out);

#endif
