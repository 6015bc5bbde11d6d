// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: IOVA objects -- the two-step DMA API's ioctls.
 *
 * dma_iova_link() and friends check almost nothing: a link outside the
 * allocation, over a linked granule, an unlink that splits a link or
 * carries other attributes, a free with live links -- each WARNs, oopses
 * or silently corrupts the IOVA allocator.  So the handlers here check
 * every request, in the errno order of the uapi header, against the
 * object's shadow state (shadow.c) before calling the kernel, and name
 * the misuse rule of the design (M3..M32; the others hold by
 * construction) each rejection prevents.  This file owns the object
 * itself: its IOVA space or the decision to fall back, its life as an
 * object of its file (struct dmactl_obj_ops), and ALLOC, LINK, SYNC,
 * UNLINK, FREE, DESTROY and QUERY.
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
#include <linux/slab.h>

#include "dmactl_private.h"

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

/*
 * Does any link map memory of a provider?  (struct dmactl_obj_ops: P2P
 * revocation.)
 */
static bool dmactl_iova_uses_provider(struct dmactl_obj *obj,
				      struct pci_dev *pdev)
{
	return dmactl_links_use_provider(container_of(obj, struct dmactl_iova,
						      obj), pdev);
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

static void dmactl_iova_release(struct dmactl_obj *obj)
{
	struct dmactl_iova *iova = container_of(obj, struct dmactl_iova, obj);

	dmactl_target_put(iova->target);
	mutex_destroy(&obj->lock);
	kfree(iova);
}

/* The end of an object whose IOVA space is given back: drop the shadow. */
static void dmactl_iova_forget(struct dmactl_iova *iova)
{
	if (iova->path)
		dmactl_count(iova->target, DMACTL_C_LIVE_IOVAS, -1);
	iova->path = 0;
	/* A freed state still says "in use" (rule M3): clear it. */
	memset(&iova->state, 0, sizeof(iova->state));
	dmactl_shadow_free(iova);
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
 * Get IOVA space, or decide on the fallback.  dma_iova_try_alloc() says
 * only yes or no: on a DMA API domain no means the space is exhausted,
 * anywhere else that the API does not apply.  In classic mode (a kernel
 * without the API, compat.h) it is not asked: the API does not apply.
 */
static int dmactl_iova_get_space(struct dmactl_iova *iova, u32 flags)
{
	struct device *dev = iova->target->dev;
	bool usable = dmactl_iova_usable(dev);

	if (usable && dma_iova_try_alloc(dev, &iova->state, iova->first_offset,
					 iova->length)) {
		iova->path = DMACTL_PATH_IOVA;
		dmactl_count(iova->target, DMACTL_C_LIVE_IOVAS, 1);
		return 0;
	}
	/* As blk-mq-dma.c does: the state is not to be trusted after no. */
	memset(&iova->state, 0, sizeof(iova->state));
	if (usable)
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
	/* A kernel without the attribute (compat.h) cannot honour it. */
	if ((cmd->flags & DMACTL_IOVA_REQUIRE_COHERENT) &&
	    !DMACTL_KERNEL_REQUIRE_COHERENT)
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
	ret = dmactl_shadow_init(iova, cmd->length, granule,
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

/**
 * struct dmactl_link_plan - how a checked LINK request will be made
 * @ops: the link's backend
 * @attrs: the kernel's DMA_ATTR_* for it
 * @nr_runs: physically contiguous runs of the range, as @ops maps it
 */
struct dmactl_link_plan {
	const struct dmactl_link_ops *ops;
	unsigned long attrs;
	unsigned int nr_runs;
};

/* LINK's checks that need no object, in the errno order of the uapi. */
static int dmactl_link_args_check(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_link *cmd = ucmd->cmd;
	struct dmactl_target *t = dmactl_ctx_target(ucmd->ctx);
	u64 end;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->attrs & ~DMACTL_USER_ATTRS)
		return dmactl_reject(t, DMACTL_RULE_M18, -EOPNOTSUPP);
	if (check_add_overflow(cmd->iova_offset, cmd->length, &end) ||
	    check_add_overflow(cmd->buf_offset, cmd->length, &end))
		return dmactl_reject(t, DMACTL_RULE_M10, -EOVERFLOW);
	if (!cmd->length)
		return dmactl_reject(t, DMACTL_RULE_M12, -EINVAL);
	if (dmactl_dir(cmd->dir) == DMA_NONE)
		return dmactl_reject(t, DMACTL_RULE_M13, -EINVAL);
	return 0;
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
 * Classify and check a LINK request with both objects locked: its
 * backend, the shadow state and the buffer (dmactl_link_check()), P2P
 * memory the device cannot reach (M17), then DMA that a new link could
 * take (M25).
 */
static int dmactl_link_admit(struct dmactl_iova *iova, struct dmactl_buf *buf,
			     struct dmactl_iova_link *cmd,
			     struct dmactl_link_plan *plan)
{
	int ret;

	plan->ops = dmactl_link_ops_pick(iova, buf);
	ret = dmactl_link_check(iova, buf, plan->ops, cmd, &plan->nr_runs);
	if (ret)
		return ret;
	if (!plan->ops)
		return dmactl_reject(iova->target, DMACTL_RULE_M17, -EREMOTEIO);
	plan->attrs = dmactl_kattrs(iova, cmd->attrs) | plan->ops->attrs;
	/*
	 * A copy writes to unlinked IOVA here, or one timed out and may
	 * still write somewhere: a new link could take those writes.
	 */
	if (iova->unlinked_dst || dmactl_iova_busy(&iova->obj))
		return dmactl_reject(iova->target, DMACTL_RULE_M25, -EBUSY);
	return 0;
}

/*
 * Does a new link continue @prev exactly -- next in IOVA space and in the
 * same buffer, as long as each of @prev's links, with the same direction
 * and attributes, both linked into the IOVA space -- so that @prev's
 * record can hold it too?  Such records keep the shadow state of a large
 * IOVA filled link by link (RDMA ODP, HMM) at a few bytes per GiB instead
 * of one record per link.
 */
static bool dmactl_link_continues(struct dmactl_link *prev,
				  struct dmactl_buf *buf,
				  struct dmactl_iova_link *cmd,
				  const struct dmactl_link_plan *plan)
{
	return plan->ops->in_iova && prev->ops == plan->ops &&
	       prev->buf == buf && prev->udir == cmd->dir &&
	       prev->uattrs == cmd->attrs && prev->attrs == plan->attrs &&
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
	struct dmactl_link piece = *prev;	/* no runs in the IOVA space */
	int ret;

	piece.iova_offset = cmd->iova_offset;
	piece.buf_offset = cmd->buf_offset;
	piece.length = cmd->length;
	ret = piece.ops->map(iova, &piece);
	if (ret)
		return ret;
	ret = dmactl_link_grow(iova, prev, cmd->length);
	if (ret)
		piece.ops->unmap(iova, &piece);
	else
		prev->swiotlb |= piece.swiotlb;
	return ret;
}

/*
 * Make a record of its own for the new link, in the tree before it is
 * mapped; on failure nothing of it is left.
 */
static int dmactl_link_new(struct dmactl_iova *iova, struct dmactl_buf *buf,
			   struct dmactl_iova_link *cmd,
			   const struct dmactl_link_plan *plan)
{
	/* Fallback records hold a run per contiguous piece: up to 4 MiB. */
	unsigned int nr_runs = plan->ops->in_iova ? 0 : plan->nr_runs;
	size_t bytes = dmactl_link_bytes(nr_runs);
	struct dmactl_link *link;
	int ret;

	ret = dmactl_shadow_charge(iova, bytes);
	if (ret)
		return ret;
	ret = -ENOMEM;
	link = kvzalloc_flex(*link, runs, nr_runs,
			     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!link)
		goto out_uncharge;
	link->iova_offset = cmd->iova_offset;
	link->length = cmd->length;
	link->unit = cmd->length;
	link->buf = buf;
	link->buf_offset = cmd->buf_offset;
	link->udir = cmd->dir;
	link->uattrs = cmd->attrs;
	link->dir = dmactl_dir(cmd->dir);
	link->attrs = plan->attrs;
	link->ops = plan->ops;

	ret = dmactl_link_insert(iova, link);
	if (ret)
		goto out_free;
	ret = plan->ops->map(iova, link);
	if (ret) {
		dmactl_link_erase(iova, link);
		goto out_free;
	}
	dmactl_link_hold(iova, link);
	return 0;

out_free:
	kvfree(link);
out_uncharge:
	dmactl_shadow_uncharge(iova, bytes);
	return ret;
}

/*
 * Make the link: in the record of the granule before if it continues
 * that one, else in a new record; then count it.
 */
static int dmactl_link_add(struct dmactl_iova *iova, struct dmactl_buf *buf,
			   struct dmactl_iova_link *cmd,
			   const struct dmactl_link_plan *plan)
{
	unsigned long gs = dmactl_iova_gidx(iova, cmd->iova_offset);
	struct dmactl_link *prev = gs ? mtree_load(&iova->links, gs - 1) : NULL;
	int ret;

	if (prev && dmactl_link_continues(prev, buf, cmd, plan))
		ret = dmactl_link_extend(iova, prev, cmd);
	else
		ret = dmactl_link_new(iova, buf, cmd, plan);
	if (!ret)
		dmactl_link_added(iova, buf, cmd->iova_offset, cmd->length);
	return ret;
}

/**
 * dmactl_iova_link() - DMACTL_IOVA_LINK
 * @ucmd: the call; its struct dmactl_iova_link is documented in the uapi
 *
 * Context: the target's rwsem for reading, the IOVA object's lock, then
 * the buffer's.
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_iova_link(struct dmactl_ucmd *ucmd)
{
	struct dmactl_iova_link *cmd = ucmd->cmd;
	struct dmactl_link_plan plan;
	struct dmactl_target *t;
	struct dmactl_iova *iova;
	struct dmactl_obj *bobj;
	struct dmactl_buf *buf;
	int ret;

	ret = dmactl_link_args_check(ucmd);
	if (ret)
		return ret;
	ret = dmactl_iova_op_begin(ucmd, cmd->iova_id, &t, &iova);
	if (ret)
		return ret;
	ret = dmactl_op_lookup(ucmd, t, cmd->buf_id, DMACTL_OBJ_BUF, &bobj);
	if (ret)
		goto out_iova;
	buf = container_of(bobj, struct dmactl_buf, obj);
	ret = dmactl_link_admit(iova, buf, cmd, &plan) ?:
	      dmactl_link_add(iova, buf, cmd, &plan);
	dmactl_op_put(bobj);
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
	dmactl_shadow_mark_synced(iova, cmd->offset, end);
out:
	dmactl_iova_op_done(t, iova);
	return ret;
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
	cmd->out_path = iova->path;
	cmd->out_dma_addr = iova->path == DMACTL_PATH_IOVA ? iova->state.addr : 0;
	dmactl_shadow_describe(iova, cmd, info, n);
out:
	dmactl_iova_op_done(t, iova);
	if (!ret && n &&
	    copy_to_user(u64_to_user_ptr(cmd->links_uptr), info,
			 array_size(n, sizeof(*info))))
		ret = -EFAULT;
	kvfree(info);
	return ret ?: dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}
