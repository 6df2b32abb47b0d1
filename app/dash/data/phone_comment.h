/*
 * phone_comment: a comment sent from a phone through a kiosk's token
 * (docs/COMMENTS.md): the token checked against the kiosks table, then
 * the `phone` row of the shared comments table written once.
 *
 * A token is good when it parses, its kiosk is known and signed it with
 * its comment_key, its department is one that kiosk serves, its tap is at
 * most PHONE_COMMENT_TTL_MS old on the dashboard's clock (the tap's time
 * moved by the kiosk's clock offset, which its heartbeat shows), and its
 * phone row does not exist yet.  Once the tap's bucket has arrived in
 * tap_counts, a kiosk's phone comments for that bucket, department and
 * face may not outnumber the taps counted there: a kiosk's stolen key
 * mints no more comments than it has taps.
 *
 * Errors: PHONE_ERROR with the reason in err (size bytes).
 */
#ifndef WOW_PHONE_COMMENT_H
#define WOW_PHONE_COMMENT_H

#include <stddef.h>
#include <stdint.h>

#include "phone_token.h"

struct dashdb;

#define PHONE_COMMENT_TTL_MS    (30 * 60 * 1000) /* a token's life */
#define PHONE_COMMENT_FUTURE_MS (5 * 60 * 1000)  /* a tap may seem this far ahead */
#define PHONE_COMMENT_BUCKET_MS (15 * 60 * 1000) /* the kiosk store's STORE_BUCKET_MS */

enum phone_status {
    PHONE_OK,
    PHONE_MALFORMED, /* not a token */
    PHONE_FORGED,    /* unknown kiosk or department, wrong MAC, a tap from the future */
    PHONE_EXPIRED,   /* older than PHONE_COMMENT_TTL_MS */
    PHONE_USED,      /* its phone comment exists */
    PHONE_FULL,      /* the bucket's phone comments already match its taps */
    PHONE_ERROR,     /* the database failed */
};

/* Reads and checks text (the path's token) into out at now_ms (the
 * dashboard's clock); PHONE_OK when a comment may be sent with it. */
enum phone_status phone_comment_check(struct dashdb *db, const char *text, int64_t now_ms,
                                      struct phone_token *out, char *err, size_t size);

/* Writes t's phone comment with body (checked by comment_check.h) at
 * now_ms: PHONE_OK, PHONE_USED when the row is there already (another
 * request won), PHONE_FULL, PHONE_ERROR.  Call phone_comment_check
 * first. */
enum phone_status phone_comment_insert(struct dashdb *db, const struct phone_token *t,
                                       const char *body, int64_t now_ms, char *err, size_t size);

#endif
