/*
 * comment_token: the phone comment's signed token (see comment_token.h):
 * HMAC-SHA-256 from libsodium, cut to 16 bytes, both halves in base64url
 * without padding.
 */
#include "comment_token.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static bool field_ok(const char *s)
{
    return s != NULL && s[0] != '\0' && strchr(s, '|') == NULL;
}

bool comment_token_payload(const struct comment_token_tap *t, char *buf, size_t size)
{
    if (!field_ok(t->kiosk_id) || !field_ok(t->incarnation) || !field_ok(t->department) ||
        !field_ok(t->lang) || t->rating < 1 || t->rating > 4 || t->tap_id <= 0)
        return false;
    int n = snprintf(buf, size, "1|%s|%s|%" PRId64 "|%s|%d|%" PRId64 "|%s", t->kiosk_id,
                     t->incarnation, t->tap_id, t->department, t->rating, t->tap_ms, t->lang);
    return n > 0 && (size_t)n < size;
}

bool comment_token_make(const struct comment_token_tap *tap,
                        const unsigned char key[COMMENT_TOKEN_KEY_BYTES], char *buf, size_t size)
{
    char payload[COMMENT_TOKEN_MAX];
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    if (sodium_init() < 0 || !comment_token_payload(tap, payload, sizeof payload))
        return false;
    size_t len = strlen(payload);
    crypto_auth_hmacsha256(mac, (const unsigned char *)payload, len, key);
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    size_t head = sodium_base64_encoded_len(len, variant); /* with its NUL */
    size_t tail = sodium_base64_encoded_len(COMMENT_TOKEN_MAC_BYTES, variant);
    if (head + tail > size)
        return false;
    sodium_bin2base64(buf, head, (const unsigned char *)payload, len, variant);
    size_t at = strlen(buf);
    buf[at] = '.';
    sodium_bin2base64(buf + at + 1, size - at - 1, mac, COMMENT_TOKEN_MAC_BYTES, variant);
    sodium_memzero(mac, sizeof mac);
    return true;
}
