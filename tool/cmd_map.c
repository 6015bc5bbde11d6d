// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl map: one whole lifecycle on a device -- alloc, link, sync,
 * verify, unlink, verify, free -- as a scenario run through the same
 * engine as "dmactl run".
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "device.h"
#include "dmactl.h"
#include "scenario.h"
#include "util.h"

static int map_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "pages-per-link", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' },
		{ "no-fallback", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint64_t size = 2 << 20, per_link = 1;
	const char *dir = "bidi";
	bool json = false, fallback = true;
	char dev[DMACTL_NAME_MAX], lines[10][256];
	struct dmactl_iova_verify mapped = { 0 };
	struct scenario s;
	int c, i, n = 0, ret = 0, status, verify_line;
	const char *path;
	json_object *o;

	while ((c = getopt_long(argc, argv, "s:p:d:njh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_size(optarg, &size) || !size || size > 1ULL << 62)
				return usage_error(&cmd_map, "bad --size '%s'", optarg);
			break;
		case 'p':
			if (parse_size(optarg, &per_link) || !per_link)
				return usage_error(&cmd_map, "bad --pages-per-link '%s'", optarg);
			break;
		case 'd':
			if (dir_from_name(optarg) < 0)
				return usage_error(&cmd_map, "--dir is to, from or bidi");
			dir = optarg;
			break;
		case 'n':
			fallback = false;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(cmd_map.help, stdout);
			return EXIT_OK;
		default:
			return usage_error(&cmd_map, NULL);
		}
	}
	if (optind != argc - 1)
		return usage_error(&cmd_map, "expected one device");
	/* A link is at most the whole buffer: no page count can wrap. */
	if (per_link > (size + 4095) / 4096)
		return usage_error(&cmd_map, "--pages-per-link %" PRIu64
				   " is more than the %" PRIu64 " pages of --size",
				   per_link, (size + 4095) / 4096);
	device_name(argv[optind], dev, sizeof(dev));

	snprintf(lines[n++], 256, "attach %s", dev);
	snprintf(lines[n++], 256, "buf b kernel %" PRIu64, size);
	snprintf(lines[n++], 256, "alloc io %" PRIu64 "%s", size,
		 fallback ? " fallback" : "");
	snprintf(lines[n++], 256, "link io b len=%" PRIu64 " each=%" PRIu64 " dir=%s",
		 size, per_link * 4096, dir);
	snprintf(lines[n++], 256, "sync io");
	verify_line = n;
	snprintf(lines[n++], 256, "verify io");
	snprintf(lines[n++], 256, "unlink io len=%" PRIu64 " each=%" PRIu64 " dir=%s",
		 size, per_link * 4096, dir);
	snprintf(lines[n++], 256, "verify io unmapped");
	snprintf(lines[n++], 256, "free io");
	snprintf(lines[n++], 256, "bfree b");

	scenario_init(&s, "map");
	s.quiet = true;
	for (i = 0; i < n && !ret; i++) {
		s.lineno = i + 1;
		ret = scenario_line(&s, lines[i]);
		if (i == verify_line)
			mapped = s.last_verify;
	}
	status = !ret ? EXIT_OK : s.unsupported ? EXIT_UNSUPPORTED : EXIT_FAIL;
	if (s.fd < 0 && !json) {
		/* Attach failed and said why: there is nothing to summarise. */
		scenario_fini(&s);
		return status;
	}

	/* A step failed before alloc: no path, no address to speak of. */
	path = !s.last_path ? "none" :
	       s.last_path == DMACTL_PATH_IOVA ? "iova" : "fallback";
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "device", json_object_new_string(dev));
		json_object_object_add(o, "path", json_object_new_string(path));
		json_object_object_add(o, "dma_addr", s.last_path ?
				       json_object_new_uint64(s.last_dma_addr) : NULL);
		json_object_object_add(o, "size", json_object_new_uint64(size));
		json_object_object_add(o, "links",
				       json_object_new_uint64((size + per_link * 4096 - 1) /
							      (per_link * 4096)));
		if (status != EXIT_OK)
			json_object_object_add(o, "failed_step",
					       json_object_new_string(lines[i - 1]));
		json_object_object_add(o, "pages_mapped_ok",
				       json_object_new_uint64(mapped.out_mapped_ok));
		json_object_object_add(o, "pages_bounced",
				       json_object_new_uint64(mapped.out_bounced));
		json_object_object_add(o, "result", json_object_new_string(
			status == EXIT_OK ? "pass" : "fail"));
		json_print(o, JSON_C_TO_STRING_PRETTY);
	} else if (!s.last_path) {
		printf("device %s: failed before any IOVA space was had, at: %s\n",
		       dev, lines[i - 1]);
	} else {
		printf("device %s: %s path, %" PRIu64 " bytes at DMA address %#" PRIx64
		       ", links of %" PRIu64 " pages, dir %s\n", dev,
		       s.last_path == DMACTL_PATH_IOVA ? "IOVA (dma_iova_link)" :
		       "fallback (dma_map_phys)", size, s.last_dma_addr, per_link, dir);
		printf("verified %" PRIu64 " pages mapped, %" PRIu64 " bounced; "
		       "all unmapped after unlink: %s\n",
		       (uint64_t)mapped.out_mapped_ok, (uint64_t)mapped.out_bounced,
		       status == EXIT_OK ? "PASS" : "FAIL");
	}
	scenario_fini(&s);
	return status;
}

const struct dmactl_cmd cmd_map = {
	.name = "map",
	.summary = "map, verify and unmap a buffer on a device, once",
	.help =
"NAME\n"
"    dmactl map - one whole mapping lifecycle on a device\n"
"\n"
"SYNOPSIS\n"
"    dmactl map DEV [--size S] [--pages-per-link N] [--dir to|from|bidi]\n"
"               [--no-fallback] [--json]\n"
"\n"
"DESCRIPTION\n"
"    Allocates a kernel buffer and S bytes of IOVA space on DEV (default\n"
"    2M), links the buffer N pages at a time (default 1), syncs, checks\n"
"    every page's translation, unlinks, checks that nothing is left\n"
"    mapped, and frees.  Where the IOVA API does not apply (no IOMMU,\n"
"    identity domain) it takes the dma_map_phys fallback unless\n"
"    --no-fallback is given.  Prints the path taken, the DMA address and\n"
"    the result.\n"
"\n"
"EXIT STATUS\n"
"    0 pass, 1 fail, 2 usage error, 4 module or device missing.\n",
	.run = map_run,
};
