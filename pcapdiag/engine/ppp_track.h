/* ppp_track.h - follows the negotiation of one PPP link seen from both
 * directions (RFC 1661 option negotiation for LCP, CCP, IPCP, IPV6CP; the
 * authentication phase of PAP, CHAP/MS-CHAPv2, EAP).
 *
 * Feed it every decoded PPP frame of the link with its direction:
 *   dir 0 (PD_PPP_DIR_C2S) = client -> server, 1 (PD_PPP_DIR_S2C) = server -> client.
 * It knows nothing of PPTP, L2TP or sessions. Everything it learns is in the
 * plain struct pd_ppp_link, which detectors read directly; the predicates
 * at the end answer the usual questions.
 *
 * Conventions: frame numbers are 1-based, 0 means "never"; "sent" counts are
 * what that direction sent. State is RFC 1661's automaton in simplified form:
 * a side is OPENED when its own Configure-Request was acked AND it acked the
 * peer's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PPP_TRACK_H
#define PD_PPP_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp.h"

#define PD_PPP_DIR_C2S 0
#define PD_PPP_DIR_S2C 1

/* The option-negotiating control protocols. */
typedef enum pd_ppp_cp {
    PD_PPP_CP_LCP,
    PD_PPP_CP_CCP,
    PD_PPP_CP_IPCP,
    PD_PPP_CP_IPV6CP,
    PD_PPP_CP__COUNT
} pd_ppp_cp;

typedef enum pd_ppp_cp_state {
    PD_CP_INITIAL,  /* nothing sent yet */
    PD_CP_REQ_SENT, /* Configure-Request sent, not acked, peer's not acked */
    PD_CP_ACK_RCVD, /* own request acked, peer's not (yet) acked */
    PD_CP_ACK_SENT, /* peer's request acked, own not (yet) */
    PD_CP_OPENED,   /* both */
    PD_CP_CLOSING,  /* Terminate-Request seen (either way), no Terminate-Ack yet */
    PD_CP_CLOSED    /* Terminate-Ack seen */
} pd_ppp_cp_state;

#define PD_PPP_TRACK_MAX_TYPES 8   /* option types remembered per Nak/Reject list */
#define PD_PPP_TRACK_MAX_FRAMES 4  /* first frames remembered for malformed frames */
#define PD_PPP_TRACK_TEXT 128      /* bytes kept of a message text (NUL included) */
#define PD_PPP_TRACK_MAX_PROTOS 8  /* protocols remembered per Protocol-Reject list */

/* A bounded set of option types, in first-seen order. */
typedef struct pd_ppp_type_list {
    uint8_t types[PD_PPP_TRACK_MAX_TYPES];
    size_t n;
    bool overflow;
} pd_ppp_type_list;

/* One direction's view of one control protocol. */
typedef struct pd_ppp_cp_side {
    pd_ppp_cp_state state;

    /* Configure-Requests this side sent */
    uint32_t conf_req;
    uint64_t first_req_frame, last_req_frame;
    int64_t first_req_ts, last_req_ts;
    uint8_t last_req_id;
    uint32_t reqs_unanswered;  /* requests since the peer last answered (Ack, Nak or Reject) */
    pd_ppp_cfg last_req;   /* options of the last request */
    pd_ppp_type_list req_types; /* option types it ever requested */
    pd_lcp_opts first_auth;     /* LCP options of its first request naming Auth-Protocol */

    /* Acks of those requests, sent by the peer */
    uint32_t acks_received;     /* acks whose identifier matched */
    uint32_t acks_stale;        /* acks with another identifier (RFC 1661: discarded) */
    uint64_t first_ack_frame, last_ack_frame;
    int64_t first_ack_ts;
    pd_ppp_cfg acked;           /* options of the last matching ack: what this side got */
    bool req_acked;             /* the current request is acked */

    /* Naks/Rejects this side SENT about the peer's requests */
    uint32_t naks_sent, rejects_sent;
    uint64_t first_nak_frame, last_nak_frame, first_rej_frame, last_rej_frame;
    pd_ppp_type_list nak_types, rej_types; /* option types named */
    pd_ppp_cfg last_nak;                   /* the values suggested in the last Nak */
    uint32_t acks_sent;
    bool acked_peer;            /* this side acked the peer's current request */

    /* Terminate */
    uint32_t term_req, term_ack;  /* sent */
    uint64_t first_term_req_frame, first_term_ack_frame;
    int64_t first_term_req_ts;
    char term_reason[PD_PPP_TRACK_TEXT]; /* text of the first Terminate-Request */

    /* Code-Reject this side sent for this protocol */
    uint32_t code_rejects;
    uint64_t first_code_rej_frame;
    uint8_t last_rejected_code;

    /* internal, for `state`: */
    bool req_active;    /* sent a request in the current negotiation (since any Terminate) */
    uint8_t term_phase; /* 0 none, 1 Terminate-Request seen, 2 Terminate-Ack seen */
    uint64_t opened_frame; /* first time this side was OPENED, 0 never */
    uint32_t renegotiations; /* Configure-Request after OPENED, either side */
} pd_ppp_cp_side;

typedef enum pd_ppp_auth_result {
    PD_PPP_AUTH_NONE,    /* no verdict seen */
    PD_PPP_AUTH_SUCCESS, /* PAP Ack, CHAP Success, EAP Success */
    PD_PPP_AUTH_FAILURE  /* PAP Nak, CHAP Failure, EAP Failure */
} pd_ppp_auth_result;

typedef struct pd_ppp_auth {
    /* From LCP: the Auth-Protocol option in a Configure-Ack (what was agreed) */
    bool negotiated;
    uint16_t protocol;     /* PD_PPP_PAP / PD_PPP_CHAP / PD_PPP_EAP */
    uint8_t algorithm;     /* CHAP algorithm, 0 otherwise */
    int authenticator_dir; /* the direction that asked for auth, -1 unknown */
    uint64_t negotiated_frame;

    /* From the auth packets themselves */
    uint16_t seen_protocol; /* first auth protocol seen on the wire, 0 none */
    uint64_t first_frame, last_frame;
    uint32_t challenges;   /* CHAP Challenge */
    uint32_t responses;    /* CHAP Response, PAP Authenticate-Request, EAP Response */
    uint32_t eap_requests;
    uint64_t first_challenge_frame, first_response_frame;
    char peer_name[PD_PPP_TRACK_TEXT]; /* PAP Peer-ID, CHAP Response name, EAP Identity */

    pd_ppp_auth_result result; /* the last verdict */
    uint64_t result_frame;
    int64_t result_ts;
    uint32_t successes, failures;
    uint64_t first_failure_frame;
    char message[PD_PPP_TRACK_TEXT]; /* the verdict's text (MS-CHAP: the M= part) */
    bool has_error_code;
    uint32_t error_code; /* MS-CHAP E= (691, 649, ...) of the last failure */
    bool retry_allowed;  /* MS-CHAP R=1 */
    bool has_version;
    uint32_t mschap_version; /* V= */

    /* EAP */
    uint8_t eap_first_type; /* first method the server requested (past Identity), 0 none */
    uint8_t eap_nak_type;   /* the method a peer asked for in an EAP Nak, 0 none */
    pd_ppp_type_list eap_types; /* EAP types seen in Requests */
} pd_ppp_auth;

typedef struct pd_ppp_dir_stats {
    uint64_t frames;
    /* Malformed (pd_ppp_check says mangling) */
    uint32_t malformed;
    uint64_t malformed_frames[PD_PPP_TRACK_MAX_FRAMES];
    pd_ppp_damage malformed_reasons[PD_PPP_TRACK_MAX_FRAMES];
    uint32_t truncated; /* cut by the capture */
    uint32_t unknown_protocol;
    uint16_t last_unknown_protocol;
    /* Compressed/encrypted datagrams (0x00FD, 0x00FB) */
    uint64_t compressed, compressed_bytes;
    uint64_t first_compressed_frame, last_compressed_frame;
    /* Clear network datagrams (IP, IPv6, VJ) */
    uint64_t network;
    uint64_t first_network_frame;
    /* LCP Echo */
    uint32_t echo_req, echo_rep;
    uint64_t first_echo_req_frame, last_echo_req_frame, last_echo_rep_frame;
    /* LCP Protocol-Reject this direction sent */
    uint32_t proto_rejects;
    uint64_t first_proto_rej_frame;
    uint16_t rejected_protocols[PD_PPP_TRACK_MAX_PROTOS];
    size_t n_rejected_protocols;
    /* Other control protocol frames (CBCP, BACP, ...) */
    uint64_t other_control;
} pd_ppp_dir_stats;

typedef struct pd_ppp_link {
    pd_ppp_cp_side cp[PD_PPP_CP__COUNT][2]; /* [protocol][direction] */
    uint64_t cp_opened_frame[PD_PPP_CP__COUNT]; /* first frame both sides were OPENED */
    int64_t cp_opened_ts[PD_PPP_CP__COUNT];
    pd_ppp_auth auth;
    pd_ppp_dir_stats dir[2];
    uint64_t frames;
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
} pd_ppp_link;

void pd_ppp_link_init(pd_ppp_link *l);
/* One frame of the link. dir is 0 or 1 (anything else is ignored). */
void pd_ppp_link_feed(pd_ppp_link *l, const pd_ppp_frame *f, int dir, uint64_t frame,
                      int64_t ts_ns);

/* Exchange the two directions (the roles of a link were a guess). */
void pd_ppp_link_swap_dirs(pd_ppp_link *l);

/* PD_PPP_CP_* for a protocol number, -1 if it is not one of them. */
int pd_ppp_cp_from_protocol(uint16_t protocol);
const char *pd_ppp_cp_name(pd_ppp_cp cp); /* "LCP" */
const char *pd_ppp_cp_state_name(pd_ppp_cp_state s); /* "req-sent" */
const char *pd_ppp_auth_result_name(pd_ppp_auth_result r); /* "success" */

/* ---- predicates ----------------------------------------------------------- */
/* "opened": reached OPENED at some point (cp_opened_frame != 0), even if
 * it was terminated later; pd_ppp_link_cp_open_now says whether it still is. */
bool pd_ppp_link_cp_opened(const pd_ppp_link *l, pd_ppp_cp cp);
bool pd_ppp_link_cp_open_now(const pd_ppp_link *l, pd_ppp_cp cp);
bool pd_ppp_link_lcp_opened(const pd_ppp_link *l);
bool pd_ppp_link_ccp_opened(const pd_ppp_link *l);
bool pd_ppp_link_ipcp_opened(const pd_ppp_link *l);
bool pd_ppp_link_ipv6cp_opened(const pd_ppp_link *l);
/* Authentication succeeded, or LCP opened with no Auth-Protocol agreed
 * (nothing to authenticate). */
bool pd_ppp_link_auth_done(const pd_ppp_link *l);
bool pd_ppp_link_auth_failed(const pd_ppp_link *l); /* last verdict was a failure */
/* Configure-Requests `dir` sent for `cp` since the peer last answered one
 * (Ack, Nak or Reject): all of them if it never answered. */
uint32_t pd_ppp_link_unanswered_reqs(const pd_ppp_link *l, pd_ppp_cp cp, int dir);
/* Some Terminate-Request was seen for `cp`; *dir_out (may be NULL) gets the
 * direction of the first one. */
bool pd_ppp_link_terminated(const pd_ppp_link *l, pd_ppp_cp cp, int *dir_out);
/* MPPE agreed: CCP opened, and each direction's acked CCP request holds an
 * MPPE option with an encryption bit (40/56/128-bit). */
bool pd_ppp_link_mppe(const pd_ppp_link *l);
/* Both sides requested the same LCP Magic-Number: a looped-back link (RFC 1661 6.4). */
bool pd_ppp_link_looped(const pd_ppp_link *l);
/* Malformed frames in both directions together. */
uint32_t pd_ppp_link_malformed(const pd_ppp_link *l);

#endif
