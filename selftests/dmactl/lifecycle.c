// SPDX-License-Identifier: GPL-2.0
/*
 * The two-step lifecycle over the test matrix: memory kind x direction x
 * link pattern.  Each run allocates IOVA space (or takes the fallback
 * where the device has no DMA domain), links a 2 MiB buffer in the
 * pattern, syncs, asks the translation oracle whether every linked page
 * translates to its own buffer page and every other page to nothing,
 * unlinks (or destroys), asks again, and checks that nothing leaked and
 * the kernel gained no WARN or DIE taint.
 */
#include "dmactl_test.h"

/* 512 pages of 4 KiB, 128 of 16 KiB, 32 of 64 KiB. */
#define BUF_LEN SZ_2M
#define NR_PAGES (BUF_LEN / PAGE_SZ)
/* First-granule offset of the "first_offset" pattern: below any granule. */
#define OFF0 256

enum pattern { PAT_ONE, PAT_PER_PAGE, PAT_FIRST_OFFSET, PAT_SPARSE };

FIXTURE(lifecycle) {
	int fd;
	struct dmactl_attach dev;
	struct dmactl_mem mem;
	__u32 buf;
	unsigned long taint;
};

FIXTURE_VARIANT(lifecycle) {
	enum dmactl_mem_kind mem;
	__u32 dir;
	enum pattern pattern;
};

#define LIFECYCLE_VARIANT(_mem, _dir, _pat)                                   \
	FIXTURE_VARIANT_ADD(lifecycle, _mem##_##_dir##_##_pat) {               \
		.mem = MEM_##_mem, .dir = DMACTL_DIR_##_dir,                   \
		.pattern = PAT_##_pat,                                         \
	}

#define LIFECYCLE_PATTERNS(_mem, _dir)                                        \
	LIFECYCLE_VARIANT(_mem, _dir, ONE);                                    \
	LIFECYCLE_VARIANT(_mem, _dir, PER_PAGE);                               \
	LIFECYCLE_VARIANT(_mem, _dir, FIRST_OFFSET);                           \
	LIFECYCLE_VARIANT(_mem, _dir, SPARSE)

#define LIFECYCLE_DIRS(_mem)                                                  \
	LIFECYCLE_PATTERNS(_mem, TO_DEVICE);                                   \
	LIFECYCLE_PATTERNS(_mem, FROM_DEVICE);                                 \
	LIFECYCLE_PATTERNS(_mem, BIDIRECTIONAL)

LIFECYCLE_DIRS(KERNEL_0);
LIFECYCLE_DIRS(KERNEL_9);
LIFECYCLE_DIRS(USER_ANON);
LIFECYCLE_DIRS(USER_THP);

FIXTURE_SETUP(lifecycle)
{
	int ret;

	dmactl_fixture_open_attached(self, &self->dev);
	ret = dmactl_mem_make(self->fd, variant->mem, false, &self->mem);
	ASSERT_NE(-ENOMEM, ret);	/* the user kinds' memory is mapped */
	ASSERT_EQ(0, ret);
	self->buf = self->mem.id;
	test_cmd_buf_fill(self->fd, self->buf, 0, BUF_LEN, 42);
}

FIXTURE_TEARDOWN(lifecycle)
{
	close(self->fd);
	dmactl_mem_drop(-1, &self->mem);
	dmactl_teardown_check(self->taint);
}

/*
 * Link the buffer in the variant's pattern, on a device whose IOVA
 * granule is @g.  Returns the number of links and sets *linked_pages and
 * *mapped_len (the end of the last link).
 */
static int link_pattern(struct __test_metadata *_metadata, int fd,
			const FIXTURE_VARIANT(lifecycle) *variant, __u64 g,
			__u32 iova, __u32 buf, unsigned long *linked_pages,
			__u64 *mapped_len)
{
	const __u64 pg = PAGE_SZ;
	int i, n = 0;

	switch (variant->pattern) {
	case PAT_ONE:
		EXPECT_EQ(0, _test_cmd_iova_link(fd, iova, buf, 0, 0, BUF_LEN,
						 variant->dir, 0));
		n = 1;
		*linked_pages = NR_PAGES;
		*mapped_len = BUF_LEN;
		break;
	case PAT_PER_PAGE:
		for (i = 0; i < NR_PAGES; i++, n++)
			if (_test_cmd_iova_link(fd, iova, buf, i * pg, i * pg,
						pg, variant->dir, 0))
				break;
		EXPECT_EQ(NR_PAGES, n);
		*linked_pages = NR_PAGES;
		*mapped_len = BUF_LEN;
		break;
	case PAT_FIRST_OFFSET:
		/*
		 * IOVA byte 0 sits at OFF0 in its granule, as the buffer's;
		 * the second link starts on the next granule.
		 */
		EXPECT_EQ(0, _test_cmd_iova_link(fd, iova, buf, OFF0, 0, g - OFF0,
						 variant->dir, 0));
		EXPECT_EQ(0, _test_cmd_iova_link(fd, iova, buf, g, g - OFF0,
						 BUF_LEN - g, variant->dir, 0));
		n = 2;
		*linked_pages = NR_PAGES;
		*mapped_len = BUF_LEN - OFF0;
		break;
	case PAT_SPARSE:
		/* Every other page, each at its own offset: holes between. */
		for (i = 0; i < NR_PAGES; i += 2, n++)
			if (_test_cmd_iova_link(fd, iova, buf, i * pg, i * pg,
						pg, variant->dir, 0))
				break;
		EXPECT_EQ(NR_PAGES / 2, n);
		*linked_pages = NR_PAGES / 2;
		*mapped_len = (NR_PAGES - 1) * pg;
		break;
	}
	return n;
}

static __u64 iova_length(const FIXTURE_VARIANT(lifecycle) *variant)
{
	return variant->pattern == PAT_FIRST_OFFSET ? BUF_LEN - OFF0 : BUF_LEN;
}

/* Map in the pattern, sync, and check the oracle and the query. */
static void map_and_verify(struct __test_metadata *_metadata,
			   FIXTURE_DATA(lifecycle) *self,
			   const FIXTURE_VARIANT(lifecycle) *variant,
			   struct dmactl_iova_alloc *ia, int *nr_links,
			   __u64 *mapped_len)
{
	bool iommu = self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE;
	__u64 len = iova_length(variant);
	struct dmactl_iova_verify v;
	struct dmactl_iova_query q;
	unsigned long linked_pages = 0;

	test_cmd_iova_alloc(self->fd, len,
			    variant->pattern == PAT_FIRST_OFFSET ? OFF0 : 0,
			    DMACTL_IOVA_ALLOW_FALLBACK, ia);
	ASSERT_EQ(iommu ? DMACTL_PATH_IOVA : DMACTL_PATH_FALLBACK, ia->out_path);

	*nr_links = link_pattern(_metadata, self->fd, variant,
				 self->dev.out_granule, ia->out_id,
				 self->buf, &linked_pages, mapped_len);
	test_cmd_iova_sync(self->fd, ia->out_id, 0, len);

	test_cmd_iova_query(self->fd, ia->out_id, &q, NULL, 0);
	EXPECT_EQ(*nr_links, q.out_nr_links);
	EXPECT_EQ(ia->out_path, q.out_path);
	EXPECT_EQ(variant->pattern == PAT_SPARSE ? BUF_LEN / 2 : len,
		  q.out_linked_bytes);

	test_cmd_iova_verify(self->fd, ia->out_id, 0, len, &v);
	EXPECT_EQ(0, v.out_mismatches) {
		TH_LOG("first mismatch at IOVA offset %#llx",
		       (unsigned long long)v.out_first_mismatch);
	}
	if (iommu) {
		/*
		 * An untrusted device's partial first granule (the
		 * first-offset pattern) is bounced through swiotlb; nothing
		 * else bounces on the IOVA path.
		 */
		EXPECT_EQ((self->dev.out_flags & DMACTL_ATTACH_OUT_UNTRUSTED) &&
			  variant->pattern == PAT_FIRST_OFFSET ? 1 : 0,
			  v.out_bounced);
		EXPECT_EQ(linked_pages, v.out_mapped_ok + v.out_bounced);
		EXPECT_EQ(variant->pattern == PAT_SPARSE ? NR_PAGES / 2 : 0,
			  v.out_unmapped_ok);
	} else if (self->dev.out_flags & DMACTL_ATTACH_OUT_SWIOTLB) {
		/* swiotlb=force: every page bounces, and QUERY says so. */
		EXPECT_EQ(linked_pages, v.out_bounced);
		EXPECT_TRUE(q.out_flags & DMACTL_LINK_SWIOTLB);
	} else {
		/* dma-direct: DMA address = phys_to_dma(), no bounce. */
		EXPECT_EQ(linked_pages, v.out_mapped_ok);
		EXPECT_EQ(0, v.out_bounced);
	}
}

/* After everything is unlinked the oracle must find nothing mapped. */
static void expect_all_unmapped(struct __test_metadata *_metadata, int fd,
				struct dmactl_iova_alloc *ia, __u64 len,
				bool iommu)
{
	struct dmactl_iova_verify v;

	test_cmd_iova_verify(fd, ia->out_id, 0, len, &v);
	EXPECT_EQ(0, v.out_mismatches);
	EXPECT_EQ(0, v.out_mapped_ok);
	if (iommu)
		EXPECT_EQ(v.out_checked, v.out_unmapped_ok);
}

TEST_F(lifecycle, link_sync_verify_unlink_free)
{
	bool iommu = self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE;
	__u64 len = iova_length(variant), mapped_len;
	struct dmactl_link_info *links;
	struct dmactl_iova_query q;
	struct dmactl_iova_alloc ia;
	int nr_links, i;

	map_and_verify(_metadata, self, variant, &ia, &nr_links, &mapped_len);

	/* Unlink link by link, as QUERY lists them, with their own dir. */
	links = calloc(nr_links, sizeof(*links));
	ASSERT_NE(NULL, links);
	test_cmd_iova_query(self->fd, ia.out_id, &q, links, nr_links);
	for (i = 0; i < nr_links; i++) {
		EXPECT_TRUE(links[i].flags & DMACTL_LINK_SYNCED);
		EXPECT_EQ(variant->dir, links[i].dir);
		test_cmd_iova_unlink(self->fd, ia.out_id, links[i].iova_offset,
				     links[i].length, links[i].dir, links[i].attrs);
	}
	free(links);
	expect_all_unmapped(_metadata, self->fd, &ia, len, iommu);
	test_cmd_iova_free(self->fd, ia.out_id);
	test_err_iova_free(ENOENT, self->fd, ia.out_id);
	test_cmd_buf_free(self->fd, self->buf);
}

TEST_F(lifecycle, link_sync_verify_destroy)
{
	struct dmactl_iova_alloc ia;
	__u64 mapped_len;
	int nr_links;

	map_and_verify(_metadata, self, variant, &ia, &nr_links, &mapped_len);
	if (variant->pattern == PAT_SPARSE) {
		/* Holes: dma_iova_destroy() would WARN; refused (M26). */
		test_err_iova_destroy(EINVAL, self->fd, ia.out_id,
				      mapped_len, variant->dir, 0);
		return;	/* release() cleans up; teardown checks it did */
	}
	test_cmd_iova_destroy(self->fd, ia.out_id, mapped_len, variant->dir, 0);
	test_err_iova_verify(ENOENT, self->fd, ia.out_id, 0, PAGE_SZ, NULL);
	test_cmd_buf_free(self->fd, self->buf);
}

TEST_F(lifecycle, release_cleans_up_live_links)
{
	struct dmactl_iova_alloc ia;
	__u64 mapped_len;
	int nr_links;

	map_and_verify(_metadata, self, variant, &ia, &nr_links, &mapped_len);
	EXPECT_EQ(nr_links, dmactl_counter("live-links"));
	/* Teardown closes the fd with everything live and checks counters. */
}

DMACTL_FILE_FIXTURE(granules);

/*
 * A link that starts inside a granule and ends inside a later one maps
 * every granule it touches, and unlinking it unmaps every one of them.
 * The patterns above all end on a granule boundary, where a length
 * rounded up without the start's offset in its granule comes out the
 * same: a dma_iova_unlink() that forgets the offset leaves the last
 * granule mapped only here (the README's KERNEL= example), and a
 * dma_iova_link() that forgets it maps one granule too few (make
 * mutants' 08).
 */
TEST_F(granules, unlink_unmaps_every_granule_a_link_touched)
{
	__u64 g = self->dev.out_granule, len_iova = 4 * g;
	__u64 offs[] = { 256, g / 2, g - 64 };
	__u64 lens[] = { g, g + 512, 3 * g - 8 };
	/* One chunk of 2 MiB: order 9 of 4 KiB pages, 7 of 16 KiB, 5 of 64. */
	__u32 order = dmactl_page_order(SZ_2M);
	struct dmactl_iova_verify v;
	struct dmactl_iova_alloc ia;
	unsigned int i, j;
	__u32 buf;

	if (!(self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE))
		SKIP(return, "the IOVA API is not usable here");
	/*
	 * Physically contiguous (one chunk), so that each link is one call of
	 * dma_iova_link(): dmactl maps page-sized runs of scattered memory
	 * one by one, and a run that ends on a page boundary hides a length
	 * rounded without the offset.
	 */
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, order, SZ_2M, NULL, &buf);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			test_cmd_iova_alloc(self->fd, len_iova, offs[i], 0, &ia);
			test_cmd_iova_link(self->fd, ia.out_id, buf, offs[i], 0,
					   lens[j], DMACTL_DIR_TO_DEVICE, 0);
			test_cmd_iova_verify(self->fd, ia.out_id, 0,
					     len_iova - offs[i], &v);
			EXPECT_EQ(0, v.out_mismatches);
			/* (bounced: an untrusted device's partial granules) */
			EXPECT_LT(0, v.out_mapped_ok + v.out_bounced);
			test_cmd_iova_unlink(self->fd, ia.out_id, 0, lens[j],
					     DMACTL_DIR_TO_DEVICE, 0);
			test_cmd_iova_verify(self->fd, ia.out_id, 0,
					     len_iova - offs[i], &v);
			EXPECT_EQ(0, v.out_mismatches) {
				TH_LOG("offset %llu, length %llu: still mapped at IOVA offset %#llx",
				       (unsigned long long)offs[i],
				       (unsigned long long)lens[j],
				       (unsigned long long)v.out_first_mismatch);
			}
			EXPECT_EQ(v.out_checked, v.out_unmapped_ok);
			test_cmd_iova_free(self->fd, ia.out_id);
		}
	}
	test_cmd_buf_free(self->fd, buf);
}

DMACTL_TEST_MAIN
