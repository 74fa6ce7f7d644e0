/* pptp.c - PPTP control message decoder and TCP stream framer (RFC 2637).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pptp.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pcapdiag/cursor.h"

/* Fixed sizes from the message diagrams of RFC 2637 section 2. */
static const uint16_t msg_sizes[16] = {
    0,   /* unused */
    156, /* SCCRQ */
    156, /* SCCRP */
    16,  /* StopCCRQ */
    16,  /* StopCCRP */
    16,  /* Echo-Request */
    20,  /* Echo-Reply */
    168, /* OCRQ */
    32,  /* OCRP */
    220, /* ICRQ */
    24,  /* ICRP */
    28,  /* ICCN */
    16,  /* CCRQ */
    148, /* CDN */
    40,  /* WEN */
    24,  /* SLI */
};

size_t pd_pptp_msg_size(uint16_t ctrl_type)
{
    return ctrl_type < G_N_ELEMENTS(msg_sizes) ? msg_sizes[ctrl_type] : 0;
}

/* Copy a fixed-size, NUL-padded string field. The bytes are hostile and end
 * up in reports (JSON, terminals), so only printable ASCII survives. */
static void copy_field(char *dst, size_t dst_size, const uint8_t *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < dst_size; i++) {
        uint8_t b = src[i];
        if (b == 0)
            break;
        dst[o++] = (b >= 0x20 && b < 0x7f) ? (char)b : '.';
    }
    dst[o] = '\0';
}

/* Read an n-byte string field into dst; leaves dst empty when cut short. */
static void read_str(pd_cursor *c, size_t n, char *dst, size_t dst_size)
{
    const uint8_t *p;
    if (pd_cursor_bytes(c, n, &p))
        copy_field(dst, dst_size, p, n);
}

static void decode_sccr(pd_cursor *c, pd_pptp_sccr *m)
{
    pd_cursor_be16(c, &m->protocol_version);
    pd_cursor_u8(c, &m->result_code);
    pd_cursor_u8(c, &m->error_code);
    pd_cursor_be32(c, &m->framing_caps);
    pd_cursor_be32(c, &m->bearer_caps);
    pd_cursor_be16(c, &m->max_channels);
    pd_cursor_be16(c, &m->firmware_rev);
    read_str(c, PD_PPTP_NAME_LEN, m->host_name, sizeof m->host_name);
    read_str(c, PD_PPTP_NAME_LEN, m->vendor, sizeof m->vendor);
}

static void decode_body(pd_cursor *c, pd_pptp_msg *m)
{
    uint16_t r16;
    uint8_t r8;

    switch (m->ctrl_type) {
    case PD_PPTP_SCCRQ:
    case PD_PPTP_SCCRP:
        decode_sccr(c, &m->u.sccr);
        if (m->ctrl_type == PD_PPTP_SCCRQ) {
            /* Reserved1 in the request: not a result */
            m->u.sccr.result_code = m->u.sccr.error_code = 0;
        } else if (c->len >= 3) {
            m->has_result = true;
            m->result_code = m->u.sccr.result_code;
            m->error_code = m->u.sccr.error_code;
        }
        break;
    case PD_PPTP_STOPCCRQ:
        pd_cursor_u8(c, &m->u.stopccrq.reason);
        pd_cursor_u8(c, &r8);
        pd_cursor_be16(c, &r16);
        break;
    case PD_PPTP_STOPCCRP:
        m->has_result = pd_cursor_u8(c, &m->u.stopccrp.result_code);
        pd_cursor_u8(c, &m->u.stopccrp.error_code);
        pd_cursor_be16(c, &r16);
        m->result_code = m->u.stopccrp.result_code;
        m->error_code = m->u.stopccrp.error_code;
        break;
    case PD_PPTP_ECHORQ:
        pd_cursor_be32(c, &m->u.echo.identifier);
        break;
    case PD_PPTP_ECHORP:
        pd_cursor_be32(c, &m->u.echo.identifier);
        m->has_result = pd_cursor_u8(c, &m->u.echo.result_code);
        pd_cursor_u8(c, &m->u.echo.error_code);
        pd_cursor_be16(c, &r16);
        m->result_code = m->u.echo.result_code;
        m->error_code = m->u.echo.error_code;
        break;
    case PD_PPTP_OCRQ: {
        pd_pptp_ocrq *o = &m->u.ocrq;
        m->has_call_id = pd_cursor_be16(c, &o->call_id);
        m->call_id = o->call_id;
        pd_cursor_be16(c, &o->call_serial);
        pd_cursor_be32(c, &o->min_bps);
        pd_cursor_be32(c, &o->max_bps);
        pd_cursor_be32(c, &o->bearer_type);
        pd_cursor_be32(c, &o->framing_type);
        pd_cursor_be16(c, &o->recv_window);
        pd_cursor_be16(c, &o->processing_delay);
        pd_cursor_be16(c, &o->phone_number_len);
        pd_cursor_be16(c, &r16);
        read_str(c, PD_PPTP_NAME_LEN, o->phone_number, sizeof o->phone_number);
        read_str(c, PD_PPTP_NAME_LEN, o->subaddress, sizeof o->subaddress);
        break;
    }
    case PD_PPTP_OCRP: {
        pd_pptp_ocrp *o = &m->u.ocrp;
        m->has_call_id = pd_cursor_be16(c, &o->call_id);
        m->has_peer_call_id = pd_cursor_be16(c, &o->peer_call_id);
        m->has_result = pd_cursor_u8(c, &o->result_code);
        pd_cursor_u8(c, &o->error_code);
        pd_cursor_be16(c, &o->cause_code);
        pd_cursor_be32(c, &o->connect_speed);
        pd_cursor_be16(c, &o->recv_window);
        pd_cursor_be16(c, &o->processing_delay);
        pd_cursor_be32(c, &o->physical_channel);
        m->call_id = o->call_id;
        m->peer_call_id = o->peer_call_id;
        m->result_code = o->result_code;
        m->error_code = o->error_code;
        break;
    }
    case PD_PPTP_ICRQ: {
        pd_pptp_icrq *o = &m->u.icrq;
        m->has_call_id = pd_cursor_be16(c, &o->call_id);
        m->call_id = o->call_id;
        pd_cursor_be16(c, &o->call_serial);
        pd_cursor_be32(c, &o->bearer_type);
        pd_cursor_be32(c, &o->physical_channel);
        pd_cursor_be16(c, &o->dialed_number_len);
        pd_cursor_be16(c, &o->dialing_number_len);
        read_str(c, PD_PPTP_NAME_LEN, o->dialed_number, sizeof o->dialed_number);
        read_str(c, PD_PPTP_NAME_LEN, o->dialing_number, sizeof o->dialing_number);
        read_str(c, PD_PPTP_NAME_LEN, o->subaddress, sizeof o->subaddress);
        break;
    }
    case PD_PPTP_ICRP: {
        pd_pptp_icrp *o = &m->u.icrp;
        m->has_call_id = pd_cursor_be16(c, &o->call_id);
        m->has_peer_call_id = pd_cursor_be16(c, &o->peer_call_id);
        m->has_result = pd_cursor_u8(c, &o->result_code);
        pd_cursor_u8(c, &o->error_code);
        pd_cursor_be16(c, &o->recv_window);
        pd_cursor_be16(c, &o->transmit_delay);
        pd_cursor_be16(c, &r16);
        m->call_id = o->call_id;
        m->peer_call_id = o->peer_call_id;
        m->result_code = o->result_code;
        m->error_code = o->error_code;
        break;
    }
    case PD_PPTP_ICCN: {
        pd_pptp_iccn *o = &m->u.iccn;
        m->has_peer_call_id = pd_cursor_be16(c, &o->peer_call_id);
        m->peer_call_id = o->peer_call_id;
        pd_cursor_be16(c, &r16);
        pd_cursor_be32(c, &o->connect_speed);
        pd_cursor_be16(c, &o->recv_window);
        pd_cursor_be16(c, &o->transmit_delay);
        pd_cursor_be32(c, &o->framing_type);
        break;
    }
    case PD_PPTP_CCRQ:
        m->has_call_id = pd_cursor_be16(c, &m->u.ccrq.call_id);
        m->call_id = m->u.ccrq.call_id;
        pd_cursor_be16(c, &r16);
        break;
    case PD_PPTP_CDN: {
        pd_pptp_cdn *o = &m->u.cdn;
        m->has_call_id = pd_cursor_be16(c, &o->call_id);
        m->has_result = pd_cursor_u8(c, &o->result_code);
        pd_cursor_u8(c, &o->error_code);
        pd_cursor_be16(c, &o->cause_code);
        pd_cursor_be16(c, &r16);
        read_str(c, PD_PPTP_STATS_LEN, o->call_stats, sizeof o->call_stats);
        m->call_id = o->call_id;
        m->result_code = o->result_code;
        m->error_code = o->error_code;
        break;
    }
    case PD_PPTP_WEN: {
        pd_pptp_wen *o = &m->u.wen;
        m->has_peer_call_id = pd_cursor_be16(c, &o->peer_call_id);
        m->peer_call_id = o->peer_call_id;
        pd_cursor_be16(c, &r16);
        pd_cursor_be32(c, &o->crc_errors);
        pd_cursor_be32(c, &o->framing_errors);
        pd_cursor_be32(c, &o->hardware_overruns);
        pd_cursor_be32(c, &o->buffer_overruns);
        pd_cursor_be32(c, &o->timeout_errors);
        pd_cursor_be32(c, &o->alignment_errors);
        break;
    }
    case PD_PPTP_SLI: {
        pd_pptp_sli *o = &m->u.sli;
        m->has_peer_call_id = pd_cursor_be16(c, &o->peer_call_id);
        m->peer_call_id = o->peer_call_id;
        pd_cursor_be16(c, &r16);
        pd_cursor_be32(c, &o->send_accm);
        pd_cursor_be32(c, &o->recv_accm);
        break;
    }
    default:
        break;
    }
}

pd_pptp_status pd_pptp_decode(const uint8_t *data, size_t len, pd_pptp_msg *out)
{
    memset(out, 0, sizeof *out);
    pd_cursor c = pd_cursor_make(data, len);

    if (!pd_cursor_be16(&c, &out->length) || !pd_cursor_be16(&c, &out->pptp_type) ||
        !pd_cursor_be32(&c, &out->magic))
        return out->status = PD_PPTP_TRUNCATED;
    if (out->magic != PD_PPTP_MAGIC)
        return out->status = PD_PPTP_BAD_MAGIC;
    if (!pd_cursor_be16(&c, &out->ctrl_type) || !pd_cursor_be16(&c, &out->reserved0))
        return out->status = PD_PPTP_TRUNCATED;

    out->expected_len = pd_pptp_msg_size(out->ctrl_type);
    if (out->pptp_type != PD_PPTP_MSG_CONTROL || out->expected_len == 0)
        return out->status = PD_PPTP_UNKNOWN_TYPE;

    /* The body is what Length covers, as far as it was given to us. A
     * Length below the header leaves no body at all. */
    size_t body_len = out->length > PD_PPTP_HEADER_LEN ? out->length - PD_PPTP_HEADER_LEN : 0;
    if (body_len > pd_cursor_remaining(&c))
        body_len = pd_cursor_remaining(&c);
    pd_cursor body;
    pd_cursor_sub(&c, body_len, &body);
    decode_body(&body, out);
    out->body_complete = !body.truncated;

    if (out->length != out->expected_len)
        return out->status = PD_PPTP_BAD_LENGTH;
    if (!out->body_complete)
        return out->status = PD_PPTP_TRUNCATED;
    return out->status = PD_PPTP_OK;
}

/* ---- names ---------------------------------------------------------------- */

#define NAME_OR_UNKNOWN(table, v) \
    (((size_t)(v) < G_N_ELEMENTS(table) && (table)[(v)]) ? (table)[(v)] : "Unknown")

const char *pd_pptp_status_name(pd_pptp_status s)
{
    static const char *const names[] = {
        [PD_PPTP_OK] = "ok",
        [PD_PPTP_TRUNCATED] = "truncated",
        [PD_PPTP_BAD_MAGIC] = "bad magic cookie",
        [PD_PPTP_BAD_LENGTH] = "bad length",
        [PD_PPTP_UNKNOWN_TYPE] = "unknown message type",
    };
    return NAME_OR_UNKNOWN(names, s);
}

const char *pd_pptp_msg_name(uint16_t t)
{
    static const char *const names[] = {
        [PD_PPTP_SCCRQ] = "Start-Control-Connection-Request",
        [PD_PPTP_SCCRP] = "Start-Control-Connection-Reply",
        [PD_PPTP_STOPCCRQ] = "Stop-Control-Connection-Request",
        [PD_PPTP_STOPCCRP] = "Stop-Control-Connection-Reply",
        [PD_PPTP_ECHORQ] = "Echo-Request",
        [PD_PPTP_ECHORP] = "Echo-Reply",
        [PD_PPTP_OCRQ] = "Outgoing-Call-Request",
        [PD_PPTP_OCRP] = "Outgoing-Call-Reply",
        [PD_PPTP_ICRQ] = "Incoming-Call-Request",
        [PD_PPTP_ICRP] = "Incoming-Call-Reply",
        [PD_PPTP_ICCN] = "Incoming-Call-Connected",
        [PD_PPTP_CCRQ] = "Call-Clear-Request",
        [PD_PPTP_CDN] = "Call-Disconnect-Notify",
        [PD_PPTP_WEN] = "WAN-Error-Notify",
        [PD_PPTP_SLI] = "Set-Link-Info",
    };
    return NAME_OR_UNKNOWN(names, t);
}

const char *pd_pptp_msg_abbrev(uint16_t t)
{
    static const char *const names[] = {
        [PD_PPTP_SCCRQ] = "SCCRQ", [PD_PPTP_SCCRP] = "SCCRP",   [PD_PPTP_STOPCCRQ] = "StopCCRQ",
        [PD_PPTP_STOPCCRP] = "StopCCRP", [PD_PPTP_ECHORQ] = "EchoRQ", [PD_PPTP_ECHORP] = "EchoRP",
        [PD_PPTP_OCRQ] = "OCRQ",   [PD_PPTP_OCRP] = "OCRP",     [PD_PPTP_ICRQ] = "ICRQ",
        [PD_PPTP_ICRP] = "ICRP",   [PD_PPTP_ICCN] = "ICCN",     [PD_PPTP_CCRQ] = "CCRQ",
        [PD_PPTP_CDN] = "CDN",     [PD_PPTP_WEN] = "WEN",       [PD_PPTP_SLI] = "SLI",
    };
    return NAME_OR_UNKNOWN(names, t);
}

const char *pd_pptp_result_name(uint16_t ctrl_type, uint8_t result)
{
    /* RFC 2637 sections 2.2, 2.4, 2.6, 2.8, 2.10, 2.13 */
    static const char *const sccrp[] = {
        [1] = "Success", [2] = "General error", [3] = "Command channel exists",
        [4] = "Not authorized", [5] = "Unsupported version",
    };
    static const char *const ok_general[] = { [1] = "OK", [2] = "General error" };
    static const char *const ocrp[] = {
        [1] = "Connected", [2] = "General error", [3] = "No carrier", [4] = "Busy",
        [5] = "No dial tone", [6] = "Time-out", [7] = "Do not accept",
    };
    static const char *const icrp[] = { [1] = "Connect", [2] = "General error", [3] = "Do not accept" };
    static const char *const cdn[] = {
        [1] = "Lost carrier", [2] = "General error", [3] = "Admin shutdown", [4] = "Request",
    };
    switch (ctrl_type) {
    case PD_PPTP_SCCRP: return NAME_OR_UNKNOWN(sccrp, result);
    case PD_PPTP_STOPCCRP:
    case PD_PPTP_ECHORP: return NAME_OR_UNKNOWN(ok_general, result);
    case PD_PPTP_OCRP: return NAME_OR_UNKNOWN(ocrp, result);
    case PD_PPTP_ICRP: return NAME_OR_UNKNOWN(icrp, result);
    case PD_PPTP_CDN: return NAME_OR_UNKNOWN(cdn, result);
    default: return "Unknown";
    }
}

bool pd_pptp_result_ok(uint16_t ctrl_type, uint8_t result)
{
    switch (ctrl_type) {
    case PD_PPTP_SCCRP:
    case PD_PPTP_STOPCCRP:
    case PD_PPTP_ECHORP:
    case PD_PPTP_OCRP:
    case PD_PPTP_ICRP:
        return result == PD_PPTP_RESULT_OK;
    default:
        return false;
    }
}

const char *pd_pptp_error_name(uint8_t error)
{
    /* RFC 2637 section 2.16, General Error Codes */
    static const char *const names[] = {
        [0] = "None",      [1] = "Not-Connected", [2] = "Bad-Format", [3] = "Bad-Value",
        [4] = "No-Resource", [5] = "Bad-Call ID", [6] = "PAC-Error",
    };
    return NAME_OR_UNKNOWN(names, error);
}

const char *pd_pptp_stop_reason_name(uint8_t reason)
{
    static const char *const names[] = {
        [1] = "None", [2] = "Stop-Protocol", [3] = "Stop-Local-Shutdown",
    };
    return NAME_OR_UNKNOWN(names, reason);
}

/* ---- describe ------------------------------------------------------------- */

typedef struct sbuf {
    char *buf;
    size_t len, pos;
} sbuf;

G_GNUC_PRINTF(2, 3)
static void sb_printf(sbuf *s, const char *fmt, ...)
{
    if (s->len == 0 || s->pos >= s->len - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->buf + s->pos, s->len - s->pos, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    s->pos += (size_t)n;
    if (s->pos > s->len - 1)
        s->pos = s->len - 1;
}

static void sb_result(sbuf *s, const pd_pptp_msg *m)
{
    if (!m->has_result)
        return;
    sb_printf(s, " result %s (%u)", pd_pptp_result_name(m->ctrl_type, m->result_code),
              m->result_code);
    if (m->error_code != 0)
        sb_printf(s, " error %s (%u)", pd_pptp_error_name(m->error_code), m->error_code);
}

size_t pd_pptp_describe(const pd_pptp_msg *m, char *buf, size_t len)
{
    sbuf s = { buf, len, 0 };
    if (len > 0)
        buf[0] = '\0';

    switch (m->status) {
    case PD_PPTP_BAD_MAGIC:
        sb_printf(&s, "PPTP bad magic cookie 0x%08x", m->magic);
        return s.pos;
    case PD_PPTP_UNKNOWN_TYPE:
        sb_printf(&s, "PPTP unknown message type %u/%u", m->pptp_type, m->ctrl_type);
        return s.pos;
    case PD_PPTP_TRUNCATED:
        if (m->ctrl_type == 0) {
            sb_printf(&s, "PPTP truncated header");
            return s.pos;
        }
        break;
    default:
        break;
    }

    sb_printf(&s, "%s", pd_pptp_msg_name(m->ctrl_type));
    const uint16_t t = m->ctrl_type;
    if (t == PD_PPTP_SCCRQ || t == PD_PPTP_SCCRP) {
        sb_printf(&s, " version %u.%u", m->u.sccr.protocol_version >> 8,
                  m->u.sccr.protocol_version & 0xff);
        sb_result(&s, m);
        if (m->u.sccr.host_name[0])
            sb_printf(&s, " host \"%s\"", m->u.sccr.host_name);
        if (m->u.sccr.vendor[0])
            sb_printf(&s, " vendor \"%s\"", m->u.sccr.vendor);
    } else if (t == PD_PPTP_STOPCCRQ) {
        sb_printf(&s, " reason %s (%u)", pd_pptp_stop_reason_name(m->u.stopccrq.reason),
                  m->u.stopccrq.reason);
    } else if (t == PD_PPTP_ECHORQ || t == PD_PPTP_ECHORP) {
        sb_printf(&s, " id 0x%08x", m->u.echo.identifier);
        sb_result(&s, m);
    } else if (t == PD_PPTP_WEN) {
        const pd_pptp_wen *w = &m->u.wen;
        sb_printf(&s, " peer %u crc %u framing %u hw-overrun %u buf-overrun %u timeout %u align %u",
                  m->peer_call_id, w->crc_errors, w->framing_errors, w->hardware_overruns,
                  w->buffer_overruns, w->timeout_errors, w->alignment_errors);
    } else if (t == PD_PPTP_SLI) {
        sb_printf(&s, " peer %u send-accm 0x%08x recv-accm 0x%08x", m->peer_call_id,
                  m->u.sli.send_accm, m->u.sli.recv_accm);
    } else {
        if (m->has_call_id)
            sb_printf(&s, " call %u", m->call_id);
        if (m->has_peer_call_id)
            sb_printf(&s, " peer %u", m->peer_call_id);
        sb_result(&s, m);
        if (t == PD_PPTP_CDN && m->u.cdn.cause_code)
            sb_printf(&s, " cause %u", m->u.cdn.cause_code);
        if (t == PD_PPTP_OCRP && m->u.ocrp.cause_code)
            sb_printf(&s, " cause %u", m->u.ocrp.cause_code);
    }

    if (m->status == PD_PPTP_BAD_LENGTH)
        sb_printf(&s, " [bad length %u, expected %zu]", m->length, m->expected_len);
    else if (m->status == PD_PPTP_TRUNCATED)
        sb_printf(&s, " [truncated]");
    return s.pos;
}

/* ---- framer --------------------------------------------------------------- */

/* Bytes needed to judge a header candidate: Length, Message Type, Magic. */
#define HDR_PEEK 8

void pd_pptp_framer_init(pd_pptp_framer *f)
{
    memset(f, 0, sizeof *f);
}

void pd_pptp_framer_free(pd_pptp_framer *f)
{
    g_free(f->buf);
    f->buf = NULL;
    f->buf_size = 0;
    f->have = 0;
}

static void ensure(pd_pptp_framer *f, size_t need)
{
    if (f->buf_size >= need)
        return;
    size_t n = f->buf_size ? f->buf_size : 256;
    while (n < need)
        n *= 2;
    if (n > PD_PPTP_MAX_MSG_LEN)
        n = PD_PPTP_MAX_MSG_LEN; /* need never exceeds a whole message */
    f->buf = g_realloc(f->buf, n);
    f->buf_size = n;
}

static void report_skip(pd_pptp_framer *f, uint64_t frame, int64_t ts_ns, pd_pptp_skip_fn on_skip,
                        void *user)
{
    if (f->skip_pending == 0)
        return;
    pd_pptp_skip_reason why = f->skip_after_gap ? PD_PPTP_SKIP_AFTER_GAP : PD_PPTP_SKIP_GARBAGE;
    if (why == PD_PPTP_SKIP_GARBAGE)
        f->garbage_runs++;
    if (on_skip)
        on_skip(why, f->skip_pending, f->skip_first_frame, frame, ts_ns, user);
    f->skip_pending = 0;
    f->skip_first_frame = 0;
}

static void note_skip(pd_pptp_framer *f, uint64_t n, uint64_t first_frame)
{
    if (f->skip_pending == 0) {
        f->skip_first_frame = first_frame;
        f->skip_after_gap = f->after_gap;
    }
    f->skip_pending += n;
    if (f->after_gap)
        f->gap_skipped_bytes += n;
    else
        f->garbage_bytes += n;
}

void pd_pptp_framer_push(pd_pptp_framer *f, const uint8_t *data, size_t len, uint64_t frame,
                         int64_t ts_ns, pd_pptp_msg_fn on_msg, pd_pptp_skip_fn on_skip, void *user)
{
    pd_cursor c = pd_cursor_make(data, len);
    f->bytes += len;

    while (pd_cursor_remaining(&c) > 0) {
        if (!f->in_msg) {
            /* Gather a header candidate. */
            ensure(f, HDR_PEEK);
            while (f->have < HDR_PEEK && pd_cursor_remaining(&c) > 0) {
                f->hdr_frame[f->have] = frame;
                pd_cursor_u8(&c, &f->buf[f->have++]);
            }
            if (f->have < HDR_PEEK)
                break;

            pd_cursor h = pd_cursor_make(f->buf, HDR_PEEK);
            uint16_t length = 0, type = 0;
            uint32_t magic = 0;
            pd_cursor_be16(&h, &length);
            pd_cursor_be16(&h, &type);
            pd_cursor_be32(&h, &magic);
            if (length < PD_PPTP_HEADER_LEN || magic != PD_PPTP_MAGIC) {
                /* Not a boundary: slide one byte and look again. Scanning a
                 * byte at a time finds a cookie at any alignment. */
                note_skip(f, 1, f->hdr_frame[0]);
                memmove(f->buf, f->buf + 1, HDR_PEEK - 1);
                memmove(f->hdr_frame, f->hdr_frame + 1, (HDR_PEEK - 1) * sizeof f->hdr_frame[0]);
                f->have = HDR_PEEK - 1;
                continue;
            }
            report_skip(f, frame, ts_ns, on_skip, user);
            f->after_gap = false;
            f->in_msg = true;
            f->msg_len = length;
            ensure(f, length);
        }

        size_t want = f->msg_len - f->have;
        size_t n = pd_cursor_remaining(&c) < want ? pd_cursor_remaining(&c) : want;
        const uint8_t *p;
        pd_cursor_bytes(&c, n, &p);
        memcpy(f->buf + f->have, p, n);
        f->have += n;
        if (f->have == f->msg_len) {
            f->messages++;
            f->in_msg = false;
            f->have = 0;
            if (on_msg)
                on_msg(f->buf, f->msg_len, f->hdr_frame[0], frame, ts_ns, user);
        }
    }
}

void pd_pptp_framer_gap(pd_pptp_framer *f, uint64_t frame, int64_t ts_ns, pd_pptp_skip_fn on_skip,
                        void *user)
{
    /* Garbage seen before the gap is its own finding. */
    if (f->skip_pending && !f->skip_after_gap)
        report_skip(f, frame, ts_ns, on_skip, user);
    f->gaps++;
    f->after_gap = true;
    if (f->have > 0) {
        note_skip(f, f->have, f->hdr_frame[0]);
        f->have = 0;
    }
    f->in_msg = false;
}

void pd_pptp_framer_finish(pd_pptp_framer *f, uint64_t frame, int64_t ts_ns,
                           pd_pptp_skip_fn on_skip, void *user)
{
    report_skip(f, frame, ts_ns, on_skip, user);
    if (f->have > 0) {
        f->end_pending_bytes += f->have;
        if (on_skip)
            on_skip(PD_PPTP_SKIP_AT_END, f->have, f->hdr_frame[0], frame, ts_ns, user);
    }
    f->have = 0;
    f->in_msg = false;
    f->after_gap = false;
}
