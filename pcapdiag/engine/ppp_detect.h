/* ppp_detect.h - findings about a PPP negotiation (the ppp.* signatures),
 * whatever tunnel carries it (PPTP's GRE, L2TP data messages).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PPP_DETECT_H
#define PD_PPP_DETECT_H

#include "engine_internal.h"
#include "ppp_track.h"

typedef struct pd_ppp_context {
    const char *carrier; /* "GRE", "L2TP": how the PPP travels */
    /* The carrier delivered packets in both directions: only then can PPP's
     * own silence be blamed on PPP rather than on the tunnel. */
    bool carrier_both_ways;
    /* The link was up before the capture began (a call captured mid-call):
     * its negotiation is not in the capture, so "never opened" means nothing. */
    bool negotiation_unseen;
} pd_ppp_context;

/* Judge one PPP link. Returns true when an error finding was made. */
bool pd_ppp_detect(pd_engine *e, pd_session *s, const pd_ppp_link *l, const pd_ppp_context *ctx);

/* The link carried (or could carry) traffic: IPCP or IPV6CP opened and was
 * not torn down again before any data flowed. An NCP that opens for an
 * instant and is terminated unused ("Refused our IP address") is a failure. */
bool pd_ppp_link_network_up(const pd_ppp_link *l);

/* Which side a PPP direction is ("client", "server"). */
const char *pd_ppp_side_name(int dir);

#endif
