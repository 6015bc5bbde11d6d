// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: buffers, the memory links map.
 *
 * Kernel buffers come from the page allocator in physically contiguous
 * chunks of 2^order pages; user buffers are the caller's memory pinned
 * with FOLL_LONGTERM; P2P buffers are a provider's BAR memory, from
 * pci_alloc_p2pmem() or the caller's mapping of its p2pmem/allocate file,
 * pinned with FOLL_PCI_P2PDMA (FOLL_LONGTERM with it WARNs, rule M32).
 * Either way the module holds every page itself and derives physical
 * addresses only from them; a buffer under a link cannot be freed, so its
 * pages outlive every mapping of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "dmactl_private.h"

#define DMACTL_BUF_MAX_LENGTH	SZ_1G
#define DMACTL_BUF_MAX_ORDER	min(10, MAX_PAGE_ORDER)

/* Give back the first @nr pages of a buffer and what holds them. */
static void dmactl_buf_free_pages(struct dmactl_buf *buf, unsigned long nr)
{
	unsigned long i, per_chunk = 1UL << buf->order;

	switch (buf->kind) {
	case DMACTL_BUF_KERNEL:
		for (i = 0; i < nr; i += per_chunk)
			__free_pages(buf->pages[i], buf->order);
		dmactl_count(buf->target, DMACTL_C_KERNEL_PAGES, -nr);
		break;
	case DMACTL_BUF_USER:
		/* The device may have written to them. */
		unpin_user_pages_dirty_lock(buf->pages, nr, true);
		dmactl_count(buf->target, DMACTL_C_PINNED_PAGES, -nr);
		break;
	case DMACTL_BUF_P2P:
		pci_free_p2pmem(buf->provider, buf->p2p_vaddr, buf->length);
		dmactl_count(buf->target, DMACTL_C_P2P_BYTES, -buf->length);
		break;
	case DMACTL_BUF_USER_P2P:
		/* Device memory: no page cache to dirty. */
		unpin_user_pages(buf->pages, nr);
		dmactl_count(buf->target, DMACTL_C_PINNED_PAGES, -nr);
		dmactl_count(buf->target, DMACTL_C_P2P_BYTES, -buf->length);
		break;
	}
}

/**
 * dmactl_reachable_gfp() - the zone a device's DMA mask reaches
 * @dev: the device
 *
 * As dma-direct picks it for its own allocations.
 *
 * Return: GFP_DMA, GFP_DMA32 or 0.
 */
gfp_t dmactl_reachable_gfp(struct device *dev)
{
	u64 mask = dma_get_mask(dev);

	if (mask < DMA_BIT_MASK(32))
		return GFP_DMA;
	if (mask < DMA_BIT_MASK(64))
		return GFP_DMA32;
	return 0;
}

static int dmactl_buf_get_kernel_pages(struct dmactl_buf *buf, int node,
				       gfp_t zone)
{
	unsigned long i, j, per_chunk = 1UL << buf->order;
	struct page *chunk;

	for (i = 0; i < buf->nr_pages; i += per_chunk) {
		chunk = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO |
					 __GFP_NOWARN | zone, buf->order);
		if (!chunk) {
			dmactl_count(buf->target, DMACTL_C_KERNEL_PAGES, i);
			dmactl_buf_free_pages(buf, i);
			return -ENOMEM;
		}
		for (j = 0; j < per_chunk; j++)
			buf->pages[i + j] = chunk + j;
		cond_resched();
	}
	dmactl_count(buf->target, DMACTL_C_KERNEL_PAGES, buf->nr_pages);
	return 0;
}

static int dmactl_buf_pin_user_pages(struct dmactl_buf *buf, u64 uaddr)
{
	unsigned int gup = FOLL_WRITE | FOLL_LONGTERM;
	long pinned;

	/*
	 * P2P pages must be pinned without FOLL_LONGTERM (rule M32).  A
	 * mapping of p2pmem/allocate has its pages from mmap on, so nothing
	 * is faulted in: a pin holding some of a provider's pages must not
	 * wait on the caller's page faults (userfaultfd), or the provider's
	 * unbind, which waits for every page, would wait with it.
	 */
	if (buf->kind == DMACTL_BUF_USER_P2P)
		gup = FOLL_WRITE | FOLL_PCI_P2PDMA | FOLL_NOFAULT;
	pinned = pin_user_pages_fast(uaddr, buf->nr_pages, gup, buf->pages);
	if (pinned == -EREMOTEIO)
		return dmactl_reject(buf->target, DMACTL_RULE_M32, pinned);
	if (pinned < 0)
		return pinned;
	if (pinned < buf->nr_pages) {
		unpin_user_pages(buf->pages, pinned);
		return -EFAULT;
	}
	dmactl_count(buf->target, DMACTL_C_PINNED_PAGES, pinned);
	return 0;
}

/*
 * The BAR of @pdev a P2P page lies in, or -1: one bus offset holds for a
 * buffer only if all its pages lie in one BAR.
 */
static int dmactl_page_bar(struct page *page, struct pci_dev *pdev)
{
	if (!is_pci_p2pdma_page(page))
		return -1;
	return dmactl_p2p_bar(pdev, page_to_phys(page));
}

/* The memory of a P2P buffer: from the provider's pool or the caller's. */
static int dmactl_buf_get_p2p_pages(struct dmactl_buf *buf, u64 uaddr)
{
	unsigned long i;
	int ret, bar;

	if (buf->kind == DMACTL_BUF_USER_P2P) {
		ret = dmactl_buf_pin_user_pages(buf, uaddr);
		if (ret)
			return ret;
		bar = dmactl_page_bar(buf->pages[0], buf->provider);
		for (i = 0; i < buf->nr_pages; i++) {
			if (bar < 0 ||
			    dmactl_page_bar(buf->pages[i], buf->provider) != bar) {
				unpin_user_pages(buf->pages, buf->nr_pages);
				dmactl_count(buf->target, DMACTL_C_PINNED_PAGES, -buf->nr_pages);
				return -EINVAL;
			}
		}
	} else {
		if (!dmactl_pci_has_p2pmem(buf->provider))
			return -ENODEV;
		buf->p2p_vaddr = pci_alloc_p2pmem(buf->provider, buf->length);
		if (!buf->p2p_vaddr)
			return -ENOMEM;
		for (i = 0; i < buf->nr_pages; i++)
			buf->pages[i] = virt_to_page(buf->p2p_vaddr +
						     i * PAGE_SIZE);
	}
	dmactl_count(buf->target, DMACTL_C_P2P_BYTES, buf->length);
	return 0;
}

/* Hold the provider a P2P buffer names: -ENODEV if there is none. */
static int dmactl_buf_find_provider(struct dmactl_buf *buf, const char *name)
{
	struct device *dev = bus_find_device_by_name(&pci_bus_type, NULL, name);

	if (!dev)
		return -ENODEV;
	buf->provider = to_pci_dev(dev);
	return 0;
}

/*
 * Validate a BUF_ALLOC request; on success *node is the node to use, or
 * NUMA_NO_NODE for the device's.
 */
static int dmactl_buf_alloc_check(struct dmactl_buf_alloc *cmd, int *node)
{
	size_t plen = strnlen(cmd->provider, sizeof(cmd->provider));
	bool user = cmd->kind == DMACTL_BUF_USER ||
		    cmd->kind == DMACTL_BUF_USER_P2P;
	bool p2p = cmd->kind == DMACTL_BUF_P2P ||
		   cmd->kind == DMACTL_BUF_USER_P2P;
	u64 end;

	if ((cmd->flags & ~DMACTL_BUF_ALLOC_REACHABLE) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (user && check_add_overflow(cmd->user_addr, cmd->length, &end))
		return -EOVERFLOW;
	if (!cmd->length || cmd->length > DMACTL_BUF_MAX_LENGTH)
		return -EINVAL;
	if (plen == sizeof(cmd->provider) || !plen != !p2p)
		return -EINVAL;
	if (cmd->flags && cmd->kind != DMACTL_BUF_KERNEL)
		return -EINVAL;
	if (!user && cmd->user_addr)
		return -EINVAL;

	switch (cmd->kind) {
	case DMACTL_BUF_KERNEL:
		if (cmd->order > DMACTL_BUF_MAX_ORDER ||
		    cmd->length % (PAGE_SIZE << cmd->order))
			return -EINVAL;
		if (cmd->node == DMACTL_NO_NODE) {
			*node = NUMA_NO_NODE;
		} else {
			if (cmd->node >= MAX_NUMNODES || !node_online(cmd->node))
				return -EINVAL;
			*node = cmd->node;
		}
		return 0;
	case DMACTL_BUF_USER:
	case DMACTL_BUF_P2P:
	case DMACTL_BUF_USER_P2P:
		if (cmd->order || !PAGE_ALIGNED(cmd->user_addr) ||
		    !PAGE_ALIGNED(cmd->length))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Get a buffer's memory.  With no lock held: pinning may wait on the
 * caller's page faults for as long as the caller likes.
 */
static int dmactl_buf_get_memory(struct dmactl_buf *buf,
				 struct dmactl_buf_alloc *cmd, int node)
{
	struct device *dev = buf->target->dev;
	int ret;

	buf->pages = kvcalloc(buf->nr_pages, sizeof(*buf->pages),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf->pages)
		return -ENOMEM;
	switch (buf->kind) {
	case DMACTL_BUF_KERNEL:
		ret = dmactl_buf_get_kernel_pages(buf, node, cmd->flags &
						  DMACTL_BUF_ALLOC_REACHABLE ?
						  dmactl_reachable_gfp(dev) : 0);
		break;
	case DMACTL_BUF_USER:
		ret = dmactl_buf_pin_user_pages(buf, cmd->user_addr);
		break;
	default:
		ret = dmactl_buf_find_provider(buf, cmd->provider);
		if (!ret)
			ret = dmactl_buf_get_p2p_pages(buf, cmd->user_addr);
		break;
	}
	if (ret)
		return ret;
	buf->held = true;
	dmactl_count(buf->target, DMACTL_C_LIVE_BUFS, 1);
	return 0;
}

/*
 * P2P memory: refused if its provider's driver started to unbind (under
 * the target's rwsem, which orders this before the revocation's walk of
 * the targets), else how the attached device reaches it, decided once.
 */
static int dmactl_buf_check_p2p(struct dmactl_buf *buf)
{
	if (!buf->provider)
		return 0;
	if (dmactl_p2p_provider_dying(buf->provider))
		return -ENODEV;
	return dmactl_p2p_probe(buf->provider, buf->target->dev, buf->pages[0],
				&buf->p2p_map, &buf->p2p_bus_offset);
}

/**
 * dmactl_buf_alloc() - DMACTL_BUF_ALLOC
 * @ucmd: the call; its struct dmactl_buf_alloc is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_buf_alloc(struct dmactl_ucmd *ucmd)
{
	struct dmactl_buf_alloc *cmd = ucmd->cmd;
	struct dmactl_target *t = dmactl_ctx_target(ucmd->ctx);
	struct dmactl_buf *buf;
	int node = NUMA_NO_NODE;
	int ret;

	ret = dmactl_buf_alloc_check(cmd, &node);
	if (ret)
		return ret;
	if (!t)
		return -EBUSY;
	if (node == NUMA_NO_NODE)
		node = dev_to_node(t->dev);

	buf = kzalloc_obj(*buf, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	dmactl_obj_init(ucmd->ctx, &buf->obj, DMACTL_OBJ_BUF);
	buf->target = t;
	buf->kind = cmd->kind;
	buf->order = cmd->order;
	buf->length = cmd->length;
	buf->nr_pages = cmd->length >> PAGE_SHIFT;
	ret = dmactl_charge(ucmd->ctx, DMACTL_LIMIT_BUF_BYTES, buf->length);
	if (ret)
		goto out_discard;
	buf->charged = buf->length;
	ret = dmactl_buf_get_memory(buf, cmd, node);
	if (ret)
		goto out_discard;

	ret = dmactl_ctx_target_lock(ucmd->ctx, &t);
	if (ret)
		goto out_discard;
	ret = dmactl_buf_check_p2p(buf);
	if (!ret)
		ret = dmactl_obj_add(&buf->obj);
	dmactl_target_read_unlock(t);
	if (ret)
		goto out_discard;
	cmd->out_id = buf->obj.id;
	cmd->out_nr_pages = buf->nr_pages;
	return dmactl_obj_finalize(ucmd, &buf->obj, sizeof(*cmd));

out_discard:
	dmactl_obj_discard(&buf->obj);
	return ret;
}

/* Give a buffer's memory back, however far dmactl_buf_alloc() got. */
static void dmactl_buf_kill(struct dmactl_obj *obj)
{
	struct dmactl_buf *buf = container_of(obj, struct dmactl_buf, obj);

	lockdep_assert_held(&obj->lock);
	if (buf->held) {
		dmactl_buf_free_pages(buf, buf->nr_pages);
		buf->held = false;
		dmactl_count(buf->target, DMACTL_C_LIVE_BUFS, -1);
	}
	kvfree(buf->pages);
	buf->pages = NULL;
	pci_dev_put(buf->provider);
	buf->provider = NULL;
	dmactl_uncharge(obj->ctx, DMACTL_LIMIT_BUF_BYTES, buf->charged);
	buf->charged = 0;
}

static void dmactl_buf_release(struct dmactl_obj *obj)
{
	mutex_destroy(&obj->lock);
	kfree(container_of(obj, struct dmactl_buf, obj));
}

static void dmactl_buf_account(struct dmactl_obj *obj,
			       struct dmactl_teardown *td)
{
	td->bufs++;
}

/* A buffer under links goes after the IOVA objects that link it. */
static bool dmactl_buf_busy(struct dmactl_obj *obj)
{
	return container_of(obj, struct dmactl_buf, obj)->nr_links;
}

static bool dmactl_buf_uses_provider(struct dmactl_obj *obj,
				     struct pci_dev *pdev)
{
	return container_of(obj, struct dmactl_buf, obj)->provider == pdev;
}

const struct dmactl_obj_ops dmactl_buf_ops = {
	.kill = dmactl_buf_kill,
	.release = dmactl_buf_release,
	.account = dmactl_buf_account,
	.busy = dmactl_buf_busy,
	.uses_provider = dmactl_buf_uses_provider,
};

static int dmactl_buf_op_begin(struct dmactl_ucmd *ucmd, u32 id,
			       struct dmactl_target **tp,
			       struct dmactl_buf **bufp)
{
	struct dmactl_obj *obj;
	int ret;

	ret = dmactl_op_begin(ucmd, id, DMACTL_OBJ_BUF, tp, &obj);
	if (!ret)
		*bufp = container_of(obj, struct dmactl_buf, obj);
	return ret;
}

static void dmactl_buf_op_done(struct dmactl_target *t, struct dmactl_buf *buf)
{
	dmactl_op_done(t, &buf->obj);
}

/**
 * dmactl_buf_free() - DMACTL_BUF_FREE
 * @ucmd: the call; its struct dmactl_buf_free is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_buf_free(struct dmactl_ucmd *ucmd)
{
	struct dmactl_buf_free *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_buf *buf;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	ret = dmactl_buf_op_begin(ucmd, cmd->id, &t, &buf);
	if (ret)
		return ret;
	if (buf->nr_links) {
		ret = dmactl_reject(t, DMACTL_RULE_BUF_BUSY, -EBUSY);
	} else {
		dmactl_buf_kill(&buf->obj);
		dmactl_obj_remove(&buf->obj);
	}
	dmactl_buf_op_done(t, buf);
	return ret;
}

/* Check a byte range of a buffer request: overflow, then size, then range. */
static int dmactl_buf_range_check(u64 offset, u64 length, u64 align)
{
	u64 end;

	if (check_add_overflow(offset, length, &end))
		return -EOVERFLOW;
	if (!length || !IS_ALIGNED(offset, align) || !IS_ALIGNED(length, align))
		return -EINVAL;
	return 0;
}

/**
 * dmactl_buf_walk() - visit a byte range of a buffer, mapped for the CPU
 * @buf: the buffer, alive
 * @offset: start, bytes
 * @length: bytes; the range within the buffer
 * @fn: called per piece of at most a page with its address, its buffer
 *	offset and its length
 * @arg: passed to @fn
 *
 * Context: may sleep between pieces.
 */
void dmactl_buf_walk(struct dmactl_buf *buf, u64 offset, u64 length,
		     void (*fn)(void *va, u64 off, size_t len, void *arg),
		     void *arg)
{
	u64 pos = offset, end = offset + length;
	size_t in, len;
	void *va;

	while (pos < end) {
		in = offset_in_page(pos);
		len = min_t(u64, PAGE_SIZE - in, end - pos);
		va = kmap_local_page(buf->pages[pos >> PAGE_SHIFT]);
		fn(va + in, pos, len, arg);
		kunmap_local(va);
		pos += len;
		cond_resched();
	}
}

static void dmactl_fill_piece(void *va, u64 off, size_t len, void *arg)
{
	u64 seed = *(u64 *)arg;
	__le64 *word = va;
	size_t i;

	for (i = 0; i < len / 8; i++)
		word[i] = cpu_to_le64(dmactl_pattern(seed, off / 8 + i));
}

/**
 * dmactl_buf_fill() - DMACTL_BUF_FILL
 * @ucmd: the call; its struct dmactl_buf_fill is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_buf_fill(struct dmactl_ucmd *ucmd)
{
	struct dmactl_buf_fill *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_buf *buf;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	ret = dmactl_buf_range_check(cmd->offset, cmd->length, 8);
	if (ret)
		return ret;
	ret = dmactl_buf_op_begin(ucmd, cmd->id, &t, &buf);
	if (ret)
		return ret;
	if (cmd->offset + cmd->length > buf->length)
		ret = dmactl_reject(t, DMACTL_RULE_M19, -ERANGE);
	else
		dmactl_buf_walk(buf, cmd->offset, cmd->length,
				dmactl_fill_piece, &cmd->seed);
	dmactl_buf_op_done(t, buf);
	return ret;
}

static void dmactl_crc_piece(void *va, u64 off, size_t len, void *arg)
{
	u32 *crc = arg;

	*crc = crc32c(*crc, va, len);
}

/**
 * dmactl_buf_checksum() - DMACTL_BUF_CHECKSUM
 * @ucmd: the call; its struct dmactl_buf_checksum is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_buf_checksum(struct dmactl_ucmd *ucmd)
{
	struct dmactl_buf_checksum *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_buf *buf;
	u32 crc = ~0U;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ret = dmactl_buf_range_check(cmd->offset, cmd->length, 1);
	if (ret)
		return ret;
	ret = dmactl_buf_op_begin(ucmd, cmd->id, &t, &buf);
	if (ret)
		return ret;
	if (cmd->offset + cmd->length > buf->length) {
		ret = dmactl_reject(t, DMACTL_RULE_M19, -ERANGE);
	} else {
		dmactl_buf_walk(buf, cmd->offset, cmd->length,
				dmactl_crc_piece, &crc);
		cmd->out_crc32c = ~crc;
	}
	dmactl_buf_op_done(t, buf);
	return ret ?: dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}

/**
 * dmactl_buf_phys() - the physical address of a byte of a buffer
 * @buf: the buffer, alive
 * @offset: bytes, below @buf->length
 *
 * Return: the address.
 */
phys_addr_t dmactl_buf_phys(struct dmactl_buf *buf, u64 offset)
{
	return page_to_phys(buf->pages[offset >> PAGE_SHIFT]) +
	       offset_in_page(offset);
}

/**
 * dmactl_buf_contig() - how far memory stays physically contiguous
 * @buf: the buffer, alive
 * @offset: where to start, bytes, below @buf->length
 * @max: the most to report, bytes; @offset + @max within the buffer
 *
 * Return: bytes from @offset, at most @max, that are physically
 * contiguous.
 */
u64 dmactl_buf_contig(struct dmactl_buf *buf, u64 offset, u64 max)
{
	unsigned long idx = offset >> PAGE_SHIFT;
	unsigned long pfn = page_to_pfn(buf->pages[idx]);
	u64 len = min_t(u64, PAGE_SIZE - offset_in_page(offset), max);

	while (len < max && page_to_pfn(buf->pages[++idx]) == ++pfn)
		len = min_t(u64, len + PAGE_SIZE, max);
	return len;
}
