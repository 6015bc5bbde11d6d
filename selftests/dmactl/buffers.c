// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers: the module's FILL and CHECKSUM against independent userspace
 * computations, through the caller's own mapping of a pinned buffer (so
 * the module wrote the very pages it holds), kernel buffers zeroed, and
 * every BUF_ALLOC argument check.
 */
#include "dmactl_test.h"

#define LEN (16 * PAGE_SZ)

FIXTURE(buffers) {
	int fd;
	void *mem;
	unsigned long taint;
};

FIXTURE_SETUP(buffers)
{
	dmactl_fixture_open_attached(self, NULL);
	self->mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0xa5, LEN);
}

FIXTURE_TEARDOWN(buffers)
{
	close(self->fd);
	munmap(self->mem, LEN);
	dmactl_teardown_check(self->taint);
}

TEST_F(buffers, fill_writes_the_pinned_pages)
{
	const __u64 *word = self->mem;
	const __u64 pg = PAGE_SZ;
	__u32 id;
	size_t i;

	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, LEN, self->mem, &id);
	/* A sub-range: bytes outside it keep the caller's 0xa5. */
	test_cmd_buf_fill(self->fd, id, pg, LEN - 2 * pg, 0x1234);
	for (i = 0; i < LEN / 8; i++) {
		__u64 want = (i < pg / 8 || i >= (LEN - pg) / 8) ?
			     0xa5a5a5a5a5a5a5a5ULL : dmactl_pattern(0x1234, i);

		if (word[i] != want) {
			EXPECT_EQ(want, word[i]) {
				TH_LOG("word %zu", i);
			}
			break;
		}
	}
}

TEST_F(buffers, checksum_matches_userspace_crc32c)
{
	__u32 id, crc;

	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, LEN, self->mem, &id);
	test_cmd_buf_fill(self->fd, id, 0, LEN, 99);
	test_cmd_buf_checksum(self->fd, id, 0, LEN, &crc);
	EXPECT_EQ(crc32c(self->mem, LEN), crc);
	/* An odd range, crossing a page boundary. */
	test_cmd_buf_checksum(self->fd, id, PAGE_SZ - 3, 11, &crc);
	EXPECT_EQ(crc32c((char *)self->mem + PAGE_SZ - 3, 11), crc);
	/* The standard check value of crc32c("123456789"). */
	EXPECT_EQ(0xe3069283U, crc32c("123456789", 9));
}

TEST_F(buffers, kernel_buffers_are_zeroed)
{
	const __u64 pg = PAGE_SZ;
	char *zeros = calloc(1, pg);
	__u32 id, crc;

	ASSERT_NE(NULL, zeros);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 2, LEN, NULL, &id);
	test_cmd_buf_checksum(self->fd, id, 0, pg, &crc);
	EXPECT_EQ(crc32c(zeros, pg), crc);
	EXPECT_EQ(LEN / pg, dmactl_counter("kernel-pages"));
	free(zeros);
}

TEST_F(buffers, fill_and_checksum_ranges)
{
	__u32 id;

	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, LEN, NULL, &id);
	test_err_buf_fill(ERANGE, self->fd, id, LEN - 8, 16, 1);
	test_err_buf_fill(EINVAL, self->fd, id, 4, 8, 1);
	test_err_buf_fill(EINVAL, self->fd, id, 0, 0, 1);
	test_err_buf_fill(EOVERFLOW, self->fd, id, ~7ULL, 16, 1);
	test_err_buf_checksum(ERANGE, self->fd, id, LEN, 1, NULL);
	test_err_buf_checksum(EINVAL, self->fd, id, 0, 0, NULL);
	test_err_buf_fill(ENOENT, self->fd, id + 100, 0, 8, 1);
}

TEST_F(buffers, alloc_argument_checks)
{
	struct dmactl_buf_alloc cmd = {
		.size = sizeof(cmd), .kind = DMACTL_BUF_KERNEL,
		.length = PAGE_SZ, .node = 999,
	};

	EXPECT_EQ(-EINVAL, dmactl_ioc(self->fd, DMACTL_BUF_ALLOC, &cmd));
	cmd.node = 0;
	EXPECT_EQ(0, dmactl_ioc(self->fd, DMACTL_BUF_ALLOC, &cmd));
	test_err_buf_alloc(EINVAL, self->fd, 0, 0, PAGE_SZ, NULL, NULL);
	test_err_buf_alloc(EINVAL, self->fd, 3, 0, PAGE_SZ, NULL, NULL);
	/* One whole chunk of order 11: only the order is wrong. */
	test_err_buf_alloc(EINVAL, self->fd, DMACTL_BUF_KERNEL, 11,
			   PAGE_SZ << 11, NULL, NULL);
	test_err_buf_alloc(EINVAL, self->fd, DMACTL_BUF_KERNEL, 1,
			   PAGE_SZ, NULL, NULL);
	test_err_buf_alloc(EINVAL, self->fd, DMACTL_BUF_KERNEL, 0,
			   (1ULL << 30) + PAGE_SZ, NULL, NULL);
	test_err_buf_alloc(EINVAL, self->fd, DMACTL_BUF_KERNEL, 0,
			   PAGE_SZ, self->mem, NULL);
	test_err_buf_alloc(EINVAL, self->fd, DMACTL_BUF_USER, 0, PAGE_SZ,
			   (char *)self->mem + 8, NULL);
	test_err_buf_alloc(EINVAL, self->fd, DMACTL_BUF_USER, 0, 100,
			   self->mem, NULL);
	test_err_buf_alloc(EOVERFLOW, self->fd, DMACTL_BUF_USER, 0,
			   SZ_2M, (void *)(uintptr_t)~(PAGE_SZ - 1),
			   NULL);
}

TEST_F(buffers, user_memory_must_be_mapped)
{
	void *hole = mmap(NULL, 4 * PAGE_SZ, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, 4 * PAGE_SZ));
	test_err_buf_alloc(EFAULT, self->fd, DMACTL_BUF_USER, 0,
			   4 * PAGE_SZ, hole, NULL);
	EXPECT_EQ(0, dmactl_counter("pinned-pages"));
}

DMACTL_TEST_MAIN
