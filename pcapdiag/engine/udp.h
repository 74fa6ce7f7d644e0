/* udp.h - the UDP header (RFC 768).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_UDP_H
#define PD_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pd_udp_header {
    uint16_t sport, dport;
    uint16_t length; /* the Length field (header + data) */
    const uint8_t *payload;
    size_t payload_len;      /* captured payload bytes, within Length */
    size_t payload_wire_len; /* payload bytes on the wire, per Length and the IP length */
} pd_udp_header;

/* data/len: the IP payload as captured; wire_len: per the IP header. False
 * when the header is cut short or Length is below 8. */
bool pd_udp_decode(const uint8_t *data, size_t len, size_t wire_len, pd_udp_header *out);

#endif
