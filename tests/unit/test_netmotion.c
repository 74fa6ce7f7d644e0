/* test_netmotion.c - NetMotion Mobility recognition on hand-built raw IP
 * frames (UDP to/from the server port, 5008 by default): conversations,
 * netmotion.no_answer (never answered, stopped answering, ICMP), and
 * netmotion.address_mismatch (the reason-94 NAT case), the configurable
 * port, IPv6, and hostile inputs (truncation at every offset).
 *
 * We have no NetMotion software: the payloads are arbitrary bytes, which
 * is all the tracker may rely on (it reads no payload byte).
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

#include "pcapdiag/pcapdiag.h"

#define LINKTYPE_IPV4 228
#define LINKTYPE_IPV6 229
#define SEC INT64_C(1000000000)
#define MS INT64_C(1000000)

static const uint8_t CLIENT[4] = { 192, 0, 2, 10 };
static const uint8_t NAT_ADDR[4] = { 203, 0, 113, 5 };   /* the address the client uses */
static const uint8_t SERVER_REAL[4] = { 10, 1, 1, 20 }; /* the server's own address */
static const uint8_t ROUTER[4] = { 192, 0, 2, 1 };
static const uint8_t CLIENT6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
static const uint8_t SERVER6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20 };

typedef struct pkt {
    uint8_t b[512];
    size_t len;
} pkt;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* IPv4 (RFC 791, 20-byte header) + UDP (RFC 768) with `payload` bytes of
 * filler; checksums left zero (the engine does not verify them). */
static void udp4(pkt *p, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
                 size_t payload, uint8_t ttl)
{
    size_t l4 = 8 + payload;
    memset(p->b, 0, sizeof p->b);
    p->b[0] = 0x45;
    put16(p->b + 2, (uint16_t)(20 + l4));
    p->b[8] = ttl;
    p->b[9] = 17;
    memcpy(p->b + 12, src, 4);
    memcpy(p->b + 16, dst, 4);
    uint8_t *u = p->b + 20;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)l4);
    for (size_t i = 0; i < payload; i++)
        u[8 + i] = (uint8_t)(0xA5 ^ i);
    p->len = 20 + l4;
}

/* IPv6 (RFC 8200, 40-byte header, no extension headers) + UDP. */
static void udp6(pkt *p, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
                 size_t payload, uint8_t hops)
{
    size_t l4 = 8 + payload;
    memset(p->b, 0, sizeof p->b);
    p->b[0] = 0x60;
    put16(p->b + 4, (uint16_t)l4);
    p->b[6] = 17;
    p->b[7] = hops;
    memcpy(p->b + 8, src, 16);
    memcpy(p->b + 24, dst, 16);
    uint8_t *u = p->b + 40;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)l4);
    p->len = 40 + l4;
}

/* ICMP destination unreachable (RFC 792, type 3) quoting `orig`'s IP
 * header and first 8 bytes of UDP. */
static void icmp4_unreach(pkt *p, const uint8_t *src, const uint8_t *dst, uint8_t code,
                          const pkt *orig)
{
    size_t quote = 28;
    size_t l4 = 8 + quote;
    memset(p->b, 0, sizeof p->b);
    p->b[0] = 0x45;
    put16(p->b + 2, (uint16_t)(20 + l4));
    p->b[8] = 64;
    p->b[9] = 1;
    memcpy(p->b + 12, src, 4);
    memcpy(p->b + 16, dst, 4);
    p->b[20] = 3;
    p->b[21] = code;
    memcpy(p->b + 28, orig->b, quote);
    p->len = 20 + l4;
}

typedef struct feeder {
    pd_engine *e;
    uint64_t n;
} feeder;

static void feed_lt(feeder *f, const pkt *p, int64_t ts, uint32_t linktype)
{
    pd_frame fr = { linktype, ++f->n, ts, p->b, p->len, p->len };
    assert_true(pd_engine_feed(f->e, &fr, NULL));
}

static void feed(feeder *f, const pkt *p, int64_t ts)
{
    feed_lt(f, p, ts, LINKTYPE_IPV4);
}

static feeder start_port(uint16_t port)
{
    pd_engine_config cfg = { 0 };
    pd_limits_default(&cfg.limits);
    cfg.netmotion_port = port;
    feeder f = { pd_engine_new(&cfg), 0 };
    assert_non_null(f.e);
    return f;
}

static feeder start(void)
{
    return start_port(0);
}

static size_t count_sig(pd_engine *e, const char *sig)
{
    size_t n = 0;
    for (size_t i = 0; i < pd_engine_finding_count(e); i++)
        if (strcmp(pd_engine_finding(e, i)->signature->id, sig) == 0)
            n++;
    return n;
}

static const pd_finding *only_finding(pd_engine *e, const char *sig)
{
    assert_int_equal(pd_engine_finding_count(e), 1);
    const pd_finding *f = pd_engine_finding(e, 0);
    assert_string_equal(f->signature->id, sig);
    return f;
}

static bool reached(const pd_session *s, const char *stage)
{
    for (size_t i = 0; i < s->n_stages; i++)
        if (strcmp(s->stages[i].name, stage) == 0)
            return true;
    return false;
}

/* ---- conversations ---- */

static void test_never_answered(void **state)
{
    feeder f = start();
    pkt p;
    for (int i = 0; i < 5; i++) {
        udp4(&p, CLIENT, NAT_ADDR, 50001, 5008, 100, 64);
        feed(&f, &p, (int64_t)i * 3 * SEC);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->protocol, PD_PROTO_NETMOTION);
    assert_string_equal(pd_protocol_name(s->protocol), "netmotion");
    assert_int_equal(s->server.port, 5008);
    assert_int_equal(s->client.port, 50001);
    assert_memory_equal(s->server.addr, NAT_ADDR, 4);
    assert_int_equal(s->packets[PD_DIR_TO_SERVER], 5);
    assert_int_equal(s->packets[PD_DIR_TO_CLIENT], 0);
    assert_string_equal(s->state, "no-answer");
    assert_int_equal(s->n_stages, 0);
    /* Five identical datagrams fold into one ladder line. */
    assert_int_equal(s->n_ladder, 1);
    assert_int_equal(s->ladder[0].repeat, 5);
    assert_string_equal(s->ladder[0].annotation, "none answered");

    const pd_finding *nf = only_finding(f.e, "netmotion.no_answer");
    assert_int_equal(nf->severity, PD_SEV_ERROR);
    assert_int_equal(nf->confidence, PD_CONF_HIGH);
    assert_int_equal(nf->n_windows_errors, 0); /* NetMotion codes are not Windows codes */
    assert_int_equal(nf->session_id, s->id);
    assert_non_null(strstr(nf->summary, "5 datagrams to 203.0.113.5 UDP 5008"));
    assert_non_null(strstr(nf->explanation, "39"));
    assert_int_equal(nf->n_evidence, 2);
    assert_int_equal(nf->evidence[0].frame, 1);
    assert_int_equal(nf->evidence[1].frame, 5);
    pd_engine_free(f.e);
}

static void test_answered_is_healthy(void **state)
{
    feeder f = start();
    pkt p;
    for (int i = 0; i < 10; i++) {
        udp4(&p, CLIENT, NAT_ADDR, 50001, 5008, 80, 64);
        feed(&f, &p, (int64_t)i * SEC);
        udp4(&p, NAT_ADDR, CLIENT, 5008, 50001, 60, 57);
        feed(&f, &p, (int64_t)i * SEC + 30 * MS);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "server-answered"));
    assert_string_equal(s->state, "server-answered");
    assert_int_equal(s->packets[PD_DIR_TO_CLIENT], 10);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    /* Alternating datagrams fold into two lines. */
    assert_int_equal(s->n_ladder, 2);
    assert_int_equal(pd_engine_stats(f.e)->vpn_frames, 20);
    pd_engine_free(f.e);
}

static void test_address_mismatch(void **state)
{
    feeder f = start();
    pkt p;
    for (int i = 0; i < 4; i++) {
        udp4(&p, CLIENT, NAT_ADDR, 50002, 5008, 120, 64);
        feed(&f, &p, (int64_t)i * 2 * SEC);
        udp4(&p, SERVER_REAL, CLIENT, 5008, 50002, 90, 60);
        feed(&f, &p, (int64_t)i * 2 * SEC + 40 * MS);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1); /* the answers join the client's session */
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "address-mismatch");
    assert_false(reached(s, "server-answered"));
    const pd_finding *m = only_finding(f.e, "netmotion.address_mismatch");
    assert_int_equal(m->blame, PD_BLAME_CONFIGURATION);
    assert_int_equal(m->confidence, PD_CONF_HIGH);
    assert_non_null(strstr(m->summary, "203.0.113.5"));
    assert_non_null(strstr(m->summary, "10.1.1.20"));
    assert_non_null(strstr(m->explanation, "94"));
    assert_int_equal(m->n_evidence, 2);
    assert_int_equal(m->evidence[0].frame, 1);
    assert_int_equal(m->evidence[1].frame, 2);
    /* No netmotion.no_answer besides: the answers are there, from B. */
    assert_int_equal(count_sig(f.e, "netmotion.no_answer"), 0);
    pd_engine_free(f.e);
}

static void test_mismatch_with_some_right_answers(void **state)
{
    feeder f = start();
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 50003, 5008, 100, 64);
    feed(&f, &p, 0);
    udp4(&p, NAT_ADDR, CLIENT, 5008, 50003, 100, 60);
    feed(&f, &p, 10 * MS);
    udp4(&p, SERVER_REAL, CLIENT, 5008, 50003, 100, 60);
    feed(&f, &p, 20 * MS);
    pd_engine_finish(f.e);
    const pd_finding *m = only_finding(f.e, "netmotion.address_mismatch");
    assert_int_equal(m->confidence, PD_CONF_MEDIUM);
    pd_engine_free(f.e);
}

static void test_client_moves_to_other_server(void **state)
{
    /* Answers from an address the client also sent to are no mismatch
     * (failover or redirection inside the pool). */
    feeder f = start();
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 50004, 5008, 100, 64);
    feed(&f, &p, 0);
    udp4(&p, NAT_ADDR, CLIENT, 5008, 50004, 100, 60);
    feed(&f, &p, 10 * MS);
    udp4(&p, CLIENT, SERVER_REAL, 50004, 5008, 100, 64);
    feed(&f, &p, SEC);
    udp4(&p, SERVER_REAL, CLIENT, 5008, 50004, 100, 60);
    feed(&f, &p, SEC + 10 * MS);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->n_ladder, 4);
    assert_non_null(strstr(s->ladder[2].text, "another server address"));
    pd_engine_free(f.e);
}

static void test_stopped_answering(void **state)
{
    feeder f = start();
    pkt p;
    int64_t t = 0;
    for (int i = 0; i < 3; i++, t += SEC) {
        udp4(&p, CLIENT, NAT_ADDR, 50005, 5008, 100, 64);
        feed(&f, &p, t);
        udp4(&p, NAT_ADDR, CLIENT, 5008, 50005, 100, 60);
        feed(&f, &p, t + 20 * MS);
    }
    for (int i = 0; i < 6; i++, t += 3 * SEC) {
        udp4(&p, CLIENT, NAT_ADDR, 50005, 5008, 100, 64);
        feed(&f, &p, t);
    }
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "server-answered"));
    assert_string_equal(s->state, "stopped-answering");
    const pd_finding *nf = only_finding(f.e, "netmotion.no_answer");
    assert_int_equal(nf->confidence, PD_CONF_MEDIUM);
    assert_non_null(strstr(nf->summary, "stopped answering"));
    assert_non_null(strstr(nf->explanation, "circuit timeout"));
    assert_int_equal(nf->n_evidence, 3);
    assert_int_equal(nf->evidence[0].frame, 6); /* last answer */
    assert_int_equal(nf->evidence[1].frame, 7);
    assert_int_equal(nf->evidence[2].frame, 12);
    pd_engine_free(f.e);
}

static void test_short_silence_is_not_stopped(void **state)
{
    /* Three unanswered datagrams over 2 s at the end: below both limits. */
    feeder f = start();
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 50006, 5008, 100, 64);
    feed(&f, &p, 0);
    udp4(&p, NAT_ADDR, CLIENT, 5008, 50006, 100, 60);
    feed(&f, &p, 10 * MS);
    for (int i = 0; i < 3; i++) {
        udp4(&p, CLIENT, NAT_ADDR, 50006, 5008, 100, 64);
        feed(&f, &p, SEC + (int64_t)i * SEC);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    pd_engine_free(f.e);
}

static void test_single_datagram(void **state)
{
    /* One datagram and the capture ends at once: too early to judge. */
    feeder f = start();
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 50007, 5008, 100, 64);
    feed(&f, &p, 0);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    pd_engine_free(f.e);

    /* The same datagram, the capture going on 5 s (other traffic): low
     * confidence no-answer. */
    f = start();
    udp4(&p, CLIENT, NAT_ADDR, 50007, 5008, 100, 64);
    feed(&f, &p, 0);
    udp4(&p, CLIENT, ROUTER, 40000, 53, 30, 64);
    feed(&f, &p, 5 * SEC);
    pd_engine_finish(f.e);
    const pd_finding *nf = only_finding(f.e, "netmotion.no_answer");
    assert_int_equal(nf->confidence, PD_CONF_LOW);
    assert_int_equal(nf->n_evidence, 1);
    pd_engine_free(f.e);
}

static void test_icmp_port_unreachable(void **state)
{
    feeder f = start();
    pkt p, q;
    udp4(&p, CLIENT, NAT_ADDR, 50008, 5008, 100, 64);
    feed(&f, &p, 0);
    icmp4_unreach(&q, NAT_ADDR, CLIENT, 3, &p);
    feed(&f, &q, 5 * MS);
    feed(&f, &p, SEC);
    feed(&f, &q, SEC + 5 * MS);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->n_ladder, 2);
    assert_int_equal(s->ladder[1].dir, PD_DIR_OTHER);
    const pd_finding *nf = only_finding(f.e, "netmotion.no_answer");
    assert_non_null(strstr(nf->summary, "ICMP"));
    assert_int_equal(nf->blame, PD_BLAME_SERVER); /* from the server's own address */
    assert_int_equal(nf->n_evidence, 3);
    pd_engine_free(f.e);

    /* From a router on the path: a middlebox. */
    f = start();
    udp4(&p, CLIENT, NAT_ADDR, 50008, 5008, 100, 64);
    feed(&f, &p, 0);
    icmp4_unreach(&q, ROUTER, CLIENT, 13, &p);
    feed(&f, &q, 5 * MS);
    pd_engine_finish(f.e);
    nf = only_finding(f.e, "netmotion.no_answer");
    assert_int_equal(nf->blame, PD_BLAME_MIDDLEBOX);
    pd_engine_free(f.e);
}

static void test_capture_starts_mid_session(void **state)
{
    /* The first datagram seen is the server's: the conversation opens on
     * it, with that address as the server, and nothing is wrong. */
    feeder f = start();
    pkt p;
    udp4(&p, NAT_ADDR, CLIENT, 5008, 50009, 100, 60);
    feed(&f, &p, 0);
    udp4(&p, CLIENT, NAT_ADDR, 50009, 5008, 100, 64);
    feed(&f, &p, 10 * MS);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_memory_equal(s->client.addr, CLIENT, 4);
    assert_memory_equal(s->server.addr, NAT_ADDR, 4);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    pd_engine_free(f.e);

    /* Only the server's side: a session, but nothing to judge. */
    f = start();
    for (int i = 0; i < 5; i++) {
        udp4(&p, NAT_ADDR, CLIENT, 5008, 50009, 100, 60);
        feed(&f, &p, (int64_t)i * 5 * SEC);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    pd_engine_free(f.e);
}

static void test_both_ports_5008(void **state)
{
    feeder f = start();
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 5008, 5008, 100, 64);
    feed(&f, &p, 0);
    udp4(&p, NAT_ADDR, CLIENT, 5008, 5008, 100, 60);
    feed(&f, &p, 10 * MS);
    udp4(&p, CLIENT, NAT_ADDR, 5008, 5008, 100, 64);
    feed(&f, &p, SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_memory_equal(s->client.addr, CLIENT, 4);
    assert_int_equal(s->packets[PD_DIR_TO_SERVER], 2);
    assert_int_equal(s->packets[PD_DIR_TO_CLIENT], 1);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    pd_engine_free(f.e);
}

static void test_several_clients(void **state)
{
    feeder f = start();
    pkt p;
    for (int c = 0; c < 3; c++) {
        uint8_t addr[4] = { 192, 0, 2, (uint8_t)(20 + c) };
        for (int i = 0; i < 3; i++) {
            udp4(&p, addr, NAT_ADDR, 50000, 5008, 100, 64);
            feed(&f, &p, (int64_t)(i * 3 + c) * SEC);
        }
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 3);
    assert_int_equal(count_sig(f.e, "netmotion.no_answer"), 3);
    pd_engine_free(f.e);
}

/* ---- the port ---- */

static void test_configured_port(void **state)
{
    feeder f = start_port(6000);
    pkt p;
    for (int i = 0; i < 3; i++) {
        udp4(&p, CLIENT, NAT_ADDR, 50010, 5008, 100, 64); /* not Mobility here */
        feed(&f, &p, (int64_t)i * 2 * SEC);
    }
    assert_int_equal(pd_engine_session_count(f.e), 0);
    for (int i = 0; i < 3; i++) {
        udp4(&p, CLIENT, NAT_ADDR, 50010, 6000, 100, 64);
        feed(&f, &p, (int64_t)(10 + i * 2) * SEC);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    assert_int_equal(pd_engine_session(f.e, 0)->server.port, 6000);
    const pd_finding *nf = only_finding(f.e, "netmotion.no_answer");
    assert_non_null(strstr(nf->summary, "UDP 6000"));
    pd_engine_free(f.e);
}

static void test_default_engine_port(void **state)
{
    /* pd_engine_new(NULL) uses 5008 too. */
    feeder f = { pd_engine_new(NULL), 0 };
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 50011, 5008, 100, 64);
    feed(&f, &p, 0);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    pd_engine_free(f.e); /* unfinished: freeing must still judge and release */
}

static void test_other_udp_ignored(void **state)
{
    feeder f = start();
    pkt p;
    static const uint16_t ports[] = { 53, 123, 5007, 5009, 1701 + 1, 65535 };
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
        udp4(&p, CLIENT, NAT_ADDR, 40000, ports[i], 20, 64);
        feed(&f, &p, (int64_t)i * SEC);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 0);
    assert_int_equal(pd_engine_stats(f.e)->vpn_frames, 0);
    pd_engine_free(f.e);
}

static void test_ipv6(void **state)
{
    feeder f = start();
    pkt p;
    for (int i = 0; i < 3; i++) {
        udp6(&p, CLIENT6, SERVER6, 50012, 5008, 64, 64);
        feed_lt(&f, &p, (int64_t)i * 2 * SEC, LINKTYPE_IPV6);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->client.family, 6);
    assert_memory_equal(s->server.addr, SERVER6, 16);
    const pd_finding *nf = only_finding(f.e, "netmotion.no_answer");
    assert_non_null(strstr(nf->summary, "2001:db8:1::20"));
    pd_engine_free(f.e);
}

/* ---- hostile input ---- */

static void test_truncated_every_offset(void **state)
{
    /* A datagram cut at every length, and with every header length field
     * lying: never a crash or an overread (ASan), and no session from a
     * UDP header that is not all there. */
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 50013, 5008, 40, 64);
    for (size_t cut = 0; cut <= p.len; cut++) {
        feeder f = start();
        uint8_t *copy = g_malloc(cut ? cut : 1);
        memcpy(copy, p.b, cut);
        pd_frame fr = { LINKTYPE_IPV4, 1, 0, copy, cut, p.len };
        assert_true(pd_engine_feed(f.e, &fr, NULL));
        pd_engine_finish(f.e);
        if (cut < 28)
            assert_int_equal(pd_engine_session_count(f.e), 0);
        g_free(copy);
        pd_engine_free(f.e);
    }
}

static void test_bad_lengths(void **state)
{
    static const uint16_t udp_lengths[] = { 0, 1, 7, 8, 9, 47, 48, 49, 0xFFFF };
    for (size_t i = 0; i < sizeof udp_lengths / sizeof udp_lengths[0]; i++) {
        feeder f = start();
        pkt p;
        udp4(&p, CLIENT, NAT_ADDR, 50014, 5008, 40, 64);
        put16(p.b + 24, udp_lengths[i]);
        feed(&f, &p, 0);
        feed(&f, &p, 2 * SEC);
        pd_engine_finish(f.e);
        /* UDP Length below 8 is not a datagram (RFC 768). */
        if (udp_lengths[i] < 8)
            assert_int_equal(pd_engine_session_count(f.e), 0);
        pd_engine_free(f.e);
    }
    /* Zero-length payload: still a datagram to the port. */
    feeder f = start();
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 50015, 5008, 0, 64);
    feed(&f, &p, 0);
    feed(&f, &p, 2 * SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    assert_int_equal(count_sig(f.e, "netmotion.no_answer"), 1);
    pd_engine_free(f.e);
}

static void test_ladder_cap(void **state)
{
    /* Answers from ever new addresses: the ladder stops at its cap and
     * the conversation stays one session. */
    pd_engine_config cfg = { 0 };
    pd_limits_default(&cfg.limits);
    cfg.limits.max_ladder_lines = 8;
    feeder f = { pd_engine_new(&cfg), 0 };
    pkt p;
    udp4(&p, CLIENT, NAT_ADDR, 50016, 5008, 10, 64);
    feed(&f, &p, 0);
    for (int i = 0; i < 50; i++) {
        uint8_t from[4] = { 10, 9, (uint8_t)(i / 200), (uint8_t)(1 + i % 200) };
        udp4(&p, from, CLIENT, 5008, 50016, 10, 60);
        feed(&f, &p, (int64_t)(i + 1) * MS);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->n_ladder, 8);
    assert_int_equal(s->ladder_dropped, 43);
    assert_int_equal(count_sig(f.e, "netmotion.address_mismatch"), 1);
    assert_non_null(strstr(pd_engine_finding(f.e, 0)->summary, "and other addresses"));
    pd_engine_free(f.e);
}

static void test_idle_expiry_splits(void **state)
{
    /* Two bursts 20 minutes apart: the flow idles out in between (600 s)
     * and each burst is judged on its own. */
    feeder f = start();
    pkt p;
    for (int burst = 0; burst < 2; burst++)
        for (int i = 0; i < 3; i++) {
            udp4(&p, CLIENT, NAT_ADDR, 50017, 5008, 10, 64);
            feed(&f, &p, (int64_t)burst * 1200 * SEC + (int64_t)i * SEC);
        }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 2);
    assert_int_equal(count_sig(f.e, "netmotion.no_answer"), 2);
    pd_engine_free(f.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_never_answered),
        cmocka_unit_test(test_answered_is_healthy),
        cmocka_unit_test(test_address_mismatch),
        cmocka_unit_test(test_mismatch_with_some_right_answers),
        cmocka_unit_test(test_client_moves_to_other_server),
        cmocka_unit_test(test_stopped_answering),
        cmocka_unit_test(test_short_silence_is_not_stopped),
        cmocka_unit_test(test_single_datagram),
        cmocka_unit_test(test_icmp_port_unreachable),
        cmocka_unit_test(test_capture_starts_mid_session),
        cmocka_unit_test(test_both_ports_5008),
        cmocka_unit_test(test_several_clients),
        cmocka_unit_test(test_configured_port),
        cmocka_unit_test(test_default_engine_port),
        cmocka_unit_test(test_other_udp_ignored),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_truncated_every_offset),
        cmocka_unit_test(test_bad_lengths),
        cmocka_unit_test(test_ladder_cap),
        cmocka_unit_test(test_idle_expiry_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
