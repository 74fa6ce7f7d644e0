/* ike_names.h - value -> name tables for ISAKMP/IKEv1 and IKEv2 (IANA
 * "Internet Key Exchange (IKE) Attributes", "ISAKMP", "IPsec DOI" and
 * "IKEv2 Parameters" registries; RFC 2407, 2408, 2409, 3947, 7296, 7383,
 * 9370), vendor ID recognition, and the IKEv1 -> IKEv2 algorithm mappings
 * used to put both versions' proposals in one vocabulary.
 *
 * Conventions: every pd_*_name() returns a static string, or NULL when the
 * value is not in the table (unassigned, private use), so a caller can tell
 * "unknown" from a name and print the number; pd_ike_value_str() does that
 * formatting. Names are upper case with underscores, in the style of the
 * IANA IKEv2 registry and strongSwan's logs (NO_PROPOSAL_CHOSEN, AES_CBC,
 * HMAC_SHA2_256_128, MODP_2048); IKEv1 names use the same style
 * (R_U_THERE rather than the RFC's R-U-THERE). Algorithm names are those of
 * strongSwan's proposal notation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_NAMES_H
#define PD_IKE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* "NAME" or, for NULL, "<fallback>_<value>" ("UNKNOWN_123" when fallback is
 * NULL). Returns buf. */
const char *pd_ike_value_str(const char *name, const char *fallback, unsigned value, char *buf,
                             size_t len);

/* ---- both versions --------------------------------------------------------- */

/* Exchange types. v1: BASE, MAIN_MODE (Identity Protection), AUTH_ONLY,
 * AGGRESSIVE, INFORMATIONAL, TRANSACTION (mode config), QUICK_MODE,
 * NEW_GROUP_MODE. v2: IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL,
 * IKE_SESSION_RESUME, GSA_*, IKE_INTERMEDIATE, IKE_FOLLOWUP_KE. */
const char *pd_ike_exchange_name(uint8_t version, uint8_t exchange);

/* Payload types, short (the strongSwan ladder notation: "SA", "KE", "No",
 * "N", "V", "NAT-D", "IDi", "SK", "SKF") and long ("Security Association"). */
const char *pd_ike_payload_name(uint8_t version, uint8_t type);
const char *pd_ike_payload_long_name(uint8_t version, uint8_t type);

/* Protocol IDs: v1 ISAKMP/AH/ESP/IPCOMP, v2 IKE/AH/ESP. */
const char *pd_ike_protocol_name(uint8_t version, uint8_t protocol);

/* Notify message types (v1: RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706;
 * v2: RFC 7296 3.10.1 and later registrations). */
const char *pd_ike_notify_name(uint8_t version, uint16_t type);
/* Error types are below 16384 in both versions; the rest are status. */
static inline bool pd_ike_notify_is_error(uint16_t type)
{
    return type < 16384;
}

/* Well-known notify numbers the detectors test for. */
enum {
    PD_IKE_N_INVALID_PAYLOAD_TYPE = 1,   /* v1 */
    PD_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1, /* v2 */
    PD_IKE_N_INVALID_IKE_SPI = 4,        /* v2 (v1: INVALID_COOKIE) */
    PD_IKE_N_INVALID_MAJOR_VERSION = 5,
    PD_IKE_N_INVALID_SYNTAX = 7,         /* v2 (v1: INVALID_EXCHANGE_TYPE) */
    PD_IKE_N_INVALID_MESSAGE_ID = 9,
    PD_IKE_N_INVALID_SPI = 11,
    PD_IKE_N_NO_PROPOSAL_CHOSEN = 14,
    PD_IKE_N_PAYLOAD_MALFORMED = 16,     /* v1 */
    PD_IKE_N_INVALID_KE_PAYLOAD = 17,    /* v2 (v1: INVALID_KEY_INFORMATION) */
    PD_IKE_N_INVALID_ID_INFORMATION = 18,/* v1 */
    PD_IKE_N_INVALID_CERTIFICATE = 20,   /* v1 */
    PD_IKE_N_INVALID_HASH_INFORMATION = 23, /* v1: typically a PSK mismatch */
    PD_IKE_N_AUTHENTICATION_FAILED = 24,
    PD_IKE_N_INVALID_SIGNATURE = 25,     /* v1 */
    PD_IKE_N_SINGLE_PAIR_REQUIRED = 34,
    PD_IKE_N_NO_ADDITIONAL_SAS = 35,
    PD_IKE_N_INTERNAL_ADDRESS_FAILURE = 36,
    PD_IKE_N_FAILED_CP_REQUIRED = 37,
    PD_IKE_N_TS_UNACCEPTABLE = 38,
    PD_IKE_N_INVALID_SELECTORS = 39,
    PD_IKE_N_TEMPORARY_FAILURE = 43,
    PD_IKE_N_CHILD_SA_NOT_FOUND = 44,
    PD_IKE_N_INITIAL_CONTACT = 16384,    /* v2 (v1: CONNECTED) */
    PD_IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
    PD_IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
    PD_IKE_N_COOKIE = 16390,
    PD_IKE_N_REKEY_SA = 16393,
    PD_IKE_N_MOBIKE_SUPPORTED = 16396,
    PD_IKE_N_AUTH_LIFETIME = 16403,
    PD_IKE_N_MULTIPLE_AUTH_SUPPORTED = 16404,
    PD_IKE_N_REDIRECT = 16407,
    PD_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,
    PD_IKE_N_SIGNATURE_HASH_ALGORITHMS = 16431,
    PD_IKE_N_RESPONDER_LIFETIME = 24576, /* v1 IPsec DOI */
    PD_IKE_N_V1_INITIAL_CONTACT = 24578, /* v1 IPsec DOI */
    PD_IKE_N_R_U_THERE = 36136,          /* v1 DPD, RFC 3706 */
    PD_IKE_N_R_U_THERE_ACK = 36137
};

/* Identification types (v1 RFC 2407 4.6.2.1 incl. subnets/ranges; v2 RFC 7296 3.5). */
const char *pd_ike_id_type_name(uint8_t version, uint8_t type);
/* Certificate encodings (RFC 2408 3.9, RFC 7296 3.6). */
const char *pd_ike_cert_encoding_name(uint8_t encoding);
/* Domain of interpretation: 0 ISAKMP, 1 IPSEC, 2 GDOI. */
const char *pd_ike_doi_name(uint32_t doi);
/* Configuration attributes (v1 mode config draft / XAUTH, v2 RFC 7296 3.15.1). */
const char *pd_ike_cfg_attr_name(uint8_t version, uint16_t type);
/* Configuration payload types: CFG_REQUEST, CFG_REPLY, CFG_SET, CFG_ACK. */
const char *pd_ike_cfg_type_name(uint8_t type);

/* ---- IKEv2 transforms (the common vocabulary) ------------------------------ */

/* Transform types: ENCR, PRF, INTEG, DH (KE), ESN, ADDKE1..ADDKE7. */
const char *pd_ike_transform_type_name(uint8_t type);
/* Transform IDs by type, strongSwan names: AES_CBC, AES_GCM_16, 3DES_CBC,
 * BLOWFISH_CBC, HMAC_SHA1_96, HMAC_SHA2_256_128, PRF_HMAC_SHA2_256,
 * MODP_2048, ECP_256, CURVE_25519, ML_KEM_768, NO_EXT_SEQ. */
const char *pd_ike_encr_name(uint16_t id);
const char *pd_ike_prf_name(uint16_t id);
const char *pd_ike_integ_name(uint16_t id);
const char *pd_ike_dh_name(uint16_t id); /* also the IKEv1 group description numbers */
const char *pd_ike_esn_name(uint16_t id);
const char *pd_ike_transform_id_name(uint8_t type, uint16_t id); /* dispatch on type */

/* Well-known IKEv2 ENCR / INTEG / PRF / DH ids. */
enum {
    PD_IKE_ENCR_DES = 2,
    PD_IKE_ENCR_3DES = 3,
    PD_IKE_ENCR_RC5 = 4,
    PD_IKE_ENCR_IDEA = 5,
    PD_IKE_ENCR_CAST = 6,
    PD_IKE_ENCR_BLOWFISH = 7,
    PD_IKE_ENCR_NULL = 11,
    PD_IKE_ENCR_AES_CBC = 12,
    PD_IKE_ENCR_AES_CTR = 13,
    PD_IKE_ENCR_AES_CCM_8 = 14,
    PD_IKE_ENCR_AES_CCM_12 = 15,
    PD_IKE_ENCR_AES_CCM_16 = 16,
    PD_IKE_ENCR_AES_GCM_8 = 18,
    PD_IKE_ENCR_AES_GCM_12 = 19,
    PD_IKE_ENCR_AES_GCM_16 = 20,
    PD_IKE_ENCR_NULL_AES_GMAC = 21,
    PD_IKE_ENCR_CAMELLIA_CBC = 23,
    PD_IKE_ENCR_CAMELLIA_CTR = 24,
    PD_IKE_ENCR_CAMELLIA_CCM_8 = 25,
    PD_IKE_ENCR_CAMELLIA_CCM_12 = 26,
    PD_IKE_ENCR_CAMELLIA_CCM_16 = 27,
    PD_IKE_ENCR_CHACHA20_POLY1305 = 28,
    PD_IKE_INTEG_NONE = 0,
    PD_IKE_INTEG_HMAC_MD5_96 = 1,
    PD_IKE_INTEG_HMAC_SHA1_96 = 2,
    PD_IKE_INTEG_AES_XCBC_96 = 5,
    PD_IKE_INTEG_HMAC_MD5_128 = 6,
    PD_IKE_INTEG_HMAC_SHA1_160 = 7,
    PD_IKE_INTEG_AES_CMAC_96 = 8,
    PD_IKE_INTEG_HMAC_SHA2_256_128 = 12,
    PD_IKE_INTEG_HMAC_SHA2_384_192 = 13,
    PD_IKE_INTEG_HMAC_SHA2_512_256 = 14,
    PD_IKE_PRF_HMAC_MD5 = 1,
    PD_IKE_PRF_HMAC_SHA1 = 2,
    PD_IKE_PRF_HMAC_TIGER = 3,
    PD_IKE_PRF_AES128_XCBC = 4,
    PD_IKE_PRF_HMAC_SHA2_256 = 5,
    PD_IKE_PRF_HMAC_SHA2_384 = 6,
    PD_IKE_PRF_HMAC_SHA2_512 = 7,
    PD_IKE_PRF_AES128_CMAC = 8,
    PD_IKE_DH_NONE = 0,
    PD_IKE_DH_MODP_768 = 1,
    PD_IKE_DH_MODP_1024 = 2,
    PD_IKE_DH_MODP_1536 = 5,
    PD_IKE_DH_MODP_2048 = 14,
    PD_IKE_DH_MODP_3072 = 15,
    PD_IKE_DH_MODP_4096 = 16,
    PD_IKE_DH_MODP_6144 = 17,
    PD_IKE_DH_MODP_8192 = 18,
    PD_IKE_DH_ECP_256 = 19,
    PD_IKE_DH_ECP_384 = 20,
    PD_IKE_DH_ECP_521 = 21,
    PD_IKE_DH_CURVE_25519 = 31,
    PD_IKE_DH_CURVE_448 = 32
};

/* AEAD ciphers (GCM, CCM, ChaCha20-Poly1305, GMAC) carry their own
 * integrity: an IKEv2 proposal with one has no INTEG transform. */
bool pd_ike_encr_is_aead(uint16_t encr);
/* Default key length in bits for a variable-length cipher sent without a
 * Key Length attribute (RFC 2409 App. A: Blowfish/CAST/RC5 128), 0 for
 * fixed-length ciphers. AES/Camellia modes are treated as 128 too (the
 * "aes" keyword), although RFC 3602 makes the attribute mandatory. */
uint16_t pd_ike_encr_default_key_len(uint16_t encr);

/* IKEv2 AUTH methods (RFC 7296 3.8, RFC 4754, RFC 7427, RFC 7619). */
const char *pd_ikev2_auth_method_name(uint8_t method);
/* Traffic selector types: TS_IPV4_ADDR_RANGE, TS_IPV6_ADDR_RANGE, TS_FC_ADDR_RANGE. */
const char *pd_ikev2_ts_type_name(uint8_t type);
/* EAP (RFC 3748): codes Request/Response/Success/Failure; method types. */
const char *pd_ike_eap_code_name(uint8_t code);
const char *pd_ike_eap_type_name(uint8_t type);

/* ---- IKEv1 attributes and transforms --------------------------------------- */

/* Attribute classes: phase 1 (Oakley, RFC 2409 App. A) when phase1, else
 * the IPsec DOI's (RFC 2407 4.5). */
const char *pd_ikev1_attr_name(bool phase1, uint16_t type);

/* Phase-1 attribute classes and IPsec DOI attribute classes. */
enum {
    PD_IKEV1_P1_ENCR = 1,
    PD_IKEV1_P1_HASH = 2,
    PD_IKEV1_P1_AUTH_METHOD = 3,
    PD_IKEV1_P1_GROUP = 4,
    PD_IKEV1_P1_GROUP_TYPE = 5,
    PD_IKEV1_P1_LIFE_TYPE = 11,
    PD_IKEV1_P1_LIFE_DURATION = 12,
    PD_IKEV1_P1_PRF = 13,
    PD_IKEV1_P1_KEY_LENGTH = 14,
    PD_IKEV1_P2_LIFE_TYPE = 1,
    PD_IKEV1_P2_LIFE_DURATION = 2,
    PD_IKEV1_P2_GROUP = 3,
    PD_IKEV1_P2_ENCAP_MODE = 4,
    PD_IKEV1_P2_AUTH_ALG = 5,
    PD_IKEV1_P2_KEY_LENGTH = 6,
    PD_IKEV1_P2_ESN = 11
};

/* Phase-1 attribute values. */
const char *pd_ikev1_encr_name(uint16_t v);        /* DES_CBC ... AES_CBC, CAMELLIA_CBC */
const char *pd_ikev1_hash_name(uint16_t v);        /* MD5, SHA1, TIGER, SHA2_256/384/512 */
const char *pd_ikev1_auth_method_name(uint16_t v); /* PSK, RSA_SIG, XAUTH_INIT_PSK, HYBRID_INIT_RSA */
const char *pd_ikev1_life_type_name(uint16_t v);   /* SECONDS, KILOBYTES */
/* Phase-2 attribute values. */
const char *pd_ikev1_encap_mode_name(uint16_t v);  /* TUNNEL, TRANSPORT, UDP_TUNNEL, UDP_TUNNEL_DRAFT ... */
const char *pd_ikev1_auth_alg_name(uint16_t v);    /* HMAC_MD5, HMAC_SHA1, HMAC_SHA2_256 ... */

enum {
    PD_IKEV1_AUTH_PSK = 1,
    PD_IKEV1_AUTH_DSS_SIG = 2,
    PD_IKEV1_AUTH_RSA_SIG = 3,
    PD_IKEV1_AUTH_HYBRID_INIT_RSA = 64221,
    PD_IKEV1_AUTH_XAUTH_INIT_PSK = 65001,
    PD_IKEV1_ENCAP_TUNNEL = 1,
    PD_IKEV1_ENCAP_TRANSPORT = 2,
    PD_IKEV1_ENCAP_UDP_TUNNEL = 3,           /* RFC 3947 */
    PD_IKEV1_ENCAP_UDP_TRANSPORT = 4,
    PD_IKEV1_ENCAP_UDP_TUNNEL_DRAFT = 61443, /* draft-ietf-ipsec-nat-t-ike */
    PD_IKEV1_ENCAP_UDP_TRANSPORT_DRAFT = 61444
};

/* Transform IDs by proposal protocol: ISAKMP -> KEY_IKE; AH -> AH_SHA ...;
 * ESP -> ESP_AES ...; IPCOMP -> IPCOMP_DEFLATE ... */
const char *pd_ikev1_transform_id_name(uint8_t protocol, uint8_t id);

/* IKEv1 -> IKEv2 numbering. Each returns false when the IKEv1 value has no
 * IKEv2 equivalent. */
bool pd_ikev1_encr_to_v2(uint16_t v1_encr, uint16_t *v2_encr);    /* phase-1 attr 1 */
bool pd_ikev1_hash_to_prf(uint16_t v1_hash, uint16_t *v2_prf);    /* phase-1 attr 2 */
bool pd_ikev1_esp_to_v2(uint8_t v1_esp_id, uint16_t *v2_encr);    /* ESP transform ID */
bool pd_ikev1_auth_alg_to_integ(uint16_t v1_alg, uint16_t *v2_integ); /* phase-2 attr 5 */
bool pd_ikev1_ah_to_integ(uint8_t v1_ah_id, uint16_t *v2_integ);  /* AH transform ID */

/* ---- vendor IDs ------------------------------------------------------------ */

/* Recognise a vendor ID by prefix (the longest known prefix wins) and fill
 * kind, name and, for MS NT5 ISAKMPOAKLEY, the version. */
void pd_ike_vendor_identify(pd_ike_vendor *v, const uint8_t *data, size_t len);
/* "MS NT5 ISAKMPOAKLEY (Windows 8 and later)", "RFC 3947 NAT-T", or
 * "unknown hex:..." into buf; returns buf. */
const char *pd_ike_vendor_describe(const pd_ike_vendor *v, char *buf, size_t len);
const char *pd_ike_vid_kind_name(pd_ike_vid_kind k); /* "natt_rfc3947", "dpd", ... */

#endif /* PD_IKE_NAMES_H */
