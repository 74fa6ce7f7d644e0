/* pair_match.c - match the packets of a client-side and a server-side
 * capture one to one, and estimate the offset between their clocks.
 *
 * Packets are grouped by identity (pair_capture.c). A group with exactly one
 * packet on each side is certain; those give the clock, NTP-style (RFC 5905
 * section 8): the median of (server time - client time) over packets going
 * to the server is offset + delay, over packets going to the client
 * offset - delay. Groups with several packets on a side (identical
 * retransmissions: a TCP SYN, an IKE request, an LCP Configure-Request
 * repeated with the same GRE numbering cannot happen, but ack-only GRE can)
 * are resolved by preferring the same IP identification, then the same
 * bytes, then the arrival closest to the expected time, greedily from the
 * best candidate pair down. Order between groups never matters, so
 * reordering on the path costs nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "pair_internal.h"

#define DEFAULT_WINDOW_NS INT64_C(1000000000)
/* Same IP ID or same bytes: a copy may arrive this far from the expected time. */
#define STRONG_WINDOW_NS INT64_C(30000000000)
/* Groups larger than this (|a| x |b|) are matched in one linear pass. */
#define MAX_PAIRWISE 4096u
/* Groups this small still give a clock sample when no group is unique. */
#define MAX_FALLBACK_RUN 8u

typedef struct key_ref {
    uint64_t ident;
    int64_t ts_ns;
    uint32_t idx;
} key_ref;

static int key_ref_cmp(const void *x, const void *y)
{
    const key_ref *p = x, *q = y;
    if (p->ident != q->ident)
        return p->ident < q->ident ? -1 : 1;
    if (p->ts_ns != q->ts_ns)
        return p->ts_ns < q->ts_ns ? -1 : 1;
    return p->idx < q->idx ? -1 : p->idx > q->idx;
}

static key_ref *sorted_keys(const pd_pair_pkt *p, size_t n, size_t *out_n)
{
    key_ref *k = g_new(key_ref, n ? n : 1);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].ident)
            continue;
        k[m].ident = p[i].ident;
        k[m].ts_ns = p[i].ts_ns;
        k[m].idx = (uint32_t)i;
        m++;
    }
    pd_pair_sort(k, m, sizeof *k, key_ref_cmp);
    *out_n = m;
    return k;
}

static int int64_cmp(const void *x, const void *y)
{
    int64_t p = *(const int64_t *)x, q = *(const int64_t *)y;
    return p < q ? -1 : p > q;
}

static int64_t median(GArray *v)
{
    pd_pair_sort(v->data, v->len, sizeof(int64_t), int64_cmp);
    const int64_t *d = (const int64_t *)(void *)v->data;
    size_t n = v->len;
    if (n % 2)
        return d[n / 2];
    /* Mean of the middle two without overflow. */
    return d[n / 2 - 1] + (d[n / 2] - d[n / 2 - 1]) / 2;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

/* Time difference b - a, saturating (hostile timestamps can be anything). */
static int64_t diff_ts(int64_t b, int64_t a)
{
    if (a < 0 && b > INT64_MAX + a)
        return INT64_MAX;
    if (a > 0 && b < INT64_MIN + a)
        return INT64_MIN;
    return b - a;
}

/* A run: the packets of one identity on one side, [start, end) of the keys. */
typedef struct run {
    size_t start, end;
} run;

typedef void (*run_fn)(const key_ref *ka, run ra, const key_ref *kb, run rb, void *user);

static void for_each_common_run(const key_ref *ka, size_t na, const key_ref *kb, size_t nb,
                                run_fn fn, void *user)
{
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (ka[i].ident < kb[j].ident) {
            i++;
            continue;
        }
        if (ka[i].ident > kb[j].ident) {
            j++;
            continue;
        }
        run ra = { i, i }, rb = { j, j };
        while (ra.end < na && ka[ra.end].ident == ka[i].ident)
            ra.end++;
        while (rb.end < nb && kb[rb.end].ident == kb[j].ident)
            rb.end++;
        fn(ka, ra, kb, rb, user);
        i = ra.end;
        j = rb.end;
    }
}

typedef struct clock_ctx {
    const pd_pair_pkt *a, *b;
    GArray *samples[2];
    bool fallback;
} clock_ctx;

static int sample_dir(const pd_pair_pkt *pa, const pd_pair_pkt *pb)
{
    if (pa->dir == PD_DIR_TO_SERVER || pa->dir == PD_DIR_TO_CLIENT)
        return (int)pa->dir;
    if (pb->dir == PD_DIR_TO_SERVER || pb->dir == PD_DIR_TO_CLIENT)
        return (int)pb->dir;
    return -1;
}

static void clock_run(const key_ref *ka, run ra, const key_ref *kb, run rb, void *user)
{
    clock_ctx *c = user;
    size_t la = ra.end - ra.start, lb = rb.end - rb.start;
    if (!c->fallback) {
        if (la != 1 || lb != 1)
            return;
        const pd_pair_pkt *pa = &c->a[ka[ra.start].idx], *pb = &c->b[kb[rb.start].idx];
        int d = sample_dir(pa, pb);
        if (d < 0)
            return;
        int64_t dt = diff_ts(pb->ts_ns, pa->ts_ns);
        g_array_append_val(c->samples[d], dt);
        return;
    }
    if (la > MAX_FALLBACK_RUN || lb > MAX_FALLBACK_RUN)
        return;
    for (size_t i = ra.start; i < ra.end; i++) {
        const pd_pair_pkt *pa = &c->a[ka[i].idx];
        int64_t best = 0;
        bool have = false;
        int d = -1;
        for (size_t j = rb.start; j < rb.end; j++) {
            const pd_pair_pkt *pb = &c->b[kb[j].idx];
            int64_t dt = diff_ts(pb->ts_ns, pa->ts_ns);
            if (!have || abs64(dt) < abs64(best)) {
                best = dt;
                have = true;
                d = sample_dir(pa, pb);
            }
        }
        if (have && d >= 0)
            g_array_append_val(c->samples[d], best);
    }
}

static void estimate_clock(const pd_pair_pkt *a, const key_ref *ka, size_t na, const pd_pair_pkt *b,
                           const key_ref *kb, size_t nb, pd_pair_clock *clock)
{
    clock_ctx c = { a, b, { g_array_new(FALSE, FALSE, sizeof(int64_t)),
                            g_array_new(FALSE, FALSE, sizeof(int64_t)) }, false };
    for_each_common_run(ka, na, kb, nb, clock_run, &c);
    clock->from_unique = c.samples[0]->len + c.samples[1]->len > 0;
    if (!clock->from_unique) {
        c.fallback = true;
        for_each_common_run(ka, na, kb, nb, clock_run, &c);
    }
    for (int d = 0; d < 2; d++) {
        clock->samples[d] = c.samples[d]->len;
        clock->dir_known[d] = c.samples[d]->len > 0;
        if (clock->dir_known[d])
            clock->transit_ns[d] = median(c.samples[d]);
    }
    if (clock->dir_known[0] && clock->dir_known[1]) {
        /* offset + delay and offset - delay: their mean is the offset,
         * assuming the two directions take as long (RFC 5905 section 8). */
        clock->offset_ns = clock->transit_ns[0] / 2 + clock->transit_ns[1] / 2;
        clock->known = true;
    } else if (clock->dir_known[0] || clock->dir_known[1]) {
        clock->offset_ns = clock->transit_ns[clock->dir_known[0] ? 0 : 1];
        clock->known = true;
    } else {
        clock->offset_ns = 0;
        clock->known = false;
    }
    g_array_free(c.samples[0], TRUE);
    g_array_free(c.samples[1], TRUE);
}

typedef struct cand {
    uint32_t ia, ib; /* indexes into the packet arrays */
    int64_t score;
} cand;

static int cand_cmp(const void *x, const void *y)
{
    const cand *p = x, *q = y;
    if (p->score != q->score)
        return p->score < q->score ? -1 : 1;
    if (p->ia != q->ia)
        return p->ia < q->ia ? -1 : 1;
    return p->ib < q->ib ? -1 : p->ib > q->ib;
}

typedef struct match_ctx {
    pd_pair_pkt *a, *b;
    const pd_pair_clock *clock;
    int64_t window_ns;
    uint64_t matched;
    GArray *cands;
} match_ctx;

static int64_t expected_transit(const pd_pair_clock *clock, const pd_pair_pkt *pa,
                                const pd_pair_pkt *pb)
{
    int d = sample_dir(pa, pb);
    if (d >= 0 && clock->dir_known[d])
        return clock->transit_ns[d];
    return clock->offset_ns;
}

static bool dirs_compatible(const pd_pair_pkt *pa, const pd_pair_pkt *pb)
{
    if (pa->dir == PD_DIR_OTHER || pb->dir == PD_DIR_OTHER)
        return true;
    return pa->dir == pb->dir;
}

static void link_pair(match_ctx *m, uint32_t ia, uint32_t ib)
{
    m->a[ia].peer = ib;
    m->b[ib].peer = ia;
    m->matched++;
}

static void match_run(const key_ref *ka, run ra, const key_ref *kb, run rb, void *user)
{
    match_ctx *m = user;
    size_t la = ra.end - ra.start, lb = rb.end - rb.start;
    if (la * lb > MAX_PAIRWISE) {
        /* A flood of identical packets: one pass in time order, each taking
         * the first unclaimed copy within the window of its expected time. */
        size_t j = rb.start;
        for (size_t i = ra.start; i < ra.end; i++) {
            pd_pair_pkt *pa = &m->a[ka[i].idx];
            while (j < rb.end) {
                pd_pair_pkt *pb = &m->b[kb[j].idx];
                int64_t d = diff_ts(diff_ts(pb->ts_ns, pa->ts_ns), expected_transit(m->clock, pa, pb));
                if (d < -m->window_ns) {
                    j++; /* arrived before this one could have: belongs to no one here */
                    continue;
                }
                if (d <= m->window_ns && dirs_compatible(pa, pb)) {
                    link_pair(m, ka[i].idx, kb[j].idx);
                    j++;
                }
                break;
            }
        }
        return;
    }
    g_array_set_size(m->cands, 0);
    for (size_t i = ra.start; i < ra.end; i++) {
        const pd_pair_pkt *pa = &m->a[ka[i].idx];
        for (size_t j = rb.start; j < rb.end; j++) {
            const pd_pair_pkt *pb = &m->b[kb[j].idx];
            if (!dirs_compatible(pa, pb))
                continue;
            int64_t d = abs64(diff_ts(diff_ts(pb->ts_ns, pa->ts_ns), expected_transit(m->clock, pa, pb)));
            bool same_id = pa->ip_id == pb->ip_id && pa->ip_id != 0;
            bool same_bytes = pa->content == pb->content;
            if (d > m->window_ns && !((same_id || same_bytes) && d <= STRONG_WINDOW_NS))
                continue;
            /* d is at most STRONG_WINDOW_NS here (or the window, which the
             * caller keeps below 2^38 ns): the flags stay above it. */
            cand c = { ka[i].idx, kb[j].idx,
                       (same_id ? 0 : INT64_C(1) << 40) + (same_bytes ? 0 : INT64_C(1) << 39) + d };
            g_array_append_val(m->cands, c);
        }
    }
    pd_pair_sort(m->cands->data, m->cands->len, sizeof(cand), cand_cmp);
    const cand *cs = (const cand *)(void *)m->cands->data;
    for (guint k = 0; k < m->cands->len; k++) {
        if (m->a[cs[k].ia].peer >= 0 || m->b[cs[k].ib].peer >= 0)
            continue;
        link_pair(m, cs[k].ia, cs[k].ib);
    }
}

uint64_t pd_pair_match(pd_pair_pkt *a, size_t na, pd_pair_pkt *b, size_t nb, int64_t window_ns,
                       pd_pair_clock *clock)
{
    memset(clock, 0, sizeof *clock);
    for (size_t i = 0; i < na; i++)
        a[i].peer = -1;
    for (size_t i = 0; i < nb; i++)
        b[i].peer = -1;
    if (window_ns <= 0)
        window_ns = DEFAULT_WINDOW_NS;
    if (window_ns > STRONG_WINDOW_NS)
        window_ns = STRONG_WINDOW_NS;

    size_t nka, nkb;
    key_ref *ka = sorted_keys(a, na, &nka);
    key_ref *kb = sorted_keys(b, nb, &nkb);
    estimate_clock(a, ka, nka, b, kb, nkb, clock);

    match_ctx m = { a, b, clock, window_ns, 0, g_array_new(FALSE, FALSE, sizeof(cand)) };
    for_each_common_run(ka, nka, kb, nkb, match_run, &m);
    g_array_free(m.cands, TRUE);
    g_free(ka);
    g_free(kb);
    return m.matched;
}
