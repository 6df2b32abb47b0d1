/*
 * phone_token: a kiosk's comment token parsed and its MAC checked
 * (phone_token.h), with libsodium's HMAC-SHA-256.
 */
#include "phone_token.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

bool phone_token_char(char c)
{
    return c && strchr(ID_CHARS, c) != NULL;
}

/* base64url without padding, all of text[0..n), into out; its length or -1. */
static long decode(const char *text, size_t n, unsigned char *out, size_t size)
{
    size_t len = 0;
    const char *end = NULL;
    if (n == 0 ||
        sodium_base642bin(out, size, text, n, NULL, &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text + n)
        return -1;
    return (long)len;
}

/* A decimal field of digits only (no sign, no leading zero), in [lo, hi]. */
static bool field_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!s[0] || strspn(s, "0123456789") != strlen(s) || (s[0] == '0' && s[1]) || strlen(s) > 18)
        return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool field_id(const char *s, char *out, size_t size)
{
    size_t n = strlen(s);
    if (n == 0 || n >= size || strspn(s, ID_CHARS) != n)
        return false;
    memcpy(out, s, n + 1);
    return true;
}

static bool field_lang(const char *s, char *out, size_t size)
{
    size_t n = strlen(s);
    if (n < 2 || n >= size ||
        strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != n)
        return false;
    memcpy(out, s, n + 1);
    return true;
}

/* The payload's eight fields into t; false for any that is not right. */
static bool read_fields(struct phone_token *t)
{
    char copy[PHONE_TOKEN_MAX];
    memcpy(copy, t->payload, t->payload_len + 1);
    char *f[8];
    size_t n = 0;
    char *p = copy;
    for (;;) {
        if (n == 8)
            return false; /* a ninth field */
        f[n++] = p;
        char *bar = strchr(p, '|');
        if (!bar)
            break;
        *bar = '\0';
        p = bar + 1;
    }
    int64_t rating;
    return n == 8 && !strcmp(f[0], "1") && field_id(f[1], t->kiosk_id, sizeof t->kiosk_id) &&
           field_id(f[2], t->incarnation, sizeof t->incarnation) &&
           field_int(f[3], 1, INT64_MAX, &t->tap_id) &&
           field_id(f[4], t->department, sizeof t->department) && field_int(f[5], 1, 4, &rating) &&
           field_int(f[6], 0, INT64_MAX / 2, &t->tap_ms) &&
           field_lang(f[7], t->lang, sizeof t->lang) && ((t->rating = (int)rating), true);
}

bool phone_token_parse(const char *text, struct phone_token *out)
{
    *out = (struct phone_token){0};
    size_t n = text ? strlen(text) : 0;
    const char *dot = text ? strchr(text, '.') : NULL;
    if (n == 0 || n >= PHONE_TOKEN_MAX || !dot || strchr(dot + 1, '.'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!phone_token_char(text[i]))
            return false;
    unsigned char mac[PHONE_TOKEN_MAC_BYTES + 1];
    long len =
        decode(text, (size_t)(dot - text), (unsigned char *)out->payload, sizeof out->payload - 1);
    if (len <= 0 || decode(dot + 1, strlen(dot + 1), mac, sizeof mac) != PHONE_TOKEN_MAC_BYTES)
        return false;
    out->payload_len = (size_t)len;
    out->payload[len] = '\0';
    if (strlen(out->payload) != out->payload_len) /* a NUL inside */
        return false;
    memcpy(out->mac, mac, PHONE_TOKEN_MAC_BYTES);
    return read_fields(out);
}

bool phone_token_verify(const struct phone_token *t, const char *key_hex)
{
    unsigned char key[PHONE_TOKEN_KEY_BYTES], full[crypto_auth_hmacsha256_BYTES];
    size_t key_len = 0;
    const char *end = NULL;
    if (!key_hex || strlen(key_hex) != 2 * PHONE_TOKEN_KEY_BYTES ||
        sodium_hex2bin(key, sizeof key, key_hex, strlen(key_hex), NULL, &key_len, &end) != 0 ||
        key_len != sizeof key || sodium_init() < 0)
        return false;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, sizeof key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t->payload, t->payload_len);
    crypto_auth_hmacsha256_final(&st, full);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&st, sizeof st);
    return sodium_memcmp(full, t->mac, PHONE_TOKEN_MAC_BYTES) == 0;
}
