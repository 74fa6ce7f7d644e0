/* packet-pcapdiag.h - what the pcapdiag plugin's postdissector and its
 * statistics share: the open capture's engine and the per-frame results.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PACKET_PCAPDIAG_H
#define PACKET_PCAPDIAG_H

#include <wireshark.h>

#include <epan/packet.h>

#include "pcapdiag/pcapdiag.h"

/* What the plugin knows about one frame that belongs to a VPN session or
 * that a finding cites: built per dissection (packet scope) from the
 * capture's compact per-frame store; the tap carries it. The findings live
 * in the engine, which outlives every dissection of its file. */
typedef struct pd_ws_frame {
    uint32_t session_id; /* 0: cited by a finding but in no session */
    pd_protocol protocol;
    const char *stage;         /* the session's state after this frame */
    const GPtrArray *findings; /* const pd_finding *, NULL while none */
} pd_ws_frame;

typedef struct pd_ws_capture pd_ws_capture;

/* The capture file Wireshark has open (NULL between files). Wireshark
 * dissects one capture file at a time; its init and cleanup routines
 * create and free this object. */
pd_ws_capture *pd_ws_capture_current(void);
const pd_engine *pd_ws_capture_engine(const pd_ws_capture *cap);
/* Settle what waited for the end of the capture (idempotent). */
void pd_ws_capture_finish(pd_ws_capture *cap);

/* Number of findings a frame record cites, and one of them. */
guint pd_ws_frame_finding_count(const pd_ws_frame *fr);
const pd_finding *pd_ws_frame_finding(const pd_ws_frame *fr, guint i);

/* The tap every frame with a record is queued on; the data is its
 * `const pd_ws_frame *`. */
#define PD_WS_TAP_NAME "pcapdiag"

/* Formatting shared by the tree and the statistics (results g_free'd). */
char *pd_ws_endpoint_str(const pd_endpoint *ep);
char *pd_ws_codes_str(const pd_finding *f);    /* "678, 800" or "" */
char *pd_ws_evidence_str(const pd_finding *f); /* "3 6" */
char *pd_ws_clean(const char *s);              /* valid UTF-8, no control characters */
const char *pd_ws_protocol_title(pd_protocol p);

/* pcapdiag-stats.c: `-z pcapdiag,findings` and the "VPN Diagnosis" table. */
void pd_ws_stats_register(void);

/* Registration entry points (plugin.c). */
void proto_register_pcapdiag(void);
void proto_reg_handoff_pcapdiag(void);

#endif /* PACKET_PCAPDIAG_H */
