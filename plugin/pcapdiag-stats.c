/* pcapdiag-stats.c - the "VPN Diagnosis" statistics of the pcapdiag plugin:
 * `tshark -z pcapdiag,findings[,FILTER]` prints the sessions and findings like
 * the CLI's summary; the table `pcapdiag,table` is the same list in the GUI's
 * Statistics menu (and in tshark).
 *
 * Both listen on the plugin's tap, which carries each VPN frame's record.
 * With a display filter they list the sessions that have a frame passing it
 * (and the findings citing such frames); without one, everything.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>

#include <wireshark.h>

#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <wsutil/report_message.h>

#include "packet-pcapdiag.h"

#define PD_WS_FINDINGS_CLI "pcapdiag,findings"
#define PD_WS_TABLE_CLI "pcapdiag,table"
#define PD_WS_TABLE_TITLE "VPN Diagnosis"

/* ---- shared ------------------------------------------------------------------ */

/* What a tap run saw: the sessions of tapped frames and the findings that
 * cite them. */
typedef struct pd_ws_seen {
    GHashTable *sessions; /* session id -> itself */
    GHashTable *findings; /* const pd_finding * -> itself */
} pd_ws_seen;

static void pd_ws_seen_init(pd_ws_seen *seen)
{
    seen->sessions = g_hash_table_new(g_direct_hash, g_direct_equal);
    seen->findings = g_hash_table_new(g_direct_hash, g_direct_equal);
}

static void pd_ws_seen_clear(pd_ws_seen *seen)
{
    g_hash_table_remove_all(seen->sessions);
    g_hash_table_remove_all(seen->findings);
}

static void pd_ws_seen_free(pd_ws_seen *seen)
{
    g_hash_table_destroy(seen->sessions);
    g_hash_table_destroy(seen->findings);
}

static void pd_ws_seen_frame(pd_ws_seen *seen, const pd_ws_frame *fr)
{
    if (fr->session_id)
        g_hash_table_add(seen->sessions, GUINT_TO_POINTER(fr->session_id));
    guint n = pd_ws_frame_finding_count(fr);
    for (guint i = 0; i < n; i++)
        g_hash_table_add(seen->findings, (gpointer)pd_ws_frame_finding(fr, i));
}

static const char *pd_ws_sev_title(pd_severity s)
{
    switch (s) {
    case PD_SEV_ERROR: return "ERROR";
    case PD_SEV_WARNING: return "WARNING";
    case PD_SEV_NOTE: return "NOTE";
    }
    return "?";
}

/* ---- -z pcapdiag,findings -------------------------------------------------- */

typedef struct pd_ws_findings_tap {
    char *filter; /* NULL: everything */
    pd_ws_seen seen;
} pd_ws_findings_tap;

static void pd_ws_findings_reset(void *tapdata)
{
    pd_ws_findings_tap *t = tapdata;
    pd_ws_seen_clear(&t->seen);
}

static tap_packet_status pd_ws_findings_packet(void *tapdata, packet_info *pinfo _U_,
                                               epan_dissect_t *edt _U_, const void *data,
                                               tap_flags_t flags _U_)
{
    pd_ws_findings_tap *t = tapdata;
    if (!data)
        return TAP_PACKET_DONT_REDRAW;
    pd_ws_seen_frame(&t->seen, data);
    return TAP_PACKET_REDRAW;
}

static void pd_ws_list_add(GString *s, size_t n, const char *one, const char *many)
{
    if (!n)
        return;
    g_string_append_printf(s, "%s%zu %s", s->len ? ", " : "", n, n == 1 ? one : many);
}

static gboolean pd_ws_finding_selected(const pd_ws_findings_tap *t, const pd_finding *f)
{
    if (!t->filter)
        return TRUE;
    return (f->session_id && g_hash_table_contains(t->seen.sessions,
                                                   GUINT_TO_POINTER(f->session_id))) ||
           g_hash_table_contains(t->seen.findings, f);
}

/* One finding, laid out like the CLI's: a heading line with the
 * signature, session, codes, confidence and blame, then the summary and
 * the evidence frames. */
static void pd_ws_print_finding(GString *out, const pd_finding *f)
{
    char *codes = pd_ws_codes_str(f);
    char *summary = pd_ws_clean(f->summary);
    char *frames = pd_ws_evidence_str(f);
    g_string_append_printf(out, "  %s  %s", pd_ws_sev_title(f->severity),
                           f->signature && f->signature->id ? f->signature->id : "?");
    if (f->session_id)
        g_string_append_printf(out, "  session %u", f->session_id);
    if (*codes)
        g_string_append_printf(out, "  Windows %s", codes);
    g_string_append_printf(out, "  confidence %s  blame %s\n", pd_confidence_name(f->confidence),
                           pd_blame_name(f->blame));
    g_string_append_printf(out, "    %s\n", summary);
    if (*frames)
        g_string_append_printf(out, "    Evidence: frames %s\n", frames);
    else
        g_string_append(out, "    Evidence: none (about the capture as a whole)\n");
    g_free(codes);
    g_free(summary);
    g_free(frames);
}

static void pd_ws_findings_draw(void *tapdata)
{
    pd_ws_findings_tap *t = tapdata;
    GString *out = g_string_new(NULL);
    g_string_append(out, "\n===================================================================\n");
    g_string_append_printf(out, "%s (pcapdiag %s)\n", PD_WS_TABLE_TITLE, PCAPDIAG_VERSION);
    g_string_append_printf(out, "Filter: %s\n", t->filter ? t->filter : "none");

    pd_ws_capture *cap = pd_ws_capture_current();
    if (!cap) {
        g_string_append(out, "No capture file.\n");
        goto done;
    }
    /* tshark draws once the file has been read: what waited for the end of
     * the capture is settled now, even in a single pass. */
    pd_ws_capture_finish(cap);
    const pd_engine *e = pd_ws_capture_engine(cap);
    const pd_capture_stats *st = pd_engine_stats(e);

    size_t n_sessions = 0, n_findings = 0, by_sev[3] = { 0 };
    for (size_t i = 0; i < pd_engine_session_count(e); i++) {
        const pd_session *s = pd_engine_session(e, i);
        if (!t->filter || g_hash_table_contains(t->seen.sessions, GUINT_TO_POINTER(s->id)))
            n_sessions++;
    }
    for (size_t i = 0; i < pd_engine_finding_count(e); i++) {
        const pd_finding *f = pd_engine_finding(e, i);
        if (!pd_ws_finding_selected(t, f))
            continue;
        n_findings++;
        if ((guint)f->severity < 3)
            by_sev[f->severity]++;
    }
    g_string_append_printf(out, "%" PRIu64 " %s, %zu %s, ", st->frames,
                           st->frames == 1 ? "frame" : "frames", n_sessions,
                           n_sessions == 1 ? "VPN session" : "VPN sessions");
    if (n_findings == 0) {
        g_string_append(out, "no findings\n");
    } else {
        GString *parts = g_string_new(NULL);
        pd_ws_list_add(parts, by_sev[PD_SEV_ERROR], "error", "errors");
        pd_ws_list_add(parts, by_sev[PD_SEV_WARNING], "warning", "warnings");
        pd_ws_list_add(parts, by_sev[PD_SEV_NOTE], "note", "notes");
        g_string_append_printf(out, "%zu %s (%s)\n", n_findings,
                               n_findings == 1 ? "finding" : "findings", parts->str);
        g_string_free(parts, TRUE);
    }

    for (size_t i = 0; i < pd_engine_session_count(e); i++) {
        const pd_session *s = pd_engine_session(e, i);
        if (t->filter && !g_hash_table_contains(t->seen.sessions, GUINT_TO_POINTER(s->id)))
            continue;
        char *client = pd_ws_endpoint_str(&s->client);
        char *server = pd_ws_endpoint_str(&s->server);
        g_string_append_printf(out,
                               "\nSession %u  %s  %s -> %s  [%s]  frames %" PRIu64 "-%" PRIu64 "\n",
                               s->id, pd_ws_protocol_title(s->protocol), client, server,
                               s->state ? s->state : "?", s->first_frame, s->last_frame);
        g_free(client);
        g_free(server);
        size_t shown = 0;
        for (size_t j = 0; j < pd_engine_finding_count(e); j++) {
            const pd_finding *f = pd_engine_finding(e, j);
            if (f->session_id != s->id || !pd_ws_finding_selected(t, f))
                continue;
            pd_ws_print_finding(out, f);
            shown++;
        }
        if (!shown)
            g_string_append(out, "  no findings\n");
    }

    gboolean capture_header = FALSE;
    for (size_t j = 0; j < pd_engine_finding_count(e); j++) {
        const pd_finding *f = pd_engine_finding(e, j);
        if (f->session_id != 0 || !pd_ws_finding_selected(t, f))
            continue;
        if (!capture_header) {
            g_string_append(out, "\nThe capture as a whole\n");
            capture_header = TRUE;
        }
        pd_ws_print_finding(out, f);
    }

done:
    g_string_append(out, "===================================================================\n");
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
}

static void pd_ws_findings_finish(void *tapdata)
{
    pd_ws_findings_tap *t = tapdata;
    pd_ws_seen_free(&t->seen);
    g_free(t->filter);
    g_free(t);
}

static void pd_ws_findings_init(const char *opt_arg, void *userdata _U_)
{
    pd_ws_findings_tap *t = g_new0(pd_ws_findings_tap, 1);
    const char *prefix = PD_WS_FINDINGS_CLI ",";
    if (opt_arg && g_str_has_prefix(opt_arg, prefix) && opt_arg[strlen(prefix)])
        t->filter = g_strdup(opt_arg + strlen(prefix));
    pd_ws_seen_init(&t->seen);
    GString *err = register_tap_listener(PD_WS_TAP_NAME, t, t->filter, TL_REQUIRES_NOTHING,
                                         pd_ws_findings_reset, pd_ws_findings_packet,
                                         pd_ws_findings_draw, pd_ws_findings_finish);
    if (err) {
        report_failure("Couldn't register the " PD_WS_FINDINGS_CLI " tap: %s", err->str);
        g_string_free(err, TRUE);
        pd_ws_findings_finish(t);
    }
}

static stat_tap_ui pd_ws_findings_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED, PD_WS_TABLE_TITLE, PD_WS_FINDINGS_CLI,
    pd_ws_findings_init, 0, NULL,
};

/* ---- the "VPN Diagnosis" table ----------------------------------------------- */

enum {
    PD_COL_SESSION,
    PD_COL_PROTOCOL,
    PD_COL_CLIENT,
    PD_COL_SERVER,
    PD_COL_STATE,
    PD_COL_SEVERITY,
    PD_COL_SIGNATURE,
    PD_COL_CODES,
    PD_COL_EVIDENCE,
    PD_COL_SUMMARY,
    PD_COL__COUNT
};

static stat_tap_table_item pd_ws_table_fields[PD_COL__COUNT] = {
    { TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "Session", "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Protocol", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Client", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Server", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "State", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Severity", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Signature", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Windows errors", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Evidence frames", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Summary", "%s" },
};

/* Which sessions the table lists already. The table UI hands its packet
 * callback only Wireshark's own stat_data_t, so this lives beside the
 * (equally static) table registration; reset with the table. */
static pd_ws_seen pd_ws_table_listed;

static void pd_ws_table_clear_listed(void)
{
    if (!pd_ws_table_listed.sessions)
        pd_ws_seen_init(&pd_ws_table_listed);
    else
        pd_ws_seen_clear(&pd_ws_table_listed);
}

static void pd_ws_table_row(stat_tap_table *table, uint32_t session, const pd_session *s,
                            const pd_finding *f)
{
    stat_tap_table_item_type items[PD_COL__COUNT];
    memset(items, 0, sizeof items);
    for (int c = 0; c < PD_COL__COUNT; c++)
        items[c].type = pd_ws_table_fields[c].type;
    items[PD_COL_SESSION].value.uint_value = session;
    items[PD_COL_PROTOCOL].value.string_value = g_strdup(s ? pd_ws_protocol_title(s->protocol) : "");
    items[PD_COL_CLIENT].value.string_value = s ? pd_ws_endpoint_str(&s->client) : g_strdup("");
    items[PD_COL_SERVER].value.string_value = s ? pd_ws_endpoint_str(&s->server) : g_strdup("");
    items[PD_COL_STATE].value.string_value = g_strdup(s && s->state ? s->state : "");
    if (f) {
        items[PD_COL_SEVERITY].value.string_value = g_strdup(pd_severity_name(f->severity));
        items[PD_COL_SIGNATURE].value.string_value =
            g_strdup(f->signature && f->signature->id ? f->signature->id : "?");
        items[PD_COL_CODES].value.string_value = pd_ws_codes_str(f);
        items[PD_COL_EVIDENCE].value.string_value = pd_ws_evidence_str(f);
        items[PD_COL_SUMMARY].value.string_value = pd_ws_clean(f->summary);
    } else {
        items[PD_COL_SEVERITY].value.string_value = g_strdup("");
        items[PD_COL_SIGNATURE].value.string_value = g_strdup("(no finding)");
        items[PD_COL_CODES].value.string_value = g_strdup("");
        items[PD_COL_EVIDENCE].value.string_value = g_strdup("");
        items[PD_COL_SUMMARY].value.string_value = g_strdup("");
    }
    stat_tap_init_table_row(table, table->num_elements, PD_COL__COUNT, items);
}

static void pd_ws_table_add_session(stat_tap_table *table, const pd_engine *e, uint32_t id)
{
    const pd_session *s = id ? pd_engine_session_by_id(e, id) : NULL;
    size_t rows = 0;
    for (size_t i = 0; i < pd_engine_finding_count(e); i++) {
        const pd_finding *f = pd_engine_finding(e, i);
        if (f->session_id != id)
            continue;
        pd_ws_table_row(table, id, s, f);
        rows++;
    }
    if (!rows && s)
        pd_ws_table_row(table, id, s, NULL);
}

static tap_packet_status pd_ws_table_packet(void *tapdata, packet_info *pinfo _U_,
                                            epan_dissect_t *edt _U_, const void *data,
                                            tap_flags_t flags _U_)
{
    stat_data_t *sd = tapdata;
    const pd_ws_frame *fr = data;
    pd_ws_capture *cap = pd_ws_capture_current();
    stat_tap_table *table = stat_tap_find_table(sd->stat_tap_data, PD_WS_TABLE_TITLE);
    if (!cap || !fr || !table)
        return TAP_PACKET_DONT_REDRAW;
    if (!pd_ws_table_listed.sessions)
        pd_ws_seen_init(&pd_ws_table_listed);
    const pd_engine *e = pd_ws_capture_engine(cap);
    gboolean changed = FALSE;
    /* Session ids are 1-based: key 0 (stored as id + 1) is the capture as a
     * whole, listed with the first frame that passes. */
    guint32 keys[2] = { 0, fr->session_id };
    for (guint k = 0; k < G_N_ELEMENTS(keys); k++) {
        if (k == 1 && !keys[k])
            continue;
        gpointer key = GUINT_TO_POINTER(keys[k] + 1);
        if (g_hash_table_contains(pd_ws_table_listed.sessions, key))
            continue;
        g_hash_table_add(pd_ws_table_listed.sessions, key);
        pd_ws_table_add_session(table, e, keys[k]);
        changed = TRUE;
    }
    return changed ? TAP_PACKET_REDRAW : TAP_PACKET_DONT_REDRAW;
}

static void pd_ws_table_free_item(stat_tap_table *table _U_, guint row _U_, guint column,
                                  stat_tap_table_item_type *field_data)
{
    if (column < PD_COL__COUNT && pd_ws_table_fields[column].type == TABLE_ITEM_STRING) {
        g_free((char *)field_data->value.string_value);
        field_data->value.string_value = NULL;
    }
}

/* Rows come and go with what was tapped (unlike tables of fixed rows):
 * a reset drops them all. */
static void pd_ws_table_reset(stat_tap_table *table)
{
    for (guint r = 0; r < table->num_elements; r++) {
        for (guint c = 0; c < table->num_fields; c++)
            pd_ws_table_free_item(table, r, c, stat_tap_get_field_data(table, r, c));
        g_free(table->elements[r]);
    }
    g_free(table->elements);
    table->elements = NULL;
    table->num_elements = 0;
    pd_ws_table_clear_listed();
}

static void pd_ws_table_init(stat_tap_table_ui *ui)
{
    stat_tap_table *table = stat_tap_find_table(ui, PD_WS_TABLE_TITLE);
    if (table) {
        pd_ws_table_reset(table);
        return;
    }
    table = stat_tap_init_table(PD_WS_TABLE_TITLE, PD_COL__COUNT, 0, NULL);
    stat_tap_add_table(ui, table);
    pd_ws_table_clear_listed();
}

static tap_param pd_ws_table_params[] = {
    { PARAM_FILTER, "filter", "Filter", NULL, TRUE },
};

static stat_tap_table_ui pd_ws_table_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED,
    PD_WS_TABLE_TITLE,
    PD_WS_TAP_NAME,
    PD_WS_TABLE_CLI,
    pd_ws_table_init,
    pd_ws_table_packet,
    pd_ws_table_reset,
    pd_ws_table_free_item,
    NULL,
    G_N_ELEMENTS(pd_ws_table_fields),
    pd_ws_table_fields,
    G_N_ELEMENTS(pd_ws_table_params),
    pd_ws_table_params,
    NULL,
    0,
};

void pd_ws_stats_register(void)
{
    register_stat_tap_ui(&pd_ws_findings_ui, NULL);
    register_stat_tap_table_ui(&pd_ws_table_ui);
}
