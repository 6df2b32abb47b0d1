/*
 * mail_db: the one owner of the email reports' tables (schema step 7):
 * dash_reports (who gets which report, at which address and hour) and
 * dash_mail (the outbox: every mail ever meant, keyed so that queueing the
 * same report or alert twice is a no-op).  The mail itself is composed and
 * sent in alerts/mail.c.
 */
#ifndef WOW_MAIL_DB_H
#define WOW_MAIL_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashview.h"

struct dashdb;

#define MAIL_ADDRESS_MAX 254 /* RFC 5321's longest path, with the NUL: 253 + 1 */
#define MAIL_KEY_MAX     160

enum mail_kind { MAIL_DAILY, MAIL_WEEKLY, MAIL_MONTHLY, MAIL_ALERTS, MAIL_KIND_COUNT };

/* "daily", "weekly", "monthly", "alerts"; and back (-1: none of them). */
const char *mail_kind_name(enum mail_kind kind);
int mail_kind_parse(const char *text);

/* Whether text is an address a mail may go to: local@domain, printable
 * ASCII without blanks, quotes, angle brackets or commas (nothing that could
 * end a header line or add a recipient), at most MAIL_ADDRESS_MAX - 1. */
bool mail_address_valid(const char *text);

struct mail_subscription {
    char user[DASH_ID_MAX];
    enum mail_kind kind;
    char address[MAIL_ADDRESS_MAX];
    int hour;           /* 0..23 in the dashboard's zone; -1: when the fleet opens */
    int64_t created_ms; /* alerts opened before this are not mailed */
};

/* Adds or replaces (user, kind). */
bool mail_db_subscribe(struct dashdb *db, const struct mail_subscription *s, char *err,
                       size_t size);
/* Removes (user, kind); *found says whether it was there. */
bool mail_db_unsubscribe(struct dashdb *db, const char *user, enum mail_kind kind, bool *found,
                         char *err, size_t size);
/* Every subscription, by user then kind, into *out (owned by the caller:
 * free()), *n of them. */
bool mail_db_subscriptions(struct dashdb *db, struct mail_subscription **out, size_t *n, char *err,
                           size_t size);

/* Whether a mail with this key was ever queued. */
bool mail_db_known(struct dashdb *db, const char *key, bool *known, char *err, size_t size);
/* Queues a mail under key, state "waiting" (or "skipped": remembered, never
 * sent); *queued false when the key was there already (nothing changed). */
bool mail_db_queue(struct dashdb *db, const char *key, const char *address, const char *subject,
                   const char *body, bool skipped, int64_t now_ms, bool *queued, char *err,
                   size_t size);

/* A mail waiting to go out. */
struct mail_item {
    char key[MAIL_KEY_MAX];
    char address[MAIL_ADDRESS_MAX];
    char *subject, *body; /* owned */
    int attempts;
};

/* The mails waiting whose next try is due at now_ms, oldest first, at
 * most limit; *out owned by the caller (mail_items_free). */
bool mail_db_waiting(struct dashdb *db, int64_t now_ms, int limit, struct mail_item **out,
                     size_t *n, char *err, size_t size);
void mail_items_free(struct mail_item *items, size_t n);

/* Records a try: sent, or failed (error, the next try at next_try_ms; a
 * mail given up on is state "failed"). */
bool mail_db_tried(struct dashdb *db, const char *key, bool sent, bool give_up, int attempts,
                   int64_t next_try_ms, const char *error, int64_t now_ms, char *err, size_t size);

/* How many mails are in each state ("waiting", "sent", "failed", "skipped"). */
struct mail_counts {
    int64_t waiting, sent, failed, skipped;
};
bool mail_db_counts(struct dashdb *db, struct mail_counts *out, char *err, size_t size);

#endif
