/* tcp.c - TCP header decoding, per-direction stream reassembly and
 * connection-state tracking (RFC 9293).
 *
 * Sequence numbers are compared modulo 2^32 (RFC 9293 section 3.4): every
 * position is taken relative to next_seq as a signed 32-bit difference, so a
 * stream that wraps past 2^32 needs no special case.
 *
 * Held (out-of-order) segments never overlap one another: a new segment is
 * cut down to the parts no held segment covers before it is stored, so the
 * same byte can never be delivered twice, and `buffered` counts distinct
 * bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcp.h"

#include <string.h>

#include <glib.h>

#include "pcapdiag/cursor.h"

#define PD_TCP_MIN_HEADER 20 /* RFC 9293 3.1: Data Offset is at least 5 words */
/* Held segments are a sorted list, so each insert walks it. A capture of
 * one-byte segments could otherwise make every insert cost max_buffered
 * steps; past this many pieces the byte cap's gap rule applies instead. */
#define PD_TCP_MAX_HELD_SEGMENTS 1024
/* No segment can be longer than this; larger claimed lengths are clamped
 * so sequence arithmetic stays within one signed 32-bit window. */
#define PD_TCP_MAX_SEGMENT_LEN 0x7fffffffu

/* ---- header ---- */

bool pd_tcp_decode(const uint8_t *data, size_t len, size_t wire_len, pd_tcp_header *out)
{
    memset(out, 0, sizeof *out);
    /* Bytes captured beyond the IP length are link padding, not TCP. */
    if (len > wire_len)
        len = wire_len;

    pd_cursor c = pd_cursor_make(data, len);
    uint8_t off_byte, flags;
    uint16_t checksum, urgent;
    pd_cursor_be16(&c, &out->sport);
    pd_cursor_be16(&c, &out->dport);
    pd_cursor_be32(&c, &out->seq);
    pd_cursor_be32(&c, &out->ack);
    pd_cursor_u8(&c, &off_byte);
    pd_cursor_u8(&c, &flags);
    pd_cursor_be16(&c, &out->window);
    pd_cursor_be16(&c, &checksum);
    pd_cursor_be16(&c, &urgent);
    if (c.truncated)
        return false;

    size_t hlen = (size_t)(off_byte >> 4) * 4;
    if (hlen < PD_TCP_MIN_HEADER || hlen > wire_len)
        return false; /* malformed: offset inside the fixed header or past the segment */
    /* Options are not needed by any tracker; skipping them whole is safe
     * because the data offset, not the option list, fixes where data starts. */
    if (!pd_cursor_skip(&c, hlen - PD_TCP_MIN_HEADER))
        return false;

    out->flags = flags;
    out->header_len = hlen;
    out->payload_len = pd_cursor_remaining(&c);
    pd_cursor_bytes(&c, out->payload_len, &out->payload);
    out->payload_wire_len = wire_len - hlen;
    return true;
}

/* ---- stream reassembly ---- */

struct pd_tcp_segment {
    pd_tcp_segment *next;
    uint32_t seq;   /* first byte */
    size_t len;     /* captured bytes held in data[] */
    size_t cut;     /* bytes after them that were on the wire but not captured */
    uint64_t frame;
    int64_t ts_ns;
    uint8_t data[];
};

/* Position of seq relative to the next expected byte: negative = old. */
static inline int64_t pd_tcp_rel(const pd_tcp_stream *s, uint32_t seq)
{
    return (int64_t)(int32_t)(seq - s->next_seq);
}

void pd_tcp_stream_init(pd_tcp_stream *s, size_t max_buffered)
{
    memset(s, 0, sizeof *s);
    s->max_buffered = max_buffered;
}

void pd_tcp_stream_free(pd_tcp_stream *s)
{
    pd_tcp_segment *seg = s->ooo;
    while (seg) {
        pd_tcp_segment *next = seg->next;
        g_free(seg);
        seg = next;
    }
    s->ooo = NULL;
    s->buffered = 0;
}

static void pd_tcp_emit_gap(pd_tcp_stream *s, uint64_t len, uint64_t frame, int64_t ts_ns,
                            pd_tcp_gap_fn gap, void *user)
{
    if (len == 0)
        return;
    s->gap_bytes += len;
    s->next_seq += (uint32_t)len;
    if (gap)
        gap(len, frame, ts_ns, user);
}

static void pd_tcp_emit_data(pd_tcp_stream *s, const uint8_t *data, size_t len, uint64_t frame,
                             int64_t ts_ns, pd_tcp_deliver_fn deliver, void *user)
{
    if (len == 0)
        return;
    s->delivered += len;
    s->next_seq += (uint32_t)len;
    if (deliver)
        deliver(data, len, frame, ts_ns, user);
}

/* Deliver held segments that next_seq has reached; drop the parts it has
 * passed. A held segment's uncaptured tail becomes a gap as soon as it is
 * reached: those bytes can no longer arrive from the capture. */
static void pd_tcp_drain(pd_tcp_stream *s, pd_tcp_deliver_fn deliver, pd_tcp_gap_fn gap,
                         void *user)
{
    while (s->ooo && pd_tcp_rel(s, s->ooo->seq) <= 0) {
        pd_tcp_segment *seg = s->ooo;
        s->ooo = seg->next;
        s->buffered -= seg->len;

        uint64_t skip = (uint64_t)-pd_tcp_rel(s, seg->seq);
        uint64_t wire = (uint64_t)seg->len + seg->cut;
        if (skip < wire) {
            if (skip < seg->len) {
                pd_cursor c = pd_cursor_make(seg->data, seg->len);
                const uint8_t *p = NULL;
                size_t n = seg->len - (size_t)skip;
                if (pd_cursor_skip(&c, (size_t)skip) && pd_cursor_bytes(&c, n, &p))
                    pd_tcp_emit_data(s, p, n, seg->frame, seg->ts_ns, deliver, user);
                skip = seg->len;
            }
            pd_tcp_emit_gap(s, wire - skip, seg->frame, seg->ts_ns, gap, user);
        }
        g_free(seg);
    }
}

static size_t pd_tcp_held_count(const pd_tcp_stream *s)
{
    size_t n = 0;
    for (const pd_tcp_segment *seg = s->ooo; seg; seg = seg->next)
        n++;
    return n;
}

/* Walk the parts of the new segment's wire range [a, b) (relative to
 * next_seq, a > 0) that no held segment covers; captured bytes end at
 * a + plen. With store, copy them into the list; either way return how many
 * captured bytes that takes, in how many pieces, and whether anything was
 * already covered. */
static size_t pd_tcp_insert(pd_tcp_stream *s, int64_t a, const uint8_t *data, size_t plen,
                            size_t wlen, uint64_t frame, int64_t ts_ns, bool store,
                            bool *covered_some, size_t *pieces)
{
    int64_t b = a + (int64_t)wlen, cend = a + (int64_t)plen, cur = a;
    size_t need = 0;
    pd_tcp_segment **pp = &s->ooo;
    *covered_some = false;
    *pieces = 0;

    for (;;) {
        pd_tcp_segment *h = *pp;
        int64_t hs = h ? pd_tcp_rel(s, h->seq) : b;
        int64_t he = h ? hs + (int64_t)h->len + (int64_t)h->cut : b;
        if (h && he <= cur) {
            pp = &h->next;
            continue;
        }
        int64_t pend = hs < b ? hs : b;
        if (pend > cur) {
            /* Uncovered piece [cur, pend): keep only if it holds captured
             * bytes; an all-uncaptured piece stays a hole and becomes a gap
             * when it is skipped. */
            int64_t dend = pend < cend ? pend : cend;
            if (cur < dend) {
                size_t n = (size_t)(dend - cur);
                need += n;
                (*pieces)++;
                if (store) {
                    pd_tcp_segment *seg = g_malloc(sizeof *seg + n);
                    pd_cursor c = pd_cursor_make(data, plen);
                    const uint8_t *p = NULL;
                    pd_cursor_skip(&c, (size_t)(cur - a));
                    pd_cursor_bytes(&c, n, &p);
                    if (p)
                        memcpy(seg->data, p, n);
                    seg->seq = s->next_seq + (uint32_t)cur;
                    seg->len = n;
                    seg->cut = (size_t)(pend - dend);
                    seg->frame = frame;
                    seg->ts_ns = ts_ns;
                    seg->next = h;
                    *pp = seg;
                    pp = &seg->next;
                    s->buffered += n;
                }
            }
        }
        if (!h || hs >= b)
            break;
        *covered_some = true;
        cur = he; /* > cur: segments ending at or before cur were skipped above */
        pp = &h->next;
        if (cur >= b)
            break;
    }
    return need;
}

void pd_tcp_stream_add(pd_tcp_stream *s, const pd_tcp_header *tcp, uint64_t frame, int64_t ts_ns,
                       pd_tcp_deliver_fn deliver, pd_tcp_gap_fn gap, void *user)
{
    uint8_t flags = tcp->flags;
    const uint8_t *data = tcp->payload;
    size_t plen = data ? tcp->payload_len : 0;
    size_t wlen = tcp->payload_wire_len > plen ? tcp->payload_wire_len : plen;
    if (wlen > PD_TCP_MAX_SEGMENT_LEN)
        wlen = PD_TCP_MAX_SEGMENT_LEN;
    if (plen > wlen)
        plen = wlen;
    /* RFC 9293 3.1: the SYN occupies the first sequence number; data on a
     * SYN starts after it. */
    uint32_t seq = tcp->seq + ((flags & PD_TCP_SYN) ? 1u : 0u);

    if (flags & PD_TCP_FIN)
        s->fin_seen = true;
    /* RFC 9293 3.5.3 allows diagnostic text on a RST; it is not stream data. */
    if (flags & PD_TCP_RST)
        return;

    if (!s->have_isn) {
        if (!(flags & PD_TCP_SYN) && wlen == 0)
            return; /* mid-stream join waits for the first segment with data */
        s->have_isn = true;
        s->next_seq = seq;
    }
    if (wlen == 0)
        return;

    /* Trim what was already delivered (or skipped). */
    int64_t rel = pd_tcp_rel(s, seq);
    if (rel + (int64_t)wlen <= 0) {
        s->retransmitted++;
        return;
    }
    if (rel < 0) {
        size_t cut = (size_t)-rel;
        s->overlaps++;
        if (cut < plen) {
            pd_cursor c = pd_cursor_make(data, plen);
            pd_cursor_skip(&c, cut);
            data = pd_cursor_here(&c);
            plen -= cut;
        } else {
            plen = 0;
        }
        wlen -= cut;
        seq = s->next_seq;
        rel = 0;
    }

    bool counted = false;
    for (;;) {
        if (rel <= 0) {
            /* In order (possibly again, after a forced gap or a drain moved
             * next_seq into this segment): deliver the part not yet passed. */
            size_t skip = (size_t)-rel;
            if (skip < wlen) {
                if (skip < plen) {
                    pd_cursor c = pd_cursor_make(data, plen);
                    const uint8_t *p = NULL;
                    pd_cursor_skip(&c, skip);
                    pd_cursor_bytes(&c, plen - skip, &p);
                    pd_tcp_emit_data(s, p, plen - skip, frame, ts_ns, deliver, user);
                    skip = plen;
                }
                /* Snaplen cut: those bytes were sent but are not in the
                 * capture, and no retransmission is going to bring them. */
                pd_tcp_emit_gap(s, wlen - skip, frame, ts_ns, gap, user);
            }
            pd_tcp_drain(s, deliver, gap, user);
            return;
        }

        /* RFC 7323 caps the window below 2^30, so bytes 2^31 or more ahead
         * cannot be real; dropping them keeps every held byte within one
         * signed 32-bit distance of next_seq, which the ordering relies on. */
        if (rel + (int64_t)wlen > INT32_MAX) {
            wlen = (size_t)(INT32_MAX - rel);
            if (plen > wlen)
                plen = wlen;
        }
        bool covered_some;
        size_t pieces;
        size_t need = pd_tcp_insert(s, rel, data, plen, wlen, frame, ts_ns, false, &covered_some,
                                    &pieces);
        if (!counted) {
            counted = true;
            /* A copy of held (not yet delivered) data: count it like a
             * retransmission or an overlap of delivered data. */
            if (need == 0 && covered_some)
                s->retransmitted++;
            else if (covered_some)
                s->overlaps++;
        }
        if (need == 0)
            return;
        if (need <= s->max_buffered && s->buffered <= s->max_buffered - need &&
            pieces <= PD_TCP_MAX_HELD_SEGMENTS &&
            pd_tcp_held_count(s) <= PD_TCP_MAX_HELD_SEGMENTS - pieces) {
            pd_tcp_insert(s, rel, data, plen, wlen, frame, ts_ns, true, &covered_some, &pieces);
            return;
        }

        /* Over the cap: the hole before the earliest held data (this
         * segment included) is taken as lost, and whatever follows it is
         * delivered, freeing room. Each round moves next_seq forward. */
        int64_t first = rel;
        if (s->ooo && pd_tcp_rel(s, s->ooo->seq) < first)
            first = pd_tcp_rel(s, s->ooo->seq);
        pd_tcp_emit_gap(s, (uint64_t)first, frame, ts_ns, gap, user);
        pd_tcp_drain(s, deliver, gap, user);
        rel = pd_tcp_rel(s, seq);
        if (rel + (int64_t)wlen <= 0)
            return; /* held data already covered all of it */
    }
}

void pd_tcp_stream_flush(pd_tcp_stream *s, uint64_t frame, int64_t ts_ns,
                         pd_tcp_deliver_fn deliver, pd_tcp_gap_fn gap, void *user)
{
    while (s->ooo) {
        int64_t rel = pd_tcp_rel(s, s->ooo->seq);
        if (rel > 0)
            pd_tcp_emit_gap(s, (uint64_t)rel, frame, ts_ns, gap, user);
        pd_tcp_drain(s, deliver, gap, user);
    }
}

/* ---- connection state ---- */

static void pd_tcp_conn_syn(pd_tcp_conn *c, uint64_t frame, int64_t ts_ns)
{
    if (c->syn_count == 0) {
        c->first_syn_frame = frame;
        c->first_syn_ts_ns = ts_ns;
    }
    if (c->syn_count < UINT32_MAX)
        c->syn_count++;
    c->last_syn_frame = frame;
    c->last_syn_ts_ns = ts_ns;
}

void pd_tcp_conn_update(pd_tcp_conn *c, const pd_tcp_header *tcp, bool from_client,
                        uint64_t frame, int64_t ts_ns)
{
    uint8_t f = tcp->flags;
    bool syn = f & PD_TCP_SYN, ack = f & PD_TCP_ACK, rst = f & PD_TCP_RST, fin = f & PD_TCP_FIN;

    if (c->state == PD_TCP_NONE && c->syn_count == 0 && c->synack_frame == 0 && !c->midstream) {
        /* First packet of the connection. A zeroed struct reads rst_from 0
         * ("client"); the header's "none" is -1, so set it here. */
        if (c->rst_frame == 0)
            c->rst_from = -1;
        if (!syn && !rst) {
            c->midstream = true;
            c->state = PD_TCP_ESTABLISHED;
        } else if (!syn) {
            c->midstream = true; /* a lone RST: treated below */
        }
    }

    if (rst) {
        c->rst_frame = frame;
        c->rst_from = from_client ? 0 : 1;
        switch (c->state) {
        case PD_TCP_SYN_SENT:
            /* RFC 9293 3.5.2: a closed port answers a SYN with RST/ACK;
             * firewalls forge the same (Windows error 692/807). */
            c->state = from_client ? PD_TCP_RESET : PD_TCP_REFUSED;
            break;
        case PD_TCP_REFUSED:
        case PD_TCP_CLOSED:
            break; /* a RST after both FINs is an ordinary abortive close */
        default:
            c->state = PD_TCP_RESET;
            break;
        }
        return;
    }

    if (syn && !ack) {
        if (from_client) {
            pd_tcp_conn_syn(c, frame, ts_ns);
            /* A SYN after a refusal or a finished connection on the same
             * ports is a new attempt. */
            if (c->state == PD_TCP_NONE || c->state == PD_TCP_REFUSED ||
                c->state == PD_TCP_CLOSED || c->state == PD_TCP_RESET)
                c->state = PD_TCP_SYN_SENT;
        }
        return;
    }
    if (syn && ack) {
        if (!from_client) {
            if (c->synack_frame == 0)
                c->synack_frame = frame;
            if (c->state == PD_TCP_NONE || c->state == PD_TCP_SYN_SENT)
                c->state = PD_TCP_SYN_RECEIVED;
        }
        return;
    }

    /* A plain ACK completes the handshake; also accept one after a SYN whose
     * SYN/ACK the capture missed (asymmetric routing, one-sided capture). */
    if (ack && (c->state == PD_TCP_SYN_SENT || c->state == PD_TCP_SYN_RECEIVED))
        c->state = PD_TCP_ESTABLISHED;

    if (fin) {
        int dir = from_client ? 0 : 1;
        if (c->fin_frame[dir] == 0)
            c->fin_frame[dir] = frame;
        if (c->state == PD_TCP_ESTABLISHED || c->state == PD_TCP_CLOSING ||
            c->state == PD_TCP_SYN_RECEIVED || c->state == PD_TCP_SYN_SENT)
            c->state = (c->fin_frame[0] && c->fin_frame[1]) ? PD_TCP_CLOSED : PD_TCP_CLOSING;
    }
}

const char *pd_tcp_conn_state_name(pd_tcp_conn_state s)
{
    switch (s) {
    case PD_TCP_NONE: return "none";
    case PD_TCP_SYN_SENT: return "syn-sent";
    case PD_TCP_REFUSED: return "refused";
    case PD_TCP_SYN_RECEIVED: return "syn-received";
    case PD_TCP_ESTABLISHED: return "established";
    case PD_TCP_CLOSING: return "closing";
    case PD_TCP_CLOSED: return "closed";
    case PD_TCP_RESET: return "reset";
    }
    return "unknown";
}
