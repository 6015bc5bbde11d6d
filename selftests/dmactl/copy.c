// SPDX-License-Identifier: GPL-2.0
/*
 * Data a device really moved.  QEMU's edu device, bound to dmactl
 * ($DMACTL_SELFTESTS_EXCL_DEV), copies two pages' worth of bytes (8 KiB
 * with 4 KiB pages) from the middle of a page on, across two page
 * boundaries, from one mapping to another -- IOVA links on IOMMU
 * profiles, dma_map_phys() mappings without one -- with every memory kind
 * as source and as destination.  Each copy is checked three ways: the
 * module's byte-by-byte compare and guard bytes, and crc32c of the whole
 * destination buffer taken by this test before and after.
 *
 * The edu masks every DMA address to its 28 bits.  Without an IOMMU the
 * memory must lie below 256 MiB or bounce through a swiotlb it can reach;
 * when neither holds the module refuses the mapping with EIO (dma-direct
 * would WARN), and that refusal is what the test then asserts, with the
 * page frame numbers from /proc/self/pagemap deciding which to expect.
 *
 * Then the rules of the copy op: unsynced ranges (EAGAIN), links in the
 * wrong direction, overlapping memory, links busy while the engine runs
 * (EBUSY), and on IOMMU profiles a device write to IOVA that was unlinked:
 * the IOMMU must block it (a fault in the kernel log, between markers
 * the VM runner accepts) and the pages once behind it must not change.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "dmactl_test.h"

#define SZ_1M		(1ULL << 20)
#define BUF_LEN		DMACTL_MEM_LEN
#define LINK_BOFF	(SZ_1M - PAGE_SZ)	/* linked: 3 pages from here */
#define LINK_LEN	(3 * PAGE_SZ)
#define COPY_OFF	(PAGE_SZ / 2)	/* IOVA offset of the copy */
#define COPY_LEN	(2 * PAGE_SZ)
/* The edu's buffer: its longest transfer, on any page size. */
#define EDU_MAX_TRANSFER 4096ULL

/* Is every page of [addr, addr + len) below the DMA mask? (root only) */
static bool user_reachable(void *addr, size_t len, __u64 mask)
{
	const __u64 pg = PAGE_SZ;	/* pagemap's unit, and its PFNs' */
	uintptr_t p;
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	bool ok = fd >= 0;

	for (p = (uintptr_t)addr; ok && p < (uintptr_t)addr + len; p += pg) {
		if (pread(fd, &e, 8, p / pg * 8) != 8 || !(e >> 63))
			ok = false;
		else if (((e & ((1ULL << 55) - 1)) + 1) * pg - 1 > mask)
			ok = false;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * The pieces the edu copies [off, off + len) of a buffer in, when device
 * addresses run on within each page: a piece ends at a page end and at
 * the edu's longest transfer.  3 for the copy here with 4 KiB pages, 8
 * with 16 KiB ones.
 */
static __u64 edu_pieces(__u64 off, __u64 len)
{
	const __u64 pg = PAGE_SZ;
	__u64 end = off + len, n, pieces = 0;

	while (off < end) {
		n = pg - off % pg;
		if (n > end - off)
			n = end - off;
		if (n > EDU_MAX_TRANSFER)
			n = EDU_MAX_TRANSFER;
		off += n;
		pieces++;
	}
	return pieces;
}

FIXTURE(copy) {
	int fd;
	struct dmactl_attach dev;
	bool iommu;
	bool forced;
	struct dmactl_mem src, dst;
	__u32 siova, diova;
};

FIXTURE_VARIANT(copy) {
	enum dmactl_mem_kind src;
	enum dmactl_mem_kind dst;
};

#define COPY_VARIANT(name, s, d) \
	FIXTURE_VARIANT_ADD(copy, name) { .src = s, .dst = d }

COPY_VARIANT(kernel0_to_kernel0, MEM_KERNEL_0, MEM_KERNEL_0);
COPY_VARIANT(kernel9_to_kernel0, MEM_KERNEL_9, MEM_KERNEL_0);
COPY_VARIANT(anon_to_kernel0, MEM_USER_ANON, MEM_KERNEL_0);
COPY_VARIANT(thp_to_kernel0, MEM_USER_THP, MEM_KERNEL_0);
COPY_VARIANT(hugetlb_to_kernel0, MEM_USER_HUGETLB, MEM_KERNEL_0);
COPY_VARIANT(memfd_to_kernel0, MEM_USER_MEMFD, MEM_KERNEL_0);
COPY_VARIANT(kernel0_to_kernel9, MEM_KERNEL_0, MEM_KERNEL_9);
COPY_VARIANT(kernel0_to_anon, MEM_KERNEL_0, MEM_USER_ANON);
COPY_VARIANT(kernel0_to_thp, MEM_KERNEL_0, MEM_USER_THP);
COPY_VARIANT(kernel0_to_hugetlb, MEM_KERNEL_0, MEM_USER_HUGETLB);
COPY_VARIANT(kernel0_to_memfd, MEM_KERNEL_0, MEM_USER_MEMFD);

/* Attach to the bound edu; *skip is set when there is none. */
static int edu_open(struct dmactl_attach *dev, bool *skip)
{
	const char *name = dmactl_test_excl_dev();
	int fd;

	*skip = true;
	if (!name || dmactl_bind_exclusive(name) || !wait_driver(name, "dmactl"))
		return -1;
	fd = open(DMACTL_DEVICE, O_RDWR);
	if (fd < 0)
		return -1;
	if (_test_cmd_attach(fd, name, dev)) {
		close(fd);
		return -1;
	}
	*skip = false;
	return fd;
}

FIXTURE_SETUP(copy)
{
	bool skip;

	self->fd = edu_open(&self->dev, &skip);
	if (skip)
		SKIP(return, "no edu device bound to dmactl (DMACTL_SELFTESTS_EXCL_DEV)");
	self->iommu = self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE;
	self->forced = kernel_cmdline_has("swiotlb=force");
}

FIXTURE_TEARDOWN(copy)
{
	if (self->fd < 0)
		return;
	dmactl_mem_drop(self->fd, &self->src);
	dmactl_mem_drop(self->fd, &self->dst);
	close(self->fd);
	/* No taint at all, not only none since the setup. */
	dmactl_teardown_check(0);
	EXPECT_EQ(0, dmactl_counter("inflight"));
}

/*
 * Link a buffer's three pages around 1 MiB, or find it refused as the
 * device's reach says it must be.  Returns false when it was (rightly)
 * refused.
 */
static bool link_or_refused(struct __test_metadata *_metadata,
			    FIXTURE_DATA(copy) *self, struct dmactl_mem *m,
			    __u32 *iova, __u32 dir)
{
	struct dmactl_iova_alloc ia;
	bool reach = true;
	long before;
	int ret;

	test_cmd_iova_alloc(self->fd, LINK_LEN, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	*iova = ia.out_id;
	if (!self->iommu && !self->forced && m->addr)
		reach = user_reachable((char *)m->addr + LINK_BOFF, LINK_LEN,
				       self->dev.out_dma_mask);
	before = dmactl_rejections("unreachable");
	ret = _test_cmd_iova_link(self->fd, *iova, m->id, LINK_BOFF, 0, LINK_LEN, dir, 0);
	if (reach) {
		EXPECT_EQ(0, ret);
		return !ret;
	}
	TH_LOG("%s memory lies beyond the edu's %u-bit mask: refused",
	       dmactl_mem_names[m->kind], self->dev.out_dma_mask_bits);
	EXPECT_EQ(-EIO, ret);
	EXPECT_EQ(before + 1, dmactl_rejections("unreachable"));
	return false;
}

TEST_F_TIMEOUT(copy, moves_data, 120)
{
	__u32 before_lo, before_hi, lo_len = LINK_BOFF + COPY_OFF;
	__u64 hi_off = LINK_BOFF + COPY_OFF + COPY_LEN;
	struct dmactl_copy out;
	int ret;

	ret = dmactl_mem_make(self->fd, variant->src, true, &self->src);
	if (ret == -ENOMEM && variant->src != MEM_KERNEL_0)
		SKIP(return, "no %s memory here", dmactl_mem_names[variant->src]);
	ASSERT_EQ(0, ret);
	ret = dmactl_mem_make(self->fd, variant->dst, true, &self->dst);
	if (ret == -ENOMEM && variant->dst != MEM_KERNEL_0)
		SKIP(return, "no %s memory here", dmactl_mem_names[variant->dst]);
	ASSERT_EQ(0, ret);
	test_cmd_buf_fill(self->fd, self->src.id, 0, BUF_LEN, 1);
	test_cmd_buf_fill(self->fd, self->dst.id, 0, BUF_LEN, 2);

	if (!link_or_refused(_metadata, self, &self->src, &self->siova,
			     DMACTL_DIR_TO_DEVICE) ||
	    !link_or_refused(_metadata, self, &self->dst, &self->diova,
			     DMACTL_DIR_FROM_DEVICE))
		goto out;
	test_cmd_iova_sync(self->fd, self->siova, 0, LINK_LEN);
	test_cmd_iova_sync(self->fd, self->diova, 0, LINK_LEN);
	before_lo = dmactl_buf_crc(self->fd, self->dst.id, 0, lo_len);
	before_hi = dmactl_buf_crc(self->fd, self->dst.id, hi_off, BUF_LEN - hi_off);

	test_cmd_copy(self->fd, self->siova, COPY_OFF, self->diova, COPY_OFF,
		      COPY_LEN, 0, &out);
	EXPECT_EQ(DMACTL_ENGINE_EDU, out.out_engine);
	/* Pieces end at page ends and at the edu's 4 KiB. */
	EXPECT_EQ(edu_pieces(LINK_BOFF + COPY_OFF, COPY_LEN), out.out_transfers);
	EXPECT_EQ(0, out.out_mismatches);
	EXPECT_EQ(0, out.out_guard_damage);
	/* Our own check: the range equals the source, the rest is as it was. */
	EXPECT_EQ(dmactl_buf_crc(self->fd, self->src.id, LINK_BOFF + COPY_OFF, COPY_LEN),
		  dmactl_buf_crc(self->fd, self->dst.id, LINK_BOFF + COPY_OFF, COPY_LEN));
	EXPECT_EQ(before_lo, dmactl_buf_crc(self->fd, self->dst.id, 0, lo_len));
	EXPECT_EQ(before_hi, dmactl_buf_crc(self->fd, self->dst.id, hi_off, BUF_LEN - hi_off));
	EXPECT_NE(dmactl_buf_crc(self->fd, self->src.id, 0, BUF_LEN),
		  dmactl_buf_crc(self->fd, self->dst.id, 0, BUF_LEN));
out:
	;	/* closing the file in the teardown takes the rest down */
}

/* ---- the rules of the copy op ---- */

FIXTURE(copy_rules) {
	int fd;
	struct dmactl_attach dev;
	__u32 a, b, sa, sb;
};

/*
 * A file on the edu with two filled buffers a, b and two IOVA objects sa,
 * sb; -1 (with *skip) when there is no edu.
 */
static int copy_rules_open(struct __test_metadata *_metadata,
			   FIXTURE_DATA(copy_rules) *self, bool *skip)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_iova_alloc ia;

	self->fd = edu_open(&self->dev, skip);
	if (*skip)
		return -1;
	if (_test_cmd_buf_alloc_flags(self->fd, DMACTL_BUF_KERNEL, 0, 4 * pg,
				      NULL, DMACTL_BUF_ALLOC_REACHABLE, &self->a) ||
	    _test_cmd_buf_alloc_flags(self->fd, DMACTL_BUF_KERNEL, 0, 4 * pg,
				      NULL, DMACTL_BUF_ALLOC_REACHABLE, &self->b) ||
	    _test_cmd_buf_fill(self->fd, self->a, 0, 4 * pg, 11) ||
	    _test_cmd_buf_fill(self->fd, self->b, 0, 4 * pg, 12) ||
	    _test_cmd_iova_alloc(self->fd, 4 * pg, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia))
		return -1;
	self->sa = ia.out_id;
	if (_test_cmd_iova_alloc(self->fd, 4 * pg, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia))
		return -1;
	self->sb = ia.out_id;
	return 0;
}

static int copy_rules_reopen(struct __test_metadata *_metadata,
			    FIXTURE_DATA(copy_rules) *self)
{
	bool skip;

	return copy_rules_open(_metadata, self, &skip);
}

FIXTURE_SETUP(copy_rules)
{
	bool skip;
	int ret = copy_rules_open(_metadata, self, &skip);

	if (skip)
		SKIP(return, "no edu device bound to dmactl (DMACTL_SELFTESTS_EXCL_DEV)");
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(copy_rules)
{
	if (self->fd < 0)
		return;
	close(self->fd);
	/* No taint at all, not only none since the setup. */
	dmactl_teardown_check(0);
	EXPECT_EQ(0, dmactl_counter("inflight"));
}

TEST_F(copy_rules, unsynced_is_refused)
{
	const __u64 pg = PAGE_SZ;
	long before = dmactl_rejections("M20");

	test_cmd_iova_link(self->fd, self->sa, self->a, 0, 0, pg, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sa, 0, pg);
	test_err_copy(EAGAIN, self->fd, self->sa, 0, self->sb, 0, pg, 0, NULL);
	EXPECT_EQ(before + 1, dmactl_rejections("M20"));
	test_cmd_iova_sync(self->fd, self->sb, 0, pg);
	test_cmd_copy(self->fd, self->sa, 0, self->sb, 0, pg, 0, NULL);
	EXPECT_EQ(dmactl_buf_crc(self->fd, self->a, 0, pg), dmactl_buf_crc(self->fd, self->b, 0, pg));
}

TEST_F(copy_rules, direction_unlinked_overlap)
{
	const __u64 pg = PAGE_SZ;
	long before = dmactl_rejections("copy_dir");

	/* The device may not write through a TO_DEVICE link, nor read FROM. */
	test_cmd_iova_link(self->fd, self->sa, self->a, 0, 0, 2 * pg,
			   DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sa, 0, 2 * pg);
	test_cmd_iova_sync(self->fd, self->sb, 0, pg);
	test_err_copy(EINVAL, self->fd, self->sb, 0, self->sa, 0, pg, 0, NULL);
	EXPECT_EQ(before + 1, dmactl_rejections("copy_dir"));
	/* A range with no link behind it. */
	test_err_copy(ENOENT, self->fd, self->sa, 0, self->sb, pg, pg, 0, NULL);
	test_err_copy(ERANGE, self->fd, self->sa, 0, self->sb, 4 * pg, 1, 0, NULL);
	test_err_copy(EINVAL, self->fd, self->sa, 0, self->sb, 0, 0, 0, NULL);
	test_err_copy(EOPNOTSUPP, self->fd, self->sa, 0, self->sb, 0, pg,
		      1U << 31, NULL);
	/* Overlapping memory: both links over buffer a. */
	test_cmd_iova_unlink(self->fd, self->sb, 0, pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_link(self->fd, self->sb, self->a, 0, 0, pg, DMACTL_DIR_BIDIRECTIONAL, 0);
	test_cmd_iova_sync(self->fd, self->sb, 0, pg);
	test_err_copy(EINVAL, self->fd, self->sa, 0, self->sb, 0, pg, 0, NULL);
}

struct busy_copy {
	int fd;
	__u32 src, dst;
	int ret;
};

static void *run_copy(void *arg)
{
	struct busy_copy *c = arg;

	c->ret = _test_cmd_copy(c->fd, c->src, 0, c->dst, 0, 4 * PAGE_SZ, 0,
				NULL);
	return NULL;
}

TEST_F_TIMEOUT(copy_rules, busy_while_copying, 60)
{
	struct busy_copy c = { .fd = self->fd, .src = self->sa, .dst = self->sb };
	const __u64 pg = PAGE_SZ;
	pthread_t th;
	int ret;

	test_cmd_iova_link(self->fd, self->sa, self->a, 0, 0, 4 * pg, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, 4 * pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sa, 0, 4 * pg);
	test_cmd_iova_sync(self->fd, self->sb, 0, 4 * pg);
	ASSERT_EQ(0, pthread_create(&th, NULL, run_copy, &c));
	/*
	 * Two edu transfers of 100 ms per piece of at most 4 KiB, eight or
	 * more: still running after 150 ms.
	 */
	usleep(150000);
	ret = _test_cmd_iova_unlink(self->fd, self->sb, 0, 4 * pg, DMACTL_DIR_FROM_DEVICE, 0);
	if (ret != -EBUSY)
		TH_LOG("unlink during the copy gave %d", ret);
	EXPECT_EQ(-EBUSY, ret);
	EXPECT_EQ(-EBUSY, _test_cmd_iova_free(self->fd, self->sa));
	pthread_join(th, NULL);
	ASSERT_EQ(0, c.ret);
	EXPECT_EQ(dmactl_buf_crc(self->fd, self->a, 0, 4 * pg), dmactl_buf_crc(self->fd, self->b, 0, 4 * pg));
	test_cmd_iova_unlink(self->fd, self->sb, 0, 4 * pg, DMACTL_DIR_FROM_DEVICE, 0);
}

/*
 * Is @rec arm-smmu-v3's report of an access the SMMU blocked?  For each
 * event it prints (dev_err, all of it skipped past 10 events in 5 s, which
 * a later "arm_smmu_dump_event: N callbacks suppressed" counts):
 *
 *   arm-smmu-v3 SMMU: event 0x10 received:
 *   arm-smmu-v3 SMMU: \t0x%016llx                     (four raw words)
 *   arm-smmu-v3 SMMU: event: F_TRANSLATION client: 0000:00:02.0 sid: 0x10
 *                     ssid: 0x0 iova: 0xffd0000 ipa: 0x0     (one line)
 *   arm-smmu-v3 SMMU: unpriv data write s1 "Input address caused fault"
 *                     stag: 0x0
 *
 * SMMU is the SMMU's device: arm-smmu-v3.N.auto under ACPI (IORT), the
 * node's name (9050000.smmuv3) under DT; /dev/kmsg shows the tab as \x09.
 * The four events of an access (IDs 0x10..0x13) print the IOVA; the
 * others are configuration errors, no fault of this copy's.
 */
static bool smmu_v3_fault(const char *rec)
{
	static const char *const events[] = {
		": event: F_TRANSLATION client: ", ": event: F_ADDR_SIZE client: ",
		": event: F_ACCESS client: ", ": event: F_PERMISSION client: ",
	};
	size_t i;

	if (!strstr(rec, "arm-smmu-v3 "))
		return false;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strstr(rec, events[i]))
			return true;
	return false;
}

/* Did the kernel log an IOMMU fault after the last BEGIN marker? */
static bool fault_logged(void)
{
	char rec[2048];
	bool in = false, seen = false;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return false;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n < 0)
			continue;
		rec[n] = '\0';
		if (strstr(rec, "DMACTL-EXPECT-FAULT-BEGIN")) {
			in = true;
			seen = false;
		} else if (in && (strstr(rec, "DMAR: [DMA") || strstr(rec, "IO_PAGE_FAULT") ||
				  strstr(rec, "AMD-Vi: Event logged") ||
				  smmu_v3_fault(rec) ||
				  (strstr(rec, "iommu") && strstr(rec, "fault")))) {
			seen = true;
		}
	}
	close(fd);
	return seen;
}

TEST_F_TIMEOUT(copy_rules, write_to_unlinked_iova_is_blocked, 60)
{
	const __u64 pg = PAGE_SZ;
	__u32 before_b, before_tail;
	long writes = dmactl_counter("unlinked-writes");
	struct dmactl_nl_event ev;
	struct dmactl_nl *mon;
	int i;

	if (!(self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE))
		SKIP(return, "no IOMMU translates for the edu here");
	test_cmd_iova_link(self->fd, self->sa, self->a, 0, 0, pg, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sa, 0, pg);
	/* b was linked at sb's offset 0, and is no longer. */
	test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, 4 * pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sb, 0, 4 * pg);
	test_cmd_iova_unlink(self->fd, self->sb, 0, 4 * pg, DMACTL_DIR_FROM_DEVICE, 0);
	before_b = dmactl_buf_crc(self->fd, self->b, 0, pg);
	before_tail = dmactl_buf_crc(self->fd, self->b, pg, 3 * pg);

	/* Not linked: refused, unless the flag says the caller means it. */
	test_err_copy(ENOENT, self->fd, self->sa, 0, self->sb, 0, pg, 0, NULL);
	ASSERT_EQ(0, dmactl_nl_open(&mon));
	ASSERT_EQ(0, dmactl_nl_subscribe(mon));
	dmactl_kmsg("DMACTL-EXPECT-FAULT-BEGIN copy to unlinked IOVA\n");
	test_cmd_copy(self->fd, self->sa, 0, self->sb, 0, pg,
		      DMACTL_COPY_DST_UNLINKED, NULL);
	/* The events group says a fault was injected, and where. */
	ASSERT_EQ(0, dmactl_nl_event_wait(mon, 5000, &ev));
	dmactl_nl_close(mon);
	EXPECT_EQ(DMACTL_EVENT_TYPE_FAULT_INJECTED, ev.val[DMACTL_A_EVENT_TYPE]);
	EXPECT_EQ(self->sb, ev.val[DMACTL_A_EVENT_IOVA_ID]);
	EXPECT_EQ(0, ev.val[DMACTL_A_EVENT_OFFSET]);
	EXPECT_EQ(pg, ev.val[DMACTL_A_EVENT_LENGTH]);
	EXPECT_EQ(getpid(), ev.val[DMACTL_A_EVENT_PID]);
	/* The fault is reported asynchronously by the IOMMU driver. */
	for (i = 0; i < 20 && !fault_logged(); i++)
		usleep(100000);
	dmactl_kmsg("DMACTL-EXPECT-FAULT-END\n");
	EXPECT_TRUE(fault_logged());
	EXPECT_EQ(before_b, dmactl_buf_crc(self->fd, self->b, 0, pg));
	EXPECT_EQ(before_tail, dmactl_buf_crc(self->fd, self->b, pg, 3 * pg));
	EXPECT_NE(dmactl_buf_crc(self->fd, self->a, 0, pg), dmactl_buf_crc(self->fd, self->b, 0, pg));
	EXPECT_EQ(writes + 1, dmactl_counter("unlinked-writes"));
	/* Linked again, the same copy goes through. */
	test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sb, 0, pg);
	test_cmd_copy(self->fd, self->sa, 0, self->sb, 0, pg, 0, NULL);
	EXPECT_EQ(dmactl_buf_crc(self->fd, self->a, 0, pg), dmactl_buf_crc(self->fd, self->b, 0, pg));
}

/*
 * A copy that timed out may still be running in the engine: its objects
 * stay busy (EBUSY) and their memory held until the engine is idle, and
 * closing the file waits for that -- once, the IOVA was unlinked under
 * the running transfer (an IOMMU fault; without an IOMMU, DMA to freed
 * pages).  The engine then copies again.
 */
TEST_F_TIMEOUT(copy_rules, timed_out_copy_keeps_its_memory, 60)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_copy c = {
		.size = sizeof(c), .src_iova_id = self->sa, .dst_iova_id = self->sb,
		.length = pg, .timeout_ms = 1,
	};
	int ret, i;

	test_cmd_iova_link(self->fd, self->sa, self->a, 0, 0, pg, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sa, 0, pg);
	test_cmd_iova_sync(self->fd, self->sb, 0, pg);
	/* An edu transfer takes 100 ms: 1 ms is never enough. */
	ASSERT_EQ(-ETIMEDOUT, dmactl_ioc(self->fd, DMACTL_COPY, &c));
	ret = _test_cmd_iova_unlink(self->fd, self->sa, 0, pg, DMACTL_DIR_TO_DEVICE, 0);
	TH_LOG("unlink right after the timeout: %d", ret);
	EXPECT_TRUE(ret == -EBUSY || ret == 0);
	/* Closed at once: release waits for the engine, then unlinks. */
	close(self->fd);
	EXPECT_EQ(0, dmactl_counter("live-links"));
	EXPECT_EQ(0, dmactl_counter("inflight"));

	/* Idle again, the engine copies. */
	ASSERT_EQ(0, copy_rules_reopen(_metadata, self));
	test_cmd_iova_link(self->fd, self->sa, self->a, 0, 0, pg, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, pg, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sa, 0, pg);
	test_cmd_iova_sync(self->fd, self->sb, 0, pg);
	for (i = 0; i < 50; i++) {
		ret = _test_cmd_copy(self->fd, self->sa, 0, self->sb, 0, pg, 0, NULL);
		if (ret != -EBUSY)
			break;
		usleep(100000);
	}
	ASSERT_EQ(0, ret);
	EXPECT_EQ(dmactl_buf_crc(self->fd, self->a, 0, pg), dmactl_buf_crc(self->fd, self->b, 0, pg));
}

struct unlinked_copy {
	pthread_t thread;
	int fd;
	__u32 src, dst;
	int ret;
};

static void *run_unlinked_copy(void *arg)
{
	struct unlinked_copy *c = arg;

	c->ret = _test_cmd_copy(c->fd, c->src, 0, c->dst, 0, 4 * PAGE_SZ,
				DMACTL_COPY_DST_UNLINKED, NULL);
	return NULL;
}

/*
 * While a copy writes to unlinked IOVA (the IOMMU must block it), no link
 * may be made in that object: it would take the writes meant to fault.
 */
TEST_F_TIMEOUT(copy_rules, link_waits_for_a_copy_into_unlinked_iova, 60)
{
	struct unlinked_copy c = { .fd = self->fd, .src = self->sa, .dst = self->sb };
	const __u64 pg = PAGE_SZ;
	__u32 before;
	int i, ret;

	if (!(self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE))
		SKIP(return, "no IOMMU translates for the edu here");
	test_cmd_iova_link(self->fd, self->sa, self->a, 0, 0, 4 * pg, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_sync(self->fd, self->sa, 0, 4 * pg);
	before = dmactl_buf_crc(self->fd, self->b, 0, 4 * pg);
	dmactl_kmsg("DMACTL-EXPECT-FAULT-BEGIN copy to unlinked IOVA while linking\n");
	ASSERT_EQ(0, pthread_create(&c.thread, NULL, run_unlinked_copy, &c));
	for (i = 0; i < 500 && !dmactl_counter("inflight"); i++)
		usleep(1000);
	ret = _test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, 4 * pg,
				  DMACTL_DIR_FROM_DEVICE, 0);
	pthread_join(c.thread, NULL);
	for (i = 0; i < 20 && !fault_logged(); i++)
		usleep(100000);
	dmactl_kmsg("DMACTL-EXPECT-FAULT-END\n");
	EXPECT_EQ(0, c.ret);
	EXPECT_EQ(-EBUSY, ret);
	EXPECT_EQ(before, dmactl_buf_crc(self->fd, self->b, 0, 4 * pg));
	/* The copy over, the link is made. */
	test_cmd_iova_link(self->fd, self->sb, self->b, 0, 0, 4 * pg, DMACTL_DIR_FROM_DEVICE, 0);
}

DMACTL_TEST_MAIN
