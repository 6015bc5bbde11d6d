// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl bench scale: fill one IOVA with page-sized links, one ioctl each, and
 * watch the cost per link and the module's shadow state grow.
 *
 * The links come from one 4 MiB kernel buffer, linked over and over at
 * successive IOVA offsets (the IOMMU may map one page at many IOVAs), so
 * a 1 GiB IOVA needs no 1 GiB of guest memory.  The time per link is
 * taken around each DMACTL_IOVA_LINK: the syscall, the module's checks
 * and shadow update, and dma_iova_link() itself.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
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

#define SCALE_BUF	(4ULL << 20)
#define SCALE_MARKS	4

/* After how many links the mean time per link is reported. */
static const uint64_t marks[SCALE_MARKS] = { 1, 64, 1024, 262144 };

/**
 * struct scale - one "dmactl bench scale" run
 * @fd: /dev/dmactl, attached to @dev
 * @dev: the device
 * @size: the IOVA's size, bytes
 * @n: links, one per page
 * @buf_id: the 4 MiB kernel buffer linked over and over
 * @iova_id: the IOVA object
 * @nmarks: the @marks that @n reaches
 * @per_link: mean ns per link since the mark before, at each mark
 * @link_ns: all the links
 * @verify_ns: DMACTL_IOVA_VERIFY of the whole IOVA
 * @destroy_ns: DMACTL_IOVA_DESTROY of it
 * @maple0: maple_node slab objects in use before the links, -1 unknown
 * @maple1: after them
 * @maple_size: bytes per maple_node object
 * @qu: DMACTL_IOVA_QUERY after the links: records, shadow bytes
 */
struct scale {
	int fd;
	const char *dev;
	uint64_t size;
	uint64_t n;
	uint32_t buf_id;
	uint32_t iova_id;
	unsigned int nmarks;
	double per_link[SCALE_MARKS];
	uint64_t link_ns;
	uint64_t verify_ns;
	uint64_t destroy_ns;
	long maple0;
	long maple1;
	long maple_size;
	struct dmactl_iova_query qu;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Objects of the slab cache @name in use, from /proc/slabinfo; -1 if none. */
static long slab_objects(const char *name, long *objsize)
{
	char line[512], cache[64];
	long active, total, size;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld %ld %ld", cache, &active, &total, &size) == 4 &&
		    !strcmp(cache, name)) {
			fclose(f);
			*objsize = size;
			return active;
		}
	}
	fclose(f);
	return -1;
}

/* The buffer and the IOVA; returns an exit status. */
static int scale_alloc(struct scale *sc)
{
	struct dmactl_buf_alloc ba = {
		.size = sizeof(ba), .kind = DMACTL_BUF_KERNEL, .length = SCALE_BUF,
		.node = DMACTL_NO_NODE,
	};
	struct dmactl_iova_alloc ia = { .size = sizeof(ia), .length = sc->size };
	struct dmactl_buf_free bf = { .size = sizeof(bf) };
	int ret;

	ret = dmactl_ioctl(sc->fd, DMACTL_BUF_ALLOC, &ba);
	if (ret) {
		fprintf(stderr, "dmactl bench scale: buffer: %s\n", strerror(-ret));
		return EXIT_FAIL;
	}
	sc->buf_id = ba.out_id;
	ret = dmactl_ioctl(sc->fd, DMACTL_IOVA_ALLOC, &ia);
	if (ret || ia.out_path != DMACTL_PATH_IOVA) {
		fprintf(stderr, "dmactl bench scale: %s: %s\n", sc->dev,
			ret ? strerror(-ret) : "no IOVA API here (needs a DMA domain)");
		bf.id = ba.out_id;
		dmactl_ioctl(sc->fd, DMACTL_BUF_FREE, &bf);
		return ret == -EOPNOTSUPP ? EXIT_UNSUPPORTED : EXIT_FAIL;
	}
	sc->iova_id = ia.out_id;
	return EXIT_OK;
}

/* Link every page, timing each; returns 0 or -1 after saying why. */
static int scale_link(struct scale *sc)
{
	struct dmactl_iova_link ln = {
		.size = sizeof(ln), .length = page_size(), .iova_id = sc->iova_id,
		.buf_id = sc->buf_id, .dir = DMACTL_DIR_BIDIRECTIONAL,
	};
	uint64_t i, t0, t, sum = 0, window = 0;
	unsigned int m = 0;
	int ret;

	sc->maple0 = slab_objects("maple_node", &sc->maple_size);
	sc->link_ns = now_ns();
	for (i = 0; i < sc->n; i++) {
		ln.iova_offset = i * page_size();
		ln.buf_offset = (i * page_size()) % SCALE_BUF;
		t0 = now_ns();
		ret = dmactl_ioctl(sc->fd, DMACTL_IOVA_LINK, &ln);
		t = now_ns() - t0;
		if (ret) {
			fprintf(stderr, "dmactl bench scale: link %" PRIu64 ": %s\n",
				i, strerror(-ret));
			return -1;
		}
		/* Mean over the links since the previous mark. */
		sum += t;
		window++;
		if (m < sc->nmarks && i + 1 == marks[m]) {
			sc->per_link[m++] = (double)sum / window;
			sum = 0;
			window = 0;
		}
	}
	sc->link_ns = now_ns() - sc->link_ns;
	sc->maple1 = slab_objects("maple_node", &sc->maple_size);
	return 0;
}

/* Sync, query and verify (timed) every page; 0 or -1. */
static int scale_verify(struct scale *sc)
{
	struct dmactl_iova_sync sy = { .size = sizeof(sy), .length = sc->size,
				       .iova_id = sc->iova_id };
	struct dmactl_iova_verify ve = { .size = sizeof(ve), .length = sc->size,
					 .iova_id = sc->iova_id };
	uint64_t t0;
	int ret;

	sc->qu = (struct dmactl_iova_query){ .size = sizeof(sc->qu),
					     .iova_id = sc->iova_id };
	ret = dmactl_ioctl(sc->fd, DMACTL_IOVA_SYNC, &sy) ?:
	      dmactl_ioctl(sc->fd, DMACTL_IOVA_QUERY, &sc->qu);
	if (ret)
		return -1;
	t0 = now_ns();
	ret = dmactl_ioctl(sc->fd, DMACTL_IOVA_VERIFY, &ve);
	sc->verify_ns = now_ns() - t0;
	if (ret || ve.out_mapped_ok != sc->n || ve.out_mismatches ||
	    sc->qu.out_nr_links != sc->n) {
		fprintf(stderr, "dmactl bench scale: verify: %s, %" PRIu64 " of %" PRIu64
			" pages translate as linked\n", ret ? strerror(-ret) : "ok",
			(uint64_t)ve.out_mapped_ok, sc->n);
		return -1;
	}
	return 0;
}

/* Destroy the IOVA, timed if @timed; 0 or -errno. */
static int scale_destroy(struct scale *sc, bool timed)
{
	struct dmactl_iova_destroy de = {
		.size = sizeof(de), .iova_id = sc->iova_id, .mapped_len = sc->size,
		.dir = DMACTL_DIR_BIDIRECTIONAL,
	};
	uint64_t t0 = now_ns();
	int ret;

	ret = dmactl_ioctl(sc->fd, DMACTL_IOVA_DESTROY, &de);
	if (timed)
		sc->destroy_ns = now_ns() - t0;
	return ret;
}

/* Link, verify, destroy; returns an exit status. */
static int scale_fill(struct scale *sc)
{
	int ret;

	if (scale_link(sc) || scale_verify(sc)) {
		/* Whatever state the failure left, the file's release cleans up. */
		scale_destroy(sc, false);
		return EXIT_FAIL;
	}
	ret = scale_destroy(sc, true);
	if (ret) {
		fprintf(stderr, "dmactl bench scale: destroy: %s\n", strerror(-ret));
		scale_destroy(sc, false);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static void scale_json(const struct scale *sc)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	unsigned int i;

	json_object_object_add(o, "device", json_object_new_string(sc->dev));
	json_object_object_add(o, "iova_bytes", json_object_new_uint64(sc->size));
	json_object_object_add(o, "links", json_object_new_uint64(sc->n));
	json_object_object_add(o, "link_records",
			       json_object_new_uint64(sc->qu.out_nr_records));
	for (i = 0; i < sc->nmarks; i++) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "links", json_object_new_uint64(marks[i]));
		json_object_object_add(p, "ns_per_link",
				       json_object_new_double(sc->per_link[i]));
		json_object_array_add(a, p);
	}
	json_object_object_add(o, "per_link", a);
	json_object_object_add(o, "link_total_ns", json_object_new_uint64(sc->link_ns));
	json_object_object_add(o, "verify_ns", json_object_new_uint64(sc->verify_ns));
	json_object_object_add(o, "destroy_ns", json_object_new_uint64(sc->destroy_ns));
	json_object_object_add(o, "shadow_bytes",
			       json_object_new_uint64(sc->qu.out_shadow_bytes));
	json_object_object_add(o, "shadow_bytes_per_gib", json_object_new_double(
		(double)sc->qu.out_shadow_bytes * (1ULL << 30) / sc->size));
	if (sc->maple0 >= 0 && sc->maple1 >= 0)
		json_object_object_add(o, "maple_node_bytes", json_object_new_int64(
			(sc->maple1 - sc->maple0) * sc->maple_size));
	json_print(o, JSON_C_TO_STRING_PRETTY);
}

static void scale_print(const struct scale *sc)
{
	unsigned int i;

	printf("%s: %" PRIu64 " links of %" PRIu64 " bytes into one IOVA of %" PRIu64
	       " bytes: %" PRIu64 " link records\n", sc->dev, sc->n, page_size(), sc->size,
	       (uint64_t)sc->qu.out_nr_records);
	for (i = 0; i < sc->nmarks; i++)
		printf("  time per link up to link %-7" PRIu64 " %8.2f us\n",
		       marks[i], sc->per_link[i] / 1e3);
	printf("  all links %.2f s; verify %.2f s; destroy %.3f s\n",
	       sc->link_ns / 1e9, sc->verify_ns / 1e9, sc->destroy_ns / 1e9);
	printf("  shadow state %" PRIu64 " bytes = %.1f KiB per GiB of IOVA",
	       (uint64_t)sc->qu.out_shadow_bytes,
	       sc->qu.out_shadow_bytes * (double)(1ULL << 30) / sc->size / 1024);
	if (sc->maple0 >= 0 && sc->maple1 >= 0)
		printf(" (+ %.1f KiB of maple tree nodes in the slab)",
		       (sc->maple1 - sc->maple0) * sc->maple_size / 1024.0);
	printf("\n");
}

/*
 * Fill one IOVA of @size bytes with page-sized links through @fd (attached to
 * @dev), verify, destroy; print the cost per link and the shadow state.
 * Returns an exit status.
 */
static int bench_scale(int fd, const char *dev, uint64_t size, bool json)
{
	struct scale sc = { .fd = fd, .dev = dev, .size = size,
			    .n = size / page_size() };
	struct dmactl_buf_free bf = { .size = sizeof(bf) };
	int status;

	while (sc.nmarks < SCALE_MARKS && marks[sc.nmarks] <= sc.n)
		sc.nmarks++;
	status = scale_alloc(&sc);
	if (status)
		return status;
	status = scale_fill(&sc);
	if (!status && json)
		scale_json(&sc);
	else if (!status)
		scale_print(&sc);
	bf.id = sc.buf_id;
	dmactl_ioctl(fd, DMACTL_BUF_FREE, &bf);
	return status;
}

static int scale_run(int argc, char **argv)
{
	char dev[DMACTL_NAME_MAX];
	uint64_t size;
	bool json;
	int fd, status;

	status = parse_json_help(&cmd_bench_scale, argc, argv, &json);
	if (status >= 0)
		return status;
	if (optind != argc - 2)
		return usage_error(&cmd_bench_scale, "expected DEV SIZE");
	if (parse_size(argv[optind + 1], &size) || !size || size % page_size())
		return usage_error(&cmd_bench_scale, "SIZE is a whole number of %" PRIu64 "-byte pages, not '%s'", page_size(),
				   argv[optind + 1]);
	device_name(argv[optind], dev, sizeof(dev));
	status = dmactl_open_attach("bench scale", dev, NULL, &fd);
	if (status)
		return status;
	status = bench_scale(fd, dev, size, json);
	close(fd);
	return status;
}

const struct dmactl_cmd cmd_bench_scale = {
	.name = "bench scale",
	.summary = "fill one IOVA link by link: cost per link, shadow state",
	.help =
"NAME\n"
"    dmactl bench scale - fill one IOVA with page-sized links, one by one\n"
"\n"
"SYNOPSIS\n"
"    dmactl bench scale DEV SIZE [--json]\n"
"\n"
"DESCRIPTION\n"
"    Links SIZE bytes (a multiple of the page size; k, M, G suffixes) of\n"
"    pages, a page per link, into one IOVA on DEV, one ioctl per link, verifies every\n"
"    translation, destroys it, and reports the time per link as the IOVA\n"
"    fills (after 1, 64, 1024 and 262144 links) and the module's shadow\n"
"    state per GiB of IOVA.  The pages come from one 4 MiB buffer linked\n"
"    over and over.  Needs a DMA or DMA-FQ domain.\n"
"\n"
"EXIT STATUS\n"
"    0 pass, 1 a step failed, 2 usage error, 4 module or device missing,\n"
"    or no IOVA API on DEV.\n",
	.run = scale_run,
};
