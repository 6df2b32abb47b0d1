/*
 * alerts_private: what the alerts room's files share and nothing else
 * includes: the columns of an alert row and their reading, the webhook's
 * delivery step of an evaluation (alerts_deliver.c).
 */
#ifndef WOW_ALERTS_PRIVATE_H
#define WOW_ALERTS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct alerts_report;
struct dash_alert;
struct dashdb;

/* Copies src (NULL: "") into dst, cut to size bytes. */
void alerts_copy_text(char *dst, size_t size, const char *src);
/* A column's text as an integer (NULL: 0) or a real (NULL: NAN). */
int64_t alerts_to_int(const char *text);
double alerts_to_real(const char *text);
/* A dashdb row callback storing the first column's integer into *(int64_t *)ctx. */
bool alerts_read_int(void *ctx, int ncols, const char *const *v);

/* "SELECT <an alert's ALERTS_ROW_COLUMNS columns> FROM dash_alerts a ...";
 * a WHERE clause may follow. */
extern const char alerts_row_select[];
#define ALERTS_ROW_COLUMNS 22
/* One row of alerts_row_select into *a (zeroed first; no comments). */
void alerts_row_read(struct dash_alert *a, const char *const *v);

/* Alerts read by alerts_read_rows, a dashdb row callback over
 * alerts_row_select's rows (ctx a struct alerts_rows, zeroed first); the
 * caller frees items. */
struct alerts_rows {
    struct dash_alert *items;
    size_t n, cap;
};
bool alerts_read_rows(void *ctx, int ncols, const char *const *v);

/* Step 3 of an evaluation: POSTs every alert opened since now_ms -
 * ALERTS_WEBHOOK_RETRY_MS, not closed and not delivered, to url, oldest
 * first, recording each outcome on the alert and counting it in report. */
bool alerts_deliver_pending(struct dashdb *db, const char *url, int64_t now_ms,
                            struct alerts_report *report, char *err, size_t size);

#endif
