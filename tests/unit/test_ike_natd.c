/* test_ike_natd.c - NAT-D hash recomputation (RFC 3947 3.2, RFC 7296 2.23).
 *
 * Known answers were computed independently with Python's hashlib over
 * SPIi | SPIr | address | port (big-endian), e.g.
 *   hashlib.sha1(bytes.fromhex('0102030405060708' + '00' * 8)
 *                + socket.inet_aton('192.0.2.10') + struct.pack('!H', 500))
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ike_natd.h"

static const uint8_t v2_spi_i[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
static const uint8_t zero_spi[8] = { 0 };
static const uint8_t v1_cky_i[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
static const uint8_t v1_cky_r[8] = { 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00 };

static pd_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    pd_addr x;
    memset(&x, 0, sizeof(x));
    x.family = 4;
    x.a[0] = a;
    x.a[1] = b;
    x.a[2] = c;
    x.a[3] = d;
    return x;
}

/* IKE_SA_INIT request: SPIr is zero, RFC 7296 2.23. */
static void test_v2_source_and_destination(void **state)
{
    (void)state;
    static const uint8_t src_expect[20] = { 0x9c, 0xda, 0xf8, 0x71, 0x3c, 0xea, 0x81,
                                            0xe2, 0x87, 0xd3, 0xc0, 0xba, 0xcb, 0x7d,
                                            0xb4, 0x68, 0x69, 0x1d, 0xfe, 0x58 };
    static const uint8_t dst_expect[20] = { 0x3a, 0x02, 0xde, 0x24, 0xd1, 0x81, 0xfd,
                                            0x88, 0x16, 0x80, 0x57, 0xd5, 0xab, 0x63,
                                            0xbd, 0x41, 0x84, 0x73, 0x44, 0x4a };
    uint8_t out[20];
    pd_addr src = v4(192, 0, 2, 10), dst = v4(198, 51, 100, 1);

    assert_int_equal(pd_ikev2_natd_compute(v2_spi_i, zero_spi, &src, 500, out), 20);
    assert_memory_equal(out, src_expect, 20);
    assert_int_equal(pd_ikev2_natd_compute(v2_spi_i, zero_spi, &dst, 500, out), 20);
    assert_memory_equal(out, dst_expect, 20);

    assert_true(pd_ike_natd_matches(PD_IKE_NATD_SHA1, v2_spi_i, zero_spi, &src, 500, src_expect, 20));
    /* A NAT rewrote the source port: the hash no longer matches. */
    assert_false(pd_ike_natd_matches(PD_IKE_NATD_SHA1, v2_spi_i, zero_spi, &src, 4500, src_expect, 20));
    /* Or the address. */
    pd_addr other = v4(192, 0, 2, 11);
    assert_false(pd_ike_natd_matches(PD_IKE_NATD_SHA1, v2_spi_i, zero_spi, &other, 500, src_expect, 20));
    /* Received data of another length never matches. */
    assert_false(pd_ike_natd_matches(PD_IKE_NATD_SHA1, v2_spi_i, zero_spi, &src, 500, src_expect, 19));
    assert_false(pd_ike_natd_matches(PD_IKE_NATD_SHA1, v2_spi_i, zero_spi, &src, 500, NULL, 20));
}

static void test_v2_ipv6(void **state)
{
    (void)state;
    static const uint8_t spi_r[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
    static const uint8_t expect[20] = { 0x71, 0xec, 0xf7, 0x83, 0x60, 0x0d, 0xaf,
                                        0xa8, 0xa8, 0x0f, 0x4a, 0xbd, 0x71, 0x8c,
                                        0xaa, 0xa1, 0xd0, 0x2a, 0xf2, 0x16 };
    pd_addr a;
    uint8_t out[20];
    memset(&a, 0, sizeof(a));
    a.family = 6;
    a.a[0] = 0x20;
    a.a[1] = 0x01;
    a.a[2] = 0x0d;
    a.a[3] = 0xb8;
    a.a[15] = 0x01;
    assert_int_equal(pd_ikev2_natd_compute(v2_spi_i, spi_r, &a, 500, out), 20);
    assert_memory_equal(out, expect, 20);
}

typedef struct v1_vector {
    pd_ike_natd_hash hash;
    size_t len;
    const char *hex;
} v1_vector;

/* HASH(CKY-I | CKY-R | 10.0.0.1 | 4500) with each negotiable hash. */
static const v1_vector v1_vectors[] = {
    { PD_IKE_NATD_MD5, 16, "ece6942347f095962e78ec58870ae92a" },
    { PD_IKE_NATD_SHA1, 20, "6f1124495b94dc6a0e90d2162d6bcc9419c6e5c4" },
    { PD_IKE_NATD_SHA2_256, 32, "d45f5d129e2584c611f387c52367d2df6f17f4577090a6e0cedc63a5ee7991b9" },
    { PD_IKE_NATD_SHA2_384, 48,
      "544f1731f7e6c3e354a32243acf77734ceb84717b76a701adf7708929edab6a9e549ddcc8464b6543b4fef8e86e316fe" },
    { PD_IKE_NATD_SHA2_512, 64,
      "b19677b20407357e6d72da701c5836b4e01788ad7c4f4847a5764041af10a331bdb961ddd35c1015f99ddcaf56dca7f8e45a02d7ae7368119093709f2f0b0d47" },
};

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static void test_v1_all_hashes(void **state)
{
    (void)state;
    pd_addr a = v4(10, 0, 0, 1);
    for (size_t i = 0; i < sizeof(v1_vectors) / sizeof(v1_vectors[0]); i++) {
        uint8_t expect[64], out[64];
        const v1_vector *v = &v1_vectors[i];
        unhex(v->hex, expect, v->len);
        assert_int_equal(pd_ike_natd_hash_len(v->hash), v->len);
        assert_int_equal(pd_ike_natd_compute_addr(v->hash, v1_cky_i, v1_cky_r, &a, 4500, out,
                                                  sizeof(out)),
                         v->len);
        assert_memory_equal(out, expect, v->len);
        /* The raw-bytes entry point agrees. */
        memset(out, 0, sizeof(out));
        assert_int_equal(pd_ike_natd_compute(v->hash, v1_cky_i, v1_cky_r, a.a, 4, 4500, out,
                                             sizeof(out)),
                         v->len);
        assert_memory_equal(out, expect, v->len);
        assert_true(pd_ike_natd_matches(v->hash, v1_cky_i, v1_cky_r, &a, 4500, expect, v->len));
    }
}

static void test_rejects_bad_input(void **state)
{
    (void)state;
    uint8_t out[64];
    pd_addr a = v4(10, 0, 0, 1);
    /* Tiger (3) and unknown hashes are not supported. */
    assert_int_equal(pd_ike_natd_hash_len((pd_ike_natd_hash)3), 0);
    assert_int_equal(pd_ike_natd_compute((pd_ike_natd_hash)3, v1_cky_i, v1_cky_r, a.a, 4, 500, out, 64), 0);
    assert_int_equal(pd_ike_natd_compute((pd_ike_natd_hash)99, v1_cky_i, v1_cky_r, a.a, 4, 500, out, 64), 0);
    /* Address lengths other than 4 and 16. */
    assert_int_equal(pd_ike_natd_compute(PD_IKE_NATD_SHA1, v1_cky_i, v1_cky_r, a.a, 5, 500, out, 64), 0);
    assert_int_equal(pd_ike_natd_compute(PD_IKE_NATD_SHA1, v1_cky_i, v1_cky_r, a.a, 0, 500, out, 64), 0);
    /* Output too small for the digest. */
    assert_int_equal(pd_ike_natd_compute(PD_IKE_NATD_SHA2_256, v1_cky_i, v1_cky_r, a.a, 4, 500, out, 31), 0);
    assert_int_equal(pd_ike_natd_compute(PD_IKE_NATD_SHA2_256, v1_cky_i, v1_cky_r, a.a, 4, 500, out, 32), 32);
    /* Bad family or NULL address. */
    pd_addr bad = a;
    bad.family = 0;
    assert_int_equal(pd_ike_natd_compute_addr(PD_IKE_NATD_SHA1, v1_cky_i, v1_cky_r, &bad, 500, out, 64), 0);
    assert_int_equal(pd_ike_natd_compute_addr(PD_IKE_NATD_SHA1, v1_cky_i, v1_cky_r, NULL, 500, out, 64), 0);
    assert_int_equal(pd_ike_natd_compute(PD_IKE_NATD_SHA1, NULL, v1_cky_r, a.a, 4, 500, out, 64), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_source_and_destination),
        cmocka_unit_test(test_v2_ipv6),
        cmocka_unit_test(test_v1_all_hashes),
        cmocka_unit_test(test_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
