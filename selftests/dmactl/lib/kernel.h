/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel, as a test sees and steers it: its taint, its command
 * line, markers in its log for the VM runner, WARNs declared in advance
 * for known kernel bugs, dmactl's module parameters, and the caller's
 * capabilities.
 */
#ifndef DMACTL_LIB_KERNEL_H
#define DMACTL_LIB_KERNEL_H

#include <sys/syscall.h>

#include <linux/capability.h>

#include "sysfs.h"

/* Taint bits a test must never cause: TAINT_DIE (7) and TAINT_WARN (9). */
#define DMACTL_BAD_TAINT ((1UL << 7) | (1UL << 9))

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

/* Is @word, whole, on the kernel's command line? */
static inline bool kernel_cmdline_has(const char *word)
{
	char line[4096], *p;
	size_t len = strlen(word);

	if (sysfs_read("/proc/cmdline", line, sizeof(line)))
		return false;
	for (p = line; (p = strstr(p, word)); p += len)
		if ((p == line || p[-1] == ' ') && strchr(" ", p[len]))
			return true;
	return false;
}

/*
 * Does the running kernel have the function @fn (in /proc/kallsyms)?  An
 * oracle for what the module reports of the kernel, independent of it:
 * a configured-out or absent API leaves no symbol.  1 or 0; -1 when the
 * kernel lists no symbols (no KALLSYMS, or a container hides them), so
 * that no one mistakes "cannot tell" for "absent".
 */
static inline int kernel_has_function(const char *fn)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char type, name[256];
	int found = 0, any = 0;

	if (!f)
		return -1;
	while (!found && fscanf(f, "%*s %c %255s%*[^\n]", &type, name) == 2) {
		found = (type == 't' || type == 'T') && !strcmp(name, fn);
		any = 1;
	}
	fclose(f);
	return any ? found : -1;
}

/* The kernel's two-step IOVA API (6.17+; absent: classic mode). */
static inline int kernel_has_iova_api(void)
{
	return kernel_has_function("dma_iova_try_alloc");
}

/* CONFIG_PCI_P2PDMA (Debian's 6.12 has it off). */
static inline int kernel_has_p2pdma(void)
{
	return kernel_has_function("pci_p2pdma_add_resource");
}

/* Write @line (with its newline) to the kernel log. */
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
	long long was;
	int ret;

	if (access(PANIC_ON_WARN, R_OK))
		return -errno;
	was = sysfs_read_ll(PANIC_ON_WARN);
	ret = sysfs_put(PANIC_ON_WARN, "0");
	if (ret)
		return ret;
	snprintf(line, sizeof(line), "DMACTL-EXPECT-WARN-BEGIN %s: %s\n", funcs, why);
	dmactl_kmsg(line);
	return was > 0 ? was : 0;
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
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DMACTL_PARAMS "%s", name);
	return sysfs_read_ll(path);
}

/* Set a module parameter; 0 or -errno. */
static inline int dmactl_param_set(const char *name, unsigned long long val)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), DMACTL_PARAMS "%s", name);
	snprintf(buf, sizeof(buf), "%llu", val);
	return sysfs_put(path, buf);
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

#endif /* DMACTL_LIB_KERNEL_H */
