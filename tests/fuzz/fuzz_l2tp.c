/* fuzz_l2tp.c - fuzz target: the L2TP decoder (pd_l2tp_decode over UDP,
 * pd_l2tp_decode_ip over IP protocol 115), its lookups, names and
 * describe, and the PPP frame an L2TPv2 data message carries.
 *
 * Input layout:
 *   byte 0   bit 0: L2TPv3 over IP instead of UDP;
 *            bits 1-7: bytes the datagram had on the wire beyond those
 *            captured (a snaplen cut when non-zero)
 *   the rest the UDP (or IP) payload
 * The message is also decoded once more cut short, at a point chosen by
 * its last byte.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_ppp_check.h"
#include "l2tp.h"

static bool l2tp_bytes_inside(const pd_l2tp_bytes *b, const uint8_t *buf, size_t len)
{
    const pd_ppp_bytes pb = { b->p, b->len };
    return pd_fuzz_bytes_inside(&pb, buf, len);
}

static void check_text(const pd_l2tp_bytes *b, const uint8_t *buf, size_t len)
{
    PD_FUZZ_CHECK(l2tp_bytes_inside(b, buf, len));
    char out[48];
    size_t n = pd_l2tp_text_copy(b, out, sizeof out);
    PD_FUZZ_CHECK(n == strlen(out) && n < sizeof out);
}

static void decode(const uint8_t *buf, size_t caplen, size_t wire, bool over_ip)
{
    pd_l2tp_msg m;
    pd_l2tp_status st = over_ip ? pd_l2tp_decode_ip(buf, caplen, wire, &m)
                                : pd_l2tp_decode(buf, caplen, wire, &m);
    PD_FUZZ_CHECK(st == m.status);
    PD_FUZZ_CHECK(m.n_avps <= PD_L2TP_MAX_AVPS);
    if (st == PD_L2TP_MALFORMED)
        PD_FUZZ_CHECK((m.anomalies & PD_L2TP_ANOM_MALFORMED_MASK) != 0);
    PD_FUZZ_CHECK(l2tp_bytes_inside(&m.payload, buf, caplen));
    for (size_t i = 0; i < m.n_avps; i++) {
        PD_FUZZ_CHECK(l2tp_bytes_inside(&m.avps[i].value, buf, caplen));
        pd_fuzz_touch(pd_l2tp_avp_name(m.avps[i].type));
    }
    const pd_l2tp_bytes *texts[] = {
        &m.v.error_message, &m.v.host_name, &m.v.vendor_name, &m.v.q931_advisory,
        &m.v.called_number, &m.v.calling_number, &m.v.sub_address, &m.v.proxy_authen_name,
        &m.v.ppp_disc_message,
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        check_text(texts[i], buf, caplen);
    for (uint16_t t = 0; t < 130; t++) {
        (void)pd_l2tp_has(&m, t);
        (void)pd_l2tp_is_hidden(&m, t);
    }

    char line[512];
    for (unsigned flags = 0; flags <= PD_L2TP_DESCRIBE_SEQ; flags++) {
        size_t n = pd_l2tp_describe(&m, line, sizeof line, flags);
        PD_FUZZ_CHECK(n == strlen(line) && n < sizeof line);
        char small[13];
        n = pd_l2tp_describe(&m, small, sizeof small, flags);
        PD_FUZZ_CHECK(n == strlen(small) && n < sizeof small);
    }
    pd_fuzz_touch(pd_l2tp_status_name(st));
    pd_fuzz_touch(pd_l2tp_msg_name(m.msg_type));
    pd_fuzz_touch(pd_l2tp_msg_abbrev(m.msg_type));
    pd_fuzz_touch(pd_l2tp_result_name(m.msg_type, m.v.result_code));
    pd_fuzz_touch(pd_l2tp_error_name(m.v.error_code));
    pd_fuzz_touch(pd_l2tp_proxy_authen_name(m.v.proxy_authen_type));
    pd_fuzz_touch(pd_l2tp_anomaly_text(m.anomalies));
    pd_fuzz_touch(pd_l2tp_framing_text(m.v.framing_caps));
    pd_fuzz_touch(pd_l2tp_bearer_text(m.v.bearer_caps));

    /* An L2TPv2 data message carries one PPP frame, as the tracker decodes it. */
    if (st == PD_L2TP_OK && !m.is_control && m.version == 2 && m.payload.len > 0) {
        pd_ppp_frame f;
        pd_ppp_decode(m.payload.p, m.payload.len, m.payload_wire_len, &f);
        pd_fuzz_check_ppp(&f, m.payload.p, m.payload.len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool over_ip = data[0] & 1;
    size_t len = size - 1;
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, data + 1, len);
    const uint8_t *p = len ? copy : NULL;
    decode(p, len, len + (data[0] >> 1), over_ip);
    if (len > 1)
        decode(p, data[size - 1] % len, len, over_ip);
    free(copy);
    return 0;
}
