/* test_flow.c - unit tests for the flow table (flow.c): canonical keys,
 * lookup from both directions, cap eviction, idle expiry, close order.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <glib.h>

#include "flow.h"

#define SEC 1000000000LL

static pd_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    pd_addr x;
    memset(&x, 0, sizeof x);
    x.family = 4;
    x.a[0] = a;
    x.a[1] = b;
    x.a[2] = c;
    x.a[3] = d;
    return x;
}

static pd_addr v6(uint16_t last)
{
    pd_addr x;
    memset(&x, 0, sizeof x);
    x.family = 6;
    x.a[0] = 0x20;
    x.a[1] = 0x01;
    x.a[2] = 0x0d;
    x.a[3] = 0xb8;
    x.a[14] = (uint8_t)(last >> 8);
    x.a[15] = (uint8_t)last;
    return x;
}

/* Flow number i as a distinct (client, port) pair talking to one server. */
static void key_for(pd_flow_key *k, uint32_t i)
{
    pd_addr cli = v4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
    pd_addr srv = v4(192, 0, 2, 1);
    pd_flow_key_make(k, 1, 6, &cli, (uint16_t)(1024 + (i % 50000)), &srv, 1723, NULL);
}

/* ---- a recorder for on_close ---- */

#define REC_MAX 256
typedef struct rec {
    size_t n;
    uint64_t first_frame[REC_MAX];
    pd_flow_close_reason why[REC_MAX];
    size_t n_evicted, n_idle, n_end, total;
    pd_flow_table *table;     /* for callbacks that look things up */
    int64_t lookup_ts;
    size_t partner_found;
    size_t max_count_seen;
} rec;

static void rec_close(pd_flow *flow, pd_flow_close_reason why, void *user)
{
    rec *r = user;
    if (r->n < REC_MAX) {
        r->first_frame[r->n] = flow->first_frame;
        r->why[r->n] = why;
        r->n++;
    }
    r->total++;
    if (why == PD_FLOW_CLOSE_EVICTED)
        r->n_evicted++;
    else if (why == PD_FLOW_CLOSE_IDLE)
        r->n_idle++;
    else
        r->n_end++;
}

/* ---- keys ---- */

static void test_key_canonical(void **state)
{
    (void)state;
    pd_addr a = v4(192, 0, 2, 10), b = v4(198, 51, 100, 7);
    pd_flow_key k1, k2;
    bool f1 = false, f2 = true;
    pd_flow_key_make(&k1, 2, 6, &a, 40000, &b, 1723, &f1);
    pd_flow_key_make(&k2, 2, 6, &b, 1723, &a, 40000, &f2);
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_true(f1);
    assert_false(f2);
    assert_int_equal(k1.port_lo, 40000);
    assert_int_equal(k1.port_hi, 1723);
    assert_int_equal(k1.addr_lo.a[0], 192);
    assert_int_equal(k1.kind, 2);
    assert_int_equal(k1.proto, 6);

    /* Same address both ends: the port decides. */
    pd_flow_key_make(&k1, 0, 17, &a, 4500, &a, 500, &f1);
    pd_flow_key_make(&k2, 0, 17, &a, 500, &a, 4500, &f2);
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_false(f1);
    assert_true(f2);
    assert_int_equal(k1.port_lo, 500);

    /* Fully identical endpoints: forward. */
    pd_flow_key_make(&k1, 0, 17, &a, 500, &a, 500, &f1);
    assert_true(f1);

    /* kind and proto separate flows on the same endpoints. */
    pd_flow_key_make(&k1, 1, 47, &a, 0, &b, 0, NULL);
    pd_flow_key_make(&k2, 2, 47, &a, 0, &b, 0, NULL);
    assert_memory_not_equal(&k1, &k2, sizeof k1);
    pd_flow_key_make(&k2, 1, 50, &a, 0, &b, 0, NULL);
    assert_memory_not_equal(&k1, &k2, sizeof k1);
}

static void test_key_zero_filled(void **state)
{
    (void)state;
    pd_addr a = v4(192, 0, 2, 10), b = v4(198, 51, 100, 7);
    pd_addr a_dirty = a, b_dirty = b;
    memset(a_dirty.a + 4, 0xAA, 12); /* stray bytes past the IPv4 address */
    memset(b_dirty.a + 4, 0x55, 12);

    pd_flow_key k1, k2;
    memset(&k1, 0xEE, sizeof k1); /* garbage, including any padding */
    memset(&k2, 0x11, sizeof k2);
    pd_flow_key_make(&k1, 1, 6, &a, 1, &b, 2, NULL);
    pd_flow_key_make(&k2, 1, 6, &b_dirty, 2, &a_dirty, 1, NULL);
    assert_memory_equal(&k1, &k2, sizeof k1);
}

static void test_key_families(void **state)
{
    (void)state;
    pd_addr a4 = v4(255, 255, 255, 255), a6 = v6(1), b6 = v6(2);
    pd_flow_key k;
    bool fwd;
    /* family 4 sorts before 6 whatever the bytes */
    pd_flow_key_make(&k, 0, 17, &a6, 500, &a4, 500, &fwd);
    assert_false(fwd);
    assert_int_equal(k.addr_lo.family, 4);
    pd_flow_key_make(&k, 0, 17, &b6, 1, &a6, 2, &fwd);
    assert_false(fwd);
    assert_int_equal(k.addr_lo.a[15], 1);
    assert_int_equal(k.port_lo, 2);
}

/* ---- lookup ---- */

static void test_lookup_both_directions(void **state)
{
    (void)state;
    rec r = { 0 };
    pd_flow_table *t = pd_flow_table_new(16, 60 * SEC, rec_close, &r);
    pd_addr c = v4(192, 0, 2, 10), s = v4(198, 51, 100, 7);
    pd_flow_key kf, kr;
    pd_flow_key_make(&kf, 1, 6, &c, 50000, &s, 1723, NULL);
    pd_flow_key_make(&kr, 1, 6, &s, 1723, &c, 50000, NULL);

    bool created = false;
    pd_flow *f = pd_flow_lookup(t, &kf, true, &created, 1, 10 * SEC);
    assert_non_null(f);
    assert_true(created);
    assert_int_equal(f->first_frame, 1);
    assert_int_equal(f->first_ts_ns, 10 * SEC);
    assert_null(f->state);

    pd_flow *g = pd_flow_lookup(t, &kr, true, &created, 2, 11 * SEC);
    assert_ptr_equal(f, g);
    assert_false(created);
    assert_int_equal(g->first_frame, 1);
    assert_int_equal(g->last_frame, 2);
    assert_int_equal(g->last_ts_ns, 11 * SEC);
    assert_int_equal(pd_flow_table_count(t), 1);

    /* A clock stepping back does not age the flow. */
    pd_flow_lookup(t, &kf, false, NULL, 3, 5 * SEC);
    assert_int_equal(f->last_frame, 3);
    assert_int_equal(f->last_ts_ns, 11 * SEC);

    /* Another kind on the same endpoints is another flow. */
    pd_flow_key k2;
    pd_flow_key_make(&k2, 2, 6, &c, 50000, &s, 1723, NULL);
    pd_flow *h = pd_flow_lookup(t, &k2, true, &created, 4, 12 * SEC);
    assert_true(created);
    assert_ptr_not_equal(h, f);
    assert_int_equal(pd_flow_table_count(t), 2);

    pd_flow_table_free(t);
    assert_int_equal(r.n_end, 2);
    assert_int_equal(r.n_evicted, 0);
    assert_int_equal(r.n_idle, 0);
}

static void test_lookup_without_create(void **state)
{
    (void)state;
    pd_flow_table *t = pd_flow_table_new(4, SEC, NULL, NULL); /* on_close NULL */
    pd_flow_key k;
    key_for(&k, 7);
    bool created = true;
    assert_null(pd_flow_lookup(t, &k, false, &created, 1, 0));
    assert_false(created);
    assert_int_equal(pd_flow_table_count(t), 0);
    assert_int_equal(pd_flow_table_peak(t), 0);
    assert_non_null(pd_flow_lookup(t, &k, true, NULL, 1, 0));
    assert_non_null(pd_flow_lookup(t, &k, false, NULL, 2, 0));
    pd_flow_key other;
    key_for(&other, 8);
    assert_null(pd_flow_lookup(t, &other, false, NULL, 3, 0));
    assert_int_equal(pd_flow_table_count(t), 1);
    pd_flow_table_free(t); /* on_close NULL is fine */
    pd_flow_table_free(NULL);
}

static void test_many_flows_grow(void **state)
{
    (void)state;
    /* No cap: forces several rehashes; every flow must stay findable. */
    enum { N = 20000 };
    pd_flow_table *t = pd_flow_table_new(0, 0, NULL, NULL);
    pd_flow **ptrs = g_new0(pd_flow *, N);
    for (uint32_t i = 0; i < N; i++) {
        pd_flow_key k;
        key_for(&k, i);
        bool created = false;
        ptrs[i] = pd_flow_lookup(t, &k, true, &created, i + 1, i);
        assert_true(created);
    }
    assert_int_equal(pd_flow_table_count(t), N);
    assert_int_equal(pd_flow_table_peak(t), N);
    for (uint32_t i = 0; i < N; i++) {
        pd_flow_key k;
        key_for(&k, i);
        assert_ptr_equal(pd_flow_lookup(t, &k, false, NULL, N + 1, N), ptrs[i]);
        assert_int_equal(ptrs[i]->first_frame, i + 1);
    }
    /* idle timeout 0 disables expiry */
    pd_flow_table_expire(t, INT64_MAX);
    assert_int_equal(pd_flow_table_count(t), N);
    g_free(ptrs);
    pd_flow_table_free(t);
}

/* ---- the cap ---- */

static void test_cap_100k(void **state)
{
    (void)state;
    enum { N = 100000, CAP = 1000 };
    rec r = { 0 };
    pd_flow_table *t = pd_flow_table_new(CAP, 3600 * SEC, rec_close, &r);
    size_t max_seen = 0;
    for (uint32_t i = 0; i < N; i++) {
        pd_flow_key k;
        key_for(&k, i);
        pd_flow *f = pd_flow_lookup(t, &k, true, NULL, i + 1, (int64_t)i);
        assert_non_null(f);
        size_t n = pd_flow_table_count(t);
        if (n > max_seen)
            max_seen = n;
        assert_true(n <= CAP);
        /* Touching an old flow keeps it alive: flow 0 is looked up often. */
        if (i % 100 == 0) {
            pd_flow_key k0;
            key_for(&k0, 0);
            assert_non_null(pd_flow_lookup(t, &k0, false, NULL, i + 1, (int64_t)i));
        }
    }
    assert_int_equal(max_seen, CAP);
    assert_int_equal(pd_flow_table_count(t), CAP);
    assert_int_equal(pd_flow_table_peak(t), CAP);
    assert_int_equal(pd_flow_table_evicted(t), N - CAP);
    assert_int_equal(r.n_evicted, N - CAP);
    assert_int_equal(r.n_idle, 0);
    /* The first evictions are the oldest untouched flows, in order. */
    assert_int_equal(r.why[0], PD_FLOW_CLOSE_EVICTED);
    assert_int_equal(r.first_frame[0], 2);
    assert_int_equal(r.first_frame[1], 3);

    pd_flow_key k;
    key_for(&k, 0);
    assert_non_null(pd_flow_lookup(t, &k, false, NULL, N + 1, N));
    key_for(&k, N - 1);
    assert_non_null(pd_flow_lookup(t, &k, false, NULL, N + 1, N));
    key_for(&k, N - CAP + 1);
    assert_non_null(pd_flow_lookup(t, &k, false, NULL, N + 1, N));
    key_for(&k, N - CAP - 1); /* evicted */
    assert_null(pd_flow_lookup(t, &k, false, NULL, N + 1, N));
    key_for(&k, 5);
    assert_null(pd_flow_lookup(t, &k, false, NULL, N + 1, N));

    pd_flow_table_close_all(t);
    assert_int_equal(pd_flow_table_count(t), 0);
    assert_int_equal(pd_flow_table_peak(t), CAP);
    assert_int_equal(r.n_end, CAP);
    pd_flow_table_free(t);
    assert_int_equal(r.n_end, CAP);
}

static void test_cap_one(void **state)
{
    (void)state;
    rec r = { 0 };
    pd_flow_table *t = pd_flow_table_new(1, SEC, rec_close, &r);
    pd_flow_key a, b;
    key_for(&a, 1);
    key_for(&b, 2);
    pd_flow_lookup(t, &a, true, NULL, 1, 0);
    pd_flow_lookup(t, &b, true, NULL, 2, 0);
    assert_int_equal(pd_flow_table_count(t), 1);
    assert_int_equal(pd_flow_table_evicted(t), 1);
    assert_null(pd_flow_lookup(t, &a, false, NULL, 3, 0));
    assert_non_null(pd_flow_lookup(t, &b, false, NULL, 3, 0));
    assert_int_equal(r.first_frame[0], 1);
    assert_int_equal(r.why[0], PD_FLOW_CLOSE_EVICTED);
    pd_flow_table_free(t);
}

/* ---- idle expiry ---- */

static void test_idle_expiry(void **state)
{
    (void)state;
    rec r = { 0 };
    pd_flow_table *t = pd_flow_table_new(100, 10 * SEC, rec_close, &r);
    for (uint32_t i = 1; i <= 5; i++) {
        pd_flow_key k;
        key_for(&k, i);
        pd_flow_lookup(t, &k, true, NULL, i, (int64_t)i * SEC); /* flow i last seen at i s */
    }
    pd_flow_key k2;
    key_for(&k2, 2);
    pd_flow_lookup(t, &k2, false, NULL, 6, 8 * SEC); /* flow 2 now last seen at 8 s */

    pd_flow_table_expire(t, 10 * SEC); /* nobody idle for more than 10 s */
    assert_int_equal(r.total, 0);
    pd_flow_table_expire(t, 11 * SEC); /* flow 1: exactly 10 s, not more */
    assert_int_equal(r.total, 0);
    pd_flow_table_expire(t, 11 * SEC + 1);
    assert_int_equal(r.total, 1);
    assert_int_equal(r.first_frame[0], 1);
    assert_int_equal(r.why[0], PD_FLOW_CLOSE_IDLE);

    pd_flow_table_expire(t, 15 * SEC + 1); /* flows 3, 4, 5 (in that order); 2 stays */
    assert_int_equal(r.total, 4);
    assert_int_equal(r.first_frame[1], 3);
    assert_int_equal(r.first_frame[2], 4);
    assert_int_equal(r.first_frame[3], 5);
    assert_int_equal(pd_flow_table_count(t), 1);
    assert_non_null(pd_flow_lookup(t, &k2, false, NULL, 7, 8 * SEC));

    pd_flow_table_expire(t, 0); /* time earlier than everything: nothing */
    assert_int_equal(r.total, 4);
    pd_flow_table_expire(t, 18 * SEC + 1);
    assert_int_equal(r.total, 5);
    assert_int_equal(r.first_frame[4], 2);
    assert_int_equal(r.n_idle, 5);
    assert_int_equal(pd_flow_table_count(t), 0);
    pd_flow_table_expire(t, INT64_MAX); /* empty table */
    assert_int_equal(pd_flow_table_peak(t), 5);
    pd_flow_table_free(t);
    assert_int_equal(r.n_end, 0);
}

static void test_idle_extreme_times(void **state)
{
    (void)state;
    rec r = { 0 };
    pd_flow_table *t = pd_flow_table_new(10, INT64_MAX, rec_close, &r);
    pd_flow_key k;
    key_for(&k, 1);
    pd_flow_lookup(t, &k, true, NULL, 1, INT64_MIN);
    pd_flow_table_expire(t, INT64_MAX); /* difference is 2^64 - 1 > INT64_MAX */
    assert_int_equal(r.n_idle, 1);
    pd_flow_lookup(t, &k, true, NULL, 2, 0);
    pd_flow_table_expire(t, INT64_MAX); /* exactly the timeout: kept */
    assert_int_equal(r.n_idle, 1);
    pd_flow_table_free(t);
    assert_int_equal(r.n_end, 1);
}

/* ---- close order ---- */

static void test_close_all_order(void **state)
{
    (void)state;
    rec r = { 0 };
    pd_flow_table *t = pd_flow_table_new(100, 10 * SEC, rec_close, &r);
    pd_flow_key k[4];
    for (uint32_t i = 0; i < 4; i++) {
        key_for(&k[i], i + 10);
        pd_flow_lookup(t, &k[i], true, NULL, i + 1, i);
    }
    /* touch 2 then 0: LRU order is now 1, 3, 2, 0 */
    pd_flow_lookup(t, &k[2], false, NULL, 5, 5);
    pd_flow_lookup(t, &k[0], true, NULL, 6, 6);
    pd_flow_table_close_all(t);
    assert_int_equal(r.n, 4);
    const uint64_t want[4] = { 2, 4, 3, 1 };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r.first_frame[i], want[i]);
        assert_int_equal(r.why[i], PD_FLOW_CLOSE_END);
    }
    assert_int_equal(pd_flow_table_count(t), 0);
    /* The table is reusable after close_all. */
    assert_non_null(pd_flow_lookup(t, &k[1], true, NULL, 7, 7));
    pd_flow_table_free(t);
    assert_int_equal(r.n_end, 5);
}

/* ---- callbacks that use the table ---- */

typedef struct partner_state {
    pd_flow_key partner;
} partner_state;

static void partner_close(pd_flow *flow, pd_flow_close_reason why, void *user)
{
    rec *r = user;
    rec_close(flow, why, user);
    size_t n = pd_flow_table_count(r->table);
    if (n > r->max_count_seen)
        r->max_count_seen = n;
    partner_state *ps = flow->state;
    if (ps) {
        /* Refresh the partner: a control flow closing keeps its data flow's
         * evidence, say. The closing flow itself is already out of the table. */
        if (pd_flow_lookup(r->table, &ps->partner, false, NULL, 99, r->lookup_ts))
            r->partner_found++;
        assert_null(pd_flow_lookup(r->table, &flow->key, false, NULL, 99, r->lookup_ts));
        g_free(ps);
        flow->state = NULL;
    }
}

static void test_on_close_looks_up_other(void **state)
{
    (void)state;
    rec r = { 0 };
    pd_flow_table *t = pd_flow_table_new(3, 10 * SEC, partner_close, &r);
    r.table = t;
    pd_flow_key ka, kb, kc, kd;
    key_for(&ka, 1);
    key_for(&kb, 2);
    key_for(&kc, 3);
    key_for(&kd, 4);

    pd_flow *a = pd_flow_lookup(t, &ka, true, NULL, 1, 0);
    pd_flow_lookup(t, &kb, true, NULL, 2, 1 * SEC);
    pd_flow_lookup(t, &kc, true, NULL, 3, 2 * SEC);
    partner_state *ps = g_new0(partner_state, 1);
    ps->partner = kb;
    a->state = ps;

    /* Expire at 12 s: a (0 s) and b (1 s) are both due, but closing a
     * refreshes b to 12 s, so only a goes; the loop must cope with b
     * having moved to the tail during the callback. */
    r.lookup_ts = 12 * SEC;
    pd_flow_table_expire(t, 12 * SEC);
    assert_int_equal(r.n_idle, 1);
    assert_int_equal(r.partner_found, 1);
    assert_int_equal(r.first_frame[0], 1);
    assert_non_null(pd_flow_lookup(t, &kb, false, NULL, 4, 12 * SEC));
    assert_non_null(pd_flow_lookup(t, &kc, false, NULL, 4, 2 * SEC)); /* c stays at 2 s */

    /* Eviction at the cap with the callback touching another flow. */
    pd_flow *c = pd_flow_lookup(t, &kc, false, NULL, 5, 2 * SEC);
    ps = g_new0(partner_state, 1);
    ps->partner = kb;
    c->state = ps;
    pd_flow_lookup(t, &kb, false, NULL, 6, 12 * SEC); /* LRU: c, b */
    pd_flow_lookup(t, &ka, true, NULL, 7, 13 * SEC);  /* LRU: c, b, a (count 3) */
    pd_flow_lookup(t, &kd, true, NULL, 8, 14 * SEC);  /* evicts c */
    assert_int_equal(r.n_evicted, 1);
    assert_int_equal(r.partner_found, 2);
    assert_int_equal(r.why[1], PD_FLOW_CLOSE_EVICTED);
    assert_int_equal(r.first_frame[1], 3);
    assert_true(r.max_count_seen <= 3);
    assert_int_equal(pd_flow_table_count(t), 3);
    assert_int_equal(pd_flow_table_peak(t), 3);
    assert_null(pd_flow_lookup(t, &kc, false, NULL, 9, 14 * SEC));

    pd_flow_table_free(t);
    assert_int_equal(r.n_end, 3);
}

/* A callback that creates flows while eviction runs must not push the
 * table past its cap. */
static void creating_close(pd_flow *flow, pd_flow_close_reason why, void *user)
{
    rec *r = user;
    rec_close(flow, why, user);
    if (why == PD_FLOW_CLOSE_EVICTED && flow->first_frame == 1) {
        pd_flow_key k;
        key_for(&k, 500);
        pd_flow_lookup(r->table, &k, true, NULL, 500, 0);
    }
}

static void test_on_close_creates(void **state)
{
    (void)state;
    rec r = { 0 };
    pd_flow_table *t = pd_flow_table_new(2, SEC, creating_close, &r);
    r.table = t;
    pd_flow_key k;
    for (uint32_t i = 1; i <= 3; i++) {
        key_for(&k, i);
        pd_flow_lookup(t, &k, true, NULL, i, 0);
        assert_true(pd_flow_table_count(t) <= 2);
    }
    /* Adding 3 evicted 1, whose callback made 500, so 2 had to go too. */
    assert_int_equal(pd_flow_table_evicted(t), 2);
    assert_int_equal(pd_flow_table_count(t), 2);
    key_for(&k, 3);
    assert_non_null(pd_flow_lookup(t, &k, false, NULL, 4, 0));
    key_for(&k, 500);
    assert_non_null(pd_flow_lookup(t, &k, false, NULL, 4, 0));
    pd_flow_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_canonical),
        cmocka_unit_test(test_key_zero_filled),
        cmocka_unit_test(test_key_families),
        cmocka_unit_test(test_lookup_both_directions),
        cmocka_unit_test(test_lookup_without_create),
        cmocka_unit_test(test_many_flows_grow),
        cmocka_unit_test(test_cap_100k),
        cmocka_unit_test(test_cap_one),
        cmocka_unit_test(test_idle_expiry),
        cmocka_unit_test(test_idle_extreme_times),
        cmocka_unit_test(test_close_all_order),
        cmocka_unit_test(test_on_close_looks_up_other),
        cmocka_unit_test(test_on_close_creates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
