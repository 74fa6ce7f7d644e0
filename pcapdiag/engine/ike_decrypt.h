/* ike_decrypt.h - the IKE tracker's decryption step (--ike-keys): key-table
 * rows matched to IKE SAs (IKEv1 by initiator cookie, IKEv2 by SPI pair),
 * IKEv1 IV chains (RFC 2409 Appendix B), IKEv2 fragment reassembly after
 * decryption (RFC 7383 2.6), and what the decrypted messages said, kept for
 * the detectors (identities, traffic selectors, CHILD_SA offers,
 * certificates, EAP/XAUTH/configuration results).
 *
 * ike_track.c calls it for every encrypted message; the message in clear
 * comes back as a synthetic IKE message (the original header, flags and
 * length adjusted, followed by the decrypted payloads) that the ordinary
 * decoders (ikev1.c, ikev2.c) read like any other.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_DECRYPT_H
#define PD_IKE_DECRYPT_H

#include "ike_session.h"
#include "ikev1.h"
#include "ikev2.h"

#define IKE_DEC_MAX_V1 4           /* ISAKMP SAs with IV state per session */
#define IKE_DEC_V1_CHAIN 8         /* IKEv1 message IDs whose IV chain is kept */
#define IKE_DEC_V1_P1_STATES 6     /* phase-1 IVs kept (the first, then after each message) */
#define IKE_DEC_KE_MAX 1024        /* the largest KE value kept (MODP 8192) */
#define IKE_DEC_SKF_SLOTS 2        /* IKEv2 messages reassembled at once per session */
#define IKE_DEC_SKF_MAX_FRAGS 64   /* RFC 7383 allows more; real messages use a handful */
#define IKE_DEC_SKF_MAX_BYTES 65536 /* of one reassembled message in clear */
#define IKE_DEC_TEXT_MAX 512       /* traffic selector and certificate text kept */

typedef enum ike_dec_result {
    IKE_DEC_NONE,    /* no key tables given, or the message is in clear */
    IKE_DEC_NOKEY,   /* encrypted; no row for its IKE SA */
    IKE_DEC_FAILED,  /* a row matched, but did not decrypt or verify it */
    IKE_DEC_PENDING, /* an SKF fragment decrypted and kept: its message is not whole yet */
    IKE_DEC_DONE     /* *out holds the message in clear */
} ike_dec_result;

typedef struct ike_dec_out {
    uint8_t *msg;             /* header + payloads in clear (g_free) */
    size_t len;
    const char *key_where;    /* "FILE:LINE" of the row used */
    uint16_t frag_total;      /* SKF: reassembled from this many fragments; 0 for SK */
    bool have_ladder;         /* SKF: the ladder line written for fragment 1 */
    size_t ladder_idx;
    pd_ike_decrypt_status why; /* IKE_DEC_FAILED: the first row's answer */
    const char *why_text;     /* IKE_DEC_FAILED: in words */
} ike_dec_out;

/* What the encrypted part of a message looked like (from the outer decode). */
typedef struct ike_dec_in {
    const uint8_t *data;   /* the message from its IKE header */
    size_t caplen;         /* bytes captured of it */
    const pd_ike_header *hdr;
    int dir;               /* IKE_C2S / IKE_S2C */
    bool from_initiator;   /* sent by the IKE SA's original initiator */
    /* IKEv2: the SK or SKF payload */
    size_t sk_off, sk_len;
    bool skf;
    uint8_t first_payload; /* the SK/SKF next-payload field */
    uint16_t frag_number, frag_total;
    int64_t ts;            /* capture time: the oldest reassembly gives way */
} ike_dec_in;

/* Decrypt one encrypted message of session c. ike_dec_out_clear() after. */
ike_dec_result pd_ike_dec_message(pd_engine *e, ike_conv *c, const ike_dec_in *in,
                                  ike_dec_out *out);
void ike_dec_out_clear(ike_dec_out *out);

/* An SKF fragment 1 got ladder line idx: its reassembled text goes there. */
void pd_ike_dec_skf_line(ike_conv *c, int dir, const pd_ike_header *h, size_t idx);

/* IKEv1 clear-text phase-1 messages: the KE values (IV material) and the
 * chosen transform (cipher, key length, hash). `data` as in ike_dec_in. */
void pd_ike_dec_v1_clear(ike_conv *c, const uint8_t *data, size_t caplen, const pd_ike_header *h,
                         bool from_initiator);
void pd_ike_dec_v1_sa(ike_conv *c, const uint8_t cookie_i[8], uint16_t encr, uint16_t key_bits,
                      uint16_t hash);

/* One message that was decrypted: remember what the detectors need. */
void pd_ike_dec_note_v2(ike_conv *c, int dir, bool response, const pd_ikev2_message *v,
                        const uint8_t *msg, size_t len, uint64_t frame, int64_t ts);
void pd_ike_dec_note_v1(ike_conv *c, int dir, bool response, const pd_ikev1_message *v,
                        const uint8_t *msg, size_t len, uint64_t frame, int64_t ts);
/* A message in clear with CERT or CERTREQ payloads (IKE_SA_INIT's CERTREQ,
 * IKEv1 aggressive mode): its certificates and the CAs asked for. */
void pd_ike_dec_note_certs(ike_conv *c, int dir, uint8_t version, const uint8_t *data,
                           size_t caplen);
/* Count a message's decryption outcome for the session's attributes. */
void pd_ike_dec_count(ike_conv *c, int dir, ike_dec_result r, const ike_dec_out *out,
                      uint64_t frame, int64_t ts);

void pd_ike_dec_free(ike_conv *c);

/* Facts from decrypted messages (ike_conv.inner), read by ike_detect.c. */
typedef struct ike_id_seen {
    bool set;
    uint8_t type;
    char text[PD_IKE_ID_TEXT_MAX];
    uint64_t frame;
    int64_t ts;
} ike_id_seen;

typedef struct ike_inner {
    /* Identities (RFC 7296 3.5; IKEv1 main mode #5/#6): the initiator's,
     * the one the initiator asked the responder to be (IKEv2 IDr in the
     * request), the responder's own. */
    ike_id_seen id_i, id_r_wanted, id_r;
    /* The first CHILD_SA negotiation (IKE_AUTH or CREATE_CHILD_SA request,
     * IKEv1 quick mode #1): its offers and traffic selectors. */
    pd_ike_proposal *child_offers;
    size_t n_child_offers;
    uint64_t child_frame;
    int64_t child_ts;
    char ts_i[IKE_DEC_TEXT_MAX], ts_r[IKE_DEC_TEXT_MAX];
    pd_ike_proposal *child_chosen; /* from the response, NULL until seen */
    /* Certificates each side sent (summaries) and CAs it asked for. */
    char certs[2][IKE_DEC_TEXT_MAX * 2];
    uint32_t n_certs[2];
    uint32_t n_certreq_cas[2];
    uint8_t auth_method[2]; /* IKEv2 AUTH method per side, 0 none */
    /* EAP Failure, XAUTH status FAIL, configuration failures. */
    uint64_t eap_failure_frame;
    int64_t eap_failure_ts;
    uint8_t eap_type;
    bool eap_failure_mschapv2;  /* the failure is an EAP-MSCHAPv2 Failure request */
    uint32_t eap_mschapv2_error; /* its E= (691 ...), 0 when absent */
    uint64_t xauth_fail_frame;
    int64_t xauth_fail_ts;
    uint64_t xauth_ok_frame;
    uint64_t cfg_request_frame; /* CP/ATTR asking for an internal address */
    int64_t cfg_request_ts;
    bool cfg_reply_address;     /* a reply assigned one */
    /* Decryption outcome per direction. */
    uint32_t decrypted[2], failed[2], nokey[2];
    const char *fail_what;
    uint64_t fail_frame;
    int64_t fail_ts;
    char *key_where[2]; /* rows used per direction */
    char *fail_where;
} ike_inner;

#endif /* PD_IKE_DECRYPT_H */
