/* ppp_track.c - PPP negotiation tracker for one link, both directions
 * (RFC 1661 sections 4 and 5 in simplified form; RFC 1334, 1994, 2759, 3748).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ppp_track.h"

#include <string.h>

void pd_ppp_link_init(pd_ppp_link *l)
{
    memset(l, 0, sizeof *l);
    l->auth.authenticator_dir = -1;
}

void pd_ppp_link_swap_dirs(pd_ppp_link *l)
{
    for (int cp = 0; cp < PD_PPP_CP__COUNT; cp++) {
        pd_ppp_cp_side t = l->cp[cp][0];
        l->cp[cp][0] = l->cp[cp][1];
        l->cp[cp][1] = t;
    }
    pd_ppp_dir_stats d = l->dir[0];
    l->dir[0] = l->dir[1];
    l->dir[1] = d;
    if (l->auth.authenticator_dir == 0 || l->auth.authenticator_dir == 1)
        l->auth.authenticator_dir = !l->auth.authenticator_dir;
}

int pd_ppp_cp_from_protocol(uint16_t protocol)
{
    switch (protocol) {
    case PD_PPP_LCP: return PD_PPP_CP_LCP;
    case PD_PPP_CCP: return PD_PPP_CP_CCP;
    case PD_PPP_IPCP: return PD_PPP_CP_IPCP;
    case PD_PPP_IPV6CP: return PD_PPP_CP_IPV6CP;
    default: return -1;
    }
}

const char *pd_ppp_cp_name(pd_ppp_cp cp)
{
    switch (cp) {
    case PD_PPP_CP_LCP: return "LCP";
    case PD_PPP_CP_CCP: return "CCP";
    case PD_PPP_CP_IPCP: return "IPCP";
    case PD_PPP_CP_IPV6CP: return "IPV6CP";
    default: return "Unknown";
    }
}

const char *pd_ppp_cp_state_name(pd_ppp_cp_state s)
{
    switch (s) {
    case PD_CP_INITIAL: return "initial";
    case PD_CP_REQ_SENT: return "req-sent";
    case PD_CP_ACK_RCVD: return "ack-rcvd";
    case PD_CP_ACK_SENT: return "ack-sent";
    case PD_CP_OPENED: return "opened";
    case PD_CP_CLOSING: return "closing";
    case PD_CP_CLOSED: return "closed";
    }
    return "Unknown";
}

const char *pd_ppp_auth_result_name(pd_ppp_auth_result r)
{
    switch (r) {
    case PD_PPP_AUTH_NONE: return "none";
    case PD_PPP_AUTH_SUCCESS: return "success";
    case PD_PPP_AUTH_FAILURE: return "failure";
    }
    return "Unknown";
}

static void type_add(pd_ppp_type_list *t, uint8_t type)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->types[i] == type)
            return;
    if (t->n < PD_PPP_TRACK_MAX_TYPES)
        t->types[t->n++] = type;
    else
        t->overflow = true;
}

static void types_from(pd_ppp_type_list *t, const pd_ppp_frame *f)
{
    for (size_t i = 0; i < f->n_options; i++)
        type_add(t, f->options[i].type);
}

static void set_first(uint64_t *first, uint64_t frame)
{
    if (*first == 0)
        *first = frame;
}

static pd_ppp_cp_state side_state(const pd_ppp_cp_side *s)
{
    if (s->term_phase == 1)
        return PD_CP_CLOSING;
    if (s->term_phase == 2)
        return PD_CP_CLOSED;
    if (s->req_acked && s->acked_peer)
        return PD_CP_OPENED;
    if (s->req_acked)
        return PD_CP_ACK_RCVD;
    if (s->acked_peer)
        return PD_CP_ACK_SENT;
    return s->req_active ? PD_CP_REQ_SENT : PD_CP_INITIAL;
}

static void update_states(pd_ppp_link *l, int cp, uint64_t frame, int64_t ts)
{
    pd_ppp_cp_side *side = l->cp[cp];
    for (int d = 0; d < 2; d++) {
        side[d].state = side_state(&side[d]);
        if (side[d].state == PD_CP_OPENED)
            set_first(&side[d].opened_frame, frame);
    }
    if (side[0].state == PD_CP_OPENED && side[1].state == PD_CP_OPENED &&
        l->cp_opened_frame[cp] == 0) {
        l->cp_opened_frame[cp] = frame;
        l->cp_opened_ts[cp] = ts;
    }
}

static void handle_cp(pd_ppp_link *l, int cp, const pd_ppp_frame *f, int dir, uint64_t frame,
                      int64_t ts)
{
    pd_ppp_cp_side *me = &l->cp[cp][dir];
    pd_ppp_cp_side *peer = &l->cp[cp][1 - dir];
    pd_ppp_dir_stats *st = &l->dir[dir];

    switch (f->code) {
    case PD_CP_CONF_REQ:
        if (me->state == PD_CP_OPENED || peer->state == PD_CP_OPENED) {
            /* RFC 1661 4.1: a Configure-Request in Opened (sent or received)
             * takes both automatons back to negotiating; the peer will send
             * a request of its own */
            me->renegotiations++;
            me->acked_peer = false;
            peer->req_acked = false;
        }
        if (me->conf_req == 0) {
            me->first_req_frame = frame;
            me->first_req_ts = ts;
        }
        me->conf_req++;
        me->last_req_frame = frame;
        me->last_req_ts = ts;
        me->last_req_id = f->identifier;
        me->last_req = f->cfg;
        if (cp == PD_PPP_CP_LCP && f->cfg.lcp.has_auth && !me->first_auth.has_auth)
            me->first_auth = f->cfg.lcp; /* a refusal can make a side drop it later */
        me->reqs_unanswered++;
        types_from(&me->req_types, f);
        /* a new request needs a new Ack; RFC 1661: a Configure-Request
         * received in Opened restarts the negotiation */
        me->req_acked = false;
        me->req_active = true;
        peer->acked_peer = false;
        me->term_phase = peer->term_phase = 0; /* a new negotiation after any Terminate */
        break;

    case PD_CP_CONF_ACK:
        /* RFC 1661 5.2: an Ack whose Identifier does not match the last
         * request is silently discarded. Without a request seen (capture
         * started late) we take it. */
        if (peer->conf_req != 0 && f->identifier != peer->last_req_id) {
            peer->acks_stale++;
            break;
        }
        if (peer->acks_received == 0) {
            peer->first_ack_frame = frame;
            peer->first_ack_ts = ts;
        }
        peer->acks_received++;
        peer->last_ack_frame = frame;
        peer->acked = f->cfg;
        peer->req_acked = true;
        peer->reqs_unanswered = 0;
        me->acks_sent++;
        me->acked_peer = true;
        if (cp == PD_PPP_CP_LCP && f->cfg.lcp.has_auth) {
            pd_ppp_auth *a = &l->auth;
            a->negotiated = true;
            a->protocol = f->cfg.lcp.auth_protocol;
            a->algorithm = f->cfg.lcp.auth_algorithm;
            a->authenticator_dir = 1 - dir; /* the side whose request carried it */
            a->negotiated_frame = frame;
        }
        break;

    case PD_CP_CONF_NAK:
        me->naks_sent++;
        set_first(&me->first_nak_frame, frame);
        me->last_nak_frame = frame;
        types_from(&me->nak_types, f);
        me->last_nak = f->cfg;
        peer->req_acked = false;
        peer->reqs_unanswered = 0;
        break;

    case PD_CP_CONF_REJ:
        me->rejects_sent++;
        set_first(&me->first_rej_frame, frame);
        me->last_rej_frame = frame;
        types_from(&me->rej_types, f);
        peer->req_acked = false;
        peer->reqs_unanswered = 0;
        break;

    case PD_CP_TERM_REQ:
        if (me->term_req == 0) {
            me->first_term_req_frame = frame;
            me->first_term_req_ts = ts;
            pd_ppp_text_copy(&f->text, me->term_reason, sizeof me->term_reason);
        }
        me->term_req++;
        me->term_phase = peer->term_phase = 1;
        me->req_acked = me->acked_peer = peer->req_acked = peer->acked_peer = false;
        me->req_active = peer->req_active = false;
        break;

    case PD_CP_TERM_ACK:
        me->term_ack++;
        set_first(&me->first_term_ack_frame, frame);
        me->term_phase = peer->term_phase = 2;
        me->req_acked = me->acked_peer = peer->req_acked = peer->acked_peer = false;
        me->req_active = peer->req_active = false;
        break;

    case PD_CP_CODE_REJ:
        me->code_rejects++;
        set_first(&me->first_code_rej_frame, frame);
        me->last_rejected_code = f->rejected_code;
        break;

    default:
        if (cp != PD_PPP_CP_LCP)
            break;
        switch (f->code) {
        case PD_LCP_PROTO_REJ:
            st->proto_rejects++;
            set_first(&st->first_proto_rej_frame, frame);
            {
                bool known = false;
                for (size_t i = 0; i < st->n_rejected_protocols; i++)
                    known |= st->rejected_protocols[i] == f->rejected_protocol;
                if (!known && st->n_rejected_protocols < PD_PPP_TRACK_MAX_PROTOS)
                    st->rejected_protocols[st->n_rejected_protocols++] = f->rejected_protocol;
            }
            break;
        case PD_LCP_ECHO_REQ:
            st->echo_req++;
            set_first(&st->first_echo_req_frame, frame);
            st->last_echo_req_frame = frame;
            break;
        case PD_LCP_ECHO_REP:
            st->echo_rep++;
            st->last_echo_rep_frame = frame;
            break;
        default:
            break;
        }
        break;
    }
    update_states(l, cp, frame, ts);
}

static void verdict(pd_ppp_auth *a, pd_ppp_auth_result r, const pd_ppp_bytes *msg, uint64_t frame,
                    int64_t ts)
{
    a->result = r;
    a->result_frame = frame;
    a->result_ts = ts;
    if (r == PD_PPP_AUTH_SUCCESS) {
        a->successes++;
    } else {
        a->failures++;
        set_first(&a->first_failure_frame, frame);
    }
    pd_ppp_text_copy(msg, a->message, sizeof a->message);
}

static void handle_auth(pd_ppp_link *l, const pd_ppp_frame *f, int dir, uint64_t frame, int64_t ts)
{
    pd_ppp_auth *a = &l->auth;
    if (a->seen_protocol == 0)
        a->seen_protocol = f->protocol;
    set_first(&a->first_frame, frame);
    a->last_frame = frame;

    switch (f->protocol) {
    case PD_PPP_PAP:
        switch (f->code) {
        case PD_PAP_AUTH_REQ:
            a->responses++;
            set_first(&a->first_response_frame, frame);
            pd_ppp_text_copy(&f->peer_name, a->peer_name, sizeof a->peer_name);
            if (a->authenticator_dir < 0)
                a->authenticator_dir = 1 - dir;
            break;
        case PD_PAP_AUTH_ACK: verdict(a, PD_PPP_AUTH_SUCCESS, &f->message, frame, ts); break;
        case PD_PAP_AUTH_NAK: verdict(a, PD_PPP_AUTH_FAILURE, &f->message, frame, ts); break;
        default: break;
        }
        break;

    case PD_PPP_CHAP:
        switch (f->code) {
        case PD_CHAP_CHALLENGE:
            a->challenges++;
            set_first(&a->first_challenge_frame, frame);
            if (a->authenticator_dir < 0)
                a->authenticator_dir = dir;
            break;
        case PD_CHAP_RESPONSE:
            a->responses++;
            set_first(&a->first_response_frame, frame);
            pd_ppp_text_copy(&f->peer_name, a->peer_name, sizeof a->peer_name);
            break;
        case PD_CHAP_SUCCESS:
        case PD_CHAP_FAILURE: {
            const pd_mschap_text *m = &f->mschap;
            /* MS-CHAP: the human text is the M= part; the rest is codes */
            const pd_ppp_bytes *msg = m->present && m->has_message ? &m->message : &f->message;
            if (f->code == PD_CHAP_SUCCESS) {
                verdict(a, PD_PPP_AUTH_SUCCESS, msg, frame, ts);
                break;
            }
            verdict(a, PD_PPP_AUTH_FAILURE, msg, frame, ts);
            a->has_error_code = m->present && m->has_error;
            a->error_code = a->has_error_code ? m->error : 0;
            a->retry_allowed = m->present && m->has_retry && m->retry != 0;
            a->has_version = m->present && m->has_version;
            a->mschap_version = a->has_version ? m->version : 0;
            break;
        }
        default: break;
        }
        break;

    case PD_PPP_EAP:
        switch (f->code) {
        case PD_EAP_REQUEST:
            a->eap_requests++;
            if (a->authenticator_dir < 0)
                a->authenticator_dir = dir;
            if (f->has_eap_type) {
                type_add(&a->eap_types, f->eap_type);
                if (a->eap_first_type == 0 && f->eap_type != PD_EAP_TYPE_IDENTITY &&
                    f->eap_type != PD_EAP_TYPE_NOTIFICATION && f->eap_type != PD_EAP_TYPE_NAK)
                    a->eap_first_type = f->eap_type;
            }
            break;
        case PD_EAP_RESPONSE:
            a->responses++;
            set_first(&a->first_response_frame, frame);
            if (f->has_eap_type && f->eap_type == PD_EAP_TYPE_IDENTITY)
                pd_ppp_text_copy(&f->peer_name, a->peer_name, sizeof a->peer_name);
            else if (f->has_eap_type && f->eap_type == PD_EAP_TYPE_NAK)
                a->eap_nak_type = f->eap_nak_type;
            break;
        case PD_EAP_SUCCESS: verdict(a, PD_PPP_AUTH_SUCCESS, NULL, frame, ts); break;
        case PD_EAP_FAILURE: verdict(a, PD_PPP_AUTH_FAILURE, NULL, frame, ts); break;
        default: break;
        }
        break;

    default:
        break;
    }
}

void pd_ppp_link_feed(pd_ppp_link *l, const pd_ppp_frame *f, int dir, uint64_t frame, int64_t ts_ns)
{
    if (dir != 0 && dir != 1)
        return;
    pd_ppp_dir_stats *st = &l->dir[dir];

    if (l->frames == 0) {
        l->first_frame = frame;
        l->first_ts = ts_ns;
    }
    l->frames++;
    l->last_frame = frame;
    l->last_ts = ts_ns;
    st->frames++;

    if (f->status == PD_PPP_TRUNCATED)
        st->truncated++;
    pd_ppp_damage why = pd_ppp_check(f);
    if (pd_ppp_damage_is_mangling(why)) {
        if (st->malformed < PD_PPP_TRACK_MAX_FRAMES) {
            st->malformed_frames[st->malformed] = frame;
            st->malformed_reasons[st->malformed] = why;
        }
        st->malformed++;
    } else if (why == PD_PPP_DAMAGE_UNKNOWN_PROTOCOL) {
        st->unknown_protocol++;
        st->last_unknown_protocol = f->protocol;
    }
    if (f->status == PD_PPP_MALFORMED)
        return;

    switch (f->kind) {
    case PD_PPP_KIND_COMPRESSED:
        if (st->compressed == 0)
            st->first_compressed_frame = frame;
        st->compressed++;
        st->compressed_bytes += f->info_wire_len;
        st->last_compressed_frame = frame;
        return;
    case PD_PPP_KIND_NETWORK:
        if (st->network == 0)
            st->first_network_frame = frame;
        st->network++;
        return;
    case PD_PPP_KIND_OTHER:
        /* 0x8000-0xffff are control protocols (RFC 1661 section 2) */
        if (f->protocol >= 0x8000)
            st->other_control++;
        return;
    case PD_PPP_KIND_CONTROL:
        break;
    default:
        return;
    }
    if (!f->has_cp_header)
        return;

    int cp = pd_ppp_cp_from_protocol(f->protocol);
    if (cp >= 0)
        handle_cp(l, cp, f, dir, frame, ts_ns);
    else
        handle_auth(l, f, dir, frame, ts_ns);
}

/* ---- predicates ----------------------------------------------------------------- */

bool pd_ppp_link_cp_opened(const pd_ppp_link *l, pd_ppp_cp cp)
{
    return (unsigned)cp < PD_PPP_CP__COUNT && l->cp_opened_frame[cp] != 0;
}

bool pd_ppp_link_cp_open_now(const pd_ppp_link *l, pd_ppp_cp cp)
{
    return (unsigned)cp < PD_PPP_CP__COUNT && l->cp[cp][0].state == PD_CP_OPENED &&
           l->cp[cp][1].state == PD_CP_OPENED;
}

bool pd_ppp_link_lcp_opened(const pd_ppp_link *l)
{
    return pd_ppp_link_cp_opened(l, PD_PPP_CP_LCP);
}

bool pd_ppp_link_ccp_opened(const pd_ppp_link *l)
{
    return pd_ppp_link_cp_opened(l, PD_PPP_CP_CCP);
}

bool pd_ppp_link_ipcp_opened(const pd_ppp_link *l)
{
    return pd_ppp_link_cp_opened(l, PD_PPP_CP_IPCP);
}

bool pd_ppp_link_ipv6cp_opened(const pd_ppp_link *l)
{
    return pd_ppp_link_cp_opened(l, PD_PPP_CP_IPV6CP);
}

bool pd_ppp_link_auth_done(const pd_ppp_link *l)
{
    if (l->auth.result == PD_PPP_AUTH_SUCCESS)
        return true;
    /* no Auth-Protocol in either acked LCP request: nothing to authenticate */
    return pd_ppp_link_lcp_opened(l) && !l->auth.negotiated && l->auth.seen_protocol == 0;
}

bool pd_ppp_link_auth_failed(const pd_ppp_link *l)
{
    return l->auth.result == PD_PPP_AUTH_FAILURE;
}

uint32_t pd_ppp_link_unanswered_reqs(const pd_ppp_link *l, pd_ppp_cp cp, int dir)
{
    if ((unsigned)cp >= PD_PPP_CP__COUNT || (dir != 0 && dir != 1))
        return 0;
    return l->cp[cp][dir].reqs_unanswered;
}

bool pd_ppp_link_terminated(const pd_ppp_link *l, pd_ppp_cp cp, int *dir_out)
{
    if ((unsigned)cp >= PD_PPP_CP__COUNT)
        return false;
    const pd_ppp_cp_side *s = l->cp[cp];
    int who = -1;
    if (s[0].term_req && (!s[1].term_req || s[0].first_term_req_frame <= s[1].first_term_req_frame))
        who = 0;
    else if (s[1].term_req)
        who = 1;
    if (dir_out)
        *dir_out = who;
    return who >= 0;
}

bool pd_ppp_link_mppe(const pd_ppp_link *l)
{
    if (!pd_ppp_link_ccp_opened(l))
        return false;
    for (int d = 0; d < 2; d++) {
        const pd_ccp_opts *o = &l->cp[PD_PPP_CP_CCP][d].acked.ccp;
        if (!o->has_mppe || !(o->mppe_bits & PD_MPPE_ENCRYPTION_BITS))
            return false;
    }
    return true;
}

bool pd_ppp_link_looped(const pd_ppp_link *l)
{
    const pd_lcp_opts *a = &l->cp[PD_PPP_CP_LCP][0].last_req.lcp;
    const pd_lcp_opts *b = &l->cp[PD_PPP_CP_LCP][1].last_req.lcp;
    return a->has_magic && b->has_magic && a->magic == b->magic && a->magic != 0;
}

uint32_t pd_ppp_link_malformed(const pd_ppp_link *l)
{
    return l->dir[0].malformed + l->dir[1].malformed;
}
