// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the translation oracle.
 *
 * Independent of what the DMA layer says it did, look at what the device
 * would see.  On the IOVA path, walk the IOMMU page table with
 * iommu_iova_to_phys() page by page: a linked page must translate to the
 * buffer page behind it, an unlinked one to nothing.  On the fallback
 * path, each DMA address must be phys_to_dma() of the buffer page, or a
 * swiotlb bounce slot, which is reported as such.  A P2P link by bus
 * address maps nothing: its IOVA must translate to nothing and its
 * recorded address must be the page's bus address.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-direct.h>
#include <linux/iommu.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/swiotlb.h>

#include "dmactl.h"

/*
 * A page of a bus-address link: its recorded address is the bus address
 * of @phys, and its IOVA, if any, maps nothing.
 */
static bool dmactl_verify_bus_addr(struct dmactl_iova *iova,
				   struct iommu_domain *domain,
				   struct dmactl_link *link, u64 off,
				   phys_addr_t phys)
{
	struct pci_dev *pdev = link->buf->provider;
	/* The bus address from the provider's BAR, not from the record. */
	int bar = dmactl_p2p_bar(pdev, phys);

	if (bar < 0 ||
	    dmactl_link_dma_addr(iova, link, off, NULL) !=
	    pci_bus_address(pdev, bar) + phys - pci_resource_start(pdev, bar))
		return false;
	return iova->path != DMACTL_PATH_IOVA ||
	       !iommu_iova_to_phys(domain, iova->state.addr + off);
}

/* Check one page of the walk, at IOVA offset @off. */
static void dmactl_verify_page(struct dmactl_iova *iova,
			       struct iommu_domain *domain, u64 off,
			       struct dmactl_iova_verify *cmd)
{
	struct device *dev = iova->target->dev;
	struct dmactl_link *link = dmactl_iova_link_at(iova, off);
	bool linked = link && off >= link->iova_offset &&
		      off < link->iova_offset + link->length;
	phys_addr_t want = 0, got;
	dma_addr_t addr;
	bool ok;

	cmd->out_checked++;
	if (link && !linked)
		return;	/* the unlinked tail of a linked granule */
	if (linked)
		want = dmactl_buf_phys(link->buf,
				       link->buf_offset + off - link->iova_offset);

	if (linked && link->bus_addr) {
		if (dmactl_verify_bus_addr(iova, domain, link, off, want)) {
			cmd->out_bus_addr++;
			return;
		}
		ok = false;
	} else if (iova->path == DMACTL_PATH_IOVA) {
		got = iommu_iova_to_phys(domain, iova->state.addr + off);
		ok = got == want;
	} else if (linked) {
		addr = dmactl_link_dma_addr(iova, link, off, NULL);
		ok = addr == phys_to_dma(dev, want);
		if (!ok && swiotlb_find_pool(dev, dma_to_phys(dev, addr))) {
			cmd->out_bounced++;
			return;
		}
	} else {
		return;	/* nothing to look at without an IOMMU */
	}

	if (ok) {
		if (linked)
			cmd->out_mapped_ok++;
		else
			cmd->out_unmapped_ok++;
		return;
	}
	if (!cmd->out_mismatches)
		cmd->out_first_mismatch = off;
	cmd->out_mismatches++;
}

/**
 * dmactl_iova_verify() - DMACTL_IOVA_VERIFY
 * @ucmd: the call; its struct dmactl_iova_verify is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_verify(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_verify *cmd = ucmd->cmd;
	struct iommu_domain *domain = NULL;
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	u64 end, off, in;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (check_add_overflow(cmd->offset, cmd->length, &end))
		return -EOVERFLOW;
	if (!cmd->length)
		return -EINVAL;
	ret = dmactl_iova_op_begin(ucmd, cmd->iova_id, &t, &iova);
	if (ret)
		return ret;
	if (end > iova->length) {
		ret = -ERANGE;
		goto out;
	}
	if (iova->path == DMACTL_PATH_IOVA)
		domain = iommu_get_domain_for_dev(t->dev);

	cmd->out_checked = 0;
	cmd->out_mapped_ok = 0;
	cmd->out_unmapped_ok = 0;
	cmd->out_bounced = 0;
	cmd->out_mismatches = 0;
	cmd->out_first_mismatch = ~0ULL;
	cmd->out_bus_addr = 0;
	/* Page by page of device address space, from the range's start. */
	for (off = cmd->offset; off < end; off += PAGE_SIZE - in) {
		in = (iova->first_offset + off) & (PAGE_SIZE - 1);
		dmactl_verify_page(iova, domain, off, cmd);
		cond_resched();
	}
out:
	dmactl_iova_op_done(t, iova);
	return ret ?: dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}
