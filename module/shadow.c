// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the shadow state of an IOVA object.
 *
 * dma_iova_link() and friends check almost nothing, so iova.c checks
 * every request against a shadow of the state first: the granule, the
 * offset of IOVA byte 0 in its granule, a per-granule synced bitmap, and
 * link records {offset, length, buffer, direction, attributes, backend}
 * in a maple tree by granule.  This file owns that state: making and
 * freeing it, charging it to the file, the records' life (insert, grow,
 * split, drop) with their holds on buffers and the live-link counts, and
 * the questions LINK, SYNC, UNLINK, DESTROY, QUERY and COPY ask of it.
 *
 * A link that exactly continues the one before in the IOVA space shares
 * its record, so a GiB of IOVA filled page by page costs 32 KiB of bitmap
 * and a few records, not one record per page.
 *
 * Context: every function here runs under the object's lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/maple_tree.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "dmactl_private.h"

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

/**
 * dmactl_iova_gend() - one past the last granule a range touches
 * @iova: the object
 * @end: end of the range, bytes from IOVA byte 0, past its start
 *
 * Return: the index of the granule after the one holding byte @end - 1.
 */
unsigned long dmactl_iova_gend(struct dmactl_iova *iova, u64 end)
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

/**
 * dmactl_shadow_charge() - count shadow state against the file
 * @iova: the object
 * @bytes: of sync bitmap or link records
 *
 * Return: 0, or -EDQUOT past the file's max_shadow_bytes (counted under
 * the rule "limit").
 */
int dmactl_shadow_charge(struct dmactl_iova *iova, u64 bytes)
{
	int ret = dmactl_charge(iova->obj.ctx, DMACTL_LIMIT_SHADOW_BYTES, bytes);

	if (!ret)
		iova->shadow_charged += bytes;
	return ret;
}

/**
 * dmactl_shadow_uncharge() - give back what dmactl_shadow_charge() took
 * @iova: the object
 * @bytes: as charged
 */
void dmactl_shadow_uncharge(struct dmactl_iova *iova, u64 bytes)
{
	dmactl_uncharge(iova->obj.ctx, DMACTL_LIMIT_SHADOW_BYTES, bytes);
	iova->shadow_charged -= bytes;
}

/**
 * dmactl_link_bytes() - the size of a link record
 * @nr_runs: its runs (0 for a backend that links into the IOVA space)
 *
 * Return: bytes, as charged to the file.
 */
size_t dmactl_link_bytes(unsigned int nr_runs)
{
	return struct_size_t(struct dmactl_link, runs, nr_runs);
}

/**
 * dmactl_shadow_free() - free the shadow state, records and all
 * @iova: the object, locked; its links already unmapped and dropped
 *	(dmactl_links_remove())
 */
void dmactl_shadow_free(struct dmactl_iova *iova)
{
	kvfree(iova->synced);
	iova->synced = NULL;
	mtree_destroy(&iova->links);
	dmactl_shadow_uncharge(iova, iova->shadow_charged);
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
	dmactl_shadow_uncharge(iova, dmactl_link_bytes(link->nr_runs));
	kvfree(link);
	dmactl_count(iova->target, DMACTL_C_LIVE_LINKS, -count);
}

/**
 * dmactl_link_split() - cut a record at a link boundary
 * @iova: the object, locked
 * @offset: IOVA offset, bytes, on a boundary between two links of one
 *	record (dmactl_links_span() checked that)
 *
 * If @offset is inside a record, the links from @offset on become a
 * record of their own, with its own hold on the buffer, so that UNLINK
 * can take whole records.
 *
 * Return: 0 (also when there is nothing to split); -EDQUOT when the new
 * record is past the file's shadow limit; -ENOMEM.
 */
int dmactl_link_split(struct dmactl_iova *iova, u64 offset)
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
	ret = dmactl_shadow_charge(iova, dmactl_link_bytes(0));
	if (ret)
		return ret;
	tail = kmemdup(link, sizeof(*link), GFP_KERNEL_ACCOUNT);
	if (!tail) {
		dmactl_shadow_uncharge(iova, dmactl_link_bytes(0));
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
		dmactl_shadow_uncharge(iova, dmactl_link_bytes(0));
		return ret;
	}
	link->length = head;
	refcount_inc(&link->buf->obj.users);
	iova->nr_records++;
	return 0;
}

/**
 * dmactl_links_remove() - unmap and forget the records of a range
 * @iova: the object, locked
 * @gs: first granule index
 * @ge: one past the last
 * @unmap: unmap each with its backend first; false when the kernel took
 *	the links down already (dma_iova_destroy())
 *
 * Takes every record whose first granule lies in [@gs, @ge); each drops
 * its hold on its buffer and its charge.  The tree changes under the
 * search, so each search starts over at @gs.
 */
void dmactl_links_remove(struct dmactl_iova *iova, unsigned long gs,
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

/**
 * dmactl_shadow_init() - set up the shadow state of a new object
 * @iova: the object, zeroed but for its header and target
 * @length: its IOVA space, bytes, not 0
 * @granule: bytes, a power of two
 * @first_offset: offset of IOVA byte 0 in its granule, below @granule
 *
 * The IOVA space comes after.  The sync bitmap grows with the length: it
 * is charged to the file first, so a length the limits allow never asks
 * the allocator for more than they do.  Undone by dmactl_shadow_free(),
 * also after a failure.
 *
 * Return: 0; -EDQUOT past the file's shadow limit; -ENOMEM.
 */
int dmactl_shadow_init(struct dmactl_iova *iova, u64 length, u64 granule,
		       u64 first_offset)
{
	size_t bytes;
	int ret;

	mt_init(&iova->links);
	iova->length = length;
	iova->granule = granule;
	iova->first_offset = first_offset;
	iova->nr_granules = DIV_ROUND_UP_ULL(first_offset + length, granule);
	bytes = BITS_TO_LONGS(iova->nr_granules) * sizeof(long);
	ret = dmactl_shadow_charge(iova, bytes);
	if (ret)
		return ret;
	iova->synced = kvzalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	return iova->synced ? 0 : -ENOMEM;
}

/* @a modulo @b, for u64 on any architecture. */
static u64 dmactl_rem(u64 a, u64 b)
{
	u64 rem;

	div64_u64_rem(a, b, &rem);
	return rem;
}

/**
 * dmactl_links_span() - is a range exactly a row of whole links?
 * @iova: the object, locked
 * @offset: start, bytes
 * @end: end, bytes, past @offset and within the space
 * @udir: the direction each link must have, enum dmactl_dir
 * @uattrs: the DMACTL_ATTR_* each link must have
 * @rule: on failure, the misuse it would be: M22 nothing linked there, a
 *	hole, or a start in a link's unlinked tail; M23 a link split; M24
 *	other direction or attributes
 * @count: on success, the number of links
 *
 * What UNLINK and DESTROY take must be [@offset, @end) exactly: whole
 * links, each starting where the one before ends.  Within a record the
 * links lie every unit bytes.  No hole is allowed, not even in the
 * unlinked tail of a granule: the kernel's granule-wise unlink (the
 * swiotlb and non-coherent path) walks a range of several links a
 * granule at a time, so every link but the last must end on a granule
 * boundary (dma-api.rst: "the size of all but the last range must be
 * aligned").
 *
 * Return: 0; -ENOENT when nothing is linked at @offset; -EINVAL for any
 * other mismatch.
 */
int dmactl_links_span(struct dmactl_iova *iova, u64 offset, u64 end,
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
 * dmactl_links_uniform() - can dma_iova_destroy() take every link down
 *	in one call?
 * @iova: the object, locked
 * @kattrs: set to the DMA_ATTR_* the links share
 *
 * Only if every one was linked into the IOVA space with the same kernel
 * attributes: the caller's attributes may agree where the module's do not
 * (DMA_ATTR_MMIO on P2P links among RAM ones, rule M27), and bus-address
 * links map nothing to unlink.
 *
 * Return: true if so (also with no links at all).
 */
bool dmactl_links_uniform(struct dmactl_iova *iova, unsigned long *kattrs)
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

/* Describe the link of @link at IOVA offset @off, one unit long. */
static void dmactl_link_info_fill(struct dmactl_iova *iova,
				  struct dmactl_link *link, u64 off,
				  struct dmactl_link_info *info)
{
	memset(info, 0, sizeof(*info));
	info->iova_offset = off;
	info->length = link->unit;
	info->buf_offset = link->buf_offset + off - link->iova_offset;
	info->dma_addr = link->ops->dma_addr(iova, link, off, NULL);
	info->buf_id = link->buf->obj.id;
	info->dir = link->udir;
	info->attrs = link->uattrs;
	if (dmactl_iova_range_synced(iova, off, off + link->unit))
		info->flags |= DMACTL_LINK_SYNCED;
	if (link->swiotlb)
		info->flags |= DMACTL_LINK_SWIOTLB;
	info->flags |= link->ops->query_flags;
}

/**
 * dmactl_shadow_describe() - what QUERY says of the shadow state
 * @iova: the object, locked
 * @cmd: the reply; its shadow fields are filled in
 * @info: room for @n link descriptions
 * @n: how many to fill: each link of each record, in IOVA order
 */
void dmactl_shadow_describe(struct dmactl_iova *iova,
			    struct dmactl_iova_query *cmd,
			    struct dmactl_link_info *info, u32 n)
{
	struct dmactl_link *link;
	unsigned long index = 0;
	u32 i = 0;
	u64 pos;

	cmd->out_length = iova->length;
	cmd->out_granule = iova->granule;
	cmd->out_first_offset = iova->first_offset;
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
 * dmactl_link_insert() - put a new record in the tree
 * @iova: the object, locked
 * @link: the record, over granules no record touches (LINK checked)
 *
 * Before it is mapped, so that a failure here has nothing to undo; undone
 * by dmactl_link_erase() if the mapping then fails.
 *
 * Return: 0 or -ENOMEM.
 */
int dmactl_link_insert(struct dmactl_iova *iova, struct dmactl_link *link)
{
	return mtree_insert_range(&iova->links,
				  dmactl_iova_gidx(iova, link->iova_offset),
				  dmactl_iova_gend(iova, link->iova_offset +
						   link->length) - 1,
				  link, GFP_KERNEL);
}

/**
 * dmactl_link_erase() - take a record that never got mapped out again
 * @iova: the object, locked
 * @link: the record dmactl_link_insert() put in; the caller frees it
 */
void dmactl_link_erase(struct dmactl_iova *iova, struct dmactl_link *link)
{
	mtree_erase(&iova->links, dmactl_iova_gidx(iova, link->iova_offset));
}

/**
 * dmactl_link_hold() - a new record is in and mapped: it keeps its buffer
 * @iova: the object, locked
 * @link: the record; dmactl_link_drop() lets the buffer go
 */
void dmactl_link_hold(struct dmactl_iova *iova, struct dmactl_link *link)
{
	refcount_inc(&link->buf->obj.users);
	iova->nr_records++;
}

/**
 * dmactl_link_grow() - stretch a record's tree entry over a link that
 *	continues it
 * @iova: the object, locked
 * @prev: the record
 * @length: bytes of the new link, which starts where @prev ends
 *
 * On success @prev holds the link too; on failure it is as it was.
 *
 * Return: 0 or -ENOMEM.
 */
int dmactl_link_grow(struct dmactl_iova *iova, struct dmactl_link *prev,
		     u64 length)
{
	u64 end = prev->iova_offset + prev->length + length;
	int ret;

	ret = mtree_store_range(&iova->links,
				dmactl_iova_gidx(iova, prev->iova_offset),
				dmactl_iova_gend(iova, end) - 1, prev,
				GFP_KERNEL);
	if (!ret)
		prev->length += length;
	return ret;
}

/**
 * dmactl_link_added() - count a new link, in a new record or a grown one
 * @iova: the object, locked
 * @buf: its buffer, locked
 * @offset: its IOVA offset, bytes
 * @length: bytes
 *
 * Its granules are not synced yet (rule M20); the buffer cannot be freed
 * while it has links.
 */
void dmactl_link_added(struct dmactl_iova *iova, struct dmactl_buf *buf,
		       u64 offset, u64 length)
{
	unsigned long gs = dmactl_iova_gidx(iova, offset);
	unsigned long ge = dmactl_iova_gend(iova, offset + length);

	bitmap_clear(iova->synced, gs, ge - gs);
	iova->nr_links++;
	iova->linked_bytes += length;
	buf->nr_links++;
	dmactl_count(iova->target, DMACTL_C_LIVE_LINKS, 1);
}

/**
 * dmactl_shadow_mark_synced() - SYNC reached a range
 * @iova: the object, locked
 * @offset: start, bytes
 * @end: end, bytes, past @offset and within the space
 *
 * Marks the linked granules of the range synced, record by record;
 * unlinked ones stay as they are.
 */
void dmactl_shadow_mark_synced(struct dmactl_iova *iova, u64 offset, u64 end)
{
	unsigned long gs = dmactl_iova_gidx(iova, offset);
	unsigned long ge = dmactl_iova_gend(iova, end);
	unsigned long ls, le, index = gs;
	struct dmactl_link *link;

	mt_for_each(&iova->links, link, index, ge - 1) {
		ls = max(gs, dmactl_iova_gidx(iova, link->iova_offset));
		le = min(ge, dmactl_iova_gend(iova, link->iova_offset +
					      link->length));
		bitmap_set(iova->synced, ls, le - ls);
	}
}

/**
 * dmactl_links_use_provider() - does any link map memory of a provider?
 * @iova: the object, locked
 * @pdev: the provider
 *
 * Return: true if a link's buffer is P2P memory of @pdev.
 */
bool dmactl_links_use_provider(struct dmactl_iova *iova, struct pci_dev *pdev)
{
	struct dmactl_link *link;
	unsigned long index = 0;

	mt_for_each(&iova->links, link, index, ULONG_MAX)
		if (link->buf->provider == pdev)
			return true;
	return false;
}
