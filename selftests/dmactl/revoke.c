// SPDX-License-Identifier: GPL-2.0
/*
 * A device can go away while a file holds mappings on it.  Each way --
 * unbinding a device from dmactl's own driver, hot-removing a shared
 * device (PCI remove, then rescan), taking a shared device off the allow
 * list -- must tear everything down first: afterwards every operation
 * gives ENODEV, release() still works, and every counter is back to zero.
 *
 * The shared device is $DMACTL_SELFTESTS_DEV; the exclusive one is
 * $DMACTL_SELFTESTS_EXCL_DEV (a PCI device with no driver, such as QEMU's
 * edu), which this test binds to dmactl and unbinds.
 */
#include <dirent.h>
#include <limits.h>
#include <time.h>

#include <sys/wait.h>

#include "dmactl_test.h"

/* Objects on the attached device: a buffer, an IOVA with live links. */
static void make_objects(struct __test_metadata *_metadata, int fd,
			 __u32 *iova, __u32 *buf)
{
	struct dmactl_iova_alloc ia;

	/*
	 * Memory the device reaches without bouncing: the edu's mask is 28
	 * bits, and without an IOMMU pages above it are refused with EIO.
	 */
	ASSERT_EQ(0, _dmactl_buf_alloc_flags(fd, DMACTL_BUF_KERNEL, 0, 64 * SZ_4K,
					     NULL, DMACTL_BUF_ALLOC_REACHABLE, buf));
	dmactl_iova_alloc(fd, 64 * SZ_4K, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	*iova = ia.out_id;
	dmactl_link(fd, *iova, *buf, 0, 0, 32 * SZ_4K, DMACTL_DIR_BIDIRECTIONAL, 0);
	dmactl_link(fd, *iova, *buf, 0, 32 * SZ_4K, 32 * SZ_4K, DMACTL_DIR_TO_DEVICE, 0);
	dmactl_sync(fd, *iova, 0, 64 * SZ_4K);
	EXPECT_EQ(2, dmactl_counter("live-links"));
}

/* After revocation: every operation ENODEV, nothing left behind. */
static void expect_revoked(struct __test_metadata *_metadata, int fd,
			   __u32 iova, __u32 buf)
{
	dmactl_err(ENODEV, _dmactl_verify(fd, iova, 0, SZ_4K, NULL));
	dmactl_err(ENODEV, _dmactl_link(fd, iova, buf, 0, 0, SZ_4K,
					DMACTL_DIR_TO_DEVICE, 0));
	dmactl_err(ENODEV, _dmactl_unlink(fd, iova, 0, 32 * SZ_4K,
					  DMACTL_DIR_BIDIRECTIONAL, 0));
	dmactl_err(ENODEV, _dmactl_iova_free(fd, iova));
	dmactl_err(ENODEV, _dmactl_buf_free(fd, buf));
	dmactl_err(ENODEV, _dmactl_buf_alloc(fd, DMACTL_BUF_KERNEL, 0, SZ_4K,
					     NULL, NULL));
	dmactl_err(ENODEV, _dmactl_iova_alloc(fd, SZ_4K, 0,
					      DMACTL_IOVA_ALLOW_FALLBACK, NULL));
	/* Torn down before the ioctl returned ENODEV, not at close. */
	dmactl_expect_no_leaks();
}

FIXTURE(revoke) {
	int fd;
	unsigned long taint;
};

FIXTURE_SETUP(revoke)
{
	self->taint = dmactl_taint();
	self->fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(revoke)
{
	close(self->fd);
	dmactl_expect_no_leaks();
	EXPECT_EQ(0, (dmactl_taint() & ~self->taint) & DMACTL_BAD_TAINT);
}

TEST_F(revoke, unbind_exclusive_device)
{
	const char *dev = getenv("DMACTL_SELFTESTS_EXCL_DEV");
	char path[PATH_MAX];
	__u32 iova, buf;

	if (!dev || !*dev)
		SKIP(return, "set DMACTL_SELFTESTS_EXCL_DEV to a driverless PCI device");
	ASSERT_FALSE(driver_is(dev, "dmactl"));
	snprintf(path, sizeof(path), PCI "/devices/%s/driver_override", dev);
	ASSERT_EQ(0, sysfs_put(path, "dmactl"));
	ASSERT_EQ(0, sysfs_put(PCI "/drivers/dmactl/bind", dev));
	ASSERT_TRUE(driver_is(dev, "dmactl"));

	dmactl_attach(self->fd, dev, NULL);
	make_objects(_metadata, self->fd, &iova, &buf);
	ASSERT_EQ(0, sysfs_put(PCI "/drivers/dmactl/unbind", dev));
	EXPECT_FALSE(driver_is(dev, "dmactl"));
	EXPECT_EQ(0, sysfs_put(path, "\n"));
	expect_revoked(_metadata, self->fd, iova, buf);
}

TEST_F(revoke, disallow_shared_device)
{
	const char *dev = dmactl_test_dev();
	__u32 iova, buf;

	dmactl_attach(self->fd, dev, NULL);
	make_objects(_metadata, self->fd, &iova, &buf);
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/disallow", dev));
	expect_revoked(_metadata, self->fd, iova, buf);
	/* Off the list: a new file may not attach; back on it, it may. */
	close(self->fd);
	self->fd = open(DMACTL_DEVICE, O_RDWR);
	dmactl_err(EPERM, _dmactl_attach(self->fd, dev, NULL));
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/allow", dev));
	dmactl_attach(self->fd, dev, NULL);
}

/*
 * Start "dmactl monitor --json --count 1" and wait for its line on stderr
 * saying it listens; its stdout comes back in *out.
 */
static pid_t monitor_start(FILE **out)
{
	const char *tool = getenv("DMACTL_TOOL") ?: "dmactl";
	int o[2], e[2];
	char line[256];
	FILE *err;
	pid_t pid;

	if (pipe(o) || pipe(e))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execlp(tool, tool, "monitor", "--json", "--count", "1", NULL);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	err = fdopen(e[0], "r");
	if (pid < 0 || !err || !fgets(line, sizeof(line), err))
		return -1;
	fclose(err);
	*out = fdopen(o[0], "r");
	return *out ? pid : -1;
}

TEST_F(revoke, hot_remove_shared_device)
{
	const char *dev = dmactl_test_dev();
	const char *drv = getenv("DMACTL_SELFTESTS_DEV_DRIVER") ?: "nvme";
	char path[PATH_MAX], event[512], want[128];
	__u32 iova, buf;
	FILE *mon;
	int status;
	pid_t pid;

	if (!driver_is(dev, drv))
		SKIP(return, "%s is not bound to %s (DMACTL_SELFTESTS_DEV_DRIVER)", dev, drv);
	dmactl_attach(self->fd, dev, NULL);
	make_objects(_metadata, self->fd, &iova, &buf);
	pid = monitor_start(&mon);
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), PCI "/devices/%s/remove", dev);
	ASSERT_EQ(0, sysfs_put(path, "1"));
	expect_revoked(_metadata, self->fd, iova, buf);
	/* dmactl monitor heard the revocation, with what it tore down. */
	ASSERT_NE(NULL, fgets(event, sizeof(event), mon));
	fclose(mon);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	TH_LOG("dmactl monitor --json: %s", event);
	snprintf(want, sizeof(want), "\"event\":\"dev-revoked\",\"dev\":\"%s\"", dev);
	EXPECT_NE(NULL, strstr(event, want));
	EXPECT_NE(NULL, strstr(event, "\"files\":1,\"bufs\":1,\"iovas\":1,\"links\":2,"));
	/* Bring it back for the tests that follow, with its driver. */
	ASSERT_EQ(0, sysfs_put(PCI "/rescan", "1"));
	ASSERT_TRUE(wait_driver(dev, drv));
}

DMACTL_TEST_MAIN
