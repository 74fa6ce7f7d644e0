/* ike_policy.h - IKE/IPsec proposals as text: the strongSwan compact
 * notation printer ("IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/
 * MODP_2048"), a parser for strongSwan proposal strings as given to
 * `--policy` ("aes256-sha256-modp2048,esp:aes128gcm16"), and comparison of
 * offered proposals (decoded from a capture, IKEv1 or IKEv2) against such a
 * policy, naming each transform type that disagrees.
 *
 * All proposals use the normalised pd_ike_proposal (ike.h): IKEv2 registry
 * numbers, one proposal per IKEv1 transform.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_POLICY_H
#define PD_IKE_POLICY_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* ---- printing ----------------------------------------------------------------- */

/* strongSwan's notation: "<PROTO>:" then the algorithms joined by '/', in
 * the order ENCR, INTEG, PRF, DH, ESN, ADDKE1..7:
 *   IKEv2 / policy:  "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"
 *                    "ESP:AES_GCM_16_256/no ESN"
 * An IKEv1 phase-1 hash is printed as its HMAC ("HMAC_SHA1"), and IKEv1
 * attributes without an IKEv2 transform follow after spaces:
 *   "IKE:AES_CBC_256/HMAC_SHA1/MODP_1024 auth PSK life 28800s"
 *   "ESP:AES_CBC_128/HMAC_SHA1_96/no ESN mode TUNNEL life 3600s/4608000KB"
 * Encryption with a key length gets "_<bits>"; unknown ids print as
 * "ENCR_<n>", "INTEG_<n>", "PRF_<n>", "DH_<n>". */
void pd_ike_proposal_format(const pd_ike_proposal *p, GString *out);
char *pd_ike_proposal_to_string(const pd_ike_proposal *p); /* g_free() it */

/* One algorithm as the printer writes it ("AES_CBC_256", "MODP_2048"). */
void pd_ike_alg_format(unsigned type, const pd_ike_alg *a, bool v1_hash, GString *out);

/* ---- parsing ------------------------------------------------------------------- */

#define PD_IKE_POLICY_ERROR (pd_ike_policy_error_quark())
GQuark pd_ike_policy_error_quark(void);

typedef enum pd_ike_policy_error {
    PD_IKE_POLICY_ERROR_EMPTY,         /* nothing to parse, or an empty proposal/algorithm */
    PD_IKE_POLICY_ERROR_UNKNOWN,       /* a token that is no known keyword */
    PD_IKE_POLICY_ERROR_NOT_ALLOWED,   /* e.g. a PRF in an esp proposal */
    PD_IKE_POLICY_ERROR_INCOMPLETE,    /* a required transform type is missing */
    PD_IKE_POLICY_ERROR_TOO_MANY       /* more proposals or algorithms than the caps */
} pd_ike_policy_error;

#define PD_IKE_POLICY_MAX_PROPOSALS 32

typedef struct pd_ike_policy {
    pd_ike_proposal *proposals; /* version 0, protocol from the prefix */
    size_t n_proposals;
} pd_ike_policy;

/* Parse strongSwan proposal strings: proposals separated by ',', each a
 * '-'-separated list of keywords (aes256, aes128gcm16, 3des, sha256, prfsha384,
 * modp2048, ecp256, x25519, ke1_mlkem768, esn, noesn, ...), optionally
 * prefixed "ike:", "esp:" or "ah:". The prefix selects the kind and holds
 * for the proposals that follow until the next prefix; the default is ike.
 * Keywords are case-insensitive; a trailing '!' (strict, ipsec.conf) is
 * ignored. As in strongSwan, an ike proposal without PRF keywords gets the
 * PRFs matching its integrity algorithms, integrity algorithms are dropped
 * next to AEAD ciphers, and an esp/ah proposal without esn/noesn means
 * noesn. On error returns false and sets *error with a message naming the
 * offending token and proposal; *out is then empty. */
bool pd_ike_policy_parse(const char *text, pd_ike_policy *out, GError **error);
void pd_ike_policy_clear(pd_ike_policy *p);

/* Parse one proposal (no ',') of the given kind (PD_IKE_PROTO_*), a prefix
 * in text overriding it. */
bool pd_ike_proposal_parse(const char *text, uint8_t protocol, pd_ike_proposal *out,
                           GError **error);

/* ---- comparison ------------------------------------------------------------------ */

/* Compare one offered proposal with one policy proposal, transform type by
 * transform type: a type differs when the two lists have no algorithm in
 * common (an absent DH/INTEG/ESN list counts as NONE/no ESN; a missing key
 * length counts as the cipher's default). For each differing type appends
 * (when diffs is not NULL) a g_malloc'd line such as
 *   "ENCR AES_CBC_128 <-> expected AES_CBC_256"
 *   "DH MODP_1024 <-> expected MODP_2048/ECP_256"
 *   "HASH HMAC_MD5 <-> expected HMAC_SHA1"      (IKEv1 phase-1 hash)
 *   "PROTOCOL ESP <-> expected IKE"             (then nothing else is compared)
 * Create diffs with g_ptr_array_new_with_free_func(g_free). IKEv1 phase-1
 * offers have no INTEG list and are compared on ENCR, HASH (PRF) and DH.
 * Returns the number of differing types (0 = match). */
size_t pd_ike_proposal_compare(const pd_ike_proposal *offered, const pd_ike_proposal *policy,
                               GPtrArray *diffs);
bool pd_ike_proposal_matches(const pd_ike_proposal *offered, const pd_ike_proposal *policy);

/* Whether any offered proposal matches any policy proposal; the first such
 * pair (offered order first) goes to *offered_index / *policy_index (either
 * may be NULL). */
bool pd_ike_proposals_match(const pd_ike_proposal *offered, size_t n_offered,
                            const pd_ike_proposal *policy, size_t n_policy,
                            size_t *offered_index, size_t *policy_index);

#endif /* PD_IKE_POLICY_H */
