/* l2tp.c - L2TP message decoder: L2TPv2 (RFC 2661) in full, L2TPv3
 * (RFC 3931) over IP 115 and UDP recognised; names and ladder lines.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "l2tp.h"
#include "pcapdiag/cursor.h"

/* ---- reading with two limits --------------------------------------------- */

/* Captured bytes may end before the message does (a snaplen cut: not
 * damage), and the message may claim more than the datagram holds (damage).
 * The reader keeps both ends: the cursor holds the captured bytes of the
 * message, wire_end where the message ends on the wire. */
typedef struct dec {
    pd_l2tp_msg *m;
    const uint8_t *data;
    size_t caplen;
    pd_cursor c;
    size_t wire_end;
    bool length_limited; /* wire_end comes from a Length field */
    bool cut;            /* the capture ended before the message did */
} dec;

static void dec_limit(dec *d, size_t end)
{
    size_t pos = d->c.pos;
    d->wire_end = end;
    d->c = pd_cursor_make(d->data, d->caplen < end ? d->caplen : end);
    pd_cursor_skip(&d->c, pos);
}

/* Can n header bytes be read here? If not, say why: the message ends (on
 * the wire) inside its header, or only the capture does. */
static bool dec_need(dec *d, size_t n)
{
    if (pd_cursor_remaining(&d->c) >= n)
        return true;
    if (d->c.pos + n > d->wire_end)
        d->m->anomalies |= d->length_limited ? PD_L2TP_ANOM_LENGTH_SHORT
                                             : PD_L2TP_ANOM_HEADER_SHORT;
    else
        d->cut = true;
    return false;
}

static bool dec_be16(dec *d, uint16_t *v)
{
    return dec_need(d, 2) && pd_cursor_be16(&d->c, v);
}

static bool dec_be32(dec *d, uint32_t *v)
{
    return dec_need(d, 4) && pd_cursor_be32(&d->c, v);
}

static pd_l2tp_status dec_finish(dec *d)
{
    pd_l2tp_msg *m = d->m;
    if (m->anomalies & PD_L2TP_ANOM_MALFORMED_MASK)
        m->status = PD_L2TP_MALFORMED;
    else if (d->cut)
        m->status = PD_L2TP_TRUNCATED;
    else
        m->status = PD_L2TP_OK;
    return m->status;
}

/* ---- AVPs ----------------------------------------------------------------- */

static void bit_set(uint8_t *bits, uint16_t type)
{
    if (type < 128)
        bits[type / 8] |= (uint8_t)(1u << (type % 8));
}

static bool bit_get(const uint8_t *bits, uint16_t type)
{
    return type < 128 && (bits[type / 8] & (1u << (type % 8)));
}

bool pd_l2tp_has(const pd_l2tp_msg *m, uint16_t type)
{
    return bit_get(m->present, type);
}

bool pd_l2tp_is_hidden(const pd_l2tp_msg *m, uint16_t type)
{
    return bit_get(m->hidden, type);
}

/* Fixed value sizes of the IETF attributes with one (RFC 2661 section 4.4,
 * RFC 3145, RFC 3931 section 5.4); -1 variable, -2 unknown attribute. */
static int avp_fixed_size(uint16_t type)
{
    switch (type) {
    case PD_L2TP_AVP_MESSAGE_TYPE:
    case PD_L2TP_AVP_PROTOCOL_VERSION:
    case PD_L2TP_AVP_FIRMWARE:
    case PD_L2TP_AVP_ASSIGNED_TUNNEL:
    case PD_L2TP_AVP_RECEIVE_WINDOW:
    case PD_L2TP_AVP_ASSIGNED_SESSION:
    case PD_L2TP_AVP_PROXY_AUTHEN_TYPE:
    case PD_L2TP_AVP_PROXY_AUTHEN_ID:
    case PD_L2TP_AVP_PSEUDOWIRE_TYPE:
        return 2;
    case PD_L2TP_AVP_FRAMING_CAPS:
    case PD_L2TP_AVP_BEARER_CAPS:
    case PD_L2TP_AVP_CALL_SERIAL:
    case PD_L2TP_AVP_MIN_BPS:
    case PD_L2TP_AVP_MAX_BPS:
    case PD_L2TP_AVP_BEARER_TYPE:
    case PD_L2TP_AVP_FRAMING_TYPE:
    case PD_L2TP_AVP_TX_CONNECT_SPEED:
    case PD_L2TP_AVP_PHYSICAL_CHANNEL:
    case PD_L2TP_AVP_RX_CONNECT_SPEED:
    case PD_L2TP_AVP_ASSIGNED_CONN_ID:
    case PD_L2TP_AVP_LOCAL_SESSION_ID:
    case PD_L2TP_AVP_REMOTE_SESSION_ID:
        return 4;
    case PD_L2TP_AVP_TIE_BREAKER:
        return 8;
    case PD_L2TP_AVP_CHALLENGE_RESPONSE:
        return 16;
    case PD_L2TP_AVP_CALL_ERRORS:
        return 26; /* reserved 2 + six 32-bit counters */
    case PD_L2TP_AVP_ACCM:
        return 10; /* reserved 2 + send ACCM + receive ACCM */
    case PD_L2TP_AVP_SEQUENCING_REQUIRED:
        return 0;
    default:
        return strcmp(pd_l2tp_avp_name(type), "Unknown") == 0 ? -2 : -1;
    }
}

/* Minimum sizes of the variable ones. */
static size_t avp_min_size(uint16_t type)
{
    switch (type) {
    case PD_L2TP_AVP_RESULT_CODE: return 2;
    case PD_L2TP_AVP_HOST_NAME: return 1; /* "at least one octet" (section 4.4.3) */
    case PD_L2TP_AVP_CHALLENGE: return 1;
    case PD_L2TP_AVP_Q931_CAUSE: return 3;
    case PD_L2TP_AVP_PPP_DISCONNECT_CAUSE: return 5;
    default: return 0;
    }
}

/* Interpret one complete, visible IETF AVP value. False when its size is
 * wrong for the attribute. */
static bool avp_interpret(pd_l2tp_msg *m, uint16_t type, const pd_l2tp_bytes *val)
{
    int fixed = avp_fixed_size(type);
    if (fixed == -2)
        return true; /* unknown: listed, not interpreted */
    if (fixed >= 0 && val->len != (size_t)fixed)
        return false;
    if (fixed == -1 && val->len < avp_min_size(type))
        return false;
    /* Result Code: 2 bytes, or 4 and more with the Error Code (section 4.4.2). */
    if (type == PD_L2TP_AVP_RESULT_CODE && val->len == 3)
        return false;

    pd_cursor c = pd_cursor_make(val->p, val->len);
    pd_l2tp_values *v = &m->v;
    uint16_t u16 = 0;
    switch (type) {
    case PD_L2TP_AVP_MESSAGE_TYPE:
        pd_cursor_be16(&c, &u16);
        /* Only the first Message Type counts (it must lead the message). */
        if (!m->has_msg_type) {
            m->has_msg_type = true;
            m->msg_type = u16;
        }
        break;
    case PD_L2TP_AVP_RESULT_CODE:
        pd_cursor_be16(&c, &v->result_code);
        if (pd_cursor_be16(&c, &v->error_code)) {
            v->has_error_code = true;
            v->error_message.p = pd_cursor_here(&c);
            v->error_message.len = pd_cursor_remaining(&c);
        }
        break;
    case PD_L2TP_AVP_PROTOCOL_VERSION:
        pd_cursor_u8(&c, &v->protocol_version);
        pd_cursor_u8(&c, &v->protocol_revision);
        break;
    case PD_L2TP_AVP_FRAMING_CAPS: pd_cursor_be32(&c, &v->framing_caps); break;
    case PD_L2TP_AVP_BEARER_CAPS: pd_cursor_be32(&c, &v->bearer_caps); break;
    case PD_L2TP_AVP_TIE_BREAKER: pd_cursor_be64(&c, &v->tie_breaker); break;
    case PD_L2TP_AVP_FIRMWARE: pd_cursor_be16(&c, &v->firmware); break;
    case PD_L2TP_AVP_HOST_NAME: v->host_name = *val; break;
    case PD_L2TP_AVP_VENDOR_NAME: v->vendor_name = *val; break;
    case PD_L2TP_AVP_ASSIGNED_TUNNEL: pd_cursor_be16(&c, &v->assigned_tunnel); break;
    case PD_L2TP_AVP_RECEIVE_WINDOW: pd_cursor_be16(&c, &v->receive_window); break;
    case PD_L2TP_AVP_CHALLENGE: v->challenge_len = val->len; break;
    case PD_L2TP_AVP_Q931_CAUSE:
        pd_cursor_be16(&c, &v->q931_cause);
        pd_cursor_u8(&c, &v->q931_msg);
        v->q931_advisory.p = pd_cursor_here(&c);
        v->q931_advisory.len = pd_cursor_remaining(&c);
        break;
    case PD_L2TP_AVP_ASSIGNED_SESSION: pd_cursor_be16(&c, &v->assigned_session); break;
    case PD_L2TP_AVP_CALL_SERIAL: pd_cursor_be32(&c, &v->call_serial); break;
    case PD_L2TP_AVP_MIN_BPS: pd_cursor_be32(&c, &v->min_bps); break;
    case PD_L2TP_AVP_MAX_BPS: pd_cursor_be32(&c, &v->max_bps); break;
    case PD_L2TP_AVP_BEARER_TYPE: pd_cursor_be32(&c, &v->bearer_type); break;
    case PD_L2TP_AVP_FRAMING_TYPE: pd_cursor_be32(&c, &v->framing_type); break;
    case PD_L2TP_AVP_CALLED_NUMBER: v->called_number = *val; break;
    case PD_L2TP_AVP_CALLING_NUMBER: v->calling_number = *val; break;
    case PD_L2TP_AVP_SUB_ADDRESS: v->sub_address = *val; break;
    case PD_L2TP_AVP_TX_CONNECT_SPEED: pd_cursor_be32(&c, &v->tx_connect_speed); break;
    case PD_L2TP_AVP_PHYSICAL_CHANNEL: pd_cursor_be32(&c, &v->physical_channel); break;
    case PD_L2TP_AVP_PROXY_AUTHEN_TYPE: pd_cursor_be16(&c, &v->proxy_authen_type); break;
    case PD_L2TP_AVP_PROXY_AUTHEN_NAME: v->proxy_authen_name = *val; break;
    case PD_L2TP_AVP_RX_CONNECT_SPEED: pd_cursor_be32(&c, &v->rx_connect_speed); break;
    case PD_L2TP_AVP_PPP_DISCONNECT_CAUSE:
        pd_cursor_be16(&c, &v->ppp_disc_code);
        pd_cursor_be16(&c, &v->ppp_disc_protocol);
        pd_cursor_u8(&c, &v->ppp_disc_direction);
        v->ppp_disc_message.p = pd_cursor_here(&c);
        v->ppp_disc_message.len = pd_cursor_remaining(&c);
        break;
    case PD_L2TP_AVP_ASSIGNED_CONN_ID: pd_cursor_be32(&c, &v->assigned_conn_id); break;
    case PD_L2TP_AVP_LOCAL_SESSION_ID: pd_cursor_be32(&c, &v->local_session_id); break;
    case PD_L2TP_AVP_REMOTE_SESSION_ID: pd_cursor_be32(&c, &v->remote_session_id); break;
    case PD_L2TP_AVP_PSEUDOWIRE_TYPE: pd_cursor_be16(&c, &v->pseudowire_type); break;
    default:
        break;
    }
    return true;
}

/* Walk the AVPs from the cursor's position to wire_end. Every step moves
 * by at least the 6-byte AVP header, so the loop ends on any input. */
static void walk_avps(dec *d)
{
    pd_l2tp_msg *m = d->m;
    bool first = true;
    while (d->c.pos < d->wire_end) {
        size_t at = d->c.pos;
        if (d->wire_end - at < PD_L2TP_AVP_HEADER_LEN) {
            m->anomalies |= PD_L2TP_ANOM_AVP_OVERRUN; /* a partial AVP header */
            return;
        }
        uint16_t fl, vendor, type;
        if (!pd_cursor_be16(&d->c, &fl) || !pd_cursor_be16(&d->c, &vendor) ||
            !pd_cursor_be16(&d->c, &type)) {
            d->cut = true;
            return;
        }
        uint16_t alen = fl & PD_L2TP_AVP_LEN_MASK;
        if (alen < PD_L2TP_AVP_HEADER_LEN) {
            /* Length 0..5 cannot even cover its own header: there is no
             * next AVP to find. */
            m->anomalies |= PD_L2TP_ANOM_AVP_SHORT;
            return;
        }
        if ((size_t)alen > d->wire_end - at) {
            m->anomalies |= PD_L2TP_ANOM_AVP_OVERRUN;
            return;
        }
        if (fl & PD_L2TP_AVP_RESERVED)
            m->anomalies |= PD_L2TP_ANOM_AVP_RESERVED;
        size_t vlen = (size_t)alen - PD_L2TP_AVP_HEADER_LEN;
        size_t have = pd_cursor_remaining(&d->c);
        pd_l2tp_avp a = {
            .mandatory = (fl & PD_L2TP_AVP_M) != 0,
            .hidden = (fl & PD_L2TP_AVP_H) != 0,
            .length = alen,
            .vendor = vendor,
            .type = type,
        };
        a.value.p = pd_cursor_here(&d->c);
        a.value.len = have < vlen ? have : vlen;
        bool complete = have >= vlen;

        m->avp_count++;
        if (m->n_avps < PD_L2TP_MAX_AVPS)
            m->avps[m->n_avps++] = a;
        else
            m->avps_overflow = true;

        /* RFC 2661 section 4.1: the Message Type AVP comes first. */
        if (first && (vendor != 0 || type != PD_L2TP_AVP_MESSAGE_TYPE))
            m->anomalies |= PD_L2TP_ANOM_NO_MSG_TYPE;
        first = false;

        if (vendor != 0) {
            m->vendor_avps++;
        } else if (a.hidden) {
            m->hidden_avps++;
            bit_set(m->hidden, type);
            if (type == PD_L2TP_AVP_MESSAGE_TYPE)
                m->anomalies |= PD_L2TP_ANOM_MSG_TYPE_HIDDEN;
        } else if (complete) {
            if (avp_fixed_size(type) == -2) {
                if (a.mandatory)
                    m->unknown_mandatory++;
            } else if (avp_interpret(m, type, &a.value)) {
                bit_set(m->present, type);
            } else {
                m->anomalies |= PD_L2TP_ANOM_AVP_BAD_SIZE;
            }
        }
        if (!complete) {
            d->cut = true;
            return;
        }
        pd_cursor_skip(&d->c, vlen);
    }
    m->avps_complete = true;
}

static bool msg_type_known(uint16_t type, uint8_t version)
{
    if (version == 3 && type == PD_L2TP_ACK)
        return true;
    return type >= PD_L2TP_SCCRQ && type <= PD_L2TP_SLI && type != 5 && type != 13;
}

/* A control message body: a ZLB, or AVPs led by the Message Type. */
static void control_body(dec *d)
{
    pd_l2tp_msg *m = d->m;
    if (d->c.pos >= d->wire_end) {
        m->zlb = true;
        m->avps_complete = true;
        return;
    }
    walk_avps(d);
    if (m->has_msg_type && !msg_type_known(m->msg_type, m->version))
        m->anomalies |= PD_L2TP_ANOM_UNKNOWN_TYPE;
}

static void data_body(dec *d)
{
    pd_l2tp_msg *m = d->m;
    m->payload.p = pd_cursor_here(&d->c);
    m->payload.len = pd_cursor_remaining(&d->c);
    m->payload_wire_len = d->wire_end - d->c.pos;
    if (m->payload.len < m->payload_wire_len)
        d->cut = true;
}

/* Apply a Length field counted from `base`: the message ends there, unless
 * the datagram is shorter (damage) or longer (trailing bytes). */
static void apply_length(dec *d, size_t base, uint16_t length)
{
    pd_l2tp_msg *m = d->m;
    size_t end = base + length;
    if (end > d->wire_end) {
        m->anomalies |= PD_L2TP_ANOM_LENGTH_LONG;
        end = d->wire_end;
    } else if (end < d->wire_end) {
        m->anomalies |= PD_L2TP_ANOM_TRAILING;
    }
    if (end < d->c.pos) {
        m->anomalies |= PD_L2TP_ANOM_LENGTH_SHORT;
        end = d->c.pos;
    }
    d->length_limited = end == base + length;
    dec_limit(d, end);
}

/* ---- L2TPv2 --------------------------------------------------------------- */

static void decode_v2(dec *d)
{
    pd_l2tp_msg *m = d->m;
    uint16_t fl = m->flags;
    if (fl & PD_L2TP_HDR_RESERVED_V2)
        m->anomalies |= PD_L2TP_ANOM_RESERVED_BITS;
    if (m->is_control) {
        /* RFC 2661 section 3.1: control messages carry Length and Ns/Nr,
         * never an offset or the priority bit. */
        if (!m->has_length)
            m->anomalies |= PD_L2TP_ANOM_CTRL_NO_LENGTH;
        if (!m->has_seq)
            m->anomalies |= PD_L2TP_ANOM_CTRL_NO_SEQ;
        if (m->has_offset)
            m->anomalies |= PD_L2TP_ANOM_CTRL_OFFSET;
        if (m->priority)
            m->anomalies |= PD_L2TP_ANOM_CTRL_PRIORITY;
    }
    if (m->has_length) {
        if (!dec_be16(d, &m->length))
            return;
        apply_length(d, 0, m->length);
    }
    if (!dec_be16(d, &m->tunnel_id) || !dec_be16(d, &m->session_id))
        return;
    if (m->has_seq && (!dec_be16(d, &m->ns) || !dec_be16(d, &m->nr)))
        return;
    if (m->has_offset) {
        if (!dec_be16(d, &m->offset_size))
            return;
        /* The pad is there to be skipped (section 3.1); it must still fit. */
        if (d->c.pos + m->offset_size > d->wire_end) {
            m->anomalies |= PD_L2TP_ANOM_OFFSET_OVERRUN;
            return;
        }
        if (!pd_cursor_skip(&d->c, m->offset_size)) {
            d->cut = true;
            return;
        }
    }
    m->header_complete = true;
    m->header_len = d->c.pos;
    if (m->is_control)
        control_body(d);
    else
        data_body(d);
}

/* ---- L2TPv3 (RFC 3931 sections 3.2.1, 4.1.2.1, 4.1.1.1) ------------------- */

static void decode_v3_control(dec *d, size_t base)
{
    pd_l2tp_msg *m = d->m;
    if (m->flags & PD_L2TP_HDR_RESERVED_V3)
        m->anomalies |= PD_L2TP_ANOM_RESERVED_BITS;
    if (!m->has_length)
        m->anomalies |= PD_L2TP_ANOM_CTRL_NO_LENGTH;
    if (!m->has_seq)
        m->anomalies |= PD_L2TP_ANOM_CTRL_NO_SEQ;
    /* The v3 control header has fixed fields whatever L and S say. */
    if (!dec_be16(d, &m->length))
        return;
    apply_length(d, base, m->length);
    if (!dec_be32(d, &m->conn_id) || !dec_be16(d, &m->ns) || !dec_be16(d, &m->nr))
        return;
    m->header_complete = true;
    m->header_len = d->c.pos;
    control_body(d);
}

static void decode_v3_udp(dec *d)
{
    pd_l2tp_msg *m = d->m;
    if (m->is_control) {
        decode_v3_control(d, 0);
        return;
    }
    /* Data over UDP: T=0, Ver 3, 16 reserved bits, then the Session ID;
     * a cookie of a length only the peers know follows (section 4.1.2.1). */
    uint16_t reserved;
    if (!dec_be16(d, &reserved) || !dec_be32(d, &m->v3_session_id))
        return;
    if ((m->flags & ~(PD_L2TP_HDR_VER)) != 0 || reserved != 0)
        m->anomalies |= PD_L2TP_ANOM_RESERVED_BITS;
    m->header_complete = true;
    m->header_len = d->c.pos;
    data_body(d);
}

/* ---- entry points ----------------------------------------------------------- */

static void dec_init(dec *d, pd_l2tp_msg *out, const uint8_t *data, size_t caplen,
                     size_t wire_len)
{
    memset(out, 0, sizeof *out);
    if (!data)
        caplen = 0;
    if (wire_len < caplen)
        wire_len = caplen;
    d->m = out;
    d->data = data;
    d->caplen = caplen;
    d->c = pd_cursor_make(data, caplen);
    d->wire_end = wire_len;
    d->length_limited = false;
    d->cut = false;
}

static void read_flags(pd_l2tp_msg *m, uint16_t fl)
{
    m->flags = fl;
    m->version = fl & PD_L2TP_HDR_VER;
    m->is_control = (fl & PD_L2TP_HDR_T) != 0;
    m->has_length = (fl & PD_L2TP_HDR_L) != 0;
    m->has_seq = (fl & PD_L2TP_HDR_S) != 0;
    m->has_offset = m->version == 2 && (fl & PD_L2TP_HDR_O) != 0;
    m->priority = m->version == 2 && (fl & PD_L2TP_HDR_P) != 0;
}

pd_l2tp_status pd_l2tp_decode(const uint8_t *data, size_t caplen, size_t wire_len,
                              pd_l2tp_msg *out)
{
    dec d;
    dec_init(&d, out, data, caplen, wire_len);
    uint16_t fl;
    if (!dec_be16(&d, &fl))
        return dec_finish(&d);
    read_flags(out, fl);
    if (out->version == 2) {
        decode_v2(&d);
    } else if (out->version == 3) {
        decode_v3_udp(&d);
    } else {
        out->status = PD_L2TP_BAD_VERSION;
        return out->status;
    }
    return dec_finish(&d);
}

pd_l2tp_status pd_l2tp_decode_ip(const uint8_t *data, size_t caplen, size_t wire_len,
                                 pd_l2tp_msg *out)
{
    dec d;
    dec_init(&d, out, data, caplen, wire_len);
    out->over_ip = true;
    out->version = 3;
    uint32_t sid;
    if (!dec_be32(&d, &sid))
        return dec_finish(&d);
    if (sid != 0) {
        out->v3_session_id = sid;
        out->header_complete = true;
        out->header_len = d.c.pos;
        data_body(&d);
        return dec_finish(&d);
    }
    uint16_t fl;
    if (!dec_be16(&d, &fl))
        return dec_finish(&d);
    read_flags(out, fl);
    out->over_ip = true;
    if (out->version != 3 || !out->is_control) {
        out->status = PD_L2TP_BAD_VERSION;
        return out->status;
    }
    decode_v3_control(&d, 4); /* Length counts from the T bit, after the zero Session ID */
    return dec_finish(&d);
}

/* ---- names ------------------------------------------------------------------ */

const char *pd_l2tp_status_name(pd_l2tp_status s)
{
    switch (s) {
    case PD_L2TP_OK: return "ok";
    case PD_L2TP_TRUNCATED: return "truncated";
    case PD_L2TP_MALFORMED: return "malformed";
    case PD_L2TP_BAD_VERSION: return "bad version";
    }
    return "Unknown";
}

const char *pd_l2tp_msg_name(uint16_t type)
{
    switch (type) {
    case PD_L2TP_SCCRQ: return "Start-Control-Connection-Request";
    case PD_L2TP_SCCRP: return "Start-Control-Connection-Reply";
    case PD_L2TP_SCCCN: return "Start-Control-Connection-Connected";
    case PD_L2TP_STOPCCN: return "Stop-Control-Connection-Notification";
    case PD_L2TP_HELLO: return "Hello";
    case PD_L2TP_OCRQ: return "Outgoing-Call-Request";
    case PD_L2TP_OCRP: return "Outgoing-Call-Reply";
    case PD_L2TP_OCCN: return "Outgoing-Call-Connected";
    case PD_L2TP_ICRQ: return "Incoming-Call-Request";
    case PD_L2TP_ICRP: return "Incoming-Call-Reply";
    case PD_L2TP_ICCN: return "Incoming-Call-Connected";
    case PD_L2TP_CDN: return "Call-Disconnect-Notify";
    case PD_L2TP_WEN: return "WAN-Error-Notify";
    case PD_L2TP_SLI: return "Set-Link-Info";
    case PD_L2TP_ACK: return "Explicit-Acknowledgement";
    default: return "Unknown";
    }
}

const char *pd_l2tp_msg_abbrev(uint16_t type)
{
    switch (type) {
    case PD_L2TP_SCCRQ: return "SCCRQ";
    case PD_L2TP_SCCRP: return "SCCRP";
    case PD_L2TP_SCCCN: return "SCCCN";
    case PD_L2TP_STOPCCN: return "StopCCN";
    case PD_L2TP_HELLO: return "HELLO";
    case PD_L2TP_OCRQ: return "OCRQ";
    case PD_L2TP_OCRP: return "OCRP";
    case PD_L2TP_OCCN: return "OCCN";
    case PD_L2TP_ICRQ: return "ICRQ";
    case PD_L2TP_ICRP: return "ICRP";
    case PD_L2TP_ICCN: return "ICCN";
    case PD_L2TP_CDN: return "CDN";
    case PD_L2TP_WEN: return "WEN";
    case PD_L2TP_SLI: return "SLI";
    case PD_L2TP_ACK: return "ACK";
    default: return "Unknown";
    }
}

const char *pd_l2tp_avp_name(uint16_t type)
{
    switch (type) {
    case 0: return "Message Type";
    case 1: return "Result Code";
    case 2: return "Protocol Version";
    case 3: return "Framing Capabilities";
    case 4: return "Bearer Capabilities";
    case 5: return "Tie Breaker";
    case 6: return "Firmware Revision";
    case 7: return "Host Name";
    case 8: return "Vendor Name";
    case 9: return "Assigned Tunnel ID";
    case 10: return "Receive Window Size";
    case 11: return "Challenge";
    case 12: return "Q.931 Cause Code";
    case 13: return "Challenge Response";
    case 14: return "Assigned Session ID";
    case 15: return "Call Serial Number";
    case 16: return "Minimum BPS";
    case 17: return "Maximum BPS";
    case 18: return "Bearer Type";
    case 19: return "Framing Type";
    case 21: return "Called Number";
    case 22: return "Calling Number";
    case 23: return "Sub-Address";
    case 24: return "Tx Connect Speed";
    case 25: return "Physical Channel ID";
    case 26: return "Initial Received LCP CONFREQ";
    case 27: return "Last Sent LCP CONFREQ";
    case 28: return "Last Received LCP CONFREQ";
    case 29: return "Proxy Authen Type";
    case 30: return "Proxy Authen Name";
    case 31: return "Proxy Authen Challenge";
    case 32: return "Proxy Authen ID";
    case 33: return "Proxy Authen Response";
    case 34: return "Call Errors";
    case 35: return "ACCM";
    case 36: return "Random Vector";
    case 37: return "Private Group ID";
    case 38: return "Rx Connect Speed";
    case 39: return "Sequencing Required";
    case 46: return "PPP Disconnect Cause Code";
    case 58: return "Extended Vendor ID";
    case 59: return "Message Digest";
    case 60: return "Router ID";
    case 61: return "Assigned Control Connection ID";
    case 62: return "Pseudowire Capabilities List";
    case 63: return "Local Session ID";
    case 64: return "Remote Session ID";
    case 65: return "Assigned Cookie";
    case 66: return "Remote End ID";
    case 68: return "Pseudowire Type";
    case 69: return "L2-Specific Sublayer";
    case 70: return "Data Sequencing";
    case 71: return "Circuit Status";
    case 72: return "Preferred Language";
    case 73: return "Control Message Authentication Nonce";
    case 74: return "Tx Connect Speed (v3)";
    case 75: return "Rx Connect Speed (v3)";
    default: return "Unknown";
    }
}

/* RFC 2661 section 4.4.2: one list for StopCCN, another for CDN. */
const char *pd_l2tp_result_name(uint16_t msg_type, uint16_t result)
{
    if (msg_type == PD_L2TP_STOPCCN) {
        switch (result) {
        case 0: return "Reserved";
        case 1: return "General request to clear control connection";
        case 2: return "General error, see Error Code";
        case 3: return "Control channel already exists";
        case 4: return "Requester is not authorized to establish a control channel";
        case 5: return "The protocol version of the requester is not supported";
        case 6: return "Requester is being shut down";
        case 7: return "Finite State Machine error";
        default: return "Unknown";
        }
    }
    if (msg_type == PD_L2TP_CDN) {
        switch (result) {
        case 0: return "Reserved";
        case 1: return "Call disconnected due to loss of carrier";
        case 2: return "Call disconnected, see Error Code";
        case 3: return "Call disconnected for administrative reasons";
        case 4: return "No appropriate facilities available (temporary)";
        case 5: return "No appropriate facilities available (permanent)";
        case 6: return "Invalid destination";
        case 7: return "No carrier detected";
        case 8: return "Busy signal detected";
        case 9: return "No dial tone";
        case 10: return "Call not established within the time allotted by the LAC";
        case 11: return "Call connected but no appropriate framing detected";
        default: return "Unknown";
        }
    }
    return "Unknown";
}

const char *pd_l2tp_error_name(uint16_t error)
{
    switch (error) {
    case 0: return "No general error";
    case 1: return "No control connection exists yet for this LAC-LNS pair";
    case 2: return "Length is wrong";
    case 3: return "A field value was out of range or a reserved field was non-zero";
    case 4: return "Insufficient resources to handle this operation now";
    case 5: return "The Session ID is invalid in this context";
    case 6: return "A generic vendor-specific error occurred in the LAC";
    case 7: return "Try another LNS";
    case 8: return "Shut down after an unknown AVP with the M bit set";
    default: return "Unknown";
    }
}

const char *pd_l2tp_proxy_authen_name(uint16_t type)
{
    switch (type) {
    case 0: return "Reserved";
    case 1: return "Textual username/password exchange";
    case 2: return "PPP CHAP";
    case 3: return "PPP PAP";
    case 4: return "No Authentication";
    case 5: return "Microsoft CHAP Version 1";
    default: return "Unknown";
    }
}

const char *pd_l2tp_anomaly_text(uint32_t a)
{
    /* The malformed group first, in the order a receiver would trip on them. */
    static const struct {
        uint32_t bit;
        const char *text;
    } t[] = {
        { PD_L2TP_ANOM_HEADER_SHORT, "datagram ends inside the L2TP header" },
        { PD_L2TP_ANOM_LENGTH_SHORT, "Length is shorter than the header" },
        { PD_L2TP_ANOM_LENGTH_LONG, "Length is longer than the datagram" },
        { PD_L2TP_ANOM_OFFSET_OVERRUN, "offset padding runs past the message" },
        { PD_L2TP_ANOM_CTRL_NO_LENGTH, "control message without the Length bit" },
        { PD_L2TP_ANOM_CTRL_NO_SEQ, "control message without the Sequence bit" },
        { PD_L2TP_ANOM_AVP_SHORT, "AVP Length below 6" },
        { PD_L2TP_ANOM_AVP_OVERRUN, "AVP runs past the end of the message" },
        { PD_L2TP_ANOM_AVP_BAD_SIZE, "AVP value of the wrong size for its attribute" },
        { PD_L2TP_ANOM_NO_MSG_TYPE, "first AVP is not the Message Type" },
        { PD_L2TP_ANOM_MSG_TYPE_HIDDEN, "Message Type AVP is hidden" },
        { PD_L2TP_ANOM_UNKNOWN_TYPE, "unknown Message Type" },
        { PD_L2TP_ANOM_CTRL_OFFSET, "control message with the Offset bit" },
        { PD_L2TP_ANOM_CTRL_PRIORITY, "control message with the Priority bit" },
        { PD_L2TP_ANOM_RESERVED_BITS, "reserved header bits set" },
        { PD_L2TP_ANOM_AVP_RESERVED, "reserved AVP bits set" },
        { PD_L2TP_ANOM_TRAILING, "bytes after the Length" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
        if (a & t[i].bit)
            return t[i].text;
    return "";
}

const char *pd_l2tp_framing_text(uint32_t bits)
{
    switch (bits & (PD_L2TP_FRAMING_SYNC | PD_L2TP_FRAMING_ASYNC)) {
    case PD_L2TP_FRAMING_SYNC: return "sync";
    case PD_L2TP_FRAMING_ASYNC: return "async";
    case PD_L2TP_FRAMING_SYNC | PD_L2TP_FRAMING_ASYNC: return "sync+async";
    default: return "none";
    }
}

const char *pd_l2tp_bearer_text(uint32_t bits)
{
    switch (bits & (PD_L2TP_BEARER_DIGITAL | PD_L2TP_BEARER_ANALOG)) {
    case PD_L2TP_BEARER_DIGITAL: return "digital";
    case PD_L2TP_BEARER_ANALOG: return "analog";
    case PD_L2TP_BEARER_DIGITAL | PD_L2TP_BEARER_ANALOG: return "analog+digital";
    default: return "none";
    }
}

size_t pd_l2tp_text_copy(const pd_l2tp_bytes *b, char *out, size_t out_size)
{
    if (out_size == 0)
        return 0;
    pd_cursor c = pd_cursor_make(b ? b->p : NULL, b ? b->len : 0);
    size_t o = 0;
    uint8_t ch;
    while (o + 1 < out_size && pd_cursor_u8(&c, &ch)) {
        if (ch == 0)
            break;
        out[o++] = (ch >= 0x20 && ch < 0x7f && ch != '"') ? (char)ch : '.';
    }
    out[o] = '\0';
    return o;
}

/* ---- ladder lines ----------------------------------------------------------- */

typedef struct sbuf {
    char *buf;
    size_t len, pos;
    int items; /* items written inside [ ] */
} sbuf;

G_GNUC_PRINTF(2, 3)
static void sb_printf(sbuf *s, const char *fmt, ...)
{
    if (s->len == 0 || s->pos >= s->len - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = g_vsnprintf(s->buf + s->pos, s->len - s->pos, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    s->pos += (size_t)n;
    if (s->pos >= s->len)
        s->pos = s->len - 1;
}

/* Start the next item of the [ ] list. */
static void sb_item(sbuf *s)
{
    sb_printf(s, "%s", s->items++ ? ", " : " [");
}

static void sb_text(sbuf *s, const pd_l2tp_bytes *b)
{
    char tmp[64];
    size_t n = pd_l2tp_text_copy(b, tmp, sizeof tmp);
    sb_printf(s, "\"%s%s\"", tmp, (n == sizeof tmp - 1 && b->len > n) ? "..." : "");
}

/* An attribute shown as a value when decoded, as "(hidden)" when hidden. */
static bool sb_attr(sbuf *s, const pd_l2tp_msg *m, uint16_t type, const char *label)
{
    if (pd_l2tp_has(m, type)) {
        sb_item(s);
        sb_printf(s, "%s", label);
        return true;
    }
    if (pd_l2tp_is_hidden(m, type)) {
        sb_item(s);
        sb_printf(s, "%s (hidden)", label);
    }
    return false;
}

static void describe_avps(sbuf *s, const pd_l2tp_msg *m)
{
    const pd_l2tp_values *v = &m->v;
    if (sb_attr(s, m, PD_L2TP_AVP_ASSIGNED_TUNNEL, "Assigned Tunnel"))
        sb_printf(s, " %u", v->assigned_tunnel);
    if (sb_attr(s, m, PD_L2TP_AVP_ASSIGNED_CONN_ID, "Assigned Connection"))
        sb_printf(s, " 0x%08x", v->assigned_conn_id);
    if (sb_attr(s, m, PD_L2TP_AVP_ASSIGNED_SESSION, "Assigned Session"))
        sb_printf(s, " %u", v->assigned_session);
    if (sb_attr(s, m, PD_L2TP_AVP_LOCAL_SESSION_ID, "Local Session"))
        sb_printf(s, " 0x%08x", v->local_session_id);
    if (sb_attr(s, m, PD_L2TP_AVP_REMOTE_SESSION_ID, "Remote Session"))
        sb_printf(s, " 0x%08x", v->remote_session_id);
    if (sb_attr(s, m, PD_L2TP_AVP_RESULT_CODE, "Result")) {
        sb_printf(s, " %u \"%s\"", v->result_code, pd_l2tp_result_name(m->msg_type, v->result_code));
        /* Error 0 is "no general error": only noise on a ladder line. */
        if (v->has_error_code && v->error_code != 0)
            sb_printf(s, ", Error %u \"%s\"", v->error_code, pd_l2tp_error_name(v->error_code));
        if (v->error_message.len > 0) {
            sb_printf(s, ", Message ");
            sb_text(s, &v->error_message);
        }
    }
    if (sb_attr(s, m, PD_L2TP_AVP_Q931_CAUSE, "Q.931 Cause"))
        sb_printf(s, " %u Msg %u", v->q931_cause, v->q931_msg);
    if (sb_attr(s, m, PD_L2TP_AVP_PPP_DISCONNECT_CAUSE, "PPP Disconnect Cause")) {
        sb_printf(s, " %u Protocol 0x%04x", v->ppp_disc_code, v->ppp_disc_protocol);
        if (v->ppp_disc_message.len > 0) {
            sb_printf(s, " ");
            sb_text(s, &v->ppp_disc_message);
        }
    }
    if (sb_attr(s, m, PD_L2TP_AVP_HOST_NAME, "Host")) {
        sb_printf(s, " ");
        sb_text(s, &v->host_name);
    }
    if (sb_attr(s, m, PD_L2TP_AVP_VENDOR_NAME, "Vendor")) {
        sb_printf(s, " ");
        sb_text(s, &v->vendor_name);
    }
    if (sb_attr(s, m, PD_L2TP_AVP_PROTOCOL_VERSION, "Version"))
        sb_printf(s, " %u.%u", v->protocol_version, v->protocol_revision);
    if (sb_attr(s, m, PD_L2TP_AVP_FIRMWARE, "Firmware"))
        sb_printf(s, " 0x%04x", v->firmware);
    if (sb_attr(s, m, PD_L2TP_AVP_FRAMING_CAPS, "Framing Caps"))
        sb_printf(s, " %s", pd_l2tp_framing_text(v->framing_caps));
    if (sb_attr(s, m, PD_L2TP_AVP_BEARER_CAPS, "Bearer Caps"))
        sb_printf(s, " %s", pd_l2tp_bearer_text(v->bearer_caps));
    if (sb_attr(s, m, PD_L2TP_AVP_RECEIVE_WINDOW, "Window"))
        sb_printf(s, " %u", v->receive_window);
    sb_attr(s, m, PD_L2TP_AVP_TIE_BREAKER, "Tie Breaker");
    sb_attr(s, m, PD_L2TP_AVP_CHALLENGE, "Challenge");
    sb_attr(s, m, PD_L2TP_AVP_CHALLENGE_RESPONSE, "Challenge Response");
    if (sb_attr(s, m, PD_L2TP_AVP_CALL_SERIAL, "Serial"))
        sb_printf(s, " %u", v->call_serial);
    if (sb_attr(s, m, PD_L2TP_AVP_BEARER_TYPE, "Bearer"))
        sb_printf(s, " %s", pd_l2tp_bearer_text(v->bearer_type));
    if (sb_attr(s, m, PD_L2TP_AVP_FRAMING_TYPE, "Framing"))
        sb_printf(s, " %s", pd_l2tp_framing_text(v->framing_type));
    if (sb_attr(s, m, PD_L2TP_AVP_TX_CONNECT_SPEED, "Speed"))
        sb_printf(s, " %u", v->tx_connect_speed);
    if (sb_attr(s, m, PD_L2TP_AVP_CALLED_NUMBER, "Called")) {
        sb_printf(s, " ");
        sb_text(s, &v->called_number);
    }
    if (sb_attr(s, m, PD_L2TP_AVP_CALLING_NUMBER, "Calling")) {
        sb_printf(s, " ");
        sb_text(s, &v->calling_number);
    }
    if (pd_l2tp_has(m, PD_L2TP_AVP_INITIAL_RCVD_CONFREQ) ||
        pd_l2tp_has(m, PD_L2TP_AVP_LAST_SENT_CONFREQ) ||
        pd_l2tp_has(m, PD_L2TP_AVP_LAST_RCVD_CONFREQ)) {
        sb_item(s);
        sb_printf(s, "Proxy LCP");
    }
    if (sb_attr(s, m, PD_L2TP_AVP_PROXY_AUTHEN_TYPE, "Proxy Auth"))
        sb_printf(s, " %s", pd_l2tp_proxy_authen_name(v->proxy_authen_type));
    if (sb_attr(s, m, PD_L2TP_AVP_PROXY_AUTHEN_NAME, "Proxy Name")) {
        sb_printf(s, " ");
        sb_text(s, &v->proxy_authen_name);
    }
    sb_attr(s, m, PD_L2TP_AVP_SEQUENCING_REQUIRED, "Sequencing Required");
    if (sb_attr(s, m, PD_L2TP_AVP_PSEUDOWIRE_TYPE, "Pseudowire"))
        sb_printf(s, " %u", v->pseudowire_type);
    if (m->vendor_avps) {
        sb_item(s);
        sb_printf(s, "%u vendor AVP%s", m->vendor_avps, m->vendor_avps == 1 ? "" : "s");
    }
    if (s->items)
        sb_printf(s, "]");
}

size_t pd_l2tp_describe(const pd_l2tp_msg *m, char *buf, size_t len, unsigned flags)
{
    sbuf s = { buf, len, 0, 0 };
    if (len > 0)
        buf[0] = '\0';
    const char *v3 = m->version == 3 ? "L2TPv3 " : "";
    if (m->status == PD_L2TP_BAD_VERSION) {
        sb_printf(&s, "Not L2TP (version %u)", m->version);
        return s.pos;
    }
    if (!m->is_control) {
        if (m->version == 3)
            sb_printf(&s, "L2TPv3 data to session 0x%08x", m->v3_session_id);
        else
            sb_printf(&s, "Data to tunnel %u session %u", m->tunnel_id, m->session_id);
    } else {
        if (m->zlb)
            sb_printf(&s, "%sZLB", v3);
        else if (m->has_msg_type)
            sb_printf(&s, "%s%s", v3,
                      msg_type_known(m->msg_type, m->version) ? pd_l2tp_msg_abbrev(m->msg_type)
                                                              : "Message-Type");
        else
            sb_printf(&s, "%sControl", v3);
        if (m->has_msg_type && !msg_type_known(m->msg_type, m->version))
            sb_printf(&s, " %u", m->msg_type);
        if (m->version == 3) {
            if (m->conn_id)
                sb_printf(&s, " to connection 0x%08x", m->conn_id);
        } else {
            if (m->tunnel_id)
                sb_printf(&s, " to tunnel %u", m->tunnel_id);
            if (m->session_id)
                sb_printf(&s, " session %u", m->session_id);
        }
    }
    if ((flags & PD_L2TP_DESCRIBE_SEQ) && m->has_seq && m->header_complete)
        sb_printf(&s, " Ns %u Nr %u", m->ns, m->nr);
    if (m->is_control && !m->zlb)
        describe_avps(&s, m);
    if (m->status == PD_L2TP_MALFORMED)
        sb_printf(&s, " (malformed: %s)", pd_l2tp_anomaly_text(m->anomalies));
    else if (m->status == PD_L2TP_TRUNCATED)
        sb_printf(&s, " (cut by the capture)");
    return s.pos;
}
