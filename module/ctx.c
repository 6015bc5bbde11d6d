// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: per-file contexts and their object table.
 *
 * Objects live in an xarray with IDs from 1.  A lookup takes a reference
 * under the xarray's lock; an operation then takes the object's mutex and
 * finds out from @dead whether the object still exists.  Tearing an object
 * down (an explicit free, release, revocation) happens under its mutex and
 * takes it out of the table, so its ID is unknown from then on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dmactl.h"

/**
 * dmactl_ctx_create() - a context for a newly opened file
 *
 * Return: the context, or NULL when out of memory.
 */
struct dmactl_ctx *dmactl_ctx_create(void)
{
	struct dmactl_ctx *ctx = kzalloc_obj(*ctx, GFP_KERNEL);

	if (!ctx)
		return NULL;
	xa_init_flags(&ctx->objs, XA_FLAGS_ALLOC1);
	mutex_init(&ctx->attach_lock);
	INIT_LIST_HEAD(&ctx->target_node);
	ctx->pid = task_tgid_nr(current);
	get_task_comm(ctx->comm, current);
	return ctx;
}

/**
 * dmactl_ctx_target() - the target a context is attached to
 * @ctx: the context
 *
 * Return: the target, or NULL before ATTACH.  The context's reference
 * keeps it for as long as the context lives.
 */
struct dmactl_target *dmactl_ctx_target(struct dmactl_ctx *ctx)
{
	/* Pairs with dmactl_ctx_attach(): a target seen is fully linked. */
	return smp_load_acquire(&ctx->target);
}

/**
 * dmactl_ctx_target_lock() - the attached target, read-locked, for an
 *	operation that makes a new object or acts on the device itself
 * @ctx: the context
 * @tp: the target; unlock with dmactl_target_read_unlock()
 *
 * Return: 0; -EBUSY if the file is not attached or a benchmark run holds
 * the device's DMA mask; -ENODEV if the target was revoked.
 */
int dmactl_ctx_target_lock(struct dmactl_ctx *ctx, struct dmactl_target **tp)
{
	struct dmactl_target *t = dmactl_ctx_target(ctx);
	int ret;

	if (!t)
		return -EBUSY;
	ret = dmactl_target_read_lock(t);
	if (ret)
		return ret;
	if (READ_ONCE(t->mask_bench)) {
		dmactl_target_read_unlock(t);
		return -EBUSY;
	}
	*tp = t;
	return 0;
}

/**
 * dmactl_ctx_attach() - attach a context to a target, once
 * @ctx: the context
 * @t: the target; the context takes over the caller's reference
 *
 * Return: 0, or -EBUSY if the context is already attached (the caller
 * keeps its reference then).
 */
int dmactl_ctx_attach(struct dmactl_ctx *ctx, struct dmactl_target *t)
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

/*
 * One lockdep class per object type: a link holds its IOVA object's lock
 * and then its buffer's.
 */
static struct lock_class_key dmactl_obj_lock_keys[DMACTL_OBJ_BENCH + 1];

/**
 * dmactl_obj_add() - publish a fully set up object in its context's table
 * @ctx: the context
 * @obj: the object; the table holds the reference this sets up
 * @type: what it is
 *
 * Return: 0 with @obj->id set, or -ENOMEM / -EBUSY (no free ID).
 */
int dmactl_obj_add(struct dmactl_ctx *ctx, struct dmactl_obj *obj,
		   enum dmactl_obj_type type)
{
	obj->type = type;
	obj->ctx = ctx;
	obj->dead = false;
	refcount_set(&obj->users, 1);
	mutex_init(&obj->lock);
	lockdep_set_class(&obj->lock, &dmactl_obj_lock_keys[type]);
	return xa_alloc(&ctx->objs, &obj->id, obj, xa_limit_32b, GFP_KERNEL);
}

/**
 * dmactl_obj_get() - look an object up by ID and type
 * @ctx: the context
 * @id: the ID the caller gave
 * @type: the type the operation needs
 *
 * Return: the object with a reference the caller drops with
 * dmactl_obj_put(), or NULL if no object of that type has that ID.
 */
struct dmactl_obj *dmactl_obj_get(struct dmactl_ctx *ctx, u32 id,
				  enum dmactl_obj_type type)
{
	struct dmactl_obj *obj;

	xa_lock(&ctx->objs);
	obj = xa_load(&ctx->objs, id);
	if (obj && (obj->type != type || !refcount_inc_not_zero(&obj->users)))
		obj = NULL;
	xa_unlock(&ctx->objs);
	return obj;
}

/**
 * dmactl_obj_put() - drop a reference; the last one frees the memory
 * @obj: the object, already torn down if this is the last reference
 */
void dmactl_obj_put(struct dmactl_obj *obj)
{
	if (!refcount_dec_and_test(&obj->users))
		return;
	switch (obj->type) {
	case DMACTL_OBJ_BUF:
		dmactl_buf_release(container_of(obj, struct dmactl_buf, obj));
		break;
	case DMACTL_OBJ_IOVA:
		dmactl_iova_release(container_of(obj, struct dmactl_iova, obj));
		break;
	case DMACTL_OBJ_BENCH:
		dmactl_bench_release(obj);
		break;
	}
}

/**
 * dmactl_op_begin() - look up a live object for an operation on it
 * @ucmd: the call
 * @id: the object's ID as the caller gave it
 * @type: the type the operation needs
 * @tp: the target, read-locked
 * @objp: the object, referenced and locked
 *
 * Undone by dmactl_op_done().
 *
 * Return: 0; -ENOENT for an unknown ID (or before ATTACH, when there are
 * no objects) or an object torn down meanwhile; -ENODEV if the device is
 * gone.
 */
int dmactl_op_begin(struct dmactl_ucmd *ucmd, u32 id, enum dmactl_obj_type type,
		    struct dmactl_target **tp, struct dmactl_obj **objp)
{
	struct dmactl_target *t = dmactl_ctx_target(ucmd->ctx);
	struct dmactl_obj *obj;
	int ret;

	if (!t)
		return -ENOENT;
	ret = dmactl_target_read_lock(t);
	if (ret)
		return ret;
	obj = dmactl_obj_get(ucmd->ctx, id, type);
	if (!obj) {
		dmactl_target_read_unlock(t);
		return -ENOENT;
	}
	mutex_lock(&obj->lock);
	if (obj->dead) {
		mutex_unlock(&obj->lock);
		dmactl_obj_put(obj);
		dmactl_target_read_unlock(t);
		return dmactl_reject(t, DMACTL_RULE_M3, -ENOENT);
	}
	*tp = t;
	*objp = obj;
	return 0;
}

/**
 * dmactl_op_done() - end an operation begun with dmactl_op_begin()
 * @t: the target
 * @obj: the object
 */
void dmactl_op_done(struct dmactl_target *t, struct dmactl_obj *obj)
{
	mutex_unlock(&obj->lock);
	dmactl_obj_put(obj);
	dmactl_target_read_unlock(t);
}

/**
 * dmactl_obj_remove() - take a torn-down object out of its table
 * @obj: the object, with its lock held and a lookup reference held by the
 *	caller (so this does not free it)
 */
void dmactl_obj_remove(struct dmactl_obj *obj)
{
	lockdep_assert_held(&obj->lock);
	obj->dead = true;
	xa_erase(&obj->ctx->objs, obj->id);
	dmactl_obj_put(obj);
}

static void dmactl_obj_kill(struct dmactl_obj *obj)
{
	switch (obj->type) {
	case DMACTL_OBJ_BUF:
		dmactl_buf_kill(container_of(obj, struct dmactl_buf, obj));
		break;
	case DMACTL_OBJ_IOVA:
		dmactl_iova_kill(container_of(obj, struct dmactl_iova, obj));
		break;
	case DMACTL_OBJ_BENCH:
		dmactl_bench_kill(obj);
		break;
	}
}

/* Count an object about to be torn down in @td. */
static void dmactl_teardown_add(struct dmactl_teardown *td,
				struct dmactl_obj *obj)
{
	switch (obj->type) {
	case DMACTL_OBJ_BUF:
		td->bufs++;
		break;
	case DMACTL_OBJ_IOVA:
		td->iovas++;
		td->links += container_of(obj, struct dmactl_iova, obj)->nr_links;
		break;
	case DMACTL_OBJ_BENCH:
		td->benches++;
		break;
	}
}

/*
 * Tear an object down if @match (called under its lock; NULL matches
 * all) says so, count it in @td if not NULL, and drop the caller's
 * reference.
 */
static void dmactl_obj_destroy_if(struct dmactl_obj *obj,
				  bool (*match)(struct dmactl_obj *obj,
						void *arg),
				  void *arg, struct dmactl_teardown *td)
{
	mutex_lock(&obj->lock);
	if (!obj->dead && (obj->type != DMACTL_OBJ_BUF ||
			   !container_of(obj, struct dmactl_buf, obj)->nr_links) &&
	    (!match || match(obj, arg))) {
		if (td)
			dmactl_teardown_add(td, obj);
		dmactl_obj_kill(obj);
		dmactl_obj_remove(obj);
	}
	mutex_unlock(&obj->lock);
	dmactl_obj_put(obj);
}

/**
 * dmactl_obj_destroy() - tear an object down and take it out of its table
 * @obj: the object, with a reference the caller gives up here
 *
 * Does nothing to an object already torn down, or to a buffer that links
 * still map (its IOVA objects go first).
 */
void dmactl_obj_destroy(struct dmactl_obj *obj)
{
	dmactl_obj_destroy_if(obj, NULL, NULL, NULL);
}

/**
 * dmactl_ctx_kill() - tear down the objects of a context that match
 * @ctx: the context
 * @match: called under each object's lock: true to tear it down; NULL
 *	for all
 * @arg: passed to @match
 * @td: what was torn down is added here; NULL if nobody asks
 *
 * IOVA objects go first: their links hold buffers, and unlinking with
 * each link's recorded direction and attributes must come before the
 * buffers' pages are unpinned or freed.  A buffer still under a link of
 * an IOVA object that did not match stays.
 *
 * Context: the target's rwsem held (read at release, write at revocation),
 * so no ioctl is working on these objects.
 */
void dmactl_ctx_kill(struct dmactl_ctx *ctx,
		     bool (*match)(struct dmactl_obj *obj, void *arg),
		     void *arg, struct dmactl_teardown *td)
{
	static const enum dmactl_obj_type order[] = {
		DMACTL_OBJ_BENCH, DMACTL_OBJ_IOVA, DMACTL_OBJ_BUF,
	};
	struct dmactl_obj *obj;
	unsigned long id;
	int i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		xa_for_each(&ctx->objs, id, obj) {
			if (obj->type != order[i] ||
			    !refcount_inc_not_zero(&obj->users))
				continue;
			dmactl_obj_destroy_if(obj, match, arg, td);
			cond_resched();
		}
	}
}

/**
 * dmactl_ctx_kill_all() - tear down every object of a context
 * @ctx: the context
 * @td: what was torn down is added here
 *
 * Context: as dmactl_ctx_kill().
 */
void dmactl_ctx_kill_all(struct dmactl_ctx *ctx, struct dmactl_teardown *td)
{
	dmactl_ctx_kill(ctx, NULL, NULL, td);
}

/**
 * dmactl_ctx_destroy() - release a file's context and everything it owns
 * @ctx: the context; no ioctl can be running on it
 *
 * Objects left behind are an event (DMACTL_EVENT_TYPE_FILE_RELEASED).
 */
void dmactl_ctx_destroy(struct dmactl_ctx *ctx)
{
	struct dmactl_target *t = ctx->target;
	struct dmactl_teardown td = {};

	if (t) {
		/* Excludes revocation, which may have emptied the table. */
		down_read(&t->rwsem);
		dmactl_ctx_kill_all(ctx, &td);
		dmactl_target_read_unlock(t);
		if (td.bufs || td.iovas || td.benches)
			dmactl_nl_file_released(t, ctx, &td);
		mutex_lock(&t->ctxs_lock);
		list_del(&ctx->target_node);
		mutex_unlock(&t->ctxs_lock);
		dmactl_target_put(t);
	}
	WARN_ON(!xa_empty(&ctx->objs));
	xa_destroy(&ctx->objs);
	mutex_destroy(&ctx->attach_lock);
	kfree(ctx);
}
