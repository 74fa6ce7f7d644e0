/* ike_keys.h - the IKE key tables of Wireshark's ISAKMP dissector, the
 * files `ikev1_decryption_table` and `ikev2_decryption_table` of a Wireshark
 * profile (strongSwan's save-keys plugin writes the same format; the lab's
 * keys.sh makes them from charon's level-4 log). RFC 2409 (IKEv1 keys),
 * RFC 7296 2.14 (IKEv2 SK_e/SK_a).
 *
 * The format is Wireshark's "user accessible table" text: one record per
 * line, fields separated by commas, byte fields in hex, text fields in
 * double quotes (with \\, \" and \xHH escapes), '#' comment lines.
 *   ikev1_decryption_table:  initiator's cookie, encryption key (Ka)
 *       7889afb9d62d61fe,da2a1e4042d7e7d5823a07472c8f6e21
 *   ikev2_decryption_table:  SPIi, SPIr, SK_ei, SK_er, "encryption",
 *                            SK_ai, SK_ar, "integrity"
 *       2326c462e3cb9a60,65cd5b7e973f9f5f,407e...,71b2...,"AES-CBC-128 [RFC3602]",
 *       2877...,8fec...,"HMAC_SHA2_256_128 [RFC4868]"
 * A file is recognised by its rows (2 or 8 fields), not its name, so both
 * tables may even share one file. Rows are matched to IKE SAs by cookie
 * (IKEv1, several rows per cookie allowed: each side's key when the PSKs
 * differ) or by the SPI pair (IKEv2).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_KEYS_H
#define PD_IKE_KEYS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"

#define PD_IKE_KEYS_MAX_FILE_BYTES (16u << 20) /* a key table is a few KB */
#define PD_IKE_KEYS_MAX_ROWS 65536
#define PD_IKEV1_KEY_MAX 64 /* Wireshark allows 256; the longest Ka is 32 (AES-256) */

typedef struct pd_ike_key_v1 {
    uint8_t cookie_i[8];
    uint8_t key[PD_IKEV1_KEY_MAX];
    size_t key_len;
    char *where; /* "FILE:LINE" */
    uint32_t used; /* messages decrypted with it */
    bool matched;  /* an IKE SA of the capture has its cookie */
} pd_ike_key_v1;

typedef struct pd_ike_key_v2 {
    uint8_t spi_i[8], spi_r[8];
    pd_ikev2_sa_keys keys;
    char *where;
    uint32_t used;
    bool matched; /* an IKE SA of the capture has its SPIs */
} pd_ike_key_v2;

typedef struct pd_ike_keys {
    GArray *v1; /* pd_ike_key_v1 */
    GArray *v2; /* pd_ike_key_v2 */
} pd_ike_keys;

#define PD_IKE_KEYS_ERROR (pd_ike_keys_error_quark())
GQuark pd_ike_keys_error_quark(void);

pd_ike_keys *pd_ike_keys_new(void);
void pd_ike_keys_free(pd_ike_keys *k);

/* Add the rows of one file. On a problem nothing of the file is added and
 * *error says "FILE:LINE: what is wrong" (or "FILE: why it cannot be read"). */
bool pd_ike_keys_load_file(pd_ike_keys *k, const char *path, GError **error);
/* The same for text in memory; `name` stands for the file in messages. */
bool pd_ike_keys_parse(pd_ike_keys *k, const char *text, size_t len, const char *name,
                       GError **error);

size_t pd_ike_keys_count(const pd_ike_keys *k);

/* The IKEv2 rows for an SPI pair, after `after` (NULL: from the start). */
pd_ike_key_v2 *pd_ike_keys_next_v2(const pd_ike_keys *k, const uint8_t spi_i[8],
                                   const uint8_t spi_r[8], const pd_ike_key_v2 *after);
/* The IKEv1 rows for an initiator cookie, after `after`. */
pd_ike_key_v1 *pd_ike_keys_next_v1(const pd_ike_keys *k, const uint8_t cookie_i[8],
                                   const pd_ike_key_v1 *after);

#endif /* PD_IKE_KEYS_H */
