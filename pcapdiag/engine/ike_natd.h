/* ike_natd.h - NAT detection hashes recomputed from a capture: IKEv1 NAT-D
 * payloads (RFC 3947 3.2: HASH(CKY-I | CKY-R | IP | Port) with the
 * negotiated hash) and IKEv2 NAT_DETECTION_SOURCE_IP / DESTINATION_IP
 * notifies (RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | Port)).
 *
 * A sender hashes the addresses it believes it is using. Recomputing the
 * hash from the addresses in the captured IP/UDP headers and comparing it
 * tells which side is behind a NAT: a source-IP hash that does not match
 * the packet's source means the sender's address was rewritten on the way.
 * Note the responder cookie / SPIr is zero in the first message (IKEv2
 * IKE_SA_INIT request) and must be passed as it is in that message.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_NATD_H
#define PD_IKE_NATD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

/* Hash algorithms by their IKEv1 phase-1 attribute numbers (RFC 2409
 * App. A), so a decoded transform's `hash` can be passed as is. Tiger (3)
 * is not supported. */
typedef enum pd_ike_natd_hash {
    PD_IKE_NATD_MD5 = 1,
    PD_IKE_NATD_SHA1 = 2,
    PD_IKE_NATD_SHA2_256 = 4,
    PD_IKE_NATD_SHA2_384 = 5,
    PD_IKE_NATD_SHA2_512 = 6
} pd_ike_natd_hash;

#define PD_IKE_NATD_MAX_LEN 64 /* SHA-512 */

/* Digest length of hash, 0 if unsupported. */
size_t pd_ike_natd_hash_len(pd_ike_natd_hash hash);

/* HASH(spi_i | spi_r | addr | port) with addr 4 (IPv4) or 16 (IPv6) bytes
 * in network order and port in host order (hashed big-endian). Writes the
 * digest to out and returns its length; 0 if the hash is unsupported,
 * addr_len is not 4 or 16, or out_len is too small. */
size_t pd_ike_natd_compute(pd_ike_natd_hash hash, const uint8_t spi_i[8], const uint8_t spi_r[8],
                           const uint8_t *addr, size_t addr_len, uint16_t port, uint8_t *out,
                           size_t out_len);

/* Same, from a pd_addr (family 4 or 6). */
size_t pd_ike_natd_compute_addr(pd_ike_natd_hash hash, const uint8_t spi_i[8],
                                const uint8_t spi_r[8], const pd_addr *addr, uint16_t port,
                                uint8_t *out, size_t out_len);

/* IKEv2: always SHA-1 (20 bytes). */
size_t pd_ikev2_natd_compute(const uint8_t spi_i[8], const uint8_t spi_r[8], const pd_addr *addr,
                             uint16_t port, uint8_t out[20]);

/* True when the received NAT-D data equals the hash recomputed over
 * addr/port (length included in the comparison). */
bool pd_ike_natd_matches(pd_ike_natd_hash hash, const uint8_t spi_i[8], const uint8_t spi_r[8],
                         const pd_addr *addr, uint16_t port, const uint8_t *received,
                         size_t received_len);

#endif /* PD_IKE_NATD_H */
