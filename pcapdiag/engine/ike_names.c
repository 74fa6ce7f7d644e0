/* ike_names.c - value -> name tables for IKEv1/ISAKMP and IKEv2 (IANA IKE,
 * ISAKMP, IPsec DOI and IKEv2 registries; RFC 2407, 2408, 2409, 3706, 3947,
 * 4754, 7296, 7383, 7427, 9242, 9370), vendor IDs, IKEv1 -> IKEv2 mappings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ike_names.h"

#include <stdio.h>
#include <string.h>

typedef struct pd_ike_name {
    uint32_t value;
    const char *name;
} pd_ike_name;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const pd_ike_name *t, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == v)
            return t[i].name;
    return NULL;
}
#define LOOKUP(t, v) lookup((t), COUNT(t), (v))

const char *pd_ike_value_str(const char *name, const char *fallback, unsigned value, char *buf,
                             size_t len)
{
    if (!buf || len == 0)
        return "";
    if (name)
        snprintf(buf, len, "%s", name);
    else
        snprintf(buf, len, "%s_%u", fallback ? fallback : "UNKNOWN", value);
    return buf;
}

/* ---- exchanges ----------------------------------------------------------- */

static const pd_ike_name v1_exchanges[] = {
    { 0, "NONE" },
    { 1, "BASE" },
    { 2, "MAIN_MODE" }, /* Identity Protection, RFC 2408 4.5 */
    { 3, "AUTH_ONLY" },
    { 4, "AGGRESSIVE" },
    { 5, "INFORMATIONAL" },
    { 6, "TRANSACTION" }, /* draft-ietf-ipsec-isakmp-mode-cfg */
    { 32, "QUICK_MODE" }, /* RFC 2409 5.5 */
    { 33, "NEW_GROUP_MODE" },
};

static const pd_ike_name v2_exchanges[] = {
    { 34, "IKE_SA_INIT" },
    { 35, "IKE_AUTH" },
    { 36, "CREATE_CHILD_SA" },
    { 37, "INFORMATIONAL" },
    { 38, "IKE_SESSION_RESUME" }, /* RFC 5723 */
    { 39, "GSA_AUTH" },
    { 40, "GSA_REGISTRATION" },
    { 41, "GSA_REKEY" },
    { 42, "GSA_INBAND_REKEY" },
    { 43, "IKE_INTERMEDIATE" }, /* RFC 9242 */
    { 44, "IKE_FOLLOWUP_KE" },  /* RFC 9370 */
};

const char *pd_ike_exchange_name(uint8_t version, uint8_t exchange)
{
    return version == 1 ? LOOKUP(v1_exchanges, exchange) : LOOKUP(v2_exchanges, exchange);
}

/* ---- payloads ------------------------------------------------------------ */

typedef struct payload_name {
    uint8_t type;
    const char *shortname, *longname;
} payload_name;

static const payload_name v1_payloads[] = {
    { 1, "SA", "Security Association" },
    { 2, "P", "Proposal" },
    { 3, "T", "Transform" },
    { 4, "KE", "Key Exchange" },
    { 5, "ID", "Identification" },
    { 6, "CERT", "Certificate" },
    { 7, "CR", "Certificate Request" },
    { 8, "HASH", "Hash" },
    { 9, "SIG", "Signature" },
    { 10, "No", "Nonce" },
    { 11, "N", "Notification" },
    { 12, "D", "Delete" },
    { 13, "V", "Vendor ID" },
    { 14, "ATTR", "Attributes (mode config)" },
    { 15, "SAK", "SA KEK" },
    { 16, "SAT", "SA TEK" },
    { 17, "KD", "Key Download" },
    { 18, "SEQ", "Sequence Number" },
    { 19, "POP", "Proof of Possession" },
    { 20, "NAT-D", "NAT Discovery (RFC 3947)" },
    { 21, "NAT-OA", "NAT Original Address (RFC 3947)" },
    { 22, "GAP", "Group Associated Policy" },
    { 130, "NAT-D", "NAT Discovery (draft)" },
    { 131, "NAT-OA", "NAT Original Address (draft)" },
    { 132, "FRAG", "IKE Fragment (Cisco/strongSwan)" },
};

static const payload_name v2_payloads[] = {
    { 33, "SA", "Security Association" },
    { 34, "KE", "Key Exchange" },
    { 35, "IDi", "Identification - Initiator" },
    { 36, "IDr", "Identification - Responder" },
    { 37, "CERT", "Certificate" },
    { 38, "CERTREQ", "Certificate Request" },
    { 39, "AUTH", "Authentication" },
    { 40, "No", "Nonce" },
    { 41, "N", "Notify" },
    { 42, "D", "Delete" },
    { 43, "V", "Vendor ID" },
    { 44, "TSi", "Traffic Selector - Initiator" },
    { 45, "TSr", "Traffic Selector - Responder" },
    { 46, "SK", "Encrypted and Authenticated" },
    { 47, "CP", "Configuration" },
    { 48, "EAP", "Extensible Authentication" },
    { 49, "GSPM", "Generic Secure Password Method" },
    { 50, "IDg", "Group Identification" },
    { 51, "GSA", "Group Security Association" },
    { 52, "KD", "Key Download" },
    { 53, "SKF", "Encrypted and Authenticated Fragment" }, /* RFC 7383 */
    { 54, "PS", "Puzzle Solution" },                       /* RFC 8019 */
};

static const payload_name *find_payload(uint8_t version, uint8_t type)
{
    const payload_name *t = version == 1 ? v1_payloads : v2_payloads;
    size_t n = version == 1 ? COUNT(v1_payloads) : COUNT(v2_payloads);
    for (size_t i = 0; i < n; i++)
        if (t[i].type == type)
            return &t[i];
    return NULL;
}

const char *pd_ike_payload_name(uint8_t version, uint8_t type)
{
    const payload_name *p = find_payload(version, type);
    return p ? p->shortname : NULL;
}

const char *pd_ike_payload_long_name(uint8_t version, uint8_t type)
{
    const payload_name *p = find_payload(version, type);
    return p ? p->longname : NULL;
}

const char *pd_ike_protocol_name(uint8_t version, uint8_t protocol)
{
    switch (protocol) {
    case 1: return version == 1 ? "ISAKMP" : "IKE";
    case 2: return "AH";
    case 3: return "ESP";
    case 4: return version == 1 ? "IPCOMP" : "FC_ESP_HEADER";
    case 5: return version == 1 ? NULL : "FC_CT_AUTHENTICATION";
    }
    return NULL;
}

/* ---- notify ---------------------------------------------------------------- */

static const pd_ike_name v1_notifies[] = {
    /* RFC 2408 3.14.1 errors */
    { 1, "INVALID_PAYLOAD_TYPE" },
    { 2, "DOI_NOT_SUPPORTED" },
    { 3, "SITUATION_NOT_SUPPORTED" },
    { 4, "INVALID_COOKIE" },
    { 5, "INVALID_MAJOR_VERSION" },
    { 6, "INVALID_MINOR_VERSION" },
    { 7, "INVALID_EXCHANGE_TYPE" },
    { 8, "INVALID_FLAGS" },
    { 9, "INVALID_MESSAGE_ID" },
    { 10, "INVALID_PROTOCOL_ID" },
    { 11, "INVALID_SPI" },
    { 12, "INVALID_TRANSFORM_ID" },
    { 13, "ATTRIBUTES_NOT_SUPPORTED" },
    { 14, "NO_PROPOSAL_CHOSEN" },
    { 15, "BAD_PROPOSAL_SYNTAX" },
    { 16, "PAYLOAD_MALFORMED" },
    { 17, "INVALID_KEY_INFORMATION" },
    { 18, "INVALID_ID_INFORMATION" },
    { 19, "INVALID_CERT_ENCODING" },
    { 20, "INVALID_CERTIFICATE" },
    { 21, "CERT_TYPE_UNSUPPORTED" },
    { 22, "INVALID_CERT_AUTHORITY" },
    { 23, "INVALID_HASH_INFORMATION" },
    { 24, "AUTHENTICATION_FAILED" },
    { 25, "INVALID_SIGNATURE" },
    { 26, "ADDRESS_NOTIFICATION" },
    { 27, "NOTIFY_SA_LIFETIME" },
    { 28, "CERTIFICATE_UNAVAILABLE" },
    { 29, "UNSUPPORTED_EXCHANGE_TYPE" },
    { 30, "UNEQUAL_PAYLOAD_LENGTHS" },
    /* status */
    { 16384, "CONNECTED" },
    { 24576, "RESPONDER_LIFETIME" }, /* RFC 2407 4.6.3 */
    { 24577, "REPLAY_STATUS" },
    { 24578, "INITIAL_CONTACT" },
    { 36136, "R_U_THERE" },          /* RFC 3706 */
    { 36137, "R_U_THERE_ACK" },
    { 40501, "UNITY_LOAD_BALANCE" }, /* Cisco private use */
};

static const pd_ike_name v2_notifies[] = {
    /* errors, RFC 7296 3.10.1 and later */
    { 1, "UNSUPPORTED_CRITICAL_PAYLOAD" },
    { 4, "INVALID_IKE_SPI" },
    { 5, "INVALID_MAJOR_VERSION" },
    { 7, "INVALID_SYNTAX" },
    { 9, "INVALID_MESSAGE_ID" },
    { 11, "INVALID_SPI" },
    { 14, "NO_PROPOSAL_CHOSEN" },
    { 17, "INVALID_KE_PAYLOAD" },
    { 24, "AUTHENTICATION_FAILED" },
    { 34, "SINGLE_PAIR_REQUIRED" },
    { 35, "NO_ADDITIONAL_SAS" },
    { 36, "INTERNAL_ADDRESS_FAILURE" },
    { 37, "FAILED_CP_REQUIRED" },
    { 38, "TS_UNACCEPTABLE" },
    { 39, "INVALID_SELECTORS" },
    { 40, "UNACCEPTABLE_ADDRESSES" }, /* RFC 4555 */
    { 41, "UNEXPECTED_NAT_DETECTED" },
    { 42, "USE_ASSIGNED_HoA" },       /* RFC 5026 */
    { 43, "TEMPORARY_FAILURE" },
    { 44, "CHILD_SA_NOT_FOUND" },
    { 45, "INVALID_GROUP_ID" },       /* G-IKEv2 */
    { 46, "AUTHORIZATION_FAILED" },
    { 47, "STATE_NOT_FOUND" },        /* RFC 9370 */
    { 12345, "MS_NOTIFY_STATUS" },    /* Windows private error (MS-IKEE 2.2.7) */
    /* status */
    { 16384, "INITIAL_CONTACT" },
    { 16385, "SET_WINDOW_SIZE" },
    { 16386, "ADDITIONAL_TS_POSSIBLE" },
    { 16387, "IPCOMP_SUPPORTED" },
    { 16388, "NAT_DETECTION_SOURCE_IP" },
    { 16389, "NAT_DETECTION_DESTINATION_IP" },
    { 16390, "COOKIE" },
    { 16391, "USE_TRANSPORT_MODE" },
    { 16392, "HTTP_CERT_LOOKUP_SUPPORTED" },
    { 16393, "REKEY_SA" },
    { 16394, "ESP_TFC_PADDING_NOT_SUPPORTED" },
    { 16395, "NON_FIRST_FRAGMENTS_ALSO" },
    { 16396, "MOBIKE_SUPPORTED" }, /* RFC 4555 */
    { 16397, "ADDITIONAL_IP4_ADDRESS" },
    { 16398, "ADDITIONAL_IP6_ADDRESS" },
    { 16399, "NO_ADDITIONAL_ADDRESSES" },
    { 16400, "UPDATE_SA_ADDRESSES" },
    { 16401, "COOKIE2" },
    { 16402, "NO_NATS_ALLOWED" },
    { 16403, "AUTH_LIFETIME" },           /* RFC 4478 */
    { 16404, "MULTIPLE_AUTH_SUPPORTED" }, /* RFC 4739 */
    { 16405, "ANOTHER_AUTH_FOLLOWS" },
    { 16406, "REDIRECT_SUPPORTED" },      /* RFC 5685 */
    { 16407, "REDIRECT" },
    { 16408, "REDIRECTED_FROM" },
    { 16409, "TICKET_LT_OPAQUE" },        /* RFC 5723 */
    { 16410, "TICKET_REQUEST" },
    { 16411, "TICKET_ACK" },
    { 16412, "TICKET_NACK" },
    { 16413, "TICKET_OPAQUE" },
    { 16414, "LINK_ID" },
    { 16415, "USE_WESP_MODE" },
    { 16416, "ROHC_SUPPORTED" },
    { 16417, "EAP_ONLY_AUTHENTICATION" },
    { 16418, "CHILDLESS_IKEV2_SUPPORTED" },
    { 16419, "QUICK_CRASH_DETECTION" },
    { 16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED" },
    { 16421, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED" },
    { 16422, "IKEV2_MESSAGE_ID_SYNC" },
    { 16423, "IPSEC_REPLAY_COUNTER_SYNC" },
    { 16424, "SECURE_PASSWORD_METHODS" },
    { 16425, "PSK_PERSIST" },
    { 16426, "PSK_CONFIRM" },
    { 16427, "ERX_SUPPORTED" },
    { 16428, "IFOM_CAPABILITY" },
    { 16429, "SENDER_REQUEST_ID" },
    { 16430, "IKEV2_FRAGMENTATION_SUPPORTED" }, /* RFC 7383 */
    { 16431, "SIGNATURE_HASH_ALGORITHMS" },     /* RFC 7427 */
    { 16432, "CLONE_IKE_SA_SUPPORTED" },
    { 16433, "CLONE_IKE_SA" },
    { 16434, "PUZZLE" },
    { 16435, "USE_PPK" },                       /* RFC 8784 */
    { 16436, "PPK_IDENTITY" },
    { 16437, "NO_PPK_AUTH" },
    { 16438, "INTERMEDIATE_EXCHANGE_SUPPORTED" }, /* RFC 9242 */
    { 16439, "IP4_ALLOWED" },
    { 16440, "IP6_ALLOWED" },
    { 16441, "ADDITIONAL_KEY_EXCHANGE" },         /* RFC 9370 */
    { 16442, "USE_AGGFRAG" },
};

const char *pd_ike_notify_name(uint8_t version, uint16_t type)
{
    return version == 1 ? LOOKUP(v1_notifies, type) : LOOKUP(v2_notifies, type);
}

/* ---- identities, certificates, misc --------------------------------------- */

static const pd_ike_name v1_id_types[] = {
    { 1, "IPV4_ADDR" },        { 2, "FQDN" },           { 3, "USER_FQDN" },
    { 4, "IPV4_ADDR_SUBNET" }, { 5, "IPV6_ADDR" },      { 6, "IPV6_ADDR_SUBNET" },
    { 7, "IPV4_ADDR_RANGE" },  { 8, "IPV6_ADDR_RANGE" },{ 9, "DER_ASN1_DN" },
    { 10, "DER_ASN1_GN" },     { 11, "KEY_ID" },        { 12, "LIST" },
};

static const pd_ike_name v2_id_types[] = {
    { 1, "IPV4_ADDR" },   { 2, "FQDN" },         { 3, "RFC822_ADDR" }, { 5, "IPV6_ADDR" },
    { 9, "DER_ASN1_DN" }, { 10, "DER_ASN1_GN" }, { 11, "KEY_ID" },     { 12, "FC_NAME" },
    { 13, "NULL" }, /* RFC 7619 */
};

const char *pd_ike_id_type_name(uint8_t version, uint8_t type)
{
    return version == 1 ? LOOKUP(v1_id_types, type) : LOOKUP(v2_id_types, type);
}

static const pd_ike_name cert_encodings[] = {
    { 1, "PKCS7_WRAPPED_X509" },
    { 2, "PGP" },
    { 3, "DNS_SIGNED_KEY" },
    { 4, "X509_SIGNATURE" },
    { 5, "X509_KEY_EXCHANGE" }, /* IKEv1 only */
    { 6, "KERBEROS_TOKENS" },
    { 7, "CRL" },
    { 8, "ARL" },
    { 9, "SPKI" },
    { 10, "X509_ATTRIBUTE" },
    { 11, "RAW_RSA_KEY" },
    { 12, "HASH_URL_X509" },
    { 13, "HASH_URL_X509_BUNDLE" },
    { 14, "OCSP_CONTENT" },   /* RFC 4806 */
    { 15, "RAW_PUBLIC_KEY" }, /* RFC 7670 */
};

const char *pd_ike_cert_encoding_name(uint8_t encoding)
{
    return LOOKUP(cert_encodings, encoding);
}

const char *pd_ike_doi_name(uint32_t doi)
{
    switch (doi) {
    case 0: return "ISAKMP";
    case 1: return "IPSEC";
    case 2: return "GDOI";
    }
    return NULL;
}

static const pd_ike_name v1_cfg_attrs[] = {
    { 1, "INTERNAL_IP4_ADDRESS" },  { 2, "INTERNAL_IP4_NETMASK" }, { 3, "INTERNAL_IP4_DNS" },
    { 4, "INTERNAL_IP4_NBNS" },     { 5, "INTERNAL_ADDRESS_EXPIRY" },
    { 6, "INTERNAL_IP4_DHCP" },     { 7, "APPLICATION_VERSION" },  { 8, "INTERNAL_IP6_ADDRESS" },
    { 9, "INTERNAL_IP6_NETMASK" },  { 10, "INTERNAL_IP6_DNS" },    { 11, "INTERNAL_IP6_NBNS" },
    { 12, "INTERNAL_IP6_DHCP" },    { 13, "INTERNAL_IP4_SUBNET" }, { 14, "SUPPORTED_ATTRIBUTES" },
    /* draft-beaulieu-ike-xauth */
    { 16520, "XAUTH_TYPE" },        { 16521, "XAUTH_USER_NAME" },  { 16522, "XAUTH_USER_PASSWORD" },
    { 16523, "XAUTH_PASSCODE" },    { 16524, "XAUTH_MESSAGE" },    { 16525, "XAUTH_CHALLENGE" },
    { 16526, "XAUTH_DOMAIN" },      { 16527, "XAUTH_STATUS" },     { 16528, "XAUTH_NEXT_PIN" },
    { 16529, "XAUTH_ANSWER" },
    /* Cisco Unity */
    { 28672, "UNITY_BANNER" },      { 28673, "UNITY_SAVE_PASSWD" }, { 28674, "UNITY_DEF_DOMAIN" },
    { 28675, "UNITY_SPLIT_DOMAIN" },{ 28676, "UNITY_SPLIT_INCLUDE" },{ 28677, "UNITY_NATT_PORT" },
    { 28678, "UNITY_SPLIT_EXCLUDE" },{ 28679, "UNITY_PFS" },        { 28680, "UNITY_FW_TYPE" },
    { 28681, "UNITY_BACKUP_SERVERS" },{ 28682, "UNITY_DDNS_HOSTNAME" },
};

static const pd_ike_name v2_cfg_attrs[] = {
    { 1, "INTERNAL_IP4_ADDRESS" }, { 2, "INTERNAL_IP4_NETMASK" }, { 3, "INTERNAL_IP4_DNS" },
    { 4, "INTERNAL_IP4_NBNS" },    { 6, "INTERNAL_IP4_DHCP" },    { 7, "APPLICATION_VERSION" },
    { 8, "INTERNAL_IP6_ADDRESS" }, { 10, "INTERNAL_IP6_DNS" },    { 12, "INTERNAL_IP6_DHCP" },
    { 13, "INTERNAL_IP4_SUBNET" }, { 14, "SUPPORTED_ATTRIBUTES" },{ 15, "INTERNAL_IP6_SUBNET" },
    { 16, "MIP6_HOME_PREFIX" },    { 17, "INTERNAL_IP6_LINK" },   { 18, "INTERNAL_IP6_PREFIX" },
    { 19, "HOME_AGENT_ADDRESS" },  { 20, "P_CSCF_IP4_ADDRESS" },  { 21, "P_CSCF_IP6_ADDRESS" },
    { 25, "INTERNAL_DNS_DOMAIN" }, { 26, "INTERNAL_DNSSEC_TA" },
};

const char *pd_ike_cfg_attr_name(uint8_t version, uint16_t type)
{
    return version == 1 ? LOOKUP(v1_cfg_attrs, type) : LOOKUP(v2_cfg_attrs, type);
}

const char *pd_ike_cfg_type_name(uint8_t type)
{
    switch (type) {
    case 1: return "CFG_REQUEST";
    case 2: return "CFG_REPLY";
    case 3: return "CFG_SET";
    case 4: return "CFG_ACK";
    }
    return NULL;
}

/* ---- IKEv2 transforms ------------------------------------------------------ */

const char *pd_ike_transform_type_name(uint8_t type)
{
    static const char *const names[] = { NULL,     "ENCR",   "PRF",    "INTEG",  "DH",
                                         "ESN",    "ADDKE1", "ADDKE2", "ADDKE3", "ADDKE4",
                                         "ADDKE5", "ADDKE6", "ADDKE7" };
    return type < COUNT(names) ? names[type] : NULL;
}

static const pd_ike_name encr_names[] = {
    { 1, "DES_IV64" },
    { 2, "DES_CBC" },
    { 3, "3DES_CBC" },
    { 4, "RC5_CBC" },
    { 5, "IDEA_CBC" },
    { 6, "CAST_CBC" },
    { 7, "BLOWFISH_CBC" },
    { 8, "3IDEA" },
    { 9, "DES_IV32" },
    { 11, "NULL" },
    { 12, "AES_CBC" },
    { 13, "AES_CTR" },        /* RFC 3686 */
    { 14, "AES_CCM_8" },      /* RFC 4309 */
    { 15, "AES_CCM_12" },
    { 16, "AES_CCM_16" },
    { 18, "AES_GCM_8" },      /* RFC 4106 */
    { 19, "AES_GCM_12" },
    { 20, "AES_GCM_16" },
    { 21, "NULL_AES_GMAC" },  /* RFC 4543 */
    { 23, "CAMELLIA_CBC" },   /* RFC 5529 */
    { 24, "CAMELLIA_CTR" },
    { 25, "CAMELLIA_CCM_8" },
    { 26, "CAMELLIA_CCM_12" },
    { 27, "CAMELLIA_CCM_16" },
    { 28, "CHACHA20_POLY1305" }, /* RFC 7634 */
    { 29, "AES_CCM_8_IIV" },     /* RFC 8750 */
    { 30, "AES_GCM_16_IIV" },
    { 31, "CHACHA20_POLY1305_IIV" },
};

static const pd_ike_name prf_names[] = {
    { 1, "PRF_HMAC_MD5" },      { 2, "PRF_HMAC_SHA1" },     { 3, "PRF_HMAC_TIGER" },
    { 4, "PRF_AES128_XCBC" },   { 5, "PRF_HMAC_SHA2_256" }, { 6, "PRF_HMAC_SHA2_384" },
    { 7, "PRF_HMAC_SHA2_512" }, { 8, "PRF_AES128_CMAC" },
};

static const pd_ike_name integ_names[] = {
    { 0, "NONE" },
    { 1, "HMAC_MD5_96" },
    { 2, "HMAC_SHA1_96" },
    { 3, "DES_MAC" },
    { 4, "KPDK_MD5" },
    { 5, "AES_XCBC_96" },
    { 6, "HMAC_MD5_128" },
    { 7, "HMAC_SHA1_160" },
    { 8, "AES_CMAC_96" },
    { 9, "AES_128_GMAC" },
    { 10, "AES_192_GMAC" },
    { 11, "AES_256_GMAC" },
    { 12, "HMAC_SHA2_256_128" }, /* RFC 4868 */
    { 13, "HMAC_SHA2_384_192" },
    { 14, "HMAC_SHA2_512_256" },
};

/* IKEv2 "Key Exchange Method" ids; IKEv1 group descriptions share 1..32. */
static const pd_ike_name dh_names[] = {
    { 0, "NONE" },
    { 1, "MODP_768" },
    { 2, "MODP_1024" },
    { 3, "EC2N_GP_155" }, /* IKEv1 only */
    { 4, "EC2N_GP_185" },
    { 5, "MODP_1536" },
    { 6, "EC2N_163_1" },
    { 7, "EC2N_163_2" },
    { 8, "EC2N_283_1" },
    { 9, "EC2N_283_2" },
    { 10, "EC2N_409_1" },
    { 11, "EC2N_409_2" },
    { 12, "EC2N_571_1" },
    { 13, "EC2N_571_2" },
    { 14, "MODP_2048" }, /* RFC 3526 */
    { 15, "MODP_3072" },
    { 16, "MODP_4096" },
    { 17, "MODP_6144" },
    { 18, "MODP_8192" },
    { 19, "ECP_256" }, /* RFC 5903 */
    { 20, "ECP_384" },
    { 21, "ECP_521" },
    { 22, "MODP_1024_160" }, /* RFC 5114 */
    { 23, "MODP_2048_224" },
    { 24, "MODP_2048_256" },
    { 25, "ECP_192" },
    { 26, "ECP_224" },
    { 27, "ECP_224_BP" }, /* RFC 6954 */
    { 28, "ECP_256_BP" },
    { 29, "ECP_384_BP" },
    { 30, "ECP_512_BP" },
    { 31, "CURVE_25519" }, /* RFC 8031 */
    { 32, "CURVE_448" },
    { 33, "GOST3410_256" }, /* RFC 9385 */
    { 34, "GOST3410_512" },
    { 35, "ML_KEM_512" },
    { 36, "ML_KEM_768" },
    { 37, "ML_KEM_1024" },
};

const char *pd_ike_encr_name(uint16_t id) { return LOOKUP(encr_names, id); }
const char *pd_ike_prf_name(uint16_t id) { return LOOKUP(prf_names, id); }
const char *pd_ike_integ_name(uint16_t id) { return LOOKUP(integ_names, id); }
const char *pd_ike_dh_name(uint16_t id) { return LOOKUP(dh_names, id); }

const char *pd_ike_esn_name(uint16_t id)
{
    switch (id) {
    case 0: return "NO_EXT_SEQ";
    case 1: return "EXT_SEQ";
    }
    return NULL;
}

const char *pd_ike_transform_id_name(uint8_t type, uint16_t id)
{
    switch (type) {
    case PD_IKE_XF_ENCR: return pd_ike_encr_name(id);
    case PD_IKE_XF_PRF: return pd_ike_prf_name(id);
    case PD_IKE_XF_INTEG: return pd_ike_integ_name(id);
    case PD_IKE_XF_ESN: return pd_ike_esn_name(id);
    default:
        /* DH and ADDKE1..7 share the Key Exchange Method registry. */
        if (type == PD_IKE_XF_DH || (type >= PD_IKE_XF_ADDKE1 && type <= PD_IKE_XF_ADDKE7))
            return pd_ike_dh_name(id);
    }
    return NULL;
}

bool pd_ike_encr_is_aead(uint16_t encr)
{
    switch (encr) {
    case 14: case 15: case 16:     /* AES-CCM */
    case 18: case 19: case 20:     /* AES-GCM */
    case 21:                       /* NULL-AES-GMAC */
    case 25: case 26: case 27:     /* Camellia-CCM */
    case 28:                       /* ChaCha20-Poly1305 */
    case 29: case 30: case 31:     /* implicit-IV variants */
        return true;
    }
    return false;
}

uint16_t pd_ike_encr_default_key_len(uint16_t encr)
{
    switch (encr) {
    case PD_IKE_ENCR_RC5:
    case PD_IKE_ENCR_CAST:
    case PD_IKE_ENCR_BLOWFISH:
    case 12: case 13: case 14: case 15: case 16:
    case 18: case 19: case 20: case 21:
    case 23: case 24: case 25: case 26: case 27:
    case 29: case 30:
        return 128;
    }
    return 0;
}

static const pd_ike_name v2_auth_methods[] = {
    { 1, "RSA_SIG" },
    { 2, "PSK" }, /* Shared Key Message Integrity Code */
    { 3, "DSS_SIG" },
    { 9, "ECDSA_SHA256_P256" }, /* RFC 4754 */
    { 10, "ECDSA_SHA384_P384" },
    { 11, "ECDSA_SHA512_P521" },
    { 12, "GSPAM" },            /* RFC 6467 */
    { 13, "NULL" },             /* RFC 7619 */
    { 14, "DIGITAL_SIGNATURE" },/* RFC 7427 */
};

const char *pd_ikev2_auth_method_name(uint8_t method)
{
    return LOOKUP(v2_auth_methods, method);
}

const char *pd_ikev2_ts_type_name(uint8_t type)
{
    switch (type) {
    case 7: return "TS_IPV4_ADDR_RANGE";
    case 8: return "TS_IPV6_ADDR_RANGE";
    case 9: return "TS_FC_ADDR_RANGE";
    }
    return NULL;
}

const char *pd_ike_eap_code_name(uint8_t code)
{
    switch (code) {
    case 1: return "Request";
    case 2: return "Response";
    case 3: return "Success";
    case 4: return "Failure";
    }
    return NULL;
}

static const pd_ike_name eap_types[] = {
    { 1, "Identity" },  { 2, "Notification" },  { 3, "Nak" },   { 4, "MD5-Challenge" },
    { 5, "OTP" },       { 6, "GTC" },           { 13, "TLS" },  { 17, "LEAP" },
    { 18, "SIM" },      { 21, "TTLS" },         { 23, "AKA" },  { 25, "PEAP" },
    { 26, "MSCHAPv2" }, { 43, "FAST" },         { 49, "IKEv2" },{ 50, "AKA'" },
    { 52, "PWD" },      { 55, "TEAP" },
};

const char *pd_ike_eap_type_name(uint8_t type)
{
    return LOOKUP(eap_types, type);
}

/* ---- IKEv1 attributes ------------------------------------------------------ */

static const pd_ike_name v1_p1_attrs[] = {
    { 1, "ENCRYPTION_ALGORITHM" }, { 2, "HASH_ALGORITHM" },   { 3, "AUTHENTICATION_METHOD" },
    { 4, "GROUP_DESCRIPTION" },    { 5, "GROUP_TYPE" },       { 6, "GROUP_PRIME" },
    { 7, "GROUP_GENERATOR_ONE" },  { 8, "GROUP_GENERATOR_TWO" }, { 9, "GROUP_CURVE_A" },
    { 10, "GROUP_CURVE_B" },       { 11, "LIFE_TYPE" },       { 12, "LIFE_DURATION" },
    { 13, "PRF" },                 { 14, "KEY_LENGTH" },      { 15, "FIELD_SIZE" },
    { 16, "GROUP_ORDER" },
};

static const pd_ike_name v1_p2_attrs[] = {
    { 1, "SA_LIFE_TYPE" },        { 2, "SA_LIFE_DURATION" },   { 3, "GROUP_DESCRIPTION" },
    { 4, "ENCAPSULATION_MODE" },  { 5, "AUTH_ALGORITHM" },     { 6, "KEY_LENGTH" },
    { 7, "KEY_ROUNDS" },          { 8, "COMPRESS_DICT_SIZE" }, { 9, "COMPRESS_PRIVATE_ALG" },
    { 10, "ECN_TUNNEL" },         { 11, "EXT_SEQ_NBR" },       { 12, "AUTH_KEY_LENGTH" },
    { 13, "SIG_ENCODING_ALG" },   { 14, "ADDRESS_PRESERVATION" }, { 15, "SA_DIRECTION" },
};

const char *pd_ikev1_attr_name(bool phase1, uint16_t type)
{
    return phase1 ? LOOKUP(v1_p1_attrs, type) : LOOKUP(v1_p2_attrs, type);
}

static const pd_ike_name v1_encr[] = {
    { 1, "DES_CBC" },  { 2, "IDEA_CBC" }, { 3, "BLOWFISH_CBC" }, { 4, "RC5_R16_B64_CBC" },
    { 5, "3DES_CBC" }, { 6, "CAST_CBC" }, { 7, "AES_CBC" },      { 8, "CAMELLIA_CBC" },
};

static const pd_ike_name v1_hash[] = {
    { 1, "MD5" },      { 2, "SHA1" },     { 3, "TIGER" },
    { 4, "SHA2_256" }, { 5, "SHA2_384" }, { 6, "SHA2_512" },
};

static const pd_ike_name v1_auth_methods[] = {
    { 1, "PSK" },
    { 2, "DSS_SIG" },
    { 3, "RSA_SIG" },
    { 4, "RSA_ENC" },
    { 5, "RSA_REVISED_ENC" },
    { 6, "ELGAMAL_ENC" },
    { 7, "ELGAMAL_REVISED_ENC" },
    { 8, "ECDSA_SIG" },
    { 9, "ECDSA_SHA256_P256" }, /* RFC 4754 */
    { 10, "ECDSA_SHA384_P384" },
    { 11, "ECDSA_SHA512_P521" },
    /* draft-ietf-ipsec-isakmp-hybrid-auth */
    { 64221, "HYBRID_INIT_RSA" },
    { 64222, "HYBRID_RESP_RSA" },
    { 64223, "HYBRID_INIT_DSS" },
    { 64224, "HYBRID_RESP_DSS" },
    /* draft-ietf-ipsec-isakmp-xauth */
    { 65001, "XAUTH_INIT_PSK" },
    { 65002, "XAUTH_RESP_PSK" },
    { 65003, "XAUTH_INIT_DSS" },
    { 65004, "XAUTH_RESP_DSS" },
    { 65005, "XAUTH_INIT_RSA" },
    { 65006, "XAUTH_RESP_RSA" },
    { 65007, "XAUTH_INIT_RSA_ENC" },
    { 65008, "XAUTH_RESP_RSA_ENC" },
    { 65009, "XAUTH_INIT_RSA_REVISED_ENC" },
    { 65010, "XAUTH_RESP_RSA_REVISED_ENC" },
};

const char *pd_ikev1_encr_name(uint16_t v) { return LOOKUP(v1_encr, v); }
const char *pd_ikev1_hash_name(uint16_t v) { return LOOKUP(v1_hash, v); }
const char *pd_ikev1_auth_method_name(uint16_t v) { return LOOKUP(v1_auth_methods, v); }

const char *pd_ikev1_life_type_name(uint16_t v)
{
    switch (v) {
    case 1: return "SECONDS";
    case 2: return "KILOBYTES";
    }
    return NULL;
}

static const pd_ike_name v1_encap[] = {
    { 1, "TUNNEL" },
    { 2, "TRANSPORT" },
    { 3, "UDP_TUNNEL" },    /* RFC 3947 */
    { 4, "UDP_TRANSPORT" },
    { 61443, "UDP_TUNNEL_DRAFT" }, /* draft-ietf-ipsec-nat-t-ike-00..08 */
    { 61444, "UDP_TRANSPORT_DRAFT" },
};

const char *pd_ikev1_encap_mode_name(uint16_t v) { return LOOKUP(v1_encap, v); }

static const pd_ike_name v1_auth_algs[] = {
    { 1, "HMAC_MD5" },      { 2, "HMAC_SHA1" },     { 3, "DES_MAC" },
    { 4, "KPDK" },          { 5, "HMAC_SHA2_256" }, { 6, "HMAC_SHA2_384" },
    { 7, "HMAC_SHA2_512" }, { 8, "HMAC_RIPEMD" },   { 9, "AES_XCBC_MAC" },
    { 10, "SIG_RSA" },      { 11, "AES_128_GMAC" }, { 12, "AES_192_GMAC" },
    { 13, "AES_256_GMAC" },
};

const char *pd_ikev1_auth_alg_name(uint16_t v) { return LOOKUP(v1_auth_algs, v); }

static const pd_ike_name v1_esp_ids[] = {
    { 1, "ESP_DES_IV64" },   { 2, "ESP_DES" },       { 3, "ESP_3DES" },
    { 4, "ESP_RC5" },        { 5, "ESP_IDEA" },      { 6, "ESP_CAST" },
    { 7, "ESP_BLOWFISH" },   { 8, "ESP_3IDEA" },     { 9, "ESP_DES_IV32" },
    { 10, "ESP_RC4" },       { 11, "ESP_NULL" },     { 12, "ESP_AES" },
    { 13, "ESP_AES_CTR" },   { 14, "ESP_AES_CCM_8" },{ 15, "ESP_AES_CCM_12" },
    { 16, "ESP_AES_CCM_16" },{ 18, "ESP_AES_GCM_8" },{ 19, "ESP_AES_GCM_12" },
    { 20, "ESP_AES_GCM_16" },{ 21, "ESP_SEED_CBC" }, { 22, "ESP_CAMELLIA" },
    { 23, "ESP_NULL_AUTH_AES_GMAC" },
};

static const pd_ike_name v1_ah_ids[] = {
    { 2, "AH_MD5" },          { 3, "AH_SHA" },          { 4, "AH_DES" },
    { 5, "AH_SHA2_256" },     { 6, "AH_SHA2_384" },     { 7, "AH_SHA2_512" },
    { 8, "AH_RIPEMD" },       { 9, "AH_AES_XCBC_MAC" }, { 10, "AH_RSA" },
    { 11, "AH_AES_128_GMAC" },{ 12, "AH_AES_192_GMAC" },{ 13, "AH_AES_256_GMAC" },
};

static const pd_ike_name v1_ipcomp_ids[] = {
    { 1, "IPCOMP_OUI" }, { 2, "IPCOMP_DEFLATE" }, { 3, "IPCOMP_LZS" }, { 4, "IPCOMP_LZJH" },
};

const char *pd_ikev1_transform_id_name(uint8_t protocol, uint8_t id)
{
    switch (protocol) {
    case PD_IKE_PROTO_IKE: return id == 1 ? "KEY_IKE" : NULL;
    case PD_IKE_PROTO_AH: return LOOKUP(v1_ah_ids, id);
    case PD_IKE_PROTO_ESP: return LOOKUP(v1_esp_ids, id);
    case PD_IKE_PROTO_IPCOMP: return LOOKUP(v1_ipcomp_ids, id);
    }
    return NULL;
}

/* ---- IKEv1 -> IKEv2 --------------------------------------------------------- */

bool pd_ikev1_encr_to_v2(uint16_t v1, uint16_t *v2)
{
    static const uint16_t map[] = { 0, PD_IKE_ENCR_DES, PD_IKE_ENCR_IDEA, PD_IKE_ENCR_BLOWFISH,
                                    PD_IKE_ENCR_RC5, PD_IKE_ENCR_3DES, PD_IKE_ENCR_CAST,
                                    PD_IKE_ENCR_AES_CBC, PD_IKE_ENCR_CAMELLIA_CBC };
    if (v1 == 0 || v1 >= COUNT(map))
        return false;
    *v2 = map[v1];
    return true;
}

bool pd_ikev1_hash_to_prf(uint16_t v1, uint16_t *v2)
{
    static const uint16_t map[] = { 0, PD_IKE_PRF_HMAC_MD5, PD_IKE_PRF_HMAC_SHA1,
                                    PD_IKE_PRF_HMAC_TIGER, PD_IKE_PRF_HMAC_SHA2_256,
                                    PD_IKE_PRF_HMAC_SHA2_384, PD_IKE_PRF_HMAC_SHA2_512 };
    if (v1 == 0 || v1 >= COUNT(map))
        return false;
    *v2 = map[v1];
    return true;
}

bool pd_ikev1_esp_to_v2(uint8_t v1, uint16_t *v2)
{
    /* The IPsec DOI ESP transform IDs and the IKEv2 ENCR ids agree up to 20;
     * after that IKEv1 has SEED (21), CAMELLIA (22), NULL_AUTH_AES_GMAC (23). */
    if ((v1 >= 1 && v1 <= 9) || (v1 >= 11 && v1 <= 16) || (v1 >= 18 && v1 <= 20)) {
        *v2 = v1;
        return true;
    }
    if (v1 == 22) {
        *v2 = PD_IKE_ENCR_CAMELLIA_CBC;
        return true;
    }
    if (v1 == 23) {
        *v2 = PD_IKE_ENCR_NULL_AES_GMAC;
        return true;
    }
    return false; /* RC4 (10), SEED (21): no IKEv2 id */
}

bool pd_ikev1_auth_alg_to_integ(uint16_t v1, uint16_t *v2)
{
    switch (v1) {
    case 1: *v2 = PD_IKE_INTEG_HMAC_MD5_96; return true;
    case 2: *v2 = PD_IKE_INTEG_HMAC_SHA1_96; return true;
    case 3: *v2 = 3; return true; /* DES_MAC */
    case 4: *v2 = 4; return true; /* KPDK_MD5 */
    case 5: *v2 = PD_IKE_INTEG_HMAC_SHA2_256_128; return true; /* RFC 4868 2.6 */
    case 6: *v2 = PD_IKE_INTEG_HMAC_SHA2_384_192; return true;
    case 7: *v2 = PD_IKE_INTEG_HMAC_SHA2_512_256; return true;
    case 9: *v2 = PD_IKE_INTEG_AES_XCBC_96; return true;
    case 11: *v2 = 9; return true;  /* AES_128_GMAC */
    case 12: *v2 = 10; return true;
    case 13: *v2 = 11; return true;
    }
    return false;
}

bool pd_ikev1_ah_to_integ(uint8_t v1, uint16_t *v2)
{
    switch (v1) {
    case 2: *v2 = PD_IKE_INTEG_HMAC_MD5_96; return true;
    case 3: *v2 = PD_IKE_INTEG_HMAC_SHA1_96; return true;
    case 4: *v2 = 3; return true;
    case 5: *v2 = PD_IKE_INTEG_HMAC_SHA2_256_128; return true;
    case 6: *v2 = PD_IKE_INTEG_HMAC_SHA2_384_192; return true;
    case 7: *v2 = PD_IKE_INTEG_HMAC_SHA2_512_256; return true;
    case 9: *v2 = PD_IKE_INTEG_AES_XCBC_96; return true;
    case 11: *v2 = 9; return true;
    case 12: *v2 = 10; return true;
    case 13: *v2 = 11; return true;
    }
    return false;
}

/* ---- vendor IDs ------------------------------------------------------------ */

/* Most vendor IDs are the MD5 of a fixed string; several append version
 * bytes, hence prefix matching. Hex here, checked against MD5 of the
 * strings named. */
typedef struct vid_entry {
    const char *hex;
    pd_ike_vid_kind kind;
    const char *name;
} vid_entry;

static const vid_entry vids[] = {
    { "4a131c81070358455c5728f20e95452f", PD_IKE_VID_NATT_RFC3947, "RFC 3947 NAT-T" },
    { "4485152d18b6bbcd0be8a8469579ddcc", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-00" },
    { "16f6ca16e4a4066d83821a0f0aeaa862", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-01" },
    { "cd60464335df21f87cfdb2fc68b6a448", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-02" },
    { "90cb80913ebb696e086381b5ec427b1f", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-02\\n" },
    { "7d9419a65310ca6f2c179d9215529d56", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-03" },
    { "9909b64eed937c6573de52ace952fa6b", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-04" },
    { "80d0bb3def54565ee84645d4c85ce3ee", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-05" },
    { "4d1e0e136deafa34c4f3ea9f02ec7285", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-06" },
    { "439b59f8ba676c4c7737ae22eab8f582", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-07" },
    { "8f8d83826d246b6fc7a8a6a428c11de8", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-08" },
    { "42ea5b6f898d9773a575df26e7dd19e1", PD_IKE_VID_NATT_DRAFT, "draft-ietf-ipsec-nat-t-ike-09" },
    { "27bab5dc01ea0760ea4e3190ac27c0d0", PD_IKE_VID_NATT_DRAFT, "draft-stenberg-ipsec-nat-traversal-01" },
    { "6105c422e76847e43f9684801292aecd", PD_IKE_VID_NATT_DRAFT, "draft-stenberg-ipsec-nat-traversal-02" },
    /* RFC 3706: MD5 prefix followed by major 0x01, minor 0x00. */
    { "afcad71368a1f1c96b8696fc7757", PD_IKE_VID_DPD, "Dead Peer Detection" },
    /* First 8 bytes of MD5("draft-ietf-ipsra-isakmp-xauth-06.txt"). */
    { "09002689dfd6b712", PD_IKE_VID_XAUTH, "XAUTH" },
    { "4048b7d56ebce88525e7de7f00d6c2d3", PD_IKE_VID_FRAGMENTATION, "IKE fragmentation" },
    { "1e2b516905991c7d7c96fcbfb587e461", PD_IKE_VID_MICROSOFT, "MS NT5 ISAKMPOAKLEY" },
    { "fb1de3cdf341b7ea16b7e5be0855f120", PD_IKE_VID_MICROSOFT_OTHER, "MS-Negotiation Discovery Capable" },
    { "26244d38eddb61b3172a36e3d0cfb819", PD_IKE_VID_MICROSOFT_OTHER, "Microsoft Vid-Initial-Contact" },
    { "e3a5966a76379fe707228231e5ce8652", PD_IKE_VID_MICROSOFT_OTHER, "IKE CGA version 1" },
    { "214ca4faffa7f32d6748e5303395ae83", PD_IKE_VID_MICROSOFT_OTHER, "MS-MamieExists" },
    /* MD5("CISCO-UNITY") with its last two bytes replaced by major/minor. */
    { "12f5f28c457168a9702d9fe274cc", PD_IKE_VID_CISCO_UNITY, "Cisco Unity" },
    { "882fe56d6fd20dbc2251613b2ebe5beb", PD_IKE_VID_STRONGSWAN, "strongSwan" },
    { "7003cbc1097dbe9c2600ba6983bc8b35", PD_IKE_VID_OTHER, "KAME/racoon" },
    { "20a3622c1cea7ce37bee3ca484425276", PD_IKE_VID_OTHER, "IPSec-Tools" },
    { "621b04bb09882ac1e15935fefa24aeee", PD_IKE_VID_OTHER, "GSSAPI" },
    { "4865617274426561745f4e6f74696679", PD_IKE_VID_OTHER, "Heartbeat Notify" },
    { "50760f624c63e5c53eea386c685ca083", PD_IKE_VID_OTHER, "SSH ESPThruNAT" },
    { "f4ed19e0c114eb516faaac0ee37daf2807b4381f", PD_IKE_VID_OTHER, "Check Point" },
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Number of bytes of the entry if data starts with it, else 0. */
static size_t vid_prefix_match(const char *hex, const uint8_t *data, size_t len)
{
    size_t n = strlen(hex) / 2;
    pd_cursor c = pd_cursor_make(data, len);
    uint8_t b;
    if (n > c.len)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int v = (hexval(hex[2 * i]) << 4) | hexval(hex[2 * i + 1]);
        if (!pd_cursor_u8(&c, &b) || v != b)
            return 0;
    }
    return n;
}

void pd_ike_vendor_identify(pd_ike_vendor *v, const uint8_t *data, size_t len)
{
    memset(v, 0, sizeof(*v));
    if (!data)
        len = 0;
    v->len = len;
    memcpy(v->data, data ? data : (const uint8_t *)"", len < PD_IKE_VID_MAX ? len : PD_IKE_VID_MAX);
    size_t best = 0;
    const vid_entry *hit = NULL;
    for (size_t i = 0; i < COUNT(vids); i++) {
        size_t m = vid_prefix_match(vids[i].hex, data, len);
        if (m > best) {
            best = m;
            hit = &vids[i];
        }
    }
    if (!hit)
        return;
    v->kind = hit->kind;
    v->name = hit->name;
    if (hit->kind == PD_IKE_VID_MICROSOFT && len >= 20) {
        /* The 16-byte hash is followed by a 32-bit version number. */
        pd_cursor c = pd_cursor_make(data, len);
        pd_cursor_skip(&c, 16);
        pd_cursor_be32(&c, &v->version);
        v->has_version = true;
    }
}

static const char *ms_version_name(uint32_t v)
{
    switch (v) {
    case 2: return "Windows 2000";
    case 3: return "Windows XP SP1";
    case 4: return "Windows Server 2003 / XP SP2";
    case 5: return "Windows Vista";
    case 6: return "Windows Server 2008";
    case 7: return "Windows 7";
    case 8: return "Windows Server 2008 R2";
    case 9: return "Windows 8 and later";
    }
    return NULL;
}

const char *pd_ike_vendor_describe(const pd_ike_vendor *v, char *buf, size_t len)
{
    if (!buf || len == 0)
        return "";
    if (!v->name) {
        static const char hexd[] = "0123456789abcdef";
        size_t n = v->len < PD_IKE_VID_MAX ? v->len : PD_IKE_VID_MAX;
        size_t o = (size_t)snprintf(buf, len, "unknown ");
        for (size_t i = 0; i < n && o + 3 < len; i++) {
            buf[o++] = hexd[v->data[i] >> 4];
            buf[o++] = hexd[v->data[i] & 15];
        }
        if (o >= len)
            o = len - 1;
        buf[o] = '\0';
        return buf;
    }
    if (v->has_version) {
        const char *os = ms_version_name(v->version);
        if (os)
            snprintf(buf, len, "%s (%s)", v->name, os);
        else
            snprintf(buf, len, "%s (version %u)", v->name, (unsigned)v->version);
        return buf;
    }
    snprintf(buf, len, "%s", v->name);
    return buf;
}

const char *pd_ike_vid_kind_name(pd_ike_vid_kind k)
{
    switch (k) {
    case PD_IKE_VID_UNKNOWN: return "unknown";
    case PD_IKE_VID_NATT_RFC3947: return "natt_rfc3947";
    case PD_IKE_VID_NATT_DRAFT: return "natt_draft";
    case PD_IKE_VID_DPD: return "dpd";
    case PD_IKE_VID_XAUTH: return "xauth";
    case PD_IKE_VID_FRAGMENTATION: return "fragmentation";
    case PD_IKE_VID_MICROSOFT: return "microsoft";
    case PD_IKE_VID_MICROSOFT_OTHER: return "microsoft_other";
    case PD_IKE_VID_CISCO_UNITY: return "cisco_unity";
    case PD_IKE_VID_STRONGSWAN: return "strongswan";
    case PD_IKE_VID_OTHER: return "other";
    }
    return "unknown";
}
