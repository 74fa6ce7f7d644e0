/* errorcodes.h - the catalog of error codes VPN users report (Windows RAS
 * and IKEv2, NetMotion Mobility, LANCOM) and the judgement of a reported
 * code against what a capture shows.
 *
 * The catalog is data, one table: include/pcapdiag/errorcodes.def (X-macro
 * rows, like signatures.def). `pcapdiag explain`, `--reported`, the README
 * and the "codes users typically see" lines of the reports all read it
 * through this API; nothing else lists codes.
 *
 * Codes that two products share are told apart by a family prefix:
 * "win:721", "netmotion:94", "lancom:0x1106"; a bare number is Windows.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PCAPDIAG_ERRORCODES_H
#define PCAPDIAG_ERRORCODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapdiag/pcapdiag.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pd_code_family {
    PD_CODE_WIN,       /* Windows RAS / IKEv2 client codes ("win:721") */
    PD_CODE_NETMOTION, /* NetMotion Mobility disconnect codes ("netmotion:94") */
    PD_CODE_LANCOM,    /* LANCOM router IFC errors ("lancom:0x1106"), always hex */
    PD_CODE_FAMILY__COUNT
} pd_code_family;

/* Can a capture show the cause of the code? */
typedef enum pd_code_wire {
    PD_WIRE_YES,      /* the failure itself is on the wire (a signature names it) */
    PD_WIRE_INDIRECT, /* only its symptoms or part of the cases are */
    PD_WIRE_NO        /* decided on one host or inside encryption: not on the wire */
} pd_code_wire;

/* Properties of a code (the first three are NetMotion's own table's). */
#define PD_EC_FATAL 0x1u    /* the client stops; the user must act */
#define PD_EC_CREDS 0x2u    /* logon credentials are cleared from memory */
#define PD_EC_FAILOVER 0x4u /* the client looks for a failover server */
#define PD_EC_GENERIC 0x8u  /* a catch-all: any failure of the protocol explains it */

/* Which sessions can show a code: a mask of 1 << pd_protocol. */
#define PD_EC_PROTO(p) (1u << (p))
#define PD_EC_PPTP PD_EC_PROTO(PD_PROTO_PPTP)
#define PD_EC_L2TP PD_EC_PROTO(PD_PROTO_L2TP)
#define PD_EC_IKEV1 PD_EC_PROTO(PD_PROTO_IKEV1)
#define PD_EC_IKEV2 PD_EC_PROTO(PD_PROTO_IKEV2)
#define PD_EC_ESP PD_EC_PROTO(PD_PROTO_ESP)
#define PD_EC_NETMOTION PD_EC_PROTO(PD_PROTO_NETMOTION)
#define PD_EC_PPP (PD_EC_PPTP | PD_EC_L2TP)                 /* PPP runs over both */
#define PD_EC_L2TP_IPSEC (PD_EC_L2TP | PD_EC_IKEV1 | PD_EC_ESP) /* Windows' L2TP */
#define PD_EC_IPSEC (PD_EC_IKEV1 | PD_EC_IKEV2 | PD_EC_ESP)
#define PD_EC_WINDOWS_VPN (PD_EC_PPP | PD_EC_IPSEC)
/* The codes a session of protocol p can show: an l2tp-ipsec session is an L2TP, an IKEv1
 * and an ESP session at once. */
#define PD_EC_SESSION(p)                                                                       \
    ((p) == PD_PROTO_L2TP_IPSEC ? (PD_EC_L2TP_IPSEC | PD_EC_PROTO(p)) : PD_EC_PROTO(p))

typedef struct pd_error_code {
    pd_code_family family;
    uint32_t code;
    const char *title;      /* a few words */
    unsigned flags;         /* PD_EC_FATAL ... */
    unsigned protocols;     /* PD_EC_PPTP ... */
    pd_code_wire wire;
    const char *signatures; /* space-separated signature ids that confirm it, or "" */
    const char *refuted_by; /* space-separated stages whose reach rules it out, or "";
                             * "opened" means any session of its protocols */
    const char *meaning;
    const char *on_wire;    /* what a capture shows, what to look for */
    const char *action;     /* what to do */
    const char *source;
} pd_error_code;

size_t pd_error_code_count(void);
/* The catalog in its order (by family, then code); NULL past the end. */
const pd_error_code *pd_error_code_get(size_t index);
const pd_error_code *pd_error_code_find(pd_code_family family, uint32_t code);

/* Parse "721", "win:721", "windows:721", "netmotion:94", "nm:94",
 * "lancom:0x1106", "lancom:1106" (LANCOM codes are always hex). Case and
 * surrounding blanks do not matter. False on anything else. */
bool pd_error_code_parse(const char *text, pd_code_family *family, uint32_t *code);

/* Parse and find. NULL when the text is not a code or the catalog lacks it;
 * then, if `hint` is non-NULL, *hint is a sentence for the user (newly
 * allocated, g_free it): what was wrong and, when the number exists in
 * another family, which prefixed code was probably meant. */
const pd_error_code *pd_error_code_lookup(const char *text, char **hint);

const char *pd_code_family_name(pd_code_family f);  /* "win", "netmotion", "lancom" */
const char *pd_code_family_title(pd_code_family f); /* "Windows", "NetMotion Mobility", "LANCOM" */
const char *pd_code_wire_name(pd_code_wire w);      /* "yes", "indirect", "no" */

/* "win:721", "netmotion:94", "lancom:0x1106" into buf (PD_EC_LABEL_LEN). */
#define PD_EC_LABEL_LEN 32
const char *pd_error_code_label(const pd_error_code *e, char *buf, size_t len);

/* Is `word` one of the space-separated words of `list`? (signatures,
 * refuted_by). */
bool pd_error_code_list_has(const char *list, const char *word);

/* The catalog entries that name signature `sig_id`, in catalog order, up to
 * `max` of them into `out`; returns how many there are in all. */
size_t pd_error_codes_for_signature(const char *sig_id, const pd_error_code **out, size_t max);

/* ---- a reported code against a capture (reported.c) ----------------------- */

typedef enum pd_reported_verdict {
    PD_REPORTED_CONFIRMS,
    PD_REPORTED_CONTRADICTS,
    PD_REPORTED_CANNOT_TELL
} pd_reported_verdict;

/* "CONFIRMS", "CONTRADICTS", "CANNOT TELL" (reports) and "confirms",
 * "contradicts", "cannot-tell" (JSON). */
const char *pd_reported_verdict_title(pd_reported_verdict v);
const char *pd_reported_verdict_name(pd_reported_verdict v);

typedef struct pd_reported {
    const pd_error_code *code;
    pd_reported_verdict verdict;
    char *because;       /* one or two sentences, newly allocated */
    uint32_t session_id; /* the session the verdict rests on, 0 if none */
    uint64_t frame;      /* the frame it cites, 0 if none */
} pd_reported;

/* Judge `code` against a finished capture's sessions and findings (the
 * arrays a report reads; NULL entries are skipped). Fills `out`; free its
 * text with pd_reported_clear(). */
void pd_reported_judge(const pd_error_code *code, const pd_session *const *sessions,
                       size_t n_sessions, const pd_finding *const *findings, size_t n_findings,
                       pd_reported *out);
/* The same from a finished engine. */
void pd_reported_judge_engine(const pd_error_code *code, const pd_engine *engine,
                              pd_reported *out);
void pd_reported_clear(pd_reported *r);

/* "netmotion:39 (timeout waiting to connect), netmotion:6 (...)": the codes
 * users typically see for a finding's signature, or NULL when the catalog
 * names none (newly allocated). */
char *pd_error_codes_typical_text(const char *sig_id);

#ifdef __cplusplus
}
#endif

#endif /* PCAPDIAG_ERRORCODES_H */
