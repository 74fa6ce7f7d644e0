/* esp_track.c - ESP SAs (RFC 4303) over IP protocol 50 and in UDP 4500
 * (RFC 3948): per SPI and direction, packet counts, first and last time,
 * sequence number restarts; tied to the IKE session between the same two
 * hosts (by endpoints and timing: the SPIs themselves are negotiated
 * encrypted), or an ESP session of its own when the capture holds no IKE.
 *
 * With ESP SA tables (--esp-keys) each packet of an SA the tables name is
 * decrypted (esp_crypto.c) and its plaintext handed back to the engine as a
 * packet of the same frame (pd_engine_feed_nested): transport mode (RFC 4303
 * 3.1.1: the next header is UDP, TCP...) under the outer IP header, tunnel
 * mode (next header 4 or 41) as the inner IP packet. L2TP found there joins
 * the ESP's session (l2tp_track.c): L2TP/IPsec as one session.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ike_session.h"

/* Sequence numbers start at 1 (RFC 4303 3.3.3); one this low after higher
 * ones means the sender started the SA over. */
#define ESP_RESTART_MAX_SEQ 2

static esp_sa *esp_find(ike_pair *pair, uint32_t spi, const pd_addr *src)
{
    for (size_t i = pair->n_esp; i > 0; i--) {
        esp_sa *sa = &pair->esp[i - 1];
        if (sa->spi == spi && pd_addr_equal(&sa->src, src))
            return sa;
    }
    return NULL;
}

/* The session new ESP belongs to: the newest IKE session between the two
 * hosts, else the pair's ESP-only session (made on first use). */
static ike_conv *esp_conv(pd_engine *e, ike_pair *pair, const pd_packet *p, uint16_t sport,
                          uint16_t dport)
{
    ike_conv *c = pd_ike_pair_newest_ike(pair);
    if (c)
        return c;
    for (guint i = pair->convs->len; i > 0; i--) {
        c = g_ptr_array_index(pair->convs, i - 1);
        if (c->version == 0)
            return c;
    }
    /* No IKE seen: the first sender stands in for the client. */
    return pd_ike_conv_new(e, pair, 0, &p->ip->src, sport, &p->ip->dst, dport, p->frame, p->ts_ns);
}

static void reach_esp_stages(ike_conv *c, uint64_t frame, int64_t ts)
{
    pd_session *s = c->session;
    pd_ike_conv_auth_confirm(c); /* a decrypted IKE_AUTH's stages come first */
    if (c->version == 2) {
        /* ESP under the IKE SA: IKE_AUTH (or CREATE_CHILD_SA) made a CHILD_SA. */
        for (size_t i = 0; i < c->n_xchg; i++) {
            const ike_xchg *x = &c->xchg[i];
            if (x->exch == 35 /* IKE_AUTH */ && x->answered) {
                pd_session_reach(s, "ike-auth-done", x->resp_frame, x->resp_ts);
                break;
            }
        }
        pd_session_reach(s, "child-sa-done", frame, ts);
    } else if (c->version == 1) {
        if (!pd_session_reached(s, "phase1-done"))
            pd_session_reach(s, "phase1-done", frame, ts);
        pd_session_reach(s, "quick-mode-done", frame, ts);
    } else {
        pd_session_reach(s, "esp-seen", frame, ts);
    }
}

/* The plaintext buffer, grown to the largest packet once: no allocation per packet. */
static uint8_t *esp_buffer(pd_ike_module *m, size_t need)
{
    if (m->esp_buf_cap < need) {
        size_t cap = 2048;
        while (cap < need)
            cap *= 2;
        g_free(m->esp_buf);
        m->esp_buf = g_malloc(cap);
        m->esp_buf_cap = cap;
    }
    return m->esp_buf;
}

/* --esp-keys: decrypt one packet of `sa` and feed what it carries. */
static void esp_decrypt(pd_engine *e, const pd_packet *p, esp_sa *sa, const uint8_t *data,
                        size_t len, size_t wire_len)
{
    pd_ike_module *m = e->ike;
    ike_conv *c = sa->conv;
    int dir = sa->dir;
    if (!sa->key_looked_up) {
        sa->key_looked_up = true;
        sa->key = pd_esp_keys_find(m->esp_keys, &p->ip->src, &p->ip->dst, sa->spi);
        if (sa->key)
            sa->key->matched = true;
    }
    if (!sa->key) {
        c->esp_nokey[dir]++;
        return;
    }
    pd_esp_plain pl;
    uint8_t *buf = esp_buffer(m, wire_len);
    pd_esp_status st = pd_esp_decrypt(&sa->key->keys, data, len, wire_len, buf, m->esp_buf_cap,
                                      &pl);
    if (st == PD_ESP_TRUNCATED) {
        c->esp_inner_unread++; /* cut by the capture's snap length: no fault of the key */
        return;
    }
    if (st != PD_ESP_OK) {
        sa->failed++;
        sa->last_fail = st;
        sa->key->failed++;
        if (c->esp_failed[0] + c->esp_failed[1] == 0) {
            c->esp_fail_frame = p->frame;
            c->esp_fail_what = pd_esp_status_name(st);
            c->esp_fail_row = sa->key->where;
        }
        c->esp_failed[dir]++;
        return;
    }
    sa->decrypted++;
    sa->key->decrypted++;
    c->esp_decrypted[dir]++;

    pd_nest nest = { .enclosing = c->session, .spi = sa->spi };
    pd_ip inner;
    switch (pl.next_header) {
    case 59: /* no next header: a dummy packet (RFC 4303 2.6, traffic flow confidentiality) */
        return;
    case 4:
    case 41: /* tunnel mode: a whole IP packet */
        nest.tunnel_mode = true;
        if (pd_ip_decode(pl.payload, pl.len, &inner) != PD_IP_OK ||
            inner.version != (pl.next_header == 4 ? 4 : 6)) {
            c->esp_inner_unread++;
            return;
        }
        break;
    default: /* transport mode: the upper layer under the outer IP header */
        inner = *p->ip;
        inner.proto = pl.next_header;
        inner.payload = pl.payload;
        inner.payload_len = inner.payload_wire_len = pl.len;
        inner.is_fragment = inner.more_fragments = false;
        inner.frag_offset = 0;
        break;
    }
    if (!pd_engine_feed_nested(e, p, &inner, &nest))
        c->esp_inner_unread++;
}

void pd_esp_packet(pd_engine *e, const pd_packet *p, const uint8_t *data, size_t len,
                   size_t wire_len, uint16_t sport, uint16_t dport, bool udp)
{
    pd_cursor cur = pd_cursor_make(data, len);
    uint32_t spi, seq;
    /* SPI 0 is reserved (RFC 4303 2.1); 1-255 are reserved too but seen. */
    if (!pd_cursor_be32(&cur, &spi) || !pd_cursor_be32(&cur, &seq) || spi == 0)
        return;
    ike_pair *pair = pd_ike_pair_get(e, &p->ip->src, &p->ip->dst, true, p->frame, p->ts_ns);
    if (!pair)
        return;
    esp_sa *sa = esp_find(pair, spi, &p->ip->src);
    if (!sa) {
        ike_conv *c = esp_conv(e, pair, p, sport, dport);
        if (pair->n_esp == pair->cap_esp && pair->cap_esp < IKE_MAX_ESP_SAS) {
            pair->cap_esp = pair->cap_esp ? MIN(pair->cap_esp * 2, (size_t)IKE_MAX_ESP_SAS) : 2;
            pair->esp = g_renew(esp_sa, pair->esp, pair->cap_esp);
        }
        if (pair->n_esp == IKE_MAX_ESP_SAS) {
            pair->esp_untracked++;
            int dir = pd_ike_conv_dir(c, &p->ip->src, sport);
            pd_session_packet(e, c->session, dir, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
            return;
        }
        sa = &pair->esp[pair->n_esp++];
        memset(sa, 0, sizeof *sa);
        sa->spi = spi;
        sa->src = p->ip->src;
        sa->udp = udp;
        sa->conv = c;
        sa->dir = pd_ike_conv_dir(c, &p->ip->src, sport);
        sa->first_frame = p->frame;
        sa->first_ts = p->ts_ns;
        sa->first_seq = sa->last_seq = seq;
        c->esp_spis[sa->dir]++;
        pd_ladder_entry *l = pd_session_ladder(e, c->session, sa->dir, p->frame, p->ts_ns,
                                               "ESP SPI 0x%08x%s seq %u", spi,
                                               udp ? " in UDP 4500" : "", seq);
        if (l) {
            pd_ladder_attr_str(l, "encapsulation", udp ? "UDP 4500 (RFC 3948)" : "IP 50");
            sa->ladder_idx = (size_t)(l - c->session->ladder);
            sa->have_ladder = true;
        }
    } else if (seq < sa->last_seq) {
        if (seq <= ESP_RESTART_MAX_SEQ) {
            if (sa->restarts++ == 0) {
                sa->restart_frame = p->frame;
                sa->restart_ts = p->ts_ns;
                sa->restart_was = sa->last_seq;
            }
            pd_session_ladder(e, sa->conv->session, sa->dir, p->frame, p->ts_ns,
                              "ESP SPI 0x%08x sequence restarted at %u (was %u)", spi, seq,
                              sa->last_seq);
        } else {
            sa->reordered++;
        }
    }
    ike_conv *c = sa->conv;
    int dir = sa->dir;
    sa->packets++;
    sa->bytes += wire_len;
    sa->last_frame = p->frame;
    sa->last_ts = p->ts_ns;
    if (seq > sa->last_seq || sa->restarts)
        sa->last_seq = seq;
    if (c->esp_packets[dir]++ == 0) {
        c->esp_first_frame[dir] = p->frame;
        c->esp_first_ts[dir] = p->ts_ns;
    }
    c->esp_last_frame[dir] = p->frame;
    c->esp_last_ts[dir] = p->ts_ns;
    c->esp_run[dir]++;
    c->esp_run[!dir] = 0;
    c->last_ts = p->ts_ns;
    pd_session_packet(e, c->session, dir, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
    if (c->esp_packets[dir] == 1) {
        reach_esp_stages(c, p->frame, p->ts_ns);
        if (c->esp_packets[!dir])
            pd_session_reach(c->session, "esp-both-ways", p->frame, p->ts_ns);
    }
    /* ESP inside decrypted ESP is left alone: one level is what L2TP/IPsec needs, and
     * the plaintext buffer is in use. */
    if (e->ike->esp_keys && !p->nest)
        esp_decrypt(e, p, sa, data, len, wire_len);
}

/* What --esp-keys did for the session: "37 packets decrypted (FILE:2, FILE:3); ...". */
static void esp_decryption_attr(ike_pair *pair, ike_conv *c)
{
    uint64_t ok = c->esp_decrypted[0] + c->esp_decrypted[1];
    uint64_t bad = c->esp_failed[0] + c->esp_failed[1];
    uint64_t none = c->esp_nokey[0] + c->esp_nokey[1];
    GString *t = g_string_new(NULL);
    if (ok) {
        GString *rows = g_string_new(NULL);
        for (size_t i = 0; i < pair->n_esp; i++) {
            const esp_sa *sa = &pair->esp[i];
            if (sa->conv == c && sa->key && sa->decrypted && !strstr(rows->str, sa->key->where))
                g_string_append_printf(rows, "%s%s", rows->len ? ", " : "", sa->key->where);
        }
        g_string_append_printf(t, "%" G_GUINT64_FORMAT " packet%s decrypted (%s)", ok,
                               ok == 1 ? "" : "s", rows->str);
        g_string_free(rows, TRUE);
    }
    if (bad)
        g_string_append_printf(t, "%s%" G_GUINT64_FORMAT " not decrypted: %s (%s)",
                               t->len ? "; " : "", bad, c->esp_fail_what, c->esp_fail_row);
    if (none)
        g_string_append_printf(t, "%s%" G_GUINT64_FORMAT " with no ESP SA row",
                               t->len ? "; " : "", none);
    if (c->esp_inner_unread)
        g_string_append_printf(t, "%s%" G_GUINT64_FORMAT " not analysed (truncated, or an inner "
                                  "IP fragment)",
                               t->len ? "; " : "", c->esp_inner_unread);
    if (t->len)
        pd_session_attr_str(c->session, "esp_decryption", t->str);
    g_string_free(t, TRUE);
}

void pd_esp_conv_summary(pd_engine *e, ike_pair *pair, ike_conv *c)
{
    static const char *const spi_keys[2] = { "esp_spis_to_server", "esp_spis_to_client" };
    static const char *const pkt_keys[2] = { "esp_packets_to_server", "esp_packets_to_client" };
    pd_session *s = c->session;
    GString *spis[2] = { g_string_new(NULL), g_string_new(NULL) };
    uint32_t restarts = 0;
    bool any = false, udp = false, ip = false;
    for (size_t i = 0; i < pair->n_esp; i++) {
        const esp_sa *sa = &pair->esp[i];
        if (sa->conv != c)
            continue;
        any = true;
        udp = udp || sa->udp;
        ip = ip || !sa->udp;
        restarts += sa->restarts;
        g_string_append_printf(spis[sa->dir], "%s0x%08x", spis[sa->dir]->len ? ", " : "", sa->spi);
        if (sa->have_ladder && sa->ladder_idx < s->n_ladder) {
            char keys[192] = "";
            if (sa->key && sa->decrypted)
                g_snprintf(keys, sizeof keys, "; %" G_GUINT64_FORMAT " decrypted with %s%s",
                           sa->decrypted, sa->key->where, sa->failed ? ", some not" : "");
            else if (sa->key && sa->failed)
                g_snprintf(keys, sizeof keys, "; not decrypted with %s: %s", sa->key->where,
                           pd_esp_status_name(sa->last_fail));
            else if (e->ike->esp_keys && !sa->key && sa->key_looked_up)
                g_strlcpy(keys, "; no ESP SA row for it", sizeof keys);
            pd_ladder_annotate(&s->ladder[sa->ladder_idx],
                               "%" G_GUINT64_FORMAT " packets over %.1f s "
                               "(last frame %" G_GUINT64_FORMAT ", seq %u)%s",
                               sa->packets, pd_seconds(sa->first_ts, sa->last_ts), sa->last_frame,
                               sa->last_seq, keys);
        }
    }
    if (any) {
        for (int d = 0; d < 2; d++) {
            if (spis[d]->len)
                pd_session_attr_str(s, spi_keys[d], spis[d]->str);
            pd_session_attr_num(s, pkt_keys[d], (int64_t)c->esp_packets[d]);
        }
        pd_session_attr_str(s, "esp_encapsulation", udp && ip ? "IP 50 and UDP 4500"
                                                    : udp     ? "UDP 4500 (RFC 3948)"
                                                              : "IP 50");
        if (restarts)
            pd_session_attr_num(s, "esp_sequence_restarts", restarts);
    }
    if (pair->esp_untracked && c == pd_ike_pair_newest_ike(pair))
        pd_session_attr_num(s, "esp_packets_untracked", (int64_t)pair->esp_untracked);
    if (any && e->ike->esp_keys)
        esp_decryption_attr(pair, c);
    g_string_free(spis[0], TRUE);
    g_string_free(spis[1], TRUE);
}

/* The rows that failed, as "FILE:LINE (SPI 0x..., icv_mismatch)", for the finding. */
static char *failed_rows(ike_pair *pair, ike_conv *c, uint64_t *packets)
{
    GString *t = g_string_new(NULL);
    *packets = 0;
    for (size_t i = 0; i < pair->n_esp; i++) {
        const esp_sa *sa = &pair->esp[i];
        if (sa->conv != c || !sa->key || !sa->failed)
            continue;
        *packets += sa->failed;
        g_string_append_printf(t, "%s%s for SPI 0x%08x (%" G_GUINT64_FORMAT " packet%s: %s)",
                               t->len ? "; " : "", sa->key->where, sa->spi, sa->failed,
                               sa->failed == 1 ? "" : "s", pd_esp_status_name(sa->last_fail));
    }
    return g_string_free(t, FALSE);
}

void pd_esp_detect_keys(pd_engine *e, ike_pair *pair, ike_conv *c)
{
    if (!e->ike->esp_keys || c->esp_failed[0] + c->esp_failed[1] == 0)
        return;
    uint64_t n = 0;
    char *rows = failed_rows(pair, c, &n);
    pd_finding *f = pd_finding_begin(PD_SIG_ESP_KEYS_NOT_APPLIED, c->session);
    pd_finding_summary(f, "The ESP SA table's keys do not decrypt %" G_GUINT64_FORMAT
                          " ESP packet%s: %s",
                       n, n == 1 ? "" : "s", rows);
    pd_finding_explain(f,
                       "With an authentication key, the ICV computed over the packet does not "
                       "match the one it carries (RFC 4303 3.4.4); without one (or with an AEAD "
                       "cipher), the decrypted trailer is not the default padding 1, 2, 3... "
                       "(RFC 4303 2.4) or the tag fails. Either way the row's keys are not this "
                       "SA's: another negotiation (a rekeyed SA, another run), the directions "
                       "swapped, or a wrong algorithm. Nothing from these packets was analysed: "
                       "the session is judged from what is in clear, as without keys.");
    pd_finding_remedy(f, "Take the keys of these SPIs from the same negotiation: `ip -s xfrm "
                         "state` on a Linux peer while the SA is up (each direction is one row), "
                         "or Wireshark's own ESP SA table where it decrypts this capture.");
    pd_finding_evidence(f, c->esp_fail_frame, 0, "first ESP packet the row %s does not decrypt "
                        "(%s)", c->esp_fail_row ? c->esp_fail_row : "?",
                        c->esp_fail_what ? c->esp_fail_what : "failed");
    pd_finding_commit(e, f);
    g_free(rows);
}

void pd_esp_keys_unmatched_note(pd_engine *e)
{
    const pd_esp_keys *k = e->ike->esp_keys;
    if (!k)
        return;
    GString *rows = g_string_new(NULL);
    unsigned n = 0;
    for (guint i = 0; i < k->rows->len; i++) {
        const pd_esp_key_row *r = g_ptr_array_index(k->rows, i);
        if (!r->matched && n++ < 8)
            g_string_append_printf(rows, "%s%s", rows->len ? ", " : "", r->where);
    }
    if (n) {
        pd_finding *f = pd_finding_begin(PD_SIG_ESP_KEYS_NOT_APPLIED, NULL);
        pd_finding_summary(f, "%u ESP SA row%s match%s no ESP SA of this capture: %s%s", n,
                           n == 1 ? "" : "s", n == 1 ? "es" : "", rows->str, n > 8 ? ", ..." : "");
        pd_finding_explain(f, "Rows are matched by protocol, source and destination address and "
                              "SPI (Wireshark's rule: the first row that matches). These name "
                              "SAs whose ESP is not in this capture (another run, a rekeyed SA, "
                              "the other direction's capture); they change nothing in the "
                              "verdicts.");
        pd_finding_remedy(f, "Nothing to do, unless a session of this capture was expected to "
                             "decrypt: then compare the row's addresses and SPI with the ESP "
                             "packets (the SPI is in clear in each).");
        pd_finding_commit(e, f);
    }
    g_string_free(rows, TRUE);
}
