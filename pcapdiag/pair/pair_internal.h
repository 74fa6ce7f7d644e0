/* pair_internal.h - the pair module's inside: one recorded packet, the
 * recording, the matcher and the field differ (exposed for the unit tests).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PAIR_INTERNAL_H
#define PD_PAIR_INTERNAL_H

#include <glib.h>
#include <stdlib.h>

#include "ip.h"
#include "pair.h"

/* What a recorded packet is, as far as its identity goes. */
typedef enum pd_pair_kind {
    PD_PAIR_K_OTHER,
    PD_PAIR_K_TCP,
    PD_PAIR_K_UDP,
    PD_PAIR_K_IKE,       /* IKE on UDP 500, or 4500 after the non-ESP marker */
    PD_PAIR_K_ESP,       /* ESP (IP 50) or ESP in UDP 4500 */
    PD_PAIR_K_KEEPALIVE, /* NAT-T keepalive (RFC 3948 2.3) */
    PD_PAIR_K_GRE,
    PD_PAIR_K_L2TP,
    PD_PAIR_K_ICMP,
    PD_PAIR_K_FRAG /* an IP fragment: identified at the IP layer */
} pd_pair_kind;

typedef struct pd_pair_pkt {
    uint64_t frame;
    int64_t ts_ns;
    uint32_t session; /* the engine's session id (for fragments: the datagram's) */
    uint8_t ip_version, ttl, proto, kind;
    uint8_t tcp_flags;
    bool df, is_frag, mf;
    bool tcp_payload; /* a TCP segment carrying data */
    uint32_t frag_off;
    uint32_t ip_id;
    uint32_t ip_payload_len; /* upper-layer bytes on the wire */
    pd_addr src, dst;
    uint16_t sport, dport;
    uint64_t ident_base; /* protocol identity, NAT-invariant; 0: none */
    bool ident_dir;      /* the identity only holds within one direction (GRE, TCP) */
    uint64_t content;    /* hash of the bytes nothing on a healthy path changes */
    /* A copy of the IP packet (from the IP header), at most PD_PAIR_KEEP_BYTES */
    size_t bytes_off;
    uint32_t bytes_len;
    /* Filled by the analysis. */
    pd_dir dir;
    uint64_t ident;
    int64_t peer; /* index of the same packet in the other capture, -1: none */
} pd_pair_pkt;

struct pd_pair_capture {
    GArray *pkts;      /* pd_pair_pkt */
    GByteArray *bytes; /* the copies */
    uint64_t frames;
    uint64_t not_kept; /* records refused at PD_PAIR_MAX_PACKETS */
    uint64_t bytes_not_kept;
    int64_t first_ts_ns, last_ts_ns;
    bool fragments_attributed;
};

static inline const uint8_t *pd_pair_pkt_bytes(const pd_pair_capture *c, const pd_pair_pkt *p)
{
    return p->bytes_len ? c->bytes->data + p->bytes_off : NULL;
}

/* qsort, but never with an empty (possibly NULL) array: C leaves that
 * undefined and UBSan says so. */
static inline void pd_pair_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (base && n > 1)
        qsort(base, n, size, cmp);
}

/* FNV-1a, 64 bits: the identity and content hashes. */
#define PD_PAIR_HASH_INIT 0xcbf29ce484222325ull
uint64_t pd_pair_hash(uint64_t h, const void *data, size_t len);
uint64_t pd_pair_hash_u64(uint64_t h, uint64_t v);

/* Give fragments that carry no session the session of their datagram (the
 * engine names it only at the fragment that completes it). Idempotent. */
void pd_pair_capture_attribute_fragments(pd_pair_capture *c);

/* ---- matching (pair_match.c) ---------------------------------------------------- */

/* Match packets of the client capture `a` to those of the server capture
 * `b` by `ident` (0: never matched), filling `peer` on both sides, and
 * estimate the clock. `dir` must be set (used to keep directions apart and
 * for the NTP-style offset). window_ns: see pd_pair_options. Returns the
 * number of matched pairs. */
uint64_t pd_pair_match(pd_pair_pkt *a, size_t na, pd_pair_pkt *b, size_t nb, int64_t window_ns,
                       pd_pair_clock *clock);

/* ---- fields (pair_diff.c) ----------------------------------------------------- */

/* Compare one packet as sent (s, from the IP header, s_len bytes kept) with
 * the same packet as received (r), appending pd_pair_change to `out` (kind
 * decided here except for the NAT-or-mangled fields, which come back as
 * MANGLED with field_id set for the caller to reclassify). Checksums are
 * never reported. */
void pd_pair_diff(const uint8_t *s, size_t s_len, const uint8_t *r, size_t r_len, GArray *out);

/* One line describing the packet for the ladder (newly allocated). */
char *pd_pair_describe(const uint8_t *ip, size_t len);

void pd_pair_change_clear(pd_pair_change *c);

#endif /* PD_PAIR_INTERNAL_H */
