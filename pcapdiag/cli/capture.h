/* capture.h - reading a capture file (pcap or pcapng, or standard input)
 * through libpcap into the engine, with every file problem as a GError.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_CLI_CAPTURE_H
#define PD_CLI_CAPTURE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "pcapdiag/pcapdiag.h"

#define PD_CLI_ERROR (pd_cli_error_quark())
GQuark pd_cli_error_quark(void);

typedef enum pd_cli_error {
    PD_CLI_ERROR_OPEN,        /* missing, unreadable, a directory, a terminal */
    PD_CLI_ERROR_EMPTY,       /* no bytes at all */
    PD_CLI_ERROR_FORMAT,      /* not pcap/pcapng, or its file header is cut short */
    PD_CLI_ERROR_LINKTYPE,    /* a link type the engine does not decode */
    PD_CLI_ERROR_FILTER,      /* the BPF filter does not compile */
    PD_CLI_ERROR_RECORD,      /* a record libpcap refuses (caplen beyond limits...) */
} pd_cli_error;

typedef struct pd_cli_capture_info {
    const char *format; /* "pcap" or "pcapng" (static) */
    uint32_t linktype;  /* LINKTYPE_* */
    uint64_t records;   /* records read, those the filter rejected included */
    int64_t first_ts_ns; /* time of record 1 (when records > 0) */
    bool truncated;     /* the file ended mid-record */
    char *warning;      /* why it counts as truncated (libpcap's words), or NULL */
} pd_cli_capture_info;

void pd_cli_capture_info_clear(pd_cli_capture_info *info);

typedef struct pd_cli_read_options {
    const char *filter; /* BPF, or NULL */
    bool progress;      /* allowed to draw progress on stderr (it is a terminal) */
} pd_cli_read_options;

/* Feed every frame of `path` ("-": standard input) to `engine`, then finish
 * it. On a file problem return false with `error` set and leave the engine
 * unfinished; a file cut short mid-record is not an error: it sets
 * info->truncated and marks the engine truncated. */
bool pd_cli_read_capture(const char *path, const pd_cli_read_options *opts, pd_engine *engine,
                         pd_cli_capture_info *info, GError **error);

/* libpcap's DLT_* value (what pcap_datalink() returns) -> the LINKTYPE_*
 * number written in files, which is what the engine takes. */
uint32_t pd_cli_dlt_to_linktype(int dlt);

#endif /* PD_CLI_CAPTURE_H */
