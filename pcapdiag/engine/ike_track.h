/* ike_track.h - IKE and ESP sessions (IKEv1 RFC 2408/2409, IKEv2 RFC 7296,
 * NAT-T RFC 3947/3948, ESP RFC 4303): what the engine calls.
 *
 * UDP 500 and 4500 (IKE, ESP in UDP, NAT keepalives), IP protocol 50, ICMP
 * errors quoting them, and IP datagrams that never completed (IKE messages
 * lost to fragmentation). Findings are made when the pair's flow closes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_TRACK_H
#define PD_IKE_TRACK_H

#include "engine_internal.h"
#include "icmp.h"
#include "ipfrag.h"
#include "udp.h"

pd_ike_module *pd_ike_module_new(pd_engine *e);
void pd_ike_module_free(pd_ike_module *m);

/* True for a UDP datagram the IKE tracker wants (either port 500 or 4500). */
bool pd_ike_udp_port(uint16_t sport, uint16_t dport);

/* A UDP datagram to or from port 500 or 4500. */
void pd_ike_on_udp(pd_engine *e, const pd_packet *p, const pd_udp_header *udp);
/* ESP directly over IP (protocol 50). */
void pd_ike_on_esp(pd_engine *e, const pd_packet *p);
/* An ICMP error quoting UDP 500/4500 or ESP. */
void pd_ike_on_icmp(pd_engine *e, const pd_packet *p, const pd_icmp_error *icmp);
/* A datagram given up by the reassembly: kept when it is IKE's. */
void pd_ike_on_frag_incomplete(pd_engine *e, const pd_frag_incomplete *inc);
/* A PD_FLOW_KIND_IKE flow closed: judge its sessions, free its state. */
void pd_ike_flow_closed(pd_engine *e, pd_flow *flow, pd_flow_close_reason why);

#endif
