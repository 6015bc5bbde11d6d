// SPDX-License-Identifier: GPL-2.0
/*
 * Untrusted devices: a PCI device below an external-facing port (a
 * Thunderbolt or USB4 port on real machines; the untrusted profile's
 * root ports here) must never reach memory it was not given, so for it
 * dma_iova_link() maps only whole IOVA granules of the caller's memory
 * and bounces a link's partial first and last granule through swiotlb
 * (iommu_dma_iova_link_swiotlb()); dma_iova_unlink() and
 * dma_iova_destroy() then take the slow path that gives the slots back
 * (iommu_dma_iova_unlink_range_slow()).  This is where the 2026 fix "Do
 * not try to iommu_map a 0 length region in swiotlb" lived.
 *
 * Each test links heads and tails off the granule, asserts what the
 * oracle finds page by page (bounced, mapped, unmapped), that the swiotlb
 * slots in use go up while linked and back to exactly where they were,
 * and, with the edu, that data moves through the slots both ways.  On a
 * trusted device (every other profile) the tests skip, but the first
 * checks that the module's report agrees with sysfs either way.
 */
#include "dmactl_test.h"

#define BUF_LEN SZ_2M
#define IOVA_LEN (1ULL << 20)
#define OFF0 256	/* a head off the granule at any page size */
#define TO DMACTL_DIR_TO_DEVICE
#define FROM DMACTL_DIR_FROM_DEVICE
#define SWIOTLB_USED "/sys/kernel/debug/swiotlb/io_tlb_used"

/* Is @bdf below an external-facing port, as sysfs says? */
static bool pci_removable(const char *bdf)
{
	char path[256], val[32] = "";

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/removable", bdf);
	return !sysfs_read(path, val, sizeof(val)) && !strncmp(val, "removable", 9);
}

FIXTURE(untrusted) {
	int fd;
	struct dmactl_attach dev;
	__u32 buf;
	__u64 g;
	unsigned long taint;
};

FIXTURE_SETUP(untrusted)
{
	dmactl_fixture_open_attached(self, &self->dev);
	self->g = self->dev.out_granule;
	if (!(self->dev.out_flags & DMACTL_ATTACH_OUT_UNTRUSTED))
		return;
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, BUF_LEN, NULL, &self->buf);
	test_cmd_buf_fill(self->fd, self->buf, 0, BUF_LEN, 7);
}

FIXTURE_TEARDOWN(untrusted)
{
	dmactl_fixture_close(self);
}

#define need_untrusted(self)                                                   \
	do {                                                                   \
		if (!((self)->dev.out_flags & DMACTL_ATTACH_OUT_UNTRUSTED))    \
			SKIP(return, "%s is a trusted device",                 \
			     dmactl_test_dev());                               \
		if (!((self)->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE))  \
			SKIP(return, "no DMA domain: nothing links");          \
		if (sysfs_read_ll(SWIOTLB_USED) < 0)                           \
			SKIP(return, "no %s (debugfs)", SWIOTLB_USED);         \
	} while (0)

/* The module's report and sysfs agree, on every machine. */
TEST_F(untrusted, untrusted_device_is_reported)
{
	bool flag = self->dev.out_flags & DMACTL_ATTACH_OUT_UNTRUSTED;

	EXPECT_EQ(pci_removable(dmactl_test_dev()), flag);
	if (flag) {
		/* The IOMMU keeps an untrusted device strict. */
		EXPECT_EQ(DMACTL_DOMAIN_DMA, self->dev.out_domain);
	}
}

/*
 * Link @len bytes from buffer offset @boff at IOVA offset 0 of a new
 * object whose first byte has @off0 in its granule; verify; returns the
 * object.
 */
static __u32 link_one(struct __test_metadata *_metadata,
		      FIXTURE_DATA(untrusted) *self, __u64 off0, __u64 boff,
		      __u64 len, __u32 dir, struct dmactl_iova_verify *v)
{
	struct dmactl_iova_alloc ia;

	test_cmd_iova_alloc(self->fd, IOVA_LEN, off0, 0, &ia);
	EXPECT_EQ(DMACTL_PATH_IOVA, ia.out_path);
	test_cmd_iova_link(self->fd, ia.out_id, self->buf, boff, 0, len, dir, 0);
	test_cmd_iova_sync(self->fd, ia.out_id, 0, len);
	test_cmd_iova_verify(self->fd, ia.out_id, 0, len, v);
	EXPECT_EQ(0, v->out_mismatches) {
		TH_LOG("first mismatch at IOVA offset %#llx",
		       (unsigned long long)v->out_first_mismatch);
	}
	return ia.out_id;
}

/* QUERY's flags say the link bounced. */
static bool link_bounced(struct __test_metadata *_metadata, int fd, __u32 iova)
{
	struct dmactl_iova_query q;

	test_cmd_iova_query(fd, iova, &q, NULL, 0);
	return q.out_flags & DMACTL_LINK_SWIOTLB;
}

/* A link inside one granule, off its start: all of it is one bounce. */
TEST_F(untrusted, sub_granule_link_bounces)
{
	struct dmactl_iova_verify v;
	long long before, linked;
	__u32 iova;

	need_untrusted(self);
	before = sysfs_read_ll(SWIOTLB_USED);
	iova = link_one(_metadata, self, OFF0, OFF0, 512, TO, &v);
	linked = sysfs_read_ll(SWIOTLB_USED);
	EXPECT_EQ(1, v.out_bounced);
	EXPECT_EQ(0, v.out_mapped_ok);
	EXPECT_TRUE(link_bounced(_metadata, self->fd, iova));
	EXPECT_LT(before, linked);

	test_cmd_iova_unlink(self->fd, iova, 0, 512, TO, 0);
	test_cmd_iova_verify(self->fd, iova, 0, 512, &v);
	EXPECT_EQ(1, v.out_unmapped_ok);
	EXPECT_EQ(0, v.out_mismatches);
	EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
	test_cmd_iova_free(self->fd, iova);
}

/*
 * Off the granule at both ends: the partial head and tail granules bounce,
 * the whole granules between are the caller's own pages.
 */
TEST_F(untrusted, head_and_tail_bounce_middle_is_direct)
{
	__u64 len = 3 * self->g;	/* head g - 256, 2 granules, tail 256 */
	struct dmactl_iova_verify v;
	long long before;
	__u32 iova;

	need_untrusted(self);
	before = sysfs_read_ll(SWIOTLB_USED);
	iova = link_one(_metadata, self, OFF0, OFF0, len, FROM, &v);
	EXPECT_EQ(2, v.out_bounced);
	EXPECT_EQ(2 * self->g / PAGE_SZ, v.out_mapped_ok);
	EXPECT_TRUE(link_bounced(_metadata, self->fd, iova));
	EXPECT_LT(before, sysfs_read_ll(SWIOTLB_USED));

	test_cmd_iova_unlink(self->fd, iova, 0, len, FROM, 0);
	test_cmd_iova_verify(self->fd, iova, 0, len, &v);
	EXPECT_EQ(0, v.out_mismatches);
	EXPECT_EQ(0, v.out_mapped_ok + v.out_bounced);
	EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
	test_cmd_iova_free(self->fd, iova);
}

/*
 * Off the granule at both ends with nothing whole between: a head of
 * g - 256 bytes and a tail of 256 in the next granule.  The aligned middle
 * is 0 bytes long, which the kernel must not map (a map of 0 bytes fails
 * on VT-d's and AMD-Vi's page tables: the fix "iommu/dma: Do not try to
 * iommu_map a 0 length region in swiotlb", mutant 01).
 */
TEST_F(untrusted, head_and_tail_with_nothing_between)
{
	struct dmactl_iova_verify v;
	long long before;
	__u32 iova;

	need_untrusted(self);
	before = sysfs_read_ll(SWIOTLB_USED);
	iova = link_one(_metadata, self, OFF0, OFF0, self->g, TO, &v);
	EXPECT_EQ(2, v.out_bounced);
	EXPECT_EQ(0, v.out_mapped_ok);
	test_cmd_iova_destroy(self->fd, iova, self->g, TO, 0);
	EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
}

/* Only a tail off the granule: the head is the caller's own page. */
TEST_F(untrusted, only_the_tail_bounces)
{
	__u64 len = self->g + 100;
	struct dmactl_iova_verify v;
	long long before;
	__u32 iova;

	need_untrusted(self);
	before = sysfs_read_ll(SWIOTLB_USED);
	iova = link_one(_metadata, self, 0, 0, len, TO, &v);
	EXPECT_EQ(1, v.out_bounced);
	EXPECT_EQ(self->g / PAGE_SZ, v.out_mapped_ok);
	test_cmd_iova_unlink(self->fd, iova, 0, len, TO, 0);
	EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
	test_cmd_iova_free(self->fd, iova);
}

/* Whole granules: nothing bounces, untrusted or not. */
TEST_F(untrusted, aligned_link_does_not_bounce)
{
	struct dmactl_iova_verify v;
	long long before;
	__u32 iova;

	need_untrusted(self);
	before = sysfs_read_ll(SWIOTLB_USED);
	iova = link_one(_metadata, self, 0, 0, 4 * self->g, TO, &v);
	EXPECT_EQ(0, v.out_bounced);
	EXPECT_EQ(4 * self->g / PAGE_SZ, v.out_mapped_ok);
	EXPECT_FALSE(link_bounced(_metadata, self->fd, iova));
	EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
	test_cmd_iova_destroy(self->fd, iova, 4 * self->g, TO, 0);
}

/*
 * Bounced links, then dma_iova_destroy() over all of them: its slow
 * unlink walks every granule and gives each slot back.  Three links: a
 * bounced head, whole granules, a bounced tail.
 */
TEST_F(untrusted, destroy_gives_every_slot_back)
{
	__u64 head = self->g - OFF0, mid = 2 * self->g, tail = 300;
	struct dmactl_iova_alloc ia;
	struct dmactl_iova_verify v;
	long long before;

	need_untrusted(self);
	before = sysfs_read_ll(SWIOTLB_USED);
	test_cmd_iova_alloc(self->fd, IOVA_LEN, OFF0, 0, &ia);
	test_cmd_iova_link(self->fd, ia.out_id, self->buf, OFF0, 0, head, TO, 0);
	test_cmd_iova_link(self->fd, ia.out_id, self->buf, self->g, head, mid,
			   TO, 0);
	test_cmd_iova_link(self->fd, ia.out_id, self->buf, 3 * self->g,
			   head + mid, tail, TO, 0);
	test_cmd_iova_sync(self->fd, ia.out_id, 0, head + mid + tail);
	test_cmd_iova_verify(self->fd, ia.out_id, 0, head + mid + tail, &v);
	EXPECT_EQ(0, v.out_mismatches);
	EXPECT_EQ(2, v.out_bounced);
	EXPECT_EQ(mid / PAGE_SZ, v.out_mapped_ok);
	EXPECT_LT(before, sysfs_read_ll(SWIOTLB_USED));

	test_cmd_iova_destroy(self->fd, ia.out_id, head + mid + tail, TO, 0);
	EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
	test_err_iova_query(ENOENT, self->fd, ia.out_id, NULL, NULL, 0);
}

/* Unlinking before the sync, and the file closed with bounced links. */
TEST_F(untrusted, close_with_bounced_links_releases_them)
{
	struct dmactl_iova_alloc ia;
	long long before;
	int i;

	need_untrusted(self);
	before = sysfs_read_ll(SWIOTLB_USED);
	for (i = 0; i < 8; i++) {
		test_cmd_iova_alloc(self->fd, IOVA_LEN, OFF0, 0, &ia);
		test_cmd_iova_link(self->fd, ia.out_id, self->buf,
				   i * self->g + OFF0, 0, self->g, TO, 0);
	}
	EXPECT_LT(before, sysfs_read_ll(SWIOTLB_USED));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
	EXPECT_EQ(0, dmactl_counter("live-iovas"));
}

/*
 * The edu, untrusted too, copies between two objects of @len bytes whose
 * first byte has @off0 in its granule: it reads the source's bounce slots
 * (filled at link time) and pages, writes the destination's, and the
 * unlink copies the destination's slots back into its buffer.  Returns
 * the first link's errno (0 when the copy ran).
 */
static int edu_copy(struct __test_metadata *_metadata,
		    FIXTURE_DATA(untrusted) *self, __u64 off0, __u64 len)
{
	const char *edu = dmactl_test_excl_dev();
	__u32 sbuf, dbuf, around_lo, around_hi;
	struct dmactl_iova_alloc src, dst;
	struct dmactl_attach a;
	struct dmactl_copy out;
	long long before;
	int fd, ret;

	fd = open(DMACTL_DEVICE, O_RDWR);
	if (fd < 0)
		return -errno;
	if (_test_cmd_attach(fd, edu, &a) ||
	    !(a.out_flags & DMACTL_ATTACH_OUT_UNTRUSTED)) {
		close(fd);
		return -ENODEV;
	}
	before = sysfs_read_ll(SWIOTLB_USED);
	test_cmd_buf_alloc(fd, DMACTL_BUF_KERNEL, 0, BUF_LEN, NULL, &sbuf);
	test_cmd_buf_alloc(fd, DMACTL_BUF_KERNEL, 0, BUF_LEN, NULL, &dbuf);
	test_cmd_buf_fill(fd, sbuf, 0, BUF_LEN, 11);
	test_cmd_buf_fill(fd, dbuf, 0, BUF_LEN, 12);
	around_lo = dmactl_buf_crc(fd, dbuf, 0, off0);
	around_hi = dmactl_buf_crc(fd, dbuf, off0 + len, self->g);
	test_cmd_iova_alloc(fd, IOVA_LEN, off0, 0, &src);
	test_cmd_iova_alloc(fd, IOVA_LEN, off0, 0, &dst);
	ret = _test_cmd_iova_link(fd, src.out_id, sbuf, off0, 0, len, TO, 0);
	if (ret) {
		close(fd);
		EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
		return ret;
	}
	test_cmd_iova_link(fd, dst.out_id, dbuf, off0, 0, len, FROM, 0);
	test_cmd_iova_sync(fd, src.out_id, 0, len);
	test_cmd_iova_sync(fd, dst.out_id, 0, len);
	EXPECT_TRUE(link_bounced(_metadata, fd, src.out_id));
	EXPECT_TRUE(link_bounced(_metadata, fd, dst.out_id));

	test_cmd_copy(fd, src.out_id, 0, dst.out_id, 0, len, 0, &out);
	EXPECT_EQ(DMACTL_ENGINE_EDU, out.out_engine);
	EXPECT_EQ(0, out.out_guard_damage);
	/* The data is in the buffer once the unlink bounced it back. */
	test_cmd_iova_unlink(fd, dst.out_id, 0, len, FROM, 0);
	test_cmd_iova_unlink(fd, src.out_id, 0, len, TO, 0);
	EXPECT_EQ(dmactl_buf_crc(fd, sbuf, off0, len), dmactl_buf_crc(fd, dbuf, off0, len));
	EXPECT_NE(dmactl_buf_crc(fd, sbuf, 0, BUF_LEN), dmactl_buf_crc(fd, dbuf, 0, BUF_LEN));
	/* And nothing around it changed. */
	EXPECT_EQ(around_lo, dmactl_buf_crc(fd, dbuf, 0, off0));
	EXPECT_EQ(around_hi, dmactl_buf_crc(fd, dbuf, off0 + len, self->g));
	EXPECT_EQ(before, sysfs_read_ll(SWIOTLB_USED));
	close(fd);
	return 0;
}

#define need_edu(self)                                                         \
	do {                                                                   \
		const char *__edu = dmactl_test_excl_dev();                    \
		need_untrusted(self);                                          \
		if (!__edu || dmactl_bind_exclusive(__edu) ||                  \
		    !wait_driver(__edu, "dmactl"))                             \
			SKIP(return, "no edu to bind to dmactl "               \
			     "(DMACTL_SELFTESTS_EXCL_DEV)");                   \
	} while (0)

/* Whole granules, then a tail of 300 bytes: one bounce per object. */
TEST_F_TIMEOUT(untrusted, edu_moves_data_through_a_bounced_tail, 120)
{
	int ret;

	need_edu(self);
	ret = edu_copy(_metadata, self, 0, 2 * self->g + 300);
	dmactl_unbind_exclusive(dmactl_test_excl_dev(), false);
	if (ret == -ENODEV)
		SKIP(return, "the edu is trusted here");
	EXPECT_EQ(0, ret);
}

/*
 * A head off the granule too.  A known kernel bug (7.3): for the head,
 * iommu_dma_iova_bounce_and_link() maps the slot at bounce_phys -
 * iova_start_pad, assuming swiotlb kept the buffer's offset in its
 * granule; swiotlb keeps it only under the device's dma_min_align_mask
 * (nvme sets one, the edu and most drivers none), so the physical address
 * it maps is off the granule.  VT-d's page table (generic_pt) refuses it
 * with ENXIO (iommu_map()'s own check, on other page tables, with EINVAL),
 * so every such link fails; a page table that masked the low bits would
 * give the device the granule before the slot.  XFAIL when the link is
 * refused so; pass where the kernel is fixed.
 */
TEST_F_TIMEOUT(untrusted, edu_moves_data_through_bounced_head_and_tail, 120)
{
	int ret;

	need_edu(self);
	ret = edu_copy(_metadata, self, OFF0, 2 * self->g + 2 * (self->g - OFF0));
	dmactl_unbind_exclusive(dmactl_test_excl_dev(), false);
	if (ret == -ENODEV)
		SKIP(return, "the edu is trusted here");
	if (ret == -ENXIO || ret == -EINVAL) {
		printf("# XFAIL a known kernel bug refused the link (%s: the bounce slot of a head off the granule is mapped off the granule; see the test's comment)\n",
		       strerrorname_np(-ret));
		return;
	}
	EXPECT_EQ(0, ret);
}

DMACTL_TEST_MAIN
