/* udp.c - the UDP header (RFC 768).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "pcapdiag/cursor.h"
#include "udp.h"

bool pd_udp_decode(const uint8_t *data, size_t len, size_t wire_len, pd_udp_header *out)
{
    pd_cursor c = pd_cursor_make(data, len);
    memset(out, 0, sizeof *out);
    if (!pd_cursor_be16(&c, &out->sport) || !pd_cursor_be16(&c, &out->dport) ||
        !pd_cursor_be16(&c, &out->length) || !pd_cursor_skip(&c, 2))
        return false;
    if (out->length < 8)
        return false;
    /* Trust the smaller of UDP Length and the IP payload: a Length beyond the
     * IP payload is a lie (seen in fuzzed and mangled captures). */
    size_t wire = wire_len >= 8 ? wire_len - 8 : 0;
    if ((size_t)out->length - 8 < wire)
        wire = (size_t)out->length - 8;
    out->payload_wire_len = wire;
    out->payload = pd_cursor_here(&c);
    out->payload_len = pd_cursor_remaining(&c) < wire ? pd_cursor_remaining(&c) : wire;
    return true;
}
