/* main.c - the pcapdiag command line: options, one engine per capture file,
 * the chosen report on standard output, one line per problem on stderr.
 *
 * Exit status: 0 no error finding, 1 at least one error finding in any
 * file, 2 a usage or input error (with several files, 2 if any failed; the
 * others are still reported).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <glib.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "report.h"

enum { PD_EXIT_OK = 0, PD_EXIT_FINDING = 1, PD_EXIT_USAGE = 2 };

typedef struct cli_options {
    char *format;
    char *filter;
    char *color;
    gboolean quiet;
    gboolean version;
    gboolean list_signatures;
    char **files;
} cli_options;

/* Names given on the command line may hold anything (a newline, an escape
 * sequence); the one-line error must stay one harmless line. */
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

static bool want_color(const char *mode, bool *ok)
{
    *ok = true;
    if (!mode || strcmp(mode, "auto") == 0) {
        /* https://no-color.org: a set, non-empty NO_COLOR turns colour off. */
        const char *no_color = getenv("NO_COLOR");
        const char *term = getenv("TERM");
        return isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
               !(term && strcmp(term, "dumb") == 0);
    }
    if (strcmp(mode, "always") == 0)
        return true;
    if (strcmp(mode, "never") == 0)
        return false;
    *ok = false;
    return false;
}

/* Write a report; on failure remember why (errno changes by the time the
 * error is printed). */
static bool write_out(const char *s, size_t len, int *err)
{
    if (fwrite(s, 1, len, stdout) == len && fflush(stdout) == 0)
        return true;
    if (err && !*err)
        *err = errno ? errno : EIO;
    return false;
}

static int run(const cli_options *o)
{
    pd_report_format format = PD_REPORT_TEXT;
    if (o->format && !pd_report_format_parse(o->format, &format)) {
        char *msg = g_strdup_printf("unknown format \"%s\" (expected text, json or markdown)",
                                    o->format);
        print_error(NULL, msg);
        g_free(msg);
        return PD_EXIT_USAGE;
    }
    bool color_ok;
    bool color = want_color(o->color, &color_ok);
    if (!color_ok) {
        char *msg = g_strdup_printf("unknown colour mode \"%s\" (expected auto, always or never)",
                                    o->color);
        print_error(NULL, msg);
        g_free(msg);
        return PD_EXIT_USAGE;
    }

    if (o->version) {
        printf("pcapdiag %s\n%s\n", PCAPDIAG_VERSION, pcap_lib_version());
        return PD_EXIT_OK;
    }
    if (o->list_signatures) {
        GString *out = g_string_new(NULL);
        pd_report_signatures(out, format);
        bool ok = write_out(out->str, out->len, NULL);
        g_string_free(out, TRUE);
        return ok ? PD_EXIT_OK : PD_EXIT_USAGE;
    }

    size_t n_files = o->files ? g_strv_length(o->files) : 0;
    if (n_files == 0) {
        print_error(NULL, "no capture file given (try --help)");
        return PD_EXIT_USAGE;
    }

    const pd_report_options ropt = { .quiet = o->quiet, .color = color && format == PD_REPORT_TEXT };
    const pd_cli_read_options read_opts = {
        .filter = o->filter && *o->filter ? o->filter : NULL,
        .progress = isatty(STDERR_FILENO),
    };
    bool failed = false, error_finding = false;
    int write_errno = 0;
    size_t reported = 0;
    JsonArray *docs = n_files > 1 ? json_array_new() : NULL;

    for (size_t i = 0; i < n_files; i++) {
        const char *path = o->files[i];
        pd_engine_config cfg = { 0 };
        pd_limits_default(&cfg.limits);
        pd_engine *engine = pd_engine_new(&cfg);
        pd_cli_capture_info info;
        GError *err = NULL;
        if (!pd_cli_read_capture(path, &read_opts, engine, &info, &err)) {
            print_error(path, err->message);
            g_error_free(err);
            pd_cli_capture_info_clear(&info);
            pd_engine_free(engine);
            failed = true;
            continue;
        }
        if (info.truncated) {
            char *msg = g_strdup_printf("warning: the file ends in the middle of a record after "
                                        "%" G_GUINT64_FORMAT " complete records; reporting what "
                                        "was read (%s)",
                                        info.records, info.warning ? info.warning : "truncated");
            print_error(path, msg);
            g_free(msg);
        }

        pd_report_capture rc = {
            .file = path,
            .format = info.format,
            .linktype = info.linktype,
            .filter = read_opts.filter,
            .records = info.records,
            .has_time_origin = info.records > 0,
            .time_origin_ns = info.first_ts_ns,
        };
        pd_report_capture_from_engine(&rc, engine);
        if (pd_report_has_error(&rc))
            error_finding = true;

        GString *out = g_string_new(NULL);
        switch (format) {
        case PD_REPORT_TEXT:
            if (reported)
                g_string_append_c(out, '\n');
            pd_report_text(out, &rc, &ropt);
            break;
        case PD_REPORT_MARKDOWN:
            if (reported)
                g_string_append(out, "\n---\n\n");
            pd_report_markdown(out, &rc, &ropt);
            break;
        case PD_REPORT_JSON: {
            JsonNode *node = pd_report_json_node(&rc);
            if (docs) {
                json_array_add_element(docs, node); /* takes the node */
            } else {
                char *s = pd_report_json_to_string(node);
                g_string_append(out, s);
                g_free(s);
                json_node_unref(node);
            }
            break;
        }
        }
        if (out->len)
            write_out(out->str, out->len, &write_errno);
        g_string_free(out, TRUE);
        reported++;
        pd_report_capture_clear(&rc);
        pd_cli_capture_info_clear(&info);
        pd_engine_free(engine);
    }

    if (docs) {
        /* Several files: one JSON array of documents, those that failed
         * left out (their errors are on stderr). */
        JsonNode *root = json_node_new(JSON_NODE_ARRAY);
        json_node_take_array(root, docs);
        char *s = pd_report_json_to_string(root);
        write_out(s, strlen(s), &write_errno);
        g_free(s);
        json_node_unref(root);
    }
    if (write_errno) {
        print_error("standard output", g_strerror(write_errno));
        return PD_EXIT_USAGE;
    }
    if (failed)
        return PD_EXIT_USAGE;
    return error_finding ? PD_EXIT_FINDING : PD_EXIT_OK;
}

int main(int argc, char **argv)
{
    cli_options o = { 0 };
    const GOptionEntry entries[] = {
        { "format", 0, 0, G_OPTION_ARG_STRING, &o.format,
          "Report format: text (default), json or markdown", "FORMAT" },
        { "filter", 0, 0, G_OPTION_ARG_STRING, &o.filter,
          "Read only the frames matching this libpcap (BPF) filter", "BPF" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet,
          "Findings only, after a one-line summary (text and markdown)", NULL },
        { "color", 0, 0, G_OPTION_ARG_STRING, &o.color,
          "Colour severities: auto (default: on a terminal, unless NO_COLOR is set), always, never",
          "WHEN" },
        { "list-signatures", 0, 0, G_OPTION_ARG_NONE, &o.list_signatures,
          "List every signature pcapdiag can report (in the chosen --format) and exit", NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &o.version,
          "Print the version of pcapdiag and of libpcap and exit", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, "FILE..." },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };

    GOptionContext *ctx = g_option_context_new(NULL); /* "FILE..." comes from G_OPTION_REMAINING */
    g_option_context_set_summary(
        ctx, "Name what broke in a VPN capture: reads pcap and pcapng files (\"-\" for standard "
             "input), follows every VPN session and reports its ladder and findings.");
    g_option_context_set_description(
        ctx, "Exit status: 0 no error finding, 1 at least one error finding, 2 usage or input "
             "error.\n\nExamples:\n  pcapdiag client.pcap\n  pcapdiag --format json a.pcapng "
             "b.pcap\n  tcpdump -i eth0 -w - 'tcp port 1723 or ip proto 47' | pcapdiag -\n\nSee "
             "pcapdiag(1).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        char *msg = g_strdup_printf("%s (try --help)", err->message);
        print_error(NULL, msg);
        g_free(msg);
        g_error_free(err);
        g_option_context_free(ctx);
        return PD_EXIT_USAGE;
    }
    g_option_context_free(ctx);

    int status = run(&o);
    g_free(o.format);
    g_free(o.filter);
    g_free(o.color);
    g_strfreev(o.files);
    return status;
}
