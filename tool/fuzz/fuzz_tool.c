// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage-guided fuzzing of the dmactl tool's parsers: every command's
 * options and operands, and the scenario language of "dmactl run", under
 * libFuzzer with AddressSanitizer and UndefinedBehaviorSanitizer.
 *
 * The kernel is faked: open() of /dev/dmactl gives a descriptor whose
 * ioctls a small model answers (IDs count up, attach describes an IOMMU
 * device, benchmark runs are done at once), and one ioctl per input may
 * fail with an errno the input picks.  No command reaches the system:
 * "shell" steps (system()) do nothing, no program is started (fork()
 * fails: qualify's steps), large mappings are refused, and the
 * fuzzer runs in a mount namespace whose /sys and /dev are empty tmpfs
 * (scripts/fuzz-tool.sh), with $DMACTL_SYSFS a small fake tree.
 *
 * An input is one byte of mode, one byte choosing the failing ioctl and
 * one its errno, then text: mode even, the first line is a command line
 * (split on blanks, as a shell would without quotes); mode odd, the lines
 * are a scenario, attached to a fake device first.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dmactl.h>

#include "../scenario.h"

int dmactl_main(int argc, char **argv);

#define FAKE_MAX_MAP	(16 << 20)

static int fake_fd = -1;
static unsigned int ioctl_calls, fail_call, fail_errno;
static uint32_t next_id;

static const int errnos[] = {
	EINVAL, ENOENT, ENODEV, EBUSY, EPERM, EOPNOTSUPP, ERANGE, EEXIST,
	ENOSPC, EIO, EAGAIN, EINTR, ENOMEM, EFAULT, EDQUOT, ENXIO, ETIMEDOUT,
	EREMOTEIO, EOVERFLOW, E2BIG, ENOTTY,
};

int __real_open(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long req, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (!strcmp(path, DMACTL_DEVICE)) {
		if (fake_fd >= 0)
			return dup(fake_fd);
		errno = ENOENT;
		return -1;
	}
	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, int);
	va_end(ap);
	return __real_open(path, flags, mode);
}

/* dmactl qualify runs programs: none here. */
pid_t __wrap_fork(void)
{
	errno = EAGAIN;
	return -1;
}

int __wrap_system(const char *cmd)
{
	return cmd && strstr(cmd, "false") ? 1 << 8 : 0;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	if (len > FAKE_MAX_MAP) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return __real_mmap(addr, len, prot, flags, fd, off);
}

/* The fake module's answer to one ioctl on the fake descriptor. */
static int fake_ioctl(unsigned long req, void *arg)
{
	__u32 size = *(__u32 *)arg;

	if (++ioctl_calls == fail_call) {
		errno = fail_errno;
		return -1;
	}
	if (size < 8) {
		errno = EINVAL;
		return -1;
	}
	switch (req) {
	case DMACTL_ATTACH: {
		struct dmactl_attach *a = arg;

		a->out_domain = DMACTL_DOMAIN_DMA;
		a->out_flags = DMACTL_ATTACH_OUT_SHARED | DMACTL_ATTACH_OUT_IOVA_USABLE;
		a->out_granule = 4096;
		a->out_dma_mask = ~0ULL;
		a->out_dma_mask_bits = 64;
		a->out_max_mapping_size = ~0ULL;
		a->out_numa_node = DMACTL_NO_NODE;
		break;
	}
	case DMACTL_BUF_ALLOC: {
		struct dmactl_buf_alloc *b = arg;

		/* The module's bounds, so loops over a buffer stay short. */
		if (!b->length || b->length > (1ULL << 30) || b->length % 4096) {
			errno = EINVAL;
			return -1;
		}
		b->out_id = ++next_id;
		b->out_nr_pages = b->length / 4096;
		break;
	}
	case DMACTL_IOVA_ALLOC: {
		struct dmactl_iova_alloc *a = arg;

		if (!a->length || a->length > (4ULL << 30)) {
			errno = EINVAL;
			return -1;
		}
		a->out_id = ++next_id;
		a->out_path = DMACTL_PATH_IOVA;
		a->out_granule = 4096;
		a->out_dma_addr = 0xfff00000;
		break;
	}
	case DMACTL_IOVA_LINK:
	case DMACTL_IOVA_UNLINK: {
		/* Both begin {size, flags, id, u32}, then offsets: M9, M10. */
		__u64 off = req == DMACTL_IOVA_LINK ?
			    ((struct dmactl_iova_link *)arg)->iova_offset :
			    ((struct dmactl_iova_unlink *)arg)->offset;
		__u64 len = req == DMACTL_IOVA_LINK ?
			    ((struct dmactl_iova_link *)arg)->length :
			    ((struct dmactl_iova_unlink *)arg)->length;

		if (!len || off % 4096 || off + len > (4ULL << 30) || off + len < off) {
			errno = EINVAL;
			return -1;
		}
		break;
	}
	case DMACTL_IOVA_VERIFY: {
		struct dmactl_iova_verify *v = arg;

		v->out_checked = v->length / 4096;
		v->out_mapped_ok = v->out_checked;
		v->out_first_mismatch = ~0ULL;
		break;
	}
	case DMACTL_IOVA_QUERY: {
		struct dmactl_iova_query *q = arg;

		q->out_path = DMACTL_PATH_IOVA;
		q->out_granule = 4096;
		break;
	}
	case DMACTL_BENCH_START: {
		struct dmactl_bench_start *b = arg;

		b->out_id = ++next_id;
		break;
	}
	case DMACTL_BENCH_RESULT: {
		struct dmactl_bench_result *r = arg;

		r->out_state = DMACTL_BENCH_DONE;
		r->out_progress = 1000;
		r->out_ios = 1;
		r->out_elapsed_ns = 1000;
		r->out_map.min_ns = r->out_map.p50_ns = r->out_map.max_ns = 100;
		r->out_unmap = r->out_map;
		break;
	}
	default:
		break;
	}
	return 0;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	void *arg;
	va_list ap;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fake_fd >= 0 && _IOC_TYPE(req) == DMACTL_TYPE && arg)
		return fake_ioctl(req, arg);
	return __real_ioctl(fd, req, arg);
}

/* Write a file of the fake sysfs tree, its directories made as needed. */
static void fake_attr(const char *root, const char *rel, const char *val)
{
	char path[4096], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char root[] = "/tmp/dmactl-fuzz-sysfs-XXXXXX";

	/* One NVMe controller, as "dmactl list" and "info" read it. */
	if (mkdtemp(root)) {
		fake_attr(root, "bus/pci/devices/0000:00:01.0/vendor", "0x1b36\n");
		fake_attr(root, "bus/pci/devices/0000:00:01.0/device", "0x0010\n");
		fake_attr(root, "bus/pci/devices/0000:00:01.0/class", "0x010802\n");
		fake_attr(root, "bus/pci/devices/0000:00:01.0/numa_node", "-1\n");
		fake_attr(root, "bus/pci/drivers/dmactl/bind", "");
		setenv("DMACTL_SYSFS", root, 1);
	}
	setenv("DMACTL_EXPENDABLE", "0000:00:01.0", 1);
	/* Commands print; what they print is not under test here (stderr
	 * stays: the sanitizers and libFuzzer report there).
	 */
	if (!freopen("/dev/null", "w", stdout))
		return 0;
	fake_fd = __real_open("/dev/null", O_RDWR | O_CLOEXEC);
	return 0;
}

/* Split @text's first line into argv[1..]; returns argc. */
static int split(char *text, char **argv, int max)
{
	int argc = 1;
	char *p = text;

	argv[0] = "dmactl";
	p[strcspn(p, "\n")] = '\0';
	while (argc < max - 1) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		argv[argc++] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario s;
	char *text, *line, *save, *argv[32];
	int argc;

	if (size < 3 || size > 4096)
		return 0;
	ioctl_calls = 0;
	fail_call = data[1] % 16;	/* 0: none fails */
	fail_errno = errnos[data[2] % (sizeof(errnos) / sizeof(errnos[0]))];
	text = malloc(size - 2);
	memcpy(text, data + 3, size - 3);
	text[size - 3] = '\0';
	if (!(data[0] & 1)) {
		argc = split(text, argv, 32);
		optind = 0;	/* glibc: start getopt afresh */
		dmactl_main(argc, argv);
	} else {
		scenario_init(&s, "fuzz");
		s.quiet = true;
		s.lineno = 1;
		if (!scenario_line(&s, "attach 0000:00:01.0", NULL))
			for (line = strtok_r(text, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				s.lineno++;
				if (scenario_line(&s, line, NULL))
					break;
			}
		scenario_fini(&s);
	}
	free(text);
	return 0;
}
