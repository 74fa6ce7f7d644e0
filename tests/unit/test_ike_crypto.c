/* test_ike_crypto.c - known-answer tests of IKE decryption (ike_crypto.c): IKEv2 SK and
 * SKF payloads (RFC 7296 3.14, RFC 7383 2.5) with AES-CBC, 3DES, AES-CTR (RFC 5930) and
 * HMAC-SHA1/SHA2 integrity, AES-GCM and AES-CCM (RFC 5282); IKEv1 CBC and its IVs (RFC
 * 2409 Appendix B); RFC 3602 case #1. The vectors (ike_crypto_vectors.h) were computed
 * with Python's hashlib/hmac and the cryptography package, not with libgcrypt.
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

#include "ike_crypto.h"
#include "ike_crypto_vectors.h"

#define NEED_CRYPTO()                                                                          \
    do {                                                                                       \
        if (!pd_ike_crypto_available()) {                                                      \
            print_message("built without libgcrypt: decryption not tested\n");                \
            skip();                                                                            \
        }                                                                                      \
    } while (0)

/* Keys for a responder's message: SK_er/SK_ar hold the real keys, SK_ei/SK_ai
 * something else, so a direction mix-up fails. */
static pd_ikev2_sa_keys keys_for(const char *encr, const char *integ, const uint8_t *ek,
                                 size_t ek_len, const uint8_t *ak, size_t ak_len)
{
    pd_ikev2_sa_keys k;
    memset(&k, 0, sizeof k);
    k.encr = pd_ikev2_encr_by_name(encr);
    k.integ = pd_ikev2_integ_by_name(integ);
    assert_non_null(k.encr);
    assert_non_null(k.integ);
    memcpy(k.sk_er, ek, ek_len);
    memset(k.sk_ei, 0xee, ek_len);
    if (ak_len) {
        memcpy(k.sk_ar, ak, ak_len);
        memset(k.sk_ai, 0xaa, ak_len);
    }
    k.sk_e_len = ek_len;
    k.sk_a_len = ak_len;
    return k;
}

/* The SK/SKF payload follows the 28-byte header; its length fills the message. */
static pd_ike_decrypt_status run(const pd_ikev2_sa_keys *k, bool from_i, const uint8_t *msg,
                                 size_t len, bool skf, uint8_t *out, size_t *out_len)
{
    return pd_ikev2_decrypt(k, from_i, msg, len, 28, len - 28, skf, out, out_len);
}

typedef struct v2_case {
    const char *name, *encr, *integ;
    const uint8_t *ek;
    size_t ek_len;
    const uint8_t *ak;
    size_t ak_len;
    const uint8_t *msg;
    size_t msg_len;
    const uint8_t *inner;
    size_t inner_len;
} v2_case;

#define V(a) a, sizeof(a)
static const v2_case v2_cases[] = {
    { "cbc128", "AES-CBC-128 [RFC3602]", "HMAC_SHA2_256_128 [RFC4868]", V(v_cbc128_ek),
      V(v_cbc128_ak), V(v_cbc128_msg), V(v_inner1) },
    { "cbc256", "AES-CBC-256 [RFC3602]", "HMAC_SHA2_512_256 [RFC4868]", V(v_cbc256_ek),
      V(v_cbc256_ak), V(v_cbc256_msg), V(v_inner2) },
    { "3des", "3DES [RFC2451]", "HMAC_SHA1_96 [RFC2404]", V(v_3des_ek), V(v_3des_ak),
      V(v_3des_msg), V(v_inner2) },
    { "ctr128", "AES-CTR-128 [RFC5930]", "HMAC_SHA2_384_192 [RFC4868]", V(v_ctr_ek),
      V(v_ctr_ak), V(v_ctr_msg), V(v_inner2) },
    { "gcm256-16", "AES-GCM-256 with 16 octet ICV [RFC5282]", "NONE [RFC4306]", V(v_gcm256_ek),
      NULL, 0, V(v_gcm256_msg), V(v_inner2) },
    { "gcm128-8", "AES-GCM-128 with 8 octet ICV [RFC5282]", "NONE [RFC4306]", V(v_gcm128_ek),
      NULL, 0, V(v_gcm128_8_msg), V(v_inner1) },
    { "ccm128-16", "AES-CCM-128 with 16 octet ICV [RFC5282]", "NONE [RFC4306]", V(v_ccm128_ek),
      NULL, 0, V(v_ccm128_16_msg), V(v_inner2) },
    { "ccm128-8", "AES-CCM-128 with 8 octet ICV [RFC5282]", "NONE [RFC4306]", V(v_ccm128_ek),
      NULL, 0, V(v_ccm128_8_msg), V(v_inner2) },
};

static pd_ikev2_sa_keys case_keys(const v2_case *c)
{
    return keys_for(c->encr, c->integ, c->ek, c->ek_len, c->ak, c->ak_len);
}

static void test_v2_known_answers(void **state)
{
    (void)state;
    NEED_CRYPTO();
    for (size_t i = 0; i < G_N_ELEMENTS(v2_cases); i++) {
        const v2_case *c = &v2_cases[i];
        pd_ikev2_sa_keys k = case_keys(c);
        uint8_t out[512];
        size_t n = 99;
        pd_ike_decrypt_status st = run(&k, false, c->msg, c->msg_len, false, out, &n);
        if (st != PD_IKE_DECRYPT_OK)
            fail_msg("%s: %s", c->name, pd_ike_decrypt_status_name(st));
        assert_int_equal(n, c->inner_len);
        assert_memory_equal(out, c->inner, n);
        /* The initiator's keys (the other direction) do not fit. */
        st = run(&k, true, c->msg, c->msg_len, false, out, &n);
        if (st != PD_IKE_DECRYPT_ICV_MISMATCH)
            fail_msg("%s, wrong direction: %s", c->name, pd_ike_decrypt_status_name(st));
    }
}

/* Every byte of every message matters: header and payload header are
 * covered by the ICV (or the AEAD's associated data), IV and ciphertext by
 * the ICV or the tag, the ICV by itself. */
static void test_v2_every_byte_flipped(void **state)
{
    (void)state;
    NEED_CRYPTO();
    for (size_t i = 0; i < G_N_ELEMENTS(v2_cases); i++) {
        const v2_case *c = &v2_cases[i];
        pd_ikev2_sa_keys k = case_keys(c);
        uint8_t *m = g_memdup2(c->msg, c->msg_len), out[512];
        for (size_t b = 0; b < c->msg_len; b++) {
            size_t n;
            m[b] ^= 0x40;
            pd_ike_decrypt_status st = run(&k, false, m, c->msg_len, false, out, &n);
            if (st != PD_IKE_DECRYPT_ICV_MISMATCH)
                fail_msg("%s: byte %zu changed, got %s", c->name, b,
                         pd_ike_decrypt_status_name(st));
            m[b] ^= 0x40;
        }
        g_free(m);
    }
}

/* Cut at every length: never a read past the end (ASan), never OK. */
static void test_v2_truncated_everywhere(void **state)
{
    (void)state;
    NEED_CRYPTO();
    for (size_t i = 0; i < G_N_ELEMENTS(v2_cases); i++) {
        const v2_case *c = &v2_cases[i];
        pd_ikev2_sa_keys k = case_keys(c);
        for (size_t cut = 0; cut < c->msg_len; cut++) {
            uint8_t *m = g_memdup2(c->msg, cut ? cut : 1), out[512];
            size_t n;
            /* The payload length still claims the whole payload. */
            pd_ike_decrypt_status st = pd_ikev2_decrypt(&k, false, m, cut, 28, c->msg_len - 28,
                                                        false, out, &n);
            assert_int_equal(st, PD_IKE_DECRYPT_BAD_LENGTH);
            /* ...or says what is left: too short, or the ICV no longer verifies. */
            if (cut > 28) {
                st = pd_ikev2_decrypt(&k, false, m, cut, 28, cut - 28, false, out, &n);
                assert_true(st == PD_IKE_DECRYPT_BAD_LENGTH ||
                            st == PD_IKE_DECRYPT_ICV_MISMATCH);
            }
            g_free(m);
        }
    }
}

static void test_v2_payload_offsets(void **state)
{
    (void)state;
    NEED_CRYPTO();
    const v2_case *c = &v2_cases[0];
    pd_ikev2_sa_keys k = case_keys(c);
    uint8_t out[512];
    size_t n;
    /* Offset past the message, length past the message, zero length. */
    assert_int_equal(pd_ikev2_decrypt(&k, false, c->msg, c->msg_len, c->msg_len + 1, 4, false,
                                      out, &n),
                     PD_IKE_DECRYPT_BAD_LENGTH);
    assert_int_equal(pd_ikev2_decrypt(&k, false, c->msg, c->msg_len, 28, c->msg_len, false, out,
                                      &n),
                     PD_IKE_DECRYPT_BAD_LENGTH);
    assert_int_equal(pd_ikev2_decrypt(&k, false, c->msg, c->msg_len, 28, 0, false, out, &n),
                     PD_IKE_DECRYPT_BAD_LENGTH);
    assert_int_equal(pd_ikev2_decrypt(&k, false, c->msg, c->msg_len, SIZE_MAX, SIZE_MAX, false,
                                      out, &n),
                     PD_IKE_DECRYPT_BAD_LENGTH);
    /* Read as an SKF payload the IV shifts by 4 bytes: no whole cipher blocks are left. */
    assert_int_equal(run(&k, false, c->msg, c->msg_len, true, out, &n),
                     PD_IKE_DECRYPT_BAD_LENGTH);
}

static void test_v2_key_lengths(void **state)
{
    (void)state;
    NEED_CRYPTO();
    const v2_case *c = &v2_cases[0];
    pd_ikev2_sa_keys k = case_keys(c);
    uint8_t out[512];
    size_t n;
    k.sk_e_len = 15;
    assert_int_equal(run(&k, false, c->msg, c->msg_len, false, out, &n), PD_IKE_DECRYPT_BAD_KEY);
    k = case_keys(c);
    k.sk_a_len = 20;
    assert_int_equal(run(&k, false, c->msg, c->msg_len, false, out, &n), PD_IKE_DECRYPT_BAD_KEY);
    k = case_keys(c);
    k.encr = NULL;
    assert_int_equal(run(&k, false, c->msg, c->msg_len, false, out, &n),
                     PD_IKE_DECRYPT_UNSUPPORTED);
    /* The ANY-n entries check nothing: the padding is all that tells a wrong key. */
    k = case_keys(c);
    k.integ = pd_ikev2_integ_by_name("ANY 128-bits of Authentication [No Checking]");
    k.sk_a_len = 0;
    assert_int_equal(run(&k, false, c->msg, c->msg_len, false, out, &n), PD_IKE_DECRYPT_OK);
    assert_int_equal(n, sizeof v_inner1);
}

/* RFC 7383: each fragment is decrypted on its own; the inner payloads join. */
static void test_v2_fragments(void **state)
{
    (void)state;
    NEED_CRYPTO();
    pd_ikev2_sa_keys k = keys_for("AES-CBC-128 [RFC3602]", "HMAC_SHA2_256_128 [RFC4868]",
                                  V(v_cbc128_ek), V(v_cbc128_ak));
    uint8_t a[128], b[128];
    size_t na, nb;
    assert_int_equal(run(&k, false, v_skf1_msg, sizeof v_skf1_msg, true, a, &na),
                     PD_IKE_DECRYPT_OK);
    assert_int_equal(run(&k, false, v_skf2_msg, sizeof v_skf2_msg, true, b, &nb),
                     PD_IKE_DECRYPT_OK);
    assert_int_equal(na + nb, sizeof v_inner2);
    assert_memory_equal(a, v_inner2, na);
    assert_memory_equal(b, v_inner2 + na, nb);
    /* Read as SK the fragment header is taken for IV bytes: no whole blocks left. */
    assert_int_equal(run(&k, false, v_skf1_msg, sizeof v_skf1_msg, false, a, &na),
                     PD_IKE_DECRYPT_BAD_LENGTH);
}

/* ENCR_NULL with no integrity: hand-built from RFC 7296 3.14, the pad length
 * is the last octet and must fit. */
static void test_v2_null_padding(void **state)
{
    (void)state;
    NEED_CRYPTO();
    static const uint8_t good[] = {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, /* SPIs */
        46, 0x20, 37, 0x08, 0, 0, 0, 2, 0, 0, 0, 44,            /* SK, INFORMATIONAL */
        41, 0, 0, 16,                                           /* SK: first N, 16 bytes */
        0, 0, 0, 8, 0, 0, 0, 24,                                /* N(AUTHENTICATION_FAILED) */
        0xaa, 0xbb, 0xcc, 3,                                    /* padding 3, pad length 3 */
    };
    pd_ikev2_sa_keys k;
    memset(&k, 0, sizeof k);
    k.encr = pd_ikev2_encr_by_name("NULL [RFC2410]");
    k.integ = pd_ikev2_integ_by_name("NONE [RFC4306]");
    uint8_t out[64], bad[sizeof good];
    size_t n;
    assert_int_equal(run(&k, true, good, sizeof good, false, out, &n), PD_IKE_DECRYPT_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(out, good + 32, 8);
    memcpy(bad, good, sizeof good);
    bad[sizeof bad - 1] = 12; /* 12 padding bytes + itself: 13 > 12 available */
    assert_int_equal(run(&k, true, bad, sizeof bad, false, out, &n), PD_IKE_DECRYPT_BAD_PADDING);
    bad[sizeof bad - 1] = 11; /* exactly everything: no payloads, still valid */
    assert_int_equal(run(&k, true, bad, sizeof bad, false, out, &n), PD_IKE_DECRYPT_OK);
    assert_int_equal(n, 0);
    bad[sizeof bad - 1] = 255;
    assert_int_equal(run(&k, true, bad, sizeof bad, false, out, &n), PD_IKE_DECRYPT_BAD_PADDING);
}

static void test_v2_tables(void **state)
{
    (void)state;
    size_t n = 0;
    for (const pd_ikev2_encr_spec *e = pd_ikev2_encr_specs(); e->name; e++, n++) {
        assert_ptr_equal(pd_ikev2_encr_by_name(e->name), e);
        bool aead = e->mode == PD_IKEV2_MODE_GCM || e->mode == PD_IKEV2_MODE_CCM;
        assert_true(aead == (e->icv_len > 0));
        assert_true(e->cipher_key_len + e->salt_len <= PD_IKEV2_KEY_MAX);
        if (aead) /* the nonce: salt | IV, 12 bytes for GCM, 11 for CCM */
            assert_int_equal(e->salt_len + e->iv_len, e->mode == PD_IKEV2_MODE_GCM ? 12 : 11);
    }
    assert_int_equal(n, 26); /* every entry of Wireshark's IKEv2 encryption list */
    n = 0;
    for (const pd_ikev2_integ_spec *i = pd_ikev2_integ_specs(); i->name; i++, n++) {
        assert_ptr_equal(pd_ikev2_integ_by_name(i->name), i);
        assert_true(i->key_len <= PD_IKEV2_KEY_MAX);
    }
    assert_int_equal(n, 15);
    assert_null(pd_ikev2_encr_by_name("AES-CBC-512 [RFC3602]"));
    assert_null(pd_ikev2_encr_by_name(NULL));
    assert_string_equal(pd_ike_decrypt_status_name(PD_IKE_DECRYPT_ICV_MISMATCH), "icv_mismatch");
}

/* ---- IKEv1 ---- */

static void test_v1_main_mode_and_informational(void **state)
{
    (void)state;
    NEED_CRYPTO();
    pd_ikev1_cipher_spec aes;
    assert_true(pd_ikev1_cipher_for(7, 128, &aes));
    uint8_t iv[16], out[sizeof v1_info_ct];
    /* Phase 1: IV = SHA2-256(g^xi | g^xr), the first 16 bytes. */
    assert_true(pd_ikev1_derive_iv(4, v1_gi, sizeof v1_gi, v1_gr, sizeof v1_gr, iv, 16));
    assert_memory_equal(iv, v1_iv1, 16);
    assert_int_equal(pd_ikev1_decrypt(&aes, v1_ka, sizeof v1_ka, iv, v1_mm5_ct, sizeof v1_mm5_ct,
                                      out),
                     PD_IKE_DECRYPT_OK);
    assert_memory_equal(out, v1_mm5_plain, sizeof v1_mm5_plain);
    /* Informational: IV = HASH(last phase-1 cipher block | M-ID). */
    assert_true(pd_ikev1_derive_iv(4, v1_mm5_ct + sizeof v1_mm5_ct - 16, 16, v1_info_mid, 4, iv,
                                   16));
    assert_memory_equal(iv, v1_info_iv, 16);
    assert_int_equal(pd_ikev1_decrypt(&aes, v1_ka, sizeof v1_ka, iv, v1_info_ct,
                                      sizeof v1_info_ct, out),
                     PD_IKE_DECRYPT_OK);
    assert_memory_equal(out, v1_info_plain, sizeof v1_info_plain);
    /* A longer key material is cut to the cipher's key (RFC 2409 App. B). */
    uint8_t long_key[32];
    memcpy(long_key, v1_ka, 16);
    memset(long_key + 16, 0x77, 16);
    assert_int_equal(pd_ikev1_decrypt(&aes, long_key, sizeof long_key, v1_info_iv, v1_info_ct,
                                      sizeof v1_info_ct, out),
                     PD_IKE_DECRYPT_OK);
    assert_memory_equal(out, v1_info_plain, sizeof v1_info_plain);
    /* Short key, partial block, nothing. */
    assert_int_equal(pd_ikev1_decrypt(&aes, v1_ka, 15, iv, v1_info_ct, 16, out),
                     PD_IKE_DECRYPT_BAD_KEY);
    assert_int_equal(pd_ikev1_decrypt(&aes, v1_ka, 16, iv, v1_info_ct, 15, out),
                     PD_IKE_DECRYPT_BAD_LENGTH);
    assert_int_equal(pd_ikev1_decrypt(&aes, v1_ka, 16, iv, v1_info_ct, 0, out),
                     PD_IKE_DECRYPT_BAD_LENGTH);
}

static void test_v1_3des_sha1(void **state)
{
    (void)state;
    NEED_CRYPTO();
    pd_ikev1_cipher_spec des3;
    assert_true(pd_ikev1_cipher_for(5, 0, &des3));
    assert_int_equal(des3.block_len, 8);
    uint8_t iv[8], out[sizeof v1_mm5_plain];
    assert_true(pd_ikev1_derive_iv(2, v1_gi, sizeof v1_gi, v1_gr, sizeof v1_gr, iv, 8));
    assert_memory_equal(iv, v1_3des_iv, 8);
    assert_int_equal(pd_ikev1_decrypt(&des3, v1_3des_ka, sizeof v1_3des_ka, iv, v1_3des_ct,
                                      sizeof v1_3des_ct, out),
                     PD_IKE_DECRYPT_OK);
    assert_memory_equal(out, v1_mm5_plain, sizeof out);
}

static void test_rfc3602_case1(void **state)
{
    (void)state;
    NEED_CRYPTO();
    pd_ikev1_cipher_spec aes;
    assert_true(pd_ikev1_cipher_for(7, 0, &aes)); /* no Key Length attribute: 128 */
    uint8_t out[16];
    assert_int_equal(pd_ikev1_decrypt(&aes, rfc3602_key, 16, rfc3602_iv, rfc3602_ct, 16, out),
                     PD_IKE_DECRYPT_OK);
    assert_memory_equal(out, "Single block msg", 16);
}

static void test_v1_tables(void **state)
{
    (void)state;
    static const struct {
        uint16_t encr, bits;
        bool ok;
        pd_ike_block_cipher cipher;
        uint16_t key_len;
        uint8_t block;
    } t[] = {
        { 1, 0, true, PD_IKE_CIPHER_DES, 8, 8 },       { 5, 0, true, PD_IKE_CIPHER_3DES, 24, 8 },
        { 5, 192, true, PD_IKE_CIPHER_3DES, 24, 8 },   { 5, 128, false, 0, 0, 0 },
        { 7, 0, true, PD_IKE_CIPHER_AES, 16, 16 },     { 7, 192, true, PD_IKE_CIPHER_AES, 24, 16 },
        { 7, 256, true, PD_IKE_CIPHER_AES, 32, 16 },   { 7, 100, false, 0, 0, 0 },
        { 8, 256, true, PD_IKE_CIPHER_CAMELLIA, 32, 16 }, { 3, 0, true, PD_IKE_CIPHER_BLOWFISH, 16, 8 },
        { 3, 448, false, 0, 0, 0 },                   { 6, 0, true, PD_IKE_CIPHER_CAST128, 16, 8 },
        { 2, 0, false, 0, 0, 0 },                     { 0, 0, false, 0, 0, 0 },
        { 65535, 65535, false, 0, 0, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        pd_ikev1_cipher_spec s;
        bool ok = pd_ikev1_cipher_for(t[i].encr, t[i].bits, &s);
        if (ok != t[i].ok)
            fail_msg("encr %u / %u bits: %d", t[i].encr, t[i].bits, ok);
        if (ok) {
            assert_int_equal(s.cipher, t[i].cipher);
            assert_int_equal(s.key_len, t[i].key_len);
            assert_int_equal(s.block_len, t[i].block);
        }
    }
    assert_int_equal(pd_ikev1_hash_len(1), 16);
    assert_int_equal(pd_ikev1_hash_len(2), 20);
    assert_int_equal(pd_ikev1_hash_len(3), 0); /* Tiger */
    assert_int_equal(pd_ikev1_hash_len(4), 32);
    assert_int_equal(pd_ikev1_hash_len(5), 48);
    assert_int_equal(pd_ikev1_hash_len(6), 64);
    assert_int_equal(pd_ikev1_hash_len(0), 0);
    uint8_t iv[64];
    assert_false(pd_ikev1_derive_iv(3, v1_gi, 4, v1_gr, 4, iv, 16)); /* unsupported hash */
    if (pd_ike_crypto_available())
        assert_false(pd_ikev1_derive_iv(1, v1_gi, 4, v1_gr, 4, iv, 32)); /* MD5 < 32 bytes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_known_answers),
        cmocka_unit_test(test_v2_every_byte_flipped),
        cmocka_unit_test(test_v2_truncated_everywhere),
        cmocka_unit_test(test_v2_payload_offsets),
        cmocka_unit_test(test_v2_key_lengths),
        cmocka_unit_test(test_v2_fragments),
        cmocka_unit_test(test_v2_null_padding),
        cmocka_unit_test(test_v2_tables),
        cmocka_unit_test(test_v1_main_mode_and_informational),
        cmocka_unit_test(test_v1_3des_sha1),
        cmocka_unit_test(test_rfc3602_case1),
        cmocka_unit_test(test_v1_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
