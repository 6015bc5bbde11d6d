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

TEST_F(revoke, hot_remove_shared_device)
{
	const char *dev = dmactl_test_dev();
	const char *drv = getenv("DMACTL_SELFTESTS_DEV_DRIVER") ?: "nvme";
	char path[PATH_MAX];
	__u32 iova, buf;

	if (!driver_is(dev, drv))
		SKIP(return, "%s is not bound to %s (DMACTL_SELFTESTS_DEV_DRIVER)", dev, drv);
	dmactl_attach(self->fd, dev, NULL);
	make_objects(_metadata, self->fd, &iova, &buf);
	snprintf(path, sizeof(path), PCI "/devices/%s/remove", dev);
	ASSERT_EQ(0, sysfs_put(path, "1"));
	expect_revoked(_metadata, self->fd, iova, buf);
	/* Bring it back for the tests that follow, with its driver. */
	ASSERT_EQ(0, sysfs_put(PCI "/rescan", "1"));
	ASSERT_TRUE(wait_driver(dev, drv));
}

DMACTL_TEST_MAIN
