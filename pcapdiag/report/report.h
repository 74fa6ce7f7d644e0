/* report.h - the three reports (text with ladder diagrams, JSON, Markdown)
 * and the signature catalog, built from the engine's public model only.
 *
 * A report reads a pd_report_capture: the facts the front end knows about
 * the file (name, format, link type, filter) plus the engine's stats,
 * sessions and findings as plain pointer arrays, so the report layer can be
 * unit-tested on hand-built sessions without running an engine.
 *
 * Every report is deterministic: the same input gives the same bytes,
 * whatever the locale or time zone (times are formatted from integer
 * nanoseconds in UTC, no floating point, no hash-table order).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_REPORT_H
#define PD_REPORT_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "pcapdiag/pcapdiag.h"

typedef enum pd_report_format {
    PD_REPORT_TEXT,
    PD_REPORT_JSON,
    PD_REPORT_MARKDOWN
} pd_report_format;

/* "text", "json", "markdown" -> format; false if the name is unknown. */
bool pd_report_format_parse(const char *name, pd_report_format *out);

/* What a report's head says about findings it has not got in hand: a front
 * end that streams sessions and findings out piece by piece (the CLI does,
 * so that memory follows live sessions) counts them as they pass. */
typedef struct pd_report_totals {
    size_t n_findings;
    size_t by_severity[3]; /* indexed by pd_severity */
    bool any_evidence;     /* some finding cites a frame */
    /* The most severe finding, the first in report order on ties (capture
     * level, then by session id, then in each session's order), or NULL. */
    const pd_finding *worst;
    uint64_t worst_order; /* its place in report order (pd_report_totals_add) */
} pd_report_totals;

typedef struct pd_report_capture {
    const char *file;   /* as named on the command line; "-" is standard input */
    const char *format; /* "pcap" or "pcapng" */
    uint32_t linktype;  /* LINKTYPE_* */
    const char *filter; /* BPF filter applied, or NULL */
    uint64_t records;   /* records read, those the filter rejected included */
    /* Time of the first record in the file (filtered out or not): offsets
     * count from it, like Wireshark's Time column. Without it, from the
     * first frame the engine saw. */
    bool has_time_origin;
    int64_t time_origin_ns;
    const pd_capture_stats *stats;
    const pd_session *const *sessions;
    size_t n_sessions;
    const pd_finding *const *findings;
    size_t n_findings;
    /* The verdict on a code the user reported (--reported), or NULL: printed
     * on top of the report (pcapdiag/errorcodes.h). */
    const struct pd_reported *reported;
    /* Streaming: findings are written piece by piece and `findings` is not
     * the whole list; counts, verdict and exit status come from here. NULL:
     * computed from `findings`. */
    const pd_report_totals *totals;
} pd_report_capture;

/* Fill the stats/sessions/findings of `rc` from a finished engine (the other
 * fields are the caller's). The arrays are allocated: pd_report_capture_clear()
 * frees them; the engine must outlive the report. */
void pd_report_capture_from_engine(pd_report_capture *rc, const pd_engine *engine);
void pd_report_capture_clear(pd_report_capture *rc);

/* The time offsets are measured from (see has_time_origin). */
int64_t pd_report_time_origin(const pd_report_capture *rc);

/* Totals computed from rc->findings (what a whole report uses). */
void pd_report_totals_compute(pd_report_totals *t, const pd_report_capture *rc);
/* Count one finding; `order` is its place in report order (any increasing
 * key), the tie-break between equally severe findings. Returns true when it
 * became t->worst: a caller about to free `f` then points worst at a copy. */
bool pd_report_totals_add(pd_report_totals *t, const pd_finding *f, uint64_t order);

/* The most severe finding of a capture (first one on ties), or NULL. */
const pd_finding *pd_report_worst_finding(const pd_report_capture *rc);
bool pd_report_has_error(const pd_report_capture *rc);

typedef struct pd_report_options {
    bool quiet; /* findings only, after a one-line header */
    bool color; /* ANSI colours on severity words (text report only) */
} pd_report_options;

/* Text report (readable at 100 columns), appended to `out`. */
void pd_report_text(GString *out, const pd_report_capture *rc, const pd_report_options *opt);

/* Markdown report for a ticket, appended to `out`. */
void pd_report_markdown(GString *out, const pd_report_capture *rc, const pd_report_options *opt);

/* The JSON document of one capture (a new JsonNode, caller frees). */
JsonNode *pd_report_json_node(const pd_report_capture *rc);

/* Serialise a JSON node: pretty, 2-space indent, trailing newline. */
char *pd_report_json_to_string(JsonNode *node);

/* ---- the reports piece by piece (streaming) ------------------------------
 *
 * Each whole report above is exactly the concatenation of these pieces, so a
 * front end that writes sessions as they close (and the head once the
 * capture is over) produces the same bytes. The head pieces read counts
 * through rc->totals when set. t0 is pd_report_time_origin(rc). */

/* Text: head (reported verdict, capture header or the -q count line), then
 * each session (not with -q), then the findings head and each finding. */
void pd_report_text_head(GString *out, const pd_report_capture *rc, const pd_report_options *opt);
void pd_report_text_session(GString *out, const pd_session *s, int64_t t0);
void pd_report_text_findings_head(GString *out, size_t n_findings);
void pd_report_text_finding(GString *out, const pd_finding *f, int64_t t0,
                            const pd_report_options *opt);

/* Markdown: head (verdict, count line); when there are findings, the
 * findings table (head, one row per finding), the evidence table (head, the
 * rows of each finding, tail; only when some finding has evidence), the
 * details (head, one block per finding); then, without -q, the capture
 * facts and each session. */
void pd_report_markdown_head(GString *out, const pd_report_capture *rc);
void pd_report_markdown_findings_head(GString *out);
void pd_report_markdown_finding_row(GString *out, const pd_finding *f);
void pd_report_markdown_evidence_head(GString *out);
void pd_report_markdown_evidence_rows(GString *out, const pd_finding *f, int64_t t0);
void pd_report_markdown_evidence_tail(GString *out);
void pd_report_markdown_details_head(GString *out);
void pd_report_markdown_finding_details(GString *out, const pd_finding *f);
void pd_report_markdown_capture(GString *out, const pd_report_capture *rc);
void pd_report_markdown_session(GString *out, const pd_session *s, int64_t t0);

/* JSON: the head node (caller frees), and writers that print a session or
 * a finding as json-glib prints the whole tree (pretty, 2-space indent) at
 * their depth in it: the document at `level` 0 (1 inside the array of
 * several files), its sessions and findings at level + 2 (first line
 * indented too; no trailing newline). */
JsonNode *pd_report_json_head_node(const pd_report_capture *rc); /* without sessions/findings */
/* Members for a json-glib tree built elsewhere: a string (NULL as null,
 * made valid UTF-8), an integer, an unsigned count (clamped to INT64_MAX). */
void pd_json_str(JsonBuilder *b, const char *key, const char *value);
void pd_json_int(JsonBuilder *b, const char *key, int64_t value);
void pd_json_uint(JsonBuilder *b, const char *key, uint64_t value);
void pd_report_json_session_write(GString *out, const pd_session *s, int64_t t0, int level);
void pd_report_json_finding_write(GString *out, const pd_finding *f, int level);
/* Append `node` pretty-printed as it appears at `level` in a bigger tree
 * (first line indented too; no trailing newline). */
void pd_report_json_write_at(GString *out, JsonNode *node, int level);
/* Document framing: the head object left open, then each array ("sessions",
 * then "findings"): begin, elements (index counts from 0), end, then the
 * document's closing brace (no trailing newline). */
void pd_report_json_doc_begin(GString *out, JsonNode *head, int level);
void pd_report_json_array_begin(GString *out, const char *key, int level);
void pd_report_json_array_finding(GString *out, const pd_finding *f, int level, size_t index);
void pd_report_json_array_end(GString *out, int level, size_t count);
void pd_report_json_doc_end(GString *out, int level);

/* The signature catalog (--list-signatures) in the given format, appended to
 * `out`. The Markdown form is the README's table, byte for byte. */
void pd_report_signatures(GString *out, pd_report_format format);

/* ---- helpers shared by the reports (exposed for the unit tests) ---------- */

/* ISO 8601 UTC with microseconds: "2026-11-21T07:17:14.123456Z".
 * buf must hold PD_REPORT_TIME_LEN bytes. */
#define PD_REPORT_TIME_LEN 40
const char *pd_report_format_time(int64_t ts_ns, char *buf, size_t len);

/* Signed seconds with millisecond precision: "12.345", "-0.002". */
const char *pd_report_format_offset(int64_t delta_ns, char *buf, size_t len);

/* A duration for people: "27.0 s", "850 ms", "3 us". */
const char *pd_report_format_duration(int64_t ns, char *buf, size_t len);

/* "192.0.2.1:1723", "[2001:db8::1]:500", or the bare address when port is 0.
 * buf must hold PD_REPORT_ENDPOINT_LEN bytes. */
#define PD_REPORT_ENDPOINT_LEN 64
const char *pd_report_format_endpoint(const pd_endpoint *ep, char *buf, size_t len);

/* "PPTP", "L2TP", "IKEv1", "IKEv2", "ESP". */
const char *pd_report_protocol_title(pd_protocol p);

/* A copy of untrusted text safe to print: valid UTF-8, control characters
 * (C0, DEL, C1) replaced by '?', NULL becomes "". */
char *pd_report_clean(const char *s);

/* Word-wrap `text` to `width` columns (UTF-8 aware), each line prefixed with
 * `indent` (first line too), appended to `out` with a newline per line. */
void pd_report_wrap(GString *out, const char *text, const char *indent, size_t width);

/* ---- error codes: `pcapdiag explain` and `--reported` (report_explain.c) ---- */

#include "pcapdiag/errorcodes.h"

/* Catalog entries in full (meaning, whether and how a capture shows them,
 * confirming signatures, what to do), appended to `out`. JSON: one object
 * for one code, an array for several. */
void pd_report_explain(GString *out, const pd_error_code *const *codes, size_t n,
                       pd_report_format format);
/* The whole catalog, one line (text), row (Markdown) or object (JSON) each. */
void pd_report_explain_list(GString *out, pd_report_format format);

/* The --reported verdict on top of a report: text (a line and its reason,
 * then a blank line), Markdown (a heading and a paragraph). */
void pd_report_reported_text(GString *out, const pd_reported *r);
void pd_report_reported_markdown(GString *out, const pd_reported *r);
/* `"reported": {code, code_raw, title, verdict, because, session, frame}`
 * as a member of the object being built. */
void pd_report_reported_json(JsonBuilder *b, const pd_reported *r);

/* For a finding that carries no Windows code of its own (warning or
 * error): the catalog codes users typically see for its signature, as
 * "netmotion:39 (timeout waiting to connect), ..." (newly allocated), or
 * NULL. */
char *pd_report_typical_codes(const pd_finding *f);
/* The same as catalog labels ("netmotion:39"), for JSON; NULL-terminated,
 * g_strfreev() it; NULL when there are none. */
char **pd_report_typical_code_labels(const pd_finding *f);

#endif /* PD_REPORT_H */
