/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dmactl: drive the Linux DMA-mapping layer from userspace, for testing.
 *
 * ABI conventions (those of iommufd):
 *  - Every ioctl number is _IO(DMACTL_TYPE, nr); the size of the argument
 *    travels in the argument itself.
 *  - Every argument struct begins with __u32 size (the caller's
 *    sizeof(struct)) and __u32 flags.  The kernel accepts any size from the
 *    struct's first version up: shorter than that gives EINVAL; longer
 *    with a non-zero byte past what the kernel knows gives E2BIG.  The
 *    kernel writes back at most @size bytes.
 *  - Only __u32 and __aligned_u64 fields, padding explicit in __reserved
 *    fields that must be zero; every struct is a multiple of 8 bytes and
 *    has the same layout for 32-bit and 64-bit callers.
 *  - An unknown flag or a non-zero __reserved gives EOPNOTSUPP; an unknown
 *    ioctl gives ENOTTY; a bad pointer gives EFAULT.
 *
 * Opening /dev/dmactl needs CAP_SYS_ADMIN (EPERM otherwise).
 */
#ifndef _UAPI_LINUX_DMACTL_H
#define _UAPI_LINUX_DMACTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DMACTL_TYPE	0xD7
#define DMACTL_DEVICE	"/dev/dmactl"

/* Bumped on every incompatible change; additions keep it. */
#define DMACTL_ABI_VERSION	1

enum {
	DMACTL_CMD_BASE = 0x80,
	DMACTL_CMD_GET_VERSION = DMACTL_CMD_BASE,
};

/**
 * struct dmactl_get_version - DMACTL_GET_VERSION: what this module speaks
 * @size: sizeof(struct dmactl_get_version), bytes; at least 16
 * @flags: must be 0
 * @out_abi_version: DMACTL_ABI_VERSION of the running module
 * @__reserved: must be 0
 *
 * Errors: EINVAL (size below 16), E2BIG (unknown non-zero trailing bytes),
 * EOPNOTSUPP (non-zero @flags or @__reserved), EFAULT.
 */
struct dmactl_get_version {
	__u32 size;
	__u32 flags;
	__u32 out_abi_version;
	__u32 __reserved;
};

#define DMACTL_GET_VERSION	_IO(DMACTL_TYPE, DMACTL_CMD_GET_VERSION)

#endif /* _UAPI_LINUX_DMACTL_H */
