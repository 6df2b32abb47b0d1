/*
 * i18n: reads gettext .po catalogs into a sorted array of msgid/msgstr
 * pairs and looks texts up with bsearch.
 *
 * The parser is line based: a keyword line (msgctxt, msgid, msgid_plural,
 * msgstr, msgstr[N]) opens a field, following lines that are only a "..."
 * string continue it.  Only plain singular entries with a non-empty msgstr
 * are kept; fuzzy, context and plural entries are read (so a catalog that
 * has them still loads) and dropped, as the kiosk never asks for them.
 *
 * An entry's msgstr must hold the same printf conversions as its msgid, in
 * the same order ("%s", "%.1f", "%%" is text): a catalog is data, and a
 * translation must never make a format read what its caller did not pass.
 *
 * Errors are returned as "NAME:LINE: expected ..., got ..." and not logged
 * here: the caller knows what falls back (English) and logs once.
 * Out of memory is reported like a syntax error ("out of memory").
 */
#include "i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "parse_error.h"
#include "utf8.h"

struct catalog_entry {
    char *msgid;  /* owned */
    char *msgstr; /* owned, never empty */
    int line;     /* of the msgid, for the duplicate error */
};

struct i18n_catalog {
    int count;
    struct catalog_entry *entries; /* owned, sorted by msgid */
};

/* A growable string: one field of the entry being read. */
struct po_buf {
    char *data; /* owned; NULL until the first byte */
    size_t len, cap;
};

/* The entry being read, and which of its fields a string line continues. */
struct po_entry {
    bool open;       /* a msgctxt or msgid was seen */
    bool has_msgstr; /* a msgstr or msgstr[N] was seen */
    bool fuzzy, context, plural;
    int line;
    struct po_buf msgid, msgstr;
    struct po_buf *field; /* where string lines go; NULL = discarded */
    bool in_field;        /* a string line may follow */
};

struct po_parser {
    const char *name;
    int line;
    char *err;
    unsigned err_size;
    bool next_fuzzy; /* "#, fuzzy" seen since the last entry */
    struct po_entry entry;
    struct po_buf discard; /* msgctxt / msgid_plural / msgstr[N] texts */
    struct i18n_catalog *catalog;
    int cap;
};

static bool po_fail(struct po_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes "NAME:LINE: " and the message into the caller's err; always false. */
static bool po_fail(struct po_parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    parse_error_v(p->err, p->err_size, p->name, p->line, fmt, ap);
    va_end(ap);
    return false;
}

/* Describes what was found at s for "got ...": a short quoted excerpt. */
static void po_describe(const char *s, char *out, size_t size)
{
    size_t n = 0;
    while (s[n] != '\0' && s[n] != '\n' && s[n] != '\r' && n < 24)
        n++;
    if (n == 0)
        snprintf(out, size, "end of line");
    else
        snprintf(out, size, "'%.*s'", (int)n, s);
}

static bool buf_push(struct po_buf *b, char c)
{
    if (b->len + 2 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        char *data = realloc(b->data, cap);
        if (data == NULL)
            return false;
        b->data = data;
        b->cap = cap;
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return true;
}

static void buf_free(struct po_buf *b)
{
    free(b->data);
    *b = (struct po_buf){0};
}

/* Hands the buffer's text over to the caller (who frees it); "" if empty. */
static char *buf_take(struct po_buf *b)
{
    char *s = b->data != NULL ? b->data : calloc(1, 1);
    *b = (struct po_buf){0};
    return s;
}

static bool po_unescape(char c, char *out)
{
    switch (c) {
    case '"':
        *out = '"';
        return true;
    case '\\':
        *out = '\\';
        return true;
    case 'n':
        *out = '\n';
        return true;
    case 't':
        *out = '\t';
        return true;
    default:
        return false;
    }
}

/* Reads a "..." string starting at s (after leading blanks) into dst (NULL:
 * check only); nothing but blanks may follow it on the line. */
static bool po_read_string(struct po_parser *p, const char *s, struct po_buf *dst)
{
    char got[40];
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s != '"') {
        po_describe(s, got, sizeof got);
        return po_fail(p, "expected a \"string\", got %s", got);
    }
    for (s++; *s != '"'; s++) {
        char c = *s;
        if (c == '\0' || c == '\n' || c == '\r')
            return po_fail(p, "expected a closing \", got end of line");
        if (c == '\\') {
            s++;
            if (!po_unescape(*s, &c)) {
                po_describe(s - 1, got, sizeof got);
                return po_fail(p, "expected one of the escapes \\\" \\\\ \\n \\t, got %s", got);
            }
        }
        if (dst != NULL && !buf_push(dst, c))
            return po_fail(p, "out of memory");
    }
    for (s++; *s == ' ' || *s == '\t' || *s == '\r'; s++) {
    }
    if (*s != '\0' && *s != '\n') {
        po_describe(s, got, sizeof got);
        return po_fail(p, "expected end of line after the string, got %s", got);
    }
    return true;
}

/* The printf conversions of text, each as written without its '%' and
 * followed by ' ' ("s .1f "), in out; "%%" and a '%' that starts no valid
 * conversion are text.  False when they do not fit. */
static bool po_conversions(const char *text, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *s = text; (s = strchr(s, '%')) != NULL;) {
        if (s[1] == '%') {
            s += 2;
            continue;
        }
        size_t len = 1 + strspn(s + 1, "-+ #0");
        len += strspn(s + len, "0123456789*");
        if (s[len] == '.')
            len += 1 + strspn(s + len + 1, "0123456789*");
        len += strspn(s + len, "hlLqjzt");
        if (s[len] == '\0' || !strchr("diouxXeEfFgGaAcspn", s[len])) {
            s++;
            continue;
        }
        len++;
        if (n + len + 1 >= size)
            return false;
        memcpy(out + n, s + 1, len - 1);
        n += len - 1;
        out[n++] = ' ';
        out[n] = '\0';
        s += len;
    }
    return true;
}

/* False with the error when e's msgstr does not convert as its msgid does. */
static bool po_check_conversions(struct po_parser *p, const struct po_entry *e)
{
    char want[128], got[128];
    if (!po_conversions(e->msgid.data, want, sizeof want) ||
        !po_conversions(e->msgstr.data, got, sizeof got))
        return po_fail(p, "expected at most a few printf conversions in an entry");
    if (strcmp(want, got) != 0) {
        p->line = e->line;
        return po_fail(p,
                       "expected msgstr with the msgid's conversions in the same order (%s), "
                       "got (%s)",
                       want[0] ? want : "none", got[0] ? got : "none");
    }
    return true;
}

/* Adds the finished entry to the catalog if it is one the kiosk can use. */
static bool po_finish_entry(struct po_parser *p)
{
    struct po_entry *e = &p->entry;
    bool keep =
        e->open && !e->fuzzy && !e->context && !e->plural && e->msgid.len > 0 && e->msgstr.len > 0;
    if (keep && !po_check_conversions(p, e))
        return false;
    if (keep) {
        if (p->catalog->count == p->cap) {
            int cap = p->cap ? p->cap * 2 : 32;
            struct catalog_entry *grown = realloc(p->catalog->entries, (size_t)cap * sizeof *grown);
            if (grown == NULL)
                return po_fail(p, "out of memory");
            p->catalog->entries = grown;
            p->cap = cap;
        }
        struct catalog_entry *c = &p->catalog->entries[p->catalog->count++];
        c->line = e->line;
        c->msgid = buf_take(&e->msgid);
        c->msgstr = buf_take(&e->msgstr);
    }
    buf_free(&e->msgid);
    buf_free(&e->msgstr);
    *e = (struct po_entry){0};
    return true;
}

/* Starts a new entry at a msgctxt or msgid keyword. */
static bool po_start_entry(struct po_parser *p)
{
    if (p->entry.open && !p->entry.has_msgstr)
        return po_fail(p, "expected msgstr, got a new entry");
    if (!po_finish_entry(p))
        return false;
    p->entry.open = true;
    p->entry.fuzzy = p->next_fuzzy;
    p->entry.line = p->line;
    p->next_fuzzy = false;
    return true;
}

static bool po_keyword(const char *s, const char *word, const char **rest)
{
    size_t n = strlen(word);
    if (strncmp(s, word, n) != 0 || (s[n] != ' ' && s[n] != '\t' && s[n] != '"'))
        return false;
    *rest = s + n;
    return true;
}

/* Reads "msgstr[N]" and returns what follows it, or NULL. */
static const char *po_plural_msgstr(const char *s)
{
    if (strncmp(s, "msgstr[", 7) != 0)
        return NULL;
    s += 7;
    if (*s < '0' || *s > '9')
        return NULL;
    while (*s >= '0' && *s <= '9')
        s++;
    return *s == ']' ? s + 1 : NULL;
}

/* One keyword line: which field it opens and the string on it. */
static bool po_keyword_line(struct po_parser *p, const char *s)
{
    struct po_entry *e = &p->entry;
    const char *rest;
    char got[40];
    if (po_keyword(s, "msgctxt", &rest)) {
        if (!po_start_entry(p))
            return false;
        e->context = true;
        e->field = &p->discard;
    } else if (po_keyword(s, "msgid", &rest)) {
        if ((!e->open || e->has_msgstr || e->msgid.len > 0 || !e->context) && !po_start_entry(p))
            return false;
        e->field = &e->msgid;
    } else if (po_keyword(s, "msgid_plural", &rest)) {
        if (!e->open || e->has_msgstr)
            return po_fail(p, "expected msgid before msgid_plural, got msgid_plural");
        e->plural = true;
        e->field = &p->discard;
    } else if (po_keyword(s, "msgstr", &rest) || (rest = po_plural_msgstr(s)) != NULL) {
        if (!e->open)
            return po_fail(p, "expected msgid, got msgstr");
        bool indexed = s[6] == '[';
        if (indexed != e->plural || (!indexed && e->has_msgstr))
            return po_fail(p, "expected %s, got %.*s", e->plural ? "msgstr[N]" : "msgid",
                           (int)strcspn(s, " \t\""), s);
        e->has_msgstr = true;
        e->field = indexed ? &p->discard : &e->msgstr;
    } else {
        po_describe(s, got, sizeof got);
        return po_fail(p, "expected msgid, msgstr, a \"string\" or a # comment, got %s", got);
    }
    p->discard.len = 0;
    e->in_field = true;
    return po_read_string(p, rest, e->field);
}

/* One line of the file, NUL- or newline-terminated. */
static bool po_line(struct po_parser *p, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\n' || *s == '\r' || *s == '\0') {
        p->entry.in_field = false;
        return true;
    }
    if (*s == '#') {
        /* Flags: "#, fuzzy, c-format" marks the next entry fuzzy. */
        if (s[1] == ',') {
            size_t n = strcspn(s, "\r\n");
            const char *f = s + 2;
            while ((f = strstr(f, "fuzzy")) != NULL && f < s + n) {
                p->next_fuzzy = true;
                f += 5;
            }
        }
        return true;
    }
    size_t len = strcspn(s, "\n"), bad = utf8_invalid_at(s, len);
    if (bad < len) /* a catalog saved as Latin-1: its words would reach the screen mangled */
        return po_fail(p, "expected UTF-8 text, got byte 0x%02x (save the file as UTF-8)",
                       (unsigned char)s[bad]);
    if (*s == '"') {
        if (!p->entry.in_field) {
            char got[40];
            po_describe(s, got, sizeof got);
            return po_fail(p, "expected msgid or msgstr before a string, got %s", got);
        }
        return po_read_string(p, s, p->entry.field);
    }
    p->entry.in_field = true;
    return po_keyword_line(p, s);
}

static int entry_compare(const void *a, const void *b)
{
    const struct catalog_entry *x = a, *y = b;
    return strcmp(x->msgid, y->msgid);
}

/* Sorts the entries for bsearch; a msgid given twice is an error, as in msgfmt. */
static bool po_sort(struct po_parser *p)
{
    struct i18n_catalog *c = p->catalog;
    if (c->count > 1)
        qsort(c->entries, (size_t)c->count, sizeof *c->entries, entry_compare);
    for (int i = 1; i < c->count; i++) {
        if (strcmp(c->entries[i - 1].msgid, c->entries[i].msgid) == 0) {
            int a = c->entries[i - 1].line, b = c->entries[i].line;
            p->line = a > b ? a : b;
            return po_fail(p, "expected each msgid once, got a duplicate of line %d",
                           a < b ? a : b);
        }
    }
    return true;
}

static bool po_parse_lines(struct po_parser *p, const char *text)
{
    const char *s = text;
    while (*s != '\0') {
        p->line++;
        if (p->line == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3; /* a UTF-8 byte order mark */
        if (!po_line(p, s))
            return false;
        const char *nl = strchr(s, '\n');
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    if (p->entry.open && !p->entry.has_msgstr)
        return po_fail(p, "expected msgstr, got end of file");
    return po_finish_entry(p) && po_sort(p);
}

struct i18n_catalog *i18n_catalog_parse(const char *name, const char *text, char *err,
                                        unsigned err_size)
{
    struct po_parser p = {.name = name, .err = err, .err_size = err_size};
    if (err != NULL && err_size > 0)
        err[0] = '\0';
    p.catalog = calloc(1, sizeof *p.catalog);
    if (p.catalog == NULL) {
        po_fail(&p, "out of memory");
        return NULL;
    }
    bool ok = po_parse_lines(&p, text);
    buf_free(&p.entry.msgid);
    buf_free(&p.entry.msgstr);
    buf_free(&p.discard);
    if (!ok) {
        i18n_catalog_destroy(p.catalog);
        return NULL;
    }
    return p.catalog;
}

struct i18n_catalog *i18n_catalog_load(const char *path, char *err, unsigned err_size)
{
    int err_no = 0;
    char *text = file_read_text(path, &err_no);
    if (text == NULL) {
        snprintf(err, err_size, "%s:0: cannot read: %s", path, file_error(err_no));
        return NULL;
    }
    struct i18n_catalog *catalog = i18n_catalog_parse(path, text, err, err_size);
    free(text);
    return catalog;
}

void i18n_catalog_destroy(struct i18n_catalog *catalog)
{
    if (catalog == NULL)
        return;
    for (int i = 0; i < catalog->count; i++) {
        free(catalog->entries[i].msgid);
        free(catalog->entries[i].msgstr);
    }
    free(catalog->entries);
    free(catalog);
}

const char *i18n_catalog_get(const struct i18n_catalog *catalog, const char *msgid)
{
    if (catalog == NULL || msgid == NULL || catalog->count == 0)
        return msgid;
    struct catalog_entry key = {.msgid = (char *)msgid};
    const struct catalog_entry *found = bsearch(&key, catalog->entries, (size_t)catalog->count,
                                                sizeof *catalog->entries, entry_compare);
    return found != NULL ? found->msgstr : msgid;
}

int i18n_catalog_count(const struct i18n_catalog *catalog)
{
    return catalog != NULL ? catalog->count : 0;
}

const char *i18n_native_name(const char *lang_code)
{
    static const char *const names[][2] = {
        {"en", "English"},  {"fi", "Suomi"},   {"de", "Deutsch"},    {"sv", "Svenska"},
        {"fr", "Français"}, {"es", "Español"}, {"nl", "Nederlands"}, {"it", "Italiano"},
        {"pl", "Polski"},   {"et", "Eesti"},
    };
    if (lang_code == NULL)
        return "";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], lang_code) == 0)
            return names[i][1];
    return lang_code;
}
