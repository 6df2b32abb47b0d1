/*
 * page_phone: the public page behind a kiosk's "Tell us more" QR code
 * (docs/COMMENTS.md): the comment form, its thank-you, and why a link
 * cannot be used.  No session, no script, no nav bar: a phone of 360 px
 * reads it in the language the customer used at the kiosk.
 */
#include <stdbool.h>
#include <stdio.h>

#include "html.h"
#include "page_lang.h"
#include "pages.h"
#include "pages_private.h"
#include "strbuf.h"

static const char *const face_words[] = {
    NULL,
    N_("You told us you were very unhappy."),
    N_("You told us you were unhappy."),
    N_("You told us you were happy."),
    N_("You told us you were very happy."),
};

static void phone_begin(struct strbuf *out, const struct page_ctx *ctx, const char *title)
{
    html_page_head(out, ctx->lang ? ctx->lang->code : NULL, title);
    strbuf_puts(out, "<main class=\"phone\">\n<h1>");
    html_escape(out, title);
    strbuf_puts(out, "</h1>\n");
}

static void phone_end(struct strbuf *out)
{
    strbuf_puts(out, "</main>\n");
    html_page_end(out);
}

const char *page_phone_verdict(enum comment_check_verdict v)
{
    switch (v) {
    case COMMENT_CHECK_OK:
        return "";
    case COMMENT_CHECK_EMPTY:
        return N_("Please write a few words first.");
    case COMMENT_CHECK_LONG:
        return N_("Your comment is too long: at most 500 characters, please.");
    case COMMENT_CHECK_UTF8:
        return N_("Your comment holds characters that could not be read.");
    case COMMENT_CHECK_CONTROL:
    case COMMENT_CHECK_BIDI:
        return N_("Your comment holds invisible control characters; please type it again.");
    }
    return "";
}

void page_phone_form(const struct page_lang *lang, const char *token, int rating,
                     const char *message, const char *body, struct strbuf *out)
{
    struct page_ctx ctx = {.lang = lang};
    phone_begin(out, &ctx, page_tr(&ctx, "Tell us more"));
    strbuf_puts(out, "<p class=\"lead\">");
    if (rating >= 1 && rating <= 4) {
        page_text(out, &ctx, face_words[rating]);
        strbuf_puts(out, " ");
    }
    page_text(out, &ctx, "What happened? Your words go to the team that served you.");
    strbuf_puts(out, "</p>\n");
    if (message && message[0]) {
        strbuf_puts(out, "<p class=\"failure\" role=\"alert\">");
        page_text(out, &ctx, message);
        strbuf_puts(out, "</p>\n");
    }
    strbuf_puts(out, "<form method=\"post\" class=\"phone\" action=\"/c/");
    html_escape(out, token);
    strbuf_puts(out, "\"><label for=\"c-body\">");
    page_text(out, &ctx, "Your comment");
    strbuf_puts(out, "</label><textarea id=\"c-body\" name=\"body\" rows=\"7\" maxlength=\"500\" "
                     "required aria-describedby=\"c-hint\">");
    html_escape(out, body ? body : "");
    strbuf_puts(out, "</textarea><p id=\"c-hint\" class=\"hint\">");
    page_text(out, &ctx,
              "At most 500 characters. Please leave out names, phone numbers and e-mail "
              "addresses.");
    strbuf_puts(out, "</p><button type=\"submit\">");
    page_text(out, &ctx, "Send");
    strbuf_puts(out, "</button></form>\n");
    phone_end(out);
}

void page_phone_sent(const struct page_lang *lang, struct strbuf *out)
{
    struct page_ctx ctx = {.lang = lang};
    phone_begin(out, &ctx, page_tr(&ctx, "Thank you!"));
    strbuf_puts(out, "<p class=\"lead\" role=\"status\">");
    page_text(out, &ctx, "Your comment was sent. You may close this page.");
    strbuf_puts(out, "</p>\n");
    phone_end(out);
}

void page_phone_refused(const struct page_lang *lang, unsigned status, const char *message,
                        struct strbuf *out)
{
    struct page_ctx ctx = {.lang = lang};
    phone_begin(out, &ctx, page_tr(&ctx, "This link cannot be used"));
    strbuf_puts(out, "<p class=\"failure\" role=\"alert\" data-status=\"");
    strbuf_int(out, status);
    strbuf_puts(out, "\">");
    page_text(out, &ctx, message);
    strbuf_puts(out, "</p>\n<p class=\"hint\">");
    page_text(out, &ctx, "Thank you for your feedback all the same.");
    strbuf_puts(out, "</p>\n");
    phone_end(out);
}
