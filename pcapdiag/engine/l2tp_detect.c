/* l2tp_detect.c - the l2tp.* findings for a tunnel that is over (RFC 2661),
 * and the ppp.* ones for the PPP its calls carried.
 *
 * Reads what l2tp_track.c recorded and names the first layer that broke:
 * UDP 1701 reachability (no answer, or a refusal of clear-text L2TP), the
 * tunnel (StopCCN result codes, setup that never completed, messages never
 * acknowledged, HELLOs unanswered), the call (CDN, no ICCN), then PPP
 * (ppp_detect.c with carrier "L2TP"). Windows codes follow seed 002 (809)
 * and Microsoft's RAS error list (789); every verdict says what its capture
 * proves and which second capture would settle what it cannot.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "l2tp_session.h"
#include "ppp_detect.h"

/* An answer not heard this long after a lone request is still "maybe
 * coming": the RFC 2661 retransmission timer starts at 1 s and doubles. */
#define L2TP_LONE_REQUEST_SECONDS 3.0
/* Sends of one message with no acknowledgement before it counts as never
 * acknowledged (a healthy peer acks before the first retransmission). */
#define L2TP_UNACKED_SENDS 2

static const char *side(int dir)
{
    return dir == L2TP_C2S ? "client" : "server";
}

static const char *vantage_clause(pd_vantage v, const char *client_text, const char *server_text,
                                  const char *other_text)
{
    return v == PD_VANTAGE_CLIENT ? client_text : v == PD_VANTAGE_SERVER ? server_text : other_text;
}

static const l2tp_sent *pending_of_type(const l2tp_ctrl_dir *cd, uint16_t type)
{
    for (size_t i = 0; i < cd->n_pending; i++)
        if (cd->pending[i].type == type)
            return &cd->pending[i];
    return NULL;
}

/* " (a router at 10.0.0.1 reported ...)" for the summary, or "". */
static void icmp_clause(const l2tp_tunnel *t, char *buf, size_t len)
{
    if (t->icmp_count && !t->icmp_from_server)
        g_snprintf(buf, len, "; %s reported ICMP %s", t->icmp_from, t->icmp_what);
    else
        g_strlcpy(buf, "", len);
}

/* ---- UDP 1701: nothing but silence or a refusal ---- */

/* ICMP from the server's own address that says "not accepted here": port
 * unreachable, or a host firewall's administratively-prohibited. */
static bool icmp_refuses_clear_l2tp(const l2tp_tunnel *t)
{
    if (!t->icmp_count || !t->icmp_from_server || t->icmp_after_answer)
        return false;
    if (t->icmp_port_unreachable)
        return true;
    return strstr(t->icmp_what, "prohibited") != NULL;
}

static void detect_clear_without_ipsec(pd_engine *e, l2tp_tunnel *t)
{
    pd_session *s = t->session;
    char srv[48];
    pd_addr_str(&t->server, srv, sizeof srv);
    pd_finding *f = pd_finding_begin(PD_SIG_L2TP_CLEAR_WITHOUT_IPSEC, s);
    pd_finding_code(f, 789);
    f->blame = PD_BLAME_CONFIGURATION;
    f->confidence = PD_CONF_MEDIUM;
    pd_session_set_state(s, "rejected");
    pd_finding_summary(f, "Clear-text L2TP to %s port %u answered only by ICMP %s from the server "
                          "itself: it accepts no L2TP outside IPsec",
                       srv, t->server_port, t->icmp_what);
    pd_finding_explain(
        f,
        "The client sent its tunnel request (SCCRQ, %u time%s) as plain UDP, not inside IPsec, and "
        "the server's own address answered with ICMP %s (%u ICMP error%s), never with L2TP. "
        "Servers that offer L2TP/IPsec (Windows RRAS, strongSwan with xl2tpd) take UDP 1701 only "
        "from inside an IPsec SA and refuse clear L2TP; a client that sends it has not applied "
        "its IPsec policy: the VPN type is not L2TP/IPsec, no pre-shared key or certificate is "
        "set, or IPsec was turned off (ProhibitIpSec on Windows). Windows reports this as 789. "
        "This is reported instead of l2tp.no_answer because the server's host is up and refuses "
        "the clear-text packets explicitly; if no L2TP service ran there at all, the same ICMP "
        "would appear, so the server's configuration (or a capture of an attempt with IPsec, "
        "which shows IKE on UDP 500 first) tells the two apart.",
        t->sccrq_count, t->sccrq_count == 1 ? "" : "s", t->icmp_what, t->icmp_count,
        t->icmp_count == 1 ? "" : "s");
    pd_finding_remedy(f, "Configure the client for L2TP/IPsec with the server's pre-shared key or "
                         "certificate (Windows: VPN type 'L2TP/IPsec with pre-shared key'; remove "
                         "ProhibitIpSec=1 if it was set) so that IKE on UDP 500/4500 comes before "
                         "the L2TP. If the server offers no L2TP at all, point the client at the "
                         "right server or VPN type.");
    pd_finding_evidence(f, t->sccrq_frame, t->sccrq_ts, "clear-text SCCRQ to port %u",
                        t->server_port);
    if (t->sccrq_last_frame != t->sccrq_frame)
        pd_finding_evidence(f, t->sccrq_last_frame, t->sccrq_last_ts,
                            "last retransmission (%u SCCRQs in all)", t->sccrq_count);
    pd_finding_evidence(f, t->icmp_frame, t->icmp_ts, "ICMP %s from the server", t->icmp_what);
    pd_finding_commit(e, f);
}

static void detect_no_answer(pd_engine *e, l2tp_tunnel *t)
{
    pd_session *s = t->session;
    char srv[48], icmp[160];
    pd_addr_str(&t->server, srv, sizeof srv);
    icmp_clause(t, icmp, sizeof icmp);
    pd_finding *f = pd_finding_begin(PD_SIG_L2TP_NO_ANSWER, s);
    pd_finding_code(f, 809);
    pd_session_set_state(s, "no-answer");
    double span = pd_seconds(t->sccrq_ts, t->sccrq_last_ts);
    double tail = pd_seconds(t->sccrq_last_ts, s->last_ts_ns);
    if (t->sccrq_count >= 2) {
        pd_finding_summary(f, "SCCRQ to %s UDP %u sent %u times over %.1f s, never answered%s",
                           srv, t->server_port, t->sccrq_count, span, icmp);
    } else {
        pd_finding_summary(f, "SCCRQ to %s UDP %u never answered (sent once; the capture ends "
                              "%.1f s later)%s",
                           srv, t->server_port, tail, icmp);
        f->confidence = tail >= L2TP_LONE_REQUEST_SECONDS ? PD_CONF_MEDIUM : PD_CONF_LOW;
    }
    pd_vantage v = pd_session_vantage(s);
    if (t->icmp_count && !t->icmp_from_server) {
        f->blame = PD_BLAME_PATH;
        pd_finding_explain(
            f,
            "The server never answered the L2TP tunnel request, and a device on the path (%s) "
            "reported ICMP %s: the packets do not reach the server on this path (a route, an "
            "address that is wrong or no longer in use, or a filter that answers for it).",
            t->icmp_from, t->icmp_what);
        pd_finding_remedy(f, "Check the server address the client uses and the route to it; ask "
                             "the owner of %s why it refuses UDP 1701 to the server.",
                          t->icmp_from);
    } else {
        f->blame = v == PD_VANTAGE_SERVER ? PD_BLAME_SERVER : PD_BLAME_UNKNOWN;
        pd_finding_explain(
            f,
            "Nothing came back for the L2TP tunnel request: no SCCRP, no ZLB acknowledgement, no "
            "StopCCN, no ICMP error. UDP 1701 was dropped silently between the client and the "
            "server (a firewall or hotspot that passes only web traffic, a NAT that drops UDP), "
            "or no L2TP service answers at the server. %s "
            "This L2TP travels in clear text, not inside IPsec. Most L2TP servers (Windows RRAS, "
            "strongSwan with xl2tpd) accept UDP 1701 only inside IPsec and drop clear L2TP "
            "without a word, which looks exactly like this; it is reported as no answer (809) "
            "rather than l2tp.clear_without_ipsec (789) because silence cannot tell the two "
            "apart; only an ICMP refusal from the server would. If the server expects "
            "L2TP/IPsec, the client is not applying its IPsec settings.",
            vantage_clause(v,
                           "This capture is at the client: it cannot tell where the SCCRQs were "
                           "lost. A capture at the server settles it: if they arrive there "
                           "unanswered, the server ignores them.",
                           "This capture is at the server and the SCCRQs arrive here "
                           "unanswered: its L2TP service is not running, or its IPsec policy "
                           "drops L2TP that does not arrive inside IPsec.",
                           "A capture at the server settles whether the SCCRQs arrive there."));
        pd_finding_remedy(f, "Check that the client's network allows UDP 1701 (and for "
                             "L2TP/IPsec UDP 500, UDP 4500 and ESP) to the server and that an "
                             "L2TP service listens there. If the server is meant for L2TP/IPsec, "
                             "configure the client for L2TP/IPsec with the server's pre-shared "
                             "key or certificate, so that IKE comes before the L2TP.");
    }
    pd_finding_evidence(f, t->sccrq_frame, t->sccrq_ts, "first SCCRQ to port %u", t->server_port);
    if (t->sccrq_last_frame != t->sccrq_frame)
        pd_finding_evidence(f, t->sccrq_last_frame, t->sccrq_last_ts,
                            "last retransmission (%u SCCRQs in all)", t->sccrq_count);
    if (t->icmp_count)
        pd_finding_evidence(f, t->icmp_frame, t->icmp_ts, "ICMP %s from %s", t->icmp_what,
                            t->icmp_from);
    pd_finding_commit(e, f);
}

/* The server answered, the client kept asking: the answers are lost on
 * the way back (the 'SYN/ACK never acknowledged' of L2TP). */
static bool detect_answer_lost(pd_engine *e, l2tp_tunnel *t)
{
    if (t->sccrq_count < 2 || !t->sccrp_frame || t->sccrp_acked || t->scccn_frame ||
        t->sccrq_last_frame < t->sccrp_frame || t->stop_from == L2TP_C2S)
        return false;
    pd_session *s = t->session;
    char srv[48], port[96] = "";
    pd_addr_str(&t->server, srv, sizeof srv);
    if (t->server_port_seen != t->server_port)
        g_snprintf(port, sizeof port, " The server answers from port %u, not %u (RFC 2661 "
                                      "section 8.1 allows it; NATs and firewalls that expect the "
                                      "answer from %u drop it).",
                   t->server_port_seen, t->server_port, t->server_port);
    const l2tp_sent *rp = pending_of_type(&t->ctrl[L2TP_S2C], PD_L2TP_SCCRP);
    pd_finding *f = pd_finding_begin(PD_SIG_L2TP_NO_ANSWER, s);
    pd_finding_code(f, 809);
    f->blame = PD_BLAME_PATH;
    pd_session_set_state(s, "no-answer");
    pd_finding_summary(f, "%s answered the SCCRQ, but the client never received it: it sent its "
                          "SCCRQ %u times and never acknowledged the SCCRP",
                       srv, t->sccrq_count);
    pd_finding_explain(f, "The server's SCCRP%s got no acknowledgement, and the client went on "
                          "retransmitting its request after it: for the client, the server does "
                          "not answer (Windows: 809). The answers are lost between the server and "
                          "the client, typically by a firewall or NAT that passes UDP 1701 toward "
                          "the server but not back.%s A capture at the client shows whether any "
                          "SCCRP arrives there.",
                       rp && rp->sends > 1 ? " (sent repeatedly)" : "", port);
    pd_finding_remedy(f, "Check firewalls and NAT between the server and the client for dropped "
                         "UDP 1701 replies (and for replies from a port other than 1701).");
    pd_finding_evidence(f, t->sccrq_frame, t->sccrq_ts, "client's SCCRQ");
    pd_finding_evidence(f, t->sccrp_frame, t->sccrp_ts, "server's SCCRP, never acknowledged");
    pd_finding_evidence(f, t->sccrq_last_frame, t->sccrq_last_ts,
                        "client still retransmitting (%u SCCRQs in all)", t->sccrq_count);
    pd_finding_commit(e, f);
    return true;
}

/* ---- the tunnel ---- */

/* The tunnel was up: seen connecting, or already up when the capture began. */
static bool tunnel_was_up(const l2tp_tunnel *t)
{
    return t->tunnel_connected || t->setup_unseen;
}

static bool any_call_connected(const l2tp_tunnel *t)
{
    for (size_t i = 0; i < t->n_calls; i++)
        if (t->calls[i]->connected)
            return true;
    return false;
}

static const char *stop_meaning(uint16_t result)
{
    switch (result) {
    case 1: return "a general request to clear the tunnel";
    case 2: return "a general error, named by the error code";
    case 3: return "a tunnel between these peers already exists and a second one is refused";
    case 4: return "the requester is not authorized: tunnel authentication (the secret behind "
                   "the Challenge AVP) failed, or this host name or address is not an allowed peer";
    case 5: return "the requester's L2TP protocol version is not supported";
    case 6: return "the sender is shutting down";
    case 7: return "a state-machine error: a message arrived that is not valid in the tunnel's "
                   "state (a lost or duplicated message, or implementations that disagree)";
    default: return "a result code RFC 2661 does not define";
    }
}

static pd_blame stop_blame(const l2tp_tunnel *t)
{
    switch (t->stop_result) {
    case 4:
    case 5: return PD_BLAME_CONFIGURATION;
    case 3:
    case 6: return t->stop_from == L2TP_S2C ? PD_BLAME_SERVER : PD_BLAME_UNKNOWN;
    case 2:
        if (t->stop_error == 4)
            return t->stop_from == L2TP_S2C ? PD_BLAME_SERVER : PD_BLAME_UNKNOWN;
        return t->stop_error == 8 ? PD_BLAME_CONFIGURATION : PD_BLAME_UNKNOWN;
    default: return PD_BLAME_UNKNOWN;
    }
}

static bool detect_stop(pd_engine *e, l2tp_tunnel *t)
{
    if (!t->stop_frame)
        return false;
    pd_session *s = t->session;
    bool clean_result = !t->stop_has_result ||
                        (t->stop_result == 1 && (!t->stop_has_error || t->stop_error == 0));
    /* The normal end: a connected tunnel cleared without error, after a
     * call (or by the client, which may close an idle tunnel). */
    if (tunnel_was_up(t) && clean_result && (any_call_connected(t) || t->stop_from == L2TP_C2S)) {
        pd_session_set_state(s, "closed");
        return false;
    }
    int from = t->stop_from;
    pd_finding *f = pd_finding_begin(PD_SIG_L2TP_CONTROL_FAILURE, s);
    f->blame = stop_blame(t);
    pd_session_set_state(s, "tunnel-stopped");
    char err[160] = "", msg[L2TP_TEXT + 16] = "";
    if (t->stop_has_error && t->stop_error != 0)
        g_snprintf(err, sizeof err, ", error %u \"%s\"", t->stop_error,
                   pd_l2tp_error_name(t->stop_error));
    if (t->stop_message[0])
        g_snprintf(msg, sizeof msg, ", message \"%s\"", t->stop_message);
    const char *when = tunnel_was_up(t) ? "after it came up" : "during its setup";
    if (t->stop_has_result)
        pd_finding_summary(f, "The %s stopped the L2TP tunnel %s: StopCCN result %u \"%s\"%s%s",
                           side(from), when, t->stop_result,
                           pd_l2tp_result_name(PD_L2TP_STOPCCN, t->stop_result), err, msg);
    else
        pd_finding_summary(f, "The %s stopped the L2TP tunnel %s: StopCCN without a readable "
                              "Result Code", side(from), when);
    GString *x = g_string_new(NULL);
    g_string_append_printf(x, "The %s sent a Stop-Control-Connection-Notification %s", side(from),
                           when);
    if (t->stop_has_result)
        g_string_append_printf(x, "; its result code means %s", stop_meaning(t->stop_result));
    if (t->stop_has_error && t->stop_error != 0)
        g_string_append_printf(x, "; its error code %u: %s", t->stop_error,
                               pd_l2tp_error_name(t->stop_error));
    g_string_append_printf(x, ". The capture shows the %s's verdict, not its reasoning: %s"
                              "its logs (xl2tpd, the RRAS event log) give the detail.",
                           side(from),
                           t->stop_message[0] ? "its message text says what it saw, and " : "");
    if ((t->stop_result == 4 || !t->stop_has_result) && (t->challenge[0] || t->challenge[1]))
        g_string_append_printf(x, " Tunnel authentication was in use: the %s sent a Challenge.",
                               t->challenge[L2TP_C2S] ? "client" : "server");
    if (!tunnel_was_up(t) && from == L2TP_C2S)
        g_string_append(x, " The client gave up during setup: it did not accept the server's "
                           "reply (tunnel authentication, protocol version or an attribute it "
                           "requires).");
    pd_finding_explain(f, "%s", x->str);
    g_string_free(x, TRUE);
    pd_finding_remedy(f, "Check the %s's L2TP configuration and logs for this peer: allowed "
                         "peers and host names, the tunnel secret if tunnel authentication is "
                         "used, tunnel and session limits.", side(from));
    pd_finding_evidence(f, t->sccrq_frame, t->sccrq_ts, "SCCRQ");
    if (t->sccrp_frame)
        pd_finding_evidence(f, t->sccrp_frame, t->sccrp_ts, "SCCRP");
    pd_finding_evidence(f, t->stop_frame, t->stop_ts, "%s's StopCCN", side(from));
    pd_finding_commit(e, f);
    return true;
}

/* The server answered the SCCRQ, yet the tunnel never came up and nobody
 * said why. */
static bool detect_setup_incomplete(pd_engine *e, l2tp_tunnel *t)
{
    if (!t->sccrp_frame || tunnel_was_up(t) || t->stop_frame || any_call_connected(t))
        return false;
    pd_session *s = t->session;
    const l2tp_sent *cn = pending_of_type(&t->ctrl[L2TP_C2S], PD_L2TP_SCCCN);
    const l2tp_sent *rp = pending_of_type(&t->ctrl[L2TP_S2C], PD_L2TP_SCCRP);
    double tail = pd_seconds(t->sccrp_ts, s->last_ts_ns);
    pd_finding *f = pd_finding_begin(PD_SIG_L2TP_CONTROL_FAILURE, s);
    pd_session_set_state(s, "tunnel-incomplete");
    if (t->scccn_frame && cn) {
        f->blame = PD_BLAME_UNKNOWN;
        pd_finding_summary(f, "The client's SCCCN was never acknowledged (sent %u times over "
                              "%.1f s): the tunnel never came up",
                           cn->sends, pd_seconds(cn->first_ts, cn->last_ts));
        pd_finding_explain(f, "The server answered the request (SCCRP) and the client confirmed "
                              "(SCCCN), but the server never acknowledged the confirmation. Its "
                              "earlier answer shows the path works both ways, so either the "
                              "SCCCN is lost on the way (a capture at the server shows whether it "
                              "arrives) or the server rejects it (tunnel authentication: the "
                              "Challenge Response it carries).");
        pd_finding_evidence(f, cn->first_frame, cn->first_ts, "SCCCN");
        if (cn->last_frame != cn->first_frame)
            pd_finding_evidence(f, cn->last_frame, cn->last_ts, "last retransmission");
        if (cn->sends < L2TP_UNACKED_SENDS)
            f->confidence = PD_CONF_LOW;
    } else if (!t->scccn_frame && (t->sccrp_acked || (rp && rp->sends >= L2TP_UNACKED_SENDS) ||
                                   tail >= L2TP_LONE_REQUEST_SECONDS)) {
        f->blame = t->sccrp_acked ? PD_BLAME_UNKNOWN : PD_BLAME_PATH;
        pd_finding_summary(f, "The server answered (SCCRP) but the client never completed the "
                              "tunnel: no SCCCN%s",
                           t->sccrp_acked ? ", although it acknowledged the SCCRP"
                                          : " and no acknowledgement");
        pd_finding_explain(f, "%s",
                           t->sccrp_acked
                               ? "The client received the server's SCCRP and acknowledged it, then "
                                 "never confirmed the tunnel and never said why (no StopCCN). It "
                                 "did not accept something in the reply: tunnel authentication "
                                 "(the server's Challenge or Challenge Response) or an attribute "
                                 "it requires. The client's L2TP log says which."
                               : "No acknowledgement of the SCCRP came back and no SCCCN: the "
                                 "server's answer is probably lost on the way to the client. A "
                                 "capture at the client settles whether it arrives.");
        if (!t->sccrp_acked && !(rp && rp->sends >= L2TP_UNACKED_SENDS))
            f->confidence = PD_CONF_MEDIUM;
        pd_finding_evidence(f, t->sccrq_frame, t->sccrq_ts, "SCCRQ");
    } else {
        pd_finding_free(f);
        return false;
    }
    pd_finding_remedy(f, "Compare both sides' L2TP logs for this tunnel; check tunnel "
                         "authentication settings (a secret on one side only) and firewalls "
                         "between the peers.");
    pd_finding_evidence(f, t->sccrp_frame, t->sccrp_ts, "server's SCCRP");
    pd_finding_commit(e, f);
    return true;
}

/* Control messages still unacknowledged after retransmissions: the peer
 * stopped hearing this side (or answering it). HELLOs first: they are the
 * keepalive, so their silence is the classic dead tunnel. */
static bool detect_unacked(pd_engine *e, l2tp_tunnel *t)
{
    pd_session *s = t->session;
    for (int pass = 0; pass < 2; pass++) {
        for (int d = 0; d < 2; d++) {
            const l2tp_ctrl_dir *cd = &t->ctrl[d];
            const l2tp_sent *first = NULL, *last = NULL;
            uint32_t sends = 0, n = 0;
            for (size_t i = 0; i < cd->n_pending; i++) {
                const l2tp_sent *p = &cd->pending[i];
                bool hello = p->type == PD_L2TP_HELLO;
                if (hello != (pass == 0))
                    continue;
                if (!first)
                    first = p;
                last = p;
                sends += p->sends;
                n++;
            }
            /* One message sent once may just be unanswered yet at the end. */
            if (!first || sends < L2TP_UNACKED_SENDS)
                continue;
            pd_finding *f = pd_finding_begin(PD_SIG_L2TP_CONTROL_FAILURE, s);
            f->blame = PD_BLAME_PATH;
            bool gave_up = t->stop_from == d && t->stop_frame >= last->last_frame;
            pd_session_set_state(s, pass == 0 ? "hello-unanswered" : "unacknowledged");
            if (pass == 0) {
                pd_finding_summary(f, "%u HELLO keepalive%s from the %s never acknowledged (%u "
                                      "sends over %.1f s)",
                                   n, n == 1 ? "" : "s", side(d), sends,
                                   pd_seconds(first->first_ts, last->last_ts));
                pd_finding_explain(
                    f,
                    "L2TP checks a quiet tunnel with HELLO messages, which the peer must "
                    "acknowledge (a ZLB at least). The %s stopped acknowledging them: UDP 1701 "
                    "between the peers stopped getting through (a NAT or firewall mapping that "
                    "expired, an address that changed) or the %s is gone. The %s %s. A capture "
                    "at the %s shows whether the HELLOs still arrive.",
                    side(!d), side(!d), side(d),
                    gave_up ? "then gave up and stopped the tunnel" : "tears the tunnel down when "
                                                                      "its retries run out",
                    side(!d));
                pd_finding_remedy(f, "Look for a NAT or firewall on the path with a short UDP "
                                     "timeout or a changed mapping, or a peer that went down; "
                                     "with L2TP/IPsec, check the IPsec SA is still up.");
            } else {
                pd_finding_summary(f, "The %s's %s was sent %u time%s over %.1f s and never "
                                      "acknowledged%s",
                                   side(d), pd_l2tp_msg_abbrev(first->type), first->sends,
                                   first->sends == 1 ? "" : "s",
                                   pd_seconds(first->first_ts, first->last_ts),
                                   n > 1 ? " (with more messages queued behind it)" : "");
                pd_finding_explain(
                    f,
                    "L2TP control messages are retransmitted until the peer acknowledges them "
                    "(RFC 2661 section 5.8); after its retries the sender gives the tunnel up. "
                    "The %s's %s never got an acknowledgement: it is lost on the way to the %s, "
                    "or the acknowledgements are lost on the way back. %s",
                    side(d), pd_l2tp_msg_name(first->type), side(!d),
                    gave_up ? "The sender then stopped the tunnel. "
                            : "A capture at the other end shows which way packets are lost.");
                pd_finding_remedy(f, "Check firewalls and NAT between the peers for dropped "
                                     "UDP 1701 in either direction.");
            }
            pd_finding_evidence(f, first->first_frame, first->first_ts, "first unacknowledged %s",
                                pd_l2tp_msg_abbrev(first->type));
            pd_finding_evidence(f, last->last_frame, last->last_ts, "last send");
            if (gave_up)
                pd_finding_evidence(f, t->stop_frame, t->stop_ts, "StopCCN");
            pd_finding_commit(e, f);
            return true;
        }
    }
    return false;
}

/* ---- calls ---- */

static const char *cdn_meaning(const l2tp_call *c)
{
    switch (c->cdn_result) {
    case 1: return "the carrier was lost";
    case 2:
        return c->cdn_has_error && c->cdn_error == 4
                   ? "the server has no resources for another session now (a session limit, an "
                     "exhausted address pool or license)"
                   : "a general error, named by the error code";
    case 3: return "an administrative decision: a policy or limit refused this call";
    case 4: return "no appropriate facilities are available for now (no free line/port)";
    case 5: return "no appropriate facilities are available at all";
    case 6: return "the destination is invalid";
    case 7: return "no carrier was detected";
    case 8: return "a busy signal";
    case 9: return "no dial tone";
    case 10: return "the call was not established in the time the LAC allows";
    case 11: return "the call connected but no suitable framing was detected";
    default: return "a result code RFC 2661 does not define";
    }
}

static void cdn_summary_tail(const l2tp_call *c, char *buf, size_t len)
{
    char err[128] = "", msg[L2TP_TEXT + 16] = "";
    if (c->cdn_has_error && c->cdn_error != 0)
        g_snprintf(err, sizeof err, ", error %u \"%s\"", c->cdn_error,
                   pd_l2tp_error_name(c->cdn_error));
    if (c->cdn_message[0])
        g_snprintf(msg, sizeof msg, ", message \"%s\"", c->cdn_message);
    if (c->cdn_has_result)
        g_snprintf(buf, len, "CDN result %u \"%s\"%s%s", c->cdn_result,
                   pd_l2tp_result_name(PD_L2TP_CDN, c->cdn_result), err, msg);
    else
        g_snprintf(buf, len, "CDN without a readable Result Code");
}

static bool detect_call_refused(pd_engine *e, l2tp_tunnel *t, l2tp_call *c)
{
    pd_session *s = t->session;
    const char *req = pd_l2tp_msg_abbrev(c->request_type ? c->request_type : PD_L2TP_ICRQ);
    const char *conn = c->outgoing ? "OCCN" : "ICCN";
    int requester = c->outgoing ? L2TP_S2C : L2TP_C2S;
    pd_finding *f = pd_finding_begin(PD_SIG_L2TP_SESSION_REFUSED, s);
    if (c->cdn_frame) {
        char tail[320];
        cdn_summary_tail(c, tail, sizeof tail);
        f->blame = c->cdn_from == L2TP_S2C ? PD_BLAME_SERVER : PD_BLAME_UNKNOWN;
        pd_finding_summary(f, "The %s refused the call: %s", side(c->cdn_from), tail);
        pd_finding_explain(f, "The tunnel came up and the %s asked for a call (%s), but the %s "
                              "disconnected it before it was connected (no %s): %s.%s The %s's "
                              "L2TP and PPP logs say more.",
                           side(requester), req, side(c->cdn_from), conn, cdn_meaning(c),
                           c->cdn_has_q931 ? " A Q.931 cause code is attached too." : "",
                           side(c->cdn_from));
        pd_finding_remedy(f, "Check the %s's session limits, address pool and the PPP daemon it "
                             "starts for each call (xl2tpd: its pppd options file), and its remote "
                             "access policy for this client.", side(c->cdn_from));
        pd_finding_evidence(f, c->request_frame, c->request_ts, "%s", req);
        pd_finding_evidence(f, c->reply_frame, c->reply_ts, "%s", pd_l2tp_msg_abbrev(c->reply_type));
        pd_finding_evidence(f, c->cdn_frame, c->cdn_ts, "%s's CDN", side(c->cdn_from));
    } else if (c->reply_frame) {
        const l2tp_sent *rp = pending_of_type(&t->ctrl[!requester], c->reply_type);
        double tail = pd_seconds(c->reply_ts, s->last_ts_ns);
        f->blame = PD_BLAME_UNKNOWN;
        if (!(rp && rp->sends >= L2TP_UNACKED_SENDS) && tail < L2TP_LONE_REQUEST_SECONDS)
            f->confidence = PD_CONF_LOW;
        pd_finding_summary(f, "The call was answered (%s) but never connected: no %s from the %s",
                           pd_l2tp_msg_abbrev(c->reply_type), conn, side(requester));
        pd_finding_explain(f, "The %s accepted the call request, but the %s never confirmed it "
                              "with %s%s. %s",
                           side(!requester), side(requester), conn,
                           rp ? " and never acknowledged the reply" : "",
                           rp ? "The reply is probably lost on its way; a capture at the " 
                                "requesting side shows whether it arrives."
                              : "The requester received the reply and did not go on: its own "
                                "L2TP/PPP side failed to start the call (its log says why).");
        pd_finding_remedy(f, "Check the %s's L2TP client log and the path between the peers.",
                          side(requester));
        pd_finding_evidence(f, c->request_frame, c->request_ts, "%s", req);
        pd_finding_evidence(f, c->reply_frame, c->reply_ts, "%s",
                            pd_l2tp_msg_abbrev(c->reply_type));
    } else {
        const l2tp_sent *rq = pending_of_type(&t->ctrl[requester], c->request_type);
        uint32_t sends = rq ? rq->sends : 1;
        double tail = pd_seconds(c->request_ts, s->last_ts_ns);
        if (sends < L2TP_UNACKED_SENDS && tail < L2TP_LONE_REQUEST_SECONDS) {
            pd_finding_free(f); /* the capture ends right after the request */
            return false;
        }
        f->blame = PD_BLAME_UNKNOWN;
        pd_finding_summary(f, "The %s's call request (%s) was never answered (sent %u time%s)",
                           side(requester), req, sends, sends == 1 ? "" : "s");
        pd_finding_explain(f, "The tunnel works, but the %s neither accepted nor refused the "
                              "call: no %s, no CDN%s. The %s's L2TP service did not process the "
                              "request (its logs say why) or the request is lost on the way.",
                           side(!requester), c->outgoing ? "OCRP" : "ICRP",
                           rq ? ", not even an acknowledgement" : "", side(!requester));
        pd_finding_remedy(f, "Check the %s's L2TP logs for the call request.", side(!requester));
        pd_finding_evidence(f, c->request_frame, c->request_ts, "%s", req);
        if (rq && rq->last_frame != rq->first_frame)
            pd_finding_evidence(f, rq->last_frame, rq->last_ts, "last retransmission");
    }
    pd_session_set_state(s, "call-refused");
    pd_finding_commit(e, f);
    return true;
}

/* A call that was connected and then cleared with an error code that PPP
 * does not explain. */
static bool detect_call_dropped(pd_engine *e, l2tp_tunnel *t, l2tp_call *c)
{
    if (!c->cdn_frame || !c->cdn_has_result)
        return false;
    bool error = c->cdn_result >= 4 || (c->cdn_result == 2 && c->cdn_has_error && c->cdn_error);
    if (!error)
        return false;
    char tail[320];
    cdn_summary_tail(c, tail, sizeof tail);
    pd_finding *f = pd_finding_begin(PD_SIG_L2TP_CONTROL_FAILURE, t->session);
    f->blame = c->cdn_from == L2TP_S2C ? PD_BLAME_SERVER : PD_BLAME_UNKNOWN;
    pd_session_set_state(t->session, "call-disconnected");
    pd_finding_summary(f, "The %s disconnected the connected call: %s", side(c->cdn_from), tail);
    pd_finding_explain(f, "The call was connected, and the %s ended it with an error result: %s. "
                          "The PPP it carried shows no failure of its own that would explain it.",
                       side(c->cdn_from), cdn_meaning(c));
    pd_finding_remedy(f, "Check the %s's L2TP and PPP logs at the time of the CDN.",
                      side(c->cdn_from));
    pd_finding_evidence(f, c->connect_frame, c->connect_ts, "call connected");
    pd_finding_evidence(f, c->cdn_frame, c->cdn_ts, "%s's CDN", side(c->cdn_from));
    pd_finding_commit(e, f);
    return true;
}

static bool side_heard_after(const l2tp_tunnel *t, const l2tp_call *c, int d)
{
    return c->data[d].packets > 0 || t->ctrl[d].last_frame > c->connect_frame;
}

static bool detect_calls(pd_engine *e, l2tp_tunnel *t)
{
    bool failed = false;
    for (size_t i = 0; i < t->n_calls; i++) {
        l2tp_call *c = t->calls[i];
        if (!c->connected) {
            failed |= detect_call_refused(e, t, c);
            continue;
        }
        /* Control and data share one UDP flow: when both sides are heard
         * after the call connected, the tunnel passes packets both ways and
         * PPP's own silence is PPP's. */
        pd_ppp_context ctx = { "L2TP",
                               side_heard_after(t, c, L2TP_C2S) && side_heard_after(t, c, L2TP_S2C),
                               false };
        bool ppp_failed = pd_ppp_detect(e, t->session, &c->ppp, &ctx);
        if (pd_ppp_link_ipcp_opened(&c->ppp) || pd_ppp_link_ipv6cp_opened(&c->ppp)) {
            pd_ppp_cp cp = pd_ppp_link_ipcp_opened(&c->ppp) ? PD_PPP_CP_IPCP : PD_PPP_CP_IPV6CP;
            pd_session_reach(t->session, "tunnel-up", c->ppp.cp_opened_frame[cp],
                             c->ppp.cp_opened_ts[cp]);
        }
        failed |= ppp_failed;
        if (!ppp_failed)
            failed |= detect_call_dropped(e, t, c);
    }
    return failed;
}

/* ---- ICMP after the tunnel was answered ---- */

static bool detect_icmp_later(pd_engine *e, l2tp_tunnel *t)
{
    if (!t->icmp_count || !t->icmp_after_answer || t->stop_frame)
        return false;
    pd_finding *f = pd_finding_begin(PD_SIG_L2TP_CONTROL_FAILURE, t->session);
    f->blame = t->icmp_from_server ? PD_BLAME_SERVER : PD_BLAME_PATH;
    f->confidence = PD_CONF_MEDIUM;
    pd_session_set_state(t->session, "unreachable");
    pd_finding_summary(f, "After the server had answered, ICMP %s from %s about the L2TP to it",
                       t->icmp_what, t->icmp_from);
    pd_finding_explain(f, "%s",
                       t->icmp_from_server
                           ? "The server's own address stopped accepting the tunnel's UDP "
                             "packets: its L2TP service went away (restarted or stopped) while "
                             "the tunnel was in use."
                           : "A device on the path stopped forwarding the tunnel's packets to "
                             "the server (a route or filter change).");
    pd_finding_remedy(f, "Check the server's L2TP service at that time, and the path to it.");
    pd_finding_evidence(f, t->icmp_frame, t->icmp_ts, "ICMP %s", t->icmp_what);
    pd_finding_commit(e, f);
    return true;
}

void pd_l2tp_detect(pd_engine *e, l2tp_tunnel *t)
{
    pd_session *s = t->session;
    if (t->version != 2) {
        /* L2TPv3 is recognised and summarised, not diagnosed. */
        pd_session_set_state(s, "l2tpv3");
        return;
    }
    const l2tp_ctrl_dir *srv = &t->ctrl[L2TP_S2C];
    bool server_spoke = srv->messages + srv->zlbs + srv->malformed > 0 ||
                        s->packets[L2TP_S2C] > 0;
    if (!server_spoke) {
        if (!t->sccrq_count)
            return; /* the capture holds too little of this tunnel to judge */
        if (icmp_refuses_clear_l2tp(t))
            detect_clear_without_ipsec(e, t);
        else
            detect_no_answer(e, t);
        return;
    }
    if (detect_answer_lost(e, t))
        return;
    /* In the order things happen: the tunnel's setup, then its calls and
     * their PPP (a StopCCN after a PPP failure is its consequence), then
     * a StopCCN with an error of its own, then a channel that went deaf. */
    if (!tunnel_was_up(t) && !any_call_connected(t) &&
        (detect_stop(e, t) || detect_setup_incomplete(e, t)))
        return;
    if (detect_calls(e, t) || detect_stop(e, t) || detect_unacked(e, t))
        return;
    detect_icmp_later(e, t);
}
