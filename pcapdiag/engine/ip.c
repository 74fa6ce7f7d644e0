/* ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200) header decoding, walking IPv6 extension headers
 * down to the upper-layer protocol or the Fragment header; address helpers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ip.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "pcapdiag/cursor.h"

/* IPv6 next-header values we step over (RFC 8200 section 4). AH is left to
 * the upper layer (it names the protocol it protects, and the engine wants
 * to see it as IPsec); ESP hides everything after it. */
enum {
    PD_IP6_HOPOPTS = 0,
    PD_IP6_ROUTING = 43,
    PD_IP6_FRAGMENT = 44,
    PD_IP6_DSTOPTS = 60,
};

/* Real packets carry a handful; a chain longer than this is a crafted
 * packet and would only cost time. */
#define PD_IP6_MAX_EXT_HEADERS 16

static void pd_ip_addr_read(pd_addr *a, uint8_t family, const uint8_t *bytes)
{
    memset(a, 0, sizeof *a);
    a->family = family;
    memcpy(a->a, bytes, family == 4 ? 4 : 16);
}

static pd_ip_status pd_ip_decode4(pd_cursor *c, pd_ip *out)
{
    uint8_t vihl, tos, ttl, proto;
    uint16_t total, ident, frag, csum;
    const uint8_t *src, *dst;

    if (!pd_cursor_u8(c, &vihl))
        return PD_IP_TRUNCATED;
    size_t hl = (size_t)(vihl & 0x0f) * 4;
    if (hl < 20)
        return PD_IP_MALFORMED; /* IHL below 5 words (RFC 791 section 3.1) */
    if (!pd_cursor_u8(c, &tos) || !pd_cursor_be16(c, &total) || !pd_cursor_be16(c, &ident) ||
        !pd_cursor_be16(c, &frag) || !pd_cursor_u8(c, &ttl) || !pd_cursor_u8(c, &proto) ||
        !pd_cursor_be16(c, &csum) || !pd_cursor_bytes(c, 4, &src) || !pd_cursor_bytes(c, 4, &dst))
        return PD_IP_TRUNCATED;
    if (!pd_cursor_skip(c, hl - 20)) /* options: not needed to find the payload */
        return PD_IP_TRUNCATED;

    size_t captured = pd_cursor_remaining(c);
    size_t wire;
    if (total == 0) {
        /* Captured on the sending host before TCP/UDP segmentation offload
         * filled the length in: the capture is all there is to go by. */
        wire = captured;
    } else {
        if (total < hl)
            return PD_IP_MALFORMED;
        wire = total - hl;
    }

    out->version = 4;
    pd_ip_addr_read(&out->src, 4, src);
    pd_ip_addr_read(&out->dst, 4, dst);
    out->ttl = ttl;
    out->proto = proto;
    out->ident = ident;
    out->dont_fragment = (frag & 0x4000) != 0;
    out->more_fragments = (frag & 0x2000) != 0;
    out->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
    out->is_fragment = out->more_fragments || out->frag_offset != 0;
    out->header_len = hl;
    out->payload_wire_len = wire;
    /* Ethernet pads short frames: bytes past the total length are not IP. */
    out->payload_len = captured < wire ? captured : wire;
    out->payload = pd_cursor_here(c);
    return PD_IP_OK;
}

static pd_ip_status pd_ip_decode6(pd_cursor *c, pd_ip *out)
{
    uint32_t vtcfl;
    uint16_t plen;
    uint8_t nh, hlim;
    const uint8_t *src, *dst;

    if (!pd_cursor_be32(c, &vtcfl) || !pd_cursor_be16(c, &plen) || !pd_cursor_u8(c, &nh) ||
        !pd_cursor_u8(c, &hlim) || !pd_cursor_bytes(c, 16, &src) || !pd_cursor_bytes(c, 16, &dst))
        return PD_IP_TRUNCATED;

    size_t captured = pd_cursor_remaining(c);
    /* Payload Length 0 is a jumbogram (RFC 2675) or, far more often, a
     * packet captured before segmentation offload: use what was captured. */
    size_t wire = plen ? plen : captured;
    bool cut = captured < wire;
    pd_cursor p = pd_cursor_make(pd_cursor_here(c), cut ? captured : wire);

    out->version = 6;
    pd_ip_addr_read(&out->src, 6, src);
    pd_ip_addr_read(&out->dst, 6, dst);
    out->ttl = hlim;

    /* Walk the chain iteratively, bounded: never recurse on packet data. */
    unsigned n_ext = 0;
    for (;;) {
        if (nh != PD_IP6_HOPOPTS && nh != PD_IP6_ROUTING && nh != PD_IP6_DSTOPTS &&
            nh != PD_IP6_FRAGMENT)
            break; /* upper layer, AH, ESP, No Next Header (59) or unknown */
        if (++n_ext > PD_IP6_MAX_EXT_HEADERS)
            return PD_IP_MALFORMED;

        uint8_t next, hlen;
        if (nh == PD_IP6_FRAGMENT) {
            /* RFC 8200 section 4.5: next header, reserved, offset(13) res(2) M(1), ident. */
            uint8_t reserved;
            uint16_t offm;
            uint32_t ident;
            if (!pd_cursor_u8(&p, &next) || !pd_cursor_u8(&p, &reserved) ||
                !pd_cursor_be16(&p, &offm) || !pd_cursor_be32(&p, &ident))
                return cut ? PD_IP_TRUNCATED : PD_IP_MALFORMED;
            out->ident = ident;
            out->frag_offset = (uint32_t)(offm >> 3) * 8;
            out->more_fragments = (offm & 1) != 0;
            nh = next;
            if (out->frag_offset == 0 && !out->more_fragments) {
                /* An atomic fragment (RFC 6946 section 4): a whole packet
                 * with a Fragment header, processed in isolation. Keep
                 * walking to the real upper layer. */
                continue;
            }
            /* Everything after this header is the fragmentable part: in a
             * non-first fragment it is a slice of data, and even in the first
             * one the headers after it belong to the reassembled packet. */
            out->is_fragment = true;
            break;
        }
        /* Hop-by-Hop, Routing, Destination Options: next header, length in
         * 8-octet units not counting the first 8 (RFC 8200 sections 4.3-4.6). */
        if (!pd_cursor_u8(&p, &next) || !pd_cursor_u8(&p, &hlen) ||
            !pd_cursor_skip(&p, (size_t)hlen * 8 + 6))
            return cut ? PD_IP_TRUNCATED : PD_IP_MALFORMED;
        nh = next;
    }

    size_t ext = p.pos;
    out->proto = nh;
    out->header_len = 40 + ext;
    out->payload_wire_len = wire - ext;
    out->payload_len = pd_cursor_remaining(&p);
    out->payload = pd_cursor_here(&p);
    return PD_IP_OK;
}

pd_ip_status pd_ip_decode(const uint8_t *data, size_t len, pd_ip *out)
{
    pd_ip scratch;
    if (!out)
        out = &scratch;
    memset(out, 0, sizeof *out);
    pd_cursor c = pd_cursor_make(data, len);
    uint8_t b0;
    if (!pd_cursor_peek_u8(&c, 0, &b0))
        return PD_IP_TRUNCATED;
    switch (b0 >> 4) {
    case 4:
        return pd_ip_decode4(&c, out);
    case 6:
        return pd_ip_decode6(&c, out);
    default:
        return PD_IP_MALFORMED;
    }
}

static size_t pd_addr_len(uint8_t family)
{
    return family == 6 ? 16 : 4;
}

bool pd_addr_equal(const pd_addr *a, const pd_addr *b)
{
    return a->family == b->family && memcmp(a->a, b->a, pd_addr_len(a->family)) == 0;
}

int pd_addr_compare(const pd_addr *a, const pd_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    int r = memcmp(a->a, b->a, pd_addr_len(a->family));
    return (r > 0) - (r < 0);
}

static const char *pd_ip_ntop(uint8_t family, const uint8_t *bytes, char *buf, size_t len)
{
    if (!buf || len == 0)
        return "";
    buf[0] = '\0';
    int af = family == 4 ? AF_INET : family == 6 ? AF_INET6 : -1;
    /* inet_ntop never needs more than INET6_ADDRSTRLEN; clamp so a huge
     * len cannot wrap socklen_t. */
    socklen_t sl = len > INET6_ADDRSTRLEN ? INET6_ADDRSTRLEN : (socklen_t)len;
    if (af < 0 || !inet_ntop(af, bytes, buf, sl))
        buf[0] = '\0';
    return buf;
}

const char *pd_addr_str(const pd_addr *a, char *buf, size_t len)
{
    return pd_ip_ntop(a->family, a->a, buf, len);
}

const char *pd_endpoint_addr_str(const pd_endpoint *ep, char *buf, size_t len)
{
    return pd_ip_ntop(ep->family, ep->addr, buf, len);
}
