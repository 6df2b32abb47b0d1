/*
 * json: JSON string escaping (see json.h).
 */
#include "json.h"

#include <string.h>

#include "strbuf.h"
#include "utf8.h"

void json_string(struct strbuf *out, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(text);
    strbuf_puts(out, "\"");
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)text[i];
        size_t len = utf8_sequence(text + i, n - i);
        if (len == 0) {
            strbuf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
            i++;
            continue;
        }
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                                      : NULL;
        if (esc) {
            strbuf_puts(out, esc);
        } else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            strbuf_append(out, u, sizeof u);
        } else if (utf8_bidi_control(text + i)) {
            /* escaped, so it reorders nothing where the JSON itself is shown */
            unsigned cp = len == 2
                              ? 0x061c
                              : ((c & 0x0fu) << 12) | (((unsigned char)text[i + 1] & 0x3fu) << 6) |
                                    ((unsigned char)text[i + 2] & 0x3fu);
            char u[6] = {'\\',        'u', hex[cp >> 12], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15],
                         hex[cp & 15]};
            strbuf_append(out, u, sizeof u);
        } else {
            strbuf_append(out, text + i, len);
        }
        i += len;
    }
    strbuf_puts(out, "\"");
}
