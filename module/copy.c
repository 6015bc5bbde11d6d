// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the copy op -- the attached device's DMA engine moves data from
 * one mapping to another, and the module compares what arrived.
 *
 * A translation that looks right proves little until a device has moved
 * data through it.  The copy is planned under the IOVA objects' locks
 * (every byte linked, in the right direction, synced: rule M20), the
 * objects are marked busy (unlink, free and destroy give EBUSY, rule
 * M25), and the locks are dropped while the engine runs.  Streaming
 * mappings are synced for the device before and for the CPU after, as a
 * driver does.  Then the destination is compared with the source, and
 * the bytes on both sides of the destination -- which the device must
 * not touch -- with what they held before.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "dmactl_private.h"

#define DMACTL_COPY_MAX_LENGTH	SZ_64M
#define DMACTL_COPY_GUARD	256
#define DMACTL_COPY_TIMEOUT_MS	10000
#define DMACTL_COPY_MAX_TIMEOUT_MS 60000

/**
 * struct dmactl_copy_seg - a piece of a copy with consecutive device
 *	addresses on both sides
 * @src: source device address
 * @dst: destination device address
 * @len: bytes
 * @slink: the source's link
 * @dlink: the destination's link; NULL for unlinked IOVA
 * @sboff: offset of the piece in @slink's buffer, bytes
 * @dboff: offset of the piece in @dlink's buffer, bytes
 */
struct dmactl_copy_seg {
	dma_addr_t src;
	dma_addr_t dst;
	u64 len;
	struct dmactl_link *slink;
	struct dmactl_link *dlink;
	u64 sboff;
	u64 dboff;
};

/**
 * struct dmactl_copy_plan - a checked copy
 * @src: the source IOVA object
 * @dst: the destination IOVA object (may be @src)
 * @segs: the pieces, in order
 * @nr_segs: entries in @segs
 */
struct dmactl_copy_plan {
	struct dmactl_iova *src;
	struct dmactl_iova *dst;
	struct dmactl_copy_seg *segs;
	unsigned long nr_segs;
};

/* The link that holds the byte at @off itself (not a granule's tail). */
static struct dmactl_link *dmactl_copy_link(struct dmactl_iova *iova, u64 off)
{
	struct dmactl_link *link = dmactl_iova_link_at(iova, off);

	if (link && off >= link->iova_offset &&
	    off < link->iova_offset + link->length)
		return link;
	return NULL;
}

static bool dmactl_dir_reads(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool dmactl_dir_writes(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/* Are [a, a + alen) and [b, b + blen) of one buffer overlapping? */
static bool dmactl_overlap(struct dmactl_buf *ab, u64 a, u64 alen,
			   struct dmactl_buf *bb, u64 b, u64 blen)
{
	return ab == bb && a < b + blen && b < a + alen;
}

/*
 * Plan the piece of a copy at byte @pos: both sides linked in the right
 * direction (or the destination unlinked IOVA, @unlinked), as long as
 * both have consecutive device addresses, no longer than a transfer and
 * within a page of memory on both sides, its memory not overlapping.
 */
static int dmactl_copy_seg_plan(struct dmactl_copy *cmd, struct dmactl_engine *e,
				struct dmactl_copy_plan *plan, u64 pos,
				bool unlinked)
{
	struct dmactl_iova *src = plan->src, *dst = plan->dst;
	struct dmactl_copy_seg *seg = &plan->segs[plan->nr_segs];
	u64 soff = cmd->src_offset + pos, doff = cmd->dst_offset + pos;
	u64 scont, dcont, len;

	seg->slink = dmactl_copy_link(src, soff);
	if (!seg->slink)
		return -ENOENT;
	if (!dmactl_dir_reads(seg->slink->dir))
		return dmactl_reject(src->target, DMACTL_RULE_COPY_DIR, -EINVAL);
	seg->src = seg->slink->ops->dma_addr(src, seg->slink, soff, &scont);
	seg->sboff = seg->slink->buf_offset + soff - seg->slink->iova_offset;
	if (unlinked) {
		seg->dst = dst->state.addr + doff;
		dcont = cmd->length - pos;
	} else {
		seg->dlink = dmactl_copy_link(dst, doff);
		if (!seg->dlink)
			return -ENOENT;
		if (!dmactl_dir_writes(seg->dlink->dir))
			return dmactl_reject(src->target, DMACTL_RULE_COPY_DIR,
					     -EINVAL);
		seg->dst = seg->dlink->ops->dma_addr(dst, seg->dlink, doff,
						     &dcont);
		seg->dboff = seg->dlink->buf_offset + doff -
			     seg->dlink->iova_offset;
	}
	len = min3(scont, dcont, cmd->length - pos);
	len = min_t(u64, len, e->max_transfer);
	/* Keep pieces within a page of memory on both sides. */
	len = min_t(u64, len, PAGE_SIZE - offset_in_page(seg->sboff));
	if (seg->dlink)
		len = min_t(u64, len, PAGE_SIZE - offset_in_page(seg->dboff));
	seg->len = len;
	if (seg->dlink &&
	    dmactl_overlap(seg->slink->buf, seg->sboff, len,
			   seg->dlink->buf, seg->dboff, len))
		return -EINVAL;
	plan->nr_segs++;
	return 0;
}

/*
 * Check the request against both objects' shadow state and cut it into
 * pieces no longer than the engine's transfers.
 */
static int dmactl_copy_plan(struct dmactl_copy *cmd, struct dmactl_engine *e,
			    struct dmactl_copy_plan *plan)
{
	struct dmactl_iova *src = plan->src, *dst = plan->dst;
	bool unlinked = cmd->flags & DMACTL_COPY_DST_UNLINKED;
	unsigned long max_segs;
	u64 pos;
	int ret;

	if (cmd->src_offset + cmd->length > src->length ||
	    cmd->dst_offset + cmd->length > dst->length)
		return -ERANGE;
	if (unlinked) {
		if (dst->path != DMACTL_PATH_IOVA)
			return -EOPNOTSUPP;
		if (!dmactl_iova_range_unlinked(dst, cmd->dst_offset,
						cmd->dst_offset + cmd->length))
			return -ENOENT;
	}
	/* A piece ends at a page end on either side or a transfer's end. */
	max_segs = 2 * (cmd->length >> PAGE_SHIFT) + 2 +
		   div64_u64(cmd->length, e->max_transfer);
	plan->segs = kvcalloc(max_segs, sizeof(*plan->segs),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!plan->segs)
		return -ENOMEM;

	for (pos = 0; pos < cmd->length;
	     pos += plan->segs[plan->nr_segs - 1].len) {
		if (plan->nr_segs == max_segs)
			return -EINVAL;
		ret = dmactl_copy_seg_plan(cmd, e, plan, pos, unlinked);
		if (ret)
			return ret;
	}
	/* Every byte is linked: now it must also be synced (M20). */
	if (!(cmd->flags & DMACTL_COPY_ALLOW_UNSYNCED) &&
	    (!dmactl_iova_range_synced(src, cmd->src_offset,
				       cmd->src_offset + cmd->length) ||
	     (!unlinked &&
	      !dmactl_iova_range_synced(dst, cmd->dst_offset,
					cmd->dst_offset + cmd->length))))
		return dmactl_reject(src->target, DMACTL_RULE_M20, -EAGAIN);
	return 0;
}

/* Does the memory need syncing by DMA address (a dma_map_phys() run)? */
static bool dmactl_seg_streaming(struct dmactl_link *link)
{
	return link && link->ops->streaming;
}

static void dmactl_copy_sync(struct dmactl_copy_plan *plan, bool for_cpu)
{
	struct device *dev = plan->src->target->dev;
	struct dmactl_copy_seg *seg;
	unsigned long i;

	for (i = 0; i < plan->nr_segs; i++) {
		seg = &plan->segs[i];
		if (!for_cpu && dmactl_seg_streaming(seg->slink))
			dma_sync_single_for_device(dev, seg->src, seg->len,
						   seg->slink->dir);
		if (!dmactl_seg_streaming(seg->dlink))
			continue;
		if (for_cpu)
			dma_sync_single_for_cpu(dev, seg->dst, seg->len,
						seg->dlink->dir);
		else
			dma_sync_single_for_device(dev, seg->dst, seg->len,
						   seg->dlink->dir);
	}
}

/* Copy a buffer range (within one page) out, for the guard check. */
static void dmactl_buf_read(struct dmactl_buf *buf, u64 off, void *to, u64 len)
{
	void *va;

	/* An empty guard may start at the buffer's end: no page there. */
	if (!len)
		return;
	va = kmap_local_page(buf->pages[off >> PAGE_SHIFT]);

	memcpy(to, va + offset_in_page(off), len);
	kunmap_local(va);
}

/**
 * struct dmactl_guard - the bytes on one side of the destination
 * @buf: the buffer they lie in, or NULL if there are none
 * @off: their offset in @buf, bytes
 * @len: bytes, at most DMACTL_COPY_GUARD and within one page
 * @before: what they held before the copy
 */
struct dmactl_guard {
	struct dmactl_buf *buf;
	u64 off;
	u64 len;
	u8 before[DMACTL_COPY_GUARD];
};

/* Take the guards of the destination: before its first and after its last byte. */
static void dmactl_guards_take(struct dmactl_copy_plan *plan,
			       struct dmactl_guard g[2])
{
	struct dmactl_copy_seg *first = &plan->segs[0];
	struct dmactl_copy_seg *last = &plan->segs[plan->nr_segs - 1];
	u64 end;

	g[0].buf = NULL;
	g[1].buf = NULL;
	if (!first->dlink)
		return;
	g[0].len = min_t(u64, DMACTL_COPY_GUARD, offset_in_page(first->dboff));
	g[0].off = first->dboff - g[0].len;
	g[0].buf = first->dlink->buf;
	end = last->dboff + last->len;
	g[1].len = min_t(u64, DMACTL_COPY_GUARD,
			 min_t(u64, last->dlink->buf->length - end,
			       PAGE_SIZE - offset_in_page(end)));
	g[1].off = end;
	g[1].buf = last->dlink->buf;
	dmactl_buf_read(g[0].buf, g[0].off, g[0].before, g[0].len);
	dmactl_buf_read(g[1].buf, g[1].off, g[1].before, g[1].len);
}

static u64 dmactl_guards_damage(struct dmactl_guard g[2])
{
	u8 now[DMACTL_COPY_GUARD];
	u64 bad = 0, i;
	int side;

	for (side = 0; side < 2; side++) {
		if (!g[side].buf)
			continue;
		dmactl_buf_read(g[side].buf, g[side].off, now, g[side].len);
		for (i = 0; i < g[side].len; i++)
			bad += now[i] != g[side].before[i];
	}
	return bad;
}

/* Compare each piece's destination with its source. */
static void dmactl_copy_compare(struct dmactl_copy_plan *plan,
				struct dmactl_copy *cmd)
{
	struct dmactl_copy_seg *seg;
	u64 pos = 0, i;
	unsigned long n;
	u8 *s, *d;

	for (n = 0; n < plan->nr_segs; pos += seg->len, n++) {
		seg = &plan->segs[n];
		s = kmap_local_page(seg->slink->buf->pages[seg->sboff >> PAGE_SHIFT]);
		d = kmap_local_page(seg->dlink->buf->pages[seg->dboff >> PAGE_SHIFT]);
		for (i = 0; i < seg->len; i++) {
			if (s[offset_in_page(seg->sboff) + i] ==
			    d[offset_in_page(seg->dboff) + i])
				continue;
			if (!cmd->out_mismatches)
				cmd->out_first_mismatch = pos + i;
			cmd->out_mismatches++;
		}
		kunmap_local(d);
		kunmap_local(s);
		cond_resched();
	}
}

/*
 * Between two transfers, let a revocation that waits for the target's
 * rwsem in.  Revocation tears down objects a copy has marked busy: it
 * holds the rwsem for writing, so no transfer of the copy is running,
 * and the copy finds out here.
 *
 * Return: 0, or -ENODEV when the device or either object was revoked.
 */
static int dmactl_copy_yield(struct dmactl_target *t,
			     struct dmactl_copy_plan *plan)
{
	/* A revocation under way: no need to take the rwsem back at all. */
	if (READ_ONCE(t->revoking))
		return -ENODEV;
	if (!rwsem_is_contended(&t->rwsem)) {
		cond_resched();
		return 0;
	}
	up_read(&t->rwsem);
	down_read(&t->rwsem);
	/* Only revocation, under the write lock, kills busy objects. */
	if (t->dead || READ_ONCE(plan->src->obj.dead) ||
	    READ_ONCE(plan->dst->obj.dead))
		return -ENODEV;
	return 0;
}

/*
 * Run the engine over every piece, one transfer at a time under the
 * engine's lock.  Between transfers the copy gives way to revocation and
 * stops for a fatal signal, so nobody waits longer than one transfer.
 */
static int dmactl_copy_run(struct dmactl_target *t, struct dmactl_engine *e,
			   struct dmactl_copy_plan *plan,
			   struct dmactl_copy *cmd)
{
	unsigned long timeout = msecs_to_jiffies(cmd->timeout_ms ?:
						 DMACTL_COPY_TIMEOUT_MS);
	struct dmactl_copy_seg *seg;
	unsigned long i;
	u64 start;
	int ret = 0;

	for (i = 0; i < plan->nr_segs; i++) {
		if (i) {
			ret = dmactl_copy_yield(t, plan);
			if (ret)
				return ret;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		seg = &plan->segs[i];
		/* Another copy's transfer: wait for it, giving way meanwhile. */
		while (!mutex_trylock(&e->lock)) {
			ret = dmactl_copy_yield(t, plan);
			if (ret)
				return ret;
			usleep_range(200, 1000);
		}
		if (dmactl_engine_idle(e)) {
			start = ktime_get_ns();
			ret = e->ops->copy(e, seg->dst, seg->src, seg->len,
					   timeout);
			cmd->out_ns += ktime_get_ns() - start;
		} else {
			ret = -EBUSY;	/* an earlier transfer may still run */
		}
		mutex_unlock(&e->lock);
		if (ret)
			return ret;
		cmd->out_transfers++;
	}
	return 0;
}

/* Lock the two objects (one, if the same) in ID order. */
static void dmactl_copy_lock(struct dmactl_copy_plan *plan)
{
	struct dmactl_iova *a = plan->src, *b = plan->dst;

	if (a == b) {
		mutex_lock(&a->obj.lock);
		return;
	}
	if (a->obj.id > b->obj.id)
		swap(a, b);
	mutex_lock(&a->obj.lock);
	mutex_lock_nested(&b->obj.lock, SINGLE_DEPTH_NESTING);
}

static void dmactl_copy_unlock(struct dmactl_copy_plan *plan)
{
	if (plan->src != plan->dst)
		mutex_unlock(&plan->dst->obj.lock);
	mutex_unlock(&plan->src->obj.lock);
}

/* Mark both objects busy (@delta 1) or not (-1); with their locks. */
static void dmactl_copy_busy(struct dmactl_copy_plan *plan, bool unlinked,
			     int delta)
{
	plan->src->inflight += delta;
	if (plan->dst != plan->src)
		plan->dst->inflight += delta;
	if (unlinked)
		plan->dst->unlinked_dst += delta;
	dmactl_count(plan->src->target, DMACTL_C_INFLIGHT, delta);
}

/*
 * The copy is over.  A transfer that timed out and may still run keeps
 * both objects, and so their memory, wedged until the engine is idle.
 */
static void dmactl_copy_end(struct dmactl_copy_plan *plan, bool unlinked,
			    bool wedged)
{
	dmactl_copy_lock(plan);
	dmactl_copy_busy(plan, unlinked, -1);
	if (wedged) {
		plan->src->wedged = true;
		plan->dst->wedged = true;
	}
	dmactl_copy_unlock(plan);
}

static struct dmactl_iova *dmactl_copy_get(struct dmactl_ctx *ctx, u32 id)
{
	struct dmactl_obj *obj = dmactl_obj_get(ctx, id, DMACTL_OBJ_IOVA);

	return obj ? container_of(obj, struct dmactl_iova, obj) : NULL;
}

/* Check the request, mark both objects busy and return the plan. */
static int dmactl_copy_begin(struct dmactl_ucmd *ucmd, struct dmactl_engine *e,
			     struct dmactl_copy_plan *plan)
{
	struct dmactl_copy *cmd = ucmd->cmd;
	int ret;

	plan->src = dmactl_copy_get(ucmd->ctx, cmd->src_iova_id);
	plan->dst = dmactl_copy_get(ucmd->ctx, cmd->dst_iova_id);
	if (!plan->src || !plan->dst)
		return -ENOENT;
	dmactl_copy_lock(plan);
	if (plan->src->obj.dead || plan->dst->obj.dead)
		ret = -ENOENT;
	else
		ret = dmactl_copy_plan(cmd, e, plan);
	if (!ret)
		dmactl_copy_busy(plan, cmd->flags & DMACTL_COPY_DST_UNLINKED, 1);
	dmactl_copy_unlock(plan);
	return ret;
}

static void dmactl_copy_put(struct dmactl_copy_plan *plan)
{
	kvfree(plan->segs);
	if (plan->src)
		dmactl_obj_put(&plan->src->obj);
	if (plan->dst)
		dmactl_obj_put(&plan->dst->obj);
}

/* Events and counters of a copy that ran (the device not revoked). */
static void dmactl_copy_report(struct dmactl_target *t, struct dmactl_ctx *ctx,
			       struct dmactl_copy *cmd, int ret)
{
	bool unlinked = cmd->flags & DMACTL_COPY_DST_UNLINKED;

	if (unlinked)
		dmactl_nl_copy_event(t, ctx, DMACTL_EVENT_TYPE_FAULT_INJECTED,
				     cmd, ret);
	if (ret == -EIO || ret == -ETIMEDOUT ||
	    (!ret && (cmd->out_mismatches || cmd->out_guard_damage)))
		dmactl_nl_copy_event(t, ctx, DMACTL_EVENT_TYPE_DMA_FAULT, cmd,
				     ret);
	if (ret)
		return;
	dmactl_count(t, DMACTL_C_COPIES, 1);
	dmactl_count(t, DMACTL_C_COPIED_BYTES, cmd->length);
	if (unlinked)
		dmactl_count(t, DMACTL_C_UNLINKED_WRITES, 1);
}

/**
 * dmactl_copy() - DMACTL_COPY
 * @ucmd: the call; its struct dmactl_copy is documented in the uapi
 *
 * Context: holds the target's rwsem for reading while the engine works,
 * letting a revocation in between two transfers (dmactl_copy_yield());
 * the objects' locks only while planning and after.  The reply is copied
 * out with no lock held.
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_copy(struct dmactl_ucmd *ucmd)
{
	struct dmactl_copy *cmd = ucmd->cmd;
	bool unlinked = cmd->flags & DMACTL_COPY_DST_UNLINKED;
	struct dmactl_copy_plan plan = {};
	struct dmactl_guard *guards;
	struct dmactl_engine *e;
	struct dmactl_target *t;
	u64 end;
	int ret;

	if (cmd->flags & ~(DMACTL_COPY_ALLOW_UNSYNCED | DMACTL_COPY_DST_UNLINKED))
		return -EOPNOTSUPP;
	if (check_add_overflow(cmd->src_offset, cmd->length, &end) ||
	    check_add_overflow(cmd->dst_offset, cmd->length, &end))
		return -EOVERFLOW;
	if (!cmd->length || cmd->length > DMACTL_COPY_MAX_LENGTH ||
	    cmd->timeout_ms > DMACTL_COPY_MAX_TIMEOUT_MS)
		return -EINVAL;
	ret = dmactl_op_target(ucmd, &t);
	if (ret)
		return ret;
	guards = kmalloc_array(2, sizeof(*guards), GFP_KERNEL);
	e = dmactl_engine_get(t);
	if (!guards)
		ret = -ENOMEM;
	else if (!e)
		ret = -EOPNOTSUPP;
	else
		ret = dmactl_copy_begin(ucmd, e, &plan);
	if (ret)
		goto out;

	cmd->out_engine = e->ops->kind;
	cmd->out_transfers = 0;
	cmd->out_mismatches = 0;
	cmd->out_first_mismatch = ~0ULL;
	cmd->out_guard_damage = 0;
	cmd->out_ns = 0;
	dmactl_guards_take(&plan, guards);
	dmactl_copy_sync(&plan, false);
	ret = dmactl_copy_run(t, e, &plan, cmd);
	if (ret == -ENODEV) {
		/*
		 * Revoked: the device, or one object (its P2P memory's
		 * provider went away).  A dead object's links are gone: only
		 * the busy marks are undone, on the living one too.
		 */
		dmactl_copy_end(&plan, unlinked, false);
		goto out;
	}
	dmactl_copy_sync(&plan, true);
	if (!ret && plan.segs[0].dlink)
		dmactl_copy_compare(&plan, cmd);
	cmd->out_guard_damage = dmactl_guards_damage(guards);
	dmactl_copy_end(&plan, unlinked, !dmactl_engine_idle(e));
	dmactl_copy_report(t, ucmd->ctx, cmd, ret);
out:
	dmactl_copy_put(&plan);
	kfree(guards);
	dmactl_target_read_unlock(t);
	return ret ?: dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}
