/* fuzz_pptp.c - fuzz target: the PPTP control message decoder
 * (pd_pptp_decode, pd_pptp_describe and the name functions) and the TCP
 * stream framer (pd_pptp_framer_push/gap/finish) under arbitrary chunking.
 *
 * Input layout:
 *   byte 0        k: the low 4 bits give how many chunk sizes follow
 *   k bytes       chunk sizes, used in turn; a size of 0 is a TCP gap
 *                 (pd_pptp_framer_gap) instead of bytes
 *   the rest      the TCP stream of one direction (also decoded whole as
 *                 one message)
 * With no chunk sizes the stream is pushed as one segment.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "fuzz_common.h"
#include "pptp.h"

typedef struct fuzz_state {
    uint64_t messages, skipped;
    uint64_t last_frame;
} fuzz_state;

static void check_describe(const pd_pptp_msg *m)
{
    char buf[512];
    size_t n = pd_pptp_describe(m, buf, sizeof buf);
    PD_FUZZ_CHECK(n == strlen(buf) && n < sizeof buf);
    /* A buffer too small must be cut and still terminated. */
    char small[9];
    n = pd_pptp_describe(m, small, sizeof small);
    PD_FUZZ_CHECK(n == strlen(small) && n < sizeof small);
    pd_pptp_describe(m, small, 0);
    pd_fuzz_touch(pd_pptp_status_name(m->status));
    pd_fuzz_touch(pd_pptp_msg_name(m->ctrl_type));
    pd_fuzz_touch(pd_pptp_msg_abbrev(m->ctrl_type));
    pd_fuzz_touch(pd_pptp_result_name(m->ctrl_type, m->result_code));
    pd_fuzz_touch(pd_pptp_error_name(m->error_code));
    if (m->status == PD_PPTP_OK && m->ctrl_type == PD_PPTP_STOPCCRQ)
        pd_fuzz_touch(pd_pptp_stop_reason_name(m->u.stopccrq.reason));
    (void)pd_pptp_result_ok(m->ctrl_type, m->result_code);
    (void)pd_pptp_msg_size(m->ctrl_type);
}

static void decode_one(const uint8_t *data, size_t len)
{
    /* Heap copy of exactly len bytes: ASan then catches a read past it. */
    uint8_t *copy = len ? malloc(len) : NULL;
    if (len)
        memcpy(copy, data, len);
    pd_pptp_msg m;
    pd_pptp_status st = pd_pptp_decode(copy, len, &m);
    PD_FUZZ_CHECK(st == m.status);
    if (st == PD_PPTP_OK)
        PD_FUZZ_CHECK(m.length >= PD_PPTP_HEADER_LEN && m.length <= len);
    /* The fixed-size text copies are always terminated. */
    switch (st == PD_PPTP_OK ? m.ctrl_type : 0) {
    case PD_PPTP_SCCRQ:
    case PD_PPTP_SCCRP:
        PD_FUZZ_CHECK(strlen(m.u.sccr.host_name) <= PD_PPTP_NAME_LEN);
        PD_FUZZ_CHECK(strlen(m.u.sccr.vendor) <= PD_PPTP_NAME_LEN);
        break;
    case PD_PPTP_CDN:
        PD_FUZZ_CHECK(strlen(m.u.cdn.call_stats) <= PD_PPTP_STATS_LEN);
        break;
    default:
        break;
    }
    check_describe(&m);
    free(copy);
}

static void on_msg(const uint8_t *msg, size_t len, uint64_t first_frame, uint64_t frame,
                   int64_t ts_ns, void *user)
{
    fuzz_state *s = user;
    PD_FUZZ_CHECK(len >= PD_PPTP_HEADER_LEN && len <= PD_PPTP_MAX_MSG_LEN);
    PD_FUZZ_CHECK(first_frame <= frame && frame <= s->last_frame);
    /* The framer promises a whole message: its Length field equals len. */
    PD_FUZZ_CHECK((((size_t)msg[0] << 8) | msg[1]) == len);
    s->messages++;
    decode_one(msg, len);
}

static void on_skip(pd_pptp_skip_reason why, uint64_t skipped, uint64_t first_frame,
                    uint64_t frame, int64_t ts_ns, void *user)
{
    fuzz_state *s = user;
    PD_FUZZ_CHECK(why <= PD_PPTP_SKIP_AT_END);
    PD_FUZZ_CHECK(skipped > 0);
    s->skipped += skipped;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pd_cursor c = pd_cursor_make(data, size);
    uint8_t k = 0;
    if (!pd_cursor_u8(&c, &k))
        return 0;
    const uint8_t *sizes = NULL;
    size_t n_sizes = k & 0x0f;
    if (!pd_cursor_bytes(&c, n_sizes, &sizes))
        return 0;
    size_t stream_len = pd_cursor_remaining(&c);
    const uint8_t *stream = stream_len ? pd_cursor_here(&c) : NULL;

    decode_one(stream, stream_len);

    fuzz_state s = { 0 };
    pd_pptp_framer f;
    pd_pptp_framer_init(&f);
    pd_cursor sc = pd_cursor_make(stream, stream_len);
    uint64_t frame = 0;
    int64_t ts = 0;
    size_t turn = 0;
    uint64_t pushed = 0;
    unsigned idle_gaps = 0;
    while (pd_cursor_remaining(&sc) > 0 && idle_gaps < 64) {
        size_t chunk = n_sizes ? sizes[turn++ % n_sizes] : pd_cursor_remaining(&sc);
        s.last_frame = ++frame;
        ts += 1000;
        if (chunk == 0) {
            pd_pptp_framer_gap(&f, frame, ts, on_skip, &s);
            idle_gaps++;
            continue;
        }
        idle_gaps = 0;
        if (chunk > pd_cursor_remaining(&sc))
            chunk = pd_cursor_remaining(&sc);
        const uint8_t *seg;
        pd_cursor_bytes(&sc, chunk, &seg);
        /* Each segment in its own allocation, as TCP reassembly hands them. */
        uint8_t *copy = malloc(chunk);
        memcpy(copy, seg, chunk);
        pd_pptp_framer_push(&f, copy, chunk, frame, ts, on_msg, on_skip, &s);
        free(copy);
        pushed += chunk;
        PD_FUZZ_CHECK(f.have <= PD_PPTP_MAX_MSG_LEN);
    }
    s.last_frame = ++frame;
    pd_pptp_framer_finish(&f, frame, ts, on_skip, &s);
    PD_FUZZ_CHECK(f.bytes == pushed);
    PD_FUZZ_CHECK(f.messages == s.messages);
    PD_FUZZ_CHECK(f.have == 0);
    pd_pptp_framer_free(&f);
    return 0;
}
