/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kinds of memory a buffer can be made of, in one table: kernel pages
 * of order 0 and in 2 MiB chunks (order 9 at 4 KiB pages), and the
 * caller's own memory -- anonymous, THP, hugetlb, memfd -- pinned by
 * BUF_ALLOC.  dmactl_mem_make() makes 2 MiB of a kind into a buffer;
 * dmactl_mem_drop() takes it down.
 */
#ifndef DMACTL_LIB_MEMORY_H
#define DMACTL_LIB_MEMORY_H

#include <stdint.h>
#include <sys/mman.h>

#include "ioctl.h"

#define DMACTL_MEM_LEN	SZ_2M
#define DMACTL_MAP_HUGE_2MB	(21 << 26)	/* MAP_HUGE_2MB */

enum dmactl_mem_kind {
	MEM_KERNEL_0,		/* kernel pages, order 0 */
	MEM_KERNEL_9,		/* kernel pages, 2 MiB chunks (order 9 at 4 KiB) */
	MEM_USER_ANON,		/* anonymous memory, 2 MiB-aligned */
	MEM_USER_THP,		/* the same, MADV_HUGEPAGE */
	MEM_USER_HUGETLB,	/* one 2 MiB hugetlb page */
	MEM_USER_MEMFD,		/* a shared mapping of a memfd */
	NR_MEM_KINDS
};

static const char *const dmactl_mem_names[NR_MEM_KINDS] = {
	[MEM_KERNEL_0] = "kernel order 0",
	[MEM_KERNEL_9] = "kernel 2 MiB chunks",
	[MEM_USER_ANON] = "anonymous",
	[MEM_USER_THP] = "THP",
	[MEM_USER_HUGETLB] = "hugetlb 2 MiB",
	[MEM_USER_MEMFD] = "memfd",
};

/*
 * The order of a physically contiguous chunk of @bytes (a power of two,
 * at least a page) in the running kernel's pages: 9 for 2 MiB at 4 KiB
 * pages, 7 at 16 KiB, 5 at 64 KiB.
 */
static inline __u32 dmactl_page_order(__u64 bytes)
{
	__u32 order = 0;

	while ((PAGE_SZ << order) < bytes)
		order++;
	return order;
}

/* A buffer of one kind: the mapping behind it for the user kinds. */
struct dmactl_mem {
	enum dmactl_mem_kind kind;
	void *map;		/* user kinds: the mapping */
	size_t map_len;
	void *addr;		/* user kinds: the 2 MiB used */
	__u32 id;		/* the buffer */
};

/*
 * Make DMACTL_MEM_LEN bytes of @kind, filled with 0x5a for the user kinds,
 * into a buffer of @fd; a kernel buffer with DMACTL_BUF_ALLOC_REACHABLE if
 * @reachable.  0, or -errno: -ENOMEM when the kind's memory cannot be
 * mapped here, BUF_ALLOC's errno when it is refused.
 */
static inline int dmactl_mem_make(int fd, enum dmactl_mem_kind kind,
				  bool reachable, struct dmactl_mem *m)
{
	int mfd;

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	switch (kind) {
	case MEM_KERNEL_0:
	case MEM_KERNEL_9:
		return _test_cmd_buf_alloc_flags(fd, DMACTL_BUF_KERNEL,
						 kind == MEM_KERNEL_9 ?
						 dmactl_page_order(SZ_2M) : 0,
						 DMACTL_MEM_LEN, NULL,
						 reachable ? DMACTL_BUF_ALLOC_REACHABLE : 0,
						 &m->id);
	case MEM_USER_ANON:
	case MEM_USER_THP:
		/* Twice the size, to find a 2 MiB-aligned start for THP. */
		m->map_len = 2 * DMACTL_MEM_LEN;
		m->map = mmap(NULL, m->map_len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		m->addr = (void *)(((uintptr_t)m->map + DMACTL_MEM_LEN - 1) &
				   ~(uintptr_t)(DMACTL_MEM_LEN - 1));
		if (m->map != MAP_FAILED && kind == MEM_USER_THP)
			madvise(m->addr, DMACTL_MEM_LEN, MADV_HUGEPAGE);
		break;
	case MEM_USER_HUGETLB:
		m->map_len = DMACTL_MEM_LEN;
		m->map = mmap(NULL, m->map_len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			      DMACTL_MAP_HUGE_2MB, -1, 0);
		m->addr = m->map;
		break;
	case MEM_USER_MEMFD:
		mfd = memfd_create("dmactl-mem", MFD_CLOEXEC);
		if (mfd < 0 || ftruncate(mfd, DMACTL_MEM_LEN))
			return -errno;
		m->map_len = DMACTL_MEM_LEN;
		m->map = mmap(NULL, m->map_len, PROT_READ | PROT_WRITE,
			      MAP_SHARED, mfd, 0);
		m->addr = m->map;
		close(mfd);
		break;
	default:
		return -EINVAL;
	}
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		return -ENOMEM;
	}
	memset(m->addr, 0x5a, DMACTL_MEM_LEN);
	return _test_cmd_buf_alloc(fd, DMACTL_BUF_USER, 0, DMACTL_MEM_LEN,
				   m->addr, &m->id);
}

/* Free the buffer (if @fd is still open, >= 0) and unmap the memory. */
static inline void dmactl_mem_drop(int fd, struct dmactl_mem *m)
{
	if (fd >= 0 && m->id)
		_test_cmd_buf_free(fd, m->id);
	if (m->map)
		munmap(m->map, m->map_len);
	m->id = 0;
	m->map = NULL;
}

#endif /* DMACTL_LIB_MEMORY_H */
