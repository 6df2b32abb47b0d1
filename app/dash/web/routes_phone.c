/*
 * routes_phone: GET and POST /c/TOKEN, the public comment form behind a
 * kiosk's QR code (docs/COMMENTS.md).  No session: the token is the
 * permission, checked on every request (phone_comment.h); the client's
 * address and the token's kiosk are rate-limited (phone_limits.h); the
 * page speaks the token's language.
 *
 *   200 the form (GET), the thank-you (POST)     404 not a token
 *   403 forged, or the visit's comments are in   409 already sent
 *   410 expired     422 the words refused (the form again, with them)
 *   429 too many (Retry-After)                   503 the database
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comment_check.h"
#include "dashdb.h"
#include "log.h"
#include "pages.h"
#include "phone_comment.h"
#include "phone_limits.h"
#include "router_private.h"
#include "trust.h"

/* A body longer than this many bytes is refused before it is copied: 500
 * characters of 4 bytes each, and room for line breaks sent as CR LF. */
/* A msgid of the pages' catalog (scripts/dash_pot.py collects it). */
#define N_(text) text

#define PHONE_BODY_MAX_BYTES (4 * COMMENT_CHECK_MAX_CHARS + 2 * COMMENT_CHECK_MAX_CHARS)

static const struct page_lang *phone_lang(struct route_ctx *c, const char *token_lang)
{
    return page_langs_pick(c->rt->langs, token_lang && token_lang[0] ? token_lang : NULL,
                           c->req->accept_language);
}

static void refuse(struct route_ctx *c, const struct page_lang *lang, unsigned status,
                   const char *message)
{
    page_phone_refused(lang, status, message, &c->reply->body);
    route_html_done(c, status);
}

static void too_many(struct route_ctx *c, const struct page_lang *lang, int64_t retry_ms)
{
    char header[32];
    snprintf(header, sizeof header, "%lld", (long long)(retry_ms + 999) / 1000);
    http_reply_header(c->reply, "Retry-After", header);
    refuse(c, lang, 429, N_("Too many comments from here just now; please try again later."));
}

/* The reply for a token that may not be used. */
static void refuse_token(struct route_ctx *c, const struct page_lang *lang, enum phone_status st)
{
    switch (st) {
    case PHONE_MALFORMED:
        refuse(c, lang, 404, N_("This link is not complete. Please scan the code again."));
        return;
    case PHONE_FORGED:
        refuse(c, lang, 403, N_("This link is not valid."));
        return;
    case PHONE_EXPIRED:
        refuse(c, lang, 410,
               N_("This link has expired: a comment can be sent within 30 minutes of the "
                  "visit."));
        return;
    case PHONE_USED:
        refuse(c, lang, 409, N_("A comment was already sent with this link. Thank you!"));
        return;
    case PHONE_FULL:
        refuse(c, lang, 403, N_("This visit's comments have all been sent."));
        return;
    case PHONE_OK:
    case PHONE_ERROR:
        break;
    }
    log_warn("phone comment: %s", c->err);
    refuse(c, lang, 503, N_("The service is not available just now; please try again later."));
}

static void phone_post(struct route_ctx *c, const char *token, const struct phone_token *t,
                       const struct page_lang *lang)
{
    int64_t retry_ms = 0;
    if (!phone_limits_take(c->rt->phone_limits, "kiosk", t->kiosk_id, PHONE_LIMIT_KIOSK, c->now_ms,
                           &retry_ms)) {
        too_many(c, lang, retry_ms);
        return;
    }
    const char *sent = http_form(c->req, "body");
    size_t n = sent ? strlen(sent) : 0;
    char *body = malloc(n + 1);
    if (!body) {
        c->reply->failed = true;
        return;
    }
    memcpy(body, sent ? sent : "", n + 1);
    enum comment_check_verdict v =
        n > PHONE_BODY_MAX_BYTES ? COMMENT_CHECK_LONG : comment_check(body);
    if (v != COMMENT_CHECK_OK) {
        /* shown again to be mended: only when it is text a page may hold */
        bool again = v == COMMENT_CHECK_LONG || v == COMMENT_CHECK_EMPTY;
        page_phone_form(lang, token, t->rating, page_phone_verdict(v),
                        again && n <= PHONE_BODY_MAX_BYTES ? body : "", &c->reply->body);
        route_html_done(c, 422);
        free(body);
        return;
    }
    enum phone_status st = phone_comment_insert(c->db, t, body, c->now_ms, c->err, sizeof c->err);
    free(body);
    if (st != PHONE_OK) {
        refuse_token(c, lang, st);
        return;
    }
    page_phone_sent(lang, &c->reply->body);
    route_html_done(c, 200);
}

void handle_phone(struct route_ctx *c, const struct route_match *m)
{
    const char *token = c->req->path + strlen("/c/");
    int64_t retry_ms = 0;
    if (c->rt->phone_limits && !phone_limits_take(c->rt->phone_limits, "address", c->req->client,
                                                  PHONE_LIMIT_ADDRESS, c->now_ms, &retry_ms)) {
        too_many(c, phone_lang(c, NULL), retry_ms);
        return;
    }
    if (c->req->method == HTTP_POST) {
        const char *refusal = trust_post_refusal(c->rt->trust, c->req->host, c->req->origin);
        if (refusal) {
            refuse(c, phone_lang(c, NULL), 403, refusal);
            return;
        }
    }
    struct phone_token t;
    if (!phone_token_parse(token, &t)) {
        refuse_token(c, phone_lang(c, NULL), PHONE_MALFORMED);
        return;
    }
    const struct page_lang *lang = phone_lang(c, t.lang);
    c->db = dashdb_pool_take(c->rt->pool, c->err, sizeof c->err);
    enum phone_status st =
        c->db ? phone_comment_check(c->db, token, c->now_ms, &t, c->err, sizeof c->err)
              : PHONE_ERROR;
    if (st != PHONE_OK) {
        refuse_token(c, lang, st);
        return;
    }
    if (c->req->method == HTTP_POST && c->rt->phone_limits)
        phone_post(c, token, &t, lang);
    else if (c->req->method == HTTP_POST)
        refuse(c, lang, 503, N_("The service is not available just now; please try again later."));
    else {
        page_phone_form(lang, token, t.rating, NULL, NULL, &c->reply->body);
        route_html_done(c, 200);
    }
}
