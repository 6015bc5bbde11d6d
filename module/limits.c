// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the limits on what one file, and all files together, may hold.
 *
 * Every resource a caller can make the module hold grows with a number
 * the caller chooses: objects, the shadow state of an IOVA space (its
 * sync bitmap and link records), the memory of buffers, benchmark runs
 * and their kernel threads, entries on the allow list.  Each has a limit
 * here, a module parameter root may change; a request past one fails
 * with EDQUOT, counted under the rule "limit".  The kernel's own
 * allocators are never asked for more than a limit allows, so no user
 * value reaches them unbounded (kvmalloc() WARNs past INT_MAX, the page
 * allocator past MAX_PAGE_ORDER).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/sizes.h>

#include "dmactl_private.h"

static unsigned long long max_objects_per_file = 65536;
module_param(max_objects_per_file, ullong, 0644);
MODULE_PARM_DESC(max_objects_per_file,
		 "Objects (buffers, IOVA objects, benchmark runs) one file may hold (default 65536)");

static unsigned long long max_shadow_bytes_per_file = SZ_64M;
module_param(max_shadow_bytes_per_file, ullong, 0644);
MODULE_PARM_DESC(max_shadow_bytes_per_file,
		 "Bytes of shadow state (sync bitmaps, link records) one file may hold (default 64 MiB)");

static unsigned long long max_buf_bytes_per_file = SZ_4G;
module_param(max_buf_bytes_per_file, ullong, 0644);
MODULE_PARM_DESC(max_buf_bytes_per_file,
		 "Bytes of memory the buffers of one file may hold (default 4 GiB)");

static unsigned long long max_bench_runs_per_file = 16;
module_param(max_bench_runs_per_file, ullong, 0644);
MODULE_PARM_DESC(max_bench_runs_per_file,
		 "Benchmark runs one file may hold (default 16)");

static unsigned long long max_bench_threads = 512;
module_param(max_bench_threads, ullong, 0644);
MODULE_PARM_DESC(max_bench_threads,
		 "Benchmark threads of all files together (default 512)");

static unsigned long long max_allowed = 256;
module_param(max_allowed, ullong, 0644);
MODULE_PARM_DESC(max_allowed, "Names on the allow list (default 256)");

unsigned long long dmactl_max_iova_size = SZ_4G;
module_param_named(max_iova_size, dmactl_max_iova_size, ullong, 0644);
MODULE_PARM_DESC(max_iova_size,
		 "Largest IOVA_ALLOC, bytes (default 4 GiB, capped at 2^62)");

static unsigned long long *const dmactl_file_limits[DMACTL_NR_FILE_LIMITS] = {
	[DMACTL_LIMIT_OBJECTS] = &max_objects_per_file,
	[DMACTL_LIMIT_SHADOW_BYTES] = &max_shadow_bytes_per_file,
	[DMACTL_LIMIT_BUF_BYTES] = &max_buf_bytes_per_file,
	[DMACTL_LIMIT_BENCH_RUNS] = &max_bench_runs_per_file,
};

static atomic64_t dmactl_bench_threads = ATOMIC64_INIT(0);

/* Add @amount to @used unless that passes @limit; false if it would. */
static bool dmactl_take(atomic64_t *used, u64 amount, u64 limit)
{
	s64 old = atomic64_read(used);

	do {
		if (amount > limit || old > limit - amount)
			return false;
	} while (!atomic64_try_cmpxchg(used, &old, old + amount));
	return true;
}

/**
 * dmactl_charge() - take some of a file's allowance
 * @ctx: the file's context
 * @limit: which allowance
 * @amount: how much: objects, bytes or runs as @limit counts
 *
 * Context: any; lock-free.
 *
 * Return: 0, or -EDQUOT (counted under the rule "limit") when the file
 * would hold more than the module parameter allows.
 */
int dmactl_charge(struct dmactl_ctx *ctx, enum dmactl_limit limit, u64 amount)
{
	if (dmactl_take(&ctx->charged[limit], amount,
			READ_ONCE(*dmactl_file_limits[limit])))
		return 0;
	return dmactl_reject(dmactl_ctx_target(ctx), DMACTL_RULE_LIMIT, -EDQUOT);
}

/**
 * dmactl_uncharge() - give back what dmactl_charge() took
 * @ctx: the file's context
 * @limit: which allowance
 * @amount: as much as was charged
 */
void dmactl_uncharge(struct dmactl_ctx *ctx, enum dmactl_limit limit,
		     u64 amount)
{
	atomic64_sub(amount, &ctx->charged[limit]);
}

/**
 * dmactl_charge_bench_threads() - reserve benchmark threads, all files
 *	together
 * @t: the target, for the rejection count
 * @threads: how many
 *
 * Return: 0 or -EDQUOT.
 */
int dmactl_charge_bench_threads(struct dmactl_target *t, u32 threads)
{
	if (dmactl_take(&dmactl_bench_threads, threads,
			READ_ONCE(max_bench_threads)))
		return 0;
	return dmactl_reject(t, DMACTL_RULE_LIMIT, -EDQUOT);
}

/**
 * dmactl_uncharge_bench_threads() - give back reserved benchmark threads
 * @threads: as many as were reserved
 */
void dmactl_uncharge_bench_threads(u32 threads)
{
	atomic64_sub(threads, &dmactl_bench_threads);
}

/**
 * dmactl_allow_list_full() - may another name join the allow list?
 * @entries: names on it now
 *
 * Return: true when it holds max_allowed names already.
 */
bool dmactl_allow_list_full(u64 entries)
{
	return entries >= READ_ONCE(max_allowed);
}
