/* pptp_track.h - PPTP sessions: the TCP 1723 control connection, its calls,
 * the enhanced GRE that carries each call's PPP, and ICMP errors about them.
 *
 * One session per control connection. The tracker records what happened;
 * pptp_detect.c turns that into findings when the session is over.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PPTP_TRACK_H
#define PD_PPTP_TRACK_H

#include "engine_internal.h"
#include "icmp.h"
#include "tcp.h"

pd_pptp_module *pd_pptp_module_new(pd_engine *e);
void pd_pptp_module_free(pd_pptp_module *m);

void pd_pptp_on_tcp(pd_engine *e, const pd_packet *p, const pd_tcp_header *tcp);
void pd_pptp_on_gre(pd_engine *e, const pd_packet *p);
void pd_pptp_on_icmp(pd_engine *e, const pd_packet *p, const pd_icmp_error *icmp);
void pd_pptp_flow_closed(pd_engine *e, pd_flow *flow, pd_flow_close_reason why);

#endif
