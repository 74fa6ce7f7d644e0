/* fuzz_engine.c - fuzz target: the whole engine (pd_engine_new / feed /
 * finish) on a multi-frame capture of any supported link type, then the
 * three reports over what it found.
 *
 * Input layout (tests/fuzz/make_seeds.py writes it from pcap files):
 *   byte 0   link type: index into PD_FUZZ_LINKTYPES (mod its size)
 *   byte 1   options: bit 0 tiny limits (flow cap 4, short timeouts, small
 *            buffers: reaches eviction and expiry paths with few frames);
 *            bit 1 skip the reports (faster when only the engine matters)
 *   then records: u8 time step, u16 big-endian captured length, the bytes.
 *     Length bit 15 set: the frame was longer on the wire (a snaplen cut).
 *     Time step t: t < 0x80 adds t * 10 ms; 0x80..0xfe adds (t - 0x7f) * 16 s
 *     (past the idle and fragment timeouts); 0xff goes back 5 s, because
 *     real captures' clocks do.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "fuzz_common.h"
#include "pcapdiag/pcapdiag.h"
#include "report.h"

static const uint32_t PD_FUZZ_LINKTYPES[] = { 0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276 };
#define PD_FUZZ_N_LINKTYPES (sizeof PD_FUZZ_LINKTYPES / sizeof PD_FUZZ_LINKTYPES[0])
#define PD_FUZZ_MAX_FRAMES 4096

static void on_finding(const pd_finding *f, void *user)
{
    size_t *n = user;
    PD_FUZZ_CHECK(f->signature != NULL);
    pd_fuzz_touch(f->summary);
    (*n)++;
}

/* Read everything the engine hands out, so ASan sees every byte of it. */
static void walk_results(const pd_engine *e)
{
    size_t n = pd_engine_session_count(e);
    for (size_t i = 0; i < n; i++) {
        const pd_session *s = pd_engine_session(e, i);
        PD_FUZZ_CHECK(s != NULL && s->id == i + 1);
        PD_FUZZ_CHECK(pd_engine_session_by_id(e, s->id) == s);
        char buf[64];
        pd_fuzz_touch(pd_endpoint_addr_str(&s->client, buf, sizeof buf));
        pd_fuzz_touch(pd_endpoint_addr_str(&s->server, buf, sizeof buf));
        pd_fuzz_touch(s->state);
        for (size_t j = 0; j < s->n_stages; j++)
            pd_fuzz_touch(s->stages[j].name);
        for (size_t j = 0; j < s->n_ladder; j++) {
            const pd_ladder_entry *l = &s->ladder[j];
            pd_fuzz_touch(l->text);
            pd_fuzz_touch(l->annotation);
            PD_FUZZ_CHECK(l->repeat >= 1);
            for (size_t k = 0; k < l->n_attrs; k++) {
                pd_fuzz_touch(l->attrs[k].key);
                pd_fuzz_touch(l->attrs[k].str);
            }
        }
        for (size_t j = 0; j < s->n_attrs; j++) {
            pd_fuzz_touch(s->attrs[j].key);
            pd_fuzz_touch(s->attrs[j].str);
        }
    }
    size_t nf = pd_engine_finding_count(e);
    for (size_t i = 0; i < nf; i++) {
        const pd_finding *f = pd_engine_finding(e, i);
        PD_FUZZ_CHECK(f && f->signature);
        PD_FUZZ_CHECK(f->session_id == 0 || pd_engine_session_by_id(e, f->session_id));
        pd_fuzz_touch(f->summary);
        pd_fuzz_touch(f->explanation);
        pd_fuzz_touch(f->remediation);
        pd_fuzz_touch(f->display_filter);
        for (size_t j = 0; j < f->n_evidence; j++)
            pd_fuzz_touch(f->evidence[j].note);
    }
    pd_fuzz_touch(pd_engine_stats(e)->vantage_reason);
}

static void run_reports(const pd_engine *e, uint32_t linktype, uint64_t records)
{
    pd_report_capture rc = {
        .file = "fuzz.pcap",
        .format = "pcap",
        .linktype = linktype,
        .records = records,
    };
    pd_report_capture_from_engine(&rc, e);
    GString *out = g_string_new(NULL);
    const pd_report_options opt = { .quiet = false, .color = true };
    pd_report_text(out, &rc, &opt);
    pd_report_markdown(out, &rc, &opt);
    JsonNode *node = pd_report_json_node(&rc);
    char *json = pd_report_json_to_string(node);
    PD_FUZZ_CHECK(json != NULL && g_utf8_validate(json, -1, NULL));
    g_free(json);
    json_node_unref(node);
    PD_FUZZ_CHECK(g_utf8_validate(out->str, (gssize)out->len, NULL));
    g_string_free(out, TRUE);
    pd_report_capture_clear(&rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pd_cursor c = pd_cursor_make(data, size);
    uint8_t lt_index = 0, options = 0;
    if (!pd_cursor_u8(&c, &lt_index) || !pd_cursor_u8(&c, &options))
        return 0;
    uint32_t linktype = PD_FUZZ_LINKTYPES[lt_index % PD_FUZZ_N_LINKTYPES];

    size_t findings_seen = 0;
    pd_engine_config cfg = { .on_finding = on_finding, .user = &findings_seen };
    pd_limits_default(&cfg.limits);
    if (options & 1) {
        cfg.limits.max_flows = 4;
        cfg.limits.flow_idle_timeout_ns = INT64_C(5) * 1000000000;
        cfg.limits.max_frag_bytes = 4096;
        cfg.limits.frag_timeout_ns = INT64_C(2) * 1000000000;
        cfg.limits.max_tcp_buffered_bytes = 2048;
        cfg.limits.max_ladder_lines = 8;
    }
    pd_engine *e = pd_engine_new(&cfg);
    PD_FUZZ_CHECK(pd_linktype_supported(linktype));

    int64_t ts = INT64_C(1700000000) * 1000000000;
    uint64_t number = 0;
    pd_fuzz_record r;
    while (number < PD_FUZZ_MAX_FRAMES) {
        /* tag = time step; the length's top bit marks a snaplen cut */
        uint8_t step;
        uint16_t len;
        if (!pd_cursor_u8(&c, &step) || !pd_cursor_be16(&c, &len))
            break;
        bool cut = (len & 0x8000) != 0;
        size_t n = len & 0x7fff;
        if (n > pd_cursor_remaining(&c))
            n = pd_cursor_remaining(&c);
        r.data = pd_cursor_here(&c);
        r.len = n;
        pd_cursor_skip(&c, n);

        if (step < 0x80)
            ts += (int64_t)step * 10000000;
        else if (step < 0xff)
            ts += (int64_t)(step - 0x7f) * 16 * 1000000000;
        else
            ts -= INT64_C(5) * 1000000000;

        /* A private heap copy of exactly the frame, so ASan catches any
         * read past its end even when more input follows. */
        uint8_t *frame_bytes = g_malloc(n ? n : 1);
        if (n)
            memcpy(frame_bytes, r.data, n);
        pd_frame f = {
            .linktype = linktype,
            .number = ++number,
            .ts_ns = ts,
            .data = n ? frame_bytes : NULL,
            .caplen = n,
            .wire_len = cut ? n + 1 + (n & 0x3ff) : n,
        };
        pd_frame_result res;
        bool ok = pd_engine_feed(e, &f, &res);
        PD_FUZZ_CHECK(ok);
        if (res.session_id) {
            PD_FUZZ_CHECK(pd_engine_session_by_id(e, res.session_id) != NULL);
            pd_fuzz_touch(res.stage);
        }
        g_free(frame_bytes);
    }
    pd_engine_finish(e);
    PD_FUZZ_CHECK(pd_engine_finished(e));
    PD_FUZZ_CHECK(pd_engine_stats(e)->frames == number);
    PD_FUZZ_CHECK(findings_seen == pd_engine_finding_count(e));
    walk_results(e);
    if (!(options & 2))
        run_reports(e, linktype, number);
    pd_engine_free(e);
    return 0;
}
