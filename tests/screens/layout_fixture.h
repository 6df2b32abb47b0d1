/*
 * layout_fixture: configs and catalogs built by hand for the ui tests, so
 * a layout can be checked for every screen, canvas and language without
 * reading files.
 */
#ifndef WOW_TEST_LAYOUT_FIXTURE_H
#define WOW_TEST_LAYOUT_FIXTURE_H

#include <stdbool.h>

#include "config.h"
#include "i18n.h"
#include "ui.h"

/* What to put into a hand-made config. */
struct fixture_shape {
    int languages;   /* 1..3: en, fi, de (in that order) */
    bool picker;     /* picker mode (else single) */
    int departments; /* 1..CONFIG_MAX_DEPARTMENTS */
    int reasons;     /* per list, 0..CONFIG_MAX_REASONS */
    bool long_texts; /* long German-style names and labels */
};

/* Fills *config (zeroed first) as shape says. */
void fixture_config(struct config *config, const struct fixture_shape *shape);

/* A small Finnish catalog that translates some of the kiosk's msgids and
 * deliberately leaves "Unhappy" and "Back" out.  Free with i18n_catalog_destroy. */
struct i18n_catalog *fixture_finnish(void);

/* The Finnish catalog's text for the msgids it has, for assertions. */
#define FIXTURE_FI_SKIP     "Ohita"
#define FIXTURE_FI_QUESTION "Miten onnistuimme tänään?"

#endif
