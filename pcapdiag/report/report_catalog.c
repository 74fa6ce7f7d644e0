/* report_catalog.c - the signature catalog (--list-signatures), driven by
 * the engine's one table (signatures.def through pd_signature_get()).
 *
 * The Markdown form is the README's catalog verbatim (a test compares the
 * two), so change its layout only together with the README.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "report.h"
#include "report_internal.h"

static const char *group_name(pd_expert_group g)
{
    switch (g) {
    case PD_GROUP_SEQUENCE: return "sequence";
    case PD_GROUP_MALFORMED: return "malformed";
    case PD_GROUP_RESPONSE_CODE: return "response-code";
    case PD_GROUP_PROTOCOL: return "protocol";
    }
    return "protocol";
}

static void catalog_text(GString *out)
{
    for (size_t i = 0; i < pd_signature_count(); i++) {
        const pd_signature *s = pd_signature_get((pd_sig_id)i);
        if (!s)
            continue;
        char *head = s->windows_errors && *s->windows_errors
                         ? g_strdup_printf("%-32s %-8s Windows %s", s->id,
                                           pd_severity_name(s->severity), s->windows_errors)
                         : g_strdup_printf("%-32s %s", s->id, pd_severity_name(s->severity));
        pd_report_wrap_hanging(out, head, "", "                                          ", 100);
        g_free(head);
        pd_report_wrap(out, s->title, "    ", 100);
        if (s->sources && *s->sources) {
            char *src = g_strconcat("Sources: ", s->sources, NULL);
            pd_report_wrap(out, src, "    ", 100);
            g_free(src);
        }
    }
}

static void catalog_markdown(GString *out)
{
    g_string_append(out, "| Signature | Severity | Windows codes | What the capture shows | Sources |\n"
                         "| --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < pd_signature_count(); i++) {
        const pd_signature *s = pd_signature_get((pd_sig_id)i);
        if (!s)
            continue;
        g_string_append(out, "| ");
        pd_report_md_code(out, s->id, true);
        g_string_append_printf(out, " | %s | ", pd_severity_name(s->severity));
        if (s->windows_errors && *s->windows_errors)
            pd_report_md_text(out, s->windows_errors);
        else
            g_string_append(out, "-");
        g_string_append(out, " | ");
        pd_report_md_text(out, s->title);
        g_string_append(out, " | ");
        pd_report_md_text(out, s->sources && *s->sources ? s->sources : "-");
        g_string_append(out, " |\n");
    }
}

static void catalog_json(GString *out)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_array(b);
    for (size_t i = 0; i < pd_signature_count(); i++) {
        const pd_signature *s = pd_signature_get((pd_sig_id)i);
        if (!s)
            continue;
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, s->id);
        json_builder_set_member_name(b, "severity");
        json_builder_add_string_value(b, pd_severity_name(s->severity));
        json_builder_set_member_name(b, "group");
        json_builder_add_string_value(b, group_name(s->group));
        json_builder_set_member_name(b, "title");
        json_builder_add_string_value(b, s->title);
        /* Text, not an array: the catalog says which codes a signature can
         * produce and when ("691 (or the MS-CHAPv2 E= code ...)"); each
         * finding carries the integer codes of its own case. */
        json_builder_set_member_name(b, "windows_errors");
        json_builder_add_string_value(b, s->windows_errors ? s->windows_errors : "");
        json_builder_set_member_name(b, "sources");
        json_builder_add_string_value(b, s->sources ? s->sources : "");
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    JsonNode *root = json_builder_get_root(b);
    char *s = pd_report_json_to_string(root);
    g_string_append(out, s);
    g_free(s);
    json_node_unref(root);
    g_object_unref(b);
}

void pd_report_signatures(GString *out, pd_report_format format)
{
    switch (format) {
    case PD_REPORT_TEXT: catalog_text(out); break;
    case PD_REPORT_MARKDOWN: catalog_markdown(out); break;
    case PD_REPORT_JSON: catalog_json(out); break;
    }
}
