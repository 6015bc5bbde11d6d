// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: IOVA objects -- the two-step DMA API behind a shadow state.
 *
 * dma_iova_link() and friends check almost nothing: a link outside the
 * allocation, over a linked granule, an unlink that splits a link or
 * carries other attributes, a free with live links -- each WARNs, oopses
 * or silently corrupts the IOVA allocator.  So every request is checked
 * here first, against a shadow of the state: the granule, the offset of
 * IOVA byte 0 in its granule, a per-granule synced bitmap, and link
 * records {offset, length, buffer, direction, attributes} in a maple tree
 * by granule.  A link that exactly continues the one before shares its
 * record, so a GiB of IOVA filled page by page costs 32 KiB of bitmap and
 * a few records, not one record per page.  Each rejection names the
 * misuse rule (M1..M35 of the design) it prevents.
 *
 * When dma_iova_try_alloc() declines (no IOMMU, identity domain) and the
 * caller allowed it, the object has no IOVA space and its links are
 * mapped with dma_map_phys() instead, with the same records and checks.
 * How each link maps its memory -- into the IOVA space, by dma_map_phys(),
 * by PCI bus address, with DMA_ATTR_MMIO -- is its backend's business
 * (link_ops.c), chosen once when LINK classifies it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "dmactl.h"

#define DMACTL_USER_ATTRS (DMACTL_ATTR_SKIP_CPU_SYNC | DMACTL_ATTR_WEAK_ORDERING)

/**
 * dmactl_dir() - the kernel's direction for a uapi one
 * @udir: enum dmactl_dir
 *
 * Return: the direction, or DMA_NONE if @udir is not valid.  DMA_NONE is
 * never passed on: dma_map_phys() BUGs on it (rule M29).
 */
enum dma_data_direction dmactl_dir(u32 udir)
{
	switch (udir) {
	case DMACTL_DIR_TO_DEVICE:
		return DMA_TO_DEVICE;
	case DMACTL_DIR_FROM_DEVICE:
		return DMA_FROM_DEVICE;
	case DMACTL_DIR_BIDIRECTIONAL:
		return DMA_BIDIRECTIONAL;
	default:
		return DMA_NONE;
	}
}

/* The kernel's attributes for a link: the caller's plus the object's. */
static unsigned long dmactl_kattrs(struct dmactl_iova *iova, u32 uattrs)
{
	unsigned long attrs = 0;

	if (uattrs & DMACTL_ATTR_SKIP_CPU_SYNC)
		attrs |= DMA_ATTR_SKIP_CPU_SYNC;
	if (uattrs & DMACTL_ATTR_WEAK_ORDERING)
		attrs |= DMA_ATTR_WEAK_ORDERING;
	if (iova->require_coherent)
		attrs |= DMA_ATTR_REQUIRE_COHERENT;
	return attrs;
}

/**
 * dmactl_iova_gidx() - the granule an IOVA offset falls in
 * @iova: the object
 * @offset: bytes from IOVA byte 0
 *
 * Return: the granule's index, counting the one holding byte 0 as 0.
 */
unsigned long dmactl_iova_gidx(struct dmactl_iova *iova, u64 offset)
{
	return (iova->first_offset + offset) >> __ffs64(iova->granule);
}

/* One past the last granule that [.., end) touches. */
static unsigned long dmactl_iova_gend(struct dmactl_iova *iova, u64 end)
{
	return DIV_ROUND_UP_ULL(iova->first_offset + end, iova->granule);
}

/**
 * dmactl_iova_link_at() - the link record covering an IOVA offset
 * @iova: the object, locked
 * @offset: bytes
 *
 * Return: the record whose granules include @offset's, or NULL.  The
 * byte itself may lie in the unlinked tail of the record's last granule.
 */
struct dmactl_link *dmactl_iova_link_at(struct dmactl_iova *iova, u64 offset)
{
	return mtree_load(&iova->links, dmactl_iova_gidx(iova, offset));
}

/**
 * dmactl_iova_range_synced() - is every granule of a range synced?
 * @iova: the object, locked
 * @offset: start, bytes
 * @end: end, bytes, past @offset and within the space
 *
 * Return: true if every granule [@offset, @end) touches is synced.
 */
bool dmactl_iova_range_synced(struct dmactl_iova *iova, u64 offset, u64 end)
{
	unsigned long gs = dmactl_iova_gidx(iova, offset);
	unsigned long ge = dmactl_iova_gend(iova, end);

	return find_next_zero_bit(iova->synced, ge, gs) >= ge;
}

/**
 * dmactl_iova_range_unlinked() - does no link touch a range?
 * @iova: the object, locked
 * @offset: start, bytes
 * @end: end, bytes, past @offset and within the space
 *
 * Return: true if no granule [@offset, @end) touches is linked.
 */
bool dmactl_iova_range_unlinked(struct dmactl_iova *iova, u64 offset, u64 end)
{
	unsigned long gs = dmactl_iova_gidx(iova, offset);
	unsigned long ge = dmactl_iova_gend(iova, end);

	return !mt_find(&iova->links, &gs, ge - 1);
}

/*
 * Does any link map memory of a provider?  (struct dmactl_obj_ops: P2P
 * revocation.)
 */
static bool dmactl_iova_uses_provider(struct dmactl_obj *obj,
				      struct pci_dev *pdev)
{
	struct dmactl_iova *iova = container_of(obj, struct dmactl_iova, obj);
	struct dmactl_link *link;
	unsigned long index = 0;

	mt_for_each(&iova->links, link, index, ULONG_MAX)
		if (link->buf->provider == pdev)
			return true;
	return false;
}

/*
 * May a transfer that timed out still reach the object's memory?  Then it
 * cannot be torn down (struct dmactl_obj_ops).  A copy in progress does
 * not keep it: release cannot run during one, and revocation tears
 * objects down under a copy between two of its transfers.
 */
static bool dmactl_iova_busy(struct dmactl_obj *obj)
{
	struct dmactl_iova *iova = container_of(obj, struct dmactl_iova, obj);

	if (iova->wedged && dmactl_target_dma_quiet(iova->target))
		iova->wedged = false;
	return iova->wedged;
}

/**
 * dmactl_iova_dma_busy() - may a device transfer still reach the object's
 *	memory?
 * @iova: the object, locked
 *
 * Unlink, free and destroy are refused while it may (rule M25).
 *
 * Return: true while a copy runs through it, or a copy through it timed
 * out and its engine may still run.
 */
bool dmactl_iova_dma_busy(struct dmactl_iova *iova)
{
	return iova->inflight || dmactl_iova_busy(&iova->obj);
}

static void dmactl_iova_account(struct dmactl_obj *obj,
				struct dmactl_teardown *td)
{
	td->iovas++;
	td->links += container_of(obj, struct dmactl_iova, obj)->nr_links;
}

/* Shadow state counted against the file: sync bitmap, link records. */
static int dmactl_iova_charge(struct dmactl_iova *iova, u64 bytes)
{
	int ret = dmactl_charge(iova->obj.ctx, DMACTL_LIMIT_SHADOW_BYTES, bytes);

	if (!ret)
		iova->shadow_charged += bytes;
	return ret;
}

static void dmactl_iova_uncharge(struct dmactl_iova *iova, u64 bytes)
{
	dmactl_uncharge(iova->obj.ctx, DMACTL_LIMIT_SHADOW_BYTES, bytes);
	iova->shadow_charged -= bytes;
}

/* The bytes a link record with @nr_runs runs takes. */
static size_t dmactl_link_bytes(unsigned int nr_runs)
{
	return struct_size_t(struct dmactl_link, runs, nr_runs);
}

static void dmactl_iova_free_shadow(struct dmactl_iova *iova)
{
	kvfree(iova->synced);
	iova->synced = NULL;
	mtree_destroy(&iova->links);
	dmactl_iova_uncharge(iova, iova->shadow_charged);
}

static void dmactl_iova_release(struct dmactl_obj *obj)
{
	struct dmactl_iova *iova = container_of(obj, struct dmactl_iova, obj);

	dmactl_target_put(iova->target);
	mutex_destroy(&obj->lock);
	kfree(iova);
}

/* How many links a record holds. */
static unsigned long dmactl_link_count(struct dmactl_link *link)
{
	return div64_u64(link->length, link->unit);
}

/*
 * Forget an unmapped record: its tree entry, its bits, its hold on the
 * buffer.
 */
static void dmactl_link_drop(struct dmactl_iova *iova, struct dmactl_link *link)
{
	unsigned long gs = dmactl_iova_gidx(iova, link->iova_offset);
	unsigned long ge = dmactl_iova_gend(iova, link->iova_offset + link->length);
	unsigned long count = dmactl_link_count(link);
	struct dmactl_buf *buf = link->buf;

	mtree_erase(&iova->links, gs);
	bitmap_clear(iova->synced, gs, ge - gs);
	iova->nr_links -= count;
	iova->nr_records--;
	iova->linked_bytes -= link->length;

	mutex_lock(&buf->obj.lock);
	buf->nr_links -= count;
	mutex_unlock(&buf->obj.lock);
	dmactl_obj_put(&buf->obj);
	dmactl_iova_uncharge(iova, dmactl_link_bytes(link->nr_runs));
	kvfree(link);
	dmactl_count(iova->target, DMACTL_C_LIVE_LINKS, -count);
}

/*
 * Split the record holding the link that starts at @offset, if @offset is
 * inside a record: the links from @offset on become a record of their
 * own, with its own hold on the buffer.  @offset is a link boundary.
 */
static int dmactl_link_split(struct dmactl_iova *iova, u64 offset)
{
	struct dmactl_link *link = dmactl_iova_link_at(iova, offset), *tail;
	u64 end, head;
	int ret;

	if (!link || offset <= link->iova_offset ||
	    offset >= link->iova_offset + link->length)
		return 0;
	end = link->iova_offset + link->length;
	head = offset - link->iova_offset;
	/* Only IOVA-path records hold several links: they have no runs. */
	ret = dmactl_iova_charge(iova, dmactl_link_bytes(0));
	if (ret)
		return ret;
	tail = kmemdup(link, sizeof(*link), GFP_KERNEL_ACCOUNT);
	if (!tail) {
		dmactl_iova_uncharge(iova, dmactl_link_bytes(0));
		return -ENOMEM;
	}
	tail->iova_offset = offset;
	tail->buf_offset += head;
	tail->length = end - offset;
	ret = mtree_store_range(&iova->links, dmactl_iova_gidx(iova, offset),
				dmactl_iova_gend(iova, end) - 1, tail,
				GFP_KERNEL);
	if (ret) {
		kfree(tail);
		dmactl_iova_uncharge(iova, dmactl_link_bytes(0));
		return ret;
	}
	link->length = head;
	refcount_inc(&link->buf->obj.users);
	iova->nr_records++;
	return 0;
}

/*
 * Unmap (if @unmap) and forget the links whose first granule lies in
 * [gs, ge).  The tree changes under the search, so each search starts
 * over at @gs.
 */
static void dmactl_links_remove(struct dmactl_iova *iova, unsigned long gs,
				unsigned long ge, bool unmap)
{
	struct dmactl_link *link;
	unsigned long index = gs;

	while ((link = mt_find(&iova->links, &index, ge - 1))) {
		if (unmap)
			link->ops->unmap(iova, link);
		dmactl_link_drop(iova, link);
		index = gs;
	}
}

/* The end of an object whose IOVA space is given back: drop the shadow. */
static void dmactl_iova_forget(struct dmactl_iova *iova)
{
	if (iova->path)
		dmactl_count(iova->target, DMACTL_C_LIVE_IOVAS, -1);
	iova->path = 0;
	/* A freed state still says "in use" (rule M3): clear it. */
	memset(&iova->state, 0, sizeof(iova->state));
	dmactl_iova_free_shadow(iova);
}

/*
 * Unlink everything and give the IOVA space back, however far
 * dmactl_iova_alloc() got: each link is unlinked with its own recorded
 * direction and attributes, then the space is freed.  What free,
 * release and revocation do.
 */
static void dmactl_iova_kill(struct dmactl_obj *obj)
{
	struct dmactl_iova *iova = container_of(obj, struct dmactl_iova, obj);

	lockdep_assert_held(&obj->lock);
	dmactl_links_remove(iova, 0, iova->nr_granules, true);
	if (iova->path == DMACTL_PATH_IOVA)
		dma_iova_free(iova->target->dev, &iova->state);
	dmactl_iova_forget(iova);
}

const struct dmactl_obj_ops dmactl_iova_ops = {
	.kill = dmactl_iova_kill,
	.release = dmactl_iova_release,
	.account = dmactl_iova_account,
	.busy = dmactl_iova_busy,
	.uses_provider = dmactl_iova_uses_provider,
};

/**
 * dmactl_iova_op_begin() - dmactl_op_begin() for an IOVA object
 * @ucmd: the call
 * @id: the object's ID as the caller gave it
 * @tp: the target, read-locked
 * @iovap: the object, referenced and locked
 *
 * Return: 0, -ENOENT or -ENODEV as dmactl_op_begin().
 */
int dmactl_iova_op_begin(struct dmactl_ucmd *ucmd, u32 id,
			 struct dmactl_target **tp, struct dmactl_iova **iovap)
{
	struct dmactl_obj *obj;
	int ret;

	ret = dmactl_op_begin(ucmd, id, DMACTL_OBJ_IOVA, tp, &obj);
	if (!ret)
		*iovap = container_of(obj, struct dmactl_iova, obj);
	return ret;
}

/**
 * dmactl_iova_op_done() - end an operation begun with dmactl_iova_op_begin()
 * @t: the target
 * @iova: the object
 */
void dmactl_iova_op_done(struct dmactl_target *t, struct dmactl_iova *iova)
{
	dmactl_op_done(t, &iova->obj);
}

/*
 * Set up the shadow state of a new object; the IOVA space comes after.
 * Its sync bitmap grows with the length: charged to the file first, so a
 * length the limits allow never asks the allocator for more than they do.
 */
static int dmactl_iova_init_shadow(struct dmactl_iova *iova, u64 length,
				   u64 granule, u64 first_offset)
{
	size_t bytes;
	int ret;

	mt_init(&iova->links);
	iova->length = length;
	iova->granule = granule;
	iova->first_offset = first_offset;
	iova->nr_granules = DIV_ROUND_UP_ULL(first_offset + length, granule);
	bytes = BITS_TO_LONGS(iova->nr_granules) * sizeof(long);
	ret = dmactl_iova_charge(iova, bytes);
	if (ret)
		return ret;
	iova->synced = kvzalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	return iova->synced ? 0 : -ENOMEM;
}

/*
 * Get IOVA space, or decide on the fallback.  dma_iova_try_alloc() says
 * only yes or no: on a DMA API domain no means the space is exhausted,
 * anywhere else that the API does not apply.
 */
static int dmactl_iova_get_space(struct dmactl_iova *iova, u32 flags)
{
	struct device *dev = iova->target->dev;
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (dma_iova_try_alloc(dev, &iova->state, iova->first_offset,
			       iova->length)) {
		iova->path = DMACTL_PATH_IOVA;
		dmactl_count(iova->target, DMACTL_C_LIVE_IOVAS, 1);
		return 0;
	}
	/* As blk-mq-dma.c does: the state is not to be trusted after no. */
	memset(&iova->state, 0, sizeof(iova->state));
	if (domain && iommu_is_dma_domain(domain))
		return -ENOSPC;
	if (!(flags & DMACTL_IOVA_ALLOW_FALLBACK))
		return -EOPNOTSUPP;
	iova->path = DMACTL_PATH_FALLBACK;
	dmactl_count(iova->target, DMACTL_C_LIVE_IOVAS, 1);
	return 0;
}

/**
 * dmactl_iova_alloc() - DMACTL_IOVA_ALLOC
 * @ucmd: the call; its struct dmactl_iova_alloc is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_alloc(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_alloc *cmd = ucmd->cmd;
	u64 cap = min_t(u64, READ_ONCE(dmactl_max_iova_size), 1ULL << 62);
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	u64 granule;
	int ret;

	if (cmd->flags & ~(DMACTL_IOVA_ALLOW_FALLBACK |
			   DMACTL_IOVA_REQUIRE_COHERENT))
		return -EOPNOTSUPP;
	if (!cmd->length)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M6, -EINVAL);
	if (cmd->length > cap)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M7, -EINVAL);
	ret = dmactl_ctx_target_lock(ucmd->ctx, &t);
	if (ret)
		return ret;
	granule = dmactl_target_granule(t);
	if (cmd->first_offset >= granule) {
		ret = dmactl_reject(t, DMACTL_RULE_M9, -EINVAL);
		goto out_unlock;
	}

	ret = -ENOMEM;
	iova = kzalloc_obj(*iova, GFP_KERNEL);
	if (!iova)
		goto out_unlock;
	dmactl_obj_init(ucmd->ctx, &iova->obj, DMACTL_OBJ_IOVA);
	kref_get(&t->kref);
	iova->target = t;
	iova->require_coherent = cmd->flags & DMACTL_IOVA_REQUIRE_COHERENT;
	ret = dmactl_iova_init_shadow(iova, cmd->length, granule,
				      cmd->first_offset) ?:
	      dmactl_iova_get_space(iova, cmd->flags) ?:
	      dmactl_obj_add(&iova->obj);
	if (ret) {
		dmactl_obj_discard(&iova->obj);
		goto out_unlock;
	}
	dmactl_target_read_unlock(t);

	cmd->out_id = iova->obj.id;
	cmd->out_path = iova->path;
	cmd->out_granule = granule;
	cmd->out_dma_addr = iova->path == DMACTL_PATH_IOVA ? iova->state.addr : 0;
	return dmactl_obj_finalize(ucmd, &iova->obj, sizeof(*cmd));

out_unlock:
	dmactl_target_read_unlock(t);
	return ret;
}

/*
 * Check a LINK request against the shadow state and the buffer, in the
 * errno order of the uapi header.  On success *nr_runs is the number of
 * physically contiguous runs the range consists of, as backend @ops (NULL
 * if there is none) would map it.
 */
static int dmactl_link_check(struct dmactl_iova *iova, struct dmactl_buf *buf,
			     const struct dmactl_link_ops *ops,
			     struct dmactl_iova_link *cmd, unsigned int *nr_runs)
{
	u64 g = iova->granule, pos, run;
	phys_addr_t phys;

	if (cmd->iova_offset &&
	    !IS_ALIGNED(iova->first_offset + cmd->iova_offset, g))
		return dmactl_reject(iova->target, DMACTL_RULE_M9, -EINVAL);
	if (cmd->buf_offset + cmd->length > buf->length)
		return dmactl_reject(iova->target, DMACTL_RULE_M19, -ERANGE);
	phys = dmactl_buf_phys(buf, cmd->buf_offset);
	if (!cmd->iova_offset && (phys & (g - 1)) != iova->first_offset)
		return dmactl_reject(iova->target, DMACTL_RULE_M9, -EINVAL);
	if (cmd->iova_offset && !IS_ALIGNED(phys, g))
		return dmactl_reject(iova->target, DMACTL_RULE_M8, -EINVAL);

	/*
	 * Every run after the first starts on a page boundary of the
	 * buffer; with a granule above the page size it must also start on
	 * a granule, in memory and in IOVA space.
	 */
	*nr_runs = 0;
	for (pos = 0; pos < cmd->length; pos += run) {
		run = dmactl_link_run(ops, iova->target->dev, buf,
				      cmd->buf_offset + pos, cmd->length - pos);
		if (pos && (!IS_ALIGNED(dmactl_buf_phys(buf, cmd->buf_offset + pos), g) ||
			    !IS_ALIGNED(iova->first_offset + cmd->iova_offset + pos, g)))
			return dmactl_reject(iova->target, DMACTL_RULE_M8, -EINVAL);
		(*nr_runs)++;
	}

	if (cmd->iova_offset + cmd->length > iova->length)
		return dmactl_reject(iova->target, DMACTL_RULE_M10, -ERANGE);
	if (!dmactl_iova_range_unlinked(iova, cmd->iova_offset,
					cmd->iova_offset + cmd->length))
		return dmactl_reject(iova->target, DMACTL_RULE_M11, -EEXIST);
	return 0;
}

/*
 * Does a new link continue @prev exactly -- next in IOVA space and in the
 * same buffer, as long as each of @prev's links, with the same direction
 * and attributes, both linked into the IOVA space -- so that @prev's
 * record can hold it too?  Such records keep the shadow state of a large IOVA filled link by
 * link (RDMA ODP, HMM) at a few bytes per GiB instead of one record per
 * link.
 */
static bool dmactl_link_continues(struct dmactl_iova *iova,
				  struct dmactl_link *prev,
				  struct dmactl_buf *buf,
				  struct dmactl_iova_link *cmd,
				  const struct dmactl_link_ops *ops,
				  unsigned long attrs)
{
	return ops->in_iova && prev->ops == ops && prev->buf == buf && prev->udir == cmd->dir &&
	       prev->uattrs == cmd->attrs && prev->attrs == attrs &&
	       prev->unit == cmd->length &&
	       prev->iova_offset + prev->length == cmd->iova_offset &&
	       prev->buf_offset + prev->length == cmd->buf_offset;
}

/*
 * Map the new link and grow @prev's record over it.  On failure nothing
 * is mapped and the record is as it was.
 */
static int dmactl_link_extend(struct dmactl_iova *iova,
			      struct dmactl_link *prev,
			      struct dmactl_iova_link *cmd)
{
	struct dmactl_link piece = *prev;	/* no runs on the IOVA path */
	u64 end = cmd->iova_offset + cmd->length;
	int ret;

	piece.iova_offset = cmd->iova_offset;
	piece.buf_offset = cmd->buf_offset;
	piece.length = cmd->length;
	ret = piece.ops->map(iova, &piece);
	if (ret)
		return ret;
	ret = mtree_store_range(&iova->links,
				dmactl_iova_gidx(iova, prev->iova_offset),
				dmactl_iova_gend(iova, end) - 1, prev,
				GFP_KERNEL);
	if (ret) {
		piece.ops->unmap(iova, &piece);
		return ret;
	}
	prev->length += cmd->length;
	return 0;
}

/**
 * dmactl_iova_link() - DMACTL_IOVA_LINK
 * @ucmd: the call; its struct dmactl_iova_link is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_link(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_link *cmd = ucmd->cmd;
	struct dmactl_link *link = NULL, *prev;
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	struct dmactl_obj *bobj;
	struct dmactl_buf *buf;
	unsigned long gs, ge, attrs;
	unsigned int nr_runs;
	const struct dmactl_link_ops *ops;
	bool charged = false;
	u64 end;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->attrs & ~DMACTL_USER_ATTRS)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M18, -EOPNOTSUPP);
	if (check_add_overflow(cmd->iova_offset, cmd->length, &end) ||
	    check_add_overflow(cmd->buf_offset, cmd->length, &end))
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M10, -EOVERFLOW);
	if (!cmd->length)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M12, -EINVAL);
	if (dmactl_dir(cmd->dir) == DMA_NONE)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M13, -EINVAL);

	ret = dmactl_iova_op_begin(ucmd, cmd->iova_id, &t, &iova);
	if (ret)
		return ret;
	ret = dmactl_op_lookup(ucmd, t, cmd->buf_id, DMACTL_OBJ_BUF, &bobj);
	if (ret)
		goto out_iova;
	buf = container_of(bobj, struct dmactl_buf, obj);
	ops = dmactl_link_ops_pick(iova, buf);
	ret = dmactl_link_check(iova, buf, ops, cmd, &nr_runs);
	if (ret)
		goto out_buf;
	if (!ops) {
		ret = dmactl_reject(t, DMACTL_RULE_M17, -EREMOTEIO);
		goto out_buf;
	}
	attrs = dmactl_kattrs(iova, cmd->attrs) | ops->attrs;
	/*
	 * A copy writes to unlinked IOVA here, or one timed out and may
	 * still write somewhere: a new link could take those writes.
	 */
	if (iova->unlinked_dst || dmactl_iova_busy(&iova->obj)) {
		ret = dmactl_reject(t, DMACTL_RULE_M25, -EBUSY);
		goto out_buf;
	}

	gs = dmactl_iova_gidx(iova, cmd->iova_offset);
	ge = dmactl_iova_gend(iova, cmd->iova_offset + cmd->length);
	/* The record of the granule before, which this link may continue. */
	prev = gs ? mtree_load(&iova->links, gs - 1) : NULL;
	if (prev && dmactl_link_continues(iova, prev, buf, cmd, ops, attrs)) {
		ret = dmactl_link_extend(iova, prev, cmd);
		if (ret)
			goto out_buf;
		goto account;
	}

	/* Fallback records hold a run per contiguous piece: up to 4 MiB. */
	if (ops->in_iova)
		nr_runs = 0;
	ret = dmactl_iova_charge(iova, dmactl_link_bytes(nr_runs));
	if (ret)
		goto out_buf;
	charged = true;
	ret = -ENOMEM;
	link = kvzalloc_flex(*link, runs, nr_runs,
			     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!link)
		goto out_free;
	link->iova_offset = cmd->iova_offset;
	link->length = cmd->length;
	link->unit = cmd->length;
	link->buf = buf;
	link->buf_offset = cmd->buf_offset;
	link->udir = cmd->dir;
	link->uattrs = cmd->attrs;
	link->dir = dmactl_dir(cmd->dir);
	link->attrs = attrs;
	link->ops = ops;

	ret = mtree_insert_range(&iova->links, gs, ge - 1, link, GFP_KERNEL);
	if (ret)
		goto out_free;
	ret = ops->map(iova, link);
	if (ret) {
		mtree_erase(&iova->links, gs);
		goto out_free;
	}
	/* The record keeps the buffer object; dmactl_link_drop() lets it go. */
	refcount_inc(&buf->obj.users);
	iova->nr_records++;
	link = NULL;
	charged = false;

account:
	bitmap_clear(iova->synced, gs, ge - gs);
	iova->nr_links++;
	iova->linked_bytes += cmd->length;
	buf->nr_links++;
	dmactl_count(iova->target, DMACTL_C_LIVE_LINKS, 1);

out_free:
	kvfree(link);
	if (charged)
		dmactl_iova_uncharge(iova, dmactl_link_bytes(nr_runs));
out_buf:
	dmactl_op_put(&buf->obj);
out_iova:
	dmactl_iova_op_done(t, iova);
	return ret;
}

/**
 * dmactl_iova_sync() - DMACTL_IOVA_SYNC
 * @ucmd: the call; its struct dmactl_iova_sync is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_sync(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_sync *cmd = ucmd->cmd;
	unsigned long gs, ge, ls, le, index;
	struct dmactl_link *link;
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	u64 end;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (check_add_overflow(cmd->offset, cmd->length, &end))
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M21, -EOVERFLOW);
	if (!cmd->length)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M21, -EINVAL);
	ret = dmactl_iova_op_begin(ucmd, cmd->iova_id, &t, &iova);
	if (ret)
		return ret;
	if (end > iova->length) {
		ret = dmactl_reject(t, DMACTL_RULE_M21, -ERANGE);
		goto out;
	}
	if (iova->path == DMACTL_PATH_IOVA) {
		ret = dma_iova_sync(t->dev, &iova->state, cmd->offset,
				    cmd->length);
		if (ret)
			goto out;
	}
	/* Mark the linked granules of the range synced, record by record. */
	gs = dmactl_iova_gidx(iova, cmd->offset);
	ge = dmactl_iova_gend(iova, end);
	index = gs;
	mt_for_each(&iova->links, link, index, ge - 1) {
		ls = max(gs, dmactl_iova_gidx(iova, link->iova_offset));
		le = min(ge, dmactl_iova_gend(iova, link->iova_offset +
					      link->length));
		bitmap_set(iova->synced, ls, le - ls);
	}
out:
	dmactl_iova_op_done(t, iova);
	return ret;
}

/* @a modulo @b, for u64 on any architecture. */
static u64 dmactl_rem(u64 a, u64 b)
{
	u64 rem;

	div64_u64_rem(a, b, &rem);
	return rem;
}

/*
 * Check that [offset, end) is exactly a run of whole links, each starting
 * where the one before ends, all with direction @udir and attributes
 * @uattrs.  Within a record the links lie every unit bytes.  No hole is
 * allowed, not even in the unlinked tail of a granule: the kernel's
 * granule-wise unlink (the swiotlb and non-coherent path) walks a range
 * of several links a granule at a time, so every link but the last must
 * end on a granule boundary (dma-api.rst: "the size of all but the last
 * range must be aligned").  On failure *rule is the misuse it would be:
 * M22 nothing linked there, a hole, or a start in a link's unlinked
 * tail; M23 a link split; M24 other direction or attributes.  On success
 * *count is the number of links.
 */
static int dmactl_links_span(struct dmactl_iova *iova, u64 offset, u64 end,
			     u32 udir, u32 uattrs, enum dmactl_rule *rule,
			     unsigned long *count)
{
	struct dmactl_link *link;
	u64 cur = offset, rec_end;

	*count = 0;
	link = dmactl_iova_link_at(iova, offset);
	/* The granule may hold a link that ends before @offset. */
	if (!link || offset >= link->iova_offset + link->length) {
		*rule = DMACTL_RULE_M22;
		return -ENOENT;
	}
	while (true) {
		if (cur < link->iova_offset ||
		    dmactl_rem(cur - link->iova_offset, link->unit)) {
			*rule = DMACTL_RULE_M23;
			return -EINVAL;
		}
		if (link->udir != udir || link->uattrs != uattrs) {
			*rule = DMACTL_RULE_M24;
			return -EINVAL;
		}
		rec_end = link->iova_offset + link->length;
		if (end < rec_end) {
			/* Ends inside the record: on a link boundary? */
			if (dmactl_rem(end - link->iova_offset, link->unit)) {
				*rule = DMACTL_RULE_M23;
				return -EINVAL;
			}
			*count += div64_u64(end - cur, link->unit);
			return 0;
		}
		*count += div64_u64(rec_end - cur, link->unit);
		cur = rec_end;
		if (cur == end)
			return 0;
		/* The next link must start right here, on a granule. */
		link = dmactl_iova_link_at(iova, cur);
		if (!link || link->iova_offset != cur ||
		    !IS_ALIGNED(iova->first_offset + cur, iova->granule)) {
			*rule = DMACTL_RULE_M22;
			return -EINVAL;
		}
	}
}

/**
 * dmactl_iova_unlink() - DMACTL_IOVA_UNLINK
 * @ucmd: the call; its struct dmactl_iova_unlink is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_unlink(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_unlink *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	enum dmactl_rule rule;
	unsigned long count;
	u64 end;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->attrs & ~DMACTL_USER_ATTRS)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M18, -EOPNOTSUPP);
	if (check_add_overflow(cmd->offset, cmd->length, &end))
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M22, -EOVERFLOW);
	if (!cmd->length)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M22, -EINVAL);
	if (dmactl_dir(cmd->dir) == DMA_NONE)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M13, -EINVAL);
	ret = dmactl_iova_op_begin(ucmd, cmd->iova_id, &t, &iova);
	if (ret)
		return ret;
	if (end > iova->length) {
		ret = dmactl_reject(t, DMACTL_RULE_M22, -ERANGE);
		goto out;
	}
	ret = dmactl_links_span(iova, cmd->offset, end, cmd->dir, cmd->attrs,
				&rule, &count);
	if (ret) {
		ret = dmactl_reject(t, rule, ret);
		goto out;
	}
	if (dmactl_iova_dma_busy(iova)) {
		ret = dmactl_reject(t, DMACTL_RULE_M25, -EBUSY);
		goto out;
	}
	/* Records reaching past either end give those links up first. */
	ret = dmactl_link_split(iova, cmd->offset) ?:
	      dmactl_link_split(iova, end);
	if (ret)
		goto out;
	dmactl_links_remove(iova, dmactl_iova_gidx(iova, cmd->offset),
			    dmactl_iova_gend(iova, end), true);
out:
	dmactl_iova_op_done(t, iova);
	return ret;
}

/**
 * dmactl_iova_free() - DMACTL_IOVA_FREE
 * @ucmd: the call; its struct dmactl_iova_free is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_free(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_free *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	ret = dmactl_iova_op_begin(ucmd, cmd->iova_id, &t, &iova);
	if (ret)
		return ret;
	if (iova->nr_links) {
		ret = dmactl_reject(t, DMACTL_RULE_M28, -EBUSY);
	} else if (dmactl_iova_dma_busy(iova)) {
		ret = dmactl_reject(t, DMACTL_RULE_M25, -EBUSY);
	} else {
		dmactl_iova_kill(&iova->obj);
		dmactl_obj_remove(&iova->obj);
	}
	dmactl_iova_op_done(t, iova);
	return ret;
}

/*
 * Can dma_iova_destroy() take the links down in one call?  Only if every
 * one was mapped into the IOVA with the same kernel attributes: the
 * caller's attributes may agree where the module's do not (DMA_ATTR_MMIO
 * on P2P links among RAM ones, rule M27), and bus-address links map
 * nothing to unlink.  *kattrs: the attributes they share.
 */
static bool dmactl_links_uniform(struct dmactl_iova *iova,
				 unsigned long *kattrs)
{
	struct dmactl_link *link;
	unsigned long index = 0;
	bool first = true;

	mt_for_each(&iova->links, link, index, ULONG_MAX) {
		if (!link->ops->in_iova || (!first && link->attrs != *kattrs))
			return false;
		*kattrs = link->attrs;
		first = false;
	}
	return true;
}

/**
 * dmactl_iova_destroy() - DMACTL_IOVA_DESTROY
 * @ucmd: the call; its struct dmactl_iova_destroy is documented in the uapi
 *
 * dma_iova_destroy() unlinks [0, mapped_len) with one direction and one set
 * of attributes, then frees: only a state whose links tile exactly that
 * range, uniformly, may go this way (rules M26, M27).
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_destroy(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_destroy *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	unsigned long count = 0, kattrs;
	enum dmactl_rule rule;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->attrs & ~DMACTL_USER_ATTRS)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M18, -EOPNOTSUPP);
	if (dmactl_dir(cmd->dir) == DMA_NONE)
		return dmactl_reject(dmactl_ctx_target(ucmd->ctx), DMACTL_RULE_M13, -EINVAL);
	ret = dmactl_iova_op_begin(ucmd, cmd->iova_id, &t, &iova);
	if (ret)
		return ret;
	if (cmd->mapped_len > iova->length) {
		ret = dmactl_reject(t, DMACTL_RULE_M26, -ERANGE);
		goto out;
	}
	if (cmd->mapped_len) {
		ret = dmactl_links_span(iova, 0, cmd->mapped_len, cmd->dir,
					cmd->attrs, &rule, &count);
		if (ret) {
			/* One direction and attrs for all, or holes (M26). */
			ret = rule == DMACTL_RULE_M24 ?
			      dmactl_reject(t, DMACTL_RULE_M27, -EINVAL) :
			      dmactl_reject(t, DMACTL_RULE_M26, -EINVAL);
			goto out;
		}
	}
	if (count != iova->nr_links) {
		ret = dmactl_reject(t, DMACTL_RULE_M26, -EINVAL);
		goto out;
	}
	if (dmactl_iova_dma_busy(iova)) {
		ret = dmactl_reject(t, DMACTL_RULE_M25, -EBUSY);
		goto out;
	}

	if (iova->path == DMACTL_PATH_IOVA && cmd->mapped_len &&
	    dmactl_links_uniform(iova, &kattrs)) {
		/* The kernel unlinks and frees in one call. */
		dma_iova_destroy(t->dev, &iova->state, cmd->mapped_len,
				 dmactl_dir(cmd->dir), kattrs);
		dmactl_links_remove(iova, 0, iova->nr_granules, false);
		dmactl_iova_forget(iova);
	} else {
		dmactl_iova_kill(&iova->obj);
	}
	dmactl_obj_remove(&iova->obj);
out:
	dmactl_iova_op_done(t, iova);
	return ret;
}

/* Describe the link of @link at IOVA offset @off, one unit long. */
static void dmactl_link_info_fill(struct dmactl_iova *iova,
				  struct dmactl_link *link, u64 off,
				  struct dmactl_link_info *info)
{
	unsigned long gs = dmactl_iova_gidx(iova, off);
	unsigned long ge = dmactl_iova_gend(iova, off + link->unit);

	memset(info, 0, sizeof(*info));
	info->iova_offset = off;
	info->length = link->unit;
	info->buf_offset = link->buf_offset + off - link->iova_offset;
	info->dma_addr = link->ops->dma_addr(iova, link, off, NULL);
	info->buf_id = link->buf->obj.id;
	info->dir = link->udir;
	info->attrs = link->uattrs;
	if (find_next_zero_bit(iova->synced, ge, gs) >= ge)
		info->flags |= DMACTL_LINK_SYNCED;
	if (link->swiotlb)
		info->flags |= DMACTL_LINK_SWIOTLB;
	info->flags |= link->ops->query_flags;
}

/*
 * Fill the reply and up to @n link descriptions in @info, every link of
 * the record in IOVA order.
 */
static void dmactl_iova_describe(struct dmactl_iova *iova,
				 struct dmactl_iova_query *cmd,
				 struct dmactl_link_info *info, u32 n)
{
	struct dmactl_link *link;
	unsigned long index = 0;
	u32 i = 0;
	u64 pos;

	cmd->out_path = iova->path;
	cmd->out_length = iova->length;
	cmd->out_granule = iova->granule;
	cmd->out_first_offset = iova->first_offset;
	cmd->out_dma_addr = iova->path == DMACTL_PATH_IOVA ? iova->state.addr : 0;
	cmd->out_linked_bytes = iova->linked_bytes;
	cmd->out_synced_bytes = (u64)bitmap_weight(iova->synced, iova->nr_granules) *
				iova->granule;
	cmd->out_nr_links = iova->nr_links;
	cmd->out_nr_records = iova->nr_records;
	cmd->out_flags = 0;
	cmd->out_shadow_bytes = iova->shadow_charged;
	mt_for_each(&iova->links, link, index, ULONG_MAX) {
		if (link->swiotlb)
			cmd->out_flags |= DMACTL_LINK_SWIOTLB;
		for (pos = 0; pos < link->length && i < n; pos += link->unit)
			dmactl_link_info_fill(iova, link, link->iova_offset + pos,
					      &info[i++]);
	}
}

/**
 * dmactl_iova_query() - DMACTL_IOVA_QUERY
 * @ucmd: the call; its struct dmactl_iova_query is documented in the uapi
 *
 * The links are described into a kernel buffer under the object's lock
 * and copied out after every lock is dropped: a caller's memory that
 * faults slowly must not hold up revocation.
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_query(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_query *cmd = ucmd->cmd;
	struct dmactl_link_info *info = NULL;
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	u32 n = 0;
	int ret;

	if (cmd->flags || cmd->__reserved || cmd->__reserved2)
		return -EOPNOTSUPP;
	ret = dmactl_iova_op_begin(ucmd, cmd->iova_id, &t, &iova);
	if (ret)
		return ret;
	n = min_t(u64, cmd->nr_links, iova->nr_links);
	if (n) {
		info = kvcalloc(n, sizeof(*info),
				GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!info) {
			ret = -ENOMEM;
			goto out;
		}
	}
	dmactl_iova_describe(iova, cmd, info, n);
out:
	dmactl_iova_op_done(t, iova);
	if (!ret && n &&
	    copy_to_user(u64_to_user_ptr(cmd->links_uptr), info,
			 array_size(n, sizeof(*info))))
		ret = -EFAULT;
	kvfree(info);
	return ret ?: dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}
