// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: DMA engines behind one small interface -- start a copy between
 * two device addresses, wait for it with a timeout, report errors -- so
 * that the copy op proves a mapping with data a device really moved.
 *
 * Two backends: QEMU's edu device bound to dmactl (edu.c), and, for real
 * hardware, a dmaengine memcpy channel (ioat, idxd, ptdma, dw-edma ...)
 * whose DMA device is the attached device, taken at the first copy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/dmaengine.h>
#include <linux/slab.h>

#include "dmactl_private.h"

/**
 * dmactl_engine_create() - wrap a backend as an engine
 * @ops: the backend's operations
 * @priv: the backend's state
 * @max_transfer: the longest transfer, bytes
 *
 * Return: the engine, or NULL without memory.
 */
struct dmactl_engine *dmactl_engine_create(const struct dmactl_engine_ops *ops,
					   void *priv, size_t max_transfer)
{
	struct dmactl_engine *e = kzalloc_obj(*e, GFP_KERNEL);

	if (!e)
		return NULL;
	e->ops = ops;
	e->priv = priv;
	e->max_transfer = max_transfer;
	mutex_init(&e->lock);
	spin_lock_init(&e->wedge_lock);
	return e;
}

/**
 * dmactl_engine_destroy() - release an engine and its backend
 * @e: the engine, or NULL
 *
 * Context: no copy is running on it (the target is revoked, or being
 * released).
 */
void dmactl_engine_destroy(struct dmactl_engine *e)
{
	if (!e)
		return;
	if (e->ops->release)
		e->ops->release(e);
	mutex_destroy(&e->lock);
	kfree(e);
}

/**
 * dmactl_engine_get() - the engine of a target, found on first use
 * @t: the target, read-locked
 *
 * Return: the engine, which lives until the target is revoked, or NULL if
 * the device has none.
 */
struct dmactl_engine *dmactl_engine_get(struct dmactl_target *t)
{
	guard(mutex)(&t->engine_lock);
	if (!t->engine)
		t->engine = dmactl_dmaengine_create(t->dev);
	return t->engine;
}

/**
 * dmactl_engine_wedge() - a transfer of the engine may still be running
 * @e: the engine
 *
 * For backends, when a transfer timed out and could not be stopped.
 */
void dmactl_engine_wedge(struct dmactl_engine *e)
{
	spin_lock(&e->wedge_lock);
	e->wedged = true;
	spin_unlock(&e->wedge_lock);
}

/**
 * dmactl_engine_idle() - can no transfer of the engine reach memory?
 * @e: the engine
 *
 * A wedged engine becomes idle again once its backend says the transfer
 * that wedged it has ended.
 *
 * Return: true if no transfer is running outside a copy in progress.
 */
bool dmactl_engine_idle(struct dmactl_engine *e)
{
	bool idle;

	spin_lock(&e->wedge_lock);
	if (e->wedged && e->ops->idle && e->ops->idle(e))
		e->wedged = false;
	idle = !e->wedged;
	spin_unlock(&e->wedge_lock);
	return idle;
}

/**
 * dmactl_engine_revoke() - release a revoked target's engine
 * @t: the target, its rwsem held for writing
 *
 * No copy runs: each holds the rwsem for reading while its engine works.
 * If a transfer that wedged the engine has not ended, whatever it may
 * reach is never given back (@t->dma_lost), unless the device's bus
 * mastering was turned off.
 */
void dmactl_engine_revoke(struct dmactl_target *t)
{
	lockdep_assert_held_write(&t->rwsem);
	guard(mutex)(&t->engine_lock);
	if (!t->engine)
		return;
	if (!t->dma_stopped && !dmactl_engine_idle(t->engine)) {
		t->dma_lost = true;
		dev_warn(t->dev, "its DMA engine may still be writing: memory it may reach stays held\n");
	}
	dmactl_engine_destroy(t->engine);
	t->engine = NULL;
}

/**
 * dmactl_target_dma_quiet() - can no stray transfer of the target's
 *	engine reach memory?
 * @t: the target
 *
 * Return: true when the engine is idle, was never made, or the device's
 * bus mastering is off; false while a transfer that timed out may still
 * run, and for good once such an engine was released (@t->dma_lost).
 */
bool dmactl_target_dma_quiet(struct dmactl_target *t)
{
	guard(mutex)(&t->engine_lock);
	if (t->dma_stopped)
		return true;
	if (t->dma_lost)
		return false;
	return !t->engine || dmactl_engine_idle(t->engine);
}

/* ---- dmaengine memcpy channels ---- */

/**
 * struct dmactl_dmaengine_wait - one transfer waited for
 * @ref: the waiter's and the callback's; a transfer that timed out and
 *	could not be terminated keeps the callback's until it runs
 * @done: completed by the callback
 * @result: what the engine reported
 */
struct dmactl_dmaengine_wait {
	struct kref ref;
	struct completion done;
	enum dmaengine_tx_result result;
};

/**
 * struct dmactl_dmaengine - a memcpy channel as an engine
 * @chan: the channel
 * @stuck: the wait of a transfer that timed out and could not be
 *	terminated, with a reference; NULL if none (under the engine's
 *	wedge_lock)
 */
struct dmactl_dmaengine {
	struct dma_chan *chan;
	struct dmactl_dmaengine_wait *stuck;
};

static void dmactl_dmaengine_wait_free(struct kref *ref)
{
	kfree(container_of(ref, struct dmactl_dmaengine_wait, ref));
}

static void dmactl_dmaengine_done(void *param,
				  const struct dmaengine_result *res)
{
	struct dmactl_dmaengine_wait *w = param;

	w->result = res ? res->result : DMA_TRANS_NOERROR;
	complete(&w->done);
	kref_put(&w->ref, dmactl_dmaengine_wait_free);
}

/*
 * One transfer.  Its wait lives on the heap: a transfer that times out
 * and cannot be terminated (ioat has no terminate) may complete later,
 * and its callback must find memory that is still there.
 */
static int dmactl_dmaengine_copy(struct dmactl_engine *e, dma_addr_t dst,
				 dma_addr_t src, size_t len,
				 unsigned long timeout)
{
	struct dmactl_dmaengine *de = e->priv;
	struct dma_chan *chan = de->chan;
	struct dma_async_tx_descriptor *tx;
	struct dmactl_dmaengine_wait *w;
	dma_cookie_t cookie;
	int ret;

	if (!is_dma_copy_aligned(chan->device, src, dst, len))
		return -EINVAL;
	w = kzalloc_obj(*w, GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	kref_init(&w->ref);
	init_completion(&w->done);
	w->result = DMA_TRANS_NOERROR;
	tx = dmaengine_prep_dma_memcpy(chan, dst, src, len,
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	ret = -EIO;
	if (!tx)
		goto out;
	tx->callback_result = dmactl_dmaengine_done;
	tx->callback_param = w;
	kref_get(&w->ref);	/* the callback's */
	cookie = dmaengine_submit(tx);
	if (dma_submit_error(cookie)) {
		kref_put(&w->ref, dmactl_dmaengine_wait_free);
		goto out;
	}
	dma_async_issue_pending(chan);
	if (wait_for_completion_timeout(&w->done, timeout)) {
		ret = w->result == DMA_TRANS_NOERROR ? 0 : -EIO;
		goto out;
	}
	ret = -ETIMEDOUT;
	/*
	 * Stopped for good only if terminated and synchronised: without a
	 * device_synchronize op, terminate_sync() returns before a callback
	 * already on its way has run.
	 */
	if (!dmaengine_terminate_sync(chan) && chan->device->device_synchronize) {
		if (!completion_done(&w->done))
			kref_put(&w->ref, dmactl_dmaengine_wait_free);
		goto out;
	}
	/* It may still run, and complete later: keep its wait for idle. */
	spin_lock(&e->wedge_lock);
	de->stuck = w;
	e->wedged = true;
	spin_unlock(&e->wedge_lock);
	return ret;
out:
	kref_put(&w->ref, dmactl_dmaengine_wait_free);
	return ret;
}

static bool dmactl_dmaengine_idle(struct dmactl_engine *e)
{
	struct dmactl_dmaengine *de = e->priv;

	lockdep_assert_held(&e->wedge_lock);
	if (de->stuck && !completion_done(&de->stuck->done))
		return false;
	if (de->stuck)
		kref_put(&de->stuck->ref, dmactl_dmaengine_wait_free);
	de->stuck = NULL;
	return true;
}

static void dmactl_dmaengine_release(struct dmactl_engine *e)
{
	struct dmactl_dmaengine *de = e->priv;

	dma_release_channel(de->chan);
	/* A stuck transfer's callback keeps its own reference. */
	if (de->stuck)
		kref_put(&de->stuck->ref, dmactl_dmaengine_wait_free);
	kfree(de);
}

static bool dmactl_dmaengine_filter(struct dma_chan *chan, void *dev)
{
	return chan->device->dev == dev;
}

/**
 * dmactl_dmaengine_create() - an engine on a memcpy channel of a device
 * @dev: the device whose channel to take: the attached device, so that
 *	the mappings made for it are the ones the channel uses
 *
 * Return: the engine, or NULL if the device offers no memcpy channel.
 */
struct dmactl_engine *dmactl_dmaengine_create(struct device *dev)
{
	static const struct dmactl_engine_ops ops = {
		.kind = DMACTL_ENGINE_DMAENGINE,
		.copy = dmactl_dmaengine_copy,
		.idle = dmactl_dmaengine_idle,
		.release = dmactl_dmaengine_release,
	};
	struct dmactl_dmaengine *de;
	struct dmactl_engine *e;
	dma_cap_mask_t mask;

	de = kzalloc_obj(*de, GFP_KERNEL);
	if (!de)
		return NULL;
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	de->chan = dma_request_channel(mask, dmactl_dmaengine_filter, dev);
	if (!de->chan) {
		kfree(de);
		return NULL;
	}
	e = dmactl_engine_create(&ops, de,
				 dma_get_max_seg_size(de->chan->device->dev));
	if (!e) {
		dma_release_channel(de->chan);
		kfree(de);
	}
	return e;
}
