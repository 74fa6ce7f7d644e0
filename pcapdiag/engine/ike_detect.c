/* ike_detect.c - the ike.* and esp.one_way findings for an IKE/ESP session
 * that is over (IKEv1 RFC 2408/2409, IKEv2 RFC 7296, NAT-T RFC 3947/3948,
 * fragmentation RFC 7383, DPD RFC 3706, ESP RFC 4303).
 *
 * Reads what ike_track.c and esp_track.c recorded and names the first thing
 * that broke: refusals the responder sent in clear (NO_PROPOSAL_CHOSEN,
 * INVALID_KE_PAYLOAD, AUTHENTICATION_FAILED), then silence (the first
 * exchange, lost IP fragments, UDP 4500 after a NAT, dead-peer detection,
 * a later exchange), then the encrypted patterns that betray a credential
 * mismatch. Windows codes: IKEv1 is L2TP/IPsec (788, 789, 792, 809), IKEv2
 * the IKEv2 client (13868, 13801, 809). Every verdict says what its capture
 * proves and which second capture settles what it cannot.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ike_decrypt.h"
#include "ike_names.h"
#include "ike_policy.h"
#include "ike_session.h"
#include "ikev1.h"
#include "ikev2.h"

/* A request sent once counts as unanswered when the capture goes on this
 * long after it (IKE retransmits within seconds). */
#define IKE_UNANSWERED_TAIL 3.0
/* After IKE_SA_INIT the initiator continues within milliseconds. */
#define IKE_STALL_SECONDS 1.0
/* ESP in one direction only for this long is not a tunnel that works. */
#define ESP_ONE_WAY_SECONDS 5.0
#define ESP_ONE_WAY_MIN_PACKETS 3
#define IKE_DPD_MIN_UNANSWERED 3
#define IKE_MAX_DIFF_LINES 8

static const char *side(int dir)
{
    return dir == IKE_C2S ? "client" : "server";
}

static int64_t capture_end(const pd_engine *e)
{
    return e->stats.last_ts_ns;
}

static void code_by_version(pd_finding *f, const ike_conv *c, int v1_code, int v2_code)
{
    pd_finding_code(f, c->version == 1 ? v1_code : v2_code);
}

/* "IKE_AUTH request 1", "Main Mode #5", "Quick Mode #1 (ID 0x0000cafe)". */
static const char *xchg_label(const ike_conv *c, const ike_xchg *x, char *buf, size_t len)
{
    char nb[40];
    const char *n = pd_ike_value_str(pd_ike_exchange_name(c->version, x->exch), "EXCHANGE",
                                     x->exch, nb, sizeof nb);
    if (c->version == 2)
        g_snprintf(buf, len, "%s request %u", n, x->msg_id);
    else if (x->exch == PD_IKEV1_EXCH_MAIN && x->msg_id == 0)
        g_snprintf(buf, len, "Main Mode #%u", x->v1_step);
    else if (x->exch == PD_IKEV1_EXCH_AGGRESSIVE && x->msg_id == 0)
        g_snprintf(buf, len, "Aggressive Mode #%u", x->v1_step);
    else if (x->exch == PD_IKEV1_EXCH_QUICK)
        g_snprintf(buf, len, "Quick Mode #%u (ID 0x%08x)", x->v1_step ? x->v1_step : 1,
                   x->msg_id);
    else
        g_snprintf(buf, len, "%s (ID 0x%08x)", n, x->msg_id);
    return buf;
}

static bool unanswered(const ike_xchg *x)
{
    return x->expects_reply && x->sent > 0 && !x->answered && !x->info_frame;
}

/* Retransmitted, or the capture went on long enough for an answer. */
static bool clearly_unanswered(const pd_engine *e, const ike_xchg *x)
{
    return unanswered(x) &&
           (x->sent >= 2 || pd_seconds(x->req_last_ts, capture_end(e)) >= IKE_UNANSWERED_TAIL);
}

static pd_confidence unanswered_confidence(const pd_engine *e, const ike_xchg *x)
{
    if (x->sent >= 2)
        return PD_CONF_HIGH;
    return pd_seconds(x->req_last_ts, capture_end(e)) >= IKE_UNANSWERED_TAIL ? PD_CONF_MEDIUM
                                                                             : PD_CONF_LOW;
}

static void annotate_request(ike_conv *c, const ike_xchg *x, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
static void annotate_request(ike_conv *c, const ike_xchg *x, const char *fmt, ...)
{
    pd_session *s = c->session;
    if (!x->have_ladder || x->ladder_idx >= s->n_ladder)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *t = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    pd_ladder_annotate(&s->ladder[x->ladder_idx], "%s", t);
    g_free(t);
}

static void evidence_request(pd_finding *f, const ike_conv *c, const ike_xchg *x)
{
    char lb[64];
    xchg_label(c, x, lb, sizeof lb);
    pd_finding_evidence(f, x->req_frame, x->req_ts, "%s's %s", side(x->from), lb);
    if (x->sent > 1 && x->req_last_frame != x->req_frame)
        pd_finding_evidence(f, x->req_last_frame, x->req_last_ts, "last copy (%u sent in all)",
                            x->sent);
}

static const char *vantage_sentence(const ike_conv *c, int sender)
{
    pd_vantage v = pd_session_vantage(c->session);
    bool at_sender = (v == PD_VANTAGE_CLIENT && sender == IKE_C2S) ||
                     (v == PD_VANTAGE_SERVER && sender == IKE_S2C);
    bool at_receiver = (v == PD_VANTAGE_CLIENT && sender == IKE_S2C) ||
                       (v == PD_VANTAGE_SERVER && sender == IKE_C2S);
    if (at_sender)
        return sender == IKE_C2S
                   ? "This capture is at the client: it cannot tell where the requests were lost. "
                     "A capture at the server settles it: if they arrive there unanswered, the "
                     "server drops or ignores them."
                   : "This capture is at the server: it cannot tell where its requests were lost. "
                     "A capture at the client settles it.";
    if (at_receiver)
        return sender == IKE_C2S
                   ? "This capture is at the server and the requests arrive here unanswered: the "
                     "server's IKE service does not answer them (not running, no connection "
                     "configured for this client, or a local firewall)."
                   : "This capture is at the client and the server's requests arrive here "
                     "unanswered: the client's IKE service does not answer them.";
    return sender == IKE_C2S ? "A capture at the server settles whether the requests arrive there."
                             : "A capture at the client settles whether the requests arrive there.";
}

static bool at_side(const ike_conv *c, int dir)
{
    pd_vantage v = pd_session_vantage(c->session);
    return (v == PD_VANTAGE_CLIENT && dir == IKE_C2S) || (v == PD_VANTAGE_SERVER && dir == IKE_S2C);
}

/* ---- NAT ---- */

static bool nat_seen(const ike_conv *c)
{
    return !ike_natd_faked_only(c) && (ike_behind_nat(c, IKE_C2S) || ike_behind_nat(c, IKE_S2C));
}

static const char *nat_words(const ike_conv *c)
{
    bool cb = ike_behind_nat(c, IKE_C2S), sb = ike_behind_nat(c, IKE_S2C);
    if (cb && sb)
        return "both sides behind NAT";
    if (cb)
        return "the client behind NAT";
    if (sb)
        return "the server behind NAT";
    return "no NAT";
}

static void detect_nat(pd_engine *e, ike_conv *c)
{
    bool faked = c->natd_src_faked[0] || c->natd_src_faked[1];
    /* Hashes faked on purpose (ike_natd_faked_only) show no NAT: the
     * session's "nat" attribute says so, and no finding is made. */
    if (!nat_seen(c))
        return;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_NAT_DETECTED, c->session);
    f->blame = PD_BLAME_UNKNOWN;
    GString *why = g_string_new(NULL);
    for (int d = 0; d < 2; d++)
        if (c->natd_note[d])
            g_string_append_printf(why, "%s%s", why->len ? "; " : "", c->natd_note[d]);
    pd_finding_summary(f, "NAT between the peers: %s (verified from the NAT-D hashes)",
                       nat_words(c));
    pd_finding_explain(
        f,
        "Each peer hashes the addresses and ports it believes it uses into its NAT-D %s (%s). "
        "Recomputed from the addresses seen in this capture: %s. So the addresses were rewritten "
        "on the way and the peers %s switch to UDP 4500 with ESP in UDP (RFC 3948). (A peer can "
        "also fake its own source hash on purpose to force UDP encapsulation, as strongSwan does "
        "with encap = yes.)%s",
        c->version == 2 ? "notifies (RFC 7296 2.23)" : "payloads (RFC 3947 3.2)",
        c->version == 2 ? "SHA-1 over SPIs, address and port"
                        : "the negotiated hash over cookies, address and port",
        why->str, c->natt_msgs[0] + c->natt_msgs[1] ? "did" : "should",
        faked ? " The capturing host's own source hash is faked (it was sent from here, where no "
                "NAT can have rewritten it)."
              : "");
    g_string_free(why, TRUE);
    for (int d = 0; d < 2; d++)
        if (c->natd_bad_frame[d])
            pd_finding_evidence(f, c->natd_bad_frame[d], c->natd_bad_ts[d], "%s's NAT-D hashes",
                                side(d));
    for (int d = 0; d < 2; d++)
        if (c->natd_frame[d])
            pd_finding_evidence(f, c->natd_frame[d], c->natd_ts[d], "%s's NAT-D hashes", side(d));
    if (c->natt_first_frame)
        pd_finding_evidence(f, c->natt_first_frame, c->natt_first_ts,
                            "first IKE message on UDP 4500");
    pd_finding_commit(e, f);
}

/* ---- proposals ---- */

/* Split the comparator's "TYPE A <-> expected B" into its halves. */
static void diff_parts(const char *line, char *type, size_t tlen, char *mine, size_t mlen,
                       char *theirs, size_t olen)
{
    const char *sp = strchr(line, ' ');
    const char *arrow = strstr(line, " <-> expected ");
    if (!sp || !arrow || arrow < sp) {
        g_strlcpy(type, "", tlen);
        g_strlcpy(mine, line, mlen);
        g_strlcpy(theirs, "", olen);
        return;
    }
    g_strlcpy(type, line, MIN(tlen, (size_t)(sp - line) + 1));
    g_strlcpy(mine, sp + 1, MIN(mlen, (size_t)(arrow - sp)));
    g_strlcpy(theirs, arrow + strlen(" <-> expected "), olen);
}

/* The proposals' differences, each line "TYPE A <-> B"; IKEv1 phase-1
 * authentication methods too (the comparator leaves them out). */
static size_t compare_pair(const pd_ike_proposal *a, const pd_ike_proposal *b, GPtrArray *out)
{
    GPtrArray *d = g_ptr_array_new_with_free_func(g_free);
    size_t n = pd_ike_proposal_compare(a, b, d);
    for (guint i = 0; out && i < d->len; i++) {
        char type[32], x[160], y[160];
        diff_parts(g_ptr_array_index(d, i), type, sizeof type, x, sizeof x, y, sizeof y);
        g_ptr_array_add(out, g_strdup_printf("%s %s <-> %s", type, x, y));
    }
    g_ptr_array_free(d, TRUE);
    if (a->version == 1 && b->version == 1 && a->protocol == PD_IKE_PROTO_IKE &&
        a->auth_method && b->auth_method && a->auth_method != b->auth_method) {
        if (out) {
            char ba[32], bb[32];
            g_ptr_array_add(out, g_strdup_printf(
                                     "AUTH %s <-> %s",
                                     pd_ike_value_str(pd_ikev1_auth_method_name(a->auth_method),
                                                      "AUTH", a->auth_method, ba, sizeof ba),
                                     pd_ike_value_str(pd_ikev1_auth_method_name(b->auth_method),
                                                      "AUTH", b->auth_method, bb, sizeof bb)));
        }
        n++;
    }
    return n;
}

static void prop_number(const pd_ike_proposal *p, char *buf, size_t len)
{
    if (p->version == 1)
        g_snprintf(buf, len, "%u.%u", p->number, p->transform_number);
    else
        g_snprintf(buf, len, "%u", p->number);
}

static const pd_addr *offerer(const ike_conv *c)
{
    return c->offers_from == IKE_S2C ? &c->server : &c->client;
}

/* When both gateways initiated, both offer lists are in the capture: name
 * the transforms on which each of ours differs from the closest of theirs,
 * the way a gateway's own trace does ("remote proposal 1 ENCR BLOWFISH_CBC
 * <-> local AES_CBC"). Peers are named by address: each attempt has its own
 * initiator, so "client" would flip between them. Returns the lines
 * written; the first goes to *first when not NULL. */
static size_t both_offers(GString *out, const ike_conv *c, const ike_conv *other, char **first)
{
    size_t lines = 0;
    char me[48], them[48];
    pd_addr_str(offerer(c), me, sizeof me);
    pd_addr_str(offerer(other), them, sizeof them);
    for (size_t i = 0; i < c->n_offers && lines < IKE_MAX_DIFF_LINES; i++) {
        size_t best = 0, best_n = SIZE_MAX;
        for (size_t j = 0; j < other->n_offers; j++) {
            size_t n = compare_pair(&c->offers[i], &other->offers[j], NULL);
            if (n < best_n) {
                best_n = n;
                best = j;
            }
        }
        if (best_n == SIZE_MAX)
            break;
        char na[16], nb[16];
        prop_number(&c->offers[i], na, sizeof na);
        prop_number(&other->offers[best], nb, sizeof nb);
        if (best_n == 0) {
            g_string_append_printf(out, "%s%s proposal %s matches %s proposal %s",
                                   lines ? "; " : "", me, na, them, nb);
            lines++;
            continue;
        }
        GPtrArray *d = g_ptr_array_new_with_free_func(g_free);
        compare_pair(&c->offers[i], &other->offers[best], d);
        for (guint k = 0; k < d->len && lines < IKE_MAX_DIFF_LINES; k++) {
            char type[32], x[160], y[160];
            const char *l = g_ptr_array_index(d, k);
            const char *arrow = strstr(l, " <-> ");
            const char *sp = strchr(l, ' ');
            if (!arrow || !sp || arrow < sp)
                continue;
            g_strlcpy(type, l, MIN(sizeof type, (size_t)(sp - l) + 1));
            g_strlcpy(x, sp + 1, MIN(sizeof x, (size_t)(arrow - sp)));
            g_strlcpy(y, arrow + 5, sizeof y);
            char *line = g_strdup_printf("%s proposal %s %s %s <-> %s proposal %s %s", me, na,
                                         type, x, them, nb, y);
            g_string_append_printf(out, "%s%s", lines ? "; " : "", line);
            if (first && !*first)
                *first = g_strdup(line);
            g_free(line);
            lines++;
        }
        g_ptr_array_free(d, TRUE);
    }
    return lines;
}

/* The other gateway's own offers: a session between the same two hosts
 * that the other side initiated. */
static ike_conv *counter_offer(ike_pair *pair, const ike_conv *c)
{
    for (guint i = 0; i < pair->convs->len; i++) {
        ike_conv *o = g_ptr_array_index(pair->convs, i);
        if (o != c && o->version == c->version && o->n_offers &&
            pd_addr_equal(&o->client, &c->server) && pd_addr_equal(&o->server, &c->client))
            return o;
    }
    return NULL;
}

static const ike_xchg *refused_xchg(const ike_conv *c)
{
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        if (x->expects_reply && x->resp_error == PD_IKE_N_NO_PROPOSAL_CHOSEN &&
            (x->answered || x->info_frame))
            return x;
    }
    return NULL;
}

static char *offers_words(const ike_conv *c)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < c->n_offers; i++) {
        char n[16];
        prop_number(&c->offers[i], n, sizeof n);
        g_string_append_printf(s, "%s#%s ", i ? "; " : "", n);
        pd_ike_proposal_format(&c->offers[i], s);
    }
    if (!s->len)
        g_string_append(s, "(the offer itself is not in the capture)");
    return g_string_free(s, FALSE);
}

static void refusal_evidence(pd_finding *f, const ike_conv *c, const ike_xchg *x, const char *who)
{
    char lb[64];
    xchg_label(c, x, lb, sizeof lb);
    pd_finding_evidence(f, x->req_frame, x->req_ts, "%s's %s with the offered proposals", who, lb);
    if (x->answered && x->resp_error == PD_IKE_N_NO_PROPOSAL_CHOSEN)
        pd_finding_evidence(f, x->resp_frame, x->resp_ts, "N(NO_PROPOSAL_CHOSEN)");
    if (x->info_frame)
        pd_finding_evidence(f, x->info_frame, x->info_ts, "Informational N(NO_PROPOSAL_CHOSEN)");
}

static void detect_no_proposal(pd_engine *e, ike_pair *pair, ike_conv *c, const ike_xchg *x)
{
    pd_session *s = c->session;
    pd_session_set_state(s, "no-proposal-chosen");
    annotate_request(c, x, "refused: NO_PROPOSAL_CHOSEN");
    if (c->refusal_reported)
        return; /* one finding for both gateways' attempts */
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_NO_PROPOSAL_CHOSEN, s);
    code_by_version(f, c, 788, 13868);
    f->blame = PD_BLAME_CONFIGURATION;
    int refuser = !x->from;
    char lb[64];
    xchg_label(c, x, lb, sizeof lb);
    const char *phase = c->version == 1 ? (x->exch == PD_IKEV1_EXCH_QUICK ? "phase-2" : "phase-1")
                                        : (x->exch == PD_IKEV2_EXCH_IKE_SA_INIT ? "IKE"
                                                                                : "CHILD_SA");
    char *offered = offers_words(c);
    ike_conv *other = counter_offer(pair, c);
    const ike_xchg *other_x = other ? refused_xchg(other) : NULL;
    if (other) {
        char me[48], them[48], *first = NULL;
        pd_addr_str(offerer(c), me, sizeof me);
        pd_addr_str(offerer(other), them, sizeof them);
        GString *both = g_string_new(NULL);
        both_offers(both, c, other, &first);
        char *theirs = offers_words(other);
        if (other_x) {
            other->refusal_reported = true;
            pd_finding_summary(f, "Both gateways initiated and refused each other's %s proposals "
                                  "(NO_PROPOSAL_CHOSEN)%s%s",
                               phase, first ? ": " : "", first ? first : "");
        } else {
            pd_finding_summary(f, "The %s refused all %zu %s proposal(s) offered in %s with "
                                  "NO_PROPOSAL_CHOSEN%s%s",
                               side(refuser), c->n_offers, phase, lb, first ? ": " : "",
                               first ? first : "");
        }
        pd_finding_explain(
            f,
            "%s offered %s; %s offered %s (frame %" G_GUINT64_FORMAT "). %s Both offer lists are "
            "in this capture, so the disagreement can be named transform by transform, each of "
            "%s's proposals against the closest of %s's: %s.",
            me, offered, them, theirs, other->offers_frame,
            other_x ? "Each answered the other's offer with NO_PROPOSAL_CHOSEN."
                    : "The peer answered NO_PROPOSAL_CHOSEN.",
            me, them, both->len ? both->str : "no transform differs");
        g_free(first);
        g_free(theirs);
        g_string_free(both, TRUE);
    } else {
        pd_finding_summary(f, "The %s refused all %zu %s proposal(s) offered in %s with "
                              "NO_PROPOSAL_CHOSEN",
                           side(refuser), c->n_offers, phase, lb);
        pd_finding_explain(
            f,
            "The %s offered: %s. The %s answered NO_PROPOSAL_CHOSEN: it accepts none of these "
            "combinations (encryption and key length, integrity/hash, PRF, DH group%s). The "
            "capture shows only the %s's side; the %s's configuration (or its log, which names "
            "the proposal it wanted) shows which transform differs. If the %s also initiates "
            "toward the %s, a capture of that attempt shows its offers too.",
            side(x->from), offered, side(refuser),
            c->version == 1 ? ", authentication method" : "", side(x->from), side(refuser),
            side(refuser), side(x->from));
    }
    pd_finding_remedy(f, "Configure a common proposal: make the %s accept one of the offered "
                         "combinations, or make the %s offer one the %s accepts (strongSwan: "
                         "the %s proposals of the connection).",
                      other ? "peers" : side(refuser), other ? "initiator" : side(x->from),
                      other ? "other" : side(refuser),
                      c->version == 1 && x->exch == PD_IKEV1_EXCH_QUICK ? "esp" : "ike");
    g_free(offered);
    char who[48];
    pd_addr_str(offerer(c), who, sizeof who);
    refusal_evidence(f, c, x, other ? who : side(x->from));
    if (other) {
        pd_addr_str(offerer(other), who, sizeof who);
        if (other_x)
            refusal_evidence(f, other, other_x, who);
        else
            pd_finding_evidence(f, other->offers_frame, other->offers_ts, "%s's own offer", who);
    }
    pd_finding_commit(e, f);
}

/* --policy: every offered proposal against the expected ones. */
static void detect_policy(pd_engine *e, ike_conv *c)
{
    const pd_ike_policy *pol = &e->ike->policy;
    if (!e->ike->have_policy || c->n_offers == 0)
        return;
    size_t n_same = 0;
    for (size_t j = 0; j < pol->n_proposals; j++)
        if (pol->proposals[j].protocol == c->offers[0].protocol)
            n_same++;
    if (n_same == 0)
        return;
    bool any_match = false;
    GString *lines = g_string_new(NULL);
    size_t first_diff_count = 0;
    char *first_diff = NULL;
    for (size_t i = 0; i < c->n_offers; i++) {
        size_t best = SIZE_MAX, best_j = 0;
        for (size_t j = 0; j < pol->n_proposals; j++) {
            if (pol->proposals[j].protocol != c->offers[i].protocol)
                continue;
            size_t n = pd_ike_proposal_compare(&c->offers[i], &pol->proposals[j], NULL);
            if (n < best) {
                best = n;
                best_j = j;
            }
        }
        char num[16];
        prop_number(&c->offers[i], num, sizeof num);
        g_string_append_printf(lines, "%s#%s ", lines->len ? "; " : "", num);
        pd_ike_proposal_format(&c->offers[i], lines);
        if (best == 0) {
            any_match = true;
            g_string_append(lines, " matches");
            continue;
        }
        GPtrArray *d = g_ptr_array_new_with_free_func(g_free);
        pd_ike_proposal_compare(&c->offers[i], &pol->proposals[best_j], d);
        g_string_append(lines, ": ");
        for (guint k = 0; k < d->len; k++)
            g_string_append_printf(lines, "%s%s", k ? ", " : "", (char *)g_ptr_array_index(d, k));
        if (!first_diff && d->len) {
            first_diff = g_strdup(g_ptr_array_index(d, 0));
            first_diff_count = d->len;
        }
        g_ptr_array_free(d, TRUE);
    }
    bool chosen_bad = false;
    if (c->chosen && any_match) {
        chosen_bad = true;
        for (size_t j = 0; j < pol->n_proposals && chosen_bad; j++)
            if (pol->proposals[j].protocol == c->chosen->protocol &&
                pd_ike_proposal_matches(c->chosen, &pol->proposals[j]))
                chosen_bad = false;
    }
    if (any_match && !chosen_bad) {
        g_free(first_diff);
        g_string_free(lines, TRUE);
        return;
    }
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_POLICY_MISMATCH, c->session);
    f->blame = PD_BLAME_CONFIGURATION;
    if (!any_match) {
        code_by_version(f, c, 788, 13868);
        pd_finding_summary(f, "None of the %s's %zu proposal(s) matches the expected policy%s%s%s",
                           side(c->offers_from), c->n_offers, first_diff ? " (" : "",
                           first_diff ? first_diff : "",
                           first_diff ? (first_diff_count > 1 ? ", ..." ")" : ")") : "");
        pd_finding_explain(f, "Compared transform by transform with the closest expected "
                              "proposal (--policy): %s.",
                           lines->str);
        pd_finding_remedy(f, "Make the %s offer the expected proposal (or correct --policy if "
                             "the expectation is wrong).",
                          side(c->offers_from));
    } else {
        char *ch = pd_ike_proposal_to_string(c->chosen);
        pd_finding_summary(f, "The %s chose %s, which is not in the expected policy",
                           side(!c->offers_from), ch);
        pd_finding_explain(f, "Some offered proposals match the expected policy (%s), but the "
                              "responder picked one that does not.",
                           lines->str);
        pd_finding_remedy(f, "Remove the unexpected proposals from the %s's offer, or restrict "
                             "the responder to the expected ones.",
                          side(c->offers_from));
        g_free(ch);
        pd_finding_evidence(f, c->chosen_frame, c->chosen_ts, "proposal chosen");
    }
    pd_finding_evidence(f, c->offers_frame, c->offers_ts, "offered proposals");
    pd_finding_commit(e, f);
    g_free(first_diff);
    g_string_free(lines, TRUE);
}

/* ---- INVALID_KE_PAYLOAD (RFC 7296 1.3) ---- */

/* Returns true when it ended the negotiation (an error). */
static bool detect_invalid_ke(pd_engine *e, ike_conv *c)
{
    const ike_xchg *first = NULL;
    uint32_t count = 0;
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        if (x->answered && x->resp_error == PD_IKE_N_INVALID_KE_PAYLOAD) {
            if (!first)
                first = x;
            count++;
        }
    }
    if (!first)
        return false;
    const ike_xchg *retry = NULL, *success = NULL, *refused = NULL;
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        if (x->req_frame <= first->resp_frame || x->exch != first->exch || x->sent == 0)
            continue;
        if (!retry)
            retry = x;
        if (x->answered && x->resp_has_sa && !success)
            success = x;
        if (x->answered && x->resp_error == PD_IKE_N_NO_PROPOSAL_CHOSEN && !refused)
            refused = x;
    }
    char want[32], sent[32];
    pd_ike_value_str(pd_ike_dh_name(first->resp_ke_group), "DH", first->resp_ke_group, want,
                     sizeof want);
    pd_ike_value_str(pd_ike_dh_name(first->req_ke_group), "DH", first->req_ke_group, sent,
                     sizeof sent);
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_INVALID_KE, c->session);
    f->blame = PD_BLAME_CONFIGURATION;
    pd_finding_evidence(f, first->req_frame, first->req_ts, "%s's KE with %s", side(first->from),
                        sent);
    pd_finding_evidence(f, first->resp_frame, first->resp_ts, "N(INVALID_KE_PAYLOAD) asking for %s",
                        want);
    annotate_request(c, first, "INVALID_KE_PAYLOAD: %s wanted", want);
    const char *rfc = "RFC 7296 1.3: the initiator guesses a Diffie-Hellman group for its first "
                      "KE; a responder that prefers another group of the offered proposals "
                      "answers INVALID_KE_PAYLOAD naming it, and the initiator starts over with "
                      "that group.";
    if (success || refused) {
        char rg[32];
        const ike_xchg *r = success ? success : refused;
        pd_ike_value_str(pd_ike_dh_name(r->req_ke_group), "DH", r->req_ke_group, rg, sizeof rg);
        f->severity = PD_SEV_NOTE;
        pd_finding_summary(f, "The %s wanted DH group %s instead of %s (INVALID_KE_PAYLOAD); the "
                              "%s retried with %s%s",
                           side(!first->from), want, sent, side(first->from), rg,
                           success ? " and the negotiation went on" : "");
        pd_finding_explain(f, "%s Here the retry %s. This costs a round trip and is harmless; "
                              "offering the responder's preferred group first (in the proposals "
                              "and the KE) avoids it.",
                           rfc, success ? "succeeded" : "was then refused for its proposals");
        pd_finding_remedy(f, "Optional: put %s first in the %s's proposals.", want,
                          side(first->from));
        pd_finding_evidence(f, r->req_frame, r->req_ts, "retry with %s", rg);
        if (success)
            pd_finding_evidence(f, success->resp_frame, success->resp_ts, "retry answered");
        pd_finding_commit(e, f);
        return false;
    }
    pd_finding_code(f, 13868);
    pd_session_set_state(c->session, "invalid-ke");
    if (retry) {
        pd_finding_summary(f, "The %s asked %u times for DH group %s (INVALID_KE_PAYLOAD) and the "
                              "negotiation never got past IKE_SA_INIT",
                           side(!first->from), count, want);
        pd_finding_explain(f, "%s Here the %s retried (frame %" G_GUINT64_FORMAT ") but was asked "
                              "again or got no answer: the two sides loop without a common "
                              "group (a proposal that lists the group while the KE does not use "
                              "it, or an implementation that cannot switch).",
                           rfc, side(first->from), retry->req_frame);
        pd_finding_evidence(f, retry->req_frame, retry->req_ts, "retry");
    } else {
        pd_finding_summary(f, "The %s wanted DH group %s instead of %s (INVALID_KE_PAYLOAD) and "
                              "the %s gave up",
                           side(!first->from), want, sent, side(first->from));
        pd_finding_explain(f, "%s Here the %s never retried: its proposals do not include %s, "
                              "or it does not implement the retry.",
                           rfc, side(first->from), want);
    }
    pd_finding_remedy(f, "Offer DH group %s in the %s's proposals (first, so its KE uses it), or "
                         "allow %s on the %s.",
                      want, side(first->from), sent, side(!first->from));
    pd_finding_commit(e, f);
    return true;
}

/* ---- authentication ---- */

static bool is_auth_notify(const ike_conv *c, uint16_t n)
{
    if (n == PD_IKE_N_AUTHENTICATION_FAILED)
        return true;
    if (c->version == 1)
        return n == PD_IKE_N_INVALID_ID_INFORMATION || n == PD_IKE_N_PAYLOAD_MALFORMED ||
               n == PD_IKE_N_INVALID_HASH_INFORMATION || n == PD_IKE_N_INVALID_SIGNATURE ||
               n == PD_IKE_N_INVALID_CERTIFICATE;
    return false;
}

static const char *key_table_sentence(const ike_conv *c)
{
    if (c->keys_loaded)
        return " The notification is encrypted and the key tables given do not decrypt it (the "
               "session's decryption attribute says why).";
    return c->version == 1 ? " The notification is encrypted: with the IKE keys (Wireshark's IKEv1 "
                             "decryption table, fed from the gateway's log) this would be certain."
                           : " The notification is encrypted: with the IKE SA keys (Wireshark's "
                             "IKEv2 decryption table, fed from the gateway's log) this would be "
                             "certain.";
}

static void auth_common(pd_finding *f, const ike_conv *c)
{
    code_by_version(f, c, 789, 13801);
    f->blame = PD_BLAME_CONFIGURATION;
    pd_session_set_state(c->session, "auth-failed");
}

static void auth_remedy(pd_finding *f, const ike_conv *c)
{
    pd_finding_remedy(f, "Check that both sides use the same pre-shared key, or that each trusts "
                         "the other's certificate (CA, validity, the identity/SAN it names), and "
                         "that the identities configured match the ones sent%s; the refusing "
                         "side's log names the reason.",
                      c->version == 2 ? " (and, with EAP, the user's credentials)" : "");
}

/* The refusal of x was read from a decrypted message (not in clear). */
static bool refusal_decrypted(const ike_xchg *x)
{
    return x->info_frame ? x->info_decrypted : x->resp_decrypted;
}

/* "decrypted with FILE:LINE" for explanations. */
static const char *decrypted_where(const ike_conv *c, int dir)
{
    const ike_inner *n = c->inner;
    if (!n)
        return "the key table";
    return n->key_where[dir] ? n->key_where[dir] : n->key_where[!dir] ? n->key_where[!dir]
                                                                       : "the key table";
}

/* IKEv1 with pre-shared keys: each side's key-table row decrypts only its
 * own messages. The rows come from the two gateways' logs for the same
 * exchange (same nonces, same Diffie-Hellman secret), so different keys
 * mean different SKEYIDs, i.e. different pre-shared keys (RFC 2409 5.4). */
static bool v1_keys_differ(const ike_conv *c)
{
    const ike_inner *n = c->inner;
    return c->version == 1 && n && n->key_where[0] && n->key_where[1] &&
           strcmp(n->key_where[0], n->key_where[1]) != 0;
}

static void detect_auth_clear(pd_engine *e, ike_conv *c, const ike_xchg *x)
{
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_AUTH_FAILED, c->session);
    auth_common(f, c);
    char lb[64];
    xchg_label(c, x, lb, sizeof lb);
    const char *nn = pd_ike_notify_name(c->version, x->resp_error);
    char nb[32];
    nn = pd_ike_value_str(nn, "NOTIFY", x->resp_error, nb, sizeof nb);
    bool dec = refusal_decrypted(x);
    pd_finding_summary(f, "The %s refused authentication: %s answered by %s %s",
                       side(!x->from), lb, nn, dec ? "(decrypted)" : "in clear");
    const char *why;
    switch (x->resp_error) {
    case PD_IKE_N_PAYLOAD_MALFORMED:
        why = "In answer to an encrypted message, PAYLOAD-MALFORMED is how many IKEv1 responders "
              "say they could not decrypt it: the keys derived from the pre-shared key differ, "
              "i.e. the pre-shared keys do.";
        break;
    case PD_IKE_N_INVALID_ID_INFORMATION:
        why = "The identity sent is not one the responder has a connection for (or, in quick "
              "mode, the traffic selectors are not accepted).";
        break;
    case PD_IKE_N_INVALID_HASH_INFORMATION:
        why = "The hash over the exchange did not verify: with pre-shared keys, the keys differ.";
        break;
    default:
        why = "The peer could not verify the other side's proof of identity (pre-shared key, "
              "certificate or signature), or does not accept its identity.";
        break;
    }
    const ike_inner *in = c->inner;
    char *ids = NULL;
    if (dec && in && in->id_i.set && x->resp_error == PD_IKE_N_AUTHENTICATION_FAILED &&
        !v1_keys_differ(c))
        ids = g_strdup_printf(" The %s presented the identity %s%s%s; a responder with no "
                              "connection for an identity answers the same way as for a wrong "
                              "key (its log tells which).",
                              side(x->from), in->id_i.text,
                              in->id_r_wanted.set ? " and asked for " : "",
                              in->id_r_wanted.set ? in->id_r_wanted.text : "");
    if (dec && in && in->n_certs[x->from]) {
        /* Certificate authentication: what the refused side offered. */
        char *t = g_strdup_printf("%s The %s's certificates: %s.%s", ids ? ids : "",
                                  side(x->from), in->certs[x->from],
                                  in->n_certreq_cas[!x->from]
                                      ? " The refusing side named the CAs it trusts (CERTREQ): "
                                        "the chain must lead to one of them."
                                      : "");
        g_free(ids);
        ids = t;
    }
    if (dec)
        pd_finding_explain(f, "The notification is encrypted; decrypted with %s it reads %s, so "
                              "the capture proves the refusal: %s%s%s",
                           decrypted_where(c, !x->from), nn, why, ids ? ids : "",
                           v1_keys_differ(c)
                               ? " The key tables prove it: the client's row decrypts only the "
                                 "client's messages and the server's row only the server's, so "
                                 "the two gateways derived different keys from the same exchange "
                                 "(same nonces and Diffie-Hellman values), which with pre-shared "
                                 "keys means the pre-shared keys differ (RFC 2409 5.4)."
                               : "");
    else
        pd_finding_explain(f, "The notification is in clear text, so the capture proves the "
                              "refusal: %s",
                           why);
    g_free(ids);
    auth_remedy(f, c);
    evidence_request(f, c, x);
    if (x->info_frame)
        pd_finding_evidence(f, x->info_frame, x->info_ts, "Informational N(%s)%s", nn,
                            dec ? " (decrypted)" : "");
    else
        pd_finding_evidence(f, x->resp_frame, x->resp_ts, "N(%s)%s", nn,
                            dec ? " (decrypted)" : "");
    annotate_request(c, x, "refused: %s", nn);
    pd_finding_commit(e, f);
}

/* ---- silence ---- */

static const ike_xchg *first_initial(const ike_conv *c)
{
    for (size_t i = 0; i < c->n_xchg; i++)
        if (c->xchg[i].initial && c->xchg[i].sent)
            return &c->xchg[i];
    return NULL;
}

static const ike_xchg *last_initial(const ike_conv *c)
{
    for (size_t i = c->n_xchg; i > 0; i--)
        if (c->xchg[i - 1].initial && c->xchg[i - 1].sent)
            return &c->xchg[i - 1];
    return NULL;
}

static uint32_t initial_copies(const ike_conv *c)
{
    uint32_t n = 0;
    for (size_t i = 0; i < c->n_xchg; i++)
        if (c->xchg[i].initial)
            n += c->xchg[i].sent;
    return n;
}

static void frag_support_sentence(GString *s, const ike_conv *c)
{
    bool a = c->frag_supported[IKE_C2S], b = c->frag_supported[IKE_S2C];
    const char *what = c->version == 2 ? "IKEv2 fragmentation (RFC 7383, "
                                         "N(IKEV2_FRAGMENTATION_SUPPORTED) in IKE_SA_INIT)"
                                       : "IKEv1 fragmentation (the FRAGMENTATION vendor ID)";
    if (a && b)
        g_string_append_printf(s, " Both peers advertised %s, yet this message went as IP "
                                  "fragments: one side did not use it (a fragment size above "
                                  "the path MTU?).",
                               what);
    else if (a || b)
        g_string_append_printf(s, " Only the %s advertised %s; both must for it to be used.",
                               a ? "client" : "server", what);
    else
        g_string_append_printf(s, " Neither peer advertised %s.", what);
}

static void frag_remedy(pd_finding *f, const ike_conv *c)
{
    pd_finding_remedy(f, "Enable IKE fragmentation on both peers (%s; strongSwan: "
                         "fragmentation = yes), so that large messages are split by IKE "
                         "instead of IP; or let IP fragments of UDP 500/4500 through the "
                         "firewalls and NATs on the path; or make the message smaller (no "
                         "intermediate certificates sent, ECDSA instead of large RSA keys).",
                      c->version == 2 ? "RFC 7383" : "the IKEv1 vendor extension");
}

static void add_frag_evidence(pd_finding *f, const ike_conv *c)
{
    for (size_t i = 0; c->frag_ev && i < c->frag_ev->n; i++)
        pd_finding_evidence(f, c->frag_ev->frames[i], c->frag_ev->ts[i], "%s",
                            c->frag_ev->note[i]);
}

/* Large messages lost to IP fragmentation. x: the unanswered request
 * (NULL when it never arrived here whole). */
static void detect_fragments(pd_engine *e, ike_conv *c, const ike_xchg *x, int sender,
                             const ike_xchg *small)
{
    pd_session *s = c->session;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_FRAGMENTS_LOST, s);
    pd_finding_code(f, 809);
    f->blame = PD_BLAME_PATH;
    pd_session_set_state(s, "fragments-lost");
    uint32_t inc = c->frag_incomplete[sender];
    char lb[64], sl[64];
    GString *ex = g_string_new(NULL);
    if (x) {
        xchg_label(c, x, lb, sizeof lb);
        if (small)
            xchg_label(c, small, sl, sizeof sl);
        pd_finding_summary(f, "%s (%zu bytes, IP-fragmented) sent %u times over %.1f s, never "
                              "answered%s%s%s",
                           lb, x->req_len, x->sent, pd_seconds(x->req_ts, x->req_last_ts),
                           small ? ", while " : "", small ? sl : "",
                           small ? " was answered" : "");
        g_string_append_printf(ex, "The %s's %s is larger than the path MTU, so it left as IP "
                                   "fragments%s. ",
                               side(sender), lb,
                               at_side(c, sender) ? " (all of them are in this capture, at the "
                                                    "sender)"
                                                  : "");
        if (inc)
            g_string_append_printf(ex, "%u of those datagrams arrived here incomplete. ", inc);
        else if (at_side(c, sender))
            g_string_append_printf(ex, "This capture at the %s cannot see where fragments were "
                                       "lost; a capture at the %s would show datagrams arriving "
                                       "incomplete (typically only first fragments). ",
                                   side(sender), side(!sender));
    } else {
        pd_finding_summary(f, "%u large IKE datagram(s) from the %s arrived incomplete (%s), and "
                              "the negotiation stalled",
                           inc, side(sender),
                           c->frag_incomplete_first_only ? "only first fragments"
                                                         : "fragments missing");
        g_string_append_printf(ex, "The %s's next message after the exchange that worked is "
                                   "larger than the path MTU and left as IP fragments; here %u "
                                   "such datagram(s) never completed, so the IKE message never "
                                   "arrived whole and was never answered. ",
                               side(sender), inc);
    }
    g_string_append(ex, "Paths that drop IP fragments (firewalls and NATs that drop non-first "
                        "fragments, mobile networks) make exactly the large exchanges (with "
                        "certificates) time out while the small ones work.");
    frag_support_sentence(ex, c);
    pd_finding_explain(f, "%s", ex->str);
    g_string_free(ex, TRUE);
    frag_remedy(f, c);
    if (small)
        pd_finding_evidence(f, small->resp_frame, small->resp_ts, "small exchange answered");
    if (x) {
        evidence_request(f, c, x);
        if (x->req_frag_frame)
            pd_finding_evidence(f, x->req_frag_frame, x->req_frag_ts,
                                "first IP fragment of the request");
        annotate_request(c, x, "IP-fragmented, never answered (%u sent)", x->sent);
    }
    add_frag_evidence(f, c);
    pd_finding_commit(e, f);
}

static void detect_nat_t_blocked(pd_engine *e, ike_conv *c, const ike_xchg *x,
                                 const ike_xchg *prev)
{
    pd_session *s = c->session;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_NAT_T_BLOCKED, s);
    pd_finding_code(f, 809);
    f->blame = PD_BLAME_PATH;
    pd_session_set_state(s, "nat-t-blocked");
    char lb[64];
    if (x) {
        xchg_label(c, x, lb, sizeof lb);
        f->confidence = unanswered_confidence(e, x);
        pd_finding_summary(f, "NAT detected (%s); %s on UDP 4500 sent %u times over %.1f s, "
                              "never answered",
                           nat_words(c), lb, x->sent, pd_seconds(x->req_ts, x->req_last_ts));
        pd_finding_explain(
            f,
            "The exchange on UDP 500 worked and its NAT-D hashes show %s. As NAT traversal "
            "requires (RFC 3947, RFC 7296 2.23), the negotiation then moved to UDP 4500, and "
            "nothing answers there: no response, no ICMP error. A firewall or the NAT passes UDP "
            "500 but drops UDP 4500 (or the server does not listen on 4500). %s",
            nat_words(c), vantage_sentence(c, x->from));
        evidence_request(f, c, x);
        annotate_request(c, x, "on UDP 4500, never answered (%u sent)", x->sent);
    } else {
        f->confidence = PD_CONF_MEDIUM;
        pd_finding_summary(f, "NAT detected (%s) and the exchange on UDP 500 answered, but "
                              "nothing arrived on UDP 4500 afterwards (%.1f s)",
                           nat_words(c), pd_seconds(prev->resp_ts, capture_end(e)));
        pd_finding_explain(
            f,
            "The NAT-D hashes show %s, so the initiator's next message goes to UDP 4500 "
            "(RFC 3947, RFC 7296 2.23), normally within milliseconds. None arrived in the %.1f s "
            "this capture goes on: UDP 4500 is dropped between the %s and this capture point "
            "(a firewall or the NAT passing UDP 500 but not 4500). A capture at the %s shows "
            "its UDP 4500 requests going out unanswered.",
            nat_words(c), pd_seconds(prev->resp_ts, capture_end(e)), side(prev->from),
            side(prev->from));
    }
    pd_finding_remedy(f, "Allow UDP 4500 in both directions between client and server (next "
                         "to UDP 500), on the NAT router and any firewall; an 'IPsec "
                         "passthrough' or ALG on the NAT that mangles UDP 4500 must be off.");
    if (prev && prev->answered)
        pd_finding_evidence(f, prev->resp_frame, prev->resp_ts, "answered on UDP 500");
    for (int d = 0; d < 2; d++)
        if (c->natd_bad_frame[d])
            pd_finding_evidence(f, c->natd_bad_frame[d], c->natd_bad_ts[d],
                                "NAT-D hashes show the NAT");
    pd_finding_commit(e, f);
}

static void detect_no_response(pd_engine *e, ike_conv *c, const ike_xchg *x, bool first,
                               const ike_xchg *prev)
{
    pd_session *s = c->session;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_NO_RESPONSE, s);
    pd_finding_code(f, 809);
    if (c->version == 1)
        pd_finding_code(f, 792);
    pd_session_set_state(s, "no-response");
    char srv[48], lb[64];
    pd_addr_str(x->from == IKE_C2S ? &c->server : &c->client, srv, sizeof srv);
    xchg_label(c, x, lb, sizeof lb);
    f->confidence = unanswered_confidence(e, x);
    if (first) {
        uint32_t copies = initial_copies(c);
        const ike_xchg *last = last_initial(c);
        if (c->icmp_count) {
            bool port = strstr(c->icmp_what, "port") != NULL;
            pd_finding_summary(f, "%s to %s (UDP %u) answered by ICMP %s from %s", lb, srv,
                               x->natt ? 4500 : 500, c->icmp_what, c->icmp_from);
            pd_finding_explain(
                f, "The first IKE message got no IKE answer, but an ICMP error about it came "
                   "back from %s (%u in all). %s",
                c->icmp_from, c->icmp_count,
                port ? "Port unreachable from the server's own address means nothing listens "
                       "on the IKE port there: the IKE service is not running (or a host "
                       "firewall rejects it)."
                     : strstr(c->icmp_what, "prohibited")
                           ? "'Administratively prohibited' means a filter rule on the way "
                             "refuses IKE, not an outage."
                           : "The message names why the packet could not be delivered.");
            char icmp_srv[48];
            pd_addr_str(&c->server, icmp_srv, sizeof icmp_srv);
            f->blame = strcmp(c->icmp_from, icmp_srv) == 0 ? PD_BLAME_SERVER : PD_BLAME_MIDDLEBOX;
            f->confidence = PD_CONF_HIGH;
            pd_finding_evidence(f, c->icmp_frame, c->icmp_ts, "ICMP %s", c->icmp_what);
        } else {
            if (copies >= 2)
                pd_finding_summary(f, "%s to %s (UDP %u) sent %u times over %.1f s, never "
                                      "answered%s",
                                   lb, srv, x->natt ? 4500 : 500, copies,
                                   pd_seconds(x->req_ts, last ? last->req_last_ts : x->req_last_ts),
                                   c->retries_new_spi ? " (re-initiated with new SPIs too)" : "");
            else
                pd_finding_summary(f, "%s to %s (UDP %u) never answered (sent once; the capture "
                                      "ends %.1f s later)",
                                   lb, srv, x->natt ? 4500 : 500,
                                   pd_seconds(x->req_ts, capture_end(e)));
            if (copies >= 2)
                f->confidence = PD_CONF_HIGH;
            pd_finding_explain(
                f,
                "The %s's very first IKE message got no answer at all: no response, no ICMP "
                "error. UDP 500 is dropped on the way (a firewall or a network that allows only "
                "web traffic), the peer is down, or it is not configured for this client (an "
                "IKE responder silently ignores requests it has no connection for). %s",
                side(x->from), vantage_sentence(c, x->from));
            f->blame = at_side(c, !x->from) ? (x->from == IKE_C2S ? PD_BLAME_SERVER
                                                                  : PD_BLAME_CLIENT_NETWORK)
                                            : PD_BLAME_UNKNOWN;
        }
        pd_finding_remedy(f, "Check that UDP 500 and 4500 (and IP protocol 50) are allowed "
                             "from the client to %s, that the IKE service there runs and has a "
                             "connection for this client's address and identity; test from "
                             "another network to tell a local block from a server problem.",
                          srv);
        evidence_request(f, c, x);
        if (last && last != x)
            pd_finding_evidence(f, last->req_last_frame, last->req_last_ts,
                                "last attempt (%u copies in all)", copies);
        annotate_request(c, x, "never answered");
        pd_finding_commit(e, f);
        return;
    }
    f->blame = PD_BLAME_PATH;
    if (x->sent)
        pd_finding_summary(f, "%s sent %u times over %.1f s, never answered, after %s worked", lb,
                           x->sent, pd_seconds(x->req_ts, x->req_last_ts),
                           prev ? "the exchange before" : "earlier exchanges");
    char pl[64] = "";
    if (prev)
        xchg_label(c, prev, pl, sizeof pl);
    pd_finding_explain(
        f,
        "The %s answered %s, so it is reachable and speaks IKE, but %s got no response. %s%s",
        side(!x->from), prev ? pl : "earlier requests", lb,
        x->natt ? "This exchange went to UDP 4500 (NAT-T, or MOBIKE without a NAT): a firewall "
                  "that passes UDP 500 but not 4500 does exactly this. "
                : "The peer dropped it (its log says why) or the path lost it. ",
        vantage_sentence(c, x->from));
    pd_finding_remedy(f, "Check the %s's IKE log for this exchange%s; a capture at the %s shows "
                         "whether the requests arrive.",
                      side(!x->from), x->natt ? " and that UDP 4500 passes both ways" : "",
                      side(!x->from));
    if (prev && prev->answered)
        pd_finding_evidence(f, prev->resp_frame, prev->resp_ts, "answered");
    evidence_request(f, c, x);
    annotate_request(c, x, "never answered (%u sent)", x->sent);
    pd_finding_commit(e, f);
}

/* The negotiation stopped after an answered exchange: the requester's next
 * message never arrived here (seen at the responder). */
static void detect_stalled(pd_engine *e, ike_conv *c, const ike_xchg *prev, const char *next)
{
    pd_session *s = c->session;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_NO_RESPONSE, s);
    pd_finding_code(f, 809);
    if (c->version == 1)
        pd_finding_code(f, 792);
    f->confidence = PD_CONF_MEDIUM;
    f->blame = PD_BLAME_PATH;
    pd_session_set_state(s, "no-response");
    char lb[64];
    xchg_label(c, prev, lb, sizeof lb);
    double tail = pd_seconds(prev->resp_ts, capture_end(e));
    pd_finding_summary(f, "%s was answered, but the %s's %s never arrived (%.1f s)", lb,
                       side(prev->from), next, tail);
    pd_finding_explain(f, "The %s continues within milliseconds after %s is answered; nothing "
                          "more came from it in the %.1f s this capture goes on. Either the "
                          "answer never reached the %s (it would retransmit the request, unless "
                          "that is dropped too), or its %s is lost on the way here (UDP 4500, "
                          "large messages as IP fragments). A capture at the %s settles it.",
                       side(prev->from), lb, tail, side(prev->from), next, side(prev->from));
    pd_finding_remedy(f, "Capture at the %s at the same time; check that UDP 500, UDP 4500 and "
                         "IP fragments pass both ways.",
                      side(prev->from));
    pd_finding_evidence(f, prev->req_frame, prev->req_ts, "%s", lb);
    pd_finding_evidence(f, prev->resp_frame, prev->resp_ts, "answered; nothing follows");
    pd_finding_commit(e, f);
}

/* ---- dead-peer detection ---- */

static void detect_dpd_v2(pd_engine *e, ike_conv *c, const ike_xchg *x)
{
    pd_session *s = c->session;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_DPD_TIMEOUT, s);
    f->blame = PD_BLAME_PATH;
    f->confidence = unanswered_confidence(e, x);
    pd_session_set_state(s, "dpd-timeout");
    char lb[64];
    xchg_label(c, x, lb, sizeof lb);
    /* What followed: a new IKE_SA_INIT from the same side re-initiates. */
    const char *after = "the capture ends";
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *n = &c->xchg[i];
        if (n->req_frame > x->req_last_frame && n->initial) {
            after = "then re-initiated the IKE SA";
            break;
        }
    }
    const pd_stage *up = pd_session_stage(s, "ike-auth-done");
    pd_finding_summary(f, "Liveness check from the %s unanswered: %s sent %u times over %.1f s%s",
                       side(x->from), lb, x->sent, pd_seconds(x->req_ts, x->req_last_ts),
                       up ? " after the SA had worked" : "");
    pd_finding_explain(f, "The IKE SA was up; then the %s's INFORMATIONAL requests (dead-peer "
                          "detection or a delete, RFC 7296 2.4) went unanswered and %s. The %s "
                          "went away (rebooted, lost its SA) or the path broke (a NAT mapping "
                          "that expired, a firewall state timeout, a route change). %s",
                       side(x->from), after, side(!x->from), vantage_sentence(c, x->from));
    pd_finding_remedy(f, "Check the %s's state and log at that time; behind NAT, keep the "
                         "mapping alive (NAT keepalives, shorter DPD interval) and check the "
                         "NAT's UDP timeout.",
                      side(!x->from));
    evidence_request(f, c, x);
    annotate_request(c, x, "never answered (%u sent)", x->sent);
    pd_finding_commit(e, f);
}

/* IKEv1 DPD (RFC 3706) rides in encrypted Informationals with no reply at
 * the ISAKMP level: a run of them from one side, with nothing from the
 * other after phase 1, is the pattern. */
static bool detect_dpd_v1(pd_engine *e, ike_conv *c)
{
    if (!pd_session_reached(c->session, "phase1-done"))
        return false;
    for (int d = 0; d < 2; d++) {
        uint32_t run = 0;
        const ike_xchg *first = NULL, *last = NULL;
        /* The run starts after the peer's last sign of life, IKE or ESP (an
         * R-U-THERE answered earlier, while the tunnel carried traffic, is
         * no part of it). */
        uint64_t alive = c->last_msg_frame[!d];
        if (c->esp_packets[!d] && c->esp_last_frame[!d] > alive)
            alive = c->esp_last_frame[!d];
        for (size_t i = 0; i < c->n_xchg; i++) {
            const ike_xchg *x = &c->xchg[i];
            if (x->from == d && x->exch == PD_IKEV1_EXCH_INFORMATIONAL && x->req_encrypted &&
                (!alive || x->req_frame > alive)) {
                if (!first)
                    first = x;
                last = x;
                run += x->sent;
            }
        }
        if (run < IKE_DPD_MIN_UNANSWERED || !first)
            continue;
        if (c->esp_packets[!d] && c->esp_last_frame[!d] > first->req_frame)
            continue; /* the peer is alive and sending ESP */
        pd_finding *f = pd_finding_begin(PD_SIG_IKE_DPD_TIMEOUT, c->session);
        f->blame = PD_BLAME_PATH;
        f->confidence = PD_CONF_MEDIUM;
        pd_session_set_state(c->session, "dpd-timeout");
        pd_finding_summary(f, "%u encrypted Informationals from the %s over %.1f s, none "
                              "answered: dead-peer detection timing out",
                           run, side(d), pd_seconds(first->req_ts, last->req_last_ts));
        pd_finding_explain(f, "After phase 1 the %s kept sending encrypted Informationals (in "
                              "IKEv1 these are DPD R-U-THERE messages, RFC 3706, or deletes) and "
                              "nothing came back from the %s: it went away or the path broke. "
                              "The messages are encrypted; with the IKE keys (--ike-keys, "
                              "Wireshark's IKEv1 decryption table) they could be named for "
                              "certain. %s",
                           side(d), side(!d), vantage_sentence(c, d));
        pd_finding_remedy(f, "Check the %s's state and log at that time, and the NAT's UDP "
                             "timeout if one is on the path.",
                          side(!d));
        pd_finding_evidence(f, first->req_frame, first->req_ts, "first unanswered Informational");
        pd_finding_evidence(f, last->req_last_frame, last->req_last_ts, "last one");
        pd_finding_commit(e, f);
        return true;
    }
    return false;
}

/* ---- the chain ---- */

static const ike_xchg *last_answered_before(const ike_conv *c, const ike_xchg *x)
{
    const ike_xchg *best = NULL;
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *a = &c->xchg[i];
        if (a != x && a->answered && a->resp_frame && (!x || a->resp_frame < x->req_frame) &&
            (!best || a->resp_frame > best->resp_frame))
            best = a;
    }
    return best;
}

static bool anything_after(const ike_conv *c, uint64_t frame)
{
    for (size_t i = 0; i < c->n_xchg; i++)
        if (c->xchg[i].req_frame > frame && c->xchg[i].sent)
            return true;
    return c->esp_packets[0] + c->esp_packets[1] > 0;
}

/* Encrypted answers that betray a credential mismatch (medium confidence). */
static bool detect_auth_patterns(pd_engine *e, ike_conv *c)
{
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        /* IKEv1 main mode #5 answered by an Informational instead of #6. */
        if (c->version == 1 && x->exch == PD_IKEV1_EXCH_MAIN && x->v1_step == 5 && x->info_frame &&
            !x->answered) {
            pd_finding *f = pd_finding_begin(PD_SIG_IKE_AUTH_FAILED, c->session);
            auth_common(f, c);
            f->confidence = PD_CONF_MEDIUM;
            pd_finding_summary(f, "Main Mode #5 answered by an %s Informational instead of #6: "
                                  "phase-1 authentication refused",
                               x->info_encrypted ? "encrypted" : "unreadable");
            if (x->req_decrypted && !x->info_decrypted)
                pd_finding_explain(f, "Main mode #5 carries the %s's identity and its proof (the "
                                      "hash from the pre-shared key, or a signature). The %s did "
                                      "not send #6 but a notification. Decrypted with %s, #5 is "
                                      "well-formed; the %s's answer does not decrypt with the "
                                      "same key: the %s derived other keys from this exchange, "
                                      "which with pre-shared keys means the pre-shared keys "
                                      "differ. The %s's own key-table row for this cookie would "
                                      "show the notification itself.",
                                   side(x->from), side(!x->from), decrypted_where(c, x->from),
                                   side(!x->from), side(!x->from), side(!x->from));
            else
                pd_finding_explain(f, "Main mode #5 carries the %s's identity and its proof (the "
                                      "hash from the pre-shared key, or a signature). The %s did "
                                      "not send #6 but a notification: it could not decrypt or "
                                      "verify #5, which with pre-shared keys means the keys "
                                      "differ.%s",
                                   side(x->from), side(!x->from), key_table_sentence(c));
            auth_remedy(f, c);
            evidence_request(f, c, x);
            pd_finding_evidence(f, x->info_frame, x->info_ts, "Informational instead of #6");
            annotate_request(c, x, "answered by an Informational");
            pd_finding_commit(e, f);
            return true;
        }
        /* Aggressive mode: the initiator answers #2 with an Informational. */
        if (c->version == 1 && x->exch == PD_IKEV1_EXCH_AGGRESSIVE && x->v1_step == 1 &&
            x->answered) {
            const ike_xchg *third = NULL, *info = NULL;
            for (size_t k = i + 1; k < c->n_xchg; k++) {
                const ike_xchg *y = &c->xchg[k];
                if (y->from != x->from)
                    continue;
                if (y->exch == PD_IKEV1_EXCH_AGGRESSIVE && y->v1_step == 3)
                    third = y;
                else if (y->exch == PD_IKEV1_EXCH_INFORMATIONAL && !info &&
                         y->req_frame > x->resp_frame)
                    info = y;
            }
            if (third || !info)
                continue;
            pd_finding *f = pd_finding_begin(PD_SIG_IKE_AUTH_FAILED, c->session);
            auth_common(f, c);
            bool read = info->req_decrypted && info->req_error;
            char nb[32];
            const char *nn = read ? pd_ike_value_str(pd_ike_notify_name(1, info->req_error),
                                                     "NOTIFY", info->req_error, nb, sizeof nb)
                                  : NULL;
            f->confidence = read ? PD_CONF_HIGH : PD_CONF_MEDIUM;
            if (read)
                pd_finding_summary(f, "The %s answered Aggressive Mode #2 with %s (decrypted) "
                                      "instead of #3: it could not verify the %s",
                                   side(x->from), nn, side(!x->from));
            else
                pd_finding_summary(f, "The %s answered Aggressive Mode #2 with an Informational "
                                      "instead of #3: it could not verify the %s",
                                   side(x->from), side(!x->from));
            if (read)
                pd_finding_explain(f, "Aggressive mode #2 carries the responder's identity and "
                                      "hash (HASH_R); the initiator checks it and sends #3. Here "
                                      "it sent an Informational instead, and decrypted with %s "
                                      "it reads %s: the hash did not verify, i.e. the pre-shared "
                                      "keys (or the identities they are looked up by) differ.",
                                   decrypted_where(c, x->from), nn);
            else
                pd_finding_explain(f, "Aggressive mode #2 carries the responder's identity and "
                                      "hash; the initiator checks it and sends #3. Here it sent a "
                                      "notification instead: the hash did not verify, i.e. the "
                                      "pre-shared keys (or the identities they are looked up by) "
                                      "differ.%s",
                                   info->req_encrypted ? key_table_sentence(c) : "");
            auth_remedy(f, c);
            pd_finding_evidence(f, x->resp_frame, x->resp_ts, "Aggressive Mode #2");
            if (read)
                pd_finding_evidence(f, info->req_frame, info->req_ts,
                                    "Informational N(%s) instead of #3 (decrypted)", nn);
            else
                pd_finding_evidence(f, info->req_frame, info->req_ts,
                                    "Informational instead of #3");
            pd_finding_commit(e, f);
            return true;
        }
    }
    /* IKEv2: the last IKE_AUTH answered short, and nothing after it. */
    if (c->version == 2) {
        const ike_xchg *auth = NULL;
        for (size_t i = 0; i < c->n_xchg; i++)
            if (c->xchg[i].exch == PD_IKEV2_EXCH_IKE_AUTH && c->xchg[i].answered)
                auth = &c->xchg[i];
        if (auth && auth->resp_encrypted && auth->resp_len <= IKE_SHORT_AUTH_RESPONSE &&
            !auth->resp_ip_fragmented && !anything_after(c, auth->resp_frame)) {
            pd_finding *f = pd_finding_begin(PD_SIG_IKE_AUTH_FAILED, c->session);
            auth_common(f, c);
            f->confidence = PD_CONF_MEDIUM;
            pd_finding_summary(f, "IKE_AUTH answered with a short encrypted response (%zu bytes) "
                                  "and nothing followed: authentication refused",
                               auth->resp_len);
            pd_finding_explain(
                f,
                "The IKE_AUTH response has room for one encrypted notify, not for the IDr, AUTH, "
                "SA and traffic selectors of a successful exchange, and afterwards the %s neither "
                "used a CHILD_SA (no ESP) nor started another exchange. That is the shape of "
                "AUTHENTICATION_FAILED (a pre-shared key that differs, a certificate or EAP "
                "credentials the %s rejects, or an identity it has no connection for).%s",
                side(auth->from), side(!auth->from), key_table_sentence(c));
            auth_remedy(f, c);
            evidence_request(f, c, auth);
            pd_finding_evidence(f, auth->resp_frame, auth->resp_ts, "short IKE_AUTH response");
            annotate_request(c, auth, "answered short: refused");
            pd_finding_commit(e, f);
            return true;
        }
    }
    return false;
}

/* IKEv1 quick mode answered by an Informational: phase 2 refused. */
static bool detect_quick_refused(pd_engine *e, ike_conv *c)
{
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        if (c->version != 1 || x->exch != PD_IKEV1_EXCH_QUICK || x->answered || !x->info_frame)
            continue;
        pd_finding *f = pd_finding_begin(PD_SIG_IKE_CHILD_SA_REFUSED, c->session);
        pd_finding_code(f, 788);
        f->blame = PD_BLAME_CONFIGURATION;
        f->confidence = PD_CONF_MEDIUM;
        pd_session_set_state(c->session, "phase2-refused");
        char lb[64];
        xchg_label(c, x, lb, sizeof lb);
        pd_finding_summary(f, "%s answered by an %s Informational instead of Quick Mode #2: "
                              "phase 2 refused",
                           lb, x->info_encrypted ? "encrypted" : "unreadable");
        pd_finding_explain(f, "Phase 1 completed, but the %s answered the %s's quick mode with "
                              "a notification instead of its quick-mode reply. Encrypted, it "
                              "cannot be read here; the usual contents are NO_PROPOSAL_CHOSEN "
                              "(no common ESP proposal or PFS group) or INVALID_ID_INFORMATION "
                              "(traffic selectors, e.g. the L2TP port, not accepted). The "
                              "gateway's log, or the IKE keys (--ike-keys, Wireshark's IKEv1 "
                              "decryption table), name it.",
                           side(!x->from), side(x->from));
        pd_finding_remedy(f, "Compare the phase-2 (ESP) proposals, PFS setting and traffic "
                             "selectors of both sides.");
        evidence_request(f, c, x);
        pd_finding_evidence(f, x->info_frame, x->info_ts, "Informational instead of #2");
        annotate_request(c, x, "answered by an Informational");
        pd_finding_commit(e, f);
        return true;
    }
    return false;
}

static bool xchg_is_liveness(const ike_conv *c, const ike_xchg *x)
{
    return c->version == 2 && x->exch == PD_IKEV2_EXCH_INFORMATIONAL &&
           pd_session_reached(c->session, "ike-auth-done");
}

/* ---- what the IKE keys show (--ike-keys) ---- */

/* The exchange negotiates a CHILD_SA: IKE_AUTH, CREATE_CHILD_SA, IKEv1
 * quick mode. */
static bool is_child_xchg(const ike_conv *c, const ike_xchg *x)
{
    if (c->version == 1)
        return x->exch == PD_IKEV1_EXCH_QUICK;
    return x->exch == PD_IKEV2_EXCH_IKE_AUTH || x->exch == PD_IKEV2_EXCH_CREATE_CHILD_SA;
}

/* The response's error concerns the CHILD_SA, not the IKE SA: IKE_AUTH
 * with the responder's AUTH in it (RFC 7296 1.2: the IKE SA is up, only
 * the CHILD_SA failed), CREATE_CHILD_SA, a refused quick mode. */
static bool child_refusal(const ike_conv *c, const ike_xchg *x)
{
    if (!x->resp_error || !is_child_xchg(c, x))
        return false;
    if (c->version == 2 && x->exch == PD_IKEV2_EXCH_IKE_AUTH)
        return x->resp_decrypted && x->resp_has_auth &&
               x->resp_error != PD_IKE_N_AUTHENTICATION_FAILED;
    return true;
}

static char *child_offers_words(const ike_conv *c)
{
    const ike_inner *n = c->inner;
    GString *s = g_string_new(NULL);
    for (size_t i = 0; n && i < n->n_child_offers; i++) {
        char num[16];
        prop_number(&n->child_offers[i], num, sizeof num);
        g_string_append_printf(s, "%s#%s ", i ? "; " : "", num);
        pd_ike_proposal_format(&n->child_offers[i], s);
    }
    if (!s->len)
        g_string_append(s, "(not in the capture)");
    return g_string_free(s, FALSE);
}

static void detect_child_refusal(pd_engine *e, ike_conv *c, const ike_xchg *x)
{
    const ike_inner *n = c->inner;
    uint16_t err = x->resp_error;
    bool ts = (c->version == 2 && err == PD_IKE_N_TS_UNACCEPTABLE) ||
              (c->version == 1 && err == PD_IKE_N_INVALID_ID_INFORMATION);
    bool noprop = err == PD_IKE_N_NO_PROPOSAL_CHOSEN;
    bool cfg = c->version == 2 && (err == PD_IKE_N_INTERNAL_ADDRESS_FAILURE ||
                                   err == PD_IKE_N_FAILED_CP_REQUIRED);
    pd_sig_id sig = ts       ? PD_SIG_IKE_TS_UNACCEPTABLE
                    : noprop ? PD_SIG_IKE_CHILD_NO_PROPOSAL_CHOSEN
                    : cfg    ? PD_SIG_IKE_CONFIG_FAILED
                             : PD_SIG_IKE_CHILD_SA_REFUSED;
    pd_finding *f = pd_finding_begin(sig, c->session);
    f->blame = PD_BLAME_CONFIGURATION;
    if (!cfg)
        code_by_version(f, c, 788, 13868);
    bool dec = refusal_decrypted(x);
    f->confidence = dec || !x->info_frame ? PD_CONF_HIGH : PD_CONF_MEDIUM;
    char lb[64], nb[32];
    xchg_label(c, x, lb, sizeof lb);
    const char *nn = pd_ike_value_str(pd_ike_notify_name(c->version, err), "NOTIFY", err, nb,
                                      sizeof nb);
    const char *how = dec ? "decrypted" : "in clear";
    const char *ike_up = c->version == 1 ? "Phase 1 (the ISAKMP SA) completed"
                         : x->exch == PD_IKEV2_EXCH_IKE_AUTH
                             ? "Both peers authenticated (the response carries the responder's "
                               "AUTH): the IKE SA is up"
                             : "The IKE SA was up";
    char *offers = child_offers_words(c);
    const char *tsi = n && n->ts_i[0] ? n->ts_i : "(not in the capture)";
    const char *tsr = n && n->ts_r[0] ? n->ts_r : "(not in the capture)";
    const char *who = side(!x->from), *asker = side(x->from);
    if (ts) {
        pd_session_set_state(c->session, "ts-unacceptable");
        pd_finding_summary(f, "The %s refused the traffic selectors %s === %s: %s answered by %s "
                              "(%s)",
                           who, tsi, tsr, lb, nn, how);
        pd_finding_explain(
            f,
            "%s, but the CHILD_SA was refused: the %s proposed to protect %s (its side) === %s "
            "(the %s's side), and the %s's policy allows none of it (%s). The traffic selectors "
            "(RFC 7296 2.9%s) are the subnets or hosts each side configured for the tunnel; they "
            "must overlap. No CHILD_SA, so no traffic can flow.",
            ike_up, asker, tsi, tsr, who, who,
            c->version == 2 ? "TS_UNACCEPTABLE, RFC 7296 3.10.1"
                            : "INVALID_ID_INFORMATION in answer to the quick-mode IDs",
            c->version == 1 ? "; in IKEv1 the quick-mode identities, RFC 2409 5.5" : "");
        pd_finding_remedy(f, "Make the traffic selectors agree: the %s's local/remote subnets "
                             "(strongSwan local_ts/remote_ts; Windows: the VPN's routes or "
                             "'use default gateway'; L2TP/IPsec: UDP 1701 host-to-host) must fall "
                             "within what the %s allows.",
                          asker, who);
    } else if (noprop) {
        pd_session_set_state(c->session, "child-no-proposal-chosen");
        pd_finding_summary(f, "The %s refused every CHILD_SA proposal offered (%s): %s answered by "
                              "%s (%s)",
                           who, offers, lb, nn, how);
        pd_finding_explain(
            f,
            "%s, but the CHILD_SA was refused: the %s offered %s for the traffic %s === %s and "
            "the %s accepts none of these ESP/AH combinations (encryption and key length, "
            "integrity, %s). The IKE proposals agree; the CHILD_SA (%s) proposals do not.",
            ike_up, asker, offers, tsi, tsr, who,
            c->version == 1 ? "PFS group, encapsulation mode" : "PFS group, extended sequence numbers",
            c->version == 1 ? "quick mode" : "ESP");
        pd_finding_remedy(f, "Configure a common ESP proposal: make the %s accept one of the "
                             "offered combinations or the %s offer one the %s accepts "
                             "(strongSwan: esp_proposals; Windows: "
                             "Set-VpnConnectionIPsecConfiguration).",
                          who, asker, who);
    } else if (cfg) {
        pd_session_set_state(c->session, "config-failed");
        pd_finding_summary(f, "The %s assigned no inner address: %s answered by %s (%s)", who,
                           lb, nn, how);
        pd_finding_explain(f, "%s, but the %s asked for an inner (virtual) address in its "
                              "configuration payload and the %s could not assign one (RFC 7296 "
                              "3.10.1: %s), so no CHILD_SA was created.",
                           ike_up, asker, who, nn);
        pd_finding_remedy(f, "Check the %s's address pool (strongSwan: pools; Windows RRAS: the "
                             "static pool or DHCP relay) and that the client's connection is "
                             "allowed to use it.",
                          who);
    } else {
        pd_session_set_state(c->session, "child-sa-refused");
        pd_finding_summary(f, "The %s refused the CHILD_SA: %s answered by %s (%s)", who, lb, nn,
                           how);
        pd_finding_explain(f, "%s, but the %s refused the CHILD_SA with %s. Offered: %s for %s "
                              "=== %s.",
                           ike_up, who, nn, offers, tsi, tsr);
        pd_finding_remedy(f, "The %s's log names what it could not accept; compare both sides' "
                             "CHILD_SA settings.",
                          who);
    }
    g_free(offers);
    evidence_request(f, c, x);
    if (x->info_frame)
        pd_finding_evidence(f, x->info_frame, x->info_ts, "Informational N(%s)%s", nn,
                            dec ? " (decrypted)" : "");
    else
        pd_finding_evidence(f, x->resp_frame, x->resp_ts, "N(%s)%s", nn,
                            dec ? " (decrypted)" : "");
    annotate_request(c, x, "CHILD_SA refused: %s", nn);
    pd_finding_commit(e, f);
}

/* IKEv2: the responder authenticated itself (a decrypted IKE_AUTH response
 * with AUTH) and the initiator then sent AUTHENTICATION_FAILED in a new
 * INFORMATIONAL (RFC 7296 2.21.2): the initiator refused the responder. */
static bool detect_initiator_refusal(pd_engine *e, ike_conv *c)
{
    const ike_xchg *auth = NULL, *refusal = NULL;
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        if (c->version == 2 && x->exch == PD_IKEV2_EXCH_IKE_AUTH && x->resp_decrypted &&
            x->resp_has_auth && x->resp_error != PD_IKE_N_AUTHENTICATION_FAILED)
            auth = x;
        if (auth && x->exch == PD_IKEV2_EXCH_INFORMATIONAL && x->from == auth->from &&
            x->req_decrypted && x->req_error == PD_IKE_N_AUTHENTICATION_FAILED &&
            x->req_frame > auth->resp_frame && !refusal)
            refusal = x;
    }
    if (!auth || !refusal)
        return false;
    const ike_inner *n = c->inner;
    int resp_dir = !auth->from;
    const char *presented = n && n->id_r.set ? n->id_r.text : NULL;
    const char *wanted = n && n->id_r_wanted.set ? n->id_r_wanted.text : NULL;
    bool psk = n && n->auth_method[resp_dir] == 2; /* Shared Key Message Integrity Code */
    bool differ = presented && wanted && strcmp(presented, wanted) != 0;
    bool identity = differ || (!wanted && psk);
    pd_finding *f = pd_finding_begin(identity ? PD_SIG_IKE_IDENTITY_MISMATCH
                                              : PD_SIG_IKE_AUTH_FAILED,
                                     c->session);
    code_by_version(f, c, 789, 13801);
    f->blame = PD_BLAME_CONFIGURATION;
    pd_session_set_state(c->session, identity ? "identity-mismatch" : "auth-failed");
    const char *init = side(auth->from), *resp = side(resp_dir);
    if (differ)
        pd_finding_summary(f, "The %s asked for the identity %s; the %s presented %s and the %s "
                              "refused it (AUTHENTICATION_FAILED, decrypted)",
                           init, wanted, resp, presented, init);
    else if (identity)
        pd_finding_summary(f, "The %s refused the %s's identity %s (AUTHENTICATION_FAILED after "
                              "the %s authenticated, decrypted)",
                           init, resp, presented ? presented : "(unknown)", resp);
    else
        pd_finding_summary(f, "The %s refused the %s's authentication%s%s (AUTHENTICATION_FAILED "
                              "after IKE_AUTH, decrypted)",
                           init, resp, presented ? " as " : "", presented ? presented : "");
    GString *ex = g_string_new(NULL);
    g_string_append_printf(ex, "Decrypted with %s: the %s's IKE_AUTH response carries its "
                               "identity (IDr %s) and its AUTH%s, so it had accepted the %s (%s). "
                               "The %s then sent a new INFORMATIONAL with AUTHENTICATION_FAILED "
                               "(RFC 7296 2.21.2): it refused the %s. ",
                           decrypted_where(c, resp_dir), resp, presented ? presented : "?",
                           auth->resp_has_child ? " and a CHILD_SA" : "", init,
                           n && n->id_i.set ? n->id_i.text : "its identity", init, resp);
    if (differ)
        g_string_append_printf(ex, "It had asked for %s (IDr in its request) and got %s: the "
                                   "identity the %s is configured to expect is not the one the "
                                   "%s uses.",
                               wanted, presented, init, resp);
    else if (identity)
        g_string_append_printf(ex, "With pre-shared keys, the %s verified the %s's AUTH, so both "
                                   "hold the same key: what the %s refused is the identity %s. It "
                                   "expects another one (its request named none, so which one is "
                                   "only in its configuration).",
                               resp, init, init, presented ? presented : "presented");
    else
        g_string_append_printf(ex, "%s%s",
                               wanted ? "It presented the identity asked for, so the " : "The ",
                               n && n->n_certs[resp_dir]
                                   ? "certificate is what was refused (untrusted issuer, expired, "
                                     "wrong name or usage)."
                                   : "proof (AUTH) or the identity did not satisfy the initiator.");
    if (n && n->n_certs[resp_dir])
        g_string_append_printf(ex, " The %s's certificates: %s.", resp, n->certs[resp_dir]);
    pd_finding_explain(f, "%s", ex->str);
    g_string_free(ex, TRUE);
    if (identity)
        pd_finding_remedy(f, "Make the identities agree: configure the %s to expect %s (strongSwan: "
                             "remote.id; Windows: the server name must match the certificate's "
                             "or the gateway's identity), or give the %s the identity the %s "
                             "expects (strongSwan: local.id).",
                          init, presented ? presented : "the identity the gateway presents", resp,
                          init);
    else
        auth_remedy(f, c);
    pd_finding_evidence(f, auth->resp_frame, auth->resp_ts, "%s's IKE_AUTH response with IDr %s "
                                                             "(decrypted)",
                        resp, presented ? presented : "?");
    pd_finding_evidence(f, refusal->req_frame, refusal->req_ts,
                        "%s's INFORMATIONAL N(AUTHENTICATION_FAILED) (decrypted)", init);
    annotate_request(c, refusal, "refuses the %s", resp);
    pd_finding_commit(e, f);
    return true;
}

/* IKEv1 phase 1 refused with INVALID_ID_INFORMATION: the identity. */
static void detect_identity_v1(pd_engine *e, ike_conv *c, const ike_xchg *x)
{
    const ike_inner *n = c->inner;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_IDENTITY_MISMATCH, c->session);
    code_by_version(f, c, 789, 13801);
    f->blame = PD_BLAME_CONFIGURATION;
    pd_session_set_state(c->session, "identity-mismatch");
    bool dec = refusal_decrypted(x);
    char lb[64];
    xchg_label(c, x, lb, sizeof lb);
    const ike_id_seen *id = x->from == IKE_C2S || !n ? (n ? &n->id_i : NULL) : &n->id_r;
    const char *idt = id && id->set ? id->text : NULL;
    pd_finding_summary(f, "The %s refused the %s's identity%s%s: %s answered by "
                          "INVALID_ID_INFORMATION (%s)",
                       side(!x->from), side(x->from), idt ? " " : "", idt ? idt : "", lb,
                       dec ? "decrypted" : "in clear");
    pd_finding_explain(f, "In phase 1 INVALID_ID_INFORMATION (RFC 2408 3.14.1) says the "
                          "identity sent is not one the %s has a connection (or a pre-shared "
                          "key) for%s%s.",
                       side(!x->from), idt ? ": the identity was " : "", idt ? idt : "");
    pd_finding_remedy(f, "Configure the %s with the identity the %s expects (or add a connection "
                         "for %s on the %s).",
                      side(x->from), side(!x->from), idt ? idt : "it", side(!x->from));
    evidence_request(f, c, x);
    pd_finding_evidence(f, x->info_frame ? x->info_frame : x->resp_frame,
                        x->info_frame ? x->info_ts : x->resp_ts, "N(INVALID_ID_INFORMATION)%s",
                        dec ? " (decrypted)" : "");
    annotate_request(c, x, "refused: INVALID_ID_INFORMATION");
    pd_finding_commit(e, f);
}

/* EAP Failure (IKEv2) or XAUTH status FAIL (IKEv1), decrypted. */
static bool detect_user_auth(pd_engine *e, ike_conv *c)
{
    const ike_inner *n = c->inner;
    if (!n || (!n->eap_failure_frame && !n->xauth_fail_frame))
        return false;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_USER_AUTH_FAILED, c->session);
    f->blame = PD_BLAME_CONFIGURATION;
    pd_session_set_state(c->session, "user-auth-failed");
    if (n->eap_failure_frame && n->eap_failure_mschapv2) {
        char ecode[40] = "";
        if (n->eap_mschapv2_error)
            g_snprintf(ecode, sizeof ecode, " E=%u%s", n->eap_mschapv2_error,
                       n->eap_mschapv2_error == 691 ? " (bad credentials)" : "");
        pd_finding_summary(f, "The gateway refused the user's credentials: EAP-MSCHAPv2 "
                              "Failure%s in IKE_AUTH (decrypted)",
                           ecode);
        pd_finding_explain(f, "The IKE SA was being authenticated with EAP-MSCHAPv2 (RFC 7296 "
                              "2.16): the gateway authenticated itself, then checked the user's "
                              "MS-CHAPv2 response and answered with an EAP-MSCHAPv2 Failure "
                              "request (draft-kamath-pppext-eap-mschapv2 section 2, carrying "
                              "RFC 2759's E= code). The machine side is fine; the user name or "
                              "password is refused (or the user is not allowed to dial in). A "
                              "client may end the IKE SA (AUTHENTICATION_FAILED) instead of "
                              "answering, so no EAP Failure need follow.");
        pd_finding_evidence(f, n->eap_failure_frame, n->eap_failure_ts,
                            "EAP-MSCHAPv2 Failure request%s (decrypted)", ecode);
    } else if (n->eap_failure_frame) {
        const char *t = n->eap_type ? pd_ike_eap_type_name(n->eap_type) : NULL;
        pd_finding_summary(f, "The gateway refused the user's credentials: EAP Failure%s%s in "
                              "IKE_AUTH (decrypted)",
                           t ? " after " : "", t ? t : "");
        pd_finding_explain(f, "The IKE SA was being authenticated with EAP (RFC 7296 2.16): the "
                              "gateway authenticated itself, then checked the user's "
                              "credentials and answered EAP Failure (RFC 3748 4.2). The machine "
                              "side is fine; the user name, password or user certificate is "
                              "refused (or the user is not allowed to dial in).");
        pd_finding_evidence(f, n->eap_failure_frame, n->eap_failure_ts, "EAP Failure (decrypted)");
    } else {
        pd_finding_summary(f, "The gateway refused the user's credentials: XAUTH status FAIL "
                              "(decrypted)");
        pd_finding_explain(f, "Phase 1 completed; the gateway then asked for the user's "
                              "credentials with XAUTH (a transaction exchange inside the "
                              "ISAKMP SA) and answered with XAUTH_STATUS = FAIL "
                              "(draft-ietf-ipsra-isakmp-xauth 6.2): the user name or password "
                              "is refused.");
        pd_finding_evidence(f, n->xauth_fail_frame, n->xauth_fail_ts,
                            "XAUTH_STATUS FAIL (decrypted)");
    }
    pd_finding_remedy(f, "Check the user's name and password (or user certificate) and the "
                         "gateway's user database or RADIUS server log for the reason.");
    pd_finding_commit(e, f);
    return true;
}

/* A configuration request for an address answered without one. */
static bool detect_config(pd_engine *e, ike_conv *c)
{
    const ike_inner *n = c->inner;
    if (!n || !n->cfg_request_frame || n->cfg_reply_address)
        return false;
    if (!pd_session_reached(c->session, "ike-auth-done") &&
        !pd_session_reached(c->session, "phase1-done"))
        return false;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_CONFIG_FAILED, c->session);
    f->blame = PD_BLAME_CONFIGURATION;
    f->confidence = PD_CONF_MEDIUM;
    pd_session_set_state(c->session, "config-failed");
    pd_finding_summary(f, "The client asked for an inner address and the gateway's reply "
                          "assigned none (decrypted)");
    pd_finding_explain(f, "The client's configuration request (RFC 7296 3.15 CP, or IKEv1 mode "
                          "config) asks for an inner address; no reply with one was seen. "
                          "Without it the client cannot use the tunnel.");
    pd_finding_remedy(f, "Check the gateway's address pool and that this client may use it.");
    pd_finding_evidence(f, n->cfg_request_frame, n->cfg_request_ts,
                        "configuration request (decrypted)");
    pd_finding_commit(e, f);
    return true;
}

/* Key tables given but of no use for this session: say so, so that the
 * verdict is read as one from the clear text alone. */
static void detect_keys_not_applied(pd_engine *e, ike_conv *c)
{
    const ike_inner *n = c->inner;
    if (!c->keys_loaded || !n)
        return;
    uint32_t bad = n->failed[0] + n->failed[1], none = n->nokey[0] + n->nokey[1];
    uint32_t ok = n->decrypted[0] + n->decrypted[1];
    if (!bad && !none)
        return;
    pd_finding *f = pd_finding_begin(PD_SIG_IKE_KEYS_NOT_APPLIED, c->session);
    char hex[17];
    for (int i = 0; i < 8; i++)
        g_snprintf(hex + 2 * i, 3, "%02x", c->n_sas ? c->sas[0].spi_i[i] : 0);
    if (bad)
        pd_finding_summary(f, "%u encrypted message%s of this IKE SA did not decrypt with the key "
                              "tables: %s",
                           bad, bad == 1 ? "" : "s", n->fail_what ? n->fail_what : "failed");
    else
        pd_finding_summary(f, "The key tables have no row for this IKE SA (%s %s)",
                           c->version == 1 ? "initiator cookie" : "SPIi", hex);
    pd_finding_explain(
        f,
        "%u message%s decrypted, %u did not decrypt, %u had no key-table row. Rows are matched "
        "by %s; a row from another run or another IKE SA (a rekey has new SPIs) does not fit. "
        "The verdicts for this session rest on what is in clear text (and on what did decrypt).%s",
        ok, ok == 1 ? "" : "s", bad, none,
        c->version == 1 ? "the initiator's cookie (ikev1_decryption_table)"
                        : "the SPI pair (ikev2_decryption_table)",
        c->version == 1 && bad && ok
            ? " With IKEv1 and different pre-shared keys, each side's key decrypts only its own "
              "messages: add the other gateway's row for the same cookie."
            : "");
    pd_finding_remedy(f, "Take the keys of this IKE SA from the gateway's log (strongSwan: "
                         "charon log level 4 for the ike group, or the save-keys plugin) or from "
                         "the Wireshark profile that decrypts it.");
    if (n->fail_frame)
        pd_finding_evidence(f, n->fail_frame, n->fail_ts, "first message that did not decrypt");
    else if (c->n_sas)
        pd_finding_evidence(f, c->sas[0].first_frame, c->sas[0].first_ts, "IKE SA");
    pd_finding_commit(e, f);
}

/* Returns true when the decrypted contents explain the session. */
static bool detect_decrypted(pd_engine *e, ike_conv *c)
{
    if (!c->inner)
        return false;
    /* The gateway's refusal of the user comes first: the client's
     * AUTHENTICATION_FAILED that may follow it is its consequence. */
    if (detect_user_auth(e, c))
        return true;
    return detect_initiator_refusal(e, c);
}

/* Without keys: IKE_AUTH answered long enough for the responder's AUTH,
 * then the initiator closed the IKE SA at once with a short encrypted
 * INFORMATIONAL and never used a CHILD_SA. A response without room for
 * the SA and traffic selectors the request offered means the CHILD_SA was
 * refused inside it; a full-size one that the initiator closes at once
 * means the initiator refused the responder. */
#define IKE_CLOSE_SECONDS 2.0
#define IKE_SA_TS_BYTES 80 /* an SA with one proposal plus TSi and TSr, at least */
static bool detect_child_shape(pd_engine *e, ike_conv *c)
{
    if (c->version != 2 || c->esp_packets[0] + c->esp_packets[1])
        return false;
    const ike_xchg *auth = NULL, *info = NULL;
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        if (x->exch == PD_IKEV2_EXCH_IKE_AUTH && x->answered && x->sent && !x->resp_decrypted)
            auth = x;
        else if (x->exch == PD_IKEV2_EXCH_CREATE_CHILD_SA)
            return false;
        else if (auth && x->exch == PD_IKEV2_EXCH_INFORMATIONAL && x->from == auth->from &&
                 x->req_frame > auth->resp_frame && !info && !x->req_decrypted)
            info = x;
    }
    if (!auth || !info || auth->resp_len <= IKE_SHORT_AUTH_RESPONSE || auth->resp_ip_fragmented ||
        auth->req_skf_total || pd_seconds(auth->resp_ts, info->req_ts) > IKE_CLOSE_SECONDS)
        return false;
    bool small = auth->resp_len + IKE_SA_TS_BYTES <= auth->req_len;
    int init = auth->from;
    pd_finding *f = pd_finding_begin(small ? PD_SIG_IKE_CHILD_SA_REFUSED : PD_SIG_IKE_AUTH_FAILED,
                                     c->session);
    f->confidence = PD_CONF_MEDIUM;
    f->blame = PD_BLAME_CONFIGURATION;
    code_by_version(f, c, small ? 788 : 789, small ? 13868 : 13801);
    pd_session_set_state(c->session, small ? "child-sa-refused" : "auth-failed");
    if (small) {
        pd_finding_summary(f, "IKE_AUTH answered without room for a CHILD_SA (%zu bytes against "
                              "a %zu-byte request), no ESP, and the %s closed the IKE SA %.1f s "
                              "later: CHILD_SA refused",
                           auth->resp_len, auth->req_len, side(init),
                           pd_seconds(auth->resp_ts, info->req_ts));
        pd_finding_explain(
            f,
            "The %s's IKE_AUTH response is long enough for its identity and AUTH (the IKE SA "
            "came up) but at least %d bytes shorter than the request, which offered a CHILD_SA "
            "(SA and traffic selectors): a success would carry them back. No ESP followed and "
            "the %s deleted the IKE SA at once. That is the shape of a CHILD_SA refused inside "
            "IKE_AUTH (RFC 7296 1.2): TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN for the ESP "
            "proposals, or INTERNAL_ADDRESS_FAILURE.%s",
            side(!init), IKE_SA_TS_BYTES, side(init),
            c->keys_loaded ? " The key tables given do not decrypt it."
                           : " The notify is encrypted: with the IKE SA keys (--ike-keys, "
                             "Wireshark's IKEv2 decryption table) it is named for certain.");
        pd_finding_remedy(f, "Compare both sides' CHILD_SA settings: traffic selectors (local "
                             "and remote subnets), ESP proposals, address pool.");
    } else {
        pd_finding_summary(f, "IKE_AUTH answered in full (%zu bytes), but the %s closed the IKE "
                              "SA %.1f s later without using it: it refused the %s",
                           auth->resp_len, side(init), pd_seconds(auth->resp_ts, info->req_ts),
                           side(!init));
        pd_finding_explain(
            f,
            "The %s's IKE_AUTH response has the size of a success (identity, AUTH, SA, traffic "
            "selectors), yet the %s sent a short encrypted INFORMATIONAL right away and no ESP "
            "followed. An initiator that cannot accept the responder's identity or "
            "authentication says so this way (AUTHENTICATION_FAILED in a new INFORMATIONAL, RFC "
            "7296 2.21.2).%s",
            side(!init), side(init),
            c->keys_loaded ? " The key tables given do not decrypt it."
                           : " The notify is encrypted: with the IKE SA keys (--ike-keys) it is "
                             "named for certain.");
        auth_remedy(f, c);
    }
    evidence_request(f, c, auth);
    pd_finding_evidence(f, auth->resp_frame, auth->resp_ts, "IKE_AUTH response (%zu bytes)",
                        auth->resp_len);
    pd_finding_evidence(f, info->req_frame, info->req_ts, "%s's INFORMATIONAL right after",
                        side(init));
    pd_finding_commit(e, f);
    return true;
}

/* Returns true when a failure explains the session. */
static bool detect_failure(pd_engine *e, ike_pair *pair, ike_conv *c)
{
    pd_session *s = c->session;
    if (c->version == 2 && detect_invalid_ke(e, c))
        return true;

    /* Refusals in clear, or decrypted with the key tables. */
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        if (!x->expects_reply || !x->resp_error)
            continue;
        bool readable = !x->info_frame || !x->info_encrypted || x->info_decrypted;
        if (!readable || (!x->answered && !x->info_frame))
            continue;
        if (child_refusal(c, x)) {
            detect_child_refusal(e, c, x);
            return true;
        }
        if (x->resp_error == PD_IKE_N_NO_PROPOSAL_CHOSEN) {
            detect_no_proposal(e, pair, c, x);
            return true;
        }
        if (c->version == 1 && x->resp_error == PD_IKE_N_INVALID_ID_INFORMATION) {
            detect_identity_v1(e, c, x);
            return true;
        }
        if (is_auth_notify(c, x->resp_error)) {
            detect_auth_clear(e, c, x);
            return true;
        }
    }
    if (detect_decrypted(e, c))
        return true;

    /* The very first exchange, never answered at all. */
    const ike_xchg *first = first_initial(c);
    if (first && c->messages[!first->from] == 0 && clearly_unanswered(e, first)) {
        bool fragmented = first->req_ip_fragmented || c->frag_incomplete[first->from];
        if (fragmented)
            detect_fragments(e, c, first, first->from, NULL);
        else
            detect_no_response(e, c, first, true, NULL);
        return true;
    }

    /* A later exchange never answered. */
    for (size_t i = 0; i < c->n_xchg; i++) {
        const ike_xchg *x = &c->xchg[i];
        if (!clearly_unanswered(e, x))
            continue;
        const ike_xchg *prev = last_answered_before(c, x);
        if (x->req_ip_fragmented || c->frag_incomplete[x->from]) {
            detect_fragments(e, c, x, x->from, prev && !prev->resp_ip_fragmented ? prev : NULL);
            return true;
        }
        if (x->natt && nat_seen(c) && c->natt_msgs[!x->from] == 0) {
            detect_nat_t_blocked(e, c, x, prev);
            return true;
        }
        /* Only when #3/#4 were seen answered: a lone "#5" (junk, or a capture
         * begun mid-way) proves nothing about authentication. */
        if (c->version == 1 && x->exch == PD_IKEV1_EXCH_MAIN && x->v1_step == 5 && prev &&
            prev->exch == PD_IKEV1_EXCH_MAIN && prev->v1_step == 3) {
            pd_finding *f = pd_finding_begin(PD_SIG_IKE_AUTH_FAILED, s);
            auth_common(f, c);
            f->confidence = PD_CONF_MEDIUM;
            pd_finding_summary(f, "Main Mode #5 sent %u times, never answered, after #1-#4 "
                                  "worked: phase-1 authentication failing",
                               x->sent);
            pd_finding_explain(f, "Main mode #5 is the first encrypted message: the %s's identity "
                                  "and its proof. The %s answered #1-#4, so it is reachable, but "
                                  "not #5: a responder that cannot decrypt it (the pre-shared "
                                  "keys differ, so the derived keys do) discards it silently. A "
                                  "refused certificate or identity looks the same.%s",
                               side(x->from), side(!x->from), key_table_sentence(c));
            auth_remedy(f, c);
            if (prev)
                pd_finding_evidence(f, prev->resp_frame, prev->resp_ts, "Main Mode #4");
            evidence_request(f, c, x);
            annotate_request(c, x, "never answered (%u sent)", x->sent);
            pd_finding_commit(e, f);
            return true;
        }
        if (xchg_is_liveness(c, x)) {
            detect_dpd_v2(e, c, x);
            return true;
        }
        detect_no_response(e, c, x, false, prev);
        return true;
    }

    if (detect_auth_patterns(e, c))
        return true;
    if (detect_quick_refused(e, c))
        return true;
    if (detect_child_shape(e, c))
        return true;
    if (detect_config(e, c))
        return true;
    if (c->version == 1 && detect_dpd_v1(e, c))
        return true;

    /* Stalled after an answered exchange (seen from the responder's side). */
    if (!pd_session_reached(s, "ike-auth-done") && !pd_session_reached(s, "phase1-done")) {
        const ike_xchg *prev = last_answered_before(c, NULL);
        bool stall_point = prev && prev->sent &&
                           ((c->version == 2 && prev->exch == PD_IKEV2_EXCH_IKE_SA_INIT &&
                             prev->resp_has_sa) ||
                            (c->version == 1 && prev->exch == PD_IKEV1_EXCH_MAIN &&
                             (prev->v1_step == 1 || prev->v1_step == 3)));
        if (stall_point && !anything_after(c, prev->resp_frame) &&
            pd_seconds(prev->resp_ts, capture_end(e)) >= IKE_STALL_SECONDS) {
            const char *next = c->version == 2 ? "IKE_AUTH"
                               : prev->v1_step == 1 ? "Main Mode #3" : "Main Mode #5";
            if (c->frag_incomplete[prev->from]) {
                detect_fragments(e, c, NULL, prev->from, prev);
                return true;
            }
            if (nat_seen(c) && (c->version == 2 || prev->v1_step == 3)) {
                detect_nat_t_blocked(e, c, NULL, prev);
                return true;
            }
            detect_stalled(e, c, prev, next);
            return true;
        }
    }
    return false;
}

/* ---- ESP one way ---- */

static void detect_esp_one_way(pd_engine *e, ike_conv *c)
{
    pd_session *s = c->session;
    uint64_t *n = c->esp_packets;
    if (n[0] + n[1] == 0)
        return;
    int live = -1;
    bool never = false;
    if (n[0] == 0 || n[1] == 0) {
        live = n[0] ? IKE_C2S : IKE_S2C;
        never = true;
        if (n[live] < ESP_ONE_WAY_MIN_PACKETS ||
            pd_seconds(c->esp_first_ts[live], c->esp_last_ts[live]) < ESP_ONE_WAY_SECONDS)
            return;
    } else {
        /* One side kept sending (a run of packets, not one straggler)
         * long after the other's last packet. */
        for (int d = 0; d < 2; d++) {
            if (c->esp_run[d] >= ESP_ONE_WAY_MIN_PACKETS &&
                pd_seconds(c->esp_last_ts[!d], c->esp_last_ts[d]) >= ESP_ONE_WAY_SECONDS) {
                live = d;
                break;
            }
        }
        if (live < 0)
            return;
    }
    int dead = !live;
    pd_finding *f = pd_finding_begin(PD_SIG_ESP_ONE_WAY, s);
    f->blame = PD_BLAME_PATH;
    pd_session_set_state(s, "esp-one-way");
    double span = never ? pd_seconds(c->esp_first_ts[live], c->esp_last_ts[live])
                        : pd_seconds(c->esp_last_ts[dead], c->esp_last_ts[live]);
    if (never) {
        pd_finding_summary(f, "ESP only from the %s: %" G_GUINT64_FORMAT " packets over %.1f s, "
                              "none from the %s",
                           side(live), n[live], span, side(dead));
    } else {
        f->confidence = PD_CONF_MEDIUM;
        pd_finding_summary(f, "ESP from the %s stopped after %" G_GUINT64_FORMAT " packets; the "
                              "%s's kept flowing for %.1f s more",
                           side(dead), n[dead], side(live), span);
    }
    const char *where;
    if (at_side(c, live))
        where = "Nothing comes back to this capture point, which is at the sending side: either "
                "its ESP never reaches the peer (a firewall or NAT dropping IP protocol 50 or UDP "
                "4500 on the way), or the peer's ESP is lost on the way back, or the peer has no "
                "SA for it any more (rebooted, or deleted it without the sender noticing). A "
                "capture at the peer at the same time settles it.";
    else if (at_side(c, dead))
        where = "This capture is at the silent side: the peer's ESP arrives here, but nothing "
                "goes back: its SA is missing or broken (its SA list and log show it), or the "
                "traffic in the tunnel is one-way by nature.";
    else
        where = "Captures at both ends tell whether the silent side sends and where it is lost.";
    pd_finding_explain(
        f,
        "%sThe tunnel is up on the %s's side: it encrypts and sends. The other direction %s. "
        "This is the gateway's 'line polling failed' case: up on one side, broken on the other, "
        "so the side that still sends eventually declares its peer dead. %s",
        c->version ? "" : "No IKE for this ESP is in the capture (it was negotiated earlier). ",
        side(live), never ? "never carries anything" : "went silent", where);
    pd_finding_remedy(f, "Check that IP protocol 50 (or UDP 4500 with NAT-T) passes both ways "
                         "between the gateways, and compare both sides' SA lists (SPIs, "
                         "lifetimes): a side that lost its SA must renegotiate (DPD/restart).");
    pd_finding_evidence(f, c->esp_first_frame[live], c->esp_first_ts[live], "%s's first ESP",
                        side(live));
    if (!never)
        pd_finding_evidence(f, c->esp_last_frame[dead], c->esp_last_ts[dead], "%s's last ESP",
                            side(dead));
    pd_finding_evidence(f, c->esp_last_frame[live], c->esp_last_ts[live], "%s's ESP still flowing",
                        side(live));
    pd_finding_commit(e, f);
}

void pd_ike_detect(pd_engine *e, ike_pair *pair, ike_conv *c)
{
    if (c->version) {
        detect_nat(e, c);
        detect_policy(e, c);
        detect_failure(e, pair, c);
        detect_keys_not_applied(e, c);
    }
    detect_esp_one_way(e, c);
}
