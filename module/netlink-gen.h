/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/dmactl.yaml */
/* YNL-GEN kernel header */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#ifndef _LINUX_DMACTL_GEN_H
#define _LINUX_DMACTL_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/dmactl_netlink.h>

int dmactl_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmactl_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int dmactl_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmactl_nl_stats_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int dmactl_nl_allow_doit(struct sk_buff *skb, struct genl_info *info);
int dmactl_nl_disallow_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	DMACTL_NLGRP_EVENTS,
};

extern struct genl_family dmactl_nl_family;

#endif /* _LINUX_DMACTL_GEN_H */
