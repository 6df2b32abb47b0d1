/*
 * comment_offer: the offer's phone link (see comment_offer.h).
 */
#include "comment_offer.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "comment_token.h"
#include "config.h"
#include "kiosk.h"
#include "session.h"

#define TAP_RECENT_MS 60000 /* the view's tap: the newest, and this fresh */

bool comment_offer_url(const struct config *config, struct session *session,
                       const struct kiosk_view *view, int64_t now_utc_ms, char *buf, size_t size)
{
    struct session_tap tap;
    if (!view->comment_offer || config->comments_phone_url[0] == '\0' || session == NULL ||
        !session_comment_tap(session, &tap))
        return false;
    bool fresh = tap.tap_ms <= now_utc_ms && now_utc_ms - tap.tap_ms <= TAP_RECENT_MS;
    int lang = view->language >= 0 && view->language < config->language_count ? view->language : 0;
    struct comment_token_tap t = {
        .kiosk_id = config->kiosk_id,
        .incarnation = tap.incarnation,
        .tap_id = tap.tap_id,
        .department = tap.department,
        .rating = tap.rating,
        .tap_ms = tap.tap_ms,
        .lang = config->languages[lang],
    };
    char token[COMMENT_TOKEN_MAX];
    bool ok = fresh && tap.rating == (int)view->rating &&
              comment_token_make(&t, tap.comment_key, token, sizeof token);
    sodium_memzero(tap.comment_key, sizeof tap.comment_key);
    if (!ok)
        return false;
    int n = snprintf(buf, size, "%s%s", config->comments_phone_url, token);
    return n > 0 && (size_t)n < size;
}
