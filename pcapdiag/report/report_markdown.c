/* report_markdown.c - the Markdown report, for pasting into a ticket:
 * verdict first, then the findings and evidence tables, the capture facts,
 * and each session's ladder in a fenced code block (GitHub-flavoured
 * Markdown tables).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"

/* Append untrusted text as inline Markdown: punctuation that would start
 * emphasis, links, HTML or a table cell is escaped. */
void pd_report_md_text(GString *out, const char *text)
{
    char *clean = pd_report_clean(text);
    for (const char *p = clean; *p; p++) {
        switch (*p) {
        case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#':
            g_string_append_c(out, '\\');
            g_string_append_c(out, *p);
            break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '&': g_string_append(out, "&amp;"); break;
        default: g_string_append_c(out, *p); break;
        }
    }
    g_free(clean);
}

/* Append text as a code span: the delimiter is one backtick longer than the
 * longest run inside (CommonMark 6.1). In a table cell GFM needs '|'
 * escaped even inside code spans. */
void pd_report_md_code(GString *out, const char *text, bool in_table)
{
    char *clean = pd_report_clean(text);
    size_t run = 0, longest = 0;
    for (const char *p = clean; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    char *fence = g_strnfill(longest + 1, '`');
    bool pad = clean[0] == '`' || (*clean && clean[strlen(clean) - 1] == '`');
    g_string_append(out, fence);
    if (pad)
        g_string_append_c(out, ' ');
    for (const char *p = clean; *p; p++) {
        if (in_table && *p == '|')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *p);
    }
    if (pad)
        g_string_append_c(out, ' ');
    g_string_append(out, fence);
    g_free(fence);
    g_free(clean);
}

/* A fenced code block whose fence no line of the content can close. */
static void md_code_block(GString *out, const char *content)
{
    size_t run = 0, longest = 0;
    for (const char *p = content; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    char *fence = g_strnfill(longest >= 3 ? longest + 1 : 3, '`');
    g_string_append_printf(out, "%stext\n%s", fence, content);
    if (content[0] && content[strlen(content) - 1] != '\n')
        g_string_append_c(out, '\n');
    g_string_append_printf(out, "%s\n", fence);
    g_free(fence);
}

static void append_verdict(GString *out, const pd_report_capture *rc)
{
    const pd_finding *w = pd_report_worst_finding(rc);
    if (!w || w->severity == PD_SEV_NOTE) {
        g_string_append(out, "## Verdict: No failure found\n\n");
        if (rc->n_sessions == 0) {
            char *none = pd_report_no_session_line(rc);
            pd_report_md_text(out, none);
            g_string_append_c(out, '\n');
            g_free(none);
        } else {
            g_string_append(out, "No error or warning finding.\n");
        }
        return;
    }
    g_string_append(out, "## Verdict: ");
    pd_report_md_text(out, w->summary && *w->summary ? w->summary
                                                     : (w->signature ? w->signature->title : ""));
    if (w->n_windows_errors) {
        char *codes = pd_report_codes(w);
        g_string_append_printf(out, " (Windows %s)", codes);
        g_free(codes);
    }
    g_string_append(out, "\n\n");
    g_string_append_printf(out, "**%s** ", pd_severity_name(w->severity));
    pd_report_md_code(out, w->signature ? w->signature->id : "unknown", false);
    g_string_append_printf(out, ", confidence %s, blame %s", pd_confidence_name(w->confidence),
                           pd_blame_name(w->blame));
    if (w->session_id)
        g_string_append_printf(out, ", session %" PRIu32, w->session_id);
    g_string_append(out, ".\n");
}

void pd_report_markdown_findings_head(GString *out)
{
    g_string_append(out, "\n### Findings\n\n"
                         "| Severity | Signature | Windows codes | Session | Summary |\n"
                         "| --- | --- | --- | --- | --- |\n");
}

void pd_report_markdown_finding_row(GString *out, const pd_finding *f)
{
    char *codes = pd_report_codes(f);
    g_string_append_printf(out, "| %s | ", pd_severity_name(f->severity));
    pd_report_md_code(out, f->signature ? f->signature->id : "unknown", true);
    g_string_append_printf(out, " | %s | ", *codes ? codes : "-");
    if (f->session_id)
        g_string_append_printf(out, "%" PRIu32, f->session_id);
    else
        g_string_append(out, "capture");
    g_string_append(out, " | ");
    pd_report_md_text(out, f->summary);
    g_string_append(out, " |\n");
    g_free(codes);
}

void pd_report_markdown_evidence_head(GString *out)
{
    g_string_append(out, "\n### Evidence\n\n"
                         "| Signature | Frame | Time (s) | Note |\n"
                         "| --- | ---: | ---: | --- |\n");
}

void pd_report_markdown_evidence_rows(GString *out, const pd_finding *f, int64_t t0)
{
    for (size_t j = 0; j < f->n_evidence; j++) {
        char off[32];
        g_string_append(out, "| ");
        pd_report_md_code(out, f->signature ? f->signature->id : "unknown", true);
        g_string_append_printf(out, " | %" PRIu64 " | %s | ", f->evidence[j].frame,
                               pd_report_format_offset(f->evidence[j].ts_ns - t0, off, sizeof off));
        pd_report_md_text(out, f->evidence[j].note);
        g_string_append(out, " |\n");
    }
}

void pd_report_markdown_evidence_tail(GString *out)
{
    g_string_append(out, "\nTimes are seconds since the first record of the file "
                         "(Wireshark's default Time column).\n");
}

void pd_report_markdown_details_head(GString *out)
{
    g_string_append(out, "\n### Details\n");
}

void pd_report_markdown_finding_details(GString *out, const pd_finding *f)
{
    g_string_append_printf(out, "\n**%s** ", pd_severity_name(f->severity));
    pd_report_md_code(out, f->signature ? f->signature->id : "unknown", false);
    if (f->session_id)
        g_string_append_printf(out, " (session %" PRIu32 ")", f->session_id);
    g_string_append(out, ": ");
    pd_report_md_text(out, f->summary);
    g_string_append(out, "\n");
    char *typical = pd_report_typical_codes(f);
    if (typical) {
        g_string_append(out, "\n*Codes users typically see for this:* ");
        pd_report_md_text(out, typical);
        g_string_append(out, "\n");
        g_free(typical);
    }
    if (f->explanation && *f->explanation) {
        g_string_append(out, "\n");
        pd_report_md_text(out, f->explanation);
        g_string_append(out, "\n");
    }
    if (f->remediation && *f->remediation) {
        g_string_append(out, "\n*Remediation:* ");
        pd_report_md_text(out, f->remediation);
        g_string_append(out, "\n");
    }
    if (f->display_filter && *f->display_filter) {
        g_string_append(out, "\n*Wireshark filter:* ");
        pd_report_md_code(out, f->display_filter, false);
        g_string_append(out, "\n");
    }
}

static void append_findings(GString *out, const pd_report_capture *rc, int64_t t0)
{
    if (rc->n_findings == 0)
        return;
    pd_report_markdown_findings_head(out);
    for (size_t i = 0; i < rc->n_findings; i++)
        if (rc->findings[i])
            pd_report_markdown_finding_row(out, rc->findings[i]);

    bool any_evidence = false;
    for (size_t i = 0; i < rc->n_findings; i++)
        if (rc->findings[i] && rc->findings[i]->n_evidence)
            any_evidence = true;
    if (any_evidence) {
        pd_report_markdown_evidence_head(out);
        for (size_t i = 0; i < rc->n_findings; i++)
            if (rc->findings[i])
                pd_report_markdown_evidence_rows(out, rc->findings[i], t0);
        pd_report_markdown_evidence_tail(out);
    }

    pd_report_markdown_details_head(out);
    for (size_t i = 0; i < rc->n_findings; i++)
        if (rc->findings[i])
            pd_report_markdown_finding_details(out, rc->findings[i]);
}

static void fact(GString *out, const char *name, const char *value)
{
    g_string_append_printf(out, "| %s | ", name);
    pd_report_md_text(out, value);
    g_string_append(out, " |\n");
}

void pd_report_markdown_capture(GString *out, const pd_report_capture *rc)
{
    const pd_capture_stats *st = rc->stats;
    char t[PD_REPORT_TIME_LEN], d[32];
    g_string_append(out, "\n### Capture\n\n| Fact | Value |\n| --- | --- |\n");
    g_string_append(out, "| File | ");
    pd_report_md_code(out, rc->file, true);
    g_string_append(out, " |\n");
    char *v = g_strdup_printf("%s, %s (linktype %" PRIu32 ")", rc->format ? rc->format : "?",
                              pd_linktype_name(rc->linktype), rc->linktype);
    fact(out, "Format", v);
    g_free(v);
    v = g_strdup_printf("%" PRIu64 " (%" PRIu64 " bytes captured, %" PRIu64 " on the wire)",
                        st->frames, st->bytes_captured, st->bytes_wire);
    fact(out, "Frames", v);
    g_free(v);
    if (rc->filter) {
        g_string_append(out, "| Filter | ");
        pd_report_md_code(out, rc->filter, true);
        g_string_append_printf(out, " matched %" PRIu64 " of %" PRIu64 " records |\n", st->frames,
                               rc->records);
    }
    if (st->frames) {
        fact(out, "First frame", pd_report_format_time(st->first_ts_ns, t, sizeof t));
        fact(out, "Duration",
             pd_report_format_duration(st->last_ts_ns - st->first_ts_ns, d, sizeof d));
    }
    v = st->vantage_reason && *st->vantage_reason
            ? g_strdup_printf("%s (%s)", pd_vantage_name(st->vantage), st->vantage_reason)
            : g_strdup(pd_vantage_name(st->vantage));
    fact(out, "Vantage point", v);
    g_free(v);
    char *traffic = pd_report_traffic(st);
    if (traffic) {
        fact(out, "Traffic", traffic);
        g_free(traffic);
    }
    char *anomalies = pd_report_anomalies(st);
    if (anomalies) {
        fact(out, "Anomalies", anomalies);
        g_free(anomalies);
    }
    if (st->truncated)
        fact(out, "Truncated", "yes: the file ends in the middle of a record");
}

void pd_report_markdown_session(GString *out, const pd_session *s, int64_t t0)
{
    char c[PD_REPORT_ENDPOINT_LEN], sv[PD_REPORT_ENDPOINT_LEN];
    g_string_append_printf(out, "\n### Session %" PRIu32 ": %s ", s->id,
                           pd_report_protocol_title(s->protocol));
    pd_report_md_code(out, pd_report_format_endpoint(&s->client, c, sizeof c), false);
    g_string_append(out, " -> ");
    pd_report_md_code(out, pd_report_format_endpoint(&s->server, sv, sizeof sv), false);
    g_string_append(out, ", state ");
    pd_report_md_text(out, s->state ? s->state : "?");
    g_string_append(out, "\n\n");
    g_string_append(out, "Stages: ");
    if (s->n_stages == 0)
        g_string_append(out, "none reached");
    for (size_t j = 0; j < s->n_stages; j++) {
        g_string_append(out, j ? ", " : "");
        pd_report_md_text(out, s->stages[j].name ? s->stages[j].name : "?");
        g_string_append_printf(out, " (frame %" PRIu64 ")", s->stages[j].frame);
    }
    g_string_append(out, ".\n\n");
    GString *ladder = g_string_new(NULL);
    pd_report_ladder(ladder, s, t0);
    md_code_block(out, ladder->str);
    g_string_free(ladder, TRUE);
}

void pd_report_markdown_head(GString *out, const pd_report_capture *rc)
{
    pd_report_reported_markdown(out, rc->reported);
    append_verdict(out, rc);
    g_string_append_printf(out, "\npcapdiag %s on ", PCAPDIAG_VERSION);
    pd_report_md_code(out, rc->file, false);
    char *counts = pd_report_count_line(rc);
    g_string_append(out, ": ");
    pd_report_md_text(out, counts);
    g_string_append(out, ".\n");
    g_free(counts);
}

void pd_report_markdown(GString *out, const pd_report_capture *rc, const pd_report_options *opt)
{
    int64_t t0 = pd_report_time_origin(rc);
    pd_report_markdown_head(out, rc);
    append_findings(out, rc, t0);
    if (opt && opt->quiet)
        return;
    pd_report_markdown_capture(out, rc);
    for (size_t i = 0; i < rc->n_sessions; i++)
        if (rc->sessions[i])
            pd_report_markdown_session(out, rc->sessions[i], t0);
}
