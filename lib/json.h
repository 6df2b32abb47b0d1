/*
 * json: writing JSON strings, the one escaping both the dashboard's API and
 * the alert webhook use.
 */
#ifndef WOW_JSON_H
#define WOW_JSON_H

struct strbuf;

/* Appends text as a JSON string, quotes included: '"', '\\' and control
 * characters escaped, '<', '>' and '&' as \u00XX (safe inside HTML), and
 * each byte that is not part of well-formed UTF-8 replaced by U+FFFD, so the
 * output is always valid JSON whatever the input. */
void json_string(struct strbuf *out, const char *text);

#endif
