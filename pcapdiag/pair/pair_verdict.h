/* pair_verdict.h - the paired verdict: single-capture findings refined by
 * what the path did, and the path.* findings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_PAIR_VERDICT_H
#define PD_PAIR_VERDICT_H

#include "pair.h"

/* Fill r->findings from r->sessions and the two engines' findings. */
void pd_pair_verdict(pd_pair_result *r, pd_engine *const engine[2]);

void pd_pair_finding_clear(pd_pair_finding *f);

#endif /* PD_PAIR_VERDICT_H */
