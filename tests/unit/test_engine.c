/* test_engine.c - the engine end to end on hand-built raw IPv4 frames:
 * TCP 1723 outcomes (no answer, reset, ICMP), ladder folding, vantage,
 * frames that belong to no VPN flow, the flow cap and determinism.
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
static const uint8_t ROUTER[4] = { 10, 0, 1, 1 };

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

static void tcp(pkt *p, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
                uint32_t seq, uint32_t ack, uint8_t flags, uint8_t ttl)
{
    ipv4(p, src, dst, 6, ttl, 20);
    uint8_t *t = p->b + 20;
    memset(t, 0, 20);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 64240);
}

typedef struct feeder {
    pd_engine *e;
    uint64_t n;
} feeder;

static void feed(feeder *f, const pkt *p, int64_t ts)
{
    pd_frame fr = { LINKTYPE_IPV4, ++f->n, ts, p->b, p->len, p->len };
    assert_true(pd_engine_feed(f->e, &fr, NULL));
}

static feeder start(void)
{
    feeder f = { pd_engine_new(NULL), 0 };
    assert_non_null(f.e);
    return f;
}

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

static bool has_code(const pd_finding *f, int code)
{
    for (size_t i = 0; i < f->n_windows_errors; i++)
        if (f->windows_errors[i] == code)
            return true;
    return false;
}

static void test_syn_unanswered(void **state)
{
    feeder f = start();
    pkt p;
    for (int i = 0; i < 3; i++) {
        tcp(&p, CLIENT, SERVER, 40000, 1723, 1000, 0, 0x02, 64);
        feed(&f, &p, (int64_t)(1 << i) * SEC);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->protocol, PD_PROTO_PPTP);
    assert_int_equal(s->server.port, 1723);
    assert_string_equal(s->state, "no-answer");
    /* three SYNs fold into one ladder line */
    assert_int_equal(s->n_ladder, 1);
    assert_int_equal(s->ladder[0].repeat, 3);
    assert_int_equal(s->ladder[0].last_frame, 3);
    const pd_finding *fd = only_finding(f.e, "pptp.no_answer");
    assert_true(has_code(fd, 678));
    assert_true(has_code(fd, 800));
    assert_int_equal(fd->confidence, PD_CONF_HIGH);
    assert_int_equal(fd->n_evidence, 2);
    assert_int_equal(fd->evidence[0].frame, 1);
    assert_int_equal(fd->evidence[1].frame, 3);
    assert_int_equal(fd->evidence[1].ts_ns, 4 * SEC);
    assert_string_equal(fd->display_filter, "frame.number in {1 3}");
    assert_int_equal(pd_engine_stats(f.e)->vantage, PD_VANTAGE_CLIENT);
    pd_engine_free(f.e);
}

static void test_single_syn_low_confidence(void **state)
{
    feeder f = start();
    pkt p;
    tcp(&p, CLIENT, SERVER, 40000, 1723, 1000, 0, 0x02, 64);
    feed(&f, &p, 10 * SEC);
    pd_engine_finish(f.e);
    const pd_finding *fd = only_finding(f.e, "pptp.no_answer");
    assert_int_equal(fd->confidence, PD_CONF_LOW);
    pd_engine_free(f.e);
}

static void test_syn_reset(void **state)
{
    feeder f = start();
    pkt p;
    tcp(&p, CLIENT, SERVER, 40001, 1723, 5000, 0, 0x02, 64);
    feed(&f, &p, 1 * SEC);
    tcp(&p, SERVER, CLIENT, 1723, 40001, 0, 5001, 0x14, 63); /* RST/ACK */
    feed(&f, &p, 1 * SEC + 20000000);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "refused");
    const pd_finding *fd = only_finding(f.e, "pptp.port_rejected");
    assert_true(has_code(fd, 692));
    assert_true(has_code(fd, 807));
    assert_int_equal(fd->evidence[1].frame, 2);
    pd_engine_free(f.e);
}

static void test_icmp_prohibited(void **state)
{
    feeder f = start();
    pkt syn, icmp;
    tcp(&syn, CLIENT, SERVER, 40002, 1723, 7000, 0, 0x02, 64);
    feed(&f, &syn, 1 * SEC);
    /* ICMP type 3 code 13 from the router quoting the SYN's IP header + 8 bytes */
    ipv4(&icmp, ROUTER, CLIENT, 1, 64, 8 + 28);
    uint8_t *m = icmp.b + 20;
    memset(m, 0, 8);
    m[0] = 3;
    m[1] = 13;
    memcpy(m + 8, syn.b, 28);
    feed(&f, &icmp, 1 * SEC + 1000000);
    pd_engine_finish(f.e);
    const pd_finding *fd = only_finding(f.e, "pptp.icmp_unreachable");
    assert_true(has_code(fd, 800));
    assert_int_equal(fd->blame, PD_BLAME_MIDDLEBOX);
    assert_non_null(strstr(fd->summary, "administratively prohibited"));
    assert_non_null(strstr(fd->summary, "10.0.1.1"));
    pd_engine_free(f.e);
}

static void test_not_vpn(void **state)
{
    feeder f = start();
    pkt p;
    tcp(&p, CLIENT, SERVER, 40003, 443, 1, 0, 0x02, 64);
    feed(&f, &p, SEC);
    ipv4(&p, CLIENT, SERVER, 17, 64, 8);
    memset(p.b + 20, 0, 8);
    put16(p.b + 20, 5353);
    put16(p.b + 22, 53);
    put16(p.b + 24, 8);
    feed(&f, &p, 2 * SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 0);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    const pd_capture_stats *st = pd_engine_stats(f.e);
    assert_int_equal(st->frames, 2);
    assert_int_equal(st->vpn_frames, 0);
    assert_int_equal(st->vantage, PD_VANTAGE_UNKNOWN);
    pd_engine_free(f.e);
}

static void test_empty_and_malformed_frames(void **state)
{
    feeder f = start();
    pd_frame empty = { LINKTYPE_IPV4, 1, SEC, (const uint8_t *)"", 0, 60 };
    assert_true(pd_engine_feed(f.e, &empty, NULL));
    static const uint8_t junk[] = { 0x45, 0x00, 0x00 };
    pd_frame bad = { LINKTYPE_IPV4, 2, SEC, junk, sizeof junk, sizeof junk };
    assert_true(pd_engine_feed(f.e, &bad, NULL));
    pd_frame unsupported = { 147, 3, SEC, junk, sizeof junk, sizeof junk };
    assert_false(pd_engine_feed(f.e, &unsupported, NULL));
    pd_engine_finish(f.e);
    const pd_capture_stats *st = pd_engine_stats(f.e);
    assert_int_equal(st->frames_empty, 1);
    assert_int_equal(st->frames_malformed, 1);
    assert_int_equal(st->frames_unsupported_link, 1);
    pd_engine_free(f.e);
}

static void test_frame_result_and_server_vantage(void **state)
{
    feeder f = start();
    pkt p;
    pd_frame_result r;
    tcp(&p, CLIENT, SERVER, 40004, 1723, 100, 0, 0x02, 61); /* routed: 3 hops */
    pd_frame fr = { LINKTYPE_IPV4, 1, SEC, p.b, p.len, p.len };
    assert_true(pd_engine_feed(f.e, &fr, &r));
    assert_int_equal(r.session_id, 1);
    assert_int_equal(r.protocol, PD_PROTO_PPTP);
    assert_non_null(r.stage);
    tcp(&p, SERVER, CLIENT, 1723, 40004, 900, 101, 0x12, 64); /* SYN/ACK, local */
    fr = (pd_frame){ LINKTYPE_IPV4, 2, SEC + 1000, p.b, p.len, p.len };
    assert_true(pd_engine_feed(f.e, &fr, &r));
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_stats(f.e)->vantage, PD_VANTAGE_SERVER);
    /* the SYN/ACK was never acknowledged: the answer is lost on the way back */
    const pd_finding *fd = only_finding(f.e, "pptp.no_answer");
    assert_int_equal(fd->blame, PD_BLAME_PATH);
    pd_engine_free(f.e);
}

static void test_flow_cap_reported(void **state)
{
    pd_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    pd_limits_default(&cfg.limits);
    cfg.limits.max_flows = 4;
    feeder f = { pd_engine_new(&cfg), 0 };
    pkt p;
    for (uint16_t port = 1; port <= 10; port++) {
        tcp(&p, CLIENT, SERVER, (uint16_t)(30000 + port), 1723, 1, 0, 0x02, 64);
        feed(&f, &p, SEC + port);
    }
    pd_engine_finish(f.e);
    const pd_capture_stats *st = pd_engine_stats(f.e);
    assert_int_equal(st->flows_peak, 4);
    assert_int_equal(st->flows_evicted, 6);
    assert_int_equal(pd_engine_session_count(f.e), 10);
    bool cap = false;
    for (size_t i = 0; i < pd_engine_finding_count(f.e); i++)
        cap |= strcmp(pd_engine_finding(f.e, i)->signature->id, "capture.flow_cap_reached") == 0;
    assert_true(cap);
    pd_engine_free(f.e);
}

static void test_signature_table(void **state)
{
    assert_int_equal(pd_signature_count(), PD_SIG__COUNT);
    for (size_t i = 0; i < pd_signature_count(); i++) {
        const pd_signature *s = pd_signature_get((pd_sig_id)i);
        assert_non_null(s);
        assert_int_equal(s->sig, (pd_sig_id)i);
        assert_ptr_equal(pd_signature_by_name(s->id), s);
        assert_non_null(strchr(s->id, '.'));
        assert_true(strlen(s->title) > 10);
    }
    assert_null(pd_signature_by_name("pptp.nonexistent"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_unanswered),
        cmocka_unit_test(test_single_syn_low_confidence),
        cmocka_unit_test(test_syn_reset),
        cmocka_unit_test(test_icmp_prohibited),
        cmocka_unit_test(test_not_vpn),
        cmocka_unit_test(test_empty_and_malformed_frames),
        cmocka_unit_test(test_frame_result_and_server_vantage),
        cmocka_unit_test(test_flow_cap_reported),
        cmocka_unit_test(test_signature_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
