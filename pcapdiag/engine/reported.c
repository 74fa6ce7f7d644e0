/* reported.c - judging an error code a user reported against a capture:
 * CONFIRMS, CONTRADICTS or CANNOT TELL, with the reason in words.
 *
 * It reads only the public model (sessions with their stages, findings
 * with their signatures and Windows codes) and the catalog
 * (errorcodes.def), so the CLI and the plugin can both ask. The order of
 * the tests is the argument: a finding that carries the code or a signature
 * the catalog names for it confirms; a code no capture can show, or a
 * capture without a session of the code's protocols, cannot tell; a
 * different failure, a stage the failure would have prevented, or a healthy
 * session contradicts; anything else cannot tell.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "pcapdiag/errorcodes.h"

/* The last stage of a session that fully came up, per protocol family. */
#define REPORTED_HEALTHY_STAGES "tunnel-up child-sa-done quick-mode-done esp-both-ways"

const char *pd_reported_verdict_title(pd_reported_verdict v)
{
    switch (v) {
    case PD_REPORTED_CONFIRMS: return "CONFIRMS";
    case PD_REPORTED_CONTRADICTS: return "CONTRADICTS";
    case PD_REPORTED_CANNOT_TELL: return "CANNOT TELL";
    }
    return "CANNOT TELL";
}

const char *pd_reported_verdict_name(pd_reported_verdict v)
{
    switch (v) {
    case PD_REPORTED_CONFIRMS: return "confirms";
    case PD_REPORTED_CONTRADICTS: return "contradicts";
    case PD_REPORTED_CANNOT_TELL: return "cannot-tell";
    }
    return "cannot-tell";
}

void pd_reported_clear(pd_reported *r)
{
    if (!r)
        return;
    g_free(r->because);
    memset(r, 0, sizeof *r);
}

/* ---- words ---- */

static const char *proto_title(pd_protocol p)
{
    switch (p) {
    case PD_PROTO_PPTP: return "PPTP";
    case PD_PROTO_L2TP: return "L2TP";
    case PD_PROTO_IKEV1: return "IKEv1";
    case PD_PROTO_IKEV2: return "IKEv2";
    case PD_PROTO_ESP: return "ESP";
    case PD_PROTO_NETMOTION: return "NetMotion";
    case PD_PROTO_L2TP_IPSEC: return "L2TP/IPsec";
    case PD_PROTO__COUNT: break;
    }
    return "VPN";
}

/* "PPTP, L2TP or IKEv1" */
static char *protocols_text(unsigned mask)
{
    GString *s = g_string_new(NULL);
    int n = 0, total = 0;
    for (int p = 0; p < PD_PROTO__COUNT; p++)
        if (mask & PD_EC_PROTO(p))
            total++;
    for (int p = 0; p < PD_PROTO__COUNT; p++) {
        if (!(mask & PD_EC_PROTO(p)))
            continue;
        n++;
        g_string_append_printf(s, "%s%s", n == 1 ? "" : n == total ? " or " : ", ",
                               proto_title((pd_protocol)p));
    }
    if (!s->len)
        g_string_append(s, "VPN");
    return g_string_free(s, FALSE);
}

/* A libpcap filter that catches the code's protocols, for "what would help". */
static char *capture_filter(unsigned mask)
{
    GString *s = g_string_new(NULL);
    if (mask & PD_EC_PPTP)
        g_string_append(s, "tcp port 1723 or ip proto 47");
    if (mask & PD_EC_L2TP)
        g_string_append_printf(s, "%sudp port 1701", s->len ? " or " : "");
    if (mask & (PD_EC_IKEV1 | PD_EC_IKEV2))
        g_string_append_printf(s, "%sudp port 500 or udp port 4500", s->len ? " or " : "");
    if (mask & PD_EC_ESP)
        g_string_append_printf(s, "%sip proto 50", s->len ? " or " : "");
    if (mask & PD_EC_NETMOTION)
        g_string_append_printf(s, "%sudp port 5008",
                               s->len ? " or " : "");
    return g_string_free(s, FALSE);
}

static const struct {
    const char *stage;
    const char *phrase;
} stage_phrases[] = {
    { "tcp-connected", "the TCP connection to port 1723 was established" },
    { "control-connected", "the PPTP control connection came up" },
    { "call-connected", "the PPTP call was set up" },
    { "gre-both-ways", "GRE flowed both ways" },
    { "lcp-opened", "PPP completed LCP (the peer answers PPP)" },
    { "authenticated", "PPP authentication succeeded" },
    { "ccp-opened", "encryption (CCP/MPPE) was agreed" },
    { "ipcp-opened", "IPCP configured the addresses" },
    { "ipv6cp-opened", "IPV6CP completed" },
    { "tunnel-up", "the tunnel came up" },
    { "tunnel-connected", "the L2TP tunnel was established" },
    { "ike-sa-init-done", "the responder answered IKE_SA_INIT" },
    { "ike-auth-done", "IKE_AUTH completed" },
    { "phase1-done", "IKE phase 1 completed" },
    { "quick-mode-done", "IKE quick mode completed" },
    { "child-sa-done", "the Child SA was created" },
    { "esp-both-ways", "ESP flowed both ways" },
    { "server-answered", "the NetMotion server answered" },
};

static char *stage_phrase(const char *stage)
{
    for (size_t i = 0; i < G_N_ELEMENTS(stage_phrases); i++)
        if (strcmp(stage_phrases[i].stage, stage) == 0)
            return g_strdup(stage_phrases[i].phrase);
    return g_strdup_printf("the session reached stage %s", stage);
}

static char *capitalise(char *s)
{
    if (s && *s)
        s[0] = g_ascii_toupper(s[0]);
    return s;
}

/* ---- the capture ---- */

typedef struct judge_ctx {
    const pd_error_code *code;
    char label[PD_EC_LABEL_LEN];
    const pd_session *const *sessions;
    size_t n_sessions;
    const pd_finding *const *findings;
    size_t n_findings;
} judge_ctx;

static const pd_session *session_by_id(const judge_ctx *x, uint32_t id)
{
    if (id == 0)
        return NULL;
    for (size_t i = 0; i < x->n_sessions; i++)
        if (x->sessions[i] && x->sessions[i]->id == id)
            return x->sessions[i];
    return NULL;
}

static bool session_relevant(const judge_ctx *x, const pd_session *s)
{
    return s && (unsigned)s->protocol < PD_PROTO__COUNT &&
           (x->code->protocols & PD_EC_SESSION(s->protocol));
}

static bool finding_has_code(const pd_finding *f, uint32_t code)
{
    for (size_t i = 0; i < f->n_windows_errors; i++)
        if (f->windows_errors[i] >= 0 && (uint32_t)f->windows_errors[i] == code)
            return true;
    return false;
}

static bool finding_is_capture_level(const pd_finding *f)
{
    return f->signature && g_str_has_prefix(f->signature->id, "capture.");
}

/* Pick the most severe of the findings `pred` accepts (first on ties). */
typedef bool (*finding_pred)(const judge_ctx *x, const pd_finding *f);

static const pd_finding *pick(const judge_ctx *x, finding_pred pred)
{
    const pd_finding *best = NULL;
    for (size_t i = 0; i < x->n_findings; i++) {
        const pd_finding *f = x->findings[i];
        if (!f || !pred(x, f))
            continue;
        if (!best || f->severity > best->severity)
            best = f;
    }
    return best;
}

static bool pred_exact(const judge_ctx *x, const pd_finding *f)
{
    return x->code->family == PD_CODE_WIN && finding_has_code(f, x->code->code);
}

/* Has the session reached a stage that rules the code out? */
static bool session_refutes(const judge_ctx *x, const pd_session *s)
{
    if (!s)
        return false;
    for (size_t i = 0; i < s->n_stages; i++)
        if (s->stages[i].name && pd_error_code_list_has(x->code->refuted_by, s->stages[i].name))
            return true;
    return false;
}

/* A signature the catalog names for the code, in a session that did not
 * get past the point the code rules out (netmotion.no_answer after the
 * server had answered is a circuit timeout, not "timeout waiting to
 * connect"). */
static bool pred_signature(const judge_ctx *x, const pd_finding *f)
{
    return f->signature && f->severity >= PD_SEV_WARNING &&
           pd_error_code_list_has(x->code->signatures, f->signature->id) &&
           !session_refutes(x, session_by_id(x, f->session_id));
}

/* An error about a session of the code's protocols (or, for a code of any
 * protocol, any session). */
static bool pred_relevant_error(const judge_ctx *x, const pd_finding *f)
{
    if (f->severity < PD_SEV_ERROR || finding_is_capture_level(f))
        return false;
    return session_relevant(x, session_by_id(x, f->session_id));
}

static bool pred_any_error(const judge_ctx *x, const pd_finding *f)
{
    return f->severity >= PD_SEV_ERROR && !finding_is_capture_level(f);
}

/* "pptp.gre_blocked in session 1 (Windows 721): GRE ..."; a finding
 * without Windows codes names the codes users see for it when `typical`
 * (not when it confirms the code: that would only repeat it). */
static char *describe_finding(const pd_finding *f, bool typical)
{
    GString *s = g_string_new(f->signature ? f->signature->id : "a finding");
    if (f->session_id)
        g_string_append_printf(s, " in session %" PRIu32, f->session_id);
    if (f->n_windows_errors) {
        g_string_append(s, " (Windows ");
        for (size_t i = 0; i < f->n_windows_errors; i++)
            g_string_append_printf(s, "%s%d", i ? ", " : "", f->windows_errors[i]);
        g_string_append_c(s, ')');
    } else if (f->signature && typical) {
        char *codes = pd_error_codes_typical_text(f->signature->id);
        if (codes)
            g_string_append_printf(s, " (users typically see %s for it)", codes);
        g_free(codes);
    }
    if (f->summary && *f->summary) {
        g_string_append(s, ": ");
        g_string_append(s, f->summary);
    }
    return g_string_free(s, FALSE);
}

static const pd_stage *healthy_stage(const pd_session *s)
{
    for (size_t i = s->n_stages; i-- > 0;)
        if (s->stages[i].name &&
            pd_error_code_list_has(REPORTED_HEALTHY_STAGES, s->stages[i].name))
            return &s->stages[i];
    return NULL;
}

static void set(pd_reported *out, pd_reported_verdict v, const pd_finding *f, uint32_t session,
                uint64_t frame, char *because)
{
    out->verdict = v;
    out->because = because;
    out->session_id = f ? f->session_id : session;
    out->frame = f && f->n_evidence ? f->evidence[0].frame : frame;
}

/* What the capture shows instead, for a code it cannot judge: " The
 * capture does show ..." or "". */
static char *shows_instead(const judge_ctx *x)
{
    const pd_finding *f = pick(x, pred_any_error);
    if (f) {
        char *d = describe_finding(f, true);
        char *s = g_strdup_printf(" What the capture does show: %s.", d);
        g_free(d);
        return s;
    }
    for (size_t i = 0; i < x->n_sessions; i++) {
        const pd_session *s = x->sessions[i];
        const pd_stage *h = s ? healthy_stage(s) : NULL;
        if (h)
            return g_strdup_printf(" The capture itself shows a healthy %s session (session %" PRIu32
                                   " reached %s at frame %" PRIu64 ").",
                                   proto_title(s->protocol), s->id, h->name, h->frame);
    }
    return g_strdup("");
}

void pd_reported_judge(const pd_error_code *code, const pd_session *const *sessions,
                       size_t n_sessions, const pd_finding *const *findings, size_t n_findings,
                       pd_reported *out)
{
    memset(out, 0, sizeof *out);
    out->code = code;
    out->verdict = PD_REPORTED_CANNOT_TELL;
    if (!code) {
        out->because = g_strdup("No code to judge.");
        return;
    }
    judge_ctx x = { code, "", sessions, sessions ? n_sessions : 0, findings,
                    findings ? n_findings : 0 };
    pd_error_code_label(code, x.label, sizeof x.label);
    const char *L = x.label;

    /* 1. A finding that carries the very code. */
    const pd_finding *f = pick(&x, pred_exact);
    if (f) {
        char *d = describe_finding(f, false);
        set(out, PD_REPORTED_CONFIRMS, f, 0, 0,
            g_strdup_printf("The capture shows %s (%s) itself: %s.", L, code->title, d));
        g_free(d);
        return;
    }

    /* 2. A signature the catalog names for the code. */
    f = pick(&x, pred_signature);
    if (f) {
        char *d = describe_finding(f, false);
        char *because;
        if (code->family == PD_CODE_WIN && f->n_windows_errors)
            because = g_strdup_printf("The capture shows the failure behind %s (%s): %s. Windows "
                                      "usually reports this case under the code(s) named, but "
                                      "the cause on the wire is the same.",
                                      L, code->title, d);
        else
            because = g_strdup_printf("The capture shows the failure behind %s (%s): %s.", L,
                                      code->title, d);
        set(out, PD_REPORTED_CONFIRMS, f, 0, 0, because);
        g_free(d);
        return;
    }

    /* 3. A catch-all code: any failure of its protocols is its cause. */
    if (code->flags & PD_EC_GENERIC) {
        f = pick(&x, pred_relevant_error);
        if (f) {
            char *d = describe_finding(f, false);
            set(out, PD_REPORTED_CONFIRMS, f, 0, 0,
                g_strdup_printf("%s (%s) is a catch-all; the capture shows the failure behind "
                                "it: %s.",
                                L, code->title, d));
            g_free(d);
            return;
        }
    }

    /* 4. A code no capture can show. */
    if (code->wire == PD_WIRE_NO) {
        char *inst = shows_instead(&x);
        set(out, PD_REPORTED_CANNOT_TELL, NULL, 0, 0,
            g_strdup_printf("%s (%s) is not visible on the wire. %s%s", L, code->title,
                            code->on_wire, inst));
        g_free(inst);
        return;
    }

    /* 5. No session the code could be about. */
    const pd_session *first_relevant = NULL;
    for (size_t i = 0; i < x.n_sessions; i++) {
        if (session_relevant(&x, x.sessions[i])) {
            first_relevant = x.sessions[i];
            break;
        }
    }
    if (!first_relevant) {
        char *protos = protocols_text(code->protocols);
        char *filter = capture_filter(code->protocols);
        size_t others = 0;
        for (size_t i = 0; i < x.n_sessions; i++)
            if (x.sessions[i])
                others++;
        char *what = others ? g_strdup_printf(" (it has %zu session%s of other protocols)", others,
                                              others == 1 ? "" : "s")
                            : g_strdup("");
        char *because;
        if (pd_error_code_list_has(code->refuted_by, "opened"))
            because = g_strdup_printf("The capture holds no %s session%s, which fits %s (%s) but "
                                      "does not prove it. %s",
                                      protos, what, L, code->title, code->on_wire);
        else
            because = g_strdup_printf("The capture holds no %s session%s, so it cannot show %s "
                                      "(%s). A capture of the attempt at the client would help "
                                      "(libpcap filter: %s).",
                                      protos, what, L, code->title, filter);
        set(out, PD_REPORTED_CANNOT_TELL, NULL, 0, 0, because);
        g_free(protos);
        g_free(filter);
        g_free(what);
        return;
    }

    /* 6. A different failure in a session the code is about. */
    f = pick(&x, pred_relevant_error);
    if (f) {
        char *d = describe_finding(f, true);
        set(out, PD_REPORTED_CONTRADICTS, f, 0, 0,
            g_strdup_printf("The capture shows a different failure: %s. That is not %s (%s).", d,
                            L, code->title));
        g_free(d);
        return;
    }

    /* 7. A stage the failure would have prevented. */
    for (size_t i = 0; i < x.n_sessions; i++) {
        const pd_session *s = x.sessions[i];
        if (!session_relevant(&x, s))
            continue;
        const pd_stage *h = healthy_stage(s);
        char *tail = h ? g_strdup_printf(" The capture shows a healthy session: %s reached at "
                                         "frame %" PRIu64 " and nothing failed.",
                                         h->name, h->frame)
                       : g_strdup("");
        if (pd_error_code_list_has(code->refuted_by, "opened")) {
            set(out, PD_REPORTED_CONTRADICTS, NULL, s->id, s->first_frame,
                g_strdup_printf("Session %" PRIu32 " (%s) sends to the server from frame %" PRIu64
                                ": the client had the server's address, so this is not %s (%s).%s",
                                s->id, proto_title(s->protocol), s->first_frame, L, code->title,
                                tail));
            g_free(tail);
            return;
        }
        for (size_t k = 0; k < s->n_stages; k++) {
            const pd_stage *st = &s->stages[k];
            if (!st->name || !pd_error_code_list_has(code->refuted_by, st->name))
                continue;
            char *phrase = capitalise(stage_phrase(st->name));
            set(out, PD_REPORTED_CONTRADICTS, NULL, s->id, st->frame,
                g_strdup_printf("%s in session %" PRIu32 " (frame %" PRIu64 "): not %s (%s).%s",
                                phrase, s->id, st->frame, L, code->title, tail));
            g_free(phrase);
            g_free(tail);
            return;
        }
        g_free(tail);
    }

    /* 8. A session that came up whole, with nothing failing. */
    for (size_t i = 0; i < x.n_sessions; i++) {
        const pd_session *s = x.sessions[i];
        const pd_stage *h = session_relevant(&x, s) ? healthy_stage(s) : NULL;
        if (!h)
            continue;
        set(out, PD_REPORTED_CONTRADICTS, NULL, s->id, h->frame,
            g_strdup_printf("Session %" PRIu32 " (%s) reached %s at frame %" PRIu64 " and "
                            "nothing failed: the capture shows a healthy session, not %s (%s).",
                            s->id, proto_title(s->protocol), h->name, h->frame, L, code->title));
        return;
    }

    /* 9. The session is there but shows neither the failure nor its absence. */
    const pd_session *s = first_relevant;
    set(out, PD_REPORTED_CANNOT_TELL, NULL, s->id, 0,
        g_strdup_printf("Session %" PRIu32 " (%s, state %s) shows no failure pcapdiag recognises "
                        "as %s (%s), nor a stage that rules it out. On the wire: %s A capture "
                        "covering the whole attempt, at the client, would help.",
                        s->id,
                        proto_title(s->protocol), s->state ? s->state : "?", L, code->title,
                        code->on_wire));
}

void pd_reported_judge_engine(const pd_error_code *code, const pd_engine *engine,
                              pd_reported *out)
{
    size_t ns = pd_engine_session_count(engine), nf = pd_engine_finding_count(engine);
    const pd_session **sessions = g_new0(const pd_session *, ns + 1);
    const pd_finding **findings = g_new0(const pd_finding *, nf + 1);
    for (size_t i = 0; i < ns; i++)
        sessions[i] = pd_engine_session(engine, i);
    for (size_t i = 0; i < nf; i++)
        findings[i] = pd_engine_finding(engine, i);
    pd_reported_judge(code, sessions, ns, findings, nf, out);
    g_free(sessions);
    g_free(findings);
}
