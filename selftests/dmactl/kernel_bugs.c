// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel bugs dmactl found, each provoked on purpose and expected by name
 * on kernels that have it: the WARN it raises is declared to the VM
 * runner in advance (DMACTL-EXPECT-WARN) and printed as an expected
 * failure of the kernel (XFAIL); on a kernel with the fix the test passes
 * with nothing to report.  (The bugs found under fault injection are
 * fail_nth's.)
 *
 * An unmap ending at 2^64 WARNs under iommu.debug_pagealloc.
 * __iommu_debug_update_iova() (drivers/iommu/iommu-debug-pagealloc.c)
 * refuses a range with check_add_overflow(iova, size), which counts the
 * end of the address space as an overflow.  Such ranges are ordinary
 * where the IOVA space reaches 2^64 -- AMD-Vi's v1 page table and a
 * device with a 64-bit DMA mask: once the device has left the 32-bit
 * space ("Using 64-bit DMA addresses", after one allocation there failed,
 * even for want of memory), the DMA layer hands out IOVA from the top
 * down, and every unmap of the top range, by any driver, WARNs.  The test
 * bed met it as nvme's unmap under fio, after a fault injected by
 * fail_nth had moved the controller out of the 32-bit space.  The unmap
 * it refuses also skips its bookkeeping: the page's count of IOMMU
 * mappings stays one too high, and freeing the page WARNs again, later
 * ("Detected page leak", __iommu_debug_check_unmapped()).
 *
 * Bugs others found, which the suite must catch where a kernel has them
 * (make mutants reintroduces them): block_requests_off_the_iova_path.
 */
#include <glob.h>
#include <sys/uio.h>

#include "dmactl_test.h"

/*
 * A page of a tmpfs file never removed: the page cache keeps it, so the
 * page the bug leaves miscounted is never freed, until the machine
 * reboots (removing the file would free it and WARN).
 */
#define KEPT_PAGE_FILE "/dev/shm/dmactl-kernel-bugs-kept-page"

#define TOP_UNMAP_WARN_FUNCS "__iommu_debug_update_iova"
#define TOP_UNMAP_WARN_WHY "iommu-debug-pagealloc takes an unmap ending at 2^64 for an overflow"

DMACTL_FILE_FIXTURE(kernel_bugs);

/* A page of KEPT_PAGE_FILE, mapped shared; NULL on failure. */
static void *kept_page(void)
{
	int fd = open(KEPT_PAGE_FILE, O_RDWR | O_CREAT, 0600);
	void *p;

	if (fd < 0)
		return NULL;
	if (ftruncate(fd, PAGE_SZ)) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0x5a, PAGE_SZ);
	return p;
}

/*
 * A 4 GiB IOVA allocation cannot fit below 4 GiB: the device leaves the
 * 32-bit space, and its IOVA comes from the top of its space down.  The
 * kept page is linked at the last page of it and unlinked; where the
 * space ends at 2^64, the unlink is the unmap the bug WARNs on.  The
 * device is then probed again (removed, rescanned), which brings it back
 * to the 32-bit space.
 */
TEST_F_TIMEOUT(kernel_bugs, unmap_ending_at_2_64, 120)
{
	const char *dev = dmactl_test_dev();
	const __u64 pg = PAGE_SZ;
	struct dmactl_iova_alloc ia;
	bool warned = false;
	char why[256];
	void *page;
	__u64 end;
	__u32 buf;
	int ret, was = 0;

	if (!(self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE))
		SKIP(return, "the IOVA API is not usable here");
	if (!kernel_cmdline_has("iommu.debug_pagealloc=1"))
		SKIP(return, "iommu.debug_pagealloc is off: nothing checks the unmap");
	if (!dmactl_expendable(dev, why, sizeof(why)))
		SKIP(return, "the device is probed again afterwards, which needs it expendable: %s",
		     why);
	ret = _test_cmd_iova_alloc(self->fd, 4ULL << 30, 0, 0, &ia);
	if (ret)
		SKIP(return, "no 4 GiB of IOVA for this device (%s)", strerrorname_np(-ret));
	page = kept_page();
	ASSERT_NE(NULL, page);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_USER, 0, pg, page, &buf);
	test_cmd_iova_link(self->fd, ia.out_id, buf, 0, (4ULL << 30) - pg, pg,
			   DMACTL_DIR_TO_DEVICE, 0);
	end = ia.out_dma_addr + (4ULL << 30);	/* 0 at the end of 64 bits */
	TH_LOG("4 GiB of IOVA at %#llx", (unsigned long long)ia.out_dma_addr);
	if (!end) {
		was = dmactl_expect_warn_begin(TOP_UNMAP_WARN_FUNCS, TOP_UNMAP_WARN_WHY);
		ASSERT_LE(0, was);
	}
	ret = _test_cmd_iova_unlink(self->fd, ia.out_id, (4ULL << 30) - pg, pg,
				    DMACTL_DIR_TO_DEVICE, 0);
	if (!end && dmactl_expect_warn_end(self->taint, was)) {
		warned = true;
		self->taint |= 1UL << 9;
	}
	EXPECT_EQ(0, ret);
	test_cmd_iova_free(self->fd, ia.out_id);
	test_cmd_buf_free(self->fd, buf);
	munmap(page, pg);
	if (end)	/* no unmap at 2^64: its count is right */
		unlink(KEPT_PAGE_FILE);
	close(self->fd);
	self->fd = -1;
	/* Out of the 32-bit space; back in it for the tests that follow. */
	EXPECT_TRUE(dmactl_iova_above_4g(dev));
	ASSERT_EQ(0, pci_reprobe(dev));
	EXPECT_FALSE(dmactl_iova_above_4g(dev));
	self->fd = open(DMACTL_DEVICE, O_RDWR);
	if (end)
		SKIP(return, "this device's IOVA space ends at %#llx, below 2^64",
		     (unsigned long long)end);
	if (warned)
		printf("# XFAIL a known kernel bug WARNed (%s; see the head of kernel_bugs.c)\n",
		       TOP_UNMAP_WARN_WHY);
	else
		printf("# an unmap ending at 2^64 passed: this kernel has the fix\n");
}

/* The block device of @bdf's first NVMe namespace, in @path: 0 or -ENOENT. */
static int nvme_namespace_dev(const char *bdf, char *path, size_t len)
{
	char pattern[256];
	glob_t g;
	int ret = -ENOENT;

	snprintf(pattern, sizeof(pattern),
		 "/sys/bus/pci/devices/%s/nvme/nvme*/nvme*n1", bdf);
	if (!glob(pattern, 0, NULL, &g) && g.gl_pathc) {
		snprintf(path, len, "/dev/%s", strrchr(g.gl_pathv[0], '/') + 1);
		ret = 0;
	}
	globfree(&g);
	return ret;
}

/*
 * blk-mq-dma's stale IOVA state (fixed by a0750fae73c5, 2025): a request
 * whose segments leave a gap inside the IOMMU's merge boundary cannot
 * take the IOVA path, and blk_dma_map_iter_start() must clear the
 * dma_iova_state that the request's driver data kept from its last trip
 * on that path.  Otherwise its completion destroys the earlier request's
 * IOVA again: dma_iova_unlink() of a range nothing maps WARNs, or another
 * request's mapping goes.  nvme-pci takes such requests when the
 * controller has SGLs (QEMU's has): O_DIRECT reads of the namespace of
 * the device under test alternate between two whole pages (the IOVA
 * path) and two 512-byte pieces of them (a gap at 512 bytes: not), and
 * each small read must return what the big one did.  Reads only.
 */
TEST_F_TIMEOUT(kernel_bugs, block_requests_off_the_iova_path, 120)
{
	const size_t pg = PAGE_SZ;
	struct iovec whole[2], pieces[2];
	char ns[128];
	__u8 *mem;
	int fd, i;

	if (!(self->dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE))
		SKIP(return, "the IOVA API is not usable here");
	if (nvme_namespace_dev(dmactl_test_dev(), ns, sizeof(ns)))
		SKIP(return, "the device under test has no NVMe namespace");
	fd = open(ns, O_RDONLY | O_DIRECT);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", ns, strerror(errno));
	/*
	 * Four pages, used two apart: no request merges them into one.  A
	 * whole page is a whole IOVA granule (on a 16 KiB-page kernel, 4 KiB
	 * would end inside one and never take the IOVA path).  The reads
	 * cover the namespace's first 512 pages: 32 MiB at 64 KiB pages.
	 */
	mem = aligned_alloc(pg, 4 * pg);
	ASSERT_NE(NULL, mem);
	whole[0] = (struct iovec){ mem, pg };
	whole[1] = (struct iovec){ mem + 2 * pg, pg };
	pieces[0] = (struct iovec){ mem + pg, 512 };
	pieces[1] = (struct iovec){ mem + 3 * pg, 512 };
	for (i = 0; i < 256; i++) {
		off_t at = (off_t)(i % 512) * 2 * pg;

		ASSERT_EQ((ssize_t)(2 * pg), preadv(fd, whole, 2, at));
		ASSERT_EQ(1024, preadv(fd, pieces, 2, at));
		ASSERT_EQ(0, memcmp(mem + pg, mem, 512));
		ASSERT_EQ(0, memcmp(mem + 3 * pg, mem + 512, 512));
	}
	free(mem);
	close(fd);
}

DMACTL_TEST_MAIN
