/* flow.h - the table of live VPN flows: keyed by endpoints and protocol,
 * idle expiry, and a hard cap on how many are held at once.
 *
 * Memory grows with live flows, never with capture size. When the cap is
 * reached the least recently seen flow is closed early (through the same
 * on_close callback as an idle expiry) and counted, so reports can say so.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_FLOW_H
#define PD_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

/* Canonical key: the lower (address, port) first, so both directions of a
 * conversation find the same flow. `kind` separates flows of different
 * trackers that share endpoints (e.g. PPTP control vs GRE). */
typedef struct pd_flow_key {
    uint8_t kind;
    uint8_t proto; /* IP protocol */
    uint16_t port_lo, port_hi;
    pd_addr addr_lo, addr_hi;
} pd_flow_key;

typedef enum pd_flow_close_reason {
    PD_FLOW_CLOSE_IDLE,    /* silent longer than the idle timeout */
    PD_FLOW_CLOSE_EVICTED, /* forced out at the cap */
    PD_FLOW_CLOSE_END,     /* end of capture */
    PD_FLOW_CLOSE_REPLACED /* a tracker closed it for a new one on the same key */
} pd_flow_close_reason;

typedef struct pd_flow {
    pd_flow_key key;
    int64_t first_ts_ns, last_ts_ns;
    uint64_t first_frame, last_frame;
    void *state; /* owned by the tracker that created the flow */
    /* private to flow.c */
    struct pd_flow *lru_prev, *lru_next, *hash_next;
} pd_flow;

typedef struct pd_flow_table pd_flow_table;

typedef void (*pd_flow_close_fn)(pd_flow *flow, pd_flow_close_reason why, void *user);

pd_flow_table *pd_flow_table_new(size_t max_flows, int64_t idle_timeout_ns,
                                 pd_flow_close_fn on_close, void *user);
/* Closes (on_close with PD_FLOW_CLOSE_END) and frees every flow left. */
void pd_flow_table_free(pd_flow_table *t);

/* Build a canonical key; *forward is true when (src,sport) is the lo side. */
void pd_flow_key_make(pd_flow_key *key, uint8_t kind, uint8_t proto, const pd_addr *src,
                      uint16_t sport, const pd_addr *dst, uint16_t dport, bool *forward);

/* A well-mixed hash of a key made by pd_flow_key_make (for other tables
 * keyed by flow keys too). */
uint64_t pd_flow_key_hash(const pd_flow_key *key);

/* Find a flow; with create, make it if missing (*created tells). Touching
 * a flow moves it to the most recently seen end. Creating beyond the cap
 * evicts the least recently seen flow first. */
pd_flow *pd_flow_lookup(pd_flow_table *t, const pd_flow_key *key, bool create, bool *created,
                        uint64_t frame, int64_t ts_ns);

/* Close flows idle since before now - idle_timeout. Cheap when nothing is due. */
void pd_flow_table_expire(pd_flow_table *t, int64_t now_ns);
/* Close one flow now (on_close, then freed): a tracker that sees a new
 * connection reuse a finished one's endpoints. */
void pd_flow_table_close(pd_flow_table *t, pd_flow *flow, pd_flow_close_reason why);
/* Close and free every flow (end of capture). on_close must not create
 * flows then. max_flows 0 means no cap; idle_timeout_ns <= 0 no expiry. */
void pd_flow_table_close_all(pd_flow_table *t);

size_t pd_flow_table_count(const pd_flow_table *t);
size_t pd_flow_table_peak(const pd_flow_table *t);
uint64_t pd_flow_table_evicted(const pd_flow_table *t);

#endif
