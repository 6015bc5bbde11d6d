// SPDX-License-Identifier: GPL-2.0
/*
 * A device bound to dmactl's own driver (exclusive mode) is handed back
 * as it was found: bus mastering stays off unless dmactl drives the
 * device's own DMA engine, and the DMA mask probe set is restored at
 * unbind.  Publishing one of its BARs as p2pmem takes only what
 * memremap_pages() maps without a WARN: a memory BAR, whole subsections
 * (2 MiB on x86) -- once, "p2pmem publish --size 4k" of the edu's BAR
 * panicked the guest.
 *
 * The devices: QEMU's edu ($DMACTL_SELFTESTS_EXCL_DEV, a DMA engine with
 * a 1 MiB BAR0) and ivshmem-plain (no engine; a 16 MiB BAR2), found by
 * their IDs.
 */
#include "dmactl_test.h"

#define PCI_COMMAND_MASTER 0x4

/* A PCI device's command register from its config space; -1 on error. */
static int pci_command(const char *bdf)
{
	char path[PATH_MAX];
	unsigned char cfg[6];
	int fd, ret = -1;

	snprintf(path, sizeof(path), PCI "/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, cfg, sizeof(cfg), 0) == sizeof(cfg))
		ret = cfg[4] | cfg[5] << 8;
	close(fd);
	return ret;
}

FIXTURE(exclusive) {
	int fd;
	char ivshmem[32];
	unsigned long taint;
};

FIXTURE_SETUP(exclusive)
{
	dmactl_fixture_open(self);
	/* Found by its ID: bound only if the user said it may be. */
	pci_find_expendable("1af4", "1110", self->ivshmem, sizeof(self->ivshmem));
}

FIXTURE_TEARDOWN(exclusive)
{
	close(self->fd);
	if (self->ivshmem[0])
		dmactl_unbind_exclusive(self->ivshmem, false);
	dmactl_teardown_check(self->taint);
}

TEST_F(exclusive, device_is_handed_back_as_found)
{
	int cmd, bits;

	if (!self->ivshmem[0])
		SKIP(return, "no driverless ivshmem device declared expendable here");
	cmd = pci_command(self->ivshmem);
	bits = pci_dma_mask_bits(self->ivshmem);
	ASSERT_LE(0, cmd);
	ASSERT_LT(0, bits);
	ASSERT_EQ(0, dmactl_bind_exclusive(self->ivshmem));
	ASSERT_TRUE(wait_driver(self->ivshmem, "dmactl"));
	/* No engine: dmactl itself never makes it DMA. */
	EXPECT_EQ(0, pci_command(self->ivshmem) & PCI_COMMAND_MASTER);
	EXPECT_EQ(64, pci_dma_mask_bits(self->ivshmem));
	dmactl_unbind_exclusive(self->ivshmem, false);
	EXPECT_EQ(bits, pci_dma_mask_bits(self->ivshmem));
	EXPECT_EQ(cmd & PCI_COMMAND_MASTER,
		  pci_command(self->ivshmem) & PCI_COMMAND_MASTER);
}

/* Publish @length bytes of BAR @bar from @offset as p2pmem. */
static int publish(int fd, __u32 bar, __u64 offset, __u64 length)
{
	return _test_cmd_p2pmem_publish(fd, bar, offset, length, NULL);
}

/* The call fails with EINVAL, counted once under "p2pmem_range". */
#define expect_bad_range(expr)                                                \
	do {                                                                  \
		long __before = dmactl_rejections("p2pmem_range");            \
		EXPECT_EQ(-EINVAL, (expr));                                   \
		EXPECT_EQ(__before + 1, dmactl_rejections("p2pmem_range"));   \
	} while (0)

TEST_F(exclusive, p2pmem_publish_takes_whole_subsections_only)
{
	const char *edu = dmactl_test_excl_dev();
	struct dmactl_attach a;
	int fd;

	if (!edu)
		SKIP(return, "set DMACTL_SELFTESTS_EXCL_DEV to an edu device");
	ASSERT_EQ(0, dmactl_bind_exclusive(edu));
	ASSERT_TRUE(wait_driver(edu, "dmactl"));
	test_cmd_attach(self->fd, edu, NULL);
	/*
	 * The edu's BAR0 is 1 MiB: no subsection fits in it at all.  A page
	 * is never one: subsections are 2 MiB whatever the page size.
	 */
	expect_bad_range(publish(self->fd, 0, 0, PAGE_SZ));
	expect_bad_range(publish(self->fd, 0, 0, 0));
	/* BAR1 is not there. */
	expect_bad_range(publish(self->fd, 1, 0, 0));
	if (!self->ivshmem[0])
		return;
	/* ivshmem's BAR2: 16 MiB, so aligned itself. */
	ASSERT_EQ(0, dmactl_bind_exclusive(self->ivshmem));
	ASSERT_TRUE(wait_driver(self->ivshmem, "dmactl"));
	fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	test_cmd_attach(fd, self->ivshmem, &a);
	expect_bad_range(publish(fd, 2, PAGE_SZ, SZ_2M));
	expect_bad_range(publish(fd, 2, 0, SZ_2M + PAGE_SZ));
	expect_bad_range(publish(fd, 2, 16 * SZ_2M, 0));
	/* BAR0 is its 256-byte register file. */
	expect_bad_range(publish(fd, 0, 0, 0));
	/* A whole subsection; a kernel without P2PDMA takes none (compat.h). */
	EXPECT_EQ(a.out_flags & DMACTL_ATTACH_OUT_P2PDMA ? 0 : -EOPNOTSUPP,
		  publish(fd, 2, SZ_2M, SZ_2M));
	close(fd);
}

/*
 * The tests' binder never takes a device from the driver it has: the
 * shared test device (nvme on the test bed) stays with its driver, its
 * driver_override as it was.
 */
TEST_F(exclusive, binder_leaves_a_driven_device_alone)
{
	const char *dev = dmactl_test_dev();
	char before[64], after[64], path[PATH_MAX], ovr_before[64], ovr_after[64];

	pci_driver(dev, before, sizeof(before));
	if (!before[0] || !strcmp(before, "dmactl"))
		SKIP(return, "%s has no driver of its own", dev);
	snprintf(path, sizeof(path), PCI "/devices/%s/driver_override", dev);
	ASSERT_EQ(0, sysfs_read(path, ovr_before, sizeof(ovr_before)));
	ASSERT_EQ(-EBUSY, dmactl_bind_exclusive(dev));
	pci_driver(dev, after, sizeof(after));
	EXPECT_STREQ(before, after);
	ASSERT_EQ(0, sysfs_read(path, ovr_after, sizeof(ovr_after)));
	EXPECT_STREQ(ovr_before, ovr_after);
}

DMACTL_TEST_MAIN
