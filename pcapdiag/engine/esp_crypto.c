/* esp_crypto.c - ESP decryption with known SA keys (RFC 4303 2, 3.4.2-3.4.4): the
 * algorithms of Wireshark's ESP SA table, every primitive from libgcrypt.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "esp_crypto.h"

#include <string.h>

#include <glib.h>

#include "pcapdiag/cursor.h"

#ifdef PD_HAVE_GCRYPT
#include <gcrypt.h>
#endif

/* Digest numbers of the authentication table (ours, so the header needs no gcrypt.h). */
enum { ESP_MD_NONE = 0, ESP_MD_MD5, ESP_MD_SHA1, ESP_MD_SHA256, ESP_MD_SHA384, ESP_MD_SHA512,
       ESP_MD_RMD160 };

/* SPI (4) and Sequence Number (4) before the payload (RFC 4303 2). */
#define ESP_HEADER 8

const char *pd_esp_status_name(pd_esp_status s)
{
    switch (s) {
    case PD_ESP_OK: return "ok";
    case PD_ESP_UNAVAILABLE: return "unavailable";
    case PD_ESP_UNSUPPORTED: return "unsupported";
    case PD_ESP_TRUNCATED: return "truncated";
    case PD_ESP_BAD_LENGTH: return "bad_length";
    case PD_ESP_ICV_MISMATCH: return "icv_mismatch";
    case PD_ESP_BAD_PADDING: return "bad_padding";
    case PD_ESP_BAD_KEY: return "bad_key";
    }
    return "unknown";
}

/* ---- the tables (Wireshark 4.0's names, epan/dissectors/packet-ipsec.c) -------------- */

static const pd_esp_encr_spec encr_specs[] = {
    { "NULL", PD_ESP_MODE_NULL, PD_IKE_CIPHER_NONE, { 0 }, 0, 0, 1, 0, false },
    { "TripleDES-CBC [RFC2451]", PD_ESP_MODE_CBC, PD_IKE_CIPHER_3DES, { 24 }, 0, 8, 8, 0, false },
    { "AES-CBC [RFC3602]", PD_ESP_MODE_CBC, PD_IKE_CIPHER_AES, { 16, 24, 32 }, 0, 16, 16, 0,
      false },
    { "AES-CTR [RFC3686]", PD_ESP_MODE_CTR, PD_IKE_CIPHER_AES, { 16, 24, 32 }, 4, 8, 1, 0,
      false },
    { "DES-CBC [RFC2405]", PD_ESP_MODE_CBC, PD_IKE_CIPHER_DES, { 8 }, 0, 8, 8, 0, false },
    { "CAST5-CBC [RFC2144]", PD_ESP_MODE_CBC, PD_IKE_CIPHER_CAST128, { 16 }, 0, 8, 8, 0, false },
    { "BLOWFISH-CBC [RFC2451]", PD_ESP_MODE_CBC, PD_IKE_CIPHER_BLOWFISH, { 16 }, 0, 8, 8, 0,
      false },
    { "TWOFISH-CBC", PD_ESP_MODE_CBC, PD_IKE_CIPHER_NONE, { 16, 32 }, 0, 16, 16, 0, true },
    /* The entry without an ICV length is deprecated in Wireshark; RFC 4106's default
     * (and what everyone negotiates) is the 16-octet ICV. */
    { "AES-GCM [RFC4106]", PD_ESP_MODE_GCM, PD_IKE_CIPHER_AES, { 16, 24, 32 }, 4, 8, 1, 16,
      false },
    { "AES-GCM with 8 octet ICV [RFC4106]", PD_ESP_MODE_GCM, PD_IKE_CIPHER_AES, { 16, 24, 32 },
      4, 8, 1, 8, false },
    { "AES-GCM with 12 octet ICV [RFC4106]", PD_ESP_MODE_GCM, PD_IKE_CIPHER_AES, { 16, 24, 32 },
      4, 8, 1, 12, false },
    { "AES-GCM with 16 octet ICV [RFC4106]", PD_ESP_MODE_GCM, PD_IKE_CIPHER_AES, { 16, 24, 32 },
      4, 8, 1, 16, false },
    { NULL, PD_ESP_MODE_NULL, PD_IKE_CIPHER_NONE, { 0 }, 0, 0, 0, 0, false },
};

static const pd_esp_auth_spec auth_specs[] = {
    { "NULL", ESP_MD_NONE, 0, false },
    { "HMAC-SHA-1-96 [RFC2404]", ESP_MD_SHA1, 12, true },
    { "HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]", ESP_MD_SHA256, 12, true },
    { "HMAC-SHA-256-128 [RFC4868]", ESP_MD_SHA256, 16, true },
    { "HMAC-SHA-384-192 [RFC4868]", ESP_MD_SHA384, 24, true },
    { "HMAC-SHA-512-256 [RFC4868]", ESP_MD_SHA512, 32, true },
    { "HMAC-MD5-96 [RFC2403]", ESP_MD_MD5, 12, true },
    { "MAC-RIPEMD-160-96 [RFC2857]", ESP_MD_RMD160, 12, true },
    { "ANY 64 bit authentication [no checking]", ESP_MD_NONE, 8, false },
    { "ANY 96 bit authentication [no checking]", ESP_MD_NONE, 12, false },
    { "ANY 128 bit authentication [no checking]", ESP_MD_NONE, 16, false },
    { "ANY 192 bit authentication [no checking]", ESP_MD_NONE, 24, false },
    { "ANY 256 bit authentication [no checking]", ESP_MD_NONE, 32, false },
    { NULL, ESP_MD_NONE, 0, false },
};

const pd_esp_encr_spec *pd_esp_encr_specs(void)
{
    return encr_specs;
}

const pd_esp_auth_spec *pd_esp_auth_specs(void)
{
    return auth_specs;
}

/* Wireshark's exact name; else any case, and without the "[RFC...]" reference. */
static bool name_matches(const char *want, const char *given)
{
    if (g_ascii_strcasecmp(want, given) == 0)
        return true;
    const char *br = strstr(want, " [");
    size_t n = br ? (size_t)(br - want) : strlen(want);
    return strlen(given) == n && g_ascii_strncasecmp(want, given, n) == 0;
}

const pd_esp_encr_spec *pd_esp_encr_find(const char *name)
{
    for (const pd_esp_encr_spec *s = encr_specs; name && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    for (const pd_esp_encr_spec *s = encr_specs; name && s->name; s++)
        if (name_matches(s->name, name))
            return s;
    return NULL;
}

const pd_esp_auth_spec *pd_esp_auth_find(const char *name)
{
    for (const pd_esp_auth_spec *s = auth_specs; name && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    for (const pd_esp_auth_spec *s = auth_specs; name && s->name; s++)
        if (name_matches(s->name, name))
            return s;
    return NULL;
}

static size_t md_len(int md)
{
    switch (md) {
    case ESP_MD_MD5: return 16;
    case ESP_MD_SHA1: return 20;
    case ESP_MD_SHA256: return 32;
    case ESP_MD_SHA384: return 48;
    case ESP_MD_SHA512: return 64;
    case ESP_MD_RMD160: return 20;
    default: return 0;
    }
}

bool pd_esp_sa_keys_valid(const pd_esp_sa_keys *k, const char **why, size_t *want)
{
    static const char *const msg = "key length";
    *why = NULL;
    *want = 0;
    if (!k->encr || !k->auth) {
        *why = "no algorithm";
        return false;
    }
    if (k->encr->mode == PD_ESP_MODE_NULL) {
        if (k->ekey_len != 0) {
            *why = msg;
            return false;
        }
    } else {
        bool ok = false;
        for (size_t i = 0; i < G_N_ELEMENTS(k->encr->key_lens) && k->encr->key_lens[i]; i++)
            ok = ok || k->ekey_len == (size_t)k->encr->key_lens[i] + k->encr->salt_len;
        if (!ok) {
            *why = msg;
            *want = (size_t)k->encr->key_lens[0] + k->encr->salt_len;
            return false;
        }
    }
    /* HMAC takes a key of any length (RFC 2104 2); none means the ICV is not checked. */
    return true;
}

#ifdef PD_HAVE_GCRYPT

static int gcry_md_of(int md)
{
    switch (md) {
    case ESP_MD_MD5: return GCRY_MD_MD5;
    case ESP_MD_SHA1: return GCRY_MD_SHA1;
    case ESP_MD_SHA256: return GCRY_MD_SHA256;
    case ESP_MD_SHA384: return GCRY_MD_SHA384;
    case ESP_MD_SHA512: return GCRY_MD_SHA512;
    case ESP_MD_RMD160: return GCRY_MD_RMD160;
    default: return GCRY_MD_NONE;
    }
}

static int gcry_cipher_of(const pd_esp_encr_spec *e, size_t key_len)
{
    if (e->twofish)
        return key_len == 16 ? GCRY_CIPHER_TWOFISH128 : key_len == 32 ? GCRY_CIPHER_TWOFISH
                                                                      : GCRY_CIPHER_NONE;
    switch (e->cipher) {
    case PD_IKE_CIPHER_DES: return GCRY_CIPHER_DES;
    case PD_IKE_CIPHER_3DES: return GCRY_CIPHER_3DES;
    case PD_IKE_CIPHER_BLOWFISH: return GCRY_CIPHER_BLOWFISH;
    case PD_IKE_CIPHER_CAST128: return GCRY_CIPHER_CAST5;
    case PD_IKE_CIPHER_AES:
        return key_len == 16 ? GCRY_CIPHER_AES128
               : key_len == 24 ? GCRY_CIPHER_AES192
               : key_len == 32 ? GCRY_CIPHER_AES256
                               : GCRY_CIPHER_NONE;
    default: return GCRY_CIPHER_NONE;
    }
}

void pd_esp_sa_keys_clear(pd_esp_sa_keys *k)
{
    if (!k)
        return;
    if (k->cipher_hd)
        gcry_cipher_close((gcry_cipher_hd_t)k->cipher_hd);
    if (k->md_hd)
        gcry_md_close((gcry_md_hd_t)k->md_hd);
    k->cipher_hd = NULL;
    k->md_hd = NULL;
    k->open_failed = false;
}

/* Open and key the SA's handles once; later packets only set IVs. */
static pd_esp_status sa_open(pd_esp_sa_keys *k)
{
    const pd_esp_encr_spec *e = k->encr;
    const pd_esp_auth_spec *a = k->auth;
    if (k->open_failed)
        return PD_ESP_UNSUPPORTED;
    if (e->mode != PD_ESP_MODE_NULL && !k->cipher_hd) {
        size_t klen = k->ekey_len - e->salt_len;
        int algo = gcry_cipher_of(e, klen);
        int mode = e->mode == PD_ESP_MODE_CBC   ? GCRY_CIPHER_MODE_CBC
                   : e->mode == PD_ESP_MODE_CTR ? GCRY_CIPHER_MODE_CTR
                                                : GCRY_CIPHER_MODE_GCM;
        gcry_cipher_hd_t h;
        if (algo == GCRY_CIPHER_NONE || gcry_cipher_test_algo(algo) ||
            gcry_cipher_open(&h, algo, mode, 0)) {
            k->open_failed = true;
            return PD_ESP_UNSUPPORTED;
        }
        gcry_error_t err = gcry_cipher_setkey(h, k->ekey, klen);
        /* DES-family "weak key" warnings are no reason to refuse a key the peers used. */
        if (err && gcry_err_code(err) != GPG_ERR_WEAK_KEY) {
            gcry_cipher_close(h);
            k->open_failed = true;
            return PD_ESP_BAD_KEY;
        }
        k->cipher_hd = h;
    }
    if (e->mode != PD_ESP_MODE_GCM && a->md != ESP_MD_NONE && k->akey_len && !k->md_hd) {
        gcry_md_hd_t h;
        int algo = gcry_md_of(a->md);
        if (gcry_md_test_algo(algo) || gcry_md_open(&h, algo, GCRY_MD_FLAG_HMAC)) {
            k->open_failed = true;
            return PD_ESP_UNSUPPORTED;
        }
        if (gcry_md_setkey(h, k->akey, k->akey_len)) {
            gcry_md_close(h);
            k->open_failed = true;
            return PD_ESP_BAD_KEY;
        }
        k->md_hd = h;
    }
    return PD_ESP_OK;
}

pd_esp_status pd_esp_decrypt(pd_esp_sa_keys *k, const uint8_t *esp, size_t caplen,
                             size_t wire_len, uint8_t *out, size_t out_cap, pd_esp_plain *plain)
{
    memset(plain, 0, sizeof *plain);
    if (!pd_ike_crypto_available()) /* initialises libgcrypt once */
        return PD_ESP_UNAVAILABLE;
    const pd_esp_encr_spec *e = k->encr;
    const pd_esp_auth_spec *a = k->auth;
    const char *why;
    size_t want;
    if (!e || !e->name || !a || !a->name)
        return PD_ESP_UNSUPPORTED;
    if (!pd_esp_sa_keys_valid(k, &why, &want))
        return PD_ESP_BAD_KEY;
    if (caplen < wire_len)
        return PD_ESP_TRUNCATED; /* the ICV is at the very end */
    bool aead = e->mode == PD_ESP_MODE_GCM;
    size_t icv_len = aead ? e->icv_len : a->icv_len;

    /* RFC 4303 2: SPI, Sequence Number, IV, ciphertext (payload, padding, pad length,
     * next header), ICV. */
    pd_cursor c = pd_cursor_make(esp, wire_len);
    const uint8_t *head, *iv = NULL, *ct, *icv = NULL;
    if (wire_len < ESP_HEADER + (size_t)e->iv_len + 2 + icv_len)
        return PD_ESP_BAD_LENGTH;
    size_t ct_len = wire_len - ESP_HEADER - e->iv_len - icv_len;
    if (!pd_cursor_bytes(&c, ESP_HEADER, &head) || !pd_cursor_bytes(&c, e->iv_len, &iv) ||
        !pd_cursor_bytes(&c, ct_len, &ct) || !pd_cursor_bytes(&c, icv_len, &icv))
        return PD_ESP_BAD_LENGTH;
    if (ct_len % e->block_len != 0 || ct_len > out_cap)
        return PD_ESP_BAD_LENGTH;
    pd_esp_status st = sa_open(k);
    if (st != PD_ESP_OK)
        return st;

    /* With an HMAC key: the ICV over SPI through the ciphertext, checked first
     * (RFC 4303 3.4.4). */
    if (!aead && k->md_hd) {
        gcry_md_hd_t h = k->md_hd;
        gcry_md_reset(h); /* an HMAC handle keeps its key across resets */
        gcry_md_write(h, esp, ESP_HEADER + e->iv_len + ct_len);
        const unsigned char *d = gcry_md_read(h, 0);
        if (!d || icv_len > md_len(a->md) || memcmp(d, icv, icv_len) != 0)
            return PD_ESP_ICV_MISMATCH;
        plain->icv_checked = true;
    }

    gcry_error_t err = 0;
    gcry_cipher_hd_t h = k->cipher_hd;
    switch (e->mode) {
    case PD_ESP_MODE_NULL:
        memcpy(out, ct, ct_len);
        break;
    case PD_ESP_MODE_CBC:
        err = gcry_cipher_setiv(h, iv, e->iv_len);
        if (!err)
            err = gcry_cipher_decrypt(h, out, ct_len, ct, ct_len);
        break;
    case PD_ESP_MODE_CTR: {
        /* RFC 3686 4: nonce (the key's last 4 bytes), the packet's IV, a block
         * counter starting at 1. */
        uint8_t ctr[16];
        memcpy(ctr, k->ekey + k->ekey_len - 4, 4);
        memcpy(ctr + 4, iv, 8);
        ctr[12] = ctr[13] = ctr[14] = 0;
        ctr[15] = 1;
        err = gcry_cipher_setctr(h, ctr, sizeof ctr);
        if (!err)
            err = gcry_cipher_decrypt(h, out, ct_len, ct, ct_len);
        break;
    }
    case PD_ESP_MODE_GCM: {
        /* RFC 4106 4: nonce = salt (the key's last 4 bytes) | IV; 5: the AAD is SPI and
         * the 32-bit Sequence Number. */
        uint8_t nonce[12];
        memcpy(nonce, k->ekey + k->ekey_len - 4, 4);
        memcpy(nonce + 4, iv, 8);
        err = gcry_cipher_reset(h);
        if (!err)
            err = gcry_cipher_setiv(h, nonce, sizeof nonce);
        if (!err)
            err = gcry_cipher_authenticate(h, head, ESP_HEADER);
        if (!err)
            err = gcry_cipher_final(h);
        if (!err)
            err = gcry_cipher_decrypt(h, out, ct_len, ct, ct_len);
        if (!err && gcry_cipher_checktag(h, icv, icv_len)) {
            memset(out, 0, ct_len);
            return PD_ESP_ICV_MISMATCH;
        }
        plain->icv_checked = true;
        break;
    }
    }
    if (err)
        return PD_ESP_UNSUPPORTED;

    /* The trailer: Pad Length, Next Header (RFC 4303 2.4-2.6). */
    pd_cursor pt = pd_cursor_make(out, ct_len);
    uint8_t pad = 0, nh = 0;
    if (!pd_cursor_peek_u8(&pt, ct_len - 2, &pad) || !pd_cursor_peek_u8(&pt, ct_len - 1, &nh) ||
        (size_t)pad + 2 > ct_len)
        return PD_ESP_BAD_PADDING;
    /* The default padding (RFC 4303 2.4) is 1, 2, 3...: every stack we know uses it.
     * Without an ICV it is the only check of the key; with an HMAC ICV it still catches a
     * wrong encryption key under the right authentication key. */
    for (size_t i = 0; i < pad; i++) {
        uint8_t b = 0;
        if (!pd_cursor_peek_u8(&pt, ct_len - 2 - pad + i, &b) || b != (uint8_t)(i + 1))
            return PD_ESP_BAD_PADDING;
    }
    plain->payload = out;
    plain->len = ct_len - 2 - pad;
    plain->next_header = nh;
    plain->pad_len = pad;
    return PD_ESP_OK;
}

#else /* !PD_HAVE_GCRYPT */

void pd_esp_sa_keys_clear(pd_esp_sa_keys *k)
{
    (void)k;
}

pd_esp_status pd_esp_decrypt(pd_esp_sa_keys *k, const uint8_t *esp, size_t caplen,
                             size_t wire_len, uint8_t *out, size_t out_cap, pd_esp_plain *plain)
{
    memset(plain, 0, sizeof *plain);
    return PD_ESP_UNAVAILABLE;
}

#endif /* PD_HAVE_GCRYPT */
