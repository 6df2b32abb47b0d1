/*
 * test_catalog: the fleet's catalog (app/core/catalog.h, docs/CATALOG.md).
 *  - every config file of the test suite and every example of README.md
 *    and the docs imports (as a kiosk file) exactly when the kiosk takes
 *    it, and exports as a fixpoint: export(parse(export(x))) == export(x);
 *  - for each such kiosk file F, the config from F alone and the config
 *    from F's local keys plus catalog_render(parse(F)) as the catalog
 *    layer agree on every central field;
 *  - renderings for single and picker kiosks; the catalog layer replacing
 *    lists; local keys refused with FILE:LINE; merge conflicts naming both
 *    places; values that would not read back refused.
 * Hostile inputs: test_catalog_hostile.c.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "file.h"

#define MAX_SAMPLES 64

/* One config text the suite or the docs hold. */
struct sample {
    char name[256];
    char *text; /* owned */
    bool fleet; /* a fleet document: the catalog's, never a kiosk's */
};

static struct sample samples[MAX_SAMPLES];
static int sample_count;

static void add_sample(const char *name, const char *text, size_t len, bool fleet)
{
    assert_true(sample_count < MAX_SAMPLES);
    struct sample *s = &samples[sample_count++];
    assert_true(snprintf(s->name, sizeof s->name, "%s", name) < (int)sizeof s->name);
    s->text = strndup(text, len);
    s->fleet = fleet;
    assert_non_null(s->text);
}

static char *read_source(const char *path)
{
    char full[512];
    int err_no = 0;
    assert_true(snprintf(full, sizeof full, "%s/%s", WOW_SOURCE_DIR, path) < (int)sizeof full);
    char *text = file_read_text(full, &err_no);
    if (text == NULL)
        fail_msg("%s: %s", full, strerror(err_no));
    return text;
}

/* Every ```ini block of a document. */
static void add_examples(const char *doc, bool fleet)
{
    char *text = read_source(doc);
    int n = 0;
    for (const char *p = strstr(text, "```ini\n"); p != NULL; p = strstr(p, "```ini\n")) {
        p += 7;
        const char *end = strstr(p, "```");
        assert_non_null(end);
        char name[256];
        snprintf(name, sizeof name, "%s#%d", doc, ++n);
        add_sample(name, p, (size_t)(end - p), fleet);
        p = end;
    }
    free(text);
}

static int load_samples(void **state)
{
    (void)state;
    static const char *const dirs[] = {"tests/fuzz/corpus/config", "platform/rpi"};
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        char full[512];
        snprintf(full, sizeof full, "%s/%s", WOW_SOURCE_DIR, dirs[d]);
        DIR *dir = opendir(full);
        if (dir == NULL)
            return -1;
        for (struct dirent *e; (e = readdir(dir)) != NULL;) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
            char *text = read_source(path);
            add_sample(path, text, strlen(text), false);
            free(text);
        }
        closedir(dir);
    }
    add_examples("README.md", false);
    add_examples("docs/CONFIG.md", false);
    add_examples("docs/SYNC.md", false);
    add_examples("docs/CATALOG.md", true);
    return 0;
}

static int free_samples(void **state)
{
    (void)state;
    for (int i = 0; i < sample_count; i++)
        free(samples[i].text);
    return 0;
}

static void print_errors(const struct config_errors *errors)
{
    for (int i = 0; i < errors->count; i++) {
        char line[512];
        config_error_format(&errors->error[i], line, sizeof line);
        print_message("  %s\n", line);
    }
}

/* The first error as "FILE:LINE: key: message". */
static const char *first_error(const struct config_errors *errors)
{
    static char line[512];
    assert_true(errors->count > 0);
    config_error_format(&errors->error[0], line, sizeof line);
    return line;
}

static struct catalog *parse_one(const char *name, const char *text, struct config_errors *errors)
{
    return catalog_parse(&name, &text, 1, errors);
}

static struct config_errors errors;
static struct config config_a, config_b;

/* ---- import, export, fixpoint ------------------------------------------ */

static void assert_fixpoint(const char *name, struct catalog *cat)
{
    char *first = catalog_export(cat);
    assert_non_null(first);
    struct catalog *again = parse_one("export", first, &errors);
    if (again == NULL) {
        print_message("%s exported as:\n%s", name, first);
        print_errors(&errors);
        fail_msg("%s: its export does not parse", name);
    }
    char *second = catalog_export(again);
    assert_non_null(second);
    if (strcmp(first, second) != 0)
        fail_msg("%s: export is no fixpoint:\n%s\n---\n%s", name, first, second);
    free(second);
    free(first);
    catalog_free(again);
}

static void test_every_sample_imports_and_round_trips(void **state)
{
    (void)state;
    int imported = 0;
    assert_true(sample_count >= 10);
    for (int i = 0; i < sample_count; i++) {
        const struct sample *s = &samples[i];
        bool kiosk_takes = s->fleet || config_parse(&config_a, s->name, s->text, &errors);
        struct catalog *cat = parse_one(s->name, s->text, &errors);
        bool catalog_takes = cat != NULL && catalog_check(cat, NULL, 0, &errors);
        if (kiosk_takes != catalog_takes) {
            print_errors(&errors);
            fail_msg("%s: the kiosk %s it, the catalog %s it", s->name,
                     kiosk_takes ? "takes" : "refuses", catalog_takes ? "takes" : "refuses");
        }
        if (cat != NULL)
            assert_fixpoint(s->name, cat);
        imported += cat != NULL && kiosk_takes;
        catalog_free(cat);
    }
    print_message("%d of %d samples imported\n", imported, sample_count);
    assert_true(imported >= 9);
}

/* The local keys of config c as a boot file. */
static void local_layer(const struct config *c, char *buf, size_t size)
{
    snprintf(buf, size,
             "[kiosk]\nid = %s\n[screen]\nrotation = %d\n[store]\npath = %s\n"
             "[sync]\ntarget = %s\ninterval_s = %lld.%03lld\nbackoff_max_s = %lld.%03lld\n"
             "[technician]\npin_hash = %s\n",
             c->kiosk_id, c->rotation, c->store_path, c->sync_target,
             (long long)(c->sync_interval_ms / 1000), (long long)(c->sync_interval_ms % 1000),
             (long long)(c->sync_backoff_max_ms / 1000), (long long)(c->sync_backoff_max_ms % 1000),
             c->technician_pin_hash);
}

static void assert_text_equal(const char *what, const struct config_text *a,
                              const struct config_text *b)
{
    for (int l = 0; l < CONFIG_MAX_LANGUAGES; l++)
        if (strcmp(a->lang[l], b->lang[l]) != 0)
            fail_msg("%s[%d]: '%s' alone, '%s' through the catalog", what, l, a->lang[l],
                     b->lang[l]);
}

static void assert_reasons_equal(const char *what, const struct config_reason *a,
                                 const struct config_reason *b, int n)
{
    for (int i = 0; i < n; i++) {
        assert_string_equal(a[i].id, b[i].id);
        assert_text_equal(what, &a[i].label, &b[i].label);
    }
}

static void assert_department_equal(const struct config_department *x,
                                    const struct config_department *y)
{
    assert_string_equal(x->id, y->id);
    assert_text_equal("department name", &x->name, &y->name);
    assert_text_equal("department question", &x->question, &y->question);
    assert_string_equal(x->group, y->group);
    assert_int_equal(x->customer_facing, y->customer_facing);
}

/* Picker: every department, in order.  Single: the department rated (the
 * catalog gives a single-mode kiosk only that one, docs/CATALOG.md). */
static void assert_departments_equal(const struct config *a, const struct config *b)
{
    if (a->mode == CONFIG_MODE_SINGLE) {
        assert_department_equal(&a->departments[a->department], &b->departments[b->department]);
        return;
    }
    assert_int_equal(a->department_count, b->department_count);
    for (int i = 0; i < a->department_count; i++)
        assert_department_equal(&a->departments[i], &b->departments[i]);
}

static void assert_hours_equal(const struct hours *a, const struct hours *b)
{
    assert_int_equal(a->always_open, b->always_open);
    for (int d = 0; d < 7; d++) {
        assert_int_equal(a->count[d], b->count[d]);
        assert_memory_equal(a->range[d], b->range[d], (size_t)a->count[d] * sizeof a->range[d][0]);
    }
}

/* Every field a key of scope "both" or "catalog" sets. */
static void assert_central_equal(const struct config *a, const struct config *b)
{
    assert_string_equal(a->site, b->site);
    assert_string_equal(a->label, b->label);
    assert_int_equal(a->language_count, b->language_count);
    assert_memory_equal(a->languages, b->languages, sizeof a->languages);
    assert_int_equal(a->mode, b->mode);
    assert_departments_equal(a, b);
    assert_text_equal("question", &a->question, &b->question);
    assert_int_equal(a->followup_enabled, b->followup_enabled);
    assert_int_equal(a->positive_count, b->positive_count);
    assert_int_equal(a->negative_count, b->negative_count);
    assert_reasons_equal("positive", a->positive, b->positive, a->positive_count);
    assert_reasons_equal("negative", a->negative, b->negative, a->negative_count);
    assert_int_equal(a->followup_timeout_ms, b->followup_timeout_ms);
    assert_int_equal(a->ack_ms, b->ack_ms);
    assert_int_equal(a->thanks_ms, b->thanks_ms);
    assert_int_equal(a->picker_timeout_ms, b->picker_timeout_ms);
    assert_int_equal(a->sleep_when_closed, b->sleep_when_closed);
    assert_string_equal(a->timezone, b->timezone);
    assert_hours_equal(&a->hours, &b->hours);
    assert_memory_equal(&a->press_filter, &b->press_filter, sizeof a->press_filter);
}

static void test_rendering_gives_the_kiosk_its_own_config(void **state)
{
    (void)state;
    int compared = 0;
    for (int i = 0; i < sample_count; i++) {
        const struct sample *s = &samples[i];
        if (s->fleet || !config_parse(&config_a, s->name, s->text, &errors))
            continue;
        struct catalog *cat = parse_one(s->name, s->text, &errors);
        assert_non_null(cat);
        char local[2048];
        local_layer(&config_a, local, sizeof local);
        char *rendering = catalog_render(cat, config_a.kiosk_id, 42);
        assert_non_null(rendering);
        const char *names[] = {"boot.conf", "catalog.conf"};
        const char *texts[] = {local, rendering};
        if (!config_parse_layers(&config_b, names, texts, 2, &errors)) {
            print_message("%s rendered as:\n%s", s->name, rendering);
            print_errors(&errors);
            fail_msg("%s: its rendering is refused", s->name);
        }
        print_message("%s\n", s->name);
        assert_int_equal(config_b.catalog_version, 42);
        assert_central_equal(&config_a, &config_b);
        compared++;
        free(rendering);
        catalog_free(cat);
    }
    assert_true(compared >= 8);
}

/* One kiosk's own layers (the image's file and a boot file) seed a
 * catalog whose rendering gives the kiosk back what the layers say. */
static void assert_layers_render_back(const char *image, const char *boot_file)
{
    const char *names[] = {"kiosk.conf", "wowkiosk.conf"};
    const char *texts[] = {image, boot_file};
    if (!config_parse_layers(&config_a, names, texts, 2, &errors)) {
        print_errors(&errors);
        fail_msg("the layers were refused");
    }
    struct catalog *cat = catalog_parse_layers(names, texts, 2, &errors);
    if (cat == NULL) {
        print_errors(&errors);
        fail_msg("catalog_parse_layers refused what the kiosk takes");
    }
    assert_int_equal(catalog_kiosk_count(cat), 1);
    assert_string_equal(catalog_kiosk_id(cat, 0), config_a.kiosk_id);
    char local[2048];
    local_layer(&config_a, local, sizeof local);
    char *rendering = catalog_render(cat, config_a.kiosk_id, 1);
    const char *layered[] = {local, rendering};
    if (!config_parse_layers(&config_b, names, layered, 2, &errors)) {
        print_message("%s", rendering);
        print_errors(&errors);
        fail_msg("the rendering was refused");
    }
    assert_central_equal(&config_a, &config_b);
    assert_fixpoint("layers", cat);
    free(rendering);
    catalog_free(cat);
}

/* A kiosk with no config file (make run) seeds its catalog from
 * config_defaults_ini: its rendering, as the only layer (the catalog layer
 * replaces every list), must give the kiosk what config_defaults() runs. */
static void test_the_defaults_seed_a_catalog(void **state)
{
    (void)state;
    const char *name = "(development defaults)", *text = config_defaults_ini;
    struct catalog *cat = catalog_parse_layers(&name, &text, 1, &errors);
    if (cat == NULL) {
        print_errors(&errors);
        fail_msg("config_defaults_ini was refused");
    }
    config_defaults(&config_a);
    char *rendering = catalog_render(cat, config_a.kiosk_id, 1);
    assert_non_null(rendering);
    const char *rname = "catalog v1";
    if (!config_parse_layers(&config_b, &rname, (const char *const *)&rendering, 1, &errors)) {
        print_message("%s", rendering);
        print_errors(&errors);
        fail_msg("the defaults' rendering was refused");
    }
    assert_central_equal(&config_a, &config_b);
    free(rendering);
    catalog_free(cat);
}

static void test_a_kiosks_layers_seed_its_catalog(void **state)
{
    (void)state;
    char *image = read_source("platform/rpi/kiosk.conf");
    const struct sample *readme = NULL;
    for (int i = 0; i < sample_count && readme == NULL; i++)
        if (strcmp(samples[i].name, "README.md#1") == 0)
            readme = &samples[i];
    assert_non_null(readme);
    assert_layers_render_back(image, readme->text);
    /* days in the boot file after always in the image: the days decide */
    assert_layers_render_back(image, "[kiosk]\nid = k2\nlanguages = en, fi\nsite = Mall\n"
                                     "[hours]\nmon = 09:00-12:00\n[followup]\nenabled = no\n");
    assert_false(config_b.hours.always_open);
    assert_layers_render_back("", ""); /* no files' keys at all: the defaults' kiosk */
    assert_string_equal(config_b.kiosk_id, "dev-kiosk");
    free(image);
}

/* ---- renderings ------------------------------------------------------- */

static const char fleet[] = "[kiosk]\n"
                            "languages = en, fi\n"
                            "question = How did we do?\n"
                            "[followup]\n"
                            "timeout_s = 9\n"
                            "[hours]\n"
                            "timezone = UTC\n"
                            "always = true\n"
                            "[group hq]\n"
                            "name = Head office\n"
                            "[group hq-floor1]\n"
                            "name = First floor\n"
                            "parent = hq\n"
                            "[site hq]\n"
                            "name = Head office\n"
                            "timezone = Europe/Helsinki\n"
                            "mon = 08:00-16:00\n"
                            "[department front]\n"
                            "name = Front desk\n"
                            "group = hq-floor1\n"
                            "question = How was the front desk?\n"
                            "question.fi = Miten vastaanotossa meni?\n"
                            "head_edits = yes\n"
                            "[department lab]\n"
                            "name = Lab\n"
                            "customer_facing = false\n"
                            "[department cafe]\n"
                            "name = Cafe\n"
                            "[reason quick]\n"
                            "label = Quick\n"
                            "for = positive\n"
                            "[kiosk lobby-1]\n"
                            "site = hq\n"
                            "department = front\n"
                            "[kiosk lobby-2]\n"
                            "mode = picker\n"
                            "departments = front, lab\n"
                            "question = Which team?\n"
                            "[kiosk lobby-3]\n"
                            "mode = picker\n";

/* Parses kiosk_id's rendering of fleet as that kiosk alone would. */
static void render_as(struct config *c, const char *kiosk_id)
{
    struct catalog *cat = parse_one("fleet.ini", fleet, &errors);
    if (cat == NULL) {
        print_errors(&errors);
        fail_msg("the fleet document was refused");
    }
    char *text = catalog_render(cat, kiosk_id, 3);
    assert_non_null(text);
    assert_non_null(strstr(text, "[catalog]\nversion = 3\n"));
    assert_null(strstr(text, "head_edits")); /* the dashboard's alone */
    if (!config_parse(c, kiosk_id, text, &errors)) {
        print_message("%s", text);
        print_errors(&errors);
        fail_msg("%s's rendering was refused", kiosk_id);
    }
    free(text);
    catalog_free(cat);
}

static void test_render_single_and_picker(void **state)
{
    (void)state;
    render_as(&config_a, "lobby-1"); /* single: that one department, its site's hours */
    assert_int_equal(config_a.mode, CONFIG_MODE_SINGLE);
    assert_int_equal(config_a.department_count, 1);
    assert_string_equal(config_a.departments[0].id, "front");
    assert_string_equal(config_a.departments[0].group, "hq-floor1");
    assert_string_equal(config_a.departments[0].question.lang[1], "Miten vastaanotossa meni?");
    assert_string_equal(config_a.site, "Head office");
    assert_string_equal(config_a.timezone, "Europe/Helsinki");
    assert_false(config_a.hours.always_open);
    assert_int_equal(config_a.hours.count[0], 1);
    assert_int_equal(config_a.hours.count[1], 0);
    assert_string_equal(config_a.question.lang[0], "How did we do?");
    assert_int_equal(config_a.followup_timeout_ms, 9000);
    assert_int_equal(config_a.catalog_version, 3);

    render_as(&config_a, "lobby-2"); /* picker with a list: those, its own question */
    assert_int_equal(config_a.mode, CONFIG_MODE_PICKER);
    assert_int_equal(config_a.department_count, 2);
    assert_string_equal(config_a.departments[1].id, "lab");
    assert_false(config_a.departments[1].customer_facing);
    assert_string_equal(config_a.question.lang[0], "Which team?");
    assert_true(config_a.hours.always_open); /* no site: the fleet's hours */
    assert_string_equal(config_a.timezone, "UTC");

    render_as(&config_a, "lobby-3"); /* picker without a list: every department */
    assert_int_equal(config_a.department_count, 3);
    assert_string_equal(config_a.departments[2].id, "cafe");
}

static void test_views(void **state)
{
    (void)state;
    struct catalog *cat = parse_one("fleet.ini", fleet, &errors);
    assert_non_null(cat);
    assert_int_equal(catalog_language_count(cat), 2);
    assert_string_equal(catalog_language(cat, 1), "fi");
    assert_int_equal(catalog_department_count(cat), 3);
    assert_string_equal(catalog_department_at(cat, 0)->name.lang[0], "Front desk");
    assert_string_equal(catalog_department_at(cat, 0)->group, "hq-floor1");
    assert_false(catalog_department_at(cat, 1)->customer_facing);
    assert_true(catalog_department_at(cat, 0)->head_edits);
    assert_false(catalog_department_at(cat, 1)->head_edits);
    assert_int_equal(catalog_group_count(cat), 2);
    assert_string_equal(catalog_group_at(cat, 1)->parent, "hq");
    assert_int_equal(catalog_reason_count(cat), 1);
    assert_string_equal(catalog_reason_at(cat, 0)->list, "positive");
    assert_int_equal(catalog_kiosk_count(cat), 3);
    assert_string_equal(catalog_kiosk_id(cat, 2), "lobby-3");
    assert_null(catalog_department_at(cat, 3));
    assert_true(catalog_check(cat, NULL, 0, &errors));
    /* a kiosk the database knows and the catalog does not: the fleet's
     * defaults, here single mode without a department */
    const char *known[] = {"lobby-9"};
    assert_false(catalog_check(cat, known, 1, &errors));
    assert_string_equal(first_error(&errors),
                        "fleet.ini:0: kiosk.department: kiosk lobby-9: single mode with 3 "
                        "departments needs department = ID; defined: front, lab, cafe");
    catalog_free(cat);
}

/* ---- the catalog layer ------------------------------------------------ */

static const char boot[] = "[kiosk]\nid = lobby-1\ndepartment = back\n"
                           "[department front]\nname = Front\n"
                           "[department back]\nname = Back\n"
                           "[reason slow]\nlabel = Slow\nfor = negative\n"
                           "[hours]\nmon = 08:00-17:00\ntue = 08:00-17:00\n";

static void test_catalog_layer_replaces_lists(void **state)
{
    (void)state;
    const char *names[] = {"kiosk.conf", "boot.conf", "catalog.conf", "technician.conf"};
    const char *texts[] = {"[kiosk]\nsite = Image\n", boot,
                           "[catalog]\nversion = 12\n[kiosk]\nmode = picker\n"
                           "[department lab]\nname = Lab\n[department cafe]\nname = Cafe\n"
                           "[reason quick]\nlabel = Quick\nfor = positive\n"
                           "[hours]\nwed = 10:00-12:00\n",
                           "[kiosk]\nmode = single\ndepartment = cafe\n"};
    if (!config_parse_layers(&config_a, names, texts, 4, &errors)) {
        print_errors(&errors);
        fail_msg("four layers refused");
    }
    assert_int_equal(config_a.catalog_version, 12);
    assert_int_equal(config_a.department_count, 2); /* front and back are gone */
    assert_string_equal(config_a.departments[0].id, "lab");
    assert_string_equal(config_a.departments[config_a.department].id, "cafe");
    assert_int_equal(config_a.positive_count, 1);
    assert_int_equal(config_a.negative_count, 0); /* slow is gone */
    assert_int_equal(config_a.hours.count[0], 0); /* Monday's hours are gone */
    assert_int_equal(config_a.hours.count[2], 1);
    assert_string_equal(config_a.kiosk_id, "lobby-1"); /* local: the boot file's */
    assert_string_equal(config_a.site, "Image");

    /* without [catalog] the same file merges, as before */
    const char *merge[] = {boot, "[department lab]\nname = Lab\n[kiosk]\ndepartment = lab\n"};
    assert_true(config_parse_layers(&config_a, names, merge, 2, &errors));
    assert_int_equal(config_a.department_count, 3);
    assert_int_equal(config_a.catalog_version, 0);

    /* a catalog layer that gives no departments keeps the boot file's */
    const char *keep[] = {boot, "[catalog]\nversion = 2\n[screen]\nack_ms = 100\n"};
    assert_true(config_parse_layers(&config_a, names, keep, 2, &errors));
    assert_int_equal(config_a.department_count, 2);
    assert_int_equal(config_a.negative_count, 1);
}

static void test_local_keys_refused(void **state)
{
    (void)state;
    const char *names[] = {"boot.conf", "catalog.conf"};
    const char *texts[] = {boot, "[catalog]\nversion = 2\n[sync]\ntarget = off\n"
                                 "[screen]\nrotation = 90\n[kiosk]\nid = other\n"};
    assert_false(config_parse_layers(&config_a, names, texts, 2, &errors));
    assert_int_equal(errors.total, 3);
    assert_string_equal(first_error(&errors), "catalog.conf:4: sync.target: a local key: set in "
                                              "the kiosk's own files, never in the catalog");
    assert_string_equal(errors.error[1].key, "screen.rotation");
    assert_int_equal(errors.error[2].line, 8);

    /* a fleet document giving one */
    struct catalog *cat =
        parse_one("fleet.ini", "[followup]\nenabled = true\n[technician]\npin_hash =\n", &errors);
    assert_null(cat);
    assert_string_equal(first_error(&errors), "fleet.ini:4: technician.pin_hash: a local key: set "
                                              "in the kiosk's own files, never in the catalog");

    /* a kiosk file's local keys are its own: skipped on import */
    cat = parse_one("lobby.conf", "[kiosk]\nid = lobby\n[sync]\ntarget = off\n", &errors);
    assert_non_null(cat);
    char *text = catalog_export(cat);
    assert_null(strstr(text, "target"));
    assert_non_null(strstr(text, "[kiosk lobby]"));
    free(text);
    catalog_free(cat);

    /* the catalog's own keys and sections in a kiosk's file */
    assert_false(
        config_parse(&config_a, "boot.conf", "[department front]\nhead_edits = true\n", &errors));
    assert_string_equal(first_error(&errors),
                        "boot.conf:2: department front.head_edits: a catalog key: only the "
                        "fleet's catalog gives it (wowdash catalog import)");
    assert_false(
        config_parse(&config_a, "boot.conf", "[kiosk]\nid = a\n[site hq]\nname = HQ\n", &errors));
    assert_string_equal(first_error(&errors),
                        "boot.conf:3: site hq: [site ID] belongs in the catalog (wowdash catalog "
                        "import), not in a kiosk's file");
}

/* ---- merging kiosk files ---------------------------------------------- */

static struct catalog *parse_two(const char *a, const char *b)
{
    const char *names[] = {"a.conf", "b.conf"};
    const char *texts[] = {a, b};
    return catalog_parse(names, texts, 2, &errors);
}

static void test_merge_conflicts_name_both_places(void **state)
{
    (void)state;
    assert_null(parse_two("[kiosk]\nid = a\n[followup]\ntimeout_s = 10\n",
                          "[kiosk]\nid = b\n\n[followup]\ntimeout_s = 8\n"));
    assert_string_equal(first_error(&errors), "b.conf:5: followup.timeout_s: '8' here, '10' at "
                                              "a.conf:4: one value for the whole fleet");
    assert_null(parse_two("[kiosk]\nid = a\n[department front]\nname = Front\n",
                          "[kiosk]\nid = b\n[department front]\nname = Front desk\n"));
    assert_string_equal(first_error(&errors),
                        "b.conf:3: department front: defined differently (name) at a.conf:3");
    assert_null(parse_two("[kiosk]\nid = a\n", "[kiosk]\nid = a\n"));
    assert_string_equal(first_error(&errors), "b.conf:2: kiosk a: kiosk 'a' is also defined at "
                                              "a.conf:2");

    /* the same department and the same value merge; each kiosk keeps its own */
    struct catalog *cat =
        parse_two("[kiosk]\nid = a\nmode = picker\n[department front]\nname = Front\n"
                  "[followup]\ntimeout_s = 10\n",
                  "[kiosk]\nid = b\nsite = Mall\ndepartment = cafe\n"
                  "[department front]\nname = Front\n"
                  "[department cafe]\nname = Cafe\n[followup]\ntimeout_s = 10\n"
                  "[hours]\nsat = closed\n[screen]\nrotation = 90\n");
    if (cat == NULL) {
        print_errors(&errors);
        fail_msg("two compatible kiosk files were refused");
    }
    assert_int_equal(catalog_department_count(cat), 2);
    assert_int_equal(catalog_kiosk_count(cat), 2);
    char *text = catalog_export(cat);
    assert_non_null(strstr(text, "[kiosk a]\nmode = picker\ndepartments = front\n"));
    assert_non_null(strstr(text, "[site mall]\nname = Mall\nsat = closed\n"));
    assert_non_null(strstr(text, "[kiosk b]\nsite = mall\ndepartment = cafe\n"));
    assert_null(strstr(text, "rotation"));
    free(text);
    assert_true(catalog_check(cat, NULL, 0, &errors));
    catalog_free(cat);
}

static void test_references_and_check(void **state)
{
    (void)state;
    assert_null(parse_one("f.ini", "[kiosk k]\nsite = nowhere\n", &errors));
    assert_string_equal(first_error(&errors), "f.ini:2: kiosk k.site: site 'nowhere' is not "
                                              "defined: expected a [site ID] section");
    assert_null(parse_one("f.ini", "[kiosk]\nsite = Anywhere\ndepartment = x\n", &errors));
    assert_string_equal(first_error(&errors), "f.ini:3: kiosk.department: department 'x' is not "
                                              "defined: expected a [department ID] section");
    assert_int_equal(errors.total, 1); /* the fleet's site is a name, no [site ID] */
    assert_null(parse_one("f.ini", "[group a]\nparent = b\n[group b]\nparent = a\n", &errors));
    assert_string_equal(first_error(&errors), "f.ini:2: group a.parent: the group is its own "
                                              "ancestor: parents must lead to a root");
    assert_null(
        parse_one("f.ini", "[kiosk]\nlanguages = en\n[department d]\nname.fi = D\n", &errors));
    assert_string_equal(first_error(&errors), "f.ini:4: department d.name.fi: language 'fi' is not "
                                              "in [kiosk] languages (en)");

    /* the kiosk's own parser, led back to the catalog's line */
    struct catalog *cat = parse_one(
        "f.ini", "[department a]\nname = A\n[department b]\nname = B\n[kiosk k]\nmode = single\n",
        &errors);
    assert_non_null(cat);
    assert_false(catalog_check(cat, NULL, 0, &errors));
    assert_string_equal(first_error(&errors),
                        "f.ini:5: kiosk.department: kiosk k: single mode with 2 departments "
                        "needs department = ID; defined: a, b");
    catalog_free(cat);
    cat = parse_one("f.ini",
                    "[screen]\nthanks_s = 2\n[reason r]\nfor = positive\nlabel = R\n"
                    "[reason s]\nfor = positive\nlabel = S\n[reason t]\nfor = positive\n"
                    "label = T\n[reason u]\nfor = positive\nlabel = U\n"
                    "[reason v]\nfor = positive\nlabel = V\n[reason w]\nfor = positive\n"
                    "label = W\n[reason x]\nfor = positive\nlabel = X\n",
                    &errors);
    assert_non_null(cat);
    assert_false(catalog_check(cat, NULL, 0, &errors));
    assert_string_equal(first_error(&errors),
                        "f.ini:21: reason x: too many positive reasons: at most 6");
    catalog_free(cat);
}

/* A reason's owner: a department of the catalog, kept through export, never sent to a kiosk;
 * an undefined one, or one that is no id, refused at its line. */
static void test_reason_owner(void **state)
{
    (void)state;
    assert_null(parse_one("f.ini",
                          "[department it]\ncustomer_facing = false\n[reason wifi]\n"
                          "label = No wifi\nfor = negative\nowner = billing\n",
                          &errors));
    assert_string_equal(first_error(&errors), "f.ini:6: reason wifi.owner: department 'billing' "
                                              "is not defined: expected a [department ID] section");
    assert_null(
        parse_one("f.ini", "[reason wifi]\nlabel = W\nfor = negative\nowner = a b\n", &errors));
    assert_non_null(strstr(first_error(&errors), "f.ini:4: reason wifi.owner: expected an id"));
    struct catalog *cat = parse_one("f.ini",
                                    "[kiosk]\nmode = picker\n[department it]\n"
                                    "customer_facing = false\n[reason wifi]\nlabel = No wifi\n"
                                    "for = negative\nowner = it\n[reason fast]\nlabel = Fast\n"
                                    "for = positive\n",
                                    &errors);
    assert_non_null(cat);
    assert_string_equal(catalog_reason_at(cat, 0)->owner, "it");
    assert_string_equal(catalog_reason_at(cat, 1)->owner, "");
    assert_fixpoint("owner", cat);
    char *text = catalog_export(cat);
    assert_non_null(strstr(text, "owner = it\n"));
    free(text);
    text = catalog_render(cat, "k1", 3);
    assert_null(strstr(text, "owner"));
    free(text);
    catalog_free(cat);
}

/* ---- edits and values that would not read back ------------------------- */

static void test_set_refuses_what_would_not_read_back(void **state)
{
    (void)state;
    char err[256];
    struct catalog *cat = parse_one("fleet.ini", fleet, &errors);
    assert_non_null(cat);
    assert_false(catalog_set(cat, "department front", "name", "Front\n[sync]", err, sizeof err));
    assert_string_equal(err, "department front.name: a line break cannot be written in a value");
    assert_false(catalog_set(cat, "department front", "name", " Front", err, sizeof err));
    assert_string_equal(err, "department front.name: blanks at the start or end of a value are "
                             "dropped when read");
    assert_false(catalog_set(cat, "department front", "name", "Front ; desk", err, sizeof err));
    assert_string_equal(err, "department front.name: ';' after a blank starts a comment: write it "
                             "without the blank");
    assert_false(catalog_set(cat, "department front", "name", "Fr\xff", err, sizeof err));
    assert_string_equal(err, "department front.name: expected UTF-8 text");
    char list[400] = "front";
    for (size_t i = 0, n = strlen(list); i < 60; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, ", lab");
    assert_false(catalog_set(cat, "kiosk lobby-2", "departments", list, err, sizeof err));
    assert_string_equal(err, "kiosk lobby-2.departments: too long for one line: 319 bytes, at "
                             "most 198");
    assert_false(catalog_set(cat, "screen", "rotation", "90", err, sizeof err));
    assert_false(catalog_set(cat, "followup", "timeout_s", "500", err, sizeof err));
    assert_string_equal(err, "followup.timeout_s: expected seconds from 1 to 120 (e.g. 2.5), got "
                             "'500'");
    assert_false(catalog_set(cat, "kiosk lobby-1", "department", "nope", err, sizeof err));
    assert_string_equal(err, "kiosk lobby-1.department: department 'nope' is not defined: "
                             "expected a [department ID] section");

    /* what the reader takes, written back so it reads the same */
    assert_true(catalog_set(cat, "kiosk", "question", ";-) How was it?", err, sizeof err));
    char *text = catalog_export(cat);
    assert_non_null(strstr(text, "\nquestion =;-) How was it?\n"));
    free(text);
    assert_true(catalog_set(cat, "department front", "name", "Front;desk", err, sizeof err));
    assert_string_equal(catalog_department_at(cat, 0)->name.lang[0], "Front;desk");
    assert_true(catalog_set(cat, "reason slow", "label", "Slow", err, sizeof err) == false);
    assert_false(catalog_set(cat, "department lab", NULL, NULL, err, sizeof err));
    assert_string_equal(err, "kiosk lobby-2.departments: department 'lab' is not defined: "
                             "expected a [department ID]");
    assert_true(catalog_set(cat, "department cafe", NULL, NULL, err, sizeof err));
    assert_int_equal(catalog_department_count(cat), 2);
    assert_true(catalog_set(cat, "group hq", "name.fi", "Pääkonttori", err, sizeof err));
    assert_string_equal(catalog_group_at(cat, 0)->name.lang[1], "Pääkonttori");
    assert_fixpoint("edited", cat);
    catalog_free(cat);
}

/* A section's values grow as keys are read, merged and edited (a
 * department with every localised key in six languages: 21 keys), and
 * every one is exported, read back and edited in its place. */
static void test_a_section_of_many_keys(void **state)
{
    (void)state;
    static const char *const langs[] = {"fi", "de", "sv", "fr", "es"};
    static const char *const localised[] = {"name", "question", "we_did"};
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "[kiosk]\nlanguages = en, fi, de, sv, fr, es\n"
                                "[department d]\ncustomer_facing = true\n");
    int keys = 1;
    for (int k = 0; k < 3; k++) {
        n +=
            (size_t)snprintf(text + n, sizeof text - n, "%s = %s en\n", localised[k], localised[k]);
        keys++;
        for (int l = 0; l < 5; l++, keys++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s.%s = %s %s\n", localised[k],
                                  langs[l], localised[k], langs[l]);
    }
    n += (size_t)snprintf(text + n, sizeof text - n, "we_did_score = true\ncomments = off\n");
    keys += 2;
    assert_int_equal(keys, 21);
    struct catalog *cat = parse_one("many_keys.ini", text, &errors);
    if (cat == NULL) {
        print_errors(&errors);
        fail_msg("a department of %d keys was refused", keys);
    }
    assert_fixpoint("many keys", cat);
    char *out = catalog_export(cat);
    assert_non_null(out);
    for (int k = 0; k < 3; k++)
        for (int l = 0; l < 5; l++) {
            char line[64];
            snprintf(line, sizeof line, "\n%s.%s = %s %s\n", localised[k], langs[l], localised[k],
                     langs[l]);
            if (strstr(out, line) == NULL)
                fail_msg("%s missing from the export:\n%s", line + 1, out);
        }
    assert_non_null(strstr(out, "\nwe_did_score = true\n"));
    assert_non_null(strstr(out, "\ncomments = off\n"));
    free(out);
    const struct catalog_department *d = catalog_department_at(cat, 0);
    assert_string_equal(d->name.lang[5], "name es");
    assert_string_equal(d->we_did.lang[3], "we_did sv");

    char err[256];
    assert_true(catalog_set(cat, "department d", "question.de", NULL, err, sizeof err));
    assert_true(catalog_set(cat, "department d", "name.es", "Nombre", err, sizeof err));
    assert_true(catalog_set(cat, "department d", "we_did_from", "2026-01-01", err, sizeof err));
    d = catalog_department_at(cat, 0);
    assert_string_equal(d->name.lang[5], "Nombre");
    assert_string_equal(d->question.lang[2], "");
    assert_string_equal(d->we_did.lang[4], "we_did fr");
    out = catalog_export(cat);
    assert_non_null(out);
    assert_null(strstr(out, "question.de"));
    assert_non_null(strstr(out, "\nname.es = Nombre\n"));
    assert_non_null(strstr(out, "\nwe_did_from = 2026-01-01\n"));
    free(out);
    assert_fixpoint("many keys, edited", cat);
    catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_sample_imports_and_round_trips),
        cmocka_unit_test(test_rendering_gives_the_kiosk_its_own_config),
        cmocka_unit_test(test_a_kiosks_layers_seed_its_catalog),
        cmocka_unit_test(test_the_defaults_seed_a_catalog),
        cmocka_unit_test(test_render_single_and_picker),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_catalog_layer_replaces_lists),
        cmocka_unit_test(test_local_keys_refused),
        cmocka_unit_test(test_merge_conflicts_name_both_places),
        cmocka_unit_test(test_references_and_check),
        cmocka_unit_test(test_reason_owner),
        cmocka_unit_test(test_set_refuses_what_would_not_read_back),
        cmocka_unit_test(test_a_section_of_many_keys),
    };
    return cmocka_run_group_tests(tests, load_samples, free_samples);
}
