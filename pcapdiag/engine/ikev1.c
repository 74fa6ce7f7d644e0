/* ikev1.c - ISAKMP / IKEv1 message decoder (RFC 2408, RFC 2409, RFC 2407,
 * RFC 3947 NAT-T, RFC 3706 DPD, mode config / XAUTH drafts).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ikev1.h"

#include <glib.h>
#include <string.h>

#include "ike_names.h"

/* RFC 2407 4.2: situation bits that add labelled-domain fields after the
 * 32-bit situation, before the proposals. */
#define SIT_SECRECY 0x02
#define SIT_INTEGRITY 0x04

static void set_problem(pd_ikev1_message *m, pd_ike_status st, const char *detail, size_t off)
{
    if (m->status == PD_IKE_OK) {
        m->status = st;
        m->detail = detail;
        m->problem_offset = off;
    }
}

static void mark_bad(pd_ikev1_payload *pl, const char *detail)
{
    if (!pl->malformed) {
        pl->malformed = true;
        pl->detail = detail;
    }
}

static void sa_bad(pd_ikev1_sa *sa, const char *detail)
{
    if (!sa->malformed) {
        sa->malformed = true;
        sa->detail = detail;
    }
}

/* ---- SA -------------------------------------------------------------------- */

static void apply_attr(pd_ikev1_transform *t, bool phase1, const pd_ike_attr *a,
                       uint16_t *life_type)
{
    /* Interpreted fields are 16-bit; a wider TLV value is not a valid code. */
    uint16_t v16 = (a->value <= 0xffff && !a->value_too_long) ? (uint16_t)a->value : 0;

    if (phase1) {
        switch (a->type) {
        case PD_IKEV1_P1_ENCR: t->encr = v16; break;
        case PD_IKEV1_P1_HASH: t->hash = v16; break;
        case PD_IKEV1_P1_AUTH_METHOD: t->auth_method = v16; break;
        case PD_IKEV1_P1_GROUP: t->group = v16; break;
        case PD_IKEV1_P1_PRF: t->prf = v16; break;
        case PD_IKEV1_P1_KEY_LENGTH: t->key_length = v16; break;
        case PD_IKEV1_P1_LIFE_TYPE: *life_type = v16; break;
        case PD_IKEV1_P1_LIFE_DURATION:
            /* RFC 2409 App. A: a duration applies to the life type before it. */
            if (*life_type == 1)
                t->life_seconds = a->value;
            else if (*life_type == 2)
                t->life_kbytes = a->value;
            break;
        }
        return;
    }
    switch (a->type) {
    case PD_IKEV1_P2_LIFE_TYPE: *life_type = v16; break;
    case PD_IKEV1_P2_LIFE_DURATION:
        if (*life_type == 1)
            t->life_seconds = a->value;
        else if (*life_type == 2)
            t->life_kbytes = a->value;
        break;
    case PD_IKEV1_P2_GROUP: t->group = v16; break;
    case PD_IKEV1_P2_ENCAP_MODE: t->encap_mode = v16; break;
    case PD_IKEV1_P2_AUTH_ALG: t->auth_alg = v16; break;
    case PD_IKEV1_P2_KEY_LENGTH: t->key_length = v16; break;
    case PD_IKEV1_P2_ESN: t->esn = (v16 == 1); break;
    }
}

/* RFC 2408 3.6: transform number, transform ID, 2 reserved, attributes. */
static void decode_transform(pd_cursor tb, bool phase1, pd_ikev1_transform *t)
{
    uint16_t reserved, life_type = 0;
    size_t cap = 0;
    pd_ike_attr a;
    bool bad = false;

    pd_cursor_u8(&tb, &t->number);
    pd_cursor_u8(&tb, &t->id);
    pd_cursor_be16(&tb, &reserved);
    while (pd_ike_attr_next(&tb, &a, &bad)) {
        apply_attr(t, phase1, &a, &life_type);
        if (t->n_attrs >= PD_IKE_MAX_ATTRS) {
            t->attrs_dropped = true;
            continue;
        }
        if (t->n_attrs == cap) {
            cap = cap ? cap * 2 : 8;
            t->attrs = g_renew(pd_ike_attr, t->attrs, cap);
        }
        t->attrs[t->n_attrs++] = a;
    }
    t->malformed = bad;
}

/* RFC 2408 3.5: proposal #, protocol, SPI size, # transforms, SPI, transforms. */
static void decode_proposal(pd_cursor pb, pd_ikev1_proposal *p, pd_ikev1_sa *sa)
{
    const uint8_t *spi;
    size_t cap = 0;
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

    size_t found = 0;
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
            cap = cap ? cap * 2 : 4;
            p->transforms = g_renew(pd_ikev1_transform, p->transforms, cap);
        }
        pd_ikev1_transform *t = &p->transforms[p->n_transforms++];
        memset(t, 0, sizeof(*t));
        decode_transform(tb, p->protocol == PD_IKE_PROTO_IKE, t);
        if (t->malformed)
            sa_bad(sa, "transform attribute runs past the transform");
    }
    if (found != p->n_transforms_claimed)
        sa_bad(sa, "transform count differs from the proposal's");
}

static void decode_sa(pd_cursor body, pd_ikev1_payload *pl)
{
    pd_ikev1_sa *sa = &pl->u.sa;
    size_t cap = 0;
    bool last = false;

    if (!pd_cursor_be32(&body, &sa->doi) || !pd_cursor_be32(&body, &sa->situation)) {
        sa_bad(sa, "SA payload shorter than DOI and situation");
        mark_bad(pl, sa->detail);
        return;
    }
    if (sa->doi > 1) {
        sa->detail = "DOI is not IPsec: proposals not decoded";
        return;
    }
    if (sa->situation & (SIT_SECRECY | SIT_INTEGRITY)) {
        sa->detail = "labelled situation: proposals not decoded";
        return;
    }
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
            sa->proposals = g_renew(pd_ikev1_proposal, sa->proposals, cap);
        }
        pd_ikev1_proposal *p = &sa->proposals[sa->n_proposals++];
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

static void free_sa(pd_ikev1_sa *sa)
{
    for (size_t i = 0; i < sa->n_proposals; i++) {
        pd_ikev1_proposal *p = &sa->proposals[i];
        for (size_t j = 0; j < p->n_transforms; j++)
            g_free(p->transforms[j].attrs);
        g_free(p->transforms);
    }
    g_free(sa->proposals);
    sa->proposals = NULL;
    sa->n_proposals = 0;
}

/* ---- other payloads ------------------------------------------------------------ */

static void copy_spi(pd_cursor *c, uint8_t size, uint8_t *dst, bool *ok)
{
    const uint8_t *spi;
    *ok = pd_cursor_bytes(c, size, &spi);
    if (*ok)
        memcpy(dst, spi, size < PD_IKE_SPI_MAX ? size : PD_IKE_SPI_MAX);
}

/* RFC 2408 3.14: DOI, protocol, SPI size, type, SPI, data. */
static void decode_notify(pd_cursor b, pd_ikev1_payload *pl)
{
    pd_ike_notify *n = &pl->u.notify;
    bool ok;
    const uint8_t *data;

    if (!pd_cursor_be32(&b, &n->doi) || !pd_cursor_u8(&b, &n->protocol) ||
        !pd_cursor_u8(&b, &n->spi_size) || !pd_cursor_be16(&b, &n->type)) {
        mark_bad(pl, "notify shorter than its fixed fields");
        return;
    }
    copy_spi(&b, n->spi_size, n->spi, &ok);
    if (!ok) {
        mark_bad(pl, "notify SPI runs past the payload");
        return;
    }
    n->data_len = pd_cursor_remaining(&b);
    pd_cursor_bytes(&b, n->data_len, &data);
    memcpy(n->data, data, n->data_len < PD_IKE_NOTIFY_DATA_MAX ? n->data_len : PD_IKE_NOTIFY_DATA_MAX);
}

/* RFC 2408 3.15: DOI, protocol, SPI size, # SPIs, SPIs. */
static void decode_delete(pd_cursor b, pd_ikev1_payload *pl)
{
    pd_ike_delete *d = &pl->u.del;
    if (!pd_cursor_be32(&b, &d->doi) || !pd_cursor_u8(&b, &d->protocol) ||
        !pd_cursor_u8(&b, &d->spi_size) || !pd_cursor_be16(&b, &d->n_spis)) {
        mark_bad(pl, "delete shorter than its fixed fields");
        return;
    }
    /* Each step consumes spi_size bytes, so the loop ends with the payload
     * whatever n_spis claims; a zero SPI size has nothing to walk. */
    for (uint32_t i = 0; d->spi_size > 0 && i < d->n_spis; i++) {
        bool ok;
        uint8_t tmp[PD_IKE_SPI_MAX] = { 0 };
        copy_spi(&b, d->spi_size, tmp, &ok);
        if (!ok) {
            mark_bad(pl, "delete SPIs run past the payload");
            return;
        }
        if (d->n_kept < PD_IKE_DELETE_MAX_SPIS)
            memcpy(d->spis[d->n_kept++], tmp, sizeof(tmp));
    }
}

/* RFC 2407 4.6.2: ID type, protocol ID, port, data. */
static void decode_id(pd_cursor b, pd_ikev1_payload *pl)
{
    pd_ike_id *id = &pl->u.id;
    const uint8_t *data;
    if (!pd_cursor_u8(&b, &id->type) || !pd_cursor_u8(&b, &id->protocol) ||
        !pd_cursor_be16(&b, &id->port)) {
        mark_bad(pl, "ID shorter than its fixed fields");
        return;
    }
    id->data_len = pd_cursor_remaining(&b);
    pd_cursor_bytes(&b, id->data_len, &data);
    pd_ike_id_format(1, id->type, data, id->data_len, id->text, sizeof(id->text));
}

/* RFC 3947 5.2: ID type, 3 reserved, address. */
static void decode_nat_oa(pd_cursor b, pd_ikev1_payload *pl)
{
    const uint8_t *addr;
    uint8_t reserved[3];
    size_t need;

    if (!pd_cursor_u8(&b, &pl->u.nat_oa.id_type) || !pd_cursor_u8(&b, &reserved[0]) ||
        !pd_cursor_u8(&b, &reserved[1]) || !pd_cursor_u8(&b, &reserved[2])) {
        mark_bad(pl, "NAT-OA shorter than its fixed fields");
        return;
    }
    need = pl->u.nat_oa.id_type == 1 ? 4 : pl->u.nat_oa.id_type == 5 ? 16 : 0;
    if (need == 0 || !pd_cursor_bytes(&b, need, &addr)) {
        mark_bad(pl, "NAT-OA address type or length invalid");
        return;
    }
    pd_ike_id_format(1, pl->u.nat_oa.id_type, addr, need, pl->u.nat_oa.addr,
                     sizeof(pl->u.nat_oa.addr));
}

/* draft-ietf-ipsec-isakmp-mode-cfg 3.2: type, reserved, identifier, attributes. */
static void decode_attr(pd_cursor b, pd_ikev1_payload *pl)
{
    uint8_t reserved;
    pd_ike_attr a;
    bool bad = false;

    if (!pd_cursor_u8(&b, &pl->u.attr.type) || !pd_cursor_u8(&b, &reserved) ||
        !pd_cursor_be16(&b, &pl->u.attr.identifier)) {
        mark_bad(pl, "attribute payload shorter than its fixed fields");
        return;
    }
    while (pd_ike_attr_next(&b, &a, &bad)) {
        if (pl->u.attr.n_attrs < G_N_ELEMENTS(pl->u.attr.attr_types))
            pl->u.attr.attr_types[pl->u.attr.n_attrs++] = a.type;
        if (a.type == 16527 /* XAUTH_STATUS */ && !a.value_too_long) {
            pl->u.attr.has_xauth_status = true;
            pl->u.attr.xauth_status = (uint16_t)a.value;
        }
    }
    if (bad)
        mark_bad(pl, "configuration attribute runs past the payload");
}

static void decode_body(pd_ikev1_payload *pl, pd_cursor b)
{
    const uint8_t *data;
    size_t len = pd_cursor_remaining(&b);

    switch (pl->type) {
    case PD_IKEV1_PL_SA:
        decode_sa(b, pl);
        break;
    case PD_IKEV1_PL_NOTIFY:
        decode_notify(b, pl);
        break;
    case PD_IKEV1_PL_DELETE:
        decode_delete(b, pl);
        break;
    case PD_IKEV1_PL_ID:
        decode_id(b, pl);
        break;
    case PD_IKEV1_PL_VID:
        pd_cursor_bytes(&b, len, &data);
        pd_ike_vendor_identify(&pl->u.vid, data, len);
        break;
    case PD_IKEV1_PL_CERT:
    case PD_IKEV1_PL_CR:
        if (!pd_cursor_u8(&b, &pl->u.cert.encoding)) {
            mark_bad(pl, "certificate payload without an encoding");
            break;
        }
        pl->u.cert.data_len = pd_cursor_remaining(&b);
        break;
    case PD_IKEV1_PL_NAT_D:
    case PD_IKEV1_PL_NAT_D_DRAFT:
        pl->u.natd.len = len;
        pd_cursor_bytes(&b, len, &data);
        memcpy(pl->u.natd.hash, data, len < PD_IKE_HASH_MAX ? len : PD_IKE_HASH_MAX);
        if (len == 0)
            mark_bad(pl, "empty NAT-D payload");
        break;
    case PD_IKEV1_PL_NAT_OA:
    case PD_IKEV1_PL_NAT_OA_DRAFT:
        decode_nat_oa(b, pl);
        break;
    case PD_IKEV1_PL_FRAG: {
        uint8_t flags;
        if (!pd_cursor_be16(&b, &pl->u.frag.id) || !pd_cursor_u8(&b, &pl->u.frag.number) ||
            !pd_cursor_u8(&b, &flags)) {
            mark_bad(pl, "fragment payload shorter than its fixed fields");
            break;
        }
        pl->u.frag.last = (flags & 0x01) != 0;
        pl->u.frag.data_len = pd_cursor_remaining(&b);
        break;
    }
    case PD_IKEV1_PL_ATTR:
        decode_attr(b, pl);
        break;
    default:
        /* KE, HASH, SIG, NONCE, and types we do not know: length only. */
        break;
    }
}

pd_ike_status pd_ikev1_decode(const uint8_t *data, size_t caplen, size_t wire_len,
                              pd_ikev1_message *out)
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
    if (out->hdr.major != 1) {
        set_problem(out, PD_IKE_BAD_VERSION, "major version is not 1", 17);
        return out->status;
    }
    if (out->hdr.flags & PD_IKEV1_FLAG_ENCRYPTED) {
        /* RFC 2408 3.1: with E set, all payloads after the header are
         * encrypted; nothing more can be read without the keys. */
        out->encrypted = true;
        out->encrypted_len = out->hdr.length - PD_IKE_HEADER_LEN;
        if (caplen < out->hdr.length)
            set_problem(out, PD_IKE_TRUNCATED, "capture ends inside the encrypted message",
                        caplen);
        return out->status;
    }

    pd_ike_walker_init(&w, data, caplen, &out->hdr);
    while (pd_ike_walker_next(&w, &raw)) {
        if (out->n_payloads == cap) {
            cap = cap ? cap * 2 : 8;
            out->payloads = g_renew(pd_ikev1_payload, out->payloads, cap);
        }
        pd_ikev1_payload *pl = &out->payloads[out->n_payloads++];
        memset(pl, 0, sizeof(*pl));
        pl->type = raw.type;
        pl->length = raw.length;
        pl->offset = raw.offset;
        pl->complete = raw.complete;
        pl->body_len = (size_t)raw.length - 4;
        if (!raw.complete)
            continue;
        decode_body(pl, raw.body);
        if (pl->malformed)
            set_problem(out, PD_IKE_MALFORMED, pl->detail, pl->offset);
    }
    if (w.status != PD_IKE_OK) {
        /* A structural failure of the chain outranks a payload-internal one
         * found earlier only if nothing was recorded yet. */
        set_problem(out, w.status, w.detail, w.problem_offset);
    }
    out->trailing = pd_ike_walker_trailing(&w);
    if (out->status == PD_IKE_OK && caplen < out->hdr.length) {
        /* The chain ended early but the capture still stopped short of the
         * length the header claims: what follows was never seen. */
        set_problem(out, PD_IKE_TRUNCATED, "capture ends before the end of the message", caplen);
        out->trailing = 0;
    }
    return out->status;
}

void pd_ikev1_message_clear(pd_ikev1_message *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_payloads; i++)
        if (m->payloads[i].type == PD_IKEV1_PL_SA && m->payloads[i].complete)
            free_sa(&m->payloads[i].u.sa);
    g_free(m->payloads);
    memset(m, 0, sizeof(*m));
}

const pd_ikev1_payload *pd_ikev1_find(const pd_ikev1_message *m, uint8_t type,
                                      const pd_ikev1_payload *after)
{
    size_t start = 0;
    if (after && after >= m->payloads && after < m->payloads + m->n_payloads)
        start = (size_t)(after - m->payloads) + 1;
    for (size_t i = start; i < m->n_payloads; i++)
        if (m->payloads[i].type == type && m->payloads[i].complete)
            return &m->payloads[i];
    return NULL;
}

const pd_ike_notify *pd_ikev1_find_notify(const pd_ikev1_message *m, uint16_t type)
{
    for (size_t i = 0; i < m->n_payloads; i++) {
        const pd_ikev1_payload *pl = &m->payloads[i];
        if (pl->type == PD_IKEV1_PL_NOTIFY && pl->complete && !pl->malformed &&
            pl->u.notify.type == type)
            return &pl->u.notify;
    }
    return NULL;
}

/* ---- normalisation ------------------------------------------------------------ */

void pd_ikev1_transform_to_proposal(const pd_ikev1_proposal *p, const pd_ikev1_transform *t,
                                    pd_ike_proposal *out)
{
    uint16_t v2;

    memset(out, 0, sizeof(*out));
    out->version = 1;
    out->protocol = p->protocol;
    out->number = p->number;
    out->transform_number = t->number;
    out->spi_size = p->spi_size;
    memcpy(out->spi, p->spi, sizeof(out->spi));
    out->auth_method = t->auth_method;
    out->encap_mode = t->encap_mode;
    out->life_seconds = t->life_seconds;
    out->life_kbytes = t->life_kbytes;

    switch (p->protocol) {
    case PD_IKE_PROTO_IKE:
        if (t->encr) {
            if (pd_ikev1_encr_to_v2(t->encr, &v2))
                pd_ike_proposal_add(out, PD_IKE_XF_ENCR, v2, t->key_length);
            else
                out->algs_dropped = true;
        }
        /* The phase-1 hash is used as HMAC for the PRF (RFC 2409 5). */
        if (t->hash) {
            if (pd_ikev1_hash_to_prf(t->hash, &v2))
                pd_ike_proposal_add(out, PD_IKE_XF_PRF, v2, 0);
            else
                out->algs_dropped = true;
        }
        if (t->group)
            pd_ike_proposal_add(out, PD_IKE_XF_DH, t->group, 0);
        break;
    case PD_IKE_PROTO_ESP:
        if (pd_ikev1_esp_to_v2(t->id, &v2))
            pd_ike_proposal_add(out, PD_IKE_XF_ENCR, v2, t->key_length);
        else
            out->algs_dropped = true;
        if (t->auth_alg) {
            if (pd_ikev1_auth_alg_to_integ(t->auth_alg, &v2))
                pd_ike_proposal_add(out, PD_IKE_XF_INTEG, v2, 0);
            else
                out->algs_dropped = true;
        }
        if (t->group)
            pd_ike_proposal_add(out, PD_IKE_XF_DH, t->group, 0);
        pd_ike_proposal_add(out, PD_IKE_XF_ESN, t->esn ? 1 : 0, 0);
        break;
    case PD_IKE_PROTO_AH:
        if (pd_ikev1_ah_to_integ(t->id, &v2))
            pd_ike_proposal_add(out, PD_IKE_XF_INTEG, v2, 0);
        else
            out->algs_dropped = true;
        if (t->group)
            pd_ike_proposal_add(out, PD_IKE_XF_DH, t->group, 0);
        pd_ike_proposal_add(out, PD_IKE_XF_ESN, t->esn ? 1 : 0, 0);
        break;
    default:
        break; /* IPCOMP: no algorithm in the IKEv2 vocabulary */
    }
}

size_t pd_ikev1_sa_proposals(const pd_ikev1_sa *sa, pd_ike_proposal *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sa->n_proposals; i++) {
        const pd_ikev1_proposal *p = &sa->proposals[i];
        for (size_t j = 0; j < p->n_transforms && n < max; j++)
            pd_ikev1_transform_to_proposal(p, &p->transforms[j], &out[n++]);
    }
    return n;
}
