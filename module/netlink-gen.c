// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/dmactl.yaml */
/* YNL-GEN kernel source */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/dmactl_netlink.h>

/* DMACTL_NL_CMD_DEV_GET - do */
static const struct nla_policy dmactl_dev_get_nl_policy[DMACTL_A_DEV_NAME + 1] = {
	[DMACTL_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* DMACTL_NL_CMD_STATS_GET - do */
static const struct nla_policy dmactl_stats_get_nl_policy[DMACTL_A_STATS_DEV + 1] = {
	[DMACTL_A_STATS_DEV] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* DMACTL_NL_CMD_ALLOW - do */
static const struct nla_policy dmactl_allow_nl_policy[DMACTL_A_DEV_NAME + 1] = {
	[DMACTL_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* DMACTL_NL_CMD_DISALLOW - do */
static const struct nla_policy dmactl_disallow_nl_policy[DMACTL_A_DEV_NAME + 1] = {
	[DMACTL_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* Ops table for dmactl */
static const struct genl_split_ops dmactl_nl_ops[] = {
	{
		.cmd		= DMACTL_NL_CMD_DEV_GET,
		.doit		= dmactl_nl_dev_get_doit,
		.policy		= dmactl_dev_get_nl_policy,
		.maxattr	= DMACTL_A_DEV_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= DMACTL_NL_CMD_DEV_GET,
		.dumpit	= dmactl_nl_dev_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DMACTL_NL_CMD_STATS_GET,
		.doit		= dmactl_nl_stats_get_doit,
		.policy		= dmactl_stats_get_nl_policy,
		.maxattr	= DMACTL_A_STATS_DEV,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= DMACTL_NL_CMD_STATS_GET,
		.dumpit	= dmactl_nl_stats_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DMACTL_NL_CMD_ALLOW,
		.doit		= dmactl_nl_allow_doit,
		.policy		= dmactl_allow_nl_policy,
		.maxattr	= DMACTL_A_DEV_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMACTL_NL_CMD_DISALLOW,
		.doit		= dmactl_nl_disallow_doit,
		.policy		= dmactl_disallow_nl_policy,
		.maxattr	= DMACTL_A_DEV_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group dmactl_nl_mcgrps[] = {
	[DMACTL_NLGRP_EVENTS] = { "events", .flags = GENL_MCAST_CAP_NET_ADMIN, },
};

struct genl_family dmactl_nl_family __ro_after_init = {
	.name		= DMACTL_FAMILY_NAME,
	.version	= DMACTL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= dmactl_nl_ops,
	.n_split_ops	= ARRAY_SIZE(dmactl_nl_ops),
	.mcgrps		= dmactl_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(dmactl_nl_mcgrps),
};
