/* ike_keys.c - reading Wireshark's IKEv1/IKEv2 decryption tables (the
 * ISAKMP dissector's "user accessible tables"; keys per RFC 2409 and
 * RFC 7296 2.14).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ike_keys.h"

#include "uat.h"

#include <string.h>

#define V1_FIELDS 2
#define V2_FIELDS 8

G_DEFINE_QUARK(pd-ike-keys-error-quark, pd_ike_keys_error)

static const char *const v2_field_names[V2_FIELDS] = {
    "initiator's SPI", "responder's SPI", "SK_ei", "SK_er", "encryption algorithm",
    "SK_ai", "SK_ar", "integrity algorithm",
};

pd_ike_keys *pd_ike_keys_new(void)
{
    pd_ike_keys *k = g_new0(pd_ike_keys, 1);
    k->v1 = g_array_new(FALSE, TRUE, sizeof(pd_ike_key_v1));
    k->v2 = g_array_new(FALSE, TRUE, sizeof(pd_ike_key_v2));
    return k;
}

static void clear_rows(GArray *v1, guint from1, GArray *v2, guint from2)
{
    for (guint i = from1; v1 && i < v1->len; i++)
        g_free(g_array_index(v1, pd_ike_key_v1, i).where);
    for (guint i = from2; v2 && i < v2->len; i++)
        g_free(g_array_index(v2, pd_ike_key_v2, i).where);
    if (v1)
        g_array_set_size(v1, from1);
    if (v2)
        g_array_set_size(v2, from2);
}

void pd_ike_keys_free(pd_ike_keys *k)
{
    if (!k)
        return;
    clear_rows(k->v1, 0, k->v2, 0);
    g_array_free(k->v1, TRUE);
    g_array_free(k->v2, TRUE);
    g_free(k);
}

size_t pd_ike_keys_count(const pd_ike_keys *k)
{
    return k ? k->v1->len + k->v2->len : 0;
}

/* ---- one record ---------------------------------------------------------- */

/* Hex bytes; *why says what is wrong. */
static bool parse_hex(const pd_uat_field *f, uint8_t *out, size_t max, size_t *len,
                      const char **why)
{
    if (f->quoted) {
        *why = "is quoted; a byte field is bare hex";
        return false;
    }
    if (f->len % 2) {
        *why = "has an odd number of hex digits";
        return false;
    }
    if (f->len / 2 > max) {
        *why = "is too long";
        return false;
    }
    for (size_t i = 0; i < f->len; i += 2) {
        int hi = pd_uat_hexval(f->text[i]), lo = pd_uat_hexval(f->text[i + 1]);
        if (hi < 0 || lo < 0) {
            *why = "is not hexadecimal";
            return false;
        }
        out[i / 2] = (uint8_t)(hi * 16 + lo);
    }
    *len = f->len / 2;
    return true;
}

/* Wireshark's exact name first; then, forgivingly, any case and without
 * the "[RFC...]" reference ("aes-cbc-128"). */
static bool name_matches(const char *want, const char *given)
{
    if (g_ascii_strcasecmp(want, given) == 0)
        return true;
    const char *br = strstr(want, " [");
    size_t n = br ? (size_t)(br - want) : strlen(want);
    return strlen(given) == n && g_ascii_strncasecmp(want, given, n) == 0;
}

static const pd_ikev2_encr_spec *find_encr(const char *name)
{
    const pd_ikev2_encr_spec *s = pd_ikev2_encr_by_name(name);
    for (const pd_ikev2_encr_spec *t = pd_ikev2_encr_specs(); !s && t->name; t++)
        if (name_matches(t->name, name))
            s = t;
    return s;
}

static const pd_ikev2_integ_spec *find_integ(const char *name)
{
    const pd_ikev2_integ_spec *s = pd_ikev2_integ_by_name(name);
    for (const pd_ikev2_integ_spec *t = pd_ikev2_integ_specs(); !s && t->name; t++)
        if (name_matches(t->name, name))
            s = t;
    return s;
}

static bool row_v1(pd_ike_keys *k, const pd_uat_field *f, const char *where, char **why)
{
    pd_ike_key_v1 r;
    const char *w = NULL;
    size_t n = 0;
    memset(&r, 0, sizeof r);
    if (!parse_hex(&f[0], r.cookie_i, 8, &n, &w) || n != 8) {
        *why = w ? g_strdup_printf("initiator's cookie %s", w)
                 : g_strdup_printf("initiator's cookie has %zu bytes, not 8", n);
        return false;
    }
    if (!parse_hex(&f[1], r.key, sizeof r.key, &r.key_len, &w) || r.key_len == 0) {
        *why = w ? g_strdup_printf("encryption key %s", w) : g_strdup("encryption key is empty");
        return false;
    }
    r.where = g_strdup(where);
    g_array_append_val(k->v1, r);
    return true;
}

static bool row_v2(pd_ike_keys *k, const pd_uat_field *f, const char *where, char **why)
{
    pd_ike_key_v2 r;
    const char *w = NULL;
    size_t n = 0;
    memset(&r, 0, sizeof r);
    uint8_t *spis[2] = { r.spi_i, r.spi_r };
    for (int i = 0; i < 2; i++) {
        if (!parse_hex(&f[i], spis[i], 8, &n, &w) || n != 8) {
            *why = w ? g_strdup_printf("%s %s", v2_field_names[i], w)
                     : g_strdup_printf("%s has %zu bytes, not 8", v2_field_names[i], n);
            return false;
        }
    }
    const pd_ikev2_encr_spec *e = find_encr(f[4].text);
    if (!e) {
        *why = g_strdup_printf("unknown encryption algorithm \"%s\" (Wireshark's names: "
                               "\"AES-CBC-128 [RFC3602]\", \"3DES [RFC2451]\", "
                               "\"AES-GCM-256 with 16 octet ICV [RFC5282]\"...)",
                               f[4].text);
        return false;
    }
    const pd_ikev2_integ_spec *in = find_integ(f[7].text);
    if (!in) {
        *why = g_strdup_printf("unknown integrity algorithm \"%s\" (Wireshark's names: "
                               "\"HMAC_SHA2_256_128 [RFC4868]\", \"HMAC_SHA1_96 [RFC2404]\", "
                               "\"NONE [RFC4306]\"...)",
                               f[7].text);
        return false;
    }
    r.keys.encr = e;
    r.keys.integ = in;
    size_t want_e = (size_t)e->cipher_key_len + e->salt_len;
    uint8_t *ekeys[2] = { r.keys.sk_ei, r.keys.sk_er };
    for (int i = 0; i < 2; i++) {
        if (!parse_hex(&f[2 + i], ekeys[i], PD_IKEV2_KEY_MAX, &n, &w) || n != want_e) {
            *why = w ? g_strdup_printf("%s %s", v2_field_names[2 + i], w)
                     : g_strdup_printf("%s has %zu bytes; %s needs %zu", v2_field_names[2 + i], n,
                                       e->name, want_e);
            return false;
        }
    }
    r.keys.sk_e_len = want_e;
    /* AEAD ciphers carry their own ICV: the integrity columns are not used
     * (Wireshark writes NONE and empty keys there). */
    bool aead = e->mode == PD_IKEV2_MODE_GCM || e->mode == PD_IKEV2_MODE_CCM;
    uint8_t *akeys[2] = { r.keys.sk_ai, r.keys.sk_ar };
    size_t alen[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        if (!parse_hex(&f[5 + i], akeys[i], PD_IKEV2_KEY_MAX, &alen[i], &w)) {
            *why = g_strdup_printf("%s %s", v2_field_names[5 + i], w);
            return false;
        }
        if (!aead && in->checked && in->key_len && alen[i] != in->key_len) {
            *why = g_strdup_printf("%s has %zu bytes; %s needs %u", v2_field_names[5 + i],
                                   alen[i], in->name, in->key_len);
            return false;
        }
    }
    r.keys.sk_a_len = alen[0];
    r.where = g_strdup(where);
    g_array_append_val(k->v2, r);
    return true;
}

/* ---- files ---------------------------------------------------------------- */

static bool ike_row(void *user, const pd_uat_field *f, int n, const char *where, char **reason)
{
    pd_ike_keys *k = user;
    if (pd_ike_keys_count(k) >= PD_IKE_KEYS_MAX_ROWS) {
        *reason = g_strdup_printf("more than %u rows", PD_IKE_KEYS_MAX_ROWS);
        return false;
    }
    if (n == V1_FIELDS)
        return row_v1(k, f, where, reason);
    if (n == V2_FIELDS)
        return row_v2(k, f, where, reason);
    *reason = g_strdup_printf(
        "%d field%s; a row of Wireshark's ikev1_decryption_table has 2 (initiator's "
        "cookie, encryption key), one of its ikev2_decryption_table 8 (SPIi, SPIr, SK_ei, "
        "SK_er, \"encryption algorithm\", SK_ai, SK_ar, \"integrity algorithm\")",
        n, n == 1 ? "" : "s");
    return false;
}

bool pd_ike_keys_parse(pd_ike_keys *k, const char *text, size_t len, const char *name,
                       GError **error)
{
    guint start1 = k->v1->len, start2 = k->v2->len;
    if (!name)
        name = "(key table)";
    if (len > PD_IKE_KEYS_MAX_FILE_BYTES) {
        g_set_error(error, PD_IKE_KEYS_ERROR, 1, "%s: larger than %u bytes: not a key table", name,
                    PD_IKE_KEYS_MAX_FILE_BYTES);
        return false;
    }
    if (memchr(text, '\0', len)) {
        g_set_error(error, PD_IKE_KEYS_ERROR, 1, "%s: contains NUL bytes: not a key table", name);
        return false;
    }
    char *where, *reason;
    if (!pd_uat_each_record(text, len, name, ike_row, k, &where, &reason)) {
        g_set_error(error, PD_IKE_KEYS_ERROR, 2, "%s: %s", where, reason);
        g_free(reason);
        g_free(where);
        clear_rows(k->v1, start1, k->v2, start2);
        return false;
    }
    return true;
}

bool pd_ike_keys_load_file(pd_ike_keys *k, const char *path, GError **error)
{
    gchar *text = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, PD_IKE_KEYS_ERROR, 1, "%s: is a directory, not a key table", path);
        return false;
    }
    if (!g_file_get_contents(path, &text, &len, &err)) {
        g_set_error(error, PD_IKE_KEYS_ERROR, 1, "%s", err->message);
        g_error_free(err);
        return false;
    }
    bool ok = pd_ike_keys_parse(k, text, len, path, error);
    g_free(text);
    return ok;
}

pd_ike_key_v2 *pd_ike_keys_next_v2(const pd_ike_keys *k, const uint8_t spi_i[8],
                                   const uint8_t spi_r[8], const pd_ike_key_v2 *after)
{
    if (!k)
        return NULL;
    guint start = 0;
    if (after)
        start = (guint)(after - &g_array_index(k->v2, pd_ike_key_v2, 0)) + 1;
    for (guint i = start; i < k->v2->len; i++) {
        pd_ike_key_v2 *r = &g_array_index(k->v2, pd_ike_key_v2, i);
        if (memcmp(r->spi_i, spi_i, 8) == 0 && memcmp(r->spi_r, spi_r, 8) == 0)
            return r;
    }
    return NULL;
}

pd_ike_key_v1 *pd_ike_keys_next_v1(const pd_ike_keys *k, const uint8_t cookie_i[8],
                                   const pd_ike_key_v1 *after)
{
    if (!k)
        return NULL;
    guint start = 0;
    if (after)
        start = (guint)(after - &g_array_index(k->v1, pd_ike_key_v1, 0)) + 1;
    for (guint i = start; i < k->v1->len; i++) {
        pd_ike_key_v1 *r = &g_array_index(k->v1, pd_ike_key_v1, i);
        if (memcmp(r->cookie_i, cookie_i, 8) == 0)
            return r;
    }
    return NULL;
}
