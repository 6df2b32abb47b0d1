/*
 * page_catalog: the Catalog page (docs/CATALOG.md, "Who may change it"):
 * for an admin, the versions with who, when and note, the newest document
 * in an editor, and per reason its label and per department its name and
 * question in each language; for a department head, only the question
 * forms of the departments an admin let its head edit, within the head's
 * scope.  Every form POSTs with the session's csrf field.  A pure
 * function of struct page_catalog_view, like every page (pages.h).
 */
#ifndef WOW_PAGE_CATALOG_H
#define WOW_PAGE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog_db.h"
#include "config.h"

struct page_ctx;
struct strbuf;

/* A reason (name: its label) or a department (name and question). */
struct page_catalog_item {
    char id[CONFIG_ID_MAX];
    struct config_text name;
    struct config_text question;
    struct config_text we_did; /* a department: "You said, we did" */
    char we_did_from[11];      /* YYYY-MM-DD or "" */
    char we_did_until[11];
    bool we_did_score;         /* this week's figure beside the note */
    char comments[9];          /* "Tell us more": off, negative, any; "": off */
    bool head_edits;           /* a department: its head may edit its question and note */
    char owner[CONFIG_ID_MAX]; /* a reason: the department owning its cause; "" none */
};

/* What the page shows; every pointer borrowed. */
struct page_catalog_view {
    bool admin;           /* every form; else the question forms of departments[] only */
    int64_t version;      /* the newest, 0: the catalog is empty */
    const char *document; /* the editor's text (the newest, or what a refused post sent) */
    const struct catalog_db_version *versions;
    size_t version_count;
    int language_count;
    const char (*languages)[8]; /* language_count codes, the first language first */
    const struct page_catalog_item *reasons;
    int reason_count;
    const struct page_catalog_item *departments;
    int department_count;
    int64_t saved;             /* a version just made (the redirect's ?saved=N), else 0 */
    const char *const *errors; /* why a post was refused, FILE:LINE: key: message lines */
    int error_count;
};

/* Appends the page to out (pages.h: a complete HTML document). */
void page_catalog(const struct page_ctx *ctx, const struct page_catalog_view *v,
                  struct strbuf *out);

#endif
