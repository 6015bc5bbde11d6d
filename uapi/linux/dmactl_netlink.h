/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/dmactl.yaml */
/* YNL-GEN uapi header */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#ifndef _UAPI_LINUX_DMACTL_NETLINK_H
#define _UAPI_LINUX_DMACTL_NETLINK_H

#define DMACTL_FAMILY_NAME	"dmactl"
#define DMACTL_FAMILY_VERSION	1

/**
 * enum dmactl_event_type - What an event reports.
 * @DMACTL_EVENT_TYPE_DEV_REVOKED: The device went away (its driver unbound, it
 *   was removed, or it left the allow list) and every object on it was torn
 *   down.
 * @DMACTL_EVENT_TYPE_FILE_RELEASED: A file was closed while it still held
 *   objects; they were torn down.
 * @DMACTL_EVENT_TYPE_FAULT_INJECTED: A copy was asked to write to IOVA space
 *   with no link behind it (the copy operation's DMACTL_COPY_DST_UNLINKED):
 *   the IOMMU must block the device.
 * @DMACTL_EVENT_TYPE_DMA_FAULT: A copy saw a DMA fault: the engine reported an
 *   error or timed out, or the destination did not hold the source's bytes, or
 *   the device wrote outside the destination range.
 */
enum dmactl_event_type {
	DMACTL_EVENT_TYPE_DEV_REVOKED = 1,
	DMACTL_EVENT_TYPE_FILE_RELEASED,
	DMACTL_EVENT_TYPE_FAULT_INJECTED,
	DMACTL_EVENT_TYPE_DMA_FAULT,
};

enum {
	DMACTL_A_DEV_NAME = 1,
	DMACTL_A_DEV_DRIVER,
	DMACTL_A_DEV_BOUND,
	DMACTL_A_DEV_ALLOWED,
	DMACTL_A_DEV_FILES,

	__DMACTL_A_DEV_MAX,
	DMACTL_A_DEV_MAX = (__DMACTL_A_DEV_MAX - 1)
};

enum {
	DMACTL_A_COUNT_NAME = 1,
	DMACTL_A_COUNT_VALUE,

	__DMACTL_A_COUNT_MAX,
	DMACTL_A_COUNT_MAX = (__DMACTL_A_COUNT_MAX - 1)
};

enum {
	DMACTL_A_STATS_DEV = 1,
	DMACTL_A_STATS_LIVE_TARGETS,
	DMACTL_A_STATS_LIVE_BUFS,
	DMACTL_A_STATS_PINNED_PAGES,
	DMACTL_A_STATS_KERNEL_PAGES,
	DMACTL_A_STATS_LIVE_IOVAS,
	DMACTL_A_STATS_LIVE_LINKS,
	DMACTL_A_STATS_P2P_BYTES,
	DMACTL_A_STATS_INFLIGHT,
	DMACTL_A_STATS_COPIES,
	DMACTL_A_STATS_COPIED_BYTES,
	DMACTL_A_STATS_UNLINKED_WRITES,
	DMACTL_A_STATS_REVOKED_P2P,
	DMACTL_A_STATS_LIVE_BENCHES,
	DMACTL_A_STATS_BENCH_THREADS,
	DMACTL_A_STATS_OP,
	DMACTL_A_STATS_REJECTION,

	__DMACTL_A_STATS_MAX,
	DMACTL_A_STATS_MAX = (__DMACTL_A_STATS_MAX - 1)
};

enum {
	DMACTL_A_EVENT_TYPE = 1,
	DMACTL_A_EVENT_DEV,
	DMACTL_A_EVENT_PID,
	DMACTL_A_EVENT_COMM,
	DMACTL_A_EVENT_FILES,
	DMACTL_A_EVENT_BUFS,
	DMACTL_A_EVENT_IOVAS,
	DMACTL_A_EVENT_LINKS,
	DMACTL_A_EVENT_BENCHES,
	DMACTL_A_EVENT_IOVA_ID,
	DMACTL_A_EVENT_OFFSET,
	DMACTL_A_EVENT_LENGTH,
	DMACTL_A_EVENT_ERROR,
	DMACTL_A_EVENT_MISMATCHES,
	DMACTL_A_EVENT_GUARD_DAMAGE,

	__DMACTL_A_EVENT_MAX,
	DMACTL_A_EVENT_MAX = (__DMACTL_A_EVENT_MAX - 1)
};

enum {
	DMACTL_NL_CMD_DEV_GET = 1,
	DMACTL_NL_CMD_STATS_GET,
	DMACTL_NL_CMD_ALLOW,
	DMACTL_NL_CMD_DISALLOW,
	DMACTL_NL_CMD_EVENT,

	__DMACTL_NL_CMD_MAX,
	DMACTL_NL_CMD_MAX = (__DMACTL_NL_CMD_MAX - 1)
};

#define DMACTL_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_DMACTL_NETLINK_H */
