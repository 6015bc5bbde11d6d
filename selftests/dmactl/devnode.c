// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/dmactl itself: the node, who may open it and who may use a file
 * once open, the module reference an open file holds, and the ioctl ABI
 * rules on DMACTL_GET_VERSION.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dmactl.h>

#include "dmactl_test.h"

#define MISC_MAJOR 10

static long module_refcnt(void)
{
	return sysfs_read_ll("/sys/module/dmactl/refcnt");
}

TEST(node_is_misc_char_device_0600)
{
	struct stat st;

	ASSERT_EQ(0, stat(DMACTL_DEVICE, &st)) {
		TH_LOG("%s: %s (is dmactl.ko loaded?)", DMACTL_DEVICE,
		       strerror(errno));
	}
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(MISC_MAJOR, major(st.st_rdev));
}

TEST(open_needs_cap_sys_admin)
{
	int status, fd;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (drop_sys_admin())
			_exit(100);
		fd = open(DMACTL_DEVICE, O_RDWR);
		_exit(fd < 0 && errno == EPERM ? 0 : 101);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * A file opened with CAP_SYS_ADMIN and handed to a process without it (a
 * passed descriptor, capabilities dropped after open) drives nothing.
 */
TEST(ioctl_needs_cap_sys_admin)
{
	struct dmactl_get_version v = { .size = sizeof(v) };
	int status, fd;
	pid_t pid;

	fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, DMACTL_GET_VERSION, &v));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (drop_sys_admin())
			_exit(100);
		if (ioctl(fd, DMACTL_GET_VERSION, &v) == 0)
			_exit(101);
		_exit(errno == EPERM ? 0 : 102);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

TEST(open_file_pins_module)
{
	long before, during, after;
	int fd;

	before = module_refcnt();
	ASSERT_LE(0, before);
	fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	during = module_refcnt();
	close(fd);
	after = module_refcnt();
	EXPECT_EQ(before + 1, during);
	EXPECT_EQ(before, after);
}

/* The ABI rules on GET_VERSION, on a file with no device attached. */
DMACTL_OPEN_FIXTURE(version_abi);

/* The version struct with room past its end, for the trailing-byte rules. */
struct version_plus {
	struct dmactl_get_version v;
	__u64 extra;
};

TEST_F(version_abi, get_version)
{
	struct dmactl_get_version v = { .size = sizeof(v) };

	ASSERT_EQ(0, ioctl(self->fd, DMACTL_GET_VERSION, &v));
	EXPECT_EQ(DMACTL_ABI_VERSION, v.out_abi_version);
}

TEST_F(version_abi, short_size_is_einval)
{
	struct dmactl_get_version v = { .size = sizeof(v) - 1 };

	EXPECT_EQ(-1, ioctl(self->fd, DMACTL_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, v.out_abi_version);
}

TEST_F(version_abi, longer_size_zero_tail_is_accepted)
{
	struct version_plus p = { .v.size = sizeof(p) };

	ASSERT_EQ(0, ioctl(self->fd, DMACTL_GET_VERSION, &p));
	EXPECT_EQ(DMACTL_ABI_VERSION, p.v.out_abi_version);
	EXPECT_EQ(0, p.extra);
}

TEST_F(version_abi, nonzero_tail_is_e2big)
{
	struct version_plus p = { .v.size = sizeof(p), .extra = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, DMACTL_GET_VERSION, &p));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(version_abi, unknown_flag_is_eopnotsupp)
{
	struct dmactl_get_version v = { .size = sizeof(v), .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, DMACTL_GET_VERSION, &v));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(version_abi, nonzero_reserved_is_eopnotsupp)
{
	struct dmactl_get_version v = { .size = sizeof(v), .__reserved = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, DMACTL_GET_VERSION, &v));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(version_abi, null_argument_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, DMACTL_GET_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(version_abi, unknown_ioctl_is_enotty)
{
	struct dmactl_get_version v = { .size = sizeof(v) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(DMACTL_TYPE, DMACTL_CMD_BASE + 0x7f), &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(DMACTL_TYPE, 0x01), &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(DMACTL_TYPE + 1, DMACTL_CMD_BASE), &v));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
