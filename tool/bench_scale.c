// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl bench --scale: fill one IOVA with 4 KiB links, one ioctl each,
 * and watch the cost per link and the module's shadow state grow.
 *
 * The links come from one 4 MiB kernel buffer, linked over and over at
 * successive IOVA offsets (the IOMMU may map one page at many IOVAs), so
 * a 1 GiB IOVA needs no 1 GiB of guest memory.  The time per link is
 * taken around each DMACTL_IOVA_LINK: the syscall, the module's checks
 * and shadow update, and dma_iova_link() itself.
 */
#include <errno.h>
#include <inttypes.h>
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

#define SCALE_PAGE	4096ULL
#define SCALE_BUF	(4ULL << 20)

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

int bench_scale(int fd, const char *dev, uint64_t size, bool json)
{
	static const uint64_t marks[] = { 1, 64, 1024, 262144 };
	struct dmactl_buf_alloc ba = {
		.size = sizeof(ba), .kind = DMACTL_BUF_KERNEL, .length = SCALE_BUF,
		.node = DMACTL_NO_NODE,
	};
	struct dmactl_iova_alloc ia = { .size = sizeof(ia), .length = size };
	struct dmactl_iova_link ln = { .size = sizeof(ln), .length = SCALE_PAGE,
				       .dir = DMACTL_DIR_BIDIRECTIONAL };
	struct dmactl_iova_sync sy = { .size = sizeof(sy), .length = size };
	struct dmactl_iova_verify ve = { .size = sizeof(ve), .length = size };
	struct dmactl_iova_query qu = { .size = sizeof(qu) };
	struct dmactl_iova_destroy de = { .size = sizeof(de), .mapped_len = size,
					  .dir = DMACTL_DIR_BIDIRECTIONAL };
	struct dmactl_buf_free bf = { .size = sizeof(bf) };
	uint64_t n = size / SCALE_PAGE, i, t0, t, sum = 0, window = 0;
	uint64_t verify_ns, destroy_ns, total_ns;
	double per_link[4] = { 0 };
	long maple0, maple1, maple_size = 0;
	unsigned int m = 0, nmarks = 0;
	int ret, status = EXIT_FAIL;
	json_object *o, *a;

	ret = dmactl_ioctl(fd, DMACTL_BUF_ALLOC, &ba);
	if (ret) {
		fprintf(stderr, "dmactl bench --scale: buffer: %s\n", strerror(-ret));
		return EXIT_FAIL;
	}
	ret = dmactl_ioctl(fd, DMACTL_IOVA_ALLOC, &ia);
	if (ret || ia.out_path != DMACTL_PATH_IOVA) {
		fprintf(stderr, "dmactl bench --scale: %s: %s\n", dev,
			ret ? strerror(-ret) : "no IOVA API here (needs a DMA domain)");
		status = ret == -EOPNOTSUPP ? EXIT_UNSUPPORTED : EXIT_FAIL;
		goto out_buf;
	}
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (marks[i] <= n)
			nmarks = i + 1;
	maple0 = slab_objects("maple_node", &maple_size);

	ln.iova_id = ia.out_id;
	ln.buf_id = ba.out_id;
	total_ns = now_ns();
	for (i = 0; i < n; i++) {
		ln.iova_offset = i * SCALE_PAGE;
		ln.buf_offset = (i * SCALE_PAGE) % SCALE_BUF;
		t0 = now_ns();
		ret = dmactl_ioctl(fd, DMACTL_IOVA_LINK, &ln);
		t = now_ns() - t0;
		if (ret) {
			fprintf(stderr, "dmactl bench --scale: link %" PRIu64 ": %s\n",
				i, strerror(-ret));
			goto out_iova;
		}
		/* Mean over the links since the previous mark. */
		sum += t;
		window++;
		if (m < nmarks && i + 1 == marks[m]) {
			per_link[m++] = (double)sum / window;
			sum = 0;
			window = 0;
		}
	}
	total_ns = now_ns() - total_ns;
	maple1 = slab_objects("maple_node", &maple_size);

	sy.iova_id = ia.out_id;
	ve.iova_id = ia.out_id;
	qu.iova_id = ia.out_id;
	de.iova_id = ia.out_id;
	ret = dmactl_ioctl(fd, DMACTL_IOVA_SYNC, &sy) ?:
	      dmactl_ioctl(fd, DMACTL_IOVA_QUERY, &qu);
	if (ret)
		goto out_iova;
	t0 = now_ns();
	ret = dmactl_ioctl(fd, DMACTL_IOVA_VERIFY, &ve);
	verify_ns = now_ns() - t0;
	if (ret || ve.out_mapped_ok != n || ve.out_mismatches ||
	    qu.out_nr_links != n) {
		fprintf(stderr, "dmactl bench --scale: verify: %s, %" PRIu64 " of %" PRIu64
			" pages translate as linked\n", ret ? strerror(-ret) : "ok",
			(uint64_t)ve.out_mapped_ok, n);
		goto out_iova;
	}
	t0 = now_ns();
	ret = dmactl_ioctl(fd, DMACTL_IOVA_DESTROY, &de);
	destroy_ns = now_ns() - t0;
	if (ret) {
		fprintf(stderr, "dmactl bench --scale: destroy: %s\n", strerror(-ret));
		goto out_iova;
	}
	status = EXIT_OK;

	if (json) {
		o = json_object_new_object();
		a = json_object_new_array();
		json_object_object_add(o, "device", json_object_new_string(dev));
		json_object_object_add(o, "iova_bytes", json_object_new_uint64(size));
		json_object_object_add(o, "links", json_object_new_uint64(n));
		json_object_object_add(o, "link_records", json_object_new_uint64(qu.out_nr_records));
		for (i = 0; i < nmarks; i++) {
			json_object *p = json_object_new_object();

			json_object_object_add(p, "links", json_object_new_uint64(marks[i]));
			json_object_object_add(p, "ns_per_link", json_object_new_double(per_link[i]));
			json_object_array_add(a, p);
		}
		json_object_object_add(o, "per_link", a);
		json_object_object_add(o, "link_total_ns", json_object_new_uint64(total_ns));
		json_object_object_add(o, "verify_ns", json_object_new_uint64(verify_ns));
		json_object_object_add(o, "destroy_ns", json_object_new_uint64(destroy_ns));
		json_object_object_add(o, "shadow_bytes",
				       json_object_new_uint64(qu.out_shadow_bytes));
		json_object_object_add(o, "shadow_bytes_per_gib", json_object_new_double(
			(double)qu.out_shadow_bytes * (1ULL << 30) / size));
		if (maple0 >= 0 && maple1 >= 0)
			json_object_object_add(o, "maple_node_bytes", json_object_new_int64(
				(maple1 - maple0) * maple_size));
		json_print(o, JSON_C_TO_STRING_PRETTY);
	} else {
		printf("%s: %" PRIu64 " links of 4 KiB into one IOVA of %" PRIu64
		       " bytes: %" PRIu64 " link records\n", dev, n, size,
		       (uint64_t)qu.out_nr_records);
		for (i = 0; i < nmarks; i++)
			printf("  time per link up to link %-7" PRIu64 " %8.2f us\n",
			       marks[i], per_link[i] / 1e3);
		printf("  all links %.2f s; verify %.2f s; destroy %.3f s\n",
		       total_ns / 1e9, verify_ns / 1e9, destroy_ns / 1e9);
		printf("  shadow state %" PRIu64 " bytes = %.1f KiB per GiB of IOVA",
		       (uint64_t)qu.out_shadow_bytes,
		       qu.out_shadow_bytes * (double)(1ULL << 30) / size / 1024);
		if (maple0 >= 0 && maple1 >= 0)
			printf(" (+ %.1f KiB of maple tree nodes in the slab)",
			       (maple1 - maple0) * maple_size / 1024.0);
		printf("\n");
	}
	goto out_buf;

out_iova:
	de.iova_id = ia.out_id;
	/* Whatever state the failure left, the file's release cleans up. */
	dmactl_ioctl(fd, DMACTL_IOVA_DESTROY, &de);
out_buf:
	bf.id = ba.out_id;
	dmactl_ioctl(fd, DMACTL_BUF_FREE, &bf);
	return status;
}
