// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: PCI peer-to-peer DMA -- the kernel's verdict on a pair of
 * devices, a BAR of a device bound to dmactl published as p2pmem, and the
 * revocation of every buffer of a provider before its driver unbinds.
 *
 * A provider's P2P pages are ZONE_DEVICE pages whose pgmap teardown, at
 * unbind, waits for every reference to them: a buffer of them still held
 * would hang the unbind, and a mapping of them would outlive the BAR
 * (rule M35).  So when any PCI driver starts to unbind, the provider is
 * marked dying -- no new buffer of its memory from then on -- and the
 * buffers of its memory are torn down in every file, with the IOVA
 * objects that link them.
 *
 * How a client reaches a provider's memory is the P2PDMA layer's
 * decision (pci_p2pdma_state()), but in 7.3 neither that nor
 * pci_p2pdma_map_type() is exported to modules.  So dmactl asks the DMA
 * layer, which runs that very switch inside dma_map_sgtable(): one page
 * mapped in a one-entry table comes back refused (EREMOTEIO: not
 * supported), marked as a bus address (through a switch), or mapped
 * (through the host bridge, with DMA_ATTR_MMIO), and is unmapped at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/memremap.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dmactl_private.h"

/**
 * struct dmactl_dying - a provider whose driver is unbinding
 * @node: on dmactl_dying
 * @pdev: the provider
 */
struct dmactl_dying {
	struct list_head node;
	struct pci_dev *pdev;
};

/* Providers whose driver is unbinding; protects dmactl_dying. */
static DEFINE_SPINLOCK(dmactl_dying_lock);
static LIST_HEAD(dmactl_dying);

/**
 * dmactl_p2p_provider_dying() - is a provider's driver unbinding?
 * @pdev: the provider
 *
 * Callers hold a target's rwsem for reading, which orders this check
 * before the revocation's walk (it takes every target's rwsem for
 * writing after marking the provider).
 *
 * Return: true if no new buffer of its memory may be made.
 */
bool dmactl_p2p_provider_dying(struct pci_dev *pdev)
{
	struct dmactl_dying *d;
	bool dying = false;

	spin_lock(&dmactl_dying_lock);
	list_for_each_entry(d, &dmactl_dying, node)
		dying |= d->pdev == pdev;
	spin_unlock(&dmactl_dying_lock);
	return dying;
}

/*
 * Mark a provider dying.  The entry cannot fail to be made (a small
 * __GFP_NOFAIL allocation, which fault injection leaves alone): without
 * it a buffer made after the revocation's walk would keep pages that the
 * provider's teardown waits for, forever.
 */
static void dmactl_p2p_mark_dying(struct pci_dev *pdev)
{
	struct dmactl_dying *d = kzalloc_obj(*d, GFP_KERNEL | __GFP_NOFAIL);

	d->pdev = pdev;
	spin_lock(&dmactl_dying_lock);
	list_add(&d->node, &dmactl_dying);
	spin_unlock(&dmactl_dying_lock);
}

/**
 * dmactl_p2p_provider_gone() - a PCI driver has unbound
 * @pdev: the device
 *
 * Undoes the mark of dmactl_p2p_revoke_provider(), if it made one.
 */
void dmactl_p2p_provider_gone(struct pci_dev *pdev)
{
	struct dmactl_dying *d, *found = NULL;

	spin_lock(&dmactl_dying_lock);
	list_for_each_entry(d, &dmactl_dying, node) {
		if (d->pdev == pdev) {
			found = d;
			list_del(&d->node);
			break;
		}
	}
	spin_unlock(&dmactl_dying_lock);
	kfree(found);
}

/**
 * struct dmactl_p2p_revoke - one provider's revocation in progress
 * @pdev: the provider
 * @bufs: buffers revoked
 */
struct dmactl_p2p_revoke {
	struct pci_dev *pdev;
	unsigned long bufs;
};

/* Does the object hold or map memory of the provider being revoked? */
static bool dmactl_p2p_obj_uses(struct dmactl_obj *obj, void *arg)
{
	struct dmactl_p2p_revoke *r = arg;

	if (!obj->ops->uses_provider || !obj->ops->uses_provider(obj, r->pdev))
		return false;
	if (obj->type == DMACTL_OBJ_BUF)
		r->bufs++;
	return true;
}

/*
 * Tear down, in every file of a target, what holds or maps the provider's
 * memory.  An IOVA object a timed-out engine transfer may still reach
 * stays (and the buffer under it): the provider's teardown would then
 * wait for those pages, so this waits, a while, for the engine to be
 * idle, and tries again.
 */
static void dmactl_p2p_revoke_target(struct dmactl_target *t, void *arg)
{
	struct dmactl_p2p_revoke *r = arg;
	unsigned long before = r->bufs;
	struct dmactl_ctx *ctx;
	LIST_HEAD(released);
	bool left;
	int tries;

	for (tries = 0; ; tries++) {
		left = false;
		down_write(&t->rwsem);
		if (!t->dead) {
			mutex_lock(&t->ctxs_lock);
			list_for_each_entry(ctx, &t->ctxs, target_node) {
				dmactl_ctx_kill(ctx, dmactl_p2p_obj_uses, arg, NULL);
				left |= dmactl_ctx_uses_provider(ctx, r->pdev);
			}
			dmactl_ctxs_take_released(t, &released);
			mutex_unlock(&t->ctxs_lock);
		}
		up_write(&t->rwsem);
		if (!left || tries == DMACTL_WEDGE_TRIES)
			break;
		msleep(DMACTL_WEDGE_POLL_MS);
	}
	if (left)
		pci_warn(r->pdev, "dmactl: a DMA engine of %s that cannot be stopped keeps P2P memory of this provider\n",
			 dev_name(t->dev));
	dmactl_ctxs_free_released(t, &released);
	dmactl_count(t, DMACTL_C_REVOKED_P2P, r->bufs - before);
}

/**
 * dmactl_p2p_revoke_provider() - a PCI driver is about to unbind
 * @pdev: the device, which may be a P2P provider
 *
 * Marks it dying and tears down, in every file, each buffer of its
 * memory and each IOVA object with a link over one.  Undone by
 * dmactl_p2p_provider_gone().
 *
 * Context: process; takes every target's rwsem for writing, which every
 * holder gives back within one engine transfer.
 */
void dmactl_p2p_revoke_provider(struct pci_dev *pdev)
{
	struct dmactl_p2p_revoke r = { .pdev = pdev };

	/*
	 * Marked even without P2P memory now: dmactl's own device may
	 * publish some until its target is revoked, which its unbind does
	 * first (dmactl_pci_notify()).
	 */
	dmactl_p2p_mark_dying(pdev);
	dmactl_targets_for_each(dmactl_p2p_revoke_target, &r);
	if (r.bufs)
		pci_info(pdev, "dmactl: revoked %lu P2P buffers of this provider\n",
			 r.bufs);
}

/**
 * dmactl_p2p_bar() - the memory BAR of a device holding a physical address
 * @pdev: the device
 * @phys: the address
 *
 * Return: the BAR, 0..5, or -1 if no memory BAR holds @phys.
 */
int dmactl_p2p_bar(struct pci_dev *pdev, phys_addr_t phys)
{
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if ((pci_resource_flags(pdev, bar) & IORESOURCE_MEM) &&
		    phys >= pci_resource_start(pdev, bar) &&
		    phys <= pci_resource_end(pdev, bar))
			return bar;
	}
	return -1;
}

/**
 * dmactl_p2p_probe() - how a device reaches a P2P page, per the DMA layer
 * @provider: the PCI device whose memory @page is
 * @client: the device that would do the DMA
 * @page: a page of P2P memory
 * @map: the uapi's enum dmactl_p2p_map: NOT_SUPPORTED, BUS_ADDR or
 *	THRU_HOST_BRIDGE (the kernel's enum moved between headers)
 * @bus_offset: DMACTL_P2P_MAP_BUS_ADDR: bus address minus physical address
 *
 * P2PDMA's own answer comes first: where it finds no path
 * (pci_p2pdma_distance() < 0) the answer is not supported, whatever
 * dma_map_sgtable() does -- for an untrusted client it takes the swiotlb
 * path (iommu_dma_map_sg_swiotlb()), which never asks P2PDMA and maps P2P
 * memory through the IOMMU like RAM (a kernel bug, 7.3).
 *
 * Return: 0, or the error dma_map_sgtable() gave other than EREMOTEIO
 * (which means not supported).
 */
int dmactl_p2p_probe(struct pci_dev *provider, struct device *client,
		     struct page *page, u32 *map, u64 *bus_offset)
{
	struct scatterlist sg;
	struct sg_table sgt = { .sgl = &sg, .nents = 1, .orig_nents = 1 };
	int ret;

	*map = DMACTL_P2P_MAP_NOT_SUPPORTED;
	*bus_offset = 0;
	/* dma_map_sg() WARNs on a device without a mask; P2P needs PCI. */
	if (!dev_is_pci(client) || !client->dma_mask ||
	    pci_p2pdma_distance(provider, client, false) < 0)
		return 0;
	sg_init_table(&sg, 1);
	sg_set_page(&sg, page, PAGE_SIZE, 0);
	ret = dma_map_sgtable(client, &sgt, DMA_BIDIRECTIONAL,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret == -EREMOTEIO)
		return 0;
	if (ret)
		return ret;
	if (sg_dma_is_bus_address(&sg)) {
		*map = DMACTL_P2P_MAP_BUS_ADDR;
		*bus_offset = sg_dma_address(&sg) - page_to_phys(page);
	} else {
		*map = DMACTL_P2P_MAP_THRU_HOST_BRIDGE;
	}
	dma_unmap_sgtable(client, &sgt, DMA_BIDIRECTIONAL,
			  DMA_ATTR_SKIP_CPU_SYNC);
	return 0;
}

/* Is @sg's DMA address where page @page of the mixed table is? */
static bool dmactl_p2p_seg_ok(struct device *client, struct scatterlist *sg,
			      u64 off, struct page *page, bool p2p, u32 map,
			      u64 bus_offset)
{
	phys_addr_t phys = page_to_phys(page);

	if (sg_dma_is_bus_address(sg))
		return p2p && map == DMACTL_P2P_MAP_BUS_ADDR && !off &&
		       sg_dma_len(sg) == PAGE_SIZE &&
		       sg_dma_address(sg) == phys + bus_offset;
	if (p2p)
		return map == DMACTL_P2P_MAP_THRU_HOST_BRIDGE &&
		       dmactl_dma_to_phys(client, sg_dma_address(sg) + off) == phys;
	return dmactl_dma_leads_to(client, sg_dma_address(sg) + off, phys);
}

/*
 * Map a table of a RAM page, the P2P page @p2p and another RAM page for
 * @client, and check each page against @map (struct dmactl_p2p_query's
 * @out_mixed_wrong says what is right).  Returns 0 with *@segs and
 * *@wrong set; -ENOMEM; -ERANGE if the client could reach the RAM pages
 * only through a bounce buffer it cannot address (mapping them would
 * WARN in swiotlb).
 */
static int dmactl_p2p_mixed_sg(struct device *client, struct page *p2p,
			       u32 map, u64 bus_offset, u32 *segs, u32 *wrong)
{
	struct scatterlist sgl[3], *sg;
	struct sg_table sgt = { .sgl = sgl, .nents = 3, .orig_nents = 3 };
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | dmactl_reachable_gfp(client);
	struct page *pages[3] = { alloc_page(gfp), p2p, alloc_page(gfp) };
	unsigned int i, k = 0;
	u64 off;
	int ret = 0;

	*segs = 0;
	*wrong = 0;
	if (!pages[0] || !pages[2]) {
		ret = -ENOMEM;
		goto out;
	}
	if (!dmactl_phys_reachable(client, page_to_phys(pages[0]), PAGE_SIZE, 0) ||
	    !dmactl_phys_reachable(client, page_to_phys(pages[2]), PAGE_SIZE, 0)) {
		ret = -ERANGE;
		goto out;
	}
	sg_init_table(sgl, 3);
	for (i = 0; i < 3; i++)
		sg_set_page(&sgl[i], pages[i], PAGE_SIZE, 0);
	ret = dma_map_sgtable(client, &sgt, DMA_BIDIRECTIONAL,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (map == DMACTL_P2P_MAP_NOT_SUPPORTED || ret) {
		*wrong = map == DMACTL_P2P_MAP_NOT_SUPPORTED &&
			 ret == -EREMOTEIO ? 0 : 3;
		if (!ret)
			dma_unmap_sgtable(client, &sgt, DMA_BIDIRECTIONAL,
					  DMA_ATTR_SKIP_CPU_SYNC);
		ret = ret == -ENOMEM ? ret : 0;
		goto out;
	}
	*segs = sgt.nents;
	/* The segments cover the pages in order, however they merged. */
	for_each_sgtable_dma_sg(&sgt, sg, i) {
		for (off = 0; off < sg_dma_len(sg); off += PAGE_SIZE, k++)
			if (k >= 3 || !dmactl_p2p_seg_ok(client, sg, off, pages[k],
							 k == 1, map, bus_offset))
				(*wrong)++;
	}
	if (k < 3)
		*wrong += 3 - k;
	dma_unmap_sgtable(client, &sgt, DMA_BIDIRECTIONAL,
			  DMA_ATTR_SKIP_CPU_SYNC);
out:
	if (pages[0])
		__free_page(pages[0]);
	if (pages[2])
		__free_page(pages[2]);
	return ret;
}

/**
 * dmactl_p2p_query() - DMACTL_P2P_QUERY
 * @ucmd: the call; its struct dmactl_p2p_query is documented in the uapi
 *
 * Context: takes the provider's device lock, so that its P2P state
 * cannot go away under the question.
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_p2p_query(struct dmactl_ucmd *ucmd)
{
	struct dmactl_p2p_query *cmd = ucmd->cmd;
	struct device *pdev_dev, *client;
	struct pci_dev *pdev;
	u64 bus_offset;
	void *page;
	int dist;
	u32 map;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!dmactl_name_ok(cmd->provider) || !dmactl_name_ok(cmd->client))
		return -EINVAL;
	pdev_dev = bus_find_device_by_name(&pci_bus_type, NULL, cmd->provider);
	if (!pdev_dev)
		return -ENODEV;
	client = dmactl_find_device(cmd->client);
	if (!client) {
		put_device(pdev_dev);
		return -ENODEV;
	}
	pdev = to_pci_dev(pdev_dev);

	device_lock(pdev_dev);
	dist = pci_p2pdma_distance(pdev, client, false);
	cmd->out_distance = dist < 0 ? DMACTL_P2P_NO_PATH : dist;
	cmd->out_flags = 0;
	cmd->out_mixed_segments = 0;
	cmd->out_mixed_wrong = 0;
	cmd->out_map_type = dist < 0 ? DMACTL_P2P_MAP_NOT_SUPPORTED :
				       DMACTL_P2P_MAP_UNKNOWN;
	/* With memory to try, the DMA layer's own verdict on a page of it. */
	page = pci_alloc_p2pmem(pdev, PAGE_SIZE);
	if (page) {
		cmd->out_flags |= DMACTL_P2P_PROVIDER_HAS_MEM;
		if (!dmactl_p2p_probe(pdev, client, virt_to_page(page), &map,
				      &bus_offset)) {
			cmd->out_map_type = map;
			if (dev_is_pci(client) && client->dma_mask &&
			    !dmactl_p2p_mixed_sg(client, virt_to_page(page), map,
						 bus_offset,
						 &cmd->out_mixed_segments,
						 &cmd->out_mixed_wrong))
				cmd->out_flags |= DMACTL_P2P_MIXED_SG_CHECKED;
		}
		pci_free_p2pmem(pdev, page, PAGE_SIZE);
	}
	device_unlock(pdev_dev);

	put_device(client);
	put_device(pdev_dev);
	return dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}

/*
 * Would pci_p2pdma_add_resource() take the range without a WARN?  It
 * checks the BAR and the bounds, but memremap_pages() maps memory only in
 * whole subsections (memremap_compat_align(): 2 MiB on x86) and WARNs on
 * anything else ("Misaligned __add_pages"), so as nvme's CMB code does,
 * both ends must be aligned to it.  *len: the bytes to publish.
 */
static int dmactl_p2pmem_check(struct dmactl_target *t, struct pci_dev *pdev,
			       struct dmactl_p2pmem_publish *cmd, u64 *len)
{
	unsigned long flags = pci_resource_flags(pdev, cmd->bar);
	u64 bar_len = pci_resource_len(pdev, cmd->bar);
	u64 align = memremap_compat_align();

	if (!(flags & IORESOURCE_MEM) || (flags & IORESOURCE_UNSET) ||
	    !bar_len || cmd->offset >= bar_len)
		return dmactl_reject(t, DMACTL_RULE_P2PMEM_RANGE, -EINVAL);
	*len = cmd->length ?: bar_len - cmd->offset;
	if (*len > bar_len - cmd->offset ||
	    !IS_ALIGNED(pci_resource_start(pdev, cmd->bar) + cmd->offset, align) ||
	    !IS_ALIGNED(*len, align))
		return dmactl_reject(t, DMACTL_RULE_P2PMEM_RANGE, -EINVAL);
	return 0;
}

/**
 * dmactl_p2pmem_publish() - DMACTL_P2PMEM_PUBLISH
 * @ucmd: the call; its struct dmactl_p2pmem_publish is documented in the
 *	uapi
 *
 * The memory is device-managed: it goes when dmactl's driver unbinds,
 * after dmactl_p2p_revoke_provider() and the target's own revocation.
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_p2pmem_publish(struct dmactl_ucmd *ucmd)
{
	struct dmactl_p2pmem_publish *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct pci_dev *pdev;
	u64 len, end;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (check_add_overflow(cmd->offset, cmd->length, &end))
		return -EOVERFLOW;
	if (cmd->bar >= PCI_STD_NUM_BARS || !PAGE_ALIGNED(cmd->offset) ||
	    !PAGE_ALIGNED(cmd->length))
		return -EINVAL;
	ret = dmactl_ctx_target_lock(ucmd->ctx, &t);
	if (ret)
		return ret;
	if (!t->exclusive) {
		ret = -EPERM;	/* its memory belongs to its own driver */
		goto out;
	}
	if (!dev_is_pci(t->dev)) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	pdev = to_pci_dev(t->dev);
	ret = dmactl_p2pmem_check(t, pdev, cmd, &len);
	if (ret)
		goto out;
	if (test_and_set_bit(cmd->bar, &t->published_bars)) {
		ret = -EBUSY;
		goto out;
	}
	ret = pci_p2pdma_add_resource(pdev, cmd->bar, len, cmd->offset);
	if (ret) {
		clear_bit(cmd->bar, &t->published_bars);
		goto out;
	}
	pci_p2pmem_publish(pdev, true);
	cmd->out_length = len;
out:
	dmactl_target_read_unlock(t);
	return ret ?: dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}
