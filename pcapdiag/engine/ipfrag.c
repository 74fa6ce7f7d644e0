/* ipfrag.c - IPv4 (RFC 791 section 3.2, RFC 815) and IPv6 (RFC 8200 section 4.5) fragment
 * reassembly in bounded memory, reporting datagrams that never completed.
 *
 * Each datagram keeps one buffer indexed by fragment offset and a bitmap of
 * the 8-octet blocks stored (both protocols count offsets in 8-octet units,
 * and every fragment but the last is a whole number of them). What counts
 * against max_bytes is what is allocated: the buffer's capacity, the bitmap
 * and a fixed charge per datagram, so a crafted fragment at offset 65000 or
 * a flood of empty fragments costs what it really costs. Overlaps: the first
 * bytes stored for an offset win (RFC 5722 would drop the datagram; a
 * diagnoser wants to see what the receiver most likely saw).
 *
 * The on_incomplete callback runs inside pd_frag_add (evictions),
 * pd_frag_expire and pd_frag_flush; it must not call back into the table.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ipfrag.h"

#include <glib.h>
#include <string.h>

/* No reassembled IP packet can exceed 65535 octets in its length field. */
#define PD_FRAG_MAX_LEN 65535u

typedef struct pd_frag_key {
    pd_addr src, dst;
    uint32_t ident;
    uint8_t proto; /* IPv4 only: RFC 8200 matches IPv6 fragments on addresses and ident */
    uint8_t version;
} pd_frag_key;

typedef struct pd_frag_dg {
    pd_frag_key key;
    struct pd_frag_dg *prev, *next; /* arrival order of first fragments */
    uint8_t proto, ttl;
    bool have_first, have_last;
    uint8_t *buf; /* upper-layer bytes by offset, capacity cap */
    uint8_t *map; /* bit per 8-octet block of buf: stored */
    size_t cap;
    size_t charge;  /* counted against max_bytes */
    size_t covered; /* distinct bytes stored */
    size_t max_end; /* highest end offset stored */
    size_t total;   /* when have_last */
    uint32_t n_frames;
    uint64_t frames[PD_FRAG_MAX_FRAMES];
    uint64_t first_frame, last_frame;
    int64_t first_ts_ns, last_ts_ns;
} pd_frag_dg;

struct pd_frag_table {
    size_t max_bytes;
    int64_t timeout_ns;
    pd_frag_incomplete_fn on_incomplete;
    void *user;
    GHashTable *by_key; /* pd_frag_key* -> pd_frag_dg* */
    pd_frag_dg *head, *tail;
    size_t held;
    uint64_t refused;
    uint8_t *out_buf; /* bytes of the last completed datagram, until the next call */
};

/* Per-datagram bookkeeping: the struct and its hash table slot. */
#define PD_FRAG_DG_CHARGE (sizeof(pd_frag_dg) + 64)

static size_t pd_frag_map_bytes(size_t cap)
{
    size_t blocks = (cap + 7) / 8;
    return (blocks + 7) / 8;
}

static size_t pd_frag_charge_for(size_t cap)
{
    return PD_FRAG_DG_CHARGE + cap + pd_frag_map_bytes(cap);
}

static bool pd_frag_block_has(const pd_frag_dg *dg, size_t b)
{
    return (dg->map[b / 8] >> (b % 8)) & 1;
}

static guint pd_frag_key_hash(gconstpointer p)
{
    const pd_frag_key *k = p;
    size_t n = k->version == 6 ? 16 : 4;
    guint32 h = 2166136261u; /* FNV-1a */
#define PD_FRAG_MIX(byte) (h = (h ^ (uint8_t)(byte)) * 16777619u)
    for (size_t i = 0; i < n; i++) {
        PD_FRAG_MIX(k->src.a[i]);
        PD_FRAG_MIX(k->dst.a[i]);
    }
    for (int s = 0; s < 32; s += 8)
        PD_FRAG_MIX(k->ident >> s);
    PD_FRAG_MIX(k->proto);
    PD_FRAG_MIX(k->version);
#undef PD_FRAG_MIX
    return h;
}

static gboolean pd_frag_key_equal(gconstpointer pa, gconstpointer pb)
{
    const pd_frag_key *a = pa, *b = pb;
    return a->version == b->version && a->ident == b->ident && a->proto == b->proto &&
           pd_addr_equal(&a->src, &b->src) && pd_addr_equal(&a->dst, &b->dst);
}

pd_frag_table *pd_frag_table_new(size_t max_bytes, int64_t timeout_ns,
                                 pd_frag_incomplete_fn on_incomplete, void *user)
{
    pd_frag_table *t = g_new0(pd_frag_table, 1);
    t->max_bytes = max_bytes;
    t->timeout_ns = timeout_ns;
    t->on_incomplete = on_incomplete;
    t->user = user;
    t->by_key = g_hash_table_new(pd_frag_key_hash, pd_frag_key_equal);
    return t;
}

static void pd_frag_release_out(pd_frag_table *t)
{
    g_free(t->out_buf);
    t->out_buf = NULL;
}

static void pd_frag_unlink(pd_frag_table *t, pd_frag_dg *dg)
{
    if (dg->prev)
        dg->prev->next = dg->next;
    else
        t->head = dg->next;
    if (dg->next)
        dg->next->prev = dg->prev;
    else
        t->tail = dg->prev;
    dg->prev = dg->next = NULL;
}

/* Forget a datagram; its buffer is freed unless the caller took it. */
static void pd_frag_destroy(pd_frag_table *t, pd_frag_dg *dg)
{
    g_hash_table_remove(t->by_key, &dg->key);
    pd_frag_unlink(t, dg);
    t->held -= dg->charge;
    g_free(dg->buf);
    g_free(dg->map);
    g_free(dg);
}

/* Offset of the first byte never stored, counting from 0. */
static size_t pd_frag_first_missing(const pd_frag_dg *dg)
{
    size_t blocks = (dg->cap + 7) / 8;
    size_t b = 0;
    while (b < blocks && pd_frag_block_has(dg, b))
        b++;
    size_t off = b * 8;
    /* Only a last fragment can end inside a block. */
    if (off > dg->max_end)
        off = dg->max_end;
    return off;
}

static void pd_frag_report(pd_frag_table *t, const pd_frag_dg *dg, bool evicted)
{
    if (!t->on_incomplete)
        return;
    pd_frag_incomplete inc;
    memset(&inc, 0, sizeof inc);
    inc.src = dg->key.src;
    inc.dst = dg->key.dst;
    inc.proto = dg->proto;
    inc.ident = dg->key.ident;
    inc.n_frames = dg->n_frames;
    memcpy(inc.frames, dg->frames, sizeof inc.frames);
    inc.first_frame = dg->first_frame;
    inc.last_frame = dg->last_frame;
    inc.first_ts_ns = dg->first_ts_ns;
    inc.last_ts_ns = dg->last_ts_ns;
    inc.bytes_received = dg->covered;
    inc.have_first = dg->have_first;
    inc.have_last = dg->have_last;
    inc.total_len = dg->have_last ? dg->total : 0;
    size_t fm = pd_frag_first_missing(dg);
    inc.first_missing = (uint32_t)fm;
    if (dg->have_first) {
        size_t n = fm < sizeof inc.l4_prefix ? fm : sizeof inc.l4_prefix;
        memcpy(inc.l4_prefix, dg->buf, n);
    }
    inc.evicted = evicted;
    t->on_incomplete(&inc, t->user);
}

static pd_frag_result pd_frag_refuse(pd_frag_table *t, size_t bytes)
{
    t->refused += bytes;
    return PD_FRAG_REFUSED;
}

/* Buffer capacity after storing up to `end`: doubling keeps in-order
 * arrival linear, but never beyond what the datagram can hold. */
static size_t pd_frag_grow(const pd_frag_dg *dg, size_t end, bool last)
{
    size_t cap = dg ? dg->cap : 0;
    if (end <= cap)
        return cap;
    size_t n = cap * 2;
    if (n < end)
        n = end;
    size_t limit = last ? end : dg && dg->have_last ? dg->total : PD_FRAG_MAX_LEN;
    if (n > limit)
        n = limit;
    return n < end ? end : n;
}

static void pd_frag_record_frame(pd_frag_dg *dg, uint64_t frame, int64_t ts_ns)
{
    if (dg->n_frames < PD_FRAG_MAX_FRAMES)
        dg->frames[dg->n_frames] = frame;
    if (dg->n_frames == 0) {
        dg->first_frame = frame;
        dg->first_ts_ns = ts_ns;
    }
    if (dg->n_frames < UINT32_MAX)
        dg->n_frames++;
    dg->last_frame = frame;
    dg->last_ts_ns = ts_ns;
}

pd_frag_result pd_frag_add(pd_frag_table *t, const pd_ip *frag, uint64_t frame, int64_t ts_ns,
                           pd_frag_datagram *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!t)
        return PD_FRAG_REFUSED;
    pd_frag_release_out(t);
    if (!frag || (frag->version != 4 && frag->version != 6))
        return PD_FRAG_REFUSED;

    size_t off = frag->frag_offset;
    size_t len = frag->payload_wire_len;
    bool mf = frag->more_fragments;

    if (off % 8 != 0)
        return pd_frag_refuse(t, frag->payload_len);
    if (mf && len % 8 != 0) {
        /* RFC 8200 section 4.5: an IPv6 fragment with M set must be a
         * multiple of 8 octets, else it is discarded. IPv4 receivers (Linux
         * among them) keep the whole 8-octet units and drop the tail. */
        if (frag->version == 6)
            return pd_frag_refuse(t, frag->payload_len);
        len &= ~(size_t)7;
    }
    /* A fragment cut short by the snapshot length has a hole that was
     * never on the wire: it cannot be reassembled faithfully. */
    if (frag->payload_len < len || (len > 0 && !frag->payload))
        return pd_frag_refuse(t, frag->payload_len);

    /* The reassembled packet's own length field must hold it: 65535 minus
     * the IPv4 header, or minus the IPv6 extension headers and Fragment
     * header (RFC 8200 section 4.5, "Payload Length ... exceed 65,535"). */
    size_t before = frag->version == 4 ? (frag->header_len > 20 ? frag->header_len : 20)
                                       : (frag->header_len > 48 ? frag->header_len - 40 : 8);
    if (before > PD_FRAG_MAX_LEN || off + len > PD_FRAG_MAX_LEN - before)
        return pd_frag_refuse(t, frag->payload_len);
    size_t end = off + len;

    pd_frag_key key;
    memset(&key, 0, sizeof key);
    key.src = frag->src;
    key.dst = frag->dst;
    key.ident = frag->ident;
    key.proto = frag->version == 4 ? frag->proto : 0;
    key.version = frag->version;
    pd_frag_dg *dg = g_hash_table_lookup(t->by_key, &key);

    if (dg) {
        /* The end of the datagram is set once (RFC 815): a second last
         * fragment that disagrees, or data beyond the end, is a bad fragment. */
        if (!mf && ((dg->have_last && end != dg->total) || dg->max_end > end))
            return pd_frag_refuse(t, frag->payload_len);
        if (mf && dg->have_last && end > dg->total)
            return pd_frag_refuse(t, frag->payload_len);
    }

    /* Capacity only for bytes stored: an empty fragment costs bookkeeping alone. */
    size_t new_cap = pd_frag_grow(dg, len ? end : 0, !mf);
    size_t new_charge = pd_frag_charge_for(new_cap);
    size_t old_charge = dg ? dg->charge : 0;
    if (new_charge > t->max_bytes)
        return pd_frag_refuse(t, frag->payload_len);
    size_t delta = new_charge - old_charge;

    /* Make room by giving up the oldest other datagrams. Enough is always
     * found: with every other one gone, held is this one's old charge. */
    while (t->held + delta > t->max_bytes) {
        pd_frag_dg *victim = t->head;
        if (victim && victim == dg)
            victim = dg->next;
        if (!victim)
            break;
        pd_frag_report(t, victim, true);
        pd_frag_destroy(t, victim);
    }

    if (!dg) {
        dg = g_new0(pd_frag_dg, 1);
        dg->key = key;
        dg->proto = frag->proto;
        dg->ttl = frag->ttl;
        dg->prev = t->tail;
        if (t->tail)
            t->tail->next = dg;
        else
            t->head = dg;
        t->tail = dg;
        g_hash_table_insert(t->by_key, &dg->key, dg);
    }
    if (new_cap > dg->cap) {
        size_t old_map = pd_frag_map_bytes(dg->cap), map = pd_frag_map_bytes(new_cap);
        dg->buf = g_realloc(dg->buf, new_cap);
        dg->map = g_realloc(dg->map, map);
        memset(dg->map + old_map, 0, map - old_map);
        dg->cap = new_cap;
    }
    t->held += new_charge - dg->charge;
    dg->charge = new_charge;

    /* Store the blocks not yet stored: the first writer wins. */
    for (size_t b = off / 8; b * 8 < end; b++) {
        size_t lo = b * 8, hi = lo + 8 < end ? lo + 8 : end;
        if (pd_frag_block_has(dg, b))
            continue;
        memcpy(dg->buf + lo, frag->payload + (lo - off), hi - lo);
        dg->map[b / 8] |= (uint8_t)(1u << (b % 8));
        dg->covered += hi - lo;
    }
    if (end > dg->max_end)
        dg->max_end = end;
    if (!mf) {
        dg->have_last = true;
        dg->total = end;
    }
    if (off == 0) {
        /* RFC 8200 section 4.5: only the offset-0 fragment's Next Header
         * counts; the IPv4 TTL of the first fragment is the one to report. */
        dg->proto = frag->proto;
        dg->ttl = frag->ttl;
        if (len > 0)
            dg->have_first = true;
    }
    pd_frag_record_frame(dg, frame, ts_ns);

    if (!dg->have_last || dg->covered != dg->total)
        return PD_FRAG_HELD;

    if (out) {
        out->src = dg->key.src;
        out->dst = dg->key.dst;
        out->proto = dg->proto;
        out->ident = dg->key.ident;
        out->ttl = dg->ttl;
        out->data = dg->buf;
        out->len = dg->total;
        out->n_frames = dg->n_frames;
        memcpy(out->frames, dg->frames, sizeof out->frames);
        out->first_frame = dg->first_frame;
        out->last_frame = dg->last_frame;
        out->first_ts_ns = dg->first_ts_ns;
        out->last_ts_ns = dg->last_ts_ns;
    }
    /* Hand the buffer over to the table until the next call. */
    t->out_buf = dg->buf;
    dg->buf = NULL;
    pd_frag_destroy(t, dg);
    return PD_FRAG_COMPLETE;
}

/* now - first > timeout, without overflow on hostile timestamps. */
static bool pd_frag_is_due(int64_t first_ts_ns, int64_t now_ns, int64_t timeout_ns)
{
    return now_ns > first_ts_ns && (uint64_t)now_ns - (uint64_t)first_ts_ns > (uint64_t)timeout_ns;
}

void pd_frag_expire(pd_frag_table *t, int64_t now_ns)
{
    if (!t)
        return;
    pd_frag_release_out(t);
    if (t->timeout_ns <= 0)
        return; /* no timeout: only the byte cap and the end of capture give up */
    /* Oldest first: the loop stops at the first datagram not yet due, so a
     * call with nothing to do costs one comparison. */
    while (t->head && pd_frag_is_due(t->head->first_ts_ns, now_ns, t->timeout_ns)) {
        pd_frag_dg *dg = t->head;
        pd_frag_report(t, dg, false);
        pd_frag_destroy(t, dg);
    }
}

void pd_frag_flush(pd_frag_table *t)
{
    if (!t)
        return;
    pd_frag_release_out(t);
    while (t->head) {
        pd_frag_dg *dg = t->head;
        pd_frag_report(t, dg, false);
        pd_frag_destroy(t, dg);
    }
}

void pd_frag_table_free(pd_frag_table *t)
{
    if (!t)
        return;
    pd_frag_release_out(t);
    while (t->head)
        pd_frag_destroy(t, t->head);
    g_hash_table_destroy(t->by_key);
    g_free(t);
}

size_t pd_frag_bytes_held(const pd_frag_table *t)
{
    return t ? t->held : 0;
}

uint64_t pd_frag_bytes_refused(const pd_frag_table *t)
{
    return t ? t->refused : 0;
}
