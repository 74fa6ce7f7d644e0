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
#include "report_pair.h"
#include "spool.h"

enum { PD_EXIT_OK = 0, PD_EXIT_FINDING = 1, PD_EXIT_USAGE = 2 };

typedef struct cli_options {
    char *format;
    char *filter;
    char *color;
    gboolean quiet;
    gboolean version;
    gboolean list_signatures;
    char *reported;     /* --reported CODE */
    int netmotion_port; /* --netmotion-port, 0: the engine's default */
    char *policy;       /* --policy: expected IKE/ESP proposals, strongSwan notation */
    char **ike_keys;    /* --ike-keys FILE (repeatable): Wireshark's IKE decryption tables */
    char **esp_keys;    /* --esp-keys FILE (repeatable): Wireshark's ESP SA tables */
    gboolean pair;      /* --pair CLIENT SERVER */
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

    const pd_error_code *reported_code = NULL;
    if (o->reported) {
        char *hint = NULL;
        reported_code = pd_error_code_lookup(o->reported, &hint);
        if (!reported_code) {
            char *msg = g_strdup_printf("--reported %s: %s", o->reported, hint);
            print_error(NULL, msg);
            g_free(msg);
            g_free(hint);
            return PD_EXIT_USAGE;
        }
    }
    if (o->netmotion_port < 0 || o->netmotion_port > 65535) {
        char *msg = g_strdup_printf("--netmotion-port %d: not a UDP port (1-65535)",
                                    o->netmotion_port);
        print_error(NULL, msg);
        g_free(msg);
        return PD_EXIT_USAGE;
    }

    if (o->policy) {
        char *err = NULL;
        if (!pd_ike_policy_check(o->policy, &err)) {
            char *msg = g_strdup_printf("--policy: %s", err ? err : "not a proposal list");
            print_error(NULL, msg);
            g_free(msg);
            g_free(err);
            return PD_EXIT_USAGE;
        }
    }
    for (char **k = o->ike_keys; k && *k; k++) {
        char *err = NULL;
        if (!pd_ike_keys_check(*k, &err)) { /* "FILE:LINE: reason" */
            char *msg = g_strdup_printf("--ike-keys: %s", err ? err : *k);
            print_error(NULL, msg);
            g_free(msg);
            g_free(err);
            return PD_EXIT_USAGE;
        }
    }

    for (char **k = o->esp_keys; k && *k; k++) {
        char *err = NULL;
        if (!pd_esp_keys_check(*k, &err)) { /* "FILE:LINE: reason" */
            char *msg = g_strdup_printf("--esp-keys: %s", err ? err : *k);
            print_error(NULL, msg);
            g_free(msg);
            g_free(err);
            return PD_EXIT_USAGE;
        }
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
    if (o->pair && reported_code) {
        print_error(NULL, "--reported judges one capture at a time: run it on the client's capture "
                          "without --pair");
        return PD_EXIT_USAGE;
    }
    if (o->pair) /* pcapdiag --pair CLIENT SERVER: report_pair.c */
        return pd_report_pair_cli(&(const pd_report_pair_args){
            .first = o->files[0], .second = n_files == 2 ? o->files[1] : NULL, .format = format,
            .filter = read_opts.filter, .options = ropt, .netmotion_port = (uint16_t)o->netmotion_port,
            .ike_policy = o->policy, .ike_key_files = (const char *const *)o->ike_keys,
            .esp_key_files = (const char *const *)o->esp_keys });
    bool failed = false, error_finding = false;
    int write_errno = 0;
    size_t reported = 0;
    /* Several files in JSON: one array of documents, each at depth 1. */
    bool json_array = format == PD_REPORT_JSON && n_files > 1;

    for (size_t i = 0; i < n_files; i++) {
        const char *path = o->files[i];
        pd_engine_config cfg = { 0 };
        pd_limits_default(&cfg.limits);
        cfg.netmotion_port = (uint16_t)o->netmotion_port;
        cfg.ike_policy = o->policy;
        cfg.ike_key_files = (const char *const *)o->ike_keys;
        cfg.esp_key_files = (const char *const *)o->esp_keys;
        pd_cli_capture_info info;
        /* Sessions go to a spool as they close, so memory follows live
         * sessions (spool.c). --reported judges the whole capture at once,
         * so it keeps the whole model; so does a machine whose temporary
         * directory refuses the spool. */
        pd_cli_spool *sp = NULL;
        if (!reported_code) {
            GError *serr = NULL;
            sp = pd_cli_spool_new(format, &ropt, json_array ? 1 : 0, &serr);
            g_clear_error(&serr);
            if (sp)
                pd_cli_spool_attach(sp, &cfg, &info);
        }
        pd_engine *engine = pd_engine_new(&cfg);
        GError *err = NULL;
        if (!pd_cli_read_capture(path, &read_opts, engine, &info, &err)) {
            print_error(path, err->message);
            g_error_free(err);
            pd_cli_capture_info_clear(&info);
            pd_engine_free(engine);
            pd_cli_spool_free(sp);
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
        /* What separates this report from the previous one. */
        const char *sep = "";
        switch (format) {
        case PD_REPORT_TEXT: sep = reported ? "\n" : ""; break;
        case PD_REPORT_MARKDOWN: sep = reported ? "\n---\n\n" : ""; break;
        case PD_REPORT_JSON: sep = json_array ? (reported ? ",\n" : "[\n") : ""; break;
        }
        if (sp) {
            bool has_error = false;
            write_out(sep, strlen(sep), &write_errno);
            if (!pd_cli_spool_write(sp, engine, &rc, stdout, &has_error, &write_errno, &err)) {
                if (err) {
                    print_error(path, err->message);
                    g_clear_error(&err);
                    failed = true;
                }
            }
            if (format == PD_REPORT_JSON && !json_array)
                write_out("\n", 1, &write_errno);
            else
                write_out("", 0, &write_errno); /* flush, and note a write error */
            if (has_error)
                error_finding = true;
            reported++;
            pd_cli_capture_info_clear(&info);
            pd_engine_free(engine);
            pd_cli_spool_free(sp);
            continue;
        }
        pd_report_capture_from_engine(&rc, engine);
        if (pd_report_has_error(&rc))
            error_finding = true;
        pd_reported verdict = { 0 };
        if (reported_code) {
            pd_reported_judge(reported_code, rc.sessions, rc.n_sessions, rc.findings,
                              rc.n_findings, &verdict);
            rc.reported = &verdict;
        }

        GString *out = g_string_new(sep);
        switch (format) {
        case PD_REPORT_TEXT:
            pd_report_text(out, &rc, &ropt);
            break;
        case PD_REPORT_MARKDOWN:
            pd_report_markdown(out, &rc, &ropt);
            break;
        case PD_REPORT_JSON: {
            JsonNode *node = pd_report_json_node(&rc);
            if (json_array) {
                pd_report_json_write_at(out, node, 1);
            } else {
                char *s = pd_report_json_to_string(node);
                g_string_append(out, s);
                g_free(s);
            }
            json_node_unref(node);
            break;
        }
        }
        if (out->len)
            write_out(out->str, out->len, &write_errno);
        g_string_free(out, TRUE);
        reported++;
        pd_reported_clear(&verdict);
        pd_report_capture_clear(&rc);
        pd_cli_capture_info_clear(&info);
        pd_engine_free(engine);
    }

    if (json_array) {
        /* Several files: one JSON array of documents, those that failed
         * left out (their errors are on stderr), as json-glib prints it. */
        const char *end = reported ? "\n]\n" : "[]\n";
        write_out(end, strlen(end), &write_errno);
    }
    if (write_errno) {
        print_error("standard output", g_strerror(write_errno));
        return PD_EXIT_USAGE;
    }
    if (failed)
        return PD_EXIT_USAGE;
    return error_finding ? PD_EXIT_FINDING : PD_EXIT_OK;
}

/* `pcapdiag explain CODE...` / `pcapdiag explain --list`: the error-code
 * catalog (errorcodes.def). argv[0] is "explain". Exit 0, or 2 for a usage
 * error or a code the catalog lacks (one line on stderr saying which). */
static int run_explain(int argc, char **argv)
{
    char *format_name = NULL;
    gboolean list = FALSE;
    char **codes = NULL;
    const GOptionEntry entries[] = {
        { "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
          "Output format: text (default), json or markdown", "FORMAT" },
        { "list", 0, 0, G_OPTION_ARG_NONE, &list, "List every code in the catalog", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &codes, NULL, "CODE..." },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_set_prgname("pcapdiag explain");
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_set_summary(
        ctx, "Explain an error code a VPN user reported: what it means, whether a capture can "
             "show it, what to look for, which pcapdiag signatures confirm it, what to do.\n\n"
             "CODE is a Windows code (721, win:721), a NetMotion Mobility code (netmotion:94) or "
             "a LANCOM error (lancom:0x1106); a bare number is Windows.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    int status = PD_EXIT_OK;
    pd_report_format format = PD_REPORT_TEXT;
    GPtrArray *found = g_ptr_array_new();
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        char *msg = g_strdup_printf("explain: %s (try pcapdiag explain --help)", err->message);
        print_error(NULL, msg);
        g_free(msg);
        g_error_free(err);
        status = PD_EXIT_USAGE;
        goto out;
    }
    if (format_name && !pd_report_format_parse(format_name, &format)) {
        char *msg = g_strdup_printf("explain: unknown format \"%s\" (expected text, json or "
                                    "markdown)",
                                    format_name);
        print_error(NULL, msg);
        g_free(msg);
        status = PD_EXIT_USAGE;
        goto out;
    }
    if (!list && (!codes || !codes[0])) {
        print_error(NULL, "explain: no code given (try pcapdiag explain 721, or --list)");
        status = PD_EXIT_USAGE;
        goto out;
    }
    for (size_t i = 0; !list && codes[i]; i++) {
        char *hint = NULL;
        const pd_error_code *e = pd_error_code_lookup(codes[i], &hint);
        if (!e) {
            char *msg = g_strdup_printf("explain %s: %s", codes[i], hint);
            print_error(NULL, msg);
            g_free(msg);
            g_free(hint);
            status = PD_EXIT_USAGE;
            continue;
        }
        g_ptr_array_add(found, (gpointer)e);
    }
    if (status != PD_EXIT_OK)
        goto out; /* a wrong code prints nothing: a script must not take half an answer */
    GString *out = g_string_new(NULL);
    if (list)
        pd_report_explain_list(out, format);
    else
        pd_report_explain(out, (const pd_error_code *const *)found->pdata, found->len, format);
    int werr = 0;
    if (!write_out(out->str, out->len, &werr)) {
        print_error("standard output", g_strerror(werr));
        status = PD_EXIT_USAGE;
    }
    g_string_free(out, TRUE);
out:
    g_ptr_array_free(found, TRUE);
    g_option_context_free(ctx);
    g_free(format_name);
    g_strfreev(codes);
    return status;
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
        { "reported", 0, 0, G_OPTION_ARG_STRING, &o.reported,
          "Judge an error code the user reported (721, win:721, netmotion:94, lancom:0x1106) "
          "against each capture: CONFIRMS, CONTRADICTS or CANNOT TELL, on top of the report",
          "CODE" },
        { "policy", 0, 0, G_OPTION_ARG_STRING, &o.policy,
          "Expected IKE/ESP proposals in strongSwan notation (aes256-sha256-modp2048, several "
          "comma-separated, esp: prefix for ESP): offered proposals that differ are reported",
          "PROPOSALS" },
        { "ike-keys", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.ike_keys,
          "IKE key table in the format of Wireshark's ikev1_decryption_table or "
          "ikev2_decryption_table (repeatable): decrypt the IKE messages of the SAs it names",
          "FILE" },
        { "esp-keys", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.esp_keys,
          "ESP SA table in the format of Wireshark's esp_sa (repeatable): decrypt the ESP of "
          "the SAs it names and analyse what it carries (L2TP/IPsec)",
          "FILE" },
        { "netmotion-port", 0, 0, G_OPTION_ARG_INT, &o.netmotion_port,
          "UDP port of the NetMotion Mobility server (default 5008)", "PORT" },
        { "pair", 0, 0, G_OPTION_ARG_NONE, &o.pair,
          "Pair two captures of one attempt, FILE... being CLIENT SERVER: what the path lost, "
          "changed and translated",
          NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &o.version,
          "Print the version of pcapdiag and of libpcap and exit", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, "FILE..." },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };

    if (argc >= 2 && strcmp(argv[1], "explain") == 0)
        return run_explain(argc - 1, argv + 1);

    GOptionContext *ctx = g_option_context_new(NULL); /* "FILE..." comes from G_OPTION_REMAINING */
    g_option_context_set_summary(
        ctx, "Name what broke in a VPN capture: reads pcap and pcapng files (\"-\" for standard "
             "input), follows every VPN session and reports its ladder and findings.");
    g_option_context_set_description(
        ctx, "Exit status: 0 no error finding, 1 at least one error finding, 2 usage or input "
             "error.\n\nExamples:\n  pcapdiag client.pcap\n  pcapdiag --format json a.pcapng "
             "b.pcap\n  tcpdump -i eth0 -w - 'tcp port 1723 or ip proto 47' | pcapdiag -\n"
             "  pcapdiag --reported 721 client.pcap\n\nError codes:\n  pcapdiag explain CODE... "
             "[--format FORMAT]   what a code means and how a capture shows it\n"
             "  pcapdiag explain --list [--format FORMAT]\n\nSee pcapdiag(1).");
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
    g_free(o.reported);
    g_free(o.policy);
    g_strfreev(o.ike_keys);
    g_strfreev(o.esp_keys);
    g_strfreev(o.files);
    return status;
}
