/* pptp_session.h - what the PPTP tracker remembers about one control
 * connection and its calls; shared by pptp_track.c (writes) and
 * pptp_detect.c (reads).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PPTP_SESSION_H
#define PD_PPTP_SESSION_H

#include "engine_internal.h"
#include "gre.h"
#include "icmp.h"
#include "ppp_track.h"
#include "pptp.h"
#include "tcp.h"

#define PPTP_MAX_CALLS 4    /* calls tracked per control connection (one is usual) */
#define PPTP_MAX_MANGLED 6  /* mangling evidence frames kept */

/* Directions, as pd_dir: 0 client -> server, 1 server -> client. */
enum { PPTP_C2S = 0, PPTP_S2C = 1 };

typedef struct pptp_mangled {
    uint64_t frame;
    int64_t ts_ns;
    char note[112];
} pptp_mangled;

/* The control stream of one connection, both directions: only connections
 * that carry data pay for it (a SYN that is never answered does not). */
typedef struct pptp_stream {
    pd_tcp_stream tcp[2];
    pd_pptp_framer framer[2];
} pptp_stream;

typedef struct pptp_gre_dir {
    pd_gre_seq_tracker seq;
    uint64_t packets;
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
    uint64_t ppp_control; /* PPP control frames (LCP, auth, CCP, IPCP...) */
} pptp_gre_dir;

typedef struct pptp_call {
    uint16_t pns_call_id; /* the client's (PNS) Call ID: GRE to the client carries it */
    uint16_t pac_call_id; /* the server's (PAC) Call ID: GRE to the server carries it */
    bool have_pns_id, have_pac_id;
    bool incoming; /* set up by ICRQ/ICRP/ICCN rather than OCRQ/OCRP */
    uint64_t request_frame;
    int64_t request_ts;
    uint64_t reply_frame;
    int64_t reply_ts;
    uint8_t reply_result, reply_error;
    uint16_t reply_cause;
    bool connected;
    uint64_t ccrq_frame; /* Call-Clear-Request */
    int64_t ccrq_ts;
    uint64_t cdn_frame; /* Call-Disconnect-Notify */
    int64_t cdn_ts;
    int cdn_from;
    uint8_t cdn_result, cdn_error;
    uint16_t cdn_cause;
    pptp_gre_dir gre[2];
    pd_ppp_link ppp;
    /* Its GRE or PPP bytes were damaged on the way: pptp.fixup_mangled then
     * explains the PPP silence that follows, and the path is not blamed. */
    bool mangled;
} pptp_call;

typedef struct pptp_conn {
    pd_session *session;
    pd_addr client, server;
    uint16_t client_port, server_port;
    pd_flow_key pair_key; /* the address pair GRE is matched by */
    pd_tcp_conn tcp;
    pptp_stream *stream; /* reassembly and framing, allocated with the first payload byte */
    uint64_t ctrl_messages[2];

    uint64_t sccrq_frame, sccrp_frame;
    int64_t sccrq_ts, sccrp_ts;
    uint8_t sccrp_result, sccrp_error;
    bool control_connected;

    uint64_t stop_frame; /* Stop-Control-Connection-Request */
    int64_t stop_ts;
    int stop_from;
    uint8_t stop_reason;
    uint64_t stop_reply_frame;

    /* Echo-Requests from each side not yet answered, in a row. */
    uint32_t echo_unanswered[2];
    uint64_t echo_first_unanswered_frame[2], echo_last_unanswered_frame[2];
    int64_t echo_first_unanswered_ts[2], echo_last_unanswered_ts[2];

    pptp_call *calls[PPTP_MAX_CALLS]; /* allocated as calls appear */
    size_t n_calls;
    uint64_t gre_unmatched; /* GRE between the pair that fits no call */

    /* ICMP errors about the control connection or the GRE (the first one). */
    uint32_t icmp_count;
    uint64_t icmp_frame;
    int64_t icmp_ts;
    pd_icmp_error icmp_first_kind; /* version, type, code (the quoted packet is not kept) */
    pd_addr icmp_from;
    bool icmp_about_gre;

    /* Signs of a PPTP-aware middlebox damaging the call (allocated with the first). */
    pptp_mangled *mangled;
    size_t n_mangled;
    uint64_t mangled_total;

    /* How the control connection ended, as seen. */
    uint64_t teardown_frame;
    int64_t teardown_ts;
    int teardown_from; /* -1 none */
    const char *teardown_what;

    bool closed;

    /* A call captured mid-call (pptp_track.c: GRE with no known control
     * connection): one session per call, the roles a guess until a control
     * stream or the PPP itself says otherwise. */
    bool midcall;
    bool ctrl_midstream;   /* TCP 1723 joined after the GRE, its start not captured */
    uint8_t holders;       /* flows holding it: the GRE pair's and a joined TCP 1723 */
    const char *role_basis; /* how the client was chosen ("first sender", ...) */
    bool pairing_ambiguous; /* a direction could not be paired with certainty */
    uint32_t ctrl_call_id_seen, ctrl_call_id_matched; /* control messages naming a call */
} pptp_conn;

/* Findings for a control connection that is over (pptp_detect.c). */
void pd_pptp_detect(pd_engine *e, pptp_conn *c);
/* Findings for a call captured mid-call: only what its GRE and PPP show. */
void pd_pptp_detect_midcall(pd_engine *e, pptp_conn *c);

#endif
