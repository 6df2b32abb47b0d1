/*
 * comment_token: the signed token a phone comment carries (docs/COMMENTS.md,
 * "The token"): which tap it belongs to, signed with the kiosk's comment
 * key, so the dashboard can tell a real tap's offer from a forged one.
 *
 *   token   = base64url(payload) "." base64url(mac)            (no padding)
 *   payload = "1|" kiosk_id "|" incarnation "|" tap_id "|" department "|"
 *             rating "|" tap_ms "|" lang
 *   mac     = the first 16 bytes of HMAC-SHA-256(comment_key, payload)
 */
#ifndef WOW_COMMENT_TOKEN_H
#define WOW_COMMENT_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMMENT_TOKEN_KEY_BYTES 32
#define COMMENT_TOKEN_MAC_BYTES 16
#define COMMENT_TOKEN_MAX       512 /* bytes of a token with its NUL, for the longest ids */

/* The tap an offer is for; every text borrowed. */
struct comment_token_tap {
    const char *kiosk_id;
    const char *incarnation;
    int64_t tap_id;
    const char *department;
    int rating; /* 1..4 */
    int64_t tap_ms;
    const char *lang;
};

/* Writes the payload ("1|...") into buf; false when it does not fit or a
 * field holds '|' (it would be read as another field). */
bool comment_token_payload(const struct comment_token_tap *tap, char *buf, size_t size);

/* Writes the token for tap, signed with key, into buf (NUL-terminated).
 * Returns false when it does not fit, a field is not valid, or libsodium
 * cannot start. */
bool comment_token_make(const struct comment_token_tap *tap,
                        const unsigned char key[COMMENT_TOKEN_KEY_BYTES], char *buf, size_t size);

#endif
