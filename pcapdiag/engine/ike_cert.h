/* ike_cert.h - one-line summaries of the X.509 certificates IKE carries in
 * CERT payloads (RFC 7296 3.6 encoding 4, RFC 2408 3.9; X.509 per RFC 5280
 * 4.1): subject, issuer, public key type and size, end of validity.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_CERT_H
#define PD_IKE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "subject CN=vpn.example.com, O=Example; issuer CN=Example CA; RSA 4096
 * bits; valid until 2027-11-21". False (buf "" or what was read) when the
 * bytes are not a DER certificate. Always NUL-terminates buf. Walks the
 * fixed nesting with loops; no recursion on packet data. */
bool pd_ike_cert_summary(const uint8_t *der, size_t len, char *buf, size_t buflen);

#endif /* PD_IKE_CERT_H */
