// SPDX-License-Identifier: GPL-2.0
/*
 * What a benchmark's clock measures, so that every figure is labelled
 * with its honest unit.
 *
 * The module times with ktime_get_ns().  On hardware that is time.  In a
 * QEMU TCG guest it is the emulation's time, which says little about
 * hardware and varies 2x between runs.  Under QEMU's -icount
 * shift=N,align=off,sleep=off the guest clock advances 2^N ns per guest
 * instruction executed, so a difference of two readings, divided by
 * 2^N, is the instructions the guest executed between them: repeatable
 * across boots, the honest unit for cost on emulation.  The guest cannot
 * see icount; the test bed's runner (vm-run.sh -c) says so on the kernel
 * command line with dmactl_icount=N, and --clock says it by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "sysfs.h"

/* Does the file at @path (sysfs-relative unless absolute) hold @needle? */
static bool file_has(const char *path, const char *needle)
{
	char buf[4096];

	return !sysfs_read(path, buf, sizeof(buf)) && strstr(buf, needle);
}

/* True if the CPU says it runs under a hypervisor (x86 cpuinfo flag). */
bool under_hypervisor(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "flags", 5) && strstr(line, " hypervisor");
	fclose(f);
	return found;
}

/* dmactl_icount=N on the kernel command line: N, or -1. */
static int cmdline_icount_shift(void)
{
	static const char word[] = "dmactl_icount=";
	char buf[4096], *p, *end;
	long v;

	if (sysfs_read("/proc/cmdline", buf, sizeof(buf)))
		return -1;
	for (p = strstr(buf, word); p; p = strstr(p + 1, word)) {
		if (p != buf && p[-1] != ' ')
			continue;
		v = strtol(p + strlen(word), &end, 10);
		if (end != p + strlen(word) && v >= 0 &&
		    v <= BENCH_MAX_ICOUNT_SHIFT && (*end == ' ' || !*end))
			return v;
	}
	return -1;
}

static void clock_icount(struct bench_clock *c, unsigned int shift)
{
	c->icount = true;
	c->shift = shift;
	c->unit = "guest instructions";
	c->source = "QEMU icount";
}

static void clock_ns(struct bench_clock *c)
{
	c->icount = false;
	c->shift = 0;
	c->unit = "ns";
	/* QEMU's DMI vendor; KVM guests have kvm-clock, TCG guests do not. */
	if (file_has("class/dmi/id/sys_vendor", "QEMU"))
		c->source = file_has("devices/system/clocksource/clocksource0/available_clocksource",
				     "kvm-clock") ? "QEMU KVM" : "QEMU TCG";
	else
		c->source = under_hypervisor() ? "virtual machine" : "hardware";
}

void bench_clock_detect(struct bench_clock *c)
{
	int shift = cmdline_icount_shift();

	if (shift >= 0)
		clock_icount(c, shift);
	else
		clock_ns(c);
}

int bench_clock_parse(const char *arg, struct bench_clock *c)
{
	char *end;
	long v = 0;

	if (!strcmp(arg, "auto")) {
		bench_clock_detect(c);
		return 0;
	}
	if (!strcmp(arg, "ns")) {
		clock_ns(c);
		return 0;
	}
	if (strncmp(arg, "icount", 6))
		return -1;
	if (arg[6] == ':') {
		v = strtol(arg + 7, &end, 10);
		if (end == arg + 7 || *end || v < 0 || v > BENCH_MAX_ICOUNT_SHIFT)
			return -1;
	} else if (arg[6]) {
		return -1;
	}
	clock_icount(c, v);
	return 0;
}

double bench_clock_cost(const struct bench_clock *c, double ns)
{
	return c->icount ? ns / (double)(1ULL << c->shift) : ns;
}

void bench_clock_label(const struct bench_clock *c, char *buf, size_t len)
{
	if (c->icount)
		snprintf(buf, len, "guest instructions (%s shift=%u)", c->source,
			 c->shift);
	else if (!strcmp(c->source, "hardware"))
		snprintf(buf, len, "ns");
	else
		snprintf(buf, len, "ns (%s)", c->source);
}

json_object *bench_clock_json(const struct bench_clock *c)
{
	json_object *o = json_object_new_object();
	char label[96];

	bench_clock_label(c, label, sizeof(label));
	json_object_object_add(o, "unit", json_object_new_string(c->unit));
	json_object_object_add(o, "source", json_object_new_string(c->source));
	json_object_object_add(o, "label", json_object_new_string(label));
	if (c->icount)
		json_object_object_add(o, "icount_shift", json_object_new_int(c->shift));
	return o;
}
