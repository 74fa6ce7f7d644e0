/* stream_check.c - the streamed report is the whole report, byte for byte.
 *
 * For each capture named on the command line, and each format (text,
 * Markdown, JSON alone and inside the array of several files) with and
 * without -q: read it once with the whole model kept (pd_report_text and
 * friends over every session) and once through the CLI's spool (sessions
 * rendered as the engine hands them over), and compare the bytes. Also
 * checks that the streaming engine holds no session once finished.
 *
 *   stream_check CAPTURE...     exit 0 when every report matches
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "report.h"
#include "spool.h"

static char *whole_report(const char *path, pd_report_format fmt, const pd_report_options *opt,
                          int level)
{
    pd_engine_config cfg = { 0 };
    pd_limits_default(&cfg.limits);
    pd_engine *e = pd_engine_new(&cfg);
    pd_cli_capture_info info;
    GError *err = NULL;
    if (!pd_cli_read_capture(path, NULL, e, &info, &err)) {
        fprintf(stderr, "%s: %s\n", path, err->message);
        g_error_free(err);
        pd_engine_free(e);
        return NULL;
    }
    pd_report_capture rc = {
        .file = path, .format = info.format, .linktype = info.linktype,
        .records = info.records, .has_time_origin = info.records > 0,
        .time_origin_ns = info.first_ts_ns,
    };
    pd_report_capture_from_engine(&rc, e);
    GString *out = g_string_new(NULL);
    switch (fmt) {
    case PD_REPORT_TEXT: pd_report_text(out, &rc, opt); break;
    case PD_REPORT_MARKDOWN: pd_report_markdown(out, &rc, opt); break;
    case PD_REPORT_JSON: {
        JsonNode *n = pd_report_json_node(&rc);
        if (level == 0) {
            char *s = pd_report_json_to_string(n);
            g_string_append(out, s);
            g_free(s);
        } else {
            /* What json-glib prints for an array of two documents. */
            JsonArray *a = json_array_new();
            json_array_add_element(a, json_node_copy(n));
            json_array_add_element(a, json_node_copy(n));
            JsonNode *root = json_node_new(JSON_NODE_ARRAY);
            json_node_take_array(root, a);
            char *s = pd_report_json_to_string(root);
            g_string_append(out, s);
            g_free(s);
            json_node_unref(root);
        }
        json_node_unref(n);
        break;
    }
    }
    pd_report_capture_clear(&rc);
    pd_cli_capture_info_clear(&info);
    pd_engine_free(e);
    return g_string_free(out, FALSE);
}

/* One spooled report into `fp`; false on a read problem. */
static bool spool_one(const char *path, pd_report_format fmt, const pd_report_options *opt,
                      int level, FILE *fp, bool *leaked)
{
    pd_engine_config cfg = { 0 };
    pd_limits_default(&cfg.limits);
    pd_cli_capture_info info;
    GError *err = NULL;
    pd_cli_spool *sp = pd_cli_spool_new(fmt, opt, level, &err);
    if (!sp) {
        fprintf(stderr, "spool: %s\n", err->message);
        g_error_free(err);
        return false;
    }
    pd_cli_spool_attach(sp, &cfg, &info);
    pd_engine *e = pd_engine_new(&cfg);
    bool ok = pd_cli_read_capture(path, NULL, e, &info, &err);
    if (ok) {
        for (size_t i = 0; i < pd_engine_session_count(e); i++)
            if (pd_engine_session(e, i))
                *leaked = true;
        pd_report_capture rc = {
            .file = path, .format = info.format, .linktype = info.linktype,
            .records = info.records, .has_time_origin = info.records > 0,
            .time_origin_ns = info.first_ts_ns,
        };
        bool has_error;
        int werr = 0;
        ok = pd_cli_spool_write(sp, e, &rc, fp, &has_error, &werr, &err);
    }
    if (err) {
        fprintf(stderr, "%s: %s\n", path, err->message);
        g_error_free(err);
    }
    pd_cli_capture_info_clear(&info);
    pd_engine_free(e);
    pd_cli_spool_free(sp);
    return ok;
}

static char *streamed_report(const char *path, pd_report_format fmt, const pd_report_options *opt,
                             int level, bool *leaked)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    bool ok = true;
    if (level == 0) {
        ok = spool_one(path, fmt, opt, 0, fp, leaked);
        if (fmt == PD_REPORT_JSON)
            fputc('\n', fp);
    } else {
        /* The CLI's framing of several JSON documents. */
        fputs("[\n", fp);
        ok = spool_one(path, fmt, opt, 1, fp, leaked);
        fputs(",\n", fp);
        ok = ok && spool_one(path, fmt, opt, 1, fp, leaked);
        fputs("\n]\n", fp);
    }
    fclose(fp);
    if (!ok) {
        free(buf);
        return NULL;
    }
    char *out = g_strndup(buf, len);
    free(buf);
    return out;
}

static void show_difference(const char *a, const char *b)
{
    size_t i = 0, line = 1;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '\n')
            line++;
        i++;
    }
    fprintf(stderr, "  first difference at byte %zu (line %zu):\n  whole:    %.80s\n  streamed: %.80s\n",
            i, line, a + i, b + i);
}

int main(int argc, char **argv)
{
    static const struct {
        pd_report_format fmt;
        const char *name;
        bool quiet;
        int level;
    } cases[] = {
        { PD_REPORT_TEXT, "text", false, 0 },     { PD_REPORT_TEXT, "text -q", true, 0 },
        { PD_REPORT_MARKDOWN, "markdown", false, 0 }, { PD_REPORT_MARKDOWN, "markdown -q", true, 0 },
        { PD_REPORT_JSON, "json", false, 0 },     { PD_REPORT_JSON, "json (2 files)", false, 1 },
    };
    int failures = 0, checked = 0;
    for (int i = 1; i < argc; i++) {
        for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
            pd_report_options opt = { .quiet = cases[c].quiet };
            bool leaked = false;
            char *whole = whole_report(argv[i], cases[c].fmt, &opt, cases[c].level);
            char *streamed = streamed_report(argv[i], cases[c].fmt, &opt, cases[c].level, &leaked);
            checked++;
            if (!whole || !streamed) {
                fprintf(stderr, "FAIL %s (%s): could not read\n", argv[i], cases[c].name);
                failures++;
            } else if (strcmp(whole, streamed) != 0) {
                fprintf(stderr, "FAIL %s (%s): streamed report differs\n", argv[i], cases[c].name);
                show_difference(whole, streamed);
                failures++;
            } else if (leaked) {
                fprintf(stderr, "FAIL %s (%s): a session outlived pd_engine_finish\n", argv[i],
                        cases[c].name);
                failures++;
            }
            g_free(whole);
            g_free(streamed);
        }
    }
    printf("%d reports compared, %d differ\n", checked, failures);
    return failures ? 1 : 0;
}
