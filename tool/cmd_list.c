// SPDX-License-Identifier: GPL-2.0
/* dmactl list: every PCI device, as the DMA layer sees it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"
#include "pci.h"
#include "sysfs.h"
#include "util.h"

/* The allow list, as the module shows it ("" if not loaded). */
static char allowed[4096];

static void read_allowed(void)
{
	if (sysfs_read("class/misc/dmactl/allowed", allowed, sizeof(allowed)))
		allowed[0] = '\0';
}

/*
 * How dmactl may use the device: owned (bound to dmactl: exclusive),
 * allowed (on the allow list: shared), or not at all.
 */
static const char *dmactl_use(const struct pci_info *d)
{
	const char *p = allowed;
	size_t len = strlen(d->bdf);

	if (!strcmp(d->driver, "dmactl"))
		return "owned";
	while ((p = strstr(p, d->bdf))) {
		if ((p == allowed || p[-1] == '\n') &&
		    (p[len] == '\n' || !p[len]))
			return "allowed";
		p += len;
	}
	return "-";
}

static void mib(char *buf, size_t len, long long bytes)
{
	snprintf(buf, len, "%.1fM", bytes / 1048576.0);
}

static void print_table(const struct pci_info *devs, int n)
{
	char size[16], avail[16], group[16], node[16];
	int i;

	printf("%-13s %-9s %-6s %-12s %5s %-8s %4s %7s %7s %3s %s\n",
	       "BDF", "ID", "CLASS", "DRIVER", "GROUP", "DOMAIN", "NODE",
	       "P2PMEM", "FREE", "PUB", "DMACTL");
	for (i = 0; i < n; i++) {
		const struct pci_info *d = &devs[i];

		snprintf(group, sizeof(group), "%d", d->iommu_group);
		snprintf(node, sizeof(node), "%d", d->numa_node);
		if (d->has_p2pmem) {
			mib(size, sizeof(size), d->p2pmem_size);
			mib(avail, sizeof(avail), d->p2pmem_available);
		} else {
			strcpy(size, "-");
			strcpy(avail, "-");
		}
		printf("%-13s %04x:%04x %06x %-12s %5s %-8s %4s %7s %7s %3s %s\n",
		       d->bdf, d->vendor, d->device, d->class,
		       d->driver[0] ? d->driver : "-",
		       d->iommu_group < 0 ? "-" : group, d->domain,
		       d->numa_node < 0 ? "-" : node, size, avail,
		       d->has_p2pmem ? (d->p2pmem_published ? "yes" : "no") : "-",
		       dmactl_use(d));
	}
}

static json_object *device_json(const struct pci_info *d)
{
	json_object *o = json_object_new_object(), *p2p;
	char id[16];

	json_object_object_add(o, "bdf", json_object_new_string(d->bdf));
	snprintf(id, sizeof(id), "%04x", d->vendor);
	json_object_object_add(o, "vendor", json_object_new_string(id));
	snprintf(id, sizeof(id), "%04x", d->device);
	json_object_object_add(o, "device", json_object_new_string(id));
	snprintf(id, sizeof(id), "%06x", d->class);
	json_object_object_add(o, "class", json_object_new_string(id));
	json_object_object_add(o, "driver", d->driver[0] ?
			       json_object_new_string(d->driver) : NULL);
	json_object_object_add(o, "iommu_group", d->iommu_group < 0 ? NULL :
			       json_object_new_int(d->iommu_group));
	json_object_object_add(o, "domain", json_object_new_string(d->domain));
	json_object_object_add(o, "numa_node", json_object_new_int(d->numa_node));
	if (d->has_p2pmem) {
		p2p = json_object_new_object();
		json_object_object_add(p2p, "size",
				       json_object_new_int64(d->p2pmem_size));
		json_object_object_add(p2p, "available",
				       json_object_new_int64(d->p2pmem_available));
		json_object_object_add(p2p, "published",
				       json_object_new_boolean(d->p2pmem_published));
	} else {
		p2p = NULL;
	}
	json_object_object_add(o, "p2pmem", p2p);
	json_object_object_add(o, "dmactl", json_object_new_string(dmactl_use(d)));
	return o;
}

static int list_run(int argc, char **argv)
{
	struct pci_info *devs;
	bool json = false;
	json_object *arr;
	int c, n, i;

	c = parse_json_help(&cmd_list, argc, argv, &json);
	if (c >= 0)
		return c;
	if (optind != argc)
		return usage_error(&cmd_list, "unexpected argument '%s'",
				   argv[optind]);

	read_allowed();
	n = pci_list(&devs);
	if (n == -ENOENT) {
		fprintf(stderr, "dmactl list: no PCI bus in sysfs\n");
		return EXIT_UNSUPPORTED;
	}
	if (n < 0) {
		fprintf(stderr, "dmactl list: %s\n", strerror(-n));
		return EXIT_FAIL;
	}
	if (json) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, device_json(&devs[i]));
		json_print(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	} else {
		print_table(devs, n);
	}
	free(devs);
	return EXIT_OK;
}

const struct dmactl_cmd cmd_list = {
	.name = "list",
	.summary = "list PCI devices with their driver, IOMMU domain and p2pmem",
	.help =
"NAME\n"
"    dmactl list - list PCI devices as the DMA layer sees them\n"
"\n"
"SYNOPSIS\n"
"    dmactl list [--json]\n"
"\n"
"DESCRIPTION\n"
"    One line per PCI device: BDF, vendor:device ID, class, bound driver,\n"
"    IOMMU group and its default domain type (none, identity, DMA,\n"
"    DMA-FQ), NUMA node, the P2P memory it registered (size, free,\n"
"    published) and how dmactl may use it (owned: bound to dmactl;\n"
"    allowed: on its allow list, keeping its own driver).\n"
"    Everything comes from sysfs; the module need not be loaded.\n"
"\n"
"OPTIONS\n"
"    --json    print a JSON array of objects instead of the table\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure, 2 usage error, 4 no PCI bus in sysfs.\n",
	.run = list_run,
};
