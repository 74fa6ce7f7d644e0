/* test_ike_policy.c - strongSwan proposal strings (parse), compact notation
 * (print) and offered-vs-policy comparison (ike_policy.c).
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

#include "ike_names.h"
#include "ike_policy.h"
#include "ikev1.h"

static char *print_policy(const char *text)
{
    pd_ike_policy pol;
    GError *err = NULL;
    if (!pd_ike_policy_parse(text, &pol, &err))
        fail_msg("'%s' did not parse: %s", text, err ? err->message : "?");
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < pol.n_proposals; i++) {
        if (i)
            g_string_append(s, ", ");
        pd_ike_proposal_format(&pol.proposals[i], s);
    }
    pd_ike_policy_clear(&pol);
    return g_string_free(s, FALSE);
}

static void expect_print(const char *text, const char *printed)
{
    char *s = print_policy(text);
    if (strcmp(s, printed) != 0)
        fail_msg("'%s' printed as '%s', expected '%s'", text, s, printed);
    g_free(s);
}

/* ---- parsing ---------------------------------------------------------------------- */

static void test_parse_examples(void **state)
{
    (void)state;
    expect_print("aes256-sha256-modp2048",
                 "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
    expect_print("aes128gcm16-prfsha256-ecp256", "IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256");
    expect_print("3des-sha1-modp1024", "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024");
    /* Several algorithms per type; PRFs derived from each integrity algorithm. */
    expect_print("aes128-aes256-sha1-sha256-modp2048-ecp256",
                 "IKE:AES_CBC_128/AES_CBC_256/HMAC_SHA1_96/HMAC_SHA2_256_128/PRF_HMAC_SHA1/"
                 "PRF_HMAC_SHA2_256/MODP_2048/ECP_256");
    /* AEAD in IKE: an integrity keyword gives the PRF, then is dropped. */
    expect_print("aes256gcm16-sha384-ecp384", "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
    /* Lists; the prefix holds for the following proposals. */
    expect_print("aes256-sha256-modp2048,esp:aes128-sha1,aes256gcm16-esn",
                 "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, "
                 "ESP:AES_CBC_128/HMAC_SHA1_96/no ESN, ESP:AES_GCM_16_256/ESN");
    expect_print("esp:aes128-sha256-modp2048-noesn,ike:aes128-sha256-x25519",
                 "ESP:AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/no ESN, "
                 "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519");
    expect_print("ah:sha256", "AH:HMAC_SHA2_256_128/no ESN");
    /* Case, whitespace and ipsec.conf's strict marker. */
    expect_print("  IKE:AES256-SHA256-MODP2048! , Esp:AES128GCM16 ",
                 "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, "
                 "ESP:AES_GCM_16_128/no ESN");
    /* RFC 9370 additional key exchange. */
    expect_print("aes256-sha256-x25519-ke1_mlkem768",
                 "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519/KE1_ML_KEM_768");
    /* Duplicates collapse. */
    expect_print("aes256-aes256-sha1-sha-modp1024", "IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024");
}

typedef struct kw_case {
    const char *proposal;
    uint8_t type;
    uint16_t id;
    uint16_t key_len;
} kw_case;

/* Each keyword, placed in a proposal that is otherwise complete. */
static const kw_case kw_cases[] = {
    { "aes-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_CBC, 128 },
    { "aes128-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_CBC, 128 },
    { "aes192-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_CBC, 192 },
    { "aes256ctr-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_CTR, 256 },
    { "3des-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_3DES, 0 },
    { "des-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_DES, 0 },
    { "cast128-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_CAST, 128 },
    { "blowfish-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_BLOWFISH, 128 },
    { "blowfish256-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_BLOWFISH, 256 },
    { "camellia192-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_CAMELLIA_CBC, 192 },
    { "camellia256ctr-sha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_CAMELLIA_CTR, 256 },
    { "aes128gcm8-prfsha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_GCM_8, 128 },
    { "aes192gcm12-prfsha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_GCM_12, 192 },
    { "aes256gcm64-prfsha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_GCM_8, 256 },
    { "aes256gcm-prfsha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_GCM_16, 256 },
    { "aes128ccm16-prfsha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_CCM_16, 128 },
    { "aes128ccm96-prfsha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_CCM_12, 128 },
    { "camellia128ccm8-prfsha1-modp2048", PD_IKE_XF_ENCR, PD_IKE_ENCR_CAMELLIA_CCM_8, 128 },
    { "chacha20poly1305-prfsha256-x25519", PD_IKE_XF_ENCR, PD_IKE_ENCR_CHACHA20_POLY1305, 0 },
    { "esp:aes256gmac", PD_IKE_XF_ENCR, PD_IKE_ENCR_NULL_AES_GMAC, 256 },
    { "esp:null-sha1", PD_IKE_XF_ENCR, PD_IKE_ENCR_NULL, 0 },
    { "aes-md5-modp2048", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_MD5_96, 0 },
    { "aes-sha-modp2048", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA1_96, 0 },
    { "aes-sha384-modp2048", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA2_384_192, 0 },
    { "aes-sha2_512-modp2048", PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA2_512_256, 0 },
    { "aes-aesxcbc-modp2048", PD_IKE_XF_INTEG, PD_IKE_INTEG_AES_XCBC_96, 0 },
    { "aes-aesxcbc-modp2048", PD_IKE_XF_PRF, PD_IKE_PRF_AES128_XCBC, 0 },
    { "aes-sha1-prfsha384-modp2048", PD_IKE_XF_PRF, PD_IKE_PRF_HMAC_SHA2_384, 0 },
    { "aes-sha1-prfsha512-modp2048", PD_IKE_XF_PRF, PD_IKE_PRF_HMAC_SHA2_512, 0 },
    { "aes-sha1-prfmd5-modp2048", PD_IKE_XF_PRF, PD_IKE_PRF_HMAC_MD5, 0 },
    { "aes-sha1-modp768", PD_IKE_XF_DH, PD_IKE_DH_MODP_768, 0 },
    { "aes-sha1-modp1536", PD_IKE_XF_DH, PD_IKE_DH_MODP_1536, 0 },
    { "aes-sha1-modp3072", PD_IKE_XF_DH, PD_IKE_DH_MODP_3072, 0 },
    { "aes-sha1-modp4096", PD_IKE_XF_DH, PD_IKE_DH_MODP_4096, 0 },
    { "aes-sha1-modp6144", PD_IKE_XF_DH, PD_IKE_DH_MODP_6144, 0 },
    { "aes-sha1-modp8192", PD_IKE_XF_DH, PD_IKE_DH_MODP_8192, 0 },
    { "aes-sha1-ecp256", PD_IKE_XF_DH, PD_IKE_DH_ECP_256, 0 },
    { "aes-sha1-ecp384", PD_IKE_XF_DH, PD_IKE_DH_ECP_384, 0 },
    { "aes-sha1-ecp521", PD_IKE_XF_DH, PD_IKE_DH_ECP_521, 0 },
    { "aes-sha1-ecp256bp", PD_IKE_XF_DH, 28, 0 },
    { "aes-sha1-modp2048s256", PD_IKE_XF_DH, 24, 0 },
    { "aes-sha1-curve25519", PD_IKE_XF_DH, PD_IKE_DH_CURVE_25519, 0 },
    { "aes-sha1-x25519", PD_IKE_XF_DH, PD_IKE_DH_CURVE_25519, 0 },
    { "aes-sha1-curve448", PD_IKE_XF_DH, PD_IKE_DH_CURVE_448, 0 },
    { "aes-sha1-x448", PD_IKE_XF_DH, PD_IKE_DH_CURVE_448, 0 },
    { "aes-sha1-mlkem1024", PD_IKE_XF_DH, 37, 0 },
    { "aes-sha1-x25519-ke2_mlkem512", PD_IKE_XF_ADDKE1 + 1, 35, 0 },
    { "esp:aes-sha1-esn", PD_IKE_XF_ESN, 1, 0 },
    { "esp:aes-sha1-noesn", PD_IKE_XF_ESN, 0, 0 },
    { "esp:aes-sha1-none", PD_IKE_XF_DH, PD_IKE_DH_NONE, 0 },
};

static void test_keywords(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(kw_cases); i++) {
        const kw_case *k = &kw_cases[i];
        pd_ike_policy pol;
        GError *err = NULL;
        if (!pd_ike_policy_parse(k->proposal, &pol, &err))
            fail_msg("'%s': %s", k->proposal, err->message);
        assert_int_equal(pol.n_proposals, 1);
        const pd_ike_proposal *p = &pol.proposals[0];
        bool found = false;
        for (unsigned j = 0; j < p->n[k->type]; j++)
            if (p->algs[k->type][j].id == k->id && p->algs[k->type][j].key_len == k->key_len)
                found = true;
        if (!found)
            fail_msg("'%s': type %u id %u/%u missing", k->proposal, k->type, k->id, k->key_len);
        pd_ike_policy_clear(&pol);
    }
}

typedef struct err_case {
    const char *text;
    pd_ike_policy_error code;
    const char *needle; /* must appear in the message */
} err_case;

static const err_case err_cases[] = {
    { "aes256-shaX-modp2048", PD_IKE_POLICY_ERROR_UNKNOWN, "'shax'" },
    { "aes512-sha1-modp2048", PD_IKE_POLICY_ERROR_UNKNOWN, "'aes512'" },
    { "aesgcm16-prfsha1-modp2048", PD_IKE_POLICY_ERROR_UNKNOWN, "'aesgcm16'" },
    { "camellia128gcm16-prfsha1-modp2048", PD_IKE_POLICY_ERROR_UNKNOWN, "'camellia128gcm16'" },
    { "aes-sha1-ke8_mlkem768", PD_IKE_POLICY_ERROR_UNKNOWN, "'ke8_mlkem768'" },
    { "aes-sha1-modp2048-ke1_aes128", PD_IKE_POLICY_ERROR_UNKNOWN, "'ke1_aes128'" },
    { "aes-sha1-modp2048,esp:aes-sha1-ecp999", PD_IKE_POLICY_ERROR_UNKNOWN, "'ecp999'" },
    { "", PD_IKE_POLICY_ERROR_EMPTY, "empty" },
    { "aes256--sha1-modp2048", PD_IKE_POLICY_ERROR_EMPTY, "empty algorithm" },
    { "aes256-sha1-modp2048,", PD_IKE_POLICY_ERROR_EMPTY, "empty ike proposal" },
    { "esp:", PD_IKE_POLICY_ERROR_EMPTY, "empty esp proposal" },
    { "aes256-sha256", PD_IKE_POLICY_ERROR_INCOMPLETE, "no Diffie-Hellman group" },
    { "sha256-modp2048", PD_IKE_POLICY_ERROR_INCOMPLETE, "no encryption algorithm" },
    { "aes256-modp2048", PD_IKE_POLICY_ERROR_INCOMPLETE, "no integrity algorithm" },
    { "aes128gcm16-modp2048", PD_IKE_POLICY_ERROR_INCOMPLETE, "no PRF" },
    { "esp:aes128", PD_IKE_POLICY_ERROR_INCOMPLETE, "no integrity algorithm" },
    { "esp:aes128-sha1-prfsha256", PD_IKE_POLICY_ERROR_NOT_ALLOWED, "'prfsha256'" },
    { "ah:aes128-sha1", PD_IKE_POLICY_ERROR_NOT_ALLOWED, "'aes128'" },
    { "aes-sha1-modp2048-esn", PD_IKE_POLICY_ERROR_NOT_ALLOWED, "'esn'" },
    { "aes128gcm16-aes128-sha1-modp2048", PD_IKE_POLICY_ERROR_NOT_ALLOWED, "AEAD" },
    { "aes128-aes192-aes256-3des-des-blowfish-blowfish192-blowfish256-cast128-camellia-"
      "camellia192-camellia256-aes128ctr-aes192ctr-aes256ctr-null-camellia128ctr-sha1-modp2048",
      PD_IKE_POLICY_ERROR_TOO_MANY, "too many ENCR" },
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(err_cases); i++) {
        const err_case *e = &err_cases[i];
        pd_ike_policy pol;
        GError *err = NULL;
        if (pd_ike_policy_parse(e->text, &pol, &err))
            fail_msg("'%s' parsed but should not", e->text);
        assert_non_null(err);
        assert_true(g_error_matches(err, PD_IKE_POLICY_ERROR, (gint)e->code));
        if (!strstr(err->message, e->needle))
            fail_msg("'%s': message '%s' lacks '%s'", e->text, err->message, e->needle);
        assert_null(pol.proposals);
        assert_int_equal(pol.n_proposals, 0);
        g_error_free(err);
    }
    /* More proposals than the cap. */
    GString *many = g_string_new(NULL);
    for (int i = 0; i <= PD_IKE_POLICY_MAX_PROPOSALS; i++)
        g_string_append(many, i ? ",aes-sha1-modp2048" : "aes-sha1-modp2048");
    pd_ike_policy pol;
    GError *err = NULL;
    assert_false(pd_ike_policy_parse(many->str, &pol, &err));
    assert_true(g_error_matches(err, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_TOO_MANY));
    g_error_free(err);
    g_string_free(many, TRUE);
    /* NULL text and a NULL GError** are both fine. */
    assert_false(pd_ike_policy_parse(NULL, &pol, NULL));
    assert_false(pd_ike_policy_parse("bogus", &pol, NULL));
}

static void test_parse_single(void **state)
{
    (void)state;
    pd_ike_proposal p;
    GError *err = NULL;
    assert_true(pd_ike_proposal_parse("aes128-sha1", PD_IKE_PROTO_ESP, &p, &err));
    assert_int_equal(p.protocol, PD_IKE_PROTO_ESP);
    assert_int_equal(p.version, 0);
    assert_true(pd_ike_proposal_parse("ike:aes128-sha1-modp2048", PD_IKE_PROTO_ESP, &p, &err));
    assert_int_equal(p.protocol, PD_IKE_PROTO_IKE);
    assert_false(pd_ike_proposal_parse("aes128-sha1,aes256-sha1", PD_IKE_PROTO_ESP, &p, &err));
    assert_true(g_error_matches(err, PD_IKE_POLICY_ERROR, PD_IKE_POLICY_ERROR_EMPTY));
    g_clear_error(&err);
    assert_false(pd_ike_proposal_parse(NULL, PD_IKE_PROTO_ESP, &p, &err));
    g_clear_error(&err);
}

/* ---- printing ------------------------------------------------------------------------- */

static void test_print_special(void **state)
{
    (void)state;
    pd_ike_proposal p;
    char *s;

    memset(&p, 0, sizeof(p));
    p.version = 2;
    p.protocol = PD_IKE_PROTO_IKE;
    pd_ike_proposal_add(&p, PD_IKE_XF_ENCR, 999, 0);
    pd_ike_proposal_add(&p, PD_IKE_XF_INTEG, 999, 0);
    pd_ike_proposal_add(&p, PD_IKE_XF_PRF, 999, 0);
    pd_ike_proposal_add(&p, PD_IKE_XF_DH, 999, 0);
    s = pd_ike_proposal_to_string(&p);
    assert_string_equal(s, "IKE:ENCR_999/INTEG_999/PRF_999/DH_999");
    g_free(s);

    /* IKEv1 phase 1 with only a kilobyte lifetime and an unknown hash. */
    memset(&p, 0, sizeof(p));
    p.version = 1;
    p.protocol = PD_IKE_PROTO_IKE;
    pd_ike_proposal_add(&p, PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_CBC, 128);
    pd_ike_proposal_add(&p, PD_IKE_XF_PRF, 77, 0);
    pd_ike_proposal_add(&p, PD_IKE_XF_DH, 14, 0);
    p.auth_method = 65005;
    p.life_kbytes = 50000;
    s = pd_ike_proposal_to_string(&p);
    assert_string_equal(s, "IKE:AES_CBC_128/HASH_77/MODP_2048 auth XAUTH_INIT_RSA life 50000KB");
    g_free(s);
    p.auth_method = 4242;
    p.encap_mode = 4242;
    p.life_kbytes = 0;
    s = pd_ike_proposal_to_string(&p);
    assert_string_equal(s, "IKE:AES_CBC_128/HASH_77/MODP_2048 auth AUTH_4242 mode MODE_4242");
    g_free(s);

    memset(&p, 0, sizeof(p));
    p.protocol = PD_IKE_PROTO_IPCOMP;
    s = pd_ike_proposal_to_string(&p);
    assert_string_equal(s, "IPCOMP:");
    g_free(s);
    p.protocol = 9;
    s = pd_ike_proposal_to_string(&p);
    assert_string_equal(s, "PROTO_9:");
    g_free(s);

    /* The list caps: a 17th algorithm of one type is dropped and flagged. */
    memset(&p, 0, sizeof(p));
    for (uint16_t i = 0; i < PD_IKE_PROPOSAL_MAX_ALGS + 1; i++)
        pd_ike_proposal_add(&p, PD_IKE_XF_DH, (uint16_t)(i + 1), 0);
    assert_int_equal(p.n[PD_IKE_XF_DH], PD_IKE_PROPOSAL_MAX_ALGS);
    assert_true(p.algs_dropped);
    assert_false(pd_ike_proposal_add(&p, 0, 1, 0));
    assert_false(pd_ike_proposal_add(&p, PD_IKE_XF__COUNT, 1, 0));
}

/* ---- comparison ------------------------------------------------------------------------ */

/* An offered proposal written as a policy string, then marked as received. */
static pd_ike_proposal offered(const char *text, uint8_t version)
{
    pd_ike_proposal p;
    GError *err = NULL;
    if (!pd_ike_proposal_parse(text, PD_IKE_PROTO_IKE, &p, &err))
        fail_msg("'%s': %s", text, err->message);
    p.version = version;
    return p;
}

static pd_ike_proposal policy(const char *text)
{
    return offered(text, 0);
}

/* IKEv1 phase-1 offer: no integrity list, hash as PRF. */
static pd_ike_proposal v1_offer(uint16_t encr, uint16_t key_len, uint16_t prf, uint16_t group)
{
    pd_ike_proposal p;
    memset(&p, 0, sizeof(p));
    p.version = 1;
    p.protocol = PD_IKE_PROTO_IKE;
    pd_ike_proposal_add(&p, PD_IKE_XF_ENCR, encr, key_len);
    pd_ike_proposal_add(&p, PD_IKE_XF_PRF, prf, 0);
    pd_ike_proposal_add(&p, PD_IKE_XF_DH, group, 0);
    p.auth_method = PD_IKEV1_AUTH_PSK;
    return p;
}

static void expect_diffs(const pd_ike_proposal *o, const pd_ike_proposal *pol,
                         const char *const *lines, size_t n)
{
    GPtrArray *d = g_ptr_array_new_with_free_func(g_free);
    size_t got = pd_ike_proposal_compare(o, pol, d);
    if (got != n || d->len != n) {
        GString *all = g_string_new(NULL);
        for (guint i = 0; i < d->len; i++)
            g_string_append_printf(all, "[%s] ", (char *)g_ptr_array_index(d, i));
        fail_msg("%zu differences (%s), expected %zu", got, all->str, n);
    }
    for (size_t i = 0; i < n; i++)
        assert_string_equal(g_ptr_array_index(d, i), lines[i]);
    assert_int_equal(pd_ike_proposal_matches(o, pol), n == 0);
    g_ptr_array_unref(d);
}

static void test_compare(void **state)
{
    (void)state;
    pd_ike_proposal o, p;

    /* The brief's own example: only the key length differs. */
    o = offered("aes128-sha256-modp2048", 2);
    p = policy("aes256-sha256-modp2048");
    expect_diffs(&o, &p, (const char *const[]){ "ENCR AES_CBC_128 <-> expected AES_CBC_256" }, 1);

    /* Identical. */
    p = policy("aes128-sha256-modp2048");
    expect_diffs(&o, &p, NULL, 0);

    /* One common algorithm per type is enough. */
    o = offered("aes128-aes256-sha1-sha256-modp1024-modp2048", 2);
    p = policy("aes256-sha256-ecp256-modp2048");
    expect_diffs(&o, &p, NULL, 0);

    /* DH only. */
    o = offered("aes256-sha256-modp1024", 2);
    p = policy("aes256-sha256-modp2048-ecp256");
    expect_diffs(&o, &p, (const char *const[]){ "DH MODP_1024 <-> expected MODP_2048/ECP_256" }, 1);

    /* Everything, in strongSwan's order. */
    o = offered("3des-md5-modp1024", 2);
    p = policy("aes256-sha256-modp2048");
    expect_diffs(&o, &p,
                 (const char *const[]){
                     "ENCR 3DES_CBC <-> expected AES_CBC_256",
                     "INTEG HMAC_MD5_96 <-> expected HMAC_SHA2_256_128",
                     "PRF PRF_HMAC_MD5 <-> expected PRF_HMAC_SHA2_256",
                     "DH MODP_1024 <-> expected MODP_2048",
                 },
                 4);

    /* AEAD on both sides: no integrity to compare. */
    o = offered("aes256gcm16-prfsha256-ecp256", 2);
    p = policy("aes256gcm16-prfsha256-ecp256");
    expect_diffs(&o, &p, NULL, 0);
    p = policy("aes256-sha256-ecp256");
    expect_diffs(&o, &p,
                 (const char *const[]){ "ENCR AES_GCM_16_256 <-> expected AES_CBC_256",
                                        "INTEG none <-> expected HMAC_SHA2_256_128" },
                 2);
}

/* The LANCOM trace (seed 003): remote proposal 1 encryption BLOWFISH_CBC <->
 * local AES_CBC. */
static void test_compare_ikev1(void **state)
{
    (void)state;
    pd_ike_proposal o = v1_offer(PD_IKE_ENCR_BLOWFISH, 128, PD_IKE_PRF_HMAC_MD5, 2);
    pd_ike_proposal p = policy("aes128-md5-modp1024");
    expect_diffs(&o, &p, (const char *const[]){ "ENCR BLOWFISH_CBC_128 <-> expected AES_CBC_128" }, 1);

    /* Blowfish without a Key Length attribute means 128 (RFC 2409 App. A). */
    o = v1_offer(PD_IKE_ENCR_BLOWFISH, 0, PD_IKE_PRF_HMAC_MD5, 2);
    p = policy("blowfish128-md5-modp1024");
    expect_diffs(&o, &p, NULL, 0);
    p = policy("blowfish256-md5-modp1024");
    expect_diffs(&o, &p, (const char *const[]){ "ENCR BLOWFISH_CBC <-> expected BLOWFISH_CBC_256" }, 1);

    /* The IKEv1 hash is compared as HASH, named as the HMAC. */
    o = v1_offer(PD_IKE_ENCR_AES_CBC, 256, PD_IKE_PRF_HMAC_SHA1, 2);
    p = policy("aes256-sha256-modp1024");
    expect_diffs(&o, &p, (const char *const[]){ "HASH HMAC_SHA1 <-> expected HMAC_SHA2_256" }, 1);
    p = policy("aes256-sha1-modp1024");
    expect_diffs(&o, &p, NULL, 0);

    /* A decoded main mode message 1 against a policy: proposal by proposal. */
    static const uint8_t mm1[] = {
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0, 0, 0, 0, 0,
        0x01, 0x10, 0x02, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x58, /* 88 */
        0x00, 0x00, 0x00, 0x3c, 0, 0, 0, 1, 0, 0, 0, 1,             /* SA 60 */
        0x00, 0x00, 0x00, 0x30, 0x01, 0x01, 0x00, 0x02,             /* proposal 48, 2 transforms */
        0x03, 0x00, 0x00, 0x14, 0x01, 0x01, 0x00, 0x00,             /* transform 20 */
        0x80, 0x01, 0x00, 0x03, 0x80, 0x02, 0x00, 0x01, 0x80, 0x04, 0x00, 0x02, /* Blowfish MD5 g2 */
        0x00, 0x00, 0x00, 0x14, 0x02, 0x01, 0x00, 0x00,
        0x80, 0x01, 0x00, 0x07, 0x80, 0x02, 0x00, 0x01, 0x80, 0x04, 0x00, 0x02, /* AES(no len) MD5 g2 */
    };
    pd_ikev1_message m;
    pd_ike_proposal props[4];
    assert_int_equal(pd_ikev1_decode(mm1, sizeof(mm1), sizeof(mm1), &m), PD_IKE_OK);
    size_t n = pd_ikev1_sa_proposals(&m.payloads[0].u.sa, props, 4);
    assert_int_equal(n, 2);
    pd_ike_policy pol;
    assert_true(pd_ike_policy_parse("aes256-sha1-modp2048,aes128-md5-modp1024", &pol, NULL));
    size_t oi = 99, pi = 99;
    assert_true(pd_ike_proposals_match(props, n, pol.proposals, pol.n_proposals, &oi, &pi));
    assert_int_equal(oi, 1);
    assert_int_equal(pi, 1);
    GPtrArray *d = g_ptr_array_new_with_free_func(g_free);
    assert_int_equal(pd_ike_proposal_compare(&props[0], &pol.proposals[0], d), 3);
    assert_string_equal(g_ptr_array_index(d, 0), "ENCR BLOWFISH_CBC <-> expected AES_CBC_256");
    assert_string_equal(g_ptr_array_index(d, 1), "HASH HMAC_MD5 <-> expected HMAC_SHA1");
    assert_string_equal(g_ptr_array_index(d, 2), "DH MODP_1024 <-> expected MODP_2048");
    g_ptr_array_unref(d);
    pd_ike_policy_clear(&pol);
    assert_true(pd_ike_policy_parse("aes256-sha1-modp2048", &pol, NULL));
    assert_false(pd_ike_proposals_match(props, n, pol.proposals, pol.n_proposals, NULL, NULL));
    pd_ike_policy_clear(&pol);
    pd_ikev1_message_clear(&m);
}

static void test_compare_esp(void **state)
{
    (void)state;
    pd_ike_proposal o, p;
    GError *err = NULL;

    assert_true(pd_ike_proposal_parse("aes128-sha1", PD_IKE_PROTO_ESP, &p, &err));
    /* An IKEv2 ESP offer with no DH transform and no ESN transform. */
    memset(&o, 0, sizeof(o));
    o.version = 2;
    o.protocol = PD_IKE_PROTO_ESP;
    pd_ike_proposal_add(&o, PD_IKE_XF_ENCR, PD_IKE_ENCR_AES_CBC, 128);
    pd_ike_proposal_add(&o, PD_IKE_XF_INTEG, PD_IKE_INTEG_HMAC_SHA1_96, 0);
    expect_diffs(&o, &p, NULL, 0);
    /* With PFS where the policy has none. */
    pd_ike_proposal_add(&o, PD_IKE_XF_DH, PD_IKE_DH_MODP_2048, 0);
    expect_diffs(&o, &p, (const char *const[]){ "DH MODP_2048 <-> expected none" }, 1);
    /* An explicit DH NONE equals no DH. */
    o.n[PD_IKE_XF_DH] = 0;
    pd_ike_proposal_add(&o, PD_IKE_XF_DH, PD_IKE_DH_NONE, 0);
    expect_diffs(&o, &p, NULL, 0);
    /* Extended sequence numbers only. */
    pd_ike_proposal_add(&o, PD_IKE_XF_ESN, 1, 0);
    expect_diffs(&o, &p, (const char *const[]){ "ESN ESN <-> expected no ESN" }, 1);

    /* Protocol mismatch stops the comparison. */
    pd_ike_proposal ike = policy("aes128-sha1-modp2048");
    expect_diffs(&o, &ike, (const char *const[]){ "PROTOCOL ESP <-> expected IKE" }, 1);
    assert_false(pd_ike_proposals_match(&o, 1, &ike, 1, NULL, NULL));
    assert_false(pd_ike_proposals_match(&o, 0, &ike, 1, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_examples),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_parse_single),
        cmocka_unit_test(test_print_special),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_compare_ikev1),
        cmocka_unit_test(test_compare_esp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
