/* test_l2tp_track.c - the engine on hand-built L2TP frames (raw IPv4, UDP
 * 1701; RFC 2661 layouts): an unanswered SCCRQ, ICMP refusals, a StopCCN
 * with a result code, a CDN refusing the call, HELLOs never acknowledged,
 * answers lost on the way back, a floating server port, tunnel reuse, PPP
 * over L2TP (healthy, auth failure, LCP unanswered), L2TPv3, junk on 1701.
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
#define MS INT64_C(1000000)

static const uint8_t CLIENT[4] = { 10, 0, 1, 2 };
static const uint8_t SERVER[4] = { 10, 0, 2, 2 };
static const uint8_t ROUTER[4] = { 10, 0, 1, 1 };

/* Tunnel and Session IDs each side assigns itself. */
enum { C_TID = 12, S_TID = 7, C_SID = 3, S_SID = 9 };

/* Message types and AVPs (RFC 2661 sections 3.2, 4.4). */
enum { SCCRQ = 1, SCCRP = 2, SCCCN = 3, STOPCCN = 4, HELLO = 6, ICRQ = 10, ICRP = 11,
       ICCN = 12, CDN = 14 };
enum { A_MSG = 0, A_RESULT = 1, A_VERSION = 2, A_FRAMING = 3, A_HOST = 7, A_TUNNEL = 9,
       A_WINDOW = 10, A_SESSION = 14, A_SERIAL = 15, A_FRAMING_TYPE = 19, A_SPEED = 24 };

/* ---- building frames ---- */

typedef struct pkt {
    uint8_t b[1600];
    size_t len;
} pkt;

typedef struct msg {
    uint8_t b[1024];
    size_t n;
} msg;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void m16(msg *m, uint16_t v)
{
    put16(m->b + m->n, v);
    m->n += 2;
}

static void ctrl(msg *m, uint16_t tunnel, uint16_t session, uint16_t ns, uint16_t nr, int type)
{
    m->n = 0;
    m16(m, 0xc802); /* T L S, version 2 */
    m16(m, 0);      /* Length, set by the sender helpers */
    m16(m, tunnel);
    m16(m, session);
    m16(m, ns);
    m16(m, nr);
    if (type > 0) {
        m16(m, 0x8008);
        m16(m, 0);
        m16(m, A_MSG);
        m16(m, (uint16_t)type);
    }
}

static void avp_bytes(msg *m, uint16_t type, const void *v, size_t n)
{
    m16(m, (uint16_t)(0x8000 | (6 + n)));
    m16(m, 0);
    m16(m, type);
    memcpy(m->b + m->n, v, n);
    m->n += n;
}

static void avp16(msg *m, uint16_t type, uint16_t v)
{
    uint8_t x[2];
    put16(x, v);
    avp_bytes(m, type, x, 2);
}

static void avp32(msg *m, uint16_t type, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    avp_bytes(m, type, x, 4);
}

static void avp_result(msg *m, uint16_t result, uint16_t error, const char *text)
{
    uint8_t x[64];
    put16(x, result);
    put16(x + 2, error);
    size_t n = strlen(text);
    memcpy(x + 4, text, n);
    avp_bytes(m, A_RESULT, x, 4 + n);
}

/* A data message (no L, no S) carrying one PPP frame. */
static void data(msg *m, uint16_t tunnel, uint16_t session, const uint8_t *ppp, size_t n)
{
    m->n = 0;
    m16(m, 0x0002);
    m16(m, tunnel);
    m16(m, session);
    memcpy(m->b + m->n, ppp, n);
    m->n += n;
}

static void ipv4(pkt *p, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint8_t ttl,
                 size_t l4_len)
{
    memset(p->b, 0, 20);
    p->b[0] = 0x45;
    put16(p->b + 2, (uint16_t)(20 + l4_len));
    p->b[8] = ttl;
    p->b[9] = proto;
    memcpy(p->b + 12, src, 4);
    memcpy(p->b + 16, dst, 4);
    p->len = 20 + l4_len;
}

static void udp(pkt *p, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
                uint8_t ttl, const uint8_t *payload, size_t n)
{
    ipv4(p, src, dst, 17, ttl, 8 + n);
    uint8_t *u = p->b + 20;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + n));
    put16(u + 6, 0);
    memcpy(u + 8, payload, n);
}

typedef struct feeder {
    pd_engine *e;
    uint64_t n;
    uint8_t c_ttl, s_ttl;
    uint16_t c_port, s_port;
    pkt last; /* the last frame fed, for ICMP quotes */
} feeder;

static feeder start(void)
{
    feeder f = { pd_engine_new(NULL), 0, 64, 63, 1701, 1701, { .len = 0 } };
    assert_non_null(f.e);
    return f;
}

static void feed(feeder *f, const pkt *p, int64_t ts)
{
    pd_frame fr = { LINKTYPE_IPV4, ++f->n, ts, p->b, p->len, p->len };
    assert_true(pd_engine_feed(f->e, &fr, NULL));
    f->last = *p;
}

/* Send the built message from the client (to_server) or the server. */
static void send_msg(feeder *f, msg *m, bool to_server, int64_t ts)
{
    if (m->b[0] & 0x80) /* control: patch Length */
        put16(m->b + 2, (uint16_t)m->n);
    pkt p;
    if (to_server)
        udp(&p, CLIENT, SERVER, f->c_port, f->s_port, f->c_ttl, m->b, m->n);
    else
        udp(&p, SERVER, CLIENT, f->s_port, f->c_port, f->s_ttl, m->b, m->n);
    feed(f, &p, ts);
}

static void send_sccrq(feeder *f, uint16_t tid, int64_t ts)
{
    msg m;
    ctrl(&m, 0, 0, 0, 0, SCCRQ);
    avp16(&m, A_VERSION, 0x0100);
    avp32(&m, A_FRAMING, 3);
    avp_bytes(&m, A_HOST, "client", 6);
    avp16(&m, A_TUNNEL, tid);
    avp16(&m, A_WINDOW, 4);
    send_msg(f, &m, true, ts);
}

static void send_zlb(feeder *f, bool to_server, uint16_t ns, uint16_t nr, int64_t ts)
{
    msg m;
    ctrl(&m, to_server ? S_TID : C_TID, 0, ns, nr, 0);
    send_msg(f, &m, to_server, ts);
}

/* SCCRQ, SCCRP, SCCCN, ZLB: the tunnel is connected. Client Ns next 2,
 * server Ns next 1. */
static void tunnel_up(feeder *f, int64_t t0)
{
    send_sccrq(f, C_TID, t0);
    msg m;
    ctrl(&m, C_TID, 0, 0, 1, SCCRP);
    avp16(&m, A_VERSION, 0x0100);
    avp_bytes(&m, A_HOST, "lns", 3);
    avp16(&m, A_TUNNEL, S_TID);
    send_msg(f, &m, false, t0 + 10 * MS);
    ctrl(&m, S_TID, 0, 1, 1, SCCCN);
    send_msg(f, &m, true, t0 + 20 * MS);
    send_zlb(f, false, 1, 2, t0 + 30 * MS);
}

/* ICRQ, ICRP, ICCN, ZLB: the call is connected. Client Ns next 4, server 2. */
static void call_up(feeder *f, int64_t t0)
{
    msg m;
    ctrl(&m, S_TID, 0, 2, 1, ICRQ);
    avp16(&m, A_SESSION, C_SID);
    avp32(&m, A_SERIAL, 1);
    send_msg(f, &m, true, t0);
    ctrl(&m, C_TID, C_SID, 1, 3, ICRP);
    avp16(&m, A_SESSION, S_SID);
    send_msg(f, &m, false, t0 + 10 * MS);
    ctrl(&m, S_TID, S_SID, 3, 2, ICCN);
    avp32(&m, A_SPEED, 10000000);
    avp32(&m, A_FRAMING_TYPE, 1);
    send_msg(f, &m, true, t0 + 20 * MS);
    send_zlb(f, false, 2, 4, t0 + 30 * MS);
}

static void send_ppp(feeder *f, bool to_server, const uint8_t *ppp, size_t n, int64_t ts)
{
    msg m;
    data(&m, to_server ? S_TID : C_TID, to_server ? S_SID : C_SID, ppp, n);
    send_msg(f, &m, to_server, ts);
}

/* PPP frames (RFC 1661, RFC 1334, RFC 1332), with FF 03 as L2TP peers send them. */
static const uint8_t lcp_req_s[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x0e, 0x03, 0x04,
                                     0xc0, 0x23, 0x05, 0x06, 0x11, 0x11, 0x11, 0x11 };
static const uint8_t lcp_ack_c[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x01, 0x00, 0x0e, 0x03, 0x04,
                                     0xc0, 0x23, 0x05, 0x06, 0x11, 0x11, 0x11, 0x11 };
static const uint8_t lcp_req_c[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x0a,
                                     0x05, 0x06, 0x22, 0x22, 0x22, 0x22 };
static const uint8_t lcp_ack_s[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x01, 0x00, 0x0a,
                                     0x05, 0x06, 0x22, 0x22, 0x22, 0x22 };
static const uint8_t pap_req[] = { 0xff, 0x03, 0xc0, 0x23, 0x01, 0x01, 0x00, 0x0e, 0x04,
                                   'u',  's',  'e',  'r',  0x04, 'p',  'a',  's',  's' };
static const uint8_t pap_ack[] = { 0xff, 0x03, 0xc0, 0x23, 0x02, 0x01, 0x00, 0x05, 0x00 };
static const uint8_t pap_nak[] = { 0xff, 0x03, 0xc0, 0x23, 0x03, 0x01, 0x00, 0x0b, 0x06,
                                   'd',  'e',  'n',  'i',  'e',  'd' };
static const uint8_t ipcp_req_c1[] = { 0xff, 0x03, 0x80, 0x21, 0x01, 0x01, 0x00, 0x0a,
                                       0x03, 0x06, 0, 0, 0, 0 };
static const uint8_t ipcp_nak_s[] = { 0xff, 0x03, 0x80, 0x21, 0x03, 0x01, 0x00, 0x0a,
                                      0x03, 0x06, 192, 168, 100, 10 };
static const uint8_t ipcp_req_c2[] = { 0xff, 0x03, 0x80, 0x21, 0x01, 0x02, 0x00, 0x0a,
                                       0x03, 0x06, 192, 168, 100, 10 };
static const uint8_t ipcp_ack_s[] = { 0xff, 0x03, 0x80, 0x21, 0x02, 0x02, 0x00, 0x0a,
                                      0x03, 0x06, 192, 168, 100, 10 };
static const uint8_t ipcp_req_s[] = { 0xff, 0x03, 0x80, 0x21, 0x01, 0x01, 0x00, 0x0a,
                                      0x03, 0x06, 192, 168, 100, 1 };
static const uint8_t ipcp_ack_c[] = { 0xff, 0x03, 0x80, 0x21, 0x02, 0x01, 0x00, 0x0a,
                                      0x03, 0x06, 192, 168, 100, 1 };
static const uint8_t ip_data[] = { 0xff, 0x03, 0x00, 0x21, 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1,
                                   0, 0, 192, 168, 100, 10, 192, 168, 100, 1 };

/* LCP both ways (the server asks for PAP). */
static void lcp_up(feeder *f, int64_t t0)
{
    send_ppp(f, false, lcp_req_s, sizeof lcp_req_s, t0);
    send_ppp(f, true, lcp_req_c, sizeof lcp_req_c, t0 + 1 * MS);
    send_ppp(f, true, lcp_ack_c, sizeof lcp_ack_c, t0 + 2 * MS);
    send_ppp(f, false, lcp_ack_s, sizeof lcp_ack_s, t0 + 3 * MS);
}

/* ---- checks ---- */

static const pd_finding *only_finding(pd_engine *e, const char *sig)
{
    const pd_finding *hit = NULL;
    for (size_t i = 0; i < pd_engine_finding_count(e); i++) {
        const pd_finding *f = pd_engine_finding(e, i);
        if (strcmp(f->signature->id, sig) == 0) {
            assert_null(hit);
            hit = f;
        } else {
            assert_int_not_equal(f->severity, PD_SEV_ERROR);
        }
    }
    assert_non_null(hit);
    return hit;
}

static void no_error_findings(pd_engine *e)
{
    for (size_t i = 0; i < pd_engine_finding_count(e); i++) {
        const pd_finding *f = pd_engine_finding(e, i);
        if (f->severity == PD_SEV_ERROR)
            fail_msg("unexpected %s: %s", f->signature->id, f->summary);
    }
}

static bool has_code(const pd_finding *f, int code)
{
    for (size_t i = 0; i < f->n_windows_errors; i++)
        if (f->windows_errors[i] == code)
            return true;
    return false;
}

static const pd_attr *attr(const pd_session *s, const char *key)
{
    for (size_t i = 0; i < s->n_attrs; i++)
        if (strcmp(s->attrs[i].key, key) == 0)
            return &s->attrs[i];
    return NULL;
}

static int64_t attr_num(const pd_session *s, const char *key)
{
    const pd_attr *a = attr(s, key);
    assert_non_null(a);
    return a->num;
}

static bool reached(const pd_session *s, const char *stage)
{
    for (size_t i = 0; i < s->n_stages; i++)
        if (strcmp(s->stages[i].name, stage) == 0)
            return true;
    return false;
}

/* ---- tunnel setup ---- */

static void test_sccrq_unanswered(void **state)
{
    (void)state;
    feeder f = start();
    send_sccrq(&f, C_TID, 0);
    send_sccrq(&f, C_TID, 1 * SEC);
    send_sccrq(&f, C_TID, 3 * SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->protocol, PD_PROTO_L2TP);
    assert_int_equal(s->server.port, 1701);
    assert_string_equal(s->state, "no-answer");
    /* three identical SCCRQs fold into one ladder line */
    assert_int_equal(s->n_ladder, 1);
    assert_int_equal(s->ladder[0].repeat, 3);
    assert_non_null(strstr(s->ladder[0].text, "SCCRQ [Assigned Tunnel 12, Host \"client\""));
    assert_non_null(s->ladder[0].annotation);
    assert_non_null(strstr(s->ladder[0].annotation, "sent 3 times"));
    assert_int_equal(attr_num(s, "client_tunnel_id"), C_TID);
    assert_int_equal(attr_num(s, "retransmissions_to_server"), 2);
    const pd_finding *fd = only_finding(f.e, "l2tp.no_answer");
    assert_true(has_code(fd, 809));
    assert_int_equal(fd->confidence, PD_CONF_HIGH);
    assert_non_null(strstr(fd->summary, "sent 3 times over 3.0 s"));
    assert_non_null(strstr(fd->explanation, "IPsec"));
    assert_non_null(strstr(fd->explanation, "at the client"));
    assert_int_equal(fd->n_evidence, 2);
    assert_int_equal(fd->evidence[0].frame, 1);
    assert_int_equal(fd->evidence[1].frame, 3);
    assert_int_equal(pd_engine_stats(f.e)->vantage, PD_VANTAGE_CLIENT);
    pd_engine_free(f.e);
}

static void test_lone_sccrq_low_confidence(void **state)
{
    (void)state;
    feeder f = start();
    send_sccrq(&f, C_TID, 5 * SEC);
    pd_engine_finish(f.e);
    const pd_finding *fd = only_finding(f.e, "l2tp.no_answer");
    assert_int_equal(fd->confidence, PD_CONF_LOW);
    pd_engine_free(f.e);
}

/* ICMP quoting the first SCCRQ (its IP header and 8 bytes of UDP). */
static void send_icmp(feeder *f, const uint8_t *from, uint8_t code, const pkt *quoted, int64_t ts)
{
    pkt icmp;
    ipv4(&icmp, from, CLIENT, 1, 64, 8 + 28);
    uint8_t *m = icmp.b + 20;
    memset(m, 0, 8);
    m[0] = 3;
    m[1] = code;
    memcpy(m + 8, quoted->b, 28);
    feed(f, &icmp, ts);
}

static void test_icmp_port_unreachable_clear_l2tp(void **state)
{
    (void)state;
    feeder f = start();
    send_sccrq(&f, C_TID, 0);
    pkt sccrq = f.last;
    send_icmp(&f, SERVER, 3, &sccrq, 2 * MS);
    send_sccrq(&f, C_TID, 1 * SEC);
    send_icmp(&f, SERVER, 3, &sccrq, 1 * SEC + 2 * MS);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "rejected");
    const pd_finding *fd = only_finding(f.e, "l2tp.clear_without_ipsec");
    assert_true(has_code(fd, 789));
    assert_int_equal(fd->blame, PD_BLAME_CONFIGURATION);
    assert_non_null(strstr(fd->summary, "port unreachable"));
    assert_non_null(strstr(fd->explanation, "instead of l2tp.no_answer"));
    assert_int_equal(fd->n_evidence, 3); /* SCCRQ, ICMP, retransmission */
    assert_int_equal(fd->evidence[0].frame, 1);
    assert_int_equal(fd->evidence[1].frame, 2);
    assert_non_null(strstr(fd->evidence[1].note, "ICMP"));
    /* the ICMP is on the ladder, from neither side */
    bool icmp_line = false;
    for (size_t i = 0; i < s->n_ladder; i++)
        if (s->ladder[i].dir == PD_DIR_OTHER && strstr(s->ladder[i].text, "about UDP 1701"))
            icmp_line = true;
    assert_true(icmp_line);
    pd_engine_free(f.e);
}

/* A router (not the server) saying host unreachable is a path problem:
 * no answer, blamed on the path, not an IPsec verdict. */
static void test_icmp_from_router_is_no_answer(void **state)
{
    (void)state;
    feeder f = start();
    send_sccrq(&f, C_TID, 0);
    pkt sccrq = f.last;
    send_icmp(&f, ROUTER, 1, &sccrq, 5 * MS);
    send_sccrq(&f, C_TID, 1 * SEC);
    pd_engine_finish(f.e);
    const pd_finding *fd = only_finding(f.e, "l2tp.no_answer");
    assert_int_equal(fd->blame, PD_BLAME_PATH);
    assert_non_null(strstr(fd->summary, "10.0.1.1 reported ICMP destination unreachable (host"));
    pd_engine_free(f.e);
}

static void test_stopccn_not_authorized(void **state)
{
    (void)state;
    feeder f = start();
    send_sccrq(&f, C_TID, 0);
    msg m;
    ctrl(&m, C_TID, 0, 0, 1, STOPCCN);
    avp16(&m, A_TUNNEL, S_TID);
    avp_result(&m, 4, 0, "peer not allowed");
    send_msg(&f, &m, false, 20 * MS);
    send_zlb(&f, true, 1, 1, 30 * MS);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "tunnel-stopped");
    assert_false(reached(s, "tunnel-connected"));
    const pd_finding *fd = only_finding(f.e, "l2tp.control_failure");
    assert_int_equal(fd->blame, PD_BLAME_CONFIGURATION);
    assert_string_equal(fd->summary,
                        "The server stopped the L2TP tunnel during its setup: StopCCN result 4 "
                        "\"Requester is not authorized to establish a control channel\", message "
                        "\"peer not allowed\"");
    assert_non_null(strstr(fd->explanation, "tunnel authentication"));
    assert_int_equal(fd->evidence[fd->n_evidence - 1].frame, 2);
    /* the ladder line names the result in words, with the raw number */
    const pd_ladder_entry *l = &s->ladder[1];
    assert_int_equal(l->dir, PD_DIR_TO_CLIENT);
    assert_non_null(strstr(l->text, "Result 4 \"Requester is not authorized"));
    bool result_attr = false;
    for (size_t i = 0; i < l->n_attrs; i++)
        if (strcmp(l->attrs[i].key, "result") == 0 && l->attrs[i].num == 4)
            result_attr = true;
    assert_true(result_attr);
    pd_engine_free(f.e);
}

/* The server answers, the client keeps asking: seen at the server, the
 * SCCRPs never reach the client. */
static void test_answers_lost_on_the_way_back(void **state)
{
    (void)state;
    feeder f = start();
    f.c_ttl = 63; /* captured at the server */
    f.s_ttl = 64;
    msg rp;
    ctrl(&rp, C_TID, 0, 0, 1, SCCRP);
    avp16(&rp, A_TUNNEL, S_TID);
    send_sccrq(&f, C_TID, 0);
    send_msg(&f, &rp, false, 5 * MS);
    send_sccrq(&f, C_TID, 1 * SEC);
    send_msg(&f, &rp, false, 1 * SEC + 5 * MS);
    send_sccrq(&f, C_TID, 3 * SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_finding *fd = only_finding(f.e, "l2tp.no_answer");
    assert_true(has_code(fd, 809));
    assert_int_equal(fd->blame, PD_BLAME_PATH);
    assert_non_null(strstr(fd->summary, "answered the SCCRQ, but the client never received it"));
    assert_int_equal(pd_engine_stats(f.e)->vantage, PD_VANTAGE_SERVER);
    pd_engine_free(f.e);
}

/* ---- calls ---- */

static void test_cdn_refuses_call(void **state)
{
    (void)state;
    feeder f = start();
    tunnel_up(&f, 0);
    msg m;
    ctrl(&m, S_TID, 0, 2, 1, ICRQ);
    avp16(&m, A_SESSION, C_SID);
    send_msg(&f, &m, true, 100 * MS);
    ctrl(&m, C_TID, C_SID, 1, 3, CDN);
    avp_result(&m, 2, 4, "");
    avp16(&m, A_SESSION, S_SID);
    send_msg(&f, &m, false, 110 * MS);
    send_zlb(&f, true, 3, 2, 120 * MS);
    ctrl(&m, S_TID, 0, 3, 2, STOPCCN);
    avp16(&m, A_TUNNEL, C_TID);
    avp_result(&m, 1, 0, "");
    send_msg(&f, &m, true, 130 * MS);
    send_zlb(&f, false, 2, 4, 140 * MS);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "tunnel-connected"));
    assert_false(reached(s, "call-connected"));
    assert_string_equal(s->state, "call-refused");
    const pd_finding *fd = only_finding(f.e, "l2tp.session_refused");
    assert_int_equal(fd->blame, PD_BLAME_SERVER);
    assert_string_equal(fd->summary, "The server refused the call: CDN result 2 \"Call "
                                     "disconnected, see Error Code\", error 4 \"Insufficient "
                                     "resources to handle this operation now\"");
    assert_non_null(strstr(fd->explanation, "no resources for another session"));
    assert_int_equal(fd->evidence[0].frame, 5);
    assert_int_equal(fd->evidence[1].frame, 6);
    pd_engine_free(f.e);
}

static void test_icrq_never_answered(void **state)
{
    (void)state;
    feeder f = start();
    tunnel_up(&f, 0);
    msg m;
    ctrl(&m, S_TID, 0, 2, 1, ICRQ);
    avp16(&m, A_SESSION, C_SID);
    send_msg(&f, &m, true, 1 * SEC);
    send_msg(&f, &m, true, 2 * SEC);
    send_msg(&f, &m, true, 4 * SEC);
    pd_engine_finish(f.e);
    const pd_finding *fd = only_finding(f.e, "l2tp.session_refused");
    assert_non_null(strstr(fd->summary, "(ICRQ) was never answered (sent 3 times)"));
    pd_engine_free(f.e);
}

/* ---- keepalives ---- */

static void test_hello_unanswered(void **state)
{
    (void)state;
    feeder f = start();
    tunnel_up(&f, 0);
    call_up(&f, 100 * MS);
    lcp_up(&f, 200 * MS);
    msg m;
    for (int i = 0; i < 4; i++) { /* same Ns: retransmissions */
        ctrl(&m, S_TID, 0, 4, 2, HELLO);
        send_msg(&f, &m, true, (60 + (1 << i)) * SEC);
    }
    ctrl(&m, S_TID, 0, 5, 2, STOPCCN);
    avp16(&m, A_TUNNEL, C_TID);
    avp_result(&m, 1, 0, "");
    send_msg(&f, &m, true, 80 * SEC);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "lcp-opened"));
    assert_string_equal(s->state, "hello-unanswered");
    const pd_finding *fd = only_finding(f.e, "l2tp.control_failure");
    assert_int_equal(fd->blame, PD_BLAME_PATH);
    assert_string_equal(fd->summary, "1 HELLO keepalive from the client never acknowledged "
                                     "(4 sends over 7.0 s)");
    assert_non_null(strstr(fd->explanation, "then gave up and stopped the tunnel"));
    pd_engine_free(f.e);
}

/* ---- PPP over L2TP ---- */

static void test_healthy_tunnel_call_and_ppp(void **state)
{
    (void)state;
    feeder f = start();
    tunnel_up(&f, 0);
    call_up(&f, 100 * MS);
    lcp_up(&f, 200 * MS);
    send_ppp(&f, true, pap_req, sizeof pap_req, 300 * MS);
    send_ppp(&f, false, pap_ack, sizeof pap_ack, 310 * MS);
    send_ppp(&f, true, ipcp_req_c1, sizeof ipcp_req_c1, 400 * MS);
    send_ppp(&f, false, ipcp_req_s, sizeof ipcp_req_s, 401 * MS);
    send_ppp(&f, true, ipcp_ack_c, sizeof ipcp_ack_c, 402 * MS);
    send_ppp(&f, false, ipcp_nak_s, sizeof ipcp_nak_s, 403 * MS);
    send_ppp(&f, true, ipcp_req_c2, sizeof ipcp_req_c2, 404 * MS);
    send_ppp(&f, false, ipcp_ack_s, sizeof ipcp_ack_s, 405 * MS);
    for (int i = 0; i < 5; i++) {
        send_ppp(&f, true, ip_data, sizeof ip_data, (1 + i) * SEC);
        send_ppp(&f, false, ip_data, sizeof ip_data, (1 + i) * SEC + 1 * MS);
    }
    /* a HELLO each way, each acknowledged by a ZLB */
    msg m;
    ctrl(&m, S_TID, 0, 4, 2, HELLO);
    send_msg(&f, &m, true, 60 * SEC);
    send_zlb(&f, false, 2, 5, 60 * SEC + 5 * MS);
    ctrl(&m, C_TID, 0, 2, 5, HELLO);
    send_msg(&f, &m, false, 61 * SEC);
    send_zlb(&f, true, 5, 3, 61 * SEC + 5 * MS);
    /* the client hangs up: CDN, then StopCCN, each acknowledged */
    ctrl(&m, S_TID, S_SID, 5, 3, CDN);
    avp_result(&m, 3, 0, "");
    avp16(&m, A_SESSION, C_SID);
    send_msg(&f, &m, true, 70 * SEC);
    send_zlb(&f, false, 3, 6, 70 * SEC + 5 * MS);
    ctrl(&m, S_TID, 0, 6, 3, STOPCCN);
    avp16(&m, A_TUNNEL, C_TID);
    avp_result(&m, 1, 0, "");
    send_msg(&f, &m, true, 71 * SEC);
    send_zlb(&f, false, 3, 7, 71 * SEC + 5 * MS);
    pd_engine_finish(f.e);

    assert_int_equal(pd_engine_session_count(f.e), 1);
    no_error_findings(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    static const char *const stages[] = { "tunnel-connected", "call-connected", "lcp-opened",
                                          "authenticated", "ipcp-opened", "tunnel-up" };
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (!reached(s, stages[i]))
            fail_msg("stage %s not reached", stages[i]);
    assert_string_equal(s->state, "closed");
    assert_int_equal(attr_num(s, "client_tunnel_id"), C_TID);
    assert_int_equal(attr_num(s, "server_tunnel_id"), S_TID);
    assert_int_equal(attr_num(s, "client_session_id"), C_SID);
    assert_int_equal(attr_num(s, "server_session_id"), S_SID);
    assert_int_equal(attr_num(s, "unacknowledged_to_server"), 0);
    assert_int_equal(attr_num(s, "unacknowledged_to_client"), 0);
    assert_int_equal(attr_num(s, "retransmissions_to_server"), 0);
    assert_int_equal(attr_num(s, "data_to_server_packets"), 2 + 1 + 3 + 5);
    assert_string_equal(attr(s, "server_host_name")->str, "lns");
    /* ladder: control lines in words, PPP lines stable, data folded */
    bool iccn = false, lcp = false, folded = false;
    for (size_t i = 0; i < s->n_ladder; i++) {
        const pd_ladder_entry *l = &s->ladder[i];
        if (strstr(l->text, "ICCN to tunnel 7 session 9 [Framing sync, Speed 10000000]"))
            iccn = true;
        if (strcmp(l->text, "LCP Configure-Request [Auth PAP, Magic]") == 0)
            lcp = true;
        if (strcmp(l->text, "PPP data (clear IP)") == 0 && l->repeat == 5)
            folded = true;
    }
    assert_true(iccn);
    assert_true(lcp);
    assert_true(folded);
    pd_engine_free(f.e);
}

static void test_ppp_auth_failure_over_l2tp(void **state)
{
    (void)state;
    feeder f = start();
    tunnel_up(&f, 0);
    call_up(&f, 100 * MS);
    lcp_up(&f, 200 * MS);
    send_ppp(&f, true, pap_req, sizeof pap_req, 300 * MS);
    send_ppp(&f, false, pap_nak, sizeof pap_nak, 310 * MS);
    msg m;
    ctrl(&m, C_TID, C_SID, 2, 4, CDN);
    avp_result(&m, 2, 6, "auth failed");
    avp16(&m, A_SESSION, S_SID);
    send_msg(&f, &m, false, 400 * MS);
    send_zlb(&f, true, 4, 3, 410 * MS);
    pd_engine_finish(f.e);
    const pd_finding *fd = only_finding(f.e, "ppp.auth_failed");
    assert_true(has_code(fd, 691));
    pd_engine_free(f.e);
}

/* LCP from the client never answered while the server's L2TP still
 * acknowledges control messages: the carrier works both ways, PPP is deaf. */
static void test_lcp_unanswered_over_l2tp(void **state)
{
    (void)state;
    feeder f = start();
    tunnel_up(&f, 0);
    call_up(&f, 100 * MS);
    for (int i = 0; i < 5; i++)
        send_ppp(&f, true, lcp_req_c, sizeof lcp_req_c, (1 + 3 * i) * SEC);
    msg m;
    ctrl(&m, S_TID, 0, 4, 2, HELLO);
    send_msg(&f, &m, true, 20 * SEC);
    send_zlb(&f, false, 2, 5, 20 * SEC + 5 * MS);
    pd_engine_finish(f.e);
    const pd_finding *fd = only_finding(f.e, "ppp.lcp_unanswered");
    assert_non_null(strstr(fd->summary, "L2TP carried packets both ways"));
    pd_engine_free(f.e);
}

/* ---- ports and reuse ---- */

/* RFC 2661 section 8.1: the server may answer from a port of its choice. */
static void test_floating_server_port(void **state)
{
    (void)state;
    feeder f = start();
    send_sccrq(&f, C_TID, 0);
    f.s_port = 40000;
    msg m;
    ctrl(&m, C_TID, 0, 0, 1, SCCRP);
    avp16(&m, A_TUNNEL, S_TID);
    send_msg(&f, &m, false, 10 * MS);
    ctrl(&m, S_TID, 0, 1, 1, SCCCN);
    send_msg(&f, &m, true, 20 * MS);
    send_zlb(&f, false, 1, 2, 30 * MS);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    no_error_findings(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "tunnel-connected"));
    assert_int_equal(attr_num(s, "server_answer_port"), 40000);
    assert_int_equal(s->packets[PD_DIR_TO_CLIENT], 2);
    assert_int_equal(s->packets[PD_DIR_TO_SERVER], 2);
    pd_engine_free(f.e);
}

/* A new SCCRQ (another Tunnel ID) on the same ports after a StopCCN is a
 * new tunnel and a new session. */
static void test_new_tunnel_on_same_ports(void **state)
{
    (void)state;
    feeder f = start();
    tunnel_up(&f, 0);
    msg m;
    ctrl(&m, S_TID, 0, 2, 1, STOPCCN);
    avp16(&m, A_TUNNEL, C_TID);
    avp_result(&m, 1, 0, "");
    send_msg(&f, &m, true, 1 * SEC);
    send_zlb(&f, false, 1, 3, 1 * SEC + 5 * MS);
    send_sccrq(&f, C_TID + 1, 5 * SEC);
    send_sccrq(&f, C_TID + 1, 6 * SEC);
    send_sccrq(&f, C_TID + 1, 8 * SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 2);
    assert_string_equal(pd_engine_session(f.e, 0)->state, "closed");
    const pd_session *s2 = pd_engine_session(f.e, 1);
    assert_int_equal(s2->first_frame, 7);
    assert_int_equal(attr_num(s2, "client_tunnel_id"), C_TID + 1);
    const pd_finding *fd = only_finding(f.e, "l2tp.no_answer");
    assert_int_equal(fd->session_id, 2);
    pd_engine_free(f.e);
}

/* The capture begins inside a working tunnel: data, a HELLO, then the
 * client hangs up. Nothing failed, and the call is followed from its data. */
static void test_capture_starts_mid_tunnel(void **state)
{
    (void)state;
    feeder f = start();
    for (int i = 0; i < 3; i++) {
        send_ppp(&f, true, ip_data, sizeof ip_data, i * SEC);
        send_ppp(&f, false, ip_data, sizeof ip_data, i * SEC + 1 * MS);
    }
    msg m;
    ctrl(&m, S_TID, 0, 40, 20, HELLO);
    send_msg(&f, &m, true, 10 * SEC);
    send_zlb(&f, false, 20, 41, 10 * SEC + 5 * MS);
    ctrl(&m, S_TID, S_SID, 41, 20, CDN);
    avp_result(&m, 3, 0, "");
    avp16(&m, A_SESSION, C_SID);
    send_msg(&f, &m, true, 20 * SEC);
    ctrl(&m, S_TID, 0, 42, 20, STOPCCN);
    avp16(&m, A_TUNNEL, C_TID);
    avp_result(&m, 1, 0, "");
    send_msg(&f, &m, true, 21 * SEC);
    send_zlb(&f, false, 20, 43, 21 * SEC + 5 * MS);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "closed");
    assert_int_equal(attr_num(s, "data_to_server_packets"), 3);
    assert_int_equal(attr_num(s, "data_to_client_packets"), 3);
    pd_engine_free(f.e);
}

/* ---- what must not become a session ---- */

static void test_junk_on_port_1701(void **state)
{
    (void)state;
    feeder f = start();
    /* the shape of the hostile corpus sample: T L set, S missing, huge Length */
    static const uint8_t bad_ctrl[] = { 0xf0, 0x02, 0x02, 0x02, 0x02, 0x30, 0x08, 0x08, 0x08,
                                        0x08, 0x00, 0x00, 0xee, 0x23, 0x05, 0x30 };
    static const uint8_t l2f[] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    static const uint8_t text[] = "GET / HTTP/1.0\r\n\r\n";
    static const uint8_t zlb_only[] = { 0xc8, 0x02, 0x00, 0x0c, 0, 7, 0, 0, 0, 1, 0, 1 };
    const struct {
        const uint8_t *p;
        size_t n;
    } junk[] = { { bad_ctrl, sizeof bad_ctrl }, { l2f, sizeof l2f }, { text, sizeof text - 1 },
                 { zlb_only, sizeof zlb_only }, { bad_ctrl, 3 } };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        pkt p;
        udp(&p, CLIENT, SERVER, 1701, 1701, 64, junk[i].p, junk[i].n);
        feed(&f, &p, (int64_t)i * SEC);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 0);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    pd_engine_free(f.e);
}

/* Junk inside a live tunnel is counted, not fatal. */
static void test_malformed_inside_tunnel(void **state)
{
    (void)state;
    feeder f = start();
    tunnel_up(&f, 0);
    msg m;
    ctrl(&m, S_TID, 0, 2, 1, HELLO);
    m.b[13] = 0x03; /* the Message Type AVP's Length: 3, below its header */
    send_msg(&f, &m, true, 1 * SEC);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(attr_num(s, "malformed_messages"), 1);
    assert_non_null(strstr(s->ladder[s->n_ladder - 1].text, "(malformed: AVP Length below 6)"));
    pd_engine_free(f.e);
}

static void test_l2tpv3_over_ip(void **state)
{
    (void)state;
    feeder f = start();
    static const uint8_t v3_sccrq[] = {
        0x00, 0x00, 0x00, 0x00, 0xc8, 0x03, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x80, 0x0a, 0x00, 0x00, 0x00, 0x3d, 0x12, 0x34, 0x56, 0x78,
    };
    static const uint8_t v3_data[] = { 0x00, 0x00, 0x10, 0x01, 0xaa, 0xbb, 0xcc, 0xdd };
    pkt p;
    ipv4(&p, CLIENT, SERVER, 115, 64, sizeof v3_sccrq);
    memcpy(p.b + 20, v3_sccrq, sizeof v3_sccrq);
    feed(&f, &p, 0);
    for (int i = 0; i < 3; i++) {
        ipv4(&p, SERVER, CLIENT, 115, 63, sizeof v3_data);
        memcpy(p.b + 20, v3_data, sizeof v3_data);
        feed(&f, &p, (1 + i) * SEC);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "l2tpv3");
    assert_int_equal(attr_num(s, "l2tp_version"), 3);
    assert_int_equal(attr_num(s, "client_connection_id"), 0x12345678);
    assert_int_equal(s->n_ladder, 2);
    assert_string_equal(s->ladder[0].text, "L2TPv3 SCCRQ [Assigned Connection 0x12345678]");
    assert_string_equal(s->ladder[1].text, "L2TPv3 data to session 0x00001001");
    assert_int_equal(s->ladder[1].repeat, 3);
    pd_engine_free(f.e);
}

/* The frame result names the session for the plugin. */
static void test_frame_result(void **state)
{
    (void)state;
    feeder f = start();
    msg m;
    ctrl(&m, 0, 0, 0, 0, SCCRQ);
    avp16(&m, A_TUNNEL, C_TID);
    put16(m.b + 2, (uint16_t)m.n);
    pkt p;
    udp(&p, CLIENT, SERVER, 1701, 1701, 64, m.b, m.n);
    pd_frame fr = { LINKTYPE_IPV4, 1, 0, p.b, p.len, p.len };
    pd_frame_result r;
    assert_true(pd_engine_feed(f.e, &fr, &r));
    assert_int_equal(r.session_id, 1);
    assert_int_equal(r.protocol, PD_PROTO_L2TP);
    assert_int_equal(pd_engine_stats(f.e)->vpn_frames, 1);
    pd_engine_free(f.e); /* freeing an unfinished engine closes the tunnel cleanly */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sccrq_unanswered),
        cmocka_unit_test(test_lone_sccrq_low_confidence),
        cmocka_unit_test(test_icmp_port_unreachable_clear_l2tp),
        cmocka_unit_test(test_icmp_from_router_is_no_answer),
        cmocka_unit_test(test_stopccn_not_authorized),
        cmocka_unit_test(test_answers_lost_on_the_way_back),
        cmocka_unit_test(test_cdn_refuses_call),
        cmocka_unit_test(test_icrq_never_answered),
        cmocka_unit_test(test_hello_unanswered),
        cmocka_unit_test(test_healthy_tunnel_call_and_ppp),
        cmocka_unit_test(test_ppp_auth_failure_over_l2tp),
        cmocka_unit_test(test_lcp_unanswered_over_l2tp),
        cmocka_unit_test(test_floating_server_port),
        cmocka_unit_test(test_new_tunnel_on_same_ports),
        cmocka_unit_test(test_capture_starts_mid_tunnel),
        cmocka_unit_test(test_junk_on_port_1701),
        cmocka_unit_test(test_malformed_inside_tunnel),
        cmocka_unit_test(test_l2tpv3_over_ip),
        cmocka_unit_test(test_frame_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
