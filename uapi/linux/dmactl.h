/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dmactl: drive the Linux DMA-mapping layer from userspace, for testing.
 *
 * A file descriptor of /dev/dmactl is a context.  It attaches to one
 * DMA-capable device and owns objects on it -- buffers, IOVA objects and
 * benchmark runs -- named by u32 IDs.  Userspace never names kernel
 * pointers or physical addresses: the module derives every physical
 * address from pages it holds itself.
 *
 * ABI conventions (those of iommufd):
 *  - Every ioctl number is _IO(DMACTL_TYPE, nr); the size of the argument
 *    travels in the argument itself.
 *  - Every argument struct begins with __u32 size (the caller's
 *    sizeof(struct)) and __u32 flags.  The kernel accepts any size from the
 *    struct's first version up: shorter than that gives EINVAL; longer
 *    with a non-zero byte past what the kernel knows gives E2BIG.  The
 *    kernel writes back at most @size bytes, and only on success -- except
 *    the calls that make an object (BUF_ALLOC, IOVA_ALLOC, BENCH_START):
 *    they write the reply, with the new ID, first, and then return ENODEV
 *    if the device was revoked meanwhile (the object is gone with it).
 *  - Only __u32 and __aligned_u64 fields, padding explicit in __reserved
 *    fields that must be zero; every struct is a multiple of 8 bytes and
 *    has the same layout for 32-bit and 64-bit callers.
 *  - Enumerations start at 1, so a zeroed field is never a valid choice.
 *
 * Errors.  Every ioctl may fail, before anything else, with:
 *   ENOTTY      unknown ioctl number
 *   EPERM       the caller lacks CAP_SYS_ADMIN, or the kernel is locked
 *               down (LOCKDOWN_PCI_ACCESS); checked on every call, not
 *               only at open: a file descriptor can be passed on
 *   EFAULT      @size cannot be read (and, at the end of a call, the
 *               reply cannot be written)
 *   EINVAL      @size below the struct's first version
 *   E2BIG       @size past the struct, with a non-zero byte there; or
 *               EFAULT: the rest of the argument cannot be read
 * These are checked in the order given.  Then each struct below lists its
 * own errors in the order they are checked: the first that applies is
 * returned.  The order follows one rule where it can -- unknown flags or
 * reserved fields (EOPNOTSUPP), wrapping ranges (EOVERFLOW), bad values
 * (EINVAL), then the file and the object (ENOENT if the file is not
 * attached, ENODEV if the device is gone, ENOENT for an unknown ID; a call
 * that makes an object gives EBUSY if the file is not attached, then
 * ENODEV), then what needs the object: alignment and bounds (EINVAL,
 * ERANGE), overlap (EEXIST), state (EBUSY) -- and lists each exception (a
 * buffer range before the physical alignment it decides, for LINK).  The
 * meaning of each errno is the same everywhere:
 *   EOPNOTSUPP  unknown flag or non-zero __reserved; or the operation does
 *               not apply here (no IOMMU domain and no fallback allowed,
 *               no DMA engine, not a PCI device)
 *   EOVERFLOW   an offset + length wraps
 *   EINVAL      bad value, zero length, misalignment, mismatch with the
 *               recorded link
 *   ERANGE      outside the IOVA allocation or the buffer
 *   EEXIST      the range is already linked
 *   EBUSY       wrong state or still in use (links, a buffer under links,
 *               DMA in flight); a file already attached (ATTACH), or not
 *               yet attached (the calls that make objects: BUF_ALLOC,
 *               IOVA_ALLOC, P2PMEM_PUBLISH, BENCH_START)
 *   ENOENT      unknown ID (or an ID of another kind), or a file not yet
 *               attached (the calls that name an object); a range that
 *               holds no link (or, for COPY with DMACTL_COPY_DST_UNLINKED,
 *               a destination that holds one)
 *   ENODEV      the device went away (unbind, hot removal); or no device
 *               of that name
 *   EPERM       the device is neither bound to dmactl nor on its allow
 *               list, or an operation only a device bound to dmactl
 *               allows
 *   ENXIO       shared mode on a device with no driver that uses the DMA
 *               API (its IOMMU domain could change under the mappings)
 *   EDQUOT      a limit on what a file (or all files) may hold, a module
 *               parameter: max_objects_per_file, max_shadow_bytes_per_file,
 *               max_buf_bytes_per_file, max_bench_runs_per_file,
 *               max_bench_threads; and max_allowed, for names added to the
 *               allow list (/sys/class/misc/dmactl/allow, netlink)
 *   ENOSPC      the IOVA space is exhausted
 *   EREMOTEIO   P2P memory the kernel says the device cannot reach, or
 *               P2P memory given as DMACTL_BUF_USER
 *   EIO         memory the device cannot address, with no bounce buffer
 *               it can reach either (dma_map_phys() would WARN); an
 *               engine error; the DMA layer refused a benchmark's DMA mask
 *   ETIMEDOUT   an engine transfer did not end within COPY's @timeout_ms
 *   EAGAIN      a copy over a range linked but not synced
 *   EINTR       a wait interrupted by a signal
 *   ENOMEM      out of memory
 * Rejections of requests that would misuse the kernel API are counted
 * under the rule each breaks, for every rule the module checks (M3, M4,
 * M6..M13, M17..M28 and M32 of the design, and "limit", "p2pmem_range",
 * "buf_busy", "unreachable", "copy_dir"), in the rejection counters of the
 * netlink family (dmactl stats); the design's other rules hold by
 * construction, with nothing to reject.
 *
 * Locking: any number of threads may use one file; calls on one object
 * are serialised by the object's mutex.  COPY holds its two IOVA objects'
 * mutexes only while it plans and while it ends; while the engine runs,
 * the objects are marked busy, so UNLINK, FREE and DESTROY on them (and
 * LINK into a DMACTL_COPY_DST_UNLINKED destination) give EBUSY.
 * BENCH_RESULT with DMACTL_BENCH_WAIT sleeps holding no lock.  A new
 * object can be named by its ID only once the call that made it has
 * written its reply.  Revoking the device waits for the calls in progress
 * (a copy, for at most its current engine transfer); after it, every
 * call that makes an object or names one gives ENODEV.
 */
#ifndef _UAPI_LINUX_DMACTL_H
#define _UAPI_LINUX_DMACTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DMACTL_TYPE	0xD7
#define DMACTL_DEVICE	"/dev/dmactl"

/* Bumped on every incompatible change; additions keep it. */
#define DMACTL_ABI_VERSION	1

/* The longest device name ATTACH takes, with its NUL. */
#define DMACTL_NAME_MAX		64

enum {
	DMACTL_CMD_BASE = 0x80,
	DMACTL_CMD_GET_VERSION = DMACTL_CMD_BASE,
	DMACTL_CMD_ATTACH,
	DMACTL_CMD_BUF_ALLOC,
	DMACTL_CMD_BUF_FREE,
	DMACTL_CMD_BUF_FILL,
	DMACTL_CMD_BUF_CHECKSUM,
	DMACTL_CMD_IOVA_ALLOC,
	DMACTL_CMD_IOVA_LINK,
	DMACTL_CMD_IOVA_SYNC,
	DMACTL_CMD_IOVA_UNLINK,
	DMACTL_CMD_IOVA_FREE,
	DMACTL_CMD_IOVA_DESTROY,
	DMACTL_CMD_IOVA_QUERY,
	DMACTL_CMD_IOVA_VERIFY,
	DMACTL_CMD_P2P_QUERY,
	DMACTL_CMD_P2PMEM_PUBLISH,
	DMACTL_CMD_COPY,
	DMACTL_CMD_BENCH_START,
	DMACTL_CMD_BENCH_RESULT,
	DMACTL_CMD_BENCH_FREE,
};

/**
 * struct dmactl_get_version - DMACTL_GET_VERSION: what this module speaks
 * @size: sizeof(struct dmactl_get_version), bytes; at least 16
 * @flags: must be 0
 * @out_abi_version: DMACTL_ABI_VERSION of the running module
 * @__reserved: must be 0
 *
 * Errors: EOPNOTSUPP (@flags or @__reserved not 0).
 */
struct dmactl_get_version {
	__u32 size;
	__u32 flags;
	__u32 out_abi_version;
	__u32 __reserved;
};

#define DMACTL_GET_VERSION	_IO(DMACTL_TYPE, DMACTL_CMD_GET_VERSION)

/**
 * enum dmactl_domain - the device's IOMMU domain type
 * @DMACTL_DOMAIN_NONE: no IOMMU translates for the device (dma-direct)
 * @DMACTL_DOMAIN_IDENTITY: an IOMMU in passthrough (identity) mode
 * @DMACTL_DOMAIN_DMA: a DMA API domain with strict IOTLB invalidation
 * @DMACTL_DOMAIN_DMA_FQ: a DMA API domain with a flush queue (lazy)
 * @DMACTL_DOMAIN_BLOCKED: DMA blocked
 * @DMACTL_DOMAIN_OTHER: any other type (unmanaged, platform, ...)
 */
enum dmactl_domain {
	DMACTL_DOMAIN_NONE = 1,
	DMACTL_DOMAIN_IDENTITY,
	DMACTL_DOMAIN_DMA,
	DMACTL_DOMAIN_DMA_FQ,
	DMACTL_DOMAIN_BLOCKED,
	DMACTL_DOMAIN_OTHER,
};

/* dmactl_attach.out_flags */
enum {
	/* the device is bound to dmactl's own driver (exclusive mode) */
	DMACTL_ATTACH_OUT_EXCLUSIVE = 1 << 0,
	/* the device is on the allow list and keeps its driver (shared) */
	DMACTL_ATTACH_OUT_SHARED = 1 << 1,
	/* CPU caches are coherent with the device's DMA */
	DMACTL_ATTACH_OUT_COHERENT = 1 << 2,
	/*
	 * dma_iova_try_alloc() can succeed: the kernel has the IOVA API and
	 * the device is on a DMA or DMA-FQ domain
	 */
	DMACTL_ATTACH_OUT_IOVA_USABLE = 1 << 3,
	/* streaming mappings may bounce through swiotlb */
	DMACTL_ATTACH_OUT_SWIOTLB = 1 << 4,
	/*
	 * The kernel's capabilities, the same for every device.  Without
	 * the two-step IOVA API (before 6.17) the module runs in classic
	 * mode: ALLOC takes the fallback (DMACTL_IOVA_ALLOW_FALLBACK) or
	 * fails with EOPNOTSUPP, and the IOVA benchmark modes fail with
	 * EOPNOTSUPP.
	 */
	DMACTL_ATTACH_OUT_IOVA_API = 1 << 5,
	/* DMA_ATTR_REQUIRE_COHERENT exists: DMACTL_IOVA_REQUIRE_COHERENT works */
	DMACTL_ATTACH_OUT_REQUIRE_COHERENT = 1 << 6,
	/* CONFIG_PCI_P2PDMA: P2P_SETUP can publish p2pmem */
	DMACTL_ATTACH_OUT_P2PDMA = 1 << 7,
	/*
	 * The kernel does not trust the device (pci_dev->untrusted: below an
	 * external-facing port, as Thunderbolt devices are): its IOMMU
	 * domain is strict, and it never sees the rest of a granule it was
	 * not given: dma_iova_link() bounces a link's partial first and last
	 * granule through swiotlb (DMACTL_LINK_SWIOTLB, counted by VERIFY as
	 * bounced), dma_map_phys() and dma_map_sg() a whole mapping that is
	 * off the granule
	 */
	DMACTL_ATTACH_OUT_UNTRUSTED = 1 << 8,
};

#define DMACTL_NO_NODE	0xffffffffU

/**
 * struct dmactl_attach - DMACTL_ATTACH: attach this file to a device
 * @size: sizeof(struct dmactl_attach), bytes
 * @flags: must be 0
 * @name: the device's name on its bus, NUL-terminated: a PCI address
 *	("0000:00:04.0") or a platform device name
 * @out_domain: enum dmactl_domain
 * @out_flags: DMACTL_ATTACH_OUT_*
 * @out_granule: the IOVA granule, dma_get_merge_boundary() + 1, bytes; the
 *	page size when dma_get_merge_boundary() is 0 (no IOMMU, identity
 *	domain)
 * @out_dma_mask: the device's streaming DMA mask
 * @out_max_mapping_size: dma_max_mapping_size(), bytes
 * @out_opt_mapping_size: dma_opt_mapping_size(), bytes
 * @out_dma_mask_bits: bits set in @out_dma_mask
 * @out_numa_node: the device's NUMA node, DMACTL_NO_NODE if none
 *
 * A file attaches once.  The device must be bound to dmactl (through
 * driver_override) or be on the allow list (/sys/class/misc/dmactl/allow)
 * with a driver bound to it that uses the DMA API (shared mode): while
 * such a driver is bound, the device's IOMMU domain cannot change, and
 * before it unbinds every file's objects on the device are revoked.
 *
 * Errors: EOPNOTSUPP (@flags not 0); EINVAL (@name not terminated or
 * empty); EBUSY (already attached); ENODEV (no such device, or it is
 * going away); EINTR (waiting for the device's lock); EPERM (neither
 * bound nor allowed); ENXIO (allowed, but no driver using the DMA API is
 * bound to it: shared mode lasts only while one is); ENOMEM.
 */
struct dmactl_attach {
	__u32 size;
	__u32 flags;
	char name[DMACTL_NAME_MAX];
	__u32 out_domain;
	__u32 out_flags;
	__aligned_u64 out_granule;
	__aligned_u64 out_dma_mask;
	__aligned_u64 out_max_mapping_size;
	__aligned_u64 out_opt_mapping_size;
	__u32 out_dma_mask_bits;
	__u32 out_numa_node;
};

#define DMACTL_ATTACH		_IO(DMACTL_TYPE, DMACTL_CMD_ATTACH)

/**
 * enum dmactl_buf_kind - where a buffer's memory comes from
 * @DMACTL_BUF_KERNEL: pages from the page allocator, zeroed, in chunks of
 *	2^@order pages each physically contiguous
 * @DMACTL_BUF_USER: the caller's own memory at @user_addr, pinned for as
 *	long as the buffer lives (pin_user_pages with FOLL_LONGTERM); P2P
 *	memory is refused here (EREMOTEIO)
 * @DMACTL_BUF_P2P: P2P memory (a BAR published as p2pmem) of the PCI
 *	device named by @provider, from pci_alloc_p2pmem(); not zeroed
 * @DMACTL_BUF_USER_P2P: the caller's mapping at @user_addr of
 *	/sys/bus/pci/devices/@provider/p2pmem/allocate, pinned with
 *	FOLL_PCI_P2PDMA (never FOLL_LONGTERM, which the kernel refuses with
 *	a WARN for P2P pages); every page must lie in one and the same BAR
 *	of @provider
 *
 * P2P buffers are revoked (their links first) before the provider's
 * driver unbinds.
 */
enum dmactl_buf_kind {
	DMACTL_BUF_KERNEL = 1,
	DMACTL_BUF_USER,
	DMACTL_BUF_P2P,
	DMACTL_BUF_USER_P2P,
};

/* dmactl_buf_alloc.flags */
enum {
	/*
	 * DMACTL_BUF_KERNEL: allocate from the memory zone the attached
	 * device's DMA mask reaches (ZONE_DMA or ZONE_DMA32), as
	 * dma_alloc_pages() would, so that it needs no bounce buffer.
	 */
	DMACTL_BUF_ALLOC_REACHABLE = 1 << 0,
};

/**
 * struct dmactl_buf_alloc - DMACTL_BUF_ALLOC: make a buffer
 * @size: sizeof(struct dmactl_buf_alloc), bytes; 48 (without @provider)
 *	is accepted for the kinds that need no provider
 * @flags: DMACTL_BUF_ALLOC_REACHABLE (DMACTL_BUF_KERNEL only)
 * @kind: enum dmactl_buf_kind
 * @order: DMACTL_BUF_KERNEL: allocation order of each chunk,
 *	0..min(10, MAX_PAGE_ORDER); must be 0 for the other kinds
 * @length: bytes; a multiple of the page size, and for DMACTL_BUF_KERNEL
 *	of the chunk size (page size << @order); at most 1 GiB
 * @user_addr: DMACTL_BUF_USER, DMACTL_BUF_USER_P2P: page-aligned address
 *	of the memory; must be 0 for the other kinds
 * @node: DMACTL_BUF_KERNEL: NUMA node to allocate on, DMACTL_NO_NODE for
 *	the device's node; ignored for the other kinds
 * @out_id: the buffer's ID
 * @out_nr_pages: pages the buffer holds
 * @__reserved: must be 0
 * @provider: DMACTL_BUF_P2P, DMACTL_BUF_USER_P2P: the PCI address of the
 *	P2P provider, NUL-terminated; must be empty for the other kinds
 *
 * Errors: EOPNOTSUPP (unknown flag, @__reserved); EOVERFLOW (@user_addr
 * + @length wraps); EINVAL (bad @kind, @order, @length or alignment;
 * @node not online or not below MAX_NUMNODES; @provider not terminated,
 * empty for a P2P kind or set for a kind without one;
 * DMACTL_BUF_ALLOC_REACHABLE for a kind other than DMACTL_BUF_KERNEL;
 * @user_addr not 0 for a kind without one); EBUSY (not attached); ENOMEM;
 * EDQUOT (max_buf_bytes_per_file); then getting the memory, with no lock
 * held: ENOMEM (also: the provider's pool is exhausted), ENODEV (no such
 * provider, or it has no P2P memory), EREMOTEIO (P2P memory given as
 * DMACTL_BUF_USER), EINVAL (user P2P pages not all in one BAR of
 * @provider), and what pin_user_pages_fast() returns for the memory at
 * @user_addr (EFAULT: not mapped, not writable, not present for
 * DMACTL_BUF_USER_P2P; EAGAIN, EBUSY, EINTR, ENOMEM); then ENODEV (the
 * device went away), EBUSY (a benchmark run holds the DMA mask), ENODEV
 * (the provider's driver is unbinding), and what dma_map_sgtable()
 * returns for the P2P probe other than EREMOTEIO (EINVAL, ENOMEM, EIO);
 * EDQUOT (max_objects_per_file), ENOMEM, EBUSY (no free ID); ENODEV
 * (revoked before the ID was published).
 */
struct dmactl_buf_alloc {
	__u32 size;
	__u32 flags;
	__u32 kind;
	__u32 order;
	__aligned_u64 length;
	__aligned_u64 user_addr;
	__u32 node;
	__u32 out_id;
	__u32 out_nr_pages;
	__u32 __reserved;
	char provider[DMACTL_NAME_MAX];
};

#define DMACTL_BUF_ALLOC	_IO(DMACTL_TYPE, DMACTL_CMD_BUF_ALLOC)

/**
 * struct dmactl_buf_free - DMACTL_BUF_FREE: free a buffer
 * @size: sizeof(struct dmactl_buf_free), bytes
 * @flags: must be 0
 * @id: the buffer's ID
 * @__reserved: must be 0
 *
 * Errors: EOPNOTSUPP; ENOENT (not attached); ENODEV; ENOENT (no such
 * buffer); EBUSY (a link still maps it).
 */
struct dmactl_buf_free {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
};

#define DMACTL_BUF_FREE		_IO(DMACTL_TYPE, DMACTL_CMD_BUF_FREE)

/**
 * struct dmactl_buf_fill - DMACTL_BUF_FILL: write a pattern into a buffer
 * @size: sizeof(struct dmactl_buf_fill), bytes
 * @flags: must be 0
 * @id: the buffer's ID
 * @__reserved: must be 0
 * @offset: where to start in the buffer, bytes; a multiple of 8
 * @length: bytes to write, > 0; a multiple of 8
 * @seed: the pattern's seed
 *
 * The pattern is a function of the seed and the byte's offset in the
 * buffer, so any range can be checked on its own: the 64-bit little-endian
 * word at buffer offset 8*i is dmactl_pattern(@seed, i) below.
 *
 * Errors: EOPNOTSUPP; EOVERFLOW; EINVAL (zero or unaligned); ENOENT (not
 * attached); ENODEV; ENOENT (no such buffer); ERANGE (past the buffer's
 * end).
 */
struct dmactl_buf_fill {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 seed;
};

#define DMACTL_BUF_FILL		_IO(DMACTL_TYPE, DMACTL_CMD_BUF_FILL)

/* The fill pattern: splitmix64 of seed + word index. */
static inline __u64 dmactl_pattern(__u64 seed, __u64 index)
{
	__u64 z = seed + (index + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * struct dmactl_buf_checksum - DMACTL_BUF_CHECKSUM: crc32c of a range
 * @size: sizeof(struct dmactl_buf_checksum), bytes
 * @flags: must be 0
 * @id: the buffer's ID
 * @out_crc32c: crc32c (Castagnoli, initial value ~0, final value
 *	inverted, as iSCSI and ext4 use it) of the range
 * @offset: where to start in the buffer, bytes
 * @length: bytes, > 0
 *
 * Errors: EOPNOTSUPP (@flags not 0); EOVERFLOW; EINVAL (zero length);
 * ENOENT (not attached); ENODEV; ENOENT (no such buffer); ERANGE.
 */
struct dmactl_buf_checksum {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 out_crc32c;
	__aligned_u64 offset;
	__aligned_u64 length;
};

#define DMACTL_BUF_CHECKSUM	_IO(DMACTL_TYPE, DMACTL_CMD_BUF_CHECKSUM)

/* dmactl_iova_alloc.flags */
enum {
	/*
	 * When dma_iova_try_alloc() declines (no IOMMU, identity domain,
	 * swiotlb), make the object anyway and map each link with
	 * dma_map_phys(): the path of block/blk-mq-dma.c.
	 */
	DMACTL_IOVA_ALLOW_FALLBACK = 1 << 0,
	/* link every range with DMA_ATTR_REQUIRE_COHERENT */
	DMACTL_IOVA_REQUIRE_COHERENT = 1 << 1,
};

/**
 * enum dmactl_path - how an IOVA object's links are mapped
 * @DMACTL_PATH_IOVA: one IOVA range from dma_iova_try_alloc(), linked
 *	with dma_iova_link()
 * @DMACTL_PATH_FALLBACK: dma_iova_try_alloc() declined; each contiguous
 *	run of a link is mapped with dma_map_phys()
 */
enum dmactl_path {
	DMACTL_PATH_IOVA = 1,
	DMACTL_PATH_FALLBACK,
};

/**
 * struct dmactl_iova_alloc - DMACTL_IOVA_ALLOC: allocate IOVA space
 * @size: sizeof(struct dmactl_iova_alloc), bytes
 * @flags: DMACTL_IOVA_ALLOW_FALLBACK, DMACTL_IOVA_REQUIRE_COHERENT
 * @length: bytes of IOVA space, > 0, at most the module parameter
 *	max_iova_size (4 GiB by default, never above 2^62)
 * @first_offset: the offset in its granule of the first byte to be
 *	linked, bytes, below the granule: the first link must start at a
 *	buffer address with this offset in its granule
 * @out_id: the IOVA object's ID
 * @out_path: enum dmactl_path
 * @out_granule: the granule the object's links are checked against, bytes
 * @out_dma_addr: DMACTL_PATH_IOVA: the device address of IOVA offset 0;
 *	0 on the fallback path
 *
 * Errors: EOPNOTSUPP (unknown flag; DMACTL_IOVA_REQUIRE_COHERENT on a
 * kernel without DMA_ATTR_REQUIRE_COHERENT, see
 * DMACTL_ATTACH_OUT_REQUIRE_COHERENT); EINVAL (zero or too large
 * @length); EBUSY (not attached); ENODEV; EBUSY (a benchmark run holds
 * the DMA mask); EINVAL (@first_offset not below the granule); ENOMEM;
 * EDQUOT (max_shadow_bytes_per_file: the sync bitmap, a bit per granule);
 * ENOSPC (IOVA space exhausted); EOPNOTSUPP (the IOVA API declined, or
 * the kernel has none -- classic mode, DMACTL_ATTACH_OUT_IOVA_API clear --
 * and no fallback was allowed); EDQUOT (max_objects_per_file), ENOMEM, EBUSY
 * (no free ID); ENODEV (revoked before the ID was published).
 */
struct dmactl_iova_alloc {
	__u32 size;
	__u32 flags;
	__aligned_u64 length;
	__aligned_u64 first_offset;
	__u32 out_id;
	__u32 out_path;
	__aligned_u64 out_granule;
	__aligned_u64 out_dma_addr;
};

#define DMACTL_IOVA_ALLOC	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_ALLOC)

/**
 * enum dmactl_dir - DMA direction, as enum dma_data_direction means it
 * @DMACTL_DIR_TO_DEVICE: the device reads
 * @DMACTL_DIR_FROM_DEVICE: the device writes
 * @DMACTL_DIR_BIDIRECTIONAL: both
 */
enum dmactl_dir {
	DMACTL_DIR_TO_DEVICE = 1,
	DMACTL_DIR_FROM_DEVICE,
	DMACTL_DIR_BIDIRECTIONAL,
};

/*
 * DMA attributes a link may carry.  MMIO (P2P memory) and
 * REQUIRE_COHERENT are never set by the caller: the module sets them from
 * the memory and the IOVA object.
 */
enum {
	DMACTL_ATTR_SKIP_CPU_SYNC = 1 << 0,
	DMACTL_ATTR_WEAK_ORDERING = 1 << 1,
};

/**
 * struct dmactl_iova_link - DMACTL_IOVA_LINK: map buffer pages into IOVA
 * @size: sizeof(struct dmactl_iova_link), bytes
 * @flags: must be 0
 * @iova_id: the IOVA object
 * @buf_id: the buffer holding the memory to map
 * @buf_offset: where the range starts in the buffer, bytes
 * @iova_offset: where it goes in the IOVA space, bytes
 * @length: bytes, > 0
 * @dir: enum dmactl_dir
 * @attrs: DMACTL_ATTR_*
 *
 * The range becomes one link, unlinked as a whole (on the IOVA path it may
 * share the record of the link it continues: see @out_nr_records of
 * struct dmactl_iova_query).  Alignment (g is the granule, off0 the
 * object's @first_offset): a link at IOVA offset 0 must start at a buffer
 * address whose offset in its granule is off0; any other link must start
 * at a granule-aligned buffer address and at an IOVA offset with (off0 +
 * @iova_offset) a multiple of g.  Each later physically contiguous run of
 * the range (on the fallback path also cut at dma_max_mapping_size())
 * must also start granule-aligned, in memory and in IOVA.  Every granule
 * the link touches must be unlinked.  The buffer's pages stay pinned
 * until the last link over them is gone.
 *
 * Errors: EOPNOTSUPP (@flags, unknown attr); EOVERFLOW;
 * EINVAL (zero length, bad @dir); ENOENT (not attached); ENODEV; ENOENT
 * (no such IOVA object, then no such buffer); EINVAL (@iova_offset
 * misaligned); ERANGE (past the buffer: before the next checks, which
 * need the buffer's pages); EINVAL (a buffer address misaligned for its
 * IOVA offset, or a later run not starting on a granule); ERANGE (past
 * the IOVA space); EEXIST (a granule already linked); EREMOTEIO (P2P the
 * device cannot reach); EBUSY (a copy is writing to this object's
 * unlinked IOVA, or a copy through it timed out and its engine may still
 * write); EDQUOT (max_shadow_bytes_per_file: the link's record);
 * ENOMEM; then what mapping returns: EIO (memory beyond the device's
 * reach without an IOMMU), and what dma_iova_link() or dma_map_phys()
 * give (ENOMEM, EIO, EPERM, EOPNOTSUPP, EINVAL).
 */
struct dmactl_iova_link {
	__u32 size;
	__u32 flags;
	__u32 iova_id;
	__u32 buf_id;
	__aligned_u64 buf_offset;
	__aligned_u64 iova_offset;
	__aligned_u64 length;
	__u32 dir;
	__u32 attrs;
};

#define DMACTL_IOVA_LINK	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_LINK)

/**
 * struct dmactl_iova_sync - DMACTL_IOVA_SYNC: make links visible to DMA
 * @size: sizeof(struct dmactl_iova_sync), bytes
 * @flags: must be 0
 * @iova_id: the IOVA object
 * @__reserved: must be 0
 * @offset: start in the IOVA space, bytes
 * @length: bytes, > 0
 *
 * Calls dma_iova_sync() (nothing on the fallback path, where mappings are
 * synchronous) and marks the range's linked granules synced.
 *
 * Errors: EOPNOTSUPP; EOVERFLOW; EINVAL (zero length); ENOENT (not
 * attached); ENODEV; ENOENT (no such IOVA object); ERANGE; and what
 * dma_iova_sync() returns (ENOMEM, EIO).
 */
struct dmactl_iova_sync {
	__u32 size;
	__u32 flags;
	__u32 iova_id;
	__u32 __reserved;
	__aligned_u64 offset;
	__aligned_u64 length;
};

#define DMACTL_IOVA_SYNC	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_SYNC)

/**
 * struct dmactl_iova_unlink - DMACTL_IOVA_UNLINK: unmap whole links
 * @size: sizeof(struct dmactl_iova_unlink), bytes
 * @flags: must be 0
 * @iova_id: the IOVA object
 * @dir: enum dmactl_dir; must be the links' own
 * @offset: start in the IOVA space, bytes; must start a link
 * @length: bytes, > 0; the range must be exactly one or more whole,
 *	adjacent links
 * @attrs: DMACTL_ATTR_*; must be the links' own
 * @__reserved: must be 0
 *
 * Errors: EOPNOTSUPP (@flags, @__reserved, unknown attr); EOVERFLOW;
 * EINVAL (zero length, bad @dir); ENOENT (not attached); ENODEV; ENOENT
 * (no such IOVA object); ERANGE; ENOENT (no link starts there or covers
 * the first byte); EINVAL (a range that splits a link or leaves a hole --
 * even one in the unlinked tail of a granule -- or @dir or @attrs not
 * those of the links); EBUSY (DMA may still reach the links: a copy runs,
 * or one timed out and its engine may still be writing); EDQUOT, ENOMEM
 * (the range starts or ends inside a record of several links, one LINK's
 * worth, and splitting it takes a new record: max_shadow_bytes_per_file,
 * or out of memory).
 */
struct dmactl_iova_unlink {
	__u32 size;
	__u32 flags;
	__u32 iova_id;
	__u32 dir;
	__aligned_u64 offset;
	__aligned_u64 length;
	__u32 attrs;
	__u32 __reserved;
};

#define DMACTL_IOVA_UNLINK	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_UNLINK)

/**
 * struct dmactl_iova_free - DMACTL_IOVA_FREE: free IOVA space with no links
 * @size: sizeof(struct dmactl_iova_free), bytes
 * @flags: must be 0
 * @iova_id: the IOVA object; its ID is gone afterwards
 * @__reserved: must be 0
 *
 * Errors: EOPNOTSUPP; ENOENT (not attached); ENODEV; ENOENT (no such
 * IOVA object); EBUSY (links remain; DMA may still reach the object).
 */
struct dmactl_iova_free {
	__u32 size;
	__u32 flags;
	__u32 iova_id;
	__u32 __reserved;
};

#define DMACTL_IOVA_FREE	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_FREE)

/**
 * struct dmactl_iova_destroy - DMACTL_IOVA_DESTROY: unlink all, then free
 * @size: sizeof(struct dmactl_iova_destroy), bytes
 * @flags: must be 0
 * @iova_id: the IOVA object; its ID is gone afterwards
 * @dir: enum dmactl_dir; must be every link's own
 * @mapped_len: bytes: the links must tile [0, @mapped_len) exactly, and no
 *	link may lie beyond it (dma_iova_destroy()'s contract)
 * @attrs: DMACTL_ATTR_*; must be every link's own
 * @__reserved: must be 0
 *
 * Errors: EOPNOTSUPP (@flags, @__reserved, unknown attr); EINVAL (bad
 * @dir); ENOENT (not attached); ENODEV; ENOENT (no such IOVA object);
 * ERANGE (@mapped_len past the space); EINVAL (links not tiling [0,
 * @mapped_len) without holes, mixed or other @dir or @attrs); EBUSY (DMA
 * may still reach the object).
 */
struct dmactl_iova_destroy {
	__u32 size;
	__u32 flags;
	__u32 iova_id;
	__u32 dir;
	__aligned_u64 mapped_len;
	__u32 attrs;
	__u32 __reserved;
};

#define DMACTL_IOVA_DESTROY	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_DESTROY)

/* dmactl_link_info.flags */
enum {
	/* every granule of the link has been synced since it was linked */
	DMACTL_LINK_SYNCED = 1 << 0,
	/*
	 * DMACTL_PATH_FALLBACK: at least one run bounced through swiotlb;
	 * DMACTL_PATH_IOVA: an untrusted device's link whose partial first
	 * or last granule dma_iova_link() bounced
	 */
	DMACTL_LINK_SWIOTLB = 1 << 1,
	/*
	 * P2P memory reached through the host bridge: mapped (into the IOVA
	 * or by dma_map_phys()) with DMA_ATTR_MMIO, which the module sets
	 */
	DMACTL_LINK_MMIO = 1 << 2,
	/*
	 * P2P memory reached through a switch: nothing is mapped; the device
	 * is given the PCI bus address (@dma_addr), and the link's IOVA
	 * range stays unmapped
	 */
	DMACTL_LINK_BUS_ADDR = 1 << 3,
};

/**
 * struct dmactl_link_info - one link, as DMACTL_IOVA_QUERY reports it
 * @iova_offset: start in the IOVA space, bytes
 * @length: bytes
 * @buf_offset: start in the buffer, bytes
 * @dma_addr: the device address of the link's first byte: an IOVA, a
 *	DMA address from dma_map_phys(), or a PCI bus address
 *	(DMACTL_LINK_BUS_ADDR)
 * @buf_id: the buffer
 * @dir: enum dmactl_dir
 * @attrs: DMACTL_ATTR_*
 * @flags: DMACTL_LINK_*
 */
struct dmactl_link_info {
	__aligned_u64 iova_offset;
	__aligned_u64 length;
	__aligned_u64 buf_offset;
	__aligned_u64 dma_addr;
	__u32 buf_id;
	__u32 dir;
	__u32 attrs;
	__u32 flags;
};

/**
 * struct dmactl_iova_query - DMACTL_IOVA_QUERY: an IOVA object's state
 * @size: sizeof(struct dmactl_iova_query), bytes
 * @flags: must be 0
 * @iova_id: the IOVA object
 * @out_path: enum dmactl_path
 * @out_length: the IOVA space, bytes
 * @out_granule: bytes
 * @out_first_offset: the first granule's offset, bytes
 * @out_dma_addr: device address of IOVA offset 0 (0 on the fallback path)
 * @out_linked_bytes: bytes covered by links
 * @out_synced_bytes: bytes of linked granules synced, in granules * size
 * @out_nr_links: links
 * @out_flags: DMACTL_LINK_SWIOTLB if any link bounced
 * @links_uptr: where to write up to @nr_links struct dmactl_link_info, in
 *	IOVA order; may be 0 when @nr_links is 0
 * @nr_links: room at @links_uptr, entries
 * @__reserved: must be 0
 * @out_shadow_bytes: memory the module holds to track this object's
 *	links and sync state, as charged to the file's
 *	max_shadow_bytes_per_file (the sync bitmap and the link records,
 *	not counting the maple tree's nodes), bytes
 * @out_nr_records: link records behind @out_nr_links: on the IOVA path a
 *	link that continues the one before exactly (adjacent in IOVA and in
 *	the buffer, same length, direction and attributes) shares its record
 * @__reserved2: must be 0
 *
 * Errors: EOPNOTSUPP; ENOENT (not attached); ENODEV; ENOENT (no such
 * IOVA object); ENOMEM; EFAULT (@links_uptr).
 */
struct dmactl_iova_query {
	__u32 size;
	__u32 flags;
	__u32 iova_id;
	__u32 out_path;
	__aligned_u64 out_length;
	__aligned_u64 out_granule;
	__aligned_u64 out_first_offset;
	__aligned_u64 out_dma_addr;
	__aligned_u64 out_linked_bytes;
	__aligned_u64 out_synced_bytes;
	__u32 out_nr_links;
	__u32 out_flags;
	__aligned_u64 links_uptr;
	__u32 nr_links;
	__u32 __reserved;
	__aligned_u64 out_shadow_bytes;
	__u32 out_nr_records;
	__u32 __reserved2;
};

#define DMACTL_IOVA_QUERY	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_QUERY)

/**
 * struct dmactl_iova_verify - DMACTL_IOVA_VERIFY: the translation oracle
 * @size: sizeof(struct dmactl_iova_verify), bytes
 * @flags: must be 0
 * @iova_id: the IOVA object
 * @__reserved: must be 0
 * @offset: start in the IOVA space, bytes
 * @length: bytes, > 0
 * @out_checked: pages looked at
 * @out_mapped_ok: linked pages that translate to the buffer page behind
 *	them (the IOVA path: iommu_iova_to_phys(); the fallback path: the
 *	DMA address is that page's phys_to_dma())
 * @out_unmapped_ok: unlinked pages that translate to nothing (IOVA path)
 * @out_bounced: linked pages whose DMA address is a swiotlb bounce slot
 *	(fallback path), not counted as mismatches
 * @out_mismatches: pages that translate wrongly: to another page, or to
 *	anything when unlinked, or to nothing when linked
 * @out_first_mismatch: IOVA offset of the first mismatch, bytes;
 *	~0 if none
 * @out_bus_addr: pages of bus-address links (DMACTL_LINK_BUS_ADDR) whose
 *	recorded address is the page's PCI bus address and whose IOVA (on
 *	the IOVA path) translates to nothing, not counted in @out_mapped_ok
 *
 * Walks the range page by page.  Success means the walk was made; the
 * verdict is @out_mismatches.
 *
 * Errors: EOPNOTSUPP; EOVERFLOW; EINVAL (zero length); ENOENT (not
 * attached); ENODEV; ENOENT (no such IOVA object); ERANGE.
 */
struct dmactl_iova_verify {
	__u32 size;
	__u32 flags;
	__u32 iova_id;
	__u32 __reserved;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 out_checked;
	__aligned_u64 out_mapped_ok;
	__aligned_u64 out_unmapped_ok;
	__aligned_u64 out_bounced;
	__aligned_u64 out_mismatches;
	__aligned_u64 out_first_mismatch;
	__aligned_u64 out_bus_addr;
};

#define DMACTL_IOVA_VERIFY	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_VERIFY)

/**
 * enum dmactl_p2p_map - how a client reaches a provider's memory, as
 *	enum pci_p2pdma_map_type says it
 * @DMACTL_P2P_MAP_UNKNOWN: only the distance is known: the provider has
 *	no free p2pmem to try a mapping with, or the trial mapping failed
 *	with an error other than EREMOTEIO
 * @DMACTL_P2P_MAP_NOT_SUPPORTED: the path crosses a host bridge that is
 *	not on the kernel's allow-list: no P2P
 * @DMACTL_P2P_MAP_BUS_ADDR: through a common switch, by PCI bus address
 * @DMACTL_P2P_MAP_THRU_HOST_BRIDGE: through an allow-listed host bridge,
 *	mapped like memory (IOVA or DMA address) with DMA_ATTR_MMIO
 */
enum dmactl_p2p_map {
	DMACTL_P2P_MAP_UNKNOWN = 1,
	DMACTL_P2P_MAP_NOT_SUPPORTED,
	DMACTL_P2P_MAP_BUS_ADDR,
	DMACTL_P2P_MAP_THRU_HOST_BRIDGE,
};

/* dmactl_p2p_query.out_distance when the kernel finds no usable path */
#define DMACTL_P2P_NO_PATH	0xffffffffU

/* dmactl_p2p_query.out_flags */
enum {
	/* the provider has free p2pmem (a BAR added with pci_p2pdma_add_resource) */
	DMACTL_P2P_PROVIDER_HAS_MEM = 1 << 0,
	/*
	 * a scatterlist of a RAM page, a page of that p2pmem and another RAM
	 * page was mapped for the client (@out_mixed_segments,
	 * @out_mixed_wrong say how it came back)
	 */
	DMACTL_P2P_MIXED_SG_CHECKED = 1 << 1,
};

/**
 * struct dmactl_p2p_query - DMACTL_P2P_QUERY: the kernel's P2P verdict
 * @size: sizeof(struct dmactl_p2p_query), bytes
 * @flags: must be 0
 * @provider: PCI address of the device whose memory would be used,
 *	NUL-terminated
 * @client: name of the device that would do the DMA, NUL-terminated: a
 *	PCI address or a platform device name
 * @out_map_type: enum dmactl_p2p_map
 * @out_distance: pci_p2pdma_distance(), in PCI hops (0: the same
 *	function; 2: two functions of one device; 4: two ports of one
 *	switch ...), DMACTL_P2P_NO_PATH when the kernel refuses P2P
 * @out_flags: DMACTL_P2P_*
 * @__reserved: must be 0
 * @out_mixed_segments: DMACTL_P2P_MIXED_SG_CHECKED: the DMA segments
 *	dma_map_sgtable() made of the mixed table (0 if it refused it)
 * @out_mixed_wrong: DMACTL_P2P_MIXED_SG_CHECKED: pages of the mixed table
 *	that came back other than @out_map_type says (must be 0): with
 *	DMACTL_P2P_MAP_BUS_ADDR the P2P page alone in a segment marked as a
 *	bus address (sg_dma_is_bus_address()) at its physical address plus
 *	the bus offset, the RAM pages unmarked; with
 *	DMACTL_P2P_MAP_THRU_HOST_BRIDGE none marked; each unmarked page's
 *	DMA address leading to it (through the IOMMU's page table, or the
 *	bus offset of dma-direct); with DMACTL_P2P_MAP_NOT_SUPPORTED the
 *	table refused with EREMOTEIO (3 if it was not)
 *
 * Needs no ATTACH.  @out_distance is pci_p2pdma_distance()'s; the map
 * type is what the DMA layer does with a page of the provider's p2pmem
 * mapped for the client (dma_map_sgtable(), then unmapped at once): the
 * switch of pci_p2pdma_state(), which modules cannot call.  Then a table
 * mixing RAM and that page -- as a block request or a memory region may
 * mix them -- is mapped and checked against it, and unmapped.
 *
 * Errors: EOPNOTSUPP; EINVAL (a name empty or not terminated); ENODEV
 * (no such PCI provider, or no client of that name).
 */
struct dmactl_p2p_query {
	__u32 size;
	__u32 flags;
	char provider[DMACTL_NAME_MAX];
	char client[DMACTL_NAME_MAX];
	__u32 out_map_type;
	__u32 out_distance;
	__u32 out_flags;
	__u32 __reserved;
	__u32 out_mixed_segments;
	__u32 out_mixed_wrong;
};

#define DMACTL_P2P_QUERY	_IO(DMACTL_TYPE, DMACTL_CMD_P2P_QUERY)

/**
 * struct dmactl_p2pmem_publish - DMACTL_P2PMEM_PUBLISH: make a BAR p2pmem
 * @size: sizeof(struct dmactl_p2pmem_publish), bytes
 * @flags: must be 0
 * @bar: the BAR, 0..5; a memory BAR
 * @__reserved: must be 0
 * @offset: where the p2pmem starts in the BAR, bytes; the BAR's address
 *	plus @offset must be a multiple of memremap_compat_align() (2 MiB
 *	on x86)
 * @length: bytes, a multiple of memremap_compat_align(); 0 for the rest
 *	of the BAR
 * @out_length: bytes published
 *
 * The attached device must be bound to dmactl (exclusive mode): the
 * memory becomes ZONE_DEVICE pages (pci_p2pdma_add_resource()) and is
 * published (pci_p2pmem_publish()), with the device's p2pmem/ directory
 * in sysfs.  It stays until the device is unbound from dmactl, which
 * first revokes every buffer of that memory, in every file, and the
 * links over them.  A BAR is published once.
 *
 * Errors: EOPNOTSUPP (@flags, @__reserved); EOVERFLOW; EINVAL (@bar past
 * 5, @offset or @length not page-aligned); EBUSY (not attached); ENODEV;
 * EBUSY (a benchmark run holds the DMA mask); EPERM (the device is not
 * bound to dmactl); EOPNOTSUPP (not a PCI device); EINVAL (not a memory
 * BAR, range outside it, or not whole subsections: start and length
 * multiples of memremap_compat_align(), 2 MiB on x86, as memremap_pages()
 * requires); EBUSY (already published); and what
 * pci_p2pdma_add_resource() returns (ENOMEM, ENXIO, EINVAL).
 */
struct dmactl_p2pmem_publish {
	__u32 size;
	__u32 flags;
	__u32 bar;
	__u32 __reserved;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 out_length;
};

#define DMACTL_P2PMEM_PUBLISH	_IO(DMACTL_TYPE, DMACTL_CMD_P2PMEM_PUBLISH)

/* dmactl_copy.flags */
enum {
	/*
	 * Copy even where the ranges are linked but not synced (rule M20),
	 * to test what the device then sees.
	 */
	DMACTL_COPY_ALLOW_UNSYNCED = 1 << 0,
	/*
	 * The destination is IOVA space with no link at all (IOVA path
	 * only): the IOMMU must block the device's writes.  The module
	 * checks that the destination lies in the IOVA space (ERANGE), that
	 * the object is on the IOVA path (EOPNOTSUPP) and that no link
	 * touches the range (ENOENT), and compares nothing; the caller
	 * checks that the memory which used to be linked there is unchanged.
	 */
	DMACTL_COPY_DST_UNLINKED = 1 << 1,
};

/**
 * enum dmactl_engine_kind - the DMA engine that performs a copy
 * @DMACTL_ENGINE_EDU: QEMU's edu device, bound to dmactl: through its
 *	4 KiB buffer, two transfers per piece of the copy (at most 4 KiB),
 *	one in and one out, each given the full @timeout_ms
 * @DMACTL_ENGINE_DMAENGINE: a dmaengine memcpy channel of the attached
 *	device (ioat, idxd, ptdma, dw-edma ...)
 */
enum dmactl_engine_kind {
	DMACTL_ENGINE_EDU = 1,
	DMACTL_ENGINE_DMAENGINE,
};

/**
 * struct dmactl_copy - DMACTL_COPY: have the device copy between mappings
 * @size: sizeof(struct dmactl_copy), bytes
 * @flags: DMACTL_COPY_*
 * @src_iova_id: IOVA object the device reads through
 * @dst_iova_id: IOVA object the device writes through (may be the same)
 * @src_offset: start in the source's IOVA space, bytes
 * @dst_offset: start in the destination's IOVA space, bytes
 * @length: bytes, > 0, at most 64 MiB
 * @timeout_ms: how long one engine transfer may take, ms; 0 for the
 *	default (10000), at most 60000
 * @out_engine: enum dmactl_engine_kind
 * @out_transfers: pieces the engine copied: the copy is cut where device
 *	addresses stop being consecutive, where a page of memory ends on
 *	either side and at the engine's longest transfer (edu: two
 *	transfers per piece)
 * @out_mismatches: destination bytes that differ from the source after
 *	the copy (0 with DMACTL_COPY_DST_UNLINKED: nothing to compare)
 * @out_first_mismatch: offset in the range of the first, bytes; ~0 if none
 * @out_guard_damage: bytes changed in the guards: up to 256 bytes of the
 *	destination buffer on each side of the range, which the device must
 *	not write
 * @out_ns: time the engine took, ns (emulated engines measure emulation)
 *
 * The attached device must have a DMA engine.  Both ranges must be
 * wholly linked (the destination wholly unlinked with
 * DMACTL_COPY_DST_UNLINKED), through links whose direction lets the
 * device read the source and write the destination, and synced unless
 * DMACTL_COPY_ALLOW_UNSYNCED.  The module syncs streaming mappings for
 * the device before and for the CPU after, as a driver would.  The objects
 * are busy while the copy runs: unlink, free and destroy give EBUSY.  The
 * source and destination memory must not overlap.  Success means the
 * engine finished; the verdict is @out_mismatches and @out_guard_damage.
 *
 * Errors: EOPNOTSUPP (unknown flag); EOVERFLOW; EINVAL (zero or too
 * long, @timeout_ms too large); ENOENT (not attached); ENODEV; ENOMEM;
 * EOPNOTSUPP (no engine); ENOENT (no such object); ERANGE (outside an
 * IOVA space); EOPNOTSUPP (DMACTL_COPY_DST_UNLINKED on the fallback
 * path); ENOENT (a destination not wholly unlinked); ENOMEM; ENOENT (a
 * range not wholly linked); EINVAL (a link in the wrong direction,
 * overlapping memory); EAGAIN (not synced); then, once the engine runs:
 * ENODEV (the device was revoked between two transfers), EINTR (a fatal
 * signal between two transfers), EBUSY (an earlier transfer that timed
 * out may still run), ETIMEDOUT (the objects stay busy until the engine
 * is idle), EIO (the engine reported an error), EINVAL (addresses the
 * engine cannot take), ENOMEM.
 */
struct dmactl_copy {
	__u32 size;
	__u32 flags;
	__u32 src_iova_id;
	__u32 dst_iova_id;
	__aligned_u64 src_offset;
	__aligned_u64 dst_offset;
	__aligned_u64 length;
	__u32 timeout_ms;
	__u32 out_engine;
	__aligned_u64 out_transfers;
	__aligned_u64 out_mismatches;
	__aligned_u64 out_first_mismatch;
	__aligned_u64 out_guard_damage;
	__aligned_u64 out_ns;
};

#define DMACTL_COPY		_IO(DMACTL_TYPE, DMACTL_CMD_COPY)

/**
 * enum dmactl_bench_mode - the I/O shape a benchmark thread repeats
 * @DMACTL_BENCH_PHYS: map: dma_map_phys() of each range of the I/O (each
 *	page, or the whole I/O with DMACTL_BENCH_CONTIG); unmap:
 *	dma_unmap_phys() of each.  As dma_map_benchmark's single mode.
 * @DMACTL_BENCH_SG: map: dma_map_sgtable() of a table of one entry per
 *	page; unmap: dma_unmap_sgtable().  As dma_map_benchmark's SG mode.
 * @DMACTL_BENCH_IOVA: map: dma_iova_try_alloc() of the I/O's size,
 *	dma_iova_link() of each range, one dma_iova_sync(); unmap:
 *	dma_iova_destroy().
 * @DMACTL_BENCH_IOVA_REUSE: one IOVA per thread, allocated before timing
 *	starts; map: dma_iova_link() of each range and one dma_iova_sync();
 *	unmap: one dma_iova_unlink() of the I/O (the RDMA ODP pattern).
 * @DMACTL_BENCH_IOVA_SPARSE: one IOVA of @span_pages per thread; map:
 *	each page linked and synced alone at a random page offset, distinct
 *	within the I/O and drawn before timing, with
 *	DMA_ATTR_REQUIRE_COHERENT where the kernel has it; unmap: each page
 *	unlinked alone.  The pattern of mm/hmm.c's hmm_dma_map_pfn() and
 *	hmm_dma_unmap_pfn() (RDMA ODP), whose IOVA lives as long as the
 *	mirror.
 * @DMACTL_BENCH_BLK: a block request as block/blk-mq-dma.c maps it for
 *	NVMe (and as VFIO's mlx5 register_dma_pages() maps a migration page
 *	list): dma_iova_try_alloc() of the I/O with the first range's
 *	physical address, dma_iova_link() of each range at the running
 *	offset, one dma_iova_sync(); unmap: dma_iova_destroy().  Where
 *	dma_iova_try_alloc() declines (no DMA API domain, no IOVA API),
 *	dma_map_phys() and dma_unmap_phys() of each range instead.
 * @DMACTL_BENCH_TSO: a TSO packet as net/core/tso.c's tso_dma_map_init()
 *	maps it, to the device only (@dir must be DMACTL_DIR_TO_DEVICE): the
 *	linear part (the first page past a 128-byte header) and each
 *	fragment (a page each) linked at the running offset into an IOVA
 *	allocated with the linear part's address, one dma_iova_sync();
 *	unmap: dma_iova_destroy() (tso_dma_map_complete()).  Where a link
 *	fails, tso_dma_map destroys what it linked and maps each region with
 *	dma_map_phys(); a link the kernel would refuse with a WARN (a
 *	fragment off the granule, DMACTL_BENCH_UNALIGNED) counts as failed
 *	without being made.
 * @DMACTL_BENCH_GPUSVM: a range as drm_gpusvm_get_pages() maps it:
 *	folios of mixed orders (0, 2, 0, 1, 3, repeated; the last one
 *	smaller to fit @pages), dma_iova_try_alloc() of the range,
 *	dma_iova_link() of each whole folio at the running offset, one
 *	dma_iova_sync(); unmap: dma_iova_unlink() of what was linked, then
 *	dma_iova_free().  Without an IOVA, dma_map_phys() of each folio.
 * @DMACTL_BENCH_PREMAPPED: buffers mapped once before timing
 *	(dma_map_phys() of each range), as registered or dma-buf buffers
 *	are; map: dma_sync_single_for_device() of each range; unmap:
 *	dma_sync_single_for_cpu() of each.  Unmapped for good after the
 *	last I/O.
 *
 * The three IOVA modes need a DMA API domain (DMA or DMA-FQ); blk, tso
 * and gpusvm take their callers' fallback without one, and premapped
 * runs anywhere.
 */
enum dmactl_bench_mode {
	DMACTL_BENCH_PHYS = 1,
	DMACTL_BENCH_SG,
	DMACTL_BENCH_IOVA,
	DMACTL_BENCH_IOVA_REUSE,
	DMACTL_BENCH_IOVA_SPARSE,
	DMACTL_BENCH_BLK,
	DMACTL_BENCH_TSO,
	DMACTL_BENCH_GPUSVM,
	DMACTL_BENCH_PREMAPPED,
};

/* The last mode; new modes are appended. */
#define DMACTL_BENCH_LAST_MODE	DMACTL_BENCH_PREMAPPED

/* Bounds of struct dmactl_bench_start; beyond them: EINVAL. */
#define DMACTL_BENCH_MAX_THREADS	256
#define DMACTL_BENCH_MAX_PAGES		1024	/* pages per I/O */
#define DMACTL_BENCH_MAX_TOTAL_PAGES	65536	/* threads * pages */
#define DMACTL_BENCH_MAX_DURATION_MS	300000
#define DMACTL_BENCH_MAX_IOS		1000000000ULL
#define DMACTL_BENCH_MAX_WARMUP_IOS	1000000
#define DMACTL_BENCH_MAX_TRANS_NS	10000000
#define DMACTL_BENCH_MAX_SPAN_PAGES	1048576	/* 4 GiB of 4 KiB pages */
#define DMACTL_BENCH_DEFAULT_SPAN_PAGES	65536
#define DMACTL_BENCH_MIN_DMA_BITS	20

/* dmactl_bench_start.flags */
enum {
	/*
	 * Each thread's I/O is one physically contiguous allocation, which
	 * phys maps with one call and iova and iova-reuse with one link
	 * (iova-sparse still links each page alone, and sg keeps one entry
	 * per page); without it, each page is its own allocation and its
	 * own range, not the page right after the one before it while four
	 * more tries find another (so the IOMMU does not merge sg's
	 * entries: a merge's saving would vary with the page allocator's
	 * state).
	 */
	DMACTL_BENCH_CONTIG = 1 << 0,
	/*
	 * Bind thread N to one CPU: the Nth of @node's CPUs (of the online
	 * CPUs with DMACTL_NO_NODE), round robin.  Without it, threads are
	 * bound to @node's CPUs as a set, or float with DMACTL_NO_NODE.
	 */
	DMACTL_BENCH_BIND_CPU = 1 << 1,
	/*
	 * Before each map (untimed), write every page of the I/O unless
	 * the direction is DMACTL_DIR_FROM_DEVICE, so the CPU caches hold
	 * dirty lines as a driver's would: on a non-coherent device the
	 * map must then clean them.  dma_map_benchmark always does this.
	 */
	DMACTL_BENCH_TOUCH = 1 << 2,
	/*
	 * Ranges off the granule, as callers meet them (blk and tso only,
	 * else EINVAL; not with DMACTL_BENCH_CONTIG): blk's I/O starts 512
	 * bytes into its first page and ends 512 bytes before the end of
	 * its last (an O_DIRECT request of 512-byte sectors); tso's
	 * fragments start 256 bytes into their pages (page-fragment
	 * allocations), which its IOVA path cannot link.
	 */
	DMACTL_BENCH_UNALIGNED = 1 << 3,
};

/**
 * struct dmactl_bench_start - DMACTL_BENCH_START: start a benchmark run
 * @size: sizeof(struct dmactl_bench_start), bytes
 * @flags: DMACTL_BENCH_CONTIG, DMACTL_BENCH_BIND_CPU, DMACTL_BENCH_TOUCH,
 *	DMACTL_BENCH_UNALIGNED
 * @mode: enum dmactl_bench_mode
 * @threads: kernel threads, 1..DMACTL_BENCH_MAX_THREADS
 * @node: NUMA node for the threads and their memory, DMACTL_NO_NODE for
 *	the device's node (threads then float)
 * @pages: pages per I/O, 1..DMACTL_BENCH_MAX_PAGES; @threads * @pages at
 *	most DMACTL_BENCH_MAX_TOTAL_PAGES
 * @dir: enum dmactl_dir
 * @dma_bits: 0 to keep the device's DMA mask; else
 *	DMACTL_BENCH_MIN_DMA_BITS..64, the mask for the run, restored when
 *	the run ends.  Only for a device bound to dmactl (else EPERM) that
 *	has no objects in any file (else EBUSY); while the run lives, no
 *	file can make objects on the device (EBUSY).
 * @trans_ns: simulated transfer time between map and unmap, ns, at most
 *	DMACTL_BENCH_MAX_TRANS_NS; spent spinning, not timed
 * @warmup_ios: I/Os per thread before timing starts, at most
 *	DMACTL_BENCH_MAX_WARMUP_IOS
 * @duration_ms: timed length of the run per thread, ms, at most
 *	DMACTL_BENCH_MAX_DURATION_MS; exactly one of @duration_ms and @ios
 *	is non-zero
 * @span_pages: DMACTL_BENCH_IOVA_SPARSE: the IOVA per thread, pages,
 *	@pages..DMACTL_BENCH_MAX_SPAN_PAGES; 0 for
 *	DMACTL_BENCH_DEFAULT_SPAN_PAGES; must be 0 in the other modes
 * @ios: timed I/Os per thread, at most DMACTL_BENCH_MAX_IOS
 * @out_id: the run's ID, for DMACTL_BENCH_RESULT and DMACTL_BENCH_FREE
 * @out_bookkeeping_bytes: bytes a driver keeps per I/O to undo the
 *	mapping in this mode, from the kernel's structure sizes: phys, one
 *	dma_addr_t per range; sg, the sg_table and its scatterlist entries;
 *	iova and iova-reuse, one struct dma_iova_state; iova-sparse, one
 *	struct dma_iova_state and a mapped bit per page (as hmm keeps it);
 *	blk, tso, gpusvm, one struct dma_iova_state (their fallback keeps a
 *	dma_addr_t per range instead); premapped, one dma_addr_t per range
 *
 * The threads start at once; the call returns without waiting.  The run
 * is an object of this file: closing the file, DMACTL_BENCH_FREE or the
 * device going away stops it, and every thread unmaps what it mapped
 * before it ends.  Timings use ktime_get_ns(); nothing is logged.
 *
 * Errors: EOPNOTSUPP (unknown flag); EINVAL (a value out of bounds, node
 * offline or without CPUs; DMACTL_BENCH_UNALIGNED outside blk and tso or
 * with DMACTL_BENCH_CONTIG; tso not to the device); EBUSY (not attached);
 * ENODEV; EBUSY (another run holds the mask); ENOMEM; with @dma_bits:
 * EPERM (a shared device), ENODEV, EBUSY (the device has objects), EIO
 * (the mask is refused); EDQUOT (max_bench_runs_per_file,
 * max_bench_threads); EOPNOTSUPP (iova, iova-reuse or iova-sparse without
 * a DMA API domain or without the IOVA API in the kernel, or on a device
 * whose IOVA granule is not the page size; iova-sparse on a device that is
 * not DMA-coherent, which DMA_ATTR_REQUIRE_COHERENT refuses); ENOMEM; EIO (memory the device
 * cannot address with no bounce buffer it can reach); ENOSPC (no IOVA
 * space for a thread: iova-reuse and iova-sparse allocate theirs up front,
 * and a narrow DMA mask leaves little); EINVAL (the node's CPUs went
 * offline); and what kthread_create_on_node() returns (ENOMEM, EINTR);
 * EDQUOT (max_objects_per_file), ENOMEM, EBUSY (no free ID); ENODEV
 * (revoked before the ID was published).
 */
struct dmactl_bench_start {
	__u32 size;
	__u32 flags;
	__u32 mode;
	__u32 threads;
	__u32 node;
	__u32 pages;
	__u32 dir;
	__u32 dma_bits;
	__u32 trans_ns;
	__u32 warmup_ios;
	__u32 duration_ms;
	__u32 span_pages;
	__aligned_u64 ios;
	__u32 out_id;
	__u32 out_bookkeeping_bytes;
};

#define DMACTL_BENCH_START	_IO(DMACTL_TYPE, DMACTL_CMD_BENCH_START)

/**
 * struct dmactl_bench_stat - the latency of one phase (map or unmap) over
 *	every timed I/O of a run, in ns
 * @min_ns: shortest
 * @p50_ns: median
 * @p90_ns: 90th percentile
 * @p99_ns: 99th percentile
 * @max_ns: longest
 * @mean_ns: mean, rounded down
 * @total_ns: sum over every timed I/O of every thread
 *
 * Percentiles come from log2 histograms with 16 linear steps per power of
 * two: each is the middle of its bucket (within 1/32 of the true value),
 * clamped to [@min_ns, @max_ns].
 */
struct dmactl_bench_stat {
	__aligned_u64 min_ns;
	__aligned_u64 p50_ns;
	__aligned_u64 p90_ns;
	__aligned_u64 p99_ns;
	__aligned_u64 max_ns;
	__aligned_u64 mean_ns;
	__aligned_u64 total_ns;
};

/* dmactl_bench_result.flags */
enum {
	/* sleep until the run has ended (interruptible: EINTR) */
	DMACTL_BENCH_WAIT = 1 << 0,
	/* end the run now: the threads finish their current I/O and stop */
	DMACTL_BENCH_STOP = 1 << 1,
};

/**
 * enum dmactl_bench_state - where a run is
 * @DMACTL_BENCH_RUNNING: threads still running; the out fields give the
 *	progress only
 * @DMACTL_BENCH_DONE: every thread reached its count or duration, or
 *	DMACTL_BENCH_STOP ended the run
 * @DMACTL_BENCH_FAILED: a mapping call failed (or the probe I/O could
 *	not be set up); @out_error says how, and the other threads were
 *	stopped
 */
enum dmactl_bench_state {
	DMACTL_BENCH_RUNNING = 1,
	DMACTL_BENCH_DONE,
	DMACTL_BENCH_FAILED,
};

/**
 * struct dmactl_bench_result - DMACTL_BENCH_RESULT: a run's progress or
 *	results
 * @size: sizeof(struct dmactl_bench_result), bytes
 * @flags: DMACTL_BENCH_WAIT, DMACTL_BENCH_STOP
 * @id: the run
 * @out_state: enum dmactl_bench_state
 * @out_error: DMACTL_BENCH_FAILED: the positive errno of the first
 *	failure: a mapping call's, or ENOMEM from allocating the probe I/O's
 *	address list; else 0
 * @out_progress: per mille of the run done: the timed I/Os or the timed
 *	duration of the slowest thread
 * @out_elapsed_ns: wall time from the first thread's timed start to the
 *	last thread's end (so far, while running), ns
 * @out_ios: timed I/Os of all threads
 * @out_bytes: bytes they mapped: @out_ios * pages * PAGE_SIZE
 * @out_ios_per_sec: @out_ios over @out_elapsed_ns
 * @out_bytes_per_sec: @out_bytes over @out_elapsed_ns
 * @out_warmup_ios: untimed I/Os of all threads
 * @out_map_calls: once ended: mapping calls made (dma_map_phys,
 *	dma_map_sgtable, dma_iova_link; dma_iova_try_alloc is not counted;
 *	nor the syncs of premapped, whose mapping is counted once)
 *	by every I/O mapped: timed, warm-up, and on an IOMMU one probe I/O
 *	per thread after the timed ones
 * @out_unmap_calls: unmapping calls made (dma_unmap_phys,
 *	dma_unmap_sgtable, dma_iova_unlink, dma_iova_destroy; dma_iova_free
 *	is not counted), counted alike
 * @out_mapped_bytes: bytes mapped, counted alike
 * @out_unmapped_bytes: bytes unmapped; a thread ends only after
 *	unmapping its I/O, so once ended this equals @out_mapped_bytes
 * @out_checked_addrs: once ended, on an IOMMU: DMA addresses of each
 *	thread's probe I/O looked up in the IOMMU page table while mapped
 *	and after it was unmapped
 * @out_stale_addrs: how many of those still translate (must be 0)
 * @out_map: the map phase of the timed I/Os (valid once ended)
 * @out_unmap: the unmap phase
 * @out_bookkeeping_bytes: as in struct dmactl_bench_start
 * @out_threads: threads of the run
 * @out_fallback_ios: once ended: of the I/Os counted in @out_map_calls,
 *	those that blk, tso or gpusvm mapped by their fallback
 *	(dma_map_phys() of each range) rather than through an IOVA
 * @out_wrong_addrs: once ended, on an IOMMU: addresses of the probe I/Os
 *	that, while mapped, did not translate to their own page in the
 *	IOMMU page table (must be 0): a mapping call put a page elsewhere
 *	than its caller computes it to be
 *
 * Errors: EOPNOTSUPP (unknown flag); ENOENT (not attached); ENODEV;
 * ENOENT (no such run); EINTR (DMACTL_BENCH_WAIT interrupted); ENODEV;
 * ENOENT (the run was freed while waited for).
 */
struct dmactl_bench_result {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 out_state;
	__u32 out_error;
	__u32 out_progress;
	__aligned_u64 out_elapsed_ns;
	__aligned_u64 out_ios;
	__aligned_u64 out_bytes;
	__aligned_u64 out_ios_per_sec;
	__aligned_u64 out_bytes_per_sec;
	__aligned_u64 out_warmup_ios;
	__aligned_u64 out_map_calls;
	__aligned_u64 out_unmap_calls;
	__aligned_u64 out_mapped_bytes;
	__aligned_u64 out_unmapped_bytes;
	__aligned_u64 out_checked_addrs;
	__aligned_u64 out_stale_addrs;
	struct dmactl_bench_stat out_map;
	struct dmactl_bench_stat out_unmap;
	__u32 out_bookkeeping_bytes;
	__u32 out_threads;
	__aligned_u64 out_fallback_ios;
	__aligned_u64 out_wrong_addrs;
};

#define DMACTL_BENCH_RESULT	_IO(DMACTL_TYPE, DMACTL_CMD_BENCH_RESULT)

/**
 * struct dmactl_bench_free - DMACTL_BENCH_FREE: stop a run and forget it
 * @size: sizeof(struct dmactl_bench_free), bytes
 * @flags: must be 0
 * @id: the run
 * @__reserved: must be 0
 *
 * Waits for the threads to unmap and end, and restores the DMA mask.
 *
 * Errors: EOPNOTSUPP; ENOENT (not attached); ENODEV; ENOENT (no such
 * run).
 */
struct dmactl_bench_free {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
};

#define DMACTL_BENCH_FREE	_IO(DMACTL_TYPE, DMACTL_CMD_BENCH_FREE)

#endif /* _UAPI_LINUX_DMACTL_H */
