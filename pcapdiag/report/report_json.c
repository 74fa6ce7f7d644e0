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

/* ---- one field list, two writers ------------------------------------------
 *
 * The document is described once, through pd_jw, and goes either into a
 * json-glib builder (the whole document as a tree: pair mode, the tests) or
 * straight into text in json-glib's own pretty layout (2-space indent,
 * "key" : value, an empty object as "{", the line's indent in spaces, "}",
 * an empty array as "[]"). The streamed report renders every session and
 * finding the second way: building and then printing a tree costs several
 * times more than the text itself (measured: two thirds of the run time on
 * a capture with 2 VPN sessions per MB). bench.stream_identity checks both
 * ways give the same bytes on every capture. */

#define JW_MAX_DEPTH 16 /* a session is 4 deep; deeper input is a bug */

typedef struct pd_jw {
    JsonBuilder *b; /* the tree writer, or NULL for text into out */
    GString *out;
    int base;                       /* text: indent level of the first line */
    int depth;                      /* text: containers open */
    uint32_t count[JW_MAX_DEPTH];   /* text: values written in each */
    bool is_object[JW_MAX_DEPTH];
} pd_jw;

static void jw_indent(GString *out, int level)
{
    static const char spaces[] = "                                "; /* 32 */
    size_t n = (size_t)level * 2;
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        g_string_append_len(out, spaces, (gssize)k);
        n -= k;
    }
}

/* As json-glib escapes (json_strescape), except that 0x1f is escaped too:
 * RFC 8259 wants every control character below 0x20 escaped. */
static void jw_escaped(GString *out, const char *v)
{
    g_string_append_c(out, '"');
    const char *run = v;
    for (const char *p = v; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
            continue;
        g_string_append_len(out, run, p - run);
        run = p + 1;
        switch (c) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default: g_string_append_printf(out, "\\u%04x", c); break;
        }
    }
    g_string_append_len(out, run, (gssize)strlen(run));
    g_string_append_c(out, '"');
}

/* Text: what comes before a value (a member's value has its prefix already). */
static void jw_before_value(pd_jw *w)
{
    if (w->depth == 0) {
        jw_indent(w->out, w->base);
    } else if (!w->is_object[w->depth - 1]) {
        g_string_append(w->out, w->count[w->depth - 1]++ ? ",\n" : "\n");
        jw_indent(w->out, w->base + w->depth);
    }
}

static void jw_member(pd_jw *w, const char *key)
{
    if (w->b) {
        json_builder_set_member_name(w->b, key);
        return;
    }
    g_string_append(w->out, w->count[w->depth - 1]++ ? ",\n" : "\n");
    jw_indent(w->out, w->base + w->depth);
    jw_escaped(w->out, key);
    g_string_append(w->out, " : ");
}

static void jw_begin(pd_jw *w, bool object)
{
    if (w->b) {
        if (object)
            json_builder_begin_object(w->b);
        else
            json_builder_begin_array(w->b);
        return;
    }
    g_assert(w->depth < JW_MAX_DEPTH);
    jw_before_value(w);
    g_string_append_c(w->out, object ? '{' : '[');
    w->is_object[w->depth] = object;
    w->count[w->depth++] = 0;
}

/* Text only: close the innermost container. */
static void jw_end(pd_jw *w)
{
    bool object = w->is_object[--w->depth];
    if (w->count[w->depth]) {
        g_string_append_c(w->out, '\n');
        jw_indent(w->out, w->base + w->depth);
    } else if (object) {
        jw_indent(w->out, w->base + w->depth); /* json-glib's "{  }" */
    }
    g_string_append_c(w->out, object ? '}' : ']');
}

static void jw_begin_object(pd_jw *w) { jw_begin(w, true); }
static void jw_begin_array(pd_jw *w) { jw_begin(w, false); }

static void jw_end_object(pd_jw *w)
{
    if (w->b)
        json_builder_end_object(w->b);
    else
        jw_end(w);
}

static void jw_end_array(pd_jw *w)
{
    if (w->b)
        json_builder_end_array(w->b);
    else
        jw_end(w);
}

static void jw_null(pd_jw *w)
{
    if (w->b) {
        json_builder_add_null_value(w->b);
        return;
    }
    jw_before_value(w);
    g_string_append(w->out, "null");
}

static void jw_bool(pd_jw *w, bool v)
{
    if (w->b) {
        json_builder_add_boolean_value(w->b, v);
        return;
    }
    jw_before_value(w);
    g_string_append(w->out, v ? "true" : "false");
}

static void jw_int(pd_jw *w, int64_t v)
{
    if (w->b) {
        json_builder_add_int_value(w->b, v);
        return;
    }
    jw_before_value(w);
    g_string_append_printf(w->out, "%" G_GINT64_FORMAT, (gint64)v);
}

/* A string value; JSON must be UTF-8 and packet-derived text may not be. */
static void jw_string(pd_jw *w, const char *value)
{
    if (!value) {
        jw_null(w);
        return;
    }
    char *valid = g_utf8_validate(value, -1, NULL) ? NULL : g_utf8_make_valid(value, -1);
    if (w->b) {
        json_builder_add_string_value(w->b, valid ? valid : value);
    } else {
        jw_before_value(w);
        jw_escaped(w->out, valid ? valid : value);
    }
    g_free(valid);
}

static void add_str(pd_jw *w, const char *key, const char *value)
{
    jw_member(w, key);
    jw_string(w, value);
}

static void add_int(pd_jw *w, const char *key, int64_t value)
{
    jw_member(w, key);
    jw_int(w, value);
}

/* Counters are unsigned in the engine; JSON integers are signed 64-bit in
 * json-glib. No capture gets near 2^63, but clamp rather than wrap. */
static void add_uint(pd_jw *w, const char *key, uint64_t value)
{
    add_int(w, key, value > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)value);
}

static void add_time(pd_jw *w, const char *key, int64_t ts_ns)
{
    char buf[PD_REPORT_TIME_LEN];
    add_str(w, key, pd_report_format_time(ts_ns, buf, sizeof buf));
}

/* The same member writers for code that builds its own json-glib tree
 * (pair mode): one definition of how a string, a count or a time goes in. */
void pd_json_str(JsonBuilder *b, const char *key, const char *value)
{
    pd_jw w = { .b = b };
    add_str(&w, key, value);
}

void pd_json_int(JsonBuilder *b, const char *key, int64_t value)
{
    pd_jw w = { .b = b };
    add_int(&w, key, value);
}

void pd_json_uint(JsonBuilder *b, const char *key, uint64_t value)
{
    pd_jw w = { .b = b };
    add_uint(&w, key, value);
}

static void add_attrs(pd_jw *w, const pd_attr *attrs, size_t n)
{
    jw_member(w, "attributes");
    jw_begin_object(w);
    for (size_t i = 0; i < n; i++) {
        const pd_attr *a = &attrs[i];
        if (!a->key)
            continue;
        switch (a->kind) {
        case PD_ATTR_STR:
            add_str(w, a->key, a->str);
            break;
        case PD_ATTR_NUM:
            add_int(w, a->key, a->num);
            break;
        case PD_ATTR_CODE: {
            add_str(w, a->key, a->str);
            char *raw = g_strconcat(a->key, "_raw", NULL);
            add_int(w, raw, a->num);
            g_free(raw);
            break;
        }
        }
    }
    jw_end_object(w);
}

static void add_endpoint(pd_jw *w, const char *key, const pd_endpoint *ep)
{
    char addr[48] = "";
    if (ep->family == 4 || ep->family == 6)
        pd_endpoint_addr_str(ep, addr, sizeof addr);
    jw_member(w, key);
    jw_begin_object(w);
    add_str(w, "address", addr);
    add_int(w, "port", ep->port);
    jw_end_object(w);
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

static void add_capture(pd_jw *w, const pd_report_capture *rc)
{
    const pd_capture_stats *st = rc->stats;
    jw_member(w, "capture");
    jw_begin_object(w);
    add_str(w, "file", rc->file);
    add_str(w, "format", rc->format);
    add_str(w, "linktype", pd_linktype_name(rc->linktype));
    add_int(w, "linktype_raw", rc->linktype);
    add_uint(w, "frames", st->frames);
    add_uint(w, "bytes_captured", st->bytes_captured);
    add_uint(w, "bytes_wire", st->bytes_wire);
    if (st->frames) {
        add_time(w, "first_time", st->first_ts_ns);
        add_time(w, "last_time", st->last_ts_ns);
        add_int(w, "duration_us", (st->last_ts_ns - st->first_ts_ns) / 1000);
    } else {
        add_str(w, "first_time", NULL);
        add_str(w, "last_time", NULL);
        add_int(w, "duration_us", 0);
    }
    add_str(w, "vantage", pd_vantage_name(st->vantage));
    add_str(w, "vantage_reason", st->vantage_reason);
    jw_member(w, "truncated");
    jw_bool(w, st->truncated);
    add_str(w, "filter", rc->filter);

    jw_member(w, "counts");
    jw_begin_object(w);
    add_uint(w, "frames_not_ip", st->frames_not_ip);
    add_uint(w, "frames_malformed", st->frames_malformed);
    add_uint(w, "frames_empty", st->frames_empty);
    add_uint(w, "frames_unsupported_link", st->frames_unsupported_link);
    add_uint(w, "ip_fragments", st->ip_fragments);
    add_uint(w, "ip_datagrams_reassembled", st->ip_datagrams_reassembled);
    add_uint(w, "ip_datagrams_incomplete", st->ip_datagrams_incomplete);
    add_uint(w, "ip_fragment_bytes_dropped", st->ip_fragment_bytes_dropped);
    add_uint(w, "vpn_frames", st->vpn_frames);
    add_uint(w, "flows_peak", st->flows_peak);
    add_uint(w, "flows_evicted", st->flows_evicted);
    add_uint(w, "tcp_gap_bytes", st->tcp_gap_bytes);
    jw_end_object(w);

    jw_end_object(w);
}

static void add_session(pd_jw *w, const pd_session *s, int64_t t0)
{
    jw_begin_object(w);
    add_int(w, "id", s->id);
    add_str(w, "protocol", pd_protocol_name(s->protocol));
    add_endpoint(w, "client", &s->client);
    add_endpoint(w, "server", &s->server);
    add_str(w, "state", s->state);

    jw_member(w, "stages");
    jw_begin_array(w);
    for (size_t i = 0; i < s->n_stages; i++) {
        jw_begin_object(w);
        add_str(w, "name", s->stages[i].name);
        add_uint(w, "frame", s->stages[i].frame);
        add_time(w, "time", s->stages[i].ts_ns);
        jw_end_object(w);
    }
    jw_end_array(w);

    add_uint(w, "first_frame", s->first_frame);
    add_uint(w, "last_frame", s->last_frame);
    add_time(w, "first_time", s->first_ts_ns);
    add_time(w, "last_time", s->last_ts_ns);
    add_uint(w, "packets_to_server", s->packets[PD_DIR_TO_SERVER]);
    add_uint(w, "packets_to_client", s->packets[PD_DIR_TO_CLIENT]);
    add_uint(w, "bytes_to_server", s->bytes[PD_DIR_TO_SERVER]);
    add_uint(w, "bytes_to_client", s->bytes[PD_DIR_TO_CLIENT]);
    add_attrs(w, s->attrs, s->n_attrs);

    jw_member(w, "ladder");
    jw_begin_array(w);
    for (size_t i = 0; i < s->n_ladder; i++) {
        const pd_ladder_entry *l = &s->ladder[i];
        jw_begin_object(w);
        add_uint(w, "frame", l->frame);
        add_uint(w, "last_frame", l->last_frame ? l->last_frame : l->frame);
        add_time(w, "time", l->ts_ns);
        add_int(w, "offset_us", (l->ts_ns - t0) / 1000);
        add_str(w, "dir", dir_name(l->dir));
        add_int(w, "repeat", l->repeat ? l->repeat : 1);
        add_str(w, "text", l->text ? l->text : "");
        add_str(w, "annotation", l->annotation);
        add_attrs(w, l->attrs, l->n_attrs);
        jw_end_object(w);
    }
    jw_end_array(w);
    add_uint(w, "ladder_dropped", s->ladder_dropped);
    jw_end_object(w);
}

static void add_finding(pd_jw *w, const pd_finding *f)
{
    jw_begin_object(w);
    add_str(w, "signature", f->signature ? f->signature->id : "unknown");
    add_str(w, "severity", pd_severity_name(f->severity));
    add_str(w, "confidence", pd_confidence_name(f->confidence));
    jw_member(w, "windows_errors");
    jw_begin_array(w);
    for (size_t i = 0; i < f->n_windows_errors; i++)
        jw_int(w, f->windows_errors[i]);
    jw_end_array(w);
    jw_member(w, "session");
    if (f->session_id)
        jw_int(w, f->session_id);
    else
        jw_null(w); /* about the capture as a whole */
    add_str(w, "summary", f->summary ? f->summary : "");
    add_str(w, "explanation", f->explanation ? f->explanation : "");
    add_str(w, "remediation", f->remediation ? f->remediation : "");
    add_str(w, "blame", pd_blame_name(f->blame));
    jw_member(w, "evidence");
    jw_begin_array(w);
    for (size_t i = 0; i < f->n_evidence; i++) {
        jw_begin_object(w);
        add_uint(w, "frame", f->evidence[i].frame);
        add_time(w, "time", f->evidence[i].ts_ns);
        add_str(w, "note", f->evidence[i].note ? f->evidence[i].note : "");
        jw_end_object(w);
    }
    jw_end_array(w);
    add_str(w, "display_filter", f->display_filter);
    /* Only for a failure without a Windows code of its own: the codes
     * users of other products (or other Windows cases) report for it. */
    char **typical = pd_report_typical_code_labels(f);
    if (typical) {
        jw_member(w, "typical_codes");
        jw_begin_array(w);
        for (char **c = typical; *c; c++)
            jw_string(w, *c);
        jw_end_array(w);
        g_strfreev(typical);
    }
    jw_end_object(w);
}

static JsonNode *builder_root(pd_jw *w)
{
    JsonNode *root = json_builder_get_root(w->b);
    g_object_unref(w->b);
    return root;
}

/* The document's own members, before "sessions". */
static void add_head_members(pd_jw *w, const pd_report_capture *rc)
{
    add_str(w, "pcapdiag", PCAPDIAG_VERSION);
    add_int(w, "schema", PCAPDIAG_SCHEMA);
    pd_report_reported_json(w->b, rc->reported);
    add_capture(w, rc);
}

JsonNode *pd_report_json_head_node(const pd_report_capture *rc)
{
    pd_jw w = { .b = json_builder_new() };
    jw_begin_object(&w);
    add_head_members(&w, rc);
    jw_end_object(&w);
    return builder_root(&w);
}

void pd_report_json_session_write(GString *out, const pd_session *s, int64_t t0, int level)
{
    pd_jw w = { .out = out, .base = level };
    add_session(&w, s, t0);
}

void pd_report_json_finding_write(GString *out, const pd_finding *f, int level)
{
    pd_jw w = { .out = out, .base = level };
    add_finding(&w, f);
}

JsonNode *pd_report_json_node(const pd_report_capture *rc)
{
    pd_jw w = { .b = json_builder_new() };
    jw_begin_object(&w);
    add_head_members(&w, rc);

    int64_t t0 = pd_report_time_origin(rc);
    jw_member(&w, "sessions");
    jw_begin_array(&w);
    for (size_t i = 0; i < rc->n_sessions; i++)
        if (rc->sessions[i])
            add_session(&w, rc->sessions[i], t0);
    jw_end_array(&w);

    jw_member(&w, "findings");
    jw_begin_array(&w);
    for (size_t i = 0; i < rc->n_findings; i++)
        if (rc->findings[i])
            add_finding(&w, rc->findings[i]);
    jw_end_array(&w);

    jw_end_object(&w);
    return builder_root(&w);
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

void pd_report_json_array_finding(GString *out, const pd_finding *f, int level, size_t index)
{
    g_string_append(out, index ? ",\n" : "\n");
    pd_report_json_finding_write(out, f, level + 2);
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
