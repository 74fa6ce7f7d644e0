/* linklayer.h - from a link-layer frame to the IP packet inside it.
 *
 * Link types by their LINKTYPE_* numbers (tcpdump.org/linktypes.html):
 * Ethernet (1) with 802.1Q / 802.1ad tags and PPPoE session frames,
 * BSD loopback/null (0, 108), raw IP (12/14 on some systems, 101),
 * raw IPv4 (228), raw IPv6 (229), Linux cooked v1 (113) and v2 (276).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_LINKLAYER_H
#define PD_LINKLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapdiag/cursor.h"

typedef enum pd_link_status {
    PD_LINK_IP,          /* an IPv4 or IPv6 packet was found */
    PD_LINK_NOT_IP,      /* a well-formed frame carrying something else (ARP, LCP of PPPoE...) */
    PD_LINK_TRUNCATED,   /* the link header is cut short */
    PD_LINK_MALFORMED,   /* the link header makes no sense */
    PD_LINK_UNSUPPORTED  /* the link type is not one we decode */
} pd_link_status;

typedef struct pd_link_result {
    const uint8_t *net; /* first byte of the IP header */
    size_t net_len;     /* captured bytes from there on */
    uint8_t ip_version; /* 4 or 6 when PD_LINK_IP */
    uint8_t n_vlan;     /* VLAN tags crossed (at most 2 are recorded) */
    uint16_t vlan[2];
    uint16_t pppoe_session; /* nonzero when the IP came inside PPPoE */
} pd_link_result;

pd_link_status pd_link_decode(uint32_t linktype, const uint8_t *data, size_t caplen,
                              pd_link_result *out);

/* The hot path's shortcut (pd_link_decode does the same first): an untagged
 * Ethernet II frame carrying IPv4 or IPv6, its IP packet in *net (at least
 * one byte). False for anything else, which pd_link_decode then judges. */
static inline bool pd_link_ethernet_ip(const uint8_t *data, size_t caplen, const uint8_t **net,
                                       size_t *net_len)
{
    pd_cursor c = pd_cursor_make(data, caplen);
    uint16_t type;
    if (!pd_cursor_peek_be16(&c, 12, &type) || (type != 0x0800 && type != 0x86dd) ||
        !pd_cursor_skip(&c, 14) || pd_cursor_remaining(&c) == 0)
        return false;
    *net = pd_cursor_here(&c);
    *net_len = pd_cursor_remaining(&c);
    return true;
}

#endif
