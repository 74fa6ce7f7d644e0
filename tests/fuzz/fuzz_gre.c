/* fuzz_gre.c - fuzz target: GRE and enhanced GRE (pd_gre_decode,
 * pd_gre_describe, the per-direction sequence tracker) with the PPP each
 * packet carries decoded and fed to one negotiation tracker, as the PPTP
 * tracker does.
 *
 * Input layout: records of u8 tag, u16 big-endian length, the IP payload.
 *   tag bit 0     direction
 *   tag bits 1-7  bytes on the wire beyond those captured (0: none); the
 *                 value 0x7f instead says the IP header claims FEWER bytes
 *                 than were captured (trailing padding)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_ppp_check.h"
#include "gre.h"
#include "ppp_track.h"

#define PD_FUZZ_MAX_PACKETS 2048

static void check_gre(const pd_gre *g, const uint8_t *buf, size_t caplen)
{
    char line[160];
    size_t n = pd_gre_describe(g, line, sizeof line);
    PD_FUZZ_CHECK(n == strlen(line) && n < sizeof line);
    char small[6];
    n = pd_gre_describe(g, small, sizeof small);
    PD_FUZZ_CHECK(n == strlen(small) && n < sizeof small);
    pd_fuzz_touch(pd_gre_status_name(g->status));
    pd_fuzz_touch(pd_gre_len_check_name(g->len_check));
    for (uint32_t bit = 1; bit && bit <= 0x8000; bit <<= 1)
        if (g->anomalies & bit)
            pd_fuzz_touch(pd_gre_anomaly_name(bit));
    if (g->status == PD_GRE_OK) {
        PD_FUZZ_CHECK(g->header_len <= caplen);
        PD_FUZZ_CHECK(g->payload_len <= caplen - g->header_len);
        PD_FUZZ_CHECK(g->payload_len == 0 || g->payload == buf + g->header_len);
        PD_FUZZ_CHECK(g->payload_len <= g->payload_wire_len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pd_cursor c = pd_cursor_make(data, size);
    pd_gre_seq_tracker seq[2];
    pd_gre_seq_init(&seq[0]);
    pd_gre_seq_init(&seq[1]);
    pd_ppp_link link;
    pd_ppp_link_init(&link);
    pd_fuzz_record r;
    uint64_t frame = 0;
    while (frame < PD_FUZZ_MAX_PACKETS && pd_fuzz_next_record(&c, &r)) {
        int dir = r.tag & 1;
        uint8_t extra = r.tag >> 1;
        size_t wire = extra == 0x7f ? r.len / 2 : r.len + extra;
        uint8_t *copy = malloc(r.len ? r.len : 1);
        if (r.len)
            memcpy(copy, r.data, r.len);
        frame++;
        pd_gre g;
        pd_gre_status st = pd_gre_decode(r.len ? copy : NULL, r.len, wire, &g);
        PD_FUZZ_CHECK(st == g.status);
        check_gre(&g, copy, r.len);
        if (st == PD_GRE_OK) {
            pd_gre_seq_update(&seq[dir], &g, frame);
            if (g.has_ack)
                (void)pd_gre_seq_ack_beyond(&seq[!dir], g.ack);
            if (g.version == 1 && g.payload_len > 0) {
                pd_ppp_frame f;
                pd_ppp_decode(g.payload, g.payload_len, g.payload_wire_len, &f);
                pd_fuzz_check_ppp(&f, g.payload, g.payload_len);
                pd_ppp_link_feed(&link, &f, dir, frame, (int64_t)frame * 1000);
            }
        }
        free(copy);
    }
    for (int d = 0; d < 2; d++) {
        PD_FUZZ_CHECK(seq[d].packets <= frame);
        PD_FUZZ_CHECK(seq[d].payload_packets <= seq[d].packets);
    }
    pd_fuzz_check_link(&link);
    return 0;
}
