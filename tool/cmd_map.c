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
#include "commands.h"
#include "scenario.h"
#include "util.h"

#define MAP_STEPS	10
#define MAP_LINE	256

/**
 * struct map_opts - the command line of "dmactl map"
 * @size: bytes to map
 * @per_link: pages per link
 * @dir: the direction's name
 * @fallback: let alloc take the dma_map_phys fallback
 * @json: print JSON
 * @dev: the device
 */
struct map_opts {
	uint64_t size;
	uint64_t per_link;
	const char *dir;
	bool fallback;
	bool json;
	char dev[DMACTL_NAME_MAX];
};

/**
 * struct map_outcome - what the lifecycle did
 * @status: the exit status
 * @attached: the attach step passed
 * @failed: the step that failed, NULL if none did
 * @path: the alloc's path, 0 if no alloc was done
 * @dma_addr: the alloc's DMA address
 * @mapped: the verify after the links
 */
struct map_outcome {
	int status;
	bool attached;
	const char *failed;
	uint32_t path;
	uint64_t dma_addr;
	struct dmactl_iova_verify mapped;
};

/* Returns -1 to go on, or the exit status to return at once. */
static int map_parse(int argc, char **argv, struct map_opts *o)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "pages-per-link", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' },
		{ "no-fallback", no_argument, NULL, 'n' },
		OPT_JSON,
		OPT_HELP,
		{}
	};
	int c, ret;

	*o = (struct map_opts){ .size = 2 << 20, .per_link = 1, .dir = "bidi",
				.fallback = true };
	while ((c = getopt_long(argc, argv, "s:p:d:njh", opts, NULL)) != -1) {
		if (c == 's' && (parse_size(optarg, &o->size) || !o->size ||
				 o->size > 1ULL << 62))
			return usage_error(&cmd_map, "bad --size '%s'", optarg);
		if (c == 'p' && (parse_size(optarg, &o->per_link) || !o->per_link))
			return usage_error(&cmd_map, "bad --pages-per-link '%s'", optarg);
		if (c == 'd' && dir_from_name(optarg) < 0)
			return usage_error(&cmd_map, "--dir is to, from or bidi");
		if (c == 'd')
			o->dir = optarg;
		else if (c == 'n')
			o->fallback = false;
		else if (c != 's' && c != 'p' && (ret = opt_common(&cmd_map, c, &o->json)) >= 0)
			return ret;
	}
	ret = one_device(&cmd_map, argc, argv, o->dev, sizeof(o->dev));
	if (ret)
		return ret;
	/* A link is at most the whole buffer: no page count can wrap. */
	if (o->per_link > (o->size + page_size() - 1) / page_size())
		return usage_error(&cmd_map, "--pages-per-link %" PRIu64
				   " is more than the %" PRIu64 " pages of --size",
				   o->per_link, (o->size + page_size() - 1) / page_size());
	return -1;
}

/* The lifecycle as scenario lines, which a failure is named by. */
static int map_script(const struct map_opts *o, char lines[][MAP_LINE])
{
	uint64_t each = o->per_link * page_size();
	int n = 0;

	snprintf(lines[n++], MAP_LINE, "attach %s", o->dev);
	snprintf(lines[n++], MAP_LINE, "buf b kernel %" PRIu64, o->size);
	snprintf(lines[n++], MAP_LINE, "alloc io %" PRIu64 "%s", o->size,
		 o->fallback ? " fallback" : "");
	snprintf(lines[n++], MAP_LINE, "link io b len=%" PRIu64 " each=%" PRIu64
		 " dir=%s", o->size, each, o->dir);
	snprintf(lines[n++], MAP_LINE, "sync io");
	snprintf(lines[n++], MAP_LINE, "verify io");
	snprintf(lines[n++], MAP_LINE, "unlink io len=%" PRIu64 " each=%" PRIu64
		 " dir=%s", o->size, each, o->dir);
	snprintf(lines[n++], MAP_LINE, "verify io unmapped");
	snprintf(lines[n++], MAP_LINE, "free io");
	snprintf(lines[n++], MAP_LINE, "bfree b");
	return n;
}

/* Run the lines until one fails, keeping what alloc and verify said. */
static void map_exec(char lines[][MAP_LINE], int n, struct map_outcome *out)
{
	struct scenario_result r;
	struct scenario s;
	bool verified = false;
	int i, ret = 0;

	memset(out, 0, sizeof(*out));
	scenario_init(&s, "map");
	s.quiet = true;
	for (i = 0; i < n && !ret; i++) {
		s.lineno = i + 1;
		ret = scenario_line(&s, lines[i], &r);
		if (r.path) {
			out->path = r.path;
			out->dma_addr = r.dma_addr;
		}
		/* The first verify: the pages while mapped. */
		if (r.verified && !verified)
			out->mapped = r.verify;
		verified |= r.verified;
		if (ret)
			out->failed = lines[i];
	}
	out->status = !ret ? EXIT_OK : r.unsupported ? EXIT_UNSUPPORTED : EXIT_FAIL;
	out->attached = s.fd >= 0;
	scenario_fini(&s);
}

static void map_json(const struct map_opts *o, const struct map_outcome *m)
{
	json_object *j = json_object_new_object();
	uint64_t each = o->per_link * page_size();

	/* A step failed before alloc: no path, no address to speak of. */
	json_object_object_add(j, "device", json_object_new_string(o->dev));
	json_object_object_add(j, "path", json_object_new_string(
		!m->path ? "none" : m->path == DMACTL_PATH_IOVA ? "iova" : "fallback"));
	json_object_object_add(j, "dma_addr", m->path ?
			       json_object_new_uint64(m->dma_addr) : NULL);
	json_object_object_add(j, "size", json_object_new_uint64(o->size));
	json_object_object_add(j, "links",
			       json_object_new_uint64((o->size + each - 1) / each));
	if (m->failed)
		json_object_object_add(j, "failed_step",
				       json_object_new_string(m->failed));
	json_object_object_add(j, "pages_mapped_ok",
			       json_object_new_uint64(m->mapped.out_mapped_ok));
	json_object_object_add(j, "pages_bounced",
			       json_object_new_uint64(m->mapped.out_bounced));
	json_object_object_add(j, "result", json_object_new_string(
		m->status == EXIT_OK ? "pass" : "fail"));
	json_print(j, JSON_C_TO_STRING_PRETTY);
}

static void map_print(const struct map_opts *o, const struct map_outcome *m)
{
	if (!m->path) {
		printf("device %s: failed before any IOVA space was had, at: %s\n",
		       o->dev, m->failed);
		return;
	}
	printf("device %s: %s path, %" PRIu64 " bytes at DMA address %#" PRIx64
	       ", links of %" PRIu64 " pages, dir %s\n", o->dev,
	       m->path == DMACTL_PATH_IOVA ? "IOVA (dma_iova_link)" :
	       "fallback (dma_map_phys)", o->size, m->dma_addr, o->per_link, o->dir);
	printf("verified %" PRIu64 " pages mapped, %" PRIu64 " bounced; "
	       "all unmapped after unlink: %s\n",
	       (uint64_t)m->mapped.out_mapped_ok, (uint64_t)m->mapped.out_bounced,
	       m->status == EXIT_OK ? "PASS" : "FAIL");
}

static int map_run(int argc, char **argv)
{
	char lines[MAP_STEPS][MAP_LINE];
	struct map_outcome m;
	struct map_opts o;
	int ret;

	ret = map_parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	map_exec(lines, map_script(&o, lines), &m);
	if (o.json)
		map_json(&o, &m);
	else if (m.attached)
		map_print(&o, &m);
	/* else attach failed and said why: there is nothing to summarise. */
	return m.status;
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
