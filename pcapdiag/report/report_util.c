/* report_util.c - formatting shared by the reports: UTC times from integer
 * nanoseconds (ISO 8601), durations, endpoints, safe text, word wrapping.
 *
 * No floating point and no locale: every number is printed from integers so
 * a report is byte-identical whatever LC_ALL or TZ say.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "report_internal.h"

#define NS_PER_S INT64_C(1000000000)

bool pd_report_format_parse(const char *name, pd_report_format *out)
{
    static const struct {
        const char *name;
        pd_report_format fmt;
    } formats[] = {
        { "text", PD_REPORT_TEXT },
        { "json", PD_REPORT_JSON },
        { "markdown", PD_REPORT_MARKDOWN },
    };
    if (!name)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
        if (strcmp(name, formats[i].name) == 0) {
            *out = formats[i].fmt;
            return true;
        }
    return false;
}

int64_t pd_report_time_origin(const pd_report_capture *rc)
{
    if (rc->has_time_origin)
        return rc->time_origin_ns;
    return rc->stats && rc->stats->frames ? rc->stats->first_ts_ns : 0;
}

bool pd_report_totals_add(pd_report_totals *t, const pd_finding *f, uint64_t order)
{
    if (!f)
        return false;
    t->n_findings++;
    if ((unsigned)f->severity < G_N_ELEMENTS(t->by_severity))
        t->by_severity[f->severity]++;
    if (f->n_evidence)
        t->any_evidence = true;
    if (t->worst && (f->severity < t->worst->severity ||
                     (f->severity == t->worst->severity && order >= t->worst_order)))
        return false;
    t->worst = f;
    t->worst_order = order;
    return true;
}

void pd_report_totals_compute(pd_report_totals *t, const pd_report_capture *rc)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < rc->n_findings; i++)
        pd_report_totals_add(t, rc->findings[i], i);
    /* NULL entries are not findings, but a whole report has always counted
     * them in "Findings (N)": keep its count. */
    t->n_findings = rc->n_findings;
}

const pd_finding *pd_report_worst_finding(const pd_report_capture *rc)
{
    if (rc->totals)
        return rc->totals->worst;
    const pd_finding *worst = NULL;
    for (size_t i = 0; i < rc->n_findings; i++) {
        const pd_finding *f = rc->findings[i];
        if (f && (!worst || f->severity > worst->severity))
            worst = f;
    }
    return worst;
}

bool pd_report_has_error(const pd_report_capture *rc)
{
    const pd_finding *w = pd_report_worst_finding(rc);
    return w && w->severity == PD_SEV_ERROR;
}

/* Floor division, so times before 1970 still print a valid clock. */
static void split_ns(int64_t ts_ns, int64_t *sec, int64_t *frac_ns)
{
    *sec = ts_ns / NS_PER_S;
    *frac_ns = ts_ns % NS_PER_S;
    if (*frac_ns < 0) {
        *frac_ns += NS_PER_S;
        (*sec)--;
    }
}

const char *pd_report_format_time(int64_t ts_ns, char *buf, size_t len)
{
    int64_t sec, frac;
    split_ns(ts_ns, &sec, &frac);
    time_t t = (time_t)sec;
    struct tm tm;
    /* gmtime_r, never localtime: TZ must not change a byte of the output.
     * int64 nanoseconds span 1677..2262, which every gmtime handles. */
    if (!gmtime_r(&t, &tm)) {
        g_snprintf(buf, len, "@%" PRId64 ".%06" PRId64, sec, frac / 1000);
        return buf;
    }
    g_snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06" PRId64 "Z", tm.tm_year + 1900,
               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac / 1000);
    return buf;
}

/* Digits of v, written backwards ending just before `end`; returns the
 * first. Printing every ladder line's offset through snprintf showed up in
 * profiles of reports with thousands of sessions. */
static char *u64_digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

const char *pd_report_format_offset(int64_t delta_ns, char *buf, size_t len)
{
    /* Round half away from zero to the millisecond, on the magnitude, so
     * -0.0004 s prints as "0.000" and not "-0.000". */
    bool neg = delta_ns < 0;
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)delta_ns : (uint64_t)delta_ns;
    uint64_t ms = (mag + 500000) / 1000000;
    if (ms == 0)
        neg = false;
    /* "-", up to 20 digits, ".", 3 digits: what g_snprintf("%s%" PRIu64
     * ".%03" PRIu64) prints, built by hand. */
    char tmp[32];
    char *end = tmp + sizeof tmp;
    *--end = '\0';
    uint64_t frac = ms % 1000;
    for (int i = 0; i < 3; i++) {
        *--end = (char)('0' + frac % 10);
        frac /= 10;
    }
    *--end = '.';
    end = u64_digits(end, ms / 1000);
    if (neg)
        *--end = '-';
    g_strlcpy(buf, end, len);
    return buf;
}

size_t pd_report_format_u64(uint64_t v, char *buf, size_t len)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    *--end = '\0';
    char *first = u64_digits(end, v);
    g_strlcpy(buf, first, len);
    return (size_t)(end - first);
}

const char *pd_report_format_duration(int64_t ns, char *buf, size_t len)
{
    bool neg = ns < 0;
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    const char *sign = neg ? "-" : "";
    if (mag >= 1000000000) {
        uint64_t ds = (mag + 50000000) / 100000000; /* tenths of a second */
        g_snprintf(buf, len, "%s%" PRIu64 ".%" PRIu64 " s", sign, ds / 10, ds % 10);
    } else if (mag >= 1000000) {
        g_snprintf(buf, len, "%s%" PRIu64 " ms", sign, (mag + 500000) / 1000000);
    } else {
        g_snprintf(buf, len, "%s%" PRIu64 " us", sign, (mag + 500) / 1000);
    }
    return buf;
}

const char *pd_report_format_endpoint(const pd_endpoint *ep, char *buf, size_t len)
{
    char addr[48];
    if (ep->family != 4 && ep->family != 6)
        g_strlcpy(addr, "?", sizeof addr);
    else
        pd_endpoint_addr_str(ep, addr, sizeof addr);
    if (ep->port == 0)
        g_snprintf(buf, len, "%s", addr);
    else if (ep->family == 6)
        g_snprintf(buf, len, "[%s]:%u", addr, (unsigned)ep->port);
    else
        g_snprintf(buf, len, "%s:%u", addr, (unsigned)ep->port);
    return buf;
}

const char *pd_report_protocol_title(pd_protocol p)
{
    switch (p) {
    case PD_PROTO_PPTP: return "PPTP";
    case PD_PROTO_L2TP: return "L2TP";
    case PD_PROTO_IKEV1: return "IKEv1";
    case PD_PROTO_IKEV2: return "IKEv2";
    case PD_PROTO_ESP: return "ESP";
    case PD_PROTO_NETMOTION: return "NetMotion";
    case PD_PROTO_L2TP_IPSEC: return "L2TP/IPsec";
    case PD_PROTO__COUNT: break;
    }
    return "unknown";
}

char *pd_report_clean(const char *s)
{
    if (!s)
        return g_strdup("");
    /* Nearly all text is printable ASCII already (the engine's own words):
     * one pass to see that, then a plain copy. A report of thousands of
     * findings spends its time here otherwise. */
    const char *p = s;
    while ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
        p++;
    if (!*p)
        return g_strndup(s, (gsize)(p - s));
    /* Text decoded from packets (a peer's MS-CHAPv2 message, say) is
     * attacker-controlled: escape sequences must not reach a terminal. */
    char *valid = g_utf8_make_valid(s, -1);
    GString *out = g_string_sized_new(strlen(valid));
    const char *run = valid; /* start of the bytes kept as they are */
    for (p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
            g_string_append_len(out, run, p - run);
            g_string_append_c(out, c == '\t' || c == '\n' || c == '\r' ? ' ' : '?');
            run = g_utf8_next_char(p);
        }
    }
    g_string_append_len(out, run, p - run);
    g_free(valid);
    return g_string_free(out, FALSE);
}

/* Where to cut `p` so that it fits `avail` columns: after the last word
 * that fits, or inside a word longer than the line. */
static const char *wrap_cut(const char *p, size_t avail)
{
    const char *end = p, *last_break = NULL;
    size_t cols = 0;
    while (*end && cols < avail) {
        if (*end == ' ')
            last_break = end;
        end = g_utf8_next_char(end);
        cols++;
    }
    if (*end && *end != ' ' && last_break)
        end = last_break;
    return end;
}

/* Characters (columns) in valid UTF-8: the bytes that start one. */
static size_t text_cols(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* wrap_cut for ASCII text of `rem` bytes from p: the same cut, found from
 * the end of the window instead of walking every character. */
static const char *wrap_cut_ascii(const char *p, size_t rem, size_t avail)
{
    if (rem <= avail)
        return p + rem;
    const char *end = p + avail;
    if (*end == ' ')
        return end;
    for (const char *q = end; q > p; q--)
        if (q[-1] == ' ')
            return q - 1;
    return end; /* a word longer than the line */
}

void pd_report_wrap_tail(GString *out, const char *text, const char *tail, const char *first,
                         const char *cont, size_t width)
{
    /* Printable ASCII (nearly all text) needs no cleaning copy. */
    const char *q = text ? text : "";
    while ((unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f)
        q++;
    char *owned = *q ? pd_report_clean(text) : NULL;
    const char *clean = owned ? owned : (text ? text : "");
    char *ctail = tail && *tail ? pd_report_clean(tail) : NULL;
    const char *p = clean;
    const char *indent = first;
    gsize line_start = out->len;
    bool any = false;
    /* Column widths of the two prefixes, counted once; the text's length
     * and whether it is all ASCII (the usual case), once. */
    size_t first_cols = text_cols(first);
    size_t cont_cols = cont == first ? first_cols : text_cols(cont);
    const char *text_end = owned ? owned : q;
    bool ascii = true;
    for (; *text_end; text_end++)
        if ((unsigned char)*text_end >= 0x80)
            ascii = false;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t ind = indent == first ? first_cols : cont_cols;
        size_t avail = width > ind + 20 ? width - ind : 20;
        const char *end = ascii ? wrap_cut_ascii(p, (size_t)(text_end - p), avail) : wrap_cut(p, avail);
        const char *trim = end;
        while (trim > p && trim[-1] == ' ')
            trim--;
        line_start = out->len;
        g_string_append(out, indent);
        g_string_append_len(out, p, trim - p);
        g_string_append_c(out, '\n');
        p = end;
        indent = cont;
        any = true;
    }
    if (!any) {
        /* Nothing to say, but the prefix (a ladder arrow) still counts. */
        size_t n = strlen(first);
        while (n > 0 && first[n - 1] == ' ')
            n--;
        line_start = out->len;
        g_string_append_len(out, first, n);
        g_string_append_c(out, '\n');
    }
    if (ctail) {
        /* The tail ("[x10 over 27.0 s, none answered]") is kept in one
         * piece: on the last line if it fits, else on a line of its own. */
        glong last_cols = g_utf8_strlen(out->str + line_start, out->len - line_start - 1);
        glong tail_cols = (glong)text_cols(ctail);
        if ((size_t)(last_cols + 2 + tail_cols) <= width) {
            g_string_truncate(out, out->len - 1);
            g_string_append_printf(out, "  %s\n", ctail);
        } else {
            pd_report_wrap_tail(out, ctail, NULL, cont, cont, width);
        }
    }
    g_free(ctail);
    g_free(owned);
}

void pd_report_wrap_hanging(GString *out, const char *text, const char *first, const char *cont,
                            size_t width)
{
    pd_report_wrap_tail(out, text, NULL, first, cont, width);
}

void pd_report_wrap(GString *out, const char *text, const char *indent, size_t width)
{
    if (text && *text)
        pd_report_wrap_hanging(out, text, indent, indent, width);
}

char *pd_report_codes(const pd_finding *f)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < f->n_windows_errors; i++)
        g_string_append_printf(s, "%s%d", i ? ", " : "", f->windows_errors[i]);
    return g_string_free(s, FALSE);
}

/* Signed decimal, by hand (see u64_digits). */
static void append_i64(GString *s, int64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *first = u64_digits(end, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--first = '-';
    g_string_append_len(s, first, end - first);
}

char *pd_report_attrs_line(const pd_attr *attrs, size_t n)
{
    GString *s = g_string_sized_new(256);
    for (size_t i = 0; i < n; i++) {
        const pd_attr *a = &attrs[i];
        if (!a->key)
            continue;
        if (s->len)
            g_string_append(s, ", ");
        g_string_append(s, a->key);
        g_string_append_c(s, '=');
        switch (a->kind) {
        case PD_ATTR_STR:
            g_string_append(s, a->str ? a->str : "");
            break;
        case PD_ATTR_NUM:
            append_i64(s, a->num);
            break;
        case PD_ATTR_CODE:
            g_string_append(s, a->str ? a->str : "?");
            g_string_append(s, " (");
            append_i64(s, a->num);
            g_string_append_c(s, ')');
            break;
        }
    }
    return g_string_free(s, FALSE);
}

static void list_add(GString *s, uint64_t n, const char *one, const char *many)
{
    if (n == 0)
        return;
    g_string_append_printf(s, "%s%" PRIu64 " %s", s->len ? ", " : "", n, n == 1 ? one : many);
}

char *pd_report_anomalies(const pd_capture_stats *st)
{
    GString *s = g_string_new(NULL);
    list_add(s, st->frames_malformed, "malformed frame", "malformed frames");
    list_add(s, st->frames_empty, "empty frame", "empty frames");
    list_add(s, st->frames_unsupported_link, "frame of an unsupported link type",
             "frames of an unsupported link type");
    list_add(s, st->ip_datagrams_incomplete, "IP datagram never completed",
             "IP datagrams never completed");
    list_add(s, st->ip_fragment_bytes_dropped, "fragment byte refused by the reassembly cap",
             "fragment bytes refused by the reassembly cap");
    list_add(s, st->flows_evicted, "flow evicted at the flow cap", "flows evicted at the flow cap");
    list_add(s, st->tcp_gap_bytes, "TCP stream byte never captured",
             "TCP stream bytes never captured");
    if (s->len == 0) {
        g_string_free(s, TRUE);
        return NULL;
    }
    return g_string_free(s, FALSE);
}

char *pd_report_traffic(const pd_capture_stats *st)
{
    GString *s = g_string_new(NULL);
    list_add(s, st->vpn_frames, "frame in VPN sessions", "frames in VPN sessions");
    list_add(s, st->frames_not_ip, "frame not IP", "frames not IP");
    list_add(s, st->ip_fragments, "IP fragment", "IP fragments");
    list_add(s, st->ip_datagrams_reassembled, "datagram reassembled", "datagrams reassembled");
    list_add(s, st->flows_peak, "VPN flow at peak", "VPN flows at peak");
    if (s->len == 0) {
        g_string_free(s, TRUE);
        return NULL;
    }
    return g_string_free(s, FALSE);
}

char *pd_report_count_line(const pd_report_capture *rc)
{
    pd_report_totals own;
    const pd_report_totals *t = rc->totals;
    if (!t) {
        pd_report_totals_compute(&own, rc);
        t = &own;
    }
    const size_t *by_sev = t->by_severity;
    size_t n_findings = t->n_findings;
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%" PRIu64 " %s, %zu %s, ", rc->stats->frames,
                           rc->stats->frames == 1 ? "frame" : "frames", rc->n_sessions,
                           rc->n_sessions == 1 ? "VPN session" : "VPN sessions");
    if (n_findings == 0) {
        g_string_append(s, "no findings");
    } else {
        g_string_append_printf(s, "%zu %s (", n_findings, n_findings == 1 ? "finding" : "findings");
        GString *parts = g_string_new(NULL);
        list_add(parts, by_sev[PD_SEV_ERROR], "error", "errors");
        list_add(parts, by_sev[PD_SEV_WARNING], "warning", "warnings");
        list_add(parts, by_sev[PD_SEV_NOTE], "note", "notes");
        g_string_append(s, parts->str);
        g_string_free(parts, TRUE);
        g_string_append_c(s, ')');
    }
    if (rc->stats->truncated)
        g_string_append(s, "; file truncated");
    return g_string_free(s, FALSE);
}

char *pd_report_no_session_line(const pd_report_capture *rc)
{
    /* Say what was looked for, so "nothing found" is not read as "nothing
     * went wrong with the VPN": the VPN traffic may simply not be here. */
    return g_strdup_printf("No VPN session found: no %s traffic in %" PRIu64 " %s%s.",
                           PD_REPORT_LOOKED_FOR, rc->stats->frames,
                           rc->stats->frames == 1 ? "frame" : "frames",
                           rc->filter ? " matching the filter" : "");
}
