// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the devices contexts attach to, and their revocation.
 *
 * Two ways for root to hand a device to dmactl:
 *  - exclusive: bind it to dmactl's PCI or platform driver (driver.c),
 *    whose probe makes its target here;
 *  - shared: put its name on the allow list (allow.c); ATTACH makes its
 *    target here.
 * This file owns the targets (the global list, their references and
 * locks), ATTACH from the device name to the reply, and revocation --
 * with the bus notifiers that trigger it.
 *
 * A device can go away.  Before dmactl's own remove() returns, or when a
 * shared device's driver unbinds or the device is deleted (a bus
 * notifier), every object of every context attached to it is torn down
 * under the target's rwsem held for writing; from then on operations on
 * it give -ENODEV, and release() still works.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swiotlb.h>

#include "dmactl_private.h"

/* Protects dmactl_targets, dmactl_targets_seq and the allow list. */
DEFINE_MUTEX(dmactl_targets_lock);
static LIST_HEAD(dmactl_targets);
/* The last target's struct dmactl_target.seq. */
static u64 dmactl_targets_seq;

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

/**
 * dmactl_target_find() - the live target of a device
 * @dev: the device, or NULL to go by @name
 * @name: its name on its bus, or NULL to go by @dev
 *
 * Context: dmactl_targets_lock held.
 *
 * Return: the target with a reference the caller drops, or NULL.
 */
struct dmactl_target *dmactl_target_find(struct device *dev,
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

/**
 * dmactl_target_revoke() - revoke a target
 * @t: the target, with a reference the caller holds
 *
 * Tears down every object on it, marks it dead and takes it off the
 * global list, and says so on the events group.  Waits for operations in
 * progress on it, each of which holds the rwsem for a bounded time (at
 * most one engine transfer): nothing waits on userspace under it.  Files
 * closed earlier whose objects an engine kept busy are freed here once
 * those objects could go.  Revoking twice is harmless.
 *
 * Context: process; takes @t's rwsem for writing, then
 * dmactl_targets_lock; none of them held by the caller.
 */
void dmactl_target_revoke(struct dmactl_target *t)
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

/**
 * dmactl_target_read_unlock() - end an operation on a target's objects
 * @t: the target
 */
void dmactl_target_read_unlock(struct dmactl_target *t)
{
	up_read(&t->rwsem);
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

/**
 * dmactl_dma_domain() - the device's domain, if its DMA is translated
 * @dev: the device
 *
 * Context: any; the domain is only to be read while the device is bound.
 *
 * Return: the domain when the device's streaming DMA goes through
 * dma-iommu (a DMA or DMA-FQ domain); NULL on dma-direct (no IOMMU, an
 * identity or blocked domain).
 */
struct iommu_domain *dmactl_dma_domain(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && iommu_is_dma_domain(domain) ? domain : NULL;
}

/**
 * dmactl_iova_usable() - can dma_iova_try_alloc() succeed for the device?
 * @dev: the device
 *
 * Context: any.
 *
 * Return: true when the kernel has the two-step IOVA API (compat.h) and
 * the device is on a DMA API domain; in classic mode, never.
 */
bool dmactl_iova_usable(struct device *dev)
{
	return DMACTL_KERNEL_IOVA_API && dmactl_dma_domain(dev);
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

/**
 * dmactl_targets_each_locked() - walk the list of targets
 * @fn: called on each, in the order they were made; NULL to count only
 * @arg: passed to @fn
 *
 * Dead targets not yet off the list are walked too.
 *
 * Context: dmactl_targets_lock held.
 *
 * Return: how many targets the list holds.
 */
int dmactl_targets_each_locked(void (*fn)(struct dmactl_target *t, void *arg),
			       void *arg)
{
	struct dmactl_target *t;
	int n = 0;

	lockdep_assert_held(&dmactl_targets_lock);
	list_for_each_entry(t, &dmactl_targets, node) {
		if (fn)
			fn(t, arg);
		n++;
	}
	return n;
}

/* ---- ATTACH ---- */

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

/*
 * The target for a device name, with a reference for the caller.  A
 * device bound to dmactl gets its exclusive target.  An allowed device
 * gets a shared target while a driver that uses the DMA API is bound to
 * it; the check and the making of the target happen under the device
 * lock, which an unbind holds from its notifier on, so no target is made
 * that the unbind would not revoke.
 * Returns 0; -ENODEV if there is no such device; -EPERM if it is neither
 * bound to dmactl nor allowed; -ENXIO if it is allowed but no driver
 * using the DMA API is bound to it; -EINTR; -ENOMEM.
 */
static int dmactl_target_attach(const char *name, struct dmactl_target **out)
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
 * dmactl_dev_untrusted() - does the kernel distrust a device?
 * @dev: the device
 *
 * A PCI device below an external-facing port (pci_dev->untrusted): the
 * DMA layer bounces what it maps off the IOVA granule, dma_iova_link()
 * included.  The kernel's own test is private to dma-iommu.c.
 *
 * Context: any.
 * Return: true if @dev is an untrusted PCI device.
 */
bool dmactl_dev_untrusted(struct device *dev)
{
	return dev_is_pci(dev) && to_pci_dev(dev)->untrusted;
}

/* Fill ATTACH's reply: the device as the DMA layer sees it. */
static void dmactl_target_describe(struct dmactl_target *t, struct dmactl_attach *cmd)
{
	struct device *dev = t->dev;
	int node = dev_to_node(dev);

	cmd->out_domain = dmactl_domain_type(iommu_get_domain_for_dev(dev));
	cmd->out_flags = t->exclusive ? DMACTL_ATTACH_OUT_EXCLUSIVE :
					DMACTL_ATTACH_OUT_SHARED;
	if (dev_is_dma_coherent(dev))
		cmd->out_flags |= DMACTL_ATTACH_OUT_COHERENT;
	if (dmactl_iova_usable(dev))
		cmd->out_flags |= DMACTL_ATTACH_OUT_IOVA_USABLE;
	if (DMACTL_KERNEL_IOVA_API)
		cmd->out_flags |= DMACTL_ATTACH_OUT_IOVA_API;
	if (DMACTL_KERNEL_REQUIRE_COHERENT)
		cmd->out_flags |= DMACTL_ATTACH_OUT_REQUIRE_COHERENT;
	if (IS_ENABLED(CONFIG_PCI_P2PDMA))
		cmd->out_flags |= DMACTL_ATTACH_OUT_P2PDMA;
	if (is_swiotlb_force_bounce(dev) || dma_addressing_limited(dev))
		cmd->out_flags |= DMACTL_ATTACH_OUT_SWIOTLB;
	if (dmactl_dev_untrusted(dev))
		cmd->out_flags |= DMACTL_ATTACH_OUT_UNTRUSTED;
	cmd->out_granule = dmactl_target_granule(t);
	cmd->out_dma_mask = dma_get_mask(dev);
	cmd->out_dma_mask_bits = fls64(cmd->out_dma_mask);
	cmd->out_max_mapping_size = dma_max_mapping_size(dev);
	cmd->out_opt_mapping_size = dma_opt_mapping_size(dev);
	cmd->out_numa_node = node == NUMA_NO_NODE ? DMACTL_NO_NODE : node;
}

/*
 * Attach a context to a target, once; the context takes over the caller's
 * reference.  -EBUSY if it is already attached (the caller keeps its
 * reference then): two ATTACH calls on one file may race.
 */
static int dmactl_target_add_ctx(struct dmactl_ctx *ctx,
				 struct dmactl_target *t)
{
	guard(mutex)(&ctx->attach_lock);
	if (ctx->target)
		return -EBUSY;
	mutex_lock(&t->ctxs_lock);
	list_add_tail(&ctx->target_node, &t->ctxs);
	mutex_unlock(&t->ctxs_lock);
	/* Pairs with dmactl_ctx_target(). */
	smp_store_release(&ctx->target, t);
	return 0;
}

/**
 * dmactl_attach() - DMACTL_ATTACH
 * @ucmd: the call; its struct dmactl_attach is documented in the uapi
 *
 * Attaches the file to the target of the named device, making a shared
 * target if the device is allowed and has none, and describes the device
 * in the reply.
 *
 * Context: process; takes the device's lock and dmactl_targets_lock, then
 * the context's attach_lock and the target's ctxs_lock, never together
 * with an object's.
 *
 * Return: 0 or a negative errno as the uapi header lists.
 */
int dmactl_attach(struct dmactl_ucmd *ucmd)
{
	struct dmactl_attach *cmd = ucmd->cmd;
	struct dmactl_target *t;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!dmactl_name_ok(cmd->name))
		return -EINVAL;
	if (dmactl_ctx_target(ucmd->ctx))
		return -EBUSY;
	ret = dmactl_target_attach(cmd->name, &t);
	if (ret)
		return ret;
	ret = dmactl_target_add_ctx(ucmd->ctx, t);
	if (ret) {
		dmactl_target_put(t);
		return ret;
	}
	dmactl_target_describe(t, cmd);
	return dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}

/* ---- exclusive targets ---- */

/**
 * dmactl_target_add_exclusive() - the target of a device dmactl's driver
 *	binds
 * @dev: the device, being probed
 * @engine: its DMA engine, or NULL; the target owns it from now on
 * @found: the device as probe found it, for remove to hand it back
 *
 * drvdata holds a reference of its own: an unbind's notifier revokes the
 * target before remove() runs.
 *
 * Return: 0 or -ENOMEM (the caller still owns @engine then).
 */
int dmactl_target_add_exclusive(struct device *dev,
				struct dmactl_engine *engine,
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

/* ---- the bus notifiers ---- */

/**
 * dmactl_targets_revoke_by() - revoke the target of a device or a name
 * @dev: the device, or NULL to go by @name
 * @name: its name on its bus, or NULL to go by @dev
 * @exclusive_too: revoke an exclusive target as well as a shared one (an
 *	unbind: dmactl's own driver's too, so nothing new -- a published
 *	BAR -- comes of it once the unbind began)
 *
 * Nothing happens when the device has no live target.
 *
 * Context: process; none of the target's locks held.
 */
void dmactl_targets_revoke_by(struct device *dev, const char *name,
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
		dmactl_targets_revoke_by(data, NULL, true);
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
	ret = dmactl_drivers_register();
	if (ret)
		goto out_platform_nb;
	return 0;

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
	struct dmactl_target *t;

	dmactl_drivers_unregister();
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
	dmactl_allowed_free_all();
}
