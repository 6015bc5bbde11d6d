// SPDX-License-Identifier: GPL-2.0
/* /dev/dmactl from the tool's side: open, attach, describe. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "device.h"
#include "commands.h"
#include "util.h"

int dmactl_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

int dmactl_open(const char *cmd, int *fd)
{
	int err;

	*fd = open(DMACTL_DEVICE, O_RDWR | O_CLOEXEC);
	if (*fd >= 0)
		return EXIT_OK;
	err = errno;
	fprintf(stderr, "dmactl %s: %s: %s (%s)%s\n", cmd, DMACTL_DEVICE,
		strerror(err), errno_name(err),
		err == ENOENT ? ": is dmactl.ko loaded?" : "");
	return err == ENOENT ? EXIT_UNSUPPORTED : EXIT_FAIL;
}

int dmactl_open_attach(const char *cmd, const char *dev,
		       struct dmactl_attach *out, int *fd)
{
	struct dmactl_attach a = { .size = sizeof(a) };
	int ret;

	ret = dmactl_open(cmd, fd);
	if (ret)
		return ret;
	snprintf(a.name, sizeof(a.name), "%s", dev);
	ret = dmactl_ioctl(*fd, DMACTL_ATTACH, &a);
	if (ret) {
		fprintf(stderr, "dmactl %s: %s: %s (%s)%s\n", cmd, dev,
			strerror(-ret), errno_name(-ret),
			ret == -EPERM ? ": bind it to dmactl ('dmactl bind') "
					"or allow it ('dmactl allow') first" :
			ret == -ENODEV ? ": no such device" : "");
		close(*fd);
		*fd = -1;
		return ret == -ENODEV ? EXIT_UNSUPPORTED : EXIT_FAIL;
	}
	if (out)
		*out = a;
	return EXIT_OK;
}

const char *domain_name(unsigned int domain)
{
	switch (domain) {
	case DMACTL_DOMAIN_NONE: return "none";
	case DMACTL_DOMAIN_IDENTITY: return "identity";
	case DMACTL_DOMAIN_DMA: return "DMA";
	case DMACTL_DOMAIN_DMA_FQ: return "DMA-FQ";
	case DMACTL_DOMAIN_BLOCKED: return "blocked";
	default: return "other";
	}
}

static const char *const dir_names[] = {
	[DMACTL_DIR_TO_DEVICE] = "to",
	[DMACTL_DIR_FROM_DEVICE] = "from",
	[DMACTL_DIR_BIDIRECTIONAL] = "bidi",
};

const char *dir_name(unsigned int dir)
{
	return dir && dir <= DMACTL_DIR_BIDIRECTIONAL ? dir_names[dir] : "?";
}

int dir_from_name(const char *name)
{
	unsigned int d;

	for (d = DMACTL_DIR_TO_DEVICE; d <= DMACTL_DIR_BIDIRECTIONAL; d++)
		if (!strcmp(name, dir_names[d]))
			return d;
	return -1;
}

#define MODE(a) ((a)->out_flags & DMACTL_ATTACH_OUT_EXCLUSIVE ? "exclusive" : "shared")
#define FLAG(a, f) (!!((a)->out_flags & DMACTL_ATTACH_OUT_##f))

json_object *attach_json(const char *dev, const struct dmactl_attach *a)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "device", json_object_new_string(dev));
	json_object_object_add(o, "mode", json_object_new_string(MODE(a)));
	json_object_object_add(o, "domain",
			       json_object_new_string(domain_name(a->out_domain)));
	json_object_object_add(o, "iova_usable",
			       json_object_new_boolean(FLAG(a, IOVA_USABLE)));
	/* what the kernel under test has, the same for every device */
	json_object_object_add(o, "kernel_iova_api",
			       json_object_new_boolean(FLAG(a, IOVA_API)));
	json_object_object_add(o, "kernel_require_coherent",
			       json_object_new_boolean(FLAG(a, REQUIRE_COHERENT)));
	json_object_object_add(o, "kernel_p2pdma",
			       json_object_new_boolean(FLAG(a, P2PDMA)));
	json_object_object_add(o, "granule", json_object_new_int64(a->out_granule));
	json_object_object_add(o, "dma_mask_bits",
			       json_object_new_int(a->out_dma_mask_bits));
	json_object_object_add(o, "coherent",
			       json_object_new_boolean(FLAG(a, COHERENT)));
	json_object_object_add(o, "swiotlb",
			       json_object_new_boolean(FLAG(a, SWIOTLB)));
	json_object_object_add(o, "untrusted",
			       json_object_new_boolean(FLAG(a, UNTRUSTED)));
	json_object_object_add(o, "max_mapping_size",
			       json_object_new_uint64(a->out_max_mapping_size));
	json_object_object_add(o, "opt_mapping_size",
			       json_object_new_uint64(a->out_opt_mapping_size));
	json_object_object_add(o, "numa_node",
			       json_object_new_int(a->out_numa_node == DMACTL_NO_NODE ?
						   -1 : (int)a->out_numa_node));
	return o;
}

void attach_print(const char *dev, const struct dmactl_attach *a)
{
	printf("device:           %s (%s)\n", dev, MODE(a));
	printf("IOMMU domain:     %s\n", domain_name(a->out_domain));
	printf("IOVA API usable:  %s\n", FLAG(a, IOVA_USABLE) ? "yes" :
	       !FLAG(a, IOVA_API) ? "no: classic mode, the kernel has no IOVA API" :
	       "no (links fall back to dma_map_phys)");
	printf("IOVA granule:     %" PRIu64 " bytes\n", (uint64_t)a->out_granule);
	printf("DMA mask:         %u bits\n", a->out_dma_mask_bits);
	printf("coherent:         %s\n", FLAG(a, COHERENT) ? "yes" : "no");
	printf("swiotlb bounce:   %s\n", FLAG(a, SWIOTLB) ? "yes" :
	       FLAG(a, UNTRUSTED) ? "off the granule (untrusted device)" : "no");
	if (a->out_max_mapping_size == SIZE_MAX)
		printf("max mapping size: unlimited\n");
	else
		printf("max mapping size: %" PRIu64 " bytes\n",
		       (uint64_t)a->out_max_mapping_size);
	if (a->out_opt_mapping_size == SIZE_MAX)
		printf("opt mapping size: unlimited\n");
	else
		printf("opt mapping size: %" PRIu64 " bytes\n",
		       (uint64_t)a->out_opt_mapping_size);
	if (a->out_numa_node == DMACTL_NO_NODE)
		printf("NUMA node:        none\n");
	else
		printf("NUMA node:        %u\n", a->out_numa_node);
}
