/* esp_keys.h - Wireshark's ESP SA table: the `esp_sa` file of a Wireshark profile (Edit >
 * Preferences > Protocols > ESP > ESP SAs), read for `pcapdiag --esp-keys`. RFC 4303 SAs.
 *
 * One SA per line, the eight fields of Wireshark 4.0's table, as it writes them:
 *   "IPv4","10.0.1.2","10.0.2.2","0xc09d4e6c","AES-CBC [RFC3602]","0x6fe5...",
 *   "HMAC-SHA-1-96 [RFC2404]","0xb350..."
 *   protocol      "IPv4" or "IPv6"
 *   source, destination  an address, "*" (any), a prefix ("10.0.0.0/8") or, for IPv4,
 *                 octets as "*" ("10.0.*.*")
 *   SPI           "0x" and up to 8 hex digits, a decimal number, or "*"
 *   encryption    Wireshark's name ("AES-CBC [RFC3602]", "TripleDES-CBC [RFC2451]",
 *                 "AES-GCM with 16 octet ICV [RFC4106]", "NULL"...; esp_crypto.c)
 *   encryption key  "0x" and hex (for CTR and GCM: the cipher key then the 4-byte
 *                 nonce/salt, as the kernel and strongSwan hold it), or text taken as bytes
 *   authentication  "HMAC-SHA-1-96 [RFC2404]", "HMAC-SHA-256-128 [RFC4868]", "NULL",
 *                 "ANY 96 bit authentication [no checking]"...
 *   authentication key  as the encryption key; empty ("0x" or "") skips the ICV check
 * '#' lines and blank lines are skipped. The first row that matches a packet's addresses
 * and SPI is its SA (Wireshark's rule).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_ESP_KEYS_H
#define PD_ESP_KEYS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_crypto.h"
#include "ip.h"

#define PD_ESP_KEYS_MAX_FILE_BYTES (16u << 20)
#define PD_ESP_KEYS_MAX_ROWS 65536

/* An address column: any, or a prefix of an address (exact: the full length). */
typedef struct pd_esp_addr_filter {
    bool any;
    uint8_t a[16];
    uint8_t mask[16]; /* bits that must match */
} pd_esp_addr_filter;

typedef struct pd_esp_key_row {
    uint8_t family; /* 4 or 6 */
    pd_esp_addr_filter src, dst;
    bool spi_any;
    uint32_t spi;
    pd_esp_sa_keys keys; /* holds libgcrypt handles once used */
    char *where;         /* "FILE:LINE" */
    uint64_t decrypted, failed;
    bool matched; /* an ESP SA of the capture uses it */
} pd_esp_key_row;

typedef struct pd_esp_keys {
    GPtrArray *rows; /* pd_esp_key_row*, file order */
} pd_esp_keys;

#define PD_ESP_KEYS_ERROR (pd_esp_keys_error_quark())
GQuark pd_esp_keys_error_quark(void);

pd_esp_keys *pd_esp_keys_new(void);
void pd_esp_keys_free(pd_esp_keys *k);

/* Add the rows of one file. On a problem nothing of the file is added and *error says
 * "FILE:LINE: what is wrong" (or "FILE: why it cannot be read"). */
bool pd_esp_keys_load_file(pd_esp_keys *k, const char *path, GError **error);
/* The same for text in memory; `name` stands for the file in messages. */
bool pd_esp_keys_parse(pd_esp_keys *k, const char *text, size_t len, const char *name,
                       GError **error);

size_t pd_esp_keys_count(const pd_esp_keys *k);

/* The SA of an ESP packet from src to dst with this SPI: the first matching row. */
pd_esp_key_row *pd_esp_keys_find(const pd_esp_keys *k, const pd_addr *src, const pd_addr *dst,
                                 uint32_t spi);

#endif /* PD_ESP_KEYS_H */
