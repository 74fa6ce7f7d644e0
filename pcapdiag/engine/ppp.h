/* ppp.h - PPP frames as carried by PPTP's GRE or by L2TP (RFC 1661) and the
 * control protocols a VPN negotiates over them: LCP (RFC 1661), PAP
 * (RFC 1334), CHAP (RFC 1994) with MS-CHAP/MS-CHAPv2 result texts
 * (RFC 2433, RFC 2759), EAP (RFC 3748), CCP (RFC 1962) with MPPE (RFC 3078),
 * IPCP (RFC 1332, RFC 1877) and IPV6CP (RFC 5072).
 *
 * pd_ppp_decode turns one frame into a pd_ppp_frame. Pointers in it
 * (options, names, messages) point into the caller's buffer and are valid
 * as long as that buffer is. Compressed/encrypted datagrams (protocol
 * 0x00FD; 0x80FD is CCP itself) are classified, never decoded.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PPP_H
#define PD_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- protocol numbers ------------------------------------------------------ */

#define PD_PPP_IP 0x0021
#define PD_PPP_IPV6 0x0057
#define PD_PPP_VJ_COMP 0x002D
#define PD_PPP_VJ_UNCOMP 0x002F
#define PD_PPP_MP 0x003D
#define PD_PPP_COMP 0x00FD      /* compressed (and/or MPPE-encrypted) datagram */
#define PD_PPP_COMP_LINK 0x00FB /* individual-link compressed datagram */
#define PD_PPP_IPCP 0x8021
#define PD_PPP_IPV6CP 0x8057
#define PD_PPP_CCP 0x80FD
#define PD_PPP_CCP_LINK 0x80FB
#define PD_PPP_LCP 0xC021
#define PD_PPP_PAP 0xC023
#define PD_PPP_LQR 0xC025
#define PD_PPP_CBCP 0xC029 /* Microsoft callback control */
#define PD_PPP_BACP 0xC02B
#define PD_PPP_CHAP 0xC223
#define PD_PPP_EAP 0xC227

/* CHAP algorithms in the LCP Authentication-Protocol option (RFC 1994, 2433, 2759) */
#define PD_CHAP_MD5 0x05
#define PD_CHAP_MSCHAP 0x80
#define PD_CHAP_MSCHAPV2 0x81

/* ---- codes ------------------------------------------------------------------ */

/* Common to LCP, IPCP, CCP, IPV6CP (RFC 1661 section 5). */
#define PD_CP_CONF_REQ 1
#define PD_CP_CONF_ACK 2
#define PD_CP_CONF_NAK 3
#define PD_CP_CONF_REJ 4
#define PD_CP_TERM_REQ 5
#define PD_CP_TERM_ACK 6
#define PD_CP_CODE_REJ 7
/* LCP only */
#define PD_LCP_PROTO_REJ 8
#define PD_LCP_ECHO_REQ 9
#define PD_LCP_ECHO_REP 10
#define PD_LCP_DISCARD_REQ 11
#define PD_LCP_IDENTIFICATION 12 /* RFC 1570 */
#define PD_LCP_TIME_REMAINING 13 /* RFC 1570 */
/* CCP only (RFC 1962) */
#define PD_CCP_RESET_REQ 14
#define PD_CCP_RESET_ACK 15
/* PAP */
#define PD_PAP_AUTH_REQ 1
#define PD_PAP_AUTH_ACK 2
#define PD_PAP_AUTH_NAK 3
/* CHAP */
#define PD_CHAP_CHALLENGE 1
#define PD_CHAP_RESPONSE 2
#define PD_CHAP_SUCCESS 3
#define PD_CHAP_FAILURE 4
/* EAP */
#define PD_EAP_REQUEST 1
#define PD_EAP_RESPONSE 2
#define PD_EAP_SUCCESS 3
#define PD_EAP_FAILURE 4
/* EAP types (RFC 3748 and IANA) */
#define PD_EAP_TYPE_IDENTITY 1
#define PD_EAP_TYPE_NOTIFICATION 2
#define PD_EAP_TYPE_NAK 3
#define PD_EAP_TYPE_MD5 4
#define PD_EAP_TYPE_TLS 13
#define PD_EAP_TYPE_TTLS 21
#define PD_EAP_TYPE_PEAP 25
#define PD_EAP_TYPE_MSCHAPV2 26

/* ---- configuration options ---------------------------------------------------- */

/* LCP option types (RFC 1661 section 6 and later RFCs) */
#define PD_LCP_OPT_MRU 1
#define PD_LCP_OPT_ACCM 2
#define PD_LCP_OPT_AUTH 3
#define PD_LCP_OPT_QUALITY 4
#define PD_LCP_OPT_MAGIC 5
#define PD_LCP_OPT_PFC 7
#define PD_LCP_OPT_ACFC 8
#define PD_LCP_OPT_CALLBACK 13 /* RFC 1570 */
#define PD_LCP_OPT_MRRU 17     /* RFC 1990 */
#define PD_LCP_OPT_SSNHF 18    /* RFC 1990 short sequence numbers */
#define PD_LCP_OPT_ENDPOINT 19 /* RFC 1990 endpoint discriminator */
#define PD_LCP_OPT_LINK_DISC 23 /* RFC 2125 (BACP) */
/* CCP option types (RFC 1962 and the IANA list) */
#define PD_CCP_OPT_MPPE 18 /* Microsoft PPC / MPPE, RFC 2118 + RFC 3078 */
#define PD_CCP_OPT_BSD 21
#define PD_CCP_OPT_DEFLATE 26
/* IPCP option types (RFC 1332, RFC 1877) */
#define PD_IPCP_OPT_ADDRESSES 1 /* deprecated */
#define PD_IPCP_OPT_COMPRESSION 2
#define PD_IPCP_OPT_ADDRESS 3
#define PD_IPCP_OPT_DNS1 129
#define PD_IPCP_OPT_NBNS1 130
#define PD_IPCP_OPT_DNS2 131
#define PD_IPCP_OPT_NBNS2 132
/* IPV6CP option types (RFC 5072) */
#define PD_IPV6CP_OPT_IFID 1
#define PD_IPV6CP_OPT_COMPRESSION 2

/* MPPE Supported Bits (RFC 3078 section 2), as a 32-bit host-order value */
#define PD_MPPE_H 0x01000000u /* stateless mode (key changes every packet) */
#define PD_MPPE_M 0x00000080u /* 56-bit */
#define PD_MPPE_S 0x00000040u /* 128-bit */
#define PD_MPPE_L 0x00000020u /* 40-bit */
#define PD_MPPE_D 0x00000010u /* obsolete */
#define PD_MPPE_C 0x00000001u /* MPPC compression, not encryption */
#define PD_MPPE_ENCRYPTION_BITS (PD_MPPE_M | PD_MPPE_S | PD_MPPE_L)

/* ---- the decoded frame -------------------------------------------------------- */

/* A run of bytes inside the caller's buffer (text fields, option values). */
typedef struct pd_ppp_bytes {
    const uint8_t *p;
    size_t len;
} pd_ppp_bytes;

typedef struct pd_ppp_option {
    uint8_t type;
    uint8_t len;         /* the option's Length field (type + length + value) */
    pd_ppp_bytes value;  /* len - 2 bytes */
} pd_ppp_option;

#define PD_PPP_MAX_OPTIONS 32

typedef enum pd_ppp_kind {
    PD_PPP_KIND_NONE,       /* no protocol field could be read */
    PD_PPP_KIND_CONTROL,    /* LCP, PAP, CHAP, EAP, CCP, IPCP, IPV6CP: decoded */
    PD_PPP_KIND_COMPRESSED, /* 0x00FD / 0x00FB: compressed or encrypted data, counted */
    PD_PPP_KIND_NETWORK,    /* IP, IPv6, VJ: user data */
    PD_PPP_KIND_OTHER       /* any other protocol number (known or not) */
} pd_ppp_kind;

typedef enum pd_ppp_status {
    PD_PPP_OK,
    PD_PPP_TRUNCATED, /* the capture (snaplen) cut the frame: not damage */
    PD_PPP_MALFORMED  /* the bytes on the wire are inconsistent: see `malformed` */
} pd_ppp_status;

/* Why a frame looks damaged. The first group makes the decode fail
 * (status MALFORMED); the rest decode but break RFC 1661 rules that real
 * stacks follow, so on a tunnel they are signs of mangling. */
typedef enum pd_ppp_damage {
    PD_PPP_DAMAGE_NONE,
    PD_PPP_DAMAGE_EMPTY,              /* no bytes at all */
    PD_PPP_DAMAGE_BAD_CONTROL,        /* address 0xFF not followed by control 0x03 */
    PD_PPP_DAMAGE_BAD_PROTOCOL,       /* protocol field low octet even / high octet odd */
    PD_PPP_DAMAGE_HEADER_SHORT,       /* fewer than 4 bytes for code, identifier, length */
    PD_PPP_DAMAGE_LENGTH_SHORT,       /* Length below 4 */
    PD_PPP_DAMAGE_LENGTH_LONG,        /* Length beyond the bytes on the wire */
    PD_PPP_DAMAGE_OPTION_SHORT,       /* an option Length of 0 or 1 */
    PD_PPP_DAMAGE_OPTION_OVERRUN,     /* an option runs past the packet's Length */
    PD_PPP_DAMAGE_BODY_SHORT,         /* a field the code requires is missing or overruns */
    /* decodable, but not what a healthy peer sends: */
    /* LCP without FF 03 (RFC 1661 6.6 forbids ACFC on LCP). A compressed
     * protocol field cannot occur on LCP: one octet only holds 0x00xx. */
    PD_PPP_DAMAGE_LCP_NO_ADDRCTL,
    PD_PPP_DAMAGE_UNKNOWN_PROTOCOL,   /* a protocol number no stack we know uses */
    PD_PPP_DAMAGE__COUNT
} pd_ppp_damage;

/* LCP options, parsed. `has_*` says the option was present. */
typedef struct pd_lcp_opts {
    bool has_mru;
    uint16_t mru;
    bool has_accm;
    uint32_t accm;
    bool has_auth;
    uint16_t auth_protocol; /* PD_PPP_PAP, PD_PPP_CHAP, PD_PPP_EAP, ... */
    uint8_t auth_algorithm; /* CHAP only: PD_CHAP_MD5 / _MSCHAP / _MSCHAPV2; 0 otherwise */
    bool has_quality;
    uint16_t quality_protocol;
    bool has_magic;
    uint32_t magic;
    bool pfc, acfc;
    bool has_callback;
    uint8_t callback_op;
    bool has_mrru;
    uint16_t mrru;
    bool has_endpoint;
    uint8_t endpoint_class;
} pd_lcp_opts;

typedef struct pd_ccp_opts {
    bool has_mppe;
    uint32_t mppe_bits; /* PD_MPPE_* */
    bool has_other;     /* some compression option other than MPPE */
} pd_ccp_opts;

typedef struct pd_ipcp_opts {
    bool has_address;
    uint8_t address[4];
    bool has_dns1, has_dns2, has_nbns1, has_nbns2;
    uint8_t dns1[4], dns2[4], nbns1[4], nbns2[4];
    bool has_compression;
    uint16_t compression_protocol; /* 0x002D Van Jacobson */
} pd_ipcp_opts;

typedef struct pd_ipv6cp_opts {
    bool has_ifid;
    uint8_t ifid[8];
    bool has_compression;
    uint16_t compression_protocol;
} pd_ipv6cp_opts;

/* The parsed options of one Configure-* packet: only the member for the
 * frame's protocol is meaningful, hence a union (a PPP link keeps eight
 * negotiation sides with three of these each, for every live session).
 * Read only the member of the protocol it came from. Plain values: safe to
 * copy and keep. */
typedef union pd_ppp_cfg {
    pd_lcp_opts lcp;
    pd_ccp_opts ccp;
    pd_ipcp_opts ipcp;
    pd_ipv6cp_opts ipv6cp;
} pd_ppp_cfg;

/* MS-CHAP (v1 and v2) Success / Failure text (RFC 2759 sections 5, 6;
 * RFC 2433 section 5): "S=<40 hex> M=<msg>" or
 * "E=eeeeeeeeee R=r C=<32 hex> V=vvvvvvvvvv M=<msg>". */
typedef struct pd_mschap_text {
    bool present; /* the message was in this key=value form */
    bool has_error;
    uint32_t error; /* E=: 691 bad credentials, 649 no dial-in permission, ... */
    bool has_retry;
    uint32_t retry; /* R=: 1 retry allowed */
    bool has_challenge;
    pd_ppp_bytes challenge; /* C=: hex text (volatile) */
    bool has_version;
    uint32_t version; /* V= */
    bool has_authenticator;
    pd_ppp_bytes authenticator; /* S=: hex text (volatile) */
    bool has_message;
    pd_ppp_bytes message; /* M=: to the end of the text */
} pd_mschap_text;

/* Parses an MS-CHAP Success/Failure text into *m (zeroed by the caller);
 * m->present stays false when the text is not in that form. The byte
 * fields point into p. Also used for EAP-MSCHAPv2 Failure requests, which
 * carry the same text (draft-kamath-pppext-eap-mschapv2-02 section 2). */
void pd_mschap_text_parse(const uint8_t *p, size_t len, pd_mschap_text *m);

typedef struct pd_ppp_frame {
    pd_ppp_status status;
    pd_ppp_damage malformed; /* set when status is MALFORMED */

    bool has_addrctl; /* FF 03 was present */
    bool pfc;         /* the protocol field was one octet */
    uint16_t protocol;
    pd_ppp_kind kind;
    size_t header_len;        /* address/control + protocol field */
    pd_ppp_bytes info;        /* captured bytes after the protocol field */
    size_t info_wire_len;     /* bytes after the protocol field on the wire */

    /* Control packets (kind CONTROL) */
    bool has_cp_header; /* code, identifier and length were read */
    uint8_t code;
    uint8_t identifier;
    uint16_t length; /* the Length field (code .. end of data) */
    pd_ppp_bytes data; /* after the 4-byte header, within Length, as captured */
    size_t padding;    /* bytes after Length: padding per RFC 1661 section 5 */

    /* Configure-Request/Ack/Nak/Reject of LCP, CCP, IPCP, IPV6CP */
    pd_ppp_option options[PD_PPP_MAX_OPTIONS];
    size_t n_options;
    bool options_overflow; /* more options than PD_PPP_MAX_OPTIONS (the rest not listed) */
    pd_ppp_cfg cfg;

    /* LCP */
    pd_ppp_bytes text;     /* Terminate-Request/Ack data, Identification/Time-Remaining message */
    bool has_magic;
    uint32_t magic;        /* Echo-Request/Reply, Discard-Request, Identification, Time-Remaining */
    uint8_t rejected_code; /* Code-Reject: code of the rejected packet */
    uint8_t rejected_id;
    uint16_t rejected_protocol; /* Protocol-Reject */
    uint32_t seconds_remaining; /* Time-Remaining */

    /* PAP / CHAP / EAP */
    pd_ppp_bytes peer_name; /* PAP Peer-ID, CHAP Challenge/Response Name, EAP Identity */
    size_t password_len;    /* PAP Authenticate-Request: the length only, never the bytes */
    uint8_t value_size;     /* CHAP Challenge/Response Value-Size (MS-CHAPv2 response: 49) */
    pd_ppp_bytes value;     /* CHAP value (volatile) */
    pd_ppp_bytes message;   /* PAP Ack/Nak message, CHAP Success/Failure message, EAP Notification */
    pd_mschap_text mschap;  /* CHAP Success/Failure parsed, when in MS-CHAP form */
    bool has_eap_type;
    uint8_t eap_type; /* EAP Request/Response type */
    uint8_t eap_nak_type; /* EAP Nak: first desired type (0 if none) */
} pd_ppp_frame;

/* Decode one PPP frame. data/caplen: the captured bytes (GRE payload or
 * L2TP payload); wire_len: how many bytes the frame had on the wire (values
 * below caplen are taken as caplen), so a snaplen cut reads as TRUNCATED and
 * not as damage. Never reads outside data[0..caplen). */
pd_ppp_status pd_ppp_decode(const uint8_t *data, size_t caplen, size_t wire_len, pd_ppp_frame *out);

/* Is `protocol` one of the control protocols this module decodes? */
bool pd_ppp_protocol_is_control(uint16_t protocol);
/* Is `protocol` a number some PPP stack uses (the IANA list, trimmed)? */
bool pd_ppp_protocol_known(uint16_t protocol);

/* Why the frame looks damaged: the decode's reason if it failed, else an
 * RFC 1661 rule broken by a decodable frame, else NONE. */
pd_ppp_damage pd_ppp_check(const pd_ppp_frame *f);
const char *pd_ppp_damage_name(pd_ppp_damage d); /* "lcp_no_addrctl" */
const char *pd_ppp_damage_text(pd_ppp_damage d); /* "LCP frame without address/control FF 03" */
/* True for damage that says the bytes were altered in transit (everything
 * except NONE and UNKNOWN_PROTOCOL, which a peer may send legitimately). */
bool pd_ppp_damage_is_mangling(pd_ppp_damage d);

/* ---- names -------------------------------------------------------------------- */
/* All return static strings; "Unknown" when the value is not known. */

const char *pd_ppp_protocol_name(uint16_t protocol);          /* "LCP", "IPCP", "Compressed datagram" */
const char *pd_ppp_code_name(uint16_t protocol, uint8_t code); /* "Configure-Request", "Challenge" */
const char *pd_lcp_option_name(uint8_t type);                  /* "MRU", "Auth-Protocol" */
const char *pd_ppp_option_name(uint16_t protocol, uint8_t type); /* per control protocol */
/* "PAP", "CHAP-MD5", "MS-CHAP", "MS-CHAPv2", "EAP" ("CHAP" for other algorithms) */
const char *pd_ppp_auth_name(uint16_t protocol, uint8_t algorithm);
const char *pd_eap_type_name(uint8_t type);
const char *pd_ppp_status_name(pd_ppp_status s);

/* ---- text --------------------------------------------------------------------- */

/* Copy hostile bytes as printable text: stops at NUL, '.' for anything else
 * non-printable, always NUL-terminates (if out_size > 0). Returns strlen(out). */
size_t pd_ppp_text_copy(const pd_ppp_bytes *b, char *out, size_t out_size);

/* Describe flags */
#define PD_PPP_DESCRIBE_STABLE 0x1 /* leave out identifiers, magic numbers, lengths: equal
                                    * retransmissions then describe equally and fold */

/* One line for a ladder, e.g.
 *   LCP Configure-Request id 1 [MRU 1400, Auth MS-CHAPv2, Magic 0x1234abcd]
 *   CHAP Failure id 2 E=691 "Authentication failed"
 * with PD_PPP_DESCRIBE_STABLE:
 *   LCP Configure-Request [MRU 1400, Auth MS-CHAPv2, Magic]
 * Returns strlen(buf); always NUL-terminates when len > 0 (cut to fit). */
size_t pd_ppp_describe(const pd_ppp_frame *f, char *buf, size_t len, unsigned flags);

/* "128-bit stateless" for MPPE bits; "none" when no bit is set. */
size_t pd_mppe_bits_describe(uint32_t bits, char *buf, size_t len);

#endif
