/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmactl: what the module's files share.
 *
 * Object model.  Each open file is a context (struct dmactl_ctx).  A
 * context attaches once to a target (struct dmactl_target): a device that
 * is bound to dmactl or on its allow list.  The context owns objects --
 * buffers, IOVA objects and benchmark runs -- in an xarray with u32 IDs.
 *
 * Locking, outermost first:
 *   the device's lock         ATTACH (target.c), P2P_QUERY's client
 *   dmactl_targets_lock       the global list of targets and the allow list
 *   ctx->attach_lock          a context's one ATTACH (not with the above,
 *                             nor with the rwsem)
 *   target->rwsem             read: any ioctl on the target's objects;
 *                             write: revocation, a benchmark run taking or
 *                             giving back the DMA mask, a P2P provider's
 *                             revocation
 *   target->ctxs_lock         the target's list of contexts
 *   iova->obj.lock            one IOVA object's shadow state and links;
 *                             COPY takes two, in ID order
 *   buf->obj.lock             one buffer (after its IOVA object's lock)
 *   bench->obj.lock           one benchmark run
 *   target->engine_lock       the target's DMA engine (inside object locks)
 *   engine->wedge_lock        a spinlock: the engine's @wedged state
 * engine->lock serialises transfers; COPY holds it under the rwsem's read
 * side with no object lock held.
 * An object's reference count keeps its memory; its lock and its @dead
 * flag say whether it still holds resources.  A dead object is out of the
 * xarray and holds nothing.
 */
#ifndef DMACTL_PRIVATE_H
#define DMACTL_PRIVATE_H

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <linux/dmactl.h>
#include <linux/dmactl_netlink.h>

#include "netlink/dmactl_nl_names.h"

#include "compat.h"

struct dmactl_ctx;
struct dmactl_engine;
struct dmactl_teardown;
struct dmactl_target;
struct dmactl_ucmd;
struct pci_dev;

/* ---- counters (stats.c) ---- */

/* The misuse rules of the design; each rejection is counted under one. */
enum dmactl_rule {
	DMACTL_RULE_M3,		/* use after free or destroy */
	DMACTL_RULE_M4,		/* device gone */
	DMACTL_RULE_M6,		/* zero-size allocation */
	DMACTL_RULE_M7,		/* oversized allocation */
	DMACTL_RULE_M8,		/* link at offset > 0 from an unaligned phys */
	DMACTL_RULE_M9,		/* link at a misaligned IOVA */
	DMACTL_RULE_M10,	/* link outside the allocation */
	DMACTL_RULE_M11,	/* link over a linked granule */
	DMACTL_RULE_M12,	/* zero-size link */
	DMACTL_RULE_M13,	/* bad direction */
	DMACTL_RULE_M17,	/* P2P the kernel says is not supported */
	DMACTL_RULE_M18,	/* attribute not allowed */
	DMACTL_RULE_M19,	/* memory outside the buffer */
	DMACTL_RULE_M20,	/* DMA over a range not synced */
	DMACTL_RULE_M21,	/* sync outside the allocation or empty */
	DMACTL_RULE_M22,	/* unlink of a range that is not linked */
	DMACTL_RULE_M23,	/* unlink splitting a link */
	DMACTL_RULE_M24,	/* unlink dir or attrs not the link's */
	DMACTL_RULE_M25,	/* link, unlink, free or destroy with DMA in flight */
	DMACTL_RULE_M26,	/* destroy with links not tiling [0, len) */
	DMACTL_RULE_M27,	/* destroy over mixed dir or attrs */
	DMACTL_RULE_M28,	/* free with links */
	DMACTL_RULE_M32,	/* P2P memory pinned as ordinary user memory */
	DMACTL_RULE_BUF_BUSY,	/* buffer freed under links */
	DMACTL_RULE_UNREACHABLE,	/* memory the device cannot address */
	DMACTL_RULE_COPY_DIR,	/* DMA against a link's direction */
	DMACTL_RULE_LIMIT,	/* past a per-file or global limit */
	DMACTL_RULE_P2PMEM_RANGE,	/* publishing a range memremap refuses */
	DMACTL_NR_RULES,
};

/*
 * What is counted, in total and per target: the counters of the netlink
 * spec (netlink/specs/dmactl.yaml says what each one counts), as
 * DMACTL_C_LIVE_LINKS for its "live-links".  Every update goes through
 * dmactl_count(), which keeps both.  The netlink family reports them
 * (netlink.c); the live ones must be back to zero once every object is
 * gone.
 */
#define DMACTL_COUNTER_ENUM(suffix, ...) DMACTL_C_##suffix,
enum dmactl_counter {
	DMACTL_NL_COUNTERS(DMACTL_COUNTER_ENUM)
	DMACTL_NR_COUNTERS,
};

#undef DMACTL_COUNTER_ENUM

/* Ioctl numbers from DMACTL_CMD_BASE, each counted when it succeeds. */
#define DMACTL_NR_OPS	(DMACTL_CMD_BENCH_FREE - DMACTL_CMD_BASE + 1)

/**
 * struct dmactl_counters - one set of counters, all atomic
 * @c: per enum dmactl_counter
 * @ops: operations that succeeded, per ioctl number less DMACTL_CMD_BASE
 * @rejections: requests refused, per enum dmactl_rule
 */
struct dmactl_counters {
	atomic_long_t c[DMACTL_NR_COUNTERS];
	atomic_long_t ops[DMACTL_NR_OPS];
	atomic_long_t rejections[DMACTL_NR_RULES];
};

extern struct dmactl_counters dmactl_total;

void dmactl_count(struct dmactl_target *t, enum dmactl_counter counter,
		  long delta);
void dmactl_count_op(struct dmactl_target *t, unsigned int op);
int dmactl_reject(struct dmactl_target *t, enum dmactl_rule rule, int err);
const char *dmactl_rule_name(enum dmactl_rule rule);
const char *dmactl_op_name(unsigned int op);

/* ---- targets: devices dmactl may map for (target.c) ---- */

/**
 * struct dmactl_found - a device as dmactl's probe found it
 * @dma_mask: the pointer to its streaming mask (platform devices may
 *	have none)
 * @mask: its streaming DMA mask
 * @coherent_mask: its coherent DMA mask
 * @master: PCI: bus mastering was on
 */
struct dmactl_found {
	u64 *dma_mask;
	u64 mask;
	u64 coherent_mask;
	bool master;
};

/**
 * struct dmactl_target - a device contexts attach to
 * @kref: one reference for the global list while live, one per context
 * @dev: the device, with a reference held
 * @rwsem: read for every operation on the target's objects, write to
 *	revoke them
 * @dead: revoked; every operation gives -ENODEV (under @rwsem)
 * @revoking: a revocation waits for @rwsem: copies stop at their next
 *	transfer instead of taking it again
 * @exclusive: bound to dmactl's own driver; else shared (allow list)
 * @ctxs_lock: protects @ctxs
 * @ctxs: contexts attached
 * @node: on the global list of targets
 * @seq: the order targets were made in (the list's order), so a walk of
 *	the list can let go of its lock between targets
 * @engine_lock: protects @engine
 * @engine: the DMA engine copies go through, or NULL: the edu engine from
 *	probe, or a dmaengine channel taken at the first copy; released
 *	with the target
 * @published_bars: bit N: BAR N published as p2pmem (exclusive PCI only)
 * @mask_bench: a benchmark run changed the device's DMA mask: no new
 *	objects until it ends (set under @rwsem for writing)
 * @dma_stopped: revocation turned the device's bus mastering off: no
 *	transfer of it can still reach memory (exclusive PCI only)
 * @found: exclusive: the device as dmactl's probe found it (DMA masks,
 *	bus mastering), as remove hands it back
 * @dma_lost: revocation released an engine whose wedging transfer had not
 *	ended: nothing it may reach is ever given back (under @engine_lock)
 * @counters: this device's counters (the total has them too)
 */
struct dmactl_target {
	struct kref kref;
	struct device *dev;
	struct rw_semaphore rwsem;
	bool dead;
	bool revoking;
	bool exclusive;
	struct mutex ctxs_lock;	/* protects ctxs */
	struct list_head ctxs;
	struct list_head node;
	u64 seq;
	struct mutex engine_lock;	/* protects engine */
	struct dmactl_engine *engine;
	unsigned long published_bars;
	bool mask_bench;
	bool dma_stopped;
	struct dmactl_found found;
	bool dma_lost;
	struct dmactl_counters counters;
};

extern struct mutex dmactl_targets_lock;

int dmactl_targets_init(void);
void dmactl_targets_exit(void);
int dmactl_attach(struct dmactl_ucmd *ucmd);
void dmactl_target_put(struct dmactl_target *t);
int dmactl_target_read_lock(struct dmactl_target *t);
void dmactl_target_read_unlock(struct dmactl_target *t);
u64 dmactl_target_granule(struct dmactl_target *t);
bool dmactl_dev_untrusted(struct device *dev);
struct iommu_domain *dmactl_dma_domain(struct device *dev);
bool dmactl_iova_usable(struct device *dev);
void dmactl_targets_for_each(void (*fn)(struct dmactl_target *t, void *arg),
			     void *arg);
int dmactl_targets_each_locked(void (*fn)(struct dmactl_target *t, void *arg),
			       void *arg);
int dmactl_targets_get_all(struct dmactl_target ***out);
void dmactl_targets_put_all(struct dmactl_target **all, int n);
struct dmactl_target *dmactl_target_get_by_name(const char *name);
struct dmactl_target *dmactl_target_find(struct device *dev,
					 const char *name);
struct device *dmactl_find_device(const char *name);
int dmactl_target_add_exclusive(struct device *dev,
				struct dmactl_engine *engine,
				const struct dmactl_found *found);
void dmactl_target_revoke(struct dmactl_target *t);
void dmactl_targets_revoke_by(struct device *dev, const char *name,
			      bool exclusive_too);

/* ---- exclusive mode: dmactl's own drivers (driver.c) ---- */

int dmactl_drivers_register(void);
void dmactl_drivers_unregister(void);

/* ---- shared mode: the allow list and its sysfs files (allow.c) ---- */

int dmactl_allow(const char *name);
int dmactl_disallow(const char *name);
bool dmactl_is_allowed(const char *name);
unsigned int dmactl_allowed_each_locked(void (*fn)(const char *name,
						   void *arg),
					void *arg);
void dmactl_allowed_free_all(void);
extern const struct attribute_group *dmactl_misc_groups[];

/* ---- limits on what files may hold (limits.c) ---- */

/**
 * enum dmactl_limit - an allowance of each file, a module parameter
 * @DMACTL_LIMIT_OBJECTS: objects in its table
 * @DMACTL_LIMIT_SHADOW_BYTES: bytes of IOVA shadow state: sync bitmaps
 *	and link records
 * @DMACTL_LIMIT_BUF_BYTES: bytes of memory its buffers hold
 * @DMACTL_LIMIT_BENCH_RUNS: benchmark runs
 * @DMACTL_NR_FILE_LIMITS: how many there are
 */
enum dmactl_limit {
	DMACTL_LIMIT_OBJECTS,
	DMACTL_LIMIT_SHADOW_BYTES,
	DMACTL_LIMIT_BUF_BYTES,
	DMACTL_LIMIT_BENCH_RUNS,
	DMACTL_NR_FILE_LIMITS,
};

extern unsigned long long dmactl_max_iova_size;
int dmactl_charge(struct dmactl_ctx *ctx, enum dmactl_limit limit, u64 amount);
void dmactl_uncharge(struct dmactl_ctx *ctx, enum dmactl_limit limit,
		     u64 amount);
int dmactl_charge_bench_threads(struct dmactl_target *t, u32 threads);
void dmactl_uncharge_bench_threads(u32 threads);
bool dmactl_allow_list_full(u64 entries);

/* ---- contexts and their objects (ctx.c) ---- */

enum dmactl_obj_type {
	DMACTL_OBJ_BUF = 1,
	DMACTL_OBJ_IOVA,
	DMACTL_OBJ_BENCH,
	DMACTL_NR_OBJ_TYPES,
};

struct dmactl_obj;

/**
 * struct dmactl_obj_ops - what each type of object does
 * @kill: give back everything the object holds (memory, IOVA space,
 *	mappings, threads), however far its making got; called once, under
 *	the object's lock, with the target's rwsem held (or before the
 *	object was ever added to a table)
 * @release: free the object's own memory, at its last reference
 * @account: add the object to what a teardown took away (events)
 * @busy: may it not be killed now?  A buffer under links (its IOVA
 *	objects go first), an IOVA object whose memory a DMA engine that
 *	cannot be stopped may still reach.  NULL: never busy
 * @uses_provider: does it hold or map P2P memory of a provider?  NULL:
 *	never
 */
struct dmactl_obj_ops {
	void (*kill)(struct dmactl_obj *obj);
	void (*release)(struct dmactl_obj *obj);
	void (*account)(struct dmactl_obj *obj, struct dmactl_teardown *td);
	bool (*busy)(struct dmactl_obj *obj);
	bool (*uses_provider)(struct dmactl_obj *obj, struct pci_dev *pdev);
};

extern const struct dmactl_obj_ops dmactl_buf_ops;
extern const struct dmactl_obj_ops dmactl_iova_ops;
extern const struct dmactl_obj_ops dmactl_bench_ops;

/**
 * struct dmactl_obj - what every object of a context begins with
 * @ops: its type's operations
 * @type: enum dmactl_obj_type
 * @id: its ID in the context's table
 * @users: the table's reference, the creator's until the call that made
 *	the object ends, and one per lookup in progress
 * @lock: serialises operations on the object
 * @visible: lookups by ID find it: the call that made it has returned its
 *	ID (under the table's xa_lock)
 * @dead: torn down and out of the table (under @lock)
 * @ctx: the owning context
 */
struct dmactl_obj {
	const struct dmactl_obj_ops *ops;
	enum dmactl_obj_type type;
	u32 id;
	refcount_t users;
	struct mutex lock;	/* serialises operations on the object */
	bool visible;
	bool dead;
	struct dmactl_ctx *ctx;
};

/**
 * struct dmactl_ctx - one open file of /dev/dmactl
 * @objs: the objects, by ID; IDs are handed out cyclically from 1, so a
 *	freed object's ID is not reused before 2^31 others
 * @next_id: where the next ID search starts
 * @charged: what the file holds, per enum dmactl_limit
 * @attach_lock: serialises ATTACH
 * @target: the attached target, NULL before ATTACH; set once
 * @target_node: on @target's list of contexts
 * @released: the file is closed, but an engine that could not be stopped
 *	may still reach memory of its objects: they stay until the target's
 *	DMA is known to be stopped (revocation frees the context then)
 * @pid: the thread group that opened the file (events name it)
 * @comm: its command name then
 */
struct dmactl_ctx {
	struct xarray objs;
	u32 next_id;
	atomic64_t charged[DMACTL_NR_FILE_LIMITS];
	struct mutex attach_lock;	/* serialises ATTACH */
	struct dmactl_target *target;
	struct list_head target_node;
	bool released;
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

/* How long teardown waits for an engine that may still write, at most. */
#define DMACTL_WEDGE_POLL_MS	10
#define DMACTL_WEDGE_TRIES	300

struct dmactl_ctx *dmactl_ctx_create(void);
bool dmactl_ctx_uses_provider(struct dmactl_ctx *ctx, struct pci_dev *pdev);
void dmactl_ctxs_take_released(struct dmactl_target *t, struct list_head *list);
void dmactl_ctxs_free_released(struct dmactl_target *t, struct list_head *list);
void dmactl_ctx_destroy(struct dmactl_ctx *ctx);
void dmactl_ctx_free(struct dmactl_ctx *ctx);
void dmactl_ctx_kill_all(struct dmactl_ctx *ctx, struct dmactl_teardown *td);
void dmactl_ctx_kill(struct dmactl_ctx *ctx,
		     bool (*match)(struct dmactl_obj *obj, void *arg),
		     void *arg, struct dmactl_teardown *td);
struct dmactl_target *dmactl_ctx_target(struct dmactl_ctx *ctx);
int dmactl_ctx_target_lock(struct dmactl_ctx *ctx, struct dmactl_target **tp);
void dmactl_obj_init(struct dmactl_ctx *ctx, struct dmactl_obj *obj,
		     enum dmactl_obj_type type);
int dmactl_obj_add(struct dmactl_obj *obj);
int dmactl_obj_finalize(struct dmactl_ucmd *ucmd, struct dmactl_obj *obj,
			size_t cmd_len);
void dmactl_obj_abort(struct dmactl_obj *obj);
void dmactl_obj_discard(struct dmactl_obj *obj);
struct dmactl_obj *dmactl_obj_get(struct dmactl_ctx *ctx, u32 id,
				  enum dmactl_obj_type type);
void dmactl_obj_put(struct dmactl_obj *obj);
void dmactl_obj_remove(struct dmactl_obj *obj);
int dmactl_op_target(struct dmactl_ucmd *ucmd, struct dmactl_target **tp);
int dmactl_op_lookup(struct dmactl_ucmd *ucmd, struct dmactl_target *t, u32 id,
		     enum dmactl_obj_type type, struct dmactl_obj **objp);
void dmactl_op_put(struct dmactl_obj *obj);
int dmactl_op_begin(struct dmactl_ucmd *ucmd, u32 id, enum dmactl_obj_type type,
		    struct dmactl_target **tp, struct dmactl_obj **objp);
void dmactl_op_done(struct dmactl_target *t, struct dmactl_obj *obj);

/* ---- buffers (mem.c) ---- */

/**
 * struct dmactl_buf - memory that links map
 * @obj: the object header
 * @target: the file's target, whose counters count the buffer (the
 *	file's context holds the reference for the buffer's life)
 * @kind: enum dmactl_buf_kind
 * @order: DMACTL_BUF_KERNEL: order of each chunk
 * @length: bytes
 * @nr_pages: pages in @pages
 * @pages: every page of the buffer, in order
 * @nr_links: links over this buffer; it cannot be freed while any
 *	remain (under the buffer's lock)
 * @provider: P2P kinds: the provider, with a reference held
 * @p2p_vaddr: DMACTL_BUF_P2P: what pci_alloc_p2pmem() returned
 * @p2p_map: P2P kinds: enum dmactl_p2p_map of the memory for the
 *	attached device, as the DMA layer decides it
 * @p2p_bus_offset: DMACTL_P2P_MAP_BUS_ADDR: bus address minus physical
 *	address of the memory
 * @held: the buffer holds its memory (counted in DMACTL_C_LIVE_BUFS)
 * @charged: bytes charged to the file's DMACTL_LIMIT_BUF_BYTES
 */
struct dmactl_buf {
	struct dmactl_obj obj;
	struct dmactl_target *target;
	u32 kind;
	unsigned int order;
	u64 length;
	unsigned long nr_pages;
	struct page **pages;
	unsigned long nr_links;
	struct pci_dev *provider;
	void *p2p_vaddr;
	u32 p2p_map;
	u64 p2p_bus_offset;
	bool held;
	u64 charged;
};

int dmactl_buf_alloc(struct dmactl_ucmd *ucmd);
int dmactl_buf_free(struct dmactl_ucmd *ucmd);
int dmactl_buf_fill(struct dmactl_ucmd *ucmd);
int dmactl_buf_checksum(struct dmactl_ucmd *ucmd);
phys_addr_t dmactl_buf_phys(struct dmactl_buf *buf, u64 offset);
u64 dmactl_buf_contig(struct dmactl_buf *buf, u64 offset, u64 max);
gfp_t dmactl_reachable_gfp(struct device *dev);
phys_addr_t dmactl_dma_to_phys(struct device *dev, dma_addr_t addr);
bool dmactl_dma_leads_to(struct device *dev, dma_addr_t addr, phys_addr_t phys);
void dmactl_buf_walk(struct dmactl_buf *buf, u64 offset, u64 length,
		     void (*fn)(void *va, u64 off, size_t len, void *arg),
		     void *arg);

/* ---- IOVA objects: the two-step API (iova.c) ---- */

/**
 * struct dmactl_run - a physically contiguous piece of a link whose
 *	pieces each have their own device address
 * @dma_addr: what dma_map_phys() returned, or the PCI bus address
 * @length: bytes
 */
struct dmactl_run {
	dma_addr_t dma_addr;
	u64 length;
};

/**
 * struct dmactl_link - one link record: a link, or on the IOVA path a
 *	row of links each continuing the one before (see
 *	dmactl_link_continues())
 * @iova_offset: start in the IOVA space, bytes
 * @length: bytes, a multiple of @unit
 * @unit: bytes of each link the record holds
 * @buf: the buffer, with an object reference held
 * @buf_offset: start in @buf, bytes
 * @udir: enum dmactl_dir as the caller gave it
 * @uattrs: DMACTL_ATTR_* as the caller gave them
 * @dir: the kernel's direction
 * @attrs: the kernel's DMA_ATTR_* passed to link and unlink
 * @ops: how the link maps its memory, chosen when it was made
 * @swiotlb: a fallback run bounced through swiotlb, or (IOVA path) the
 *	partial first or last granule of an untrusted device's link
 * @nr_runs: backends not @ops->in_iova: entries in @runs
 * @runs: each contiguous run's device address
 */
struct dmactl_link {
	u64 iova_offset;
	u64 length;
	u64 unit;
	struct dmactl_buf *buf;
	u64 buf_offset;
	u32 udir;
	u32 uattrs;
	enum dma_data_direction dir;
	unsigned long attrs;
	const struct dmactl_link_ops *ops;
	bool swiotlb;
	unsigned int nr_runs;
	struct dmactl_run runs[];
};

/**
 * struct dmactl_iova - an IOVA object and its shadow state
 * @obj: the object header
 * @target: the device, with a target reference held
 * @path: enum dmactl_path
 * @state: the kernel's state (DMACTL_PATH_IOVA)
 * @length: the IOVA space, bytes
 * @granule: bytes, a power of two
 * @first_offset: offset of IOVA byte 0 in its granule, bytes
 * @nr_granules: granules the space touches
 * @synced: per granule: synced since it was linked
 * @links: link records, each stored over the range of granule indexes
 *	it touches; a granule is linked if it has a record
 * @nr_links: links the records hold
 * @nr_records: records in @links
 * @linked_bytes: bytes the records cover
 * @require_coherent: every link carries DMA_ATTR_REQUIRE_COHERENT
 * @inflight: copies in progress through this object
 * @unlinked_dst: of those, copies aimed at its unlinked IOVA: no link
 *	may be made while one runs (the IOMMU must block its writes)
 * @wedged: a copy through it timed out and its engine may still reach
 *	the memory: link, unlink, free and destroy are refused (EBUSY) and
 *	teardown waits, until the target's DMA is quiet
 *	(dmactl_target_dma_quiet())
 * @shadow_charged: bytes charged to the file's DMACTL_LIMIT_SHADOW_BYTES
 */
struct dmactl_iova {
	struct dmactl_obj obj;
	struct dmactl_target *target;
	u32 path;
	struct dma_iova_state state;
	u64 length;
	u64 granule;
	u64 first_offset;
	unsigned long nr_granules;
	unsigned long *synced;
	struct maple_tree links;
	unsigned long nr_links;
	unsigned long nr_records;
	u64 linked_bytes;
	bool require_coherent;
	unsigned int inflight;
	unsigned int unlinked_dst;
	bool wedged;
	u64 shadow_charged;
};

int dmactl_iova_alloc(struct dmactl_ucmd *ucmd);
int dmactl_iova_link(struct dmactl_ucmd *ucmd);
int dmactl_iova_sync(struct dmactl_ucmd *ucmd);
int dmactl_iova_unlink(struct dmactl_ucmd *ucmd);
int dmactl_iova_free(struct dmactl_ucmd *ucmd);
int dmactl_iova_destroy(struct dmactl_ucmd *ucmd);
int dmactl_iova_query(struct dmactl_ucmd *ucmd);
int dmactl_iova_op_begin(struct dmactl_ucmd *ucmd, u32 id,
			 struct dmactl_target **tp, struct dmactl_iova **iovap);
void dmactl_iova_op_done(struct dmactl_target *t, struct dmactl_iova *iova);
bool dmactl_iova_dma_busy(struct dmactl_iova *iova);

/* ---- the shadow state of an IOVA object (shadow.c) ---- */

int dmactl_shadow_init(struct dmactl_iova *iova, u64 length, u64 granule,
		       u64 first_offset);
void dmactl_shadow_free(struct dmactl_iova *iova);
int dmactl_shadow_charge(struct dmactl_iova *iova, u64 bytes);
void dmactl_shadow_uncharge(struct dmactl_iova *iova, u64 bytes);
void dmactl_shadow_mark_synced(struct dmactl_iova *iova, u64 offset, u64 end);
void dmactl_shadow_describe(struct dmactl_iova *iova,
			    struct dmactl_iova_query *cmd,
			    struct dmactl_link_info *info, u32 n);
unsigned long dmactl_iova_gidx(struct dmactl_iova *iova, u64 offset);
unsigned long dmactl_iova_gend(struct dmactl_iova *iova, u64 end);
struct dmactl_link *dmactl_iova_link_at(struct dmactl_iova *iova, u64 offset);
bool dmactl_iova_range_synced(struct dmactl_iova *iova, u64 offset, u64 end);
bool dmactl_iova_range_unlinked(struct dmactl_iova *iova, u64 offset, u64 end);
size_t dmactl_link_bytes(unsigned int nr_runs);
int dmactl_link_insert(struct dmactl_iova *iova, struct dmactl_link *link);
void dmactl_link_erase(struct dmactl_iova *iova, struct dmactl_link *link);
void dmactl_link_hold(struct dmactl_iova *iova, struct dmactl_link *link);
int dmactl_link_grow(struct dmactl_iova *iova, struct dmactl_link *prev,
		     u64 length);
void dmactl_link_added(struct dmactl_iova *iova, struct dmactl_buf *buf,
		       u64 offset, u64 length);
int dmactl_link_split(struct dmactl_iova *iova, u64 offset);
void dmactl_links_remove(struct dmactl_iova *iova, unsigned long gs,
			 unsigned long ge, bool unmap);
int dmactl_links_span(struct dmactl_iova *iova, u64 offset, u64 end,
		      u32 udir, u32 uattrs, enum dmactl_rule *rule,
		      unsigned long *count);
bool dmactl_links_uniform(struct dmactl_iova *iova, unsigned long *kattrs);
bool dmactl_links_use_provider(struct dmactl_iova *iova, struct pci_dev *pdev);

/* ---- link backends: how a link maps its memory (link_ops.c) ---- */

/**
 * enum dmactl_verdict - what the translation oracle found for one page
 * @DMACTL_VERDICT_MAPPED: linked, and the device reaches the buffer's page
 * @DMACTL_VERDICT_UNMAPPED: not linked, and the IOVA translates to nothing
 * @DMACTL_VERDICT_BOUNCED: linked through a swiotlb bounce slot
 * @DMACTL_VERDICT_BUS_ADDR: linked by the page's PCI bus address, and
 *	the IOVA, if any, translates to nothing
 * @DMACTL_VERDICT_MISMATCH: anything else
 */
enum dmactl_verdict {
	DMACTL_VERDICT_MAPPED,
	DMACTL_VERDICT_UNMAPPED,
	DMACTL_VERDICT_BOUNCED,
	DMACTL_VERDICT_BUS_ADDR,
	DMACTL_VERDICT_MISMATCH,
};

struct iommu_domain;

/**
 * struct dmactl_link_ops - one way a link maps its memory
 * @attrs: DMA_ATTR_* added to the caller's (DMA_ATTR_MMIO: the module's
 *	alone, rules M15, M16)
 * @in_iova: linked into the object's IOVA space: the record holds no
 *	runs, a link exactly continuing it may join it, and
 *	dma_iova_destroy() can take it down
 * @streaming: a streaming mapping by DMA address: the device's view and
 *	the CPU's are synced with dma_sync_single_*()
 * @query_flags: DMACTL_LINK_* that QUERY reports for every such link
 * @max_run: the most bytes one mapping call takes for a device; NULL: no
 *	limit but physical contiguity
 * @map: map a checked link whose record is filled in but for its runs;
 *	0 or a negative errno, and on failure nothing of it stays mapped
 * @unmap: undo @map with the recorded direction and attributes
 * @dma_addr: the device address of the byte at IOVA offset @offset of
 *	@link; if @contig is not NULL, set it to how many bytes from there,
 *	within the link, have consecutive device addresses.  Returns
 *	DMA_MAPPING_ERROR past the link's runs
 * @verify_page: the translation oracle's check of the linked page at
 *	IOVA offset @offset, which should reach @phys; @domain is the
 *	object's DMA API domain, NULL without IOVA space
 *
 * Each is called with the IOVA object's lock held.
 */
struct dmactl_link_ops {
	unsigned long attrs;
	bool in_iova;
	bool streaming;
	u32 query_flags;
	u64 (*max_run)(struct device *dev);
	int (*map)(struct dmactl_iova *iova, struct dmactl_link *link);
	void (*unmap)(struct dmactl_iova *iova, struct dmactl_link *link);
	dma_addr_t (*dma_addr)(struct dmactl_iova *iova,
			       struct dmactl_link *link, u64 offset,
			       u64 *contig);
	enum dmactl_verdict (*verify_page)(struct dmactl_iova *iova,
					   struct iommu_domain *domain,
					   struct dmactl_link *link, u64 offset,
					   phys_addr_t phys);
};

const struct dmactl_link_ops *dmactl_link_ops_pick(struct dmactl_iova *iova,
						   struct dmactl_buf *buf);
u64 dmactl_link_run(const struct dmactl_link_ops *ops, struct device *dev,
		    struct dmactl_buf *buf, u64 buf_offset, u64 remaining);
bool dmactl_phys_reachable(struct device *dev, phys_addr_t phys, u64 len,
			   unsigned long attrs);

/* ---- benchmark runs (bench.c) ---- */

int dmactl_bench_start(struct dmactl_ucmd *ucmd);
int dmactl_bench_result(struct dmactl_ucmd *ucmd);
int dmactl_bench_free(struct dmactl_ucmd *ucmd);

/* ---- P2PDMA: the kernel's verdict, publishing, revocation (p2p.c) ---- */

int dmactl_p2p_query(struct dmactl_ucmd *ucmd);
int dmactl_p2pmem_publish(struct dmactl_ucmd *ucmd);
void dmactl_p2p_revoke_provider(struct pci_dev *pdev);
bool dmactl_p2p_provider_dying(struct pci_dev *pdev);
int dmactl_p2p_bar(struct pci_dev *pdev, phys_addr_t phys);
int dmactl_p2p_probe(struct pci_dev *provider, struct device *client,
		     struct page *page, u32 *map,
		     u64 *bus_offset);
void dmactl_p2p_provider_gone(struct pci_dev *pdev);

/* ---- DMA engines and the copy op (engine.c, edu.c, copy.c) ---- */

/**
 * struct dmactl_engine_ops - what a DMA engine must do
 * @kind: enum dmactl_engine_kind
 * @copy: copy @len bytes from device address @src to @dst and wait for
 *	it, at most @timeout jiffies; returns 0, -ETIMEDOUT, -EIO (the
 *	engine reported an error), -EINVAL (a transfer the engine cannot
 *	make) or -ENOMEM.  When a transfer may still be running
 *	after it returns (it timed out and could not be stopped), it sets
 *	the engine's @wedged.
 * @idle: with the engine wedged: has the transfer that wedged it ended,
 *	so that it can no longer reach memory?  Called under @wedge_lock
 * @release: free the engine
 */
struct dmactl_engine_ops {
	u32 kind;
	int (*copy)(struct dmactl_engine *e, dma_addr_t dst, dma_addr_t src,
		    size_t len, unsigned long timeout);
	bool (*idle)(struct dmactl_engine *e);
	void (*release)(struct dmactl_engine *e);
};

/**
 * struct dmactl_engine - a DMA engine of a target
 * @ops: its operations
 * @lock: one transfer at a time
 * @wedge_lock: protects @wedged and the backend's record of the transfer
 *	that wedged it
 * @wedged: a transfer timed out and may still reach memory: no more
 *	copies, and the memory it may reach stays held, until @idle says
 *	it ended
 * @priv: the backend's
 * @max_transfer: the longest transfer, bytes
 */
struct dmactl_engine {
	const struct dmactl_engine_ops *ops;
	struct mutex lock;	/* one transfer at a time */
	spinlock_t wedge_lock;	/* protects wedged */
	bool wedged;
	void *priv;
	size_t max_transfer;
};

struct dmactl_engine *dmactl_engine_create(const struct dmactl_engine_ops *ops,
					   void *priv, size_t max_transfer);
void dmactl_engine_destroy(struct dmactl_engine *e);
struct dmactl_engine *dmactl_engine_get(struct dmactl_target *t);
void dmactl_engine_wedge(struct dmactl_engine *e);
bool dmactl_engine_idle(struct dmactl_engine *e);
void dmactl_engine_revoke(struct dmactl_target *t);
bool dmactl_target_dma_quiet(struct dmactl_target *t);
struct dmactl_engine *dmactl_dmaengine_create(struct device *dev);
bool dmactl_edu_match(struct pci_dev *pdev);
int dmactl_edu_setup(struct pci_dev *pdev, struct dmactl_engine **out);
int dmactl_copy(struct dmactl_ucmd *ucmd);

/* ---- the translation oracle (verify.c) ---- */

int dmactl_iova_verify(struct dmactl_ucmd *ucmd);

/* ---- ioctl plumbing (main.c) ---- */

/**
 * struct dmactl_ucmd - one ioctl call being served
 * @ctx: the file's context
 * @ubuffer: the caller's argument
 * @user_size: the caller's @size field, bytes
 * @cmd: the argument, copied in; the handler fills its out fields
 */
struct dmactl_ucmd {
	struct dmactl_ctx *ctx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

int dmactl_ucmd_respond(struct dmactl_ucmd *ucmd, size_t cmd_len);

/* Is a device name from userspace non-empty and terminated in its field? */
static inline bool dmactl_name_ok(const char *name)
{
	size_t len = strnlen(name, DMACTL_NAME_MAX);

	return len && len < DMACTL_NAME_MAX;
}

/* ---- the netlink family (netlink.c) ---- */

/**
 * struct dmactl_teardown - what tearing objects down took away
 * @files: files that were attached (revocation)
 * @bufs: buffers
 * @iovas: IOVA objects
 * @links: the links they held
 * @benches: benchmark runs
 */
struct dmactl_teardown {
	u32 files;
	u32 bufs;
	u32 iovas;
	u64 links;
	u32 benches;
};

int dmactl_nl_init(void);
void dmactl_nl_exit(void);
void dmactl_nl_dev_revoked(struct dmactl_target *t,
			   const struct dmactl_teardown *td);
void dmactl_nl_file_released(struct dmactl_target *t, struct dmactl_ctx *ctx,
			     const struct dmactl_teardown *td);
void dmactl_nl_copy_event(struct dmactl_target *t, struct dmactl_ctx *ctx,
			  u32 type, const struct dmactl_copy *cmd, int err);

/* The kernel's direction for ours, or DMA_NONE if ours is not valid. */
enum dma_data_direction dmactl_dir(u32 udir);

#endif /* DMACTL_PRIVATE_H */
