/* report_pair.c - the paired report (pcapdiag --pair): a header naming both
 * captures and the clock offset between them, one block per paired session
 * (what each direction sent, lost and had changed, NAT translations, and a
 * two-column ladder: client capture frame | arrow | server capture frame),
 * then the paired verdict. Text fits 100 columns; Markdown and JSON carry
 * the same content; everything is deterministic (integer times, no hash
 * order).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"
#include "report_pair.h"

#define WIDTH 100
#define ARROW_INNER 22 /* columns between the two bars */
#define MAX_LISTED_FRAMES 12

/* ---- shared pieces ------------------------------------------------------------------ */

static const char *dir_words(pd_dir d)
{
    switch (d) {
    case PD_DIR_TO_SERVER: return "client->server";
    case PD_DIR_TO_CLIENT: return "server->client";
    default: return "from the path";
    }
}

static int64_t to_client_clock(const pd_pair_result *r, pd_pair_role cap, int64_t ts)
{
    return cap == PD_PAIR_SERVER ? ts - r->clock.offset_ns : ts;
}

/* "server capture clock = client capture clock + 0.000 s (...)". */
static char *clock_text(const pd_pair_result *r)
{
    const pd_pair_clock *c = &r->clock;
    char off[32], d0[32];
    if (!c->known)
        return g_strdup("no packet seen at both capture points: offset unknown, taken as 0");
    pd_report_format_offset(c->offset_ns, off, sizeof off);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "server capture clock = client capture clock %s%s s (estimated from %" PRIu64
                              " packet%s to the server and %" PRIu64 " to the client%s)",
                           c->offset_ns >= 0 ? "+ " : "- ", off[0] == '-' ? off + 1 : off, c->samples[0],
                           c->samples[0] == 1 ? "" : "s", c->samples[1],
                           c->from_unique ? ", each seen exactly once in both" : "");
    if (c->dir_known[0] && c->dir_known[1]) {
        int64_t delay = c->transit_ns[0] / 2 - c->transit_ns[1] / 2;
        g_string_append_printf(s, "; one-way delay about %s",
                               pd_report_format_duration(delay < 0 ? 0 : delay, d0, sizeof d0));
    } else {
        g_string_append(s, "; one direction only, so the offset includes the one-way delay");
    }
    return g_string_free(s, FALSE);
}

static char *session_title(const pd_pair_session *ps)
{
    const pd_session *s = ps->side[0] ? ps->side[0] : ps->side[1];
    char c[PD_REPORT_ENDPOINT_LEN], v[PD_REPORT_ENDPOINT_LEN];
    return g_strdup_printf("%s  %s -> %s", pd_report_protocol_title(ps->protocol),
                           pd_report_format_endpoint(&s->client, c, sizeof c),
                           pd_report_format_endpoint(&s->server, v, sizeof v));
}

static char *sides_text(const pd_pair_session *ps)
{
    GString *s = g_string_new(NULL);
    for (int cap = 0; cap < 2; cap++) {
        const pd_session *x = ps->side[cap];
        if (cap)
            g_string_append(s, ", ");
        if (!x) {
            g_string_append_printf(s, "no session in the %s capture", pd_pair_role_name(cap));
            if (ps->off_path[cap])
                g_string_append_printf(s, " (not on this session's path: the %s capture holds packets from "
                                          "the %s that the %s capture never recorded)",
                                       pd_pair_role_name(!cap), pd_pair_role_name(cap), pd_pair_role_name(cap));
            continue;
        }
        char c[PD_REPORT_ENDPOINT_LEN], v[PD_REPORT_ENDPOINT_LEN];
        g_string_append_printf(s, "%s capture session %" PRIu32 " [%s] %s -> %s", pd_pair_role_name(cap), x->id,
                               x->state ? x->state : "?", pd_report_format_endpoint(&x->client, c, sizeof c),
                               pd_report_format_endpoint(&x->server, v, sizeof v));
    }
    return g_string_free(s, FALSE);
}

static char *dir_stats_text(const pd_pair_session *ps, int d)
{
    const pd_pair_dir_stats *st = &ps->dirs[d];
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "sent %" PRIu64 ", arrived %" PRIu64 ", lost %" PRIu64, st->sent, st->arrived,
                           st->lost);
    if (st->lost_outside_window)
        g_string_append_printf(s, " (%" PRIu64 " while the %s capture shows no frames)", st->lost_outside_window,
                               d == PD_DIR_TO_SERVER ? "server" : "client");
    g_string_append_printf(s, ", modified %" PRIu64, st->modified);
    if (st->off_path)
        g_string_append_printf(s, ", not judged %" PRIu64 " (the %s capture is not on this session's path)",
                               st->off_path, d == PD_DIR_TO_SERVER ? "server" : "client");
    if (st->unsent)
        g_string_append_printf(s, ", arrived without being sent %" PRIu64, st->unsent);
    if (st->fragments_sent)
        g_string_append_printf(s, "; IP fragments: %" PRIu64 " sent, %" PRIu64 " lost (%" PRIu64
                                  " of %" PRIu64 " after the first)",
                               st->fragments_sent, st->fragments_lost, st->later_fragments_lost,
                               st->later_fragments_sent);
    if (st->hops >= 0)
        g_string_append_printf(s, "; TTL -%d between the capture points", st->hops);
    return g_string_free(s, FALSE);
}

/* "server->client: server capture frames 12, 15, 17, ... (14 in all)" for one
 * direction and fate (the sender's frames; the receiver's for unsent ones). */
static char *frames_list(const pd_pair_session *ps, int d, pd_pair_fate fate)
{
    pd_pair_role cap = (d == PD_DIR_TO_SERVER) == (fate != PD_PAIR_UNSENT) ? PD_PAIR_CLIENT : PD_PAIR_SERVER;
    GString *s = g_string_new(NULL);
    size_t n = 0;
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir != d || p->fate != fate)
            continue;
        if (n < MAX_LISTED_FRAMES)
            g_string_append_printf(s, "%s%" PRIu64, n ? ", " : "", p->frame[cap]);
        n++;
    }
    if (!n) {
        g_string_free(s, TRUE);
        return NULL;
    }
    GString *r = g_string_new(NULL);
    g_string_append_printf(r, "%s: %s capture frame%s %s", dir_words(d), pd_pair_role_name(cap), n > 1 ? "s" : "",
                           s->str);
    if (n > MAX_LISTED_FRAMES)
        g_string_append_printf(r, ", ... (%zu in all)", n);
    g_string_free(s, TRUE);
    return g_string_free(r, FALSE);
}

static const pd_pair_change *first_mangled(const pd_pair_packet *p)
{
    for (size_t k = 0; k < p->n_changes; k++)
        if (p->changes[k].kind == PD_PAIR_CHANGE_MANGLED)
            return &p->changes[k];
    return NULL;
}

/* "server->client: GRE key call ID 20715 -> 48879 (10 packets)" per distinct change. */
static char *modified_text(const pd_pair_session *ps, int d)
{
    GString *s = g_string_new(NULL);
    GPtrArray *seen = g_ptr_array_new_with_free_func(g_free);
    GArray *counts = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir != d || p->fate != PD_PAIR_MODIFIED)
            continue;
        const pd_pair_change *c = first_mangled(p);
        if (!c)
            continue;
        char *key = g_strdup_printf("%s %s -> %s", c->field, c->before, c->after);
        guint k;
        for (k = 0; k < seen->len; k++)
            if (strcmp(g_ptr_array_index(seen, k), key) == 0)
                break;
        if (k == seen->len) {
            g_ptr_array_add(seen, key);
            uint64_t one = 0;
            g_array_append_val(counts, one);
        } else {
            g_free(key);
        }
        g_array_index(counts, uint64_t, k)++;
    }
    for (guint k = 0; k < seen->len && k < 6; k++)
        g_string_append_printf(s, "%s%s (%" PRIu64 " packet%s)", k ? "; " : "", (char *)g_ptr_array_index(seen, k),
                               g_array_index(counts, uint64_t, k), g_array_index(counts, uint64_t, k) == 1 ? "" : "s");
    if (seen->len > 6)
        g_string_append_printf(s, "; and %u other changes", seen->len - 6);
    g_ptr_array_free(seen, TRUE);
    g_array_free(counts, TRUE);
    if (!s->len) {
        g_string_free(s, TRUE);
        return NULL;
    }
    char *r = g_strdup_printf("%s: %s", dir_words(d), s->str);
    g_string_free(s, TRUE);
    return r;
}

static char *nat_text(const pd_pair_session *ps)
{
    if (!ps->n_nat)
        return NULL;
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < ps->n_nat; i++)
        g_string_append_printf(s, "%s%s %s -> %s (%s)", i ? "; " : "", ps->nat[i].what, ps->nat[i].inside,
                               ps->nat[i].outside, ps->nat[i].carried);
    return g_string_free(s, FALSE);
}

/* ---- the two-column ladder --------------------------------------------------------- */

static void arrow(char *buf, const pd_pair_packet *p)
{
    const int w = ARROW_INNER, mid = ARROW_INNER / 2;
    char in[ARROW_INNER + 1];
    memset(in, ' ', w);
    in[w] = '\0';
    bool to_server = p->dir == PD_DIR_TO_SERVER;
    switch (p->fate) {
    case PD_PAIR_ARRIVED:
    case PD_PAIR_MODIFIED:
        memset(in, '-', w);
        if (to_server)
            in[w - 1] = '>';
        else
            in[0] = '<';
        if (p->fate == PD_PAIR_MODIFIED)
            in[mid] = '*';
        break;
    case PD_PAIR_LOST:
        if (to_server) {
            memset(in, '-', mid);
            in[mid - 1] = '>';
            in[mid] = 'X';
        } else {
            memset(in + mid, '-', w - mid);
            in[mid] = '<';
            in[mid - 1] = 'X';
        }
        break;
    case PD_PAIR_UNSENT:
        if (to_server) {
            memset(in + mid, '-', w - mid);
            in[mid] = '?';
            in[w - 1] = '>';
        } else {
            memset(in, '-', mid);
            in[0] = '<';
            in[mid] = '?';
        }
        break;
    case PD_PAIR_OFF_PATH:
        /* Leaves the sender's capture point towards a point not on its path. */
        if (to_server) {
            memset(in, '-', mid);
            in[mid - 1] = '>';
        } else {
            memset(in + mid, '-', w - mid);
            in[mid] = '<';
        }
        break;
    case PD_PAIR_PATH:
        if (p->frame[0]) {
            memset(in, '-', mid);
            in[0] = '<';
            in[mid] = '+';
        } else {
            memset(in + mid, '-', w - mid);
            in[mid] = '+';
            in[w - 1] = '>';
        }
        break;
    }
    g_snprintf(buf, ARROW_INNER + 3, "|%s|", in);
}

static char *row_tail(const pd_pair_packet *p, uint32_t repeat, int64_t span_ns)
{
    GString *t = g_string_new(NULL);
    char dur[32];
    switch (p->fate) {
    case PD_PAIR_ARRIVED:
        break;
    case PD_PAIR_MODIFIED: {
        const pd_pair_change *c = first_mangled(p);
        size_t more = 0;
        for (size_t k = 0; k < p->n_changes; k++)
            if (p->changes[k].kind == PD_PAIR_CHANGE_MANGLED)
                more++;
        if (c)
            g_string_append_printf(t, "modified: %s %s -> %s", c->field, c->before, c->after);
        else
            g_string_append(t, "modified");
        if (more > 1)
            g_string_append_printf(t, " (+%zu more)", more - 1);
        break;
    }
    case PD_PAIR_LOST:
        g_string_append(t, "lost");
        if (p->outside_window)
            g_string_append_printf(t, " (the %s capture shows no frames then)",
                                   p->dir == PD_DIR_TO_SERVER ? "server" : "client");
        break;
    case PD_PAIR_UNSENT:
        g_string_append_printf(t, "not in the %s capture", p->dir == PD_DIR_TO_SERVER ? "client" : "server");
        break;
    case PD_PAIR_OFF_PATH:
        g_string_append_printf(t, "the %s capture is not on its path",
                               p->dir == PD_DIR_TO_SERVER ? "server" : "client");
        break;
    case PD_PAIR_PATH:
        g_string_append(t, "from the path");
        break;
    }
    if (repeat > 1)
        g_string_append_printf(t, "%sx%" PRIu32 " over %s", t->len ? ", " : "", repeat,
                               pd_report_format_duration(span_ns, dur, sizeof dur));
    if (!t->len) {
        g_string_free(t, TRUE);
        return NULL;
    }
    g_string_prepend_c(t, '[');
    g_string_append_c(t, ']');
    return g_string_free(t, FALSE);
}

static bool same_line(const pd_pair_packet *a, const pd_pair_packet *b)
{
    if (a->dir != b->dir || a->fate != b->fate || a->outside_window != b->outside_window ||
        strcmp(a->text ? a->text : "", b->text ? b->text : "") != 0)
        return false;
    const pd_pair_change *x = first_mangled(a), *y = first_mangled(b);
    if (!x || !y)
        return x == y;
    return strcmp(x->field, y->field) == 0 && strcmp(x->before, y->before) == 0 &&
           strcmp(x->after, y->after) == 0;
}

static bool hidden(const pd_pair_packet *p)
{
    return p->pure_ack && p->fate == PD_PAIR_ARRIVED;
}

static void append_ladder(GString *out, const pd_pair_session *ps, int64_t origin)
{
    if (!ps->n_packets) {
        g_string_append(out, "  (no packets)\n");
        return;
    }
    int tw = 4, cw = 6, sw = 6;
    for (size_t i = 0; i < ps->n_packets; i++) {
        char off[32], fr[24];
        int l = (int)strlen(pd_report_format_offset(ps->packets[i].t_ns - origin, off, sizeof off));
        tw = MAX(tw, l);
        cw = MAX(cw, g_snprintf(fr, sizeof fr, "%" PRIu64, ps->packets[i].frame[0]));
        sw = MAX(sw, g_snprintf(fr, sizeof fr, "%" PRIu64, ps->packets[i].frame[1]));
    }
    g_string_append_printf(out, "  %*s  %*s  %-*s  %*s\n", tw, "time", cw, "client", ARROW_INNER + 2, "",
                           sw, "server");
    g_string_append_printf(out, "  %*s  %*s  %-*s  %*s\n", tw, "", cw, "frame", ARROW_INNER + 2, "", sw,
                           "frame");
    size_t n_hidden = 0;
    for (size_t i = 0; i < ps->n_packets;) {
        const pd_pair_packet *p = &ps->packets[i];
        if (hidden(p)) {
            n_hidden++;
            i++;
            continue;
        }
        size_t j = i + 1;
        uint32_t repeat = 1;
        int64_t last_t = p->t_ns;
        /* Fold consecutive identical lines (hidden acknowledgments do not
         * break a run). */
        for (size_t k = i + 1; k < ps->n_packets; k++) {
            if (hidden(&ps->packets[k]))
                continue;
            if (!same_line(p, &ps->packets[k]) || repeat == UINT32_MAX)
                break;
            repeat++;
            last_t = ps->packets[k].t_ns;
            j = k + 1;
        }
        for (size_t k = i + 1; k < j; k++)
            if (hidden(&ps->packets[k]))
                n_hidden++;
        char off[32], a[ARROW_INNER + 3], cf[24], sf[24];
        arrow(a, p);
        if (p->frame[0])
            g_snprintf(cf, sizeof cf, "%" PRIu64, p->frame[0]);
        else
            g_strlcpy(cf, "-", sizeof cf);
        if (p->frame[1])
            g_snprintf(sf, sizeof sf, "%" PRIu64, p->frame[1]);
        else
            g_strlcpy(sf, "-", sizeof sf);
        char *prefix = g_strdup_printf("  %*s  %*s  %s  %*s  ", tw,
                                       pd_report_format_offset(p->t_ns - origin, off, sizeof off), cw, cf, a, sw,
                                       sf);
        char *cont = g_strdup_printf("  %*s  %*s  |%*s|  %*s  ", tw, "", cw, "", ARROW_INNER, "", sw, "");
        char *tail = row_tail(p, repeat, last_t - p->t_ns);
        char *clean = pd_report_clean(p->text);
        pd_report_wrap_tail(out, clean, tail, prefix, cont, WIDTH);
        g_free(clean);
        g_free(tail);
        g_free(prefix);
        g_free(cont);
        i = j;
    }
    if (n_hidden)
        g_string_append_printf(out, "  (%zu TCP acknowledgment%s that arrived unchanged not shown)\n", n_hidden,
                               n_hidden == 1 ? "" : "s");
}

/* ---- text ------------------------------------------------------------------------- */

static void field(GString *out, const char *label, const char *value)
{
    char *first = g_strdup_printf("  %-10s", label);
    char *clean = pd_report_clean(value);
    pd_report_wrap_hanging(out, clean, first, "            ", WIDTH);
    g_free(clean);
    g_free(first);
}

static char *capture_line(const pd_report_capture *rc)
{
    const pd_capture_stats *st = rc->stats;
    char t[PD_REPORT_TIME_LEN], d[32];
    return g_strdup_printf("%s (%s, %" PRIu64 " %s, %s, %s; vantage %s; %zu session%s)", rc->file,
                           rc->format ? rc->format : "?", st->frames, st->frames == 1 ? "frame" : "frames",
                           st->frames ? pd_report_format_time(st->first_ts_ns, t, sizeof t) : "no frames",
                           pd_report_format_duration(st->last_ts_ns - st->first_ts_ns, d, sizeof d),
                           pd_vantage_name(st->vantage), rc->n_sessions, rc->n_sessions == 1 ? "" : "s");
}

static char *codes_text(const pd_pair_finding *f)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < f->n_windows_errors; i++)
        g_string_append_printf(s, "%s%d", i ? ", " : "", f->windows_errors[i]);
    return g_string_free(s, FALSE);
}

static const char *sev_color(pd_severity s)
{
    switch (s) {
    case PD_SEV_ERROR: return "\033[1;31m";
    case PD_SEV_WARNING: return "\033[1;33m";
    case PD_SEV_NOTE: return "\033[1;36m";
    }
    return "";
}

static char *finding_head(const pd_pair_finding *f)
{
    GString *head = g_string_new(NULL);
    char *sev = g_ascii_strup(pd_severity_name(f->severity), -1);
    g_string_append_printf(head, "%s  %s", sev, f->signature ? f->signature->id : "unknown");
    g_free(sev);
    if (f->session)
        g_string_append_printf(head, "  session %" PRIu32, f->session);
    if (f->n_windows_errors) {
        char *c = codes_text(f);
        g_string_append_printf(head, "  Windows %s", c);
        g_free(c);
    }
    g_string_append_printf(head, "  confidence %s  blame %s", pd_confidence_name(f->confidence),
                           pd_blame_name(f->blame));
    if (f->refined)
        g_string_append(head, "  (refined by pairing)");
    return g_string_free(head, FALSE);
}

static void append_finding(GString *out, const pd_pair_result *r, const pd_pair_finding *f, bool color)
{
    char *head = finding_head(f);
    GString *wrapped = g_string_new(NULL);
    pd_report_wrap_hanging(wrapped, head, "", "  ", WIDTH);
    const char *sev = pd_severity_name(f->severity);
    if (color) {
        char *up = g_ascii_strup(sev, -1);
        g_string_append_printf(out, "%s%s\033[0m%s", sev_color(f->severity), up, wrapped->str + strlen(up));
        g_free(up);
    } else {
        g_string_append(out, wrapped->str);
    }
    g_string_free(wrapped, TRUE);
    g_free(head);
    char *clean = pd_report_clean(f->summary);
    pd_report_wrap(out, clean, "  ", WIDTH);
    g_free(clean);
    if (f->single) {
        clean = pd_report_clean(f->single);
        pd_report_wrap_hanging(out, clean, "  Before pairing: ", "    ", WIDTH);
        g_free(clean);
    }
    if (f->explanation && *f->explanation) {
        g_string_append_c(out, '\n');
        clean = pd_report_clean(f->explanation);
        /* pd_report_clean turns the paragraph break into '?': split first. */
        g_free(clean);
        char **paras = g_strsplit(f->explanation, "\n\n", -1);
        for (size_t i = 0; paras[i]; i++) {
            char *c = pd_report_clean(paras[i]);
            if (i)
                g_string_append_c(out, '\n');
            pd_report_wrap(out, c, "  ", WIDTH);
            g_free(c);
        }
        g_strfreev(paras);
    }
    if (f->n_evidence) {
        g_string_append(out, "\n  Evidence:\n");
        int fw = 1, tw = 1;
        for (size_t i = 0; i < f->n_evidence; i++) {
            char fr[24], off[32];
            const pd_pair_evidence *e = &f->evidence[i];
            fw = MAX(fw, g_snprintf(fr, sizeof fr, "%" PRIu64, e->frame));
            tw = MAX(tw, (int)strlen(pd_report_format_offset(
                             to_client_clock(r, e->capture, e->ts_ns) - r->origin_ns, off, sizeof off)));
        }
        for (size_t i = 0; i < f->n_evidence; i++) {
            const pd_pair_evidence *e = &f->evidence[i];
            char off[32];
            char *prefix = g_strdup_printf(
                "    %s frame %*" PRIu64 "  %*s s  ", pd_pair_role_name(e->capture), fw, e->frame, tw,
                pd_report_format_offset(to_client_clock(r, e->capture, e->ts_ns) - r->origin_ns, off, sizeof off));
            char *cont = g_strnfill(strlen(prefix), ' ');
            char *note = pd_report_clean(e->note);
            pd_report_wrap_hanging(out, note, prefix, cont, WIDTH);
            g_free(note);
            g_free(prefix);
            g_free(cont);
        }
    }
    if (f->remediation && *f->remediation) {
        g_string_append(out, "\n  Remediation:\n");
        clean = pd_report_clean(f->remediation);
        pd_report_wrap(out, clean, "    ", WIDTH);
        g_free(clean);
    }
    for (int cap = 0; cap < 2; cap++) {
        if (!f->display_filter[cap])
            continue;
        char *first = g_strdup_printf("  Wireshark filter (%s capture): ", pd_pair_role_name(cap));
        if (cap == 0 || !f->display_filter[0])
            g_string_append_c(out, '\n');
        pd_report_wrap_hanging(out, f->display_filter[cap], first, "    ", WIDTH);
        g_free(first);
    }
}

static size_t count_severity(const pd_pair_result *r, pd_severity s)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        n += r->findings[i].severity == s;
    return n;
}

static char *counts_line(const pd_pair_result *r)
{
    return g_strdup_printf("%zu paired session%s, %" PRIu64 " packets seen at both points, %zu finding%s "
                           "(%zu error%s, %zu warning%s, %zu note%s)",
                           r->n_sessions, r->n_sessions == 1 ? "" : "s", r->matched, r->n_findings,
                           r->n_findings == 1 ? "" : "s", count_severity(r, PD_SEV_ERROR),
                           count_severity(r, PD_SEV_ERROR) == 1 ? "" : "s", count_severity(r, PD_SEV_WARNING),
                           count_severity(r, PD_SEV_WARNING) == 1 ? "" : "s", count_severity(r, PD_SEV_NOTE),
                           count_severity(r, PD_SEV_NOTE) == 1 ? "" : "s");
}

static void append_session_text(GString *out, const pd_pair_session *ps, int64_t origin)
{
    char *title = session_title(ps);
    char *head = g_strdup_printf("Session %" PRIu32 "  %s", ps->id, title);
    char *clean = pd_report_clean(head);
    pd_report_wrap_hanging(out, clean, "", "  ", WIDTH);
    g_free(clean);
    g_free(head);
    g_free(title);
    char *v = sides_text(ps);
    field(out, "captures", v);
    g_free(v);
    for (int d = 0; d < 2; d++) {
        v = dir_stats_text(ps, d);
        field(out, d == 0 ? "to server" : "to client", v);
        g_free(v);
    }
    for (int d = 0; d < 2; d++) {
        v = frames_list(ps, d, PD_PAIR_LOST);
        if (v)
            field(out, "lost", v);
        g_free(v);
    }
    for (int d = 0; d < 2; d++) {
        v = modified_text(ps, d);
        if (v)
            field(out, "modified", v);
        g_free(v);
    }
    for (int d = 0; d < 2; d++) {
        v = frames_list(ps, d, PD_PAIR_UNSENT);
        if (v) {
            char *w = g_strdup_printf("%s (arrived, but not in the sender's capture)", v);
            field(out, "unsent", w);
            g_free(w);
        }
        g_free(v);
    }
    v = nat_text(ps);
    if (v)
        field(out, "nat", v);
    g_free(v);
    g_string_append_c(out, '\n');
    append_ladder(out, ps, origin);
    g_string_append_c(out, '\n');
}

void pd_report_pair_text(GString *out, const pd_report_pair *rp, const pd_report_options *opt)
{
    const pd_pair_result *r = rp->result;
    bool quiet = opt && opt->quiet, color = opt && opt->color;
    if (quiet) {
        char *c = counts_line(r);
        char *line = g_strdup_printf("%s | %s: %s", rp->capture[0]->file, rp->capture[1]->file, c);
        char *clean = pd_report_clean(line);
        pd_report_wrap_hanging(out, clean, "", "  ", WIDTH);
        g_free(clean);
        g_free(line);
        g_free(c);
    } else {
        g_string_append_printf(out, "pcapdiag %s paired report\n", PCAPDIAG_VERSION);
        for (int cap = 0; cap < 2; cap++) {
            char *v = capture_line(rp->capture[cap]);
            field(out, pd_pair_role_name(cap), v);
            g_free(v);
        }
        if (rp->swapped)
            field(out, "roles", "inferred from the captures' vantage: the first file named is the server's "
                                "capture, the second the client's");
        char *v = clock_text(r);
        field(out, "clock", v);
        g_free(v);
        v = counts_line(r);
        field(out, "pairing", v);
        g_free(v);
        if (r->not_kept[0] || r->not_kept[1]) {
            v = g_strdup_printf("%" PRIu64 " client and %" PRIu64 " server packets over the recording cap "
                                "were not paired",
                                r->not_kept[0], r->not_kept[1]);
            field(out, "limits", v);
            g_free(v);
        }
        g_string_append_c(out, '\n');
        for (size_t i = 0; i < r->n_sessions; i++)
            append_session_text(out, &r->sessions[i], r->origin_ns);
    }
    if (!r->n_findings) {
        g_string_append(out, "No findings.\n");
        return;
    }
    g_string_append_printf(out, "Findings (%zu)\n", r->n_findings);
    for (size_t i = 0; i < r->n_findings; i++) {
        g_string_append_c(out, '\n');
        append_finding(out, r, &r->findings[i], color);
    }
}

/* ---- Markdown ----------------------------------------------------------------------- */

static void md_line(GString *out, const char *label, const char *value)
{
    g_string_append_printf(out, "- **%s:** ", label);
    pd_report_md_text(out, value);
    g_string_append_c(out, '\n');
}

void pd_report_pair_markdown(GString *out, const pd_report_pair *rp, const pd_report_options *opt)
{
    const pd_pair_result *r = rp->result;
    bool quiet = opt && opt->quiet;
    g_string_append(out, "# pcapdiag paired report\n\n");
    char *c = counts_line(r);
    pd_report_md_text(out, c);
    g_free(c);
    g_string_append(out, "\n\n");
    if (!quiet) {
        g_string_append(out, "| capture | file | format | frames | first frame | duration | vantage | sessions |\n");
        g_string_append(out, "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (int cap = 0; cap < 2; cap++) {
            const pd_report_capture *rc = rp->capture[cap];
            const pd_capture_stats *st = rc->stats;
            char t[PD_REPORT_TIME_LEN], d[32];
            g_string_append_printf(out, "| %s | ", pd_pair_role_name(cap));
            pd_report_md_code(out, rc->file, true);
            g_string_append_printf(out, " | %s | %" PRIu64 " | %s | %s | %s | %zu |\n", rc->format ? rc->format : "?",
                                   st->frames, st->frames ? pd_report_format_time(st->first_ts_ns, t, sizeof t) : "-",
                                   pd_report_format_duration(st->last_ts_ns - st->first_ts_ns, d, sizeof d),
                                   pd_vantage_name(st->vantage), rc->n_sessions);
        }
        g_string_append_c(out, '\n');
        if (rp->swapped)
            md_line(out, "Roles", "inferred from the captures' vantage: the first file named is the server's capture");
        char *v = clock_text(r);
        md_line(out, "Clock", v);
        g_free(v);
        g_string_append_c(out, '\n');
        for (size_t i = 0; i < r->n_sessions; i++) {
            const pd_pair_session *ps = &r->sessions[i];
            char *title = session_title(ps);
            g_string_append_printf(out, "## Session %" PRIu32 ": ", ps->id);
            pd_report_md_text(out, title);
            g_string_append(out, "\n\n");
            g_free(title);
            v = sides_text(ps);
            md_line(out, "Captures", v);
            g_free(v);
            g_string_append_c(out, '\n');
            g_string_append(out, "| direction | sent | arrived | lost | modified | arrived unsent | later fragments lost | TTL decrement |\n");
            g_string_append(out, "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
            for (int d = 0; d < 2; d++) {
                const pd_pair_dir_stats *st = &ps->dirs[d];
                char hops[16];
                if (st->hops >= 0)
                    g_snprintf(hops, sizeof hops, "%d", st->hops);
                else
                    g_strlcpy(hops, "-", sizeof hops);
                g_string_append_printf(out, "| %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
                                            " | %" PRIu64 " of %" PRIu64 " | %s |\n",
                                       dir_words(d), st->sent, st->arrived, st->lost, st->modified, st->unsent,
                                       st->later_fragments_lost, st->later_fragments_sent, hops);
            }
            g_string_append_c(out, '\n');
            bool listed = false;
            for (int d = 0; d < 2; d++) {
                char *x = frames_list(ps, d, PD_PAIR_LOST);
                if (x) {
                    md_line(out, "Lost", x);
                    listed = true;
                }
                g_free(x);
                x = modified_text(ps, d);
                if (x) {
                    md_line(out, "Modified", x);
                    listed = true;
                }
                g_free(x);
                x = frames_list(ps, d, PD_PAIR_UNSENT);
                if (x) {
                    md_line(out, "Arrived without being sent", x);
                    listed = true;
                }
                g_free(x);
            }
            v = nat_text(ps);
            if (v) {
                md_line(out, "NAT", v);
                listed = true;
            }
            g_free(v);
            if (listed)
                g_string_append_c(out, '\n');
            g_string_append(out, "```text\n");
            append_ladder(out, ps, r->origin_ns);
            g_string_append(out, "```\n\n");
        }
    }
    g_string_append_printf(out, "## Findings (%zu)\n\n", r->n_findings);
    if (!r->n_findings)
        g_string_append(out, "No findings.\n");
    for (size_t i = 0; i < r->n_findings; i++) {
        const pd_pair_finding *f = &r->findings[i];
        char *sev = g_ascii_strup(pd_severity_name(f->severity), -1);
        g_string_append_printf(out, "### %s `%s`", sev, f->signature ? f->signature->id : "unknown");
        g_free(sev);
        GString *meta = g_string_new(NULL);
        if (f->session)
            g_string_append_printf(meta, "session %" PRIu32 ", ", f->session);
        if (f->n_windows_errors) {
            char *cs = codes_text(f);
            g_string_append_printf(meta, "Windows %s, ", cs);
            g_free(cs);
        }
        g_string_append_printf(meta, "confidence %s, blame %s%s", pd_confidence_name(f->confidence),
                               pd_blame_name(f->blame), f->refined ? ", refined by pairing" : "");
        g_string_append_printf(out, " (%s)\n\n", meta->str);
        g_string_free(meta, TRUE);
        pd_report_md_text(out, f->summary);
        g_string_append(out, "\n\n");
        if (f->single) {
            g_string_append(out, "*Before pairing:* ");
            pd_report_md_text(out, f->single);
            g_string_append(out, "\n\n");
        }
        if (f->explanation && *f->explanation) {
            char **paras = g_strsplit(f->explanation, "\n\n", -1);
            for (size_t k = 0; paras[k]; k++) {
                pd_report_md_text(out, paras[k]);
                g_string_append(out, "\n\n");
            }
            g_strfreev(paras);
        }
        if (f->n_evidence) {
            g_string_append(out, "**Evidence**\n\n");
            for (size_t k = 0; k < f->n_evidence; k++) {
                const pd_pair_evidence *e = &f->evidence[k];
                char off[32];
                g_string_append_printf(out, "- %s frame %" PRIu64 " (%s s): ", pd_pair_role_name(e->capture), e->frame,
                                       pd_report_format_offset(to_client_clock(r, e->capture, e->ts_ns) - r->origin_ns,
                                                               off, sizeof off));
                pd_report_md_text(out, e->note);
                g_string_append_c(out, '\n');
            }
            g_string_append_c(out, '\n');
        }
        if (f->remediation && *f->remediation) {
            g_string_append(out, "**Remediation:** ");
            pd_report_md_text(out, f->remediation);
            g_string_append(out, "\n\n");
        }
        for (int cap = 0; cap < 2; cap++) {
            if (!f->display_filter[cap])
                continue;
            g_string_append_printf(out, "**Wireshark filter (%s capture):** ", pd_pair_role_name(cap));
            pd_report_md_code(out, f->display_filter[cap], false);
            g_string_append(out, "\n\n");
        }
    }
}

/* ---- JSON -------------------------------------------------------------------------- */

static void j_frame(JsonBuilder *b, const char *key, uint64_t frame)
{
    if (frame) {
        pd_json_uint(b, key, frame);
    } else {
        json_builder_set_member_name(b, key);
        json_builder_add_null_value(b);
    }
}

static void j_time(JsonBuilder *b, const char *key, int64_t ts, bool present)
{
    char t[PD_REPORT_TIME_LEN];
    pd_json_str(b, key, present ? pd_report_format_time(ts, t, sizeof t) : NULL);
}

static void j_endpoint(JsonBuilder *b, const char *key, const pd_endpoint *ep)
{
    char addr[64] = "";
    json_builder_set_member_name(b, key);
    if (!ep) {
        json_builder_add_null_value(b);
        return;
    }
    pd_endpoint_addr_str(ep, addr, sizeof addr);
    json_builder_begin_object(b);
    pd_json_str(b, "address", addr);
    pd_json_int(b, "port", ep->port);
    json_builder_end_object(b);
}

static void j_dir(JsonBuilder *b, const pd_pair_session *ps, int d)
{
    const pd_pair_dir_stats *st = &ps->dirs[d];
    json_builder_set_member_name(b, d == 0 ? "to_server" : "to_client");
    json_builder_begin_object(b);
    pd_json_uint(b, "sent", st->sent);
    pd_json_uint(b, "arrived", st->arrived);
    pd_json_uint(b, "lost", st->lost);
    pd_json_uint(b, "lost_outside_window", st->lost_outside_window);
    pd_json_uint(b, "modified", st->modified);
    pd_json_uint(b, "unsent", st->unsent);
    pd_json_uint(b, "off_path", st->off_path);
    pd_json_uint(b, "fragments_sent", st->fragments_sent);
    pd_json_uint(b, "later_fragments_sent", st->later_fragments_sent);
    pd_json_uint(b, "fragments_lost", st->fragments_lost);
    pd_json_uint(b, "later_fragments_lost", st->later_fragments_lost);
    if (st->hops >= 0) {
        pd_json_int(b, "ttl_decrement", st->hops);
    } else {
        json_builder_set_member_name(b, "ttl_decrement");
        json_builder_add_null_value(b);
    }
    /* Lost and modified packets with their frames on both sides. */
    json_builder_set_member_name(b, "lost_packets");
    json_builder_begin_array(b);
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir != d || p->fate != PD_PAIR_LOST)
            continue;
        json_builder_begin_object(b);
        j_frame(b, "client_frame", p->frame[0]);
        j_frame(b, "server_frame", p->frame[1]);
        pd_json_str(b, "text", p->text);
        json_builder_set_member_name(b, "outside_window");
        json_builder_add_boolean_value(b, p->outside_window);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "modified_packets");
    json_builder_begin_array(b);
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir != d || p->fate != PD_PAIR_MODIFIED)
            continue;
        const pd_pair_change *c = first_mangled(p);
        json_builder_begin_object(b);
        j_frame(b, "client_frame", p->frame[0]);
        j_frame(b, "server_frame", p->frame[1]);
        pd_json_str(b, "text", p->text);
        pd_json_str(b, "field", c ? c->field : NULL);
        pd_json_str(b, "before", c ? c->before : NULL);
        pd_json_str(b, "after", c ? c->after : NULL);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

static void j_session(JsonBuilder *b, const pd_pair_result *r, const pd_pair_session *ps)
{
    json_builder_begin_object(b);
    pd_json_uint(b, "id", ps->id);
    pd_json_str(b, "protocol", pd_protocol_name(ps->protocol));
    for (int cap = 0; cap < 2; cap++) {
        const pd_session *s = ps->side[cap];
        json_builder_set_member_name(b, cap == 0 ? "client_capture" : "server_capture");
        if (!s) {
            json_builder_add_null_value(b);
            continue;
        }
        json_builder_begin_object(b);
        pd_json_uint(b, "session", s->id);
        pd_json_str(b, "state", s->state);
        j_endpoint(b, "client", &s->client);
        j_endpoint(b, "server", &s->server);
        json_builder_end_object(b);
    }
    /* The captures not on this session's path (pd_pair_session.off_path). */
    json_builder_set_member_name(b, "off_path");
    json_builder_begin_array(b);
    for (int cap = 0; cap < 2; cap++)
        if (ps->off_path[cap])
            json_builder_add_string_value(b, pd_pair_role_name(cap));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "directions");
    json_builder_begin_object(b);
    j_dir(b, ps, 0);
    j_dir(b, ps, 1);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "nat");
    json_builder_begin_array(b);
    for (size_t i = 0; i < ps->n_nat; i++) {
        json_builder_begin_object(b);
        pd_json_str(b, "what", ps->nat[i].what);
        pd_json_str(b, "inside", ps->nat[i].inside);
        pd_json_str(b, "outside", ps->nat[i].outside);
        pd_json_str(b, "carried", ps->nat[i].carried);
        pd_json_uint(b, "packets", ps->nat[i].packets);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "packets");
    json_builder_begin_array(b);
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        json_builder_begin_object(b);
        pd_json_str(b, "dir", p->dir == PD_DIR_TO_SERVER ? "to_server" : p->dir == PD_DIR_TO_CLIENT ? "to_client" : "other");
        pd_json_str(b, "fate", pd_pair_fate_name(p->fate));
        j_frame(b, "client_frame", p->frame[0]);
        j_frame(b, "server_frame", p->frame[1]);
        j_time(b, "client_time", p->ts_ns[0], p->frame[0] != 0);
        j_time(b, "server_time", p->ts_ns[1], p->frame[1] != 0);
        pd_json_int(b, "offset_us", (p->t_ns - r->origin_ns) / 1000);
        pd_json_str(b, "text", p->text);
        json_builder_set_member_name(b, "fragment");
        json_builder_add_boolean_value(b, p->fragment);
        json_builder_set_member_name(b, "outside_window");
        json_builder_add_boolean_value(b, p->outside_window);
        json_builder_set_member_name(b, "changes");
        json_builder_begin_array(b);
        for (size_t k = 0; k < p->n_changes; k++) {
            json_builder_begin_object(b);
            pd_json_str(b, "kind", pd_pair_change_kind_name(p->changes[k].kind));
            pd_json_str(b, "field", p->changes[k].field);
            pd_json_str(b, "before", p->changes[k].before);
            pd_json_str(b, "after", p->changes[k].after);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

static void j_finding(JsonBuilder *b, const pd_pair_result *r, const pd_pair_finding *f)
{
    json_builder_begin_object(b);
    pd_json_str(b, "signature", f->signature ? f->signature->id : NULL);
    pd_json_str(b, "severity", pd_severity_name(f->severity));
    pd_json_str(b, "confidence", pd_confidence_name(f->confidence));
    json_builder_set_member_name(b, "windows_errors");
    json_builder_begin_array(b);
    for (size_t i = 0; i < f->n_windows_errors; i++)
        json_builder_add_int_value(b, f->windows_errors[i]);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "session");
    if (f->session)
        json_builder_add_int_value(b, f->session);
    else
        json_builder_add_null_value(b);
    pd_json_str(b, "summary", f->summary);
    pd_json_str(b, "explanation", f->explanation);
    pd_json_str(b, "remediation", f->remediation);
    pd_json_str(b, "blame", pd_blame_name(f->blame));
    json_builder_set_member_name(b, "refined");
    json_builder_add_boolean_value(b, f->refined);
    pd_json_str(b, "single", f->single);
    json_builder_set_member_name(b, "evidence");
    json_builder_begin_array(b);
    for (size_t i = 0; i < f->n_evidence; i++) {
        const pd_pair_evidence *e = &f->evidence[i];
        json_builder_begin_object(b);
        pd_json_str(b, "capture", pd_pair_role_name(e->capture));
        pd_json_uint(b, "frame", e->frame);
        j_time(b, "time", e->ts_ns, true);
        pd_json_int(b, "offset_us", (to_client_clock(r, e->capture, e->ts_ns) - r->origin_ns) / 1000);
        pd_json_str(b, "note", e->note);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "display_filter");
    json_builder_begin_object(b);
    pd_json_str(b, "client", f->display_filter[0]);
    pd_json_str(b, "server", f->display_filter[1]);
    json_builder_end_object(b);
    json_builder_end_object(b);
}

JsonNode *pd_report_pair_json_node(const pd_report_pair *rp)
{
    const pd_pair_result *r = rp->result;
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    pd_json_str(b, "pcapdiag", PCAPDIAG_VERSION);
    pd_json_int(b, "schema", PCAPDIAG_SCHEMA);
    pd_json_str(b, "mode", "pair");
    json_builder_set_member_name(b, "roles");
    json_builder_begin_object(b);
    pd_json_str(b, "client", rp->capture[0]->file);
    pd_json_str(b, "server", rp->capture[1]->file);
    json_builder_set_member_name(b, "inferred");
    json_builder_add_boolean_value(b, rp->swapped);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "clock");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "known");
    json_builder_add_boolean_value(b, r->clock.known);
    pd_json_int(b, "offset_us", r->clock.offset_ns / 1000);
    json_builder_set_member_name(b, "from_unique_packets");
    json_builder_add_boolean_value(b, r->clock.from_unique);
    for (int d = 0; d < 2; d++) {
        json_builder_set_member_name(b, d == 0 ? "to_server" : "to_client");
        json_builder_begin_object(b);
        pd_json_uint(b, "samples", r->clock.samples[d]);
        json_builder_set_member_name(b, "transit_us");
        if (r->clock.dir_known[d])
            json_builder_add_int_value(b, r->clock.transit_ns[d] / 1000);
        else
            json_builder_add_null_value(b);
        json_builder_end_object(b);
    }
    json_builder_end_object(b);
    pd_json_uint(b, "matched_packets", r->matched);
    j_time(b, "origin", r->origin_ns, true);
    json_builder_set_member_name(b, "captures");
    json_builder_begin_object(b);
    for (int cap = 0; cap < 2; cap++) {
        json_builder_set_member_name(b, pd_pair_role_name(cap));
        json_builder_add_value(b, pd_report_json_node(rp->capture[cap]));
    }
    json_builder_end_object(b);
    json_builder_set_member_name(b, "sessions");
    json_builder_begin_array(b);
    for (size_t i = 0; i < r->n_sessions; i++)
        j_session(b, r, &r->sessions[i]);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "findings");
    json_builder_begin_array(b);
    for (size_t i = 0; i < r->n_findings; i++)
        j_finding(b, r, &r->findings[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    g_object_unref(b);
    return root;
}

/* ---- the command --------------------------------------------------------------------- */

static void print_error(const char *file, const char *reason)
{
    char *r = pd_report_clean(reason);
    if (file) {
        char *f = pd_report_clean(file);
        fprintf(stderr, "pcapdiag: %s: %s\n", f, r);
        g_free(f);
    } else {
        fprintf(stderr, "pcapdiag: %s\n", r);
    }
    g_free(r);
}

int pd_report_pair_cli(const pd_report_pair_args *args)
{
    if (!args->first || !args->second) {
        print_error(NULL, "--pair needs two capture files: pcapdiag --pair CLIENT.pcap SERVER.pcap");
        return 2;
    }
    if (strcmp(args->first, "-") == 0 && strcmp(args->second, "-") == 0) {
        print_error(NULL, "--pair: only one of the two captures can come from standard input");
        return 2;
    }
    const char *path[2] = { args->first, args->second };
    pd_engine *engine[2] = { NULL, NULL };
    pd_pair_capture *rec[2] = { NULL, NULL };
    const char *format[2] = { NULL, NULL };
    uint32_t linktype[2] = { 0, 0 };
    int status = 2;
    for (int i = 0; i < 2; i++) {
        pd_engine_config cfg = { 0 };
        pd_limits_default(&cfg.limits);
        cfg.netmotion_port = args->netmotion_port;
        cfg.ike_policy = args->ike_policy;
        cfg.ike_key_files = args->ike_key_files;
        cfg.esp_key_files = args->esp_key_files;
        engine[i] = pd_engine_new(&cfg);
        rec[i] = pd_pair_capture_new();
        bool truncated = false;
        char *err = NULL;
        if (!pd_pair_read_capture(path[i], args->filter, engine[i], rec[i], &format[i], &linktype[i], &truncated,
                                  &err)) {
            print_error(path[i], err);
            g_free(err);
            goto out;
        }
        if (truncated)
            print_error(path[i], "warning: the file ends in the middle of a record; pairing what was read");
    }

    bool swapped = pd_pair_roles_swapped(pd_engine_stats(engine[0]), pd_engine_stats(engine[1]));
    int c = swapped ? 1 : 0, s = swapped ? 0 : 1;
    pd_engine *by_role[2] = { engine[c], engine[s] };
    pd_pair_capture *rec_by_role[2] = { rec[c], rec[s] };
    GError *error = NULL;
    pd_pair_result *r = pd_pair_analyse(by_role, rec_by_role, NULL, &error);
    if (!r) {
        char *msg = g_strdup_printf("--pair %s %s: %s", path[0], path[1], error->message);
        print_error(NULL, msg);
        g_free(msg);
        g_error_free(error);
        goto out;
    }

    pd_report_capture rc[2];
    for (int role = 0; role < 2; role++) {
        int i = role == 0 ? c : s;
        rc[role] = (pd_report_capture){
            .file = path[i],
            .format = format[i],
            .linktype = linktype[i],
            .filter = args->filter,
            .records = pd_engine_stats(engine[i])->frames,
        };
        pd_report_capture_from_engine(&rc[role], engine[i]);
    }
    pd_report_pair rp = { { &rc[0], &rc[1] }, swapped, r };
    GString *out = g_string_new(NULL);
    switch (args->format) {
    case PD_REPORT_TEXT:
        pd_report_pair_text(out, &rp, &args->options);
        break;
    case PD_REPORT_MARKDOWN:
        pd_report_pair_markdown(out, &rp, &args->options);
        break;
    case PD_REPORT_JSON: {
        JsonNode *node = pd_report_pair_json_node(&rp);
        char *str = pd_report_json_to_string(node);
        g_string_append(out, str);
        g_free(str);
        json_node_unref(node);
        break;
    }
    }
    status = pd_pair_has_error(r) ? 1 : 0;
    if (fwrite(out->str, 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
        print_error("standard output", g_strerror(errno ? errno : EIO));
        status = 2;
    }
    g_string_free(out, TRUE);
    pd_report_capture_clear(&rc[0]);
    pd_report_capture_clear(&rc[1]);
    pd_pair_result_free(r);
out:
    for (int i = 0; i < 2; i++) {
        pd_pair_capture_free(rec[i]);
        if (engine[i])
            pd_engine_free(engine[i]);
    }
    return status;
}
