/*
 * dashq_private: what dashq.c (departments, the league, a department) lends
 * dashq_rows.c (the API's rows): the columns they both sum, the scope and
 * the conversions of a row.  Only dashq*.c include it.
 */
#ifndef WOW_DASHQ_PRIVATE_H
#define WOW_DASHQ_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashview.h"

struct dashdb;
struct kiosk_record;
struct names;
struct strbuf;

/* A rollup cell is one kiosk's taps in a day or an hour: it fits an
 * INTEGER.  Summed as INTEGER, PostgreSQL adds in bigint rather than
 * numeric, and its hash aggregate stays in memory: the 60-day league went
 * from 80 to 36 ms on the bench's year of 1000 kiosks. */
#define DASHQ_FACE_SUMS                                                                            \
    "SUM(CAST(rating_1 AS INTEGER)), SUM(CAST(rating_2 AS INTEGER)),"                              \
    " SUM(CAST(rating_3 AS INTEGER)), SUM(CAST(rating_4 AS INTEGER)),"                             \
    " SUM(CAST(misuse_1 AS INTEGER)), SUM(CAST(misuse_2 AS INTEGER)),"                             \
    " SUM(CAST(misuse_3 AS INTEGER)), SUM(CAST(misuse_4 AS INTEGER))"

/* A picker kiosk's departments at most this many per kiosk are read
 * (its heartbeat is the kiosk's to write: a compromised one may send
 * anything). */
#define DASHQ_PICKER_MAX 64

/* A number column; 0 for NULL. */
int64_t dashq_parse_i64(const char *text);

/* src ("" for NULL) into dst of size bytes, cut if longer. */
void dashq_set_text(char *dst, size_t size, const char *src);

/* "out of memory" into err; false. */
bool dashq_fail_oom(char *err, size_t size);

/* Eight columns rating_1..4, misuse_1..4 into what a filter shows (with
 * misuse when it includes it) and the misuse alone (misuse may be NULL). */
void dashq_read_faces(const char *const *v, bool include_misuse, struct dash_counts *shown,
                      struct dash_counts *misuse);

/* Appends " AND column IN ('a', ...)" over ids[0..n); false when none
 * can be written: then nothing can match. */
bool dashq_append_in_list(struct strbuf *sb, const char *column, const char *const *ids, size_t n);

/* The departments a call over f reads (into *list, owned by the caller,
 * named in u's language), and " AND department IN (...)" saying so
 * appended to in; *none when nothing can match. */
bool dashq_scoped(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                  struct dash_departments *list, struct strbuf *in, bool *none, char *err,
                  size_t size);

/* " AND kiosk_id IN (...)" for f's site and kiosk appended to sql
 * (dashq_place.c); nothing when f names neither; *none set when no kiosk
 * can match. */
bool dashq_place(struct dashdb *db, const struct dash_filter *f, struct strbuf *sql, bool *none,
                 char *err, size_t size);

/* A department's place in list; -1 when absent. */
long dashq_department_index(const struct dash_departments *list, const char *id);

/* A kiosks row as the pages' and the API's kiosk row (counts zero). */
void dashq_read_kiosk(const struct kiosk_record *r, struct dash_kiosk_row *k);

/* A reason's label in the names' language and its place in the
 * catalog's list (-1: not listed). */
void dashq_label_reason(struct dash_reason_row *r, const struct names *names);

#endif
