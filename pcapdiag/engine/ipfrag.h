/* ipfrag.h - IPv4/IPv6 fragment reassembly with bounded memory.
 *
 * Holds at most `max_bytes` of fragment data across all datagrams; a
 * datagram that does not complete within `timeout_ns` of its first fragment
 * (or is evicted to make room) is reported as incomplete, with which frames
 * arrived and which byte ranges never did: IKE over fragments depends on it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IPFRAG_H
#define PD_IPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

#define PD_FRAG_MAX_FRAMES 16 /* frames remembered per datagram for evidence */

typedef struct pd_frag_table pd_frag_table;

typedef struct pd_frag_datagram {
    pd_addr src, dst;
    uint8_t proto;
    uint32_t ident;
    uint8_t ttl;         /* from the first fragment */
    const uint8_t *data; /* reassembled upper-layer bytes, valid until the next pd_frag_* call */
    size_t len;
    uint32_t n_frames;   /* fragments seen */
    uint64_t frames[PD_FRAG_MAX_FRAMES];
    uint64_t first_frame, last_frame;
    int64_t first_ts_ns, last_ts_ns;
} pd_frag_datagram;

typedef struct pd_frag_incomplete {
    pd_addr src, dst;
    uint8_t proto;
    uint32_t ident;
    uint32_t n_frames;
    uint64_t frames[PD_FRAG_MAX_FRAMES];
    uint64_t first_frame, last_frame;
    int64_t first_ts_ns, last_ts_ns;
    size_t bytes_received;
    bool have_first;          /* offset 0 arrived */
    bool have_last;           /* the fragment without MF arrived */
    size_t total_len;         /* known when have_last, else 0 */
    uint32_t first_missing;   /* offset of the first byte that never came */
    uint8_t l4_prefix[8];     /* the first 8 upper-layer bytes when have_first (UDP ports) */
    bool evicted;             /* given up to make room, not by timeout */
} pd_frag_incomplete;

typedef enum pd_frag_result {
    PD_FRAG_HELD,     /* kept, waiting for the rest */
    PD_FRAG_COMPLETE, /* *out holds a whole datagram */
    PD_FRAG_REFUSED   /* bad fragment (overlapping inconsistently, beyond 65535) or over the caps */
} pd_frag_result;

typedef void (*pd_frag_incomplete_fn)(const pd_frag_incomplete *inc, void *user);

pd_frag_table *pd_frag_table_new(size_t max_bytes, int64_t timeout_ns,
                                 pd_frag_incomplete_fn on_incomplete, void *user);
void pd_frag_table_free(pd_frag_table *t);

pd_frag_result pd_frag_add(pd_frag_table *t, const pd_ip *frag, uint64_t frame, int64_t ts_ns,
                           pd_frag_datagram *out);

/* Give up datagrams older than the timeout (reporting each through on_incomplete). */
void pd_frag_expire(pd_frag_table *t, int64_t now_ns);
/* End of capture: everything still held is incomplete. */
void pd_frag_flush(pd_frag_table *t);

size_t pd_frag_bytes_held(const pd_frag_table *t);
uint64_t pd_frag_bytes_refused(const pd_frag_table *t);

#endif
