// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: the /dev/dmactl misc device and its ioctl dispatch.
 *
 * Each open file is a context of its own.  The ioctl ABI follows iommufd:
 * _IO() numbers, a leading {size, flags} in every argument, a table that
 * knows each command's minimum size, copy_struct_from_user() on the way in
 * and at most the caller's size on the way out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include <linux/dmactl.h>

static_assert(sizeof(struct dmactl_get_version) == 16);

/* The union of every command's argument, for the dispatch buffer. */
union dmactl_ucmd_buffer {
	struct dmactl_get_version get_version;
};

/**
 * struct dmactl_ucmd - one ioctl call being served
 * @ubuffer: the caller's argument
 * @user_size: the caller's @size field, bytes
 * @cmd: the argument, copied in; the handler fills its out fields
 */
struct dmactl_ucmd {
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/* Copy the served command's argument back, no more than the caller gave. */
static int dmactl_ucmd_respond(struct dmactl_ucmd *ucmd, size_t cmd_len)
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
 *
 * The table is indexed by ioctl number less DMACTL_CMD_BASE.
 */
struct dmactl_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	int (*execute)(struct dmactl_ucmd *ucmd);
};

#define DMACTL_IOCTL_OP(_nr, _fn, _struct, _last)                           \
	[(_nr) - DMACTL_CMD_BASE] = {                                       \
		.size = sizeof(_struct) +                                   \
			BUILD_BUG_ON_ZERO(sizeof(union dmactl_ucmd_buffer) < \
					  sizeof(_struct)),                 \
		.min_size = offsetofend(_struct, _last),                    \
		.execute = _fn,                                             \
	}

static const struct dmactl_ioctl_op dmactl_ioctl_ops[] = {
	DMACTL_IOCTL_OP(DMACTL_CMD_GET_VERSION, dmactl_get_version,
			struct dmactl_get_version, __reserved),
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
	return op->execute(&ucmd);
}

static int dmactl_fops_open(struct inode *inode, struct file *filp)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static int dmactl_fops_release(struct inode *inode, struct file *filp)
{
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
};

static int __init dmactl_init(void)
{
	return misc_register(&dmactl_misc);
}
module_init(dmactl_init);

static void __exit dmactl_exit(void)
{
	misc_deregister(&dmactl_misc);
}
module_exit(dmactl_exit);

MODULE_DESCRIPTION("Test harness for the DMA-mapping layer");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
