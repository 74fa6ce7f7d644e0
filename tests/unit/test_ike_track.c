/* test_ike_track.c - IKE and ESP sessions end to end on hand-built raw IPv4
 * frames: IKE messages laid out from RFC 7296 / RFC 2408-2409 (header,
 * generic payload headers, SA/proposal/transform substructures, notifies),
 * UDP 500/4500 with the non-ESP marker (RFC 3948), IP fragments, ESP, ICMP.
 * Each scenario checks the verdict, its Windows codes, the evidence and the
 * session (stages, ladder, attributes); hostile variants must not crash.
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

#include "ike_natd.h"
#include "pcapdiag/pcapdiag.h"

#define LINKTYPE_IPV4 228
#define SEC INT64_C(1000000000)
#define MS INT64_C(1000000)

static const uint8_t CLIENT[4] = { 10, 0, 1, 2 };
static const uint8_t SERVER[4] = { 10, 0, 2, 2 };
static const uint8_t NATPUB[4] = { 10, 0, 2, 1 }; /* the client's NAT, as the server sees it */
static const uint8_t TEST_NET_SRC[4] = { 192, 0, 2, 10 };
static const uint8_t TEST_NET_DST[4] = { 198, 51, 100, 1 };

static const uint8_t SPI_A[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
static const uint8_t SPI_B[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
static const uint8_t SPI_R[8] = { 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22 };
static const uint8_t ZERO8[8] = { 0 };

/* ---- bytes ---------------------------------------------------------------- */

typedef struct buf {
    uint8_t b[8192];
    size_t len;
} buf;

static void put8(buf *b, uint8_t v)
{
    assert_true(b->len < sizeof b->b);
    b->b[b->len++] = v;
}

static void put16(buf *b, uint16_t v)
{
    put8(b, (uint8_t)(v >> 8));
    put8(b, (uint8_t)v);
}

static void put32(buf *b, uint32_t v)
{
    put16(b, (uint16_t)(v >> 16));
    put16(b, (uint16_t)v);
}

static void putn(buf *b, const void *p, size_t n)
{
    assert_true(b->len + n <= sizeof b->b);
    memcpy(b->b + b->len, p, n);
    b->len += n;
}

static void fill(buf *b, uint8_t seed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(b, (uint8_t)(seed + i * 37));
}

static void set16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* ---- IKE messages (RFC 7296 3.1-3.2, RFC 2408 3.1-3.2) ---------------------- */

typedef struct ikemsg {
    buf m;
    size_t np_at; /* where the next payload type is written */
} ikemsg;

static void ike_begin(ikemsg *k, uint8_t version, const uint8_t spi_i[8], const uint8_t spi_r[8],
                      uint8_t exch, uint8_t flags, uint32_t msg_id)
{
    memset(k, 0, sizeof *k);
    putn(&k->m, spi_i, 8);
    putn(&k->m, spi_r, 8);
    k->np_at = k->m.len;
    put8(&k->m, 0);
    put8(&k->m, version);
    put8(&k->m, exch);
    put8(&k->m, flags);
    put32(&k->m, msg_id);
    put32(&k->m, 0); /* length, set by ike_end */
}

static void ike_payload(ikemsg *k, uint8_t type, const buf *body)
{
    k->m.b[k->np_at] = type;
    k->np_at = k->m.len;
    put8(&k->m, 0);
    put8(&k->m, 0);
    put16(&k->m, (uint16_t)(4 + (body ? body->len : 0)));
    if (body)
        putn(&k->m, body->b, body->len);
}

static void ike_end(ikemsg *k)
{
    uint32_t n = (uint32_t)k->m.len;
    k->m.b[24] = (uint8_t)(n >> 24);
    k->m.b[25] = (uint8_t)(n >> 16);
    k->m.b[26] = (uint8_t)(n >> 8);
    k->m.b[27] = (uint8_t)n;
}

/* IKEv2 transforms (RFC 7296 3.3.2). */
typedef struct xf {
    uint8_t type;
    uint16_t id;
    uint16_t keylen;
} xf;

static void v2_proposal(buf *sa, bool last, uint8_t num, uint8_t proto, const uint8_t *spi,
                        uint8_t spi_size, const xf *xs, size_t n)
{
    size_t start = sa->len;
    put8(sa, last ? 0 : 2);
    put8(sa, 0);
    put16(sa, 0);
    put8(sa, num);
    put8(sa, proto);
    put8(sa, spi_size);
    put8(sa, (uint8_t)n);
    if (spi_size)
        putn(sa, spi, spi_size);
    for (size_t i = 0; i < n; i++) {
        put8(sa, i + 1 == n ? 0 : 3);
        put8(sa, 0);
        put16(sa, xs[i].keylen ? 12 : 8);
        put8(sa, xs[i].type);
        put8(sa, 0);
        put16(sa, xs[i].id);
        if (xs[i].keylen) {
            put16(sa, 0x800e);
            put16(sa, xs[i].keylen);
        }
    }
    set16(sa->b + start + 2, (uint16_t)(sa->len - start));
}

/* aes256-sha256-prfsha256-<group> */
static void v2_sa_ike(buf *sa, uint16_t group)
{
    const xf xs[] = { { 1, 12, 256 }, { 3, 12, 0 }, { 2, 5, 0 }, { 4, group, 0 } };
    v2_proposal(sa, true, 1, 1, NULL, 0, xs, 4);
}

static void v2_notify(ikemsg *k, uint16_t type, const void *data, size_t len)
{
    buf n = { .len = 0 };
    put8(&n, 0);
    put8(&n, 0);
    put16(&n, type);
    if (len)
        putn(&n, data, len);
    ike_payload(k, 41, &n);
}

typedef struct natd_view {
    const uint8_t *src, *dst; /* the addresses the sender believes in */
    uint16_t sport, dport;
} natd_view;

static void v2_natd(ikemsg *k, const uint8_t spi_i[8], const uint8_t spi_r[8], const natd_view *v)
{
    pd_addr a;
    uint8_t h[20];
    memset(&a, 0, sizeof a);
    a.family = 4;
    memcpy(a.a, v->src, 4);
    assert_int_equal(pd_ikev2_natd_compute(spi_i, spi_r, &a, v->sport, h), 20);
    v2_notify(k, 16388, h, 20);
    memcpy(a.a, v->dst, 4);
    assert_int_equal(pd_ikev2_natd_compute(spi_i, spi_r, &a, v->dport, h), 20);
    v2_notify(k, 16389, h, 20);
}

/* IKE_SA_INIT request: SA (aes256-sha256-<group>), KE(group), Ni, NAT-D. */
static void v2_sa_init_req(ikemsg *k, const uint8_t spi_i[8], uint16_t group, const natd_view *v,
                           bool frag_sup)
{
    ike_begin(k, 0x20, spi_i, ZERO8, 34, 0x08, 0);
    buf sa = { .len = 0 };
    v2_sa_ike(&sa, group);
    ike_payload(k, 33, &sa);
    buf ke = { .len = 0 };
    put16(&ke, group);
    put16(&ke, 0);
    fill(&ke, 7, 64);
    ike_payload(k, 34, &ke);
    buf no = { .len = 0 };
    fill(&no, 3, 32);
    ike_payload(k, 40, &no);
    if (v)
        v2_natd(k, spi_i, ZERO8, v);
    if (frag_sup)
        v2_notify(k, 16430, NULL, 0);
    ike_end(k);
}

static void v2_sa_init_resp(ikemsg *k, const uint8_t spi_i[8], const uint8_t spi_r[8],
                            uint16_t group, const natd_view *v, bool frag_sup)
{
    ike_begin(k, 0x20, spi_i, spi_r, 34, 0x20, 0);
    buf sa = { .len = 0 };
    v2_sa_ike(&sa, group);
    ike_payload(k, 33, &sa);
    buf ke = { .len = 0 };
    put16(&ke, group);
    put16(&ke, 0);
    fill(&ke, 9, 64);
    ike_payload(k, 34, &ke);
    buf no = { .len = 0 };
    fill(&no, 5, 32);
    ike_payload(k, 40, &no);
    if (v)
        v2_natd(k, spi_i, spi_r, v);
    if (frag_sup)
        v2_notify(k, 16430, NULL, 0);
    ike_end(k);
}

/* A clear-text error response (RFC 7296 2.21.1): SPIr zero. */
static void v2_error_resp(ikemsg *k, const uint8_t spi_i[8], uint8_t exch, uint32_t mid,
                          uint16_t type, const void *data, size_t len)
{
    ike_begin(k, 0x20, spi_i, ZERO8, exch, 0x20, mid);
    v2_notify(k, type, data, len);
    ike_end(k);
}

/* An encrypted message: SK (46) with `body` bytes of IV/ciphertext/ICV. */
static void v2_sk(ikemsg *k, const uint8_t spi_i[8], const uint8_t spi_r[8], uint8_t exch,
                  uint8_t flags, uint32_t mid, size_t body, uint8_t seed)
{
    ike_begin(k, 0x20, spi_i, spi_r, exch, flags, mid);
    buf b = { .len = 0 };
    fill(&b, seed, body);
    ike_payload(k, 46, &b);
    ike_end(k);
}

/* IKEv1 phase-1 transform attributes (RFC 2409 App. A), TV format. */
typedef struct p1 {
    uint16_t encr, keylen, hash, auth, group;
} p1;

static void v1_sa(buf *sa, const p1 *ts, size_t n)
{
    put32(sa, 1); /* DOI IPsec */
    put32(sa, 1); /* SIT_IDENTITY_ONLY */
    size_t prop = sa->len;
    put8(sa, 0);
    put8(sa, 0);
    put16(sa, 0);
    put8(sa, 1);       /* proposal #1 */
    put8(sa, 1);       /* PROTO_ISAKMP */
    put8(sa, 0);       /* SPI size */
    put8(sa, (uint8_t)n);
    for (size_t i = 0; i < n; i++) {
        size_t t = sa->len;
        put8(sa, i + 1 == n ? 0 : 3);
        put8(sa, 0);
        put16(sa, 0);
        put8(sa, (uint8_t)(i + 1));
        put8(sa, 1); /* KEY_IKE */
        put16(sa, 0);
        put16(sa, 0x8001);
        put16(sa, ts[i].encr);
        if (ts[i].keylen) {
            put16(sa, 0x800e);
            put16(sa, ts[i].keylen);
        }
        put16(sa, 0x8002);
        put16(sa, ts[i].hash);
        put16(sa, 0x8003);
        put16(sa, ts[i].auth);
        put16(sa, 0x8004);
        put16(sa, ts[i].group);
        put16(sa, 0x800b);
        put16(sa, 1); /* seconds */
        put16(sa, 0x800c);
        put16(sa, 28800);
        set16(sa->b + t + 2, (uint16_t)(sa->len - t));
    }
    set16(sa->b + prop + 2, (uint16_t)(sa->len - prop));
}

static void v1_mm1(ikemsg *k, const uint8_t cky_i[8], const p1 *ts, size_t n)
{
    ike_begin(k, 0x10, cky_i, ZERO8, 2, 0, 0);
    buf sa = { .len = 0 };
    v1_sa(&sa, ts, n);
    ike_payload(k, 1, &sa);
    buf vid = { .len = 0 };
    fill(&vid, 0x40, 16);
    ike_payload(k, 13, &vid);
    ike_end(k);
}

static void v1_mm2(ikemsg *k, const uint8_t cky_i[8], const uint8_t cky_r[8], const p1 *t)
{
    ike_begin(k, 0x10, cky_i, cky_r, 2, 0, 0);
    buf sa = { .len = 0 };
    v1_sa(&sa, t, 1);
    ike_payload(k, 1, &sa);
    ike_end(k);
}

/* MM #3/#4: KE, Nonce and two NAT-D payloads (RFC 3947 3.2, SHA-1 here). */
static void v1_mm34(ikemsg *k, const uint8_t cky_i[8], const uint8_t cky_r[8], const natd_view *v)
{
    ike_begin(k, 0x10, cky_i, cky_r, 2, 0, 0);
    buf ke = { .len = 0 };
    fill(&ke, 1, 128);
    ike_payload(k, 4, &ke);
    buf no = { .len = 0 };
    fill(&no, 2, 24);
    ike_payload(k, 10, &no);
    if (v) {
        pd_addr a;
        uint8_t h[20];
        memset(&a, 0, sizeof a);
        a.family = 4;
        memcpy(a.a, v->dst, 4);
        assert_int_equal(pd_ike_natd_compute_addr(PD_IKE_NATD_SHA1, cky_i, cky_r, &a, v->dport, h,
                                                  sizeof h),
                         20);
        buf d = { .len = 0 };
        putn(&d, h, 20);
        ike_payload(k, 20, &d);
        memcpy(a.a, v->src, 4);
        pd_ike_natd_compute_addr(PD_IKE_NATD_SHA1, cky_i, cky_r, &a, v->sport, h, sizeof h);
        d.len = 0;
        putn(&d, h, 20);
        ike_payload(k, 20, &d);
    }
    ike_end(k);
}

/* Encrypted IKEv1 message (flag E): the body is ciphertext. */
static void v1_enc(ikemsg *k, const uint8_t cky_i[8], const uint8_t cky_r[8], uint8_t exch,
                   uint32_t mid, size_t body, uint8_t seed)
{
    ike_begin(k, 0x10, cky_i, cky_r, exch, 0x01, mid);
    k->m.b[k->np_at] = 8; /* first payload (HASH), inside the ciphertext */
    fill(&k->m, seed, body);
    ike_end(k);
}

static void v1_notify_info(ikemsg *k, const uint8_t cky_i[8], const uint8_t cky_r[8],
                           uint16_t type)
{
    ike_begin(k, 0x10, cky_i, cky_r, 5, 0, 0x5a5a0001);
    buf n = { .len = 0 };
    put32(&n, 1);
    put8(&n, 1);
    put8(&n, 0);
    put16(&n, type);
    ike_payload(k, 11, &n);
    ike_end(k);
}

/* ---- frames ------------------------------------------------------------------ */

typedef struct pkt {
    uint8_t b[9000];
    size_t len;
} pkt;

static uint16_t ip_ident = 0x100;

static void ipv4(pkt *p, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint8_t ttl,
                 const uint8_t *l4, size_t l4_len)
{
    assert_true(20 + l4_len <= sizeof p->b);
    memset(p->b, 0, 20);
    p->b[0] = 0x45;
    set16(p->b + 2, (uint16_t)(20 + l4_len));
    set16(p->b + 4, ip_ident++);
    p->b[8] = ttl;
    p->b[9] = proto;
    memcpy(p->b + 12, src, 4);
    memcpy(p->b + 16, dst, 4);
    memcpy(p->b + 20, l4, l4_len);
    p->len = 20 + l4_len;
}

static void udp_payload(buf *u, uint16_t sport, uint16_t dport, bool marker, const uint8_t *data,
                        size_t len)
{
    u->len = 0;
    put16(u, sport);
    put16(u, dport);
    put16(u, (uint16_t)(8 + (marker ? 4 : 0) + len));
    put16(u, 0);
    if (marker)
        put32(u, 0);
    putn(u, data, len);
}

typedef struct feeder {
    pd_engine *e;
    uint64_t n;
} feeder;

static feeder start_with(const char *policy)
{
    pd_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    pd_limits_default(&cfg.limits);
    cfg.ike_policy = policy;
    feeder f = { pd_engine_new(&cfg), 0 };
    assert_non_null(f.e);
    return f;
}

static feeder start(void)
{
    return start_with(NULL);
}

static void feed_pkt(feeder *f, const pkt *p, int64_t ts)
{
    pd_frame fr = { LINKTYPE_IPV4, ++f->n, ts, p->b, p->len, p->len };
    assert_true(pd_engine_feed(f->e, &fr, NULL));
}

static void feed_raw(feeder *f, const uint8_t *b, size_t len, int64_t ts)
{
    pd_frame fr = { LINKTYPE_IPV4, ++f->n, ts, b, len, len };
    assert_true(pd_engine_feed(f->e, &fr, NULL));
}

/* An IKE message from src:sport to dst:dport (port 4500: non-ESP marker). */
static void send_ike(feeder *f, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                     uint16_t dport, uint8_t ttl, const ikemsg *k, int64_t ts)
{
    buf u;
    bool marker = sport == 4500 || dport == 4500;
    udp_payload(&u, sport, dport, marker, k->m.b, k->m.len);
    pkt p;
    ipv4(&p, src, dst, 17, ttl, u.b, u.len);
    feed_pkt(f, &p, ts);
}

/* The same, IP-fragmented at `mtu` (RFC 791): all fragments, or only the first. */
static void send_ike_fragmented(feeder *f, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                                uint16_t dport, uint8_t ttl, const ikemsg *k, int64_t ts,
                                size_t mtu, bool first_only)
{
    buf u;
    bool marker = sport == 4500 || dport == 4500;
    udp_payload(&u, sport, dport, marker, k->m.b, k->m.len);
    size_t chunk = ((mtu - 20) / 8) * 8;
    uint16_t id = ip_ident++;
    for (size_t off = 0; off < u.len; off += chunk) {
        size_t n = u.len - off < chunk ? u.len - off : chunk;
        bool more = off + n < u.len;
        pkt p;
        ipv4(&p, src, dst, 17, ttl, u.b + off, n);
        set16(p.b + 4, id);
        set16(p.b + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
        feed_pkt(f, &p, ts + (int64_t)off);
        if (first_only)
            break;
    }
}

static void send_esp(feeder *f, const uint8_t *src, const uint8_t *dst, uint8_t ttl, uint32_t spi,
                     uint32_t seq, bool in_udp, int64_t ts)
{
    buf e = { .len = 0 };
    put32(&e, spi);
    put32(&e, seq);
    fill(&e, (uint8_t)seq, 64);
    pkt p;
    if (in_udp) {
        buf u;
        udp_payload(&u, 4500, 4500, false, e.b, e.len);
        ipv4(&p, src, dst, 17, ttl, u.b, u.len);
    } else {
        ipv4(&p, src, dst, 50, ttl, e.b, e.len);
    }
    feed_pkt(f, &p, ts);
}

/* ---- reading the verdict -------------------------------------------------------- */

static const pd_finding *find(pd_engine *e, const char *sig)
{
    for (size_t i = 0; i < pd_engine_finding_count(e); i++)
        if (strcmp(pd_engine_finding(e, i)->signature->id, sig) == 0)
            return pd_engine_finding(e, i);
    return NULL;
}

/* The one finding of `sig`; no other error or warning. */
static const pd_finding *only(pd_engine *e, const char *sig)
{
    const pd_finding *hit = NULL;
    for (size_t i = 0; i < pd_engine_finding_count(e); i++) {
        const pd_finding *f = pd_engine_finding(e, i);
        if (strcmp(f->signature->id, sig) == 0) {
            assert_null(hit);
            hit = f;
        } else if (f->severity != PD_SEV_NOTE) {
            fail_msg("unexpected %s: %s", f->signature->id, f->summary);
        }
    }
    if (!hit)
        fail_msg("no %s", sig);
    return hit;
}

static void no_errors(pd_engine *e)
{
    for (size_t i = 0; i < pd_engine_finding_count(e); i++) {
        const pd_finding *f = pd_engine_finding(e, i);
        if (f->severity != PD_SEV_NOTE)
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

static bool cites(const pd_finding *f, uint64_t frame)
{
    for (size_t i = 0; i < f->n_evidence; i++)
        if (f->evidence[i].frame == frame)
            return true;
    return false;
}

static const char *attr(const pd_session *s, const char *key)
{
    static char num[32];
    for (size_t i = 0; i < s->n_attrs; i++) {
        if (strcmp(s->attrs[i].key, key) != 0)
            continue;
        if (s->attrs[i].kind == PD_ATTR_NUM) {
            g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, s->attrs[i].num);
            return num;
        }
        return s->attrs[i].str;
    }
    return NULL;
}

static bool reached(const pd_session *s, const char *stage)
{
    for (size_t i = 0; i < s->n_stages; i++)
        if (strcmp(s->stages[i].name, stage) == 0)
            return true;
    return false;
}

static const natd_view C2S_500 = { CLIENT, SERVER, 500, 500 };
static const natd_view S2C_500 = { SERVER, CLIENT, 500, 500 };

/* ---- scenarios ------------------------------------------------------------------- */

/* IKE_SA_INIT sent five times, never answered (RFC 7296 2.1 retransmissions). */
static void test_no_response_first(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, &C2S_500, true);
    static const int64_t at[] = { 0, 2, 5, 9, 16 };
    for (size_t i = 0; i < 5; i++)
        send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, at[i] * SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->protocol, PD_PROTO_IKEV2);
    assert_string_equal(s->state, "no-response");
    assert_int_equal(s->server.port, 500);
    assert_int_equal(s->n_ladder, 1);
    assert_int_equal(s->ladder[0].repeat, 5);
    assert_non_null(strstr(s->ladder[0].text, "IKE_SA_INIT request 0 [ SA KE(MODP_2048) No "
                                              "N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]"));
    assert_non_null(s->ladder[0].annotation);
    assert_string_equal(attr(s, "retransmissions_to_server"), "4");
    const pd_finding *fd = only(f.e, "ike.no_response");
    assert_true(has_code(fd, 809));
    assert_false(has_code(fd, 792)); /* 792 is the L2TP/IPsec (IKEv1) timeout */
    assert_int_equal(fd->confidence, PD_CONF_HIGH);
    assert_true(cites(fd, 1));
    assert_true(cites(fd, 5));
    assert_non_null(strstr(fd->summary, "sent 5 times"));
    assert_int_equal(pd_engine_stats(f.e)->vantage, PD_VANTAGE_CLIENT);
    pd_engine_free(f.e);
}

/* Sent once and the capture ends at once: not enough to call it unanswered. */
static void test_single_request_short_capture(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    no_errors(f.e);
    pd_engine_free(f.e);
}

/* A port unreachable from the server: nothing listens on UDP 500. */
static void test_icmp_port_unreachable(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    buf u;
    udp_payload(&u, 500, 500, false, k.m.b, k.m.len);
    pkt req;
    ipv4(&req, CLIENT, SERVER, 17, 64, u.b, u.len);
    feed_pkt(&f, &req, SEC);
    buf icmp = { .len = 0 };
    put8(&icmp, 3);
    put8(&icmp, 3); /* port unreachable */
    put16(&icmp, 0);
    put32(&icmp, 0);
    putn(&icmp, req.b, 28);
    pkt p;
    ipv4(&p, SERVER, CLIENT, 1, 63, icmp.b, icmp.len);
    feed_pkt(&f, &p, SEC + MS);
    feed_pkt(&f, &req, 3 * SEC);
    pd_engine_finish(f.e);
    const pd_finding *fd = only(f.e, "ike.no_response");
    assert_non_null(strstr(fd->summary, "ICMP"));
    assert_int_equal(fd->blame, PD_BLAME_SERVER);
    assert_true(cites(fd, 2));
    pd_engine_free(f.e);
}

/* IKEv2 NO_PROPOSAL_CHOSEN in answer to IKE_SA_INIT. */
static void test_no_proposal_v2(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, &C2S_500, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC);
    v2_error_resp(&k, SPI_A, 34, 0, 14, NULL, 0);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + 5 * MS);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "no-proposal-chosen");
    assert_non_null(strstr(s->ladder[1].text, "IKE_SA_INIT response 0 [ N(NO_PROP) ]"));
    const pd_finding *fd = only(f.e, "ike.no_proposal_chosen");
    assert_true(has_code(fd, 13868));
    assert_false(has_code(fd, 788));
    assert_int_equal(fd->blame, PD_BLAME_CONFIGURATION);
    assert_non_null(
        strstr(fd->explanation, "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"));
    assert_true(cites(fd, 1) && cites(fd, 2));
    assert_non_null(strstr(attr(s, "proposals_offered"), "AES_CBC_256"));
    pd_engine_free(f.e);
}

static const p1 CLIENT_P1 = { 7, 128, 4, 1, 14 }; /* AES-128, SHA2-256, PSK, MODP_2048 */
static const p1 SERVER_P1 = { 3, 128, 1, 1, 2 };  /* Blowfish, MD5, PSK, MODP_1024 */

/* IKEv1 main mode #1 refused by an Informational N(NO_PROPOSAL_CHOSEN). */
static void test_no_proposal_v1(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v1_mm1(&k, SPI_A, &CLIENT_P1, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC);
    v1_notify_info(&k, SPI_A, SPI_R, 14);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + 3 * MS);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->protocol, PD_PROTO_IKEV1);
    assert_non_null(strstr(s->ladder[0].text, "Main Mode #1 [ SA V ]"));
    assert_non_null(strstr(s->ladder[1].text, "Informational"));
    assert_non_null(strstr(s->ladder[1].text, "N(NO_PROP)"));
    const pd_finding *fd = only(f.e, "ike.no_proposal_chosen");
    assert_true(has_code(fd, 788));
    assert_non_null(strstr(fd->explanation, "IKE:AES_CBC_128/HMAC_SHA2_256/MODP_2048 auth PSK"));
    pd_engine_free(f.e);
}

/* Both gateways initiate (seed 003): both offer lists are visible and the
 * disagreeing transforms are named. */
static void test_no_proposal_both_initiated(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v1_mm1(&k, SPI_B, &SERVER_P1, 1);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC);
    v1_mm1(&k, SPI_A, &CLIENT_P1, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC + MS);
    v1_notify_info(&k, SPI_B, SPI_R, 14);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC + 2 * MS);
    v1_notify_info(&k, SPI_A, SPI_R, 14);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + 3 * MS);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 2);
    const pd_finding *fd = only(f.e, "ike.no_proposal_chosen");
    assert_non_null(strstr(fd->summary, "Both gateways initiated"));
    assert_non_null(strstr(fd->explanation, "ENCR BLOWFISH_CBC_128 <-> 10.0.1.2 proposal 1.1 "
                                            "AES_CBC_128"));
    assert_non_null(strstr(fd->explanation, "HASH HMAC_MD5 <-> 10.0.1.2 proposal 1.1 "
                                            "HMAC_SHA2_256"));
    assert_non_null(strstr(fd->explanation, "DH MODP_1024"));
    for (uint64_t fr = 1; fr <= 4; fr++)
        assert_true(cites(fd, fr));
    for (size_t i = 0; i < 2; i++)
        assert_string_equal(pd_engine_session(f.e, i)->state, "no-proposal-chosen");
    pd_engine_free(f.e);
}

/* INVALID_KE_PAYLOAD, then a retry with the wanted group and new SPIs that
 * succeeds: one session, a note. */
static void test_invalid_ke_retry_ok(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, &C2S_500, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC);
    uint8_t g19[2] = { 0, 19 };
    v2_error_resp(&k, SPI_A, 34, 0, 17, g19, 2);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + 2 * MS);
    v2_sa_init_req(&k, SPI_B, 19, &C2S_500, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC + 4 * MS);
    v2_sa_init_resp(&k, SPI_B, SPI_R, 19, &S2C_500, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + 6 * MS);
    v2_sk(&k, SPI_B, SPI_R, 35, 0x08, 1, 300, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC + 8 * MS);
    v2_sk(&k, SPI_B, SPI_R, 35, 0x20, 1, 220, 2);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + 10 * MS);
    send_esp(&f, CLIENT, SERVER, 64, 0xc0ffee01, 1, false, 2 * SEC);
    send_esp(&f, SERVER, CLIENT, 63, 0xc0ffee02, 1, false, 2 * SEC + MS);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "ike-sa-init-done"));
    assert_true(reached(s, "ike-auth-done"));
    assert_true(reached(s, "child-sa-done"));
    assert_true(reached(s, "esp-both-ways"));
    assert_string_equal(attr(s, "retries_with_new_spis"), "1");
    /* The retry is its own ladder line (another KE group), not a repeat. */
    assert_non_null(strstr(s->ladder[0].text, "KE(MODP_2048)"));
    assert_non_null(strstr(s->ladder[2].text, "KE(ECP_256)"));
    assert_int_equal(s->ladder[0].repeat, 1);
    const pd_finding *fd = only(f.e, "ike.invalid_ke");
    assert_int_equal(fd->severity, PD_SEV_NOTE);
    assert_non_null(strstr(fd->summary, "ECP_256"));
    assert_non_null(strstr(fd->summary, "MODP_2048"));
    assert_int_equal(fd->n_windows_errors, 0);
    assert_true(cites(fd, 2) && cites(fd, 3) && cites(fd, 4));
    pd_engine_free(f.e);
}

/* INVALID_KE_PAYLOAD and the initiator gives up: an error naming both groups. */
static void test_invalid_ke_gave_up(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC);
    uint8_t g20[2] = { 0, 20 };
    v2_error_resp(&k, SPI_A, 34, 0, 17, g20, 2);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + 2 * MS);
    pd_engine_finish(f.e);
    const pd_finding *fd = only(f.e, "ike.invalid_ke");
    assert_int_equal(fd->severity, PD_SEV_ERROR);
    assert_true(has_code(fd, 13868));
    assert_non_null(strstr(fd->summary, "ECP_384"));
    assert_non_null(strstr(fd->summary, "MODP_2048"));
    assert_string_equal(pd_engine_session(f.e, 0)->state, "invalid-ke");
    pd_engine_free(f.e);
}

/* The IKE_SA_INIT of test_ikev2.c, byte for byte: its NAT-D hashes are SHA-1
 * over SPIi | 0 | 192.0.2.10:500 and 198.51.100.1:500 (known answers
 * computed independently, see test_ike_natd.c). */
static const uint8_t kat_sa_init[] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x21, 0x20, 0x22, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x30,
    0x22, 0x00, 0x00, 0x54,
    0x02, 0x00, 0x00, 0x2c, 0x01, 0x01, 0x00, 0x04,
    0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x0c, 0x80, 0x0e, 0x01, 0x00,
    0x03, 0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x0c,
    0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x05,
    0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x13,
    0x00, 0x00, 0x00, 0x24, 0x02, 0x01, 0x00, 0x03,
    0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x14, 0x80, 0x0e, 0x01, 0x00,
    0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x06,
    0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x0e,
    0x28, 0x00, 0x00, 0x48, 0x00, 0x13, 0x00, 0x00,
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
    0x29, 0x00, 0x00, 0x24,
    0xc3, 0x5e, 0x81, 0x0a, 0x44, 0x97, 0x2b, 0xd6, 0x1f, 0x08, 0xe9, 0x73, 0x5c, 0xa2, 0x66, 0x3d,
    0x90, 0x14, 0x7b, 0xee, 0x28, 0xd1, 0x05, 0xb9, 0x4a, 0x6f, 0x37, 0xc8, 0x0d, 0xf2, 0x81, 0x5b,
    0x29, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x40, 0x04,
    0x9c, 0xda, 0xf8, 0x71, 0x3c, 0xea, 0x81, 0xe2, 0x87, 0xd3,
    0xc0, 0xba, 0xcb, 0x7d, 0xb4, 0x68, 0x69, 0x1d, 0xfe, 0x58,
    0x29, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x40, 0x05,
    0x3a, 0x02, 0xde, 0x24, 0xd1, 0x81, 0xfd, 0x88, 0x16, 0x80,
    0x57, 0xd5, 0xab, 0x63, 0xbd, 0x41, 0x84, 0x73, 0x44, 0x4a,
    0x2b, 0x00, 0x00, 0x08, 0x00, 0x00, 0x40, 0x2e,
    0x00, 0x00, 0x00, 0x14,
    0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc, 0x22, 0x51, 0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb,
};

static void send_kat(feeder *f, const uint8_t *src, uint8_t ttl, int64_t ts)
{
    ikemsg k;
    memset(&k, 0, sizeof k);
    putn(&k.m, kat_sa_init, sizeof kat_sa_init);
    send_ike(f, src, 500, TEST_NET_DST, 500, ttl, &k, ts);
}

/* Known answer: hashes match the addresses seen, so no NAT. */
static void test_natd_known_answer_no_nat(void **state)
{
    (void)state;
    feeder f = start();
    send_kat(&f, TEST_NET_SRC, 64, SEC);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(attr(s, "nat"), "none (NAT-D hashes match)");
    assert_string_equal(attr(s, "ike_fragmentation_supported"), "client only");
    assert_non_null(strstr(attr(s, "client_vendor_ids"), "strongSwan"));
    assert_null(find(f.e, "ike.nat_detected"));
    pd_engine_free(f.e);
}

/* The same bytes from another source address (a NAT rewrote it, the capture
 * is past the NAT, TTL already decremented): the client is behind NAT. */
static void test_natd_known_answer_nat(void **state)
{
    (void)state;
    feeder f = start();
    static const uint8_t nat_addr[4] = { 203, 0, 113, 7 };
    send_kat(&f, nat_addr, 61, SEC);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(attr(s, "nat"), "client behind NAT");
    const pd_finding *fd = find(f.e, "ike.nat_detected");
    assert_non_null(fd);
    assert_int_equal(fd->severity, PD_SEV_NOTE);
    assert_non_null(strstr(fd->summary, "client behind NAT"));
    assert_non_null(strstr(fd->explanation, "203.0.113.7:500"));
    assert_true(cites(fd, 1));
    pd_engine_free(f.e);
}

/* The capturing host's own hash does not match its own address (initial TTL):
 * a fake to force UDP encapsulation, not a NAT. */
static void test_natd_faked(void **state)
{
    (void)state;
    feeder f = start();
    static const uint8_t other[4] = { 10, 9, 9, 9 };
    const natd_view fake = { other, SERVER, 500, 500 };
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, &fake, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, &S2C_500, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + MS);
    pd_engine_finish(f.e);
    assert_string_equal(attr(pd_engine_session(f.e, 0), "nat"),
                        "NAT-D faked to force UDP encapsulation");
    assert_null(find(f.e, "ike.nat_detected"));
    pd_engine_free(f.e);
}

/* Client capture behind a NAT: IKE_SA_INIT works on 500, the server's
 * destination hash shows the NAT, IKE_AUTH on 4500 is never answered. */
static void test_nat_t_blocked(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, &C2S_500, true);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    const natd_view srv = { SERVER, NATPUB, 500, 1025 }; /* the server sees the NAT's address */
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, &srv, true);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x08, 1, 300, 4);
    static const int64_t at[] = { 10, 2010, 5010, 9510 };
    for (size_t i = 0; i < 4; i++)
        send_ike(&f, CLIENT, 4500, SERVER, 4500, 64, &k, at[i] * MS);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "nat-t-blocked");
    assert_string_equal(attr(s, "nat"), "client behind NAT");
    assert_string_equal(attr(s, "ike_messages_on_4500"), "4");
    const pd_finding *fd = only(f.e, "ike.nat_t_blocked");
    assert_true(has_code(fd, 809));
    assert_int_equal(fd->n_windows_errors, 1);
    assert_non_null(strstr(fd->summary, "UDP 4500 sent 4 times"));
    assert_true(cites(fd, 3) && cites(fd, 6) && cites(fd, 2));
    const pd_finding *nat = find(f.e, "ike.nat_detected");
    assert_non_null(nat);
    assert_non_null(strstr(nat->explanation, "destination hash"));
    pd_engine_free(f.e);
}

/* Server capture of the same: IKE_SA_INIT from the NAT's address, then
 * nothing on 4500 while the capture goes on. */
static void test_nat_t_blocked_at_server(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, &C2S_500, false); /* hashes the private address */
    send_ike(&f, NATPUB, 1025, SERVER, 500, 62, &k, 0);
    const natd_view srv = { SERVER, NATPUB, 500, 1025 };
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, &srv, false);
    send_ike(&f, SERVER, 500, NATPUB, 1025, 64, &k, 5 * MS);
    /* Something else later keeps the capture going. */
    ikemsg other;
    v2_sa_init_req(&other, SPI_B, 14, NULL, false);
    static const uint8_t elsewhere[4] = { 10, 7, 7, 7 };
    send_ike(&f, elsewhere, 500, SERVER, 500, 62, &other, 5 * SEC);
    v2_sa_init_resp(&other, SPI_B, SPI_R, 14, NULL, false);
    send_ike(&f, SERVER, 500, elsewhere, 500, 64, &other, 5 * SEC + MS);
    pd_engine_finish(f.e);
    const pd_finding *fd = find(f.e, "ike.nat_t_blocked");
    assert_non_null(fd);
    assert_int_equal(fd->confidence, PD_CONF_MEDIUM);
    assert_int_equal(fd->session_id, 1);
    assert_non_null(find(f.e, "ike.nat_detected"));
    pd_engine_free(f.e);
}

/* Server side of lost fragments: after IKE_SA_INIT only the first IP
 * fragment of each (large) IKE_AUTH arrives. */
static void test_fragments_lost_at_server(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 63, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, NULL, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 64, &k, 5 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x08, 1, 3800, 6);
    for (int i = 0; i < 3; i++)
        send_ike_fragmented(&f, CLIENT, 4500, SERVER, 4500, 63, &k, (10 + i * 2000) * MS, 1500,
                            true);
    pd_engine_finish(f.e);
    const pd_capture_stats *st = pd_engine_stats(f.e);
    assert_int_equal(st->ip_datagrams_incomplete, 3);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(attr(s, "ip_datagrams_incomplete"), "3");
    assert_string_equal(s->state, "fragments-lost");
    const pd_finding *fd = only(f.e, "ike.fragments_lost");
    assert_true(has_code(fd, 809));
    assert_true(cites(fd, 3) && cites(fd, 4) && cites(fd, 5));
    assert_non_null(strstr(fd->summary, "only first fragments"));
    assert_non_null(strstr(fd->explanation, "Neither peer advertised IKEv2 fragmentation"));
    assert_non_null(strstr(fd->remediation, "fragmentation = yes"));
    for (size_t i = 0; i < fd->n_evidence; i++)
        assert_true(fd->evidence[i].ts_ns >= 0);
    pd_engine_free(f.e);
}

/* Sender side: the fragmented IKE_AUTH leaves whole (all fragments in the
 * capture) three times and is never answered, while IKE_SA_INIT was. */
static void test_fragments_lost_at_client(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, true);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, NULL, true);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x08, 1, 3800, 6);
    for (int i = 0; i < 3; i++)
        send_ike_fragmented(&f, CLIENT, 4500, SERVER, 4500, 64, &k, (10 + i * 2000) * MS, 1500,
                            false);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_stats(f.e)->ip_datagrams_reassembled, 3);
    const pd_finding *fd = only(f.e, "ike.fragments_lost");
    assert_non_null(strstr(fd->summary, "IP-fragmented"));
    assert_non_null(strstr(fd->summary, "sent 3 times"));
    assert_non_null(strstr(fd->explanation, "Both peers advertised"));
    assert_true(cites(fd, 3)); /* first fragment of the first copy */
    assert_true(cites(fd, 2)); /* the small exchange that worked */
    pd_engine_free(f.e);
}

/* A healthy IKEv2 negotiation on 500 then 4500, ESP in UDP both ways, a
 * delete answered: no finding above a note. */
static void test_healthy_v2(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 19, &C2S_500, true);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 19, &S2C_500, true);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x08, 1, 320, 1);
    send_ike(&f, CLIENT, 4500, SERVER, 4500, 64, &k, 10 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x20, 1, 240, 2);
    send_ike(&f, SERVER, 4500, CLIENT, 4500, 63, &k, 15 * MS);
    for (uint32_t i = 1; i <= 5; i++) {
        send_esp(&f, CLIENT, SERVER, 64, 0xcafe0001, i, true, (int64_t)i * SEC);
        send_esp(&f, SERVER, CLIENT, 63, 0xcafe0002, i, true, (int64_t)i * SEC + MS);
    }
    v2_sk(&k, SPI_A, SPI_R, 37, 0x08, 2, 64, 3);
    send_ike(&f, CLIENT, 4500, SERVER, 4500, 64, &k, 6 * SEC);
    v2_sk(&k, SPI_A, SPI_R, 37, 0x20, 2, 64, 4);
    send_ike(&f, SERVER, 4500, CLIENT, 4500, 63, &k, 6 * SEC + MS);
    pd_engine_finish(f.e);
    no_errors(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "esp-both-ways");
    assert_true(reached(s, "ike-sa-init-done") && reached(s, "ike-auth-done") &&
                reached(s, "child-sa-done"));
    assert_string_equal(attr(s, "esp_spis_to_server"), "0xcafe0001");
    assert_string_equal(attr(s, "esp_packets_to_client"), "5");
    assert_string_equal(attr(s, "esp_encapsulation"), "UDP 4500 (RFC 3948)");
    assert_string_equal(attr(s, "nat"), "none (NAT-D hashes match)");
    assert_int_equal(s->packets[PD_DIR_TO_SERVER], 3 + 5);
    assert_int_equal(pd_engine_stats(f.e)->vpn_frames, f.n);
    bool auth_line = false;
    for (size_t i = 0; i < s->n_ladder; i++)
        auth_line = auth_line || strcmp(s->ladder[i].text, "IKE_AUTH request 1 [ SK ]") == 0;
    assert_true(auth_line);
    pd_engine_free(f.e);
}

/* IKE_AUTH answered by a short encrypted response, then nothing: medium. */
static void test_auth_failed_v2_pattern(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, NULL, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x08, 1, 300, 1);
    send_ike(&f, CLIENT, 4500, SERVER, 4500, 64, &k, 10 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x20, 1, 48, 2); /* 80 bytes: one notify */
    send_ike(&f, SERVER, 4500, CLIENT, 4500, 63, &k, 14 * MS);
    pd_engine_finish(f.e);
    const pd_finding *fd = only(f.e, "ike.auth_failed");
    assert_true(has_code(fd, 13801));
    assert_int_equal(fd->confidence, PD_CONF_MEDIUM);
    assert_non_null(strstr(fd->explanation, "decryption table"));
    assert_true(cites(fd, 4));
    assert_false(reached(pd_engine_session(f.e, 0), "ike-auth-done"));
    pd_engine_free(f.e);
}

/* IKEv1 main mode #5 (encrypted) retransmitted, never answered: PSK mismatch. */
static void test_auth_failed_v1_mm5(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v1_mm1(&k, SPI_A, &CLIENT_P1, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v1_mm2(&k, SPI_A, SPI_R, &CLIENT_P1);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 2 * MS);
    v1_mm34(&k, SPI_A, SPI_R, &C2S_500);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 4 * MS);
    v1_mm34(&k, SPI_A, SPI_R, &S2C_500);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 6 * MS);
    v1_enc(&k, SPI_A, SPI_R, 2, 0, 76, 9);
    for (int i = 0; i < 3; i++)
        send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, (8 + i * 3000) * MS);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "main-mode-sa-agreed") && reached(s, "main-mode-keys-exchanged"));
    assert_false(reached(s, "phase1-done"));
    assert_string_equal(attr(s, "nat"), "none (NAT-D hashes match)");
    assert_string_equal(attr(s, "ike_lifetime_seconds"), "28800");
    const pd_finding *fd = only(f.e, "ike.auth_failed");
    assert_true(has_code(fd, 789));
    assert_int_equal(fd->confidence, PD_CONF_MEDIUM);
    assert_non_null(strstr(fd->summary, "Main Mode #5"));
    pd_engine_free(f.e);
}

/* IKEv1 PAYLOAD-MALFORMED in clear in answer to main mode #5: certain. */
static void test_auth_failed_v1_clear(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v1_mm1(&k, SPI_A, &CLIENT_P1, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v1_mm2(&k, SPI_A, SPI_R, &CLIENT_P1);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 2 * MS);
    v1_mm34(&k, SPI_A, SPI_R, NULL);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 4 * MS);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 6 * MS);
    v1_enc(&k, SPI_A, SPI_R, 2, 0, 76, 9);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 8 * MS);
    v1_notify_info(&k, SPI_A, SPI_R, 16);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 9 * MS);
    pd_engine_finish(f.e);
    const pd_finding *fd = only(f.e, "ike.auth_failed");
    assert_int_equal(fd->confidence, PD_CONF_HIGH);
    assert_non_null(strstr(fd->summary, "PAYLOAD_MALFORMED"));
    assert_true(cites(fd, 6));
    pd_engine_free(f.e);
}

/* A healthy IKEv1 main mode + quick mode with ESP (IP 50) both ways. */
static void test_healthy_v1(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v1_mm1(&k, SPI_A, &CLIENT_P1, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v1_mm2(&k, SPI_A, SPI_R, &CLIENT_P1);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 2 * MS);
    v1_mm34(&k, SPI_A, SPI_R, &C2S_500);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 4 * MS);
    v1_mm34(&k, SPI_A, SPI_R, &S2C_500);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 6 * MS);
    v1_enc(&k, SPI_A, SPI_R, 2, 0, 76, 9);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 8 * MS);
    v1_enc(&k, SPI_A, SPI_R, 2, 0, 76, 10);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 9 * MS);
    v1_enc(&k, SPI_A, SPI_R, 32, 0xabcd, 300, 11);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 10 * MS);
    v1_enc(&k, SPI_A, SPI_R, 32, 0xabcd, 300, 12);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 11 * MS);
    v1_enc(&k, SPI_A, SPI_R, 32, 0xabcd, 52, 13);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 12 * MS);
    for (uint32_t i = 1; i <= 3; i++) {
        send_esp(&f, CLIENT, SERVER, 64, 0x1000, i, false, (int64_t)i * SEC);
        send_esp(&f, SERVER, CLIENT, 63, 0x2000, i, false, (int64_t)i * SEC + MS);
    }
    pd_engine_finish(f.e);
    no_errors(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    static const char *const stages[] = { "main-mode-sa-agreed", "main-mode-keys-exchanged",
                                          "phase1-done", "quick-mode-done", "esp-both-ways" };
    for (size_t i = 0; i < G_N_ELEMENTS(stages); i++)
        assert_true(reached(s, stages[i]));
    assert_string_equal(s->stages[s->n_stages - 1].name, "esp-both-ways");
    assert_non_null(strstr(s->ladder[6].text, "Quick Mode #1 ID 0x0000abcd [ encrypted ]"));
    assert_non_null(strstr(s->ladder[7].text, "Quick Mode #2"));
    assert_non_null(strstr(s->ladder[8].text, "Quick Mode #3"));
    assert_string_equal(attr(s, "esp_encapsulation"), "IP 50");
    pd_engine_free(f.e);
}

/* ESP only from the client, for 10 s: up on one side, broken on the other. */
static void test_esp_one_way(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, NULL, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x08, 1, 300, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 10 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x20, 1, 240, 2);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 15 * MS);
    for (uint32_t i = 1; i <= 10; i++)
        send_esp(&f, CLIENT, SERVER, 64, 0xbeef, i, false, (int64_t)i * SEC);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(s->state, "esp-one-way");
    const pd_finding *fd = only(f.e, "esp.one_way");
    assert_non_null(strstr(fd->summary, "ESP only from the client: 10 packets over 9.0 s"));
    assert_non_null(strstr(fd->explanation, "line polling failed"));
    assert_non_null(strstr(fd->explanation, "sending side"));
    assert_true(cites(fd, 5) && cites(fd, 14));
    pd_engine_free(f.e);
}

/* ESP both ways, then one direction stops while the other keeps going. */
static void test_esp_one_direction_stops(void **state)
{
    (void)state;
    feeder f = start();
    for (uint32_t i = 1; i <= 12; i++) {
        send_esp(&f, CLIENT, SERVER, 63, 0x51, i, false, (int64_t)i * SEC);
        if (i <= 3)
            send_esp(&f, SERVER, CLIENT, 62, 0x52, i, false, (int64_t)i * SEC + MS);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_int_equal(s->protocol, PD_PROTO_ESP); /* no IKE in the capture */
    const pd_finding *fd = only(f.e, "esp.one_way");
    assert_non_null(strstr(fd->summary, "stopped"));
    assert_non_null(strstr(fd->explanation, "No IKE"));
    assert_int_equal(fd->confidence, PD_CONF_MEDIUM);
    pd_engine_free(f.e);
}

/* Both ways, then a single late packet from one side: no verdict. */
static void test_esp_straggler(void **state)
{
    (void)state;
    feeder f = start();
    for (uint32_t i = 1; i <= 3; i++) {
        send_esp(&f, CLIENT, SERVER, 63, 0x61, i, false, (int64_t)i * SEC);
        send_esp(&f, SERVER, CLIENT, 62, 0x62, i, false, (int64_t)i * SEC + MS);
    }
    send_esp(&f, CLIENT, SERVER, 63, 0x61, 4, false, 20 * SEC);
    pd_engine_finish(f.e);
    no_errors(f.e);
    assert_string_equal(pd_engine_session(f.e, 0)->state, "esp-both-ways");
    pd_engine_free(f.e);
}

/* ESP sequence numbers starting over on one SPI are counted. */
static void test_esp_sequence_restart(void **state)
{
    (void)state;
    feeder f = start();
    static const uint32_t seq[] = { 1, 2, 3, 4, 1, 2 };
    for (size_t i = 0; i < G_N_ELEMENTS(seq); i++) {
        send_esp(&f, CLIENT, SERVER, 63, 0x77, seq[i], false, (int64_t)(i + 1) * SEC);
        send_esp(&f, SERVER, CLIENT, 62, 0x78, (uint32_t)(i + 1), false,
                 (int64_t)(i + 1) * SEC + MS);
    }
    pd_engine_finish(f.e);
    no_errors(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(attr(s, "esp_sequence_restarts"), "1");
    bool line = false;
    for (size_t i = 0; i < s->n_ladder; i++)
        line = line || strstr(s->ladder[i].text, "sequence restarted at 1 (was 4)") != NULL;
    assert_true(line);
    pd_engine_free(f.e);
}

/* IKEv2 liveness checks unanswered after the SA worked. */
static void test_dpd_timeout(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, NULL, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x08, 1, 300, 1);
    send_ike(&f, CLIENT, 4500, SERVER, 4500, 64, &k, 10 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x20, 1, 240, 2);
    send_ike(&f, SERVER, 4500, CLIENT, 4500, 63, &k, 15 * MS);
    v2_sk(&k, SPI_A, SPI_R, 37, 0x08, 2, 48, 3);
    static const int64_t at[] = { 30, 32, 35, 40 };
    for (size_t i = 0; i < 4; i++)
        send_ike(&f, CLIENT, 4500, SERVER, 4500, 64, &k, at[i] * SEC);
    pd_engine_finish(f.e);
    const pd_finding *fd = only(f.e, "ike.dpd_timeout");
    assert_non_null(strstr(fd->summary, "INFORMATIONAL request 2 sent 4 times"));
    assert_string_equal(pd_engine_session(f.e, 0)->state, "dpd-timeout");
    pd_engine_free(f.e);
}

/* IKEv1 after phase 1 and quick mode: a run of encrypted Informationals
 * from the client (DPD R-U-THERE, RFC 3706) and nothing back. */
static void test_dpd_timeout_v1(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v1_mm1(&k, SPI_A, &CLIENT_P1, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v1_mm2(&k, SPI_A, SPI_R, &CLIENT_P1);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 2 * MS);
    v1_mm34(&k, SPI_A, SPI_R, NULL);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 4 * MS);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 6 * MS);
    v1_enc(&k, SPI_A, SPI_R, 2, 0, 76, 9);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 8 * MS);
    v1_enc(&k, SPI_A, SPI_R, 2, 0, 76, 10);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 9 * MS);
    for (uint32_t i = 0; i < 5; i++) {
        v1_enc(&k, SPI_A, SPI_R, 5, 0x1000 + i, 76, (uint8_t)(20 + i));
        send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, (int64_t)(30 + 10 * i) * SEC);
    }
    pd_engine_finish(f.e);
    const pd_finding *fd = only(f.e, "ike.dpd_timeout");
    assert_int_equal(fd->confidence, PD_CONF_MEDIUM);
    assert_non_null(strstr(fd->summary, "5 encrypted Informationals from the client"));
    assert_true(cites(fd, 7) && cites(fd, 11));
    pd_engine_free(f.e);
}

/* IKEv1 quick mode #1 answered by an encrypted Informational: phase 2
 * refused (the notify itself needs the keys), medium confidence. */
static void test_quick_mode_refused(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v1_mm1(&k, SPI_A, &CLIENT_P1, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v1_mm2(&k, SPI_A, SPI_R, &CLIENT_P1);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 2 * MS);
    v1_mm34(&k, SPI_A, SPI_R, NULL);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 4 * MS);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 6 * MS);
    v1_enc(&k, SPI_A, SPI_R, 2, 0, 76, 9);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 8 * MS);
    v1_enc(&k, SPI_A, SPI_R, 2, 0, 76, 10);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 9 * MS);
    v1_enc(&k, SPI_A, SPI_R, 32, 0x4242, 300, 11);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 10 * MS);
    v1_enc(&k, SPI_A, SPI_R, 5, 0x9999, 60, 12);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 11 * MS);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "phase1-done"));
    assert_false(reached(s, "quick-mode-done"));
    const pd_finding *fd = only(f.e, "ike.child_sa_refused");
    assert_int_equal(fd->confidence, PD_CONF_MEDIUM);
    assert_true(has_code(fd, 788));
    assert_non_null(strstr(fd->summary, "phase 2 refused"));
    assert_true(cites(fd, 7) && cites(fd, 8));
    pd_engine_free(f.e);
}

/* Aggressive mode: the client answers #2 with an Informational instead of
 * #3 (it could not verify the server's hash). */
static void test_aggressive_psk_mismatch(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    ike_begin(&k, 0x10, SPI_A, ZERO8, 4, 0, 0);
    buf sa = { .len = 0 };
    v1_sa(&sa, &CLIENT_P1, 1);
    ike_payload(&k, 1, &sa);
    buf ke = { .len = 0 };
    fill(&ke, 1, 128);
    ike_payload(&k, 4, &ke);
    ike_end(&k);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    ike_begin(&k, 0x10, SPI_A, SPI_R, 4, 0, 0);
    sa.len = 0;
    v1_sa(&sa, &CLIENT_P1, 1);
    ike_payload(&k, 1, &sa);
    ike_payload(&k, 4, &ke);
    buf h = { .len = 0 };
    fill(&h, 3, 32);
    ike_payload(&k, 8, &h);
    ike_end(&k);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 30 * MS);
    v1_enc(&k, SPI_A, SPI_R, 5, 0x77, 60, 4);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 35 * MS);
    pd_engine_finish(f.e);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_true(reached(s, "aggressive-mode-sa-agreed"));
    assert_non_null(strstr(s->ladder[0].text, "Aggressive Mode #1 [ SA KE ]"));
    const pd_finding *fd = only(f.e, "ike.auth_failed");
    assert_true(has_code(fd, 789));
    assert_int_equal(fd->confidence, PD_CONF_MEDIUM);
    assert_true(cites(fd, 2) && cites(fd, 3));
    pd_engine_free(f.e);
}

/* --policy: the offer (aes256-sha256-modp2048) against aes256-sha384-ecp384. */
static void test_policy_mismatch(void **state)
{
    (void)state;
    char *err = NULL;
    assert_true(pd_ike_policy_check("aes256-sha384-ecp384,esp:aes256gcm16", &err));
    assert_null(err);
    assert_false(pd_ike_policy_check("aes256-bogus-modp2048", &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "bogus"));
    g_free(err);
    assert_false(pd_ike_policy_check("", NULL));

    feeder f = start_with("aes256-sha384-ecp384");
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, NULL, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    pd_engine_finish(f.e);
    const pd_finding *fd = find(f.e, "ike.policy_mismatch");
    assert_non_null(fd);
    assert_int_equal(fd->severity, PD_SEV_WARNING);
    assert_true(has_code(fd, 13868));
    assert_non_null(strstr(fd->explanation, "DH MODP_2048 <-> expected ECP_384"));
    assert_non_null(strstr(fd->explanation, "INTEG HMAC_SHA2_256_128 <-> expected "
                                            "HMAC_SHA2_384_192"));
    pd_engine_free(f.e);

    /* The same offer against a matching policy: nothing to say. */
    f = start_with("aes256-sha256-modp2048");
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, NULL, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    pd_engine_finish(f.e);
    assert_null(find(f.e, "ike.policy_mismatch"));
    pd_engine_free(f.e);
}

/* A rekeyed IKE SA (new SPIs seen mid-way) stays in its session. */
static void test_rekey_same_session(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 0);
    v2_sa_init_resp(&k, SPI_A, SPI_R, 14, NULL, false);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 5 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x08, 1, 300, 1);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 10 * MS);
    v2_sk(&k, SPI_A, SPI_R, 35, 0x20, 1, 240, 2);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 15 * MS);
    v2_sk(&k, SPI_A, SPI_R, 36, 0x08, 2, 300, 3);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 60 * SEC);
    v2_sk(&k, SPI_A, SPI_R, 36, 0x20, 2, 300, 4);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 60 * SEC + MS);
    /* The new IKE SA, initiated by the server this time. */
    v2_sk(&k, SPI_B, SPI_A, 37, 0x00, 0, 64, 5);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, 90 * SEC);
    v2_sk(&k, SPI_B, SPI_A, 37, 0x28, 0, 64, 6);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, 90 * SEC + MS);
    pd_engine_finish(f.e);
    no_errors(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    const pd_session *s = pd_engine_session(f.e, 0);
    assert_string_equal(attr(s, "ike_sas"), "2");
    /* The server's request in the new SA is a request to the client. */
    assert_int_equal(s->ladder[s->n_ladder - 2].dir, PD_DIR_TO_CLIENT);
    pd_engine_free(f.e);
}

/* IPv6: the same exchange between two IPv6 hosts forms a session. */
static void test_ipv6(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    buf u;
    udp_payload(&u, 500, 500, false, k.m.b, k.m.len);
    uint8_t p[2048];
    memset(p, 0, 40);
    p[0] = 0x60;
    set16(p + 4, (uint16_t)u.len);
    p[6] = 17;
    p[7] = 64;
    p[8] = 0x20;
    p[9] = 0x01;
    p[10] = 0x0d;
    p[11] = 0xb8;
    p[23] = 1;
    memcpy(p + 24, p + 8, 16);
    p[39] = 2;
    memcpy(p + 40, u.b, u.len);
    pd_frame fr = { 229 /* LINKTYPE_IPV6 */, 1, SEC, p, 40 + u.len, 40 + u.len };
    assert_true(pd_engine_feed(f.e, &fr, NULL));
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 1);
    assert_int_equal(pd_engine_session(f.e, 0)->client.family, 6);
    pd_engine_free(f.e);
}

/* Hostile input: every truncation and many single-byte mutations of IKE
 * messages on 500 and 4500 are taken without a crash or an overread (run
 * under ASan), and UDP 500 garbage opens no session. */
static void test_hostile(void **state)
{
    (void)state;
    ikemsg msgs[4];
    v2_sa_init_req(&msgs[0], SPI_A, 14, &C2S_500, true);
    v1_mm1(&msgs[1], SPI_A, &CLIENT_P1, 1);
    v1_mm34(&msgs[2], SPI_A, SPI_R, &C2S_500);
    v2_error_resp(&msgs[3], SPI_A, 34, 0, 17, "\x00\x13", 2);
    for (size_t m = 0; m < G_N_ELEMENTS(msgs); m++) {
        feeder f = start();
        const ikemsg *k = &msgs[m];
        for (size_t cut = 0; cut <= k->m.len; cut++) {
            for (int port = 0; port < 2; port++) {
                buf u;
                bool natt = port == 1;
                udp_payload(&u, natt ? 4500 : 500, natt ? 4500 : 500, natt, k->m.b, cut);
                pkt p;
                ipv4(&p, CLIENT, SERVER, 17, 64, u.b, u.len);
                feed_pkt(&f, &p, (int64_t)cut * MS);
                /* The IP header claims the whole message; the capture holds less. */
                ipv4(&p, CLIENT, SERVER, 17, 64, u.b, u.len);
                set16(p.b + 2, (uint16_t)(20 + 8 + (natt ? 4 : 0) + k->m.len));
                feed_raw(&f, p.b, p.len, (int64_t)cut * MS);
            }
        }
        GRand *r = g_rand_new_with_seed((guint32)(1234 + m));
        for (int i = 0; i < 400; i++) {
            ikemsg x = *k;
            int flips = g_rand_int_range(r, 1, 6);
            for (int j = 0; j < flips; j++)
                x.m.b[g_rand_int_range(r, 0, (gint32)x.m.len)] = (uint8_t)g_rand_int(r);
            send_ike(&f, i & 1 ? SERVER : CLIENT, 500, i & 1 ? CLIENT : SERVER, 500, 64, &x,
                     SEC + i * MS);
        }
        g_rand_free(r);
        pd_engine_finish(f.e);
        pd_engine_free(f.e);
    }
    /* Garbage: too short for a header, a bad version. */
    feeder f = start();
    static const uint8_t junk[] = { 1, 2, 3 };
    buf u;
    udp_payload(&u, 500, 500, false, junk, sizeof junk);
    pkt p;
    ipv4(&p, CLIENT, SERVER, 17, 64, u.b, u.len);
    feed_pkt(&f, &p, SEC);
    ikemsg bad;
    v2_sa_init_req(&bad, SPI_A, 14, NULL, false);
    bad.m.b[17] = 0x30; /* version 3.0 */
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &bad, SEC);
    /* ESP too short for SPI and sequence number; SPI 0. */
    uint8_t esp[6] = { 0, 0, 0, 1, 0, 0 };
    ipv4(&p, CLIENT, SERVER, 50, 64, esp, sizeof esp);
    feed_pkt(&f, &p, SEC);
    uint8_t esp0[16] = { 0 };
    ipv4(&p, CLIENT, SERVER, 50, 64, esp0, sizeof esp0);
    feed_pkt(&f, &p, SEC);
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 0);
    assert_int_equal(pd_engine_finding_count(f.e), 0);
    pd_engine_free(f.e);
}

/* Streaming (on_session_closed): every IKE/ESP session is handed over once,
 * with its findings, and nothing touches it afterwards (ASan checks). */
typedef struct handed {
    size_t sessions, findings;
    bool saw_npc, saw_one_way;
} handed;

static void on_closed(const pd_session *s, const pd_finding *const *f, size_t n, void *user)
{
    handed *h = user;
    h->sessions++;
    h->findings += n;
    assert_true(s->protocol == PD_PROTO_IKEV2 || s->protocol == PD_PROTO_ESP);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(f[i]->session_id, s->id);
        h->saw_npc = h->saw_npc || strcmp(f[i]->signature->id, "ike.no_proposal_chosen") == 0;
        h->saw_one_way = h->saw_one_way || strcmp(f[i]->signature->id, "esp.one_way") == 0;
    }
}

static void test_streaming(void **state)
{
    (void)state;
    handed h = { 0 };
    pd_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    pd_limits_default(&cfg.limits);
    cfg.on_session_closed = on_closed;
    cfg.user = &h;
    feeder f = { pd_engine_new(&cfg), 0 };
    ikemsg k;
    v2_sa_init_req(&k, SPI_A, 14, NULL, false);
    send_ike(&f, CLIENT, 500, SERVER, 500, 64, &k, SEC);
    v2_error_resp(&k, SPI_A, 34, 0, 14, NULL, 0);
    send_ike(&f, SERVER, 500, CLIENT, 500, 63, &k, SEC + MS);
    static const uint8_t far[4] = { 10, 8, 8, 8 };
    for (uint32_t i = 1; i <= 8; i++)
        send_esp(&f, far, SERVER, 60, 0x99, i, false, (int64_t)i * SEC);
    pd_engine_finish(f.e);
    assert_int_equal(h.sessions, 2);
    assert_true(h.saw_npc);
    assert_true(h.saw_one_way);
    pd_engine_free(f.e);
}

/* Many attempts from many clients: sessions and their state stay bounded
 * per pair, and every session is judged. */
static void test_many_sessions(void **state)
{
    (void)state;
    feeder f = start();
    ikemsg k;
    for (uint32_t i = 0; i < 40; i++) {
        uint8_t spi[8];
        memcpy(spi, SPI_A, 8);
        spi[7] = (uint8_t)i;
        v2_sa_init_req(&k, spi, 14, NULL, false);
        /* Different source ports: different clients behind one NAT. */
        send_ike(&f, CLIENT, (uint16_t)(1000 + i), SERVER, 500, 63, &k, (int64_t)i * SEC);
        v2_error_resp(&k, spi, 34, 0, 14, NULL, 0);
        send_ike(&f, SERVER, 500, CLIENT, (uint16_t)(1000 + i), 64, &k, (int64_t)i * SEC + MS);
    }
    pd_engine_finish(f.e);
    assert_int_equal(pd_engine_session_count(f.e), 40);
    size_t npc = 0;
    for (size_t i = 0; i < pd_engine_finding_count(f.e); i++)
        npc += strcmp(pd_engine_finding(f.e, i)->signature->id, "ike.no_proposal_chosen") == 0;
    assert_int_equal(npc, 40);
    pd_engine_free(f.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_response_first),
        cmocka_unit_test(test_single_request_short_capture),
        cmocka_unit_test(test_icmp_port_unreachable),
        cmocka_unit_test(test_no_proposal_v2),
        cmocka_unit_test(test_no_proposal_v1),
        cmocka_unit_test(test_no_proposal_both_initiated),
        cmocka_unit_test(test_invalid_ke_retry_ok),
        cmocka_unit_test(test_invalid_ke_gave_up),
        cmocka_unit_test(test_natd_known_answer_no_nat),
        cmocka_unit_test(test_natd_known_answer_nat),
        cmocka_unit_test(test_natd_faked),
        cmocka_unit_test(test_nat_t_blocked),
        cmocka_unit_test(test_nat_t_blocked_at_server),
        cmocka_unit_test(test_fragments_lost_at_server),
        cmocka_unit_test(test_fragments_lost_at_client),
        cmocka_unit_test(test_healthy_v2),
        cmocka_unit_test(test_auth_failed_v2_pattern),
        cmocka_unit_test(test_auth_failed_v1_mm5),
        cmocka_unit_test(test_auth_failed_v1_clear),
        cmocka_unit_test(test_healthy_v1),
        cmocka_unit_test(test_esp_one_way),
        cmocka_unit_test(test_esp_one_direction_stops),
        cmocka_unit_test(test_esp_straggler),
        cmocka_unit_test(test_esp_sequence_restart),
        cmocka_unit_test(test_dpd_timeout),
        cmocka_unit_test(test_dpd_timeout_v1),
        cmocka_unit_test(test_quick_mode_refused),
        cmocka_unit_test(test_aggressive_psk_mismatch),
        cmocka_unit_test(test_policy_mismatch),
        cmocka_unit_test(test_rekey_same_session),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_many_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
