// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the generic netlink family "dmactl" -- counters in total and
 * per device, the devices dmactl may map for (what a device's entry
 * holds is filled in here, from the targets and the allow list), the
 * allow list, and the events group.
 *
 * The attribute numbers, policies and op table come from
 * netlink/specs/dmactl.yaml through the kernel's YNL generator
 * (netlink-gen.[ch], uapi/linux/dmactl_netlink.h); this file holds the
 * handlers and the event senders only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <net/genetlink.h>

#include "dmactl_private.h"
#include "netlink-gen.h"

/* The attribute of each counter in DMACTL_NL_CMD_STATS_GET's reply. */
#define DMACTL_COUNTER_ATTR(suffix, ...) \
	[DMACTL_C_##suffix] = DMACTL_A_STATS_##suffix,
static const u16 dmactl_counter_attrs[DMACTL_NR_COUNTERS] = {
	DMACTL_NL_COUNTERS(DMACTL_COUNTER_ATTR)
};

#undef DMACTL_COUNTER_ATTR

/* Begin a message of a dump, flagged as one part of several. */
static void *dmactl_nl_dump_put(struct sk_buff *skb,
				struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, &dmactl_nl_family, NLM_F_MULTI,
			   cmd);
}

/*
 * Fill a dump's message with items @from cb->args[0] up to @n, each by
 * @fill, one genetlink message each; remember where the skb filled up.
 * Return: skb->len while there is more, 0 at the end.
 */
static int dmactl_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
			  u8 cmd, int n,
			  int (*fill)(struct sk_buff *skb, int i, void *arg),
			  void *arg)
{
	void *hdr;
	int i;

	for (i = cb->args[0]; i < n; i++) {
		hdr = dmactl_nl_dump_put(skb, cb, cmd);
		if (!hdr || fill(skb, i, arg)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			cb->args[0] = i;
			return skb->len;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	return 0;
}

/* ---- the devices dmactl may map for, as DMACTL_NL_CMD_DEV_GET shows them ---- */

/**
 * struct dmactl_dev_info - a device dmactl may map for, as netlink shows it
 * @name: its name on its bus
 * @driver: the driver bound to it, or ""
 * @bound: bound to dmactl's own driver (exclusive)
 * @allowed: on the allow list (shared)
 * @files: files attached to it
 */
struct dmactl_dev_info {
	char name[DMACTL_NAME_MAX];
	char driver[DMACTL_NAME_MAX];
	bool bound;
	bool allowed;
	u32 files;
};

/* The name of the driver bound to @dev, or "" (as dev_driver_string()). */
static void dmactl_driver_name(struct device *dev, char *out, size_t len)
{
	const struct device_driver *drv = READ_ONCE(dev->driver);

	strscpy(out, drv ? drv->name : "", len);
}

/* Fill @info for a name: its target if live, its allow-list entry. */
static void dmactl_dev_info_fill(struct dmactl_dev_info *info,
				 const char *name)
{
	struct dmactl_target *t;
	struct dmactl_ctx *ctx;
	struct device *dev;

	lockdep_assert_held(&dmactl_targets_lock);
	memset(info, 0, sizeof(*info));
	strscpy(info->name, name);
	info->allowed = dmactl_is_allowed(name);
	t = dmactl_target_find(NULL, name);
	if (t) {
		info->bound = t->exclusive;
		mutex_lock(&t->ctxs_lock);
		list_for_each_entry(ctx, &t->ctxs, target_node)
			info->files++;
		mutex_unlock(&t->ctxs_lock);
		dmactl_driver_name(t->dev, info->driver, sizeof(info->driver));
		dmactl_target_put(t);
		return;
	}
	dev = dmactl_find_device(name);
	if (dev) {
		dmactl_driver_name(dev, info->driver, sizeof(info->driver));
		put_device(dev);
	}
}

/* Where dmactl_devs_list() is filling in. */
struct dmactl_devs_fill {
	struct dmactl_dev_info *info;
	int n;
};

static void dmactl_devs_fill_target(struct dmactl_target *t, void *arg)
{
	struct dmactl_devs_fill *f = arg;

	if (t->exclusive && !READ_ONCE(t->dead))
		dmactl_dev_info_fill(&f->info[f->n++], dev_name(t->dev));
}

static void dmactl_devs_fill_allowed(const char *name, void *arg)
{
	struct dmactl_devs_fill *f = arg;

	dmactl_dev_info_fill(&f->info[f->n++], name);
}

/*
 * The devices dmactl may map for, in an array the caller kfree()s: every
 * device bound to dmactl, then every name on the allow list not among
 * them.  Under one hold of dmactl_targets_lock, so the list is one
 * moment's.  Returns how many, or -ENOMEM.
 */
static int dmactl_devs_list(struct dmactl_dev_info **out)
{
	struct dmactl_devs_fill f = {};
	int n;

	guard(mutex)(&dmactl_targets_lock);
	n = dmactl_targets_each_locked(NULL, NULL) +
	    dmactl_allowed_each_locked(NULL, NULL);
	f.info = kcalloc(n, sizeof(*f.info), GFP_KERNEL);
	if (!f.info)
		return -ENOMEM;
	dmactl_targets_each_locked(dmactl_devs_fill_target, &f);
	dmactl_allowed_each_locked(dmactl_devs_fill_allowed, &f);
	*out = f.info;
	return f.n;
}

/* One device dmactl may map for: 0, or -ENODEV if neither bound nor allowed. */
static int dmactl_dev_info_get(const char *name, struct dmactl_dev_info *info)
{
	guard(mutex)(&dmactl_targets_lock);
	dmactl_dev_info_fill(info, name);
	return info->bound || info->allowed ? 0 : -ENODEV;
}

/* ---- DMACTL_NL_CMD_DEV_GET ---- */

static int dmactl_nl_dev_fill(struct sk_buff *skb,
			      const struct dmactl_dev_info *info)
{
	if (nla_put_string(skb, DMACTL_A_DEV_NAME, info->name) ||
	    (info->driver[0] &&
	     nla_put_string(skb, DMACTL_A_DEV_DRIVER, info->driver)) ||
	    (info->bound && nla_put_flag(skb, DMACTL_A_DEV_BOUND)) ||
	    (info->allowed && nla_put_flag(skb, DMACTL_A_DEV_ALLOWED)) ||
	    nla_put_u32(skb, DMACTL_A_DEV_FILES, info->files))
		return -EMSGSIZE;
	return 0;
}

/**
 * dmactl_nl_dev_get_doit() - DMACTL_NL_CMD_DEV_GET for one device
 * @skb: the request
 * @info: its attributes, validated by the generated policy
 *
 * Return: 0; -EINVAL without a name; -ENODEV (with an extack message) when
 * the device is neither bound to dmactl nor allowed; -ENOMEM.
 */
int dmactl_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dmactl_dev_info dev;
	struct sk_buff *msg;
	void *hdr;

	if (GENL_REQ_ATTR_CHECK(info, DMACTL_A_DEV_NAME))
		return -EINVAL;
	if (dmactl_dev_info_get(nla_data(info->attrs[DMACTL_A_DEV_NAME]),
				&dev)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[DMACTL_A_DEV_NAME],
				    "device neither bound to dmactl nor on the allow list");
		return -ENODEV;
	}
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || dmactl_nl_dev_fill(msg, &dev)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int dmactl_nl_dev_fill_nth(struct sk_buff *skb, int i, void *devs)
{
	return dmactl_nl_dev_fill(skb, &((struct dmactl_dev_info *)devs)[i]);
}

/**
 * dmactl_nl_dev_get_dumpit() - DMACTL_NL_CMD_DEV_GET for every device
 * @skb: the message being filled
 * @cb: the dump; cb->args[0] is the next device to send
 *
 * Return: skb->len while there is more, 0 at the end, or -ENOMEM.
 */
int dmactl_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dmactl_dev_info *devs;
	int n, ret;

	n = dmactl_devs_list(&devs);
	if (n < 0)
		return n;
	ret = dmactl_nl_dump(skb, cb, DMACTL_NL_CMD_DEV_GET, n,
			     dmactl_nl_dev_fill_nth, devs);
	kfree(devs);
	return ret;
}

/* ---- DMACTL_NL_CMD_STATS_GET ---- */

static int dmactl_nl_count_put(struct sk_buff *skb, int type, const char *name,
			       atomic_long_t *value)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || nla_put_string(skb, DMACTL_A_COUNT_NAME, name) ||
	    nla_put_uint(skb, DMACTL_A_COUNT_VALUE, atomic_long_read(value)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One set of counters: a target's (named), or the total (@t NULL). */
static int dmactl_nl_stats_fill(struct sk_buff *skb, struct dmactl_target *t)
{
	struct dmactl_counters *c = t ? &t->counters : &dmactl_total;
	int i;

	if (t && nla_put_string(skb, DMACTL_A_STATS_DEV, dev_name(t->dev)))
		return -EMSGSIZE;
	for (i = 0; i < DMACTL_NR_COUNTERS; i++) {
		if (t && i == DMACTL_C_LIVE_TARGETS)
			continue;
		if (nla_put_uint(skb, dmactl_counter_attrs[i],
				 atomic_long_read(&c->c[i])))
			return -EMSGSIZE;
	}
	for (i = 0; i < DMACTL_NR_OPS; i++)
		if (dmactl_nl_count_put(skb, DMACTL_A_STATS_OP,
					dmactl_op_name(i), &c->ops[i]))
			return -EMSGSIZE;
	for (i = 0; i < DMACTL_NR_RULES; i++)
		if (dmactl_nl_count_put(skb, DMACTL_A_STATS_REJECTION,
					dmactl_rule_name(i),
					&c->rejections[i]))
			return -EMSGSIZE;
	return 0;
}

/**
 * dmactl_nl_stats_get_doit() - DMACTL_NL_CMD_STATS_GET: the total, or
 *	one device's counters
 * @skb: the request
 * @info: its attributes, validated by the generated policy
 *
 * Return: 0; -ENODEV (with an extack message) when the named device has
 * no target: not bound to dmactl and no file attached; -ENOMEM.
 */
int dmactl_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[DMACTL_A_STATS_DEV];
	struct dmactl_target *t = NULL;
	struct sk_buff *msg;
	void *hdr;
	int ret = -ENOMEM;

	if (name) {
		t = dmactl_target_get_by_name(nla_data(name));
		if (!t) {
			NL_SET_ERR_MSG_ATTR(info->extack, name,
					    "no target: not bound to dmactl and no file attached");
			return -ENODEV;
		}
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || dmactl_nl_stats_fill(msg, t)) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	if (t)
		dmactl_target_put(t);
	return ret;
}

static int dmactl_nl_stats_fill_nth(struct sk_buff *skb, int i, void *all)
{
	return dmactl_nl_stats_fill(skb, ((struct dmactl_target **)all)[i]);
}

/**
 * dmactl_nl_stats_get_dumpit() - DMACTL_NL_CMD_STATS_GET for every device
 *	with a target
 * @skb: the message being filled
 * @cb: the dump; cb->args[0] is the next target to send
 *
 * Return: skb->len while there is more, 0 at the end, or -ENOMEM.
 */
int dmactl_nl_stats_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	struct dmactl_target **all;
	int n, ret;

	n = dmactl_targets_get_all(&all);
	if (n < 0)
		return n;
	ret = dmactl_nl_dump(skb, cb, DMACTL_NL_CMD_STATS_GET, n,
			     dmactl_nl_stats_fill_nth, all);
	dmactl_targets_put_all(all, n);
	return ret;
}

/* ---- DMACTL_NL_CMD_ALLOW, DMACTL_NL_CMD_DISALLOW (GENL_ADMIN_PERM) ---- */

/*
 * The device name of a request, or NULL with an extack message.  Changing
 * the allow list gives a device to (or takes it from) whoever opens
 * /dev/dmactl, which needs CAP_SYS_ADMIN: so does this, beyond the
 * CAP_NET_ADMIN of GENL_ADMIN_PERM.
 */
static const char *dmactl_nl_name(struct genl_info *info)
{
	struct nlattr *attr;

	if (!capable(CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "changing the allow list needs CAP_SYS_ADMIN");
		return ERR_PTR(-EPERM);
	}

	if (GENL_REQ_ATTR_CHECK(info, DMACTL_A_DEV_NAME))
		return ERR_PTR(-EINVAL);
	attr = info->attrs[DMACTL_A_DEV_NAME];
	if (!*(const char *)nla_data(attr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "empty device name");
		return ERR_PTR(-EINVAL);
	}
	return nla_data(attr);
}

/**
 * dmactl_nl_allow_doit() - DMACTL_NL_CMD_ALLOW
 * @skb: the request
 * @info: its attributes, validated by the generated policy
 *
 * Return: 0; -EPERM without CAP_SYS_ADMIN; -EINVAL for a missing or empty
 * name; -EDQUOT when the list is full (with an extack message); -ENOMEM.
 */
int dmactl_nl_allow_doit(struct sk_buff *skb, struct genl_info *info)
{
	const char *name = dmactl_nl_name(info);
	int ret;

	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = dmactl_allow(name);
	if (ret == -EDQUOT)
		NL_SET_ERR_MSG(info->extack, "the allow list is full (max_allowed)");
	return ret;
}

/**
 * dmactl_nl_disallow_doit() - DMACTL_NL_CMD_DISALLOW
 * @skb: the request
 * @info: its attributes, validated by the generated policy
 *
 * Context: revokes the device's shared target before returning.
 *
 * Return: 0; -EPERM without CAP_SYS_ADMIN; -EINVAL for a missing or empty
 * name; -ENOENT (with an extack message) when the name is not on the
 * allow list.
 */
int dmactl_nl_disallow_doit(struct sk_buff *skb, struct genl_info *info)
{
	const char *name = dmactl_nl_name(info);
	int ret;

	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = dmactl_disallow(name);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DMACTL_A_DEV_NAME],
				    "not on the allow list");
	return ret;
}

/* ---- the events group ---- */

/* Begin an event for @t, or NULL when nobody listens or out of memory. */
static struct sk_buff *dmactl_nl_event_new(struct dmactl_target *t, u32 type,
					   void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&dmactl_nl_family, &init_net,
				DMACTL_NLGRP_EVENTS))
		return NULL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &dmactl_nl_family, 0,
			   DMACTL_NL_CMD_EVENT);
	if (!*hdr || nla_put_u32(msg, DMACTL_A_EVENT_TYPE, type) ||
	    nla_put_string(msg, DMACTL_A_EVENT_DEV, dev_name(t->dev))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Send an event begun by dmactl_nl_event_new(), or drop it on @err. */
static void dmactl_nl_event_send(struct sk_buff *msg, void *hdr, int err)
{
	if (err) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&dmactl_nl_family, msg, 0, DMACTL_NLGRP_EVENTS,
			  GFP_KERNEL);
}

static int dmactl_nl_file_put(struct sk_buff *msg, struct dmactl_ctx *ctx)
{
	if (nla_put_u32(msg, DMACTL_A_EVENT_PID, ctx->pid) ||
	    nla_put_string(msg, DMACTL_A_EVENT_COMM, ctx->comm))
		return -EMSGSIZE;
	return 0;
}

static int dmactl_nl_teardown_put(struct sk_buff *msg,
				  const struct dmactl_teardown *td)
{
	if (nla_put_u32(msg, DMACTL_A_EVENT_BUFS, td->bufs) ||
	    nla_put_u32(msg, DMACTL_A_EVENT_IOVAS, td->iovas) ||
	    nla_put_uint(msg, DMACTL_A_EVENT_LINKS, td->links) ||
	    nla_put_u32(msg, DMACTL_A_EVENT_BENCHES, td->benches))
		return -EMSGSIZE;
	return 0;
}

/**
 * dmactl_nl_dev_revoked() - DMACTL_EVENT_TYPE_DEV_REVOKED
 * @t: the target, revoked
 * @td: what its revocation tore down
 *
 * Context: process, no lock of the target held.
 */
void dmactl_nl_dev_revoked(struct dmactl_target *t,
			   const struct dmactl_teardown *td)
{
	struct sk_buff *msg;
	void *hdr;

	msg = dmactl_nl_event_new(t, DMACTL_EVENT_TYPE_DEV_REVOKED, &hdr);
	if (msg)
		dmactl_nl_event_send(msg, hdr,
				     nla_put_u32(msg, DMACTL_A_EVENT_FILES,
						 td->files) ||
				     dmactl_nl_teardown_put(msg, td));
}

/**
 * dmactl_nl_file_released() - DMACTL_EVENT_TYPE_FILE_RELEASED
 * @t: the file's target
 * @ctx: the file's context
 * @td: what its release tore down
 *
 * Context: process, no lock of the target held.
 */
void dmactl_nl_file_released(struct dmactl_target *t, struct dmactl_ctx *ctx,
			     const struct dmactl_teardown *td)
{
	struct sk_buff *msg;
	void *hdr;

	msg = dmactl_nl_event_new(t, DMACTL_EVENT_TYPE_FILE_RELEASED, &hdr);
	if (msg)
		dmactl_nl_event_send(msg, hdr, dmactl_nl_file_put(msg, ctx) ||
				     dmactl_nl_teardown_put(msg, td));
}

/**
 * dmactl_nl_copy_event() - DMACTL_EVENT_TYPE_FAULT_INJECTED or
 *	DMACTL_EVENT_TYPE_DMA_FAULT, about a copy
 * @t: the target
 * @ctx: the file that asked for the copy
 * @type: which of the two
 * @cmd: the copy, with its results
 * @err: the copy's outcome, 0 or a negative errno
 *
 * Context: process.
 */
void dmactl_nl_copy_event(struct dmactl_target *t, struct dmactl_ctx *ctx,
			  u32 type, const struct dmactl_copy *cmd, int err)
{
	struct sk_buff *msg;
	void *hdr;

	msg = dmactl_nl_event_new(t, type, &hdr);
	if (!msg)
		return;
	dmactl_nl_event_send(msg, hdr,
			     dmactl_nl_file_put(msg, ctx) ||
			     nla_put_u32(msg, DMACTL_A_EVENT_IOVA_ID,
					 cmd->dst_iova_id) ||
			     nla_put_uint(msg, DMACTL_A_EVENT_OFFSET,
					  cmd->dst_offset) ||
			     nla_put_uint(msg, DMACTL_A_EVENT_LENGTH,
					  cmd->length) ||
			     nla_put_s32(msg, DMACTL_A_EVENT_ERROR, err) ||
			     nla_put_uint(msg, DMACTL_A_EVENT_MISMATCHES,
					  cmd->out_mismatches) ||
			     nla_put_uint(msg, DMACTL_A_EVENT_GUARD_DAMAGE,
					  cmd->out_guard_damage));
}

/**
 * dmactl_nl_init() - register the family
 *
 * Return: 0 or a negative errno.
 */
int dmactl_nl_init(void)
{
	BUILD_BUG_ON(ARRAY_SIZE(dmactl_counter_attrs) != DMACTL_NR_COUNTERS);
	return genl_register_family(&dmactl_nl_family);
}

/**
 * dmactl_nl_exit() - unregister the family
 */
void dmactl_nl_exit(void)
{
	genl_unregister_family(&dmactl_nl_family);
}
