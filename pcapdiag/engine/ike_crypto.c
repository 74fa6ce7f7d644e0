/* ike_crypto.c - IKE decryption with known keys: IKEv2 SK/SKF payloads
 * (RFC 7296 3.14, RFC 7383 2.5, RFC 5282 AEAD, RFC 5930 CTR) and IKEv1 CBC
 * with RFC 2409 Appendix B IVs, all primitives from libgcrypt.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ike_crypto.h"

#include <string.h>

#include <glib.h>

#include "pcapdiag/cursor.h"

#ifdef PD_HAVE_GCRYPT
#include <gcrypt.h>
#endif

/* Digest numbers used by the integrity table and the IKEv1 hash mapping
 * (kept ours so that this header needs no gcrypt.h). */
enum { PD_MD_NONE = 0, PD_MD_MD5, PD_MD_SHA1, PD_MD_SHA256, PD_MD_SHA384, PD_MD_SHA512 };

const char *pd_ike_decrypt_status_name(pd_ike_decrypt_status s)
{
    switch (s) {
    case PD_IKE_DECRYPT_OK: return "ok";
    case PD_IKE_DECRYPT_UNAVAILABLE: return "unavailable";
    case PD_IKE_DECRYPT_UNSUPPORTED: return "unsupported";
    case PD_IKE_DECRYPT_BAD_LENGTH: return "bad_length";
    case PD_IKE_DECRYPT_ICV_MISMATCH: return "icv_mismatch";
    case PD_IKE_DECRYPT_BAD_PADDING: return "bad_padding";
    case PD_IKE_DECRYPT_BAD_KEY: return "bad_key";
    }
    return "unknown";
}

/* ---- the algorithm tables (the names are Wireshark's UAT strings) ---------- */

#define AES(name, mode, bits, salt, iv, blk, icv, id)                                            \
    { name, mode, PD_IKE_CIPHER_AES, (bits) / 8, salt, iv, blk, icv, id }

static const pd_ikev2_encr_spec encr_specs[] = {
    { "3DES [RFC2451]", PD_IKEV2_MODE_CBC, PD_IKE_CIPHER_3DES, 24, 0, 8, 8, 0, 3 },
    AES("AES-CBC-128 [RFC3602]", PD_IKEV2_MODE_CBC, 128, 0, 16, 16, 0, 12),
    AES("AES-CBC-192 [RFC3602]", PD_IKEV2_MODE_CBC, 192, 0, 16, 16, 0, 12),
    AES("AES-CBC-256 [RFC3602]", PD_IKEV2_MODE_CBC, 256, 0, 16, 16, 0, 12),
    { "NULL [RFC2410]", PD_IKEV2_MODE_NULL, PD_IKE_CIPHER_NONE, 0, 0, 0, 1, 0, 11 },
    AES("AES-CTR-128 [RFC5930]", PD_IKEV2_MODE_CTR, 128, 4, 8, 1, 0, 13),
    AES("AES-CTR-192 [RFC5930]", PD_IKEV2_MODE_CTR, 192, 4, 8, 1, 0, 13),
    AES("AES-CTR-256 [RFC5930]", PD_IKEV2_MODE_CTR, 256, 4, 8, 1, 0, 13),
    AES("AES-GCM-128 with 16 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 128, 4, 8, 1, 16, 20),
    AES("AES-GCM-192 with 16 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 192, 4, 8, 1, 16, 20),
    AES("AES-GCM-256 with 16 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 256, 4, 8, 1, 16, 20),
    AES("AES-GCM-128 with 8 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 128, 4, 8, 1, 8, 18),
    AES("AES-GCM-192 with 8 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 192, 4, 8, 1, 8, 18),
    AES("AES-GCM-256 with 8 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 256, 4, 8, 1, 8, 18),
    AES("AES-GCM-128 with 12 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 128, 4, 8, 1, 12, 19),
    AES("AES-GCM-192 with 12 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 192, 4, 8, 1, 12, 19),
    AES("AES-GCM-256 with 12 octet ICV [RFC5282]", PD_IKEV2_MODE_GCM, 256, 4, 8, 1, 12, 19),
    AES("AES-CCM-128 with 16 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 128, 3, 8, 1, 16, 16),
    AES("AES-CCM-192 with 16 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 192, 3, 8, 1, 16, 16),
    AES("AES-CCM-256 with 16 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 256, 3, 8, 1, 16, 16),
    AES("AES-CCM-128 with 8 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 128, 3, 8, 1, 8, 14),
    AES("AES-CCM-192 with 8 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 192, 3, 8, 1, 8, 14),
    AES("AES-CCM-256 with 8 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 256, 3, 8, 1, 8, 14),
    AES("AES-CCM-128 with 12 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 128, 3, 8, 1, 12, 15),
    AES("AES-CCM-192 with 12 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 192, 3, 8, 1, 12, 15),
    AES("AES-CCM-256 with 12 octet ICV [RFC5282]", PD_IKEV2_MODE_CCM, 256, 3, 8, 1, 12, 15),
    { NULL, PD_IKEV2_MODE_NULL, PD_IKE_CIPHER_NONE, 0, 0, 0, 0, 0, 0 },
};

static const pd_ikev2_integ_spec integ_specs[] = {
    { "HMAC_MD5_96 [RFC2403]", PD_MD_MD5, 16, 12, true, 1 },
    { "HMAC_SHA1_96 [RFC2404]", PD_MD_SHA1, 20, 12, true, 2 },
    { "HMAC_MD5_128 [RFC4595]", PD_MD_MD5, 16, 16, true, 6 },
    { "HMAC_SHA1_160 [RFC4595]", PD_MD_SHA1, 20, 20, true, 7 },
    { "HMAC_SHA2_256_96 [draft-ietf-ipsec-ciph-sha-256-00]", PD_MD_SHA256, 32, 12, true, 0 },
    { "HMAC_SHA2_256_128 [RFC4868]", PD_MD_SHA256, 32, 16, true, 12 },
    { "HMAC_SHA2_384_192 [RFC4868]", PD_MD_SHA384, 48, 24, true, 13 },
    { "HMAC_SHA2_512_256 [RFC4868]", PD_MD_SHA512, 64, 32, true, 14 },
    { "NONE [RFC4306]", PD_MD_NONE, 0, 0, true, 0 },
    { "ANY 64-bits of Authentication [No Checking]", PD_MD_NONE, 0, 8, false, 0 },
    { "ANY 96-bits of Authentication [No Checking]", PD_MD_NONE, 0, 12, false, 0 },
    { "ANY 128-bits of Authentication [No Checking]", PD_MD_NONE, 0, 16, false, 0 },
    { "ANY 160-bits of Authentication [No Checking]", PD_MD_NONE, 0, 20, false, 0 },
    { "ANY 192-bits of Authentication [No Checking]", PD_MD_NONE, 0, 24, false, 0 },
    { "ANY 256-bits of Authentication [No Checking]", PD_MD_NONE, 0, 32, false, 0 },
    { NULL, PD_MD_NONE, 0, 0, false, 0 },
};

const pd_ikev2_encr_spec *pd_ikev2_encr_specs(void)
{
    return encr_specs;
}

const pd_ikev2_integ_spec *pd_ikev2_integ_specs(void)
{
    return integ_specs;
}

const pd_ikev2_encr_spec *pd_ikev2_encr_by_name(const char *name)
{
    for (const pd_ikev2_encr_spec *s = encr_specs; name && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

const pd_ikev2_integ_spec *pd_ikev2_integ_by_name(const char *name)
{
    for (const pd_ikev2_integ_spec *s = integ_specs; name && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

bool pd_ikev1_cipher_for(uint16_t encr, uint16_t key_bits, pd_ikev1_cipher_spec *out)
{
    memset(out, 0, sizeof *out);
    switch (encr) {
    case 1: /* DES-CBC */
        *out = (pd_ikev1_cipher_spec){ PD_IKE_CIPHER_DES, 8, 8 };
        return key_bits == 0 || key_bits == 64;
    case 5: /* 3DES-CBC */
        *out = (pd_ikev1_cipher_spec){ PD_IKE_CIPHER_3DES, 24, 8 };
        return key_bits == 0 || key_bits == 192;
    case 3: /* Blowfish: libgcrypt's takes the RFC 2409 default of 128 bits */
        *out = (pd_ikev1_cipher_spec){ PD_IKE_CIPHER_BLOWFISH, 16, 8 };
        return key_bits == 0 || key_bits == 128;
    case 6: /* CAST-128 */
        *out = (pd_ikev1_cipher_spec){ PD_IKE_CIPHER_CAST128, 16, 8 };
        return key_bits == 0 || key_bits == 128;
    case 7: /* AES-CBC (RFC 3602): 128 unless the Key Length attribute says otherwise */
    case 8: /* Camellia-CBC (RFC 4312) */
        if (key_bits == 0)
            key_bits = 128;
        if (key_bits != 128 && key_bits != 192 && key_bits != 256)
            return false;
        *out = (pd_ikev1_cipher_spec){ encr == 7 ? PD_IKE_CIPHER_AES : PD_IKE_CIPHER_CAMELLIA,
                                       (uint16_t)(key_bits / 8), 16 };
        return true;
    default:
        return false;
    }
}

static int ikev1_md(uint16_t hash)
{
    switch (hash) {
    case 1: return PD_MD_MD5;
    case 2: return PD_MD_SHA1;
    case 4: return PD_MD_SHA256;
    case 5: return PD_MD_SHA384;
    case 6: return PD_MD_SHA512;
    default: return PD_MD_NONE; /* 3 Tiger: not offered by this build */
    }
}

static size_t md_len(int md)
{
    switch (md) {
    case PD_MD_MD5: return 16;
    case PD_MD_SHA1: return 20;
    case PD_MD_SHA256: return 32;
    case PD_MD_SHA384: return 48;
    case PD_MD_SHA512: return 64;
    default: return 0;
    }
}

size_t pd_ikev1_hash_len(uint16_t hash)
{
    return md_len(ikev1_md(hash));
}

#ifdef PD_HAVE_GCRYPT

/* ---- libgcrypt ---------------------------------------------------------------- */

/* The oldest libgcrypt with everything used here (GCM/CCM tag checks). */
#define PD_GCRYPT_MIN_VERSION "1.6.0"

bool pd_ike_crypto_available(void)
{
    /* A host program (Wireshark) may have initialised the library already;
     * only a library nobody set up is set up here, once. */
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
        return true;
    if (!gcry_check_version(PD_GCRYPT_MIN_VERSION))
        return false;
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    return true;
}

static int gcry_md_of(int md)
{
    switch (md) {
    case PD_MD_MD5: return GCRY_MD_MD5;
    case PD_MD_SHA1: return GCRY_MD_SHA1;
    case PD_MD_SHA256: return GCRY_MD_SHA256;
    case PD_MD_SHA384: return GCRY_MD_SHA384;
    case PD_MD_SHA512: return GCRY_MD_SHA512;
    default: return GCRY_MD_NONE;
    }
}

static int gcry_cipher_of(pd_ike_block_cipher c, size_t key_len)
{
    switch (c) {
    case PD_IKE_CIPHER_DES: return GCRY_CIPHER_DES;
    case PD_IKE_CIPHER_3DES: return GCRY_CIPHER_3DES;
    case PD_IKE_CIPHER_BLOWFISH: return GCRY_CIPHER_BLOWFISH;
    case PD_IKE_CIPHER_CAST128: return GCRY_CIPHER_CAST5;
    case PD_IKE_CIPHER_AES:
        return key_len == 16 ? GCRY_CIPHER_AES128
               : key_len == 24 ? GCRY_CIPHER_AES192
               : key_len == 32 ? GCRY_CIPHER_AES256
                               : GCRY_CIPHER_NONE;
    case PD_IKE_CIPHER_CAMELLIA:
        return key_len == 16 ? GCRY_CIPHER_CAMELLIA128
               : key_len == 24 ? GCRY_CIPHER_CAMELLIA192
               : key_len == 32 ? GCRY_CIPHER_CAMELLIA256
                               : GCRY_CIPHER_NONE;
    default: return GCRY_CIPHER_NONE;
    }
}

/* Open and key a cipher; DES-family "weak key" warnings are no reason to
 * refuse a key the peers used. */
static pd_ike_decrypt_status cipher_open(gcry_cipher_hd_t *h, pd_ike_block_cipher cipher,
                                         int mode, const uint8_t *key, size_t key_len)
{
    int algo = gcry_cipher_of(cipher, key_len);
    if (algo == GCRY_CIPHER_NONE || gcry_cipher_test_algo(algo))
        return PD_IKE_DECRYPT_UNSUPPORTED;
    if (gcry_cipher_open(h, algo, mode, 0))
        return PD_IKE_DECRYPT_UNSUPPORTED;
    gcry_error_t err = gcry_cipher_setkey(*h, key, key_len);
    if (err && gcry_err_code(err) != GPG_ERR_WEAK_KEY) {
        gcry_cipher_close(*h);
        return PD_IKE_DECRYPT_BAD_KEY;
    }
    return PD_IKE_DECRYPT_OK;
}

/* Constant-time comparison is not needed (nothing secret is guarded), but
 * memcmp on possibly unaligned borrowed bytes is fine. */
static bool hmac_matches(int md, const uint8_t *key, size_t key_len, const uint8_t *data,
                         size_t len, const uint8_t *icv, size_t icv_len)
{
    int algo = gcry_md_of(md);
    uint8_t digest[64];
    if (algo == GCRY_MD_NONE || md_len(md) > sizeof digest || icv_len > md_len(md))
        return false;
    gcry_buffer_t iov[2];
    memset(iov, 0, sizeof iov);
    iov[0].data = (void *)key;
    iov[0].len = key_len;
    iov[1].data = (void *)data;
    iov[1].len = len;
    if (gcry_md_hash_buffers(algo, GCRY_MD_FLAG_HMAC, digest, iov, 2))
        return false;
    return memcmp(digest, icv, icv_len) == 0;
}

pd_ike_decrypt_status pd_ikev2_decrypt(const pd_ikev2_sa_keys *keys, bool from_initiator,
                                       const uint8_t *msg, size_t msg_len, size_t pl_off,
                                       size_t pl_len, bool skf, uint8_t *out, size_t *out_len)
{
    *out_len = 0;
    if (!pd_ike_crypto_available())
        return PD_IKE_DECRYPT_UNAVAILABLE;
    const pd_ikev2_encr_spec *e = keys->encr;
    const pd_ikev2_integ_spec *in = keys->integ;
    if (!e || !e->name)
        return PD_IKE_DECRYPT_UNSUPPORTED;
    bool aead = e->mode == PD_IKEV2_MODE_GCM || e->mode == PD_IKEV2_MODE_CCM;
    if (!aead && (!in || !in->name))
        return PD_IKE_DECRYPT_UNSUPPORTED;
    size_t icv_len = aead ? e->icv_len : in->icv_len;
    if (keys->sk_e_len != (size_t)e->cipher_key_len + e->salt_len ||
        (!aead && in->checked && keys->sk_a_len != in->key_len))
        return PD_IKE_DECRYPT_BAD_KEY;
    const uint8_t *ek = from_initiator ? keys->sk_ei : keys->sk_er;
    const uint8_t *ak = from_initiator ? keys->sk_ai : keys->sk_ar;

    /* RFC 7296 3.14 / RFC 7383 2.5: generic header (and the fragment
     * numbers), IV, ciphertext, ICV. The whole message up to the ICV is
     * what integrity covers; up to the IV is the AEAD's associated data. */
    pd_cursor m = pd_cursor_make(msg, msg_len);
    size_t head = skf ? 8 : 4;
    const uint8_t *before_iv, *iv = NULL, *ct = NULL, *icv = NULL;
    if (pl_off > msg_len || pl_len > msg_len - pl_off || pl_len < head + e->iv_len + icv_len)
        return PD_IKE_DECRYPT_BAD_LENGTH;
    size_t ct_len = pl_len - head - e->iv_len - icv_len;
    if (!pd_cursor_bytes(&m, pl_off + head, &before_iv) || !pd_cursor_bytes(&m, e->iv_len, &iv) ||
        !pd_cursor_bytes(&m, ct_len, &ct) || !pd_cursor_bytes(&m, icv_len, &icv))
        return PD_IKE_DECRYPT_BAD_LENGTH;
    /* The pad length byte needs a whole block at least (RFC 7296 3.14). */
    if (ct_len == 0 || ct_len % e->block_len != 0)
        return PD_IKE_DECRYPT_BAD_LENGTH;

    if (!aead && in->checked && in->md != PD_MD_NONE &&
        !hmac_matches(in->md, ak, in->key_len, msg, pl_off + pl_len - icv_len, icv, icv_len))
        return PD_IKE_DECRYPT_ICV_MISMATCH;

    gcry_cipher_hd_t h;
    pd_ike_decrypt_status st = PD_IKE_DECRYPT_OK;
    gcry_error_t err = 0;
    switch (e->mode) {
    case PD_IKEV2_MODE_NULL:
        memcpy(out, ct, ct_len);
        break;
    case PD_IKEV2_MODE_CBC:
        if ((st = cipher_open(&h, e->cipher, GCRY_CIPHER_MODE_CBC, ek, e->cipher_key_len)))
            return st;
        err = gcry_cipher_setiv(h, iv, e->iv_len);
        if (!err)
            err = gcry_cipher_decrypt(h, out, ct_len, ct, ct_len);
        gcry_cipher_close(h);
        break;
    case PD_IKEV2_MODE_CTR: {
        /* RFC 5930 2 (RFC 3686 4): nonce from the key material, the
         * payload's IV, a 32-bit block counter starting at 1. */
        uint8_t ctr[16];
        memcpy(ctr, ek + e->cipher_key_len, 4);
        memcpy(ctr + 4, iv, 8);
        ctr[12] = ctr[13] = ctr[14] = 0;
        ctr[15] = 1;
        if ((st = cipher_open(&h, e->cipher, GCRY_CIPHER_MODE_CTR, ek, e->cipher_key_len)))
            return st;
        err = gcry_cipher_setctr(h, ctr, sizeof ctr);
        if (!err)
            err = gcry_cipher_decrypt(h, out, ct_len, ct, ct_len);
        gcry_cipher_close(h);
        break;
    }
    case PD_IKEV2_MODE_GCM:
    case PD_IKEV2_MODE_CCM: {
        /* RFC 5282 4: the nonce is the salt (the last bytes of SK_e)
         * followed by the payload's 8-byte IV; RFC 5282 5.1: the AAD is
         * the message from the IKE header through the payload's header. */
        uint8_t nonce[12];
        size_t nlen = (size_t)e->salt_len + e->iv_len;
        memcpy(nonce, ek + e->cipher_key_len, e->salt_len);
        memcpy(nonce + e->salt_len, iv, e->iv_len);
        int mode = e->mode == PD_IKEV2_MODE_GCM ? GCRY_CIPHER_MODE_GCM : GCRY_CIPHER_MODE_CCM;
        if ((st = cipher_open(&h, e->cipher, mode, ek, e->cipher_key_len)))
            return st;
        err = gcry_cipher_setiv(h, nonce, nlen);
        if (!err && mode == GCRY_CIPHER_MODE_CCM) {
            uint64_t lens[3] = { ct_len, pl_off + head, icv_len };
            err = gcry_cipher_ctl(h, GCRYCTL_SET_CCM_LENGTHS, lens, sizeof lens);
        }
        if (!err)
            err = gcry_cipher_authenticate(h, before_iv, pl_off + head);
        if (!err)
            err = gcry_cipher_final(h);
        if (!err)
            err = gcry_cipher_decrypt(h, out, ct_len, ct, ct_len);
        if (!err && gcry_cipher_checktag(h, icv, icv_len)) {
            gcry_cipher_close(h);
            memset(out, 0, ct_len);
            return PD_IKE_DECRYPT_ICV_MISMATCH;
        }
        gcry_cipher_close(h);
        break;
    }
    }
    if (err)
        return PD_IKE_DECRYPT_UNSUPPORTED;

    /* Padding, then the Pad Length octet (RFC 7296 3.14). */
    pd_cursor pt = pd_cursor_make(out, ct_len);
    uint8_t pad = 0;
    if (!pd_cursor_peek_u8(&pt, ct_len - 1, &pad) || (size_t)pad + 1 > ct_len)
        return PD_IKE_DECRYPT_BAD_PADDING;
    *out_len = ct_len - 1 - pad;
    return PD_IKE_DECRYPT_OK;
}

bool pd_ikev1_derive_iv(uint16_t hash, const uint8_t *a, size_t a_len, const uint8_t *b,
                        size_t b_len, uint8_t *iv, size_t block_len)
{
    int md = ikev1_md(hash);
    uint8_t digest[64];
    if (!pd_ike_crypto_available() || md == PD_MD_NONE || md_len(md) < block_len ||
        md_len(md) > sizeof digest)
        return false;
    gcry_buffer_t iov[2];
    memset(iov, 0, sizeof iov);
    iov[0].data = (void *)a;
    iov[0].len = a_len;
    iov[1].data = (void *)b;
    iov[1].len = b_len;
    if (gcry_md_hash_buffers(gcry_md_of(md), 0, digest, iov, 2))
        return false;
    memcpy(iv, digest, block_len);
    return true;
}

pd_ike_decrypt_status pd_ikev1_decrypt(const pd_ikev1_cipher_spec *spec, const uint8_t *key,
                                       size_t key_len, const uint8_t *iv, const uint8_t *in,
                                       size_t len, uint8_t *out)
{
    if (!pd_ike_crypto_available())
        return PD_IKE_DECRYPT_UNAVAILABLE;
    if (key_len < spec->key_len)
        return PD_IKE_DECRYPT_BAD_KEY;
    if (spec->block_len == 0 || len == 0 || len % spec->block_len != 0)
        return PD_IKE_DECRYPT_BAD_LENGTH;
    gcry_cipher_hd_t h;
    pd_ike_decrypt_status st = cipher_open(&h, spec->cipher, GCRY_CIPHER_MODE_CBC, key,
                                           spec->key_len);
    if (st)
        return st;
    gcry_error_t err = gcry_cipher_setiv(h, iv, spec->block_len);
    if (!err)
        err = gcry_cipher_decrypt(h, out, len, in, len);
    gcry_cipher_close(h);
    return err ? PD_IKE_DECRYPT_UNSUPPORTED : PD_IKE_DECRYPT_OK;
}

#else /* !PD_HAVE_GCRYPT */

bool pd_ike_crypto_available(void)
{
    return false;
}

pd_ike_decrypt_status pd_ikev2_decrypt(const pd_ikev2_sa_keys *keys, bool from_initiator,
                                       const uint8_t *msg, size_t msg_len, size_t pl_off,
                                       size_t pl_len, bool skf, uint8_t *out, size_t *out_len)
{
    *out_len = 0;
    return PD_IKE_DECRYPT_UNAVAILABLE;
}

bool pd_ikev1_derive_iv(uint16_t hash, const uint8_t *a, size_t a_len, const uint8_t *b,
                        size_t b_len, uint8_t *iv, size_t block_len)
{
    return false;
}

pd_ike_decrypt_status pd_ikev1_decrypt(const pd_ikev1_cipher_spec *spec, const uint8_t *key,
                                       size_t key_len, const uint8_t *iv, const uint8_t *in,
                                       size_t len, uint8_t *out)
{
    return PD_IKE_DECRYPT_UNAVAILABLE;
}

#endif /* PD_HAVE_GCRYPT */
