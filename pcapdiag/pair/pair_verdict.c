/* pair_verdict.c - the paired verdict. Each single-capture finding of a
 * paired session is refined by what the path provably did: a loss the
 * single capture could only infer becomes certain and is blamed on the
 * path (or on the router that answered with an ICMP error); a "loss" that
 * was really damage (the receiving PPP stack silently discards mangled
 * frames, RFC 1661 section 5) becomes the mangling it was, with the field
 * named; a suspicion of the path that the second capture clears moves to
 * the endpoint. Then the findings only pairing can give: path.loss,
 * path.fragments_dropped, path.mangled, path.nat.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "pair_internal.h"
#include "pair_verdict.h"

#define MAX_EVIDENCE 10

void pd_pair_finding_clear(pd_pair_finding *f)
{
    if (!f)
        return;
    g_free(f->windows_errors);
    g_free(f->summary);
    g_free(f->explanation);
    g_free(f->remediation);
    for (size_t i = 0; i < f->n_evidence; i++)
        g_free(f->evidence[i].note);
    g_free(f->evidence);
    g_free(f->display_filter[0]);
    g_free(f->display_filter[1]);
    g_free(f->single);
    memset(f, 0, sizeof *f);
}

static const char *dir_text(int d)
{
    return d == PD_DIR_TO_SERVER ? "client->server" : "server->client";
}

static const char *receiver_text(int d)
{
    return d == PD_DIR_TO_SERVER ? "server" : "client";
}

static const char *sender_text(int d)
{
    return d == PD_DIR_TO_SERVER ? "client" : "server";
}

/* "GRE", "TCP", "UDP 4500", "IP fragment": a static string per kind (the
 * kind tables compare the pointers). */
static const char *label_of(const pd_pair_packet *p)
{
    if (p->fragment)
        return "IP fragment";
    switch (p->ip_proto) {
    case 6: return "TCP";
    case 17:
        switch (p->server_port) {
        case 500: return "UDP 500";
        case 4500: return "UDP 4500";
        case 1701: return "UDP 1701";
        default: return "UDP";
        }
    case 47: return "GRE";
    case 50: return "ESP";
    case 1:
    case 58: return "ICMP";
    default: return "IP";
    }
}

static const char *protocol_title(pd_protocol p)
{
    switch (p) {
    case PD_PROTO_PPTP: return "PPTP";
    case PD_PROTO_L2TP: return "L2TP";
    case PD_PROTO_IKEV1: return "IKEv1";
    case PD_PROTO_IKEV2: return "IKEv2";
    case PD_PROTO_ESP: return "ESP";
    case PD_PROTO_NETMOTION: return "NetMotion";
    case PD_PROTO_L2TP_IPSEC: return "L2TP/IPsec";
    case PD_PROTO__COUNT: break;
    }
    return "VPN";
}

/* ---- building findings ------------------------------------------------------------ */

typedef struct builder {
    pd_pair_finding f;
    GArray *ev;    /* pd_pair_evidence */
    GArray *codes; /* int */
} builder;

static void b_init(builder *b, pd_sig_id sig, uint32_t session)
{
    memset(b, 0, sizeof *b);
    b->f.signature = pd_signature_get(sig);
    b->f.severity = b->f.signature->severity;
    b->f.confidence = PD_CONF_HIGH;
    b->f.session = session;
    b->f.blame = PD_BLAME_UNKNOWN;
    b->ev = g_array_new(FALSE, TRUE, sizeof(pd_pair_evidence));
    b->codes = g_array_new(FALSE, FALSE, sizeof(int));
}

static void b_evidence(builder *b, pd_pair_role cap, uint64_t frame, int64_t ts, char *note)
{
    if (!frame || b->ev->len >= MAX_EVIDENCE) {
        g_free(note);
        return;
    }
    for (guint i = 0; i < b->ev->len; i++) {
        pd_pair_evidence *e = &g_array_index(b->ev, pd_pair_evidence, i);
        if (e->capture == cap && e->frame == frame) {
            g_free(note);
            return;
        }
    }
    pd_pair_evidence e = { cap, frame, ts, note };
    g_array_append_val(b->ev, e);
}

static void b_code(builder *b, int code)
{
    for (guint i = 0; i < b->codes->len; i++)
        if (g_array_index(b->codes, int, i) == code)
            return;
    g_array_append_val(b->codes, code);
}

static int int_cmp(const void *x, const void *y)
{
    int p = *(const int *)x, q = *(const int *)y;
    return p < q ? -1 : p > q;
}

static int evidence_cmp(const void *x, const void *y)
{
    const pd_pair_evidence *p = x, *q = y;
    if (p->capture != q->capture)
        return p->capture < q->capture ? -1 : 1;
    return p->frame < q->frame ? -1 : p->frame > q->frame;
}

static void b_finish(builder *b, GArray *out)
{
    pd_pair_sort(b->codes->data, b->codes->len, sizeof(int), int_cmp);
    b->f.n_windows_errors = b->codes->len;
    b->f.windows_errors = (int *)(void *)g_array_free(b->codes, FALSE);
    pd_pair_sort(b->ev->data, b->ev->len, sizeof(pd_pair_evidence), evidence_cmp);
    b->f.n_evidence = b->ev->len;
    b->f.evidence = (pd_pair_evidence *)(void *)g_array_free(b->ev, FALSE);
    for (int cap = 0; cap < 2; cap++) {
        GString *s = NULL;
        for (size_t i = 0; i < b->f.n_evidence; i++) {
            if ((int)b->f.evidence[i].capture != cap)
                continue;
            if (!s)
                s = g_string_new("frame.number in {");
            else
                g_string_append_c(s, ' ');
            g_string_append_printf(s, "%" G_GUINT64_FORMAT, b->f.evidence[i].frame);
        }
        if (s) {
            g_string_append_c(s, '}');
            b->f.display_filter[cap] = g_string_free(s, FALSE);
        }
    }
    g_array_append_val(out, b->f);
}

/* ---- what the path did in one paired session ----------------------------------------- */

typedef struct facts {
    const pd_pair_session *ps;
    uint64_t lost[2];           /* not counting fragments after the first */
    uint64_t lost_in_window[2]; /* of those, while the receiver's capture ran */
    uint64_t sent[2];           /* not counting fragments after the first */
    bool frag_drop[2];          /* later fragments lost while first ones arrived */
    const pd_pair_packet *path_icmp; /* an ICMP error from the path */
    bool any_loss, any_mangle;
} facts;

static void gather(const pd_pair_session *ps, facts *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->ps = ps;
    uint64_t first_frag_arrived[2] = { 0, 0 };
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if (p->fate == PD_PAIR_PATH) {
            if (!fx->path_icmp && (p->ip_proto == 1 || p->ip_proto == 58))
                fx->path_icmp = p;
            continue;
        }
        if (p->dir == PD_DIR_OTHER || p->fate == PD_PAIR_UNSENT || p->fate == PD_PAIR_OFF_PATH)
            continue;
        if (p->fragment && !p->later_fragment && p->fate != PD_PAIR_LOST)
            first_frag_arrived[p->dir]++;
        if (p->later_fragment)
            continue;
        fx->sent[p->dir]++;
        if (p->fate == PD_PAIR_LOST) {
            fx->lost[p->dir]++;
            if (!p->outside_window)
                fx->lost_in_window[p->dir]++;
        }
    }
    for (int d = 0; d < 2; d++) {
        fx->frag_drop[d] = ps->dirs[d].later_fragments_lost > 0 && first_frag_arrived[d] > 0;
        if (fx->lost[d] || fx->frag_drop[d])
            fx->any_loss = true;
        if (ps->dirs[d].modified)
            fx->any_mangle = true;
    }
}

/* Per kind of packet (GRE, TCP, UDP, ...) in one direction. */
typedef struct kind_stat {
    const char *label;
    uint64_t sent, lost, arrived;
    const pd_pair_packet *first_lost;
    bool arrived_after_loss; /* not a clean cut */
    bool lost_alike;         /* every lost one describes alike (a content filter?) */
} kind_stat;

#define MAX_KINDS 8

static size_t kind_stats(const pd_pair_session *ps, int d, kind_stat *ks)
{
    size_t n = 0;
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir != d || p->later_fragment || p->fate == PD_PAIR_UNSENT || p->fate == PD_PAIR_PATH ||
            p->fate == PD_PAIR_OFF_PATH)
            continue;
        const char *l = label_of(p);
        size_t k;
        for (k = 0; k < n; k++)
            if (ks[k].label == l)
                break;
        if (k == n) {
            if (n == MAX_KINDS)
                continue;
            memset(&ks[n], 0, sizeof ks[n]);
            ks[n].label = l;
            n++;
        }
        ks[k].sent++;
        if (p->fate == PD_PAIR_LOST) {
            ks[k].lost++;
            if (!ks[k].first_lost) {
                ks[k].first_lost = p;
                ks[k].lost_alike = true;
            } else if (g_strcmp0(ks[k].first_lost->text, p->text) != 0) {
                ks[k].lost_alike = false;
            }
        } else {
            ks[k].arrived++;
            if (ks[k].first_lost)
                ks[k].arrived_after_loss = true;
        }
    }
    return n;
}

/* "dropped in transit server->client: all 17 GRE packets lost (all 8 TCP
 * packets arrived)", or a cut: "GRE: the first 12 arrived, then all 9 from
 * server frame 30 on were lost". */
static char *loss_phrase(const facts *fx, int d)
{
    kind_stat ks[MAX_KINDS];
    size_t n = kind_stats(fx->ps, d, ks);
    int fcap = d == PD_DIR_TO_SERVER ? 0 : 1;
    GString *lost = g_string_new(NULL), *fine = g_string_new(NULL);
    for (size_t k = 0; k < n; k++) {
        const kind_stat *x = &ks[k];
        if (!x->lost) {
            if (x->arrived == 1)
                g_string_append_printf(fine, "%sthe only %s packet arrived", fine->len ? ", " : "", x->label);
            else
                g_string_append_printf(fine, "%sall %" G_GUINT64_FORMAT " %s packets arrived", fine->len ? ", " : "",
                                       x->arrived, x->label);
            continue;
        }
        if (lost->len)
            g_string_append(lost, ", ");
        if (x->lost == 1 && x->sent == 1)
            g_string_append_printf(lost, "the only %s packet lost", x->label);
        else if (x->lost == x->sent)
            g_string_append_printf(lost, "all %" G_GUINT64_FORMAT " %s packets lost", x->lost, x->label);
        else if (!x->arrived_after_loss)
            g_string_append_printf(lost, "%s: the first %" G_GUINT64_FORMAT " arrived, then all %" G_GUINT64_FORMAT
                                         " from %s frame %" G_GUINT64_FORMAT " on were lost",
                                   x->label, x->arrived, x->lost, sender_text(d), x->first_lost->frame[fcap]);
        else if (x->lost > 1 && x->lost_alike)
            /* Only one kind of message lost while its neighbours pass: a
             * filter that matches content. */
            g_string_append_printf(lost, "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                         " %s packets lost, every one of them %s",
                                   x->lost, x->sent, x->label, x->first_lost->text);
        else
            g_string_append_printf(lost, "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " %s packets lost", x->lost,
                                   x->sent, x->label);
    }
    char *s = fine->len ? g_strdup_printf("dropped in transit %s: %s (%s)", dir_text(d), lost->str, fine->str)
                        : g_strdup_printf("dropped in transit %s: %s", dir_text(d), lost->str);
    g_string_free(lost, TRUE);
    g_string_free(fine, TRUE);
    return s;
}

static char *frag_phrase(const facts *fx, int d)
{
    const pd_pair_dir_stats *st = &fx->ps->dirs[d];
    uint64_t firsts = st->fragments_sent - st->later_fragments_sent;
    uint64_t firsts_lost = st->fragments_lost - st->later_fragments_lost;
    return g_strdup_printf("IP fragments after the first never arrived %s: %" G_GUINT64_FORMAT
                           " of %" G_GUINT64_FORMAT " later fragments lost, %" G_GUINT64_FORMAT
                           " of %" G_GUINT64_FORMAT " first fragments arrived",
                           dir_text(d), st->later_fragments_lost, st->later_fragments_sent,
                           firsts - firsts_lost, firsts);
}

/* The most frequent mangled field of a direction, with its first values. */
typedef struct mangle {
    const char *label; /* the kind of packet carrying the field */
    const char *field;
    const char *before, *after;
    uint64_t count;   /* packets with this field changed */
    size_t n_fields;  /* distinct mangled fields */
} mangle;

static mangle tally_mangles(const pd_pair_session *ps, int d)
{
    mangle best = { NULL, NULL, NULL, NULL, 0, 0 };
    GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir != d || p->fate != PD_PAIR_MODIFIED)
            continue;
        for (size_t k = 0; k < p->n_changes; k++) {
            const pd_pair_change *c = &p->changes[k];
            if (c->kind != PD_PAIR_CHANGE_MANGLED)
                continue;
            uint64_t n = GPOINTER_TO_SIZE(g_hash_table_lookup(t, c->field)) + 1;
            g_hash_table_insert(t, c->field, GSIZE_TO_POINTER(n));
            if (n > best.count) {
                best.count = n;
                best.field = c->field;
                if (n == 1 || !best.before) {
                    best.before = c->before;
                    best.after = c->after;
                }
            }
        }
    }
    /* The first values seen for the winning field. */
    for (size_t i = 0; best.field && i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir != d || p->fate != PD_PAIR_MODIFIED)
            continue;
        bool found = false;
        for (size_t k = 0; k < p->n_changes && !found; k++)
            if (p->changes[k].kind == PD_PAIR_CHANGE_MANGLED && strcmp(p->changes[k].field, best.field) == 0) {
                best.label = label_of(p);
                best.before = p->changes[k].before;
                best.after = p->changes[k].after;
                found = true;
            }
        if (found)
            break;
    }
    best.n_fields = g_hash_table_size(t);
    g_hash_table_destroy(t);
    return best;
}

static char *mangle_phrase(const pd_pair_session *ps, int d)
{
    mangle m = tally_mangles(ps, d);
    const pd_pair_dir_stats *st = &ps->dirs[d];
    if (!m.field)
        return g_strdup_printf("arrived modified %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
                               dir_text(d), st->modified, st->arrived);
    uint64_t of = 0;
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir == d && (p->fate == PD_PAIR_ARRIVED || p->fate == PD_PAIR_MODIFIED) &&
            label_of(p) == m.label)
            of++;
    }
    char *more = m.n_fields > 1 ? g_strdup_printf(" (and %zu other field%s)", m.n_fields - 1,
                                                  m.n_fields > 2 ? "s" : "")
                                : g_strdup("");
    char *s = g_strdup_printf("bytes changed in transit %s: %s %s -> %s on %" G_GUINT64_FORMAT
                              " of %" G_GUINT64_FORMAT " %s packets%s",
                              dir_text(d), m.field, m.before, m.after, m.count, of, m.label, more);
    g_free(more);
    return s;
}

static bool is_ppp_protocol(pd_protocol p)
{
    return p == PD_PROTO_PPTP || p == PD_PROTO_L2TP;
}

/* Signatures whose single-capture reading is "packets went unanswered or
 * missing": the ones pairing proves or clears. */
static bool is_loss_signature(pd_sig_id s)
{
    switch (s) {
    case PD_SIG_PPTP_NO_ANSWER:
    case PD_SIG_PPTP_ICMP_UNREACHABLE:
    case PD_SIG_PPTP_GRE_BLOCKED:
    case PD_SIG_PPTP_GRE_CUT_MIDWAY:
    case PD_SIG_PPP_LCP_UNANSWERED:
    case PD_SIG_L2TP_NO_ANSWER:
    case PD_SIG_L2TP_CLEAR_WITHOUT_IPSEC:
    case PD_SIG_IKE_NO_RESPONSE:
    case PD_SIG_IKE_NAT_T_BLOCKED:
    case PD_SIG_IKE_FRAGMENTS_LOST:
    case PD_SIG_IKE_DPD_TIMEOUT:
    case PD_SIG_ESP_ONE_WAY:
    case PD_SIG_NETMOTION_NO_ANSWER:
        return true;
    default:
        return false;
    }
}

static void first_rows_evidence(builder *b, const pd_pair_session *ps, int d, pd_pair_fate fate,
                                bool later_fragments, size_t max)
{
    size_t n = 0;
    const pd_pair_packet *last = NULL;
    size_t total = 0;
    for (size_t i = 0; i < ps->n_packets; i++) {
        const pd_pair_packet *p = &ps->packets[i];
        if ((int)p->dir != d || p->fate != fate || p->later_fragment != later_fragments)
            continue;
        total++;
        last = p;
        if (n >= max)
            continue;
        n++;
        int scap = d == PD_DIR_TO_SERVER ? 0 : 1;
        if (fate == PD_PAIR_LOST) {
            b_evidence(b, scap, p->frame[scap], p->ts_ns[scap],
                       g_strdup_printf("%s's %s, never in the %s capture", sender_text(d), p->text,
                                       receiver_text(d)));
        } else {
            const pd_pair_change *c = NULL;
            for (size_t k = 0; k < p->n_changes && !c; k++)
                if (p->changes[k].kind == PD_PAIR_CHANGE_MANGLED)
                    c = &p->changes[k];
            b_evidence(b, scap, p->frame[scap], p->ts_ns[scap],
                       c ? g_strdup_printf("%s sent %s with %s %s", sender_text(d), p->text, c->field, c->before)
                         : g_strdup_printf("%s sent %s", sender_text(d), p->text));
            if (c)
                b_evidence(b, !scap, p->frame[!scap], p->ts_ns[!scap],
                           g_strdup_printf("arrived with %s %s (sent as %s)", c->field, c->after, c->before));
        }
    }
    if (last && total > max) {
        int scap = d == PD_DIR_TO_SERVER ? 0 : 1;
        b_evidence(b, scap, last->frame[scap], last->ts_ns[scap],
                   g_strdup_printf("the last of them (%zu in all)", total));
    }
}

static void path_icmp_evidence(builder *b, const facts *fx)
{
    const pd_pair_packet *p = fx->path_icmp;
    if (!p)
        return;
    int cap = p->frame[0] ? 0 : 1;
    b_evidence(b, cap, p->frame[cap], p->ts_ns[cap],
               g_strdup_printf("%s from the path, not from an endpoint", p->text));
}

/* ---- single-capture findings, refined ---------------------------------------------- */

static char *single_text(const pd_finding *f, pd_pair_role side)
{
    return g_strdup_printf("%s capture: %s (confidence %s, blame %s)", pd_pair_role_name(side),
                           f->signature->id, pd_confidence_name(f->confidence), pd_blame_name(f->blame));
}

static void copy_single(builder *b, const pd_finding *f, pd_pair_role side, uint32_t session)
{
    b_init(b, f->signature->sig, session);
    b->f.severity = f->severity;
    b->f.confidence = f->confidence;
    b->f.blame = f->blame;
    b->f.summary = g_strdup(f->summary ? f->summary : "");
    b->f.explanation = g_strdup(f->explanation ? f->explanation : "");
    b->f.remediation = f->remediation ? g_strdup(f->remediation) : NULL;
    b->f.single = single_text(f, side);
    for (size_t i = 0; i < f->n_windows_errors; i++)
        b_code(b, f->windows_errors[i]);
    for (size_t i = 0; i < f->n_evidence; i++)
        b_evidence(b, side, f->evidence[i].frame, f->evidence[i].ts_ns,
                   g_strdup(f->evidence[i].note ? f->evidence[i].note : ""));
}

static void append_text(char **s, const char *sep, const char *more)
{
    char *n = g_strconcat(*s ? *s : "", *s && **s ? sep : "", more, NULL);
    g_free(*s);
    *s = n;
}

/* Returns true when the path's losses explain this finding. */
static bool refine(builder *b, const pd_finding *f, pd_pair_role side, const facts *fx)
{
    const pd_pair_session *ps = fx->ps;
    pd_sig_id sig = f->signature->sig;
    const char *other = side == PD_PAIR_CLIENT ? "server" : "client";
    bool both = ps->side[0] && ps->side[1];

    const pd_pair_dir_stats *cs = &ps->dirs[PD_DIR_TO_SERVER], *sc = &ps->dirs[PD_DIR_TO_CLIENT];
    if (is_loss_signature(sig) && both && cs->arrived && !sc->sent) {
        /* Requests reached the server and it sent nothing back at all:
         * whatever else the path lost, the silence is the server's. */
        char *add = cs->lost ? g_strdup_printf("paired with the %s capture: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                               " packets to the server arrived (%" G_GUINT64_FORMAT
                                               " lost on the way) and the server never answered any",
                                               other, cs->arrived, cs->sent, cs->lost)
                             : g_strdup_printf("paired with the %s capture: all %" G_GUINT64_FORMAT
                                               " packets to the server arrived intact and the server never "
                                               "answered: not the path",
                                               other, cs->sent);
        append_text(&b->f.summary, "; ", add);
        g_free(add);
        append_text(&b->f.explanation, "\n\n",
                    "Paired captures: the server's capture shows the requests arriving, unchanged, and "
                    "nothing sent back. The server (its own firewall, a service not listening, a policy) "
                    "ignores them; the path is not why they go unanswered.");
        b->f.blame = PD_BLAME_SERVER;
        b->f.confidence = PD_CONF_HIGH;
        b->f.refined = true;
        for (size_t i = 0; i < ps->n_packets; i++) {
            const pd_pair_packet *p = &ps->packets[i];
            if (p->dir == PD_DIR_TO_SERVER && p->fate == PD_PAIR_ARRIVED) {
                b_evidence(b, PD_PAIR_SERVER, p->frame[1], p->ts_ns[1],
                           g_strdup_printf("the client's %s arrived at the server", p->text));
                break;
            }
        }
        return false;
    }

    if (is_loss_signature(sig) && fx->any_loss) {
        GString *ph = g_string_new(NULL);
        bool in_window = false;
        for (int d = 0; d < 2; d++) {
            if (fx->lost[d]) {
                char *p = loss_phrase(fx, d);
                g_string_append_printf(ph, "%s%s", ph->len ? "; " : "", p);
                g_free(p);
                in_window |= fx->lost_in_window[d] > 0;
                first_rows_evidence(b, ps, d, PD_PAIR_LOST, false, 2);
            }
            if (fx->frag_drop[d]) {
                char *p = frag_phrase(fx, d);
                g_string_append_printf(ph, "%s%s", ph->len ? "; " : "", p);
                g_free(p);
                in_window = true;
                first_rows_evidence(b, ps, d, PD_PAIR_LOST, true, 2);
            }
        }
        char *add = g_strdup_printf("paired with the %s capture: %s", other, ph->str);
        append_text(&b->f.summary, "; ", add);
        g_free(add);
        char *expl = g_strdup_printf(
            "Paired captures: %s. The packets left one capture point and never reached the other, "
            "so they were lost on the path between the two, not ignored by an endpoint.",
            ph->str);
        append_text(&b->f.explanation, "\n\n", expl);
        g_free(expl);
        g_string_free(ph, TRUE);
        b->f.confidence = in_window ? PD_CONF_HIGH : MAX(b->f.confidence, PD_CONF_MEDIUM);
        if (fx->path_icmp) {
            b->f.blame = PD_BLAME_MIDDLEBOX;
            path_icmp_evidence(b, fx);
        } else if (b->f.blame != PD_BLAME_MIDDLEBOX) {
            b->f.blame = PD_BLAME_PATH;
        }
        b->f.refined = true;
        return true;
    }

    if (is_loss_signature(sig) && fx->any_mangle) {
        /* Nothing was lost: what the single capture read as loss is the
         * receiver discarding frames that arrived damaged. */
        GString *ph = g_string_new(NULL);
        for (int d = 0; d < 2; d++) {
            if (!ps->dirs[d].modified)
                continue;
            char *p = mangle_phrase(ps, d);
            g_string_append_printf(ph, "%s%s", ph->len ? "; " : "", p);
            g_free(p);
            first_rows_evidence(b, ps, d, PD_PAIR_MODIFIED, false, 2);
        }
        if (is_ppp_protocol(ps->protocol) && sig != PD_SIG_PPTP_FIXUP_MANGLED && ps->protocol == PD_PROTO_PPTP) {
            b->f.signature = pd_signature_get(PD_SIG_PPTP_FIXUP_MANGLED);
            b->f.severity = PD_SEV_ERROR;
            g_array_set_size(b->codes, 0);
            b_code(b, 722);
            char *sum = g_strdup_printf("A middlebox changed the call's packets in transit: %s (the %s "
                                        "capture alone read this as %s)",
                                        ph->str, pd_pair_role_name(side), f->signature->id);
            g_free(b->f.summary);
            b->f.summary = sum;
            char *expl = g_strdup_printf(
                "Paired captures: every packet arrived, but not as it was sent: %s. A receiving "
                "PPP/PPTP stack silently drops frames whose call ID or PPP fields do not make sense "
                "(RFC 1661 section 5; RFC 2637 section 4.1), so from one end this looks exactly like "
                "loss. Only a device between the two capture points can have changed them: a PPTP "
                "'fixup'/ALG, an IPS or a broken NAT.",
                ph->str);
            g_free(b->f.explanation);
            b->f.explanation = expl;
            g_free(b->f.remediation);
            b->f.remediation = g_strdup(
                "Turn off the PPTP fixup/inspection/ALG on the firewall or router between client and "
                "server (or replace the broken NAT); GRE and TCP 1723 must pass unmodified.");
        } else {
            char *add = g_strdup_printf("paired with the %s capture: nothing was lost, but %s", other, ph->str);
            append_text(&b->f.summary, "; ", add);
            g_free(add);
        }
        g_string_free(ph, TRUE);
        b->f.blame = PD_BLAME_MIDDLEBOX;
        b->f.confidence = PD_CONF_HIGH;
        b->f.refined = true;
        return false;
    }

    if (is_loss_signature(sig) && both && cs->sent && sc->sent && cs->arrived == cs->sent &&
        sc->arrived == sc->sent) {
        /* The second capture clears the path: every packet arrived intact. */
        char *add = g_strdup_printf("paired with the %s capture: every packet arrived intact both "
                                    "ways (%" G_GUINT64_FORMAT " to the server, %" G_GUINT64_FORMAT
                                    " to the client): not the path",
                                    other, cs->sent, sc->sent);
        append_text(&b->f.summary, "; ", add);
        g_free(add);
        if (b->f.blame == PD_BLAME_PATH || b->f.blame == PD_BLAME_MIDDLEBOX)
            b->f.blame = PD_BLAME_UNKNOWN;
        b->f.refined = true;
        return false;
    }

    if (sig == PD_SIG_PPTP_CONTROL_FAILURE && fx->path_icmp && fx->any_loss) {
        /* A teardown the single capture could not explain: the other
         * capture shows the router's rejection that caused it. */
        const pd_pair_packet *p = fx->path_icmp;
        int cap = p->frame[0] ? 0 : 1;
        char *add = g_strdup_printf("paired: packets of this call never crossed the path; a router answered "
                                    "with %s (%s frame %" G_GUINT64_FORMAT "), which is why the call ended",
                                    p->text, pd_pair_role_name(cap), p->frame[cap]);
        append_text(&b->f.summary, "; ", add);
        g_free(add);
        path_icmp_evidence(b, fx);
        b->f.blame = PD_BLAME_MIDDLEBOX;
        b->f.confidence = PD_CONF_HIGH;
        b->f.refined = true;
        return false;
    }

    if (sig == PD_SIG_PPTP_PORT_REJECTED && ps->side[0] && ps->side[1]) {
        /* Who sent the reset: the server (it is in its capture, sent by
         * it), or something on the path (the client got it, the server
         * never sent it)? */
        for (size_t i = 0; i < ps->n_packets; i++) {
            const pd_pair_packet *p = &ps->packets[i];
            if (p->dir != PD_DIR_TO_CLIENT || !p->text || strncmp(p->text, "TCP RST", 7) != 0)
                continue;
            if (p->fate == PD_PAIR_ARRIVED || p->fate == PD_PAIR_MODIFIED) {
                char *add = g_strdup_printf("paired: the reset was sent by the server itself (server frame %"
                                            G_GUINT64_FORMAT "), after the SYN arrived there",
                                            p->frame[1]);
                append_text(&b->f.summary, "; ", add);
                g_free(add);
                b->f.blame = PD_BLAME_SERVER;
                b_evidence(b, PD_PAIR_SERVER, p->frame[1], p->ts_ns[1], g_strdup("the server sends the reset"));
            } else if (p->fate == PD_PAIR_UNSENT) {
                append_text(&b->f.summary, "; ",
                            "paired: the server never sent this reset (it is not in the server capture): a "
                            "firewall or middlebox on the path forged it");
                b->f.blame = PD_BLAME_MIDDLEBOX;
            } else {
                continue;
            }
            b->f.confidence = PD_CONF_HIGH;
            b->f.refined = true;
            return false;
        }
        return false;
    }

    if (sig == PD_SIG_PPTP_FIXUP_MANGLED && fx->any_mangle) {
        for (int d = 0; d < 2; d++) {
            if (!ps->dirs[d].modified)
                continue;
            char *p = mangle_phrase(ps, d);
            char *add = g_strdup_printf("paired: %s", p);
            append_text(&b->f.summary, "; ", add);
            g_free(add);
            g_free(p);
            first_rows_evidence(b, ps, d, PD_PAIR_MODIFIED, false, 1);
        }
        b->f.confidence = PD_CONF_HIGH;
        b->f.blame = PD_BLAME_MIDDLEBOX;
        b->f.refined = true;
        return false;
    }

    if (sig == PD_SIG_IKE_NAT_DETECTED && both) {
        bool translated = false;
        for (size_t i = 0; i < ps->n_nat; i++)
            if (strcmp(ps->nat[i].what, "client") == 0 || strcmp(ps->nat[i].what, "server") == 0)
                translated = true;
        if (translated) {
            b->f.confidence = PD_CONF_HIGH;
            append_text(&b->f.summary, "; ", "paired: the translation is seen between the capture points (path.nat)");
            b->f.refined = true;
        } else if (ps->dirs[0].arrived + ps->dirs[1].arrived > 0) {
            append_text(&b->f.summary, "; ",
                        "paired: no address or port changed between the capture points, so there is "
                        "no NAT here: the NAT-D mismatch was faked on purpose (as strongSwan's "
                        "encap = yes does to force UDP encapsulation)");
            b->f.confidence = PD_CONF_LOW;
            b->f.refined = true;
        }
    }
    return false;
}

/* ---- path.* findings ------------------------------------------------------------- */

static void session_codes(builder *b, GArray *findings, size_t from)
{
    for (guint i = (guint)from; i < findings->len; i++) {
        const pd_pair_finding *f = &g_array_index(findings, pd_pair_finding, i);
        if (f->severity != PD_SEV_ERROR)
            continue;
        for (size_t k = 0; k < f->n_windows_errors; k++)
            b_code(b, f->windows_errors[k]);
    }
}

static char *remedy_for(const pd_pair_session *ps, int d)
{
    kind_stat ks[MAX_KINDS];
    size_t n = kind_stats(ps, d, ks);
    GString *s = g_string_new("Find the device between the two capture points that drops them (the "
                              "capture points bracket it: firewall, NAT router, ISP filter) and let ");
    bool first = true;
    for (size_t k = 0; k < n; k++) {
        if (!ks[k].lost)
            continue;
        const char *l = ks[k].label;
        const char *what = !strcmp(l, "GRE")           ? "GRE (IP protocol 47)"
                           : !strcmp(l, "ESP")         ? "ESP (IP protocol 50)"
                           : !strcmp(l, "IP fragment") ? "IP fragments"
                           : !strcmp(l, "TCP") && ps->protocol == PD_PROTO_PPTP ? "TCP 1723"
                                                       : l;
        g_string_append_printf(s, "%s%s", first ? "" : ", ", what);
        first = false;
    }
    if (first)
        g_string_append(s, "this traffic");
    g_string_append_printf(s, " through %s%s.", d == PD_DIR_TO_SERVER ? "toward the server" : "toward the client",
                           ps->protocol == PD_PROTO_PPTP ? "; behind a NAT, GRE needs a PPTP helper/passthrough"
                           : ps->protocol == PD_PROTO_IKEV1 || ps->protocol == PD_PROTO_IKEV2 || ps->protocol == PD_PROTO_ESP
                               ? "; behind a NAT, IKE and ESP need NAT-T (UDP 4500) to pass"
                               : "");
    return g_string_free(s, FALSE);
}

/* explained: a refined single-capture finding rests on these losses (then
 * they are errors even when only some packets were lost). */
static void path_findings(const facts *fx, GArray *out, size_t session_from, bool explained)
{
    const pd_pair_session *ps = fx->ps;
    for (int d = 0; d < 2; d++) {
        if (!fx->lost[d])
            continue;
        builder b;
        b_init(&b, PD_SIG_PATH_LOSS, ps->id);
        char *ph = loss_phrase(fx, d);
        b.f.summary = g_strdup_printf("%s: %s", protocol_title(ps->protocol), ph);
        b.f.severity = (fx->sent[d] == fx->lost[d] || explained) ? PD_SEV_ERROR : PD_SEV_WARNING;
        b.f.confidence = fx->lost_in_window[d] == fx->lost[d] ? PD_CONF_HIGH : PD_CONF_MEDIUM;
        b.f.blame = fx->path_icmp ? PD_BLAME_MIDDLEBOX : PD_BLAME_PATH;
        GString *ex = g_string_new(NULL);
        g_string_append_printf(ex, "The %s capture shows these packets leaving; the %s capture never "
                                   "shows them arriving, while it shows the rest of the session. ",
                               sender_text(d), receiver_text(d));
        if (fx->path_icmp)
            g_string_append_printf(ex, "A router on the path answered with %s (%s frame %" G_GUINT64_FORMAT
                                       "): it rejected them. ",
                                   fx->path_icmp->text, fx->path_icmp->frame[0] ? "client" : "server",
                                   fx->path_icmp->frame[0] ? fx->path_icmp->frame[0] : fx->path_icmp->frame[1]);
        else
            g_string_append(ex, "Something between the two capture points dropped them silently. ");
        if (fx->lost_in_window[d] < fx->lost[d]) {
            g_string_append_printf(ex, "%" G_GUINT64_FORMAT " of them were sent while the %s capture "
                                       "shows no frames at all (before its first or after its last): "
                                       "lost unless that capture was not running then.",
                                   fx->lost[d] - fx->lost_in_window[d], receiver_text(d));
        } else {
            g_string_append_printf(ex, "The %s capture was running all along (packets sent after them "
                                       "reached it, or it has frames before and after them), so they were "
                                       "lost, not missed.",
                                   receiver_text(d));
        }
        b.f.explanation = g_string_free(ex, FALSE);
        b.f.remediation = remedy_for(ps, d);
        session_codes(&b, out, session_from);
        first_rows_evidence(&b, ps, d, PD_PAIR_LOST, false, 3);
        path_icmp_evidence(&b, fx);
        b_finish(&b, out);
        g_free(ph);
    }
    for (int d = 0; d < 2; d++) {
        if (!fx->frag_drop[d])
            continue;
        builder b;
        b_init(&b, PD_SIG_PATH_FRAGMENTS_DROPPED, ps->id);
        char *ph = frag_phrase(fx, d);
        b.f.summary = g_strdup_printf("%s: %s", protocol_title(ps->protocol), ph);
        b.f.blame = PD_BLAME_PATH;
        b.f.explanation = g_strdup_printf(
            "Datagrams larger than the path MTU leave the %s as IP fragments (RFC 791). The first "
            "fragment of each reached the %s capture, the later ones never did: a firewall or NAT "
            "between the capture points drops non-first fragments (they carry no ports to match a "
            "rule or a NAT mapping on). The receiver waits for the rest and gives up (an ICMP "
            "'fragment reassembly time exceeded' may follow).",
            sender_text(d), receiver_text(d));
        b.f.remediation = g_strdup(
            "Let IP fragments through the firewall/NAT between the capture points, or stop "
            "fragmenting: enable IKEv2 fragmentation (RFC 7383) on both peers, use smaller "
            "certificates (or send no intermediate certificates), or lower the MTU.");
        session_codes(&b, out, session_from);
        if (!b.codes->len && (ps->protocol == PD_PROTO_IKEV1 || ps->protocol == PD_PROTO_IKEV2))
            b_code(&b, 809);
        first_rows_evidence(&b, ps, d, PD_PAIR_LOST, true, 3);
        /* And a first fragment that did arrive. */
        for (size_t i = 0; i < ps->n_packets; i++) {
            const pd_pair_packet *p = &ps->packets[i];
            if ((int)p->dir == d && p->fragment && !p->later_fragment && p->fate == PD_PAIR_ARRIVED) {
                int rcap = d == PD_DIR_TO_SERVER ? 1 : 0;
                b_evidence(&b, rcap, p->frame[rcap], p->ts_ns[rcap],
                           g_strdup_printf("the first fragment arrived (%s)", p->text));
                break;
            }
        }
        b_finish(&b, out);
        g_free(ph);
    }
    for (int d = 0; d < 2; d++) {
        if (!ps->dirs[d].modified)
            continue;
        builder b;
        b_init(&b, PD_SIG_PATH_MANGLED, ps->id);
        char *ph = mangle_phrase(ps, d);
        b.f.summary = g_strdup_printf("%s: %s", protocol_title(ps->protocol), ph);
        b.f.blame = PD_BLAME_MIDDLEBOX;
        b.f.explanation = g_strdup_printf(
            "The same packet (matched by its protocol numbering and IP identification) left the %s "
            "with one value and reached the %s with another. Only a device between the two capture "
            "points can do that: a protocol 'fixup'/ALG, an IPS, a broken NAT. %s",
            sender_text(d), receiver_text(d),
            is_ppp_protocol(ps->protocol)
                ? "A PPP/PPTP stack discards such frames without a word (RFC 1661 section 5), which "
                  "Windows reports as 722."
                : "The receiver discards what it cannot authenticate or parse.");
        b.f.remediation = g_strdup(is_ppp_protocol(ps->protocol)
                                       ? "Turn off the PPTP/GRE inspection, fixup or ALG on the device "
                                         "between client and server, or replace it; GRE and TCP 1723 must "
                                         "pass unmodified."
                                       : "Turn off the inspection/ALG that rewrites this traffic on the device "
                                         "between client and server, or replace it.");
        if (is_ppp_protocol(ps->protocol))
            b_code(&b, 722);
        else
            session_codes(&b, out, session_from);
        first_rows_evidence(&b, ps, d, PD_PAIR_MODIFIED, false, 2);
        b_finish(&b, out);
        g_free(ph);
    }
    if (ps->n_nat) {
        builder b;
        b_init(&b, PD_SIG_PATH_NAT, ps->id);
        GString *s = g_string_new(NULL);
        bool helper = false;
        for (size_t i = 0; i < ps->n_nat; i++) {
            const pd_pair_nat *n = &ps->nat[i];
            g_string_append_printf(s, "%s%s %s -> %s (%s)", i ? "; " : "", n->what, n->inside, n->outside,
                                   n->carried);
            helper |= strcmp(n->what, "PPTP call ID") == 0;
        }
        b.f.summary = g_strdup_printf("NAT between the capture points: %s", s->str);
        g_string_free(s, TRUE);
        b.f.explanation = g_strdup_printf(
            "The same packets carry other addresses%s at the server's capture point than at the "
            "client's: a NAT translated them (client capture's value -> server capture's).%s",
            helper ? ", ports and PPTP call IDs" : " or ports",
            helper ? " The call IDs were translated consistently in the control messages and in GRE: "
                     "a PPTP NAT helper did it, as it must for GRE to pass a NAT."
                   : "");
        /* One packet showing it. */
        for (size_t i = 0; i < ps->n_packets; i++) {
            const pd_pair_packet *p = &ps->packets[i];
            bool nat = false;
            for (size_t k = 0; k < p->n_changes; k++)
                nat |= p->changes[k].kind == PD_PAIR_CHANGE_NAT;
            if (nat) {
                b_evidence(&b, PD_PAIR_CLIENT, p->frame[0], p->ts_ns[0], g_strdup_printf("%s as the client capture shows it", p->text));
                b_evidence(&b, PD_PAIR_SERVER, p->frame[1], p->ts_ns[1], g_strdup("the same packet, translated"));
                break;
            }
        }
        b_finish(&b, out);
    }
}

/* ---- merging ------------------------------------------------------------------------ */

static void b_free(builder *b)
{
    for (guint i = 0; i < b->ev->len; i++)
        g_free(g_array_index(b->ev, pd_pair_evidence, i).note);
    g_array_free(b->ev, TRUE);
    g_array_free(b->codes, TRUE);
    b->ev = b->codes = NULL;
    pd_pair_finding_clear(&b->f);
}

/* Two captures often report the same finding: keep one, the more certain
 * (or the one pairing refined), with both captures' evidence and codes,
 * and say that both saw it. */
static void add_or_merge(GArray *builders, builder *b)
{
    for (guint i = 0; i < builders->len; i++) {
        builder *k = &g_array_index(builders, builder, i);
        if (k->f.signature != b->f.signature)
            continue;
        if (b->f.confidence > k->f.confidence || (b->f.refined && !k->f.refined)) {
            builder t = *k;
            *k = *b;
            *b = t;
        }
        char *single = g_strdup_printf("%s; %s", k->f.single ? k->f.single : "", b->f.single ? b->f.single : "");
        g_free(k->f.single);
        k->f.single = single;
        for (guint e = 0; e < b->ev->len; e++) {
            pd_pair_evidence *ev = &g_array_index(b->ev, pd_pair_evidence, e);
            b_evidence(k, ev->capture, ev->frame, ev->ts_ns, ev->note);
            ev->note = NULL;
        }
        for (guint c = 0; c < b->codes->len; c++)
            b_code(k, g_array_index(b->codes, int, c));
        b_free(b);
        return;
    }
    g_array_append_val(builders, *b);
}

void pd_pair_verdict(pd_pair_result *r, pd_engine *const engine[2])
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(pd_pair_finding));
    GArray *builders = g_array_new(FALSE, TRUE, sizeof(builder));
    for (size_t i = 0; i < r->n_sessions; i++) {
        const pd_pair_session *ps = &r->sessions[i];
        facts fx;
        gather(ps, &fx);
        size_t from = out->len;
        bool explained = false;
        for (int side = 0; side < 2; side++) {
            if (!ps->side[side])
                continue;
            size_t nf = pd_engine_finding_count(engine[side]);
            for (size_t k = 0; k < nf; k++) {
                const pd_finding *f = pd_engine_finding(engine[side], k);
                if (f->session_id != ps->side[side]->id)
                    continue;
                builder b;
                copy_single(&b, f, (pd_pair_role)side, ps->id);
                explained |= refine(&b, f, (pd_pair_role)side, &fx);
                add_or_merge(builders, &b);
            }
        }
        for (guint k = 0; k < builders->len; k++)
            b_finish(&g_array_index(builders, builder, k), out);
        g_array_set_size(builders, 0);
        path_findings(&fx, out, from, explained);
    }
    /* Findings about a capture as a whole stay what they were. */
    for (int side = 0; side < 2; side++) {
        size_t nf = pd_engine_finding_count(engine[side]);
        for (size_t k = 0; k < nf; k++) {
            const pd_finding *f = pd_engine_finding(engine[side], k);
            if (f->session_id != 0)
                continue;
            builder b;
            copy_single(&b, f, (pd_pair_role)side, 0);
            char *s = g_strdup_printf("%s capture: %s", pd_pair_role_name((pd_pair_role)side), b.f.summary);
            g_free(b.f.summary);
            b.f.summary = s;
            b_finish(&b, out);
        }
    }
    g_array_free(builders, TRUE);
    r->n_findings = out->len;
    r->findings = (pd_pair_finding *)(void *)g_array_free(out, FALSE);
}
