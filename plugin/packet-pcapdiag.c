/* packet-pcapdiag.c - Wireshark 4.0 postdissector: runs pcapdiag's engine over
 * the capture and shows its sessions and findings on the frames they cite.
 *
 * One engine, no second implementation of any rule: every frame's bytes,
 * link type, time and number go to pd_engine_feed(), exactly as the CLI does
 * with libpcap. The pattern is that of Wireshark's transum plugin: compute
 * on the first, sequential pass; keep per-frame results for the life of the
 * file; on every later pass (tshark -2, the GUI re-dissecting frames in any
 * order) display from storage only. Findings that only the end of the
 * capture settles (nothing ever answered) are attached when the sequential
 * pass is over, so two-pass dissection shows them on every frame they cite.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <wiretap/pcap-encap.h>
#include <wiretap/wtap.h>

#include "packet-pcapdiag.h"

/* What the plugin keeps about a frame, packed into 8 bytes: big captures
 * have millions of VPN frames, and Wireshark's memory is the analyst's. */
typedef struct pd_ws_slot {
    uint32_t session_id;
    uint16_t stage;   /* index into pd_ws_capture.stages, plus one; 0: none */
    uint8_t protocol; /* pd_protocol */
    uint8_t cited;    /* a finding cites this frame (see findings) */
} pd_ws_slot;

/* Slots live in chunks of 64 Ki frames, allocated only where VPN frames
 * are: a capture of ordinary traffic costs nothing per frame. */
#define PD_WS_CHUNK_BITS 16
#define PD_WS_CHUNK_SLOTS (1u << PD_WS_CHUNK_BITS)

struct pd_ws_capture {
    pd_engine *engine;
    GPtrArray *chunks;       /* pd_ws_slot[PD_WS_CHUNK_SLOTS] or NULL, by (frame - 1) >> bits */
    GHashTable *findings;    /* frame number -> GPtrArray of const pd_finding * */
    GPtrArray *stages;       /* distinct stage names (the engine's static strings) */
    GHashTable *stage_index; /* stage name -> its index in stages, plus one */
    const char *last_stage;  /* the most recent lookup, which most frames repeat */
    uint16_t last_stage_index;
    guint32 last_fed; /* frames are fed once each, in capture order */
    gboolean finished;
};

static int proto_pcapdiag = -1;
static int pd_ws_tap = -1;

static int hf_pcapdiag_session = -1;
static int hf_pcapdiag_protocol = -1;
static int hf_pcapdiag_stage = -1;
static int hf_pcapdiag_session_state = -1;
static int hf_pcapdiag_finding = -1;
static int hf_pcapdiag_signature = -1;
static int hf_pcapdiag_severity = -1;
static int hf_pcapdiag_confidence = -1;
static int hf_pcapdiag_windows_error = -1;
static int hf_pcapdiag_summary = -1;
static int hf_pcapdiag_blame = -1;
static int hf_pcapdiag_finding_session = -1;
static int hf_pcapdiag_evidence = -1;
static int hf_pcapdiag_explanation = -1;
static int hf_pcapdiag_remediation = -1;

static gint ett_pcapdiag = -1;
static gint ett_pcapdiag_finding = -1;

/* One expert item per signature, registered from signatures.def. */
static expert_field ei_pcapdiag_sig[PD_SIG__COUNT];
/* For a finding whose severity differs from its signature's default (an
 * ei's severity is fixed when it is registered). */
static expert_field ei_pcapdiag_sev[3];

/* The capture file being dissected. Wireshark has one file open at a time
 * and gives a postdissector no other handle on per-file state; the init and
 * cleanup routines bracket its life. */
static pd_ws_capture *pd_ws_cap;

/* Preference pcapdiag.esp_sa: an ESP SA table (Wireshark's own esp_sa format, what the
 * CLI's --esp-keys reads) whose SAs the engine decrypts. A registration-table value: set
 * by Wireshark's preferences, read when a file is opened. */
static const char *pd_ws_esp_sa = "";

/* ---- link types ------------------------------------------------------------ */

/* The LINKTYPE_* values the engine decodes, in the order to prefer when
 * Wireshark folds several into one WTAP_ENCAP (12, 14 and 101 all become
 * RAW_IP; 9 and 50 both become PPP). */
static const uint32_t pd_ws_linktypes[] = { 1, 0, 108, 101, 228, 229, 113, 276, 9, 104, 50, 12, 14 };

/* WTAP_ENCAP -> LINKTYPE, built at handoff by asking wiretap for the
 * reverse mapping (4.0 exports only LINKTYPE -> WTAP_ENCAP). A
 * registration table: written once, read-only afterwards. */
static struct {
    int encap;
    uint32_t linktype;
} pd_ws_encap_map[G_N_ELEMENTS(pd_ws_linktypes)];
static guint pd_ws_encap_map_len;

#define PD_WS_LINKTYPE_NONE UINT32_MAX
#define PD_WS_LINKTYPE_PPP 9
#define PD_WS_LINKTYPE_PPP_HDLC 50

static void pd_ws_build_encap_map(void)
{
    pd_ws_encap_map_len = 0;
    for (guint i = 0; i < G_N_ELEMENTS(pd_ws_linktypes); i++) {
        if (!pd_linktype_supported(pd_ws_linktypes[i]))
            continue;
        int encap = wtap_pcap_encap_to_wtap_encap((int)pd_ws_linktypes[i]);
        if (encap == WTAP_ENCAP_UNKNOWN)
            continue;
        gboolean seen = FALSE;
        for (guint j = 0; j < pd_ws_encap_map_len; j++)
            seen = seen || pd_ws_encap_map[j].encap == encap;
        if (seen)
            continue;
        pd_ws_encap_map[pd_ws_encap_map_len].encap = encap;
        pd_ws_encap_map[pd_ws_encap_map_len].linktype = pd_ws_linktypes[i];
        pd_ws_encap_map_len++;
    }
}

static uint32_t pd_ws_linktype(int encap, const guint8 *data, guint caplen)
{
    if (encap == WTAP_ENCAP_PPP) {
        /* LINKTYPE_PPP and LINKTYPE_PPP_HDLC both arrive as WTAP_ENCAP_PPP.
         * They read an FF 03 header alike; only PPP_HDLC (RFC 1547 4.3.1)
         * also carries Cisco HDLC, whose address byte is 0x0F or 0x8F. */
        if (caplen > 0 && (data[0] == 0x0f || data[0] == 0x8f))
            return PD_WS_LINKTYPE_PPP_HDLC;
        return PD_WS_LINKTYPE_PPP;
    }
    for (guint i = 0; i < pd_ws_encap_map_len; i++)
        if (pd_ws_encap_map[i].encap == encap)
            return pd_ws_encap_map[i].linktype;
    return PD_WS_LINKTYPE_NONE; /* the engine counts it as unsupported */
}

/* Nanoseconds since the epoch, saturating like the CLI's reader. */
static int64_t pd_ws_ts_ns(const nstime_t *t)
{
    const int64_t max_s = INT64_MAX / 1000000000 - 1;
    int64_t s = (int64_t)t->secs;
    if (s > max_s)
        return INT64_MAX;
    if (s < -max_s)
        return INT64_MIN;
    return s * 1000000000 + (int64_t)t->nsecs;
}

/* ---- per-file state ------------------------------------------------------- */

static pd_ws_slot *pd_ws_slot_get(const pd_ws_capture *cap, guint32 num, gboolean create)
{
    if (num == 0)
        return NULL;
    guint chunk = (num - 1) >> PD_WS_CHUNK_BITS;
    if (chunk >= cap->chunks->len) {
        if (!create)
            return NULL;
        g_ptr_array_set_size(cap->chunks, chunk + 1);
    }
    pd_ws_slot *slots = g_ptr_array_index(cap->chunks, chunk);
    if (!slots) {
        if (!create)
            return NULL;
        slots = g_new0(pd_ws_slot, PD_WS_CHUNK_SLOTS);
        g_ptr_array_index(cap->chunks, chunk) = slots;
    }
    return &slots[(num - 1) & (PD_WS_CHUNK_SLOTS - 1)];
}

static uint16_t pd_ws_stage_index(pd_ws_capture *cap, const char *stage)
{
    if (!stage)
        return 0;
    if (stage == cap->last_stage)
        return cap->last_stage_index;
    guint idx = GPOINTER_TO_UINT(g_hash_table_lookup(cap->stage_index, stage));
    if (!idx) {
        if (cap->stages->len >= G_MAXUINT16)
            return 0; /* more distinct stages than any protocol has */
        g_ptr_array_add(cap->stages, (gpointer)stage);
        idx = cap->stages->len;
        g_hash_table_insert(cap->stage_index, (gpointer)stage, GUINT_TO_POINTER(idx));
    }
    cap->last_stage = stage;
    cap->last_stage_index = (uint16_t)idx;
    return (uint16_t)idx;
}

/* The engine settled a finding: note it on every frame it cites, so any
 * later dissection of those frames shows it. Called while a frame is fed
 * (settled then) or from pd_engine_finish() (settled by the end). */
static void pd_ws_on_finding(const pd_finding *f, void *user)
{
    pd_ws_capture *cap = user;
    uint64_t prev = 0;
    for (size_t i = 0; i < f->n_evidence; i++) {
        uint64_t n = f->evidence[i].frame;
        /* Evidence is sorted by frame; a frame cited twice shows once. A
         * frame Wireshark never fed (past the last one) is not there. */
        if (n == 0 || n > cap->last_fed || n == prev)
            continue;
        prev = n;
        pd_ws_slot *slot = pd_ws_slot_get(cap, (guint32)n, TRUE);
        GPtrArray *list = g_hash_table_lookup(cap->findings, GUINT_TO_POINTER((guint32)n));
        if (!list) {
            list = g_ptr_array_new();
            g_hash_table_insert(cap->findings, GUINT_TO_POINTER((guint32)n), list);
        }
        g_ptr_array_add(list, (gpointer)f);
        slot->cited = 1;
    }
}

/* What a frame shows, for the tree and the tap (packet scope), or NULL
 * when it belongs to no session and no finding cites it. */
static const pd_ws_frame *pd_ws_frame_view(const pd_ws_capture *cap, guint32 num,
                                           wmem_allocator_t *pool)
{
    const pd_ws_slot *slot = pd_ws_slot_get(cap, num, FALSE);
    if (!slot || (!slot->session_id && !slot->cited))
        return NULL;
    pd_ws_frame *fr = wmem_new0(pool, pd_ws_frame);
    fr->session_id = slot->session_id;
    fr->protocol = (pd_protocol)slot->protocol;
    /* What the session became by the end (IKEv1 found to carry L2TP: l2tp-ipsec) once the
     * capture is read; the plugin keeps every session. */
    const pd_session *s = cap->finished && slot->session_id
                              ? pd_engine_session_by_id(cap->engine, slot->session_id)
                              : NULL;
    if (s)
        fr->protocol = s->protocol;
    if (slot->stage && slot->stage <= cap->stages->len)
        fr->stage = g_ptr_array_index(cap->stages, slot->stage - 1);
    if (slot->cited)
        fr->findings = g_hash_table_lookup(cap->findings, GUINT_TO_POINTER(num));
    return fr;
}

static void pd_ws_init(void)
{
    if (pd_ws_cap) /* never expected: init without cleanup */
        return;
    pd_ws_capture *cap = g_new0(pd_ws_capture, 1);
    pd_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    pd_limits_default(&cfg.limits);
    cfg.on_finding = pd_ws_on_finding;
    cfg.user = cap;
    const char *esp_files[2] = { NULL, NULL };
    if (pd_ws_esp_sa && *pd_ws_esp_sa) {
        char *err = NULL;
        if (pd_esp_keys_check(pd_ws_esp_sa, &err)) {
            esp_files[0] = pd_ws_esp_sa;
            cfg.esp_key_files = esp_files; /* read by pd_engine_new */
        } else {
            /* Analysed without it, as the CLI would refuse to start: say why. */
            ws_warning("pcapdiag: ESP SA table not used: %s", err ? err : pd_ws_esp_sa);
        }
        g_free(err);
    }
    cap->engine = pd_engine_new(&cfg);
    cap->chunks = g_ptr_array_new_with_free_func(g_free);
    cap->findings = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                          (GDestroyNotify)g_ptr_array_unref);
    cap->stages = g_ptr_array_new();
    cap->stage_index = g_hash_table_new(g_direct_hash, g_direct_equal);
    pd_ws_cap = cap;
}

static void pd_ws_cleanup(void)
{
    if (!pd_ws_cap)
        return;
    pd_ws_capture *cap = pd_ws_cap;
    pd_ws_cap = NULL;
    pd_engine_free(cap->engine);
    g_ptr_array_free(cap->chunks, TRUE);
    g_hash_table_destroy(cap->findings);
    g_ptr_array_free(cap->stages, TRUE);
    g_hash_table_destroy(cap->stage_index);
    g_free(cap);
}

/* Called once the sequential pass has read the whole file (tshark -2 after
 * its first pass, the GUI after loading or when a live capture stops,
 * sharkd): settle everything now, before any frame is dissected again. */
static void pd_ws_postseq(void)
{
    pd_ws_capture_finish(pd_ws_cap);
}

pd_ws_capture *pd_ws_capture_current(void)
{
    return pd_ws_cap;
}

const pd_engine *pd_ws_capture_engine(const pd_ws_capture *cap)
{
    return cap->engine;
}

void pd_ws_capture_finish(pd_ws_capture *cap)
{
    if (!cap || cap->finished)
        return;
    cap->finished = TRUE;
    pd_engine_finish(cap->engine); /* late findings arrive via pd_ws_on_finding */
}

guint pd_ws_frame_finding_count(const pd_ws_frame *fr)
{
    return fr && fr->findings ? fr->findings->len : 0;
}

const pd_finding *pd_ws_frame_finding(const pd_ws_frame *fr, guint i)
{
    return g_ptr_array_index(fr->findings, i);
}

/* First pass only: hand the frame to the engine. */
static void pd_ws_feed(pd_ws_capture *cap, tvbuff_t *tvb, packet_info *pinfo)
{
    /* The engine wants each frame once, in order, before the end. */
    if (cap->finished || pinfo->num <= cap->last_fed)
        return;
    cap->last_fed = pinfo->num;
    const wtap_rec *rec = pinfo->rec;
    if (!rec || rec->rec_type != REC_TYPE_PACKET)
        return; /* events, logs: not frames */

    guint caplen = tvb_captured_length(tvb);
    const guint8 *data = caplen ? tvb_get_ptr(tvb, 0, caplen) : NULL;
    pd_frame frame = {
        .linktype = pd_ws_linktype(rec->rec_header.packet_header.pkt_encap, data, caplen),
        .number = pinfo->num,
        .ts_ns = pd_ws_ts_ns(&pinfo->abs_ts),
        .data = data,
        .caplen = caplen,
        .wire_len = rec->rec_header.packet_header.len,
    };
    pd_frame_result res;
    pd_engine_feed(cap->engine, &frame, &res);
    if (res.session_id) {
        pd_ws_slot *slot = pd_ws_slot_get(cap, pinfo->num, TRUE);
        slot->session_id = res.session_id;
        slot->protocol = (uint8_t)res.protocol;
        slot->stage = pd_ws_stage_index(cap, res.stage);
    }
}

/* ---- formatting -------------------------------------------------------------- */

char *pd_ws_clean(const char *s)
{
    if (!s)
        return g_strdup("");
    /* Engine text can quote packet bytes (a peer's MS-CHAPv2 message, a
     * host name): valid UTF-8 without control characters only. */
    char *valid = g_utf8_make_valid(s, -1);
    GString *out = g_string_sized_new(strlen(valid));
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
            g_string_append_c(out, c == '\t' || c == '\n' || c == '\r' ? ' ' : '?');
        else
            g_string_append_unichar(out, c);
    }
    g_free(valid);
    return g_string_free(out, FALSE);
}

char *pd_ws_endpoint_str(const pd_endpoint *ep)
{
    char addr[64];
    if (ep->family != 4 && ep->family != 6)
        g_strlcpy(addr, "?", sizeof addr);
    else
        pd_endpoint_addr_str(ep, addr, sizeof addr);
    if (ep->port == 0)
        return g_strdup(addr);
    if (ep->family == 6)
        return g_strdup_printf("[%s]:%u", addr, (unsigned)ep->port);
    return g_strdup_printf("%s:%u", addr, (unsigned)ep->port);
}

char *pd_ws_codes_str(const pd_finding *f)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < f->n_windows_errors; i++)
        g_string_append_printf(s, "%s%d", i ? ", " : "", f->windows_errors[i]);
    return g_string_free(s, FALSE);
}

char *pd_ws_evidence_str(const pd_finding *f)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < f->n_evidence; i++)
        g_string_append_printf(s, "%s%" PRIu64, i ? " " : "", f->evidence[i].frame);
    return g_string_free(s, FALSE);
}

const char *pd_ws_protocol_title(pd_protocol p)
{
    /* As the CLI prints them. Keyed by the engine's own names rather than a
     * switch, so a protocol the engine learns later still shows (by its
     * lower-case name) until it is listed here. */
    static const struct {
        const char *name, *title;
    } titles[] = {
        { "pptp", "PPTP" },   { "l2tp", "L2TP" }, { "ikev1", "IKEv1" },
        { "ikev2", "IKEv2" }, { "esp", "ESP" },   { "netmotion", "NetMotion" },
        { "l2tp-ipsec", "L2TP/IPsec" },
    };
    const char *name = pd_protocol_name(p);
    for (guint i = 0; i < G_N_ELEMENTS(titles); i++)
        if (strcmp(name, titles[i].name) == 0)
            return titles[i].title;
    return name;
}

static const char *pd_ws_severity_title(pd_severity s)
{
    switch (s) {
    case PD_SEV_ERROR: return "ERROR";
    case PD_SEV_WARNING: return "WARNING";
    case PD_SEV_NOTE: return "NOTE";
    }
    return "?";
}

/* ---- display ------------------------------------------------------------------ */

static expert_field *pd_ws_expert_for(const pd_finding *f)
{
    const pd_signature *sig = f->signature;
    if (sig && (guint)sig->sig < PD_SIG__COUNT && sig->severity == f->severity &&
        ei_pcapdiag_sig[sig->sig].ei != EI_INIT_EI)
        return &ei_pcapdiag_sig[sig->sig];
    if ((guint)f->severity < G_N_ELEMENTS(ei_pcapdiag_sev))
        return &ei_pcapdiag_sev[f->severity];
    return &ei_pcapdiag_sev[PD_SEV_ERROR];
}

static void pd_ws_show_finding(const pd_finding *f, tvbuff_t *tvb, packet_info *pinfo,
                               proto_tree *pt)
{
    const char *sig_id = f->signature && f->signature->id ? f->signature->id : "?";
    char *summary = pd_ws_clean(f->summary);
    proto_item *fi = proto_tree_add_none_format(pt, hf_pcapdiag_finding, tvb, 0, 0,
                                                "Finding: %s %s: %s",
                                                pd_ws_severity_title(f->severity), sig_id, summary);
    proto_tree *ft = proto_item_add_subtree(fi, ett_pcapdiag_finding);
    proto_item *it;

    it = proto_tree_add_string(ft, hf_pcapdiag_signature, tvb, 0, 0, sig_id);
    proto_item_set_generated(it);
    it = proto_tree_add_string(ft, hf_pcapdiag_severity, tvb, 0, 0, pd_severity_name(f->severity));
    proto_item_set_generated(it);
    it = proto_tree_add_string(ft, hf_pcapdiag_confidence, tvb, 0, 0,
                               pd_confidence_name(f->confidence));
    proto_item_set_generated(it);
    for (size_t i = 0; i < f->n_windows_errors; i++) {
        if (f->windows_errors[i] < 0)
            continue;
        it = proto_tree_add_uint(ft, hf_pcapdiag_windows_error, tvb, 0, 0,
                                 (guint32)f->windows_errors[i]);
        proto_item_set_generated(it);
    }
    it = proto_tree_add_string(ft, hf_pcapdiag_summary, tvb, 0, 0, summary);
    proto_item_set_generated(it);
    it = proto_tree_add_string(ft, hf_pcapdiag_blame, tvb, 0, 0, pd_blame_name(f->blame));
    proto_item_set_generated(it);
    if (f->session_id) {
        it = proto_tree_add_uint(ft, hf_pcapdiag_finding_session, tvb, 0, 0, f->session_id);
        proto_item_set_generated(it);
    }
    for (size_t i = 0; i < f->n_evidence; i++) {
        uint64_t n = f->evidence[i].frame;
        if (n == 0 || n > G_MAXUINT32)
            continue;
        char *note = pd_ws_clean(f->evidence[i].note);
        it = proto_tree_add_uint_format_value(ft, hf_pcapdiag_evidence, tvb, 0, 0, (guint32)n,
                                              "%u%s%s%s%s", (guint32)n, *note ? " (" : "", note,
                                              *note ? ")" : "",
                                              n == pinfo->num ? " [this frame]" : "");
        proto_item_set_generated(it);
        g_free(note);
    }
    if (f->explanation && *f->explanation) {
        char *text = pd_ws_clean(f->explanation);
        it = proto_tree_add_string(ft, hf_pcapdiag_explanation, tvb, 0, 0, text);
        proto_item_set_generated(it);
        g_free(text);
    }
    if (f->remediation && *f->remediation) {
        char *text = pd_ws_clean(f->remediation);
        it = proto_tree_add_string(ft, hf_pcapdiag_remediation, tvb, 0, 0, text);
        proto_item_set_generated(it);
        g_free(text);
    }
    /* The expert item carries the finding's own words, so the Expert
     * Information dialog and `tshark -z expert` read like the CLI. */
    expert_add_info_format(pinfo, fi, pd_ws_expert_for(f), "%s", summary);
    g_free(summary);
}

static void pd_ws_show(const pd_ws_capture *cap, const pd_ws_frame *fr, tvbuff_t *tvb,
                       packet_info *pinfo, proto_tree *tree)
{
    guint n = pd_ws_frame_finding_count(fr);
    if (!tree) {
        /* No tree to build (tshark without -V, filters or fields): only
         * the expert items, which feed the expert tap. */
        for (guint i = 0; i < n; i++) {
            const pd_finding *f = pd_ws_frame_finding(fr, i);
            char *summary = pd_ws_clean(f->summary);
            expert_add_info_format(pinfo, NULL, pd_ws_expert_for(f), "%s", summary);
            g_free(summary);
        }
        return;
    }

    proto_item *ti = proto_tree_add_item(tree, proto_pcapdiag, tvb, 0, 0, ENC_NA);
    proto_tree *pt = proto_item_add_subtree(ti, ett_pcapdiag);
    proto_item *it;

    if (fr->session_id) {
        const pd_session *s = pd_engine_session_by_id(cap->engine, fr->session_id);
        const char *title = pd_ws_protocol_title(fr->protocol);
        /* The endpoints are for the eye: not formatted for a tree nobody
         * sees (tshark filtering or printing fields). */
        if (s && PTREE_DATA(tree)->visible) {
            char *client = pd_ws_endpoint_str(&s->client);
            char *server = pd_ws_endpoint_str(&s->server);
            it = proto_tree_add_uint_format_value(pt, hf_pcapdiag_session, tvb, 0, 0,
                                                  fr->session_id, "%u (%s %s -> %s)",
                                                  fr->session_id, title, client, server);
            g_free(client);
            g_free(server);
        } else {
            it = proto_tree_add_uint(pt, hf_pcapdiag_session, tvb, 0, 0, fr->session_id);
        }
        proto_item_set_generated(it);
        it = proto_tree_add_string(pt, hf_pcapdiag_protocol, tvb, 0, 0,
                                   pd_protocol_name(fr->protocol));
        proto_item_set_generated(it);
        it = proto_tree_add_string(pt, hf_pcapdiag_stage, tvb, 0, 0, fr->stage ? fr->stage : "");
        proto_item_set_generated(it);
        if (s && s->state) {
            /* Where the session got to in the end (so far, in a single pass). */
            it = proto_tree_add_string(pt, hf_pcapdiag_session_state, tvb, 0, 0, s->state);
            proto_item_set_generated(it);
        }
        proto_item_append_text(ti, ": session %u (%s), %s", fr->session_id, title,
                               fr->stage ? fr->stage : "");
    }

    for (guint i = 0; i < n; i++)
        pd_ws_show_finding(pd_ws_frame_finding(fr, i), tvb, pinfo, pt);
    if (n)
        proto_item_append_text(ti, "%s%u finding%s", fr->session_id ? ", " : ": ", n,
                               n == 1 ? "" : "s");
}

static int dissect_pcapdiag(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    pd_ws_capture *cap = pd_ws_cap;
    if (!cap)
        return 0;
    /* Later passes only read what is stored. They do not settle the end
     * of the capture either: in a live capture the GUI re-dissects earlier
     * frames while new ones still arrive. Every front end that reads a
     * whole file (tshark -2, the GUI, sharkd) calls the postseq routine
     * first, and the GUI does when a live capture stops. */
    if (!PINFO_FD_VISITED(pinfo))
        pd_ws_feed(cap, tvb, pinfo);

    const pd_ws_frame *fr = pd_ws_frame_view(cap, pinfo->num, pinfo->pool);
    if (!fr)
        return 0;
    pd_ws_show(cap, fr, tvb, pinfo, tree);
    tap_queue_packet(pd_ws_tap, pinfo, fr);
    return tvb_captured_length(tvb);
}

/* ---- registration ---------------------------------------------------------- */

static int pd_ws_expert_group(pd_expert_group g)
{
    switch (g) {
    case PD_GROUP_SEQUENCE: return PI_SEQUENCE;
    case PD_GROUP_MALFORMED: return PI_MALFORMED;
    case PD_GROUP_RESPONSE_CODE: return PI_RESPONSE_CODE;
    case PD_GROUP_PROTOCOL: return PI_PROTOCOL;
    }
    return PI_PROTOCOL;
}

static int pd_ws_expert_severity(pd_severity s)
{
    switch (s) {
    case PD_SEV_ERROR: return PI_ERROR;
    case PD_SEV_WARNING: return PI_WARN;
    case PD_SEV_NOTE: return PI_NOTE;
    }
    return PI_NOTE;
}

/* Wireshark aborts on an invalid field name: a signature id that is not
 * one (letters, digits, '-', '_', '.') gets no expert item of its own. */
static gboolean pd_ws_valid_name(const char *id)
{
    if (!id || !*id)
        return FALSE;
    for (const char *p = id; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
            return FALSE;
    return TRUE;
}

static void pd_ws_register_experts(void)
{
    static const ei_register_info tmpl = { NULL, { NULL, PI_PROTOCOL, PI_NOTE, NULL, EXPFILL } };
    static const char *const sev_names[3] = { "note", "warning", "error" };
    static const pd_severity sevs[3] = { PD_SEV_NOTE, PD_SEV_WARNING, PD_SEV_ERROR };
    /* Registration tables: Wireshark keeps pointers into them until exit. */
    static ei_register_info ei[PD_SIG__COUNT + G_N_ELEMENTS(ei_pcapdiag_sev)];
    static char names[G_N_ELEMENTS(ei)][96];

    for (guint i = 0; i < G_N_ELEMENTS(ei_pcapdiag_sig); i++)
        ei_pcapdiag_sig[i] = (expert_field)EI_INIT;
    for (guint i = 0; i < G_N_ELEMENTS(ei_pcapdiag_sev); i++)
        ei_pcapdiag_sev[i] = (expert_field)EI_INIT;

    int n = 0;
    for (size_t i = 0; i < pd_signature_count() && i < PD_SIG__COUNT; i++) {
        const pd_signature *sig = pd_signature_get((pd_sig_id)i);
        if (!sig || (guint)sig->sig >= PD_SIG__COUNT || !pd_ws_valid_name(sig->id))
            continue;
        int len = g_snprintf(names[n], sizeof names[n], "pcapdiag.%s", sig->id);
        if (len < 0 || (size_t)len >= sizeof names[n])
            continue; /* an id too long for a filter name of reasonable size */
        ei[n] = tmpl;
        ei[n].ids = &ei_pcapdiag_sig[sig->sig];
        ei[n].eiinfo.name = names[n];
        ei[n].eiinfo.group = pd_ws_expert_group(sig->group);
        ei[n].eiinfo.severity = pd_ws_expert_severity(sig->severity);
        ei[n].eiinfo.summary = sig->title;
        n++;
    }
    for (guint i = 0; i < G_N_ELEMENTS(sevs); i++) {
        g_snprintf(names[n], sizeof names[n], "pcapdiag.finding.%s", sev_names[i]);
        ei[n] = tmpl;
        ei[n].ids = &ei_pcapdiag_sev[sevs[i]];
        ei[n].eiinfo.name = names[n];
        ei[n].eiinfo.group = PI_PROTOCOL;
        ei[n].eiinfo.severity = pd_ws_expert_severity(sevs[i]);
        ei[n].eiinfo.summary = "pcapdiag finding";
        n++;
    }
    expert_module_t *module = expert_register_protocol(proto_pcapdiag);
    expert_register_field_array(module, ei, n);
}

void proto_register_pcapdiag(void)
{
    static hf_register_info hf[] = {
        { &hf_pcapdiag_session,
          { "Session", "pcapdiag.session", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The VPN session this frame belongs to (pcapdiag's id: 1-based, in order of first frame)",
            HFILL } },
        { &hf_pcapdiag_protocol,
          { "Protocol", "pcapdiag.protocol", FT_STRING, BASE_NONE, NULL, 0x0,
            "The session's VPN protocol (pptp, l2tp, l2tp-ipsec, ikev1, ikev2, esp, netmotion)",
            HFILL } },
        { &hf_pcapdiag_stage,
          { "Stage", "pcapdiag.stage", FT_STRING, BASE_NONE, NULL, 0x0,
            "The last stage the session had reached after this frame (or how it ended)", HFILL } },
        { &hf_pcapdiag_session_state,
          { "Session state", "pcapdiag.session_state", FT_STRING, BASE_NONE, NULL, 0x0,
            "The session's last stage or how it ended (once the capture is read: its final state)",
            HFILL } },
        { &hf_pcapdiag_finding,
          { "Finding", "pcapdiag.finding", FT_NONE, BASE_NONE, NULL, 0x0,
            "A pcapdiag finding that cites this frame as evidence", HFILL } },
        { &hf_pcapdiag_signature,
          { "Signature", "pcapdiag.signature", FT_STRING, BASE_NONE, NULL, 0x0,
            "The finding's signature id, as in pcapdiag's JSON", HFILL } },
        { &hf_pcapdiag_severity,
          { "Severity", "pcapdiag.severity", FT_STRING, BASE_NONE, NULL, 0x0,
            "error, warning or note", HFILL } },
        { &hf_pcapdiag_confidence,
          { "Confidence", "pcapdiag.confidence", FT_STRING, BASE_NONE, NULL, 0x0,
            "high, medium or low", HFILL } },
        { &hf_pcapdiag_windows_error,
          { "Windows error", "pcapdiag.windows_error", FT_UINT32, BASE_DEC, NULL, 0x0,
            "A Windows/RAS error code the client reports for this failure (one item per code)",
            HFILL } },
        { &hf_pcapdiag_summary,
          { "Summary", "pcapdiag.summary", FT_STRING, BASE_NONE, NULL, 0x0,
            "What the capture shows, in one line", HFILL } },
        { &hf_pcapdiag_blame,
          { "Blame", "pcapdiag.blame", FT_STRING, BASE_NONE, NULL, 0x0,
            "Where the fault most likely lies", HFILL } },
        { &hf_pcapdiag_finding_session,
          { "Session of the finding", "pcapdiag.finding.session", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The session the finding is about (absent: the capture as a whole)", HFILL } },
        { &hf_pcapdiag_evidence,
          { "Evidence frame", "pcapdiag.evidence", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0, "A frame the finding cites as evidence",
            HFILL } },
        { &hf_pcapdiag_explanation,
          { "Explanation", "pcapdiag.explanation", FT_STRING, BASE_NONE, NULL, 0x0,
            "Why the packets mean this", HFILL } },
        { &hf_pcapdiag_remediation,
          { "Remediation", "pcapdiag.remediation", FT_STRING, BASE_NONE, NULL, 0x0,
            "What to check or change", HFILL } },
    };
    static gint *ett[] = { &ett_pcapdiag, &ett_pcapdiag_finding };

    proto_pcapdiag = proto_register_protocol("pcapdiag VPN diagnosis", "pcapdiag", "pcapdiag");
    proto_register_field_array(proto_pcapdiag, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    pd_ws_register_experts();

    module_t *prefs = prefs_register_protocol(proto_pcapdiag, NULL);
    prefs_register_filename_preference(
        prefs, "esp_sa", "ESP SA table (as pcapdiag --esp-keys)",
        "A file in the format of Wireshark's own ESP SA table (the esp_sa file of a profile, "
        "Protocols > ESP > ESP SAs): pcapdiag decrypts the ESP of the SAs it names and "
        "diagnoses what it carries (L2TP/IPsec as one session). Empty: no decryption.",
        &pd_ws_esp_sa, FALSE);

    pd_ws_tap = register_tap(PD_WS_TAP_NAME);
    register_init_routine(pd_ws_init);
    register_cleanup_routine(pd_ws_cleanup);
    register_postseq_cleanup_routine(pd_ws_postseq);
    pd_ws_stats_register();
}

void proto_reg_handoff_pcapdiag(void)
{
    pd_ws_build_encap_map();
    dissector_handle_t handle = create_dissector_handle(dissect_pcapdiag, proto_pcapdiag);
    register_postdissector(handle);
}
