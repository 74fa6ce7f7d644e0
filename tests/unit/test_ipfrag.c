/* test_ipfrag.c - IPv4/IPv6 fragment reassembly: orders, duplicates, overlaps, gaps, timeouts,
 * the byte cap, oversize and zero-length fragments.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ip.h"
#include "ipfrag.h"

#define SEC 1000000000LL
#define DGRAM_LEN 3000

/* The upper-layer bytes of the test datagram: a UDP header, then a pattern. */
static uint8_t dgram[DGRAM_LEN];

static void fill_dgram(void)
{
    static const uint8_t udp[] = { 0x01, 0xf4, 0x01, 0xf4, 0x0b, 0xb8, 0x00, 0x00 };
    memcpy(dgram, udp, sizeof udp);
    for (size_t i = sizeof udp; i < sizeof dgram; i++)
        dgram[i] = (uint8_t)(i * 7 + 3);
}

typedef struct ctx {
    pd_frag_incomplete inc[64];
    size_t n;
} ctx;

static void on_inc(const pd_frag_incomplete *inc, void *user)
{
    ctx *c = user;
    if (c->n < sizeof c->inc / sizeof c->inc[0])
        c->inc[c->n] = *inc;
    c->n++;
}

static const pd_addr src4 = { 4, { 192, 0, 2, 1 } }, dst4 = { 4, { 198, 51, 100, 2 } };
static const pd_addr src6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
static const pd_addr dst6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };

/* A fragment as pd_ip_decode would describe it; data is the whole datagram. */
static pd_ip frag(uint8_t version, uint32_t ident, uint8_t proto, size_t off, size_t len, bool mf,
                  const uint8_t *data)
{
    pd_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.version = version;
    ip.src = version == 4 ? src4 : src6;
    ip.dst = version == 4 ? dst4 : dst6;
    ip.ttl = 64;
    ip.proto = proto;
    ip.ident = ident;
    ip.is_fragment = mf || off != 0;
    ip.more_fragments = mf;
    ip.frag_offset = (uint32_t)off;
    ip.payload = data + off;
    ip.payload_len = len;
    ip.payload_wire_len = len;
    ip.header_len = version == 4 ? 20 : 48;
    return ip;
}

static pd_ip frag4(uint32_t ident, size_t off, size_t len, bool mf)
{
    return frag(4, ident, 17, off, len, mf, dgram);
}

static pd_ip frag6(uint32_t ident, size_t off, size_t len, bool mf)
{
    return frag(6, ident, 17, off, len, mf, dgram);
}

/* Feed a fragment from an exact-size heap copy so ASan sees overreads. */
static pd_frag_result add(pd_frag_table *t, pd_ip ip, uint64_t frame, int64_t ts,
                          pd_frag_datagram *out)
{
    uint8_t *copy = malloc(ip.payload_len ? ip.payload_len : 1);
    assert_non_null(copy);
    if (ip.payload_len)
        memcpy(copy, ip.payload, ip.payload_len);
    ip.payload = copy;
    pd_frag_result r = pd_frag_add(t, &ip, frame, ts, out);
    free(copy);
    return r;
}

/* IPv4 fragments of the 3000-byte datagram at a 1500-byte MTU. */
static pd_ip v4part(uint32_t ident, int i)
{
    switch (i) {
    case 0:
        return frag4(ident, 0, 1480, true);
    case 1:
        return frag4(ident, 1480, 1480, true);
    default:
        return frag4(ident, 2960, 40, false);
    }
}

/* IPv6 fragments: 1448 + 1448 + 104. */
static pd_ip v6part(uint32_t ident, int i)
{
    switch (i) {
    case 0:
        return frag6(ident, 0, 1448, true);
    case 1:
        return frag6(ident, 1448, 1448, true);
    default:
        return frag6(ident, 2896, 104, false);
    }
}

static void assert_whole(const pd_frag_datagram *d)
{
    assert_int_equal(d->len, DGRAM_LEN);
    assert_non_null(d->data);
    assert_memory_equal(d->data, dgram, DGRAM_LEN);
}

static int setup(void **state)
{
    (void)state;
    fill_dgram();
    return 0;
}

static void test_v4_in_order(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(0x1234, 0), 10, 1 * SEC, &d), PD_FRAG_HELD);
    assert_true(pd_frag_bytes_held(t) >= 1480);
    assert_int_equal(add(t, v4part(0x1234, 1), 11, 2 * SEC, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(0x1234, 2), 12, 3 * SEC, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_true(pd_addr_equal(&d.src, &src4));
    assert_true(pd_addr_equal(&d.dst, &dst4));
    assert_int_equal(d.proto, 17);
    assert_int_equal(d.ident, 0x1234);
    assert_int_equal(d.ttl, 64);
    assert_int_equal(d.n_frames, 3);
    assert_int_equal(d.frames[0], 10);
    assert_int_equal(d.frames[1], 11);
    assert_int_equal(d.frames[2], 12);
    assert_int_equal(d.first_frame, 10);
    assert_int_equal(d.last_frame, 12);
    assert_int_equal(d.first_ts_ns, 1 * SEC);
    assert_int_equal(d.last_ts_ns, 3 * SEC);
    /* Still valid after a getter; nothing held, nothing refused. */
    assert_int_equal(pd_frag_bytes_held(t), 0);
    assert_int_equal(pd_frag_bytes_refused(t), 0);
    assert_memory_equal(d.data, dgram, DGRAM_LEN);
    pd_frag_flush(t);
    assert_int_equal(c.n, 0);
    pd_frag_table_free(t);
}

static void test_v4_reversed(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(7, 2), 1, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(7, 1), 2, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(7, 0), 3, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(d.first_frame, 1);
    assert_int_equal(d.last_frame, 3);
    assert_int_equal(d.frames[0], 1);
    assert_int_equal(d.frames[2], 3);
    assert_int_equal(pd_frag_bytes_held(t), 0);
    pd_frag_table_free(t);
}

/* Every order of three fragments, each fragment twice. */
static void test_v4_all_orders_with_duplicates(void **state)
{
    (void)state;
    static const int perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
                                     { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
    for (int p = 0; p < 6; p++) {
        ctx c = { .n = 0 };
        pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
        pd_frag_datagram d;
        uint64_t frame = 1;
        for (int k = 0; k < 3; k++) {
            pd_frag_result want = k == 2 ? PD_FRAG_COMPLETE : PD_FRAG_HELD;
            if (k < 2)
                assert_int_equal(add(t, v4part(9, perms[p][k]), frame++, 0, &d), PD_FRAG_HELD);
            assert_int_equal(add(t, v4part(9, perms[p][k]), frame++, 0, &d), want);
        }
        assert_whole(&d);
        assert_int_equal(d.n_frames, 5);
        assert_int_equal(pd_frag_bytes_held(t), 0);
        pd_frag_flush(t);
        assert_int_equal(c.n, 0);
        pd_frag_table_free(t);
    }
}

static void test_overlap_first_writer_wins(void **state)
{
    (void)state;
    uint8_t other[DGRAM_LEN];
    memcpy(other, dgram, sizeof other);
    memset(other + 1472, 0xee, 8); /* the overlapping block differs */

    pd_frag_datagram d;
    /* A [0,1480) then B [1472,3000): A's bytes stay. */
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, NULL, NULL);
    assert_int_equal(add(t, frag4(1, 0, 1480, true), 1, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag(4, 1, 17, 1472, 1528, false, other), 2, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);

    /* B then A: B's bytes stay. */
    assert_int_equal(add(t, frag(4, 2, 17, 1472, 1528, false, other), 3, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag4(2, 0, 1480, true), 4, 0, &d), PD_FRAG_COMPLETE);
    assert_int_equal(d.len, DGRAM_LEN);
    assert_memory_equal(d.data, other, DGRAM_LEN);

    /* A fragment entirely inside one already held changes nothing. */
    assert_int_equal(add(t, frag4(3, 0, 2000, true), 5, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag(4, 3, 17, 8, 16, true, other), 6, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag(4, 3, 17, 1472, 8, true, other), 7, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag4(3, 2000, 1000, false), 8, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(d.n_frames, 4);
    assert_int_equal(pd_frag_bytes_refused(t), 0);
    pd_frag_table_free(t);
}

/* Fragments that contradict the datagram's end are refused, not stored. */
static void test_inconsistent_end_refused(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(5, 2), 1, 0, &d), PD_FRAG_HELD); /* end 3000 */
    /* A second "last" fragment ending at 2960. */
    assert_int_equal(add(t, frag4(5, 1480, 1480, false), 2, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(pd_frag_bytes_refused(t), 1480);
    /* Data past the end. */
    uint8_t big[3200] = { 0 };
    assert_int_equal(add(t, frag(4, 5, 17, 2960, 80, true, big), 3, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(pd_frag_bytes_refused(t), 1560);
    /* The datagram is still whole-able. */
    assert_int_equal(add(t, v4part(5, 0), 4, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(5, 1), 5, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(d.n_frames, 3); /* refused ones are not evidence of the datagram */

    /* A last fragment ending before data already held. */
    assert_int_equal(add(t, v4part(6, 1), 6, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag4(6, 0, 1480, false), 7, 0, &d), PD_FRAG_REFUSED);
    pd_frag_table_free(t);
}

static void test_missing_middle(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(0xbeef, 0), 1, 1000, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(0xbeef, 2), 3, 3000, &d), PD_FRAG_HELD);
    assert_true(pd_frag_bytes_held(t) > 0);
    pd_frag_flush(t);
    assert_int_equal(c.n, 1);
    const pd_frag_incomplete *inc = &c.inc[0];
    assert_true(pd_addr_equal(&inc->src, &src4));
    assert_true(pd_addr_equal(&inc->dst, &dst4));
    assert_int_equal(inc->proto, 17);
    assert_int_equal(inc->ident, 0xbeef);
    assert_true(inc->have_first);
    assert_true(inc->have_last);
    assert_int_equal(inc->total_len, DGRAM_LEN);
    assert_int_equal(inc->first_missing, 1480);
    assert_int_equal(inc->bytes_received, 1520);
    assert_int_equal(inc->n_frames, 2);
    assert_int_equal(inc->frames[0], 1);
    assert_int_equal(inc->frames[1], 3);
    assert_int_equal(inc->first_frame, 1);
    assert_int_equal(inc->last_frame, 3);
    assert_int_equal(inc->first_ts_ns, 1000);
    assert_int_equal(inc->last_ts_ns, 3000);
    assert_memory_equal(inc->l4_prefix, dgram, 8);
    assert_false(inc->evicted);
    assert_int_equal(pd_frag_bytes_held(t), 0);
    pd_frag_flush(t);
    assert_int_equal(c.n, 1);
    pd_frag_table_free(t);
}

static void test_missing_first_and_last(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(1, 1), 1, 0, &d), PD_FRAG_HELD); /* middle only */
    assert_int_equal(add(t, v4part(2, 0), 2, 0, &d), PD_FRAG_HELD); /* first two, no last */
    assert_int_equal(add(t, v4part(2, 1), 3, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v6part(3, 2), 4, 0, &d), PD_FRAG_HELD); /* v6 last only */
    pd_frag_flush(t);
    assert_int_equal(c.n, 3);
    /* Reported in arrival order. */
    assert_int_equal(c.inc[0].ident, 1);
    assert_false(c.inc[0].have_first);
    assert_false(c.inc[0].have_last);
    assert_int_equal(c.inc[0].total_len, 0);
    assert_int_equal(c.inc[0].first_missing, 0);
    assert_int_equal(c.inc[0].bytes_received, 1480);
    static const uint8_t zero[8] = { 0 };
    assert_memory_equal(c.inc[0].l4_prefix, zero, 8);

    assert_int_equal(c.inc[1].ident, 2);
    assert_true(c.inc[1].have_first);
    assert_false(c.inc[1].have_last);
    assert_int_equal(c.inc[1].first_missing, 2960);
    assert_int_equal(c.inc[1].bytes_received, 2960);

    assert_int_equal(c.inc[2].ident, 3);
    assert_int_equal(c.inc[2].src.family, 6);
    assert_true(c.inc[2].have_last);
    assert_int_equal(c.inc[2].total_len, DGRAM_LEN);
    assert_int_equal(c.inc[2].first_missing, 0);
    assert_int_equal(c.inc[2].bytes_received, 104);
    pd_frag_table_free(t);
}

static void test_timeout(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(1, 0), 1, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(2, 0), 2, 20 * SEC, &d), PD_FRAG_HELD);
    /* A later fragment does not restart the clock (it runs from the first). */
    assert_int_equal(add(t, v4part(1, 1), 3, 25 * SEC, &d), PD_FRAG_HELD);
    pd_frag_expire(t, 10 * SEC);
    pd_frag_expire(t, 30 * SEC); /* exactly the timeout: not yet older than it */
    pd_frag_expire(t, -5 * SEC); /* time going backwards */
    assert_int_equal(c.n, 0);
    pd_frag_expire(t, 31 * SEC);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.inc[0].ident, 1);
    assert_false(c.inc[0].evicted);
    assert_int_equal(c.inc[0].n_frames, 2);
    assert_int_equal(c.inc[0].first_missing, 2960);
    pd_frag_expire(t, 49 * SEC);
    assert_int_equal(c.n, 1);
    pd_frag_expire(t, 51 * SEC);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.inc[1].ident, 2);
    assert_int_equal(pd_frag_bytes_held(t), 0);
    /* A datagram started after the expiry is unaffected by it. */
    assert_int_equal(add(t, v4part(1, 0), 4, 60 * SEC, &d), PD_FRAG_HELD);
    pd_frag_expire(t, INT64_MAX);
    assert_int_equal(c.n, 3);
    assert_int_equal(add(t, v4part(1, 0), 5, INT64_MIN, &d), PD_FRAG_HELD);
    pd_frag_expire(t, INT64_MAX); /* no overflow on extreme timestamps */
    assert_int_equal(c.n, 4);
    pd_frag_table_free(t);
}

static void test_no_timeout(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 0, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(1, 0), 1, 0, &d), PD_FRAG_HELD);
    pd_frag_expire(t, INT64_MAX);
    assert_int_equal(c.n, 0);
    pd_frag_flush(t);
    assert_int_equal(c.n, 1);
    pd_frag_table_free(t);
}

static void test_byte_cap_eviction(void **state)
{
    (void)state;
    pd_frag_datagram d;
    /* What one datagram holding one 1480-byte fragment costs. */
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, NULL, NULL);
    assert_int_equal(add(t, v4part(1, 0), 1, 0, &d), PD_FRAG_HELD);
    size_t one = pd_frag_bytes_held(t);
    assert_true(one >= 1480);
    pd_frag_table_free(t);

    ctx c = { .n = 0 };
    size_t max = 2 * one + one / 2;
    t = pd_frag_table_new(max, 30 * SEC, on_inc, &c);
    assert_int_equal(add(t, v4part(1, 0), 1, 1, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(2, 0), 2, 2, &d), PD_FRAG_HELD);
    assert_int_equal(pd_frag_bytes_held(t), 2 * one);
    assert_int_equal(c.n, 0);
    /* The third does not fit: the oldest goes, reported as evicted. */
    assert_int_equal(add(t, v4part(3, 0), 3, 3, &d), PD_FRAG_HELD);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.inc[0].ident, 1);
    assert_true(c.inc[0].evicted);
    assert_int_equal(c.inc[0].first_missing, 1480);
    assert_int_equal(c.inc[0].frames[0], 1);
    assert_true(pd_frag_bytes_held(t) <= max);
    assert_int_equal(pd_frag_bytes_refused(t), 0);

    /* Datagram 2 (now the oldest) grows: the other one makes room for it,
     * it is never evicted for its own sake. */
    assert_int_equal(add(t, v4part(2, 1), 4, 4, &d), PD_FRAG_HELD);
    assert_true(pd_frag_bytes_held(t) <= max);
    assert_int_equal(add(t, v4part(2, 2), 5, 5, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.inc[1].ident, 3);
    assert_true(c.inc[1].evicted);
    assert_int_equal(pd_frag_bytes_held(t), 0);
    pd_frag_table_free(t);
}

/* With the cap at one datagram, a datagram bigger than the cap keeps what
 * it has and refuses the fragment that would overflow it. */
static void test_byte_cap_single_datagram(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(2500, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(1, 0), 1, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(1, 1), 2, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(pd_frag_bytes_refused(t), 1480);
    assert_true(pd_frag_bytes_held(t) <= 2500);
    assert_int_equal(c.n, 0);
    pd_frag_flush(t);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.inc[0].n_frames, 1);
    pd_frag_table_free(t);
}

static void test_fragment_larger_than_cap(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1000, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    assert_int_equal(add(t, v4part(1, 0), 1, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(pd_frag_bytes_refused(t), 1480);
    assert_int_equal(pd_frag_bytes_held(t), 0);
    /* A small fragment far into the datagram costs its offset too. */
    uint8_t *far = calloc(1, 60008);
    assert_non_null(far);
    assert_int_equal(add(t, frag(4, 2, 17, 60000, 8, true, far), 2, 0, &d), PD_FRAG_REFUSED);
    free(far);
    assert_int_equal(pd_frag_bytes_refused(t), 1488);
    pd_frag_flush(t);
    assert_int_equal(c.n, 0);
    pd_frag_table_free(t);

    /* A zero cap holds nothing at all. */
    t = pd_frag_table_new(0, 30 * SEC, on_inc, &c);
    assert_int_equal(add(t, frag4(3, 0, 0, true), 3, 0, &d), PD_FRAG_REFUSED);
    pd_frag_table_free(t);
}

/* Beyond 65535 octets in the reassembled length field: refused. */
static void test_oversize_refused(void **state)
{
    (void)state;
    uint8_t *big = calloc(1, 65536 + 64);
    assert_non_null(big);
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, NULL, NULL);
    pd_frag_datagram d;
    /* IPv4: offset 8191*8 plus 16 bytes. */
    assert_int_equal(add(t, frag(4, 1, 17, 65528, 16, false, big), 1, 0, &d), PD_FRAG_REFUSED);
    /* 20 + 65480 = 65500: fine. With a 60-byte header, 65540: not. */
    assert_int_equal(add(t, frag(4, 2, 17, 64000, 1480, false, big), 2, 0, &d), PD_FRAG_HELD);
    pd_ip opt = frag(4, 3, 17, 64000, 1480, false, big);
    opt.header_len = 60;
    assert_int_equal(add(t, opt, 3, 0, &d), PD_FRAG_REFUSED);
    /* IPv4 exactly 65535: 20 + 65515. */
    assert_int_equal(add(t, frag(4, 4, 17, 64032, 1483, false, big), 4, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag(4, 5, 17, 64032, 1484, false, big), 5, 0, &d), PD_FRAG_REFUSED);
    /* IPv6: Payload Length = 8 (Fragment header) + fragmentable part. */
    assert_int_equal(add(t, frag(6, 6, 17, 65520, 16, false, big), 6, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(add(t, frag(6, 7, 17, 65520, 7, false, big), 7, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag(6, 8, 17, 65520, 8, false, big), 8, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(pd_frag_bytes_refused(t), 16 + 1480 + 1484 + 16 + 8);

    /* A complete maximum-size IPv4 datagram in 1480-byte pieces, reversed. */
    uint32_t id = 99;
    size_t total = 65515;
    pd_frag_result r = PD_FRAG_HELD;
    size_t off = (total - 1) / 1480 * 1480;
    for (;;) {
        size_t len = off + 1480 <= total ? 1480 : total - off;
        r = add(t, frag(4, id, 17, off, len, off + len < total, big), 100, 0, &d);
        if (off == 0)
            break;
        assert_int_equal(r, PD_FRAG_HELD);
        off -= 1480;
    }
    assert_int_equal(r, PD_FRAG_COMPLETE);
    assert_int_equal(d.len, total);
    free(big);
    pd_frag_table_free(t);
}

static void test_zero_length_fragments(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    /* An empty first fragment starts a datagram that the others complete. */
    assert_int_equal(add(t, frag4(1, 0, 0, true), 1, 0, &d), PD_FRAG_HELD);
    assert_true(pd_frag_bytes_held(t) > 0); /* bookkeeping is charged */
    assert_int_equal(add(t, v4part(1, 0), 2, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(1, 1), 3, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(1, 2), 4, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(d.n_frames, 4);

    /* An empty last fragment sets the end. */
    assert_int_equal(add(t, frag4(2, 0, 1480, true), 5, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag4(2, 1480, 1520, true), 6, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag4(2, 3000, 0, false), 7, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);

    /* ... also when it comes first. */
    assert_int_equal(add(t, frag4(3, 3000, 0, false), 8, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag4(3, 0, 3000, true), 9, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);

    /* An empty whole datagram. */
    assert_int_equal(add(t, frag4(4, 0, 0, false), 10, 0, &d), PD_FRAG_COMPLETE);
    assert_int_equal(d.len, 0);
    assert_int_equal(d.n_frames, 1);

    /* An empty fragment alone: incomplete, first byte missing. */
    assert_int_equal(add(t, frag4(5, 1480, 0, true), 11, 0, &d), PD_FRAG_HELD);
    pd_frag_flush(t);
    assert_int_equal(c.n, 1);
    assert_false(c.inc[0].have_first);
    assert_int_equal(c.inc[0].first_missing, 0);
    assert_int_equal(c.inc[0].bytes_received, 0);
    assert_int_equal(pd_frag_bytes_held(t), 0);

    /* An empty fragment at offset 0 brings no upper-layer bytes: the first
     * fragment did not really arrive, and there is no L4 prefix to show. */
    assert_int_equal(add(t, frag4(6, 0, 0, true), 12, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(6, 1), 13, 0, &d), PD_FRAG_HELD);
    pd_frag_flush(t);
    assert_int_equal(c.n, 2);
    assert_false(c.inc[1].have_first);
    assert_int_equal(c.inc[1].first_missing, 0);
    assert_int_equal(c.inc[1].n_frames, 2);
    pd_frag_table_free(t);
}

/* A flood of empty fragments under a small cap stays bounded. */
static void test_zero_length_flood(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    size_t max = 64 * 1024;
    pd_frag_table *t = pd_frag_table_new(max, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    for (uint32_t i = 0; i < 10000; i++) {
        assert_int_equal(add(t, frag4(i, 8 * (i % 50), 0, true), i, 0, &d), PD_FRAG_HELD);
        assert_true(pd_frag_bytes_held(t) <= max);
    }
    size_t evicted = c.n;
    assert_true(evicted > 0);
    assert_true(c.inc[0].evicted);
    assert_int_equal(c.inc[0].ident, 0);
    pd_frag_flush(t);
    assert_int_equal(c.n, 10000);
    assert_int_equal(pd_frag_bytes_held(t), 0);
    pd_frag_table_free(t);
}

static void test_v6_reassembly(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    /* In order. */
    assert_int_equal(add(t, v6part(0xdeadbeef, 0), 1, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v6part(0xdeadbeef, 1), 2, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v6part(0xdeadbeef, 2), 3, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(d.ident, 0xdeadbeef);
    assert_true(pd_addr_equal(&d.src, &src6));
    assert_int_equal(d.proto, 17);

    /* Reversed, interleaved with a datagram whose 32-bit ident differs by one,
     * and with later fragments naming another Next Header (RFC 8200 section
     * 4.5: only the offset-0 fragment's counts). */
    pd_ip f2 = v6part(0xdeadbeef, 2), f1 = v6part(0xdeadbeef, 1);
    f2.proto = 60;
    f1.proto = 60;
    assert_int_equal(add(t, f2, 4, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v6part(0xdeadbeee, 2), 5, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, f1, 6, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v6part(0xdeadbeef, 0), 7, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(d.proto, 17);
    assert_int_equal(d.n_frames, 3);
    pd_frag_flush(t);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.inc[0].ident, 0xdeadbeee);
    pd_frag_table_free(t);
}

/* IPv4 and IPv6 with the same ident and IPv4 with another protocol are
 * different datagrams. */
static void test_keys_distinct(void **state)
{
    (void)state;
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, NULL, NULL);
    pd_frag_datagram d;
    assert_int_equal(add(t, frag(4, 7, 17, 0, 1480, true, dgram), 1, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag(4, 7, 50, 1480, 1520, false, dgram), 2, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag(6, 7, 17, 1480, 1520, false, dgram), 3, 0, &d), PD_FRAG_HELD);
    pd_ip other_src = frag(4, 7, 17, 1480, 1520, false, dgram);
    other_src.src.a[3] = 9;
    assert_int_equal(add(t, other_src, 4, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag(4, 7, 17, 1480, 1520, false, dgram), 5, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(d.proto, 17);
    assert_int_equal(add(t, frag(4, 7, 50, 0, 1480, true, dgram), 6, 0, &d), PD_FRAG_COMPLETE);
    assert_int_equal(d.proto, 50);
    assert_whole(&d);
    pd_frag_table_free(t);
}

/* Non-last fragments must be whole 8-octet units: IPv6 refuses, IPv4
 * keeps the whole units. A fragment cut by the snaplen is refused. */
static void test_unaligned_and_cut(void **state)
{
    (void)state;
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, NULL, NULL);
    pd_frag_datagram d;
    assert_int_equal(add(t, frag6(1, 0, 1447, true), 1, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(pd_frag_bytes_refused(t), 1447);
    assert_int_equal(add(t, frag4(2, 0, 1483, true), 2, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, frag4(2, 1480, 1520, false), 3, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);

    pd_ip cut = frag4(3, 0, 1480, true);
    cut.payload_len = 100;
    assert_int_equal(add(t, cut, 4, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(pd_frag_bytes_refused(t), 1447 + 100);

    pd_ip odd = frag4(4, 0, 1480, true);
    odd.frag_offset = 4; /* not from a real header */
    assert_int_equal(add(t, odd, 5, 0, &d), PD_FRAG_REFUSED);
    pd_ip bad = frag4(5, 0, 8, true);
    bad.version = 5;
    assert_int_equal(add(t, bad, 6, 0, &d), PD_FRAG_REFUSED);
    assert_int_equal(pd_frag_add(t, NULL, 7, 0, &d), PD_FRAG_REFUSED);
    pd_frag_table_free(t);
}

static void test_ttl_and_frame_cap(void **state)
{
    (void)state;
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, NULL, NULL);
    pd_frag_datagram d;
    pd_ip late = v4part(1, 1);
    late.ttl = 50;
    assert_int_equal(add(t, late, 1, 0, &d), PD_FRAG_HELD);
    for (uint64_t f = 2; f <= 20; f++)
        assert_int_equal(add(t, late, f, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(1, 2), 21, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(1, 0), 22, 0, &d), PD_FRAG_COMPLETE);
    assert_whole(&d);
    assert_int_equal(d.ttl, 64); /* the offset-0 fragment's */
    assert_int_equal(d.n_frames, 22);
    for (unsigned i = 0; i < PD_FRAG_MAX_FRAMES; i++)
        assert_int_equal(d.frames[i], i + 1);
    assert_int_equal(d.first_frame, 1);
    assert_int_equal(d.last_frame, 22);
    pd_frag_table_free(t);
}

/* Real IPv4 fragments through pd_ip_decode: 24 + 8 bytes of UDP. */
static void test_decode_then_reassemble(void **state)
{
    (void)state;
    static const uint8_t f1[] = {
        0x45, 0x00, 0x00, 0x2c, 0x42, 0x42, 0x20, 0x00, 0x40, 0x11, 0x00, 0x00,
        0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, /* MF, offset 0 */
        0x01, 0xf4, 0x01, 0xf4, 0x00, 0x20, 0x00, 0x00, /* UDP, length 32 */
        'a',  'b',  'c',  'd',  'e',  'f',  'g',  'h',  'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p',
    };
    static const uint8_t f2[] = {
        0x45, 0x00, 0x00, 0x1c, 0x42, 0x42, 0x00, 0x03, 0x3f, 0x11, 0x00, 0x00,
        0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, /* offset 3 units */
        'q',  'r',  's',  't',  'u',  'v',  'w',  'x',  0,    0,    0,    0, /* Ethernet padding */
    };
    pd_ip ip1, ip2;
    assert_int_equal(pd_ip_decode(f1, sizeof f1, &ip1), PD_IP_OK);
    assert_int_equal(pd_ip_decode(f2, sizeof f2, &ip2), PD_IP_OK);
    assert_true(ip1.is_fragment && ip2.is_fragment);
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, NULL, NULL);
    pd_frag_datagram d;
    assert_int_equal(pd_frag_add(t, &ip2, 2, 0, &d), PD_FRAG_HELD);
    assert_int_equal(pd_frag_add(t, &ip1, 1, 0, &d), PD_FRAG_COMPLETE);
    assert_int_equal(d.len, 32);
    assert_memory_equal(d.data, f1 + 20, 24);
    assert_memory_equal(d.data + 24, "qrstuvwx", 8);
    assert_int_equal(d.ident, 0x4242);
    assert_int_equal(d.ttl, 64);
    pd_frag_table_free(t);
}

/* Freeing a table that still holds datagrams reports nothing and leaks
 * nothing (ASan checks); NULL tables are harmless. */
static void test_free_with_held_and_nulls(void **state)
{
    (void)state;
    ctx c = { .n = 0 };
    pd_frag_table *t = pd_frag_table_new(1 << 20, 30 * SEC, on_inc, &c);
    pd_frag_datagram d;
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(add(t, v4part(i, (int)(i % 3)), i, 0, &d), PD_FRAG_HELD);
    /* A completed datagram's buffer left for the table to free. */
    assert_int_equal(add(t, v4part(1000, 0), 1000, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(1000, 1), 1001, 0, &d), PD_FRAG_HELD);
    assert_int_equal(add(t, v4part(1000, 2), 1002, 0, &d), PD_FRAG_COMPLETE);
    pd_frag_table_free(t);
    assert_int_equal(c.n, 0);

    assert_int_equal(pd_frag_add(NULL, NULL, 0, 0, &d), PD_FRAG_REFUSED);
    pd_frag_expire(NULL, 0);
    pd_frag_flush(NULL);
    pd_frag_table_free(NULL);
    assert_int_equal(pd_frag_bytes_held(NULL), 0);
    assert_int_equal(pd_frag_bytes_refused(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4_in_order),
        cmocka_unit_test(test_v4_reversed),
        cmocka_unit_test(test_v4_all_orders_with_duplicates),
        cmocka_unit_test(test_overlap_first_writer_wins),
        cmocka_unit_test(test_inconsistent_end_refused),
        cmocka_unit_test(test_missing_middle),
        cmocka_unit_test(test_missing_first_and_last),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_no_timeout),
        cmocka_unit_test(test_byte_cap_eviction),
        cmocka_unit_test(test_byte_cap_single_datagram),
        cmocka_unit_test(test_fragment_larger_than_cap),
        cmocka_unit_test(test_oversize_refused),
        cmocka_unit_test(test_zero_length_fragments),
        cmocka_unit_test(test_zero_length_flood),
        cmocka_unit_test(test_v6_reassembly),
        cmocka_unit_test(test_keys_distinct),
        cmocka_unit_test(test_unaligned_and_cut),
        cmocka_unit_test(test_ttl_and_frame_cap),
        cmocka_unit_test(test_decode_then_reassemble),
        cmocka_unit_test(test_free_with_held_and_nulls),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
