/* test_report.c - the report layer (text, JSON, Markdown, catalog, helpers)
 * on hand-built sessions and findings, without an engine.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "report.h"

#define T0 INT64_C(1795245434123456789) /* 2026-11-21T07:17:14.123456789Z */
#define SEC INT64_C(1000000000)

/* ---- helpers --------------------------------------------------------------- */

static void test_format_time(void **state)
{
    (void)state;
    static const struct {
        int64_t ns;
        const char *want;
    } cases[] = {
        { 0, "1970-01-01T00:00:00.000000Z" },
        { 999, "1970-01-01T00:00:00.000000Z" },          /* below a microsecond: cut, not rounded */
        { 1000, "1970-01-01T00:00:00.000001Z" },
        { -1, "1969-12-31T23:59:59.999999Z" },           /* floor, not toward zero */
        { -SEC, "1969-12-31T23:59:59.000000Z" },
        { T0, "2026-11-21T07:17:14.123456Z" },
        { INT64_C(951782400) * SEC, "2000-02-29T00:00:00.000000Z" }, /* leap day */
        { INT64_MAX, "2262-04-11T23:47:16.854775Z" },
        { INT64_MIN, "1677-09-21T00:12:43.145224Z" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[PD_REPORT_TIME_LEN];
        assert_string_equal(pd_report_format_time(cases[i].ns, buf, sizeof buf), cases[i].want);
    }
}

static void test_format_time_ignores_tz(void **state)
{
    (void)state;
    char a[PD_REPORT_TIME_LEN], b[PD_REPORT_TIME_LEN];
    setenv("TZ", "UTC", 1);
    pd_report_format_time(T0, a, sizeof a);
    setenv("TZ", "Pacific/Chatham", 1);
    pd_report_format_time(T0, b, sizeof b);
    assert_string_equal(a, b);
    unsetenv("TZ");
}

static void test_format_offset_and_duration(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(pd_report_format_offset(0, buf, sizeof buf), "0.000");
    assert_string_equal(pd_report_format_offset(1499999, buf, sizeof buf), "0.001");
    assert_string_equal(pd_report_format_offset(1500000, buf, sizeof buf), "0.002");
    assert_string_equal(pd_report_format_offset(27 * SEC + 13000000, buf, sizeof buf), "27.013");
    assert_string_equal(pd_report_format_offset(-400000, buf, sizeof buf), "0.000"); /* no "-0" */
    assert_string_equal(pd_report_format_offset(-2 * SEC, buf, sizeof buf), "-2.000");
    assert_string_equal(pd_report_format_offset(INT64_MIN, buf, sizeof buf), "-9223372036.855");

    assert_string_equal(pd_report_format_duration(27 * SEC, buf, sizeof buf), "27.0 s");
    assert_string_equal(pd_report_format_duration(27 * SEC + 960000000, buf, sizeof buf), "28.0 s");
    assert_string_equal(pd_report_format_duration(850000000, buf, sizeof buf), "850 ms");
    assert_string_equal(pd_report_format_duration(3000, buf, sizeof buf), "3 us");
    assert_string_equal(pd_report_format_duration(0, buf, sizeof buf), "0 us");
    assert_string_equal(pd_report_format_duration(-SEC, buf, sizeof buf), "-1.0 s");
}

static void test_format_endpoint(void **state)
{
    (void)state;
    char buf[PD_REPORT_ENDPOINT_LEN];
    pd_endpoint v4 = { .family = 4, .addr = { 192, 0, 2, 10 }, .port = 1723 };
    assert_string_equal(pd_report_format_endpoint(&v4, buf, sizeof buf), "192.0.2.10:1723");
    v4.port = 0; /* GRE, ESP: no port */
    assert_string_equal(pd_report_format_endpoint(&v4, buf, sizeof buf), "192.0.2.10");
    pd_endpoint v6 = { .family = 6, .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .port = 500 };
    assert_string_equal(pd_report_format_endpoint(&v6, buf, sizeof buf), "[2001:db8::1]:500");
    pd_endpoint bad = { .family = 9, .port = 7 };
    assert_string_equal(pd_report_format_endpoint(&bad, buf, sizeof buf), "?:7");
}

static void test_clean(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        { "plain", "plain" },
        { "E=691 R=0 \x1b[31mred", "E=691 R=0 ?[31mred" }, /* no terminal escapes */
        { "a\tb\nc\rd", "a b c d" },
        { "\x7f\x01", "??" },
        { "caf\xc3\xa9", "caf\xc3\xa9" },                  /* valid UTF-8 kept */
        { "\xc2\x9b" "2J", "?2J" },                        /* C1 CSI */
        { "bad \xff\xfe", "bad \xef\xbf\xbd\xef\xbf\xbd" }, /* invalid -> U+FFFD */
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = pd_report_clean(cases[i].in);
        assert_string_equal(got, cases[i].want);
        g_free(got);
    }
    char *got = pd_report_clean(NULL);
    assert_string_equal(got, "");
    g_free(got);
}

static void assert_width(const char *text, size_t width)
{
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        assert_true((size_t)g_utf8_strlen(*l, -1) <= width);
    g_strfreev(lines);
}

static void test_wrap(void **state)
{
    (void)state;
    GString *out = g_string_new(NULL);
    pd_report_wrap(out, "one two three four five six seven eight nine ten", "  ", 24);
    assert_string_equal(out->str, "  one two three four\n  five six seven eight\n  nine ten\n");
    g_string_truncate(out, 0);

    /* A word longer than the line is cut, never overflows. */
    char *longword = g_strnfill(150, 'x');
    pd_report_wrap(out, longword, "    ", 60);
    assert_width(out->str, 60);
    assert_int_equal(strlen(out->str), 150 + 3 * 4 + 3);
    g_free(longword);
    g_string_truncate(out, 0);

    /* Empty text writes nothing; multi-byte characters count as one. */
    pd_report_wrap(out, "", "  ", 40);
    pd_report_wrap(out, NULL, "  ", 40);
    assert_int_equal(out->len, 0);
    pd_report_wrap(out, "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9", "", 20);
    assert_string_equal(out->str, "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\n");
    g_string_free(out, TRUE);
}

static void test_format_parse(void **state)
{
    (void)state;
    pd_report_format f;
    assert_true(pd_report_format_parse("text", &f) && f == PD_REPORT_TEXT);
    assert_true(pd_report_format_parse("json", &f) && f == PD_REPORT_JSON);
    assert_true(pd_report_format_parse("markdown", &f) && f == PD_REPORT_MARKDOWN);
    assert_false(pd_report_format_parse("JSON", &f));
    assert_false(pd_report_format_parse("", &f));
    assert_false(pd_report_format_parse(NULL, &f));
}

/* ---- a hand-built capture ---------------------------------------------------- */

typedef struct fixture {
    pd_capture_stats stats;
    pd_session session;
    pd_ladder_entry ladder[4];
    pd_attr ladder_attrs[2];
    pd_attr session_attrs[3];
    pd_stage stages[2];
    pd_finding findings[2];
    int codes[2];
    pd_evidence evidence[2];
    const pd_session *sessions[1];
    const pd_finding *finding_ptrs[2];
    pd_report_capture rc;
} fixture;

static int setup(void **state)
{
    fixture *fx = g_new0(fixture, 1);
    fx->stats = (pd_capture_stats){
        .frames = 40, .bytes_captured = 4000, .bytes_wire = 4200,
        .first_ts_ns = T0, .last_ts_ns = T0 + 30 * SEC,
        .frames_malformed = 2, .vpn_frames = 30,
        .vantage = PD_VANTAGE_CLIENT, .vantage_reason = "client packets carry an initial TTL (64)",
    };
    fx->stages[0] = (pd_stage){ "control-connected", 4, T0 + SEC };
    fx->stages[1] = (pd_stage){ "call-connected", 6, T0 + 2 * SEC };
    fx->ladder_attrs[0] = (pd_attr){ .key = "result", .kind = PD_ATTR_CODE, .str = "Busy", .num = 4 };
    fx->ladder_attrs[1] = (pd_attr){ .key = "call_id", .kind = PD_ATTR_NUM, .num = 5 };
    fx->ladder[0] = (pd_ladder_entry){ .frame = 1, .ts_ns = T0, .last_frame = 1, .last_ts_ns = T0,
                                       .repeat = 1, .dir = PD_DIR_TO_SERVER, .text = "SYN" };
    fx->ladder[1] = (pd_ladder_entry){ .frame = 2, .ts_ns = T0 + 1000000, .last_frame = 2,
                                       .last_ts_ns = T0 + 1000000, .repeat = 1,
                                       .dir = PD_DIR_TO_CLIENT, .text = "SYN, ACK" };
    fx->ladder[2] = (pd_ladder_entry){ .frame = 6, .ts_ns = T0 + 2 * SEC, .last_frame = 6,
                                       .last_ts_ns = T0 + 2 * SEC, .repeat = 1,
                                       .dir = PD_DIR_TO_CLIENT,
                                       .text = "Outgoing-Call-Reply (Busy) call 5 peer 7",
                                       .attrs = fx->ladder_attrs, .n_attrs = 2 };
    fx->ladder[3] = (pd_ladder_entry){ .frame = 10, .ts_ns = T0 + 3 * SEC, .last_frame = 37,
                                       .last_ts_ns = T0 + 30 * SEC, .repeat = 10,
                                       .dir = PD_DIR_TO_SERVER,
                                       .text = "LCP Configure-Request id 1",
                                       .annotation = "none answered" };
    fx->session_attrs[0] = (pd_attr){ .key = "call_id", .kind = PD_ATTR_NUM, .num = 5 };
    fx->session_attrs[1] = (pd_attr){ .key = "vendor", .kind = PD_ATTR_STR, .str = "Microsoft" };
    fx->session_attrs[2] = (pd_attr){ .key = "framing", .kind = PD_ATTR_CODE, .str = "sync", .num = 2 };
    fx->session = (pd_session){
        .id = 1, .protocol = PD_PROTO_PPTP,
        .client = { .family = 4, .addr = { 192, 0, 2, 10 }, .port = 50312 },
        .server = { .family = 4, .addr = { 198, 51, 100, 7 }, .port = 1723 },
        .first_frame = 1, .last_frame = 37, .first_ts_ns = T0, .last_ts_ns = T0 + 30 * SEC,
        .packets = { 20, 10 }, .bytes = { 2000, 1000 },
        .stages = fx->stages, .n_stages = 2, .state = "call-connected",
        .ladder = fx->ladder, .n_ladder = 4, .ladder_dropped = 3,
        .attrs = fx->session_attrs, .n_attrs = 3,
    };
    fx->codes[0] = 721;
    fx->codes[1] = 628;
    fx->evidence[0] = (pd_evidence){ 10, T0 + 3 * SEC, "first LCP Configure-Request" };
    fx->evidence[1] = (pd_evidence){ 37, T0 + 30 * SEC, "tenth, still unanswered" };
    fx->findings[0] = (pd_finding){
        .signature = pd_signature_by_name("pptp.gre_blocked"), .severity = PD_SEV_ERROR,
        .confidence = PD_CONF_HIGH, .windows_errors = fx->codes, .n_windows_errors = 2,
        .session_id = 1, .summary = "GRE from the server never arrives",
        .explanation = "The call was set up but no GRE came back | a pipe, `ticks` and <tags>.",
        .remediation = "Allow IP protocol 47.", .blame = PD_BLAME_CLIENT_NETWORK,
        .evidence = fx->evidence, .n_evidence = 2, .display_filter = "pptp || gre",
    };
    fx->findings[1] = (pd_finding){
        .signature = pd_signature_by_name("capture.truncated"), .severity = PD_SEV_WARNING,
        .confidence = PD_CONF_HIGH, .session_id = 0, .summary = "cut off",
        .blame = PD_BLAME_UNKNOWN,
    };
    assert_non_null(fx->findings[0].signature);
    assert_non_null(fx->findings[1].signature);
    fx->sessions[0] = &fx->session;
    fx->finding_ptrs[0] = &fx->findings[1]; /* the warning first: worst must still be the error */
    fx->finding_ptrs[1] = &fx->findings[0];
    fx->rc = (pd_report_capture){
        .file = "client.pcap", .format = "pcap", .linktype = 1, .filter = NULL, .records = 40,
        .stats = &fx->stats, .sessions = fx->sessions, .n_sessions = 1,
        .findings = fx->finding_ptrs, .n_findings = 2,
    };
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    g_free(*state);
    return 0;
}

static void test_worst_finding(void **state)
{
    fixture *fx = *state;
    assert_ptr_equal(pd_report_worst_finding(&fx->rc), &fx->findings[0]);
    assert_true(pd_report_has_error(&fx->rc));
    fx->rc.n_findings = 1;
    assert_false(pd_report_has_error(&fx->rc));
    fx->rc.n_findings = 0;
    assert_null(pd_report_worst_finding(&fx->rc));
}

static JsonObject *parse_object(const char *text, JsonParser **parser)
{
    *parser = json_parser_new();
    assert_true(json_parser_load_from_data(*parser, text, -1, NULL));
    JsonNode *root = json_parser_get_root(*parser);
    assert_true(JSON_NODE_HOLDS_OBJECT(root));
    return json_node_get_object(root);
}

static void test_json_document(void **state)
{
    fixture *fx = *state;
    JsonNode *node = pd_report_json_node(&fx->rc);
    char *text = pd_report_json_to_string(node);
    json_node_unref(node);
    size_t len = strlen(text);
    assert_true(len > 2 && text[len - 1] == '\n' && text[len - 2] == '}');
    assert_null(strchr(text, '\t'));
    assert_non_null(strstr(text, "\n  \"schema\" : 1,\n")); /* two-space indent */

    JsonParser *parser;
    JsonObject *doc = parse_object(text, &parser);
    assert_string_equal(json_object_get_string_member(doc, "pcapdiag"), PCAPDIAG_VERSION);
    JsonObject *cap = json_object_get_object_member(doc, "capture");
    assert_string_equal(json_object_get_string_member(cap, "linktype"), "Ethernet");
    assert_int_equal(json_object_get_int_member(cap, "linktype_raw"), 1);
    assert_string_equal(json_object_get_string_member(cap, "first_time"),
                        "2026-11-21T07:17:14.123456Z");
    assert_int_equal(json_object_get_int_member(cap, "duration_us"), 30000000);
    assert_true(json_object_get_null_member(cap, "filter"));
    assert_false(json_object_get_boolean_member(cap, "truncated"));
    JsonObject *counts = json_object_get_object_member(cap, "counts");
    assert_int_equal(json_object_get_int_member(counts, "frames_malformed"), 2);
    assert_int_equal(json_object_get_size(counts), 12);

    JsonArray *sessions = json_object_get_array_member(doc, "sessions");
    assert_int_equal(json_array_get_length(sessions), 1);
    JsonObject *s = json_array_get_object_element(sessions, 0);
    assert_string_equal(json_object_get_string_member(s, "protocol"), "pptp");
    JsonObject *client = json_object_get_object_member(s, "client");
    assert_string_equal(json_object_get_string_member(client, "address"), "192.0.2.10");
    assert_int_equal(json_object_get_int_member(client, "port"), 50312);
    JsonObject *sattrs = json_object_get_object_member(s, "attributes");
    assert_int_equal(json_object_get_int_member(sattrs, "call_id"), 5);
    assert_string_equal(json_object_get_string_member(sattrs, "vendor"), "Microsoft");
    assert_string_equal(json_object_get_string_member(sattrs, "framing"), "sync");
    assert_int_equal(json_object_get_int_member(sattrs, "framing_raw"), 2);
    assert_int_equal(json_object_get_int_member(s, "ladder_dropped"), 3);

    JsonArray *ladder = json_object_get_array_member(s, "ladder");
    assert_int_equal(json_array_get_length(ladder), 4);
    JsonObject *l2 = json_array_get_object_element(ladder, 2);
    assert_string_equal(json_object_get_string_member(l2, "dir"), "to-client");
    assert_int_equal(json_object_get_int_member(l2, "offset_us"), 2000000);
    assert_true(json_object_get_null_member(l2, "annotation"));
    JsonObject *la = json_object_get_object_member(l2, "attributes");
    assert_string_equal(json_object_get_string_member(la, "result"), "Busy");
    assert_int_equal(json_object_get_int_member(la, "result_raw"), 4);
    JsonObject *l3 = json_array_get_object_element(ladder, 3);
    assert_int_equal(json_object_get_int_member(l3, "repeat"), 10);
    assert_int_equal(json_object_get_int_member(l3, "last_frame"), 37);
    assert_string_equal(json_object_get_string_member(l3, "annotation"), "none answered");

    JsonArray *findings = json_object_get_array_member(doc, "findings");
    assert_int_equal(json_array_get_length(findings), 2);
    JsonObject *w = json_array_get_object_element(findings, 0);
    assert_true(json_object_get_null_member(w, "session")); /* capture-level */
    assert_true(json_object_get_null_member(w, "display_filter"));
    JsonObject *f = json_array_get_object_element(findings, 1);
    assert_string_equal(json_object_get_string_member(f, "signature"), "pptp.gre_blocked");
    assert_string_equal(json_object_get_string_member(f, "blame"), "client-network");
    assert_int_equal(json_object_get_int_member(f, "session"), 1);
    JsonArray *codes = json_object_get_array_member(f, "windows_errors");
    assert_int_equal(json_array_get_length(codes), 2);
    assert_int_equal(json_array_get_int_element(codes, 0), 721);
    JsonArray *ev = json_object_get_array_member(f, "evidence");
    assert_int_equal(json_object_get_int_member(json_array_get_object_element(ev, 1), "frame"), 37);

    g_object_unref(parser);
    g_free(text);
}

static void test_json_hostile_strings(void **state)
{
    fixture *fx = *state;
    /* Packet-derived text may be any bytes: the JSON must stay valid UTF-8. */
    fx->ladder[0].text = "bad \xff utf-8 \"quoted\" \x01";
    fx->stats.frames = 0;
    JsonNode *node = pd_report_json_node(&fx->rc);
    char *text = pd_report_json_to_string(node);
    json_node_unref(node);
    assert_true(g_utf8_validate(text, -1, NULL));
    JsonParser *parser;
    JsonObject *doc = parse_object(text, &parser);
    JsonObject *cap = json_object_get_object_member(doc, "capture");
    assert_true(json_object_get_null_member(cap, "first_time")); /* no frames */
    assert_int_equal(json_object_get_int_member(cap, "duration_us"), 0);
    g_object_unref(parser);
    g_free(text);
}

static void test_json_deterministic(void **state)
{
    fixture *fx = *state;
    JsonNode *a = pd_report_json_node(&fx->rc), *b = pd_report_json_node(&fx->rc);
    char *ta = pd_report_json_to_string(a), *tb = pd_report_json_to_string(b);
    assert_string_equal(ta, tb);
    json_node_unref(a);
    json_node_unref(b);
    g_free(ta);
    g_free(tb);
}

static void test_text_report(void **state)
{
    fixture *fx = *state;
    GString *out = g_string_new(NULL);
    pd_report_options opt = { 0 };
    pd_report_text(out, &fx->rc, &opt);
    const char *t = out->str;
    assert_non_null(strstr(t, "pcapdiag " PCAPDIAG_VERSION " report: client.pcap\n"));
    assert_non_null(strstr(t, "Session 1  PPTP  192.0.2.10:50312 -> 198.51.100.7:1723"));
    assert_non_null(strstr(t, "control-connected (frame 4), call-connected (frame 6)"));
    assert_non_null(strstr(t, "|------------------>|  SYN\n"));
    assert_non_null(strstr(t, "|<------------------|  SYN, ACK\n"));
    assert_non_null(strstr(t, "LCP Configure-Request id 1  [x10 over 27.0 s, none answered]"));
    assert_non_null(strstr(t, "3 more lines not kept"));
    assert_non_null(strstr(t, "ERROR  pptp.gre_blocked  session 1  Windows 721, 628"));
    assert_non_null(strstr(t, "    frame 37  30.000 s  tenth, still unanswered\n"));
    assert_non_null(strstr(t, "Wireshark filter: pptp || gre"));
    assert_non_null(strstr(t, "2 malformed frames"));
    assert_null(strstr(t, "\033[")); /* no colour unless asked */
    assert_width(t, 100);
    g_string_free(out, TRUE);

    /* Colour marks the severity words only, and never widens the layout. */
    out = g_string_new(NULL);
    opt.color = true;
    pd_report_text(out, &fx->rc, &opt);
    assert_non_null(strstr(out->str, "\033[1;31mERROR\033[0m  pptp.gre_blocked"));
    assert_non_null(strstr(out->str, "\033[1;33mWARNING\033[0m  capture.truncated"));
    g_string_free(out, TRUE);

    /* Quiet: a one-line header, then the findings. */
    out = g_string_new(NULL);
    opt = (pd_report_options){ .quiet = true };
    pd_report_text(out, &fx->rc, &opt);
    assert_true(g_str_has_prefix(out->str, "client.pcap: 40 frames, 1 VPN session, 2 findings "
                                           "(1 error, 1 warning)\n"));
    assert_null(strstr(out->str, "Session 1"));
    assert_non_null(strstr(out->str, "pptp.gre_blocked"));
    g_string_free(out, TRUE);
}

static void test_text_no_session(void **state)
{
    fixture *fx = *state;
    fx->rc.n_sessions = 0;
    fx->rc.n_findings = 0;
    GString *out = g_string_new(NULL);
    pd_report_text(out, &fx->rc, NULL);
    assert_non_null(strstr(out->str, "No VPN session found: no PPTP"));
    assert_non_null(strstr(out->str, "in 40 frames."));
    assert_non_null(strstr(out->str, "No findings.\n"));
    g_string_free(out, TRUE);
}

static void test_text_long_lines_wrap(void **state)
{
    fixture *fx = *state;
    char *longtext = g_strnfill(300, 'w');
    fx->ladder[2].text = longtext;
    fx->session.ladder_dropped = 0;
    static const pd_endpoint v6 = { .family = 6, .addr = { 0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5,
                                                           6, 7, 8, 9, 10, 11, 12 },
                                    .port = 65535 };
    fx->session.client = v6;
    fx->session.server = v6;
    fx->ladder[0].frame = UINT64_C(18446744073709551615); /* widest frame number */
    GString *out = g_string_new(NULL);
    pd_report_text(out, &fx->rc, NULL);
    assert_width(out->str, 100);
    g_string_free(out, TRUE);
    g_free(longtext);
}

static void test_markdown_report(void **state)
{
    fixture *fx = *state;
    GString *out = g_string_new(NULL);
    pd_report_markdown(out, &fx->rc, NULL);
    const char *m = out->str;
    /* Verdict first: the worst finding's summary and codes. */
    assert_true(g_str_has_prefix(m, "## Verdict: GRE from the server never arrives (Windows 721, 628)\n"));
    assert_non_null(strstr(m, "| error | `pptp.gre_blocked` | 721, 628 | 1 | GRE from the server never arrives |\n"));
    assert_non_null(strstr(m, "| `pptp.gre_blocked` | 37 | 30.000 | tenth, still unanswered |\n"));
    /* Untrusted text is escaped; a filter with pipes stays one cell/code span. */
    assert_non_null(strstr(m, "\\| a pipe, \\`ticks\\` and &lt;tags&gt;."));
    assert_non_null(strstr(m, "*Wireshark filter:* `pptp || gre`"));
    assert_non_null(strstr(m, "```text\n"));
    assert_non_null(strstr(m, "|------------------>|  SYN\n"));
    char **lines = g_strsplit(m, "\n", -1);
    size_t fences = 0;
    for (char **l = lines; *l; l++)
        if (g_str_has_prefix(*l, "```"))
            fences++;
    assert_int_equal(fences % 2, 0);
    g_strfreev(lines);
    g_string_free(out, TRUE);

    /* Backticks in the ladder cannot close its fence. */
    fx->ladder[0].text = "```";
    out = g_string_new(NULL);
    pd_report_markdown(out, &fx->rc, NULL);
    assert_non_null(strstr(out->str, "````text\n"));
    g_string_free(out, TRUE);

    fx->rc.n_findings = 0;
    out = g_string_new(NULL);
    pd_report_markdown(out, &fx->rc, NULL);
    assert_true(g_str_has_prefix(out->str, "## Verdict: No failure found\n"));
    g_string_free(out, TRUE);
}

static void test_catalog(void **state)
{
    (void)state;
    GString *md = g_string_new(NULL);
    pd_report_signatures(md, PD_REPORT_MARKDOWN);
    size_t rows = 0;
    char **lines = g_strsplit(md->str, "\n", -1);
    for (char **l = lines; *l; l++)
        if (g_str_has_prefix(*l, "| `"))
            rows++;
    g_strfreev(lines);
    assert_int_equal(rows, pd_signature_count());
    assert_non_null(strstr(md->str, "| `pptp.gre_blocked` | error | 628, 629, 721 |"));

    GString *js = g_string_new(NULL);
    pd_report_signatures(js, PD_REPORT_JSON);
    JsonParser *parser = json_parser_new();
    assert_true(json_parser_load_from_data(parser, js->str, -1, NULL));
    JsonArray *arr = json_node_get_array(json_parser_get_root(parser));
    assert_int_equal(json_array_get_length(arr), pd_signature_count());
    g_object_unref(parser);

    GString *tx = g_string_new(NULL);
    pd_report_signatures(tx, PD_REPORT_TEXT);
    for (size_t i = 0; i < pd_signature_count(); i++)
        assert_non_null(strstr(tx->str, pd_signature_get((pd_sig_id)i)->id));
    assert_width(tx->str, 100);
    g_string_free(md, TRUE);
    g_string_free(js, TRUE);
    g_string_free(tx, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_format_time_ignores_tz),
        cmocka_unit_test(test_format_offset_and_duration),
        cmocka_unit_test(test_format_endpoint),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test_setup_teardown(test_worst_finding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_hostile_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_no_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_long_lines_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_markdown_report, setup, teardown),
        cmocka_unit_test(test_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
