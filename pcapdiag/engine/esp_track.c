/* esp_track.c - ESP SAs (RFC 4303) over IP protocol 50 and in UDP 4500
 * (RFC 3948): per SPI and direction, packet counts, first and last time,
 * sequence number restarts; tied to the IKE session between the same two
 * hosts (by endpoints and timing: the SPIs themselves are negotiated
 * encrypted), or an ESP session of its own when the capture holds no IKE.
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
}

void pd_esp_conv_summary(pd_engine *e, ike_pair *pair, ike_conv *c)
{
    static const char *const spi_keys[2] = { "esp_spis_to_server", "esp_spis_to_client" };
    static const char *const pkt_keys[2] = { "esp_packets_to_server", "esp_packets_to_client" };
    pd_session *s = c->session;
    GString *spis[2] = { g_string_new(NULL), g_string_new(NULL) };
    uint32_t restarts = 0;
    bool any = false, udp = false, ip = false;
    (void)e;
    for (size_t i = 0; i < pair->n_esp; i++) {
        const esp_sa *sa = &pair->esp[i];
        if (sa->conv != c)
            continue;
        any = true;
        udp = udp || sa->udp;
        ip = ip || !sa->udp;
        restarts += sa->restarts;
        g_string_append_printf(spis[sa->dir], "%s0x%08x", spis[sa->dir]->len ? ", " : "", sa->spi);
        if (sa->have_ladder && sa->ladder_idx < s->n_ladder)
            pd_ladder_annotate(&s->ladder[sa->ladder_idx],
                               "%" G_GUINT64_FORMAT " packets over %.1f s "
                               "(last frame %" G_GUINT64_FORMAT ", seq %u)",
                               sa->packets, pd_seconds(sa->first_ts, sa->last_ts), sa->last_frame,
                               sa->last_seq);
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
    g_string_free(spis[0], TRUE);
    g_string_free(spis[1], TRUE);
}
