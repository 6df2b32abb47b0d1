/*
 * phone_token: the token behind a kiosk's "Tell us more" QR code, read and
 * checked on the dashboard's side (docs/COMMENTS.md, "The token"):
 *
 *   token   = base64url(payload) "." base64url(mac)       (no padding)
 *   payload = "1|" kiosk_id "|" incarnation "|" tap_id "|" department "|"
 *             rating "|" tap_ms "|" lang
 *   mac     = the first 16 bytes of HMAC-SHA-256(comment_key, payload)
 *
 * Parsing trusts nothing: every field is checked for its alphabet and
 * range before anything else reads it.  No database here (phone_comment.h
 * looks the kiosk up).
 */
#ifndef WOW_PHONE_TOKEN_H
#define WOW_PHONE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHONE_TOKEN_MAX       512 /* bytes of a token, with its NUL (the kiosk's limit too) */
#define PHONE_TOKEN_MAC_BYTES 16
#define PHONE_TOKEN_KEY_BYTES 32
#define PHONE_TOKEN_FIELD     64 /* an id field's bytes with the NUL (DASH_ID_MAX) */

/* A token's fields, copied out of it. */
struct phone_token {
    char kiosk_id[PHONE_TOKEN_FIELD];
    char incarnation[PHONE_TOKEN_FIELD];
    int64_t tap_id; /* > 0 */
    char department[PHONE_TOKEN_FIELD];
    int rating; /* 1..4 */
    int64_t tap_ms;
    char lang[16]; /* "en", "fi", "de-AT": letters, '-' */
    char payload[PHONE_TOKEN_MAX];
    size_t payload_len;
    unsigned char mac[PHONE_TOKEN_MAC_BYTES];
};

/* Whether c is a character a token may hold (base64url and the dot). */
bool phone_token_char(char c);

/* Reads text into out; false when it is not a well-formed token (wrong
 * shape, version, alphabet or range: malformed, not forged). */
bool phone_token_parse(const char *text, struct phone_token *out);

/* Whether t's MAC is the one key_hex (64 hex digits, kiosks.comment_key)
 * makes of its payload; false for a key that is not 64 hex digits
 * (a kiosk that sent none yet).  Compared in constant time. */
bool phone_token_verify(const struct phone_token *t, const char *key_hex);

#endif
