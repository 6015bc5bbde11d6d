// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the /dev/dmactl misc device and its ioctl dispatch.
 *
 * Each open file is a context of its own (ctx.c).  The ioctl ABI follows
 * iommufd: _IO() numbers, a leading {size, flags} in every argument, a
 * table that knows each command's minimum size, copy_struct_from_user() on
 * the way in and at most the caller's size on the way out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "dmactl_private.h"

/* The ABI's sizes, checked against the one list module and tool share. */
#define DMACTL_ABI_SIZE(name, bytes) static_assert(sizeof(struct name) == (bytes))
#include "../uapi/dmactl_abi_sizes.h"
#undef DMACTL_ABI_SIZE

/* The union of every command's argument, for the dispatch buffer. */
union dmactl_ucmd_buffer {
	struct dmactl_get_version get_version;
	struct dmactl_attach attach;
	struct dmactl_buf_alloc buf_alloc;
	struct dmactl_buf_free buf_free;
	struct dmactl_buf_fill buf_fill;
	struct dmactl_buf_checksum buf_checksum;
	struct dmactl_iova_alloc iova_alloc;
	struct dmactl_iova_link iova_link;
	struct dmactl_iova_sync iova_sync;
	struct dmactl_iova_unlink iova_unlink;
	struct dmactl_iova_free iova_free;
	struct dmactl_iova_destroy iova_destroy;
	struct dmactl_iova_query iova_query;
	struct dmactl_iova_verify iova_verify;
	struct dmactl_p2p_query p2p_query;
	struct dmactl_p2pmem_publish p2pmem_publish;
	struct dmactl_copy copy;
	struct dmactl_bench_start bench_start;
	struct dmactl_bench_result bench_result;
	struct dmactl_bench_free bench_free;
};

/**
 * dmactl_ucmd_respond() - copy the served command's argument back
 * @ucmd: the call
 * @cmd_len: the kernel's size of the argument, bytes
 *
 * Copies no more than the caller's size.
 *
 * Return: 0 or -EFAULT.
 */
int dmactl_ucmd_respond(struct dmactl_ucmd *ucmd, size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

static int dmactl_get_version(struct dmactl_ucmd *ucmd)
{
	struct dmactl_get_version *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	cmd->out_abi_version = DMACTL_ABI_VERSION;
	return dmactl_ucmd_respond(ucmd, sizeof(*cmd));
}

/**
 * struct dmactl_ioctl_op - one entry of the ioctl table
 * @size: the kernel's size of the argument, bytes
 * @min_size: the smallest size a caller may pass: the end of the struct's
 *	last field in its first ABI version, bytes
 * @execute: the handler; NULL for a number with no command
 * @name: what netlink counters call it
 *
 * The table is indexed by ioctl number less DMACTL_CMD_BASE.
 */
struct dmactl_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	int (*execute)(struct dmactl_ucmd *ucmd);
	const char *name;
};

#define DMACTL_IOCTL_OP(_nr, _name, _fn, _struct, _last)                    \
	[(_nr) - DMACTL_CMD_BASE] = {                                       \
		.name = _name,                                              \
		.size = sizeof(_struct) +                                   \
			BUILD_BUG_ON_ZERO(sizeof(union dmactl_ucmd_buffer) < \
					  sizeof(_struct)),                 \
		.min_size = offsetofend(_struct, _last),                    \
		.execute = _fn,                                             \
	}

static const struct dmactl_ioctl_op dmactl_ioctl_ops[] = {
	DMACTL_IOCTL_OP(DMACTL_CMD_GET_VERSION, "get-version", dmactl_get_version,
			struct dmactl_get_version, __reserved),
	DMACTL_IOCTL_OP(DMACTL_CMD_ATTACH, "attach", dmactl_attach,
			struct dmactl_attach, out_numa_node),
	DMACTL_IOCTL_OP(DMACTL_CMD_BUF_ALLOC, "buf-alloc", dmactl_buf_alloc,
			struct dmactl_buf_alloc, __reserved),
	DMACTL_IOCTL_OP(DMACTL_CMD_BUF_FREE, "buf-free", dmactl_buf_free,
			struct dmactl_buf_free, __reserved),
	DMACTL_IOCTL_OP(DMACTL_CMD_BUF_FILL, "buf-fill", dmactl_buf_fill,
			struct dmactl_buf_fill, seed),
	DMACTL_IOCTL_OP(DMACTL_CMD_BUF_CHECKSUM, "buf-checksum", dmactl_buf_checksum,
			struct dmactl_buf_checksum, length),
	DMACTL_IOCTL_OP(DMACTL_CMD_IOVA_ALLOC, "iova-alloc", dmactl_iova_alloc,
			struct dmactl_iova_alloc, out_dma_addr),
	DMACTL_IOCTL_OP(DMACTL_CMD_IOVA_LINK, "iova-link", dmactl_iova_link,
			struct dmactl_iova_link, attrs),
	DMACTL_IOCTL_OP(DMACTL_CMD_IOVA_SYNC, "iova-sync", dmactl_iova_sync,
			struct dmactl_iova_sync, length),
	DMACTL_IOCTL_OP(DMACTL_CMD_IOVA_UNLINK, "iova-unlink", dmactl_iova_unlink,
			struct dmactl_iova_unlink, __reserved),
	DMACTL_IOCTL_OP(DMACTL_CMD_IOVA_FREE, "iova-free", dmactl_iova_free,
			struct dmactl_iova_free, __reserved),
	DMACTL_IOCTL_OP(DMACTL_CMD_IOVA_DESTROY, "iova-destroy", dmactl_iova_destroy,
			struct dmactl_iova_destroy, __reserved),
	DMACTL_IOCTL_OP(DMACTL_CMD_IOVA_QUERY, "iova-query", dmactl_iova_query,
			struct dmactl_iova_query, __reserved),
	DMACTL_IOCTL_OP(DMACTL_CMD_IOVA_VERIFY, "iova-verify", dmactl_iova_verify,
			struct dmactl_iova_verify, out_first_mismatch),
	DMACTL_IOCTL_OP(DMACTL_CMD_P2P_QUERY, "p2p-query", dmactl_p2p_query,
			struct dmactl_p2p_query, __reserved),
	DMACTL_IOCTL_OP(DMACTL_CMD_P2PMEM_PUBLISH, "p2pmem-publish", dmactl_p2pmem_publish,
			struct dmactl_p2pmem_publish, out_length),
	DMACTL_IOCTL_OP(DMACTL_CMD_COPY, "copy", dmactl_copy,
			struct dmactl_copy, out_ns),
	DMACTL_IOCTL_OP(DMACTL_CMD_BENCH_START, "bench-start", dmactl_bench_start,
			struct dmactl_bench_start, out_bookkeeping_bytes),
	DMACTL_IOCTL_OP(DMACTL_CMD_BENCH_RESULT, "bench-result", dmactl_bench_result,
			struct dmactl_bench_result, out_threads),
	DMACTL_IOCTL_OP(DMACTL_CMD_BENCH_FREE, "bench-free", dmactl_bench_free,
			struct dmactl_bench_free, __reserved),
};

static long dmactl_fops_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	const struct dmactl_ioctl_op *op;
	union dmactl_ucmd_buffer buf;
	struct dmactl_ucmd ucmd = {};
	unsigned int nr;
	int ret;

	/* Only _IO(DMACTL_TYPE, nr) of a known nr: no size or direction bits. */
	nr = _IOC_NR(cmd);
	if (cmd != _IO(DMACTL_TYPE, nr) || nr < DMACTL_CMD_BASE ||
	    nr - DMACTL_CMD_BASE >= ARRAY_SIZE(dmactl_ioctl_ops))
		return -ENOIOCTLCMD;
	op = &dmactl_ioctl_ops[nr - DMACTL_CMD_BASE];
	if (!op->execute)
		return -ENOIOCTLCMD;

	/*
	 * Open needed CAP_SYS_ADMIN, but a file descriptor can be passed
	 * on: whoever programs DMA through it must have it too; and a file
	 * opened before the kernel was locked down is of no use after.
	 */
	if (!capable(CAP_SYS_ADMIN) || security_locked_down(LOCKDOWN_PCI_ACCESS))
		return -EPERM;
	ucmd.ctx = filp->private_data;
	ucmd.ubuffer = (void __user *)arg;
	ret = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (ret)
		return ret;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	ret = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (ret)
		return ret;
	ret = op->execute(&ucmd);
	if (!ret)
		dmactl_count_op(dmactl_ctx_target(ucmd.ctx),
				nr - DMACTL_CMD_BASE);
	return ret;
}

/**
 * dmactl_op_name() - the name of an ioctl, as counters call it
 * @op: its number less DMACTL_CMD_BASE, below DMACTL_NR_OPS
 *
 * Return: the name, e.g. "iova-link".
 */
const char *dmactl_op_name(unsigned int op)
{
	BUILD_BUG_ON(ARRAY_SIZE(dmactl_ioctl_ops) != DMACTL_NR_OPS);
	return dmactl_ioctl_ops[op].name;
}

static int dmactl_fops_open(struct inode *inode, struct file *filp)
{
	struct dmactl_ctx *ctx;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/*
	 * dmactl lets userspace program DMA by PCI devices (an engine's
	 * registers, P2P BARs, writes aimed at unmapped IOVA): direct PCI
	 * access, which a locked-down kernel refuses (checked on every
	 * call too).
	 */
	ret = security_locked_down(LOCKDOWN_PCI_ACCESS);
	if (ret)
		return ret;
	ctx = dmactl_ctx_create();
	if (!ctx)
		return -ENOMEM;
	filp->private_data = ctx;
	return 0;
}

/* Unlink, free, unmap and unpin everything the file still owns. */
static int dmactl_fops_release(struct inode *inode, struct file *filp)
{
	dmactl_ctx_destroy(filp->private_data);
	return 0;
}

static const struct file_operations dmactl_fops = {
	.owner = THIS_MODULE,
	.open = dmactl_fops_open,
	.release = dmactl_fops_release,
	.unlocked_ioctl = dmactl_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice dmactl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dmactl",
	.fops = &dmactl_fops,
	.mode = 0600,
	.groups = dmactl_misc_groups,
};

static int __init dmactl_init(void)
{
	int ret;

	/* First in, last out: revocations send events until the end. */
	ret = dmactl_nl_init();
	if (ret)
		return ret;
	ret = dmactl_targets_init();
	if (ret)
		goto out_nl;
	ret = misc_register(&dmactl_misc);
	if (ret)
		goto out_targets;
	return 0;

out_targets:
	dmactl_targets_exit();
out_nl:
	dmactl_nl_exit();
	return ret;
}
module_init(dmactl_init);

static void __exit dmactl_exit(void)
{
	misc_deregister(&dmactl_misc);
	dmactl_targets_exit();
	dmactl_nl_exit();
}
module_exit(dmactl_exit);

MODULE_DESCRIPTION("Test harness for the DMA-mapping layer");
MODULE_LICENSE("GPL");
MODULE_VERSION(DMACTL_VERSION);
MODULE_INFO(test, "Y");
