/* spool.h - a report written while the capture is read: each session is
 * rendered the moment the engine hands it over (pd_engine_config.
 * on_session_closed) into a temporary file, and the report is assembled
 * from it, in session order, once the capture is over. Memory follows live
 * sessions; the output is byte for byte the whole report's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_CLI_SPOOL_H
#define PD_CLI_SPOOL_H

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

#include "capture.h"
#include "pcapdiag/pcapdiag.h"
#include "report.h"

typedef struct pd_cli_spool pd_cli_spool;

/* A spool for one capture's report in `format`. `json_level` is the JSON
 * document's depth (0 alone, 1 inside the array of several files). The
 * temporary file lives in g_get_tmp_dir() ($TMPDIR) and is unlinked at
 * once. NULL with `error` set when it cannot be created. */
pd_cli_spool *pd_cli_spool_new(pd_report_format format, const pd_report_options *opt,
                               int json_level, GError **error);
void pd_cli_spool_free(pd_cli_spool *sp);

/* Point the engine configuration at the spool (on_session_closed, user).
 * `info` is the capture being read (pd_cli_read_capture fills it): the time
 * offsets of ladders and evidence count from its first record. */
void pd_cli_spool_attach(pd_cli_spool *sp, pd_engine_config *cfg, const pd_cli_capture_info *info);

/* The capture is over and the engine finished: write the whole report to
 * `out` (without the trailing newline of a JSON document). `rc` carries the
 * front end's facts (file, format, link type, filter, records, time origin);
 * its stats, session count and totals are filled from the engine and the
 * spool. *has_error tells whether an error finding was reported. On a
 * failure to write `out`, returns false with *write_errno set; on a failure
 * of the temporary file, false with `error` set. */
bool pd_cli_spool_write(pd_cli_spool *sp, const pd_engine *engine, pd_report_capture *rc,
                        FILE *out, bool *has_error, int *write_errno, GError **error);

#endif /* PD_CLI_SPOOL_H */
