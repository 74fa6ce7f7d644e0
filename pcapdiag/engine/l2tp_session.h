/* l2tp_session.h - what the L2TP tracker remembers about one tunnel (an
 * L2TP control connection, RFC 2661) and its calls; shared by l2tp_track.c
 * (writes) and l2tp_detect.c (reads).
 *
 * Roles: the client is the LAC that sends the SCCRQ (a Windows or xl2tpd
 * client dialling in), the server the LNS on UDP 1701 that answers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_L2TP_SESSION_H
#define PD_L2TP_SESSION_H

#include "engine_internal.h"
#include "l2tp.h"
#include "ppp_track.h"

#define L2TP_MAX_CALLS 4    /* calls tracked per tunnel (a remote-access client makes one) */
#define L2TP_MAX_PENDING 8  /* unacknowledged control messages kept per direction (the
                             * default receive window is 4, RFC 2661 section 5.8) */
#define L2TP_MAX_MALFORMED 4 /* malformed-message evidence frames kept */
#define L2TP_TEXT 128       /* bytes kept of a peer's text (result message, host name) */

/* Directions, as pd_dir: 0 client -> server, 1 server -> client. */
enum { L2TP_C2S = 0, L2TP_S2C = 1 };

/* A control message that takes a sequence number and waits for its
 * acknowledgement (RFC 2661 section 5.8): every send of the same Ns. */
typedef struct l2tp_sent {
    uint16_t ns;
    uint16_t type; /* Message Type */
    uint32_t sends;
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
} l2tp_sent;

/* One direction of the reliable control channel. */
typedef struct l2tp_ctrl_dir {
    uint64_t messages;    /* control messages with a body, retransmissions included */
    uint64_t zlbs;        /* ZLB acknowledgements */
    uint64_t retransmits; /* sends of an Ns already sent */
    uint64_t hellos;
    uint64_t malformed;
    bool have_ns;
    uint16_t next_ns;     /* the Ns a new message takes next */
    bool have_nr;
    uint16_t nr;          /* the last Nr it sent: the peer's messages below are acked */
    uint64_t acked;       /* messages of this side the peer acknowledged */
    l2tp_sent pending[L2TP_MAX_PENDING]; /* sent, not acknowledged (oldest first) */
    size_t n_pending;
    uint64_t pending_dropped; /* pushed out of `pending` unacknowledged */
    /* the worst retransmission seen, acknowledged in the end or not */
    uint32_t max_sends;
    uint16_t max_sends_type;
    uint64_t first_frame, last_frame; /* control messages and ZLBs */
    int64_t first_ts, last_ts;
} l2tp_ctrl_dir;

typedef struct l2tp_data_dir {
    uint64_t packets;
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
    uint64_t ppp_control;
} l2tp_data_dir;

typedef struct l2tp_call {
    uint16_t client_sid, server_sid; /* each side's own Session ID (the peer sends to it) */
    bool have_client_sid, have_server_sid;
    bool outgoing;  /* OCRQ from the LNS rather than ICRQ from the LAC */
    bool implicit;  /* made from data messages: the setup is not in the capture */
    uint16_t request_type; /* ICRQ or OCRQ */
    uint64_t request_frame;
    int64_t request_ts;
    uint16_t reply_type; /* ICRP or OCRP */
    uint64_t reply_frame;
    int64_t reply_ts;
    bool connected; /* ICCN or OCCN seen */
    uint64_t connect_frame;
    int64_t connect_ts;
    /* Call-Disconnect-Notify */
    uint64_t cdn_frame;
    int64_t cdn_ts;
    int cdn_from; /* -1 none */
    uint16_t cdn_result, cdn_error;
    bool cdn_has_result, cdn_has_error;
    char cdn_message[L2TP_TEXT];
    bool cdn_has_q931;
    uint16_t cdn_q931;
    l2tp_data_dir data[2];
    pd_ppp_link ppp;
} l2tp_call;

typedef struct l2tp_tunnel {
    pd_session *session;
    pd_addr client, server;
    uint16_t client_port, server_port;
    uint16_t server_port_seen; /* where the server answers from (RFC 2661 section 8.1 lets it float) */
    uint8_t ip_proto;          /* 17, or 115 for L2TPv3 over IP */
    uint8_t version;           /* 2, or 3 (recognised, summarised) */
    pd_flow_key key;           /* the flow that owns this tunnel */
    bool triple_registered;

    /* Tunnel IDs: each side's own (the peer sends to it). */
    uint16_t client_tid, server_tid;
    bool have_client_tid, have_server_tid;

    l2tp_ctrl_dir ctrl[2];

    /* Tunnel establishment (RFC 2661 section 5.1.1). */
    uint32_t sccrq_count;
    uint64_t sccrq_frame, sccrq_last_frame;
    int64_t sccrq_ts, sccrq_last_ts;
    uint64_t sccrp_frame;
    int64_t sccrp_ts;
    bool sccrp_acked;
    uint64_t scccn_frame;
    int64_t scccn_ts;
    bool tunnel_connected; /* SCCCN acknowledged */
    bool setup_unseen;     /* the capture began after the tunnel was set up */
    uint64_t connected_frame;
    int64_t connected_ts;
    bool challenge[2]; /* tunnel authentication asked for by that side */

    /* StopCCN (section 5.7). */
    uint64_t stop_frame;
    int64_t stop_ts;
    int stop_from; /* -1 none */
    uint16_t stop_result, stop_error;
    bool stop_has_result, stop_has_error;
    char stop_message[L2TP_TEXT];
    bool stop_acked;

    /* Allocated as calls appear: a tunnel that never gets one stays small
     * (each call holds a whole PPP negotiation record). */
    l2tp_call *calls[L2TP_MAX_CALLS];
    size_t n_calls;
    uint64_t calls_dropped;  /* calls beyond L2TP_MAX_CALLS */
    uint64_t data_unmatched; /* data messages to a session no call knows */

    /* ICMP errors about the tunnel's UDP (or IP 115). */
    uint32_t icmp_count;
    uint64_t icmp_frame;
    int64_t icmp_ts;
    bool icmp_port_unreachable;
    bool icmp_from_server; /* sent by the server's own address */
    bool icmp_after_answer; /* the server had answered L2TP before the ICMP */
    uint8_t icmp_type, icmp_code;
    char icmp_what[96];
    char icmp_from[48];

    /* Messages that did not decode. */
    uint64_t malformed_total;
    uint64_t malformed_frames[L2TP_MAX_MALFORMED];
    char malformed_note[96];
    size_t n_malformed;

    /* Decrypted from ESP (--esp-keys): the SPI that first carried it; merged when the
     * tunnel writes into the ESP's own session (one L2TP/IPsec session) rather than a
     * session of its own. */
    bool in_esp, merged;
    uint32_t esp_spi;
    uint32_t esp_session_id;

    bool closed;
} l2tp_tunnel;

/* Findings for a tunnel that is over (l2tp_detect.c). */
void pd_l2tp_detect(pd_engine *e, l2tp_tunnel *t);

/* Ns ordering modulo 2^16 (RFC 2661 section 5.8): a before b. */
static inline bool l2tp_seq_before(uint16_t a, uint16_t b)
{
    return (int16_t)(uint16_t)(a - b) < 0;
}

#endif
