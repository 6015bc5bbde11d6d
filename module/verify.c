// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the translation oracle.
 *
 * Independent of what the DMA layer says it did, look at what the device
 * would see, page by page.  On the IOVA path, an unlinked page must
 * translate to nothing in the IOMMU page table.  A linked page is checked
 * by its link's backend (link_ops.c): in the IOVA space it must translate
 * to the buffer page behind it; mapped by dma_map_phys() its DMA address
 * must lead to that page (by phys_to_dma() on dma-direct, through the
 * page table on a DMA domain in classic mode), or to a swiotlb bounce
 * slot, which is reported as such; a P2P link by bus address maps nothing: its IOVA must
 * translate to nothing and its recorded address must be the page's bus
 * address.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/overflow.h>
#include <linux/sched.h>

#include "dmactl_private.h"

/* Count what the oracle found for the page at IOVA offset @off. */
static void dmactl_verify_count(struct dmactl_iova_verify *cmd, u64 off,
				enum dmactl_verdict verdict)
{
	switch (verdict) {
	case DMACTL_VERDICT_MAPPED:
		cmd->out_mapped_ok++;
		break;
	case DMACTL_VERDICT_UNMAPPED:
		cmd->out_unmapped_ok++;
		break;
	case DMACTL_VERDICT_BOUNCED:
		cmd->out_bounced++;
		break;
	case DMACTL_VERDICT_BUS_ADDR:
		cmd->out_bus_addr++;
		break;
	default:
		if (!cmd->out_mismatches)
			cmd->out_first_mismatch = off;
		cmd->out_mismatches++;
	}
}

/*
 * Check one page of the walk, at IOVA offset @off: a linked one as its
 * link's backend says; an unlinked one must translate to nothing, which
 * only an IOMMU (@domain) can tell, and only in an IOVA space of the
 * object's own (the fallback path's addresses come and go per link).
 */
static void dmactl_verify_page(struct dmactl_iova *iova,
			       struct iommu_domain *domain, u64 off,
			       struct dmactl_iova_verify *cmd)
{
	struct dmactl_link *link = dmactl_iova_link_at(iova, off);
	enum dmactl_verdict verdict;
	phys_addr_t want;

	cmd->out_checked++;
	if (link && (off < link->iova_offset ||
		     off >= link->iova_offset + link->length))
		return;	/* the unlinked tail of a linked granule */
	if (link) {
		want = dmactl_buf_phys(link->buf,
				       link->buf_offset + off - link->iova_offset);
		verdict = link->ops->verify_page(iova, domain, link, off, want);
	} else if (domain && iova->path == DMACTL_PATH_IOVA) {
		verdict = iommu_iova_to_phys(domain, iova->state.addr + off) ?
			  DMACTL_VERDICT_MISMATCH : DMACTL_VERDICT_UNMAPPED;
	} else {
		return;	/* nothing to look at without an IOMMU */
	}
	dmactl_verify_count(cmd, off, verdict);
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
	/* Classic mode maps through it too (dma_map_phys() on a DMA domain). */
	domain = dmactl_dma_domain(t->dev);

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
