/* ike_policy.c - proposals as text: strongSwan compact notation printer,
 * strongSwan proposal-string parser (ipsec.conf ike=/esp=, swanctl
 * proposals=) and proposal comparison (RFC 7296 3.3.6 selection rules:
 * one algorithm of each transform type must be acceptable).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ike_policy.h"

#include <string.h>

#include "ike_names.h"

G_DEFINE_QUARK(pd-ike-policy-error-quark, pd_ike_policy_error)

/* ---- printing ------------------------------------------------------------------- */

void pd_ike_alg_format(unsigned type, const pd_ike_alg *a, bool v1_hash, GString *out)
{
    const char *name;

    switch (type) {
    case PD_IKE_XF_ENCR:
        name = pd_ike_encr_name(a->id);
        if (name)
            g_string_append(out, name);
        else
            g_string_append_printf(out, "ENCR_%u", a->id);
        if (a->key_len)
            g_string_append_printf(out, "_%u", a->key_len);
        return;
    case PD_IKE_XF_INTEG:
        name = pd_ike_integ_name(a->id);
        if (name)
            g_string_append(out, name);
        else
            g_string_append_printf(out, "INTEG_%u", a->id);
        return;
    case PD_IKE_XF_PRF:
        name = pd_ike_prf_name(a->id);
        /* An IKEv1 phase-1 hash is printed as the HMAC it keys. */
        if (name && v1_hash && g_str_has_prefix(name, "PRF_"))
            name += 4;
        if (name)
            g_string_append(out, name);
        else
            g_string_append_printf(out, "%s_%u", v1_hash ? "HASH" : "PRF", a->id);
        return;
    case PD_IKE_XF_ESN:
        /* Human form, as in the lead's examples ("no ESN"); strongSwan
         * itself writes NO_EXT_SEQ / EXT_SEQ (pd_ike_esn_name()). */
        if (a->id == 0)
            g_string_append(out, "no ESN");
        else if (a->id == 1)
            g_string_append(out, "ESN");
        else
            g_string_append_printf(out, "ESN_%u", a->id);
        return;
    default:
        if (type >= PD_IKE_XF_ADDKE1 && type <= PD_IKE_XF_ADDKE7)
            g_string_append_printf(out, "KE%u_", type - PD_IKE_XF_ADDKE1 + 1);
        name = pd_ike_dh_name(a->id);
        if (name)
            g_string_append(out, name);
        else
            g_string_append_printf(out, "DH_%u", a->id);
        return;
    }
}

/* strongSwan's order of transform types in its notation. */
static const unsigned print_order[] = { PD_IKE_XF_ENCR, PD_IKE_XF_INTEG, PD_IKE_XF_PRF,
                                        PD_IKE_XF_DH,   PD_IKE_XF_ESN,   6, 7, 8, 9, 10, 11, 12 };

static bool is_v1_phase1(const pd_ike_proposal *p)
{
    return p->version == 1 && p->protocol == PD_IKE_PROTO_IKE;
}

void pd_ike_proposal_format(const pd_ike_proposal *p, GString *out)
{
    const char *proto = pd_ike_protocol_name(2, p->protocol);
    bool first = true;

    if (p->protocol == PD_IKE_PROTO_IPCOMP)
        proto = "IPCOMP";
    if (proto)
        g_string_append_printf(out, "%s:", proto);
    else
        g_string_append_printf(out, "PROTO_%u:", p->protocol);
    for (size_t k = 0; k < G_N_ELEMENTS(print_order); k++) {
        unsigned type = print_order[k];
        for (unsigned i = 0; i < p->n[type]; i++) {
            if (!first)
                g_string_append_c(out, '/');
            first = false;
            pd_ike_alg_format(type, &p->algs[type][i], is_v1_phase1(p), out);
        }
    }
    if (p->auth_method) {
        const char *n = pd_ikev1_auth_method_name(p->auth_method);
        if (n)
            g_string_append_printf(out, " auth %s", n);
        else
            g_string_append_printf(out, " auth AUTH_%u", p->auth_method);
    }
    if (p->encap_mode) {
        const char *n = pd_ikev1_encap_mode_name(p->encap_mode);
        if (n)
            g_string_append_printf(out, " mode %s", n);
        else
            g_string_append_printf(out, " mode MODE_%u", p->encap_mode);
    }
    if (p->life_seconds && p->life_kbytes)
        g_string_append_printf(out, " life %" G_GUINT64_FORMAT "s/%" G_GUINT64_FORMAT "KB",
                               p->life_seconds, p->life_kbytes);
    else if (p->life_seconds)
        g_string_append_printf(out, " life %" G_GUINT64_FORMAT "s", p->life_seconds);
    else if (p->life_kbytes)
        g_string_append_printf(out, " life %" G_GUINT64_FORMAT "KB", p->life_kbytes);
}

char *pd_ike_proposal_to_string(const pd_ike_proposal *p)
{
    GString *s = g_string_new(NULL);
    pd_ike_proposal_format(p, s);
    return g_string_free(s, FALSE);
}

/* ---- parsing --------------------------------------------------------------------- */

typedef struct keyword {
    const char *name;
    uint8_t type;
    uint16_t id;
    uint16_t key_len;
} keyword;

/* strongSwan keywords (proposal_keywords_static.txt), those with IANA ids. */
static const keyword keywords[] = {
    { "null", PD_IKE_XF_ENCR, PD_IKE_ENCR_NULL, 0 },
    { "des", PD_IKE_XF_ENCR, PD_IKE_ENCR_DES, 0 },
    { "3des", PD_IKE_XF_ENCR, PD_IKE_ENCR_3DES, 0 },
    { "cast128", PD_IKE_XF_ENCR, PD_IKE_ENCR_CAST, 128 },
    { "blowfish", PD_IKE_XF_ENCR, PD_IKE_ENCR_BLOWFISH, 128 },
    { "blowfish128", PD_IKE_XF_ENCR, PD_IKE_ENCR_BLOWFISH, 128 },
    { "blowfish192", PD_IKE_XF_ENCR, PD_IKE_ENCR_BLOWFISH, 192 },
    { "blowfish256", PD_IKE_XF_ENCR, PD_IKE_ENCR_BLOWFISH, 256 },
    { "chacha20poly1305", PD_IKE_XF_ENCR, PD_IKE_ENCR_CHACHA20_POLY1305, 0 },
    { "md5", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_MD5_96, 0 },
    { "md5_128", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_MD5_128, 0 },
    { "sha", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA1_96, 0 },
    { "sha1", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA1_96, 0 },
    { "sha1_160", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA1_160, 0 },
    { "sha256", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA2_256_128, 0 },
    { "sha2_256", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA2_256_128, 0 },
    { "sha384", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA2_384_192, 0 },
    { "sha2_384", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA2_384_192, 0 },
    { "sha512", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA2_512_256, 0 },
    { "sha2_512", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA2_512_256, 0 },
    { "aesxcbc", PD_IKE_XF_INTEG, PD_IKE_INTEG_AES_XCBC_96, 0 },
    { "aescmac", PD_IKE_XF_INTEG, PD_IKE_INTEG_AES_CMAC_96, 0 },
    { "prfmd5", PD_IKE_XF_PRF, PD_IKE_PRF_HMAC_MD5, 0 },
    { "prfsha1", PD_IKE_XF_PRF, PD_IKE_PRF_HMAC_SHA1, 0 },
    { "prfsha256", PD_IKE_XF_PRF, PD_IKE_PRF_HMAC_SHA2_256, 0 },
    { "prfsha384", PD_IKE_XF_PRF, PD_IKE_PRF_HMAC_SHA2_384, 0 },
    { "prfsha512", PD_IKE_XF_PRF, PD_IKE_PRF_HMAC_SHA2_512, 0 },
    { "prfaesxcbc", PD_IKE_XF_PRF, PD_IKE_PRF_AES128_XCBC, 0 },
    { "prfaescmac", PD_IKE_XF_PRF, PD_IKE_PRF_AES128_CMAC, 0 },
    { "none", PD_IKE_XF_DH, PD_IKE_DH_NONE, 0 },
    { "modpnone", PD_IKE_XF_DH, PD_IKE_DH_NONE, 0 },
    { "modp768", PD_IKE_XF_DH, PD_IKE_DH_MODP_768, 0 },
    { "modp1024", PD_IKE_XF_DH, PD_IKE_DH_MODP_1024, 0 },
    { "modp1536", PD_IKE_XF_DH, PD_IKE_DH_MODP_1536, 0 },
    { "modp2048", PD_IKE_XF_DH, PD_IKE_DH_MODP_2048, 0 },
    { "modp3072", PD_IKE_XF_DH, PD_IKE_DH_MODP_3072, 0 },
    { "modp4096", PD_IKE_XF_DH, PD_IKE_DH_MODP_4096, 0 },
    { "modp6144", PD_IKE_XF_DH, PD_IKE_DH_MODP_6144, 0 },
    { "modp8192", PD_IKE_XF_DH, PD_IKE_DH_MODP_8192, 0 },
    { "modp1024s160", PD_IKE_XF_DH, 22, 0 },
    { "modp2048s224", PD_IKE_XF_DH, 23, 0 },
    { "modp2048s256", PD_IKE_XF_DH, 24, 0 },
    { "ecp192", PD_IKE_XF_DH, 25, 0 },
    { "ecp224", PD_IKE_XF_DH, 26, 0 },
    { "ecp256", PD_IKE_XF_DH, PD_IKE_DH_ECP_256, 0 },
    { "ecp384", PD_IKE_XF_DH, PD_IKE_DH_ECP_384, 0 },
    { "ecp521", PD_IKE_XF_DH, PD_IKE_DH_ECP_521, 0 },
    { "ecp224bp", PD_IKE_XF_DH, 27, 0 },
    { "ecp256bp", PD_IKE_XF_DH, 28, 0 },
    { "ecp384bp", PD_IKE_XF_DH, 29, 0 },
    { "ecp512bp", PD_IKE_XF_DH, 30, 0 },
    { "curve25519", PD_IKE_XF_DH, PD_IKE_DH_CURVE_25519, 0 },
    { "x25519", PD_IKE_XF_DH, PD_IKE_DH_CURVE_25519, 0 },
    { "curve448", PD_IKE_XF_DH, PD_IKE_DH_CURVE_448, 0 },
    { "x448", PD_IKE_XF_DH, PD_IKE_DH_CURVE_448, 0 },
    { "mlkem512", PD_IKE_XF_DH, 35, 0 },
    { "mlkem768", PD_IKE_XF_DH, 36, 0 },
    { "mlkem1024", PD_IKE_XF_DH, 37, 0 },
    { "noesn", PD_IKE_XF_ESN, 0, 0 },
    { "esn", PD_IKE_XF_ESN, 1, 0 },
};

/* aes<bits><mode> and camellia<bits><mode>: bits 128/192/256 (optional
 * only without a mode, meaning 128), mode "" (CBC), ctr, ccm8/12/16 (or
 * 64/96/128 bits), gcm likewise (AES only), gmac (AES only). */
static bool parse_block_cipher(const char *tok, keyword *out)
{
    bool aes = g_str_has_prefix(tok, "aes");
    bool cam = g_str_has_prefix(tok, "camellia");
    const char *p;
    unsigned bits = 0;

    if (!aes && !cam)
        return false;
    p = tok + (aes ? 3 : 8);
    if (g_str_has_prefix(p, "128") || g_str_has_prefix(p, "192") || g_str_has_prefix(p, "256")) {
        bits = (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
        p += 3;
    }
    static const struct {
        const char *suffix;
        uint16_t aes_id, cam_id;
    } modes[] = {
        { "", PD_IKE_ENCR_AES_CBC, PD_IKE_ENCR_CAMELLIA_CBC },
        { "ctr", PD_IKE_ENCR_AES_CTR, PD_IKE_ENCR_CAMELLIA_CTR },
        { "ccm8", PD_IKE_ENCR_AES_CCM_8, PD_IKE_ENCR_CAMELLIA_CCM_8 },
        { "ccm64", PD_IKE_ENCR_AES_CCM_8, PD_IKE_ENCR_CAMELLIA_CCM_8 },
        { "ccm12", PD_IKE_ENCR_AES_CCM_12, PD_IKE_ENCR_CAMELLIA_CCM_12 },
        { "ccm96", PD_IKE_ENCR_AES_CCM_12, PD_IKE_ENCR_CAMELLIA_CCM_12 },
        { "ccm16", PD_IKE_ENCR_AES_CCM_16, PD_IKE_ENCR_CAMELLIA_CCM_16 },
        { "ccm128", PD_IKE_ENCR_AES_CCM_16, PD_IKE_ENCR_CAMELLIA_CCM_16 },
        { "ccm", PD_IKE_ENCR_AES_CCM_16, 0 },
        { "gcm8", PD_IKE_ENCR_AES_GCM_8, 0 },
        { "gcm64", PD_IKE_ENCR_AES_GCM_8, 0 },
        { "gcm12", PD_IKE_ENCR_AES_GCM_12, 0 },
        { "gcm96", PD_IKE_ENCR_AES_GCM_12, 0 },
        { "gcm16", PD_IKE_ENCR_AES_GCM_16, 0 },
        { "gcm128", PD_IKE_ENCR_AES_GCM_16, 0 },
        { "gcm", PD_IKE_ENCR_AES_GCM_16, 0 },
        { "gmac", PD_IKE_ENCR_NULL_AES_GMAC, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        if (strcmp(p, modes[i].suffix) != 0)
            continue;
        uint16_t id = aes ? modes[i].aes_id : modes[i].cam_id;
        if (id == 0 || (bits == 0 && modes[i].suffix[0] != '\0'))
            return false;
        out->type = PD_IKE_XF_ENCR;
        out->id = id;
        out->key_len = (uint16_t)(bits ? bits : 128);
        return true;
    }
    return false;
}

static bool lookup_base(const char *tok, keyword *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keywords); i++) {
        if (strcmp(tok, keywords[i].name) == 0) {
            *out = keywords[i];
            return true;
        }
    }
    return parse_block_cipher(tok, out);
}

static bool lookup_keyword(const char *tok, keyword *out)
{
    if (lookup_base(tok, out))
        return true;
    /* RFC 9370 additional key exchanges, strongSwan 6 syntax: ke1_mlkem768. */
    if (g_str_has_prefix(tok, "ke") && tok[2] >= '1' && tok[2] <= '7' && tok[3] == '_') {
        keyword k;
        if (lookup_base(tok + 4, &k) && k.type == PD_IKE_XF_DH) {
            *out = k;
            out->type = (uint8_t)(PD_IKE_XF_ADDKE1 + (tok[2] - '1'));
            return true;
        }
    }
    return false;
}

/* strongSwan derives an IKE PRF from each integrity algorithm when no PRF
 * keyword is given (proposal.c). */
static bool prf_for_integ(uint16_t integ, uint16_t *prf)
{
    switch (integ) {
    case PD_IKE_INTEG_HMAC_MD5_96:
    case PD_IKE_INTEG_HMAC_MD5_128: *prf = PD_IKE_PRF_HMAC_MD5; return true;
    case PD_IKE_INTEG_HMAC_SHA1_96:
    case PD_IKE_INTEG_HMAC_SHA1_160: *prf = PD_IKE_PRF_HMAC_SHA1; return true;
    case PD_IKE_INTEG_AES_XCBC_96: *prf = PD_IKE_PRF_AES128_XCBC; return true;
    case PD_IKE_INTEG_AES_CMAC_96: *prf = PD_IKE_PRF_AES128_CMAC; return true;
    case PD_IKE_INTEG_HMAC_SHA2_256_128: *prf = PD_IKE_PRF_HMAC_SHA2_256; return true;
    case PD_IKE_INTEG_HMAC_SHA2_384_192: *prf = PD_IKE_PRF_HMAC_SHA2_384; return true;
    case PD_IKE_INTEG_HMAC_SHA2_512_256: *prf = PD_IKE_PRF_HMAC_SHA2_512; return true;
    }
    return false;
}

static const char *kind_name(uint8_t protocol)
{
    return protocol == PD_IKE_PROTO_ESP ? "esp" : protocol == PD_IKE_PROTO_AH ? "ah" : "ike";
}

/* Strip a "ike:"/"esp:"/"ah:" prefix; updates *protocol. */
static const char *take_prefix(const char *s, uint8_t *protocol)
{
    if (g_ascii_strncasecmp(s, "ike:", 4) == 0) {
        *protocol = PD_IKE_PROTO_IKE;
        return s + 4;
    }
    if (g_ascii_strncasecmp(s, "esp:", 4) == 0) {
        *protocol = PD_IKE_PROTO_ESP;
        return s + 4;
    }
    if (g_ascii_strncasecmp(s, "ah:", 3) == 0) {
        *protocol = PD_IKE_PROTO_AH;
        return s + 3;
    }
    return s;
}

static bool parse_one(const char *text, uint8_t *protocol, pd_ike_proposal *out, GError **error)
{
    char *work = g_strstrip(g_ascii_strdown(text, -1));
    const char *body = take_prefix(work, protocol);
    const char *kind;
    bool ok = false, aead = false, classic = false;
    char **tokens = NULL;

    memset(out, 0, sizeof(*out));
    out->protocol = *protocol;
    kind = kind_name(*protocol);
    {
        /* ipsec.conf's strict marker. */
        size_t n = strlen(body);
        if (n > 0 && body[n - 1] == '!')
            work[(size_t)(body - work) + n - 1] = '\0';
    }
    if (body[0] == '\0') {
        g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_EMPTY, "empty %s proposal",
                    kind);
        goto out;
    }

    tokens = g_strsplit(body, "-", -1);
    for (size_t i = 0; tokens[i]; i++) {
        keyword k;
        char *tok = g_strstrip(tokens[i]);
        if (tok[0] == '\0') {
            g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_EMPTY,
                        "empty algorithm in %s proposal '%s'", kind, body);
            goto out;
        }
        if (!lookup_keyword(tok, &k)) {
            g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_UNKNOWN,
                        "unknown algorithm '%s' in %s proposal '%s'", tok, kind, body);
            goto out;
        }
        if (k.type == PD_IKE_XF_PRF && *protocol != PD_IKE_PROTO_IKE) {
            g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_NOT_ALLOWED,
                        "PRF '%s' is not allowed in %s proposal '%s'", tok, kind, body);
            goto out;
        }
        if (k.type == PD_IKE_XF_ENCR && *protocol == PD_IKE_PROTO_AH) {
            g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_NOT_ALLOWED,
                        "encryption algorithm '%s' is not allowed in ah proposal '%s'", tok, body);
            goto out;
        }
        if (k.type == PD_IKE_XF_ESN && *protocol == PD_IKE_PROTO_IKE) {
            g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_NOT_ALLOWED,
                        "'%s' is only meaningful in esp/ah proposals, not in ike proposal '%s'",
                        tok, body);
            goto out;
        }
        if (k.type == PD_IKE_XF_ENCR) {
            if (pd_ike_encr_is_aead(k.id))
                aead = true;
            else
                classic = true;
        }
        if (!pd_ike_proposal_add(out, k.type, k.id, k.key_len)) {
            g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_TOO_MANY,
                        "too many %s algorithms in %s proposal '%s'",
                        pd_ike_transform_type_name(k.type), kind, body);
            goto out;
        }
    }

    if (aead && classic) {
        g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_NOT_ALLOWED,
                    "%s proposal '%s' mixes AEAD and non-AEAD encryption algorithms", kind, body);
        goto out;
    }
    if (*protocol != PD_IKE_PROTO_AH && out->n[PD_IKE_XF_ENCR] == 0) {
        g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_INCOMPLETE,
                    "%s proposal '%s' has no encryption algorithm", kind, body);
        goto out;
    }
    if (*protocol == PD_IKE_PROTO_IKE && out->n[PD_IKE_XF_PRF] == 0) {
        for (unsigned i = 0; i < out->n[PD_IKE_XF_INTEG]; i++) {
            uint16_t prf;
            if (prf_for_integ(out->algs[PD_IKE_XF_INTEG][i].id, &prf))
                pd_ike_proposal_add(out, PD_IKE_XF_PRF, prf, 0);
        }
    }
    if (aead) {
        /* AEAD ciphers carry their own integrity (RFC 5282 8). */
        out->n[PD_IKE_XF_INTEG] = 0;
    } else if (out->n[PD_IKE_XF_INTEG] == 0) {
        g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_INCOMPLETE,
                    "%s proposal '%s' has no integrity algorithm", kind, body);
        goto out;
    }
    if (*protocol == PD_IKE_PROTO_IKE) {
        if (out->n[PD_IKE_XF_PRF] == 0) {
            g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_INCOMPLETE,
                        "ike proposal '%s' has no PRF (add prfsha256 or similar)", body);
            goto out;
        }
        if (out->n[PD_IKE_XF_DH] == 0) {
            g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_INCOMPLETE,
                        "ike proposal '%s' has no Diffie-Hellman group", body);
            goto out;
        }
    } else if (out->n[PD_IKE_XF_ESN] == 0) {
        pd_ike_proposal_add(out, PD_IKE_XF_ESN, 0, 0);
    }
    ok = true;

out:
    if (!ok)
        memset(out, 0, sizeof(*out));
    g_strfreev(tokens);
    g_free(work);
    return ok;
}

bool pd_ike_proposal_parse(const char *text, uint8_t protocol, pd_ike_proposal *out,
                           GError **error)
{
    if (!text) {
        g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_EMPTY, "no proposal given");
        return false;
    }
    if (strchr(text, ',')) {
        g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_EMPTY,
                    "one proposal expected, got a list: '%s'", text);
        return false;
    }
    if (protocol != PD_IKE_PROTO_ESP && protocol != PD_IKE_PROTO_AH)
        protocol = PD_IKE_PROTO_IKE;
    return parse_one(text, &protocol, out, error);
}

bool pd_ike_policy_parse(const char *text, pd_ike_policy *out, GError **error)
{
    uint8_t protocol = PD_IKE_PROTO_IKE;
    char **parts;
    bool ok = true;

    memset(out, 0, sizeof(*out));
    if (!text || text[0] == '\0') {
        g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_EMPTY,
                    "empty proposal string");
        return false;
    }
    parts = g_strsplit(text, ",", -1);
    size_t n = g_strv_length(parts);
    if (n > PD_IKE_POLICY_MAX_PROPOSALS) {
        g_set_error(error, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_TOO_MANY,
                    "%zu proposals given, at most %d are accepted", n,
                    PD_IKE_POLICY_MAX_PROPOSALS);
        g_strfreev(parts);
        return false;
    }
    out->proposals = g_new0(pd_ike_proposal, n ? n : 1);
    for (size_t i = 0; i < n && ok; i++) {
        ok = parse_one(parts[i], &protocol, &out->proposals[out->n_proposals], error);
        if (ok)
            out->n_proposals++;
    }
    g_strfreev(parts);
    if (!ok)
        pd_ike_policy_clear(out);
    return ok;
}

void pd_ike_policy_clear(pd_ike_policy *p)
{
    if (!p)
        return;
    g_free(p->proposals);
    p->proposals = NULL;
    p->n_proposals = 0;
}

/* ---- comparison ---------------------------------------------------------------- */

static uint16_t effective_key_len(const pd_ike_alg *a)
{
    return a->key_len ? a->key_len : pd_ike_encr_default_key_len(a->id);
}

static bool alg_equal(unsigned type, const pd_ike_alg *a, const pd_ike_alg *b)
{
    if (a->id != b->id)
        return false;
    if (type == PD_IKE_XF_ENCR)
        return effective_key_len(a) == effective_key_len(b);
    return true;
}

/* The list of one type, with an absent INTEG/DH/ESN/ADDKE list standing for
 * the explicit "none" (id 0) a peer may equally send (RFC 7296 3.3.3). */
static unsigned effective_list(const pd_ike_proposal *p, unsigned type, const pd_ike_alg **algs)
{
    static const pd_ike_alg none = { 0, 0 };
    if (p->n[type] > 0) {
        *algs = p->algs[type];
        return p->n[type];
    }
    if (type == PD_IKE_XF_INTEG || type == PD_IKE_XF_DH || type == PD_IKE_XF_ESN ||
        type >= PD_IKE_XF_ADDKE1) {
        *algs = &none;
        return 1;
    }
    *algs = NULL;
    return 0;
}

static void list_text(const pd_ike_alg *algs, unsigned n, unsigned type, bool v1_hash,
                      GString *s)
{
    if (n == 0) {
        g_string_append(s, "none");
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        if (i)
            g_string_append_c(s, '/');
        if (type == PD_IKE_XF_INTEG && algs[i].id == 0)
            g_string_append(s, "none");
        else if ((type == PD_IKE_XF_DH || type >= PD_IKE_XF_ADDKE1) && algs[i].id == 0)
            g_string_append(s, "none");
        else
            pd_ike_alg_format(type, &algs[i], v1_hash, s);
    }
}

static bool type_compared(const pd_ike_proposal *offered, unsigned type)
{
    switch (type) {
    case PD_IKE_XF_INTEG:
        return !is_v1_phase1(offered); /* the IKEv1 hash is compared as PRF */
    case PD_IKE_XF_PRF:
        return offered->protocol == PD_IKE_PROTO_IKE;
    case PD_IKE_XF_ESN:
        return offered->protocol == PD_IKE_PROTO_ESP || offered->protocol == PD_IKE_PROTO_AH;
    default:
        return true;
    }
}

size_t pd_ike_proposal_compare(const pd_ike_proposal *offered, const pd_ike_proposal *policy,
                               GPtrArray *diffs)
{
    size_t count = 0;
    bool v1_hash = is_v1_phase1(offered);

    if (offered->protocol != policy->protocol) {
        if (diffs) {
            const char *a = pd_ike_protocol_name(2, offered->protocol);
            const char *b = pd_ike_protocol_name(2, policy->protocol);
            g_ptr_array_add(diffs, g_strdup_printf("PROTOCOL %s <-> expected %s",
                                                   a ? a : "?", b ? b : "?"));
        }
        return 1;
    }
    for (size_t k = 0; k < G_N_ELEMENTS(print_order); k++) {
        unsigned type = print_order[k];
        const pd_ike_alg *oa, *pa;
        unsigned on, pn;
        bool common = false;

        if (!type_compared(offered, type))
            continue;
        on = effective_list(offered, type, &oa);
        pn = effective_list(policy, type, &pa);
        if (on == 0 && pn == 0)
            continue;
        for (unsigned i = 0; i < on && !common; i++)
            for (unsigned j = 0; j < pn && !common; j++)
                common = alg_equal(type, &oa[i], &pa[j]);
        if (common)
            continue;
        count++;
        if (diffs) {
            GString *s = g_string_new(NULL);
            const char *label = pd_ike_transform_type_name((uint8_t)type);
            if (type == PD_IKE_XF_PRF && v1_hash)
                label = "HASH";
            g_string_append_printf(s, "%s ", label);
            list_text(oa, on, type, v1_hash, s);
            g_string_append(s, " <-> expected ");
            list_text(pa, pn, type, v1_hash, s);
            g_ptr_array_add(diffs, g_string_free(s, FALSE));
        }
    }
    return count;
}

bool pd_ike_proposal_matches(const pd_ike_proposal *offered, const pd_ike_proposal *policy)
{
    return pd_ike_proposal_compare(offered, policy, NULL) == 0;
}

bool pd_ike_proposals_match(const pd_ike_proposal *offered, size_t n_offered,
                            const pd_ike_proposal *policy, size_t n_policy,
                            size_t *offered_index, size_t *policy_index)
{
    for (size_t i = 0; i < n_offered; i++) {
        for (size_t j = 0; j < n_policy; j++) {
            if (pd_ike_proposal_matches(&offered[i], &policy[j])) {
                if (offered_index)
                    *offered_index = i;
                if (policy_index)
                    *policy_index = j;
                return true;
            }
        }
    }
    return false;
}
