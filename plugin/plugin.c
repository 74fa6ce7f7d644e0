/* plugin.c - the entry points Wireshark 4.0 looks for in an epan plugin:
 * plugin_version, plugin_want_major/minor and plugin_register.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_BUILD_DLL
#include <wireshark.h>

#include <epan/proto.h>

#include "packet-pcapdiag.h"

/* Wireshark loads a plugin only into the major.minor release it was built
 * against: the dissector ABI changes between them. */
WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PCAPDIAG_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static const proto_plugin plug = {
        .register_protoinfo = proto_register_pcapdiag,
        .register_handoff = proto_reg_handoff_pcapdiag,
    };
    proto_register_plugin(&plug);
}
