/* icmp.c - ICMP / ICMPv6 error messages and the packet they quote (RFC 792, RFC 4443).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "icmp.h"
#include "pcapdiag/cursor.h"

bool pd_icmp_error_decode(uint8_t version, const uint8_t *data, size_t len, pd_icmp_error *out)
{
    pd_cursor c = pd_cursor_make(data, len);
    uint8_t type, code;
    memset(out, 0, sizeof *out);
    /* type, code, checksum, 4 bytes unused/MTU/pointer, then the quoted packet */
    if (!pd_cursor_u8(&c, &type) || !pd_cursor_u8(&c, &code) || !pd_cursor_skip(&c, 6))
        return false;
    out->version = version;
    out->type = type;
    out->code = code;
    if (version == 4) {
        if (type != 3 && type != 11 && type != 12)
            return false;
        out->unreachable = type == 3;
    } else {
        if (type < 1 || type > 4) /* RFC 4443: 1..4 are the error messages */
            return false;
        out->unreachable = type == 1;
    }
    pd_cursor rest;
    if (!pd_cursor_sub(&c, pd_cursor_remaining(&c), &rest))
        return false;
    if (pd_ip_decode(pd_cursor_here(&rest), pd_cursor_remaining(&rest), &out->quoted) != PD_IP_OK)
        return false;
    /* Only the first 8 bytes of the quoted L4 header are promised (RFC 792). */
    if ((out->quoted.proto == 6 || out->quoted.proto == 17) && !out->quoted.is_fragment) {
        pd_cursor q = pd_cursor_make(out->quoted.payload, out->quoted.payload_len);
        if (pd_cursor_be16(&q, &out->quoted_sport) && pd_cursor_be16(&q, &out->quoted_dport))
            out->quoted_ports = true;
    }
    return true;
}

const char *pd_icmp_error_name(const pd_icmp_error *e)
{
    if (e->version == 4) {
        if (e->type == 11)
            return "time exceeded";
        if (e->type == 12)
            return "parameter problem";
        switch (e->code) {
        case 0: return "destination unreachable (network unreachable)";
        case 1: return "destination unreachable (host unreachable)";
        case 2: return "destination unreachable (protocol unreachable)";
        case 3: return "destination unreachable (port unreachable)";
        case 4: return "destination unreachable (fragmentation needed)";
        case 9: return "destination unreachable (network administratively prohibited)";
        case 10: return "destination unreachable (host administratively prohibited)";
        case 13: return "destination unreachable (communication administratively prohibited)";
        default: return "destination unreachable";
        }
    }
    switch (e->type) {
    case 1:
        switch (e->code) {
        case 0: return "destination unreachable (no route)";
        case 1: return "destination unreachable (administratively prohibited)";
        case 3: return "destination unreachable (address unreachable)";
        case 4: return "destination unreachable (port unreachable)";
        case 5: return "destination unreachable (source address failed policy)";
        case 6: return "destination unreachable (reject route)";
        default: return "destination unreachable";
        }
    case 2: return "packet too big";
    case 3: return "time exceeded";
    case 4: return "parameter problem";
    }
    return "error";
}
