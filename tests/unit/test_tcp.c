/* test_tcp.c - unit tests for tcp.c: header decoding (RFC 9293 3.1),
 * stream reassembly (order, retransmission, overlap, wraparound, gaps,
 * snaplen), and connection-state tracking.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <glib.h>

#include "tcp.h"

/* ==== header decoding ==== */

/* 20-byte header, no options: 1723 -> 49152, seq 0x01020304, ack
 * 0xA0B0C0D0, data offset 5, PSH|ACK, window 0x2000, then "abc". */
static const uint8_t hdr_plain[] = {
    0x06, 0xbb, 0xc0, 0x00,             /* ports */
    0x01, 0x02, 0x03, 0x04,             /* seq */
    0xa0, 0xb0, 0xc0, 0xd0,             /* ack */
    0x50, 0x18, 0x20, 0x00,             /* offset 5, flags PSH|ACK, window */
    0x12, 0x34, 0x00, 0x00,             /* checksum, urgent */
    'a', 'b', 'c',
};

/* SYN with options (data offset 8 = 32 bytes): MSS 1460, NOP, WS 8,
 * NOP, NOP, SACK-permitted. Then two bytes of data (SYN data is legal). */
static const uint8_t hdr_opts[] = {
    0xc0, 0x01, 0x06, 0xbb,
    0xff, 0xff, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x00,
    0x80, 0x02, 0xfa, 0xf0,
    0x00, 0x00, 0x00, 0x00,
    0x02, 0x04, 0x05, 0xb4,             /* MSS */
    0x01, 0x03, 0x03, 0x08,             /* NOP, window scale 8 */
    0x01, 0x01, 0x04, 0x02,             /* NOP NOP SACK-permitted */
    'h', 'i',
};

static void test_decode_plain(void **state)
{
    (void)state;
    pd_tcp_header h;
    assert_true(pd_tcp_decode(hdr_plain, sizeof hdr_plain, sizeof hdr_plain, &h));
    assert_int_equal(h.sport, 1723);
    assert_int_equal(h.dport, 49152);
    assert_int_equal(h.seq, 0x01020304u);
    assert_int_equal(h.ack, 0xa0b0c0d0u);
    assert_int_equal(h.flags, PD_TCP_PSH | PD_TCP_ACK);
    assert_int_equal(h.window, 0x2000);
    assert_int_equal(h.header_len, 20);
    assert_int_equal(h.payload_len, 3);
    assert_int_equal(h.payload_wire_len, 3);
    assert_memory_equal(h.payload, "abc", 3);
}

static void test_decode_options(void **state)
{
    (void)state;
    pd_tcp_header h;
    assert_true(pd_tcp_decode(hdr_opts, sizeof hdr_opts, sizeof hdr_opts, &h));
    assert_int_equal(h.sport, 49153);
    assert_int_equal(h.dport, 1723);
    assert_int_equal(h.seq, 0xffffffffu);
    assert_int_equal(h.flags, PD_TCP_SYN);
    assert_int_equal(h.window, 0xfaf0);
    assert_int_equal(h.header_len, 32);
    assert_int_equal(h.payload_len, 2);
    assert_int_equal(h.payload_wire_len, 2);
    assert_memory_equal(h.payload, "hi", 2);

    /* Header only (no data): payload empty. */
    assert_true(pd_tcp_decode(hdr_opts, 32, 32, &h));
    assert_int_equal(h.payload_len, 0);
    assert_int_equal(h.payload_wire_len, 0);
}

static void test_decode_truncated_every_offset(void **state)
{
    (void)state;
    pd_tcp_header h;
    /* Cut anywhere inside the header (options included): refused, whatever
     * the IP length claims. */
    for (size_t n = 0; n < 20; n++) {
        assert_false(pd_tcp_decode(hdr_plain, n, sizeof hdr_plain, &h));
        assert_false(pd_tcp_decode(hdr_plain, n, n, &h));
    }
    for (size_t n = 0; n < 32; n++)
        assert_false(pd_tcp_decode(hdr_opts, n, sizeof hdr_opts, &h));
    /* Cut inside the payload only: accepted, the rest is a snaplen cut. */
    for (size_t n = 20; n <= sizeof hdr_plain; n++) {
        assert_true(pd_tcp_decode(hdr_plain, n, sizeof hdr_plain, &h));
        assert_int_equal(h.payload_len, n - 20);
        assert_int_equal(h.payload_wire_len, 3);
    }
    assert_false(pd_tcp_decode(NULL, 0, 0, &h));
    assert_false(pd_tcp_decode(NULL, 40, 40, &h));
}

static void test_decode_bad_offset(void **state)
{
    (void)state;
    uint8_t buf[64];
    pd_tcp_header h;
    memset(buf, 0, sizeof buf);
    memcpy(buf, hdr_plain, 20);
    /* RFC 9293 3.1: data offset below 5 words cannot hold the header. */
    for (unsigned off = 0; off < 5; off++) {
        buf[12] = (uint8_t)(off << 4);
        assert_false(pd_tcp_decode(buf, sizeof buf, sizeof buf, &h));
    }
    /* 15 words = 60 bytes: fine in 64, not in 59 on the wire. */
    buf[12] = 0xf0;
    assert_true(pd_tcp_decode(buf, sizeof buf, sizeof buf, &h));
    assert_int_equal(h.header_len, 60);
    assert_int_equal(h.payload_len, 4);
    assert_false(pd_tcp_decode(buf, 59, 59, &h));
    /* Offset beyond the IP length, even when more bytes were captured. */
    buf[12] = 0x60; /* 24 */
    assert_false(pd_tcp_decode(buf, sizeof buf, 22, &h));
    assert_true(pd_tcp_decode(buf, sizeof buf, 24, &h));
    assert_int_equal(h.payload_len, 0);
    /* The reserved low nibble does not change the offset. */
    buf[12] = 0x5f;
    assert_true(pd_tcp_decode(buf, 20, 20, &h));
    assert_int_equal(h.header_len, 20);
}

static void test_decode_lengths(void **state)
{
    (void)state;
    pd_tcp_header h;
    /* Snaplen: 1 payload byte captured out of 1400 on the wire. */
    assert_true(pd_tcp_decode(hdr_plain, 21, 1420, &h));
    assert_int_equal(h.payload_len, 1);
    assert_int_equal(h.payload_wire_len, 1400);
    /* Link padding after the IP datagram is not TCP data. */
    assert_true(pd_tcp_decode(hdr_plain, sizeof hdr_plain, 21, &h));
    assert_int_equal(h.payload_len, 1);
    assert_int_equal(h.payload_wire_len, 1);
    assert_false(pd_tcp_decode(hdr_plain, sizeof hdr_plain, 19, &h));

    /* Maximum field values. */
    static const uint8_t maxed[20] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0x50, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    };
    assert_true(pd_tcp_decode(maxed, 20, 20, &h));
    assert_int_equal(h.sport, 65535);
    assert_int_equal(h.dport, 65535);
    assert_int_equal(h.seq, 0xffffffffu);
    assert_int_equal(h.ack, 0xffffffffu);
    assert_int_equal(h.flags, 0xff);
    assert_int_equal(h.window, 65535);
    assert_int_equal(h.payload_len, 0);
}

/* ==== reassembly ==== */

typedef struct sink {
    GByteArray *bytes;
    uint64_t n_deliver;
    uint64_t gaps[64];
    size_t n_gaps;
    uint64_t gap_total;
    uint64_t last_frame;
    /* For the randomised test: every chunk must sit where the original
     * stream has it, counting gaps as skipped positions. */
    const uint8_t *orig;
    size_t orig_len;
    size_t pos;
    bool mismatch;
} sink;

static void sink_init(sink *k)
{
    memset(k, 0, sizeof *k);
    k->bytes = g_byte_array_new();
}

static void sink_free(sink *k)
{
    g_byte_array_unref(k->bytes);
}

static void on_data(const uint8_t *data, size_t len, uint64_t frame, int64_t ts_ns, void *user)
{
    sink *k = user;
    assert_non_null(data);
    assert_true(len > 0);
    g_byte_array_append(k->bytes, data, (guint)len);
    k->n_deliver++;
    k->last_frame = frame;
    if (k->orig) {
        if (k->pos + len > k->orig_len || memcmp(k->orig + k->pos, data, len) != 0)
            k->mismatch = true;
    }
    k->pos += len;
}

static void on_gap(uint64_t len, uint64_t frame, int64_t ts_ns, void *user)
{
    sink *k = user;
    assert_true(len > 0);
    if (k->n_gaps < 64)
        k->gaps[k->n_gaps] = len;
    k->n_gaps++;
    k->gap_total += len;
    k->pos += (size_t)len;
}

/* Byte i of a test stream: a pattern that shows any misplacement. */
static uint8_t pat(size_t i)
{
    return (uint8_t)(i * 7 + 3 + (i >> 8));
}

static void fill_pattern(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = pat(i);
}

static pd_tcp_header seg_hdr(uint32_t seq, uint8_t flags, const uint8_t *p, size_t len,
                             size_t wire_len)
{
    pd_tcp_header h;
    memset(&h, 0, sizeof h);
    h.seq = seq;
    h.flags = flags;
    h.payload = p;
    h.payload_len = len;
    h.payload_wire_len = wire_len;
    return h;
}

/* Feed stream bytes [off, off+len) of `orig`, the stream starting at isn+1. */
static void feed(pd_tcp_stream *s, sink *k, uint32_t isn, const uint8_t *orig, size_t off,
                 size_t len, uint64_t frame)
{
    /* Copy into a scratch buffer and wipe it after: reassembly must not
     * keep pointers to the caller's bytes. */
    uint8_t *tmp = g_memdup2(orig + off, len ? len : 1);
    pd_tcp_header h = seg_hdr(isn + 1 + (uint32_t)off, PD_TCP_ACK, tmp, len, len);
    pd_tcp_stream_add(s, &h, frame, (int64_t)frame * 1000, on_data, on_gap, k);
    memset(tmp, 0xEE, len ? len : 1);
    g_free(tmp);
}

static void syn(pd_tcp_stream *s, sink *k, uint32_t isn)
{
    pd_tcp_header h = seg_hdr(isn, PD_TCP_SYN, NULL, 0, 0);
    pd_tcp_stream_add(s, &h, 1, 0, on_data, on_gap, k);
}

static void test_stream_in_order(void **state)
{
    (void)state;
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    pd_tcp_header h = seg_hdr(1000, PD_TCP_SYN, NULL, 0, 0);
    pd_tcp_stream_add(&s, &h, 1, 0, on_data, on_gap, &k);
    assert_true(s.have_isn);
    assert_int_equal(s.next_seq, 1001);
    pd_tcp_stream_add(&s, &h, 2, 0, on_data, on_gap, &k); /* SYN retransmitted */
    assert_int_equal(s.next_seq, 1001);

    h = seg_hdr(1001, PD_TCP_ACK | PD_TCP_PSH, (const uint8_t *)"hello", 5, 5);
    pd_tcp_stream_add(&s, &h, 3, 0, on_data, on_gap, &k);
    h = seg_hdr(1006, PD_TCP_ACK, (const uint8_t *)" world", 6, 6);
    pd_tcp_stream_add(&s, &h, 4, 0, on_data, on_gap, &k);
    h = seg_hdr(1012, PD_TCP_ACK, NULL, 0, 0); /* pure ACK */
    pd_tcp_stream_add(&s, &h, 5, 0, on_data, on_gap, &k);
    assert_false(s.fin_seen);
    h = seg_hdr(1012, PD_TCP_ACK | PD_TCP_FIN, NULL, 0, 0);
    pd_tcp_stream_add(&s, &h, 6, 0, on_data, on_gap, &k);

    assert_int_equal(k.bytes->len, 11);
    assert_memory_equal(k.bytes->data, "hello world", 11);
    assert_int_equal(k.n_deliver, 2);
    assert_int_equal(k.last_frame, 4);
    assert_int_equal(s.delivered, 11);
    assert_int_equal(s.next_seq, 1012);
    assert_true(s.fin_seen);
    assert_int_equal(s.retransmitted, 0);
    assert_int_equal(s.overlaps, 0);
    assert_int_equal(k.n_gaps, 0);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_syn_data_and_rst(void **state)
{
    (void)state;
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    /* Data on a SYN starts after the SYN's sequence number. */
    pd_tcp_header h = seg_hdr(0x7fffffff, PD_TCP_SYN, (const uint8_t *)"ab", 2, 2);
    pd_tcp_stream_add(&s, &h, 1, 0, on_data, on_gap, &k);
    assert_int_equal(s.next_seq, 0x80000002u);
    h = seg_hdr(0x80000002u, PD_TCP_RST | PD_TCP_ACK, (const uint8_t *)"diag", 4, 4);
    pd_tcp_stream_add(&s, &h, 2, 0, on_data, on_gap, &k);
    h = seg_hdr(0x80000002u, PD_TCP_ACK, (const uint8_t *)"cd", 2, 2);
    pd_tcp_stream_add(&s, &h, 3, 0, on_data, on_gap, &k);
    assert_int_equal(k.bytes->len, 4);
    assert_memory_equal(k.bytes->data, "abcd", 4);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_midstream_join(void **state)
{
    (void)state;
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    pd_tcp_header h = seg_hdr(5000, PD_TCP_ACK, NULL, 0, 0); /* no data: no anchor */
    pd_tcp_stream_add(&s, &h, 1, 0, on_data, on_gap, &k);
    assert_false(s.have_isn);
    h = seg_hdr(6000, PD_TCP_ACK, (const uint8_t *)"xyz", 3, 3);
    pd_tcp_stream_add(&s, &h, 2, 0, on_data, on_gap, &k);
    assert_true(s.have_isn);
    assert_int_equal(s.next_seq, 6003);
    h = seg_hdr(5990, PD_TCP_ACK, (const uint8_t *)"0123456789", 10, 10); /* before the join */
    pd_tcp_stream_add(&s, &h, 3, 0, on_data, on_gap, &k);
    assert_int_equal(s.retransmitted, 1);
    assert_int_equal(k.bytes->len, 3);
    assert_memory_equal(k.bytes->data, "xyz", 3);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_out_of_order(void **state)
{
    (void)state;
    uint8_t orig[30];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    syn(&s, &k, 100);
    feed(&s, &k, 100, orig, 20, 10, 2);
    feed(&s, &k, 100, orig, 10, 10, 3);
    assert_int_equal(k.bytes->len, 0);
    assert_int_equal(s.buffered, 20);
    feed(&s, &k, 100, orig, 0, 10, 4);
    assert_int_equal(s.buffered, 0);
    assert_null(s.ooo);
    assert_int_equal(k.bytes->len, 30);
    assert_memory_equal(k.bytes->data, orig, 30);
    assert_int_equal(k.n_deliver, 3);
    assert_int_equal(k.last_frame, 2); /* held bytes keep their own frame */
    assert_int_equal(s.delivered, 30);
    assert_int_equal(s.retransmitted, 0);
    assert_int_equal(s.overlaps, 0);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_retransmission(void **state)
{
    (void)state;
    uint8_t orig[40];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    syn(&s, &k, 0);
    feed(&s, &k, 0, orig, 0, 10, 2);
    feed(&s, &k, 0, orig, 0, 10, 3);  /* wholly delivered */
    feed(&s, &k, 0, orig, 2, 5, 4);   /* inside delivered */
    assert_int_equal(s.retransmitted, 2);
    /* A duplicate of held (not yet delivered) data is stored once. */
    feed(&s, &k, 0, orig, 20, 10, 5);
    feed(&s, &k, 0, orig, 20, 10, 6);
    feed(&s, &k, 0, orig, 22, 4, 7);
    assert_int_equal(s.buffered, 10);
    assert_int_equal(s.retransmitted, 4);
    feed(&s, &k, 0, orig, 10, 10, 8);
    feed(&s, &k, 0, orig, 30, 10, 9);
    assert_int_equal(k.bytes->len, 40);
    assert_memory_equal(k.bytes->data, orig, 40);
    assert_int_equal(s.overlaps, 0);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_partial_overlaps(void **state)
{
    (void)state;
    uint8_t orig[60];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    syn(&s, &k, 5000);
    feed(&s, &k, 5000, orig, 0, 10, 2);
    /* Front overlap with delivered bytes: [5,15) after [0,10). */
    feed(&s, &k, 5000, orig, 5, 10, 3);
    assert_int_equal(s.overlaps, 1);
    assert_int_equal(k.bytes->len, 15);
    /* Held [30,40); then [25,45) covers it on both sides: only [25,30)
     * and [40,45) are added. */
    feed(&s, &k, 5000, orig, 30, 10, 4);
    feed(&s, &k, 5000, orig, 25, 20, 5);
    assert_int_equal(s.overlaps, 2);
    assert_int_equal(s.buffered, 20);
    /* [35,50): back half new, front inside held. */
    feed(&s, &k, 5000, orig, 35, 15, 6);
    assert_int_equal(s.overlaps, 3);
    assert_int_equal(s.buffered, 25);
    /* [10,27): front in delivered, back into held [25,..). */
    feed(&s, &k, 5000, orig, 10, 17, 7);
    assert_int_equal(s.overlaps, 4);
    assert_int_equal(k.bytes->len, 50);
    assert_int_equal(s.buffered, 0);
    feed(&s, &k, 5000, orig, 48, 12, 8);
    assert_int_equal(k.bytes->len, 60);
    assert_memory_equal(k.bytes->data, orig, 60);
    assert_int_equal(s.delivered, 60);
    assert_int_equal(k.n_gaps, 0);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_wraparound(void **state)
{
    (void)state;
    uint8_t orig[50];
    fill_pattern(orig, sizeof orig);
    const uint32_t isn = 0xffffffecu; /* data starts 19 bytes before 2^32 */
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    syn(&s, &k, isn);
    feed(&s, &k, isn, orig, 30, 20, 2); /* past the wrap, held */
    feed(&s, &k, isn, orig, 10, 20, 3); /* straddles 2^32, held */
    assert_int_equal(s.buffered, 40);
    feed(&s, &k, isn, orig, 0, 10, 4);
    feed(&s, &k, isn, orig, 5, 10, 5); /* retransmission across nothing new */
    assert_int_equal(k.bytes->len, 50);
    assert_memory_equal(k.bytes->data, orig, 50);
    assert_int_equal(s.next_seq, isn + 1 + 50);
    assert_int_equal(s.retransmitted, 1);
    /* A segment from before the wrap arriving late is old, not future. */
    feed(&s, &k, isn, orig, 0, 19, 6);
    assert_int_equal(s.retransmitted, 2);
    assert_int_equal(k.bytes->len, 50);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_gap_by_cap(void **state)
{
    (void)state;
    uint8_t orig[40];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 10);
    syn(&s, &k, 0);
    feed(&s, &k, 0, orig, 0, 5, 2);
    feed(&s, &k, 0, orig, 10, 6, 3); /* held 6 */
    feed(&s, &k, 0, orig, 20, 4, 4); /* held 10: at the cap, allowed */
    assert_int_equal(s.buffered, 10);
    assert_int_equal(k.n_gaps, 0);
    /* 5 more would pass the cap: [5,10) is declared lost, [10,16)
     * delivered, then [30,35) fits beside [20,24). */
    feed(&s, &k, 0, orig, 30, 5, 5);
    assert_int_equal(k.n_gaps, 1);
    assert_int_equal(k.gaps[0], 5);
    assert_int_equal(s.gap_bytes, 5);
    assert_int_equal(k.bytes->len, 11);
    assert_memory_equal(k.bytes->data + 5, orig + 10, 6);
    assert_int_equal(s.buffered, 9);
    assert_true(s.buffered <= s.max_buffered);
    /* The bytes that were skipped, arriving late, are old now. */
    feed(&s, &k, 0, orig, 5, 5, 6);
    assert_int_equal(s.retransmitted, 1);

    pd_tcp_stream_flush(&s, 99, 0, on_data, on_gap, &k);
    assert_int_equal(k.n_gaps, 3);
    assert_int_equal(k.gaps[1], 4);  /* [16,20) */
    assert_int_equal(k.gaps[2], 6);  /* [24,30) */
    assert_int_equal(s.gap_bytes, 15);
    assert_int_equal(k.bytes->len, 20);
    assert_memory_equal(k.bytes->data + 11, orig + 20, 4);
    assert_memory_equal(k.bytes->data + 15, orig + 30, 5);
    assert_int_equal(s.buffered, 0);
    assert_int_equal(s.next_seq, 1 + 35);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_cap_small(void **state)
{
    (void)state;
    uint8_t orig[40];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    /* A future segment larger than the whole cap: skip straight to it. */
    pd_tcp_stream_init(&s, 4);
    syn(&s, &k, 0);
    feed(&s, &k, 0, orig, 0, 3, 2);
    feed(&s, &k, 0, orig, 8, 10, 3);
    assert_int_equal(k.n_gaps, 1);
    assert_int_equal(k.gaps[0], 5);
    assert_int_equal(k.bytes->len, 13);
    assert_memory_equal(k.bytes->data + 3, orig + 8, 10);
    assert_int_equal(s.buffered, 0);
    pd_tcp_stream_free(&s);
    sink_free(&k);

    /* Cap 0: nothing is ever held. */
    sink_init(&k);
    pd_tcp_stream_init(&s, 0);
    syn(&s, &k, 0);
    feed(&s, &k, 0, orig, 10, 5, 2);
    feed(&s, &k, 0, orig, 20, 5, 3);
    assert_int_equal(k.n_gaps, 2);
    assert_int_equal(k.gaps[0], 10);
    assert_int_equal(k.gaps[1], 5);
    assert_int_equal(k.bytes->len, 10);
    assert_null(s.ooo);
    pd_tcp_stream_free(&s);
    sink_free(&k);

    /* The held segment earlier than the new one is the one skipped to,
     * and several rounds may be needed. */
    sink_init(&k);
    pd_tcp_stream_init(&s, 6);
    syn(&s, &k, 0);
    feed(&s, &k, 0, orig, 4, 3, 2);  /* held [4,7) */
    feed(&s, &k, 0, orig, 10, 3, 3); /* held [10,13) */
    feed(&s, &k, 0, orig, 20, 6, 4); /* fits only once both are gone */
    assert_int_equal(k.n_gaps, 2);
    assert_int_equal(k.gaps[0], 4);
    assert_int_equal(k.gaps[1], 3);
    assert_int_equal(k.bytes->len, 6);
    assert_int_equal(s.buffered, 6); /* the new segment, now held alone */
    pd_tcp_stream_flush(&s, 5, 0, on_data, on_gap, &k);
    assert_int_equal(k.n_gaps, 3);
    assert_int_equal(k.gaps[2], 7);
    assert_int_equal(k.bytes->len, 12);
    assert_memory_equal(k.bytes->data, orig + 4, 3);
    assert_memory_equal(k.bytes->data + 3, orig + 10, 3);
    assert_memory_equal(k.bytes->data + 6, orig + 20, 6);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_flush_holes(void **state)
{
    (void)state;
    uint8_t orig[40];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    syn(&s, &k, 77);
    feed(&s, &k, 77, orig, 30, 10, 2);
    feed(&s, &k, 77, orig, 5, 5, 3);
    feed(&s, &k, 77, orig, 12, 8, 4);
    assert_int_equal(k.bytes->len, 0);
    pd_tcp_stream_flush(&s, 50, 0, on_data, on_gap, &k);
    assert_int_equal(k.n_gaps, 3);
    assert_int_equal(k.gaps[0], 5);
    assert_int_equal(k.gaps[1], 2);
    assert_int_equal(k.gaps[2], 10);
    assert_int_equal(k.bytes->len, 23);
    assert_memory_equal(k.bytes->data, orig + 5, 5);
    assert_memory_equal(k.bytes->data + 5, orig + 12, 8);
    assert_memory_equal(k.bytes->data + 13, orig + 30, 10);
    assert_int_equal(s.buffered, 0);
    assert_null(s.ooo);
    /* Flushing again, or an empty stream, does nothing. */
    pd_tcp_stream_flush(&s, 51, 0, on_data, on_gap, &k);
    assert_int_equal(k.n_gaps, 3);
    pd_tcp_stream_free(&s);
    pd_tcp_stream_init(&s, 10);
    pd_tcp_stream_flush(&s, 1, 0, on_data, on_gap, &k);
    pd_tcp_stream_free(&s);
    assert_int_equal(k.n_gaps, 3);
    sink_free(&k);
}

static void test_stream_snaplen(void **state)
{
    (void)state;
    uint8_t orig[100];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    syn(&s, &k, 0);
    /* In order: 4 of 10 bytes captured. */
    pd_tcp_header h = seg_hdr(1, PD_TCP_ACK, orig, 4, 10);
    pd_tcp_stream_add(&s, &h, 2, 0, on_data, on_gap, &k);
    assert_int_equal(k.bytes->len, 4);
    assert_int_equal(k.n_gaps, 1);
    assert_int_equal(k.gaps[0], 6);
    assert_int_equal(s.next_seq, 11);
    /* Out of order: [30,40) with 3 captured is held, then [10,30) fills
     * the hole; the cut tail becomes a gap when reached. */
    h = seg_hdr(31, PD_TCP_ACK, orig + 30, 3, 10);
    pd_tcp_stream_add(&s, &h, 3, 0, on_data, on_gap, &k);
    assert_int_equal(s.buffered, 3);
    h = seg_hdr(41, PD_TCP_ACK, orig + 40, 10, 10);
    pd_tcp_stream_add(&s, &h, 4, 0, on_data, on_gap, &k);
    h = seg_hdr(11, PD_TCP_ACK, orig + 10, 20, 20);
    pd_tcp_stream_add(&s, &h, 5, 0, on_data, on_gap, &k);
    assert_int_equal(k.n_gaps, 2);
    assert_int_equal(k.gaps[1], 7);
    assert_int_equal(k.bytes->len, 4 + 20 + 3 + 10);
    assert_memory_equal(k.bytes->data + 4, orig + 10, 23);
    assert_memory_equal(k.bytes->data + 27, orig + 40, 10);
    assert_int_equal(s.next_seq, 51);
    /* Nothing captured at all (cut at the TCP header): all gap. */
    h = seg_hdr(51, PD_TCP_ACK, NULL, 0, 9);
    pd_tcp_stream_add(&s, &h, 6, 0, on_data, on_gap, &k);
    assert_int_equal(k.n_gaps, 3);
    assert_int_equal(k.gaps[2], 9);
    /* A future cut segment with nothing captured holds nothing. */
    h = seg_hdr(70, PD_TCP_ACK, orig + 69, 0, 5);
    pd_tcp_stream_add(&s, &h, 7, 0, on_data, on_gap, &k);
    assert_int_equal(s.buffered, 0);
    assert_null(s.ooo);
    /* A retransmission overlapping a held cut tail keeps the first copy. */
    h = seg_hdr(81, PD_TCP_ACK, orig + 80, 2, 10); /* [80,82) + cut [82,90) */
    pd_tcp_stream_add(&s, &h, 8, 0, on_data, on_gap, &k);
    h = seg_hdr(86, PD_TCP_ACK, orig + 85, 10, 10); /* [85,95): only [90,95) is new */
    pd_tcp_stream_add(&s, &h, 9, 0, on_data, on_gap, &k);
    assert_int_equal(s.buffered, 7);
    pd_tcp_stream_flush(&s, 10, 0, on_data, on_gap, &k);
    assert_int_equal(s.gap_bytes, 6 + 7 + 9 + 21 + 8);
    assert_int_equal(s.next_seq, 96);
    assert_int_equal(k.bytes->len, 37 + 2 + 5);
    assert_memory_equal(k.bytes->data + 37, orig + 80, 2);
    assert_memory_equal(k.bytes->data + 39, orig + 90, 5);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_free_held(void **state)
{
    (void)state;
    uint8_t orig[64];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    syn(&s, &k, 1);
    feed(&s, &k, 1, orig, 10, 10, 2);
    feed(&s, &k, 1, orig, 30, 10, 3);
    pd_tcp_stream_free(&s); /* ASan checks nothing leaks */
    assert_null(s.ooo);
    assert_int_equal(s.buffered, 0);
    sink_free(&k);
}

static void test_stream_many_tiny_segments(void **state)
{
    (void)state;
    enum { N = 2000 };
    uint8_t orig[2 * N];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    k.orig = orig;
    k.orig_len = sizeof orig;
    /* Plenty of bytes allowed, but one-byte pieces are limited in number
     * (1024) so a crafted capture cannot make each insert walk forever. */
    pd_tcp_stream_init(&s, 1 << 20);
    syn(&s, &k, 42);
    for (size_t i = 0; i < N; i++)
        feed(&s, &k, 42, orig, 2 * i + 1, 1, i + 2);
    assert_int_equal(s.buffered, 1024);
    assert_int_equal(k.n_gaps, N - 1024);
    assert_int_equal(k.bytes->len, N - 1024);
    assert_false(k.mismatch);
    pd_tcp_stream_flush(&s, N + 2, 0, on_data, on_gap, &k);
    assert_int_equal(k.bytes->len, N);
    assert_int_equal(k.gap_total, N);
    assert_false(k.mismatch);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

static void test_stream_huge_lengths(void **state)
{
    (void)state;
    uint8_t orig[16];
    fill_pattern(orig, sizeof orig);
    pd_tcp_stream s;
    sink k;
    sink_init(&k);
    pd_tcp_stream_init(&s, 4096);
    syn(&s, &k, 0);
    /* A claimed wire length near 4 GiB, 8 bytes captured, far ahead:
     * held, then skipped to at flush without sequence confusion. */
    pd_tcp_header h = seg_hdr(1 + 0x40000000u, PD_TCP_ACK, orig, 8, (size_t)0xfffffff0u);
    pd_tcp_stream_add(&s, &h, 2, 0, on_data, on_gap, &k);
    assert_int_equal(s.buffered, 8);
    feed(&s, &k, 0, orig, 0, 4, 3);
    assert_int_equal(k.bytes->len, 4);
    pd_tcp_stream_flush(&s, 4, 0, on_data, on_gap, &k);
    assert_int_equal(k.bytes->len, 12);
    assert_memory_equal(k.bytes->data + 4, orig, 8);
    assert_int_equal(s.delivered + s.gap_bytes, 0x7fffffffu);
    assert_null(s.ooo);
    pd_tcp_stream_free(&s);
    sink_free(&k);
}

/* Seeded: 200 permutations of a 20-segment stream, with duplicates and
 * overlapping retransmissions, ISNs around the wrap. With room for
 * everything the output must equal the stream; with a small cap every
 * delivered byte must still sit at its right offset. */
static void test_stream_random(void **state)
{
    (void)state;
    enum { SEGS = 20, MAXSEG = 40, EXTRA = 10 };
    GRand *rng = g_rand_new_with_seed(0x5eed1723u);
    uint8_t orig[SEGS * MAXSEG];

    for (int round = 0; round < 200; round++) {
        /* Cut the stream into 20 segments of 1..40 bytes. */
        size_t off[SEGS + EXTRA], len[SEGS + EXTRA], total = 0;
        for (int i = 0; i < SEGS; i++) {
            off[i] = total;
            len[i] = (size_t)g_rand_int_range(rng, 1, MAXSEG + 1);
            total += len[i];
        }
        for (size_t i = 0; i < total; i++)
            orig[i] = (uint8_t)g_rand_int(rng);
        /* Duplicates and overlapping retransmissions of random ranges. */
        int n = SEGS;
        for (int e = 0; e < EXTRA; e++, n++) {
            if (e % 2 == 0) {
                int j = g_rand_int_range(rng, 0, SEGS);
                off[n] = off[j];
                len[n] = len[j];
            } else {
                size_t a = (size_t)g_rand_int_range(rng, 0, (gint32)total);
                size_t b = (size_t)g_rand_int_range(rng, (gint32)a + 1, (gint32)total + 1);
                off[n] = a;
                len[n] = b - a;
            }
        }
        /* Shuffle (Fisher-Yates). */
        int order[SEGS + EXTRA];
        for (int i = 0; i < n; i++)
            order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = g_rand_int_range(rng, 0, i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        uint32_t isn = (round % 3 == 0) ? 0xffffffffu - (uint32_t)g_rand_int_range(rng, 0, 600)
                                        : g_rand_int(rng);

        for (int capmode = 0; capmode < 2; capmode++) {
            size_t cap = capmode == 0 ? total : (size_t)g_rand_int_range(rng, 0, 80);
            pd_tcp_stream s;
            sink k;
            sink_init(&k);
            k.orig = orig;
            k.orig_len = total;
            pd_tcp_stream_init(&s, cap);
            syn(&s, &k, isn);
            for (int i = 0; i < n; i++) {
                feed(&s, &k, isn, orig, off[order[i]], len[order[i]], (uint64_t)i + 2);
                assert_true(s.buffered <= cap);
            }
            pd_tcp_stream_flush(&s, 1000, 0, on_data, on_gap, &k);
            assert_false(k.mismatch);
            assert_int_equal(k.pos, total);
            assert_int_equal(s.delivered + s.gap_bytes, total);
            assert_int_equal(s.next_seq, isn + 1 + (uint32_t)total);
            assert_int_equal(s.delivered, k.bytes->len);
            if (capmode == 0) {
                assert_int_equal(k.bytes->len, total);
                assert_memory_equal(k.bytes->data, orig, total);
                assert_int_equal(k.n_gaps, 0);
            }
            pd_tcp_stream_free(&s);
            sink_free(&k);
        }
    }
    g_rand_free(rng);
}

/* ==== connection state ==== */

static pd_tcp_header flags_hdr(uint8_t flags)
{
    return seg_hdr(0, flags, NULL, 0, 0);
}

static void upd(pd_tcp_conn *c, uint8_t flags, bool from_client, uint64_t frame)
{
    pd_tcp_header h = flags_hdr(flags);
    pd_tcp_conn_update(c, &h, from_client, frame, (int64_t)frame * 1000000);
}

static void test_conn_handshake(void **state)
{
    (void)state;
    pd_tcp_conn c;
    memset(&c, 0, sizeof c);
    assert_int_equal(c.state, PD_TCP_NONE);
    upd(&c, PD_TCP_SYN, true, 1);
    assert_int_equal(c.state, PD_TCP_SYN_SENT);
    assert_int_equal(c.rst_from, -1);
    upd(&c, PD_TCP_SYN, true, 4); /* retransmitted */
    upd(&c, PD_TCP_SYN, true, 9);
    assert_int_equal(c.syn_count, 3);
    assert_int_equal(c.first_syn_frame, 1);
    assert_int_equal(c.last_syn_frame, 9);
    assert_int_equal(c.first_syn_ts_ns, 1000000);
    assert_int_equal(c.last_syn_ts_ns, 9000000);
    upd(&c, PD_TCP_SYN | PD_TCP_ACK, false, 10);
    assert_int_equal(c.state, PD_TCP_SYN_RECEIVED);
    assert_int_equal(c.synack_frame, 10);
    upd(&c, PD_TCP_SYN | PD_TCP_ACK, false, 11); /* retransmitted SYN/ACK */
    assert_int_equal(c.synack_frame, 10);
    upd(&c, PD_TCP_ACK, true, 12);
    assert_int_equal(c.state, PD_TCP_ESTABLISHED);
    assert_false(c.midstream);
    assert_string_equal(pd_tcp_conn_state_name(c.state), "established");

    upd(&c, PD_TCP_FIN | PD_TCP_ACK, true, 20);
    assert_int_equal(c.state, PD_TCP_CLOSING);
    assert_int_equal(c.fin_frame[0], 20);
    upd(&c, PD_TCP_FIN | PD_TCP_ACK, true, 21); /* retransmitted FIN */
    assert_int_equal(c.fin_frame[0], 20);
    assert_int_equal(c.state, PD_TCP_CLOSING);
    upd(&c, PD_TCP_FIN | PD_TCP_ACK, false, 22);
    assert_int_equal(c.state, PD_TCP_CLOSED);
    assert_int_equal(c.fin_frame[1], 22);
    /* An RST after both FINs is an abortive close, not a reset. */
    upd(&c, PD_TCP_RST, true, 23);
    assert_int_equal(c.state, PD_TCP_CLOSED);
    assert_int_equal(c.rst_frame, 23);
    assert_int_equal(c.rst_from, 0);
}

static void test_conn_refused(void **state)
{
    (void)state;
    pd_tcp_conn c;
    memset(&c, 0, sizeof c);
    /* 692/807: SYN, SYN again, RST/ACK from the server (or a firewall). */
    upd(&c, PD_TCP_SYN, true, 1);
    upd(&c, PD_TCP_SYN, true, 2);
    upd(&c, PD_TCP_RST | PD_TCP_ACK, false, 3);
    assert_int_equal(c.state, PD_TCP_REFUSED);
    assert_int_equal(c.rst_frame, 3);
    assert_int_equal(c.rst_from, 1);
    assert_int_equal(c.syn_count, 2);
    assert_string_equal(pd_tcp_conn_state_name(c.state), "refused");
    upd(&c, PD_TCP_RST | PD_TCP_ACK, false, 4);
    assert_int_equal(c.state, PD_TCP_REFUSED);
    assert_int_equal(c.rst_frame, 4);
    /* A new SYN on the same ports tries again, and can be refused again. */
    upd(&c, PD_TCP_SYN, true, 5);
    assert_int_equal(c.state, PD_TCP_SYN_SENT);
    assert_int_equal(c.syn_count, 3);
    assert_int_equal(c.first_syn_frame, 1);
    upd(&c, PD_TCP_RST | PD_TCP_ACK, false, 6);
    assert_int_equal(c.state, PD_TCP_REFUSED);
    assert_int_equal(c.rst_frame, 6);
    assert_int_equal(c.synack_frame, 0);
}

static void test_conn_reset(void **state)
{
    (void)state;
    pd_tcp_conn c;
    memset(&c, 0, sizeof c);
    upd(&c, PD_TCP_SYN, true, 1);
    upd(&c, PD_TCP_SYN | PD_TCP_ACK, false, 2);
    upd(&c, PD_TCP_ACK, true, 3);
    upd(&c, PD_TCP_ACK | PD_TCP_PSH, true, 4);
    upd(&c, PD_TCP_RST | PD_TCP_ACK, false, 5);
    assert_int_equal(c.state, PD_TCP_RESET);
    assert_int_equal(c.rst_frame, 5);
    assert_int_equal(c.rst_from, 1);
    assert_string_equal(pd_tcp_conn_state_name(c.state), "reset");
    /* A RST from the client while the SYN is pending is no refusal. */
    memset(&c, 0, sizeof c);
    upd(&c, PD_TCP_SYN, true, 1);
    upd(&c, PD_TCP_RST, true, 2);
    assert_int_equal(c.state, PD_TCP_RESET);
    assert_int_equal(c.rst_from, 0);
    /* Reset during closing. */
    memset(&c, 0, sizeof c);
    upd(&c, PD_TCP_SYN, true, 1);
    upd(&c, PD_TCP_SYN | PD_TCP_ACK, false, 2);
    upd(&c, PD_TCP_ACK, true, 3);
    upd(&c, PD_TCP_FIN | PD_TCP_ACK, false, 4);
    assert_int_equal(c.state, PD_TCP_CLOSING);
    upd(&c, PD_TCP_RST, true, 5);
    assert_int_equal(c.state, PD_TCP_RESET);
}

static void test_conn_midstream(void **state)
{
    (void)state;
    pd_tcp_conn c;
    memset(&c, 0, sizeof c);
    upd(&c, PD_TCP_ACK | PD_TCP_PSH, false, 7);
    assert_true(c.midstream);
    assert_int_equal(c.state, PD_TCP_ESTABLISHED);
    assert_int_equal(c.rst_from, -1);
    assert_int_equal(c.syn_count, 0);
    upd(&c, PD_TCP_FIN | PD_TCP_ACK, false, 8);
    assert_int_equal(c.state, PD_TCP_CLOSING);
    assert_int_equal(c.fin_frame[1], 8);

    /* First packet a RST: seen mid-stream, reset. */
    memset(&c, 0, sizeof c);
    upd(&c, PD_TCP_RST, false, 3);
    assert_true(c.midstream);
    assert_int_equal(c.state, PD_TCP_RESET);
    assert_int_equal(c.rst_from, 1);

    /* SYN/ACK first (the client's SYN not captured). */
    memset(&c, 0, sizeof c);
    upd(&c, PD_TCP_SYN | PD_TCP_ACK, false, 3);
    assert_int_equal(c.state, PD_TCP_SYN_RECEIVED);
    assert_int_equal(c.synack_frame, 3);
    assert_int_equal(c.syn_count, 0);
    upd(&c, PD_TCP_ACK, true, 4);
    assert_int_equal(c.state, PD_TCP_ESTABLISHED);

    /* SYN then the client's ACK, SYN/ACK missed by the capture. */
    memset(&c, 0, sizeof c);
    upd(&c, PD_TCP_SYN, true, 1);
    upd(&c, PD_TCP_ACK, true, 2);
    assert_int_equal(c.state, PD_TCP_ESTABLISHED);
    assert_false(c.midstream);
}

static void test_conn_state_names(void **state)
{
    (void)state;
    static const struct {
        pd_tcp_conn_state s;
        const char *name;
    } names[] = {
        { PD_TCP_NONE, "none" },
        { PD_TCP_SYN_SENT, "syn-sent" },
        { PD_TCP_REFUSED, "refused" },
        { PD_TCP_SYN_RECEIVED, "syn-received" },
        { PD_TCP_ESTABLISHED, "established" },
        { PD_TCP_CLOSING, "closing" },
        { PD_TCP_CLOSED, "closed" },
        { PD_TCP_RESET, "reset" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_string_equal(pd_tcp_conn_state_name(names[i].s), names[i].name);
    assert_string_equal(pd_tcp_conn_state_name((pd_tcp_conn_state)99), "unknown");

    pd_tcp_conn c;
    memset(&c, 0, sizeof c);
    upd(&c, PD_TCP_SYN, true, 1);
    assert_string_equal(pd_tcp_conn_state_name(c.state), "syn-sent");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_plain),
        cmocka_unit_test(test_decode_options),
        cmocka_unit_test(test_decode_truncated_every_offset),
        cmocka_unit_test(test_decode_bad_offset),
        cmocka_unit_test(test_decode_lengths),
        cmocka_unit_test(test_stream_in_order),
        cmocka_unit_test(test_stream_syn_data_and_rst),
        cmocka_unit_test(test_stream_midstream_join),
        cmocka_unit_test(test_stream_out_of_order),
        cmocka_unit_test(test_stream_retransmission),
        cmocka_unit_test(test_stream_partial_overlaps),
        cmocka_unit_test(test_stream_wraparound),
        cmocka_unit_test(test_stream_gap_by_cap),
        cmocka_unit_test(test_stream_cap_small),
        cmocka_unit_test(test_stream_flush_holes),
        cmocka_unit_test(test_stream_snaplen),
        cmocka_unit_test(test_stream_free_held),
        cmocka_unit_test(test_stream_many_tiny_segments),
        cmocka_unit_test(test_stream_huge_lengths),
        cmocka_unit_test(test_stream_random),
        cmocka_unit_test(test_conn_handshake),
        cmocka_unit_test(test_conn_refused),
        cmocka_unit_test(test_conn_reset),
        cmocka_unit_test(test_conn_midstream),
        cmocka_unit_test(test_conn_state_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
