/* capture.c - read one capture (pcap, pcapng or standard input) with libpcap
 * and feed its frames to the engine; every file problem becomes a GError.
 *
 * Frame numbers are the 1-based record index, counting records the BPF
 * filter rejects, so they match Wireshark's on the unfiltered file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"

/* Progress only for files large enough to keep someone waiting. */
#define PD_PROGRESS_MIN_BYTES (INT64_C(50) * 1000 * 1000)
#define PD_PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 4)

/* pcap record header sizes by file magic (the file's own byte order):
 * classic and nanosecond pcap use 16 bytes, Kuznetzov's patched format 24. */
#define PD_PCAP_MAGIC_US 0xa1b2c3d4u
#define PD_PCAP_MAGIC_NS 0xa1b23c4du
#define PD_PCAP_MAGIC_KUZNETZOV 0xa1b2cd34u

G_DEFINE_QUARK(pd-cli-error-quark, pd_cli_error)

void pd_cli_capture_info_clear(pd_cli_capture_info *info)
{
    g_free(info->warning);
    memset(info, 0, sizeof *info);
}

uint32_t pd_cli_dlt_to_linktype(int dlt)
{
    /* libpcap hands out the platform's DLT_ values; files carry LINKTYPE_
     * values. They differ only for the few DLTs whose numbers the BSDs
     * disagreed on (pcap-linktype(7)). */
    switch (dlt) {
    case DLT_RAW: return 101; /* LINKTYPE_RAW */
    case DLT_ATM_RFC1483: return 100;
    case DLT_SLIP_BSDOS: return 102;
    case DLT_PPP_BSDOS: return 103;
    case DLT_ATM_CLIP: return 106;
#if DLT_LOOP != 108
    case DLT_LOOP: return 108;
#endif
#if DLT_ENC != 109
    case DLT_ENC: return 109;
#endif
    default: break;
    }
    return dlt < 0 ? UINT32_MAX : (uint32_t)dlt;
}

/* Nanoseconds since the epoch, saturating: a pcapng timestamp can name a
 * second far beyond what int64 nanoseconds hold. With the NANO precision
 * requested at open, libpcap puts nanoseconds in tv_usec. */
static int64_t ts_to_ns(const struct timeval *tv)
{
    const int64_t max_s = INT64_MAX / 1000000000 - 1;
    int64_t s = (int64_t)tv->tv_sec;
    if (s > max_s)
        return INT64_MAX;
    if (s < -max_s)
        return INT64_MIN;
    return s * 1000000000 + (int64_t)tv->tv_usec;
}

/* A pipe is read through a stream that counts the bytes libpcap takes: the
 * caplen check below needs the stream position after some records, and a
 * pipe has no position at all. "Where am I" (a seek of 0 from the current
 * position) is answered from the count; no other seek is needed. A regular
 * file is read through a plain stdio stream: glibc's fread on a cookie
 * stream takes a slower, generic path that costs more per packet than the
 * whole classification of a packet that belongs to no VPN flow. */
typedef struct counted_input {
    int fd;
    bool close_fd;          /* not standard input */
    int64_t pos;            /* bytes handed to stdio so far */
    unsigned char magic[4]; /* the stream's first bytes, for the record layout */
} counted_input;

static ssize_t counted_read(void *cookie, char *buf, size_t size)
{
    counted_input *in = cookie;
    ssize_t n;
    do
        n = read(in->fd, buf, size);
    while (n < 0 && errno == EINTR);
    for (ssize_t i = 0; i < n && in->pos + i < (int64_t)sizeof in->magic; i++)
        in->magic[in->pos + i] = (unsigned char)buf[i];
    if (n > 0)
        in->pos += n;
    return n;
}

static int counted_seek(void *cookie, off64_t *offset, int whence)
{
    counted_input *in = cookie;
    if (whence != SEEK_CUR || *offset != 0) {
        errno = ESPIPE;
        return -1;
    }
    *offset = in->pos;
    return 0;
}

static int counted_close(void *cookie)
{
    counted_input *in = cookie;
    int rc = in->close_fd ? close(in->fd) : 0;
    g_free(in);
    return rc;
}

static FILE *counted_open(int fd, bool close_fd, counted_input **out)
{
    counted_input *in = g_new0(counted_input, 1);
    in->fd = fd;
    in->close_fd = close_fd;
    cookie_io_functions_t io = {
        .read = counted_read, .write = NULL, .seek = counted_seek, .close = counted_close
    };
    FILE *fp = fopencookie(in, "rb", io);
    if (!fp) {
        g_free(in);
        return NULL;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 16); /* fewer read() calls than the default 8 KiB */
    *out = in;
    return fp;
}

/* A link type's name for an error message: libpcap's description, the
 * private-use range by its LINKTYPE_USERn name, else "unknown". */
static char *linktype_describe(int dlt)
{
    const char *desc = pcap_datalink_val_to_description(dlt);
    if (desc)
        return g_strdup(desc);
    if (dlt >= 147 && dlt <= 162) /* LINKTYPE_USER0..15 */
        return g_strdup_printf("USER%d, private use", dlt - 147);
    return g_strdup("unknown");
}

/* Turn libpcap's complaint about a file header into our reason text. */
static void set_open_error(GError **error, const char *errbuf)
{
    if (strstr(errbuf, "only got 0"))
        g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_EMPTY, "empty file (no capture data)");
    else if (strstr(errbuf, "unknown file format"))
        g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_FORMAT,
                    "not a capture file (neither pcap nor pcapng)");
    else if (strstr(errbuf, "truncated"))
        g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_FORMAT, "truncated file header (%s)", errbuf);
    else
        g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_FORMAT, "%s", errbuf);
}

/* Record header size of a classic pcap file from its magic, or 0 when the
 * layout is one we do not know (then the caplen check is skipped). */
static size_t pcap_record_header_size(const unsigned char m[4])
{
    uint32_t le = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
    uint32_t be = (uint32_t)m[3] | (uint32_t)m[2] << 8 | (uint32_t)m[1] << 16 | (uint32_t)m[0] << 24;
    if (le == PD_PCAP_MAGIC_US || be == PD_PCAP_MAGIC_US || le == PD_PCAP_MAGIC_NS ||
        be == PD_PCAP_MAGIC_NS)
        return 16;
    if (le == PD_PCAP_MAGIC_KUZNETZOV || be == PD_PCAP_MAGIC_KUZNETZOV)
        return 24;
    return 0;
}

/* The opened input: a named file or standard input; a counting stream
 * unless it is a regular file. */
typedef struct input {
    FILE *fp;
    counted_input *counted; /* NULL for a regular file */
    bool regular;
    int64_t size; /* of a regular file, from where reading starts */
    unsigned char magic[4]; /* a regular file's first bytes */
} input;

static bool input_open(input *in, const char *path, GError **error)
{
    memset(in, 0, sizeof *in);
    bool is_stdin = strcmp(path, "-") == 0;
    int fd;
    if (is_stdin) {
        if (isatty(STDIN_FILENO)) {
            g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_OPEN,
                        "standard input is a terminal, not a capture (pipe or redirect one in)");
            return false;
        }
        fd = STDIN_FILENO;
    } else {
        do
            fd = open(path, O_RDONLY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            int err = errno;
            g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_OPEN, "%s", g_strerror(err));
            return false;
        }
    }

    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_OPEN, "is a directory, not a capture file");
            goto fail;
        }
        in->regular = S_ISREG(st.st_mode);
        if (in->regular) {
            /* Standard input redirected from a file may not start at 0. */
            off_t here = lseek(fd, 0, SEEK_CUR);
            in->size = (int64_t)st.st_size - (here > 0 ? (int64_t)here : 0);
            if (in->size <= 0) {
                g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_EMPTY, "empty file (no capture data)");
                goto fail;
            }
            ssize_t n;
            do
                n = pread(fd, in->magic, sizeof in->magic, here > 0 ? here : 0);
            while (n < 0 && errno == EINTR);
        }
    }
    if (in->regular) {
        /* fclose (pcap_close) closes the descriptor: never standard input's own. */
        int own = is_stdin ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : fd;
        in->fp = own >= 0 ? fdopen(own, "rb") : NULL;
        if (in->fp)
            setvbuf(in->fp, NULL, _IOFBF, 1 << 16);
        else if (own >= 0 && is_stdin)
            close(own);
    } else {
        in->fp = counted_open(fd, !is_stdin, &in->counted);
    }
    if (!in->fp) {
        int err = errno;
        g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_OPEN, "%s", g_strerror(err));
        goto fail;
    }
    return true;
fail:
    if (!is_stdin)
        close(fd);
    return false;
}

typedef struct progress {
    bool on;
    int64_t size;
    int64_t last_us;
    int last_pct;
    const char *name;
} progress;

static void progress_draw(progress *pg, FILE *fp, bool force)
{
    int64_t now = g_get_monotonic_time();
    if (!force && now - pg->last_us < PD_PROGRESS_INTERVAL_US)
        return;
    pg->last_us = now;
    long pos = ftell(fp);
    if (pos < 0 || pg->size <= 0)
        return;
    int pct = (int)((int64_t)pos * 100 / pg->size);
    if (pct > 100)
        pct = 100;
    if (pct == pg->last_pct)
        return;
    pg->last_pct = pct;
    fprintf(stderr, "\rpcapdiag: %s: %d%%", pg->name, pct);
    fflush(stderr);
}

static void progress_clear(progress *pg)
{
    if (pg->on && pg->last_pct >= 0) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

bool pd_cli_read_capture(const char *path, const pd_cli_read_options *opts, pd_engine *engine,
                         pd_cli_capture_info *info, GError **error)
{
    memset(info, 0, sizeof *info);
    input in;
    if (!input_open(&in, path, error))
        return false;
    FILE *fp = in.fp;

    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        set_open_error(error, errbuf);
        fclose(fp); /* closes the file, never standard input */
        return false;
    }
    /* From here pcap_close() owns fp. */

    /* A pcapng Section Header Block says version 1.0, classic pcap 2.x. */
    bool is_pcapng = pcap_major_version(p) == 1;
    info->format = is_pcapng ? "pcapng" : "pcap";
    int dlt = pcap_datalink(p);
    info->linktype = pd_cli_dlt_to_linktype(dlt);
    if (!pd_linktype_supported(info->linktype)) {
        char *name = linktype_describe(dlt);
        g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_LINKTYPE,
                    "unsupported link type %" G_GUINT32_FORMAT " (%s)", info->linktype, name);
        g_free(name);
        pcap_close(p);
        return false;
    }

    struct bpf_program prog;
    bool have_prog = false;
    if (opts && opts->filter) {
        if (pcap_compile(p, &prog, opts->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_FILTER, "bad filter \"%s\": %s",
                        opts->filter, pcap_geterr(p));
            pcap_close(p);
            return false;
        }
        have_prog = true;
    }

    /* libpcap quietly cuts a record whose caplen exceeds the file's snaplen
     * (but not 262144) down to the snaplen. Such a record is damage, not
     * data: catch it from how far the record moved the stream position
     * (classic pcap; pcapng blocks carry their own lengths). */
    size_t rec_hdr =
        is_pcapng ? 0 : pcap_record_header_size(in.counted ? in.counted->magic : in.magic);
    long pos = rec_hdr ? ftell(fp) : -1; /* where the stream should be after each record */
    const bpf_u_int32 snap = (bpf_u_int32)pcap_snapshot(p);

    /* The name goes to a terminal: no control characters from it. */
    char *shown = g_strdup(path);
    for (char *c = shown; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    progress pg = { .on = opts && opts->progress && in.regular && in.size > PD_PROGRESS_MIN_BYTES,
                    .size = in.size, .last_pct = -1, .name = shown };
    pg.last_us = g_get_monotonic_time();

    bool ok = true;
    pd_frame frame = { .linktype = info->linktype };
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(p, &h, &data);
        if (rc == PCAP_ERROR_BREAK) /* end of file */
            break;
        if (rc != 1) {
            const char *msg = pcap_geterr(p);
            if (strstr(msg, "truncated")) {
                /* Cut off mid-record (an interrupted copy, a capture killed
                 * while writing): report what was read. */
                info->truncated = true;
                info->warning = g_strdup(msg);
                break;
            }
            g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_RECORD, "record %" G_GUINT64_FORMAT ": %s",
                        info->records + 1, msg);
            ok = false;
            break;
        }
        info->records++;
        if (pos >= 0) {
            /* libpcap only ever cuts a record down to the snapshot length:
             * a shorter one was read whole, so the stream's position is
             * asked (an ftell costs more than reading the record) only for
             * a record that came out at the snapshot length. */
            long before = pos;
            pos += (long)(rec_hdr + h->caplen);
            if (h->caplen >= snap) {
                long now = ftell(fp);
                if (now >= 0 && now != pos) {
                    g_set_error(error, PD_CLI_ERROR, PD_CLI_ERROR_RECORD,
                                "record %" G_GUINT64_FORMAT ": captured length %ld is beyond "
                                "the snapshot length %d",
                                info->records, (long)(now - before - (long)rec_hdr),
                                pcap_snapshot(p));
                    ok = false;
                    break;
                }
                if (now >= 0)
                    pos = now;
            }
        }
        int64_t ts_ns = ts_to_ns(&h->ts);
        if (G_UNLIKELY(info->records == 1))
            info->first_ts_ns = ts_ns;
        if (have_prog && !pcap_offline_filter(&prog, h, data))
            continue;
        frame.number = info->records;
        frame.ts_ns = ts_ns;
        frame.data = data;
        frame.caplen = h->caplen;
        frame.wire_len = h->len;
        pd_engine_feed(engine, &frame, NULL);
        if (pg.on && (info->records & 1023) == 0)
            progress_draw(&pg, fp, false);
    }
    progress_clear(&pg);
    g_free(shown);
    if (have_prog)
        pcap_freecode(&prog);
    pcap_close(p);
    if (!ok)
        return false;
    if (info->truncated)
        pd_engine_mark_truncated(engine);
    pd_engine_finish(engine);
    return true;
}
