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

#include "dmactl.h"

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

/* ---- dmaengine memcpy channels ---- */

/**
 * struct dmactl_dmaengine_wait - one transfer waited for
 * @done: completed by the callback
 * @result: what the engine reported
 */
struct dmactl_dmaengine_wait {
	struct completion done;
	enum dmaengine_tx_result result;
};

static void dmactl_dmaengine_done(void *param,
				  const struct dmaengine_result *res)
{
	struct dmactl_dmaengine_wait *w = param;

	w->result = res ? res->result : DMA_TRANS_NOERROR;
	complete(&w->done);
}

static int dmactl_dmaengine_copy(struct dmactl_engine *e, dma_addr_t dst,
				 dma_addr_t src, size_t len,
				 unsigned long timeout)
{
	struct dma_chan *chan = e->priv;
	struct dmactl_dmaengine_wait w;
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t cookie;

	if (!is_dma_copy_aligned(chan->device, src, dst, len))
		return -EINVAL;
	init_completion(&w.done);
	w.result = DMA_TRANS_NOERROR;
	tx = dmaengine_prep_dma_memcpy(chan, dst, src, len,
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx)
		return -EIO;
	tx->callback_result = dmactl_dmaengine_done;
	tx->callback_param = &w;
	cookie = dmaengine_submit(tx);
	if (dma_submit_error(cookie))
		return -EIO;
	dma_async_issue_pending(chan);
	if (!wait_for_completion_timeout(&w.done, timeout)) {
		/* Stopped for good: no callback can touch @w after this. */
		dmaengine_terminate_sync(chan);
		return -ETIMEDOUT;
	}
	return w.result == DMA_TRANS_NOERROR ? 0 : -EIO;
}

static void dmactl_dmaengine_release(struct dmactl_engine *e)
{
	dma_release_channel(e->priv);
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
		.release = dmactl_dmaengine_release,
	};
	struct dmactl_engine *e;
	struct dma_chan *chan;
	dma_cap_mask_t mask;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, dmactl_dmaengine_filter, dev);
	if (!chan)
		return NULL;
	e = dmactl_engine_create(&ops, chan,
				 dma_get_max_seg_size(chan->device->dev));
	if (!e)
		dma_release_channel(chan);
	return e;
}
