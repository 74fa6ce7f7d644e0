/* ike_track.c - IKE sessions (IKEv1 RFC 2408/2409, IKEv2 RFC 7296) across
 * UDP 500 and 4500 (NAT-T RFC 3947/3948): exchanges matched request to
 * response, retransmissions counted, proposals, NAT-D recomputed, the
 * ladder written like a gateway's own trace.
 *
 * One flow per address pair owns the pair's sessions (ike_session.h); a
 * message finds its session by SPIs, so the float to UDP 4500 and a NAT's
 * new port do not split it. When the flow closes, ike_detect.c judges each
 * session and the state is freed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ike_decrypt.h"
#include "ike_names.h"
#include "ike_natd.h"
#include "ike_session.h"
#include "ike_track.h"
#include "ikev1.h"
#include "ikev2.h"
#include "l2tp_track.h"

/* A new attempt this soon after the last one, from the same address and
 * port, continues the session (a retry with new SPIs, RFC 7296 1.3). */
#define IKE_RETRY_SECONDS 30.0
#define IKE_MSG_MAX_NATD 4

/* ---- module and the public policy check ---- */

pd_ike_module *pd_ike_module_new(pd_engine *e)
{
    pd_ike_module *m = g_new0(pd_ike_module, 1);
    const char *text = e->config.ike_policy;
    if (text && *text) {
        GError *err = NULL;
        /* The front end validated it (pd_ike_policy_check); a bad policy
         * here is dropped rather than failing the whole analysis. */
        m->have_policy = pd_ike_policy_parse(text, &m->policy, &err);
        g_clear_error(&err);
    }
    if (e->config.ike_key_files) {
        /* Like the policy: the front end checked each file
         * (pd_ike_keys_check); one that fails now is left out. */
        m->keys = pd_ike_keys_new();
        for (const char *const *f = e->config.ike_key_files; *f; f++) {
            GError *err = NULL;
            if (!pd_ike_keys_load_file(m->keys, *f, &err))
                g_clear_error(&err);
        }
    }
    if (e->config.esp_key_files) {
        /* The same: each file was checked by the front end (pd_esp_keys_check). */
        m->esp_keys = pd_esp_keys_new();
        for (const char *const *f = e->config.esp_key_files; *f; f++) {
            GError *err = NULL;
            if (!pd_esp_keys_load_file(m->esp_keys, *f, &err))
                g_clear_error(&err);
        }
        if (pd_esp_keys_count(m->esp_keys) == 0 || !pd_ike_crypto_available()) {
            pd_esp_keys_free(m->esp_keys);
            m->esp_keys = NULL;
        }
    }
    return m;
}

void pd_ike_module_free(pd_ike_module *m)
{
    if (!m)
        return;
    pd_ike_policy_clear(&m->policy);
    pd_ike_keys_free(m->keys);
    pd_esp_keys_free(m->esp_keys);
    g_free(m->esp_buf);
    g_free(m);
}

bool pd_ike_keys_check(const char *path, char **error)
{
    if (error)
        *error = NULL;
    if (!pd_ike_crypto_available()) {
        if (error)
            *error = g_strdup_printf("%s: this pcapdiag was built without libgcrypt and cannot "
                                     "decrypt IKE",
                                     path ? path : "--ike-keys");
        return false;
    }
    pd_ike_keys *k = pd_ike_keys_new();
    GError *err = NULL;
    bool ok = path && pd_ike_keys_load_file(k, path, &err);
    if (ok && pd_ike_keys_count(k) == 0) {
        ok = false;
        err = g_error_new(PD_IKE_KEYS_ERROR, 3, "%s: no key rows (only comments or blank lines)",
                          path);
    }
    if (!ok && error)
        *error = g_strdup(err ? err->message : "no key table given");
    g_clear_error(&err);
    pd_ike_keys_free(k);
    return ok;
}

bool pd_esp_keys_check(const char *path, char **error)
{
    if (error)
        *error = NULL;
    if (!pd_ike_crypto_available()) {
        if (error)
            *error = g_strdup_printf("%s: this pcapdiag was built without libgcrypt and cannot "
                                     "decrypt ESP",
                                     path ? path : "--esp-keys");
        return false;
    }
    pd_esp_keys *k = pd_esp_keys_new();
    GError *err = NULL;
    bool ok = path && pd_esp_keys_load_file(k, path, &err);
    if (ok && pd_esp_keys_count(k) == 0) {
        ok = false;
        err = g_error_new(PD_ESP_KEYS_ERROR, 3, "%s: no SA rows (only comments or blank lines)",
                          path);
    }
    if (!ok && error)
        *error = g_strdup(err ? err->message : "no ESP SA table given");
    g_clear_error(&err);
    pd_esp_keys_free(k);
    return ok;
}

bool pd_ike_policy_check(const char *text, char **error)
{
    pd_ike_policy pol;
    GError *err = NULL;
    if (error)
        *error = NULL;
    memset(&pol, 0, sizeof pol);
    if (!text || !pd_ike_policy_parse(text, &pol, &err)) {
        if (error)
            *error = g_strdup(err ? err->message : "no policy given");
        g_clear_error(&err);
        return false;
    }
    pd_ike_policy_clear(&pol);
    return true;
}

bool pd_ike_udp_port(uint16_t sport, uint16_t dport)
{
    return sport == PD_IKE_PORT || dport == PD_IKE_PORT || pd_ike_udp_is_natt(sport, dport);
}

/* ---- pairs and conversations ---- */

ike_pair *pd_ike_pair_get(pd_engine *e, const pd_addr *a, const pd_addr *b, bool create,
                          uint64_t frame, int64_t ts)
{
    pd_flow_key key;
    bool fwd, created = false;
    pd_flow_key_make(&key, PD_FLOW_KIND_IKE, 17, a, 0, b, 0, &fwd);
    pd_flow *flow = pd_flow_lookup(e->flows, &key, create, &created, frame, ts);
    if (!flow)
        return NULL;
    if (!flow->state) {
        if (!create)
            return NULL;
        ike_pair *pair = g_new0(ike_pair, 1);
        pair->lo = key.addr_lo;
        pair->hi = key.addr_hi;
        pair->convs = g_ptr_array_new();
        flow->state = pair;
        e->ike->live_pairs++;
    }
    return flow->state;
}

struct ike_msg_cache;
static void cache_free(struct ike_msg_cache *k);

static void conv_free(ike_conv *c)
{
    pd_ike_dec_free(c);
    for (int d = 0; d < 2; d++)
        for (int i = 0; i < IKE_CACHE_SLOTS; i++)
            cache_free(c->cache[d][i]);
    g_free(c->offers);
    g_free(c->chosen);
    g_free(c->natd_note[0]);
    g_free(c->natd_note[1]);
    g_free(c->frag_ev);
    g_free(c->xchg);
    g_free(c);
}

static void conv_finish(pd_engine *e, ike_pair *pair, ike_conv *c);

ike_conv *pd_ike_conv_new(pd_engine *e, ike_pair *pair, uint8_t version, const pd_addr *client,
                          uint16_t client_port, const pd_addr *server, uint16_t server_port,
                          uint64_t frame, int64_t ts)
{
    if (pair->convs->len >= IKE_MAX_CONVS) {
        /* Bounded memory: the oldest session is judged now, with what it had. */
        ike_conv *old = g_ptr_array_index(pair->convs, 0);
        conv_finish(e, pair, old);
        g_ptr_array_remove_index(pair->convs, 0);
        conv_free(old);
    }
    ike_conv *c = g_new0(ike_conv, 1);
    c->version = version;
    c->client = *client;
    c->server = *server;
    c->client_port = client_port;
    c->server_port = server_port;
    c->offers_from = -1;
    c->last_ts = ts;
    c->keys_loaded = e->ike->keys && pd_ike_keys_count(e->ike->keys) > 0;
    pd_protocol proto = version == 1   ? PD_PROTO_IKEV1
                        : version == 2 ? PD_PROTO_IKEV2
                                       : PD_PROTO_ESP;
    c->session = pd_session_open(e, proto, client, client_port, server, server_port, frame, ts);
    if (version)
        pd_session_attr_num(c->session, "ike_version", version);
    g_ptr_array_add(pair->convs, c);
    return c;
}

int pd_ike_conv_dir(const ike_conv *c, const pd_addr *src, uint16_t sport)
{
    if (!pd_addr_equal(&c->client, &c->server))
        return pd_addr_equal(src, &c->client) ? IKE_C2S : IKE_S2C;
    /* Both ends on one address (a lab, a loopback): ports tell them apart. */
    return sport == c->client_port || (c->natt_client_port && sport == c->natt_client_port)
               ? IKE_C2S
               : IKE_S2C;
}

ike_conv *pd_ike_pair_newest_ike(ike_pair *pair)
{
    for (guint i = pair->convs->len; i > 0; i--) {
        ike_conv *c = g_ptr_array_index(pair->convs, i - 1);
        if (c->version)
            return c;
    }
    return NULL;
}

static ike_sa_ref *sa_add(ike_conv *c, const uint8_t spi_i[8], const uint8_t spi_r[8],
                          int init_dir, uint64_t frame, int64_t ts)
{
    if (c->n_sas == IKE_MAX_SAS) {
        memmove(&c->sas[0], &c->sas[1], sizeof c->sas[0] * (IKE_MAX_SAS - 1));
        c->n_sas--;
    }
    ike_sa_ref *sa = &c->sas[c->n_sas++];
    memset(sa, 0, sizeof *sa);
    memcpy(sa->spi_i, spi_i, 8);
    static const uint8_t zero[8];
    if (memcmp(spi_r, zero, 8) != 0) {
        memcpy(sa->spi_r, spi_r, 8);
        sa->have_spi_r = true;
    }
    sa->init_dir = init_dir;
    sa->first_frame = frame;
    sa->first_ts = ts;
    c->sas_total++;
    return sa;
}

/* Key tables were given: IKEv1 sessions keep their IV material. */
static bool e_keys_loaded(const ike_conv *c)
{
    return c->keys_loaded;
}

/* ---- exchanges ---- */

static ike_xchg *xchg_new(ike_conv *c)
{
    if (c->n_xchg == c->cap_xchg && c->cap_xchg < IKE_MAX_EXCHANGES) {
        /* Most sessions have a handful of exchanges: grow on demand. */
        c->cap_xchg = c->cap_xchg ? MIN(c->cap_xchg * 2, (size_t)IKE_MAX_EXCHANGES) : 2;
        c->xchg = g_renew(ike_xchg, c->xchg, c->cap_xchg);
    }
    if (c->n_xchg == IKE_MAX_EXCHANGES) {
        /* Forget the oldest settled exchange after the negotiation's first
         * ones: a long-lived SA keeps its beginning and its recent past. */
        size_t victim = IKE_MAX_EXCHANGES;
        for (size_t i = IKE_KEEP_FIRST_EXCHANGES; i < c->n_xchg; i++) {
            if (c->xchg[i].answered || !c->xchg[i].expects_reply) {
                victim = i;
                break;
            }
        }
        if (victim == IKE_MAX_EXCHANGES)
            victim = IKE_KEEP_FIRST_EXCHANGES;
        memmove(&c->xchg[victim], &c->xchg[victim + 1],
                sizeof c->xchg[0] * (c->n_xchg - victim - 1));
        c->n_xchg--;
        c->xchg_dropped++;
    }
    ike_xchg *x = &c->xchg[c->n_xchg++];
    memset(x, 0, sizeof *x);
    return x;
}

/* ---- one message, version-neutral ---- */

typedef struct ike_natd_entry {
    bool is_src;
    size_t len;
    uint8_t h[PD_IKE_HASH_MAX];
} ike_natd_entry;

typedef struct ike_msg {
    uint8_t version;
    pd_ike_header hdr;
    pd_ike_status status;
    const char *detail;
    bool encrypted;
    size_t len;
    uint32_t hash;
    GString *text; /* "SA KE No N(NATD_S_IP)" */
    bool has_sa, has_ke, has_nonce, has_hash, has_id;
    uint16_t ke_group;
    uint16_t error;
    uint16_t invalid_ke_group;
    bool cookie;
    bool frag_supported;
    pd_ike_proposal *props;
    size_t n_props;
    uint16_t v1_hash; /* IKEv1 phase-1 hash of the SA's first transform */
    ike_natd_entry natd[IKE_MSG_MAX_NATD];
    size_t n_natd;
    const char *vids[IKE_MAX_VIDS];
    size_t n_vids;
    uint32_t vid_unknown;
    bool skf;
    uint16_t frag_number, frag_total;
    bool repeat; /* the same bytes as a recent message of this direction */
    /* The SK/SKF payload (IKEv2), for decryption. */
    size_t sk_off, sk_len;
    uint8_t sk_first;
    bool have_sk;
    /* What only a decrypted message shows. */
    bool decrypted;
    bool has_auth;      /* IKEv2 AUTH */
    bool has_ts;        /* IKEv2 TSi and TSr */
    uint8_t eap_code;   /* IKEv2 EAP payload's code, 0 none */
    uint8_t xauth;      /* IKEv1 XAUTH_STATUS: 0 none, 1 FAIL, 2 OK */
    uint16_t v1_encr, v1_key_bits; /* IKEv1 phase-1 SA: the first transform's cipher */
    const char *dec_fail; /* decryption was tried and failed: why */
    const char *key_where; /* the key-table row that decrypted it */
    bool has_cert;         /* CERT or CERTREQ payloads (in clear) */
} ike_msg;

static void msg_clear(ike_msg *m)
{
    if (m->text)
        g_string_free(m->text, TRUE);
    g_free(m->props);
    memset(m, 0, sizeof *m);
}

/* Retransmissions are the same bytes (RFC 7296 2.1, RFC 2408 5): the last
 * few messages of each direction are kept decoded, so a flood of copies
 * (interleaved, like the fragments of one message) is matched by its hash
 * and not decoded again. Proposals are not kept (they were recorded the
 * first time). */
struct ike_msg_cache {
    /* What the tracker reads of a message besides proposals, NAT-D and
     * vendor IDs (recorded from the first copy). */
    uint8_t version;
    pd_ike_header hdr;
    pd_ike_status status;
    const char *detail;
    bool encrypted, has_sa, has_ke, has_nonce, has_hash, has_id, cookie, frag_supported, skf;
    bool decrypted, has_auth, has_ts;
    uint8_t eap_code, xauth;
    const char *dec_fail, *key_where;
    size_t len;
    uint32_t hash;
    uint16_t ke_group, error, invalid_ke_group, v1_hash, frag_number, frag_total;
    char *text;
};

static void cache_free(struct ike_msg_cache *k)
{
    if (!k)
        return;
    g_free(k->text);
    g_free(k);
}

static bool cache_take(ike_conv *c, int dir, uint8_t version, uint32_t hash, size_t len,
                       ike_msg *out)
{
    for (int i = 0; i < IKE_CACHE_SLOTS; i++) {
        const struct ike_msg_cache *k = c->cache[dir][i];
        if (!k || k->version != version || k->hash != hash || k->len != len)
            continue;
        memset(out, 0, sizeof *out);
        out->version = k->version;
        out->hdr = k->hdr;
        out->status = k->status;
        out->detail = k->detail;
        out->encrypted = k->encrypted;
        out->has_sa = k->has_sa;
        out->has_ke = k->has_ke;
        out->has_nonce = k->has_nonce;
        out->has_hash = k->has_hash;
        out->has_id = k->has_id;
        out->cookie = k->cookie;
        out->frag_supported = k->frag_supported;
        out->skf = k->skf;
        out->len = k->len;
        out->hash = k->hash;
        out->ke_group = k->ke_group;
        out->error = k->error;
        out->invalid_ke_group = k->invalid_ke_group;
        out->v1_hash = k->v1_hash;
        out->frag_number = k->frag_number;
        out->frag_total = k->frag_total;
        out->decrypted = k->decrypted;
        out->has_auth = k->has_auth;
        out->has_ts = k->has_ts;
        out->eap_code = k->eap_code;
        out->xauth = k->xauth;
        out->dec_fail = k->dec_fail;
        out->key_where = k->key_where;
        out->text = g_string_new(k->text);
        return true;
    }
    return false;
}

static void cache_put(ike_conv *c, int dir, const ike_msg *m)
{
    uint8_t slot = c->cache_next[dir];
    c->cache_next[dir] = (uint8_t)((slot + 1) % IKE_CACHE_SLOTS);
    struct ike_msg_cache *k = c->cache[dir][slot];
    if (!k)
        k = c->cache[dir][slot] = g_new0(struct ike_msg_cache, 1);
    g_free(k->text);
    k->version = m->version;
    k->hdr = m->hdr;
    k->status = m->status;
    k->detail = m->detail;
    k->encrypted = m->encrypted;
    k->has_sa = m->has_sa;
    k->has_ke = m->has_ke;
    k->has_nonce = m->has_nonce;
    k->has_hash = m->has_hash;
    k->has_id = m->has_id;
    k->cookie = m->cookie;
    k->frag_supported = m->frag_supported;
    k->skf = m->skf;
    k->len = m->len;
    k->hash = m->hash;
    k->ke_group = m->ke_group;
    k->error = m->error;
    k->invalid_ke_group = m->invalid_ke_group;
    k->v1_hash = m->v1_hash;
    k->frag_number = m->frag_number;
    k->frag_total = m->frag_total;
    k->decrypted = m->decrypted;
    k->has_auth = m->has_auth;
    k->has_ts = m->has_ts;
    k->eap_code = m->eap_code;
    k->xauth = m->xauth;
    k->dec_fail = m->dec_fail;
    k->key_where = m->key_where;
    k->text = g_strdup(m->text ? m->text->str : "");
}

/* Short notify names in the style of a gateway's one-line message
 * summaries; other types print their registry name. */
static const char *notify_short(uint8_t version, uint16_t type)
{
    switch (type) {
    case PD_IKE_N_NO_PROPOSAL_CHOSEN: return "NO_PROP";
    case PD_IKE_N_AUTHENTICATION_FAILED: return "AUTH_FAILED";
    case PD_IKE_N_NAT_DETECTION_SOURCE_IP: return version == 2 ? "NATD_S_IP" : NULL;
    case PD_IKE_N_NAT_DETECTION_DESTINATION_IP: return version == 2 ? "NATD_D_IP" : NULL;
    case PD_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED: return version == 2 ? "FRAG_SUP" : NULL;
    case PD_IKE_N_SIGNATURE_HASH_ALGORITHMS: return version == 2 ? "HASH_ALG" : NULL;
    case PD_IKE_N_MOBIKE_SUPPORTED: return version == 2 ? "MOBIKE_SUP" : NULL;
    case PD_IKE_N_MULTIPLE_AUTH_SUPPORTED: return version == 2 ? "MULT_AUTH" : NULL;
    case PD_IKE_N_INITIAL_CONTACT: return version == 2 ? "INIT_CONTACT" : NULL;
    case PD_IKE_N_V1_INITIAL_CONTACT: return version == 1 ? "INITIAL_CONTACT" : NULL;
    case PD_IKE_N_INVALID_KE_PAYLOAD: return version == 2 ? "INVAL_KE" : NULL;
    case PD_IKE_N_INVALID_SYNTAX: return version == 2 ? "INVAL_SYN" : NULL;
    case PD_IKE_N_TS_UNACCEPTABLE: return version == 2 ? "TS_UNACCEPT" : NULL;
    case PD_IKE_N_INVALID_ID_INFORMATION: return version == 1 ? "INVAL_ID" : NULL;
    case PD_IKE_N_PAYLOAD_MALFORMED: return version == 1 ? "PAYLOAD_MALFORMED" : NULL;
    default: return NULL;
    }
}

static void text_notify(GString *t, uint8_t version, uint16_t type)
{
    const char *n = notify_short(version, type);
    if (!n)
        n = pd_ike_notify_name(version, type);
    if (n)
        g_string_append_printf(t, " N(%s)", n);
    else
        g_string_append_printf(t, " N(%u)", type);
}

static void text_payload(GString *t, uint8_t version, uint8_t type)
{
    const char *n = pd_ike_payload_name(version, type);
    if (n)
        g_string_append_printf(t, " %s", n);
    else
        g_string_append_printf(t, " PL%u", type);
}

/* Error notifies end negotiations; the first one in clear is kept. */
static void msg_notify(ike_msg *m, const pd_ike_notify *n)
{
    text_notify(m->text, m->version, n->type);
    if (pd_ike_notify_is_error(n->type) && !m->error) {
        m->error = n->type;
        if (m->version == 2 && n->type == PD_IKE_N_INVALID_KE_PAYLOAD && n->has_group)
            m->invalid_ke_group = n->group;
    }
    if (m->version == 2) {
        switch (n->type) {
        case PD_IKE_N_COOKIE:
            m->cookie = true;
            break;
        case PD_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED:
            m->frag_supported = true;
            break;
        case PD_IKE_N_NAT_DETECTION_SOURCE_IP:
        case PD_IKE_N_NAT_DETECTION_DESTINATION_IP:
            if (m->n_natd < IKE_MSG_MAX_NATD) {
                ike_natd_entry *d = &m->natd[m->n_natd++];
                d->is_src = n->type == PD_IKE_N_NAT_DETECTION_SOURCE_IP;
                d->len = n->data_len < sizeof d->h ? n->data_len : sizeof d->h;
                if (d->len > sizeof n->data)
                    d->len = sizeof n->data;
                memcpy(d->h, n->data, d->len);
            }
            break;
        default:
            break;
        }
    }
}

static void msg_vendor(ike_msg *m, const pd_ike_vendor *v)
{
    if (v->kind == PD_IKE_VID_FRAGMENTATION)
        m->frag_supported = true;
    if (!v->name) {
        m->vid_unknown++;
        return;
    }
    for (size_t i = 0; i < m->n_vids; i++)
        if (m->vids[i] == v->name)
            return;
    if (m->n_vids < IKE_MAX_VIDS)
        m->vids[m->n_vids++] = v->name;
}

static void msg_props_v1(ike_msg *m, const pd_ikev1_sa *sa)
{
    if (m->props)
        return; /* the first SA payload is the offer */
    /* One normalised proposal per transform, sized to what was decoded
     * (a proposal is large; retransmissions must not churn the heap). */
    size_t n = 0;
    for (size_t i = 0; i < sa->n_proposals && n < IKE_MAX_OFFERS; i++)
        n += sa->proposals[i].n_transforms;
    if (n > IKE_MAX_OFFERS)
        n = IKE_MAX_OFFERS;
    if (n == 0)
        return;
    m->props = g_new0(pd_ike_proposal, n);
    m->n_props = pd_ikev1_sa_proposals(sa, m->props, n);
    if (sa->n_proposals && sa->proposals[0].n_transforms) {
        const pd_ikev1_transform *t = &sa->proposals[0].transforms[0];
        m->v1_hash = t->hash;
        m->v1_encr = t->encr;
        m->v1_key_bits = t->key_length;
    }
}

static void msg_from_v1(ike_msg *m, const pd_ikev1_message *v)
{
    m->hdr = v->hdr;
    m->status = v->status;
    m->detail = v->detail;
    m->encrypted = v->encrypted;
    if (v->encrypted) {
        g_string_append(m->text, " encrypted");
        return;
    }
    for (size_t i = 0; i < v->n_payloads; i++) {
        const pd_ikev1_payload *pl = &v->payloads[i];
        if (pl->type == PD_IKEV1_PL_NOTIFY && pl->complete && !pl->malformed) {
            msg_notify(m, &pl->u.notify);
            continue;
        }
        text_payload(m->text, 1, pl->type);
        if (!pl->complete || pl->malformed)
            continue;
        switch (pl->type) {
        case PD_IKEV1_PL_SA:
            m->has_sa = true;
            msg_props_v1(m, &pl->u.sa);
            break;
        case PD_IKEV1_PL_KE:
            m->has_ke = true;
            break;
        case PD_IKEV1_PL_NONCE:
            m->has_nonce = true;
            break;
        case PD_IKEV1_PL_HASH:
            m->has_hash = true;
            break;
        case PD_IKEV1_PL_ID:
            m->has_id = true;
            break;
        case PD_IKEV1_PL_VID:
            msg_vendor(m, &pl->u.vid);
            break;
        case PD_IKEV1_PL_CERT:
        case PD_IKEV1_PL_CR:
            m->has_cert = true;
            break;
        case PD_IKEV1_PL_ATTR:
            if (pl->u.attr.has_xauth_status)
                m->xauth = pl->u.attr.xauth_status == 0 ? 1 : 2;
            break;
        case PD_IKEV1_PL_NAT_D:
        case PD_IKEV1_PL_NAT_D_DRAFT:
            /* RFC 3947 3.2: the first NAT-D hashes the destination, the
             * others the sender's own address(es). */
            if (m->n_natd < IKE_MSG_MAX_NATD) {
                ike_natd_entry *d = &m->natd[m->n_natd];
                d->is_src = m->n_natd > 0;
                d->len = pl->u.natd.len < sizeof d->h ? pl->u.natd.len : sizeof d->h;
                memcpy(d->h, pl->u.natd.hash, d->len);
                m->n_natd++;
            }
            break;
        default:
            break;
        }
    }
}

static void msg_from_v2(ike_msg *m, const pd_ikev2_message *v)
{
    m->hdr = v->hdr;
    m->status = v->status;
    m->detail = v->detail;
    m->encrypted = v->encrypted;
    m->skf = v->fragment;
    m->frag_number = v->frag_number;
    m->frag_total = v->frag_total;
    for (size_t i = 0; i < v->n_payloads; i++) {
        const pd_ikev2_payload *pl = &v->payloads[i];
        if (pl->type == PD_IKEV2_PL_NOTIFY && pl->complete && !pl->malformed) {
            msg_notify(m, &pl->u.notify);
            continue;
        }
        if ((pl->type == PD_IKEV2_PL_SK || pl->type == PD_IKEV2_PL_SKF) && pl->complete &&
            !m->have_sk) {
            m->have_sk = true;
            m->sk_off = pl->offset;
            m->sk_len = pl->length;
            m->sk_first = pl->u.sk.first_payload;
        }
        if (pl->type == PD_IKEV2_PL_SKF) {
            /* One ladder line per message, not per fragment (RFC 7383). */
            if (v->frag_total)
                g_string_append_printf(m->text, " SKF(%u fragments)", v->frag_total);
            else
                g_string_append(m->text, " SKF");
            continue;
        }
        if (pl->type == PD_IKEV2_PL_KE && pl->complete && !pl->malformed) {
            /* The group tells an INVALID_KE retry from a retransmission. */
            char g[32];
            g_string_append_printf(m->text, " KE(%s)",
                                   pd_ike_value_str(pd_ike_dh_name(pl->u.ke.group), "DH",
                                                    pl->u.ke.group, g, sizeof g));
        } else {
            text_payload(m->text, 2, pl->type);
        }
        if (!pl->complete || pl->malformed)
            continue;
        switch (pl->type) {
        case PD_IKEV2_PL_SA:
            m->has_sa = true;
            if (!m->props && pl->u.sa.n_proposals) {
                size_t n = MIN(pl->u.sa.n_proposals, (size_t)IKE_MAX_OFFERS);
                m->props = g_new0(pd_ike_proposal, n);
                m->n_props = pd_ikev2_sa_proposals(&pl->u.sa, m->props, n);
            }
            break;
        case PD_IKEV2_PL_KE:
            m->has_ke = true;
            m->ke_group = pl->u.ke.group;
            break;
        case PD_IKEV2_PL_NONCE:
            m->has_nonce = true;
            break;
        case PD_IKEV2_PL_VID:
            msg_vendor(m, &pl->u.vid);
            break;
        case PD_IKEV2_PL_AUTH:
            m->has_auth = true;
            break;
        case PD_IKEV2_PL_CERT:
        case PD_IKEV2_PL_CERTREQ:
            m->has_cert = true;
            break;
        case PD_IKEV2_PL_TSI:
        case PD_IKEV2_PL_TSR:
            m->has_ts = true;
            break;
        case PD_IKEV2_PL_EAP:
            if (!m->eap_code)
                m->eap_code = pl->u.eap.code;
            break;
        default:
            break;
        }
    }
}

/* FNV-1a over the message as captured: a retransmission is the same bytes. */
static uint32_t msg_hash(const uint8_t *data, size_t len)
{
    pd_cursor c = pd_cursor_make(data, len);
    uint32_t h = 2166136261u;
    uint8_t b;
    while (pd_cursor_u8(&c, &b))
        h = (h ^ b) * 16777619u;
    return h;
}

/* ---- the ladder ---- */

static const char *exch_name(uint8_t version, uint8_t exch, char *buf, size_t len)
{
    const char *n = pd_ike_exchange_name(version, exch);
    return pd_ike_value_str(n, "EXCHANGE", exch, buf, len);
}

static void spi_hex(const uint8_t spi[8], char out[17])
{
    for (int i = 0; i < 8; i++)
        g_snprintf(out + 2 * i, 3, "%02x", spi[i]);
}

static char *props_text(const pd_ike_proposal *p, size_t n)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        if (i)
            g_string_append(s, ", ");
        if (p[i].version == 1)
            g_string_append_printf(s, "#%u.%u ", p[i].number, p[i].transform_number);
        else
            g_string_append_printf(s, "#%u ", p[i].number);
        pd_ike_proposal_format(&p[i], s);
    }
    return g_string_free(s, FALSE);
}

static pd_ladder_entry *ladder_line(pd_engine *e, ike_conv *c, int dir, const pd_packet *p,
                                    const char *head, const ike_msg *m)
{
    char *text = g_strdup_printf("%s [%s ]%s", head, m->text->len ? m->text->str : "",
                                 m->decrypted ? " (decrypted)" : "");
    pd_ladder_entry *l = NULL;
    bool add = true;
    if (m->repeat) {
        /* A copy gets a line only when it folds into its side's last line:
         * copies of several messages interleaved (a hostile capture, or a
         * flood) would otherwise fill the ladder with one line each. The
         * exchange records count every copy. */
        const pd_session *s = c->session;
        add = false;
        for (size_t i = s->n_ladder; i > 0; i--) {
            if (s->ladder[i - 1].dir == (pd_dir)dir) {
                add = strcmp(s->ladder[i - 1].text, text) == 0;
                break;
            }
        }
    }
    if (add)
        l = pd_session_ladder(e, c->session, dir, p->frame, p->ts_ns, "%s", text);
    g_free(text);
    return l;
}

static void ladder_attrs(pd_ladder_entry *l, const ike_conv *c, const ike_msg *m,
                         const pd_udp_header *udp, bool response)
{
    if (!pd_ladder_is_new(l))
        return;
    char buf[40];
    pd_ladder_attr_code(l, "exchange", exch_name(m->version, m->hdr.exchange, buf, sizeof buf),
                        m->hdr.exchange);
    pd_ladder_attr_num(l, "message_id", m->hdr.message_id);
    pd_ladder_attr_num(l, "length", (int64_t)m->len);
    g_snprintf(buf, sizeof buf, "%u -> %u", udp->sport, udp->dport);
    pd_ladder_attr_str(l, "udp_ports", buf);
    char hex[17];
    spi_hex(m->hdr.spi_i, hex);
    pd_ladder_attr_str(l, "spi_i", hex);
    spi_hex(m->hdr.spi_r, hex);
    pd_ladder_attr_str(l, "spi_r", hex);
    if (m->n_props) {
        char *t = props_text(m->props, m->n_props);
        pd_ladder_attr_str(l, response ? "proposal_chosen" : "proposals_offered", t);
        g_free(t);
    }
    if (m->ke_group)
        pd_ladder_attr_code(l, "ke_group", pd_ike_dh_name(m->ke_group), m->ke_group);
    if (m->error)
        pd_ladder_attr_code(l, "notify", pd_ike_notify_name(m->version, m->error), m->error);
    if (m->invalid_ke_group)
        pd_ladder_attr_code(l, "group_wanted", pd_ike_dh_name(m->invalid_ke_group),
                            m->invalid_ke_group);
    if (m->skf)
        pd_ladder_attr_num(l, "fragments", m->frag_total);
    if (m->status != PD_IKE_OK)
        pd_ladder_attr_str(l, "decode", m->detail ? m->detail : pd_ike_status_name(m->status));
    if (m->decrypted)
        pd_ladder_attr_str(l, "decrypted_with", m->key_where ? m->key_where : "key table");
    else if (m->dec_fail)
        pd_ladder_attr_str(l, "decryption", m->dec_fail);
    if (m->xauth)
        pd_ladder_attr_str(l, "xauth_status", m->xauth == 1 ? "FAIL" : "OK");
    if (m->eap_code)
        pd_ladder_attr_code(l, "eap_code", pd_ike_eap_code_name(m->eap_code), m->eap_code);
    (void)c;
}

/* ---- NAT-D (RFC 3947 3.2, RFC 7296 2.23) ---- */

static pd_ike_natd_hash natd_hash_for(const ike_conv *c, const ike_natd_entry *d)
{
    if (c->version == 2)
        return PD_IKE_NATD_SHA1;
    if (c->v1_hash && pd_ike_natd_hash_len((pd_ike_natd_hash)c->v1_hash) == d->len)
        return (pd_ike_natd_hash)c->v1_hash;
    /* The digest length names the hash when the SA choice was not seen. */
    static const pd_ike_natd_hash all[] = { PD_IKE_NATD_MD5, PD_IKE_NATD_SHA1,
                                            PD_IKE_NATD_SHA2_256, PD_IKE_NATD_SHA2_384,
                                            PD_IKE_NATD_SHA2_512 };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        if (pd_ike_natd_hash_len(all[i]) == d->len)
            return all[i];
    return 0;
}

static void check_natd(ike_conv *c, int dir, const pd_packet *p, const pd_udp_header *udp,
                       const ike_msg *m)
{
    if (m->n_natd == 0)
        return;
    bool have_src = false, src_ok = false, have_dst = false, dst_ok = false;
    for (size_t i = 0; i < m->n_natd; i++) {
        const ike_natd_entry *d = &m->natd[i];
        pd_ike_natd_hash h = natd_hash_for(c, d);
        if (!h)
            continue;
        const pd_addr *a = d->is_src ? &p->ip->src : &p->ip->dst;
        uint16_t port = d->is_src ? udp->sport : udp->dport;
        bool ok = pd_ike_natd_matches(h, m->hdr.spi_i, m->hdr.spi_r, a, port, d->h, d->len);
        if (d->is_src) {
            have_src = true;
            src_ok = src_ok || ok;
        } else {
            have_dst = true;
            dst_ok = dst_ok || ok;
        }
    }
    if (!have_src && !have_dst)
        return;
    if (!c->natd_seen[dir]) {
        c->natd_seen[dir] = true;
        c->natd_frame[dir] = p->frame;
        c->natd_ts[dir] = p->ts_ns;
    }
    const char *sender = dir == IKE_C2S ? "client" : "server";
    const char *receiver = dir == IKE_C2S ? "server" : "client";
    char sa[48], da[48];
    pd_addr_str(&p->ip->src, sa, sizeof sa);
    pd_addr_str(&p->ip->dst, da, sizeof da);
    if (have_src && !src_ok && !c->natd_src_bad[dir]) {
        c->natd_src_bad[dir] = true;
        /* Sent from the capturing host itself (initial TTL): no NAT can sit
         * between it and this capture, so its own hash is made up on purpose
         * to force UDP encapsulation. */
        c->natd_src_faked[dir] = pd_ttl_is_initial(p->ip->ttl);
        if (!c->natd_bad_frame[dir]) {
            c->natd_bad_frame[dir] = p->frame;
            c->natd_bad_ts[dir] = p->ts_ns;
        }
        g_free(c->natd_note[dir]);
        c->natd_note[dir] = g_strdup_printf(
            "the %s's NAT-D source hash does not match %s:%u, its address as seen here", sender,
            sa, udp->sport);
    }
    if (have_dst && !dst_ok && !c->natd_dst_bad[dir]) {
        c->natd_dst_bad[dir] = true;
        if (!c->natd_bad_frame[dir]) {
            c->natd_bad_frame[dir] = p->frame;
            c->natd_bad_ts[dir] = p->ts_ns;
        }
        if (!c->natd_note[dir])
            c->natd_note[dir] = g_strdup_printf(
                "the %s's NAT-D destination hash does not match %s:%u: the %s's address as seen "
                "here is not the one the %s sent to",
                sender, da, udp->dport, receiver, sender);
    }
}

/* ---- finding the session of a message ---- */

static bool spi_zero(const uint8_t spi[8])
{
    static const uint8_t zero[8];
    return memcmp(spi, zero, 8) == 0;
}

static bool find_sa(ike_pair *pair, const ike_msg *m, ike_conv **conv, ike_sa_ref **sa)
{
    for (guint i = pair->convs->len; i > 0; i--) {
        ike_conv *c = g_ptr_array_index(pair->convs, i - 1);
        if (c->version != m->version)
            continue;
        for (size_t k = c->n_sas; k > 0; k--) {
            ike_sa_ref *r = &c->sas[k - 1];
            if (memcmp(r->spi_i, m->hdr.spi_i, 8) != 0)
                continue;
            if (r->have_spi_r && !spi_zero(m->hdr.spi_r) && memcmp(r->spi_r, m->hdr.spi_r, 8) != 0)
                continue;
            if (!r->have_spi_r && !spi_zero(m->hdr.spi_r)) {
                memcpy(r->spi_r, m->hdr.spi_r, 8);
                r->have_spi_r = true;
            }
            *conv = c;
            *sa = r;
            return true;
        }
    }
    return false;
}

static bool msg_is_initial(const ike_msg *m)
{
    if (!spi_zero(m->hdr.spi_r) || m->hdr.message_id != 0)
        return false;
    if (m->version == 2)
        return m->hdr.exchange == PD_IKEV2_EXCH_IKE_SA_INIT &&
               !(m->hdr.flags & PD_IKEV2_FLAG_RESPONSE);
    return (m->hdr.exchange == PD_IKEV1_EXCH_MAIN || m->hdr.exchange == PD_IKEV1_EXCH_AGGRESSIVE) &&
           !m->encrypted && m->has_sa;
}

static bool conv_established(const ike_conv *c)
{
    const pd_session *s = c->session;
    return pd_session_reached(s, "ike-auth-done") || pd_session_reached(s, "phase1-done") ||
           pd_session_reached(s, "child-sa-done") || pd_session_reached(s, "quick-mode-done");
}

/* A new initial message: the retry of an attempt in progress, or a new session. */
static ike_conv *conv_for_initial(pd_engine *e, ike_pair *pair, const pd_packet *p,
                                  const pd_udp_header *udp, const ike_msg *m)
{
    for (guint i = pair->convs->len; i > 0; i--) {
        ike_conv *c = g_ptr_array_index(pair->convs, i - 1);
        if (c->version == 0)
            continue;
        if (c->version != m->version || !pd_addr_equal(&p->ip->src, &c->client) ||
            udp->sport != c->client_port)
            break;
        bool retry = c->retry_pending && pd_seconds(c->retry_ts, p->ts_ns) <= IKE_RETRY_SECONDS;
        bool unanswered = c->messages[IKE_S2C] == 0 &&
                          pd_seconds(c->last_ts, p->ts_ns) <= IKE_RETRY_SECONDS;
        if (retry || unanswered) {
            c->retries_new_spi++;
            c->retry_pending = false;
            return c;
        }
        break;
    }
    return pd_ike_conv_new(e, pair, m->version, &p->ip->src, udp->sport, &p->ip->dst, udp->dport,
                           p->frame, p->ts_ns);
}

static void locate(pd_engine *e, ike_pair *pair, const pd_packet *p, const pd_udp_header *udp,
                   const ike_msg *m, ike_conv **conv, ike_sa_ref **sa)
{
    if (find_sa(pair, m, conv, sa))
        return;
    ike_conv *c;
    int init_dir;
    if (msg_is_initial(m)) {
        c = conv_for_initial(e, pair, p, udp, m);
        init_dir = pd_ike_conv_dir(c, &p->ip->src, udp->sport);
    } else {
        /* Mid-way: an IKE SA rekeyed from an established session between
         * these hosts (its new SPIs were negotiated encrypted), or a
         * capture that began after the negotiation. */
        bool from_init = m->version == 2 ? (m->hdr.flags & PD_IKEV2_FLAG_INITIATOR) != 0 : true;
        c = pd_ike_pair_newest_ike(pair);
        if (c && (c->version != m->version || !conv_established(c)))
            c = NULL;
        if (!c) {
            if (from_init)
                c = pd_ike_conv_new(e, pair, m->version, &p->ip->src, udp->sport, &p->ip->dst,
                                    udp->dport, p->frame, p->ts_ns);
            else
                c = pd_ike_conv_new(e, pair, m->version, &p->ip->dst, udp->dport, &p->ip->src,
                                    udp->sport, p->frame, p->ts_ns);
        }
        int dir = pd_ike_conv_dir(c, &p->ip->src, udp->sport);
        init_dir = from_init ? dir : !dir;
    }
    *conv = c;
    *sa = sa_add(c, m->hdr.spi_i, m->hdr.spi_r, init_dir, p->frame, p->ts_ns);
}

/* ---- IKEv2 ---- */

static ike_xchg *find_xchg_v2(ike_conv *c, const ike_msg *m, int req_dir)
{
    for (size_t i = c->n_xchg; i > 0; i--) {
        ike_xchg *x = &c->xchg[i - 1];
        if (x->msg_id == m->hdr.message_id && x->from == req_dir &&
            x->exch == m->hdr.exchange && memcmp(x->spi_i, m->hdr.spi_i, 8) == 0)
            return x;
    }
    return NULL;
}

static void request_fields(ike_xchg *x, const pd_packet *p, bool natt, const ike_msg *m)
{
    x->sent = 1;
    x->req_frame = p->reassembled ? p->reassembled->first_frame : p->frame;
    x->req_last_frame = p->frame;
    x->req_ts = p->reassembled ? p->reassembled->first_ts_ns : p->ts_ns;
    x->req_last_ts = p->ts_ns;
    x->req_hash = m->hash;
    x->req_len = m->len;
    x->req_encrypted = m->encrypted;
    x->natt = natt;
    x->req_ke_group = m->ke_group;
    if (p->reassembled) {
        x->req_ip_fragmented = 1;
        x->req_frag_frame = p->reassembled->first_frame;
        x->req_frag_ts = p->reassembled->first_ts_ns;
    }
}

static void request_again(ike_conv *c, ike_xchg *x, int dir, const pd_packet *p)
{
    x->sent++;
    x->req_last_frame = p->frame;
    x->req_last_ts = p->ts_ns;
    if (x->answered)
        x->sent_after_answer++;
    if (p->reassembled && !x->req_ip_fragmented++) {
        x->req_frag_frame = p->reassembled->first_frame;
        x->req_frag_ts = p->reassembled->first_ts_ns;
    }
    c->retransmissions[dir]++;
}

static void response_fields(ike_xchg *x, const pd_packet *p, const ike_msg *m)
{
    x->resp_frame = p->reassembled ? p->reassembled->first_frame : p->frame;
    x->resp_last_frame = p->frame;
    x->resp_ts = p->reassembled ? p->reassembled->first_ts_ns : p->ts_ns;
    x->resp_last_ts = p->ts_ns;
    x->resp_hash = m->hash;
    x->resp_len = m->len;
    x->resp_encrypted = m->encrypted;
    x->resp_error = m->error;
    x->resp_ke_group = m->invalid_ke_group;
    x->resp_has_sa = m->has_sa;
    x->resp_cookie = m->cookie;
    if (p->reassembled) {
        x->resp_ip_fragmented = 1;
        x->resp_frag_frame = p->reassembled->first_frame;
    }
}

static void keep_offers(ike_conv *c, const ike_msg *m, int dir, const pd_packet *p)
{
    if (c->offers || m->n_props == 0)
        return;
    c->offers = g_memdup2(m->props, sizeof(pd_ike_proposal) * m->n_props);
    c->n_offers = m->n_props;
    c->offers_frame = p->frame;
    c->offers_ts = p->ts_ns;
    c->offers_from = dir;
}

static void keep_chosen(ike_conv *c, const ike_msg *m, const pd_packet *p)
{
    if (c->chosen || m->n_props == 0)
        return;
    c->chosen = g_memdup2(&m->props[0], sizeof *c->chosen);
    c->chosen_frame = p->frame;
    c->chosen_ts = p->ts_ns;
}

/* A decrypted IKE_AUTH response authenticated the responder: the stages
 * follow unless the initiator's next message refuses it. */
static void auth_ok_flush(ike_conv *c)
{
    if (!c->auth_ok_pending)
        return;
    c->auth_ok_pending = false;
    pd_session_reach(c->session, "ike-auth-done", c->auth_ok_frame, c->auth_ok_ts);
    if (c->auth_ok_child)
        pd_session_reach(c->session, "child-sa-done", c->auth_ok_frame, c->auth_ok_ts);
}

void pd_ike_conv_auth_confirm(ike_conv *c)
{
    auth_ok_flush(c);
}

/* What a decrypted IKEv2 message adds to its exchange (SK: the message
 * itself; SKF: the message reassembled at its last fragment). */
static void v2_decrypted(ike_conv *c, ike_xchg *x, bool resp, const ike_msg *m, uint64_t frame,
                         int64_t ts)
{
    uint8_t ex = m->hdr.exchange;
    if (!m->decrypted || !x)
        return;
    if (!resp) {
        x->req_decrypted = true;
        if (m->error && !x->req_error)
            x->req_error = m->error;
        if (m->error == PD_IKE_N_AUTHENTICATION_FAILED)
            c->auth_ok_pending = false; /* RFC 7296 2.21.2: the initiator refuses */
        else if (ex != PD_IKEV2_EXCH_IKE_AUTH)
            auth_ok_flush(c);
        return;
    }
    x->resp_decrypted = true;
    if (m->error && !x->resp_error)
        x->resp_error = m->error;
    x->resp_has_auth = m->has_auth;
    x->resp_has_child = m->has_sa && m->has_ts && !m->error;
    x->resp_eap_code = m->eap_code;
    if (ex == PD_IKEV2_EXCH_IKE_AUTH && m->has_auth && !m->eap_code &&
        m->error != PD_IKE_N_AUTHENTICATION_FAILED) {
        c->auth_ok_pending = true;
        c->auth_ok_child = x->resp_has_child;
        c->auth_ok_frame = frame;
        c->auth_ok_ts = ts;
    } else if (ex == PD_IKEV2_EXCH_CREATE_CHILD_SA && x->resp_has_child) {
        auth_ok_flush(c);
        pd_session_reach(c->session, "child-sa-done", frame, ts);
    }
}

static pd_ladder_entry *v2_message(pd_engine *e, ike_conv *c, int dir, const pd_packet *p,
                                   const pd_udp_header *udp, bool natt, const ike_msg *m)
{
    pd_session *s = c->session;
    bool resp = (m->hdr.flags & PD_IKEV2_FLAG_RESPONSE) != 0;
    int req_dir = resp ? !dir : dir;
    uint8_t ex = m->hdr.exchange;
    ike_xchg *x = find_xchg_v2(c, m, req_dir);
    bool line = true; /* one ladder line per message copy (SKF: its first fragment) */
    uint64_t skf_bit = m->skf && m->frag_number >= 1 && m->frag_number <= 64
                           ? UINT64_C(1) << (m->frag_number - 1)
                           : 0;

    if (!resp) {
        if (x && x->sent == 0) {
            request_fields(x, p, natt, m); /* the response came first (reordered capture) */
        } else if (x && m->skf) {
            bool seen = skf_bit && (x->req_skf_mask & skf_bit);
            /* A set of fragments sent again: counted once, at its first fragment. */
            if (seen && skf_bit == (x->req_skf_mask & -x->req_skf_mask))
                request_again(c, x, dir, p);
            else
                line = false;
            x->req_skf_mask |= skf_bit;
            if (m->len > x->req_len)
                x->req_len = m->len;
        } else if (x && x->req_hash == m->hash && x->req_len == m->len) {
            request_again(c, x, dir, p);
        } else {
            x = NULL; /* the message ID reused with new content: a COOKIE retry */
        }
        if (!x) {
            x = xchg_new(c);
            x->exch = ex;
            x->msg_id = m->hdr.message_id;
            memcpy(x->spi_i, m->hdr.spi_i, 8);
            x->from = req_dir;
            x->expects_reply = true;
            x->initial = ex == PD_IKEV2_EXCH_IKE_SA_INIT && m->hdr.message_id == 0;
            request_fields(x, p, natt, m);
            x->req_skf_mask = skf_bit;
            x->req_skf_total = m->skf ? m->frag_total : 0;
        }
        if (ex == PD_IKEV2_EXCH_IKE_SA_INIT)
            keep_offers(c, m, dir, p);
    } else {
        if (!x) {
            x = xchg_new(c);
            x->exch = ex;
            x->msg_id = m->hdr.message_id;
            memcpy(x->spi_i, m->hdr.spi_i, 8);
            x->from = req_dir;
            x->expects_reply = true;
            x->initial = ex == PD_IKEV2_EXCH_IKE_SA_INIT && m->hdr.message_id == 0;
        }
        if (x->answered == 0) {
            response_fields(x, p, m);
            x->answered = 1;
        } else if (m->skf) {
            if (m->frag_number == 1)
                x->answered++;
            else
                line = false;
        } else {
            x->answered++;
            c->retransmissions[dir]++;
        }
        if (ex == PD_IKEV2_EXCH_IKE_SA_INIT) {
            if (m->has_sa) {
                keep_chosen(c, m, p);
                c->retry_pending = false;
                pd_session_reach(s, "ike-sa-init-done", p->frame, p->ts_ns);
            } else if (m->error == PD_IKE_N_INVALID_KE_PAYLOAD) {
                c->retry_pending = true;
                c->retry_ts = p->ts_ns;
            }
        } else if (ex == PD_IKEV2_EXCH_IKE_AUTH && !m->decrypted && !x->resp_decrypted) {
            /* Without keys: a long response is the shape of success. */
            if (!m->error && m->len > IKE_SHORT_AUTH_RESPONSE && !m->skf)
                pd_session_reach(s, "ike-auth-done", p->frame, p->ts_ns);
            else if (m->skf && m->frag_total > 1 && !c->dec)
                pd_session_reach(s, "ike-auth-done", p->frame, p->ts_ns);
        }
    }
    v2_decrypted(c, x, resp, m, p->frame, p->ts_ns);
    /* Anything after IKE_AUTH under the same SA means IKE_AUTH succeeded
     * (read from the decrypted contents when there are keys). */
    if ((ex == PD_IKEV2_EXCH_CREATE_CHILD_SA || ex == PD_IKEV2_EXCH_INFORMATIONAL) &&
        !m->decrypted) {
        for (size_t i = 0; i < c->n_xchg; i++) {
            ike_xchg *a = &c->xchg[i];
            if (a->exch == PD_IKEV2_EXCH_IKE_AUTH && a->answered &&
                memcmp(a->spi_i, m->hdr.spi_i, 8) == 0) {
                pd_session_reach(s, "ike-auth-done", a->resp_frame, a->resp_ts);
                break;
            }
        }
    }
    if (m->skf)
        c->skf_messages[dir]++;
    if (!line)
        return NULL;

    char head[96], nbuf[40];
    g_snprintf(head, sizeof head, "%s %s %u", exch_name(2, ex, nbuf, sizeof nbuf),
               resp ? "response" : "request", m->hdr.message_id);
    pd_ladder_entry *l = ladder_line(e, c, dir, p, head, m);
    ladder_attrs(l, c, m, udp, resp);
    if (l && !resp && !x->have_ladder) {
        x->ladder_idx = (size_t)(l - s->ladder);
        x->have_ladder = true;
    }
    return l;
}

/* ---- IKEv1 ---- */

static ike_xchg *find_step(ike_conv *c, const uint8_t spi_i[8], uint8_t ex, uint8_t step, int from)
{
    for (size_t i = c->n_xchg; i > 0; i--) {
        ike_xchg *x = &c->xchg[i - 1];
        if (x->exch == ex && x->msg_id == 0 && x->v1_step == step && x->from == from &&
            memcmp(x->spi_i, spi_i, 8) == 0)
            return x;
    }
    return NULL;
}

static ike_xchg *find_msgid(ike_conv *c, const uint8_t spi_i[8], uint8_t ex, uint32_t msg_id)
{
    for (size_t i = c->n_xchg; i > 0; i--) {
        ike_xchg *x = &c->xchg[i - 1];
        if (x->exch == ex && x->msg_id == msg_id && memcmp(x->spi_i, spi_i, 8) == 0)
            return x;
    }
    return NULL;
}

static ike_xchg *new_v1_request(ike_conv *c, const ike_msg *m, int dir, const pd_packet *p,
                                bool natt, uint8_t step, bool expects_reply)
{
    ike_xchg *x = xchg_new(c);
    x->exch = m->hdr.exchange;
    x->msg_id = m->hdr.message_id;
    memcpy(x->spi_i, m->hdr.spi_i, 8);
    x->from = dir;
    x->v1_step = step;
    x->expects_reply = expects_reply;
    request_fields(x, p, natt, m);
    return x;
}

/* Main (identity protection) and aggressive mode: six or three messages
 * with message ID 0, told apart by order and content (RFC 2409 5). */
static ike_xchg *v1_phase1(ike_conv *c, ike_sa_ref *sa, int dir, const pd_packet *p, bool natt,
                           const ike_msg *m, uint8_t *step_out)
{
    pd_session *s = c->session;
    uint8_t ex = m->hdr.exchange;
    bool main = ex == PD_IKEV1_EXCH_MAIN;
    bool from_init = dir == sa->init_dir;
    uint8_t step;
    if (!c->v1_mode)
        c->v1_mode = ex;
    if (from_init) {
        if (main)
            step = m->encrypted ? 5 : m->has_sa ? 1 : (m->has_ke || m->has_nonce) ? 3 : 5;
        else
            step = m->has_sa ? 1 : 3;
    } else {
        if (main)
            step = m->encrypted ? 6 : m->has_sa ? 2 : (m->has_ke || m->has_nonce) ? 4 : 6;
        else
            step = 2;
    }
    *step_out = step;
    ike_xchg *x;
    if (from_init) {
        x = find_step(c, m->hdr.spi_i, ex, step, dir);
        if (x) {
            request_again(c, x, dir, p);
        } else {
            x = new_v1_request(c, m, dir, p, natt, step, main || step == 1);
            x->initial = step == 1;
            if (step == 1)
                keep_offers(c, m, dir, p);
        }
        if (!main && step == 3)
            pd_session_reach(s, "phase1-done", p->frame, p->ts_ns);
        return x;
    }
    x = find_step(c, m->hdr.spi_i, ex, (uint8_t)(step - 1), !dir);
    if (!x) {
        x = xchg_new(c);
        x->exch = ex;
        memcpy(x->spi_i, m->hdr.spi_i, 8);
        x->from = !dir;
        x->v1_step = (uint8_t)(step - 1);
        x->expects_reply = true;
        x->initial = step == 2;
    }
    if (x->answered++ == 0)
        response_fields(x, p, m);
    else
        c->retransmissions[dir]++;
    if (m->decrypted)
        x->resp_decrypted = true;
    if (step == 2 && m->has_sa) {
        keep_chosen(c, m, p);
        if (m->v1_hash)
            c->v1_hash = m->v1_hash;
        if (e_keys_loaded(c) && m->v1_encr)
            pd_ike_dec_v1_sa(c, m->hdr.spi_i, m->v1_encr, m->v1_key_bits, m->v1_hash);
        pd_session_reach(s, main ? "main-mode-sa-agreed" : "aggressive-mode-sa-agreed", p->frame,
                         p->ts_ns);
    } else if (step == 4) {
        pd_session_reach(s, "main-mode-keys-exchanged", p->frame, p->ts_ns);
    } else if (step == 6) {
        pd_session_reach(s, "phase1-done", p->frame, p->ts_ns);
    }
    return x;
}

/* An Informational may be the answer to a request that got no reply:
 * NO_PROPOSAL_CHOSEN to main mode #1, a notify instead of main mode #6. */
static void v1_informational(ike_conv *c, int dir, const pd_packet *p, bool natt,
                             const ike_msg *m)
{
    ike_xchg *info = new_v1_request(c, m, dir, p, natt, 0, false);
    info->resp_error = m->error;
    info->req_decrypted = m->decrypted;
    info->req_error = m->error;
    for (size_t i = c->n_xchg; i > 1; i--) {
        ike_xchg *x = &c->xchg[i - 2];
        if (x->exch == PD_IKEV1_EXCH_INFORMATIONAL || x->from == dir || !x->expects_reply)
            continue;
        if (x->answered || x->info_frame ||
            pd_seconds(x->req_last_ts, p->ts_ns) > IKE_RETRY_SECONDS)
            break;
        x->info_frame = p->frame;
        x->info_ts = p->ts_ns;
        x->info_encrypted = m->encrypted;
        x->info_decrypted = m->decrypted;
        x->info_notify = m->error;
        if (m->error && !x->resp_error)
            x->resp_error = m->error;
        break;
    }
}

/* Quick mode, transaction (mode config, XAUTH) and others: paired by
 * message ID; quick mode #3 is the requester's acknowledgment. */
static ike_xchg *v1_by_msgid(ike_conv *c, int dir, const pd_packet *p, bool natt,
                             const ike_msg *m, uint8_t *step_out)
{
    pd_session *s = c->session;
    ike_xchg *x = find_msgid(c, m->hdr.spi_i, m->hdr.exchange, m->hdr.message_id);
    if (!x) {
        *step_out = 1;
        return new_v1_request(c, m, dir, p, natt, 1, true);
    }
    if (dir == x->from) {
        if (x->sent == 0 || x->answered == 0 || x->req_hash == m->hash) {
            *step_out = 1;
            if (x->sent == 0)
                request_fields(x, p, natt, m);
            else
                request_again(c, x, dir, p);
        } else {
            *step_out = 3;
            if (x->final_frame)
                c->retransmissions[dir]++;
            else
                x->final_frame = p->frame;
        }
        return x;
    }
    *step_out = 2;
    if (x->answered++ == 0)
        response_fields(x, p, m);
    else
        c->retransmissions[dir]++;
    if (m->decrypted)
        x->resp_decrypted = true;
    if (m->hdr.exchange == PD_IKEV1_EXCH_QUICK) {
        /* Quick mode runs under an established phase 1. */
        const pd_stage *st = pd_session_stage(s, "phase1-done");
        if (!st)
            pd_session_reach(s, "phase1-done", x->req_frame, x->req_ts);
        pd_session_reach(s, "quick-mode-done", p->frame, p->ts_ns);
    }
    return x;
}

/* Returns true for a response (the answer of an exchange). */
static bool v1_message(pd_engine *e, ike_conv *c, ike_sa_ref *sa, int dir, const pd_packet *p,
                       const pd_udp_header *udp, bool natt, const ike_msg *m)
{
    pd_session *s = c->session;
    uint8_t ex = m->hdr.exchange;
    char head[96];
    uint8_t step = 0;
    ike_xchg *x = NULL;
    bool request = true;

    if ((ex == PD_IKEV1_EXCH_MAIN || ex == PD_IKEV1_EXCH_AGGRESSIVE) && m->hdr.message_id == 0) {
        x = v1_phase1(c, sa, dir, p, natt, m, &step);
        request = dir == sa->init_dir;
        g_snprintf(head, sizeof head, "%s #%u", ex == PD_IKEV1_EXCH_MAIN ? "Main Mode"
                                                                         : "Aggressive Mode", step);
    } else if (ex == PD_IKEV1_EXCH_INFORMATIONAL) {
        v1_informational(c, dir, p, natt, m);
        g_snprintf(head, sizeof head, "Informational ID 0x%08x", m->hdr.message_id);
    } else {
        x = v1_by_msgid(c, dir, p, natt, m, &step);
        request = step != 2;
        if (ex == PD_IKEV1_EXCH_QUICK) {
            g_snprintf(head, sizeof head, "Quick Mode #%u ID 0x%08x", step, m->hdr.message_id);
        } else {
            char nbuf[40];
            g_snprintf(head, sizeof head, "%s %s ID 0x%08x", exch_name(1, ex, nbuf, sizeof nbuf),
                       step == 2 ? "response" : "request", m->hdr.message_id);
        }
    }
    if (x && request && m->decrypted && step != 3) {
        x->req_decrypted = true;
        if (m->error && !x->req_error)
            x->req_error = m->error;
    }
    pd_ladder_entry *l = ladder_line(e, c, dir, p, head, m);
    ladder_attrs(l, c, m, udp, !request);
    if (l && x && request && step != 3 && !x->have_ladder) {
        x->ladder_idx = (size_t)(l - s->ladder);
        x->have_ladder = true;
    }
    return !request;
}

/* ---- UDP 500 / 4500 ---- */

static void note_vendors(ike_conv *c, int dir, const ike_msg *m)
{
    for (size_t i = 0; i < m->n_vids; i++) {
        bool have = false;
        for (size_t k = 0; k < c->n_vids[dir]; k++)
            have = have || c->vid_names[dir][k] == m->vids[i];
        if (!have && c->n_vids[dir] < IKE_MAX_VIDS)
            c->vid_names[dir][c->n_vids[dir]++] = m->vids[i];
    }
    if (m->vid_unknown && c->messages[dir] == 1)
        c->vid_unknown[dir] += m->vid_unknown;
}

/* ---- decrypted messages (--ike-keys) ---- */

/* The decrypted message's contents replace the encrypted one's: its text,
 * notifies and payload facts; the outer header, length and hash stay (the
 * wire message is what retransmissions repeat). */
static void msg_take_inner(ike_msg *m, ike_msg *in)
{
    if (m->text)
        g_string_free(m->text, TRUE);
    m->text = in->text;
    in->text = NULL;
    g_free(m->props);
    m->props = in->props;
    m->n_props = in->n_props;
    in->props = NULL;
    in->n_props = 0;
    if (m->status == PD_IKE_OK && in->status != PD_IKE_OK) {
        m->status = in->status;
        m->detail = in->detail;
    }
    m->error = in->error;
    m->invalid_ke_group = in->invalid_ke_group;
    m->has_sa = in->has_sa;
    m->has_ke = in->has_ke;
    m->has_nonce = in->has_nonce;
    m->has_hash = in->has_hash;
    m->has_id = in->has_id;
    m->has_auth = in->has_auth;
    m->has_ts = in->has_ts;
    m->ke_group = in->ke_group;
    m->eap_code = in->eap_code;
    m->xauth = in->xauth;
    m->frag_supported = m->frag_supported || in->frag_supported;
    for (size_t i = 0; i < in->n_vids && m->n_vids < IKE_MAX_VIDS; i++)
        m->vids[m->n_vids++] = in->vids[i];
    m->decrypted = true;
    m->key_where = in->key_where;
}

/* Read the message in clear with the ordinary decoders; IKEv2 facts for
 * the detectors are noted here, IKEv1 ones once the exchange step is known. */
static void decode_inner(ike_conv *c, int dir, const ike_msg *m, const ike_dec_out *d,
                         ike_msg *in, const pd_packet *p)
{
    memset(in, 0, sizeof *in);
    in->version = m->version;
    in->text = g_string_new(NULL);
    in->key_where = d->key_where;
    if (m->version == 2) {
        pd_ikev2_message v;
        pd_ikev2_decode(d->msg, d->len, d->len, &v);
        msg_from_v2(in, &v);
        pd_ike_dec_note_v2(c, dir, (m->hdr.flags & PD_IKEV2_FLAG_RESPONSE) != 0, &v, d->msg,
                           d->len, p->frame, p->ts_ns);
        pd_ikev2_message_clear(&v);
    } else {
        pd_ikev1_message v;
        pd_ikev1_decode(d->msg, d->len, d->len, &v);
        msg_from_v1(in, &v);
        pd_ikev1_message_clear(&v);
    }
    in->hdr = m->hdr;
    in->len = m->len;
    in->hash = m->hash;
    in->encrypted = true;
    in->decrypted = true;
}

/* The last SKF fragment completed a message: its exchange learns what it
 * said, and the ladder line of its first fragment shows it. */
static void skf_reassembled(pd_engine *e, ike_conv *c, int dir, const ike_msg *m, ike_msg *in,
                            const ike_dec_out *d, pd_ladder_entry *frag1_line,
                            const pd_packet *p)
{
    bool resp = (m->hdr.flags & PD_IKEV2_FLAG_RESPONSE) != 0;
    ike_xchg *x = find_xchg_v2(c, m, resp ? !dir : dir);
    if (x && resp)
        x->resp_has_sa = x->resp_has_sa || in->has_sa;
    v2_decrypted(c, x, resp, in, x && resp ? x->resp_frame : p->frame,
                 x && resp ? x->resp_ts : p->ts_ns);
    pd_session *s = c->session;
    pd_ladder_entry *l = frag1_line;
    if (d->have_ladder && d->ladder_idx < s->n_ladder)
        l = &s->ladder[d->ladder_idx];
    if (!l)
        return;
    char nbuf[40];
    g_free(l->text);
    l->text = g_strdup_printf("%s %s %u [%s ] (decrypted, %u fragments)",
                              exch_name(2, m->hdr.exchange, nbuf, sizeof nbuf),
                              resp ? "response" : "request", m->hdr.message_id,
                              in->text && in->text->len ? in->text->str : "", d->frag_total);
    if (in->error)
        pd_ladder_attr_code(l, "notify", pd_ike_notify_name(2, in->error), in->error);
    if (in->n_props) {
        char *t = props_text(in->props, in->n_props);
        pd_ladder_attr_str(l, resp ? "proposal_chosen" : "proposals_offered", t);
        g_free(t);
    }
    pd_ladder_attr_str(l, "decrypted_with", d->key_where ? d->key_where : "key table");
    (void)e;
}

static void on_ike_message(pd_engine *e, const pd_packet *p, const pd_udp_header *udp, bool natt,
                           const uint8_t *data, size_t caplen, size_t wire_len)
{
    /* A whole header is needed to match the message to anything. */
    uint8_t major = pd_ike_peek_major(data, caplen);
    if (major != 1 && major != 2) {
        e->ike->not_ike++;
        return;
    }
    ike_msg m;
    memset(&m, 0, sizeof m);
    m.version = major;
    pd_ike_header_decode(data, caplen, wire_len, &m.hdr);
    size_t len = m.hdr.length;
    uint32_t hash = msg_hash(data, caplen < len ? caplen : len);

    ike_pair *pair = pd_ike_pair_get(e, &p->ip->src, &p->ip->dst, true, p->frame, p->ts_ns);
    if (!pair)
        return;
    ike_conv *c = NULL;
    ike_sa_ref *sa = NULL;
    bool cached = false;
    if (find_sa(pair, &m, &c, &sa))
        cached = m.repeat = cache_take(c, pd_ike_conv_dir(c, &p->ip->src, udp->sport), major,
                                       hash, len, &m);
    if (!cached) {
        m.text = g_string_new(NULL);
        if (major == 1) {
            pd_ikev1_message v;
            pd_ikev1_decode(data, caplen, wire_len, &v);
            msg_from_v1(&m, &v);
            pd_ikev1_message_clear(&v);
        } else {
            pd_ikev2_message v;
            pd_ikev2_decode(data, caplen, wire_len, &v);
            msg_from_v2(&m, &v);
            pd_ikev2_message_clear(&v);
        }
        m.len = len;
        m.hash = hash;
        if (!c)
            locate(e, pair, p, udp, &m, &c, &sa);
    }
    int dir = pd_ike_conv_dir(c, &p->ip->src, udp->sport);
    bool from_init = major == 2 ? (m.hdr.flags & PD_IKEV2_FLAG_INITIATOR) != 0
                                : !sa || dir == sa->init_dir;

    /* --ike-keys: an encrypted message is read in clear when its SA's keys
     * are in the tables (a repeat was read with its first copy). */
    ike_dec_out dout;
    ike_msg inner;
    bool have_inner = false;
    memset(&dout, 0, sizeof dout);
    memset(&inner, 0, sizeof inner);
    if (!cached && c->keys_loaded && m.encrypted && (major == 1 || m.have_sk)) {
        ike_dec_in in = { .data = data,
                          .caplen = caplen,
                          .hdr = &m.hdr,
                          .dir = dir,
                          .from_initiator = from_init,
                          .sk_off = m.sk_off,
                          .sk_len = m.sk_len,
                          .skf = m.skf,
                          .first_payload = m.sk_first,
                          .frag_number = m.frag_number,
                          .frag_total = m.frag_total,
                          .ts = p->ts_ns };
        ike_dec_result dr = pd_ike_dec_message(e, c, &in, &dout);
        pd_ike_dec_count(c, dir, dr, &dout, p->frame, p->ts_ns);
        if (dr == IKE_DEC_FAILED)
            m.dec_fail = dout.why_text;
        else if (dr == IKE_DEC_NOKEY)
            m.dec_fail = "no key-table row for this IKE SA";
        if (dr == IKE_DEC_DONE) {
            decode_inner(c, dir, &m, &dout, &inner, p);
            have_inner = true;
            if (!dout.frag_total)
                msg_take_inner(&m, &inner);
        }
    }
    pd_session_packet(e, c->session, dir, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
    c->messages[dir]++;
    c->last_msg_frame[dir] = p->frame;
    c->last_msg_ts[dir] = p->ts_ns;
    c->last_ts = p->ts_ns;
    if (natt) {
        if (c->natt_msgs[0] + c->natt_msgs[1] == 0) {
            c->natt_first_frame = p->frame;
            c->natt_first_ts = p->ts_ns;
        }
        c->natt_msgs[dir]++;
        if (dir == IKE_C2S && !c->natt_client_port)
            c->natt_client_port = udp->sport;
    }
    if (m.status != PD_IKE_OK && m.status != PD_IKE_TRUNCATED) {
        if (c->malformed++ == 0) {
            c->malformed_frame = p->frame;
            c->malformed_what = m.detail ? m.detail : pd_ike_status_name(m.status);
        }
    }
    note_vendors(c, dir, &m);
    if (m.frag_supported)
        c->frag_supported[dir] = true;
    if (m.version == 2) {
        pd_ladder_entry *l = v2_message(e, c, dir, p, udp, natt, &m);
        if (m.skf && m.frag_number == 1 && l && !have_inner)
            pd_ike_dec_skf_line(c, dir, &m.hdr, (size_t)(l - c->session->ladder));
        if (have_inner && dout.frag_total)
            skf_reassembled(e, c, dir, &m, &inner, &dout, m.frag_number == 1 ? l : NULL, p);
    } else {
        bool resp = v1_message(e, c, sa, dir, p, udp, natt, &m);
        if (have_inner) {
            pd_ikev1_message v;
            pd_ikev1_decode(dout.msg, dout.len, dout.len, &v);
            pd_ike_dec_note_v1(c, dir, resp, &v, dout.msg, dout.len, p->frame, p->ts_ns);
            pd_ikev1_message_clear(&v);
        }
        /* The phase-1 KE values are the IV material (RFC 2409 App. B). */
        if (!cached && c->keys_loaded && !m.encrypted && m.has_ke && m.hdr.message_id == 0)
            pd_ike_dec_v1_clear(c, data, caplen, &m.hdr, from_init);
    }
    if (!cached && !m.encrypted && m.has_cert)
        pd_ike_dec_note_certs(c, dir, major, data, caplen);
    check_natd(c, dir, p, udp, &m);
    if (!cached)
        cache_put(c, dir, &m);
    msg_clear(&m);
    msg_clear(&inner);
    ike_dec_out_clear(&dout);
}

static void on_keepalive(pd_engine *e, const pd_packet *p, const pd_udp_header *udp)
{
    ike_pair *pair = pd_ike_pair_get(e, &p->ip->src, &p->ip->dst, false, p->frame, p->ts_ns);
    ike_conv *c = pair ? pd_ike_pair_newest_ike(pair) : NULL;
    if (!c)
        return;
    int dir = pd_ike_conv_dir(c, &p->ip->src, udp->sport);
    pd_session_packet(e, c->session, dir, p->l4_wire_len, p->ip->ttl, p->frame, p->ts_ns);
    /* RFC 3948 4: one-way by design; only the first gets a line. */
    if (c->keepalives[dir]++ == 0)
        pd_session_ladder(e, c->session, dir, p->frame, p->ts_ns, "NAT-keepalive");
}

void pd_ike_on_udp(pd_engine *e, const pd_packet *p, const pd_udp_header *udp)
{
    bool natt = pd_ike_udp_is_natt(udp->sport, udp->dport);
    size_t off = 0;
    pd_ike_udp_kind kind = pd_ike_udp_classify(udp->payload, udp->payload_len, natt, &off);
    pd_cursor c = pd_cursor_make(udp->payload, udp->payload_len);
    if (!pd_cursor_skip(&c, off))
        return;
    size_t wire = udp->payload_wire_len > off ? udp->payload_wire_len - off : 0;
    switch (kind) {
    case PD_IKE_UDP_IKE:
        on_ike_message(e, p, udp, natt, pd_cursor_here(&c), pd_cursor_remaining(&c), wire);
        return;
    case PD_IKE_UDP_ESP:
        pd_esp_packet(e, p, pd_cursor_here(&c), pd_cursor_remaining(&c), wire, udp->sport,
                      udp->dport, true);
        return;
    case PD_IKE_UDP_KEEPALIVE:
        on_keepalive(e, p, udp);
        return;
    case PD_IKE_UDP_OTHER:
        e->ike->not_ike++;
        return;
    }
}

void pd_ike_on_esp(pd_engine *e, const pd_packet *p)
{
    pd_esp_packet(e, p, p->l4, p->l4_len, p->l4_wire_len, 0, 0, false);
}

/* ---- ICMP and lost fragments ---- */

void pd_ike_on_icmp(pd_engine *e, const pd_packet *p, const pd_icmp_error *icmp)
{
    const pd_ip *q = &icmp->quoted;
    ike_pair *pair = pd_ike_pair_get(e, &q->src, &q->dst, false, p->frame, p->ts_ns);
    if (!pair || pair->convs->len == 0)
        return;
    ike_conv *c = pd_ike_pair_newest_ike(pair);
    if (!c)
        c = g_ptr_array_index(pair->convs, pair->convs->len - 1);
    char from[48], about[24];
    pd_addr_str(&p->ip->src, from, sizeof from);
    if (q->proto == 50)
        g_strlcpy(about, "ESP", sizeof about);
    else
        g_snprintf(about, sizeof about, "UDP %u", icmp->quoted_ports ? icmp->quoted_dport : 0);
    pd_session_packet(e, c->session, PD_DIR_OTHER, p->l4_wire_len, 0, p->frame, p->ts_ns);
    pd_ladder_entry *l = pd_session_ladder(e, c->session, PD_DIR_OTHER, p->frame, p->ts_ns,
                                           "ICMP%s %s from %s about %s",
                                           icmp->version == 6 ? "v6" : "",
                                           pd_icmp_error_name(icmp), from, about);
    if (pd_ladder_is_new(l)) {
        pd_ladder_attr_num(l, "icmp_type", icmp->type);
        pd_ladder_attr_num(l, "icmp_code", icmp->code);
    }
    if (!icmp->unreachable)
        return;
    if (c->icmp_count++ == 0) {
        c->icmp_frame = p->frame;
        c->icmp_ts = p->ts_ns;
        g_strlcpy(c->icmp_what, pd_icmp_error_name(icmp), sizeof c->icmp_what);
        g_strlcpy(c->icmp_from, from, sizeof c->icmp_from);
        g_strlcpy(c->icmp_about, about, sizeof c->icmp_about);
    }
}

void pd_ike_on_frag_incomplete(pd_engine *e, const pd_frag_incomplete *inc)
{
    if (inc->proto != 17)
        return;
    uint16_t sport = 0, dport = 0;
    if (inc->have_first) {
        pd_cursor c = pd_cursor_make(inc->l4_prefix, sizeof inc->l4_prefix);
        if (!pd_cursor_be16(&c, &sport) || !pd_cursor_be16(&c, &dport))
            return;
        if (!pd_ike_udp_port(sport, dport))
            return;
    }
    ike_pair *pair = pd_ike_pair_get(e, &inc->src, &inc->dst, false, inc->last_frame,
                                     inc->last_ts_ns);
    if (!pair)
        return;
    /* Without its first fragment a datagram has no ports: between two IKE
     * peers, UDP is taken to be theirs. */
    ike_conv *c = NULL;
    for (guint i = pair->convs->len; i > 0 && !c; i--) {
        ike_conv *k = g_ptr_array_index(pair->convs, i - 1);
        if (k->version && k->session->first_ts_ns <= inc->first_ts_ns + 1000000000)
            c = k;
    }
    if (!c)
        c = pd_ike_pair_newest_ike(pair);
    if (!c)
        return;
    int dir = pd_ike_conv_dir(c, &inc->src, sport);
    c->frag_incomplete[dir]++;
    if (inc->have_first && !inc->have_last && inc->n_frames == 1)
        c->frag_incomplete_first_only++;
    if (!c->frag_ev)
        c->frag_ev = g_new0(ike_frag_evidence, 1);
    ike_frag_evidence *ev = c->frag_ev;
    if (ev->n < IKE_MAX_FRAG_EVIDENCE) {
        size_t k = ev->n++;
        ev->frames[k] = inc->first_frame;
        ev->ts[k] = inc->first_ts_ns;
        char size[40], ports[32] = "";
        if (inc->have_last)
            g_snprintf(size, sizeof size, "%zu-byte", inc->total_len);
        else
            g_strlcpy(size, "large", sizeof size);
        if (inc->have_first)
            g_snprintf(ports, sizeof ports, " (UDP %u -> %u)", sport, dport);
        g_snprintf(ev->note[k], sizeof ev->note[k],
                   "%s's %s datagram%s incomplete%s: %u fragment(s), %zu bytes arrived, bytes "
                   "from %u on never did",
                   dir == IKE_C2S ? "client" : "server", size, ports,
                   inc->evicted ? " (given up at the reassembly cap)" : "", inc->n_frames,
                   inc->bytes_received, inc->first_missing);
    }
}

/* ---- end of a pair ---- */

/* What the key tables did for the session, and what decrypted messages
 * said that a reader wants at a glance. */
static void inner_attrs(ike_conv *c)
{
    pd_session *s = c->session;
    const ike_inner *n = c->inner;
    if (c->keys_loaded && n) {
        uint32_t ok = n->decrypted[0] + n->decrypted[1], bad = n->failed[0] + n->failed[1];
        uint32_t none = n->nokey[0] + n->nokey[1];
        GString *t = g_string_new(NULL);
        if (ok) {
            g_string_append_printf(t, "%u message%s decrypted (key table %s", ok, ok == 1 ? "" : "s",
                                   n->key_where[0] ? n->key_where[0] : n->key_where[1]);
            if (n->key_where[0] && n->key_where[1] && strcmp(n->key_where[0], n->key_where[1]))
                g_string_append_printf(t, " from the client, %s from the server", n->key_where[1]);
            g_string_append(t, ")");
        }
        if (bad)
            g_string_append_printf(t, "%s%u not decrypted: %s", t->len ? "; " : "", bad,
                                   n->fail_what ? n->fail_what : "failed");
        if (none)
            g_string_append_printf(t, "%s%u not decrypted: no key-table row for this IKE SA",
                                   t->len ? "; " : "", none);
        if (t->len)
            pd_session_attr_str(s, "decryption", t->str);
        g_string_free(t, TRUE);
    }
    if (!n)
        return;
    if (n->id_i.set)
        pd_session_attr_str(s, "client_identity", n->id_i.text);
    if (n->id_r_wanted.set)
        pd_session_attr_str(s, "server_identity_requested", n->id_r_wanted.text);
    if (n->id_r.set)
        pd_session_attr_str(s, "server_identity", n->id_r.text);
    static const char *const ck[2] = { "client_certificates", "server_certificates" };
    for (int d = 0; d < 2; d++)
        if (n->n_certs[d])
            pd_session_attr_str(s, ck[d], n->certs[d]);
    if (n->n_certreq_cas[0] + n->n_certreq_cas[1]) {
        char *t = g_strdup_printf("client asked for %u CA(s), server for %u", n->n_certreq_cas[0],
                                  n->n_certreq_cas[1]);
        pd_session_attr_str(s, "certificate_requests", t);
        g_free(t);
    }
    if (n->n_child_offers) {
        char *t = props_text(n->child_offers, n->n_child_offers);
        pd_session_attr_str(s, "child_proposals_offered", t);
        g_free(t);
    }
    if (n->ts_i[0] || n->ts_r[0]) {
        char *t = g_strdup_printf("%s === %s", n->ts_i[0] ? n->ts_i : "?",
                                  n->ts_r[0] ? n->ts_r : "?");
        pd_session_attr_str(s, "traffic_selectors_offered", t);
        g_free(t);
    }
    if (n->child_chosen) {
        char *t = pd_ike_proposal_to_string(n->child_chosen);
        pd_session_attr_str(s, "child_proposal_chosen", t);
        g_free(t);
    }
}

static void conv_attrs(pd_engine *e, ike_conv *c)
{
    pd_session *s = c->session;
    if (!c->version)
        return;
    if (c->n_sas) {
        char hex[17];
        spi_hex(c->sas[0].spi_i, hex);
        pd_session_attr_str(s, "initiator_spi", hex);
        if (c->sas[0].have_spi_r) {
            spi_hex(c->sas[0].spi_r, hex);
            pd_session_attr_str(s, "responder_spi", hex);
        }
    }
    if (c->sas_total > 1)
        pd_session_attr_num(s, "ike_sas", c->sas_total);
    if (c->retries_new_spi)
        pd_session_attr_num(s, "retries_with_new_spis", c->retries_new_spi);
    if (c->n_offers) {
        char *t = props_text(c->offers, c->n_offers);
        pd_session_attr_str(s, "proposals_offered", t);
        g_free(t);
    }
    if (c->chosen) {
        char *t = pd_ike_proposal_to_string(c->chosen);
        pd_session_attr_str(s, "proposal_chosen", t);
        g_free(t);
        if (c->chosen->life_seconds)
            pd_session_attr_num(s, "ike_lifetime_seconds", (int64_t)c->chosen->life_seconds);
    }
    pd_session_attr_num(s, "ike_messages_to_server", (int64_t)c->messages[IKE_C2S]);
    pd_session_attr_num(s, "ike_messages_to_client", (int64_t)c->messages[IKE_S2C]);
    pd_session_attr_num(s, "retransmissions_to_server", (int64_t)c->retransmissions[IKE_C2S]);
    pd_session_attr_num(s, "retransmissions_to_client", (int64_t)c->retransmissions[IKE_S2C]);
    const char *nat;
    bool cb = ike_behind_nat(c, IKE_C2S), sb = ike_behind_nat(c, IKE_S2C);
    if (!c->natd_seen[0] && !c->natd_seen[1])
        nat = "not checked (no NAT-D)";
    else if (ike_natd_faked_only(c))
        nat = "NAT-D faked to force UDP encapsulation";
    else if (cb && sb)
        nat = "both sides behind NAT";
    else if (cb)
        nat = "client behind NAT";
    else if (sb)
        nat = "server behind NAT";
    else
        nat = "none (NAT-D hashes match)";
    pd_session_attr_str(s, "nat", nat);
    if (c->natt_msgs[0] + c->natt_msgs[1]) {
        pd_session_attr_num(s, "nat_t_first_frame", (int64_t)c->natt_first_frame);
        pd_session_attr_num(s, "ike_messages_on_4500",
                            (int64_t)(c->natt_msgs[0] + c->natt_msgs[1]));
    }
    if (c->version == 2 || c->frag_supported[0] || c->frag_supported[1]) {
        const char *fr = c->frag_supported[0] && c->frag_supported[1] ? "both peers"
                         : c->frag_supported[0]                         ? "client only"
                         : c->frag_supported[1]                         ? "server only"
                                                                        : "neither peer";
        pd_session_attr_str(s, "ike_fragmentation_supported", fr);
    }
    static const char *const vid_keys[2] = { "client_vendor_ids", "server_vendor_ids" };
    for (int d = 0; d < 2; d++) {
        if (!c->n_vids[d] && !c->vid_unknown[d])
            continue;
        GString *v = g_string_new(NULL);
        for (size_t i = 0; i < c->n_vids[d]; i++)
            g_string_append_printf(v, "%s%s", i ? ", " : "", c->vid_names[d][i]);
        if (c->vid_unknown[d])
            g_string_append_printf(v, "%s%u unknown", c->n_vids[d] ? ", " : "", c->vid_unknown[d]);
        pd_session_attr_str(s, vid_keys[d], v->str);
        g_string_free(v, TRUE);
    }
    if (c->keepalives[0] + c->keepalives[1])
        pd_session_attr_num(s, "nat_keepalives", (int64_t)(c->keepalives[0] + c->keepalives[1]));
    if (c->malformed)
        pd_session_attr_num(s, "malformed_messages", (int64_t)c->malformed);
    if (c->frag_incomplete[0] + c->frag_incomplete[1])
        pd_session_attr_num(s, "ip_datagrams_incomplete",
                            (int64_t)(c->frag_incomplete[0] + c->frag_incomplete[1]));
    if (c->xchg_dropped)
        pd_session_attr_num(s, "exchanges_not_kept", (int64_t)c->xchg_dropped);
    inner_attrs(c);
    (void)e;
}

/* L2TP/IPsec: the L2TP decrypted from the session's ESP joined it (l2tp_track.c), or, with
 * the IKE keys only, the quick mode IDs name UDP 1701 (what Windows' L2TP/IPsec client
 * protects, RFC 3193 4): say so. Nothing else shows L2TP inside ESP, and nothing is claimed
 * without one of the two. */
static void l2tp_ipsec_label(pd_engine *e, ike_conv *c)
{
    pd_session *s = c->session;
    bool merged = s->protocol == PD_PROTO_L2TP_IPSEC;
    if (!merged && !c->qm_udp_1701)
        return;
    if (merged)
        pd_session_attr_str(s, "carries", c->qm_udp_1701 ? "L2TP (decrypted from ESP; Quick "
                                                          "Mode IDs: UDP 1701)"
                                                        : "L2TP (decrypted from ESP)");
    else
        pd_session_attr_str(s, "carries", "L2TP (Quick Mode IDs: UDP 1701)");
    if (merged)
        return;
    s->protocol = PD_PROTO_L2TP_IPSEC;
    const char *why;
    if (!e->ike->esp_keys)
        why = "inside ESP, encrypted: not read (with this SA's ESP keys, --esp-keys shows the "
              "L2TP tunnel and its PPP)";
    else if (c->esp_failed[0] + c->esp_failed[1])
        why = "inside ESP, encrypted: the ESP keys given do not decrypt it (esp_decryption)";
    else if (c->esp_decrypted[0] + c->esp_decrypted[1] == 0)
        why = "inside ESP, encrypted: the ESP SA tables have no row for its SPIs";
    else
        why = "inside ESP: decrypted, but no L2TP tunnel between these two hosts in it";
    pd_session_attr_str(s, "l2tp", why);
}

static void conv_finish(pd_engine *e, ike_pair *pair, ike_conv *c)
{
    if (c->judged)
        return;
    c->judged = true;
    /* L2TP decrypted from this session's ESP is judged first: the IKE and ESP verdicts
     * come last, and the merged session is handed over whole. */
    pd_l2tp_close_nested(e, c->session);
    auth_ok_flush(c);
    conv_attrs(e, c);
    l2tp_ipsec_label(e, c);
    pd_esp_conv_summary(e, pair, c);
    pd_esp_detect_keys(e, pair, c);
    pd_ike_detect(e, pair, c);
    pd_session_release(e, c->session); /* judged: streaming front ends may have it */
    /* Its ESP SAs go with it. */
    size_t k = 0;
    for (size_t i = 0; i < pair->n_esp; i++)
        if (pair->esp[i].conv != c)
            pair->esp[k++] = pair->esp[i];
    pair->n_esp = k;
}

/* At the end of the capture: key-table rows no IKE SA of the capture had
 * the SPIs (or cookie) of. */
static void keys_unmatched_note(pd_engine *e)
{
    const pd_ike_keys *k = e->ike->keys;
    if (!k || e->ike->keys_noted)
        return;
    e->ike->keys_noted = true;
    GString *rows = g_string_new(NULL);
    unsigned n = 0;
    for (guint i = 0; i < k->v1->len; i++) {
        const pd_ike_key_v1 *r = &g_array_index(k->v1, pd_ike_key_v1, i);
        if (!r->matched && n++ < 8)
            g_string_append_printf(rows, "%s%s", rows->len ? ", " : "", r->where);
    }
    for (guint i = 0; i < k->v2->len; i++) {
        const pd_ike_key_v2 *r = &g_array_index(k->v2, pd_ike_key_v2, i);
        if (!r->matched && n++ < 8)
            g_string_append_printf(rows, "%s%s", rows->len ? ", " : "", r->where);
    }
    if (n) {
        pd_finding *f = pd_finding_begin(PD_SIG_IKE_KEYS_NOT_APPLIED, NULL);
        pd_finding_summary(f, "%u key-table row%s match%s no IKE SA of this capture: %s%s", n,
                           n == 1 ? "" : "s", n == 1 ? "es" : "", rows->str, n > 8 ? ", ..." : "");
        pd_finding_explain(f, "Rows are matched by the IKE SA's SPI pair (ikev2_decryption_table) "
                              "or the initiator's cookie (ikev1_decryption_table). These belong "
                              "to IKE SAs that are not in this capture (another run, a rekeyed "
                              "SA, or an SA negotiated before the capture began); they change "
                              "nothing in the verdicts.");
        pd_finding_remedy(f, "Nothing to do, unless a session of this capture was expected to "
                             "decrypt: then take its keys from the gateway's log of the same "
                             "negotiation.");
        pd_finding_commit(e, f);
    }
    g_string_free(rows, TRUE);
}

void pd_ike_flow_closed(pd_engine *e, pd_flow *flow, pd_flow_close_reason why)
{
    ike_pair *pair = flow->state;
    if (!pair)
        return;
    if (e->ike->live_pairs)
        e->ike->live_pairs--;
    for (guint i = 0; i < pair->convs->len; i++)
        conv_finish(e, pair, g_ptr_array_index(pair->convs, i));
    /* The last IKE flow closed by the end of the capture: every IKE SA has
     * been seen. */
    if (why == PD_FLOW_CLOSE_END && e->ike->live_pairs == 0) {
        keys_unmatched_note(e);
        if (!e->ike->esp_noted) {
            e->ike->esp_noted = true;
            pd_esp_keys_unmatched_note(e);
        }
    }
    for (guint i = 0; i < pair->convs->len; i++)
        conv_free(g_ptr_array_index(pair->convs, i));
    g_ptr_array_free(pair->convs, TRUE);
    g_free(pair->esp);
    g_free(pair);
    flow->state = NULL;
}
