/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every test checks besides its own assertions, and the oracles the
 * tests ask: the leak oracle (the module's live counters, which must be 0
 * once every file is closed) with the kernel's taint, in the one teardown
 * check every fixture makes; the fixtures built on it; crc32c as
 * BUF_CHECKSUM gives it; and probes of what the DMA layer does for a
 * device (bounce buffering, IOVA above 4 GiB).
 */
#ifndef DMACTL_LIB_ORACLE_H
#define DMACTL_LIB_ORACLE_H

#include <fcntl.h>

#include "ioctl.h"
#include "kernel.h"
#include "netlink.h"

/*
 * After every fd is closed, nothing may be left, on the test's device
 * and in total: the leak oracle.
 */
#define dmactl_expect_no_leaks()                                             \
	do {                                                                  \
		char _what[512];                                              \
		EXPECT_EQ(0, dmactl_leaks(dmactl_test_dev(), _what,           \
					  sizeof(_what)))                     \
			TH_LOG("still held: %s", _what);                      \
	} while (0)

/*
 * The teardown check of every fixture, once its files are closed: the
 * leak oracle, and no WARN or DIE taint gained since @taint_before (what
 * dmactl_taint() read in the setup; 0: none at all may be there).
 */
#define dmactl_teardown_check(taint_before)                                  \
	do {                                                                  \
		dmactl_expect_no_leaks();                                     \
		EXPECT_EQ(0, (dmactl_taint() & ~(unsigned long)(taint_before)) & \
			     DMACTL_BAD_TAINT);                               \
	} while (0)

/*
 * The setup of most fixtures, whose data has "int fd" and "unsigned long
 * taint": the taint now, and a file of /dev/dmactl.
 */
#define dmactl_fixture_open(self)                                            \
	do {                                                                  \
		(self)->taint = dmactl_taint();                               \
		(self)->fd = open(DMACTL_DEVICE, O_RDWR);                     \
		ASSERT_LE(0, (self)->fd);                                     \
	} while (0)

/* The same, the file attached to the test device (its reply in @out). */
#define dmactl_fixture_open_attached(self, out)                              \
	do {                                                                  \
		dmactl_fixture_open(self);                                    \
		test_cmd_attach((self)->fd, dmactl_test_dev(), out);          \
	} while (0)

/* Their teardown: the file closed, then the teardown check. */
#define dmactl_fixture_close(self)                                           \
	do {                                                                  \
		close((self)->fd);                                            \
		dmactl_teardown_check((self)->taint);                         \
	} while (0)

/*
 * The fixture of a test that needs only a file attached to the test
 * device: @fd, its ATTACH reply @dev, and the kernel's taint before it;
 * the teardown closes the file and makes the teardown check.
 */
#define DMACTL_FILE_FIXTURE(name)					\
	FIXTURE(name) {							\
		int fd;							\
		struct dmactl_attach dev;				\
		unsigned long taint;					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		dmactl_fixture_open_attached(self, &self->dev);		\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		dmactl_fixture_close(self);				\
	}

/*
 * The fixture of a test of /dev/dmactl itself: a file, not attached, and
 * no teardown check (the test may run without the module's family).
 */
#define DMACTL_OPEN_FIXTURE(name)					\
	FIXTURE(name) {							\
		int fd;							\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		self->fd = open(DMACTL_DEVICE, O_RDWR);			\
		ASSERT_LE(0, self->fd);					\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		close(self->fd);					\
	}

/* crc32c (Castagnoli) bit by bit, as BUF_CHECKSUM gives it: slow, obviously right. */
static inline __u32 crc32c(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	__u32 crc = ~0U;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return ~crc;
}

/*
 * Does a link of this file's device bounce through swiotlb?  ATTACH says
 * only that streaming mappings may; one fallback link (of a page) says
 * whether they do (under swiotlb=force, all do).
 */
static inline bool dmactl_links_bounce(int fd, const struct dmactl_attach *dev)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_link_info li = {};
	struct dmactl_iova_alloc ia;
	__u32 buf;

	if ((dev->out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE) ||
	    !(dev->out_flags & DMACTL_ATTACH_OUT_SWIOTLB) ||
	    _test_cmd_buf_alloc(fd, DMACTL_BUF_KERNEL, 0, pg, NULL, &buf))
		return false;
	if (!_test_cmd_iova_alloc(fd, pg, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia)) {
		if (!_test_cmd_iova_link(fd, ia.out_id, buf, 0, 0, pg,
					 DMACTL_DIR_TO_DEVICE, 0)) {
			_test_cmd_iova_query(fd, ia.out_id, NULL, &li, 1);
			_test_cmd_iova_unlink(fd, ia.out_id, 0, pg,
					      DMACTL_DIR_TO_DEVICE, 0);
		}
		_test_cmd_iova_free(fd, ia.out_id);
	}
	_test_cmd_buf_free(fd, buf);
	return li.flags & DMACTL_LINK_SWIOTLB;
}

/*
 * Does the DMA layer give @dev new IOVA above 4 GiB?  For a PCI device
 * with a wider DMA mask it tries the 32-bit space first
 * (iommu_dma_alloc_iova()) until one allocation there fails -- too big,
 * or short of memory -- and from then on, until the device is probed
 * again, takes IOVA from the top of its space ("Using 64-bit DMA
 * addresses").  Asked with 256 pages (a MiB at 4 KiB), more than the
 * allocator's caches of freed IOVA hold (32 granules, 128 KiB at 4 KiB),
 * which would answer from below 4 GiB.  False where the IOVA API is not
 * usable.
 */
static inline bool dmactl_iova_above_4g(const char *dev)
{
	int fd = open(DMACTL_DEVICE, O_RDWR);
	struct dmactl_iova_alloc ia;
	bool above = false;

	if (fd < 0)
		return false;
	if (!_test_cmd_attach(fd, dev, NULL) &&
	    !_test_cmd_iova_alloc(fd, 256 * PAGE_SZ, 0, 0, &ia)) {
		above = ia.out_dma_addr >= (1ULL << 32);
		_test_cmd_iova_free(fd, ia.out_id);
	}
	close(fd);
	return above;
}

#endif /* DMACTL_LIB_ORACLE_H */
