/* test_ikev1.c - ISAKMP/IKEv1 decoder (ikev1.c) and the shared framing in
 * ike.c: real messages laid out by hand from RFC 2408/2409/3947, then every
 * way of breaking them (truncation at each offset, bad payload lengths,
 * endless chains, attributes running past their transform, 4 GB lengths,
 * random mutations).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "ike.h"
#include "ike_names.h"
#include "ike_natd.h"
#include "ike_policy.h"
#include "ikev1.h"

/* ---- messages ----------------------------------------------------------------- */

/* Main mode message 1: SA with two proposals (2 + 1 transforms), and two
 * vendor IDs (RFC 3947 NAT-T, MS NT5 ISAKMPOAKLEY v9). 226 bytes. */
static const uint8_t mm1[] = {
    /* ISAKMP header (RFC 2408 3.1) */
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* CKY-I */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* CKY-R: zero in message 1 */
    0x01, 0x10, 0x02, 0x00,                         /* next SA, 1.0, Main Mode, no flags */
    0x00, 0x00, 0x00, 0x00,                         /* message ID */
    0x00, 0x00, 0x00, 0xe2,                         /* length 226 */
    /* @28 SA payload */
    0x0d, 0x00, 0x00, 0x9a, /* next V, length 154 */
    0x00, 0x00, 0x00, 0x01, /* DOI IPsec */
    0x00, 0x00, 0x00, 0x01, /* situation SIT_IDENTITY_ONLY */
    /* @40 proposal 1 */
    0x02, 0x00, 0x00, 0x50, /* more, length 80 */
    0x01, 0x01, 0x00, 0x02, /* #1, PROTO_ISAKMP, SPI size 0, 2 transforms */
    /* @48 transform 1 */
    0x03, 0x00, 0x00, 0x28, /* more, length 40 */
    0x01, 0x01, 0x00, 0x00, /* #1, KEY_IKE */
    0x80, 0x01, 0x00, 0x07, /* encryption AES-CBC */
    0x80, 0x0e, 0x01, 0x00, /* key length 256 */
    0x80, 0x02, 0x00, 0x02, /* hash SHA */
    0x80, 0x03, 0x00, 0x01, /* auth pre-shared key */
    0x80, 0x04, 0x00, 0x02, /* group 2 (MODP 1024) */
    0x80, 0x0b, 0x00, 0x01, /* life type seconds */
    0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x70, 0x80, /* life duration 28800, TLV */
    /* @88 transform 2 */
    0x00, 0x00, 0x00, 0x20, /* last, length 32 */
    0x02, 0x01, 0x00, 0x00, /* #2, KEY_IKE */
    0x80, 0x01, 0x00, 0x05, /* 3DES-CBC */
    0x80, 0x02, 0x00, 0x01, /* MD5 */
    0x80, 0x03, 0xfd, 0xe9, /* XAUTHInitPreShared (65001) */
    0x80, 0x04, 0x00, 0x02, /* group 2 */
    0x80, 0x0b, 0x00, 0x01, /* seconds */
    0x80, 0x0c, 0x70, 0x80, /* 28800 as TV */
    /* @120 proposal 2 */
    0x00, 0x00, 0x00, 0x3e, /* last, length 62 */
    0x02, 0x01, 0x00, 0x01, /* #2, PROTO_ISAKMP, SPI size 0, 1 transform */
    /* @128 transform */
    0x00, 0x00, 0x00, 0x36, /* last, length 54 */
    0x01, 0x01, 0x00, 0x00,
    0x80, 0x01, 0x00, 0x03, /* Blowfish-CBC */
    0x80, 0x0e, 0x00, 0x80, /* key length 128 */
    0x80, 0x02, 0x00, 0x01, /* MD5 */
    0x80, 0x03, 0x00, 0x03, /* RSA signatures */
    0x80, 0x04, 0x00, 0x0e, /* group 14 (MODP 2048) */
    0x80, 0x0b, 0x00, 0x02, /* life type kilobytes */
    0x00, 0x0c, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xa0, /* 100000, 8-byte TLV */
    0x80, 0x0b, 0x00, 0x01, /* life type seconds */
    0x00, 0x0c, 0x00, 0x02, 0x70, 0x80, /* 28800, 2-byte TLV */
    /* @182 vendor ID: RFC 3947 */
    0x0d, 0x00, 0x00, 0x14,
    0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
    /* @202 vendor ID: MS NT5 ISAKMPOAKLEY, version 9 */
    0x00, 0x00, 0x00, 0x18,
    0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99, 0x1c, 0x7d, 0x7c, 0x96, 0xfc, 0xbf, 0xb5, 0x87, 0xe4, 0x61,
    0x00, 0x00, 0x00, 0x09,
};

/* Offsets into mm1 that tests patch. */
#define MM1_SA_LEN_OFF 30          /* SA payload length (2 bytes) */
#define MM1_T1_LIFE_TLV_LEN_OFF 82 /* transform 1 life-duration TLV length */
#define MM1_P1_NTRANS_OFF 47       /* proposal 1 transform count */

/* Informational: NO_PROPOSAL_CHOSEN with the cookies as SPI. 56 bytes. */
static const uint8_t info_npc[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
    0x0b, 0x10, 0x05, 0x00, /* next N, 1.0, Informational */
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x38, /* 56 */
    /* @28 notification (RFC 2408 3.14) */
    0x00, 0x00, 0x00, 0x1c, /* last, 28 */
    0x00, 0x00, 0x00, 0x01, /* DOI IPsec */
    0x01, 0x10, 0x00, 0x0e, /* PROTO_ISAKMP, SPI size 16, NO-PROPOSAL-CHOSEN */
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
};

/* Main mode message 3: KE, Nonce, two NAT-D (RFC 3947 3.2). 108 bytes.
 * The first NAT-D is SHA1(CKY-I | CKY-R | 10.0.0.1 | 4500). */
static const uint8_t mm3[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
    0x04, 0x10, 0x02, 0x00, /* next KE, Main Mode */
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x6c, /* 108 */
    /* @28 KE (shortened public value) */
    0x0a, 0x00, 0x00, 0x0c, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
    /* @40 nonce */
    0x14, 0x00, 0x00, 0x14,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    /* @60 NAT-D */
    0x14, 0x00, 0x00, 0x18,
    0x6f, 0x11, 0x24, 0x49, 0x5b, 0x94, 0xdc, 0x6a, 0x0e, 0x90,
    0xd2, 0x16, 0x2d, 0x6b, 0xcc, 0x94, 0x19, 0xc6, 0xe5, 0xc4,
    /* @84 NAT-D */
    0x00, 0x00, 0x00, 0x18,
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
    0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
};

/* A quick mode message sent in the clear (as test tools and broken stacks
 * do): HASH, SA with an ESP proposal of two transforms, Ni, IDci, IDcr.
 * 184 bytes. */
static const uint8_t qm[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
    0x08, 0x10, 0x20, 0x00, /* next HASH, Quick Mode, no E flag */
    0x01, 0x02, 0x03, 0x04, /* message ID */
    0x00, 0x00, 0x00, 0xb8, /* 184 */
    /* @28 HASH(1) */
    0x01, 0x00, 0x00, 0x18,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
    0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3,
    /* @52 SA */
    0x0a, 0x00, 0x00, 0x54, /* next Nonce, 84 */
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    /* @64 proposal */
    0x00, 0x00, 0x00, 0x48, /* last, 72 */
    0x01, 0x03, 0x04, 0x02, /* #1, PROTO_IPSEC_ESP, SPI size 4, 2 transforms */
    0xc0, 0xff, 0xee, 0x01, /* SPI */
    /* @76 transform 1: ESP_AES */
    0x03, 0x00, 0x00, 0x28,
    0x01, 0x0c, 0x00, 0x00,
    0x80, 0x01, 0x00, 0x01, /* SA life type seconds */
    0x80, 0x02, 0x0e, 0x10, /* 3600 */
    0x80, 0x01, 0x00, 0x02, /* SA life type kilobytes */
    0x00, 0x02, 0x00, 0x04, 0x00, 0x46, 0x50, 0x00, /* 4608000 */
    0x80, 0x04, 0x00, 0x03, /* encapsulation UDP-Encapsulated-Tunnel */
    0x80, 0x05, 0x00, 0x02, /* auth HMAC-SHA */
    0x80, 0x06, 0x00, 0x80, /* key length 128 */
    /* @116 transform 2: ESP_3DES */
    0x00, 0x00, 0x00, 0x14,
    0x02, 0x03, 0x00, 0x00,
    0x80, 0x04, 0xf0, 0x03, /* UDP-Encapsulated-Tunnel, draft value 61443 */
    0x80, 0x05, 0x00, 0x01, /* HMAC-MD5 */
    0x80, 0x03, 0x00, 0x02, /* group 2: PFS */
    /* @136 nonce */
    0x05, 0x00, 0x00, 0x14,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    /* @156 IDci: IPV4_ADDR_SUBNET 10.1.0.0/255.255.0.0 */
    0x05, 0x00, 0x00, 0x10,
    0x04, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00,
    /* @172 IDcr: IPV4_ADDR 192.168.1.5, UDP port 1701 (L2TP) */
    0x00, 0x00, 0x00, 0x0c,
    0x01, 0x11, 0x06, 0xa5, 0xc0, 0xa8, 0x01, 0x05,
};

/* Informational with a Delete of two ESP SPIs, in the clear. 48 bytes. */
static const uint8_t info_delete[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
    0x0c, 0x10, 0x05, 0x00, /* next D */
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x30, /* 48 */
    0x00, 0x00, 0x00, 0x14, /* last, 20 */
    0x00, 0x00, 0x00, 0x01, /* DOI */
    0x03, 0x04, 0x00, 0x02, /* ESP, SPI size 4, 2 SPIs */
    0xc0, 0xff, 0xee, 0x01, 0xc0, 0xff, 0xee, 0x02,
};

/* Main mode message 5: encrypted (flag E). 60 bytes. */
static const uint8_t mm5[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
    0x05, 0x10, 0x02, 0x01, /* next ID (inside), Main Mode, E */
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x3c,
    0x5a, 0x1b, 0x9c, 0x33, 0x70, 0x01, 0xe4, 0x8f, 0x02, 0x7d, 0xc1, 0x55, 0x90, 0x13, 0x4e, 0x6a,
    0x8b, 0x21, 0x04, 0xfd, 0x3e, 0xa7, 0x58, 0x0c, 0x99, 0x66, 0x2a, 0xd1, 0x47, 0xbe, 0x05, 0xf3,
};

typedef struct sample {
    const char *name;
    const uint8_t *data;
    size_t len;
} sample;

static const sample samples[] = {
    { "mm1", mm1, sizeof(mm1) },
    { "info_npc", info_npc, sizeof(info_npc) },
    { "mm3", mm3, sizeof(mm3) },
    { "qm", qm, sizeof(qm) },
    { "info_delete", info_delete, sizeof(info_delete) },
    { "mm5", mm5, sizeof(mm5) },
};

/* Decode from a heap copy of exactly len bytes, so that AddressSanitizer
 * catches a read one byte past what was captured. */
static pd_ike_status decode_exact(const uint8_t *data, size_t len, size_t wire,
                                  pd_ikev1_message *m)
{
    uint8_t *copy = g_memdup2(data, len ? len : 1);
    pd_ike_status st = pd_ikev1_decode(len ? copy : NULL, len, wire, m);
    g_free(copy);
    return st;
}

static uint8_t *dup_msg(const uint8_t *data, size_t len)
{
    return g_memdup2(data, len);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* ---- well-formed messages --------------------------------------------------------- */

static void test_mm1_header_and_sa(void **state)
{
    (void)state;
    pd_ikev1_message m;
    assert_int_equal(pd_ikev1_decode(mm1, sizeof(mm1), sizeof(mm1), &m), PD_IKE_OK);
    assert_null(m.detail);
    assert_int_equal(m.hdr.major, 1);
    assert_int_equal(m.hdr.minor, 0);
    assert_int_equal(m.hdr.exchange, PD_IKEV1_EXCH_MAIN);
    assert_string_equal(pd_ike_exchange_name(1, m.hdr.exchange), "MAIN_MODE");
    assert_int_equal(m.hdr.length, 226);
    assert_int_equal(m.hdr.spi_i[0], 0x11);
    assert_int_equal(m.hdr.spi_r[7], 0x00);
    assert_false(m.encrypted);
    assert_int_equal(m.n_payloads, 3);
    assert_int_equal(m.trailing, 0);

    const pd_ikev1_payload *sa = pd_ikev1_find(&m, PD_IKEV1_PL_SA, NULL);
    assert_non_null(sa);
    assert_int_equal(sa->offset, 28);
    assert_int_equal(sa->length, 154);
    assert_false(sa->malformed);
    assert_int_equal(sa->u.sa.doi, 1);
    assert_int_equal(sa->u.sa.situation, 1);
    assert_int_equal(sa->u.sa.n_proposals, 2);

    const pd_ikev1_proposal *p1 = &sa->u.sa.proposals[0];
    assert_int_equal(p1->number, 1);
    assert_int_equal(p1->protocol, PD_IKE_PROTO_IKE);
    assert_int_equal(p1->n_transforms, 2);
    assert_int_equal(p1->n_transforms_claimed, 2);

    const pd_ikev1_transform *t = &p1->transforms[0];
    assert_int_equal(t->number, 1);
    assert_int_equal(t->id, 1);
    assert_string_equal(pd_ikev1_transform_id_name(p1->protocol, t->id), "KEY_IKE");
    assert_int_equal(t->n_attrs, 7);
    assert_int_equal(t->encr, 7);
    assert_string_equal(pd_ikev1_encr_name(t->encr), "AES_CBC");
    assert_int_equal(t->key_length, 256);
    assert_int_equal(t->hash, 2);
    assert_string_equal(pd_ikev1_hash_name(t->hash), "SHA1");
    assert_int_equal(t->auth_method, PD_IKEV1_AUTH_PSK);
    assert_int_equal(t->group, 2);
    assert_int_equal(t->life_seconds, 28800);
    assert_int_equal(t->life_kbytes, 0);
    /* The life duration was a TLV attribute (AF bit clear). */
    assert_false(t->attrs[6].tv);
    assert_int_equal(t->attrs[6].type, 12);
    assert_int_equal(t->attrs[6].length, 4);
    assert_int_equal(t->attrs[6].value, 28800);
    assert_true(t->attrs[0].tv);

    t = &p1->transforms[1];
    assert_int_equal(t->encr, 5);
    assert_int_equal(t->hash, 1);
    assert_int_equal(t->auth_method, 65001);
    assert_string_equal(pd_ikev1_auth_method_name(t->auth_method), "XAUTH_INIT_PSK");
    assert_int_equal(t->life_seconds, 28800);

    const pd_ikev1_proposal *p2 = &sa->u.sa.proposals[1];
    assert_int_equal(p2->number, 2);
    assert_int_equal(p2->n_transforms, 1);
    t = &p2->transforms[0];
    assert_int_equal(t->encr, 3);
    assert_string_equal(pd_ikev1_encr_name(t->encr), "BLOWFISH_CBC");
    assert_int_equal(t->key_length, 128);
    assert_int_equal(t->auth_method, PD_IKEV1_AUTH_RSA_SIG);
    assert_int_equal(t->group, 14);
    /* Two life pairs: an 8-byte TLV of kilobytes, a 2-byte TLV of seconds. */
    assert_int_equal(t->life_kbytes, 100000);
    assert_int_equal(t->life_seconds, 28800);

    /* Vendor IDs. */
    const pd_ikev1_payload *v = pd_ikev1_find(&m, PD_IKEV1_PL_VID, NULL);
    assert_non_null(v);
    assert_int_equal(v->u.vid.kind, PD_IKE_VID_NATT_RFC3947);
    v = pd_ikev1_find(&m, PD_IKEV1_PL_VID, v);
    assert_non_null(v);
    assert_int_equal(v->u.vid.kind, PD_IKE_VID_MICROSOFT);
    assert_true(v->u.vid.has_version);
    assert_int_equal(v->u.vid.version, 9);
    char buf[96];
    assert_string_equal(pd_ike_vendor_describe(&v->u.vid, buf, sizeof(buf)),
                        "MS NT5 ISAKMPOAKLEY (Windows 8 and later)");
    assert_null(pd_ikev1_find(&m, PD_IKEV1_PL_VID, v));
    pd_ikev1_message_clear(&m);
    assert_null(m.payloads);
}

static void test_mm1_normalised_and_printed(void **state)
{
    (void)state;
    pd_ikev1_message m;
    pd_ike_proposal props[8];
    assert_int_equal(pd_ikev1_decode(mm1, sizeof(mm1), sizeof(mm1), &m), PD_IKE_OK);
    const pd_ikev1_payload *sa = pd_ikev1_find(&m, PD_IKEV1_PL_SA, NULL);
    size_t n = pd_ikev1_sa_proposals(&sa->u.sa, props, 8);
    assert_int_equal(n, 3);

    static const char *const expect[] = {
        "IKE:AES_CBC_256/HMAC_SHA1/MODP_1024 auth PSK life 28800s",
        "IKE:3DES_CBC/HMAC_MD5/MODP_1024 auth XAUTH_INIT_PSK life 28800s",
        "IKE:BLOWFISH_CBC_128/HMAC_MD5/MODP_2048 auth RSA_SIG life 28800s/100000KB",
    };
    for (size_t i = 0; i < n; i++) {
        char *s = pd_ike_proposal_to_string(&props[i]);
        assert_string_equal(s, expect[i]);
        g_free(s);
    }
    assert_int_equal(props[0].version, 1);
    assert_int_equal(props[0].algs[PD_IKE_XF_ENCR][0].id, PD_IKE_ENCR_AES_CBC);
    assert_int_equal(props[0].algs[PD_IKE_XF_PRF][0].id, PD_IKE_PRF_HMAC_SHA1);
    assert_int_equal(props[0].n[PD_IKE_XF_INTEG], 0);
    assert_int_equal(props[2].number, 2);
    assert_int_equal(props[2].transform_number, 1);

    /* A max smaller than the transform count is honoured. */
    assert_int_equal(pd_ikev1_sa_proposals(&sa->u.sa, props, 2), 2);
    assert_int_equal(pd_ikev1_sa_proposals(&sa->u.sa, props, 0), 0);
    pd_ikev1_message_clear(&m);
}

static void test_informational_no_proposal_chosen(void **state)
{
    (void)state;
    pd_ikev1_message m;
    assert_int_equal(pd_ikev1_decode(info_npc, sizeof(info_npc), sizeof(info_npc), &m), PD_IKE_OK);
    assert_int_equal(m.hdr.exchange, PD_IKEV1_EXCH_INFORMATIONAL);
    assert_int_equal(m.n_payloads, 1);
    const pd_ike_notify *n = pd_ikev1_find_notify(&m, PD_IKE_N_NO_PROPOSAL_CHOSEN);
    assert_non_null(n);
    assert_int_equal(n->doi, 1);
    assert_int_equal(n->protocol, PD_IKE_PROTO_IKE);
    assert_int_equal(n->spi_size, 16);
    assert_memory_equal(n->spi, info_npc, 16); /* the two cookies */
    assert_int_equal(n->data_len, 0);
    assert_false(n->has_group);
    assert_string_equal(pd_ike_notify_name(1, n->type), "NO_PROPOSAL_CHOSEN");
    assert_true(pd_ike_notify_is_error(n->type));
    assert_null(pd_ikev1_find_notify(&m, PD_IKE_N_R_U_THERE));
    pd_ikev1_message_clear(&m);
}

static void test_mm3_natd(void **state)
{
    (void)state;
    pd_ikev1_message m;
    pd_addr a;
    assert_int_equal(pd_ikev1_decode(mm3, sizeof(mm3), sizeof(mm3), &m), PD_IKE_OK);
    assert_int_equal(m.n_payloads, 4);
    assert_int_equal(m.payloads[0].type, PD_IKEV1_PL_KE);
    assert_int_equal(m.payloads[0].body_len, 8);
    assert_int_equal(m.payloads[1].type, PD_IKEV1_PL_NONCE);
    assert_int_equal(m.payloads[1].body_len, 16);
    const pd_ikev1_payload *d = pd_ikev1_find(&m, PD_IKEV1_PL_NAT_D, NULL);
    assert_non_null(d);
    assert_int_equal(d->u.natd.len, 20);

    /* Recompute it from the header cookies and the address the sender used. */
    memset(&a, 0, sizeof(a));
    a.family = 4;
    a.a[0] = 10;
    a.a[3] = 1;
    assert_true(pd_ike_natd_matches(PD_IKE_NATD_SHA1, m.hdr.spi_i, m.hdr.spi_r, &a, 4500,
                                    d->u.natd.hash, d->u.natd.len));
    d = pd_ikev1_find(&m, PD_IKEV1_PL_NAT_D, d);
    assert_non_null(d);
    assert_false(pd_ike_natd_matches(PD_IKE_NATD_SHA1, m.hdr.spi_i, m.hdr.spi_r, &a, 4500,
                                     d->u.natd.hash, d->u.natd.len));
    assert_string_equal(pd_ike_payload_name(1, PD_IKEV1_PL_NAT_D), "NAT-D");
    pd_ikev1_message_clear(&m);
}

static void test_quick_mode_phase2(void **state)
{
    (void)state;
    pd_ikev1_message m;
    pd_ike_proposal props[4];
    assert_int_equal(pd_ikev1_decode(qm, sizeof(qm), sizeof(qm), &m), PD_IKE_OK);
    assert_int_equal(m.hdr.exchange, PD_IKEV1_EXCH_QUICK);
    assert_int_equal(m.hdr.message_id, 0x01020304);
    assert_int_equal(m.n_payloads, 5);

    const pd_ikev1_payload *sa = pd_ikev1_find(&m, PD_IKEV1_PL_SA, NULL);
    assert_non_null(sa);
    const pd_ikev1_proposal *p = &sa->u.sa.proposals[0];
    assert_int_equal(p->protocol, PD_IKE_PROTO_ESP);
    assert_int_equal(p->spi_size, 4);
    assert_int_equal(p->spi[0], 0xc0);
    assert_int_equal(p->spi[3], 0x01);
    const pd_ikev1_transform *t = &p->transforms[0];
    assert_string_equal(pd_ikev1_transform_id_name(p->protocol, t->id), "ESP_AES");
    assert_int_equal(t->life_seconds, 3600);
    assert_int_equal(t->life_kbytes, 4608000);
    assert_int_equal(t->encap_mode, PD_IKEV1_ENCAP_UDP_TUNNEL);
    assert_int_equal(t->auth_alg, 2);
    assert_int_equal(t->key_length, 128);
    assert_int_equal(t->group, 0);
    t = &p->transforms[1];
    assert_int_equal(t->encap_mode, PD_IKEV1_ENCAP_UDP_TUNNEL_DRAFT);
    assert_string_equal(pd_ikev1_encap_mode_name(t->encap_mode), "UDP_TUNNEL_DRAFT");
    assert_int_equal(t->group, 2);

    assert_int_equal(pd_ikev1_sa_proposals(&sa->u.sa, props, 4), 2);
    char *s = pd_ike_proposal_to_string(&props[0]);
    assert_string_equal(s, "ESP:AES_CBC_128/HMAC_SHA1_96/no ESN mode UDP_TUNNEL life 3600s/4608000KB");
    g_free(s);
    s = pd_ike_proposal_to_string(&props[1]);
    assert_string_equal(s, "ESP:3DES_CBC/HMAC_MD5_96/MODP_1024/no ESN mode UDP_TUNNEL_DRAFT");
    g_free(s);

    const pd_ikev1_payload *id = pd_ikev1_find(&m, PD_IKEV1_PL_ID, NULL);
    assert_non_null(id);
    assert_int_equal(id->u.id.type, 4);
    assert_string_equal(id->u.id.text, "10.1.0.0/255.255.0.0");
    id = pd_ikev1_find(&m, PD_IKEV1_PL_ID, id);
    assert_non_null(id);
    assert_int_equal(id->u.id.protocol, 17);
    assert_int_equal(id->u.id.port, 1701);
    assert_string_equal(id->u.id.text, "192.168.1.5");
    pd_ikev1_message_clear(&m);
}

static void test_delete(void **state)
{
    (void)state;
    pd_ikev1_message m;
    assert_int_equal(pd_ikev1_decode(info_delete, sizeof(info_delete), sizeof(info_delete), &m),
                     PD_IKE_OK);
    const pd_ikev1_payload *d = pd_ikev1_find(&m, PD_IKEV1_PL_DELETE, NULL);
    assert_non_null(d);
    assert_int_equal(d->u.del.protocol, PD_IKE_PROTO_ESP);
    assert_int_equal(d->u.del.n_spis, 2);
    assert_int_equal(d->u.del.n_kept, 2);
    assert_int_equal(d->u.del.spis[1][3], 0x02);
    pd_ikev1_message_clear(&m);

    /* Claiming 3 SPIs with room for 2 is malformed, the two are kept. */
    uint8_t *b = dup_msg(info_delete, sizeof(info_delete));
    b[39] = 3;
    assert_int_equal(pd_ikev1_decode(b, sizeof(info_delete), sizeof(info_delete), &m),
                     PD_IKE_MALFORMED);
    assert_int_equal(m.payloads[0].u.del.n_kept, 2);
    assert_int_equal(m.problem_offset, 28);
    pd_ikev1_message_clear(&m);
    /* A huge count with SPI size 0 walks nothing. */
    b[37] = 0;
    b[38] = 0xff;
    b[39] = 0xff;
    assert_int_equal(pd_ikev1_decode(b, sizeof(info_delete), sizeof(info_delete), &m), PD_IKE_OK);
    assert_int_equal(m.payloads[0].u.del.n_spis, 0xffff);
    assert_int_equal(m.payloads[0].u.del.n_kept, 0);
    pd_ikev1_message_clear(&m);
    g_free(b);
}

static void test_encrypted(void **state)
{
    (void)state;
    pd_ikev1_message m;
    assert_int_equal(pd_ikev1_decode(mm5, sizeof(mm5), sizeof(mm5), &m), PD_IKE_OK);
    assert_true(m.encrypted);
    assert_int_equal(m.encrypted_len, 32);
    assert_int_equal(m.n_payloads, 0);
    pd_ikev1_message_clear(&m);
    /* Cut by the snaplen: still recognised as encrypted, reported truncated. */
    assert_int_equal(decode_exact(mm5, 40, sizeof(mm5), &m), PD_IKE_TRUNCATED);
    assert_true(m.encrypted);
    assert_int_equal(m.encrypted_len, 32);
    pd_ikev1_message_clear(&m);
}

/* ---- broken messages -------------------------------------------------------------- */

static void test_truncation_every_length(void **state)
{
    (void)state;
    for (size_t s = 0; s < G_N_ELEMENTS(samples); s++) {
        const sample *x = &samples[s];
        for (size_t len = 0; len < x->len; len++) {
            pd_ikev1_message m;
            /* The datagram was whole, the capture was cut. */
            pd_ike_status st = decode_exact(x->data, len, x->len, &m);
            if (st != PD_IKE_TRUNCATED)
                fail_msg("%s cut at %zu: status %s", x->name, len, pd_ike_status_name(st));
            /* Whatever was decoded is consistent and can be freed. */
            for (size_t i = 0; i < m.n_payloads; i++)
                assert_true(m.payloads[i].offset + 4 <= len);
            pd_ikev1_message_clear(&m);
            /* The datagram itself was short: the header length lies. */
            st = decode_exact(x->data, len, len, &m);
            if (st != PD_IKE_BAD_LENGTH)
                fail_msg("%s short datagram %zu: status %s", x->name, len, pd_ike_status_name(st));
            pd_ikev1_message_clear(&m);
        }
        pd_ikev1_message m;
        assert_int_equal(decode_exact(x->data, x->len, x->len, &m), PD_IKE_OK);
        pd_ikev1_message_clear(&m);
    }
}

static void test_payload_lengths(void **state)
{
    (void)state;
    static const uint16_t bad[] = { 0, 1, 3, 155, 199, 0xffff };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        pd_ikev1_message m;
        uint8_t *b = dup_msg(mm1, sizeof(mm1));
        put16(b + MM1_SA_LEN_OFF, bad[i]);
        pd_ike_status st = pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m);
        if (bad[i] < 4 || bad[i] > 198)
            assert_int_equal(st, PD_IKE_BAD_PAYLOAD_LENGTH);
        else
            assert_int_not_equal(st, PD_IKE_OK); /* SA overlaps the VID: inner mismatch */
        assert_int_equal(m.problem_offset, 28);
        assert_non_null(m.detail);
        pd_ikev1_message_clear(&m);
        g_free(b);
    }
    /* Length 4: a complete but empty SA payload. */
    pd_ikev1_message m;
    uint8_t *b = dup_msg(info_npc, sizeof(info_npc));
    put16(b + 30, 4);
    assert_int_not_equal(pd_ikev1_decode(b, sizeof(info_npc), sizeof(info_npc), &m), PD_IKE_OK);
    assert_true(m.payloads[0].malformed);
    pd_ikev1_message_clear(&m);
    g_free(b);

    /* The last payload announces a next one but the message ends. */
    b = dup_msg(info_npc, sizeof(info_npc));
    b[28] = PD_IKEV1_PL_VID;
    assert_int_equal(pd_ikev1_decode(b, sizeof(info_npc), sizeof(info_npc), &m),
                     PD_IKE_BAD_PAYLOAD_LENGTH);
    assert_int_equal(m.n_payloads, 1);
    assert_int_equal(m.problem_offset, 56);
    pd_ikev1_message_clear(&m);
    g_free(b);
}

static void test_chain_never_ends(void **state)
{
    (void)state;
    /* 28 + 100 empty vendor IDs, each naming another vendor ID as next. */
    size_t n = 100, len = PD_IKE_HEADER_LEN + 4 * n;
    uint8_t *b = g_malloc0(len);
    memcpy(b, mm1, PD_IKE_HEADER_LEN);
    b[16] = PD_IKEV1_PL_VID;
    b[24] = (uint8_t)(len >> 24);
    b[25] = (uint8_t)(len >> 16);
    b[26] = (uint8_t)(len >> 8);
    b[27] = (uint8_t)len;
    for (size_t i = 0; i < n; i++) {
        b[28 + 4 * i] = PD_IKEV1_PL_VID;
        put16(b + 28 + 4 * i + 2, 4);
    }
    pd_ikev1_message m;
    assert_int_equal(pd_ikev1_decode(b, len, len, &m), PD_IKE_TOO_MANY_PAYLOADS);
    assert_int_equal(m.n_payloads, PD_IKE_MAX_PAYLOADS);
    assert_int_equal(m.problem_offset, 28 + 4 * PD_IKE_MAX_PAYLOADS);
    pd_ikev1_message_clear(&m);
    g_free(b);
}

static void test_attribute_past_transform(void **state)
{
    (void)state;
    static const uint16_t lens[] = { 5, 0x00ff, 0xffff };
    for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
        pd_ikev1_message m;
        uint8_t *b = dup_msg(mm1, sizeof(mm1));
        put16(b + MM1_T1_LIFE_TLV_LEN_OFF, lens[i]);
        assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_MALFORMED);
        const pd_ikev1_payload *sa = pd_ikev1_find(&m, PD_IKEV1_PL_SA, NULL);
        assert_true(sa->malformed);
        assert_true(sa->u.sa.malformed);
        assert_true(sa->u.sa.proposals[0].transforms[0].malformed);
        /* Everything up to the bad attribute is kept, and the rest of the
         * message still decodes: the SA payload's own length is sound. */
        assert_int_equal(sa->u.sa.proposals[0].transforms[0].n_attrs, 6);
        assert_int_equal(sa->u.sa.n_proposals, 2);
        assert_non_null(pd_ikev1_find(&m, PD_IKEV1_PL_VID, NULL));
        pd_ikev1_message_clear(&m);
        g_free(b);
    }

    /* A TLV life duration wider than 64 bits is flagged, not used. */
    static const uint8_t wide[] = {
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0, 0, 0, 0, 0,
        0x01, 0x10, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x4c, /* 76 */
        0x00, 0x00, 0x00, 0x30, 0, 0, 0, 1, 0, 0, 0, 1,   /* SA 48 */
        0x00, 0x00, 0x00, 0x24, 0x01, 0x01, 0x00, 0x01,   /* proposal 36 */
        0x00, 0x00, 0x00, 0x1c, 0x01, 0x01, 0x00, 0x00,   /* transform 28 */
        0x80, 0x0b, 0x00, 0x01,                           /* seconds */
        0x00, 0x0c, 0x00, 0x0c, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, /* 12-byte duration */
    };
    pd_ikev1_message m;
    assert_int_equal(pd_ikev1_decode(wide, sizeof(wide), sizeof(wide), &m), PD_IKE_OK);
    const pd_ikev1_transform *t = &m.payloads[0].u.sa.proposals[0].transforms[0];
    assert_true(t->attrs[1].value_too_long);
    assert_int_equal(t->life_seconds, 0);
    pd_ikev1_message_clear(&m);
}

static void test_sa_inner_errors(void **state)
{
    (void)state;
    pd_ikev1_message m;
    /* Transform count claims 3, 2 are present. */
    uint8_t *b = dup_msg(mm1, sizeof(mm1));
    b[MM1_P1_NTRANS_OFF] = 3;
    assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_MALFORMED);
    assert_string_equal(m.detail, "transform count differs from the proposal's");
    assert_int_equal(m.payloads[0].u.sa.proposals[0].n_transforms, 2);
    pd_ikev1_message_clear(&m);
    g_free(b);

    /* Proposal 1 marked last, but proposal 2 follows. */
    b = dup_msg(mm1, sizeof(mm1));
    b[40] = 0;
    assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_MALFORMED);
    assert_string_equal(m.detail, "bytes after the last proposal");
    pd_ikev1_message_clear(&m);
    g_free(b);

    /* Proposal length below its fixed part. */
    b = dup_msg(mm1, sizeof(mm1));
    put16(b + 42, 7);
    assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_MALFORMED);
    assert_int_equal(m.payloads[0].u.sa.n_proposals, 0);
    pd_ikev1_message_clear(&m);
    g_free(b);

    /* Transform length running past its proposal. */
    b = dup_msg(mm1, sizeof(mm1));
    put16(b + 50, 0x1000);
    assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_MALFORMED);
    assert_string_equal(m.detail, "substructure runs past its container");
    pd_ikev1_message_clear(&m);
    g_free(b);

    /* SPI size larger than the proposal. */
    b = dup_msg(mm1, sizeof(mm1));
    b[46] = 200;
    assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_MALFORMED);
    assert_string_equal(m.detail, "proposal SPI runs past the proposal");
    pd_ikev1_message_clear(&m);
    g_free(b);

    /* A non-IPsec DOI is not decoded further, and is not an error. */
    b = dup_msg(mm1, sizeof(mm1));
    b[35] = 2;
    assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_OK);
    assert_int_equal(m.payloads[0].u.sa.n_proposals, 0);
    assert_non_null(m.payloads[0].u.sa.detail);
    pd_ikev1_message_clear(&m);
    g_free(b);
}

static void test_header_lengths(void **state)
{
    (void)state;
    static const uint32_t lens[] = { 0, 27, 227, 0x10000, 0xffffffffu };
    for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
        pd_ikev1_message m;
        uint8_t *b = dup_msg(mm1, sizeof(mm1));
        b[24] = (uint8_t)(lens[i] >> 24);
        b[25] = (uint8_t)(lens[i] >> 16);
        b[26] = (uint8_t)(lens[i] >> 8);
        b[27] = (uint8_t)lens[i];
        assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_BAD_LENGTH);
        assert_int_equal(m.hdr.length, lens[i]);
        assert_int_equal(m.n_payloads, 0);
        pd_ikev1_message_clear(&m);
        g_free(b);
    }
    /* A header length shorter than the datagram: the rest is not walked. */
    pd_ikev1_message m;
    uint8_t *b = g_malloc0(sizeof(info_npc) + 10);
    memcpy(b, info_npc, sizeof(info_npc));
    assert_int_equal(pd_ikev1_decode(b, sizeof(info_npc) + 10, sizeof(info_npc) + 10, &m), PD_IKE_OK);
    assert_int_equal(m.n_payloads, 1);
    pd_ikev1_message_clear(&m);
    /* Captured bytes beyond the datagram (link padding) are ignored. */
    assert_int_equal(pd_ikev1_decode(b, sizeof(info_npc) + 10, sizeof(info_npc), &m), PD_IKE_OK);
    pd_ikev1_message_clear(&m);
    g_free(b);
    /* NULL data. */
    assert_int_equal(pd_ikev1_decode(NULL, 100, 100, &m), PD_IKE_TRUNCATED);
    pd_ikev1_message_clear(&m);
    pd_ikev1_message_clear(NULL);
}

static void test_bad_version(void **state)
{
    (void)state;
    pd_ikev1_message m;
    uint8_t *b = dup_msg(mm1, sizeof(mm1));
    b[17] = 0x20;
    assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_BAD_VERSION);
    assert_int_equal(m.hdr.major, 2);
    assert_int_equal(pd_ike_peek_major(b, sizeof(mm1)), 2);
    assert_int_equal(pd_ike_peek_major(b, 27), 0);
    pd_ikev1_message_clear(&m);
    /* Minor versions are tolerated. */
    b[17] = 0x11;
    assert_int_equal(pd_ikev1_decode(b, sizeof(mm1), sizeof(mm1), &m), PD_IKE_OK);
    pd_ikev1_message_clear(&m);
    g_free(b);
}

/* A small deterministic generator: the mutations are the same every run. */
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void test_random_mutations(void **state)
{
    (void)state;
    uint32_t seed = 0x1ce1ce;
    for (size_t s = 0; s < G_N_ELEMENTS(samples); s++) {
        const sample *x = &samples[s];
        for (int iter = 0; iter < 3000; iter++) {
            size_t len = x->len;
            uint8_t *b = g_malloc(len);
            memcpy(b, x->data, len);
            int flips = 1 + (int)(lcg(&seed) % 4);
            for (int f = 0; f < flips; f++)
                b[lcg(&seed) % len] = (uint8_t)lcg(&seed);
            if (lcg(&seed) % 4 == 0)
                len = lcg(&seed) % (len + 1);
            uint8_t *exact = g_memdup2(b, len ? len : 1);
            pd_ikev1_message m;
            pd_ike_status st = pd_ikev1_decode(exact, len, x->len, &m);
            assert_true(st >= PD_IKE_OK && st <= PD_IKE_MALFORMED);
            assert_true(m.n_payloads <= PD_IKE_MAX_PAYLOADS);
            /* Downstream consumers must cope with whatever came out. */
            for (size_t i = 0; i < m.n_payloads; i++) {
                const pd_ikev1_payload *pl = &m.payloads[i];
                if (pl->type == PD_IKEV1_PL_SA && pl->complete) {
                    pd_ike_proposal props[8];
                    size_t n = pd_ikev1_sa_proposals(&pl->u.sa, props, 8);
                    for (size_t k = 0; k < n; k++)
                        g_free(pd_ike_proposal_to_string(&props[k]));
                }
            }
            pd_ikev1_message_clear(&m);
            g_free(exact);
            g_free(b);
        }
    }
}

/* ---- shared helpers (ike.c) --------------------------------------------------------- */

static void test_id_format(void **state)
{
    (void)state;
    char buf[PD_IKE_ID_TEXT_MAX];
    static const uint8_t v4[] = { 192, 0, 2, 1 };
    static const uint8_t range[] = { 10, 0, 0, 1, 10, 0, 0, 9 };
    static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    static const uint8_t fqdn[] = "vpn.example.com";
    static const uint8_t ctl[] = { 'a', 0x01, 'b' };
    /* SEQUENCE { SET { SEQ { 2.5.4.6, "DE" } }, SET { SEQ { 2.5.4.3, "vpn.example.com" } } } */
    static const uint8_t dn[] = {
        0x30, 0x27,
        0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 'D', 'E',
        0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0f,
        'v', 'p', 'n', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
    };

    pd_ike_id_format(1, 1, v4, 4, buf, sizeof(buf));
    assert_string_equal(buf, "192.0.2.1");
    pd_ike_id_format(1, 7, range, 8, buf, sizeof(buf));
    assert_string_equal(buf, "10.0.0.1-10.0.0.9");
    pd_ike_id_format(2, 5, v6, 16, buf, sizeof(buf));
    assert_string_equal(buf, "2001:db8::1");
    pd_ike_id_format(2, 2, fqdn, 15, buf, sizeof(buf));
    assert_string_equal(buf, "vpn.example.com");
    pd_ike_id_format(1, 3, ctl, 3, buf, sizeof(buf));
    assert_string_equal(buf, "a?b");
    pd_ike_id_format(2, 9, dn, sizeof(dn), buf, sizeof(buf));
    assert_string_equal(buf, "C=DE, CN=vpn.example.com");
    /* A DN cut short falls back to hex. */
    pd_ike_id_format(2, 9, dn, sizeof(dn) - 1, buf, sizeof(buf));
    assert_true(g_str_has_prefix(buf, "hex:3027"));
    /* Wrong lengths for address types fall back to hex too. */
    pd_ike_id_format(1, 1, v4, 3, buf, sizeof(buf));
    assert_string_equal(buf, "hex:c00002");
    /* IKEv1-only subnet type under IKEv2 is not an address. */
    pd_ike_id_format(2, 4, range, 8, buf, sizeof(buf));
    assert_true(g_str_has_prefix(buf, "hex:"));
    /* Long values are shortened, the buffer is never overrun. */
    uint8_t big[300];
    memset(big, 0xab, sizeof(big));
    pd_ike_id_format(1, 11, big, sizeof(big), buf, sizeof(buf));
    assert_true(strlen(buf) < sizeof(buf));
    assert_true(g_str_has_suffix(buf, "..."));
    char tiny[6];
    pd_ike_id_format(1, 11, big, sizeof(big), tiny, sizeof(tiny));
    assert_true(strlen(tiny) < sizeof(tiny));
    pd_ike_id_format(1, 2, fqdn, 15, tiny, sizeof(tiny));
    assert_string_equal(tiny, "vpn.e");
    pd_ike_id_format(1, 2, NULL, 5, buf, sizeof(buf));
    assert_string_equal(buf, "");
}

static void test_attr_reader(void **state)
{
    (void)state;
    pd_ike_attr a;
    bool bad;
    static const uint8_t tv[] = { 0x80, 0x0e, 0x01, 0x00 };
    static const uint8_t tlv0[] = { 0x00, 0x0c, 0x00, 0x00 };
    static const uint8_t short3[] = { 0x80, 0x01, 0x00 };
    static const uint8_t past[] = { 0x00, 0x0c, 0x00, 0x05, 1, 2, 3, 4 };

    pd_cursor c = pd_cursor_make(tv, sizeof(tv));
    assert_true(pd_ike_attr_next(&c, &a, &bad));
    assert_true(a.tv);
    assert_int_equal(a.type, 14);
    assert_int_equal(a.value, 256);
    assert_false(pd_ike_attr_next(&c, &a, &bad));
    assert_false(bad);

    c = pd_cursor_make(tlv0, sizeof(tlv0));
    assert_true(pd_ike_attr_next(&c, &a, &bad));
    assert_false(a.tv);
    assert_int_equal(a.length, 0);
    assert_int_equal(a.value, 0);

    c = pd_cursor_make(short3, sizeof(short3));
    assert_false(pd_ike_attr_next(&c, &a, &bad));
    assert_true(bad);

    c = pd_cursor_make(past, sizeof(past));
    assert_false(pd_ike_attr_next(&c, &a, &bad));
    assert_true(bad);
}

static void test_names(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(pd_ike_exchange_name(1, 4), "AGGRESSIVE");
    assert_string_equal(pd_ike_exchange_name(1, 32), "QUICK_MODE");
    assert_string_equal(pd_ike_exchange_name(1, 33), "NEW_GROUP_MODE");
    assert_null(pd_ike_exchange_name(1, 34));
    assert_string_equal(pd_ike_notify_name(1, 16), "PAYLOAD_MALFORMED");
    assert_string_equal(pd_ike_notify_name(1, 18), "INVALID_ID_INFORMATION");
    assert_string_equal(pd_ike_notify_name(1, 30), "UNEQUAL_PAYLOAD_LENGTHS");
    assert_string_equal(pd_ike_notify_name(1, 16384), "CONNECTED");
    assert_string_equal(pd_ike_notify_name(1, 24576), "RESPONDER_LIFETIME");
    assert_string_equal(pd_ike_notify_name(1, 36136), "R_U_THERE");
    assert_string_equal(pd_ike_notify_name(1, 36137), "R_U_THERE_ACK");
    assert_null(pd_ike_notify_name(1, 31));
    assert_false(pd_ike_notify_is_error(24576));
    assert_string_equal(pd_ike_value_str(pd_ike_notify_name(1, 9999), "NOTIFY", 9999, buf, sizeof(buf)),
                        "NOTIFY_9999");
    assert_string_equal(pd_ike_value_str(NULL, NULL, 7, buf, sizeof(buf)), "UNKNOWN_7");
    assert_string_equal(pd_ike_protocol_name(1, 4), "IPCOMP");
    assert_string_equal(pd_ike_protocol_name(1, 1), "ISAKMP");
    assert_string_equal(pd_ikev1_auth_method_name(64221), "HYBRID_INIT_RSA");
    assert_string_equal(pd_ikev1_auth_method_name(65010), "XAUTH_RESP_RSA_REVISED_ENC");
    assert_string_equal(pd_ikev1_attr_name(true, 12), "LIFE_DURATION");
    assert_string_equal(pd_ikev1_attr_name(false, 4), "ENCAPSULATION_MODE");
    assert_string_equal(pd_ikev1_transform_id_name(PD_IKE_PROTO_ESP, 20), "ESP_AES_GCM_16");
    assert_string_equal(pd_ikev1_transform_id_name(PD_IKE_PROTO_AH, 3), "AH_SHA");
    assert_string_equal(pd_ikev1_transform_id_name(PD_IKE_PROTO_IPCOMP, 2), "IPCOMP_DEFLATE");
    assert_string_equal(pd_ike_payload_long_name(1, 130), "NAT Discovery (draft)");
    assert_string_equal(pd_ike_payload_name(1, 10), "No");
    assert_string_equal(pd_ike_id_type_name(1, 4), "IPV4_ADDR_SUBNET");
    assert_string_equal(pd_ike_doi_name(1), "IPSEC");
    assert_string_equal(pd_ike_cfg_attr_name(1, 16527), "XAUTH_STATUS");
    assert_string_equal(pd_ike_status_name(PD_IKE_TOO_MANY_PAYLOADS), "too_many_payloads");

    uint16_t v2;
    assert_true(pd_ikev1_encr_to_v2(3, &v2));
    assert_int_equal(v2, PD_IKE_ENCR_BLOWFISH);
    assert_false(pd_ikev1_encr_to_v2(9, &v2));
    assert_true(pd_ikev1_esp_to_v2(22, &v2));
    assert_int_equal(v2, PD_IKE_ENCR_CAMELLIA_CBC);
    assert_false(pd_ikev1_esp_to_v2(21, &v2)); /* SEED */
    assert_true(pd_ikev1_auth_alg_to_integ(5, &v2));
    assert_int_equal(v2, PD_IKE_INTEG_HMAC_SHA2_256_128);
    assert_true(pd_ikev1_hash_to_prf(6, &v2));
    assert_int_equal(v2, PD_IKE_PRF_HMAC_SHA2_512);
}

static void test_vendor_ids(void **state)
{
    (void)state;
    typedef struct {
        const char *hex;
        pd_ike_vid_kind kind;
    } vcase;
    static const vcase cases[] = {
        { "afcad71368a1f1c96b8696fc77570100", PD_IKE_VID_DPD },
        { "09002689dfd6b712", PD_IKE_VID_XAUTH },
        { "12f5f28c457168a9702d9fe274cc0100", PD_IKE_VID_CISCO_UNITY },
        { "882fe56d6fd20dbc2251613b2ebe5beb", PD_IKE_VID_STRONGSWAN },
        { "4048b7d56ebce88525e7de7f00d6c2d3", PD_IKE_VID_FRAGMENTATION },
        { "4048b7d56ebce88525e7de7f00d6c2d3c0000000", PD_IKE_VID_FRAGMENTATION },
        { "90cb80913ebb696e086381b5ec427b1f", PD_IKE_VID_NATT_DRAFT },
        { "fb1de3cdf341b7ea16b7e5be0855f120", PD_IKE_VID_MICROSOFT_OTHER },
        { "0900268", PD_IKE_VID_UNKNOWN }, /* shorter than the XAUTH prefix */
        { "00112233445566778899aabbccddeeff", PD_IKE_VID_UNKNOWN },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t bytes[32];
        size_t n = strlen(cases[i].hex) / 2;
        for (size_t k = 0; k < n; k++) {
            unsigned v;
            sscanf(cases[i].hex + 2 * k, "%2x", &v);
            bytes[k] = (uint8_t)v;
        }
        pd_ike_vendor v;
        pd_ike_vendor_identify(&v, bytes, n);
        assert_int_equal(v.kind, cases[i].kind);
        assert_int_equal(v.len, n);
    }
    pd_ike_vendor v;
    char buf[80];
    static const uint8_t unk[] = { 0xde, 0xad };
    pd_ike_vendor_identify(&v, unk, 2);
    assert_string_equal(pd_ike_vendor_describe(&v, buf, sizeof(buf)), "unknown dead");
    pd_ike_vendor_identify(&v, NULL, 0);
    assert_int_equal(v.kind, PD_IKE_VID_UNKNOWN);
    assert_string_equal(pd_ike_vid_kind_name(PD_IKE_VID_DPD), "dpd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1_header_and_sa),
        cmocka_unit_test(test_mm1_normalised_and_printed),
        cmocka_unit_test(test_informational_no_proposal_chosen),
        cmocka_unit_test(test_mm3_natd),
        cmocka_unit_test(test_quick_mode_phase2),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_encrypted),
        cmocka_unit_test(test_truncation_every_length),
        cmocka_unit_test(test_payload_lengths),
        cmocka_unit_test(test_chain_never_ends),
        cmocka_unit_test(test_attribute_past_transform),
        cmocka_unit_test(test_sa_inner_errors),
        cmocka_unit_test(test_header_lengths),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_random_mutations),
        cmocka_unit_test(test_id_format),
        cmocka_unit_test(test_attr_reader),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_vendor_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
