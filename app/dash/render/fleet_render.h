/*
 * fleet_render: the fleet page's summary and table as HTML, from the rows
 * and order fleet.h computes.
 */
#ifndef WOW_FLEET_RENDER_H
#define WOW_FLEET_RENDER_H

#include <stdint.h>
#include <stddef.h>

#include "fleet.h"

struct page_ctx;
struct strbuf;

/* Appends the summary line ("12 kiosks, 2 silent, 1 with errors") and a
 * note saying what silent means and the time of the page (ctx->now_ms),
 * in ctx's language. */
void fleet_render_summary(const struct page_ctx *ctx, const struct fleet_summary *summary,
                          int64_t silent_after_ms, struct strbuf *out);

/* Appends a table of rows[0..n) (borrowed, of fleet: its names and
 * newest catalog version), in that order; every text escaped.  A
 * department shows by its catalog name; one the catalog does not name,
 * when it names any, as "unknown department X (kiosk K)"; a picker
 * kiosk's as its list.  Below 40em wide (phones) each row reads as a
 * card. */
/* The newest rollout of a system bundle: its stage, how far it got, why it
 * paused; nothing when there never was one. */
void fleet_render_rollout(const struct page_ctx *ctx, const struct fleet_rollout *rollout,
                          struct strbuf *out);

void fleet_render_table(const struct page_ctx *ctx, const struct fleet *fleet,
                        const struct fleet_kiosk *const *rows, size_t n, int64_t silent_after_ms,
                        struct strbuf *out);

#endif
