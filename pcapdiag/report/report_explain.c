/* report_explain.c - the error-code catalog for people and scripts:
 * `pcapdiag explain CODE`, `explain --list`, the `--reported` verdict on top
 * of a report, and the "codes users typically see" of a finding without a
 * Windows code. All of it is read from the engine's one catalog
 * (errorcodes.def through pcapdiag/errorcodes.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"

#define WIDTH 100
#define LABEL_COL "  %-14s"
#define LABEL_CONT "                " /* 16 columns: under the value */

static const char *wire_words(pd_code_wire w)
{
    switch (w) {
    case PD_WIRE_YES: return "yes: a capture shows the failure itself";
    case PD_WIRE_INDIRECT: return "indirectly: a capture shows symptoms, or only some of the cases";
    case PD_WIRE_NO: return "no: decided on one host or inside encryption";
    }
    return "no";
}

/* "a, b, c" from a space-separated list (newly allocated, "" when empty). */
static char *list_commas(const char *list)
{
    char **words = g_strsplit(list ? list : "", " ", -1);
    GString *s = g_string_new(NULL);
    for (char **w = words; *w; w++)
        if (**w)
            g_string_append_printf(s, "%s%s", s->len ? ", " : "", *w);
    g_strfreev(words);
    return g_string_free(s, FALSE);
}

static char *protocols_commas(unsigned mask)
{
    GString *s = g_string_new(NULL);
    for (int p = 0; p < PD_PROTO__COUNT; p++)
        if (mask & PD_EC_PROTO(p))
            g_string_append_printf(s, "%s%s", s->len ? ", " : "",
                                   pd_report_protocol_title((pd_protocol)p));
    return g_string_free(s, FALSE);
}

static char *properties_commas(unsigned flags)
{
    GString *s = g_string_new(NULL);
    if (flags & PD_EC_FATAL)
        g_string_append(s, "fatal disconnect");
    if (flags & PD_EC_CREDS)
        g_string_append_printf(s, "%scredentials cleared", s->len ? ", " : "");
    if (flags & PD_EC_FAILOVER)
        g_string_append_printf(s, "%sclient fails over to another server", s->len ? ", " : "");
    if (flags & PD_EC_GENERIC)
        g_string_append_printf(s, "%scatch-all code", s->len ? ", " : "");
    return g_string_free(s, FALSE);
}

static char *refuted_words(const pd_error_code *e)
{
    if (pd_error_code_list_has(e->refuted_by, "opened"))
        return g_strdup("any VPN session of its protocols (the client knew the server's address)");
    char *stages = list_commas(e->refuted_by);
    char *s = *stages ? g_strdup_printf("a session reaching %s", stages) : NULL;
    g_free(stages);
    return s;
}

/* ---- text ---- */

static void text_field(GString *out, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    char *first = g_strdup_printf(LABEL_COL, label);
    pd_report_wrap_hanging(out, value, first, LABEL_CONT, WIDTH);
    g_free(first);
}

static void explain_text(GString *out, const pd_error_code *e)
{
    char label[PD_EC_LABEL_LEN];
    char *head = g_strdup_printf("%s  %s", pd_error_code_label(e, label, sizeof label), e->title);
    pd_report_wrap_hanging(out, head, "", "  ", WIDTH);
    g_free(head);

    text_field(out, "family", pd_code_family_title(e->family));
    text_field(out, "meaning", e->meaning);
    text_field(out, "on the wire", wire_words(e->wire));
    text_field(out, "look for", e->on_wire);
    char *v = list_commas(e->signatures);
    text_field(out, "confirmed by", *v ? v : "no pcapdiag signature");
    g_free(v);
    v = refuted_words(e);
    text_field(out, "ruled out by", v);
    g_free(v);
    v = protocols_commas(e->protocols);
    text_field(out, "sessions", v);
    g_free(v);
    v = properties_commas(e->flags);
    text_field(out, "properties", v);
    g_free(v);
    text_field(out, "what to do", e->action);
    text_field(out, "source", e->source);
}

static void list_text(GString *out)
{
    for (size_t i = 0; i < pd_error_code_count(); i++) {
        const pd_error_code *e = pd_error_code_get(i);
        char label[PD_EC_LABEL_LEN];
        char *line = g_strdup_printf("%-16s %-9s %s", pd_error_code_label(e, label, sizeof label),
                                     pd_code_wire_name(e->wire), e->title);
        pd_report_wrap_hanging(out, line, "", "                           ", WIDTH);
        g_free(line);
    }
}

/* ---- Markdown ---- */

static void md_field(GString *out, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    g_string_append_printf(out, "- **%s:** ", label);
    pd_report_md_text(out, value);
    g_string_append_c(out, '\n');
}

static void explain_markdown(GString *out, const pd_error_code *e)
{
    char label[PD_EC_LABEL_LEN];
    g_string_append(out, "### ");
    pd_report_md_code(out, pd_error_code_label(e, label, sizeof label), false);
    g_string_append(out, ": ");
    pd_report_md_text(out, e->title);
    g_string_append(out, "\n\n");
    md_field(out, "Family", pd_code_family_title(e->family));
    md_field(out, "Meaning", e->meaning);
    md_field(out, "On the wire", wire_words(e->wire));
    md_field(out, "Look for", e->on_wire);
    char **sigs = g_strsplit(e->signatures, " ", -1);
    g_string_append(out, "- **Confirmed by:** ");
    bool any = false;
    for (char **s = sigs; *s; s++) {
        if (!**s)
            continue;
        g_string_append(out, any ? ", " : "");
        pd_report_md_code(out, *s, false);
        any = true;
    }
    if (!any)
        g_string_append(out, "no pcapdiag signature");
    g_string_append_c(out, '\n');
    g_strfreev(sigs);
    char *v = refuted_words(e);
    md_field(out, "Ruled out by", v);
    g_free(v);
    v = protocols_commas(e->protocols);
    md_field(out, "Sessions", v);
    g_free(v);
    v = properties_commas(e->flags);
    md_field(out, "Properties", v);
    g_free(v);
    md_field(out, "What to do", e->action);
    md_field(out, "Source", e->source);
}

static void list_markdown(GString *out)
{
    g_string_append(out, "| Code | On the wire | Meaning | Signatures |\n| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < pd_error_code_count(); i++) {
        const pd_error_code *e = pd_error_code_get(i);
        char label[PD_EC_LABEL_LEN];
        g_string_append(out, "| ");
        pd_report_md_code(out, pd_error_code_label(e, label, sizeof label), true);
        g_string_append_printf(out, " | %s | ", pd_code_wire_name(e->wire));
        pd_report_md_text(out, e->title);
        g_string_append(out, " | ");
        char *sigs = list_commas(e->signatures);
        pd_report_md_text(out, *sigs ? sigs : "-");
        g_free(sigs);
        g_string_append(out, " |\n");
    }
}

/* ---- JSON ---- */

static void json_str(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, value ? value : "");
}

static void json_words(JsonBuilder *b, const char *key, const char *list)
{
    json_builder_set_member_name(b, key);
    json_builder_begin_array(b);
    char **words = g_strsplit(list ? list : "", " ", -1);
    for (char **w = words; *w; w++)
        if (**w)
            json_builder_add_string_value(b, *w);
    g_strfreev(words);
    json_builder_end_array(b);
}

static void explain_json(JsonBuilder *b, const pd_error_code *e)
{
    char label[PD_EC_LABEL_LEN];
    json_builder_begin_object(b);
    json_str(b, "code", pd_error_code_label(e, label, sizeof label));
    json_builder_set_member_name(b, "code_raw");
    json_builder_add_int_value(b, e->code);
    json_str(b, "family", pd_code_family_name(e->family));
    json_str(b, "title", e->title);
    json_str(b, "meaning", e->meaning);
    json_str(b, "on_the_wire", pd_code_wire_name(e->wire));
    json_str(b, "look_for", e->on_wire);
    json_words(b, "signatures", e->signatures);
    json_words(b, "ruled_out_by", e->refuted_by);
    json_builder_set_member_name(b, "sessions");
    json_builder_begin_array(b);
    for (int p = 0; p < PD_PROTO__COUNT; p++)
        if (e->protocols & PD_EC_PROTO(p))
            json_builder_add_string_value(b, pd_protocol_name((pd_protocol)p));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "properties");
    json_builder_begin_array(b);
    if (e->flags & PD_EC_FATAL)
        json_builder_add_string_value(b, "fatal");
    if (e->flags & PD_EC_CREDS)
        json_builder_add_string_value(b, "credentials-cleared");
    if (e->flags & PD_EC_FAILOVER)
        json_builder_add_string_value(b, "failover");
    if (e->flags & PD_EC_GENERIC)
        json_builder_add_string_value(b, "catch-all");
    json_builder_end_array(b);
    json_str(b, "action", e->action);
    json_str(b, "source", e->source);
    json_builder_end_object(b);
}

static void json_finish(GString *out, JsonBuilder *b)
{
    JsonNode *root = json_builder_get_root(b);
    char *s = pd_report_json_to_string(root);
    g_string_append(out, s);
    g_free(s);
    json_node_unref(root);
    g_object_unref(b);
}

/* ---- entry points ---- */

void pd_report_explain(GString *out, const pd_error_code *const *codes, size_t n,
                       pd_report_format format)
{
    if (format == PD_REPORT_JSON) {
        JsonBuilder *b = json_builder_new();
        if (n != 1)
            json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++)
            if (codes[i])
                explain_json(b, codes[i]);
        if (n != 1)
            json_builder_end_array(b);
        json_finish(out, b);
        return;
    }
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (!codes[i])
            continue;
        if (!first)
            g_string_append_c(out, '\n');
        first = false;
        if (format == PD_REPORT_MARKDOWN)
            explain_markdown(out, codes[i]);
        else
            explain_text(out, codes[i]);
    }
}

void pd_report_explain_list(GString *out, pd_report_format format)
{
    switch (format) {
    case PD_REPORT_TEXT: list_text(out); break;
    case PD_REPORT_MARKDOWN: list_markdown(out); break;
    case PD_REPORT_JSON: {
        JsonBuilder *b = json_builder_new();
        json_builder_begin_array(b);
        for (size_t i = 0; i < pd_error_code_count(); i++)
            explain_json(b, pd_error_code_get(i));
        json_builder_end_array(b);
        json_finish(out, b);
        break;
    }
    }
}

void pd_report_reported_text(GString *out, const pd_reported *r)
{
    if (!r || !r->code)
        return;
    char label[PD_EC_LABEL_LEN];
    char *head = g_strdup_printf("Reported %s (%s): %s",
                                 pd_error_code_label(r->code, label, sizeof label), r->code->title,
                                 pd_reported_verdict_title(r->verdict));
    pd_report_wrap_hanging(out, head, "", "  ", WIDTH);
    g_free(head);
    pd_report_wrap(out, r->because ? r->because : "", "  ", WIDTH);
    g_string_append_c(out, '\n');
}

void pd_report_reported_markdown(GString *out, const pd_reported *r)
{
    if (!r || !r->code)
        return;
    char label[PD_EC_LABEL_LEN];
    g_string_append(out, "## Reported ");
    pd_report_md_code(out, pd_error_code_label(r->code, label, sizeof label), false);
    g_string_append(out, " (");
    pd_report_md_text(out, r->code->title);
    g_string_append_printf(out, "): %s\n\n", pd_reported_verdict_title(r->verdict));
    pd_report_md_text(out, r->because ? r->because : "");
    g_string_append(out, "\n\n");
}

void pd_report_reported_json(JsonBuilder *b, const pd_reported *r)
{
    if (!r || !r->code)
        return;
    char label[PD_EC_LABEL_LEN];
    json_builder_set_member_name(b, "reported");
    json_builder_begin_object(b);
    json_str(b, "code", pd_error_code_label(r->code, label, sizeof label));
    json_builder_set_member_name(b, "code_raw");
    json_builder_add_int_value(b, r->code->code);
    json_str(b, "title", r->code->title);
    json_str(b, "verdict", pd_reported_verdict_name(r->verdict));
    /* The reason quotes finding summaries, which quote packet text. */
    char *because = g_utf8_make_valid(r->because ? r->because : "", -1);
    json_str(b, "because", because);
    g_free(because);
    json_builder_set_member_name(b, "session");
    if (r->session_id)
        json_builder_add_int_value(b, r->session_id);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "frame");
    if (r->frame)
        json_builder_add_int_value(b, r->frame > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)r->frame);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
}

static bool wants_typical(const pd_finding *f)
{
    return f && f->signature && f->n_windows_errors == 0 && f->severity >= PD_SEV_WARNING;
}

char *pd_report_typical_codes(const pd_finding *f)
{
    return wants_typical(f) ? pd_error_codes_typical_text(f->signature->id) : NULL;
}

char **pd_report_typical_code_labels(const pd_finding *f)
{
    if (!wants_typical(f))
        return NULL;
    size_t n = pd_error_codes_for_signature(f->signature->id, NULL, 0);
    if (n == 0)
        return NULL;
    const pd_error_code **codes = g_new0(const pd_error_code *, n);
    pd_error_codes_for_signature(f->signature->id, codes, n);
    char **labels = g_new0(char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        char label[PD_EC_LABEL_LEN];
        labels[i] = g_strdup(pd_error_code_label(codes[i], label, sizeof label));
    }
    g_free(codes);
    return labels;
}
