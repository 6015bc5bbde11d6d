// SPDX-License-Identifier: GPL-2.0
/* dmactl allow / disallow: the allow list of shared devices. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/dmactl.h>

#include <json-c/json.h>

#include "commands.h"
#include "dmactl_nl.h"
#include "util.h"

static int allow_common(const struct dmactl_cmd *cmd, bool allow,
			int argc, char **argv)
{
	char dev[DMACTL_NAME_MAX];
	struct dmactl_nl *nl;
	json_object *o;
	bool json;
	int ret;

	ret = parse_json_dev(cmd, argc, argv, &json, dev, sizeof(dev));
	if (ret >= 0)
		return ret;
	ret = nl_open_or_say(cmd->name, &nl);
	if (ret)
		return ret;
	ret = dmactl_nl_allow(nl, dev, allow);
	if (ret) {
		ret = nl_say_error(cmd->name, dev, nl, ret);
		dmactl_nl_close(nl);
		return ret;
	}
	dmactl_nl_close(nl);
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "device", json_object_new_string(dev));
		json_object_object_add(o, "allowed",
				       json_object_new_boolean(allow));
		json_print(o, JSON_C_TO_STRING_PRETTY);
	}
	return EXIT_OK;
}

static int allow_run(int argc, char **argv)
{
	return allow_common(&cmd_allow, true, argc, argv);
}

static int disallow_run(int argc, char **argv)
{
	return allow_common(&cmd_disallow, false, argc, argv);
}

const struct dmactl_cmd cmd_allow = {
	.name = "allow",
	.summary = "let dmactl map for a device that keeps its driver",
	.help =
"NAME\n"
"    dmactl allow - put a device on dmactl's allow list (shared mode)\n"
"\n"
"SYNOPSIS\n"
"    dmactl allow DEV [--json]\n"
"\n"
"DESCRIPTION\n"
"    Lets dmactl attach to DEV while it stays with its own driver (nvme,\n"
"    mlx5_core, ...), mapping into the same IOMMU domain as the device's\n"
"    live I/O.  Sent as DMACTL_NL_CMD_ALLOW on the dmactl generic netlink\n"
"    family (CAP_NET_ADMIN); scripts may write DEV to\n"
"    /sys/class/misc/dmactl/allow instead.  Allowing twice is no error.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure (with the kernel's message), 2 usage error,\n"
"    4 module not loaded.\n",
	.run = allow_run,
};

const struct dmactl_cmd cmd_disallow = {
	.name = "disallow",
	.summary = "take a device off the allow list",
	.help =
"NAME\n"
"    dmactl disallow - take a device off dmactl's allow list\n"
"\n"
"SYNOPSIS\n"
"    dmactl disallow DEV [--json]\n"
"\n"
"DESCRIPTION\n"
"    Removes DEV from the allow list and tears down every mapping dmactl\n"
"    holds on it; files attached to it get ENODEV from then on.  Sent as\n"
"    DMACTL_NL_CMD_DISALLOW (CAP_NET_ADMIN); the sysfs file\n"
"    /sys/class/misc/dmactl/disallow does the same.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure (ENOENT: not on the list), 2 usage error,\n"
"    4 module not loaded.\n",
	.run = disallow_run,
};
