/* esp_crypto.h - decrypting ESP packets with known SA keys (RFC 4303): CBC ciphers
 * (AES RFC 3602, 3DES RFC 2451, DES RFC 2405, CAST5 RFC 2144, Blowfish, Twofish), AES-CTR
 * (RFC 3686) and AES-GCM (RFC 4106), with HMAC integrity (RFC 2403, 2404, 4868, 2857) or
 * none. The algorithms and their names are those of Wireshark 4.0's ESP SA table (the
 * `esp_sa` file of a profile), so a row Wireshark accepts can be used here.
 *
 * Every cipher and MAC is libgcrypt's, as for IKE (ike_crypto.h); without libgcrypt
 * (PD_HAVE_GCRYPT undefined) pd_esp_decrypt() answers PD_ESP_UNAVAILABLE. The libgcrypt
 * handles of an SA are opened and keyed once, at its first packet, and reused: decrypting
 * a packet allocates nothing.
 *
 * Not supported: extended sequence numbers (RFC 4303 2.2.1: the high 32 bits are in no
 * packet; Wireshark 4.0's table has no column for them either).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_ESP_CRYPTO_H
#define PD_ESP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h" /* pd_ike_block_cipher */

typedef enum pd_esp_status {
    PD_ESP_OK = 0,
    PD_ESP_UNAVAILABLE,  /* built without libgcrypt */
    PD_ESP_UNSUPPORTED,  /* an algorithm this libgcrypt lacks */
    PD_ESP_TRUNCATED,    /* the capture cut the packet: ICV or ciphertext incomplete */
    PD_ESP_BAD_LENGTH,   /* too short for IV, trailer and ICV, or not whole cipher blocks */
    PD_ESP_ICV_MISMATCH, /* the integrity check failed: not this SA's keys, or damage */
    PD_ESP_BAD_PADDING,  /* pad length or padding bytes wrong (RFC 4303 2.4): wrong keys */
    PD_ESP_BAD_KEY       /* key material of the wrong length */
} pd_esp_status;

/* "ok", "unavailable", "unsupported", "truncated", "bad_length", "icv_mismatch",
 * "bad_padding", "bad_key". */
const char *pd_esp_status_name(pd_esp_status s);

typedef enum pd_esp_encr_mode {
    PD_ESP_MODE_NULL, /* RFC 2410 */
    PD_ESP_MODE_CBC,
    PD_ESP_MODE_CTR,  /* RFC 3686: nonce(4) from the key | IV(8) | counter from 1 */
    PD_ESP_MODE_GCM   /* RFC 4106: salt(4) from the key | IV(8); AAD SPI | sequence */
} pd_esp_encr_mode;

/* One encryption algorithm of Wireshark's ESP SA table. */
typedef struct pd_esp_encr_spec {
    const char *name; /* Wireshark 4.0's, e.g. "AES-CBC [RFC3602]" */
    pd_esp_encr_mode mode;
    pd_ike_block_cipher cipher;
    uint8_t key_lens[3]; /* cipher key lengths accepted, in bytes (0: unused slot) */
    uint8_t salt_len;    /* bytes after the cipher key in the key column (CTR, GCM) */
    uint8_t iv_len;      /* explicit IV in each packet */
    uint8_t block_len;   /* ciphertext in whole blocks of this (CBC), else 1 */
    uint8_t icv_len;     /* AEAD tag (GCM); 0 otherwise */
    bool twofish;        /* the cipher is Twofish (ike_crypto.h has no name for it) */
} pd_esp_encr_spec;

/* One authentication algorithm of the table. */
typedef struct pd_esp_auth_spec {
    const char *name; /* e.g. "HMAC-SHA-1-96 [RFC2404]" */
    int md;           /* esp_crypto.c's digest number, 0: none */
    uint8_t icv_len;  /* truncated ICV length */
    bool checked;     /* false: "ANY n bit authentication [no checking]" and NULL */
} pd_esp_auth_spec;

/* The tables, in Wireshark's order, each ending with a zeroed entry. */
const pd_esp_encr_spec *pd_esp_encr_specs(void);
const pd_esp_auth_spec *pd_esp_auth_specs(void);
/* By Wireshark's exact name, or forgivingly (any case, without the "[RFC...]" part). */
const pd_esp_encr_spec *pd_esp_encr_find(const char *name);
const pd_esp_auth_spec *pd_esp_auth_find(const char *name);

#define PD_ESP_KEY_MAX 64

/* The keys of one SA (one direction) and, once used, its libgcrypt handles. */
typedef struct pd_esp_sa_keys {
    const pd_esp_encr_spec *encr;
    const pd_esp_auth_spec *auth;
    uint8_t ekey[PD_ESP_KEY_MAX]; /* cipher key followed by the salt/nonce (CTR, GCM) */
    size_t ekey_len;
    uint8_t akey[PD_ESP_KEY_MAX];
    size_t akey_len; /* 0: the ICV is skipped, not checked */
    void *cipher_hd; /* gcry_cipher_hd_t, NULL until the first packet */
    void *md_hd;     /* gcry_md_hd_t */
    bool open_failed;
} pd_esp_sa_keys;

/* Whether the key columns fit the algorithms: *why says what does not ("AES-CBC [RFC3602]
 * takes a 16-, 24- or 32-byte key, not 10"). */
bool pd_esp_sa_keys_valid(const pd_esp_sa_keys *k, const char **why, size_t *want);
/* Close the libgcrypt handles (the keys stay usable: they reopen). */
void pd_esp_sa_keys_clear(pd_esp_sa_keys *k);

/* What a decrypted packet holds (RFC 4303 2): the payload, the trailer's fields. */
typedef struct pd_esp_plain {
    const uint8_t *payload; /* into the caller's buffer */
    size_t len;
    uint8_t next_header; /* 4 IPv4, 41 IPv6 (tunnel mode), 17 UDP, 6 TCP (transport), 59 none */
    uint8_t pad_len;
    bool icv_checked; /* the ICV was verified (an HMAC key or an AEAD tag) */
} pd_esp_plain;

/* Decrypt one ESP packet.
 *   esp, caplen   the packet from the SPI on, as captured
 *   wire_len      its length on the wire (caplen smaller: PD_ESP_TRUNCATED)
 *   out, out_cap  where the plaintext goes (at least wire_len bytes)
 * With an HMAC key the ICV is checked before anything is decrypted, and an AEAD tag
 * after; then the padding (RFC 4303 2.4: the default 1, 2, 3...), which is all there is to
 * tell a wrong key without an ICV. */
pd_esp_status pd_esp_decrypt(pd_esp_sa_keys *k, const uint8_t *esp, size_t caplen,
                             size_t wire_len, uint8_t *out, size_t out_cap, pd_esp_plain *plain);

#endif /* PD_ESP_CRYPTO_H */
