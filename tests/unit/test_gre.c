/* test_gre.c - GRE and PPTP enhanced GRE decoding, sequence tracking.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "gre.h"

/* Enhanced GRE with S and A: K|S, A|ver 1, 0x880B, payload 8, call 0x4001,
 * seq 5, ack 4; then 8 bytes of PPP (LCP Echo-Request header). */
static const uint8_t gre_seq_ack[] = {
    0x30, 0x81, 0x88, 0x0b, 0x00, 0x08, 0x40, 0x01,
    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04,
    0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x04,
};

/* With S only (the first packets of a call carry no ack). */
static const uint8_t gre_seq[] = {
    0x30, 0x01, 0x88, 0x0b, 0x00, 0x04, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00,
    0xfd, 0x90, 0x00, 0x11,
};

/* Ack-only: K, A, no payload, no sequence number. */
static const uint8_t gre_ack_only[] = {
    0x20, 0x81, 0x88, 0x0b, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x07,
};

/* Plain RFC 2784 GRE carrying IPv4 (4 bytes shown). */
static const uint8_t gre_v0[] = { 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x14 };
/* RFC 2784 + 2890: checksum, key 42, sequence 9 */
static const uint8_t gre_v0_all[] = {
    0xb0, 0x00, 0x08, 0x00, 0xab, 0xcd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,
    0x00, 0x00, 0x00, 0x09, 0x45, 0x00,
};

static pd_gre_status decode_exact(const uint8_t *data, size_t caplen, size_t wire, pd_gre *g)
{
    uint8_t *copy = g_memdup2(data, caplen ? caplen : 1);
    pd_gre_status s = pd_gre_decode(caplen ? copy : NULL, caplen, wire, g);
    /* the payload pointer must lie inside the buffer */
    if (g->payload) {
        assert_true(g->payload >= copy);
        assert_true(g->payload + g->payload_len <= copy + caplen);
    }
    g_free(copy);
    return s;
}

static void test_enhanced_seq_ack(void **state)
{
    (void)state;
    pd_gre g;
    assert_int_equal(decode_exact(gre_seq_ack, sizeof gre_seq_ack, sizeof gre_seq_ack, &g),
                     PD_GRE_OK);
    assert_int_equal(g.version, 1);
    assert_true(g.k && g.s && g.a);
    assert_false(g.c || g.r || g.strict_route);
    assert_int_equal(g.recur, 0);
    assert_int_equal(g.flags, 0);
    assert_int_equal(g.protocol, PD_GRE_PROTO_PPP);
    assert_int_equal(g.payload_length, 8);
    assert_int_equal(g.call_id, 0x4001);
    assert_true(g.has_seq && g.has_ack);
    assert_int_equal(g.seq, 5);
    assert_int_equal(g.ack, 4);
    assert_int_equal(g.header_len, 16);
    assert_int_equal(g.payload_len, 8);
    assert_int_equal(g.payload_wire_len, 8);
    assert_int_equal(g.len_check, PD_GRE_LEN_OK);
    assert_int_equal(g.anomalies, 0);
    char line[128];
    pd_gre_describe(&g, line, sizeof line);
    assert_string_equal(line, "GRE call 16385 seq 5 ack 4 len 8");
}

static void test_enhanced_seq_only_and_ack_only(void **state)
{
    (void)state;
    pd_gre g;
    assert_int_equal(decode_exact(gre_seq, sizeof gre_seq, sizeof gre_seq, &g), PD_GRE_OK);
    assert_true(g.has_seq);
    assert_false(g.has_ack);
    assert_int_equal(g.seq, 0);
    assert_int_equal(g.header_len, 12);
    assert_int_equal(g.payload_len, 4);
    assert_int_equal(g.call_id, 0x1234);

    assert_int_equal(decode_exact(gre_ack_only, sizeof gre_ack_only, sizeof gre_ack_only, &g),
                     PD_GRE_OK);
    assert_false(g.has_seq);
    assert_true(g.has_ack);
    assert_int_equal(g.ack, 7);
    assert_int_equal(g.payload_length, 0);
    assert_int_equal(g.payload_len, 0);
    assert_int_equal(g.len_check, PD_GRE_LEN_OK);
    char line[128];
    pd_gre_describe(&g, line, sizeof line);
    assert_string_equal(line, "GRE call 4660 ack 7 len 0 (ack only)");
}

static void test_version0(void **state)
{
    (void)state;
    pd_gre g;
    assert_int_equal(decode_exact(gre_v0, sizeof gre_v0, sizeof gre_v0, &g), PD_GRE_OK);
    assert_int_equal(g.version, 0);
    assert_int_equal(g.protocol, 0x0800);
    assert_int_equal(g.header_len, 4);
    assert_int_equal(g.payload_len, 4);
    assert_int_equal(g.len_check, PD_GRE_LEN_NONE);

    assert_int_equal(decode_exact(gre_v0_all, sizeof gre_v0_all, sizeof gre_v0_all, &g), PD_GRE_OK);
    assert_true(g.has_checksum && g.has_key && g.has_seq);
    assert_false(g.has_ack);
    assert_int_equal(g.checksum, 0xabcd);
    assert_int_equal(g.key, 42);
    assert_int_equal(g.seq, 9);
    assert_int_equal(g.header_len, 16);
    assert_int_equal(g.payload_len, 2);

    /* A in version 0 is reserved: flagged, no ack read */
    uint8_t b[sizeof gre_v0];
    memcpy(b, gre_v0, sizeof b);
    b[1] = 0x80;
    assert_int_equal(decode_exact(b, sizeof b, sizeof b, &g), PD_GRE_OK);
    assert_false(g.has_ack);
    assert_true(g.anomalies & PD_GRE_ANOM_V0_ACK_BIT);
}

static void test_routing(void **state)
{
    (void)state;
    /* RFC 1701: R set -> checksum/offset present, one SRE (AF 0x0800, 4
     * bytes), then the terminating SRE; payload 2 bytes. */
    static const uint8_t r[] = {
        0x40, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x45, 0x00,
    };
    pd_gre g;
    assert_int_equal(decode_exact(r, sizeof r, sizeof r, &g), PD_GRE_OK);
    assert_int_equal(g.header_len, 20);
    assert_int_equal(g.payload_len, 2);
    assert_true(g.anomalies & PD_GRE_ANOM_ROUTING);
    /* no terminator: malformed on the wire, truncated when cut */
    assert_int_equal(decode_exact(r, 16, 16, &g), PD_GRE_MALFORMED);
    assert_int_equal(decode_exact(r, 16, sizeof r, &g), PD_GRE_TRUNCATED);
    /* SRE length pointing far beyond */
    uint8_t b[sizeof r];
    memcpy(b, r, sizeof b);
    b[11] = 0xff;
    assert_int_equal(decode_exact(b, sizeof b, sizeof b, &g), PD_GRE_MALFORMED);
}

static void test_bad_version_and_v1_rules(void **state)
{
    (void)state;
    pd_gre g;
    uint8_t b[sizeof gre_seq_ack];

    for (uint8_t v = 2; v < 8; v++) {
        memcpy(b, gre_seq_ack, sizeof b);
        b[1] = (uint8_t)(0x80 | v);
        assert_int_equal(decode_exact(b, sizeof b, sizeof b, &g), PD_GRE_BAD_VERSION);
        assert_int_equal(g.version, v);
    }

    /* version 1 without K: no call ID */
    memcpy(b, gre_seq_ack, sizeof b);
    b[0] = 0x10;
    assert_int_equal(decode_exact(b, sizeof b, sizeof b, &g), PD_GRE_MALFORMED);
    assert_true(g.anomalies & PD_GRE_ANOM_V1_NO_KEY);
    assert_false(g.has_key);

    /* reserved bits and a protocol type other than PPP */
    memcpy(b, gre_seq_ack, sizeof b);
    b[0] |= 0x08; /* s */
    b[1] |= 0x08; /* a flag bit */
    b[2] = 0x08;
    b[3] = 0x00;
    assert_int_equal(decode_exact(b, sizeof b, sizeof b, &g), PD_GRE_OK);
    assert_true(g.anomalies & PD_GRE_ANOM_V1_RESERVED_BITS);
    assert_true(g.anomalies & PD_GRE_ANOM_V1_NOT_PPP);
    assert_int_equal(g.flags, 1);
    assert_true(g.strict_route);
}

static void test_length_check(void **state)
{
    (void)state;
    pd_gre g;
    const size_t n = sizeof gre_seq_ack;

    /* snaplen cut: wire has all 8 payload bytes, capture kept 3 */
    assert_int_equal(decode_exact(gre_seq_ack, 19, n, &g), PD_GRE_OK);
    assert_int_equal(g.len_check, PD_GRE_LEN_SNAPLEN_CUT);
    assert_int_equal(g.payload_len, 3);
    assert_int_equal(g.payload_wire_len, 8);
    assert_int_equal(g.anomalies & PD_GRE_ANOM_LEN_MISMATCH, 0);

    /* the field says 8 but the wire carried 12: FIELD_SHORT, payload 8 */
    uint8_t big[28];
    memcpy(big, gre_seq_ack, n);
    memset(big + n, 0xee, 4);
    assert_int_equal(decode_exact(big, sizeof big, sizeof big, &g), PD_GRE_OK);
    assert_int_equal(g.len_check, PD_GRE_LEN_FIELD_SHORT);
    assert_int_equal(g.payload_len, 8);
    assert_true(g.anomalies & PD_GRE_ANOM_LEN_MISMATCH);

    /* the field says 8 but only 5 were on the wire: FIELD_LONG */
    assert_int_equal(decode_exact(gre_seq_ack, 21, 21, &g), PD_GRE_OK);
    assert_int_equal(g.len_check, PD_GRE_LEN_FIELD_LONG);
    assert_int_equal(g.payload_len, 5);

    /* maximum payload length with nothing behind it */
    uint8_t b[16];
    memcpy(b, gre_seq_ack, 16);
    b[4] = 0xff;
    b[5] = 0xff;
    assert_int_equal(decode_exact(b, 16, 16, &g), PD_GRE_OK);
    assert_int_equal(g.payload_length, 65535);
    assert_int_equal(g.payload_len, 0);
    assert_int_equal(g.len_check, PD_GRE_LEN_FIELD_LONG);

    /* wire_len below caplen is taken as caplen */
    assert_int_equal(decode_exact(gre_seq_ack, n, 0, &g), PD_GRE_OK);
    assert_int_equal(g.len_check, PD_GRE_LEN_OK);
}

/* Truncation at every length: TRUNCATED when the wire had more, MALFORMED
 * when the packet really was that short; never an overread. */
static void check_cuts(const uint8_t *p, size_t n, size_t header_len)
{
    for (size_t len = 0; len < n; len++) {
        pd_gre g;
        pd_gre_status s = decode_exact(p, len, n, &g);
        if (len < header_len)
            assert_int_equal(s, PD_GRE_TRUNCATED);
        else
            assert_int_equal(s, PD_GRE_OK);
        s = decode_exact(p, len, len, &g);
        if (len < header_len)
            assert_int_equal(s, PD_GRE_MALFORMED);
    }
}

static void test_truncation(void **state)
{
    (void)state;
    check_cuts(gre_seq_ack, sizeof gre_seq_ack, 16);
    check_cuts(gre_seq, sizeof gre_seq, 12);
    check_cuts(gre_ack_only, sizeof gre_ack_only, 12);
    check_cuts(gre_v0, sizeof gre_v0, 4);
    check_cuts(gre_v0_all, sizeof gre_v0_all, 16);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(pd_gre_status_name(PD_GRE_BAD_VERSION), "bad version");
    assert_string_equal(pd_gre_len_check_name(PD_GRE_LEN_SNAPLEN_CUT), "snaplen_cut");
    assert_string_equal(pd_gre_anomaly_name(PD_GRE_ANOM_V1_NO_KEY), "v1_no_key");
    assert_string_equal(pd_gre_anomaly_name(PD_GRE_ANOM_LEN_MISMATCH), "length_mismatch");
    assert_string_equal(pd_gre_anomaly_name(0x8000), "unknown");
    char line[8];
    pd_gre g;
    decode_exact(gre_seq_ack, sizeof gre_seq_ack, sizeof gre_seq_ack, &g);
    assert_int_equal(pd_gre_describe(&g, line, sizeof line), 7);
    assert_string_equal(line, "GRE cal");
}

/* ---- sequence tracker ------------------------------------------------------------ */

static pd_gre with_seq(uint32_t seq)
{
    pd_gre g = { 0 };
    g.version = 1;
    g.k = g.s = g.has_key = g.has_seq = true;
    g.seq = seq;
    g.payload_length = 20;
    return g;
}

static pd_gre ack_only(uint32_t ack)
{
    pd_gre g = { 0 };
    g.version = 1;
    g.k = g.a = g.has_key = g.has_ack = true;
    g.ack = ack;
    return g;
}

static void feed_seqs(pd_gre_seq_tracker *t, const uint32_t *seqs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pd_gre g = with_seq(seqs[i]);
        pd_gre_seq_update(t, &g, i + 1);
    }
}

static void test_seq_in_order(void **state)
{
    (void)state;
    pd_gre_seq_tracker t;
    pd_gre_seq_init(&t);
    const uint32_t s[] = { 0, 1, 2, 3, 4 };
    feed_seqs(&t, s, G_N_ELEMENTS(s));
    assert_int_equal(t.packets, 5);
    assert_int_equal(t.payload_packets, 5);
    assert_int_equal(t.lost, 0);
    assert_int_equal(t.reordered, 0);
    assert_int_equal(t.duplicates, 0);
    assert_int_equal(t.first_seq, 0);
    assert_int_equal(t.last_seq, 4);
    assert_int_equal(t.first_frame, 1);
    assert_int_equal(t.last_seq_frame, 5);
    assert_true(pd_gre_seq_ack_beyond(&t, 5));
    assert_false(pd_gre_seq_ack_beyond(&t, 4));
    assert_false(pd_gre_seq_ack_beyond(&t, 0));
}

static void test_seq_loss_reorder_dup(void **state)
{
    (void)state;
    pd_gre_seq_tracker t;
    pd_gre_seq_init(&t);
    /* 3 and 6,7 missing; 3 arrives late; 5 twice; 2 again (old dup) */
    const uint32_t s[] = { 1, 2, 4, 5, 3, 5, 8, 2 };
    feed_seqs(&t, s, G_N_ELEMENTS(s));
    assert_int_equal(t.lost, 2);      /* 6 and 7 */
    assert_int_equal(t.reordered, 1); /* 3 */
    assert_int_equal(t.duplicates, 2);
    assert_int_equal(t.last_seq, 8);
    assert_int_equal(t.jumps, 0);
}

static void test_seq_wrap_and_jump(void **state)
{
    (void)state;
    pd_gre_seq_tracker t;
    pd_gre_seq_init(&t);
    const uint32_t s[] = { 0xfffffffe, 0xffffffff, 0, 1 };
    feed_seqs(&t, s, G_N_ELEMENTS(s));
    assert_int_equal(t.lost, 0);
    assert_int_equal(t.reordered, 0);
    assert_int_equal(t.last_seq, 1);

    pd_gre_seq_init(&t);
    const uint32_t j[] = { 10, 11, 11 + PD_GRE_SEQ_MAX_JUMP, 12 + PD_GRE_SEQ_MAX_JUMP, 0, 1 };
    feed_seqs(&t, j, G_N_ELEMENTS(j));
    assert_int_equal(t.jumps, 2); /* forward jump, then the restart at 0 */
    assert_int_equal(t.lost, 0);
    assert_int_equal(t.last_seq, 1);

    /* a gap of 100 is loss, then a late packet far below the window */
    pd_gre_seq_init(&t);
    const uint32_t g[] = { 0, 101, 1 };
    feed_seqs(&t, g, G_N_ELEMENTS(g));
    assert_int_equal(t.lost, 99);
    assert_int_equal(t.reordered, 1);
}

static void test_seq_acks(void **state)
{
    (void)state;
    pd_gre_seq_tracker t;
    pd_gre_seq_init(&t);
    pd_gre a = ack_only(3);
    pd_gre_seq_update(&t, &a, 1);
    a = ack_only(2); /* older ack: last_ack stays */
    pd_gre_seq_update(&t, &a, 2);
    a = ack_only(9);
    pd_gre_seq_update(&t, &a, 3);
    pd_gre empty = { 0 };
    empty.version = 1;
    empty.has_key = true;
    pd_gre_seq_update(&t, &empty, 4); /* neither payload nor ack */
    assert_int_equal(t.packets, 4);
    assert_int_equal(t.ack_only, 3);
    assert_int_equal(t.with_ack, 3);
    assert_int_equal(t.payload_packets, 0);
    assert_true(t.have_ack);
    assert_false(t.have_seq);
    assert_int_equal(t.first_ack, 3);
    assert_int_equal(t.last_ack, 9);
    assert_false(pd_gre_seq_ack_beyond(&t, 100)); /* nothing sent: cannot say */

    /* from real bytes */
    pd_gre g;
    pd_gre_seq_init(&t);
    decode_exact(gre_seq_ack, sizeof gre_seq_ack, sizeof gre_seq_ack, &g);
    pd_gre_seq_update(&t, &g, 1);
    decode_exact(gre_ack_only, sizeof gre_ack_only, sizeof gre_ack_only, &g);
    pd_gre_seq_update(&t, &g, 2);
    assert_int_equal(t.payload_packets, 1);
    assert_int_equal(t.ack_only, 1);
    assert_int_equal(t.last_ack, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enhanced_seq_ack),
        cmocka_unit_test(test_enhanced_seq_only_and_ack_only),
        cmocka_unit_test(test_version0),
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_bad_version_and_v1_rules),
        cmocka_unit_test(test_length_check),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_seq_in_order),
        cmocka_unit_test(test_seq_loss_reorder_dup),
        cmocka_unit_test(test_seq_wrap_and_jump),
        cmocka_unit_test(test_seq_acks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
