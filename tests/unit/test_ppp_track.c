/* test_ppp_track.c - PPP negotiation tracker on healthy and failing links.
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

#include "ppp_track.h"

#define C2S PD_PPP_DIR_C2S
#define S2C PD_PPP_DIR_S2C
#define SEC INT64_C(1000000000)

/* ---- options as they go on the wire ---------------------------------------------- */

/* server LCP: Auth MS-CHAPv2, Magic 0x11223344 */
static const uint8_t srv_lcp[] = { 0x03, 0x05, 0xc2, 0x23, 0x81, 0x05, 0x06, 0x11, 0x22, 0x33, 0x44 };
/* client LCP: MRU 1400, Magic 0x55667788, PFC, ACFC, Callback 6 */
static const uint8_t cli_lcp1[] = { 0x01, 0x04, 0x05, 0x78, 0x05, 0x06, 0x55, 0x66, 0x77, 0x88,
                                    0x07, 0x02, 0x08, 0x02, 0x0d, 0x03, 0x06 };
static const uint8_t callback[] = { 0x0d, 0x03, 0x06 };
static const uint8_t cli_lcp2[] = { 0x01, 0x04, 0x05, 0x78, 0x05, 0x06, 0x55, 0x66, 0x77, 0x88,
                                    0x07, 0x02, 0x08, 0x02 };
static const uint8_t mppe_128s[] = { 0x12, 0x06, 0x01, 0x00, 0x00, 0x40 };
static const uint8_t mppe_all[] = { 0x12, 0x06, 0x01, 0x00, 0x00, 0xe0 };
static const uint8_t ip_zero[] = { 0x03, 0x06, 0, 0, 0, 0, 0x81, 0x06, 0, 0, 0, 0 };
static const uint8_t ip_srv[] = { 0x03, 0x06, 10, 0, 0, 1 };
static const uint8_t ip_got[] = { 0x03, 0x06, 10, 0, 0, 5, 0x81, 0x06, 10, 0, 0, 1 };
static const uint8_t ifid[] = { 0x01, 0x0a, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };

/* ---- feeding ---------------------------------------------------------------------------- */

typedef struct link_fx {
    pd_ppp_link l;
    uint64_t frame; /* last frame number used */
} link_fx;

static void feed_bytes(link_fx *x, int dir, const uint8_t *bytes, size_t n)
{
    uint8_t *copy = g_memdup2(bytes, n ? n : 1);
    pd_ppp_frame f;
    pd_ppp_decode(n ? copy : NULL, n, n, &f);
    x->frame++;
    pd_ppp_link_feed(&x->l, &f, dir, x->frame, (int64_t)x->frame * SEC);
    g_free(copy); /* the tracker keeps nothing pointing into the frame */
}

/* ff 03 <proto> <code> <id> <len> <body> */
static void feed(link_fx *x, int dir, uint16_t proto, uint8_t code, uint8_t id, const void *body,
                 size_t blen)
{
    uint8_t b[512];
    assert_true(blen + 8 <= sizeof b);
    b[0] = 0xff;
    b[1] = 0x03;
    b[2] = (uint8_t)(proto >> 8);
    b[3] = (uint8_t)proto;
    b[4] = code;
    b[5] = id;
    b[6] = (uint8_t)((blen + 4) >> 8);
    b[7] = (uint8_t)(blen + 4);
    if (blen)
        memcpy(b + 8, body, blen);
    feed_bytes(x, dir, b, blen + 8);
}

#define FEED(x, dir, proto, code, id, arr) feed((x), (dir), (proto), (code), (id), (arr), sizeof(arr))
#define FEED_STR(x, dir, proto, code, id, s) feed((x), (dir), (proto), (code), (id), (s), strlen(s))

static void fx_init(link_fx *x)
{
    memset(x, 0, sizeof *x);
    pd_ppp_link_init(&x->l);
}

/* LCP both ways with MS-CHAPv2 asked by the server (frames 1-6). */
static void lcp_open(link_fx *x)
{
    FEED(x, S2C, PD_PPP_LCP, PD_CP_CONF_REQ, 1, srv_lcp);
    FEED(x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, 0, cli_lcp1);
    FEED(x, C2S, PD_PPP_LCP, PD_CP_CONF_ACK, 1, srv_lcp);
    FEED(x, S2C, PD_PPP_LCP, PD_CP_CONF_REJ, 0, callback);
    FEED(x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, 1, cli_lcp2);
    FEED(x, S2C, PD_PPP_LCP, PD_CP_CONF_ACK, 1, cli_lcp2);
}

static void chap_exchange(link_fx *x, const char *verdict, uint8_t code)
{
    uint8_t challenge[1 + 16 + 4] = { 16 };
    memcpy(challenge + 17, "RRAS", 4);
    FEED(x, S2C, PD_PPP_CHAP, PD_CHAP_CHALLENGE, 0x2a, challenge);
    uint8_t response[1 + 49 + 5] = { 49 };
    memcpy(response + 50, "alice", 5);
    FEED(x, C2S, PD_PPP_CHAP, PD_CHAP_RESPONSE, 0x2a, response);
    FEED_STR(x, S2C, PD_PPP_CHAP, code, 0x2a, verdict);
}

static const char ms_success[] = "S=0123456789ABCDEF0123456789ABCDEF01234567 M=Access granted";
static const char ms_fail691[] =
    "E=691 R=0 C=8A3F1E22D35B6A8C3F5E8A1B2C3D4E5F V=3 M=Authentication failed";

/* ---- the healthy link ------------------------------------------------------------------- */

static void test_healthy_negotiation(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    pd_ppp_link *l = &x.l;

    lcp_open(&x);
    assert_true(pd_ppp_link_lcp_opened(l));
    assert_int_equal(l->cp_opened_frame[PD_PPP_CP_LCP], 6);
    assert_int_equal(l->cp_opened_ts[PD_PPP_CP_LCP], 6 * SEC);
    const pd_ppp_cp_side *lc = &l->cp[PD_PPP_CP_LCP][C2S], *ls = &l->cp[PD_PPP_CP_LCP][S2C];
    assert_int_equal(lc->state, PD_CP_OPENED);
    assert_int_equal(ls->state, PD_CP_OPENED);
    assert_int_equal(lc->conf_req, 2);
    assert_int_equal(lc->first_req_frame, 2);
    assert_int_equal(lc->last_req_frame, 5);
    assert_int_equal(lc->last_req_id, 1);
    assert_int_equal(lc->acks_received, 1);
    assert_int_equal(lc->first_ack_frame, 6);
    assert_int_equal(lc->acks_sent, 1);
    assert_int_equal(lc->reqs_unanswered, 0);
    assert_int_equal(ls->rejects_sent, 1);
    assert_int_equal(ls->first_rej_frame, 4);
    assert_int_equal(ls->rej_types.n, 1);
    assert_int_equal(ls->rej_types.types[0], PD_LCP_OPT_CALLBACK);
    assert_int_equal(lc->req_types.n, 5);
    assert_true(lc->acked.lcp.has_mru);
    assert_int_equal(lc->acked.lcp.mru, 1400);
    assert_false(lc->acked.lcp.has_callback);
    /* auth from the acked option */
    assert_true(l->auth.negotiated);
    assert_int_equal(l->auth.protocol, PD_PPP_CHAP);
    assert_int_equal(l->auth.algorithm, PD_CHAP_MSCHAPV2);
    assert_int_equal(l->auth.authenticator_dir, S2C);
    assert_int_equal(l->auth.negotiated_frame, 3);
    assert_false(pd_ppp_link_auth_done(l));

    chap_exchange(&x, ms_success, PD_CHAP_SUCCESS); /* 7-9 */
    assert_true(pd_ppp_link_auth_done(l));
    assert_false(pd_ppp_link_auth_failed(l));
    assert_int_equal(l->auth.result, PD_PPP_AUTH_SUCCESS);
    assert_int_equal(l->auth.result_frame, 9);
    assert_int_equal(l->auth.challenges, 1);
    assert_int_equal(l->auth.responses, 1);
    assert_int_equal(l->auth.first_challenge_frame, 7);
    assert_string_equal(l->auth.peer_name, "alice");
    assert_string_equal(l->auth.message, "Access granted");
    assert_int_equal(l->auth.seen_protocol, PD_PPP_CHAP);

    /* CCP: the client offers all strengths, is Nak'd down to 128-bit stateless */
    FEED(&x, S2C, PD_PPP_CCP, PD_CP_CONF_REQ, 1, mppe_128s);  /* 10 */
    FEED(&x, C2S, PD_PPP_CCP, PD_CP_CONF_REQ, 1, mppe_all);   /* 11 */
    FEED(&x, C2S, PD_PPP_CCP, PD_CP_CONF_ACK, 1, mppe_128s);  /* 12 */
    FEED(&x, S2C, PD_PPP_CCP, PD_CP_CONF_NAK, 1, mppe_128s);  /* 13 */
    assert_false(pd_ppp_link_ccp_opened(l));
    assert_int_equal(l->cp[PD_PPP_CP_CCP][S2C].state, PD_CP_ACK_RCVD);
    assert_int_equal(l->cp[PD_PPP_CP_CCP][C2S].state, PD_CP_ACK_SENT);
    FEED(&x, C2S, PD_PPP_CCP, PD_CP_CONF_REQ, 2, mppe_128s);  /* 14 */
    FEED(&x, S2C, PD_PPP_CCP, PD_CP_CONF_ACK, 2, mppe_128s);  /* 15 */
    assert_true(pd_ppp_link_ccp_opened(l));
    assert_int_equal(l->cp_opened_frame[PD_PPP_CP_CCP], 15);
    assert_true(pd_ppp_link_mppe(l));
    assert_int_equal(l->cp[PD_PPP_CP_CCP][S2C].naks_sent, 1);
    assert_int_equal(l->cp[PD_PPP_CP_CCP][S2C].last_nak.ccp.mppe_bits, PD_MPPE_H | PD_MPPE_S);
    assert_int_equal(l->cp[PD_PPP_CP_CCP][C2S].acked.ccp.mppe_bits, PD_MPPE_H | PD_MPPE_S);

    /* IPCP: the client asks for 0.0.0.0 and is given 10.0.0.5 */
    FEED(&x, C2S, PD_PPP_IPCP, PD_CP_CONF_REQ, 3, ip_zero);   /* 16 */
    FEED(&x, S2C, PD_PPP_IPCP, PD_CP_CONF_REQ, 1, ip_srv);    /* 17 */
    FEED(&x, C2S, PD_PPP_IPCP, PD_CP_CONF_ACK, 1, ip_srv);    /* 18 */
    FEED(&x, S2C, PD_PPP_IPCP, PD_CP_CONF_NAK, 3, ip_got);    /* 19 */
    FEED(&x, C2S, PD_PPP_IPCP, PD_CP_CONF_REQ, 4, ip_got);    /* 20 */
    FEED(&x, S2C, PD_PPP_IPCP, PD_CP_CONF_ACK, 4, ip_got);    /* 21 */
    assert_true(pd_ppp_link_ipcp_opened(l));
    assert_int_equal(l->cp_opened_frame[PD_PPP_CP_IPCP], 21);
    static const uint8_t a5[4] = { 10, 0, 0, 5 }, a1[4] = { 10, 0, 0, 1 };
    const pd_ppp_cp_side *ic = &l->cp[PD_PPP_CP_IPCP][C2S], *is = &l->cp[PD_PPP_CP_IPCP][S2C];
    assert_true(ic->acked.ipcp.has_address);
    assert_memory_equal(ic->acked.ipcp.address, a5, 4);
    assert_memory_equal(ic->acked.ipcp.dns1, a1, 4);
    assert_memory_equal(is->acked.ipcp.address, a1, 4);
    assert_int_equal(is->nak_types.n, 2);
    assert_int_equal(is->nak_types.types[0], PD_IPCP_OPT_ADDRESS);
    assert_int_equal(is->nak_types.types[1], PD_IPCP_OPT_DNS1);
    assert_memory_equal(is->last_nak.ipcp.address, a5, 4);

    /* IPV6CP is not wanted: the server Protocol-Rejects it */
    FEED(&x, C2S, PD_PPP_IPV6CP, PD_CP_CONF_REQ, 5, ifid);    /* 22 */
    static const uint8_t rej6[] = { 0x80, 0x57, 0x01, 0x05, 0x00, 0x0e };
    FEED(&x, S2C, PD_PPP_LCP, PD_LCP_PROTO_REJ, 2, rej6);     /* 23 */
    assert_false(pd_ppp_link_ipv6cp_opened(l));
    assert_int_equal(pd_ppp_link_unanswered_reqs(l, PD_PPP_CP_IPV6CP, C2S), 1);
    assert_int_equal(l->dir[S2C].proto_rejects, 1);
    assert_int_equal(l->dir[S2C].first_proto_rej_frame, 23);
    assert_int_equal(l->dir[S2C].n_rejected_protocols, 1);
    assert_int_equal(l->dir[S2C].rejected_protocols[0], PD_PPP_IPV6CP);

    /* data and keepalives */
    static const uint8_t comp[] = { 0x00, 0xfd, 0x90, 0x00, 0x11, 0x22 };
    static const uint8_t comp_pfc[] = { 0xfd, 0x90, 0x01, 0x33 };
    feed_bytes(&x, C2S, comp, sizeof comp);                   /* 24 */
    feed_bytes(&x, S2C, comp_pfc, sizeof comp_pfc);           /* 25 */
    feed_bytes(&x, C2S, comp_pfc, sizeof comp_pfc);           /* 26 */
    static const uint8_t magic_s[] = { 0x11, 0x22, 0x33, 0x44 }, magic_c[] = { 0x55, 0x66, 0x77, 0x88 };
    FEED(&x, S2C, PD_PPP_LCP, PD_LCP_ECHO_REQ, 3, magic_s);   /* 27 */
    FEED(&x, C2S, PD_PPP_LCP, PD_LCP_ECHO_REP, 3, magic_c);   /* 28 */

    assert_int_equal(l->dir[C2S].compressed, 2);
    assert_int_equal(l->dir[C2S].first_compressed_frame, 24);
    assert_int_equal(l->dir[C2S].last_compressed_frame, 26);
    assert_int_equal(l->dir[C2S].compressed_bytes, 4 + 3);
    assert_int_equal(l->dir[S2C].compressed, 1);
    assert_int_equal(l->dir[S2C].echo_req, 1);
    assert_int_equal(l->dir[S2C].first_echo_req_frame, 27);
    assert_int_equal(l->dir[C2S].echo_rep, 1);
    assert_int_equal(l->dir[C2S].last_echo_rep_frame, 28);

    assert_int_equal(l->frames, 28);
    assert_int_equal(l->first_frame, 1);
    assert_int_equal(l->last_frame, 28);
    assert_int_equal(l->dir[C2S].frames + l->dir[S2C].frames, 28);
    assert_int_equal(pd_ppp_link_malformed(l), 0);
    assert_false(pd_ppp_link_looped(l));
    assert_false(pd_ppp_link_terminated(l, PD_PPP_CP_LCP, NULL));
    assert_true(pd_ppp_link_cp_open_now(l, PD_PPP_CP_LCP));
    assert_string_equal(pd_ppp_cp_state_name(l->cp[PD_PPP_CP_IPCP][C2S].state), "opened");
}

/* ---- failures ---------------------------------------------------------------------------- */

/* Error 721 shape: the client's LCP Configure-Requests go unanswered. */
static void test_unanswered_confreqs(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    for (uint8_t i = 0; i < 10; i++)
        FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, i, cli_lcp1);
    const pd_ppp_cp_side *s = &x.l.cp[PD_PPP_CP_LCP][C2S];
    assert_int_equal(s->conf_req, 10);
    assert_int_equal(s->reqs_unanswered, 10);
    assert_int_equal(pd_ppp_link_unanswered_reqs(&x.l, PD_PPP_CP_LCP, C2S), 10);
    assert_int_equal(pd_ppp_link_unanswered_reqs(&x.l, PD_PPP_CP_LCP, S2C), 0);
    assert_int_equal(s->first_req_frame, 1);
    assert_int_equal(s->last_req_frame, 10);
    assert_int_equal(s->first_req_ts, 1 * SEC);
    assert_int_equal(s->last_req_ts, 10 * SEC);
    assert_int_equal(s->last_req_id, 9);
    assert_int_equal(s->acks_received, 0);
    assert_int_equal(s->state, PD_CP_REQ_SENT);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][S2C].state, PD_CP_INITIAL);
    assert_false(pd_ppp_link_lcp_opened(&x.l));
    assert_false(pd_ppp_link_auth_done(&x.l));
    assert_int_equal(x.l.dir[S2C].frames, 0);

    /* the server finally answers with a Nak: the count restarts */
    static const uint8_t nak_mru[] = { 0x01, 0x04, 0x05, 0xdc };
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_NAK, 9, nak_mru);
    assert_int_equal(pd_ppp_link_unanswered_reqs(&x.l, PD_PPP_CP_LCP, C2S), 0);
}

/* Error 691: MS-CHAPv2 failure, then the server terminates LCP. */
static void test_auth_failure_691(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    lcp_open(&x);
    chap_exchange(&x, ms_fail691, PD_CHAP_FAILURE); /* 7-9 */
    const pd_ppp_auth *a = &x.l.auth;
    assert_true(pd_ppp_link_auth_failed(&x.l));
    assert_false(pd_ppp_link_auth_done(&x.l));
    assert_int_equal(a->result, PD_PPP_AUTH_FAILURE);
    assert_int_equal(a->result_frame, 9);
    assert_int_equal(a->first_failure_frame, 9);
    assert_int_equal(a->failures, 1);
    assert_true(a->has_error_code);
    assert_int_equal(a->error_code, 691);
    assert_false(a->retry_allowed);
    assert_true(a->has_version);
    assert_int_equal(a->mschap_version, 3);
    assert_string_equal(a->message, "Authentication failed");
    assert_string_equal(pd_ppp_auth_result_name(a->result), "failure");

    FEED_STR(&x, S2C, PD_PPP_LCP, PD_CP_TERM_REQ, 3, "Authentication failed"); /* 10 */
    const pd_ppp_cp_side *ls = &x.l.cp[PD_PPP_CP_LCP][S2C];
    assert_int_equal(ls->term_req, 1);
    assert_int_equal(ls->first_term_req_frame, 10);
    assert_string_equal(ls->term_reason, "Authentication failed");
    assert_int_equal(ls->state, PD_CP_CLOSING);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][C2S].state, PD_CP_CLOSING);
    int who = -1;
    assert_true(pd_ppp_link_terminated(&x.l, PD_PPP_CP_LCP, &who));
    assert_int_equal(who, S2C);
    FEED_STR(&x, C2S, PD_PPP_LCP, PD_CP_TERM_ACK, 3, "");
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][C2S].term_ack, 1);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][C2S].first_term_ack_frame, 11);
    assert_int_equal(ls->state, PD_CP_CLOSED);
    /* it did open once, it is not open now */
    assert_true(pd_ppp_link_lcp_opened(&x.l));
    assert_false(pd_ppp_link_cp_open_now(&x.l, PD_PPP_CP_LCP));
}

/* MS-CHAPv2 retry: failure with R=1, then success. */
static void test_auth_retry_then_success(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    lcp_open(&x);
    chap_exchange(&x, "E=691 R=1 C=00000000000000000000000000000000 V=3 M=Retry", PD_CHAP_FAILURE);
    assert_true(x.l.auth.retry_allowed);
    chap_exchange(&x, ms_success, PD_CHAP_SUCCESS);
    assert_true(pd_ppp_link_auth_done(&x.l));
    assert_int_equal(x.l.auth.failures, 1);
    assert_int_equal(x.l.auth.successes, 1);
    assert_int_equal(x.l.auth.first_failure_frame, 9);
    assert_int_equal(x.l.auth.result_frame, 12);
    assert_int_equal(x.l.auth.challenges, 2);
}

/* IPCP Nak loop: the server naks every request, nothing ever opens. */
static void test_ipcp_nak_loop(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    lcp_open(&x);
    chap_exchange(&x, ms_success, PD_CHAP_SUCCESS);
    FEED(&x, S2C, PD_PPP_IPCP, PD_CP_CONF_REQ, 1, ip_srv);
    FEED(&x, C2S, PD_PPP_IPCP, PD_CP_CONF_ACK, 1, ip_srv);
    for (uint8_t i = 0; i < 10; i++) {
        FEED(&x, C2S, PD_PPP_IPCP, PD_CP_CONF_REQ, (uint8_t)(10 + i), ip_zero);
        FEED(&x, S2C, PD_PPP_IPCP, PD_CP_CONF_NAK, (uint8_t)(10 + i), ip_zero);
    }
    const pd_ppp_cp_side *ic = &x.l.cp[PD_PPP_CP_IPCP][C2S], *is = &x.l.cp[PD_PPP_CP_IPCP][S2C];
    assert_false(pd_ppp_link_ipcp_opened(&x.l));
    assert_int_equal(ic->conf_req, 10);
    assert_int_equal(ic->acks_received, 0);
    assert_int_equal(ic->reqs_unanswered, 0);
    assert_int_equal(is->naks_sent, 10);
    assert_int_equal(is->nak_types.n, 2);
    assert_int_equal(ic->state, PD_CP_ACK_SENT);
    assert_int_equal(is->state, PD_CP_ACK_RCVD);
    assert_string_equal(pd_ppp_cp_state_name(is->state), "ack-rcvd");
    assert_true(is->last_nak.ipcp.has_address);
}

/* CCP rejected: the client refuses MPPE, then Protocol-Rejects CCP. */
static void test_ccp_rejected(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    lcp_open(&x);
    chap_exchange(&x, ms_success, PD_CHAP_SUCCESS);
    FEED(&x, S2C, PD_PPP_CCP, PD_CP_CONF_REQ, 1, mppe_128s);  /* 10 */
    FEED(&x, C2S, PD_PPP_CCP, PD_CP_CONF_REJ, 1, mppe_128s);  /* 11 */
    const pd_ppp_cp_side *cc = &x.l.cp[PD_PPP_CP_CCP][C2S];
    assert_int_equal(cc->rejects_sent, 1);
    assert_int_equal(cc->first_rej_frame, 11);
    assert_int_equal(cc->rej_types.n, 1);
    assert_int_equal(cc->rej_types.types[0], PD_CCP_OPT_MPPE);
    assert_int_equal(x.l.cp[PD_PPP_CP_CCP][S2C].reqs_unanswered, 0);
    assert_false(pd_ppp_link_ccp_opened(&x.l));
    assert_false(pd_ppp_link_mppe(&x.l));

    static const uint8_t rej_ccp[] = { 0x80, 0xfd, 0x01, 0x02, 0x00, 0x0a };
    FEED(&x, C2S, PD_PPP_LCP, PD_LCP_PROTO_REJ, 4, rej_ccp); /* 12 */
    assert_int_equal(x.l.dir[C2S].proto_rejects, 1);
    assert_int_equal(x.l.dir[C2S].rejected_protocols[0], PD_PPP_CCP);
    /* the same protocol twice is listed once */
    FEED(&x, C2S, PD_PPP_LCP, PD_LCP_PROTO_REJ, 5, rej_ccp);
    assert_int_equal(x.l.dir[C2S].proto_rejects, 2);
    assert_int_equal(x.l.dir[C2S].n_rejected_protocols, 1);

    /* CCP opened, but with no encryption bit: not MPPE */
    fx_init(&x);
    static const uint8_t mppc_only[] = { 0x12, 0x06, 0x00, 0x00, 0x00, 0x01 };
    FEED(&x, S2C, PD_PPP_CCP, PD_CP_CONF_REQ, 1, mppc_only);
    FEED(&x, C2S, PD_PPP_CCP, PD_CP_CONF_REQ, 1, mppc_only);
    FEED(&x, C2S, PD_PPP_CCP, PD_CP_CONF_ACK, 1, mppc_only);
    FEED(&x, S2C, PD_PPP_CCP, PD_CP_CONF_ACK, 1, mppc_only);
    assert_true(pd_ppp_link_ccp_opened(&x.l));
    assert_false(pd_ppp_link_mppe(&x.l));
}

/* Auth-protocol mismatch: the client Naks MS-CHAPv2 and proposes CHAP-MD5. */
static void test_auth_nak(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    static const uint8_t md5[] = { 0x03, 0x05, 0xc2, 0x23, 0x05 };
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_REQ, 1, srv_lcp);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_NAK, 1, md5);
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_REQ, 2, srv_lcp);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_NAK, 2, md5);
    const pd_ppp_cp_side *lc = &x.l.cp[PD_PPP_CP_LCP][C2S];
    assert_int_equal(lc->naks_sent, 2);
    assert_int_equal(lc->nak_types.n, 1);
    assert_int_equal(lc->nak_types.types[0], PD_LCP_OPT_AUTH);
    assert_int_equal(lc->last_nak.lcp.auth_algorithm, PD_CHAP_MD5);
    assert_false(x.l.auth.negotiated);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][S2C].last_req.lcp.auth_algorithm, PD_CHAP_MSCHAPV2);
}

/* An Ack whose identifier does not match the last request is discarded. */
static void test_stale_ack(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, 5, cli_lcp2);
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_ACK, 4, cli_lcp2);
    const pd_ppp_cp_side *lc = &x.l.cp[PD_PPP_CP_LCP][C2S];
    assert_int_equal(lc->acks_stale, 1);
    assert_int_equal(lc->acks_received, 0);
    assert_false(lc->req_acked);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][S2C].acks_sent, 0);
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_ACK, 5, cli_lcp2);
    assert_int_equal(lc->acks_received, 1);
    assert_int_equal(lc->state, PD_CP_ACK_RCVD);

    /* an Ack for a request the capture never saw is taken */
    fx_init(&x);
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_ACK, 77, cli_lcp2);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][C2S].acks_received, 1);
}

/* Mangled frames are counted per direction with their reasons. */
static void test_malformed(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    /* LCP without FF 03: counted, still tracked */
    uint8_t b[64] = { 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 + sizeof cli_lcp2 };
    memcpy(b + 6, cli_lcp2, sizeof cli_lcp2);
    feed_bytes(&x, C2S, b, 6 + sizeof cli_lcp2);
    /* option length 0 */
    static const uint8_t opt0[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x02, 0x00, 0x08, 0x01, 0x00,
                                    0x05, 0x78 };
    feed_bytes(&x, C2S, opt0, sizeof opt0);
    /* LCP Length 65535 */
    static const uint8_t biglen[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x03, 0xff, 0xff, 0x01, 0x04 };
    feed_bytes(&x, C2S, biglen, sizeof biglen);
    /* bad control byte */
    static const uint8_t badctl[] = { 0xff, 0x13, 0xc0, 0x21, 0x01, 0x03, 0x00, 0x04 };
    feed_bytes(&x, C2S, badctl, sizeof badctl);
    /* a fifth one: counted, frames list stays at 4 */
    feed_bytes(&x, C2S, badctl, sizeof badctl);
    /* unknown protocol: not mangling, counted separately */
    static const uint8_t unk[] = { 0xff, 0x03, 0x12, 0x35, 0x00 };
    feed_bytes(&x, S2C, unk, sizeof unk);
    /* empty frame */
    feed_bytes(&x, S2C, NULL, 0);

    const pd_ppp_dir_stats *d = &x.l.dir[C2S];
    assert_int_equal(d->malformed, 5);
    assert_int_equal(d->malformed_frames[0], 1);
    assert_int_equal(d->malformed_reasons[0], PD_PPP_DAMAGE_LCP_NO_ADDRCTL);
    assert_int_equal(d->malformed_frames[1], 2);
    assert_int_equal(d->malformed_reasons[1], PD_PPP_DAMAGE_OPTION_SHORT);
    assert_int_equal(d->malformed_reasons[2], PD_PPP_DAMAGE_LENGTH_LONG);
    assert_int_equal(d->malformed_reasons[3], PD_PPP_DAMAGE_BAD_CONTROL);
    /* the decodable one went into the negotiation, the others did not */
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][C2S].conf_req, 1);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][C2S].last_req_id, 1);
    assert_int_equal(x.l.dir[S2C].unknown_protocol, 1);
    assert_int_equal(x.l.dir[S2C].last_unknown_protocol, 0x1235);
    assert_int_equal(x.l.dir[S2C].other_control, 0);
    assert_int_equal(x.l.dir[S2C].malformed, 1); /* the empty frame */
    assert_int_equal(x.l.dir[S2C].malformed_reasons[0], PD_PPP_DAMAGE_EMPTY);
    assert_int_equal(pd_ppp_link_malformed(&x.l), 6);

    /* truncated (snaplen) frames are counted as such, not as malformed */
    fx_init(&x);
    pd_ppp_frame f;
    pd_ppp_decode(opt0, 6, sizeof opt0, &f);
    pd_ppp_link_feed(&x.l, &f, S2C, 1, 0);
    assert_int_equal(x.l.dir[S2C].truncated, 1);
    assert_int_equal(x.l.dir[S2C].malformed, 0);
}

/* Both sides request the same magic number: a looped link. */
static void test_looped(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, 1, srv_lcp);
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_REQ, 1, srv_lcp);
    assert_true(pd_ppp_link_looped(&x.l));
}

/* No Auth-Protocol requested: auth is trivially done once LCP opens. */
static void test_no_auth(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, 1, cli_lcp2);
    assert_false(pd_ppp_link_auth_done(&x.l));
    feed(&x, S2C, PD_PPP_LCP, PD_CP_CONF_REQ, 1, cli_lcp2 + 4, sizeof cli_lcp2 - 4); /* Magic.. */
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_ACK, 1, cli_lcp2);
    assert_false(pd_ppp_link_lcp_opened(&x.l));
    feed(&x, C2S, PD_PPP_LCP, PD_CP_CONF_ACK, 1, cli_lcp2 + 4, sizeof cli_lcp2 - 4);
    assert_true(pd_ppp_link_lcp_opened(&x.l));
    assert_true(pd_ppp_link_auth_done(&x.l));
    assert_false(x.l.auth.negotiated);
}

/* A Configure-Request after Opened restarts the negotiation. */
static void test_renegotiation(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    lcp_open(&x);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, 2, cli_lcp2); /* 7 */
    const pd_ppp_cp_side *lc = &x.l.cp[PD_PPP_CP_LCP][C2S];
    assert_int_equal(lc->renegotiations, 1);
    /* RFC 1661: both automatons leave Opened and negotiate afresh */
    assert_int_equal(lc->state, PD_CP_REQ_SENT);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][S2C].state, PD_CP_REQ_SENT);
    assert_true(pd_ppp_link_lcp_opened(&x.l)); /* it was open */
    assert_false(pd_ppp_link_cp_open_now(&x.l, PD_PPP_CP_LCP));
    assert_int_equal(lc->opened_frame, 6);
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_ACK, 2, cli_lcp2);
    assert_false(pd_ppp_link_cp_open_now(&x.l, PD_PPP_CP_LCP)); /* server's own not re-acked */
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_REQ, 2, srv_lcp);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_ACK, 2, srv_lcp);
    assert_true(pd_ppp_link_cp_open_now(&x.l, PD_PPP_CP_LCP));
    assert_int_equal(x.l.cp_opened_frame[PD_PPP_CP_LCP], 6); /* the first opening */

    /* after a Terminate, a new request starts over */
    FEED_STR(&x, S2C, PD_PPP_LCP, PD_CP_TERM_REQ, 9, "");
    FEED_STR(&x, C2S, PD_PPP_LCP, PD_CP_TERM_ACK, 9, "");
    assert_int_equal(lc->state, PD_CP_CLOSED);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, 3, cli_lcp2);
    assert_int_equal(lc->state, PD_CP_REQ_SENT);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][S2C].state, PD_CP_INITIAL);
}

static void test_eap_and_pap(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    static const uint8_t eap_opt[] = { 0x03, 0x04, 0xc2, 0x27 };
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CONF_REQ, 1, eap_opt);
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_ACK, 1, eap_opt);
    assert_int_equal(x.l.auth.protocol, PD_PPP_EAP);
    FEED_STR(&x, S2C, PD_PPP_EAP, PD_EAP_REQUEST, 1, "\x01");
    FEED_STR(&x, C2S, PD_PPP_EAP, PD_EAP_RESPONSE, 1, "\x01" "alice@corp");
    FEED_STR(&x, S2C, PD_PPP_EAP, PD_EAP_REQUEST, 2, "\x19\x20");   /* PEAP start */
    FEED_STR(&x, C2S, PD_PPP_EAP, PD_EAP_RESPONSE, 2, "\x03\x1a");  /* Nak, wants MSCHAPv2 */
    FEED_STR(&x, S2C, PD_PPP_EAP, PD_EAP_REQUEST, 3, "\x1a\x01");
    FEED_STR(&x, S2C, PD_PPP_EAP, PD_EAP_FAILURE, 3, "");
    const pd_ppp_auth *a = &x.l.auth;
    assert_string_equal(a->peer_name, "alice@corp");
    assert_int_equal(a->eap_first_type, PD_EAP_TYPE_PEAP);
    assert_int_equal(a->eap_nak_type, PD_EAP_TYPE_MSCHAPV2);
    assert_int_equal(a->eap_requests, 3);
    assert_int_equal(a->eap_types.n, 3);
    assert_int_equal(a->result, PD_PPP_AUTH_FAILURE);
    assert_int_equal(a->authenticator_dir, S2C);
    assert_false(a->has_error_code);

    fx_init(&x);
    static const uint8_t pap_req[] = { 0x03, 'b', 'o', 'b', 0x02, 'p', 'w' };
    FEED(&x, C2S, PD_PPP_PAP, PD_PAP_AUTH_REQ, 1, pap_req);
    static const uint8_t pap_nak[] = { 0x0c, 'B', 'a', 'd', ' ', 'p', 'a', 's', 's', 'w', 'o', 'r', 'd' };
    FEED(&x, S2C, PD_PPP_PAP, PD_PAP_AUTH_NAK, 1, pap_nak);
    assert_string_equal(x.l.auth.peer_name, "bob");
    assert_int_equal(x.l.auth.seen_protocol, PD_PPP_PAP);
    assert_int_equal(x.l.auth.result, PD_PPP_AUTH_FAILURE);
    assert_string_equal(x.l.auth.message, "Bad password");
    assert_int_equal(x.l.auth.authenticator_dir, S2C);
    static const uint8_t pap_ack[] = { 0x00 };
    FEED(&x, S2C, PD_PPP_PAP, PD_PAP_AUTH_ACK, 2, pap_ack);
    assert_int_equal(x.l.auth.result, PD_PPP_AUTH_SUCCESS);
    assert_string_equal(x.l.auth.message, "");
    assert_true(pd_ppp_link_auth_done(&x.l));
}

static void test_misc(void **state)
{
    (void)state;
    link_fx x;
    fx_init(&x);
    /* bad directions are ignored */
    pd_ppp_frame f;
    pd_ppp_decode((const uint8_t *)"\x21\x45", 2, 2, &f);
    pd_ppp_link_feed(&x.l, &f, 2, 1, 0);
    pd_ppp_link_feed(&x.l, &f, -1, 1, 0);
    assert_int_equal(x.l.frames, 0);
    pd_ppp_link_feed(&x.l, &f, C2S, 5, 0);
    assert_int_equal(x.l.dir[C2S].network, 1);
    assert_int_equal(x.l.dir[C2S].first_network_frame, 5);
    /* other control protocols (CBCP, BACP) are counted */
    static const uint8_t cbcp[] = { 0xff, 0x03, 0xc0, 0x29, 0x01, 0x01, 0x00, 0x04 };
    feed_bytes(&x, S2C, cbcp, sizeof cbcp);
    assert_int_equal(x.l.dir[S2C].other_control, 1);
    /* Code-Reject */
    static const uint8_t coderej[] = { 0x0c, 0x07, 0x00, 0x08 };
    FEED(&x, S2C, PD_PPP_LCP, PD_CP_CODE_REJ, 4, coderej);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][S2C].code_rejects, 1);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][S2C].last_rejected_code, 12);
    /* more than 8 distinct option types requested: the list caps */
    uint8_t many[2 * 12];
    for (size_t i = 0; i < 12; i++) {
        many[2 * i] = (uint8_t)(100 + i);
        many[2 * i + 1] = 2;
    }
    FEED(&x, C2S, PD_PPP_LCP, PD_CP_CONF_REQ, 1, many);
    assert_int_equal(x.l.cp[PD_PPP_CP_LCP][C2S].req_types.n, PD_PPP_TRACK_MAX_TYPES);
    assert_true(x.l.cp[PD_PPP_CP_LCP][C2S].req_types.overflow);

    /* names */
    assert_int_equal(pd_ppp_cp_from_protocol(PD_PPP_IPV6CP), PD_PPP_CP_IPV6CP);
    assert_int_equal(pd_ppp_cp_from_protocol(PD_PPP_PAP), -1);
    assert_string_equal(pd_ppp_cp_name(PD_PPP_CP_CCP), "CCP");
    assert_string_equal(pd_ppp_cp_name(PD_PPP_CP__COUNT), "Unknown");
    assert_string_equal(pd_ppp_cp_state_name(PD_CP_REQ_SENT), "req-sent");
    assert_string_equal(pd_ppp_cp_state_name(PD_CP_CLOSED), "closed");
    assert_string_equal(pd_ppp_auth_result_name(PD_PPP_AUTH_NONE), "none");
    assert_false(pd_ppp_link_cp_opened(&x.l, PD_PPP_CP__COUNT));
    assert_int_equal(pd_ppp_link_unanswered_reqs(&x.l, PD_PPP_CP_LCP, 5), 0);
    assert_false(pd_ppp_link_terminated(&x.l, PD_PPP_CP__COUNT, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy_negotiation),
        cmocka_unit_test(test_unanswered_confreqs),
        cmocka_unit_test(test_auth_failure_691),
        cmocka_unit_test(test_auth_retry_then_success),
        cmocka_unit_test(test_ipcp_nak_loop),
        cmocka_unit_test(test_ccp_rejected),
        cmocka_unit_test(test_auth_nak),
        cmocka_unit_test(test_stale_ack),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_looped),
        cmocka_unit_test(test_no_auth),
        cmocka_unit_test(test_renegotiation),
        cmocka_unit_test(test_eap_and_pap),
        cmocka_unit_test(test_misc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
