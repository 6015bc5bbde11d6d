/* SPDX-License-Identifier: GPL-2.0 */
/* What dmactl knows of a PCI device, read from sysfs. */
#ifndef DMACTL_PCI_H
#define DMACTL_PCI_H

#include <stdbool.h>

/**
 * struct pci_info - a PCI device as sysfs describes it
 * @bdf: domain:bus:device.function, e.g. "0000:00:04.0"
 * @vendor: PCI vendor ID
 * @device: PCI device ID
 * @class: 24-bit class code
 * @driver: bound driver's name, "" if none
 * @iommu_group: IOMMU group number, -1 if the device has none
 * @domain: the group's default domain type ("DMA", "DMA-FQ", "identity",
 *	"blocked", ...), "none" without an IOMMU group
 * @numa_node: NUMA node, -1 if none
 * @has_p2pmem: the device registered P2P memory (a p2pmem/ directory)
 * @p2pmem_size: P2P memory registered, bytes
 * @p2pmem_available: P2P memory not allocated, bytes
 * @p2pmem_published: the provider published it for other drivers to use
 */
struct pci_info {
	char bdf[32];
	unsigned int vendor;
	unsigned int device;
	unsigned int class;
	char driver[64];
	int iommu_group;
	char domain[32];
	int numa_node;
	bool has_p2pmem;
	long long p2pmem_size;
	long long p2pmem_available;
	bool p2pmem_published;
};

/*
 * Read every PCI device, sorted by BDF, into a malloc'ed array.  Returns
 * the count, or -errno (-ENOENT when the machine has no PCI bus in sysfs).
 */
int pci_list(struct pci_info **out);

/* Read one device by BDF.  Returns 0 or -errno (-ENOENT: no such device). */
int pci_read(const char *bdf, struct pci_info *info);

#endif
