/* esp_keys.c - reading Wireshark's ESP SA table (`esp_sa`, the ESP dissector's "user
 * accessible table"; SAs per RFC 4303).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "esp_keys.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "uat.h"

#define ESP_SA_FIELDS 8

G_DEFINE_QUARK(pd-esp-keys-error-quark, pd_esp_keys_error)

pd_esp_keys *pd_esp_keys_new(void)
{
    pd_esp_keys *k = g_new0(pd_esp_keys, 1);
    k->rows = g_ptr_array_new();
    return k;
}

static void row_free(pd_esp_key_row *r)
{
    if (!r)
        return;
    pd_esp_sa_keys_clear(&r->keys);
    g_free(r->where);
    g_free(r);
}

static void drop_rows(pd_esp_keys *k, guint from)
{
    for (guint i = from; i < k->rows->len; i++)
        row_free(g_ptr_array_index(k->rows, i));
    g_ptr_array_set_size(k->rows, from);
}

void pd_esp_keys_free(pd_esp_keys *k)
{
    if (!k)
        return;
    drop_rows(k, 0);
    g_ptr_array_free(k->rows, TRUE);
    g_free(k);
}

size_t pd_esp_keys_count(const pd_esp_keys *k)
{
    return k ? k->rows->len : 0;
}

/* ---- fields ----------------------------------------------------------------------- */

/* An address column for `family`: "*", an address, a prefix "A/N", or (IPv4) octets of
 * which some are "*" ("10.0.*.*", Wireshark's own wildcard). */
static bool parse_addr(const char *text, uint8_t family, pd_esp_addr_filter *f, const char **why)
{
    memset(f, 0, sizeof *f);
    size_t alen = family == 6 ? 16 : 4;
    if (strcmp(text, "*") == 0) {
        f->any = true;
        return true;
    }
    char buf[64];
    if (strlen(text) >= sizeof buf) {
        *why = "is not an address";
        return false;
    }
    g_strlcpy(buf, text, sizeof buf);
    unsigned bits = (unsigned)alen * 8;
    char *slash = strchr(buf, '/');
    if (slash) {
        *slash = '\0';
        char *end = NULL;
        unsigned long n = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || n > alen * 8) {
            *why = family == 6 ? "has a bad prefix length (0-128)" : "has a bad prefix length (0-32)";
            return false;
        }
        bits = (unsigned)n;
    }
    if (family == 4 && strchr(buf, '*')) {
        /* "10.0.*.*": four octets, each a number or "*". */
        char **oct = g_strsplit(buf, ".", -1);
        bool ok = g_strv_length(oct) == 4 && !slash;
        for (int i = 0; ok && i < 4; i++) {
            if (strcmp(oct[i], "*") == 0)
                continue;
            char *end = NULL;
            unsigned long v = strtoul(oct[i], &end, 10);
            ok = oct[i][0] && !*end && v <= 255;
            f->a[i] = (uint8_t)v;
            f->mask[i] = 0xff;
        }
        g_strfreev(oct);
        if (!ok)
            *why = "is not an IPv4 address (or octets with \"*\")";
        return ok;
    }
    if (inet_pton(family == 6 ? AF_INET6 : AF_INET, buf, f->a) != 1) {
        *why = family == 6 ? "is not an IPv6 address" : "is not an IPv4 address";
        return false;
    }
    for (unsigned i = 0; i < alen; i++) {
        unsigned b = bits > i * 8 ? bits - i * 8 : 0;
        f->mask[i] = b >= 8 ? 0xff : (uint8_t)(0xff00u >> b);
        f->a[i] &= f->mask[i];
    }
    return true;
}

static bool parse_spi(const char *text, bool *any, uint32_t *spi, const char **why)
{
    *any = false;
    *spi = 0;
    if (strcmp(text, "*") == 0) {
        *any = true;
        return true;
    }
    const char *p = text;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        base = 16;
    }
    size_t n = strlen(p);
    if (n == 0 || n > (base == 16 ? 8u : 10u)) {
        *why = "SPI is not \"0x\" and 1 to 8 hex digits, a decimal number or \"*\"";
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = base == 16 ? pd_uat_hexval(p[i]) : (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1);
        if (d < 0) {
            *why = "SPI is not \"0x\" and 1 to 8 hex digits, a decimal number or \"*\"";
            return false;
        }
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (v > UINT32_MAX) {
        *why = "SPI is larger than 32 bits";
        return false;
    }
    *spi = (uint32_t)v;
    return true;
}

/* A key column as Wireshark reads it: "0x" and hex digits (an odd count gets a leading
 * zero), "0x" or nothing for no key, anything else the bytes of the text itself. */
static bool parse_key(const pd_uat_field *f, uint8_t *out, size_t *len, const char **why)
{
    const char *t = f->text;
    *len = 0;
    if (f->len > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        const char *h = t + 2;
        size_t n = f->len - 2, nbytes = (n + 1) / 2;
        if (nbytes > PD_ESP_KEY_MAX) {
            *why = "is longer than 64 bytes";
            return false;
        }
        size_t i = 0, o = 0;
        if (n % 2) {
            int v = pd_uat_hexval(h[0]);
            if (v < 0) {
                *why = "is not hexadecimal after \"0x\"";
                return false;
            }
            out[o++] = (uint8_t)v;
            i = 1;
        }
        for (; i < n; i += 2) {
            int hi = pd_uat_hexval(h[i]), lo = pd_uat_hexval(h[i + 1]);
            if (hi < 0 || lo < 0) {
                *why = "is not hexadecimal after \"0x\"";
                return false;
            }
            out[o++] = (uint8_t)(hi * 16 + lo);
        }
        *len = o;
        return true;
    }
    if (f->len == 0 || (f->len == 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')))
        return true;
    if (f->len > PD_ESP_KEY_MAX) {
        *why = "is longer than 64 bytes";
        return false;
    }
    memcpy(out, t, f->len);
    *len = f->len;
    return true;
}

static char *key_lens_text(const pd_esp_encr_spec *e)
{
    GString *s = g_string_new(NULL);
    size_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(e->key_lens) && e->key_lens[i]; i++)
        n++;
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(s, "%s%u", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                               (unsigned)e->key_lens[i] + e->salt_len);
    return g_string_free(s, FALSE);
}

static bool row_parse(pd_esp_keys *k, const pd_uat_field *f, const char *where, char **why)
{
    pd_esp_key_row *r = g_new0(pd_esp_key_row, 1);
    const char *w = NULL;
    if (g_ascii_strcasecmp(f[0].text, "IPv4") == 0) {
        r->family = 4;
    } else if (g_ascii_strcasecmp(f[0].text, "IPv6") == 0) {
        r->family = 6;
    } else {
        *why = g_strdup_printf("protocol \"%s\" is not \"IPv4\" or \"IPv6\"", f[0].text);
        goto bad;
    }
    if (!parse_addr(f[1].text, r->family, &r->src, &w)) {
        *why = g_strdup_printf("source \"%s\" %s", f[1].text, w);
        goto bad;
    }
    if (!parse_addr(f[2].text, r->family, &r->dst, &w)) {
        *why = g_strdup_printf("destination \"%s\" %s", f[2].text, w);
        goto bad;
    }
    if (!parse_spi(f[3].text, &r->spi_any, &r->spi, &w)) {
        *why = g_strdup_printf("%s (\"%s\")", w, f[3].text);
        goto bad;
    }
    r->keys.encr = pd_esp_encr_find(f[4].text);
    if (!r->keys.encr) {
        *why = g_strdup_printf("unknown encryption algorithm \"%s\" (Wireshark's names: "
                               "\"AES-CBC [RFC3602]\", \"TripleDES-CBC [RFC2451]\", "
                               "\"AES-GCM with 16 octet ICV [RFC4106]\", \"NULL\"...)",
                               f[4].text);
        goto bad;
    }
    if (!parse_key(&f[5], r->keys.ekey, &r->keys.ekey_len, &w)) {
        *why = g_strdup_printf("encryption key %s", w);
        goto bad;
    }
    r->keys.auth = pd_esp_auth_find(f[6].text);
    if (!r->keys.auth) {
        *why = g_strdup_printf("unknown authentication algorithm \"%s\" (Wireshark's names: "
                               "\"HMAC-SHA-1-96 [RFC2404]\", \"HMAC-SHA-256-128 [RFC4868]\", "
                               "\"NULL\", \"ANY 96 bit authentication [no checking]\"...)",
                               f[6].text);
        goto bad;
    }
    if (!parse_key(&f[7], r->keys.akey, &r->keys.akey_len, &w)) {
        *why = g_strdup_printf("authentication key %s", w);
        goto bad;
    }
    size_t want = 0;
    if (!pd_esp_sa_keys_valid(&r->keys, &w, &want)) {
        if (r->keys.encr->mode == PD_ESP_MODE_NULL) {
            *why = g_strdup_printf("encryption key has %zu bytes; NULL encryption takes none",
                                   r->keys.ekey_len);
        } else {
            char *lens = key_lens_text(r->keys.encr);
            *why = g_strdup_printf("encryption key has %zu bytes; %s takes %s%s",
                                   r->keys.ekey_len, r->keys.encr->name, lens,
                                   r->keys.encr->salt_len ? " (the cipher key and a 4-byte "
                                                            "nonce or salt)"
                                                          : "");
            g_free(lens);
        }
        goto bad;
    }
    /* An HMAC without a key is allowed (Wireshark too): the ICV is skipped and the padding
     * is the only check of the encryption key. */
    r->where = g_strdup(where);
    g_ptr_array_add(k->rows, r);
    return true;
bad:
    g_free(r);
    return false;
}

/* ---- files ------------------------------------------------------------------------ */

static bool esp_row(void *user, const pd_uat_field *f, int n, const char *where, char **reason)
{
    pd_esp_keys *k = user;
    if (k->rows->len >= PD_ESP_KEYS_MAX_ROWS) {
        *reason = g_strdup_printf("more than %u rows", PD_ESP_KEYS_MAX_ROWS);
        return false;
    }
    if (n == ESP_SA_FIELDS)
        return row_parse(k, f, where, reason);
    *reason = g_strdup_printf(
        "%d field%s; a row of Wireshark's ESP SA table (esp_sa) has 8: \"IPv4\" or "
        "\"IPv6\", source, destination, SPI, \"encryption algorithm\", encryption key, "
        "\"authentication algorithm\", authentication key",
        n, n == 1 ? "" : "s");
    return false;
}

bool pd_esp_keys_parse(pd_esp_keys *k, const char *text, size_t len, const char *name,
                       GError **error)
{
    guint start = k->rows->len;
    if (!name)
        name = "(ESP SA table)";
    if (len > PD_ESP_KEYS_MAX_FILE_BYTES) {
        g_set_error(error, PD_ESP_KEYS_ERROR, 1, "%s: larger than %u bytes: not an ESP SA table",
                    name, PD_ESP_KEYS_MAX_FILE_BYTES);
        return false;
    }
    if (memchr(text, '\0', len)) {
        g_set_error(error, PD_ESP_KEYS_ERROR, 1, "%s: contains NUL bytes: not an ESP SA table",
                    name);
        return false;
    }
    char *where, *reason;
    if (!pd_uat_each_record(text, len, name, esp_row, k, &where, &reason)) {
        g_set_error(error, PD_ESP_KEYS_ERROR, 2, "%s: %s", where, reason);
        g_free(reason);
        g_free(where);
        drop_rows(k, start);
        return false;
    }
    return true;
}

bool pd_esp_keys_load_file(pd_esp_keys *k, const char *path, GError **error)
{
    gchar *text = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, PD_ESP_KEYS_ERROR, 1, "%s: is a directory, not an ESP SA table", path);
        return false;
    }
    if (!g_file_get_contents(path, &text, &len, &err)) {
        g_set_error(error, PD_ESP_KEYS_ERROR, 1, "%s", err->message);
        g_error_free(err);
        return false;
    }
    bool ok = pd_esp_keys_parse(k, text, len, path, error);
    g_free(text);
    return ok;
}

/* ---- matching --------------------------------------------------------------------- */

static bool addr_matches(const pd_esp_addr_filter *f, const pd_addr *a)
{
    if (f->any)
        return true;
    size_t n = a->family == 6 ? 16 : 4;
    for (size_t i = 0; i < n; i++)
        if ((a->a[i] & f->mask[i]) != f->a[i])
            return false;
    return true;
}

pd_esp_key_row *pd_esp_keys_find(const pd_esp_keys *k, const pd_addr *src, const pd_addr *dst,
                                 uint32_t spi)
{
    if (!k)
        return NULL;
    for (guint i = 0; i < k->rows->len; i++) {
        pd_esp_key_row *r = g_ptr_array_index(k->rows, i);
        if (r->family == src->family && (r->spi_any || r->spi == spi) &&
            addr_matches(&r->src, src) && addr_matches(&r->dst, dst))
            return r;
    }
    return NULL;
}
