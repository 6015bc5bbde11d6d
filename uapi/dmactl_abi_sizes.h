/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The size of every struct of <linux/dmactl.h>, in bytes, as one list that
 * the module, the tool and the layout test all check against:
 *
 *   #define DMACTL_ABI_SIZE(name, bytes) static_assert(...)
 *   #include "dmactl_abi_sizes.h"
 *
 * A size may only grow, by appending fields, and never differs between
 * 32-bit and 64-bit callers (scripts/tests/uapi-layout.sh proves it).
 */
DMACTL_ABI_SIZE(dmactl_get_version, 16);
DMACTL_ABI_SIZE(dmactl_attach, 120);
DMACTL_ABI_SIZE(dmactl_buf_alloc, 112);
DMACTL_ABI_SIZE(dmactl_buf_free, 16);
DMACTL_ABI_SIZE(dmactl_buf_fill, 40);
DMACTL_ABI_SIZE(dmactl_buf_checksum, 32);
DMACTL_ABI_SIZE(dmactl_iova_alloc, 48);
DMACTL_ABI_SIZE(dmactl_iova_link, 48);
DMACTL_ABI_SIZE(dmactl_iova_sync, 32);
DMACTL_ABI_SIZE(dmactl_iova_unlink, 40);
DMACTL_ABI_SIZE(dmactl_iova_free, 16);
DMACTL_ABI_SIZE(dmactl_iova_destroy, 32);
DMACTL_ABI_SIZE(dmactl_link_info, 48);
DMACTL_ABI_SIZE(dmactl_iova_query, 104);
DMACTL_ABI_SIZE(dmactl_iova_verify, 88);
DMACTL_ABI_SIZE(dmactl_p2p_query, 160);
DMACTL_ABI_SIZE(dmactl_p2pmem_publish, 40);
DMACTL_ABI_SIZE(dmactl_copy, 88);
DMACTL_ABI_SIZE(dmactl_bench_start, 64);
DMACTL_ABI_SIZE(dmactl_bench_stat, 56);
DMACTL_ABI_SIZE(dmactl_bench_result, 256);
DMACTL_ABI_SIZE(dmactl_bench_free, 16);
