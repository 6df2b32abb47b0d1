/*
 * layout_fixture: hand-made configs and a small catalog (see
 * layout_fixture.h).
 */
#include <stdio.h>
#include <string.h>

#include "layout_fixture.h"

static const char *const fixture_short_names[] = {
    "Front desk", "Pharmacy", "Lab", "Radiology", "Cafeteria", "Parking",
};
static const char *const fixture_long_names[] = {
    "Kundenservice und Beschwerdemanagement",        "Apotheke",  "Labor",
    "Radiologie und Nuklearmedizinische Diagnostik", "Cafeteria", "Parkhausverwaltung",
};
static const char *const fixture_reasons[] = {
    "Friendly staff", "Short wait", "Clear information", "Clean place", "Fair price", "Other",
};
static const char *const fixture_long_reasons[] = {
    "Außerordentlich freundliche Mitarbeiterinnen und Mitarbeiter",
    "Kurze Wartezeit",
    "Verständliche Informationen zu allen Behandlungsschritten",
    "Sauberkeit",
    "Preis-Leistungs-Verhältnis",
    "Sonstiges",
};

void fixture_config(struct config *config, const struct fixture_shape *shape)
{
    static const char *const codes[] = {"en", "fi", "de"};
    memset(config, 0, sizeof *config);
    snprintf(config->kiosk_id, sizeof config->kiosk_id, "test-kiosk");
    config->language_count = shape->languages;
    for (int i = 0; i < shape->languages && i < 3; i++)
        snprintf(config->languages[i], sizeof config->languages[i], "%s", codes[i]);
    config->mode = shape->picker ? CONFIG_MODE_PICKER : CONFIG_MODE_SINGLE;
    config->department_count = shape->departments;
    const char *const *names = shape->long_texts ? fixture_long_names : fixture_short_names;
    for (int i = 0; i < shape->departments; i++) {
        struct config_department *d = &config->departments[i];
        snprintf(d->id, sizeof d->id, "dept%d", i);
        /* Past the named six: numbered, to fill a big picker. */
        if (i < 6)
            snprintf(d->name.lang[0], CONFIG_TEXT_MAX, "%s", names[i]);
        else
            snprintf(d->name.lang[0], CONFIG_TEXT_MAX, "Counter %d", i + 1);
        d->customer_facing = true;
    }
    if (shape->languages > 1) /* one configured translation, the rest from the catalog */
        snprintf(config->departments[0].name.lang[1], CONFIG_TEXT_MAX, "Asiakaspalvelu");
    config->followup_enabled = shape->reasons > 0;
    config->positive_count = shape->reasons;
    config->negative_count = shape->reasons;
    const char *const *labels = shape->long_texts ? fixture_long_reasons : fixture_reasons;
    for (int i = 0; i < shape->reasons; i++) {
        snprintf(config->positive[i].id, CONFIG_ID_MAX, "pos%d", i);
        snprintf(config->negative[i].id, CONFIG_ID_MAX, "neg%d", i);
        snprintf(config->positive[i].label.lang[0], CONFIG_TEXT_MAX, "%s", labels[i]);
        snprintf(config->negative[i].label.lang[0], CONFIG_TEXT_MAX, "%s", labels[5 - i]);
    }
    config->ack_ms = 150;
    config->thanks_ms = 2500;
    config->followup_timeout_ms = 10000;
    config->picker_timeout_ms = 20000;
    snprintf(config->timezone, sizeof config->timezone, "UTC");
}

struct i18n_catalog *fixture_finnish(void)
{
    static const char po[] =
        "msgid \"\"\n"
        "msgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
        "msgid \"How did we do today?\"\nmsgstr \"" FIXTURE_FI_QUESTION "\"\n\n"
        "msgid \"Very unhappy\"\nmsgstr \"Erittäin tyytymätön\"\n\n"
        "msgid \"Happy\"\nmsgstr \"Tyytyväinen\"\n\n"
        "msgid \"Skip\"\nmsgstr \"" FIXTURE_FI_SKIP "\"\n\n"
        "msgid \"Thank you!\"\nmsgstr \"Kiitos!\"\n\n"
        "msgid \"Short wait\"\nmsgstr \"Lyhyt odotus\"\n\n"
        "msgid \"Pharmacy\"\nmsgstr \"Apteekki\"\n";
    char err[256];
    return i18n_catalog_parse("fixture-fi.po", po, err, sizeof err);
}
