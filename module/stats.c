// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: module-wide counters and the count of every rejected misuse,
 * read from debugfs (dmactl/counters, dmactl/rejections) so tests can
 * prove that nothing leaked and that each rule fired.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "dmactl.h"

struct dmactl_stats dmactl_stats;

static struct dentry *dmactl_debugfs;

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
};

/**
 * dmactl_reject() - count and log a refused request
 * @dev: the device the request was for, or NULL
 * @rule: the misuse rule it would have broken
 * @err: the negative errno to return
 *
 * Logged only with dev_dbg_ratelimited(): a user can send any number of
 * bad requests.  Context: any.
 *
 * Return: @err.
 */
int dmactl_reject(struct device *dev, enum dmactl_rule rule, int err)
{
	atomic_long_inc(&dmactl_stats.rejections[rule]);
	if (dev)
		dev_dbg_ratelimited(dev, "refused (rule %s): %d\n",
				    dmactl_rule_names[rule], err);
	return err;
}

#define DMACTL_COUNTER(name) { #name, &dmactl_stats.name }

/* Every counter, by the name debugfs shows it under. */
static const struct {
	const char *name;
	atomic_long_t *value;
} dmactl_counters[] = {
	DMACTL_COUNTER(live_targets),
	DMACTL_COUNTER(live_bufs),
	DMACTL_COUNTER(pinned_pages),
	DMACTL_COUNTER(kernel_pages),
	DMACTL_COUNTER(live_iovas),
	DMACTL_COUNTER(live_links),
	DMACTL_COUNTER(p2p_bytes),
	DMACTL_COUNTER(inflight),
	DMACTL_COUNTER(copies),
	DMACTL_COUNTER(copied_bytes),
	DMACTL_COUNTER(unlinked_writes),
	DMACTL_COUNTER(revoked_p2p),
	DMACTL_COUNTER(live_benches),
	DMACTL_COUNTER(bench_threads),
};

static int counters_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(dmactl_counters); i++)
		seq_printf(m, "%s %ld\n", dmactl_counters[i].name,
			   atomic_long_read(dmactl_counters[i].value));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

static int rejections_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < DMACTL_NR_RULES; i++)
		seq_printf(m, "%s %ld\n", dmactl_rule_names[i],
			   atomic_long_read(&dmactl_stats.rejections[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rejections);

/**
 * dmactl_stats_init() - create the debugfs files
 *
 * Return: 0; debugfs failures are not fatal.
 */
int dmactl_stats_init(void)
{
	dmactl_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("counters", 0400, dmactl_debugfs, NULL,
			    &counters_fops);
	debugfs_create_file("rejections", 0400, dmactl_debugfs, NULL,
			    &rejections_fops);
	return 0;
}

/**
 * dmactl_stats_exit() - remove the debugfs files
 */
void dmactl_stats_exit(void)
{
	debugfs_remove_recursive(dmactl_debugfs);
}
