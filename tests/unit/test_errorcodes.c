/* test_errorcodes.c - the error-code catalog (errorcodes.def): every entry
 * well-formed, sorted and unique, every signature it names real, every code
 * of the four seeds present, NetMotion's properties as the vendor's table
 * gives them; parsing of "win:721" / "netmotion:94" / "lancom:0x1106";
 * the --reported judgement on hand-built sessions and findings; and the
 * explain / verdict renderings (width, JSON validity).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pcapdiag/errorcodes.h"
#include "pcapdiag/pcapdiag.h"
#include "report.h"

/* Every stage a tracker names (README, and the L2TP/IKE/NetMotion trackers),
 * plus "opened" (any session). */
static const char *const known_stages =
    "tcp-connected control-connected call-connected gre-both-ways lcp-opened authenticated "
    "ccp-opened ipcp-opened ipv6cp-opened tunnel-up tunnel-connected ike-sa-init-done "
    "ike-auth-done phase1-done quick-mode-done child-sa-done esp-both-ways server-answered "
    "opened";

/* ---- the catalog's shape ---- */

static void test_entries_well_formed(void **state)
{
    assert_true(pd_error_code_count() > 150);
    assert_null(pd_error_code_get(pd_error_code_count()));
    for (size_t i = 0; i < pd_error_code_count(); i++) {
        const pd_error_code *e = pd_error_code_get(i);
        char label[PD_EC_LABEL_LEN];
        pd_error_code_label(e, label, sizeof label);
        assert_non_null(e);
        assert_true((unsigned)e->family < PD_CODE_FAMILY__COUNT);
        assert_true(e->wire == PD_WIRE_YES || e->wire == PD_WIRE_INDIRECT ||
                    e->wire == PD_WIRE_NO);
        const char *texts[] = { e->title, e->meaning, e->on_wire, e->action, e->source };
        for (size_t k = 0; k < G_N_ELEMENTS(texts); k++) {
            assert_non_null(texts[k]);
            if (strlen(texts[k]) < 3)
                fail_msg("%s: text %zu is empty", label, k);
            assert_true(g_utf8_validate(texts[k], -1, NULL));
            for (const char *p = texts[k]; *p; p++)
                if ((unsigned char)*p < 0x20)
                    fail_msg("%s: control character in text %zu", label, k);
        }
        /* A title is a few words, not a sentence. */
        if (strlen(e->title) > 60 || e->title[strlen(e->title) - 1] == '.')
            fail_msg("%s: title \"%s\" is not a short phrase", label, e->title);
        /* The prose ends like prose. */
        assert_int_equal(e->meaning[strlen(e->meaning) - 1], '.');
        assert_int_equal(e->action[strlen(e->action) - 1], '.');
        assert_non_null(e->signatures);
        assert_non_null(e->refuted_by);
        /* Some session kind can show it, and only known kinds. */
        assert_int_not_equal(e->protocols, 0);
        assert_int_equal(e->protocols & ~((1u << PD_PROTO__COUNT) - 1), 0);
        /* Properties: NetMotion's three for NetMotion only. */
        if (e->family != PD_CODE_NETMOTION)
            assert_int_equal(e->flags & (PD_EC_FATAL | PD_EC_CREDS | PD_EC_FAILOVER), 0);
        else
            assert_int_equal(e->protocols, PD_EC_NETMOTION);
        /* "Visible on the wire" means some signature shows it. */
        if (e->wire == PD_WIRE_YES && !*e->signatures)
            fail_msg("%s: visible on the wire but no signature names it", label);
        /* A code that is not on the wire cannot be confirmed by a signature. */
        if (e->wire == PD_WIRE_NO && *e->signatures)
            fail_msg("%s: not on the wire yet confirmed by %s", label, e->signatures);
    }
}

static void test_sorted_unique_findable(void **state)
{
    for (size_t i = 1; i < pd_error_code_count(); i++) {
        const pd_error_code *a = pd_error_code_get(i - 1), *b = pd_error_code_get(i);
        bool ordered = a->family < b->family || (a->family == b->family && a->code < b->code);
        if (!ordered) {
            char la[PD_EC_LABEL_LEN], lb[PD_EC_LABEL_LEN];
            fail_msg("catalog not sorted/unique at %s, %s", pd_error_code_label(a, la, sizeof la),
                     pd_error_code_label(b, lb, sizeof lb));
        }
    }
    for (size_t i = 0; i < pd_error_code_count(); i++) {
        const pd_error_code *e = pd_error_code_get(i);
        assert_ptr_equal(pd_error_code_find(e->family, e->code), e);
    }
    assert_null(pd_error_code_find(PD_CODE_WIN, 0));
    assert_null(pd_error_code_find(PD_CODE_WIN, UINT32_MAX));
    assert_null(pd_error_code_find(PD_CODE_NETMOTION, 77));
    assert_null(pd_error_code_find(PD_CODE_FAMILY__COUNT, 721));
}

static void test_signatures_exist(void **state)
{
    for (size_t i = 0; i < pd_error_code_count(); i++) {
        const pd_error_code *e = pd_error_code_get(i);
        char label[PD_EC_LABEL_LEN];
        pd_error_code_label(e, label, sizeof label);
        char **sigs = g_strsplit(e->signatures, " ", -1);
        for (char **s = sigs; *s; s++) {
            if (!**s)
                fail_msg("%s: empty word in signature list \"%s\"", label, e->signatures);
            if (!pd_signature_by_name(*s))
                fail_msg("%s names unknown signature %s", label, *s);
        }
        g_strfreev(sigs);
        char **stages = g_strsplit(e->refuted_by, " ", -1);
        for (char **s = stages; *s; s++)
            if (**s && !pd_error_code_list_has(known_stages, *s))
                fail_msg("%s is refuted by unknown stage %s", label, *s);
        g_strfreev(stages);
    }
}

/* Every Windows code a signature can produce ("691 (or ... 646-649, 691,
 * 709)") is in the catalog and names that signature back. */
static void test_signature_codes_in_catalog(void **state)
{
    for (size_t i = 0; i < pd_signature_count(); i++) {
        const pd_signature *sig = pd_signature_get((pd_sig_id)i);
        const char *p = sig->windows_errors;
        while (p && *p) {
            if (!g_ascii_isdigit(*p)) {
                p++;
                continue;
            }
            char *end;
            unsigned long lo = strtoul(p, &end, 10), hi = lo;
            bool port = p - sig->windows_errors >= 4 &&
                        (strncmp(p - 4, "TCP ", 4) == 0 || strncmp(p - 4, "UDP ", 4) == 0);
            if (end - p < 3 || port) { /* "IKEv2", "E=", "TCP 1723": not a code */
                p = end;
                continue;
            }
            if (*end == '-' && g_ascii_isdigit(end[1]))
                hi = strtoul(end + 1, &end, 10);
            assert_true(hi >= lo && hi - lo < 20);
            for (unsigned long c = lo; c <= hi; c++) {
                const pd_error_code *e = pd_error_code_find(PD_CODE_WIN, (uint32_t)c);
                if (!e)
                    fail_msg("%s produces Windows %lu, not in the catalog", sig->id, c);
                if (!pd_error_code_list_has(e->signatures, sig->id))
                    fail_msg("win:%lu does not name %s, which produces it", c, sig->id);
            }
            p = end;
        }
    }
}

static void test_seed_codes_present(void **state)
{
    /* Seed 002 and the other common Windows codes the issue names. */
    static const uint32_t win[] = { 628, 629, 633, 678, 691, 692, 711, 720, 721, 722, 734, 735,
                                    739, 741, 742, 768, 785, 786, 787, 788, 789, 790, 791, 792,
                                    793, 798, 800, 806, 807, 809, 868, 13801, 13806, 13868 };
    for (size_t i = 0; i < G_N_ELEMENTS(win); i++)
        if (!pd_error_code_find(PD_CODE_WIN, win[i]))
            fail_msg("win:%u missing", win[i]);
    /* Seed 000: NetMotion 1-115; the vendor's table has no 77 and no 114. */
    for (uint32_t c = 1; c <= 115; c++) {
        bool want = c != 77 && c != 114;
        if ((pd_error_code_find(PD_CODE_NETMOTION, c) != NULL) != want)
            fail_msg("netmotion:%u %s", c, want ? "missing" : "should not exist");
    }
    /* Seed 001: reason 94 is the NAT case, confirmed by the address check. */
    const pd_error_code *r94 = pd_error_code_find(PD_CODE_NETMOTION, 94);
    assert_true(pd_error_code_list_has(r94->signatures, "netmotion.address_mismatch"));
    assert_non_null(strstr(r94->meaning, "External Server Addresses"));
    /* Seed 003: LANCOM's three, mapped onto the IKE/ESP signatures. */
    const pd_error_code *l1 = pd_error_code_find(PD_CODE_LANCOM, 0x1106);
    const pd_error_code *l2 = pd_error_code_find(PD_CODE_LANCOM, 0x1307);
    const pd_error_code *l3 = pd_error_code_find(PD_CODE_LANCOM, 0x1108);
    assert_non_null(l1);
    assert_non_null(l2);
    assert_non_null(l3);
    assert_true(pd_error_code_list_has(l1->signatures, "ike.no_response"));
    assert_true(pd_error_code_list_has(l2->signatures, "esp.one_way"));
    assert_int_equal(l3->wire, PD_WIRE_NO);
    /* NetMotion's "timeout waiting to connect" is what no_answer shows. */
    assert_true(pd_error_code_list_has(pd_error_code_find(PD_CODE_NETMOTION, 39)->signatures,
                                       "netmotion.no_answer"));
}

static void test_netmotion_properties(void **state)
{
    static const struct {
        uint32_t code;
        unsigned flags;
    } cases[] = {
        { 1, 0 },
        { 2, PD_EC_FATAL | PD_EC_CREDS },
        { 7, PD_EC_CREDS }, /* the vendor's table misplaces the cell */
        { 10, PD_EC_CREDS },
        { 23, PD_EC_FATAL | PD_EC_FAILOVER },
        { 25, PD_EC_FAILOVER },
        { 34, PD_EC_FATAL },
        { 39, 0 },
        { 47, PD_EC_FATAL },
        { 79, PD_EC_FATAL | PD_EC_CREDS | PD_EC_FAILOVER },
        { 83, PD_EC_FAILOVER },
        { 87, PD_EC_CREDS | PD_EC_FAILOVER },
        { 94, PD_EC_FATAL },
        { 104, PD_EC_CREDS },
        { 115, PD_EC_FATAL | PD_EC_CREDS },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const pd_error_code *e = pd_error_code_find(PD_CODE_NETMOTION, cases[i].code);
        assert_non_null(e);
        if (e->flags != cases[i].flags)
            fail_msg("netmotion:%u flags %#x, expected %#x", cases[i].code, e->flags,
                     cases[i].flags);
    }
}

/* ---- parsing ---- */

static void test_parse(void **state)
{
    static const struct {
        const char *text;
        bool ok;
        pd_code_family family;
        uint32_t code;
    } cases[] = {
        { "721", true, PD_CODE_WIN, 721 },
        { " 721\n", true, PD_CODE_WIN, 721 },
        { "win:721", true, PD_CODE_WIN, 721 },
        { "WIN:721", true, PD_CODE_WIN, 721 },
        { "windows:13868", true, PD_CODE_WIN, 13868 },
        { "netmotion:94", true, PD_CODE_NETMOTION, 94 },
        { "NetMotion:1", true, PD_CODE_NETMOTION, 1 },
        { "nm:39", true, PD_CODE_NETMOTION, 39 },
        { "mobility:115", true, PD_CODE_NETMOTION, 115 },
        { "lancom:0x1106", true, PD_CODE_LANCOM, 0x1106 },
        { "LANCOM:0X1307", true, PD_CODE_LANCOM, 0x1307 },
        { "lancom:1108", true, PD_CODE_LANCOM, 0x1108 }, /* LANCOM is always hex */
        { "lancom:abcd", true, PD_CODE_LANCOM, 0xabcd },
        { "0x2d1", true, PD_CODE_WIN, 721 },
        { "4294967295", true, PD_CODE_WIN, UINT32_MAX },
        { "lancom:0xFFFFFFFF", true, PD_CODE_LANCOM, UINT32_MAX },
        { "0", true, PD_CODE_WIN, 0 },
        { "", false, 0, 0 },
        { "   ", false, 0, 0 },
        { "win:", false, 0, 0 },
        { ":721", false, 0, 0 },
        { "foo:721", false, 0, 0 },
        { "win::721", false, 0, 0 },
        { "72a", false, 0, 0 },
        { "-721", false, 0, 0 },
        { "+721", false, 0, 0 },
        { "7 21", false, 0, 0 },
        { "win:721x", false, 0, 0 },
        { "4294967296", false, 0, 0 },
        { "99999999999", false, 0, 0 },
        { "0x", false, 0, 0 },
        { "lancom:0x", false, 0, 0 },
        { "lancom:0x123456789", false, 0, 0 },
        { "lancom:", false, 0, 0 },
        { "netmotion:0x", false, 0, 0 },
        { "error 721", false, 0, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        pd_code_family f = PD_CODE_FAMILY__COUNT;
        uint32_t c = 12345;
        bool ok = pd_error_code_parse(cases[i].text, &f, &c);
        if (ok != cases[i].ok)
            fail_msg("\"%s\": parse %s", cases[i].text, ok ? "accepted" : "refused");
        if (ok) {
            assert_int_equal(f, cases[i].family);
            assert_int_equal(c, cases[i].code);
        }
    }
    pd_code_family f;
    uint32_t c;
    assert_false(pd_error_code_parse(NULL, &f, &c));
    char *longtext = g_strnfill(200, '7');
    assert_false(pd_error_code_parse(longtext, &f, &c));
    g_free(longtext);
}

static void test_lookup_hints(void **state)
{
    char *hint = (char *)"untouched";
    const pd_error_code *e = pd_error_code_lookup("win:721", &hint);
    assert_non_null(e);
    assert_null(hint);
    assert_ptr_equal(pd_error_code_lookup("721", NULL), e);

    assert_null(pd_error_code_lookup("39", &hint));
    assert_non_null(strstr(hint, "did you mean netmotion:39?"));
    g_free(hint);
    /* Bare digits that are a LANCOM code in hex. */
    assert_null(pd_error_code_lookup("1106", &hint));
    assert_non_null(strstr(hint, "lancom:0x1106"));
    g_free(hint);
    /* Known nowhere. */
    assert_null(pd_error_code_lookup("netmotion:77", &hint));
    assert_non_null(strstr(hint, "netmotion:77 is not in the catalog"));
    assert_non_null(strstr(hint, "explain --list"));
    g_free(hint);
    assert_null(pd_error_code_lookup("lancom:0x9999", &hint));
    assert_non_null(strstr(hint, "lancom:0x9999"));
    g_free(hint);
    /* Not a code at all. */
    assert_null(pd_error_code_lookup("frobnicate", &hint));
    assert_non_null(strstr(hint, "not an error code"));
    g_free(hint);
    assert_null(pd_error_code_lookup("frobnicate", NULL));
}

static void test_labels_and_names(void **state)
{
    char buf[PD_EC_LABEL_LEN];
    assert_string_equal(pd_error_code_label(pd_error_code_find(PD_CODE_WIN, 721), buf, sizeof buf),
                        "win:721");
    assert_string_equal(
        pd_error_code_label(pd_error_code_find(PD_CODE_NETMOTION, 94), buf, sizeof buf),
        "netmotion:94");
    assert_string_equal(
        pd_error_code_label(pd_error_code_find(PD_CODE_LANCOM, 0x1106), buf, sizeof buf),
        "lancom:0x1106");
    assert_string_equal(pd_error_code_label(NULL, buf, sizeof buf), "?");
    /* A short buffer truncates, never overflows. */
    char tiny[5];
    pd_error_code_label(pd_error_code_find(PD_CODE_WIN, 13868), tiny, sizeof tiny);
    assert_string_equal(tiny, "win:");
    /* Every label parses back to its entry. */
    for (size_t i = 0; i < pd_error_code_count(); i++) {
        const pd_error_code *e = pd_error_code_get(i);
        assert_ptr_equal(pd_error_code_lookup(pd_error_code_label(e, buf, sizeof buf), NULL), e);
    }
    assert_string_equal(pd_code_family_name(PD_CODE_LANCOM), "lancom");
    assert_string_equal(pd_code_family_title(PD_CODE_NETMOTION), "NetMotion Mobility");
    assert_string_equal(pd_code_family_name(PD_CODE_FAMILY__COUNT), "unknown");
    assert_string_equal(pd_code_wire_name(PD_WIRE_INDIRECT), "indirect");
    assert_string_equal(pd_reported_verdict_title(PD_REPORTED_CANNOT_TELL), "CANNOT TELL");
    assert_string_equal(pd_reported_verdict_name(PD_REPORTED_CONTRADICTS), "contradicts");
}

static void test_list_has(void **state)
{
    assert_true(pd_error_code_list_has("a bb ccc", "bb"));
    assert_true(pd_error_code_list_has("a bb ccc", "a"));
    assert_true(pd_error_code_list_has("a bb ccc", "ccc"));
    assert_true(pd_error_code_list_has("  a  ", "a"));
    assert_false(pd_error_code_list_has("a bb ccc", "b"));
    assert_false(pd_error_code_list_has("pptp.gre_blocked", "pptp.gre"));
    assert_false(pd_error_code_list_has("pptp.gre", "pptp.gre_blocked"));
    assert_false(pd_error_code_list_has("", "a"));
    assert_false(pd_error_code_list_has("a", ""));
    assert_false(pd_error_code_list_has(NULL, "a"));
    assert_false(pd_error_code_list_has("a", NULL));
}

static void test_codes_for_signature(void **state)
{
    const pd_error_code *out[4];
    size_t n = pd_error_codes_for_signature("netmotion.no_answer", out, G_N_ELEMENTS(out));
    assert_true(n >= 3);
    bool has39 = false;
    for (size_t i = 0; i < MIN(n, G_N_ELEMENTS(out)); i++)
        has39 |= out[i]->family == PD_CODE_NETMOTION && out[i]->code == 39;
    assert_true(has39);
    assert_int_equal(pd_error_codes_for_signature("netmotion.no_answer", NULL, 0), n);
    assert_int_equal(pd_error_codes_for_signature("no.such_signature", out, 4), 0);
    assert_int_equal(pd_error_codes_for_signature("", out, 4), 0);

    char *t = pd_error_codes_typical_text("esp.one_way");
    assert_non_null(t);
    assert_non_null(strstr(t, "lancom:0x1307 (line polling failed)"));
    g_free(t);
    assert_null(pd_error_codes_typical_text("capture.truncated"));
    /* Long lists are cut with a count. */
    t = pd_error_codes_typical_text("ppp.auth_failed");
    assert_non_null(t);
    assert_non_null(strstr(t, "win:691"));
    g_free(t);
}

/* ---- the --reported judgement ---- */

typedef struct capture {
    pd_session sessions[2];
    const pd_session *sp[3];
    size_t ns;
    pd_stage stages[2][10];
    pd_finding findings[3];
    const pd_finding *fp[4];
    size_t nf;
    int codes[3][4];
    pd_evidence evidence[3];
} capture;

static void add_session(capture *c, pd_protocol proto, const char *const *stages, size_t n)
{
    pd_session *s = &c->sessions[c->ns];
    memset(s, 0, sizeof *s);
    s->id = (uint32_t)c->ns + 1;
    s->protocol = proto;
    s->first_frame = 3;
    s->state = n ? stages[n - 1] : "new";
    for (size_t i = 0; i < n; i++)
        c->stages[c->ns][i] = (pd_stage){ stages[i], 10 + i, 0 };
    s->stages = c->stages[c->ns];
    s->n_stages = n;
    c->sp[c->ns] = s;
    c->ns++;
}

static void add_finding(capture *c, const char *sig, pd_severity sev, uint32_t session,
                        const int *codes, size_t n_codes, uint64_t frame)
{
    pd_finding *f = &c->findings[c->nf];
    memset(f, 0, sizeof *f);
    f->signature = pd_signature_by_name(sig);
    assert_non_null(f->signature);
    f->severity = sev;
    f->session_id = session;
    for (size_t i = 0; i < n_codes; i++)
        c->codes[c->nf][i] = codes[i];
    f->windows_errors = c->codes[c->nf];
    f->n_windows_errors = n_codes;
    f->summary = (char *)"what the capture shows";
    c->evidence[c->nf] = (pd_evidence){ frame, 0, (char *)"here" };
    f->evidence = &c->evidence[c->nf];
    f->n_evidence = 1;
    c->fp[c->nf] = f;
    c->nf++;
}

static pd_reported judge(const capture *c, const char *code)
{
    pd_reported r;
    const pd_error_code *e = pd_error_code_lookup(code, NULL);
    assert_non_null(e);
    pd_reported_judge(e, c->sp, c->ns, c->fp, c->nf, &r);
    assert_ptr_equal(r.code, e);
    assert_non_null(r.because);
    assert_true(strlen(r.because) > 20);
    return r;
}

static void expect(const capture *c, const char *code, pd_reported_verdict v, const char *words,
                   uint32_t session, uint64_t frame)
{
    pd_reported r = judge(c, code);
    if (r.verdict != v)
        fail_msg("%s: %s, expected %s (%s)", code, pd_reported_verdict_title(r.verdict),
                 pd_reported_verdict_title(v), r.because);
    if (words && !strstr(r.because, words))
        fail_msg("%s: \"%s\" lacks \"%s\"", code, r.because, words);
    assert_int_equal(r.session_id, session);
    assert_int_equal(r.frame, frame);
    pd_reported_clear(&r);
    assert_null(r.because);
}

static const char *const pptp_healthy[] = { "tcp-connected", "control-connected",
                                            "call-connected", "gre-both-ways", "lcp-opened",
                                            "authenticated", "ccp-opened", "ipcp-opened",
                                            "tunnel-up" };
static const char *const pptp_call_only[] = { "tcp-connected", "control-connected",
                                              "call-connected" };

static void test_judge_gre_blocked(void **state)
{
    capture c = { 0 };
    static const int c721[] = { 721 };
    add_session(&c, PD_PROTO_PPTP, pptp_call_only, 3);
    add_finding(&c, "pptp.gre_blocked", PD_SEV_ERROR, 1, c721, 1, 14);
    expect(&c, "721", PD_REPORTED_CONFIRMS, "itself", 1, 14);
    /* The same failure reported under a sibling code. */
    expect(&c, "628", PD_REPORTED_CONFIRMS, "failure behind win:628", 1, 14);
    /* A catch-all code: the failure explains it. */
    expect(&c, "800", PD_REPORTED_CONFIRMS, "catch-all", 1, 14);
    /* A different failure. */
    expect(&c, "691", PD_REPORTED_CONTRADICTS, "different failure: pptp.gre_blocked", 1, 14);
    expect(&c, "678", PD_REPORTED_CONTRADICTS, "different failure", 1, 14);
    /* Not on the wire, but say what is. */
    expect(&c, "711", PD_REPORTED_CANNOT_TELL, "What the capture does show: pptp.gre_blocked",
           0, 0);
    /* No IKEv2 session. */
    expect(&c, "13868", PD_REPORTED_CANNOT_TELL, "no IKEv2 session", 0, 0);
    expect(&c, "netmotion:39", PD_REPORTED_CANNOT_TELL, "udp port 5008", 0, 0);
}

static void test_judge_healthy(void **state)
{
    capture c = { 0 };
    add_session(&c, PD_PROTO_PPTP, pptp_healthy, 9);
    add_finding(&c, "ppp.terminated", PD_SEV_NOTE, 1, NULL, 0, 40);
    /* PPP completed: not a 721, and the session is healthy. */
    expect(&c, "721", PD_REPORTED_CONTRADICTS, "PPP completed LCP", 1, 14);
    pd_reported r = judge(&c, "721");
    assert_non_null(strstr(r.because, "healthy session"));
    pd_reported_clear(&r);
    expect(&c, "691", PD_REPORTED_CONTRADICTS, "authentication succeeded", 1, 15);
    expect(&c, "678", PD_REPORTED_CONTRADICTS, "TCP connection to port 1723", 1, 10);
    /* No refuting stage listed: the healthy session itself. */
    expect(&c, "806", PD_REPORTED_CONTRADICTS, "reached tunnel-up at frame 18", 1, 18);
    expect(&c, "868", PD_REPORTED_CONTRADICTS, "had the server's address", 1, 3);
    expect(&c, "633", PD_REPORTED_CANNOT_TELL, "not visible on the wire", 0, 0);
    pd_reported r2 = judge(&c, "633");
    assert_non_null(strstr(r2.because, "healthy PPTP session"));
    pd_reported_clear(&r2);
    expect(&c, "809", PD_REPORTED_CANNOT_TELL, "1 session of other protocols", 0, 0);
}

static void test_judge_inconclusive(void **state)
{
    capture c = { 0 };
    /* The control connection is up, nothing failed, nothing more seen. */
    add_session(&c, PD_PROTO_PPTP, pptp_call_only, 3);
    expect(&c, "721", PD_REPORTED_CANNOT_TELL, "shows no failure pcapdiag recognises", 1, 0);
    /* ...but reaching the control connection already rules out 692. */
    expect(&c, "692", PD_REPORTED_CONTRADICTS, "TCP connection", 1, 10);

    /* No session at all. */
    capture none = { 0 };
    expect(&none, "721", PD_REPORTED_CANNOT_TELL, "holds no PPTP or L2TP session", 0, 0);
    expect(&none, "868", PD_REPORTED_CANNOT_TELL, "fits win:868", 0, 0);
    expect(&none, "lancom:0x1108", PD_REPORTED_CANNOT_TELL, "not visible", 0, 0);
}

static void test_judge_other_families(void **state)
{
    capture c = { 0 };
    add_session(&c, PD_PROTO_NETMOTION, NULL, 0);
    add_finding(&c, "netmotion.no_answer", PD_SEV_ERROR, 1, NULL, 0, 1);
    expect(&c, "netmotion:39", PD_REPORTED_CONFIRMS, "netmotion.no_answer", 1, 1);
    expect(&c, "netmotion:94", PD_REPORTED_CONTRADICTS, "different failure", 1, 1);
    /* Its description names the codes users see for a code-less finding. */
    pd_reported r = judge(&c, "netmotion:94");
    assert_non_null(strstr(r.because, "users typically see netmotion:"));
    pd_reported_clear(&r);

    capture m = { 0 };
    static const char *const answered[] = { "server-answered" };
    add_session(&m, PD_PROTO_NETMOTION, answered, 1);
    expect(&m, "netmotion:39", PD_REPORTED_CONTRADICTS, "NetMotion server answered", 1, 10);
    add_finding(&m, "netmotion.address_mismatch", PD_SEV_ERROR, 1, NULL, 0, 2);
    expect(&m, "nm:94", PD_REPORTED_CONFIRMS, "address_mismatch", 1, 2);

    /* Answers that stopped: a circuit timeout (6), not a timeout waiting
     * to connect (39), which the server's earlier answers rule out. */
    capture st = { 0 };
    add_session(&st, PD_PROTO_NETMOTION, answered, 1);
    add_finding(&st, "netmotion.no_answer", PD_SEV_ERROR, 1, NULL, 0, 9);
    expect(&st, "netmotion:6", PD_REPORTED_CONFIRMS, "netmotion.no_answer", 1, 9);
    expect(&st, "netmotion:39", PD_REPORTED_CONTRADICTS, "different failure", 1, 9);

    capture l = { 0 };
    static const char *const ike[] = { "ike-sa-init-done", "ike-auth-done", "child-sa-done" };
    add_session(&l, PD_PROTO_IKEV2, ike, 3);
    expect(&l, "lancom:0x1106", PD_REPORTED_CONTRADICTS, "answered IKE_SA_INIT", 1, 10);
    expect(&l, "13868", PD_REPORTED_CONTRADICTS, "Child SA was created", 1, 12);
    add_finding(&l, "esp.one_way", PD_SEV_ERROR, 1, NULL, 0, 30);
    expect(&l, "lancom:0x1307", PD_REPORTED_CONFIRMS, "esp.one_way", 1, 30);
}

static void test_judge_robust(void **state)
{
    /* NULL code, NULL arrays, NULL entries. */
    pd_reported r;
    pd_reported_judge(NULL, NULL, 0, NULL, 0, &r);
    assert_int_equal(r.verdict, PD_REPORTED_CANNOT_TELL);
    assert_non_null(r.because);
    pd_reported_clear(&r);
    pd_reported_clear(NULL);

    const pd_error_code *e721 = pd_error_code_find(PD_CODE_WIN, 721);
    pd_reported_judge(e721, NULL, 5, NULL, 5, &r);
    assert_int_equal(r.verdict, PD_REPORTED_CANNOT_TELL);
    pd_reported_clear(&r);
    const pd_session *sp[2] = { NULL, NULL };
    const pd_finding *fp[2] = { NULL, NULL };
    pd_reported_judge(e721, sp, 2, fp, 2, &r);
    assert_int_equal(r.verdict, PD_REPORTED_CANNOT_TELL);
    pd_reported_clear(&r);

    /* Every entry against an empty capture and a healthy PPTP one. */
    capture none = { 0 }, healthy = { 0 };
    add_session(&healthy, PD_PROTO_PPTP, pptp_healthy, 9);
    for (size_t i = 0; i < pd_error_code_count(); i++) {
        const pd_error_code *e = pd_error_code_get(i);
        pd_reported_judge(e, none.sp, 0, none.fp, 0, &r);
        assert_int_equal(r.verdict, PD_REPORTED_CANNOT_TELL);
        assert_true(g_utf8_validate(r.because, -1, NULL));
        pd_reported_clear(&r);
        pd_reported_judge(e, healthy.sp, healthy.ns, healthy.fp, 0, &r);
        pd_reported_verdict want = e->wire != PD_WIRE_NO && (e->protocols & PD_EC_PPTP)
                                       ? PD_REPORTED_CONTRADICTS
                                       : PD_REPORTED_CANNOT_TELL;
        if (r.verdict != want) {
            char label[PD_EC_LABEL_LEN];
            fail_msg("%s on a healthy PPTP session: %s (%s)",
                     pd_error_code_label(e, label, sizeof label),
                     pd_reported_verdict_title(r.verdict), r.because);
        }
        pd_reported_clear(&r);
    }
}

/* ---- renderings ---- */

static void assert_width(const char *text, size_t width)
{
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        if (g_utf8_strlen(*l, -1) > (glong)width)
            fail_msg("line wider than %zu: %s", width, *l);
    g_strfreev(lines);
}

static JsonNode *parse_json(const char *text)
{
    JsonParser *p = json_parser_new();
    GError *err = NULL;
    if (!json_parser_load_from_data(p, text, -1, &err))
        fail_msg("invalid JSON: %s", err->message);
    JsonNode *root = json_node_copy(json_parser_get_root(p));
    g_object_unref(p);
    return root;
}

static void test_explain_renderings(void **state)
{
    for (size_t i = 0; i < pd_error_code_count(); i++) {
        const pd_error_code *e = pd_error_code_get(i);
        char label[PD_EC_LABEL_LEN];
        pd_error_code_label(e, label, sizeof label);
        GString *t = g_string_new(NULL);
        pd_report_explain(t, &e, 1, PD_REPORT_TEXT);
        assert_true(g_str_has_prefix(t->str, label));
        assert_non_null(strstr(t->str, "what to do"));
        assert_width(t->str, 100);
        g_string_free(t, TRUE);

        GString *j = g_string_new(NULL);
        pd_report_explain(j, &e, 1, PD_REPORT_JSON);
        JsonNode *n = parse_json(j->str);
        JsonObject *o = json_node_get_object(n);
        assert_string_equal(json_object_get_string_member(o, "code"), label);
        assert_int_equal(json_object_get_int_member(o, "code_raw"), e->code);
        assert_non_null(json_object_get_array_member(o, "signatures"));
        json_node_unref(n);
        g_string_free(j, TRUE);

        GString *m = g_string_new(NULL);
        pd_report_explain(m, &e, 1, PD_REPORT_MARKDOWN);
        assert_true(g_str_has_prefix(m->str, "### `"));
        g_string_free(m, TRUE);
    }
    /* Several codes in JSON: an array. */
    const pd_error_code *two[2] = { pd_error_code_find(PD_CODE_WIN, 721),
                                    pd_error_code_find(PD_CODE_LANCOM, 0x1106) };
    GString *j = g_string_new(NULL);
    pd_report_explain(j, two, 2, PD_REPORT_JSON);
    JsonNode *n = parse_json(j->str);
    assert_int_equal(json_array_get_length(json_node_get_array(n)), 2);
    json_node_unref(n);
    g_string_free(j, TRUE);

    /* The list: one line per code (text), one row (Markdown), one object. */
    GString *l = g_string_new(NULL);
    pd_report_explain_list(l, PD_REPORT_TEXT);
    assert_width(l->str, 100);
    assert_non_null(strstr(l->str, "netmotion:94"));
    g_string_free(l, TRUE);
    l = g_string_new(NULL);
    pd_report_explain_list(l, PD_REPORT_JSON);
    n = parse_json(l->str);
    assert_int_equal(json_array_get_length(json_node_get_array(n)), pd_error_code_count());
    json_node_unref(n);
    g_string_free(l, TRUE);
    l = g_string_new(NULL);
    pd_report_explain_list(l, PD_REPORT_MARKDOWN);
    size_t rows = 0;
    for (const char *p = l->str; (p = strstr(p, "\n| `")) != NULL; p++)
        rows++;
    assert_int_equal(rows, pd_error_code_count());
    g_string_free(l, TRUE);
}

static void test_verdict_renderings(void **state)
{
    capture c = { 0 };
    add_session(&c, PD_PROTO_PPTP, pptp_healthy, 9);
    pd_reported r = judge(&c, "721");
    GString *t = g_string_new(NULL);
    pd_report_reported_text(t, &r);
    assert_true(g_str_has_prefix(t->str, "Reported win:721 (the remote PPP peer does not "
                                          "answer): CONTRADICTS\n"));
    assert_true(g_str_has_suffix(t->str, "\n\n"));
    assert_width(t->str, 100);
    g_string_free(t, TRUE);

    GString *m = g_string_new(NULL);
    pd_report_reported_markdown(m, &r);
    assert_true(g_str_has_prefix(m->str, "## Reported `win:721`"));
    assert_non_null(strstr(m->str, "CONTRADICTS"));
    g_string_free(m, TRUE);

    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    pd_report_reported_json(b, &r);
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    JsonObject *o = json_object_get_object_member(json_node_get_object(root), "reported");
    assert_string_equal(json_object_get_string_member(o, "code"), "win:721");
    assert_string_equal(json_object_get_string_member(o, "verdict"), "contradicts");
    assert_non_null(strstr(json_object_get_string_member(o, "because"), "PPP completed"));
    assert_int_equal(json_object_get_int_member(o, "session"), 1);
    json_node_unref(root);
    g_object_unref(b);
    pd_reported_clear(&r);

    /* Nothing to print without a verdict. */
    GString *e = g_string_new(NULL);
    pd_report_reported_text(e, NULL);
    pd_report_reported_markdown(e, NULL);
    assert_int_equal(e->len, 0);
    g_string_free(e, TRUE);
}

static void test_typical_codes_for_findings(void **state)
{
    capture c = { 0 };
    static const int c721[] = { 721 };
    add_finding(&c, "netmotion.no_answer", PD_SEV_ERROR, 0, NULL, 0, 1);
    add_finding(&c, "pptp.gre_blocked", PD_SEV_ERROR, 0, c721, 1, 1);
    add_finding(&c, "ppp.terminated", PD_SEV_NOTE, 0, NULL, 0, 1);
    char *t = pd_report_typical_codes(&c.findings[0]);
    assert_non_null(strstr(t, "netmotion:39"));
    g_free(t);
    char **labels = pd_report_typical_code_labels(&c.findings[0]);
    assert_non_null(labels);
    assert_true(g_strv_contains((const char *const *)labels, "netmotion:39"));
    g_strfreev(labels);
    /* A finding with its own Windows code, or a note: none. */
    assert_null(pd_report_typical_codes(&c.findings[1]));
    assert_null(pd_report_typical_code_labels(&c.findings[1]));
    assert_null(pd_report_typical_codes(&c.findings[2]));
    assert_null(pd_report_typical_codes(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_well_formed),
        cmocka_unit_test(test_sorted_unique_findable),
        cmocka_unit_test(test_signatures_exist),
        cmocka_unit_test(test_signature_codes_in_catalog),
        cmocka_unit_test(test_seed_codes_present),
        cmocka_unit_test(test_netmotion_properties),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_lookup_hints),
        cmocka_unit_test(test_labels_and_names),
        cmocka_unit_test(test_list_has),
        cmocka_unit_test(test_codes_for_signature),
        cmocka_unit_test(test_judge_gre_blocked),
        cmocka_unit_test(test_judge_healthy),
        cmocka_unit_test(test_judge_inconclusive),
        cmocka_unit_test(test_judge_other_families),
        cmocka_unit_test(test_judge_robust),
        cmocka_unit_test(test_explain_renderings),
        cmocka_unit_test(test_verdict_renderings),
        cmocka_unit_test(test_typical_codes_for_findings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
