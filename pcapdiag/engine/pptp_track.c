/* pptp_track.c - PPTP sessions (RFC 2637): the TCP 1723 control connection,
 * its calls, the enhanced GRE that carries each call's PPP, ICMP errors.
 *
 * One session per control connection, owned by its TCP flow. GRE between
 * the same two addresses is matched to the most recent control connection
 * and to a call by Call ID (the receiver's, RFC 2637 section 4.1). When the
 * control flow closes, pptp_detect.c judges the session and the heavy state
 * is freed: memory follows live connections, not capture size.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ppp.h"
#include "pptp_session.h"
#include "pptp_track.h"

/* Calls tracked per address pair without a control connection; GRE of
 * further calls is counted, not tracked. */
#define PPTP_MIDCALL_MAX 8
/* An Acknowledgment this close below the highest Sequence Number seen the
 * other way names that flow (RFC 2637 4.4: the peer acks what it received). */
#define PPTP_MIDCALL_ACK_WINDOW 64u
/* Call IDs remembered per address pair once its control connection is over. */
#define PPTP_ENDED_IDS 8

struct pd_pptp_module {
    /* Address pair -> the live control connection GRE belongs to. */
    GHashTable *by_pair;
    /* Address pair -> pptp_ended: the Call IDs of its last control
     * connections, so that late GRE after a teardown is not taken for a call
     * captured mid-call. */
    GHashTable *ended;
    uint64_t gre_without_control; /* GRE packets with no control connection seen */
};

typedef struct pptp_ended {
    pd_flow_key pair;
    uint16_t ids[PPTP_ENDED_IDS];
    size_t n, next;
} pptp_ended;

/* The GRE flow of an address pair with no control connection: its calls,
 * one mid-call session each. */
typedef struct pptp_midpair {
    pptp_conn *conns[PPTP_MIDCALL_MAX];
    size_t n;
} pptp_midpair;

static guint pair_hash(gconstpointer p)
{
    return (guint)pd_flow_key_hash(p);
}

static gboolean pair_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(pd_flow_key)) == 0;
}

pd_pptp_module *pd_pptp_module_new(pd_engine *e)
{
    pd_pptp_module *m = g_new0(pd_pptp_module, 1);
    m->by_pair = g_hash_table_new(pair_hash, pair_equal);
    m->ended = g_hash_table_new_full(pair_hash, pair_equal, NULL, g_free);
    return m;
}

void pd_pptp_module_free(pd_pptp_module *m)
{
    if (!m)
        return;
    g_hash_table_destroy(m->by_pair);
    g_hash_table_destroy(m->ended);
    g_free(m);
}

static void conn_free(pptp_conn *c)
{
    for (size_t i = 0; i < c->n_calls; i++)
        g_free(c->calls[i]);
    if (c->stream) {
        for (int d = 0; d < 2; d++) {
            pd_tcp_stream_free(&c->stream->tcp[d]);
            pd_pptp_framer_free(&c->stream->framer[d]);
        }
        g_free(c->stream);
    }
    g_free(c->mangled);
    g_free(c);
}

/* ---- evidence of mangling ---- */

static void note_mangled(pptp_conn *c, uint64_t frame, int64_t ts, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static void note_mangled(pptp_conn *c, uint64_t frame, int64_t ts, const char *fmt, ...)
{
    c->mangled_total++;
    if (c->n_mangled >= PPTP_MAX_MANGLED)
        return;
    if (!c->mangled)
        c->mangled = g_new0(pptp_mangled, PPTP_MAX_MANGLED);
    pptp_mangled *m = &c->mangled[c->n_mangled++];
    m->frame = frame;
    m->ts_ns = ts;
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(m->note, sizeof m->note, fmt, ap);
    va_end(ap);
}

static void note_teardown(pptp_conn *c, int from, uint64_t frame, int64_t ts, const char *what)
{
    if (c->teardown_frame)
        return;
    c->teardown_frame = frame;
    c->teardown_ts = ts;
    c->teardown_from = from;
    c->teardown_what = what;
}

/* ---- control messages ---- */

typedef struct stream_ctx {
    pd_engine *e;
    pptp_conn *c;
    int dir;
} stream_ctx;

static pptp_call *call_by_pns(pptp_conn *c, uint16_t id)
{
    for (size_t i = 0; i < c->n_calls; i++)
        if (c->calls[i]->have_pns_id && c->calls[i]->pns_call_id == id)
            return c->calls[i];
    return NULL;
}

static pptp_call *call_by_pac(pptp_conn *c, uint16_t id)
{
    for (size_t i = 0; i < c->n_calls; i++)
        if (c->calls[i]->have_pac_id && c->calls[i]->pac_call_id == id)
            return c->calls[i];
    return NULL;
}

static pptp_call *call_new(pptp_conn *c)
{
    if (c->n_calls >= PPTP_MAX_CALLS)
        return NULL;
    pptp_call *call = g_new0(pptp_call, 1);
    c->calls[c->n_calls++] = call;
    call->cdn_from = -1;
    pd_gre_seq_init(&call->gre[0].seq);
    pd_gre_seq_init(&call->gre[1].seq);
    pd_ppp_link_init(&call->ppp);
    return call;
}

static void on_control_message(const uint8_t *data, size_t len, uint64_t first_frame,
                               uint64_t frame, int64_t ts, void *user)
{
    stream_ctx *x = user;
    pptp_conn *c = x->c;
    pd_engine *e = x->e;
    pd_session *s = c->session;
    int dir = x->dir;
    pd_pptp_msg m;
    pd_pptp_status st = pd_pptp_decode(data, len, &m);
    c->ctrl_messages[dir]++;

    char text[256];
    pd_pptp_describe(&m, text, sizeof text);
    pd_ladder_entry *l = pd_session_ladder(e, s, dir, frame, ts, "%s", text);
    if (pd_ladder_is_new(l)) {
        pd_ladder_attr_code(l, "message", pd_pptp_msg_name(m.ctrl_type), m.ctrl_type);
        if (m.has_result)
            pd_ladder_attr_code(l, "result", pd_pptp_result_name(m.ctrl_type, m.result_code),
                                m.result_code);
        if (m.has_call_id)
            pd_ladder_attr_num(l, "call_id", m.call_id);
        if (m.has_peer_call_id)
            pd_ladder_attr_num(l, "peer_call_id", m.peer_call_id);
    }

    if (st != PD_PPTP_OK && !(st == PD_PPTP_BAD_LENGTH && m.body_complete)) {
        /* The framer only hands over messages whose header checked out, so a
         * body that does not fit its type was damaged on the way. */
        note_mangled(c, frame, ts, "PPTP %s: %s (Length %u)", pd_pptp_msg_name(m.ctrl_type),
                     pd_pptp_status_name(st), m.length);
        return;
    }

    switch (m.ctrl_type) {
    case PD_PPTP_SCCRQ:
        if (!c->sccrq_frame) {
            c->sccrq_frame = frame;
            c->sccrq_ts = ts;
            pd_session_attr_str(s, "client_host_name", m.u.sccr.host_name);
            pd_session_attr_str(s, "client_vendor", m.u.sccr.vendor);
        }
        break;
    case PD_PPTP_SCCRP:
        c->sccrp_frame = frame;
        c->sccrp_ts = ts;
        c->sccrp_result = m.u.sccr.result_code;
        c->sccrp_error = m.u.sccr.error_code;
        pd_session_attr_str(s, "server_host_name", m.u.sccr.host_name);
        pd_session_attr_str(s, "server_vendor", m.u.sccr.vendor);
        if (pd_pptp_result_ok(m.ctrl_type, m.u.sccr.result_code)) {
            c->control_connected = true;
            pd_session_reach(s, "control-connected", frame, ts);
        }
        break;
    case PD_PPTP_STOPCCRQ:
        if (!c->stop_frame) {
            c->stop_frame = frame;
            c->stop_ts = ts;
            c->stop_from = dir;
            c->stop_reason = m.u.stopccrq.reason;
        }
        note_teardown(c, dir, frame, ts, "Stop-Control-Connection-Request");
        break;
    case PD_PPTP_STOPCCRP:
        c->stop_reply_frame = frame;
        break;
    case PD_PPTP_ECHORQ:
        if (c->echo_unanswered[dir]++ == 0) {
            c->echo_first_unanswered_frame[dir] = frame;
            c->echo_first_unanswered_ts[dir] = ts;
        }
        c->echo_last_unanswered_frame[dir] = frame;
        c->echo_last_unanswered_ts[dir] = ts;
        pd_ladder_annotate(l, "%u unanswered", c->echo_unanswered[dir]);
        break;
    case PD_PPTP_ECHORP:
        c->echo_unanswered[!dir] = 0;
        break;
    case PD_PPTP_OCRQ:
    case PD_PPTP_ICRQ: {
        /* OCRQ comes from the PNS (client), ICRQ from the PAC (server). */
        bool incoming = m.ctrl_type == PD_PPTP_ICRQ;
        pptp_call *call = incoming ? call_by_pac(c, m.call_id) : call_by_pns(c, m.call_id);
        if (!call && (call = call_new(c)) != NULL) {
            call->incoming = incoming;
            if (incoming) {
                call->pac_call_id = m.call_id;
                call->have_pac_id = true;
            } else {
                call->pns_call_id = m.call_id;
                call->have_pns_id = true;
            }
            call->request_frame = frame;
            call->request_ts = ts;
        }
        break;
    }
    case PD_PPTP_OCRP:
    case PD_PPTP_ICRP: {
        bool incoming = m.ctrl_type == PD_PPTP_ICRP;
        pptp_call *call = incoming ? call_by_pac(c, m.peer_call_id) : call_by_pns(c, m.peer_call_id);
        if (!call && c->n_calls == 1 && !c->calls[0]->reply_frame) {
            call = c->calls[0];
            note_mangled(c, frame, ts, "%s Peer's Call ID %u does not echo the request's %u",
                         pd_pptp_msg_abbrev(m.ctrl_type), m.peer_call_id,
                         incoming ? call->pac_call_id : call->pns_call_id);
        }
        if (!call)
            break;
        if (incoming) {
            call->pns_call_id = m.call_id;
            call->have_pns_id = true;
        } else {
            call->pac_call_id = m.call_id;
            call->have_pac_id = true;
        }
        call->reply_frame = frame;
        call->reply_ts = ts;
        call->reply_result = m.result_code;
        call->reply_error = m.error_code;
        call->reply_cause = m.ctrl_type == PD_PPTP_OCRP ? m.u.ocrp.cause_code : 0;
        if (pd_pptp_result_ok(m.ctrl_type, m.result_code) && !incoming) {
            call->connected = true;
            pd_session_reach(s, "call-connected", frame, ts);
            pd_session_attr_num(s, "client_call_id", call->pns_call_id);
            pd_session_attr_num(s, "server_call_id", call->pac_call_id);
        }
        break;
    }
    case PD_PPTP_ICCN: {
        pptp_call *call = call_by_pac(c, m.peer_call_id);
        if (call) {
            call->connected = true;
            pd_session_reach(s, "call-connected", frame, ts);
            pd_session_attr_num(s, "client_call_id", call->pns_call_id);
            pd_session_attr_num(s, "server_call_id", call->pac_call_id);
        }
        break;
    }
    case PD_PPTP_CCRQ: {
        pptp_call *call = call_by_pns(c, m.call_id);
        if (c->midcall) {
            c->ctrl_call_id_seen++;
            c->ctrl_call_id_matched += call != NULL;
        }
        if (!call && c->n_calls == 1)
            call = c->calls[0];
        if (call && !call->ccrq_frame) {
            call->ccrq_frame = frame;
            call->ccrq_ts = ts;
        }
        note_teardown(c, dir, frame, ts, "Call-Clear-Request");
        break;
    }
    case PD_PPTP_CDN: {
        /* Sent by the PAC with its own Call ID (or by a PNS with its own). */
        pptp_call *call = dir == PPTP_S2C ? call_by_pac(c, m.call_id) : call_by_pns(c, m.call_id);
        if (c->midcall) {
            c->ctrl_call_id_seen++;
            c->ctrl_call_id_matched += call != NULL;
        }
        if (!call && c->n_calls == 1)
            call = c->calls[0];
        if (call && !call->cdn_frame) {
            call->cdn_frame = frame;
            call->cdn_ts = ts;
            call->cdn_from = dir;
            call->cdn_result = m.u.cdn.result_code;
            call->cdn_error = m.u.cdn.error_code;
            call->cdn_cause = m.u.cdn.cause_code;
        }
        note_teardown(c, dir, frame, ts, "Call-Disconnect-Notify");
        break;
    }
    default:
        break;
    }
}

static void on_control_skip(pd_pptp_skip_reason why, uint64_t skipped, uint64_t first_frame,
                            uint64_t frame, int64_t ts, void *user)
{
    stream_ctx *x = user;
    if (why == PD_PPTP_SKIP_GARBAGE)
        note_mangled(x->c, first_frame ? first_frame : frame, ts,
                     "%" G_GUINT64_FORMAT " bytes in the control stream are not PPTP messages "
                     "(bad Length or Magic Cookie)", skipped);
}

static void on_stream_bytes(const uint8_t *data, size_t len, uint64_t frame, int64_t ts, void *user)
{
    stream_ctx *x = user;
    pd_pptp_framer_push(&x->c->stream->framer[x->dir], data, len, frame, ts, on_control_message,
                        on_control_skip, x);
}

static void on_stream_gap(uint64_t len, uint64_t frame, int64_t ts, void *user)
{
    stream_ctx *x = user;
    x->e->stats.tcp_gap_bytes += len;
    pd_pptp_framer_gap(&x->c->stream->framer[x->dir], frame, ts, on_control_skip, x);
}

/* ---- TCP ---- */

static void pair_key_make(pd_flow_key *k, const pd_addr *a, const pd_addr *b)
{
    bool fwd;
    pd_flow_key_make(k, PD_FLOW_KIND_GRE, 47, a, 0, b, 0, &fwd);
}

static pptp_conn *conn_new(pd_engine *e, const pd_packet *p, const pd_tcp_header *tcp,
                           bool from_client_port)
{
    pptp_conn *c = g_new0(pptp_conn, 1);
    if (from_client_port) {
        c->client = p->ip->src;
        c->server = p->ip->dst;
        c->client_port = tcp->sport;
        c->server_port = tcp->dport;
    } else {
        c->client = p->ip->dst;
        c->server = p->ip->src;
        c->client_port = tcp->dport;
        c->server_port = tcp->sport;
    }
    c->tcp.rst_from = -1;
    c->teardown_from = -1;
    c->stop_from = -1;
    c->session = pd_session_open(e, PD_PROTO_PPTP, &c->client, c->client_port, &c->server,
                                 c->server_port, p->frame, p->ts_ns);
    pair_key_make(&c->pair_key, &c->client, &c->server);
    /* The newest control connection between two hosts owns their GRE. */
    g_hash_table_replace(e->pptp->by_pair, &c->pair_key, c);
    return c;
}

static const char *tcp_flags_text(uint8_t f, char *buf, size_t len)
{
    g_snprintf(buf, len, "%s%s%s%s", (f & PD_TCP_SYN) ? "SYN" : "",
               (f & PD_TCP_FIN) ? ((f & PD_TCP_SYN) ? "/FIN" : "FIN") : "",
               (f & PD_TCP_RST) ? ((f & (PD_TCP_SYN | PD_TCP_FIN)) ? "/RST" : "RST") : "",
               (f & PD_TCP_ACK) ? ((f & (PD_TCP_SYN | PD_TCP_FIN | PD_TCP_RST)) ? "/ACK" : "ACK")
                                : "");
    return buf;
}

static pptp_conn *midcall_for_ctrl(pd_engine *e, const pd_packet *p);
static void conn_swap_roles(pptp_conn *c);

/* A TCP 1723 stream that began before the capture joins a mid-call session:
 * its port settles the roles. */
static void midcall_join_ctrl(pptp_conn *c, const pd_packet *p, const pd_tcp_header *tcp,
                              bool src_is_client)
{
    const pd_addr *client = src_is_client ? &p->ip->src : &p->ip->dst;
    if (!pd_addr_equal(client, &c->client))
        conn_swap_roles(c);
    c->client_port = src_is_client ? tcp->sport : tcp->dport;
    c->server_port = src_is_client ? tcp->dport : tcp->sport;
    c->session->client.port = c->client_port;
    c->session->server.port = c->server_port;
    c->ctrl_midstream = true;
    c->role_basis = "TCP 1723 port";
    c->holders++;
}

void pd_pptp_on_tcp(pd_engine *e, const pd_packet *p, const pd_tcp_header *tcp)
{
    /* The client is the side not on port 1723 (both on 1723: the SYN's sender). */
    bool src_is_client = tcp->dport == PD_PPTP_PORT && tcp->sport != PD_PPTP_PORT;
    if (tcp->dport == PD_PPTP_PORT && tcp->sport == PD_PPTP_PORT)
        src_is_client = (tcp->flags & (PD_TCP_SYN | PD_TCP_ACK)) == PD_TCP_SYN;

    pd_flow_key key;
    bool fwd, created = false;
    pd_flow_key_make(&key, PD_FLOW_KIND_PPTP_CTRL, 6, &p->ip->src, tcp->sport, &p->ip->dst,
                     tcp->dport, &fwd);
    pd_flow *flow = pd_flow_lookup(e->flows, &key, false, NULL, p->frame, p->ts_ns);
    pptp_conn *c = flow ? flow->state : NULL;

    /* A new SYN on a finished connection's 4-tuple is a new attempt. */
    if (c && src_is_client && (tcp->flags & (PD_TCP_SYN | PD_TCP_ACK)) == PD_TCP_SYN &&
        (c->tcp.state == PD_TCP_REFUSED || c->tcp.state == PD_TCP_CLOSED ||
         c->tcp.state == PD_TCP_RESET)) {
        pd_flow_table_close(e->flows, flow, PD_FLOW_CLOSE_REPLACED);
        flow = NULL;
        c = NULL;
    }
    if (!c) {
        /* Open a session on a client's SYN, or on data (capture began mid-way);
         * a stray ACK or RST alone is not worth a session. */
        bool syn = (tcp->flags & (PD_TCP_SYN | PD_TCP_ACK)) == PD_TCP_SYN && src_is_client;
        if (!syn && tcp->payload_len == 0)
            return;
        pptp_conn *mid = syn ? NULL : midcall_for_ctrl(e, p);
        flow = pd_flow_lookup(e->flows, &key, true, &created, p->frame, p->ts_ns);
        if (!flow)
            return;
        if (mid) {
            midcall_join_ctrl(mid, p, tcp, src_is_client);
            c = mid;
        } else {
            c = conn_new(e, p, tcp, src_is_client);
            c->ctrl_midstream = !syn; /* its start is not in the capture */
        }
        flow->state = c;
    }

    int dir = pd_addr_equal(&p->ip->src, &c->client) && tcp->sport == c->client_port ? PPTP_C2S
                                                                                     : PPTP_S2C;
    pd_session *s = c->session;
    pd_session_packet(e, s, dir, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);

    pd_tcp_conn_state before = c->tcp.state;
    pd_tcp_conn_update(&c->tcp, tcp, dir == PPTP_C2S, p->frame, p->ts_ns);

    /* Ladder: handshake, resets and closes; plain ACKs stay out of it. */
    if (tcp->flags & (PD_TCP_SYN | PD_TCP_FIN | PD_TCP_RST)) {
        char f[24];
        pd_ladder_entry *l = pd_session_ladder(e, s, dir, p->frame, p->ts_ns, "TCP %s",
                                               tcp_flags_text(tcp->flags, f, sizeof f));
        if (l && (tcp->flags & PD_TCP_SYN) && !(tcp->flags & PD_TCP_ACK) && l->repeat > 1)
            pd_ladder_annotate(l, "retransmitted");
    }
    if (c->tcp.state == PD_TCP_ESTABLISHED && before != PD_TCP_ESTABLISHED)
        pd_session_reach(s, "tcp-connected", p->frame, p->ts_ns);
    if (c->tcp.state == PD_TCP_REFUSED && before != PD_TCP_REFUSED)
        pd_session_set_state(s, "refused");
    if (tcp->flags & PD_TCP_RST)
        note_teardown(c, dir, p->frame, p->ts_ns, "TCP reset");
    else if (tcp->flags & PD_TCP_FIN)
        note_teardown(c, dir, p->frame, p->ts_ns, "TCP FIN");

    if (tcp->payload_len > 0 || (tcp->flags & (PD_TCP_SYN | PD_TCP_FIN))) {
        if (!c->stream) {
            c->stream = g_new0(pptp_stream, 1);
            for (int d = 0; d < 2; d++) {
                pd_tcp_stream_init(&c->stream->tcp[d], e->config.limits.max_tcp_buffered_bytes);
                pd_pptp_framer_init(&c->stream->framer[d]);
            }
        }
        stream_ctx x = { e, c, dir };
        pd_tcp_stream_add(&c->stream->tcp[dir], tcp, p->frame, p->ts_ns, on_stream_bytes, on_stream_gap,
                          &x);
    }
}

/* ---- GRE ---- */

static const char *gre_data_line(const pd_ppp_frame *f)
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

static void gre_feed_call(pd_engine *e, pptp_conn *c, pptp_call *call, int dir,
                          const pd_packet *p, const pd_gre *g);
static void midcall_gre(pd_engine *e, const pd_packet *p);

/* GRE naming no call of a control connection whose start is not in the
 * capture: a call set up before the capture began. It joins the one call
 * adopted the same way that so far has only the other direction (and no
 * other unpaired flow this way), else it is a call of its own. */
static pptp_call *midstream_call(pptp_conn *c, int dir, uint16_t id)
{
    size_t n_opposite = 0, n_same = 0;
    pptp_call *opposite = NULL;
    for (size_t i = 0; i < c->n_calls; i++) {
        pptp_call *call = c->calls[i];
        if (call->request_frame || call->reply_frame)
            continue; /* set up in the capture: its IDs are known */
        bool have = dir == PPTP_C2S ? call->have_pac_id : call->have_pns_id;
        bool have_other = dir == PPTP_C2S ? call->have_pns_id : call->have_pac_id;
        if (have && !have_other)
            n_same++;
        if (!have && have_other) {
            n_opposite++;
            opposite = call;
        }
    }
    pptp_call *call = n_opposite == 1 && n_same == 0 ? opposite : NULL;
    if (!call) {
        call = call_new(c);
        if (!call)
            return NULL;
        if (n_opposite)
            c->pairing_ambiguous = true;
        if (!c->midcall)
            pd_session_reach(c->session, "mid-call", c->session->last_frame,
                             c->session->last_ts_ns);
        c->midcall = true;
        c->role_basis = "TCP 1723 port";
    }
    if (dir == PPTP_C2S) {
        call->pac_call_id = id;
        call->have_pac_id = true;
    } else {
        call->pns_call_id = id;
        call->have_pns_id = true;
    }
    return call;
}

void pd_pptp_on_gre(pd_engine *e, const pd_packet *p)
{
    pd_flow_key pair;
    pair_key_make(&pair, &p->ip->src, &p->ip->dst);
    pptp_conn *c = g_hash_table_lookup(e->pptp->by_pair, &pair);
    if (!c) {
        midcall_gre(e, p);
        return;
    }
    pd_gre g;
    pd_gre_status gs = pd_gre_decode(p->l4, p->l4_len, p->l4_wire_len, &g);
    int dir = pd_addr_equal(&p->ip->src, &c->client) ? PPTP_C2S : PPTP_S2C;
    pd_session *s = c->session;
    pd_session_packet(e, s, dir, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
    if (gs == PD_GRE_TRUNCATED)
        return;
    if (gs != PD_GRE_OK || g.version != 1) {
        note_mangled(c, p->frame, p->ts_ns, "GRE header between the PPTP peers is not enhanced "
                                            "GRE: %s", pd_gre_status_name(gs));
        return;
    }

    /* The Call ID is the receiver's: the server's toward it, the client's back. */
    pptp_call *call = dir == PPTP_C2S ? call_by_pac(c, g.call_id) : call_by_pns(c, g.call_id);
    if (!call && c->ctrl_midstream && !c->sccrq_frame)
        call = midstream_call(c, dir, g.call_id);
    if (!call) {
        if (c->n_calls == 1 && (dir == PPTP_C2S ? c->calls[0]->have_pac_id
                                                : c->calls[0]->have_pns_id)) {
            call = c->calls[0];
            note_mangled(c, p->frame, p->ts_ns, "GRE to the %s carries Call ID %u, expected %u",
                         dir == PPTP_C2S ? "server" : "client", g.call_id,
                         dir == PPTP_C2S ? call->pac_call_id : call->pns_call_id);
            call->mangled = true;
        } else if (c->n_calls >= 1 && !c->calls[c->n_calls - 1]->have_pac_id) {
            /* GRE can race ahead of the Outgoing-Call-Reply. */
            call = c->calls[c->n_calls - 1];
        } else {
            c->gre_unmatched++;
            return;
        }
    }
    gre_feed_call(e, c, call, dir, p, &g);
}

/* Count one GRE packet of `call` (decoded, enhanced) and feed its PPP. */
static void gre_feed_call(pd_engine *e, pptp_conn *c, pptp_call *call, int dir,
                          const pd_packet *p, const pd_gre *g)
{
    pd_session *s = c->session;
    if (g->anomalies & PD_GRE_ANOM_LEN_MISMATCH) {
        note_mangled(c, p->frame, p->ts_ns, "GRE Payload Length %u disagrees with the %zu bytes "
                                            "carried (%s)", g->payload_length, g->payload_wire_len,
                     pd_gre_len_check_name(g->len_check));
        call->mangled = true;
    }
    if (g->anomalies & PD_GRE_ANOM_V1_NOT_PPP) {
        note_mangled(c, p->frame, p->ts_ns, "GRE protocol type 0x%04x, not PPP (0x880B)",
                     g->protocol);
        call->mangled = true;
    }

    pptp_gre_dir *gd = &call->gre[dir];
    if (gd->packets++ == 0) {
        gd->first_frame = p->frame;
        gd->first_ts = p->ts_ns;
        if (call->gre[!dir].packets)
            pd_session_reach(s, "gre-both-ways", p->frame, p->ts_ns);
    }
    gd->last_frame = p->frame;
    gd->last_ts = p->ts_ns;
    pd_gre_seq_update(&gd->seq, g, p->frame);

    if (g->payload_wire_len == 0)
        return; /* an acknowledgment only */

    pd_ppp_frame f;
    pd_ppp_status ps = pd_ppp_decode(g->payload, g->payload_len, g->payload_wire_len, &f);
    pd_ppp_link_feed(&call->ppp, &f, dir, p->frame, p->ts_ns);
    if (ps == PD_PPP_TRUNCATED)
        return;
    pd_ppp_damage dmg = pd_ppp_check(&f);
    /* RFC 1661 says LCP keeps FF 03 even with ACFC, but Linux pppd over
     * PPTP drops it from LCP Echo once the receiver's ACFC was acked: seen in
     * real captures, harmless, so not a sign of mangling-> */
    if (dmg == PD_PPP_DAMAGE_LCP_NO_ADDRCTL &&
        (call->ppp.cp[PD_PPP_CP_LCP][!dir].acked.lcp.acfc || c->midcall))
        dmg = PD_PPP_DAMAGE_NONE;
    if (dmg != PD_PPP_DAMAGE_NONE && pd_ppp_damage_is_mangling(dmg)) {
        note_mangled(c, p->frame, p->ts_ns, "PPP in GRE: %s", pd_ppp_damage_text(dmg));
        call->mangled = true;
    }

    const char *data_line = gre_data_line(&f);
    if (data_line) {
        pd_session_ladder(e, s, dir, p->frame, p->ts_ns, "%s", data_line);
    } else {
        char text[256];
        pd_ppp_describe(&f, text, sizeof text, PD_PPP_DESCRIBE_STABLE);
        pd_ladder_entry *l = pd_session_ladder(e, s, dir, p->frame, p->ts_ns, "%s", text);
        if (pd_ladder_is_new(l) && f.has_cp_header)
            pd_ladder_attr_num(l, "identifier", f.identifier);
        if (f.kind == PD_PPP_KIND_CONTROL)
            gd->ppp_control++;
    }
    reach_ppp_stages(s, &call->ppp, p->frame, p->ts_ns);
}

/* ---- calls captured mid-call ---- */

/* Addresses a client typically has and a server on the Internet does not
 * (RFC 1918, RFC 6598 shared space, RFC 4193 unique local). */
static bool addr_is_private(const pd_addr *a)
{
    if (a->family == 4)
        return a->a[0] == 10 || (a->a[0] == 172 && (a->a[1] & 0xF0) == 16) ||
               (a->a[0] == 192 && a->a[1] == 168) || (a->a[0] == 100 && (a->a[1] & 0xC0) == 64);
    return (a->a[0] & 0xFE) == 0xFC;
}

/* The roles of a mid-call session were a guess: exchange them everywhere
 * they are recorded (nothing has been judged yet). */
static void conn_swap_roles(pptp_conn *c)
{
    pd_addr a = c->client;
    c->client = c->server;
    c->server = a;
    uint16_t port = c->client_port;
    c->client_port = c->server_port;
    c->server_port = port;
    pd_session_swap_roles(c->session);
    for (size_t i = 0; i < c->n_calls; i++) {
        pptp_call *call = c->calls[i];
        pptp_gre_dir d = call->gre[0];
        call->gre[0] = call->gre[1];
        call->gre[1] = d;
        uint16_t id = call->pns_call_id;
        call->pns_call_id = call->pac_call_id;
        call->pac_call_id = id;
        bool have = call->have_pns_id;
        call->have_pns_id = call->have_pac_id;
        call->have_pac_id = have;
        pd_ppp_link_swap_dirs(&call->ppp);
    }
}

static bool ended_has(pd_pptp_module *m, const pd_flow_key *pair, uint16_t id)
{
    const pptp_ended *x = g_hash_table_lookup(m->ended, pair);
    for (size_t i = 0; x && i < x->n; i++)
        if (x->ids[i] == id)
            return true;
    return false;
}

static void ended_add(pd_pptp_module *m, const pd_flow_key *pair, uint16_t id)
{
    pptp_ended *x = g_hash_table_lookup(m->ended, pair);
    if (!x) {
        x = g_new0(pptp_ended, 1);
        x->pair = *pair;
        g_hash_table_insert(m->ended, &x->pair, x);
    }
    for (size_t i = 0; i < x->n; i++)
        if (x->ids[i] == id)
            return;
    x->ids[x->next] = id;
    x->next = (x->next + 1) % PPTP_ENDED_IDS;
    if (x->n < PPTP_ENDED_IDS)
        x->n++;
}

static pptp_conn *midcall_conn_new(pd_engine *e, pptp_midpair *mp, const pd_packet *p)
{
    pptp_conn *c = g_new0(pptp_conn, 1);
    const pd_addr *src = &p->ip->src, *dst = &p->ip->dst;
    if (mp->n > 0) {
        /* Calls between the same hosts keep one orientation, so that their
         * directions can be paired. */
        bool same = pd_addr_equal(src, &mp->conns[0]->client);
        c->client = same ? *src : *dst;
        c->server = same ? *dst : *src;
        c->role_basis = mp->conns[0]->role_basis;
    } else if (addr_is_private(dst) && !addr_is_private(src)) {
        c->client = *dst;
        c->server = *src;
        c->role_basis = "private address";
    } else {
        c->client = *src;
        c->server = *dst;
        c->role_basis = addr_is_private(src) && !addr_is_private(dst) ? "private address"
                                                                     : "first sender";
    }
    c->tcp.rst_from = -1;
    c->teardown_from = -1;
    c->stop_from = -1;
    c->midcall = true;
    c->holders = 1;
    c->session = pd_session_open(e, PD_PROTO_PPTP, &c->client, 0, &c->server, 0, p->frame,
                                 p->ts_ns);
    pair_key_make(&c->pair_key, &c->client, &c->server);
    pd_session_reach(c->session, "mid-call", p->frame, p->ts_ns);
    if (!call_new(c)) {
        pd_session_release(e, c->session);
        g_free(c);
        return NULL;
    }
    mp->conns[mp->n++] = c;
    return c;
}

/* The receiver's Call ID of a GRE direction, and whether it is known. */
static bool call_dir_id(const pptp_call *call, int dir, uint16_t *id)
{
    *id = dir == PPTP_C2S ? call->pac_call_id : call->pns_call_id;
    return dir == PPTP_C2S ? call->have_pac_id : call->have_pns_id;
}

static int conn_dir(const pptp_conn *c, const pd_addr *src)
{
    return pd_addr_equal(src, &c->client) ? PPTP_C2S : PPTP_S2C;
}

/* The mid-call session a GRE packet belongs to, pairing a new direction
 * with the other direction of the same call where the capture shows which:
 * by the address pair when exactly one flow each way is unpaired, else by
 * the packet's Acknowledgment naming the other flow's Sequence Numbers. */
static pptp_conn *midcall_find(pd_engine *e, pptp_midpair *mp, const pd_packet *p,
                               const pd_gre *g)
{
    size_t n_opposite = 0, n_same = 0;
    pptp_conn *opposite = NULL, *by_ack = NULL;
    size_t n_by_ack = 0;
    for (size_t i = 0; i < mp->n; i++) {
        pptp_conn *c = mp->conns[i];
        pptp_call *call = c->calls[0];
        int dir = conn_dir(c, &p->ip->src);
        uint16_t id, other;
        bool have = call_dir_id(call, dir, &id), have_other = call_dir_id(call, !dir, &other);
        if (have && id == g->call_id)
            return c;
        if (have && !have_other)
            n_same++; /* another flow this way, still unpaired */
        if (!have && have_other && !c->ctrl_midstream) {
            n_opposite++;
            opposite = c;
            const pd_gre_seq_tracker *t = &call->gre[!dir].seq;
            if (g->has_ack && t->have_seq && t->last_seq - g->ack < PPTP_MIDCALL_ACK_WINDOW) {
                n_by_ack++;
                by_ack = c;
            }
        }
    }
    pptp_conn *c = NULL;
    if (n_opposite == 1 && n_same == 0) {
        c = opposite;
    } else if (n_by_ack == 1) {
        c = by_ack;
    } else if (n_opposite > 0) {
        /* Cannot tell which: each direction stays a session of its own. */
        for (size_t i = 0; i < mp->n; i++) {
            int dir = conn_dir(mp->conns[i], &p->ip->src);
            uint16_t id;
            if (!call_dir_id(mp->conns[i]->calls[0], dir, &id))
                mp->conns[i]->pairing_ambiguous = true;
        }
    }
    if (!c) {
        if (mp->n >= PPTP_MIDCALL_MAX)
            return NULL;
        c = midcall_conn_new(e, mp, p);
        if (!c)
            return NULL;
        if (n_opposite > 0)
            c->pairing_ambiguous = true;
    }
    pptp_call *call = c->calls[0];
    if (conn_dir(c, &p->ip->src) == PPTP_C2S) {
        call->pac_call_id = g->call_id;
        call->have_pac_id = true;
    } else {
        call->pns_call_id = g->call_id;
        call->have_pns_id = true;
    }
    return c;
}

/* Enhanced GRE between two hosts with no control connection in the capture:
 * a call that was up before the capture began. */
static void midcall_gre(pd_engine *e, const pd_packet *p)
{
    pd_gre g;
    pd_gre_status gs = pd_gre_decode(p->l4, p->l4_len, p->l4_wire_len, &g);
    pd_flow_key pair;
    pair_key_make(&pair, &p->ip->src, &p->ip->dst);
    if (gs != PD_GRE_OK || g.version != 1 || !g.has_key || g.protocol != 0x880B ||
        ended_has(e->pptp, &pair, g.call_id)) {
        e->pptp->gre_without_control++;
        return;
    }
    bool created;
    pd_flow *flow = pd_flow_lookup(e->flows, &pair, true, &created, p->frame, p->ts_ns);
    if (!flow) {
        e->pptp->gre_without_control++;
        return;
    }
    pptp_midpair *mp = flow->state;
    if (!mp)
        flow->state = mp = g_new0(pptp_midpair, 1);
    pptp_conn *c = midcall_find(e, mp, p, &g);
    if (!c) {
        e->pptp->gre_without_control++;
        return;
    }
    int dir = conn_dir(c, &p->ip->src);
    pd_session_packet(e, c->session, dir, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
    gre_feed_call(e, c, c->calls[0], dir, p, &g);
}

/* A TCP 1723 connection already open when the capture began, between hosts
 * with exactly one mid-call session that has no control stream yet: the
 * stream belongs to it (its messages then name the call; see
 * ctrl_call_id_matched). */
static pptp_conn *midcall_for_ctrl(pd_engine *e, const pd_packet *p)
{
    pd_flow_key pair;
    pair_key_make(&pair, &p->ip->src, &p->ip->dst);
    pd_flow *flow = pd_flow_lookup(e->flows, &pair, false, NULL, p->frame, p->ts_ns);
    pptp_midpair *mp = flow ? flow->state : NULL;
    pptp_conn *found = NULL;
    for (size_t i = 0; mp && i < mp->n; i++) {
        if (mp->conns[i]->ctrl_midstream)
            continue;
        if (found)
            return NULL; /* several calls: which one is not known */
        found = mp->conns[i];
    }
    return found;
}

/* Roles and what the session could not see, once it is over. */
static void midcall_finish(pptp_conn *c)
{
    pd_session *s = c->session;
    if (c->n_calls == 0)
        return;
    pptp_call *call = c->calls[0];
    const pd_ppp_dir_stats *st = call->ppp.dir;
    if (!c->ctrl_midstream && strcmp(c->role_basis, "private address") != 0) {
        /* Keepalives: LCP Echo-Requests from one side only; clients
         * (Windows, pppd with lcp-echo-interval) send them, servers often not. */
        if (st[PPTP_S2C].echo_req && !st[PPTP_C2S].echo_req) {
            conn_swap_roles(c);
            c->role_basis = "LCP Echo-Requests";
        } else if (st[PPTP_C2S].echo_req && !st[PPTP_S2C].echo_req) {
            c->role_basis = "LCP Echo-Requests";
        }
    }
    pd_session_attr_str(s, "control_connection",
                        c->ctrl_midstream ? "start not captured" : "not captured");
    const char *roles =
        c->ctrl_midstream                                 ? "TCP 1723 port (server listens on 1723)"
        : strcmp(c->role_basis, "LCP Echo-Requests") == 0 ? "likely: the client sends LCP Echo-Requests"
        : strcmp(c->role_basis, "private address") == 0   ? "likely: the client has the private address"
                                                          : "unknown: the first sender is shown as client";
    pd_session_attr_str(s, "roles", roles);
    if (call->have_pns_id)
        pd_session_attr_num(s, "client_call_id", call->pns_call_id);
    if (call->have_pac_id)
        pd_session_attr_num(s, "server_call_id", call->pac_call_id);
    if (c->n_calls > 1)
        pd_session_attr_num(s, "calls", (int64_t)c->n_calls);
    if (c->pairing_ambiguous)
        pd_session_attr_str(s, "gre_pairing", "not certain: several unpaired GRE flows between "
                                              "these hosts, each kept as its own session");
    if (c->ctrl_call_id_seen)
        pd_session_attr_str(s, "control_names_call",
                            c->ctrl_call_id_matched ? "yes" : "no (Call ID differs)");
}

/* ---- ICMP ---- */

void pd_pptp_on_icmp(pd_engine *e, const pd_packet *p, const pd_icmp_error *icmp)
{
    const pd_ip *q = &icmp->quoted;
    pptp_conn *c = NULL;
    if (q->proto == 6) {
        pd_flow_key key;
        bool fwd;
        pd_flow_key_make(&key, PD_FLOW_KIND_PPTP_CTRL, 6, &q->src, icmp->quoted_sport, &q->dst,
                         icmp->quoted_dport, &fwd);
        pd_flow *flow = pd_flow_lookup(e->flows, &key, false, NULL, p->frame, p->ts_ns);
        c = flow ? flow->state : NULL;
    } else {
        pd_flow_key pair;
        pair_key_make(&pair, &q->src, &q->dst);
        c = g_hash_table_lookup(e->pptp->by_pair, &pair);
    }
    if (!c)
        return;
    pd_session_packet(e, c->session, PD_DIR_OTHER, p->l4_wire_len, 0, p->frame, p->ts_ns);
    char from[48];
    pd_addr_str(&p->ip->src, from, sizeof from);
    pd_ladder_entry *l = pd_session_ladder(e, c->session, PD_DIR_OTHER, p->frame, p->ts_ns,
                                           "ICMP%s %s from %s about %s",
                                           icmp->version == 6 ? "v6" : "", pd_icmp_error_name(icmp),
                                           from, q->proto == 6 ? "TCP 1723" : "GRE");
    if (pd_ladder_is_new(l)) {
        pd_ladder_attr_num(l, "icmp_type", icmp->type);
        pd_ladder_attr_num(l, "icmp_code", icmp->code);
    }
    if (!icmp->unreachable)
        return;
    /* GRE arriving after the call was torn down draws "protocol unreachable"
     * from the endpoint's own kernel: teardown noise, not a blocked path. */
    bool from_endpoint = pd_addr_equal(&p->ip->src, &c->client) || pd_addr_equal(&p->ip->src, &c->server);
    if (q->proto != 6 && from_endpoint && c->teardown_frame && c->teardown_frame < p->frame) {
        pd_ladder_annotate(l, "after the teardown: ignored");
        return;
    }
    if (c->icmp_count++ == 0) {
        c->icmp_frame = p->frame;
        c->icmp_ts = p->ts_ns;
        c->icmp_first_kind.version = icmp->version;
        c->icmp_first_kind.type = icmp->type;
        c->icmp_first_kind.code = icmp->code;
        c->icmp_from = p->ip->src;
        c->icmp_about_gre = q->proto != 6;
    }
}

/* ---- end of a control connection ---- */

/* GRE volume, loss and reordering per direction (from the enhanced GRE
 * sequence numbers), summed over the connection's calls. */
static void record_gre_stats(pptp_conn *c)
{
    static const char *const keys[2][5] = {
        { "gre_to_server_packets", "gre_to_server_lost", "gre_to_server_reordered",
          "gre_to_server_duplicates", "ppp_encrypted_to_server" },
        { "gre_to_client_packets", "gre_to_client_lost", "gre_to_client_reordered",
          "gre_to_client_duplicates", "ppp_encrypted_to_client" },
    };
    if (c->n_calls == 0)
        return;
    for (int d = 0; d < 2; d++) {
        uint64_t v[5] = { 0 };
        for (size_t i = 0; i < c->n_calls; i++) {
            const pptp_call *call = c->calls[i];
            v[0] += call->gre[d].packets;
            v[1] += call->gre[d].seq.lost;
            v[2] += call->gre[d].seq.reordered;
            v[3] += call->gre[d].seq.duplicates;
            v[4] += call->ppp.dir[d].compressed;
        }
        for (int k = 0; k < 5; k++)
            pd_session_attr_num(c->session, keys[d][k], (int64_t)v[k]);
    }
    if (c->gre_unmatched)
        pd_session_attr_num(c->session, "gre_unmatched", (int64_t)c->gre_unmatched);
}

static void conn_close(pd_engine *e, pptp_conn *c)
{
    if (c->closed)
        return;
    c->closed = true;
    /* Deliver what the streams still hold, then judge. */
    for (int d = 0; c->stream && d < 2; d++) {
        stream_ctx x = { e, c, d };
        pd_tcp_stream_flush(&c->stream->tcp[d], c->session->last_frame, c->session->last_ts_ns,
                            on_stream_bytes, on_stream_gap, &x);
        pd_pptp_framer_finish(&c->stream->framer[d], c->session->last_frame,
                              c->session->last_ts_ns, on_control_skip, &x);
    }
    if (g_hash_table_lookup(e->pptp->by_pair, &c->pair_key) == c)
        g_hash_table_remove(e->pptp->by_pair, &c->pair_key);
    /* GRE of these calls that comes late is teardown noise, not a call
     * captured mid-call. */
    for (size_t i = 0; !c->midcall && i < c->n_calls; i++) {
        if (c->calls[i]->have_pns_id)
            ended_add(e->pptp, &c->pair_key, c->calls[i]->pns_call_id);
        if (c->calls[i]->have_pac_id)
            ended_add(e->pptp, &c->pair_key, c->calls[i]->pac_call_id);
    }
    if (c->midcall)
        midcall_finish(c);
    record_gre_stats(c);
    if (c->midcall)
        pd_pptp_detect_midcall(e, c);
    else
        pd_pptp_detect(e, c);
    pd_session_release(e, c->session); /* judged: streaming front ends may have it */
}

/* A flow lets go of its connection: the last holder judges and frees it. */
static void conn_drop(pd_engine *e, pptp_conn *c)
{
    if (c->holders > 1) {
        c->holders--;
        return;
    }
    conn_close(e, c);
    conn_free(c);
}

void pd_pptp_flow_closed(pd_engine *e, pd_flow *flow, pd_flow_close_reason why)
{
    if (!flow->state)
        return;
    if (flow->key.kind == PD_FLOW_KIND_GRE) {
        pptp_midpair *mp = flow->state;
        flow->state = NULL;
        for (size_t i = 0; i < mp->n; i++)
            conn_drop(e, mp->conns[i]);
        g_free(mp);
        return;
    }
    if (flow->key.kind != PD_FLOW_KIND_PPTP_CTRL)
        return;
    pptp_conn *c = flow->state;
    flow->state = NULL;
    conn_drop(e, c);
}
