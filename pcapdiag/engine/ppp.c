/* ppp.c - PPP frame and control protocol decoder (RFC 1661, 1334, 1994,
 * 2759, 3748, 1962, 3078, 1332, 1877, 5072).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ppp.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pcapdiag/cursor.h"

/* ---- protocol tables ---------------------------------------------------------- */

typedef struct proto_entry {
    uint16_t number;
    const char *name;
} proto_entry;

/* The numbers PPP stacks actually send (IANA PPP DLL protocol numbers,
 * trimmed to what VPN servers and clients use). */
static const proto_entry protocols[] = {
    { PD_PPP_IP, "IP" },
    { 0x0023, "OSI" },
    { 0x0029, "AppleTalk" },
    { 0x002B, "IPX" },
    { PD_PPP_VJ_COMP, "VJ compressed TCP/IP" },
    { PD_PPP_VJ_UNCOMP, "VJ uncompressed TCP/IP" },
    { 0x0031, "Bridging PDU" },
    { PD_PPP_MP, "Multilink" },
    { 0x003F, "NetBIOS Frames" },
    { PD_PPP_IPV6, "IPv6" },
    { PD_PPP_COMP_LINK, "Individual link compressed datagram" },
    { PD_PPP_COMP, "Compressed datagram" },
    { 0x0281, "MPLS unicast" },
    { 0x0283, "MPLS multicast" },
    { PD_PPP_IPCP, "IPCP" },
    { 0x8023, "OSINLCP" },
    { 0x8029, "ATCP" },
    { 0x802B, "IPXCP" },
    { 0x8031, "BCP" },
    { 0x803F, "NBFCP" },
    { PD_PPP_IPV6CP, "IPV6CP" },
    { PD_PPP_CCP_LINK, "Individual link CCP" },
    { PD_PPP_CCP, "CCP" },
    { 0x8281, "MPLSCP" },
    { PD_PPP_LCP, "LCP" },
    { PD_PPP_PAP, "PAP" },
    { PD_PPP_LQR, "LQR" },
    { 0xC027, "SPAP" },
    { PD_PPP_CBCP, "CBCP" },
    { PD_PPP_BACP, "BACP" },
    { 0xC02D, "BAP" },
    { 0xC123, "SPAP (old)" },
    { PD_PPP_CHAP, "CHAP" },
    { PD_PPP_EAP, "EAP" },
};

static const proto_entry *find_protocol(uint16_t p)
{
    for (size_t i = 0; i < G_N_ELEMENTS(protocols); i++)
        if (protocols[i].number == p)
            return &protocols[i];
    return NULL;
}

bool pd_ppp_protocol_known(uint16_t protocol)
{
    return find_protocol(protocol) != NULL;
}

const char *pd_ppp_protocol_name(uint16_t protocol)
{
    const proto_entry *e = find_protocol(protocol);
    return e ? e->name : "Unknown";
}

bool pd_ppp_protocol_is_control(uint16_t p)
{
    return p == PD_PPP_LCP || p == PD_PPP_PAP || p == PD_PPP_CHAP || p == PD_PPP_EAP ||
           p == PD_PPP_CCP || p == PD_PPP_IPCP || p == PD_PPP_IPV6CP;
}

/* LCP and the network/compression control protocols built on it. */
static bool is_lcp_family(uint16_t p)
{
    return p == PD_PPP_LCP || p == PD_PPP_CCP || p == PD_PPP_IPCP || p == PD_PPP_IPV6CP;
}

static pd_ppp_kind kind_of(uint16_t p)
{
    if (pd_ppp_protocol_is_control(p))
        return PD_PPP_KIND_CONTROL;
    if (p == PD_PPP_COMP || p == PD_PPP_COMP_LINK)
        return PD_PPP_KIND_COMPRESSED;
    if (p == PD_PPP_IP || p == PD_PPP_IPV6 || p == PD_PPP_VJ_COMP || p == PD_PPP_VJ_UNCOMP)
        return PD_PPP_KIND_NETWORK;
    return PD_PPP_KIND_OTHER;
}

#define NAME_OR_UNKNOWN(table, v) \
    (((size_t)(v) < G_N_ELEMENTS(table) && (table)[(v)]) ? (table)[(v)] : "Unknown")

const char *pd_ppp_code_name(uint16_t protocol, uint8_t code)
{
    static const char *const cp[] = {
        [1] = "Configure-Request", [2] = "Configure-Ack", [3] = "Configure-Nak",
        [4] = "Configure-Reject",  [5] = "Terminate-Request", [6] = "Terminate-Ack",
        [7] = "Code-Reject",       [8] = "Protocol-Reject", [9] = "Echo-Request",
        [10] = "Echo-Reply",       [11] = "Discard-Request", [12] = "Identification",
        [13] = "Time-Remaining",   [14] = "Reset-Request", [15] = "Reset-Ack",
    };
    static const char *const pap[] = {
        [1] = "Authenticate-Request", [2] = "Authenticate-Ack", [3] = "Authenticate-Nak",
    };
    static const char *const chap[] = {
        [1] = "Challenge", [2] = "Response", [3] = "Success", [4] = "Failure",
    };
    static const char *const eap[] = {
        [1] = "Request", [2] = "Response", [3] = "Success", [4] = "Failure",
        [5] = "Initiate", [6] = "Finish",
    };
    switch (protocol) {
    case PD_PPP_LCP: return code <= 13 ? NAME_OR_UNKNOWN(cp, code) : "Unknown";
    case PD_PPP_CCP:
        return (code <= 7 || code == 14 || code == 15) ? NAME_OR_UNKNOWN(cp, code) : "Unknown";
    case PD_PPP_IPCP:
    case PD_PPP_IPV6CP: return code <= 7 ? NAME_OR_UNKNOWN(cp, code) : "Unknown";
    case PD_PPP_PAP: return NAME_OR_UNKNOWN(pap, code);
    case PD_PPP_CHAP: return NAME_OR_UNKNOWN(chap, code);
    case PD_PPP_EAP: return NAME_OR_UNKNOWN(eap, code);
    default: return "Unknown";
    }
}

const char *pd_lcp_option_name(uint8_t type)
{
    static const char *const names[] = {
        [0] = "Vendor-Specific",   [1] = "MRU",         [2] = "ACCM",
        [3] = "Auth-Protocol",     [4] = "Quality-Protocol", [5] = "Magic-Number",
        [7] = "PFC",               [8] = "ACFC",        [9] = "FCS-Alternatives",
        [10] = "Self-Describing-Padding", [11] = "Numbered-Mode", [13] = "Callback",
        [15] = "Compound-Frames",  [17] = "MRRU",       [18] = "Short-Sequence",
        [19] = "Endpoint-Discriminator", [22] = "Multilink-Plus", [23] = "Link-Discriminator",
        [24] = "LCP-Authentication", [25] = "COBS",     [26] = "Prefix-Elision",
        [27] = "Multilink-Header-Format", [28] = "Internationalization",
    };
    return NAME_OR_UNKNOWN(names, type);
}

static const char *ccp_option_name(uint8_t type)
{
    static const char *const names[] = {
        [0] = "OUI",          [1] = "Predictor-1", [2] = "Predictor-2", [3] = "Puddle-Jumper",
        [16] = "HP-PPC",      [17] = "Stac-LZS",   [18] = "MPPE",       [19] = "Gandalf-FZA",
        [20] = "V.42bis",     [21] = "BSD-Compress", [23] = "LZS-DCP",  [24] = "MVRCA",
        [25] = "DCE",         [26] = "Deflate",    [27] = "V.44",
    };
    return NAME_OR_UNKNOWN(names, type);
}

static const char *ipcp_option_name(uint8_t type)
{
    switch (type) {
    case PD_IPCP_OPT_ADDRESSES: return "IP-Addresses";
    case PD_IPCP_OPT_COMPRESSION: return "IP-Compression";
    case PD_IPCP_OPT_ADDRESS: return "IP-Address";
    case 4: return "Mobile-IPv4";
    case PD_IPCP_OPT_DNS1: return "Primary-DNS";
    case PD_IPCP_OPT_NBNS1: return "Primary-NBNS";
    case PD_IPCP_OPT_DNS2: return "Secondary-DNS";
    case PD_IPCP_OPT_NBNS2: return "Secondary-NBNS";
    default: return "Unknown";
    }
}

static const char *ipv6cp_option_name(uint8_t type)
{
    switch (type) {
    case PD_IPV6CP_OPT_IFID: return "Interface-Identifier";
    case PD_IPV6CP_OPT_COMPRESSION: return "IPv6-Compression";
    default: return "Unknown";
    }
}

const char *pd_ppp_option_name(uint16_t protocol, uint8_t type)
{
    switch (protocol) {
    case PD_PPP_LCP: return pd_lcp_option_name(type);
    case PD_PPP_CCP: return ccp_option_name(type);
    case PD_PPP_IPCP: return ipcp_option_name(type);
    case PD_PPP_IPV6CP: return ipv6cp_option_name(type);
    default: return "Unknown";
    }
}

const char *pd_ppp_auth_name(uint16_t protocol, uint8_t algorithm)
{
    switch (protocol) {
    case PD_PPP_PAP: return "PAP";
    case PD_PPP_EAP: return "EAP";
    case 0xC027:
    case 0xC123: return "SPAP";
    case PD_PPP_CHAP:
        switch (algorithm) {
        case PD_CHAP_MD5: return "CHAP-MD5";
        case PD_CHAP_MSCHAP: return "MS-CHAP";
        case PD_CHAP_MSCHAPV2: return "MS-CHAPv2";
        default: return "CHAP";
        }
    default: return "Unknown";
    }
}

const char *pd_eap_type_name(uint8_t type)
{
    switch (type) {
    case PD_EAP_TYPE_IDENTITY: return "Identity";
    case PD_EAP_TYPE_NOTIFICATION: return "Notification";
    case PD_EAP_TYPE_NAK: return "Nak";
    case PD_EAP_TYPE_MD5: return "MD5-Challenge";
    case 5: return "OTP";
    case 6: return "GTC";
    case PD_EAP_TYPE_TLS: return "TLS";
    case 17: return "LEAP";
    case 18: return "SIM";
    case PD_EAP_TYPE_TTLS: return "TTLS";
    case 23: return "AKA";
    case PD_EAP_TYPE_PEAP: return "PEAP";
    case PD_EAP_TYPE_MSCHAPV2: return "MSCHAPv2";
    case 43: return "FAST";
    case 254: return "Expanded";
    default: return "Unknown";
    }
}

const char *pd_ppp_status_name(pd_ppp_status s)
{
    switch (s) {
    case PD_PPP_OK: return "ok";
    case PD_PPP_TRUNCATED: return "truncated";
    case PD_PPP_MALFORMED: return "malformed";
    }
    return "Unknown";
}

/* ---- damage -------------------------------------------------------------------- */

static const struct {
    const char *name, *text;
} damage_names[PD_PPP_DAMAGE__COUNT] = {
    [PD_PPP_DAMAGE_NONE] = { "none", "no damage" },
    [PD_PPP_DAMAGE_EMPTY] = { "empty", "empty PPP frame" },
    [PD_PPP_DAMAGE_BAD_CONTROL] = { "bad_control", "address 0xFF not followed by control 0x03" },
    [PD_PPP_DAMAGE_BAD_PROTOCOL] = { "bad_protocol", "invalid protocol field" },
    [PD_PPP_DAMAGE_HEADER_SHORT] = { "header_short",
                                     "control packet shorter than its 4-byte header" },
    [PD_PPP_DAMAGE_LENGTH_SHORT] = { "length_short", "control packet Length below 4" },
    [PD_PPP_DAMAGE_LENGTH_LONG] = { "length_long",
                                    "control packet Length beyond the bytes in the frame" },
    [PD_PPP_DAMAGE_OPTION_SHORT] = { "option_short", "option length 0 or 1" },
    [PD_PPP_DAMAGE_OPTION_OVERRUN] = { "option_overrun",
                                       "option length runs past the end of the packet" },
    [PD_PPP_DAMAGE_BODY_SHORT] = { "body_short", "packet too short for its code's fields" },
    [PD_PPP_DAMAGE_LCP_NO_ADDRCTL] = { "lcp_no_addrctl",
                                       "LCP frame without address/control FF 03" },
    [PD_PPP_DAMAGE_UNKNOWN_PROTOCOL] = { "unknown_protocol", "unknown PPP protocol number" },
};

const char *pd_ppp_damage_name(pd_ppp_damage d)
{
    return (unsigned)d < PD_PPP_DAMAGE__COUNT ? damage_names[d].name : "unknown";
}

const char *pd_ppp_damage_text(pd_ppp_damage d)
{
    return (unsigned)d < PD_PPP_DAMAGE__COUNT ? damage_names[d].text : "unknown";
}

bool pd_ppp_damage_is_mangling(pd_ppp_damage d)
{
    return d != PD_PPP_DAMAGE_NONE && d != PD_PPP_DAMAGE_UNKNOWN_PROTOCOL &&
           (unsigned)d < PD_PPP_DAMAGE__COUNT;
}

pd_ppp_damage pd_ppp_check(const pd_ppp_frame *f)
{
    if (f->status == PD_PPP_MALFORMED)
        return f->malformed;
    if (f->kind == PD_PPP_KIND_NONE)
        return PD_PPP_DAMAGE_NONE;
    /* RFC 1661 6.6: LCP always goes with FF 03, so that LCP can be
     * recognised before (and whatever) ACFC was negotiated. */
    if (f->protocol == PD_PPP_LCP && !f->has_addrctl)
        return PD_PPP_DAMAGE_LCP_NO_ADDRCTL;
    if (!pd_ppp_protocol_known(f->protocol))
        return PD_PPP_DAMAGE_UNKNOWN_PROTOCOL;
    return PD_PPP_DAMAGE_NONE;
}

/* ---- decoding -------------------------------------------------------------------- */

static void copy_addr(uint8_t dst[4], const pd_ppp_bytes *v)
{
    pd_cursor c = pd_cursor_make(v->p, v->len);
    const uint8_t *p;
    if (pd_cursor_bytes(&c, 4, &p))
        memcpy(dst, p, 4);
}

/* Fill the parsed view of one option; values of the wrong size are left
 * out (the option stays in the raw list). */
static void parse_option(uint16_t protocol, const pd_ppp_option *o, pd_ppp_cfg *cfg)
{
    pd_cursor v = pd_cursor_make(o->value.p, o->value.len);
    const size_t n = o->value.len;

    switch (protocol) {
    case PD_PPP_LCP: {
        pd_lcp_opts *l = &cfg->lcp;
        switch (o->type) {
        case PD_LCP_OPT_MRU:
            if (n == 2)
                l->has_mru = pd_cursor_be16(&v, &l->mru);
            break;
        case PD_LCP_OPT_ACCM:
            if (n == 4)
                l->has_accm = pd_cursor_be32(&v, &l->accm);
            break;
        case PD_LCP_OPT_AUTH:
            /* RFC 1994 section 3: CHAP carries an algorithm octet */
            if (n >= 2 && pd_cursor_be16(&v, &l->auth_protocol)) {
                l->has_auth = true;
                l->auth_algorithm = 0;
                if (l->auth_protocol == PD_PPP_CHAP)
                    pd_cursor_u8(&v, &l->auth_algorithm);
            }
            break;
        case PD_LCP_OPT_QUALITY:
            if (n >= 2)
                l->has_quality = pd_cursor_be16(&v, &l->quality_protocol);
            break;
        case PD_LCP_OPT_MAGIC:
            if (n == 4)
                l->has_magic = pd_cursor_be32(&v, &l->magic);
            break;
        case PD_LCP_OPT_PFC:
            l->pfc = true;
            break;
        case PD_LCP_OPT_ACFC:
            l->acfc = true;
            break;
        case PD_LCP_OPT_CALLBACK:
            if (n >= 1)
                l->has_callback = pd_cursor_u8(&v, &l->callback_op);
            break;
        case PD_LCP_OPT_MRRU:
            if (n == 2)
                l->has_mrru = pd_cursor_be16(&v, &l->mrru);
            break;
        case PD_LCP_OPT_ENDPOINT:
            if (n >= 1)
                l->has_endpoint = pd_cursor_u8(&v, &l->endpoint_class);
            break;
        default:
            break;
        }
        break;
    }
    case PD_PPP_CCP:
        if (o->type == PD_CCP_OPT_MPPE) {
            if (n == 4)
                cfg->ccp.has_mppe = pd_cursor_be32(&v, &cfg->ccp.mppe_bits);
        } else {
            cfg->ccp.has_other = true;
        }
        break;
    case PD_PPP_IPCP: {
        pd_ipcp_opts *ip = &cfg->ipcp;
        switch (o->type) {
        case PD_IPCP_OPT_ADDRESS:
            if (n == 4) {
                ip->has_address = true;
                copy_addr(ip->address, &o->value);
            }
            break;
        case PD_IPCP_OPT_DNS1:
            if (n == 4) {
                ip->has_dns1 = true;
                copy_addr(ip->dns1, &o->value);
            }
            break;
        case PD_IPCP_OPT_DNS2:
            if (n == 4) {
                ip->has_dns2 = true;
                copy_addr(ip->dns2, &o->value);
            }
            break;
        case PD_IPCP_OPT_NBNS1:
            if (n == 4) {
                ip->has_nbns1 = true;
                copy_addr(ip->nbns1, &o->value);
            }
            break;
        case PD_IPCP_OPT_NBNS2:
            if (n == 4) {
                ip->has_nbns2 = true;
                copy_addr(ip->nbns2, &o->value);
            }
            break;
        case PD_IPCP_OPT_COMPRESSION:
            if (n >= 2)
                ip->has_compression = pd_cursor_be16(&v, &ip->compression_protocol);
            break;
        default:
            break;
        }
        break;
    }
    case PD_PPP_IPV6CP: {
        pd_ipv6cp_opts *ip6 = &cfg->ipv6cp;
        const uint8_t *p;
        if (o->type == PD_IPV6CP_OPT_IFID && n == 8 && pd_cursor_bytes(&v, 8, &p)) {
            ip6->has_ifid = true;
            memcpy(ip6->ifid, p, 8);
        } else if (o->type == PD_IPV6CP_OPT_COMPRESSION && n >= 2) {
            ip6->has_compression = pd_cursor_be16(&v, &ip6->compression_protocol);
        }
        break;
    }
    default:
        break;
    }
}

/* RFC 1661 section 6: Type, Length (>= 2, covering type and length), Data.
 * Every step consumes at least two bytes, so a hostile list ends. */
static pd_ppp_damage parse_options(pd_ppp_frame *f, pd_cursor *d)
{
    while (pd_cursor_remaining(d) > 0) {
        pd_ppp_option o = { 0 };
        if (!pd_cursor_u8(d, &o.type) || !pd_cursor_u8(d, &o.len))
            return PD_PPP_DAMAGE_OPTION_OVERRUN;
        if (o.len < 2)
            return PD_PPP_DAMAGE_OPTION_SHORT;
        o.value.len = (size_t)o.len - 2;
        if (!pd_cursor_bytes(d, o.value.len, &o.value.p))
            return PD_PPP_DAMAGE_OPTION_OVERRUN;
        if (f->n_options < PD_PPP_MAX_OPTIONS)
            f->options[f->n_options++] = o;
        else
            f->options_overflow = true;
        parse_option(f->protocol, &o, &f->cfg);
    }
    return PD_PPP_DAMAGE_NONE;
}

static void rest(pd_cursor *d, pd_ppp_bytes *out)
{
    out->len = pd_cursor_remaining(d);
    pd_cursor_bytes(d, out->len, &out->p);
}

/* Parse a decimal number of at most 10 digits, saturating. */
static bool parse_uint(const pd_ppp_bytes *v, uint32_t *out)
{
    pd_cursor c = pd_cursor_make(v->p, v->len);
    uint64_t n = 0;
    uint8_t ch;
    size_t digits = 0;
    while (pd_cursor_u8(&c, &ch)) {
        if (ch < '0' || ch > '9')
            return false;
        if (n < 0xffffffffu)
            n = n * 10 + (uint64_t)(ch - '0');
        digits++;
    }
    if (digits == 0)
        return false;
    *out = n > 0xffffffffu ? 0xffffffffu : (uint32_t)n;
    return true;
}

/* RFC 2759 sections 5 and 6 (and RFC 2433 for MS-CHAPv1): space-separated
 * key=value tokens, M= taking the rest of the text (it may hold spaces). */
void pd_mschap_text_parse(const uint8_t *p, size_t len, pd_mschap_text *m)
{
    pd_cursor c = pd_cursor_make(p, len);
    uint8_t k, eq;
    if (!pd_cursor_peek_u8(&c, 0, &k) || !pd_cursor_peek_u8(&c, 1, &eq) || eq != '=' ||
        (k != 'E' && k != 'S'))
        return;
    m->present = true;

    while (pd_cursor_remaining(&c) > 0) {
        uint8_t ch;
        pd_cursor_peek_u8(&c, 0, &ch);
        if (ch == ' ') {
            pd_cursor_skip(&c, 1);
            continue;
        }
        if (!pd_cursor_peek_u8(&c, 1, &eq) || eq != '=') {
            /* not a key: skip this token */
            while (pd_cursor_peek_u8(&c, 0, &ch) && ch != ' ')
                pd_cursor_skip(&c, 1);
            continue;
        }
        pd_cursor_u8(&c, &k);
        pd_cursor_skip(&c, 1);
        pd_ppp_bytes val = { pd_cursor_here(&c), 0 };
        if (k == 'M') {
            rest(&c, &val);
            m->has_message = true;
            m->message = val;
            break;
        }
        while (pd_cursor_peek_u8(&c, 0, &ch) && ch != ' ') {
            pd_cursor_skip(&c, 1);
            val.len++;
        }
        switch (k) {
        case 'E': m->has_error = parse_uint(&val, &m->error); break;
        case 'R': m->has_retry = parse_uint(&val, &m->retry); break;
        case 'V': m->has_version = parse_uint(&val, &m->version); break;
        case 'C':
            m->has_challenge = true;
            m->challenge = val;
            break;
        case 'S':
            m->has_authenticator = true;
            m->authenticator = val;
            break;
        default: break;
        }
    }
}

static pd_ppp_damage decode_lcp_family(pd_ppp_frame *f, pd_cursor *d)
{
    switch (f->code) {
    case PD_CP_CONF_REQ:
    case PD_CP_CONF_ACK:
    case PD_CP_CONF_NAK:
    case PD_CP_CONF_REJ:
        return parse_options(f, d);
    case PD_CP_TERM_REQ:
    case PD_CP_TERM_ACK:
        rest(d, &f->text);
        return PD_PPP_DAMAGE_NONE;
    case PD_CP_CODE_REJ:
        /* the rejected packet follows: its code and identifier suffice */
        if (!pd_cursor_u8(d, &f->rejected_code))
            return PD_PPP_DAMAGE_BODY_SHORT;
        pd_cursor_u8(d, &f->rejected_id);
        return PD_PPP_DAMAGE_NONE;
    default:
        break;
    }
    if (f->protocol != PD_PPP_LCP)
        return PD_PPP_DAMAGE_NONE; /* CCP Reset-Request/Ack data is opaque */

    switch (f->code) {
    case PD_LCP_PROTO_REJ:
        if (!pd_cursor_be16(d, &f->rejected_protocol))
            return PD_PPP_DAMAGE_BODY_SHORT;
        return PD_PPP_DAMAGE_NONE;
    case PD_LCP_ECHO_REQ:
    case PD_LCP_ECHO_REP:
    case PD_LCP_DISCARD_REQ:
        if (!pd_cursor_be32(d, &f->magic))
            return PD_PPP_DAMAGE_BODY_SHORT;
        f->has_magic = true;
        return PD_PPP_DAMAGE_NONE;
    case PD_LCP_IDENTIFICATION:
        if (!pd_cursor_be32(d, &f->magic))
            return PD_PPP_DAMAGE_BODY_SHORT;
        f->has_magic = true;
        rest(d, &f->text);
        return PD_PPP_DAMAGE_NONE;
    case PD_LCP_TIME_REMAINING:
        if (!pd_cursor_be32(d, &f->magic) || !pd_cursor_be32(d, &f->seconds_remaining))
            return PD_PPP_DAMAGE_BODY_SHORT;
        f->has_magic = true;
        rest(d, &f->text);
        return PD_PPP_DAMAGE_NONE;
    default:
        return PD_PPP_DAMAGE_NONE; /* an unknown code is for the peer to Code-Reject */
    }
}

static pd_ppp_damage decode_pap(pd_ppp_frame *f, pd_cursor *d)
{
    uint8_t n;
    switch (f->code) {
    case PD_PAP_AUTH_REQ: {
        uint8_t pw;
        if (!pd_cursor_u8(d, &n) || !pd_cursor_bytes(d, n, &f->peer_name.p))
            return PD_PPP_DAMAGE_BODY_SHORT;
        f->peer_name.len = n;
        if (!pd_cursor_u8(d, &pw) || !pd_cursor_skip(d, pw))
            return PD_PPP_DAMAGE_BODY_SHORT;
        f->password_len = pw;
        return PD_PPP_DAMAGE_NONE;
    }
    case PD_PAP_AUTH_ACK:
    case PD_PAP_AUTH_NAK:
        /* some servers send no Msg-Length at all: treat as an empty message */
        if (!pd_cursor_u8(d, &n))
            return PD_PPP_DAMAGE_NONE;
        if (!pd_cursor_bytes(d, n, &f->message.p))
            return PD_PPP_DAMAGE_BODY_SHORT;
        f->message.len = n;
        return PD_PPP_DAMAGE_NONE;
    default:
        return PD_PPP_DAMAGE_NONE;
    }
}

static pd_ppp_damage decode_chap(pd_ppp_frame *f, pd_cursor *d)
{
    switch (f->code) {
    case PD_CHAP_CHALLENGE:
    case PD_CHAP_RESPONSE:
        if (!pd_cursor_u8(d, &f->value_size) ||
            !pd_cursor_bytes(d, f->value_size, &f->value.p))
            return PD_PPP_DAMAGE_BODY_SHORT;
        f->value.len = f->value_size;
        rest(d, &f->peer_name);
        return PD_PPP_DAMAGE_NONE;
    case PD_CHAP_SUCCESS:
    case PD_CHAP_FAILURE:
        rest(d, &f->message);
        pd_mschap_text_parse(f->message.p, f->message.len, &f->mschap);
        return PD_PPP_DAMAGE_NONE;
    default:
        return PD_PPP_DAMAGE_NONE;
    }
}

static pd_ppp_damage decode_eap(pd_ppp_frame *f, pd_cursor *d)
{
    if (f->code != PD_EAP_REQUEST && f->code != PD_EAP_RESPONSE)
        return PD_PPP_DAMAGE_NONE;
    if (!pd_cursor_u8(d, &f->eap_type))
        return PD_PPP_DAMAGE_BODY_SHORT;
    f->has_eap_type = true;
    switch (f->eap_type) {
    case PD_EAP_TYPE_IDENTITY: rest(d, &f->peer_name); break;
    case PD_EAP_TYPE_NOTIFICATION: rest(d, &f->message); break;
    case PD_EAP_TYPE_NAK: pd_cursor_u8(d, &f->eap_nak_type); break;
    default: break;
    }
    return PD_PPP_DAMAGE_NONE;
}

static pd_ppp_status fail(pd_ppp_frame *f, pd_ppp_damage why)
{
    f->malformed = why;
    return f->status = PD_PPP_MALFORMED;
}

pd_ppp_status pd_ppp_decode(const uint8_t *data, size_t caplen, size_t wire_len, pd_ppp_frame *out)
{
    memset(out, 0, sizeof *out);
    pd_cursor c = pd_cursor_make(data, caplen);
    caplen = c.len;
    if (wire_len < caplen)
        wire_len = caplen;
    /* Running out of captured bytes is truncation when the wire had more. */
    const bool cut = caplen < wire_len;

    if (caplen == 0)
        return cut ? (out->status = PD_PPP_TRUNCATED) : fail(out, PD_PPP_DAMAGE_EMPTY);

    /* RFC 1662 section 3.1: all-stations address, UI control. The pair is
     * optional once ACFC is negotiated. */
    uint8_t b0, b1;
    pd_cursor_peek_u8(&c, 0, &b0);
    if (b0 == 0xFF) {
        if (!pd_cursor_peek_u8(&c, 1, &b1))
            return cut ? (out->status = PD_PPP_TRUNCATED) : fail(out, PD_PPP_DAMAGE_BAD_CONTROL);
        if (b1 != 0x03)
            return fail(out, PD_PPP_DAMAGE_BAD_CONTROL);
        out->has_addrctl = true;
        pd_cursor_skip(&c, 2);
    }

    /* RFC 1661 section 2: the protocol field ends with an odd octet; a
     * first octet that is odd is a compressed (1-octet) field. */
    uint8_t p0, p1;
    if (!pd_cursor_u8(&c, &p0))
        return cut ? (out->status = PD_PPP_TRUNCATED) : fail(out, PD_PPP_DAMAGE_BAD_PROTOCOL);
    if (p0 & 1) {
        out->protocol = p0;
        out->pfc = true;
    } else {
        if (!pd_cursor_u8(&c, &p1))
            return cut ? (out->status = PD_PPP_TRUNCATED) : fail(out, PD_PPP_DAMAGE_BAD_PROTOCOL);
        out->protocol = (uint16_t)(p0 << 8 | p1);
        if (!(p1 & 1))
            return fail(out, PD_PPP_DAMAGE_BAD_PROTOCOL);
    }
    out->header_len = c.pos;
    out->kind = kind_of(out->protocol);
    out->info_wire_len = wire_len - c.pos;
    out->info.len = pd_cursor_remaining(&c);
    out->info.p = pd_cursor_here(&c);

    if (out->kind != PD_PPP_KIND_CONTROL)
        return out->status = PD_PPP_OK;

    /* RFC 1661 section 5 (same header in PAP, CHAP, EAP) */
    if (!pd_cursor_u8(&c, &out->code) || !pd_cursor_u8(&c, &out->identifier) ||
        !pd_cursor_be16(&c, &out->length)) {
        if (out->info_wire_len < 4)
            return fail(out, PD_PPP_DAMAGE_HEADER_SHORT);
        return out->status = PD_PPP_TRUNCATED;
    }
    out->has_cp_header = true;
    if (out->length < 4)
        return fail(out, PD_PPP_DAMAGE_LENGTH_SHORT);
    if (out->length > out->info_wire_len)
        return fail(out, PD_PPP_DAMAGE_LENGTH_LONG);
    out->padding = out->info_wire_len - out->length;

    size_t data_len = (size_t)out->length - 4;
    const bool body_cut = data_len > pd_cursor_remaining(&c);
    if (body_cut)
        data_len = pd_cursor_remaining(&c);
    pd_cursor d;
    pd_cursor_sub(&c, data_len, &d);
    out->data.p = d.data;
    out->data.len = data_len;

    pd_ppp_damage why;
    switch (out->protocol) {
    case PD_PPP_PAP: why = decode_pap(out, &d); break;
    case PD_PPP_CHAP: why = decode_chap(out, &d); break;
    case PD_PPP_EAP: why = decode_eap(out, &d); break;
    default: why = decode_lcp_family(out, &d); break;
    }
    /* A body that ran out where the capture ended is not damage. */
    if (body_cut)
        return out->status = PD_PPP_TRUNCATED;
    if (why != PD_PPP_DAMAGE_NONE)
        return fail(out, why);
    return out->status = PD_PPP_OK;
}

/* ---- text and describe -------------------------------------------------------- */

size_t pd_ppp_text_copy(const pd_ppp_bytes *b, char *out, size_t out_size)
{
    if (out_size == 0)
        return 0;
    pd_cursor c = pd_cursor_make(b ? b->p : NULL, b ? b->len : 0);
    size_t o = 0;
    uint8_t ch;
    while (o + 1 < out_size && pd_cursor_u8(&c, &ch)) {
        if (ch == 0)
            break;
        out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '.';
    }
    out[o] = '\0';
    return o;
}

typedef struct sbuf {
    char *buf;
    size_t len, pos;
} sbuf;

G_GNUC_PRINTF(2, 3)
static void sb_printf(sbuf *s, const char *fmt, ...)
{
    if (s->len == 0 || s->pos >= s->len - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->buf + s->pos, s->len - s->pos, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    s->pos += (size_t)n;
    if (s->pos > s->len - 1)
        s->pos = s->len - 1;
}

/* Quoted text, capped so that a ladder line stays a line. */
static void sb_quoted(sbuf *s, const char *prefix, const pd_ppp_bytes *b)
{
    char tmp[80];
    size_t n = pd_ppp_text_copy(b, tmp, sizeof tmp);
    sb_printf(s, "%s\"%s%s\"", prefix, tmp, (n == sizeof tmp - 1 && b->len > n) ? "..." : "");
}

static void sb_ip(sbuf *s, const char *name, const uint8_t a[4])
{
    sb_printf(s, "%s %u.%u.%u.%u", name, a[0], a[1], a[2], a[3]);
}

size_t pd_mppe_bits_describe(uint32_t bits, char *buf, size_t len)
{
    sbuf s = { buf, len, 0 };
    if (len > 0)
        buf[0] = '\0';
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {
        { PD_MPPE_S, "128-bit" }, { PD_MPPE_M, "56-bit" }, { PD_MPPE_L, "40-bit" },
        { PD_MPPE_H, "stateless" }, { PD_MPPE_D, "D" }, { PD_MPPE_C, "MPPC" },
    };
    uint32_t known = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        known |= names[i].bit;
        if (bits & names[i].bit)
            sb_printf(&s, "%s%s", s.pos ? " " : "", names[i].name);
    }
    if (bits & ~known)
        sb_printf(&s, "%s0x%08x", s.pos ? " " : "", bits & ~known);
    if (s.pos == 0)
        sb_printf(&s, "none");
    return s.pos;
}

static void describe_option(sbuf *s, uint16_t protocol, const pd_ppp_option *o, unsigned flags)
{
    pd_ppp_cfg one;
    memset(&one, 0, sizeof one);
    parse_option(protocol, o, &one);
    const bool stable = flags & PD_PPP_DESCRIBE_STABLE;

    switch (protocol) {
    case PD_PPP_LCP: {
        const pd_lcp_opts *l = &one.lcp;
        if (l->has_mru) {
            sb_printf(s, "MRU %u", l->mru);
        } else if (l->has_accm) {
            sb_printf(s, "ACCM 0x%08x", l->accm);
        } else if (l->has_auth) {
            const char *an = pd_ppp_auth_name(l->auth_protocol, l->auth_algorithm);
            if (l->auth_protocol == PD_PPP_CHAP && !strcmp(an, "CHAP"))
                sb_printf(s, "Auth CHAP alg 0x%02x", l->auth_algorithm);
            else if (!strcmp(an, "Unknown"))
                sb_printf(s, "Auth 0x%04x", l->auth_protocol);
            else
                sb_printf(s, "Auth %s", an);
        } else if (l->has_quality) {
            sb_printf(s, "Quality 0x%04x", l->quality_protocol);
        } else if (l->has_magic) {
            if (stable)
                sb_printf(s, "Magic");
            else
                sb_printf(s, "Magic 0x%08x", l->magic);
        } else if (l->pfc) {
            sb_printf(s, "PFC");
        } else if (l->acfc) {
            sb_printf(s, "ACFC");
        } else if (l->has_callback) {
            sb_printf(s, "Callback %u", l->callback_op);
        } else if (l->has_mrru) {
            sb_printf(s, "MRRU %u", l->mrru);
        } else if (l->has_endpoint) {
            sb_printf(s, "Endpoint-Discriminator class %u", l->endpoint_class);
        } else if (strcmp(pd_lcp_option_name(o->type), "Unknown") != 0) {
            sb_printf(s, "%s", pd_lcp_option_name(o->type));
        } else {
            sb_printf(s, "Option %u len %u", o->type, o->len);
        }
        return;
    }
    case PD_PPP_CCP:
        if (one.ccp.has_mppe) {
            char bits[64];
            pd_mppe_bits_describe(one.ccp.mppe_bits, bits, sizeof bits);
            sb_printf(s, "MPPE %s", bits);
        } else if (strcmp(ccp_option_name(o->type), "Unknown") != 0) {
            sb_printf(s, "%s", ccp_option_name(o->type));
        } else {
            sb_printf(s, "Option %u len %u", o->type, o->len);
        }
        return;
    case PD_PPP_IPCP: {
        const pd_ipcp_opts *ip = &one.ipcp;
        if (ip->has_address)
            sb_ip(s, "IP-Address", ip->address);
        else if (ip->has_dns1)
            sb_ip(s, "Primary-DNS", ip->dns1);
        else if (ip->has_dns2)
            sb_ip(s, "Secondary-DNS", ip->dns2);
        else if (ip->has_nbns1)
            sb_ip(s, "Primary-NBNS", ip->nbns1);
        else if (ip->has_nbns2)
            sb_ip(s, "Secondary-NBNS", ip->nbns2);
        else if (ip->has_compression)
            sb_printf(s, "IP-Compression %s", ip->compression_protocol == PD_PPP_VJ_COMP
                                                  ? "VJ"
                                                  : "other");
        else if (strcmp(ipcp_option_name(o->type), "Unknown") != 0)
            sb_printf(s, "%s", ipcp_option_name(o->type));
        else
            sb_printf(s, "Option %u len %u", o->type, o->len);
        return;
    }
    case PD_PPP_IPV6CP: {
        const pd_ipv6cp_opts *ip6 = &one.ipv6cp;
        if (ip6->has_ifid) {
            const uint8_t *i = ip6->ifid;
            sb_printf(s, "Interface-Id %02x%02x:%02x%02x:%02x%02x:%02x%02x", i[0], i[1], i[2], i[3],
                      i[4], i[5], i[6], i[7]);
        } else if (strcmp(ipv6cp_option_name(o->type), "Unknown") != 0) {
            sb_printf(s, "%s", ipv6cp_option_name(o->type));
        } else {
            sb_printf(s, "Option %u len %u", o->type, o->len);
        }
        return;
    }
    default:
        return;
    }
}

static void describe_control(sbuf *s, const pd_ppp_frame *f, unsigned flags)
{
    const bool stable = flags & PD_PPP_DESCRIBE_STABLE;
    const uint16_t p = f->protocol;

    if (is_lcp_family(p)) {
        switch (f->code) {
        case PD_CP_CONF_REQ:
        case PD_CP_CONF_ACK:
        case PD_CP_CONF_NAK:
        case PD_CP_CONF_REJ:
            sb_printf(s, " [");
            for (size_t i = 0; i < f->n_options; i++) {
                if (i)
                    sb_printf(s, ", ");
                describe_option(s, p, &f->options[i], flags);
            }
            if (f->options_overflow)
                sb_printf(s, ", ...");
            sb_printf(s, "]");
            return;
        case PD_CP_TERM_REQ:
        case PD_CP_TERM_ACK:
            if (f->text.len)
                sb_quoted(s, " ", &f->text);
            return;
        case PD_CP_CODE_REJ:
            sb_printf(s, " code %u", f->rejected_code);
            return;
        default:
            break;
        }
        if (p != PD_PPP_LCP)
            return;
        switch (f->code) {
        case PD_LCP_PROTO_REJ:
            sb_printf(s, " %s (0x%04x)", pd_ppp_protocol_name(f->rejected_protocol),
                      f->rejected_protocol);
            return;
        case PD_LCP_ECHO_REQ:
        case PD_LCP_ECHO_REP:
        case PD_LCP_DISCARD_REQ:
            if (!stable && f->has_magic)
                sb_printf(s, " magic 0x%08x", f->magic);
            return;
        case PD_LCP_IDENTIFICATION:
        case PD_LCP_TIME_REMAINING:
            if (f->code == PD_LCP_TIME_REMAINING)
                sb_printf(s, " %u s", f->seconds_remaining);
            if (f->text.len)
                sb_quoted(s, " ", &f->text);
            return;
        default:
            return;
        }
    }

    switch (p) {
    case PD_PPP_PAP:
        if (f->code == PD_PAP_AUTH_REQ)
            sb_quoted(s, " peer ", &f->peer_name);
        else if (f->message.len)
            sb_quoted(s, " ", &f->message);
        return;
    case PD_PPP_CHAP:
        if (f->code == PD_CHAP_CHALLENGE || f->code == PD_CHAP_RESPONSE) {
            if (f->peer_name.len)
                sb_quoted(s, " name ", &f->peer_name);
            return;
        }
        if (f->code == PD_CHAP_SUCCESS || f->code == PD_CHAP_FAILURE) {
            const pd_mschap_text *m = &f->mschap;
            if (m->present) {
                /* the authenticator and challenge are volatile: never shown */
                if (m->has_error)
                    sb_printf(s, " E=%u", m->error);
                if (m->has_retry && m->retry)
                    sb_printf(s, " R=%u", m->retry);
                if (m->has_message)
                    sb_quoted(s, " ", &m->message);
            } else if (f->message.len) {
                sb_quoted(s, " ", &f->message);
            }
        }
        return;
    case PD_PPP_EAP:
        if (f->has_eap_type) {
            sb_printf(s, " %s", pd_eap_type_name(f->eap_type));
            if (!strcmp(pd_eap_type_name(f->eap_type), "Unknown"))
                sb_printf(s, " (%u)", f->eap_type);
            if (f->eap_type == PD_EAP_TYPE_IDENTITY && f->peer_name.len)
                sb_quoted(s, " ", &f->peer_name);
            else if (f->eap_type == PD_EAP_TYPE_NOTIFICATION && f->message.len)
                sb_quoted(s, " ", &f->message);
            else if (f->eap_type == PD_EAP_TYPE_NAK && f->eap_nak_type)
                sb_printf(s, " wants %s", pd_eap_type_name(f->eap_nak_type));
        }
        return;
    default:
        return;
    }
}

size_t pd_ppp_describe(const pd_ppp_frame *f, char *buf, size_t len, unsigned flags)
{
    sbuf s = { buf, len, 0 };
    const bool stable = flags & PD_PPP_DESCRIBE_STABLE;
    if (len > 0)
        buf[0] = '\0';

    if (f->kind == PD_PPP_KIND_NONE) {
        if (f->status == PD_PPP_MALFORMED)
            sb_printf(&s, "PPP malformed: %s", pd_ppp_damage_text(f->malformed));
        else
            sb_printf(&s, "PPP truncated");
        return s.pos;
    }

    const char *pname = pd_ppp_protocol_name(f->protocol);
    if (f->kind != PD_PPP_KIND_CONTROL) {
        if (!strcmp(pname, "Unknown"))
            sb_printf(&s, "PPP protocol 0x%04x", f->protocol);
        else
            sb_printf(&s, "%s", pname);
        if (!stable)
            sb_printf(&s, " %zu bytes", f->info_wire_len);
        return s.pos;
    }

    sb_printf(&s, "%s", pname);
    if (!f->has_cp_header) {
        if (f->status == PD_PPP_MALFORMED)
            sb_printf(&s, " malformed: %s", pd_ppp_damage_text(f->malformed));
        else
            sb_printf(&s, " truncated");
        return s.pos;
    }
    const char *cname = pd_ppp_code_name(f->protocol, f->code);
    if (!strcmp(cname, "Unknown"))
        sb_printf(&s, " Code %u", f->code);
    else
        sb_printf(&s, " %s", cname);
    if (!stable)
        sb_printf(&s, " id %u", f->identifier);

    if (f->status == PD_PPP_MALFORMED) {
        sb_printf(&s, " malformed: %s", pd_ppp_damage_text(f->malformed));
        return s.pos;
    }
    describe_control(&s, f, flags);
    if (f->status == PD_PPP_TRUNCATED)
        sb_printf(&s, " [truncated]");
    return s.pos;
}
