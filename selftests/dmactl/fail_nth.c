// SPDX-License-Identifier: GPL-2.0
/*
 * Every error path of the module, reached by fault injection, as the
 * kernel's iommufd_fail_nth does it: for each ioctl, for close() and for
 * each way a device is revoked, the call is made again and again with
 * its n-th allocation or user copy failing (/proc/thread-self/fail-nth;
 * failslab, fail_page_alloc, fail_usercopy), n = 1, 2, ... until it runs
 * through without reaching an n-th one.  After each: the call succeeded
 * or gave an errno its kernel-doc lists, the file's close leaves every
 * counter at zero, and the kernel gained no WARN (the VM runner also
 * fails on any report, and scans kmemleak at the end).  Each test prints
 * how many injection points it found and which errnos it saw.
 *
 * Needs CONFIG_FAULT_INJECTION (the debug kernel); skips elsewhere.
 * DMACTL_FAIL_NTH_MAX bounds n: by default the first 8 injection points
 * of each call (make check's slice, half a minute under KASAN); make
 * fail-nth sets it high enough to reach the end of every call.
 *
 * Two kernel bugs are known here, and expected by name:
 *  - virtio-iommu's unmap drops its request when the request's
 *    GFP_ATOMIC allocation fails, and returns 0
 *    (drivers/iommu/virtio-iommu.c, viommu_unmap_pages()), so
 *    dma_iova_unlink() and the classic unmap WARN (unmapped != size) --
 *    and the host keeps the mapping;
 *  - x86's add_pages() WARNs when __add_pages() fails
 *    (arch/x86/mm/init_64.c), as it does when one of its allocations
 *    fails: memremap_pages() under memory pressure, for any driver that
 *    publishes P2P memory (P2PMEM_PUBLISH here).
 * The calls that can reach them run with panic_on_warn off, declared to
 * the VM runner (DMACTL-EXPECT-WARN), which fails the run on any other
 * WARN; each time one happens is printed as an expected failure of the
 * kernel.
 *
 * Two more are uses after free, which no runner can let pass:
 *  - when pci_p2pdma_add_resource()'s gen_pool_add_owner() fails, it
 *    frees its pagemap but leaves the devres action that reads it at
 *    unbind (pci_p2pdma_unmap_mappings(); drivers/pci/p2pdma.c): KASAN
 *    reports the next unbind of the device;
 *  - when an allocation fails while ACPICA updates the reference counts
 *    of a package (acpi_ut_update_object_reference(), "Could not update
 *    object reference count"), the counts are left half updated, and a
 *    later evaluation of the host bridge's _PRT reads a freed namespace
 *    object: reached by unbinding a PCI device with an INTx routed by
 *    _PRT (pci_disable_device(), acpi_pci_irq_disable()).
 * So the calls that reach them are swept with the function named in
 * their case taken out of the injection: no allocation made under it is
 * failed (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER, reject-start and
 * reject-end); they skip on kernels without that filter.
 * DMACTL_FAIL_NTH_REPRODUCE=1 sweeps them whole, to check a kernel
 * that has the fixes (one that has not reports the use after free).
 *
 * Every other call is swept with the DMA layer's IOVA allocator,
 * alloc_iova_fast(), taken out of the injection, for want of a fix to
 * another bug: a failure there, in the 32-bit space a PCI device's IOVA
 * comes from first, moves the device to the top of its space for good
 * (iommu_dma_alloc_iova()), and where that space ends at 2^64 (AMD-Vi)
 * iommu.debug_pagealloc then WARNs at every unmap of the top range, the
 * device driver's own ones included (kernel_bugs.c reproduces it).
 * Without the stack-trace filter those calls are swept whole.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "dmactl_test.h"
#include "lib/errnos.h"

#define DEBUGFS "/sys/kernel/debug"
/* make check's slice: the first few injection points of each call */
#define NTH_LIMIT 8

/* The functions whose WARN the kernel bugs above trip, for the runner. */
#define VIOMMU_WARN_FUNCS "dma_iova_unlink,__iommu_dma_unmap,iommu_dma_unmap_phys"
#define VIOMMU_WARN_WHY "virtio-iommu loses an unmap whose request allocation fails"
#define ADD_PAGES_WARN_FUNCS "add_pages"
#define ADD_PAGES_WARN_WHY "x86 add_pages() WARNs when __add_pages() fails"
#define P2PDMA_UAF_FUNC "gen_pool_add_owner"
#define P2PDMA_UAF_WHY "a failed gen_pool_add_owner() in pci_p2pdma_add_resource() leaves a devres action on freed memory"
#define ACPI_PRT_UAF_FUNC "acpi_pci_irq_disable"
#define ACPI_PRT_UAF_WHY "a failed allocation in ACPICA's reference counting frees a namespace object _PRT still reads"
#define IOVA_ALLOC_FUNC "alloc_iova_fast"
#define IOVA_ALLOC_WHY "a failed 32-bit IOVA allocation moves the device to IOVA ending at 2^64, where iommu.debug_pagealloc WARNs on unmap"

/* The fault attributes fail-nth goes through on the way to an allocation. */
static const char *const alloc_attrs[] = { "failslab", "fail_page_alloc" };

static int writeat(const char *path, const char *val)
{
	return sysfs_put(path, val);
}

/* Let every allocation be failed, quietly; false without fault injection. */
static bool setup_fault_injection(void)
{
	static const char *const quiet[] = {
		DEBUGFS "/failslab/verbose", DEBUGFS "/fail_page_alloc/verbose",
		DEBUGFS "/fail_usercopy/verbose",
	};
	size_t i;

	if (access("/proc/thread-self/fail-nth", W_OK) ||
	    writeat(DEBUGFS "/failslab/ignore-gfp-wait", "N"))
		return false;
	writeat(DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N");
	writeat(DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N");
	writeat(DEBUGFS "/fail_page_alloc/min-order", "0");
	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		writeat(quiet[i], "0");
	return true;
}

/* [*start, *end): the code of kernel function @fn, from /proc/kallsyms. */
static int kernel_function(const char *fn, unsigned long long *start,
			   unsigned long long *end)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr;
	char type, name[256];

	*start = 0;
	*end = ~0ULL;
	if (!f)
		return -errno;
	while (!*start && fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3)
		if ((type == 't' || type == 'T') && !strcmp(name, fn))
			*start = addr;
	/* The lowest symbol above its start ends it (kallsyms is not sorted). */
	rewind(f);
	while (*start && fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3)
		if (addr > *start && addr < *end)
			*end = addr;
	fclose(f);
	if (!*start || *end == ~0ULL)
		return -ENOENT;
	return 0;
}

static int attr_put(const char *attr, const char *file, unsigned long long val)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), DEBUGFS "/%s/%s", attr, file);
	snprintf(buf, sizeof(buf), "%llu", val);
	return sysfs_put(path, buf) ? -EIO : 0;
}

/*
 * Take @fn (NULL: nothing) out of fail-nth's reach: an allocation whose
 * stack holds it is never failed, nor counted.  -EOPNOTSUPP without the
 * stack-trace filter, -ENOENT when kallsyms hides @fn.
 */
static int avoid_function(const char *fn)
{
	unsigned long long start = 0, end = 0;
	char path[128];
	size_t i;
	int ret;

	if (fn) {
		ret = kernel_function(fn, &start, &end);
		if (ret)
			return ret;
	}
	for (i = 0; i < sizeof(alloc_attrs) / sizeof(alloc_attrs[0]); i++) {
		snprintf(path, sizeof(path), DEBUGFS "/%s/reject-start", alloc_attrs[i]);
		if (access(path, W_OK))
			return fn ? -EOPNOTSUPP : 0;
		ret = attr_put(alloc_attrs[i], "reject-start", start) ?:
		      attr_put(alloc_attrs[i], "reject-end", end) ?:
		      attr_put(alloc_attrs[i], "stacktrace-depth", 32);
		if (ret)
			return ret;
	}
	return 0;
}

static bool viommu(void)
{
	DIR *d = opendir("/sys/bus/virtio/drivers/virtio_iommu");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d)))
		found = !strncmp(e->d_name, "virtio", 6);
	if (d)
		closedir(d);
	return found;
}

/**
 * struct fnth - what one try of a call works on
 * @fd: the file the call uses
 * @dev: the device it is attached to
 * @buf: a buffer (setups make what the call needs)
 * @buf2: a second buffer
 * @iova: an IOVA object
 * @iova2: a second IOVA object
 * @run: a benchmark run
 * @excl: the exclusive device of the case, or ""
 * @links: room for QUERY's link list
 * @mem: user memory for a buffer, USER_MEM_PAGES pages
 */
struct fnth {
	int fd;
	const char *dev;
	__u32 buf, buf2, iova, iova2, run;
	char excl[32];
	struct dmactl_link_info links[8];
	void *mem;
};

static int open_attached(struct fnth *f, const char *dev)
{
	f->dev = dev;
	f->fd = open(DMACTL_DEVICE, O_RDWR);
	if (f->fd < 0)
		return -errno;
	return _test_cmd_attach(f->fd, dev, NULL);
}

/* Two 4-page buffers, two IOVA objects with a linked, synced page each. */
static int make_linked(struct fnth *f, __u32 flags)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_iova_alloc ia;

	return _test_cmd_buf_alloc_flags(f->fd, DMACTL_BUF_KERNEL, 0, 4 * pg,
					 NULL, flags, &f->buf) ?:
	       _test_cmd_buf_alloc_flags(f->fd, DMACTL_BUF_KERNEL, 0, 4 * pg,
					 NULL, flags, &f->buf2) ?:
	       _test_cmd_iova_alloc(f->fd, 4 * pg, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia) ?:
	       (f->iova = ia.out_id, 0) ?:
	       _test_cmd_iova_alloc(f->fd, 4 * pg, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia) ?:
	       (f->iova2 = ia.out_id, 0) ?:
	       _test_cmd_iova_link(f->fd, f->iova, f->buf, 0, 0, pg,
				   DMACTL_DIR_TO_DEVICE, 0) ?:
	       _test_cmd_iova_link(f->fd, f->iova2, f->buf2, 0, 0, pg,
				   DMACTL_DIR_FROM_DEVICE, 0) ?:
	       _test_cmd_iova_sync(f->fd, f->iova, 0, pg) ?:
	       _test_cmd_iova_sync(f->fd, f->iova2, 0, pg);
}

/* A run of @mode: two threads, so a failure can come after one is set up. */
static int bench_start_mode(struct fnth *f, __u32 mode, __u32 flags,
			    __u32 dir, __u32 pages, __u32 ios)
{
	struct dmactl_bench_start p = {
		.size = sizeof(p), .mode = mode, .flags = flags, .threads = 2,
		.node = DMACTL_NO_NODE, .pages = pages, .dir = dir, .ios = ios,
	};
	int ret = dmactl_ioc(f->fd, DMACTL_BENCH_START, &p);

	f->run = p.out_id;
	return ret;
}

static int bench_start(struct fnth *f, __u32 ios)
{
	return bench_start_mode(f, DMACTL_BENCH_PHYS, 0,
				DMACTL_DIR_BIDIRECTIONAL, 2, ios);
}

/* ---- the setups: a fresh file each time, without injection ---- */

static int setup_open(struct fnth *f)
{
	f->dev = dmactl_test_dev();
	f->fd = open(DMACTL_DEVICE, O_RDWR);
	return f->fd < 0 ? -errno : 0;
}

static int setup_attached(struct fnth *f)
{
	return open_attached(f, dmactl_test_dev());
}

#define USER_MEM_PAGES 8

/*
 * Attached, with USER_MEM_PAGES pages of memory to pin: mapped once (a
 * static array cannot be sized in pages of the running kernel) and kept
 * for every try, as such an array would be; mapped here, because an
 * mmap() under injection would fail before the call is reached.
 */
static int setup_user_mem(struct fnth *f)
{
	static void *mem;

	if (!mem) {
		mem = mmap(NULL, USER_MEM_PAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED) {
			mem = NULL;
			return -errno;
		}
	}
	f->mem = mem;
	return setup_attached(f);
}

static int setup_linked(struct fnth *f)
{
	return open_attached(f, dmactl_test_dev()) ?: make_linked(f, 0);
}

/* Four links of one page sharing one record (IOVA path), for a split. */
static int setup_record(struct fnth *f)
{
	int ret = setup_linked(f), k;

	for (k = 1; !ret && k < 4; k++)
		ret = _test_cmd_iova_link(f->fd, f->iova, f->buf, k * PAGE_SZ,
					  k * PAGE_SZ, PAGE_SZ,
					  DMACTL_DIR_TO_DEVICE, 0);
	return ret;
}

static int setup_running(struct fnth *f)
{
	return open_attached(f, dmactl_test_dev()) ?: bench_start(f, 20);
}

/* Objects of every kind, a run still going: what close() tears down. */
static int setup_everything(struct fnth *f)
{
	return setup_linked(f) ?: bench_start(f, 1000000);
}

/* The exclusive edu, bound to dmactl, with linked objects. */
static int setup_edu(struct fnth *f)
{
	const char *edu = dmactl_test_excl_dev();

	if (!edu)
		return -ENODEV;
	snprintf(f->excl, sizeof(f->excl), "%s", edu);
	if (dmactl_bind_exclusive(edu) || !wait_driver(edu, "dmactl"))
		return -ENODEV;
	return open_attached(f, edu) ?: make_linked(f, DMACTL_BUF_ALLOC_REACHABLE);
}

/* ivshmem bound to dmactl, for P2PMEM_PUBLISH. */
static int setup_ivshmem(struct fnth *f)
{
	char why[256];

	if (pci_find_driverless("1af4", "1110", f->excl, sizeof(f->excl)))
		return -ENODEV;
	if (!dmactl_expendable(f->excl, why, sizeof(why)))
		return -ENODEV;
	if (dmactl_bind_exclusive(f->excl) || !wait_driver(f->excl, "dmactl"))
		return -ENODEV;
	return open_attached(f, f->excl);
}

/* ivshmem's BAR2 published, a buffer of it linked from the test device. */
static int setup_provider(struct fnth *f)
{
	struct dmactl_p2pmem_publish pub = { .size = sizeof(pub), .bar = 2 };
	struct dmactl_buf_alloc ba = {
		.size = sizeof(ba), .kind = DMACTL_BUF_P2P, .length = PAGE_SZ,
		.node = DMACTL_NO_NODE,
	};
	struct dmactl_iova_alloc ia;
	int ret, fd;

	ret = setup_ivshmem(f);
	if (ret)
		return ret;
	ret = dmactl_ioc(f->fd, DMACTL_P2PMEM_PUBLISH, &pub);
	if (ret)
		return ret;
	/* The provider's file stays open beside the client's. */
	fd = f->fd;
	ret = open_attached(f, dmactl_test_dev());
	close(fd);
	if (ret)
		return ret;
	snprintf(ba.provider, sizeof(ba.provider), "%s", f->excl);
	ret = dmactl_ioc(f->fd, DMACTL_BUF_ALLOC, &ba) ?:
	      _test_cmd_iova_alloc(f->fd, PAGE_SZ, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	if (ret)
		return ret;
	/* The link may be refused (no path to it here): the buffer stays. */
	_test_cmd_iova_link(f->fd, ia.out_id, ba.out_id, 0, 0, PAGE_SZ,
			    DMACTL_DIR_BIDIRECTIONAL, 0);
	return 0;
}

/* ---- the calls under injection ---- */

static int call_version(struct fnth *f)
{
	struct dmactl_get_version v = { .size = sizeof(v) };

	return dmactl_ioc(f->fd, DMACTL_GET_VERSION, &v);
}

static int call_attach(struct fnth *f)
{
	return _test_cmd_attach(f->fd, f->dev, NULL);
}

static int call_buf_kernel(struct fnth *f)
{
	return _test_cmd_buf_alloc(f->fd, DMACTL_BUF_KERNEL, 1, 8 * PAGE_SZ, NULL, NULL);
}

static int call_buf_user(struct fnth *f)
{
	return _test_cmd_buf_alloc(f->fd, DMACTL_BUF_USER, 0,
				   USER_MEM_PAGES * PAGE_SZ, f->mem, NULL);
}

static int call_buf_free(struct fnth *f)
{
	_test_cmd_iova_unlink(f->fd, f->iova, 0, PAGE_SZ, DMACTL_DIR_TO_DEVICE, 0);
	return _test_cmd_buf_free(f->fd, f->buf);
}

static int call_fill(struct fnth *f)
{
	return _test_cmd_buf_fill(f->fd, f->buf, 0, 4 * PAGE_SZ, 7);
}

static int call_checksum(struct fnth *f)
{
	return _test_cmd_buf_checksum(f->fd, f->buf, 0, 4 * PAGE_SZ, NULL);
}

static int call_iova_alloc(struct fnth *f)
{
	return _test_cmd_iova_alloc(f->fd, 64 * PAGE_SZ, 0,
				    DMACTL_IOVA_ALLOW_FALLBACK, NULL);
}

static int call_link(struct fnth *f)
{
	const __u64 pg = PAGE_SZ;

	return _test_cmd_iova_link(f->fd, f->iova, f->buf, 2 * pg, 2 * pg,
				   2 * pg, DMACTL_DIR_TO_DEVICE, 0);
}

/*
 * A link into a fresh 64 MiB of IOVA space, half way in: the IOMMU needs
 * a new page-table page for it, whose GFP_ATOMIC allocation the sweep
 * fails, so dma_iova_link()'s own error path is reached (the other link
 * cases land where the tables already exist).  Small enough to stay in
 * the 32-bit IOVA space (see kernel_bugs.c for what leaving it costs).
 */
static int setup_fresh_space(struct fnth *f)
{
	struct dmactl_iova_alloc ia = {};
	int ret = setup_linked(f);

	if (ret)
		return ret;
	ret = _test_cmd_iova_alloc(f->fd, 64ULL << 20, 0, 0, &ia);
	if (ret == -EOPNOTSUPP)
		return -ENODEV;	/* no IOVA API here: nothing to reach */
	f->iova2 = ia.out_id;
	return ret;
}

static int call_link_fresh(struct fnth *f)
{
	return _test_cmd_iova_link(f->fd, f->iova2, f->buf, 0, 32ULL << 20,
				   2 * PAGE_SZ, DMACTL_DIR_TO_DEVICE, 0);
}

/* What the link says it mapped translates: no mismatch, nothing missing. */
static int check_link_fresh(struct fnth *f)
{
	struct dmactl_iova_verify v;
	int ret = _test_cmd_iova_verify(f->fd, f->iova2, 32ULL << 20,
					2 * PAGE_SZ, &v);

	return ret ?: v.out_mismatches || v.out_mapped_ok != 2 ? -EIO : 0;
}

/* A link continuing the record before it (the extend path). */
static int call_link_extend(struct fnth *f)
{
	const __u64 pg = PAGE_SZ;

	return _test_cmd_iova_link(f->fd, f->iova, f->buf, pg, pg, pg,
				   DMACTL_DIR_TO_DEVICE, 0);
}

static int call_sync(struct fnth *f)
{
	return _test_cmd_iova_sync(f->fd, f->iova, 0, 4 * PAGE_SZ);
}

static int call_unlink(struct fnth *f)
{
	return _test_cmd_iova_unlink(f->fd, f->iova, 0, PAGE_SZ, DMACTL_DIR_TO_DEVICE, 0);
}

/* Two links out of the middle of a shared record: it splits. */
static int call_unlink_split(struct fnth *f)
{
	return _test_cmd_iova_unlink(f->fd, f->iova, PAGE_SZ, 2 * PAGE_SZ,
				     DMACTL_DIR_TO_DEVICE, 0);
}

static int call_iova_free(struct fnth *f)
{
	_test_cmd_iova_unlink(f->fd, f->iova, 0, PAGE_SZ, DMACTL_DIR_TO_DEVICE, 0);
	return _test_cmd_iova_free(f->fd, f->iova);
}

static int call_destroy(struct fnth *f)
{
	return _test_cmd_iova_destroy(f->fd, f->iova, PAGE_SZ, DMACTL_DIR_TO_DEVICE, 0);
}

static int call_query(struct fnth *f)
{
	return _test_cmd_iova_query(f->fd, f->iova, NULL, f->links, 8);
}

static int call_verify(struct fnth *f)
{
	return _test_cmd_iova_verify(f->fd, f->iova, 0, 4 * PAGE_SZ, NULL);
}

static int call_p2p_query(struct fnth *f)
{
	struct dmactl_p2p_query q = { .size = sizeof(q) };

	snprintf(q.provider, sizeof(q.provider), "%s", f->dev);
	snprintf(q.client, sizeof(q.client), "%s", f->dev);
	return dmactl_ioc(f->fd, DMACTL_P2P_QUERY, &q);
}

static int call_publish(struct fnth *f)
{
	struct dmactl_p2pmem_publish pub = { .size = sizeof(pub), .bar = 2 };

	return dmactl_ioc(f->fd, DMACTL_P2PMEM_PUBLISH, &pub);
}

static int call_copy(struct fnth *f)
{
	struct dmactl_copy c = {
		.size = sizeof(c), .src_iova_id = f->iova,
		.dst_iova_id = f->iova2, .length = PAGE_SZ,
	};

	return dmactl_ioc(f->fd, DMACTL_COPY, &c);
}

static int call_bench_start(struct fnth *f)
{
	return bench_start(f, 20);
}

/* Mapped at START: a failure after must unmap what was premapped. */
static int call_bench_start_premapped(struct fnth *f)
{
	return bench_start_mode(f, DMACTL_BENCH_PREMAPPED, 0,
				DMACTL_DIR_BIDIRECTIONAL, 4, 20);
}

/* Folios of orders 0, 2, 0, 1: each freed at its own order. */
static int call_bench_start_gpusvm(struct fnth *f)
{
	return bench_start_mode(f, DMACTL_BENCH_GPUSVM, 0,
				DMACTL_DIR_BIDIRECTIONAL, 8, 20);
}

/* Links abandoned for the fallback, on every I/O. */
static int call_bench_start_tso(struct fnth *f)
{
	return bench_start_mode(f, DMACTL_BENCH_TSO, DMACTL_BENCH_UNALIGNED,
				DMACTL_DIR_TO_DEVICE, 4, 20);
}

static int call_bench_result(struct fnth *f)
{
	struct dmactl_bench_result r = {
		.size = sizeof(r), .id = f->run, .flags = DMACTL_BENCH_WAIT,
	};

	return dmactl_ioc(f->fd, DMACTL_BENCH_RESULT, &r);
}

static int call_bench_free(struct fnth *f)
{
	struct dmactl_bench_free c = { .size = sizeof(c), .id = f->run };

	return dmactl_ioc(f->fd, DMACTL_BENCH_FREE, &c);
}

static int call_close(struct fnth *f)
{
	int ret = close(f->fd) ? -errno : 0;

	f->fd = -1;
	return ret;
}

static int call_disallow(struct fnth *f)
{
	return sysfs_put("/sys/class/misc/dmactl/disallow", f->dev);
}

static int call_unbind_excl(struct fnth *f)
{
	return sysfs_put(PCI "/drivers/dmactl/unbind", f->excl);
}

/* ---- undoing what a call changed outside the file ---- */

static void undo_allow(struct fnth *f)
{
	sysfs_put("/sys/class/misc/dmactl/allow", f->dev);
}

/* Unbind the exclusive device (a published BAR goes with the binding). */
static void undo_unbind_excl(struct fnth *f)
{
	if (f->excl[0] && driver_is(f->excl, "dmactl"))
		sysfs_put(PCI "/drivers/dmactl/unbind", f->excl);
}

/**
 * struct fn_case - one call swept
 * @name: the case, for the kernel log
 * @req: its ioctl, for the errnos it documents; 0 for close and
 *	revocations (any errno of the sysfs write is the kernel's own)
 * @setup: make a fresh file and what the call needs, without injection;
 *	-ENODEV when the case cannot run here (it skips)
 * @call: the call, under injection: 0 or -errno
 * @undo: put back what the call changed outside the file, or NULL
 * @warns: functions of a known kernel bug the call can make WARN (see the
 *	head of this file), or NULL
 * @why: the bug
 * @avoid: a kernel function whose allocations are not failed, because
 *	failing them runs into a known kernel bug worse than a WARN, or NULL
 * @avoid_why: that bug
 * @avoid_if_can: sweep the whole call on a kernel that cannot avoid
 *	@avoid (no stack-trace filter), rather than skip it
 * @check: after a call that succeeded despite the injection, is its
 *	result real?  0 if so (NULL: nothing to check)
 */
struct fn_case {
	const char *name;
	unsigned long req;
	int (*setup)(struct fnth *f);
	int (*call)(struct fnth *f);
	void (*undo)(struct fnth *f);
	int (*check)(struct fnth *f);
	const char *warns;
	const char *why;
	const char *avoid;
	const char *avoid_why;
	bool avoid_if_can;
};

FIXTURE(fail_nth) {
	bool injectable;
	bool viommu;
	long long max;
};

FIXTURE_VARIANT(fail_nth) {
	struct fn_case c;
};

#define CASE(_name, _req, _setup, _call, _undo) \
	FIXTURE_VARIANT_ADD(fail_nth, _name) { \
		{ .name = #_name, .req = _req, .setup = _setup, \
		  .call = _call, .undo = _undo, .avoid = IOVA_ALLOC_FUNC, \
		  .avoid_why = IOVA_ALLOC_WHY, .avoid_if_can = true } }

CASE(get_version, DMACTL_GET_VERSION, setup_open, call_version, NULL);
CASE(attach, DMACTL_ATTACH, setup_open, call_attach, NULL);
CASE(buf_alloc_kernel, DMACTL_BUF_ALLOC, setup_attached, call_buf_kernel, NULL);
CASE(buf_alloc_user, DMACTL_BUF_ALLOC, setup_user_mem, call_buf_user, NULL);
CASE(buf_free, DMACTL_BUF_FREE, setup_linked, call_buf_free, NULL);
CASE(buf_fill, DMACTL_BUF_FILL, setup_linked, call_fill, NULL);
CASE(buf_checksum, DMACTL_BUF_CHECKSUM, setup_linked, call_checksum, NULL);
CASE(iova_alloc, DMACTL_IOVA_ALLOC, setup_attached, call_iova_alloc, NULL);
CASE(iova_link, DMACTL_IOVA_LINK, setup_linked, call_link, NULL);
CASE(iova_link_extend, DMACTL_IOVA_LINK, setup_linked, call_link_extend, NULL);
FIXTURE_VARIANT_ADD(fail_nth, iova_link_fresh_table) {
	{ .name = "iova_link_fresh_table", .req = DMACTL_IOVA_LINK,
	  .setup = setup_fresh_space, .call = call_link_fresh,
	  .check = check_link_fresh, .avoid = IOVA_ALLOC_FUNC,
	  .avoid_why = IOVA_ALLOC_WHY, .avoid_if_can = true } };
CASE(iova_sync, DMACTL_IOVA_SYNC, setup_linked, call_sync, NULL);
CASE(iova_unlink, DMACTL_IOVA_UNLINK, setup_linked, call_unlink, NULL);
CASE(iova_unlink_split, DMACTL_IOVA_UNLINK, setup_record, call_unlink_split, NULL);
CASE(iova_free, DMACTL_IOVA_FREE, setup_linked, call_iova_free, NULL);
CASE(iova_destroy, DMACTL_IOVA_DESTROY, setup_linked, call_destroy, NULL);
CASE(iova_query, DMACTL_IOVA_QUERY, setup_linked, call_query, NULL);
CASE(iova_verify, DMACTL_IOVA_VERIFY, setup_linked, call_verify, NULL);
CASE(p2p_query, DMACTL_P2P_QUERY, setup_attached, call_p2p_query, NULL);
FIXTURE_VARIANT_ADD(fail_nth, p2pmem_publish) {
	{ .name = "p2pmem_publish", .req = DMACTL_P2PMEM_PUBLISH,
	  .setup = setup_ivshmem,
	  .call = call_publish, .undo = undo_unbind_excl,
	  .warns = ADD_PAGES_WARN_FUNCS, .why = ADD_PAGES_WARN_WHY,
	  .avoid = P2PDMA_UAF_FUNC, .avoid_why = P2PDMA_UAF_WHY } };
CASE(copy, DMACTL_COPY, setup_edu, call_copy, NULL);
CASE(bench_start, DMACTL_BENCH_START, setup_attached, call_bench_start, NULL);
CASE(bench_start_premapped, DMACTL_BENCH_START, setup_attached,
     call_bench_start_premapped, NULL);
CASE(bench_start_gpusvm, DMACTL_BENCH_START, setup_attached,
     call_bench_start_gpusvm, NULL);
CASE(bench_start_tso, DMACTL_BENCH_START, setup_attached, call_bench_start_tso, NULL);
CASE(bench_result, DMACTL_BENCH_RESULT, setup_running, call_bench_result, NULL);
CASE(bench_free, DMACTL_BENCH_FREE, setup_running, call_bench_free, NULL);
CASE(close, 0, setup_everything, call_close, NULL);
CASE(revoke_disallow, 0, setup_everything, call_disallow, undo_allow);
/* Unbinding a PCI device, under injection: avoid the ACPICA bug. */
#define UNBIND_CASE(_name, _setup, _undo) \
	FIXTURE_VARIANT_ADD(fail_nth, _name) { \
		{ .name = #_name, .setup = _setup, .call = call_unbind_excl, \
		  .undo = _undo, .avoid = ACPI_PRT_UAF_FUNC, \
		  .avoid_why = ACPI_PRT_UAF_WHY } }

UNBIND_CASE(revoke_unbind_exclusive, setup_edu, NULL);
UNBIND_CASE(revoke_provider, setup_provider, undo_unbind_excl);

FIXTURE_SETUP(fail_nth)
{
	self->injectable = setup_fault_injection();
	self->viommu = viommu();
	self->max = getenv("DMACTL_FAIL_NTH_MAX") ?
		    atoll(getenv("DMACTL_FAIL_NTH_MAX")) : NTH_LIMIT;
}

FIXTURE_TEARDOWN(fail_nth)
{
	const char *dev = dmactl_test_dev();
	char why[256];

	avoid_function(NULL);
	/*
	 * A failure injected into the DMA layer's 32-bit IOVA allocation
	 * moves the device to IOVA from the top of its space until it is
	 * probed again, where an unmap by its own driver can hit a kernel
	 * bug (kernel_bugs.c): probe it again, as at boot.
	 */
	if (!dmactl_iova_above_4g(dev))
		return;
	if (!dmactl_expendable(dev, why, sizeof(why))) {
		printf("# %s takes IOVA above 4 GiB until probed again (%s)\n", dev, why);
		return;
	}
	EXPECT_EQ(0, pci_reprobe(dev));
}

/* Arm fail-nth: the n-th injection point of this thread fails. */
static int nth_arm(int fd, long n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* Disarm, and say whether the n-th point was reached (the count ran out). */
static bool nth_reached(int fd)
{
	char buf[32] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) < 0)
		buf[0] = '\0';
	nth_arm(fd, 0);
	return atol(buf) == 0;
}

TEST_F_TIMEOUT(fail_nth, sweep, 1500)
{
	const struct fn_case *c = &variant->c;
	unsigned long taint = dmactl_taint(), warned = 0, seen_bits = 0;
	long n, points = 0, errors = 0;
	char seen[256] = "", what[512], line[256];
	char warn_funcs[256] = "", warn_why[512] = "";
	bool reached;
	int nth, ret, was = 0;
	struct fnth f;
	size_t used;

	if (!self->injectable)
		SKIP(return, "no fault injection here (CONFIG_FAULT_INJECTION, debugfs)");
	if (c->avoid && !getenv("DMACTL_FAIL_NTH_REPRODUCE")) {
		ret = avoid_function(c->avoid);
		if (ret == -EOPNOTSUPP && !c->avoid_if_can)
			SKIP(return, "no CONFIG_FAULT_INJECTION_STACKTRACE_FILTER to keep off a kernel bug (%s)",
			     c->avoid_why);
		if (ret != -EOPNOTSUPP) {
			ASSERT_EQ(0, ret) {
				TH_LOG("cannot keep injection out of %s: %d", c->avoid, ret);
			}
			printf("# %s() is not failed: %s\n", c->avoid, c->avoid_why);
		}
	}
	nth = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, nth);
	/* So that a report in the kernel log names the call that made it. */
	snprintf(line, sizeof(line), "dmactl fail_nth: sweeping %s\n", c->name);
	dmactl_kmsg(line);
	/* The known kernel bugs this call may run into, for the runner. */
	if (c->warns || self->viommu) {
		snprintf(warn_funcs, sizeof(warn_funcs), "%s%s%s", c->warns ?: "",
			 c->warns && self->viommu ? "," : "",
			 self->viommu ? VIOMMU_WARN_FUNCS : "");
		snprintf(warn_why, sizeof(warn_why), "%s%s%s", c->why ?: "",
			 c->why && self->viommu ? "; " : "",
			 self->viommu ? VIOMMU_WARN_WHY : "");
	}
	for (n = 1; n <= self->max; n++) {
		memset(&f, 0, sizeof(f));
		f.fd = -1;
		ret = c->setup(&f);
		if (ret == -ENODEV && n == 1) {
			if (f.fd >= 0)
				close(f.fd);
			close(nth);
			/* SKIP()'s statement runs inside its own do-while. */
			SKIP(return, "what this call needs is not here");
		}
		ASSERT_EQ(0, ret) {
			TH_LOG("setup for n=%ld: %d", n, ret);
		}
		if (warn_funcs[0]) {
			was = dmactl_expect_warn_begin(warn_funcs, warn_why);
			ASSERT_LE(0, was);
		}
		ASSERT_EQ(0, nth_arm(nth, n));
		ret = c->call(&f);
		reached = nth_reached(nth);
		/* A success must be one: a failure reported as none is a bug. */
		if (!ret && c->check)
			EXPECT_EQ(0, c->check(&f)) {
				TH_LOG("n=%ld: the call succeeded, but its result is not there", n);
			}
		if (warn_funcs[0] && dmactl_expect_warn_end(taint, was)) {
			warned++;
			taint |= 1UL << 9;
			printf("# XFAIL n=%ld: a known kernel bug WARNed (%s; see the head of fail_nth.c)\n",
			       n, warn_why);
		}
		if (f.fd >= 0)
			close(f.fd);
		if (c->undo)
			c->undo(&f);
		if (ret) {
			errors++;
			if (!c->req || !dmactl_errno_documented(c->req, -ret)) {
				EXPECT_EQ(0, c->req) {
					TH_LOG("n=%ld: errno %s is not documented for this ioctl",
					       n, strerrorname_np(-ret));
				}
			}
			if (-ret < 64 && !(seen_bits & (1UL << -ret))) {
				seen_bits |= 1UL << -ret;
				used = strlen(seen);
				snprintf(seen + used, sizeof(seen) - used, "%s%s",
					 used ? " " : "", strerrorname_np(-ret));
			}
		}
		EXPECT_EQ(0, dmactl_leaks(dmactl_test_dev(), what, sizeof(what))) {
			TH_LOG("n=%ld (errno %d): still held: %s", n, ret, what);
		}
		EXPECT_EQ(0, (dmactl_taint() & ~taint) & DMACTL_BAD_TAINT) {
			TH_LOG("n=%ld: the kernel was tainted", n);
		}
		if (!reached)
			break;
		points++;
	}
	close(nth);
	if (n > self->max)
		printf("# %ld injection points, more not tried (DMACTL_FAIL_NTH_MAX=%lld); %ld failed calls; errnos: %s\n",
		       points, self->max, errors, seen[0] ? seen : "none");
	else
		printf("# %ld injection points; %ld failed calls; errnos: %s%s\n",
		       points, errors, seen[0] ? seen : "none",
		       warned ? "; a known kernel bug WARNed (expected, XFAIL above)" : "");
}

DMACTL_TEST_MAIN
