/* report_json.c - the JSON report: one document per capture,
 * {"pcapdiag", "schema", "capture", "sessions", "findings"}.
 *
 * Values follow the Suricata convention: a coded protocol value appears as
 * its name and, beside it, as "<key>_raw" with the number, so a reader never
 * looks a number up and a script never parses a name. Only integers and
 * strings: no doubles, so no locale or rounding can change a byte.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "report.h"

static void add_str(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (!value) {
        json_builder_add_null_value(b);
        return;
    }
    /* JSON must be UTF-8; packet-derived text may not be. */
    char *valid = g_utf8_make_valid(value, -1);
    json_builder_add_string_value(b, valid);
    g_free(valid);
}

static void add_int(JsonBuilder *b, const char *key, int64_t value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_int_value(b, value);
}

/* Counters are unsigned in the engine; JSON integers are signed 64-bit in
 * json-glib. No capture gets near 2^63, but clamp rather than wrap. */
static void add_uint(JsonBuilder *b, const char *key, uint64_t value)
{
    add_int(b, key, value > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)value);
}

static void add_time(JsonBuilder *b, const char *key, int64_t ts_ns)
{
    char buf[PD_REPORT_TIME_LEN];
    add_str(b, key, pd_report_format_time(ts_ns, buf, sizeof buf));
}

static void add_attrs(JsonBuilder *b, const pd_attr *attrs, size_t n)
{
    json_builder_set_member_name(b, "attributes");
    json_builder_begin_object(b);
    for (size_t i = 0; i < n; i++) {
        const pd_attr *a = &attrs[i];
        if (!a->key)
            continue;
        switch (a->kind) {
        case PD_ATTR_STR:
            add_str(b, a->key, a->str);
            break;
        case PD_ATTR_NUM:
            add_int(b, a->key, a->num);
            break;
        case PD_ATTR_CODE: {
            add_str(b, a->key, a->str);
            char *raw = g_strconcat(a->key, "_raw", NULL);
            add_int(b, raw, a->num);
            g_free(raw);
            break;
        }
        }
    }
    json_builder_end_object(b);
}

static void add_endpoint(JsonBuilder *b, const char *key, const pd_endpoint *ep)
{
    char addr[48] = "";
    if (ep->family == 4 || ep->family == 6)
        pd_endpoint_addr_str(ep, addr, sizeof addr);
    json_builder_set_member_name(b, key);
    json_builder_begin_object(b);
    add_str(b, "address", addr);
    add_int(b, "port", ep->port);
    json_builder_end_object(b);
}

static const char *dir_name(pd_dir d)
{
    switch (d) {
    case PD_DIR_TO_SERVER: return "to-server";
    case PD_DIR_TO_CLIENT: return "to-client";
    case PD_DIR_OTHER: return "other";
    }
    return "other";
}

static void add_capture(JsonBuilder *b, const pd_report_capture *rc)
{
    const pd_capture_stats *st = rc->stats;
    json_builder_set_member_name(b, "capture");
    json_builder_begin_object(b);
    add_str(b, "file", rc->file);
    add_str(b, "format", rc->format);
    add_str(b, "linktype", pd_linktype_name(rc->linktype));
    add_int(b, "linktype_raw", rc->linktype);
    add_uint(b, "frames", st->frames);
    add_uint(b, "bytes_captured", st->bytes_captured);
    add_uint(b, "bytes_wire", st->bytes_wire);
    if (st->frames) {
        add_time(b, "first_time", st->first_ts_ns);
        add_time(b, "last_time", st->last_ts_ns);
        add_int(b, "duration_us", (st->last_ts_ns - st->first_ts_ns) / 1000);
    } else {
        add_str(b, "first_time", NULL);
        add_str(b, "last_time", NULL);
        add_int(b, "duration_us", 0);
    }
    add_str(b, "vantage", pd_vantage_name(st->vantage));
    add_str(b, "vantage_reason", st->vantage_reason);
    json_builder_set_member_name(b, "truncated");
    json_builder_add_boolean_value(b, st->truncated);
    add_str(b, "filter", rc->filter);

    json_builder_set_member_name(b, "counts");
    json_builder_begin_object(b);
    add_uint(b, "frames_not_ip", st->frames_not_ip);
    add_uint(b, "frames_malformed", st->frames_malformed);
    add_uint(b, "frames_empty", st->frames_empty);
    add_uint(b, "frames_unsupported_link", st->frames_unsupported_link);
    add_uint(b, "ip_fragments", st->ip_fragments);
    add_uint(b, "ip_datagrams_reassembled", st->ip_datagrams_reassembled);
    add_uint(b, "ip_datagrams_incomplete", st->ip_datagrams_incomplete);
    add_uint(b, "ip_fragment_bytes_dropped", st->ip_fragment_bytes_dropped);
    add_uint(b, "vpn_frames", st->vpn_frames);
    add_uint(b, "flows_peak", st->flows_peak);
    add_uint(b, "flows_evicted", st->flows_evicted);
    add_uint(b, "tcp_gap_bytes", st->tcp_gap_bytes);
    json_builder_end_object(b);

    json_builder_end_object(b);
}

static void add_session(JsonBuilder *b, const pd_session *s, int64_t t0)
{
    json_builder_begin_object(b);
    add_int(b, "id", s->id);
    add_str(b, "protocol", pd_protocol_name(s->protocol));
    add_endpoint(b, "client", &s->client);
    add_endpoint(b, "server", &s->server);
    add_str(b, "state", s->state);

    json_builder_set_member_name(b, "stages");
    json_builder_begin_array(b);
    for (size_t i = 0; i < s->n_stages; i++) {
        json_builder_begin_object(b);
        add_str(b, "name", s->stages[i].name);
        add_uint(b, "frame", s->stages[i].frame);
        add_time(b, "time", s->stages[i].ts_ns);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    add_uint(b, "first_frame", s->first_frame);
    add_uint(b, "last_frame", s->last_frame);
    add_time(b, "first_time", s->first_ts_ns);
    add_time(b, "last_time", s->last_ts_ns);
    add_uint(b, "packets_to_server", s->packets[PD_DIR_TO_SERVER]);
    add_uint(b, "packets_to_client", s->packets[PD_DIR_TO_CLIENT]);
    add_uint(b, "bytes_to_server", s->bytes[PD_DIR_TO_SERVER]);
    add_uint(b, "bytes_to_client", s->bytes[PD_DIR_TO_CLIENT]);
    add_attrs(b, s->attrs, s->n_attrs);

    json_builder_set_member_name(b, "ladder");
    json_builder_begin_array(b);
    for (size_t i = 0; i < s->n_ladder; i++) {
        const pd_ladder_entry *l = &s->ladder[i];
        json_builder_begin_object(b);
        add_uint(b, "frame", l->frame);
        add_uint(b, "last_frame", l->last_frame ? l->last_frame : l->frame);
        add_time(b, "time", l->ts_ns);
        add_int(b, "offset_us", (l->ts_ns - t0) / 1000);
        add_str(b, "dir", dir_name(l->dir));
        add_int(b, "repeat", l->repeat ? l->repeat : 1);
        add_str(b, "text", l->text ? l->text : "");
        add_str(b, "annotation", l->annotation);
        add_attrs(b, l->attrs, l->n_attrs);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    add_uint(b, "ladder_dropped", s->ladder_dropped);
    json_builder_end_object(b);
}

static void add_finding(JsonBuilder *b, const pd_finding *f)
{
    json_builder_begin_object(b);
    add_str(b, "signature", f->signature ? f->signature->id : "unknown");
    add_str(b, "severity", pd_severity_name(f->severity));
    add_str(b, "confidence", pd_confidence_name(f->confidence));
    json_builder_set_member_name(b, "windows_errors");
    json_builder_begin_array(b);
    for (size_t i = 0; i < f->n_windows_errors; i++)
        json_builder_add_int_value(b, f->windows_errors[i]);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "session");
    if (f->session_id)
        json_builder_add_int_value(b, f->session_id);
    else
        json_builder_add_null_value(b); /* about the capture as a whole */
    add_str(b, "summary", f->summary ? f->summary : "");
    add_str(b, "explanation", f->explanation ? f->explanation : "");
    add_str(b, "remediation", f->remediation ? f->remediation : "");
    add_str(b, "blame", pd_blame_name(f->blame));
    json_builder_set_member_name(b, "evidence");
    json_builder_begin_array(b);
    for (size_t i = 0; i < f->n_evidence; i++) {
        json_builder_begin_object(b);
        add_uint(b, "frame", f->evidence[i].frame);
        add_time(b, "time", f->evidence[i].ts_ns);
        add_str(b, "note", f->evidence[i].note ? f->evidence[i].note : "");
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    add_str(b, "display_filter", f->display_filter);
    /* Only for a failure without a Windows code of its own: the codes
     * users of other products (or other Windows cases) report for it. */
    char **typical = pd_report_typical_code_labels(f);
    if (typical) {
        json_builder_set_member_name(b, "typical_codes");
        json_builder_begin_array(b);
        for (char **c = typical; *c; c++)
            json_builder_add_string_value(b, *c);
        json_builder_end_array(b);
        g_strfreev(typical);
    }
    json_builder_end_object(b);
}

static JsonNode *builder_root(JsonBuilder *b)
{
    JsonNode *root = json_builder_get_root(b);
    g_object_unref(b);
    return root;
}

/* The document's own members, before "sessions". */
static void add_head_members(JsonBuilder *b, const pd_report_capture *rc)
{
    add_str(b, "pcapdiag", PCAPDIAG_VERSION);
    add_int(b, "schema", PCAPDIAG_SCHEMA);
    pd_report_reported_json(b, rc->reported);
    add_capture(b, rc);
}

JsonNode *pd_report_json_head_node(const pd_report_capture *rc)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    add_head_members(b, rc);
    json_builder_end_object(b);
    return builder_root(b);
}

JsonNode *pd_report_json_session_node(const pd_session *s, int64_t t0)
{
    JsonBuilder *b = json_builder_new();
    add_session(b, s, t0);
    return builder_root(b);
}

JsonNode *pd_report_json_finding_node(const pd_finding *f)
{
    JsonBuilder *b = json_builder_new();
    add_finding(b, f);
    return builder_root(b);
}

JsonNode *pd_report_json_node(const pd_report_capture *rc)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    add_head_members(b, rc);

    int64_t t0 = pd_report_time_origin(rc);
    json_builder_set_member_name(b, "sessions");
    json_builder_begin_array(b);
    for (size_t i = 0; i < rc->n_sessions; i++)
        if (rc->sessions[i])
            add_session(b, rc->sessions[i], t0);
    json_builder_end_array(b);

    json_builder_set_member_name(b, "findings");
    json_builder_begin_array(b);
    for (size_t i = 0; i < rc->n_findings; i++)
        if (rc->findings[i])
            add_finding(b, rc->findings[i]);
    json_builder_end_array(b);

    json_builder_end_object(b);
    return builder_root(b);
}

static char *pretty(JsonNode *node)
{
    JsonGenerator *g = json_generator_new();
    json_generator_set_pretty(g, TRUE);
    json_generator_set_indent(g, 2);
    json_generator_set_indent_char(g, ' ');
    json_generator_set_root(g, node);
    char *body = json_generator_to_data(g, NULL);
    g_object_unref(g);
    return body;
}

char *pd_report_json_to_string(JsonNode *node)
{
    char *body = pretty(node);
    char *out = g_strconcat(body, "\n", NULL);
    g_free(body);
    return out;
}

/* ---- streaming: nodes printed at their depth in the whole tree ---- */

#define INDENT 2

static void indent(GString *out, int level)
{
    for (int i = 0; i < level * INDENT; i++)
        g_string_append_c(out, ' ');
}

/* json-glib indents every line by its depth, and also writes an empty
 * object as "{", depth x indent spaces, "}" (json-glib 1.6 dump_node). So a
 * node printed alone matches its place in a bigger tree once every line and
 * every empty object get `level` more indents. Strings never hold a raw
 * newline (the generator escapes control characters); quotes and
 * backslashes are tracked so braces inside strings are left alone. */
void pd_report_json_write_at(GString *out, JsonNode *node, int level)
{
    char *text = pretty(node);
    bool in_str = false;
    indent(out, level);
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (in_str) {
            g_string_append_c(out, c);
            if (c == '\\' && p[1]) {
                g_string_append_c(out, *++p);
            } else if (c == '"') {
                in_str = false;
            }
            continue;
        }
        g_string_append_c(out, c);
        if (c == '"') {
            in_str = true;
        } else if (c == '\n') {
            indent(out, level);
        } else if (c == '{') {
            const char *q = p + 1;
            while (*q == ' ')
                q++;
            if (*q == '}') /* an empty object: its inner spaces grow too */
                indent(out, level);
        }
    }
    g_free(text);
}

void pd_report_json_doc_begin(GString *out, JsonNode *head, int level)
{
    pd_report_json_write_at(out, head, level);
    /* Leave the object open: drop its last line ("}" at `level`). */
    const char *nl = strrchr(out->str, '\n');
    if (nl && out->str[out->len - 1] == '}')
        g_string_truncate(out, (gsize)(nl - out->str));
}

void pd_report_json_array_begin(GString *out, const char *key, int level)
{
    g_string_append(out, ",\n");
    indent(out, level + 1);
    g_string_append_printf(out, "\"%s\" : [", key);
}

void pd_report_json_array_element(GString *out, JsonNode *node, int level, size_t index)
{
    g_string_append(out, index ? ",\n" : "\n");
    pd_report_json_write_at(out, node, level + 2);
}

void pd_report_json_array_end(GString *out, int level, size_t count)
{
    if (count) {
        g_string_append_c(out, '\n');
        indent(out, level + 1);
    }
    g_string_append_c(out, ']');
}

void pd_report_json_doc_end(GString *out, int level)
{
    g_string_append_c(out, '\n');
    indent(out, level);
    g_string_append_c(out, '}');
}
