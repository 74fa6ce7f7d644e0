/* ip.h - IPv4 (RFC 791) and IPv6 (RFC 8200) headers, IPv6 extension headers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IP_H
#define PD_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapdiag/pcapdiag.h"

typedef struct pd_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t a[16];  /* IPv4 in a[0..3], rest zero */
} pd_addr;

typedef enum pd_ip_status {
    PD_IP_OK,
    PD_IP_TRUNCATED, /* header cut short by the capture */
    PD_IP_MALFORMED  /* bad version, header length, total length below header */
} pd_ip_status;

typedef struct pd_ip {
    uint8_t version;
    pd_addr src, dst;
    uint8_t ttl;      /* TTL or hop limit */
    uint8_t proto;    /* upper-layer protocol, after IPv6 extension headers */
    uint32_t ident;   /* IPv4 identification, or IPv6 fragment identification */
    bool is_fragment; /* MF set or offset nonzero (v4), or a Fragment header (v6) */
    bool more_fragments;
    bool dont_fragment;
    uint32_t frag_offset; /* in bytes */
    const uint8_t *payload; /* upper-layer bytes captured, within the IP length */
    size_t payload_len;
    size_t payload_wire_len; /* what the IP header says the upper layer holds */
    size_t header_len;       /* IPv4 header or IPv6 header + extension headers */
} pd_ip;

pd_ip_status pd_ip_decode(const uint8_t *data, size_t len, pd_ip *out);

bool pd_addr_equal(const pd_addr *a, const pd_addr *b);
int pd_addr_compare(const pd_addr *a, const pd_addr *b);
/* "192.0.2.1" or "2001:db8::1"; buf at least 46 bytes. */
const char *pd_addr_str(const pd_addr *a, char *buf, size_t len);

#endif
