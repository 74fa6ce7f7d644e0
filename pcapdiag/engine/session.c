/* session.c - building sessions (stages, ladder, attributes) and findings.
 *
 * Trackers describe what happened through these builders; detectors turn
 * session state into findings. Nothing here knows any protocol.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <string.h>

#include "engine_internal.h"

/* How far back a repeated line may be folded: a retransmission interleaved
 * with the other side's own retransmissions (both sides' LCP
 * Configure-Requests, say) still folds. */
#define PD_FOLD_LOOKBACK 4

/* The engine's record of a session: the public part first, so a
 * pd_session* handed to trackers and front ends is also the record. */
typedef struct session_rec {
    pd_session pub;
    /* Streaming: findings committed and not yet handed over (NULL until
     * the first one). */
    GPtrArray *findings;
    size_t ladder_cap; /* entries allocated in pub.ladder */
    uint32_t holds;    /* holders besides the session's own tracker (pd_session_hold) */
    bool released;
} session_rec;

static session_rec *rec_of(pd_session *s)
{
    return (session_rec *)s;
}

static void endpoint_from_addr(pd_endpoint *ep, const pd_addr *a, uint16_t port)
{
    memset(ep, 0, sizeof *ep);
    ep->family = a->family;
    memcpy(ep->addr, a->a, sizeof ep->addr);
    ep->port = port;
}

pd_session *pd_session_open(pd_engine *e, pd_protocol proto, const pd_addr *client,
                            uint16_t client_port, const pd_addr *server, uint16_t server_port,
                            uint64_t frame, int64_t ts_ns)
{
    session_rec *r = g_new0(session_rec, 1);
    pd_session *s = &r->pub;
    s->id = e->sessions->len + 1;
    s->protocol = proto;
    endpoint_from_addr(&s->client, client, client_port);
    endpoint_from_addr(&s->server, server, server_port);
    s->first_frame = s->last_frame = frame;
    s->first_ts_ns = s->last_ts_ns = ts_ns;
    s->state = "new";
    g_ptr_array_add(e->sessions, s);
    return s;
}

void pd_session_packet(pd_engine *e, pd_session *s, pd_dir dir, size_t bytes, uint8_t ttl,
                       uint64_t frame, int64_t ts_ns)
{
    if (dir <= PD_DIR_TO_CLIENT) {
        s->packets[dir]++;
        s->bytes[dir] += bytes;
        if (ttl > s->max_ttl[dir])
            s->max_ttl[dir] = ttl;
    }
    if (frame > s->last_frame) {
        s->last_frame = frame;
        s->last_ts_ns = ts_ns;
    }
    e->frame_session = s;
}

const pd_stage *pd_session_stage(const pd_session *s, const char *stage)
{
    /* Stage names are static strings: the same pointer, usually. */
    for (size_t i = 0; i < s->n_stages; i++) {
        const char *n = s->stages[i].name;
        if (n == stage || (n[0] == stage[0] && strcmp(n, stage) == 0))
            return &s->stages[i];
    }
    return NULL;
}

bool pd_session_reached(const pd_session *s, const char *stage)
{
    return pd_session_stage(s, stage) != NULL;
}

bool pd_session_reach(pd_session *s, const char *stage, uint64_t frame, int64_t ts_ns)
{
    if (pd_session_reached(s, stage))
        return false;
    s->stages = g_renew(pd_stage, s->stages, s->n_stages + 1);
    s->stages[s->n_stages].name = stage;
    s->stages[s->n_stages].frame = frame;
    s->stages[s->n_stages].ts_ns = ts_ns;
    s->n_stages++;
    s->state = stage;
    return true;
}

void pd_session_swap_roles(pd_session *s)
{
    pd_endpoint ep = s->client;
    s->client = s->server;
    s->server = ep;
    uint64_t n = s->packets[0];
    s->packets[0] = s->packets[1];
    s->packets[1] = n;
    n = s->bytes[0];
    s->bytes[0] = s->bytes[1];
    s->bytes[1] = n;
    uint8_t t = s->max_ttl[0];
    s->max_ttl[0] = s->max_ttl[1];
    s->max_ttl[1] = t;
    for (size_t i = 0; i < s->n_ladder; i++)
        if (s->ladder[i].dir <= PD_DIR_TO_CLIENT)
            s->ladder[i].dir = s->ladder[i].dir == PD_DIR_TO_SERVER ? PD_DIR_TO_CLIENT
                                                                    : PD_DIR_TO_SERVER;
}

bool pd_ttl_is_initial(uint8_t ttl)
{
    /* The initial values stacks use: Linux/macOS 64, Windows 128, network
     * gear 255, old stacks 32. */
    return ttl == 255 || ttl == 128 || ttl == 64 || ttl == 32;
}

pd_vantage pd_session_vantage(const pd_session *s)
{
    uint8_t c = s->max_ttl[PD_DIR_TO_SERVER], sv = s->max_ttl[PD_DIR_TO_CLIENT];
    bool c_local = c && pd_ttl_is_initial(c), s_local = sv && pd_ttl_is_initial(sv);
    if (c_local && !s_local)
        return PD_VANTAGE_CLIENT;
    if (s_local && !c_local)
        return PD_VANTAGE_SERVER;
    if (c && sv && !c_local && !s_local)
        return PD_VANTAGE_MIDDLE;
    return PD_VANTAGE_UNKNOWN;
}

char *pd_session_hosts_filter(const pd_session *s)
{
    char a[48], b[48];
    const char *field = s->client.family == 6 ? "ipv6.addr" : "ip.addr";
    return g_strdup_printf("%s == %s && %s == %s", field,
                           pd_endpoint_addr_str(&s->client, a, sizeof a), field,
                           pd_endpoint_addr_str(&s->server, b, sizeof b));
}

void pd_session_set_state(pd_session *s, const char *state)
{
    s->state = state;
}

/* A line of a packet decrypted from ESP: the text marked, and the SA named on a new
 * line (folds format on the stack, as other lines do). */
static pd_ladder_entry *pd_session_ladder_nested(pd_engine *e, pd_session *s, pd_dir dir,
                                                 uint64_t frame, int64_t ts_ns, const char *text)
{
    const pd_nest *n = e->nest;
    e->nest = NULL;
    pd_ladder_entry *l = pd_session_ladder(e, s, dir, frame, ts_ns, "%s (decrypted)", text);
    e->nest = n;
    if (pd_ladder_is_new(l)) {
        char spi[40];
        g_snprintf(spi, sizeof spi, "ESP SPI 0x%08x%s", n->spi,
                   n->tunnel_mode ? " (tunnel mode)" : "");
        pd_ladder_attr_str(l, "decrypted_from", spi);
    }
    return l;
}

pd_ladder_entry *pd_session_ladder(pd_engine *e, pd_session *s, pd_dir dir, uint64_t frame,
                                   int64_t ts_ns, const char *fmt, ...)
{
    /* Most lines are repeats that fold (data packets, retransmissions):
     * format on the stack, and copy to the heap only for a new line. The
     * trackers' common "%s" needs no formatting at all. */
    char buf[256];
    char *owned = NULL;
    const char *text;
    va_list ap;
    if (e->nest) {
        /* A packet decrypted from ESP: its lines say so, as decrypted IKE lines do. */
        char nbuf[512];
        char *heap = NULL;
        va_start(ap, fmt);
        int n = g_vsnprintf(nbuf, sizeof nbuf, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof nbuf) {
            va_start(ap, fmt);
            heap = g_strdup_vprintf(fmt, ap);
            va_end(ap);
        }
        pd_ladder_entry *l = pd_session_ladder_nested(e, s, dir, frame, ts_ns, heap ? heap : nbuf);
        g_free(heap);
        return l;
    }
    va_start(ap, fmt);
    if (fmt[0] == '%' && fmt[1] == 's' && fmt[2] == '\0') {
        text = va_arg(ap, const char *);
        if (!text)
            text = "(null)"; /* what printf prints */
    } else {
        va_list again;
        va_copy(again, ap);
        int n = g_vsnprintf(buf, sizeof buf, fmt, ap);
        if (n < 0 || (size_t)n >= sizeof buf) {
            owned = g_strdup_vprintf(fmt, again);
            text = owned;
        } else {
            text = buf;
        }
        va_end(again);
    }
    va_end(ap);

    /* Fold into a recent identical line from the same side, provided only the
     * other side spoke since (anything this side said in between breaks it). */
    for (size_t back = 0; back < PD_FOLD_LOOKBACK && back < s->n_ladder; back++) {
        pd_ladder_entry *l = &s->ladder[s->n_ladder - 1 - back];
        if (l->dir != dir)
            continue;
        if (strcmp(l->text, text) != 0)
            break;
        l->repeat++;
        l->last_frame = frame;
        l->last_ts_ns = ts_ns;
        g_free(owned);
        return l;
    }

    if (s->n_ladder >= e->config.limits.max_ladder_lines) {
        s->ladder_dropped++;
        g_free(owned);
        return NULL;
    }
    session_rec *r = rec_of(s);
    if (s->n_ladder == r->ladder_cap) {
        /* Grow by a quarter: a realloc per line showed in profiles, and
         * doubling would waste memory on every live session's ladder. */
        size_t cap = r->ladder_cap + r->ladder_cap / 4 + 1;
        if (cap > e->config.limits.max_ladder_lines)
            cap = e->config.limits.max_ladder_lines;
        s->ladder = g_renew(pd_ladder_entry, s->ladder, cap);
        r->ladder_cap = cap;
    }
    pd_ladder_entry *l = &s->ladder[s->n_ladder++];
    memset(l, 0, sizeof *l);
    l->frame = l->last_frame = frame;
    l->ts_ns = l->last_ts_ns = ts_ns;
    l->repeat = 1;
    l->dir = dir;
    l->text = owned ? owned : g_strdup(text);
    return l;
}

void pd_ladder_annotate(pd_ladder_entry *l, const char *fmt, ...)
{
    if (!l)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_free(l->annotation);
    l->annotation = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* ---- attributes ---- */

static pd_attr *attr_slot(pd_attr **attrs, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++) {
        /* Keys are string literals: the same pointer, usually; else the
         * first letter rules most out before strcmp. */
        const char *k = (*attrs)[i].key;
        if (k == key || (k[0] == key[0] && strcmp(k, key) == 0)) {
            g_free((*attrs)[i].str);
            (*attrs)[i].str = NULL;
            return &(*attrs)[i];
        }
    }
    *attrs = g_renew(pd_attr, *attrs, *n + 1);
    pd_attr *a = &(*attrs)[(*n)++];
    memset(a, 0, sizeof *a);
    a->key = key;
    return a;
}

void pd_attrs_set_str(pd_attr **attrs, size_t *n, const char *key, const char *value)
{
    pd_attr *a = attr_slot(attrs, n, key);
    a->kind = PD_ATTR_STR;
    a->str = g_strdup(value ? value : "");
}

void pd_attrs_set_num(pd_attr **attrs, size_t *n, const char *key, int64_t value)
{
    pd_attr *a = attr_slot(attrs, n, key);
    a->kind = PD_ATTR_NUM;
    a->num = value;
}

void pd_attrs_set_code(pd_attr **attrs, size_t *n, const char *key, const char *name, int64_t raw)
{
    pd_attr *a = attr_slot(attrs, n, key);
    a->kind = PD_ATTR_CODE;
    a->str = g_strdup(name ? name : "unknown");
    a->num = raw;
}

static void attrs_free(pd_attr *attrs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        g_free(attrs[i].str);
    g_free(attrs);
}

void pd_session_free(pd_session *s)
{
    if (!s)
        return;
    session_rec *r = rec_of(s);
    if (r->findings)
        g_ptr_array_free(r->findings, TRUE);
    for (size_t i = 0; i < s->n_ladder; i++) {
        g_free(s->ladder[i].text);
        g_free(s->ladder[i].annotation);
        attrs_free(s->ladder[i].attrs, s->ladder[i].n_attrs);
    }
    g_free(s->ladder);
    g_free(s->stages);
    attrs_free(s->attrs, s->n_attrs);
    g_free(r);
}

/* ---- streaming: handing sessions over ---- */

void pd_session_hold(pd_session *s)
{
    rec_of(s)->holds++;
}

void pd_session_release(pd_engine *e, pd_session *s)
{
    if (!s)
        return;
    session_rec *r = rec_of(s);
    if (r->holds) {
        r->holds--; /* another tracker still writes into it */
        return;
    }
    if (!e->config.on_session_closed || r->released)
        return;
    r->released = true;
    g_ptr_array_add(e->released, s);
}

void pd_session_release_all(pd_engine *e, pd_session *s)
{
    if (!s)
        return;
    rec_of(s)->holds = 0;
    pd_session_release(e, s);
}

void pd_vantage_tally_add(pd_vantage_tally *t, const pd_session *s)
{
    uint8_t c = s->max_ttl[PD_DIR_TO_SERVER], sv = s->max_ttl[PD_DIR_TO_CLIENT];
    t->votes[pd_session_vantage(s)]++;
    if (c > t->c_ttl)
        t->c_ttl = c;
    if (sv > t->s_ttl)
        t->s_ttl = sv;
    if (s->client.family == 4 && s->server.family == 4) {
        if (!t->v4_pairs)
            t->v4_pairs = g_array_new(FALSE, FALSE, sizeof(pd_vantage_pair));
        pd_vantage_pair p = { .id = s->id };
        memcpy(p.client, s->client.addr, 4);
        memcpy(p.server, s->server.addr, 4);
        g_array_append_val(t->v4_pairs, p);
    }
}

/* A session's findings in report order: by the first frame they cite, ties
 * in commit order (the engine's global order restricted to one session). */
static int finding_frame_cmp(gconstpointer a, gconstpointer b)
{
    const pd_finding *x = *(pd_finding *const *)a, *y = *(pd_finding *const *)b;
    uint64_t fx = x->n_evidence ? x->evidence[0].frame : 0;
    uint64_t fy = y->n_evidence ? y->evidence[0].frame : 0;
    return (fx > fy) - (fx < fy);
}

void pd_session_flush_released(pd_engine *e)
{
    /* The callback may not release more (it only reads), but index rather
     * than iterate so the array could grow safely anyway. */
    for (guint i = 0; i < e->released->len; i++) {
        pd_session *s = g_ptr_array_index(e->released, i);
        session_rec *r = rec_of(s);
        const pd_finding *const *fs = NULL;
        size_t nf = 0;
        if (r->findings) {
            g_ptr_array_sort(r->findings, finding_frame_cmp); /* stable (merge sort) */
            fs = (const pd_finding *const *)r->findings->pdata;
            nf = r->findings->len;
        }
        e->config.on_session_closed(s, fs, nf, e->config.user);
        pd_vantage_tally_add(&e->tally, s);
        g_ptr_array_index(e->sessions, s->id - 1) = NULL;
        pd_session_free(s);
    }
    g_ptr_array_set_size(e->released, 0);
}

/* ---- findings ---- */

pd_finding *pd_finding_begin(pd_sig_id sig, const pd_session *s)
{
    pd_finding *f = g_new0(pd_finding, 1);
    f->signature = pd_signature_get(sig);
    f->severity = f->signature->severity;
    f->confidence = PD_CONF_HIGH;
    f->blame = PD_BLAME_UNKNOWN;
    f->session_id = s ? s->id : 0;
    return f;
}

void pd_finding_code(pd_finding *f, int windows_error)
{
    for (size_t i = 0; i < f->n_windows_errors; i++)
        if (f->windows_errors[i] == windows_error)
            return;
    f->windows_errors = g_renew(int, f->windows_errors, f->n_windows_errors + 1);
    f->windows_errors[f->n_windows_errors++] = windows_error;
}

#define PD_SET_TEXT(field)                                                                    \
    do {                                                                                      \
        va_list ap;                                                                           \
        va_start(ap, fmt);                                                                    \
        g_free(f->field);                                                                     \
        f->field = g_strdup_vprintf(fmt, ap);                                                 \
        va_end(ap);                                                                           \
    } while (0)

void pd_finding_summary(pd_finding *f, const char *fmt, ...)
{
    PD_SET_TEXT(summary);
}

void pd_finding_explain(pd_finding *f, const char *fmt, ...)
{
    PD_SET_TEXT(explanation);
}

void pd_finding_remedy(pd_finding *f, const char *fmt, ...)
{
    PD_SET_TEXT(remediation);
}

void pd_finding_filter(pd_finding *f, const char *fmt, ...)
{
    PD_SET_TEXT(display_filter);
}

void pd_finding_evidence(pd_finding *f, uint64_t frame, int64_t ts_ns, const char *fmt, ...)
{
    if (frame == 0)
        return;
    /* The same frame cited twice keeps its first note. */
    for (size_t i = 0; i < f->n_evidence; i++)
        if (f->evidence[i].frame == frame)
            return;
    va_list ap;
    va_start(ap, fmt);
    f->evidence = g_renew(pd_evidence, f->evidence, f->n_evidence + 1);
    pd_evidence *ev = &f->evidence[f->n_evidence++];
    ev->frame = frame;
    ev->ts_ns = ts_ns;
    ev->note = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

static int evidence_cmp(const void *a, const void *b)
{
    const pd_evidence *x = a, *y = b;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

char *pd_evidence_filter(const pd_finding *f)
{
    if (f->n_evidence == 0)
        return g_strdup("");
    GString *s = g_string_new("frame.number in {");
    for (size_t i = 0; i < f->n_evidence; i++)
        g_string_append_printf(s, "%s%" G_GUINT64_FORMAT, i ? " " : "", f->evidence[i].frame);
    g_string_append_c(s, '}');
    return g_string_free(s, FALSE);
}

/* Trackers often know only an evidence frame's number; its time is in the
 * session's ladder (the frame is a line there, or the last of a fold). */
static void fill_evidence_times(const pd_engine *e, pd_finding *f)
{
    const pd_session *s = pd_engine_session_by_id(e, f->session_id);
    if (!s)
        return;
    for (size_t i = 0; i < f->n_evidence; i++) {
        pd_evidence *ev = &f->evidence[i];
        if (ev->ts_ns != 0)
            continue;
        for (size_t k = 0; k < s->n_ladder; k++) {
            if (s->ladder[k].frame == ev->frame) {
                ev->ts_ns = s->ladder[k].ts_ns;
                break;
            }
            if (s->ladder[k].last_frame == ev->frame) {
                ev->ts_ns = s->ladder[k].last_ts_ns;
                break;
            }
        }
    }
}

void pd_finding_commit(pd_engine *e, pd_finding *f)
{
    fill_evidence_times(e, f);
    if (f->n_evidence > 1) /* qsort's base must not be NULL, even for 0 items */
        qsort(f->evidence, f->n_evidence, sizeof *f->evidence, evidence_cmp);
    if (!f->summary)
        f->summary = g_strdup(f->signature->title);
    if (!f->explanation)
        f->explanation = g_strdup("");
    if (!f->remediation)
        f->remediation = g_strdup("");
    if (!f->display_filter)
        f->display_filter = pd_evidence_filter(f);
    /* Streaming: a session's findings travel with it; a finding about the
     * capture, or one for a session already handed over, stays here. */
    pd_session *s = e->config.on_session_closed && f->session_id
                        ? (pd_session *)pd_engine_session_by_id(e, f->session_id)
                        : NULL;
    if (s) {
        session_rec *r = rec_of(s);
        if (!r->findings)
            r->findings = g_ptr_array_new_with_free_func((GDestroyNotify)pd_finding_free);
        g_ptr_array_add(r->findings, f);
    } else {
        g_ptr_array_add(e->findings, f);
    }
    if (e->config.on_finding)
        e->config.on_finding(f, e->config.user);
}

void pd_finding_free(pd_finding *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_evidence; i++)
        g_free(f->evidence[i].note);
    g_free(f->evidence);
    g_free(f->windows_errors);
    g_free(f->summary);
    g_free(f->explanation);
    g_free(f->remediation);
    g_free(f->display_filter);
    g_free(f);
}
