/* fuzz_esp.c - fuzz target: ESP SA tables (esp_keys.c) and ESP decryption in the engine
 * (esp_crypto.c, esp_track.c, the nested feed and the L2TP/IPsec merge in l2tp_track.c).
 *
 * Input layout (tests/fuzz/make_seeds.py writes seeds):
 *   byte 0   bit 7 set: the rest is the text of an ESP SA table: parsed, then rows looked
 *            up for a few address pairs and SPIs.
 *            Otherwise: bits 0-1 choose the table every ESP packet is decrypted with:
 *              0  NULL encryption, NULL authentication, any SA: the plaintext is the
 *                 input's own bytes, so the fuzzer reaches the nested trackers (L2TP,
 *                 PPP, even IKE and PPTP inside ESP) past only the padding check;
 *              1  NULL encryption, HMAC-SHA-1-96 with a key: the ICV check;
 *              2  AES-CBC without authentication: decryption and the padding check;
 *              3  AES-GCM (16-octet ICV): the tag check;
 *            bit 2: streaming (on_session_closed), to exercise sessions with two holders;
 *            bit 3: tiny limits (flow cap 4, short timeouts, 8 ladder lines).
 *   then records: u8 time step (as in fuzz_engine.c), u16 big-endian length, one raw IP
 *   packet (LINKTYPE_RAW).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "esp_keys.h"
#include "fuzz_common.h"
#include "pcapdiag/pcapdiag.h"

#define PD_FUZZ_MAX_FRAMES 2048

static const char *const tables[4] = {
    "\"IPv4\",\"*\",\"*\",\"*\",\"NULL\",\"\",\"NULL\",\"\"\n"
    "\"IPv6\",\"*\",\"*\",\"*\",\"NULL\",\"\",\"NULL\",\"\"\n",
    "\"IPv4\",\"*\",\"*\",\"*\",\"NULL\",\"\",\"HMAC-SHA-1-96 [RFC2404]\","
    "\"0x00112233445566778899aabbccddeeff00112233\"\n",
    "\"IPv4\",\"*\",\"*\",\"*\",\"AES-CBC [RFC3602]\",\"0x00112233445566778899aabbccddeeff\","
    "\"NULL\",\"\"\n",
    "\"IPv4\",\"*\",\"*\",\"*\",\"AES-GCM with 16 octet ICV [RFC4106]\","
    "\"0x00112233445566778899aabbccddeeff01020304\",\"NULL\",\"\"\n",
};

/* The tables as files (the engine reads paths), written once per process. */
static char *table_dir;
static char *table_paths[4];

static void remove_tables(void)
{
    for (int i = 0; i < 4; i++) {
        if (table_paths[i])
            g_unlink(table_paths[i]);
        g_free(table_paths[i]);
    }
    if (table_dir)
        g_rmdir(table_dir);
    g_free(table_dir);
}

static const char *table_path(int which)
{
    if (!table_dir) {
        table_dir = g_dir_make_tmp("pdfuzzespXXXXXX", NULL);
        PD_FUZZ_CHECK(table_dir != NULL);
        for (int i = 0; i < 4; i++) {
            char name[16];
            g_snprintf(name, sizeof name, "esp_sa%d", i);
            table_paths[i] = g_build_filename(table_dir, name, NULL);
            PD_FUZZ_CHECK(g_file_set_contents(table_paths[i], tables[i], -1, NULL));
            PD_FUZZ_CHECK(pd_esp_keys_check(table_paths[i], NULL) || !pd_ike_crypto_available());
        }
        atexit(remove_tables);
    }
    return table_paths[which & 3];
}

static void fuzz_table(const uint8_t *text, size_t len)
{
    pd_esp_keys *k = pd_esp_keys_new();
    GError *err = NULL;
    bool ok = pd_esp_keys_parse(k, (const char *)text, len, "fuzz", &err);
    PD_FUZZ_CHECK(ok == (err == NULL));
    if (err) {
        PD_FUZZ_CHECK(g_str_has_prefix(err->message, "fuzz"));
        PD_FUZZ_CHECK(pd_esp_keys_count(k) == 0); /* nothing of a bad file is kept */
        g_error_free(err);
    }
    pd_addr a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    for (int fam = 4; fam <= 6; fam += 2) {
        a.family = b.family = (uint8_t)fam;
        a.a[0] = 10;
        b.a[0] = 192;
        for (uint32_t spi = 0; spi < 3; spi++) {
            pd_esp_key_row *r = pd_esp_keys_find(k, &a, &b, spi * 0x10001u);
            if (r) {
                const char *why;
                size_t want;
                PD_FUZZ_CHECK(r->family == fam);
                PD_FUZZ_CHECK(pd_esp_sa_keys_valid(&r->keys, &why, &want));
                PD_FUZZ_CHECK(r->keys.ekey_len <= PD_ESP_KEY_MAX &&
                              r->keys.akey_len <= PD_ESP_KEY_MAX);
                pd_fuzz_touch(r->where);
            }
        }
    }
    pd_esp_keys_free(k);
}

static void on_closed(const pd_session *s, const pd_finding *const *f, size_t n, void *user)
{
    size_t *count = user;
    (*count)++;
    pd_fuzz_touch(s->state);
    for (size_t j = 0; j < s->n_ladder; j++) {
        pd_fuzz_touch(s->ladder[j].text);
        pd_fuzz_touch(s->ladder[j].annotation);
        for (size_t k = 0; k < s->ladder[j].n_attrs; k++)
            pd_fuzz_touch(s->ladder[j].attrs[k].str);
    }
    for (size_t j = 0; j < s->n_attrs; j++)
        pd_fuzz_touch(s->attrs[j].str);
    for (size_t i = 0; i < n; i++) {
        PD_FUZZ_CHECK(f[i]->session_id == s->id);
        pd_fuzz_touch(f[i]->summary);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pd_cursor c = pd_cursor_make(data, size);
    uint8_t mode = 0;
    if (!pd_cursor_u8(&c, &mode))
        return 0;
    if (mode & 0x80) {
        fuzz_table(pd_cursor_here(&c), pd_cursor_remaining(&c));
        return 0;
    }
    if (!pd_ike_crypto_available())
        return 0;
    const char *files[2] = { table_path(mode & 3), NULL };
    size_t handed_over = 0;
    pd_engine_config cfg = { .esp_key_files = files };
    pd_limits_default(&cfg.limits);
    if (mode & 4) {
        cfg.on_session_closed = on_closed;
        cfg.user = &handed_over;
    }
    if (mode & 8) {
        cfg.limits.max_flows = 4;
        cfg.limits.flow_idle_timeout_ns = INT64_C(5) * 1000000000;
        cfg.limits.max_ladder_lines = 8;
    }
    pd_engine *e = pd_engine_new(&cfg);

    int64_t ts = INT64_C(1700000000) * 1000000000;
    uint64_t number = 0;
    pd_fuzz_record r;
    while (number < PD_FUZZ_MAX_FRAMES && pd_fuzz_next_record(&c, &r)) {
        if (r.tag < 0x80)
            ts += (int64_t)r.tag * 10000000;
        else if (r.tag < 0xff)
            ts += (int64_t)(r.tag - 0x7f) * 16 * 1000000000;
        else
            ts -= INT64_C(5) * 1000000000;
        uint8_t *bytes = g_malloc(r.len ? r.len : 1);
        if (r.len)
            memcpy(bytes, r.data, r.len);
        pd_frame f = { .linktype = 101, .number = ++number, .ts_ns = ts,
                       .data = r.len ? bytes : NULL, .caplen = r.len, .wire_len = r.len };
        pd_frame_result res;
        PD_FUZZ_CHECK(pd_engine_feed(e, &f, &res));
        if (res.session_id && !(mode & 4))
            PD_FUZZ_CHECK(pd_engine_session_by_id(e, res.session_id) != NULL);
        g_free(bytes);
    }
    pd_engine_finish(e);
    size_t n = pd_engine_session_count(e);
    if (mode & 4) {
        /* Every session handed over exactly once, holders or not. */
        PD_FUZZ_CHECK(handed_over == n);
        for (size_t i = 0; i < n; i++)
            PD_FUZZ_CHECK(pd_engine_session(e, i) == NULL);
    } else {
        for (size_t i = 0; i < n; i++) {
            const pd_session *s = pd_engine_session(e, i);
            PD_FUZZ_CHECK(s && s->id == i + 1);
            for (size_t j = 0; j < s->n_ladder; j++)
                pd_fuzz_touch(s->ladder[j].text);
            for (size_t j = 0; j < s->n_attrs; j++)
                pd_fuzz_touch(s->attrs[j].str);
        }
    }
    for (size_t i = 0; i < pd_engine_finding_count(e); i++) {
        const pd_finding *f = pd_engine_finding(e, i);
        PD_FUZZ_CHECK(f->session_id == 0 || (mode & 4) || pd_engine_session_by_id(e, f->session_id));
        pd_fuzz_touch(f->summary);
    }
    pd_engine_free(e);
    return 0;
}
