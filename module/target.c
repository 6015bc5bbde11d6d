// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the devices contexts attach to, and their revocation.
 *
 * Two ways for root to hand a device to dmactl:
 *  - exclusive: bind it to dmactl's PCI or platform driver through
 *    driver_override (the drivers have no ID table, so they bind nothing
 *    else), for devices dmactl drives itself;
 *  - shared: write its name to /sys/class/misc/dmactl/allow; the device
 *    keeps its own driver and dmactl maps into the same IOMMU domain.
 *
 * A device can go away.  Before dmactl's own remove() returns, or when a
 * shared device's driver unbinds or the device is deleted (a bus
 * notifier), every object of every context attached to it is torn down
 * under the target's rwsem held for writing; from then on operations on
 * it give -ENODEV, and release() still works.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swiotlb.h>

#include "dmactl.h"

/* Protects dmactl_targets, dmactl_targets_seq and dmactl_allowed. */
static DEFINE_MUTEX(dmactl_targets_lock);
static LIST_HEAD(dmactl_targets);
/* The last target's struct dmactl_target.seq. */
static u64 dmactl_targets_seq;

/**
 * struct dmactl_allowed - a device name on the allow list
 * @node: on dmactl_allowed
 * @name: the device's name on its bus
 */
struct dmactl_allowed {
	struct list_head node;
	char name[DMACTL_NAME_MAX];
};

static LIST_HEAD(dmactl_allowed);
static unsigned int dmactl_nr_allowed;	/* entries of dmactl_allowed */

static void dmactl_target_release(struct kref *kref)
{
	struct dmactl_target *t = container_of(kref, struct dmactl_target, kref);

	dmactl_engine_destroy(t->engine);
	put_device(t->dev);
	mutex_destroy(&t->engine_lock);
	mutex_destroy(&t->ctxs_lock);
	kfree(t);
	dmactl_count(NULL, DMACTL_C_LIVE_TARGETS, -1);
}

/**
 * dmactl_target_put() - drop a reference to a target
 * @t: the target
 */
void dmactl_target_put(struct dmactl_target *t)
{
	kref_put(&t->kref, dmactl_target_release);
}

/* A new target on the global list, which holds the reference returned. */
static struct dmactl_target *dmactl_target_create(struct device *dev,
						  bool exclusive,
						  struct dmactl_engine *engine)
{
	struct dmactl_target *t;

	lockdep_assert_held(&dmactl_targets_lock);
	t = kzalloc_obj(*t, GFP_KERNEL);
	if (!t)
		return NULL;
	kref_init(&t->kref);
	t->dev = get_device(dev);
	init_rwsem(&t->rwsem);
	t->exclusive = exclusive;
	mutex_init(&t->ctxs_lock);
	INIT_LIST_HEAD(&t->ctxs);
	mutex_init(&t->engine_lock);
	t->engine = engine;
	t->seq = ++dmactl_targets_seq;
	list_add_tail(&t->node, &dmactl_targets);
	dmactl_count(NULL, DMACTL_C_LIVE_TARGETS, 1);
	return t;
}

/* The live target of a device, with a reference, or NULL. */
static struct dmactl_target *dmactl_target_find(struct device *dev,
						const char *name)
{
	struct dmactl_target *t;

	lockdep_assert_held(&dmactl_targets_lock);
	list_for_each_entry(t, &dmactl_targets, node) {
		if (READ_ONCE(t->dead))
			continue;
		if ((dev && t->dev == dev) ||
		    (name && !strcmp(dev_name(t->dev), name))) {
			kref_get(&t->kref);
			return t;
		}
	}
	return NULL;
}

/*
 * Stop what the device itself may still be doing with memory: an
 * exclusive PCI device's bus mastering goes off, so a transfer of its
 * engine that timed out and could not be stopped can no longer reach
 * memory, and the objects it kept busy can go.  A shared device belongs
 * to its driver; an engine of it that cannot be stopped keeps its objects
 * (and their pages) for good.
 */
static void dmactl_target_stop_dma(struct dmactl_target *t)
{
	lockdep_assert_held_write(&t->rwsem);
	if (t->exclusive && dev_is_pci(t->dev)) {
		pci_clear_master(to_pci_dev(t->dev));
		t->dma_stopped = true;
	}
}

/*
 * Revoke a target: tear down every object on it, mark it dead and take it
 * off the global list, and say so on the events group.  Waits for
 * operations in progress on it, each of which holds the rwsem for a
 * bounded time (at most one engine transfer): nothing waits on userspace
 * under it.  Files closed earlier whose objects an engine kept busy are
 * freed here once those objects could go.
 */
static void dmactl_target_revoke(struct dmactl_target *t)
{
	struct dmactl_teardown td = {};
	struct dmactl_ctx *ctx;
	LIST_HEAD(released);
	bool listed, revoked;

	WRITE_ONCE(t->revoking, true);
	down_write(&t->rwsem);
	revoked = !t->dead;
	if (revoked) {
		WRITE_ONCE(t->dead, true);
		dmactl_target_stop_dma(t);
		mutex_lock(&t->ctxs_lock);
		list_for_each_entry(ctx, &t->ctxs, target_node) {
			if (!ctx->released)
				td.files++;
			dmactl_ctx_kill_all(ctx, &td);
		}
		dmactl_ctxs_take_released(t, &released);
		mutex_unlock(&t->ctxs_lock);
		dmactl_engine_revoke(t);
		dev_dbg(t->dev, "revoked\n");
	}
	up_write(&t->rwsem);
	if (revoked)
		dmactl_nl_dev_revoked(t, &td);
	dmactl_ctxs_free_released(t, &released);

	mutex_lock(&dmactl_targets_lock);
	listed = !list_empty(&t->node);
	list_del_init(&t->node);
	mutex_unlock(&dmactl_targets_lock);
	if (listed)
		dmactl_target_put(t);
}

/**
 * dmactl_target_read_lock() - begin an operation on a target's objects
 * @t: the target
 *
 * Return: 0 with the target's rwsem held for reading, or -ENODEV (not
 * held) if the target was revoked.
 */
int dmactl_target_read_lock(struct dmactl_target *t)
{
	down_read(&t->rwsem);
	if (t->dead) {
		up_read(&t->rwsem);
		return dmactl_reject(t, DMACTL_RULE_M4, -ENODEV);
	}
	return 0;
}

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

/**
 * dmactl_target_take_mask() - set a device's DMA mask for a benchmark run
 * @t: the target, not locked by the caller
 * @mask: the new mask, for streaming and coherent mappings
 * @saved: the streaming mask before
 * @saved_coherent: the coherent mask before
 *
 * Only a device bound to dmactl, with no object in any file: a mask
 * changed under a live mapping, or under another driver, would make the
 * kernel's view of the device a lie.  Until dmactl_target_put_mask() no
 * file can make objects on @t.
 *
 * Return: 0 with @t's rwsem held for reading; else, not held: -EPERM for
 * a shared device, -EBUSY while objects or another run's mask exist,
 * -ENODEV once revoked, -EIO if the DMA layer refuses the mask.
 */
int dmactl_target_take_mask(struct dmactl_target *t, u64 mask, u64 *saved,
			    u64 *saved_coherent)
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

/**
 * dmactl_target_put_mask() - restore the DMA mask a run changed
 * @t: the target, its rwsem held by the caller (either way)
 * @saved: the streaming mask dmactl_target_take_mask() saved
 * @saved_coherent: the coherent mask it saved
 */
void dmactl_target_put_mask(struct dmactl_target *t, u64 saved,
			    u64 saved_coherent)
{
	lockdep_assert_held(&t->rwsem);
	/* Both were accepted for this device before. */
	if (dma_set_mask(t->dev, saved) ||
	    dma_set_coherent_mask(t->dev, saved_coherent))
		dev_err(t->dev, "could not restore the DMA mask\n");
	WRITE_ONCE(t->mask_bench, false);
}

/**
 * dmactl_target_read_unlock() - end an operation on a target's objects
 * @t: the target
 */
void dmactl_target_read_unlock(struct dmactl_target *t)
{
	up_read(&t->rwsem);
}

static bool dmactl_is_allowed(const char *name)
{
	struct dmactl_allowed *a;

	lockdep_assert_held(&dmactl_targets_lock);
	list_for_each_entry(a, &dmactl_allowed, node)
		if (!strcmp(a->name, name))
			return true;
	return false;
}

/**
 * dmactl_targets_get_all() - every live target, each with a reference
 * @out: an array the caller frees with dmactl_targets_put_all()
 *
 * Return: how many, or -ENOMEM.  Targets made meanwhile are missed.
 */
int dmactl_targets_get_all(struct dmactl_target ***out)
{
	struct dmactl_target **all, *t;
	int n = 0;

	guard(mutex)(&dmactl_targets_lock);
	list_for_each_entry(t, &dmactl_targets, node)
		n++;
	all = kcalloc(n, sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	n = 0;
	list_for_each_entry(t, &dmactl_targets, node) {
		kref_get(&t->kref);
		all[n++] = t;
	}
	*out = all;
	return n;
}

/**
 * dmactl_targets_put_all() - drop what dmactl_targets_get_all() returned
 * @all: the array
 * @n: its length
 */
void dmactl_targets_put_all(struct dmactl_target **all, int n)
{
	int i;

	for (i = 0; i < n; i++)
		dmactl_target_put(all[i]);
	kfree(all);
}

/* The first target made after @seq, with a reference, or NULL. */
static struct dmactl_target *dmactl_target_after(u64 seq)
{
	struct dmactl_target *t;

	guard(mutex)(&dmactl_targets_lock);
	list_for_each_entry(t, &dmactl_targets, node) {
		if (t->seq > seq) {
			kref_get(&t->kref);
			return t;
		}
	}
	return NULL;
}

/**
 * dmactl_targets_for_each() - call a function on every target
 * @fn: called with a reference held and no lock of ours
 * @arg: passed to @fn
 *
 * Allocates nothing, so that a revocation cannot skip a target for want
 * of memory: it walks the list in the order targets were made, letting
 * go of the list's lock while @fn runs.  Targets made while it runs may
 * or may not be seen; a target may be dead by the time @fn sees it.
 *
 * Context: process; sleeps.
 */
void dmactl_targets_for_each(void (*fn)(struct dmactl_target *t, void *arg),
			     void *arg)
{
	struct dmactl_target *t;
	u64 seq = 0;

	while ((t = dmactl_target_after(seq))) {
		seq = t->seq;
		fn(t, arg);
		dmactl_target_put(t);
	}
}

/**
 * dmactl_target_get_by_name() - the live target of a device
 * @name: the device's name on its bus
 *
 * Return: the target with a reference the caller drops, or NULL when the
 * device is not bound to dmactl and no file is attached to it.
 */
struct dmactl_target *dmactl_target_get_by_name(const char *name)
{
	guard(mutex)(&dmactl_targets_lock);
	return dmactl_target_find(NULL, name);
}

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

/**
 * dmactl_devs_list() - the devices dmactl may map for
 * @out: an array the caller kfree()s: every device bound to dmactl, then
 *	every name on the allow list not among them
 *
 * Return: how many, or -ENOMEM.
 */
int dmactl_devs_list(struct dmactl_dev_info **out)
{
	struct dmactl_dev_info *info;
	struct dmactl_allowed *a;
	struct dmactl_target *t;
	int n = 0, i = 0;

	guard(mutex)(&dmactl_targets_lock);
	list_for_each_entry(t, &dmactl_targets, node)
		n++;
	list_for_each_entry(a, &dmactl_allowed, node)
		n++;
	info = kcalloc(n, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	list_for_each_entry(t, &dmactl_targets, node)
		if (t->exclusive && !READ_ONCE(t->dead))
			dmactl_dev_info_fill(&info[i++], dev_name(t->dev));
	list_for_each_entry(a, &dmactl_allowed, node)
		dmactl_dev_info_fill(&info[i++], a->name);
	*out = info;
	return i;
}

/**
 * dmactl_dev_info_get() - one device dmactl may map for
 * @name: its name on its bus
 * @info: filled in
 *
 * Return: 0, or -ENODEV when it is neither bound to dmactl nor allowed.
 */
int dmactl_dev_info_get(const char *name, struct dmactl_dev_info *info)
{
	guard(mutex)(&dmactl_targets_lock);
	dmactl_dev_info_fill(info, name);
	return info->bound || info->allowed ? 0 : -ENODEV;
}

/**
 * dmactl_find_device() - a device by its name on the PCI or platform bus
 * @name: the name
 *
 * Return: the device with a reference held, or NULL.
 */
struct device *dmactl_find_device(const char *name)
{
	struct device *dev;

	dev = bus_find_device_by_name(&pci_bus_type, NULL, name);
	if (!dev)
		dev = bus_find_device_by_name(&platform_bus_type, NULL, name);
	return dev;
}

/*
 * May dmactl map for a device in shared mode?  Only while a driver that
 * uses the DMA API is bound to it: the IOMMU core refuses to change the
 * default domain of a group with such a driver (owner_cnt), and before it
 * unbinds, the bus notifier revokes the target.  Without a driver, or
 * under one that manages DMA itself (vfio-pci: driver_managed_dma), the
 * domain can change at any time (iommu_group/type, a new owner), and
 * the dma_iova_* state of every object would then point into a domain
 * that is gone.
 */
static bool dmactl_dev_uses_dma_api(struct device *dev)
{
	const struct device_driver *drv = dev->driver;

	device_lock_assert(dev);
	if (!drv)
		return false;
	if (dev_is_pci(dev))
		return !to_pci_driver(drv)->driver_managed_dma;
	if (dev_is_platform(dev))
		return !to_platform_driver(drv)->driver_managed_dma;
	return false;
}

/**
 * dmactl_target_attach() - the target for a device name, for ATTACH
 * @name: the device's name on its bus
 * @out: the target, with a reference for the caller
 *
 * A device bound to dmactl gets its exclusive target.  An allowed device
 * gets a shared target while a driver that uses the DMA API is bound to
 * it; the check and the making of the target happen under the device
 * lock, which an unbind holds from its notifier on, so no target is made
 * that the unbind would not revoke.
 *
 * Return: 0; -ENODEV if there is no such device; -EPERM if it is neither
 * bound to dmactl nor allowed; -ENXIO if it is allowed but no driver
 * using the DMA API is bound to it; -EINTR; -ENOMEM.
 */
int dmactl_target_attach(const char *name, struct dmactl_target **out)
{
	struct dmactl_target *t;
	struct device *dev;
	int ret;

	mutex_lock(&dmactl_targets_lock);
	t = dmactl_target_find(NULL, name);
	mutex_unlock(&dmactl_targets_lock);
	if (t) {
		*out = t;
		return 0;
	}
	dev = dmactl_find_device(name);
	if (!dev)
		return -ENODEV;
	ret = device_lock_interruptible(dev);
	if (ret)
		goto out_put;
	mutex_lock(&dmactl_targets_lock);
	/* Bound to dmactl meanwhile, or attached by another file. */
	t = dmactl_target_find(NULL, name);
	if (t) {
		*out = t;
	} else if (!dmactl_is_allowed(name)) {
		ret = -EPERM;
	} else if (!dmactl_dev_uses_dma_api(dev)) {
		ret = -ENXIO;
	} else {
		t = dmactl_target_create(dev, false, NULL);
		if (t) {
			kref_get(&t->kref);
			*out = t;
		} else {
			ret = -ENOMEM;
		}
	}
	mutex_unlock(&dmactl_targets_lock);
	device_unlock(dev);
out_put:
	put_device(dev);
	return ret;
}

/**
 * dmactl_target_granule() - the granule links are checked against
 * @t: the target
 *
 * Return: dma_get_merge_boundary() + 1 for a device behind an IOMMU, the
 * page size otherwise, bytes.
 */
u64 dmactl_target_granule(struct dmactl_target *t)
{
	unsigned long boundary = dma_get_merge_boundary(t->dev);

	return boundary ? (u64)boundary + 1 : PAGE_SIZE;
}

static u32 dmactl_domain_type(struct iommu_domain *domain)
{
	if (!domain)
		return DMACTL_DOMAIN_NONE;
	switch (domain->type) {
	case IOMMU_DOMAIN_IDENTITY:
		return DMACTL_DOMAIN_IDENTITY;
	case IOMMU_DOMAIN_DMA:
		return DMACTL_DOMAIN_DMA;
	case IOMMU_DOMAIN_DMA_FQ:
		return DMACTL_DOMAIN_DMA_FQ;
	case IOMMU_DOMAIN_BLOCKED:
		return DMACTL_DOMAIN_BLOCKED;
	default:
		return DMACTL_DOMAIN_OTHER;
	}
}

/**
 * dmactl_target_describe() - fill ATTACH's reply
 * @t: the target
 * @cmd: the reply
 */
void dmactl_target_describe(struct dmactl_target *t, struct dmactl_attach *cmd)
{
	struct device *dev = t->dev;
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);
	int node = dev_to_node(dev);

	cmd->out_domain = dmactl_domain_type(domain);
	cmd->out_flags = t->exclusive ? DMACTL_ATTACH_OUT_EXCLUSIVE :
					DMACTL_ATTACH_OUT_SHARED;
	if (dev_is_dma_coherent(dev))
		cmd->out_flags |= DMACTL_ATTACH_OUT_COHERENT;
	if (domain && iommu_is_dma_domain(domain))
		cmd->out_flags |= DMACTL_ATTACH_OUT_IOVA_USABLE;
	if (is_swiotlb_force_bounce(dev) || dma_addressing_limited(dev))
		cmd->out_flags |= DMACTL_ATTACH_OUT_SWIOTLB;
	cmd->out_granule = dmactl_target_granule(t);
	cmd->out_dma_mask = dma_get_mask(dev);
	cmd->out_dma_mask_bits = fls64(cmd->out_dma_mask);
	cmd->out_max_mapping_size = dma_max_mapping_size(dev);
	cmd->out_opt_mapping_size = dma_opt_mapping_size(dev);
	cmd->out_numa_node = node == NUMA_NO_NODE ? DMACTL_NO_NODE : node;
}

/* ---- exclusive mode: dmactl's own drivers ---- */

static void dmactl_found_take(struct device *dev, struct dmactl_found *f)
{
	f->dma_mask = dev->dma_mask;
	f->mask = dma_get_mask(dev);
	f->coherent_mask = dev->coherent_dma_mask;
	f->master = dev_is_pci(dev) && to_pci_dev(dev)->is_busmaster;
}

/* Hand the device back as probe found it: DMA masks, bus mastering. */
static void dmactl_found_restore(struct device *dev,
				 const struct dmactl_found *f)
{
	if (dev_is_pci(dev)) {
		if (f->master)
			pci_set_master(to_pci_dev(dev));
		else
			pci_clear_master(to_pci_dev(dev));
	}
	dev->coherent_dma_mask = f->coherent_mask;
	if (f->dma_mask && f->dma_mask == dev->dma_mask)
		*dev->dma_mask = f->mask;
	dev->dma_mask = f->dma_mask;
}

static int dmactl_add_exclusive(struct device *dev, struct dmactl_engine *engine,
				const struct dmactl_found *found)
{
	struct dmactl_target *t;

	guard(mutex)(&dmactl_targets_lock);
	t = dmactl_target_create(dev, true, engine);
	if (!t)
		return -ENOMEM;
	t->found = *found;
	/* drvdata's own reference: an unbind's notifier revokes first. */
	kref_get(&t->kref);
	dev_set_drvdata(dev, t);
	return 0;
}

static void dmactl_remove_exclusive(struct device *dev)
{
	struct dmactl_target *t = dev_get_drvdata(dev);
	struct dmactl_found found = t->found;

	dmactl_target_revoke(t);
	dmactl_target_put(t);
	dmactl_found_restore(dev, &found);
	dev_set_drvdata(dev, NULL);
}

/*
 * Bind a PCI device.  Only a device dmactl drives itself (edu) gets bus
 * mastering; every other one gets the widest DMA mask it takes, for the
 * mappings made for it.  Remove restores both.
 */
static int dmactl_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct dmactl_engine *engine = NULL;
	bool edu = dmactl_edu_match(pdev);
	struct dmactl_found found;
	int ret;

	dmactl_found_take(&pdev->dev, &found);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (edu) {
		/* A DMA engine with its own mask. */
		ret = dmactl_edu_setup(pdev, &engine);
	} else {
		ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
		if (ret)
			ret = dma_set_mask_and_coherent(&pdev->dev,
							DMA_BIT_MASK(32));
	}
	if (!ret)
		ret = dmactl_add_exclusive(&pdev->dev, engine, &found);
	if (ret) {
		dmactl_engine_destroy(engine);
		dmactl_found_restore(&pdev->dev, &found);
	}
	return ret;
}

static void dmactl_pci_remove(struct pci_dev *pdev)
{
	dmactl_remove_exclusive(&pdev->dev);
}

/* No ID table: binds only through driver_override. */
static struct pci_driver dmactl_pci_driver = {
	.name = KBUILD_MODNAME,
	.probe = dmactl_pci_probe,
	.remove = dmactl_pci_remove,
};

static int dmactl_platform_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct dmactl_found found;
	int ret;

	dmactl_found_take(dev, &found);
	/* dma_map_phys() WARNs on a device without a DMA mask. */
	if (!dev->dma_mask)
		dev->dma_mask = &dev->coherent_dma_mask;
	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (!ret)
		ret = dmactl_add_exclusive(dev, NULL, &found);
	if (ret)
		dmactl_found_restore(dev, &found);
	return ret;
}

static void dmactl_platform_remove(struct platform_device *pdev)
{
	dmactl_remove_exclusive(&pdev->dev);
}

static struct platform_driver dmactl_platform_driver = {
	.driver.name = KBUILD_MODNAME,
	.probe = dmactl_platform_probe,
	.remove = dmactl_platform_remove,
};

/* ---- shared mode: the allow list and the bus notifier ---- */

/* Revoke the shared target of a device or a name, if there is one. */
/*
 * Revoke the target of a device or a name, if there is one: a shared one
 * only, unless @exclusive_too (an unbind: dmactl's own driver's too, so
 * nothing new -- a published BAR -- comes of it once the unbind began).
 */
static void dmactl_revoke_by(struct device *dev, const char *name,
			     bool exclusive_too)
{
	struct dmactl_target *t;

	mutex_lock(&dmactl_targets_lock);
	t = dmactl_target_find(dev, name);
	mutex_unlock(&dmactl_targets_lock);
	if (!t)
		return;
	if (!t->exclusive || exclusive_too)
		dmactl_target_revoke(t);
	dmactl_target_put(t);
}

static int dmactl_bus_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	/*
	 * A device whose driver unbinds may get another domain; one that is
	 * deleted is gone.  Either way its objects go first.
	 */
	if (action == BUS_NOTIFY_UNBIND_DRIVER || action == BUS_NOTIFY_DEL_DEVICE)
		dmactl_revoke_by(data, NULL, true);
	return NOTIFY_DONE;
}

static int dmactl_pci_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);

	/*
	 * The device's own target goes first: then dmactl's driver, if it
	 * is the one unbinding, publishes no more P2P memory.  Any PCI
	 * driver may have published some, whose teardown after remove()
	 * waits for every page of it: buffers of it go before the driver
	 * does (rule M35).
	 */
	dmactl_bus_notify(nb, action, data);
	if (action == BUS_NOTIFY_UNBIND_DRIVER)
		dmactl_p2p_revoke_provider(pdev);
	else if (action == BUS_NOTIFY_UNBOUND_DRIVER)
		dmactl_p2p_provider_gone(pdev);
	return NOTIFY_DONE;
}

static struct notifier_block dmactl_pci_nb = {
	.notifier_call = dmactl_pci_notify,
};

static struct notifier_block dmactl_platform_nb = {
	.notifier_call = dmactl_bus_notify,
};

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
	dmactl_revoke_by(NULL, name, false);
	return 0;
}

/* Apply @fn to a device name written to sysfs; the write's return value. */
static ssize_t dmactl_sysfs_apply(const char *buf, size_t count,
				  int (*fn)(const char *name))
{
	char name[DMACTL_NAME_MAX];
	int ret;

	ret = dmactl_sysfs_name(buf, count, name);
	if (!ret)
		ret = fn(name);
	return ret ? ret : count;
}

/* The allow list hands devices to /dev/dmactl: CAP_SYS_ADMIN, as there. */
static ssize_t allow_store(struct device *d, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return dmactl_sysfs_apply(buf, count, dmactl_allow);
}
static DEVICE_ATTR_WO(allow);

static ssize_t disallow_store(struct device *d, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
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
 * dmactl_targets_init() - register the drivers and the bus notifiers
 *
 * Return: 0 or a negative errno.
 */
int dmactl_targets_init(void)
{
	int ret;

	ret = bus_register_notifier(&pci_bus_type, &dmactl_pci_nb);
	if (ret)
		return ret;
	ret = bus_register_notifier(&platform_bus_type, &dmactl_platform_nb);
	if (ret)
		goto out_pci_nb;
	ret = pci_register_driver(&dmactl_pci_driver);
	if (ret)
		goto out_platform_nb;
	ret = platform_driver_register(&dmactl_platform_driver);
	if (ret)
		goto out_pci_driver;
	return 0;

out_pci_driver:
	pci_unregister_driver(&dmactl_pci_driver);
out_platform_nb:
	bus_unregister_notifier(&platform_bus_type, &dmactl_platform_nb);
out_pci_nb:
	bus_unregister_notifier(&pci_bus_type, &dmactl_pci_nb);
	return ret;
}

/**
 * dmactl_targets_exit() - unbind every device, revoke every target
 *
 * Context: no file is open (the module is being unloaded).
 */
void dmactl_targets_exit(void)
{
	struct dmactl_allowed *a, *next;
	struct dmactl_target *t;

	platform_driver_unregister(&dmactl_platform_driver);
	pci_unregister_driver(&dmactl_pci_driver);
	bus_unregister_notifier(&platform_bus_type, &dmactl_platform_nb);
	bus_unregister_notifier(&pci_bus_type, &dmactl_pci_nb);

	for (;;) {
		mutex_lock(&dmactl_targets_lock);
		t = list_first_entry_or_null(&dmactl_targets,
					     struct dmactl_target, node);
		if (t)
			kref_get(&t->kref);
		mutex_unlock(&dmactl_targets_lock);
		if (!t)
			break;
		dmactl_target_revoke(t);
		dmactl_target_put(t);
	}
	list_for_each_entry_safe(a, next, &dmactl_allowed, node)
		kfree(a);
}
