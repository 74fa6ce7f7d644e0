/* ike_crypto.h - decrypting and checking IKE messages with known keys:
 * IKEv2 SK and SKF payloads (RFC 7296 3.14, RFC 7383 2.5) with CBC and CTR
 * ciphers plus HMAC integrity (RFC 3602, RFC 2451, RFC 5930, RFC 4868) or
 * AEAD ciphers (RFC 5282: AES-GCM, AES-CCM), and IKEv1 CBC encryption with
 * the IV rules of RFC 2409 Appendix B.
 *
 * Every cipher and MAC is libgcrypt's (the library Wireshark's ISAKMP
 * dissector uses for the same job); nothing here implements a primitive.
 * The engine builds without libgcrypt too (PD_HAVE_GCRYPT undefined): then
 * pd_ike_crypto_available() is false and every call answers
 * PD_IKE_DECRYPT_UNAVAILABLE.
 *
 * The algorithm tables are those the Wireshark key tables can name (their
 * exact strings are in ike_keys.c), so a row that parses can be used.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_CRYPTO_H
#define PD_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when this build decrypts (libgcrypt linked and initialised). */
bool pd_ike_crypto_available(void);

typedef enum pd_ike_decrypt_status {
    PD_IKE_DECRYPT_OK = 0,
    PD_IKE_DECRYPT_UNAVAILABLE,  /* built without libgcrypt */
    PD_IKE_DECRYPT_UNSUPPORTED,  /* an algorithm this libgcrypt lacks */
    PD_IKE_DECRYPT_BAD_LENGTH,   /* too short for IV and ICV, or not whole cipher blocks */
    PD_IKE_DECRYPT_ICV_MISMATCH, /* the integrity check failed: not this SA's keys */
    PD_IKE_DECRYPT_BAD_PADDING,  /* the pad length runs past the plaintext: wrong keys */
    PD_IKE_DECRYPT_BAD_KEY       /* key material of the wrong length */
} pd_ike_decrypt_status;

/* "ok", "unavailable", "unsupported", "bad_length", "icv_mismatch",
 * "bad_padding", "bad_key". */
const char *pd_ike_decrypt_status_name(pd_ike_decrypt_status s);

/* ---- IKEv2 (RFC 7296 3.14, RFC 5282, RFC 7383) ------------------------------ */

typedef enum pd_ikev2_cipher_mode {
    PD_IKEV2_MODE_NULL, /* ENCR_NULL: clear text inside the SK payload */
    PD_IKEV2_MODE_CBC,
    PD_IKEV2_MODE_CTR,  /* RFC 5930: nonce(4) | IV(8) | block counter from 1 */
    PD_IKEV2_MODE_GCM,  /* RFC 5282: salt(4) | IV(8) nonce, tag after the ciphertext */
    PD_IKEV2_MODE_CCM   /* RFC 5282: salt(3) | IV(8) nonce */
} pd_ikev2_cipher_mode;

typedef enum pd_ike_block_cipher {
    PD_IKE_CIPHER_NONE,
    PD_IKE_CIPHER_DES,
    PD_IKE_CIPHER_3DES,
    PD_IKE_CIPHER_AES,
    PD_IKE_CIPHER_BLOWFISH,
    PD_IKE_CIPHER_CAST128,
    PD_IKE_CIPHER_CAMELLIA
} pd_ike_block_cipher;

/* One encryption algorithm of the IKEv2 key table. */
typedef struct pd_ikev2_encr_spec {
    const char *name;        /* Wireshark's name, e.g. "AES-CBC-128 [RFC3602]" */
    pd_ikev2_cipher_mode mode;
    pd_ike_block_cipher cipher;
    uint16_t cipher_key_len; /* bytes of cipher key */
    uint8_t salt_len;        /* bytes after the cipher key in SK_e (CTR, GCM, CCM) */
    uint8_t iv_len;          /* explicit IV in the payload */
    uint8_t block_len;       /* ciphertext must be whole blocks of this (1: any length) */
    uint8_t icv_len;         /* AEAD tag; 0 for CBC/CTR/NULL (the integrity spec has it) */
    uint16_t ikev2_id;       /* IANA ENCR transform ID */
} pd_ikev2_encr_spec;

/* One integrity algorithm of the IKEv2 key table. */
typedef struct pd_ikev2_integ_spec {
    const char *name;        /* Wireshark's name, e.g. "HMAC_SHA2_256_128 [RFC4868]" */
    int md;                  /* ike_crypto.c's digest number, 0: none */
    uint16_t key_len;        /* bytes of SK_a; 0 for NONE and the unchecked ANY-n entries */
    uint8_t icv_len;         /* truncated ICV length */
    bool checked;            /* false: Wireshark's "ANY n-bits [No Checking]" */
    uint16_t ikev2_id;       /* IANA INTEG transform ID (0 for the ANY entries) */
} pd_ikev2_integ_spec;

/* The tables, in Wireshark's order, ending with a zeroed entry. */
const pd_ikev2_encr_spec *pd_ikev2_encr_specs(void);
const pd_ikev2_integ_spec *pd_ikev2_integ_specs(void);
const pd_ikev2_encr_spec *pd_ikev2_encr_by_name(const char *name);
const pd_ikev2_integ_spec *pd_ikev2_integ_by_name(const char *name);

#define PD_IKEV2_KEY_MAX 64

/* The keys of one IKE SA, both directions. */
typedef struct pd_ikev2_sa_keys {
    const pd_ikev2_encr_spec *encr;
    const pd_ikev2_integ_spec *integ; /* ignored for AEAD ciphers */
    uint8_t sk_ei[PD_IKEV2_KEY_MAX], sk_er[PD_IKEV2_KEY_MAX];
    uint8_t sk_ai[PD_IKEV2_KEY_MAX], sk_ar[PD_IKEV2_KEY_MAX];
    size_t sk_e_len, sk_a_len;
} pd_ikev2_sa_keys;

/* Decrypt the SK (skf false) or SKF (skf true) payload of one IKEv2 message.
 *   msg, msg_len  the whole message from the IKE header on (header length
 *                 bytes, all captured): integrity and AEAD data cover it
 *   pl_off        offset of the SK/SKF payload's generic header in msg
 *   pl_len        that payload's length (generic header included)
 *   from_initiator  the message was sent by the IKE SA's original initiator
 *                 (I flag): SK_ei/SK_ai, else SK_er/SK_ar
 * The inner payloads (padding and pad length removed) go to out, which must
 * hold pl_len bytes; *out_len gets their length. Integrity is checked
 * before anything is decrypted (RFC 7296 3.14); with an unchecked integrity
 * entry only the padding can tell a wrong key. */
pd_ike_decrypt_status pd_ikev2_decrypt(const pd_ikev2_sa_keys *keys, bool from_initiator,
                                       const uint8_t *msg, size_t msg_len, size_t pl_off,
                                       size_t pl_len, bool skf, uint8_t *out, size_t *out_len);

/* ---- IKEv1 (RFC 2409 Appendix B) -------------------------------------------- */

typedef struct pd_ikev1_cipher_spec {
    pd_ike_block_cipher cipher;
    uint16_t key_len;   /* bytes */
    uint8_t block_len;  /* 8 or 16: also the IV length */
} pd_ikev1_cipher_spec;

/* The phase-1 cipher from the SA's transform: Encryption Algorithm (RFC
 * 2409 App. A: 1 DES, 3 Blowfish, 5 3DES, 6 CAST, 7 AES, 8 Camellia) and
 * its Key Length attribute in bits (0: the cipher's default). False for
 * ciphers not supported. */
bool pd_ikev1_cipher_for(uint16_t encr, uint16_t key_bits, pd_ikev1_cipher_spec *out);

/* Whether the phase-1 Hash Algorithm (1 MD5, 2 SHA1, 4/5/6 SHA2-256/384/
 * 512) is supported, and its digest length in bytes (0 if not). */
size_t pd_ikev1_hash_len(uint16_t hash);

/* IV = first block_len bytes of HASH(a | b): the phase-1 IV with a = g^xi,
 * b = g^xr; a phase-2 or informational exchange's first IV with a = the
 * last phase-1 CBC output block, b = the message ID (4 bytes, network
 * order). False if the hash is unsupported or shorter than the block. */
bool pd_ikev1_derive_iv(uint16_t hash, const uint8_t *a, size_t a_len, const uint8_t *b,
                        size_t b_len, uint8_t *iv, size_t block_len);

/* CBC-decrypt len bytes (a multiple of the block) with key (at least
 * spec->key_len bytes; a longer Ka is cut, RFC 2409 App. B) and iv. */
pd_ike_decrypt_status pd_ikev1_decrypt(const pd_ikev1_cipher_spec *spec, const uint8_t *key,
                                       size_t key_len, const uint8_t *iv, const uint8_t *in,
                                       size_t len, uint8_t *out);

#endif /* PD_IKE_CRYPTO_H */
