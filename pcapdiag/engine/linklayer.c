/* linklayer.c - from a captured link-layer frame to its IP packet: Ethernet II and IEEE 802.3
 * LLC/SNAP (RFC 1042), 802.1Q/802.1ad VLAN tags, PPPoE sessions (RFC 2516), PPP (RFC 1661/1662),
 * Cisco HDLC, BSD loopback, raw IP and Linux cooked captures (LINKTYPE_* per tcpdump.org/linktypes).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "linklayer.h"

#include <string.h>

#include "pcapdiag/cursor.h"
#include "pcapdiag/pcapdiag.h"

/* LINKTYPE_* numbers as they appear in pcap and pcapng files. */
enum {
    PD_LINKTYPE_NULL = 0,
    PD_LINKTYPE_ETHERNET = 1,
    PD_LINKTYPE_PPP = 9,
    PD_LINKTYPE_DLT_RAW12 = 12, /* DLT_RAW on most BSDs, written as-is by some tools */
    PD_LINKTYPE_DLT_RAW14 = 14, /* DLT_RAW on OpenBSD */
    PD_LINKTYPE_PPP_HDLC = 50,
    PD_LINKTYPE_RAW = 101,
    PD_LINKTYPE_C_HDLC = 104,
    PD_LINKTYPE_LOOP = 108,
    PD_LINKTYPE_LINUX_SLL = 113,
    PD_LINKTYPE_IPV4 = 228,
    PD_LINKTYPE_IPV6 = 229,
    PD_LINKTYPE_LINUX_SLL2 = 276,
};

enum {
    PD_ETHERTYPE_IPV4 = 0x0800,
    PD_ETHERTYPE_IPV6 = 0x86dd,
    PD_ETHERTYPE_8021Q = 0x8100,
    PD_ETHERTYPE_8021AD = 0x88a8,
    PD_ETHERTYPE_QINQ_9100 = 0x9100, /* pre-802.1ad vendor QinQ tags */
    PD_ETHERTYPE_QINQ_9200 = 0x9200,
    PD_ETHERTYPE_PPPOE_DISC = 0x8863,
    PD_ETHERTYPE_PPPOE_SESS = 0x8864,
};

/* PPP protocol numbers (RFC 1332 IPCP's IP, RFC 5072 IPv6). */
enum { PD_PPP_IPV4 = 0x0021, PD_PPP_IPV6 = 0x0057 };

/* Stacked VLAN tags we cross before calling the frame malformed: real
 * networks use one or two; the bound keeps a tag-only frame from costing
 * more than a few reads. */
#define PD_LINK_MAX_VLAN 8

static const struct pd_linktype_desc {
    uint32_t linktype;
    const char *name;
} pd_link_types[] = {
    { PD_LINKTYPE_NULL, "BSD loopback" },
    { PD_LINKTYPE_ETHERNET, "Ethernet" },
    { PD_LINKTYPE_PPP, "PPP" },
    { PD_LINKTYPE_DLT_RAW12, "raw IP" },
    { PD_LINKTYPE_DLT_RAW14, "raw IP" },
    { PD_LINKTYPE_PPP_HDLC, "PPP in HDLC-like framing" },
    { PD_LINKTYPE_RAW, "raw IP" },
    { PD_LINKTYPE_C_HDLC, "Cisco HDLC" },
    { PD_LINKTYPE_LOOP, "OpenBSD loopback" },
    { PD_LINKTYPE_LINUX_SLL, "Linux cooked v1" },
    { PD_LINKTYPE_IPV4, "raw IPv4" },
    { PD_LINKTYPE_IPV6, "raw IPv6" },
    { PD_LINKTYPE_LINUX_SLL2, "Linux cooked v2" },
};

static const struct pd_linktype_desc *pd_link_find(uint32_t linktype)
{
    for (size_t i = 0; i < sizeof pd_link_types / sizeof pd_link_types[0]; i++)
        if (pd_link_types[i].linktype == linktype)
            return &pd_link_types[i];
    return NULL;
}

bool pd_linktype_supported(uint32_t linktype)
{
    return pd_link_find(linktype) != NULL;
}

const char *pd_linktype_name(uint32_t linktype)
{
    const struct pd_linktype_desc *d = pd_link_find(linktype);
    return d ? d->name : "unknown";
}

/* The IP packet starts at the cursor. A link header that announces IP but
 * is followed by nothing is cut short: there is no packet to hand on. */
static pd_link_status pd_link_ip_here(const pd_cursor *c, uint8_t version, pd_link_result *out)
{
    size_t rem = pd_cursor_remaining(c);
    if (rem == 0)
        return PD_LINK_TRUNCATED;
    out->net = pd_cursor_here(c);
    out->net_len = rem;
    out->ip_version = version;
    return PD_LINK_IP;
}

/* Raw IP: only the version nibble says what follows. `want` is 0 for
 * either, or the one version the link type allows. */
static pd_link_status pd_link_raw(const pd_cursor *c, uint8_t want, pd_link_result *out)
{
    uint8_t b0;
    if (!pd_cursor_peek_u8(c, 0, &b0))
        return PD_LINK_TRUNCATED;
    uint8_t v = b0 >> 4;
    if ((v != 4 && v != 6) || (want && v != want))
        return PD_LINK_MALFORMED;
    return pd_link_ip_here(c, v, out);
}

/* A PPP protocol field, then the payload. RFC 1661 section 6.5: with
 * Protocol-Field-Compression the field is one byte, recognisable because
 * every protocol number is odd in its low byte and even in its high byte. */
static pd_link_status pd_link_ppp_proto(pd_cursor *c, pd_link_result *out)
{
    uint8_t b0, b1;
    uint16_t proto;
    if (!pd_cursor_u8(c, &b0))
        return PD_LINK_TRUNCATED;
    if (b0 & 1) {
        proto = b0;
    } else {
        if (!pd_cursor_u8(c, &b1))
            return PD_LINK_TRUNCATED;
        proto = (uint16_t)((b0 << 8) | b1);
    }
    switch (proto) {
    case PD_PPP_IPV4:
        return pd_link_ip_here(c, 4, out);
    case PD_PPP_IPV6:
        return pd_link_ip_here(c, 6, out);
    default:
        return PD_LINK_NOT_IP; /* LCP, IPCP, CCP, ... */
    }
}

/* RFC 2516 section 4: VER 1, TYPE 1, CODE 0 in the session stage, then
 * SESSION_ID and LENGTH (of the PPP payload). Ethernet pads short frames to
 * 60 bytes, so LENGTH, not the frame, says where the PPP frame ends. */
static pd_link_status pd_link_pppoe(pd_cursor *c, pd_link_result *out)
{
    uint8_t vertype, code;
    uint16_t session, length;
    if (!pd_cursor_u8(c, &vertype) || !pd_cursor_u8(c, &code) || !pd_cursor_be16(c, &session) ||
        !pd_cursor_be16(c, &length))
        return PD_LINK_TRUNCATED;
    if (vertype != 0x11 || code != 0x00)
        return PD_LINK_MALFORMED;
    out->pppoe_session = session;

    pd_cursor body = *c;
    if (length < pd_cursor_remaining(c))
        pd_cursor_sub(c, length, &body);
    /* A LENGTH beyond the capture is a short snaplen as often as a lie:
     * hand on what was captured and let the IP layer judge. */
    return pd_link_ppp_proto(&body, out);
}

/* Everything after an Ethernet type field: VLAN tags, then IPv4, IPv6,
 * PPPoE, or an 802.3 length with an LLC/SNAP header. */
static pd_link_status pd_link_ethertype(pd_cursor *c, uint16_t type, bool allow_llc,
                                        pd_link_result *out)
{
    unsigned tags = 0;
    bool snap_done = false;

    for (;;) {
        if (type == PD_ETHERTYPE_8021Q || type == PD_ETHERTYPE_8021AD ||
            type == PD_ETHERTYPE_QINQ_9100 || type == PD_ETHERTYPE_QINQ_9200) {
            uint16_t tci;
            if (++tags > PD_LINK_MAX_VLAN)
                return PD_LINK_MALFORMED;
            if (!pd_cursor_be16(c, &tci) || !pd_cursor_be16(c, &type))
                return PD_LINK_TRUNCATED;
            if (out->n_vlan < 2)
                out->vlan[out->n_vlan] = tci & 0x0fff; /* VID; PCP and DEI dropped */
            out->n_vlan++;
            continue;
        }
        if (type <= 1500 && allow_llc && !snap_done) {
            /* IEEE 802.3 length field: 802.2 LLC follows. Only SNAP with
             * OUI 00-00-00 (RFC 1042) can carry an Ethernet type, and so IP. */
            uint8_t dsap, ssap, ctl;
            uint32_t oui;
            uint8_t o1;
            uint16_t o23;
            if (!pd_cursor_u8(c, &dsap) || !pd_cursor_u8(c, &ssap) || !pd_cursor_u8(c, &ctl))
                return PD_LINK_TRUNCATED;
            if (dsap != 0xaa || ssap != 0xaa || ctl != 0x03)
                return PD_LINK_NOT_IP; /* STP, IPX, NetBIOS... */
            if (!pd_cursor_u8(c, &o1) || !pd_cursor_be16(c, &o23) || !pd_cursor_be16(c, &type))
                return PD_LINK_TRUNCATED;
            oui = ((uint32_t)o1 << 16) | o23;
            if (oui != 0)
                return PD_LINK_NOT_IP; /* CDP, VTP and other vendor protocols */
            snap_done = true;
            continue;
        }
        break;
    }

    switch (type) {
    case PD_ETHERTYPE_IPV4:
        return pd_link_ip_here(c, 4, out);
    case PD_ETHERTYPE_IPV6:
        return pd_link_ip_here(c, 6, out);
    case PD_ETHERTYPE_PPPOE_SESS:
        return pd_link_pppoe(c, out);
    default:
        /* 1501..1535 is neither a length nor a type (IEEE 802.3 clause 3.2.6). */
        if (type > 1500 && type < 1536)
            return PD_LINK_MALFORMED;
        return PD_LINK_NOT_IP; /* ARP, PPPoE discovery, LLDP, MPLS, ... */
    }
}

static pd_link_status pd_link_ethernet(pd_cursor *c, pd_link_result *out)
{
    uint16_t type;
    if (!pd_cursor_skip(c, 12) || !pd_cursor_be16(c, &type)) /* destination, source MAC */
        return PD_LINK_TRUNCATED;
    return pd_link_ethertype(c, type, true, out);
}

/* BSD address families for IP in a loopback header. AF_INET is 2
 * everywhere; AF_INET6 differs: 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD,
 * DragonFly), 30 (Darwin). A capture says which writer it came from only
 * through these values. */
static uint8_t pd_link_bsd_family(uint32_t af)
{
    switch (af) {
    case 2:
        return 4;
    case 24:
    case 28:
    case 30:
        return 6;
    default:
        return 0;
    }
}

/* LINKTYPE_NULL stores the family in the writer's byte order, so a file
 * from a big-endian host reads differently on a little-endian one: try both.
 * LINKTYPE_LOOP is defined as network byte order. */
static pd_link_status pd_link_null(pd_cursor *c, bool network_order, pd_link_result *out)
{
    uint32_t be, le;
    if (!pd_cursor_peek_be32(c, 0, &be))
        return PD_LINK_TRUNCATED;
    pd_cursor_le32(c, &le);
    uint8_t v = pd_link_bsd_family(be);
    if (!v && !network_order)
        v = pd_link_bsd_family(le);
    if (!v)
        return PD_LINK_NOT_IP;
    return pd_link_ip_here(c, v, out);
}

/* Linux cooked v1: packet type, ARPHRD type, address length, 8 bytes of
 * address, protocol. Protocol values below 1536 are Linux's own codes
 * (802.2 LLC, Novell 802.3, CAN...), none of them IP. */
static pd_link_status pd_link_sll(pd_cursor *c, pd_link_result *out)
{
    uint16_t proto;
    if (!pd_cursor_skip(c, 14) || !pd_cursor_be16(c, &proto))
        return PD_LINK_TRUNCATED;
    if (proto < 1536)
        return PD_LINK_NOT_IP;
    return pd_link_ethertype(c, proto, false, out);
}

/* Linux cooked v2: protocol first, then reserved, interface index, ARPHRD
 * type, packet type, address length and 8 bytes of address: 20 bytes. */
static pd_link_status pd_link_sll2(pd_cursor *c, pd_link_result *out)
{
    uint16_t proto;
    if (!pd_cursor_be16(c, &proto) || !pd_cursor_skip(c, 18))
        return PD_LINK_TRUNCATED;
    if (proto < 1536)
        return PD_LINK_NOT_IP;
    return pd_link_ethertype(c, proto, false, out);
}

/* LINKTYPE_PPP: RFC 1662 address and control FF 03 are optional
 * (Address-and-Control-Field-Compression, RFC 1661 section 6.6). */
static pd_link_status pd_link_ppp(pd_cursor *c, pd_link_result *out)
{
    uint8_t addr, ctl;
    if (!pd_cursor_peek_u8(c, 0, &addr))
        return PD_LINK_TRUNCATED;
    /* A compressed protocol 0xFF would be 0x00FF, reserved in the IANA PPP
     * protocol registry: the byte can only be the All-Stations address. */
    if (addr == 0xff) {
        if (!pd_cursor_u8(c, &addr) || !pd_cursor_u8(c, &ctl))
            return PD_LINK_TRUNCATED;
        if (ctl != 0x03)
            return PD_LINK_MALFORMED;
    }
    return pd_link_ppp_proto(c, out);
}

/* Cisco HDLC: address (0x0F unicast, 0x8F broadcast), control 0, then an
 * Ethernet type. */
static pd_link_status pd_link_chdlc(pd_cursor *c, pd_link_result *out)
{
    uint8_t addr, ctl;
    uint16_t type;
    if (!pd_cursor_u8(c, &addr) || !pd_cursor_u8(c, &ctl) || !pd_cursor_be16(c, &type))
        return PD_LINK_TRUNCATED;
    if (type < 1536)
        return PD_LINK_NOT_IP;
    return pd_link_ethertype(c, type, false, out);
}

/* LINKTYPE_PPP_HDLC holds either RFC 1662 framing (FF 03, then the PPP
 * protocol) or Cisco HDLC (RFC 1547 section 4.3.1); the first byte tells. */
static pd_link_status pd_link_ppp_hdlc(pd_cursor *c, pd_link_result *out)
{
    uint8_t addr, ctl;
    if (!pd_cursor_peek_u8(c, 0, &addr))
        return PD_LINK_TRUNCATED;
    if (addr == 0x0f || addr == 0x8f)
        return pd_link_chdlc(c, out);
    if (!pd_cursor_u8(c, &addr) || !pd_cursor_u8(c, &ctl))
        return PD_LINK_TRUNCATED;
    if (addr != 0xff || ctl != 0x03)
        return PD_LINK_MALFORMED;
    return pd_link_ppp_proto(c, out);
}

pd_link_status pd_link_decode(uint32_t linktype, const uint8_t *data, size_t caplen,
                              pd_link_result *out)
{
    pd_link_result scratch;
    if (!out)
        out = &scratch;
    memset(out, 0, sizeof *out);
    pd_cursor c = pd_cursor_make(data, caplen);

    /* The common case first, for the hot path: untagged Ethernet II
     * carrying IPv4 or IPv6 (what pd_link_ethernet would find, without the
     * walk through tags and LLC). */
    uint16_t type;
    if (linktype == PD_LINKTYPE_ETHERNET && pd_cursor_peek_be16(&c, 12, &type) &&
        (type == PD_ETHERTYPE_IPV4 || type == PD_ETHERTYPE_IPV6)) {
        pd_cursor_skip(&c, 14);
        return pd_link_ip_here(&c, type == PD_ETHERTYPE_IPV4 ? 4 : 6, out);
    }

    switch (linktype) {
    case PD_LINKTYPE_ETHERNET:
        return pd_link_ethernet(&c, out);
    case PD_LINKTYPE_NULL:
        return pd_link_null(&c, false, out);
    case PD_LINKTYPE_LOOP:
        return pd_link_null(&c, true, out);
    case PD_LINKTYPE_RAW:
    case PD_LINKTYPE_DLT_RAW12:
    case PD_LINKTYPE_DLT_RAW14:
        return pd_link_raw(&c, 0, out);
    case PD_LINKTYPE_IPV4:
        return pd_link_raw(&c, 4, out);
    case PD_LINKTYPE_IPV6:
        return pd_link_raw(&c, 6, out);
    case PD_LINKTYPE_LINUX_SLL:
        return pd_link_sll(&c, out);
    case PD_LINKTYPE_LINUX_SLL2:
        return pd_link_sll2(&c, out);
    case PD_LINKTYPE_PPP:
        return pd_link_ppp(&c, out);
    case PD_LINKTYPE_PPP_HDLC:
        return pd_link_ppp_hdlc(&c, out);
    case PD_LINKTYPE_C_HDLC:
        return pd_link_chdlc(&c, out);
    default:
        return PD_LINK_UNSUPPORTED;
    }
}
