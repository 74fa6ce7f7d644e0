/* ikev2.h - IKEv2 message decoder (RFC 7296; fragmentation RFC 7383; EAP
 * RFC 3748 header; later notify/transform registrations).
 *
 * One call turns one message into a pd_ikev2_message: the header and every
 * clear-text payload, SA payloads down to transform attributes. Only
 * IKE_SA_INIT is clear text in practice; later messages carry an SK payload
 * (46) or, fragmented, SKF (53): the decoder stops there and records that
 * the message is encrypted, its encrypted length, the first inner payload
 * type and for SKF the fragment number and total.
 *
 *     pd_ikev2_message m;
 *     pd_ikev2_decode(data, caplen, wire_len, &m);
 *     const pd_ike_notify *n = pd_ikev2_find_notify(&m, PD_IKE_N_INVALID_KE_PAYLOAD);
 *     if (n && n->has_group) ... responder wants group n->group ...
 *     pd_ikev2_message_clear(&m);
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKEV2_H
#define PD_IKEV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* Payload types (RFC 7296 3.2, RFC 7383 2.5). */
enum {
    PD_IKEV2_PL_NONE = 0,
    PD_IKEV2_PL_SA = 33,
    PD_IKEV2_PL_KE = 34,
    PD_IKEV2_PL_IDI = 35,
    PD_IKEV2_PL_IDR = 36,
    PD_IKEV2_PL_CERT = 37,
    PD_IKEV2_PL_CERTREQ = 38,
    PD_IKEV2_PL_AUTH = 39,
    PD_IKEV2_PL_NONCE = 40,
    PD_IKEV2_PL_NOTIFY = 41,
    PD_IKEV2_PL_DELETE = 42,
    PD_IKEV2_PL_VID = 43,
    PD_IKEV2_PL_TSI = 44,
    PD_IKEV2_PL_TSR = 45,
    PD_IKEV2_PL_SK = 46,
    PD_IKEV2_PL_CP = 47,
    PD_IKEV2_PL_EAP = 48,
    PD_IKEV2_PL_SKF = 53
};

/* Exchange types (RFC 7296 3.1, RFC 9242, RFC 9370). */
enum {
    PD_IKEV2_EXCH_IKE_SA_INIT = 34,
    PD_IKEV2_EXCH_IKE_AUTH = 35,
    PD_IKEV2_EXCH_CREATE_CHILD_SA = 36,
    PD_IKEV2_EXCH_INFORMATIONAL = 37,
    PD_IKEV2_EXCH_IKE_INTERMEDIATE = 43,
    PD_IKEV2_EXCH_IKE_FOLLOWUP_KE = 44
};

#define PD_IKEV2_MAX_TS 8         /* traffic selectors kept per TS payload */
#define PD_IKEV2_MAX_CP_ATTRS 16  /* configuration attribute types kept */

typedef struct pd_ikev2_transform {
    uint8_t type;        /* PD_IKE_XF_*: 1 ENCR, 2 PRF, 3 INTEG, 4 DH, 5 ESN, 6..12 ADDKE */
    uint16_t id;         /* pd_ike_transform_id_name(type, id) */
    uint16_t key_length; /* attribute 14 (RFC 7296 3.3.5), bits; 0 = absent */
    size_t n_attrs;      /* attributes carried (key length included) */
    bool malformed;      /* an attribute ran past the transform */
} pd_ikev2_transform;

typedef struct pd_ikev2_proposal {
    uint8_t number;
    uint8_t protocol;    /* PD_IKE_PROTO_*: 1 IKE, 2 AH, 3 ESP */
    uint8_t spi_size;    /* 8 for an IKE SA rekey, 4 for AH/ESP, 0 in IKE_SA_INIT */
    uint8_t spi[PD_IKE_SPI_MAX];
    uint8_t n_transforms_claimed;
    pd_ikev2_transform *transforms;
    size_t n_transforms;
    bool transforms_dropped; /* more than PD_IKE_MAX_TRANSFORMS */
} pd_ikev2_proposal;

/* Security Association payload (RFC 7296 3.3). */
typedef struct pd_ikev2_sa {
    pd_ikev2_proposal *proposals;
    size_t n_proposals;
    bool malformed;      /* inner lengths/counts inconsistent; proposals so far kept */
    const char *detail;
} pd_ikev2_sa;

typedef struct pd_ikev2_ts_entry {
    uint8_t type;        /* 7 TS_IPV4_ADDR_RANGE, 8 TS_IPV6_ADDR_RANGE */
    uint8_t ip_protocol; /* 0 = any */
    uint16_t start_port, end_port;
    char start[PD_IKE_ADDR_TEXT_MAX], end[PD_IKE_ADDR_TEXT_MAX]; /* empty for other types */
} pd_ikev2_ts_entry;

typedef struct pd_ikev2_payload {
    uint8_t type;        /* PD_IKEV2_PL_* */
    bool critical;       /* C bit (RFC 7296 3.2) */
    uint16_t length;     /* claimed, generic header included */
    size_t offset;       /* from the start of the IKE header */
    bool complete;       /* body captured whole; u is filled only then */
    bool malformed;
    const char *detail;
    size_t body_len;     /* length - 4 */
    union {
        pd_ikev2_sa sa;            /* SA */
        struct {
            uint16_t group;        /* pd_ike_dh_name() */
            size_t data_len;
        } ke;                      /* KE */
        pd_ike_id id;              /* IDi, IDr (protocol/port unused) */
        struct {
            uint8_t encoding;      /* pd_ike_cert_encoding_name() */
            size_t data_len;
        } cert;                    /* CERT, CERTREQ */
        struct {
            uint8_t method;        /* pd_ikev2_auth_method_name() */
            size_t data_len;
        } auth;                    /* AUTH */
        pd_ike_notify notify;      /* N */
        pd_ike_delete del;         /* D */
        pd_ike_vendor vid;         /* V */
        struct {
            uint8_t n_claimed;
            size_t n;
            pd_ikev2_ts_entry ts[PD_IKEV2_MAX_TS];
        } ts;                      /* TSi, TSr */
        struct {
            uint8_t first_payload; /* the SK/SKF next-payload field: first inner payload */
            size_t data_len;       /* IV + ciphertext + ICV */
            uint16_t frag_number;  /* SKF only, 1-based (RFC 7383 2.5) */
            uint16_t frag_total;
        } sk;                      /* SK, SKF */
        struct {
            uint8_t type;          /* pd_ike_cfg_type_name() */
            size_t n_attrs;
            uint16_t attr_types[PD_IKEV2_MAX_CP_ATTRS];
            bool has_ip4;          /* INTERNAL_IP4_ADDRESS with 4 bytes of value */
            uint8_t ip4[4];
        } cp;                      /* CP */
        struct {
            uint8_t code;          /* pd_ike_eap_code_name() */
            uint8_t identifier;
            uint16_t length;
            uint8_t type;          /* Request/Response only, else 0 */
            uint8_t mschapv2_opcode; /* Request of type 26 (MSCHAPv2): 1 Challenge ... 4 Failure */
            bool has_mschapv2_error;
            uint32_t mschapv2_error; /* E= of a Failure request (691: bad credentials) */
        } eap;                     /* EAP */
    } u; /* Nonce and unknown types: body_len only */
} pd_ikev2_payload;

typedef struct pd_ikev2_message {
    pd_ike_header hdr;
    pd_ike_status status;  /* first problem; OK when none */
    const char *detail;
    size_t problem_offset;
    bool encrypted;        /* an SK or SKF payload ends the clear part */
    size_t encrypted_len;  /* its body length */
    uint8_t encrypted_first_payload;
    bool fragment;         /* SKF */
    uint16_t frag_number, frag_total;
    pd_ikev2_payload *payloads;
    size_t n_payloads;
    size_t trailing;       /* bytes after the last payload (after SK: none expected) */
} pd_ikev2_message;

static inline bool pd_ikev2_is_response(const pd_ikev2_message *m)
{
    return (m->hdr.flags & PD_IKEV2_FLAG_RESPONSE) != 0;
}

static inline bool pd_ikev2_from_initiator(const pd_ikev2_message *m)
{
    return (m->hdr.flags & PD_IKEV2_FLAG_INITIATOR) != 0;
}

/* Decode one message; same contract as pd_ikev1_decode(). */
pd_ike_status pd_ikev2_decode(const uint8_t *data, size_t caplen, size_t wire_len,
                              pd_ikev2_message *out);
void pd_ikev2_message_clear(pd_ikev2_message *m);

const pd_ikev2_payload *pd_ikev2_find(const pd_ikev2_message *m, uint8_t type,
                                      const pd_ikev2_payload *after);
const pd_ike_notify *pd_ikev2_find_notify(const pd_ikev2_message *m, uint16_t type);

/* Normalise: one pd_ike_proposal per proposal, at most max; returns count. */
size_t pd_ikev2_sa_proposals(const pd_ikev2_sa *sa, pd_ike_proposal *out, size_t max);
void pd_ikev2_proposal_normalise(const pd_ikev2_proposal *p, pd_ike_proposal *out);

#endif /* PD_IKEV2_H */
