/* pair.c - pair a client-side and a server-side capture: give every
 * recorded packet its direction, match packets across the captures
 * (pair_match.c), pair the VPN sessions by the packets they share (so a NAT
 * in between changes nothing), then follow each packet of each paired
 * session: arrived, arrived changed (and which field), lost, or seen
 * arriving without having been sent; and what a NAT translated.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "pair_internal.h"
#include "pair_verdict.h"
#include "tcp.h"

G_DEFINE_QUARK(pd-pair-error-quark, pd_pair_error)

/* A lost packet this close to the edge of the other capture's frames may
 * simply not have been captured there yet (or any more). */
#define WINDOW_MARGIN_NS INT64_C(100000000)
/* Two captures "overlap" if their frame spans come this close. */
#define OVERLAP_SLACK_NS INT64_C(1000000000)
/* Unattributed packets between a session's addresses count as its own
 * from this long before its first packet to this long after its last (an
 * ICMP reassembly timeout comes up to 60 s later, RFC 791). */
#define LOOSE_BEFORE_NS INT64_C(1000000000)
#define LOOSE_AFTER_NS INT64_C(60000000000)

const char *pd_pair_role_name(pd_pair_role r)
{
    return r == PD_PAIR_SERVER ? "server" : "client";
}

const char *pd_pair_fate_name(pd_pair_fate f)
{
    switch (f) {
    case PD_PAIR_ARRIVED: return "arrived";
    case PD_PAIR_MODIFIED: return "modified";
    case PD_PAIR_LOST: return "lost";
    case PD_PAIR_UNSENT: return "unsent";
    case PD_PAIR_PATH: return "path";
    case PD_PAIR_OFF_PATH: return "off_path";
    }
    return "unknown";
}

const char *pd_pair_change_kind_name(pd_pair_change_kind k)
{
    switch (k) {
    case PD_PAIR_CHANGE_MANGLED: return "mangled";
    case PD_PAIR_CHANGE_NAT: return "nat";
    case PD_PAIR_CHANGE_BENIGN: return "benign";
    }
    return "unknown";
}

bool pd_pair_roles_swapped(const pd_capture_stats *first, const pd_capture_stats *second)
{
    if (!first || !second)
        return false;
    return (first->vantage == PD_VANTAGE_SERVER && second->vantage != PD_VANTAGE_SERVER) ||
           (second->vantage == PD_VANTAGE_CLIENT && first->vantage != PD_VANTAGE_CLIENT);
}

/* ---- directions ---------------------------------------------------------------- */

static uint64_t addr_key(const uint8_t a[16])
{
    return pd_pair_hash(PD_PAIR_HASH_INIT, a, 16);
}

static uint64_t addr_pair_key(const uint8_t src[16], const uint8_t dst[16])
{
    return pd_pair_hash(addr_key(src), dst, 16);
}

static bool ep_is(const pd_endpoint *ep, const pd_addr *a)
{
    return ep->family == a->family && memcmp(ep->addr, a->a, 16) == 0;
}

static pd_dir dir_in_session(const pd_session *s, const pd_pair_pkt *p)
{
    if (ep_is(&s->client, &p->src) && ep_is(&s->server, &p->dst))
        return PD_DIR_TO_SERVER;
    if (ep_is(&s->server, &p->src) && ep_is(&s->client, &p->dst))
        return PD_DIR_TO_CLIENT;
    if (ep_is(&s->server, &p->dst))
        return PD_DIR_TO_SERVER;
    if (ep_is(&s->server, &p->src))
        return PD_DIR_TO_CLIENT;
    return PD_DIR_OTHER;
}

/* Every packet's direction in its own capture: from its session's roles,
 * or for packets the engine gave no session (a lone first fragment, say),
 * from any session between the same two addresses, then from the servers'
 * addresses. */
static void set_directions(const pd_engine *e, pd_pair_capture *rec)
{
    GHashTable *pairs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    GHashTable *servers = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    size_t ns = pd_engine_session_count(e);
    for (size_t i = 0; i < ns; i++) {
        const pd_session *s = pd_engine_session(e, i);
        gint64 k1 = (gint64)addr_pair_key(s->client.addr, s->server.addr);
        gint64 k2 = (gint64)addr_pair_key(s->server.addr, s->client.addr);
        if (!g_hash_table_contains(pairs, &k1))
            g_hash_table_insert(pairs, g_memdup2(&k1, sizeof k1), GINT_TO_POINTER(PD_DIR_TO_SERVER + 1));
        if (!g_hash_table_contains(pairs, &k2))
            g_hash_table_insert(pairs, g_memdup2(&k2, sizeof k2), GINT_TO_POINTER(PD_DIR_TO_CLIENT + 1));
        gint64 k3 = (gint64)addr_key(s->server.addr);
        if (!g_hash_table_contains(servers, &k3))
            g_hash_table_insert(servers, g_memdup2(&k3, sizeof k3), GINT_TO_POINTER(1));
    }
    pd_pair_pkt *pk = (pd_pair_pkt *)(void *)rec->pkts->data;
    for (guint i = 0; i < rec->pkts->len; i++) {
        pd_pair_pkt *p = &pk[i];
        p->dir = PD_DIR_OTHER;
        const pd_session *s = p->session ? pd_engine_session_by_id(e, p->session) : NULL;
        if (s) {
            p->dir = dir_in_session(s, p);
        } else {
            gint64 k = (gint64)addr_pair_key(p->src.a, p->dst.a);
            gpointer v = g_hash_table_lookup(pairs, &k);
            if (v) {
                p->dir = (pd_dir)(GPOINTER_TO_INT(v) - 1);
            } else {
                gint64 kd = (gint64)addr_key(p->dst.a), ks = (gint64)addr_key(p->src.a);
                if (g_hash_table_contains(servers, &kd))
                    p->dir = PD_DIR_TO_SERVER;
                else if (g_hash_table_contains(servers, &ks))
                    p->dir = PD_DIR_TO_CLIENT;
            }
        }
        p->ident = 0;
        if (p->ident_base)
            p->ident = p->ident_dir ? pd_pair_hash_u64(p->ident_base, (uint64_t)p->dir + 1) : p->ident_base;
        if (p->ident_dir && p->dir == PD_DIR_OTHER)
            p->ident = 0; /* GRE/TCP numbering is per direction: unusable without one */
    }
    g_hash_table_destroy(pairs);
    g_hash_table_destroy(servers);
}

/* Where each session's packets are, and the packets of no session by the
 * (unordered) pair of addresses they travel between: so that building a
 * session touches its own packets only. */
typedef struct pkt_index {
    GHashTable *by_session; /* session id -> GArray of guint */
    GHashTable *loose;      /* address pair -> GArray of guint */
} pkt_index;

static uint64_t unordered_key(const uint8_t a[16], const uint8_t b[16])
{
    return memcmp(a, b, 16) <= 0 ? addr_pair_key(a, b) : addr_pair_key(b, a);
}

static void index_add(GHashTable *t, gint64 key, guint i)
{
    GArray *v = g_hash_table_lookup(t, &key);
    if (!v) {
        v = g_array_new(FALSE, FALSE, sizeof(guint));
        g_hash_table_insert(t, g_memdup2(&key, sizeof key), v);
    }
    g_array_append_val(v, i);
}

static void free_array(gpointer p)
{
    g_array_free(p, TRUE);
}

static void index_build(pkt_index *x, const pd_pair_capture *rec)
{
    x->by_session = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_array);
    x->loose = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_array);
    const pd_pair_pkt *pk = (const pd_pair_pkt *)(void *)rec->pkts->data;
    for (guint i = 0; i < rec->pkts->len; i++) {
        if (pk[i].session)
            index_add(x->by_session, pk[i].session, i);
        else
            index_add(x->loose, (gint64)unordered_key(pk[i].src.a, pk[i].dst.a), i);
    }
}

static void index_free(pkt_index *x)
{
    g_hash_table_destroy(x->by_session);
    g_hash_table_destroy(x->loose);
}

static GArray *index_session(const pkt_index *x, uint32_t id)
{
    gint64 k = id;
    return g_hash_table_lookup(x->by_session, &k);
}

static GArray *index_loose(const pkt_index *x, const pd_session *s)
{
    gint64 k = (gint64)unordered_key(s->client.addr, s->server.addr);
    return g_hash_table_lookup(x->loose, &k);
}

/* ---- session pairing ---------------------------------------------------------- */

typedef struct vote {
    uint32_t sc, ss;
    uint64_t n;
} vote;

static int vote_cmp(const void *x, const void *y)
{
    const vote *p = x, *q = y;
    if (p->n != q->n)
        return p->n > q->n ? -1 : 1;
    if (p->sc != q->sc)
        return p->sc < q->sc ? -1 : 1;
    return p->ss < q->ss ? -1 : p->ss > q->ss;
}

typedef struct pairing {
    uint32_t sc, ss; /* session ids, 0 = none */
} pairing;

static bool sessions_compatible(const pd_session *c, const pd_session *s)
{
    if (c->protocol != s->protocol)
        return false;
    /* IKE sessions of one attempt may be reported as IKEv1 in one capture
     * and ESP in the other? No: the engine keeps ESP inside its IKE
     * session. Same protocol is enough. */
    return true;
}

static int64_t to_client_clock(int64_t server_ts, const pd_pair_clock *clock)
{
    return server_ts - clock->offset_ns;
}

static GArray *pair_sessions(pd_engine *const e[2], pd_pair_capture *const rec[2],
                             const pd_pair_clock *clock)
{
    size_t nc = pd_engine_session_count(e[0]), ns = pd_engine_session_count(e[1]);
    GHashTable *votes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    const pd_pair_pkt *pc = (const pd_pair_pkt *)(void *)rec[0]->pkts->data;
    const pd_pair_pkt *ps = (const pd_pair_pkt *)(void *)rec[1]->pkts->data;
    for (guint i = 0; i < rec[0]->pkts->len; i++) {
        if (pc[i].peer < 0 || !pc[i].session || !ps[pc[i].peer].session)
            continue;
        gint64 k = (gint64)((uint64_t)pc[i].session << 32 | ps[pc[i].peer].session);
        uint64_t *n = g_hash_table_lookup(votes, &k);
        if (!n) {
            n = g_new0(uint64_t, 1);
            g_hash_table_insert(votes, g_memdup2(&k, sizeof k), n);
        }
        (*n)++;
    }
    GArray *vs = g_array_new(FALSE, FALSE, sizeof(vote));
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, votes);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        uint64_t k = (uint64_t)*(gint64 *)key;
        vote v = { (uint32_t)(k >> 32), (uint32_t)k, *(uint64_t *)val };
        g_array_append_val(vs, v);
    }
    g_hash_table_destroy(votes);
    pd_pair_sort(vs->data, vs->len, sizeof(vote), vote_cmp);

    bool *used_c = g_new0(bool, nc + 1), *used_s = g_new0(bool, ns + 1);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(pairing));
    for (guint i = 0; i < vs->len; i++) {
        const vote *v = &g_array_index(vs, vote, i);
        if (v->sc > nc || v->ss > ns || used_c[v->sc] || used_s[v->ss])
            continue;
        const pd_session *c = pd_engine_session_by_id(e[0], v->sc);
        const pd_session *s = pd_engine_session_by_id(e[1], v->ss);
        if (!c || !s || !sessions_compatible(c, s))
            continue;
        used_c[v->sc] = used_s[v->ss] = true;
        pairing p = { v->sc, v->ss };
        g_array_append_val(out, p);
    }
    g_array_free(vs, TRUE);

    /* Sessions no packet ties together (every packet of them lost, say):
     * same protocol, same server address and port, overlapping in time. */
    GHashTable *by_server = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_array);
    for (size_t j = 0; j < ns; j++) {
        const pd_session *s = pd_engine_session(e[1], j);
        if (used_s[s->id])
            continue;
        uint64_t k = pd_pair_hash_u64(addr_key(s->server.addr), (uint64_t)s->protocol << 16 | s->server.port);
        index_add(by_server, (gint64)k, (guint)j);
    }
    for (size_t i = 0; i < nc; i++) {
        const pd_session *c = pd_engine_session(e[0], i);
        if (used_c[c->id])
            continue;
        gint64 k = (gint64)pd_pair_hash_u64(addr_key(c->server.addr), (uint64_t)c->protocol << 16 | c->server.port);
        GArray *cands = g_hash_table_lookup(by_server, &k);
        for (guint n = 0; cands && n < cands->len; n++) {
            const pd_session *s = pd_engine_session(e[1], g_array_index(cands, guint, n));
            if (used_s[s->id] || !sessions_compatible(c, s) || s->server.port != c->server.port ||
                memcmp(s->server.addr, c->server.addr, 16) != 0)
                continue;
            int64_t s0 = to_client_clock(s->first_ts_ns, clock), s1 = to_client_clock(s->last_ts_ns, clock);
            if (s0 > c->last_ts_ns + OVERLAP_SLACK_NS || c->first_ts_ns > s1 + OVERLAP_SLACK_NS)
                continue;
            used_c[c->id] = used_s[s->id] = true;
            pairing p = { c->id, s->id };
            g_array_append_val(out, p);
            break;
        }
    }
    g_hash_table_destroy(by_server);
    for (size_t i = 0; i < nc; i++) {
        const pd_session *c = pd_engine_session(e[0], i);
        if (!used_c[c->id]) {
            pairing p = { c->id, 0 };
            g_array_append_val(out, p);
        }
    }
    for (size_t j = 0; j < ns; j++) {
        const pd_session *s = pd_engine_session(e[1], j);
        if (!used_s[s->id]) {
            pairing p = { 0, s->id };
            g_array_append_val(out, p);
        }
    }
    g_free(used_c);
    g_free(used_s);
    return out;
}

/* ---- one paired session's packets ------------------------------------------------ */

static char *endpoint_text(const pd_addr *a, uint16_t port, bool has_port)
{
    char buf[64];
    pd_addr_str(a, buf, sizeof buf);
    if (!has_port)
        return g_strdup(buf);
    return a->family == 6 ? g_strdup_printf("[%s]:%u", buf, port) : g_strdup_printf("%s:%u", buf, port);
}

static bool has_ports(const pd_pair_pkt *p)
{
    return (p->proto == 6 || p->proto == 17) && (!p->is_frag || p->frag_off == 0);
}

static const char *kind_label(const pd_pair_pkt *p)
{
    if (p->is_frag)
        return "IP fragments";
    switch (p->proto) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 1:
    case 58: return "ICMP";
    default: return "IP";
    }
}

typedef struct nat_acc {
    GArray *list; /* pd_pair_nat */
} nat_acc;

/* The address part of "10.0.1.2:500" / "[2001:db8::1]:500" / "10.0.1.2". */
static char *addr_part(const char *ep, bool *has_port)
{
    const char *colon = strrchr(ep, ':');
    *has_port = false;
    if (ep[0] == '[') {
        const char *end = strchr(ep, ']');
        *has_port = end && end[1] == ':';
        return g_strndup(ep + 1, end ? (size_t)(end - ep - 1) : strlen(ep + 1));
    }
    if (colon && strchr(ep, ':') == colon) {
        *has_port = true;
        return g_strndup(ep, (size_t)(colon - ep));
    }
    return g_strdup(ep);
}

static void nat_add(GArray *list, const char *what, char *inside, char *outside, const char *carried)
{
    bool ip, op;
    char *ia = addr_part(inside, &ip), *oa = addr_part(outside, &op);
    bool endpoint = strcmp(what, "client") == 0 || strcmp(what, "server") == 0;
    for (guint i = 0; i < list->len; i++) {
        pd_pair_nat *n = &g_array_index(list, pd_pair_nat, i);
        if (strcmp(n->what, what) != 0)
            continue;
        bool same = strcmp(n->inside, inside) == 0 && strcmp(n->outside, outside) == 0;
        if (!same && endpoint) {
            /* GRE and ESP carry no ports: their translation is the
             * address part of one that does. */
            bool nip, nop;
            char *nia = addr_part(n->inside, &nip), *noa = addr_part(n->outside, &nop);
            same = strcmp(nia, ia) == 0 && strcmp(noa, oa) == 0 && (!ip || !nip);
            if (same && ip && !nip) {
                g_free(n->inside);
                g_free(n->outside);
                n->inside = g_strdup(inside);
                n->outside = g_strdup(outside);
            }
            g_free(nia);
            g_free(noa);
        }
        if (!same)
            continue;
        n->packets++;
        if (!strstr(n->carried, carried)) {
            char *c = g_strdup_printf("%s, %s", n->carried, carried);
            g_free(n->carried);
            n->carried = c;
        }
        g_free(inside);
        g_free(outside);
        g_free(ia);
        g_free(oa);
        return;
    }
    g_free(ia);
    g_free(oa);
    pd_pair_nat n = { g_strdup(what), inside, outside, g_strdup(carried), 1 };
    g_array_append_val(list, n);
}

static int nat_rank(const pd_pair_nat *n)
{
    return strcmp(n->what, "client") == 0 ? 0 : strcmp(n->what, "server") == 0 ? 1 : 2;
}

static int nat_cmp(const void *x, const void *y)
{
    const pd_pair_nat *p = x, *q = y;
    int a = nat_rank(p), b = nat_rank(q);
    if (a != b)
        return a < b ? -1 : 1;
    return p->packets > q->packets ? -1 : p->packets < q->packets;
}

/* The session's call IDs as each capture's control connection gave them. */
typedef struct call_ids {
    bool known[2];        /* per capture */
    int64_t client_id[2]; /* client_call_id: GRE to the client carries it */
    int64_t server_id[2]; /* server_call_id: GRE to the server carries it */
} call_ids;

static bool attr_num(const pd_session *s, const char *key, int64_t *out)
{
    if (!s)
        return false;
    for (size_t i = 0; i < s->n_attrs; i++) {
        if (strcmp(s->attrs[i].key, key) == 0 && s->attrs[i].kind != PD_ATTR_STR) {
            *out = s->attrs[i].num;
            return true;
        }
    }
    return false;
}

/* A GRE call ID that each capture point shows as the value its own
 * control connection announced is a NAT helper at work (the PPTP helpers
 * translate the call IDs in both the control messages and GRE, RFC 2637
 * section 4.1); any other change is damage. */
static pd_pair_change_kind classify_call_id(const call_ids *ids, pd_dir dir, const char *before,
                                            const char *after, bool natted)
{
    if (!ids->known[0] || !ids->known[1])
        return natted ? PD_PAIR_CHANGE_NAT : PD_PAIR_CHANGE_MANGLED;
    int64_t b = g_ascii_strtoll(before, NULL, 10), a = g_ascii_strtoll(after, NULL, 10);
    if (dir == PD_DIR_TO_CLIENT)
        return b == ids->client_id[1] && a == ids->client_id[0] ? PD_PAIR_CHANGE_NAT : PD_PAIR_CHANGE_MANGLED;
    if (dir == PD_DIR_TO_SERVER)
        return b == ids->server_id[0] && a == ids->server_id[1] ? PD_PAIR_CHANGE_NAT : PD_PAIR_CHANGE_MANGLED;
    return PD_PAIR_CHANGE_MANGLED;
}

typedef struct row_ref {
    int64_t ic, is; /* packet index in each capture, -1 none */
} row_ref;

/* Was the other capture running when the packet should have shown up? It
 * had started if it has a frame before; it was still running if it has
 * frames a margin after (a packet in flight when it stopped is not lost). */
static bool in_window(int64_t t, int64_t first, int64_t last)
{
    return t >= first && t <= last - WINDOW_MARGIN_NS;
}

static int packet_cmp(const void *x, const void *y)
{
    const pd_pair_packet *p = x, *q = y;
    if (p->t_ns != q->t_ns)
        return p->t_ns < q->t_ns ? -1 : 1;
    uint64_t fp = p->frame[0] ? p->frame[0] : p->frame[1];
    uint64_t fq = q->frame[0] ? q->frame[0] : q->frame[1];
    return fp < fq ? -1 : fp > fq;
}

static void build_session(pd_pair_session *ps, pd_pair_capture *const rec[2], const pd_pair_clock *clock,
                          const int64_t span[2][2], uint8_t *used[2], const pkt_index idx[2])
{
    const pd_pair_pkt *pk[2] = { (const pd_pair_pkt *)(void *)rec[0]->pkts->data,
                                 (const pd_pair_pkt *)(void *)rec[1]->pkts->data };
    uint32_t sid[2] = { ps->side[0] ? ps->side[0]->id : 0, ps->side[1] ? ps->side[1]->id : 0 };
    GArray *refs = g_array_new(FALSE, FALSE, sizeof(row_ref));
    for (int side = 0; side < 2; side++) {
        if (!sid[side])
            continue;
        GArray *mine = index_session(&idx[side], sid[side]);
        for (guint n = 0; mine && n < mine->len; n++) {
            guint i = g_array_index(mine, guint, n);
            if (used[side][i])
                continue;
            int64_t peer = pk[side][i].peer;
            if (peer >= 0 && used[!side][peer])
                peer = -1; /* claimed by another session already */
            row_ref r = { side == 0 ? (int64_t)i : peer, side == 1 ? (int64_t)i : peer };
            used[side][i] = 1;
            if (peer >= 0)
                used[!side][peer] = 1;
            g_array_append_val(refs, r);
        }
    }

    /* Packets the engine tied to no session but that travel between this
     * session's two addresses while it lives: ICMP errors an endpoint sends
     * about it (fragment reassembly time exceeded), fragments of datagrams
     * that never completed. */
    for (int side = 0; side < 2; side++) {
        const pd_session *s = ps->side[side];
        if (!s)
            continue;
        GArray *loose = index_loose(&idx[side], s);
        for (guint n = 0; loose && n < loose->len; n++) {
            guint i = g_array_index(loose, guint, n);
            const pd_pair_pkt *p = &pk[side][i];
            if (p->session || used[side][i] || p->ts_ns < s->first_ts_ns - LOOSE_BEFORE_NS ||
                p->ts_ns > s->last_ts_ns + LOOSE_AFTER_NS)
                continue;
            bool between = (ep_is(&s->client, &p->src) && ep_is(&s->server, &p->dst)) ||
                           (ep_is(&s->server, &p->src) && ep_is(&s->client, &p->dst));
            if (!between)
                continue;
            int64_t peer = p->peer;
            if (peer >= 0 && used[!side][peer])
                peer = -1;
            row_ref r = { side == 0 ? (int64_t)i : peer, side == 1 ? (int64_t)i : peer };
            used[side][i] = 1;
            if (peer >= 0)
                used[!side][peer] = 1;
            g_array_append_val(refs, r);
        }
    }

    call_ids ids = { { false, false }, { 0, 0 }, { 0, 0 } };
    for (int side = 0; side < 2; side++)
        ids.known[side] = attr_num(ps->side[side], "client_call_id", &ids.client_id[side]) &&
                          attr_num(ps->side[side], "server_call_id", &ids.server_id[side]);

    GArray *rows = g_array_new(FALSE, TRUE, sizeof(pd_pair_packet));
    GArray *changes = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));
    GArray *nat = g_array_new(FALSE, TRUE, sizeof(pd_pair_nat));
    bool natted = false;
    int hops[2] = { -1, -1 };

    /* First pass: diffs, and whether addresses or ports were translated
     * at all (which makes call ID and quoted-packet changes NAT work). */
    GPtrArray *diffs = g_ptr_array_new();
    for (guint r = 0; r < refs->len; r++) {
        row_ref *ref = &g_array_index(refs, row_ref, r);
        GArray *d = NULL;
        if (ref->ic >= 0 && ref->is >= 0) {
            const pd_pair_pkt *a = &pk[0][ref->ic], *b = &pk[1][ref->is];
            /* Sender first: the change reads "as sent -> as received". */
            bool from_server = a->dir == PD_DIR_TO_CLIENT || (a->dir == PD_DIR_OTHER && b->dir == PD_DIR_TO_CLIENT);
            const pd_pair_capture *sc = from_server ? rec[1] : rec[0], *rc = from_server ? rec[0] : rec[1];
            const pd_pair_pkt *sp = from_server ? b : a, *rp = from_server ? a : b;
            d = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));
            pd_pair_diff(pd_pair_pkt_bytes(sc, sp), sp->bytes_len, pd_pair_pkt_bytes(rc, rp), rp->bytes_len, d);
            for (guint k = 0; k < d->len; k++)
                if (g_array_index(d, pd_pair_change, k).kind == PD_PAIR_CHANGE_NAT)
                    natted = true;
        }
        g_ptr_array_add(diffs, d);
    }

    for (guint r = 0; r < refs->len; r++) {
        row_ref *ref = &g_array_index(refs, row_ref, r);
        const pd_pair_pkt *a = ref->ic >= 0 ? &pk[0][ref->ic] : NULL;
        const pd_pair_pkt *b = ref->is >= 0 ? &pk[1][ref->is] : NULL;
        pd_pair_packet row;
        memset(&row, 0, sizeof row);
        const pd_pair_pkt *any = a ? a : b;
        row.dir = any->dir;
        if (a && b && a->dir == PD_DIR_OTHER)
            row.dir = b->dir;
        if (a) {
            row.frame[0] = a->frame;
            row.ts_ns[0] = a->ts_ns;
        }
        if (b) {
            row.frame[1] = b->frame;
            row.ts_ns[1] = b->ts_ns;
        }
        row.ip_proto = any->proto;
        if (has_ports(any))
            row.server_port = row.dir == PD_DIR_TO_CLIENT ? any->sport : any->dport;
        row.fragment = any->is_frag;
        row.later_fragment = any->is_frag && any->frag_off > 0;
        row.pure_ack = any->kind == PD_PAIR_K_TCP && !any->tcp_payload &&
                       !(any->tcp_flags & (PD_TCP_SYN | PD_TCP_FIN | PD_TCP_RST));

        /* The sender's copy describes the packet; the receiver's if that is all. */
        bool from_server = row.dir == PD_DIR_TO_CLIENT;
        const pd_pair_pkt *sp = from_server ? (b ? b : a) : (a ? a : b);
        const pd_pair_capture *sc = sp == a ? rec[0] : rec[1];
        row.text = pd_pair_describe(pd_pair_pkt_bytes(sc, sp), sp->bytes_len);

        int64_t d_cs = clock->dir_known[0] ? clock->transit_ns[0] : clock->offset_ns;
        int64_t d_sc = clock->dir_known[1] ? clock->transit_ns[1] : clock->offset_ns;
        if (row.dir == PD_DIR_TO_CLIENT)
            row.t_ns = b ? to_client_clock(b->ts_ns, clock) : a->ts_ns - (clock->offset_ns - d_sc);
        else
            row.t_ns = a ? a->ts_ns : b->ts_ns - d_cs;

        if (a && b) {
            row.fate = PD_PAIR_ARRIVED;
            GArray *d = g_ptr_array_index(diffs, r);
            for (guint k = 0; d && k < d->len; k++) {
                pd_pair_change *c = &g_array_index(d, pd_pair_change, k);
                if (c->field_id == PD_PAIR_F_GRE_CALL_ID)
                    c->kind = classify_call_id(&ids, row.dir, c->before, c->after, natted);
                else if (c->field_id == PD_PAIR_F_PPTP_CALL_ID || c->field_id == PD_PAIR_F_ICMP_QUOTED)
                    c->kind = natted ? PD_PAIR_CHANGE_NAT : PD_PAIR_CHANGE_MANGLED;
                if (c->kind == PD_PAIR_CHANGE_MANGLED)
                    row.fate = PD_PAIR_MODIFIED;
            }
            /* Mangled first, then NAT, then benign: the first is the news. */
            for (int kind = PD_PAIR_CHANGE_MANGLED; kind <= PD_PAIR_CHANGE_BENIGN; kind++)
                for (guint k = 0; d && k < d->len; k++)
                    if ((int)g_array_index(d, pd_pair_change, k).kind == kind)
                        g_array_append_val(changes, g_array_index(d, pd_pair_change, k));
            if (d)
                g_array_free(d, TRUE);
            g_ptr_array_index(diffs, r) = NULL;
            row.n_changes = changes->len;
            row.changes = (pd_pair_change *)(void *)g_array_free(changes, FALSE);
            changes = g_array_new(FALSE, TRUE, sizeof(pd_pair_change));

            /* NAT translations, as (client capture's view, server capture's). */
            if (row.dir != PD_DIR_OTHER) {
                bool ports = has_ports(a) && has_ports(b);
                bool to_server = row.dir == PD_DIR_TO_SERVER;
                const pd_addr *ca = to_server ? &a->src : &a->dst, *sa = to_server ? &b->src : &b->dst;
                uint16_t cp = to_server ? a->sport : a->dport, sp2 = to_server ? b->sport : b->dport;
                if (!pd_addr_equal(ca, sa) || (ports && cp != sp2))
                    nat_add(nat, "client", endpoint_text(ca, cp, ports), endpoint_text(sa, sp2, ports),
                            kind_label(a));
                const pd_addr *cs = to_server ? &a->dst : &a->src, *ss = to_server ? &b->dst : &b->src;
                uint16_t cq = to_server ? a->dport : a->sport, sq = to_server ? b->dport : b->sport;
                if (!pd_addr_equal(cs, ss) || (ports && cq != sq))
                    nat_add(nat, "server", endpoint_text(cs, cq, ports), endpoint_text(ss, sq, ports),
                            kind_label(a));
                for (size_t k = 0; k < row.n_changes; k++) {
                    const pd_pair_change *c = &row.changes[k];
                    if (c->kind != PD_PAIR_CHANGE_NAT ||
                        (c->field_id != PD_PAIR_F_GRE_CALL_ID && c->field_id != PD_PAIR_F_PPTP_CALL_ID))
                        continue;
                    /* before is the sender's view: the client's for packets to the server. */
                    const char *cv = to_server ? c->before : c->after;
                    const char *sv = to_server ? c->after : c->before;
                    nat_add(nat, "PPTP call ID", g_strdup(cv), g_strdup(sv),
                            c->field_id == PD_PAIR_F_GRE_CALL_ID ? "GRE" : "PPTP control");
                }
                int h = to_server ? (int)a->ttl - (int)b->ttl : (int)b->ttl - (int)a->ttl;
                if (h >= 0 && hops[row.dir] < 0)
                    hops[row.dir] = h;
            }
        } else if (row.dir == PD_DIR_OTHER) {
            row.fate = PD_PAIR_PATH;
        } else {
            /* Unmatched: lost if it is in the sender's capture, else it
             * arrived without having been sent (as far as that capture shows). */
            bool in_sender = row.dir == PD_DIR_TO_SERVER ? a != NULL : b != NULL;
            row.fate = in_sender ? PD_PAIR_LOST : PD_PAIR_UNSENT;
            /* Would the other capture have seen it? Map to its clock; the
             * post-pass below may still vouch for it. */
            int other = a ? 1 : 0;
            int64_t t_other;
            if (a)
                t_other = a->ts_ns + (row.dir == PD_DIR_TO_SERVER ? d_cs : d_sc);
            else
                t_other = b->ts_ns - (row.dir == PD_DIR_TO_SERVER ? d_cs : d_sc);
            row.outside_window = !in_window(t_other, span[other][0], span[other][1]);
        }
        g_array_append_val(rows, row);
    }
    g_ptr_array_free(diffs, TRUE);
    g_array_free(changes, TRUE);
    g_array_free(refs, TRUE);

    pd_pair_sort(rows->data, rows->len, sizeof(pd_pair_packet), packet_cmp);
    /* A later packet of the same direction seen at both points proves the
     * receiving capture was running and the path was there: the missing
     * ones before it were lost, not missed. */
    {
        pd_pair_packet *rp = (pd_pair_packet *)(void *)rows->data;
        bool seen_later[2] = { false, false };
        for (guint i = rows->len; i-- > 0;) {
            pd_pair_packet *p = &rp[i];
            if (p->dir == PD_DIR_OTHER)
                continue;
            if (p->fate == PD_PAIR_ARRIVED || p->fate == PD_PAIR_MODIFIED)
                seen_later[p->dir] = true;
            else if (seen_later[p->dir])
                p->outside_window = false;
        }
    }
    /* A session one capture does not show at all, while the other holds
     * packets from that capture's own side that it never recorded: that
     * capture point is not on the session's path (at a server with several
     * clients, the client capture is another client's wire). What went
     * towards it was never meant to pass it: not lost. (A session that a
     * capture does show is judged as always, whatever else it misses.) */
    for (int cap = 0; cap < 2; cap++) {
        if (ps->side[cap])
            continue;
        pd_dir from = cap == PD_PAIR_CLIENT ? PD_DIR_TO_SERVER : PD_DIR_TO_CLIENT;
        pd_pair_packet *rp = (pd_pair_packet *)(void *)rows->data;
        for (guint i = 0; i < rows->len && !ps->off_path[cap]; i++)
            ps->off_path[cap] = rp[i].dir == from && rp[i].fate == PD_PAIR_UNSENT;
        for (guint i = 0; ps->off_path[cap] && i < rows->len; i++)
            if (rp[i].dir != from && rp[i].dir != PD_DIR_OTHER && rp[i].fate == PD_PAIR_LOST)
                rp[i].fate = PD_PAIR_OFF_PATH;
    }
    ps->n_packets = rows->len;
    ps->packets = (pd_pair_packet *)(void *)g_array_free(rows, FALSE);
    pd_pair_sort(nat->data, nat->len, sizeof(pd_pair_nat), nat_cmp);
    ps->n_nat = nat->len;
    ps->nat = (pd_pair_nat *)(void *)g_array_free(nat, FALSE);

    for (int d = 0; d < 2; d++) {
        memset(&ps->dirs[d], 0, sizeof ps->dirs[d]);
        ps->dirs[d].hops = hops[d];
    }
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if (i == 0 || p->t_ns < ps->first_t_ns)
            ps->first_t_ns = p->t_ns;
        if (i == 0 || p->t_ns > ps->last_t_ns)
            ps->last_t_ns = p->t_ns;
        if (p->dir == PD_DIR_OTHER)
            continue;
        pd_pair_dir_stats *st = &ps->dirs[p->dir];
        switch (p->fate) {
        case PD_PAIR_MODIFIED:
            st->modified++;
            /* fall through */
        case PD_PAIR_ARRIVED:
            st->sent++;
            st->arrived++;
            break;
        case PD_PAIR_LOST:
            st->sent++;
            st->lost++;
            if (p->outside_window)
                st->lost_outside_window++;
            if (p->fragment)
                st->fragments_lost++;
            if (p->later_fragment)
                st->later_fragments_lost++;
            break;
        case PD_PAIR_UNSENT:
            st->unsent++;
            break;
        case PD_PAIR_OFF_PATH:
            st->sent++;
            st->off_path++;
            break;
        case PD_PAIR_PATH:
            break;
        }
        if (p->fate != PD_PAIR_UNSENT && p->fragment)
            st->fragments_sent++;
        if (p->fate != PD_PAIR_UNSENT && p->later_fragment)
            st->later_fragments_sent++;
    }
}

static void session_free_contents(pd_pair_session *s)
{
    for (size_t i = 0; i < s->n_packets; i++) {
        pd_pair_packet *p = &s->packets[i];
        g_free(p->text);
        for (size_t k = 0; k < p->n_changes; k++)
            pd_pair_change_clear(&p->changes[k]);
        g_free(p->changes);
    }
    g_free(s->packets);
    for (size_t i = 0; i < s->n_nat; i++) {
        g_free(s->nat[i].what);
        g_free(s->nat[i].inside);
        g_free(s->nat[i].outside);
        g_free(s->nat[i].carried);
    }
    g_free(s->nat);
}

static int session_cmp(const void *x, const void *y)
{
    const pd_pair_session *p = x, *q = y;
    if (p->first_t_ns != q->first_t_ns)
        return p->first_t_ns < q->first_t_ns ? -1 : 1;
    uint32_t a = p->side[0] ? p->side[0]->id : 1000000u + (p->side[1] ? p->side[1]->id : 0);
    uint32_t b = q->side[0] ? q->side[0]->id : 1000000u + (q->side[1] ? q->side[1]->id : 0);
    return a < b ? -1 : a > b;
}

/* ---- errors -------------------------------------------------------------------- */

static char *span_text(const pd_capture_stats *st)
{
    GDateTime *a = g_date_time_new_from_unix_utc(st->first_ts_ns / 1000000000);
    GDateTime *b = g_date_time_new_from_unix_utc(st->last_ts_ns / 1000000000);
    char *sa = a ? g_date_time_format(a, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("?");
    char *sb = b ? g_date_time_format(b, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("?");
    char *s = g_strdup_printf("%s to %s", sa, sb);
    if (a)
        g_date_time_unref(a);
    if (b)
        g_date_time_unref(b);
    g_free(sa);
    g_free(sb);
    return s;
}

static char *sessions_text(const pd_engine *e)
{
    GString *s = g_string_new(NULL);
    size_t n = pd_engine_session_count(e);
    for (size_t i = 0; i < n && i < 3; i++) {
        const pd_session *x = pd_engine_session(e, i);
        char c[64], v[64];
        pd_endpoint_addr_str(&x->client, c, sizeof c);
        pd_endpoint_addr_str(&x->server, v, sizeof v);
        g_string_append_printf(s, "%s%s %s -> %s", i ? ", " : "", pd_protocol_name(x->protocol), c, v);
    }
    if (n > 3)
        g_string_append_printf(s, " and %zu more", n - 3);
    return g_string_free(s, FALSE);
}

/* ---- the analysis ------------------------------------------------------------------ */

pd_pair_result *pd_pair_analyse(pd_engine *const engine[2], pd_pair_capture *const rec[2],
                                const pd_pair_options *opts, GError **error)
{
    for (int side = 0; side < 2; side++) {
        pd_pair_capture_attribute_fragments(rec[side]);
        set_directions(engine[side], rec[side]);
    }
    const pd_capture_stats *st[2] = { pd_engine_stats(engine[0]), pd_engine_stats(engine[1]) };
    size_t nsess[2] = { pd_engine_session_count(engine[0]), pd_engine_session_count(engine[1]) };
    if (!nsess[0] && !nsess[1]) {
        g_set_error(error, PD_PAIR_ERROR, PD_PAIR_ERROR_NO_VPN,
                    "neither capture holds a VPN session: nothing to pair");
        return NULL;
    }

    pd_pair_result *r = g_new0(pd_pair_result, 1);
    r->matched = pd_pair_match((pd_pair_pkt *)(void *)rec[0]->pkts->data, rec[0]->pkts->len,
                               (pd_pair_pkt *)(void *)rec[1]->pkts->data, rec[1]->pkts->len,
                               opts ? opts->window_ns : 0, &r->clock);
    for (int side = 0; side < 2; side++) {
        r->span_ns[side][0] = st[side]->first_ts_ns;
        r->span_ns[side][1] = st[side]->last_ts_ns;
        r->not_kept[side] = rec[side]->not_kept;
    }

    /* The captures must have run at the same time (on the server's clock
     * moved by the estimated offset). */
    int64_t s0 = to_client_clock(st[1]->first_ts_ns, &r->clock);
    int64_t s1 = to_client_clock(st[1]->last_ts_ns, &r->clock);
    if (!r->matched &&
        (s0 > st[0]->last_ts_ns + OVERLAP_SLACK_NS || st[0]->first_ts_ns > s1 + OVERLAP_SLACK_NS)) {
        char *a = span_text(st[0]), *b = span_text(st[1]);
        g_set_error(error, PD_PAIR_ERROR, PD_PAIR_ERROR_NO_OVERLAP,
                    "the two captures do not overlap in time (client capture %s, server capture "
                    "%s) and share no packet: they are not of the same attempt",
                    a, b);
        g_free(a);
        g_free(b);
        g_free(r);
        return NULL;
    }

    GArray *pairs = pair_sessions(engine, rec, &r->clock);
    bool any_pair = false;
    for (guint i = 0; i < pairs->len; i++)
        if (g_array_index(pairs, pairing, i).sc && g_array_index(pairs, pairing, i).ss)
            any_pair = true;
    if (!any_pair && nsess[0] && nsess[1]) {
        char *a = sessions_text(engine[0]), *b = sessions_text(engine[1]);
        g_set_error(error, PD_PAIR_ERROR, PD_PAIR_ERROR_NO_SHARED,
                    "the two captures share no VPN session (client capture: %s; server capture: "
                    "%s)",
                    a, b);
        g_free(a);
        g_free(b);
        g_array_free(pairs, TRUE);
        g_free(r);
        return NULL;
    }

    uint8_t *used[2] = { g_new0(uint8_t, rec[0]->pkts->len + 1), g_new0(uint8_t, rec[1]->pkts->len + 1) };
    pkt_index idx[2];
    index_build(&idx[0], rec[0]);
    index_build(&idx[1], rec[1]);
    r->n_sessions = pairs->len;
    r->sessions = g_new0(pd_pair_session, pairs->len ? pairs->len : 1);
    for (guint i = 0; i < pairs->len; i++) {
        const pairing *p = &g_array_index(pairs, pairing, i);
        pd_pair_session *ps = &r->sessions[i];
        ps->side[0] = p->sc ? pd_engine_session_by_id(engine[0], p->sc) : NULL;
        ps->side[1] = p->ss ? pd_engine_session_by_id(engine[1], p->ss) : NULL;
        ps->protocol = (ps->side[0] ? ps->side[0] : ps->side[1])->protocol;
        build_session(ps, rec, &r->clock, (const int64_t(*)[2])r->span_ns, used, idx);
        if (!ps->n_packets) {
            const pd_session *s = ps->side[0] ? ps->side[0] : ps->side[1];
            ps->first_t_ns = ps->side[0] ? s->first_ts_ns : to_client_clock(s->first_ts_ns, &r->clock);
            ps->last_t_ns = ps->first_t_ns;
        }
    }
    g_free(used[0]);
    g_free(used[1]);
    index_free(&idx[0]);
    index_free(&idx[1]);
    g_array_free(pairs, TRUE);
    pd_pair_sort(r->sessions, r->n_sessions, sizeof *r->sessions, session_cmp);
    for (size_t i = 0; i < r->n_sessions; i++)
        r->sessions[i].id = (uint32_t)(i + 1);

    r->origin_ns = st[0]->first_ts_ns;
    if (st[1]->frames && (!st[0]->frames || s0 < r->origin_ns))
        r->origin_ns = s0;

    pd_pair_verdict(r, engine);
    return r;
}

void pd_pair_result_free(pd_pair_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_sessions; i++)
        session_free_contents(&r->sessions[i]);
    g_free(r->sessions);
    for (size_t i = 0; i < r->n_findings; i++)
        pd_pair_finding_clear(&r->findings[i]);
    g_free(r->findings);
    g_free(r);
}

bool pd_pair_has_error(const pd_pair_result *r)
{
    for (size_t i = 0; r && i < r->n_findings; i++)
        if (r->findings[i].severity == PD_SEV_ERROR)
            return true;
    return false;
}
