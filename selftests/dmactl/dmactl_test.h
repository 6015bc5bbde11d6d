/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by dmactl's kselftests, in iommufd's three flavours:
 *   _dmactl_x(...)          returns 0 or -errno
 *   dmactl_x(...)           ASSERTs success (inside a test)
 *   dmactl_err(E, _x(...))  ASSERTs failure with errno E
 *
 * The device comes from the end of argv or $DMACTL_SELFTESTS_DEV: a PCI
 * address or platform name that is bound to dmactl or on its allow list
 * (/sys/class/misc/dmactl/allow).  Without one a test binary prints how to
 * give one and exits with KSFT_SKIP.
 */
#ifndef DMACTL_TEST_H
#define DMACTL_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <linux/dmactl.h>

#include "kselftest_harness.h"
#include "nl.h"

#define SZ_4K 4096ULL
#define SZ_2M (2ULL << 20)

/* Taint bits a test must never cause: TAINT_DIE (7) and TAINT_WARN (9). */
#define DMACTL_BAD_TAINT ((1UL << 7) | (1UL << 9))

static inline const char *dmactl_test_dev(void)
{
	const char *dev = getenv("DMACTL_SELFTESTS_DEV");

	return dev && *dev ? dev : NULL;
}

/*
 * Is the last of argv a device name -- a PCI address ("0000:00:01.0") or
 * a sysfs path -- and not the value of a harness option ("-t NAME")?
 */
static inline bool dmactl_argv_device(int argc, char **argv)
{
	const char *last, *prev;
	unsigned int d, b, s, f;
	char end;

	if (argc < 2)
		return false;
	last = argv[argc - 1];
	prev = argv[argc - 2];
	if (prev[0] == '-' && prev[1] && strchr("tTvVfFr", prev[1]) && !prev[2])
		return false;
	return sscanf(last, "%x:%x:%x.%x%c", &d, &b, &s, &f, &end) == 4 ||
	       !strncmp(last, "/sys/", 5);
}

/*
 * main() for a test binary that needs a device: take it from the end of
 * argv (handing the rest to the harness, so its filters keep working) or
 * the environment, or explain and skip.
 */
#define DMACTL_TEST_MAIN                                                      \
	int main(int argc, char **argv)                                       \
	{                                                                     \
		/* Lines reach the console even if the guest panics next. */  \
		setvbuf(stdout, NULL, _IOLBF, 0);                             \
		if (argc > 1 && dmactl_argv_device(argc, argv)) {             \
			setenv("DMACTL_SELFTESTS_DEV", argv[argc - 1], 1);    \
			argc--;                                               \
		}                                                             \
		if (!dmactl_test_dev()) {                                     \
			printf("# no device: give a PCI address as the last " \
			       "argument or in DMACTL_SELFTESTS_DEV, after "  \
			       "binding it to dmactl (driver_override) or "   \
			       "writing it to /sys/class/misc/dmactl/allow\n"); \
			return KSFT_SKIP;                                     \
		}                                                             \
		return test_harness_run(argc, argv);                          \
	}

static inline unsigned long dmactl_taint(void)
{
	unsigned long taint = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%lu", &taint) != 1)
			taint = 0;
		fclose(f);
	}
	return taint;
}

/*
 * Counters come from the module's generic netlink family (tool/nl.c),
 * read on one socket: [0] the total, [1] @dev's when @dev is not NULL.
 * A device with no target (no file attached, not bound) holds nothing:
 * it reads as all 0.  NULL when the family cannot be read; free() it.
 */
static inline struct dmactl_nl_stats *dmactl_stats_fetch(const char *dev)
{
	struct dmactl_nl_stats *s = calloc(2, sizeof(*s));
	struct dmactl_nl *nl;
	int ret;

	if (!s || dmactl_nl_open(&nl)) {
		free(s);
		return NULL;
	}
	ret = dmactl_nl_stats_get(nl, NULL, &s[0]);
	if (!ret && dev) {
		ret = dmactl_nl_stats_get(nl, dev, &s[1]);
		if (ret == -ENODEV) {
			memset(&s[1], 0, sizeof(s[1]));
			ret = 0;
		}
	}
	dmactl_nl_close(nl);
	if (ret) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * A counter by its name in the spec ("live-links"): in total when @dev
 * is NULL, else the device's; -1 when unreadable or @name is unknown.
 */
static inline long dmactl_stat(const char *dev, const char *name)
{
	struct dmactl_nl_stats *s = dmactl_stats_fetch(dev);
	long val = -1;
	int a;

	for (a = 1; s && a <= DMACTL_A_STATS_MAX; a++)
		if (dmactl_nl_stats_name(a) && !strcmp(dmactl_nl_stats_name(a), name))
			val = s[dev ? 1 : 0].val[a];
	free(s);
	return val;
}

/* A counter in total, by its name in the spec ("live-links"). */
static inline long dmactl_counter(const char *name)
{
	return dmactl_stat(NULL, name);
}

/* Requests refused under a misuse rule ("M11"), in total; -1 on error. */
static inline long dmactl_rejections(const char *rule)
{
	struct dmactl_nl_stats *s = dmactl_stats_fetch(NULL);
	long val = -1;
	int i;

	for (i = 0; s && i < s->nr_rejections; i++)
		if (!strcmp(s->rejections[i].name, rule))
			val = s->rejections[i].value;
	free(s);
	return val;
}

/* The counters that must be 0 once nothing is held. */
#define DMACTL_LIVE_ATTRS {                                                   \
	DMACTL_A_STATS_LIVE_BUFS, DMACTL_A_STATS_PINNED_PAGES,                \
	DMACTL_A_STATS_KERNEL_PAGES, DMACTL_A_STATS_LIVE_IOVAS,               \
	DMACTL_A_STATS_LIVE_LINKS, DMACTL_A_STATS_INFLIGHT,                   \
	DMACTL_A_STATS_LIVE_BENCHES, DMACTL_A_STATS_BENCH_THREADS }

/*
 * What is still held on @dev and in total, as "name=value on DEV" text in
 * @what; returns how many live counters are not 0 (-1 when the family
 * cannot be read).  Two requests on one socket.
 */
static inline int dmactl_leaks(const char *dev, char *what, size_t len)
{
	static const int live[] = DMACTL_LIVE_ATTRS;
	struct dmactl_nl_stats *s = dmactl_stats_fetch(dev);
	int leaks = 0, set;
	size_t i, n = 0;

	what[0] = '\0';
	if (!s)
		return -1;
	for (set = 0; set < (dev ? 2 : 1); set++) {
		for (i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
			if (!s[set].val[live[i]])
				continue;
			leaks++;
			n += snprintf(what + n, n < len ? len - n : 0,
				      "%s=%llu on %s ",
				      dmactl_nl_stats_name(live[i]),
				      (unsigned long long)s[set].val[live[i]],
				      set ? dev : "all");
		}
	}
	free(s);
	return leaks;
}

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

static inline int dmactl_ioc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static inline int _dmactl_attach(int fd, const char *name,
				 struct dmactl_attach *out)
{
	struct dmactl_attach cmd = { .size = sizeof(cmd) };
	int ret;

	snprintf(cmd.name, sizeof(cmd.name), "%s", name);
	ret = dmactl_ioc(fd, DMACTL_ATTACH, &cmd);
	if (!ret && out)
		*out = cmd;
	return ret;
}

static inline int _dmactl_buf_alloc_flags(int fd, __u32 kind, __u32 order,
					  __u64 length, void *uaddr,
					  __u32 flags, __u32 *id)
{
	struct dmactl_buf_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.kind = kind,
		.order = order,
		.length = length,
		.user_addr = (__u64)(unsigned long)uaddr,
		.node = DMACTL_NO_NODE,
	};
	int ret = dmactl_ioc(fd, DMACTL_BUF_ALLOC, &cmd);

	if (!ret && id)
		*id = cmd.out_id;
	return ret;
}

static inline int _dmactl_buf_alloc(int fd, __u32 kind, __u32 order,
				    __u64 length, void *uaddr, __u32 *id)
{
	return _dmactl_buf_alloc_flags(fd, kind, order, length, uaddr, 0, id);
}

static inline int _dmactl_buf_free(int fd, __u32 id)
{
	struct dmactl_buf_free cmd = { .size = sizeof(cmd), .id = id };

	return dmactl_ioc(fd, DMACTL_BUF_FREE, &cmd);
}

static inline int _dmactl_buf_fill(int fd, __u32 id, __u64 offset,
				   __u64 length, __u64 seed)
{
	struct dmactl_buf_fill cmd = {
		.size = sizeof(cmd), .id = id, .offset = offset,
		.length = length, .seed = seed,
	};

	return dmactl_ioc(fd, DMACTL_BUF_FILL, &cmd);
}

static inline int _dmactl_buf_checksum(int fd, __u32 id, __u64 offset,
				       __u64 length, __u32 *crc)
{
	struct dmactl_buf_checksum cmd = {
		.size = sizeof(cmd), .id = id, .offset = offset,
		.length = length,
	};
	int ret = dmactl_ioc(fd, DMACTL_BUF_CHECKSUM, &cmd);

	if (!ret && crc)
		*crc = cmd.out_crc32c;
	return ret;
}

static inline int _dmactl_iova_alloc(int fd, __u64 length, __u64 first_offset,
				     __u32 flags, struct dmactl_iova_alloc *out)
{
	struct dmactl_iova_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .length = length,
		.first_offset = first_offset,
	};
	int ret = dmactl_ioc(fd, DMACTL_IOVA_ALLOC, &cmd);

	if (!ret && out)
		*out = cmd;
	return ret;
}

static inline int _dmactl_link(int fd, __u32 iova, __u32 buf, __u64 buf_offset,
			       __u64 iova_offset, __u64 length, __u32 dir,
			       __u32 attrs)
{
	struct dmactl_iova_link cmd = {
		.size = sizeof(cmd), .iova_id = iova, .buf_id = buf,
		.buf_offset = buf_offset, .iova_offset = iova_offset,
		.length = length, .dir = dir, .attrs = attrs,
	};

	return dmactl_ioc(fd, DMACTL_IOVA_LINK, &cmd);
}

static inline int _dmactl_sync(int fd, __u32 iova, __u64 offset, __u64 length)
{
	struct dmactl_iova_sync cmd = {
		.size = sizeof(cmd), .iova_id = iova, .offset = offset,
		.length = length,
	};

	return dmactl_ioc(fd, DMACTL_IOVA_SYNC, &cmd);
}

static inline int _dmactl_unlink(int fd, __u32 iova, __u64 offset,
				 __u64 length, __u32 dir, __u32 attrs)
{
	struct dmactl_iova_unlink cmd = {
		.size = sizeof(cmd), .iova_id = iova, .offset = offset,
		.length = length, .dir = dir, .attrs = attrs,
	};

	return dmactl_ioc(fd, DMACTL_IOVA_UNLINK, &cmd);
}

static inline int _dmactl_iova_free(int fd, __u32 iova)
{
	struct dmactl_iova_free cmd = { .size = sizeof(cmd), .iova_id = iova };

	return dmactl_ioc(fd, DMACTL_IOVA_FREE, &cmd);
}

static inline int _dmactl_destroy(int fd, __u32 iova, __u64 mapped_len,
				  __u32 dir, __u32 attrs)
{
	struct dmactl_iova_destroy cmd = {
		.size = sizeof(cmd), .iova_id = iova, .mapped_len = mapped_len,
		.dir = dir, .attrs = attrs,
	};

	return dmactl_ioc(fd, DMACTL_IOVA_DESTROY, &cmd);
}

static inline int _dmactl_query(int fd, __u32 iova, struct dmactl_iova_query *out,
				struct dmactl_link_info *links, __u32 nr_links)
{
	struct dmactl_iova_query cmd = {
		.size = sizeof(cmd), .iova_id = iova,
		.links_uptr = (__u64)(unsigned long)links, .nr_links = nr_links,
	};
	int ret = dmactl_ioc(fd, DMACTL_IOVA_QUERY, &cmd);

	if (!ret && out)
		*out = cmd;
	return ret;
}

static inline int _dmactl_verify(int fd, __u32 iova, __u64 offset,
				 __u64 length, struct dmactl_iova_verify *out)
{
	struct dmactl_iova_verify cmd = {
		.size = sizeof(cmd), .iova_id = iova, .offset = offset,
		.length = length,
	};
	int ret = dmactl_ioc(fd, DMACTL_IOVA_VERIFY, &cmd);

	if (!ret && out)
		*out = cmd;
	return ret;
}

/*
 * Does a link of this file's device bounce through swiotlb?  ATTACH says
 * only that streaming mappings may; one fallback link says whether they
 * do (under swiotlb=force, all do).
 */
static inline bool dmactl_links_bounce(int fd, const struct dmactl_attach *dev)
{
	struct dmactl_link_info li = {};
	struct dmactl_iova_alloc ia;
	__u32 buf;

	if ((dev->out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE) ||
	    !(dev->out_flags & DMACTL_ATTACH_OUT_SWIOTLB) ||
	    _dmactl_buf_alloc(fd, DMACTL_BUF_KERNEL, 0, SZ_4K, NULL, &buf))
		return false;
	if (!_dmactl_iova_alloc(fd, SZ_4K, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia)) {
		if (!_dmactl_link(fd, ia.out_id, buf, 0, 0, SZ_4K, DMACTL_DIR_TO_DEVICE, 0)) {
			_dmactl_query(fd, ia.out_id, NULL, &li, 1);
			_dmactl_unlink(fd, ia.out_id, 0, SZ_4K, DMACTL_DIR_TO_DEVICE, 0);
		}
		_dmactl_iova_free(fd, ia.out_id);
	}
	_dmactl_buf_free(fd, buf);
	return li.flags & DMACTL_LINK_SWIOTLB;
}

/* ---- calls stalled on page faults nobody serves (userfaultfd) ---- */

/*
 * A userfaultfd over @len fresh bytes, mapped at *@addr, whose faults
 * nobody serves: with UFFDIO_REGISTER_MODE_MISSING the first touch of a
 * page stalls; with UFFDIO_REGISTER_MODE_WP the pages are there (zero),
 * reads pass and writes stall.  Closing the userfaultfd ends every
 * stall: a missing page's fault fails (the kernel's user copy gives
 * EFAULT), a write-protected page's write goes through.  Returns the
 * userfaultfd or -errno.
 */
static inline int dmactl_uffd_region(size_t len, __u64 mode, void **addr)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = mode };
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	*addr = NULL;
	if (uffd < 0)
		return -errno;
	*addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*addr == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api))
		goto fail;
	if (mode & UFFDIO_REGISTER_MODE_WP)
		memset(*addr, 0, len);	/* present, to be write-protected */
	reg.range.start = (unsigned long)*addr;
	reg.range.len = len;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		goto fail;
	if (mode & UFFDIO_REGISTER_MODE_WP) {
		struct uffdio_writeprotect wp = {
			.range = reg.range, .mode = UFFDIO_WRITEPROTECT_MODE_WP,
		};

		if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp))
			goto fail;
	}
	return uffd;
fail:
	close(uffd);
	return -errno;
}

/*
 * Write @len bytes of @src at @addr, in a page of a UFFDIO_REGISTER_MODE_WP
 * region, and protect it again: an ioctl argument the kernel reads whole
 * and whose reply stalls.  0 or -errno.
 */
static inline int dmactl_uffd_wp_write(int uffd, void *addr, const void *src,
				       size_t len)
{
	struct uffdio_writeprotect wp = {
		.range.start = (unsigned long)addr & ~(SZ_4K - 1),
		.range.len = SZ_4K,
	};

	if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp))
		return -errno;
	memcpy(addr, src, len);
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	return ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) ? -errno : 0;
}

/* Wait up to 10 s for a fault on @uffd: a caller is stalled in it. */
static inline bool dmactl_uffd_stalled(int uffd)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };

	return poll(&p, 1, 10000) == 1;
}

/* An ioctl made by a thread of its own, which may stall. */
struct dmactl_stalled {
	pthread_t thread;
	int fd;
	unsigned long req;
	void *arg;
	int ret;	/* 0 or -errno, once the thread is joined */
};

static inline void *dmactl_stalled_ioctl(void *arg)
{
	struct dmactl_stalled *s = arg;

	s->ret = dmactl_ioc(s->fd, s->req, s->arg);
	return NULL;
}

/*
 * The fixture of a test that needs only a file attached to the test
 * device: @fd, its ATTACH reply @dev, and the kernel's taint before it;
 * the teardown closes the file and checks that nothing is left held and
 * no WARN or oops came.
 */
#define DMACTL_FILE_FIXTURE(name)					\
	FIXTURE(name) {							\
		int fd;							\
		struct dmactl_attach dev;				\
		unsigned long taint;					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		self->taint = dmactl_taint();				\
		self->fd = open(DMACTL_DEVICE, O_RDWR);			\
		ASSERT_LE(0, self->fd);					\
		dmactl_attach(self->fd, dmactl_test_dev(), &self->dev);	\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		close(self->fd);					\
		dmactl_expect_no_leaks();				\
		EXPECT_EQ(0, (dmactl_taint() & ~self->taint) &		\
			     DMACTL_BAD_TAINT);				\
	}

#define dmactl_err(_errno, _expr) ASSERT_EQ(-(_errno), (_expr))

#define dmactl_attach(fd, name, out) ASSERT_EQ(0, _dmactl_attach(fd, name, out))
#define dmactl_buf_alloc(fd, kind, order, len, uaddr, id) \
	ASSERT_EQ(0, _dmactl_buf_alloc(fd, kind, order, len, uaddr, id))
#define dmactl_buf_free(fd, id) ASSERT_EQ(0, _dmactl_buf_free(fd, id))
#define dmactl_buf_fill(fd, id, off, len, seed) \
	ASSERT_EQ(0, _dmactl_buf_fill(fd, id, off, len, seed))
#define dmactl_iova_alloc(fd, len, off0, flags, out) \
	ASSERT_EQ(0, _dmactl_iova_alloc(fd, len, off0, flags, out))
#define dmactl_link(fd, iova, buf, boff, ioff, len, dir, attrs) \
	ASSERT_EQ(0, _dmactl_link(fd, iova, buf, boff, ioff, len, dir, attrs))
#define dmactl_sync(fd, iova, off, len) \
	ASSERT_EQ(0, _dmactl_sync(fd, iova, off, len))
#define dmactl_unlink(fd, iova, off, len, dir, attrs) \
	ASSERT_EQ(0, _dmactl_unlink(fd, iova, off, len, dir, attrs))
#define dmactl_iova_free(fd, iova) ASSERT_EQ(0, _dmactl_iova_free(fd, iova))
#define dmactl_destroy(fd, iova, len, dir, attrs) \
	ASSERT_EQ(0, _dmactl_destroy(fd, iova, len, dir, attrs))
#define dmactl_verify(fd, iova, off, len, out) \
	ASSERT_EQ(0, _dmactl_verify(fd, iova, off, len, out))

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

/* Drop CAP_SYS_ADMIN from the effective set of this process. */
static inline int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &=
		~CAP_TO_MASK(CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data);
}

/* ---- sysfs: binding devices ---- */

#define PCI "/sys/bus/pci"

static inline int sysfs_put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The name of the driver @bdf is bound to, in @drv; "" when none. */
static inline void pci_driver(const char *bdf, char *drv, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), PCI "/devices/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		n = 0;
	target[n] = '\0';
	snprintf(drv, len, "%s", n ? strrchr(target, '/') + 1 : "");
}

static inline bool driver_is(const char *bdf, const char *drv)
{
	char cur[64];

	pci_driver(bdf, cur, sizeof(cur));
	return cur[0] && !strcmp(cur, drv);
}

/* A PCI device's dma_mask_bits, or -1. */
static inline int pci_dma_mask_bits(const char *bdf)
{
	char path[PATH_MAX];
	int bits = -1;
	FILE *f;

	snprintf(path, sizeof(path), PCI "/devices/%s/dma_mask_bits", bdf);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &bits) != 1)
		bits = -1;
	fclose(f);
	return bits;
}

/* Wait up to 30 s for a device to be bound to @drv. */
static inline bool wait_driver(const char *bdf, const char *drv)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (driver_is(bdf, drv))
			return true;
		usleep(100000);
	}
	return false;
}

/* Bind a driverless PCI device to dmactl; 0 or -errno. */
static inline int dmactl_bind_exclusive(const char *bdf)
{
	char path[PATH_MAX];
	int ret;

	if (driver_is(bdf, "dmactl"))
		return 0;
	snprintf(path, sizeof(path), PCI "/devices/%s/driver_override", bdf);
	ret = sysfs_put(path, "dmactl");
	if (!ret)
		ret = sysfs_put(PCI "/drivers/dmactl/bind", bdf);
	return ret;
}

/*
 * Hand a device back as dmactl_bind_exclusive() found it: if it had no
 * driver then, unbind it from dmactl and clear driver_override.
 */
static inline void dmactl_unbind_exclusive(const char *bdf, bool was_bound)
{
	char path[PATH_MAX];

	if (was_bound)
		return;
	if (driver_is(bdf, "dmactl"))
		sysfs_put(PCI "/drivers/dmactl/unbind", bdf);
	snprintf(path, sizeof(path), PCI "/devices/%s/driver_override", bdf);
	sysfs_put(path, "\n");
}

/*
 * The first PCI device with this vendor and device ID (hex, as sysfs
 * writes them without 0x) and no driver: its name in @bdf.  0 or -ENODEV.
 */
static inline int pci_find_driverless(const char *vendor, const char *device,
				      char *bdf, size_t len)
{
	char path[PATH_MAX], v[16], d[16], drv[PATH_MAX];
	struct dirent *e;
	int ret = -ENODEV;
	DIR *dir = opendir(PCI "/devices");
	FILE *f;

	while (dir && ret && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		v[0] = d[0] = '\0';
		snprintf(path, sizeof(path), PCI "/devices/%s/vendor", e->d_name);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(v, sizeof(v), f))
				v[0] = '\0';
			fclose(f);
		}
		snprintf(path, sizeof(path), PCI "/devices/%s/device", e->d_name);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(d, sizeof(d), f))
				d[0] = '\0';
			fclose(f);
		}
		snprintf(path, sizeof(path), PCI "/devices/%s/driver", e->d_name);
		if (strncmp(v, "0x", 2) || strncmp(v + 2, vendor, 4) ||
		    strncmp(d, "0x", 2) || strncmp(d + 2, device, 4) ||
		    readlink(path, drv, sizeof(drv)) >= 0)
			continue;
		if (strlen(e->d_name) >= len)
			continue;
		memcpy(bdf, e->d_name, strlen(e->d_name) + 1);
		ret = 0;
	}
	if (dir)
		closedir(dir);
	return ret;
}

/*
 * May the tests destroy data on @dev -- write to its namespaces, remove
 * it, unbind its driver?  Only if "dmactl expendable" says so: declared
 * in $DMACTL_EXPENDABLE and not in use.  If not, why in @why.
 */
static inline bool dmactl_expendable(const char *dev, char *why, size_t len)
{
	const char *tool = getenv("DMACTL_TOOL") ?: "dmactl";
	char cmd[PATH_MAX];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s expendable '%s' 2>&1", tool, dev);
	p = popen(cmd, "r");
	if (p) {
		n = fread(why, 1, len - 1, p);
		st = pclose(p);
	}
	why[n] = '\0';
	while (n && why[n - 1] == '\n')
		why[--n] = '\0';
	if (!p)
		snprintf(why, len, "cannot run %s", tool);
	return p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * Remove a PCI device and rescan the bus: it is probed again as at boot,
 * its DMA setup (iommu_setup_dma_ops()) included, and its driver binds
 * again.  Only for a device dmactl_expendable() allows.  0 or -errno.
 */
static inline int pci_reprobe(const char *bdf)
{
	char path[PATH_MAX], drv[64];
	int ret;

	pci_driver(bdf, drv, sizeof(drv));
	snprintf(path, sizeof(path), PCI "/devices/%s/remove", bdf);
	ret = sysfs_put(path, "1");
	if (!ret)
		ret = sysfs_put(PCI "/rescan", "1");
	if (!ret && drv[0] && !wait_driver(bdf, drv))
		ret = -ETIMEDOUT;
	return ret;
}

/*
 * Does the DMA layer give @dev new IOVA above 4 GiB?  For a PCI device
 * with a wider DMA mask it tries the 32-bit space first
 * (iommu_dma_alloc_iova()) until one allocation there fails -- too big,
 * or short of memory -- and from then on, until the device is probed
 * again, takes IOVA from the top of its space ("Using 64-bit DMA
 * addresses").  Asked with a MiB, more than the allocator's caches of
 * freed IOVA hold (128 KiB), which would answer from below 4 GiB.  False
 * where the IOVA API is not usable.
 */
static inline bool dmactl_iova_above_4g(const char *dev)
{
	int fd = open(DMACTL_DEVICE, O_RDWR);
	struct dmactl_iova_alloc ia;
	bool above = false;

	if (fd < 0)
		return false;
	if (!_dmactl_attach(fd, dev, NULL) &&
	    !_dmactl_iova_alloc(fd, 256 * SZ_4K, 0, 0, &ia)) {
		above = ia.out_dma_addr >= (1ULL << 32);
		_dmactl_iova_free(fd, ia.out_id);
	}
	close(fd);
	return above;
}

/* ---- known kernel bugs, provoked on purpose ---- */

/* Is @word, whole, on the kernel's command line? */
static inline bool kernel_cmdline_has(const char *word)
{
	char line[4096] = "", *p;
	size_t len = strlen(word);
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (p = line; (p = strstr(p, word)); p += len)
		if ((p == line || p[-1] == ' ') && strchr(" \n", p[len]))
			return true;
	return false;
}

static inline void dmactl_kmsg(const char *line)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, line, strlen(line)) < 0)
			perror("/dev/kmsg");
		close(fd);
	}
}

#define PANIC_ON_WARN "/proc/sys/kernel/panic_on_warn"

/*
 * Declare to the VM runner that a WARN raised in one of @funcs (comma-
 * separated) may come, because of the kernel bug @why, and let it pass:
 * panic_on_warn is off until dmactl_expect_warn_end().  Returns what
 * panic_on_warn was, for dmactl_expect_warn_end() to put back, or -errno.
 */
static inline int dmactl_expect_warn_begin(const char *funcs, const char *why)
{
	char line[1024];
	int was = 0, ret;
	FILE *f = fopen(PANIC_ON_WARN, "r");

	if (!f)
		return -errno;
	if (fscanf(f, "%d", &was) != 1)
		was = 0;
	fclose(f);
	ret = sysfs_put(PANIC_ON_WARN, "0");
	if (ret)
		return ret;
	snprintf(line, sizeof(line), "DMACTL-EXPECT-WARN-BEGIN %s: %s\n", funcs, why);
	dmactl_kmsg(line);
	return was;
}

/*
 * End what dmactl_expect_warn_begin() declared, panic_on_warn back to
 * @was.  True if the kernel WARNed since @taint was read (dmactl_taint()).
 */
static inline bool dmactl_expect_warn_end(unsigned long taint, int was)
{
	dmactl_kmsg("DMACTL-EXPECT-WARN-END\n");
	sysfs_put(PANIC_ON_WARN, was ? "1" : "0");
	return (dmactl_taint() & ~taint) & (1UL << 9);
}

/* ---- module parameters ---- */

#define DMACTL_PARAMS "/sys/module/dmactl/parameters/"

/* A module parameter's value; -1 when it cannot be read. */
static inline long long dmactl_param(const char *name)
{
	char path[PATH_MAX], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), DMACTL_PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? strtoll(buf, NULL, 0) : -1;
}

/* Set a module parameter; 0 or -errno. */
static inline int dmactl_param_set(const char *name, unsigned long long val)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), DMACTL_PARAMS "%s", name);
	snprintf(buf, sizeof(buf), "%llu", val);
	return sysfs_put(path, buf);
}

#endif /* DMACTL_TEST_H */
