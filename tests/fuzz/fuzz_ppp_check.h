/* fuzz_ppp_check.h - what the PPP-carrying fuzz targets check on every
 * decoded PPP frame: each byte run it points at lies inside the frame's
 * buffer, the check/describe/text helpers stay within their buffers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_FUZZ_PPP_CHECK_H
#define PD_FUZZ_PPP_CHECK_H

#include <string.h>

#include "fuzz_common.h"
#include "ppp.h"
#include "ppp_track.h"

static inline bool pd_fuzz_bytes_inside(const pd_ppp_bytes *b, const uint8_t *buf, size_t len)
{
    if (b->len == 0)
        return true;
    uintptr_t p = (uintptr_t)b->p, lo = (uintptr_t)buf;
    return b->p && p >= lo && b->len <= len && p - lo <= len - b->len;
}

static inline void pd_fuzz_text(const pd_ppp_bytes *b)
{
    char out[40];
    size_t n = pd_ppp_text_copy(b, out, sizeof out);
    PD_FUZZ_CHECK(n == strlen(out) && n < sizeof out);
    n = pd_ppp_text_copy(b, out, 1);
    PD_FUZZ_CHECK(n == 0 && out[0] == '\0');
}

static inline void pd_fuzz_check_ppp(const pd_ppp_frame *f, const uint8_t *buf, size_t len)
{
    const pd_ppp_bytes *runs[] = {
        &f->info, &f->data, &f->text, &f->peer_name, &f->value, &f->message,
        &f->mschap.challenge, &f->mschap.authenticator, &f->mschap.message,
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        PD_FUZZ_CHECK(pd_fuzz_bytes_inside(runs[i], buf, len));
        pd_fuzz_text(runs[i]);
    }
    PD_FUZZ_CHECK(f->n_options <= PD_PPP_MAX_OPTIONS);
    for (size_t i = 0; i < f->n_options; i++) {
        PD_FUZZ_CHECK(pd_fuzz_bytes_inside(&f->options[i].value, buf, len));
        pd_fuzz_touch(pd_ppp_option_name(f->protocol, f->options[i].type));
        pd_fuzz_touch(pd_lcp_option_name(f->options[i].type));
    }
    pd_ppp_damage d = pd_ppp_check(f);
    PD_FUZZ_CHECK(d < PD_PPP_DAMAGE__COUNT);
    pd_fuzz_touch(pd_ppp_damage_name(d));
    pd_fuzz_touch(pd_ppp_damage_text(d));
    (void)pd_ppp_damage_is_mangling(d);
    if (f->status == PD_PPP_MALFORMED)
        PD_FUZZ_CHECK(f->malformed != PD_PPP_DAMAGE_NONE);

    char line[256];
    for (unsigned flags = 0; flags <= PD_PPP_DESCRIBE_STABLE; flags++) {
        size_t n = pd_ppp_describe(f, line, sizeof line, flags);
        PD_FUZZ_CHECK(n == strlen(line) && n < sizeof line);
        char small[11];
        n = pd_ppp_describe(f, small, sizeof small, flags);
        PD_FUZZ_CHECK(n == strlen(small) && n < sizeof small);
    }
    pd_ppp_describe(f, line, 0, 0);
    pd_fuzz_touch(pd_ppp_protocol_name(f->protocol));
    pd_fuzz_touch(pd_ppp_code_name(f->protocol, f->code));
    pd_fuzz_touch(pd_ppp_status_name(f->status));
    if (f->has_eap_type)
        pd_fuzz_touch(pd_eap_type_name(f->eap_type));
    (void)pd_ppp_protocol_is_control(f->protocol);
    (void)pd_ppp_protocol_known(f->protocol);
    /* cfg is a union: only the member of the frame's protocol is meaningful. */
    if (f->protocol == PD_PPP_LCP && f->cfg.lcp.has_auth)
        pd_fuzz_touch(pd_ppp_auth_name(f->cfg.lcp.auth_protocol, f->cfg.lcp.auth_algorithm));
}

/* Read back everything a link tracker holds, through its predicates. */
static inline void pd_fuzz_check_link(const pd_ppp_link *l)
{
    for (int cp = 0; cp < PD_PPP_CP__COUNT; cp++) {
        pd_fuzz_touch(pd_ppp_cp_name((pd_ppp_cp)cp));
        (void)pd_ppp_link_cp_opened(l, (pd_ppp_cp)cp);
        (void)pd_ppp_link_cp_open_now(l, (pd_ppp_cp)cp);
        int dir = -1;
        (void)pd_ppp_link_terminated(l, (pd_ppp_cp)cp, &dir);
        for (int d = 0; d < 2; d++) {
            const pd_ppp_cp_side *s = &l->cp[cp][d];
            pd_fuzz_touch(pd_ppp_cp_state_name(s->state));
            PD_FUZZ_CHECK(memchr(s->term_reason, 0, sizeof s->term_reason) != NULL);
            PD_FUZZ_CHECK(s->req_types.n <= PD_PPP_TRACK_MAX_TYPES);
            PD_FUZZ_CHECK(s->nak_types.n <= PD_PPP_TRACK_MAX_TYPES);
            PD_FUZZ_CHECK(s->rej_types.n <= PD_PPP_TRACK_MAX_TYPES);
            (void)pd_ppp_link_unanswered_reqs(l, (pd_ppp_cp)cp, d);
        }
    }
    PD_FUZZ_CHECK(memchr(l->auth.peer_name, 0, sizeof l->auth.peer_name) != NULL);
    PD_FUZZ_CHECK(memchr(l->auth.message, 0, sizeof l->auth.message) != NULL);
    PD_FUZZ_CHECK(l->auth.eap_types.n <= PD_PPP_TRACK_MAX_TYPES);
    for (int d = 0; d < 2; d++)
        PD_FUZZ_CHECK(l->dir[d].n_rejected_protocols <= PD_PPP_TRACK_MAX_PROTOS);
    pd_fuzz_touch(pd_ppp_auth_result_name(l->auth.result));
    (void)pd_ppp_link_lcp_opened(l);
    (void)pd_ppp_link_ccp_opened(l);
    (void)pd_ppp_link_ipcp_opened(l);
    (void)pd_ppp_link_ipv6cp_opened(l);
    (void)pd_ppp_link_auth_done(l);
    (void)pd_ppp_link_auth_failed(l);
    (void)pd_ppp_link_mppe(l);
    (void)pd_ppp_link_looped(l);
    (void)pd_ppp_link_malformed(l);
}

#endif /* PD_FUZZ_PPP_CHECK_H */
