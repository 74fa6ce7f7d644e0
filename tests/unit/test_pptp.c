/* test_pptp.c - PPTP control message decoder and stream framer (RFC 2637).
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

#include "pptp.h"

/* ---- byte fixtures ---------------------------------------------------------- */

/* SCCRQ as pptp-linux sends it: version 1.0, async framing, analog bearer,
 * max channels 65535, firmware 1, host "local", vendor "cananian". */
static const uint8_t sccrq[156] = {
    0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x01, 0x00, 0x00, /* header */
    0x01, 0x00, 0x00, 0x00,             /* version 1.0, reserved1 */
    0x00, 0x00, 0x00, 0x01,             /* framing: async */
    0x00, 0x00, 0x00, 0x01,             /* bearer: analog */
    0xff, 0xff, 0x00, 0x01,             /* max channels, firmware */
    [28] = 'l', 'o', 'c', 'a', 'l',     /* host name, NUL padded */
    [92] = 'c', 'a', 'n', 'a', 'n', 'i', 'a', 'n', /* vendor */
};

/* SCCRP from a Windows RRAS server: result 1, framing+bearer both, vendor
 * "Microsoft", firmware 0x0e00. */
static const uint8_t sccrp_ok[156] = {
    0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x02, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00,             /* version, result 1, error 0 */
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x0e, 0x00,
    [28] = 'R', 'R', 'A', 'S',
    [92] = 'M', 'i', 'c', 'r', 'o', 's', 'o', 'f', 't',
};

/* OCRQ: call 0x4001 serial 1, 2400..10000000 bps, any bearer/framing,
 * window 64, delay 0, no phone number. */
static const uint8_t ocrq[168] = {
    0x00, 0xa8, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x07, 0x00, 0x00,
    0x40, 0x01, 0x00, 0x01,             /* call id, serial */
    0x00, 0x00, 0x09, 0x60,             /* min bps 2400 */
    0x00, 0x98, 0x96, 0x80,             /* max bps 10000000 */
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, /* bearer any, framing any */
    0x00, 0x40, 0x00, 0x00,             /* window 64, delay 0 */
    0x00, 0x00, 0x00, 0x00,             /* phone number length, reserved */
};

/* OCRP: call 0x1234, peer 0x4001, result 4 Busy, error 0, cause 0. */
static const uint8_t ocrp_busy[32] = {
    0x00, 0x20, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x08, 0x00, 0x00,
    0x12, 0x34, 0x40, 0x01, 0x04, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xfa, 0x00,             /* speed 64000 */
    0x00, 0x10, 0x00, 0x00,             /* window 16, delay 0 */
    0x00, 0x00, 0x00, 0x00,             /* channel */
};

/* Echo-Request id 0x01020304 */
static const uint8_t echo_rq[16] = {
    0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x05, 0x00, 0x00,
    0x01, 0x02, 0x03, 0x04,
};

/* Call-Disconnect-Notify: call 0x1234, result 3 admin shutdown, error 0,
 * cause 0, stats "(0 0 0 0 0 0)". */
static const uint8_t cdn[148] = {
    0x00, 0x94, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0d, 0x00, 0x00,
    0x12, 0x34, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    [20] = '(', '0', ' ', '0', ')',
};

/* Set-Link-Info: peer 0x4001, ACCMs all ones / zero (as Windows sends). */
static const uint8_t sli[24] = {
    0x00, 0x18, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0f, 0x00, 0x00,
    0x40, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
};

/* ---- builder for the other types ---------------------------------------------- */

typedef struct msgbuf {
    uint8_t b[256];
    size_t n;
} msgbuf;

static void put8(msgbuf *m, uint8_t v) { m->b[m->n++] = v; }
static void put16(msgbuf *m, uint16_t v) { put8(m, v >> 8); put8(m, v & 0xff); }
static void put32(msgbuf *m, uint32_t v) { put16(m, v >> 16); put16(m, v & 0xffff); }

static void header(msgbuf *m, uint16_t len, uint16_t type)
{
    m->n = 0;
    memset(m->b, 0, sizeof m->b);
    put16(m, len);
    put16(m, 1);
    put32(m, PD_PPTP_MAGIC);
    put16(m, type);
    put16(m, 0);
}

/* Decode from an exact-size heap copy so ASan sees any overread. */
static pd_pptp_status decode_exact(const uint8_t *data, size_t len, pd_pptp_msg *out)
{
    uint8_t *copy = g_memdup2(data, len ? len : 1);
    pd_pptp_status s = pd_pptp_decode(len ? copy : NULL, len, out);
    g_free(copy);
    return s;
}

/* ---- decoder tests -------------------------------------------------------------- */

static void test_sccrq(void **state)
{
    (void)state;
    pd_pptp_msg m;
    assert_int_equal(decode_exact(sccrq, sizeof sccrq, &m), PD_PPTP_OK);
    assert_int_equal(m.length, 156);
    assert_int_equal(m.pptp_type, 1);
    assert_int_equal(m.magic, PD_PPTP_MAGIC);
    assert_int_equal(m.ctrl_type, PD_PPTP_SCCRQ);
    assert_true(m.body_complete);
    assert_int_equal(m.u.sccr.protocol_version, 0x0100);
    assert_int_equal(m.u.sccr.framing_caps, 1);
    assert_int_equal(m.u.sccr.bearer_caps, 1);
    assert_int_equal(m.u.sccr.max_channels, 65535);
    assert_int_equal(m.u.sccr.firmware_rev, 1);
    assert_string_equal(m.u.sccr.host_name, "local");
    assert_string_equal(m.u.sccr.vendor, "cananian");
    assert_false(m.has_result); /* Reserved1 in a request */
    assert_false(m.has_call_id);

    char line[256];
    pd_pptp_describe(&m, line, sizeof line);
    assert_string_equal(line,
                        "Start-Control-Connection-Request version 1.0 host \"local\" vendor \"cananian\"");
}

static void test_sccrp(void **state)
{
    (void)state;
    pd_pptp_msg m;
    assert_int_equal(decode_exact(sccrp_ok, sizeof sccrp_ok, &m), PD_PPTP_OK);
    assert_int_equal(m.ctrl_type, PD_PPTP_SCCRP);
    assert_true(m.has_result);
    assert_int_equal(m.result_code, 1);
    assert_int_equal(m.error_code, 0);
    assert_true(pd_pptp_result_ok(m.ctrl_type, m.result_code));
    assert_int_equal(m.u.sccr.framing_caps, 3);
    assert_int_equal(m.u.sccr.firmware_rev, 0x0e00);
    assert_string_equal(m.u.sccr.host_name, "RRAS");
    assert_string_equal(m.u.sccr.vendor, "Microsoft");
    assert_string_equal(pd_pptp_result_name(m.ctrl_type, m.result_code), "Success");
}

static void test_ocrq(void **state)
{
    (void)state;
    pd_pptp_msg m;
    assert_int_equal(decode_exact(ocrq, sizeof ocrq, &m), PD_PPTP_OK);
    assert_true(m.has_call_id);
    assert_int_equal(m.call_id, 0x4001);
    assert_false(m.has_peer_call_id);
    assert_int_equal(m.u.ocrq.call_serial, 1);
    assert_int_equal(m.u.ocrq.min_bps, 2400);
    assert_int_equal(m.u.ocrq.max_bps, 10000000);
    assert_int_equal(m.u.ocrq.bearer_type, 3);
    assert_int_equal(m.u.ocrq.framing_type, 3);
    assert_int_equal(m.u.ocrq.recv_window, 64);
    assert_string_equal(m.u.ocrq.phone_number, "");
}

static void test_ocrp_busy(void **state)
{
    (void)state;
    pd_pptp_msg m;
    assert_int_equal(decode_exact(ocrp_busy, sizeof ocrp_busy, &m), PD_PPTP_OK);
    assert_int_equal(m.ctrl_type, PD_PPTP_OCRP);
    assert_true(m.has_call_id && m.has_peer_call_id && m.has_result);
    assert_int_equal(m.call_id, 0x1234);
    assert_int_equal(m.peer_call_id, 0x4001);
    assert_int_equal(m.result_code, 4);
    assert_int_equal(m.u.ocrp.connect_speed, 64000);
    assert_int_equal(m.u.ocrp.recv_window, 16);
    assert_false(pd_pptp_result_ok(m.ctrl_type, m.result_code));
    assert_string_equal(pd_pptp_result_name(PD_PPTP_OCRP, m.result_code), "Busy");

    char line[128];
    size_t n = pd_pptp_describe(&m, line, sizeof line);
    assert_string_equal(line, "Outgoing-Call-Reply call 4660 peer 16385 result Busy (4)");
    assert_int_equal(n, strlen(line));
    /* a small buffer is cut, still terminated */
    n = pd_pptp_describe(&m, line, 10);
    assert_int_equal(n, 9);
    assert_string_equal(line, "Outgoing-");
}

static void test_cdn_sli_echo(void **state)
{
    (void)state;
    pd_pptp_msg m;
    assert_int_equal(decode_exact(cdn, sizeof cdn, &m), PD_PPTP_OK);
    assert_int_equal(m.call_id, 0x1234);
    assert_int_equal(m.result_code, 3);
    assert_string_equal(pd_pptp_result_name(PD_PPTP_CDN, 3), "Admin shutdown");
    assert_string_equal(m.u.cdn.call_stats, "(0 0)");

    assert_int_equal(decode_exact(sli, sizeof sli, &m), PD_PPTP_OK);
    assert_int_equal(m.peer_call_id, 0x4001);
    assert_int_equal(m.u.sli.send_accm, 0xffffffffu);
    assert_int_equal(m.u.sli.recv_accm, 0);

    assert_int_equal(decode_exact(echo_rq, sizeof echo_rq, &m), PD_PPTP_OK);
    assert_int_equal(m.u.echo.identifier, 0x01020304);
    assert_false(m.has_result);
}

/* Every message type at its fixed size, with its shortcut fields. */
typedef struct type_case {
    uint16_t type;
    size_t size;
    bool call_id, peer_call_id, result;
} type_case;

static const type_case type_cases[] = {
    { PD_PPTP_SCCRQ, 156, false, false, false }, { PD_PPTP_SCCRP, 156, false, false, true },
    { PD_PPTP_STOPCCRQ, 16, false, false, false }, { PD_PPTP_STOPCCRP, 16, false, false, true },
    { PD_PPTP_ECHORQ, 16, false, false, false }, { PD_PPTP_ECHORP, 20, false, false, true },
    { PD_PPTP_OCRQ, 168, true, false, false },   { PD_PPTP_OCRP, 32, true, true, true },
    { PD_PPTP_ICRQ, 220, true, false, false },   { PD_PPTP_ICRP, 24, true, true, true },
    { PD_PPTP_ICCN, 28, false, true, false },    { PD_PPTP_CCRQ, 16, true, false, false },
    { PD_PPTP_CDN, 148, true, false, true },     { PD_PPTP_WEN, 40, false, true, false },
    { PD_PPTP_SLI, 24, false, true, false },
};

/* Body filled with 0x41 ('A'): every 16-bit field reads 0x4141. */
static void build_type(msgbuf *m, const type_case *tc)
{
    header(m, (uint16_t)tc->size, tc->type);
    while (m->n < tc->size)
        put8(m, 0x41);
}

static void test_all_types(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(type_cases); i++) {
        const type_case *tc = &type_cases[i];
        msgbuf b;
        build_type(&b, tc);
        pd_pptp_msg m;
        assert_int_equal(pd_pptp_msg_size(tc->type), tc->size);
        assert_int_equal(decode_exact(b.b, b.n, &m), PD_PPTP_OK);
        assert_int_equal(m.ctrl_type, tc->type);
        assert_int_equal(m.expected_len, tc->size);
        assert_int_equal(m.has_call_id, tc->call_id);
        assert_int_equal(m.has_peer_call_id, tc->peer_call_id);
        assert_int_equal(m.has_result, tc->result);
        if (tc->call_id)
            assert_int_equal(m.call_id, 0x4141);
        if (tc->peer_call_id)
            assert_int_equal(m.peer_call_id, 0x4141);
        if (tc->result)
            assert_int_equal(m.result_code, 0x41);
        assert_string_not_equal(pd_pptp_msg_name(tc->type), "Unknown");
        assert_string_not_equal(pd_pptp_msg_abbrev(tc->type), "Unknown");
        char line[512];
        assert_true(pd_pptp_describe(&m, line, sizeof line) > 0);
    }
    /* string fields full of 'A' with no NUL: capped at 64, terminated */
    msgbuf b;
    build_type(&b, &type_cases[6]); /* OCRQ */
    pd_pptp_msg m;
    decode_exact(b.b, b.n, &m);
    assert_int_equal(strlen(m.u.ocrq.phone_number), 64);
    assert_int_equal(strlen(m.u.ocrq.subaddress), 64);
    build_type(&b, &type_cases[12]); /* CDN */
    decode_exact(b.b, b.n, &m);
    assert_int_equal(strlen(m.u.cdn.call_stats), 128);
}

static void test_hostile_strings(void **state)
{
    (void)state;
    uint8_t b[156];
    memcpy(b, sccrq, sizeof b);
    memset(b + 28, 0x07, 64); /* host name: 64 control bytes, no NUL */
    b[92] = 'M';
    b[93] = 0xff; /* high byte */
    b[94] = '"';
    pd_pptp_msg m;
    assert_int_equal(decode_exact(b, sizeof b, &m), PD_PPTP_OK);
    assert_int_equal(strlen(m.u.sccr.host_name), 64);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(m.u.sccr.host_name[i], '.');
    assert_string_equal(m.u.sccr.vendor, "M.\"anian");
}

/* Truncation at every length, for every fixture and type: never reads past
 * the end (the heap copy is exact), always says truncated. */
static void check_truncations(const uint8_t *data, size_t n)
{
    for (size_t len = 0; len < n; len++) {
        pd_pptp_msg m;
        pd_pptp_status s = decode_exact(data, len, &m);
        assert_int_equal(s, PD_PPTP_TRUNCATED);
        assert_false(m.body_complete && len < n);
    }
}

static void test_truncation(void **state)
{
    (void)state;
    check_truncations(sccrq, sizeof sccrq);
    check_truncations(ocrp_busy, sizeof ocrp_busy);
    check_truncations(cdn, sizeof cdn);
    for (size_t i = 0; i < G_N_ELEMENTS(type_cases); i++) {
        msgbuf b;
        build_type(&b, &type_cases[i]);
        check_truncations(b.b, b.n);
    }
    /* partial body: fields before the cut are there */
    pd_pptp_msg m;
    assert_int_equal(decode_exact(ocrp_busy, 16, &m), PD_PPTP_TRUNCATED);
    assert_true(m.has_call_id && m.has_peer_call_id);
    assert_false(m.has_result);
    assert_int_equal(m.call_id, 0x1234);
}

static void test_bad_magic_and_types(void **state)
{
    (void)state;
    uint8_t b[32];
    pd_pptp_msg m;

    memcpy(b, ocrp_busy, sizeof b);
    b[7] = 0x4e;
    assert_int_equal(decode_exact(b, sizeof b, &m), PD_PPTP_BAD_MAGIC);
    assert_int_equal(m.magic, 0x1a2b3c4e);
    /* magic is judged as soon as it is there, before the control type */
    assert_int_equal(decode_exact(b, 8, &m), PD_PPTP_BAD_MAGIC);

    memcpy(b, ocrp_busy, sizeof b);
    b[9] = 16; /* control type 16 */
    assert_int_equal(decode_exact(b, sizeof b, &m), PD_PPTP_UNKNOWN_TYPE);
    assert_int_equal(m.ctrl_type, 16);
    b[9] = 0;
    assert_int_equal(decode_exact(b, sizeof b, &m), PD_PPTP_UNKNOWN_TYPE);
    b[8] = 0xff;
    b[9] = 0xff;
    assert_int_equal(decode_exact(b, sizeof b, &m), PD_PPTP_UNKNOWN_TYPE);

    memcpy(b, ocrp_busy, sizeof b);
    b[3] = 2; /* management message */
    assert_int_equal(decode_exact(b, sizeof b, &m), PD_PPTP_UNKNOWN_TYPE);
    assert_int_equal(m.pptp_type, 2);

    char line[128];
    memcpy(b, ocrp_busy, sizeof b);
    b[7] = 0;
    decode_exact(b, sizeof b, &m);
    pd_pptp_describe(&m, line, sizeof line);
    assert_string_equal(line, "PPTP bad magic cookie 0x1a2b3c00");
}

static void test_bad_length(void **state)
{
    (void)state;
    pd_pptp_msg m;
    uint8_t b[64];

    /* OCRP claiming 20 bytes and given 20: body cut by its own Length */
    memcpy(b, ocrp_busy, 32);
    b[1] = 20;
    assert_int_equal(decode_exact(b, 20, &m), PD_PPTP_BAD_LENGTH);
    assert_false(m.body_complete);
    assert_int_equal(m.expected_len, 32);
    assert_int_equal(m.call_id, 0x1234); /* what was there is decoded */

    /* Length 20 but 32 bytes given: still only Length counts */
    assert_int_equal(decode_exact(b, 32, &m), PD_PPTP_BAD_LENGTH);
    assert_false(m.body_complete);

    /* OCRP claiming 40, 40 bytes given: fields all there, extra ignored */
    memset(b, 0x99, sizeof b);
    memcpy(b, ocrp_busy, 32);
    b[1] = 40;
    assert_int_equal(decode_exact(b, 40, &m), PD_PPTP_BAD_LENGTH);
    assert_true(m.body_complete);
    assert_int_equal(m.result_code, 4);

    /* Length below the header, zero, maximum */
    memcpy(b, ocrp_busy, 32);
    b[0] = 0;
    b[1] = 4;
    assert_int_equal(decode_exact(b, 32, &m), PD_PPTP_BAD_LENGTH);
    assert_false(m.has_call_id);
    b[1] = 0;
    assert_int_equal(decode_exact(b, 32, &m), PD_PPTP_BAD_LENGTH);
    b[0] = 0xff;
    b[1] = 0xff;
    assert_int_equal(decode_exact(b, 32, &m), PD_PPTP_BAD_LENGTH);
    assert_true(m.body_complete); /* the 20 body bytes were all present */

    char line[128];
    memcpy(b, ocrp_busy, 32);
    b[1] = 20;
    decode_exact(b, 20, &m);
    pd_pptp_describe(&m, line, sizeof line);
    assert_non_null(strstr(line, "[bad length 20, expected 32]"));
}

static void test_names(void **state)
{
    (void)state;
    static const struct {
        uint16_t type;
        uint8_t result;
        const char *name;
    } results[] = {
        { PD_PPTP_SCCRP, 1, "Success" },        { PD_PPTP_SCCRP, 2, "General error" },
        { PD_PPTP_SCCRP, 3, "Command channel exists" }, { PD_PPTP_SCCRP, 4, "Not authorized" },
        { PD_PPTP_SCCRP, 5, "Unsupported version" },    { PD_PPTP_SCCRP, 6, "Unknown" },
        { PD_PPTP_STOPCCRP, 1, "OK" },          { PD_PPTP_STOPCCRP, 2, "General error" },
        { PD_PPTP_ECHORP, 1, "OK" },            { PD_PPTP_ECHORP, 2, "General error" },
        { PD_PPTP_OCRP, 1, "Connected" },       { PD_PPTP_OCRP, 2, "General error" },
        { PD_PPTP_OCRP, 3, "No carrier" },      { PD_PPTP_OCRP, 4, "Busy" },
        { PD_PPTP_OCRP, 5, "No dial tone" },    { PD_PPTP_OCRP, 6, "Time-out" },
        { PD_PPTP_OCRP, 7, "Do not accept" },   { PD_PPTP_OCRP, 0, "Unknown" },
        { PD_PPTP_OCRP, 255, "Unknown" },       { PD_PPTP_ICRP, 1, "Connect" },
        { PD_PPTP_ICRP, 2, "General error" },   { PD_PPTP_ICRP, 3, "Do not accept" },
        { PD_PPTP_CDN, 1, "Lost carrier" },     { PD_PPTP_CDN, 2, "General error" },
        { PD_PPTP_CDN, 3, "Admin shutdown" },   { PD_PPTP_CDN, 4, "Request" },
        { PD_PPTP_SCCRQ, 1, "Unknown" },        { 999, 1, "Unknown" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(results); i++)
        assert_string_equal(pd_pptp_result_name(results[i].type, results[i].result),
                            results[i].name);

    static const char *const errors[] = { "None", "Not-Connected", "Bad-Format", "Bad-Value",
                                          "No-Resource", "Bad-Call ID", "PAC-Error" };
    for (uint8_t e = 0; e < G_N_ELEMENTS(errors); e++)
        assert_string_equal(pd_pptp_error_name(e), errors[e]);
    assert_string_equal(pd_pptp_error_name(7), "Unknown");
    assert_string_equal(pd_pptp_error_name(255), "Unknown");

    assert_string_equal(pd_pptp_stop_reason_name(1), "None");
    assert_string_equal(pd_pptp_stop_reason_name(2), "Stop-Protocol");
    assert_string_equal(pd_pptp_stop_reason_name(3), "Stop-Local-Shutdown");
    assert_string_equal(pd_pptp_stop_reason_name(0), "Unknown");

    assert_string_equal(pd_pptp_msg_name(PD_PPTP_OCRP), "Outgoing-Call-Reply");
    assert_string_equal(pd_pptp_msg_name(PD_PPTP_WEN), "WAN-Error-Notify");
    assert_string_equal(pd_pptp_msg_name(0), "Unknown");
    assert_string_equal(pd_pptp_msg_name(16), "Unknown");
    assert_string_equal(pd_pptp_msg_name(65535), "Unknown");
    assert_string_equal(pd_pptp_msg_abbrev(PD_PPTP_CDN), "CDN");
    assert_int_equal(pd_pptp_msg_size(0), 0);
    assert_int_equal(pd_pptp_msg_size(16), 0);
    assert_string_equal(pd_pptp_status_name(PD_PPTP_BAD_LENGTH), "bad length");
    assert_true(pd_pptp_result_ok(PD_PPTP_ICRP, 1));
    assert_false(pd_pptp_result_ok(PD_PPTP_CDN, 1));
}

/* ---- framer tests -------------------------------------------------------------- */

typedef struct got_msg {
    size_t len;
    uint8_t first_byte_type; /* control type low byte */
    uint64_t first_frame, frame;
} got_msg;

typedef struct got_skip {
    pd_pptp_skip_reason why;
    uint64_t skipped, first_frame, frame;
} got_skip;

typedef struct collector {
    got_msg msgs[64];
    size_t n_msgs;
    got_skip skips[16];
    size_t n_skips;
    GByteArray *all; /* every delivered message concatenated */
} collector;

static void on_msg(const uint8_t *msg, size_t len, uint64_t first_frame, uint64_t frame,
                   int64_t ts_ns, void *user)
{
    (void)ts_ns;
    collector *c = user;
    assert_true(c->n_msgs < G_N_ELEMENTS(c->msgs));
    pd_pptp_msg m;
    assert_int_equal(pd_pptp_decode(msg, len, &m), PD_PPTP_OK);
    c->msgs[c->n_msgs++] = (got_msg){ len, (uint8_t)m.ctrl_type, first_frame, frame };
    g_byte_array_append(c->all, msg, (guint)len);
}

static void on_skip(pd_pptp_skip_reason why, uint64_t skipped, uint64_t first_frame,
                    uint64_t frame, int64_t ts_ns, void *user)
{
    (void)ts_ns;
    collector *c = user;
    assert_true(c->n_skips < G_N_ELEMENTS(c->skips));
    c->skips[c->n_skips++] = (got_skip){ why, skipped, first_frame, frame };
}

static void collector_init(collector *c)
{
    memset(c, 0, sizeof *c);
    c->all = g_byte_array_new();
}

static void collector_free(collector *c)
{
    g_byte_array_free(c->all, TRUE);
}

/* Push from exact-size heap copies. */
static void push(pd_pptp_framer *f, const uint8_t *data, size_t len, uint64_t frame, collector *c)
{
    uint8_t *copy = g_memdup2(data, len ? len : 1);
    pd_pptp_framer_push(f, copy, len, frame, (int64_t)frame * 1000, on_msg, on_skip, c);
    g_free(copy);
}

static GByteArray *stream_of_three(void)
{
    GByteArray *s = g_byte_array_new();
    g_byte_array_append(s, sccrq, sizeof sccrq);
    g_byte_array_append(s, ocrp_busy, sizeof ocrp_busy);
    g_byte_array_append(s, echo_rq, sizeof echo_rq);
    return s;
}

static void test_framer_one_push(void **state)
{
    (void)state;
    GByteArray *s = stream_of_three();
    pd_pptp_framer f;
    pd_pptp_framer_init(&f);
    collector c;
    collector_init(&c);
    push(&f, s->data, s->len, 7, &c);
    assert_int_equal(c.n_msgs, 3);
    assert_int_equal(c.msgs[0].first_byte_type, PD_PPTP_SCCRQ);
    assert_int_equal(c.msgs[1].first_byte_type, PD_PPTP_OCRP);
    assert_int_equal(c.msgs[2].first_byte_type, PD_PPTP_ECHORQ);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(c.msgs[i].first_frame, 7);
        assert_int_equal(c.msgs[i].frame, 7);
    }
    assert_int_equal(c.n_skips, 0);
    assert_int_equal(f.messages, 3);
    assert_int_equal(f.garbage_bytes, 0);
    assert_memory_equal(c.all->data, s->data, s->len);
    pd_pptp_framer_finish(&f, 8, 0, on_skip, &c);
    assert_int_equal(c.n_skips, 0);
    pd_pptp_framer_free(&f);
    collector_free(&c);
    g_byte_array_free(s, TRUE);
}

/* Split the stream in two at every byte boundary. */
static void test_framer_split_everywhere(void **state)
{
    (void)state;
    GByteArray *s = stream_of_three();
    for (size_t cut = 0; cut <= s->len; cut++) {
        pd_pptp_framer f;
        pd_pptp_framer_init(&f);
        collector c;
        collector_init(&c);
        push(&f, s->data, cut, 1, &c);
        push(&f, s->data + cut, s->len - cut, 2, &c);
        assert_int_equal(c.n_msgs, 3);
        assert_int_equal(c.n_skips, 0);
        assert_memory_equal(c.all->data, s->data, s->len);
        /* where each message started and completed */
        const size_t ends[3] = { sizeof sccrq, sizeof sccrq + sizeof ocrp_busy, s->len };
        const size_t starts[3] = { 0, ends[0], ends[1] };
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(c.msgs[i].first_frame, starts[i] < cut ? 1 : 2);
            assert_int_equal(c.msgs[i].frame, ends[i] <= cut ? 1 : 2);
        }
        pd_pptp_framer_free(&f);
        collector_free(&c);
    }
    g_byte_array_free(s, TRUE);
}

static void test_framer_byte_by_byte(void **state)
{
    (void)state;
    GByteArray *s = stream_of_three();
    pd_pptp_framer f;
    pd_pptp_framer_init(&f);
    collector c;
    collector_init(&c);
    for (size_t i = 0; i < s->len; i++)
        push(&f, s->data + i, 1, i + 1, &c);
    assert_int_equal(c.n_msgs, 3);
    assert_int_equal(c.msgs[0].first_frame, 1);
    assert_int_equal(c.msgs[0].frame, 156);
    assert_int_equal(c.msgs[1].first_frame, 157);
    assert_int_equal(c.msgs[1].frame, 188);
    assert_int_equal(c.msgs[2].first_frame, 189);
    assert_int_equal(c.msgs[2].frame, 204);
    assert_memory_equal(c.all->data, s->data, s->len);
    assert_int_equal(f.bytes, s->len);
    pd_pptp_framer_free(&f);
    collector_free(&c);
    g_byte_array_free(s, TRUE);
}

/* Garbage before, between (including a header-like run with Length < 12
 * and the right cookie) and after messages. */
static void test_framer_garbage(void **state)
{
    (void)state;
    static const uint8_t junk1[5] = { 0xde, 0xad, 0xbe, 0xef, 0x00 };
    static const uint8_t fake[12] = { 0x00, 0x04, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
                                      0x00, 0x01, 0x00, 0x00 }; /* Length 4 */
    pd_pptp_framer f;
    pd_pptp_framer_init(&f);
    collector c;
    collector_init(&c);

    push(&f, junk1, sizeof junk1, 1, &c);
    push(&f, sccrq, sizeof sccrq, 2, &c);
    push(&f, fake, sizeof fake, 3, &c);
    push(&f, ocrp_busy, sizeof ocrp_busy, 4, &c);
    push(&f, junk1, 3, 5, &c);

    assert_int_equal(c.n_msgs, 2);
    assert_int_equal(c.msgs[0].first_byte_type, PD_PPTP_SCCRQ);
    assert_int_equal(c.msgs[0].first_frame, 2);
    assert_int_equal(c.msgs[1].first_byte_type, PD_PPTP_OCRP);
    assert_int_equal(c.msgs[1].first_frame, 4);
    assert_int_equal(c.n_skips, 2);
    assert_int_equal(c.skips[0].why, PD_PPTP_SKIP_GARBAGE);
    assert_int_equal(c.skips[0].skipped, 5);
    assert_int_equal(c.skips[0].first_frame, 1);
    assert_int_equal(c.skips[0].frame, 2);
    assert_int_equal(c.skips[1].why, PD_PPTP_SKIP_GARBAGE);
    assert_int_equal(c.skips[1].skipped, 12);
    assert_int_equal(c.skips[1].first_frame, 3);
    assert_int_equal(c.skips[1].frame, 4);
    assert_int_equal(f.garbage_runs, 2);

    /* the trailing 3 junk bytes are held; at the end they are reported */
    pd_pptp_framer_finish(&f, 6, 0, on_skip, &c);
    assert_int_equal(c.n_skips, 3);
    assert_int_equal(c.skips[2].why, PD_PPTP_SKIP_AT_END);
    assert_int_equal(c.skips[2].skipped, 3);
    assert_int_equal(f.garbage_bytes, 17);
    pd_pptp_framer_free(&f);
    collector_free(&c);
}

/* A garbage run longer than a header, split across pushes, then a message
 * split too: one skip report. */
static void test_framer_long_garbage(void **state)
{
    (void)state;
    uint8_t junk[300];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 7);
    pd_pptp_framer f;
    pd_pptp_framer_init(&f);
    collector c;
    collector_init(&c);
    push(&f, junk, 100, 1, &c);
    push(&f, junk + 100, 200, 2, &c);
    push(&f, ocrp_busy, 5, 3, &c);
    push(&f, ocrp_busy + 5, sizeof ocrp_busy - 5, 4, &c);
    assert_int_equal(c.n_msgs, 1);
    assert_int_equal(c.msgs[0].first_frame, 3);
    assert_int_equal(c.msgs[0].frame, 4);
    assert_int_equal(c.n_skips, 1);
    assert_int_equal(c.skips[0].skipped, 300);
    assert_int_equal(c.skips[0].first_frame, 1);
    assert_int_equal(c.skips[0].frame, 4);
    pd_pptp_framer_free(&f);
    collector_free(&c);
}

static void test_framer_gap(void **state)
{
    (void)state;
    pd_pptp_framer f;
    pd_pptp_framer_init(&f);
    collector c;
    collector_init(&c);

    /* half an SCCRQ, a gap, the tail of an OCRP, then a whole Echo */
    push(&f, sccrq, 50, 1, &c);
    pd_pptp_framer_gap(&f, 2, 0, on_skip, &c);
    push(&f, ocrp_busy + 10, sizeof ocrp_busy - 10, 3, &c);
    push(&f, echo_rq, sizeof echo_rq, 3, &c);
    assert_int_equal(c.n_msgs, 1);
    assert_int_equal(c.msgs[0].first_byte_type, PD_PPTP_ECHORQ);
    assert_int_equal(c.n_skips, 1);
    assert_int_equal(c.skips[0].why, PD_PPTP_SKIP_AFTER_GAP);
    assert_int_equal(c.skips[0].skipped, 50 + sizeof ocrp_busy - 10);
    assert_int_equal(f.garbage_bytes, 0);
    assert_int_equal(f.gap_skipped_bytes, 50 + sizeof ocrp_busy - 10);
    assert_int_equal(f.gaps, 1);

    /* after resync, garbage is garbage again */
    push(&f, (const uint8_t *)"xyz", 3, 4, &c);
    push(&f, echo_rq, sizeof echo_rq, 5, &c);
    assert_int_equal(c.n_skips, 2);
    assert_int_equal(c.skips[1].why, PD_PPTP_SKIP_GARBAGE);
    assert_int_equal(c.skips[1].skipped, 3);

    /* a gap at a message boundary loses nothing */
    pd_pptp_framer_gap(&f, 6, 0, on_skip, &c);
    push(&f, echo_rq, sizeof echo_rq, 7, &c);
    assert_int_equal(c.n_msgs, 3);
    assert_int_equal(c.n_skips, 2);
    pd_pptp_framer_free(&f);
    collector_free(&c);
}

/* Length 65535: the biggest message fits, in many pushes. */
static void test_framer_max_message(void **state)
{
    (void)state;
    uint8_t *big = g_malloc0(65535);
    big[0] = 0xff;
    big[1] = 0xff;
    big[3] = 1;
    big[4] = 0x1a;
    big[5] = 0x2b;
    big[6] = 0x3c;
    big[7] = 0x4d;
    big[9] = PD_PPTP_ECHORQ;
    pd_pptp_framer f;
    pd_pptp_framer_init(&f);
    collector c;
    collector_init(&c);
    size_t off = 0;
    uint64_t frame = 1;
    while (off < 65535) {
        size_t n = 65535 - off < 1460 ? 65535 - off : 1460;
        pd_pptp_framer_push(&f, big + off, n, frame++, 0, NULL, on_skip, &c);
        off += n;
    }
    assert_int_equal(f.messages, 1);
    assert_true(f.buf_size <= PD_PPTP_MAX_MSG_LEN);
    assert_int_equal(c.n_skips, 0);
    pd_pptp_framer_free(&f);
    collector_free(&c);
    g_free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sccrq),
        cmocka_unit_test(test_sccrp),
        cmocka_unit_test(test_ocrq),
        cmocka_unit_test(test_ocrp_busy),
        cmocka_unit_test(test_cdn_sli_echo),
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_bad_magic_and_types),
        cmocka_unit_test(test_bad_length),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_framer_one_push),
        cmocka_unit_test(test_framer_split_everywhere),
        cmocka_unit_test(test_framer_byte_by_byte),
        cmocka_unit_test(test_framer_garbage),
        cmocka_unit_test(test_framer_long_garbage),
        cmocka_unit_test(test_framer_gap),
        cmocka_unit_test(test_framer_max_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
