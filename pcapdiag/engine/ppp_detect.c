/* ppp_detect.c - findings about a PPP negotiation (RFC 1661 LCP, RFC 1334
 * PAP, RFC 1994 CHAP, RFC 2759 MS-CHAPv2, RFC 3078 MPPE, RFC 1332 IPCP).
 *
 * Reads a pd_ppp_link (what ppp_track.c saw) and says which stage failed.
 * Windows codes: RFC 2759's E= values are Windows errors themselves; the
 * rest follow Microsoft's RAS error list (see signatures.def).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ppp.h"
#include "ppp_detect.h"

/* A peer that hears nothing retries Configure-Request every few seconds
 * (RFC 1661 restart timer, 3 s by default); three in a row unanswered is
 * past any reordering or single loss. */
#define PD_PPP_UNANSWERED_MIN 3
/* Naks and Rejects between both sides before a negotiation counts as stuck. */
#define PD_PPP_LOOP_MIN 4

const char *pd_ppp_side_name(int dir)
{
    return dir == PD_DIR_TO_SERVER ? "client" : "server";
}

static bool type_listed(const pd_ppp_type_list *t, uint8_t type)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->types[i] == type)
            return true;
    return false;
}

static void type_list_text(uint16_t protocol, const pd_ppp_type_list *a,
                           const pd_ppp_type_list *b, char *buf, size_t len)
{
    GString *s = g_string_new(NULL);
    const pd_ppp_type_list *lists[2] = { a, b };
    uint8_t seen[2 * PD_PPP_TRACK_MAX_TYPES];
    size_t n_seen = 0;
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < lists[k]->n; i++) {
            uint8_t t = lists[k]->types[i];
            if (memchr(seen, t, n_seen))
                continue;
            seen[n_seen++] = t;
            g_string_append_printf(s, "%s%s (%u)", s->len ? ", " : "",
                                   pd_ppp_option_name(protocol, t), t);
        }
    }
    g_strlcpy(buf, s->len ? s->str : "no option named", len);
    g_string_free(s, TRUE);
}

static const char *auth_text(uint16_t protocol, uint8_t algorithm)
{
    return pd_ppp_auth_name(protocol, algorithm);
}

/* ---- authentication ---- */

static const char *mschap_error_meaning(uint32_t code)
{
    switch (code) {
    case 646: return "the account may not log on at this time of day";
    case 647: return "the account is disabled";
    case 648: return "the password has expired";
    case 649: return "the account has no dial-in permission";
    case 691: return "the user name or password (or domain) is not accepted";
    case 709: return "changing the password failed";
    default: return "the server refused the credentials";
    }
}

static bool detect_auth_failed(pd_engine *e, pd_session *s, const pd_ppp_link *l)
{
    const pd_ppp_auth *a = &l->auth;
    if (a->result != PD_PPP_AUTH_FAILURE)
        return false;
    uint32_t code = a->has_error_code ? a->error_code : 691;
    uint16_t proto = a->seen_protocol ? a->seen_protocol : a->protocol;
    const char *method = auth_text(proto, a->negotiated ? a->algorithm : 0);
    pd_finding *f = pd_finding_begin(PD_SIG_PPP_AUTH_FAILED, s);
    pd_finding_code(f, (int)code);
    f->blame = PD_BLAME_CONFIGURATION;
    char ecode[24] = "";
    if (a->has_error_code)
        g_snprintf(ecode, sizeof ecode, " with E=%u", code);
    if (a->message[0])
        pd_finding_summary(f, "%s authentication failed%s: \"%s\"", method, ecode, a->message);
    else
        pd_finding_summary(f, "%s authentication failed%s", method, ecode);
    pd_finding_explain(f,
                       "The tunnel and PPP's link negotiation worked; the server answered the %s "
                       "response%s%s with a Failure: %s.%s The packets prove the refusal, not "
                       "its reason on the server: the server's authentication log says which "
                       "check failed.",
                       method, a->peer_name[0] ? " for user " : "",
                       a->peer_name[0] ? a->peer_name : "", mschap_error_meaning(code),
                       a->failures > 1 ? " The client tried more than once and failed each time."
                                       : "");
    switch (code) {
    case 649:
        pd_finding_remedy(f, "Grant the account dial-in (remote access) permission on the server "
                             "or in its network policy.");
        break;
    case 648:
        pd_finding_remedy(f, "Have the user change the expired password, then connect again.");
        break;
    case 647:
        pd_finding_remedy(f, "Enable the account (or use an enabled one).");
        break;
    case 646:
        pd_finding_remedy(f, "Check the account's allowed logon hours.");
        break;
    default:
        pd_finding_remedy(f, "Check the user name, password and domain the client sends "
                             "(including DOMAIN\\user form) against the server's accounts; "
                             "check the server's authentication log for the refused attempt.");
        break;
    }
    if (a->first_response_frame)
        pd_finding_evidence(f, a->first_response_frame, 0, "client's %s response%s%s", method,
                            a->peer_name[0] ? " as " : "", a->peer_name);
    pd_finding_evidence(f, a->first_failure_frame ? a->first_failure_frame : a->result_frame,
                        a->result_ts, "server's Failure%s", ecode);
    pd_finding_commit(e, f);
    return true;
}

/* The authentication-protocol option (LCP type 3) refused with nothing
 * both sides accept: one side Naks or Rejects it and LCP never opens (or
 * opens with no authentication and is then torn down). */
static bool detect_auth_mismatch(pd_engine *e, pd_session *s, const pd_ppp_link *l)
{
    for (int d = 0; d < 2; d++) {
        const pd_ppp_cp_side *asker = &l->cp[PD_PPP_CP_LCP][d];
        const pd_ppp_cp_side *refuser = &l->cp[PD_PPP_CP_LCP][!d];
        bool nak = type_listed(&refuser->nak_types, 3), rej = type_listed(&refuser->rej_types, 3);
        if (!nak && !rej)
            continue;
        /* Settled after all: they agreed on a protocol, or someone authenticated. */
        if (l->auth.result == PD_PPP_AUTH_SUCCESS || (pd_ppp_link_lcp_opened(l) && l->auth.negotiated))
            continue;
        const pd_lcp_opts *want = asker->first_auth.has_auth ? &asker->first_auth : &asker->last_req.lcp;
        const pd_lcp_opts *offer = &refuser->last_nak.lcp;
        pd_finding *f = pd_finding_begin(PD_SIG_PPP_AUTH_PROTOCOL_MISMATCH, s);
        pd_finding_code(f, 734);
        f->blame = PD_BLAME_CONFIGURATION;
        char wanted[48], offered[64];
        g_strlcpy(wanted, want->has_auth ? auth_text(want->auth_protocol, want->auth_algorithm)
                                         : "authentication",
                  sizeof wanted);
        if (nak && offer->has_auth)
            g_snprintf(offered, sizeof offered, "suggested %s instead",
                       auth_text(offer->auth_protocol, offer->auth_algorithm));
        else
            g_strlcpy(offered, nak ? "Nak-ed it" : "Rejected it (it will not authenticate at all)",
                      sizeof offered);
        pd_finding_summary(f, "No common authentication protocol: the %s asks for %s, the %s %s",
                           pd_ppp_side_name(d), wanted, pd_ppp_side_name(!d), offered);
        pd_finding_explain(f,
                           "In LCP the authenticating side names the protocol it wants in the "
                           "Authentication-Protocol option. The %s answered %u time(s) with a "
                           "Configure-%s of that option and LCP %s. Each side's allowed "
                           "methods are configuration; the capture shows what each offered.",
                           pd_ppp_side_name(!d), nak ? refuser->naks_sent : refuser->rejects_sent,
                           nak ? "Nak" : "Reject",
                           pd_ppp_link_lcp_opened(l) ? "opened without authentication, then the "
                                                       "link was torn down"
                                                     : "never opened");
        pd_finding_remedy(f, "Allow a common method on both sides: for Windows clients enable "
                             "MS-CHAPv2 on the server (and in the client's VPN properties), or "
                             "EAP where the server requires it; avoid PAP/CHAP.");
        pd_finding_evidence(f, asker->first_req_frame, asker->first_req_ts,
                            "%s's Configure-Request asking for %s", pd_ppp_side_name(d), wanted);
        pd_finding_evidence(f, nak ? refuser->first_nak_frame : refuser->first_rej_frame, 0,
                            "%s's Configure-%s of Authentication-Protocol", pd_ppp_side_name(!d),
                            nak ? "Nak" : "Reject");
        for (int t = 0; t < 2; t++)
            if (l->cp[PD_PPP_CP_LCP][t].first_term_req_frame)
                pd_finding_evidence(f, l->cp[PD_PPP_CP_LCP][t].first_term_req_frame,
                                    l->cp[PD_PPP_CP_LCP][t].first_term_req_ts,
                                    "%s ends the link", pd_ppp_side_name(t));
        pd_finding_commit(e, f);
        return true;
    }
    return false;
}

/* ---- LCP ---- */

static bool detect_lcp_unanswered(pd_engine *e, pd_session *s, const pd_ppp_link *l,
                                  const pd_ppp_context *ctx)
{
    if (!ctx->carrier_both_ways)
        return false;
    /* LCP can look open from where both Acks were seen leaving, while the
     * side being challenged never answers the authenticator and keeps
     * re-requesting: it never received the Ack of its own request. */
    int challenged = l->auth.authenticator_dir >= 0 ? !l->auth.authenticator_dir : PD_DIR_TO_SERVER;
    bool looks_open_but_stuck = pd_ppp_link_lcp_opened(l) && l->auth.challenges >= 2 &&
                                l->auth.responses == 0 && l->auth.result == PD_PPP_AUTH_NONE &&
                                l->cp[PD_PPP_CP_LCP][challenged].last_req_frame >
                                    l->cp_opened_frame[PD_PPP_CP_LCP];
    if (pd_ppp_link_lcp_opened(l) && !looks_open_but_stuck)
        return false;
    for (int d = 0; d < 2; d++) {
        const pd_ppp_cp_side *me = &l->cp[PD_PPP_CP_LCP][d];
        const pd_ppp_cp_side *peer = &l->cp[PD_PPP_CP_LCP][!d];
        if (me->conf_req < PD_PPP_UNANSWERED_MIN || peer->naks_sent > 0 || peer->rejects_sent > 0)
            continue;
        if (looks_open_but_stuck && d != challenged)
            continue;
        /* Either no Ack ever came back, or Acks are in the capture and the
         * requester kept asking after them: they never reached it. */
        bool never_acked = me->acks_received == 0;
        bool acks_lost = !never_acked && me->last_req_frame > me->first_ack_frame;
        if (!never_acked && !acks_lost)
            continue;
        pd_finding *f = pd_finding_begin(PD_SIG_PPP_LCP_UNANSWERED, s);
        pd_finding_code(f, 721);
        const char *me_name = pd_ppp_side_name(d), *peer_name = pd_ppp_side_name(!d);
        pd_vantage v = pd_session_vantage(s);
        bool at_sender = (v == PD_VANTAGE_CLIENT && d == PD_DIR_TO_SERVER) ||
                         (v == PD_VANTAGE_SERVER && d == PD_DIR_TO_CLIENT);
        f->confidence = PD_CONF_MEDIUM;
        if (acks_lost) {
            pd_finding_summary(f, "The %s's %u LCP Configure-Requests are acknowledged by the %s, "
                                  "but the %s keeps asking: the Acks never reach it",
                               me_name, me->conf_req, peer_name, me_name);
            pd_finding_explain(
                f,
                "%s carries packets both ways and the %s answers each request with a "
                "Configure-Ack, yet the %s repeats its request as if it heard nothing%s. So "
                "something between them drops particular PPP packets (an IPS or a PPTP/GRE-aware "
                "filter), not all GRE. A capture at the %s shows the Acks missing there.",
                ctx->carrier, peer_name, me_name,
                peer->acks_received ? ", while it acknowledges the other side's requests: its "
                                      "peer's other packets reach it, only the Acks do not"
                                    : "",
                me_name);
            f->blame = PD_BLAME_MIDDLEBOX;
        } else {
            pd_finding_summary(f, "The %s's %u LCP Configure-Requests over %.1f s were never "
                                  "acknowledged, although %s carried packets both ways",
                               me_name, me->conf_req, pd_seconds(me->first_req_ts, me->last_req_ts),
                               ctx->carrier);
            pd_finding_explain(
                    f,
                    "%s packets flow in both directions, so the tunnel itself passes traffic, but "
                    "no Ack, Nak or Reject from the %s for the %s's LCP Configure-Requests is in "
                    "this capture%s. %s",
                    ctx->carrier, peer_name, me_name,
                    peer->conf_req ? ", although the peer sends requests of its own" : "",
                    at_sender ? "This capture is at the requesting side: it cannot tell whether "
                                "the requests were lost on the way, or the answers on the way "
                                "back (an IPS or PPTP/GRE-aware filter dropping particular "
                                "packets). A capture at the other end settles it."
                              : "Where the requests arrived and nothing answered them, the peer's "
                                "PPP is not processing them (or its answers are dropped "
                                "selectively).");
            f->blame = at_sender ? PD_BLAME_PATH : PD_BLAME_UNKNOWN;
        }
        pd_finding_remedy(f, "Capture at the %s at the same time to see which packets arrive; "
                             "check firewalls, IPS and PPTP/GRE helpers on the path that pass "
                             "some GRE packets and not others; check the %s's PPP logs.",
                          me_name, peer_name);
        pd_finding_evidence(f, me->first_req_frame, me->first_req_ts,
                            "%s's first LCP Configure-Request", me_name);
        if (acks_lost)
            pd_finding_evidence(f, me->first_ack_frame, me->first_ack_ts,
                                "%s's Configure-Ack of it", peer_name);
        pd_finding_evidence(f, me->last_req_frame, me->last_req_ts,
                            "%s's last LCP Configure-Request (%u sent)", me_name, me->conf_req);
        if (peer->first_req_frame)
            pd_finding_evidence(f, peer->first_req_frame, peer->first_req_ts,
                                "%s's own LCP Configure-Request", peer_name);
        pd_finding_commit(e, f);
        return true;
    }
    return false;
}

static bool detect_lcp_loop(pd_engine *e, pd_session *s, const pd_ppp_link *l)
{
    if (pd_ppp_link_lcp_opened(l))
        return false;
    const pd_ppp_cp_side *c = &l->cp[PD_PPP_CP_LCP][0], *sv = &l->cp[PD_PPP_CP_LCP][1];
    uint32_t refusals = c->naks_sent + c->rejects_sent + sv->naks_sent + sv->rejects_sent;
    if (refusals < PD_PPP_LOOP_MIN || c->conf_req < 2 || sv->conf_req < 2)
        return false;
    char c_types[160], s_types[160];
    type_list_text(PD_PPP_LCP, &c->nak_types, &c->rej_types, c_types, sizeof c_types);
    type_list_text(PD_PPP_LCP, &sv->nak_types, &sv->rej_types, s_types, sizeof s_types);
    pd_finding *f = pd_finding_begin(PD_SIG_PPP_LCP_LOOP, s);
    pd_finding_code(f, 734);
    f->blame = PD_BLAME_CONFIGURATION;
    pd_finding_summary(f, "LCP never opened: %u Naks/Rejects between the sides (client refuses: "
                          "%s; server refuses: %s)",
                       refusals, c_types, s_types);
    pd_finding_explain(f, "Both sides keep answering each other's Configure-Requests with Naks "
                          "or Rejects and neither settles; PPP gives up after its "
                          "Max-Configure/Max-Failure count. The options named are what they "
                          "disagree on.");
    pd_finding_remedy(f, "Align the named options on both ends (MRU, authentication, "
                         "callback, multilink are the usual ones).");
    /* The earliest Nak or Reject from either side. */
    uint64_t refusals_at[4] = { c->first_nak_frame, c->first_rej_frame, sv->first_nak_frame,
                                sv->first_rej_frame };
    uint64_t first = 0;
    for (int i = 0; i < 4; i++)
        if (refusals_at[i] && (!first || refusals_at[i] < first))
            first = refusals_at[i];
    pd_finding_evidence(f, first, 0, "first refusal");
    pd_finding_evidence(f, c->last_req_frame, c->last_req_ts, "client's last Configure-Request");
    pd_finding_evidence(f, sv->last_req_frame, sv->last_req_ts, "server's last Configure-Request");
    pd_finding_commit(e, f);
    return true;
}

/* ---- CCP / MPPE ---- */

static bool protocol_rejected(const pd_ppp_link *l, int dir, uint16_t protocol)
{
    const pd_ppp_dir_stats *d = &l->dir[dir];
    for (size_t i = 0; i < d->n_rejected_protocols; i++)
        if (d->rejected_protocols[i] == protocol)
            return true;
    return false;
}

static bool detect_encryption_rejected(pd_engine *e, pd_session *s, const pd_ppp_link *l)
{
    if (!pd_ppp_link_lcp_opened(l) || pd_ppp_link_ccp_opened(l))
        return false;
    for (int d = 0; d < 2; d++) {
        const pd_ppp_cp_side *req = &l->cp[PD_PPP_CP_CCP][d];
        const pd_ppp_cp_side *peer = &l->cp[PD_PPP_CP_CCP][!d];
        bool wants_mppe = req->conf_req > 0 && req->last_req.ccp.has_mppe &&
                          (req->last_req.ccp.mppe_bits & PD_MPPE_ENCRYPTION_BITS);
        if (!wants_mppe)
            continue;
        bool proto_rej = protocol_rejected(l, !d, PD_PPP_CCP);
        bool opt_rej = type_listed(&peer->rej_types, 18);
        bool opt_nak = type_listed(&peer->nak_types, 18);
        bool ended = l->cp[PD_PPP_CP_LCP][0].term_req || l->cp[PD_PPP_CP_LCP][1].term_req;
        if (!proto_rej && !opt_rej && !(opt_nak && ended) && !(ended && req->acks_received == 0))
            continue;
        char bits[96];
        pd_mppe_bits_describe(req->last_req.ccp.mppe_bits, bits, sizeof bits);
        pd_finding *f = pd_finding_begin(PD_SIG_PPP_ENCRYPTION_REJECTED, s);
        /* From the client's point of view: the server wanting encryption the
         * client refuses is "local computer does not support" (741); the client
         * wanting it and the server refusing is "remote computer" (742). */
        pd_finding_code(f, d == PD_DIR_TO_CLIENT ? 741 : 742);
        f->blame = PD_BLAME_CONFIGURATION;
        const char *how = proto_rej ? "Protocol-Rejected CCP altogether"
                          : opt_rej ? "Rejected the MPPE option"
                          : opt_nak ? "Nak-ed the MPPE option with no strength both accept"
                                    : "never acknowledged it before the link ended";
        pd_finding_summary(f, "Encryption refused: the %s asks for MPPE (%s), the %s %s",
                           pd_ppp_side_name(d), bits, pd_ppp_side_name(!d), how);
        pd_finding_explain(f, "After authentication PPP negotiates compression and encryption "
                              "in CCP; MPPE is CCP option 18. The %s requires an MPPE strength "
                              "the %s will not provide, so no encrypted data can flow and the "
                              "side that requires encryption ends the link.",
                           pd_ppp_side_name(d), pd_ppp_side_name(!d));
        pd_finding_remedy(f, "Make both ends agree on data encryption: enable MPPE (128-bit) on "
                             "the %s, or relax 'require encryption' on the %s (not recommended).",
                          pd_ppp_side_name(!d), pd_ppp_side_name(d));
        pd_finding_evidence(f, req->first_req_frame, req->first_req_ts,
                            "%s's CCP Configure-Request with MPPE", pd_ppp_side_name(d));
        if (proto_rej)
            pd_finding_evidence(f, l->dir[!d].first_proto_rej_frame, 0,
                                "%s's LCP Protocol-Reject of CCP", pd_ppp_side_name(!d));
        if (opt_rej)
            pd_finding_evidence(f, peer->first_rej_frame, 0, "%s's CCP Configure-Reject",
                                pd_ppp_side_name(!d));
        if (opt_nak)
            pd_finding_evidence(f, peer->first_nak_frame, 0, "%s's CCP Configure-Nak",
                                pd_ppp_side_name(!d));
        for (int t = 0; t < 2; t++)
            if (l->cp[PD_PPP_CP_LCP][t].first_term_req_frame)
                pd_finding_evidence(f, l->cp[PD_PPP_CP_LCP][t].first_term_req_frame,
                                    l->cp[PD_PPP_CP_LCP][t].first_term_req_ts, "%s ends the link",
                                    pd_ppp_side_name(t));
        pd_finding_commit(e, f);
        return true;
    }
    return false;
}

/* ---- IPCP ---- */

static bool data_flowed(const pd_ppp_link *l)
{
    return l->dir[0].compressed + l->dir[1].compressed + l->dir[0].network + l->dir[1].network > 0;
}

static bool ncp_up(const pd_ppp_link *l, pd_ppp_cp cp)
{
    if (!pd_ppp_link_cp_opened(l, cp))
        return false;
    bool terminated = l->cp[cp][0].term_req || l->cp[cp][1].term_req;
    return !terminated || data_flowed(l);
}

bool pd_ppp_link_network_up(const pd_ppp_link *l)
{
    return ncp_up(l, PD_PPP_CP_IPCP) || ncp_up(l, PD_PPP_CP_IPV6CP);
}

static bool detect_ipcp_failed(pd_engine *e, pd_session *s, const pd_ppp_link *l)
{
    if (!pd_ppp_link_lcp_opened(l) || pd_ppp_link_network_up(l) || pd_ppp_link_auth_failed(l))
        return false;
    /* Authentication asked for and never granted is not an IPCP problem. */
    if (l->auth.negotiated && l->auth.result != PD_PPP_AUTH_SUCCESS)
        return false;
    const pd_ppp_cp_side *c = &l->cp[PD_PPP_CP_IPCP][0], *sv = &l->cp[PD_PPP_CP_IPCP][1];
    bool ended = l->cp[PD_PPP_CP_LCP][0].term_req || l->cp[PD_PPP_CP_LCP][1].term_req;
    bool rejected = protocol_rejected(l, 0, PD_PPP_IPCP) || protocol_rejected(l, 1, PD_PPP_IPCP);
    /* IPCP must have been tried: a link ended before it is another story. */
    if (c->conf_req + sv->conf_req == 0 && !rejected)
        return false;
    if (c->conf_req + sv->conf_req < PD_PPP_UNANSWERED_MIN && !ended && !rejected)
        return false;
    pd_finding *f = pd_finding_begin(PD_SIG_PPP_IPCP_FAILED, s);
    pd_finding_code(f, 733);
    f->blame = PD_BLAME_CONFIGURATION;
    char detail[200];
    const pd_ipcp_opts *nak = &sv->last_nak.ipcp;
    int ender = c->term_req ? 0 : sv->term_req ? 1 : -1;
    if (ender >= 0 && l->cp[PD_PPP_CP_IPCP][ender].term_reason[0])
        g_snprintf(detail, sizeof detail, "after %u Naks from the server and %u from the client, "
                                          "the %s ended IPCP: \"%s\"",
                   sv->naks_sent, c->naks_sent, pd_ppp_side_name(ender),
                   l->cp[PD_PPP_CP_IPCP][ender].term_reason);
    else if (rejected)
        g_strlcpy(detail, "a side Protocol-Rejected IPCP", sizeof detail);
    else if (sv->naks_sent && nak->has_address && !nak->address[0] && !nak->address[1] &&
             !nak->address[2] && !nak->address[3])
        g_strlcpy(detail, "the server Naks the client's address request with 0.0.0.0: it has "
                          "no address to give",
                  sizeof detail);
    else if (sv->naks_sent || c->naks_sent)
        g_snprintf(detail, sizeof detail, "%u Naks from the server and %u from the client, "
                                          "without agreement on the addresses",
                   sv->naks_sent, c->naks_sent);
    else if (sv->rejects_sent || c->rejects_sent)
        g_strlcpy(detail, "options Rejected without agreement", sizeof detail);
    else if (c->conf_req && !c->acks_received)
        g_snprintf(detail, sizeof detail, "the client's %u IPCP requests were never acknowledged",
                   c->conf_req);
    else if (sv->conf_req && !sv->acks_received)
        g_snprintf(detail, sizeof detail, "the server's %u IPCP requests were never acknowledged",
                   sv->conf_req);
    else
        g_strlcpy(detail, "IPCP did not complete before the link ended", sizeof detail);
    pd_finding_summary(f, "IP configuration failed after authentication: %s", detail);
    pd_finding_explain(f, "LCP opened%s, so the tunnel and credentials work; IPCP, which "
                          "assigns the client its tunnel address, never settled on addresses both sides "
                          "accept (or was ended before any data flowed). Without it no IP traffic "
                          "can use the tunnel.",
                       l->auth.result == PD_PPP_AUTH_SUCCESS ? " and authentication succeeded" : "");
    pd_finding_remedy(f, "Check the server's address pool (static pool or DHCP relay) and its "
                         "exhaustion; check that the client does not insist on a static address "
                         "the server refuses.");
    pd_finding_evidence(f, c->first_req_frame ? c->first_req_frame : sv->first_req_frame, 0,
                        "first IPCP Configure-Request");
    if (sv->first_nak_frame)
        pd_finding_evidence(f, sv->first_nak_frame, 0, "server's IPCP Configure-Nak");
    if (ender >= 0)
        pd_finding_evidence(f, l->cp[PD_PPP_CP_IPCP][ender].first_term_req_frame,
                            l->cp[PD_PPP_CP_IPCP][ender].first_term_req_ts,
                            "%s's IPCP Terminate-Request", pd_ppp_side_name(ender));
    if (c->last_req_frame)
        pd_finding_evidence(f, c->last_req_frame, c->last_req_ts,
                            "client's last IPCP Configure-Request (%u sent)", c->conf_req);
    for (int t = 0; t < 2; t++)
        if (l->cp[PD_PPP_CP_LCP][t].first_term_req_frame)
            pd_finding_evidence(f, l->cp[PD_PPP_CP_LCP][t].first_term_req_frame,
                                l->cp[PD_PPP_CP_LCP][t].first_term_req_ts, "%s ends the link",
                                pd_ppp_side_name(t));
    pd_finding_commit(e, f);
    return true;
}

/* ---- Terminate ---- */

static void note_terminated(pd_engine *e, pd_session *s, const pd_ppp_link *l,
                            const pd_ppp_context *ctx)
{
    int first = -1;
    for (int d = 0; d < 2; d++) {
        const pd_ppp_cp_side *side = &l->cp[PD_PPP_CP_LCP][d];
        if (side->term_req &&
            (first < 0 || side->first_term_req_frame <
                              l->cp[PD_PPP_CP_LCP][first].first_term_req_frame))
            first = d;
    }
    if (first < 0)
        return;
    const pd_ppp_cp_side *side = &l->cp[PD_PPP_CP_LCP][first];
    pd_finding *f = pd_finding_begin(PD_SIG_PPP_TERMINATED, s);
    pd_finding_summary(f, "The %s ended the PPP link (LCP Terminate-Request%s%s%s)",
                       pd_ppp_side_name(first), side->term_reason[0] ? ": \"" : "",
                       side->term_reason, side->term_reason[0] ? "\"" : "");
    bool carried = l->dir[0].compressed || l->dir[1].compressed || l->dir[0].network ||
                   l->dir[1].network;
    pd_finding_explain(f, "%s", pd_ppp_link_network_up(l)
                                    ? "The link was fully up before; this is how it was closed."
                                : ctx->negotiation_unseen && carried
                                    ? "The link was up and carried data before (its negotiation "
                                      "is not in the capture); this is how it was closed."
                                : ctx->negotiation_unseen
                                    ? "The link's negotiation is not in the capture; this is how "
                                      "it was closed."
                                    : "The link had not finished negotiating when it was closed; "
                                      "other findings on this session say why.");
    pd_finding_evidence(f, side->first_term_req_frame, side->first_term_req_ts,
                        "%s's LCP Terminate-Request", pd_ppp_side_name(first));
    const pd_ppp_cp_side *other = &l->cp[PD_PPP_CP_LCP][!first];
    if (other->first_term_ack_frame)
        pd_finding_evidence(f, other->first_term_ack_frame, 0, "Terminate-Ack");
    pd_finding_commit(e, f);
}

bool pd_ppp_detect(pd_engine *e, pd_session *s, const pd_ppp_link *l, const pd_ppp_context *ctx)
{
    if (l->frames == 0)
        return false;
    /* In negotiation order: the first stage that failed explains the rest. */
    bool failed = detect_lcp_unanswered(e, s, l, ctx) || detect_auth_mismatch(e, s, l) ||
                  detect_lcp_loop(e, s, l) || detect_auth_failed(e, s, l) ||
                  detect_encryption_rejected(e, s, l) || detect_ipcp_failed(e, s, l);
    note_terminated(e, s, l, ctx);
    return failed;
}
