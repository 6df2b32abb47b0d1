/*
 * layers: the config's files, the last good copies and the technician's
 * choice (see layers.h).
 */
#include "layers.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "log.h"
#include "paths.h"

/* The technician PIN of the development defaults (no --config): 0000.  A
 * config file without [technician] pin_hash has no PIN at all. */
#define DEV_PIN_HASH                                                                               \
    "$argon2id$v=19$m=65536,t=2,p=1$Vwpck+QHryKfD+V2g41jYQ$"                                       \
    "SqHhm2iqH1ph6YewyRzZUzkHvEFsaEkiaQU3CtNwnvY"

/* The override's last good copy, in the state directory. */
#define LAST_GOOD_OVERRIDE "last-good.override.conf"

/* The files a config is read from, in order: main, the boot partition's
 * override when it exists (else, when asked, its last good copy:
 * override_missing), the technician's choice when there is one. */
struct layer_files {
    int count;
    const char *path[CONFIG_MAX_LAYERS];
    char buf[CONFIG_MAX_LAYERS][PATH_MAX];
    bool has_override, has_choice, override_missing;
};

static void print_config_errors(const struct config_errors *errors)
{
    char line[1024];
    for (int i = 0; i < errors->count; i++) {
        config_error_format(&errors->error[i], line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    if (errors->total > errors->count)
        fprintf(stderr, "... and %d more errors\n", errors->total - errors->count);
}

/* The line of key in [section] of the file at path (the last one: later
 * lines win), or 0 when it is not there. */
static int key_line(const char *path, const char *section, const char *key)
{
    int err_no = 0, line = 0, found = 0;
    char *text = file_read_text(path, &err_no);
    bool in_section = false;
    for (char *p = text; p != NULL && *p != '\0'; line++) {
        char *nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        const char *q = p + strspn(p, " \t");
        size_t n = strlen(section), k = strlen(key);
        if (*q == '[')
            in_section = strncmp(q + 1, section, n) == 0 && q[1 + n] == ']';
        else if (in_section && strncmp(q, key, k) == 0 && strchr(" \t=", q[k]) != NULL)
            found = line + 1;
        p = nl != NULL ? nl + 1 : NULL;
    }
    free(text);
    return found;
}

/* Where a local path key was set, for its message: the last layer that has it. */
static void path_key_error(const char *const *paths, int count, const char *key,
                           const char *message, const char *value)
{
    int line = 0, i = count - 1;
    for (; i >= 0 && line == 0; i--)
        line = key_line(paths[i], "store", key);
    fprintf(stderr, "%s:%d: store.%s: %s (\"%s\")\n", paths[line > 0 ? i + 1 : 0], line, key,
            message, value);
}

/* [store] path and spill_dir name what they must be: a file the store can
 * be, a directory.  A path that does not exist yet is fine for the store
 * (it is made); /dev/null or a directory is not. */
static bool local_paths_ok(const struct config *c, const char *const *paths, int count)
{
    struct stat st;
    bool ok = true;
    if (c->store_path[0] != '\0' && stat(c->store_path, &st) == 0 && !S_ISREG(st.st_mode)) {
        path_key_error(paths, count, "path",
                       S_ISDIR(st.st_mode) ? "a directory; expected the database's file name"
                                           : "not a regular file; expected a database file",
                       c->store_path);
        ok = false;
    }
    if (c->store_spill_dir[0] != '\0' &&
        (stat(c->store_spill_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        path_key_error(paths, count, "spill_dir", "expected an existing directory",
                       c->store_spill_dir);
        ok = false;
    }
    return ok;
}

int layers_check(const char *path, const char *override_path)
{
    struct config *config = malloc(sizeof *config);
    struct config_errors *errors = malloc(sizeof *errors);
    const char *paths[] = {path, override_path};
    int count = override_path != NULL && strcmp(override_path, "none") != 0 ? 2 : 1;
    int status = 1;
    if (config == NULL || errors == NULL) {
        fprintf(stderr, "wowkiosk: out of memory\n");
    } else if (config_load_layers(config, paths, count, errors)) {
        if (local_paths_ok(config, paths, count)) {
            printf("%s%s%s: ok\n", path, count == 2 ? " + " : "", count == 2 ? override_path : "");
            status = 0;
        }
    } else {
        print_config_errors(errors);
    }
    free(errors);
    free(config);
    return status;
}

/* Copies src to state-dir/name atomically, or removes name when src is
 * NULL: the last good config is kept as its layers were. */
static void keep_copy(const char *src, const char *name)
{
    char dst[PATH_MAX];
    if (!paths_state_file(name, dst, sizeof dst))
        return;
    if (src == NULL) {
        if (remove(dst) != 0 && errno != ENOENT)
            log_warn("config: cannot remove %s: %s", dst, strerror(errno));
        return;
    }
    int err_no = 0;
    char *text = file_read_text(src, &err_no);
    if (text == NULL || !file_write_text(dst, text, &err_no))
        log_warn("config: cannot keep a copy of %s as %s: %s", src, dst, file_error(err_no));
    free(text);
}

static void log_config_errors(const char *path, const struct config_errors *errors)
{
    log_error("config: %s has %d errors", path, errors->total);
    char line[1024];
    for (int i = 0; i < errors->count; i++) {
        config_error_format(&errors->error[i], line, sizeof line);
        log_error("config: %s", line);
    }
}

static void files_add(struct layer_files *l, const char *path)
{
    snprintf(l->buf[l->count], sizeof l->buf[0], "%s", path);
    l->path[l->count] = l->buf[l->count];
    l->count++;
}

/* A layer file that exists (even unreadable: then its error is shown). */
static bool file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* remembered: an override that is missing is replaced by its last good
 * copy when there is one.  A kiosk that ran with an override has its id,
 * department and sync target there; without it, it would count taps as
 * "unnamed" into the default target until the boot partition is back. */
static void files_collect(struct layer_files *l, const char *main_path, const char *override_path,
                          bool remembered)
{
    *l = (struct layer_files){0};
    char last[PATH_MAX];
    files_add(l, main_path);
    if (override_path != NULL && file_exists(override_path)) {
        files_add(l, override_path);
        l->has_override = true;
    } else if (override_path != NULL && remembered &&
               paths_state_file(LAST_GOOD_OVERRIDE, last, sizeof last) && file_exists(last)) {
        files_add(l, last);
        l->has_override = l->override_missing = true;
    }
    char choice[PATH_MAX];
    if (paths_state_file(LAYERS_TECHNICIAN_CONF, choice, sizeof choice) && file_exists(choice)) {
        files_add(l, choice);
        l->has_choice = true;
    }
}

static void files_describe(const struct layer_files *f, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < f->count && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", i ? " + " : "", f->path[i]);
}

static void remember_files(struct layers *l, const struct layer_files *f)
{
    snprintf(l->main_path, sizeof l->main_path, "%s", f->path[0]);
    snprintf(l->override_path, sizeof l->override_path, "%s", f->has_override ? f->path[1] : "");
    snprintf(l->files_alone, sizeof l->files_alone, "%s", l->files);
}

/* The last good copies, when they load: then l runs on them. */
static bool fall_back(struct layers *l)
{
    char last_good[PATH_MAX], last_override[PATH_MAX];
    struct config_errors ignored;
    if (!paths_state_file("last-good.conf", last_good, sizeof last_good) ||
        !paths_state_file(LAST_GOOD_OVERRIDE, last_override, sizeof last_override) ||
        access(last_good, R_OK) != 0)
        return false;
    struct layer_files kept;
    files_collect(&kept, last_good, last_override, false);
    if (!config_load_layers(&l->config, kept.path, kept.count, &ignored))
        return false;
    log_error("config: running on the last good config %s until %s is fixed", last_good, l->files);
    l->fell_back = true;
    l->department_overridden = kept.has_choice;
    remember_files(l, &kept);
    return true;
}

void layers_load(struct layers *l, const char *config_path, const char *override_path)
{
    *l = (struct layers){0};
    config_defaults(&l->config);
    if (config_path == NULL) {
        snprintf(l->files, sizeof l->files, "development defaults");
        snprintf(l->files_alone, sizeof l->files_alone, "%s", l->files);
        snprintf(l->config.technician_pin_hash, sizeof l->config.technician_pin_hash, "%s",
                 DEV_PIN_HASH);
        return;
    }
    struct layer_files f;
    files_collect(&f, config_path, override_path, true);
    files_describe(&f, l->files, sizeof l->files);
    if (f.override_missing) {
        l->override_missing = true;
        snprintf(l->missing_override, sizeof l->missing_override, "%s", override_path);
        log_warn("config: %s is missing (boot partition not mounted?): running on its last good "
                 "copy %s until it is back",
                 override_path, f.path[1]);
    }
    if (config_load_layers(&l->config, f.path, f.count, &l->errors)) {
        keep_copy(config_path, "last-good.conf");
        if (!f.override_missing) /* the copy stays the copy: kept for the next boot */
            keep_copy(f.has_override ? f.path[1] : NULL, LAST_GOOD_OVERRIDE);
        l->department_overridden = f.has_choice;
        remember_files(l, &f);
        log_info("config: %s", l->files);
        return;
    }
    log_config_errors(l->files, &l->errors);
    if (fall_back(l))
        return;
    log_error("config: no good config to fall back on: showing the errors, collecting nothing");
    l->bad = true;
    config_defaults(&l->config); /* the error screen still needs languages */
}

void layers_problem(const struct layers *l, char *buf, size_t size)
{
    if (l->fell_back)
        snprintf(buf, size, "config: %d errors in %s: running on the last good config",
                 l->errors.total, l->files);
    else if (l->override_missing)
        snprintf(buf, size, "config: %s is missing: running on its last good copy",
                 l->missing_override);
    else
        snprintf(buf, size, "%s", "");
}

bool layers_save_department(const struct config *config, int department)
{
    char path[PATH_MAX], text[CONFIG_ID_MAX + 160];
    int err_no = 0;
    if (!paths_state_file(LAYERS_TECHNICIAN_CONF, path, sizeof path))
        return false;
    if (department < 0) {
        if (remove(path) != 0 && errno != ENOENT) {
            log_error("technician: cannot remove %s: %s", path, strerror(errno));
            return false;
        }
        log_info("technician: department back to the configured one (%s removed)", path);
        return true;
    }
    snprintf(text, sizeof text,
             "# Written by the technician screen; delete to use the config files.\n"
             "[kiosk]\nmode = single\ndepartment = %s\n",
             config->departments[department].id);
    if (!file_write_text(path, text, &err_no)) {
        log_error("technician: cannot write %s: %s", path, file_error(err_no));
        return false;
    }
    log_info("technician: department set to %s in %s", config->departments[department].id, path);
    return true;
}

/* The kiosk's own texts and the catalog's, in layer order; texts[i] is
 * malloc'd for files (freed by texts_free), borrowed for the catalog. */
struct layer_texts {
    int count, catalog; /* catalog: the catalog's index */
    const char *name[CONFIG_MAX_LAYERS];
    char *owned[CONFIG_MAX_LAYERS];
    const char *text[CONFIG_MAX_LAYERS];
    char buf[CONFIG_MAX_LAYERS][PATH_MAX];
};

static bool texts_add_file(struct layer_texts *t, const char *path, struct config_errors *errors)
{
    int err_no = 0;
    int i = t->count++;
    snprintf(t->buf[i], sizeof t->buf[i], "%s", path);
    t->name[i] = t->buf[i];
    t->owned[i] = file_read_text(path, &err_no);
    t->text[i] = t->owned[i];
    if (t->owned[i] != NULL)
        return true;
    *errors = (struct config_errors){.count = 1, .total = 1};
    snprintf(errors->error[0].file, sizeof errors->error[0].file, "%s", path);
    snprintf(errors->error[0].message, sizeof errors->error[0].message, "cannot be read: %s",
             file_error(err_no));
    return false;
}

static void texts_free(struct layer_texts *t)
{
    for (int i = 0; i < t->count; i++)
        free(t->owned[i]);
}

bool layers_parse_catalog(const struct layers *l, int64_t version, const char *body,
                          struct config *config, struct config_errors *errors)
{
    struct layer_texts *t = calloc(1, sizeof *t);
    if (t == NULL) {
        *errors = (struct config_errors){.count = 1, .total = 1};
        snprintf(errors->error[0].message, sizeof errors->error[0].message, "out of memory");
        return false;
    }
    char choice[PATH_MAX];
    bool ok = l->main_path[0] == '\0' || texts_add_file(t, l->main_path, errors);
    if (ok && l->override_path[0] != '\0')
        ok = texts_add_file(t, l->override_path, errors);
    t->catalog = t->count++;
    snprintf(t->buf[t->catalog], LAYERS_CATALOG_NAME_MAX, "catalog v%lld", (long long)version);
    t->name[t->catalog] = t->buf[t->catalog];
    t->text[t->catalog] = body;
    if (ok && l->main_path[0] != '\0' &&
        paths_state_file(LAYERS_TECHNICIAN_CONF, choice, sizeof choice) && file_exists(choice))
        ok = texts_add_file(t, choice, errors);
    ok = ok && config_parse_layers(config, t->name, t->text, t->count, errors);
    if (ok && l->main_path[0] == '\0') /* the development defaults keep their PIN */
        snprintf(config->technician_pin_hash, sizeof config->technician_pin_hash, "%s",
                 DEV_PIN_HASH);
    texts_free(t);
    free(t);
    return ok;
}

void layers_use_catalog(struct layers *l, const struct config *config)
{
    l->config = *config;
    snprintf(l->files, sizeof l->files, "%.440s + catalog v%lld", l->files_alone,
             (long long)config->catalog_version);
    log_info("config: %s", l->files);
}

void layers_error_summary(const struct config_errors *errors, char *buf, size_t size)
{
    if (errors->count == 0) {
        snprintf(buf, size, "refused");
        return;
    }
    char first[1024];
    config_error_format(&errors->error[0], first, sizeof first);
    if (errors->total > 1)
        snprintf(buf, size, "%s (and %d more)", first, errors->total - 1);
    else
        snprintf(buf, size, "%s", first);
}
