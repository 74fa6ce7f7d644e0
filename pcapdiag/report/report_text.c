/* report_text.c - the default report: a capture header, one ladder diagram
 * per session, then the findings with their evidence. Fits 100 columns.
 *
 * The ladder is plain ASCII ("|---->|", "|<----|") so it survives being
 * pasted into mail, tickets and chat; colour, when enabled, only marks the
 * severity words.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"

#define WIDTH 100
#define ARROW_TO_SERVER "|------------------>|"
#define ARROW_TO_CLIENT "|<------------------|"
#define ARROW_OTHER "|~~~~~~~ path ~~~~~~|" /* an ICMP error from a router, say */
#define ARROW_WIDTH ((int)sizeof ARROW_TO_SERVER - 1)

static const char *sev_color(pd_severity s)
{
    switch (s) {
    case PD_SEV_ERROR: return "\033[1;31m";
    case PD_SEV_WARNING: return "\033[1;33m";
    case PD_SEV_NOTE: return "\033[1;36m";
    }
    return "";
}

/* A "  label      value" line of the header, wrapped under the value. */
static void field(GString *out, const char *label, const char *value)
{
    char *first = g_strdup_printf("  %-11s", label);
    pd_report_wrap_hanging(out, value, first, "             ", WIDTH);
    g_free(first);
}

static void append_header(GString *out, const pd_report_capture *rc)
{
    const pd_capture_stats *st = rc->stats;
    char t[PD_REPORT_TIME_LEN], d[32];

    char *v = g_strdup_printf("pcapdiag %s report: %s", PCAPDIAG_VERSION, rc->file);
    pd_report_wrap_hanging(out, v, "", "  ", WIDTH);
    g_free(v);
    v = g_strdup_printf("%s, %s (linktype %" PRIu32 "), %" PRIu64 " %s, %" PRIu64
                        " bytes (%" PRIu64 " on the wire)",
                        rc->format ? rc->format : "?", pd_linktype_name(rc->linktype), rc->linktype,
                        st->frames, st->frames == 1 ? "frame" : "frames", st->bytes_captured,
                        st->bytes_wire);
    field(out, "capture", v);
    g_free(v);
    if (rc->filter) {
        v = g_strdup_printf("\"%s\" matched %" PRIu64 " of %" PRIu64 " records", rc->filter,
                            st->frames, rc->records);
        field(out, "filter", v);
        g_free(v);
    }
    if (st->frames) {
        v = g_strdup_printf("%s, %s", pd_report_format_time(st->first_ts_ns, t, sizeof t),
                            pd_report_format_duration(st->last_ts_ns - st->first_ts_ns, d, sizeof d));
        field(out, "span", v);
        g_free(v);
    } else {
        field(out, "span", "no frames");
    }
    v = st->vantage_reason && *st->vantage_reason
            ? g_strdup_printf("%s (%s)", pd_vantage_name(st->vantage), st->vantage_reason)
            : g_strdup(pd_vantage_name(st->vantage));
    field(out, "vantage", v);
    g_free(v);

    char *traffic = pd_report_traffic(st);
    if (traffic) {
        field(out, "traffic", traffic);
        g_free(traffic);
    }
    char *anomalies = pd_report_anomalies(st);
    if (anomalies) {
        field(out, "anomalies", anomalies);
        g_free(anomalies);
    }
    if (st->truncated)
        field(out, "truncated",
              "the file ends in the middle of a record; this report covers what was read");
}

/* Right-align `text` (of `len` bytes) in `width` columns at buf[at]; the
 * new end. The callers' widths are those of the longest offset and frame
 * number, which always fit their buffers. */
static size_t append_padded(char *buf, size_t at, const char *text, size_t len, int width)
{
    for (int i = (int)len; i < width; i++)
        buf[at++] = ' ';
    memcpy(buf + at, text, len);
    return at + len;
}

/* One ladder line: offset, frame, the two bars with the arrow, the text.
 * `cont` is the continuation prefix, the same for every line of a ladder.
 * Built without printf: a report spends most of its time here. */
static void append_ladder_line(GString *out, const pd_ladder_entry *l, int64_t t0, int tw, int fw,
                               const char *cont)
{
    char off[32], fr[24], dur[32];
    const char *arrow;
    switch (l->dir) {
    case PD_DIR_TO_SERVER: arrow = ARROW_TO_SERVER; break;
    case PD_DIR_TO_CLIENT: arrow = ARROW_TO_CLIENT; break;
    default: arrow = ARROW_OTHER; break;
    }
    G_STATIC_ASSERT(sizeof ARROW_TO_CLIENT == sizeof ARROW_TO_SERVER);
    G_STATIC_ASSERT(sizeof ARROW_OTHER == sizeof ARROW_TO_SERVER);

    GString *tail = NULL;
    uint32_t repeat = l->repeat ? l->repeat : 1;
    if (repeat > 1 || l->annotation) {
        tail = g_string_new("[");
        if (repeat > 1)
            g_string_append_printf(tail, "x%" PRIu32 " over %s", repeat,
                                   pd_report_format_duration(l->last_ts_ns - l->ts_ns, dur,
                                                             sizeof dur));
        if (l->annotation)
            g_string_append_printf(tail, "%s%s", repeat > 1 ? ", " : "", l->annotation);
        g_string_append_c(tail, ']');
    }

    /* "  %*s  %*" PRIu64 "  %s  ", in a buffer on the stack (the widths
     * come from these very strings, so they fit). */
    char prefix[2 + sizeof off + 2 + sizeof fr + 2 + sizeof ARROW_TO_SERVER + 2];
    size_t at = 0;
    pd_report_format_offset(l->ts_ns - t0, off, sizeof off);
    size_t n = pd_report_format_u64(l->frame, fr, sizeof fr);
    at = append_padded(prefix, at, "  ", 2, 0);
    at = append_padded(prefix, at, off, strlen(off), tw);
    at = append_padded(prefix, at, "  ", 2, 0);
    at = append_padded(prefix, at, fr, n, fw);
    at = append_padded(prefix, at, "  ", 2, 0);
    at = append_padded(prefix, at, arrow, sizeof ARROW_TO_SERVER - 1, 0);
    at = append_padded(prefix, at, "  ", 2, 0);
    prefix[at] = '\0';
    pd_report_wrap_tail(out, l->text ? l->text : "", tail ? tail->str : NULL, prefix, cont, WIDTH);
    if (tail)
        g_string_free(tail, TRUE);
}

static void append_session(GString *out, const pd_session *s, int64_t t0)
{
    char c[PD_REPORT_ENDPOINT_LEN], sv[PD_REPORT_ENDPOINT_LEN], d[32];
    char *v = g_strdup_printf("Session %" PRIu32 "  %s  %s -> %s  [%s]", s->id,
                              pd_report_protocol_title(s->protocol),
                              pd_report_format_endpoint(&s->client, c, sizeof c),
                              pd_report_format_endpoint(&s->server, sv, sizeof sv),
                              s->state ? s->state : "?");
    pd_report_wrap_hanging(out, v, "", "  ", WIDTH);
    g_free(v);

    GString *st = g_string_new(NULL);
    for (size_t i = 0; i < s->n_stages; i++)
        g_string_append_printf(st, "%s%s (frame %" PRIu64 ")", i ? ", " : "",
                               s->stages[i].name ? s->stages[i].name : "?", s->stages[i].frame);
    pd_report_wrap_hanging(out, s->n_stages ? st->str : "none reached", "  stages   ",
                           "           ", WIDTH);
    g_string_free(st, TRUE);

    v = g_strdup_printf("%" PRIu64 " packets (%" PRIu64 " bytes) to the server, %" PRIu64
                        " (%" PRIu64 " bytes) to the client; frames %" PRIu64 "-%" PRIu64
                        " over %s",
                        s->packets[PD_DIR_TO_SERVER], s->bytes[PD_DIR_TO_SERVER],
                        s->packets[PD_DIR_TO_CLIENT], s->bytes[PD_DIR_TO_CLIENT], s->first_frame,
                        s->last_frame,
                        pd_report_format_duration(s->last_ts_ns - s->first_ts_ns, d, sizeof d));
    pd_report_wrap_hanging(out, v, "  traffic  ", "           ", WIDTH);
    g_free(v);
    if (s->n_attrs) {
        char *attrs = pd_report_attrs_line(s->attrs, s->n_attrs);
        pd_report_wrap_hanging(out, attrs, "  details  ", "           ", WIDTH);
        g_free(attrs);
    }
    g_string_append_c(out, '\n');
    pd_report_ladder(out, s, t0);
}

void pd_report_ladder(GString *out, const pd_session *s, int64_t t0)
{
    if (s->n_ladder == 0) {
        g_string_append(out, "  (no messages)\n");
        return;
    }
    /* Column widths from the widest value, so long captures stay aligned. */
    int tw = (int)strlen("time"), fw = (int)strlen("frame");
    for (size_t i = 0; i < s->n_ladder; i++) {
        char off[32], fr[24];
        int l = (int)strlen(pd_report_format_offset(s->ladder[i].ts_ns - t0, off, sizeof off));
        if (l > tw)
            tw = l;
        l = (int)pd_report_format_u64(s->ladder[i].frame, fr, sizeof fr);
        if (l > fw)
            fw = l;
    }
    g_string_append_printf(out, "  %*s  %*s  %-*s%s\n", tw, "time", fw, "frame", ARROW_WIDTH - 6,
                           "client", "server");
    /* Continuation lines keep both bars so the diagram stays readable. */
    char *cont = g_strdup_printf("  %*s  %*s  |%*s|  ", tw, "", fw, "", ARROW_WIDTH - 2, "");
    for (size_t i = 0; i < s->n_ladder; i++)
        append_ladder_line(out, &s->ladder[i], t0, tw, fw, cont);
    g_free(cont);
    if (s->ladder_dropped)
        g_string_append_printf(out, "  ... %" PRIu64 " more lines not kept (ladder cap reached)\n",
                               s->ladder_dropped);
}

static void append_finding(GString *out, const pd_finding *f, int64_t t0, bool color)
{
    /* The head line is wrapped as plain text, then its first word (the
     * severity) is coloured: escape codes must not count as columns. */
    GString *head = g_string_new(NULL);
    char *sev = g_ascii_strup(pd_severity_name(f->severity), -1);
    g_string_append_printf(head, "%s  %s", sev, f->signature ? f->signature->id : "unknown");
    if (f->session_id)
        g_string_append_printf(head, "  session %" PRIu32, f->session_id);
    if (f->n_windows_errors) {
        char *codes = pd_report_codes(f);
        g_string_append_printf(head, "  Windows %s", codes);
        g_free(codes);
    }
    g_string_append_printf(head, "  confidence %s  blame %s", pd_confidence_name(f->confidence),
                           pd_blame_name(f->blame));
    GString *wrapped = g_string_new(NULL);
    pd_report_wrap_hanging(wrapped, head->str, "", "  ", WIDTH);
    if (color) {
        g_string_append_printf(out, "%s%s\033[0m", sev_color(f->severity), sev);
        g_string_append(out, wrapped->str + strlen(sev));
    } else {
        g_string_append(out, wrapped->str);
    }
    g_string_free(wrapped, TRUE);
    g_string_free(head, TRUE);
    g_free(sev);
    if (f->summary && *f->summary)
        pd_report_wrap(out, f->summary, "  ", WIDTH);
    char *typical = pd_report_typical_codes(f);
    if (typical) {
        pd_report_wrap_hanging(out, typical, "  Codes users typically see for this: ", "    ",
                               WIDTH);
        g_free(typical);
    }
    if (f->explanation && *f->explanation) {
        g_string_append_c(out, '\n');
        pd_report_wrap(out, f->explanation, "  ", WIDTH);
    }
    if (f->n_evidence) {
        g_string_append(out, "\n  Evidence:\n");
        int fw = 1, tw = 1;
        for (size_t i = 0; i < f->n_evidence; i++) {
            char fr[24], off[32];
            int l = g_snprintf(fr, sizeof fr, "%" PRIu64, f->evidence[i].frame);
            if (l > fw)
                fw = l;
            l = (int)strlen(
                pd_report_format_offset(f->evidence[i].ts_ns - t0, off, sizeof off));
            if (l > tw)
                tw = l;
        }
        for (size_t i = 0; i < f->n_evidence; i++) {
            const pd_evidence *e = &f->evidence[i];
            char off[32];
            char *prefix = g_strdup_printf("    frame %*" PRIu64 "  %*s s  ", fw, e->frame, tw,
                                           pd_report_format_offset(e->ts_ns - t0, off, sizeof off));
            char *cont = g_strnfill(strlen(prefix), ' ');
            pd_report_wrap_hanging(out, e->note ? e->note : "", prefix, cont, WIDTH);
            g_free(prefix);
            g_free(cont);
        }
    }
    if (f->remediation && *f->remediation) {
        g_string_append(out, "\n  Remediation:\n");
        pd_report_wrap(out, f->remediation, "    ", WIDTH);
    }
    if (f->display_filter && *f->display_filter) {
        g_string_append_c(out, '\n');
        pd_report_wrap_hanging(out, f->display_filter, "  Wireshark filter: ", "    ", WIDTH);
    }
}

/* ---- the pieces (report.h): the whole report is their concatenation ---- */

void pd_report_text_head(GString *out, const pd_report_capture *rc, const pd_report_options *opt)
{
    pd_report_reported_text(out, rc->reported);
    if (opt && opt->quiet) {
        char *counts = pd_report_count_line(rc);
        char *line = g_strdup_printf("%s: %s", rc->file, counts);
        pd_report_wrap_hanging(out, line, "", "  ", WIDTH);
        g_free(line);
        g_free(counts);
        return;
    }
    append_header(out, rc);
    g_string_append_c(out, '\n');
    if (rc->n_sessions == 0) {
        char *none = pd_report_no_session_line(rc);
        pd_report_wrap(out, none, "", WIDTH);
        g_free(none);
        g_string_append_c(out, '\n');
    }
}

void pd_report_text_session(GString *out, const pd_session *s, int64_t t0)
{
    append_session(out, s, t0);
    g_string_append_c(out, '\n');
}

void pd_report_text_findings_head(GString *out, size_t n_findings)
{
    if (n_findings == 0)
        g_string_append(out, "No findings.\n");
    else
        g_string_append_printf(out, "Findings (%zu)\n", n_findings);
}

void pd_report_text_finding(GString *out, const pd_finding *f, int64_t t0,
                            const pd_report_options *opt)
{
    g_string_append_c(out, '\n');
    append_finding(out, f, t0, opt && opt->color);
}

void pd_report_text(GString *out, const pd_report_capture *rc, const pd_report_options *opt)
{
    int64_t t0 = pd_report_time_origin(rc);
    pd_report_text_head(out, rc, opt);
    if (!(opt && opt->quiet))
        for (size_t i = 0; i < rc->n_sessions; i++)
            if (rc->sessions[i])
                pd_report_text_session(out, rc->sessions[i], t0);
    pd_report_text_findings_head(out, rc->n_findings);
    for (size_t i = 0; i < rc->n_findings; i++)
        if (rc->findings[i])
            pd_report_text_finding(out, rc->findings[i], t0, opt);
}
