// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: link backends -- how one link reaches its buffer's memory.
 *
 * A link's mapping strategy is chosen once, when LINK classifies it
 * (dmactl_link_ops_pick()), and kept in its record.  Unlink, teardown,
 * the translation oracle and the copy op ask the record's ops, so that
 * the object's path and the memory's P2P map type are tested in one
 * place only:
 *  - iova: dma_iova_link() into the object's IOVA space -- RAM, or P2P
 *    memory through a host bridge with DMA_ATTR_MMIO;
 *  - phys: where dma_iova_try_alloc() declined and the caller allowed the
 *    fallback, dma_map_phys() per physically contiguous run, as
 *    block/blk-mq-dma.c does;
 *  - phys-mmio: the same for P2P memory through a host bridge, with
 *    DMA_ATTR_MMIO;
 *  - bus: P2P memory through a switch: the record keeps the PCI bus
 *    address of each run and nothing is mapped.
 * DMA_ATTR_MMIO is set by these backends only, never by the caller
 * (rules M15, M16); P2P memory the kernel says the device cannot reach
 * has no backend (rule M17).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-direct.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/swiotlb.h>

#include "dmactl_private.h"

/**
 * dmactl_link_run() - the next run of a link
 * @ops: the link's backend; NULL for memory that has none (LINK still
 *	counts its runs, to reject it in the documented order)
 * @dev: the device
 * @buf: the buffer
 * @buf_offset: where the run starts in @buf, bytes
 * @remaining: bytes of the link from there, at least 1
 *
 * Return: bytes from @buf_offset that are physically contiguous, at most
 * @remaining and at most what one mapping call of @ops takes.
 */
u64 dmactl_link_run(const struct dmactl_link_ops *ops, struct device *dev,
		    struct dmactl_buf *buf, u64 buf_offset, u64 remaining)
{
	u64 max = remaining;

	if (ops && ops->max_run)
		max = min_t(u64, max, ops->max_run(dev));
	return dmactl_buf_contig(buf, buf_offset, max);
}

/* ---- iova: dma_iova_link() into the object's IOVA space ---- */

/*
 * Does the IOVA byte at @offset of @iova translate to a swiotlb slot?  For
 * an untrusted device dma_iova_link() bounces a link's partial first and
 * last granule (iommu_dma_iova_link_swiotlb()): the IOMMU maps the slot,
 * never the rest of the caller's granule.  No other device bounces on the
 * IOVA path, so for those a slot is a wrong translation, never a bounce.
 * Which slot is not checked (swiotlb keeps the original address to
 * itself): that the device reaches the caller's bytes through it, the
 * untrusted selftest shows by moving data with the edu.
 */
static bool dmactl_iova_bounced(struct dmactl_iova *iova,
				struct iommu_domain *domain, u64 offset)
{
	struct device *dev = iova->target->dev;
	phys_addr_t to;

	if (!domain || !dmactl_dev_untrusted(dev))
		return false;
	to = iommu_iova_to_phys(domain, iova->state.addr + offset);
	return to && swiotlb_find_pool(dev, to);
}

static int dmactl_link_iova_map(struct dmactl_iova *iova,
				struct dmactl_link *link)
{
	struct device *dev = iova->target->dev;
	struct dmactl_buf *buf = link->buf;
	struct iommu_domain *domain;
	u64 pos, run;
	int ret;

	for (pos = 0; pos < link->length; pos += run) {
		run = dmactl_link_run(link->ops, dev, buf,
				      link->buf_offset + pos, link->length - pos);
		ret = dma_iova_link(dev, &iova->state,
				    dmactl_buf_phys(buf, link->buf_offset + pos),
				    link->iova_offset + pos, run, link->dir,
				    link->attrs);
		if (ret) {
			if (pos)
				dma_iova_unlink(dev, &iova->state,
						link->iova_offset, pos,
						link->dir, link->attrs);
			return ret;
		}
	}
	domain = dmactl_dma_domain(dev);
	link->swiotlb = dmactl_iova_bounced(iova, domain, link->iova_offset) ||
			dmactl_iova_bounced(iova, domain,
					    link->iova_offset + link->length - 1);
	return 0;
}

static void dmactl_link_iova_unmap(struct dmactl_iova *iova,
				   struct dmactl_link *link)
{
	dma_iova_unlink(iova->target->dev, &iova->state, link->iova_offset,
			link->length, link->dir, link->attrs);
}

static dma_addr_t dmactl_link_iova_addr(struct dmactl_iova *iova,
					struct dmactl_link *link, u64 offset,
					u64 *contig)
{
	if (contig)
		*contig = link->length - (offset - link->iova_offset);
	return iova->state.addr + offset;
}

/*
 * The IOVA leads to the page, or -- in a bounced first or last granule of
 * the link (dmactl_iova_bounced()) -- to a swiotlb slot.
 */
static enum dmactl_verdict
dmactl_link_iova_verify(struct dmactl_iova *iova, struct iommu_domain *domain,
			struct dmactl_link *link, u64 offset, phys_addr_t phys)
{
	phys_addr_t to = iommu_iova_to_phys(domain, iova->state.addr + offset);
	u64 g = iova->granule;
	u64 first = ALIGN_DOWN(iova->first_offset + link->iova_offset, g);
	u64 last = ALIGN_DOWN(iova->first_offset + link->iova_offset +
			      link->length - 1, g);
	u64 here = ALIGN_DOWN(iova->first_offset + offset, g);

	if (to == phys)
		return DMACTL_VERDICT_MAPPED;
	if (link->swiotlb && (here == first || here == last) &&
	    dmactl_iova_bounced(iova, domain, offset))
		return DMACTL_VERDICT_BOUNCED;
	return DMACTL_VERDICT_MISMATCH;
}

/* ---- records of runs: phys, phys-mmio and bus ---- */

static dma_addr_t dmactl_link_runs_addr(struct dmactl_iova *iova,
					struct dmactl_link *link, u64 offset,
					u64 *contig)
{
	u64 in = offset - link->iova_offset;
	unsigned int i;

	for (i = 0; i < link->nr_runs; i++) {
		if (in < link->runs[i].length) {
			if (contig)
				*contig = link->runs[i].length - in;
			return link->runs[i].dma_addr + in;
		}
		in -= link->runs[i].length;
	}
	return DMA_MAPPING_ERROR;
}

/* ---- phys, phys-mmio: dma_map_phys() per run ---- */

/**
 * dmactl_phys_reachable() - can dma_map_phys() map this without a WARN?
 * @dev: the device: on dma-direct, or on a DMA API domain in classic mode
 * @phys: start of the memory
 * @len: bytes
 * @attrs: the DMA_ATTR_* the mapping would carry
 *
 * On dma-direct, dma_map_phys() WARNs (and fails) when the memory lies
 * beyond the device's DMA mask and no swiotlb can bounce it, and swiotlb
 * WARNs when its bounce slot lies beyond the mask -- both in reach of any
 * user with a device whose mask is narrow (QEMU's edu has 28 bits).  So
 * callers refuse those first.
 *
 * Context: any; reads the device's masks and swiotlb pool only.
 *
 * Return: true if the memory is in reach, directly or by bouncing.
 */
bool dmactl_phys_reachable(struct device *dev, phys_addr_t phys, u64 len,
			   unsigned long attrs)
{
	bool force = is_swiotlb_force_bounce(dev);
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	/*
	 * Only the fallback path gets here.  With the IOVA API a DMA API
	 * domain never takes it (its try_alloc says no only when the space
	 * is exhausted); in classic mode (compat.h) it does, and the IOMMU
	 * reaches any page.  Otherwise the device is on dma-direct.
	 */
	if (dmactl_dma_domain(dev))
		return true;
	if (force && (attrs & (DMA_ATTR_MMIO | DMA_ATTR_REQUIRE_COHERENT)))
		return true;	/* dma-direct fails these quietly */
	/* dma_capable() as on a machine without memory encryption. */
	if (!force && phys_to_dma(dev, phys) + len - 1 <= limit)
		return true;
	if (attrs & (DMA_ATTR_MMIO | DMA_ATTR_REQUIRE_COHERENT) ||
	    !mem || !mem->nslabs)
		return false;
	/* The bounce slot comes from the default pool: all of it in reach. */
	return mem->defpool.end > mem->defpool.start &&
	       phys_to_dma(dev, mem->defpool.end - 1) <= limit;
}

/**
 * dmactl_dma_to_phys() - where a streaming DMA address leads
 * @dev: the device it was mapped for
 * @addr: a DMA address of a dma_map_phys() or dma_map_sgtable() mapping
 *
 * Through the IOMMU's page table on a DMA API domain, by the bus offset
 * on dma-direct.
 *
 * Return: the physical address, or 0 for an IOVA that maps nothing.
 */
phys_addr_t dmactl_dma_to_phys(struct device *dev, dma_addr_t addr)
{
	struct iommu_domain *domain = dmactl_dma_domain(dev);

	return domain ? iommu_iova_to_phys(domain, addr) : dma_to_phys(dev, addr);
}

/**
 * dmactl_dma_leads_to() - does a streaming DMA address reach a page?
 * @dev: the device it was mapped for
 * @addr: the DMA address
 * @phys: where the caller mapped it from
 *
 * It does when it leads to @phys, or to a swiotlb slot, which the DMA
 * layer bounces @phys through (swiotlb=force, an untrusted device, a
 * mask below the memory).
 *
 * Return: true if @addr reaches @phys, directly or bounced.
 */
bool dmactl_dma_leads_to(struct device *dev, dma_addr_t addr, phys_addr_t phys)
{
	phys_addr_t to = dmactl_dma_to_phys(dev, addr);

	return to == phys || (to && swiotlb_find_pool(dev, to));
}

/* swiotlb cannot bounce more than dma_max_mapping_size() (256 KiB) at once. */
static u64 dmactl_link_phys_max_run(struct device *dev)
{
	return max_t(size_t, PAGE_SIZE, dma_max_mapping_size(dev));
}

static void dmactl_link_phys_unmap(struct dmactl_iova *iova,
				   struct dmactl_link *link)
{
	struct device *dev = iova->target->dev;
	unsigned int i;

	for (i = 0; i < link->nr_runs; i++)
		dma_unmap_phys(dev, link->runs[i].dma_addr, link->runs[i].length,
			       link->dir, link->attrs);
}

static int dmactl_link_phys_map(struct dmactl_iova *iova,
				struct dmactl_link *link)
{
	struct device *dev = iova->target->dev;
	struct dmactl_buf *buf = link->buf;
	unsigned int i = 0;
	phys_addr_t phys;
	dma_addr_t addr;
	u64 pos, run;
	int ret;

	for (pos = 0; pos < link->length; pos += run, i++) {
		run = dmactl_link_run(link->ops, dev, buf,
				      link->buf_offset + pos, link->length - pos);
		phys = dmactl_buf_phys(buf, link->buf_offset + pos);
		if (!dmactl_phys_reachable(dev, phys, run, link->attrs)) {
			ret = dmactl_reject(iova->target,
					    DMACTL_RULE_UNREACHABLE, -EIO);
			goto undo;
		}
		addr = dma_map_phys(dev, phys, run, link->dir, link->attrs);
		ret = dma_mapping_error(dev, addr);
		if (ret)
			goto undo;
		link->runs[i].dma_addr = addr;
		link->runs[i].length = run;
		link->nr_runs = i + 1;
		if (swiotlb_find_pool(dev, dmactl_dma_to_phys(dev, addr)))
			link->swiotlb = true;
	}
	return 0;

undo:
	dmactl_link_phys_unmap(iova, link);
	return ret;
}

/*
 * The DMA address leads to the page, or to a swiotlb slot: on dma-direct
 * by the bus offset, in classic mode on a DMA domain (compat.h) through
 * the IOMMU's page table.
 */
static enum dmactl_verdict
dmactl_link_phys_verify(struct dmactl_iova *iova, struct iommu_domain *domain,
			struct dmactl_link *link, u64 offset, phys_addr_t phys)
{
	struct device *dev = iova->target->dev;
	dma_addr_t addr = dmactl_link_runs_addr(iova, link, offset, NULL);
	phys_addr_t to = dmactl_dma_to_phys(dev, addr);

	if (to == phys)
		return DMACTL_VERDICT_MAPPED;
	if (to && swiotlb_find_pool(dev, to))
		return DMACTL_VERDICT_BOUNCED;
	return DMACTL_VERDICT_MISMATCH;
}

/* ---- bus: P2P through a switch, by PCI bus address ---- */

/* Record the runs' bus addresses: there is nothing to map. */
static int dmactl_link_bus_map(struct dmactl_iova *iova,
			       struct dmactl_link *link)
{
	struct dmactl_buf *buf = link->buf;
	unsigned int i = 0;
	u64 pos, run;

	for (pos = 0; pos < link->length; pos += run, i++) {
		run = dmactl_link_run(link->ops, iova->target->dev, buf,
				      link->buf_offset + pos,
				      link->length - pos);
		link->runs[i].dma_addr = buf->p2p_bus_offset +
			dmactl_buf_phys(buf, link->buf_offset + pos);
		link->runs[i].length = run;
	}
	link->nr_runs = i;
	return 0;
}

static void dmactl_link_bus_unmap(struct dmactl_iova *iova,
				  struct dmactl_link *link)
{
	/* Nothing was mapped. */
}

/*
 * The recorded address is the bus address of @phys, taken from the
 * provider's BAR rather than from the record, and the IOVA, if the
 * object has any (@domain), maps nothing.
 */
static enum dmactl_verdict
dmactl_link_bus_verify(struct dmactl_iova *iova, struct iommu_domain *domain,
		       struct dmactl_link *link, u64 offset, phys_addr_t phys)
{
	struct pci_dev *pdev = link->buf->provider;
	int bar = dmactl_p2p_bar(pdev, phys);

	if (bar < 0 ||
	    dmactl_link_runs_addr(iova, link, offset, NULL) !=
	    pci_bus_address(pdev, bar) + phys - pci_resource_start(pdev, bar))
		return DMACTL_VERDICT_MISMATCH;
	if (domain && iova->path == DMACTL_PATH_IOVA &&
	    iommu_iova_to_phys(domain, iova->state.addr + offset))
		return DMACTL_VERDICT_MISMATCH;
	return DMACTL_VERDICT_BUS_ADDR;
}

/* ---- the tables ---- */

static const struct dmactl_link_ops dmactl_link_iova_ops = {
	.in_iova = true,
	.map = dmactl_link_iova_map,
	.unmap = dmactl_link_iova_unmap,
	.dma_addr = dmactl_link_iova_addr,
	.verify_page = dmactl_link_iova_verify,
};

static const struct dmactl_link_ops dmactl_link_iova_mmio_ops = {
	.attrs = DMA_ATTR_MMIO,
	.in_iova = true,
	.query_flags = DMACTL_LINK_MMIO,
	.map = dmactl_link_iova_map,
	.unmap = dmactl_link_iova_unmap,
	.dma_addr = dmactl_link_iova_addr,
	.verify_page = dmactl_link_iova_verify,
};

static const struct dmactl_link_ops dmactl_link_phys_ops = {
	.streaming = true,
	.max_run = dmactl_link_phys_max_run,
	.map = dmactl_link_phys_map,
	.unmap = dmactl_link_phys_unmap,
	.dma_addr = dmactl_link_runs_addr,
	.verify_page = dmactl_link_phys_verify,
};

static const struct dmactl_link_ops dmactl_link_phys_mmio_ops = {
	.attrs = DMA_ATTR_MMIO,
	.query_flags = DMACTL_LINK_MMIO,
	.map = dmactl_link_phys_map,
	.unmap = dmactl_link_phys_unmap,
	.dma_addr = dmactl_link_runs_addr,
	.verify_page = dmactl_link_phys_verify,
};

static const struct dmactl_link_ops dmactl_link_bus_ops = {
	.query_flags = DMACTL_LINK_BUS_ADDR,
	.map = dmactl_link_bus_map,
	.unmap = dmactl_link_bus_unmap,
	.dma_addr = dmactl_link_runs_addr,
	.verify_page = dmactl_link_bus_verify,
};

/**
 * dmactl_link_ops_pick() - the backend of a new link
 * @iova: the object, locked; its path decided at ALLOC
 * @buf: the buffer, locked; its P2P map type decided when it was made
 *
 * RAM goes into the IOVA space, or by dma_map_phys() on the fallback
 * path; P2P memory as the DMA layer's map type for the device says
 * (pci_p2pdma_state(), see p2p.c).
 *
 * Context: the objects' locks held; allocates nothing.
 *
 * Return: the backend, or NULL for P2P memory the kernel says the device
 * cannot reach (the caller rejects it under rule M17).
 */
const struct dmactl_link_ops *dmactl_link_ops_pick(struct dmactl_iova *iova,
						   struct dmactl_buf *buf)
{
	bool in_iova = iova->path == DMACTL_PATH_IOVA;

	if (!buf->provider)
		return in_iova ? &dmactl_link_iova_ops : &dmactl_link_phys_ops;
	switch (buf->p2p_map) {
	case DMACTL_P2P_MAP_THRU_HOST_BRIDGE:
		/* An IOVA link maps MMIO only with DMA_ATTR_MMIO (compat.h). */
		if (in_iova && !DMACTL_KERNEL_MMIO_ATTR)
			return NULL;
		return in_iova ? &dmactl_link_iova_mmio_ops :
				 &dmactl_link_phys_mmio_ops;
	case DMACTL_P2P_MAP_BUS_ADDR:
		return &dmactl_link_bus_ops;
	default:
		return NULL;
	}
}
