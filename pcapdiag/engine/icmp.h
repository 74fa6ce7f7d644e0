/* icmp.h - ICMP (RFC 792) and ICMPv6 (RFC 4443) error messages, with the
 * packet they quote, so an "unreachable" can be tied to the flow it answers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_ICMP_H
#define PD_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include "ip.h"

typedef struct pd_icmp_error {
    uint8_t version; /* 4: ICMP, 6: ICMPv6 */
    uint8_t type, code;
    bool unreachable; /* destination unreachable (v4 type 3, v6 type 1) */
    pd_ip quoted;     /* the quoted IP header; quoted.payload holds what was quoted of L4 */
    uint16_t quoted_sport, quoted_dport; /* for quoted TCP/UDP, when present */
    bool quoted_ports;
} pd_icmp_error;

/* data/len: the ICMP message (IP payload). False unless it is an error
 * message that quotes a decodable IP header. */
bool pd_icmp_error_decode(uint8_t version, const uint8_t *data, size_t len, pd_icmp_error *out);
/* "destination unreachable (communication administratively prohibited)" */
const char *pd_icmp_error_name(const pd_icmp_error *e);

#endif
