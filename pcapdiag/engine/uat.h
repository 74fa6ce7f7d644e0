/* uat.h - splitting a record of Wireshark's "user accessible tables" (uat.c), shared by
 * the IKE key tables (ike_keys.c) and the ESP SA table (esp_keys.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_UAT_H
#define PD_UAT_H

#include <stdbool.h>
#include <stddef.h>

#define PD_UAT_MAX_FIELDS 16
#define PD_UAT_MAX_FIELD_CHARS 4096

typedef struct pd_uat_field {
    char *text; /* unescaped, NUL-terminated (g_malloc'd) */
    size_t len;
    bool quoted;
} pd_uat_field;

/* Split one line (no newline) into at most PD_UAT_MAX_FIELDS fields the way Wireshark's
 * table reader does. Returns the field count, or -1 with *why (nothing left allocated). */
int pd_uat_split(const char *line, pd_uat_field *out, const char **why);
void pd_uat_fields_free(pd_uat_field *f, int n);
/* One record of a table, split: accept it (true) or refuse it with *reason (g_malloc'd).
 * `where` is "NAME:LINE", for the row's own messages. */
typedef bool (*pd_uat_row_fn)(void *user, const pd_uat_field *f, int n, const char *where,
                              char **reason);
/* Walk a table's text record by record the way Wireshark reads it (one record a line, CR LF
 * accepted, blank lines and '#' comments skipped) and hand each to `row`. Stops at the first
 * record that does not split or that `row` refuses: false, with *where ("NAME:LINE") and
 * *reason for the caller to report and free. The caller checks size and NUL bytes first. */
bool pd_uat_each_record(const char *text, size_t len, const char *name, pd_uat_row_fn row,
                        void *user, char **where, char **reason);
/* The value of a hex digit, -1 for anything else. */
int pd_uat_hexval(char c);

#endif
