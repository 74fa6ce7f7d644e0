/* pcap_read_limit.c - the practical limit of a libpcap-based tool: read
 * every packet of a capture and do nothing else with it (no RFC).
 *
 * It reads the way pcapdiag does (pcap_fopen_offline on a stdio stream
 * with a 64 KiB buffer, nanosecond timestamps, pcap_next_ex), touches one
 * byte of each packet so the data really comes through, and prints one
 * line: packets, bytes, seconds of CPU (user + system) and wall time.
 *
 *   pcap_read_limit FILE
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_read_limit FILE\n");
        return 2;
    }
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    FILE *fp = fopen(argv[1], "rb");
    if (!fp) {
        perror(argv[1]);
        return 2;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 16);
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        fprintf(stderr, "%s: %s\n", argv[1], errbuf);
        fclose(fp);
        return 2;
    }
    uint64_t packets = 0, bytes = 0;
    unsigned sum = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen;
        if (h->caplen)
            sum += data[h->caplen - 1];
    }
    pcap_close(p);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = seconds(ru.ru_utime) + seconds(ru.ru_stime);
    double wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
    printf("packets %" PRIu64 " bytes %" PRIu64 " cpu %.6f wall %.6f maxrss_kib %ld check %u\n",
           packets, bytes, cpu, wall, ru.ru_maxrss, sum & 1);
    return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
