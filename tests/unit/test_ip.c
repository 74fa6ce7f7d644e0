/* test_ip.c - IPv4 and IPv6 header decoding: options, bad lengths, fragments, extension header
 * chains, truncation at every offset; address helpers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ip.h"

#define SRC4 0xc0, 0x00, 0x02, 0x01 /* 192.0.2.1 */
#define DST4 0xc6, 0x33, 0x64, 0x02 /* 198.51.100.2 */
#define SRC6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 /* 2001:db8::1 */
#define DST6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 /* 2001:db8::2 */
#define UDP8 0x01, 0xf4, 0x01, 0xf4, 0x00, 0x08, 0x00, 0x00 /* 500 -> 500, empty */

/* ---- IPv4 (RFC 791 section 3.1) ---- */
/* DF, TTL 64, UDP, total 28. */
static const uint8_t v4_udp[] = { 0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
                                  0x00, 0x00, SRC4, DST4, UDP8 };
/* The same with 18 bytes of Ethernet padding after it. */
static const uint8_t v4_padded[] = { 0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
                                     0x00, 0x00, SRC4, DST4, UDP8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                     0,    0,    0,    0,    0,    0,    0,    0,    0 };
/* IHL 6: Router Alert option (RFC 2113), total 32. */
static const uint8_t v4_opts[] = { 0x46, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x01, 0x11, 0x00,
                                   0x00, SRC4, DST4, 0x94, 0x04, 0x00, 0x00, UDP8 };
/* IHL 15: 40 bytes of options (NOPs then End of Option List), total 68. */
static const uint8_t v4_ihl15[] = {
    0x4f, 0x00, 0x00, 0x44, 0x00, 0x02, 0x00, 0x00, 0x80, 0x11, 0x00, 0x00, SRC4, DST4,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* options: 39 NOPs, End of Option List */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    UDP8 };
static const uint8_t v4_ihl4[] = { 0x44, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11,
                                   0x00, 0x00, SRC4, DST4, UDP8 };
static const uint8_t v4_ihl0[] = { 0x40, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11,
                                   0x00, 0x00, SRC4, DST4, UDP8 };
/* Total length 19 < IHL 20. */
static const uint8_t v4_total19[] = { 0x45, 0x00, 0x00, 0x13, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11,
                                      0x00, 0x00, SRC4, DST4, UDP8 };
/* Total length 22 < IHL 24. */
static const uint8_t v4_total22_ihl6[] = { 0x46, 0x00, 0x00, 0x16, 0x00, 0x01, 0x00, 0x00, 0x01,
                                           0x11, 0x00, 0x00, SRC4, DST4, 0x94, 0x04, 0x00, 0x00,
                                           UDP8 };
/* Total length 20: a header with nothing after it. */
static const uint8_t v4_total20[] = { 0x45, 0x00, 0x00, 0x14, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11,
                                      0x00, 0x00, SRC4, DST4, UDP8 };
/* Total length 0: captured before segmentation offload filled it in. */
static const uint8_t v4_tso[] = { 0x45, 0x00, 0x00, 0x00, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00,
                                  0x00, SRC4, DST4, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22,
                                  0x33, 0x44, 0x55, 0x66 };
/* First fragment of a 1500-byte packet (MF, offset 0), captured with a 36-byte snaplen. */
static const uint8_t v4_frag_first[] = { 0x45, 0x00, 0x05, 0xdc, 0xab, 0xcd, 0x20, 0x00,
                                         0x40, 0x11, 0x00, 0x00, SRC4, DST4, UDP8,
                                         0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04 };
/* Last fragment at offset 185*8 = 1480. */
static const uint8_t v4_frag_last[] = { 0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd, 0x00, 0xb9, 0x3f, 0x11,
                                        0x00, 0x00, SRC4, DST4, 1, 2, 3, 4, 5, 6, 7, 8 };
/* Middle fragment, MF and offset 1480, maximum offset 8191 in the next test. */
static const uint8_t v4_frag_mid[] = { 0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd, 0x20, 0xb9, 0x3f, 0x11,
                                       0x00, 0x00, SRC4, DST4, 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t v4_frag_maxoff[] = { 0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd, 0x1f, 0xff, 0x3f, 0x11,
                                          0x00, 0x00, SRC4, DST4, 1, 2, 3, 4, 5, 6, 7, 8 };
/* Only the reserved ("evil") bit: not a fragment. */
static const uint8_t v4_evil[] = { 0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x80, 0x00, 0x40, 0x11,
                                   0x00, 0x00, SRC4, DST4, UDP8 };
static const uint8_t v5[] = { 0x55, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11,
                              0x00, 0x00, SRC4, DST4, UDP8 };
static const uint8_t v0[] = { 0x05, 0x00, 0x00, 0x1c };

/* ---- IPv6 (RFC 8200) ---- */
static const uint8_t v6_udp[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40, SRC6, DST6, UDP8 };
/* The same with 6 bytes of trailing padding. */
static const uint8_t v6_padded[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40, SRC6,
                                     DST6, UDP8, 0,    0,    0,    0,    0,    0 };
/* Hop-by-Hop (PadN) -> Routing type 2 (24 bytes) -> Destination Options -> UDP. */
static const uint8_t v6_chain[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x40, SRC6, DST6,
    0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,                   /* HBH, next Routing */
    0x3c, 0x02, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, SRC6,             /* Routing, next DO */
    0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,                   /* DO, next UDP */
    UDP8,
};
/* Hop-by-Hop -> Fragment (offset 0, M) -> UDP header + 8 bytes. */
static const uint8_t v6_frag_first[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x40, SRC6, DST6,
    0x2c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* HBH, next Fragment */
    0x11, 0x00, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef, /* Fragment: UDP, offset 0, M=1 */
    0x11, 0x94, 0x11, 0x94, 0x05, 0xc8, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,
};
/* Fragment at offset 1448 (181 units), last; its data is not a UDP header. */
static const uint8_t v6_frag_last[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x2c, 0x40, SRC6, DST6,
    0x11, 0x00, 0x05, 0xa8, 0xde, 0xad, 0xbe, 0xef,
    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
};
/* An atomic fragment (RFC 6946): offset 0, M=0. */
static const uint8_t v6_atomic[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x2c, 0x40, SRC6, DST6,
    0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, UDP8,
};
/* AH (RFC 4302) after a Destination Options header: AH is the upper layer here. */
static const uint8_t v6_ah[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3c, 0x40, SRC6, DST6,
    0x33, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* DO, next AH */
    0x11, 0x04, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x00, 0x01,
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, /* ICV */
};
static const uint8_t v6_esp[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x32, 0x40, SRC6, DST6,
                                  0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t v6_nonext[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3b, 0x40, SRC6, DST6 };
/* Payload length 0 (jumbogram or offload): the capture decides. */
static const uint8_t v6_jumbo[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x40, SRC6, DST6, UDP8 };
/* HBH claims 16 bytes but the payload length is 8: malformed, not truncated. */
static const uint8_t v6_ext_overrun[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x40, SRC6, DST6,
                                          0x11, 0x01, 0x01, 0x0c, 0, 0, 0, 0,
                                          0,    0,    0,    0,    0, 0, 0, 0 };
/* HBH claims 16 bytes, payload length 16, only 8 captured: truncated. */
static const uint8_t v6_ext_cut[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x40, SRC6, DST6,
                                      0x11, 0x01, 0x01, 0x0c, 0, 0, 0, 0 };
/* Fragment header with only 6 of its 8 bytes inside the payload length. */
static const uint8_t v6_frag_overrun[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x06, 0x2c, 0x40, SRC6, DST6,
                                           0x11, 0x00, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef };

typedef struct ip_case {
    const char *name;
    const uint8_t *data;
    size_t len;
    pd_ip_status status;
    uint8_t version, proto, ttl;
    size_t header_len, payload_len, payload_wire_len;
    bool is_fragment, mf, df;
    uint32_t frag_offset, ident;
} ip_case;

#define F(a) a, sizeof(a)
static const ip_case cases[] = {
    { "v4 udp", F(v4_udp), PD_IP_OK, 4, 17, 64, 20, 8, 8, false, false, true, 0, 0x1234 },
    { "v4 padded", F(v4_padded), PD_IP_OK, 4, 17, 64, 20, 8, 8, false, false, true, 0, 0x1234 },
    { "v4 options", F(v4_opts), PD_IP_OK, 4, 17, 1, 24, 8, 8, false, false, false, 0, 1 },
    { "v4 ihl 15", F(v4_ihl15), PD_IP_OK, 4, 17, 128, 60, 8, 8, false, false, false, 0, 2 },
    { "v4 ihl 4", F(v4_ihl4), PD_IP_MALFORMED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
    { "v4 ihl 0", F(v4_ihl0), PD_IP_MALFORMED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
    { "v4 total 19", F(v4_total19), PD_IP_MALFORMED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
    { "v4 total 22 ihl 6", F(v4_total22_ihl6), PD_IP_MALFORMED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
    { "v4 total 20", F(v4_total20), PD_IP_OK, 4, 17, 64, 20, 0, 0, false, false, false, 0, 0x1234 },
    { "v4 tso", F(v4_tso), PD_IP_OK, 4, 6, 64, 20, 12, 12, false, false, true, 0, 0x1234 },
    { "v4 first frag", F(v4_frag_first), PD_IP_OK, 4, 17, 64, 20, 16, 1480, true, true, false, 0, 0xabcd },
    { "v4 last frag", F(v4_frag_last), PD_IP_OK, 4, 17, 63, 20, 8, 8, true, false, false, 1480, 0xabcd },
    { "v4 mid frag", F(v4_frag_mid), PD_IP_OK, 4, 17, 63, 20, 8, 8, true, true, false, 1480, 0xabcd },
    { "v4 max offset", F(v4_frag_maxoff), PD_IP_OK, 4, 17, 63, 20, 8, 8, true, false, false, 65528, 0xabcd },
    { "v4 evil bit", F(v4_evil), PD_IP_OK, 4, 17, 64, 20, 8, 8, false, false, false, 0, 0x1234 },
    { "version 5", F(v5), PD_IP_MALFORMED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
    { "version 0", F(v0), PD_IP_MALFORMED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
    { "v6 udp", F(v6_udp), PD_IP_OK, 6, 17, 64, 40, 8, 8, false, false, false, 0, 0 },
    { "v6 padded", F(v6_padded), PD_IP_OK, 6, 17, 64, 40, 8, 8, false, false, false, 0, 0 },
    { "v6 chain", F(v6_chain), PD_IP_OK, 6, 17, 64, 80, 8, 8, false, false, false, 0, 0 },
    { "v6 first frag", F(v6_frag_first), PD_IP_OK, 6, 17, 64, 56, 16, 16, true, true, false, 0, 0xdeadbeef },
    { "v6 last frag", F(v6_frag_last), PD_IP_OK, 6, 17, 64, 48, 16, 16, true, false, false, 1448, 0xdeadbeef },
    { "v6 atomic frag", F(v6_atomic), PD_IP_OK, 6, 17, 64, 48, 8, 8, false, false, false, 0, 42 },
    { "v6 ah", F(v6_ah), PD_IP_OK, 6, 51, 64, 48, 24, 24, false, false, false, 0, 0 },
    { "v6 esp", F(v6_esp), PD_IP_OK, 6, 50, 64, 40, 8, 8, false, false, false, 0, 0 },
    { "v6 no next header", F(v6_nonext), PD_IP_OK, 6, 59, 64, 40, 0, 0, false, false, false, 0, 0 },
    { "v6 jumbo", F(v6_jumbo), PD_IP_OK, 6, 17, 64, 40, 8, 8, false, false, false, 0, 0 },
    { "v6 ext overrun", F(v6_ext_overrun), PD_IP_MALFORMED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
    { "v6 ext cut", F(v6_ext_cut), PD_IP_TRUNCATED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
    { "v6 frag overrun", F(v6_frag_overrun), PD_IP_MALFORMED, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0 },
};

static uint8_t *exact_copy(const uint8_t *src, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    if (n)
        memcpy(p, src, n);
    return p;
}

static void check_case(const ip_case *k, const uint8_t *buf, const pd_ip *ip)
{
    if (ip->version != k->version || ip->proto != k->proto || ip->ttl != k->ttl ||
        ip->header_len != k->header_len || ip->payload_len != k->payload_len ||
        ip->payload_wire_len != k->payload_wire_len || ip->is_fragment != k->is_fragment ||
        ip->more_fragments != k->mf || ip->dont_fragment != k->df ||
        ip->frag_offset != k->frag_offset || ip->ident != k->ident)
        fail_msg("%s: v%u proto %u ttl %u hl %zu len %zu wire %zu frag %d mf %d df %d off %u id %x",
                 k->name, ip->version, ip->proto, ip->ttl, ip->header_len, ip->payload_len,
                 ip->payload_wire_len, ip->is_fragment, ip->more_fragments, ip->dont_fragment,
                 ip->frag_offset, ip->ident);
    if (ip->payload != buf + k->header_len)
        fail_msg("%s: payload at %td", k->name, ip->payload - buf);
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ip_case *k = &cases[i];
        uint8_t *buf = exact_copy(k->data, k->len);
        pd_ip ip;
        memset(&ip, 0x5a, sizeof ip);
        pd_ip_status st = pd_ip_decode(buf, k->len, &ip);
        if (st != k->status)
            fail_msg("%s: status %d, want %d", k->name, st, k->status);
        if (st == PD_IP_OK)
            check_case(k, buf, &ip);
        free(buf);
    }
}

static void test_addresses_decoded(void **state)
{
    (void)state;
    pd_ip ip;
    char s[64];
    assert_int_equal(pd_ip_decode(v4_udp, sizeof v4_udp, &ip), PD_IP_OK);
    assert_int_equal(ip.src.family, 4);
    assert_string_equal(pd_addr_str(&ip.src, s, sizeof s), "192.0.2.1");
    assert_string_equal(pd_addr_str(&ip.dst, s, sizeof s), "198.51.100.2");
    for (size_t i = 4; i < 16; i++)
        assert_int_equal(ip.src.a[i], 0); /* flow keys compare whole addresses */
    assert_int_equal(pd_ip_decode(v6_chain, sizeof v6_chain, &ip), PD_IP_OK);
    assert_int_equal(ip.src.family, 6);
    assert_string_equal(pd_addr_str(&ip.src, s, sizeof s), "2001:db8::1");
    assert_string_equal(pd_addr_str(&ip.dst, s, sizeof s), "2001:db8::2");
}

/* Every prefix: inside the header (and inside IPv6 extension headers the
 * payload length promises) it is truncated; beyond, the payload is what was
 * captured. Exact-size copies let ASan catch any overread. */
static void test_truncation_every_offset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ip_case *k = &cases[i];
        if (k->status != PD_IP_OK || k->payload_wire_len != k->payload_len)
            continue;
        bool tso = k->data == v4_tso || k->data == v6_jumbo || k->data == v6_nonext;
        for (size_t n = 0; n < k->len; n++) {
            uint8_t *buf = exact_copy(k->data, n);
            pd_ip ip;
            pd_ip_status st = pd_ip_decode(buf, n, &ip);
            if (n < k->header_len) {
                if (st != PD_IP_TRUNCATED)
                    fail_msg("%s cut at %zu: status %d", k->name, n, st);
            } else {
                size_t want = n - k->header_len;
                if (want > k->payload_len)
                    want = k->payload_len;
                if (st != PD_IP_OK || ip.payload_len != want || ip.header_len != k->header_len ||
                    ip.payload_wire_len != (tso ? want : k->payload_wire_len))
                    fail_msg("%s cut at %zu: status %d len %zu wire %zu", k->name, n, st,
                             ip.payload_len, ip.payload_wire_len);
            }
            free(buf);
        }
    }
}

/* Malformed and truncated cases stay so (or become truncated) when cut. */
static void test_truncation_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ip_case *k = &cases[i];
        if (k->status == PD_IP_OK)
            continue;
        for (size_t n = 0; n <= k->len; n++) {
            uint8_t *buf = exact_copy(k->data, n);
            pd_ip ip;
            assert_int_not_equal(pd_ip_decode(buf, n, &ip), PD_IP_OK);
            free(buf);
        }
    }
}

/* A chain of n Destination Options headers then UDP. */
static size_t build_dstopts_chain(uint8_t *p, unsigned n)
{
    static const uint8_t hdr[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x40, SRC6, DST6 };
    static const uint8_t udp[] = { UDP8 };
    size_t len = sizeof hdr;
    memcpy(p, hdr, len);
    if (n == 0)
        p[6] = 17;
    for (unsigned i = 0; i < n; i++) {
        static const uint8_t opt[] = { 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00 };
        memcpy(p + len, opt, sizeof opt);
        if (i == n - 1)
            p[len] = 17;
        len += sizeof opt;
    }
    memcpy(p + len, udp, sizeof udp);
    len += sizeof udp;
    size_t plen = len - 40;
    p[4] = (uint8_t)(plen >> 8);
    p[5] = (uint8_t)plen;
    return len;
}

static void test_ext_header_bound(void **state)
{
    (void)state;
    uint8_t pkt[40 + 40 * 8 + 8];
    pd_ip ip;
    for (unsigned n = 0; n <= 16; n++) {
        size_t len = build_dstopts_chain(pkt, n);
        assert_int_equal(pd_ip_decode(pkt, len, &ip), PD_IP_OK);
        assert_int_equal(ip.proto, 17);
        assert_int_equal(ip.header_len, 40 + 8 * n);
        assert_int_equal(ip.payload_len, 8);
    }
    for (unsigned n = 17; n <= 40; n++) {
        size_t len = build_dstopts_chain(pkt, n);
        assert_int_equal(pd_ip_decode(pkt, len, &ip), PD_IP_MALFORMED);
    }
}

/* A fragment header at the seventeenth place is one too many as well. */
static void test_ext_header_bound_with_fragment(void **state)
{
    (void)state;
    uint8_t pkt[40 + 17 * 8 + 8];
    size_t len = build_dstopts_chain(pkt, 16);
    /* Turn the last DO into "next Fragment" and append a fragment header. */
    size_t last = 40 + 15 * 8;
    pkt[last] = 44;
    static const uint8_t frag[] = { 0x11, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07 };
    memmove(pkt + last + 8 + 8, pkt + last + 8, 8);
    memcpy(pkt + last + 8, frag, sizeof frag);
    len += 8;
    pkt[4] = (uint8_t)((len - 40) >> 8);
    pkt[5] = (uint8_t)(len - 40);
    pd_ip ip;
    assert_int_equal(pd_ip_decode(pkt, len, &ip), PD_IP_MALFORMED);

    /* With fifteen DOs the fragment header is the sixteenth: fine. */
    len = build_dstopts_chain(pkt, 15);
    last = 40 + 14 * 8;
    pkt[last] = 44;
    memmove(pkt + last + 8 + 8, pkt + last + 8, 8);
    memcpy(pkt + last + 8, frag, sizeof frag);
    len += 8;
    pkt[4] = (uint8_t)((len - 40) >> 8);
    pkt[5] = (uint8_t)(len - 40);
    assert_int_equal(pd_ip_decode(pkt, len, &ip), PD_IP_OK);
    assert_true(ip.is_fragment);
    assert_true(ip.more_fragments);
    assert_int_equal(ip.ident, 7);
    assert_int_equal(ip.proto, 17);
    assert_int_equal(ip.header_len, 40 + 16 * 8);
}

/* The engine's fragment path relies on the data after a Fragment header
 * being the fragment, even when more extension headers follow it. */
static void test_v6_fragment_stops_walk(void **state)
{
    (void)state;
    static const uint8_t pkt[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x2c, 0x40, SRC6, DST6,
        0x3c, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09, /* Fragment, next DO */
        0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, UDP8,
    };
    pd_ip ip;
    assert_int_equal(pd_ip_decode(pkt, sizeof pkt, &ip), PD_IP_OK);
    assert_true(ip.is_fragment);
    assert_int_equal(ip.proto, 60);
    assert_int_equal(ip.header_len, 48);
    assert_int_equal(ip.payload_len, 16);
}

static void test_null_and_empty(void **state)
{
    (void)state;
    pd_ip ip;
    assert_int_equal(pd_ip_decode(NULL, 0, &ip), PD_IP_TRUNCATED);
    assert_int_equal(pd_ip_decode(NULL, 40, &ip), PD_IP_TRUNCATED);
    assert_int_equal(pd_ip_decode(v4_udp, 0, &ip), PD_IP_TRUNCATED);
    assert_int_equal(pd_ip_decode(v4_udp, sizeof v4_udp, NULL), PD_IP_OK);
}

static void test_addr_helpers(void **state)
{
    (void)state;
    pd_addr a4 = { 4, { 192, 0, 2, 1 } }, b4 = { 4, { 192, 0, 2, 2 } };
    pd_addr a6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
    pd_addr b6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
    pd_addr a4b = a4;
    char s[64];

    assert_true(pd_addr_equal(&a4, &a4b));
    assert_false(pd_addr_equal(&a4, &b4));
    assert_false(pd_addr_equal(&a4, &a6));
    assert_int_equal(pd_addr_compare(&a4, &a4b), 0);
    assert_int_equal(pd_addr_compare(&a4, &b4), -1);
    assert_int_equal(pd_addr_compare(&b4, &a4), 1);
    assert_int_equal(pd_addr_compare(&a6, &b6), -1);
    assert_int_equal(pd_addr_compare(&a4, &a6), -1); /* IPv4 sorts first */
    assert_int_equal(pd_addr_compare(&b6, &a4), 1);

    assert_string_equal(pd_addr_str(&a4, s, sizeof s), "192.0.2.1");
    assert_string_equal(pd_addr_str(&b6, s, sizeof s), "2001:db8::2");
    pd_addr full = { 6, { 0xfe, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 } };
    char exact[46];
    assert_string_equal(pd_addr_str(&full, exact, sizeof exact), "fe80:102:304:506:708:90a:b0c:d0e");
    /* Too small a buffer or an unknown family: empty, never an overrun. */
    char tiny[4] = "xyz";
    assert_string_equal(pd_addr_str(&a4, tiny, sizeof tiny), "");
    pd_addr none = { 0 };
    assert_string_equal(pd_addr_str(&none, s, sizeof s), "");
    assert_string_equal(pd_addr_str(&a4, NULL, 0), "");

    pd_endpoint ep4 = { 4, { 10, 0, 0, 1 }, 500 };
    pd_endpoint ep6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x12, [15] = 0x34 }, 4500 };
    assert_string_equal(pd_endpoint_addr_str(&ep4, s, sizeof s), "10.0.0.1");
    assert_string_equal(pd_endpoint_addr_str(&ep6, s, sizeof s), "2001:db8::1234");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_addresses_decoded),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_truncation_bad),
        cmocka_unit_test(test_ext_header_bound),
        cmocka_unit_test(test_ext_header_bound_with_fragment),
        cmocka_unit_test(test_v6_fragment_stops_walk),
        cmocka_unit_test(test_null_and_empty),
        cmocka_unit_test(test_addr_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
