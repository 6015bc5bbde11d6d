// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: benchmark runs -- the same I/O shape through each mapping path.
 *
 * A run is an object of its file.  It owns kernel threads, each with its
 * own pages and (in the IOVA modes) its own dma_iova_state, and each
 * repeating one I/O: map (timed), a simulated transfer (spun, not timed),
 * unmap (timed).  A thread keeps its own nanosecond sums and log2
 * histograms, written by it alone and merged only once every thread has
 * ended, so nothing shared is touched between two timestamps: the cost
 * measured is the DMA layer's and the IOMMU's, plus ktime_get_ns().
 *
 * After its last timed I/O each thread maps one more I/O, unmaps it while
 * it still holds the pages, and on a DMA API domain looks every address
 * up in the IOMMU page table: none may still translate to those pages.
 *
 * Threads take no lock of ours, so tearing a run down (free, release,
 * revocation under the target's rwsem) can wait for them with
 * kthread_stop().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "dmactl_private.h"

/*
 * Latency histogram: below 16 ns one bucket per ns; above, 16 linear steps
 * per power of two up to 2^40 ns (18 minutes), so the middle of a bucket
 * is within 1/32 of any value in it.
 */
#define BENCH_SUB_BITS	4
#define BENCH_SUB	BIT(BENCH_SUB_BITS)
#define BENCH_MAX_LOG	40
#define BENCH_BUCKETS	(BENCH_SUB * (BENCH_MAX_LOG - BENCH_SUB_BITS + 1))

enum { BENCH_MAP, BENCH_UNMAP, BENCH_NR_PHASES };

/* tso: header bytes before the payload in the linear part's page. */
#define BENCH_TSO_HDR		128
/* DMACTL_BENCH_UNALIGNED: where tso's fragments start in their pages. */
#define BENCH_TSO_FRAG_OFF	256
/* DMACTL_BENCH_UNALIGNED: blk's request starts and ends a sector in. */
#define BENCH_BLK_SECTOR	512

/* Does @mode reproduce a caller, with ranges of its shape? */
static bool dmactl_bench_is_caller(u32 mode)
{
	return mode >= DMACTL_BENCH_BLK;
}

/* Is @mode one of the three that need a usable IOVA? */
static bool dmactl_bench_needs_iova(u32 mode)
{
	return mode >= DMACTL_BENCH_IOVA && mode <= DMACTL_BENCH_IOVA_SPARSE;
}

/**
 * struct dmactl_bench_phase - one thread's timings of one phase
 * @min: shortest, ns
 * @max: longest, ns
 * @total: sum, ns
 * @hist: count per bucket
 */
struct dmactl_bench_phase {
	u64 min;
	u64 max;
	u64 total;
	u64 hist[BENCH_BUCKETS];
};

/**
 * struct dmactl_bench_range - one range of a caller-shaped I/O
 * @phys: its physical address
 * @off: its offset in the I/O's IOVA (the running offset its caller
 *	links it at)
 * @len: bytes
 * @page: the index of its first page in the thread's pages
 * @order: gpusvm: the order of the folio it is; else 0
 */
struct dmactl_bench_range {
	phys_addr_t phys;
	size_t off;
	u32 len;
	u32 page;
	unsigned int order;
};

/**
 * struct dmactl_bench_thread - one benchmark thread and what it owns
 * @run: the run
 * @task: the kthread, with a task reference held
 * @head: DMACTL_BENCH_CONTIG: the allocation, of order @order
 * @order: DMACTL_BENCH_CONTIG: order of @head
 * @pages: each page of the I/O
 * @page_phys: physical address of each page
 * @sgt: DMACTL_BENCH_SG: one entry per page
 * @addrs: the DMA address of each range: phys, and the fallback and
 *	premapped mappings of the callers' modes
 * @slots: DMACTL_BENCH_IOVA_SPARSE: this I/O's page offsets in the IOVA
 * @used: DMACTL_BENCH_IOVA_SPARSE: slots taken by this I/O
 * @ranges: blk, tso, gpusvm, premapped: the I/O's ranges, in the shape
 *	of the caller the mode reproduces
 * @nr_rng: entries in @ranges
 * @page_range: blk, tso, gpusvm, premapped: the range holding each page
 * @link_upto: ranges the kernel would link, in order, before one it would
 *	refuse (off the granule); @nr_rng when it takes them all
 * @fell_back: the I/O mapped last took the caller's fallback
 *	(dma_map_phys() of each range into @addrs) rather than an IOVA
 * @fallback_ios: I/Os that @fell_back, timed, warm-up and probe
 * @abandoned_links: links tso made before one failed, then destroyed
 * @abandoned_destroys: the dma_iova_destroy() calls that undid them
 * @premapped: premapped: @addrs hold live mappings
 * @state: the I/O's IOVA (iova, blk, tso, gpusvm), or the thread's
 *	(iova-reuse, -sparse)
 * @have_state: @state holds IOVA space the thread must free
 * @ios: timed I/Os done (read while running: written with WRITE_ONCE)
 * @warmup_ios: untimed I/Os done (as @ios, read while running)
 * @start_ns: when the timed part began (0 before; as @ios)
 * @end_ns: when the last timed I/O ended
 * @probed: the probe I/O after the timed ones was mapped, unmapped and
 *	looked up (dmactl_bench_probe())
 * @stale: addresses of the probe that still translated to this thread's
 *	pages
 * @wrong: addresses of the probe that, while mapped, did not translate to
 *	their own page
 * @phase: map and unmap timings
 */
struct dmactl_bench_thread {
	struct dmactl_bench *run;
	struct task_struct *task;
	struct page *head;
	unsigned int order;
	struct page **pages;
	phys_addr_t *page_phys;
	struct sg_table sgt;
	dma_addr_t *addrs;
	u32 *slots;
	unsigned long *used;
	struct dmactl_bench_range *ranges;
	unsigned int nr_rng;
	u32 *page_range;
	unsigned int link_upto;
	bool fell_back;
	u64 fallback_ios;
	u64 abandoned_links;
	u64 abandoned_destroys;
	bool premapped;
	struct dma_iova_state state;
	bool have_state;
	u64 ios;
	u64 warmup_ios;
	u64 start_ns;
	u64 end_ns;
	bool probed;
	u64 stale;
	u64 wrong;
	struct dmactl_bench_phase phase[BENCH_NR_PHASES];
};

/**
 * struct dmactl_bench_ops - what one mode does
 * @map: map the I/O; on failure nothing stays mapped
 * @unmap: unmap it
 * @dma_addr: after @map, the DMA address of page @k of the I/O
 * @release: premapped: unmap for good what thread setup mapped; the
 *	probe then looks up what it released
 */
struct dmactl_bench_ops {
	int (*map)(struct dmactl_bench_thread *th);
	void (*unmap)(struct dmactl_bench_thread *th);
	dma_addr_t (*dma_addr)(struct dmactl_bench_thread *th, unsigned int k);
	void (*release)(struct dmactl_bench_thread *th);
};

/**
 * struct dmactl_bench - a benchmark run
 * @obj: the object header
 * @target: the device, with a target reference held
 * @p: the parameters, as validated
 * @ops: the mode's operations
 * @dir: the kernel's direction
 * @nr_ranges: ranges per I/O: 1 with DMACTL_BENCH_CONTIG, else @p.pages;
 *	for gpusvm, its folios
 * @range_len: bytes per range (phys, sg and the IOVA modes)
 * @io_len: bytes per I/O
 * @granule: the IOVA granule the callers' modes check their ranges
 *	against, bytes
 * @map_calls: mapping calls one I/O makes
 * @unmap_calls: unmapping calls one I/O makes
 * @span: DMACTL_BENCH_IOVA_SPARSE: pages of each thread's IOVA
 * @bookkeeping: bytes per I/O a driver keeps for this mode
 * @check_domain: a DMA API domain to look addresses up in, or NULL
 * @mask_held: the run changed the device's DMA mask
 * @saved_mask: the mask before, to restore
 * @saved_coherent_mask: the coherent mask before
 * @stop: threads stop at their next I/O
 * @error: the first failure, a negative errno (cmpxchg)
 * @running: threads that have not ended
 * @done: completed when @running reaches zero or the run is torn down
 * @nr_threads: entries in @threads
 * @threads: the threads
 * @merged: @res holds the merged results (under the object's lock)
 * @res: the merged results
 * @charged_run: charged to the file's DMACTL_LIMIT_BENCH_RUNS (and
 *	counted in DMACTL_C_LIVE_BENCHES)
 * @charged_threads: threads charged to max_bench_threads
 */
struct dmactl_bench {
	struct dmactl_obj obj;
	struct dmactl_target *target;
	struct dmactl_bench_start p;
	const struct dmactl_bench_ops *ops;
	enum dma_data_direction dir;
	unsigned int nr_ranges;
	size_t range_len;
	size_t io_len;
	u64 granule;
	unsigned int map_calls;
	unsigned int unmap_calls;
	u32 span;
	u32 bookkeeping;
	struct iommu_domain *check_domain;
	bool mask_held;
	u64 saved_mask;
	u64 saved_coherent_mask;
	bool stop;
	int error;
	atomic_t running;
	struct completion done;
	unsigned int nr_threads;
	struct dmactl_bench_thread **threads;
	bool merged;
	struct dmactl_bench_result res;
	bool charged_run;
	u32 charged_threads;
};

/* ---- histograms ---- */

static unsigned int dmactl_bench_bucket(u64 ns)
{
	unsigned int e;

	if (ns < BENCH_SUB)
		return ns;
	ns = min_t(u64, ns, (1ULL << BENCH_MAX_LOG) - 1);
	e = ilog2(ns);
	return (e - BENCH_SUB_BITS + 1) * BENCH_SUB +
	       ((ns >> (e - BENCH_SUB_BITS)) & (BENCH_SUB - 1));
}

/* The middle of a bucket, ns. */
static u64 dmactl_bench_bucket_mid(unsigned int b)
{
	unsigned int e, sub;

	if (b < BENCH_SUB)
		return b;
	e = b / BENCH_SUB + BENCH_SUB_BITS - 1;
	sub = b % BENCH_SUB;
	return (1ULL << e) + ((u64)sub << (e - BENCH_SUB_BITS)) +
	       (1ULL << (e - BENCH_SUB_BITS)) / 2;
}

static void dmactl_bench_record(struct dmactl_bench_phase *ph, u64 ns)
{
	ph->hist[dmactl_bench_bucket(ns)]++;
	ph->total += ns;
	ph->min = min(ph->min, ns);
	ph->max = max(ph->max, ns);
}

/* Fold @src into @dst. */
static void dmactl_bench_phase_merge(struct dmactl_bench_phase *dst,
				     const struct dmactl_bench_phase *src)
{
	unsigned int b;

	for (b = 0; b < BENCH_BUCKETS; b++)
		dst->hist[b] += src->hist[b];
	dst->total += src->total;
	dst->min = min(dst->min, src->min);
	dst->max = max(dst->max, src->max);
}

/* The value below which @permille of @count samples lie. */
static u64 dmactl_bench_percentile(const struct dmactl_bench_phase *ph,
				   u64 count, unsigned int permille)
{
	u64 rank = div_u64(count * permille + 999, 1000), seen = 0;
	unsigned int b;

	for (b = 0; b < BENCH_BUCKETS; b++) {
		seen += ph->hist[b];
		if (seen >= rank && seen)
			return clamp(dmactl_bench_bucket_mid(b), ph->min,
				     ph->max);
	}
	return ph->max;
}

static void dmactl_bench_summarise(const struct dmactl_bench_phase *ph,
				   u64 count, struct dmactl_bench_stat *st)
{
	if (!count)
		return;
	st->min_ns = ph->min;
	st->max_ns = ph->max;
	st->total_ns = ph->total;
	st->mean_ns = div64_u64(ph->total, count);
	st->p50_ns = dmactl_bench_percentile(ph, count, 500);
	st->p90_ns = dmactl_bench_percentile(ph, count, 900);
	st->p99_ns = dmactl_bench_percentile(ph, count, 990);
}

/* ---- the modes ---- */

static struct device *dmactl_bench_dev(struct dmactl_bench_thread *th)
{
	return th->run->target->dev;
}

static int dmactl_bench_phys_map(struct dmactl_bench_thread *th)
{
	struct dmactl_bench *run = th->run;
	struct device *dev = dmactl_bench_dev(th);
	unsigned int r;

	for (r = 0; r < run->nr_ranges; r++) {
		th->addrs[r] = dma_map_phys(dev, th->page_phys[r],
					    run->range_len, run->dir, 0);
		if (dma_mapping_error(dev, th->addrs[r]))
			goto undo;
	}
	return 0;

undo:
	while (r--)
		dma_unmap_phys(dev, th->addrs[r], run->range_len, run->dir, 0);
	return -ENOMEM;
}

static void dmactl_bench_phys_unmap(struct dmactl_bench_thread *th)
{
	struct dmactl_bench *run = th->run;
	struct device *dev = dmactl_bench_dev(th);
	unsigned int r;

	for (r = 0; r < run->nr_ranges; r++)
		dma_unmap_phys(dev, th->addrs[r], run->range_len, run->dir, 0);
}

static dma_addr_t dmactl_bench_phys_addr(struct dmactl_bench_thread *th,
					 unsigned int k)
{
	if (th->run->nr_ranges == 1)
		return th->addrs[0] + (dma_addr_t)k * PAGE_SIZE;
	return th->addrs[k];
}

static int dmactl_bench_sg_map(struct dmactl_bench_thread *th)
{
	return dma_map_sgtable(dmactl_bench_dev(th), &th->sgt, th->run->dir, 0);
}

static void dmactl_bench_sg_unmap(struct dmactl_bench_thread *th)
{
	dma_unmap_sgtable(dmactl_bench_dev(th), &th->sgt, th->run->dir, 0);
}

/*
 * Each entry is one whole page, so the mapped segments hold the pages in
 * order, however the DMA layer merged them.
 */
static dma_addr_t dmactl_bench_sg_addr(struct dmactl_bench_thread *th,
				       unsigned int k)
{
	struct scatterlist *sg;
	unsigned int i;
	u64 off = (u64)k * PAGE_SIZE;

	for_each_sgtable_dma_sg(&th->sgt, sg, i) {
		if (off < sg_dma_len(sg))
			return sg_dma_address(sg) + off;
		off -= sg_dma_len(sg);
	}
	return DMA_MAPPING_ERROR;
}

/* Link each range of the I/O at @base onwards, and sync them. */
static int dmactl_bench_link_ranges(struct dmactl_bench_thread *th)
{
	struct dmactl_bench *run = th->run;
	struct device *dev = dmactl_bench_dev(th);
	unsigned int r;
	int ret;

	for (r = 0; r < run->nr_ranges; r++) {
		ret = dma_iova_link(dev, &th->state, th->page_phys[r],
				    (size_t)r * run->range_len, run->range_len,
				    run->dir, 0);
		if (ret)
			goto undo;
	}
	ret = dma_iova_sync(dev, &th->state, 0, run->io_len);
	if (!ret)
		return 0;
undo:
	if (r)
		dma_iova_unlink(dev, &th->state, 0, (size_t)r * run->range_len,
				run->dir, 0);
	return ret;
}

static int dmactl_bench_iova_map(struct dmactl_bench_thread *th)
{
	struct device *dev = dmactl_bench_dev(th);
	int ret;

	if (!dma_iova_try_alloc(dev, &th->state, 0, th->run->io_len)) {
		memset(&th->state, 0, sizeof(th->state));
		return -ENOSPC;
	}
	ret = dmactl_bench_link_ranges(th);
	if (ret)
		dma_iova_free(dev, &th->state);
	return ret;
}

static void dmactl_bench_iova_unmap(struct dmactl_bench_thread *th)
{
	dma_iova_destroy(dmactl_bench_dev(th), &th->state, th->run->io_len,
			 th->run->dir, 0);
}

static dma_addr_t dmactl_bench_iova_addr(struct dmactl_bench_thread *th,
					 unsigned int k)
{
	return th->state.addr + (dma_addr_t)k * PAGE_SIZE;
}

static void dmactl_bench_reuse_unmap(struct dmactl_bench_thread *th)
{
	dma_iova_unlink(dmactl_bench_dev(th), &th->state, 0, th->run->io_len,
			th->run->dir, 0);
}

static int dmactl_bench_sparse_map(struct dmactl_bench_thread *th)
{
	struct dmactl_bench *run = th->run;
	struct device *dev = dmactl_bench_dev(th);
	unsigned int k;
	size_t off;
	int ret;

	for (k = 0; k < run->p.pages; k++) {
		off = (size_t)th->slots[k] * PAGE_SIZE;
		ret = dma_iova_link(dev, &th->state, th->page_phys[k], off,
				    PAGE_SIZE, run->dir,
				    DMA_ATTR_REQUIRE_COHERENT);
		if (ret)
			goto undo;
		ret = dma_iova_sync(dev, &th->state, off, PAGE_SIZE);
		if (ret) {
			k++;	/* linked, not synced: unlink it too */
			goto undo;
		}
	}
	return 0;

undo:
	while (k--)
		dma_iova_unlink(dev, &th->state,
				(size_t)th->slots[k] * PAGE_SIZE, PAGE_SIZE,
				run->dir, DMA_ATTR_REQUIRE_COHERENT);
	return ret;
}

static void dmactl_bench_sparse_unmap(struct dmactl_bench_thread *th)
{
	unsigned int k;

	for (k = 0; k < th->run->p.pages; k++)
		dma_iova_unlink(dmactl_bench_dev(th), &th->state,
				(size_t)th->slots[k] * PAGE_SIZE, PAGE_SIZE,
				th->run->dir, DMA_ATTR_REQUIRE_COHERENT);
}

static dma_addr_t dmactl_bench_sparse_addr(struct dmactl_bench_thread *th,
					   unsigned int k)
{
	return th->state.addr + (dma_addr_t)th->slots[k] * PAGE_SIZE;
}

/*
 * ---- the callers' patterns ----
 *
 * blk, tso, gpusvm and premapped map ranges in the shape of the caller
 * each reproduces (struct dmactl_bench_range, set up before timing),
 * with the same calls in the same order, and take the same fallback.
 */

/* The callers' fallback: dma_map_phys() of each range. */
static int dmactl_bench_ranges_map_phys(struct dmactl_bench_thread *th)
{
	struct device *dev = dmactl_bench_dev(th);
	unsigned int r;

	th->fell_back = true;
	for (r = 0; r < th->nr_rng; r++) {
		th->addrs[r] = dma_map_phys(dev, th->ranges[r].phys,
					    th->ranges[r].len, th->run->dir, 0);
		if (dma_mapping_error(dev, th->addrs[r]))
			goto undo;
	}
	return 0;

undo:
	while (r--)
		dma_unmap_phys(dev, th->addrs[r], th->ranges[r].len,
			       th->run->dir, 0);
	return -ENOMEM;
}

static void dmactl_bench_ranges_unmap_phys(struct dmactl_bench_thread *th)
{
	struct device *dev = dmactl_bench_dev(th);
	unsigned int r;

	for (r = 0; r < th->nr_rng; r++)
		dma_unmap_phys(dev, th->addrs[r], th->ranges[r].len,
			       th->run->dir, 0);
}

/*
 * Link the ranges at their running offsets, as far as the kernel would
 * take them (@link_upto), and sync what was linked.  *@linked: the bytes
 * linked, to undo on failure.  Returns 0, the link's or sync's error, or
 * -EINVAL at a range the kernel would refuse: that link is not made,
 * for the kernel would WARN (rule M8).  *@links: the links made.
 */
static int dmactl_bench_ranges_link(struct dmactl_bench_thread *th,
				    size_t *linked, unsigned int *links)
{
	struct device *dev = dmactl_bench_dev(th);
	const struct dmactl_bench_range *rg;
	unsigned int r;
	int ret = 0;

	*linked = 0;
	for (r = 0; r < th->link_upto; r++) {
		rg = &th->ranges[r];
		ret = dma_iova_link(dev, &th->state, rg->phys, rg->off, rg->len,
				    th->run->dir, 0);
		if (ret)
			break;
		*linked += rg->len;
	}
	*links = r;
	if (r < th->link_upto)
		return ret;
	if (th->link_upto < th->nr_rng)
		return -EINVAL;
	return dma_iova_sync(dev, &th->state, 0, *linked);
}

/*
 * blk: blk_rq_dma_map_iter_start() -- the IOVA path only where every
 * boundary inside the request is on the granule (blk_can_dma_map_iova())
 * and dma_iova_try_alloc() succeeds; else dma_map_phys() per segment.  A
 * failed link fails the request.
 * tso: tso_dma_map_init() -- tries the IOVA path whatever the fragments
 * are, and after a failed link destroys it and maps each region.
 */
static int dmactl_bench_blk_map(struct dmactl_bench_thread *th)
{
	struct dmactl_bench *run = th->run;
	struct device *dev = dmactl_bench_dev(th);
	bool tso = run->p.mode == DMACTL_BENCH_TSO;
	unsigned int links;
	size_t linked;
	int ret;

	th->fell_back = false;
	if ((!tso && th->link_upto < th->nr_rng) ||
	    !dma_iova_try_alloc(dev, &th->state, th->ranges[0].phys,
				run->io_len))
		return dmactl_bench_ranges_map_phys(th);
	ret = dmactl_bench_ranges_link(th, &linked, &links);
	if (!ret)
		return 0;
	dma_iova_destroy(dev, &th->state, linked, run->dir, 0);
	/* Calls made on the way to the fallback, for the counts. */
	th->abandoned_links += links;
	th->abandoned_destroys++;
	return tso ? dmactl_bench_ranges_map_phys(th) : ret;
}

/* blk_rq_dma_unmap() and tso_dma_map_complete(), or each range. */
static void dmactl_bench_blk_unmap(struct dmactl_bench_thread *th)
{
	if (th->fell_back)
		dmactl_bench_ranges_unmap_phys(th);
	else
		dma_iova_destroy(dmactl_bench_dev(th), &th->state,
				 th->run->io_len, th->run->dir, 0);
}

/*
 * gpusvm: drm_gpusvm_get_pages() -- an IOVA for the whole range (the
 * physical address is not passed), one link per folio, one sync; else
 * each folio mapped alone.
 */
static int dmactl_bench_gpusvm_map(struct dmactl_bench_thread *th)
{
	struct device *dev = dmactl_bench_dev(th);
	unsigned int links;
	size_t linked;
	int ret;

	th->fell_back = false;
	if (th->link_upto < th->nr_rng ||
	    !dma_iova_try_alloc(dev, &th->state, 0, th->run->io_len))
		return dmactl_bench_ranges_map_phys(th);
	ret = dmactl_bench_ranges_link(th, &linked, &links);
	if (ret) {
		if (linked)
			dma_iova_unlink(dev, &th->state, 0, linked,
					th->run->dir, 0);
		dma_iova_free(dev, &th->state);
	}
	return ret;
}

/* __drm_gpusvm_unmap_pages(): one unlink of what was linked, then free. */
static void dmactl_bench_gpusvm_unmap(struct dmactl_bench_thread *th)
{
	struct device *dev = dmactl_bench_dev(th);

	if (th->fell_back) {
		dmactl_bench_ranges_unmap_phys(th);
		return;
	}
	dma_iova_unlink(dev, &th->state, 0, th->run->io_len, th->run->dir, 0);
	dma_iova_free(dev, &th->state);
}

/* premapped: the buffer stays mapped; each I/O only syncs it. */
static int dmactl_bench_premapped_map(struct dmactl_bench_thread *th)
{
	struct device *dev = dmactl_bench_dev(th);
	unsigned int r;

	for (r = 0; r < th->nr_rng; r++)
		dma_sync_single_for_device(dev, th->addrs[r], th->ranges[r].len,
					   th->run->dir);
	return 0;
}

static void dmactl_bench_premapped_unmap(struct dmactl_bench_thread *th)
{
	struct device *dev = dmactl_bench_dev(th);
	unsigned int r;

	for (r = 0; r < th->nr_rng; r++)
		dma_sync_single_for_cpu(dev, th->addrs[r], th->ranges[r].len,
					th->run->dir);
}

static void dmactl_bench_premapped_release(struct dmactl_bench_thread *th)
{
	if (!th->premapped)
		return;
	dmactl_bench_ranges_unmap_phys(th);
	th->premapped = false;
}

/* The DMA address of page @k: where its range went, less its offset. */
static dma_addr_t dmactl_bench_ranges_addr(struct dmactl_bench_thread *th,
					   unsigned int k)
{
	unsigned int r = th->page_range[k];
	const struct dmactl_bench_range *rg = &th->ranges[r];
	dma_addr_t base = th->fell_back || th->premapped ?
			  th->addrs[r] : th->state.addr + rg->off;

	return base - offset_in_page(rg->phys) +
	       (dma_addr_t)(k - rg->page) * PAGE_SIZE;
}

static const struct dmactl_bench_ops dmactl_bench_modes[] = {
	[DMACTL_BENCH_PHYS] = {
		.map = dmactl_bench_phys_map,
		.unmap = dmactl_bench_phys_unmap,
		.dma_addr = dmactl_bench_phys_addr,
	},
	[DMACTL_BENCH_SG] = {
		.map = dmactl_bench_sg_map,
		.unmap = dmactl_bench_sg_unmap,
		.dma_addr = dmactl_bench_sg_addr,
	},
	[DMACTL_BENCH_IOVA] = {
		.map = dmactl_bench_iova_map,
		.unmap = dmactl_bench_iova_unmap,
		.dma_addr = dmactl_bench_iova_addr,
	},
	[DMACTL_BENCH_IOVA_REUSE] = {
		.map = dmactl_bench_link_ranges,
		.unmap = dmactl_bench_reuse_unmap,
		.dma_addr = dmactl_bench_iova_addr,
	},
	[DMACTL_BENCH_IOVA_SPARSE] = {
		.map = dmactl_bench_sparse_map,
		.unmap = dmactl_bench_sparse_unmap,
		.dma_addr = dmactl_bench_sparse_addr,
	},
	[DMACTL_BENCH_BLK] = {
		.map = dmactl_bench_blk_map,
		.unmap = dmactl_bench_blk_unmap,
		.dma_addr = dmactl_bench_ranges_addr,
	},
	[DMACTL_BENCH_TSO] = {
		.map = dmactl_bench_blk_map,
		.unmap = dmactl_bench_blk_unmap,
		.dma_addr = dmactl_bench_ranges_addr,
	},
	[DMACTL_BENCH_GPUSVM] = {
		.map = dmactl_bench_gpusvm_map,
		.unmap = dmactl_bench_gpusvm_unmap,
		.dma_addr = dmactl_bench_ranges_addr,
	},
	[DMACTL_BENCH_PREMAPPED] = {
		.map = dmactl_bench_premapped_map,
		.unmap = dmactl_bench_premapped_unmap,
		.dma_addr = dmactl_bench_ranges_addr,
		.release = dmactl_bench_premapped_release,
	},
};

/* gpusvm's folio orders, repeated: as a mix of THP and small pages. */
static const u8 dmactl_bench_folio_orders[] = { 0, 2, 0, 1, 3 };

/* The order of gpusvm's folio @i, given @left pages still to place. */
static unsigned int dmactl_bench_folio_order(unsigned int i, unsigned int left)
{
	unsigned int order = dmactl_bench_folio_orders[i %
				ARRAY_SIZE(dmactl_bench_folio_orders)];

	while (BIT(order) > left)
		order--;
	return order;
}

/* Ranges per I/O: gpusvm's folios, or pages unless contiguous. */
static unsigned int dmactl_bench_nr_ranges(const struct dmactl_bench_start *p)
{
	unsigned int n = 0, k = 0;

	if (p->mode != DMACTL_BENCH_GPUSVM)
		return p->flags & DMACTL_BENCH_CONTIG ? 1 : p->pages;
	for (; k < p->pages; n++)
		k += BIT(dmactl_bench_folio_order(n, p->pages - k));
	return n;
}

/* Bytes per I/O: its pages, less what its caller's shape trims. */
static size_t dmactl_bench_io_len(const struct dmactl_bench_start *p)
{
	size_t len = (size_t)p->pages * PAGE_SIZE;

	if (p->mode == DMACTL_BENCH_TSO) {
		len -= BENCH_TSO_HDR;
		if (p->flags & DMACTL_BENCH_UNALIGNED)
			len -= (size_t)(p->pages - 1) * BENCH_TSO_FRAG_OFF;
	} else if (p->flags & DMACTL_BENCH_UNALIGNED) {
		len -= 2 * BENCH_BLK_SECTOR;
	}
	return len;
}

/* The mapping and unmapping calls one I/O of @run makes. */
static void dmactl_bench_calls(struct dmactl_bench *run)
{
	switch (run->p.mode) {
	case DMACTL_BENCH_PHYS:
		run->map_calls = run->nr_ranges;
		run->unmap_calls = run->nr_ranges;
		break;
	case DMACTL_BENCH_SG:
		run->map_calls = 1;
		run->unmap_calls = 1;
		break;
	case DMACTL_BENCH_IOVA_SPARSE:
		run->map_calls = run->p.pages;
		run->unmap_calls = run->p.pages;
		break;
	case DMACTL_BENCH_PREMAPPED:	/* once per thread, not per I/O */
		run->map_calls = 0;
		run->unmap_calls = 0;
		break;
	default:	/* links, then one destroy or unlink */
		run->map_calls = run->nr_ranges;
		run->unmap_calls = 1;
	}
}

/* Bytes a driver keeps per I/O to undo the mapping, by mode. */
static u32 dmactl_bench_bookkeeping(u32 mode, unsigned int nr_ranges,
				    unsigned int pages)
{
	unsigned int ents = pages;

	switch (mode) {
	case DMACTL_BENCH_PHYS:
		return nr_ranges * sizeof(dma_addr_t);
	case DMACTL_BENCH_SG:
		/* sg_alloc_table() chains a new chunk through one entry. */
		if (pages > SG_MAX_SINGLE_ALLOC)
			ents += DIV_ROUND_UP(pages - SG_MAX_SINGLE_ALLOC,
					     SG_MAX_SINGLE_ALLOC - 1);
		return sizeof(struct sg_table) +
		       ents * sizeof(struct scatterlist);
	case DMACTL_BENCH_IOVA_SPARSE:
		return sizeof(struct dma_iova_state) + DIV_ROUND_UP(pages, 8);
	case DMACTL_BENCH_PREMAPPED:
		return nr_ranges * sizeof(dma_addr_t);
	default:
		return sizeof(struct dma_iova_state);
	}
}

/* ---- the device's DMA mask, for a run with dma_bits ---- */

/* Does any file attached to @t hold an object?  Under ctxs_lock. */
static bool dmactl_target_has_objects(struct dmactl_target *t)
{
	struct dmactl_ctx *ctx;

	lockdep_assert_held(&t->ctxs_lock);
	list_for_each_entry(ctx, &t->ctxs, target_node)
		if (!xa_empty(&ctx->objs))
			return true;
	return false;
}

/*
 * Set a device's DMA mask (@mask, streaming and coherent) for a run,
 * saving both masks before in *@saved and *@saved_coherent.  Only a
 * device bound to dmactl, with no object in any file: a mask changed
 * under a live mapping, or under another driver, would make the kernel's
 * view of the device a lie.  Until dmactl_bench_put_mask() no file can
 * make objects on @t (struct dmactl_target.mask_bench).
 *
 * Returns 0 with @t's rwsem held for reading; else, not held: -EPERM for
 * a shared device, -EBUSY while objects or another run's mask exist,
 * -ENODEV once revoked, -EIO if the DMA layer refuses the mask.
 */
static int dmactl_bench_take_mask(struct dmactl_target *t, u64 mask,
				  u64 *saved, u64 *saved_coherent)
{
	int ret = 0;

	if (!t->exclusive)
		return -EPERM;
	down_write(&t->rwsem);
	mutex_lock(&t->ctxs_lock);
	if (t->dead)
		ret = -ENODEV;
	else if (t->mask_bench || dmactl_target_has_objects(t))
		ret = -EBUSY;
	mutex_unlock(&t->ctxs_lock);
	if (!ret) {
		*saved = dma_get_mask(t->dev);
		*saved_coherent = t->dev->coherent_dma_mask;
		if (dma_set_mask_and_coherent(t->dev, mask))
			ret = -EIO;
	}
	if (ret) {
		up_write(&t->rwsem);
		return ret;
	}
	WRITE_ONCE(t->mask_bench, true);
	downgrade_write(&t->rwsem);
	return 0;
}

/*
 * Restore the DMA masks dmactl_bench_take_mask() saved; @t's rwsem is
 * held by the caller (either way).
 */
static void dmactl_bench_put_mask(struct dmactl_target *t, u64 saved,
				  u64 saved_coherent)
{
	lockdep_assert_held(&t->rwsem);
	/* Both were accepted for this device before. */
	if (dma_set_mask(t->dev, saved) ||
	    dma_set_coherent_mask(t->dev, saved_coherent))
		dev_err(t->dev, "could not restore the DMA mask\n");
	WRITE_ONCE(t->mask_bench, false);
}

/* ---- the threads ---- */

static bool dmactl_bench_should_stop(struct dmactl_bench *run)
{
	return READ_ONCE(run->stop) || kthread_should_stop();
}

/*
 * Sparse: distinct random page offsets for the next I/O, drawn before
 * timing.  @used only keeps them distinct within the draw.
 */
static void dmactl_bench_draw_slots(struct dmactl_bench_thread *th)
{
	u32 span = th->run->span, s;
	unsigned int k;

	if (th->run->p.mode != DMACTL_BENCH_IOVA_SPARSE)
		return;
	for (k = 0; k < th->run->p.pages; k++) {
		s = get_random_u32_below(span);
		while (test_and_set_bit(s, th->used))
			s = s + 1 == span ? 0 : s + 1;
		th->slots[k] = s;
	}
	for (k = 0; k < th->run->p.pages; k++)
		clear_bit(th->slots[k], th->used);
}

/* Dirty the I/O's pages in the CPU caches, as a driver filling them. */
static void dmactl_bench_touch(struct dmactl_bench_thread *th)
{
	unsigned int k;

	for (k = 0; k < th->run->p.pages; k++)
		memset(page_address(th->pages[k]), 0x66, PAGE_SIZE);
}

/* One I/O: map, spin the transfer time, unmap.  Times in @ns[phase]. */
static int dmactl_bench_io(struct dmactl_bench_thread *th, u64 *ns)
{
	struct dmactl_bench *run = th->run;
	u64 t0, t1, t2, t3;
	int ret;

	dmactl_bench_draw_slots(th);
	if (run->p.flags & DMACTL_BENCH_TOUCH && run->dir != DMA_FROM_DEVICE)
		dmactl_bench_touch(th);
	t0 = ktime_get_ns();
	ret = run->ops->map(th);
	t1 = ktime_get_ns();
	if (!ret) {
		if (run->p.trans_ns)
			ndelay(run->p.trans_ns);
		t2 = ktime_get_ns();
		run->ops->unmap(th);
		t3 = ktime_get_ns();
		ns[BENCH_MAP] = t1 - t0;
		ns[BENCH_UNMAP] = t3 - t2;
		th->end_ns = t3;
		th->fallback_ios += th->fell_back;
	}
	return ret;
}

/*
 * One more I/O after the timed ones: map, note each page's address and
 * check that it translates to that page, unmap, and look each up in the
 * IOMMU page table again while the pages are still ours.  An address that
 * still translates to its page is stale.
 * premapped's mapping is released for good instead, and looked up alike.
 */
static int dmactl_bench_probe(struct dmactl_bench_thread *th)
{
	struct dmactl_bench *run = th->run;
	unsigned int k, pages = run->p.pages;
	dma_addr_t *addr;
	int ret;

	if (!run->check_domain)
		return 0;
	addr = kvmalloc_array(pages, sizeof(*addr), GFP_KERNEL);
	if (!addr)
		return -ENOMEM;
	dmactl_bench_draw_slots(th);
	ret = run->ops->release ? 0 : run->ops->map(th);
	if (!ret) {
		for (k = 0; k < pages; k++) {
			addr[k] = run->ops->dma_addr(th, k);
			if (!dmactl_dma_leads_to(dmactl_bench_dev(th), addr[k],
						 th->page_phys[k]))
				th->wrong++;
		}
		if (run->ops->release) {
			run->ops->release(th);
		} else {
			run->ops->unmap(th);
			th->fallback_ios += th->fell_back;
		}
		th->probed = true;
		for (k = 0; k < pages; k++)
			if (iommu_iova_to_phys(run->check_domain, addr[k]) ==
			    th->page_phys[k])
				th->stale++;
	}
	kvfree(addr);
	return ret;
}

static int dmactl_bench_thread_fn(void *data)
{
	struct dmactl_bench_thread *th = data;
	struct dmactl_bench *run = th->run;
	u64 ns[BENCH_NR_PHASES], deadline = 0;
	bool timed = false;
	int ret = 0;

	while (!dmactl_bench_should_stop(run)) {
		if (!timed && th->warmup_ios == run->p.warmup_ios) {
			timed = true;
			/* RESULT reads these while the run goes on. */
			WRITE_ONCE(th->start_ns, ktime_get_ns());
			deadline = th->start_ns +
				   (u64)run->p.duration_ms * NSEC_PER_MSEC;
		}
		ret = dmactl_bench_io(th, ns);
		if (ret)
			break;
		if (!timed) {
			WRITE_ONCE(th->warmup_ios, th->warmup_ios + 1);
		} else {
			dmactl_bench_record(&th->phase[BENCH_MAP], ns[BENCH_MAP]);
			dmactl_bench_record(&th->phase[BENCH_UNMAP],
					    ns[BENCH_UNMAP]);
			WRITE_ONCE(th->ios, th->ios + 1);
			if (run->p.ios ? th->ios >= run->p.ios :
					 th->end_ns >= deadline)
				break;
		}
		cond_resched();
	}
	if (!ret)
		ret = dmactl_bench_probe(th);
	/* Every thread unmaps what it mapped before it ends. */
	if (run->ops->release)
		run->ops->release(th);
	if (ret) {
		cmpxchg(&run->error, 0, ret);
		WRITE_ONCE(run->stop, true);
	}
	if (atomic_dec_and_test(&run->running))
		complete_all(&run->done);
	return 0;
}

/* ---- setting a run up and tearing it down ---- */

static void dmactl_bench_thread_free(struct dmactl_bench *run,
				     struct dmactl_bench_thread *th)
{
	struct device *dev = run->target->dev;
	unsigned int k;

	if (th->have_state)
		dma_iova_free(dev, &th->state);
	if (run->ops->release)
		run->ops->release(th);
	sg_free_table(&th->sgt);
	if (th->head) {
		__free_pages(th->head, th->order);
	} else if (run->p.mode == DMACTL_BENCH_GPUSVM) {
		for (k = 0; k < th->nr_rng; k++)
			__free_pages(th->pages[th->ranges[k].page],
				     th->ranges[k].order);
	} else if (th->pages) {
		for (k = 0; k < run->p.pages && th->pages[k]; k++)
			__free_page(th->pages[k]);
	}
	kvfree(th->pages);
	kvfree(th->page_phys);
	kvfree(th->addrs);
	kvfree(th->slots);
	bitmap_free(th->used);
	kvfree(th->ranges);
	kvfree(th->page_range);
	kvfree(th);
}

/* gpusvm's pages: a folio per range, its orders as the pattern says. */
static int dmactl_bench_thread_folios(struct dmactl_bench *run,
				      struct dmactl_bench_thread *th, int node,
				      gfp_t gfp)
{
	unsigned int k = 0, j, order;
	struct page *folio;

	th->ranges = kvcalloc(run->nr_ranges, sizeof(*th->ranges), GFP_KERNEL);
	if (!th->ranges)
		return -ENOMEM;
	while (k < run->p.pages) {
		order = dmactl_bench_folio_order(th->nr_rng, run->p.pages - k);
		folio = alloc_pages_node(node, gfp, order);
		if (!folio)
			return -ENOMEM;
		th->ranges[th->nr_rng].page = k;
		th->ranges[th->nr_rng].order = order;
		th->ranges[th->nr_rng].len = PAGE_SIZE << order;
		th->nr_rng++;
		for (j = 0; j < BIT(order); j++)
			th->pages[k++] = folio + j;
	}
	return 0;
}

/*
 * A page for an I/O of separate pages, not the one right after @prev:
 * the page allocator often hands out ascending neighbours, which the
 * IOMMU's dma_map_sg() merges into one iommu_map() -- a cost that would
 * then vary from run to run with the allocator's state.  Up to
 * BENCH_APART_TRIES neighbours are held aside while another is taken.
 */
#define BENCH_APART_TRIES	4

static struct page *dmactl_bench_page_apart(int node, gfp_t gfp,
					    struct page *prev)
{
	struct page *held[BENCH_APART_TRIES], *page;
	unsigned int n = 0;

	for (;;) {
		page = alloc_pages_node(node, gfp, 0);
		if (!page || !prev || n == BENCH_APART_TRIES ||
		    page_to_phys(page) != page_to_phys(prev) + PAGE_SIZE)
			break;
		held[n++] = page;
	}
	while (n--)
		__free_page(held[n]);
	return page;
}

static int dmactl_bench_thread_pages(struct dmactl_bench *run,
				     struct dmactl_bench_thread *th, int node,
				     gfp_t gfp)
{
	unsigned int k, pages = run->p.pages;
	struct page *prev;
	int ret;

	th->pages = kvcalloc(pages, sizeof(*th->pages), GFP_KERNEL);
	th->page_phys = kvcalloc(pages, sizeof(*th->page_phys), GFP_KERNEL);
	if (!th->pages || !th->page_phys)
		return -ENOMEM;
	if (run->p.mode == DMACTL_BENCH_GPUSVM) {
		ret = dmactl_bench_thread_folios(run, th, node, gfp);
		if (ret)
			return ret;
	} else if (run->p.flags & DMACTL_BENCH_CONTIG) {
		th->order = get_order(run->io_len);
		th->head = alloc_pages_node(node, gfp, th->order);
		if (!th->head)
			return -ENOMEM;
		for (k = 0; k < pages; k++)
			th->pages[k] = th->head + k;
	} else {
		for (k = 0; k < pages; k++) {
			prev = k ? th->pages[k - 1] : NULL;
			th->pages[k] = dmactl_bench_page_apart(node, gfp, prev);
			if (!th->pages[k])
				return -ENOMEM;
		}
	}
	for (k = 0; k < pages; k++)
		th->page_phys[k] = page_to_phys(th->pages[k]);
	return 0;
}

/* Can the device reach every page without an IOMMU, or bounce it? */
static bool dmactl_bench_reachable(struct dmactl_bench *run,
				   struct dmactl_bench_thread *th)
{
	unsigned int r;

	for (r = 0; r < th->nr_rng; r++)
		if (!dmactl_phys_reachable(run->target->dev, th->ranges[r].phys,
					   th->ranges[r].len, 0))
			return false;
	for (r = 0; !th->ranges && r < run->nr_ranges; r++)
		if (!dmactl_phys_reachable(run->target->dev, th->page_phys[r],
					   run->range_len, 0))
			return false;
	return true;
}

/*
 * The ranges of a caller-shaped I/O (blk, tso, gpusvm, premapped), from
 * the thread's pages: each range's address and running offset, each
 * page's range, and how far the kernel would link them.  gpusvm's ranges
 * come with its folios; the others' are whole pages (or the one
 * contiguous I/O), trimmed to their caller's shape.
 */
static int dmactl_bench_thread_ranges(struct dmactl_bench *run,
				      struct dmactl_bench_thread *th)
{
	bool unaligned = run->p.flags & DMACTL_BENCH_UNALIGNED;
	unsigned int r, k, pages = run->p.pages;
	u64 gmask = run->granule - 1, base;
	struct dmactl_bench_range *rg;
	size_t off = 0;

	if (!th->ranges) {
		th->ranges = kvcalloc(run->nr_ranges, sizeof(*th->ranges),
				      GFP_KERNEL);
		if (!th->ranges)
			return -ENOMEM;
		th->nr_rng = run->nr_ranges;
		for (r = 0; r < th->nr_rng; r++) {
			th->ranges[r].page = th->nr_rng == 1 ? 0 : r;
			th->ranges[r].len = run->range_len;
		}
	}
	th->page_range = kvcalloc(pages, sizeof(*th->page_range), GFP_KERNEL);
	th->addrs = kvcalloc(th->nr_rng, sizeof(*th->addrs), GFP_KERNEL);
	if (!th->page_range || !th->addrs)
		return -ENOMEM;
	for (r = 0; r < th->nr_rng; r++) {
		rg = &th->ranges[r];
		rg->phys = th->page_phys[rg->page];
		if (run->p.mode == DMACTL_BENCH_TSO && (!r || unaligned)) {
			k = r ? BENCH_TSO_FRAG_OFF : BENCH_TSO_HDR;
			rg->phys += k;
			rg->len -= k;
		} else if (run->p.mode == DMACTL_BENCH_BLK && unaligned) {
			if (!r) {
				rg->phys += BENCH_BLK_SECTOR;
				rg->len -= BENCH_BLK_SECTOR;
			}
			if (r + 1 == th->nr_rng)
				rg->len -= BENCH_BLK_SECTOR;
		}
		rg->off = off;
		off += rg->len;
		for (k = rg->page; k < pages; k++) {
			if (r + 1 < th->nr_rng && k == th->ranges[r + 1].page)
				break;
			th->page_range[k] = r;
		}
	}
	/*
	 * After the first, a link must start on the granule in memory and
	 * in the IOVA (gpusvm's IOVA starts on it; the others' at the first
	 * range's offset in it).
	 */
	base = run->p.mode == DMACTL_BENCH_GPUSVM ? 0 : th->ranges[0].phys & gmask;
	th->link_upto = th->nr_rng;
	/* gpusvm's IOVA starts on the granule: so must its first folio. */
	if (run->p.mode == DMACTL_BENCH_GPUSVM && th->ranges[0].phys & gmask)
		th->link_upto = 0;
	for (r = 1; r < th->link_upto; r++) {
		if ((th->ranges[r].phys | (base + th->ranges[r].off)) & gmask) {
			th->link_upto = r;
			break;
		}
	}
	return 0;
}

static int dmactl_bench_thread_setup(struct dmactl_bench *run,
				     struct dmactl_bench_thread *th, int node,
				     gfp_t gfp)
{
	struct device *dev = run->target->dev;
	struct scatterlist *sg;
	unsigned int k;
	int ret;

	th->run = run;
	th->phase[BENCH_MAP].min = U64_MAX;
	th->phase[BENCH_UNMAP].min = U64_MAX;
	ret = dmactl_bench_thread_pages(run, th, node, gfp);
	if (ret)
		return ret;
	if (dmactl_bench_is_caller(run->p.mode)) {
		ret = dmactl_bench_thread_ranges(run, th);
		if (ret)
			return ret;
	}
	if (!run->check_domain && !dmactl_bench_reachable(run, th))
		return dmactl_reject(run->target, DMACTL_RULE_UNREACHABLE, -EIO);

	switch (run->p.mode) {
	case DMACTL_BENCH_PHYS:
		th->addrs = kvcalloc(run->nr_ranges, sizeof(*th->addrs),
				     GFP_KERNEL);
		return th->addrs ? 0 : -ENOMEM;
	case DMACTL_BENCH_SG:
		ret = sg_alloc_table(&th->sgt, run->p.pages, GFP_KERNEL);
		if (ret)
			return ret;
		for_each_sgtable_sg(&th->sgt, sg, k)
			sg_set_page(sg, th->pages[k], PAGE_SIZE, 0);
		return 0;
	case DMACTL_BENCH_IOVA_SPARSE:
		th->slots = kvcalloc(run->p.pages, sizeof(*th->slots),
				     GFP_KERNEL);
		th->used = bitmap_zalloc(run->span, GFP_KERNEL);
		if (!th->slots || !th->used)
			return -ENOMEM;
		if (!dma_iova_try_alloc(dev, &th->state, 0,
					(size_t)run->span * PAGE_SIZE))
			return -ENOSPC;
		th->have_state = true;
		return 0;
	case DMACTL_BENCH_IOVA_REUSE:
		if (!dma_iova_try_alloc(dev, &th->state, 0, run->io_len))
			return -ENOSPC;
		th->have_state = true;
		return 0;
	case DMACTL_BENCH_PREMAPPED:
		if (dmactl_bench_ranges_map_phys(th))
			return -ENOMEM;
		th->fell_back = false;
		th->premapped = true;
		return 0;
	default:
		return 0;
	}
}

/* Stop every thread and free what the run holds.  Idempotent. */
static void dmactl_bench_teardown(struct dmactl_bench *run)
{
	unsigned int i;

	WRITE_ONCE(run->stop, true);
	for (i = 0; i < run->nr_threads; i++) {
		struct dmactl_bench_thread *th = run->threads[i];

		if (th->task) {
			kthread_stop_put(th->task);
			th->task = NULL;
			dmactl_count(run->target, DMACTL_C_BENCH_THREADS, -1);
		}
	}
	/* Threads stopped before they ran never counted themselves out. */
	complete_all(&run->done);
}

/*
 * End a run and free what it holds, however far dmactl_bench_start()
 * got: wait for the threads, each of which unmaps its I/O before it ends,
 * free their memory and IOVA, restore the device's DMA mask if the run
 * changed it, and give back what the run was charged.
 */
static void dmactl_bench_kill(struct dmactl_obj *obj)
{
	struct dmactl_bench *run = container_of(obj, struct dmactl_bench, obj);
	unsigned int i;

	dmactl_bench_teardown(run);
	for (i = 0; i < run->nr_threads; i++)
		dmactl_bench_thread_free(run, run->threads[i]);
	run->nr_threads = 0;
	if (run->mask_held) {
		dmactl_bench_put_mask(run->target, run->saved_mask,
				      run->saved_coherent_mask);
		run->mask_held = false;
	}
	if (run->charged_threads) {
		dmactl_uncharge_bench_threads(run->charged_threads);
		run->charged_threads = 0;
	}
	if (run->charged_run) {
		dmactl_uncharge(obj->ctx, DMACTL_LIMIT_BENCH_RUNS, 1);
		run->charged_run = false;
		dmactl_count(run->target, DMACTL_C_LIVE_BENCHES, -1);
	}
}

static void dmactl_bench_release(struct dmactl_obj *obj)
{
	struct dmactl_bench *run = container_of(obj, struct dmactl_bench, obj);

	kvfree(run->threads);
	dmactl_target_put(run->target);
	mutex_destroy(&obj->lock);
	kfree(run);
}

static void dmactl_bench_account(struct dmactl_obj *obj,
				 struct dmactl_teardown *td)
{
	td->benches++;
}

const struct dmactl_obj_ops dmactl_bench_ops = {
	.kill = dmactl_bench_kill,
	.release = dmactl_bench_release,
	.account = dmactl_bench_account,
};

static int dmactl_bench_validate(struct dmactl_bench_start *p)
{
	if (p->flags & ~(DMACTL_BENCH_CONTIG | DMACTL_BENCH_BIND_CPU |
			 DMACTL_BENCH_TOUCH | DMACTL_BENCH_UNALIGNED))
		return -EOPNOTSUPP;
	if (p->mode < DMACTL_BENCH_PHYS || p->mode > DMACTL_BENCH_LAST_MODE)
		return -EINVAL;
	if (p->flags & DMACTL_BENCH_UNALIGNED &&
	    ((p->mode != DMACTL_BENCH_BLK && p->mode != DMACTL_BENCH_TSO) ||
	     p->flags & DMACTL_BENCH_CONTIG))
		return -EINVAL;
	/* A TSO packet is sent; gpusvm's folios are its own ranges. */
	if ((p->mode == DMACTL_BENCH_TSO && p->dir != DMACTL_DIR_TO_DEVICE) ||
	    ((p->mode == DMACTL_BENCH_TSO || p->mode == DMACTL_BENCH_GPUSVM) &&
	     p->flags & DMACTL_BENCH_CONTIG))
		return -EINVAL;
	if (!p->threads || p->threads > DMACTL_BENCH_MAX_THREADS ||
	    !p->pages || p->pages > DMACTL_BENCH_MAX_PAGES ||
	    p->threads * p->pages > DMACTL_BENCH_MAX_TOTAL_PAGES)
		return -EINVAL;
	if (dmactl_dir(p->dir) == DMA_NONE)
		return -EINVAL;
	if (p->dma_bits && (p->dma_bits < DMACTL_BENCH_MIN_DMA_BITS ||
			    p->dma_bits > 64))
		return -EINVAL;
	if (p->trans_ns > DMACTL_BENCH_MAX_TRANS_NS ||
	    p->warmup_ios > DMACTL_BENCH_MAX_WARMUP_IOS)
		return -EINVAL;
	if (!p->duration_ms == !p->ios ||
	    p->duration_ms > DMACTL_BENCH_MAX_DURATION_MS ||
	    p->ios > DMACTL_BENCH_MAX_IOS)
		return -EINVAL;
	if (p->mode == DMACTL_BENCH_IOVA_SPARSE) {
		if (!p->span_pages)
			p->span_pages = DMACTL_BENCH_DEFAULT_SPAN_PAGES;
		if (p->span_pages < p->pages ||
		    p->span_pages > DMACTL_BENCH_MAX_SPAN_PAGES)
			return -EINVAL;
	} else if (p->span_pages) {
		return -EINVAL;
	}
	if (p->node != DMACTL_NO_NODE &&
	    (p->node >= nr_node_ids || !node_online(p->node) ||
	     cpumask_empty(cpumask_of_node(p->node))))
		return -EINVAL;
	return 0;
}

/*
 * Create the threads, bound as asked; they wait to be woken.  CPUs cannot
 * go offline meanwhile, and the CPUs bound to are counted once, so a
 * node whose CPUs went offline since validation is refused, not divided
 * by.
 */
static int dmactl_bench_spawn(struct dmactl_bench *run, int node)
{
	bool on_node = run->p.node != DMACTL_NO_NODE;
	const struct cpumask *cpus;
	struct task_struct *task;
	unsigned int i, nr_cpus;
	int ret = 0;

	cpus_read_lock();
	cpus = on_node ? cpumask_of_node(node) : cpu_online_mask;
	nr_cpus = cpumask_weight_and(cpus, cpu_online_mask);
	if (!nr_cpus) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < run->nr_threads; i++) {
		task = kthread_create_on_node(dmactl_bench_thread_fn,
					      run->threads[i], node,
					      "dmactl-bench/%u", i);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			goto out;
		}
		get_task_struct(task);
		run->threads[i]->task = task;
		dmactl_count(run->target, DMACTL_C_BENCH_THREADS, 1);
		if (run->p.flags & DMACTL_BENCH_BIND_CPU)
			kthread_bind(task, cpumask_nth_and(i % nr_cpus, cpus,
							   cpu_online_mask));
		else if (on_node)
			set_cpus_allowed_ptr(task, cpus);
	}
out:
	cpus_read_unlock();
	return ret;
}

/*
 * The IOVA modes link page by page (sparse, or each page its own range
 * without DMACTL_BENCH_CONTIG) at page offsets: only where the granule
 * is the page size would every such link be aligned (rules M8, M9).
 */
static int dmactl_bench_check_granule(struct dmactl_bench *run)
{
	if (!dmactl_bench_needs_iova(run->p.mode) ||
	    dmactl_target_granule(run->target) == PAGE_SIZE)
		return 0;
	return dmactl_reject(run->target, DMACTL_RULE_M9, -EOPNOTSUPP);
}

/* Charge the run and its threads; the mask, domain and threads' memory. */
static int dmactl_bench_setup(struct dmactl_bench *run, struct dmactl_target *t)
{
	struct dmactl_bench_start *cmd = &run->p;
	unsigned int i;
	gfp_t gfp;
	int node, ret;

	ret = dmactl_charge(run->obj.ctx, DMACTL_LIMIT_BENCH_RUNS, 1);
	if (ret)
		return ret;
	run->charged_run = true;
	dmactl_count(t, DMACTL_C_LIVE_BENCHES, 1);
	ret = dmactl_charge_bench_threads(t, cmd->threads);
	if (ret)
		return ret;
	run->charged_threads = cmd->threads;

	run->check_domain = dmactl_dma_domain(t->dev);
	run->granule = dmactl_target_granule(t);
	if (dmactl_bench_needs_iova(cmd->mode) && !dmactl_iova_usable(t->dev))
		return -EOPNOTSUPP;
	/* hmm refuses such a device too: every link would be refused. */
	if (cmd->mode == DMACTL_BENCH_IOVA_SPARSE && DMA_ATTR_REQUIRE_COHERENT &&
	    !dev_is_dma_coherent(t->dev))
		return -EOPNOTSUPP;
	ret = dmactl_bench_check_granule(run);
	if (ret)
		return ret;

	run->threads = kvcalloc(cmd->threads, sizeof(*run->threads),
				GFP_KERNEL);
	if (!run->threads)
		return -ENOMEM;
	node = cmd->node == DMACTL_NO_NODE ? dev_to_node(t->dev) : cmd->node;
	gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
	      (run->check_domain ? 0 : dmactl_reachable_gfp(t->dev));
	for (i = 0; i < cmd->threads; i++) {
		run->threads[i] = kvzalloc_obj(*run->threads[i], GFP_KERNEL);
		if (!run->threads[i])
			return -ENOMEM;
		run->nr_threads++;
		ret = dmactl_bench_thread_setup(run, run->threads[i], node, gfp);
		if (ret)
			return ret;
		cond_resched();
	}
	return dmactl_bench_spawn(run, node);
}

/**
 * dmactl_bench_start() - DMACTL_BENCH_START
 * @ucmd: the call; its struct dmactl_bench_start is documented in the uapi
 *
 * The threads are woken before the run can be found by its ID: no other
 * call can free it while they start.
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_bench_start(struct dmactl_ucmd *ucmd)
{
	struct dmactl_bench_start *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_bench *run;
	unsigned int i;
	int ret;

	ret = dmactl_bench_validate(cmd);
	if (ret)
		return ret;
	ret = dmactl_ctx_target_lock(ucmd->ctx, &t);
	if (ret)
		return ret;
	run = kzalloc_obj(*run, GFP_KERNEL);
	if (!run) {
		dmactl_target_read_unlock(t);
		return -ENOMEM;
	}
	dmactl_obj_init(ucmd->ctx, &run->obj, DMACTL_OBJ_BENCH);
	kref_get(&t->kref);
	run->target = t;
	run->p = *cmd;
	run->ops = &dmactl_bench_modes[cmd->mode];
	run->dir = dmactl_dir(cmd->dir);
	run->nr_ranges = dmactl_bench_nr_ranges(cmd);
	run->range_len = (size_t)cmd->pages * PAGE_SIZE / run->nr_ranges;
	run->io_len = dmactl_bench_io_len(cmd);
	run->span = cmd->span_pages;
	dmactl_bench_calls(run);
	run->bookkeeping = dmactl_bench_bookkeeping(cmd->mode, run->nr_ranges,
						    cmd->pages);
	init_completion(&run->done);

	if (cmd->dma_bits) {
		/* Takes the rwsem for writing, and gives it back for reading. */
		dmactl_target_read_unlock(t);
		ret = dmactl_bench_take_mask(t, DMA_BIT_MASK(cmd->dma_bits),
					     &run->saved_mask,
					     &run->saved_coherent_mask);
		if (ret) {
			dmactl_obj_discard(&run->obj);
			return ret;
		}
		run->mask_held = true;
	}
	ret = dmactl_bench_setup(run, t) ?: dmactl_obj_add(&run->obj);
	if (ret) {
		dmactl_obj_discard(&run->obj);
		dmactl_target_read_unlock(t);
		return ret;
	}
	atomic_set(&run->running, run->nr_threads);
	for (i = 0; i < run->nr_threads; i++)
		wake_up_process(run->threads[i]->task);
	dmactl_target_read_unlock(t);
	cmd->out_id = run->obj.id;
	cmd->out_bookkeeping_bytes = run->bookkeeping;
	return dmactl_obj_finalize(ucmd, &run->obj, sizeof(*cmd));
}

/*
 * How far a thread is (or got), per mille: of its I/Os, or of the run's
 * duration up to @now (its end once the run @ended).
 */
static u64 dmactl_bench_progress(struct dmactl_bench *run,
				 struct dmactl_bench_thread *th, u64 start,
				 u64 ios, bool ended, u64 now)
{
	if (!start)
		return 0;
	if (run->p.ios)
		return div64_u64(ios * 1000, run->p.ios);
	return div64_u64(((ended ? th->end_ns : now) - start) * 1000,
			 (u64)run->p.duration_ms * NSEC_PER_MSEC);
}

/* Add an ended thread's calls, bytes, probe and timings to the results. */
static void dmactl_bench_add_thread(struct dmactl_bench *run,
				    struct dmactl_bench_thread *th,
				    struct dmactl_bench_result *res,
				    struct dmactl_bench_phase **sum)
{
	/*
	 * Every I/O done was mapped and unmapped whole: by the mode's calls,
	 * or by its fallback's, one map and one unmap per range.
	 * premapped maps once per thread, and unmaps once when released.
	 */
	u64 done = th->ios + th->warmup_ios + th->probed;
	u64 fb = th->fallback_ios;
	unsigned int ph;

	if (run->p.mode == DMACTL_BENCH_PREMAPPED) {
		res->out_map_calls += th->nr_rng;
		res->out_mapped_bytes += run->io_len;
		if (!th->premapped) {
			res->out_unmap_calls += th->nr_rng;
			res->out_unmapped_bytes += run->io_len;
		}
	} else {
		res->out_map_calls += (done - fb) * run->map_calls +
				      fb * th->nr_rng + th->abandoned_links;
		res->out_unmap_calls += (done - fb) * run->unmap_calls +
					fb * th->nr_rng +
					th->abandoned_destroys;
		res->out_mapped_bytes += done * run->io_len;
		res->out_unmapped_bytes += done * run->io_len;
	}
	res->out_fallback_ios += fb;
	if (th->probed)
		res->out_checked_addrs += run->p.pages;
	res->out_stale_addrs += th->stale;
	res->out_wrong_addrs += th->wrong;
	for (ph = 0; ph < BENCH_NR_PHASES; ph++)
		if (sum[ph])
			dmactl_bench_phase_merge(sum[ph], &th->phase[ph]);
}

/* Fill @res from the threads: progress while running, all once ended. */
static void dmactl_bench_collect(struct dmactl_bench *run,
				 struct dmactl_bench_result *res)
{
	struct dmactl_bench_phase *sum[BENCH_NR_PHASES] = {};
	bool ended = completion_done(&run->done);
	u64 first = U64_MAX, last = 0, now = ktime_get_ns();
	u64 progress = 1000;
	unsigned int i, ph;

	if (ended) {
		for (ph = 0; ph < BENCH_NR_PHASES; ph++) {
			sum[ph] = kvzalloc_obj(*sum[ph], GFP_KERNEL);
			if (sum[ph])
				sum[ph]->min = U64_MAX;
		}
	}
	for (i = 0; i < run->nr_threads; i++) {
		struct dmactl_bench_thread *th = run->threads[i];
		u64 start = READ_ONCE(th->start_ns);
		u64 ios = READ_ONCE(th->ios);

		res->out_ios += ios;
		res->out_warmup_ios += READ_ONCE(th->warmup_ios);
		if (start)
			first = min(first, start);
		/* The slowest thread says how far the run is (or got). */
		progress = min(progress, dmactl_bench_progress(run, th, start,
							       ios, ended, now));
		if (!ended)
			continue;
		last = max(last, th->end_ns);
		dmactl_bench_add_thread(run, th, res, sum);
	}
	res->out_threads = run->p.threads;
	res->out_bookkeeping_bytes = run->bookkeeping;
	res->out_bytes = res->out_ios * run->io_len;
	res->out_progress = min_t(u64, progress, 1000);
	if (first != U64_MAX)
		res->out_elapsed_ns = (ended ? last : now) - first;
	if (res->out_elapsed_ns) {
		res->out_ios_per_sec = mul_u64_u64_div_u64(res->out_ios,
							   NSEC_PER_SEC,
							   res->out_elapsed_ns);
		res->out_bytes_per_sec = mul_u64_u64_div_u64(res->out_bytes,
							     NSEC_PER_SEC,
							     res->out_elapsed_ns);
	}
	if (!ended) {
		res->out_state = DMACTL_BENCH_RUNNING;
		return;
	}
	res->out_error = -READ_ONCE(run->error);
	res->out_state = res->out_error ? DMACTL_BENCH_FAILED :
					  DMACTL_BENCH_DONE;
	if (sum[BENCH_MAP] && sum[BENCH_UNMAP]) {
		dmactl_bench_summarise(sum[BENCH_MAP], res->out_ios,
				       &res->out_map);
		dmactl_bench_summarise(sum[BENCH_UNMAP], res->out_ios,
				       &res->out_unmap);
		run->merged = true;
	}
	for (ph = 0; ph < BENCH_NR_PHASES; ph++)
		kvfree(sum[ph]);
}

/**
 * dmactl_bench_result() - DMACTL_BENCH_RESULT
 * @ucmd: the call; its struct dmactl_bench_result is documented in the
 *	uapi
 *
 * Waiting holds only a reference to the run, no lock: revocation and
 * DMACTL_BENCH_FREE end the run and so the wait.  The results are read
 * from the run waited for, found dead if it was freed meanwhile: never
 * from another run that took its ID.
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_bench_result(struct dmactl_ucmd *ucmd)
{
	struct dmactl_bench_result *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_bench *run;
	struct dmactl_obj *obj;
	u32 flags = cmd->flags;
	int ret;

	if (flags & ~(DMACTL_BENCH_WAIT | DMACTL_BENCH_STOP))
		return -EOPNOTSUPP;
	/* A revoked device first, as every operation on an object says. */
	ret = dmactl_op_target(ucmd, &t);
	if (ret)
		return ret;
	dmactl_target_read_unlock(t);
	obj = dmactl_obj_get(ucmd->ctx, cmd->id, DMACTL_OBJ_BENCH);
	if (!obj)
		return -ENOENT;
	run = container_of(obj, struct dmactl_bench, obj);
	if (flags & DMACTL_BENCH_STOP)
		WRITE_ONCE(run->stop, true);
	ret = 0;
	if (flags & DMACTL_BENCH_WAIT &&
	    wait_for_completion_interruptible(&run->done))
		ret = -EINTR;
	if (!ret)
		ret = dmactl_target_read_lock(t);
	if (ret)
		goto out_put;
	mutex_lock(&obj->lock);
	if (obj->dead) {
		ret = dmactl_reject(t, DMACTL_RULE_M3, -ENOENT);
	} else {
		if (!run->merged) {
			memset(&run->res, 0, sizeof(run->res));
			dmactl_bench_collect(run, &run->res);
		}
		run->res.size = cmd->size;
		run->res.flags = cmd->flags;
		run->res.id = cmd->id;
		*cmd = run->res;
	}
	mutex_unlock(&obj->lock);
	dmactl_target_read_unlock(t);
out_put:
	dmactl_obj_put(obj);
	return ret ?: dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}

/**
 * dmactl_bench_free() - DMACTL_BENCH_FREE
 * @ucmd: the call; its struct dmactl_bench_free is documented in the uapi
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_bench_free(struct dmactl_ucmd *ucmd)
{
	struct dmactl_bench_free *cmd = ucmd->cmd;
	struct dmactl_target *t;
	struct dmactl_obj *obj;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	ret = dmactl_op_begin(ucmd, cmd->id, DMACTL_OBJ_BENCH, &t, &obj);
	if (ret)
		return ret;
	dmactl_bench_kill(obj);
	dmactl_obj_remove(obj);
	dmactl_op_done(t, obj);
	return 0;
}
