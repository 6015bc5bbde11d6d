// SPDX-License-Identifier: GPL-2.0
/*
 * Any number of threads may use one file.  Threads linking and unlinking
 * disjoint ranges of one IOVA object must never disturb each other's
 * translations; FREE racing LINK, and BUF_FREE racing LINK, must each end
 * with one clean outcome and only the documented errnos on the way.  An
 * object is found by its ID only once the call that made it has
 * returned the ID, and IDs are not reused at once.
 */
#include <pthread.h>

#include "dmactl_test.h"

#define THREADS 4
#define PAGES_PER_THREAD 64	/* 256 KiB to 4 MiB a thread, by page size */
#define ROUNDS 200
#define RACES 50

FIXTURE(concurrency) {
	int fd;
	struct dmactl_attach dev;
	__u32 buf;
	unsigned long taint;
};

FIXTURE_SETUP(concurrency)
{
	dmactl_fixture_open_attached(self, &self->dev);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0,
			   THREADS * PAGES_PER_THREAD * PAGE_SZ, NULL,
			   &self->buf);
}

FIXTURE_TEARDOWN(concurrency)
{
	dmactl_fixture_close(self);
}

struct worker {
	pthread_t thread;
	int fd;
	__u32 iova;
	__u32 buf;
	int index;
	int failures;	/* results outside what the worker allows */
	int ok;		/* operations that succeeded */
};

/* Link, sync, verify and unlink pages of this thread's own range. */
static void *disjoint_worker(void *arg)
{
	struct worker *w = arg;
	const __u64 pg = PAGE_SZ;
	__u64 base = (__u64)w->index * PAGES_PER_THREAD * pg, off;
	struct dmactl_iova_verify v;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		off = base + (r % PAGES_PER_THREAD) * pg;
		if (_test_cmd_iova_link(w->fd, w->iova, w->buf, off, off, pg,
					DMACTL_DIR_BIDIRECTIONAL, 0) ||
		    _test_cmd_iova_sync(w->fd, w->iova, off, pg) ||
		    _test_cmd_iova_verify(w->fd, w->iova, off, pg, &v) ||
		    v.out_mismatches ||
		    _test_cmd_iova_unlink(w->fd, w->iova, off, pg,
					  DMACTL_DIR_BIDIRECTIONAL, 0))
			w->failures++;
		else
			w->ok++;
	}
	return NULL;
}

TEST_F(concurrency, disjoint_ranges_of_one_iova)
{
	struct worker w[THREADS];
	struct dmactl_iova_alloc ia;
	struct dmactl_iova_verify v;
	struct dmactl_iova_query q;
	int i;

	test_cmd_iova_alloc(self->fd, THREADS * PAGES_PER_THREAD * PAGE_SZ, 0,
			    DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .fd = self->fd, .iova = ia.out_id,
					.buf = self->buf, .index = i };
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL,
					    disjoint_worker, &w[i]));
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		EXPECT_EQ(0, w[i].failures);
		EXPECT_EQ(ROUNDS, w[i].ok);
	}
	test_cmd_iova_query(self->fd, ia.out_id, &q, NULL, 0);
	EXPECT_EQ(0, q.out_nr_links);
	test_cmd_iova_verify(self->fd, ia.out_id, 0,
			     THREADS * PAGES_PER_THREAD * PAGE_SZ, &v);
	EXPECT_EQ(0, v.out_mismatches);
	EXPECT_EQ(0, v.out_mapped_ok);
	test_cmd_iova_free(self->fd, ia.out_id);
}

/*
 * Link and unlink page 0 until the object another thread frees is gone
 * (ENOENT): the IOVA object, which may go between a link and its unlink
 * (@iova_goes), or the buffer, which can go only while unlinked.
 */
static void link_until_gone(struct worker *w, bool iova_goes)
{
	int ret;

	for (;;) {
		ret = _test_cmd_iova_link(w->fd, w->iova, w->buf, 0, 0, PAGE_SZ,
					  DMACTL_DIR_TO_DEVICE, 0);
		if (ret == -ENOENT)
			break;
		if (ret) {
			w->failures++;
			break;
		}
		w->ok++;
		ret = _test_cmd_iova_unlink(w->fd, w->iova, 0, PAGE_SZ,
					    DMACTL_DIR_TO_DEVICE, 0);
		if (ret == -ENOENT && iova_goes)
			break;
		if (ret) {
			w->failures++;
			break;
		}
	}
}

static void *link_loop(void *arg)
{
	link_until_gone(arg, true);
	return NULL;
}

TEST_F(concurrency, free_races_link)
{
	struct dmactl_iova_alloc ia;
	struct worker w;
	int race, ret, freed;

	for (race = 0; race < RACES; race++) {
		test_cmd_iova_alloc(self->fd, 16 * PAGE_SZ, 0,
				    DMACTL_IOVA_ALLOW_FALLBACK, &ia);
		w = (struct worker){ .fd = self->fd, .iova = ia.out_id,
				     .buf = self->buf };
		ASSERT_EQ(0, pthread_create(&w.thread, NULL, link_loop, &w));
		/* FREE fails with EBUSY while a link is live, never worse. */
		for (freed = 0; !freed; ) {
			ret = _test_cmd_iova_free(self->fd, ia.out_id);
			if (ret == 0)
				freed = 1;
			else
				ASSERT_EQ(-EBUSY, ret);
		}
		pthread_join(w.thread, NULL);
		EXPECT_EQ(0, w.failures);
		test_err_iova_free(ENOENT, self->fd, ia.out_id);
	}
	EXPECT_EQ(0, dmactl_counter("live-iovas"));
	EXPECT_EQ(0, dmactl_counter("live-links"));
}

/* Link page 0 of a buffer that another thread is freeing. */
static void *buf_link_loop(void *arg)
{
	link_until_gone(arg, false);
	return NULL;
}

TEST_F(concurrency, buffer_free_races_link)
{
	struct dmactl_iova_alloc ia;
	struct worker w;
	__u32 buf;
	int race, ret;

	test_cmd_iova_alloc(self->fd, 16 * PAGE_SZ, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	for (race = 0; race < RACES; race++) {
		test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, &buf);
		w = (struct worker){ .fd = self->fd, .iova = ia.out_id, .buf = buf };
		ASSERT_EQ(0, pthread_create(&w.thread, NULL, buf_link_loop, &w));
		/* A buffer under a link is never freed: EBUSY until unlinked. */
		while ((ret = _test_cmd_buf_free(self->fd, buf)))
			ASSERT_EQ(-EBUSY, ret);
		pthread_join(w.thread, NULL);
		EXPECT_EQ(0, w.failures);
	}
	test_cmd_iova_free(self->fd, ia.out_id);
	EXPECT_EQ(1, dmactl_counter("live-bufs"));	/* the fixture's own */
}

/* ---- objects are found only once finished ---- */

struct freer {
	pthread_t thread;
	int fd;
	__u32 first, last;	/* IDs to try */
	__u32 keep;		/* an ID never to free */
	volatile bool stop;
	int freed;
};

/* Free every ID of a range, as fast as it can, until told to stop. */
static void *free_every_id(void *arg)
{
	struct freer *f = arg;
	__u32 id;

	while (!f->stop) {
		for (id = f->first; id <= f->last; id++) {
			if (id == f->keep)
				continue;
			if (!_test_cmd_buf_free(f->fd, id))
				f->freed++;
			if (!_test_cmd_iova_free(f->fd, id))
				f->freed++;
		}
	}
	return NULL;
}

/*
 * The two ALLOCs whose replies the tests below make fault or stall: a
 * page of buffer, 16 pages of IOVA (made at run time: the page size is
 * not a constant).
 */
static struct dmactl_buf_alloc buf_alloc_req(void)
{
	return dmactl_arg_buf_alloc(DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, 0);
}

static struct dmactl_iova_alloc iova_alloc_req(void)
{
	return dmactl_arg_iova_alloc(16 * PAGE_SZ, 0,
				     DMACTL_IOVA_ALLOW_FALLBACK);
}

/* A copy of @cmd the kernel can read but not write: the reply faults. */
static void *readonly_arg(const void *cmd, size_t len)
{
	void *p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, cmd, len);
	if (mprotect(p, PAGE_SZ, PROT_READ)) {
		munmap(p, PAGE_SZ);
		return NULL;
	}
	return p;
}

/*
 * A BUF_ALLOC or IOVA_ALLOC whose reply cannot be copied out makes no
 * object anyone can see: while it is being undone, another thread freeing
 * every ID it could have had finds nothing (once, the object was already
 * in the table, and the free raced the undo on freed memory).
 */
TEST_F(concurrency, reply_fault_races_free)
{
	struct freer f = { .fd = self->fd, .first = 1,
			   .last = self->buf + 2 * RACES + 8, .keep = self->buf };
	struct dmactl_buf_alloc ba = buf_alloc_req();
	struct dmactl_iova_alloc ia = iova_alloc_req();
	void *rba = readonly_arg(&ba, sizeof(ba));
	void *ria = readonly_arg(&ia, sizeof(ia));
	int race;

	ASSERT_NE(NULL, rba);
	ASSERT_NE(NULL, ria);
	ASSERT_EQ(0, pthread_create(&f.thread, NULL, free_every_id, &f));
	for (race = 0; race < RACES; race++) {
		EXPECT_EQ(-EFAULT, dmactl_ioc(self->fd, DMACTL_BUF_ALLOC, rba));
		EXPECT_EQ(-EFAULT, dmactl_ioc(self->fd, DMACTL_IOVA_ALLOC, ria));
	}
	f.stop = true;
	pthread_join(f.thread, NULL);
	EXPECT_EQ(0, f.freed);
	EXPECT_EQ(1, dmactl_counter("live-bufs"));	/* the fixture's own */
	EXPECT_EQ(0, dmactl_counter("live-iovas"));
	munmap(rba, PAGE_SZ);
	munmap(ria, PAGE_SZ);
}

/*
 * The same without luck: the ALLOC's reply stalls on a write fault nobody
 * serves, and for as long as it stalls the object it made cannot be
 * found -- a FREE of every ID it could have is ENOENT.  Once the
 * userfaultfd is closed the write goes through, and the object appears
 * with the ID the reply gives.  (The module once published the object
 * before the reply: the FREE succeeded, and a failed reply's undo then
 * took a reference on the freed object.)
 */
TEST_F_TIMEOUT(concurrency, stalled_alloc_reply_hides_the_object, 60)
{
	const struct dmactl_buf_alloc ba = buf_alloc_req();
	const struct dmactl_iova_alloc ia = iova_alloc_req();
	const struct { unsigned long req; const void *cmd; size_t len; } calls[] = {
		{ DMACTL_BUF_ALLOC, &ba, sizeof(ba) },
		{ DMACTL_IOVA_ALLOC, &ia, sizeof(ia) },
	};
	struct dmactl_stalled st;
	unsigned int i;
	void *mem;
	__u32 id;
	int uffd;

	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		uffd = dmactl_uffd_region(PAGE_SZ, UFFDIO_REGISTER_MODE_WP, &mem);
		if (uffd < 0)
			SKIP(return, "no userfaultfd write-protection here (%d)", uffd);
		ASSERT_EQ(0, dmactl_uffd_wp_write(uffd, mem, calls[i].cmd, calls[i].len));
		st = (struct dmactl_stalled){ .fd = self->fd, .req = calls[i].req, .arg = mem };
		ASSERT_EQ(0, pthread_create(&st.thread, NULL, dmactl_stalled_ioctl, &st));
		ASSERT_TRUE(dmactl_uffd_stalled(uffd));
		for (id = 1; id <= self->buf + 64; id++) {
			if (id == self->buf)
				continue;
			EXPECT_EQ(-ENOENT, _test_cmd_buf_free(self->fd, id)) {
				TH_LOG("%s: ID %u was found while its reply stalled",
				       i ? "IOVA_ALLOC" : "BUF_ALLOC", id);
			}
			EXPECT_EQ(-ENOENT, _test_cmd_iova_free(self->fd, id)) {
				TH_LOG("%s: ID %u was found while its reply stalled",
				       i ? "IOVA_ALLOC" : "BUF_ALLOC", id);
			}
		}
		close(uffd);	/* the write goes through */
		pthread_join(st.thread, NULL);
		ASSERT_EQ(0, st.ret);
		if (i) {
			id = ((struct dmactl_iova_alloc *)mem)->out_id;
			EXPECT_EQ(0, _test_cmd_iova_free(self->fd, id));
		} else {
			id = ((struct dmactl_buf_alloc *)mem)->out_id;
			EXPECT_EQ(0, _test_cmd_buf_free(self->fd, id));
		}
		munmap(mem, PAGE_SZ);
	}
	EXPECT_EQ(1, dmactl_counter("live-bufs"));	/* the fixture's own */
	EXPECT_EQ(0, dmactl_counter("live-iovas"));
}

/* A freed ID names nothing for a long while: the next object gets another. */
TEST_F(concurrency, ids_are_not_reused_at_once)
{
	__u32 a, b, c;

	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, &a);
	test_cmd_buf_free(self->fd, a);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, &b);
	EXPECT_NE(a, b);
	test_cmd_buf_free(self->fd, b);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, &c);
	EXPECT_NE(a, c);
	EXPECT_NE(b, c);
	test_err_buf_free(ENOENT, self->fd, a);
	test_cmd_buf_free(self->fd, c);
}

DMACTL_TEST_MAIN
