/* pptp.h - PPTP control messages (RFC 2637 section 2): decode one message,
 * and frame a TCP byte stream into messages.
 *
 * A decoder turns the bytes of exactly one control message into a
 * pd_pptp_msg and nothing else. The framer cuts the reassembled TCP stream
 * (port 1723) into such messages, because PPTP messages are split across
 * segments and share segments freely; when the stream stops making sense
 * (Length < 12 or a wrong magic cookie) it resynchronises on the next magic
 * cookie and reports how many bytes it skipped.
 *
 * Frame numbers are 1-based; 0 means "none".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PPTP_H
#define PD_PPTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PD_PPTP_PORT 1723
#define PD_PPTP_MAGIC 0x1A2B3C4Du
#define PD_PPTP_HEADER_LEN 12      /* Length .. Reserved0 */
#define PD_PPTP_MAX_MSG_LEN 65535  /* the Length field is 16 bits */
#define PD_PPTP_MSG_CONTROL 1      /* PPTP Message Type: control */
#define PD_PPTP_MSG_MANAGEMENT 2   /* defined, never used by anyone */
#define PD_PPTP_VERSION_1_0 0x0100 /* Protocol Version in SCCRQ/SCCRP */

/* Control Message Type (RFC 2637 section 1.4). */
typedef enum pd_pptp_ctrl_type {
    PD_PPTP_SCCRQ = 1,     /* Start-Control-Connection-Request */
    PD_PPTP_SCCRP = 2,     /* Start-Control-Connection-Reply */
    PD_PPTP_STOPCCRQ = 3,  /* Stop-Control-Connection-Request */
    PD_PPTP_STOPCCRP = 4,  /* Stop-Control-Connection-Reply */
    PD_PPTP_ECHORQ = 5,    /* Echo-Request */
    PD_PPTP_ECHORP = 6,    /* Echo-Reply */
    PD_PPTP_OCRQ = 7,      /* Outgoing-Call-Request */
    PD_PPTP_OCRP = 8,      /* Outgoing-Call-Reply */
    PD_PPTP_ICRQ = 9,      /* Incoming-Call-Request */
    PD_PPTP_ICRP = 10,     /* Incoming-Call-Reply */
    PD_PPTP_ICCN = 11,     /* Incoming-Call-Connected */
    PD_PPTP_CCRQ = 12,     /* Call-Clear-Request */
    PD_PPTP_CDN = 13,      /* Call-Disconnect-Notify */
    PD_PPTP_WEN = 14,      /* WAN-Error-Notify */
    PD_PPTP_SLI = 15       /* Set-Link-Info */
} pd_pptp_ctrl_type;

typedef enum pd_pptp_status {
    PD_PPTP_OK,
    PD_PPTP_TRUNCATED,    /* fewer bytes than the header, or than Length / the type's size */
    PD_PPTP_BAD_MAGIC,    /* Magic Cookie is not 0x1A2B3C4D */
    PD_PPTP_BAD_LENGTH,   /* Length disagrees with the fixed size of the message type */
    PD_PPTP_UNKNOWN_TYPE  /* PPTP Message Type not 1, or Control Message Type not 1..15 */
} pd_pptp_status;

/* Result Codes that mean success, per message (RFC 2637 section 2). */
#define PD_PPTP_RESULT_OK 1 /* SCCRP, StopCCRP, Echo-Reply, OCRP "Connected", ICRP "Connect" */

/* The host/vendor/phone/statistics strings: the fixed-size field copied up to
 * its first NUL, non-printable bytes replaced by '.', always NUL-terminated. */
#define PD_PPTP_NAME_LEN 64
#define PD_PPTP_STATS_LEN 128

/* SCCRQ and SCCRP share one layout; in SCCRQ result/error are Reserved1. */
typedef struct pd_pptp_sccr {
    uint16_t protocol_version; /* 0x0100 */
    uint8_t result_code;       /* SCCRP only */
    uint8_t error_code;        /* SCCRP only, meaningful when result is 2 */
    uint32_t framing_caps;     /* bit 1 async, bit 2 sync */
    uint32_t bearer_caps;      /* bit 1 analog, bit 2 digital */
    uint16_t max_channels;
    uint16_t firmware_rev;
    char host_name[PD_PPTP_NAME_LEN + 1];
    char vendor[PD_PPTP_NAME_LEN + 1];
} pd_pptp_sccr;

typedef struct pd_pptp_stopccrq {
    uint8_t reason; /* 1 none, 2 stop-protocol, 3 stop-local-shutdown */
} pd_pptp_stopccrq;

typedef struct pd_pptp_stopccrp {
    uint8_t result_code, error_code;
} pd_pptp_stopccrp;

typedef struct pd_pptp_echo {
    uint32_t identifier;
    uint8_t result_code, error_code; /* Echo-Reply only */
} pd_pptp_echo;

typedef struct pd_pptp_ocrq {
    uint16_t call_id; /* the PNS's Call ID: GRE to the PNS carries it */
    uint16_t call_serial;
    uint32_t min_bps, max_bps;
    uint32_t bearer_type;  /* 1 analog, 2 digital, 3 any */
    uint32_t framing_type; /* 1 async, 2 sync, 3 any */
    uint16_t recv_window;
    uint16_t processing_delay;
    uint16_t phone_number_len; /* as sent; the copy below is capped at 64 */
    char phone_number[PD_PPTP_NAME_LEN + 1];
    char subaddress[PD_PPTP_NAME_LEN + 1];
} pd_pptp_ocrq;

typedef struct pd_pptp_ocrp {
    uint16_t call_id;      /* the PAC's Call ID: GRE to the PAC carries it */
    uint16_t peer_call_id; /* echoes the OCRQ's Call ID */
    uint8_t result_code;   /* 1 Connected .. 7 Do-not-accept */
    uint8_t error_code;
    uint16_t cause_code;
    uint32_t connect_speed;
    uint16_t recv_window;
    uint16_t processing_delay;
    uint32_t physical_channel;
} pd_pptp_ocrp;

typedef struct pd_pptp_icrq {
    uint16_t call_id;
    uint16_t call_serial;
    uint32_t bearer_type;
    uint32_t physical_channel;
    uint16_t dialed_number_len, dialing_number_len;
    char dialed_number[PD_PPTP_NAME_LEN + 1];
    char dialing_number[PD_PPTP_NAME_LEN + 1];
    char subaddress[PD_PPTP_NAME_LEN + 1];
} pd_pptp_icrq;

typedef struct pd_pptp_icrp {
    uint16_t call_id, peer_call_id;
    uint8_t result_code, error_code;
    uint16_t recv_window;
    uint16_t transmit_delay;
} pd_pptp_icrp;

typedef struct pd_pptp_iccn {
    uint16_t peer_call_id;
    uint32_t connect_speed;
    uint16_t recv_window;
    uint16_t transmit_delay;
    uint32_t framing_type;
} pd_pptp_iccn;

typedef struct pd_pptp_ccrq {
    uint16_t call_id;
} pd_pptp_ccrq;

typedef struct pd_pptp_cdn {
    uint16_t call_id;
    uint8_t result_code; /* 1 lost carrier, 2 general error, 3 admin shutdown, 4 request */
    uint8_t error_code;
    uint16_t cause_code;
    char call_stats[PD_PPTP_STATS_LEN + 1];
} pd_pptp_cdn;

typedef struct pd_pptp_wen {
    uint16_t peer_call_id;
    uint32_t crc_errors, framing_errors, hardware_overruns, buffer_overruns, timeout_errors,
        alignment_errors;
} pd_pptp_wen;

typedef struct pd_pptp_sli {
    uint16_t peer_call_id;
    uint32_t send_accm, recv_accm;
} pd_pptp_sli;

typedef struct pd_pptp_msg {
    pd_pptp_status status;
    /* header: valid as far as `status` allows (length/pptp_type/magic once 8
     * bytes were there, ctrl_type once 12 were) */
    uint16_t length;    /* the Length field */
    uint16_t pptp_type; /* 1 control, 2 management */
    uint32_t magic;
    uint16_t ctrl_type; /* pd_pptp_ctrl_type, or an unknown value */
    uint16_t reserved0;
    size_t expected_len; /* the fixed size of ctrl_type, 0 if unknown */
    /* true when every field of the body below was present and decoded
     * (also possible with BAD_LENGTH when Length exceeds the fixed size) */
    bool body_complete;

    /* Shortcuts over the body, for trackers and ladder lines. */
    bool has_call_id;      /* OCRQ, OCRP, ICRQ, ICRP, CCRQ, CDN */
    uint16_t call_id;      /* the sender's own Call ID */
    bool has_peer_call_id; /* OCRP, ICRP, ICCN, WEN, SLI */
    uint16_t peer_call_id;
    bool has_result; /* SCCRP, StopCCRP, Echo-Reply, OCRP, ICRP, CDN */
    uint8_t result_code, error_code;

    /* The body: the member named after ctrl_type is valid. */
    union {
        pd_pptp_sccr sccr; /* SCCRQ and SCCRP */
        pd_pptp_stopccrq stopccrq;
        pd_pptp_stopccrp stopccrp;
        pd_pptp_echo echo; /* Echo-Request and Echo-Reply */
        pd_pptp_ocrq ocrq;
        pd_pptp_ocrp ocrp;
        pd_pptp_icrq icrq;
        pd_pptp_icrp icrp;
        pd_pptp_iccn iccn;
        pd_pptp_ccrq ccrq;
        pd_pptp_cdn cdn;
        pd_pptp_wen wen;
        pd_pptp_sli sli;
    } u;
} pd_pptp_msg;

/* Decode the bytes of one control message (len should equal its Length;
 * bytes past Length are ignored). Never reads past data+len. */
pd_pptp_status pd_pptp_decode(const uint8_t *data, size_t len, pd_pptp_msg *out);

/* Fixed size of a control message type, 0 for an unknown type. */
size_t pd_pptp_msg_size(uint16_t ctrl_type);

/* Names. Each returns a static string, "Unknown" for values it does not know. */
const char *pd_pptp_status_name(pd_pptp_status s);
const char *pd_pptp_msg_name(uint16_t ctrl_type);   /* "Outgoing-Call-Reply" */
const char *pd_pptp_msg_abbrev(uint16_t ctrl_type); /* "OCRP" */
/* The Result Code's meaning depends on the message: SCCRP, StopCCRP,
 * Echo-Reply, OCRP, ICRP, CDN. */
const char *pd_pptp_result_name(uint16_t ctrl_type, uint8_t result);
const char *pd_pptp_error_name(uint8_t error); /* the General Error Codes, section 2.16 */
const char *pd_pptp_stop_reason_name(uint8_t reason);
/* true when `result` is a success for that message (1 for all of them,
 * except CDN where every value reports a disconnect). */
bool pd_pptp_result_ok(uint16_t ctrl_type, uint8_t result);

/* One line for a ladder: "Outgoing-Call-Reply call 7 peer 5 result Busy (4)".
 * Returns strlen(buf); always NUL-terminates when len > 0. */
size_t pd_pptp_describe(const pd_pptp_msg *m, char *buf, size_t len);

/* ---- stream framer, one TCP direction ----------------------------------- */

/* A complete message: msg/len are the Length bytes of it, valid only during
 * the call. first_frame is where its first byte arrived, frame/ts_ns where
 * its last byte arrived. */
typedef void (*pd_pptp_msg_fn)(const uint8_t *msg, size_t len, uint64_t first_frame,
                               uint64_t frame, int64_t ts_ns, void *user);

typedef enum pd_pptp_skip_reason {
    PD_PPTP_SKIP_GARBAGE,   /* bytes that did not parse as a message: a mangled stream */
    PD_PPTP_SKIP_AFTER_GAP, /* bytes skipped to find a boundary after a TCP gap */
    PD_PPTP_SKIP_AT_END     /* an unfinished message (or garbage) when the stream ended */
} pd_pptp_skip_reason;

/* `skipped` bytes were dropped; first_frame is where they started, frame/ts_ns
 * where the framer found the next message boundary (or the stream ended). */
typedef void (*pd_pptp_skip_fn)(pd_pptp_skip_reason why, uint64_t skipped, uint64_t first_frame,
                                uint64_t frame, int64_t ts_ns, void *user);

typedef struct pd_pptp_framer {
    uint8_t *buf;    /* g_malloc'd, grows to at most PD_PPTP_MAX_MSG_LEN */
    size_t buf_size; /* allocated */
    size_t have;     /* bytes of the current message (or header candidate) held */
    bool in_msg;     /* the held header passed the checks; collecting msg_len bytes */
    size_t msg_len;
    uint64_t hdr_frame[8]; /* frame each of the first 8 held bytes came in */
    bool after_gap;        /* bytes now skipped are blamed on a gap, not on garbage */
    uint64_t skip_pending; /* bytes dropped since the last boundary, not yet reported */
    uint64_t skip_first_frame;
    bool skip_after_gap;
    /* counters */
    uint64_t messages;      /* complete messages delivered */
    uint64_t bytes;         /* all bytes pushed */
    uint64_t garbage_bytes; /* skipped as PD_PPTP_SKIP_GARBAGE */
    uint64_t garbage_runs;  /* separate resynchronisations on garbage */
    uint64_t gap_skipped_bytes;
    uint64_t gaps;
    uint64_t end_pending_bytes; /* held when pd_pptp_framer_finish ran */
} pd_pptp_framer;

void pd_pptp_framer_init(pd_pptp_framer *f);
void pd_pptp_framer_free(pd_pptp_framer *f);
/* Feed in-order stream bytes from one frame. on_msg is called for each
 * message completed, on_skip (may be NULL) once per resynchronisation. */
void pd_pptp_framer_push(pd_pptp_framer *f, const uint8_t *data, size_t len, uint64_t frame,
                         int64_t ts_ns, pd_pptp_msg_fn on_msg, pd_pptp_skip_fn on_skip,
                         void *user);
/* The TCP layer skipped bytes it never saw: report garbage pending from
 * before the gap, drop the partial message and find the next boundary by its
 * magic cookie (the dropped bytes are reported as AFTER_GAP, not garbage). */
void pd_pptp_framer_gap(pd_pptp_framer *f, uint64_t frame, int64_t ts_ns, pd_pptp_skip_fn on_skip,
                        void *user);
/* End of stream: report what is held as PD_PPTP_SKIP_AT_END (and pending
 * garbage as garbage), leave the framer empty. */
void pd_pptp_framer_finish(pd_pptp_framer *f, uint64_t frame, int64_t ts_ns,
                           pd_pptp_skip_fn on_skip, void *user);

#endif
