/* test_stream_engine.c - the engine's streaming mode
 * (pd_engine_config.on_session_closed) on hand-built frames: each session
 * handed over exactly once with its findings, at the frame that closed it
 * (idle expiry, eviction at the flow cap) or at the end; nothing kept once
 * handed over; capture-level findings kept; the same vantage and counts as
 * the default mode, which keeps everything (the plugin's accessors).
 *
 * Frames are raw IPv4 (LINKTYPE_IPV4) TCP segments to port 1723 (RFC 793
 * header, RFC 2637 port) and Ethernet ARP (RFC 826).
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

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_IPV4 228
#define SEC INT64_C(1000000000)

typedef struct frame_buf {
    uint8_t b[64];
    size_t len;
} frame_buf;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* IPv4 + TCP with the given flags (SYN 0x02, RST 0x04, ACK 0x10). */
static frame_buf tcp_frame(const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
                           uint16_t dport, uint8_t flags, uint8_t ttl)
{
    frame_buf f = { .len = 40 };
    memset(f.b, 0, sizeof f.b);
    f.b[0] = 0x45;
    put16(f.b + 2, 40);
    f.b[8] = ttl;
    f.b[9] = 6;
    memcpy(f.b + 12, src, 4);
    memcpy(f.b + 16, dst, 4);
    put16(f.b + 20, sport);
    put16(f.b + 22, dport);
    f.b[32] = 0x50; /* data offset 5 words */
    f.b[33] = flags;
    put16(f.b + 34, 64240);
    return f;
}

/* An Ethernet ARP request from `sender`. */
static frame_buf arp_frame(const uint8_t sender[4], const uint8_t target[4])
{
    frame_buf f = { .len = 42 };
    memset(f.b, 0, sizeof f.b);
    memset(f.b, 0xff, 6);
    f.b[6] = 2;
    put16(f.b + 12, 0x0806);
    put16(f.b + 14, 1);
    put16(f.b + 16, 0x0800);
    f.b[18] = 6;
    f.b[19] = 4;
    put16(f.b + 20, 1);
    memcpy(f.b + 28, sender, 4);
    memcpy(f.b + 38, target, 4);
    return f;
}

typedef struct handed {
    uint32_t ids[64];
    size_t n_findings[64];
    char first_sig[64][40];
    size_t n;
    uint64_t fed_when[64]; /* frames fed when it was handed over */
    uint64_t fed;
} handed;

static void on_closed(const pd_session *s, const pd_finding *const *f, size_t n, void *user)
{
    handed *h = user;
    assert_true(h->n < 64);
    for (size_t i = 0; i < h->n; i++)
        assert_int_not_equal(h->ids[i], s->id); /* once each */
    h->ids[h->n] = s->id;
    h->n_findings[h->n] = n;
    h->first_sig[h->n][0] = '\0';
    if (n)
        strncpy(h->first_sig[h->n], f[0]->signature->id, sizeof h->first_sig[0] - 1);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(f[i]->session_id, s->id);
        if (i) /* report order: by first evidence frame */
            assert_true(f[i - 1]->evidence[0].frame <= f[i]->evidence[0].frame);
    }
    h->fed_when[h->n] = h->fed;
    h->n++;
}

static pd_engine *engine(handed *h, size_t max_flows)
{
    pd_engine_config cfg = { 0 };
    pd_limits_default(&cfg.limits);
    if (max_flows)
        cfg.limits.max_flows = max_flows;
    if (h) {
        cfg.on_session_closed = on_closed;
        cfg.user = h;
    }
    pd_engine *e = pd_engine_new(&cfg);
    assert_non_null(e);
    return e;
}

static void feed(pd_engine *e, handed *h, uint32_t linktype, const frame_buf *f, uint64_t number,
                 int64_t ts)
{
    pd_frame fr = { linktype, number, ts, f->b, f->len, f->len };
    if (h)
        h->fed = number;
    assert_true(pd_engine_feed(e, &fr, NULL));
}

static const uint8_t SERVER[4] = { 198, 51, 100, 1 };

static uint8_t *client(uint8_t out[4], int i)
{
    out[0] = 100;
    out[1] = 64;
    out[2] = 0;
    out[3] = (uint8_t)(10 + i);
    return out;
}

/* Unanswered SYNs (pptp.no_answer) from n clients, each sent 3 times. */
static uint64_t feed_syns(pd_engine *e, handed *h, int n, uint64_t frame, int64_t t0)
{
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < n; i++) {
            uint8_t c[4];
            frame_buf f = tcp_frame(client(c, i), SERVER, (uint16_t)(40000 + i), 1723, 0x02, 128);
            feed(e, h, LINKTYPE_IPV4, &f, ++frame, t0 + k * 3 * SEC + i);
        }
    return frame;
}

static void test_handed_over_at_the_end(void **state)
{
    (void)state;
    handed h = { .n = 0 };
    pd_engine *e = engine(&h, 0);
    feed_syns(e, &h, 3, 0, 100 * SEC);
    assert_int_equal(h.n, 0); /* all still live */
    assert_int_equal(pd_engine_session_count(e), 3);
    assert_non_null(pd_engine_session_by_id(e, 2));
    pd_engine_finish(e);
    assert_int_equal(h.n, 3);
    for (size_t i = 0; i < h.n; i++) {
        assert_int_equal(h.n_findings[i], 1);
        assert_string_equal(h.first_sig[i], "pptp.no_answer");
    }
    /* gone from the engine, still counted */
    assert_int_equal(pd_engine_session_count(e), 3);
    for (uint32_t id = 1; id <= 3; id++)
        assert_null(pd_engine_session_by_id(e, id));
    assert_null(pd_engine_session(e, 0));
    assert_int_equal(pd_engine_finding_count(e), 0); /* they went with their sessions */
    assert_int_equal(pd_engine_stats(e)->vpn_frames, 9);
    pd_engine_free(e);
}

static void test_handed_over_when_idle(void **state)
{
    (void)state;
    handed h = { .n = 0 };
    pd_engine *e = engine(&h, 0);
    uint64_t n = feed_syns(e, &h, 1, 0, 0);
    /* 700 s later (idle timeout 600 s) an unrelated frame: the flow is
     * closed and judged, and the session handed over within that frame. */
    uint8_t other[4] = { 10, 9, 9, 9 };
    frame_buf f = tcp_frame(other, SERVER, 5555, 443, 0x02, 64);
    feed(e, &h, LINKTYPE_IPV4, &f, ++n, 700 * SEC);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.fed_when[0], n);
    assert_int_equal(h.ids[0], 1);
    assert_null(pd_engine_session_by_id(e, 1));
    /* a new attempt from the same client is a new session */
    uint8_t c[4];
    f = tcp_frame(client(c, 0), SERVER, 40000, 1723, 0x02, 128);
    feed(e, &h, LINKTYPE_IPV4, &f, ++n, 701 * SEC);
    assert_int_equal(pd_engine_session_count(e), 2);
    assert_non_null(pd_engine_session_by_id(e, 2));
    pd_engine_finish(e);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.ids[1], 2);
    pd_engine_free(e);
}

static void test_flow_cap(void **state)
{
    (void)state;
    handed h = { .n = 0 };
    pd_engine *e = engine(&h, 2);
    feed_syns(e, &h, 3, 0, 0);
    /* three flows through a table of two: evictions hand sessions over
     * early (each re-send of an evicted client opens a new session). */
    assert_true(h.n >= 1);
    pd_engine_finish(e);
    assert_int_equal(h.n, pd_engine_session_count(e));
    /* the capture-level finding stays with the engine */
    assert_int_equal(pd_engine_finding_count(e), 1);
    const pd_finding *f = pd_engine_finding(e, 0);
    assert_string_equal(f->signature->id, "capture.flow_cap_reached");
    assert_int_equal(f->session_id, 0);
    assert_true(pd_engine_stats(e)->flows_evicted > 0);
    pd_engine_free(e);
}

/* The same frames, streamed or kept: the same statistics and vantage. */
static void run_both(void (*fill)(pd_engine *, handed *))
{
    handed h = { .n = 0 };
    pd_engine *kept = engine(NULL, 0), *streamed = engine(&h, 0);
    fill(kept, NULL);
    fill(streamed, &h);
    pd_engine_finish(kept);
    pd_engine_finish(streamed);
    const pd_capture_stats *a = pd_engine_stats(kept), *b = pd_engine_stats(streamed);
    assert_int_equal(a->frames, b->frames);
    assert_int_equal(a->vpn_frames, b->vpn_frames);
    assert_int_equal(a->flows_peak, b->flows_peak);
    assert_int_equal(a->vantage, b->vantage);
    assert_string_equal(a->vantage_reason, b->vantage_reason);
    assert_int_equal(pd_engine_session_count(kept), pd_engine_session_count(streamed));
    assert_int_equal(h.n, pd_engine_session_count(kept));
    size_t nf = 0;
    for (size_t i = 0; i < h.n; i++)
        nf += h.n_findings[i];
    assert_int_equal(nf + pd_engine_finding_count(streamed), pd_engine_finding_count(kept));
    /* the default mode keeps everything for the plugin */
    for (size_t i = 0; i < pd_engine_session_count(kept); i++)
        assert_non_null(pd_engine_session(kept, i));
    pd_engine_free(kept);
    pd_engine_free(streamed);
}

static void fill_ttl(pd_engine *e, handed *h)
{
    feed_syns(e, h, 4, 0, 0); /* TTL 128 from the clients: captured at the client */
}

/* TTLs that do not tell (initial both ways), then ARP from session 2's
 * client after its session: the vantage comes from ARP, naming the lowest
 * session whose endpoint sends ARP. */
static void fill_arp(pd_engine *e, handed *h)
{
    uint64_t n = 0;
    for (int i = 0; i < 3; i++) {
        uint8_t c[4];
        frame_buf syn = tcp_frame(client(c, i), SERVER, (uint16_t)(41000 + i), 1723, 0x02, 64);
        feed(e, h, LINKTYPE_IPV4, &syn, ++n, i * SEC);
        frame_buf rst = tcp_frame(SERVER, c, 1723, (uint16_t)(41000 + i), 0x14, 255);
        feed(e, h, LINKTYPE_IPV4, &rst, ++n, i * SEC + 1000);
    }
    /* ARP is on an Ethernet link; the engine takes frames of any link type. */
    uint8_t c[4], gw[4] = { 100, 64, 0, 1 };
    frame_buf arp = arp_frame(client(c, 2), gw);
    feed(e, h, LINKTYPE_ETHERNET, &arp, ++n, 5 * SEC);
    arp = arp_frame(client(c, 1), gw);
    feed(e, h, LINKTYPE_ETHERNET, &arp, ++n, 6 * SEC);
}

static void test_same_as_kept_ttl(void **state)
{
    (void)state;
    run_both(fill_ttl);
}

static void test_same_as_kept_arp(void **state)
{
    (void)state;
    run_both(fill_arp);
    /* and the fallback did decide it, naming session 2's client */
    pd_engine *e = engine(NULL, 0);
    fill_arp(e, NULL);
    pd_engine_finish(e);
    assert_int_equal(pd_engine_stats(e)->vantage, PD_VANTAGE_CLIENT);
    assert_non_null(strstr(pd_engine_stats(e)->vantage_reason, "100.64.0.11"));
    pd_engine_free(e);
}

static void test_free_without_finish(void **state)
{
    (void)state;
    handed h = { .n = 0 };
    pd_engine *e = engine(&h, 0);
    feed_syns(e, &h, 2, 0, 0);
    pd_engine_free(e); /* live sessions freed, no callback, no leak (ASan) */
    assert_int_equal(h.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handed_over_at_the_end),
        cmocka_unit_test(test_handed_over_when_idle),
        cmocka_unit_test(test_flow_cap),
        cmocka_unit_test(test_same_as_kept_ttl),
        cmocka_unit_test(test_same_as_kept_arp),
        cmocka_unit_test(test_free_without_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
