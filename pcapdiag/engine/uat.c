/* uat.c - one record of Wireshark's "user accessible tables" (the text files a profile
 * keeps for the ISAKMP and ESP key tables): fields separated by commas, blanks around them,
 * text in double quotes with backslash escapes (\\, \", \xHH, octal), bare text up to the next
 * comma.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "uat.h"

#include <glib.h>
#include <string.h>

int pd_uat_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void pd_uat_fields_free(pd_uat_field *f, int n)
{
    for (int i = 0; i < n; i++)
        g_free(f[i].text);
}

/* Split one line into fields the way Wireshark's table reader does:
 * blanks around fields, a quoted string with backslash escapes, or bare
 * text up to the next comma. Returns the field count, or -1 with *why. */
int pd_uat_split(const char *line, pd_uat_field *out, const char **why)
{
    int n = 0;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (n == PD_UAT_MAX_FIELDS) {
            pd_uat_fields_free(out, n);
            *why = "too many fields";
            return -1;
        }
        GString *s = g_string_new(NULL);
        bool quoted = false;
        if (*p == '"') {
            quoted = true;
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1]) {
                    p++;
                    if (*p == 'x' && pd_uat_hexval(p[1]) >= 0) {
                        int v = pd_uat_hexval(p[1]);
                        p += 2;
                        if (pd_uat_hexval(*p) >= 0)
                            v = v * 16 + pd_uat_hexval(*p++);
                        g_string_append_c(s, (char)v);
                        continue;
                    }
                    if (*p >= '0' && *p <= '7') {
                        int v = 0;
                        for (int i = 0; i < 3 && *p >= '0' && *p <= '7'; i++)
                            v = v * 8 + (*p++ - '0');
                        g_string_append_c(s, (char)(v & 0xff));
                        continue;
                    }
                }
                g_string_append_c(s, *p++);
                if (s->len > PD_UAT_MAX_FIELD_CHARS)
                    break;
            }
            if (*p != '"') {
                *why = s->len > PD_UAT_MAX_FIELD_CHARS ? "field too long" : "unterminated quoted string";
                g_string_free(s, TRUE);
                pd_uat_fields_free(out, n);
                return -1;
            }
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p && *p != ',') {
                g_string_free(s, TRUE);
                pd_uat_fields_free(out, n);
                *why = "unexpected text after a quoted string";
                return -1;
            }
        } else {
            while (*p && *p != ',')
                g_string_append_c(s, *p++);
            while (s->len && (s->str[s->len - 1] == ' ' || s->str[s->len - 1] == '\t'))
                g_string_truncate(s, s->len - 1);
            if (s->len > PD_UAT_MAX_FIELD_CHARS) {
                g_string_free(s, TRUE);
                pd_uat_fields_free(out, n);
                *why = "field too long";
                return -1;
            }
        }
        out[n].quoted = quoted;
        out[n].len = s->len;
        out[n].text = g_string_free(s, FALSE);
        n++;
        if (*p != ',')
            return n;
        p++;
    }
}

bool pd_uat_each_record(const char *text, size_t len, const char *name, pd_uat_row_fn row,
                        void *user, char **where, char **reason)
{
    unsigned lineno = 0;
    size_t pos = 0;
    *where = *reason = NULL;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        char *line = g_strndup(text + pos, end - pos);
        pos = nl ? end + 1 : len;
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[--l] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#') {
            g_free(line);
            continue;
        }
        pd_uat_field f[PD_UAT_MAX_FIELDS];
        const char *why = NULL;
        char *at = g_strdup_printf("%s:%u", name, lineno);
        char *refused = NULL;
        int n = pd_uat_split(p, f, &why);
        bool ok = false;
        if (n < 0) {
            refused = g_strdup(why);
        } else {
            ok = row(user, f, n, at, &refused);
            pd_uat_fields_free(f, n);
        }
        g_free(line);
        if (!ok) {
            *where = at;
            *reason = refused ? refused : g_strdup("refused");
            return false;
        }
        g_free(at);
    }
    return true;
}
