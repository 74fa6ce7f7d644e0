/* l2tp_track.h - L2TP tunnels and sessions (RFC 2661; L2TPv3 RFC 3931
 * recognised): the reliable control channel, its calls, and the PPP the
 * data messages carry (through the same PPP tracker and detectors as PPTP).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_L2TP_TRACK_H
#define PD_L2TP_TRACK_H

#include "engine_internal.h"
#include "icmp.h"
#include "udp.h"

pd_l2tp_module *pd_l2tp_module_new(pd_engine *e);
void pd_l2tp_module_free(pd_l2tp_module *m);

/* A UDP datagram to or from port 1701. */
void pd_l2tp_on_udp(pd_engine *e, const pd_packet *p, const pd_udp_header *udp);
/* L2TPv3 directly over IP (protocol 115). */
void pd_l2tp_on_ip(pd_engine *e, const pd_packet *p);
/* ICMP error quoting a UDP 1701 datagram. */
void pd_l2tp_on_icmp(pd_engine *e, const pd_packet *p, const pd_icmp_error *icmp);
/* A PD_FLOW_KIND_L2TP flow closed: judge its tunnel, free its state. */
void pd_l2tp_flow_closed(pd_engine *e, pd_flow *flow, pd_flow_close_reason why);
/* The ESP session `s` is being judged: judge the L2TP tunnels decrypted from its ESP that
 * write into it first (their flows are closed now), so that the IKE and ESP verdicts come
 * last and the session is handed over whole. */
void pd_l2tp_close_nested(pd_engine *e, pd_session *s);

#endif
