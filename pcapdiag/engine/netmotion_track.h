/* netmotion_track.h - NetMotion Mobility conversations (UDP, server port
 * 5008 by default), recognised by port and addressing only, and their
 * findings: netmotion.no_answer and netmotion.address_mismatch.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_NETMOTION_TRACK_H
#define PD_NETMOTION_TRACK_H

#include "engine_internal.h"
#include "icmp.h"
#include "udp.h"

#define PD_NETMOTION_DEFAULT_PORT 5008

pd_netmotion_module *pd_netmotion_module_new(pd_engine *e);
void pd_netmotion_module_free(pd_netmotion_module *m);

/* The server port in use (pd_engine_config.netmotion_port, or 5008). */
uint16_t pd_netmotion_port(const pd_engine *e);

/* A UDP datagram to or from the server port. */
void pd_netmotion_on_udp(pd_engine *e, const pd_packet *p, const pd_udp_header *udp);
/* An ICMP error quoting a datagram to or from the server port. */
void pd_netmotion_on_icmp(pd_engine *e, const pd_packet *p, const pd_icmp_error *icmp);
/* A PD_FLOW_KIND_NETMOTION flow closed: judge the conversation, free it. */
void pd_netmotion_flow_closed(pd_engine *e, pd_flow *flow, pd_flow_close_reason why);

#endif
