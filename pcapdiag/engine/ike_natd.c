/* ike_natd.c - NAT-D hashes: IKEv1 RFC 3947 3.2, IKEv2 RFC 7296 2.23.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ike_natd.h"

#include <glib.h>
#include <string.h>

static bool checksum_type(pd_ike_natd_hash hash, GChecksumType *type)
{
    switch (hash) {
    case PD_IKE_NATD_MD5: *type = G_CHECKSUM_MD5; return true;
    case PD_IKE_NATD_SHA1: *type = G_CHECKSUM_SHA1; return true;
    case PD_IKE_NATD_SHA2_256: *type = G_CHECKSUM_SHA256; return true;
    case PD_IKE_NATD_SHA2_384: *type = G_CHECKSUM_SHA384; return true;
    case PD_IKE_NATD_SHA2_512: *type = G_CHECKSUM_SHA512; return true;
    }
    return false;
}

size_t pd_ike_natd_hash_len(pd_ike_natd_hash hash)
{
    GChecksumType type;
    if (!checksum_type(hash, &type))
        return 0;
    gssize n = g_checksum_type_get_length(type);
    return n > 0 ? (size_t)n : 0;
}

size_t pd_ike_natd_compute(pd_ike_natd_hash hash, const uint8_t spi_i[8], const uint8_t spi_r[8],
                           const uint8_t *addr, size_t addr_len, uint16_t port, uint8_t *out,
                           size_t out_len)
{
    GChecksumType type;
    if (!checksum_type(hash, &type) || !spi_i || !spi_r || !addr || !out)
        return 0;
    if (addr_len != 4 && addr_len != 16)
        return 0;
    size_t dlen = pd_ike_natd_hash_len(hash);
    if (dlen == 0 || out_len < dlen)
        return 0;

    /* The port is hashed as the two octets it has on the wire. */
    uint8_t port_be[2] = { (uint8_t)(port >> 8), (uint8_t)(port & 0xff) };
    GChecksum *ck = g_checksum_new(type);
    g_checksum_update(ck, spi_i, 8);
    g_checksum_update(ck, spi_r, 8);
    g_checksum_update(ck, addr, (gssize)addr_len);
    g_checksum_update(ck, port_be, 2);
    gsize got = dlen;
    g_checksum_get_digest(ck, out, &got);
    g_checksum_free(ck);
    return got;
}

size_t pd_ike_natd_compute_addr(pd_ike_natd_hash hash, const uint8_t spi_i[8],
                                const uint8_t spi_r[8], const pd_addr *addr, uint16_t port,
                                uint8_t *out, size_t out_len)
{
    if (!addr || (addr->family != 4 && addr->family != 6))
        return 0;
    return pd_ike_natd_compute(hash, spi_i, spi_r, addr->a, addr->family == 4 ? 4 : 16, port,
                               out, out_len);
}

size_t pd_ikev2_natd_compute(const uint8_t spi_i[8], const uint8_t spi_r[8], const pd_addr *addr,
                             uint16_t port, uint8_t out[20])
{
    return pd_ike_natd_compute_addr(PD_IKE_NATD_SHA1, spi_i, spi_r, addr, port, out, 20);
}

bool pd_ike_natd_matches(pd_ike_natd_hash hash, const uint8_t spi_i[8], const uint8_t spi_r[8],
                         const pd_addr *addr, uint16_t port, const uint8_t *received,
                         size_t received_len)
{
    uint8_t digest[PD_IKE_NATD_MAX_LEN];
    size_t n = pd_ike_natd_compute_addr(hash, spi_i, spi_r, addr, port, digest, sizeof(digest));
    return n > 0 && received && received_len == n && memcmp(digest, received, n) == 0;
}
