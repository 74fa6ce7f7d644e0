/* report_engine.c - the bridge from a finished engine to a report's input
 * (kept apart so the report layer's unit tests need no engine).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report.h"

void pd_report_capture_from_engine(pd_report_capture *rc, const pd_engine *engine)
{
    rc->stats = pd_engine_stats(engine);
    rc->n_sessions = pd_engine_session_count(engine);
    const pd_session **sessions = g_new0(const pd_session *, rc->n_sessions + 1);
    for (size_t i = 0; i < rc->n_sessions; i++)
        sessions[i] = pd_engine_session(engine, i);
    rc->sessions = sessions;
    rc->n_findings = pd_engine_finding_count(engine);
    const pd_finding **findings = g_new0(const pd_finding *, rc->n_findings + 1);
    for (size_t i = 0; i < rc->n_findings; i++)
        findings[i] = pd_engine_finding(engine, i);
    rc->findings = findings;
}

void pd_report_capture_clear(pd_report_capture *rc)
{
    g_free((gpointer)rc->sessions);
    g_free((gpointer)rc->findings);
    rc->sessions = NULL;
    rc->findings = NULL;
    rc->n_sessions = rc->n_findings = 0;
    rc->stats = NULL;
}
