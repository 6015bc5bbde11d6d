// SPDX-License-Identifier: GPL-2.0
/* dmactl info: what the DMA layer offers for one device. */
#include <stdio.h>
#include <unistd.h>

#include "device.h"
#include "commands.h"
#include "util.h"

static int info_run(int argc, char **argv)
{
	struct dmactl_attach a;
	char dev[DMACTL_NAME_MAX];
	bool json = false;
	json_object *o;
	int fd, ret;

	ret = parse_json_dev(&cmd_info, argc, argv, &json, dev, sizeof(dev));
	if (ret >= 0)
		return ret;
	ret = dmactl_open_attach("info", dev, &a, &fd);
	if (ret)
		return ret;
	close(fd);
	if (json) {
		o = attach_json(dev, &a);
		json_print(o, JSON_C_TO_STRING_PRETTY);
	} else {
		attach_print(dev, &a);
	}
	return EXIT_OK;
}

const struct dmactl_cmd cmd_info = {
	.name = "info",
	.summary = "show what the DMA layer offers for a device",
	.help =
"NAME\n"
"    dmactl info - show what the DMA layer offers for a device\n"
"\n"
"SYNOPSIS\n"
"    dmactl info DEV [--json]\n"
"\n"
"DESCRIPTION\n"
"    Attaches to DEV (a PCI address such as 0000:00:04.0, or its\n"
"    /sys/bus/pci/devices/ path) and prints how dmactl can map for it:\n"
"    exclusive (bound to dmactl) or shared (on the allow list), the IOMMU\n"
"    domain type, whether the two-step IOVA API can be used, the IOVA\n"
"    granule, the DMA mask, coherence, swiotlb bouncing, the maximum and\n"
"    optimal mapping sizes and the NUMA node.  Needs dmactl.ko and root.\n"
"\n"
"OPTIONS\n"
"    --json    print one JSON object\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure (e.g. EPERM: neither bound nor allowed),\n"
"    2 usage error, 4 module not loaded or no such device.\n",
	.run = info_run,
};
