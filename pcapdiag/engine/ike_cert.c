/* ike_cert.c - one-line summaries of X.509 certificates in IKE CERT
 * payloads (RFC 5280 4.1: TBSCertificate issuer, validity, subject,
 * subjectPublicKeyInfo; RFC 3279 / RFC 5480 key types).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ike_cert.h"

#include <stdio.h>
#include <string.h>

#include "ike.h"
#include "pcapdiag/cursor.h"

/* One DER tag and definite length (up to 4 length bytes); the value must
 * fit in what is left. */
static bool der_next(pd_cursor *c, uint8_t *tag, pd_cursor *value)
{
    uint8_t t, l, b;
    size_t len = 0;
    if (!pd_cursor_u8(c, &t) || !pd_cursor_u8(c, &l))
        return false;
    if (l < 0x80) {
        len = l;
    } else {
        unsigned n = l & 0x7f;
        if (n == 0 || n > 4)
            return false;
        for (unsigned i = 0; i < n; i++) {
            if (!pd_cursor_u8(c, &b))
                return false;
            len = (len << 8) | b;
        }
    }
    *tag = t;
    return pd_cursor_sub(c, len, value);
}

/* The raw encoding (tag and length included) of the next element. */
static bool der_raw(pd_cursor *c, uint8_t *tag, const uint8_t **raw, size_t *raw_len)
{
    pd_cursor start = *c, v;
    if (!der_next(c, tag, &v))
        return false;
    *raw_len = c->pos - start.pos;
    return pd_cursor_bytes(&start, *raw_len, raw);
}

static bool oid_is(const pd_cursor *oid, const uint8_t *want, size_t n)
{
    pd_cursor c = *oid;
    const uint8_t *p;
    return pd_cursor_remaining(&c) == n && pd_cursor_bytes(&c, n, &p) && memcmp(p, want, n) == 0;
}

/* Bits in a big-endian unsigned INTEGER (a leading zero byte is sign). */
static unsigned integer_bits(pd_cursor v)
{
    uint8_t b = 0;
    while (pd_cursor_peek_u8(&v, 0, &b) && b == 0)
        pd_cursor_skip(&v, 1);
    size_t n = pd_cursor_remaining(&v);
    if (n == 0 || n > 8192)
        return 0;
    unsigned bits = (unsigned)(n - 1) * 8;
    while (b) {
        bits++;
        b >>= 1;
    }
    return bits;
}

static void key_text(pd_cursor spki, char *out, size_t outlen)
{
    static const uint8_t rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
    static const uint8_t ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
    static const uint8_t p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
    static const uint8_t p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
    static const uint8_t p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
    static const uint8_t ed25519[] = { 0x2b, 0x65, 0x70 };
    static const uint8_t ed448[] = { 0x2b, 0x65, 0x71 };
    uint8_t tag;
    pd_cursor alg, oid, params, bits;
    snprintf(out, outlen, "%s", "unknown key type");
    if (!der_next(&spki, &tag, &alg) || tag != 0x30 || !der_next(&alg, &tag, &oid) || tag != 0x06)
        return;
    if (!der_next(&spki, &tag, &bits) || tag != 0x03)
        return;
    if (oid_is(&oid, rsa, sizeof rsa)) {
        /* BIT STRING: unused-bits octet, then RSAPublicKey ::= SEQUENCE { n, e }. */
        pd_cursor seq, n;
        if (pd_cursor_skip(&bits, 1) && der_next(&bits, &tag, &seq) && tag == 0x30 &&
            der_next(&seq, &tag, &n) && tag == 0x02)
            snprintf(out, outlen, "RSA %u bits", integer_bits(n));
        else
            snprintf(out, outlen, "%s", "RSA");
        return;
    }
    if (oid_is(&oid, ec, sizeof ec)) {
        const char *curve = "ECDSA";
        if (der_next(&alg, &tag, &params) && tag == 0x06) {
            if (oid_is(&params, p256, sizeof p256))
                curve = "ECDSA P-256";
            else if (oid_is(&params, p384, sizeof p384))
                curve = "ECDSA P-384";
            else if (oid_is(&params, p521, sizeof p521))
                curve = "ECDSA P-521";
        }
        snprintf(out, outlen, "%s", curve);
        return;
    }
    if (oid_is(&oid, ed25519, sizeof ed25519))
        snprintf(out, outlen, "%s", "Ed25519");
    else if (oid_is(&oid, ed448, sizeof ed448))
        snprintf(out, outlen, "%s", "Ed448");
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ -> YYYY-MM-DD. */
static void time_text(uint8_t tag, pd_cursor v, char *out, size_t outlen)
{
    char d[16] = "";
    size_t n = pd_cursor_remaining(&v), digits = tag == 0x17 ? 6 : 8;
    const uint8_t *p;
    out[0] = '\0';
    if (n < digits || !pd_cursor_bytes(&v, digits, &p))
        return;
    for (size_t i = 0; i < digits; i++) {
        if (p[i] < '0' || p[i] > '9')
            return;
        d[i] = (char)p[i];
    }
    if (tag == 0x17) /* RFC 5280 4.1.2.5.1: YY >= 50 is 19YY */
        snprintf(out, outlen, "%s%.2s-%.2s-%.2s", d[0] >= '5' ? "19" : "20", d, d + 2, d + 4);
    else
        snprintf(out, outlen, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}

bool pd_ike_cert_summary(const uint8_t *der, size_t len, char *buf, size_t buflen)
{
    pd_cursor c = pd_cursor_make(der, len), cert, tbs, v;
    uint8_t tag;
    const uint8_t *issuer = NULL, *subject = NULL;
    size_t issuer_len = 0, subject_len = 0;
    char until[16] = "", key[48] = "";
    if (!buf || buflen == 0)
        return false;
    buf[0] = '\0';
    if (!der_next(&c, &tag, &cert) || tag != 0x30 || !der_next(&cert, &tag, &tbs) || tag != 0x30)
        return false;
    /* [0] EXPLICIT version, optional. */
    uint8_t first = 0;
    if (pd_cursor_peek_u8(&tbs, 0, &first) && first == 0xa0 && !der_next(&tbs, &tag, &v))
        return false;
    if (!der_next(&tbs, &tag, &v) || tag != 0x02)            /* serialNumber */
        return false;
    if (!der_next(&tbs, &tag, &v) || tag != 0x30)            /* signature */
        return false;
    if (!der_raw(&tbs, &tag, &issuer, &issuer_len) || tag != 0x30)
        return false;
    pd_cursor validity, t1, t2;
    uint8_t tag1, tag2;
    if (!der_next(&tbs, &tag, &validity) || tag != 0x30)
        return false;
    if (der_next(&validity, &tag1, &t1) && der_next(&validity, &tag2, &t2) &&
        (tag2 == 0x17 || tag2 == 0x18))
        time_text(tag2, t2, until, sizeof until);
    if (!der_raw(&tbs, &tag, &subject, &subject_len) || tag != 0x30)
        return false;
    pd_cursor spki;
    if (der_next(&tbs, &tag, &spki) && tag == 0x30)
        key_text(spki, key, sizeof key);
    char subj[PD_IKE_ID_TEXT_MAX], iss[PD_IKE_ID_TEXT_MAX];
    /* Names render like an ID_DER_ASN1_DN identity (RFC 7296 3.5). */
    pd_ike_id_format(2, 9, subject, subject_len, subj, sizeof subj);
    pd_ike_id_format(2, 9, issuer, issuer_len, iss, sizeof iss);
    snprintf(buf, buflen, "subject %s; issuer %s%s%s%s%s", subj[0] ? subj : "(empty)",
             iss[0] ? iss : "(empty)", key[0] ? "; " : "", key, until[0] ? "; valid until " : "",
             until);
    return true;
}
