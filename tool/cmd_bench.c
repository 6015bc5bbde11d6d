// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl bench: the same I/O shape through dma_map_phys, dma_map_sgtable
 * and the two-step IOVA API on one device, in one run, as ratios.
 *
 * The timing happens in the module's threads (DMACTL_BENCH_START); this
 * file sweeps modes and pages per I/O, shows progress, and prints a
 * table or JSON.  "dmactl bench DEV --scale SIZE" is the other half:
 * one IOVA filled with 4 KiB links from userspace, to see how the cost
 * per link and the module's shadow state grow.
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
#include "dmactl.h"
#include "util.h"

const char *const bench_mode_names[BENCH_NR_MODES + 1] = {
	[DMACTL_BENCH_PHYS] = "phys",
	[DMACTL_BENCH_SG] = "sg",
	[DMACTL_BENCH_IOVA] = "iova",
	[DMACTL_BENCH_IOVA_REUSE] = "iova-reuse",
	[DMACTL_BENCH_IOVA_SPARSE] = "iova-sparse",
};

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

/* True if the CPU says it runs under a hypervisor (x86 cpuinfo flag). */
static bool under_hypervisor(void)
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

static json_object *result_json(const struct dmactl_bench_start *st,
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
	if (phys_ns > 0)
		json_object_object_add(o, "ratio_to_phys",
				       json_object_new_double(io_mean_ns(r) / phys_ns));
	json_object_object_add(o, "bookkeeping_bytes",
			       json_object_new_uint64(r->out_bookkeeping_bytes));
	json_object_object_add(o, "map_calls", json_object_new_uint64(r->out_map_calls));
	json_object_object_add(o, "unmap_calls", json_object_new_uint64(r->out_unmap_calls));
	json_object_object_add(o, "mapped_bytes", json_object_new_uint64(r->out_mapped_bytes));
	json_object_object_add(o, "unmapped_bytes", json_object_new_uint64(r->out_unmapped_bytes));
	json_object_object_add(o, "checked_addrs", json_object_new_uint64(r->out_checked_addrs));
	json_object_object_add(o, "stale_addrs", json_object_new_uint64(r->out_stale_addrs));
	return o;
}

static void print_header(void)
{
	printf("%-12s %5s %10s %10s %9s %9s %9s %9s %9s %9s %8s %6s\n",
	       "mode", "pages", "IOPS", "MB/s", "map-mean", "map-p50", "map-p99",
	       "unmap-mean", "unmap-p50", "unmap-p99", "vs-phys", "bytes");
}

static void print_row(const struct dmactl_bench_start *st,
		      const struct dmactl_bench_result *r, double phys_ns)
{
	char ratio[16] = "-";

	if (r->out_state != DMACTL_BENCH_DONE) {
		printf("%-12s %5u failed: %s\n", bench_mode_names[st->mode], st->pages,
		       errno_name(r->out_error));
		return;
	}
	if (phys_ns > 0)
		snprintf(ratio, sizeof(ratio), "%.2fx", io_mean_ns(r) / phys_ns);
	printf("%-12s %5u %10" PRIu64 " %10.1f %9.2f %9.2f %9.2f %10.2f %9.2f %9.2f %8s %6u\n",
	       bench_mode_names[st->mode], st->pages, (uint64_t)r->out_ios_per_sec,
	       r->out_bytes_per_sec / 1e6, r->out_map.mean_ns / 1e3,
	       r->out_map.p50_ns / 1e3, r->out_map.p99_ns / 1e3,
	       r->out_unmap.mean_ns / 1e3, r->out_unmap.p50_ns / 1e3,
	       r->out_unmap.p99_ns / 1e3, ratio, r->out_bookkeeping_bytes);
}

/* Is this result sound: ended, everything unmapped, nothing stale? */
static bool result_ok(const struct dmactl_bench_result *r)
{
	return r->out_state == DMACTL_BENCH_DONE && !r->out_stale_addrs &&
	       r->out_mapped_bytes == r->out_unmapped_bytes;
}

static int bench_run(int argc, char **argv)
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
		{ "scale", required_argument, NULL, 'L' },
		{ "report", no_argument, NULL, 'R' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct dmactl_bench_start base = {
		.threads = 1, .node = DMACTL_NO_NODE, .pages = 1,
		.dir = DMACTL_DIR_BIDIRECTIONAL, .warmup_ios = 100,
	};
	unsigned int pages[MAX_SWEEP] = { 1 }, threads = 1;
	int modes[BENCH_NR_MODES] = { 0 }, nr_modes = 0, nr_pages = 1;
	uint64_t v, seconds_ms = 1000, ios = 0, scale = 0;
	bool json = false, quiet = false, failed = false, report = false;
	struct dmactl_attach at;
	json_object *root = NULL, *arr = NULL;
	char dev[DMACTL_NAME_MAX];
	int c, fd, status, i, m;

	while ((c = getopt_long(argc, argv, "m:p:t:s:i:w:d:b:x:n:S:BcTL:Rqjh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			nr_modes = parse_modes(optarg, modes);
			if (nr_modes <= 0)
				return usage_error(&cmd_bench, "--mode takes phys, sg, iova, iova-reuse, iova-sparse or all");
			break;
		case 'p':
			nr_pages = parse_list(optarg, pages, DMACTL_BENCH_MAX_PAGES);
			if (nr_pages <= 0)
				return usage_error(&cmd_bench, "bad --pages '%s'", optarg);
			break;
		case 't':
			if (parse_size(optarg, &v) || !v || v > DMACTL_BENCH_MAX_THREADS)
				return usage_error(&cmd_bench, "--threads is 1..%d", DMACTL_BENCH_MAX_THREADS);
			threads = v;
			break;
		case 's': {
			char *end;
			double s = strtod(optarg, &end);

			/* !(s > 0) is true for NaN, which no comparison is. */
			if (*end || end == optarg || !(s > 0) ||
			    s * 1000 > DMACTL_BENCH_MAX_DURATION_MS)
				return usage_error(&cmd_bench, "bad --seconds '%s'", optarg);
			seconds_ms = s * 1000 < 1 ? 1 : s * 1000;
			break;
		}
		case 'i':
			if (parse_size(optarg, &ios) || !ios || ios > DMACTL_BENCH_MAX_IOS)
				return usage_error(&cmd_bench, "bad --ios '%s'", optarg);
			break;
		case 'w':
			if (parse_size(optarg, &v) || v > DMACTL_BENCH_MAX_WARMUP_IOS)
				return usage_error(&cmd_bench, "bad --warmup '%s'", optarg);
			base.warmup_ios = v;
			break;
		case 'd':
			if (dir_from_name(optarg) < 0)
				return usage_error(&cmd_bench, "--dir is to, from or bidi");
			base.dir = dir_from_name(optarg);
			break;
		case 'b':
			if (parse_size(optarg, &v) || v < DMACTL_BENCH_MIN_DMA_BITS || v > 64)
				return usage_error(&cmd_bench, "--dma-bits is %d..64",
						   DMACTL_BENCH_MIN_DMA_BITS);
			base.dma_bits = v;
			break;
		case 'x':
			if (parse_size(optarg, &v) || v > DMACTL_BENCH_MAX_TRANS_NS)
				return usage_error(&cmd_bench, "bad --trans-ns '%s'", optarg);
			base.trans_ns = v;
			break;
		case 'n':
			if (parse_size(optarg, &v) || v >= DMACTL_NO_NODE)
				return usage_error(&cmd_bench, "bad --node '%s'", optarg);
			base.node = v;
			break;
		case 'S':
			if (parse_size(optarg, &v) || !v || v > DMACTL_BENCH_MAX_SPAN_PAGES)
				return usage_error(&cmd_bench, "bad --span '%s'", optarg);
			base.span_pages = v;
			break;
		case 'B':
			base.flags |= DMACTL_BENCH_BIND_CPU;
			break;
		case 'c':
			base.flags |= DMACTL_BENCH_CONTIG;
			break;
		case 'T':
			base.flags |= DMACTL_BENCH_TOUCH;
			break;
		case 'L':
			if (parse_size(optarg, &scale) || !scale || scale % 4096)
				return usage_error(&cmd_bench, "--scale takes a size in 4 KiB pages");
			break;
		case 'R':
			report = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(cmd_bench.help, stdout);
			return EXIT_OK;
		default:
			return usage_error(&cmd_bench, NULL);
		}
	}
	if (report) {
		if (optind == argc)
			return usage_error(&cmd_bench, "--report needs result files");
		return bench_report(argc - optind, argv + optind);
	}
	if (optind != argc - 1)
		return usage_error(&cmd_bench, "expected one device");
	device_name(argv[optind], dev, sizeof(dev));
	status = dmactl_open_attach("bench", dev, &at, &fd);
	if (status)
		return status;
	if (scale) {
		status = bench_scale(fd, dev, scale, json);
		close(fd);
		return status;
	}
	if (!nr_modes) {
		/* Every mode the device's domain allows. */
		nr_modes = at.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE ? BENCH_NR_MODES : 2;
		for (i = 0; i < nr_modes; i++)
			modes[i] = i + 1;
	}
	base.threads = threads;
	if (ios)
		base.ios = ios;
	else
		base.duration_ms = seconds_ms;
	signal(SIGINT, on_sigint);

	if (json) {
		root = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(root, "device", json_object_new_string(dev));
		json_object_object_add(root, "domain",
				       json_object_new_string(domain_name(at.out_domain)));
		json_object_object_add(root, "hypervisor",
				       json_object_new_boolean(under_hypervisor()));
		json_object_object_add(root, "threads", json_object_new_int(threads));
		json_object_object_add(root, "dir", json_object_new_string(dir_name(base.dir)));
		json_object_object_add(root, "dma_bits", json_object_new_int(base.dma_bits));
		json_object_object_add(root, "trans_ns", json_object_new_int(base.trans_ns));
		json_object_object_add(root, "contig", json_object_new_boolean(
			base.flags & DMACTL_BENCH_CONTIG));
		json_object_object_add(root, "touch", json_object_new_boolean(
			base.flags & DMACTL_BENCH_TOUCH));
		json_object_object_add(root, "results", arr);
	} else {
		printf("device %s, domain %s, %u thread(s), dir %s%s%s\n", dev,
		       domain_name(at.out_domain), threads, dir_name(base.dir),
		       base.flags & DMACTL_BENCH_CONTIG ? ", contiguous I/O" : "",
		       under_hypervisor() ?
		       "; virtual machine: times measure the emulation, not hardware" : "");
		printf("times in us per I/O; vs-phys: mean (map+unmap) over phys's; "
		       "bytes: DMA-address bookkeeping per I/O\n");
		print_header();
	}
	for (i = 0; i < nr_pages && !interrupted; i++) {
		double phys_ns = 0;

		for (m = 0; m < nr_modes && !interrupted; m++) {
			struct dmactl_bench_start st = base;
			struct dmactl_bench_result r;
			int ret;

			st.mode = modes[m];
			st.pages = pages[i];
			if (st.mode != DMACTL_BENCH_IOVA_SPARSE)
				st.span_pages = 0;
			else if (st.span_pages && st.span_pages < st.pages)
				st.span_pages = st.pages;
			ret = bench_one(fd, &st, &r, !json && !quiet && isatty(2));
			if (ret) {
				fprintf(stderr, "dmactl bench: %s pages=%u on %s: %s\n",
					bench_mode_names[st.mode], st.pages, dev, strerror(-ret));
				failed = true;
				continue;
			}
			if (!result_ok(&r))
				failed = true;
			if (st.mode == DMACTL_BENCH_PHYS)
				phys_ns = io_mean_ns(&r);
			if (json)
				json_object_array_add(arr, result_json(&st, &r, phys_ns));
			else
				print_row(&st, &r, phys_ns);
		}
	}
	if (json) {
		json_print(root, JSON_C_TO_STRING_PRETTY);
	}
	close(fd);
	return failed || interrupted ? EXIT_FAIL : EXIT_OK;
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
"                 [--contig] [--touch] [--span PAGES] [--no-progress] [--json]\n"
"    dmactl bench DEV --scale SIZE [--json]\n"
"    dmactl bench --report FILE.json...\n"
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
"    Without --contig each page is its own allocation and its own range;\n"
"    with it, the I/O is one contiguous allocation (as dma_map_benchmark's\n"
"    single mode maps it).  --touch writes the pages before each map\n"
"    (untimed, not for --dir from), as dma_map_benchmark always does, so\n"
"    a non-coherent device's map pays for cleaning the caches.  Each\n"
"    --pages value is a row group; the IOVA modes need a DMA or DMA-FQ\n"
"    domain and are left out by default elsewhere.  --dma-bits needs a device bound to dmactl with no other\n"
"    objects; the mask is restored afterwards.\n"
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
"    --scale SIZE links SIZE bytes of 4 KiB pages into one IOVA, one\n"
"    ioctl per link, verifies every translation, destroys it, and\n"
"    reports the time per link as the IOVA fills and the module's shadow\n"
"    state per GiB of IOVA.\n"
"\n"
"    --report prints one Markdown table of saved --json results, a row\n"
"    group per file (named after the file): mean map+unmap time per I/O\n"
"    per mode, and each mode's ratio to phys.\n"
"\n"
"    In a virtual machine every figure measures the emulation, not\n"
"    hardware: compare modes as ratios taken in one run.\n"
"\n"
"EXIT STATUS\n"
"    0 pass, 1 a run failed or left mappings, 2 usage error, 4 module or\n"
"    device missing.\n",
	.run = bench_run,
};
