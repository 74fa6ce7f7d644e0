/* test_ikev2.c - IKEv2 decoder (ikev2.c), the UDP 500/4500 demultiplexer
 * and IKEv2 names: messages laid out by hand from RFC 7296 / RFC 7383, then
 * truncated, mis-sized and mutated.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "ike.h"
#include "ike_names.h"
#include "ike_natd.h"
#include "ike_policy.h"
#include "ikev2.h"

/* IKE_SA_INIT request: SA (2 proposals), KE (group 19), Ni,
 * N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP),
 * N(IKEV2_FRAGMENTATION_SUPPORTED), V(strongSwan). 304 bytes. The NAT-D
 * hashes are SHA-1 over SPIi | 0 | 192.0.2.10:500 and 198.51.100.1:500. */
static const uint8_t sa_init[] = {
    /* IKE header (RFC 7296 3.1) */
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* SPIi */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* SPIr */
    0x21, 0x20, 0x22, 0x08, /* next SA, 2.0, IKE_SA_INIT, Initiator */
    0x00, 0x00, 0x00, 0x00, /* message ID 0 */
    0x00, 0x00, 0x01, 0x30, /* length 304 */
    /* @28 SA */
    0x22, 0x00, 0x00, 0x54, /* next KE, length 84 */
    /* @32 proposal 1 */
    0x02, 0x00, 0x00, 0x2c, /* more, 44 */
    0x01, 0x01, 0x00, 0x04, /* #1, IKE, SPI size 0, 4 transforms */
    0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x0c, 0x80, 0x0e, 0x01, 0x00, /* ENCR AES_CBC, 256 */
    0x03, 0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x0c, /* INTEG HMAC_SHA2_256_128 */
    0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x05, /* PRF HMAC_SHA2_256 */
    0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x13, /* DH 19 */
    /* @76 proposal 2 */
    0x00, 0x00, 0x00, 0x24, /* last, 36 */
    0x02, 0x01, 0x00, 0x03,
    0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x14, 0x80, 0x0e, 0x01, 0x00, /* ENCR AES_GCM_16, 256 */
    0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x06, /* PRF HMAC_SHA2_384 */
    0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x0e, /* DH 14 */
    /* @112 KE */
    0x28, 0x00, 0x00, 0x48, /* next Nonce, 72 */
    0x00, 0x13, 0x00, 0x00, /* group 19, reserved */
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
    /* @184 Ni */
    0x29, 0x00, 0x00, 0x24, /* next N, 36 */
    0xc3, 0x5e, 0x81, 0x0a, 0x44, 0x97, 0x2b, 0xd6, 0x1f, 0x08, 0xe9, 0x73, 0x5c, 0xa2, 0x66, 0x3d,
    0x90, 0x14, 0x7b, 0xee, 0x28, 0xd1, 0x05, 0xb9, 0x4a, 0x6f, 0x37, 0xc8, 0x0d, 0xf2, 0x81, 0x5b,
    /* @220 N(NAT_DETECTION_SOURCE_IP) */
    0x29, 0x00, 0x00, 0x1c,
    0x00, 0x00, 0x40, 0x04, /* protocol 0, SPI size 0, 16388 */
    0x9c, 0xda, 0xf8, 0x71, 0x3c, 0xea, 0x81, 0xe2, 0x87, 0xd3,
    0xc0, 0xba, 0xcb, 0x7d, 0xb4, 0x68, 0x69, 0x1d, 0xfe, 0x58,
    /* @248 N(NAT_DETECTION_DESTINATION_IP) */
    0x29, 0x00, 0x00, 0x1c,
    0x00, 0x00, 0x40, 0x05, /* 16389 */
    0x3a, 0x02, 0xde, 0x24, 0xd1, 0x81, 0xfd, 0x88, 0x16, 0x80,
    0x57, 0xd5, 0xab, 0x63, 0xbd, 0x41, 0x84, 0x73, 0x44, 0x4a,
    /* @276 N(IKEV2_FRAGMENTATION_SUPPORTED) */
    0x2b, 0x00, 0x00, 0x08, /* next V */
    0x00, 0x00, 0x40, 0x2e, /* 16430 */
    /* @284 V: strongSwan */
    0x00, 0x00, 0x00, 0x14,
    0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc, 0x22, 0x51, 0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb,
};

#define SA_INIT_SA_LEN_OFF 30
#define SA_INIT_KEYLEN_ATTR_OFF 48 /* proposal 1, ENCR transform, key length attribute */

/* IKE_SA_INIT response: N(INVALID_KE_PAYLOAD) asking for group 19. 38 bytes. */
static const uint8_t invalid_ke[] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x29, 0x20, 0x22, 0x20, /* next N, IKE_SA_INIT, Response */
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x26, /* 38 */
    0x00, 0x00, 0x00, 0x0a, /* last, 10 */
    0x00, 0x00, 0x00, 0x11, /* protocol 0, SPI size 0, INVALID_KE_PAYLOAD */
    0x00, 0x13,             /* the group the responder wants: 19 */
};

/* IKE_AUTH request, fragment 1 of 3 (RFC 7383 2.5). 76 bytes. */
static const uint8_t skf[] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8,
    0x35, 0x20, 0x23, 0x08, /* next SKF, IKE_AUTH, Initiator */
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x4c, /* 76 */
    0x23, 0x00, 0x00, 0x30, /* first inner payload IDi, 48 */
    0x00, 0x01, 0x00, 0x03, /* fragment 1 of 3 */
    0x3d, 0x8e, 0x12, 0x77, 0xa0, 0x5c, 0xf1, 0x29, 0x64, 0xb3, 0x0e, 0xd8, 0x41, 0x9a, 0x7f, 0x02,
    0xe5, 0x36, 0xcb, 0x18, 0x8d, 0x50, 0x2f, 0x94, 0x6a, 0x13, 0xbe, 0x07, 0xd2, 0x79, 0x45, 0xac,
    0x1b, 0xf0, 0x63, 0x88, 0x2e, 0x97, 0x54, 0xc1,
};

/* IKE_AUTH response in an SK payload. 64 bytes. */
static const uint8_t sk[] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8,
    0x2e, 0x20, 0x23, 0x20, /* next SK, IKE_AUTH, Response */
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x40, /* 64 */
    0x24, 0x00, 0x00, 0x24, /* first inner payload IDr, 36 */
    0x77, 0x1c, 0x90, 0x2d, 0xe8, 0x45, 0x03, 0xba, 0x6f, 0xd4, 0x31, 0x8e, 0x52, 0x0b, 0xc7, 0x19,
    0xa6, 0x3f, 0x84, 0xd0, 0x25, 0x6e, 0x9b, 0x12, 0xf7, 0x40, 0xcd, 0x58, 0x0a, 0xe3, 0x96, 0x21,
};

/* The payloads of an IKE_AUTH exchange, as they look once decrypted, sent
 * in the clear: IDi, CERTREQ, AUTH, CP, SA (ESP), TSi, TSr, D, EAP.
 * 270 bytes. */
static const uint8_t auth_clear[] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8,
    0x23, 0x20, 0x23, 0x08, /* next IDi, IKE_AUTH, Initiator */
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x01, 0x0e, /* 270 */
    /* @28 IDi: RFC822 "user@example.org" */
    0x26, 0x00, 0x00, 0x18,
    0x03, 0x00, 0x00, 0x00,
    'u', 's', 'e', 'r', '@', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g',
    /* @52 CERTREQ: X.509 signature, one CA key hash */
    0x27, 0x00, 0x00, 0x19,
    0x04,
    0x5f, 0x0e, 0x31, 0xa2, 0x98, 0x44, 0x7c, 0x61, 0xd0, 0x1b,
    0xe6, 0x83, 0x27, 0x4d, 0xb9, 0x02, 0x6a, 0xf5, 0x1c, 0x70,
    /* @77 AUTH: shared key MIC */
    0x2f, 0x00, 0x00, 0x18,
    0x02, 0x00, 0x00, 0x00,
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
    /* @101 CP: CFG_REQUEST for an address and a DNS server */
    0x21, 0x00, 0x00, 0x10,
    0x01, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, /* INTERNAL_IP4_ADDRESS, empty */
    0x00, 0x03, 0x00, 0x00, /* INTERNAL_IP4_DNS, empty */
    /* @117 SA: one ESP proposal */
    0x2c, 0x00, 0x00, 0x2c, /* next TSi, 44 */
    0x00, 0x00, 0x00, 0x28, /* last, 40 */
    0x01, 0x03, 0x04, 0x03, /* #1, ESP, SPI size 4, 3 transforms */
    0xc0, 0xff, 0xee, 0x11,
    0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x0c, 0x80, 0x0e, 0x00, 0x80, /* AES_CBC 128 */
    0x03, 0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x02, /* HMAC_SHA1_96 */
    0x00, 0x00, 0x00, 0x08, 0x05, 0x00, 0x00, 0x00, /* no ESN */
    /* @161 TSi: 10.0.0.2, any protocol and port */
    0x2d, 0x00, 0x00, 0x18,
    0x01, 0x00, 0x00, 0x00,
    0x07, 0x00, 0x00, 0x10, 0x00, 0x00, 0xff, 0xff, 0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x02,
    /* @185 TSr: 192.168.0.0-192.168.255.255 UDP 1701, and 2001:db8::-2001:db8::ffff */
    0x2a, 0x00, 0x00, 0x40,
    0x02, 0x00, 0x00, 0x00,
    0x07, 0x11, 0x00, 0x10, 0x06, 0xa5, 0x06, 0xa5, 0xc0, 0xa8, 0x00, 0x00, 0xc0, 0xa8, 0xff, 0xff,
    0x08, 0x00, 0x00, 0x28, 0x00, 0x00, 0xff, 0xff,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
    /* @249 D: one ESP SPI */
    0x30, 0x00, 0x00, 0x0c,
    0x03, 0x04, 0x00, 0x01, 0xc0, 0xff, 0xee, 0x11,
    /* @261 EAP: Request/Identity */
    0x00, 0x00, 0x00, 0x09,
    0x01, 0x07, 0x00, 0x05, 0x01,
};

typedef struct sample {
    const char *name;
    const uint8_t *data;
    size_t len;
} sample;

static const sample samples[] = {
    { "sa_init", sa_init, sizeof(sa_init) },
    { "invalid_ke", invalid_ke, sizeof(invalid_ke) },
    { "skf", skf, sizeof(skf) },
    { "sk", sk, sizeof(sk) },
    { "auth_clear", auth_clear, sizeof(auth_clear) },
};

static pd_ike_status decode_exact(const uint8_t *data, size_t len, size_t wire,
                                  pd_ikev2_message *m)
{
    uint8_t *copy = g_memdup2(data, len ? len : 1);
    pd_ike_status st = pd_ikev2_decode(len ? copy : NULL, len, wire, m);
    g_free(copy);
    return st;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* strongSwan's one-line summary of the payload list, built from the names. */
static char *payload_summary(const pd_ikev2_message *m)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < m->n_payloads; i++) {
        const char *n = pd_ike_payload_name(2, m->payloads[i].type);
        g_string_append_printf(s, "%s%s", i ? " " : "", n ? n : "?");
    }
    return g_string_free(s, FALSE);
}

/* ---- well-formed messages --------------------------------------------------------- */

static void test_sa_init_request(void **state)
{
    (void)state;
    pd_ikev2_message m;
    assert_int_equal(pd_ikev2_decode(sa_init, sizeof(sa_init), sizeof(sa_init), &m), PD_IKE_OK);
    assert_int_equal(m.hdr.major, 2);
    assert_int_equal(m.hdr.exchange, PD_IKEV2_EXCH_IKE_SA_INIT);
    assert_string_equal(pd_ike_exchange_name(2, m.hdr.exchange), "IKE_SA_INIT");
    assert_true(pd_ikev2_from_initiator(&m));
    assert_false(pd_ikev2_is_response(&m));
    assert_false(m.encrypted);
    assert_int_equal(m.n_payloads, 7);
    char *sum = payload_summary(&m);
    assert_string_equal(sum, "SA KE No N N N V");
    g_free(sum);

    const pd_ikev2_payload *sa = pd_ikev2_find(&m, PD_IKEV2_PL_SA, NULL);
    assert_non_null(sa);
    assert_false(sa->malformed);
    assert_int_equal(sa->u.sa.n_proposals, 2);
    const pd_ikev2_proposal *p = &sa->u.sa.proposals[0];
    assert_int_equal(p->protocol, PD_IKE_PROTO_IKE);
    assert_int_equal(p->n_transforms, 4);
    assert_int_equal(p->transforms[0].type, PD_IKE_XF_ENCR);
    assert_int_equal(p->transforms[0].id, PD_IKE_ENCR_AES_CBC);
    assert_int_equal(p->transforms[0].key_length, 256);
    assert_int_equal(p->transforms[0].n_attrs, 1);
    assert_int_equal(p->transforms[3].id, 19);

    pd_ike_proposal props[4];
    assert_int_equal(pd_ikev2_sa_proposals(&sa->u.sa, props, 4), 2);
    char *s = pd_ike_proposal_to_string(&props[0]);
    assert_string_equal(s, "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256");
    g_free(s);
    s = pd_ike_proposal_to_string(&props[1]);
    assert_string_equal(s, "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/MODP_2048");
    g_free(s);

    const pd_ikev2_payload *ke = pd_ikev2_find(&m, PD_IKEV2_PL_KE, NULL);
    assert_int_equal(ke->u.ke.group, 19);
    assert_int_equal(ke->u.ke.data_len, 64);
    assert_string_equal(pd_ike_dh_name(ke->u.ke.group), "ECP_256");
    assert_int_equal(pd_ikev2_find(&m, PD_IKEV2_PL_NONCE, NULL)->body_len, 32);

    /* NAT detection: both hashes recompute from the addresses used. */
    pd_addr src, dst;
    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    src.family = dst.family = 4;
    memcpy(src.a, (uint8_t[]){ 192, 0, 2, 10 }, 4);
    memcpy(dst.a, (uint8_t[]){ 198, 51, 100, 1 }, 4);
    const pd_ike_notify *ns = pd_ikev2_find_notify(&m, PD_IKE_N_NAT_DETECTION_SOURCE_IP);
    const pd_ike_notify *nd = pd_ikev2_find_notify(&m, PD_IKE_N_NAT_DETECTION_DESTINATION_IP);
    assert_non_null(ns);
    assert_non_null(nd);
    assert_int_equal(ns->data_len, 20);
    assert_true(pd_ike_natd_matches(PD_IKE_NATD_SHA1, m.hdr.spi_i, m.hdr.spi_r, &src, 500,
                                    ns->data, ns->data_len));
    assert_true(pd_ike_natd_matches(PD_IKE_NATD_SHA1, m.hdr.spi_i, m.hdr.spi_r, &dst, 500,
                                    nd->data, nd->data_len));
    /* Seen behind a NAT that moved the client to another address/port. */
    assert_false(pd_ike_natd_matches(PD_IKE_NATD_SHA1, m.hdr.spi_i, m.hdr.spi_r, &src, 61234,
                                     ns->data, ns->data_len));
    assert_non_null(pd_ikev2_find_notify(&m, PD_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED));
    assert_null(pd_ikev2_find_notify(&m, PD_IKE_N_COOKIE));

    const pd_ikev2_payload *v = pd_ikev2_find(&m, PD_IKEV2_PL_VID, NULL);
    assert_int_equal(v->u.vid.kind, PD_IKE_VID_STRONGSWAN);
    pd_ikev2_message_clear(&m);
}

static void test_invalid_ke_response(void **state)
{
    (void)state;
    pd_ikev2_message m;
    assert_int_equal(pd_ikev2_decode(invalid_ke, sizeof(invalid_ke), sizeof(invalid_ke), &m),
                     PD_IKE_OK);
    assert_true(pd_ikev2_is_response(&m));
    assert_false(pd_ikev2_from_initiator(&m));
    const pd_ike_notify *n = pd_ikev2_find_notify(&m, PD_IKE_N_INVALID_KE_PAYLOAD);
    assert_non_null(n);
    assert_true(n->has_group);
    assert_int_equal(n->group, 19);
    assert_string_equal(pd_ike_notify_name(2, n->type), "INVALID_KE_PAYLOAD");
    assert_true(pd_ike_notify_is_error(n->type));
    pd_ikev2_message_clear(&m);

    /* Without its two-byte group the notify is malformed, still found. */
    uint8_t *b = g_memdup2(invalid_ke, sizeof(invalid_ke));
    b[27] = 37;
    put16(b + 30, 9);
    assert_int_equal(pd_ikev2_decode(b, 37, 37, &m), PD_IKE_MALFORMED);
    n = pd_ikev2_find_notify(&m, PD_IKE_N_INVALID_KE_PAYLOAD);
    assert_non_null(n);
    assert_false(n->has_group);
    pd_ikev2_message_clear(&m);
    g_free(b);
}

static void test_skf_fragment(void **state)
{
    (void)state;
    pd_ikev2_message m;
    assert_int_equal(pd_ikev2_decode(skf, sizeof(skf), sizeof(skf), &m), PD_IKE_OK);
    assert_true(m.encrypted);
    assert_true(m.fragment);
    assert_int_equal(m.frag_number, 1);
    assert_int_equal(m.frag_total, 3);
    assert_int_equal(m.encrypted_first_payload, PD_IKEV2_PL_IDI);
    assert_int_equal(m.encrypted_len, 40);
    assert_int_equal(m.n_payloads, 1);
    assert_string_equal(pd_ike_payload_name(2, m.payloads[0].type), "SKF");
    pd_ikev2_message_clear(&m);

    /* Fragment 2: the next-payload field is 0 after the first fragment. */
    uint8_t *b = g_memdup2(skf, sizeof(skf));
    b[28] = 0;
    b[33] = 2;
    assert_int_equal(pd_ikev2_decode(b, sizeof(skf), sizeof(skf), &m), PD_IKE_OK);
    assert_int_equal(m.frag_number, 2);
    assert_int_equal(m.encrypted_first_payload, 0);
    pd_ikev2_message_clear(&m);

    /* Numbering outside 1..total. */
    static const uint16_t bad[][2] = { { 0, 3 }, { 4, 3 }, { 1, 0 } };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        put16(b + 32, bad[i][0]);
        put16(b + 34, bad[i][1]);
        assert_int_equal(pd_ikev2_decode(b, sizeof(skf), sizeof(skf), &m), PD_IKE_MALFORMED);
        assert_true(m.encrypted);
        pd_ikev2_message_clear(&m);
    }
    g_free(b);
}

static void test_sk(void **state)
{
    (void)state;
    pd_ikev2_message m;
    assert_int_equal(pd_ikev2_decode(sk, sizeof(sk), sizeof(sk), &m), PD_IKE_OK);
    assert_true(m.encrypted);
    assert_false(m.fragment);
    assert_int_equal(m.encrypted_first_payload, PD_IKEV2_PL_IDR);
    assert_int_equal(m.encrypted_len, 32);
    assert_int_equal(m.trailing, 0);
    pd_ikev2_message_clear(&m);

    /* Bytes after the SK payload are reported, never walked as payloads:
     * SK's next-payload field names the first inner payload. */
    uint8_t *b = g_malloc0(sizeof(sk) + 8);
    memcpy(b, sk, sizeof(sk));
    b[27] = (uint8_t)(sizeof(sk) + 8);
    assert_int_equal(pd_ikev2_decode(b, sizeof(sk) + 8, sizeof(sk) + 8, &m), PD_IKE_OK);
    assert_int_equal(m.n_payloads, 1);
    assert_int_equal(m.trailing, 8);
    pd_ikev2_message_clear(&m);
    g_free(b);
}

static void test_auth_payloads(void **state)
{
    (void)state;
    pd_ikev2_message m;
    char buf[64];
    assert_int_equal(pd_ikev2_decode(auth_clear, sizeof(auth_clear), sizeof(auth_clear), &m),
                     PD_IKE_OK);
    char *sum = payload_summary(&m);
    assert_string_equal(sum, "IDi CERTREQ AUTH CP SA TSi TSr D EAP");
    g_free(sum);

    const pd_ikev2_payload *id = pd_ikev2_find(&m, PD_IKEV2_PL_IDI, NULL);
    assert_int_equal(id->u.id.type, 3);
    assert_string_equal(pd_ike_id_type_name(2, id->u.id.type), "RFC822_ADDR");
    assert_string_equal(id->u.id.text, "user@example.org");

    const pd_ikev2_payload *cr = pd_ikev2_find(&m, PD_IKEV2_PL_CERTREQ, NULL);
    assert_int_equal(cr->u.cert.encoding, 4);
    assert_int_equal(cr->u.cert.data_len, 20);
    assert_string_equal(pd_ike_cert_encoding_name(4), "X509_SIGNATURE");

    const pd_ikev2_payload *auth = pd_ikev2_find(&m, PD_IKEV2_PL_AUTH, NULL);
    assert_int_equal(auth->u.auth.method, 2);
    assert_string_equal(pd_ikev2_auth_method_name(2), "PSK");
    assert_int_equal(auth->u.auth.data_len, 16);

    const pd_ikev2_payload *cp = pd_ikev2_find(&m, PD_IKEV2_PL_CP, NULL);
    assert_int_equal(cp->u.cp.type, 1);
    assert_string_equal(pd_ike_cfg_type_name(1), "CFG_REQUEST");
    assert_int_equal(cp->u.cp.n_attrs, 2);
    assert_int_equal(cp->u.cp.attr_types[1], 3);
    assert_false(cp->u.cp.has_ip4);
    assert_string_equal(pd_ike_cfg_attr_name(2, 3), "INTERNAL_IP4_DNS");

    const pd_ikev2_payload *sa = pd_ikev2_find(&m, PD_IKEV2_PL_SA, NULL);
    pd_ike_proposal prop;
    pd_ikev2_proposal_normalise(&sa->u.sa.proposals[0], &prop);
    assert_int_equal(prop.spi_size, 4);
    assert_int_equal(prop.spi[3], 0x11);
    char *s = pd_ike_proposal_to_string(&prop);
    assert_string_equal(s, "ESP:AES_CBC_128/HMAC_SHA1_96/no ESN");
    g_free(s);

    const pd_ikev2_payload *ts = pd_ikev2_find(&m, PD_IKEV2_PL_TSI, NULL);
    assert_int_equal(ts->u.ts.n, 1);
    assert_string_equal(ts->u.ts.ts[0].start, "10.0.0.2");
    assert_int_equal(ts->u.ts.ts[0].end_port, 65535);
    ts = pd_ikev2_find(&m, PD_IKEV2_PL_TSR, NULL);
    assert_int_equal(ts->u.ts.n_claimed, 2);
    assert_int_equal(ts->u.ts.n, 2);
    assert_int_equal(ts->u.ts.ts[0].ip_protocol, 17);
    assert_int_equal(ts->u.ts.ts[0].start_port, 1701);
    assert_string_equal(ts->u.ts.ts[0].end, "192.168.255.255");
    assert_int_equal(ts->u.ts.ts[1].type, 8);
    assert_string_equal(ts->u.ts.ts[1].start, "2001:db8::");
    assert_string_equal(ts->u.ts.ts[1].end, "2001:db8::ffff");
    assert_string_equal(pd_ikev2_ts_type_name(8), "TS_IPV6_ADDR_RANGE");

    const pd_ikev2_payload *d = pd_ikev2_find(&m, PD_IKEV2_PL_DELETE, NULL);
    assert_int_equal(d->u.del.protocol, PD_IKE_PROTO_ESP);
    assert_int_equal(d->u.del.n_kept, 1);
    assert_int_equal(d->u.del.spis[0][0], 0xc0);

    const pd_ikev2_payload *eap = pd_ikev2_find(&m, PD_IKEV2_PL_EAP, NULL);
    assert_int_equal(eap->u.eap.code, 1);
    assert_int_equal(eap->u.eap.identifier, 7);
    assert_int_equal(eap->u.eap.type, 1);
    assert_string_equal(pd_ike_eap_code_name(1), "Request");
    assert_string_equal(pd_ike_eap_type_name(1), "Identity");
    assert_string_equal(pd_ike_value_str(pd_ike_eap_type_name(200), "EAP", 200, buf, sizeof(buf)),
                        "EAP_200");
    pd_ikev2_message_clear(&m);

    /* Traffic selector count wrong, then an address length that does not
     * match the selector type. */
    uint8_t *b = g_memdup2(auth_clear, sizeof(auth_clear));
    b[189] = 3;
    assert_int_equal(pd_ikev2_decode(b, sizeof(auth_clear), sizeof(auth_clear), &m), PD_IKE_MALFORMED);
    assert_string_equal(m.detail, "traffic selector count differs from the payload's");
    pd_ikev2_message_clear(&m);
    b[189] = 2;
    b[193] = 0x08; /* first selector claims IPv6 with a 16-byte selector */
    assert_int_equal(pd_ikev2_decode(b, sizeof(auth_clear), sizeof(auth_clear), &m), PD_IKE_MALFORMED);
    pd_ikev2_message_clear(&m);
    g_free(b);
}

/* ---- broken messages ----------------------------------------------------------------- */

static void test_truncation_every_length(void **state)
{
    (void)state;
    for (size_t s = 0; s < G_N_ELEMENTS(samples); s++) {
        const sample *x = &samples[s];
        for (size_t len = 0; len < x->len; len++) {
            pd_ikev2_message m;
            pd_ike_status st = decode_exact(x->data, len, x->len, &m);
            if (st != PD_IKE_TRUNCATED)
                fail_msg("%s cut at %zu: %s", x->name, len, pd_ike_status_name(st));
            for (size_t i = 0; i < m.n_payloads; i++)
                assert_true(m.payloads[i].offset + 4 <= len);
            pd_ikev2_message_clear(&m);
            st = decode_exact(x->data, len, len, &m);
            if (st != PD_IKE_BAD_LENGTH)
                fail_msg("%s short datagram %zu: %s", x->name, len, pd_ike_status_name(st));
            pd_ikev2_message_clear(&m);
        }
    }
}

static void test_payload_lengths(void **state)
{
    (void)state;
    static const uint16_t lens[] = { 0, 1, 3, 277, 0x8000, 0xffff };
    for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
        pd_ikev2_message m;
        uint8_t *b = g_memdup2(sa_init, sizeof(sa_init));
        put16(b + SA_INIT_SA_LEN_OFF, lens[i]);
        assert_int_equal(pd_ikev2_decode(b, sizeof(sa_init), sizeof(sa_init), &m),
                         PD_IKE_BAD_PAYLOAD_LENGTH);
        assert_int_equal(m.problem_offset, 28);
        assert_int_equal(m.n_payloads, 0);
        pd_ikev2_message_clear(&m);
        g_free(b);
    }
    /* 276 fits exactly to the end of the message: the SA swallows the rest
     * and its proposals no longer add up. */
    pd_ikev2_message m;
    uint8_t *b = g_memdup2(sa_init, sizeof(sa_init));
    put16(b + SA_INIT_SA_LEN_OFF, 276);
    assert_int_equal(pd_ikev2_decode(b, sizeof(sa_init), sizeof(sa_init), &m), PD_IKE_MALFORMED);
    assert_int_equal(m.n_payloads, 1);
    assert_string_equal(m.detail, "bytes after the last proposal");
    pd_ikev2_message_clear(&m);
    g_free(b);
}

static void test_chain_never_ends(void **state)
{
    (void)state;
    size_t n = 200, len = PD_IKE_HEADER_LEN + 4 * n;
    uint8_t *b = g_malloc0(len);
    memcpy(b, invalid_ke, PD_IKE_HEADER_LEN);
    b[16] = PD_IKEV2_PL_VID;
    put16(b + 26, (uint16_t)len);
    for (size_t i = 0; i < n; i++) {
        b[28 + 4 * i] = PD_IKEV2_PL_VID;
        put16(b + 28 + 4 * i + 2, 4);
    }
    pd_ikev2_message m;
    assert_int_equal(pd_ikev2_decode(b, len, len, &m), PD_IKE_TOO_MANY_PAYLOADS);
    assert_int_equal(m.n_payloads, PD_IKE_MAX_PAYLOADS);
    pd_ikev2_message_clear(&m);
    g_free(b);
}

static void test_transform_attribute_past_end(void **state)
{
    (void)state;
    pd_ikev2_message m;
    uint8_t *b = g_memdup2(sa_init, sizeof(sa_init));
    /* Turn the TV key length into a TLV claiming 0x100 bytes. */
    b[SA_INIT_KEYLEN_ATTR_OFF] = 0x00;
    assert_int_equal(pd_ikev2_decode(b, sizeof(sa_init), sizeof(sa_init), &m), PD_IKE_MALFORMED);
    const pd_ikev2_payload *sa = pd_ikev2_find(&m, PD_IKEV2_PL_SA, NULL);
    assert_true(sa->u.sa.malformed);
    assert_true(sa->u.sa.proposals[0].transforms[0].malformed);
    assert_int_equal(sa->u.sa.proposals[0].transforms[0].key_length, 0);
    /* The payload chain itself is intact. */
    assert_int_equal(m.n_payloads, 7);
    pd_ikev2_message_clear(&m);

    /* A TLV that fits exactly: 2-byte length, value 0x0100 follows? No room:
     * length 0 is a well-formed empty attribute. */
    b[SA_INIT_KEYLEN_ATTR_OFF + 2] = 0x00;
    b[SA_INIT_KEYLEN_ATTR_OFF + 3] = 0x00;
    assert_int_equal(pd_ikev2_decode(b, sizeof(sa_init), sizeof(sa_init), &m), PD_IKE_OK);
    pd_ikev2_message_clear(&m);
    g_free(b);
}

static void test_header_lengths(void **state)
{
    (void)state;
    static const uint32_t lens[] = { 0, 27, 305, 0x80000000u, 0xffffffffu };
    for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
        pd_ikev2_message m;
        uint8_t *b = g_memdup2(sa_init, sizeof(sa_init));
        b[24] = (uint8_t)(lens[i] >> 24);
        b[25] = (uint8_t)(lens[i] >> 16);
        b[26] = (uint8_t)(lens[i] >> 8);
        b[27] = (uint8_t)lens[i];
        assert_int_equal(pd_ikev2_decode(b, sizeof(sa_init), sizeof(sa_init), &m), PD_IKE_BAD_LENGTH);
        assert_int_equal(m.hdr.length, lens[i]);
        pd_ikev2_message_clear(&m);
        /* Even when the caller believes the datagram is that long. */
        assert_int_equal(pd_ikev2_decode(b, sizeof(sa_init), SIZE_MAX, &m),
                         lens[i] < 28 ? PD_IKE_BAD_LENGTH : PD_IKE_TRUNCATED);
        pd_ikev2_message_clear(&m);
        g_free(b);
    }
}

static void test_bad_version_and_critical(void **state)
{
    (void)state;
    pd_ikev2_message m;
    uint8_t *b = g_memdup2(invalid_ke, sizeof(invalid_ke));
    b[17] = 0x10;
    assert_int_equal(pd_ikev2_decode(b, sizeof(invalid_ke), sizeof(invalid_ke), &m),
                     PD_IKE_BAD_VERSION);
    pd_ikev2_message_clear(&m);
    b[17] = 0x30;
    assert_int_equal(pd_ikev2_decode(b, sizeof(invalid_ke), sizeof(invalid_ke), &m),
                     PD_IKE_BAD_VERSION);
    pd_ikev2_message_clear(&m);
    /* An unknown payload type with the critical bit: kept, flagged. */
    b[17] = 0x20;
    b[16] = 200;
    b[29] = 0x80;
    assert_int_equal(pd_ikev2_decode(b, sizeof(invalid_ke), sizeof(invalid_ke), &m), PD_IKE_OK);
    assert_int_equal(m.payloads[0].type, 200);
    assert_true(m.payloads[0].critical);
    assert_int_equal(m.payloads[0].body_len, 6);
    assert_null(pd_ike_payload_name(2, 200));
    pd_ikev2_message_clear(&m);
    g_free(b);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void test_random_mutations(void **state)
{
    (void)state;
    uint32_t seed = 0x2e2e2e;
    for (size_t s = 0; s < G_N_ELEMENTS(samples); s++) {
        const sample *x = &samples[s];
        for (int iter = 0; iter < 3000; iter++) {
            size_t len = x->len;
            uint8_t *b = g_memdup2(x->data, len);
            int flips = 1 + (int)(lcg(&seed) % 4);
            for (int f = 0; f < flips; f++)
                b[lcg(&seed) % len] = (uint8_t)lcg(&seed);
            if (lcg(&seed) % 4 == 0)
                len = lcg(&seed) % (len + 1);
            uint8_t *exact = g_memdup2(b, len ? len : 1);
            pd_ikev2_message m;
            pd_ike_status st = pd_ikev2_decode(exact, len, x->len, &m);
            assert_true(st >= PD_IKE_OK && st <= PD_IKE_MALFORMED);
            for (size_t i = 0; i < m.n_payloads; i++) {
                const pd_ikev2_payload *pl = &m.payloads[i];
                if (pl->type == PD_IKEV2_PL_SA && pl->complete) {
                    pd_ike_proposal props[4];
                    size_t n = pd_ikev2_sa_proposals(&pl->u.sa, props, 4);
                    for (size_t k = 0; k < n; k++)
                        g_free(pd_ike_proposal_to_string(&props[k]));
                }
            }
            pd_ikev2_message_clear(&m);
            g_free(exact);
            g_free(b);
        }
    }
}

/* ---- UDP demultiplexing --------------------------------------------------------------- */

static void test_udp_demux(void **state)
{
    (void)state;
    size_t off = 99;
    static const uint8_t keepalive[] = { 0xff };
    static const uint8_t esp[] = { 0xc0, 0xff, 0xee, 0x11, 0x00, 0x00, 0x00, 0x01, 0xaa, 0xbb };
    static const uint8_t esp_short[] = { 0xc0, 0xff, 0xee, 0x11, 0x00, 0x00, 0x00 };
    static const uint8_t three[] = { 0x00, 0x00, 0x00 };
    static const uint8_t zero_one[] = { 0x00 };

    assert_int_equal(pd_ike_udp_classify(keepalive, 1, true, &off), PD_IKE_UDP_KEEPALIVE);
    assert_int_equal(pd_ike_udp_classify(keepalive, 1, false, &off), PD_IKE_UDP_KEEPALIVE);
    assert_int_equal(pd_ike_udp_classify(esp, sizeof(esp), true, &off), PD_IKE_UDP_ESP);
    assert_int_equal(pd_ike_udp_classify(esp_short, sizeof(esp_short), true, &off), PD_IKE_UDP_OTHER);
    assert_int_equal(pd_ike_udp_classify(three, sizeof(three), true, &off), PD_IKE_UDP_OTHER);
    assert_int_equal(pd_ike_udp_classify(zero_one, 1, true, &off), PD_IKE_UDP_OTHER);
    assert_int_equal(pd_ike_udp_classify(NULL, 0, true, &off), PD_IKE_UDP_OTHER);
    assert_int_equal(pd_ike_udp_classify(esp, 0, false, &off), PD_IKE_UDP_OTHER);
    assert_string_equal(pd_ike_udp_kind_name(PD_IKE_UDP_ESP), "esp");
    assert_true(pd_ike_udp_is_natt(61234, 4500));
    assert_false(pd_ike_udp_is_natt(500, 500));

    /* Port 500: the header starts at 0. */
    assert_int_equal(pd_ike_udp_classify(sa_init, sizeof(sa_init), false, &off), PD_IKE_UDP_IKE);
    assert_int_equal(off, 0);

    /* Port 4500: non-ESP marker, then the IKE message (RFC 3948 2.2). */
    size_t len = 4 + sizeof(sa_init);
    uint8_t *b = g_malloc0(len);
    memcpy(b + 4, sa_init, sizeof(sa_init));
    assert_int_equal(pd_ike_udp_classify(b, len, true, &off), PD_IKE_UDP_IKE);
    assert_int_equal(off, 4);
    pd_ikev2_message m;
    assert_int_equal(pd_ikev2_decode(b + off, len - off, len - off, &m), PD_IKE_OK);
    assert_int_equal(m.n_payloads, 7);
    pd_ikev2_message_clear(&m);
    /* A stray marker on port 500 is skipped: offset 0 is no IKE header. */
    assert_int_equal(pd_ike_udp_classify(b, len, false, &off), PD_IKE_UDP_IKE);
    assert_int_equal(off, 4);
    /* But an SPIi that starts with a zero word is not a marker on 500. */
    uint8_t *z = g_memdup2(sa_init, sizeof(sa_init));
    memset(z, 0, 4);
    assert_int_equal(pd_ike_udp_classify(z, sizeof(sa_init), false, &off), PD_IKE_UDP_IKE);
    assert_int_equal(off, 0);
    g_free(z);
    /* Nor is a short zero-led datagram. */
    assert_int_equal(pd_ike_udp_classify(b, 20, false, &off), PD_IKE_UDP_IKE);
    assert_int_equal(off, 0);
    /* The marker alone. */
    assert_int_equal(pd_ike_udp_classify(b, 4, true, &off), PD_IKE_UDP_IKE);
    assert_int_equal(off, 4);
    assert_int_equal(pd_ikev2_decode(b + 4, 0, 0, &m), PD_IKE_BAD_LENGTH);
    pd_ikev2_message_clear(&m);
    /* Without the marker on 4500 an IKE header reads as ESP (SPIi high word). */
    assert_int_equal(pd_ike_udp_classify(sa_init, sizeof(sa_init), true, &off), PD_IKE_UDP_ESP);
    /* NULL offset pointer is allowed. */
    assert_int_equal(pd_ike_udp_classify(b, len, true, NULL), PD_IKE_UDP_IKE);
    g_free(b);
}

/* ---- names ------------------------------------------------------------------------------ */

static void test_names(void **state)
{
    (void)state;
    typedef struct {
        uint16_t type;
        const char *name;
    } ncase;
    static const ncase notifies[] = {
        { 1, "UNSUPPORTED_CRITICAL_PAYLOAD" },
        { 7, "INVALID_SYNTAX" },
        { 14, "NO_PROPOSAL_CHOSEN" },
        { 17, "INVALID_KE_PAYLOAD" },
        { 24, "AUTHENTICATION_FAILED" },
        { 34, "SINGLE_PAIR_REQUIRED" },
        { 35, "NO_ADDITIONAL_SAS" },
        { 36, "INTERNAL_ADDRESS_FAILURE" },
        { 37, "FAILED_CP_REQUIRED" },
        { 38, "TS_UNACCEPTABLE" },
        { 43, "TEMPORARY_FAILURE" },
        { 44, "CHILD_SA_NOT_FOUND" },
        { 16384, "INITIAL_CONTACT" },
        { 16388, "NAT_DETECTION_SOURCE_IP" },
        { 16389, "NAT_DETECTION_DESTINATION_IP" },
        { 16390, "COOKIE" },
        { 16393, "REKEY_SA" },
        { 16396, "MOBIKE_SUPPORTED" },
        { 16403, "AUTH_LIFETIME" },           /* RFC 4478 (IANA) */
        { 16404, "MULTIPLE_AUTH_SUPPORTED" }, /* RFC 4739 (IANA) */
        { 16430, "IKEV2_FRAGMENTATION_SUPPORTED" },
        { 16431, "SIGNATURE_HASH_ALGORITHMS" },
        { 16441, "ADDITIONAL_KEY_EXCHANGE" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(notifies); i++)
        assert_string_equal(pd_ike_notify_name(2, notifies[i].type), notifies[i].name);
    assert_null(pd_ike_notify_name(2, 2));
    assert_null(pd_ike_notify_name(2, 16));

    assert_string_equal(pd_ike_exchange_name(2, 35), "IKE_AUTH");
    assert_string_equal(pd_ike_exchange_name(2, 36), "CREATE_CHILD_SA");
    assert_string_equal(pd_ike_exchange_name(2, 37), "INFORMATIONAL");
    assert_string_equal(pd_ike_exchange_name(2, 43), "IKE_INTERMEDIATE");
    assert_null(pd_ike_exchange_name(2, 2));

    assert_string_equal(pd_ike_transform_type_name(4), "DH");
    assert_string_equal(pd_ike_transform_type_name(6), "ADDKE1");
    assert_null(pd_ike_transform_type_name(13));
    assert_string_equal(pd_ike_dh_name(1), "MODP_768");
    assert_string_equal(pd_ike_dh_name(2), "MODP_1024");
    assert_string_equal(pd_ike_dh_name(5), "MODP_1536");
    assert_string_equal(pd_ike_dh_name(14), "MODP_2048");
    assert_string_equal(pd_ike_dh_name(20), "ECP_384");
    assert_string_equal(pd_ike_dh_name(21), "ECP_521");
    assert_string_equal(pd_ike_dh_name(31), "CURVE_25519");
    assert_string_equal(pd_ike_dh_name(32), "CURVE_448");
    assert_string_equal(pd_ike_dh_name(36), "ML_KEM_768");
    assert_string_equal(pd_ike_encr_name(3), "3DES_CBC");
    assert_string_equal(pd_ike_encr_name(18), "AES_GCM_8");
    assert_string_equal(pd_ike_encr_name(28), "CHACHA20_POLY1305");
    assert_string_equal(pd_ike_integ_name(14), "HMAC_SHA2_512_256");
    assert_string_equal(pd_ike_prf_name(4), "PRF_AES128_XCBC");
    assert_string_equal(pd_ike_esn_name(1), "EXT_SEQ");
    assert_string_equal(pd_ike_transform_id_name(PD_IKE_XF_ADDKE1, 36), "ML_KEM_768");
    assert_string_equal(pd_ike_transform_id_name(PD_IKE_XF_PRF, 2), "PRF_HMAC_SHA1");
    assert_true(pd_ike_encr_is_aead(20));
    assert_false(pd_ike_encr_is_aead(12));
    assert_int_equal(pd_ike_encr_default_key_len(PD_IKE_ENCR_BLOWFISH), 128);
    assert_int_equal(pd_ike_encr_default_key_len(PD_IKE_ENCR_3DES), 0);
    assert_string_equal(pd_ike_payload_name(2, 40), "No");
    assert_string_equal(pd_ike_payload_long_name(2, 53), "Encrypted and Authenticated Fragment");
    assert_string_equal(pd_ike_protocol_name(2, 1), "IKE");
    assert_string_equal(pd_ikev2_auth_method_name(14), "DIGITAL_SIGNATURE");
    assert_string_equal(pd_ike_id_type_name(2, 13), "NULL");
}

/* An IKE_AUTH response holding one EAP payload (EAP packet EAP, LEN bytes). */
static size_t eap_message(uint8_t *out, const uint8_t *eap, size_t len)
{
    size_t total = 28 + 4 + len;
    memset(out, 0, 28);
    memset(out, 0x11, 16);
    out[16] = 48; /* EAP */
    out[17] = 0x20;
    out[18] = 35; /* IKE_AUTH */
    out[19] = 0x20;
    out[24] = (uint8_t)(total >> 24);
    out[25] = (uint8_t)(total >> 16);
    out[26] = (uint8_t)(total >> 8);
    out[27] = (uint8_t)total;
    out[28] = 0;
    out[29] = 0;
    out[30] = (uint8_t)((4 + len) >> 8);
    out[31] = (uint8_t)(4 + len);
    memcpy(out + 32, eap, len);
    return total;
}

/* EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02 section 2): a Failure
 * request's OpCode and E=, bounded by the EAP Length and by the payload. */
static void test_eap_mschapv2(void **state)
{
    (void)state;
    static const char text[] = "E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=FAILED";
    uint8_t eap[128], msg[192];
    size_t tl = sizeof text - 1, el = 9 + tl;
    eap[0] = 1;
    eap[1] = 0xa9;
    eap[2] = (uint8_t)(el >> 8);
    eap[3] = (uint8_t)el;
    eap[4] = 26;
    eap[5] = 4;
    eap[6] = 0xa8;
    eap[7] = (uint8_t)((el - 5) >> 8);
    eap[8] = (uint8_t)(el - 5);
    memcpy(eap + 9, text, tl);
    pd_ikev2_message m;
    size_t n = eap_message(msg, eap, el);
    assert_int_equal(pd_ikev2_decode(msg, n, n, &m), PD_IKE_OK);
    const pd_ikev2_payload *p = pd_ikev2_find(&m, PD_IKEV2_PL_EAP, NULL);
    assert_int_equal(p->u.eap.type, 26);
    assert_int_equal(p->u.eap.mschapv2_opcode, 4);
    assert_true(p->u.eap.has_mschapv2_error);
    assert_int_equal(p->u.eap.mschapv2_error, 691);
    pd_ikev2_message_clear(&m);

    /* An EAP Length that ends before the text: no E= read past it. */
    eap[2] = 0;
    eap[3] = 9;
    n = eap_message(msg, eap, el);
    assert_int_equal(pd_ikev2_decode(msg, n, n, &m), PD_IKE_OK);
    p = pd_ikev2_find(&m, PD_IKEV2_PL_EAP, NULL);
    assert_int_equal(p->u.eap.mschapv2_opcode, 4);
    assert_false(p->u.eap.has_mschapv2_error);
    pd_ikev2_message_clear(&m);

    /* Cut after the OpCode, then after the type: nothing but the type. */
    for (size_t cut = 6; cut >= 5; cut--) {
        n = eap_message(msg, eap, cut);
        assert_int_equal(pd_ikev2_decode(msg, n, n, &m), PD_IKE_OK);
        p = pd_ikev2_find(&m, PD_IKEV2_PL_EAP, NULL);
        assert_int_equal(p->u.eap.type, 26);
        assert_int_equal(p->u.eap.mschapv2_opcode, 0);
        assert_false(p->u.eap.has_mschapv2_error);
        pd_ikev2_message_clear(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sa_init_request),
        cmocka_unit_test(test_invalid_ke_response),
        cmocka_unit_test(test_skf_fragment),
        cmocka_unit_test(test_sk),
        cmocka_unit_test(test_auth_payloads),
        cmocka_unit_test(test_truncation_every_length),
        cmocka_unit_test(test_payload_lengths),
        cmocka_unit_test(test_chain_never_ends),
        cmocka_unit_test(test_transform_attribute_past_end),
        cmocka_unit_test(test_header_lengths),
        cmocka_unit_test(test_bad_version_and_critical),
        cmocka_unit_test(test_random_mutations),
        cmocka_unit_test(test_udp_demux),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_eap_mschapv2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
