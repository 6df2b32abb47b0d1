/*
 * serve_langs: reads the pages' gettext catalogs at start (serve_langs.h).
 */
#include "serve_langs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"

/* "fi.po" into its code "fi": 1 to 15 letters and '-'; false otherwise. */
static bool po_code(const char *file, char *code, size_t size)
{
    size_t n = strlen(file);
    if (n < 4 || strcmp(file + n - 3, ".po") != 0)
        return false;
    n -= 3;
    if (n >= size || n >= 16 ||
        strspn(file, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") < n)
        return false;
    memcpy(code, file, n);
    code[n] = '\0';
    return strcmp(code, "en") != 0; /* English is the msgids themselves */
}

static int compare_codes(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The codes of dir's catalogs, sorted, into codes; returns how many. */
static size_t list_codes(const char *dir, char (*codes)[16], size_t max)
{
    DIR *d = opendir(dir);
    if (!d) {
        log_warn("pages in English only: cannot open %s: %s", dir, strerror(errno));
        return 0;
    }
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (n == max) {
            log_warn("%s: more than %zu catalogs; %s and later ones left out", dir, max, e->d_name);
            break;
        }
        if (po_code(e->d_name, codes[n], sizeof codes[n]))
            n++;
    }
    closedir(d);
    qsort(codes, n, sizeof codes[0], compare_codes);
    return n;
}

void serve_langs_load(const char *dir, struct serve_langs *out)
{
    *out = (struct serve_langs){0};
    page_lang_init(&out->langs.lang[0], "en", NULL);
    out->langs.n = 1;
    char po_dir[4200], codes[PAGE_LANGS_MAX - 1][16];
    snprintf(po_dir, sizeof po_dir, "%s/po", dir);
    size_t n = list_codes(po_dir, codes, PAGE_LANGS_MAX - 1);
    for (size_t i = 0; i < n; i++) {
        char path[sizeof po_dir + 32], err[512];
        int len = snprintf(path, sizeof path, "%s/%s.po", po_dir, codes[i]);
        if (len < 0 || (size_t)len >= sizeof path)
            continue; /* a directory path this long holds no catalog we read */
        struct i18n_catalog *catalog = i18n_catalog_load(path, err, sizeof err);
        if (!catalog) {
            log_error("pages in %s left out: %s", codes[i], err);
            continue;
        }
        size_t k = out->langs.n++;
        out->catalogs[k] = catalog;
        page_lang_init(&out->langs.lang[k], codes[i], catalog);
        log_info("pages in %s: %d texts from %s", codes[i], i18n_catalog_count(catalog), path);
    }
}

void serve_langs_free(struct serve_langs *langs)
{
    for (size_t i = 0; i < PAGE_LANGS_MAX; i++)
        i18n_catalog_destroy(langs->catalogs[i]);
    *langs = (struct serve_langs){0};
}
