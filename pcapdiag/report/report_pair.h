/* report_pair.h - the paired report (pcapdiag --pair CLIENT SERVER): both
 * captures, the matched sessions with a two-column ladder (client capture |
 * server capture) marking lost and modified packets, what each direction
 * sent, lost and had changed, NAT translations, and the paired verdict; in
 * text, JSON and Markdown with the same content.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_REPORT_PAIR_H
#define PD_REPORT_PAIR_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "pair.h"
#include "report.h"

typedef struct pd_report_pair {
    /* Per role (PD_PAIR_CLIENT, PD_PAIR_SERVER): the single-capture report
     * input (file name, format, the engine's sessions and findings). */
    const pd_report_capture *capture[2];
    bool swapped; /* the roles were inferred: the first file named was the server's */
    const pd_pair_result *result;
} pd_report_pair;

void pd_report_pair_text(GString *out, const pd_report_pair *rp, const pd_report_options *opt);
void pd_report_pair_markdown(GString *out, const pd_report_pair *rp, const pd_report_options *opt);
/* A new JSON document (caller frees): {"pcapdiag", "schema", "mode": "pair",
 * "roles", "clock", "captures": {"client", "server"}, "sessions", "findings"}. */
JsonNode *pd_report_pair_json_node(const pd_report_pair *rp);

typedef struct pd_report_pair_args {
    const char *first, *second; /* as named: client then server (roles may be inferred) */
    pd_report_format format;
    const char *filter; /* BPF for both, or NULL */
    pd_report_options options;
    uint16_t netmotion_port; /* 0: the engine's default */
    const char *ike_policy;  /* or NULL */
    const char *const *ike_key_files; /* NULL-terminated, or NULL */
    const char *const *esp_key_files; /* NULL-terminated, or NULL */
} pd_report_pair_args;

/* `pcapdiag --pair`: read both captures, pair them, write the report to
 * standard output and problems to standard error (one line each). Returns
 * the exit status: 0 no error finding, 1 an error finding, 2 a usage or
 * input error (a file problem, captures that share no session or do not
 * overlap in time). */
int pd_report_pair_cli(const pd_report_pair_args *args);

#endif /* PD_REPORT_PAIR_H */
