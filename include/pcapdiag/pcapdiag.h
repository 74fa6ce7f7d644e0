/* pcapdiag.h - the engine's public API: feed frames, read sessions and findings.
 *
 * The CLI and the Wireshark plugin are two front ends over this one engine.
 * The API uses no libpcap or Wireshark types: a frame is a link type number
 * (LINKTYPE_*, as in pcap files), a time, the captured bytes and their
 * original length. Everything the engine returns is owned by the engine and
 * lives until pd_engine_free(). Packets decrypted with ESP keys are fed to the
 * trackers as part of their frame; their bytes are the engine's, only while that frame
 * is fed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PCAPDIAG_H
#define PCAPDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PCAPDIAG_VERSION "0.1.0"
#define PCAPDIAG_SCHEMA 1

/* ---- signatures ---------------------------------------------------------- */

typedef enum pd_severity { PD_SEV_NOTE = 0, PD_SEV_WARNING = 1, PD_SEV_ERROR = 2 } pd_severity;
typedef enum pd_confidence { PD_CONF_LOW = 0, PD_CONF_MEDIUM = 1, PD_CONF_HIGH = 2 } pd_confidence;
typedef enum pd_expert_group {
    PD_GROUP_SEQUENCE,      /* unanswered, one-way, lost */
    PD_GROUP_MALFORMED,     /* mangled bytes */
    PD_GROUP_RESPONSE_CODE, /* refusals, error codes */
    PD_GROUP_PROTOCOL       /* everything else */
} pd_expert_group;

typedef enum pd_sig_id {
#define PD_SIGNATURE(e, id, sev, grp, title, codes, src) PD_SIG_##e,
#include "pcapdiag/signatures.def"
#undef PD_SIGNATURE
    PD_SIG__COUNT
} pd_sig_id;

typedef struct pd_signature {
    pd_sig_id sig;
    const char *id; /* stable dotted id, e.g. "pptp.gre_blocked" */
    pd_severity severity;
    pd_expert_group group;
    const char *title;
    const char *windows_errors; /* the codes it can produce, as text */
    const char *sources;
} pd_signature;

const pd_signature *pd_signature_get(pd_sig_id sig);
const pd_signature *pd_signature_by_name(const char *id);
size_t pd_signature_count(void);

const char *pd_severity_name(pd_severity s);
const char *pd_confidence_name(pd_confidence c);

/* ---- sessions -------------------------------------------------------------- */

typedef enum pd_protocol {
    PD_PROTO_PPTP,
    PD_PROTO_L2TP,
    PD_PROTO_IKEV1,
    PD_PROTO_IKEV2,
    PD_PROTO_ESP,
    PD_PROTO_NETMOTION, /* NetMotion Mobility, recognised by UDP port and addressing */
    /* L2TP/IPsec: an IKEv1 (or ESP-only) session whose ESP carries L2TP, shown from the
     * decrypted ESP (--esp-keys) or named by its quick mode IDs (UDP 1701, --ike-keys).
     * Its stages are IKE's then L2TP's and PPP's; its findings those of all of them. */
    PD_PROTO_L2TP_IPSEC,
    PD_PROTO__COUNT
} pd_protocol;

const char *pd_protocol_name(pd_protocol p);

typedef struct pd_endpoint {
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port; /* 0 where the protocol has none (GRE, ESP) */
} pd_endpoint;

/* Format "192.0.2.1" / "2001:db8::1" into buf (at least 46 bytes). */
const char *pd_endpoint_addr_str(const pd_endpoint *ep, char *buf, size_t len);

/* Which way a message went. */
typedef enum pd_dir {
    PD_DIR_TO_SERVER = 0,
    PD_DIR_TO_CLIENT = 1,
    PD_DIR_OTHER = 2 /* e.g. ICMP from a router on the path */
} pd_dir;

/* A protocol value in a ladder line or a session: a name, and for coded
 * values the raw number too ("result": "Busy", "result_raw": 4). */
typedef enum pd_attr_kind { PD_ATTR_STR, PD_ATTR_NUM, PD_ATTR_CODE } pd_attr_kind;
typedef struct pd_attr {
    const char *key;
    pd_attr_kind kind;
    char *str;   /* PD_ATTR_STR, PD_ATTR_CODE (the name) */
    int64_t num; /* PD_ATTR_NUM, PD_ATTR_CODE (the raw value) */
} pd_attr;

typedef struct pd_ladder_entry {
    uint64_t frame; /* first frame of this line */
    int64_t ts_ns;
    uint64_t last_frame; /* last frame folded into this line */
    int64_t last_ts_ns;
    uint32_t repeat; /* 1, or how many identical messages this line stands for */
    pd_dir dir;
    char *text;       /* "Outgoing-Call-Reply (Busy) call 5 peer 7" */
    char *annotation; /* "none answered", or NULL */
    pd_attr *attrs;
    size_t n_attrs;
} pd_ladder_entry;

typedef struct pd_stage {
    const char *name; /* "control-connected", "lcp-opened", ... */
    uint64_t frame;
    int64_t ts_ns;
} pd_stage;

typedef struct pd_session {
    uint32_t id; /* 1-based, in order of first frame */
    pd_protocol protocol;
    pd_endpoint client, server;
    uint64_t first_frame, last_frame;
    int64_t first_ts_ns, last_ts_ns;
    uint64_t packets[2]; /* [PD_DIR_TO_SERVER], [PD_DIR_TO_CLIENT] */
    uint64_t bytes[2];
    pd_stage *stages; /* in the order reached */
    size_t n_stages;
    const char *state; /* one word: the last stage reached, or how it ended */
    pd_ladder_entry *ladder;
    size_t n_ladder;
    uint64_t ladder_dropped; /* lines not kept once the ladder hit its cap */
    pd_attr *attrs;          /* protocol details: call IDs, SPIs, ... */
    size_t n_attrs;
    /* Highest TTL / hop limit seen from each side, 0 if none: the vantage
     * estimate reads it (an initial value means "sent from this host"). */
    uint8_t max_ttl[2];
} pd_session;

/* ---- findings -------------------------------------------------------------- */

typedef enum pd_blame {
    PD_BLAME_CLIENT_NETWORK,
    PD_BLAME_SERVER,
    PD_BLAME_PATH,
    PD_BLAME_MIDDLEBOX,
    PD_BLAME_CONFIGURATION,
    PD_BLAME_UNKNOWN
} pd_blame;

const char *pd_blame_name(pd_blame b);

typedef struct pd_evidence {
    uint64_t frame;
    int64_t ts_ns;
    char *note;
} pd_evidence;

typedef struct pd_finding {
    const pd_signature *signature;
    pd_severity severity;
    pd_confidence confidence;
    int *windows_errors;
    size_t n_windows_errors;
    uint32_t session_id; /* 0: about the capture as a whole */
    char *summary;
    char *explanation;
    char *remediation;
    pd_blame blame;
    pd_evidence *evidence;
    size_t n_evidence;
    char *display_filter;
} pd_finding;

/* ---- the capture as a whole ------------------------------------------------ */

typedef enum pd_vantage {
    PD_VANTAGE_UNKNOWN,
    PD_VANTAGE_CLIENT,
    PD_VANTAGE_SERVER,
    PD_VANTAGE_MIDDLE
} pd_vantage;

const char *pd_vantage_name(pd_vantage v);

typedef struct pd_capture_stats {
    uint64_t frames;
    uint64_t bytes_captured;
    uint64_t bytes_wire;
    int64_t first_ts_ns, last_ts_ns; /* of the first and the last frame */
    uint64_t frames_not_ip;          /* ARP, LLDP, ... */
    uint64_t frames_malformed;       /* link or IP header bad or cut short */
    uint64_t frames_empty;           /* zero captured bytes */
    uint64_t frames_unsupported_link;
    uint64_t ip_fragments;
    uint64_t ip_datagrams_reassembled;
    uint64_t ip_datagrams_incomplete; /* fragments never completed */
    uint64_t ip_fragment_bytes_dropped; /* refused by the reassembly caps */
    uint64_t vpn_frames;               /* frames that belong to a session */
    uint64_t flows_peak;
    uint64_t flows_evicted; /* forced out at the flow cap */
    uint64_t tcp_gap_bytes; /* stream bytes never captured */
    pd_vantage vantage;
    char *vantage_reason;
    bool truncated; /* set by the front end when the file ended mid-record */
} pd_capture_stats;

/* ---- the engine ------------------------------------------------------------ */

typedef struct pd_engine pd_engine;

typedef struct pd_frame {
    uint32_t linktype; /* LINKTYPE_* number as in pcap/pcapng */
    uint64_t number;   /* 1-based frame number */
    int64_t ts_ns;     /* nanoseconds since the epoch */
    const uint8_t *data;
    size_t caplen;
    size_t wire_len;
} pd_frame;

/* What the engine knew about one frame when it was fed (for the plugin). */
typedef struct pd_frame_result {
    uint32_t session_id; /* 0: not part of a VPN session */
    pd_protocol protocol;
    const char *stage; /* state of the session after this frame */
} pd_frame_result;

typedef void (*pd_finding_fn)(const pd_finding *finding, void *user);

/* Streaming: the engine is done with a session. Its flows are closed and
 * judged, nothing will change it again, and `findings` are all of its
 * findings, in report order (by first evidence frame, then commit order).
 * Session and findings are freed when the callback returns: copy or render
 * what you need. Called from inside pd_engine_feed() (at the end of the
 * frame that closed the session) or pd_engine_finish(), in no particular
 * order of session ids. */
typedef void (*pd_session_closed_fn)(const pd_session *session, const pd_finding *const *findings,
                                     size_t n_findings, void *user);

typedef struct pd_limits {
    size_t max_flows;              /* live flows kept at once */
    int64_t flow_idle_timeout_ns;  /* a flow silent this long is closed */
    size_t max_frag_bytes;         /* bytes held waiting for fragments */
    int64_t frag_timeout_ns;       /* a datagram incomplete this long is given up */
    size_t max_tcp_buffered_bytes; /* out-of-order bytes held per TCP direction */
    size_t max_ladder_lines;       /* per session */
} pd_limits;

/* The defaults (documented in the README). */
void pd_limits_default(pd_limits *limits);

typedef struct pd_engine_config {
    pd_limits limits;
    pd_finding_fn on_finding; /* called as each finding is settled; may be NULL */
    /* NULL (the default): every session and finding is kept until
     * pd_engine_free(), for the accessors below (the Wireshark plugin).
     * Set: memory follows live sessions, not capture size. Each session is
     * handed over once, then dropped; the accessors then see only the
     * sessions still live (pd_engine_session() is NULL for one handed over;
     * pd_engine_session_count() still counts every session opened), and the
     * findings not handed over with a session (capture-level ones). */
    pd_session_closed_fn on_session_closed;
    void *user; /* passed to on_finding and on_session_closed */
    uint16_t netmotion_port; /* NetMotion Mobility server UDP port; 0 = 5008 */
    /* Expected IKE/ESP proposals (--policy), strongSwan proposal strings such
     * as "aes256-sha256-modp2048,esp:aes256gcm16"; NULL = none. Parsed by
     * pd_engine_new(): the string need not outlive that call. */
    const char *ike_policy;
    /* IKE key tables (--ike-keys): paths of files in the format of
     * Wireshark's ikev1_decryption_table / ikev2_decryption_table,
     * NULL-terminated; NULL = none. Read by pd_engine_new() (the array need
     * not outlive that call): check each with pd_ike_keys_check() first, a
     * file that does not load there is left out. */
    const char *const *ike_key_files;
    /* ESP SA tables (--esp-keys): paths of files in the format of Wireshark's ESP SA
     * table (the `esp_sa` file of a profile), NULL-terminated; NULL = none. ESP of the
     * SAs they name is decrypted and what it carries (L2TP for L2TP/IPsec) is analysed as
     * part of the same frame. Read by pd_engine_new(): check each file with
     * pd_esp_keys_check() first, one that does not load there is left out. */
    const char *const *esp_key_files;
} pd_engine_config;

pd_engine *pd_engine_new(const pd_engine_config *config);

/* Validate an IKE policy (pd_engine_config.ike_policy) before use: false
 * with *error set to a g_malloc'd message naming the bad token (g_free it)
 * when it does not parse. `error` may be NULL. */
bool pd_ike_policy_check(const char *text, char **error);

/* Validate an IKE key table (pd_engine_config.ike_key_files): false with
 * *error set to a g_malloc'd "FILE:LINE: reason" (g_free it) when it cannot
 * be read or a row is malformed, or when this build cannot decrypt (built
 * without libgcrypt). `error` may be NULL. */
bool pd_ike_keys_check(const char *path, char **error);

/* Validate an ESP SA table (pd_engine_config.esp_key_files) the same way: false with
 * *error set to a g_malloc'd "FILE:LINE: reason" when it cannot be read, a row is
 * malformed (unknown algorithm, bad hex, a key of the wrong length...), it holds no row,
 * or this build cannot decrypt (built without libgcrypt). `error` may be NULL. */
bool pd_esp_keys_check(const char *path, char **error);
void pd_engine_free(pd_engine *engine);

/* Returns false only if the frame's link type is not supported (the frame is
 * counted and otherwise ignored); malformed frames are recorded, not errors.
 * Frames must come in capture order. `result` may be NULL. */
bool pd_engine_feed(pd_engine *engine, const pd_frame *frame, pd_frame_result *result);

/* The capture ended: settle everything that waited for more packets. */
void pd_engine_finish(pd_engine *engine);
bool pd_engine_finished(const pd_engine *engine);

/* Front ends tell the engine about problems with the file itself. */
void pd_engine_mark_truncated(pd_engine *engine);

/* Sessions opened so far (ids 1..count). With on_session_closed set, a
 * session already handed over reads as NULL, and the finding accessors see
 * only the findings that were not handed over with a session. */
size_t pd_engine_session_count(const pd_engine *engine);
const pd_session *pd_engine_session(const pd_engine *engine, size_t index);
const pd_session *pd_engine_session_by_id(const pd_engine *engine, uint32_t id);
size_t pd_engine_finding_count(const pd_engine *engine);
const pd_finding *pd_engine_finding(const pd_engine *engine, size_t index);
const pd_capture_stats *pd_engine_stats(const pd_engine *engine);

/* Link types the engine decodes (LINKTYPE_* numbers). */
bool pd_linktype_supported(uint32_t linktype);
const char *pd_linktype_name(uint32_t linktype);

#ifdef __cplusplus
}
#endif

#endif /* PCAPDIAG_H */
