/* ike_session.h - what the IKE/ESP tracker remembers about the IKE and ESP
 * between two hosts; shared by ike_track.c and esp_track.c (write) and
 * ike_detect.c (read). IKEv1 RFC 2408/2409, IKEv2 RFC 7296, NAT-T RFC
 * 3947/3948, ESP RFC 4303.
 *
 * One flow (PD_FLOW_KIND_IKE) per address pair owns an ike_pair: the IKE
 * conversations between the two hosts (one pd_session each) and the ESP
 * SAs seen between them. UDP 500, UDP 4500 (whatever port a NAT picked) and
 * IP protocol 50 all land in the same pair, so a session survives the
 * NAT-T float and its ESP is judged together with its IKE.
 *
 * An ike_conv is one session: an IKE SA and its continuations, i.e. the
 * IKE_SA_INIT retried with new SPIs after INVALID_KE_PAYLOAD, a first
 * exchange re-initiated with new SPIs while nothing answers, and IKE SAs
 * rekeyed from it (their new SPIs show up mid-way). Each SPI pair is an
 * ike_sa_ref; exchanges are matched request to response per SA.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_IKE_SESSION_H
#define PD_IKE_SESSION_H

#include "engine_internal.h"
#include "esp_keys.h"
#include "ike.h"
#include "ike_keys.h"
#include "ike_policy.h"

/* Directions, as pd_dir: 0 client (initiator) -> server, 1 back. */
enum { IKE_C2S = 0, IKE_S2C = 1 };

#define IKE_MAX_CONVS 16        /* sessions held per address pair; the oldest is judged early */
#define IKE_MAX_SAS 8           /* SPI pairs per session; the oldest is forgotten */
#define IKE_MAX_EXCHANGES 64    /* exchange records per session; answered ones are dropped first */
#define IKE_KEEP_FIRST_EXCHANGES 8 /* ...but never the negotiation's first ones */
#define IKE_MAX_OFFERS 16       /* proposals kept from one SA payload */
#define IKE_MAX_ESP_SAS 32      /* ESP SPIs tracked per address pair */
#define IKE_MAX_FRAG_EVIDENCE 4 /* incomplete datagrams cited per session */
#define IKE_MAX_VIDS 6          /* vendor ID names kept per side */

/* An IKE_AUTH response this short (IKE header included) has room for one
 * or two encrypted notifies and nothing else: no IDr, AUTH, SA and TS, so
 * no IKE SA came of it (RFC 7296 1.2; a refusal is a lone notify). */
#define IKE_SHORT_AUTH_RESPONSE 120

typedef struct ike_sa_ref {
    uint8_t spi_i[8], spi_r[8];
    bool have_spi_r;
    int init_dir; /* direction the SA's original initiator sends in */
    uint64_t first_frame;
    int64_t first_ts;
} ike_sa_ref;

/* One exchange: a request and its response (IKEv2 by message ID and the
 * flags; IKEv1 main/aggressive mode by message order, other IKEv1 exchanges
 * by message ID). IKEv1 informationals and aggressive mode #3 expect no
 * reply and are kept as one-way records. */
typedef struct ike_xchg {
    uint8_t exch;
    uint32_t msg_id;
    uint8_t spi_i[8];
    int from;          /* the requester's direction */
    uint8_t v1_step;   /* IKEv1 MM/AM/QM: number of the request message (1, 3, 5) */
    bool expects_reply;
    bool initial;      /* IKE_SA_INIT / MM #1 / AM #1 */
    bool natt;         /* request carried on UDP 4500 */
    /* request */
    uint32_t sent;     /* copies seen: 1 + retransmissions (0: only the response was seen) */
    uint64_t req_frame, req_last_frame;
    int64_t req_ts, req_last_ts;
    uint32_t req_hash;
    size_t req_len;    /* IKE message length (per SKF fragment: the largest) */
    bool req_encrypted;
    uint32_t req_ip_fragmented; /* copies that crossed as IP fragments */
    uint64_t req_frag_frame;    /* first fragment of the first such copy */
    int64_t req_frag_ts;
    uint16_t req_skf_total;
    uint64_t req_skf_mask; /* fragment numbers 1..64 seen */
    uint16_t req_ke_group; /* IKE_SA_INIT / MM: the group of the KE sent (0 none) */
    uint32_t sent_after_answer; /* copies after the first response: it did not arrive */
    size_t ladder_idx;
    bool have_ladder;
    /* response */
    uint32_t answered; /* response copies seen */
    uint64_t resp_frame, resp_last_frame;
    int64_t resp_ts, resp_last_ts;
    uint32_t resp_hash;
    size_t resp_len;
    bool resp_encrypted;
    uint32_t resp_ip_fragmented;
    uint64_t resp_frag_frame;
    uint16_t resp_error;    /* first error notify in clear, 0 none */
    uint16_t resp_ke_group; /* INVALID_KE_PAYLOAD: the group the responder wants */
    bool resp_has_sa;
    bool resp_cookie;
    /* IKEv1: answered by an Informational instead of the next message */
    uint64_t info_frame;
    int64_t info_ts;
    bool info_encrypted;
    uint16_t info_notify;
    /* IKEv1 quick mode / transaction: the requester's third message */
    uint64_t final_frame;
    /* Decryption (--ike-keys): what the encrypted messages said. */
    bool req_decrypted, resp_decrypted, info_decrypted;
    uint16_t req_error;   /* first error notify a decrypted request carries itself */
    bool resp_has_auth;   /* decrypted response proves the responder's identity (AUTH / HASH) */
    bool resp_has_child;  /* decrypted response carries SA and traffic selectors: a CHILD_SA */
    uint8_t resp_eap_code; /* EAP code in a decrypted IKE_AUTH response (4: Failure) */
} ike_xchg;

struct ike_msg_cache; /* ike_track.c: the last messages decoded per direction */
#define IKE_CACHE_SLOTS 4

typedef struct ike_conv {
    pd_session *session;
    uint8_t version; /* 1 or 2; 0: ESP with no IKE seen */
    pd_addr client, server;
    uint16_t client_port, server_port;
    ike_sa_ref sas[IKE_MAX_SAS];
    size_t n_sas;
    uint32_t sas_total;
    uint32_t retries_new_spi; /* initial exchanges re-sent with new SPIs */
    ike_xchg *xchg; /* grows to IKE_MAX_EXCHANGES */
    size_t n_xchg, cap_xchg;
    uint64_t xchg_dropped;
    uint64_t messages[2];
    uint64_t retransmissions[2];
    uint64_t malformed;
    uint64_t malformed_frame;
    const char *malformed_what;
    uint64_t last_msg_frame[2];
    int64_t last_msg_ts[2];
    struct ike_msg_cache *cache[2][IKE_CACHE_SLOTS];
    uint8_t cache_next[2];
    int64_t last_ts; /* last IKE or ESP activity */

    /* Proposals: the first SA offer of the initial exchange, and what the
     * responder chose. */
    pd_ike_proposal *offers;
    size_t n_offers;
    uint64_t offers_frame;
    int64_t offers_ts;
    int offers_from;
    pd_ike_proposal *chosen; /* NULL until the responder's SA is seen */
    uint64_t chosen_frame;
    int64_t chosen_ts;
    bool refusal_reported; /* covered by the finding of the other side's attempt */
    uint8_t v1_mode;  /* IKEv1 phase-1 exchange: 2 main, 4 aggressive */
    uint16_t v1_hash; /* negotiated phase-1 hash (NAT-D) */
    bool retry_pending; /* last IKE_SA_INIT answered INVALID_KE: a retry may follow */
    int64_t retry_ts;

    /* NAT detection (per sending side) and NAT-T. */
    bool natd_seen[2];
    bool natd_src_bad[2], natd_dst_bad[2];
    bool natd_src_faked[2]; /* sender is at the capture point: its own hash is fake */
    uint64_t natd_frame[2], natd_bad_frame[2];
    int64_t natd_ts[2], natd_bad_ts[2];
    char *natd_note[2]; /* g_malloc'd when a hash fails */
    uint64_t natt_msgs[2];
    uint64_t natt_first_frame;
    int64_t natt_first_ts;
    uint16_t natt_client_port;

    /* Fragmentation. */
    bool frag_supported[2]; /* IKEV2_FRAGMENTATION_SUPPORTED / IKEv1 fragmentation VID */
    uint64_t skf_messages[2];
    uint32_t frag_incomplete[2]; /* incomplete datagrams sent by each side */
    uint32_t frag_incomplete_first_only;
    struct ike_frag_evidence *frag_ev; /* g_malloc'd at the first incomplete datagram */

    /* Vendor IDs per side. */
    const char *vid_names[2][IKE_MAX_VIDS];
    size_t n_vids[2];
    uint32_t vid_unknown[2];

    /* ICMP errors about the session's UDP or ESP. */
    uint32_t icmp_count;
    uint64_t icmp_frame;
    int64_t icmp_ts;
    char icmp_what[96];
    char icmp_from[48];
    char icmp_about[24];

    uint64_t keepalives[2];

    /* Decryption (--ike-keys, ike_decrypt.c): per-SA crypto state and the
     * facts the decrypted messages carried. NULL until needed. */
    struct ike_dec *dec;
    struct ike_inner *inner;
    /* A decrypted IKE_AUTH response authenticated the responder; the stage
     * is reached once the initiator's next message does not refuse it
     * (RFC 7296 2.21.2: an initiator that rejects the responder's identity
     * or AUTH says so in a new INFORMATIONAL). */
    bool keys_loaded; /* key tables were given (--ike-keys) */
    bool auth_ok_pending, auth_ok_child;
    uint64_t auth_ok_frame;
    int64_t auth_ok_ts;

    /* ESP decrypted with --esp-keys (esp_track.c), summed over the session's SPIs. */
    uint64_t esp_decrypted[2], esp_failed[2], esp_nokey[2];
    uint64_t esp_inner_unread; /* decrypted but not analysed (inner fragments, TFC dummies) */
    uint64_t esp_fail_frame;   /* first packet a key row did not decrypt */
    const char *esp_fail_what;
    const char *esp_fail_row;
    /* The quick mode IDs name UDP 1701 (L2TP/IPsec as Windows negotiates it), read from
     * the decrypted quick mode (--ike-keys). */
    bool qm_udp_1701;

    /* ESP, summed over the session's SPIs. */
    uint64_t esp_packets[2];
    uint64_t esp_first_frame[2], esp_last_frame[2];
    int64_t esp_first_ts[2], esp_last_ts[2];
    uint32_t esp_spis[2];
    uint64_t esp_run[2]; /* packets since the other direction's last one */

    bool judged;
} ike_conv;

/* Incomplete datagrams cited as evidence (rare: kept off the session). */
typedef struct ike_frag_evidence {
    uint64_t frames[IKE_MAX_FRAG_EVIDENCE];
    int64_t ts[IKE_MAX_FRAG_EVIDENCE];
    char note[IKE_MAX_FRAG_EVIDENCE][192];
    size_t n;
} ike_frag_evidence;

/* One ESP SA (SPI) seen between the pair, in one direction. */
typedef struct esp_sa {
    uint32_t spi;
    pd_addr src;
    bool udp; /* ESP in UDP 4500 (RFC 3948) */
    ike_conv *conv;
    int dir;
    uint64_t packets, bytes;
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
    uint32_t first_seq, last_seq;
    uint32_t restarts, reordered;
    uint64_t restart_frame;
    int64_t restart_ts;
    uint32_t restart_was;
    size_t ladder_idx;
    bool have_ladder;
    /* --esp-keys: the SA's row (looked up at its first packet), what became of its packets. */
    pd_esp_key_row *key;
    bool key_looked_up;
    uint64_t decrypted, failed;
    pd_esp_status last_fail;
} esp_sa;

typedef struct ike_pair {
    pd_addr lo, hi;
    GPtrArray *convs; /* ike_conv*, oldest first */
    esp_sa *esp; /* grows to IKE_MAX_ESP_SAS */
    size_t n_esp, cap_esp;
    uint64_t esp_untracked; /* packets of SPIs beyond the cap */
} ike_pair;

struct pd_ike_module {
    pd_ike_policy policy;
    bool have_policy;
    uint64_t not_ike; /* UDP 500/4500 payloads that are no IKE, ESP or keepalive */
    pd_ike_keys *keys; /* --ike-keys; NULL when none were given */
    uint32_t live_pairs; /* IKE pair flows open: the last one closing ends the IKE part */
    bool keys_noted;     /* the unused-rows note was made */
    pd_esp_keys *esp_keys; /* --esp-keys; NULL when none were given */
    bool esp_noted;        /* the unused-rows note was made */
    uint8_t *esp_buf;      /* plaintext of the ESP packet being fed (reused, grown once) */
    size_t esp_buf_cap;
};

/* Side d's address was translated on the way: its own NAT-D source hash
 * fails (and is not a fake from the capturing host), or the peer's
 * destination hash for it does (RFC 3947 3.2, RFC 7296 2.23). */
static inline bool ike_behind_nat(const ike_conv *c, int d)
{
    return (c->natd_src_bad[d] && !c->natd_src_faked[d]) || c->natd_dst_bad[!d];
}

/* Only source hashes fail and one of them is provably made up by the
 * capturing host: the peers fake NAT-D to force UDP encapsulation (both
 * sides usually run the same setup), there is no evidence of a NAT. */
static inline bool ike_natd_faked_only(const ike_conv *c)
{
    return (c->natd_src_faked[0] || c->natd_src_faked[1]) && !c->natd_dst_bad[0] &&
           !c->natd_dst_bad[1];
}

/* ---- ike_track.c ---- */
/* A new conversation (session) in the pair; version 0 opens an ESP session. */
ike_conv *pd_ike_conv_new(pd_engine *e, ike_pair *pair, uint8_t version, const pd_addr *client,
                          uint16_t client_port, const pd_addr *server, uint16_t server_port,
                          uint64_t frame, int64_t ts);
/* Reach the stages a decrypted IKE_AUTH response proved, if still pending
 * (ESP under the SA confirms them). */
void pd_ike_conv_auth_confirm(ike_conv *c);
/* Direction of a packet from src:sport within the conversation. */
int pd_ike_conv_dir(const ike_conv *c, const pd_addr *src, uint16_t sport);
/* The pair's newest conversation with IKE (version 1 or 2), or NULL. */
ike_conv *pd_ike_pair_newest_ike(ike_pair *pair);
/* Find (and with create, make) the pair flow state for two addresses. */
ike_pair *pd_ike_pair_get(pd_engine *e, const pd_addr *a, const pd_addr *b, bool create,
                          uint64_t frame, int64_t ts);

/* ---- esp_track.c ---- */
/* One ESP packet (IP 50 with ports 0, or ESP in UDP 4500 when udp): data
 * starts at the SPI. */
void pd_esp_packet(pd_engine *e, const pd_packet *p, const uint8_t *data, size_t len,
                   size_t wire_len, uint16_t sport, uint16_t dport, bool udp);
/* The conversation is being judged: write the ESP attributes and annotations. */
void pd_esp_conv_summary(pd_engine *e, ike_pair *pair, ike_conv *c);
/* ESP SA rows that failed to decrypt this conversation's SAs: esp.keys_not_applied. */
void pd_esp_detect_keys(pd_engine *e, ike_pair *pair, ike_conv *c);
/* At the end of the capture: ESP SA rows no SA of the capture used. */
void pd_esp_keys_unmatched_note(pd_engine *e);

/* ---- ike_detect.c ---- */
/* Findings for a conversation that is over (ike.*, esp.one_way). */
void pd_ike_detect(pd_engine *e, ike_pair *pair, ike_conv *c);

#endif
