/* pair.h - two captures of one VPN attempt, one at the client and one at the
 * server: sessions matched across them, packets matched one to one, and what
 * the path between the two capture points did to each packet (delivered,
 * lost, changed, translated by a NAT), turned into refined findings.
 *
 * Packet identity follows the protocols' own numbering so that a NAT (RFC
 * 3022: addresses, ports; RFC 2637 section 4 / the PPTP NAT helpers: call
 * IDs), TTL decrements (RFC 791) and checksum updates never break a match:
 * TCP sequence/acknowledgment numbers (RFC 9293), enhanced GRE sequence and
 * acknowledgment numbers (RFC 2637 section 4.1), L2TP Ns/Nr (RFC 2661
 * section 5.8), IKE SPIs and message IDs (RFC 2408 3.1, RFC 7296 3.1), ESP
 * SPI and sequence number (RFC 4303), IP fragment identification and offset
 * (RFC 791). Identical retransmissions, reordering and a clock offset
 * between the two machines are resolved by time (the offset is estimated
 * from packets that occur exactly once in both captures, NTP-style from the
 * two directions).
 *
 * The module reads nothing itself except in pd_pair_read_capture (libpcap);
 * everything else works on what pd_pair_capture_add recorded and on the two
 * finished engines.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PAIR_H
#define PD_PAIR_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapdiag/pcapdiag.h"

/* Which capture: indexes into every [2] array below. */
typedef enum pd_pair_role { PD_PAIR_CLIENT = 0, PD_PAIR_SERVER = 1 } pd_pair_role;

const char *pd_pair_role_name(pd_pair_role r); /* "client", "server" */

/* ---- recording one capture -------------------------------------------------- */

/* The packets of one capture, as much of each as pairing needs (identity,
 * a bounded copy of the bytes for naming changed fields). Bounded: at most
 * PD_PAIR_MAX_PACKETS records and PD_PAIR_MAX_BYTES of copied bytes; what is
 * beyond is counted, not kept. */
#define PD_PAIR_MAX_PACKETS 2000000u
#define PD_PAIR_MAX_BYTES (64u * 1024 * 1024)
#define PD_PAIR_KEEP_BYTES 2048u /* bytes of each IP packet kept for diffs */

typedef struct pd_pair_capture pd_pair_capture;

pd_pair_capture *pd_pair_capture_new(void);
void pd_pair_capture_free(pd_pair_capture *c);

/* Record one frame, with what pd_engine_feed() said about it (`result` may
 * be NULL: no session). Frames must come in capture order. Frames that
 * cannot matter for a VPN session (not IP; no VPN protocol, port, fragment
 * or ICMP error) are counted and not kept. */
void pd_pair_capture_add(pd_pair_capture *c, const pd_frame *frame, const pd_frame_result *result);

size_t pd_pair_capture_packets(const pd_pair_capture *c); /* records kept */
uint64_t pd_pair_capture_not_kept(const pd_pair_capture *c); /* over the caps */

/* Read a capture file with libpcap, feeding every frame to `engine` and to
 * `rec` (either may be NULL), then finish the engine. `filter`: a BPF filter
 * or NULL. False with *error set (one line, no file name) on a file problem;
 * a file cut short mid-record is not an error: *truncated is set and the
 * engine marked. *format gets "pcap" or "pcapng", *linktype the LINKTYPE_. */
bool pd_pair_read_capture(const char *path, const char *filter, pd_engine *engine,
                          pd_pair_capture *rec, const char **format, uint32_t *linktype,
                          bool *truncated, char **error);

/* ---- the result ------------------------------------------------------------- */

/* What happened to one packet between the two capture points. */
typedef enum pd_pair_fate {
    PD_PAIR_ARRIVED,  /* seen at both points, unchanged but for TTL, checksums, NAT */
    PD_PAIR_MODIFIED, /* seen at both points, with bytes changed in transit */
    PD_PAIR_LOST,     /* left the sender's capture point, never seen at the other */
    PD_PAIR_UNSENT,   /* seen arriving, but absent from the sender's capture */
    PD_PAIR_PATH,     /* sent by neither endpoint (an ICMP error from a router) */
    PD_PAIR_OFF_PATH  /* left the sender's capture point; the other capture point is not on
                       * this session's path (pd_pair_session.off_path): not lost */
} pd_pair_fate;

/* "arrived", "modified", "lost", "unsent", "path", "off_path" */
const char *pd_pair_fate_name(pd_pair_fate f);

typedef enum pd_pair_change_kind {
    PD_PAIR_CHANGE_MANGLED, /* damage: a field no NAT or router has reason to touch */
    PD_PAIR_CHANGE_NAT,     /* address, port or PPTP call ID translated consistently */
    PD_PAIR_CHANGE_BENIGN   /* TTL, IP ID, DF, TCP window/MSS: routers and scrubbers do this */
} pd_pair_change_kind;

const char *pd_pair_change_kind_name(pd_pair_change_kind k); /* "mangled", "nat", "benign" */

/* Which field changed (the kinds NAT classification needs to tell apart). */
typedef enum pd_pair_field {
    PD_PAIR_F_OTHER,
    PD_PAIR_F_SRC_ADDR,
    PD_PAIR_F_DST_ADDR,
    PD_PAIR_F_SRC_PORT,
    PD_PAIR_F_DST_PORT,
    PD_PAIR_F_GRE_CALL_ID,  /* enhanced GRE Key, low half */
    PD_PAIR_F_PPTP_CALL_ID, /* Call ID / Peer Call ID in a PPTP control message */
    PD_PAIR_F_ICMP_QUOTED   /* the packet an ICMP error quotes (a NAT rewrites it too) */
} pd_pair_field;

typedef struct pd_pair_change {
    pd_pair_change_kind kind;
    pd_pair_field field_id;
    char *field;  /* "GRE key call ID", "LCP Length", "IP fragments" */
    char *before; /* as sent ("20715") */
    char *after;  /* as received ("48879") */
} pd_pair_change;

/* One packet, seen from both capture points: a line of the two-column ladder. */
typedef struct pd_pair_packet {
    pd_dir dir; /* TO_SERVER, TO_CLIENT, or OTHER for PD_PAIR_PATH */
    pd_pair_fate fate;
    uint8_t ip_proto; /* 6 TCP, 17 UDP, 47 GRE, 50 ESP, 1/58 ICMP ... */
    uint16_t server_port; /* TCP/UDP: the server side's port, 0 if none */
    uint64_t frame[2]; /* frame number in each capture, 0 = not in it */
    int64_t ts_ns[2];  /* each in its own capture's clock (0 when frame is 0) */
    int64_t t_ns;      /* when it was sent, on the client capture's clock */
    /* Lost or unsent while the other capture shows no frames (before its
     * first or after its last): that capture may not have been running. */
    bool outside_window;
    bool fragment;       /* an IP fragment */
    bool later_fragment; /* an IP fragment other than the first (offset > 0) */
    bool pure_ack;       /* a TCP segment with no data and no SYN/FIN/RST */
    char *text;          /* "LCP Configure-Request [Magic, PFC, ACFC]" */
    pd_pair_change *changes; /* mangled and NAT changes (benign ones too, last) */
    size_t n_changes;
} pd_pair_packet;

/* One direction of one paired session. */
typedef struct pd_pair_dir_stats {
    uint64_t sent;     /* in the sender's capture */
    uint64_t arrived;  /* of those, seen at the receiver (modified ones included) */
    uint64_t lost;     /* of those, never seen at the receiver */
    uint64_t lost_outside_window; /* of the lost, while the receiver's capture showed nothing */
    uint64_t modified; /* arrived with mangled bytes */
    uint64_t unsent;   /* seen at the receiver, absent from the sender's capture */
    uint64_t off_path; /* in the sender's capture, the receiver's capture not on the path */
    uint64_t fragments_sent, later_fragments_sent;
    uint64_t fragments_lost, later_fragments_lost; /* fragments_lost includes the later ones */
    int hops; /* TTL decrement between the capture points, -1 if unknown */
} pd_pair_dir_stats;

/* A translation seen between the two capture points: the client capture's
 * value ("inside") against the server capture's ("outside"). */
typedef struct pd_pair_nat {
    char *what;    /* "client", "server", "PPTP call ID" */
    char *inside;  /* "10.0.1.2:37762" */
    char *outside; /* "10.0.2.1:37762" */
    char *carried; /* "TCP, GRE": which packets showed it */
    uint64_t packets;
} pd_pair_nat;

typedef struct pd_pair_session {
    uint32_t id; /* 1-based, in order of first packet */
    pd_protocol protocol;
    /* The session in each capture (NULL: that capture shows none). */
    const pd_session *side[2];
    /* That capture shows no packet of this session, and the other one holds
     * packets from this capture's own side that it never recorded: its
     * capture point is not on the session's path (another client of the
     * same server, another server of the same client, or a capture not
     * running). Nothing sent towards it counts as lost. */
    bool off_path[2];
    pd_pair_dir_stats dirs[2]; /* [PD_DIR_TO_SERVER], [PD_DIR_TO_CLIENT] */
    pd_pair_packet *packets;   /* in order of t_ns */
    size_t n_packets;
    pd_pair_nat *nat;
    size_t n_nat;
    int64_t first_t_ns, last_t_ns;
} pd_pair_session;

typedef struct pd_pair_evidence {
    pd_pair_role capture;
    uint64_t frame;
    int64_t ts_ns; /* in that capture's clock */
    char *note;
} pd_pair_evidence;

/* A finding of the paired verdict: a single-capture finding refined by
 * what the path did, or one of the path.* findings only pairing can give. */
typedef struct pd_pair_finding {
    const pd_signature *signature;
    pd_severity severity;
    pd_confidence confidence;
    int *windows_errors;
    size_t n_windows_errors;
    uint32_t session; /* pd_pair_session.id, 0: about a capture as a whole */
    char *summary;
    char *explanation;
    char *remediation; /* may be NULL */
    pd_blame blame;
    pd_pair_evidence *evidence;
    size_t n_evidence;
    char *display_filter[2]; /* per capture, NULL when no evidence there */
    /* What the single captures said before pairing ("client: pptp.gre_blocked,
     * confidence high, blame path"), or NULL for a path.* finding. */
    char *single;
    bool refined; /* pairing changed its confidence, blame or signature */
} pd_pair_finding;

typedef struct pd_pair_clock {
    bool known;        /* estimated from packets seen at both points */
    int64_t offset_ns; /* server capture clock minus client capture clock */
    /* Median (server time - client time) per direction: offset plus the
     * one-way delay (to the server), offset minus it (to the client). */
    bool dir_known[2];
    int64_t transit_ns[2];
    uint64_t samples[2];
    bool from_unique; /* from packets that occur exactly once in both captures */
} pd_pair_clock;

typedef struct pd_pair_result {
    pd_pair_clock clock;
    uint64_t matched;     /* packets seen at both points */
    int64_t origin_ns;    /* the pair's time origin, client clock */
    int64_t span_ns[2][2]; /* [capture][first, last] frame times, own clock */
    pd_pair_session *sessions;
    size_t n_sessions;
    pd_pair_finding *findings;
    size_t n_findings;
    uint64_t not_kept[2]; /* packets over the recording caps */
} pd_pair_result;

typedef struct pd_pair_options {
    /* How far from the expected arrival time a copy of an identical
     * (retransmitted) packet may be matched; 0: 1 s. */
    int64_t window_ns;
} pd_pair_options;

#define PD_PAIR_ERROR (pd_pair_error_quark())
GQuark pd_pair_error_quark(void);

typedef enum pd_pair_error {
    PD_PAIR_ERROR_NO_VPN,     /* neither capture holds a VPN session */
    PD_PAIR_ERROR_NO_OVERLAP, /* the captures do not overlap in time */
    PD_PAIR_ERROR_NO_SHARED   /* both hold sessions, none of them the same */
} pd_pair_error;

/* Should the two captures swap roles? True when the first looks like the
 * server's capture and the second like the client's (vantage estimates). */
bool pd_pair_roles_swapped(const pd_capture_stats *first, const pd_capture_stats *second);

/* Pair two finished engines and their recordings: engine[PD_PAIR_CLIENT] and
 * rec[PD_PAIR_CLIENT] come from the client's capture. NULL with *error set
 * when the captures share no session or do not overlap in time. The engines
 * must outlive the result. `opts` may be NULL. */
pd_pair_result *pd_pair_analyse(pd_engine *const engine[2], pd_pair_capture *const rec[2],
                                const pd_pair_options *opts, GError **error);
void pd_pair_result_free(pd_pair_result *r);

/* Any error finding in the paired verdict? */
bool pd_pair_has_error(const pd_pair_result *r);

#endif /* PD_PAIR_H */
