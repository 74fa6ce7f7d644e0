/* test_ppp.c - PPP frame and control protocol decoding (LCP, PAP, CHAP,
 * MS-CHAPv2, EAP, CCP/MPPE, IPCP, IPV6CP), damage checks, describer.
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

#include "ppp.h"

/* ---- fixtures ------------------------------------------------------------------- */

/* LCP Configure-Request id 1 [MRU 1400, Auth MS-CHAPv2, Magic 0x1234abcd]:
 * what an RRAS or pppd server asks for. */
static const uint8_t lcp_req_server[] = {
    0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x13,
    0x01, 0x04, 0x05, 0x78,             /* MRU 1400 */
    0x03, 0x05, 0xc2, 0x23, 0x81,       /* Auth CHAP, MS-CHAPv2 */
    0x05, 0x06, 0x12, 0x34, 0xab, 0xcd, /* Magic */
};

/* The Windows client's LCP Configure-Request: MRU 1400, Magic, PFC, ACFC,
 * Callback (6, CBCP), MRRU 1614, Endpoint Discriminator class 1 (20 bytes). */
static const uint8_t lcp_req_windows[] = {
    0xff, 0x03, 0xc0, 0x21, 0x01, 0x00, 0x00, 0x30,
    0x01, 0x04, 0x05, 0x78,
    0x05, 0x06, 0x4d, 0x2a, 0x10, 0x6f,
    0x07, 0x02,
    0x08, 0x02,
    0x0d, 0x03, 0x06,
    0x11, 0x04, 0x06, 0x4e,
    0x13, 0x17, 0x01, 0x6c, 0x2e, 0x41, 0x1f, 0x93, 0x5d, 0x4b, 0x12, 0x84, 0x23,
    0x9c, 0x4f, 0x0a, 0xd1, 0xe2, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* LCP Configure-Reject id 0 [Callback 6] */
static const uint8_t lcp_rej_callback[] = {
    0xff, 0x03, 0xc0, 0x21, 0x04, 0x00, 0x00, 0x07, 0x0d, 0x03, 0x06,
};

/* LCP Configure-Nak id 1 [Auth CHAP-MD5]: the client wants another auth */
static const uint8_t lcp_nak_auth[] = {
    0xff, 0x03, 0xc0, 0x21, 0x03, 0x01, 0x00, 0x09, 0x03, 0x05, 0xc2, 0x23, 0x05,
};

/* LCP Terminate-Request id 2 "User request" */
static const uint8_t lcp_term[] = {
    0xff, 0x03, 0xc0, 0x21, 0x05, 0x02, 0x00, 0x10,
    'U', 's', 'e', 'r', ' ', 'r', 'e', 'q', 'u', 'e', 's', 't',
};

/* LCP Protocol-Reject id 3 of IPV6CP, with the start of the rejected packet */
static const uint8_t lcp_protrej[] = {
    0xff, 0x03, 0xc0, 0x21, 0x08, 0x03, 0x00, 0x0a, 0x80, 0x57, 0x01, 0x05, 0x00, 0x0e,
};

/* LCP Code-Reject id 4 of a code-12 packet (Identification) with id 7 */
static const uint8_t lcp_coderej[] = {
    0xff, 0x03, 0xc0, 0x21, 0x07, 0x04, 0x00, 0x08, 0x0c, 0x07, 0x00, 0x08,
};

/* LCP Echo-Request id 0 magic 0x4d2a106f */
static const uint8_t lcp_echo[] = {
    0xff, 0x03, 0xc0, 0x21, 0x09, 0x00, 0x00, 0x08, 0x4d, 0x2a, 0x10, 0x6f,
};

/* PAP Authenticate-Request id 1 peer "alice" password "secret" */
static const uint8_t pap_req[] = {
    0xff, 0x03, 0xc0, 0x23, 0x01, 0x01, 0x00, 0x11,
    0x05, 'a', 'l', 'i', 'c', 'e', 0x06, 's', 'e', 'c', 'r', 'e', 't',
};

/* PAP Authenticate-Nak id 1 "Bad password" */
static const uint8_t pap_nak[] = {
    0xff, 0x03, 0xc0, 0x23, 0x03, 0x01, 0x00, 0x11,
    0x0c, 'B', 'a', 'd', ' ', 'p', 'a', 's', 's', 'w', 'o', 'r', 'd',
};

/* CHAP Challenge id 0x2a, 16-byte value, name "RRAS" */
static const uint8_t chap_challenge[] = {
    0xff, 0x03, 0xc2, 0x23, 0x01, 0x2a, 0x00, 0x19, 0x10,
    0x3c, 0x5a, 0x91, 0x0e, 0x77, 0x42, 0xd8, 0x1b, 0xa4, 0x6e, 0x29, 0xf3, 0x50, 0x88, 0x0c, 0x9d,
    'R', 'R', 'A', 'S',
};

/* CCP Configure-Request id 1 [MPPE 128-bit stateless] */
static const uint8_t ccp_req_mppe[] = {
    0xff, 0x03, 0x80, 0xfd, 0x01, 0x01, 0x00, 0x0a, 0x12, 0x06, 0x01, 0x00, 0x00, 0x40,
};

/* IPCP Configure-Request id 5 [IP-Address 0.0.0.0, Primary-DNS 0.0.0.0,
 * Primary-NBNS 0.0.0.0, Secondary-DNS 0.0.0.0, Secondary-NBNS 0.0.0.0] */
static const uint8_t ipcp_req[] = {
    0xff, 0x03, 0x80, 0x21, 0x01, 0x05, 0x00, 0x22,
    0x03, 0x06, 0, 0, 0, 0, 0x81, 0x06, 0, 0, 0, 0, 0x82, 0x06, 0, 0, 0, 0,
    0x83, 0x06, 0, 0, 0, 0, 0x84, 0x06, 0, 0, 0, 0,
};

/* IPCP Configure-Nak id 5 [IP-Address 10.0.0.5, Primary-DNS 10.0.0.1] */
static const uint8_t ipcp_nak[] = {
    0xff, 0x03, 0x80, 0x21, 0x03, 0x05, 0x00, 0x10,
    0x03, 0x06, 10, 0, 0, 5, 0x81, 0x06, 10, 0, 0, 1,
};

/* IPV6CP Configure-Request id 1 [Interface-Id 0211:22ff:fe33:4455] */
static const uint8_t ipv6cp_req[] = {
    0xff, 0x03, 0x80, 0x57, 0x01, 0x01, 0x00, 0x0e,
    0x01, 0x0a, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55,
};

/* Compressed/encrypted datagram (MPPE), full header and PFC+ACFC forms */
static const uint8_t comp_full[] = { 0xff, 0x03, 0x00, 0xfd, 0x90, 0x01, 0x8a, 0x33, 0x12 };
static const uint8_t comp_short[] = { 0xfd, 0x90, 0x02, 0x41, 0x07 };
/* IP with a compressed protocol field */
static const uint8_t ip_pfc[] = { 0x21, 0x45, 0x00, 0x00, 0x14 };

/* ---- helpers ------------------------------------------------------------------- */

/* The frame points into the buffer, so the exact-size copy stays alive for
 * the caller's assertions; it is replaced at the next call. */
static uint8_t *kept_copy;

static void release_copy(void)
{
    g_free(kept_copy);
    kept_copy = NULL;
}

static pd_ppp_status decode_exact(const uint8_t *p, size_t caplen, size_t wire, pd_ppp_frame *f)
{
    release_copy();
    if (caplen)
        kept_copy = g_memdup2(p, caplen);
    return pd_ppp_decode(kept_copy, caplen, wire, f);
}

#define DECODE(arr, f) decode_exact((arr), sizeof(arr), sizeof(arr), (f))

/* Build ff 03 <proto> <code> <id> <len> <body>. */
static size_t cp_frame(uint8_t *out, uint16_t proto, uint8_t code, uint8_t id, const void *body,
                       size_t blen)
{
    out[0] = 0xff;
    out[1] = 0x03;
    out[2] = (uint8_t)(proto >> 8);
    out[3] = (uint8_t)proto;
    out[4] = code;
    out[5] = id;
    out[6] = (uint8_t)((blen + 4) >> 8);
    out[7] = (uint8_t)(blen + 4);
    memcpy(out + 8, body, blen);
    return blen + 8;
}

static const char *describe(const pd_ppp_frame *f, unsigned flags)
{
    static char line[512];
    size_t n = pd_ppp_describe(f, line, sizeof line, flags);
    assert_int_equal(n, strlen(line));
    return line;
}

/* ---- LCP ------------------------------------------------------------------------- */

static void test_lcp_server_request(void **state)
{
    (void)state;
    pd_ppp_frame f;
    assert_int_equal(DECODE(lcp_req_server, &f), PD_PPP_OK);
    assert_true(f.has_addrctl);
    assert_false(f.pfc);
    assert_int_equal(f.protocol, PD_PPP_LCP);
    assert_int_equal(f.kind, PD_PPP_KIND_CONTROL);
    assert_int_equal(f.header_len, 4);
    assert_true(f.has_cp_header);
    assert_int_equal(f.code, PD_CP_CONF_REQ);
    assert_int_equal(f.identifier, 1);
    assert_int_equal(f.length, 19);
    assert_int_equal(f.data.len, 15);
    assert_int_equal(f.padding, 0);
    assert_int_equal(f.n_options, 3);
    assert_int_equal(f.options[0].type, PD_LCP_OPT_MRU);
    assert_int_equal(f.options[0].len, 4);
    assert_int_equal(f.options[0].value.len, 2);
    assert_int_equal(f.options[1].type, PD_LCP_OPT_AUTH);
    assert_int_equal(f.options[1].value.len, 3);
    assert_int_equal(f.options[2].type, PD_LCP_OPT_MAGIC);
    assert_true(f.cfg.lcp.has_mru);
    assert_int_equal(f.cfg.lcp.mru, 1400);
    assert_true(f.cfg.lcp.has_auth);
    assert_int_equal(f.cfg.lcp.auth_protocol, PD_PPP_CHAP);
    assert_int_equal(f.cfg.lcp.auth_algorithm, PD_CHAP_MSCHAPV2);
    assert_true(f.cfg.lcp.has_magic);
    assert_int_equal(f.cfg.lcp.magic, 0x1234abcd);
    assert_false(f.cfg.lcp.pfc || f.cfg.lcp.acfc || f.cfg.lcp.has_accm);
    assert_int_equal(pd_ppp_check(&f), PD_PPP_DAMAGE_NONE);

    assert_string_equal(describe(&f, 0),
                        "LCP Configure-Request id 1 [MRU 1400, Auth MS-CHAPv2, Magic 0x1234abcd]");
    assert_string_equal(describe(&f, PD_PPP_DESCRIBE_STABLE),
                        "LCP Configure-Request [MRU 1400, Auth MS-CHAPv2, Magic]");
}

static void test_lcp_windows_request(void **state)
{
    (void)state;
    pd_ppp_frame f;
    assert_int_equal(DECODE(lcp_req_windows, &f), PD_PPP_OK);
    assert_int_equal(f.identifier, 0);
    assert_int_equal(f.n_options, 7);
    const pd_lcp_opts *l = &f.cfg.lcp;
    assert_int_equal(l->mru, 1400);
    assert_int_equal(l->magic, 0x4d2a106f);
    assert_true(l->pfc && l->acfc);
    assert_true(l->has_callback);
    assert_int_equal(l->callback_op, 6);
    assert_true(l->has_mrru);
    assert_int_equal(l->mrru, 1614);
    assert_true(l->has_endpoint);
    assert_int_equal(l->endpoint_class, 1);
    assert_false(l->has_auth);
    assert_int_equal(f.options[6].value.len, 21);
    assert_string_equal(describe(&f, 0),
                        "LCP Configure-Request id 0 [MRU 1400, Magic 0x4d2a106f, PFC, ACFC, "
                        "Callback 6, MRRU 1614, Endpoint-Discriminator class 1]");
    /* two retransmissions with different ids describe equally when stable */
    char a[256];
    strcpy(a, describe(&f, PD_PPP_DESCRIBE_STABLE));
    uint8_t b[sizeof lcp_req_windows];
    memcpy(b, lcp_req_windows, sizeof b);
    b[5] = 9;
    DECODE(b, &f);
    assert_string_equal(describe(&f, PD_PPP_DESCRIBE_STABLE), a);
    assert_string_not_equal(describe(&f, 0), a);
}

static void test_lcp_nak_reject(void **state)
{
    (void)state;
    pd_ppp_frame f;
    assert_int_equal(DECODE(lcp_rej_callback, &f), PD_PPP_OK);
    assert_int_equal(f.code, PD_CP_CONF_REJ);
    assert_int_equal(f.n_options, 1);
    assert_int_equal(f.options[0].type, PD_LCP_OPT_CALLBACK);
    assert_string_equal(describe(&f, 0), "LCP Configure-Reject id 0 [Callback 6]");

    assert_int_equal(DECODE(lcp_nak_auth, &f), PD_PPP_OK);
    assert_int_equal(f.code, PD_CP_CONF_NAK);
    assert_int_equal(f.cfg.lcp.auth_algorithm, PD_CHAP_MD5);
    assert_string_equal(describe(&f, 0), "LCP Configure-Nak id 1 [Auth CHAP-MD5]");

    /* other auth protocols in the option */
    static const uint8_t auths[][13] = {
        { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x08, 0x03, 0x04, 0xc0, 0x23 },
        { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x08, 0x03, 0x04, 0xc2, 0x27 },
        { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x09, 0x03, 0x05, 0xc2, 0x23, 0x80 },
        { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x09, 0x03, 0x05, 0xc2, 0x23, 0x07 },
        { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x08, 0x03, 0x04, 0x12, 0x34 },
    };
    static const char *const want[] = {
        "LCP Configure-Request id 1 [Auth PAP]",
        "LCP Configure-Request id 1 [Auth EAP]",
        "LCP Configure-Request id 1 [Auth MS-CHAP]",
        "LCP Configure-Request id 1 [Auth CHAP alg 0x07]",
        "LCP Configure-Request id 1 [Auth 0x1234]",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(auths); i++) {
        size_t n = auths[i][7] + 4;
        assert_int_equal(decode_exact(auths[i], n, n, &f), PD_PPP_OK);
        assert_string_equal(describe(&f, 0), want[i]);
    }
}

static void test_lcp_other_codes(void **state)
{
    (void)state;
    pd_ppp_frame f;
    char text[64];

    assert_int_equal(DECODE(lcp_term, &f), PD_PPP_OK);
    assert_int_equal(f.code, PD_CP_TERM_REQ);
    pd_ppp_text_copy(&f.text, text, sizeof text);
    assert_string_equal(text, "User request");
    assert_string_equal(describe(&f, 0), "LCP Terminate-Request id 2 \"User request\"");

    assert_int_equal(DECODE(lcp_protrej, &f), PD_PPP_OK);
    assert_int_equal(f.rejected_protocol, PD_PPP_IPV6CP);
    assert_string_equal(describe(&f, 0), "LCP Protocol-Reject id 3 IPV6CP (0x8057)");

    assert_int_equal(DECODE(lcp_coderej, &f), PD_PPP_OK);
    assert_int_equal(f.rejected_code, 12);
    assert_int_equal(f.rejected_id, 7);
    assert_string_equal(describe(&f, 0), "LCP Code-Reject id 4 code 12");

    assert_int_equal(DECODE(lcp_echo, &f), PD_PPP_OK);
    assert_true(f.has_magic);
    assert_int_equal(f.magic, 0x4d2a106f);
    assert_string_equal(describe(&f, 0), "LCP Echo-Request id 0 magic 0x4d2a106f");
    assert_string_equal(describe(&f, PD_PPP_DESCRIBE_STABLE), "LCP Echo-Request");

    /* Identification (RFC 1570), as Windows sends after LCP opens */
    uint8_t b[64];
    static const uint8_t ident[] = { 0x4d, 0x2a, 0x10, 0x6f, 'M', 'S', 'R', 'A', 'S', 'V', '5', '.',
                                     '2', '0' };
    size_t n = cp_frame(b, PD_PPP_LCP, PD_LCP_IDENTIFICATION, 2, ident, sizeof ident);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_true(f.has_magic);
    pd_ppp_text_copy(&f.text, text, sizeof text);
    assert_string_equal(text, "MSRASV5.20");
    assert_string_equal(describe(&f, 0), "LCP Identification id 2 \"MSRASV5.20\"");

    /* Time-Remaining */
    static const uint8_t tr[] = { 0, 0, 0, 1, 0, 0, 0x0e, 0x10 };
    n = cp_frame(b, PD_PPP_LCP, PD_LCP_TIME_REMAINING, 3, tr, sizeof tr);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_int_equal(f.seconds_remaining, 3600);

    /* unknown code: decoded header, nothing else, not damage */
    n = cp_frame(b, PD_PPP_LCP, 42, 3, "xy", 2);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_string_equal(describe(&f, 0), "LCP Code 42 id 3");
    assert_int_equal(pd_ppp_check(&f), PD_PPP_DAMAGE_NONE);
}

/* Codes with required fields that are missing: BODY_SHORT. */
static void test_lcp_body_short(void **state)
{
    (void)state;
    pd_ppp_frame f;
    uint8_t b[32];
    static const struct {
        uint8_t code;
        size_t blen;
    } cases[] = {
        { PD_LCP_ECHO_REQ, 0 }, { PD_LCP_ECHO_REQ, 3 }, { PD_LCP_ECHO_REP, 2 },
        { PD_LCP_DISCARD_REQ, 1 }, { PD_LCP_PROTO_REJ, 1 }, { PD_CP_CODE_REJ, 0 },
        { PD_LCP_IDENTIFICATION, 3 }, { PD_LCP_TIME_REMAINING, 7 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t n = cp_frame(b, PD_PPP_LCP, cases[i].code, 1, "\x01\x02\x03\x04\x05\x06\x07",
                            cases[i].blen);
        assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);
        assert_int_equal(f.malformed, PD_PPP_DAMAGE_BODY_SHORT);
        assert_int_equal(pd_ppp_check(&f), PD_PPP_DAMAGE_BODY_SHORT);
        assert_true(pd_ppp_damage_is_mangling(pd_ppp_check(&f)));
        assert_non_null(strstr(describe(&f, 0), "malformed"));
    }
}

/* ---- lengths and options ------------------------------------------------------------ */

static void test_bad_lengths(void **state)
{
    (void)state;
    pd_ppp_frame f;
    uint8_t b[sizeof lcp_req_server];

    static const struct {
        uint16_t length;
        pd_ppp_damage want;
    } cases[] = {
        { 65535, PD_PPP_DAMAGE_LENGTH_LONG }, { 20, PD_PPP_DAMAGE_LENGTH_LONG },
        { 3, PD_PPP_DAMAGE_LENGTH_SHORT },    { 2, PD_PPP_DAMAGE_LENGTH_SHORT },
        { 0, PD_PPP_DAMAGE_LENGTH_SHORT },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        memcpy(b, lcp_req_server, sizeof b);
        b[6] = (uint8_t)(cases[i].length >> 8);
        b[7] = (uint8_t)cases[i].length;
        assert_int_equal(DECODE(b, &f), PD_PPP_MALFORMED);
        assert_int_equal(f.malformed, cases[i].want);
        assert_int_equal(pd_ppp_check(&f), cases[i].want);
        assert_true(f.has_cp_header);
        assert_int_equal(f.length, cases[i].length);
    }
    /* a Length beyond the captured bytes but within the wire: truncated */
    memcpy(b, lcp_req_server, sizeof b);
    assert_int_equal(decode_exact(b, sizeof b, 200, &f), PD_PPP_OK); /* Length 19, 196 padding */
    assert_int_equal(f.padding, 196 - 19);
    b[7] = 100;
    assert_int_equal(decode_exact(b, sizeof b, 200, &f), PD_PPP_TRUNCATED);
    assert_int_equal(pd_ppp_check(&f), PD_PPP_DAMAGE_NONE);

    /* Length shorter than the bytes: the rest is padding (RFC 1661 5) and
     * the options end at Length */
    memcpy(b, lcp_req_server, sizeof b);
    b[7] = 12; /* MRU and the auth option's first 4 bytes... */
    assert_int_equal(DECODE(b, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_OPTION_OVERRUN);
    b[7] = 8; /* header + MRU */
    assert_int_equal(DECODE(b, &f), PD_PPP_OK);
    assert_int_equal(f.n_options, 1);
    assert_int_equal(f.padding, 11);
    b[7] = 4; /* no options at all */
    assert_int_equal(DECODE(b, &f), PD_PPP_OK);
    assert_int_equal(f.n_options, 0);
    assert_string_equal(describe(&f, 0), "LCP Configure-Request id 1 []");

    /* header itself short on the wire */
    static const uint8_t h3[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00 };
    assert_int_equal(DECODE(h3, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_HEADER_SHORT);
    assert_false(f.has_cp_header);
    assert_string_equal(describe(&f, 0), "LCP malformed: control packet shorter than its 4-byte header");
}

static void test_bad_options(void **state)
{
    (void)state;
    pd_ppp_frame f;
    uint8_t b[64];
    size_t n;

    /* option length 0 and 1: malformed, not an endless loop */
    static const uint8_t len0[] = { 0x01, 0x04, 0x05, 0x78, 0x05, 0x00, 0x12, 0x34 };
    n = cp_frame(b, PD_PPP_LCP, PD_CP_CONF_REQ, 1, len0, sizeof len0);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_OPTION_SHORT);
    assert_int_equal(f.n_options, 1); /* what came before is kept */

    static const uint8_t len1[] = { 0x05, 0x01, 0x12, 0x34 };
    n = cp_frame(b, PD_PPP_IPCP, PD_CP_CONF_REQ, 1, len1, sizeof len1);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_OPTION_SHORT);

    /* option running past the end */
    static const uint8_t over[] = { 0x01, 0x04, 0x05, 0x78, 0x05, 0x09, 0x12, 0x34 };
    n = cp_frame(b, PD_PPP_LCP, PD_CP_CONF_REQ, 1, over, sizeof over);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_OPTION_OVERRUN);

    /* a single leftover byte */
    static const uint8_t odd[] = { 0x07, 0x02, 0x08 };
    n = cp_frame(b, PD_PPP_LCP, PD_CP_CONF_ACK, 1, odd, sizeof odd);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_OPTION_OVERRUN);
    assert_string_equal(describe(&f, 0),
                        "LCP Configure-Ack id 1 malformed: option length runs past the end of "
                        "the packet");

    /* an option with a value of the wrong size stays in the list, unparsed */
    static const uint8_t badmru[] = { 0x01, 0x03, 0x05 };
    n = cp_frame(b, PD_PPP_LCP, PD_CP_CONF_REQ, 1, badmru, sizeof badmru);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_int_equal(f.n_options, 1);
    assert_false(f.cfg.lcp.has_mru);
    assert_string_equal(describe(&f, 0), "LCP Configure-Request id 1 [MRU]");

    /* unknown option type */
    static const uint8_t unk[] = { 0x63, 0x04, 0x00, 0x01 };
    n = cp_frame(b, PD_PPP_LCP, PD_CP_CONF_REQ, 1, unk, sizeof unk);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_string_equal(describe(&f, 0), "LCP Configure-Request id 1 [Option 99 len 4]");
}

static void test_many_options(void **state)
{
    (void)state;
    /* 40 PFC options: the list holds 32 and says it overflowed */
    uint8_t body[80];
    for (size_t i = 0; i < 40; i++) {
        body[2 * i] = PD_LCP_OPT_PFC;
        body[2 * i + 1] = 2;
    }
    uint8_t b[100];
    size_t n = cp_frame(b, PD_PPP_LCP, PD_CP_CONF_REQ, 1, body, sizeof body);
    pd_ppp_frame f;
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_int_equal(f.n_options, PD_PPP_MAX_OPTIONS);
    assert_true(f.options_overflow);
    assert_true(f.cfg.lcp.pfc);
    assert_non_null(strstr(describe(&f, 0), "PFC, ...]"));
    /* describer output is cut to fit, terminated */
    char small[16];
    assert_int_equal(pd_ppp_describe(&f, small, sizeof small, 0), 15);
    assert_int_equal(strlen(small), 15);
    assert_int_equal(pd_ppp_describe(&f, small, 0, 0), 0);
}

/* Truncation at every length, for every fixture: with the full wire length
 * it is TRUNCATED (or OK when what is left is a whole non-control frame);
 * with wire == caplen it is never OK for a control frame; never an
 * overread (exact heap copies under ASan). */
static void check_all_cuts(const uint8_t *p, size_t n)
{
    for (size_t len = 0; len < n; len++) {
        pd_ppp_frame f;
        pd_ppp_status s = decode_exact(p, len, n, &f);
        if (f.kind == PD_PPP_KIND_CONTROL || f.kind == PD_PPP_KIND_NONE)
            assert_int_equal(s, PD_PPP_TRUNCATED);
        assert_int_equal(pd_ppp_check(&f) == PD_PPP_DAMAGE_LCP_NO_ADDRCTL ||
                             pd_ppp_check(&f) == PD_PPP_DAMAGE_NONE,
                         true);
        char line[256];
        pd_ppp_describe(&f, line, sizeof line, 0);

        s = decode_exact(p, len, len, &f);
        if (f.kind == PD_PPP_KIND_CONTROL)
            assert_int_not_equal(s, PD_PPP_OK);
        pd_ppp_describe(&f, line, sizeof line, PD_PPP_DESCRIBE_STABLE);
    }
}

static void test_truncation(void **state)
{
    (void)state;
    const struct {
        const uint8_t *p;
        size_t n;
    } all[] = {
        { lcp_req_server, sizeof lcp_req_server }, { lcp_req_windows, sizeof lcp_req_windows },
        { lcp_rej_callback, sizeof lcp_rej_callback }, { lcp_nak_auth, sizeof lcp_nak_auth },
        { lcp_term, sizeof lcp_term },             { lcp_protrej, sizeof lcp_protrej },
        { lcp_coderej, sizeof lcp_coderej },       { lcp_echo, sizeof lcp_echo },
        { pap_req, sizeof pap_req },               { pap_nak, sizeof pap_nak },
        { chap_challenge, sizeof chap_challenge }, { ccp_req_mppe, sizeof ccp_req_mppe },
        { ipcp_req, sizeof ipcp_req },             { ipcp_nak, sizeof ipcp_nak },
        { ipv6cp_req, sizeof ipv6cp_req },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        check_all_cuts(all[i].p, all[i].n);

    /* non-control frames: any cut after the protocol field is still OK */
    pd_ppp_frame f;
    assert_int_equal(decode_exact(comp_full, 4, sizeof comp_full, &f), PD_PPP_OK);
    assert_int_equal(f.kind, PD_PPP_KIND_COMPRESSED);
    assert_int_equal(f.info_wire_len, 5);
    assert_int_equal(decode_exact(comp_full, 3, sizeof comp_full, &f), PD_PPP_TRUNCATED);
    assert_int_equal(decode_exact(comp_full, 1, sizeof comp_full, &f), PD_PPP_TRUNCATED);
    assert_int_equal(decode_exact(comp_full, 0, sizeof comp_full, &f), PD_PPP_TRUNCATED);
}

/* ---- framing errors -------------------------------------------------------------------- */

static void test_framing(void **state)
{
    (void)state;
    pd_ppp_frame f;

    assert_int_equal(decode_exact(NULL, 0, 0, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_EMPTY);

    static const uint8_t badctl[] = { 0xff, 0x05, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };
    assert_int_equal(DECODE(badctl, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_BAD_CONTROL);
    assert_string_equal(describe(&f, 0), "PPP malformed: address 0xFF not followed by control 0x03");

    static const uint8_t ff_only[] = { 0xff };
    assert_int_equal(DECODE(ff_only, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_BAD_CONTROL);

    static const uint8_t evenproto[] = { 0xff, 0x03, 0xc0, 0x20, 0x01, 0x01, 0x00, 0x04 };
    assert_int_equal(DECODE(evenproto, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_BAD_PROTOCOL);

    static const uint8_t noproto[] = { 0xff, 0x03 };
    assert_int_equal(DECODE(noproto, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_BAD_PROTOCOL);
    static const uint8_t halfproto[] = { 0xff, 0x03, 0xc0 };
    assert_int_equal(DECODE(halfproto, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_BAD_PROTOCOL);

    /* LCP without FF 03: decodes, but pd_ppp_check calls it mangling */
    assert_int_equal(decode_exact(lcp_req_server + 2, sizeof lcp_req_server - 2,
                                  sizeof lcp_req_server - 2, &f),
                     PD_PPP_OK);
    assert_false(f.has_addrctl);
    assert_int_equal(f.n_options, 3);
    assert_int_equal(pd_ppp_check(&f), PD_PPP_DAMAGE_LCP_NO_ADDRCTL);
    assert_true(pd_ppp_damage_is_mangling(PD_PPP_DAMAGE_LCP_NO_ADDRCTL));
    /* IPCP without FF 03 is fine (ACFC) */
    assert_int_equal(decode_exact(ipcp_req + 2, sizeof ipcp_req - 2, sizeof ipcp_req - 2, &f),
                     PD_PPP_OK);
    assert_int_equal(pd_ppp_check(&f), PD_PPP_DAMAGE_NONE);

    /* unknown protocol number: not mangling, but reported */
    static const uint8_t unk[] = { 0xff, 0x03, 0x12, 0x35, 0x00 };
    assert_int_equal(DECODE(unk, &f), PD_PPP_OK);
    assert_int_equal(f.kind, PD_PPP_KIND_OTHER);
    assert_int_equal(pd_ppp_check(&f), PD_PPP_DAMAGE_UNKNOWN_PROTOCOL);
    assert_false(pd_ppp_damage_is_mangling(PD_PPP_DAMAGE_UNKNOWN_PROTOCOL));
    assert_string_equal(describe(&f, 0), "PPP protocol 0x1235 1 bytes");
}

static void test_data_frames(void **state)
{
    (void)state;
    pd_ppp_frame f;
    assert_int_equal(DECODE(comp_full, &f), PD_PPP_OK);
    assert_int_equal(f.kind, PD_PPP_KIND_COMPRESSED);
    assert_int_equal(f.protocol, PD_PPP_COMP);
    assert_true(f.has_addrctl);
    assert_false(f.pfc);
    assert_int_equal(f.info.len, 5);
    assert_false(f.has_cp_header);
    assert_string_equal(describe(&f, 0), "Compressed datagram 5 bytes");
    assert_string_equal(describe(&f, PD_PPP_DESCRIBE_STABLE), "Compressed datagram");

    assert_int_equal(DECODE(comp_short, &f), PD_PPP_OK);
    assert_int_equal(f.kind, PD_PPP_KIND_COMPRESSED);
    assert_int_equal(f.protocol, PD_PPP_COMP);
    assert_true(f.pfc);
    assert_false(f.has_addrctl);
    assert_int_equal(f.header_len, 1);
    assert_int_equal(pd_ppp_check(&f), PD_PPP_DAMAGE_NONE);

    assert_int_equal(DECODE(ip_pfc, &f), PD_PPP_OK);
    assert_int_equal(f.kind, PD_PPP_KIND_NETWORK);
    assert_int_equal(f.protocol, PD_PPP_IP);

    /* CCP itself (0x80FD) is control, not data */
    assert_int_equal(DECODE(ccp_req_mppe, &f), PD_PPP_OK);
    assert_int_equal(f.kind, PD_PPP_KIND_CONTROL);
}

/* ---- authentication ---------------------------------------------------------------------- */

static void test_pap(void **state)
{
    (void)state;
    pd_ppp_frame f;
    char text[64];
    assert_int_equal(DECODE(pap_req, &f), PD_PPP_OK);
    pd_ppp_text_copy(&f.peer_name, text, sizeof text);
    assert_string_equal(text, "alice");
    assert_int_equal(f.password_len, 6);
    assert_string_equal(describe(&f, 0), "PAP Authenticate-Request id 1 peer \"alice\"");
    assert_null(strstr(describe(&f, 0), "secret"));

    assert_int_equal(DECODE(pap_nak, &f), PD_PPP_OK);
    pd_ppp_text_copy(&f.message, text, sizeof text);
    assert_string_equal(text, "Bad password");
    assert_string_equal(describe(&f, PD_PPP_DESCRIBE_STABLE), "PAP Authenticate-Nak \"Bad password\"");

    /* Ack without a Msg-Length byte: an empty message */
    uint8_t b[16];
    size_t n = cp_frame(b, PD_PPP_PAP, PD_PAP_AUTH_ACK, 1, "", 0);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_int_equal(f.message.len, 0);

    /* peer-id length beyond the packet */
    uint8_t bad[sizeof pap_req];
    memcpy(bad, pap_req, sizeof bad);
    bad[8] = 30;
    assert_int_equal(DECODE(bad, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_BODY_SHORT);
    memcpy(bad, pap_req, sizeof bad);
    bad[14] = 7; /* password one byte too long */
    assert_int_equal(DECODE(bad, &f), PD_PPP_MALFORMED);
    n = cp_frame(b, PD_PPP_PAP, PD_PAP_AUTH_NAK, 1, "\x09" "abc", 4);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);
}

static void test_chap(void **state)
{
    (void)state;
    pd_ppp_frame f;
    char text[64];
    assert_int_equal(DECODE(chap_challenge, &f), PD_PPP_OK);
    assert_int_equal(f.code, PD_CHAP_CHALLENGE);
    assert_int_equal(f.identifier, 0x2a);
    assert_int_equal(f.value_size, 16);
    assert_int_equal(f.value.len, 16);
    pd_ppp_text_copy(&f.peer_name, text, sizeof text);
    assert_string_equal(text, "RRAS");
    assert_string_equal(describe(&f, 0), "CHAP Challenge id 42 name \"RRAS\"");

    /* MS-CHAPv2 Response: value size 49, name "DOMAIN\alice" */
    uint8_t body[1 + 49 + 12];
    body[0] = 49;
    memset(body + 1, 0x5a, 49);
    memcpy(body + 50, "DOMAIN\\alice", 12);
    uint8_t b[128];
    size_t n = cp_frame(b, PD_PPP_CHAP, PD_CHAP_RESPONSE, 0x2a, body, sizeof body);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_int_equal(f.value_size, 49);
    pd_ppp_text_copy(&f.peer_name, text, sizeof text);
    assert_string_equal(text, "DOMAIN\\alice");

    /* value size beyond the packet */
    body[0] = 200;
    n = cp_frame(b, PD_PPP_CHAP, PD_CHAP_RESPONSE, 0x2a, body, sizeof body);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_BODY_SHORT);
    n = cp_frame(b, PD_PPP_CHAP, PD_CHAP_CHALLENGE, 1, "", 0);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);

    /* plain CHAP-MD5 Success text */
    n = cp_frame(b, PD_PPP_CHAP, PD_CHAP_SUCCESS, 1, "Welcome", 7);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_false(f.mschap.present);
    assert_string_equal(describe(&f, 0), "CHAP Success id 1 \"Welcome\"");
}

static void test_mschapv2_failure(void **state)
{
    (void)state;
    static const char fail[] =
        "E=691 R=0 C=8A3F1E22D35B6A8C3F5E8A1B2C3D4E5F V=3 M=Authentication failed";
    uint8_t b[128];
    size_t n = cp_frame(b, PD_PPP_CHAP, PD_CHAP_FAILURE, 2, fail, strlen(fail));
    pd_ppp_frame f;
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    const pd_mschap_text *m = &f.mschap;
    assert_true(m->present);
    assert_true(m->has_error);
    assert_int_equal(m->error, 691);
    assert_true(m->has_retry);
    assert_int_equal(m->retry, 0);
    assert_true(m->has_challenge);
    assert_int_equal(m->challenge.len, 32);
    assert_memory_equal(m->challenge.p, "8A3F1E22D35B6A8C3F5E8A1B2C3D4E5F", 32);
    assert_true(m->has_version);
    assert_int_equal(m->version, 3);
    assert_true(m->has_message);
    char text[64];
    pd_ppp_text_copy(&m->message, text, sizeof text);
    assert_string_equal(text, "Authentication failed");
    assert_string_equal(describe(&f, 0), "CHAP Failure id 2 E=691 \"Authentication failed\"");
    assert_string_equal(describe(&f, PD_PPP_DESCRIBE_STABLE),
                        "CHAP Failure E=691 \"Authentication failed\"");

    /* E=649 with retry allowed, no M= */
    static const char f649[] = "E=649 R=1 C=00000000000000000000000000000000 V=3";
    n = cp_frame(b, PD_PPP_CHAP, PD_CHAP_FAILURE, 3, f649, strlen(f649));
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_int_equal(f.mschap.error, 649);
    assert_int_equal(f.mschap.retry, 1);
    assert_false(f.mschap.has_message);
    assert_string_equal(describe(&f, 0), "CHAP Failure id 3 E=649 R=1");

    /* MS-CHAPv2 Success: the authenticator is volatile and never shown */
    static const char ok[] = "S=0123456789ABCDEF0123456789ABCDEF01234567 M=Access granted";
    n = cp_frame(b, PD_PPP_CHAP, PD_CHAP_SUCCESS, 2, ok, strlen(ok));
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_true(f.mschap.present);
    assert_true(f.mschap.has_authenticator);
    assert_int_equal(f.mschap.authenticator.len, 40);
    assert_false(f.mschap.has_error);
    assert_string_equal(describe(&f, 0), "CHAP Success id 2 \"Access granted\"");
}

static void test_mschap_text_edges(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool present, has_error;
        uint32_t error;
        bool has_message;
        const char *message;
    } cases[] = {
        { "E=", true, false, 0, false, "" },
        { "E=x12 M=", true, false, 0, true, "" },
        { "E=99999999999999999999", true, true, 0xffffffffu, false, "" },
        { "E=709 junk R=1 M=Password expired, change it", true, true, 709, true,
          "Password expired, change it" },
        { "  E=1", false, false, 0, false, "" }, /* not at the start: plain text */
        { "Error 691", false, false, 0, false, "" },
        { "E=691 M", true, true, 691, false, "" },
        { "E", false, false, 0, false, "" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t b[128];
        size_t n = cp_frame(b, PD_PPP_CHAP, PD_CHAP_FAILURE, 1, cases[i].text,
                            strlen(cases[i].text));
        pd_ppp_frame f;
        assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
        assert_int_equal(f.mschap.present, cases[i].present);
        assert_int_equal(f.mschap.has_error, cases[i].has_error);
        if (cases[i].has_error)
            assert_int_equal(f.mschap.error, cases[i].error);
        assert_int_equal(f.mschap.has_message, cases[i].has_message);
        if (cases[i].has_message) {
            char text[64];
            pd_ppp_text_copy(&f.mschap.message, text, sizeof text);
            assert_string_equal(text, cases[i].message);
        }
    }
}

static void test_eap(void **state)
{
    (void)state;
    pd_ppp_frame f;
    uint8_t b[64];
    char text[64];
    size_t n;

    n = cp_frame(b, PD_PPP_EAP, PD_EAP_REQUEST, 1, "\x01", 1);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_true(f.has_eap_type);
    assert_int_equal(f.eap_type, PD_EAP_TYPE_IDENTITY);
    assert_string_equal(describe(&f, 0), "EAP Request id 1 Identity");

    n = cp_frame(b, PD_PPP_EAP, PD_EAP_RESPONSE, 1, "\x01" "alice@corp", 11);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    pd_ppp_text_copy(&f.peer_name, text, sizeof text);
    assert_string_equal(text, "alice@corp");
    assert_string_equal(describe(&f, 0), "EAP Response id 1 Identity \"alice@corp\"");

    n = cp_frame(b, PD_PPP_EAP, PD_EAP_REQUEST, 2, "\x1a\x01\x02", 3);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_int_equal(f.eap_type, PD_EAP_TYPE_MSCHAPV2);
    assert_string_equal(describe(&f, 0), "EAP Request id 2 MSCHAPv2");

    n = cp_frame(b, PD_PPP_EAP, PD_EAP_RESPONSE, 2, "\x03\x19", 2);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_int_equal(f.eap_nak_type, PD_EAP_TYPE_PEAP);
    assert_string_equal(describe(&f, 0), "EAP Response id 2 Nak wants PEAP");

    n = cp_frame(b, PD_PPP_EAP, PD_EAP_FAILURE, 3, "", 0);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_false(f.has_eap_type);
    assert_string_equal(describe(&f, 0), "EAP Failure id 3");

    n = cp_frame(b, PD_PPP_EAP, PD_EAP_REQUEST, 4, "", 0);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_MALFORMED);
    assert_int_equal(f.malformed, PD_PPP_DAMAGE_BODY_SHORT);

    n = cp_frame(b, PD_PPP_EAP, PD_EAP_REQUEST, 5, "\xc8", 1);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_string_equal(describe(&f, 0), "EAP Request id 5 Unknown (200)");
}

/* ---- CCP, IPCP, IPV6CP ------------------------------------------------------------------ */

static void test_ccp_mppe(void **state)
{
    (void)state;
    pd_ppp_frame f;
    assert_int_equal(DECODE(ccp_req_mppe, &f), PD_PPP_OK);
    assert_int_equal(f.protocol, PD_PPP_CCP);
    assert_true(f.cfg.ccp.has_mppe);
    assert_int_equal(f.cfg.ccp.mppe_bits, PD_MPPE_H | PD_MPPE_S);
    assert_false(f.cfg.ccp.has_other);
    assert_string_equal(describe(&f, 0), "CCP Configure-Request id 1 [MPPE 128-bit stateless]");

    static const struct {
        uint32_t bits;
        const char *text;
    } bits[] = {
        { 0, "none" },
        { PD_MPPE_S | PD_MPPE_M | PD_MPPE_L, "128-bit 56-bit 40-bit" },
        { PD_MPPE_C, "MPPC" },
        { PD_MPPE_D | PD_MPPE_L, "40-bit D" },
        { PD_MPPE_H | 0x00010000u, "stateless 0x00010000" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bits); i++) {
        char t[64];
        pd_mppe_bits_describe(bits[i].bits, t, sizeof t);
        assert_string_equal(t, bits[i].text);
    }

    /* Deflate + BSD, then Reset-Request (opaque) */
    static const uint8_t other[] = { 0x1a, 0x04, 0x78, 0x00, 0x15, 0x03, 0x2f };
    uint8_t b[32];
    size_t n = cp_frame(b, PD_PPP_CCP, PD_CP_CONF_REQ, 2, other, sizeof other);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_true(f.cfg.ccp.has_other);
    assert_false(f.cfg.ccp.has_mppe);
    assert_string_equal(describe(&f, 0), "CCP Configure-Request id 2 [Deflate, BSD-Compress]");
    n = cp_frame(b, PD_PPP_CCP, PD_CCP_RESET_REQ, 3, "", 0);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_string_equal(describe(&f, 0), "CCP Reset-Request id 3");
}

static void test_ipcp(void **state)
{
    (void)state;
    pd_ppp_frame f;
    assert_int_equal(DECODE(ipcp_req, &f), PD_PPP_OK);
    const pd_ipcp_opts *ip = &f.cfg.ipcp;
    assert_true(ip->has_address && ip->has_dns1 && ip->has_dns2 && ip->has_nbns1 &&
                ip->has_nbns2);
    assert_string_equal(describe(&f, 0),
                        "IPCP Configure-Request id 5 [IP-Address 0.0.0.0, Primary-DNS 0.0.0.0, "
                        "Primary-NBNS 0.0.0.0, Secondary-DNS 0.0.0.0, Secondary-NBNS 0.0.0.0]");

    assert_int_equal(DECODE(ipcp_nak, &f), PD_PPP_OK);
    static const uint8_t a5[4] = { 10, 0, 0, 5 }, a1[4] = { 10, 0, 0, 1 };
    assert_memory_equal(f.cfg.ipcp.address, a5, 4);
    assert_memory_equal(f.cfg.ipcp.dns1, a1, 4);
    assert_false(f.cfg.ipcp.has_dns2);
    /* addresses are not volatile: the stable form keeps them */
    assert_string_equal(describe(&f, PD_PPP_DESCRIBE_STABLE),
                        "IPCP Configure-Nak [IP-Address 10.0.0.5, Primary-DNS 10.0.0.1]");

    static const uint8_t vj[] = { 0x02, 0x06, 0x00, 0x2d, 0x0f, 0x01 };
    uint8_t b[32];
    size_t n = cp_frame(b, PD_PPP_IPCP, PD_CP_CONF_REJ, 6, vj, sizeof vj);
    assert_int_equal(decode_exact(b, n, n, &f), PD_PPP_OK);
    assert_true(f.cfg.ipcp.has_compression);
    assert_int_equal(f.cfg.ipcp.compression_protocol, PD_PPP_VJ_COMP);
    assert_string_equal(describe(&f, 0), "IPCP Configure-Reject id 6 [IP-Compression VJ]");
}

static void test_ipv6cp(void **state)
{
    (void)state;
    pd_ppp_frame f;
    assert_int_equal(DECODE(ipv6cp_req, &f), PD_PPP_OK);
    assert_true(f.cfg.ipv6cp.has_ifid);
    static const uint8_t id[8] = { 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };
    assert_memory_equal(f.cfg.ipv6cp.ifid, id, 8);
    assert_string_equal(describe(&f, 0),
                        "IPV6CP Configure-Request id 1 [Interface-Id 0211:22ff:fe33:4455]");
}

/* ---- names -------------------------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    static const struct {
        uint16_t proto;
        const char *name;
    } protos[] = {
        { PD_PPP_LCP, "LCP" },   { PD_PPP_PAP, "PAP" },     { PD_PPP_CHAP, "CHAP" },
        { PD_PPP_EAP, "EAP" },   { PD_PPP_CCP, "CCP" },     { PD_PPP_IPCP, "IPCP" },
        { PD_PPP_IPV6CP, "IPV6CP" }, { PD_PPP_IP, "IP" },   { PD_PPP_IPV6, "IPv6" },
        { PD_PPP_COMP, "Compressed datagram" }, { PD_PPP_CBCP, "CBCP" },
        { 0x1235, "Unknown" },   { 0, "Unknown" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(protos); i++)
        assert_string_equal(pd_ppp_protocol_name(protos[i].proto), protos[i].name);
    assert_true(pd_ppp_protocol_known(PD_PPP_BACP));
    assert_false(pd_ppp_protocol_known(0xffff));
    assert_true(pd_ppp_protocol_is_control(PD_PPP_EAP));
    assert_false(pd_ppp_protocol_is_control(PD_PPP_COMP));

    assert_string_equal(pd_ppp_code_name(PD_PPP_LCP, 1), "Configure-Request");
    assert_string_equal(pd_ppp_code_name(PD_PPP_LCP, 8), "Protocol-Reject");
    assert_string_equal(pd_ppp_code_name(PD_PPP_LCP, 11), "Discard-Request");
    assert_string_equal(pd_ppp_code_name(PD_PPP_LCP, 14), "Unknown");
    assert_string_equal(pd_ppp_code_name(PD_PPP_IPCP, 8), "Unknown");
    assert_string_equal(pd_ppp_code_name(PD_PPP_CCP, 14), "Reset-Request");
    assert_string_equal(pd_ppp_code_name(PD_PPP_CCP, 9), "Unknown");
    assert_string_equal(pd_ppp_code_name(PD_PPP_PAP, 3), "Authenticate-Nak");
    assert_string_equal(pd_ppp_code_name(PD_PPP_CHAP, 4), "Failure");
    assert_string_equal(pd_ppp_code_name(PD_PPP_EAP, 2), "Response");
    assert_string_equal(pd_ppp_code_name(PD_PPP_EAP, 0), "Unknown");
    assert_string_equal(pd_ppp_code_name(PD_PPP_IP, 1), "Unknown");

    assert_string_equal(pd_lcp_option_name(1), "MRU");
    assert_string_equal(pd_lcp_option_name(3), "Auth-Protocol");
    assert_string_equal(pd_lcp_option_name(19), "Endpoint-Discriminator");
    assert_string_equal(pd_lcp_option_name(6), "Unknown");
    assert_string_equal(pd_lcp_option_name(255), "Unknown");
    assert_string_equal(pd_ppp_option_name(PD_PPP_CCP, 18), "MPPE");
    assert_string_equal(pd_ppp_option_name(PD_PPP_IPCP, 131), "Secondary-DNS");
    assert_string_equal(pd_ppp_option_name(PD_PPP_IPCP, 132), "Secondary-NBNS");
    assert_string_equal(pd_ppp_option_name(PD_PPP_IPV6CP, 1), "Interface-Identifier");
    assert_string_equal(pd_ppp_option_name(PD_PPP_PAP, 1), "Unknown");

    assert_string_equal(pd_ppp_auth_name(PD_PPP_CHAP, PD_CHAP_MSCHAPV2), "MS-CHAPv2");
    assert_string_equal(pd_ppp_auth_name(PD_PPP_CHAP, PD_CHAP_MSCHAP), "MS-CHAP");
    assert_string_equal(pd_ppp_auth_name(PD_PPP_CHAP, PD_CHAP_MD5), "CHAP-MD5");
    assert_string_equal(pd_ppp_auth_name(PD_PPP_CHAP, 0), "CHAP");
    assert_string_equal(pd_ppp_auth_name(PD_PPP_PAP, 0), "PAP");
    assert_string_equal(pd_ppp_auth_name(PD_PPP_EAP, 0), "EAP");
    assert_string_equal(pd_ppp_auth_name(PD_PPP_LCP, 0), "Unknown");
    assert_string_equal(pd_eap_type_name(PD_EAP_TYPE_PEAP), "PEAP");
    assert_string_equal(pd_eap_type_name(PD_EAP_TYPE_TLS), "TLS");
    assert_string_equal(pd_eap_type_name(0), "Unknown");

    for (int d = 0; d < PD_PPP_DAMAGE__COUNT; d++) {
        assert_string_not_equal(pd_ppp_damage_name((pd_ppp_damage)d), "unknown");
        assert_string_not_equal(pd_ppp_damage_text((pd_ppp_damage)d), "unknown");
    }
    assert_string_equal(pd_ppp_damage_name(PD_PPP_DAMAGE__COUNT), "unknown");
    assert_false(pd_ppp_damage_is_mangling(PD_PPP_DAMAGE_NONE));
    assert_string_equal(pd_ppp_status_name(PD_PPP_TRUNCATED), "truncated");

    /* text copy: control bytes masked, stops at NUL, cut to fit */
    static const uint8_t raw[] = { 'a', 0x1b, '[', 'b', 0xc3, 0x00, 'z' };
    pd_ppp_bytes bytes = { raw, sizeof raw };
    char out[8];
    assert_int_equal(pd_ppp_text_copy(&bytes, out, sizeof out), 5);
    assert_string_equal(out, "a.[b.");
    assert_int_equal(pd_ppp_text_copy(&bytes, out, 3), 2);
    assert_string_equal(out, "a.");
    assert_int_equal(pd_ppp_text_copy(NULL, out, sizeof out), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lcp_server_request),
        cmocka_unit_test(test_lcp_windows_request),
        cmocka_unit_test(test_lcp_nak_reject),
        cmocka_unit_test(test_lcp_other_codes),
        cmocka_unit_test(test_lcp_body_short),
        cmocka_unit_test(test_bad_lengths),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_many_options),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_data_frames),
        cmocka_unit_test(test_pap),
        cmocka_unit_test(test_chap),
        cmocka_unit_test(test_mschapv2_failure),
        cmocka_unit_test(test_mschap_text_edges),
        cmocka_unit_test(test_eap),
        cmocka_unit_test(test_ccp_mppe),
        cmocka_unit_test(test_ipcp),
        cmocka_unit_test(test_ipv6cp),
        cmocka_unit_test(test_names),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    release_copy();
    return rc;
}
