// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl bench: the same I/O shape through dma_map_phys, dma_map_sgtable
 * and the two-step IOVA API on one device, in one run, as ratios.
 *
 * The timing happens in the module's threads (DMACTL_BENCH_START); this
 * file sweeps modes and pages per I/O, shows progress, and prints a
 * table or JSON.  "dmactl bench scale DEV SIZE" (bench_scale.c) is the
 * other half: one IOVA filled with page-sized links from userspace, to see how
 * the cost per link and the module's shadow state grow; "dmactl bench
 * report" (bench_report.c) tabulates saved results.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bench.h"
#include "device.h"
#include "commands.h"
#include "util.h"

const char *const bench_mode_names[BENCH_NR_MODES + 1] = {
	[DMACTL_BENCH_PHYS] = "phys",
	[DMACTL_BENCH_SG] = "sg",
	[DMACTL_BENCH_IOVA] = "iova",
	[DMACTL_BENCH_IOVA_REUSE] = "iova-reuse",
	[DMACTL_BENCH_IOVA_SPARSE] = "iova-sparse",
	[DMACTL_BENCH_BLK] = "blk",
	[DMACTL_BENCH_TSO] = "tso",
	[DMACTL_BENCH_GPUSVM] = "gpusvm",
	[DMACTL_BENCH_PREMAPPED] = "premapped",
};

/* The three modes that need an IOVA, left out by default elsewhere. */
static bool needs_iova(int mode)
{
	return mode >= DMACTL_BENCH_IOVA && mode <= DMACTL_BENCH_IOVA_SPARSE;
}

#define MAX_SWEEP	16

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

int bench_mode_from_name(const char *name)
{
	int m;

	for (m = 1; m <= BENCH_NR_MODES; m++)
		if (!strcmp(name, bench_mode_names[m]))
			return m;
	return -1;
}

/* Parse "a,b,c" of modes into @modes; returns the count or -1. */
static int parse_modes(char *arg, int *modes)
{
	char *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			for (n = 0; n < BENCH_NR_MODES; n++)
				modes[n] = n + 1;
			continue;
		}
		if (n == BENCH_NR_MODES || (modes[n] = bench_mode_from_name(tok)) < 0)
			return -1;
		n++;
	}
	return n;
}

/* Parse "1,8,64" into @out; returns the count or -1. */
static int parse_list(char *arg, unsigned int *out, unsigned int max)
{
	char *tok, *save = NULL;
	uint64_t v;
	int n = 0;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_SWEEP || parse_size(tok, &v) || !v || v > max)
			return -1;
		out[n++] = v;
	}
	return n;
}

static void progress(const char *what, unsigned int permille)
{
	int i, width = 30, done = permille * width / 1000;

	fprintf(stderr, "\r%-24s [", what);
	for (i = 0; i < width; i++)
		fputc(i < done ? '#' : '.', stderr);
	fprintf(stderr, "] %3u%%", permille / 10);
	fflush(stderr);
}

/*
 * Run one benchmark to its end.  Returns 0 with @res filled, or -errno
 * from the module (with @res unset).
 */
static int bench_one(int fd, struct dmactl_bench_start *start,
		     struct dmactl_bench_result *res, bool show)
{
	struct dmactl_bench_free fr = { .size = sizeof(fr) };
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	char what[48];
	int ret;

	start->size = sizeof(*start);
	ret = dmactl_ioctl(fd, DMACTL_BENCH_START, start);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "%s pages=%u", bench_mode_names[start->mode],
		 start->pages);
	for (;;) {
		memset(res, 0, sizeof(*res));
		res->size = sizeof(*res);
		res->id = start->out_id;
		res->flags = interrupted ? DMACTL_BENCH_STOP | DMACTL_BENCH_WAIT :
			     show ? 0 : DMACTL_BENCH_WAIT;
		ret = dmactl_ioctl(fd, DMACTL_BENCH_RESULT, res);
		if (ret == -EINTR)
			continue;
		if (ret || res->out_state != DMACTL_BENCH_RUNNING)
			break;
		progress(what, res->out_progress);
		nanosleep(&tick, NULL);
	}
	if (show) {
		progress(what, 1000);
		fputc('\n', stderr);
	}
	fr.id = start->out_id;
	dmactl_ioctl(fd, DMACTL_BENCH_FREE, &fr);
	return ret;
}

static json_object *stat_json(const struct dmactl_bench_stat *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "min_ns", json_object_new_uint64(s->min_ns));
	json_object_object_add(o, "p50_ns", json_object_new_uint64(s->p50_ns));
	json_object_object_add(o, "p90_ns", json_object_new_uint64(s->p90_ns));
	json_object_object_add(o, "p99_ns", json_object_new_uint64(s->p99_ns));
	json_object_object_add(o, "max_ns", json_object_new_uint64(s->max_ns));
	json_object_object_add(o, "mean_ns", json_object_new_uint64(s->mean_ns));
	return o;
}

/* Mean ns of one whole I/O (map + unmap), the figure ratios compare. */
static double io_mean_ns(const struct dmactl_bench_result *r)
{
	if (!r->out_ios)
		return 0;
	return (double)(r->out_map.total_ns + r->out_unmap.total_ns) / r->out_ios;
}

/*
 * The costs in the clock's unit (instructions under icount): map, unmap
 * and a whole I/O, per I/O and per page, means over the timed I/Os.
 */
static json_object *cost_json(const struct bench_clock *clk,
			      const struct dmactl_bench_start *st,
			      const struct dmactl_bench_result *r)
{
	json_object *o = json_object_new_object();
	double ios = r->out_ios ? r->out_ios : 1;
	double map = bench_clock_cost(clk, r->out_map.total_ns / ios);
	double unmap = bench_clock_cost(clk, r->out_unmap.total_ns / ios);

	json_object_object_add(o, "map", json_object_new_double(map));
	json_object_object_add(o, "unmap", json_object_new_double(unmap));
	json_object_object_add(o, "io", json_object_new_double(map + unmap));
	json_object_object_add(o, "map_per_page", json_object_new_double(map / st->pages));
	json_object_object_add(o, "unmap_per_page", json_object_new_double(unmap / st->pages));
	json_object_object_add(o, "io_per_page",
			       json_object_new_double((map + unmap) / st->pages));
	return o;
}

static json_object *result_json(const struct bench_clock *clk,
				const struct dmactl_bench_start *st,
				const struct dmactl_bench_result *r,
				double phys_ns)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "mode", json_object_new_string(bench_mode_names[st->mode]));
	json_object_object_add(o, "pages", json_object_new_int(st->pages));
	json_object_object_add(o, "threads", json_object_new_int(r->out_threads));
	json_object_object_add(o, "state", json_object_new_string(
		r->out_state == DMACTL_BENCH_DONE ? "done" : "failed"));
	if (r->out_error)
		json_object_object_add(o, "error",
				       json_object_new_string(errno_name(r->out_error)));
	json_object_object_add(o, "ios", json_object_new_uint64(r->out_ios));
	json_object_object_add(o, "warmup_ios", json_object_new_uint64(r->out_warmup_ios));
	json_object_object_add(o, "elapsed_ns", json_object_new_uint64(r->out_elapsed_ns));
	json_object_object_add(o, "ios_per_sec", json_object_new_uint64(r->out_ios_per_sec));
	json_object_object_add(o, "bytes_per_sec", json_object_new_uint64(r->out_bytes_per_sec));
	json_object_object_add(o, "map", stat_json(&r->out_map));
	json_object_object_add(o, "unmap", stat_json(&r->out_unmap));
	json_object_object_add(o, "io_mean_ns", json_object_new_double(io_mean_ns(r)));
	json_object_object_add(o, "cost", cost_json(clk, st, r));
	if (phys_ns > 0)
		json_object_object_add(o, "ratio_to_phys",
				       json_object_new_double(io_mean_ns(r) / phys_ns));
	json_object_object_add(o, "dir", json_object_new_string(dir_name(st->dir)));
	json_object_object_add(o, "fallback_ios", json_object_new_uint64(r->out_fallback_ios));
	json_object_object_add(o, "bookkeeping_bytes",
			       json_object_new_uint64(r->out_bookkeeping_bytes));
	json_object_object_add(o, "map_calls", json_object_new_uint64(r->out_map_calls));
	json_object_object_add(o, "unmap_calls", json_object_new_uint64(r->out_unmap_calls));
	json_object_object_add(o, "mapped_bytes", json_object_new_uint64(r->out_mapped_bytes));
	json_object_object_add(o, "unmapped_bytes", json_object_new_uint64(r->out_unmapped_bytes));
	json_object_object_add(o, "checked_addrs", json_object_new_uint64(r->out_checked_addrs));
	json_object_object_add(o, "stale_addrs", json_object_new_uint64(r->out_stale_addrs));
	json_object_object_add(o, "wrong_addrs", json_object_new_uint64(r->out_wrong_addrs));
	return o;
}

static void print_header(void)
{
	printf("%-12s %5s %10s %10s %9s %9s %9s %10s %9s %9s %8s %6s\n",
	       "mode", "pages", "IOPS", "MB/s", "map-mean", "map-p50", "map-p99",
	       "unmap-mean", "unmap-p50", "unmap-p99", "vs-phys", "bytes");
}

/* Times in us, or under icount in instructions. */
static double shown(const struct bench_clock *clk, uint64_t ns)
{
	return clk->icount ? bench_clock_cost(clk, ns) : ns / 1e3;
}

static void print_row(const struct bench_clock *clk,
		      const struct dmactl_bench_start *st,
		      const struct dmactl_bench_result *r, double phys_ns)
{
	const uint64_t cols[] = {
		r->out_map.mean_ns, r->out_map.p50_ns, r->out_map.p99_ns,
		r->out_unmap.mean_ns, r->out_unmap.p50_ns, r->out_unmap.p99_ns,
	};
	char ratio[16] = "-";
	size_t i;

	if (r->out_state != DMACTL_BENCH_DONE) {
		printf("%-12s %5u failed: %s\n", bench_mode_names[st->mode], st->pages,
		       errno_name(r->out_error));
		return;
	}
	if (phys_ns > 0)
		snprintf(ratio, sizeof(ratio), "%.2fx", io_mean_ns(r) / phys_ns);
	printf("%-12s %5u %10" PRIu64 " %10.1f", bench_mode_names[st->mode],
	       st->pages, (uint64_t)r->out_ios_per_sec, r->out_bytes_per_sec / 1e6);
	/* unmap-mean's column is one wider, as its title is. */
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		printf(i == 3 ? "  %9.*f" : " %9.*f", clk->icount ? 0 : 2,
		       shown(clk, cols[i]));
	printf(" %8s %6u\n", ratio, r->out_bookkeeping_bytes);
}

/*
 * Is this result sound: ended, everything unmapped, every page where its
 * caller computes it while mapped, and nothing stale after?
 */
static bool result_ok(const struct dmactl_bench_result *r)
{
	return r->out_state == DMACTL_BENCH_DONE && !r->out_stale_addrs &&
	       !r->out_wrong_addrs &&
	       r->out_mapped_bytes == r->out_unmapped_bytes;
}

/**
 * struct bench_opts - the command line of "dmactl bench DEV"
 * @base: what every run starts from (threads, dir, warmup, flags, ...)
 * @pages: the pages-per-I/O sweep
 * @nr_pages: entries in @pages
 * @modes: the modes, in order (enum dmactl_bench_mode)
 * @nr_modes: entries in @modes; 0 until chosen
 * @seconds_ms: timed length of a run, unless @ios
 * @ios: I/Os per thread and run, 0 to time by @seconds_ms
 * @quiet: no progress bar
 * @json: print JSON
 * @clock: what the timings measure (--clock, else detected)
 * @dev: the device
 */
struct bench_opts {
	struct dmactl_bench_start base;
	unsigned int pages[MAX_SWEEP];
	int nr_pages;
	int modes[BENCH_NR_MODES];
	int nr_modes;
	uint64_t seconds_ms;
	uint64_t ios;
	bool quiet;
	bool json;
	struct bench_clock clock;
	char dev[DMACTL_NAME_MAX];
};

/* --seconds S: a positive number of seconds, at least 1 ms; -1 if bad. */
static int parse_seconds(const char *arg, uint64_t *ms)
{
	char *end;
	double s = strtod(arg, &end);

	/* !(s > 0) is true for NaN, which no comparison is. */
	if (*end || end == arg || !(s > 0) ||
	    s * 1000 > DMACTL_BENCH_MAX_DURATION_MS)
		return -1;
	*ms = s * 1000 < 1 ? 1 : s * 1000;
	return 0;
}

#define NOT_A_NUMBER	(-2)

/*
 * The options of a number, into @o; returns -1 to go on, EXIT_USAGE, or
 * NOT_A_NUMBER if @c is not one of them.
 */
static int bench_number(int c, const char *arg, struct bench_opts *o)
{
	struct dmactl_bench_start *b = &o->base;
	uint64_t v = 0;
	bool bad = !arg || parse_size(arg, &v);

	switch (c) {
	case 't':
		if (bad || !v || v > DMACTL_BENCH_MAX_THREADS)
			return usage_error(&cmd_bench, "--threads is 1..%d", DMACTL_BENCH_MAX_THREADS);
		b->threads = v;
		return -1;
	case 'i':
		if (bad || !v || v > DMACTL_BENCH_MAX_IOS)
			return usage_error(&cmd_bench, "bad --ios '%s'", arg);
		o->ios = v;
		return -1;
	case 'w':
		if (bad || v > DMACTL_BENCH_MAX_WARMUP_IOS)
			return usage_error(&cmd_bench, "bad --warmup '%s'", arg);
		b->warmup_ios = v;
		return -1;
	case 'b':
		if (bad || v < DMACTL_BENCH_MIN_DMA_BITS || v > 64)
			return usage_error(&cmd_bench, "--dma-bits is %d..64",
					   DMACTL_BENCH_MIN_DMA_BITS);
		b->dma_bits = v;
		return -1;
	case 'x':
		if (bad || v > DMACTL_BENCH_MAX_TRANS_NS)
			return usage_error(&cmd_bench, "bad --trans-ns '%s'", arg);
		b->trans_ns = v;
		return -1;
	case 'n':
		if (bad || v >= DMACTL_NO_NODE)
			return usage_error(&cmd_bench, "bad --node '%s'", arg);
		b->node = v;
		return -1;
	case 'S':
		if (bad || !v || v > DMACTL_BENCH_MAX_SPAN_PAGES)
			return usage_error(&cmd_bench, "bad --span '%s'", arg);
		b->span_pages = v;
		return -1;
	}
	return NOT_A_NUMBER;
}

/* One option other than a number's; returns -1 to go on, or a status. */
static int bench_option(int c, char *arg, struct bench_opts *o)
{
	switch (c) {
	case 'm':
		o->nr_modes = parse_modes(arg, o->modes);
		if (o->nr_modes <= 0)
			return usage_error(&cmd_bench, "--mode takes phys, sg, iova, iova-reuse, iova-sparse, blk, tso, gpusvm, premapped or all");
		return -1;
	case 'p':
		o->nr_pages = parse_list(arg, o->pages, DMACTL_BENCH_MAX_PAGES);
		if (o->nr_pages <= 0)
			return usage_error(&cmd_bench, "bad --pages '%s'", arg);
		return -1;
	case 's':
		if (parse_seconds(arg, &o->seconds_ms))
			return usage_error(&cmd_bench, "bad --seconds '%s'", arg);
		return -1;
	case 'd':
		if (dir_from_name(arg) < 0)
			return usage_error(&cmd_bench, "--dir is to, from or bidi");
		o->base.dir = dir_from_name(arg);
		return -1;
	case 'B':
		o->base.flags |= DMACTL_BENCH_BIND_CPU;
		return -1;
	case 'c':
		o->base.flags |= DMACTL_BENCH_CONTIG;
		return -1;
	case 'T':
		o->base.flags |= DMACTL_BENCH_TOUCH;
		return -1;
	case 'U':
		o->base.flags |= DMACTL_BENCH_UNALIGNED;
		return -1;
	case 'q':
		o->quiet = true;
		return -1;
	case 'C':
		if (bench_clock_parse(arg, &o->clock))
			return usage_error(&cmd_bench, "--clock is auto, ns, icount or icount:SHIFT (0..%d)",
					   BENCH_MAX_ICOUNT_SHIFT);
		return -1;
	}
	return opt_common(&cmd_bench, c, &o->json);
}

/* The command line; returns -1 to go on, or the exit status. */
static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "pages", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "ios", required_argument, NULL, 'i' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "dir", required_argument, NULL, 'd' },
		{ "dma-bits", required_argument, NULL, 'b' },
		{ "trans-ns", required_argument, NULL, 'x' },
		{ "node", required_argument, NULL, 'n' },
		{ "span", required_argument, NULL, 'S' },
		{ "bind-cpu", no_argument, NULL, 'B' },
		{ "contig", no_argument, NULL, 'c' },
		{ "touch", no_argument, NULL, 'T' },
		{ "unaligned", no_argument, NULL, 'U' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ "clock", required_argument, NULL, 'C' },
		OPT_JSON,
		OPT_HELP,
		{}
	};
	int c, ret;

	*o = (struct bench_opts){
		.base = { .threads = 1, .node = DMACTL_NO_NODE, .pages = 1,
			  .dir = DMACTL_DIR_BIDIRECTIONAL, .warmup_ios = 100 },
		.pages = { 1 }, .nr_pages = 1, .seconds_ms = 1000,
	};
	bench_clock_detect(&o->clock);
	while ((c = getopt_long(argc, argv, "m:p:t:s:i:w:d:b:x:n:S:BcTUqjh", opts, NULL)) != -1) {
		ret = bench_number(c, optarg, o);
		if (ret == NOT_A_NUMBER)
			ret = bench_option(c, optarg, o);
		if (ret >= 0)
			return ret;
	}
	return one_device(&cmd_bench, argc, argv, o->dev, sizeof(o->dev)) ?: -1;
}

/* What the attach reply settles: the default modes, the run length. */
static void bench_settle(struct bench_opts *o, const struct dmactl_attach *at)
{
	int i;

	if (!o->nr_modes) {
		/* Every mode the device's domain allows. */
		for (i = 1; i <= BENCH_NR_MODES; i++)
			if (at->out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE ||
			    !needs_iova(i))
				o->modes[o->nr_modes++] = i;
	}
	if (o->ios)
		o->base.ios = o->ios;
	else
		o->base.duration_ms = o->seconds_ms;
}

/* The JSON document's head; the results go into its "results" array. */
static json_object *bench_json_head(const struct bench_opts *o,
				    const struct dmactl_attach *at)
{
	const struct dmactl_bench_start *b = &o->base;
	json_object *root = json_object_new_object();

	json_object_object_add(root, "device", json_object_new_string(o->dev));
	json_object_object_add(root, "domain",
			       json_object_new_string(domain_name(at->out_domain)));
	json_object_object_add(root, "hypervisor",
			       json_object_new_boolean(under_hypervisor()));
	json_object_object_add(root, "clock", bench_clock_json(&o->clock));
	json_object_object_add(root, "threads", json_object_new_int(b->threads));
	json_object_object_add(root, "dir", json_object_new_string(dir_name(b->dir)));
	json_object_object_add(root, "dma_bits", json_object_new_int(b->dma_bits));
	json_object_object_add(root, "trans_ns", json_object_new_int(b->trans_ns));
	json_object_object_add(root, "contig", json_object_new_boolean(
		b->flags & DMACTL_BENCH_CONTIG));
	json_object_object_add(root, "touch", json_object_new_boolean(
		b->flags & DMACTL_BENCH_TOUCH));
	json_object_object_add(root, "results", json_object_new_array());
	return root;
}

/* The table's head: the device and what the columns mean. */
static void bench_print_head(const struct bench_opts *o,
			     const struct dmactl_attach *at)
{
	const struct dmactl_bench_start *b = &o->base;
	char label[96];

	bench_clock_label(&o->clock, label, sizeof(label));
	printf("device %s, domain %s, %u thread(s), dir %s%s%s\n", o->dev,
	       domain_name(at->out_domain), b->threads, dir_name(b->dir),
	       b->flags & DMACTL_BENCH_CONTIG ? ", contiguous I/O" : "",
	       strcmp(o->clock.source, "hardware") ?
	       "; emulated: figures measure the emulation, not hardware" : "");
	printf("clock: %s; map and unmap columns in %s per I/O; vs-phys: mean "
	       "(map+unmap) over phys's; bytes: DMA-address bookkeeping per I/O\n",
	       label, o->clock.icount ? "guest instructions" : "us");
	print_header();
}

/*
 * One mode at one pages value: run it and add its row (or JSON to
 * @results).  Returns false if it failed or left something behind;
 * *phys_ns is set after phys, for the ratios of the modes after it.
 */
static bool bench_cell(int fd, const struct bench_opts *o, int mode,
		       unsigned int pages, double *phys_ns, json_object *results)
{
	struct dmactl_bench_start st = o->base;
	struct dmactl_bench_result r;
	int ret;

	st.mode = mode;
	st.pages = pages;
	/* What a mode's caller fixes: a TSO packet is sent, of pages. */
	if (mode == DMACTL_BENCH_TSO)
		st.dir = DMACTL_DIR_TO_DEVICE;
	if (mode == DMACTL_BENCH_TSO || mode == DMACTL_BENCH_GPUSVM)
		st.flags &= ~DMACTL_BENCH_CONTIG;
	if (mode != DMACTL_BENCH_BLK && mode != DMACTL_BENCH_TSO)
		st.flags &= ~DMACTL_BENCH_UNALIGNED;
	if (st.mode != DMACTL_BENCH_IOVA_SPARSE)
		st.span_pages = 0;
	else if (st.span_pages && st.span_pages < st.pages)
		st.span_pages = st.pages;
	ret = bench_one(fd, &st, &r, !o->json && !o->quiet && isatty(2));
	if (ret) {
		fprintf(stderr, "dmactl bench: %s pages=%u on %s: %s\n",
			bench_mode_names[st.mode], st.pages, o->dev, strerror(-ret));
		return false;
	}
	if (st.mode == DMACTL_BENCH_PHYS)
		*phys_ns = io_mean_ns(&r);
	if (results)
		json_object_array_add(results, result_json(&o->clock, &st, &r, *phys_ns));
	else
		print_row(&o->clock, &st, &r, *phys_ns);
	return result_ok(&r);
}

/* Every mode at every pages value until Ctrl-C; false if any failed. */
static bool bench_sweep(int fd, const struct bench_opts *o, json_object *results)
{
	bool ok = true;
	int i, m;

	for (i = 0; i < o->nr_pages && !interrupted; i++) {
		double phys_ns = 0;

		for (m = 0; m < o->nr_modes && !interrupted; m++)
			ok &= bench_cell(fd, o, o->modes[m], o->pages[i],
					 &phys_ns, results);
	}
	return ok;
}

static int bench_run(int argc, char **argv)
{
	json_object *root = NULL, *results = NULL;
	struct dmactl_attach at;
	struct bench_opts o;
	int fd, status;
	bool ok;

	if (argc > 1 && !strcmp(argv[1], "scale"))
		return cmd_bench_scale.run(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "report"))
		return cmd_bench_report.run(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "ab"))
		return cmd_bench_ab.run(argc - 1, argv + 1);
	status = bench_parse(argc, argv, &o);
	if (status >= 0)
		return status;
	status = dmactl_open_attach("bench", o.dev, &at, &fd);
	if (status)
		return status;
	bench_settle(&o, &at);
	signal(SIGINT, on_sigint);
	if (o.json) {
		root = bench_json_head(&o, &at);
		json_object_object_get_ex(root, "results", &results);
	} else {
		bench_print_head(&o, &at);
	}
	ok = bench_sweep(fd, &o, results);
	if (root)
		json_print(root, JSON_C_TO_STRING_PRETTY);
	close(fd);
	return !ok || interrupted ? EXIT_FAIL : EXIT_OK;
}

const struct dmactl_cmd cmd_bench = {
	.name = "bench",
	.summary = "time dma_map_phys, dma_map_sgtable and the IOVA API on a device",
	.help =
"NAME\n"
"    dmactl bench - the same I/O through each DMA mapping path, side by side\n"
"\n"
"SYNOPSIS\n"
"    dmactl bench DEV [--mode M[,M...]|all] [--pages N[,N...]] [--threads T]\n"
"                 [--seconds S | --ios N] [--warmup N] [--dir to|from|bidi]\n"
"                 [--dma-bits B] [--trans-ns NS] [--node N] [--bind-cpu]\n"
"                 [--contig] [--touch] [--unaligned] [--span PAGES]\n"
"                 [--no-progress]\n"
"                 [--clock auto|ns|icount[:SHIFT]] [--json]\n"
"    dmactl bench scale DEV SIZE [--json]\n"
"    dmactl bench report FILE.json...\n"
"    dmactl bench ab A.json[,A.json...] B.json[,B.json...]\n"
"\n"
"DESCRIPTION\n"
"    Kernel threads in dmactl.ko repeat one I/O of N pages: map (timed),\n"
"    spin --trans-ns (not timed), unmap (timed).  Modes:\n"
"      phys         dma_map_phys/dma_unmap_phys of each range\n"
"      sg           dma_map_sgtable of one entry per page, and unmap\n"
"      iova         dma_iova_try_alloc, a link per range, one sync;\n"
"                   dma_iova_destroy\n"
"      iova-reuse   one IOVA per thread; links + sync; one unlink\n"
"      iova-sparse  one large IOVA (--span pages) per thread; each page\n"
"                   linked and synced alone at a random offset; unlinked\n"
"                   (mm/hmm.c's hmm_dma_map_pfn: RDMA ODP)\n"
"    and the kernel's callers of the IOVA API, each with its shape, its\n"
"    calls and its fallback (dma_map_phys of each range) where no IOVA:\n"
"      blk          a block request (block/blk-mq-dma.c, NVMe; VFIO mlx5's\n"
"                   page list): try_alloc at the first range's address,\n"
"                   a link per range, one sync; dma_iova_destroy\n"
"      tso          a TSO packet (net/core/tso.c), to the device: the\n"
"                   linear part past a 128-byte header and a fragment per\n"
"                   page; links, one sync; destroy.  A failed link: destroy\n"
"                   and the fallback\n"
"      gpusvm       drm_gpusvm_get_pages: folios of orders 0,2,0,1,3...;\n"
"                   try_alloc, a link per folio, one sync; unlink, free\n"
"      premapped    mapped once before timing (registered or dma-buf\n"
"                   buffers); each I/O syncs for the device and the CPU\n"
"    --unaligned shapes blk and tso as callers meet them off the granule:\n"
"    blk's request starts and ends 512 bytes into a page; tso's fragments\n"
"    start 256 bytes into theirs, which its IOVA path cannot link (the\n"
"    kernel would WARN: dmactl counts it a failed link without making it).\n"
"    fallback_ios (JSON) counts the I/Os that took the fallback.\n"
"    Without --contig each page is its own allocation and its own range;\n"
"    with it, the I/O is one contiguous allocation (as dma_map_benchmark's\n"
"    single mode maps it).  --touch writes the pages before each map\n"
"    (untimed, not for --dir from), as dma_map_benchmark always does, so\n"
"    a non-coherent device's map pays for cleaning the caches.  Each\n"
"    --pages value is a row group; iova, iova-reuse and iova-sparse need a\n"
"    DMA or DMA-FQ domain and are left out by default elsewhere.  --dma-bits needs a\n"
"    device bound to dmactl with no other objects; the mask is restored\n"
"    afterwards.\n"
"\n"
"    The table gives I/Os per second, MB/s, and mean, median and 99th\n"
"    percentile of map and of unmap in microseconds; vs-phys is the mean\n"
"    of map+unmap over phys's in the same pages group; bytes is the\n"
"    DMA-address bookkeeping a driver keeps per I/O in that mode.  Every\n"
"    run must unmap what it mapped, and on an IOMMU no address of its\n"
"    last I/O may still translate; otherwise the exit status is 1.\n"
"    Defaults: all modes, --pages 1, 1 thread, 1 second, --warmup 100,\n"
"    bidi.  Ctrl-C stops the current run and prints what it measured.\n"
"\n"
"    'dmactl bench scale' fills one IOVA with SIZE bytes of page-sized links,\n"
"    one ioctl each, and reports the time per link as it fills and the\n"
"    module's shadow state; 'dmactl bench report' prints saved --json\n"
"    results as a Markdown table per machine, with the spread of several\n"
"    runs; 'dmactl bench ab' compares two kernels' runs.  Their --help\n"
"    describes them.\n"
"\n"
"    In a virtual machine every figure measures the emulation, not\n"
"    hardware: compare modes as ratios taken in one run.  Under QEMU's\n"
"    -icount shift=N,align=off,sleep=off the guest clock advances 2^N ns\n"
"    per guest instruction, so the timings count instructions, repeatable\n"
"    across boots: --clock icount:N (or dmactl_icount=N on the kernel\n"
"    command line, which the test bed's cost mode sets) reports them so,\n"
"    in text and JSON (\"clock\", and each result's \"cost\").  The\n"
"    default, auto, reads the command line, else labels ns with where\n"
"    they were measured (hardware, QEMU TCG, QEMU KVM).\n"
"\n"
"EXIT STATUS\n"
"    0 pass, 1 a run failed or left mappings, 2 usage error, 4 module or\n"
"    device missing.\n",
	.run = bench_run,
};
