/* signatures.c - the signature table (from signatures.def) and the names of
 * the model's enumerations, as they appear in JSON and reports.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "pcapdiag/pcapdiag.h"

static const pd_signature signature_table[PD_SIG__COUNT] = {
#define PD_SIGNATURE(e, id, sev, grp, title, codes, src) \
    { PD_SIG_##e, id, PD_SEV_##sev, PD_GROUP_##grp, title, codes, src },
#include "pcapdiag/signatures.def"
#undef PD_SIGNATURE
};

const pd_signature *pd_signature_get(pd_sig_id sig)
{
    return (unsigned)sig < PD_SIG__COUNT ? &signature_table[sig] : NULL;
}

const pd_signature *pd_signature_by_name(const char *id)
{
    for (size_t i = 0; i < PD_SIG__COUNT; i++)
        if (strcmp(signature_table[i].id, id) == 0)
            return &signature_table[i];
    return NULL;
}

size_t pd_signature_count(void)
{
    return PD_SIG__COUNT;
}

const char *pd_severity_name(pd_severity s)
{
    switch (s) {
    case PD_SEV_ERROR: return "error";
    case PD_SEV_WARNING: return "warning";
    case PD_SEV_NOTE: return "note";
    }
    return "unknown";
}

const char *pd_confidence_name(pd_confidence c)
{
    switch (c) {
    case PD_CONF_HIGH: return "high";
    case PD_CONF_MEDIUM: return "medium";
    case PD_CONF_LOW: return "low";
    }
    return "unknown";
}

const char *pd_protocol_name(pd_protocol p)
{
    switch (p) {
    case PD_PROTO_PPTP: return "pptp";
    case PD_PROTO_L2TP: return "l2tp";
    case PD_PROTO_IKEV1: return "ikev1";
    case PD_PROTO_IKEV2: return "ikev2";
    case PD_PROTO_ESP: return "esp";
    case PD_PROTO_NETMOTION: return "netmotion";
    case PD_PROTO_L2TP_IPSEC: return "l2tp-ipsec";
    case PD_PROTO__COUNT: break;
    }
    return "unknown";
}

const char *pd_blame_name(pd_blame b)
{
    switch (b) {
    case PD_BLAME_CLIENT_NETWORK: return "client-network";
    case PD_BLAME_SERVER: return "server";
    case PD_BLAME_PATH: return "path";
    case PD_BLAME_MIDDLEBOX: return "middlebox";
    case PD_BLAME_CONFIGURATION: return "configuration";
    case PD_BLAME_UNKNOWN: return "unknown";
    }
    return "unknown";
}

const char *pd_vantage_name(pd_vantage v)
{
    switch (v) {
    case PD_VANTAGE_CLIENT: return "client";
    case PD_VANTAGE_SERVER: return "server";
    case PD_VANTAGE_MIDDLE: return "middle";
    case PD_VANTAGE_UNKNOWN: return "unknown";
    }
    return "unknown";
}
