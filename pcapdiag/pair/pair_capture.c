/* pair_capture.c - record the packets of one capture for pairing: each
 * packet's identity by its protocol's own numbering (RFC 9293 TCP sequence
 * numbers, RFC 2637 4.1 enhanced GRE sequence/acknowledgment numbers, RFC
 * 2661 5.8 L2TP Ns/Nr, RFC 7296 3.1 / RFC 2408 3.1 IKE SPIs and message ID,
 * RFC 4303 ESP SPI and sequence, RFC 791 fragment identification/offset)
 * and a bounded copy of its bytes.
 *
 * Nothing a NAT may rewrite (addresses, ports, checksums, TTL, the PPTP call
 * ID a NAT helper translates) goes into an identity, so the same packet has
 * the same identity on both sides of a NAT.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "gre.h"
#include "icmp.h"
#include "ike.h"
#include "l2tp.h"
#include "linklayer.h"
#include "pair_internal.h"
#include "pcapdiag/cursor.h"
#include "tcp.h"
#include "udp.h"

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_GRE 47
#define IPPROTO_NUM_ESP 50
#define IPPROTO_NUM_ICMPV6 58
#define IPPROTO_NUM_L2TPV3 115

#define PORT_PPTP 1723
#define PORT_IKE 500
#define PORT_NATT 4500
#define PORT_L2TP 1701

uint64_t pd_pair_hash(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t pd_pair_hash_u64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return pd_pair_hash(h, b, sizeof b);
}

/* An identity of 0 means "none": keep real ones off it. */
static uint64_t ident_final(uint64_t h)
{
    return h ? h : 1;
}

pd_pair_capture *pd_pair_capture_new(void)
{
    pd_pair_capture *c = g_new0(pd_pair_capture, 1);
    c->pkts = g_array_new(FALSE, TRUE, sizeof(pd_pair_pkt));
    c->bytes = g_byte_array_new();
    return c;
}

void pd_pair_capture_free(pd_pair_capture *c)
{
    if (!c)
        return;
    g_array_free(c->pkts, TRUE);
    g_byte_array_free(c->bytes, TRUE);
    g_free(c);
}

size_t pd_pair_capture_packets(const pd_pair_capture *c)
{
    return c ? c->pkts->len : 0;
}

uint64_t pd_pair_capture_not_kept(const pd_pair_capture *c)
{
    return c ? c->not_kept : 0;
}

/* Can this packet belong to a VPN session even when the engine did not say
 * so (the far side of a loss: a lone first fragment, an ICMP error)? */
static bool relevant(const pd_ip *ip, uint16_t sport, uint16_t dport, bool have_ports)
{
    if (ip->is_fragment)
        return true;
    switch (ip->proto) {
    case IPPROTO_NUM_GRE:
    case IPPROTO_NUM_ESP:
    case IPPROTO_NUM_L2TPV3:
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        return true;
    case IPPROTO_NUM_TCP:
        return have_ports && (sport == PORT_PPTP || dport == PORT_PPTP);
    case IPPROTO_NUM_UDP:
        return have_ports && (sport == PORT_IKE || dport == PORT_IKE || sport == PORT_NATT ||
                              dport == PORT_NATT || sport == PORT_L2TP || dport == PORT_L2TP);
    default:
        return false;
    }
}

static void identify_tcp(pd_pair_pkt *p, const pd_ip *ip)
{
    pd_tcp_header tcp;
    if (!pd_tcp_decode(ip->payload, ip->payload_len, ip->payload_wire_len, &tcp))
        return;
    p->kind = PD_PAIR_K_TCP;
    p->sport = tcp.sport;
    p->dport = tcp.dport;
    p->tcp_flags = tcp.flags;
    p->tcp_payload = tcp.payload_wire_len > 0;
    /* Retransmissions share all four: time and IP ID tell them apart. */
    uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, PD_PAIR_K_TCP);
    h = pd_pair_hash_u64(h, tcp.seq);
    h = pd_pair_hash_u64(h, tcp.ack);
    h = pd_pair_hash_u64(h, tcp.flags);
    h = pd_pair_hash_u64(h, tcp.payload_wire_len);
    p->ident_base = ident_final(h);
    p->ident_dir = true;
    uint64_t c = pd_pair_hash_u64(h, tcp.payload_len);
    p->content = pd_pair_hash(c, tcp.payload, tcp.payload_len);
}

static void identify_gre(pd_pair_pkt *p, const pd_ip *ip)
{
    pd_gre g;
    if (pd_gre_decode(ip->payload, ip->payload_len, ip->payload_wire_len, &g) != PD_GRE_OK)
        return;
    p->kind = PD_PAIR_K_GRE;
    uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, PD_PAIR_K_GRE);
    h = pd_pair_hash_u64(h, g.version);
    h = pd_pair_hash_u64(h, g.has_seq ? (1ull << 32) | g.seq : 0);
    h = pd_pair_hash_u64(h, g.has_ack ? (1ull << 32) | g.ack : 0);
    if (g.version == 0 && g.has_key)
        h = pd_pair_hash_u64(h, g.key); /* plain GRE: no NAT helper rewrites it */
    if (!g.has_seq && !g.has_ack) {
        /* Nothing numbers the packet: the IP identification has to. */
        h = pd_pair_hash_u64(h, p->ip_id);
        h = pd_pair_hash_u64(h, ip->payload_wire_len);
    }
    p->ident_base = ident_final(h);
    p->ident_dir = true; /* each direction numbers its own packets from 0 */
    /* Content: everything but the call ID, which a PPTP NAT helper may
     * translate (RFC 2637 section 4.1: the receiver's Call ID). */
    uint64_t c = pd_pair_hash_u64(PD_PAIR_HASH_INIT, g.protocol);
    c = pd_pair_hash_u64(c, g.payload_length);
    c = pd_pair_hash_u64(c, (uint64_t)g.c << 5 | (uint64_t)g.r << 4 | (uint64_t)g.k << 3 |
                                (uint64_t)g.s << 2 | (uint64_t)g.a << 1 | g.strict_route);
    c = pd_pair_hash_u64(c, h);
    p->content = pd_pair_hash(c, g.payload, g.payload_len);
}

static void identify_esp_bytes(pd_pair_pkt *p, const uint8_t *data, size_t len)
{
    pd_cursor cur = pd_cursor_make(data, len);
    uint32_t spi, seq;
    if (!pd_cursor_be32(&cur, &spi) || !pd_cursor_be32(&cur, &seq))
        return;
    p->kind = PD_PAIR_K_ESP;
    uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, PD_PAIR_K_ESP);
    h = pd_pair_hash_u64(h, spi);
    h = pd_pair_hash_u64(h, seq);
    p->ident_base = ident_final(h);
    p->content = pd_pair_hash(h, data, len);
}

static void identify_udp(pd_pair_pkt *p, const pd_ip *ip)
{
    pd_udp_header udp;
    if (!pd_udp_decode(ip->payload, ip->payload_len, ip->payload_wire_len, &udp))
        return;
    p->kind = PD_PAIR_K_UDP;
    p->sport = udp.sport;
    p->dport = udp.dport;
    uint64_t content = pd_pair_hash(PD_PAIR_HASH_INIT, udp.payload, udp.payload_len);
    p->content = content;

    bool natt = udp.sport == PORT_NATT || udp.dport == PORT_NATT;
    if (natt || udp.sport == PORT_IKE || udp.dport == PORT_IKE) {
        size_t off = 0;
        switch (pd_ike_udp_classify(udp.payload, udp.payload_len, natt, &off)) {
        case PD_IKE_UDP_IKE: {
            pd_ike_header hdr;
            if (off > udp.payload_len || off > udp.payload_wire_len)
                break;
            pd_ike_status st = pd_ike_header_decode(udp.payload + off, udp.payload_len - off,
                                                    udp.payload_wire_len - off, &hdr);
            if (st != PD_IKE_OK && st != PD_IKE_TRUNCATED)
                break;
            if (udp.payload_len - off < 28)
                break;
            p->kind = PD_PAIR_K_IKE;
            uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, PD_PAIR_K_IKE);
            h = pd_pair_hash(h, hdr.spi_i, sizeof hdr.spi_i);
            h = pd_pair_hash(h, hdr.spi_r, sizeof hdr.spi_r);
            h = pd_pair_hash_u64(h, hdr.message_id);
            h = pd_pair_hash_u64(h, hdr.exchange);
            h = pd_pair_hash_u64(h, hdr.flags);
            h = pd_pair_hash_u64(h, hdr.length);
            p->ident_base = ident_final(h);
            /* The non-ESP marker is not content: a NAT-T float adds it. */
            p->content = pd_pair_hash(PD_PAIR_HASH_INIT, udp.payload + off, udp.payload_len - off);
            return;
        }
        case PD_IKE_UDP_ESP:
            identify_esp_bytes(p, udp.payload, udp.payload_len);
            if (p->kind == PD_PAIR_K_ESP)
                return;
            break;
        case PD_IKE_UDP_KEEPALIVE:
            p->kind = PD_PAIR_K_KEEPALIVE;
            break;
        case PD_IKE_UDP_OTHER:
            break;
        }
    } else if (udp.sport == PORT_L2TP || udp.dport == PORT_L2TP) {
        pd_l2tp_msg *m = g_new0(pd_l2tp_msg, 1); /* large: not on the stack */
        pd_l2tp_status st = pd_l2tp_decode(udp.payload, udp.payload_len, udp.payload_wire_len, m);
        if (st == PD_L2TP_OK && m->header_complete) {
            p->kind = PD_PAIR_K_L2TP;
            uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, PD_PAIR_K_L2TP);
            h = pd_pair_hash_u64(h, m->flags);
            h = pd_pair_hash_u64(h, (uint64_t)m->tunnel_id << 16 | m->session_id);
            h = pd_pair_hash_u64(h, m->conn_id);
            h = pd_pair_hash_u64(h, m->v3_session_id);
            if (m->has_seq) {
                h = pd_pair_hash_u64(h, (uint64_t)m->ns << 16 | m->nr);
                h = pd_pair_hash_u64(h, m->wire_len);
            } else {
                h = pd_pair_hash_u64(h, p->ip_id);
                h = pd_pair_hash_u64(h, udp.payload_wire_len);
            }
            p->ident_base = ident_final(h);
            p->ident_dir = !m->has_seq;
            g_free(m);
            return;
        }
        g_free(m);
    }
    uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, p->kind);
    if (p->ip_id) {
        h = pd_pair_hash_u64(h, p->ip_id);
        h = pd_pair_hash_u64(h, udp.payload_wire_len);
    } else {
        h = pd_pair_hash_u64(h, content);
    }
    p->ident_base = ident_final(h);
}

static void identify_icmp(pd_pair_pkt *p, const pd_ip *ip)
{
    pd_icmp_error err;
    uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, PD_PAIR_K_ICMP);
    if (pd_icmp_error_decode(ip->version, ip->payload, ip->payload_len, &err)) {
        h = pd_pair_hash_u64(h, (uint64_t)err.type << 8 | err.code);
        /* The quoted header is the offending packet as the router saw it:
         * a NAT rewrites its addresses, never its identification. */
        h = pd_pair_hash_u64(h, err.quoted.proto);
        h = pd_pair_hash_u64(h, err.quoted.ident);
        h = pd_pair_hash_u64(h, err.quoted.frag_offset);
    } else {
        pd_cursor cur = pd_cursor_make(ip->payload, ip->payload_len);
        uint8_t type, code;
        uint16_t sum;
        uint32_t rest;
        if (!pd_cursor_u8(&cur, &type) || !pd_cursor_u8(&cur, &code) ||
            !pd_cursor_be16(&cur, &sum) || !pd_cursor_be32(&cur, &rest))
            return;
        h = pd_pair_hash_u64(h, (uint64_t)type << 8 | code);
        h = pd_pair_hash_u64(h, rest); /* echo: identifier and sequence */
        h = pd_pair_hash_u64(h, ip->payload_wire_len);
    }
    p->kind = PD_PAIR_K_ICMP;
    p->ident_base = ident_final(h);
    p->content = h;
}

static void identify_fragment(pd_pair_pkt *p, const pd_ip *ip)
{
    p->kind = PD_PAIR_K_FRAG;
    uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, PD_PAIR_K_FRAG);
    h = pd_pair_hash_u64(h, ip->proto);
    h = pd_pair_hash_u64(h, ip->ident);
    h = pd_pair_hash_u64(h, (uint64_t)ip->frag_offset << 1 | ip->more_fragments);
    h = pd_pair_hash_u64(h, ip->payload_wire_len);
    p->ident_base = ident_final(h);
    /* The first fragment starts with the transport header, whose ports and
     * checksum a NAT rewrites: leave its first 8 bytes out. */
    size_t skip = ip->frag_offset == 0 ? 8 : 0;
    if (ip->payload_len > skip)
        p->content = pd_pair_hash(h, ip->payload + skip, ip->payload_len - skip);
    else
        p->content = h;
    if (ip->frag_offset == 0) {
        pd_cursor cur = pd_cursor_make(ip->payload, ip->payload_len);
        uint16_t sp, dp;
        if ((ip->proto == IPPROTO_NUM_UDP || ip->proto == IPPROTO_NUM_TCP) &&
            pd_cursor_be16(&cur, &sp) && pd_cursor_be16(&cur, &dp)) {
            p->sport = sp;
            p->dport = dp;
        }
    }
}

static void identify_other(pd_pair_pkt *p, const pd_ip *ip)
{
    p->kind = PD_PAIR_K_OTHER;
    uint64_t c = pd_pair_hash(PD_PAIR_HASH_INIT, ip->payload, ip->payload_len);
    uint64_t h = pd_pair_hash_u64(PD_PAIR_HASH_INIT, PD_PAIR_K_OTHER);
    h = pd_pair_hash_u64(h, ip->proto);
    if (p->ip_id) {
        h = pd_pair_hash_u64(h, p->ip_id);
        h = pd_pair_hash_u64(h, ip->payload_wire_len);
    } else {
        h = pd_pair_hash_u64(h, c);
    }
    p->ident_base = ident_final(h);
    p->content = c;
}

/* Ports without decoding the whole transport header (for relevance). */
static bool peek_ports(const pd_ip *ip, uint16_t *sport, uint16_t *dport)
{
    if (ip->is_fragment && ip->frag_offset != 0)
        return false;
    if (ip->proto != IPPROTO_NUM_TCP && ip->proto != IPPROTO_NUM_UDP)
        return false;
    pd_cursor cur = pd_cursor_make(ip->payload, ip->payload_len);
    return pd_cursor_be16(&cur, sport) && pd_cursor_be16(&cur, dport);
}

void pd_pair_capture_add(pd_pair_capture *c, const pd_frame *frame, const pd_frame_result *result)
{
    if (!c || !frame)
        return;
    if (c->frames == 0)
        c->first_ts_ns = frame->ts_ns;
    c->frames++;
    c->last_ts_ns = frame->ts_ns;
    if (!frame->data || frame->caplen == 0)
        return;

    pd_link_result link;
    if (pd_link_decode(frame->linktype, frame->data, frame->caplen, &link) != PD_LINK_IP)
        return;
    pd_ip ip;
    if (pd_ip_decode(link.net, link.net_len, &ip) != PD_IP_OK)
        return;
    uint32_t session = result ? result->session_id : 0;
    uint16_t sport = 0, dport = 0;
    bool have_ports = peek_ports(&ip, &sport, &dport);
    if (!session && !relevant(&ip, sport, dport, have_ports))
        return;
    if (c->pkts->len >= PD_PAIR_MAX_PACKETS) {
        c->not_kept++;
        return;
    }

    pd_pair_pkt p;
    memset(&p, 0, sizeof p);
    p.frame = frame->number;
    p.ts_ns = frame->ts_ns;
    p.session = session;
    p.ip_version = ip.version;
    p.ttl = ip.ttl;
    p.proto = ip.proto;
    p.df = ip.dont_fragment;
    p.is_frag = ip.is_fragment;
    p.mf = ip.more_fragments;
    p.frag_off = ip.frag_offset;
    p.ip_id = ip.ident;
    p.ip_payload_len = (uint32_t)MIN(ip.payload_wire_len, (size_t)UINT32_MAX);
    p.src = ip.src;
    p.dst = ip.dst;
    p.peer = -1;
    p.dir = PD_DIR_OTHER;

    if (ip.is_fragment) {
        identify_fragment(&p, &ip);
    } else {
        switch (ip.proto) {
        case IPPROTO_NUM_TCP: identify_tcp(&p, &ip); break;
        case IPPROTO_NUM_UDP: identify_udp(&p, &ip); break;
        case IPPROTO_NUM_GRE: identify_gre(&p, &ip); break;
        case IPPROTO_NUM_ESP: identify_esp_bytes(&p, ip.payload, ip.payload_len); break;
        case IPPROTO_NUM_ICMP:
        case IPPROTO_NUM_ICMPV6: identify_icmp(&p, &ip); break;
        default: break;
        }
        if (!p.ident_base)
            identify_other(&p, &ip);
    }

    /* The bytes, from the IP header, as far as the packet, the capture and
     * the caps allow. */
    size_t ip_len = ip.header_len + ip.payload_wire_len;
    size_t keep = MIN(MIN(link.net_len, ip_len), (size_t)PD_PAIR_KEEP_BYTES);
    if (c->bytes->len + keep > PD_PAIR_MAX_BYTES) {
        c->bytes_not_kept++;
        keep = 0;
    }
    if (keep) {
        p.bytes_off = c->bytes->len;
        p.bytes_len = (uint32_t)keep;
        g_byte_array_append(c->bytes, link.net, (guint)keep);
    }
    g_array_append_val(c->pkts, p);
    c->fragments_attributed = false;
}

static uint64_t datagram_key(const pd_pair_pkt *p)
{
    uint64_t h = pd_pair_hash(PD_PAIR_HASH_INIT, &p->src.a, sizeof p->src.a);
    h = pd_pair_hash(h, &p->dst.a, sizeof p->dst.a);
    h = pd_pair_hash_u64(h, (uint64_t)p->proto << 32 | p->ip_id);
    return h;
}

void pd_pair_capture_attribute_fragments(pd_pair_capture *c)
{
    if (!c || c->fragments_attributed)
        return;
    c->fragments_attributed = true;
    GHashTable *owner = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    pd_pair_pkt *pk = (pd_pair_pkt *)(void *)c->pkts->data;
    for (guint i = 0; i < c->pkts->len; i++) {
        if (!pk[i].is_frag || !pk[i].session)
            continue;
        gint64 *key = g_new(gint64, 1);
        *key = (gint64)datagram_key(&pk[i]);
        if (!g_hash_table_contains(owner, key))
            g_hash_table_insert(owner, key, GUINT_TO_POINTER(pk[i].session));
        else
            g_free(key);
    }
    for (guint i = 0; i < c->pkts->len; i++) {
        if (!pk[i].is_frag || pk[i].session)
            continue;
        gint64 key = (gint64)datagram_key(&pk[i]);
        gpointer v = g_hash_table_lookup(owner, &key);
        if (v)
            pk[i].session = GPOINTER_TO_UINT(v);
    }
    g_hash_table_destroy(owner);
}
