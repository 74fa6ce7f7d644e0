/* fuzz_ikev2.c - fuzz target: the IKEv2 decoder (pd_ikev2_decode and its
 * lookups), the shared IKE framing, and the proposals it yields through the
 * policy printer and comparison.
 *
 * Input: one UDP payload of port 500, starting at the IKE header. It is
 * decoded whole, then again as if the capture had cut it (see
 * pd_fuzz_ike_cut), then with the datagram claiming fewer bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>

#include "fuzz_ike_common.h"
#include "ikev2.h"

static void decode(const uint8_t *data, size_t caplen, size_t wire_len)
{
    pd_ikev2_message m;
    pd_ike_status st = pd_ikev2_decode(data, caplen, wire_len, &m);
    PD_FUZZ_CHECK(st == m.status);
    pd_fuzz_touch(pd_ike_status_name(st));
    pd_fuzz_touch(m.detail);
    pd_fuzz_touch(pd_ike_exchange_name(2, m.hdr.exchange));
    (void)pd_ikev2_is_response(&m);
    (void)pd_ikev2_from_initiator(&m);
    PD_FUZZ_CHECK(m.n_payloads <= PD_IKE_MAX_PAYLOADS);
    for (size_t i = 0; i < m.n_payloads; i++) {
        const pd_ikev2_payload *p = &m.payloads[i];
        pd_fuzz_touch(pd_ike_payload_name(2, p->type));
        pd_fuzz_touch(p->detail);
        if (!p->complete)
            continue;
        switch (p->type) {
        case PD_IKEV2_PL_SA: {
            const pd_ikev2_sa *sa = &p->u.sa;
            PD_FUZZ_CHECK(sa->n_proposals <= PD_IKE_MAX_PROPOSALS);
            for (size_t j = 0; j < sa->n_proposals; j++) {
                const pd_ikev2_proposal *pr = &sa->proposals[j];
                PD_FUZZ_CHECK(pr->n_transforms <= PD_IKE_MAX_TRANSFORMS);
                for (size_t k = 0; k < pr->n_transforms; k++)
                    pd_fuzz_touch(pd_ike_transform_id_name(pr->transforms[k].type,
                                                           pr->transforms[k].id));
            }
            pd_ike_proposal props[PD_IKE_MAX_PROPOSALS];
            size_t n = pd_ikev2_sa_proposals(sa, props, PD_IKE_MAX_PROPOSALS);
            PD_FUZZ_CHECK(n <= PD_IKE_MAX_PROPOSALS);
            pd_fuzz_ike_proposals(props, n);
            break;
        }
        case PD_IKEV2_PL_NOTIFY:
            pd_fuzz_ike_notify(2, &p->u.notify);
            break;
        case PD_IKEV2_PL_IDI:
        case PD_IKEV2_PL_IDR:
            pd_fuzz_ike_id(&p->u.id);
            break;
        case PD_IKEV2_PL_DELETE:
            PD_FUZZ_CHECK(p->u.del.n_kept <= PD_IKE_DELETE_MAX_SPIS);
            break;
        case PD_IKEV2_PL_VID:
            pd_fuzz_touch(p->u.vid.name);
            break;
        case PD_IKEV2_PL_TSI:
        case PD_IKEV2_PL_TSR:
            PD_FUZZ_CHECK(p->u.ts.n <= PD_IKEV2_MAX_TS);
            for (size_t j = 0; j < p->u.ts.n; j++) {
                PD_FUZZ_CHECK(memchr(p->u.ts.ts[j].start, 0, PD_IKE_ADDR_TEXT_MAX) != NULL);
                PD_FUZZ_CHECK(memchr(p->u.ts.ts[j].end, 0, PD_IKE_ADDR_TEXT_MAX) != NULL);
            }
            break;
        case PD_IKEV2_PL_CP:
            pd_fuzz_touch(pd_ike_cfg_type_name(p->u.cp.type));
            break;
        default:
            break;
        }
    }
    const pd_ikev2_payload *sa = pd_ikev2_find(&m, PD_IKEV2_PL_SA, NULL);
    if (sa)
        (void)pd_ikev2_find(&m, PD_IKEV2_PL_SA, sa);
    (void)pd_ikev2_find_notify(&m, 17 /* INVALID_KE_PAYLOAD */);
    pd_ikev2_message_clear(&m);
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
