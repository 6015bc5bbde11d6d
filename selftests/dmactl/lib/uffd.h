/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls stalled on purpose: memory whose page faults nobody serves
 * (userfaultfd), and an ioctl made by a thread of its own that may stall
 * in one, for tests of what the module does while a caller is stuck.
 */
#ifndef DMACTL_LIB_UFFD_H
#define DMACTL_LIB_UFFD_H

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/userfaultfd.h>

#include "ioctl.h"

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
 * region (all in that one page), and protect it again: an ioctl argument
 * the kernel reads whole and whose reply stalls.  0 or -errno.
 */
static inline int dmactl_uffd_wp_write(int uffd, void *addr, const void *src,
				       size_t len)
{
	/* Write protection is per page: unprotect the whole page. */
	struct uffdio_writeprotect wp = {
		.range.start = (unsigned long)addr & ~(unsigned long)(PAGE_SZ - 1),
		.range.len = PAGE_SZ,
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

#endif /* DMACTL_LIB_UFFD_H */
