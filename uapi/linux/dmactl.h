/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dmactl: drive the Linux DMA-mapping layer from userspace, for testing.
 *
 * A file descriptor of /dev/dmactl is a context.  It attaches to one
 * DMA-capable device and owns objects on it -- buffers and IOVA states --
 * named by u32 IDs.  Userspace never names kernel pointers or physical
 * addresses: the module derives every physical address from pages it
 * holds itself.
 *
 * ABI conventions (those of iommufd):
 *  - Every ioctl number is _IO(DMACTL_TYPE, nr); the size of the argument
 *    travels in the argument itself.
 *  - Every argument struct begins with __u32 size (the caller's
 *    sizeof(struct)) and __u32 flags.  The kernel accepts any size from the
 *    struct's first version up: shorter than that gives EINVAL; longer
 *    with a non-zero byte past what the kernel knows gives E2BIG.  The
 *    kernel writes back at most @size bytes, and only on success.
 *  - Only __u32 and __aligned_u64 fields, padding explicit in __reserved
 *    fields that must be zero; every struct is a multiple of 8 bytes and
 *    has the same layout for 32-bit and 64-bit callers.
 *  - Enumerations start at 1, so a zeroed field is never a valid choice.
 *
 * Errors, checked in this order (the first that applies is returned):
 *   EOPNOTSUPP  unknown flag or non-zero __reserved
 *   EOVERFLOW   an offset + length wraps
 *   EINVAL      bad value, zero length, misalignment, mismatch with the
 *               recorded link, or a size field below the struct's first
 *               version
 *   ERANGE      outside the IOVA allocation or the buffer
 *   EEXIST      the range is already linked
 *   EBUSY       wrong state or still in use (links, a buffer under links,
 *               a context already attached)
 *   ENOENT      unknown ID (or an ID of another kind), or a range that
 *               holds no link
 *   ENODEV      the device went away (unbind, hot removal); or no device
 *               of that name
 *   EPERM       the device is neither bound to dmactl nor on its allow
 *               list; the caller lacks CAP_SYS_ADMIN
 *   ENOSPC      the IOVA space is exhausted
 *   EOPNOTSUPP  the IOVA API is not usable on this device and no
 *               fallback was allowed
 *   ENOTTY      unknown ioctl
 *   EFAULT      bad pointer
 *   ENOMEM      out of memory
 * Every rejection of a request that would misuse the kernel API is
 * counted per rule (M1..M35 of the design) in debugfs dmactl/rejections.
 *
 * Locking: any number of threads may use one file; operations on one
 * object are serialised by the object's mutex.
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
};

/**
 * struct dmactl_get_version - DMACTL_GET_VERSION: what this module speaks
 * @size: sizeof(struct dmactl_get_version), bytes; at least 16
 * @flags: must be 0
 * @out_abi_version: DMACTL_ABI_VERSION of the running module
 * @__reserved: must be 0
 *
 * Errors: EINVAL, E2BIG, EOPNOTSUPP, EFAULT (see the head of this file).
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
	/* dma_iova_try_alloc() can succeed: a DMA or DMA-FQ domain */
	DMACTL_ATTACH_OUT_IOVA_USABLE = 1 << 3,
	/* streaming mappings may bounce through swiotlb */
	DMACTL_ATTACH_OUT_SWIOTLB = 1 << 4,
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
 *	page size when the device has no IOMMU
 * @out_dma_mask: the device's streaming DMA mask
 * @out_max_mapping_size: dma_max_mapping_size(), bytes
 * @out_opt_mapping_size: dma_opt_mapping_size(), bytes
 * @out_dma_mask_bits: bits set in @out_dma_mask
 * @out_numa_node: the device's NUMA node, DMACTL_NO_NODE if none
 *
 * A file attaches once.  The device must be bound to dmactl (through
 * driver_override) or be on the allow list (/sys/class/misc/dmactl/allow).
 *
 * Errors: EBUSY (already attached), EINVAL (@name not terminated or
 * empty), ENODEV (no such device, or it is going away), EPERM (neither
 * bound nor allowed), plus those of every ioctl.
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
 *	long as the buffer lives (pin_user_pages with FOLL_LONGTERM)
 */
enum dmactl_buf_kind {
	DMACTL_BUF_KERNEL = 1,
	DMACTL_BUF_USER,
};

/**
 * struct dmactl_buf_alloc - DMACTL_BUF_ALLOC: make a buffer
 * @size: sizeof(struct dmactl_buf_alloc), bytes
 * @flags: must be 0
 * @kind: enum dmactl_buf_kind
 * @order: DMACTL_BUF_KERNEL: allocation order of each chunk, 0..10;
 *	must be 0 for DMACTL_BUF_USER
 * @length: bytes; a multiple of the page size, and for DMACTL_BUF_KERNEL
 *	of the chunk size (page size << @order); at most 1 GiB
 * @user_addr: DMACTL_BUF_USER: page-aligned address of the memory; must
 *	be 0 for DMACTL_BUF_KERNEL
 * @node: DMACTL_BUF_KERNEL: NUMA node to allocate on, DMACTL_NO_NODE for
 *	the device's node
 * @out_id: the buffer's ID
 * @out_nr_pages: pages the buffer holds
 * @__reserved: must be 0
 *
 * Errors: EINVAL (bad @kind, @order, @length or alignment, @node not
 * online), EOVERFLOW (@user_addr + @length wraps), EFAULT (memory at
 * @user_addr not mapped), ENOMEM, ENODEV, EBUSY (not attached).
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
};

#define DMACTL_BUF_ALLOC	_IO(DMACTL_TYPE, DMACTL_CMD_BUF_ALLOC)

/**
 * struct dmactl_buf_free - DMACTL_BUF_FREE: free a buffer
 * @size: sizeof(struct dmactl_buf_free), bytes
 * @flags: must be 0
 * @id: the buffer's ID
 * @__reserved: must be 0
 *
 * Errors: ENOENT (no such buffer), EBUSY (a link still maps it).
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
 * Errors: EINVAL (zero or unaligned), EOVERFLOW, ERANGE (past the
 * buffer's end), ENOENT.
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
 * Errors: EINVAL (zero length), EOVERFLOW, ERANGE, ENOENT.
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
 *	max_iova_size (4 GiB by default)
 * @first_offset: the offset in its granule of the first byte to be
 *	linked, bytes, below the granule: the first link must start at a
 *	buffer address with this offset in its granule
 * @out_id: the IOVA object's ID
 * @out_path: enum dmactl_path
 * @out_granule: the granule the object's links are checked against, bytes
 * @out_dma_addr: DMACTL_PATH_IOVA: the device address of IOVA offset 0;
 *	0 on the fallback path
 *
 * Errors: EINVAL (zero or too large @length, @first_offset not below the
 * granule), EOPNOTSUPP (the IOVA API declined and no fallback was
 * allowed), ENOSPC (IOVA space exhausted), EBUSY (not attached), ENODEV.
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
 * The range becomes one link record, unlinked as a whole.  Alignment (g is
 * the granule, off0 the object's @first_offset): a link at IOVA offset 0
 * must start at a buffer address whose offset in its granule is off0; any
 * other link must start at a granule-aligned buffer address and at an IOVA
 * offset with (off0 + @iova_offset) a multiple of g.  Every granule the
 * link touches must be unlinked.  The buffer's pages stay pinned until the
 * last link over them is gone.
 *
 * Errors: EOPNOTSUPP (unknown attr), EOVERFLOW, EINVAL (zero length, bad
 * @dir, misalignment), ERANGE (past the IOVA space or the buffer), EEXIST
 * (a granule already linked), ENOENT (no such object or buffer), ENODEV,
 * and what dma_iova_link() or dma_map_phys() return (ENOMEM, EIO, EPERM).
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
 * Errors: EOVERFLOW, EINVAL (zero length), ERANGE, ENOENT, ENODEV.
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
 * Errors: EOPNOTSUPP, EOVERFLOW, EINVAL (zero length, bad @dir, a range
 * that splits a link or leaves a hole, @dir or @attrs not those of the
 * links), ERANGE, ENOENT (no link starts there and none covers it),
 * ENODEV.
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
 * Errors: EBUSY (links remain), ENOENT, ENODEV.
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
 * Errors: EOPNOTSUPP, EINVAL (bad @dir, links not tiling [0, @mapped_len),
 * mixed or other @dir or @attrs), ERANGE, ENOENT, ENODEV.
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
	/* DMACTL_PATH_FALLBACK: at least one run bounced through swiotlb */
	DMACTL_LINK_SWIOTLB = 1 << 1,
};

/**
 * struct dmactl_link_info - one link record, as DMACTL_IOVA_QUERY reports it
 * @iova_offset: start in the IOVA space, bytes
 * @length: bytes
 * @buf_offset: start in the buffer, bytes
 * @dma_addr: the device address of the link's first byte
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
 * @out_nr_links: link records
 * @out_flags: DMACTL_LINK_SWIOTLB if any link bounced
 * @links_uptr: where to write up to @nr_links struct dmactl_link_info, in
 *	IOVA order; may be 0 when @nr_links is 0
 * @nr_links: room at @links_uptr, entries
 * @__reserved: must be 0
 *
 * Errors: ENOENT, ENODEV, EFAULT.
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
 *
 * Walks the range page by page.  Success means the walk was made; the
 * verdict is @out_mismatches.
 *
 * Errors: EOVERFLOW, EINVAL (zero length), ERANGE, ENOENT, ENODEV.
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
};

#define DMACTL_IOVA_VERIFY	_IO(DMACTL_TYPE, DMACTL_CMD_IOVA_VERIFY)

#endif /* _UAPI_LINUX_DMACTL_H */
