/* tcp.h - TCP header decoding (RFC 9293), connection-state tracking and
 * per-direction stream reassembly for the control protocols (PPTP on 1723).
 *
 * Reassembly delivers bytes in order exactly once: retransmissions and
 * overlaps are trimmed, out-of-order segments are held up to a byte cap,
 * and a hole that is never filled is skipped and reported as a gap.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_TCP_H
#define PD_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PD_TCP_FIN 0x01
#define PD_TCP_SYN 0x02
#define PD_TCP_RST 0x04
#define PD_TCP_PSH 0x08
#define PD_TCP_ACK 0x10

typedef struct pd_tcp_header {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window;
    size_t header_len;
    const uint8_t *payload;
    size_t payload_len; /* captured payload bytes */
    size_t payload_wire_len; /* from the IP length; more than payload_len when cut by snaplen */
} pd_tcp_header;

/* data/len: the IP payload; wire_len: the IP payload length per the IP header. */
bool pd_tcp_decode(const uint8_t *data, size_t len, size_t wire_len, pd_tcp_header *out);

/* ---- stream reassembly, one direction ---- */

typedef void (*pd_tcp_deliver_fn)(const uint8_t *data, size_t len, uint64_t frame, int64_t ts_ns,
                                  void *user);
/* A hole of `len` bytes that will never be filled, skipped before `frame`. */
typedef void (*pd_tcp_gap_fn)(uint64_t len, uint64_t frame, int64_t ts_ns, void *user);

typedef struct pd_tcp_segment pd_tcp_segment; /* private */

typedef struct pd_tcp_stream {
    bool have_isn;
    uint32_t next_seq;      /* next byte expected in order */
    size_t max_buffered;    /* cap on out-of-order bytes held */
    size_t buffered;        /* out-of-order bytes held now */
    pd_tcp_segment *ooo;    /* held segments, sorted by seq */
    uint64_t delivered;     /* bytes delivered in order */
    uint64_t retransmitted; /* segments wholly already delivered */
    uint64_t overlaps;      /* segments partly already delivered */
    uint64_t gap_bytes;     /* bytes skipped as never captured */
    bool fin_seen;
} pd_tcp_stream;

void pd_tcp_stream_init(pd_tcp_stream *s, size_t max_buffered);
void pd_tcp_stream_free(pd_tcp_stream *s);
/* Feed one segment of this direction (SYN sets the ISN; a stream joined
 * mid-way starts from the first segment seen). Calls deliver for bytes now
 * in order, and gap when the buffer cap forces skipping a hole. */
void pd_tcp_stream_add(pd_tcp_stream *s, const pd_tcp_header *tcp, uint64_t frame, int64_t ts_ns,
                       pd_tcp_deliver_fn deliver, pd_tcp_gap_fn gap, void *user);
/* End of data for this direction: skip any hole and deliver what is held. */
void pd_tcp_stream_flush(pd_tcp_stream *s, uint64_t frame, int64_t ts_ns,
                         pd_tcp_deliver_fn deliver, pd_tcp_gap_fn gap, void *user);

/* ---- connection state (handshake, resets, closes) ---- */

typedef enum pd_tcp_conn_state {
    PD_TCP_NONE,         /* nothing seen yet */
    PD_TCP_SYN_SENT,     /* SYN seen, no answer yet */
    PD_TCP_REFUSED,      /* SYN answered by RST (Zeek's REJ) */
    PD_TCP_SYN_RECEIVED, /* SYN/ACK seen */
    PD_TCP_ESTABLISHED,  /* handshake completed (or joined mid-stream) */
    PD_TCP_CLOSING,      /* FIN seen one way */
    PD_TCP_CLOSED,       /* FIN both ways */
    PD_TCP_RESET         /* RST after establishment */
} pd_tcp_conn_state;

typedef struct pd_tcp_conn {
    pd_tcp_conn_state state;
    uint32_t syn_count;     /* SYNs from the client, retransmissions included */
    uint64_t first_syn_frame, last_syn_frame;
    int64_t first_syn_ts_ns, last_syn_ts_ns;
    uint64_t synack_frame;
    uint64_t rst_frame;
    int rst_from;           /* 0 client, 1 server, -1 none */
    uint64_t fin_frame[2];
    bool midstream;         /* first packet seen was not a SYN */
} pd_tcp_conn;

/* from_client: the segment travels client -> server (the SYN's direction). */
void pd_tcp_conn_update(pd_tcp_conn *c, const pd_tcp_header *tcp, bool from_client,
                        uint64_t frame, int64_t ts_ns);
const char *pd_tcp_conn_state_name(pd_tcp_conn_state s);

#endif
