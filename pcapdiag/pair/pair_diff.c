/* pair_diff.c - name what changed in a packet between two capture points,
 * field by field (RFC 791 / RFC 8200 IP, RFC 9293 TCP, RFC 768 UDP, RFC
 * 2637 enhanced GRE and PPTP control messages, RFC 1661 PPP and its control
 * protocols, RFC 2661 L2TP, RFC 2408 / RFC 7296 IKE headers and payload
 * chains, RFC 4303 ESP), and describe a packet in one ladder line.
 *
 * Checksums are never reported (they follow from the rest); TTL changes are
 * the hop count, handled by the caller. Addresses and ports are NAT changes;
 * call IDs come back for the caller to judge (NAT helper or mangling).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "gre.h"
#include "icmp.h"
#include "ike.h"
#include "ike_names.h"
#include "l2tp.h"
#include "pair_internal.h"
#include "pcapdiag/cursor.h"
#include "ppp.h"
#include "pptp.h"
#include "tcp.h"
#include "udp.h"

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_GRE 47
#define IPPROTO_NUM_ESP 50
#define IPPROTO_NUM_ICMPV6 58

/* Payload byte changes listed at most this many times per packet. */
#define MAX_PAYLOAD_CHANGES 3

void pd_pair_change_clear(pd_pair_change *c)
{
    if (!c)
        return;
    g_free(c->field);
    g_free(c->before);
    g_free(c->after);
    memset(c, 0, sizeof *c);
}

static void add_change(GArray *out, pd_pair_change_kind kind, pd_pair_field id, char *field,
                       char *before, char *after)
{
    pd_pair_change c = { kind, id, field, before, after };
    g_array_append_val(out, c);
}

static void add_num(GArray *out, pd_pair_change_kind kind, pd_pair_field id, const char *field,
                    uint64_t before, uint64_t after)
{
    add_change(out, kind, id, g_strdup(field), g_strdup_printf("%" G_GUINT64_FORMAT, before),
               g_strdup_printf("%" G_GUINT64_FORMAT, after));
}

/* ---- byte runs, read through cursors ----------------------------------------- */

/* First offset where the two runs differ within their common length, and
 * how many bytes differ there; false when the common part is equal. */
static bool first_diff(const uint8_t *x, size_t xl, const uint8_t *y, size_t yl, size_t *off,
                       size_t *count)
{
    pd_cursor cx = pd_cursor_make(x, xl), cy = pd_cursor_make(y, yl);
    size_t n = 0, first = 0;
    bool found = false;
    uint8_t a, b;
    for (size_t i = 0; pd_cursor_u8(&cx, &a) && pd_cursor_u8(&cy, &b); i++) {
        if (a == b)
            continue;
        if (!found)
            first = i;
        found = true;
        n++;
    }
    *off = first;
    *count = n;
    return found;
}

static bool byte_at(const uint8_t *p, size_t len, size_t off, uint8_t *out)
{
    pd_cursor c = pd_cursor_make(p, len);
    return pd_cursor_peek_u8(&c, off, out);
}

static bool be16_at(const uint8_t *p, size_t len, size_t off, uint16_t *out)
{
    pd_cursor c = pd_cursor_make(p, len);
    return pd_cursor_peek_be16(&c, off, out);
}

static bool be32_at(const uint8_t *p, size_t len, size_t off, uint32_t *out)
{
    pd_cursor c = pd_cursor_make(p, len);
    return pd_cursor_peek_be32(&c, off, out);
}

/* "TCP payload byte 12: 0x67 -> 0x93 (3 bytes differ)" as one change. */
static void add_byte_change(GArray *out, const char *what, const uint8_t *x, size_t xl,
                            const uint8_t *y, size_t yl, size_t off, size_t count)
{
    uint8_t a = 0, b = 0;
    byte_at(x, xl, off, &a);
    byte_at(y, yl, off, &b);
    char *field = count > 1 ? g_strdup_printf("%s byte %zu (%zu bytes differ)", what, off, count)
                            : g_strdup_printf("%s byte %zu", what, off);
    add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, field, g_strdup_printf("0x%02x", a),
               g_strdup_printf("0x%02x", b));
}

static void generic_payload_diff(GArray *out, const char *what, const uint8_t *x, size_t xl,
                                 const uint8_t *y, size_t yl)
{
    size_t off, count;
    if (first_diff(x, xl, y, yl, &off, &count))
        add_byte_change(out, what, x, xl, y, yl, off, count);
}

static char *hex_run(const uint8_t *p, size_t len, size_t max)
{
    GString *s = g_string_new(NULL);
    pd_cursor c = pd_cursor_make(p, len);
    uint8_t b;
    for (size_t i = 0; i < max && pd_cursor_u8(&c, &b); i++)
        g_string_append_printf(s, "%02x", b);
    if (pd_cursor_remaining(&c))
        g_string_append(s, "...");
    if (!s->len)
        g_string_append(s, "(none)");
    return g_string_free(s, FALSE);
}

/* ---- PPP (RFC 1661 section 5: Code, Identifier, Length, then data) ----------- */

static void ppp_diff(GArray *out, const char *carrier, const uint8_t *x, size_t xl, size_t xw,
                     const uint8_t *y, size_t yl, size_t yw)
{
    pd_ppp_frame fx, fy;
    pd_ppp_decode(x, xl, xw, &fx);
    pd_ppp_decode(y, yl, yw, &fy);
    if (fx.has_addrctl != fy.has_addrctl) {
        add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, g_strdup("PPP address/control"),
                   g_strdup(fx.has_addrctl ? "ff 03" : "absent"),
                   g_strdup(fy.has_addrctl ? "ff 03" : "absent"));
        return; /* everything after moved: one change says it */
    }
    if (fx.protocol != fy.protocol || fx.pfc != fy.pfc) {
        add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, g_strdup("PPP protocol"),
                   g_strdup_printf("0x%04x (%s)", fx.protocol, pd_ppp_protocol_name(fx.protocol)),
                   g_strdup_printf("0x%04x (%s)", fy.protocol, pd_ppp_protocol_name(fy.protocol)));
        return;
    }
    const char *pname = pd_ppp_protocol_name(fx.protocol);
    if (fx.kind == PD_PPP_KIND_CONTROL && fx.has_cp_header && fy.has_cp_header) {
        size_t before = out->len;
        if (fx.code != fy.code)
            add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, g_strdup_printf("%s Code", pname),
                       g_strdup_printf("%u (%s)", fx.code, pd_ppp_code_name(fx.protocol, fx.code)),
                       g_strdup_printf("%u (%s)", fy.code, pd_ppp_code_name(fy.protocol, fy.code)));
        if (fx.identifier != fy.identifier) {
            char *f = g_strdup_printf("%s Identifier", pname);
            add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, f, fx.identifier, fy.identifier);
            g_free(f);
        }
        if (fx.length != fy.length) {
            char *f = g_strdup_printf("%s Length", pname);
            add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, f, fx.length, fy.length);
            g_free(f);
        }
        /* The data after the 4-byte header, compared as captured (not as
         * Length says: a mangled Length must not hide the bytes). */
        const uint8_t *dx = NULL, *dy = NULL;
        pd_cursor cx = pd_cursor_make(fx.info.p, fx.info.len);
        pd_cursor cy = pd_cursor_make(fy.info.p, fy.info.len);
        size_t off, count;
        if (pd_cursor_skip(&cx, 4) && pd_cursor_skip(&cy, 4)) {
            size_t lx = pd_cursor_remaining(&cx), ly = pd_cursor_remaining(&cy);
            pd_cursor_bytes(&cx, lx, &dx);
            pd_cursor_bytes(&cy, ly, &dy);
            if (first_diff(dx, lx, dy, ly, &off, &count)) {
                /* In a Configure-* packet, name the option holding the byte. */
                bool named = false;
                if (fx.code >= PD_CP_CONF_REQ && fx.code <= PD_CP_CONF_REJ) {
                    pd_cursor oc = pd_cursor_make(dx, lx);
                    size_t pos = 0;
                    uint8_t type, olen;
                    while (pd_cursor_u8(&oc, &type) && pd_cursor_u8(&oc, &olen) && olen >= 2) {
                        if (off < pos + olen) {
                            pd_cursor vx = pd_cursor_make(dx, lx), vy = pd_cursor_make(dy, ly);
                            const uint8_t *px = NULL, *py = NULL;
                            size_t nx = MIN((size_t)olen, lx > pos ? lx - pos : 0);
                            size_t ny = MIN((size_t)olen, ly > pos ? ly - pos : 0);
                            if (pd_cursor_skip(&vx, pos) && pd_cursor_bytes(&vx, nx, &px) &&
                                pd_cursor_skip(&vy, pos) && pd_cursor_bytes(&vy, ny, &py)) {
                                add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER,
                                           g_strdup_printf("%s option %s", pname,
                                                           pd_ppp_option_name(fx.protocol, type)),
                                           hex_run(px, nx, 16), hex_run(py, ny, 16));
                                named = true;
                            }
                            break;
                        }
                        pos += olen;
                        if (!pd_cursor_skip(&oc, (size_t)olen - 2))
                            break;
                    }
                }
                if (!named) {
                    char *what = g_strdup_printf("%s data", pname);
                    add_byte_change(out, what, dx, lx, dy, ly, off, count);
                    g_free(what);
                }
            }
        }
        if (out->len > before)
            return;
    }
    char *what = g_strdup_printf("%s %s", carrier, pname);
    generic_payload_diff(out, what, fx.info.p, fx.info.len, fy.info.p, fy.info.len);
    g_free(what);
}

/* ---- PPTP control messages (RFC 2637 section 2) ----------------------------------- */

typedef struct pptp_field {
    uint8_t type;    /* control message type, 0: every type (the header) */
    uint8_t offset;  /* from the start of the message */
    uint8_t size;    /* 1, 2, 4 (numbers) or more (text, shown in hex) */
    bool call_id;    /* a Call ID a NAT helper translates */
    const char *name;
} pptp_field;

static const pptp_field pptp_fields[] = {
    { 0, 0, 2, false, "Length" },
    { 0, 2, 2, false, "PPTP Message Type" },
    { 0, 4, 4, false, "Magic Cookie" },
    { 0, 8, 2, false, "Control Message Type" },
    { 0, 10, 2, false, "Reserved0" },
    { 1, 12, 2, false, "Protocol Version" },
    { 1, 16, 4, false, "Framing Capabilities" },
    { 1, 20, 4, false, "Bearer Capabilities" },
    { 1, 24, 2, false, "Maximum Channels" },
    { 1, 26, 2, false, "Firmware Revision" },
    { 1, 28, 64, false, "Host Name" },
    { 1, 92, 64, false, "Vendor String" },
    { 2, 12, 2, false, "Protocol Version" },
    { 2, 14, 1, false, "Result Code" },
    { 2, 15, 1, false, "Error Code" },
    { 2, 16, 4, false, "Framing Capabilities" },
    { 2, 20, 4, false, "Bearer Capabilities" },
    { 2, 24, 2, false, "Maximum Channels" },
    { 2, 26, 2, false, "Firmware Revision" },
    { 2, 28, 64, false, "Host Name" },
    { 2, 92, 64, false, "Vendor String" },
    { 3, 12, 1, false, "Reason" },
    { 4, 12, 1, false, "Result Code" },
    { 4, 13, 1, false, "Error Code" },
    { 5, 12, 4, false, "Identifier" },
    { 6, 12, 4, false, "Identifier" },
    { 6, 16, 1, false, "Result Code" },
    { 6, 17, 1, false, "Error Code" },
    { 7, 12, 2, true, "Call ID" },
    { 7, 14, 2, false, "Call Serial Number" },
    { 7, 16, 4, false, "Minimum BPS" },
    { 7, 20, 4, false, "Maximum BPS" },
    { 7, 24, 4, false, "Bearer Type" },
    { 7, 28, 4, false, "Framing Type" },
    { 7, 32, 2, false, "Packet Recv. Window Size" },
    { 7, 34, 2, false, "Packet Processing Delay" },
    { 7, 36, 2, false, "Phone Number Length" },
    { 7, 40, 64, false, "Phone Number" },
    { 7, 104, 64, false, "Subaddress" },
    { 8, 12, 2, true, "Call ID" },
    { 8, 14, 2, true, "Peer's Call ID" },
    { 8, 16, 1, false, "Result Code" },
    { 8, 17, 1, false, "Error Code" },
    { 8, 18, 2, false, "Cause Code" },
    { 8, 20, 4, false, "Connect Speed" },
    { 8, 24, 2, false, "Packet Recv. Window Size" },
    { 8, 26, 2, false, "Packet Processing Delay" },
    { 8, 28, 4, false, "Physical Channel ID" },
    { 9, 12, 2, true, "Call ID" },
    { 9, 14, 2, false, "Call Serial Number" },
    { 10, 12, 2, true, "Call ID" },
    { 10, 14, 2, true, "Peer's Call ID" },
    { 10, 16, 1, false, "Result Code" },
    { 10, 17, 1, false, "Error Code" },
    { 11, 12, 2, true, "Peer's Call ID" },
    { 12, 12, 2, true, "Call ID" },
    { 13, 12, 2, true, "Call ID" },
    { 13, 14, 1, false, "Result Code" },
    { 13, 15, 1, false, "Error Code" },
    { 13, 16, 2, false, "Cause Code" },
    { 14, 12, 2, true, "Peer's Call ID" },
    { 15, 12, 2, true, "Peer's Call ID" },
    { 15, 16, 4, false, "Send ACCM" },
    { 15, 20, 4, false, "Receive ACCM" },
};

static char *field_value(const uint8_t *p, size_t len, size_t off, uint8_t size)
{
    uint8_t b8;
    uint16_t b16;
    uint32_t b32;
    switch (size) {
    case 1:
        if (byte_at(p, len, off, &b8))
            return g_strdup_printf("%u", b8);
        break;
    case 2:
        if (be16_at(p, len, off, &b16))
            return g_strdup_printf("%u", b16);
        break;
    case 4:
        if (be32_at(p, len, off, &b32))
            return g_strdup_printf("0x%08x", b32);
        break;
    default: {
        pd_cursor c = pd_cursor_make(p, len);
        const uint8_t *v;
        size_t n = MIN((size_t)size, len > off ? len - off : 0);
        if (pd_cursor_skip(&c, off) && pd_cursor_bytes(&c, n, &v))
            return hex_run(v, n, 16);
        break;
    }
    }
    return g_strdup("(not captured)");
}

/* The TCP payload of port 1723: walk the messages of the sent copy and name
 * the field holding the first changed byte. */
static void pptp_diff(GArray *out, const uint8_t *x, size_t xl, const uint8_t *y, size_t yl)
{
    size_t off, count;
    if (!first_diff(x, xl, y, yl, &off, &count))
        return;
    pd_cursor c = pd_cursor_make(x, xl);
    size_t start = 0;
    uint16_t mlen, ctype;
    uint32_t magic;
    /* Each message is at least its 12-byte header long: the walk ends. */
    while (pd_cursor_peek_be16(&c, 0, &mlen) && pd_cursor_peek_be32(&c, 4, &magic) &&
           pd_cursor_peek_be16(&c, 8, &ctype) && magic == PD_PPTP_MAGIC &&
           mlen >= PD_PPTP_HEADER_LEN) {
        if (off < start + mlen) {
            size_t rel = off - start;
            for (size_t i = 0; i < G_N_ELEMENTS(pptp_fields); i++) {
                const pptp_field *f = &pptp_fields[i];
                if ((f->type && f->type != ctype) || rel < f->offset || rel >= (size_t)f->offset + f->size)
                    continue;
                const uint8_t *mx = pd_cursor_here(&c);
                size_t mxl = pd_cursor_remaining(&c);
                pd_cursor cy = pd_cursor_make(y, yl);
                const uint8_t *my = NULL;
                size_t myl = 0;
                if (pd_cursor_skip(&cy, start)) {
                    my = pd_cursor_here(&cy);
                    myl = pd_cursor_remaining(&cy);
                }
                add_change(out, PD_PAIR_CHANGE_MANGLED,
                           f->call_id ? PD_PAIR_F_PPTP_CALL_ID : PD_PAIR_F_OTHER,
                           g_strdup_printf("PPTP %s %s", pd_pptp_msg_name(ctype), f->name),
                           field_value(mx, mxl, f->offset, f->size),
                           field_value(my, myl, f->offset, f->size));
                /* A NAT helper rewrites a call ID and nothing else: look
                 * for more changes after it. */
                if (f->call_id) {
                    size_t next = start + f->offset + f->size;
                    size_t off2, count2;
                    pd_cursor rx = pd_cursor_make(x, xl), ry = pd_cursor_make(y, yl);
                    if (pd_cursor_skip(&rx, next) && pd_cursor_skip(&ry, next) &&
                        first_diff(pd_cursor_here(&rx), pd_cursor_remaining(&rx),
                                   pd_cursor_here(&ry), pd_cursor_remaining(&ry), &off2, &count2)) {
                        if (out->len < 8)
                            pptp_diff(out, pd_cursor_here(&rx), pd_cursor_remaining(&rx),
                                      pd_cursor_here(&ry), pd_cursor_remaining(&ry));
                    }
                }
                return;
            }
            char *what = g_strdup_printf("PPTP %s", pd_pptp_msg_name(ctype));
            add_byte_change(out, what, x, xl, y, yl, off, count);
            g_free(what);
            return;
        }
        start += mlen;
        if (!pd_cursor_skip(&c, mlen))
            break;
    }
    add_byte_change(out, "TCP payload", x, xl, y, yl, off, count);
}

/* ---- IKE (RFC 2408 3.1, RFC 7296 3.1 header; generic payload headers) --------- */

static void ike_diff(GArray *out, const uint8_t *x, size_t xl, const uint8_t *y, size_t yl)
{
    size_t off, count;
    if (!first_diff(x, xl, y, yl, &off, &count))
        return;
    static const struct {
        uint8_t offset, size;
        const char *name;
    } hdr[] = {
        { 0, 8, "IKE initiator SPI" }, { 8, 8, "IKE responder SPI" }, { 16, 1, "IKE Next Payload" },
        { 17, 1, "IKE Version" },      { 18, 1, "IKE Exchange Type" }, { 19, 1, "IKE Flags" },
        { 20, 4, "IKE Message ID" },   { 24, 4, "IKE Length" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(hdr); i++) {
        if (off >= hdr[i].offset && off < (size_t)hdr[i].offset + hdr[i].size) {
            add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, g_strdup(hdr[i].name),
                       field_value(x, xl, hdr[i].offset, hdr[i].size == 8 ? 9 : hdr[i].size),
                       field_value(y, yl, hdr[i].offset, hdr[i].size == 8 ? 9 : hdr[i].size));
            return;
        }
    }
    /* Walk the generic payload headers (next, flags, length) of the sent copy. */
    uint8_t next = 0, version = 0;
    byte_at(x, xl, 16, &next);
    byte_at(x, xl, 17, &version);
    uint8_t major = version >> 4;
    pd_cursor c = pd_cursor_make(x, xl);
    size_t pos = 28;
    if (pd_cursor_skip(&c, 28)) {
        for (int guard = 0; guard < 64 && next != 0; guard++) {
            uint8_t nnext, flags;
            uint16_t plen;
            if (!pd_cursor_peek_u8(&c, 0, &nnext) || !pd_cursor_peek_u8(&c, 1, &flags) ||
                !pd_cursor_peek_be16(&c, 2, &plen) || plen < 4)
                break;
            if (off < pos + plen) {
                const char *name = pd_ike_payload_long_name(major, next);
                char *what = name ? g_strdup_printf("IKE %s payload", name)
                                  : g_strdup_printf("IKE payload %u", next);
                size_t rel = off - pos;
                char *field = count > 1 ? g_strdup_printf("%s byte %zu (%zu bytes differ)", what, rel, count)
                                        : g_strdup_printf("%s byte %zu", what, rel);
                uint8_t a = 0, b = 0;
                byte_at(x, xl, off, &a);
                byte_at(y, yl, off, &b);
                add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, field,
                           g_strdup_printf("0x%02x", a), g_strdup_printf("0x%02x", b));
                g_free(what);
                return;
            }
            pos += plen;
            next = nnext;
            if (!pd_cursor_skip(&c, plen))
                break;
        }
    }
    add_byte_change(out, "IKE message", x, xl, y, yl, off, count);
}

/* ---- L2TP (RFC 2661 section 3) -------------------------------------------------- */

static void l2tp_diff(GArray *out, const uint8_t *x, size_t xl, size_t xw, const uint8_t *y,
                      size_t yl, size_t yw)
{
    pd_l2tp_msg *mx = g_new0(pd_l2tp_msg, 1), *my = g_new0(pd_l2tp_msg, 1);
    pd_l2tp_decode(x, xl, xw, mx);
    pd_l2tp_decode(y, yl, yw, my);
    size_t before = out->len;
    if (mx->flags != my->flags)
        add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, g_strdup("L2TP flags"),
                   g_strdup_printf("0x%04x", mx->flags), g_strdup_printf("0x%04x", my->flags));
    if (mx->has_length && my->has_length && mx->length != my->length)
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "L2TP Length", mx->length, my->length);
    if (mx->tunnel_id != my->tunnel_id)
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "L2TP Tunnel ID", mx->tunnel_id,
                my->tunnel_id);
    if (mx->session_id != my->session_id)
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "L2TP Session ID", mx->session_id,
                my->session_id);
    if (mx->has_seq && my->has_seq && mx->ns != my->ns)
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "L2TP Ns", mx->ns, my->ns);
    if (mx->has_seq && my->has_seq && mx->nr != my->nr)
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "L2TP Nr", mx->nr, my->nr);
    if (out->len == before && mx->header_complete && my->header_complete) {
        if (!mx->is_control && mx->version == 2) {
            ppp_diff(out, "L2TP", mx->payload.p, mx->payload.len, mx->payload_wire_len,
                     my->payload.p, my->payload.len, my->payload_wire_len);
        } else {
            size_t off, count;
            if (first_diff(x, xl, y, yl, &off, &count)) {
                /* Name the AVP: each is M/H/Length(10) Vendor Type Value. */
                pd_cursor c = pd_cursor_make(x, xl);
                size_t pos = mx->header_len;
                bool named = false;
                if (pd_cursor_skip(&c, pos)) {
                    uint16_t w, vendor, type;
                    while (pd_cursor_peek_be16(&c, 0, &w) && pd_cursor_peek_be16(&c, 2, &vendor) &&
                           pd_cursor_peek_be16(&c, 4, &type)) {
                        size_t alen = w & PD_L2TP_AVP_LEN_MASK;
                        if (alen < PD_L2TP_AVP_HEADER_LEN)
                            break;
                        if (off < pos + alen) {
                            char *what = vendor ? g_strdup_printf("L2TP AVP %u/%u", vendor, type)
                                                : g_strdup_printf("L2TP AVP %s", pd_l2tp_avp_name(type));
                            add_byte_change(out, what, x, xl, y, yl, off, count);
                            g_free(what);
                            named = true;
                            break;
                        }
                        pos += alen;
                        if (!pd_cursor_skip(&c, alen))
                            break;
                    }
                }
                if (!named)
                    add_byte_change(out, "L2TP message", x, xl, y, yl, off, count);
            }
        }
    }
    g_free(mx);
    g_free(my);
}

/* ---- the IP packet ------------------------------------------------------------- */

static void addr_change(GArray *out, pd_pair_field id, const char *field, const pd_addr *a,
                        const pd_addr *b)
{
    char x[64], y[64];
    pd_addr_str(a, x, sizeof x);
    pd_addr_str(b, y, sizeof y);
    add_change(out, PD_PAIR_CHANGE_NAT, id, g_strdup(field), g_strdup(x), g_strdup(y));
}

static void ports_diff(GArray *out, uint16_t s1, uint16_t d1, uint16_t s2, uint16_t d2)
{
    if (s1 != s2)
        add_num(out, PD_PAIR_CHANGE_NAT, PD_PAIR_F_SRC_PORT, "source port", s1, s2);
    if (d1 != d2)
        add_num(out, PD_PAIR_CHANGE_NAT, PD_PAIR_F_DST_PORT, "destination port", d1, d2);
}

/* TCP header bytes 12.. (data offset, flags, window, urgent pointer,
 * options) apart from the checksum. MSS clamping is routine on PPPoE and
 * tunnel routers (RFC 4459 section 3.2): benign. */
static void tcp_header_diff(GArray *out, const pd_tcp_header *a, const pd_tcp_header *b,
                            const uint8_t *ra, size_t la, const uint8_t *rb, size_t lb)
{
    if (a->window != b->window)
        add_num(out, PD_PAIR_CHANGE_BENIGN, PD_PAIR_F_OTHER, "TCP window", a->window, b->window);
    if (a->header_len != b->header_len) {
        add_num(out, PD_PAIR_CHANGE_BENIGN, PD_PAIR_F_OTHER, "TCP header length", a->header_len,
                b->header_len);
        return;
    }
    uint16_t ua = 0, ub = 0;
    if (be16_at(ra, la, 18, &ua) && be16_at(rb, lb, 18, &ub) && ua != ub)
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "TCP urgent pointer", ua, ub);
    pd_cursor ca = pd_cursor_make(ra, la), cb = pd_cursor_make(rb, lb);
    const uint8_t *oa, *ob;
    size_t olen = a->header_len > 20 ? a->header_len - 20 : 0;
    if (olen && pd_cursor_skip(&ca, 20) && pd_cursor_skip(&cb, 20) && pd_cursor_bytes(&ca, olen, &oa) &&
        pd_cursor_bytes(&cb, olen, &ob)) {
        size_t off, count;
        if (first_diff(oa, olen, ob, olen, &off, &count)) {
            /* MSS is option kind 2, length 4 (RFC 9293 3.2). */
            pd_cursor oc = pd_cursor_make(oa, olen);
            uint8_t kind, len;
            bool named = false;
            size_t pos = 0;
            while (pd_cursor_u8(&oc, &kind)) {
                if (kind == 0)
                    break;
                if (kind == 1) {
                    pos++;
                    continue;
                }
                if (!pd_cursor_u8(&oc, &len) || len < 2)
                    break;
                if (kind == 2 && len == 4 && off >= pos && off < pos + 4) {
                    uint16_t ma = 0, mb = 0;
                    be16_at(oa, olen, pos + 2, &ma);
                    be16_at(ob, olen, pos + 2, &mb);
                    add_num(out, PD_PAIR_CHANGE_BENIGN, PD_PAIR_F_OTHER, "TCP MSS option", ma, mb);
                    named = true;
                    break;
                }
                pos += len;
                if (!pd_cursor_skip(&oc, (size_t)len - 2))
                    break;
            }
            if (!named)
                add_change(out, PD_PAIR_CHANGE_BENIGN, PD_PAIR_F_OTHER, g_strdup("TCP options"),
                           hex_run(oa, olen, 20), hex_run(ob, olen, 20));
        }
    }
}

static void gre_diff(GArray *out, const pd_ip *a, const pd_ip *b)
{
    pd_gre ga, gb;
    if (pd_gre_decode(a->payload, a->payload_len, a->payload_wire_len, &ga) != PD_GRE_OK ||
        pd_gre_decode(b->payload, b->payload_len, b->payload_wire_len, &gb) != PD_GRE_OK) {
        generic_payload_diff(out, "GRE packet", a->payload, a->payload_len, b->payload, b->payload_len);
        return;
    }
    size_t before = out->len;
    if (ga.version != gb.version || ga.c != gb.c || ga.r != gb.r || ga.k != gb.k || ga.s != gb.s ||
        ga.a != gb.a || ga.recur != gb.recur || ga.flags != gb.flags)
        add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, g_strdup("GRE flags and version"),
                   field_value(a->payload, a->payload_len, 0, 2), field_value(b->payload, b->payload_len, 0, 2));
    if (ga.protocol != gb.protocol)
        add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, g_strdup("GRE protocol type"),
                   g_strdup_printf("0x%04x", ga.protocol), g_strdup_printf("0x%04x", gb.protocol));
    if (out->len > before)
        return; /* the layout changed: field offsets no longer line up */
    if (ga.version == 1) {
        if (ga.payload_length != gb.payload_length)
            add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "GRE key payload length",
                    ga.payload_length, gb.payload_length);
        if (ga.call_id != gb.call_id)
            add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_GRE_CALL_ID, "GRE key call ID", ga.call_id,
                    gb.call_id);
    } else if (ga.has_key && gb.has_key && ga.key != gb.key) {
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "GRE key", ga.key, gb.key);
    }
    if (ga.has_seq && gb.has_seq && ga.seq != gb.seq)
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "GRE sequence number", ga.seq, gb.seq);
    if (ga.has_ack && gb.has_ack && ga.ack != gb.ack)
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "GRE acknowledgment number", ga.ack, gb.ack);
    if (ga.protocol == PD_GRE_PROTO_PPP && ga.payload_len && gb.payload_len)
        ppp_diff(out, "GRE", ga.payload, ga.payload_len, ga.payload_wire_len, gb.payload,
                 gb.payload_len, gb.payload_wire_len);
    else
        generic_payload_diff(out, "GRE payload", ga.payload, ga.payload_len, gb.payload, gb.payload_len);
}

static void udp_payload_diff(GArray *out, const pd_udp_header *a, const pd_udp_header *b)
{
    bool natt = a->sport == PD_IKE_NATT_PORT || a->dport == PD_IKE_NATT_PORT ||
                b->sport == PD_IKE_NATT_PORT || b->dport == PD_IKE_NATT_PORT;
    bool ike = natt || a->sport == PD_IKE_PORT || a->dport == PD_IKE_PORT;
    if (ike) {
        size_t oa = 0, ob = 0;
        pd_ike_udp_kind ka = pd_ike_udp_classify(a->payload, a->payload_len, natt, &oa);
        pd_ike_udp_kind kb = pd_ike_udp_classify(b->payload, b->payload_len, natt, &ob);
        if (ka == PD_IKE_UDP_IKE && kb == PD_IKE_UDP_IKE && oa <= a->payload_len && ob <= b->payload_len) {
            pd_cursor ca = pd_cursor_make(a->payload, a->payload_len);
            pd_cursor cb = pd_cursor_make(b->payload, b->payload_len);
            pd_cursor_skip(&ca, oa);
            pd_cursor_skip(&cb, ob);
            ike_diff(out, pd_cursor_here(&ca), pd_cursor_remaining(&ca), pd_cursor_here(&cb),
                     pd_cursor_remaining(&cb));
            return;
        }
        if (ka == PD_IKE_UDP_ESP && kb == PD_IKE_UDP_ESP) {
            generic_payload_diff(out, "ESP-in-UDP packet", a->payload, a->payload_len, b->payload,
                                 b->payload_len);
            return;
        }
    }
    if (a->sport == PD_L2TP_PORT || a->dport == PD_L2TP_PORT) {
        l2tp_diff(out, a->payload, a->payload_len, a->payload_wire_len, b->payload, b->payload_len,
                  b->payload_wire_len);
        return;
    }
    generic_payload_diff(out, "UDP payload", a->payload, a->payload_len, b->payload, b->payload_len);
}

void pd_pair_diff(const uint8_t *s, size_t s_len, const uint8_t *r, size_t r_len, GArray *out)
{
    pd_ip a, b;
    if (!s || !r || pd_ip_decode(s, s_len, &a) != PD_IP_OK || pd_ip_decode(r, r_len, &b) != PD_IP_OK)
        return;
    if (a.version != b.version) {
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "IP version", a.version, b.version);
        return;
    }
    if (!pd_addr_equal(&a.src, &b.src))
        addr_change(out, PD_PAIR_F_SRC_ADDR, "source address", &a.src, &b.src);
    if (!pd_addr_equal(&a.dst, &b.dst))
        addr_change(out, PD_PAIR_F_DST_ADDR, "destination address", &a.dst, &b.dst);
    if (a.version == 4 && a.ident != b.ident)
        add_change(out, PD_PAIR_CHANGE_BENIGN, PD_PAIR_F_OTHER, g_strdup("IP identification"),
                   g_strdup_printf("0x%04x", a.ident), g_strdup_printf("0x%04x", b.ident));
    if (a.dont_fragment != b.dont_fragment)
        add_change(out, PD_PAIR_CHANGE_BENIGN, PD_PAIR_F_OTHER, g_strdup("IP don't-fragment flag"),
                   g_strdup(a.dont_fragment ? "set" : "clear"), g_strdup(b.dont_fragment ? "set" : "clear"));
    if (a.payload_wire_len != b.payload_wire_len) {
        add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "IP payload length", a.payload_wire_len,
                b.payload_wire_len);
        return;
    }
    if (a.is_fragment || b.is_fragment) {
        if (a.frag_offset == 0 && (a.proto == IPPROTO_NUM_UDP || a.proto == IPPROTO_NUM_TCP)) {
            uint16_t s1 = 0, d1 = 0, s2 = 0, d2 = 0;
            be16_at(a.payload, a.payload_len, 0, &s1);
            be16_at(a.payload, a.payload_len, 2, &d1);
            be16_at(b.payload, b.payload_len, 0, &s2);
            be16_at(b.payload, b.payload_len, 2, &d2);
            ports_diff(out, s1, d1, s2, d2);
        }
        /* The first 8 bytes of a first fragment are ports and checksums. */
        pd_cursor ca = pd_cursor_make(a.payload, a.payload_len);
        pd_cursor cb = pd_cursor_make(b.payload, b.payload_len);
        size_t skip = a.frag_offset == 0 ? 8 : 0;
        if (pd_cursor_skip(&ca, skip) && pd_cursor_skip(&cb, skip))
            generic_payload_diff(out, "IP fragment payload", pd_cursor_here(&ca), pd_cursor_remaining(&ca),
                                 pd_cursor_here(&cb), pd_cursor_remaining(&cb));
        return;
    }
    switch (a.proto) {
    case IPPROTO_NUM_TCP: {
        pd_tcp_header ta, tb;
        if (!pd_tcp_decode(a.payload, a.payload_len, a.payload_wire_len, &ta) ||
            !pd_tcp_decode(b.payload, b.payload_len, b.payload_wire_len, &tb))
            break;
        ports_diff(out, ta.sport, ta.dport, tb.sport, tb.dport);
        tcp_header_diff(out, &ta, &tb, a.payload, a.payload_len, b.payload, b.payload_len);
        if (ta.sport == PD_PPTP_PORT || ta.dport == PD_PPTP_PORT)
            pptp_diff(out, ta.payload, ta.payload_len, tb.payload, tb.payload_len);
        else
            generic_payload_diff(out, "TCP payload", ta.payload, ta.payload_len, tb.payload, tb.payload_len);
        return;
    }
    case IPPROTO_NUM_UDP: {
        pd_udp_header ua, ub;
        if (!pd_udp_decode(a.payload, a.payload_len, a.payload_wire_len, &ua) ||
            !pd_udp_decode(b.payload, b.payload_len, b.payload_wire_len, &ub))
            break;
        ports_diff(out, ua.sport, ua.dport, ub.sport, ub.dport);
        if (ua.length != ub.length) {
            add_num(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_OTHER, "UDP length", ua.length, ub.length);
            return;
        }
        udp_payload_diff(out, &ua, &ub);
        return;
    }
    case IPPROTO_NUM_GRE:
        gre_diff(out, &a, &b);
        return;
    case IPPROTO_NUM_ESP:
        generic_payload_diff(out, "ESP packet", a.payload, a.payload_len, b.payload, b.payload_len);
        return;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6: {
        /* Type and code are the identity; the checksum follows; what is
         * left is the quoted packet, which a NAT rewrites along with the
         * packet it quotes (RFC 5508 section 6). */
        pd_cursor ca = pd_cursor_make(a.payload, a.payload_len);
        pd_cursor cb = pd_cursor_make(b.payload, b.payload_len);
        size_t off, count;
        if (pd_cursor_skip(&ca, 4) && pd_cursor_skip(&cb, 4) &&
            first_diff(pd_cursor_here(&ca), pd_cursor_remaining(&ca), pd_cursor_here(&cb),
                       pd_cursor_remaining(&cb), &off, &count))
            add_change(out, PD_PAIR_CHANGE_MANGLED, PD_PAIR_F_ICMP_QUOTED,
                       g_strdup_printf("ICMP quoted packet (%zu bytes differ)", count),
                       hex_run(pd_cursor_here(&ca), pd_cursor_remaining(&ca), 8),
                       hex_run(pd_cursor_here(&cb), pd_cursor_remaining(&cb), 8));
        return;
    }
    default:
        break;
    }
    if (out->len < MAX_PAYLOAD_CHANGES)
        generic_payload_diff(out, "IP payload", a.payload, a.payload_len, b.payload, b.payload_len);
}

/* ---- one ladder line ------------------------------------------------------------- */

static const char *tcp_flags_text(uint8_t f)
{
    if (f & PD_TCP_RST)
        return f & PD_TCP_ACK ? "TCP RST/ACK" : "TCP RST";
    if ((f & PD_TCP_SYN) && (f & PD_TCP_ACK))
        return "TCP SYN/ACK";
    if (f & PD_TCP_SYN)
        return "TCP SYN";
    if (f & PD_TCP_FIN)
        return f & PD_TCP_ACK ? "TCP FIN/ACK" : "TCP FIN";
    return "TCP ACK";
}

static char *describe_ike(const uint8_t *p, size_t len)
{
    pd_ike_header h;
    pd_ike_status st = pd_ike_header_decode(p, len, len, &h);
    if (st != PD_IKE_OK && st != PD_IKE_TRUNCATED && st != PD_IKE_BAD_LENGTH)
        return g_strdup("IKE (header cut short)");
    if (len < 28)
        return g_strdup("IKE (header cut short)");
    const char *ex = pd_ike_exchange_name(h.major == 1 ? 1 : 2, h.exchange);
    char exbuf[32];
    if (!ex) {
        g_snprintf(exbuf, sizeof exbuf, "exchange %u", h.exchange);
        ex = exbuf;
    }
    if (h.major == 2)
        return g_strdup_printf("%s %s %" G_GUINT32_FORMAT, ex,
                               (h.flags & PD_IKEV2_FLAG_RESPONSE) ? "response" : "request",
                               h.message_id);
    return g_strdup_printf("IKEv1 %s%s", ex, (h.flags & PD_IKEV1_FLAG_ENCRYPTED) ? " (encrypted)" : "");
}

static char *describe_udp(const pd_udp_header *u, bool first_fragment)
{
    bool natt = u->sport == PD_IKE_NATT_PORT || u->dport == PD_IKE_NATT_PORT;
    if (natt || u->sport == PD_IKE_PORT || u->dport == PD_IKE_PORT) {
        size_t off = 0;
        switch (pd_ike_udp_classify(u->payload, u->payload_len, natt, &off)) {
        case PD_IKE_UDP_IKE: {
            pd_cursor c = pd_cursor_make(u->payload, u->payload_len);
            if (!pd_cursor_skip(&c, off))
                break;
            char *ike = describe_ike(pd_cursor_here(&c), pd_cursor_remaining(&c));
            if (natt) {
                char *s = g_strdup_printf("%s (UDP 4500)", ike);
                g_free(ike);
                return s;
            }
            return ike;
        }
        case PD_IKE_UDP_ESP: {
            uint32_t spi = 0;
            be32_at(u->payload, u->payload_len, 0, &spi);
            return g_strdup_printf("ESP in UDP, SPI 0x%08x", spi);
        }
        case PD_IKE_UDP_KEEPALIVE:
            return g_strdup("NAT-T keepalive");
        case PD_IKE_UDP_OTHER:
            break;
        }
    }
    if (!first_fragment && (u->sport == PD_L2TP_PORT || u->dport == PD_L2TP_PORT)) {
        pd_l2tp_msg *m = g_new0(pd_l2tp_msg, 1);
        char buf[256] = "";
        pd_l2tp_decode(u->payload, u->payload_len, u->payload_wire_len, m);
        if (m->header_complete && !m->is_control && m->version == 2 && m->payload.len) {
            pd_ppp_frame f;
            pd_ppp_decode(m->payload.p, m->payload.len, m->payload_wire_len, &f);
            pd_ppp_describe(&f, buf, sizeof buf, PD_PPP_DESCRIBE_STABLE);
        } else {
            pd_l2tp_describe(m, buf, sizeof buf, 0);
        }
        g_free(m);
        return g_strdup(buf);
    }
    return g_strdup_printf("UDP %u -> %u, %zu bytes", u->sport, u->dport, u->payload_wire_len);
}

char *pd_pair_describe(const uint8_t *data, size_t len)
{
    pd_ip ip;
    if (!data || pd_ip_decode(data, len, &ip) != PD_IP_OK)
        return g_strdup("(packet not kept)");
    if (ip.is_fragment) {
        char *inner = NULL;
        if (ip.frag_offset == 0 && ip.proto == IPPROTO_NUM_UDP) {
            /* The first fragment carries the UDP header: trust only the
             * ports and what lies in the captured bytes. */
            pd_udp_header u;
            if (pd_udp_decode(ip.payload, ip.payload_len, ip.payload_len, &u))
                inner = describe_udp(&u, true);
        }
        char *s = g_strdup_printf("%s%sIP fragment, offset %" G_GUINT32_FORMAT "%s", inner ? inner : "",
                                  inner ? " [" : "", ip.frag_offset,
                                  ip.more_fragments ? (inner ? "]" : "") : (inner ? ", last]" : ", last"));
        g_free(inner);
        return s;
    }
    switch (ip.proto) {
    case IPPROTO_NUM_TCP: {
        pd_tcp_header t;
        if (!pd_tcp_decode(ip.payload, ip.payload_len, ip.payload_wire_len, &t))
            break;
        if (t.payload_wire_len == 0)
            return g_strdup(tcp_flags_text(t.flags));
        if (t.sport == PD_PPTP_PORT || t.dport == PD_PPTP_PORT) {
            pd_cursor c = pd_cursor_make(t.payload, t.payload_len);
            uint16_t mlen;
            GString *s = g_string_new(NULL);
            unsigned n = 0;
            /* Messages share segments: describe the first, count the rest. */
            while (pd_cursor_peek_be16(&c, 0, &mlen) && mlen >= PD_PPTP_HEADER_LEN &&
                   pd_cursor_remaining(&c) >= mlen) {
                if (n == 0) {
                    pd_pptp_msg m;
                    char buf[200];
                    if (pd_pptp_decode(pd_cursor_here(&c), mlen, &m) != PD_PPTP_OK &&
                        m.status != PD_PPTP_BAD_LENGTH)
                        break;
                    pd_pptp_describe(&m, buf, sizeof buf);
                    g_string_append(s, buf);
                }
                n++;
                pd_cursor_skip(&c, mlen);
            }
            if (n > 1)
                g_string_append_printf(s, " (+%u more)", n - 1);
            if (n)
                return g_string_free(s, FALSE);
            g_string_free(s, TRUE);
        }
        return g_strdup_printf("TCP data, %zu bytes", t.payload_wire_len);
    }
    case IPPROTO_NUM_UDP: {
        pd_udp_header u;
        if (!pd_udp_decode(ip.payload, ip.payload_len, ip.payload_wire_len, &u))
            break;
        return describe_udp(&u, false);
    }
    case IPPROTO_NUM_GRE: {
        pd_gre g;
        if (pd_gre_decode(ip.payload, ip.payload_len, ip.payload_wire_len, &g) != PD_GRE_OK)
            break;
        if (g.version == 1 && g.protocol == PD_GRE_PROTO_PPP && g.payload_wire_len) {
            pd_ppp_frame f;
            char buf[256];
            pd_ppp_decode(g.payload, g.payload_len, g.payload_wire_len, &f);
            pd_ppp_describe(&f, buf, sizeof buf, PD_PPP_DESCRIBE_STABLE);
            return g_strdup(buf);
        }
        if (!g.payload_wire_len && g.has_ack)
            return g_strdup("GRE acknowledgment");
        return g_strdup_printf("GRE protocol 0x%04x, %zu bytes", g.protocol, g.payload_wire_len);
    }
    case IPPROTO_NUM_ESP: {
        uint32_t spi = 0;
        be32_at(ip.payload, ip.payload_len, 0, &spi);
        return g_strdup_printf("ESP, SPI 0x%08x", spi);
    }
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6: {
        pd_icmp_error e;
        if (pd_icmp_error_decode(ip.version, ip.payload, ip.payload_len, &e)) {
            /* Time exceeded says which timer (RFC 792): a TTL on the way, or
             * the receiver's reassembly of fragments that never all came. */
            const char *detail = "";
            if ((ip.version == 4 && e.type == 11) || (ip.version == 6 && e.type == 3))
                detail = e.code == 1 ? " (fragment reassembly time exceeded)" : " (TTL exceeded in transit)";
            return g_strdup_printf("ICMP%s %s%s", ip.version == 6 ? "v6" : "", pd_icmp_error_name(&e), detail);
        }
        uint8_t type = 0, code = 0;
        byte_at(ip.payload, ip.payload_len, 0, &type);
        byte_at(ip.payload, ip.payload_len, 1, &code);
        return g_strdup_printf("ICMP%s type %u code %u", ip.version == 6 ? "v6" : "", type, code);
    }
    default:
        break;
    }
    return g_strdup_printf("IP protocol %u, %zu bytes", ip.proto, ip.payload_wire_len);
}
