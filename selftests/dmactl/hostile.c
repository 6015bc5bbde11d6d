// SPDX-License-Identifier: GPL-2.0
/*
 * User memory that fights back.  A buffer of the caller's memory is
 * pinned; the caller may hand over memory that cannot be pinned for
 * writing (PROT_NONE, read-only), memory backed by a file or a memfd,
 * memory served by userfaultfd, and may unmap, MADV_DONTNEED or mremap
 * it while pinned.  The module must refuse what it cannot pin with
 * EFAULT, and for the rest keep the very pages it pinned: what FILL
 * writes and CHECKSUM reads, what VERIFY finds translated and what a
 * device copies are those pages, whatever became of the mapping.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdint.h>

#include <linux/userfaultfd.h>
#include <sys/syscall.h>

#include "dmactl_test.h"

#define LEN (16 * PAGE_SZ)
#define TO DMACTL_DIR_BIDIRECTIONAL

static void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The module's pattern, as FILL writes it at buffer offset 0. */
static void pattern(void *buf, size_t len, __u64 seed)
{
	__u64 *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = dmactl_pattern(seed, i);
}

DMACTL_FILE_FIXTURE(hostile);

/* A buffer's pages are linked, synced and translate where they should. */
static void expect_mapped(struct __test_metadata *_metadata, int fd, __u32 buf)
{
	struct dmactl_iova_alloc ia;
	struct dmactl_iova_verify v;

	test_cmd_iova_alloc(fd, LEN, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	test_cmd_iova_link(fd, ia.out_id, buf, 0, 0, LEN, TO, 0);
	test_cmd_iova_sync(fd, ia.out_id, 0, LEN);
	test_cmd_iova_verify(fd, ia.out_id, 0, LEN, &v);
	EXPECT_EQ(LEN / PAGE_SZ, v.out_mapped_ok + v.out_bounced);
	EXPECT_EQ(0, v.out_mismatches);
	test_cmd_iova_destroy(fd, ia.out_id, LEN, TO, 0);
}

TEST_F(hostile, unpinnable_memory_is_refused)
{
	void *none = map_anon(LEN, PROT_NONE), *ro = map_anon(LEN, PROT_READ);

	ASSERT_NE(NULL, none);
	ASSERT_NE(NULL, ro);
	test_err_buf_alloc(EFAULT, self->fd, DMACTL_BUF_USER, 0, LEN,
			   none, NULL);
	/* The device writes into a buffer: read-only memory will not do. */
	test_err_buf_alloc(EFAULT, self->fd, DMACTL_BUF_USER, 0, LEN,
			   ro, NULL);
	/* Half of it mapped is not enough either. */
	ASSERT_EQ(0, mprotect(none, LEN / 2, PROT_READ | PROT_WRITE));
	test_err_buf_alloc(EFAULT, self->fd, DMACTL_BUF_USER, 0, LEN,
			   none, NULL);
	munmap(none, LEN);
	munmap(ro, LEN);
}

/* Shared memory: a file on tmpfs and a memfd, both seen from userspace. */
TEST_F(hostile, file_and_memfd_pages_are_the_pinned_ones)
{
	char path[] = "/tmp/dmactl-hostile-XXXXXX";
	char *want = malloc(LEN);	/* 16 pages: not for the stack */
	__u32 buf, crc, got;
	int fds[2], i;
	void *mem;

	ASSERT_NE(NULL, want);
	fds[0] = mkstemp(path);
	ASSERT_LE(0, fds[0]);
	unlink(path);
	fds[1] = memfd_create("dmactl-hostile", MFD_CLOEXEC);
	ASSERT_LE(0, fds[1]);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ftruncate(fds[i], LEN));
		mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		ASSERT_NE(MAP_FAILED, mem);
		memset(mem, 0x11 * (i + 1), LEN);
		test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, LEN, mem, &buf);
		/* The module writes the pages; the file shows it. */
		test_cmd_buf_fill(self->fd, buf, 0, LEN, 42 + i);
		pattern(want, LEN, 42 + i);
		EXPECT_EQ(0, memcmp(mem, want, LEN));
		/* The file shrinks under the pin: the pages stay the buffer's. */
		crc = crc32c(mem, LEN);
		ASSERT_EQ(0, ftruncate(fds[i], 0));
		test_cmd_buf_checksum(self->fd, buf, 0, LEN, &got);
		EXPECT_EQ(crc, got);
		expect_mapped(_metadata, self->fd, buf);
		test_cmd_buf_free(self->fd, buf);
		munmap(mem, LEN);
		close(fds[i]);
	}
	free(want);
}

/* Unmapped, discarded or moved after the pin: the buffer keeps its pages. */
TEST_F(hostile, mapping_changes_after_the_pin)
{
	char *before = malloc(LEN), *want = malloc(LEN);
	__u32 buf, got;
	void *mem, *moved;

	ASSERT_NE(NULL, before);
	ASSERT_NE(NULL, want);
	/* Unmapped: the pinned pages live on with what they held. */
	mem = map_anon(LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, mem);
	memset(mem, 0x5a, LEN);
	memcpy(before, mem, LEN);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, LEN, mem, &buf);
	ASSERT_EQ(0, munmap(mem, LEN));
	test_cmd_buf_checksum(self->fd, buf, 0, LEN, &got);
	EXPECT_EQ(crc32c(before, LEN), got);
	test_cmd_buf_fill(self->fd, buf, 0, LEN, 7);
	pattern(want, LEN, 7);
	test_cmd_buf_checksum(self->fd, buf, 0, LEN, &got);
	EXPECT_EQ(crc32c(want, LEN), got);
	expect_mapped(_metadata, self->fd, buf);
	test_cmd_buf_free(self->fd, buf);

	/* MADV_DONTNEED: userspace gets new zero pages, the buffer the old. */
	mem = map_anon(LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, mem);
	memset(mem, 0x6b, LEN);
	memcpy(before, mem, LEN);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, LEN, mem, &buf);
	ASSERT_EQ(0, madvise(mem, LEN, MADV_DONTNEED));
	EXPECT_EQ(0, ((unsigned char *)mem)[0]);
	test_cmd_buf_checksum(self->fd, buf, 0, LEN, &got);
	EXPECT_EQ(crc32c(before, LEN), got);
	test_cmd_buf_fill(self->fd, buf, 0, LEN, 8);
	EXPECT_EQ(0, ((unsigned char *)mem)[8]);	/* not userspace's page now */
	expect_mapped(_metadata, self->fd, buf);
	test_cmd_buf_free(self->fd, buf);
	munmap(mem, LEN);

	/* mremap: the pinned pages move with the mapping. */
	mem = map_anon(LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, mem);
	memset(mem, 0x7c, LEN);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, LEN, mem, &buf);
	moved = mremap(mem, LEN, LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
		       (char *)map_anon(2 * LEN, PROT_NONE) + LEN);
	ASSERT_NE(MAP_FAILED, moved);
	test_cmd_buf_fill(self->fd, buf, 0, LEN, 9);
	pattern(want, LEN, 9);
	EXPECT_EQ(0, memcmp(moved, want, LEN));
	expect_mapped(_metadata, self->fd, buf);
	test_cmd_buf_free(self->fd, buf);
	munmap(moved, LEN);
	free(before);
	free(want);
}

struct server {
	pthread_t thread;
	int uffd;
	char *page;	/* UFFDIO_COPY's source: a whole page, aligned */
	volatile bool stop;
	int served;
};

/* Serve each missing page with bytes of its index, until told to stop. */
static void *serve_faults(void *arg)
{
	struct server *s = arg;
	struct pollfd p = { .fd = s->uffd, .events = POLLIN };
	const __u64 pg = PAGE_SZ;
	struct uffdio_copy c = { .len = pg };
	struct uffd_msg msg;

	while (!s->stop) {
		if (poll(&p, 1, 100) != 1 || !(p.revents & POLLIN) ||
		    read(s->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		c.dst = msg.arg.pagefault.address & ~(pg - 1);
		memset(s->page, (int)(c.dst / pg) & 0xff, pg);
		c.src = (unsigned long)s->page;
		if (!ioctl(s->uffd, UFFDIO_COPY, &c))
			s->served++;
	}
	return NULL;
}

/* Memory served page by page by userfaultfd: pinned as it is served. */
TEST_F(hostile, userfaultfd_served_memory)
{
	const __u64 pg = PAGE_SZ;
	struct server s = {};
	char *want = malloc(LEN);
	__u32 buf, got;
	void *mem;
	int i;

	ASSERT_NE(NULL, want);
	s.uffd = dmactl_uffd_region(LEN, UFFDIO_REGISTER_MODE_MISSING, &mem);
	if (s.uffd < 0)
		SKIP(return, "no userfaultfd here (%d)", s.uffd);
	s.page = map_anon(pg, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, s.page);
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, serve_faults, &s));
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, LEN, mem, &buf);
	for (i = 0; i < LEN / pg; i++)
		memset(want + i * pg, (int)(((uintptr_t)mem / pg + i) & 0xff),
		       pg);
	test_cmd_buf_checksum(self->fd, buf, 0, LEN, &got);
	EXPECT_EQ(crc32c(want, LEN), got);
	expect_mapped(_metadata, self->fd, buf);
	test_cmd_buf_free(self->fd, buf);
	s.stop = true;
	pthread_join(s.thread, NULL);
	close(s.uffd);
	EXPECT_EQ(LEN / pg, s.served);
	munmap(mem, LEN);
	munmap(s.page, pg);
	free(want);
}

/*
 * A device copies out of memory the caller unmapped after the pin, into
 * memory it discarded: the edu reads and writes the pinned pages.
 */
TEST_F(hostile, device_copies_pinned_pages_of_a_gone_mapping)
{
	const char *edu = dmactl_test_excl_dev();
	const __u64 pg = PAGE_SZ;
	struct dmactl_copy c = { .size = sizeof(c), .length = pg };
	struct dmactl_iova_alloc ia;
	struct dmactl_attach a;
	__u32 src, dst, si, di, got, before;
	void *smem, *dmem;
	int fd;

	if (!edu || dmactl_bind_exclusive(edu) || !wait_driver(edu, "dmactl"))
		SKIP(return, "no edu device bound to dmactl (DMACTL_SELFTESTS_EXCL_DEV)");
	fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	test_cmd_attach(fd, edu, &a);
	if (!(a.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE)) {
		close(fd);
		SKIP(return, "user pages may lie past the edu's 28 bits without an IOMMU");
	}
	smem = map_anon(pg, PROT_READ | PROT_WRITE);
	dmem = map_anon(pg, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, smem);
	ASSERT_NE(NULL, dmem);
	memset(smem, 0x3c, pg);
	memset(dmem, 0, pg);
	before = crc32c(smem, pg);
	test_cmd_buf_alloc(fd, DMACTL_BUF_USER, 0, pg, smem, &src);
	test_cmd_buf_alloc(fd, DMACTL_BUF_USER, 0, pg, dmem, &dst);
	ASSERT_EQ(0, munmap(smem, pg));
	ASSERT_EQ(0, madvise(dmem, pg, MADV_DONTNEED));
	test_cmd_iova_alloc(fd, pg, 0, 0, &ia);
	si = ia.out_id;
	test_cmd_iova_alloc(fd, pg, 0, 0, &ia);
	di = ia.out_id;
	test_cmd_iova_link(fd, si, src, 0, 0, pg, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_link(fd, di, dst, 0, 0, pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(fd, si, 0, pg);
	test_cmd_iova_sync(fd, di, 0, pg);
	c.src_iova_id = si;
	c.dst_iova_id = di;
	ASSERT_EQ(0, dmactl_ioc(fd, DMACTL_COPY, &c));
	EXPECT_EQ(0, c.out_mismatches);
	EXPECT_EQ(0, c.out_guard_damage);
	test_cmd_buf_checksum(fd, dst, 0, pg, &got);
	EXPECT_EQ(before, got);
	/* userspace's page at dmem is a fresh one: the copy never went there */
	EXPECT_EQ(0, ((unsigned char *)dmem)[0]);
	close(fd);
	munmap(dmem, pg);
}

DMACTL_TEST_MAIN
