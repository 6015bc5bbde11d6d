// SPDX-License-Identifier: GPL-2.0
/*
 * A device can go away while a file holds mappings on it.  Each way --
 * unbinding a device from dmactl's own driver, hot-removing a shared
 * device (PCI remove, then rescan), taking a shared device off the allow
 * list -- must tear everything down first: afterwards every operation
 * gives ENODEV, release() still works, and every counter is back to zero.
 *
 * The shared device is $DMACTL_SELFTESTS_DEV; the exclusive one is
 * $DMACTL_SELFTESTS_EXCL_DEV (a PCI device with no driver, such as QEMU's
 * edu), which this test binds to dmactl and unbinds.
 *
 * Revocation never waits on userspace: a caller stalled in a page fault
 * nobody serves (userfaultfd), in a stopped process, or in a copy that
 * would run for minutes holds up an unbind or a disallow for at most one
 * engine transfer.  Shared mode needs a driver that uses the DMA API: the
 * domain of a device without one can change under the mappings.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <linux/userfaultfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "dmactl_test.h"

/* Objects on the attached device: a buffer, an IOVA with live links. */
static void make_objects(struct __test_metadata *_metadata, int fd,
			 __u32 *iova, __u32 *buf)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_iova_alloc ia;

	/*
	 * Memory the device reaches without bouncing: the edu's mask is 28
	 * bits, and without an IOMMU pages above it are refused with EIO.
	 */
	test_cmd_buf_alloc_flags(fd, DMACTL_BUF_KERNEL, 0, 64 * pg,
				 NULL, DMACTL_BUF_ALLOC_REACHABLE, buf);
	test_cmd_iova_alloc(fd, 64 * pg, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	*iova = ia.out_id;
	test_cmd_iova_link(fd, *iova, *buf, 0, 0, 32 * pg, DMACTL_DIR_BIDIRECTIONAL, 0);
	test_cmd_iova_link(fd, *iova, *buf, 0, 32 * pg, 32 * pg, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_sync(fd, *iova, 0, 64 * pg);
	EXPECT_EQ(2, dmactl_counter("live-links"));
}

/* After revocation: every operation ENODEV, nothing left behind. */
static void expect_revoked(struct __test_metadata *_metadata, int fd,
			   __u32 iova, __u32 buf)
{
	const __u64 pg = PAGE_SZ;

	test_err_iova_verify(ENODEV, fd, iova, 0, pg, NULL);
	test_err_iova_link(ENODEV, fd, iova, buf, 0, 0, pg,
			   DMACTL_DIR_TO_DEVICE, 0);
	test_err_iova_unlink(ENODEV, fd, iova, 0, 32 * pg,
			     DMACTL_DIR_BIDIRECTIONAL, 0);
	test_err_iova_free(ENODEV, fd, iova);
	test_err_buf_free(ENODEV, fd, buf);
	test_err_buf_alloc(ENODEV, fd, DMACTL_BUF_KERNEL, 0, pg,
			   NULL, NULL);
	test_err_iova_alloc(ENODEV, fd, pg, 0,
			    DMACTL_IOVA_ALLOW_FALLBACK, NULL);
	/* Torn down before the ioctl returned ENODEV, not at close. */
	dmactl_expect_no_leaks();
}

FIXTURE(revoke) {
	int fd;
	unsigned long taint;
};

FIXTURE_SETUP(revoke)
{
	dmactl_fixture_open(self);
}

FIXTURE_TEARDOWN(revoke)
{
	dmactl_fixture_close(self);
}

TEST_F(revoke, unbind_exclusive_device)
{
	const char *dev = dmactl_test_excl_dev();
	char path[PATH_MAX];
	__u32 iova, buf;

	if (!dev)
		SKIP(return, "set DMACTL_SELFTESTS_EXCL_DEV to a driverless PCI device");
	ASSERT_FALSE(driver_is(dev, "dmactl"));
	snprintf(path, sizeof(path), PCI "/devices/%s/driver_override", dev);
	ASSERT_EQ(0, sysfs_put(path, "dmactl"));
	ASSERT_EQ(0, sysfs_put(PCI "/drivers/dmactl/bind", dev));
	ASSERT_TRUE(driver_is(dev, "dmactl"));

	test_cmd_attach(self->fd, dev, NULL);
	make_objects(_metadata, self->fd, &iova, &buf);
	ASSERT_EQ(0, sysfs_put(PCI "/drivers/dmactl/unbind", dev));
	EXPECT_FALSE(driver_is(dev, "dmactl"));
	EXPECT_EQ(0, sysfs_put(path, "\n"));
	expect_revoked(_metadata, self->fd, iova, buf);
}

TEST_F(revoke, disallow_shared_device)
{
	const char *dev = dmactl_test_dev();
	__u32 iova, buf;

	test_cmd_attach(self->fd, dev, NULL);
	make_objects(_metadata, self->fd, &iova, &buf);
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/disallow", dev));
	expect_revoked(_metadata, self->fd, iova, buf);
	/* Off the list: a new file may not attach; back on it, it may. */
	close(self->fd);
	self->fd = open(DMACTL_DEVICE, O_RDWR);
	test_err_attach(EPERM, self->fd, dev, NULL);
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/allow", dev));
	test_cmd_attach(self->fd, dev, NULL);
}

/*
 * Start "dmactl monitor --json --count 1" and wait for its line on stderr
 * saying it listens; its stdout comes back in *out.
 */
static pid_t monitor_start(FILE **out)
{
	const char *tool = dmactl_tool();
	int o[2], e[2];
	char line[256];
	FILE *err;
	pid_t pid;

	if (pipe(o) || pipe(e))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execlp(tool, tool, "monitor", "--json", "--count", "1", NULL);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	err = fdopen(e[0], "r");
	if (pid < 0 || !err || !fgets(line, sizeof(line), err))
		return -1;
	fclose(err);
	*out = fdopen(o[0], "r");
	return *out ? pid : -1;
}

TEST_F(revoke, hot_remove_shared_device)
{
	const char *dev = dmactl_test_dev();
	const char *drv = getenv("DMACTL_SELFTESTS_DEV_DRIVER") ?: "nvme";
	char path[PATH_MAX], event[512], want[128], why[512];
	__u32 iova, buf;
	FILE *mon;
	int status;
	pid_t pid;

	if (!driver_is(dev, drv))
		SKIP(return, "%s is not bound to %s (DMACTL_SELFTESTS_DEV_DRIVER)", dev, drv);
	if (!dmactl_expendable(dev, why, sizeof(why)))
		SKIP(return, "hot-removing %s: %s", dev, why);
	test_cmd_attach(self->fd, dev, NULL);
	make_objects(_metadata, self->fd, &iova, &buf);
	pid = monitor_start(&mon);
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), PCI "/devices/%s/remove", dev);
	ASSERT_EQ(0, sysfs_put(path, "1"));
	expect_revoked(_metadata, self->fd, iova, buf);
	/* dmactl monitor heard the revocation, with what it tore down. */
	ASSERT_NE(NULL, fgets(event, sizeof(event), mon));
	fclose(mon);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	TH_LOG("dmactl monitor --json: %s", event);
	snprintf(want, sizeof(want), "\"event\":\"dev-revoked\",\"dev\":\"%s\"", dev);
	EXPECT_NE(NULL, strstr(event, want));
	EXPECT_NE(NULL, strstr(event, "\"files\":1,\"bufs\":1,\"iovas\":1,\"links\":2,"));
	/* Bring it back for the tests that follow, with its driver. */
	ASSERT_EQ(0, sysfs_put(PCI "/rescan", "1"));
	ASSERT_TRUE(wait_driver(dev, drv));
}

/* ---- shared mode needs a DMA API driver ---- */

/*
 * A device on the allow list with no driver: its IOMMU group's domain can
 * be changed at any time (iommu_group/type), so no shared target is made
 * for it.  Once, a link, a change to identity and an unlink oopsed in
 * dma_iova_unlink().
 */
TEST_F(revoke, shared_needs_a_dma_api_driver)
{
	char dev[32];

	if (pci_find_driverless("1af4", "1110", dev, sizeof(dev)))
		SKIP(return, "no driverless ivshmem device here");
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/allow", dev));
	test_err_attach(ENXIO, self->fd, dev, NULL);
	EXPECT_EQ(0, sysfs_put("/sys/class/misc/dmactl/disallow", dev));
}

struct attacher {
	pthread_t thread;
	const char *dev;
	volatile bool stop;
	int attached;
};

/* Attach a new file to the device and close it, again and again. */
static void *attach_loop(void *arg)
{
	struct attacher *a = arg;
	int fd;

	while (!a->stop) {
		fd = open(DMACTL_DEVICE, O_RDWR);
		if (fd < 0)
			break;
		if (!_test_cmd_attach(fd, a->dev, NULL))
			a->attached++;
		close(fd);
	}
	return NULL;
}

/*
 * ATTACH racing the unbind of the shared device's driver: every target
 * made is revoked by that unbind, none outlives it (once, an ATTACH
 * landing between the unbind notifier and remove() made one that nobody
 * revoked, and that stayed listed after its files closed).
 */
TEST_F_TIMEOUT(revoke, attach_racing_unbind_is_revoked, 120)
{
	const char *dev = dmactl_test_dev();
	const char *drv = getenv("DMACTL_SELFTESTS_DEV_DRIVER") ?: "nvme";
	struct attacher a = { .dev = dev };
	char path[PATH_MAX], why[512];
	struct dmactl_nl_stats st;
	struct dmactl_nl *nl;

	if (!driver_is(dev, drv))
		SKIP(return, "%s is not bound to %s", dev, drv);
	if (!dmactl_expendable(dev, why, sizeof(why)))
		SKIP(return, "unbinding %s from %s: %s", dev, drv, why);
	ASSERT_EQ(0, pthread_create(&a.thread, NULL, attach_loop, &a));
	usleep(50000);
	snprintf(path, sizeof(path), PCI "/drivers/%s/unbind", drv);
	ASSERT_EQ(0, sysfs_put(path, dev));
	usleep(50000);
	a.stop = true;
	pthread_join(a.thread, NULL);
	TH_LOG("%d files attached around the unbind", a.attached);
	/* No target of the device is left, and none can be made now. */
	ASSERT_EQ(0, dmactl_nl_open(&nl));
	EXPECT_EQ(-ENODEV, dmactl_nl_stats_get(nl, dev, &st));
	dmactl_nl_close(nl);
	test_err_attach(ENXIO, self->fd, dev, NULL);
	snprintf(path, sizeof(path), PCI "/drivers/%s/bind", drv);
	ASSERT_EQ(0, sysfs_put(path, dev));
	ASSERT_TRUE(wait_driver(dev, drv));
}

/* ---- revocation never waits on userspace ---- */

/*
 * Disallow the shared device while a call of this file is stalled on a
 * page fault: the disallow returns (it once waited forever), and once the
 * fault is let go the call ends with one of @ok.
 */
static void disallow_while_stalled(struct __test_metadata *_metadata, int fd,
				   int uffd, unsigned long req, void *arg,
				   int ok1, int ok2)
{
	const char *dev = dmactl_test_dev();
	struct dmactl_stalled s = { .fd = fd, .req = req, .arg = arg };

	ASSERT_EQ(0, pthread_create(&s.thread, NULL, dmactl_stalled_ioctl, &s));
	ASSERT_TRUE(dmactl_uffd_stalled(uffd));
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/disallow", dev));
	dmactl_expect_no_leaks();
	close(uffd);	/* the fault resolves: nobody handles it any more */
	pthread_join(s.thread, NULL);
	EXPECT_TRUE(s.ret == ok1 || s.ret == ok2) {
		TH_LOG("the stalled call ended with %d", s.ret);
	}
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/allow", dev));
}

/* BUF_ALLOC pins the caller's memory with no lock held. */
TEST_F_TIMEOUT(revoke, disallow_while_a_pin_stalls, 60)
{
	struct dmactl_buf_alloc cmd = {
		.size = sizeof(cmd), .kind = DMACTL_BUF_USER,
		.length = 16 * PAGE_SZ, .node = DMACTL_NO_NODE,
	};
	void *mem;
	int uffd;

	uffd = dmactl_uffd_region(16 * PAGE_SZ, UFFDIO_REGISTER_MODE_MISSING, &mem);
	if (uffd < 0)
		SKIP(return, "no userfaultfd here (%d)", uffd);
	test_cmd_attach(self->fd, dmactl_test_dev(), NULL);
	cmd.user_addr = (__u64)(unsigned long)mem;
	disallow_while_stalled(_metadata, self->fd, uffd, DMACTL_BUF_ALLOC,
			       &cmd, -ENODEV, -EFAULT);
}

/* QUERY copies its link list out after dropping every lock. */
TEST_F_TIMEOUT(revoke, disallow_while_a_query_reply_stalls, 60)
{
	struct dmactl_iova_query q = { .size = sizeof(q), .nr_links = 2 };
	__u32 iova, buf;
	void *mem;
	int uffd;

	uffd = dmactl_uffd_region(PAGE_SZ, UFFDIO_REGISTER_MODE_MISSING, &mem);
	if (uffd < 0)
		SKIP(return, "no userfaultfd here (%d)", uffd);
	test_cmd_attach(self->fd, dmactl_test_dev(), NULL);
	make_objects(_metadata, self->fd, &iova, &buf);
	q.iova_id = iova;
	q.links_uptr = (__u64)(unsigned long)mem;
	disallow_while_stalled(_metadata, self->fd, uffd, DMACTL_IOVA_QUERY,
			       &q, 0, -EFAULT);
}

/* A new object's reply is copied out with no lock held, the object hidden. */
TEST_F_TIMEOUT(revoke, disallow_while_an_alloc_reply_stalls, 60)
{
	struct dmactl_iova_alloc req = {
		.size = sizeof(req), .flags = DMACTL_IOVA_ALLOW_FALLBACK,
		.length = 16 * PAGE_SZ,
	};
	struct dmactl_iova_alloc *ia;
	void *mem;
	int uffd;

	uffd = dmactl_uffd_region(PAGE_SZ, UFFDIO_REGISTER_MODE_WP, &mem);
	if (uffd < 0)
		SKIP(return, "no userfaultfd write-protection here (%d)", uffd);
	test_cmd_attach(self->fd, dmactl_test_dev(), NULL);
	/* Readable (the request), write-protected (the reply stalls). */
	ia = mem;
	ASSERT_EQ(0, dmactl_uffd_wp_write(uffd, ia, &req, sizeof(req)));
	disallow_while_stalled(_metadata, self->fd, uffd, DMACTL_IOVA_ALLOC,
			       ia, -ENODEV, -ENODEV);
}

/*
 * A process stopped (SIGSTOP) while one of its calls stalls on a fault
 * nobody serves: the disallow still returns; killing it ends the call.
 */
TEST_F_TIMEOUT(revoke, disallow_while_a_stopped_process_stalls, 60)
{
	const char *dev = dmactl_test_dev();
	struct dmactl_buf_alloc cmd = {
		.size = sizeof(cmd), .kind = DMACTL_BUF_USER,
		.length = 16 * PAGE_SZ, .node = DMACTL_NO_NODE,
	};
	int uffd, status, fd, ready[2];
	struct dmactl_stalled st;
	void *mem;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* A thread stalls on the child's own userfaultfd. */
		uffd = dmactl_uffd_region(16 * PAGE_SZ, UFFDIO_REGISTER_MODE_MISSING, &mem);
		fd = open(DMACTL_DEVICE, O_RDWR);
		if (uffd < 0 || fd < 0 || _test_cmd_attach(fd, dev, NULL))
			_exit(1);
		cmd.user_addr = (__u64)(unsigned long)mem;
		st = (struct dmactl_stalled){ .fd = fd, .req = DMACTL_BUF_ALLOC, .arg = &cmd };
		if (pthread_create(&st.thread, NULL, dmactl_stalled_ioctl, &st) ||
		    !dmactl_uffd_stalled(uffd) || write(ready[1], "s", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/disallow", dev));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	close(ready[0]);
	ASSERT_EQ(0, sysfs_put("/sys/class/misc/dmactl/allow", dev));
}

struct long_copy {
	pthread_t thread;
	int fd;
	__u32 src, dst;
	__u64 len;
	int ret;
};

static void *run_long_copy(void *arg)
{
	struct long_copy *c = arg;
	struct dmactl_copy cmd = {
		.size = sizeof(cmd), .src_iova_id = c->src, .dst_iova_id = c->dst,
		.length = c->len,
	};

	c->ret = dmactl_ioc(c->fd, DMACTL_COPY, &cmd);
	return NULL;
}

/*
 * Unbinding the edu while it copies a MiB -- 512 transfers of 100 ms, a
 * minute -- returns after the transfer in progress: the copy ends with
 * ENODEV, long before it would have finished.
 */
TEST_F_TIMEOUT(revoke, unbind_during_a_long_copy, 120)
{
	const char *dev = dmactl_test_excl_dev();
	struct long_copy c = { .fd = self->fd, .len = 1ULL << 20 };
	struct dmactl_iova_alloc ia;
	char path[PATH_MAX];
	__u32 a, b;
	int i;

	if (!dev)
		SKIP(return, "set DMACTL_SELFTESTS_EXCL_DEV to an edu device");
	ASSERT_EQ(0, dmactl_bind_exclusive(dev));
	ASSERT_TRUE(wait_driver(dev, "dmactl"));
	test_cmd_attach(self->fd, dev, NULL);
	test_cmd_buf_alloc_flags(self->fd, DMACTL_BUF_KERNEL, 0, c.len,
				 NULL, DMACTL_BUF_ALLOC_REACHABLE, &a);
	test_cmd_buf_alloc_flags(self->fd, DMACTL_BUF_KERNEL, 0, c.len,
				 NULL, DMACTL_BUF_ALLOC_REACHABLE, &b);
	test_cmd_iova_alloc(self->fd, c.len, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	c.src = ia.out_id;
	test_cmd_iova_alloc(self->fd, c.len, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	c.dst = ia.out_id;
	test_cmd_iova_link(self->fd, c.src, a, 0, 0, c.len, DMACTL_DIR_TO_DEVICE, 0);
	test_cmd_iova_link(self->fd, c.dst, b, 0, 0, c.len, DMACTL_DIR_FROM_DEVICE, 0);
	test_cmd_iova_sync(self->fd, c.src, 0, c.len);
	test_cmd_iova_sync(self->fd, c.dst, 0, c.len);
	ASSERT_EQ(0, pthread_create(&c.thread, NULL, run_long_copy, &c));
	for (i = 0; i < 1000 && !dmactl_counter("inflight"); i++)
		usleep(1000);
	usleep(300000);
	ASSERT_EQ(0, sysfs_put(PCI "/drivers/dmactl/unbind", dev));
	pthread_join(c.thread, NULL);
	EXPECT_EQ(-ENODEV, c.ret);
	snprintf(path, sizeof(path), PCI "/devices/%s/driver_override", dev);
	EXPECT_EQ(0, sysfs_put(path, "\n"));
	expect_revoked(_metadata, self->fd, c.src, a);
}

DMACTL_TEST_MAIN
