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

#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dmactl.h"

/* Providers whose driver is unbinding; protects dmactl_dying. */
static DEFINE_SPINLOCK(dmactl_dying_lock);
static struct pci_dev *dmactl_dying[8];

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
	bool dying = false;
	int i;

	spin_lock(&dmactl_dying_lock);
	for (i = 0; i < ARRAY_SIZE(dmactl_dying); i++)
		dying |= dmactl_dying[i] == pdev;
	spin_unlock(&dmactl_dying_lock);
	return dying;
}

/* Mark or unmark a provider dying; false if the table is full. */
static bool dmactl_p2p_set_dying(struct pci_dev *pdev, bool dying)
{
	struct pci_dev *want = dying ? NULL : pdev;
	bool done = false;
	int i;

	spin_lock(&dmactl_dying_lock);
	for (i = 0; i < ARRAY_SIZE(dmactl_dying) && !done; i++) {
		if (dmactl_dying[i] == want) {
			dmactl_dying[i] = dying ? pdev : NULL;
			done = true;
		}
	}
	spin_unlock(&dmactl_dying_lock);
	return done;
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

static bool dmactl_p2p_obj_uses(struct dmactl_obj *obj, void *arg)
{
	struct dmactl_p2p_revoke *r = arg;
	struct dmactl_buf *buf;

	if (obj->type == DMACTL_OBJ_IOVA)
		return dmactl_iova_uses_provider(container_of(obj,
					struct dmactl_iova, obj), r->pdev);
	buf = container_of(obj, struct dmactl_buf, obj);
	if (buf->provider != r->pdev)
		return false;
	r->bufs++;
	return true;
}

static void dmactl_p2p_revoke_target(struct dmactl_target *t, void *arg)
{
	struct dmactl_p2p_revoke *r = arg;
	unsigned long before = r->bufs;
	struct dmactl_ctx *ctx;

	down_write(&t->rwsem);
	if (!t->dead) {
		mutex_lock(&t->ctxs_lock);
		list_for_each_entry(ctx, &t->ctxs, target_node)
			dmactl_ctx_kill(ctx, dmactl_p2p_obj_uses, arg, NULL);
		mutex_unlock(&t->ctxs_lock);
	}
	up_write(&t->rwsem);
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
 * Context: process; takes every target's rwsem for writing.
 */
void dmactl_p2p_revoke_provider(struct pci_dev *pdev)
{
	struct dmactl_p2p_revoke r = { .pdev = pdev };

	if (!rcu_access_pointer(pdev->p2pdma))
		return;	/* no P2P memory: nothing of it can be held */
	if (!dmactl_p2p_set_dying(pdev, true))
		pci_warn(pdev, "dmactl: too many providers unbinding at once\n");
	dmactl_targets_for_each(dmactl_p2p_revoke_target, &r);
	if (r.bufs)
		pci_info(pdev, "dmactl: revoked %lu P2P buffers of this provider\n",
			 r.bufs);
}

/**
 * dmactl_p2p_provider_gone() - a PCI driver has unbound
 * @pdev: the device
 */
void dmactl_p2p_provider_gone(struct pci_dev *pdev)
{
	dmactl_p2p_set_dying(pdev, false);
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
 * @client: the device that would do the DMA
 * @page: a page of P2P memory
 * @map: enum pci_p2pdma_map_type: NOT_SUPPORTED, BUS_ADDR or
 *	THRU_HOST_BRIDGE
 * @bus_offset: PCI_P2PDMA_MAP_BUS_ADDR: bus address minus physical address
 *
 * Return: 0, or the error dma_map_sgtable() gave other than EREMOTEIO
 * (which means not supported).
 */
int dmactl_p2p_probe(struct device *client, struct page *page, u32 *map,
		     u64 *bus_offset)
{
	struct scatterlist sg;
	struct sg_table sgt = { .sgl = &sg, .nents = 1, .orig_nents = 1 };
	int ret;

	*map = PCI_P2PDMA_MAP_NOT_SUPPORTED;
	*bus_offset = 0;
	/* dma_map_sg() WARNs on a device without a mask; P2P needs PCI. */
	if (!dev_is_pci(client) || !client->dma_mask)
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
		*map = PCI_P2PDMA_MAP_BUS_ADDR;
		*bus_offset = sg_dma_address(&sg) - page_to_phys(page);
	} else {
		*map = PCI_P2PDMA_MAP_THRU_HOST_BRIDGE;
	}
	dma_unmap_sgtable(client, &sgt, DMA_BIDIRECTIONAL,
			  DMA_ATTR_SKIP_CPU_SYNC);
	return 0;
}

static u32 dmactl_p2p_map(enum pci_p2pdma_map_type map)
{
	switch (map) {
	case PCI_P2PDMA_MAP_BUS_ADDR:
		return DMACTL_P2P_MAP_BUS_ADDR;
	case PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		return DMACTL_P2P_MAP_THRU_HOST_BRIDGE;
	case PCI_P2PDMA_MAP_NOT_SUPPORTED:
		return DMACTL_P2P_MAP_NOT_SUPPORTED;
	default:
		return DMACTL_P2P_MAP_UNKNOWN;
	}
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
	cmd->out_map_type = dist < 0 ? DMACTL_P2P_MAP_NOT_SUPPORTED :
				       DMACTL_P2P_MAP_UNKNOWN;
	/* With memory to try, the DMA layer's own verdict on a page of it. */
	page = pci_alloc_p2pmem(pdev, PAGE_SIZE);
	if (page) {
		cmd->out_flags |= DMACTL_P2P_PROVIDER_HAS_MEM;
		if (!dmactl_p2p_probe(client, virt_to_page(page), &map,
				      &bus_offset))
			cmd->out_map_type = dmactl_p2p_map(map);
		pci_free_p2pmem(pdev, page, PAGE_SIZE);
	}
	device_unlock(pdev_dev);

	put_device(client);
	put_device(pdev_dev);
	return dmactl_ucmd_respond(ucmd, sizeof(*cmd));
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
	u64 bar_len, len, end;
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
	bar_len = pci_resource_len(pdev, cmd->bar);
	len = cmd->length ?: bar_len - cmd->offset;
	if (!(pci_resource_flags(pdev, cmd->bar) & IORESOURCE_MEM) ||
	    cmd->offset >= bar_len || cmd->offset + len > bar_len) {
		ret = -EINVAL;
		goto out;
	}
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
	ret = dmactl_ucmd_respond(ucmd, sizeof(*cmd));
out:
	dmactl_target_read_unlock(t);
	return ret;
}
