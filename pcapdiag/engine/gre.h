/* gre.h - GRE headers (RFC 2784, RFC 2890, RFC 1701 routing) and the
 * enhanced GRE of PPTP (RFC 2637 section 4.1), plus a per-direction tracker
 * of enhanced-GRE sequence and acknowledgment numbers.
 *
 * Enhanced GRE (version 1) carries PPP for one PPTP call: K is set and the
 * Key field holds Payload Length (16) + Call ID (16, the receiver's Call ID);
 * S adds a Sequence Number, A an Acknowledgment Number. A packet with no
 * payload carries no sequence number (an ack-only packet).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_GRE_H
#define PD_GRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PD_GRE_PROTO_PPP 0x880B /* PPTP's protocol type */
#define PD_GRE_MIN_LEN 4

typedef enum pd_gre_status {
    PD_GRE_OK,
    PD_GRE_TRUNCATED,   /* the capture (snaplen) ends inside the header */
    PD_GRE_BAD_VERSION, /* version not 0 or 1 */
    PD_GRE_MALFORMED    /* the packet on the wire ends inside the header (flags promise
                         * fields that are not there), or version 1 without K */
} pd_gre_status;

/* Does the version-1 Payload Length agree with the bytes of the packet?
 * Captured vs on the wire: a snaplen cut is not a disagreement. */
typedef enum pd_gre_len_check {
    PD_GRE_LEN_NONE,        /* version 0: there is no length field */
    PD_GRE_LEN_OK,          /* field == bytes after the header on the wire, all captured */
    PD_GRE_LEN_SNAPLEN_CUT, /* field == bytes on the wire, the capture kept fewer */
    PD_GRE_LEN_FIELD_SHORT, /* field < bytes on the wire: trailing bytes not covered */
    PD_GRE_LEN_FIELD_LONG   /* field > bytes on the wire: the packet lost bytes */
} pd_gre_len_check;

/* Oddities a mangling detector may want; none stops the decode. */
#define PD_GRE_ANOM_V1_NO_KEY 0x0001        /* version 1 without K (status MALFORMED) */
#define PD_GRE_ANOM_V1_RESERVED_BITS 0x0002 /* version 1 with C, R, s, Recur or flags set */
#define PD_GRE_ANOM_V1_NOT_PPP 0x0004       /* version 1 protocol type other than 0x880B */
#define PD_GRE_ANOM_V0_ACK_BIT 0x0008       /* A (reserved in version 0) set */
#define PD_GRE_ANOM_LEN_MISMATCH 0x0010     /* len_check is FIELD_SHORT or FIELD_LONG */
#define PD_GRE_ANOM_ROUTING 0x0020          /* R set (deprecated by RFC 2784) */

typedef struct pd_gre {
    pd_gre_status status;
    /* first two octets: C R K S s Recur(3) | A Flags(4) Ver(3) */
    bool c, r, k, s, strict_route, a;
    uint8_t recur;
    uint8_t flags; /* the 4 bits between A and Ver */
    uint8_t version;
    uint16_t protocol;
    bool has_checksum; /* C or R: Checksum + Offset present */
    uint16_t checksum, offset;
    bool has_key;
    uint32_t key;            /* the raw Key field (version 0 or 1) */
    uint16_t payload_length; /* version 1: high half of the Key */
    uint16_t call_id;        /* version 1: low half of the Key (the receiver's Call ID) */
    bool has_seq;
    uint32_t seq;
    bool has_ack; /* version 1 with A */
    uint32_t ack;
    size_t header_len;

    /* The payload (PPP for version 1): pointer into the caller's buffer.
     * payload_len is the captured bytes of it (for version 1 at most
     * payload_length); payload_wire_len what the wire carried after the
     * header. */
    const uint8_t *payload;
    size_t payload_len;
    size_t payload_wire_len;
    pd_gre_len_check len_check;
    uint32_t anomalies; /* PD_GRE_ANOM_* */
} pd_gre;

/* data/caplen: the captured IP payload; wire_len: the IP payload length per
 * the IP header (values below caplen are taken as caplen). */
pd_gre_status pd_gre_decode(const uint8_t *data, size_t caplen, size_t wire_len, pd_gre *out);

const char *pd_gre_status_name(pd_gre_status s);
const char *pd_gre_len_check_name(pd_gre_len_check c);
/* Name of one PD_GRE_ANOM_* bit ("v1_no_key"), "unknown" otherwise. */
const char *pd_gre_anomaly_name(uint32_t bit);

/* One line for a ladder: "GRE call 5 seq 3 ack 2 len 42". */
size_t pd_gre_describe(const pd_gre *g, char *buf, size_t len);

/* ---- sequence tracker, one direction -------------------------------------- */

/* A step in sequence numbers this large (either way) is taken as a restart
 * or a mangled number, not as that many lost packets. */
#define PD_GRE_SEQ_MAX_JUMP 0x10000u

typedef struct pd_gre_seq_tracker {
    uint64_t packets;         /* all updates */
    uint64_t payload_packets; /* with a payload or a sequence number */
    uint64_t ack_only;        /* A set, no S, no payload */
    uint64_t with_ack;        /* A set */
    uint64_t lost;            /* numbers skipped and not (yet) seen late */
    uint64_t reordered;       /* arrived below the highest number, first time */
    uint64_t duplicates;      /* a number seen twice (within the last 64) */
    uint64_t jumps;           /* steps of PD_GRE_SEQ_MAX_JUMP or more */
    bool have_seq;
    uint32_t first_seq;
    uint32_t last_seq; /* the highest (in sequence space) seen */
    uint64_t first_seq_frame, last_seq_frame;
    bool have_ack;
    uint32_t first_ack, last_ack; /* last_ack: the highest seen */
    uint64_t first_frame, last_frame;
    uint64_t window; /* bit i: last_seq - i was seen */
} pd_gre_seq_tracker;

void pd_gre_seq_init(pd_gre_seq_tracker *t);
/* Count one decoded packet of this direction (status PD_GRE_OK). */
void pd_gre_seq_update(pd_gre_seq_tracker *t, const pd_gre *g, uint64_t frame);
/* Does `ack` (sent by the other direction) acknowledge something this
 * direction never sent? True when it is above this direction's highest seq. */
bool pd_gre_seq_ack_beyond(const pd_gre_seq_tracker *t, uint32_t ack);

#endif
