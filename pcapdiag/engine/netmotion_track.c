/* netmotion_track.c - NetMotion Mobility conversations over UDP (server
 * port 5008 by default) and the two failures their addressing shows.
 *
 * There is no RFC: Mobility's protocol (IMP) is proprietary and encrypted,
 * and we have no Mobility software to capture. So the tracker reads no
 * payload byte at all; it recognises a conversation by the server port and
 * judges it by who answers whom, which is all the vendor's notes (seeds 000
 * and 001) let the wire show:
 *  - datagrams to the server port that nothing answers: the client's
 *    "timeout waiting to connect" family (codes 39, 14, 71) or, after
 *    answers stopped, the circuit timeout (6);
 *  - answers that come from an address the client never sent to: the
 *    server is reached through a NAT address and replies from its own,
 *    the addressing behind reason 94 (seed 001).
 *
 * A conversation is keyed by the client's address and port alone, so the
 * answers from a different server address still find it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "netmotion_track.h"

/* Answers that stop: this many client datagrams over this long after the
 * last answer, until the conversation ends. Mobility keeps its sessions
 * alive with its own traffic, so a live server is never silent that long
 * while the client talks. */
#define NM_STOPPED_MIN_DATAGRAMS 4
#define NM_STOPPED_MIN_SECONDS 10.0
/* A single unanswered datagram counts only if the capture went on this
 * long after it. */
#define NM_SINGLE_TAIL_SECONDS 3.0
/* Destination addresses remembered per conversation (a client may move to
 * another server of its pool). */
#define NM_MAX_DESTS 4

struct pd_netmotion_module {
    uint16_t port;
};

typedef struct nm_conv {
    pd_session *session;
    pd_addr client, server; /* server: the first address the client sent to */
    uint16_t client_port, server_port;
    pd_addr dests[NM_MAX_DESTS]; /* every address the client sent to */
    size_t n_dests;

    uint64_t to_server, answers, answers_other;
    uint64_t first_frame, last_frame; /* client datagrams */
    int64_t first_ts, last_ts;
    uint64_t first_answer_frame, last_answer_frame;
    int64_t first_answer_ts, last_answer_ts;
    /* Client datagrams since the last answer (all of them if none came). */
    uint64_t unanswered;
    uint64_t unanswered_first_frame;
    int64_t unanswered_first_ts;

    /* Answers from an address the client never sent to. */
    pd_addr other;
    uint64_t other_first_frame;
    int64_t other_first_ts;
    bool other_several; /* from more than one such address */

    /* ICMP errors about the conversation's datagrams. */
    uint64_t icmp_count, icmp_frame;
    int64_t icmp_ts;
    char icmp_what[96], icmp_from[48];

    size_t client_line; /* 1 + index of the last client ladder line, 0: none */
} nm_conv;

pd_netmotion_module *pd_netmotion_module_new(pd_engine *e)
{
    pd_netmotion_module *m = g_new0(pd_netmotion_module, 1);
    m->port = e->config.netmotion_port ? e->config.netmotion_port : PD_NETMOTION_DEFAULT_PORT;
    return m;
}

void pd_netmotion_module_free(pd_netmotion_module *m)
{
    g_free(m);
}

uint16_t pd_netmotion_port(const pd_engine *e)
{
    return e->netmotion ? e->netmotion->port : PD_NETMOTION_DEFAULT_PORT;
}

/* The key holds the client's side only; the server side is left zero. */
static void conv_key(pd_flow_key *k, const pd_addr *client, uint16_t client_port, uint16_t port)
{
    pd_addr none;
    memset(&none, 0, sizeof none);
    none.family = client->family;
    bool fwd;
    pd_flow_key_make(k, PD_FLOW_KIND_NETMOTION, 17, client, client_port, &none, port, &fwd);
}

static nm_conv *conv_find(pd_engine *e, const pd_addr *client, uint16_t client_port,
                          const pd_packet *p, pd_flow **flow_out)
{
    pd_flow_key k;
    conv_key(&k, client, client_port, e->netmotion->port);
    pd_flow *flow = pd_flow_lookup(e->flows, &k, false, NULL, p->frame, p->ts_ns);
    if (flow_out)
        *flow_out = flow;
    return flow ? flow->state : NULL;
}

static bool sent_to(const nm_conv *c, const pd_addr *a)
{
    for (size_t i = 0; i < c->n_dests; i++)
        if (pd_addr_equal(&c->dests[i], a))
            return true;
    return false;
}

static void add_dest(nm_conv *c, const pd_addr *a)
{
    if (!sent_to(c, a) && c->n_dests < NM_MAX_DESTS)
        c->dests[c->n_dests++] = *a;
}

static nm_conv *conv_new(pd_engine *e, const pd_packet *p, const pd_addr *client,
                         uint16_t client_port, const pd_addr *server, bool from_client)
{
    pd_flow_key k;
    bool created = false;
    conv_key(&k, client, client_port, e->netmotion->port);
    pd_flow *flow = pd_flow_lookup(e->flows, &k, true, &created, p->frame, p->ts_ns);
    if (!flow)
        return NULL;
    nm_conv *c = g_new0(nm_conv, 1);
    c->client = *client;
    c->server = *server;
    c->client_port = client_port;
    c->server_port = e->netmotion->port;
    if (from_client)
        add_dest(c, server);
    c->session = pd_session_open(e, PD_PROTO_NETMOTION, &c->client, c->client_port, &c->server,
                                 c->server_port, p->frame, p->ts_ns);
    flow->state = c;
    return c;
}

static void on_client_datagram(pd_engine *e, nm_conv *c, const pd_packet *p)
{
    pd_session *s = c->session;
    pd_session_packet(e, s, PD_DIR_TO_SERVER, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
    if (c->to_server++ == 0) {
        c->first_frame = p->frame;
        c->first_ts = p->ts_ns;
    }
    c->last_frame = p->frame;
    c->last_ts = p->ts_ns;
    if (c->unanswered++ == 0) {
        c->unanswered_first_frame = p->frame;
        c->unanswered_first_ts = p->ts_ns;
    }
    pd_ladder_entry *l;
    if (pd_addr_equal(&p->ip->dst, &c->server)) {
        l = pd_session_ladder(e, s, PD_DIR_TO_SERVER, p->frame, p->ts_ns,
                              "Mobility datagram to the server port");
    } else {
        /* The client moved on to another server address (failover,
         * redirection, roaming): still this client's conversation. */
        char to[48];
        pd_addr_str(&p->ip->dst, to, sizeof to);
        l = pd_session_ladder(e, s, PD_DIR_TO_SERVER, p->frame, p->ts_ns,
                              "Mobility datagram to %s (another server address)", to);
    }
    add_dest(c, &p->ip->dst);
    if (l)
        c->client_line = (size_t)(l - s->ladder) + 1;
}

static void on_server_datagram(pd_engine *e, nm_conv *c, const pd_packet *p)
{
    pd_session *s = c->session;
    pd_session_packet(e, s, PD_DIR_TO_CLIENT, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
    if (c->answers++ == 0) {
        c->first_answer_frame = p->frame;
        c->first_answer_ts = p->ts_ns;
    }
    c->last_answer_frame = p->frame;
    c->last_answer_ts = p->ts_ns;
    c->unanswered = 0;

    if (sent_to(c, &p->ip->src) || c->to_server == 0) {
        /* Without a client datagram yet (the capture began mid-way) the
         * answering address is the only server address known. */
        if (pd_addr_equal(&p->ip->src, &c->server)) {
            pd_session_ladder(e, s, PD_DIR_TO_CLIENT, p->frame, p->ts_ns,
                              "Mobility datagram from the server port");
        } else {
            char from[48];
            pd_addr_str(&p->ip->src, from, sizeof from);
            pd_session_ladder(e, s, PD_DIR_TO_CLIENT, p->frame, p->ts_ns,
                              "Mobility datagram from %s", from);
        }
        pd_session_reach(s, "server-answered", p->frame, p->ts_ns);
        return;
    }
    char from[48];
    pd_addr_str(&p->ip->src, from, sizeof from);
    pd_ladder_entry *l = pd_session_ladder(e, s, PD_DIR_TO_CLIENT, p->frame, p->ts_ns,
                                           "Mobility datagram from %s", from);
    if (pd_ladder_is_new(l))
        pd_ladder_annotate(l, "not an address the client sent to");
    if (c->answers_other++ == 0) {
        c->other = p->ip->src;
        c->other_first_frame = p->frame;
        c->other_first_ts = p->ts_ns;
    } else if (!pd_addr_equal(&c->other, &p->ip->src)) {
        c->other_several = true;
    }
}

void pd_netmotion_on_udp(pd_engine *e, const pd_packet *p, const pd_udp_header *udp)
{
    uint16_t port = e->netmotion->port;
    bool to_port = udp->dport == port, from_port = udp->sport == port;
    if (!to_port && !from_port)
        return;
    const pd_addr *src = &p->ip->src, *dst = &p->ip->dst;

    /* Which side is the client: the one not on the server port; with both
     * on it, whichever side a conversation already knows as client, else
     * the sender. */
    bool from_client = to_port && !from_port;
    nm_conv *c = NULL;
    if (to_port && from_port) {
        c = conv_find(e, src, udp->sport, p, NULL);
        from_client = c != NULL;
        if (!c) {
            c = conv_find(e, dst, udp->dport, p, NULL);
            from_client = c == NULL;
        }
    } else if (from_client) {
        c = conv_find(e, src, udp->sport, p, NULL);
    } else {
        c = conv_find(e, dst, udp->dport, p, NULL);
    }
    if (!c) {
        c = from_client ? conv_new(e, p, src, udp->sport, dst, true)
                        : conv_new(e, p, dst, udp->dport, src, false);
        if (!c)
            return;
    }
    if (from_client)
        on_client_datagram(e, c, p);
    else
        on_server_datagram(e, c, p);
}

void pd_netmotion_on_icmp(pd_engine *e, const pd_packet *p, const pd_icmp_error *icmp)
{
    const pd_ip *q = &icmp->quoted;
    if (q->proto != 17 || !icmp->quoted_ports || icmp->quoted_dport != e->netmotion->port)
        return; /* only errors about the client's datagrams to the server */
    nm_conv *c = conv_find(e, &q->src, icmp->quoted_sport, p, NULL);
    if (!c)
        return;
    pd_session_packet(e, c->session, PD_DIR_OTHER, p->l4_wire_len, 0, p->frame, p->ts_ns);
    char from[48];
    pd_addr_str(&p->ip->src, from, sizeof from);
    pd_ladder_entry *l = pd_session_ladder(e, c->session, PD_DIR_OTHER, p->frame, p->ts_ns,
                                           "ICMP%s %s from %s", icmp->version == 6 ? "v6" : "",
                                           pd_icmp_error_name(icmp), from);
    if (pd_ladder_is_new(l)) {
        pd_ladder_attr_num(l, "icmp_type", icmp->type);
        pd_ladder_attr_num(l, "icmp_code", icmp->code);
    }
    if (!icmp->unreachable)
        return;
    if (c->icmp_count++ == 0) {
        c->icmp_frame = p->frame;
        c->icmp_ts = p->ts_ns;
        g_strlcpy(c->icmp_what, pd_icmp_error_name(icmp), sizeof c->icmp_what);
        g_strlcpy(c->icmp_from, from, sizeof c->icmp_from);
    }
}

/* ---- judging a conversation ---- */

static const char *vantage_sentence(pd_vantage v)
{
    switch (v) {
    case PD_VANTAGE_CLIENT:
        return "This capture is at the client: it cannot tell where the datagrams were lost. A "
               "capture at the server settles it.";
    case PD_VANTAGE_SERVER:
        return "This capture is at the server and the datagrams arrive here unanswered: the "
               "server host (its firewall or the Mobility service) does not answer.";
    default:
        return "A capture at the server settles whether the datagrams arrive there.";
    }
}

static void annotate_client_line(nm_conv *c, const char *text)
{
    pd_session *s = c->session;
    if (c->client_line && c->client_line <= s->n_ladder)
        pd_ladder_annotate(&s->ladder[c->client_line - 1], "%s", text);
}

static void detect_never_answered(pd_engine *e, nm_conv *c)
{
    pd_session *s = c->session;
    char srv[48];
    pd_addr_str(&c->server, srv, sizeof srv);
    double span = pd_seconds(c->first_ts, c->last_ts);
    double tail = pd_seconds(c->last_ts, e->stats.last_ts_ns);
    if (c->to_server < 2 && tail < NM_SINGLE_TAIL_SECONDS && !c->icmp_count)
        return; /* one datagram and the capture stops: too early to say */

    pd_finding *f = pd_finding_begin(PD_SIG_NETMOTION_NO_ANSWER, s);
    pd_session_set_state(s, "no-answer");
    annotate_client_line(c, "none answered");
    if (c->icmp_count) {
        pd_finding_summary(f, "Datagrams to %s UDP %u answered only by ICMP %s from %s", srv,
                           c->server_port, c->icmp_what, c->icmp_from);
        pd_finding_explain(f, "The client sent NetMotion Mobility datagrams to the server port "
                              "and the only answer was an ICMP error (%" G_GUINT64_FORMAT " of "
                              "them). From the server's own address, \"port unreachable\" means "
                              "nothing listens on UDP %u there; from another address, a router "
                              "or firewall on the path refuses to forward. The Mobility client "
                              "ends such attempts with a timeout waiting to connect. pcapdiag "
                              "recognises Mobility by its port only; it does not read the "
                              "protocol.",
                           c->icmp_count, c->server_port);
        f->blame = strcmp(c->icmp_from, srv) == 0 ? PD_BLAME_SERVER : PD_BLAME_MIDDLEBOX;
    } else {
        if (c->to_server >= 2)
            pd_finding_summary(f, "%" G_GUINT64_FORMAT " datagrams to %s UDP %u over %.1f s, "
                                  "none answered",
                               c->to_server, srv, c->server_port, span);
        else
            pd_finding_summary(f, "A datagram to %s UDP %u never answered (sent once; the "
                                  "capture goes on %.1f s)",
                               srv, c->server_port, tail);
        f->confidence = c->to_server >= 3 ? PD_CONF_HIGH
                        : c->to_server == 2 ? PD_CONF_MEDIUM
                                            : PD_CONF_LOW;
        pd_vantage v = pd_session_vantage(s);
        pd_finding_explain(f, "The client sent NetMotion Mobility datagrams to the server port "
                              "and nothing came back from any address: no answer, no ICMP "
                              "error. The Mobility client reports this as a timeout waiting to "
                              "connect (NetMotion 39), or a timed-out device-identifier request "
                              "(14); a server that is offline gives the same picture (71). "
                              "pcapdiag recognises Mobility by its port only; it does not read "
                              "the protocol. %s",
                           vantage_sentence(v));
        f->blame = v == PD_VANTAGE_SERVER ? PD_BLAME_SERVER : PD_BLAME_UNKNOWN;
    }
    pd_finding_remedy(f, "Check the server address the client is configured with, that the "
                         "Mobility server runs and listens on UDP %u, and that firewalls on both "
                         "networks pass it.",
                      c->server_port);
    pd_finding_evidence(f, c->first_frame, c->first_ts, "first datagram to the server port");
    if (c->last_frame != c->first_frame)
        pd_finding_evidence(f, c->last_frame, c->last_ts, "last one (%" G_GUINT64_FORMAT
                            " in all)", c->to_server);
    if (c->icmp_count)
        pd_finding_evidence(f, c->icmp_frame, c->icmp_ts, "ICMP %s", c->icmp_what);
    pd_finding_commit(e, f);
}

static void detect_stopped(pd_engine *e, nm_conv *c)
{
    pd_session *s = c->session;
    double quiet = pd_seconds(c->unanswered_first_ts, c->last_ts);
    if (c->unanswered < NM_STOPPED_MIN_DATAGRAMS || quiet < NM_STOPPED_MIN_SECONDS)
        return;
    char srv[48];
    pd_addr_str(&c->server, srv, sizeof srv);
    pd_finding *f = pd_finding_begin(PD_SIG_NETMOTION_NO_ANSWER, s);
    f->confidence = PD_CONF_MEDIUM;
    pd_session_set_state(s, "stopped-answering");
    annotate_client_line(c, "answers stopped");
    pd_finding_summary(f, "The NetMotion server stopped answering: %" G_GUINT64_FORMAT " client "
                          "datagrams over %.1f s after its last answer (frame %" G_GUINT64_FORMAT
                          ")",
                       c->unanswered, quiet, c->last_answer_frame);
    pd_finding_explain(f, "%s answered the client on UDP %u, then fell silent while the client "
                          "kept sending. The Mobility client reports a circuit timeout "
                          "(NetMotion 6) when its protocol's timers run out like this; a server "
                          "taken down gives the same picture. Typical causes are a path that "
                          "broke (radio coverage, a NAT or firewall that dropped the UDP "
                          "mapping) or the server going away. %s",
                       srv, c->server_port, vantage_sentence(pd_session_vantage(s)));
    f->blame = PD_BLAME_UNKNOWN;
    pd_finding_remedy(f, "Check the path between client and server around the time the answers "
                         "stopped: UDP timeouts of NAT devices and firewalls, radio coverage, "
                         "and the server's state and event log.");
    pd_finding_evidence(f, c->last_answer_frame, c->last_answer_ts, "last answer from the server");
    pd_finding_evidence(f, c->unanswered_first_frame, c->unanswered_first_ts,
                        "first client datagram left unanswered");
    pd_finding_evidence(f, c->last_frame, c->last_ts, "last client datagram");
    pd_finding_commit(e, f);
}

static void detect_address_mismatch(pd_engine *e, nm_conv *c)
{
    pd_session *s = c->session;
    char srv[48], other[48];
    pd_addr_str(&c->server, srv, sizeof srv);
    pd_addr_str(&c->other, other, sizeof other);
    uint64_t from_server = c->answers - c->answers_other;
    pd_finding *f = pd_finding_begin(PD_SIG_NETMOTION_ADDRESS_MISMATCH, s);
    pd_session_set_state(s, "address-mismatch");
    pd_session_attr_str(s, "answering_address", other);
    pd_finding_summary(f, "The client sends to %s UDP %u; the answers come from %s%s", srv,
                       c->server_port, other, c->other_several ? " and other addresses" : "");
    pd_finding_explain(
        f,
        "%" G_GUINT64_FORMAT " answers came from %s, an address the client never sent to, and "
        "%" G_GUINT64_FORMAT " from %s itself. The client addresses the Mobility server by one "
        "address (typically a NAT or firewall address) and the server answers from another "
        "(its own): the translation is not undone on the way back. Answers from an address "
        "the client did not contact do not belong to its conversation. This is the addressing "
        "behind NetMotion reason 94: the server address the client uses is not one the server "
        "knows as its own (its External Server Addresses list). pcapdiag recognises Mobility "
        "by its port and addresses only.",
        c->answers_other, other, from_server, srv);
    f->blame = PD_BLAME_CONFIGURATION;
    f->confidence = from_server == 0 ? PD_CONF_HIGH : PD_CONF_MEDIUM;
    pd_finding_remedy(f, "If %s is a NAT address of this server, add it to the server's "
                         "External Server Addresses (Mobility console, Server Settings; "
                         "Alternate Server Addresses up to 6.01), and make the NAT translate "
                         "the server's replies back to %s. Never list the server's own "
                         "interface addresses there.",
                      srv, srv);
    pd_finding_evidence(f, c->first_frame, c->first_ts, "client's datagram to %s", srv);
    pd_finding_evidence(f, c->other_first_frame, c->other_first_ts, "answer from %s", other);
    pd_finding_commit(e, f);
}

static void conv_close(pd_engine *e, nm_conv *c)
{
    pd_session *s = c->session;
    pd_session_attr_num(s, "datagrams_to_server", (int64_t)c->to_server);
    pd_session_attr_num(s, "answers", (int64_t)c->answers);
    if (c->answers_other)
        pd_session_attr_num(s, "answers_from_other_address", (int64_t)c->answers_other);
    if (c->n_dests > 1)
        pd_session_attr_num(s, "server_addresses_used", (int64_t)c->n_dests);

    if (c->to_server == 0)
        return; /* only the server's side seen: nothing to judge */
    if (c->answers_other)
        detect_address_mismatch(e, c);
    else if (c->answers == 0)
        detect_never_answered(e, c);
    else
        detect_stopped(e, c);
}

void pd_netmotion_flow_closed(pd_engine *e, pd_flow *flow, pd_flow_close_reason why)
{
    nm_conv *c = flow->state;
    if (!c || flow->key.kind != PD_FLOW_KIND_NETMOTION)
        return;
    conv_close(e, c);
    pd_session_release(e, c->session); /* judged: streaming front ends may have it */
    g_free(c);
    flow->state = NULL;
}
