/* test_l2tp.c - L2TP message decoder (RFC 2661 L2TPv2; RFC 3931 L2TPv3
 * recognised): header flag combinations, offset padding, ZLBs, AVP walking
 * and its length edge cases, hidden and vendor AVPs, result codes in words,
 * ladder lines, truncation at every length.
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

#include "l2tp.h"

/* ---- byte fixtures (hand-written from RFC 2661 sections 3.1 and 4) -------- */

/* SCCRQ as xl2tpd sends it: T L S, version 2, Length 103, tunnel 0,
 * session 0, Ns 0, Nr 0; Message Type 1, Protocol Version 1.0, Framing
 * Caps sync+async, Bearer Caps none, Firmware 0x0690, Host Name "client",
 * Vendor Name "xelerance.com", Assigned Tunnel 12, Receive Window 4. */
static const uint8_t sccrq[103] = {
    0xc8, 0x02, 0x00, 0x67, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,             /* Message Type SCCRQ */
    0x80, 0x08, 0x00, 0x00, 0x00, 0x02, 0x01, 0x00,             /* Protocol Version 1.0 */
    0x80, 0x0a, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, /* Framing Caps */
    0x80, 0x0a, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* Bearer Caps */
    0x00, 0x08, 0x00, 0x00, 0x00, 0x06, 0x06, 0x90,             /* Firmware */
    0x80, 0x0c, 0x00, 0x00, 0x00, 0x07, 'c', 'l', 'i', 'e', 'n', 't',
    0x00, 0x13, 0x00, 0x00, 0x00, 0x08, 'x', 'e', 'l', 'e', 'r', 'a', 'n', 'c', 'e', '.', 'c',
    'o', 'm',
    0x80, 0x08, 0x00, 0x00, 0x00, 0x09, 0x00, 0x0c,             /* Assigned Tunnel 12 */
    0x80, 0x08, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x04,             /* Receive Window 4 */
};

/* StopCCN to tunnel 7, Ns 1 Nr 1: Message Type 4, Assigned Tunnel 12,
 * Result Code 2 (general error), Error 6 (vendor-specific), "no peer". */
static const uint8_t stopccn[51] = {
    0xc8, 0x02, 0x00, 0x33, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
    0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
    0x80, 0x08, 0x00, 0x00, 0x00, 0x09, 0x00, 0x0c,
    0x80, 0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x06, 'n', 'o', ' ', 'p', 'e', 'e',
    'r',
    0x80, 0x06, 0x00, 0x00, 0x00, 0x27, /* Sequencing Required (no value) */
};

/* CDN to tunnel 7 session 9, Ns 3 Nr 2: Message Type 14, Result Code 3
 * (administrative) with Error 0, Assigned Session 3, Q.931 cause 16 msg 0x5a. */
static const uint8_t cdn[51] = {
    0xc8, 0x02, 0x00, 0x33, 0x00, 0x07, 0x00, 0x09, 0x00, 0x03, 0x00, 0x02,
    0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e,
    0x80, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00,
    0x80, 0x08, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x03,
    0x00, 0x0d, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x10, 0x5a, 'b', 'u', 's', 'y',
};

/* ZLB to tunnel 7: header only, Ns 2 Nr 1. */
static const uint8_t zlb[12] = {
    0xc8, 0x02, 0x00, 0x0c, 0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
};

/* ICRQ with a hidden Assigned Session (H bit, encrypted value), a Random
 * Vector, and a Cisco (vendor 9) AVP. */
static const uint8_t icrq_hidden[52] = {
    0xc8, 0x02, 0x00, 0x34, 0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,
    0x80, 0x0a, 0x00, 0x00, 0x00, 0x24, 0xde, 0xad, 0xbe, 0xef, /* Random Vector */
    0xc0, 0x0a, 0x00, 0x00, 0x00, 0x0e, 0x12, 0x34, 0x56, 0x78, /* hidden Assigned Session */
    0x00, 0x0c, 0x00, 0x09, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, /* vendor AVP */
};

/* Data message, no L/S/O: tunnel 7 session 9, PPP LCP Configure-Request id 1, no options. */
static const uint8_t data_lcp[14] = {
    0x00, 0x02, 0x00, 0x07, 0x00, 0x09, 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04,
};

/* ---- helpers ----------------------------------------------------------------- */

/* Decode from an exact-size heap copy, so ASan sees any overread. */
static pd_l2tp_status decode_exact(const uint8_t *data, size_t caplen, size_t wire,
                                   pd_l2tp_msg *m)
{
    uint8_t *copy = caplen ? g_memdup2(data, caplen) : NULL;
    pd_l2tp_status s = pd_l2tp_decode(copy, caplen, wire, m);
    g_free(copy);
    return s;
}

/* decode_exact leaves pointers into freed memory: for checks on text and
 * payload, decode in place. */
static pd_l2tp_status decode(const uint8_t *data, size_t len, pd_l2tp_msg *m)
{
    return pd_l2tp_decode(data, len, len, m);
}

typedef struct buf {
    uint8_t b[2048];
    size_t n;
} buf;

static void put16(buf *b, uint16_t v)
{
    b->b[b->n++] = (uint8_t)(v >> 8);
    b->b[b->n++] = (uint8_t)v;
}

static void put_bytes(buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

/* A control header with T L S (Length patched by ctrl_end). */
static void ctrl_begin(buf *b, uint16_t tunnel, uint16_t session, uint16_t ns, uint16_t nr)
{
    b->n = 0;
    put16(b, 0xc802);
    put16(b, 0);
    put16(b, tunnel);
    put16(b, session);
    put16(b, ns);
    put16(b, nr);
}

static void ctrl_end(buf *b)
{
    b->b[2] = (uint8_t)(b->n >> 8);
    b->b[3] = (uint8_t)b->n;
}

static void avp(buf *b, uint16_t flags, uint16_t vendor, uint16_t type, const void *v, size_t n)
{
    put16(b, (uint16_t)(flags | (6 + n)));
    put16(b, vendor);
    put16(b, type);
    put_bytes(b, v, n);
}

static void avp16(buf *b, uint16_t type, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    avp(b, PD_L2TP_AVP_M, 0, type, x, 2);
}

/* ---- tests -------------------------------------------------------------------- */

static void test_sccrq(void **state)
{
    (void)state;
    pd_l2tp_msg m;
    assert_int_equal(decode(sccrq, sizeof sccrq, &m), PD_L2TP_OK);
    assert_int_equal(m.anomalies, 0);
    assert_int_equal(m.version, 2);
    assert_true(m.is_control && m.has_length && m.has_seq);
    assert_false(m.has_offset || m.priority || m.zlb);
    assert_int_equal(m.length, 103);
    assert_int_equal(m.header_len, 12);
    assert_int_equal(m.tunnel_id, 0);
    assert_int_equal(m.ns, 0);
    assert_true(m.has_msg_type);
    assert_int_equal(m.msg_type, PD_L2TP_SCCRQ);
    assert_int_equal(m.n_avps, 9);
    assert_int_equal(m.avp_count, 9);
    assert_true(m.avps_complete);
    assert_true(pd_l2tp_has(&m, PD_L2TP_AVP_PROTOCOL_VERSION));
    assert_int_equal(m.v.protocol_version, 1);
    assert_int_equal(m.v.protocol_revision, 0);
    assert_int_equal(m.v.framing_caps, 3);
    assert_int_equal(m.v.bearer_caps, 0);
    assert_int_equal(m.v.firmware, 0x0690);
    assert_int_equal(m.v.assigned_tunnel, 12);
    assert_int_equal(m.v.receive_window, 4);
    char host[32];
    pd_l2tp_text_copy(&m.v.host_name, host, sizeof host);
    assert_string_equal(host, "client");
    assert_false(pd_l2tp_has(&m, PD_L2TP_AVP_CHALLENGE));
    assert_false(m.avps[4].mandatory); /* Firmware is sent without M */
    assert_true(m.avps[0].mandatory);

    char text[512];
    pd_l2tp_describe(&m, text, sizeof text, 0);
    assert_string_equal(text, "SCCRQ [Assigned Tunnel 12, Host \"client\", Vendor "
                              "\"xelerance.com\", Version 1.0, Firmware 0x0690, Framing Caps "
                              "sync+async, Bearer Caps none, Window 4]");
    pd_l2tp_describe(&m, text, sizeof text, PD_L2TP_DESCRIBE_SEQ);
    assert_non_null(strstr(text, "SCCRQ Ns 0 Nr 0 ["));
}

static void test_stopccn_result_in_words(void **state)
{
    (void)state;
    pd_l2tp_msg m;
    assert_int_equal(decode(stopccn, sizeof stopccn, &m), PD_L2TP_OK);
    assert_int_equal(m.msg_type, PD_L2TP_STOPCCN);
    assert_int_equal(m.tunnel_id, 7);
    assert_int_equal(m.v.result_code, 2);
    assert_true(m.v.has_error_code);
    assert_int_equal(m.v.error_code, 6);
    assert_int_equal(m.v.error_message.len, 7);
    assert_true(pd_l2tp_has(&m, PD_L2TP_AVP_SEQUENCING_REQUIRED));
    char text[512];
    pd_l2tp_describe(&m, text, sizeof text, 0);
    assert_string_equal(text, "StopCCN to tunnel 7 [Assigned Tunnel 12, Result 2 \"General error, "
                              "see Error Code\", Error 6 \"A generic vendor-specific error "
                              "occurred in the LAC\", Message \"no peer\", Sequencing Required]");
}

/* The same Result Code means different things in StopCCN and CDN
 * (RFC 2661 section 4.4.2). */
static void test_result_names(void **state)
{
    (void)state;
    static const struct {
        uint16_t msg, result;
        const char *name;
    } cases[] = {
        { PD_L2TP_STOPCCN, 1, "General request to clear control connection" },
        { PD_L2TP_STOPCCN, 4, "Requester is not authorized to establish a control channel" },
        { PD_L2TP_STOPCCN, 5, "The protocol version of the requester is not supported" },
        { PD_L2TP_STOPCCN, 7, "Finite State Machine error" },
        { PD_L2TP_STOPCCN, 8, "Unknown" },
        { PD_L2TP_CDN, 1, "Call disconnected due to loss of carrier" },
        { PD_L2TP_CDN, 4, "No appropriate facilities available (temporary)" },
        { PD_L2TP_CDN, 8, "Busy signal detected" },
        { PD_L2TP_CDN, 11, "Call connected but no appropriate framing detected" },
        { PD_L2TP_CDN, 12, "Unknown" },
        { PD_L2TP_SCCRP, 1, "Unknown" },
        { PD_L2TP_CDN, 65535, "Unknown" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_string_equal(pd_l2tp_result_name(cases[i].msg, cases[i].result), cases[i].name);
    assert_string_equal(pd_l2tp_error_name(4), "Insufficient resources to handle this operation now");
    assert_string_equal(pd_l2tp_error_name(9), "Unknown");
    assert_string_equal(pd_l2tp_msg_abbrev(PD_L2TP_ICCN), "ICCN");
    assert_string_equal(pd_l2tp_msg_name(PD_L2TP_CDN), "Call-Disconnect-Notify");
    assert_string_equal(pd_l2tp_msg_abbrev(5), "Unknown");
    assert_string_equal(pd_l2tp_avp_name(PD_L2TP_AVP_ASSIGNED_TUNNEL), "Assigned Tunnel ID");
    assert_string_equal(pd_l2tp_avp_name(20), "Unknown");
    assert_string_equal(pd_l2tp_proxy_authen_name(2), "PPP CHAP");
    assert_string_equal(pd_l2tp_framing_text(PD_L2TP_FRAMING_ASYNC), "async");
    assert_string_equal(pd_l2tp_bearer_text(3), "analog+digital");
    for (uint16_t t = 0; t < 40; t++) /* every message type has a name or "Unknown" */
        assert_non_null(pd_l2tp_msg_name(t));
}

static void test_cdn(void **state)
{
    (void)state;
    pd_l2tp_msg m;
    assert_int_equal(decode(cdn, sizeof cdn, &m), PD_L2TP_OK);
    assert_int_equal(m.msg_type, PD_L2TP_CDN);
    assert_int_equal(m.session_id, 9);
    assert_int_equal(m.v.result_code, 3);
    assert_true(m.v.has_error_code);
    assert_int_equal(m.v.error_code, 0);
    assert_int_equal(m.v.assigned_session, 3);
    assert_int_equal(m.v.q931_cause, 16);
    assert_int_equal(m.v.q931_msg, 0x5a);
    assert_int_equal(m.v.q931_advisory.len, 4);
    char text[512];
    pd_l2tp_describe(&m, text, sizeof text, 0);
    assert_string_equal(text, "CDN to tunnel 7 session 9 [Assigned Session 3, Result 3 \"Call "
                              "disconnected for administrative reasons\", Q.931 Cause 16 Msg "
                              "90]");
}

static void test_zlb(void **state)
{
    (void)state;
    pd_l2tp_msg m;
    assert_int_equal(decode(zlb, sizeof zlb, &m), PD_L2TP_OK);
    assert_true(m.zlb && m.is_control);
    assert_false(m.has_msg_type);
    assert_int_equal(m.n_avps, 0);
    assert_int_equal(m.ns, 2);
    assert_int_equal(m.nr, 1);
    char text[64];
    pd_l2tp_describe(&m, text, sizeof text, 0);
    assert_string_equal(text, "ZLB to tunnel 7");
    /* A ZLB's Length is 12; trailing bytes after it are not AVPs. */
    uint8_t b[16];
    memcpy(b, zlb, 12);
    memset(b + 12, 0xee, 4);
    assert_int_equal(decode(b, sizeof b, &m), PD_L2TP_OK);
    assert_true(m.zlb);
    assert_true(m.anomalies & PD_L2TP_ANOM_TRAILING);
}

/* Every combination of L, S, O and P on a data message, with offset pads of
 * 0 and 3 bytes: the header length and the fields follow the flags. */
static void test_data_flag_combinations(void **state)
{
    (void)state;
    static const uint8_t ppp[] = { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x07, 0x00, 0x08,
                                   0x11, 0x22, 0x33, 0x44 };
    for (unsigned combo = 0; combo < 16; combo++) {
        for (uint16_t pad = 0; pad <= 3; pad += 3) {
            bool L = combo & 1, S = combo & 2, O = combo & 4, P = combo & 8;
            if (!O && pad)
                continue;
            buf b = { .n = 0 };
            uint16_t flags = 0x0002 | (L ? PD_L2TP_HDR_L : 0) | (S ? PD_L2TP_HDR_S : 0) |
                             (O ? PD_L2TP_HDR_O : 0) | (P ? PD_L2TP_HDR_P : 0);
            put16(&b, flags);
            if (L)
                put16(&b, 0);
            put16(&b, 65535); /* maximum IDs */
            put16(&b, 65534);
            if (S) {
                put16(&b, 65535);
                put16(&b, 1);
            }
            if (O) {
                put16(&b, pad);
                for (uint16_t i = 0; i < pad; i++)
                    b.b[b.n++] = 0xaa;
            }
            size_t hdr = b.n;
            put_bytes(&b, ppp, sizeof ppp);
            if (L)
                ctrl_end(&b);
            pd_l2tp_msg m;
            assert_int_equal(decode(b.b, b.n, &m), PD_L2TP_OK);
            assert_int_equal(m.anomalies, 0);
            assert_false(m.is_control);
            assert_int_equal(m.has_length, L);
            assert_int_equal(m.has_seq, S);
            assert_int_equal(m.has_offset, O);
            assert_int_equal(m.priority, P);
            assert_int_equal(m.header_len, hdr);
            assert_int_equal(m.tunnel_id, 65535);
            assert_int_equal(m.session_id, 65534);
            if (S) {
                assert_int_equal(m.ns, 65535);
                assert_int_equal(m.nr, 1);
            }
            if (O)
                assert_int_equal(m.offset_size, pad);
            assert_int_equal(m.payload.len, sizeof ppp);
            assert_int_equal(m.payload_wire_len, sizeof ppp);
            assert_memory_equal(m.payload.p, ppp, sizeof ppp);
        }
    }
}

/* Control messages: L and S are required (a missing one is damage), O and
 * P must be 0 (tolerated, noted). */
static void test_control_flag_combinations(void **state)
{
    (void)state;
    for (unsigned combo = 0; combo < 16; combo++) {
        bool L = combo & 1, S = combo & 2, O = combo & 4, P = combo & 8;
        buf b = { .n = 0 };
        put16(&b, (uint16_t)(0x8002 | (L ? PD_L2TP_HDR_L : 0) | (S ? PD_L2TP_HDR_S : 0) |
                             (O ? PD_L2TP_HDR_O : 0) | (P ? PD_L2TP_HDR_P : 0)));
        if (L)
            put16(&b, 0);
        put16(&b, 7);
        put16(&b, 0);
        if (S) {
            put16(&b, 4);
            put16(&b, 5);
        }
        if (O)
            put16(&b, 0);
        avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_HELLO);
        if (L)
            ctrl_end(&b);
        pd_l2tp_msg m;
        pd_l2tp_status st = decode(b.b, b.n, &m);
        assert_int_equal(st, L && S ? PD_L2TP_OK : PD_L2TP_MALFORMED);
        assert_int_equal(!!(m.anomalies & PD_L2TP_ANOM_CTRL_NO_LENGTH), !L);
        assert_int_equal(!!(m.anomalies & PD_L2TP_ANOM_CTRL_NO_SEQ), !S);
        assert_int_equal(!!(m.anomalies & PD_L2TP_ANOM_CTRL_OFFSET), O);
        assert_int_equal(!!(m.anomalies & PD_L2TP_ANOM_CTRL_PRIORITY), P);
        assert_true(m.has_msg_type);
        assert_int_equal(m.msg_type, PD_L2TP_HELLO);
        char text[256];
        pd_l2tp_describe(&m, text, sizeof text, 0);
        if (!(L && S))
            assert_non_null(strstr(text, "(malformed: control message without the"));
    }
}

static void test_offset_pad_edges(void **state)
{
    (void)state;
    pd_l2tp_msg m;
    /* pad that ends exactly at the end: an empty payload */
    const uint8_t exact[] = { 0x02, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02, 0xaa, 0xbb };
    assert_int_equal(decode(exact, sizeof exact, &m), PD_L2TP_OK);
    assert_int_equal(m.header_len, 10);
    assert_int_equal(m.payload_wire_len, 0);
    /* pad beyond the datagram */
    const uint8_t over[] = { 0x02, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x05, 0xaa, 0xbb };
    assert_int_equal(decode(over, sizeof over, &m), PD_L2TP_MALFORMED);
    assert_true(m.anomalies & PD_L2TP_ANOM_OFFSET_OVERRUN);
    assert_false(m.header_complete);
    /* maximum offset, with only the capture short of it: truncated, not damage */
    const uint8_t big[] = { 0x02, 0x02, 0x00, 0x01, 0x00, 0x02, 0xff, 0xff, 0xaa };
    assert_int_equal(pd_l2tp_decode(big, sizeof big, 8 + 65535 + 4, &m), PD_L2TP_TRUNCATED);
    assert_int_equal(m.offset_size, 65535);
    /* pad beyond the Length but inside the datagram */
    const uint8_t len_pad[] = { 0x42, 0x02, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02,
                                0xaa, 0xbb, 0xcc };
    assert_int_equal(decode(len_pad, sizeof len_pad, &m), PD_L2TP_MALFORMED);
    assert_true(m.anomalies & PD_L2TP_ANOM_OFFSET_OVERRUN);
}

static void test_length_field(void **state)
{
    (void)state;
    pd_l2tp_msg m;
    uint8_t b[sizeof sccrq];
    memcpy(b, sccrq, sizeof b);
    /* Length below the 12-byte header */
    b[3] = 8;
    assert_int_equal(decode(b, sizeof b, &m), PD_L2TP_MALFORMED);
    assert_true(m.anomalies & PD_L2TP_ANOM_LENGTH_SHORT);
    /* Length 0 */
    b[3] = 0;
    assert_int_equal(decode(b, sizeof b, &m), PD_L2TP_MALFORMED);
    /* Length beyond the datagram */
    b[2] = 0x01;
    b[3] = 0x00;
    assert_int_equal(decode(b, sizeof b, &m), PD_L2TP_MALFORMED);
    assert_true(m.anomalies & PD_L2TP_ANOM_LENGTH_LONG);
    assert_int_equal(m.msg_type, PD_L2TP_SCCRQ); /* what fits was still read */
    /* Length 65535 against a capture that is merely cut: truncated */
    b[2] = b[3] = 0xff;
    assert_int_equal(pd_l2tp_decode(b, sizeof b, 65535, &m), PD_L2TP_TRUNCATED);
    /* Length exactly 12 on an SCCRQ: a ZLB, its AVPs are trailing bytes */
    b[2] = 0;
    b[3] = 12;
    assert_int_equal(decode(b, sizeof b, &m), PD_L2TP_OK);
    assert_true(m.zlb);
    assert_true(m.anomalies & PD_L2TP_ANOM_TRAILING);
}

/* AVP Length edge cases: 0 and 1..5 cannot cover the AVP header (the walk
 * must stop, not loop), 6 is an empty value, beyond the message overruns,
 * a partial header at the end, the 10-bit maximum. */
static void test_avp_length_edges(void **state)
{
    (void)state;
    static const struct {
        uint16_t avp_len; /* second AVP's Length field */
        size_t value_bytes;
        pd_l2tp_status status;
        uint32_t anomaly;
    } cases[] = {
        { 0, 0, PD_L2TP_MALFORMED, PD_L2TP_ANOM_AVP_SHORT },
        { 1, 0, PD_L2TP_MALFORMED, PD_L2TP_ANOM_AVP_SHORT },
        { 5, 0, PD_L2TP_MALFORMED, PD_L2TP_ANOM_AVP_SHORT },
        { 6, 0, PD_L2TP_MALFORMED, PD_L2TP_ANOM_AVP_BAD_SIZE }, /* Assigned Tunnel needs 2 */
        { 8, 2, PD_L2TP_OK, 0 },
        { 9, 2, PD_L2TP_MALFORMED, PD_L2TP_ANOM_AVP_OVERRUN },
        { 1023, 2, PD_L2TP_MALFORMED, PD_L2TP_ANOM_AVP_OVERRUN },
        { 10, 4, PD_L2TP_MALFORMED, PD_L2TP_ANOM_AVP_BAD_SIZE },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        buf b;
        ctrl_begin(&b, 0, 0, 0, 0);
        avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_SCCRQ);
        put16(&b, (uint16_t)(0x8000 | cases[i].avp_len));
        put16(&b, 0);
        put16(&b, PD_L2TP_AVP_ASSIGNED_TUNNEL);
        for (size_t k = 0; k < cases[i].value_bytes; k++)
            b.b[b.n++] = (uint8_t)(k + 1);
        ctrl_end(&b);
        pd_l2tp_msg m;
        assert_int_equal(decode_exact(b.b, b.n, b.n, &m), cases[i].status);
        if (cases[i].anomaly)
            assert_true(m.anomalies & cases[i].anomaly);
        assert_int_equal(m.msg_type, PD_L2TP_SCCRQ);
        /* a value of the wrong size is still stepped over; a bad Length is not */
        assert_int_equal(m.avps_complete,
                         !(cases[i].anomaly & (PD_L2TP_ANOM_AVP_SHORT | PD_L2TP_ANOM_AVP_OVERRUN)));
        if (cases[i].status == PD_L2TP_OK)
            assert_int_equal(m.v.assigned_tunnel, 0x0102);
    }
    /* Fewer than 6 bytes left after the last AVP: a partial header. */
    buf b;
    ctrl_begin(&b, 0, 0, 0, 0);
    avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_HELLO);
    put16(&b, 0x8006);
    put16(&b, 0);
    ctrl_end(&b);
    pd_l2tp_msg m;
    assert_int_equal(decode_exact(b.b, b.n, b.n, &m), PD_L2TP_MALFORMED);
    assert_true(m.anomalies & PD_L2TP_ANOM_AVP_OVERRUN);
    /* The 10-bit maximum (1023) as a real Host Name. */
    ctrl_begin(&b, 0, 0, 0, 0);
    avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_SCCRQ);
    uint8_t name[1017];
    memset(name, 'h', sizeof name);
    avp(&b, PD_L2TP_AVP_M, 0, PD_L2TP_AVP_HOST_NAME, name, sizeof name);
    ctrl_end(&b);
    assert_int_equal(decode(b.b, b.n, &m), PD_L2TP_OK);
    assert_int_equal(m.avps[1].length, 1023);
    assert_int_equal(m.v.host_name.len, 1017);
    char text[512];
    pd_l2tp_describe(&m, text, sizeof text, 0);
    assert_non_null(strstr(text, "hhh...\"]"));
}

static void test_result_code_sizes(void **state)
{
    (void)state;
    static const struct {
        uint8_t value[6];
        size_t n;
        pd_l2tp_status status;
        bool has_error;
        size_t msg_len;
    } cases[] = {
        { { 0, 1 }, 2, PD_L2TP_OK, false, 0 },
        { { 0, 1, 0 }, 3, PD_L2TP_MALFORMED, false, 0 },
        { { 0, 2, 0, 4 }, 4, PD_L2TP_OK, true, 0 },
        { { 0, 2, 0, 4, 'x' }, 5, PD_L2TP_OK, true, 1 },
        { { 0 }, 1, PD_L2TP_MALFORMED, false, 0 },
        { { 0 }, 0, PD_L2TP_MALFORMED, false, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        buf b;
        ctrl_begin(&b, 7, 0, 1, 1);
        avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_STOPCCN);
        avp(&b, PD_L2TP_AVP_M, 0, PD_L2TP_AVP_RESULT_CODE, cases[i].value, cases[i].n);
        ctrl_end(&b);
        pd_l2tp_msg m;
        assert_int_equal(decode(b.b, b.n, &m), cases[i].status);
        assert_int_equal(pd_l2tp_has(&m, PD_L2TP_AVP_RESULT_CODE), cases[i].status == PD_L2TP_OK);
        assert_int_equal(m.v.has_error_code, cases[i].has_error);
        assert_int_equal(m.v.error_message.len, cases[i].msg_len);
    }
}

static void test_hidden_and_vendor_avps(void **state)
{
    (void)state;
    pd_l2tp_msg m;
    assert_int_equal(decode(icrq_hidden, sizeof icrq_hidden, &m), PD_L2TP_OK);
    assert_int_equal(m.msg_type, PD_L2TP_ICRQ);
    assert_int_equal(m.hidden_avps, 1);
    assert_int_equal(m.vendor_avps, 1);
    assert_true(pd_l2tp_is_hidden(&m, PD_L2TP_AVP_ASSIGNED_SESSION));
    assert_false(pd_l2tp_has(&m, PD_L2TP_AVP_ASSIGNED_SESSION));
    assert_int_equal(m.v.assigned_session, 0); /* encrypted: never decoded */
    assert_true(pd_l2tp_has(&m, PD_L2TP_AVP_RANDOM_VECTOR));
    assert_true(m.avps[2].hidden);
    assert_int_equal(m.avps[3].vendor, 9);
    assert_int_equal(m.avps[3].type, 1);
    char text[256];
    pd_l2tp_describe(&m, text, sizeof text, 0);
    assert_string_equal(text, "ICRQ to tunnel 7 [Assigned Session (hidden), 1 vendor AVP]");

    /* A hidden Message Type is not allowed (section 4.4.1). */
    buf b;
    ctrl_begin(&b, 7, 0, 0, 0);
    uint8_t hello[2] = { 0, 6 };
    avp(&b, PD_L2TP_AVP_M | PD_L2TP_AVP_H, 0, PD_L2TP_AVP_MESSAGE_TYPE, hello, 2);
    ctrl_end(&b);
    assert_int_equal(decode(b.b, b.n, &m), PD_L2TP_MALFORMED);
    assert_true(m.anomalies & PD_L2TP_ANOM_MSG_TYPE_HIDDEN);
    assert_false(m.has_msg_type);

    /* A vendor AVP first: no Message Type leads the message. */
    ctrl_begin(&b, 7, 0, 0, 0);
    avp(&b, 0, 311, 0, hello, 2);
    avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_HELLO);
    ctrl_end(&b);
    assert_int_equal(decode(b.b, b.n, &m), PD_L2TP_MALFORMED);
    assert_true(m.anomalies & PD_L2TP_ANOM_NO_MSG_TYPE);

    /* Unknown IETF attributes: counted when mandatory, reserved bits noted. */
    ctrl_begin(&b, 7, 0, 0, 0);
    avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_HELLO);
    avp(&b, PD_L2TP_AVP_M, 0, 200, hello, 2);
    avp(&b, 0x0400, 0, 201, hello, 2);
    ctrl_end(&b);
    assert_int_equal(decode(b.b, b.n, &m), PD_L2TP_OK);
    assert_int_equal(m.unknown_mandatory, 1);
    assert_true(m.anomalies & PD_L2TP_ANOM_AVP_RESERVED);
}

static void test_many_avps(void **state)
{
    (void)state;
    buf b;
    ctrl_begin(&b, 7, 0, 0, 0);
    avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_SLI);
    for (int i = 0; i < 100; i++)
        avp(&b, 0, 0, PD_L2TP_AVP_PRIVATE_GROUP, "g", 1);
    ctrl_end(&b);
    pd_l2tp_msg m;
    assert_int_equal(decode(b.b, b.n, &m), PD_L2TP_OK);
    assert_int_equal(m.n_avps, PD_L2TP_MAX_AVPS);
    assert_true(m.avps_overflow);
    assert_int_equal(m.avp_count, 101);
    assert_true(m.avps_complete);
}

static void test_unknown_message_type(void **state)
{
    (void)state;
    static const uint16_t types[] = { 0, 5, 13, 17, 20, 65535 };
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        buf b;
        ctrl_begin(&b, 7, 0, 0, 0);
        avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, types[i]);
        ctrl_end(&b);
        pd_l2tp_msg m;
        assert_int_equal(decode(b.b, b.n, &m), PD_L2TP_OK);
        assert_true(m.anomalies & PD_L2TP_ANOM_UNKNOWN_TYPE);
        char text[128], want[64];
        pd_l2tp_describe(&m, text, sizeof text, 0);
        g_snprintf(want, sizeof want, "Message-Type %u to tunnel 7", types[i]);
        assert_string_equal(text, want);
    }
}

static void test_bad_version(void **state)
{
    (void)state;
    static const uint16_t flags[] = { 0x0001, 0x0000, 0xc801, 0x0004, 0x000f };
    for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
        uint8_t b[12] = { (uint8_t)(flags[i] >> 8), (uint8_t)flags[i] };
        pd_l2tp_msg m;
        assert_int_equal(decode(b, sizeof b, &m), PD_L2TP_BAD_VERSION);
        assert_int_equal(m.version, flags[i] & 0xf);
    }
}

/* L2TPv3 (RFC 3931): over IP 115 a zero Session ID introduces a control
 * message; over UDP the version field says 3. */
static void test_l2tpv3(void **state)
{
    (void)state;
    pd_l2tp_msg m;
    const uint8_t ip_ctrl[] = {
        0x00, 0x00, 0x00, 0x00,             /* Session ID 0: control */
        0xc8, 0x03, 0x00, 0x1e,             /* T L S, version 3, Length 30 */
        0x00, 0x00, 0x00, 0x00,             /* Control Connection ID 0 */
        0x00, 0x00, 0x00, 0x00,             /* Ns, Nr */
        0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* SCCRQ */
        0x80, 0x0a, 0x00, 0x00, 0x00, 0x3d, 0x12, 0x34, 0x56, 0x78, /* Assigned Conn ID */
    };
    assert_int_equal(pd_l2tp_decode_ip(ip_ctrl, sizeof ip_ctrl, sizeof ip_ctrl, &m),
                     PD_L2TP_OK);
    assert_true(m.over_ip && m.is_control);
    assert_int_equal(m.version, 3);
    assert_int_equal(m.msg_type, PD_L2TP_SCCRQ);
    assert_int_equal(m.v.assigned_conn_id, 0x12345678);
    char text[256];
    pd_l2tp_describe(&m, text, sizeof text, 0);
    assert_string_equal(text, "L2TPv3 SCCRQ [Assigned Connection 0x12345678]");

    const uint8_t ip_data[] = { 0x12, 0x34, 0xab, 0xcd, 0xde, 0xad, 0xbe, 0xef, 0x01 };
    assert_int_equal(pd_l2tp_decode_ip(ip_data, sizeof ip_data, sizeof ip_data, &m), PD_L2TP_OK);
    assert_false(m.is_control);
    assert_int_equal(m.v3_session_id, 0x1234abcd);
    assert_int_equal(m.payload_wire_len, 5);
    pd_l2tp_describe(&m, text, sizeof text, 0);
    assert_string_equal(text, "L2TPv3 data to session 0x1234abcd");

    /* a zero Session ID followed by something that is not a v3 control header */
    const uint8_t ip_bad[] = { 0, 0, 0, 0, 0xc8, 0x02, 0x00, 0x0c };
    assert_int_equal(pd_l2tp_decode_ip(ip_bad, sizeof ip_bad, sizeof ip_bad, &m),
                     PD_L2TP_BAD_VERSION);

    const uint8_t udp_ctrl[] = {
        0xc8, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x03, 0x00, 0x04, /* ZLB */
    };
    assert_int_equal(decode(udp_ctrl, sizeof udp_ctrl, &m), PD_L2TP_OK);
    assert_true(m.zlb);
    assert_int_equal(m.conn_id, 42);
    assert_int_equal(m.ns, 3);
    assert_int_equal(m.nr, 4);
    const uint8_t udp_data[] = { 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01, 0xaa };
    assert_int_equal(decode(udp_data, sizeof udp_data, &m), PD_L2TP_OK);
    assert_int_equal(m.v3_session_id, 0x1001);
    assert_int_equal(m.payload.len, 1);
    /* v3 data over UDP with the reserved field set */
    const uint8_t udp_data_rsvd[] = { 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x10, 0x01 };
    assert_int_equal(decode(udp_data_rsvd, sizeof udp_data_rsvd, &m), PD_L2TP_OK);
    assert_true(m.anomalies & PD_L2TP_ANOM_RESERVED_BITS);
}

/* Retransmissions describe identically without Ns/Nr, so ladders fold them. */
static void test_describe_stable(void **state)
{
    (void)state;
    uint8_t a[sizeof stopccn], b2[sizeof stopccn];
    memcpy(a, stopccn, sizeof a);
    memcpy(b2, stopccn, sizeof b2);
    b2[11] = 9; /* a later Nr */
    pd_l2tp_msg ma, mb;
    decode(a, sizeof a, &ma);
    decode(b2, sizeof b2, &mb);
    char ta[512], tb[512];
    pd_l2tp_describe(&ma, ta, sizeof ta, 0);
    pd_l2tp_describe(&mb, tb, sizeof tb, 0);
    assert_string_equal(ta, tb);
    pd_l2tp_describe(&ma, ta, sizeof ta, PD_L2TP_DESCRIBE_SEQ);
    pd_l2tp_describe(&mb, tb, sizeof tb, PD_L2TP_DESCRIBE_SEQ);
    assert_string_not_equal(ta, tb);
    /* small buffers: always terminated, never overrun */
    for (size_t len = 0; len < 40; len++) {
        char small[40];
        memset(small, 'Z', sizeof small);
        size_t n = pd_l2tp_describe(&ma, small, len, 0);
        if (len > 0) {
            assert_true(n < len);
            assert_int_equal(strlen(small), n);
        }
        for (size_t k = len; k < sizeof small; k++)
            assert_int_equal(small[k], 'Z');
    }
    /* hostile text: quotes and control characters are replaced */
    buf b;
    ctrl_begin(&b, 0, 0, 0, 0);
    avp16(&b, PD_L2TP_AVP_MESSAGE_TYPE, PD_L2TP_SCCRQ);
    avp(&b, PD_L2TP_AVP_M, 0, PD_L2TP_AVP_HOST_NAME, "a\"b\nc\0d", 7);
    ctrl_end(&b);
    pd_l2tp_msg m;
    decode(b.b, b.n, &m);
    pd_l2tp_describe(&m, ta, sizeof ta, 0);
    assert_string_equal(ta, "SCCRQ [Host \"a.b.c\"]");
}

/* Truncation at every length: with the wire length known, every cut is
 * TRUNCATED (never MALFORMED, never OK); with the cut as the wire length,
 * nothing crashes and a cut control message never decodes as OK. Heap
 * copies are exact, so ASan catches any overread. */
static void check_truncations(const uint8_t *data, size_t n, bool control)
{
    for (size_t len = 0; len < n; len++) {
        pd_l2tp_msg m;
        assert_int_equal(decode_exact(data, len, n, &m), PD_L2TP_TRUNCATED);
        pd_l2tp_status s = decode_exact(data, len, len, &m);
        if (control && len > 0)
            assert_int_not_equal(s, PD_L2TP_OK);
        uint8_t *copy = len ? g_memdup2(data, len) : NULL;
        pd_l2tp_decode_ip(copy, len, len, &m);
        pd_l2tp_decode_ip(copy, len, n, &m);
        g_free(copy);
    }
    pd_l2tp_msg m;
    assert_int_equal(decode_exact(data, n, n, &m), PD_L2TP_OK);
}

static void test_truncation(void **state)
{
    (void)state;
    check_truncations(sccrq, sizeof sccrq, true);
    check_truncations(stopccn, sizeof stopccn, true);
    check_truncations(cdn, sizeof cdn, true);
    check_truncations(zlb, sizeof zlb, true);
    check_truncations(icrq_hidden, sizeof icrq_hidden, true);
    check_truncations(data_lcp, sizeof data_lcp, false);
    /* cut inside an AVP: what came before it is there */
    pd_l2tp_msg m;
    assert_int_equal(pd_l2tp_decode(sccrq, 90, sizeof sccrq, &m), PD_L2TP_TRUNCATED);
    assert_true(m.has_msg_type);
    assert_true(pd_l2tp_has(&m, PD_L2TP_AVP_HOST_NAME));
    assert_false(pd_l2tp_has(&m, PD_L2TP_AVP_RECEIVE_WINDOW));
    assert_false(m.avps_complete);
    /* NULL data */
    assert_int_equal(pd_l2tp_decode(NULL, 10, 10, &m), PD_L2TP_TRUNCATED);
    assert_int_equal(pd_l2tp_decode(NULL, 0, 0, &m), PD_L2TP_MALFORMED);
    assert_true(m.anomalies & PD_L2TP_ANOM_HEADER_SHORT);
}

/* Bytes a fuzzer would try: every 1- and 2-byte prefix pattern on a short
 * buffer terminates (the AVP walk always advances). */
static void test_no_hang_on_patterns(void **state)
{
    (void)state;
    uint8_t b[64];
    for (unsigned v = 0; v < 256; v++) {
        memset(b, (int)v, sizeof b);
        b[0] = 0xc8;
        b[1] = 0x02;
        pd_l2tp_msg m;
        decode_exact(b, sizeof b, sizeof b, &m);
        b[0] = (uint8_t)v;
        decode_exact(b, sizeof b, sizeof b, &m);
        pd_l2tp_decode_ip(b, sizeof b, sizeof b, &m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sccrq),
        cmocka_unit_test(test_stopccn_result_in_words),
        cmocka_unit_test(test_result_names),
        cmocka_unit_test(test_cdn),
        cmocka_unit_test(test_zlb),
        cmocka_unit_test(test_data_flag_combinations),
        cmocka_unit_test(test_control_flag_combinations),
        cmocka_unit_test(test_offset_pad_edges),
        cmocka_unit_test(test_length_field),
        cmocka_unit_test(test_avp_length_edges),
        cmocka_unit_test(test_result_code_sizes),
        cmocka_unit_test(test_hidden_and_vendor_avps),
        cmocka_unit_test(test_many_avps),
        cmocka_unit_test(test_unknown_message_type),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_l2tpv3),
        cmocka_unit_test(test_describe_stable),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_no_hang_on_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
