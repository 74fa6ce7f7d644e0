/* fuzz_ppp.c - fuzz target: the PPP decoder (pd_ppp_decode, pd_ppp_check,
 * pd_ppp_describe, text helpers) and the negotiation tracker
 * (pd_ppp_link_feed) over a sequence of frames in both directions.
 *
 * Input layout: records of u8 tag, u16 big-endian length, the frame bytes.
 *   tag bit 0     direction (0 client -> server, 1 server -> client)
 *   tag bits 1-7  bytes the frame had on the wire beyond those captured
 *                 (a snaplen cut when non-zero)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_ppp_check.h"
#include "ppp_track.h"

#define PD_FUZZ_MAX_FRAMES 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pd_cursor c = pd_cursor_make(data, size);
    pd_ppp_link link;
    pd_ppp_link_init(&link);
    pd_fuzz_record r;
    uint64_t frame = 0;
    int64_t ts = 0;
    while (frame < PD_FUZZ_MAX_FRAMES && pd_fuzz_next_record(&c, &r)) {
        uint8_t *copy = malloc(r.len ? r.len : 1);
        if (r.len)
            memcpy(copy, r.data, r.len);
        size_t wire = r.len + (r.tag >> 1);
        pd_ppp_frame f;
        pd_ppp_status st = pd_ppp_decode(r.len ? copy : NULL, r.len, wire, &f);
        PD_FUZZ_CHECK(st == f.status);
        pd_fuzz_check_ppp(&f, copy, r.len);
        frame++;
        ts += 1000000;
        pd_ppp_link_feed(&link, &f, r.tag & 1, frame, ts);
        free(copy);
    }
    /* A direction other than 0 or 1 is ignored, not an index. */
    if (frame > 0) {
        pd_ppp_frame f;
        static const uint8_t lcp_echo[] = { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08,
                                            0x00, 0x00, 0x00, 0x00 };
        pd_ppp_decode(lcp_echo, sizeof lcp_echo, sizeof lcp_echo, &f);
        pd_ppp_link_feed(&link, &f, 2, frame + 1, ts);
        pd_ppp_link_feed(&link, &f, -1, frame + 1, ts);
    }
    PD_FUZZ_CHECK(link.frames <= frame);
    pd_fuzz_check_link(&link);
    return 0;
}
