/* ike_decrypt.c - the IKE tracker's decryption step (--ike-keys): rows of
 * Wireshark's key tables matched to IKE SAs, IKEv1 IV chains (RFC 2409
 * Appendix B), IKEv2 SK/SKF decryption and fragment reassembly (RFC 7296
 * 3.14, RFC 7383 2.5-2.6), and the facts decrypted messages carry.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ike_decrypt.h"

#include <string.h>

#include "ike_cert.h"
#include "ike_names.h"

/* ---- state ------------------------------------------------------------------ */

typedef struct ike_skf_buf {
    bool used;
    int dir;
    uint8_t spi_i[8];
    uint32_t mid;
    uint16_t total;
    uint8_t first_payload;
    uint64_t mask;
    GBytes *frag[IKE_DEC_SKF_MAX_FRAGS];
    size_t bytes;
    const char *key_where;
    bool have_ladder;
    size_t ladder_idx;
    int64_t ts;
} ike_skf_buf;

typedef struct ike_v1_chain {
    uint32_t mid;
    uint8_t last[16];
} ike_v1_chain;

typedef struct ike_v1_cry {
    bool used;
    uint8_t cookie_i[8];
    bool have_sa;  /* the responder's choice was seen */
    bool cipher_ok;
    pd_ikev1_cipher_spec spec;
    uint16_t encr, key_bits, hash;
    uint8_t *gi, *gr; /* KE values of the phase-1 initiator and responder */
    size_t gi_len, gr_len;
    /* Phase-1 IVs, oldest first: HASH(g^xi | g^xr), then the last cipher
     * block of each encrypted phase-1 message. The newest is the RFC's; the
     * older ones serve a peer that keeps its IV when it could not decrypt
     * a message (strongSwan only moves it on for messages it accepted). */
    uint8_t p1[IKE_DEC_V1_P1_STATES][16];
    size_t n_p1;
    ike_v1_chain chain[IKE_DEC_V1_CHAIN];
    size_t n_chain, chain_next;
    const pd_ike_key_v1 *row[2]; /* the row that worked, per direction */
} ike_v1_cry;

struct ike_dec {
    ike_v1_cry v1[IKE_DEC_MAX_V1];
    size_t v1_next;
    ike_skf_buf skf[IKE_DEC_SKF_SLOTS];
};

static struct ike_dec *dec_of(ike_conv *c)
{
    if (!c->dec)
        c->dec = g_new0(struct ike_dec, 1);
    return c->dec;
}

static ike_inner *inner_of(ike_conv *c)
{
    if (!c->inner)
        c->inner = g_new0(ike_inner, 1);
    return c->inner;
}

static void skf_reset(ike_skf_buf *b)
{
    for (size_t i = 0; i < IKE_DEC_SKF_MAX_FRAGS; i++)
        if (b->frag[i])
            g_bytes_unref(b->frag[i]);
    memset(b, 0, sizeof *b);
}

static void v1_reset(ike_v1_cry *v)
{
    g_free(v->gi);
    g_free(v->gr);
    memset(v, 0, sizeof *v);
}

void pd_ike_dec_free(ike_conv *c)
{
    if (c->dec) {
        for (size_t i = 0; i < IKE_DEC_SKF_SLOTS; i++)
            skf_reset(&c->dec->skf[i]);
        for (size_t i = 0; i < IKE_DEC_MAX_V1; i++)
            v1_reset(&c->dec->v1[i]);
        g_free(c->dec);
        c->dec = NULL;
    }
    if (c->inner) {
        g_free(c->inner->child_offers);
        g_free(c->inner->child_chosen);
        g_free(c->inner->key_where[0]);
        g_free(c->inner->key_where[1]);
        g_free(c->inner->fail_where);
        g_free(c->inner);
        c->inner = NULL;
    }
}

void ike_dec_out_clear(ike_dec_out *out)
{
    g_free(out->msg);
    memset(out, 0, sizeof *out);
}

static const char *status_words(pd_ike_decrypt_status s)
{
    switch (s) {
    case PD_IKE_DECRYPT_OK: return "decrypted";
    case PD_IKE_DECRYPT_UNAVAILABLE: return "this build cannot decrypt (no libgcrypt)";
    case PD_IKE_DECRYPT_UNSUPPORTED: return "an algorithm libgcrypt lacks";
    case PD_IKE_DECRYPT_BAD_LENGTH: return "the encrypted payload has an impossible length";
    case PD_IKE_DECRYPT_ICV_MISMATCH: return "the integrity check fails (not this SA's keys)";
    case PD_IKE_DECRYPT_BAD_PADDING: return "the padding is wrong (not this SA's keys)";
    case PD_IKE_DECRYPT_BAD_KEY: return "the key has the wrong length for the cipher";
    }
    return "failed";
}

/* The message's header with the payload chain, flags and length of the
 * message in clear (the original is kept otherwise: exchange, message ID,
 * SPIs). */
static uint8_t *synth(const uint8_t *data, size_t caplen, uint8_t next, bool clear_e,
                      const uint8_t *pt, size_t pt_len, size_t *len)
{
    pd_cursor c = pd_cursor_make(data, caplen);
    const uint8_t *hdr;
    if (!pd_cursor_bytes(&c, PD_IKE_HEADER_LEN, &hdr))
        return NULL;
    uint8_t *m = g_malloc(PD_IKE_HEADER_LEN + pt_len);
    memcpy(m, hdr, PD_IKE_HEADER_LEN);
    m[16] = next;
    if (clear_e)
        m[19] &= (uint8_t)~PD_IKEV1_FLAG_ENCRYPTED;
    uint32_t l = (uint32_t)(PD_IKE_HEADER_LEN + pt_len);
    m[24] = (uint8_t)(l >> 24);
    m[25] = (uint8_t)(l >> 16);
    m[26] = (uint8_t)(l >> 8);
    m[27] = (uint8_t)l;
    if (pt_len)
        memcpy(m + PD_IKE_HEADER_LEN, pt, pt_len);
    *len = PD_IKE_HEADER_LEN + pt_len;
    return m;
}

/* ---- IKEv2 ------------------------------------------------------------------ */

static ike_skf_buf *skf_slot(struct ike_dec *d, const ike_dec_in *in, bool create)
{
    ike_skf_buf *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < IKE_DEC_SKF_SLOTS; i++) {
        ike_skf_buf *b = &d->skf[i];
        if (!b->used) {
            if (!free_slot)
                free_slot = b;
            continue;
        }
        if (b->dir == in->dir && b->mid == in->hdr->message_id &&
            memcmp(b->spi_i, in->hdr->spi_i, 8) == 0)
            return b;
        if (!oldest || b->ts < oldest->ts)
            oldest = b;
    }
    if (!create)
        return NULL;
    ike_skf_buf *b = free_slot ? free_slot : oldest;
    skf_reset(b);
    return b;
}

void pd_ike_dec_skf_line(ike_conv *c, int dir, const pd_ike_header *h, size_t idx)
{
    if (!c->dec)
        return;
    ike_dec_in in = { .hdr = h, .dir = dir };
    ike_skf_buf *b = skf_slot(c->dec, &in, false);
    if (b) {
        b->have_ladder = true;
        b->ladder_idx = idx;
    }
}

static ike_dec_result dec_v2(pd_engine *e, ike_conv *c, const ike_dec_in *in, ike_dec_out *out)
{
    const pd_ike_keys *keys = e->ike->keys;
    pd_ike_key_v2 *row = pd_ike_keys_next_v2(keys, in->hdr->spi_i, in->hdr->spi_r, NULL);
    if (!row)
        return IKE_DEC_NOKEY;
    size_t len = in->hdr->length;
    if (in->caplen < len) {
        out->why = PD_IKE_DECRYPT_BAD_LENGTH;
        out->why_text = "the capture cut the message short";
        return IKE_DEC_FAILED;
    }
    if (in->skf && (in->frag_number == 0 || in->frag_number > in->frag_total ||
                    in->frag_total > IKE_DEC_SKF_MAX_FRAGS)) {
        out->why = PD_IKE_DECRYPT_BAD_LENGTH;
        out->why_text = "fragment numbering this reassembly does not take";
        return IKE_DEC_FAILED;
    }
    uint8_t *pt = g_malloc(in->sk_len ? in->sk_len : 1);
    size_t pt_len = 0;
    pd_ike_decrypt_status first = PD_IKE_DECRYPT_OK;
    pd_ike_key_v2 *used = NULL;
    /* Several rows may name the same SPIs (a table kept by both peers):
     * the first whose keys verify wins. */
    for (; row; row = pd_ike_keys_next_v2(keys, in->hdr->spi_i, in->hdr->spi_r, row)) {
        row->matched = true;
        pd_ike_decrypt_status st = pd_ikev2_decrypt(&row->keys, in->from_initiator, in->data, len,
                                                    in->sk_off, in->sk_len, in->skf, pt, &pt_len);
        if (st == PD_IKE_DECRYPT_OK) {
            used = row;
            break;
        }
        if (first == PD_IKE_DECRYPT_OK)
            first = st;
    }
    if (!used) {
        g_free(pt);
        out->why = first;
        out->why_text = status_words(first);
        return IKE_DEC_FAILED;
    }
    used->used++;
    out->key_where = used->where;
    if (!in->skf) {
        out->msg = synth(in->data, in->caplen, in->first_payload, false, pt, pt_len, &out->len);
        g_free(pt);
        return out->msg ? IKE_DEC_DONE : IKE_DEC_FAILED;
    }

    /* RFC 7383 2.6: fragments are decrypted one by one and their contents
     * joined in order; only fragment 1 names the first inner payload. */
    ike_skf_buf *b = skf_slot(dec_of(c), in, true);
    if (b->used && b->total != in->frag_total)
        skf_reset(b);
    if (!b->used) {
        b->used = true;
        b->dir = in->dir;
        memcpy(b->spi_i, in->hdr->spi_i, 8);
        b->mid = in->hdr->message_id;
        b->total = in->frag_total;
    }
    b->ts = in->ts;
    uint64_t bit = UINT64_C(1) << (in->frag_number - 1);
    if (!(b->mask & bit)) {
        if (b->bytes + pt_len > IKE_DEC_SKF_MAX_BYTES) {
            g_free(pt);
            skf_reset(b);
            out->why = PD_IKE_DECRYPT_BAD_LENGTH;
            out->why_text = "the fragments add up to more than this reassembly keeps";
            return IKE_DEC_FAILED;
        }
        b->frag[in->frag_number - 1] = g_bytes_new(pt, pt_len);
        b->bytes += pt_len;
        b->mask |= bit;
        if (in->frag_number == 1)
            b->first_payload = in->first_payload;
    }
    g_free(pt);
    b->key_where = used->where;
    uint64_t all = b->total >= 64 ? UINT64_MAX : (UINT64_C(1) << b->total) - 1;
    if (b->mask != all)
        return IKE_DEC_PENDING;
    GByteArray *joined = g_byte_array_sized_new((guint)b->bytes);
    for (uint16_t i = 0; i < b->total; i++) {
        gsize n = 0;
        const uint8_t *p = g_bytes_get_data(b->frag[i], &n);
        if (n)
            g_byte_array_append(joined, p, (guint)n);
    }
    out->msg = synth(in->data, in->caplen, b->first_payload, false, joined->data, joined->len,
                     &out->len);
    g_byte_array_free(joined, TRUE);
    out->frag_total = b->total;
    out->have_ladder = b->have_ladder;
    out->ladder_idx = b->ladder_idx;
    skf_reset(b);
    return out->msg ? IKE_DEC_DONE : IKE_DEC_FAILED;
}

/* ---- IKEv1 ------------------------------------------------------------------ */

static ike_v1_cry *v1_state(ike_conv *c, const uint8_t cookie_i[8], bool create)
{
    struct ike_dec *d = dec_of(c);
    for (size_t i = 0; i < IKE_DEC_MAX_V1; i++)
        if (d->v1[i].used && memcmp(d->v1[i].cookie_i, cookie_i, 8) == 0)
            return &d->v1[i];
    if (!create)
        return NULL;
    ike_v1_cry *v = &d->v1[d->v1_next];
    d->v1_next = (d->v1_next + 1) % IKE_DEC_MAX_V1;
    v1_reset(v);
    v->used = true;
    memcpy(v->cookie_i, cookie_i, 8);
    return v;
}

void pd_ike_dec_v1_clear(ike_conv *c, const uint8_t *data, size_t caplen, const pd_ike_header *h,
                         bool from_initiator)
{
    pd_ike_walker w;
    pd_ike_payload_raw pl;
    ike_v1_cry *v = NULL;
    pd_ike_walker_init(&w, data, caplen, h);
    while (pd_ike_walker_next(&w, &pl)) {
        if (pl.type != PD_IKEV1_PL_KE || !pl.complete)
            continue;
        size_t n = pd_cursor_remaining(&pl.body);
        const uint8_t *ke;
        if (n == 0 || n > IKE_DEC_KE_MAX || !pd_cursor_bytes(&pl.body, n, &ke))
            continue;
        if (!v)
            v = v1_state(c, h->spi_i, true);
        uint8_t **dst = from_initiator ? &v->gi : &v->gr;
        size_t *dlen = from_initiator ? &v->gi_len : &v->gr_len;
        g_free(*dst);
        *dst = g_memdup2(ke, n);
        *dlen = n;
        v->n_p1 = 0; /* new KE: the phase-1 IV is derived again */
        break;
    }
}

void pd_ike_dec_v1_sa(ike_conv *c, const uint8_t cookie_i[8], uint16_t encr, uint16_t key_bits,
                      uint16_t hash)
{
    ike_v1_cry *v = v1_state(c, cookie_i, true);
    v->have_sa = true;
    v->encr = encr;
    v->key_bits = key_bits;
    v->hash = hash;
    v->cipher_ok = pd_ikev1_cipher_for(encr, key_bits, &v->spec) && pd_ikev1_hash_len(hash) > 0;
    v->n_p1 = 0;
}

static bool v1_p1_ready(ike_v1_cry *v, const char **why)
{
    if (!v->have_sa) {
        *why = "the responder's phase-1 SA choice (cipher, hash) is not in the capture";
        return false;
    }
    if (!v->cipher_ok) {
        *why = "the phase-1 cipher or hash is one this build does not decrypt";
        return false;
    }
    if (!v->gi || !v->gr) {
        *why = "the phase-1 KE payloads (the IV material) are not in the capture";
        return false;
    }
    if (v->n_p1 == 0) {
        if (!pd_ikev1_derive_iv(v->hash, v->gi, v->gi_len, v->gr, v->gr_len, v->p1[0],
                                v->spec.block_len)) {
            *why = "the phase-1 IV could not be derived";
            return false;
        }
        v->n_p1 = 1;
    }
    return true;
}

static void v1_push_p1(ike_v1_cry *v, const uint8_t *last)
{
    size_t bl = v->spec.block_len;
    if (v->n_p1 && memcmp(v->p1[v->n_p1 - 1], last, bl) == 0)
        return;
    if (v->n_p1 == IKE_DEC_V1_P1_STATES) {
        /* Keep the first (derived) IV; forget the oldest after it. */
        memmove(v->p1[1], v->p1[2], sizeof v->p1[0] * (IKE_DEC_V1_P1_STATES - 2));
        v->n_p1--;
    }
    memcpy(v->p1[v->n_p1++], last, bl);
}

static ike_v1_chain *v1_chain(ike_v1_cry *v, uint32_t mid, bool create)
{
    for (size_t i = 0; i < v->n_chain; i++)
        if (v->chain[i].mid == mid)
            return &v->chain[i];
    if (!create)
        return NULL;
    ike_v1_chain *ch;
    if (v->n_chain < IKE_DEC_V1_CHAIN) {
        ch = &v->chain[v->n_chain++];
    } else {
        ch = &v->chain[v->chain_next];
        v->chain_next = (v->chain_next + 1) % IKE_DEC_V1_CHAIN;
    }
    memset(ch, 0, sizeof *ch);
    ch->mid = mid;
    return ch;
}

static bool v1_known_payload(uint8_t t)
{
    return (t >= PD_IKEV1_PL_SA && t <= PD_IKEV1_PL_ATTR) || t == PD_IKEV1_PL_NAT_D ||
           t == PD_IKEV1_PL_NAT_OA || t == PD_IKEV1_PL_NAT_D_DRAFT ||
           t == PD_IKEV1_PL_NAT_OA_DRAFT || t == PD_IKEV1_PL_FRAG;
}

/* IKEv1 has no ICV: a wrong key or IV shows as payloads that do not chain.
 * The first payload is what RFC 2409 puts there (ID/HASH/SIG/CERT in phase
 * 1, HASH first in quick mode, informational and transaction exchanges),
 * every payload is complete and known, and only padding follows. */
static bool v1_plain_ok(const uint8_t *msg, size_t len, size_t block_len)
{
    pd_ikev1_message v;
    bool ok = pd_ikev1_decode(msg, len, len, &v) == PD_IKE_OK && v.n_payloads > 0 &&
              v.trailing < block_len + 1;
    if (ok) {
        uint8_t first = v.payloads[0].type;
        if (v.hdr.message_id == 0)
            ok = first == PD_IKEV1_PL_ID || first == PD_IKEV1_PL_HASH ||
                 first == PD_IKEV1_PL_SIG || first == PD_IKEV1_PL_CERT;
        else
            ok = first == PD_IKEV1_PL_HASH;
    }
    for (size_t i = 0; ok && i < v.n_payloads; i++)
        ok = v.payloads[i].complete && !v.payloads[i].malformed &&
             v1_known_payload(v.payloads[i].type);
    pd_ikev1_message_clear(&v);
    return ok;
}

static ike_dec_result dec_v1(pd_engine *e, ike_conv *c, const ike_dec_in *in, ike_dec_out *out)
{
    const pd_ike_keys *keys = e->ike->keys;
    const pd_ike_header *h = in->hdr;
    pd_ike_key_v1 *row = pd_ike_keys_next_v1(keys, h->spi_i, NULL);
    if (!row)
        return IKE_DEC_NOKEY;
    ike_v1_cry *v = v1_state(c, h->spi_i, true);
    const char *why = NULL;
    if (!v1_p1_ready(v, &why)) {
        out->why = PD_IKE_DECRYPT_UNSUPPORTED;
        out->why_text = why;
        return IKE_DEC_FAILED;
    }
    size_t bl = v->spec.block_len;
    pd_cursor m = pd_cursor_make(in->data, in->caplen);
    const uint8_t *ct = NULL, *last = NULL;
    size_t ct_len = h->length > PD_IKE_HEADER_LEN ? h->length - PD_IKE_HEADER_LEN : 0;
    if (in->caplen < h->length || ct_len == 0 || ct_len % bl != 0 ||
        !pd_cursor_skip(&m, PD_IKE_HEADER_LEN) || !pd_cursor_bytes(&m, ct_len, &ct)) {
        out->why = PD_IKE_DECRYPT_BAD_LENGTH;
        out->why_text = in->caplen < h->length ? "the capture cut the message short"
                                               : "not whole cipher blocks";
        return IKE_DEC_FAILED;
    }
    pd_cursor tail = pd_cursor_make(ct, ct_len);
    if (!pd_cursor_skip(&tail, ct_len - bl) || !pd_cursor_bytes(&tail, bl, &last))
        return IKE_DEC_FAILED;

    /* Candidate IVs, most likely first (RFC 2409 Appendix B). */
    uint8_t ivs[IKE_DEC_V1_P1_STATES + 1][16];
    size_t n_iv = 0;
    uint32_t mid = h->message_id;
    if (mid == 0) {
        for (size_t k = v->n_p1; k > 0; k--)
            memcpy(ivs[n_iv++], v->p1[k - 1], bl);
    } else {
        ike_v1_chain *ch = v1_chain(v, mid, false);
        if (ch)
            memcpy(ivs[n_iv++], ch->last, bl);
        uint8_t mid_be[4] = { (uint8_t)(mid >> 24), (uint8_t)(mid >> 16), (uint8_t)(mid >> 8),
                              (uint8_t)mid };
        for (size_t k = v->n_p1; k > 0 && n_iv < G_N_ELEMENTS(ivs); k--)
            if (pd_ikev1_derive_iv(v->hash, v->p1[k - 1], bl, mid_be, 4, ivs[n_iv], bl))
                n_iv++;
    }

    uint8_t *pt = g_malloc(ct_len);
    ike_dec_result res = IKE_DEC_FAILED;
    pd_ike_decrypt_status first = PD_IKE_DECRYPT_OK;
    /* The row that worked for this direction before goes first. */
    pd_ike_key_v1 *rows[8];
    size_t n_rows = 0;
    if (v->row[in->dir])
        rows[n_rows++] = (pd_ike_key_v1 *)v->row[in->dir];
    for (; row && n_rows < G_N_ELEMENTS(rows); row = pd_ike_keys_next_v1(keys, h->spi_i, row)) {
        row->matched = true;
        if (row != v->row[in->dir])
            rows[n_rows++] = row;
    }
    for (size_t r = 0; r < n_rows && res != IKE_DEC_DONE; r++) {
        for (size_t k = 0; k < n_iv; k++) {
            pd_ike_decrypt_status st = pd_ikev1_decrypt(&v->spec, rows[r]->key, rows[r]->key_len,
                                                        ivs[k], ct, ct_len, pt);
            if (st != PD_IKE_DECRYPT_OK) {
                if (first == PD_IKE_DECRYPT_OK)
                    first = st;
                break;
            }
            size_t sl = 0;
            uint8_t *s = synth(in->data, in->caplen, h->next_payload, true, pt, ct_len, &sl);
            if (s && v1_plain_ok(s, sl, bl)) {
                out->msg = s;
                out->len = sl;
                out->key_where = rows[r]->where;
                rows[r]->used++;
                v->row[in->dir] = rows[r];
                res = IKE_DEC_DONE;
                break;
            }
            g_free(s);
        }
    }
    g_free(pt);
    /* The chain moves on with the ciphertext, whoever could read it. */
    if (mid == 0)
        v1_push_p1(v, last);
    else
        memcpy(v1_chain(v, mid, true)->last, last, bl);
    if (res != IKE_DEC_DONE) {
        out->why = first != PD_IKE_DECRYPT_OK ? first : PD_IKE_DECRYPT_BAD_PADDING;
        out->why_text = first != PD_IKE_DECRYPT_OK
                            ? status_words(first)
                            : "no row gives payloads that parse (not this SA's key, or the "
                              "sender used keys that differ)";
    }
    return res;
}

ike_dec_result pd_ike_dec_message(pd_engine *e, ike_conv *c, const ike_dec_in *in,
                                  ike_dec_out *out)
{
    memset(out, 0, sizeof *out);
    if (!e->ike->keys || pd_ike_keys_count(e->ike->keys) == 0)
        return IKE_DEC_NONE;
    if (!pd_ike_crypto_available()) {
        out->why = PD_IKE_DECRYPT_UNAVAILABLE;
        out->why_text = status_words(out->why);
        return IKE_DEC_FAILED;
    }
    return c->version == 2 ? dec_v2(e, c, in, out) : dec_v1(e, c, in, out);
}

void pd_ike_dec_count(ike_conv *c, int dir, ike_dec_result r, const ike_dec_out *out,
                      uint64_t frame, int64_t ts)
{
    if (r == IKE_DEC_NONE)
        return;
    ike_inner *n = inner_of(c);
    switch (r) {
    case IKE_DEC_NOKEY:
        n->nokey[dir]++;
        break;
    case IKE_DEC_FAILED:
        if (n->failed[0] + n->failed[1] == 0) {
            n->fail_what = out->why_text;
            n->fail_frame = frame;
            n->fail_ts = ts;
        }
        n->failed[dir]++;
        break;
    case IKE_DEC_PENDING:
    case IKE_DEC_DONE:
        if (out->key_where && !n->key_where[dir])
            n->key_where[dir] = g_strdup(out->key_where);
        if (r == IKE_DEC_DONE)
            n->decrypted[dir]++;
        break;
    default:
        break;
    }
}

/* ---- what decrypted messages say ------------------------------------------ */

static void id_keep(ike_id_seen *s, const pd_ike_id *id, uint64_t frame, int64_t ts)
{
    if (s->set)
        return;
    s->set = true;
    s->type = id->type;
    g_strlcpy(s->text, id->text, sizeof s->text);
    s->frame = frame;
    s->ts = ts;
}

static void ts_text(GString *s, const pd_ikev2_payload *pl)
{
    for (size_t i = 0; i < pl->u.ts.n; i++) {
        const pd_ikev2_ts_entry *t = &pl->u.ts.ts[i];
        if (i)
            g_string_append(s, ", ");
        if (!t->start[0]) {
            const char *tn = pd_ikev2_ts_type_name(t->type);
            g_string_append_printf(s, "%s", tn ? tn : "TS");
            continue;
        }
        if (strcmp(t->start, t->end) == 0)
            g_string_append(s, t->start);
        else
            g_string_append_printf(s, "%s-%s", t->start, t->end);
        if (t->ip_protocol || t->start_port != 0 || t->end_port != 65535) {
            g_string_append_printf(s, "[proto %u", t->ip_protocol);
            if (t->start_port == t->end_port)
                g_string_append_printf(s, " port %u", t->start_port);
            else if (t->start_port != 0 || t->end_port != 65535)
                g_string_append_printf(s, " ports %u-%u", t->start_port, t->end_port);
            g_string_append_c(s, ']');
        }
    }
    if (pl->u.ts.n_claimed > pl->u.ts.n)
        g_string_append_printf(s, " (+%u more)", (unsigned)(pl->u.ts.n_claimed - pl->u.ts.n));
}

static void cert_keep(ike_inner *n, int dir, const uint8_t *der, size_t len)
{
    char one[IKE_DEC_TEXT_MAX];
    if (!pd_ike_cert_summary(der, len, one, sizeof one))
        g_snprintf(one, sizeof one, "%zu bytes, not a readable X.509 certificate", len);
    size_t used = strlen(n->certs[dir]);
    if (used + 3 < sizeof n->certs[dir])
        g_snprintf(n->certs[dir] + used, sizeof n->certs[dir] - used, "%s%s", used ? " | " : "",
                   one);
    n->n_certs[dir]++;
}

/* CERT bodies: encoding (1 byte), then the certificate (X.509 is 4 in both
 * versions, RFC 2408 3.9 / RFC 7296 3.6). CERTREQ bodies: encoding, then
 * 20-byte SHA-1 hashes of trusted CAs' public keys (RFC 7296 3.7). */
static void certs_walk(ike_inner *n, int dir, const uint8_t *msg, size_t len, uint8_t cert_type,
                       uint8_t certreq_type)
{
    pd_ike_header h;
    if (pd_ike_header_decode(msg, len, len, &h) != PD_IKE_OK)
        return;
    pd_ike_walker w;
    pd_ike_payload_raw pl;
    pd_ike_walker_init(&w, msg, len, &h);
    while (pd_ike_walker_next(&w, &pl)) {
        if (!pl.complete)
            continue;
        uint8_t enc = 0;
        if (pl.type == cert_type && pd_cursor_u8(&pl.body, &enc) && enc == 4) {
            size_t l = pd_cursor_remaining(&pl.body);
            const uint8_t *der;
            if (pd_cursor_bytes(&pl.body, l, &der))
                cert_keep(n, dir, der, l);
        } else if (pl.type == certreq_type && pd_cursor_u8(&pl.body, &enc) && enc == 4) {
            n->n_certreq_cas[dir] += (uint32_t)(pd_cursor_remaining(&pl.body) / 20);
        }
        if (pl.type == PD_IKEV2_PL_SK || pl.type == PD_IKEV2_PL_SKF)
            pd_ike_walker_stop(&w);
    }
}

void pd_ike_dec_note_v2(ike_conv *c, int dir, bool response, const pd_ikev2_message *v,
                        const uint8_t *msg, size_t len, uint64_t frame, int64_t ts)
{
    ike_inner *n = inner_of(c);
    uint8_t ex = v->hdr.exchange;
    bool child_xchg = ex == PD_IKEV2_EXCH_IKE_AUTH || ex == PD_IKEV2_EXCH_CREATE_CHILD_SA;
    bool want_offer = !response && child_xchg && !n->child_offers;
    GString *tsi = NULL, *tsr = NULL;
    for (size_t i = 0; i < v->n_payloads; i++) {
        const pd_ikev2_payload *pl = &v->payloads[i];
        if (!pl->complete || pl->malformed)
            continue;
        switch (pl->type) {
        case PD_IKEV2_PL_IDI:
            id_keep(&n->id_i, &pl->u.id, frame, ts);
            break;
        case PD_IKEV2_PL_IDR:
            id_keep(response ? &n->id_r : &n->id_r_wanted, &pl->u.id, frame, ts);
            break;
        case PD_IKEV2_PL_AUTH:
            n->auth_method[dir] = pl->u.auth.method;
            break;
        case PD_IKEV2_PL_SA:
            if (!child_xchg || pl->u.sa.n_proposals == 0)
                break;
            /* CREATE_CHILD_SA rekeying the IKE SA offers IKE proposals:
             * only ESP/AH offers are a CHILD_SA's. */
            if (pl->u.sa.proposals[0].protocol == PD_IKE_PROTO_IKE)
                break;
            if (want_offer) {
                size_t k = MIN(pl->u.sa.n_proposals, (size_t)IKE_MAX_OFFERS);
                n->child_offers = g_new0(pd_ike_proposal, k);
                n->n_child_offers = pd_ikev2_sa_proposals(&pl->u.sa, n->child_offers, k);
                n->child_frame = frame;
                n->child_ts = ts;
            } else if (response && !n->child_chosen) {
                n->child_chosen = g_new0(pd_ike_proposal, 1);
                pd_ikev2_proposal_normalise(&pl->u.sa.proposals[0], n->child_chosen);
            }
            break;
        case PD_IKEV2_PL_TSI:
        case PD_IKEV2_PL_TSR:
            if (want_offer) {
                GString **t = pl->type == PD_IKEV2_PL_TSI ? &tsi : &tsr;
                if (!*t)
                    *t = g_string_new(NULL);
                ts_text(*t, pl);
            }
            break;
        case PD_IKEV2_PL_EAP:
            /* RFC 3748 4.2: code 4 is Failure. */
            if (pl->u.eap.code == 4 && !n->eap_failure_frame) {
                n->eap_failure_frame = frame;
                n->eap_failure_ts = ts;
            } else if (pl->u.eap.code == 1 && pl->u.eap.type) {
                n->eap_type = pl->u.eap.type;
                /* An EAP-MSCHAPv2 Failure request is the gateway's refusal
                 * of the password; the peer may end the IKE SA instead of
                 * answering it, and then no EAP Failure is ever sent. */
                if (pl->u.eap.type == 26 && pl->u.eap.mschapv2_opcode == 4 &&
                    !n->eap_failure_frame) {
                    n->eap_failure_frame = frame;
                    n->eap_failure_ts = ts;
                    n->eap_failure_mschapv2 = true;
                    n->eap_mschapv2_error = pl->u.eap.has_mschapv2_error
                                                ? pl->u.eap.mschapv2_error : 0;
                }
            }
            break;
        case PD_IKEV2_PL_CP: {
            /* RFC 7296 3.15: CFG_REQUEST (1) for INTERNAL_IP4/6_ADDRESS (1, 8). */
            bool wants = false;
            for (size_t k = 0; k < pl->u.cp.n_attrs; k++)
                wants = wants || pl->u.cp.attr_types[k] == 1 || pl->u.cp.attr_types[k] == 8;
            if (pl->u.cp.type == 1 && wants && !n->cfg_request_frame) {
                n->cfg_request_frame = frame;
                n->cfg_request_ts = ts;
            } else if (pl->u.cp.type == 2 && wants) {
                n->cfg_reply_address = true;
            }
            break;
        }
        default:
            break;
        }
    }
    if (want_offer && n->child_offers) {
        g_strlcpy(n->ts_i, tsi ? tsi->str : "", sizeof n->ts_i);
        g_strlcpy(n->ts_r, tsr ? tsr->str : "", sizeof n->ts_r);
    }
    if (tsi)
        g_string_free(tsi, TRUE);
    if (tsr)
        g_string_free(tsr, TRUE);
    certs_walk(n, dir, msg, len, PD_IKEV2_PL_CERT, PD_IKEV2_PL_CERTREQ);
}

/* A quick mode ID as a traffic selector, in strongSwan's notation with numbers:
 * "10.0.1.2[udp/1701]", "10.1.0.0/16" (protocol 0 is any). */
static void qm_id_text(const pd_ike_id *id, char *dst, size_t len)
{
    char proto[16];
    if (!id->protocol) {
        g_strlcpy(dst, id->text, len);
        return;
    }
    if (id->protocol == 17 || id->protocol == 6)
        g_strlcpy(proto, id->protocol == 17 ? "udp" : "tcp", sizeof proto);
    else
        g_snprintf(proto, sizeof proto, "%u", id->protocol);
    if (id->port)
        g_snprintf(dst, len, "%s[%s/%u]", id->text, proto, id->port);
    else
        g_snprintf(dst, len, "%s[%s]", id->text, proto);
}

void pd_ike_dec_note_v1(ike_conv *c, int dir, bool response, const pd_ikev1_message *v,
                        const uint8_t *msg, size_t len, uint64_t frame, int64_t ts)
{
    ike_inner *n = inner_of(c);
    uint8_t ex = v->hdr.exchange;
    bool phase1 = v->hdr.message_id == 0 &&
                  (ex == PD_IKEV1_EXCH_MAIN || ex == PD_IKEV1_EXCH_AGGRESSIVE);
    bool quick = ex == PD_IKEV1_EXCH_QUICK;
    bool want_offer = quick && !response && !n->child_offers;
    int ids = 0;
    for (size_t i = 0; i < v->n_payloads; i++) {
        const pd_ikev1_payload *pl = &v->payloads[i];
        if (!pl->complete || pl->malformed)
            continue;
        switch (pl->type) {
        case PD_IKEV1_PL_ID:
            if (phase1) {
                /* Main mode #5 is the initiator's, #6 the responder's. */
                bool from_init = !c->n_sas || dir == c->sas[c->n_sas - 1].init_dir;
                id_keep(from_init ? &n->id_i : &n->id_r, &pl->u.id, frame, ts);
            } else if (quick) {
                /* Quick mode IDci / IDcr are the traffic selectors (RFC 2409 5.5),
                 * with the protocol and port they protect (RFC 2407 4.6.2): UDP 1701
                 * is L2TP/IPsec (RFC 3193 4). */
                const pd_ike_id *id = &pl->u.id;
                if (id->protocol == 17 && id->port == 1701)
                    c->qm_udp_1701 = true;
                if (want_offer)
                    qm_id_text(id, ids++ == 0 ? n->ts_i : n->ts_r, IKE_DEC_TEXT_MAX);
            }
            break;
        case PD_IKEV1_PL_SA:
            if (want_offer && pl->u.sa.n_proposals) {
                size_t k = 0;
                for (size_t p = 0; p < pl->u.sa.n_proposals; p++)
                    k += pl->u.sa.proposals[p].n_transforms;
                k = MIN(k, (size_t)IKE_MAX_OFFERS);
                if (k) {
                    n->child_offers = g_new0(pd_ike_proposal, k);
                    n->n_child_offers = pd_ikev1_sa_proposals(&pl->u.sa, n->child_offers, k);
                    n->child_frame = frame;
                    n->child_ts = ts;
                }
            }
            break;
        case PD_IKEV1_PL_ATTR:
            /* XAUTH (draft-ietf-ipsra-isakmp-xauth 6.2): XAUTH_STATUS in
             * the gateway's CFG_SET, 0 = FAIL. */
            if (pl->u.attr.has_xauth_status) {
                if (pl->u.attr.xauth_status == 0 && !n->xauth_fail_frame) {
                    n->xauth_fail_frame = frame;
                    n->xauth_fail_ts = ts;
                } else if (pl->u.attr.xauth_status == 1) {
                    n->xauth_ok_frame = frame;
                }
            }
            for (size_t k = 0; k < pl->u.attr.n_attrs && k < 16; k++) {
                if (pl->u.attr.attr_types[k] != 1) /* INTERNAL_IP4_ADDRESS */
                    continue;
                if (pl->u.attr.type == 1 && !n->cfg_request_frame) {
                    n->cfg_request_frame = frame;
                    n->cfg_request_ts = ts;
                } else if (pl->u.attr.type == 2 || pl->u.attr.type == 3) {
                    n->cfg_reply_address = true;
                }
            }
            break;
        default:
            break;
        }
    }
    certs_walk(n, dir, msg, len, PD_IKEV1_PL_CERT, PD_IKEV1_PL_CR);
}

void pd_ike_dec_note_certs(ike_conv *c, int dir, uint8_t version, const uint8_t *data,
                           size_t caplen)
{
    if (version == 2)
        certs_walk(inner_of(c), dir, data, caplen, PD_IKEV2_PL_CERT, PD_IKEV2_PL_CERTREQ);
    else
        certs_walk(inner_of(c), dir, data, caplen, PD_IKEV1_PL_CERT, PD_IKEV1_PL_CR);
}
