/*
 * comment_offer: the phone link of a "Tell us more" offer: [comments]
 * phone_url followed by the signed token of the tap being thanked
 * (comment_token.h, docs/COMMENTS.md), for the thank-you screen's QR code.
 */
#ifndef WOW_COMMENT_OFFER_H
#define WOW_COMMENT_OFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct kiosk_view;
struct session;

/* Writes the link into buf when the view offers a comment, the kiosk has
 * a phone_url, and the store has committed the view's tap (its newest tap,
 * of the view's face, at most a minute old, with the store's comment key);
 * false otherwise (no QR code then: the keyboard is still offered). */
bool comment_offer_url(const struct config *config, struct session *session,
                       const struct kiosk_view *view, int64_t now_utc_ms, char *buf, size_t size);

#endif
