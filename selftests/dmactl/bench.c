// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark runs: their correctness, never their speed.  Every bound of
 * DMACTL_BENCH_START; in every mode, exact counts of I/Os and calls,
 * everything mapped unmapped, no address of the last I/O left in the
 * IOMMU page table, ordered percentiles; STOP and FREE of a running run,
 * and a file closed under one; the DMA mask of an exclusive device held
 * only with no objects and restored afterwards.
 */
#include <pthread.h>
#include <stddef.h>

#include "dmactl_test.h"

/* A run's parameters that a test then changes: a small counted run. */
#define bench_params dmactl_arg_bench_start

/* What both fixtures hold: a file attached to the test device. */
#define BENCH_FIXTURE_DATA                                                  \
	int fd;                                                             \
	bool iova_usable;                                                   \
	bool iommu;                                                         \
	unsigned long taint

FIXTURE(bench) {
	BENCH_FIXTURE_DATA;
};

#define open_attached(self)                                                   \
	do {                                                                \
		struct dmactl_attach __a;                                   \
		dmactl_fixture_open_attached(self, &__a);                   \
		(self)->iova_usable = __a.out_flags &                       \
				      DMACTL_ATTACH_OUT_IOVA_USABLE;        \
		(self)->iommu = __a.out_domain == DMACTL_DOMAIN_DMA ||      \
				__a.out_domain == DMACTL_DOMAIN_DMA_FQ;     \
	} while (0)

FIXTURE_SETUP(bench)
{
	open_attached(self);
}

FIXTURE_TEARDOWN(bench)
{
	dmactl_fixture_close(self);
}

/*
 * Bend valid parameters by one out-of-bounds value, case @i; returns the
 * errno START must give, or 0 past the last case.
 */
static int bad_param(struct dmactl_bench_start *p, int i)
{
	switch (i) {
	case 0: p->flags = 1 << 7; return EOPNOTSUPP;
	case 1: p->mode = 0; return EINVAL;
	case 2: p->mode = DMACTL_BENCH_LAST_MODE + 1; return EINVAL;
	case 3: p->threads = 0; return EINVAL;
	case 4: p->threads = DMACTL_BENCH_MAX_THREADS + 1; return EINVAL;
	case 5: p->pages = 0; return EINVAL;
	case 6: p->pages = DMACTL_BENCH_MAX_PAGES + 1; return EINVAL;
	case 7: p->threads = 128; p->pages = 1024; return EINVAL;
	case 8: p->dir = 0; return EINVAL;
	case 9: p->dir = 4; return EINVAL;
	case 10: p->dma_bits = DMACTL_BENCH_MIN_DMA_BITS - 1; return EINVAL;
	case 11: p->dma_bits = 65; return EINVAL;
	case 12: p->trans_ns = DMACTL_BENCH_MAX_TRANS_NS + 1; return EINVAL;
	case 13: p->warmup_ios = DMACTL_BENCH_MAX_WARMUP_IOS + 1; return EINVAL;
	case 14: p->ios = 0; return EINVAL;
	case 15: p->duration_ms = 100; return EINVAL;
	case 16:
		p->ios = 0;
		p->duration_ms = DMACTL_BENCH_MAX_DURATION_MS + 1;
		return EINVAL;
	case 17: p->ios = DMACTL_BENCH_MAX_IOS + 1; return EINVAL;
	case 18: p->span_pages = 64; return EINVAL;
	case 19: p->node = 1 << 20; return EINVAL;
	/* Off the granule: blk and tso only, never contiguous. */
	case 20: p->flags = DMACTL_BENCH_UNALIGNED; return EINVAL;
	case 21:
		p->mode = DMACTL_BENCH_BLK;
		p->flags = DMACTL_BENCH_UNALIGNED | DMACTL_BENCH_CONTIG;
		return EINVAL;
	case 22:
		p->mode = DMACTL_BENCH_GPUSVM;
		p->flags = DMACTL_BENCH_UNALIGNED;
		return EINVAL;
	/* A TSO packet goes to the device, in pages of its own. */
	case 23: p->mode = DMACTL_BENCH_TSO; return EINVAL;
	case 24:
		p->mode = DMACTL_BENCH_TSO;
		p->dir = DMACTL_DIR_TO_DEVICE;
		p->flags = DMACTL_BENCH_CONTIG;
		return EINVAL;
	case 25: p->mode = DMACTL_BENCH_GPUSVM; p->flags = DMACTL_BENCH_CONTIG; return EINVAL;
	default: return 0;
	}
}

TEST_F(bench, start_rejects_every_bad_parameter)
{
	struct dmactl_bench_start p;
	int i, err;

	for (i = 0; p = bench_params(DMACTL_BENCH_PHYS),
		    (err = bad_param(&p, i)); i++) {
		EXPECT_EQ(-err, _test_cmd_bench_start(self->fd, &p)) {
			TH_LOG("case %d", i);
		}
	}
	/* Sparse: the span must hold an I/O and stay bounded. */
	p = bench_params(DMACTL_BENCH_IOVA_SPARSE);
	p.span_pages = p.pages - 1;
	EXPECT_EQ(-EINVAL, _test_cmd_bench_start(self->fd, &p));
	p.span_pages = DMACTL_BENCH_MAX_SPAN_PAGES + 1;
	EXPECT_EQ(-EINVAL, _test_cmd_bench_start(self->fd, &p));
	EXPECT_EQ(0, dmactl_counter("live-benches"));
}

TEST_F(bench, dma_bits_refused_on_a_shared_device)
{
	struct dmactl_bench_start p = bench_params(DMACTL_BENCH_PHYS);

	p.dma_bits = 32;
	EXPECT_EQ(-EPERM, _test_cmd_bench_start(self->fd, &p));
}

TEST_F(bench, unknown_run_and_flags)
{
	struct dmactl_bench_result r;

	EXPECT_EQ(-ENOENT, _test_cmd_bench_result(self->fd, 12345, 0, &r));
	EXPECT_EQ(-ENOENT, _test_cmd_bench_free(self->fd, 12345));
	EXPECT_EQ(-EOPNOTSUPP, _test_cmd_bench_result(self->fd, 1, 1 << 5, &r));
}

struct bench_freer {
	pthread_t thread;
	int fd;
	__u32 last;
	volatile bool stop;
};

static void *free_every_run(void *arg)
{
	struct bench_freer *f = arg;
	__u32 id;

	while (!f->stop)
		for (id = 1; id <= f->last; id++)
			_test_cmd_bench_free(f->fd, id);
	return NULL;
}

/*
 * START wakes its threads before anyone can find the run by its ID: a
 * FREE of every ID it could get, racing it, never frees a run whose
 * threads are still to be woken (once: a NULL dereference in
 * try_to_wake_up).
 */
TEST_F(bench, start_races_free)
{
	struct bench_freer f = { .fd = self->fd, .last = 64 };
	struct dmactl_bench_start p;
	int i;

	ASSERT_EQ(0, pthread_create(&f.thread, NULL, free_every_run, &f));
	/* Many threads to wake: a wide window for the FREE to land in. */
	for (i = 0; i < 30; i++) {
		p = bench_params(DMACTL_BENCH_PHYS);
		p.threads = 32;
		p.pages = 1;
		p.warmup_ios = 0;
		p.ios = 1;
		EXPECT_EQ(0, _test_cmd_bench_start(self->fd, &p));
	}
	f.stop = true;
	pthread_join(f.thread, NULL);
	for (i = 1; i <= 64; i++)
		_test_cmd_bench_free(self->fd, i);
	EXPECT_EQ(0, dmactl_counter("live-benches"));
	EXPECT_EQ(0, dmactl_counter("bench-threads"));
}

/*
 * The same without luck: START's reply stalls on a write fault nobody
 * serves, and for as long as it stalls the run cannot be found -- FREE
 * and RESULT of every ID it could have are ENOENT.  Once the userfaultfd
 * is closed the write goes through, and the run appears with the ID the
 * reply gives; freeing it ends its threads.
 */
TEST_F_TIMEOUT(bench, stalled_start_reply_hides_the_run, 60)
{
	struct dmactl_bench_start p = bench_params(DMACTL_BENCH_PHYS);
	struct dmactl_bench_result r;
	struct dmactl_stalled st;
	void *mem;
	__u32 id;
	int uffd;

	uffd = dmactl_uffd_region(PAGE_SZ, UFFDIO_REGISTER_MODE_WP, &mem);
	if (uffd < 0)
		SKIP(return, "no userfaultfd write-protection here (%d)", uffd);
	p.ios = 0;
	p.duration_ms = DMACTL_BENCH_MAX_DURATION_MS;
	ASSERT_EQ(0, dmactl_uffd_wp_write(uffd, mem, &p, sizeof(p)));
	st = (struct dmactl_stalled){ .fd = self->fd, .req = DMACTL_BENCH_START, .arg = mem };
	ASSERT_EQ(0, pthread_create(&st.thread, NULL, dmactl_stalled_ioctl, &st));
	ASSERT_TRUE(dmactl_uffd_stalled(uffd));
	for (id = 1; id <= 64; id++) {
		EXPECT_EQ(-ENOENT, _test_cmd_bench_result(self->fd, id, 0, &r)) {
			TH_LOG("run %u was found while its reply stalled", id);
		}
		EXPECT_EQ(-ENOENT, _test_cmd_bench_free(self->fd, id)) {
			TH_LOG("run %u was freed while its reply stalled", id);
		}
	}
	close(uffd);	/* the write goes through */
	pthread_join(st.thread, NULL);
	ASSERT_EQ(0, st.ret);
	EXPECT_EQ(0, _test_cmd_bench_free(self->fd, ((struct dmactl_bench_start *)mem)->out_id));
	munmap(mem, PAGE_SZ);
	EXPECT_EQ(0, dmactl_counter("live-benches"));
	EXPECT_EQ(0, dmactl_counter("bench-threads"));
}

struct bench_waiter {
	pthread_t thread;
	int fd;
	__u32 id;
	int ret;
	struct dmactl_bench_result r;
};

static void *wait_for_run(void *arg)
{
	struct bench_waiter *w = arg;

	w->ret = _test_cmd_bench_result(w->fd, w->id, DMACTL_BENCH_WAIT, &w->r);
	return NULL;
}

/*
 * RESULT with WAIT reports the run it waited for: freed meanwhile, it is
 * gone (ENOENT), even when a new run started at once -- which never
 * takes the freed run's ID.
 */
TEST_F(bench, result_wait_sees_its_own_run)
{
	struct dmactl_bench_start p = bench_params(DMACTL_BENCH_PHYS), q;
	struct bench_waiter w = { .fd = self->fd };

	p.ios = 0;
	p.duration_ms = DMACTL_BENCH_MAX_DURATION_MS;
	q = p;
	test_cmd_bench_start(self->fd, &p);
	w.id = p.out_id;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, wait_for_run, &w));
	usleep(100000);
	test_cmd_bench_free(self->fd, p.out_id);
	test_cmd_bench_start(self->fd, &q);
	pthread_join(w.thread, NULL);
	EXPECT_NE(p.out_id, q.out_id);
	EXPECT_EQ(-ENOENT, w.ret) {
		TH_LOG("the waiter got state %u", w.r.out_state);
	}
	test_cmd_bench_free(self->fd, q.out_id);
}

FIXTURE(modes) {
	BENCH_FIXTURE_DATA;
};

FIXTURE_VARIANT(modes) {
	__u32 mode;
	__u32 flags;
	/* mapping calls and unmapping calls per I/O of 4 pages */
	unsigned int map_calls;
	unsigned int unmap_calls;
	/*
	 * bytes per I/O less 4 pages' (a caller's header or offsets: bytes
	 * below any page size, the same on every one)
	 */
	unsigned int trimmed;
	/*
	 * The callers' modes: ranges per I/O, each mapped and unmapped
	 * alone by the fallback where there is no usable IOVA; always, if
	 * @falls_back (a link the kernel would refuse).
	 */
	unsigned int ranges;
	bool falls_back;
	/* links made, then destroyed, before a refused one, given an IOVA */
	unsigned int abandoned;
};

FIXTURE_VARIANT_ADD(modes, phys) { DMACTL_BENCH_PHYS, 0, 4, 4 };
FIXTURE_VARIANT_ADD(modes, phys_contig) { DMACTL_BENCH_PHYS, DMACTL_BENCH_CONTIG, 1, 1 };
FIXTURE_VARIANT_ADD(modes, sg) { DMACTL_BENCH_SG, 0, 1, 1 };
FIXTURE_VARIANT_ADD(modes, iova) { DMACTL_BENCH_IOVA, 0, 4, 1 };
FIXTURE_VARIANT_ADD(modes, iova_contig) { DMACTL_BENCH_IOVA, DMACTL_BENCH_CONTIG, 1, 1 };
FIXTURE_VARIANT_ADD(modes, iova_reuse) { DMACTL_BENCH_IOVA_REUSE, 0, 4, 1 };
FIXTURE_VARIANT_ADD(modes, iova_sparse) { DMACTL_BENCH_IOVA_SPARSE, 0, 4, 4 };
FIXTURE_VARIANT_ADD(modes, blk) { DMACTL_BENCH_BLK, 0, 4, 1, 0, 4 };
FIXTURE_VARIANT_ADD(modes, blk_contig) { DMACTL_BENCH_BLK, DMACTL_BENCH_CONTIG, 1, 1, 0, 1 };
/* 512-byte sectors: the first range starts off the granule (try_alloc's phys). */
FIXTURE_VARIANT_ADD(modes, blk_unaligned) { DMACTL_BENCH_BLK, DMACTL_BENCH_UNALIGNED, 4, 1, 1024, 4 };
FIXTURE_VARIANT_ADD(modes, tso) { DMACTL_BENCH_TSO, 0, 4, 1, 128, 4 };
FIXTURE_VARIANT_ADD(modes, tso_unaligned) {
	DMACTL_BENCH_TSO, DMACTL_BENCH_UNALIGNED, 4, 1, 128 + 3 * 256, 4, true, 1 };
/* 4 pages: folios of order 0, 1 (2 clipped to fit), 0. */
FIXTURE_VARIANT_ADD(modes, gpusvm) { DMACTL_BENCH_GPUSVM, 0, 3, 1, 0, 3 };
FIXTURE_VARIANT_ADD(modes, premapped) { DMACTL_BENCH_PREMAPPED, 0, 0, 0, 0, 4 };

FIXTURE_SETUP(modes)
{
	open_attached(self);
}

FIXTURE_TEARDOWN(modes)
{
	dmactl_fixture_close(self);
}

static void expect_ordered(struct __test_metadata *_metadata,
			   const struct dmactl_bench_stat *s, __u64 ios)
{
	EXPECT_LT(0, s->min_ns);
	EXPECT_LE(s->min_ns, s->p50_ns);
	EXPECT_LE(s->p50_ns, s->p90_ns);
	EXPECT_LE(s->p90_ns, s->p99_ns);
	EXPECT_LE(s->p99_ns, s->max_ns);
	EXPECT_LE(s->min_ns, s->mean_ns);
	EXPECT_LE(s->mean_ns, s->max_ns);
	EXPECT_EQ(s->total_ns / ios, s->mean_ns);
}

/* iova, iova-reuse, iova-sparse: refused without a usable IOVA. */
static bool needs_iova(__u32 mode)
{
	return mode >= DMACTL_BENCH_IOVA && mode <= DMACTL_BENCH_IOVA_SPARSE;
}

/*
 * A counted run: exactly threads * ios timed I/Os, threads * warmup
 * untimed, one probe I/O per thread on an IOMMU; every call and byte
 * mapped is unmapped; every page of the probe where its caller computes
 * it while mapped, and nothing of it still translating after.  The
 * callers' modes take their fallback exactly where their caller would.
 */
TEST_F(modes, counted_run_unmaps_everything)
{
	struct dmactl_bench_start p = bench_params(variant->mode);
	struct dmactl_bench_result r;
	__u64 ios, all, io_bytes, fb = 0, map_calls, unmap_calls;

	p.flags = variant->flags;
	if (variant->mode == DMACTL_BENCH_TSO)
		p.dir = DMACTL_DIR_TO_DEVICE;
	if (needs_iova(variant->mode) && !self->iova_usable) {
		EXPECT_EQ(-EOPNOTSUPP, _test_cmd_bench_start(self->fd, &p));
		SKIP(return, "no DMA API domain: the IOVA modes are refused");
	}
	test_cmd_bench_start(self->fd, &p);
	EXPECT_EQ(1, dmactl_counter("live-benches"));
	test_cmd_bench_result(self->fd, p.out_id, DMACTL_BENCH_WAIT, &r);
	ASSERT_EQ(DMACTL_BENCH_DONE, r.out_state) {
		TH_LOG("error %u", r.out_error);
	}
	EXPECT_EQ(0, r.out_error);
	EXPECT_EQ(1000, r.out_progress);
	EXPECT_EQ(2, r.out_threads);
	ios = (__u64)p.threads * p.ios;
	io_bytes = p.pages * PAGE_SZ - variant->trimmed;
	EXPECT_EQ(ios, r.out_ios);
	EXPECT_EQ((__u64)p.threads * p.warmup_ios, r.out_warmup_ios);
	EXPECT_EQ(ios * io_bytes, r.out_bytes);
	all = ios + r.out_warmup_ios + (self->iommu ? p.threads : 0);
	map_calls = all * variant->map_calls;
	unmap_calls = all * variant->unmap_calls;
	if (variant->mode == DMACTL_BENCH_PREMAPPED) {
		/* Mapped once per thread, unmapped once: not per I/O. */
		all = 1;
		map_calls = unmap_calls = (__u64)p.threads * variant->ranges;
		io_bytes *= p.threads;
	} else if (variant->ranges && (variant->falls_back || !self->iova_usable)) {
		fb = all;
		map_calls = unmap_calls = all * variant->ranges;
		/* tso links the linear part, fails the fragment, destroys. */
		if (variant->abandoned && self->iova_usable) {
			map_calls += all * variant->abandoned;
			unmap_calls += all;
		}
	}
	EXPECT_EQ(fb, r.out_fallback_ios);
	EXPECT_EQ(map_calls, r.out_map_calls);
	EXPECT_EQ(unmap_calls, r.out_unmap_calls);
	EXPECT_EQ(all * io_bytes, r.out_mapped_bytes);
	EXPECT_EQ(r.out_mapped_bytes, r.out_unmapped_bytes);
	EXPECT_EQ(self->iommu ? (__u64)p.threads * p.pages : 0,
		  r.out_checked_addrs);
	EXPECT_EQ(0, r.out_wrong_addrs);
	EXPECT_EQ(0, r.out_stale_addrs);
	EXPECT_LT(0, r.out_elapsed_ns);
	EXPECT_LT(0, r.out_ios_per_sec);
	EXPECT_EQ(p.out_bookkeeping_bytes, r.out_bookkeeping_bytes);
	expect_ordered(_metadata, &r.out_map, ios);
	expect_ordered(_metadata, &r.out_unmap, ios);
	/* A result asked again is the same result. */
	{
		struct dmactl_bench_result again;

		test_cmd_bench_result(self->fd, p.out_id, 0, &again);
		EXPECT_EQ(0, memcmp(&r.out_state, &again.out_state,
				    sizeof(r) - offsetof(struct dmactl_bench_result,
							   out_state)));
	}
	test_cmd_bench_free(self->fd, p.out_id);
	EXPECT_EQ(-ENOENT, _test_cmd_bench_free(self->fd, p.out_id));
	EXPECT_EQ(0, dmactl_counter("live-benches"));
	EXPECT_EQ(0, dmactl_counter("bench-threads"));
}

/* A run as long as runs go: it ends only when stopped. */
static struct dmactl_bench_start long_run(__u32 mode, __u32 flags)
{
	struct dmactl_bench_start p = bench_params(mode);

	p.flags = flags;
	p.ios = 0;
	p.duration_ms = DMACTL_BENCH_MAX_DURATION_MS;
	if (mode == DMACTL_BENCH_TSO)
		p.dir = DMACTL_DIR_TO_DEVICE;
	return p;
}

/* A long run stopped early ends at once, with everything unmapped. */
TEST_F(modes, stop_ends_a_timed_run)
{
	struct dmactl_bench_start p = long_run(variant->mode, variant->flags);
	struct dmactl_bench_result r;

	if (needs_iova(variant->mode) && !self->iova_usable)
		SKIP(return, "no DMA API domain");
	test_cmd_bench_start(self->fd, &p);
	EXPECT_EQ(2, dmactl_counter("bench-threads"));
	test_cmd_bench_result(self->fd, p.out_id, 0, &r);
	EXPECT_EQ(DMACTL_BENCH_RUNNING, r.out_state);
	usleep(200000);
	test_cmd_bench_result(self->fd, p.out_id,
			      DMACTL_BENCH_STOP | DMACTL_BENCH_WAIT, &r);
	EXPECT_EQ(DMACTL_BENCH_DONE, r.out_state);
	EXPECT_LT(0, r.out_ios);
	EXPECT_GT(1000, r.out_progress);
	EXPECT_EQ(r.out_mapped_bytes, r.out_unmapped_bytes);
	EXPECT_EQ(0, r.out_stale_addrs);
}

/* FREE and close() of a running run wait for its threads to unmap. */
TEST_F(modes, free_and_close_while_running)
{
	struct dmactl_bench_start p = long_run(variant->mode, variant->flags);
	struct dmactl_bench_result r;

	if (needs_iova(variant->mode) && !self->iova_usable)
		SKIP(return, "no DMA API domain");
	test_cmd_bench_start(self->fd, &p);
	test_cmd_bench_free(self->fd, p.out_id);
	EXPECT_EQ(-ENOENT, _test_cmd_bench_result(self->fd, p.out_id, 0, &r));
	EXPECT_EQ(0, dmactl_counter("bench-threads"));
	/* The teardown's close() ends this one; it checks the counters. */
	test_cmd_bench_start(self->fd, &p);
}

/*
 * The DMA mask of a device bound to dmactl: refused while it has
 * objects, held for the run (no new objects meanwhile), restored after.
 */
TEST(mask_held_only_without_objects_and_restored)
{
	const char *dev = dmactl_test_excl_dev();
	struct dmactl_bench_start p = long_run(DMACTL_BENCH_PHYS, 0);
	struct dmactl_bench_result r;
	int fd, fd2, before;
	bool was_bound;
	__u32 buf;

	if (!dev)
		SKIP(return, "set DMACTL_SELFTESTS_EXCL_DEV to a driverless PCI device");
	was_bound = driver_is(dev, "dmactl");
	ASSERT_EQ(0, dmactl_bind_exclusive(dev));
	ASSERT_TRUE(wait_driver(dev, "dmactl"));
	before = pci_dma_mask_bits(dev);
	ASSERT_LT(0, before);
	fd = open(DMACTL_DEVICE, O_RDWR);
	fd2 = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	test_cmd_attach(fd, dev, NULL);
	test_cmd_attach(fd2, dev, NULL);

	p.dma_bits = before == 32 ? 40 : 32;
	test_cmd_buf_alloc(fd2, DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, &buf);
	EXPECT_EQ(-EBUSY, _test_cmd_bench_start(fd, &p));
	test_cmd_buf_free(fd2, buf);

	test_cmd_bench_start(fd, &p);
	EXPECT_EQ((int)p.dma_bits, pci_dma_mask_bits(dev));
	EXPECT_EQ(-EBUSY, _test_cmd_buf_alloc(fd2, DMACTL_BUF_KERNEL, 0, PAGE_SZ,
					      NULL, &buf));
	EXPECT_EQ(-EBUSY, _test_cmd_bench_start(fd2, &p));
	test_cmd_bench_result(fd, p.out_id,
			      DMACTL_BENCH_STOP | DMACTL_BENCH_WAIT, &r);
	EXPECT_EQ(DMACTL_BENCH_DONE, r.out_state);
	EXPECT_EQ(r.out_mapped_bytes, r.out_unmapped_bytes);
	/* Ended but not freed: the mask is still the run's. */
	EXPECT_EQ((int)p.dma_bits, pci_dma_mask_bits(dev));
	test_cmd_bench_free(fd, p.out_id);
	EXPECT_EQ(before, pci_dma_mask_bits(dev));
	test_cmd_buf_alloc(fd2, DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, &buf);

	/* Closing the file restores it as well. */
	test_cmd_buf_free(fd2, buf);
	test_cmd_bench_start(fd, &p);
	close(fd);
	EXPECT_EQ(before, pci_dma_mask_bits(dev));
	close(fd2);
	dmactl_expect_no_leaks();
	dmactl_unbind_exclusive(dev, was_bound);
}

/*
 * The device going away in the middle of a run: unbinding it from dmactl
 * revokes the run, whose threads unmap and end before the unbind
 * returns; the file then gets ENODEV and the counters are zero.
 */
TEST(unbind_revokes_a_running_run)
{
	const char *dev = dmactl_test_excl_dev();
	struct dmactl_bench_start p = long_run(DMACTL_BENCH_PHYS, 0);
	struct dmactl_bench_result r;
	bool was_bound;
	int fd;

	if (!dev)
		SKIP(return, "set DMACTL_SELFTESTS_EXCL_DEV to a driverless PCI device");
	was_bound = driver_is(dev, "dmactl");
	ASSERT_EQ(0, dmactl_bind_exclusive(dev));
	ASSERT_TRUE(wait_driver(dev, "dmactl"));
	fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	test_cmd_attach(fd, dev, NULL);
	test_cmd_bench_start(fd, &p);
	EXPECT_EQ(2, dmactl_counter("bench-threads"));
	ASSERT_EQ(0, sysfs_put(PCI "/drivers/dmactl/unbind", dev));
	EXPECT_EQ(0, dmactl_counter("bench-threads"));
	EXPECT_EQ(0, dmactl_counter("live-benches"));
	EXPECT_EQ(-ENODEV, _test_cmd_bench_result(fd, p.out_id, 0, &r));
	close(fd);
	dmactl_expect_no_leaks();
	if (was_bound) {
		ASSERT_EQ(0, dmactl_bind_exclusive(dev));
		ASSERT_TRUE(wait_driver(dev, "dmactl"));
	}
	dmactl_unbind_exclusive(dev, was_bound);
}

DMACTL_TEST_MAIN
