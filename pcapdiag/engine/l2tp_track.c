/* l2tp_track.c - L2TP tunnels (RFC 2661): the reliable control channel
 * (Ns/Nr, retransmissions, ZLB acknowledgements, HELLO keepalives), its
 * calls, the PPP their data messages carry, and ICMP errors about them.
 * L2TPv3 (RFC 3931) over UDP or IP 115 is followed and summarised only.
 *
 * One session per tunnel, owned by its UDP flow (client:port <-> server:1701)
 * in the flow table. RFC 2661 section 8.1 lets the server answer from
 * another port than 1701; a table keyed by client address, client port and
 * server address finds the tunnel for those packets too. When the flow
 * closes, l2tp_detect.c judges the tunnel and its state is freed: memory
 * follows live tunnels, not capture size.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "l2tp_session.h"
#include "l2tp_track.h"
#include "ppp.h"

/* The client side of a tunnel, whatever port the server answers from. */
typedef struct l2tp_triple {
    pd_addr client, server;
    uint16_t client_port;
    uint8_t proto;
    uint8_t pad;
} l2tp_triple;

struct pd_l2tp_module {
    GHashTable *by_triple; /* l2tp_triple* (owned) -> l2tp_tunnel* */
    uint64_t not_l2tp;     /* datagrams on port 1701 that opened nothing (L2F, junk) */
    GPtrArray *merged;     /* live tunnels writing into an ESP session (L2TP/IPsec) */
};

static guint triple_hash(gconstpointer p)
{
    const uint8_t *b = p;
    guint h = 2166136261u;
    for (size_t i = 0; i < sizeof(l2tp_triple); i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static gboolean triple_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(l2tp_triple)) == 0;
}

static void triple_make(l2tp_triple *k, const pd_addr *client, uint16_t client_port,
                        const pd_addr *server, uint8_t proto)
{
    memset(k, 0, sizeof *k); /* padding takes part in hashing and memcmp */
    k->client = *client;
    k->server = *server;
    k->client_port = client_port;
    k->proto = proto;
}

pd_l2tp_module *pd_l2tp_module_new(pd_engine *e)
{
    pd_l2tp_module *m = g_new0(pd_l2tp_module, 1);
    m->by_triple = g_hash_table_new_full(triple_hash, triple_equal, g_free, NULL);
    m->merged = g_ptr_array_new();
    return m;
}

void pd_l2tp_module_free(pd_l2tp_module *m)
{
    if (!m)
        return;
    g_hash_table_destroy(m->by_triple);
    g_ptr_array_free(m->merged, TRUE);
    g_free(m);
}

static void tunnel_free(l2tp_tunnel *t)
{
    for (size_t i = 0; i < t->n_calls; i++)
        g_free(t->calls[i]);
    g_free(t);
}

/* ---- small helpers ---- */

static void copy_text(char *out, size_t out_size, const pd_l2tp_bytes *b)
{
    pd_l2tp_text_copy(b, out, out_size);
}

static void note_malformed(l2tp_tunnel *t, const pd_l2tp_msg *m, uint64_t frame)
{
    if (t->malformed_total++ == 0)
        g_snprintf(t->malformed_note, sizeof t->malformed_note, "%s",
                   m->status == PD_L2TP_BAD_VERSION ? "not an L2TPv2/v3 header"
                                                    : pd_l2tp_anomaly_text(m->anomalies));
    if (t->n_malformed < L2TP_MAX_MALFORMED)
        t->malformed_frames[t->n_malformed++] = frame;
}

/* Which side sent a message, from what it is (the LAC sends SCCRQ, SCCCN,
 * ICRQ, ICCN, OCRP, OCCN and WEN; the LNS SCCRP, ICRP, OCRQ and SLI) or,
 * failing that, from the ports: the server is the side on 1701. */
static bool sender_is_client(const pd_l2tp_msg *m, uint16_t sport, uint16_t dport)
{
    if (m->is_control && m->has_msg_type) {
        switch (m->msg_type) {
        case PD_L2TP_SCCRQ:
        case PD_L2TP_SCCCN:
        case PD_L2TP_ICRQ:
        case PD_L2TP_ICCN:
        case PD_L2TP_OCRP:
        case PD_L2TP_OCCN:
        case PD_L2TP_WEN:
            return true;
        case PD_L2TP_SCCRP:
        case PD_L2TP_ICRP:
        case PD_L2TP_OCRQ:
        case PD_L2TP_SLI:
            return false;
        default:
            break;
        }
    }
    if (dport == PD_L2TP_PORT && sport != PD_L2TP_PORT)
        return true;
    if (sport == PD_L2TP_PORT && dport != PD_L2TP_PORT)
        return false;
    return true; /* both on 1701 (Windows, xl2tpd): the first one heard */
}

/* Is this message worth opening a tunnel for? Only well-formed L2TP: a
 * datagram on port 1701 that merely looks like it (or L2F, version 1)
 * must not become a VPN diagnosis. */
static bool may_open(const pd_l2tp_msg *m)
{
    if ((m->status != PD_L2TP_OK && m->status != PD_L2TP_TRUNCATED) || !m->header_complete)
        return false;
    if (m->is_control)
        return m->has_msg_type && !(m->anomalies & PD_L2TP_ANOM_UNKNOWN_TYPE);
    if (m->version == 3)
        return m->over_ip || !(m->anomalies & PD_L2TP_ANOM_RESERVED_BITS);
    pd_ppp_frame f;
    if (m->payload_wire_len == 0 ||
        pd_ppp_decode(m->payload.p, m->payload.len, m->payload_wire_len, &f) == PD_PPP_MALFORMED)
        return false;
    pd_ppp_damage d = pd_ppp_check(&f);
    return f.kind != PD_PPP_KIND_NONE && f.kind != PD_PPP_KIND_OTHER &&
           !(d != PD_PPP_DAMAGE_NONE && pd_ppp_damage_is_mangling(d));
}

/* ---- finding and opening tunnels ---- */

static bool endpoint_is(const pd_endpoint *ep, const pd_addr *a)
{
    return ep->family == a->family && memcmp(ep->addr, a->a, a->family == 6 ? 16 : 4) == 0;
}

static l2tp_tunnel *tunnel_by_triple(pd_engine *e, const pd_addr *a, uint16_t aport,
                                     const pd_addr *b, uint16_t bport, uint8_t proto)
{
    l2tp_triple k;
    triple_make(&k, a, aport, b, proto);
    l2tp_tunnel *t = g_hash_table_lookup(e->l2tp->by_triple, &k);
    if (!t) {
        triple_make(&k, b, bport, a, proto);
        t = g_hash_table_lookup(e->l2tp->by_triple, &k);
    }
    return t;
}

static l2tp_tunnel *tunnel_find(pd_engine *e, const pd_packet *p, uint16_t sport, uint16_t dport,
                                uint8_t proto)
{
    pd_flow_key key;
    bool fwd;
    pd_flow_key_make(&key, PD_FLOW_KIND_L2TP, proto, &p->ip->src, sport, &p->ip->dst, dport, &fwd);
    pd_flow *flow = pd_flow_lookup(e->flows, &key, false, NULL, p->frame, p->ts_ns);
    if (flow && flow->state)
        return flow->state;
    if (proto != 17)
        return NULL;
    l2tp_tunnel *t = tunnel_by_triple(e, &p->ip->src, sport, &p->ip->dst, dport, proto);
    if (t) /* keep the owning flow alive: it sees this traffic too */
        pd_flow_lookup(e->flows, &t->key, false, NULL, p->frame, p->ts_ns);
    return t;
}

static l2tp_tunnel *tunnel_open(pd_engine *e, const pd_packet *p, uint16_t sport, uint16_t dport,
                                uint8_t proto, const pd_l2tp_msg *m)
{
    pd_flow_key key;
    bool fwd, created = false;
    pd_flow_key_make(&key, PD_FLOW_KIND_L2TP, proto, &p->ip->src, sport, &p->ip->dst, dport, &fwd);
    pd_flow *flow = pd_flow_lookup(e->flows, &key, true, &created, p->frame, p->ts_ns);
    if (!flow)
        return NULL;
    if (flow->state) /* cannot happen: callers looked it up first */
        return flow->state;
    l2tp_tunnel *t = g_new0(l2tp_tunnel, 1);
    bool src_client = sender_is_client(m, sport, dport);
    t->client = src_client ? p->ip->src : p->ip->dst;
    t->server = src_client ? p->ip->dst : p->ip->src;
    t->client_port = src_client ? sport : dport;
    t->server_port = src_client ? dport : sport;
    t->server_port_seen = t->server_port;
    t->ip_proto = proto;
    t->version = m->version;
    t->key = key;
    t->stop_from = -1;
    /* Anything but the start of a tunnel means its setup was before the
     * capture: its end must not be judged as a failed setup. */
    t->setup_unseen = !(m->is_control && m->has_msg_type &&
                        (m->msg_type == PD_L2TP_SCCRQ || m->msg_type == PD_L2TP_SCCRP ||
                         m->msg_type == PD_L2TP_STOPCCN));
    if (p->nest) {
        t->in_esp = true;
        t->esp_spi = p->nest->spi;
        t->esp_session_id = p->nest->enclosing ? p->nest->enclosing->id : 0;
    }
    pd_session *enc = p->nest ? p->nest->enclosing : NULL;
    if (enc && enc->protocol != PD_PROTO_L2TP_IPSEC && endpoint_is(&enc->client, &t->client) &&
        endpoint_is(&enc->server, &t->server)) {
        /* L2TP/IPsec: the tunnel writes into the session of the ESP that carries it, the
         * IKE session between the same two hosts (same client, same server). One more
         * holder: the session is handed over when both are judged. */
        t->session = enc;
        t->merged = true;
        enc->protocol = PD_PROTO_L2TP_IPSEC;
        pd_session_hold(enc);
        g_ptr_array_add(e->l2tp->merged, t);
    } else {
        t->session = pd_session_open(e, PD_PROTO_L2TP, &t->client, t->client_port, &t->server,
                                     t->server_port, p->frame, p->ts_ns);
    }
    pd_session_attr_num(t->session, "l2tp_version", t->version);
    if (proto == 17) {
        l2tp_triple *k = g_new(l2tp_triple, 1);
        triple_make(k, &t->client, t->client_port, &t->server, proto);
        g_hash_table_replace(e->l2tp->by_triple, k, t);
        t->triple_registered = true;
    }
    flow->state = t;
    return t;
}

/* A new SCCRQ on a flow whose tunnel is over, or that assigns another
 * Tunnel ID, starts a new tunnel (Windows reconnects on the same ports). */
static bool starts_new_tunnel(const l2tp_tunnel *t, const pd_l2tp_msg *m, bool from_client)
{
    if (!m->is_control || !m->has_msg_type || m->msg_type != PD_L2TP_SCCRQ ||
        (m->status != PD_L2TP_OK && m->status != PD_L2TP_TRUNCATED))
        return false;
    if (m->version != t->version || !from_client)
        return true;
    if (pd_l2tp_has(m, PD_L2TP_AVP_ASSIGNED_TUNNEL) && t->have_client_tid)
        return m->v.assigned_tunnel != t->client_tid || t->tunnel_connected;
    return t->stop_frame != 0 || t->tunnel_connected;
}

/* ---- calls ---- */

static l2tp_call *call_new(l2tp_tunnel *t)
{
    if (t->n_calls >= L2TP_MAX_CALLS) {
        t->calls_dropped++;
        return NULL;
    }
    l2tp_call *c = g_new0(l2tp_call, 1);
    c->cdn_from = -1;
    pd_ppp_link_init(&c->ppp);
    t->calls[t->n_calls++] = c;
    return c;
}

/* The call whose `side` (L2TP_C2S: client, L2TP_S2C: server) owns Session ID sid. */
static l2tp_call *call_by_sid(l2tp_tunnel *t, int side, uint16_t sid)
{
    for (size_t i = 0; i < t->n_calls; i++) {
        l2tp_call *c = t->calls[i];
        if (side == L2TP_C2S ? (c->have_client_sid && c->client_sid == sid)
                             : (c->have_server_sid && c->server_sid == sid))
            return c;
    }
    return NULL;
}

static void call_set_sid(l2tp_call *c, int side, uint16_t sid)
{
    if (side == L2TP_C2S) {
        c->client_sid = sid;
        c->have_client_sid = true;
    } else {
        c->server_sid = sid;
        c->have_server_sid = true;
    }
}

static bool call_has_sid(const l2tp_call *c, int side)
{
    return side == L2TP_C2S ? c->have_client_sid : c->have_server_sid;
}

/* The call a message to `receiver` addresses by its header Session ID;
 * with a single call whose ID for that side is still unknown, that one. */
static l2tp_call *call_for_receiver(l2tp_tunnel *t, int receiver, uint16_t sid)
{
    l2tp_call *c = call_by_sid(t, receiver, sid);
    if (!c && t->n_calls == 1 && !call_has_sid(t->calls[0], receiver))
        c = t->calls[0];
    return c;
}

/* ---- the reliable control channel (RFC 2661 section 5.8) ---- */

static void on_acked(l2tp_tunnel *t, const l2tp_sent *sent, uint64_t frame, int64_t ts)
{
    switch (sent->type) {
    case PD_L2TP_SCCRP:
        t->sccrp_acked = true;
        break;
    case PD_L2TP_SCCCN:
        if (!t->tunnel_connected) {
            t->tunnel_connected = true;
            t->connected_frame = frame;
            t->connected_ts = ts;
            pd_session_reach(t->session, "tunnel-connected", frame, ts);
        }
        break;
    case PD_L2TP_STOPCCN:
        t->stop_acked = true;
        break;
    default:
        break;
    }
}

/* Nr from `dir` acknowledges every message of the other side before it. */
static void take_nr(l2tp_tunnel *t, int dir, uint16_t nr, uint64_t frame, int64_t ts)
{
    l2tp_ctrl_dir *cd = &t->ctrl[dir], *peer = &t->ctrl[!dir];
    cd->have_nr = true;
    cd->nr = nr;
    size_t keep = 0;
    for (size_t i = 0; i < peer->n_pending; i++) {
        l2tp_sent *s = &peer->pending[i];
        if (l2tp_seq_before(s->ns, nr)) {
            peer->acked++;
            on_acked(t, s, frame, ts);
        } else {
            peer->pending[keep++] = *s;
        }
    }
    peer->n_pending = keep;
}

/* Record one send of a sequenced message; returns the entry (NULL when it
 * is a retransmission of a message already acknowledged). */
static l2tp_sent *take_ns(l2tp_ctrl_dir *cd, const pd_l2tp_msg *m, uint64_t frame, int64_t ts,
                          bool *retransmit)
{
    *retransmit = cd->have_ns && l2tp_seq_before(m->ns, cd->next_ns);
    l2tp_sent *s = NULL;
    if (*retransmit) {
        cd->retransmits++;
        for (size_t i = 0; i < cd->n_pending; i++)
            if (cd->pending[i].ns == m->ns)
                s = &cd->pending[i];
        if (!s)
            return NULL;
        s->sends++;
        s->last_frame = frame;
        s->last_ts = ts;
    } else {
        cd->have_ns = true;
        cd->next_ns = (uint16_t)(m->ns + 1);
        if (cd->n_pending == L2TP_MAX_PENDING) {
            /* More outstanding than any window allows: forget the oldest. */
            memmove(&cd->pending[0], &cd->pending[1], sizeof cd->pending[0] * (L2TP_MAX_PENDING - 1));
            cd->n_pending--;
            cd->pending_dropped++;
        }
        s = &cd->pending[cd->n_pending++];
        memset(s, 0, sizeof *s);
        s->ns = m->ns;
        s->type = m->msg_type;
        s->sends = 1;
        s->first_frame = s->last_frame = frame;
        s->first_ts = s->last_ts = ts;
    }
    if (s->sends > cd->max_sends) {
        cd->max_sends = s->sends;
        cd->max_sends_type = s->type;
    }
    return s;
}

/* ---- control messages ---- */

static void set_tid(l2tp_tunnel *t, int side, uint16_t tid)
{
    if (side == L2TP_C2S) {
        t->client_tid = tid;
        t->have_client_tid = true;
        pd_session_attr_num(t->session, "client_tunnel_id", tid);
    } else {
        t->server_tid = tid;
        t->have_server_tid = true;
        pd_session_attr_num(t->session, "server_tunnel_id", tid);
    }
}

static void peer_identity(l2tp_tunnel *t, int dir, const pd_l2tp_msg *m)
{
    char text[L2TP_TEXT];
    pd_session *s = t->session;
    if (pd_l2tp_has(m, PD_L2TP_AVP_ASSIGNED_TUNNEL))
        set_tid(t, dir, m->v.assigned_tunnel);
    if (pd_l2tp_has(m, PD_L2TP_AVP_ASSIGNED_CONN_ID))
        pd_session_attr_num(s, dir == L2TP_C2S ? "client_connection_id" : "server_connection_id",
                            m->v.assigned_conn_id);
    if (pd_l2tp_has(m, PD_L2TP_AVP_HOST_NAME)) {
        copy_text(text, sizeof text, &m->v.host_name);
        pd_session_attr_str(s, dir == L2TP_C2S ? "client_host_name" : "server_host_name", text);
    }
    if (pd_l2tp_has(m, PD_L2TP_AVP_VENDOR_NAME)) {
        copy_text(text, sizeof text, &m->v.vendor_name);
        pd_session_attr_str(s, dir == L2TP_C2S ? "client_vendor" : "server_vendor", text);
    }
    if (pd_l2tp_has(m, PD_L2TP_AVP_RECEIVE_WINDOW))
        pd_session_attr_num(s, dir == L2TP_C2S ? "client_receive_window" : "server_receive_window",
                            m->v.receive_window);
    if (pd_l2tp_has(m, PD_L2TP_AVP_CHALLENGE) || pd_l2tp_is_hidden(m, PD_L2TP_AVP_CHALLENGE))
        t->challenge[dir] = true;
}

static void on_call_message(l2tp_tunnel *t, int dir, const pd_l2tp_msg *m, bool retransmit,
                            uint64_t frame, int64_t ts)
{
    pd_session *s = t->session;
    bool has_sid = pd_l2tp_has(m, PD_L2TP_AVP_ASSIGNED_SESSION);
    uint16_t sid = m->v.assigned_session;
    switch (m->msg_type) {
    case PD_L2TP_ICRQ:
    case PD_L2TP_OCRQ: {
        /* The requester assigns its own Session ID (sections 6.6, 6.9). */
        l2tp_call *c = has_sid ? call_by_sid(t, dir, sid) : NULL;
        if (c || retransmit)
            break;
        if (!(c = call_new(t)))
            break;
        if (has_sid)
            call_set_sid(c, dir, sid);
        c->outgoing = m->msg_type == PD_L2TP_OCRQ;
        c->request_type = m->msg_type;
        c->request_frame = frame;
        c->request_ts = ts;
        break;
    }
    case PD_L2TP_ICRP:
    case PD_L2TP_OCRP: {
        l2tp_call *c = call_for_receiver(t, !dir, m->session_id);
        if (!c)
            break;
        if (has_sid)
            call_set_sid(c, dir, sid);
        if (!c->reply_frame) {
            c->reply_type = m->msg_type;
            c->reply_frame = frame;
            c->reply_ts = ts;
        }
        break;
    }
    case PD_L2TP_ICCN:
    case PD_L2TP_OCCN: {
        l2tp_call *c = call_for_receiver(t, !dir, m->session_id);
        if (!c)
            break;
        if (!c->connected) {
            c->connected = true;
            c->connect_frame = frame;
            c->connect_ts = ts;
            pd_session_reach(s, "call-connected", frame, ts);
            if (c->have_client_sid)
                pd_session_attr_num(s, "client_session_id", c->client_sid);
            if (c->have_server_sid)
                pd_session_attr_num(s, "server_session_id", c->server_sid);
            if (pd_l2tp_has(m, PD_L2TP_AVP_FRAMING_TYPE))
                pd_session_attr_str(s, "framing_type", pd_l2tp_framing_text(m->v.framing_type));
            if (pd_l2tp_has(m, PD_L2TP_AVP_TX_CONNECT_SPEED))
                pd_session_attr_num(s, "connect_speed", m->v.tx_connect_speed);
        }
        break;
    }
    case PD_L2TP_CDN: {
        /* Addressed to the peer's Session ID; carries the sender's own
         * (section 6.11). A CDN refusing an ICRQ names the requester's. */
        l2tp_call *c = call_for_receiver(t, !dir, m->session_id);
        if (!c && has_sid)
            c = call_by_sid(t, dir, sid);
        if (!c && t->n_calls == 1)
            c = t->calls[0];
        if (!c || c->cdn_frame)
            break;
        c->cdn_frame = frame;
        c->cdn_ts = ts;
        c->cdn_from = dir;
        if (pd_l2tp_has(m, PD_L2TP_AVP_RESULT_CODE)) {
            c->cdn_has_result = true;
            c->cdn_result = m->v.result_code;
            c->cdn_has_error = m->v.has_error_code;
            c->cdn_error = m->v.error_code;
            copy_text(c->cdn_message, sizeof c->cdn_message, &m->v.error_message);
        }
        if (pd_l2tp_has(m, PD_L2TP_AVP_Q931_CAUSE)) {
            c->cdn_has_q931 = true;
            c->cdn_q931 = m->v.q931_cause;
        }
        break;
    }
    default:
        break;
    }
}

static void on_control(pd_engine *e, l2tp_tunnel *t, int dir, const pd_l2tp_msg *m,
                       uint64_t frame, int64_t ts)
{
    pd_session *s = t->session;
    l2tp_ctrl_dir *cd = &t->ctrl[dir];
    if (cd->first_frame == 0) {
        cd->first_frame = frame;
        cd->first_ts = ts;
    }
    cd->last_frame = frame;
    cd->last_ts = ts;
    if (m->has_seq && m->header_complete)
        take_nr(t, dir, m->nr, frame, ts);

    char text[512];
    pd_l2tp_describe(m, text, sizeof text, 0);
    if (m->zlb) {
        cd->zlbs++;
        pd_ladder_entry *l = pd_session_ladder(e, s, dir, frame, ts, "%s", text);
        if (pd_ladder_is_new(l))
            pd_ladder_attr_num(l, "nr", m->nr);
        return;
    }
    cd->messages++;
    bool retransmit = false;
    const l2tp_sent *sent = m->has_seq ? take_ns(cd, m, frame, ts, &retransmit) : NULL;

    pd_ladder_entry *l = pd_session_ladder(e, s, dir, frame, ts, "%s", text);
    if (pd_ladder_is_new(l)) {
        pd_ladder_attr_code(l, "message", pd_l2tp_msg_name(m->msg_type), m->msg_type);
        pd_ladder_attr_num(l, "ns", m->ns);
        pd_ladder_attr_num(l, "nr", m->nr);
        if (m->version == 3) {
            pd_ladder_attr_num(l, "connection_id", m->conn_id);
        } else {
            pd_ladder_attr_num(l, "tunnel_id", m->tunnel_id);
            pd_ladder_attr_num(l, "session_id", m->session_id);
        }
        if (pd_l2tp_has(m, PD_L2TP_AVP_RESULT_CODE)) {
            pd_ladder_attr_code(l, "result", pd_l2tp_result_name(m->msg_type, m->v.result_code),
                                m->v.result_code);
            if (m->v.has_error_code)
                pd_ladder_attr_code(l, "error", pd_l2tp_error_name(m->v.error_code),
                                    m->v.error_code);
        }
        if (m->hidden_avps)
            pd_ladder_attr_num(l, "hidden_avps", m->hidden_avps);
    }
    if (retransmit && l) {
        /* Sent again after the peer's Nr covered it: the acknowledgement
         * never reached the sender. */
        if (sent)
            pd_ladder_annotate(l, "retransmitted: Ns %u sent %u times", sent->ns, sent->sends);
        else
            pd_ladder_annotate(l, "retransmitted (Ns %u) although the peer acknowledged it",
                               m->ns);
    }

    if (m->version == 3) {
        /* Recognised and summarised; the v3 call model is not followed. */
        if (!retransmit && (m->msg_type == PD_L2TP_SCCRQ || m->msg_type == PD_L2TP_SCCRP))
            peer_identity(t, dir, m);
        return;
    }

    switch (m->msg_type) {
    case PD_L2TP_SCCRQ:
        if (t->sccrq_count++ == 0) {
            t->sccrq_frame = frame;
            t->sccrq_ts = ts;
        }
        t->sccrq_last_frame = frame;
        t->sccrq_last_ts = ts;
        peer_identity(t, dir, m);
        if (pd_l2tp_has(m, PD_L2TP_AVP_PROTOCOL_VERSION)) {
            char v[16];
            g_snprintf(v, sizeof v, "%u.%u", m->v.protocol_version, m->v.protocol_revision);
            pd_session_attr_str(s, "protocol_version", v);
        }
        break;
    case PD_L2TP_SCCRP:
        if (!t->sccrp_frame) {
            t->sccrp_frame = frame;
            t->sccrp_ts = ts;
        }
        peer_identity(t, dir, m);
        break;
    case PD_L2TP_SCCCN:
        if (!t->scccn_frame) {
            t->scccn_frame = frame;
            t->scccn_ts = ts;
        }
        break;
    case PD_L2TP_STOPCCN:
        if (!t->stop_frame) {
            t->stop_frame = frame;
            t->stop_ts = ts;
            t->stop_from = dir;
            if (pd_l2tp_has(m, PD_L2TP_AVP_RESULT_CODE)) {
                t->stop_has_result = true;
                t->stop_result = m->v.result_code;
                t->stop_has_error = m->v.has_error_code;
                t->stop_error = m->v.error_code;
                copy_text(t->stop_message, sizeof t->stop_message, &m->v.error_message);
            }
        }
        break;
    case PD_L2TP_HELLO:
        cd->hellos++;
        break;
    default:
        on_call_message(t, dir, m, retransmit, frame, ts);
        break;
    }
}

/* ---- data messages ---- */

static const char *data_line(const pd_ppp_frame *f)
{
    switch (f->kind) {
    case PD_PPP_KIND_COMPRESSED: return "PPP compressed/encrypted data (MPPE)";
    case PD_PPP_KIND_NETWORK: return "PPP data (clear IP)";
    default: return NULL;
    }
}

static void reach_ppp_stages(pd_session *s, const pd_ppp_link *l, uint64_t frame, int64_t ts)
{
    if (pd_ppp_link_lcp_opened(l))
        pd_session_reach(s, "lcp-opened", frame, ts);
    if (l->auth.result == PD_PPP_AUTH_SUCCESS)
        pd_session_reach(s, "authenticated", frame, ts);
    if (pd_ppp_link_ccp_opened(l))
        pd_session_reach(s, "ccp-opened", frame, ts);
    if (pd_ppp_link_ipcp_opened(l))
        pd_session_reach(s, "ipcp-opened", frame, ts);
    if (pd_ppp_link_ipv6cp_opened(l))
        pd_session_reach(s, "ipv6cp-opened", frame, ts);
}

static void on_data(pd_engine *e, l2tp_tunnel *t, int dir, const pd_l2tp_msg *m, uint64_t frame,
                    int64_t ts)
{
    pd_session *s = t->session;
    if (m->version == 3) {
        pd_session_ladder(e, s, dir, frame, ts, "L2TPv3 data to session 0x%08x",
                          m->v3_session_id);
        return;
    }
    /* Data goes to the receiver's Session ID (RFC 2661 section 3.1). */
    l2tp_call *c = call_for_receiver(t, !dir, m->session_id);
    if (!c && t->n_calls == 0 && (c = call_new(t)) != NULL) {
        /* The capture began after the call was set up. */
        c->implicit = true;
        c->connected = true;
        call_set_sid(c, !dir, m->session_id);
    }
    if (!c) {
        t->data_unmatched++;
        return;
    }
    if (!call_has_sid(c, !dir))
        call_set_sid(c, !dir, m->session_id);
    l2tp_data_dir *dd = &c->data[dir];
    if (dd->packets++ == 0) {
        dd->first_frame = frame;
        dd->first_ts = ts;
    }
    dd->last_frame = frame;
    dd->last_ts = ts;
    if (m->payload_wire_len == 0)
        return;

    pd_ppp_frame f;
    pd_ppp_status ps = pd_ppp_decode(m->payload.p, m->payload.len, m->payload_wire_len, &f);
    pd_ppp_link_feed(&c->ppp, &f, dir, frame, ts);
    if (ps == PD_PPP_TRUNCATED && f.kind == PD_PPP_KIND_NONE)
        return;
    const char *line = data_line(&f);
    if (line) {
        pd_session_ladder(e, s, dir, frame, ts, "%s", line);
    } else {
        char text[256];
        pd_ppp_describe(&f, text, sizeof text, PD_PPP_DESCRIBE_STABLE);
        pd_ladder_entry *l = pd_session_ladder(e, s, dir, frame, ts, "%s", text);
        if (pd_ladder_is_new(l) && f.has_cp_header)
            pd_ladder_attr_num(l, "identifier", f.identifier);
        if (f.kind == PD_PPP_KIND_CONTROL)
            dd->ppp_control++;
    }
    reach_ppp_stages(s, &c->ppp, frame, ts);
}

/* ---- entry points ---- */

static void on_message(pd_engine *e, const pd_packet *p, uint16_t sport, uint16_t dport,
                       uint8_t proto, const pd_l2tp_msg *m)
{
    l2tp_tunnel *t = tunnel_find(e, p, sport, dport, proto);
    if (t) {
        bool from_client = pd_addr_equal(&p->ip->src, &t->client) && sport == t->client_port;
        if (starts_new_tunnel(t, m, from_client)) {
            /* Closing the old tunnel's flow judges and frees it; the new
             * one gets a flow on this packet's own ports. */
            pd_flow *old = pd_flow_lookup(e->flows, &t->key, false, NULL, p->frame, p->ts_ns);
            if (old)
                pd_flow_table_close(e->flows, old, PD_FLOW_CLOSE_REPLACED);
            t = NULL;
        }
    }
    if (!t) {
        if (!may_open(m)) {
            e->l2tp->not_l2tp++;
            return;
        }
        t = tunnel_open(e, p, sport, dport, proto, m);
        if (!t)
            return;
    }

    int dir = pd_addr_equal(&p->ip->src, &t->client) && sport == t->client_port ? L2TP_C2S
                                                                                : L2TP_S2C;
    pd_session *s = t->session;
    /* Merged into its ESP session, the packet is already counted there (as ESP). */
    if (!t->merged)
        pd_session_packet(e, s, dir, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
    if (dir == L2TP_S2C && proto == 17 && sport != t->server_port &&
        sport != t->server_port_seen) {
        t->server_port_seen = sport;
        pd_session_attr_num(s, "server_answer_port", sport);
    }

    if (m->status == PD_L2TP_BAD_VERSION || m->status == PD_L2TP_MALFORMED ||
        !m->header_complete || (m->version != t->version)) {
        note_malformed(t, m, p->frame);
        t->ctrl[dir].malformed++;
        char text[512];
        pd_l2tp_describe(m, text, sizeof text, 0);
        pd_session_ladder(e, s, dir, p->frame, p->ts_ns, "%s", text);
        return;
    }
    if (m->is_control)
        on_control(e, t, dir, m, p->frame, p->ts_ns);
    else
        on_data(e, t, dir, m, p->frame, p->ts_ns);
}

void pd_l2tp_on_udp(pd_engine *e, const pd_packet *p, const pd_udp_header *udp)
{
    pd_l2tp_msg m;
    pd_l2tp_decode(udp->payload, udp->payload_len, udp->payload_wire_len, &m);
    on_message(e, p, udp->sport, udp->dport, 17, &m);
}

void pd_l2tp_on_ip(pd_engine *e, const pd_packet *p)
{
    pd_l2tp_msg m;
    pd_l2tp_decode_ip(p->l4, p->l4_len, p->l4_wire_len, &m);
    on_message(e, p, 0, 0, PD_L2TP_IPPROTO, &m);
}

/* ---- ICMP ---- */

void pd_l2tp_on_icmp(pd_engine *e, const pd_packet *p, const pd_icmp_error *icmp)
{
    const pd_ip *q = &icmp->quoted;
    l2tp_tunnel *t = NULL;
    uint16_t sport = 0, dport = 0;
    if (q->proto == 17 && icmp->quoted_ports) {
        sport = icmp->quoted_sport;
        dport = icmp->quoted_dport;
    } else if (q->proto != PD_L2TP_IPPROTO) {
        return;
    }
    pd_flow_key key;
    bool fwd;
    pd_flow_key_make(&key, PD_FLOW_KIND_L2TP, q->proto, &q->src, sport, &q->dst, dport, &fwd);
    pd_flow *flow = pd_flow_lookup(e->flows, &key, false, NULL, p->frame, p->ts_ns);
    t = flow ? flow->state : NULL;
    if (!t && q->proto == 17)
        t = tunnel_by_triple(e, &q->src, sport, &q->dst, dport, 17);
    if (!t)
        return;
    pd_session *s = t->session;
    pd_session_packet(e, s, PD_DIR_OTHER, p->l4_wire_len, 0, p->frame, p->ts_ns);
    char from[48];
    pd_addr_str(&p->ip->src, from, sizeof from);
    bool about_c2s = pd_addr_equal(&q->src, &t->client);
    char what[32];
    if (q->proto == 17)
        g_snprintf(what, sizeof what, "UDP %u", dport);
    else
        g_snprintf(what, sizeof what, "L2TPv3 (IP 115)");
    pd_ladder_entry *l = pd_session_ladder(e, s, PD_DIR_OTHER, p->frame, p->ts_ns,
                                           "ICMP%s %s from %s about %s to the %s",
                                           icmp->version == 6 ? "v6" : "", pd_icmp_error_name(icmp),
                                           from, what, about_c2s ? "server" : "client");
    if (pd_ladder_is_new(l)) {
        pd_ladder_attr_num(l, "icmp_type", icmp->type);
        pd_ladder_attr_num(l, "icmp_code", icmp->code);
    }
    if (!icmp->unreachable || !about_c2s)
        return;
    if (t->icmp_count++ == 0) {
        t->icmp_frame = p->frame;
        t->icmp_ts = p->ts_ns;
        t->icmp_type = icmp->type;
        t->icmp_code = icmp->code;
        /* Port unreachable: ICMP 3/3, ICMPv6 1/4. */
        t->icmp_port_unreachable = icmp->version == 4 ? icmp->code == 3 : icmp->code == 4;
        t->icmp_from_server = pd_addr_equal(&p->ip->src, &t->server);
        t->icmp_after_answer = t->ctrl[L2TP_S2C].messages + t->ctrl[L2TP_S2C].zlbs > 0;
        g_strlcpy(t->icmp_what, pd_icmp_error_name(icmp), sizeof t->icmp_what);
        g_strlcpy(t->icmp_from, from, sizeof t->icmp_from);
    }
}

/* ---- end of a tunnel ---- */

static void record_stats(l2tp_tunnel *t)
{
    /* Per direction: control messages, retransmissions, still unacknowledged
     * (always, they are the reliable channel's health); ZLBs, HELLOs and
     * data messages when there were any. */
    static const char *const keys[2][6] = {
        { "control_to_server", "retransmissions_to_server", "unacknowledged_to_server",
          "zlb_to_server", "hello_to_server", "data_to_server_packets" },
        { "control_to_client", "retransmissions_to_client", "unacknowledged_to_client",
          "zlb_to_client", "hello_to_client", "data_to_client_packets" },
    };
    /* In an L2TP/IPsec session the IKE part has its own retransmission counts. */
    static const char *const merged_keys[2][6] = {
        { "control_to_server", "l2tp_retransmissions_to_server", "unacknowledged_to_server",
          "zlb_to_server", "hello_to_server", "data_to_server_packets" },
        { "control_to_client", "l2tp_retransmissions_to_client", "unacknowledged_to_client",
          "zlb_to_client", "hello_to_client", "data_to_client_packets" },
    };
    pd_session *s = t->session;
    for (int d = 0; d < 2; d++) {
        const l2tp_ctrl_dir *cd = &t->ctrl[d];
        uint64_t data = 0;
        for (size_t i = 0; i < t->n_calls; i++)
            data += t->calls[i]->data[d].packets;
        int64_t v[6] = { (int64_t)cd->messages, (int64_t)cd->retransmits,
                         (int64_t)(cd->n_pending + cd->pending_dropped), (int64_t)cd->zlbs,
                         (int64_t)cd->hellos, (int64_t)data };
        for (int k = 0; k < 6; k++)
            if (k < 3 || v[k] != 0)
                pd_session_attr_num(s, t->merged ? merged_keys[d][k] : keys[d][k], v[k]);
    }
    /* What this capture can say about protection. */
    if (t->in_esp) {
        char text[128];
        if (t->merged)
            g_snprintf(text, sizeof text, "ESP, decrypted (--esp-keys): the L2TP came from SPI "
                                          "0x%08x",
                       t->esp_spi);
        else
            g_snprintf(text, sizeof text, "ESP of session %u, decrypted (--esp-keys): the "
                                          "L2TP came from SPI 0x%08x",
                       t->esp_session_id, t->esp_spi);
        pd_session_attr_str(s, "ipsec", text);
    } else {
        pd_session_attr_str(s, "ipsec", "none: L2TP in clear text");
    }
    if (t->malformed_total)
        pd_session_attr_num(s, t->merged ? "l2tp_malformed_messages" : "malformed_messages",
                            (int64_t)t->malformed_total);
    if (t->data_unmatched)
        pd_session_attr_num(s, "data_unmatched", (int64_t)t->data_unmatched);
    if (t->calls_dropped)
        pd_session_attr_num(s, "calls_not_tracked", (int64_t)t->calls_dropped);
}

static void tunnel_close(pd_engine *e, l2tp_tunnel *t)
{
    if (t->closed)
        return;
    t->closed = true;
    if (t->triple_registered) {
        l2tp_triple k;
        triple_make(&k, &t->client, t->client_port, &t->server, t->ip_proto);
        if (g_hash_table_lookup(e->l2tp->by_triple, &k) == t)
            g_hash_table_remove(e->l2tp->by_triple, &k);
        t->triple_registered = false;
    }
    if (t->merged)
        g_ptr_array_remove_fast(e->l2tp->merged, t);
    record_stats(t);
    pd_l2tp_detect(e, t);
    pd_session_release(e, t->session); /* judged: streaming front ends may have it */
}

void pd_l2tp_close_nested(pd_engine *e, pd_session *s)
{
    for (guint i = 0; i < e->l2tp->merged->len;) {
        l2tp_tunnel *t = g_ptr_array_index(e->l2tp->merged, i);
        if (t->session != s) {
            i++;
            continue;
        }
        pd_flow *flow = pd_flow_lookup(e->flows, &t->key, false, NULL, s->last_frame,
                                       s->last_ts_ns);
        if (flow && flow->state == t) {
            pd_flow_table_close(e->flows, flow, PD_FLOW_CLOSE_END); /* tunnel_close unlists it */
        } else {
            tunnel_close(e, t); /* cannot happen: the flow owns the tunnel */
        }
        i = 0;
    }
}

void pd_l2tp_flow_closed(pd_engine *e, pd_flow *flow, pd_flow_close_reason why)
{
    l2tp_tunnel *t = flow->state;
    if (!t || flow->key.kind != PD_FLOW_KIND_L2TP)
        return;
    tunnel_close(e, t);
    tunnel_free(t);
    flow->state = NULL;
}
