// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: shared mode -- the allow list and its sysfs files.
 *
 * A device that keeps its own driver (nvme, mlx5_core, ...) is handed to
 * dmactl by root writing its name to /sys/class/misc/dmactl/allow (or the
 * netlink family's ALLOW).  dmactl then maps into the same IOMMU domain
 * as the device's live I/O.  Taking a name off the list (disallow)
 * revokes the device's shared target before it returns: what was mapped
 * under the permission goes with it.  The list lives under
 * dmactl_targets_lock, so that ATTACH sees a name and makes its target in
 * one step (target.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "dmactl_private.h"

/**
 * struct dmactl_allowed - a device name on the allow list
 * @node: on dmactl_allowed
 * @name: the device's name on its bus
 */
struct dmactl_allowed {
	struct list_head node;
	char name[DMACTL_NAME_MAX];
};

/* Under dmactl_targets_lock. */
static LIST_HEAD(dmactl_allowed);
static unsigned int dmactl_nr_allowed;	/* entries of dmactl_allowed */

/**
 * dmactl_is_allowed() - is a device name on the allow list?
 * @name: the name
 *
 * Context: dmactl_targets_lock held.
 *
 * Return: true if it is.
 */
bool dmactl_is_allowed(const char *name)
{
	struct dmactl_allowed *a;

	lockdep_assert_held(&dmactl_targets_lock);
	list_for_each_entry(a, &dmactl_allowed, node)
		if (!strcmp(a->name, name))
			return true;
	return false;
}

/* Copy a name written to sysfs, without its newline; -EINVAL if bad. */
static int dmactl_sysfs_name(const char *buf, size_t count, char *name)
{
	size_t len = count;

	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len >= DMACTL_NAME_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(name, buf, len);
	name[len] = '\0';
	return 0;
}

/**
 * dmactl_allow() - put a device name on the allow list
 * @name: the name, terminated, shorter than DMACTL_NAME_MAX
 *
 * The device need not exist yet.  Allowing a name twice is not an error.
 *
 * Return: 0; -EDQUOT when the list holds max_allowed names (counted
 * under the rule "limit"); -ENOMEM.
 */
int dmactl_allow(const char *name)
{
	struct dmactl_allowed *a;
	int ret = 0;

	a = kzalloc_obj(*a, GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	strscpy(a->name, name);
	mutex_lock(&dmactl_targets_lock);
	if (dmactl_is_allowed(a->name)) {
		kfree(a);
	} else if (dmactl_allow_list_full(dmactl_nr_allowed)) {
		kfree(a);
		ret = dmactl_reject(NULL, DMACTL_RULE_LIMIT, -EDQUOT);
	} else {
		list_add_tail(&a->node, &dmactl_allowed);
		dmactl_nr_allowed++;
	}
	mutex_unlock(&dmactl_targets_lock);
	return ret;
}

/**
 * dmactl_disallow() - take a device name off the allow list
 * @name: the name
 *
 * What was mapped under the permission goes with it: the device's shared
 * target is revoked before this returns.
 *
 * Return: 0, or -ENOENT if the name is not on the list.
 */
int dmactl_disallow(const char *name)
{
	struct dmactl_allowed *a, *found = NULL;

	mutex_lock(&dmactl_targets_lock);
	list_for_each_entry(a, &dmactl_allowed, node) {
		if (!strcmp(a->name, name)) {
			found = a;
			list_del(&a->node);
			dmactl_nr_allowed--;
			break;
		}
	}
	mutex_unlock(&dmactl_targets_lock);
	if (!found)
		return -ENOENT;
	kfree(found);
	dmactl_targets_revoke_by(NULL, name, false);
	return 0;
}

/*
 * Apply @fn to a device name written to sysfs; the write's return value.
 * The allow list hands devices to /dev/dmactl: CAP_SYS_ADMIN, as there.
 */
static ssize_t dmactl_sysfs_apply(const char *buf, size_t count,
				  int (*fn)(const char *name))
{
	char name[DMACTL_NAME_MAX];
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = dmactl_sysfs_name(buf, count, name);
	if (!ret)
		ret = fn(name);
	return ret ? ret : count;
}

static ssize_t allow_store(struct device *d, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	return dmactl_sysfs_apply(buf, count, dmactl_allow);
}
static DEVICE_ATTR_WO(allow);
static ssize_t disallow_store(struct device *d, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	return dmactl_sysfs_apply(buf, count, dmactl_disallow);
}
static DEVICE_ATTR_WO(disallow);
static ssize_t allowed_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct dmactl_allowed *a;
	int len = 0;

	guard(mutex)(&dmactl_targets_lock);
	list_for_each_entry(a, &dmactl_allowed, node)
		len += sysfs_emit_at(buf, len, "%s\n", a->name);
	return len;
}
static DEVICE_ATTR_ADMIN_RO(allowed);

static struct attribute *dmactl_misc_attrs[] = {
	&dev_attr_allow.attr,
	&dev_attr_disallow.attr,
	&dev_attr_allowed.attr,
	NULL,
};

static const struct attribute_group dmactl_misc_group = {
	.attrs = dmactl_misc_attrs,
};

const struct attribute_group *dmactl_misc_groups[] = {
	&dmactl_misc_group,
	NULL,
};

/**
 * dmactl_allowed_each_locked() - walk the allow list
 * @fn: called on each name, in the order they were allowed; NULL to
 *	count only
 * @arg: passed to @fn
 *
 * Context: dmactl_targets_lock held, so the list and the names stay.
 *
 * Return: how many names the list holds.
 */
unsigned int dmactl_allowed_each_locked(void (*fn)(const char *name,
						   void *arg),
					void *arg)
{
	struct dmactl_allowed *a;

	lockdep_assert_held(&dmactl_targets_lock);
	if (fn)
		list_for_each_entry(a, &dmactl_allowed, node)
			fn(a->name, arg);
	return dmactl_nr_allowed;
}

/**
 * dmactl_allowed_free_all() - empty the allow list
 *
 * Context: module exit, every target revoked.
 */
void dmactl_allowed_free_all(void)
{
	struct dmactl_allowed *a, *next;

	list_for_each_entry_safe(a, next, &dmactl_allowed, node)
		kfree(a);
}
