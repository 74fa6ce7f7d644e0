/* fuzz_ike_policy.c - fuzz target: the `--policy` parser
 * (pd_ike_policy_parse, pd_ike_proposal_parse) and what consumes its
 * result: the proposal printer and the comparison of proposals.
 *
 * Input: the policy text (any bytes; a NUL ends it early, as on a command
 * line). Every parsed proposal is printed and compared with every other.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "fuzz_common.h"
#include "ike_policy.h"

#define PD_FUZZ_MAX_TEXT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > PD_FUZZ_MAX_TEXT)
        return 0;
    char *text = g_malloc(size + 1);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';

    pd_ike_policy pol = { 0 };
    GError *err = NULL;
    if (pd_ike_policy_parse(text, &pol, &err)) {
        PD_FUZZ_CHECK(err == NULL);
        PD_FUZZ_CHECK(pol.n_proposals >= 1 && pol.n_proposals <= PD_IKE_POLICY_MAX_PROPOSALS);
        for (size_t i = 0; i < pol.n_proposals; i++) {
            char *s = pd_ike_proposal_to_string(&pol.proposals[i]);
            PD_FUZZ_CHECK(s && g_utf8_validate(s, -1, NULL));
            g_free(s);
            GPtrArray *diffs = g_ptr_array_new_with_free_func(g_free);
            for (size_t j = 0; j < pol.n_proposals; j++)
                pd_ike_proposal_compare(&pol.proposals[i], &pol.proposals[j], diffs);
            /* A proposal always matches itself. */
            PD_FUZZ_CHECK(pd_ike_proposal_matches(&pol.proposals[i], &pol.proposals[i]));
            g_ptr_array_free(diffs, TRUE);
        }
        size_t oi, pi;
        PD_FUZZ_CHECK(pd_ike_proposals_match(pol.proposals, pol.n_proposals, pol.proposals,
                                             pol.n_proposals, &oi, &pi));
        pd_ike_policy_clear(&pol);
    } else {
        /* Failure: a message, and nothing left to free. */
        PD_FUZZ_CHECK(err != NULL && err->message != NULL);
        PD_FUZZ_CHECK(pol.n_proposals == 0);
        /* Error messages quote the input; they must not grow without bound. */
        PD_FUZZ_CHECK(strlen(err->message) < 2 * size + 512);
        g_error_free(err);
        pd_ike_policy_clear(&pol);
    }

    /* One proposal, the kind chosen by the first byte (prefixes override). */
    pd_ike_proposal p;
    err = NULL;
    uint8_t proto = size ? (uint8_t)(1 + data[0] % 4) : 1;
    if (pd_ike_proposal_parse(text, proto, &p, &err)) {
        char *s = pd_ike_proposal_to_string(&p);
        g_free(s);
    } else {
        PD_FUZZ_CHECK(err != NULL);
        g_error_free(err);
    }
    g_free(text);
    return 0;
}
