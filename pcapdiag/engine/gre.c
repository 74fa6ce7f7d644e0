/* gre.c - GRE (RFC 2784/2890/1701) and PPTP enhanced GRE (RFC 2637 4.1).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "gre.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "pcapdiag/cursor.h"

/* RFC 1701 routing: Source Route Entries until one with address family 0
 * and length 0. Each entry consumes at least 4 bytes, so this ends. */
static bool skip_routing(pd_cursor *c)
{
    for (;;) {
        uint16_t af;
        uint8_t sre_offset, sre_len;
        if (!pd_cursor_be16(c, &af) || !pd_cursor_u8(c, &sre_offset) || !pd_cursor_u8(c, &sre_len))
            return false;
        if (af == 0 && sre_len == 0)
            return true;
        if (!pd_cursor_skip(c, sre_len))
            return false;
    }
}

pd_gre_status pd_gre_decode(const uint8_t *data, size_t caplen, size_t wire_len, pd_gre *out)
{
    memset(out, 0, sizeof *out);
    pd_cursor c = pd_cursor_make(data, caplen);
    caplen = c.len; /* 0 for a NULL buffer */
    if (wire_len < caplen)
        wire_len = caplen;

    /* The header is cut short only if the capture was; on the wire it is malformed. */
    const pd_gre_status cut = caplen < wire_len ? PD_GRE_TRUNCATED : PD_GRE_MALFORMED;
    uint8_t b0, b1;
    if (!pd_cursor_u8(&c, &b0) || !pd_cursor_u8(&c, &b1) || !pd_cursor_be16(&c, &out->protocol))
        return out->status = cut;
    out->c = b0 & 0x80;
    out->r = b0 & 0x40;
    out->k = b0 & 0x20;
    out->s = b0 & 0x10;
    out->strict_route = b0 & 0x08;
    out->recur = b0 & 0x07;
    out->a = b1 & 0x80;
    out->flags = (b1 >> 3) & 0x0f;
    out->version = b1 & 0x07;

    if (out->version > 1)
        return out->status = PD_GRE_BAD_VERSION;

    if (out->version == 1) {
        if (!out->k)
            out->anomalies |= PD_GRE_ANOM_V1_NO_KEY;
        if (out->c || out->r || out->strict_route || out->recur || out->flags)
            out->anomalies |= PD_GRE_ANOM_V1_RESERVED_BITS;
        if (out->protocol != PD_GRE_PROTO_PPP)
            out->anomalies |= PD_GRE_ANOM_V1_NOT_PPP;
    } else if (out->a) {
        out->anomalies |= PD_GRE_ANOM_V0_ACK_BIT;
    }
    if (out->r)
        out->anomalies |= PD_GRE_ANOM_ROUTING;

    /* Optional fields in the order of RFC 1701 / RFC 2637 4.1. */
    if (out->c || out->r) {
        out->has_checksum = true;
        if (!pd_cursor_be16(&c, &out->checksum) || !pd_cursor_be16(&c, &out->offset))
            return out->status = cut;
    }
    if (out->k) {
        out->has_key = true;
        if (!pd_cursor_be32(&c, &out->key))
            return out->status = cut;
        if (out->version == 1) {
            out->payload_length = (uint16_t)(out->key >> 16);
            out->call_id = (uint16_t)(out->key & 0xffff);
        }
    }
    if (out->s) {
        out->has_seq = true;
        if (!pd_cursor_be32(&c, &out->seq))
            return out->status = cut;
    }
    if (out->version == 1 && out->a) {
        out->has_ack = true;
        if (!pd_cursor_be32(&c, &out->ack))
            return out->status = cut;
    }
    if (out->r && !skip_routing(&c))
        return out->status = cut;

    out->header_len = c.pos;
    out->payload_wire_len = wire_len - c.pos;
    size_t captured = pd_cursor_remaining(&c);

    if (out->version == 1 && out->k) {
        if (out->payload_length == out->payload_wire_len)
            out->len_check = captured == out->payload_wire_len ? PD_GRE_LEN_OK : PD_GRE_LEN_SNAPLEN_CUT;
        else if (out->payload_length < out->payload_wire_len)
            out->len_check = PD_GRE_LEN_FIELD_SHORT;
        else
            out->len_check = PD_GRE_LEN_FIELD_LONG;
        if (out->len_check == PD_GRE_LEN_FIELD_SHORT || out->len_check == PD_GRE_LEN_FIELD_LONG)
            out->anomalies |= PD_GRE_ANOM_LEN_MISMATCH;
        if (captured > out->payload_length)
            captured = out->payload_length;
    } else {
        out->len_check = PD_GRE_LEN_NONE;
    }
    pd_cursor_bytes(&c, captured, &out->payload);
    out->payload_len = captured;

    if (out->version == 1 && !out->k)
        return out->status = PD_GRE_MALFORMED;
    return out->status = PD_GRE_OK;
}

const char *pd_gre_status_name(pd_gre_status s)
{
    switch (s) {
    case PD_GRE_OK: return "ok";
    case PD_GRE_TRUNCATED: return "truncated";
    case PD_GRE_BAD_VERSION: return "bad version";
    case PD_GRE_MALFORMED: return "malformed";
    }
    return "unknown";
}

const char *pd_gre_len_check_name(pd_gre_len_check c)
{
    switch (c) {
    case PD_GRE_LEN_NONE: return "none";
    case PD_GRE_LEN_OK: return "ok";
    case PD_GRE_LEN_SNAPLEN_CUT: return "snaplen_cut";
    case PD_GRE_LEN_FIELD_SHORT: return "field_short";
    case PD_GRE_LEN_FIELD_LONG: return "field_long";
    }
    return "unknown";
}

const char *pd_gre_anomaly_name(uint32_t bit)
{
    switch (bit) {
    case PD_GRE_ANOM_V1_NO_KEY: return "v1_no_key";
    case PD_GRE_ANOM_V1_RESERVED_BITS: return "v1_reserved_bits";
    case PD_GRE_ANOM_V1_NOT_PPP: return "v1_not_ppp";
    case PD_GRE_ANOM_V0_ACK_BIT: return "v0_ack_bit";
    case PD_GRE_ANOM_LEN_MISMATCH: return "length_mismatch";
    case PD_GRE_ANOM_ROUTING: return "routing";
    default: return "unknown";
    }
}

size_t pd_gre_describe(const pd_gre *g, char *buf, size_t len)
{
    if (len == 0)
        return 0;
    int n;
    if (g->status == PD_GRE_TRUNCATED || g->status == PD_GRE_BAD_VERSION) {
        n = snprintf(buf, len, "GRE %s (version %u)", pd_gre_status_name(g->status), g->version);
    } else if (g->version == 1 && g->has_key) {
        char seq[16] = "", ack[16] = "";
        if (g->has_seq)
            snprintf(seq, sizeof seq, " seq %u", g->seq);
        if (g->has_ack)
            snprintf(ack, sizeof ack, " ack %u", g->ack);
        n = snprintf(buf, len, "GRE call %u%s%s len %u%s", g->call_id, seq, ack, g->payload_length,
                     (!g->has_seq && g->has_ack && g->payload_length == 0) ? " (ack only)" : "");
    } else {
        n = snprintf(buf, len, "GRE v%u proto 0x%04x%s", g->version, g->protocol,
                     g->status == PD_GRE_MALFORMED ? " malformed" : "");
    }
    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n < len ? (size_t)n : len - 1;
}

/* ---- sequence tracker ------------------------------------------------------ */

void pd_gre_seq_init(pd_gre_seq_tracker *t)
{
    memset(t, 0, sizeof *t);
}

/* Serial number arithmetic (RFC 1982 style): is a after b? */
static bool seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

void pd_gre_seq_update(pd_gre_seq_tracker *t, const pd_gre *g, uint64_t frame)
{
    if (t->packets == 0)
        t->first_frame = frame;
    t->packets++;
    t->last_frame = frame;

    if (g->has_ack) {
        t->with_ack++;
        if (!t->have_ack) {
            t->have_ack = true;
            t->first_ack = t->last_ack = g->ack;
        } else if (seq_after(g->ack, t->last_ack)) {
            t->last_ack = g->ack;
        }
    }
    if (g->has_seq || g->payload_length > 0 || (g->version == 0 && g->payload_wire_len > 0))
        t->payload_packets++;
    else if (g->has_ack)
        t->ack_only++;

    if (!g->has_seq)
        return;
    uint32_t seq = g->seq;
    if (!t->have_seq) {
        t->have_seq = true;
        t->first_seq = t->last_seq = seq;
        t->first_seq_frame = t->last_seq_frame = frame;
        t->window = 1;
        return;
    }

    uint32_t ahead = seq - t->last_seq;
    if (ahead == 0) {
        t->duplicates++;
    } else if (seq_after(seq, t->last_seq)) {
        if (ahead >= PD_GRE_SEQ_MAX_JUMP) {
            t->jumps++;
            t->window = 1;
        } else {
            t->lost += ahead - 1;
            t->window = ahead >= 64 ? 1 : (t->window << ahead) | 1;
        }
        t->last_seq = seq;
        t->last_seq_frame = frame;
    } else {
        uint32_t back = t->last_seq - seq;
        if (back >= PD_GRE_SEQ_MAX_JUMP) {
            /* the peer started over (or the number was mangled) */
            t->jumps++;
            t->window = 1;
            t->last_seq = seq;
            t->last_seq_frame = frame;
        } else if (back < 64 && (t->window & ((uint64_t)1 << back))) {
            t->duplicates++;
        } else {
            if (back < 64)
                t->window |= (uint64_t)1 << back;
            t->reordered++;
            if (t->lost > 0)
                t->lost--; /* it filled a gap we had counted as lost */
        }
    }
}

bool pd_gre_seq_ack_beyond(const pd_gre_seq_tracker *t, uint32_t ack)
{
    return t->have_seq && seq_after(ack, t->last_seq);
}
