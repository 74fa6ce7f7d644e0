/* engine_internal.h - what the engine's layers share: the packet handed to
 * trackers, the session and finding builders detectors use, and the engine
 * context object (the only state outside registration tables).
 *
 * Data flows one way: decode (linklayer, ip, tcp, pptp, gre, ppp...) ->
 * track (pptp_track...) -> detect (pptp_detect...) -> report (CLI, plugin).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_ENGINE_INTERNAL_H
#define PD_ENGINE_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "ip.h"
#include "ipfrag.h"
#include "pcapdiag/pcapdiag.h"

/* Flow kinds: trackers that share a flow table tell their flows apart. */
enum {
    PD_FLOW_KIND_PPTP_CTRL = 1, /* TCP 1723 connection */
    PD_FLOW_KIND_GRE = 2,       /* enhanced GRE between two addresses */
    PD_FLOW_KIND_L2TP = 3,      /* an L2TP tunnel: UDP 1701 (or L2TPv3 over IP) */
    PD_FLOW_KIND_IKE = 4,       /* an IKE SA's UDP 500/4500 conversation */
    PD_FLOW_KIND_ESP = 5,       /* ESP between two addresses (IP 50 or UDP 4500) */
    PD_FLOW_KIND_NETMOTION = 6, /* a NetMotion Mobility client's UDP conversation */
};

#define PD_ARP_SENDERS_MAX 16

/* A packet carried inside another of the same frame: the plaintext of ESP decrypted
 * with --esp-keys (esp_track.c). Trackers see it as any packet of the frame; the ladder
 * lines it makes are marked "(decrypted)" and say which SA they came from. */
typedef struct pd_nest {
    pd_session *enclosing; /* the session of the ESP that carried it */
    uint32_t spi;
    bool tunnel_mode;      /* a whole inner IP packet (else the outer header's upper layer) */
} pd_nest;

/* One IP packet (or reassembled datagram) on its way to the trackers. */
typedef struct pd_packet {
    uint64_t frame;
    int64_t ts_ns;
    const pd_ip *ip;
    const uint8_t *l4; /* upper-layer bytes captured */
    size_t l4_len;
    size_t l4_wire_len;               /* what the IP header says */
    const pd_frag_datagram *reassembled; /* non-NULL when built from fragments */
    const pd_nest *nest; /* non-NULL: decrypted from ESP of this frame (bytes valid only
                          * while the frame is fed) */
} pd_packet;

/* What the capture-level vantage estimate needs from every session, summed
 * as sessions are handed over (streaming) or at the end. */
typedef struct pd_vantage_tally {
    unsigned votes[4]; /* pd_vantage of each session alone */
    uint8_t c_ttl, s_ttl; /* highest TTL seen from any client / server */
    GArray *v4_pairs; /* pd_vantage_pair: IPv4 sessions, for the ARP fallback */
} pd_vantage_tally;

typedef struct pd_vantage_pair {
    uint32_t id;
    uint8_t client[4], server[4];
} pd_vantage_pair;

typedef struct pd_pptp_module pd_pptp_module; /* pptp_track.c */
typedef struct pd_l2tp_module pd_l2tp_module; /* l2tp_track.c */
typedef struct pd_ike_module pd_ike_module;   /* ike_track.c */
typedef struct pd_netmotion_module pd_netmotion_module; /* netmotion_track.c */

struct pd_engine {
    pd_engine_config config;
    pd_capture_stats stats;
    GPtrArray *sessions; /* pd_session*, index = id - 1 (NULL once handed over) */
    GPtrArray *findings; /* pd_finding* (streaming: those not handed over with a session) */
    /* Streaming (config.on_session_closed): sessions released during the
     * current frame, handed over at its end; the vantage votes of every
     * session handed over. */
    GPtrArray *released;
    pd_vantage_tally tally;
    pd_flow_table *flows;
    pd_frag_table *frags;
    bool finished;
    int64_t last_expire_ns;  /* when flows/fragments were last expired */
    bool cap_finding_emitted;
    /* IPv4 addresses that sent ARP in the capture (the first few): a host
     * whose ARP is captured is on the captured link, which tells the
     * vantage when TTLs cannot (a server that never sent an IP packet). */
    uint8_t arp_senders[PD_ARP_SENDERS_MAX][4];
    size_t n_arp_senders;
    /* Set by trackers while a frame is processed, for pd_frame_result. */
    pd_session *frame_session;
    /* While a packet decrypted from ESP is handed to the trackers: what carried it (ladder
     * lines are marked from it). */
    const pd_nest *nest;
    pd_pptp_module *pptp;
    pd_l2tp_module *l2tp;
    pd_ike_module *ike;
    pd_netmotion_module *netmotion;
    uint16_t netmotion_port; /* pd_netmotion_port(), read once for the hot path */
};

/* Hand a packet found inside `outer` (decrypted ESP) to the trackers as part of the same
 * frame: `ip` describes it (tunnel mode: the inner IP header; transport mode: the outer
 * header with the ESP's next header and plaintext). False when it was not handed on: an
 * inner IP fragment (not reassembled: the frag table holds outer datagrams only). */
bool pd_engine_feed_nested(pd_engine *e, const pd_packet *outer, const pd_ip *ip,
                           const pd_nest *nest);

/* ---- sessions ---- */

pd_session *pd_session_open(pd_engine *e, pd_protocol proto, const pd_addr *client,
                            uint16_t client_port, const pd_addr *server, uint16_t server_port,
                            uint64_t frame, int64_t ts_ns);
/* Count a packet of the session and mark the frame as belonging to it. */
void pd_session_packet(pd_engine *e, pd_session *s, pd_dir dir, size_t bytes, uint8_t ttl,
                       uint64_t frame, int64_t ts_ns);
/* Record that the session reached a stage (once); `stage` must be a static
 * string. Returns true when newly reached. Also sets the session's state. */
bool pd_session_reach(pd_session *s, const char *stage, uint64_t frame, int64_t ts_ns);
bool pd_session_reached(const pd_session *s, const char *stage);
const pd_stage *pd_session_stage(const pd_session *s, const char *stage);
/* Exchange the client and server sides of a session whose roles were a guess
 * (a PPTP call captured mid-call): endpoints, counters and ladder directions. */
void pd_session_swap_roles(pd_session *s);
/* Where this session was captured, judged from its own TTLs alone (an
 * initial TTL means "sent by the capturing host"). */
pd_vantage pd_session_vantage(const pd_session *s);
bool pd_ttl_is_initial(uint8_t ttl);
/* "ip.addr == A && ip.addr == B" (ipv6.addr for IPv6). */
char *pd_session_hosts_filter(const pd_session *s);

/* The tracker is done with the session: its flows are closed, its findings
 * committed, and nothing will touch it again. With on_session_closed set the
 * engine hands it over at the end of the frame (or in pd_engine_finish) and
 * frees it; otherwise nothing happens. Each holder calls it once (the
 * trackers guard that: a second call by the last holder is harmless, one by an
 * earlier holder would count as another's); a session never released is
 * handed over by pd_engine_finish(). */
void pd_session_release(pd_engine *e, pd_session *s);
/* One more tracker writes into the session (an L2TP tunnel decrypted from the ESP of an
 * IKE session): each holder calls pd_session_release() once, and the session is handed
 * over at the last call. */
void pd_session_hold(pd_session *s);
/* pd_engine_finish(): release whatever holders are left. */
void pd_session_release_all(pd_engine *e, pd_session *s);
/* Hand over the sessions released so far (engine.c calls it). */
void pd_session_flush_released(pd_engine *e);
/* Count a session in the vantage tally. */
void pd_vantage_tally_add(pd_vantage_tally *t, const pd_session *s);

/* A state that is not a stage (how it ended: "refused", "timed-out"...). */
void pd_session_set_state(pd_session *s, const char *state);

/* Add a ladder line. A line identical (same direction and text) to a recent
 * one from the same side, with only the other side's lines in between, is
 * folded into it as a repeat. Returns the line (new or folded), or NULL when
 * the ladder is full (counted in ladder_dropped). */
pd_ladder_entry *pd_session_ladder(pd_engine *e, pd_session *s, pd_dir dir, uint64_t frame,
                                   int64_t ts_ns, const char *fmt, ...) G_GNUC_PRINTF(6, 7);
/* True when the line just returned was a new line, not a fold. */
static inline bool pd_ladder_is_new(const pd_ladder_entry *l)
{
    return l && l->repeat == 1;
}
void pd_ladder_annotate(pd_ladder_entry *l, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Attributes (set replaces a value of the same key). */
void pd_attrs_set_str(pd_attr **attrs, size_t *n, const char *key, const char *value);
void pd_attrs_set_num(pd_attr **attrs, size_t *n, const char *key, int64_t value);
void pd_attrs_set_code(pd_attr **attrs, size_t *n, const char *key, const char *name, int64_t raw);
#define pd_session_attr_str(s, k, v) pd_attrs_set_str(&(s)->attrs, &(s)->n_attrs, (k), (v))
#define pd_session_attr_num(s, k, v) pd_attrs_set_num(&(s)->attrs, &(s)->n_attrs, (k), (v))
#define pd_session_attr_code(s, k, n, r) pd_attrs_set_code(&(s)->attrs, &(s)->n_attrs, (k), (n), (r))
#define pd_ladder_attr_str(l, k, v) pd_attrs_set_str(&(l)->attrs, &(l)->n_attrs, (k), (v))
#define pd_ladder_attr_num(l, k, v) pd_attrs_set_num(&(l)->attrs, &(l)->n_attrs, (k), (v))
#define pd_ladder_attr_code(l, k, n, r) pd_attrs_set_code(&(l)->attrs, &(l)->n_attrs, (k), (n), (r))

/* ---- findings ---- */

/* Start a finding with the signature's defaults (severity from the table,
 * confidence high, blame unknown). Fill it, then pd_finding_commit(). */
pd_finding *pd_finding_begin(pd_sig_id sig, const pd_session *s);
void pd_finding_code(pd_finding *f, int windows_error);
void pd_finding_summary(pd_finding *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void pd_finding_explain(pd_finding *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void pd_finding_remedy(pd_finding *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void pd_finding_filter(pd_finding *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void pd_finding_evidence(pd_finding *f, uint64_t frame, int64_t ts_ns, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
/* Hand the finding to the engine: evidence sorted by frame, a display filter
 * made from the evidence frames when none was given, on_finding called. */
void pd_finding_commit(pd_engine *e, pd_finding *f);
void pd_finding_free(pd_finding *f);
void pd_session_free(pd_session *s);

/* "frame.number in {1 5 9}" from a finding's evidence. */
char *pd_evidence_filter(const pd_finding *f);

/* Seconds between two times, for explanations ("27.0 s"). */
static inline double pd_seconds(int64_t from_ns, int64_t to_ns)
{
    return (double)(to_ns - from_ns) / 1e9;
}

#endif /* PD_ENGINE_INTERNAL_H */
