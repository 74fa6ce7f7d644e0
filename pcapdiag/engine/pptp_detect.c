/* pptp_detect.c - the pptp.* findings for a control connection that is over.
 *
 * Reads what pptp_track.c recorded and names the first layer that broke:
 * TCP 1723 (no answer, reset, ICMP), the control protocol (refusals, stops,
 * dead echoes), GRE (one-way, cut, mangled), then PPP (ppp_detect.c).
 * Windows codes follow seed 002 (628/629, 678, 692, 721, 722, 806, 807)
 * and Microsoft's RAS error list; every verdict says what its capture
 * proves and which second capture would settle what it cannot.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ppp_detect.h"
#include "pptp_session.h"

/* One direction of GRE going quiet this long before the other counts as
 * cut (PPP retransmits every 3 s, so the live side shows it). */
#define PPTP_CUT_SECONDS 5.0
/* A cut this soon after the tunnel came up is still "during negotiation"
 * in the sense of Windows error 806 (seed 002). */
#define PPTP_EARLY_SECONDS 30.0
#define PPTP_ECHO_UNANSWERED_MIN 3
/* A call ended sooner than PPP's first retransmission (3 s restart timer,
 * RFC 1661) was not given up on for lack of answers: someone ended it. */
#define PPTP_QUICK_TEARDOWN_SECONDS 3.0

static const char *side(int dir)
{
    return dir == PPTP_C2S ? "client" : "server";
}

/* ---- TCP 1723 ---- */

static void detect_no_answer(pd_engine *e, pptp_conn *c)
{
    pd_session *s = c->session;
    const pd_tcp_conn *t = &c->tcp;
    pd_finding *f = pd_finding_begin(PD_SIG_PPTP_NO_ANSWER, s);
    char srv[48];
    pd_addr_str(&c->server, srv, sizeof srv);
    double span = pd_seconds(t->first_syn_ts_ns, t->last_syn_ts_ns);
    double tail = pd_seconds(t->last_syn_ts_ns, s->last_ts_ns);
    pd_finding_code(f, 678);
    pd_finding_code(f, 800);
    pd_session_set_state(s, "no-answer");
    if (t->state == PD_TCP_SYN_RECEIVED) {
        pd_finding_summary(f, "The server answered the SYN to %s port 1723, but the handshake "
                              "never completed", srv);
        pd_finding_explain(f, "A SYN/ACK went back to the client and no ACK followed: the "
                              "client never received the server's answer (dropped on the way "
                              "back), so for the client the server does not answer.");
        f->blame = PD_BLAME_PATH;
        pd_finding_remedy(f, "Check firewalls and NAT between the server and the client for "
                             "dropped TCP 1723 replies; a capture at the client shows whether "
                             "the SYN/ACK arrives.");
        pd_finding_evidence(f, t->first_syn_frame, t->first_syn_ts_ns, "client's SYN");
        pd_finding_evidence(f, t->synack_frame, 0, "server's SYN/ACK, never acknowledged");
        pd_finding_commit(e, f);
        return;
    }
    if (t->syn_count >= 2) {
        pd_finding_summary(f, "SYN to %s port 1723 sent %u times over %.1f s, never answered",
                           srv, t->syn_count, span);
    } else {
        pd_finding_summary(f, "SYN to %s port 1723 never answered (sent once; the capture ends "
                              "%.1f s later)", srv, tail);
        f->confidence = tail >= 3.0 ? PD_CONF_MEDIUM : PD_CONF_LOW;
    }
    pd_vantage v = pd_session_vantage(s);
    pd_finding_explain(
        f,
        "Nothing came back for the connection to the PPTP port: no SYN/ACK, no reset, no ICMP "
        "error. The packets were dropped silently somewhere between the client and the server "
        "(a client-side firewall or hotspot that allows only web traffic, a captive portal not "
        "yet accepted, a firewall in front of the server), or the server is down. %s",
        v == PD_VANTAGE_CLIENT
            ? "This capture is at the client: it cannot tell where the SYNs were lost. A capture "
              "at the server settles it: if they arrive there unanswered, the server is at fault."
        : v == PD_VANTAGE_SERVER
            ? "This capture is at the server and the SYNs arrive there unanswered: the server "
              "(its firewall or the PPTP service) does not answer."
            : "A capture at the server settles whether the SYNs arrive there.");
    f->blame = v == PD_VANTAGE_SERVER ? PD_BLAME_SERVER : PD_BLAME_UNKNOWN;
    pd_finding_remedy(f, "Check the client has working Internet access (a captive portal must "
                         "be accepted first), that its network allows outbound TCP 1723 and IP "
                         "protocol 47, that the server is up and listening on TCP 1723; test "
                         "with a TCP connection to port 1723 from the client's network.");
    pd_finding_evidence(f, t->first_syn_frame, t->first_syn_ts_ns, "first SYN to port 1723");
    if (t->last_syn_frame != t->first_syn_frame)
        pd_finding_evidence(f, t->last_syn_frame, t->last_syn_ts_ns,
                            "last retransmission (%u SYNs in all)", t->syn_count);
    pd_finding_commit(e, f);
}

static void detect_port_rejected(pd_engine *e, pptp_conn *c)
{
    pd_session *s = c->session;
    const pd_tcp_conn *t = &c->tcp;
    char srv[48];
    pd_addr_str(&c->server, srv, sizeof srv);
    pd_finding *f = pd_finding_begin(PD_SIG_PPTP_PORT_REJECTED, s);
    pd_finding_code(f, 692);
    pd_finding_code(f, 807);
    pd_finding_summary(f, "Connection to %s port 1723 refused with a TCP reset", srv);
    pd_finding_explain(f, "The SYN to the PPTP port was answered by RST%s: either nothing "
                          "listens on TCP 1723 at the server, or a firewall on the way rejects "
                          "the port and answers for the server. The reset's TTL (%u) compared "
                          "with the server's other traffic can tell them apart; a capture at "
                          "the server settles it (no SYN there: a firewall on the path).",
                       t->syn_count > 1 ? " (after retransmissions)" : "", s->max_ttl[PPTP_S2C]);
    f->blame = PD_BLAME_UNKNOWN;
    pd_finding_remedy(f, "Check that the PPTP service runs on the server and that firewalls on "
                         "both networks allow TCP 1723 (and IP protocol 47) to it; or switch "
                         "the client to SSTP or IKEv2.");
    pd_finding_evidence(f, t->first_syn_frame, t->first_syn_ts_ns, "SYN to port 1723");
    pd_finding_evidence(f, t->rst_frame, 0, "reset from the server's address");
    pd_finding_commit(e, f);
}

static void detect_icmp(pd_engine *e, pptp_conn *c)
{
    pd_session *s = c->session;
    const char *what = pd_icmp_error_name(&c->icmp_first_kind);
    char from[48];
    pd_addr_str(&c->icmp_from, from, sizeof from);
    pd_finding *f = pd_finding_begin(PD_SIG_PPTP_ICMP_UNREACHABLE, s);
    pd_finding_code(f, c->icmp_about_gre ? 806 : 800);
    pd_finding_summary(f, "%s answered by ICMP %s from %s",
                       c->icmp_about_gre ? "GRE" : "SYN to TCP 1723", what, from);
    pd_finding_explain(f, "A router or firewall at %s refused to forward the %s and said so "
                          "(%u ICMP error(s)). %s",
                       from, c->icmp_about_gre ? "tunnel's GRE packets" : "connection",
                       c->icmp_count,
                       strstr(what, "prohibited")
                           ? "'Administratively prohibited' means a filter rule, not an outage."
                           : "The message names why it could not deliver.");
    f->blame = PD_BLAME_MIDDLEBOX;
    pd_finding_remedy(f, "Ask the owner of %s to allow %s to the VPN server, or use SSTP/IKEv2.",
                      from, c->icmp_about_gre ? "IP protocol 47 (GRE)" : "TCP 1723");
    if (!c->icmp_about_gre)
        pd_finding_evidence(f, c->tcp.first_syn_frame, c->tcp.first_syn_ts_ns,
                            "SYN to port 1723");
    pd_finding_evidence(f, c->icmp_frame, c->icmp_ts, "ICMP %s", what);
    pd_finding_commit(e, f);
}

/* ---- the control protocol ---- */

static pd_finding *control_failure(pptp_conn *c)
{
    pd_finding *f = pd_finding_begin(PD_SIG_PPTP_CONTROL_FAILURE, c->session);
    f->blame = PD_BLAME_SERVER;
    return f;
}

/* Windows maps a refused Outgoing-Call-Reply to the RAS error of the
 * equivalent modem condition. */
static int ocrp_windows_error(uint8_t result)
{
    switch (result) {
    case 3: return 679; /* no carrier */
    case 4: return 676; /* busy */
    case 5: return 680; /* no dial tone */
    case 6: return 678; /* time-out: no answer */
    default: return 0;
    }
}

static bool detect_control(pd_engine *e, pptp_conn *c)
{
    pd_session *s = c->session;
    if (c->sccrp_frame && !c->control_connected) {
        pd_finding *f = control_failure(c);
        pd_finding_summary(f, "The server refused the PPTP control connection: "
                              "Start-Control-Connection-Reply \"%s\"%s%s",
                           pd_pptp_result_name(PD_PPTP_SCCRP, c->sccrp_result),
                           c->sccrp_error ? ", error " : "",
                           c->sccrp_error ? pd_pptp_error_name(c->sccrp_error) : "");
        pd_finding_explain(f, "TCP 1723 connected, but the server's PPTP service declined to "
                              "start a control connection (result %u).", c->sccrp_result);
        pd_finding_remedy(f, "Check the server's PPTP service state and logs (connection "
                             "limits, a control connection already open from this address).");
        pd_finding_evidence(f, c->sccrq_frame, c->sccrq_ts, "client's request");
        pd_finding_evidence(f, c->sccrp_frame, c->sccrp_ts, "server's refusal");
        pd_finding_commit(e, f);
        pd_session_set_state(s, "control-refused");
        return true;
    }
    if (c->sccrq_frame && !c->sccrp_frame) {
        pd_finding *f = control_failure(c);
        pd_finding_code(f, 678);
        pd_finding_summary(f, "The server accepted TCP 1723 but never answered the "
                              "Start-Control-Connection-Request");
        pd_finding_explain(f, "The TCP handshake worked, the client sent its PPTP request and "
                              "no reply came (%s). Something accepts the port without speaking "
                              "PPTP (a proxy or a different service), or the service hangs.",
                           c->teardown_frame ? c->teardown_what : "the capture ends");
        f->confidence = PD_CONF_MEDIUM;
        pd_finding_remedy(f, "Check what listens on TCP 1723 at the server and its logs.");
        pd_finding_evidence(f, c->sccrq_frame, c->sccrq_ts, "unanswered request");
        if (c->teardown_frame)
            pd_finding_evidence(f, c->teardown_frame, c->teardown_ts, "%s", c->teardown_what);
        pd_finding_commit(e, f);
        return true;
    }
    for (size_t i = 0; i < c->n_calls; i++) {
        pptp_call *call = c->calls[i];
        uint16_t type = call->incoming ? PD_PPTP_ICRP : PD_PPTP_OCRP;
        if (!call->reply_frame || pd_pptp_result_ok(type, call->reply_result))
            continue;
        pd_finding *f = control_failure(c);
        int code = call->incoming ? 0 : ocrp_windows_error(call->reply_result);
        if (code)
            pd_finding_code(f, code);
        pd_finding_summary(f, "The server refused the call: %s \"%s\"%s%s",
                           pd_pptp_msg_name(type), pd_pptp_result_name(type, call->reply_result),
                           call->reply_error ? ", error " : "",
                           call->reply_error ? pd_pptp_error_name(call->reply_error) : "");
        pd_finding_explain(f, "The control connection came up, but the server declined to "
                              "connect the call (result %u, error %u, cause %u): it has no free "
                              "line/port, a policy refuses this client, or it failed internally.",
                           call->reply_result, call->reply_error, call->reply_cause);
        pd_finding_remedy(f, "Check the server's count of VPN ports and its remote access "
                             "policy and logs for this client.");
        pd_finding_evidence(f, call->request_frame, call->request_ts, "call request");
        pd_finding_evidence(f, call->reply_frame, call->reply_ts, "refusal");
        pd_finding_commit(e, f);
        pd_session_set_state(s, "call-refused");
        return true;
    }
    for (int d = 0; d < 2; d++) {
        if (c->echo_unanswered[d] < PPTP_ECHO_UNANSWERED_MIN)
            continue;
        pd_finding *f = control_failure(c);
        f->blame = PD_BLAME_PATH;
        pd_finding_code(f, 629);
        pd_finding_summary(f, "%u PPTP Echo-Requests from the %s over %.1f s were never answered",
                           c->echo_unanswered[d], side(d),
                           pd_seconds(c->echo_first_unanswered_ts[d],
                                      c->echo_last_unanswered_ts[d]));
        pd_finding_explain(f, "PPTP checks the control connection with Echo-Requests; the %s "
                              "stopped answering them, so the %s will drop the connection.",
                           side(!d), side(d));
        pd_finding_remedy(f, "Look for a firewall or NAT that dropped the idle TCP 1723 "
                             "connection's state, or a hung peer.");
        pd_finding_evidence(f, c->echo_first_unanswered_frame[d], c->echo_first_unanswered_ts[d],
                            "first unanswered Echo-Request");
        pd_finding_evidence(f, c->echo_last_unanswered_frame[d], c->echo_last_unanswered_ts[d],
                            "last unanswered Echo-Request");
        pd_finding_commit(e, f);
        return true;
    }
    return false;
}

/* The call was connected and torn down again before PPP could have timed
 * out: the side that tore it down could not (or would not) run the tunnel. */
static bool detect_quick_teardown(pd_engine *e, pptp_conn *c, pptp_call *call)
{
    const pd_ppp_link *l = &call->ppp;
    if (!c->teardown_frame || c->teardown_frame < call->reply_frame ||
        pd_seconds(call->reply_ts, c->teardown_ts) > PPTP_QUICK_TEARDOWN_SECONDS ||
        pd_ppp_link_lcp_opened(l))
        return false;
    int who = c->teardown_from;
    pd_finding *f = control_failure(c);
    f->blame = who == PPTP_S2C ? PD_BLAME_SERVER : PD_BLAME_UNKNOWN;
    f->confidence = PD_CONF_MEDIUM;
    if (who == PPTP_S2C)
        pd_finding_code(f, 629);
    pd_session_set_state(c->session, "call-torn-down");
    pd_finding_summary(f, "The %s tore the call down %.2f s after it was connected (%s), before "
                          "PPP could negotiate",
                       side(who), pd_seconds(call->reply_ts, c->teardown_ts), c->teardown_what);
    pd_finding_explain(
        f, "%s",
        who == PPTP_S2C
            ? "The server connected the call and then ended it at once, before its PPP sent a "
              "single frame: its PPP side failed to start (the PPP daemon or program, kernel PPP/GRE "
              "support, or a policy that refuses the user before PPP). The capture shows that the "
              "server ended it, not why: the server's PPTP/PPP log says."
            : "The client ended the call right after it was connected, without waiting for PPP to "
              "time out: something local made it give up at once (an ICMP error about its GRE, a "
              "local firewall refusing protocol 47, its PPP failing to start). A capture at the "
              "client shows what it saw.");
    pd_finding_remedy(f, "Check the %s's PPTP/PPP logs for the moment of the teardown; check that "
                         "GRE (IP protocol 47) is allowed on its side.", side(who));
    pd_finding_evidence(f, call->reply_frame, call->reply_ts, "call connected");
    if (l->cp[PD_PPP_CP_LCP][0].first_req_frame)
        pd_finding_evidence(f, l->cp[PD_PPP_CP_LCP][0].first_req_frame,
                            l->cp[PD_PPP_CP_LCP][0].first_req_ts,
                            "client's LCP Configure-Request");
    pd_finding_evidence(f, c->teardown_frame, c->teardown_ts, "%s's %s", side(who),
                        c->teardown_what);
    pd_finding_commit(e, f);
    return true;
}

/* ---- middlebox damage ---- */

static void detect_mangled(pd_engine *e, pptp_conn *c)
{
    if (c->n_mangled == 0)
        return;
    pd_finding *f = pd_finding_begin(PD_SIG_PPTP_FIXUP_MANGLED, c->session);
    pd_finding_code(f, 722);
    f->blame = PD_BLAME_MIDDLEBOX;
    pd_finding_summary(f, "%" G_GUINT64_FORMAT " damaged PPTP/GRE/PPP packet(s): %s",
                       c->mangled_total, c->mangled[0].note);
    bool lcp_failed = false;
    for (size_t i = 0; i < c->n_calls; i++)
        lcp_failed |= c->calls[i]->mangled && !pd_ppp_link_lcp_opened(&c->calls[i]->ppp);
    pd_finding_explain(f, "Real PPTP stacks do not send these: a device between the peers that "
                          "rewrites PPTP (a 'PPTP fixup', ALG or NAT helper) changed bytes it "
                          "should not have, so the peer discards the PPP frames and the "
                          "connection fails with 'invalid PPP packet'.%s A capture at the other "
                          "end, compared packet by packet, shows exactly which bytes changed.",
                       lcp_failed ? " After the damage LCP never opened: the receiver drops what "
                                    "it cannot match or parse, so its peer's requests go unanswered."
                                  : "");
    pd_finding_remedy(f, "Disable the PPTP inspection/fixup/ALG on the client's router or "
                         "firewall (or update its firmware), or switch the client to SSTP/IKEv2.");
    for (size_t i = 0; i < c->n_mangled; i++)
        pd_finding_evidence(f, c->mangled[i].frame, c->mangled[i].ts_ns, "%s", c->mangled[i].note);
    pd_finding_commit(e, f);
}

/* ---- GRE ---- */

static void gre_blocked(pd_engine *e, pptp_conn *c, pptp_call *call)
{
    pd_session *s = c->session;
    uint64_t n[2] = { call->gre[PPTP_C2S].packets, call->gre[PPTP_S2C].packets };
    pd_vantage v = pd_session_vantage(s);
    bool server_ended = c->teardown_from == PPTP_S2C && c->teardown_frame > call->reply_frame;
    pd_finding *f = pd_finding_begin(PD_SIG_PPTP_GRE_BLOCKED, s);
    if (server_ended) {
        pd_finding_code(f, 628);
        pd_finding_code(f, 629);
    } else {
        pd_finding_code(f, 721);
    }
    pd_session_set_state(s, "gre-blocked");
    const char *ending = server_ended ? " The server then tore the call down (Windows: 628/629)."
                         : c->teardown_from == PPTP_C2S
                             ? " The client gave up and ended the call (Windows: 721)."
                             : "";

    if (n[0] == 0 && n[1] == 0) {
        f->confidence = PD_CONF_LOW;
        pd_finding_summary(f, "Call connected, but no GRE at all in either direction");
        pd_finding_explain(f, "The call was set up on TCP 1723, but not a single GRE (IP "
                              "protocol 47) packet is in the capture. Either the capture filter "
                              "excluded GRE (a filter on 'tcp port 1723' does), or GRE is "
                              "dropped both ways before this capture point.%s", ending);
        pd_finding_remedy(f, "Capture again without a port filter (or with 'tcp port 1723 or "
                             "proto gre'); then, if GRE is still missing, allow IP protocol 47 "
                             "on the firewalls between client and server.");
    } else {
        int sender = n[PPTP_C2S] ? PPTP_C2S : PPTP_S2C, missing = !sender;
        const pd_ppp_cp_side *lcp = &call->ppp.cp[PD_PPP_CP_LCP][sender];
        bool at_sender = (v == PD_VANTAGE_CLIENT && sender == PPTP_C2S) ||
                         (v == PD_VANTAGE_SERVER && sender == PPTP_S2C);
        bool at_missing = (v == PD_VANTAGE_CLIENT && missing == PPTP_C2S) ||
                          (v == PD_VANTAGE_SERVER && missing == PPTP_S2C);
        pd_finding_summary(f, "GRE only from the %s: %" G_GUINT64_FORMAT " packets (%u LCP "
                              "Configure-Requests over %.1f s), none from the %s",
                           side(sender), n[sender], lcp->conf_req,
                           pd_seconds(lcp->first_req_ts, lcp->last_req_ts), side(missing));
        if (at_sender) {
            /* We stand beside the sender and hear nothing back. */
            f->blame = PD_BLAME_PATH;
            pd_finding_explain(
                f,
                "The control connection on TCP 1723 works, so the %s is reachable, but not one GRE "
                "(IP protocol 47) packet from the %s reached this capture point while the %s's "
                "LCP Configure-Requests went unanswered. Either the %s's GRE never got there "
                "(dropped on the way, typically by a firewall or NAT that allows TCP 1723 but "
                "not protocol 47), or the %s's answers are dropped on the way back. This capture "
                "cannot tell which; a capture at the %s at the same time settles it.%s",
                side(missing), side(missing), side(sender), side(sender), side(missing),
                side(missing), ending);
            pd_finding_remedy(f, "Allow IP protocol 47 (GRE) in both directions on the "
                                 "firewalls/NAT between client and server (a NAT needs a PPTP "
                                 "helper); confirm with a capture at the %s; or switch the client "
                                 "to SSTP/IKEv2.", side(missing));
        } else if (at_missing) {
            /* We stand beside the silent side: it never heard the sender,
             * or heard it and did not answer. */
            f->blame = missing == PPTP_C2S ? PD_BLAME_CLIENT_NETWORK : PD_BLAME_SERVER;
            pd_finding_explain(
                f,
                "This capture is at the %s, which sent no GRE at all while the %s's GRE with "
                "LCP Configure-Requests %s. %s%s",
                side(missing), side(sender), "arrived here",
                missing == PPTP_C2S
                    ? "The client's own GRE is missing from its own capture: its PPTP/PPP stack "
                      "never started the link, or the capture missed outbound GRE."
                    : "The server received the client's PPP and never answered it: its PPP "
                      "side did not start (PPP daemon, GRE/PPP kernel support, or a local "
                      "firewall dropping outbound GRE).",
                ending);
            pd_finding_remedy(f, "Check the %s's PPTP/PPP service logs and local firewall for "
                                 "outbound GRE.", side(missing));
        } else {
            f->blame = PD_BLAME_PATH;
            f->confidence = PD_CONF_MEDIUM;
            pd_finding_explain(f, "GRE crosses this capture point only from the %s; the %s's "
                                  "never does. Captures at both ends tell whether the %s sends "
                                  "it and where it is lost.%s",
                               side(sender), side(missing), side(missing), ending);
            pd_finding_remedy(f, "Allow IP protocol 47 (GRE) both ways between client and "
                                 "server; capture at both ends to locate the drop.");
        }
        pd_finding_evidence(f, call->reply_frame, call->reply_ts, "call connected");
        if (lcp->first_req_frame) {
            pd_finding_evidence(f, lcp->first_req_frame, lcp->first_req_ts,
                                "%s's first LCP Configure-Request in GRE", side(sender));
            pd_finding_evidence(f, lcp->last_req_frame, lcp->last_req_ts,
                                "%s's last LCP Configure-Request (%u sent, none answered)",
                                side(sender), lcp->conf_req);
        } else {
            pd_finding_evidence(f, call->gre[sender].first_frame, call->gre[sender].first_ts,
                                "%s's first GRE packet", side(sender));
        }
    }
    if (n[0] == 0 && n[1] == 0)
        pd_finding_evidence(f, call->reply_frame, call->reply_ts, "call connected");
    if (c->teardown_frame > call->reply_frame)
        pd_finding_evidence(f, c->teardown_frame, c->teardown_ts, "%s's %s",
                            side(c->teardown_from), c->teardown_what);
    pd_finding_commit(e, f);
}

/* GRE is present both ways here, yet one side behaves as if it hears nothing
 * from the other: it keeps repeating its LCP Configure-Request after the
 * other side acknowledged it, and never answers the other side's requests.
 * Then the other side's GRE is lost in transit (seen at that side, or on
 * the path before the drop). Returns the direction lost, or -1. */
static int gre_lost_in_transit(const pptp_call *call)
{
    const pd_ppp_link *l = &call->ppp;
    /* Any authentication packet means both sides heard each other's LCP. */
    if (pd_ppp_link_lcp_opened(l) || l->auth.first_frame)
        return -1;
    for (int lost = 0; lost < 2; lost++) {
        const pd_ppp_cp_side *sender = &l->cp[PD_PPP_CP_LCP][lost];    /* GRE lost from here */
        const pd_ppp_cp_side *deaf = &l->cp[PD_PPP_CP_LCP][!lost];     /* ...to here */
        if (deaf->conf_req >= 3 && deaf->acks_received > 0 &&
            deaf->last_req_frame > deaf->first_ack_frame && sender->acks_received == 0 &&
            deaf->naks_sent == 0 && deaf->rejects_sent == 0 && sender->conf_req > 0)
            return lost;
    }
    return -1;
}

static void gre_lost(pd_engine *e, pptp_conn *c, pptp_call *call, int lost)
{
    pd_session *s = c->session;
    const pd_ppp_cp_side *sender = &call->ppp.cp[PD_PPP_CP_LCP][lost];
    const pd_ppp_cp_side *deaf = &call->ppp.cp[PD_PPP_CP_LCP][!lost];
    bool server_ended = c->teardown_from == PPTP_S2C && c->teardown_frame > call->reply_frame;
    pd_finding *f = pd_finding_begin(PD_SIG_PPTP_GRE_BLOCKED, s);
    if (server_ended) {
        pd_finding_code(f, 628);
        pd_finding_code(f, 629);
    } else {
        pd_finding_code(f, 721);
    }
    f->blame = PD_BLAME_PATH;
    pd_session_set_state(s, "gre-blocked");
    pd_finding_summary(f, "GRE from the %s never reaches the %s: the %s repeats its LCP "
                          "Configure-Request %u times although the %s acknowledged it",
                       side(lost), side(!lost), side(!lost), deaf->conf_req, side(lost));
    pd_finding_explain(
        f,
        "GRE appears in both directions in this capture, but the %s behaves as if it hears "
        "nothing from the %s: after the %s's Configure-Ack (frame %" G_GUINT64_FORMAT ") it keeps "
        "retransmitting the same request, and it never answers the %s's own %u requests. So the "
        "%s's GRE (IP protocol 47) is lost on the way to the %s, typically at a firewall or NAT "
        "that allows TCP 1723 but not GRE in that direction, or it arrives damaged (a PPTP "
        "'fixup' that rewrites the Call ID makes the receiver discard it).%s A capture at the "
        "%s shows which: GRE missing there, or arriving changed.",
        side(!lost), side(lost), side(lost), deaf->first_ack_frame, side(lost), sender->conf_req,
        side(lost), side(!lost),
        server_ended ? " The server then tore the call down (Windows: 628/629)."
                     : " The client's PPP gives up on LCP (Windows: 721).",
        side(!lost));
    pd_finding_remedy(f, "Allow IP protocol 47 (GRE) from the %s to the %s on the firewalls/NAT "
                         "between them (a NAT needs a PPTP helper); or switch the client to "
                         "SSTP/IKEv2.", side(lost), side(!lost));
    pd_finding_evidence(f, call->reply_frame, call->reply_ts, "call connected");
    pd_finding_evidence(f, sender->first_req_frame, sender->first_req_ts,
                        "%s's first LCP Configure-Request (%u sent, none answered)", side(lost),
                        sender->conf_req);
    pd_finding_evidence(f, deaf->first_ack_frame, deaf->first_ack_ts,
                        "%s acknowledges the %s's request", side(lost), side(!lost));
    pd_finding_evidence(f, deaf->last_req_frame, deaf->last_req_ts,
                        "%s still repeating its request", side(!lost));
    if (c->teardown_frame > call->reply_frame)
        pd_finding_evidence(f, c->teardown_frame, c->teardown_ts, "%s's %s",
                            side(c->teardown_from), c->teardown_what);
    pd_finding_commit(e, f);
}

/* GRE flowed both ways and then one direction went silent while the other
 * kept going and the control connection lived on. */
static bool gre_cut(pd_engine *e, pptp_conn *c, pptp_call *call)
{
    pd_session *s = c->session;
    const pd_ppp_link *l = &call->ppp;
    bool ppp_up = pd_ppp_link_network_up(l);
    for (int d = 0; d < 2; d++) {
        const pptp_gre_dir *quiet = &call->gre[d], *live = &call->gre[!d];
        double silence = pd_seconds(quiet->last_ts, live->last_ts);
        if (silence < PPTP_CUT_SECONDS)
            continue;
        /* A PPP that ended properly is not a cut. */
        if (l->cp[PD_PPP_CP_LCP][d].first_term_req_frame &&
            l->cp[PD_PPP_CP_LCP][d].first_term_req_frame <= quiet->last_frame)
            continue;
        if (ppp_up) {
            const pd_stage *up = pd_session_stage(s, "ipcp-opened");
            if (!up || pd_seconds(up->ts_ns, quiet->last_ts) > PPTP_EARLY_SECONDS)
                continue;
        }
        pd_finding *f = pd_finding_begin(PD_SIG_PPTP_GRE_CUT_MIDWAY, s);
        pd_finding_code(f, 806);
        f->blame = PD_BLAME_MIDDLEBOX;
        pd_session_set_state(s, "gre-cut");
        pd_finding_summary(f, "GRE from the %s stopped after %" G_GUINT64_FORMAT " packets, %s; "
                              "the %s kept sending for %.1f s more",
                           side(d), quiet->packets,
                           ppp_up ? "in the tunnel's first seconds" : "before PPP finished",
                           side(!d), silence);
        pd_finding_explain(f, "GRE worked in both directions at first, so neither end blocks "
                              "protocol 47 outright; then the %s's GRE vanished while the %s "
                              "went on (retransmitting PPP) and the TCP 1723 control connection "
                              "stayed up. A firewall or IPS that tracks GRE and closes it "
                              "mid-negotiation (quota, inspection, state timeout) does this. "
                              "A capture at the %s shows whether it still sends.",
                           side(d), side(!d), side(d));
        pd_finding_remedy(f, "Check IPS/firewall policies on the path for GRE inspection or "
                             "limits (e.g. 'SmartDefense'-style PPTP checks) and exempt the VPN "
                             "server; or switch the client to SSTP/IKEv2.");
        pd_finding_evidence(f, quiet->first_frame, quiet->first_ts, "%s's first GRE", side(d));
        pd_finding_evidence(f, quiet->last_frame, quiet->last_ts, "%s's last GRE", side(d));
        pd_finding_evidence(f, live->last_frame, live->last_ts, "%s's GRE still flowing",
                            side(!d));
        pd_finding_commit(e, f);
        return true;
    }
    return false;
}

void pd_pptp_detect(pd_engine *e, pptp_conn *c)
{
    const pd_tcp_conn *t = &c->tcp;
    if (t->state == PD_TCP_NONE)
        return;
    if (c->icmp_count && !c->icmp_about_gre && !c->ctrl_messages[PPTP_S2C]) {
        detect_icmp(e, c);
        return;
    }
    if (t->state == PD_TCP_REFUSED) {
        pd_session_set_state(c->session, "refused");
        detect_port_rejected(e, c);
        return;
    }
    if (t->state == PD_TCP_SYN_SENT || t->state == PD_TCP_SYN_RECEIVED) {
        detect_no_answer(e, c);
        return;
    }

    detect_mangled(e, c);
    if (detect_control(e, c))
        return;
    if (c->icmp_count && c->icmp_about_gre)
        detect_icmp(e, c);

    for (size_t i = 0; i < c->n_calls; i++) {
        pptp_call *call = c->calls[i];
        if (!call->connected)
            continue;
        if (call->mangled)
            continue;
        if (call->gre[PPTP_C2S].packets == 0 || call->gre[PPTP_S2C].packets == 0) {
            if (!c->icmp_about_gre && !detect_quick_teardown(e, c, call))
                gre_blocked(e, c, call);
            continue;
        }
        int lost = gre_lost_in_transit(call);
        if (lost >= 0) {
            gre_lost(e, c, call, lost);
            continue;
        }
        if (gre_cut(e, c, call))
            continue;
        pd_ppp_context ctx = { "GRE", true, false };
        pd_ppp_detect(e, c->session, &call->ppp, &ctx);
        if (pd_ppp_link_network_up(&call->ppp)) {
            pd_ppp_cp ncp = pd_ppp_link_ipcp_opened(&call->ppp) ? PD_PPP_CP_IPCP : PD_PPP_CP_IPV6CP;
            pd_session_reach(c->session, "tunnel-up", call->ppp.cp_opened_frame[ncp],
                             call->ppp.cp_opened_ts[ncp]);
        }
    }
    if (t->state == PD_TCP_CLOSED || t->state == PD_TCP_RESET)
        pd_session_set_state(c->session, t->state == PD_TCP_CLOSED ? "closed" : "reset");
}

/* ---- calls captured mid-call ---- */

/* GRE one way only for the whole of a call captured mid-call. Without the
 * control connection the capture cannot show that the call was meant to be
 * up, nor for how long: a note with low confidence, saying which capture
 * settles it, not an error. */
static void midcall_one_way(pd_engine *e, pptp_conn *c, const pptp_call *call)
{
    pd_session *s = c->session;
    int live = call->gre[PPTP_C2S].packets ? PPTP_C2S : PPTP_S2C;
    const pptp_gre_dir *g = &call->gre[live];
    pd_finding *f = pd_finding_begin(PD_SIG_PPTP_GRE_BLOCKED, s);
    f->severity = PD_SEV_NOTE;
    f->confidence = PD_CONF_LOW;
    f->blame = PD_BLAME_UNKNOWN;
    pd_session_set_state(s, "gre-one-way");
    pd_finding_summary(f, "GRE of a call already up when the capture began flows one way only: "
                          "%" G_GUINT64_FORMAT " packets from the %s over %.1f s, none back "
                          "(likely blocked or lost in the other direction)",
                       g->packets, side(live), pd_seconds(g->first_ts, g->last_ts));
    pd_finding_explain(f, "The control connection that set this call up is not in the capture, "
                          "so it cannot show that the call was meant to carry data both ways. "
                          "GRE from one side with nothing back, for the whole capture, is what a "
                          "path that drops protocol 47 one way looks like; a capture that sees "
                          "one direction only (an asymmetric route, a one-way mirror port) looks "
                          "the same.%s",
                       strcmp(c->role_basis, "TCP 1723 port") == 0
                           ? ""
                           : " Which side is the client is a guess here (see the roles attribute).");
    pd_finding_remedy(f, "Capture at the %s's end of the tunnel (or at both ends, from before the "
                         "call is set up): GRE arriving there and unanswered puts the fault on that "
                         "side; GRE not arriving puts it on the path.", side(!live));
    pd_finding_evidence(f, g->first_frame, g->first_ts, "first GRE from the %s", side(live));
    pd_finding_evidence(f, g->last_frame, g->last_ts, "last GRE from the %s", side(live));
    pd_finding_commit(e, f);
}

/* GRE flowed both ways, then one direction went silent while the other
 * went on asking: LCP Echo-Requests sent after the silent side's last GRE
 * and never answered. PPP's own keepalive shows the cut without the control
 * connection; which Windows error follows depends on the client (none named). */
static bool midcall_cut(pd_engine *e, pptp_conn *c, const pptp_call *call)
{
    const pd_ppp_link *l = &call->ppp;
    for (int d = 0; d < 2; d++) {
        const pptp_gre_dir *quiet = &call->gre[d], *live = &call->gre[!d];
        const pd_ppp_dir_stats *asker = &l->dir[!d];
        double silence = pd_seconds(quiet->last_ts, live->last_ts);
        if (silence < PPTP_CUT_SECONDS || asker->last_echo_req_frame <= quiet->last_frame ||
            l->dir[d].last_echo_rep_frame > asker->last_echo_req_frame)
            continue;
        /* A link that was being closed is not cut. */
        const pd_ppp_cp_side *lq = &l->cp[PD_PPP_CP_LCP][d], *ll = &l->cp[PD_PPP_CP_LCP][!d];
        if ((lq->first_term_req_frame && lq->first_term_req_frame <= quiet->last_frame) ||
            (ll->first_term_req_frame && ll->first_term_req_frame <= quiet->last_frame))
            continue;
        pd_session *s = c->session;
        pd_finding *f = pd_finding_begin(PD_SIG_PPTP_GRE_CUT_MIDWAY, s);
        f->confidence = PD_CONF_MEDIUM;
        f->blame = PD_BLAME_UNKNOWN;
        pd_session_set_state(s, "gre-cut");
        pd_finding_summary(f, "GRE from the %s stopped after %" G_GUINT64_FORMAT " packets in this "
                              "capture; the %s kept sending for %.1f s and its LCP "
                              "Echo-Requests went unanswered",
                           side(d), quiet->packets, side(!d), silence);
        pd_finding_explain(f, "The call was up before the capture began (its setup is not in it). "
                              "GRE flowed both ways, then the %s's GRE vanished while the %s "
                              "went on and asked with LCP Echo-Requests that nothing answered. "
                              "Either the path started dropping the %s's GRE (a firewall or NAT "
                              "that lost or timed out the GRE state, a failover, an IPS), or the "
                              "%s stopped sending. This capture cannot tell which.",
                           side(d), side(!d), side(d), side(d));
        pd_finding_remedy(f, "Capture at the %s's end at the same time: GRE still leaving it "
                             "puts the fault on the path (check GRE state timeouts and IPS "
                             "policies there); no GRE leaving it puts it on the %s.",
                          side(d), side(d));
        pd_finding_evidence(f, quiet->first_frame, quiet->first_ts, "%s's first GRE in the capture",
                            side(d));
        pd_finding_evidence(f, quiet->last_frame, quiet->last_ts, "%s's last GRE", side(d));
        pd_finding_evidence(f, asker->last_echo_req_frame, 0, "%s's last LCP Echo-Request, "
                            "unanswered", side(!d));
        if (c->teardown_frame > quiet->last_frame)
            pd_finding_evidence(f, c->teardown_frame, c->teardown_ts, "%s's %s",
                                side(c->teardown_from), c->teardown_what);
        pd_finding_commit(e, f);
        return true;
    }
    return false;
}

void pd_pptp_detect_midcall(pd_engine *e, pptp_conn *c)
{
    detect_mangled(e, c);
    bool all_one_way = c->n_calls > 0;
    for (size_t i = 0; i < c->n_calls; i++) {
        const pptp_call *call = c->calls[i];
        bool one_way = call->gre[PPTP_C2S].packets == 0 || call->gre[PPTP_S2C].packets == 0;
        all_one_way &= one_way;
        if (call->mangled) {
            /* explained by pptp.fixup_mangled */
        } else if (one_way) {
            /* Two directions that could not be paired are two halves of
             * the same picture: nothing to say about either alone. */
            if (!c->pairing_ambiguous)
                midcall_one_way(e, c, call);
        } else {
            if (midcall_cut(e, c, call))
                continue;
            /* What PPP shows by itself: a renegotiation that fails, an
             * authentication refused, a Terminate; never what needs the
             * negotiation the capture missed. */
            pd_ppp_context ctx = { "GRE", true, true };
            pd_ppp_detect(e, c->session, &call->ppp, &ctx);
        }
    }
    const pd_tcp_conn *t = &c->tcp;
    if (c->ctrl_midstream && (t->state == PD_TCP_CLOSED || t->state == PD_TCP_RESET))
        pd_session_set_state(c->session, t->state == PD_TCP_CLOSED ? "closed" : "reset");
    else if ((!all_one_way || c->pairing_ambiguous) && pd_session_stage(c->session, c->session->state))
        pd_session_set_state(c->session, "mid-call"); /* no verdict set a state */
}
