/* ike.h - shared ISAKMP/IKE framing: the 28-byte header and generic payload
 * chain (RFC 2408 3.1-3.2, RFC 7296 3.1-3.2), SA substructure and attribute
 * walking (RFC 2408 3.3-3.6, RFC 7296 3.3), the UDP 500/4500 demultiplexer
 * (RFC 3948 2.2-2.3), and the version-neutral results both decoders fill.
 *
 * Layers: ike.c frames bytes; ikev1.c / ikev2.c turn one message into a
 * pd_ikev1_message / pd_ikev2_message; ike_names.c names every number;
 * ike_policy.c prints and compares proposals; ike_natd.c recomputes NAT-D.
 * Nothing here keeps state between messages: session tracking is the
 * caller's.
 *
 * Every decoded struct is self-contained: small values (SPIs, notify data,
 * ID text, vendor IDs) are COPIED out of the packet, so a decoded message
 * stays valid after the packet buffer is gone. Only SA proposal arrays are
 * heap-allocated, and they are freed by pd_ikev1_message_clear() /
 * pd_ikev2_message_clear().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_H
#define PD_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapdiag/cursor.h"

#define PD_IKE_HEADER_LEN 28
#define PD_IKE_PORT 500
#define PD_IKE_NATT_PORT 4500 /* RFC 3947 5: the port IKE floats to after NAT detection */

/* Caps: captured bytes are hostile, so every list has a ceiling. Counts
 * beyond a cap are still reported (the *_claimed fields) and flagged. */
#define PD_IKE_MAX_PAYLOADS 64     /* per message; more is PD_IKE_TOO_MANY_PAYLOADS */
#define PD_IKE_MAX_PROPOSALS 32    /* per SA payload */
#define PD_IKE_MAX_TRANSFORMS 128  /* per proposal (IKEv1 offers can be long) */
#define PD_IKE_MAX_ATTRS 32        /* per transform */
#define PD_IKE_SPI_MAX 16          /* longest SPI copied (IKEv1 ISAKMP SPI = both cookies) */
#define PD_IKE_NOTIFY_DATA_MAX 64  /* notification data bytes copied (NAT-D SHA-512 fits) */
#define PD_IKE_DELETE_MAX_SPIS 8   /* SPIs copied from one Delete payload */
#define PD_IKE_ID_TEXT_MAX 256     /* rendered identity text, NUL included */
#define PD_IKE_VID_MAX 32          /* vendor ID bytes copied */
#define PD_IKE_HASH_MAX 64         /* NAT-D hash bytes copied */
#define PD_IKE_ADDR_TEXT_MAX 46    /* INET6_ADDRSTRLEN */

/* ---- decode status ------------------------------------------------------- */

/* The first problem met while decoding one message. Decoders keep what they
 * decoded before the problem, so a status other than OK still comes with a
 * header and usually some payloads: a malformed message is a finding, not a
 * failure. */
typedef enum pd_ike_status {
    PD_IKE_OK = 0,
    PD_IKE_TRUNCATED,          /* the capture (snaplen) ended inside the message */
    PD_IKE_BAD_LENGTH,         /* header length < 28, or more than the datagram carries */
    PD_IKE_BAD_VERSION,        /* major version is not the decoder's (1 or 2) */
    PD_IKE_TOO_MANY_PAYLOADS,  /* chain longer than PD_IKE_MAX_PAYLOADS (a loop in effect) */
    PD_IKE_BAD_PAYLOAD_LENGTH, /* a payload length < 4, or running past the message */
    PD_IKE_MALFORMED           /* a payload's inner structure is inconsistent (proposal,
                                * transform or attribute lengths, counts, SKF numbering) */
} pd_ike_status;

/* Stable snake_case names: "ok", "truncated", "bad_length", "bad_version",
 * "too_many_payloads", "bad_payload_length", "malformed". */
const char *pd_ike_status_name(pd_ike_status s);

/* ---- header (RFC 2408 3.1, RFC 7296 3.1) --------------------------------- */

#define PD_IKEV1_FLAG_ENCRYPTED 0x01 /* E: everything after the header is encrypted */
#define PD_IKEV1_FLAG_COMMIT 0x02    /* C */
#define PD_IKEV1_FLAG_AUTH_ONLY 0x04 /* A */
#define PD_IKEV2_FLAG_INITIATOR 0x08 /* I: sent by the original initiator of the IKE SA */
#define PD_IKEV2_FLAG_VERSION 0x10   /* V: sender could speak a higher major version */
#define PD_IKEV2_FLAG_RESPONSE 0x20  /* R: this message is a response */

typedef struct pd_ike_header {
    uint8_t spi_i[8];     /* IKEv2 SPIi; IKEv1 initiator cookie (CKY-I) */
    uint8_t spi_r[8];     /* IKEv2 SPIr; IKEv1 responder cookie (CKY-R); zero in the first message */
    uint8_t next_payload; /* type of the first payload */
    uint8_t version;      /* raw byte: 0x10 for IKEv1, 0x20 for IKEv2 */
    uint8_t major, minor; /* its nibbles */
    uint8_t exchange;     /* exchange type (ike_names.h names it) */
    uint8_t flags;
    uint32_t message_id;
    uint32_t length;      /* whole message, header included, as claimed */
} pd_ike_header;

/* Decode the 28-byte header. caplen: bytes captured; wire_len: the UDP
 * payload length from the UDP header (pass caplen if unknown), minus any
 * non-ESP marker. Returns PD_IKE_OK when the header is whole and its length
 * is >= 28 and <= wire_len; PD_IKE_TRUNCATED when fewer than 28 bytes were
 * captured of a longer datagram; PD_IKE_BAD_LENGTH otherwise. `out` is filled
 * whenever 28 bytes were captured. The version is not checked here. */
pd_ike_status pd_ike_header_decode(const uint8_t *data, size_t caplen, size_t wire_len,
                                   pd_ike_header *out);

/* Major version of the message at data (1 or 2), or 0 if there are fewer
 * than 28 bytes: tells the caller which decoder to run. */
uint8_t pd_ike_peek_major(const uint8_t *data, size_t len);

/* ---- UDP demultiplexing (RFC 3948 2.2, 2.3; RFC 3947 4) ------------------- */

typedef enum pd_ike_udp_kind {
    PD_IKE_UDP_IKE,       /* an IKE message starts at *ike_offset (0, or 4 after the marker) */
    PD_IKE_UDP_ESP,       /* ESP in UDP: a non-zero SPI where the marker would be */
    PD_IKE_UDP_KEEPALIVE, /* NAT-keepalive: exactly one 0xFF byte */
    PD_IKE_UDP_OTHER      /* too short to be any of these */
} pd_ike_udp_kind;

/* True for the NAT-T port pair: either side on 4500 (the NAT may have moved
 * the other port anywhere). */
static inline bool pd_ike_udp_is_natt(uint16_t sport, uint16_t dport)
{
    return sport == PD_IKE_NATT_PORT || dport == PD_IKE_NATT_PORT;
}

/* Classify one UDP payload of an IKE flow. natt: the flow is on the NAT-T
 * port (pd_ike_udp_is_natt). On NAT-T a zero 32-bit first word is the
 * non-ESP marker and anything else of at least 8 bytes is ESP. On port 500
 * the IKE header starts at 0; only if the bytes there cannot be an IKE
 * header (version, length) while those after a zero first word can, is a
 * stray marker skipped. A single 0xFF is a keepalive on either port. */
pd_ike_udp_kind pd_ike_udp_classify(const uint8_t *data, size_t len, bool natt,
                                    size_t *ike_offset);
const char *pd_ike_udp_kind_name(pd_ike_udp_kind k); /* "ike", "esp", "keepalive", "other" */

/* ---- generic payload chain (RFC 2408 3.2, RFC 7296 3.2) ------------------- */

typedef struct pd_ike_payload_raw {
    uint8_t type;    /* this payload's type (the previous next-payload field) */
    uint8_t next;    /* its own next-payload field */
    uint8_t flags;   /* second byte: IKEv2 critical bit 0x80, reserved in IKEv1 */
    uint16_t length; /* claimed, including the 4-byte generic header */
    size_t offset;   /* from the start of the IKE header */
    bool complete;   /* the whole body was captured; body is valid only then */
    pd_cursor body;  /* length - 4 bytes */
} pd_ike_payload_raw;

typedef struct pd_ike_walker {
    pd_cursor msg;        /* over min(header length, caplen) bytes */
    size_t msg_len;       /* header length (the message's own extent) */
    uint8_t next;         /* type of the payload to read next; 0 = end */
    size_t count;         /* payloads returned so far */
    bool done;
    pd_ike_status status; /* first problem, PD_IKE_OK if none */
    const char *detail;   /* static text naming it, NULL if none */
    size_t problem_offset;
} pd_ike_walker;

/* Start walking the payloads of the message whose header was decoded into h
 * (pd_ike_header_decode returned OK). */
void pd_ike_walker_init(pd_ike_walker *w, const uint8_t *data, size_t caplen,
                        const pd_ike_header *h);
/* Next payload: true and *out filled; false at the end of the chain or on a
 * problem (w->status). A payload whose body was cut by the capture is
 * returned once with complete = false, and the walk then stops with
 * PD_IKE_TRUNCATED. Stops after PD_IKE_MAX_PAYLOADS. */
bool pd_ike_walker_next(pd_ike_walker *w, pd_ike_payload_raw *out);
/* Stop after the current payload (IKEv2 SK/SKF: their next-payload field
 * names the first inner payload, not a following one). */
void pd_ike_walker_stop(pd_ike_walker *w);
/* Bytes of the message after the last payload walked (per the header length). */
size_t pd_ike_walker_trailing(const pd_ike_walker *w);

/* ---- SA substructures (shared by the two decoders) ------------------------ */

/* One data attribute, AF/TV or TLV (RFC 2408 3.3, RFC 7296 3.3.5). */
typedef struct pd_ike_attr {
    uint16_t type;       /* without the AF bit */
    bool tv;             /* AF set: the 16-bit value sits where the length would */
    uint16_t length;     /* TLV value length (2 for TV) */
    uint64_t value;      /* TV value, or a TLV value of up to 8 significant bytes */
    bool value_too_long; /* TLV value wider than 64 bits: value is 0, do not use */
} pd_ike_attr;

/* Read one attribute from c. Returns false at a clean end (nothing left);
 * sets *bad (and returns false) when the attribute does not fit. */
bool pd_ike_attr_next(pd_cursor *c, pd_ike_attr *out, bool *bad);

/* Proposal and transform substructures share a generic header whose first
 * byte is 0 for the last one and `more` (2 proposal / 3 transform)
 * otherwise. Reads one: *body gets the substructure after its 4-byte
 * header; *last whether it claimed to be the last. Returns false with
 * *detail set when it does not fit (length < min_len or past c). */
bool pd_ike_substructure_next(pd_cursor *c, size_t min_len, pd_cursor *body, bool *last,
                              uint8_t *marker, const char **detail);

/* ---- version-neutral payload contents ------------------------------------- */

/* Notify (RFC 2408 3.14, RFC 7296 3.10). */
typedef struct pd_ike_notify {
    uint32_t doi;      /* IKEv1 only */
    uint8_t protocol;  /* protocol ID the SPI belongs to (0 when none) */
    uint8_t spi_size;
    uint16_t type;     /* ike_names.h: pd_ike_notify_name() */
    uint8_t spi[PD_IKE_SPI_MAX]; /* first min(spi_size, 16) bytes */
    size_t data_len;   /* notification data length as carried */
    uint8_t data[PD_IKE_NOTIFY_DATA_MAX]; /* its first bytes */
    /* IKEv2 INVALID_KE_PAYLOAD (17) carries the 2-byte group the responder
     * wants (RFC 7296 1.3): decoded here for the detectors. */
    bool has_group;
    uint16_t group;
} pd_ike_notify;

/* Delete (RFC 2408 3.15, RFC 7296 3.11). */
typedef struct pd_ike_delete {
    uint32_t doi;      /* IKEv1 only */
    uint8_t protocol;
    uint8_t spi_size;
    uint16_t n_spis;   /* as claimed */
    uint8_t n_kept;    /* SPIs copied below (at most PD_IKE_DELETE_MAX_SPIS) */
    uint8_t spis[PD_IKE_DELETE_MAX_SPIS][PD_IKE_SPI_MAX];
} pd_ike_delete;

/* Identification (RFC 2407 4.6.2, RFC 7296 3.5). */
typedef struct pd_ike_id {
    uint8_t type;      /* ike_names.h: pd_ike_id_type_name() */
    uint8_t protocol;  /* IKEv1 only (IP protocol, 0 = any) */
    uint16_t port;     /* IKEv1 only */
    size_t data_len;
    /* Printable rendering: "192.0.2.1", "10.0.0.0/255.255.255.0",
     * "10.0.0.1-10.0.0.9", "vpn.example.com", "user@example.com";
     * DER DNs, key IDs and unknown types as "hex:0a1b..." (shortened with
     * "..." when long). Non-printable bytes in names become '?'. */
    char text[PD_IKE_ID_TEXT_MAX];
} pd_ike_id;

/* Render ID data of the given type; version 1 knows the IKEv1-only
 * subnet/range types (4, 6, 7, 8). Always NUL-terminates buf. */
void pd_ike_id_format(uint8_t version, uint8_t type, const uint8_t *data, size_t len, char *buf,
                      size_t buflen);

/* Vendor ID (RFC 2408 3.16, RFC 7296 3.12); recognised by prefix in ike_names.c. */
typedef enum pd_ike_vid_kind {
    PD_IKE_VID_UNKNOWN = 0,
    PD_IKE_VID_NATT_RFC3947,   /* RFC 3947 NAT-T */
    PD_IKE_VID_NATT_DRAFT,     /* draft-ietf-ipsec-nat-t-ike-00..09, draft-stenberg */
    PD_IKE_VID_DPD,            /* RFC 3706 dead peer detection */
    PD_IKE_VID_XAUTH,          /* draft-ietf-ipsra-isakmp-xauth */
    PD_IKE_VID_FRAGMENTATION,  /* IKEv1 fragmentation (MD5 "FRAGMENTATION"; Cisco variant) */
    PD_IKE_VID_MICROSOFT,      /* MS NT5 ISAKMPOAKLEY + version: a Windows stack */
    PD_IKE_VID_MICROSOFT_OTHER,/* MS-Negotiation Discovery Capable, Vid-Initial-Contact, IKE CGA */
    PD_IKE_VID_CISCO_UNITY,
    PD_IKE_VID_STRONGSWAN,
    PD_IKE_VID_OTHER           /* another known implementation or feature */
} pd_ike_vid_kind;

typedef struct pd_ike_vendor {
    size_t len;                  /* vendor ID length as carried */
    uint8_t data[PD_IKE_VID_MAX];/* its first bytes */
    pd_ike_vid_kind kind;
    const char *name;            /* static, NULL when unknown */
    bool has_version;            /* MS NT5 ISAKMPOAKLEY: the 32-bit version after the hash */
    uint32_t version;
} pd_ike_vendor;

/* ---- a proposal in one vocabulary (for printing and policy comparison) --- */

/* IKEv2 transform types (RFC 7296 3.3.2, RFC 9370 for ADDKE1..7). The
 * normalised proposal indexes its algorithm lists by these numbers. */
enum {
    PD_IKE_XF_ENCR = 1,
    PD_IKE_XF_PRF = 2,
    PD_IKE_XF_INTEG = 3,
    PD_IKE_XF_DH = 4, /* "Key Exchange Method" since RFC 9370 */
    PD_IKE_XF_ESN = 5,
    PD_IKE_XF_ADDKE1 = 6,
    PD_IKE_XF_ADDKE7 = 12,
    PD_IKE_XF__COUNT = 13
};

/* Protocol IDs (RFC 2407 4.4.1 / RFC 7296 3.3.1; the same numbers). */
enum {
    PD_IKE_PROTO_IKE = 1, /* ISAKMP in IKEv1 */
    PD_IKE_PROTO_AH = 2,
    PD_IKE_PROTO_ESP = 3,
    PD_IKE_PROTO_IPCOMP = 4 /* IKEv1 only */
};

#define PD_IKE_PROPOSAL_MAX_ALGS 16

typedef struct pd_ike_alg {
    uint16_t id;      /* IKEv2 transform ID of that type (IANA IKEv2 registries) */
    uint16_t key_len; /* bits; 0 = no Key Length attribute */
} pd_ike_alg;

/* One proposal with every algorithm in the IKEv2 registries' numbering.
 * IKEv2 proposals map one to one. An IKEv1 transform is a complete
 * alternative, so each IKEv1 transform becomes one pd_ike_proposal: its
 * phase-1 encryption is mapped to the IKEv2 ENCR id, its hash to the PRF
 * list (the IKEv1 hash is the PRF's HMAC), and the integrity list stays
 * empty; in phase 2 the ESP/AH transform ID and the Authentication
 * Algorithm attribute are mapped to ENCR and INTEG ids. */
typedef struct pd_ike_proposal {
    uint8_t version;  /* 1, 2, or 0 for a policy parsed from text */
    uint8_t protocol; /* PD_IKE_PROTO_* */
    uint8_t number;   /* proposal number as sent (0 for a policy) */
    uint8_t transform_number; /* IKEv1: the transform's number within the proposal */
    uint8_t spi_size;
    uint8_t spi[PD_IKE_SPI_MAX];
    uint8_t n[PD_IKE_XF__COUNT];
    pd_ike_alg algs[PD_IKE_XF__COUNT][PD_IKE_PROPOSAL_MAX_ALGS];
    bool algs_dropped;     /* a list hit PD_IKE_PROPOSAL_MAX_ALGS, or an IKEv1 id has no IKEv2 twin */
    /* IKEv1 attributes with no IKEv2 transform (0 = absent). */
    uint16_t auth_method;  /* phase 1 attr 3: PSK, RSA_SIG, XAUTH_INIT_PSK, ... */
    uint16_t encap_mode;   /* phase 2 attr 4 */
    uint64_t life_seconds; /* life type/duration pairs */
    uint64_t life_kbytes;
} pd_ike_proposal;

/* Append an algorithm once (duplicates ignored); false if the list is full. */
bool pd_ike_proposal_add(pd_ike_proposal *p, unsigned type, uint16_t id, uint16_t key_len);

#endif /* PD_IKE_H */
