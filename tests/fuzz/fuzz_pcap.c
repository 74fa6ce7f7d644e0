/* fuzz_pcap.c - fuzz target: the CLI's capture-reading path in process.
 * The input is a whole capture file (pcap or pcapng); it goes through
 * pd_cli_read_capture (pcapdiag/cli/capture.c: libpcap, the record checks,
 * the engine) and then through the three reports, as `pcapdiag` does.
 *
 * The file lives in an anonymous memory file (memfd) opened by its
 * /proc/self/fd path, so no fuzz input touches the disk.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"
#include "fuzz_common.h"
#include "report.h"

static bool write_all(int fd, const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        return false;
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= (size_t)n;
    }
    return true;
}

static void run_reports(const pd_engine *e, const pd_cli_capture_info *info)
{
    pd_report_capture rc = {
        .file = "fuzz.pcap",
        .format = info->format,
        .linktype = info->linktype,
        .records = info->records,
        .has_time_origin = info->records > 0,
        .time_origin_ns = info->first_ts_ns,
    };
    pd_report_capture_from_engine(&rc, e);
    GString *out = g_string_new(NULL);
    const pd_report_options opt = { 0 };
    pd_report_text(out, &rc, &opt);
    pd_report_markdown(out, &rc, &opt);
    PD_FUZZ_CHECK(g_utf8_validate(out->str, (gssize)out->len, NULL));
    JsonNode *node = pd_report_json_node(&rc);
    char *json = pd_report_json_to_string(node);
    PD_FUZZ_CHECK(json && g_utf8_validate(json, -1, NULL));
    g_free(json);
    json_node_unref(node);
    g_string_free(out, TRUE);
    pd_report_capture_clear(&rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("pcapdiag-fuzz", MFD_CLOEXEC);
    PD_FUZZ_CHECK(fd >= 0);
    PD_FUZZ_CHECK(write_all(fd, data, size));
    char path[64];
    g_snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    pd_engine_config cfg = { 0 };
    pd_limits_default(&cfg.limits);
    pd_engine *e = pd_engine_new(&cfg);
    pd_cli_capture_info info;
    GError *err = NULL;
    const pd_cli_read_options opts = { .filter = NULL, .progress = false };
    if (pd_cli_read_capture(path, &opts, e, &info, &err)) {
        PD_FUZZ_CHECK(err == NULL && pd_engine_finished(e));
        PD_FUZZ_CHECK(info.truncated == (info.warning != NULL));
        run_reports(e, &info);
    } else {
        /* A file problem: one message, which the CLI prints on one line. */
        PD_FUZZ_CHECK(err != NULL && err->message && *err->message);
        char *clean = pd_report_clean(err->message);
        PD_FUZZ_CHECK(strchr(clean, '\n') == NULL);
        g_free(clean);
        g_error_free(err);
    }
    pd_cli_capture_info_clear(&info);
    pd_engine_free(e);
    close(fd);
    return 0;
}
