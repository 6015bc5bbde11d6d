/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bottom layer of the test library: which devices a test binary works
 * on, and its main().
 *
 * The test device comes from the command line or $DMACTL_SELFTESTS_DEV: a
 * PCI address or platform name that is bound to dmactl or on its allow
 * list (/sys/class/misc/dmactl/allow).  On the command line only a PCI
 * address is taken (DDDD:BB:DD.F, or BB:DD.F in domain 0000), wherever it
 * stands among the harness's own options, which keep their arguments:
 * "abi -t valid_request_succeeds 0000:00:04.0".  Without a device a test
 * binary says how to give one and exits with KSFT_SKIP.
 *
 * $DMACTL_SELFTESTS_EXCL_DEV names a driverless PCI device (QEMU's edu)
 * that tests bind to dmactl's own driver; $DMACTL_TOOL the dmactl tool
 * when it is not "dmactl" on $PATH.
 */
#ifndef DMACTL_LIB_DEVICE_H
#define DMACTL_LIB_DEVICE_H

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define SZ_2M (2ULL << 20)

/*
 * The kernel's page size, bytes (4 KiB on x86, 4, 16 or 64 KiB on arm64):
 * the unit the module pins user memory in and allocates kernel buffers
 * in, and the IOVA granule of every domain the test bed makes (an IOMMU's
 * smallest page is the CPU's here).  A test that means the granule reads
 * the device's own (struct dmactl_attach's out_granule); one that means a
 * page uses PAGE_SZ.  Not a constant: a static initializer cannot use it.
 */
static inline unsigned long long dmactl_page_size(void)
{
	static unsigned long long page;

	if (!page)
		page = (unsigned long long)sysconf(_SC_PAGESIZE);
	return page;
}

#define PAGE_SZ dmactl_page_size()

/* The shared test device, or NULL. */
static inline const char *dmactl_test_dev(void)
{
	const char *dev = getenv("DMACTL_SELFTESTS_DEV");

	return dev && *dev ? dev : NULL;
}

/* The driverless device tests bind to dmactl (the edu), or NULL. */
static inline const char *dmactl_test_excl_dev(void)
{
	const char *dev = getenv("DMACTL_SELFTESTS_EXCL_DEV");

	return dev && *dev ? dev : NULL;
}

/* The dmactl tool to run: $DMACTL_TOOL, or "dmactl" on $PATH. */
static inline const char *dmactl_tool(void)
{
	const char *tool = getenv("DMACTL_TOOL");

	return tool && *tool ? tool : "dmactl";
}

/* Are the first @n characters of @s hex digits, and only they? */
static inline bool dmactl_hex_run(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Is @arg a PCI address, DDDD:BB:DD.F or BB:DD.F (hex; a domain of 4 to 8
 * digits, as VMD's 10000; device 00..1f, function 0..7)?  If so its full
 * form, with the domain, in @bdf.
 */
static inline bool dmactl_parse_pci_addr(const char *arg, char *bdf, size_t len)
{
	const char *colon = strchr(arg, ':'), *s = arg;
	int dlen = 4;
	const char *domain = "0000";
	unsigned long slot;

	if (colon && strchr(colon + 1, ':')) {
		dlen = colon - arg;
		if (dlen < 4 || dlen > 8 || !dmactl_hex_run(arg, dlen))
			return false;
		domain = arg;
		s = colon + 1;
	}
	if (strlen(s) != 7 || s[2] != ':' || s[5] != '.' ||
	    !dmactl_hex_run(s, 2) || !dmactl_hex_run(s + 3, 2) ||
	    s[6] < '0' || s[6] > '7')
		return false;
	slot = strtoul(s + 3, NULL, 16);
	if (slot > 0x1f)
		return false;
	snprintf(bdf, len, "%.*s:%s", dlen, domain, s);
	return true;
}

/* The kselftest harness's options that take an argument ("-t NAME"). */
#define DMACTL_HARNESS_ARG_OPTS "FfVvTtr"

/*
 * Take the test device out of argv: the operands (arguments that are
 * neither a harness option nor an option's argument) that are PCI
 * addresses.  Everything else stays, in order, for the harness.  Returns
 * the new argc; -1 (with a message) for two different devices.
 */
static inline int dmactl_take_device(int argc, char **argv, char *bdf,
				     size_t len)
{
	bool operands = false, found = false;
	char addr[32];
	int i, out = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!operands && !strcmp(a, "--")) {
			operands = true;
		} else if (!operands && a[0] == '-' && a[1]) {
			/* Bundled flags ("-dl"); an argument in or after it. */
			const char *c;

			for (c = a + 1; *c; c++) {
				if (!strchr(DMACTL_HARNESS_ARG_OPTS, *c))
					continue;
				if (!c[1] && i + 1 < argc)
					argv[out++] = argv[i++];
				break;
			}
		} else if (dmactl_parse_pci_addr(a, addr, sizeof(addr))) {
			if (found && strcmp(addr, bdf)) {
				fprintf(stderr, "# two devices given: %s and %s\n",
					bdf, addr);
				return -1;
			}
			snprintf(bdf, len, "%s", addr);
			found = true;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

/* Asks the harness only to list its tests or print its usage? */
static inline bool dmactl_harness_lists(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/*
 * main() for a test binary that needs a device: from argv (see above) or
 * the environment, or explain and skip.
 */
#define DMACTL_TEST_MAIN                                                      \
	int main(int argc, char **argv)                                       \
	{                                                                     \
		char _dev[32] = "";                                           \
                                                                              \
		/* Lines reach the console even if the guest panics next. */  \
		setvbuf(stdout, NULL, _IOLBF, 0);                             \
		argc = dmactl_take_device(argc, argv, _dev, sizeof(_dev));    \
		if (argc < 0)                                                 \
			return KSFT_FAIL;                                     \
		if (_dev[0])                                                  \
			setenv("DMACTL_SELFTESTS_DEV", _dev, 1);              \
		if (!dmactl_test_dev() && !dmactl_harness_lists(argc, argv)) { \
			printf("# no device: give a PCI address as an "       \
			       "argument or in DMACTL_SELFTESTS_DEV, after "  \
			       "binding it to dmactl (driver_override) or "   \
			       "writing it to /sys/class/misc/dmactl/allow\n"); \
			return KSFT_SKIP;                                     \
		}                                                             \
		return test_harness_run(argc, argv);                          \
	}

#endif /* DMACTL_LIB_DEVICE_H */
