/* l2tp.h - L2TP messages: L2TPv2 (RFC 2661) over UDP 1701 decoded in full,
 * L2TPv3 (RFC 3931) over IP protocol 115 and over UDP recognised and
 * summarised. Decode one message into a pd_l2tp_msg and nothing else.
 *
 * A decoder reads the header (flags, Length, Tunnel/Session IDs, Ns/Nr,
 * offset padding), tells data from control messages and ZLB
 * acknowledgements, walks the AVPs of a control message and interprets the
 * ones that matter for diagnosis. Hidden AVPs (H bit, RFC 2661 section 4.3)
 * are recognised and counted, never decrypted: their values stay unknown.
 *
 * Pointers in the result (AVP values, texts, the data payload) point into
 * the caller's buffer and are valid as long as it is.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_L2TP_H
#define PD_L2TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PD_L2TP_PORT 1701
#define PD_L2TP_IPPROTO 115 /* L2TPv3 directly over IP (RFC 3931 section 4.1.1.1) */

/* The first 16 bits of the header (RFC 2661 section 3.1). */
#define PD_L2TP_HDR_T 0x8000   /* control message */
#define PD_L2TP_HDR_L 0x4000   /* Length present */
#define PD_L2TP_HDR_S 0x0800   /* Ns and Nr present */
#define PD_L2TP_HDR_O 0x0200   /* Offset Size present (v2 only) */
#define PD_L2TP_HDR_P 0x0100   /* priority (v2 data only) */
#define PD_L2TP_HDR_VER 0x000f
#define PD_L2TP_HDR_RESERVED_V2 0x34f0 /* the x bits: MUST be 0 */
#define PD_L2TP_HDR_RESERVED_V3 0x37f0 /* v3 defines neither O nor P */

/* AVP header (RFC 2661 section 4.1): M H rsvd(4) Length(10), Vendor, Type. */
#define PD_L2TP_AVP_M 0x8000
#define PD_L2TP_AVP_H 0x4000
#define PD_L2TP_AVP_RESERVED 0x3c00
#define PD_L2TP_AVP_LEN_MASK 0x03ff
#define PD_L2TP_AVP_HEADER_LEN 6

#define PD_L2TP_MAX_AVPS 48 /* AVPs listed per message (a real SCCRQ has about 12) */

/* Message Type AVP values (RFC 2661 section 3.2; 20 from RFC 3931). */
typedef enum pd_l2tp_msg_type {
    PD_L2TP_SCCRQ = 1,   /* Start-Control-Connection-Request */
    PD_L2TP_SCCRP = 2,   /* Start-Control-Connection-Reply */
    PD_L2TP_SCCCN = 3,   /* Start-Control-Connection-Connected */
    PD_L2TP_STOPCCN = 4, /* Stop-Control-Connection-Notification */
    PD_L2TP_HELLO = 6,   /* Hello (keepalive) */
    PD_L2TP_OCRQ = 7,    /* Outgoing-Call-Request */
    PD_L2TP_OCRP = 8,    /* Outgoing-Call-Reply */
    PD_L2TP_OCCN = 9,    /* Outgoing-Call-Connected */
    PD_L2TP_ICRQ = 10,   /* Incoming-Call-Request */
    PD_L2TP_ICRP = 11,   /* Incoming-Call-Reply */
    PD_L2TP_ICCN = 12,   /* Incoming-Call-Connected */
    PD_L2TP_CDN = 14,    /* Call-Disconnect-Notify */
    PD_L2TP_WEN = 15,    /* WAN-Error-Notify */
    PD_L2TP_SLI = 16,    /* Set-Link-Info */
    PD_L2TP_ACK = 20     /* L2TPv3 explicit acknowledgement */
} pd_l2tp_msg_type;

/* Attribute types with IETF Vendor ID 0 (RFC 2661 section 4.4; 46 from
 * RFC 3145; 58.. from RFC 3931). */
typedef enum pd_l2tp_avp_type {
    PD_L2TP_AVP_MESSAGE_TYPE = 0,
    PD_L2TP_AVP_RESULT_CODE = 1,
    PD_L2TP_AVP_PROTOCOL_VERSION = 2,
    PD_L2TP_AVP_FRAMING_CAPS = 3,
    PD_L2TP_AVP_BEARER_CAPS = 4,
    PD_L2TP_AVP_TIE_BREAKER = 5,
    PD_L2TP_AVP_FIRMWARE = 6,
    PD_L2TP_AVP_HOST_NAME = 7,
    PD_L2TP_AVP_VENDOR_NAME = 8,
    PD_L2TP_AVP_ASSIGNED_TUNNEL = 9,
    PD_L2TP_AVP_RECEIVE_WINDOW = 10,
    PD_L2TP_AVP_CHALLENGE = 11,
    PD_L2TP_AVP_Q931_CAUSE = 12,
    PD_L2TP_AVP_CHALLENGE_RESPONSE = 13,
    PD_L2TP_AVP_ASSIGNED_SESSION = 14,
    PD_L2TP_AVP_CALL_SERIAL = 15,
    PD_L2TP_AVP_MIN_BPS = 16,
    PD_L2TP_AVP_MAX_BPS = 17,
    PD_L2TP_AVP_BEARER_TYPE = 18,
    PD_L2TP_AVP_FRAMING_TYPE = 19,
    PD_L2TP_AVP_CALLED_NUMBER = 21,
    PD_L2TP_AVP_CALLING_NUMBER = 22,
    PD_L2TP_AVP_SUB_ADDRESS = 23,
    PD_L2TP_AVP_TX_CONNECT_SPEED = 24,
    PD_L2TP_AVP_PHYSICAL_CHANNEL = 25,
    PD_L2TP_AVP_INITIAL_RCVD_CONFREQ = 26, /* proxy LCP (section 4.4.5) */
    PD_L2TP_AVP_LAST_SENT_CONFREQ = 27,
    PD_L2TP_AVP_LAST_RCVD_CONFREQ = 28,
    PD_L2TP_AVP_PROXY_AUTHEN_TYPE = 29, /* proxy authentication */
    PD_L2TP_AVP_PROXY_AUTHEN_NAME = 30,
    PD_L2TP_AVP_PROXY_AUTHEN_CHALLENGE = 31,
    PD_L2TP_AVP_PROXY_AUTHEN_ID = 32,
    PD_L2TP_AVP_PROXY_AUTHEN_RESPONSE = 33,
    PD_L2TP_AVP_CALL_ERRORS = 34,
    PD_L2TP_AVP_ACCM = 35,
    PD_L2TP_AVP_RANDOM_VECTOR = 36,
    PD_L2TP_AVP_PRIVATE_GROUP = 37,
    PD_L2TP_AVP_RX_CONNECT_SPEED = 38,
    PD_L2TP_AVP_SEQUENCING_REQUIRED = 39,
    PD_L2TP_AVP_PPP_DISCONNECT_CAUSE = 46, /* RFC 3145 */
    PD_L2TP_AVP_ASSIGNED_CONN_ID = 61,     /* RFC 3931: Assigned Control Connection ID */
    PD_L2TP_AVP_LOCAL_SESSION_ID = 63,
    PD_L2TP_AVP_REMOTE_SESSION_ID = 64,
    PD_L2TP_AVP_PSEUDOWIRE_TYPE = 68
} pd_l2tp_avp_type;

/* Framing (3, 19) and Bearer (4, 18) bits (RFC 2661 sections 4.4.3, 4.4.5). */
#define PD_L2TP_FRAMING_SYNC 0x1
#define PD_L2TP_FRAMING_ASYNC 0x2
#define PD_L2TP_BEARER_DIGITAL 0x1
#define PD_L2TP_BEARER_ANALOG 0x2

typedef enum pd_l2tp_status {
    PD_L2TP_OK,
    PD_L2TP_TRUNCATED,  /* the capture (snaplen) cut the message: not damage */
    PD_L2TP_MALFORMED,  /* the bytes on the wire are inconsistent: see `anomalies` */
    PD_L2TP_BAD_VERSION /* Ver neither 2 nor 3 (1 is L2F, RFC 2341, which shares the port) */
} pd_l2tp_status;

/* What is wrong with a message. The MALFORMED group makes status MALFORMED;
 * the rest are oddities a receiver would tolerate or that only hint at
 * damage. */
#define PD_L2TP_ANOM_LENGTH_SHORT 0x00000001u    /* Length below the header it announces */
#define PD_L2TP_ANOM_LENGTH_LONG 0x00000002u     /* Length beyond the bytes on the wire */
#define PD_L2TP_ANOM_OFFSET_OVERRUN 0x00000004u  /* offset padding runs past the message */
#define PD_L2TP_ANOM_CTRL_NO_LENGTH 0x00000008u  /* control message without L */
#define PD_L2TP_ANOM_CTRL_NO_SEQ 0x00000010u     /* control message without S */
#define PD_L2TP_ANOM_AVP_SHORT 0x00000020u       /* an AVP Length below 6 (0 included) */
#define PD_L2TP_ANOM_AVP_OVERRUN 0x00000040u     /* an AVP runs past the message */
#define PD_L2TP_ANOM_AVP_BAD_SIZE 0x00000080u    /* a known AVP with a value of the wrong size */
#define PD_L2TP_ANOM_NO_MSG_TYPE 0x00000100u     /* AVPs, but the first is not Message Type */
#define PD_L2TP_ANOM_MSG_TYPE_HIDDEN 0x00000200u /* Message Type hidden (section 4.4.1: MUST NOT) */
#define PD_L2TP_ANOM_HEADER_SHORT 0x00000400u    /* the datagram ends inside the header */
#define PD_L2TP_ANOM_MALFORMED_MASK 0x000007ffu
#define PD_L2TP_ANOM_RESERVED_BITS 0x00010000u   /* reserved header bits set */
#define PD_L2TP_ANOM_CTRL_OFFSET 0x00020000u     /* control message with O (MUST be 0) */
#define PD_L2TP_ANOM_CTRL_PRIORITY 0x00040000u   /* control message with P (MUST be 0) */
#define PD_L2TP_ANOM_TRAILING 0x00080000u        /* bytes after Length */
#define PD_L2TP_ANOM_AVP_RESERVED 0x00100000u    /* reserved AVP header bits set */
#define PD_L2TP_ANOM_UNKNOWN_TYPE 0x00200000u    /* Message Type not one RFC 2661/3931 defines */

/* A run of bytes inside the caller's buffer. */
typedef struct pd_l2tp_bytes {
    const uint8_t *p;
    size_t len;
} pd_l2tp_bytes;

typedef struct pd_l2tp_avp {
    bool mandatory; /* M */
    bool hidden;    /* H: the value is encrypted (RFC 2661 section 4.3) */
    uint16_t length; /* 10-bit Length, header included */
    uint16_t vendor; /* 0: IETF */
    uint16_t type;
    pd_l2tp_bytes value; /* captured bytes of the value (fewer than length - 6 when cut) */
} pd_l2tp_avp;

/* The values of the IETF AVPs that matter for diagnosis. Each is valid
 * when pd_l2tp_has(msg, type) says so (present, not hidden, right size). */
typedef struct pd_l2tp_values {
    uint16_t result_code;    /* 1: meaning depends on the message (StopCCN or CDN) */
    bool has_error_code;
    uint16_t error_code;     /* the General Error Code (section 4.4.2) */
    pd_l2tp_bytes error_message; /* optional text after the error code */
    uint8_t protocol_version, protocol_revision; /* 2: 1.0 for L2TPv2 */
    uint32_t framing_caps;   /* 3: PD_L2TP_FRAMING_* */
    uint32_t bearer_caps;    /* 4: PD_L2TP_BEARER_* */
    uint64_t tie_breaker;    /* 5 */
    uint16_t firmware;       /* 6 */
    pd_l2tp_bytes host_name; /* 7 */
    pd_l2tp_bytes vendor_name; /* 8 */
    uint16_t assigned_tunnel; /* 9: the sender's Tunnel ID */
    uint16_t receive_window; /* 10 */
    size_t challenge_len;    /* 11: tunnel authentication requested */
    uint16_t q931_cause;     /* 12 */
    uint8_t q931_msg;
    pd_l2tp_bytes q931_advisory;
    uint16_t assigned_session; /* 14: the sender's Session ID */
    uint32_t call_serial;    /* 15 */
    uint32_t min_bps, max_bps; /* 16, 17 */
    uint32_t bearer_type;    /* 18 */
    uint32_t framing_type;   /* 19 */
    pd_l2tp_bytes called_number, calling_number, sub_address; /* 21, 22, 23 */
    uint32_t tx_connect_speed; /* 24 */
    uint32_t physical_channel; /* 25 */
    uint16_t proxy_authen_type; /* 29 */
    pd_l2tp_bytes proxy_authen_name; /* 30 */
    uint32_t rx_connect_speed; /* 38 */
    uint16_t ppp_disc_code;  /* 46 (RFC 3145) */
    uint16_t ppp_disc_protocol;
    uint8_t ppp_disc_direction;
    pd_l2tp_bytes ppp_disc_message;
    uint32_t assigned_conn_id;  /* 61 */
    uint32_t local_session_id;  /* 63 */
    uint32_t remote_session_id; /* 64 */
    uint16_t pseudowire_type;   /* 68 */
} pd_l2tp_values;

typedef struct pd_l2tp_msg {
    pd_l2tp_status status;
    uint32_t anomalies; /* PD_L2TP_ANOM_* */

    /* ---- header ---- */
    uint8_t version;   /* 2 or 3 (as read, even when status is BAD_VERSION) */
    bool over_ip;      /* L2TPv3 over IP protocol 115 */
    uint16_t flags;    /* the first 16 bits as sent */
    bool is_control;   /* T */
    bool has_length;   /* L */
    uint16_t length;   /* the Length field: the whole message, header included */
    bool has_seq;      /* S */
    uint16_t ns, nr;
    bool has_offset;   /* O */
    uint16_t offset_size;
    bool priority;     /* P */
    uint16_t tunnel_id;  /* v2: the receiver's Tunnel ID (0 in an SCCRQ) */
    uint16_t session_id; /* v2: the receiver's Session ID (0 on tunnel messages) */
    uint32_t conn_id;    /* v3 control: the receiver's Control Connection ID */
    uint32_t v3_session_id; /* v3 data: the receiver's Session ID */
    bool header_complete; /* every header field (and the offset pad) was read */
    size_t header_len;    /* bytes before the payload or the first AVP */
    size_t wire_len;      /* the message on the wire (Length when L, else all) */

    /* ---- data messages ---- */
    pd_l2tp_bytes payload;   /* captured bytes after the header (v2: a PPP frame) */
    size_t payload_wire_len; /* payload bytes on the wire */

    /* ---- control messages ---- */
    bool zlb; /* no AVPs at all: a Zero-Length Body acknowledgement (section 5.8) */
    bool has_msg_type;
    uint16_t msg_type;
    pd_l2tp_avp avps[PD_L2TP_MAX_AVPS]; /* in message order */
    size_t n_avps;
    bool avps_overflow;   /* more AVPs than listed (all were still walked) */
    bool avps_complete;   /* walked to the end of the message */
    uint32_t avp_count;   /* all AVPs walked */
    uint32_t hidden_avps; /* with the H bit */
    uint32_t vendor_avps; /* Vendor ID not 0 */
    uint32_t unknown_mandatory; /* M set, attribute unknown: a receiver must tear down */
    uint8_t present[16];  /* bit per IETF attribute 0..127: present and decoded */
    uint8_t hidden[16];   /* bit per IETF attribute 0..127: present but hidden */
    pd_l2tp_values v;
} pd_l2tp_msg;

/* An L2TP message over UDP (v2, or v3 by its Ver field). data/caplen: the
 * UDP payload as captured; wire_len: its length on the wire (values below
 * caplen are taken as caplen). Never reads outside data[0..caplen). */
pd_l2tp_status pd_l2tp_decode(const uint8_t *data, size_t caplen, size_t wire_len,
                              pd_l2tp_msg *out);
/* L2TPv3 over IP protocol 115 (RFC 3931 section 4.1.1.1): a Session ID of 0
 * introduces a control message; any other value is a data message. */
pd_l2tp_status pd_l2tp_decode_ip(const uint8_t *data, size_t caplen, size_t wire_len,
                                 pd_l2tp_msg *out);

/* The IETF attribute was present and its value decoded (not hidden, right size). */
bool pd_l2tp_has(const pd_l2tp_msg *m, uint16_t type);
/* The IETF attribute was present with the H bit (its value unknown). */
bool pd_l2tp_is_hidden(const pd_l2tp_msg *m, uint16_t type);

/* ---- names ---- */
/* Each returns a static string, "Unknown" for values it does not know. */
const char *pd_l2tp_status_name(pd_l2tp_status s);
const char *pd_l2tp_msg_name(uint16_t type);   /* "Start-Control-Connection-Request" */
const char *pd_l2tp_msg_abbrev(uint16_t type); /* "SCCRQ" */
const char *pd_l2tp_avp_name(uint16_t type);   /* "Assigned Tunnel ID" */
/* The Result Code's meaning depends on the message (RFC 2661 section
 * 4.4.2): StopCCN and CDN have separate lists; other messages carry none. */
const char *pd_l2tp_result_name(uint16_t msg_type, uint16_t result);
const char *pd_l2tp_error_name(uint16_t error); /* the General Error Codes */
const char *pd_l2tp_proxy_authen_name(uint16_t type); /* "PPP CHAP" */
/* Text for the most significant anomaly set in `anomalies`, "" for none. */
const char *pd_l2tp_anomaly_text(uint32_t anomalies);
/* "sync+async" for framing, "analog+digital" for bearer bits; "none". */
const char *pd_l2tp_framing_text(uint32_t bits);
const char *pd_l2tp_bearer_text(uint32_t bits);

/* Copy hostile text as printable: stops at NUL, '.' for other
 * non-printables, always NUL-terminates (out_size > 0). Returns strlen(out). */
size_t pd_l2tp_text_copy(const pd_l2tp_bytes *b, char *out, size_t out_size);

/* Describe flags */
#define PD_L2TP_DESCRIBE_SEQ 0x1 /* add Ns/Nr (then retransmissions no longer describe equally) */

/* One line for a ladder, e.g.
 *   SCCRQ [Assigned Tunnel 12, Host "client", Vendor "xelerance.com", Window 4, Challenge]
 *   StopCCN to tunnel 7 [Assigned Tunnel 12, Result 4 "Requester is not authorized ...",
 *       Error 0, "no such peer"]
 *   ZLB to tunnel 7
 *   L2TPv3 SCCRQ to control connection 0x00000000 [...]
 * Without PD_L2TP_DESCRIBE_SEQ a retransmission describes exactly like the
 * original. Returns strlen(buf); always NUL-terminates when len > 0. */
size_t pd_l2tp_describe(const pd_l2tp_msg *m, char *buf, size_t len, unsigned flags);

#endif
