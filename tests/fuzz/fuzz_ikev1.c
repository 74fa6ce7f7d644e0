/* fuzz_ikev1.c - fuzz target: the ISAKMP/IKEv1 decoder (pd_ikev1_decode
 * and its lookups), the shared IKE framing, and the proposals it yields
 * through the policy printer and comparison.
 *
 * Input: one UDP payload of port 500, starting at the IKE header. It is
 * decoded whole, then again as if the capture had cut it (see
 * pd_fuzz_ike_cut), then with the datagram claiming fewer bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>

#include "fuzz_ike_common.h"
#include "ikev1.h"

static void decode(const uint8_t *data, size_t caplen, size_t wire_len)
{
    pd_ikev1_message m;
    pd_ike_status st = pd_ikev1_decode(data, caplen, wire_len, &m);
    PD_FUZZ_CHECK(st == m.status);
    pd_fuzz_touch(pd_ike_status_name(st));
    pd_fuzz_touch(m.detail);
    pd_fuzz_touch(pd_ike_exchange_name(1, m.hdr.exchange));
    PD_FUZZ_CHECK(m.n_payloads <= PD_IKE_MAX_PAYLOADS);
    for (size_t i = 0; i < m.n_payloads; i++) {
        const pd_ikev1_payload *p = &m.payloads[i];
        pd_fuzz_touch(pd_ike_payload_name(1, p->type));
        pd_fuzz_touch(p->detail);
        if (!p->complete)
            continue;
        switch (p->type) {
        case PD_IKEV1_PL_SA: {
            const pd_ikev1_sa *sa = &p->u.sa;
            PD_FUZZ_CHECK(sa->n_proposals <= PD_IKE_MAX_PROPOSALS);
            for (size_t j = 0; j < sa->n_proposals; j++) {
                const pd_ikev1_proposal *pr = &sa->proposals[j];
                PD_FUZZ_CHECK(pr->n_transforms <= PD_IKE_MAX_TRANSFORMS);
                for (size_t k = 0; k < pr->n_transforms; k++)
                    PD_FUZZ_CHECK(pr->transforms[k].n_attrs <= PD_IKE_MAX_ATTRS);
            }
            pd_ike_proposal props[PD_IKE_MAX_PROPOSALS];
            size_t n = pd_ikev1_sa_proposals(sa, props, PD_IKE_MAX_PROPOSALS);
            PD_FUZZ_CHECK(n <= PD_IKE_MAX_PROPOSALS);
            pd_fuzz_ike_proposals(props, n);
            break;
        }
        case PD_IKEV1_PL_NOTIFY:
            pd_fuzz_ike_notify(1, &p->u.notify);
            break;
        case PD_IKEV1_PL_ID:
            pd_fuzz_ike_id(&p->u.id);
            break;
        case PD_IKEV1_PL_DELETE:
            PD_FUZZ_CHECK(p->u.del.n_kept <= PD_IKE_DELETE_MAX_SPIS);
            break;
        case PD_IKEV1_PL_VID:
            pd_fuzz_touch(p->u.vid.name);
            break;
        case PD_IKEV1_PL_NAT_OA:
        case PD_IKEV1_PL_NAT_OA_DRAFT:
            PD_FUZZ_CHECK(memchr(p->u.nat_oa.addr, 0, sizeof p->u.nat_oa.addr) != NULL);
            break;
        case PD_IKEV1_PL_ATTR:
            PD_FUZZ_CHECK(p->u.attr.n_attrs <= 0xffff);
            break;
        default:
            break;
        }
    }
    const pd_ikev1_payload *sa = pd_ikev1_find(&m, PD_IKEV1_PL_SA, NULL);
    if (sa)
        (void)pd_ikev1_find(&m, PD_IKEV1_PL_SA, sa);
    (void)pd_ikev1_find_notify(&m, 14 /* NO-PROPOSAL-CHOSEN */);
    pd_ikev1_message_clear(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (size)
        memcpy(copy, data, size);
    const uint8_t *p = size ? copy : NULL;
    pd_fuzz_ike_framing(p, size);
    decode(p, size, size);
    decode(p, pd_fuzz_ike_cut(p, size), size);
    decode(p, size, size / 2);
    free(copy);
    return 0;
}
