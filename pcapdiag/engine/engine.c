/* engine.c - the engine: frames in, sessions and findings out.
 *
 * Each frame is decoded down to IP (reassembling fragments), classified by
 * IP protocol and ports, and handed to the tracker of its VPN protocol.
 * Frames that belong to no VPN flow leave right after classification.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "engine_internal.h"
#include "pcapdiag/cursor.h"
#include "icmp.h"
#include "ike_track.h"
#include "l2tp_track.h"
#include "linklayer.h"
#include "netmotion_track.h"
#include "pptp_track.h"
#include "tcp.h"
#include "udp.h"

#define PD_PORT_PPTP 1723
#define PD_PORT_L2TP 1701
#define PD_IPPROTO_ICMP 1
#define PD_IPPROTO_TCP 6
#define PD_IPPROTO_UDP 17
#define PD_IPPROTO_GRE 47
#define PD_IPPROTO_ESP 50
#define PD_IPPROTO_ICMPV6 58
#define PD_IPPROTO_L2TPV3 115

void pd_limits_default(pd_limits *l)
{
    l->max_flows = 262144;
    l->flow_idle_timeout_ns = INT64_C(600) * 1000000000; /* PPTP echoes every 60 s */
    l->max_frag_bytes = 16u << 20;
    l->frag_timeout_ns = INT64_C(30) * 1000000000; /* the usual reassembly timeout */
    l->max_tcp_buffered_bytes = 256u << 10;
    l->max_ladder_lines = 400;
}

static void flow_closed(pd_flow *flow, pd_flow_close_reason why, void *user)
{
    pd_engine *e = user;
    switch (flow->key.kind) {
    case PD_FLOW_KIND_PPTP_CTRL:
    case PD_FLOW_KIND_GRE:
        pd_pptp_flow_closed(e, flow, why);
        break;
    case PD_FLOW_KIND_L2TP:
        pd_l2tp_flow_closed(e, flow, why);
        break;
    case PD_FLOW_KIND_IKE:
    case PD_FLOW_KIND_ESP:
        pd_ike_flow_closed(e, flow, why);
        break;
    case PD_FLOW_KIND_NETMOTION:
        pd_netmotion_flow_closed(e, flow, why);
        break;
    default:
        break;
    }
}

static void fragment_incomplete(const pd_frag_incomplete *inc, void *user)
{
    pd_engine *e = user;
    e->stats.ip_datagrams_incomplete++;
    pd_ike_on_frag_incomplete(e, inc); /* IKE messages lost to fragmentation */
}

pd_engine *pd_engine_new(const pd_engine_config *config)
{
    pd_engine *e = g_new0(pd_engine, 1);
    if (config)
        e->config = *config;
    else
        pd_limits_default(&e->config.limits);
    pd_limits *l = &e->config.limits;
    if (l->max_flows == 0 || l->max_ladder_lines == 0) {
        pd_limits d;
        pd_limits_default(&d);
        *l = d;
    }
    e->sessions = g_ptr_array_new_with_free_func((GDestroyNotify)pd_session_free);
    e->findings = g_ptr_array_new_with_free_func((GDestroyNotify)pd_finding_free);
    e->released = g_ptr_array_new();
    e->flows = pd_flow_table_new(l->max_flows, l->flow_idle_timeout_ns, flow_closed, e);
    e->frags = pd_frag_table_new(l->max_frag_bytes, l->frag_timeout_ns, fragment_incomplete, e);
    e->pptp = pd_pptp_module_new(e);
    e->l2tp = pd_l2tp_module_new(e);
    e->ike = pd_ike_module_new(e);
    e->netmotion = pd_netmotion_module_new(e);
    e->netmotion_port = pd_netmotion_port(e);
    return e;
}

void pd_engine_free(pd_engine *e)
{
    if (!e)
        return;
    /* Closing flows runs trackers' callbacks, which need the engine whole. */
    pd_flow_table_free(e->flows);
    pd_frag_table_free(e->frags);
    pd_pptp_module_free(e->pptp);
    pd_l2tp_module_free(e->l2tp);
    pd_ike_module_free(e->ike);
    pd_netmotion_module_free(e->netmotion);
    g_ptr_array_free(e->findings, TRUE);
    g_ptr_array_free(e->sessions, TRUE); /* released sessions are still in it until handed over */
    g_ptr_array_free(e->released, TRUE);
    if (e->tally.v4_pairs)
        g_array_free(e->tally.v4_pairs, TRUE);
    g_free(e->stats.vantage_reason);
    g_free(e);
}

static void dispatch_icmp(pd_engine *e, const pd_packet *p)
{
    pd_icmp_error err;
    if (!pd_icmp_error_decode(p->ip->version, p->l4, p->l4_len, &err))
        return;
    const pd_ip *q = &err.quoted;
    if ((q->proto == PD_IPPROTO_TCP && err.quoted_ports &&
         (err.quoted_dport == PD_PORT_PPTP || err.quoted_sport == PD_PORT_PPTP)) ||
        q->proto == PD_IPPROTO_GRE)
        pd_pptp_on_icmp(e, p, &err);
    else if (q->proto == PD_IPPROTO_UDP && err.quoted_ports &&
             (err.quoted_dport == PD_PORT_L2TP || err.quoted_sport == PD_PORT_L2TP))
        pd_l2tp_on_icmp(e, p, &err);
    else if ((q->proto == PD_IPPROTO_UDP && err.quoted_ports &&
              pd_ike_udp_port(err.quoted_sport, err.quoted_dport)) ||
             q->proto == PD_IPPROTO_ESP)
        pd_ike_on_icmp(e, p, &err);
    else if (q->proto == PD_IPPROTO_UDP && err.quoted_ports &&
             err.quoted_dport == e->netmotion_port)
        pd_netmotion_on_icmp(e, p, &err);
}

/* The ports that make a TCP segment or a UDP datagram some tracker's
 * business: dispatch() and quick_skip() both ask these, so the hot path can
 * never drop what a tracker wants. */
static inline bool tcp_wanted(uint16_t sport, uint16_t dport)
{
    return sport == PD_PORT_PPTP || dport == PD_PORT_PPTP;
}

static inline bool udp_wanted(const pd_engine *e, uint16_t sport, uint16_t dport)
{
    return sport == PD_PORT_L2TP || dport == PD_PORT_L2TP || sport == e->netmotion_port ||
           dport == e->netmotion_port || pd_ike_udp_port(sport, dport);
}

/* Classify one IP packet (or reassembled datagram) and hand it on. */
static void dispatch(pd_engine *e, const pd_packet *p)
{
    switch (p->ip->proto) {
    case PD_IPPROTO_TCP: {
        pd_tcp_header tcp;
        if (!pd_tcp_decode(p->l4, p->l4_len, p->l4_wire_len, &tcp))
            return;
        if (tcp_wanted(tcp.sport, tcp.dport))
            pd_pptp_on_tcp(e, p, &tcp);
        return;
    }
    case PD_IPPROTO_GRE:
        pd_pptp_on_gre(e, p);
        return;
    case PD_IPPROTO_UDP: {
        pd_udp_header udp;
        if (!pd_udp_decode(p->l4, p->l4_len, p->l4_wire_len, &udp))
            return;
        if (udp.sport == PD_PORT_L2TP || udp.dport == PD_PORT_L2TP)
            pd_l2tp_on_udp(e, p, &udp);
        else if (pd_ike_udp_port(udp.sport, udp.dport))
            pd_ike_on_udp(e, p, &udp); /* IKE, NAT-T, ESP in UDP */
        else if (udp.sport == e->netmotion_port || udp.dport == e->netmotion_port)
            pd_netmotion_on_udp(e, p, &udp);
        return;
    }
    case PD_IPPROTO_ESP:
        pd_ike_on_esp(e, p);
        return;
    case PD_IPPROTO_L2TPV3:
        pd_l2tp_on_ip(e, p);
        return;
    case PD_IPPROTO_ICMP:
    case PD_IPPROTO_ICMPV6:
        dispatch_icmp(e, p);
        return;
    default:
        return;
    }
}

bool pd_engine_feed_nested(pd_engine *e, const pd_packet *outer, const pd_ip *ip,
                           const pd_nest *nest)
{
    if (ip->is_fragment)
        return false;
    pd_packet p = { .frame = outer->frame,
                    .ts_ns = outer->ts_ns,
                    .ip = ip,
                    .l4 = ip->payload,
                    .l4_len = ip->payload_len,
                    .l4_wire_len = ip->payload_wire_len,
                    .nest = nest };
    /* The frame stays the ESP session's: a tracker that files the inner packet under a
     * session of its own does not take the frame away from it. */
    pd_session *frame_session = e->frame_session;
    const pd_nest *saved = e->nest;
    e->nest = nest;
    dispatch(e, &p);
    e->nest = saved;
    if (frame_session)
        e->frame_session = frame_session;
    return true;
}

/* The hot path (STYLE.md lesson 10): most frames of a server-side capture
 * belong to no VPN flow, and they leave here, classified from the IP header
 * and the ports alone, with nothing decoded into structs and nothing
 * allocated. True when the full path would do nothing with the packet but
 * count it: a well-formed IPv4 or IPv6 header (exactly what pd_ip_decode
 * accepts, so frames_malformed still counts the bad ones), not a fragment
 * (reassembly needs it), and a protocol or ports no tracker wants. A TCP or
 * UDP header too short for its ports would fail its decoder and be dropped
 * there too. Anything else (IPv6 extension headers, ICMP, GRE, ESP...) takes
 * the full path. */
static bool quick_skip(const pd_engine *e, const uint8_t *net, size_t len)
{
    pd_cursor c = pd_cursor_make(net, len);
    uint8_t b0, proto;
    size_t hl;
    if (!pd_cursor_peek_u8(&c, 0, &b0))
        return false;
    if (b0 >> 4 == 4) {
        uint16_t total, frag;
        hl = (size_t)(b0 & 0x0f) * 4;
        if (hl < 20 || len < hl || !pd_cursor_peek_be16(&c, 2, &total) ||
            !pd_cursor_peek_be16(&c, 6, &frag) || !pd_cursor_peek_u8(&c, 9, &proto))
            return false;
        if ((total != 0 && total < hl) || (frag & 0x3fff) != 0) /* malformed; MF or offset */
            return false;
    } else if (b0 >> 4 == 6) {
        hl = 40;
        if (len < hl || !pd_cursor_peek_u8(&c, 6, &proto))
            return false;
    } else {
        return false;
    }
    uint16_t sport, dport;
    switch (proto) {
    case PD_IPPROTO_TCP:
        if (!pd_cursor_peek_be16(&c, hl, &sport) || !pd_cursor_peek_be16(&c, hl + 2, &dport))
            return true;
        return !tcp_wanted(sport, dport);
    case PD_IPPROTO_UDP:
        if (!pd_cursor_peek_be16(&c, hl, &sport) || !pd_cursor_peek_be16(&c, hl + 2, &dport))
            return true;
        return !udp_wanted(e, sport, dport);
    case PD_IPPROTO_GRE:
    case PD_IPPROTO_ESP:
    case PD_IPPROTO_L2TPV3:
    case PD_IPPROTO_ICMP:
    case PD_IPPROTO_ICMPV6:
        return false;
    case 0:  /* IPv6 Hop-by-Hop */
    case 43: /* IPv6 Routing */
    case 44: /* IPv6 Fragment */
    case 60: /* IPv6 Destination Options */
        return b0 >> 4 != 6; /* IPv6: walk the extension headers in full */
    default:
        return true; /* no tracker wants it (dispatch's default) */
    }
}

/* Expire idle flows and stale fragments at most once per second of capture
 * time: cheap, and bounded memory does not need finer steps. */
static void maybe_expire(pd_engine *e, int64_t now_ns)
{
    if (now_ns - e->last_expire_ns < 1000000000 && now_ns >= e->last_expire_ns)
        return;
    e->last_expire_ns = now_ns;
    pd_flow_table_expire(e->flows, now_ns);
    pd_frag_expire(e->frags, now_ns);
}

/* Remember who sends ARP on an untagged Ethernet link (RFC 826: sender
 * protocol address at offset 14 of an Ethernet/IPv4 ARP packet). */
static void note_arp_sender(pd_engine *e, const pd_frame *frame)
{
    pd_cursor c = pd_cursor_make(frame->data, frame->caplen);
    uint16_t ethertype, hw, proto;
    uint8_t hlen, plen;
    const uint8_t *spa;
    if (e->n_arp_senders >= PD_ARP_SENDERS_MAX || !pd_cursor_skip(&c, 12) ||
        !pd_cursor_be16(&c, &ethertype) || ethertype != 0x0806 || !pd_cursor_be16(&c, &hw) ||
        !pd_cursor_be16(&c, &proto) || !pd_cursor_u8(&c, &hlen) || !pd_cursor_u8(&c, &plen) ||
        hw != 1 || proto != 0x0800 || hlen != 6 || plen != 4 || !pd_cursor_skip(&c, 2 + 6) ||
        !pd_cursor_bytes(&c, 4, &spa))
        return;
    for (size_t i = 0; i < e->n_arp_senders; i++)
        if (memcmp(e->arp_senders[i], spa, 4) == 0)
            return;
    memcpy(e->arp_senders[e->n_arp_senders++], spa, 4);
}

static void feed_ip(pd_engine *e, const pd_frame *frame, const pd_link_result *link,
                    pd_frame_result *result);

bool pd_engine_feed(pd_engine *e, const pd_frame *frame, pd_frame_result *result)
{
    pd_capture_stats *st = &e->stats;
    if (result)
        memset(result, 0, sizeof *result);
    if (st->frames == 0)
        st->first_ts_ns = frame->ts_ns;
    st->frames++;
    st->bytes_captured += frame->caplen;
    st->bytes_wire += frame->wire_len;
    st->last_ts_ns = frame->ts_ns;
    e->frame_session = NULL;

    if (frame->caplen == 0 || !frame->data) {
        st->frames_empty++;
        return true;
    }

    /* Untagged Ethernet II with IP, most frames by far, skips the general
     * link-layer decoder. */
    pd_link_result link;
    if (frame->linktype == 1 && pd_link_ethernet_ip(frame->data, frame->caplen, &link.net,
                                                    &link.net_len))
        goto ip;
    switch (pd_link_decode(frame->linktype, frame->data, frame->caplen, &link)) {
    case PD_LINK_IP:
        break;
    case PD_LINK_NOT_IP:
        st->frames_not_ip++;
        if (frame->linktype == 1)
            note_arp_sender(e, frame);
        return true;
    case PD_LINK_UNSUPPORTED:
        st->frames_unsupported_link++;
        return false;
    case PD_LINK_TRUNCATED:
    case PD_LINK_MALFORMED:
        st->frames_malformed++;
        return true;
    }

ip:
    if (quick_skip(e, link.net, link.net_len)) {
        maybe_expire(e, frame->ts_ns); /* as for every well-formed IP packet */
        if (e->released->len)
            pd_session_flush_released(e);
        return true;
    }
    feed_ip(e, frame, &link, result);
    return true;
}

/* The full path: decode the IP header, reassemble, dispatch. Kept out of
 * pd_engine_feed so the hot path does not pay for this one's stack. */
static G_GNUC_NO_INLINE void feed_ip(pd_engine *e, const pd_frame *frame,
                                     const pd_link_result *link, pd_frame_result *result)
{
    pd_capture_stats *st = &e->stats;
    pd_ip ip;
    if (pd_ip_decode(link->net, link->net_len, &ip) != PD_IP_OK) {
        st->frames_malformed++;
        return;
    }
    maybe_expire(e, frame->ts_ns);

    pd_packet p = { .frame = frame->number, .ts_ns = frame->ts_ns, .ip = &ip };
    if (ip.is_fragment) {
        st->ip_fragments++;
        pd_frag_datagram dgram;
        pd_frag_result fr = pd_frag_add(e->frags, &ip, frame->number, frame->ts_ns, &dgram);
        if (fr != PD_FRAG_COMPLETE)
            goto out;
        st->ip_datagrams_reassembled++;
        /* The reassembled datagram is handled at its last fragment. */
        pd_ip whole = ip;
        whole.is_fragment = false;
        whole.more_fragments = false;
        whole.frag_offset = 0;
        whole.payload = dgram.data;
        whole.payload_len = whole.payload_wire_len = dgram.len;
        p.ip = &whole;
        p.l4 = dgram.data;
        p.l4_len = p.l4_wire_len = dgram.len;
        p.reassembled = &dgram;
        dispatch(e, &p);
        goto out;
    }
    p.l4 = ip.payload;
    p.l4_len = ip.payload_len;
    p.l4_wire_len = ip.payload_wire_len;
    dispatch(e, &p);

out:
    if (e->frame_session) {
        st->vpn_frames++;
        if (result) {
            result->session_id = e->frame_session->id;
            result->protocol = e->frame_session->protocol;
            result->stage = e->frame_session->state;
        }
    }
    if (e->released->len) /* streaming: sessions this frame closed */
        pd_session_flush_released(e);
}

void pd_engine_mark_truncated(pd_engine *e)
{
    e->stats.truncated = true;
}

static bool arp_seen4(const pd_engine *e, const uint8_t addr[4])
{
    for (size_t i = 0; i < e->n_arp_senders; i++)
        if (memcmp(e->arp_senders[i], addr, 4) == 0)
            return true;
    return false;
}

/* From the tally of every session (pd_vantage_tally_add): each votes with
 * its own TTLs; when TTLs cannot tell, ARP can. */
static void estimate_vantage(pd_engine *e)
{
    const pd_vantage_tally *t = &e->tally;
    uint8_t c_ttl = t->c_ttl, s_ttl = t->s_ttl;
    pd_vantage best = PD_VANTAGE_UNKNOWN;
    for (int v = PD_VANTAGE_CLIENT; v <= PD_VANTAGE_MIDDLE; v++)
        if (t->votes[v] > t->votes[best])
            best = v;
    /* TTLs silent (one side never sent an IP packet): a session endpoint
     * whose own ARP is captured puts the capture on that endpoint's link.
     * The lowest session id decides, as a walk of the sessions in order would. */
    if (best == PD_VANTAGE_UNKNOWN && t->v4_pairs) {
        const pd_vantage_pair *pick = NULL;
        bool pick_client = false;
        for (guint i = 0; i < t->v4_pairs->len; i++) {
            const pd_vantage_pair *p = &g_array_index(t->v4_pairs, pd_vantage_pair, i);
            bool c_arp = arp_seen4(e, p->client), s_arp = arp_seen4(e, p->server);
            if (c_arp == s_arp || (pick && pick->id < p->id))
                continue;
            pick = p;
            pick_client = c_arp;
        }
        if (pick) {
            char a[48];
            pd_endpoint ep = { .family = 4 };
            memcpy(ep.addr, pick_client ? pick->client : pick->server, 4);
            e->stats.vantage = pick_client ? PD_VANTAGE_CLIENT : PD_VANTAGE_SERVER;
            g_free(e->stats.vantage_reason);
            e->stats.vantage_reason = g_strdup_printf(
                "the %s (%s) sends ARP in the capture, so it is on the captured link; TTLs do "
                "not tell (client %u, server %u)",
                pick_client ? "client" : "server", pd_endpoint_addr_str(&ep, a, sizeof a), c_ttl,
                s_ttl);
            return;
        }
    }
    e->stats.vantage = best;
    g_free(e->stats.vantage_reason);
    switch (best) {
    case PD_VANTAGE_CLIENT:
        e->stats.vantage_reason = g_strdup_printf(
            "client packets carry an initial TTL (%u), the server's arrive with TTL %u", c_ttl, s_ttl);
        break;
    case PD_VANTAGE_SERVER:
        e->stats.vantage_reason = g_strdup_printf(
            "server packets carry an initial TTL (%u), the client's arrive with TTL %u", s_ttl, c_ttl);
        break;
    case PD_VANTAGE_MIDDLE:
        e->stats.vantage_reason = g_strdup_printf(
            "both sides' packets have crossed routers (TTL %u from the client, %u from the server)",
            c_ttl, s_ttl);
        break;
    case PD_VANTAGE_UNKNOWN:
        if (e->sessions->len == 0) /* every session ever opened, handed over or not */
            e->stats.vantage_reason = g_strdup("no VPN session to judge from");
        else if (c_ttl && !s_ttl && !pd_ttl_is_initial(c_ttl))
            e->stats.vantage_reason = g_strdup_printf(
                "only the client's packets are present, already routed (TTL %u): server side or on the path",
                c_ttl);
        else
            e->stats.vantage_reason = g_strdup_printf(
                "TTLs do not tell (client %u, server %u)", c_ttl, s_ttl);
        break;
    }
}

static void capture_findings(pd_engine *e)
{
    if (pd_flow_table_evicted(e->flows) > 0) {
        pd_finding *f = pd_finding_begin(PD_SIG_CAPTURE_FLOW_CAP, NULL);
        pd_finding_summary(f, "%" G_GUINT64_FORMAT " VPN flows were closed early at the flow cap of %zu",
                           pd_flow_table_evicted(e->flows), e->config.limits.max_flows);
        pd_finding_explain(f, "More VPN flows were live at once than the engine holds; the least "
                              "recently seen ones were closed before the capture showed their end, "
                              "so their verdicts may be incomplete.");
        pd_finding_remedy(f, "Split the capture (editcap -c) or filter it to the sessions of interest "
                             "(--filter 'host CLIENT').");
        pd_finding_commit(e, f);
    }
    if (e->stats.truncated) {
        pd_finding *f = pd_finding_begin(PD_SIG_CAPTURE_TRUNCATED, NULL);
        pd_finding_summary(f, "The capture file is cut off after frame %" G_GUINT64_FORMAT,
                           e->stats.frames);
        pd_finding_explain(f, "The file ends in the middle of a packet record, so the report covers "
                              "only what was read; a failure after that point is not seen.");
        pd_finding_remedy(f, "Copy the capture again in full (it may have been cut by a size limit "
                             "or an interrupted transfer).");
        pd_finding_evidence(f, e->stats.frames, e->stats.last_ts_ns, "last complete frame");
        pd_finding_commit(e, f);
    }
}

/* Findings in a stable order: capture-level first, then by session, then by
 * the first frame they cite (their commit order breaks ties). */
static int finding_cmp(gconstpointer a, gconstpointer b)
{
    const pd_finding *x = *(pd_finding *const *)a, *y = *(pd_finding *const *)b;
    if (x->session_id != y->session_id)
        return x->session_id < y->session_id ? -1 : 1;
    uint64_t fx = x->n_evidence ? x->evidence[0].frame : 0;
    uint64_t fy = y->n_evidence ? y->evidence[0].frame : 0;
    return (fx > fy) - (fx < fy);
}

void pd_engine_finish(pd_engine *e)
{
    if (e->finished)
        return;
    pd_frag_flush(e->frags);
    pd_flow_table_close_all(e->flows);
    if (e->config.on_session_closed) {
        /* Sessions no tracker released (none should be left): hand them
         * over now, in id order. */
        for (guint i = 0; i < e->sessions->len; i++) {
            pd_session *s = g_ptr_array_index(e->sessions, i);
            if (s)
                pd_session_release_all(e, s);
        }
        pd_session_flush_released(e);
    } else {
        for (guint i = 0; i < e->sessions->len; i++)
            pd_vantage_tally_add(&e->tally, g_ptr_array_index(e->sessions, i));
    }
    e->stats.flows_peak = pd_flow_table_peak(e->flows);
    e->stats.flows_evicted = pd_flow_table_evicted(e->flows);
    e->stats.ip_fragment_bytes_dropped = pd_frag_bytes_refused(e->frags);
    estimate_vantage(e);
    capture_findings(e);
    g_ptr_array_sort(e->findings, finding_cmp); /* GLib >= 2.32 sorts stably (merge sort) */
    e->finished = true;
}

bool pd_engine_finished(const pd_engine *e)
{
    return e->finished;
}

size_t pd_engine_session_count(const pd_engine *e)
{
    return e->sessions->len;
}

const pd_session *pd_engine_session(const pd_engine *e, size_t index)
{
    return index < e->sessions->len ? g_ptr_array_index(e->sessions, index) : NULL;
}

const pd_session *pd_engine_session_by_id(const pd_engine *e, uint32_t id)
{
    return id >= 1 && id <= e->sessions->len ? g_ptr_array_index(e->sessions, id - 1) : NULL;
}

size_t pd_engine_finding_count(const pd_engine *e)
{
    return e->findings->len;
}

const pd_finding *pd_engine_finding(const pd_engine *e, size_t index)
{
    return index < e->findings->len ? g_ptr_array_index(e->findings, index) : NULL;
}

const pd_capture_stats *pd_engine_stats(const pd_engine *e)
{
    return &e->stats;
}
