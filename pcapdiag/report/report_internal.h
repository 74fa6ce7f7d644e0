/* report_internal.h - helpers the three reports share (not for the CLI).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_REPORT_INTERNAL_H
#define PD_REPORT_INTERNAL_H

#include "report.h"

/* What a capture without sessions was searched for, in the engine's terms. */
#define PD_REPORT_LOOKED_FOR \
    "PPTP (TCP 1723 with GRE), L2TP (UDP 1701), IKE (UDP 500/4500), ESP (IP 50) or NetMotion " \
    "Mobility (UDP 5008 by default)"

/* Wrap with one prefix on the first line and another on the rest; always
 * writes at least the first prefix (right-trimmed) and a newline. */
void pd_report_wrap_hanging(GString *out, const char *text, const char *first, const char *cont,
                            size_t width);

/* The same, then `tail` kept whole: at the end of the last line when it
 * fits, else on a line of its own (tail may be NULL). */
void pd_report_wrap_tail(GString *out, const char *text, const char *tail, const char *first,
                         const char *cont, size_t width);

/* v in decimal into buf (at least 21 bytes); returns its length. */
size_t pd_report_format_u64(uint64_t v, char *buf, size_t len);

/* "628, 629" (newly allocated). */
char *pd_report_codes(const pd_finding *f);
/* "call_id=5, result=Busy (4)" (newly allocated, not yet cleaned). */
char *pd_report_attrs_line(const pd_attr *attrs, size_t n);
/* Nonzero anomaly counters in words, or NULL when there are none. */
char *pd_report_anomalies(const pd_capture_stats *st);
/* Nonzero traffic counters in words, or NULL. */
char *pd_report_traffic(const pd_capture_stats *st);
/* "1234 frames, 2 VPN sessions, 3 findings (1 error, 2 notes)". */
char *pd_report_count_line(const pd_report_capture *rc);
/* The plain statement for a capture without sessions. */
char *pd_report_no_session_line(const pd_report_capture *rc);

/* The ASCII ladder of one session (column header, one line per entry),
 * offsets relative to t0. */
void pd_report_ladder(GString *out, const pd_session *s, int64_t t0);

/* Markdown: untrusted text with its punctuation escaped; a code span
 * (with '|' escaped when it sits in a table cell). */
void pd_report_md_text(GString *out, const char *text);
void pd_report_md_code(GString *out, const char *text, bool in_table);

#endif /* PD_REPORT_INTERNAL_H */
