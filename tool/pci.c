// SPDX-License-Identifier: GPL-2.0
/* What dmactl knows of a PCI device, read from sysfs. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"
#include "sysfs.h"

#define PCI_DEVICES "bus/pci/devices"

static long long attr_ll(const char *bdf, const char *attr, long long dflt)
{
	char path[256];
	long long val;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, attr);
	return sysfs_read_ll(path, &val) ? dflt : val;
}

int pci_read(const char *bdf, struct pci_info *info)
{
	char path[256], group[32];

	memset(info, 0, sizeof(*info));
	snprintf(info->bdf, sizeof(info->bdf), "%s", bdf);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", bdf);
	if (sysfs_read_ll(path, &(long long){0}))
		return -ENOENT;

	info->vendor = attr_ll(bdf, "vendor", 0);
	info->device = attr_ll(bdf, "device", 0);
	info->class = attr_ll(bdf, "class", 0);
	info->numa_node = attr_ll(bdf, "numa_node", -1);

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", bdf);
	if (sysfs_link_name(path, info->driver, sizeof(info->driver)))
		info->driver[0] = '\0';

	info->iommu_group = -1;
	snprintf(info->domain, sizeof(info->domain), "none");
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", bdf);
	if (!sysfs_link_name(path, group, sizeof(group))) {
		info->iommu_group = atoi(group);
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group/type",
			 bdf);
		if (sysfs_read(path, info->domain, sizeof(info->domain)))
			snprintf(info->domain, sizeof(info->domain), "unknown");
	}

	info->p2pmem_size = attr_ll(bdf, "p2pmem/size", -1);
	info->has_p2pmem = info->p2pmem_size >= 0;
	if (info->has_p2pmem) {
		info->p2pmem_available = attr_ll(bdf, "p2pmem/available", 0);
		info->p2pmem_published = attr_ll(bdf, "p2pmem/published", 0);
	} else {
		info->p2pmem_size = 0;
	}
	return 0;
}

static int bdf_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pci_info *)a)->bdf,
		      ((const struct pci_info *)b)->bdf);
}

int pci_list(struct pci_info **out)
{
	struct pci_info *list = NULL, *grown;
	char path[256];
	struct dirent *de;
	int n = 0, cap = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/" PCI_DEVICES, sysfs_root());
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				free(list);
				closedir(dir);
				return -ENOMEM;
			}
			list = grown;
		}
		if (!pci_read(de->d_name, &list[n]))
			n++;
	}
	closedir(dir);
	if (n)	/* qsort() of NULL is undefined, even for no elements */
		qsort(list, n, sizeof(*list), bdf_cmp);
	*out = list;
	return n;
}
