/* pair_read.c - read one capture of a pair with libpcap (pcap or pcapng),
 * feeding each frame both to the engine and to the pair recording, so the
 * recording knows each frame's session as the engine decided it.
 *
 * Frame numbers are the 1-based record index, counting records the filter
 * rejects, as Wireshark numbers them (and as the single-capture reports do).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pair_internal.h"

/* libpcap's DLT_ values differ from the LINKTYPE_ numbers files carry (and
 * the engine takes) only for a few link types (pcap-linktype(7)). */
static uint32_t dlt_to_linktype(int dlt)
{
    switch (dlt) {
    case DLT_RAW: return 101;
#ifdef DLT_LOOP
#if DLT_LOOP != 108
    case DLT_LOOP: return 108;
#endif
#endif
    default: break;
    }
    return dlt < 0 ? UINT32_MAX : (uint32_t)dlt;
}

static int64_t ts_ns(const struct timeval *tv)
{
    const int64_t max_s = INT64_MAX / 1000000000 - 1;
    int64_t s = (int64_t)tv->tv_sec;
    if (s > max_s)
        return INT64_MAX;
    if (s < -max_s)
        return INT64_MIN;
    /* Opened with nanosecond precision: tv_usec holds nanoseconds. */
    return s * 1000000000 + (int64_t)tv->tv_usec;
}

static char *open_reason(const char *errbuf)
{
    if (strstr(errbuf, "only got 0"))
        return g_strdup("empty file (no capture data)");
    if (strstr(errbuf, "unknown file format"))
        return g_strdup("not a capture file (neither pcap nor pcapng)");
    if (strstr(errbuf, "truncated"))
        return g_strdup_printf("truncated file header (%s)", errbuf);
    return g_strdup(errbuf);
}

bool pd_pair_read_capture(const char *path, const char *filter, pd_engine *engine,
                          pd_pair_capture *rec, const char **format, uint32_t *linktype,
                          bool *truncated, char **error)
{
    *format = "pcap";
    *linktype = 0;
    *truncated = false;
    *error = NULL;
    FILE *fp;
    if (strcmp(path, "-") == 0) {
        if (isatty(STDIN_FILENO)) {
            *error = g_strdup("standard input is a terminal, not a capture (pipe or redirect one in)");
            return false;
        }
        int fd = dup(STDIN_FILENO);
        fp = fd >= 0 ? fdopen(fd, "rb") : NULL;
        if (!fp) {
            int err = errno;
            if (fd >= 0)
                close(fd);
            *error = g_strdup(g_strerror(err));
            return false;
        }
    } else {
        fp = fopen(path, "rb");
        if (!fp) {
            *error = g_strdup(g_strerror(errno));
            return false;
        }
        struct stat st;
        if (fstat(fileno(fp), &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                fclose(fp);
                *error = g_strdup("is a directory, not a capture file");
                return false;
            }
            if (S_ISREG(st.st_mode) && st.st_size == 0) {
                fclose(fp);
                *error = g_strdup("empty file (no capture data)");
                return false;
            }
        }
    }

    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        fclose(fp);
        *error = open_reason(errbuf);
        return false;
    }
    /* pcap_close() owns fp from here. */
    *format = pcap_major_version(p) == 1 ? "pcapng" : "pcap";
    int dlt = pcap_datalink(p);
    *linktype = dlt_to_linktype(dlt);
    if (!pd_linktype_supported(*linktype)) {
        const char *desc = pcap_datalink_val_to_description(dlt);
        *error = g_strdup_printf("unsupported link type %" G_GUINT32_FORMAT " (%s)", *linktype,
                                 desc ? desc : "unknown");
        pcap_close(p);
        return false;
    }
    struct bpf_program prog;
    bool have_prog = false;
    if (filter) {
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            *error = g_strdup_printf("bad filter \"%s\": %s", filter, pcap_geterr(p));
            pcap_close(p);
            return false;
        }
        have_prog = true;
    }

    uint64_t records = 0;
    bool ok = true;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(p, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            break;
        if (rc != 1) {
            const char *msg = pcap_geterr(p);
            if (strstr(msg, "truncated")) {
                *truncated = true;
                break;
            }
            *error = g_strdup_printf("record %" G_GUINT64_FORMAT ": %s", records + 1, msg);
            ok = false;
            break;
        }
        records++;
        if (have_prog && !pcap_offline_filter(&prog, h, data))
            continue;
        pd_frame frame = {
            .linktype = *linktype,
            .number = records,
            .ts_ns = ts_ns(&h->ts),
            .data = data,
            .caplen = h->caplen,
            .wire_len = h->len,
        };
        pd_frame_result res = { 0 };
        if (engine)
            pd_engine_feed(engine, &frame, &res);
        if (rec)
            pd_pair_capture_add(rec, &frame, engine ? &res : NULL);
    }
    if (have_prog)
        pcap_freecode(&prog);
    pcap_close(p);
    if (!ok)
        return false;
    if (engine) {
        if (*truncated)
            pd_engine_mark_truncated(engine);
        pd_engine_finish(engine);
    }
    return true;
}
