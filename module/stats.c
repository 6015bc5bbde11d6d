// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the counters, in total and per target, and the count of every
 * rejected misuse.  The netlink family reports them (netlink.c), so tests
 * can prove that nothing leaked and that each rule fired.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "dmactl_private.h"

struct dmactl_counters dmactl_total;

/* The name of each rule, as tests and the design document call it. */
static const char *const dmactl_rule_names[DMACTL_NR_RULES] = {
	[DMACTL_RULE_M3] = "M3",
	[DMACTL_RULE_M4] = "M4",
	[DMACTL_RULE_M6] = "M6",
	[DMACTL_RULE_M7] = "M7",
	[DMACTL_RULE_M8] = "M8",
	[DMACTL_RULE_M9] = "M9",
	[DMACTL_RULE_M10] = "M10",
	[DMACTL_RULE_M11] = "M11",
	[DMACTL_RULE_M12] = "M12",
	[DMACTL_RULE_M13] = "M13",
	[DMACTL_RULE_M17] = "M17",
	[DMACTL_RULE_M18] = "M18",
	[DMACTL_RULE_M19] = "M19",
	[DMACTL_RULE_M20] = "M20",
	[DMACTL_RULE_M21] = "M21",
	[DMACTL_RULE_M22] = "M22",
	[DMACTL_RULE_M23] = "M23",
	[DMACTL_RULE_M24] = "M24",
	[DMACTL_RULE_M25] = "M25",
	[DMACTL_RULE_M26] = "M26",
	[DMACTL_RULE_M27] = "M27",
	[DMACTL_RULE_M28] = "M28",
	[DMACTL_RULE_M32] = "M32",
	[DMACTL_RULE_BUF_BUSY] = "buf_busy",
	[DMACTL_RULE_UNREACHABLE] = "unreachable",
	[DMACTL_RULE_COPY_DIR] = "copy_dir",
	[DMACTL_RULE_LIMIT] = "limit",
	[DMACTL_RULE_P2PMEM_RANGE] = "p2pmem_range",
};

/**
 * dmactl_rule_name() - the name of a misuse rule
 * @rule: the rule
 *
 * Return: its name as tests and the design document call it.
 */
const char *dmactl_rule_name(enum dmactl_rule rule)
{
	return dmactl_rule_names[rule];
}

/**
 * dmactl_count() - add to a counter, in total and for a target
 * @t: the target the objects belong to, or NULL for the total alone
 * @counter: which
 * @delta: how much (negative to take away)
 *
 * Context: any.
 */
void dmactl_count(struct dmactl_target *t, enum dmactl_counter counter,
		  long delta)
{
	atomic_long_add(delta, &dmactl_total.c[counter]);
	if (t)
		atomic_long_add(delta, &t->counters.c[counter]);
}

/**
 * dmactl_count_op() - count an operation that succeeded
 * @t: the file's target, or NULL before ATTACH
 * @op: its ioctl number less DMACTL_CMD_BASE, below DMACTL_NR_OPS
 *
 * Context: any.
 */
void dmactl_count_op(struct dmactl_target *t, unsigned int op)
{
	atomic_long_inc(&dmactl_total.ops[op]);
	if (t)
		atomic_long_inc(&t->counters.ops[op]);
}

/**
 * dmactl_reject() - count and log a refused request
 * @t: the target the request was for, or NULL before ATTACH
 * @rule: the misuse rule it would have broken
 * @err: the negative errno to return
 *
 * Logged only with dev_dbg_ratelimited(): a user can send any number of
 * bad requests.  Context: any.
 *
 * Return: @err.
 */
int dmactl_reject(struct dmactl_target *t, enum dmactl_rule rule, int err)
{
	atomic_long_inc(&dmactl_total.rejections[rule]);
	if (!t)
		return err;
	atomic_long_inc(&t->counters.rejections[rule]);
	dev_dbg_ratelimited(t->dev, "refused (rule %s): %d\n",
			    dmactl_rule_names[rule], err);
	return err;
}
