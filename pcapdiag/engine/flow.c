/* flow.c - the live-flow table: hash by canonical endpoints, LRU order for
 * idle expiry and cap eviction (no RFC; the memory bound is the design).
 *
 * Each flow sits in two structures at once: a hash chain (for lookup) and a
 * doubly linked LRU list, least recently seen at the head. Touching a flow
 * moves it to the tail, so idle expiry only ever looks at the head and stops
 * at the first flow that is still fresh: O(expired + 1) per call.
 *
 * Closing always unlinks the flow from both structures before on_close runs
 * and frees it only afterwards, so the callback may look up (even create)
 * other flows in the same table without invalidating any iteration here:
 * every loop re-reads the LRU head after each callback.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "flow.h"

#include <string.h>

#include <glib.h>

#define PD_FLOW_MIN_BUCKETS 16u

struct pd_flow_table {
    pd_flow **buckets;
    size_t n_buckets; /* always a power of two */
    size_t count, peak, max_flows;
    uint64_t evicted;
    int64_t idle_timeout_ns;
    pd_flow_close_fn on_close;
    void *user;
    pd_flow *lru_head, *lru_tail; /* head: least recently seen */
};

/* Local copy of the address order so the table does not depend on ip.c:
 * family first, then the bytes that family uses (IPv4 ignores a[4..15]). */
static int pd_flow_addr_cmp(const pd_addr *a, const pd_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    size_t n = a->family == 4 ? 4 : sizeof a->a;
    return memcmp(a->a, b->a, n);
}

/* Copy an address so that unused bytes are zero: keys are hashed and
 * compared as raw bytes, so any stray byte would split one flow in two. */
static void pd_flow_addr_copy(pd_addr *dst, const pd_addr *src)
{
    memset(dst, 0, sizeof *dst);
    dst->family = src->family;
    size_t n = src->family == 4 ? 4 : sizeof src->a;
    memcpy(dst->a, src->a, n);
}

void pd_flow_key_make(pd_flow_key *key, uint8_t kind, uint8_t proto, const pd_addr *src,
                      uint16_t sport, const pd_addr *dst, uint16_t dport, bool *forward)
{
    /* Whole struct first: padding bytes take part in hashing and memcmp. */
    memset(key, 0, sizeof *key);
    key->kind = kind;
    key->proto = proto;

    int c = pd_flow_addr_cmp(src, dst);
    bool fwd = c < 0 || (c == 0 && sport <= dport);
    if (fwd) {
        pd_flow_addr_copy(&key->addr_lo, src);
        pd_flow_addr_copy(&key->addr_hi, dst);
        key->port_lo = sport;
        key->port_hi = dport;
    } else {
        pd_flow_addr_copy(&key->addr_lo, dst);
        pd_flow_addr_copy(&key->addr_hi, src);
        key->port_lo = dport;
        key->port_hi = sport;
    }
    if (forward)
        *forward = fwd;
}

/* The key (our own struct, fully initialised by pd_flow_key_make) read as
 * 64-bit words, each mixed in with a multiply, then the 64-bit avalanche
 * finaliser from MurmurHash3 so the low bits used as the bucket index
 * depend on every input bit. A byte-at-a-time FNV over the 40 bytes showed
 * up in profiles of every VPN packet. */
uint64_t pd_flow_key_hash(const pd_flow_key *key)
{
    G_STATIC_ASSERT(sizeof(pd_flow_key) % sizeof(uint64_t) == 0);
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = 0x243f6a8885a308d3ull;
    for (size_t i = 0; i < sizeof *key; i += sizeof(uint64_t)) {
        uint64_t w;
        memcpy(&w, p + i, sizeof w);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static size_t pd_flow_bucket(const pd_flow_table *t, const pd_flow_key *key)
{
    return (size_t)(pd_flow_key_hash(key) & (uint64_t)(t->n_buckets - 1));
}

pd_flow_table *pd_flow_table_new(size_t max_flows, int64_t idle_timeout_ns,
                                 pd_flow_close_fn on_close, void *user)
{
    pd_flow_table *t = g_new0(pd_flow_table, 1);
    t->n_buckets = PD_FLOW_MIN_BUCKETS;
    t->buckets = g_new0(pd_flow *, t->n_buckets);
    t->max_flows = max_flows; /* 0: no cap */
    t->idle_timeout_ns = idle_timeout_ns; /* <= 0: no idle expiry */
    t->on_close = on_close;
    t->user = user;
    return t;
}

void pd_flow_table_free(pd_flow_table *t)
{
    if (!t)
        return;
    pd_flow_table_close_all(t);
    g_free(t->buckets);
    g_free(t);
}

/* ---- LRU list ---- */

static void pd_flow_lru_unlink(pd_flow_table *t, pd_flow *f)
{
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        t->lru_head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        t->lru_tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void pd_flow_lru_append(pd_flow_table *t, pd_flow *f)
{
    f->lru_next = NULL;
    f->lru_prev = t->lru_tail;
    if (t->lru_tail)
        t->lru_tail->lru_next = f;
    else
        t->lru_head = f;
    t->lru_tail = f;
}

/* ---- hash chains ---- */

static void pd_flow_hash_unlink(pd_flow_table *t, pd_flow *f)
{
    pd_flow **pp = &t->buckets[pd_flow_bucket(t, &f->key)];
    while (*pp && *pp != f)
        pp = &(*pp)->hash_next;
    if (*pp)
        *pp = f->hash_next;
    f->hash_next = NULL;
}

/* Double the bucket array once the load factor passes 1. Chains are
 * relinked in place; no flow moves in memory, so pointers held by trackers
 * stay valid. */
static void pd_flow_grow(pd_flow_table *t)
{
    if (t->n_buckets > SIZE_MAX / 2 / sizeof(pd_flow *))
        return; /* cannot double; longer chains are still correct */
    size_t n = t->n_buckets * 2;
    pd_flow **nb = g_new0(pd_flow *, n);
    for (size_t i = 0; i < t->n_buckets; i++) {
        pd_flow *f = t->buckets[i];
        while (f) {
            pd_flow *next = f->hash_next;
            size_t b = (size_t)(pd_flow_key_hash(&f->key) & (uint64_t)(n - 1));
            f->hash_next = nb[b];
            nb[b] = f;
            f = next;
        }
    }
    g_free(t->buckets);
    t->buckets = nb;
    t->n_buckets = n;
}

/* Take f out of the table, tell the owner, then free it. */
static void pd_flow_close(pd_flow_table *t, pd_flow *f, pd_flow_close_reason why)
{
    pd_flow_hash_unlink(t, f);
    pd_flow_lru_unlink(t, f);
    t->count--;
    if (why == PD_FLOW_CLOSE_EVICTED)
        t->evicted++;
    if (t->on_close)
        t->on_close(f, why, t->user);
    g_free(f);
}

pd_flow *pd_flow_lookup(pd_flow_table *t, const pd_flow_key *key, bool create, bool *created,
                        uint64_t frame, int64_t ts_ns)
{
    if (created)
        *created = false;

    for (pd_flow *f = t->buckets[pd_flow_bucket(t, key)]; f; f = f->hash_next) {
        if (memcmp(&f->key, key, sizeof *key) != 0)
            continue;
        f->last_frame = frame;
        /* Capture clocks can step back; never let a flow look older than
         * it is, or idle expiry would close a live flow. */
        if (ts_ns > f->last_ts_ns)
            f->last_ts_ns = ts_ns;
        if (f != t->lru_tail) {
            pd_flow_lru_unlink(t, f);
            pd_flow_lru_append(t, f);
        }
        return f;
    }
    if (!create)
        return NULL;

    /* A loop, not an if: on_close may itself have created flows. */
    while (t->max_flows && t->count >= t->max_flows && t->lru_head)
        pd_flow_close(t, t->lru_head, PD_FLOW_CLOSE_EVICTED);

    pd_flow *f = g_new0(pd_flow, 1);
    f->key = *key;
    f->first_ts_ns = f->last_ts_ns = ts_ns;
    f->first_frame = f->last_frame = frame;

    /* The bucket array may have grown inside on_close: index it only now. */
    size_t b = pd_flow_bucket(t, key);
    f->hash_next = t->buckets[b];
    t->buckets[b] = f;
    pd_flow_lru_append(t, f);
    t->count++;
    if (t->count > t->peak)
        t->peak = t->count;
    if (t->count > t->n_buckets)
        pd_flow_grow(t);
    if (created)
        *created = true;
    return f;
}

void pd_flow_table_expire(pd_flow_table *t, int64_t now_ns)
{
    if (t->idle_timeout_ns <= 0)
        return;
    /* The head is the least recently seen flow: once it is fresh, all are.
     * The difference is taken in unsigned arithmetic so extreme timestamps
     * cannot overflow. */
    while (t->lru_head) {
        pd_flow *f = t->lru_head;
        if (now_ns <= f->last_ts_ns ||
            (uint64_t)now_ns - (uint64_t)f->last_ts_ns <= (uint64_t)t->idle_timeout_ns)
            break;
        pd_flow_close(t, f, PD_FLOW_CLOSE_IDLE);
    }
}

void pd_flow_table_close_all(pd_flow_table *t)
{
    /* Oldest first, so end-of-capture output does not depend on hashing. */
    while (t->lru_head)
        pd_flow_close(t, t->lru_head, PD_FLOW_CLOSE_END);
}

void pd_flow_table_close(pd_flow_table *t, pd_flow *flow, pd_flow_close_reason why)
{
    pd_flow_close(t, flow, why);
}

size_t pd_flow_table_count(const pd_flow_table *t)
{
    return t->count;
}

size_t pd_flow_table_peak(const pd_flow_table *t)
{
    return t->peak;
}

uint64_t pd_flow_table_evicted(const pd_flow_table *t)
{
    return t->evicted;
}
