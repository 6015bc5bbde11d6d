// SPDX-License-Identifier: GPL-2.0
/*
 * One test per misuse of the two-step API that would WARN, oops or
 * silently corrupt the kernel (rules M1..M31 of the design, those that
 * apply to the core operations).  Each asserts the documented errno, that
 * the rule's rejection counter went up by exactly one, that the links
 * already in place still translate correctly, and (in teardown) that the
 * kernel gained no WARN or DIE taint and nothing leaked.
 *
 * Sizes are in pages (pg) where a test counts pages -- the oracle's, the
 * pinned ones -- and in the object's IOVA granule (g) where a rule is
 * about where links start and end; the two are one size on the test bed.
 */
#include "dmactl_test.h"

/* Both hold 16 pages, the most a test links, at any page size to 64 KiB. */
#define BUF_LEN SZ_2M
#define IOVA_LEN (1ULL << 20)
#define TO DMACTL_DIR_TO_DEVICE
#define FROM DMACTL_DIR_FROM_DEVICE

FIXTURE(misuse) {
	int fd;
	struct dmactl_attach dev;
	struct dmactl_iova_alloc ia;
	__u32 iova;
	__u32 buf;
	unsigned long taint;
};

FIXTURE_SETUP(misuse)
{
	dmactl_fixture_open_attached(self, &self->dev);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, BUF_LEN, NULL, &self->buf);
	test_cmd_iova_alloc(self->fd, IOVA_LEN, 0, DMACTL_IOVA_ALLOW_FALLBACK,
			    &self->ia);
	self->iova = self->ia.out_id;
}

FIXTURE_TEARDOWN(misuse)
{
	dmactl_fixture_close(self);
}

/* The call fails with errno @e and is counted once under @rule. */
#define expect_rejected(rule, e, expr)                                         \
	do {                                                                   \
		long __before = dmactl_rejections(rule);                       \
		ASSERT_LE(0, __before);                                        \
		ASSERT_EQ(-(e), (expr));                                       \
		EXPECT_EQ(__before + 1, dmactl_rejections(rule));              \
	} while (0)

/* Every link in place still translates to its own page, others to none. */
#define expect_intact(self)                                                    \
	do {                                                                   \
		struct dmactl_iova_verify __v;                                 \
		test_cmd_iova_verify((self)->fd, (self)->iova, 0, IOVA_LEN, &__v);    \
		EXPECT_EQ(0, __v.out_mismatches);                              \
	} while (0)

TEST_F(misuse, M1_declined_alloc_gives_no_object)
{
	struct dmactl_iova_alloc ia;

	if (self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE)
		SKIP(return, "the device has a DMA domain: try_alloc does not decline");
	/* Without the fallback there is no object to misuse at all. */
	test_err_iova_alloc(EOPNOTSUPP, self->fd, IOVA_LEN, 0, 0, &ia);
	test_err_iova_link(ENOENT, self->fd, self->iova + 1, self->buf, 0,
			   0, PAGE_SZ, TO, 0);
}

/*
 * Classic mode (a kernel without the IOVA API): every object takes the
 * dma_map_phys() fallback, even on a DMA domain, where its links are
 * IOVAs of the kernel's choosing that the oracle finds in the IOMMU's
 * page table; never ENOSPC, which would claim exhausted IOVA space.
 */
TEST_F(misuse, classic_mode_falls_back_and_still_translates)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_iova_verify v;
	struct dmactl_iova_alloc ia;

	if (self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_API)
		SKIP(return, "the kernel has the IOVA API: not classic mode");
	EXPECT_FALSE(self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE);
	EXPECT_EQ(DMACTL_PATH_FALLBACK, self->ia.out_path);
	test_err_iova_alloc(EOPNOTSUPP, self->fd, IOVA_LEN, 0, 0, &ia);
	if (self->dev.out_domain != DMACTL_DOMAIN_DMA &&
	    self->dev.out_domain != DMACTL_DOMAIN_DMA_FQ)
		SKIP(return, "no DMA domain: the fallback is dma-direct, as with the API");
	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, 16 * pg, TO, 0);
	test_cmd_iova_verify(self->fd, self->iova, 0, 16 * pg, &v);
	EXPECT_EQ(16, v.out_checked);
	EXPECT_EQ(0, v.out_mismatches);
	/* Through the page table; an IOMMU bounces only untrusted devices. */
	EXPECT_EQ(16, v.out_mapped_ok + v.out_bounced);
	/*
	 * The fallback's addresses are the kernel's to reuse once unmapped:
	 * the oracle looks at none of them after the unlink.
	 */
	test_cmd_iova_unlink(self->fd, self->iova, 0, 16 * pg, TO, 0);
	test_cmd_iova_verify(self->fd, self->iova, 0, 16 * pg, &v);
	EXPECT_EQ(16, v.out_checked);
	EXPECT_EQ(0, v.out_mapped_ok + v.out_unmapped_ok + v.out_mismatches);
}

TEST_F(misuse, M2_every_alloc_is_a_new_state)
{
	struct dmactl_iova_alloc second;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, PAGE_SZ, TO, 0);
	test_cmd_iova_alloc(self->fd, IOVA_LEN, 0, DMACTL_IOVA_ALLOW_FALLBACK,
			    &second);
	EXPECT_NE(self->iova, second.out_id);
	if (self->ia.out_path == DMACTL_PATH_IOVA)
		EXPECT_NE(self->ia.out_dma_addr, second.out_dma_addr);
	expect_intact(self);
}

TEST_F(misuse, M3_use_after_free)
{
	const __u64 pg = PAGE_SZ;

	test_cmd_iova_free(self->fd, self->iova);
	test_err_iova_free(ENOENT, self->fd, self->iova);
	test_err_iova_destroy(ENOENT, self->fd, self->iova, 0, TO, 0);
	test_err_iova_link(ENOENT, self->fd, self->iova, self->buf, 0, 0,
			   pg, TO, 0);
	test_err_iova_sync(ENOENT, self->fd, self->iova, 0, pg);
	test_err_iova_verify(ENOENT, self->fd, self->iova, 0, pg, NULL);
}

TEST_F(misuse, M3_use_after_destroy)
{
	const __u64 pg = PAGE_SZ;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, pg, TO, 0);
	test_cmd_iova_destroy(self->fd, self->iova, pg, TO, 0);
	test_err_iova_destroy(ENOENT, self->fd, self->iova, pg, TO, 0);
	test_err_iova_unlink(ENOENT, self->fd, self->iova, 0, pg, TO, 0);
}

TEST_F(misuse, M3_ids_are_per_kind)
{
	/* A buffer's ID never names an IOVA object, and the reverse. */
	test_err_iova_free(ENOENT, self->fd, self->buf);
	test_err_buf_free(ENOENT, self->fd, self->iova);
}

TEST_F(misuse, M6_zero_size_alloc)
{
	expect_rejected("M6", EINVAL, _test_cmd_iova_alloc(self->fd, 0, 0, 0, NULL));
}

TEST_F(misuse, M7_oversized_alloc)
{
	expect_rejected("M7", EINVAL,
			_test_cmd_iova_alloc(self->fd, 1ULL << 63, 0,
					     DMACTL_IOVA_ALLOW_FALLBACK, NULL));
	expect_rejected("M7", EINVAL,
			_test_cmd_iova_alloc(self->fd, ~0ULL, 0,
					     DMACTL_IOVA_ALLOW_FALLBACK, NULL));
}

/* 0x100: off the granule, whatever its size. */
TEST_F(misuse, M8_unaligned_phys_past_offset_zero)
{
	const __u64 g = self->ia.out_granule;

	expect_rejected("M8", EINVAL, _test_cmd_iova_link(self->fd, self->iova,
							  self->buf, 0x100, g,
							  g, TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M9_misaligned_iova_offset)
{
	expect_rejected("M9", EINVAL, _test_cmd_iova_link(self->fd, self->iova,
							  self->buf, 0, 0x100,
							  self->ia.out_granule,
							  TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M9_phys_offset_not_first_offset)
{
	/* IOVA byte 0 is granule-aligned; the buffer byte is not. */
	expect_rejected("M9", EINVAL, _test_cmd_iova_link(self->fd, self->iova,
							  self->buf, 0x100, 0,
							  self->ia.out_granule,
							  TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M9_first_offset_beyond_granule)
{
	expect_rejected("M9", EINVAL,
			_test_cmd_iova_alloc(self->fd, IOVA_LEN,
					     self->dev.out_granule,
					     DMACTL_IOVA_ALLOW_FALLBACK, NULL));
}

TEST_F(misuse, M10_link_past_the_end)
{
	const __u64 g = self->ia.out_granule;

	expect_rejected("M10", ERANGE, _test_cmd_iova_link(self->fd, self->iova,
							   self->buf, 0,
							   IOVA_LEN - g,
							   2 * g, TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M10_link_offset_wraps)
{
	const __u64 g = self->ia.out_granule;

	expect_rejected("M10", EOVERFLOW, _test_cmd_iova_link(self->fd, self->iova,
							      self->buf, 0,
							      ~0ULL - g + 1,
							      2 * g, TO, 0));
}

TEST_F(misuse, M11_double_link)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g, TO, 0);
	expect_rejected("M11", EEXIST, _test_cmd_iova_link(self->fd, self->iova,
							   self->buf, g, 0, g,
							   TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M11_overlapping_link)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, g, 4 * g, TO, 0);
	expect_rejected("M11", EEXIST, _test_cmd_iova_link(self->fd, self->iova,
							   self->buf, 0, 0, 2 * g,
							   TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M11_link_into_a_tail_granule)
{
	const __u64 g = self->ia.out_granule;

	/* 100 bytes at 0 map all of granule 0: nothing else may go there. */
	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, 100, TO, 0);
	expect_rejected("M9", EINVAL, _test_cmd_iova_link(self->fd, self->iova,
							  self->buf, 0, 100, 100,
							  TO, 0));
	test_cmd_iova_link(self->fd, self->iova, self->buf, g, g, g, TO, 0);
	expect_intact(self);
}

TEST_F(misuse, M12_zero_size_link)
{
	expect_rejected("M12", EINVAL, _test_cmd_iova_link(self->fd, self->iova,
							   self->buf, 0, 0, 0, TO, 0));
}

TEST_F(misuse, M13_M29_bad_direction)
{
	const __u64 pg = PAGE_SZ;

	/* dma_map_phys() BUGs on DMA_NONE: the fallback path is M29. */
	expect_rejected("M13", EINVAL, _test_cmd_iova_link(self->fd, self->iova,
							   self->buf, 0, 0, pg, 0,
							   0));
	expect_rejected("M13", EINVAL, _test_cmd_iova_link(self->fd, self->iova,
							   self->buf, 0, 0, pg, 4,
							   0));
	expect_intact(self);
}

TEST_F(misuse, M14_require_coherent_is_the_objects)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_iova_alloc ia;
	int ret;

	/* Not a link attribute the caller sets... */
	expect_rejected("M18", EOPNOTSUPP,
			_test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0,
					    pg, TO, 1 << 2));
	/* ...but a property of the object, applied to every link. */
	if (!(self->dev.out_flags & DMACTL_ATTACH_OUT_REQUIRE_COHERENT)) {
		/* A kernel without the attribute: the object cannot be had. */
		EXPECT_EQ(-EOPNOTSUPP,
			  _test_cmd_iova_alloc(self->fd, IOVA_LEN, 0,
					       DMACTL_IOVA_ALLOW_FALLBACK |
					       DMACTL_IOVA_REQUIRE_COHERENT, &ia));
		SKIP(return, "the kernel has no DMA_ATTR_REQUIRE_COHERENT");
	}
	test_cmd_iova_alloc(self->fd, IOVA_LEN, 0,
			    DMACTL_IOVA_ALLOW_FALLBACK | DMACTL_IOVA_REQUIRE_COHERENT,
			    &ia);
	ret = _test_cmd_iova_link(self->fd, ia.out_id, self->buf, 0, 0, pg, TO, 0);
	if (self->dev.out_flags & DMACTL_ATTACH_OUT_SWIOTLB) {
		EXPECT_NE(0, ret);	/* the kernel refuses to bounce it */
	} else {
		EXPECT_EQ(0, ret);
	}
}

TEST_F(misuse, M16_M18_attributes_outside_the_allowlist)
{
	int bit;

	for (bit = 2; bit < 32; bit++)
		expect_rejected("M18", EOPNOTSUPP,
				_test_cmd_iova_link(self->fd, self->iova, self->buf, 0,
						    0, PAGE_SZ, TO, 1U << bit));
}

TEST_F(misuse, M19_range_outside_the_buffer)
{
	const __u64 pg = PAGE_SZ;

	expect_rejected("M19", ERANGE, _test_cmd_iova_link(self->fd, self->iova,
							   self->buf, BUF_LEN - pg,
							   0, 2 * pg, TO, 0));
}

TEST_F(misuse, M19_buffer_freed_under_a_link)
{
	const __u64 pg = PAGE_SZ;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, pg, TO, 0);
	expect_rejected("buf_busy", EBUSY, _test_cmd_buf_free(self->fd, self->buf));
	expect_intact(self);
	test_cmd_iova_unlink(self->fd, self->iova, 0, pg, TO, 0);
	test_cmd_buf_free(self->fd, self->buf);
}

TEST_F(misuse, M19_user_memory_unmapped_under_a_link)
{
	long pinned = dmactl_counter("pinned-pages");
	const __u64 pg = PAGE_SZ;
	struct dmactl_iova_verify v;
	__u32 ubuf;
	void *mem;

	mem = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 1, 4 * pg);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, 4 * pg, mem, &ubuf);
	test_cmd_iova_link(self->fd, self->iova, ubuf, 0, 0, 4 * pg, FROM, 0);
	/* The pages stay pinned and mapped: the device cannot hit reused memory. */
	ASSERT_EQ(0, munmap(mem, 4 * pg));
	EXPECT_EQ(pinned + 4, dmactl_counter("pinned-pages"));
	test_cmd_iova_verify(self->fd, self->iova, 0, 4 * pg, &v);
	EXPECT_EQ(0, v.out_mismatches);
	EXPECT_EQ(4, v.out_mapped_ok + v.out_bounced);
}

TEST_F(misuse, M21_sync_outside_or_empty)
{
	expect_rejected("M21", ERANGE, _test_cmd_iova_sync(self->fd, self->iova, 0,
							   IOVA_LEN + PAGE_SZ));
	expect_rejected("M21", EINVAL, _test_cmd_iova_sync(self->fd, self->iova, 0, 0));
	expect_rejected("M21", EOVERFLOW, _test_cmd_iova_sync(self->fd, self->iova,
							      ~0ULL, 2));
}

TEST_F(misuse, M22_unlink_never_linked)
{
	expect_rejected("M22", ENOENT, _test_cmd_iova_unlink(self->fd, self->iova, 0,
							     PAGE_SZ, TO, 0));
}

TEST_F(misuse, M22_unlink_twice)
{
	const __u64 pg = PAGE_SZ;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, pg, TO, 0);
	test_cmd_iova_unlink(self->fd, self->iova, 0, pg, TO, 0);
	expect_rejected("M22", ENOENT, _test_cmd_iova_unlink(self->fd, self->iova, 0,
							     pg, TO, 0));
}

TEST_F(misuse, M22_unlink_across_a_hole)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g, TO, 0);
	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 2 * g, g, TO, 0);
	expect_rejected("M22", EINVAL, _test_cmd_iova_unlink(self->fd, self->iova, 0,
							     3 * g, TO, 0));
	expect_intact(self);
}

/*
 * An unlink that starts in the unlinked tail of a link's last granule
 * names no link: it must not take the link before it down too.
 */
TEST_F(misuse, M22_unlink_from_a_links_unlinked_tail)
{
	const __u64 g = self->ia.out_granule;
	struct dmactl_iova_query q;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g / 2, TO, 0);
	test_cmd_iova_link(self->fd, self->iova, self->buf, g, g, g, TO, 0);
	expect_rejected("M22", ENOENT, _test_cmd_iova_unlink(self->fd, self->iova,
							     g / 2,
							     g + g / 2, TO, 0));
	test_cmd_iova_query(self->fd, self->iova, &q, NULL, 0);
	EXPECT_EQ(2, q.out_nr_links);
	expect_intact(self);
}

/*
 * Every link but the last of a range unlinked in one call must end on a
 * granule: the kernel's granule-wise unlink (swiotlb, non-coherent
 * devices) would take a sub-granule hole for part of the link before it.
 */
TEST_F(misuse, M22_unlink_across_a_sub_granule_hole)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g / 2, TO, 0);
	test_cmd_iova_link(self->fd, self->iova, self->buf, g, g, g, TO, 0);
	expect_rejected("M22", EINVAL, _test_cmd_iova_unlink(self->fd, self->iova, 0,
							     2 * g, TO, 0));
	expect_intact(self);
	/* One at a time, each link goes. */
	test_cmd_iova_unlink(self->fd, self->iova, 0, g / 2, TO, 0);
	test_cmd_iova_unlink(self->fd, self->iova, g, g, TO, 0);
}

TEST_F(misuse, M23_unlink_splitting_a_link)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, 4 * g, TO, 0);
	/* The first half, the second half: either would split the link. */
	expect_rejected("M23", EINVAL, _test_cmd_iova_unlink(self->fd, self->iova, 0,
							     2 * g, TO, 0));
	expect_rejected("M23", EINVAL, _test_cmd_iova_unlink(self->fd, self->iova,
							     2 * g, 2 * g,
							     TO, 0));
	expect_intact(self);
	test_cmd_iova_unlink(self->fd, self->iova, 0, 4 * g, TO, 0);
}

/* Links that continue each other share a record; a link is still a link. */
TEST_F(misuse, M23_unlink_splitting_a_link_of_a_shared_record)
{
	const __u64 g = self->ia.out_granule;
	struct dmactl_iova_query q;
	int k;

	for (k = 0; k < 4; k++)
		test_cmd_iova_link(self->fd, self->iova, self->buf, k * 2 * g,
				   k * 2 * g, 2 * g, TO, 0);
	test_cmd_iova_query(self->fd, self->iova, &q, NULL, 0);
	EXPECT_EQ(4, q.out_nr_links);
	EXPECT_EQ(q.out_path == DMACTL_PATH_IOVA ? 1 : 4, q.out_nr_records);
	expect_rejected("M23", EINVAL, _test_cmd_iova_unlink(self->fd, self->iova,
							     2 * g, g, TO, 0));
	expect_rejected("M23", EINVAL, _test_cmd_iova_unlink(self->fd, self->iova,
							     g, 2 * g, TO, 0));
	expect_rejected("M23", EINVAL, _test_cmd_iova_unlink(self->fd, self->iova,
							     2 * g, 5 * g,
							     TO, 0));
	expect_intact(self);
	test_cmd_iova_destroy(self->fd, self->iova, 8 * g, TO, 0);
}

/*
 * Unlinking links out of the middle of a shared record splits it: the
 * rest stays mapped, each link still reported and unlinked on its own.
 */
TEST_F(misuse, shared_records_split_on_unlink)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_link_info info[16];
	struct dmactl_iova_verify v;
	struct dmactl_iova_query q;
	bool iova_path;
	int k;

	for (k = 0; k < 16; k++)
		test_cmd_iova_link(self->fd, self->iova, self->buf, k * pg,
				   k * pg, pg, TO, 0);
	test_cmd_iova_query(self->fd, self->iova, &q, info, 16);
	iova_path = q.out_path == DMACTL_PATH_IOVA;
	EXPECT_EQ(16, q.out_nr_links);
	EXPECT_EQ(iova_path ? 1 : 16, q.out_nr_records);
	for (k = 0; k < 16; k++) {
		EXPECT_EQ(k * pg, info[k].iova_offset);
		EXPECT_EQ(k * pg, info[k].buf_offset);
		EXPECT_EQ(pg, info[k].length);
	}

	test_cmd_iova_unlink(self->fd, self->iova, 4 * pg, 4 * pg, TO, 0);
	test_cmd_iova_query(self->fd, self->iova, &q, NULL, 0);
	EXPECT_EQ(12, q.out_nr_links);
	EXPECT_EQ(iova_path ? 2 : 12, q.out_nr_records);
	test_cmd_iova_verify(self->fd, self->iova, 0, 16 * pg, &v);
	EXPECT_EQ(12, v.out_mapped_ok + v.out_bounced);
	/* Only an IOMMU can say that an unlinked page translates to nothing. */
	EXPECT_EQ(iova_path ? 4 : 0, v.out_unmapped_ok);
	EXPECT_EQ(0, v.out_mismatches);

	/* One link back in the hole; then every piece unlinked on its own. */
	test_cmd_iova_link(self->fd, self->iova, self->buf, 5 * pg, 5 * pg,
			   pg, TO, 0);
	test_cmd_iova_unlink(self->fd, self->iova, 0, 4 * pg, TO, 0);
	test_cmd_iova_unlink(self->fd, self->iova, 5 * pg, pg, TO, 0);
	test_cmd_iova_unlink(self->fd, self->iova, 12 * pg, 4 * pg, TO, 0);
	test_cmd_iova_unlink(self->fd, self->iova, 8 * pg, 4 * pg, TO, 0);
	test_cmd_iova_query(self->fd, self->iova, &q, NULL, 0);
	EXPECT_EQ(0, q.out_nr_links);
	EXPECT_EQ(0, q.out_nr_records);
	EXPECT_EQ(0, q.out_linked_bytes);
	test_cmd_iova_verify(self->fd, self->iova, 0, 16 * pg, &v);
	EXPECT_EQ(iova_path ? 16 : 0, v.out_unmapped_ok);
	EXPECT_EQ(0, v.out_mapped_ok);
}

TEST_F(misuse, M24_unlink_with_other_dir_or_attrs)
{
	const __u64 pg = PAGE_SZ;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, pg, TO, 0);
	expect_rejected("M24", EINVAL, _test_cmd_iova_unlink(self->fd, self->iova, 0,
							     pg, FROM, 0));
	expect_rejected("M24", EINVAL,
			_test_cmd_iova_unlink(self->fd, self->iova, 0, pg, TO,
					      DMACTL_ATTR_SKIP_CPU_SYNC));
	expect_intact(self);
}

TEST_F(misuse, M26_destroy_over_holes)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g, TO, 0);
	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 2 * g, g, TO, 0);
	expect_rejected("M26", EINVAL, _test_cmd_iova_destroy(self->fd, self->iova,
							      3 * g, TO, 0));
	expect_intact(self);
}

/* dma_iova_destroy() unlinks [0, len) in one call: as M22 above. */
TEST_F(misuse, M26_destroy_over_a_sub_granule_hole)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g / 2, TO, 0);
	test_cmd_iova_link(self->fd, self->iova, self->buf, g, g, g, TO, 0);
	expect_rejected("M26", EINVAL, _test_cmd_iova_destroy(self->fd, self->iova,
							      2 * g, TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M26_destroy_with_links_beyond)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g, TO, 0);
	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 2 * g, g, TO, 0);
	expect_rejected("M26", EINVAL, _test_cmd_iova_destroy(self->fd, self->iova,
							      g, TO, 0));
	expect_rejected("M26", EINVAL, _test_cmd_iova_destroy(self->fd, self->iova,
							      0, TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M27_destroy_over_mixed_directions)
{
	const __u64 g = self->ia.out_granule;

	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g, TO, 0);
	test_cmd_iova_link(self->fd, self->iova, self->buf, g, g, g, FROM, 0);
	expect_rejected("M27", EINVAL, _test_cmd_iova_destroy(self->fd, self->iova,
							      2 * g, TO, 0));
	expect_intact(self);
	/* Unlinking link by link, each with its own direction, works. */
	test_cmd_iova_unlink(self->fd, self->iova, 0, g, TO, 0);
	test_cmd_iova_unlink(self->fd, self->iova, g, g, FROM, 0);
	test_cmd_iova_free(self->fd, self->iova);
}

/*
 * LINK's errors come in the order its kernel-doc gives, when a request is
 * wrong in two ways: the IOVA offset's alignment before the buffer range,
 * the buffer range before the physical alignment it decides, that before
 * the IOVA range.  512 bytes is off the granule at every size.
 */
TEST_F(misuse, link_errors_in_the_documented_order)
{
	const __u64 g = self->ia.out_granule;

	/* Misaligned IOVA offset and past the buffer: EINVAL (M9) first. */
	expect_rejected("M9", EINVAL, _test_cmd_iova_link(self->fd, self->iova, self->buf,
							  BUF_LEN, 512, g, TO, 0));
	/* Past the buffer and a misaligned buffer address: ERANGE (M19). */
	expect_rejected("M19", ERANGE, _test_cmd_iova_link(self->fd, self->iova, self->buf,
							   BUF_LEN - 512, g, g, TO, 0));
	/* A misaligned buffer address and past the IOVA space: EINVAL (M8). */
	expect_rejected("M8", EINVAL, _test_cmd_iova_link(self->fd, self->iova, self->buf,
							  512, IOVA_LEN, g, TO, 0));
	/* Past the IOVA space and over a link: ERANGE (M10). */
	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, g, TO, 0);
	expect_rejected("M10", ERANGE, _test_cmd_iova_link(self->fd, self->iova, self->buf,
							   0, 0, IOVA_LEN + g, TO, 0));
	expect_intact(self);
}

TEST_F(misuse, M28_free_with_live_links)
{
	test_cmd_iova_link(self->fd, self->iova, self->buf, 0, 0, PAGE_SZ, TO, 0);
	expect_rejected("M28", EBUSY, _test_cmd_iova_free(self->fd, self->iova));
	expect_intact(self);
}

DMACTL_TEST_MAIN
