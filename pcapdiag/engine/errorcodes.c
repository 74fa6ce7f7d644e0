/* errorcodes.c - the error-code catalog (from errorcodes.def): lookup by
 * family and number, parsing of "win:721" / "netmotion:94" / "lancom:0x1106",
 * and the reverse map from a signature to the codes users see for it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "pcapdiag/errorcodes.h"

static const pd_error_code catalog[] = {
#define PD_ERRORCODE(fam, num, title, flags, protos, wire, sigs, refuted, meaning, on_wire, \
                     action, source)                                                       \
    { PD_CODE_##fam, num, title, flags, protos, PD_WIRE_##wire, sigs, refuted, meaning,    \
      on_wire, action, source },
#include "pcapdiag/errorcodes.def"
#undef PD_ERRORCODE
};

#define CATALOG_LEN (sizeof catalog / sizeof catalog[0])

size_t pd_error_code_count(void)
{
    return CATALOG_LEN;
}

const pd_error_code *pd_error_code_get(size_t index)
{
    return index < CATALOG_LEN ? &catalog[index] : NULL;
}

const pd_error_code *pd_error_code_find(pd_code_family family, uint32_t code)
{
    /* Sorted by family then code (the unit test holds the table to it). */
    size_t lo = 0, hi = CATALOG_LEN;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const pd_error_code *e = &catalog[mid];
        if (e->family == family && e->code == code)
            return e;
        if (e->family < family || (e->family == family && e->code < code))
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *pd_code_family_name(pd_code_family f)
{
    switch (f) {
    case PD_CODE_WIN: return "win";
    case PD_CODE_NETMOTION: return "netmotion";
    case PD_CODE_LANCOM: return "lancom";
    case PD_CODE_FAMILY__COUNT: break;
    }
    return "unknown";
}

const char *pd_code_family_title(pd_code_family f)
{
    switch (f) {
    case PD_CODE_WIN: return "Windows";
    case PD_CODE_NETMOTION: return "NetMotion Mobility";
    case PD_CODE_LANCOM: return "LANCOM";
    case PD_CODE_FAMILY__COUNT: break;
    }
    return "unknown";
}

const char *pd_code_wire_name(pd_code_wire w)
{
    switch (w) {
    case PD_WIRE_YES: return "yes";
    case PD_WIRE_INDIRECT: return "indirect";
    case PD_WIRE_NO: return "no";
    }
    return "no";
}

const char *pd_error_code_label(const pd_error_code *e, char *buf, size_t len)
{
    if (!e)
        g_snprintf(buf, len, "?");
    else if (e->family == PD_CODE_LANCOM)
        g_snprintf(buf, len, "lancom:0x%04X", (unsigned)e->code);
    else
        g_snprintf(buf, len, "%s:%u", pd_code_family_name(e->family), (unsigned)e->code);
    return buf;
}

/* ---- parsing ---- */

static const struct {
    const char *prefix;
    pd_code_family family;
} family_prefixes[] = {
    { "win", PD_CODE_WIN },           { "windows", PD_CODE_WIN },
    { "netmotion", PD_CODE_NETMOTION }, { "nm", PD_CODE_NETMOTION },
    { "mobility", PD_CODE_NETMOTION }, { "lancom", PD_CODE_LANCOM },
};

/* Digits only, at most 8 of them (hex) or 10 (decimal) and within 32 bits:
 * the text comes from a command line or a plugin preference. */
static bool parse_number(const char *s, size_t len, bool hex, uint32_t *out)
{
    if (len == 0 || len > (hex ? 8u : 10u))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int d = hex ? g_ascii_xdigit_value(s[i]) : g_ascii_digit_value(s[i]);
        if (d < 0)
            return false;
        v = v * (hex ? 16 : 10) + (uint64_t)d;
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool pd_error_code_parse(const char *text, pd_code_family *family, uint32_t *code)
{
    if (!text)
        return false;
    while (g_ascii_isspace(*text))
        text++;
    size_t len = strlen(text);
    while (len && g_ascii_isspace(text[len - 1]))
        len--;
    if (len == 0 || len > 64)
        return false;

    pd_code_family fam = PD_CODE_WIN;
    const char *colon = memchr(text, ':', len);
    const char *num = text;
    if (colon) {
        size_t plen = (size_t)(colon - text);
        bool known = false;
        for (size_t i = 0; i < G_N_ELEMENTS(family_prefixes); i++) {
            if (strlen(family_prefixes[i].prefix) == plen &&
                g_ascii_strncasecmp(text, family_prefixes[i].prefix, plen) == 0) {
                fam = family_prefixes[i].family;
                known = true;
                break;
            }
        }
        if (!known)
            return false;
        num = colon + 1;
    }
    size_t nlen = len - (size_t)(num - text);
    bool hex = fam == PD_CODE_LANCOM; /* LANCOM prints its IFC codes in hex */
    if (nlen > 2 && num[0] == '0' && (num[1] == 'x' || num[1] == 'X')) {
        num += 2;
        nlen -= 2;
        hex = true;
    }
    uint32_t v;
    if (!parse_number(num, nlen, hex, &v))
        return false;
    *family = fam;
    *code = v;
    return true;
}

const pd_error_code *pd_error_code_lookup(const char *text, char **hint)
{
    pd_code_family fam;
    uint32_t code;
    if (hint)
        *hint = NULL;
    if (!pd_error_code_parse(text, &fam, &code)) {
        if (hint)
            *hint = g_strdup("not an error code (expected a number such as 721, or a family "
                             "prefix: win:721, netmotion:94, lancom:0x1106)");
        return NULL;
    }
    const pd_error_code *e = pd_error_code_find(fam, code);
    if (e || !hint)
        return e;

    /* Not in that family: the same digits may be another product's code. */
    GString *alt = g_string_new(NULL);
    /* LANCOM numbers are hex, the others decimal: the same value in another
     * family would not be the digits the user typed, so no guess then. */
    for (int f = 0; f < PD_CODE_FAMILY__COUNT && fam != PD_CODE_LANCOM; f++) {
        if ((pd_code_family)f == fam)
            continue;
        const pd_error_code *other = pd_error_code_find((pd_code_family)f, code);
        /* "lancom:1106" means 0x1106: also try the decimal digits as hex. */
        if (!other && f == PD_CODE_LANCOM && fam != PD_CODE_LANCOM) {
            char digits[16];
            uint32_t as_hex;
            g_snprintf(digits, sizeof digits, "%u", (unsigned)code);
            if (parse_number(digits, strlen(digits), true, &as_hex))
                other = pd_error_code_find(PD_CODE_LANCOM, as_hex);
        }
        if (other) {
            char label[PD_EC_LABEL_LEN];
            g_string_append_printf(alt, "%s%s", alt->len ? " or " : "",
                                   pd_error_code_label(other, label, sizeof label));
        }
    }
    char label[PD_EC_LABEL_LEN];
    pd_error_code tmp = { .family = fam, .code = code };
    if (alt->len)
        *hint = g_strdup_printf("%s code %s is not in the catalog; did you mean %s?",
                                pd_code_family_title(fam),
                                pd_error_code_label(&tmp, label, sizeof label), alt->str);
    else
        *hint = g_strdup_printf("%s code %s is not in the catalog (pcapdiag explain --list "
                                "shows them all)",
                                pd_code_family_title(fam),
                                pd_error_code_label(&tmp, label, sizeof label));
    g_string_free(alt, TRUE);
    return NULL;
}

/* ---- lists of words ---- */

bool pd_error_code_list_has(const char *list, const char *word)
{
    if (!list || !word || !*word)
        return false;
    size_t wl = strlen(word);
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ' ')
            end++;
        if ((size_t)(end - p) == wl && memcmp(p, word, wl) == 0)
            return true;
        p = end;
    }
    return false;
}

size_t pd_error_codes_for_signature(const char *sig_id, const pd_error_code **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < CATALOG_LEN; i++) {
        if (!pd_error_code_list_has(catalog[i].signatures, sig_id))
            continue;
        if (out && n < max)
            out[n] = &catalog[i];
        n++;
    }
    return n;
}

char *pd_error_codes_typical_text(const char *sig_id)
{
    const pd_error_code *codes[8];
    size_t n = pd_error_codes_for_signature(sig_id, codes, G_N_ELEMENTS(codes));
    if (n == 0)
        return NULL;
    GString *s = g_string_new(NULL);
    size_t shown = MIN(n, G_N_ELEMENTS(codes));
    for (size_t i = 0; i < shown; i++) {
        char label[PD_EC_LABEL_LEN];
        g_string_append_printf(s, "%s%s (%s)", i ? ", " : "",
                               pd_error_code_label(codes[i], label, sizeof label), codes[i]->title);
    }
    if (n > shown)
        g_string_append_printf(s, " and %zu more", n - shown);
    return g_string_free(s, FALSE);
}
