/* test_linklayer.c - link-layer decoding: every supported LINKTYPE with hand-built frames,
 * VLAN stacks, PPPoE, and truncation at every byte of every header.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "linklayer.h"
#include "pcapdiag/pcapdiag.h"

/* IPv4/UDP 192.0.2.1:500 -> 198.51.100.2:500, total length 28 (RFC 791 layout). */
#define IP4                                                                                    \
    0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0x00, 0x02, \
        0x01, 0xc6, 0x33, 0x64, 0x02, 0x01, 0xf4, 0x01, 0xf4, 0x00, 0x08, 0x00, 0x00
#define IP4_LEN 28
/* IPv6/UDP 2001:db8::1 -> 2001:db8::2, payload length 8 (RFC 8200 layout). */
#define IP6                                                                                    \
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, \
        0, 0, 0, 0, 0, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,   \
        0x11, 0x94, 0x11, 0x94, 0x00, 0x08, 0x00, 0x00
#define IP6_LEN 48
/* Destination and source MAC. */
#define MACS 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30

/* ---- frames ---- */
static const uint8_t eth_ip4[] = { MACS, 0x08, 0x00, IP4 };
static const uint8_t eth_ip6[] = { MACS, 0x86, 0xdd, IP6 };
/* Ethernet pads to 60 bytes: the link layer hands on all of it, IP trims. */
static const uint8_t eth_ip4_padded[] = { MACS, 0x08, 0x00, IP4, 0, 0, 0, 0, 0, 0,
                                          0,    0,    0,    0,   0, 0, 0, 0, 0, 0 };
static const uint8_t eth_arp[] = { MACS, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01 };
static const uint8_t eth_q_ip4[] = { MACS, 0x81, 0x00, 0x20, 0x64, 0x08, 0x00, IP4 }; /* PCP 1, VID 100 */
static const uint8_t eth_qinq_ip4[] = { MACS, 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00,
                                        0x00, 0x14, 0x08, 0x00, IP4 };
static const uint8_t eth_9100_ip6[] = { MACS, 0x91, 0x00, 0x0f, 0xff, 0x81, 0x00,
                                        0xe0, 0x01, 0x86, 0xdd, IP6 };
static const uint8_t eth_3tags_ip4[] = { MACS, 0x88, 0xa8, 0x00, 0x01, 0x81, 0x00, 0x00, 0x02,
                                         0x81, 0x00, 0x00, 0x03, 0x08, 0x00, IP4 };
/* PPPoE session 0x1234, LENGTH 30 = PPP protocol (2) + IPv4 (28). */
static const uint8_t eth_pppoe_ip4[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x12, 0x34,
                                         0x00, 0x1e, 0x00, 0x21, IP4 };
/* The same, padded: LENGTH, not the frame, ends the PPP frame. */
static const uint8_t eth_pppoe_ip4_padded[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x12, 0x34, 0x00,
                                                0x1e, 0x00, 0x21, IP4,  0xaa, 0xbb, 0xcc, 0xdd };
static const uint8_t eth_pppoe_ip6[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x00, 0x07,
                                         0x00, 0x32, 0x00, 0x57, IP6 };
/* Protocol-Field-Compression: one-byte protocol 0x21. */
static const uint8_t eth_pppoe_pfc_ip4[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x00, 0x09,
                                             0x00, 0x1d, 0x21, IP4 };
static const uint8_t eth_pppoe_lcp[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x00, 0x05, 0x00, 0x08,
                                         0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 0x12, 0x34 };
static const uint8_t eth_pppoe_badver[] = { MACS, 0x88, 0x64, 0x21, 0x00, 0x00, 0x05,
                                            0x00, 0x1e, 0x00, 0x21, IP4 };
static const uint8_t eth_pppoe_badcode[] = { MACS, 0x88, 0x64, 0x11, 0x09, 0x00, 0x05,
                                             0x00, 0x1e, 0x00, 0x21, IP4 };
/* PADI (discovery stage). */
static const uint8_t eth_pppoe_padi[] = { MACS, 0x88, 0x63, 0x11, 0x09, 0x00, 0x00,
                                          0x00, 0x04, 0x01, 0x01, 0x00, 0x00 };
static const uint8_t eth_q_pppoe_ip4[] = { MACS, 0x81, 0x00, 0x00, 0x2a, 0x88, 0x64, 0x11,
                                           0x00, 0xbe, 0xef, 0x00, 0x1e, 0x00, 0x21, IP4 };
/* IEEE 802.3 length + LLC/SNAP, OUI 0, type IPv4 (RFC 1042). */
static const uint8_t eth_snap_ip4[] = { MACS, 0x00, 0x24, 0xaa, 0xaa, 0x03,
                                        0x00, 0x00, 0x00, 0x08, 0x00, IP4 };
/* Spanning tree: LLC 42 42 03. */
static const uint8_t eth_llc_stp[] = { MACS, 0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00, 0x00 };
/* SNAP with Cisco's OUI: its protocol IDs are not Ethernet types, even 0x0800. */
static const uint8_t eth_snap_cdp[] = { MACS, 0x00, 0x24, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c,
                                        0x08, 0x00, IP4 };
/* Type 1535: neither a length nor a type. */
static const uint8_t eth_type_1535[] = { MACS, 0x05, 0xff, IP4 };
static const uint8_t eth_lldp[] = { MACS, 0x88, 0xcc, 0x02, 0x07, 0x04 };

/* BSD null: AF_INET 2 / AF_INET6 24, 28, 30 in either byte order. */
static const uint8_t null_le_ip4[] = { 0x02, 0x00, 0x00, 0x00, IP4 };
static const uint8_t null_be_ip4[] = { 0x00, 0x00, 0x00, 0x02, IP4 };
static const uint8_t null_le24_ip6[] = { 0x18, 0x00, 0x00, 0x00, IP6 };
static const uint8_t null_be24_ip6[] = { 0x00, 0x00, 0x00, 0x18, IP6 };
static const uint8_t null_le28_ip6[] = { 0x1c, 0x00, 0x00, 0x00, IP6 };
static const uint8_t null_le30_ip6[] = { 0x1e, 0x00, 0x00, 0x00, IP6 };
static const uint8_t null_be30_ip6[] = { 0x00, 0x00, 0x00, 0x1e, IP6 };
static const uint8_t null_iso[] = { 0x07, 0x00, 0x00, 0x00, 0xfe, 0xfe, 0x03 };
/* LINKTYPE_LOOP is network byte order only. */
static const uint8_t loop_be_ip4[] = { 0x00, 0x00, 0x00, 0x02, IP4 };
static const uint8_t loop_be_ip6[] = { 0x00, 0x00, 0x00, 0x18, IP6 };

static const uint8_t raw_ip4[] = { IP4 };
static const uint8_t raw_ip6[] = { IP6 };
static const uint8_t raw_v5[] = { 0x50, 0x00, 0x00, 0x14 };
static const uint8_t raw_v0[] = { 0x00 };

/* Linux cooked v1: outgoing (4), ARPHRD_ETHER (1), address length 6,
 * address padded to 8, protocol. */
static const uint8_t sll_ip4[] = { 0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00,
                                   0x5e, 0x10, 0x20, 0x30, 0x00, 0x00, 0x08, 0x00, IP4 };
static const uint8_t sll_ip6[] = { 0x00, 0x00, 0x03, 0x0a, 0x00, 0x00, 0, 0,
                                   0,    0,    0,    0,    0,    0,    0x86, 0xdd, IP6 };
static const uint8_t sll_vlan_ip4[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x5e, 0x10,
                                        0x20, 0x30, 0x00, 0x00, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00,
                                        IP4 };
/* Protocol 0x0004: LINUX_SLL_P_802_2, an LLC frame. */
static const uint8_t sll_llc[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x5e,
                                   0x10, 0x20, 0x30, 0x00, 0x00, 0x00, 0x04, 0x42, 0x42 };
static const uint8_t sll_arp[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x5e,
                                   0x10, 0x20, 0x30, 0x00, 0x00, 0x08, 0x06, 0x00, 0x01 };
/* Linux cooked v2: protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type
 * 0, address length 6, address padded to 8. */
static const uint8_t sll2_ip4[] = { 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
                                    0x00, 0x06, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, 0x00, 0x00,
                                    IP4 };
static const uint8_t sll2_ip6[] = { 0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xff, 0xfe,
                                    0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, IP6 };
static const uint8_t sll2_arp[] = { 0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
                                    0x00, 0x06, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, 0x00, 0x00,
                                    0x00, 0x01 };

/* PPP (LINKTYPE_PPP): with and without FF 03, with a one-byte protocol. */
static const uint8_t ppp_ff03_ip4[] = { 0xff, 0x03, 0x00, 0x21, IP4 };
static const uint8_t ppp_acfc_ip4[] = { 0x00, 0x21, IP4 };
static const uint8_t ppp_pfc_ip6[] = { 0xff, 0x03, 0x57, IP6 };
static const uint8_t ppp_lcp[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };
static const uint8_t ppp_bad_ctl[] = { 0xff, 0x13, 0x00, 0x21, IP4 };
/* PPP in HDLC-like framing, and Cisco HDLC in the same link type. */
static const uint8_t ppphdlc_ip4[] = { 0xff, 0x03, 0x00, 0x21, IP4 };
static const uint8_t ppphdlc_ip6[] = { 0xff, 0x03, 0x00, 0x57, IP6 };
static const uint8_t ppphdlc_cisco_ip4[] = { 0x0f, 0x00, 0x08, 0x00, IP4 };
static const uint8_t ppphdlc_noaddr[] = { 0x00, 0x21, IP4 };
/* Cisco HDLC: broadcast address, IPv6; SLARP is not IP. */
static const uint8_t chdlc_ip6[] = { 0x8f, 0x00, 0x86, 0xdd, IP6 };
static const uint8_t chdlc_slarp[] = { 0x8f, 0x00, 0x80, 0x35, 0x00, 0x00, 0x00, 0x02 };

typedef struct link_case {
    const char *name;
    uint32_t linktype;
    const uint8_t *data;
    size_t len;
    pd_link_status status;
    size_t hdr;     /* where the IP header starts */
    size_t net_len; /* 0: len - hdr */
    uint8_t version;
    uint8_t n_vlan;
    uint16_t vlan0, vlan1;
    uint16_t session;
} link_case;

#define F(a) a, sizeof(a)

static const link_case cases[] = {
    { "eth ipv4", 1, F(eth_ip4), PD_LINK_IP, 14, 0, 4, 0, 0, 0, 0 },
    { "eth ipv6", 1, F(eth_ip6), PD_LINK_IP, 14, 0, 6, 0, 0, 0, 0 },
    { "eth ipv4 padded", 1, F(eth_ip4_padded), PD_LINK_IP, 14, 0, 4, 0, 0, 0, 0 },
    { "eth arp", 1, F(eth_arp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "eth lldp", 1, F(eth_lldp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "eth 802.1q", 1, F(eth_q_ip4), PD_LINK_IP, 18, 0, 4, 1, 100, 0, 0 },
    { "eth 802.1ad+q", 1, F(eth_qinq_ip4), PD_LINK_IP, 22, 0, 4, 2, 10, 20, 0 },
    { "eth 9100+q ipv6", 1, F(eth_9100_ip6), PD_LINK_IP, 22, 0, 6, 2, 0xfff, 1, 0 },
    { "eth 3 tags", 1, F(eth_3tags_ip4), PD_LINK_IP, 26, 0, 4, 3, 1, 2, 0 },
    { "pppoe ipv4", 1, F(eth_pppoe_ip4), PD_LINK_IP, 22, 0, 4, 0, 0, 0, 0x1234 },
    { "pppoe ipv4 padded", 1, F(eth_pppoe_ip4_padded), PD_LINK_IP, 22, IP4_LEN, 4, 0, 0, 0, 0x1234 },
    { "pppoe ipv6", 1, F(eth_pppoe_ip6), PD_LINK_IP, 22, 0, 6, 0, 0, 0, 7 },
    { "pppoe pfc ipv4", 1, F(eth_pppoe_pfc_ip4), PD_LINK_IP, 21, 0, 4, 0, 0, 0, 9 },
    { "pppoe lcp", 1, F(eth_pppoe_lcp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 5 },
    { "pppoe bad version", 1, F(eth_pppoe_badver), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "pppoe bad code", 1, F(eth_pppoe_badcode), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "pppoe padi", 1, F(eth_pppoe_padi), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "vlan pppoe ipv4", 1, F(eth_q_pppoe_ip4), PD_LINK_IP, 26, 0, 4, 1, 42, 0, 0xbeef },
    { "802.3 snap ipv4", 1, F(eth_snap_ip4), PD_LINK_IP, 22, 0, 4, 0, 0, 0, 0 },
    { "802.3 llc stp", 1, F(eth_llc_stp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "802.3 snap cdp", 1, F(eth_snap_cdp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "eth type 1535", 1, F(eth_type_1535), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "null le ipv4", 0, F(null_le_ip4), PD_LINK_IP, 4, 0, 4, 0, 0, 0, 0 },
    { "null be ipv4", 0, F(null_be_ip4), PD_LINK_IP, 4, 0, 4, 0, 0, 0, 0 },
    { "null le 24", 0, F(null_le24_ip6), PD_LINK_IP, 4, 0, 6, 0, 0, 0, 0 },
    { "null be 24", 0, F(null_be24_ip6), PD_LINK_IP, 4, 0, 6, 0, 0, 0, 0 },
    { "null le 28", 0, F(null_le28_ip6), PD_LINK_IP, 4, 0, 6, 0, 0, 0, 0 },
    { "null le 30", 0, F(null_le30_ip6), PD_LINK_IP, 4, 0, 6, 0, 0, 0, 0 },
    { "null be 30", 0, F(null_be30_ip6), PD_LINK_IP, 4, 0, 6, 0, 0, 0, 0 },
    { "null iso", 0, F(null_iso), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "loop be ipv4", 108, F(loop_be_ip4), PD_LINK_IP, 4, 0, 4, 0, 0, 0, 0 },
    { "loop be ipv6", 108, F(loop_be_ip6), PD_LINK_IP, 4, 0, 6, 0, 0, 0, 0 },
    { "loop le is not", 108, F(null_le_ip4), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "raw101 ipv4", 101, F(raw_ip4), PD_LINK_IP, 0, 0, 4, 0, 0, 0, 0 },
    { "raw101 ipv6", 101, F(raw_ip6), PD_LINK_IP, 0, 0, 6, 0, 0, 0, 0 },
    { "raw12 ipv4", 12, F(raw_ip4), PD_LINK_IP, 0, 0, 4, 0, 0, 0, 0 },
    { "raw14 ipv6", 14, F(raw_ip6), PD_LINK_IP, 0, 0, 6, 0, 0, 0, 0 },
    { "raw101 v5", 101, F(raw_v5), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "raw101 v0", 101, F(raw_v0), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "raw228 ipv4", 228, F(raw_ip4), PD_LINK_IP, 0, 0, 4, 0, 0, 0, 0 },
    { "raw228 given v6", 228, F(raw_ip6), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "raw229 ipv6", 229, F(raw_ip6), PD_LINK_IP, 0, 0, 6, 0, 0, 0, 0 },
    { "raw229 given v4", 229, F(raw_ip4), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "sll ipv4", 113, F(sll_ip4), PD_LINK_IP, 16, 0, 4, 0, 0, 0, 0 },
    { "sll ipv6", 113, F(sll_ip6), PD_LINK_IP, 16, 0, 6, 0, 0, 0, 0 },
    { "sll vlan", 113, F(sll_vlan_ip4), PD_LINK_IP, 20, 0, 4, 1, 5, 0, 0 },
    { "sll llc", 113, F(sll_llc), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "sll arp", 113, F(sll_arp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "sll2 ipv4", 276, F(sll2_ip4), PD_LINK_IP, 20, 0, 4, 0, 0, 0, 0 },
    { "sll2 ipv6", 276, F(sll2_ip6), PD_LINK_IP, 20, 0, 6, 0, 0, 0, 0 },
    { "sll2 arp", 276, F(sll2_arp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "ppp ff03 ipv4", 9, F(ppp_ff03_ip4), PD_LINK_IP, 4, 0, 4, 0, 0, 0, 0 },
    { "ppp acfc ipv4", 9, F(ppp_acfc_ip4), PD_LINK_IP, 2, 0, 4, 0, 0, 0, 0 },
    { "ppp pfc ipv6", 9, F(ppp_pfc_ip6), PD_LINK_IP, 3, 0, 6, 0, 0, 0, 0 },
    { "ppp lcp", 9, F(ppp_lcp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "ppp bad control", 9, F(ppp_bad_ctl), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "ppp-hdlc ipv4", 50, F(ppphdlc_ip4), PD_LINK_IP, 4, 0, 4, 0, 0, 0, 0 },
    { "ppp-hdlc ipv6", 50, F(ppphdlc_ip6), PD_LINK_IP, 4, 0, 6, 0, 0, 0, 0 },
    { "ppp-hdlc cisco", 50, F(ppphdlc_cisco_ip4), PD_LINK_IP, 4, 0, 4, 0, 0, 0, 0 },
    { "ppp-hdlc no address", 50, F(ppphdlc_noaddr), PD_LINK_MALFORMED, 0, 0, 0, 0, 0, 0, 0 },
    { "c-hdlc ipv6", 104, F(chdlc_ip6), PD_LINK_IP, 4, 0, 6, 0, 0, 0, 0 },
    { "c-hdlc slarp", 104, F(chdlc_slarp), PD_LINK_NOT_IP, 0, 0, 0, 0, 0, 0, 0 },
    { "unsupported 105", 105, F(eth_ip4), PD_LINK_UNSUPPORTED, 0, 0, 0, 0, 0, 0, 0 },
    { "unsupported 147", 147, F(eth_ip4), PD_LINK_UNSUPPORTED, 0, 0, 0, 0, 0, 0, 0 },
};

/* A heap copy of exactly n bytes, so ASan sees any read past the end. */
static uint8_t *exact_copy(const uint8_t *src, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    if (n)
        memcpy(p, src, n);
    return p;
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const link_case *k = &cases[i];
        uint8_t *buf = exact_copy(k->data, k->len);
        pd_link_result r;
        memset(&r, 0xa5, sizeof r);
        pd_link_status st = pd_link_decode(k->linktype, buf, k->len, &r);
        if (st != k->status)
            fail_msg("%s: status %d, want %d", k->name, st, k->status);
        if (k->status == PD_LINK_IP) {
            size_t want_len = k->net_len ? k->net_len : k->len - k->hdr;
            if (r.net != buf + k->hdr || r.net_len != want_len || r.ip_version != k->version)
                fail_msg("%s: net at %td len %zu v%u", k->name, r.net - buf, r.net_len,
                         r.ip_version);
            assert_int_equal(r.net[0] >> 4, k->version);
        }
        if (k->status == PD_LINK_IP || k->status == PD_LINK_NOT_IP) {
            if (r.n_vlan != k->n_vlan || r.vlan[0] != k->vlan0 || r.vlan[1] != k->vlan1 ||
                r.pppoe_session != k->session)
                fail_msg("%s: vlan %u [%u %u] session %u", k->name, r.n_vlan, r.vlan[0],
                         r.vlan[1], r.pppoe_session);
        }
        if (k->status != PD_LINK_IP)
            assert_null(r.net);
        free(buf);
    }
}

/* Every prefix of every IP-carrying frame: cut inside the link header (or
 * with no IP byte left) it is truncated, past it the IP is handed on with
 * exactly the captured bytes, and nothing is read beyond the prefix. */
static void test_truncation_every_offset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const link_case *k = &cases[i];
        if (k->status != PD_LINK_IP)
            continue;
        for (size_t n = 0; n < k->len; n++) {
            uint8_t *buf = exact_copy(k->data, n);
            pd_link_result r;
            pd_link_status st = pd_link_decode(k->linktype, buf, n, &r);
            if (n <= k->hdr) {
                if (st != PD_LINK_TRUNCATED)
                    fail_msg("%s cut at %zu: status %d, want truncated", k->name, n, st);
            } else {
                size_t full = k->net_len ? k->net_len : k->len - k->hdr;
                size_t want = n - k->hdr < full ? n - k->hdr : full;
                if (st != PD_LINK_IP || r.net != buf + k->hdr || r.net_len != want)
                    fail_msg("%s cut at %zu: status %d len %zu", k->name, n, st, r.net_len);
            }
            free(buf);
        }
    }
}

/* Non-IP frames cut anywhere must not crash or claim IP either. */
static void test_truncation_non_ip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const link_case *k = &cases[i];
        if (k->status == PD_LINK_IP || k->status == PD_LINK_UNSUPPORTED)
            continue;
        for (size_t n = 0; n <= k->len; n++) {
            uint8_t *buf = exact_copy(k->data, n);
            pd_link_result r;
            pd_link_status st = pd_link_decode(k->linktype, buf, n, &r);
            assert_int_not_equal(st, PD_LINK_IP);
            assert_int_not_equal(st, PD_LINK_UNSUPPORTED);
            free(buf);
        }
    }
}

static void test_null_data(void **state)
{
    (void)state;
    pd_link_result r;
    assert_int_equal(pd_link_decode(1, NULL, 100, &r), PD_LINK_TRUNCATED);
    assert_int_equal(pd_link_decode(101, NULL, 0, &r), PD_LINK_TRUNCATED);
    assert_int_equal(pd_link_decode(1, eth_ip4, sizeof eth_ip4, NULL), PD_LINK_IP);
    assert_int_equal(pd_link_decode(0xffffffffu, eth_ip4, sizeof eth_ip4, &r), PD_LINK_UNSUPPORTED);
}

/* Up to eight stacked tags are crossed; the ninth makes the frame malformed.
 * A frame of nothing but tags must stop at the bound, not at the end. */
static void test_vlan_depth(void **state)
{
    (void)state;
    uint8_t frame[14 + 9 * 4 + IP4_LEN];
    static const uint8_t macs[] = { MACS };
    static const uint8_t ip4[] = { IP4 };
    for (unsigned depth = 0; depth <= 9; depth++) {
        size_t n = 0;
        memcpy(frame, macs, 12);
        n = 12;
        for (unsigned t = 0; t < depth; t++) {
            frame[n++] = t % 2 ? 0x81 : 0x88;
            frame[n++] = t % 2 ? 0x00 : 0xa8;
            frame[n++] = 0x00;
            frame[n++] = (uint8_t)(t + 1);
        }
        frame[n++] = 0x08;
        frame[n++] = 0x00;
        memcpy(frame + n, ip4, sizeof ip4);
        n += sizeof ip4;
        pd_link_result r;
        pd_link_status st = pd_link_decode(1, frame, n, &r);
        if (depth <= 8) {
            assert_int_equal(st, PD_LINK_IP);
            assert_int_equal(r.n_vlan, depth);
            assert_ptr_equal(r.net, frame + 14 + 4 * depth);
            if (depth >= 2) {
                assert_int_equal(r.vlan[0], 1);
                assert_int_equal(r.vlan[1], 2);
            }
        } else {
            assert_int_equal(st, PD_LINK_MALFORMED);
        }
    }

    /* 1000 tags and nothing else. */
    size_t big = 12 + 1000 * 4;
    uint8_t *tags = calloc(1, big);
    assert_non_null(tags);
    for (size_t off = 12; off < big; off += 4) {
        tags[off] = 0x81;
        tags[off + 1] = 0x00;
    }
    pd_link_result r;
    assert_int_equal(pd_link_decode(1, tags, big, &r), PD_LINK_MALFORMED);
    free(tags);
}

/* PPPoE LENGTH larger than the capture: hand on what is there. */
static void test_pppoe_length_beyond_capture(void **state)
{
    (void)state;
    static const uint8_t f[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x05, 0xdc, 0x00, 0x21, IP4 };
    pd_link_result r;
    assert_int_equal(pd_link_decode(1, f, sizeof f, &r), PD_LINK_IP);
    assert_int_equal(r.net_len, IP4_LEN);
    /* LENGTH 0: not even a PPP protocol field fits. */
    static const uint8_t z[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x21, IP4 };
    assert_int_equal(pd_link_decode(1, z, sizeof z, &r), PD_LINK_TRUNCATED);
    /* LENGTH 2: protocol only, no IP byte. */
    static const uint8_t two[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x21, IP4 };
    assert_int_equal(pd_link_decode(1, two, sizeof two, &r), PD_LINK_TRUNCATED);
}

static void test_linktype_names(void **state)
{
    (void)state;
    static const struct {
        uint32_t lt;
        const char *name;
    } names[] = {
        { 0, "BSD loopback" },   { 1, "Ethernet" },        { 9, "PPP" },
        { 12, "raw IP" },        { 14, "raw IP" },         { 50, "PPP in HDLC-like framing" },
        { 101, "raw IP" },       { 104, "Cisco HDLC" },    { 108, "OpenBSD loopback" },
        { 113, "Linux cooked v1" }, { 228, "raw IPv4" },  { 229, "raw IPv6" },
        { 276, "Linux cooked v2" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_true(pd_linktype_supported(names[i].lt));
        assert_string_equal(pd_linktype_name(names[i].lt), names[i].name);
    }
    static const uint32_t unsupported[] = { 2, 10, 105, 127, 147, 192, 0xffffffffu };
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        assert_false(pd_linktype_supported(unsupported[i]));
        assert_string_equal(pd_linktype_name(unsupported[i]), "unknown");
        pd_link_result r;
        assert_int_equal(pd_link_decode(unsupported[i], raw_ip4, sizeof raw_ip4, &r),
                         PD_LINK_UNSUPPORTED);
    }
}

/* Every supported link type decodes something: the list and the decoder agree. */
static void test_supported_means_decoded(void **state)
{
    (void)state;
    for (uint32_t lt = 0; lt < 300; lt++) {
        pd_link_result r;
        pd_link_status st = pd_link_decode(lt, eth_ip4, sizeof eth_ip4, &r);
        assert_int_equal(pd_linktype_supported(lt), st != PD_LINK_UNSUPPORTED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_truncation_non_ip),
        cmocka_unit_test(test_null_data),
        cmocka_unit_test(test_vlan_depth),
        cmocka_unit_test(test_pppoe_length_beyond_capture),
        cmocka_unit_test(test_linktype_names),
        cmocka_unit_test(test_supported_means_decoded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
