/* fuzz_ike_common.h - shared by the IKE fuzz targets: the header, UDP
 * demultiplexer and payload walker run on the same bytes as the decoder,
 * and normalised proposals are printed and compared with a fixed policy.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_FUZZ_IKE_COMMON_H
#define PD_FUZZ_IKE_COMMON_H

#include <glib.h>
#include <string.h>

#include "fuzz_common.h"
#include "ike.h"
#include "ike_names.h"
#include "ike_policy.h"

/* Where the fuzz input is cut as if by a snaplen: somewhere past the
 * header, chosen by the input's last byte, so both decodes differ. */
static inline size_t pd_fuzz_ike_cut(const uint8_t *data, size_t size)
{
    if (size <= PD_IKE_HEADER_LEN)
        return size;
    return PD_IKE_HEADER_LEN + data[size - 1] % (size - PD_IKE_HEADER_LEN);
}

static inline void pd_fuzz_ike_framing(const uint8_t *data, size_t size)
{
    for (int natt = 0; natt < 2; natt++) {
        size_t off = 999;
        pd_ike_udp_kind k = pd_ike_udp_classify(data, size, natt, &off);
        pd_fuzz_touch(pd_ike_udp_kind_name(k));
        if (k == PD_IKE_UDP_IKE)
            PD_FUZZ_CHECK(off <= size);
    }
    (void)pd_ike_peek_major(data, size);
    pd_ike_header h;
    if (pd_ike_header_decode(data, size, size, &h) != PD_IKE_OK)
        return;
    pd_ike_walker w;
    pd_ike_walker_init(&w, data, size, &h);
    pd_ike_payload_raw p;
    size_t n = 0;
    while (pd_ike_walker_next(&w, &p)) {
        PD_FUZZ_CHECK(++n <= PD_IKE_MAX_PAYLOADS);
        PD_FUZZ_CHECK(p.offset < size);
        if (p.complete)
            PD_FUZZ_CHECK(pd_cursor_remaining(&p.body) == (size_t)p.length - 4);
    }
    pd_fuzz_touch(pd_ike_status_name(w.status));
    pd_fuzz_touch(w.detail);
    (void)pd_ike_walker_trailing(&w);
}

/* A policy that a few decoded proposals will match and most will not. */
static inline void pd_fuzz_ike_policy(pd_ike_policy *pol)
{
    GError *err = NULL;
    bool ok = pd_ike_policy_parse("aes256-sha256-modp2048,aes128-sha1-modp1024,"
                                  "esp:aes128gcm16-esn,ah:sha1", pol, &err);
    PD_FUZZ_CHECK(ok && err == NULL);
}

static inline void pd_fuzz_ike_proposals(const pd_ike_proposal *props, size_t n)
{
    pd_ike_policy pol;
    pd_fuzz_ike_policy(&pol);
    for (size_t i = 0; i < n; i++) {
        for (int t = 0; t < PD_IKE_XF__COUNT; t++)
            PD_FUZZ_CHECK(props[i].n[t] <= PD_IKE_PROPOSAL_MAX_ALGS);
        char *s = pd_ike_proposal_to_string(&props[i]);
        PD_FUZZ_CHECK(s != NULL && g_utf8_validate(s, -1, NULL));
        g_free(s);
        GPtrArray *diffs = g_ptr_array_new_with_free_func(g_free);
        for (size_t j = 0; j < pol.n_proposals; j++) {
            size_t d = pd_ike_proposal_compare(&props[i], &pol.proposals[j], diffs);
            PD_FUZZ_CHECK((d == 0) == pd_ike_proposal_matches(&props[i], &pol.proposals[j]));
        }
        g_ptr_array_free(diffs, TRUE);
    }
    size_t oi = 0, pi = 0;
    if (pd_ike_proposals_match(props, n, pol.proposals, pol.n_proposals, &oi, &pi))
        PD_FUZZ_CHECK(oi < n && pi < pol.n_proposals);
    pd_ike_policy_clear(&pol);
}

static inline void pd_fuzz_ike_notify(uint8_t version, const pd_ike_notify *n)
{
    pd_fuzz_touch(pd_ike_notify_name(version, n->type));
    PD_FUZZ_CHECK(n->data_len <= 0xffff);
}

static inline void pd_fuzz_ike_id(const pd_ike_id *id)
{
    PD_FUZZ_CHECK(memchr(id->text, 0, sizeof id->text) != NULL);
    PD_FUZZ_CHECK(g_utf8_validate(id->text, -1, NULL));
}

#endif /* PD_FUZZ_IKE_COMMON_H */
