/* ike.c - shared ISAKMP/IKE framing: header, payload chain, SA substructures,
 * attributes (RFC 2408 3.1-3.6, RFC 7296 3.1-3.3) and the UDP 500/4500
 * demultiplexer (RFC 3948 2.2-2.3).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ike.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *pd_ike_status_name(pd_ike_status s)
{
    switch (s) {
    case PD_IKE_OK: return "ok";
    case PD_IKE_TRUNCATED: return "truncated";
    case PD_IKE_BAD_LENGTH: return "bad_length";
    case PD_IKE_BAD_VERSION: return "bad_version";
    case PD_IKE_TOO_MANY_PAYLOADS: return "too_many_payloads";
    case PD_IKE_BAD_PAYLOAD_LENGTH: return "bad_payload_length";
    case PD_IKE_MALFORMED: return "malformed";
    }
    return "unknown";
}

/* ---- header ---------------------------------------------------------------- */

pd_ike_status pd_ike_header_decode(const uint8_t *data, size_t caplen, size_t wire_len,
                                   pd_ike_header *out)
{
    memset(out, 0, sizeof(*out));
    if (!data)
        caplen = 0;
    /* Bytes beyond the datagram (link-layer padding) are not the message's. */
    if (caplen > wire_len)
        caplen = wire_len;
    if (caplen < PD_IKE_HEADER_LEN)
        return wire_len >= PD_IKE_HEADER_LEN ? PD_IKE_TRUNCATED : PD_IKE_BAD_LENGTH;

    pd_cursor c = pd_cursor_make(data, caplen);
    const uint8_t *spi_i = NULL, *spi_r = NULL;
    if (!pd_cursor_bytes(&c, 8, &spi_i) || !pd_cursor_bytes(&c, 8, &spi_r))
        return PD_IKE_TRUNCATED; /* not reached: 28 bytes were checked above */
    memcpy(out->spi_i, spi_i, 8);
    memcpy(out->spi_r, spi_r, 8);
    pd_cursor_u8(&c, &out->next_payload);
    pd_cursor_u8(&c, &out->version);
    pd_cursor_u8(&c, &out->exchange);
    pd_cursor_u8(&c, &out->flags);
    pd_cursor_be32(&c, &out->message_id);
    pd_cursor_be32(&c, &out->length);
    out->major = out->version >> 4;
    out->minor = out->version & 0x0f;

    /* RFC 7296 3.1: the length covers header and payloads; anything shorter
     * than a header or longer than the datagram cannot be walked. */
    if (out->length < PD_IKE_HEADER_LEN || out->length > wire_len)
        return PD_IKE_BAD_LENGTH;
    return PD_IKE_OK;
}

uint8_t pd_ike_peek_major(const uint8_t *data, size_t len)
{
    pd_cursor c = pd_cursor_make(data, len);
    uint8_t v;
    if (len < PD_IKE_HEADER_LEN || !pd_cursor_peek_u8(&c, 17, &v))
        return 0;
    return v >> 4;
}

/* ---- UDP demultiplexing ---------------------------------------------------- */

/* A plausible IKE header at off: major version 1 or 2, and a length that
 * fits between a header and the datagram. */
static bool looks_like_ike(const pd_cursor *c, size_t off, size_t len)
{
    uint8_t version;
    uint32_t length;
    if (len < off + PD_IKE_HEADER_LEN || !pd_cursor_peek_u8(c, off + 17, &version) ||
        !pd_cursor_peek_be32(c, off + 24, &length))
        return false;
    return (version >> 4 == 1 || version >> 4 == 2) && length >= PD_IKE_HEADER_LEN &&
           length <= len - off;
}

pd_ike_udp_kind pd_ike_udp_classify(const uint8_t *data, size_t len, bool natt,
                                    size_t *ike_offset)
{
    pd_cursor c = pd_cursor_make(data, len);
    uint8_t b0;
    uint32_t word;
    size_t off_dummy;

    if (!ike_offset)
        ike_offset = &off_dummy;
    *ike_offset = 0;
    len = c.len;

    /* RFC 3948 2.3: a NAT-keepalive is a single octet 0xFF. */
    if (len == 1 && pd_cursor_peek_u8(&c, 0, &b0) && b0 == 0xFF)
        return PD_IKE_UDP_KEEPALIVE;
    if (len == 0)
        return PD_IKE_UDP_OTHER;

    if (natt) {
        /* RFC 3948 2.2: the non-ESP marker, 4 zero bytes where an ESP SPI
         * would be (SPI 0 is reserved, so it cannot start ESP). */
        if (pd_cursor_peek_be32(&c, 0, &word) && word == 0) {
            *ike_offset = 4;
            return PD_IKE_UDP_IKE;
        }
        /* RFC 3948 2.1: SPI (4) + sequence number (4) at least. */
        return len >= 8 ? PD_IKE_UDP_ESP : PD_IKE_UDP_OTHER;
    }
    /* Port 500 carries no marker (RFC 3947 4), and an SPI may well start
     * with a zero word. Only when the bytes at 0 cannot be an IKE header
     * but those after a zero word can is a stray marker assumed. */
    if (pd_cursor_peek_be32(&c, 0, &word) && word == 0 && !looks_like_ike(&c, 0, len) &&
        looks_like_ike(&c, 4, len))
        *ike_offset = 4;
    return PD_IKE_UDP_IKE;
}

const char *pd_ike_udp_kind_name(pd_ike_udp_kind k)
{
    switch (k) {
    case PD_IKE_UDP_IKE: return "ike";
    case PD_IKE_UDP_ESP: return "esp";
    case PD_IKE_UDP_KEEPALIVE: return "keepalive";
    case PD_IKE_UDP_OTHER: return "other";
    }
    return "other";
}

/* ---- payload chain --------------------------------------------------------- */

void pd_ike_walker_init(pd_ike_walker *w, const uint8_t *data, size_t caplen,
                        const pd_ike_header *h)
{
    memset(w, 0, sizeof(*w));
    if (!data)
        caplen = 0;
    size_t n = caplen < h->length ? caplen : h->length;
    w->msg = pd_cursor_make(data, n);
    w->msg_len = h->length;
    w->next = h->next_payload;
    if (!pd_cursor_skip(&w->msg, PD_IKE_HEADER_LEN)) {
        w->done = true;
        w->status = PD_IKE_TRUNCATED;
        w->detail = "capture ends inside the IKE header";
    }
}

static bool walker_fail(pd_ike_walker *w, pd_ike_status st, const char *detail, size_t off)
{
    w->done = true;
    if (w->status == PD_IKE_OK) {
        w->status = st;
        w->detail = detail;
        w->problem_offset = off;
    }
    return false;
}

bool pd_ike_walker_next(pd_ike_walker *w, pd_ike_payload_raw *out)
{
    memset(out, 0, sizeof(*out));
    if (w->done)
        return false;
    if (w->next == 0) {
        w->done = true;
        return false;
    }
    size_t off = w->msg.pos;
    if (w->count >= PD_IKE_MAX_PAYLOADS)
        return walker_fail(w, PD_IKE_TOO_MANY_PAYLOADS, "more payloads than the decoder's cap", off);

    size_t in_msg = w->msg_len - off; /* pos never passes msg.len <= msg_len */
    if (in_msg < 4)
        return walker_fail(w, PD_IKE_BAD_PAYLOAD_LENGTH,
                           "next payload announced but the message ends", off);
    if (pd_cursor_remaining(&w->msg) < 4)
        return walker_fail(w, PD_IKE_TRUNCATED, "capture ends before a payload header", off);

    uint8_t next = 0, flags = 0;
    uint16_t length = 0;
    pd_cursor_u8(&w->msg, &next);
    pd_cursor_u8(&w->msg, &flags);
    pd_cursor_be16(&w->msg, &length);
    if (length < 4)
        return walker_fail(w, PD_IKE_BAD_PAYLOAD_LENGTH, "payload length below 4", off);
    if (length > in_msg)
        return walker_fail(w, PD_IKE_BAD_PAYLOAD_LENGTH,
                           "payload runs past the end of the message", off);

    out->type = w->next;
    out->next = next;
    out->flags = flags;
    out->length = length;
    out->offset = off;
    w->count++;
    if (pd_cursor_remaining(&w->msg) < (size_t)length - 4) {
        out->complete = false;
        out->body = pd_cursor_make(NULL, 0);
        walker_fail(w, PD_IKE_TRUNCATED, "capture ends inside a payload", off);
        return true;
    }
    out->complete = true;
    pd_cursor_sub(&w->msg, (size_t)length - 4, &out->body);
    w->next = next;
    return true;
}

void pd_ike_walker_stop(pd_ike_walker *w)
{
    w->done = true;
    w->next = 0;
}

size_t pd_ike_walker_trailing(const pd_ike_walker *w)
{
    if (w->status != PD_IKE_OK)
        return 0;
    return w->msg_len - w->msg.pos;
}

/* ---- SA substructures and attributes -------------------------------------- */

bool pd_ike_attr_next(pd_cursor *c, pd_ike_attr *out, bool *bad)
{
    uint16_t t, v;

    memset(out, 0, sizeof(*out));
    *bad = false;
    if (pd_cursor_remaining(c) == 0)
        return false;
    if (!pd_cursor_be16(c, &t) || !pd_cursor_be16(c, &v)) {
        *bad = true;
        return false;
    }
    out->type = t & 0x7fff;
    if (t & 0x8000) {
        /* AF = 1: Type/Value, the value is the 16 bits after the type. */
        out->tv = true;
        out->length = 2;
        out->value = v;
        return true;
    }
    /* AF = 0: Type/Length/Value. Life durations are variable-length
     * (RFC 2409 Appendix A), so accept any width whose significant part
     * fits 64 bits. */
    const uint8_t *val;
    if (!pd_cursor_bytes(c, v, &val)) {
        *bad = true;
        return false;
    }
    out->length = v;
    pd_cursor vc = pd_cursor_make(val, v);
    uint8_t b;
    size_t significant = 0;
    uint64_t acc = 0;
    while (pd_cursor_u8(&vc, &b)) {
        if (significant == 0 && b == 0)
            continue;
        if (++significant > 8) {
            out->value_too_long = true;
            acc = 0;
            break;
        }
        acc = (acc << 8) | b;
    }
    out->value = acc;
    return true;
}

bool pd_ike_substructure_next(pd_cursor *c, size_t min_len, pd_cursor *body, bool *last,
                              uint8_t *marker, const char **detail)
{
    uint8_t m = 0, reserved = 0;
    uint16_t length = 0;

    *detail = NULL;
    if (pd_cursor_remaining(c) < 4) {
        *detail = "substructure header cut short";
        return false;
    }
    pd_cursor_peek_u8(c, 0, &m);
    pd_cursor_peek_u8(c, 1, &reserved);
    pd_cursor_peek_be16(c, 2, &length);
    if (length < min_len || length < 4) {
        *detail = "substructure length too small";
        return false;
    }
    if (length > pd_cursor_remaining(c)) {
        *detail = "substructure runs past its container";
        return false;
    }
    pd_cursor_skip(c, 4);
    pd_cursor_sub(c, (size_t)length - 4, body);
    *last = (m == 0);
    if (marker)
        *marker = m;
    return true;
}

/* ---- identities ------------------------------------------------------------ */

static void put_hex(const uint8_t *data, size_t len, char *buf, size_t buflen)
{
    static const char hexd[] = "0123456789abcdef";
    pd_cursor c = pd_cursor_make(data, len);
    size_t o = 0;
    const char *prefix = "hex:";
    uint8_t b;

    buf[0] = '\0';
    for (size_t i = 0; prefix[i] && o + 1 < buflen; i++)
        buf[o++] = prefix[i];
    while (pd_cursor_remaining(&c) > 0) {
        if (o + 2 + 3 + 1 > buflen) { /* room for two digits, "...", NUL */
            if (o + 4 <= buflen) {
                memcpy(buf + o, "...", 3);
                o += 3;
            }
            break;
        }
        pd_cursor_u8(&c, &b);
        buf[o++] = hexd[b >> 4];
        buf[o++] = hexd[b & 15];
    }
    buf[o < buflen ? o : buflen - 1] = '\0';
}

/* Text as carried, with anything outside printable ASCII shown as '?'. */
static void put_text(const uint8_t *data, size_t len, char *buf, size_t buflen)
{
    pd_cursor c = pd_cursor_make(data, len);
    size_t o = 0;
    uint8_t b;
    while (o + 1 < buflen && pd_cursor_u8(&c, &b))
        buf[o++] = (b >= 0x20 && b < 0x7f) ? (char)b : '?';
    buf[o] = '\0';
}

static bool all_printable(const uint8_t *data, size_t len)
{
    pd_cursor c = pd_cursor_make(data, len);
    uint8_t b;
    if (pd_cursor_remaining(&c) == 0)
        return false;
    while (pd_cursor_u8(&c, &b))
        if (b < 0x20 || b >= 0x7f)
            return false;
    return true;
}

static void put_addr(int af, const uint8_t *a, char *buf, size_t buflen)
{
    char tmp[PD_IKE_ADDR_TEXT_MAX];
    if (!inet_ntop(af, a, tmp, sizeof(tmp)))
        snprintf(tmp, sizeof(tmp), "?");
    snprintf(buf, buflen, "%s", tmp);
}

/* DER length: short form or long form of one or two bytes (DNs are small). */
static bool der_header(pd_cursor *c, uint8_t *tag, size_t *len)
{
    uint8_t l, b;
    if (!pd_cursor_u8(c, tag) || !pd_cursor_u8(c, &l))
        return false;
    if (l < 0x80) {
        *len = l;
    } else if (l == 0x81) {
        if (!pd_cursor_u8(c, &b))
            return false;
        *len = b;
    } else if (l == 0x82) {
        uint16_t v;
        if (!pd_cursor_be16(c, &v))
            return false;
        *len = v;
    } else {
        return false;
    }
    return *len <= pd_cursor_remaining(c);
}

static const char *dn_attr_name(const uint8_t *oid, size_t len)
{
    /* id-at (2.5.4.x) and PKCS #9 emailAddress (1.2.840.113549.1.9.1). */
    static const uint8_t email[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 };
    if (len == 3 && oid[0] == 0x55 && oid[1] == 0x04) {
        switch (oid[2]) {
        case 3: return "CN";
        case 5: return "serialNumber";
        case 6: return "C";
        case 7: return "L";
        case 8: return "ST";
        case 10: return "O";
        case 11: return "OU";
        case 12: return "title";
        }
    }
    if (len == sizeof(email) && memcmp(oid, email, len) == 0)
        return "E";
    return NULL;
}

/* Name ::= SEQUENCE OF SET OF SEQUENCE { OID, value } (RFC 5280 4.1.2.4).
 * Fixed nesting, walked with loops: no recursion on packet data. */
static bool format_dn(const uint8_t *data, size_t len, char *buf, size_t buflen)
{
    pd_cursor c = pd_cursor_make(data, len), rdns, set, atv;
    uint8_t tag;
    size_t l, o = 0;
    const uint8_t *p;

    buf[0] = '\0';
    if (!der_header(&c, &tag, &l) || tag != 0x30 || !pd_cursor_sub(&c, l, &rdns))
        return false;
    while (pd_cursor_remaining(&rdns) > 0) {
        if (!der_header(&rdns, &tag, &l) || tag != 0x31 || !pd_cursor_sub(&rdns, l, &set))
            return false;
        while (pd_cursor_remaining(&set) > 0) {
            const uint8_t *oid;
            size_t oid_len;
            if (!der_header(&set, &tag, &l) || tag != 0x30 || !pd_cursor_sub(&set, l, &atv))
                return false;
            if (!der_header(&atv, &tag, &oid_len) || tag != 0x06 ||
                !pd_cursor_bytes(&atv, oid_len, &oid))
                return false;
            if (!der_header(&atv, &tag, &l) || !pd_cursor_bytes(&atv, l, &p))
                return false;
            const char *name = dn_attr_name(oid, oid_len);
            char value[PD_IKE_ID_TEXT_MAX];
            put_text(p, l, value, sizeof(value));
            int n = snprintf(buf + o, buflen - o, "%s%s=%s", o ? ", " : "", name ? name : "?",
                             value);
            if (n < 0 || (size_t)n >= buflen - o)
                return o > 0; /* keep what fits */
            o += (size_t)n;
        }
    }
    return o > 0;
}

void pd_ike_id_format(uint8_t version, uint8_t type, const uint8_t *data, size_t len, char *buf,
                      size_t buflen)
{
    char a[PD_IKE_ADDR_TEXT_MAX], b[PD_IKE_ADDR_TEXT_MAX];

    if (!buf || buflen == 0)
        return;
    buf[0] = '\0';
    if (!data)
        len = 0;
    switch (type) {
    case 1: /* ID_IPV4_ADDR */
        if (len == 4) {
            put_addr(AF_INET, data, buf, buflen);
            return;
        }
        break;
    case 5: /* ID_IPV6_ADDR */
        if (len == 16) {
            put_addr(AF_INET6, data, buf, buflen);
            return;
        }
        break;
    case 2: /* ID_FQDN */
    case 3: /* ID_USER_FQDN / ID_RFC822_ADDR */
        put_text(data, len, buf, buflen);
        return;
    case 4: /* IKEv1 ID_IPV4_ADDR_SUBNET: address, mask */
    case 7: /* IKEv1 ID_IPV4_ADDR_RANGE: start, end */
        if (version == 1 && len == 8) {
            put_addr(AF_INET, data, a, sizeof(a));
            put_addr(AF_INET, data + 4, b, sizeof(b));
            snprintf(buf, buflen, "%s%s%s", a, type == 4 ? "/" : "-", b);
            return;
        }
        break;
    case 6: /* IKEv1 ID_IPV6_ADDR_SUBNET */
    case 8: /* IKEv1 ID_IPV6_ADDR_RANGE */
        if (version == 1 && len == 32) {
            put_addr(AF_INET6, data, a, sizeof(a));
            put_addr(AF_INET6, data + 16, b, sizeof(b));
            snprintf(buf, buflen, "%s%s%s", a, type == 6 ? "/" : "-", b);
            return;
        }
        break;
    case 9: /* ID_DER_ASN1_DN */
        if (format_dn(data, len, buf, buflen))
            return;
        break;
    case 11: /* ID_KEY_ID: often a group name in practice (Cisco, Windows) */
        if (all_printable(data, len)) {
            put_text(data, len, buf, buflen);
            return;
        }
        break;
    case 13: /* IKEv2 ID_NULL (RFC 7619) */
        if (version == 2) {
            snprintf(buf, buflen, "%s", "(null)");
            return;
        }
        break;
    default:
        break;
    }
    put_hex(data, len, buf, buflen);
}

/* ---- normalised proposals ------------------------------------------------- */

bool pd_ike_proposal_add(pd_ike_proposal *p, unsigned type, uint16_t id, uint16_t key_len)
{
    if (type == 0 || type >= PD_IKE_XF__COUNT)
        return false;
    for (unsigned i = 0; i < p->n[type]; i++)
        if (p->algs[type][i].id == id && p->algs[type][i].key_len == key_len)
            return true;
    if (p->n[type] >= PD_IKE_PROPOSAL_MAX_ALGS) {
        p->algs_dropped = true;
        return false;
    }
    p->algs[type][p->n[type]].id = id;
    p->algs[type][p->n[type]].key_len = key_len;
    p->n[type]++;
    return true;
}
