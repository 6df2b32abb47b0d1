/*
 * api: JSON and CSV bodies of the read-only API (see api.h).  One row
 * function per resource names its fields once; a writer turns the calls
 * into a JSON object or a CSV line, and, given an empty row in header
 * mode, into the CSV header, so the two formats cannot drift apart.
 */
#include "api.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "attributed.h"
#include "act.h"
#include "clock.h"
#include "consistency.h"
#include "dashview.h"
#include "json.h"
#include "comment_list.h"
#include "report.h"
#include "score.h"
#include "strbuf.h"
#include "utf8.h"

struct writer {
    struct strbuf *out;
    enum api_format format;
    bool header; /* CSV: write the fields' names, not their values */
    int field;   /* fields written in this row */
};

static void separator(struct writer *w, const char *name)
{
    if (w->format == API_CSV) {
        strbuf_puts(w->out, w->field ? "," : "");
        if (w->header)
            strbuf_puts(w->out, name);
    } else {
        strbuf_puts(w->out, w->field ? ", " : "");
        json_string(w->out, name);
        strbuf_puts(w->out, ": ");
    }
    w->field++;
}

static void field_text(struct writer *w, const char *name, const char *value, bool empty_is_null)
{
    separator(w, name);
    if (w->header)
        return;
    if (w->format == API_CSV)
        api_csv_text(w->out, value);
    else if (empty_is_null && !value[0])
        strbuf_puts(w->out, "null");
    else
        json_string(w->out, value);
}

static void field_int(struct writer *w, const char *name, int64_t value)
{
    separator(w, name);
    if (!w->header)
        strbuf_int(w->out, value);
}

/* NaN: null in JSON, an empty cell in CSV. */
static void field_real(struct writer *w, const char *name, double value, int decimals)
{
    separator(w, name);
    if (w->header)
        return;
    if (isnan(value) || isinf(value)) {
        strbuf_puts(w->out, w->format == API_CSV ? "" : "null");
        return;
    }
    char text[64];
    snprintf(text, sizeof text, "%.*f", decimals, value);
    strbuf_puts(w->out, text);
}

static void field_day(struct writer *w, const char *name, int32_t day)
{
    char date[16];
    dash_day_format(day, date, sizeof date);
    field_text(w, name, date, false);
}

/* A UTC time; 0 ("never") is null, or an empty cell. */
static void field_time(struct writer *w, const char *name, int64_t ms)
{
    char text[32] = "";
    if (ms != 0)
        clock_format_utc(ms, text, sizeof text);
    field_text(w, name, text, true);
}

static void row_begin(struct writer *w, size_t index)
{
    w->field = 0;
    if (w->format == API_JSON)
        strbuf_puts(w->out, index ? ",\n  {" : "\n  {");
}

static void row_end(struct writer *w)
{
    strbuf_puts(w->out, w->format == API_CSV ? "\r\n" : "}");
}

/* The JSON envelope's opening, or the CSV's BOM and header row. */
#define BEGIN(w, page, row_fn, empty)                                                              \
    do {                                                                                           \
        if ((w)->format == API_CSV) {                                                              \
            strbuf_puts((w)->out, "\xEF\xBB\xBF");                                                 \
            (w)->header = true;                                                                    \
            row_begin((w), 0);                                                                     \
            row_fn((w), (empty));                                                                  \
            row_end(w);                                                                            \
            (w)->header = false;                                                                   \
        } else {                                                                                   \
            envelope_begin((w)->out, (page));                                                      \
        }                                                                                          \
    } while (0)

static void envelope_begin(struct strbuf *out, const struct api_page *page)
{
    strbuf_puts(out, "{\"offset\": ");
    strbuf_int(out, page->offset);
    strbuf_puts(out, ", \"limit\": ");
    strbuf_int(out, page->limit);
    strbuf_puts(out, page->more ? ", \"more\": true" : ", \"more\": false");
    strbuf_puts(out, ", \"items\": [");
}

static void end(struct writer *w, size_t n)
{
    if (w->format == API_JSON)
        strbuf_puts(w->out, n ? "\n]}\n" : "]}\n");
}

/* ---- escaping ---------------------------------------------------------- */

/* Whether a spreadsheet may read the cell as a formula: it starts with
 * = + - @, a tab or a CR, also after blanks (some spreadsheets drop
 * leading blanks before they look). */
static bool csv_formula(const char *text)
{
    const char *p = text + strspn(text, " \t\r\n");
    return (*p != '\0' && strchr("=+-@", *p) != NULL) ||
           (text[0] != '\0' && strchr("\t\r", text[0]));
}

void api_csv_text(struct strbuf *out, const char *text)
{
    bool formula = csv_formula(text);
    bool quote = formula || strpbrk(text, ",\"\r\n") != NULL;
    if (quote)
        strbuf_puts(out, "\"");
    if (formula)
        strbuf_puts(out, "'");
    for (const char *p = text; *p; p++) {
        size_t bidi = utf8_bidi_control(p);
        if (bidi) {
            strbuf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD: it must not reorder the cell */
            p += bidi - 1;
            continue;
        }
        strbuf_append(out, p, 1);
        if (*p == '"')
            strbuf_puts(out, "\"");
    }
    if (quote)
        strbuf_puts(out, "\"");
}

void api_error(const char *message, struct strbuf *out)
{
    strbuf_puts(out, "{\"error\": ");
    json_string(out, message);
    strbuf_puts(out, "}\n");
}

/* ---- counts ------------------------------------------------------------ */

static int64_t sum4(const struct dash_counts *c)
{
    return c->n[0] + c->n[1] + c->n[2] + c->n[3];
}

static void count_row(struct writer *w, const struct dash_count_row *row)
{
    struct score s = score_of(&row->c);
    field_day(w, "date", row->day);
    separator(w, "hour");
    if (!w->header) {
        if (row->hour >= 0)
            strbuf_int(w->out, row->hour);
        else
            strbuf_puts(w->out, w->format == API_CSV ? "" : "null");
    }
    field_text(w, "department", row->department, false);
    field_text(w, "kiosk_id", row->kiosk_id, true);
    field_int(w, "very_unhappy", row->c.n[0]);
    field_int(w, "unhappy", row->c.n[1]);
    field_int(w, "happy", row->c.n[2]);
    field_int(w, "wow", row->c.n[3]);
    field_int(w, "responses", sum4(&row->c));
    field_real(w, "index", s.index, 1);
    field_real(w, "csat", s.csat, 4);
    field_real(w, "wow_rate", s.wow, 4);
    field_int(w, "misuse", sum4(&row->misuse));
    field_text(w, "department_name", row->department_name, false);
    field_text(w, "audience", dash_audience(row->internal), false);
}

void api_counts(const struct dash_count_rows *rows, const struct api_page *page,
                enum api_format format, struct strbuf *out)
{
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, page, count_row, &(struct dash_count_row){.hour = -1});
    for (size_t i = 0; i < rows->n; i++) {
        row_begin(&w, i);
        count_row(&w, &rows->items[i]);
        row_end(&w);
    }
    end(&w, rows->n);
}

/* ---- reasons ----------------------------------------------------------- */

static void reason_row(struct writer *w, const struct dash_reason_count_row *row)
{
    field_day(w, "date", row->day);
    field_text(w, "department", row->department, false);
    field_text(w, "question", row->r.question, false);
    field_text(w, "reason", row->r.reason, false);
    field_text(w, "ended_by", row->r.ended_by, false);
    separator(w, "misuse");
    if (!w->header)
        strbuf_puts(w->out, w->format == API_CSV ? (row->misuse ? "1" : "0")
                                                 : (row->misuse ? "true" : "false"));
    field_int(w, "responses", row->r.n);
    field_text(w, "department_name", row->department_name, false);
    field_text(w, "reason_label", row->r.label, true);
    field_text(w, "audience", dash_audience(row->internal), false);
}

void api_reasons(const struct dash_reason_count_rows *rows, const struct api_page *page,
                 enum api_format format, struct strbuf *out)
{
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, page, reason_row, &(struct dash_reason_count_row){0});
    for (size_t i = 0; i < rows->n; i++) {
        row_begin(&w, i);
        reason_row(&w, &rows->items[i]);
        row_end(&w);
    }
    end(&w, rows->n);
}

/* ---- departments ------------------------------------------------------- */

static void department_row(struct writer *w, const struct dash_department_info *d)
{
    field_text(w, "id", d->id, false);
    field_text(w, "name", d->name, false);
    field_text(w, "group", d->group, true);
    field_text(w, "group_name", d->group_name, true);
    field_text(w, "audience", dash_audience(d->internal), false);
}

/* The rows [*from, *to) of n a page's offset and limit ask for; whether
 * more follow goes into page->more. */
static void window(struct api_page *page, size_t n, size_t *from, size_t *to)
{
    *from = page->offset < 0 ? 0 : (size_t)page->offset;
    *to = *from;
    while (*to < n && *to - *from < (size_t)page->limit)
        ++*to;
    page->more = *to < n;
}

void api_departments(const struct dash_departments *list, struct api_page *page,
                     enum api_format format, struct strbuf *out)
{
    size_t from, to;
    window(page, list->n, &from, &to);
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, page, department_row, &(struct dash_department_info){0});
    for (size_t i = from; i < to; i++) {
        row_begin(&w, i - from);
        department_row(&w, &list->items[i]);
        row_end(&w);
    }
    end(&w, to - from);
}

/* ---- kiosks ------------------------------------------------------------ */

static void kiosk_row(struct writer *w, const struct dash_kiosk_row *k)
{
    field_text(w, "kiosk_id", k->kiosk_id, false);
    field_text(w, "site", k->site, false);
    field_text(w, "label", k->label, false);
    field_text(w, "department", k->department, false);
    field_text(w, "app_version", k->app_version, false);
    field_time(w, "last_seen", k->last_seen_ms);
    field_time(w, "last_success", k->last_success_ms);
    field_int(w, "backlog", k->backlog);
    field_text(w, "last_error", k->last_error, false);
    field_text(w, "department_name", k->department_name, true);
    field_text(w, "mode", k->mode, false);
    field_text(w, "departments", k->departments, true);
    field_text(w, "department_names", k->department_names, true);
    field_int(w, "catalog_version", k->catalog_version);
    field_text(w, "catalog_error", k->catalog_error, true);
    field_text(w, "site_name", k->site_name, true);
    field_int(w, "store_waiting", k->store_waiting);
    field_text(w, "store_error", k->store_error, false);
    field_time(w, "store_error_since", k->store_error_since_ms);
    field_text(w, "slot", k->slot, true);
    field_text(w, "update_version", k->update_version, true);
    field_text(w, "update_state", k->update_state, true);
    field_text(w, "update_error", k->update_error, true);
}

void api_kiosks(const struct dash_kiosk_rows *rows, const struct api_page *page,
                enum api_format format, struct strbuf *out)
{
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, page, kiosk_row, &(struct dash_kiosk_row){0});
    for (size_t i = 0; i < rows->n; i++) {
        row_begin(&w, i);
        kiosk_row(&w, &rows->items[i]);
        row_end(&w);
    }
    end(&w, rows->n);
}

/* ---- alerts ------------------------------------------------------------ */

static const char *state_name(enum dash_alert_state state)
{
    return state == DASH_ALERT_OPEN           ? "open"
           : state == DASH_ALERT_ACKNOWLEDGED ? "acknowledged"
                                              : "closed";
}

static void alert_row(struct writer *w, const struct dash_alert *a)
{
    field_int(w, "id", a->id);
    field_text(w, "source", a->source, false);
    field_text(w, "kind", a->kind, false);
    field_text(w, "department", a->department, false);
    field_text(w, "department_name", a->department_name, false);
    field_text(w, "state", state_name(a->state), false);
    field_time(w, "opened", a->opened_ms);
    field_time(w, "acknowledged", a->acked_ms);
    field_text(w, "acknowledged_by", a->acked_by, true);
    field_time(w, "closed", a->closed_ms);
    field_real(w, "value", a->value, 4);
    field_real(w, "baseline", a->baseline, 4);
    field_int(w, "responses", a->responses);
    field_text(w, "detail", a->detail, false);
    /* recognise and act (model/act.h): the times, in seconds, beside their moments */
    field_text(w, "direction", a->rise ? "up" : "down", false);
    field_time(w, "change_point", a->change_ms);
    field_real(w, "time_to_recognise_s", act_seconds(a->change_ms, a->opened_ms), 0);
    field_real(w, "time_to_act_s", act_seconds(a->opened_ms, a->acked_ms), 0);
    field_text(w, "assignee", a->assignee, true);
    field_time(w, "resolved", a->resolved_ms);
    field_text(w, "resolved_by", a->resolved_by, true);
    field_text(w, "resolution", a->resolution, true);
    field_time(w, "recovered", a->closed_ms);
    field_real(w, "time_to_recover_s", act_seconds(a->opened_ms, a->closed_ms), 0);
}

void api_alerts(const struct dash_alerts *alerts, const struct api_page *page,
                enum api_format format, struct strbuf *out)
{
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, page, alert_row, &(struct dash_alert){0});
    for (size_t i = 0; i < alerts->n; i++) {
        row_begin(&w, i);
        alert_row(&w, &alerts->items[i]);
        row_end(&w);
    }
    end(&w, alerts->n);
}

/* ---- recognise and act ------------------------------------------------- */

static void act_row(struct writer *w, const struct act_row *r)
{
    field_text(w, "department", r->department, false);
    field_text(w, "department_name", r->name, false);
    field_int(w, "alerts", r->alerts);
    field_int(w, "open_now", r->open_now);
    field_int(w, "rises", r->rises);
    field_int(w, "recognise_n", r->recognise_n);
    field_real(w, "median_time_to_recognise_s", r->recognise_s, 0);
    field_int(w, "act_n", r->act_n);
    field_real(w, "median_time_to_act_s", r->act_s, 0);
    field_int(w, "recover_n", r->recover_n);
    field_real(w, "median_time_to_recover_s", r->recover_s, 0);
}

void api_act_times(const struct act_table *table, const struct api_page *page,
                   enum api_format format, struct strbuf *out)
{
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, page, act_row, &(struct act_row){0});
    size_t i = 0;
    for (; i < table->n; i++) {
        row_begin(&w, i);
        act_row(&w, &table->rows[i]);
        row_end(&w);
    }
    struct act_row total = table->total;
    snprintf(total.name, sizeof total.name, "All departments");
    row_begin(&w, i);
    act_row(&w, &total);
    row_end(&w);
    end(&w, i + 1);
}

/* ---- a team's evaluation report ---------------------------------------- */

/* One row of the report: a section ("team", "previous", "group",
 * "organisation" or "week") over [from_day, to_day). */
struct report_row {
    const char *department, *department_name, *section;
    int32_t from_day, to_day;
    struct score s;
    size_t rank, of;      /* the team's row only; 0 elsewhere */
    const char *audience; /* whose ratings: "customers", "colleagues"; "" for a mix */
};

static void report_row(struct writer *w, const struct report_row *row)
{
    field_text(w, "department", row->department, false);
    field_text(w, "section", row->section, false);
    field_day(w, "from", row->from_day);
    field_day(w, "to", row->to_day - 1);
    field_int(w, "responses", row->s.n);
    field_real(w, "index", row->s.index, 1);
    field_real(w, "index_lo", row->s.index_lo, 1);
    field_real(w, "index_hi", row->s.index_hi, 1);
    field_real(w, "csat", row->s.csat, 4);
    field_real(w, "csat_lo", row->s.csat_lo, 4);
    field_real(w, "csat_hi", row->s.csat_hi, 4);
    field_real(w, "wow_rate", row->s.wow, 4);
    field_real(w, "wow_lo", row->s.wow_lo, 4);
    field_real(w, "wow_hi", row->s.wow_hi, 4);
    field_real(w, "negative", row->s.negative, 4);
    field_real(w, "rank", row->rank ? (double)row->rank : NAN, 0);
    field_real(w, "of", row->rank ? (double)row->of : NAN, 0);
    field_text(w, "department_name", row->department_name, false);
    field_text(w, "audience", row->audience ? row->audience : "", true);
}

/* An internal team's rows of the customers' answers traced to it: the
 * period's and the previous one's (responses: the answers; negative:
 * their share of every negative answer customers chose). */
static size_t report_attributed_rows(struct writer *w, const struct attributed *a,
                                     const struct report *r, const char *department,
                                     const char *name, size_t n)
{
    int32_t days = r->to_day - r->from_day;
    struct score now = score_of(&(struct dash_counts){0}), prev = now;
    now.n = a->n;
    now.negative = a->share;
    prev.n = a->prev;
    struct report_row rows[2] = {
        {department, name, "attributed", r->from_day, r->to_day, now, 0, 0, "customers"},
        {department, name, "attributed_previous", r->from_day - days, r->from_day, prev, 0, 0,
         "customers"}};
    for (size_t i = 0; i < 2; i++, n++) {
        row_begin(w, n);
        report_row(w, &rows[i]);
        row_end(w);
    }
    return n;
}

void api_report(const struct report *r, const char *department, const char *name,
                const struct attributed *attributed, enum api_format format, struct strbuf *out)
{
    int32_t days = r->to_day - r->from_day;
    const char *whose = dash_audience(attributed && attributed->internal);
    struct report_row rows[4] = {
        {department, name, "team", r->from_day, r->to_day, r->now, r->rank, r->of, whose},
        {department, name, "previous", r->from_day - days, r->from_day, r->prev, 0, 0, whose},
        {department, name, "group", r->from_day, r->to_day, r->group, 0, 0, ""},
        {department, name, "organisation", r->from_day, r->to_day, r->org, 0, 0, ""}};
    bool traced = attributed && attributed->internal;
    struct api_page page = {.offset = 0, .limit = (int64_t)(4 + r->weeks_n + (traced ? 2 : 0))};
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, &page, report_row, &(struct report_row){.section = ""});
    size_t n = 0;
    for (size_t i = 0; i < 4; i++, n++) {
        row_begin(&w, n);
        report_row(&w, &rows[i]);
        row_end(&w);
    }
    for (size_t i = 0; i < r->weeks_n; i++, n++) {
        struct report_row week = {department,
                                  name,
                                  "week",
                                  r->weeks[i].from_day,
                                  r->weeks[i].to_day,
                                  score_of(&r->weeks[i].counts),
                                  0,
                                  0,
                                  whose};
        row_begin(&w, n);
        report_row(&w, &week);
        row_end(&w);
    }
    if (traced)
        n = report_attributed_rows(&w, attributed, r, department, name, n);
    end(&w, n);
}

/* ---- a department's consistency ---------------------------------------- */

static const char *const consistency_kinds[] = {"kiosk", "site", "weekday", "hour"};

static void consistency_row(struct writer *w, const char *department, const char *kind,
                            const struct consistency_cell *c, double spread)
{
    field_text(w, "department", department, false);
    field_text(w, "kind", kind, false);
    field_text(w, "id", c->id, false);
    field_text(w, "name", c->name, false);
    field_real(w, "at", c->at >= 0 ? (double)c->at : NAN, 0);
    field_int(w, "responses", c->score.n);
    field_real(w, "index", c->score.index, 1);
    field_real(w, "index_lo", c->score.index_lo, 1);
    field_real(w, "index_hi", c->score.index_hi, 1);
    field_real(w, "below_by", c->gap, 1);
    separator(w, "significant");
    if (!w->header)
        strbuf_puts(w->out, w->format == API_CSV ? (c->significant ? "1" : "0")
                                                 : (c->significant ? "true" : "false"));
    field_real(w, "spread", spread, 1);
}

/* Row writer for the CSV header (BEGIN's row_fn takes one argument). */
static void consistency_header(struct writer *w, const struct consistency_cell *c)
{
    consistency_row(w, "", "", c, NAN);
}

void api_consistency(const struct consistency *k, const char *department, enum api_format format,
                     struct strbuf *out)
{
    struct api_page page = {.offset = 0, .limit = (int64_t)(1 + k->weakest_n)};
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, &page, consistency_header, &(struct consistency_cell){.at = -1});
    struct consistency_cell whole = {.at = -1, .score = k->department, .gap = 0};
    row_begin(&w, 0);
    consistency_row(&w, department, "department", &whole, k->spread);
    row_end(&w);
    for (size_t i = 0; i < k->weakest_n; i++) {
        row_begin(&w, i + 1);
        consistency_row(&w, department, consistency_kinds[k->weakest[i].kind], &k->weakest[i], NAN);
        row_end(&w);
    }
    end(&w, 1 + k->weakest_n);
}

/* ---- customers' answers traced to a team -------------------------------- */

struct attributed_row {
    const struct attributed *team;
    const char *kind, *id, *name;
    int32_t day; /* -1: none */
    int64_t answers;
};

static void attributed_row(struct writer *w, const struct attributed_row *r)
{
    bool whole = !strcmp(r->kind, "team");
    field_text(w, "team", r->team->team, false);
    field_text(w, "team_name", r->team->name[0] ? r->team->name : r->team->team, false);
    field_text(w, "kind", r->kind, false);
    field_text(w, "id", r->id, false);
    field_text(w, "name", r->name, false);
    char date[16] = "";
    if (r->day >= 0)
        dash_day_format(r->day, date, sizeof date);
    field_text(w, "date", date, true);
    field_text(w, "audience", "customers", false);
    field_int(w, "answers", r->answers);
    field_real(w, "previous", whole ? (double)r->team->prev : NAN, 0);
    field_real(w, "negative", whole ? (double)r->team->negative : NAN, 0);
    field_real(w, "share", whole ? r->team->share : NAN, 4);
}

static void attributed_items(struct writer *w, const struct attributed *a, const char *kind,
                             const struct attributed_item *items, size_t n, size_t *at)
{
    for (size_t i = 0; i < n; i++, (*at)++) {
        row_begin(w, *at);
        attributed_row(
            w, &(struct attributed_row){a, kind, items[i].id, items[i].name, -1, items[i].n});
        row_end(w);
    }
}

void api_attributed(const struct attributed *teams, size_t n, bool detail, enum api_format format,
                    struct strbuf *out)
{
    size_t rows = n;
    if (detail && n == 1)
        rows += teams->places_n + teams->reasons_n + teams->days;
    struct api_page page = {.offset = 0, .limit = (int64_t)rows};
    struct writer w = {.out = out, .format = format};
    static const struct attributed none = {.team = ""};
    struct attributed_row empty = {&none, "", "", "", -1, 0};
    BEGIN(&w, &page, attributed_row, &empty);
    size_t at = 0;
    for (size_t i = 0; i < n; i++, at++) {
        const struct attributed *a = &teams[i];
        row_begin(&w, at);
        attributed_row(&w, &(struct attributed_row){a, "team", a->team,
                                                    a->name[0] ? a->name : a->team, -1, a->n});
        row_end(&w);
    }
    if (detail && n == 1) {
        attributed_items(&w, teams, "department", teams->places, teams->places_n, &at);
        attributed_items(&w, teams, "reason", teams->reasons, teams->reasons_n, &at);
        for (size_t d = 0; d < teams->days; d++, at++) {
            row_begin(&w, at);
            attributed_row(&w,
                           &(struct attributed_row){teams, "day", "", "",
                                                    teams->from_day + (int32_t)d, teams->daily[d]});
            row_end(&w);
        }
    }
    end(&w, at);
}

/* ---- comments ---------------------------------------------------------- */

static void comment_row(struct writer *w, const struct comment_item *c)
{
    struct strbuf tags = {0}, words = {0};
    for (int t = 0; !w->header && t < MODERATION_TAGS; t++)
        if (c->tags & (1u << t)) {
            strbuf_puts(&tags, tags.len ? " " : "");
            strbuf_puts(&tags, moderation_tag_ids[t]);
        }
    if (!w->header)
        moderation_mask(c->body ? c->body : "", &words);
    field_text(w, "department", c->department, false);
    field_text(w, "kiosk_id", c->kiosk_id, false);
    field_text(w, "source", c->source, false);
    field_int(w, "face", c->rating);
    field_time(w, "tapped", c->tap_ms);
    field_time(w, "written", c->written_ms);
    field_text(w, "lang", c->lang, false);
    field_text(w, "tags", tags.data ? tags.data : "", false);
    field_int(w, "hidden", c->hidden ? 1 : 0);
    field_text(w, "text", words.data ? words.data : "", false);
    if (tags.failed || words.failed)
        w->out->failed = true;
    strbuf_free(&tags);
    strbuf_free(&words);
}

void api_comments(const struct comment_list *list, struct api_page *page, enum api_format format,
                  struct strbuf *out)
{
    size_t from, to;
    window(page, list->n, &from, &to);
    struct writer w = {.out = out, .format = format};
    BEGIN(&w, page, comment_row, &(struct comment_item){0});
    for (size_t i = from; i < to; i++) {
        row_begin(&w, i - from);
        comment_row(&w, &list->items[i]);
        row_end(&w);
    }
    end(&w, to - from);
}
