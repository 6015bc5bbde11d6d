// SPDX-License-Identifier: GPL-2.0
/*
 * What a caller can make the module hold is bounded: objects, shadow
 * state and buffer memory per file, benchmark runs per file and their
 * threads in all, names on the allow list -- each a module parameter,
 * each refused past its limit with EDQUOT and counted under the rule
 * "limit".  And no length a caller picks reaches a kernel allocator
 * unbounded: a raised max_iova_size gives EDQUOT, not a kvmalloc() WARN;
 * the fallback record of a link over a GiB of scattered pages is
 * allocated, not refused with a page-allocator WARN.
 */
#include "dmactl_test.h"

#define SZ_1G (1ULL << 30)

static const char *const limit_params[] = {
	"max_objects_per_file", "max_shadow_bytes_per_file",
	"max_buf_bytes_per_file", "max_bench_runs_per_file",
	"max_bench_threads", "max_allowed", "max_iova_size",
};

#define NR_PARAMS (sizeof(limit_params) / sizeof(limit_params[0]))

FIXTURE(limits) {
	int fd;
	struct dmactl_attach dev;
	long long saved[NR_PARAMS];
	unsigned long taint;
};

FIXTURE_SETUP(limits)
{
	size_t i;

	for (i = 0; i < NR_PARAMS; i++) {
		self->saved[i] = dmactl_param(limit_params[i]);
		ASSERT_LE(0, self->saved[i]);
	}
	dmactl_fixture_open_attached(self, &self->dev);
}

FIXTURE_TEARDOWN(limits)
{
	size_t i;

	close(self->fd);
	for (i = 0; i < NR_PARAMS; i++)
		EXPECT_EQ(0, dmactl_param_set(limit_params[i], self->saved[i]));
	dmactl_teardown_check(self->taint);
}

/* The call fails with EDQUOT, counted once under "limit". */
#define expect_over_limit(expr)                                               \
	do {                                                                  \
		long __before = dmactl_rejections("limit");                   \
		ASSERT_LE(0, __before);                                       \
		EXPECT_EQ(-EDQUOT, (expr));                                   \
		EXPECT_EQ(__before + 1, dmactl_rejections("limit"));          \
	} while (0)

TEST_F(limits, objects_per_file)
{
	const __u64 pg = PAGE_SZ;
	__u32 id[4];
	int i;

	ASSERT_EQ(0, dmactl_param_set("max_objects_per_file", 4));
	for (i = 0; i < 4; i++)
		test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, pg, NULL, &id[i]);
	expect_over_limit(_test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0,
					      pg, NULL, NULL));
	expect_over_limit(_test_cmd_iova_alloc(self->fd, pg, 0,
					       DMACTL_IOVA_ALLOW_FALLBACK, NULL));
	/* What was given back may be taken again. */
	test_cmd_buf_free(self->fd, id[0]);
	test_cmd_iova_alloc(self->fd, pg, 0, DMACTL_IOVA_ALLOW_FALLBACK, NULL);
}

TEST_F(limits, shadow_bytes_per_file)
{
	/* 2^18 granules: a GiB of IOVA at 4 KiB, 4 GiB at 16 KiB. */
	const __u64 pg = PAGE_SZ, big = (1ULL << 18) * self->dev.out_granule;
	struct dmactl_iova_alloc ia;
	__u32 buf;
	int k, ret = 0;

	ASSERT_EQ(0, dmactl_param_set("max_shadow_bytes_per_file", 4096));
	/*
	 * So many granules need a 32 KiB sync bitmap.  Past max_iova_size
	 * (4 GiB) with granules above 16 KiB: raised for this test, the
	 * teardown puts it back.
	 */
	if (big > (__u64)dmactl_param("max_iova_size"))
		ASSERT_EQ(0, dmactl_param_set("max_iova_size", big));
	expect_over_limit(_test_cmd_iova_alloc(self->fd, big, 0,
					       DMACTL_IOVA_ALLOW_FALLBACK, NULL));
	test_cmd_iova_alloc(self->fd, 256 * pg, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, 256 * pg, NULL, &buf);
	/* Every other page: records that cannot share, until there is no room. */
	for (k = 0; k < 128 && !ret; k++)
		ret = _test_cmd_iova_link(self->fd, ia.out_id, buf, 2 * k * pg,
					  2 * k * pg, pg, DMACTL_DIR_TO_DEVICE, 0);
	EXPECT_EQ(-EDQUOT, ret);
	EXPECT_LT(1, k);
}

TEST_F(limits, buf_bytes_per_file)
{
	const __u64 pg = PAGE_SZ;
	__u32 id;

	ASSERT_EQ(0, dmactl_param_set("max_buf_bytes_per_file", 16 * pg));
	expect_over_limit(_test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0,
					      32 * pg, NULL, NULL));
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, 16 * pg, NULL, &id);
	expect_over_limit(_test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0,
					      pg, NULL, NULL));
	test_cmd_buf_free(self->fd, id);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, 16 * pg, NULL, NULL);
}

static int bench_start(int fd, __u32 threads)
{
	struct dmactl_bench_start p = {
		.size = sizeof(p), .mode = DMACTL_BENCH_PHYS, .threads = threads,
		.node = DMACTL_NO_NODE, .pages = 1,
		.dir = DMACTL_DIR_TO_DEVICE,
		.duration_ms = DMACTL_BENCH_MAX_DURATION_MS,
	};

	return dmactl_ioc(fd, DMACTL_BENCH_START, &p);
}

TEST_F(limits, bench_runs_and_threads)
{
	ASSERT_EQ(0, dmactl_param_set("max_bench_runs_per_file", 1));
	ASSERT_EQ(0, bench_start(self->fd, 1));
	expect_over_limit(bench_start(self->fd, 1));
	ASSERT_EQ(0, dmactl_param_set("max_bench_runs_per_file", 16));
	ASSERT_EQ(0, dmactl_param_set("max_bench_threads", 2));
	expect_over_limit(bench_start(self->fd, 2));
	ASSERT_EQ(0, bench_start(self->fd, 1));
	EXPECT_EQ(2, dmactl_counter("bench-threads"));
	/* Closing the file (the teardown) ends both runs. */
}

TEST_F(limits, allow_list_is_bounded)
{
	char line[128];
	long long names = 0;
	FILE *f = fopen("/sys/class/misc/dmactl/allowed", "r");

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		names++;
	fclose(f);
	ASSERT_EQ(0, dmactl_param_set("max_allowed", names));
	expect_over_limit(sysfs_put("/sys/class/misc/dmactl/allow", "0000:ff:1f.6"));
	/* A name already there is no new entry. */
	EXPECT_EQ(0, sysfs_put("/sys/class/misc/dmactl/allow", dmactl_test_dev()));
}

/*
 * Root may raise max_iova_size as far as 2^62; the sync bitmap of such a
 * space is past what kvmalloc() takes without a WARN (INT_MAX bytes).  It
 * is charged first, and refused.
 */
TEST_F(limits, raised_max_iova_size_is_bounded)
{
	ASSERT_EQ(0, dmactl_param_set("max_iova_size", 1ULL << 62));
	expect_over_limit(_test_cmd_iova_alloc(self->fd, 1ULL << 62, 0,
					       DMACTL_IOVA_ALLOW_FALLBACK, NULL));
	/* 2^35 granules (128 TiB at 4 KiB): a 4 GiB bitmap. */
	expect_over_limit(_test_cmd_iova_alloc(self->fd,
					       (1ULL << 35) * self->dev.out_granule,
					       0, DMACTL_IOVA_ALLOW_FALLBACK, NULL));
	/* Past 2^62 the cap holds whatever the parameter says (rule M7). */
	test_err_iova_alloc(EINVAL, self->fd, (1ULL << 62) + PAGE_SZ, 0,
			    DMACTL_IOVA_ALLOW_FALLBACK, NULL);
}

/*
 * On the fallback path a link keeps a device address per physically
 * contiguous run, 16 bytes each: a GiB of pages none of which follows the
 * one before is a run per page -- with 4 KiB pages 262144 runs, a 4 MiB
 * record, past what kmalloc() takes without a page-allocator WARN
 * (PAGE_SIZE << MAX_PAGE_ORDER).  It comes from kvmalloc().  With larger
 * pages there are fewer runs and kmalloc() takes more (16 KiB pages: 65536
 * runs, a 1 MiB record, 32 MiB): there the link over a run per page is
 * all that is tested.
 */
TEST_F_TIMEOUT(limits, fallback_link_over_a_gib_of_scattered_pages, 240)
{
	const __u64 pg = PAGE_SZ, runs = SZ_1G / pg;
	struct dmactl_iova_alloc ia;
	struct dmactl_iova_query q;
	__u64 off;
	char *mem;
	__u32 buf;

	if (self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE)
		SKIP(return, "the IOVA path keeps no runs: only the fallback does");
	if (!access("/sys/kernel/debug/dma-api", F_OK))
		SKIP(return, "dma-debug tracks 65536 mappings: %llu would disable it",
		     (unsigned long long)runs);
	if (dmactl_links_bounce(self->fd, &self->dev))
		SKIP(return, "every link bounces through swiotlb, whose pool is smaller than a GiB");
	mem = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, madvise(mem, SZ_1G, MADV_NOHUGEPAGE));
	/*
	 * Even pages first, then odd ones, each from the top down: no page
	 * gets the frame after its neighbour's, so every page is a run.
	 */
	for (off = SZ_1G; off; off -= 2 * pg)
		mem[off - 2 * pg] = 1;
	for (off = SZ_1G; off; off -= 2 * pg)
		mem[off - pg] = 1;
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, SZ_1G, mem, &buf);
	test_cmd_iova_alloc(self->fd, SZ_1G, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	ASSERT_EQ(DMACTL_PATH_FALLBACK, ia.out_path);
	test_cmd_iova_link(self->fd, ia.out_id, buf, 0, 0, SZ_1G, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_query(self->fd, ia.out_id, &q, NULL, 0);
	TH_LOG("one link over a GiB: %llu bytes of shadow state",
	       (unsigned long long)q.out_shadow_bytes);
	EXPECT_LT(runs * 16, q.out_shadow_bytes);
	test_cmd_iova_unlink(self->fd, ia.out_id, 0, SZ_1G, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_free(self->fd, ia.out_id);
	test_cmd_buf_free(self->fd, buf);
	munmap(mem, SZ_1G);
}

DMACTL_TEST_MAIN
