// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: per-file contexts and their object table.
 *
 * Objects are made as iommufd makes them.  The call that makes one sets
 * it up, adds it to the table under a new ID -- hidden: a lookup by ID
 * does not find it, but revocation and release do, so nothing it holds
 * escapes them -- copies the reply with the ID out without any lock held,
 * and only then makes it visible (dmactl_obj_finalize()).  A reply that
 * cannot be copied, or any failure before, tears it down in one place
 * (dmactl_obj_abort(), dmactl_obj_discard()) through its type's kill op.
 * So no other thread can reach an object before it is finished, and the
 * thread making it holds a reference until it is done with it.
 *
 * IDs are handed out cyclically from 1: an ID freed is not given to a new
 * object before 2^31 others, so a stale ID cannot name a newer object.
 *
 * A lookup takes a reference under the xarray's lock; an operation then
 * takes the object's mutex and finds out from @dead whether the object
 * still exists.  Tearing an object down (an explicit free, release,
 * revocation) happens under its mutex and takes it out of the table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dmactl_private.h"

static const struct dmactl_obj_ops *const dmactl_obj_ops[DMACTL_NR_OBJ_TYPES] = {
	[DMACTL_OBJ_BUF] = &dmactl_buf_ops,
	[DMACTL_OBJ_IOVA] = &dmactl_iova_ops,
	[DMACTL_OBJ_BENCH] = &dmactl_bench_ops,
};

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

/*
 * One lockdep class per object type: a link holds its IOVA object's lock
 * and then its buffer's.
 */
static struct lock_class_key dmactl_obj_lock_keys[DMACTL_NR_OBJ_TYPES];

/**
 * dmactl_obj_init() - set up the header of a new object
 * @ctx: the context that will own it
 * @obj: the header, zeroed
 * @type: what it is
 *
 * The caller holds the one reference; the object is in no table yet.
 */
void dmactl_obj_init(struct dmactl_ctx *ctx, struct dmactl_obj *obj,
		     enum dmactl_obj_type type)
{
	obj->ops = dmactl_obj_ops[type];
	obj->type = type;
	obj->ctx = ctx;
	refcount_set(&obj->users, 1);
	mutex_init(&obj->lock);
	lockdep_set_class(&obj->lock, &dmactl_obj_lock_keys[type]);
}

/**
 * dmactl_obj_add() - put a new object in its context's table, hidden
 * @obj: the object, set up with dmactl_obj_init(); the table takes a
 *	reference of its own
 *
 * Revocation and release see the object from now on; lookups by ID only
 * after dmactl_obj_finalize().
 *
 * Context: the target's rwsem held for reading.
 *
 * Return: 0 with @obj->id set; -EDQUOT past max_objects_per_file; -ENOMEM;
 * -EBUSY when every ID is taken.
 */
int dmactl_obj_add(struct dmactl_obj *obj)
{
	struct dmactl_ctx *ctx = obj->ctx;
	int ret;

	ret = dmactl_charge(ctx, DMACTL_LIMIT_OBJECTS, 1);
	if (ret)
		return ret;
	refcount_inc(&obj->users);
	ret = xa_alloc_cyclic(&ctx->objs, &obj->id, obj, XA_LIMIT(1, INT_MAX),
			      &ctx->next_id, GFP_KERNEL);
	if (ret < 0) {
		refcount_dec(&obj->users);
		dmactl_uncharge(ctx, DMACTL_LIMIT_OBJECTS, 1);
		return ret;
	}
	return 0;
}

/*
 * Tear an object down and take it out of its table, unless that was done
 * already (revocation).  Under the target's rwsem.
 */
static void dmactl_obj_kill_remove(struct dmactl_obj *obj)
{
	mutex_lock(&obj->lock);
	if (!obj->dead) {
		obj->ops->kill(obj);
		dmactl_obj_remove(obj);
	}
	mutex_unlock(&obj->lock);
}

/**
 * dmactl_obj_abort() - undo a new object that cannot be finished
 * @obj: the object, added to its table and not yet visible; the
 *	caller's reference is dropped
 *
 * Context: the target's rwsem held for reading.
 */
void dmactl_obj_abort(struct dmactl_obj *obj)
{
	dmactl_obj_kill_remove(obj);
	dmactl_obj_put(obj);
}

/**
 * dmactl_obj_discard() - undo a new object that was never added to a table
 * @obj: the object, however far its making got; the caller's (only)
 *	reference is dropped
 */
void dmactl_obj_discard(struct dmactl_obj *obj)
{
	mutex_lock(&obj->lock);
	obj->ops->kill(obj);
	obj->dead = true;
	mutex_unlock(&obj->lock);
	dmactl_obj_put(obj);
}

/**
 * dmactl_obj_finalize() - reply to the call that made an object, and
 *	publish it
 * @ucmd: the call, its reply (with the new ID) filled in
 * @obj: the object, added and hidden; the caller's reference is dropped
 * @cmd_len: the kernel's size of the reply, bytes
 *
 * The reply is copied out without any lock held: a caller whose memory
 * faults slowly (userfaultfd) holds up nobody else.  Only once the
 * caller has the ID can another thread find the object by it.
 *
 * Context: no lock held.
 *
 * Return: 0; -EFAULT when the reply cannot be copied (the object is torn
 * down: the caller never learnt its ID); -ENODEV when the device went
 * away meanwhile (revocation tore it down).
 */
int dmactl_obj_finalize(struct dmactl_ucmd *ucmd, struct dmactl_obj *obj,
			size_t cmd_len)
{
	struct dmactl_target *t = dmactl_ctx_target(obj->ctx);
	struct xarray *objs = &obj->ctx->objs;
	int ret;

	ret = dmactl_ucmd_respond(ucmd, cmd_len);
	if (ret) {
		/* Even on a dead target: revocation may not have run yet. */
		down_read(&t->rwsem);
		dmactl_obj_abort(obj);
		up_read(&t->rwsem);
		return ret;
	}
	mutex_lock(&obj->lock);
	if (obj->dead) {
		ret = -ENODEV;
	} else {
		xa_lock(objs);
		obj->visible = true;
		xa_unlock(objs);
	}
	mutex_unlock(&obj->lock);
	dmactl_obj_put(obj);
	return ret;
}

/**
 * dmactl_obj_get() - look an object up by ID and type
 * @ctx: the context
 * @id: the ID the caller gave
 * @type: the type the operation needs
 *
 * Return: the object with a reference the caller drops with
 * dmactl_obj_put(), or NULL if no visible object of that type has that
 * ID.
 */
struct dmactl_obj *dmactl_obj_get(struct dmactl_ctx *ctx, u32 id,
				  enum dmactl_obj_type type)
{
	struct dmactl_obj *obj;

	xa_lock(&ctx->objs);
	obj = xa_load(&ctx->objs, id);
	if (obj && (obj->type != type || !obj->visible ||
		    !refcount_inc_not_zero(&obj->users)))
		obj = NULL;
	xa_unlock(&ctx->objs);
	return obj;
}

/**
 * dmactl_op_lookup() - look up and lock a live object for an operation
 * @ucmd: the call
 * @t: the file's target, read-locked (for the rejection count)
 * @id: the ID the caller gave
 * @type: the type the operation needs
 * @objp: the object, referenced and locked
 *
 * The step of dmactl_op_begin() after the target; also how an operation
 * begun on one object takes a second one (LINK's buffer).  Each type has
 * its own lockdep class, so the second lock nests under the first only
 * in one order of types: an IOVA object's, then a buffer's.
 *
 * Context: @t's rwsem held for reading; sleeps on the object's mutex.
 * Undone by dmactl_op_put().
 *
 * Return: 0, or -ENOENT for an unknown ID or an object torn down meanwhile
 * (counted under rule M3).
 */
int dmactl_op_lookup(struct dmactl_ucmd *ucmd, struct dmactl_target *t, u32 id,
		     enum dmactl_obj_type type, struct dmactl_obj **objp)
{
	struct dmactl_obj *obj = dmactl_obj_get(ucmd->ctx, id, type);

	if (!obj)
		return -ENOENT;
	mutex_lock(&obj->lock);
	if (obj->dead) {
		mutex_unlock(&obj->lock);
		dmactl_obj_put(obj);
		return dmactl_reject(t, DMACTL_RULE_M3, -ENOENT);
	}
	*objp = obj;
	return 0;
}

/**
 * dmactl_op_put() - unlock and let go of an object dmactl_op_lookup() took
 * @obj: the object
 */
void dmactl_op_put(struct dmactl_obj *obj)
{
	mutex_unlock(&obj->lock);
	dmactl_obj_put(obj);
}

/**
 * dmactl_obj_put() - drop a reference; the last one frees the memory
 * @obj: the object, already torn down if this is the last reference
 */
void dmactl_obj_put(struct dmactl_obj *obj)
{
	if (refcount_dec_and_test(&obj->users))
		obj->ops->release(obj);
}

/**
 * dmactl_op_target() - the attached target, read-locked, for an operation
 *	on objects that exist already
 * @ucmd: the call
 * @tp: the target; unlock with dmactl_target_read_unlock()
 *
 * Unlike dmactl_ctx_target_lock() (which makes objects), a benchmark run
 * holding the device's DMA mask does not stand in the way.
 *
 * Return: 0; -ENOENT before ATTACH (there are no objects then); -ENODEV
 * if the device is gone (counted under rule M4).
 */
int dmactl_op_target(struct dmactl_ucmd *ucmd, struct dmactl_target **tp)
{
	struct dmactl_target *t = dmactl_ctx_target(ucmd->ctx);
	int ret;

	if (!t)
		return -ENOENT;
	ret = dmactl_target_read_lock(t);
	if (ret)
		return ret;
	*tp = t;
	return 0;
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
	struct dmactl_target *t;
	int ret;

	ret = dmactl_op_target(ucmd, &t);
	if (ret)
		return ret;
	ret = dmactl_op_lookup(ucmd, t, id, type, objp);
	if (ret) {
		dmactl_target_read_unlock(t);
		return ret;
	}
	*tp = t;
	return 0;
}

/**
 * dmactl_op_done() - end an operation begun with dmactl_op_begin()
 * @t: the target
 * @obj: the object
 */
void dmactl_op_done(struct dmactl_target *t, struct dmactl_obj *obj)
{
	dmactl_op_put(obj);
	dmactl_target_read_unlock(t);
}

/**
 * dmactl_obj_remove() - take a torn-down object out of its table
 * @obj: the object, with its lock held and a reference held by the
 *	caller (so this does not free it)
 */
void dmactl_obj_remove(struct dmactl_obj *obj)
{
	lockdep_assert_held(&obj->lock);
	obj->dead = true;
	xa_erase(&obj->ctx->objs, obj->id);
	dmactl_uncharge(obj->ctx, DMACTL_LIMIT_OBJECTS, 1);
	dmactl_obj_put(obj);
}

/*
 * Tear an object down if it is not busy and @match (called under its
 * lock; NULL matches all) says so, count it in @td if not NULL, and drop
 * the caller's reference.
 */
static void dmactl_obj_destroy_if(struct dmactl_obj *obj,
				  bool (*match)(struct dmactl_obj *obj,
						void *arg),
				  void *arg, struct dmactl_teardown *td)
{
	mutex_lock(&obj->lock);
	if (!obj->dead && !(obj->ops->busy && obj->ops->busy(obj)) &&
	    (!match || match(obj, arg))) {
		if (td)
			obj->ops->account(obj, td);
		obj->ops->kill(obj);
		dmactl_obj_remove(obj);
	}
	mutex_unlock(&obj->lock);
	dmactl_obj_put(obj);
}

/**
 * dmactl_ctx_kill() - tear down the objects of a context that match
 * @ctx: the context
 * @match: called under each object's lock: true to tear it down; NULL
 *	for all
 * @arg: passed to @match
 * @td: what was torn down is added here; NULL if nobody asks
 *
 * Benchmark runs go first, then IOVA objects: their links hold buffers,
 * and unlinking with each link's recorded direction and attributes must
 * come before the buffers' pages are unpinned or freed.  Objects still
 * busy stay (see struct dmactl_obj_ops): a buffer under a link of an IOVA
 * object that did not match or is busy, an IOVA object an engine that
 * could not be stopped may still reach.  Hidden objects are torn down as
 * well: the calls making them find them dead.
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
 * dmactl_ctx_kill_all() - tear down every object of a context that is not
 *	busy
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
 * dmactl_ctx_uses_provider() - does a context hold or map P2P memory of a
 *	provider?
 * @ctx: the context
 * @pdev: the provider
 *
 * Context: the target's rwsem held for writing.
 *
 * Return: true if any object of @ctx does (one that was busy at
 * revocation).
 */
bool dmactl_ctx_uses_provider(struct dmactl_ctx *ctx, struct pci_dev *pdev)
{
	struct dmactl_obj *obj;
	unsigned long id;
	bool uses = false;

	xa_for_each(&ctx->objs, id, obj) {
		if (!obj->ops->uses_provider)
			continue;
		mutex_lock(&obj->lock);
		uses |= !obj->dead && obj->ops->uses_provider(obj, pdev);
		mutex_unlock(&obj->lock);
	}
	return uses;
}

/**
 * dmactl_ctxs_take_released() - move a target's closed files that have
 *	nothing left to a list, to be freed
 * @t: the target
 * @list: where they go
 *
 * Context: @t's ctxs_lock held, and its rwsem for writing.
 */
void dmactl_ctxs_take_released(struct dmactl_target *t, struct list_head *list)
{
	struct dmactl_ctx *ctx, *next;

	lockdep_assert_held(&t->ctxs_lock);
	list_for_each_entry_safe(ctx, next, &t->ctxs, target_node)
		if (ctx->released && xa_empty(&ctx->objs))
			list_move(&ctx->target_node, list);
}

/**
 * dmactl_ctxs_free_released() - free what dmactl_ctxs_take_released()
 *	took
 * @t: the target, with a reference the caller holds
 * @list: the contexts
 */
void dmactl_ctxs_free_released(struct dmactl_target *t, struct list_head *list)
{
	struct dmactl_ctx *ctx, *next;

	list_for_each_entry_safe(ctx, next, list, target_node) {
		list_del(&ctx->target_node);
		dmactl_ctx_free(ctx);
		dmactl_target_put(t);
	}
}

/**
 * dmactl_ctx_free() - free a context with no objects
 * @ctx: the context, off its target's list (or never attached)
 */
void dmactl_ctx_free(struct dmactl_ctx *ctx)
{
	WARN_ON(!xa_empty(&ctx->objs));
	xa_destroy(&ctx->objs);
	mutex_destroy(&ctx->attach_lock);
	kfree(ctx);
}

/**
 * dmactl_ctx_destroy() - release a file's context and everything it owns
 * @ctx: the context; no ioctl can be running on it
 *
 * Objects left behind are an event (DMACTL_EVENT_TYPE_FILE_RELEASED).  An
 * IOVA object whose memory a timed-out DMA transfer may still reach
 * cannot go until the engine is idle: release waits for that a while (an
 * edu transfer ends within 100 ms of guest time).  If it never is, the
 * context stays, marked released, with those objects and their pages
 * held -- leaked rather than handed back to a device still writing --
 * until revocation of the target stops the device's DMA.
 */
void dmactl_ctx_destroy(struct dmactl_ctx *ctx)
{
	struct dmactl_target *t = ctx->target;
	struct dmactl_teardown td = {};
	bool left = false;
	int tries;

	if (t) {
		for (tries = 0; ; tries++) {
			/* Excludes revocation, which may empty the table. */
			down_read(&t->rwsem);
			dmactl_ctx_kill_all(ctx, &td);
			left = !xa_empty(&ctx->objs);
			if (!left || tries == DMACTL_WEDGE_TRIES ||
			    (t->dead && !dmactl_target_dma_quiet(t)))
				break;
			up_read(&t->rwsem);
			msleep(DMACTL_WEDGE_POLL_MS);
		}
		/* Still under the rwsem: revocation cannot free @ctx yet. */
		if (td.bufs || td.iovas || td.benches)
			dmactl_nl_file_released(t, ctx, &td);
		if (left) {
			dev_warn(t->dev, "a DMA engine that cannot be stopped may still write: %s (%d) left objects with their memory held\n",
				 ctx->comm, ctx->pid);
			mutex_lock(&t->ctxs_lock);
			ctx->released = true;
			mutex_unlock(&t->ctxs_lock);
			up_read(&t->rwsem);
			return;
		}
		up_read(&t->rwsem);
		mutex_lock(&t->ctxs_lock);
		list_del(&ctx->target_node);
		mutex_unlock(&t->ctxs_lock);
		dmactl_target_put(t);
	}
	dmactl_ctx_free(ctx);
}
