/* ikev1.h - ISAKMP / IKEv1 message decoder (RFC 2408, RFC 2409, IPsec DOI
 * RFC 2407, NAT-T RFC 3947, DPD RFC 3706, mode config / XAUTH drafts).
 *
 * One call turns one message into a pd_ikev1_message: the header, and for a
 * clear-text message every payload, with SA payloads decoded down to the
 * attributes of each transform. An encrypted message (flag E: main mode 5/6,
 * quick mode, most informationals) yields the header and the encrypted
 * length only.
 *
 * Typical use:
 *
 *     pd_ikev1_message m;
 *     pd_ikev1_decode(udp_payload + marker, caplen, wire_len, &m);
 *     const pd_ikev1_payload *sa = pd_ikev1_find(&m, PD_IKEV1_PL_SA, NULL);
 *     if (sa) {
 *         pd_ike_proposal props[16];
 *         size_t n = pd_ikev1_sa_proposals(&sa->u.sa, props, 16);
 *         ...
 *     }
 *     pd_ikev1_message_clear(&m);
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKEV1_H
#define PD_IKEV1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* Payload types (RFC 2408 3.1, RFC 3947 3.1/5.1, IANA ISAKMP registry). */
enum {
    PD_IKEV1_PL_NONE = 0,
    PD_IKEV1_PL_SA = 1,
    PD_IKEV1_PL_PROPOSAL = 2,
    PD_IKEV1_PL_TRANSFORM = 3,
    PD_IKEV1_PL_KE = 4,
    PD_IKEV1_PL_ID = 5,
    PD_IKEV1_PL_CERT = 6,
    PD_IKEV1_PL_CR = 7,
    PD_IKEV1_PL_HASH = 8,
    PD_IKEV1_PL_SIG = 9,
    PD_IKEV1_PL_NONCE = 10,
    PD_IKEV1_PL_NOTIFY = 11,
    PD_IKEV1_PL_DELETE = 12,
    PD_IKEV1_PL_VID = 13,
    PD_IKEV1_PL_ATTR = 14,         /* mode config / XAUTH */
    PD_IKEV1_PL_NAT_D = 20,        /* RFC 3947 */
    PD_IKEV1_PL_NAT_OA = 21,
    PD_IKEV1_PL_NAT_D_DRAFT = 130, /* draft-ietf-ipsec-nat-t-ike-01..08 */
    PD_IKEV1_PL_NAT_OA_DRAFT = 131,
    PD_IKEV1_PL_FRAG = 132         /* Cisco/strongSwan IKEv1 fragment */
};

/* Exchange types (RFC 2408 4, RFC 2409 5.5/5.6). */
enum {
    PD_IKEV1_EXCH_BASE = 1,
    PD_IKEV1_EXCH_MAIN = 2, /* Identity Protection */
    PD_IKEV1_EXCH_AUTH_ONLY = 3,
    PD_IKEV1_EXCH_AGGRESSIVE = 4,
    PD_IKEV1_EXCH_INFORMATIONAL = 5,
    PD_IKEV1_EXCH_TRANSACTION = 6,
    PD_IKEV1_EXCH_QUICK = 32,
    PD_IKEV1_EXCH_NEW_GROUP = 33
};

/* One transform: the raw attributes, and the ones that matter interpreted.
 * Which attribute table applies depends on the proposal's protocol:
 * ISAKMP (phase 1, RFC 2409 App. A) or AH/ESP/IPCOMP (IPsec DOI, RFC 2407
 * 4.5). Interpreted fields are 0 when the attribute is absent. */
typedef struct pd_ikev1_transform {
    uint8_t number;
    uint8_t id;             /* KEY_IKE (1) in phase 1; ESP_AES (12) etc. in phase 2 */
    pd_ike_attr *attrs;     /* as carried, at most PD_IKE_MAX_ATTRS */
    size_t n_attrs;
    bool attrs_dropped;     /* more than PD_IKE_MAX_ATTRS */
    bool malformed;         /* an attribute ran past the transform; decoding stopped there */
    /* phase 1 */
    uint16_t encr;          /* attr 1: pd_ikev1_encr_name() */
    uint16_t hash;          /* attr 2: pd_ikev1_hash_name() */
    uint16_t auth_method;   /* attr 3: pd_ikev1_auth_method_name() */
    uint16_t prf;           /* attr 13 (rarely sent) */
    /* phase 2 */
    uint16_t encap_mode;    /* attr 4: pd_ikev1_encap_mode_name() */
    uint16_t auth_alg;      /* attr 5: pd_ikev1_auth_alg_name() */
    bool esn;               /* attr 11 = 1 (RFC 4304) */
    /* both */
    uint16_t group;         /* phase 1 attr 4, phase 2 attr 3 (PFS): pd_ike_dh_name() */
    uint16_t key_length;    /* phase 1 attr 14, phase 2 attr 6; bits */
    uint64_t life_seconds;  /* duration following a life type of seconds */
    uint64_t life_kbytes;   /* duration following a life type of kilobytes */
} pd_ikev1_transform;

typedef struct pd_ikev1_proposal {
    uint8_t number;         /* proposals with the same number form one bundle (AH+ESP) */
    uint8_t protocol;       /* PD_IKE_PROTO_*: 1 ISAKMP, 2 AH, 3 ESP, 4 IPCOMP */
    uint8_t spi_size;
    uint8_t spi[PD_IKE_SPI_MAX]; /* first min(spi_size, 16) bytes */
    uint8_t n_transforms_claimed;
    pd_ikev1_transform *transforms;
    size_t n_transforms;
    bool transforms_dropped; /* more than PD_IKE_MAX_TRANSFORMS */
} pd_ikev1_proposal;

/* Security Association payload (RFC 2408 3.4, RFC 2407 4.6.1). */
typedef struct pd_ikev1_sa {
    uint32_t doi;           /* 1 = IPsec; proposals are decoded for DOI 0 and 1 only */
    uint32_t situation;     /* SIT_IDENTITY_ONLY = 1 in practice */
    pd_ikev1_proposal *proposals;
    size_t n_proposals;
    bool malformed;         /* inner lengths/counts inconsistent; proposals so far kept */
    const char *detail;     /* static text naming the problem */
} pd_ikev1_sa;

typedef struct pd_ikev1_payload {
    uint8_t type;           /* PD_IKEV1_PL_* */
    uint16_t length;        /* claimed, generic header included */
    size_t offset;          /* from the start of the IKE header */
    bool complete;          /* body captured whole; u is filled only then */
    bool malformed;         /* body too short for its fixed fields, or bad inside */
    const char *detail;     /* static text when malformed */
    size_t body_len;        /* length - 4 */
    union {
        pd_ikev1_sa sa;          /* SA */
        pd_ike_notify notify;    /* N */
        pd_ike_delete del;       /* D */
        pd_ike_id id;            /* ID */
        pd_ike_vendor vid;       /* V */
        struct {
            uint8_t encoding;    /* pd_ike_cert_encoding_name() */
            size_t data_len;
        } cert;                  /* CERT, CR */
        struct {
            size_t len;
            uint8_t hash[PD_IKE_HASH_MAX];
        } natd;                  /* NAT-D (20, 130): HASH(CKY-I | CKY-R | IP | port) */
        struct {
            uint8_t id_type;     /* 1 IPv4, 5 IPv6 */
            char addr[PD_IKE_ADDR_TEXT_MAX];
        } nat_oa;                /* NAT-OA (21, 131) */
        struct {
            uint16_t id;
            uint8_t number;
            bool last;
            size_t data_len;
        } frag;                  /* FRAG (132) */
        struct {
            uint8_t type;        /* pd_ike_cfg_type_name() */
            uint16_t identifier;
            size_t n_attrs;
            uint16_t attr_types[16];
            bool has_xauth_status; /* XAUTH_STATUS: 0 fail, 1 OK */
            uint16_t xauth_status;
        } attr;                  /* ATTR (14) */
    } u; /* KE, HASH, SIG, NONCE and unknown types: body_len only */
} pd_ikev1_payload;

typedef struct pd_ikev1_message {
    pd_ike_header hdr;
    pd_ike_status status;   /* first problem; OK when none */
    const char *detail;     /* static text naming it */
    size_t problem_offset;  /* where (from the IKE header) */
    bool encrypted;         /* flag E: payloads not decoded */
    size_t encrypted_len;   /* header length - 28 */
    pd_ikev1_payload *payloads;
    size_t n_payloads;
    size_t trailing;        /* bytes after the last payload, within the header length */
} pd_ikev1_message;

/* Decode one message. data/caplen: the captured bytes starting at the IKE
 * header (after any non-ESP marker); wire_len: the length the datagram
 * really had (UDP length - 8 - marker), caplen if unknown. Never reads
 * beyond caplen. Returns out->status. Always call pd_ikev1_message_clear()
 * afterwards, whatever the status. */
pd_ike_status pd_ikev1_decode(const uint8_t *data, size_t caplen, size_t wire_len,
                              pd_ikev1_message *out);
void pd_ikev1_message_clear(pd_ikev1_message *m);

/* First payload of the given type after `after` (NULL: from the start). */
const pd_ikev1_payload *pd_ikev1_find(const pd_ikev1_message *m, uint8_t type,
                                      const pd_ikev1_payload *after);
/* First notify of the given type, or NULL. */
const pd_ike_notify *pd_ikev1_find_notify(const pd_ikev1_message *m, uint16_t type);

/* Normalise: one pd_ike_proposal per transform, in order, at most max.
 * Returns how many were written. */
size_t pd_ikev1_sa_proposals(const pd_ikev1_sa *sa, pd_ike_proposal *out, size_t max);
void pd_ikev1_transform_to_proposal(const pd_ikev1_proposal *p, const pd_ikev1_transform *t,
                                    pd_ike_proposal *out);

#endif /* PD_IKEV1_H */
