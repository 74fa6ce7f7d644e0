/* test_pptp_midcall.c - PPTP calls captured mid-call: enhanced GRE between
 * two hosts with no control connection in the capture becomes a session of
 * its own per call (directions paired by address pair or by GRE
 * acknowledgments), roles guessed and said to be guesses, and a TCP 1723
 * stream that began before the capture joins the call it names.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pcapdiag/pcapdiag.h"

#define LINKTYPE_IPV4 228
#define SEC INT64_C(1000000000)

static const uint8_t CLIENT[4] = { 10, 0, 1, 2 };
static const uint8_t SERVER[4] = { 10, 0, 2, 2 };

typedef struct pkt {
    uint8_t b[256];
    size_t len;
} pkt;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void ipv4(pkt *p, const uint8_t *src, const uint8_t *dst, uint8_t proto, size_t l4_len)
{
    memset(p->b, 0, 20);
    p->b[0] = 0x45;
    put16(p->b + 2, (uint16_t)(20 + l4_len));
    p->b[8] = 64;
    p->b[9] = proto;
    memcpy(p->b + 12, src, 4);
    memcpy(p->b + 16, dst, 4);
    p->len = 20 + l4_len;
}

/* PPP frames carried in the GRE. */
enum { PPP_DATA, PPP_ECHO_REQ, PPP_ECHO_REP };

/* Enhanced GRE (RFC 2637 4.1) with a sequence number, an acknowledgment
 * when `ack` is non-zero, and a PPP frame. */
static void gre(pkt *p, const uint8_t *src, const uint8_t *dst, uint16_t call_id, uint32_t seq,
                uint32_t ack, int ppp, uint8_t ident)
{
    uint8_t payload[16];
    size_t plen;
    if (ppp == PPP_DATA) {
        static const uint8_t d[] = { 0x00, 0xFD, 0x90, 0x01, 0xAA, 0xBB, 0xCC, 0xDD };
        memcpy(payload, d, sizeof d);
        plen = sizeof d;
    } else {
        /* LCP Echo, the way Linux pppd sends it once ACFC was agreed (no FF 03). */
        static const uint8_t e[] = { 0xC0, 0x21, 0x09, 0x00, 0x00, 0x08, 0x12, 0x34, 0x56, 0x78 };
        memcpy(payload, e, sizeof e);
        payload[2] = ppp == PPP_ECHO_REQ ? 9 : 10;
        payload[3] = ident;
        plen = sizeof e;
    }
    size_t hl = ack ? 16 : 12;
    ipv4(p, src, dst, 47, hl + plen);
    uint8_t *g = p->b + 20;
    g[0] = 0x30;                          /* K, S */
    g[1] = (uint8_t)(0x01 | (ack ? 0x80 : 0)); /* version 1, A */
    put16(g + 2, 0x880B);
    put16(g + 4, (uint16_t)plen);
    put16(g + 6, call_id);
    put32(g + 8, seq);
    if (ack)
        put32(g + 12, ack);
    memcpy(g + hl, payload, plen);
}

typedef struct feeder {
    pd_engine *e;
    uint64_t n;
    int64_t ts;
} feeder;

static void feed(feeder *f, const pkt *p)
{
    f->ts += SEC / 2;
    pd_frame fr = { LINKTYPE_IPV4, ++f->n, f->ts, p->b, p->len, p->len };
    assert_true(pd_engine_feed(f->e, &fr, NULL));
}

static feeder start(void)
{
    feeder f = { pd_engine_new(NULL), 0, SEC };
    assert_non_null(f.e);
    return f;
}

static const pd_attr *attr(const pd_session *s, const char *key)
{
    for (size_t i = 0; i < s->n_attrs; i++)
        if (strcmp(s->attrs[i].key, key) == 0)
            return &s->attrs[i];
    return NULL;
}

static void assert_attr_str(const pd_session *s, const char *key, const char *value)
{
    const pd_attr *a = attr(s, key);
    assert_non_null(a);
    assert_string_equal(a->str, value);
}

static void assert_attr_num(const pd_session *s, const char *key, int64_t value)
{
    const pd_attr *a = attr(s, key);
    assert_non_null(a);
    assert_int_equal(a->num, value);
}

static void assert_no_error_or_warning(pd_engine *e)
{
    for (size_t i = 0; i < pd_engine_finding_count(e); i++)
        assert_int_equal(pd_engine_finding(e, i)->severity, PD_SEV_NOTE);
}

static bool endpoint_is(const pd_endpoint *ep, const uint8_t *a)
{
    return ep->family == 4 && memcmp(ep->addr, a, 4) == 0;
}

/* A healthy call both ways, the server's data first: one session, the
 * client found by its LCP Echo-Requests, both Call IDs named. */
static void test_both_ways_one_session(void **state)
{
    feeder f = start();
    pkt p;
    uint32_t cs = 1, ss = 1;
    gre(&p, SERVER, CLIENT, 0x1234, ss++, 0, PPP_DATA, 0);
    feed(&f, &p);
    for (uint8_t i = 0; i < 4; i++) {
        gre(&p, CLIENT, SERVER, 0, cs++, ss - 1, PPP_ECHO_REQ, i);
        feed(&f, &p);
        gre(&p, SERVER, CLIENT, 0x1234, ss++, cs - 1, PPP_ECHO_REP, i);
        feed(&f, &p);
        gre(&p, CLIENT, SERVER, 0, cs++, 0, PPP_DATA, 0);
        feed(&f, &p);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->protocol, PD_PROTO_PPTP);
    assert_true(endpoint_is(&s->client, CLIENT));
    assert_true(endpoint_is(&s->server, SERVER));
    assert_int_equal(s->packets[PD_DIR_TO_SERVER], 8);
    assert_int_equal(s->packets[PD_DIR_TO_CLIENT], 5);
    assert_string_equal(s->state, "mid-call");
    assert_string_equal(s->stages[0].name, "mid-call");
    assert_attr_str(s, "control_connection", "not captured");
    assert_attr_str(s, "roles", "likely: the client sends LCP Echo-Requests");
    assert_attr_num(s, "client_call_id", 0x1234);
    assert_attr_num(s, "server_call_id", 0);
    assert_attr_num(s, "gre_to_server_packets", 8);
    assert_attr_num(s, "gre_to_client_lost", 0);
    assert_null(attr(s, "gre_pairing"));
    /* the server's first frame went to the client, after the swap too */
    assert_int_equal(s->ladder[0].dir, PD_DIR_TO_CLIENT);
    assert_no_error_or_warning(f.e);
    pd_engine_free(f.e);
}

/* GRE one way only: a note with low confidence, never an error. */
static void test_one_way_is_a_note(void **state)
{
    feeder f = start();
    pkt p;
    for (uint32_t i = 1; i <= 6; i++) {
        gre(&p, CLIENT, SERVER, 7, i, 0, i % 2 ? PPP_ECHO_REQ : PPP_DATA, (uint8_t)i);
        feed(&f, &p);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "gre-one-way");
    assert_null(attr(s, "client_call_id"));
    assert_attr_num(s, "server_call_id", 7);
    assert_int_equal(pd_engine_finding_count(f.e), 1);
    const pd_finding *fd = pd_engine_finding(f.e, 0);
    assert_string_equal(fd->signature->id, "pptp.gre_blocked");
    assert_int_equal(fd->severity, PD_SEV_NOTE);
    assert_int_equal(fd->confidence, PD_CONF_LOW);
    assert_non_null(strstr(fd->summary, "likely"));
    pd_engine_free(f.e);
}

/* GRE both ways, then the server's stops and the client's LCP
 * Echo-Requests go unanswered: pptp.gre_cut_midway, no Windows code (which
 * one follows depends on the client), never a control-connection verdict. */
static void test_cut_seen_by_unanswered_echo(void **state)
{
    feeder f = start();
    pkt p;
    uint32_t cs = 1, ss = 1;
    for (uint8_t i = 0; i < 3; i++) {
        gre(&p, CLIENT, SERVER, 0, cs++, 0, PPP_ECHO_REQ, i);
        feed(&f, &p);
        gre(&p, SERVER, CLIENT, 0x1234, ss++, cs - 1, PPP_ECHO_REP, i);
        feed(&f, &p);
    }
    for (uint8_t i = 3; i < 18; i++) {
        gre(&p, CLIENT, SERVER, 0, cs++, 0, i % 2 ? PPP_ECHO_REQ : PPP_DATA, i);
        feed(&f, &p);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "gre-cut");
    assert_int_equal(pd_engine_finding_count(f.e), 1);
    const pd_finding *fd = pd_engine_finding(f.e, 0);
    assert_string_equal(fd->signature->id, "pptp.gre_cut_midway");
    assert_int_equal(fd->n_windows_errors, 0);
    assert_int_equal(fd->confidence, PD_CONF_MEDIUM);
    pd_engine_free(f.e);
}

/* Two calls between the same hosts, both starting the same way: the
 * server's acknowledgments say which client flow each answers. */
static void test_two_calls_paired_by_ack(void **state)
{
    feeder f = start();
    pkt p;
    gre(&p, CLIENT, SERVER, 100, 1000, 0, PPP_DATA, 0);
    feed(&f, &p);
    gre(&p, CLIENT, SERVER, 101, 5000, 0, PPP_DATA, 0);
    feed(&f, &p);
    gre(&p, SERVER, CLIENT, 200, 1, 1000, PPP_DATA, 0);
    feed(&f, &p);
    gre(&p, SERVER, CLIENT, 201, 1, 5000, PPP_DATA, 0);
    feed(&f, &p);
    for (uint32_t i = 1; i <= 3; i++) {
        gre(&p, CLIENT, SERVER, 101, 5000 + i, 1 + i - 1, PPP_DATA, 0);
        feed(&f, &p);
        gre(&p, CLIENT, SERVER, 100, 1000 + i, 1 + i - 1, PPP_DATA, 0);
        feed(&f, &p);
        gre(&p, SERVER, CLIENT, 200, 1 + i, 1000 + i, PPP_DATA, 0);
        feed(&f, &p);
        gre(&p, SERVER, CLIENT, 201, 1 + i, 5000 + i, PPP_DATA, 0);
        feed(&f, &p);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 2);
    const pd_session *a = pd_engine_session(f.e, 0), *b = pd_engine_session(f.e, 1);
    assert_attr_num(a, "server_call_id", 100);
    assert_attr_num(a, "client_call_id", 200);
    assert_attr_num(b, "server_call_id", 101);
    assert_attr_num(b, "client_call_id", 201);
    assert_attr_num(a, "gre_to_server_packets", 4);
    assert_attr_num(a, "gre_to_client_packets", 4);
    assert_null(attr(a, "gre_pairing"));
    assert_no_error_or_warning(f.e);
    pd_engine_free(f.e);
}

/* Two calls and nothing to tell their directions apart: each direction
 * stays a session of its own, said so, and no one-way verdict. */
static void test_two_calls_unpaired(void **state)
{
    feeder f = start();
    pkt p;
    for (uint32_t i = 1; i <= 3; i++) {
        gre(&p, CLIENT, SERVER, 100, i, 0, PPP_DATA, 0);
        feed(&f, &p);
        gre(&p, CLIENT, SERVER, 101, i, 0, PPP_DATA, 0);
        feed(&f, &p);
        gre(&p, SERVER, CLIENT, 200, i, 0, PPP_DATA, 0);
        feed(&f, &p);
        gre(&p, SERVER, CLIENT, 201, i, 0, PPP_DATA, 0);
        feed(&f, &p);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 4);
    for (size_t i = 0; i < 4; i++) {
        const pd_session *s = pd_engine_session(f.e, i);
        assert_non_null(attr(s, "gre_pairing"));
        assert_string_equal(s->state, "mid-call");
    }
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    pd_engine_free(f.e);
}

/* TCP 1723 segment with one PPTP control message. */
static void tcp_ctrl(pkt *p, const uint8_t *src, const uint8_t *dst, uint16_t sport,
                     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                     const uint8_t *data, size_t len)
{
    ipv4(p, src, dst, 6, 20 + len);
    uint8_t *t = p->b + 20;
    memset(t, 0, 20);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 64240);
    if (len)
        memcpy(t + 20, data, len);
}

/* GRE first (the server's), then the Call-Clear-Request of a control
 * connection that began before the capture: the same session, roles from
 * the port. */
static void test_gre_then_midstream_control(void **state)
{
    feeder f = start();
    pkt p;
    for (uint32_t i = 1; i <= 3; i++) {
        gre(&p, SERVER, CLIENT, 0x4321, i, 0, PPP_DATA, 0);
        feed(&f, &p);
        gre(&p, CLIENT, SERVER, 0, i, i, PPP_DATA, 0);
        feed(&f, &p);
    }
    uint8_t ccrq[16] = { 0 };
    put16(ccrq, 16);
    put16(ccrq + 2, 1);
    put32(ccrq + 4, 0x1A2B3C4D);
    put16(ccrq + 8, 12); /* Call-Clear-Request */
    put16(ccrq + 12, 0x4321);
    tcp_ctrl(&p, CLIENT, SERVER, 40000, 1723, 5000, 9000, 0x18, ccrq, sizeof ccrq);
    feed(&f, &p);
    tcp_ctrl(&p, CLIENT, SERVER, 40000, 1723, 5016, 9000, 0x11, NULL, 0);
    feed(&f, &p);
    tcp_ctrl(&p, SERVER, CLIENT, 1723, 40000, 9000, 5017, 0x11, NULL, 0);
    feed(&f, &p);
    tcp_ctrl(&p, CLIENT, SERVER, 40000, 1723, 5017, 9001, 0x10, NULL, 0);
    feed(&f, &p);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(endpoint_is(&s->client, CLIENT));
    assert_int_equal(s->client.port, 40000);
    assert_int_equal(s->server.port, 1723);
    assert_attr_str(s, "control_connection", "start not captured");
    assert_attr_str(s, "control_names_call", "yes");
    assert_attr_num(s, "client_call_id", 0x4321);
    assert_attr_num(s, "gre_to_client_packets", 3);
    assert_int_equal(s->packets[PD_DIR_TO_SERVER], 3 + 3);
    assert_string_equal(s->state, "closed");
    assert_int_equal(s->ladder[0].dir, PD_DIR_TO_CLIENT);
    assert_no_error_or_warning(f.e);
    pd_engine_free(f.e);
}

/* The other order: a PPTP Echo-Request on a control connection already open
 * when the capture began, then the call's GRE both ways: the call joins the
 * control connection's session. */
static void test_midstream_control_then_gre(void **state)
{
    feeder f = start();
    pkt p;
    uint8_t echo[16] = { 0 };
    put16(echo, 16);
    put16(echo + 2, 1);
    put32(echo + 4, 0x1A2B3C4D);
    put16(echo + 8, 5); /* Echo-Request */
    put32(echo + 12, 77);
    tcp_ctrl(&p, SERVER, CLIENT, 1723, 40000, 9000, 5000, 0x18, echo, sizeof echo);
    feed(&f, &p);
    for (uint32_t i = 1; i <= 3; i++) {
        gre(&p, SERVER, CLIENT, 0x4321, i, 0, PPP_DATA, 0);
        feed(&f, &p);
        gre(&p, CLIENT, SERVER, 0, i, i, PPP_DATA, 0);
        feed(&f, &p);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(endpoint_is(&s->client, CLIENT));
    assert_int_equal(s->server.port, 1723);
    assert_attr_str(s, "control_connection", "start not captured");
    assert_attr_num(s, "client_call_id", 0x4321);
    assert_attr_num(s, "server_call_id", 0);
    assert_attr_num(s, "gre_to_server_packets", 3);
    assert_attr_num(s, "gre_to_client_packets", 3);
    assert_null(attr(s, "gre_unmatched"));
    assert_no_error_or_warning(f.e);
    pd_engine_free(f.e);
}

/* GRE v0 or another protocol between the hosts is not a PPTP call. */
static void test_plain_gre_is_not_a_call(void **state)
{
    feeder f = start();
    pkt p;
    gre(&p, CLIENT, SERVER, 7, 1, 0, PPP_DATA, 0);
    p.b[21] = 0x00; /* version 0 */
    feed(&f, &p);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 0);
    pd_engine_free(f.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_ways_one_session),
        cmocka_unit_test(test_one_way_is_a_note),
        cmocka_unit_test(test_cut_seen_by_unanswered_echo),
        cmocka_unit_test(test_two_calls_paired_by_ack),
        cmocka_unit_test(test_two_calls_unpaired),
        cmocka_unit_test(test_gre_then_midstream_control),
        cmocka_unit_test(test_midstream_control_then_gre),
        cmocka_unit_test(test_plain_gre_is_not_a_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
