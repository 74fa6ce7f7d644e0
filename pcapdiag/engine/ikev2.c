/* ikev2.c - IKEv2 message decoder (RFC 7296, fragmentation RFC 7383).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ikev2.h"

#include <glib.h>
#include <string.h>

#include "ike_names.h"
#include "ppp.h"

#define ATTR_KEY_LENGTH 14 /* RFC 7296 3.3.5: the only transform attribute */

static void set_problem(pd_ikev2_message *m, pd_ike_status st, const char *detail, size_t off)
{
    if (m->status == PD_IKE_OK) {
        m->status = st;
        m->detail = detail;
        m->problem_offset = off;
    }
}

static void mark_bad(pd_ikev2_payload *pl, const char *detail)
{
    if (!pl->malformed) {
        pl->malformed = true;
        pl->detail = detail;
    }
}

static void sa_bad(pd_ikev2_sa *sa, const char *detail)
{
    if (!sa->malformed) {
        sa->malformed = true;
        sa->detail = detail;
    }
}

/* ---- SA (RFC 7296 3.3) -------------------------------------------------------- */

/* 3.3.2: type, reserved, transform ID, attributes. */
static void decode_transform(pd_cursor tb, pd_ikev2_transform *t)
{
    uint8_t reserved;
    pd_ike_attr a;
    bool bad = false;

    pd_cursor_u8(&tb, &t->type);
    pd_cursor_u8(&tb, &reserved);
    pd_cursor_be16(&tb, &t->id);
    while (pd_ike_attr_next(&tb, &a, &bad)) {
        t->n_attrs++;
        if (a.type == ATTR_KEY_LENGTH && !a.value_too_long && a.value <= 0xffff)
            t->key_length = (uint16_t)a.value;
    }
    t->malformed = bad;
}

/* 3.3.1: proposal num, protocol ID, SPI size, # transforms, SPI, transforms. */
static void decode_proposal(pd_cursor pb, pd_ikev2_proposal *p, pd_ikev2_sa *sa)
{
    const uint8_t *spi;
    size_t cap = 0, found = 0;
    bool last = false;

    pd_cursor_u8(&pb, &p->number);
    pd_cursor_u8(&pb, &p->protocol);
    pd_cursor_u8(&pb, &p->spi_size);
    pd_cursor_u8(&pb, &p->n_transforms_claimed);
    if (!pd_cursor_bytes(&pb, p->spi_size, &spi)) {
        sa_bad(sa, "proposal SPI runs past the proposal");
        return;
    }
    memcpy(p->spi, spi, p->spi_size < PD_IKE_SPI_MAX ? p->spi_size : PD_IKE_SPI_MAX);

    while (pd_cursor_remaining(&pb) > 0) {
        pd_cursor tb;
        const char *detail;
        if (last) {
            sa_bad(sa, "bytes after the last transform");
            break;
        }
        if (!pd_ike_substructure_next(&pb, 8, &tb, &last, NULL, &detail)) {
            sa_bad(sa, detail);
            break;
        }
        found++;
        if (p->n_transforms >= PD_IKE_MAX_TRANSFORMS) {
            p->transforms_dropped = true;
            continue;
        }
        if (p->n_transforms == cap) {
            cap = cap ? cap * 2 : 8;
            p->transforms = g_renew(pd_ikev2_transform, p->transforms, cap);
        }
        pd_ikev2_transform *t = &p->transforms[p->n_transforms++];
        memset(t, 0, sizeof(*t));
        decode_transform(tb, t);
        if (t->malformed)
            sa_bad(sa, "transform attribute runs past the transform");
    }
    /* 3.3: "MUST check that the total Payload Length is consistent with the
     * payload's internal lengths and counts". */
    if (found != p->n_transforms_claimed)
        sa_bad(sa, "transform count differs from the proposal's");
}

static void decode_sa(pd_cursor body, pd_ikev2_payload *pl)
{
    pd_ikev2_sa *sa = &pl->u.sa;
    size_t cap = 0;
    bool last = false;

    while (pd_cursor_remaining(&body) > 0) {
        pd_cursor pb;
        const char *detail;
        if (last) {
            sa_bad(sa, "bytes after the last proposal");
            break;
        }
        if (sa->n_proposals >= PD_IKE_MAX_PROPOSALS) {
            sa_bad(sa, "more proposals than the decoder's cap");
            break;
        }
        if (!pd_ike_substructure_next(&body, 8, &pb, &last, NULL, &detail)) {
            sa_bad(sa, detail);
            break;
        }
        if (sa->n_proposals == cap) {
            cap = cap ? cap * 2 : 2;
            sa->proposals = g_renew(pd_ikev2_proposal, sa->proposals, cap);
        }
        pd_ikev2_proposal *p = &sa->proposals[sa->n_proposals++];
        memset(p, 0, sizeof(*p));
        decode_proposal(pb, p, sa);
    }
    if (sa->n_proposals > 0 && !last && !sa->malformed)
        sa_bad(sa, "proposal chain ends without a last proposal");
    if (sa->n_proposals == 0 && !sa->malformed)
        sa_bad(sa, "SA payload without proposals");
    if (sa->malformed)
        mark_bad(pl, sa->detail);
}

static void free_sa(pd_ikev2_sa *sa)
{
    for (size_t i = 0; i < sa->n_proposals; i++)
        g_free(sa->proposals[i].transforms);
    g_free(sa->proposals);
    sa->proposals = NULL;
    sa->n_proposals = 0;
}

/* ---- other payloads ------------------------------------------------------------ */

/* Skip the 3 reserved bytes that follow a one-byte type in ID, AUTH, CP, TS. */
static bool skip_reserved3(pd_cursor *c)
{
    return pd_cursor_skip(c, 3);
}

/* 3.10: protocol ID, SPI size, type, SPI, data. */
static void decode_notify(pd_cursor b, pd_ikev2_payload *pl)
{
    pd_ike_notify *n = &pl->u.notify;
    const uint8_t *spi, *data;

    if (!pd_cursor_u8(&b, &n->protocol) || !pd_cursor_u8(&b, &n->spi_size) ||
        !pd_cursor_be16(&b, &n->type)) {
        mark_bad(pl, "notify shorter than its fixed fields");
        return;
    }
    if (!pd_cursor_bytes(&b, n->spi_size, &spi)) {
        mark_bad(pl, "notify SPI runs past the payload");
        return;
    }
    memcpy(n->spi, spi, n->spi_size < PD_IKE_SPI_MAX ? n->spi_size : PD_IKE_SPI_MAX);
    n->data_len = pd_cursor_remaining(&b);
    pd_cursor_bytes(&b, n->data_len, &data);
    memcpy(n->data, data, n->data_len < PD_IKE_NOTIFY_DATA_MAX ? n->data_len : PD_IKE_NOTIFY_DATA_MAX);
    if (n->type == PD_IKE_N_INVALID_KE_PAYLOAD) {
        /* 1.3: "the Notify payload contains the DH group number the
         * responder wants", two octets. */
        pd_cursor d = pd_cursor_make(data, n->data_len);
        if (n->data_len == 2 && pd_cursor_be16(&d, &n->group))
            n->has_group = true;
        else
            mark_bad(pl, "INVALID_KE_PAYLOAD without a 2-byte group");
    }
}

/* 3.11: protocol ID, SPI size, # SPIs, SPIs. */
static void decode_delete(pd_cursor b, pd_ikev2_payload *pl)
{
    pd_ike_delete *d = &pl->u.del;
    if (!pd_cursor_u8(&b, &d->protocol) || !pd_cursor_u8(&b, &d->spi_size) ||
        !pd_cursor_be16(&b, &d->n_spis)) {
        mark_bad(pl, "delete shorter than its fixed fields");
        return;
    }
    for (uint32_t i = 0; d->spi_size > 0 && i < d->n_spis; i++) {
        const uint8_t *spi;
        if (!pd_cursor_bytes(&b, d->spi_size, &spi)) {
            mark_bad(pl, "delete SPIs run past the payload");
            return;
        }
        if (d->n_kept < PD_IKE_DELETE_MAX_SPIS)
            memcpy(d->spis[d->n_kept++], spi,
                   d->spi_size < PD_IKE_SPI_MAX ? d->spi_size : PD_IKE_SPI_MAX);
    }
}

/* 3.13.1: TS type, IP protocol, selector length, ports, start and end address. */
static void decode_ts(pd_cursor b, pd_ikev2_payload *pl)
{
    size_t found = 0;

    if (!pd_cursor_u8(&b, &pl->u.ts.n_claimed) || !skip_reserved3(&b)) {
        mark_bad(pl, "traffic selector payload shorter than its fixed fields");
        return;
    }
    while (pd_cursor_remaining(&b) > 0) {
        pd_ikev2_ts_entry e;
        uint16_t sel_len;
        pd_cursor s;
        memset(&e, 0, sizeof(e));
        if (!pd_cursor_peek_be16(&b, 2, &sel_len) || sel_len < 8 || !pd_cursor_sub(&b, sel_len, &s)) {
            mark_bad(pl, "traffic selector length invalid");
            return;
        }
        pd_cursor_u8(&s, &e.type);
        pd_cursor_u8(&s, &e.ip_protocol);
        pd_cursor_skip(&s, 2);
        pd_cursor_be16(&s, &e.start_port);
        pd_cursor_be16(&s, &e.end_port);
        size_t alen = e.type == 7 ? 4 : e.type == 8 ? 16 : 0;
        if (alen) {
            const uint8_t *a1, *a2;
            if (pd_cursor_remaining(&s) != 2 * alen || !pd_cursor_bytes(&s, alen, &a1) ||
                !pd_cursor_bytes(&s, alen, &a2)) {
                mark_bad(pl, "traffic selector address length does not match its type");
                return;
            }
            /* ID types 1 and 5 render IPv4/IPv6 addresses. */
            pd_ike_id_format(2, e.type == 7 ? 1 : 5, a1, alen, e.start, sizeof(e.start));
            pd_ike_id_format(2, e.type == 7 ? 1 : 5, a2, alen, e.end, sizeof(e.end));
        }
        found++;
        if (pl->u.ts.n < PD_IKEV2_MAX_TS)
            pl->u.ts.ts[pl->u.ts.n++] = e;
    }
    if (found != pl->u.ts.n_claimed)
        mark_bad(pl, "traffic selector count differs from the payload's");
}

/* 3.15: CFG type, reserved, attributes (R bit + 15-bit type, length, value). */
/* EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02 section 2): after the
 * type, OpCode, MS-CHAPv2-ID and MS-Length; a Failure request (OpCode 4)
 * carries RFC 2759's "E=691 R=1 C=... V=3 M=..." text. It is how a gateway
 * refuses the password: EAP Failure itself may never follow (strongSwan's
 * client gives up on the Failure request). B is after the EAP type. */
static void decode_eap_mschapv2(pd_cursor b, pd_ikev2_payload *pl)
{
    uint8_t op, id;
    uint16_t ms_len;
    if (!pd_cursor_u8(&b, &op) || !pd_cursor_u8(&b, &id) || !pd_cursor_be16(&b, &ms_len))
        return;
    pl->u.eap.mschapv2_opcode = op;
    if (op != 4)
        return;
    /* The text ends with the EAP packet (its Length counts the 5 bytes of
     * EAP header and type, then the 4 above) or the payload, whichever is
     * shorter. */
    size_t text = pd_cursor_remaining(&b);
    if (pl->u.eap.length >= 9 && (size_t)pl->u.eap.length - 9 < text)
        text = (size_t)pl->u.eap.length - 9;
    pd_mschap_text m = { 0 };
    pd_mschap_text_parse(pd_cursor_here(&b), text, &m);
    if (m.has_error) {
        pl->u.eap.has_mschapv2_error = true;
        pl->u.eap.mschapv2_error = m.error;
    }
}

static void decode_cp(pd_cursor b, pd_ikev2_payload *pl)
{
    if (!pd_cursor_u8(&b, &pl->u.cp.type) || !skip_reserved3(&b)) {
        mark_bad(pl, "configuration payload shorter than its fixed fields");
        return;
    }
    while (pd_cursor_remaining(&b) > 0) {
        uint16_t type, len;
        const uint8_t *val;
        if (!pd_cursor_be16(&b, &type) || !pd_cursor_be16(&b, &len) ||
            !pd_cursor_bytes(&b, len, &val)) {
            mark_bad(pl, "configuration attribute runs past the payload");
            return;
        }
        type &= 0x7fff;
        if (pl->u.cp.n_attrs < PD_IKEV2_MAX_CP_ATTRS)
            pl->u.cp.attr_types[pl->u.cp.n_attrs++] = type;
        if (type == 1 /* INTERNAL_IP4_ADDRESS */ && len == 4) {
            memcpy(pl->u.cp.ip4, val, 4);
            pl->u.cp.has_ip4 = true;
        }
    }
}

static void decode_body(pd_ikev2_payload *pl, pd_cursor b)
{
    const uint8_t *data;
    size_t len = pd_cursor_remaining(&b);

    switch (pl->type) {
    case PD_IKEV2_PL_SA:
        decode_sa(b, pl);
        break;
    case PD_IKEV2_PL_KE: {
        uint16_t reserved;
        if (!pd_cursor_be16(&b, &pl->u.ke.group) || !pd_cursor_be16(&b, &reserved)) {
            mark_bad(pl, "KE shorter than its fixed fields");
            break;
        }
        pl->u.ke.data_len = pd_cursor_remaining(&b);
        break;
    }
    case PD_IKEV2_PL_IDI:
    case PD_IKEV2_PL_IDR:
        if (!pd_cursor_u8(&b, &pl->u.id.type) || !skip_reserved3(&b)) {
            mark_bad(pl, "ID shorter than its fixed fields");
            break;
        }
        pl->u.id.data_len = pd_cursor_remaining(&b);
        pd_cursor_bytes(&b, pl->u.id.data_len, &data);
        pd_ike_id_format(2, pl->u.id.type, data, pl->u.id.data_len, pl->u.id.text,
                         sizeof(pl->u.id.text));
        break;
    case PD_IKEV2_PL_CERT:
    case PD_IKEV2_PL_CERTREQ:
        if (!pd_cursor_u8(&b, &pl->u.cert.encoding)) {
            mark_bad(pl, "certificate payload without an encoding");
            break;
        }
        pl->u.cert.data_len = pd_cursor_remaining(&b);
        break;
    case PD_IKEV2_PL_AUTH:
        if (!pd_cursor_u8(&b, &pl->u.auth.method) || !skip_reserved3(&b)) {
            mark_bad(pl, "AUTH shorter than its fixed fields");
            break;
        }
        pl->u.auth.data_len = pd_cursor_remaining(&b);
        break;
    case PD_IKEV2_PL_NOTIFY:
        decode_notify(b, pl);
        break;
    case PD_IKEV2_PL_DELETE:
        decode_delete(b, pl);
        break;
    case PD_IKEV2_PL_VID:
        pd_cursor_bytes(&b, len, &data);
        pd_ike_vendor_identify(&pl->u.vid, data, len);
        break;
    case PD_IKEV2_PL_TSI:
    case PD_IKEV2_PL_TSR:
        decode_ts(b, pl);
        break;
    case PD_IKEV2_PL_CP:
        decode_cp(b, pl);
        break;
    case PD_IKEV2_PL_EAP:
        /* RFC 3748 4: code, identifier, length; type only in Request/Response. */
        if (!pd_cursor_u8(&b, &pl->u.eap.code) || !pd_cursor_u8(&b, &pl->u.eap.identifier) ||
            !pd_cursor_be16(&b, &pl->u.eap.length)) {
            mark_bad(pl, "EAP shorter than its header");
            break;
        }
        if ((pl->u.eap.code == 1 || pl->u.eap.code == 2) && !pd_cursor_u8(&b, &pl->u.eap.type)) {
            mark_bad(pl, "EAP request/response without a type");
            break;
        }
        if (pl->u.eap.code == 1 && pl->u.eap.type == 26)
            decode_eap_mschapv2(b, pl);
        break;
    case PD_IKEV2_PL_SK:
        pl->u.sk.data_len = len;
        break;
    case PD_IKEV2_PL_SKF:
        /* RFC 7383 2.5: fragment number, total fragments, then encrypted data. */
        if (!pd_cursor_be16(&b, &pl->u.sk.frag_number) || !pd_cursor_be16(&b, &pl->u.sk.frag_total)) {
            mark_bad(pl, "SKF shorter than its fixed fields");
            break;
        }
        pl->u.sk.data_len = pd_cursor_remaining(&b);
        if (pl->u.sk.frag_number == 0 || pl->u.sk.frag_total == 0 ||
            pl->u.sk.frag_number > pl->u.sk.frag_total)
            mark_bad(pl, "SKF fragment number outside 1..total");
        break;
    default:
        break; /* Nonce and unknown types: length only */
    }
}

pd_ike_status pd_ikev2_decode(const uint8_t *data, size_t caplen, size_t wire_len,
                              pd_ikev2_message *out)
{
    pd_ike_status st;
    pd_ike_walker w;
    pd_ike_payload_raw raw;
    size_t cap = 0;

    memset(out, 0, sizeof(*out));
    if (!data)
        caplen = 0;
    if (caplen > wire_len)
        caplen = wire_len;
    st = pd_ike_header_decode(data, caplen, wire_len, &out->hdr);
    if (st != PD_IKE_OK) {
        set_problem(out, st,
                    st == PD_IKE_TRUNCATED ? "capture ends inside the IKE header"
                                           : "message length below 28 or beyond the datagram",
                    0);
        return out->status;
    }
    if (out->hdr.major != 2) {
        set_problem(out, PD_IKE_BAD_VERSION, "major version is not 2", 17);
        return out->status;
    }

    pd_ike_walker_init(&w, data, caplen, &out->hdr);
    while (pd_ike_walker_next(&w, &raw)) {
        if (out->n_payloads == cap) {
            cap = cap ? cap * 2 : 8;
            out->payloads = g_renew(pd_ikev2_payload, out->payloads, cap);
        }
        pd_ikev2_payload *pl = &out->payloads[out->n_payloads++];
        memset(pl, 0, sizeof(*pl));
        pl->type = raw.type;
        pl->critical = (raw.flags & 0x80) != 0;
        pl->length = raw.length;
        pl->offset = raw.offset;
        pl->complete = raw.complete;
        pl->body_len = (size_t)raw.length - 4;
        bool is_sk = raw.type == PD_IKEV2_PL_SK || raw.type == PD_IKEV2_PL_SKF;
        if (is_sk) {
            /* 3.14: SK is the last payload; its next-payload field names the
             * first payload inside, which cannot be read without keys. */
            pl->u.sk.first_payload = raw.next;
            out->encrypted = true;
            out->encrypted_first_payload = raw.next;
            out->fragment = raw.type == PD_IKEV2_PL_SKF;
            pd_ike_walker_stop(&w);
        }
        if (!raw.complete)
            continue;
        decode_body(pl, raw.body);
        if (is_sk) {
            out->encrypted_len = pl->u.sk.data_len;
            out->frag_number = pl->u.sk.frag_number;
            out->frag_total = pl->u.sk.frag_total;
        }
        if (pl->malformed)
            set_problem(out, PD_IKE_MALFORMED, pl->detail, pl->offset);
    }
    if (w.status != PD_IKE_OK)
        set_problem(out, w.status, w.detail, w.problem_offset);
    out->trailing = pd_ike_walker_trailing(&w);
    if (out->status == PD_IKE_OK && caplen < out->hdr.length) {
        /* The chain ended early but the capture still stopped short of the
         * length the header claims: what follows was never seen. */
        set_problem(out, PD_IKE_TRUNCATED, "capture ends before the end of the message", caplen);
        out->trailing = 0;
    }
    return out->status;
}

void pd_ikev2_message_clear(pd_ikev2_message *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_payloads; i++)
        if (m->payloads[i].type == PD_IKEV2_PL_SA && m->payloads[i].complete)
            free_sa(&m->payloads[i].u.sa);
    g_free(m->payloads);
    memset(m, 0, sizeof(*m));
}

const pd_ikev2_payload *pd_ikev2_find(const pd_ikev2_message *m, uint8_t type,
                                      const pd_ikev2_payload *after)
{
    size_t start = 0;
    if (after && after >= m->payloads && after < m->payloads + m->n_payloads)
        start = (size_t)(after - m->payloads) + 1;
    for (size_t i = start; i < m->n_payloads; i++)
        if (m->payloads[i].type == type && m->payloads[i].complete)
            return &m->payloads[i];
    return NULL;
}

const pd_ike_notify *pd_ikev2_find_notify(const pd_ikev2_message *m, uint16_t type)
{
    for (size_t i = 0; i < m->n_payloads; i++) {
        const pd_ikev2_payload *pl = &m->payloads[i];
        if (pl->type == PD_IKEV2_PL_NOTIFY && pl->complete && pl->u.notify.type == type)
            return &pl->u.notify;
    }
    return NULL;
}

void pd_ikev2_proposal_normalise(const pd_ikev2_proposal *p, pd_ike_proposal *out)
{
    memset(out, 0, sizeof(*out));
    out->version = 2;
    out->protocol = p->protocol;
    out->number = p->number;
    out->spi_size = p->spi_size;
    memcpy(out->spi, p->spi, sizeof(out->spi));
    for (size_t i = 0; i < p->n_transforms; i++) {
        const pd_ikev2_transform *t = &p->transforms[i];
        if (!pd_ike_proposal_add(out, t->type, t->id, t->key_length))
            out->algs_dropped = true;
    }
    if (p->transforms_dropped)
        out->algs_dropped = true;
}

size_t pd_ikev2_sa_proposals(const pd_ikev2_sa *sa, pd_ike_proposal *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sa->n_proposals && n < max; i++)
        pd_ikev2_proposal_normalise(&sa->proposals[i], &out[n++]);
    return n;
}
