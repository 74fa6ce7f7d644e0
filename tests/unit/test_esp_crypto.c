/* test_esp_crypto.c - known-answer tests of ESP decryption (esp_crypto.c, RFC 4303): AES-CBC
 * 128/192/256 (RFC 3602) and 3DES-CBC (RFC 2451) with HMAC-SHA-1-96, HMAC-SHA-256-128,
 * HMAC-SHA-512-256, HMAC-MD5-96 or no authentication, AES-CTR (RFC 3686), AES-GCM with 16-
 * and 8-octet ICVs (RFC 4106), NULL encryption (RFC 2410); every truncation, every flipped
 * byte, wrong keys, bad padding and pad lengths. The vectors (esp_crypto_vectors.h) were
 * computed with Python's hmac and the cryptography package, not with libgcrypt.
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

#include "esp_crypto.h"
#include "esp_crypto_vectors.h"

#define NEED_CRYPTO()                                                                          \
    do {                                                                                       \
        if (!pd_ike_crypto_available()) {                                                      \
            print_message("built without libgcrypt: decryption not tested\n");                \
            skip();                                                                            \
        }                                                                                      \
    } while (0)

static pd_esp_sa_keys keys_of(const esp_vector *v)
{
    pd_esp_sa_keys k;
    memset(&k, 0, sizeof k);
    k.encr = pd_esp_encr_find(v->encr);
    k.auth = pd_esp_auth_find(v->auth);
    assert_non_null(k.encr);
    assert_non_null(k.auth);
    memcpy(k.ekey, v->ekey, v->ekey_len);
    k.ekey_len = v->ekey_len;
    memcpy(k.akey, v->akey, v->akey_len);
    k.akey_len = v->akey_len;
    return k;
}

static void test_tables(void **state)
{
    (void)state;
    /* Wireshark 4.0's names, exactly; forgiving variants too. */
    assert_non_null(pd_esp_encr_find("AES-CBC [RFC3602]"));
    assert_non_null(pd_esp_encr_find("TripleDES-CBC [RFC2451]"));
    assert_non_null(pd_esp_encr_find("AES-GCM with 16 octet ICV [RFC4106]"));
    assert_non_null(pd_esp_encr_find("aes-cbc"));
    assert_non_null(pd_esp_auth_find("HMAC-SHA-1-96 [RFC2404]"));
    assert_non_null(pd_esp_auth_find("hmac-sha-256-128"));
    assert_non_null(pd_esp_auth_find("ANY 96 bit authentication [no checking]"));
    assert_null(pd_esp_encr_find("AES-CBC-128 [RFC3602]")); /* an IKEv2 table name, not ESP's */
    assert_null(pd_esp_auth_find("HMAC_SHA1_96 [RFC2404]"));
    assert_null(pd_esp_encr_find(NULL));
    assert_string_equal(pd_esp_status_name(PD_ESP_ICV_MISMATCH), "icv_mismatch");
    for (const pd_esp_encr_spec *e = pd_esp_encr_specs(); e->name; e++)
        assert_ptr_equal(pd_esp_encr_find(e->name), e);
    for (const pd_esp_auth_spec *a = pd_esp_auth_specs(); a->name; a++)
        assert_ptr_equal(pd_esp_auth_find(a->name), a);
}

static void test_known_answers(void **state)
{
    (void)state;
    NEED_CRYPTO();
    uint8_t out[512];
    for (size_t i = 0; i < G_N_ELEMENTS(esp_vectors); i++) {
        const esp_vector *v = &esp_vectors[i];
        pd_esp_sa_keys k = keys_of(v);
        pd_esp_plain pl;
        /* Twice: the second packet reuses the keyed handles. */
        for (int round = 0; round < 2; round++) {
            pd_esp_status st = pd_esp_decrypt(&k, v->packet, v->packet_len, v->packet_len, out,
                                              sizeof out, &pl);
            if (st != PD_ESP_OK)
                print_message("%s: %s\n", v->name, pd_esp_status_name(st));
            assert_int_equal(st, PD_ESP_OK);
            assert_int_equal(pl.next_header, v->next_header);
            assert_int_equal(pl.pad_len, v->pad_len);
            assert_int_equal(pl.len, sizeof esp_payload);
            assert_memory_equal(pl.payload, esp_payload, sizeof esp_payload);
            assert_int_equal(pl.icv_checked, v->akey_len > 0 || strstr(v->encr, "GCM") != NULL);
        }
        pd_esp_sa_keys_clear(&k);
    }
}

/* Every byte flipped: with an ICV the packet is refused as such; without one the padding
 * (or the trailer) must catch what it can, and nothing may read out of bounds. */
static void test_every_flip(void **state)
{
    (void)state;
    NEED_CRYPTO();
    uint8_t out[512], pkt[512];
    for (size_t i = 0; i < G_N_ELEMENTS(esp_vectors); i++) {
        const esp_vector *v = &esp_vectors[i];
        pd_esp_sa_keys k = keys_of(v);
        bool has_icv = v->akey_len > 0 || strstr(v->encr, "GCM") != NULL;
        for (size_t pos = 0; pos < v->packet_len; pos++) {
            memcpy(pkt, v->packet, v->packet_len);
            pkt[pos] ^= 0x5a;
            pd_esp_plain pl;
            pd_esp_status st = pd_esp_decrypt(&k, pkt, v->packet_len, v->packet_len, out,
                                              sizeof out, &pl);
            if (has_icv)
                assert_int_equal(st, PD_ESP_ICV_MISMATCH);
        }
        pd_esp_sa_keys_clear(&k);
    }
}

/* Cut short by the capture (caplen < wire length) and short on the wire. */
static void test_truncation(void **state)
{
    (void)state;
    NEED_CRYPTO();
    uint8_t out[512];
    for (size_t i = 0; i < G_N_ELEMENTS(esp_vectors); i++) {
        const esp_vector *v = &esp_vectors[i];
        pd_esp_sa_keys k = keys_of(v);
        bool has_icv = v->akey_len > 0 || strstr(v->encr, "GCM") != NULL;
        for (size_t len = 0; len < v->packet_len; len++) {
            pd_esp_plain pl;
            /* A copy of exactly len bytes, so ASan sees any read past them. */
            uint8_t *cut = g_memdup2(v->packet, len ? len : 1);
            assert_int_equal(pd_esp_decrypt(&k, cut, len, v->packet_len, out, sizeof out, &pl),
                             PD_ESP_TRUNCATED);
            /* Shorter on the wire: the ICV is elsewhere (without one, only no overread). */
            pd_esp_status st = pd_esp_decrypt(&k, cut, len, len, out, sizeof out, &pl);
            if (has_icv)
                assert_int_not_equal(st, PD_ESP_OK);
            g_free(cut);
        }
        /* An output buffer too small is a length error, not an overflow. */
        pd_esp_plain pl;
        assert_int_equal(pd_esp_decrypt(&k, v->packet, v->packet_len, v->packet_len, out, 8, &pl),
                         PD_ESP_BAD_LENGTH);
        pd_esp_sa_keys_clear(&k);
    }
}

static void test_wrong_keys(void **state)
{
    (void)state;
    NEED_CRYPTO();
    uint8_t out[512];
    for (size_t i = 0; i < G_N_ELEMENTS(esp_vectors); i++) {
        const esp_vector *v = &esp_vectors[i];
        pd_esp_sa_keys k = keys_of(v);
        pd_esp_plain pl;
        if (v->akey_len) {
            k.akey[0] ^= 1; /* the authentication key: ICV mismatch */
            assert_int_equal(pd_esp_decrypt(&k, v->packet, v->packet_len, v->packet_len, out,
                                            sizeof out, &pl),
                             PD_ESP_ICV_MISMATCH);
            pd_esp_sa_keys_clear(&k);
            k.akey[0] ^= 1;
        }
        if (v->ekey_len) {
            k.ekey[0] ^= 0x10; /* not bit 0: DES ignores its parity bits */
            pd_esp_status st = pd_esp_decrypt(&k, v->packet, v->packet_len, v->packet_len, out,
                                              sizeof out, &pl);
            /* GCM: the tag; otherwise the padding (the HMAC passes: its key is right),
             * unless the noise happens to end in a pad length of 0 (1 in 256): nothing is
             * left to check then. */
            if (strstr(v->encr, "GCM"))
                assert_int_equal(st, PD_ESP_ICV_MISMATCH);
            else if (st == PD_ESP_OK)
                assert_int_equal(pl.pad_len, 0);
            else
                assert_int_equal(st, PD_ESP_BAD_PADDING);
        }
        pd_esp_sa_keys_clear(&k);
    }
}

static void test_padding(void **state)
{
    (void)state;
    NEED_CRYPTO();
    uint8_t out[512];
    pd_esp_plain pl;
    pd_esp_sa_keys k;
    memset(&k, 0, sizeof k);
    k.encr = pd_esp_encr_find("AES-CBC [RFC3602]");
    k.auth = pd_esp_auth_find("NULL");
    memcpy(k.ekey, ek_badpad, sizeof ek_badpad);
    k.ekey_len = sizeof ek_badpad;
    /* The right key, padding 0, 0, 0... instead of 1, 2, 3...: refused. */
    assert_int_equal(pd_esp_decrypt(&k, pkt_badpad, sizeof pkt_badpad, sizeof pkt_badpad, out,
                                     sizeof out, &pl),
                     PD_ESP_BAD_PADDING);
    /* A pad length of 200 in a 16-byte plaintext, under a good ICV: refused. */
    k.auth = pd_esp_auth_find("HMAC-SHA-1-96 [RFC2404]");
    memcpy(k.akey, ak_badlen, sizeof ak_badlen);
    k.akey_len = sizeof ak_badlen;
    assert_int_equal(pd_esp_decrypt(&k, pkt_badlen, sizeof pkt_badlen, sizeof pkt_badlen, out,
                                     sizeof out, &pl),
                     PD_ESP_BAD_PADDING);
    /* Unchecked "ANY 96 bit" ICV: skipped, the padding decides. */
    k.auth = pd_esp_auth_find("ANY 96 bit authentication [no checking]");
    k.akey_len = 0;
    pd_esp_sa_keys_clear(&k);
    assert_int_equal(pd_esp_decrypt(&k, pkt_badlen, sizeof pkt_badlen, sizeof pkt_badlen, out,
                                     sizeof out, &pl),
                     PD_ESP_BAD_PADDING);
    pd_esp_sa_keys_clear(&k);
}

static void test_key_lengths(void **state)
{
    (void)state;
    pd_esp_sa_keys k;
    const char *why;
    size_t want;
    memset(&k, 0, sizeof k);
    k.encr = pd_esp_encr_find("AES-CBC [RFC3602]");
    k.auth = pd_esp_auth_find("NULL");
    size_t ok_lens[] = { 16, 24, 32 };
    for (size_t i = 0; i < 3; i++) {
        k.ekey_len = ok_lens[i];
        assert_true(pd_esp_sa_keys_valid(&k, &why, &want));
    }
    k.ekey_len = 20;
    assert_false(pd_esp_sa_keys_valid(&k, &why, &want));
    k.encr = pd_esp_encr_find("AES-GCM with 16 octet ICV [RFC4106]");
    k.ekey_len = 16; /* without the salt */
    assert_false(pd_esp_sa_keys_valid(&k, &why, &want));
    assert_int_equal(want, 20);
    k.ekey_len = 36;
    assert_true(pd_esp_sa_keys_valid(&k, &why, &want));
    k.encr = pd_esp_encr_find("TripleDES-CBC [RFC2451]");
    k.ekey_len = 16;
    assert_false(pd_esp_sa_keys_valid(&k, &why, &want));
    k.encr = pd_esp_encr_find("NULL");
    k.ekey_len = 0;
    assert_true(pd_esp_sa_keys_valid(&k, &why, &want));
    k.ekey_len = 16;
    assert_false(pd_esp_sa_keys_valid(&k, &why, &want));
    /* A key of the wrong length never reaches libgcrypt. */
    uint8_t out[64];
    pd_esp_plain pl;
    static const uint8_t pkt[64] = { 0 };
    k.encr = pd_esp_encr_find("AES-CBC [RFC3602]");
    k.ekey_len = 20;
    assert_int_equal(pd_esp_decrypt(&k, pkt, sizeof pkt, sizeof pkt, out, sizeof out, &pl),
                     pd_ike_crypto_available() ? PD_ESP_BAD_KEY : PD_ESP_UNAVAILABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),      cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_every_flip),  cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_wrong_keys),  cmocka_unit_test(test_padding),
        cmocka_unit_test(test_key_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
