/* test_pair.c - the paired-capture matcher on hand-built raw IPv4 frames:
 * protocol identity that survives NAT, TTL and checksum rewrites; matching
 * with a NAT in between, identical retransmissions, a clock offset and
 * reordering; naming of changed fields (LCP Length, GRE call ID, PPTP call
 * ID); fragments; truncation at every offset; and pd_pair_analyse over two
 * real engines (sessions paired across a NAT, losses, the errors).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <string.h>

#include "pair_internal.h"
#include "pcapdiag/pcapdiag.h"

#define LINKTYPE_IPV4 228
#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)
#define T0 (INT64_C(1795247600) * SEC)

static const uint8_t CLIENT[4] = { 10, 0, 1, 2 };
static const uint8_t NATTED[4] = { 10, 0, 2, 1 };
static const uint8_t SERVER[4] = { 10, 0, 2, 2 };

/* ---- hand-written packets (RFC layouts) ---------------------------------------- */

/* Enhanced GRE (RFC 2637 4.1): C R K S s Recur A Flags Ver = 0x3001 (K, S,
 * version 1), protocol 0x880B, payload length 18, call ID 0x50eb (20715),
 * sequence 1; then PPP (RFC 1661): FF 03, LCP C0 21, Configure-Request id 1
 * Length 14: Magic-Number 0x12345678, PFC, ACFC. */
static const uint8_t GRE_LCP[] = {
    0x30, 0x01, 0x88, 0x0b, 0x00, 0x12, 0x50, 0xeb, 0x00, 0x00, 0x00, 0x01,
    0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x0e, 0x05, 0x06, 0x12, 0x34,
    0x56, 0x78, 0x07, 0x02, 0x08, 0x02,
};

/* TCP (RFC 9293): 50000 -> 1723, seq 0x01020304, SYN, window 64240. */
static const uint8_t TCP_SYN[] = {
    0xc3, 0x50, 0x06, 0xbb, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
    0x50, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
};

/* UDP 500 -> 500 (RFC 768), length 36, then an IKEv2 header (RFC 7296 3.1):
 * SPIi 0x0102030405060708, SPIr 0, next payload none, version 2.0,
 * IKE_SA_INIT (34), flags Initiator, message ID 0, length 28. */
static const uint8_t UDP_IKE[] = {
    0x01, 0xf4, 0x01, 0xf4, 0x00, 0x24, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
    0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x20, 0x22, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c,
};

typedef struct pkt {
    uint8_t b[512];
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

/* An IPv4 header (RFC 791) around l4; frag: offset in bytes | MF << 16. */
static pkt ipv4(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint16_t id, uint8_t ttl,
                const uint8_t *l4, size_t l4_len, uint32_t frag)
{
    pkt p;
    memset(&p, 0, sizeof p);
    assert_true(20 + l4_len <= sizeof p.b);
    p.b[0] = 0x45;
    put16(p.b + 2, (uint16_t)(20 + l4_len));
    put16(p.b + 4, id);
    uint16_t ff = (uint16_t)(((frag & 0xffff) / 8) | ((frag >> 16) ? 0x2000 : 0));
    put16(p.b + 6, ff);
    p.b[8] = ttl;
    p.b[9] = proto;
    put16(p.b + 10, 0xbeef); /* a checksum nothing checks: it must not matter */
    memcpy(p.b + 12, src, 4);
    memcpy(p.b + 16, dst, 4);
    memcpy(p.b + 20, l4, l4_len);
    p.len = 20 + l4_len;
    return p;
}

static pkt gre(const uint8_t *src, const uint8_t *dst, uint16_t id, uint8_t ttl, uint32_t seq,
               uint16_t call_id)
{
    uint8_t g[sizeof GRE_LCP];
    memcpy(g, GRE_LCP, sizeof g);
    put16(g + 6, call_id);
    put32(g + 8, seq);
    g[17] = (uint8_t)seq; /* the LCP identifier follows the sequence */
    return ipv4(src, dst, 47, id, ttl, g, sizeof g, 0);
}

static void rec_add(pd_pair_capture *c, const pkt *p, uint64_t frame, int64_t ts, uint32_t session)
{
    pd_frame f = { LINKTYPE_IPV4, frame, ts, p->b, p->len, p->len };
    pd_frame_result r = { session, PD_PROTO_PPTP, NULL };
    pd_pair_capture_add(c, &f, &r);
}

static pd_pair_pkt *pkts(pd_pair_capture *c)
{
    return (pd_pair_pkt *)(void *)c->pkts->data;
}

/* The analysis sets directions and identities; the matcher tests do it by
 * hand: packets to SERVER go to the server. */
static void set_dirs(pd_pair_capture *c)
{
    for (guint i = 0; i < c->pkts->len; i++) {
        pd_pair_pkt *p = &pkts(c)[i];
        p->dir = memcmp(p->dst.a, SERVER, 4) == 0 ? PD_DIR_TO_SERVER : PD_DIR_TO_CLIENT;
        p->ident = p->ident_base ? (p->ident_dir ? pd_pair_hash_u64(p->ident_base, p->dir + 1) : p->ident_base) : 0;
    }
}

static uint64_t match(pd_pair_capture *a, pd_pair_capture *b, pd_pair_clock *clock)
{
    set_dirs(a);
    set_dirs(b);
    return pd_pair_match(pkts(a), a->pkts->len, pkts(b), b->pkts->len, 0, clock);
}

/* ---- identity ---------------------------------------------------------------------- */

static void test_identity_survives_nat_ttl_checksum(void **state)
{
    (void)state;
    pd_pair_capture *c = pd_pair_capture_new();
    pkt a = gre(CLIENT, SERVER, 0x1000, 64, 7, 20715);
    pkt b = gre(NATTED, SERVER, 0x1000, 63, 7, 48879); /* NAT, a hop, call ID rewritten */
    b.b[10] = 0x12;                                     /* another checksum */
    pkt other = gre(CLIENT, SERVER, 0x1000, 64, 8, 20715); /* the next sequence number */
    rec_add(c, &a, 1, T0, 1);
    rec_add(c, &b, 2, T0, 1);
    rec_add(c, &other, 3, T0, 1);
    assert_int_equal(c->pkts->len, 3);
    assert_int_equal(pkts(c)[0].kind, PD_PAIR_K_GRE);
    assert_true(pkts(c)[0].ident_base != 0);
    assert_true(pkts(c)[0].ident_base == pkts(c)[1].ident_base);
    assert_true(pkts(c)[0].ident_base != pkts(c)[2].ident_base);
    /* Content leaves the call ID out: a NAT helper's rewrite is not damage. */
    assert_true(pkts(c)[0].content == pkts(c)[1].content);

    /* TCP: ports rewritten, same segment. */
    uint8_t t[sizeof TCP_SYN];
    memcpy(t, TCP_SYN, sizeof t);
    pkt s1 = ipv4(CLIENT, SERVER, 6, 1, 64, TCP_SYN, sizeof TCP_SYN, 0);
    put16(t, 61000);
    pkt s2 = ipv4(NATTED, SERVER, 6, 1, 63, t, sizeof t, 0);
    rec_add(c, &s1, 4, T0, 1);
    rec_add(c, &s2, 5, T0, 1);
    assert_int_equal(pkts(c)[3].kind, PD_PAIR_K_TCP);
    assert_true(pkts(c)[3].ident_base == pkts(c)[4].ident_base);
    assert_true(pkts(c)[3].content == pkts(c)[4].content);

    /* IKE: a float to 4500 adds the non-ESP marker; the identity stays. */
    uint8_t natt[sizeof UDP_IKE + 4];
    memcpy(natt, UDP_IKE, 8);
    put16(natt, 4500);
    put16(natt + 2, 4500);
    put16(natt + 4, (uint16_t)sizeof natt);
    memset(natt + 8, 0, 4);
    memcpy(natt + 12, UDP_IKE + 8, sizeof UDP_IKE - 8);
    pkt i1 = ipv4(CLIENT, SERVER, 17, 9, 64, UDP_IKE, sizeof UDP_IKE, 0);
    pkt i2 = ipv4(NATTED, SERVER, 17, 9, 63, natt, sizeof natt, 0);
    rec_add(c, &i1, 6, T0, 1);
    rec_add(c, &i2, 7, T0, 1);
    assert_int_equal(pkts(c)[5].kind, PD_PAIR_K_IKE);
    assert_int_equal(pkts(c)[6].kind, PD_PAIR_K_IKE);
    assert_true(pkts(c)[5].ident_base == pkts(c)[6].ident_base);
    pd_pair_capture_free(c);
}

static void test_irrelevant_frames_not_kept(void **state)
{
    (void)state;
    pd_pair_capture *c = pd_pair_capture_new();
    uint8_t dns[12] = { 0xc3, 0x50, 0x00, 0x35, 0x00, 0x0c, 0, 0, 1, 2, 3, 4 };
    pkt p = ipv4(CLIENT, SERVER, 17, 1, 64, dns, sizeof dns, 0);
    rec_add(c, &p, 1, T0, 0); /* DNS, no session: not kept */
    assert_int_equal(pd_pair_capture_packets(c), 0);
    rec_add(c, &p, 2, T0, 3); /* the engine says it is a session's: kept */
    assert_int_equal(pd_pair_capture_packets(c), 1);
    uint8_t arp[28] = { 0 };
    pd_frame f = { 1, 3, T0, arp, sizeof arp, sizeof arp }; /* not even Ethernet/IP */
    pd_pair_capture_add(c, &f, NULL);
    pd_frame empty = { LINKTYPE_IPV4, 4, T0, NULL, 0, 0 };
    pd_pair_capture_add(c, &empty, NULL);
    pd_pair_capture_add(c, NULL, NULL);
    pd_pair_capture_add(NULL, &f, NULL);
    assert_int_equal(pd_pair_capture_packets(c), 1);
    assert_int_equal(c->frames, 4);
    pd_pair_capture_free(c);
    pd_pair_capture_free(NULL);
}

/* ---- matching ----------------------------------------------------------------------- */

static void test_match_nat_rewrite(void **state)
{
    (void)state;
    pd_pair_capture *a = pd_pair_capture_new(), *b = pd_pair_capture_new();
    for (uint32_t s = 1; s <= 5; s++) {
        pkt out = gre(CLIENT, SERVER, (uint16_t)(0x100 + s), 64, s, 0);
        pkt in = gre(NATTED, SERVER, (uint16_t)(0x100 + s), 63, s, 0);
        rec_add(a, &out, s, T0 + s * SEC, 1);
        rec_add(b, &in, s, T0 + s * SEC + 2 * MS, 1);
        pkt back = gre(SERVER, CLIENT, (uint16_t)(0x200 + s), 64, s, 20715);
        pkt back_in = gre(SERVER, NATTED, (uint16_t)(0x200 + s), 63, s, 20715);
        rec_add(b, &back, 10 + s, T0 + s * SEC + 500 * MS, 1);
        rec_add(a, &back_in, 10 + s, T0 + s * SEC + 502 * MS, 1);
    }
    /* Fix directions: NATTED is the client's outside address. */
    pd_pair_clock clock;
    set_dirs(a);
    set_dirs(b);
    assert_int_equal(pd_pair_match(pkts(a), a->pkts->len, pkts(b), b->pkts->len, 0, &clock), 10);
    for (guint i = 0; i < a->pkts->len; i++) {
        const pd_pair_pkt *p = &pkts(a)[i];
        assert_true(p->peer >= 0);
        assert_int_equal(pkts(b)[p->peer].frame, p->frame);
    }
    assert_true(clock.known);
    assert_true(clock.from_unique);
    assert_int_equal(clock.offset_ns, 0);
    assert_int_equal(clock.transit_ns[PD_DIR_TO_SERVER], 2 * MS);
    assert_int_equal(clock.transit_ns[PD_DIR_TO_CLIENT], -2 * MS);

    /* The difference of one pair: a NAT change, nothing mangled. */
    GArray *d = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));
    const pd_pair_pkt *p = &pkts(a)[0];
    const pd_pair_pkt *q = &pkts(b)[p->peer];
    pd_pair_diff(pd_pair_pkt_bytes(a, p), p->bytes_len, pd_pair_pkt_bytes(b, q), q->bytes_len, d);
    assert_int_equal(d->len, 1);
    pd_pair_change *c = &g_array_index(d, pd_pair_change, 0);
    assert_int_equal(c->kind, PD_PAIR_CHANGE_NAT);
    assert_int_equal(c->field_id, PD_PAIR_F_SRC_ADDR);
    assert_string_equal(c->before, "10.0.1.2");
    assert_string_equal(c->after, "10.0.2.1");
    for (guint i = 0; i < d->len; i++)
        pd_pair_change_clear(&g_array_index(d, pd_pair_change, i));
    g_array_free(d, TRUE);
    pd_pair_capture_free(a);
    pd_pair_capture_free(b);
}

/* Identical retransmissions: which copy arrived is told by IP ID, then by time. */
static const struct {
    const char *name;
    bool same_ip_id;          /* the sender reuses the IP ID (0) */
    bool arrived[3];          /* which of the three copies reach the server */
    int64_t delay_ns;
} retrans_cases[] = {
    { "first lost, ids differ", false, { false, true, true }, 1 * MS },
    { "middle lost, ids differ", false, { true, false, true }, 1 * MS },
    { "last lost, ids differ", false, { true, true, false }, 1 * MS },
    { "first lost, ids equal", true, { false, true, true }, 1 * MS },
    { "middle lost, ids equal", true, { true, false, true }, 300 * MS },
    { "only middle arrives, ids equal", true, { false, true, false }, 5 * MS },
};

static void test_match_identical_retransmissions(void **state)
{
    (void)state;
    for (size_t k = 0; k < G_N_ELEMENTS(retrans_cases); k++) {
        pd_pair_capture *a = pd_pair_capture_new(), *b = pd_pair_capture_new();
        /* One unique answer fixes the clock (server clock 3 s ahead). */
        uint8_t resp[sizeof UDP_IKE];
        memcpy(resp, UDP_IKE, sizeof resp);
        resp[8 + 19] = 0x20; /* Response */
        uint64_t fb = 0;
        for (int i = 0; i < 3; i++) {
            uint16_t id = retrans_cases[k].same_ip_id ? 0 : (uint16_t)(0x700 + i);
            pkt p = ipv4(CLIENT, SERVER, 17, id, 64, UDP_IKE, sizeof UDP_IKE, 0);
            int64_t t = T0 + i * 2 * SEC;
            rec_add(a, &p, (uint64_t)i + 1, t, 1);
            if (retrans_cases[k].arrived[i]) {
                p.b[8] = 63;
                rec_add(b, &p, ++fb, t + 3 * SEC + retrans_cases[k].delay_ns, 1);
            }
        }
        pkt r = ipv4(SERVER, CLIENT, 17, 0x900, 64, resp, sizeof resp, 0);
        rec_add(b, &r, ++fb, T0 + 9 * SEC, 1);
        r.b[8] = 63;
        rec_add(a, &r, 4, T0 + 6 * SEC + retrans_cases[k].delay_ns, 1);
        pd_pair_clock clock;
        match(a, b, &clock);
        uint64_t expect_frame = 0;
        for (int i = 0; i < 3; i++) {
            const pd_pair_pkt *p = &pkts(a)[i];
            if (!retrans_cases[k].arrived[i]) {
                if (p->peer != -1)
                    fail_msg("%s: copy %d matched but was lost", retrans_cases[k].name, i);
                continue;
            }
            expect_frame++;
            if (p->peer < 0 || pkts(b)[p->peer].frame != expect_frame)
                fail_msg("%s: copy %d matched to %" PRId64, retrans_cases[k].name, i, (int64_t)p->peer);
        }
        assert_true(pkts(a)[3].peer >= 0);
        pd_pair_capture_free(a);
        pd_pair_capture_free(b);
    }
}

static void test_match_clock_offset(void **state)
{
    (void)state;
    /* The server's clock is an hour and 250 ms ahead; the path takes 4 ms
     * each way. */
    const int64_t offset = 3600 * SEC + 250 * MS, delay = 4 * MS;
    pd_pair_capture *a = pd_pair_capture_new(), *b = pd_pair_capture_new();
    for (uint32_t s = 1; s <= 6; s++) {
        pkt out = gre(CLIENT, SERVER, (uint16_t)s, 64, s, 0);
        rec_add(a, &out, s, T0 + s * SEC, 1);
        out.b[8] = 63;
        rec_add(b, &out, s, T0 + s * SEC + offset + delay, 1);
        pkt back = gre(SERVER, CLIENT, (uint16_t)(100 + s), 64, s, 20715);
        rec_add(b, &back, 10 + s, T0 + s * SEC + offset + 500 * MS, 1);
        back.b[8] = 63;
        rec_add(a, &back, 10 + s, T0 + s * SEC + 500 * MS + delay, 1);
    }
    pd_pair_clock clock;
    assert_int_equal(match(a, b, &clock), 12);
    assert_true(clock.known);
    assert_int_equal(clock.offset_ns, offset);
    assert_int_equal(clock.transit_ns[PD_DIR_TO_SERVER], offset + delay);
    assert_int_equal(clock.transit_ns[PD_DIR_TO_CLIENT], offset - delay);
    pd_pair_capture_free(a);
    pd_pair_capture_free(b);

    /* One direction only: the offset includes the delay. */
    a = pd_pair_capture_new();
    b = pd_pair_capture_new();
    for (uint32_t s = 1; s <= 3; s++) {
        pkt out = gre(CLIENT, SERVER, (uint16_t)s, 64, s, 0);
        rec_add(a, &out, s, T0 + s * SEC, 1);
        rec_add(b, &out, s, T0 + s * SEC - 7 * SEC, 1); /* server clock behind */
    }
    assert_int_equal(match(a, b, &clock), 3);
    assert_true(clock.known);
    assert_false(clock.dir_known[PD_DIR_TO_CLIENT]);
    assert_int_equal(clock.offset_ns, -7 * SEC);
    pd_pair_capture_free(a);
    pd_pair_capture_free(b);

    /* Nothing in common: unknown, zero. */
    a = pd_pair_capture_new();
    b = pd_pair_capture_new();
    pkt x = gre(CLIENT, SERVER, 1, 64, 1, 0), y = gre(CLIENT, SERVER, 2, 64, 2, 0);
    rec_add(a, &x, 1, T0, 1);
    rec_add(b, &y, 1, T0, 1);
    assert_int_equal(match(a, b, &clock), 0);
    assert_false(clock.known);
    assert_int_equal(clock.offset_ns, 0);
    pd_pair_capture_free(a);
    pd_pair_capture_free(b);
}

static void test_match_reordering(void **state)
{
    (void)state;
    static const uint32_t order[] = { 1, 3, 2, 5, 4, 6 };
    pd_pair_capture *a = pd_pair_capture_new(), *b = pd_pair_capture_new();
    for (uint32_t s = 1; s <= 6; s++) {
        pkt out = gre(CLIENT, SERVER, (uint16_t)(50 + s), 64, s, 0);
        rec_add(a, &out, s, T0 + s * 10 * MS, 1);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        uint32_t s = order[i];
        pkt in = gre(CLIENT, SERVER, (uint16_t)(50 + s), 63, s, 0);
        /* Arrivals in the reordered sequence, each 10 ms apart. */
        rec_add(b, &in, i + 1, T0 + (int64_t)(i + 1) * 10 * MS + 3 * MS, 1);
    }
    pd_pair_clock clock;
    assert_int_equal(match(a, b, &clock), 6);
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        const pd_pair_pkt *q = &pkts(b)[i];
        assert_true(q->peer >= 0);
        assert_int_equal(pkts(a)[q->peer].frame, order[i]);
    }
    pd_pair_capture_free(a);
    pd_pair_capture_free(b);
}

/* Direction keeps the two GRE sequence spaces apart: seq 1 to the server is
 * not seq 1 to the client. */
static void test_match_directions_apart(void **state)
{
    (void)state;
    pd_pair_capture *a = pd_pair_capture_new(), *b = pd_pair_capture_new();
    pkt up = gre(CLIENT, SERVER, 0, 64, 1, 0), down = gre(SERVER, CLIENT, 0, 64, 1, 0);
    rec_add(a, &up, 1, T0, 1);
    rec_add(b, &down, 1, T0, 1);
    pd_pair_clock clock;
    assert_int_equal(match(a, b, &clock), 0);
    pd_pair_capture_free(a);
    pd_pair_capture_free(b);
}

/* ---- changed fields --------------------------------------------------------------- */

typedef struct diff_case {
    const char *name;
    size_t offset; /* into the IP packet */
    uint8_t value[2];
    size_t n;
    const char *field, *before, *after;
    pd_pair_change_kind kind;
    pd_pair_field id;
} diff_case;

static const diff_case gre_cases[] = {
    { "LCP Length", 20 + 18, { 0x04, 0x00 }, 2, "LCP Length", "14", "1024", PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER },
    { "GRE call ID", 20 + 6, { 0xbe, 0xef }, 2, "GRE key call ID", "20715", "48879", PD_PAIR_CHANGE_MANGLED,
      PD_PAIR_F_GRE_CALL_ID },
    { "LCP code", 20 + 16, { 0x02 }, 1, "LCP Code", "1 (Configure-Request)", "2 (Configure-Ack)",
      PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER },
    { "LCP option", 20 + 22, { 0xff }, 1, "LCP option Magic-Number", "050612345678", "0506ff345678",
      PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER },
    { "PPP protocol", 20 + 14, { 0x80, 0x21 }, 2, "PPP protocol", "0xc021 (LCP)", "0x8021 (IPCP)",
      PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER },
    { "GRE payload length", 20 + 4, { 0x00, 0x11 }, 2, "GRE key payload length", "18", "17",
      PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER },
    { "IP ID (benign)", 4, { 0x12, 0x34 }, 2, "IP identification", "0x0001", "0x1234", PD_PAIR_CHANGE_BENIGN,
      PD_PAIR_F_OTHER },
    { "destination (NAT)", 16, { 192, 168 }, 2, "destination address", "10.0.2.2", "192.168.2.2",
      PD_PAIR_CHANGE_NAT, PD_PAIR_F_DST_ADDR },
};

static void test_diff_names_fields(void **state)
{
    (void)state;
    for (size_t k = 0; k < G_N_ELEMENTS(gre_cases); k++) {
        const diff_case *dc = &gre_cases[k];
        pkt s = gre(CLIENT, SERVER, 1, 64, 1, 20715);
        pkt r = s;
        memcpy(r.b + dc->offset, dc->value, dc->n);
        r.b[8] = 60; /* hops are never a change */
        GArray *d = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));
        pd_pair_diff(s.b, s.len, r.b, r.len, d);
        if (d->len < 1)
            fail_msg("%s: no change found", dc->name);
        pd_pair_change *c = &g_array_index(d, pd_pair_change, 0);
        if (strcmp(c->field, dc->field) || strcmp(c->before, dc->before) || strcmp(c->after, dc->after) ||
            c->kind != dc->kind || c->field_id != dc->id)
            fail_msg("%s: got \"%s\" %s -> %s (kind %d)", dc->name, c->field, c->before, c->after, c->kind);
        for (guint i = 0; i < d->len; i++)
            pd_pair_change_clear(&g_array_index(d, pd_pair_change, i));
        g_array_free(d, TRUE);
    }
    /* Equal packets: nothing, TTL and checksum aside. */
    pkt s = gre(CLIENT, SERVER, 1, 64, 1, 20715), r = s;
    r.b[8] = 1;
    r.b[10] = 0;
    GArray *d = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));
    pd_pair_diff(s.b, s.len, r.b, r.len, d);
    assert_int_equal(d->len, 0);
    pd_pair_diff(NULL, 0, r.b, r.len, d);
    pd_pair_diff(s.b, s.len, NULL, 0, d);
    assert_int_equal(d->len, 0);
    g_array_free(d, TRUE);
}

/* A PPTP NAT helper rewrites the Call ID of an Outgoing-Call-Request (RFC
 * 2637 2.7: Call ID at offset 12 of the message). */
static void test_diff_pptp_call_id(void **state)
{
    (void)state;
    uint8_t seg[20 + 168];
    memset(seg, 0, sizeof seg);
    memcpy(seg, TCP_SYN, 20);
    seg[13] = 0x18; /* PSH, ACK */
    uint8_t *m = seg + 20;
    put16(m, 168);
    put16(m + 2, 1);
    put32(m + 4, 0x1a2b3c4d);
    put16(m + 8, 7); /* Outgoing-Call-Request */
    put16(m + 12, 26390);
    put16(m + 14, 1);
    pkt s = ipv4(CLIENT, SERVER, 6, 5, 64, seg, sizeof seg, 0);
    put16(m + 12, 37762);
    put16(seg, 40000); /* and the port */
    pkt r = ipv4(NATTED, SERVER, 6, 5, 63, seg, sizeof seg, 0);
    GArray *d = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));
    pd_pair_diff(s.b, s.len, r.b, r.len, d);
    bool addr = false, port = false, call = false;
    for (guint i = 0; i < d->len; i++) {
        pd_pair_change *c = &g_array_index(d, pd_pair_change, i);
        addr |= c->field_id == PD_PAIR_F_SRC_ADDR;
        port |= c->field_id == PD_PAIR_F_SRC_PORT && !strcmp(c->before, "50000") && !strcmp(c->after, "40000");
        if (c->field_id == PD_PAIR_F_PPTP_CALL_ID) {
            call = true;
            assert_string_equal(c->field, "PPTP Outgoing-Call-Request Call ID");
            assert_string_equal(c->before, "26390");
            assert_string_equal(c->after, "37762");
        }
        pd_pair_change_clear(c);
    }
    assert_true(addr && port && call);
    g_array_free(d, TRUE);

    char *text = pd_pair_describe(s.b, s.len);
    assert_non_null(strstr(text, "Outgoing-Call-Request"));
    g_free(text);
}

/* ---- fragments ------------------------------------------------------------------ */

static void test_fragments(void **state)
{
    (void)state;
    uint8_t body[64];
    memcpy(body, UDP_IKE, sizeof UDP_IKE);
    for (size_t i = sizeof UDP_IKE; i < sizeof body; i++)
        body[i] = (uint8_t)i;
    pd_pair_capture *c = pd_pair_capture_new();
    pkt f1 = ipv4(CLIENT, SERVER, 17, 0x7d47, 64, body, 40, 0 | 1u << 16);
    pkt f2 = ipv4(CLIENT, SERVER, 17, 0x7d47, 64, body + 40, 24, 40);
    rec_add(c, &f1, 1, T0, 0);
    rec_add(c, &f2, 2, T0, 4); /* completing the datagram: the engine names the session */
    pkt f1b = f1;
    f1b.b[8] = 63;
    memcpy(f1b.b + 12, NATTED, 4);
    f1b.b[20] = 0x11; /* the NAT moved the source port */
    rec_add(c, &f1b, 3, T0, 0);
    assert_int_equal(pkts(c)[0].kind, PD_PAIR_K_FRAG);
    assert_int_equal(pkts(c)[0].session, 0);
    pd_pair_capture_attribute_fragments(c);
    assert_int_equal(pkts(c)[0].session, 4);
    assert_int_equal(pkts(c)[2].session, 0); /* another datagram as far as addresses go */
    assert_true(pkts(c)[0].ident_base == pkts(c)[2].ident_base);
    assert_true(pkts(c)[0].content == pkts(c)[2].content);
    assert_true(pkts(c)[0].ident_base != pkts(c)[1].ident_base);

    char *t = pd_pair_describe(f2.b, f2.len);
    assert_string_equal(t, "IP fragment, offset 40, last");
    g_free(t);
    t = pd_pair_describe(f1.b, f1.len);
    assert_string_equal(t, "IKE_SA_INIT request 0 [IP fragment, offset 0]");
    g_free(t);
    pd_pair_capture_free(c);
}

/* ---- hostile input --------------------------------------------------------------- */

static void test_truncation_every_offset(void **state)
{
    (void)state;
    uint8_t seg[20 + 168];
    memset(seg, 0, sizeof seg);
    memcpy(seg, TCP_SYN, 20);
    put16(seg + 20, 168);
    put16(seg + 22, 1);
    put32(seg + 24, 0x1a2b3c4d);
    put16(seg + 28, 8);
    pkt samples[] = {
        gre(CLIENT, SERVER, 1, 64, 1, 20715),
        ipv4(CLIENT, SERVER, 6, 2, 64, TCP_SYN, sizeof TCP_SYN, 0),
        ipv4(CLIENT, SERVER, 17, 3, 64, UDP_IKE, sizeof UDP_IKE, 0),
        ipv4(CLIENT, SERVER, 6, 4, 64, seg, sizeof seg, 0),
        ipv4(CLIENT, SERVER, 17, 5, 64, UDP_IKE, 16, 0 | 1u << 16),
    };
    for (size_t k = 0; k < G_N_ELEMENTS(samples); k++) {
        const pkt *full = &samples[k];
        pd_pair_capture *c = pd_pair_capture_new();
        for (size_t len = 0; len <= full->len; len++) {
            /* A heap copy of exactly len bytes: ASan sees any overread. */
            uint8_t *cut = g_memdup2(full->b, len ? len : 1);
            pd_frame f = { LINKTYPE_IPV4, len + 1, T0, cut, len, full->len };
            pd_frame_result r = { 1, PD_PROTO_PPTP, NULL };
            pd_pair_capture_add(c, &f, &r);
            char *text = pd_pair_describe(cut, len);
            assert_non_null(text);
            g_free(text);
            GArray *d = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));
            pd_pair_diff(full->b, full->len, cut, len, d);
            pd_pair_diff(cut, len, full->b, full->len, d);
            for (guint i = 0; i < d->len; i++)
                pd_pair_change_clear(&g_array_index(d, pd_pair_change, i));
            g_array_free(d, TRUE);
            g_free(cut);
        }
        /* Every record's kept bytes stay within what was captured. */
        for (guint i = 0; i < c->pkts->len; i++)
            assert_true(pkts(c)[i].bytes_len <= full->len);
        pd_pair_capture_free(c);
    }
}

/* A lying IP total length, zero-length options, a PPP Length of 0 and of 65535. */
static void test_bad_lengths(void **state)
{
    (void)state;
    pkt p = gre(CLIENT, SERVER, 1, 64, 1, 20715);
    pkt big = p;
    put16(big.b + 2, 65535); /* IP total length beyond the capture */
    pkt zero_len = p;
    put16(zero_len.b + 20 + 18, 0);
    pkt max_len = p;
    put16(max_len.b + 20 + 18, 65535);
    pkt zero_opt = p;
    zero_opt.b[20 + 21] = 0; /* option length 0 */
    const pkt *all[] = { &big, &zero_len, &max_len, &zero_opt };
    pd_pair_capture *c = pd_pair_capture_new();
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        rec_add(c, all[i], i + 1, T0, 1);
        char *t = pd_pair_describe(all[i]->b, all[i]->len);
        g_free(t);
        GArray *d = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));
        pd_pair_diff(p.b, p.len, all[i]->b, all[i]->len, d);
        for (guint k = 0; k < d->len; k++)
            pd_pair_change_clear(&g_array_index(d, pd_pair_change, k));
        g_array_free(d, TRUE);
    }
    pd_pair_capture_free(c);
}

/* ---- the analysis over two real engines -------------------------------------------- */

typedef struct side {
    pd_engine *e;
    pd_pair_capture *rec;
    uint64_t n;
} side;

static side side_new(void)
{
    pd_engine_config cfg = { 0 };
    pd_limits_default(&cfg.limits);
    side s = { pd_engine_new(&cfg), pd_pair_capture_new(), 0 };
    return s;
}

static void side_feed(side *s, const pkt *p, int64_t ts)
{
    pd_frame f = { LINKTYPE_IPV4, ++s->n, ts, p->b, p->len, p->len };
    pd_frame_result r;
    assert_true(pd_engine_feed(s->e, &f, &r));
    pd_pair_capture_add(s->rec, &f, &r);
}

static void side_free(side *s)
{
    pd_pair_capture_free(s->rec);
    pd_engine_free(s->e);
}

static pd_pair_result *analyse(side *c, side *s, GError **err)
{
    pd_engine_finish(c->e);
    pd_engine_finish(s->e);
    pd_engine *e[2] = { c->e, s->e };
    pd_pair_capture *r[2] = { c->rec, s->rec };
    return pd_pair_analyse(e, r, NULL, err);
}

static const pd_pair_finding *find(const pd_pair_result *r, const char *sig)
{
    for (size_t i = 0; i < r->n_findings; i++)
        if (!strcmp(r->findings[i].signature->id, sig))
            return &r->findings[i];
    return NULL;
}

/* SYNs to 1723 through a NAT that moves the source port; the first copy
 * is lost; the server never answers. */
static void test_analyse_syn_loss_through_nat(void **state)
{
    (void)state;
    side c = side_new(), s = side_new();
    uint8_t moved[sizeof TCP_SYN];
    memcpy(moved, TCP_SYN, sizeof moved);
    put16(moved, 61000);
    for (int i = 0; i < 4; i++) {
        int64_t t = T0 + (INT64_C(1) << i) * SEC;
        pkt out = ipv4(CLIENT, SERVER, 6, (uint16_t)(0x300 + i), 64, TCP_SYN, sizeof TCP_SYN, 0);
        side_feed(&c, &out, t);
        if (i == 0)
            continue;
        pkt in = ipv4(NATTED, SERVER, 6, (uint16_t)(0x300 + i), 63, moved, sizeof moved, 0);
        side_feed(&s, &in, t + 2 * MS);
    }
    GError *err = NULL;
    pd_pair_result *r = analyse(&c, &s, &err);
    assert_non_null(r);
    assert_null(err);
    assert_int_equal(r->n_sessions, 1);
    const pd_pair_session *ps = &r->sessions[0];
    assert_non_null(ps->side[0]);
    assert_non_null(ps->side[1]);
    assert_int_equal(ps->dirs[PD_DIR_TO_SERVER].sent, 4);
    assert_int_equal(ps->dirs[PD_DIR_TO_SERVER].arrived, 3);
    assert_int_equal(ps->dirs[PD_DIR_TO_SERVER].lost, 1);
    assert_int_equal(ps->dirs[PD_DIR_TO_SERVER].modified, 0);
    assert_int_equal(ps->dirs[PD_DIR_TO_SERVER].hops, 1);
    /* The lost one is the first, by IP ID. */
    assert_int_equal(ps->packets[0].fate, PD_PAIR_LOST);
    assert_int_equal(ps->packets[0].frame[0], 1);
    assert_int_equal(ps->n_nat, 1);
    assert_string_equal(ps->nat[0].what, "client");
    assert_string_equal(ps->nat[0].inside, "10.0.1.2:50000");
    assert_string_equal(ps->nat[0].outside, "10.0.2.1:61000");
    assert_non_null(find(r, "path.nat"));
    const pd_pair_finding *loss = find(r, "path.loss");
    assert_non_null(loss);
    assert_int_equal(loss->blame, PD_BLAME_PATH);
    assert_int_equal(loss->severity, PD_SEV_WARNING); /* one of four: not why it failed */
    /* Three of four SYNs arrived and nothing answered: the no-answer is
     * the server's, not the path's. */
    const pd_pair_finding *na = find(r, "pptp.no_answer");
    assert_non_null(na);
    assert_true(na->refined);
    assert_int_equal(na->blame, PD_BLAME_SERVER);
    assert_int_equal(na->confidence, PD_CONF_HIGH);
    assert_non_null(na->single);
    assert_non_null(strstr(na->single, "client capture: pptp.no_answer"));
    assert_non_null(strstr(na->single, "server capture: pptp.no_answer"));
    pd_pair_result_free(r);
    side_free(&c);
    side_free(&s);
}

/* Every SYN lost, the server capture running (an unrelated frame after). */
static void test_analyse_one_sided(void **state)
{
    (void)state;
    side c = side_new(), s = side_new();
    for (int i = 0; i < 3; i++) {
        pkt out = ipv4(CLIENT, SERVER, 6, (uint16_t)(0x300 + i), 64, TCP_SYN, sizeof TCP_SYN, 0);
        side_feed(&c, &out, T0 + i * SEC);
    }
    uint8_t dns[12] = { 0xc3, 0x50, 0x00, 0x35, 0x00, 0x0c, 0, 0, 1, 2, 3, 4 };
    pkt other = ipv4(SERVER, NATTED, 17, 1, 64, dns, sizeof dns, 0);
    side_feed(&s, &other, T0 - SEC);
    side_feed(&s, &other, T0 + 5 * SEC);
    GError *err = NULL;
    pd_pair_result *r = analyse(&c, &s, &err);
    assert_non_null(r);
    assert_int_equal(r->n_sessions, 1);
    assert_null(r->sessions[0].side[1]);
    assert_int_equal(r->sessions[0].dirs[PD_DIR_TO_SERVER].lost, 3);
    assert_int_equal(r->sessions[0].dirs[PD_DIR_TO_SERVER].lost_outside_window, 0);
    const pd_pair_finding *loss = find(r, "path.loss");
    assert_non_null(loss);
    assert_int_equal(loss->confidence, PD_CONF_HIGH);
    assert_int_equal(loss->severity, PD_SEV_ERROR);
    assert_true(pd_pair_has_error(r));
    pd_pair_result_free(r);
    side_free(&c);
    side_free(&s);
}

/* A server with two clients, paired with one client's capture: the other
 * client's session is only in the server capture, its SYN arrived there
 * without being in the client capture, so the client capture is not on
 * that session's path and the server's SYN/ACK to it is not "lost". The
 * paired client's own session is judged as always (its lost SYN/ACK
 * stays lost). */
static void test_analyse_other_client(void **state)
{
    (void)state;
    static const uint8_t OTHER[4] = { 10, 0, 3, 2 };
    /* The SYN/ACK: 1723 -> 50000, seq 0x0a0b0c0d, ack 0x01020305. */
    static const uint8_t TCP_SYNACK[] = {
        0x06, 0xbb, 0xc3, 0x50, 0x0a, 0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x05,
        0x50, 0x12, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
    };
    uint8_t other_syn[sizeof TCP_SYN], other_synack[sizeof TCP_SYNACK];
    memcpy(other_syn, TCP_SYN, sizeof other_syn);
    memcpy(other_synack, TCP_SYNACK, sizeof other_synack);
    other_syn[7] = 0x44;    /* its own initial sequence number */
    other_synack[11] = 0x45; /* acknowledged */
    other_synack[7] = 0x77;
    side c = side_new(), s = side_new();
    /* This client: SYN arrives, the SYN/ACK never comes back. */
    pkt syn = ipv4(CLIENT, SERVER, 6, 0x300, 64, TCP_SYN, sizeof TCP_SYN, 0);
    side_feed(&c, &syn, T0);
    pkt syn_in = ipv4(CLIENT, SERVER, 6, 0x300, 63, TCP_SYN, sizeof TCP_SYN, 0);
    side_feed(&s, &syn_in, T0 + 1 * MS);
    pkt synack = ipv4(SERVER, CLIENT, 6, 0x500, 64, TCP_SYNACK, sizeof TCP_SYNACK, 0);
    side_feed(&s, &synack, T0 + 2 * MS);
    /* The other client, seen only at the server. */
    pkt osyn = ipv4(OTHER, SERVER, 6, 0x400, 63, other_syn, sizeof other_syn, 0);
    side_feed(&s, &osyn, T0 + 100 * MS);
    pkt osynack = ipv4(SERVER, OTHER, 6, 0x600, 64, other_synack, sizeof other_synack, 0);
    side_feed(&s, &osynack, T0 + 101 * MS);
    /* Both captures run on. */
    pkt syn2 = ipv4(CLIENT, SERVER, 6, 0x301, 64, TCP_SYN, sizeof TCP_SYN, 0);
    side_feed(&c, &syn2, T0 + SEC);
    pkt syn2_in = ipv4(CLIENT, SERVER, 6, 0x301, 63, TCP_SYN, sizeof TCP_SYN, 0);
    side_feed(&s, &syn2_in, T0 + SEC + 1 * MS);
    GError *err = NULL;
    pd_pair_result *r = analyse(&c, &s, &err);
    assert_non_null(r);
    assert_null(err);
    assert_int_equal(r->n_sessions, 2);
    const pd_pair_session *mine = NULL, *theirs = NULL;
    for (size_t i = 0; i < r->n_sessions; i++) {
        if (r->sessions[i].side[0])
            mine = &r->sessions[i];
        else
            theirs = &r->sessions[i];
    }
    assert_non_null(mine);
    assert_non_null(theirs);
    assert_false(mine->off_path[0] || mine->off_path[1]);
    assert_int_equal(mine->dirs[PD_DIR_TO_SERVER].arrived, 2);
    assert_int_equal(mine->dirs[PD_DIR_TO_CLIENT].lost, 1);
    assert_true(theirs->off_path[PD_PAIR_CLIENT]);
    assert_false(theirs->off_path[PD_PAIR_SERVER]);
    assert_int_equal(theirs->dirs[PD_DIR_TO_SERVER].unsent, 1);
    assert_int_equal(theirs->dirs[PD_DIR_TO_CLIENT].lost, 0);
    assert_int_equal(theirs->dirs[PD_DIR_TO_CLIENT].off_path, 1);
    for (size_t i = 0; i < theirs->n_packets; i++)
        if (theirs->packets[i].dir == PD_DIR_TO_CLIENT)
            assert_int_equal(theirs->packets[i].fate, PD_PAIR_OFF_PATH);
    /* The one path.loss is this client's own SYN/ACK. */
    size_t losses = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        if (strcmp(r->findings[i].signature->id, "path.loss") != 0)
            continue;
        losses++;
        assert_int_equal(r->findings[i].session, mine->id);
    }
    assert_int_equal(losses, 1);
    pd_pair_result_free(r);
    side_free(&c);
    side_free(&s);
}

static void test_analyse_errors(void **state)
{
    (void)state;
    /* Neither capture holds a VPN session. */
    side c = side_new(), s = side_new();
    GError *err = NULL;
    assert_null(analyse(&c, &s, &err));
    assert_non_null(err);
    assert_int_equal(err->code, PD_PAIR_ERROR_NO_VPN);
    g_clear_error(&err);
    side_free(&c);
    side_free(&s);

    /* Sessions an hour apart, nothing in common. */
    c = side_new();
    s = side_new();
    pkt a = ipv4(CLIENT, SERVER, 6, 1, 64, TCP_SYN, sizeof TCP_SYN, 0);
    uint8_t t2[sizeof TCP_SYN];
    memcpy(t2, TCP_SYN, sizeof t2);
    t2[7] = 0x99; /* another connection: another sequence number */
    pkt b = ipv4(CLIENT, SERVER, 6, 2, 64, t2, sizeof t2, 0);
    side_feed(&c, &a, T0);
    side_feed(&s, &b, T0 + 3600 * SEC);
    assert_null(analyse(&c, &s, &err));
    assert_int_equal(err->code, PD_PAIR_ERROR_NO_OVERLAP);
    assert_non_null(strstr(err->message, "do not overlap in time"));
    g_clear_error(&err);
    side_free(&c);
    side_free(&s);

    /* Same time, different sessions (different servers, ports, numbers). */
    c = side_new();
    s = side_new();
    static const uint8_t OTHER[4] = { 192, 0, 2, 7 };
    pkt d = ipv4(NATTED, OTHER, 6, 2, 64, t2, sizeof t2, 0);
    side_feed(&c, &a, T0);
    side_feed(&s, &d, T0 + MS);
    assert_null(analyse(&c, &s, &err));
    assert_int_equal(err->code, PD_PAIR_ERROR_NO_SHARED);
    g_clear_error(&err);
    side_free(&c);
    side_free(&s);
}

static void test_roles(void **state)
{
    (void)state;
    pd_capture_stats a = { 0 }, b = { 0 };
    a.vantage = PD_VANTAGE_SERVER;
    b.vantage = PD_VANTAGE_CLIENT;
    assert_true(pd_pair_roles_swapped(&a, &b));
    assert_false(pd_pair_roles_swapped(&b, &a));
    b.vantage = PD_VANTAGE_UNKNOWN;
    assert_true(pd_pair_roles_swapped(&a, &b));
    a.vantage = PD_VANTAGE_UNKNOWN;
    assert_false(pd_pair_roles_swapped(&a, &b));
    a.vantage = b.vantage = PD_VANTAGE_SERVER;
    assert_false(pd_pair_roles_swapped(&a, &b));
    assert_false(pd_pair_roles_swapped(NULL, &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_survives_nat_ttl_checksum),
        cmocka_unit_test(test_irrelevant_frames_not_kept),
        cmocka_unit_test(test_match_nat_rewrite),
        cmocka_unit_test(test_match_identical_retransmissions),
        cmocka_unit_test(test_match_clock_offset),
        cmocka_unit_test(test_match_reordering),
        cmocka_unit_test(test_match_directions_apart),
        cmocka_unit_test(test_diff_names_fields),
        cmocka_unit_test(test_diff_pptp_call_id),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_bad_lengths),
        cmocka_unit_test(test_analyse_syn_loss_through_nat),
        cmocka_unit_test(test_analyse_one_sided),
        cmocka_unit_test(test_analyse_other_client),
        cmocka_unit_test(test_analyse_errors),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
