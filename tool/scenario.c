// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario language of "dmactl run" (and what "dmactl map" runs).
 *
 * One step per line, executed in one process so named objects live across
 * lines.  Words are split on blanks; "$NAME" is replaced by the
 * environment variable; "#" starts a comment.  Positional words come
 * first, then key=value options.  Sizes take k, M and G suffixes, and p
 * for pages of the kernel's page size, so that one scenario runs on 4,
 * 16 and 64 KiB-page kernels alike.
 *
 * The grammar is the verbs[] table at the end of this file: each verb's
 * name, its syntax as "dmactl run --help" prints it (scenario_help()),
 * and the function that parses the rest of its line and runs it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "device.h"
#include "commands.h"
#include "scenario.h"
#include "util.h"

#define MAX_WORDS 32

/**
 * struct step - one line, split, and what running it did
 * @argc: entries in @argv
 * @argv: positional words, argv[0] the verb
 * @nopts: entries in @key and @val
 * @key: option names
 * @val: their values, "" for a bare flag such as "fallback"
 * @res: what the step did, for scenario_line()'s caller
 */
struct step {
	int argc;
	char *argv[MAX_WORDS];
	int nopts;
	char *key[MAX_WORDS];
	char *val[MAX_WORDS];
	struct scenario_result res;
};

/* The bare words that are options, not positional words. */
static bool is_flag(const char *w)
{
	static const char *const flags[] = {
		"fallback", "coherent", "unmapped", "thp", "bus", "reachable",
		"unsynced", "unlinked",
	};
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(w, flags[i]))
			return true;
	return false;
}

static void split(char *line, struct step *st)
{
	char *w, *save = NULL, *eq;

	memset(st, 0, sizeof(*st));
	for (w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (w[0] == '#')
			break;
		eq = strchr(w, '=');
		if ((eq || st->argc) && st->nopts < MAX_WORDS &&
		    (eq || is_flag(w))) {
			if (eq)
				*eq = '\0';
			st->key[st->nopts] = w;
			st->val[st->nopts++] = eq ? eq + 1 : "";
		} else if (st->argc < MAX_WORDS) {
			st->argv[st->argc++] = w;
		}
	}
}

static const char *opt(struct step *st, const char *key)
{
	int i;

	for (i = 0; i < st->nopts; i++)
		if (!strcmp(st->key[i], key))
			return st->val[i];
	return NULL;
}

/* Report a step's failure, with the file and line; keep its errno. */
static int step_fail(struct scenario *s, struct step *st, int err,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int step_fail(struct scenario *s, struct step *st, int err,
		     const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: %s: ", s->file, s->lineno, st->argv[0]);
	if (err)
		fprintf(stderr, "%s (%s)", strerror(err), errno_name(err));
	if (fmt) {
		if (err)
			fputs(": ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	st->res.err = err;
	return SCENARIO_REPORTED;
}

/* Report a line that does not parse, with the file and line. */
static int parse_fail(struct scenario *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int parse_fail(struct scenario *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", s->file, s->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return SCENARIO_PARSE_ERROR;
}

static struct scenario_obj *find(struct scenario *s, const char *name, int kind)
{
	int i;

	for (i = 0; i < s->nobjs; i++)
		if (s->objs[i].kind == kind && !strcmp(s->objs[i].name, name))
			return &s->objs[i];
	return NULL;
}

/*
 * A size: bytes, with a k, M or G suffix (parse_size()), or a number of
 * pages of the kernel's page size with a p suffix: "2p" is 8 KiB with
 * 4 KiB pages, 32 KiB with 16 KiB ones.  The count before the p is a
 * plain number ("1kp" is refused).  0, or -1 if @v does not parse.
 */
static int scenario_size(const char *v, uint64_t *out)
{
	uint64_t page = page_size();
	size_t len = strlen(v);
	char count[32];
	uint64_t n;

	if (!len || v[len - 1] != 'p')
		return parse_size(v, out);
	if (len < 2 || len > sizeof(count) ||
	    !isxdigit((unsigned char)v[len - 2]))
		return -1;
	memcpy(count, v, len - 1);
	count[len - 1] = '\0';
	if (parse_size(count, &n) || n > UINT64_MAX / page)
		return -1;
	*out = n * (uint64_t)page;
	return 0;
}

/* A size option (or its default); *bad is set if it does not parse. */
static uint64_t size_opt(struct step *st, const char *key, uint64_t dflt,
			 bool *bad)
{
	const char *v = opt(st, key);
	uint64_t n;

	if (!v)
		return dflt;
	if (scenario_size(v, &n)) {
		*bad = true;
		return 0;
	}
	return n;
}

static int attrs_opt(struct step *st, __u32 *attrs)
{
	char buf[128], *w, *save = NULL;
	const char *v = opt(st, "attrs");

	*attrs = 0;
	if (!v)
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "skip_cpu_sync"))
			*attrs |= DMACTL_ATTR_SKIP_CPU_SYNC;
		else if (!strcmp(w, "weak_ordering"))
			*attrs |= DMACTL_ATTR_WEAK_ORDERING;
		else
			return -1;
	}
	return 0;
}

#define NEED(cond, ...)                                                       \
	do {                                                                  \
		if (!(cond))                                                  \
			return parse_fail(s, __VA_ARGS__);                    \
	} while (0)

static int do_attach(struct scenario *s, struct step *st)
{
	struct dmactl_attach a;
	int ret;

	NEED(st->argc == 2, "attach: expected a device");
	NEED(s->fd < 0, "attach: already attached");
	device_name(st->argv[1], s->devname, sizeof(s->devname));
	ret = dmactl_open_attach("run", s->devname, &a, &s->fd);
	if (ret) {
		st->res.unsupported = ret == EXIT_UNSUPPORTED;
		return SCENARIO_REPORTED;
	}
	s->dev = a;
	if (!s->quiet)
		printf("%s:%d: attach %s: %s%s, granule %" PRIu64 ", %s\n",
		       s->file, s->lineno, s->devname,
		       a.out_domain == DMACTL_DOMAIN_NONE ? "no IOMMU" :
		       domain_name(a.out_domain),
		       a.out_domain == DMACTL_DOMAIN_NONE ? "" : " domain",
		       (uint64_t)a.out_granule,
		       a.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE ?
		       "IOVA API usable" : "IOVA API not usable");
	return 0;
}

/*
 * May a new object take this name?  Asked before the kernel call, so that
 * a name refused never leaves an object made behind it.
 */
static bool name_free(struct scenario *s, const char *name)
{
	int i;

	if (s->nobjs == SCENARIO_MAX_OBJS ||
	    strlen(name) >= sizeof(s->objs[0].name))
		return false;
	for (i = 0; i < s->nobjs; i++)
		if (!strcmp(s->objs[i].name, name))
			return false;
	return true;
}

/* A new named object; name_free() said it may be. */
static struct scenario_obj *new_obj(struct scenario *s, const char *name,
				    int kind)
{
	struct scenario_obj *o;

	o = &s->objs[s->nobjs++];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->kind = kind;
	return o;
}

/* Map a provider's p2pmem/allocate file (shared, offset 0, as it must). */
static void *map_p2pmem(const char *provider, uint64_t len)
{
	char path[256];
	void *mem;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/p2pmem/allocate",
		 provider);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return MAP_FAILED;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return mem;
}

static int do_buf(struct scenario *s, struct step *st)
{
	struct dmactl_buf_alloc cmd = { .size = sizeof(cmd), .node = DMACTL_NO_NODE };
	struct scenario_obj *o;
	bool bad = false;
	uint64_t len;
	void *mem = NULL;
	int ret;

	NEED(st->argc == 4, "buf: expected NAME kernel|user|p2p|user-p2p SIZE");
	NEED(name_free(s, st->argv[1]), "buf: too many objects, or a name taken or too long: %s",
	     st->argv[1]);
	NEED(!scenario_size(st->argv[3], &len), "buf: bad size '%s'",
	     st->argv[3]);
	cmd.length = len;
	cmd.order = size_opt(st, "order", 0, &bad);
	if (opt(st, "node"))
		cmd.node = size_opt(st, "node", 0, &bad);
	NEED(!bad, "buf: bad option");
	if (opt(st, "reachable"))
		cmd.flags |= DMACTL_BUF_ALLOC_REACHABLE;
	if (opt(st, "provider"))
		device_name(opt(st, "provider"), cmd.provider, sizeof(cmd.provider));
	if (!strcmp(st->argv[2], "kernel")) {
		cmd.kind = DMACTL_BUF_KERNEL;
	} else if (!strcmp(st->argv[2], "p2p")) {
		cmd.kind = DMACTL_BUF_P2P;
	} else if (!strcmp(st->argv[2], "user-p2p")) {
		cmd.kind = DMACTL_BUF_USER_P2P;
		mem = map_p2pmem(cmd.provider, len);
		if (mem == MAP_FAILED)
			return step_fail(s, st, errno, "mmap of %s's p2pmem/allocate",
					 cmd.provider);
		cmd.user_addr = (uintptr_t)mem;
	} else if (!strcmp(st->argv[2], "user")) {
		cmd.kind = DMACTL_BUF_USER;
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return step_fail(s, st, errno, NULL);
		if (opt(st, "thp"))
			madvise(mem, len, MADV_HUGEPAGE);
		memset(mem, 0, len);
		cmd.user_addr = (uintptr_t)mem;
	} else {
		return parse_fail(s, "buf: kind '%s' is not kernel, user, p2p or user-p2p",
				  st->argv[2]);
	}
	ret = dmactl_ioctl(s->fd, DMACTL_BUF_ALLOC, &cmd);
	if (ret) {
		if (mem)
			munmap(mem, len);
		return step_fail(s, st, -ret, NULL);
	}
	o = new_obj(s, st->argv[1], SCENARIO_BUF);
	o->id = cmd.out_id;
	o->length = len;
	o->mem = mem;
	return 0;
}

static int do_bfree(struct scenario *s, struct step *st)
{
	struct dmactl_buf_free cmd = { .size = sizeof(cmd) };
	struct scenario_obj *o;

	NEED(st->argc == 2, "bfree: expected NAME");
	o = find(s, st->argv[1], SCENARIO_BUF);
	NEED(o, "bfree: no buffer '%s'", st->argv[1]);
	cmd.id = o->id;
	return dmactl_ioctl(s->fd, DMACTL_BUF_FREE, &cmd);
}

static int do_fill(struct scenario *s, struct step *st)
{
	struct dmactl_buf_fill cmd = { .size = sizeof(cmd) };
	struct scenario_obj *o;
	bool bad = false;

	NEED(st->argc == 2, "fill: expected NAME");
	o = find(s, st->argv[1], SCENARIO_BUF);
	NEED(o, "fill: no buffer '%s'", st->argv[1]);
	cmd.id = o->id;
	cmd.seed = size_opt(st, "seed", 1, &bad);
	cmd.offset = size_opt(st, "off", 0, &bad);
	cmd.length = size_opt(st, "len", o->length - cmd.offset, &bad);
	NEED(!bad, "fill: bad option");
	return dmactl_ioctl(s->fd, DMACTL_BUF_FILL, &cmd);
}

static int do_checksum(struct scenario *s, struct step *st)
{
	struct dmactl_buf_checksum cmd = { .size = sizeof(cmd) };
	struct scenario_obj *o;
	const char *want;
	bool bad = false;
	int ret;

	NEED(st->argc == 2, "checksum: expected NAME");
	o = find(s, st->argv[1], SCENARIO_BUF);
	NEED(o, "checksum: no buffer '%s'", st->argv[1]);
	cmd.id = o->id;
	cmd.offset = size_opt(st, "off", 0, &bad);
	cmd.length = size_opt(st, "len", o->length - cmd.offset, &bad);
	NEED(!bad, "checksum: bad option");
	ret = dmactl_ioctl(s->fd, DMACTL_BUF_CHECKSUM, &cmd);
	if (ret)
		return ret;
	if (!s->quiet)
		printf("%s:%d: checksum %s: crc32c %08x\n", s->file, s->lineno,
		       o->name, cmd.out_crc32c);
	want = opt(st, "expect");
	if (want && strtoul(want, NULL, 16) != cmd.out_crc32c)
		return step_fail(s, st, 0, "crc32c %08x, expected %s",
				 cmd.out_crc32c, want);
	return 0;
}

static const char *path_name(__u32 path)
{
	return path == DMACTL_PATH_IOVA ? "iova" :
	       path == DMACTL_PATH_FALLBACK ? "fallback" : "?";
}

static int do_alloc(struct scenario *s, struct step *st)
{
	struct dmactl_iova_alloc cmd = { .size = sizeof(cmd) };
	struct scenario_obj *o;
	const char *want;
	bool bad = false;
	uint64_t len;
	int ret;

	NEED(st->argc == 3, "alloc: expected NAME SIZE");
	NEED(name_free(s, st->argv[1]), "alloc: too many objects, or a name taken or too long: %s",
	     st->argv[1]);
	NEED(!scenario_size(st->argv[2], &len), "alloc: bad size '%s'",
	     st->argv[2]);
	cmd.length = len;
	cmd.first_offset = size_opt(st, "first", 0, &bad);
	NEED(!bad, "alloc: bad option");
	if (opt(st, "fallback"))
		cmd.flags |= DMACTL_IOVA_ALLOW_FALLBACK;
	if (opt(st, "coherent"))
		cmd.flags |= DMACTL_IOVA_REQUIRE_COHERENT;
	ret = dmactl_ioctl(s->fd, DMACTL_IOVA_ALLOC, &cmd);
	if (ret)
		return ret;
	o = new_obj(s, st->argv[1], SCENARIO_IOVA);
	o->id = cmd.out_id;
	o->length = len;
	st->res.path = cmd.out_path;
	st->res.dma_addr = cmd.out_dma_addr;
	if (!s->quiet)
		printf("%s:%d: alloc %s: %s path, %" PRIu64 " bytes at DMA address %#" PRIx64 "\n",
		       s->file, s->lineno, o->name, path_name(cmd.out_path), len,
		       (uint64_t)cmd.out_dma_addr);
	want = opt(st, "path");
	if (want && *want && strcmp(want, path_name(cmd.out_path)))
		return step_fail(s, st, 0, "took the %s path, expected %s",
				 path_name(cmd.out_path), want);
	return 0;
}

/* link and unlink share their options and the each= loop. */
static int do_link_unlink(struct scenario *s, struct step *st, bool link)
{
	const char *what = link ? "link" : "unlink";
	struct scenario_obj *io, *b = NULL;
	uint64_t len, each, ioff, boff, pos;
	bool bad = false;
	__u32 attrs;
	int dir, ret;

	NEED(st->argc == (link ? 3 : 2), "%s: expected IOVA and (link) BUF", what);
	io = find(s, st->argv[1], SCENARIO_IOVA);
	NEED(io, "no IOVA object '%s'", st->argv[1]);
	if (link) {
		b = find(s, st->argv[2], SCENARIO_BUF);
		NEED(b, "link: no buffer '%s'", st->argv[2]);
	}
	NEED(opt(st, "len") && opt(st, "dir"), "%s: len= and dir= are needed", what);
	len = size_opt(st, "len", 0, &bad);
	ioff = size_opt(st, link ? "ioff" : "off", 0, &bad);
	boff = size_opt(st, "boff", 0, &bad);
	each = size_opt(st, "each", len, &bad);
	NEED(!bad && each, "%s: bad option", what);
	dir = dir_from_name(opt(st, "dir"));
	if (dir < 0)
		dir = 0;	/* a bad direction is the kernel's to refuse */
	NEED(!attrs_opt(st, &attrs), "%s: unknown attrs", what);

	for (pos = 0; pos < len || !len; pos += each) {
		uint64_t n = len ? (len - pos < each ? len - pos : each) : 0;

		if (link) {
			struct dmactl_iova_link cmd = {
				.size = sizeof(cmd), .iova_id = io->id,
				.buf_id = b->id, .buf_offset = boff + pos,
				.iova_offset = ioff + pos, .length = n,
				.dir = dir, .attrs = attrs,
			};

			ret = dmactl_ioctl(s->fd, DMACTL_IOVA_LINK, &cmd);
		} else {
			struct dmactl_iova_unlink cmd = {
				.size = sizeof(cmd), .iova_id = io->id,
				.offset = ioff + pos, .length = n,
				.dir = dir, .attrs = attrs,
			};

			ret = dmactl_ioctl(s->fd, DMACTL_IOVA_UNLINK, &cmd);
		}
		if (ret)
			return ret;
		if (!len)
			break;
	}
	return 0;
}

static int do_sync(struct scenario *s, struct step *st)
{
	struct dmactl_iova_sync cmd = { .size = sizeof(cmd) };
	struct scenario_obj *io;
	bool bad = false;

	NEED(st->argc == 2, "sync: expected IOVA");
	io = find(s, st->argv[1], SCENARIO_IOVA);
	NEED(io, "sync: no IOVA object '%s'", st->argv[1]);
	cmd.iova_id = io->id;
	cmd.offset = size_opt(st, "off", 0, &bad);
	cmd.length = size_opt(st, "len", io->length - cmd.offset, &bad);
	NEED(!bad, "sync: bad option");
	return dmactl_ioctl(s->fd, DMACTL_IOVA_SYNC, &cmd);
}

static int do_verify(struct scenario *s, struct step *st)
{
	struct dmactl_iova_verify cmd = { .size = sizeof(cmd) };
	struct scenario_obj *io;
	bool bad = false;
	int ret;

	NEED(st->argc == 2, "verify: expected IOVA");
	io = find(s, st->argv[1], SCENARIO_IOVA);
	NEED(io, "verify: no IOVA object '%s'", st->argv[1]);
	cmd.iova_id = io->id;
	cmd.offset = size_opt(st, "off", 0, &bad);
	cmd.length = size_opt(st, "len", io->length - cmd.offset, &bad);
	NEED(!bad, "verify: bad option");
	ret = dmactl_ioctl(s->fd, DMACTL_IOVA_VERIFY, &cmd);
	if (ret)
		return ret;
	st->res.verified = true;
	st->res.verify = cmd;
	if (!s->quiet)
		printf("%s:%d: verify %s: %" PRIu64 " pages: %" PRIu64 " mapped ok, %"
		       PRIu64 " unmapped ok, %" PRIu64 " bounced, %" PRIu64
		       " by bus address, %" PRIu64 " wrong\n",
		       s->file, s->lineno, io->name, (uint64_t)cmd.out_checked,
		       (uint64_t)cmd.out_mapped_ok, (uint64_t)cmd.out_unmapped_ok,
		       (uint64_t)cmd.out_bounced, (uint64_t)cmd.out_bus_addr,
		       (uint64_t)cmd.out_mismatches);
	if (cmd.out_mismatches)
		return step_fail(s, st, 0,
				 "%" PRIu64 " pages translate wrongly, the first at IOVA offset %#" PRIx64,
				 (uint64_t)cmd.out_mismatches,
				 (uint64_t)cmd.out_first_mismatch);
	if (opt(st, "unmapped") && (cmd.out_mapped_ok || cmd.out_bounced))
		return step_fail(s, st, 0, "%" PRIu64 " pages still mapped",
				 (uint64_t)(cmd.out_mapped_ok + cmd.out_bounced));
	if (opt(st, "bus") && (!cmd.out_bus_addr || cmd.out_mapped_ok))
		return step_fail(s, st, 0,
				 "%" PRIu64 " pages by bus address, %" PRIu64
				 " mapped: expected bus addresses only",
				 (uint64_t)cmd.out_bus_addr,
				 (uint64_t)cmd.out_mapped_ok);
	return 0;
}

static int do_free(struct scenario *s, struct step *st)
{
	struct dmactl_iova_free cmd = { .size = sizeof(cmd) };
	struct scenario_obj *io;

	NEED(st->argc == 2, "free: expected IOVA");
	io = find(s, st->argv[1], SCENARIO_IOVA);
	NEED(io, "free: no IOVA object '%s'", st->argv[1]);
	cmd.iova_id = io->id;
	return dmactl_ioctl(s->fd, DMACTL_IOVA_FREE, &cmd);
}

static int do_destroy(struct scenario *s, struct step *st)
{
	struct dmactl_iova_destroy cmd = { .size = sizeof(cmd) };
	struct scenario_obj *io;
	bool bad = false;
	int dir;

	NEED(st->argc == 2, "destroy: expected IOVA");
	io = find(s, st->argv[1], SCENARIO_IOVA);
	NEED(io, "destroy: no IOVA object '%s'", st->argv[1]);
	NEED(opt(st, "len") && opt(st, "dir"), "destroy: len= and dir= are needed");
	cmd.iova_id = io->id;
	cmd.mapped_len = size_opt(st, "len", 0, &bad);
	NEED(!bad, "destroy: bad option");
	dir = dir_from_name(opt(st, "dir"));
	cmd.dir = dir < 0 ? 0 : dir;
	NEED(!attrs_opt(st, &cmd.attrs), "destroy: unknown attrs");
	return dmactl_ioctl(s->fd, DMACTL_IOVA_DESTROY, &cmd);
}

/*
 * p2psg PROVIDER [map=bus|mmio|none]: the kernel maps a scatterlist of
 * RAM, a page of PROVIDER's p2pmem and RAM for the attached device
 * (P2P_QUERY); every page must come back as its verdict says, and the
 * verdict must be map= if given.
 */
static int do_p2psg(struct scenario *s, struct step *st)
{
	static const char *const maps[] = {
		[DMACTL_P2P_MAP_NOT_SUPPORTED] = "none",
		[DMACTL_P2P_MAP_BUS_ADDR] = "bus",
		[DMACTL_P2P_MAP_THRU_HOST_BRIDGE] = "mmio",
	};
	struct dmactl_p2p_query q = { .size = sizeof(q) };
	const char *want = opt(st, "map"), *got;
	int ret;

	NEED(st->argc == 2, "p2psg: expected PROVIDER");
	NEED(!want || !strcmp(want, "bus") || !strcmp(want, "mmio") ||
	     !strcmp(want, "none"), "p2psg: map= is bus, mmio or none, not '%s'", want);
	device_name(st->argv[1], q.provider, sizeof(q.provider));
	snprintf(q.client, sizeof(q.client), "%s", s->devname);
	ret = dmactl_ioctl(s->fd, DMACTL_P2P_QUERY, &q);
	if (ret)
		return ret;
	got = q.out_map_type < sizeof(maps) / sizeof(maps[0]) &&
	      maps[q.out_map_type] ? maps[q.out_map_type] : "unknown";
	if (!s->quiet)
		printf("%s:%d: p2psg %s -> %s: %s, %u DMA segment(s), %u page(s) wrong\n",
		       s->file, s->lineno, q.provider, q.client, got,
		       q.out_mixed_segments, q.out_mixed_wrong);
	if (!(q.out_flags & DMACTL_P2P_MIXED_SG_CHECKED))
		return step_fail(s, st, 0, "%s has no p2pmem to map", q.provider);
	if (q.out_mixed_wrong)
		return step_fail(s, st, 0, "%u page(s) of the scatterlist not as the verdict (%s) says",
				 q.out_mixed_wrong, got);
	if (want && strcmp(want, got))
		return step_fail(s, st, 0, "the verdict is %s, not %s", got, want);
	return 0;
}

static int do_query(struct scenario *s, struct step *st)
{
	struct dmactl_iova_query cmd = { .size = sizeof(cmd) };
	struct dmactl_link_info info[64];
	struct scenario_obj *io;
	const char *want;
	uint32_t flag, i;
	int ret;

	NEED(st->argc == 2, "query: expected IOVA");
	io = find(s, st->argv[1], SCENARIO_IOVA);
	NEED(io, "query: no IOVA object '%s'", st->argv[1]);
	cmd.iova_id = io->id;
	cmd.links_uptr = (uintptr_t)info;
	cmd.nr_links = 64;
	ret = dmactl_ioctl(s->fd, DMACTL_IOVA_QUERY, &cmd);
	if (ret)
		return ret;
	want = opt(st, "p2p");
	if (want) {
		flag = !strcmp(want, "bus") ? DMACTL_LINK_BUS_ADDR :
		       !strcmp(want, "mmio") ? DMACTL_LINK_MMIO : 0;
		NEED(flag, "query: p2p= is mmio or bus, not '%s'", want);
		for (i = 0; i < cmd.out_nr_links && i < 64; i++) {
			if (!s->quiet)
				printf("%s:%d: query %s: link %u at %#" PRIx64
				       ": device address %#" PRIx64 "%s%s\n",
				       s->file, s->lineno, io->name, i,
				       (uint64_t)info[i].iova_offset,
				       (uint64_t)info[i].dma_addr,
				       info[i].flags & DMACTL_LINK_MMIO ?
				       ", MMIO (through the host bridge)" : "",
				       info[i].flags & DMACTL_LINK_BUS_ADDR ?
				       ", PCI bus address (no IOVA)" : "");
			if (!(info[i].flags & flag))
				return step_fail(s, st, 0,
						 "link %u is not P2P by %s", i, want);
		}
	}
	if (!s->quiet)
		printf("%s:%d: query %s: %s path, %u links, %" PRIu64 " bytes linked, %"
		       PRIu64 " synced%s\n", s->file, s->lineno, io->name,
		       path_name(cmd.out_path), cmd.out_nr_links,
		       (uint64_t)cmd.out_linked_bytes, (uint64_t)cmd.out_synced_bytes,
		       cmd.out_flags & DMACTL_LINK_SWIOTLB ? ", swiotlb bounced" : "");
	want = opt(st, "links");
	if (want && strtoul(want, NULL, 0) != cmd.out_nr_links)
		return step_fail(s, st, 0, "%u links, expected %s",
				 cmd.out_nr_links, want);
	want = opt(st, "path");
	if (want && *want && strcmp(want, path_name(cmd.out_path)))
		return step_fail(s, st, 0, "%s path, expected %s",
				 path_name(cmd.out_path), want);
	return 0;
}

static int do_copy(struct scenario *s, struct step *st)
{
	struct dmactl_copy cmd = { .size = sizeof(cmd) };
	struct scenario_obj *src, *dst;
	bool bad = false;
	int ret;

	NEED(st->argc == 3 && opt(st, "len"), "copy: expected SRC DST len=L");
	src = find(s, st->argv[1], SCENARIO_IOVA);
	dst = find(s, st->argv[2], SCENARIO_IOVA);
	NEED(src && dst, "copy: SRC and DST must be IOVA objects (%s)", st->argv[1]);
	cmd.src_iova_id = src->id;
	cmd.dst_iova_id = dst->id;
	cmd.length = size_opt(st, "len", 0, &bad);
	cmd.src_offset = size_opt(st, "soff", 0, &bad);
	cmd.dst_offset = size_opt(st, "doff", 0, &bad);
	NEED(!bad, "copy: bad option");
	if (opt(st, "unsynced"))
		cmd.flags |= DMACTL_COPY_ALLOW_UNSYNCED;
	if (opt(st, "unlinked"))
		cmd.flags |= DMACTL_COPY_DST_UNLINKED;
	ret = dmactl_ioctl(s->fd, DMACTL_COPY, &cmd);
	if (ret)
		return ret;
	if (!s->quiet)
		printf("%s:%d: copy %s -> %s: %" PRIu64 " bytes by %s in %" PRIu64
		       " transfers, %" PRIu64 " ms (emulated), %" PRIu64
		       " bytes differ, %" PRIu64 " guard bytes touched\n",
		       s->file, s->lineno, src->name, dst->name,
		       (uint64_t)cmd.length,
		       cmd.out_engine == DMACTL_ENGINE_EDU ? "edu" : "dmaengine",
		       (uint64_t)cmd.out_transfers, (uint64_t)cmd.out_ns / 1000000,
		       (uint64_t)cmd.out_mismatches, (uint64_t)cmd.out_guard_damage);
	if (cmd.out_mismatches || cmd.out_guard_damage)
		return step_fail(s, st, 0, "%" PRIu64 " bytes differ (first at %#"
				 PRIx64 "), %" PRIu64 " guard bytes touched",
				 (uint64_t)cmd.out_mismatches,
				 (uint64_t)cmd.out_first_mismatch,
				 (uint64_t)cmd.out_guard_damage);
	return 0;
}

static int do_shell(struct scenario *s, struct step *st)
{
	char cmd[1024] = "";
	size_t len = 0;
	int i, rc;

	NEED(st->argc > 1, "shell: expected a command");
	for (i = 1; i < st->argc && len < sizeof(cmd); i++)
		len += snprintf(cmd + len, sizeof(cmd) - len, "%s%s",
				i > 1 ? " " : "", st->argv[i]);
	fflush(stdout);
	rc = system(cmd);
	if (rc)
		return step_fail(s, st, 0, "'%s' exited with %d", cmd, rc);
	return 0;
}

static int do_link(struct scenario *s, struct step *st)
{
	return do_link_unlink(s, st, true);
}

static int do_unlink(struct scenario *s, struct step *st)
{
	return do_link_unlink(s, st, false);
}

static int do_echo(struct scenario *s, struct step *st)
{
	int i;

	for (i = 1; i < st->argc; i++)
		printf("%s%s", st->argv[i], i + 1 < st->argc ? " " : "\n");
	return 0;
}

static int run_step(struct scenario *s, struct step *st, bool expected);

static int do_expect(struct scenario *s, struct step *st)
{
	int want, ret;

	NEED(st->argc >= 3, "expect: expected ERRNO STEP...");
	want = errno_from_name(st->argv[1]);
	NEED(want >= 0, "expect: unknown errno '%s'", st->argv[1]);
	memmove(st->argv, st->argv + 2, (st->argc - 2) * sizeof(st->argv[0]));
	st->argc -= 2;
	ret = run_step(s, st, true);
	if (ret == SCENARIO_PARSE_ERROR || ret == SCENARIO_REPORTED)
		return ret;
	if (ret == -want)
		return 0;
	return step_fail(s, st, 0, "%s, expected %s",
			 ret ? errno_name(-ret) : "success", errno_name(want));
}

/**
 * struct verb - one verb of the language
 * @name: its first word
 * @syntax: its line(s) in "dmactl run --help", continuations indented
 * @fn: parses the step's words and runs it: 0, a negative errno,
 *	SCENARIO_PARSE_ERROR or SCENARIO_REPORTED
 * @flags: VERB_ATTACHED, needs a device attached first; VERB_CONTROL,
 *	about other lines (echo, expect): never the STEP of an expect
 */
struct verb {
	const char *name;
	const char *syntax;
	int (*fn)(struct scenario *s, struct step *st);
	unsigned int flags;
};

#define VERB_ATTACHED	0x1
#define VERB_CONTROL	0x2

static const struct verb verbs[] = {
	{ "attach", "attach DEV",
	  do_attach, 0 },
	{ "buf", "buf NAME kernel|user|p2p|user-p2p SIZE [order=N] [node=N] [thp]\n"
		 "    [reachable] [provider=BDF]",
	  do_buf, VERB_ATTACHED },
	{ "bfree", "bfree NAME",
	  do_bfree, VERB_ATTACHED },
	{ "fill", "fill NAME [seed=N] [off=O] [len=L]",
	  do_fill, VERB_ATTACHED },
	{ "checksum", "checksum NAME [off=O] [len=L] [expect=CRC32C]",
	  do_checksum, VERB_ATTACHED },
	{ "alloc", "alloc NAME SIZE [first=O] [fallback] [coherent] [path=iova|fallback]",
	  do_alloc, VERB_ATTACHED },
	{ "link", "link IOVA BUF len=L dir=to|from|bidi [boff=O] [ioff=O] [each=E]\n"
		  "    [attrs=A,..]",
	  do_link, VERB_ATTACHED },
	{ "sync", "sync IOVA [off=O] [len=L]",
	  do_sync, VERB_ATTACHED },
	{ "verify", "verify IOVA [off=O] [len=L] [unmapped] [bus]",
	  do_verify, VERB_ATTACHED },
	{ "unlink", "unlink IOVA len=L dir=D [off=O] [each=E] [attrs=A,..]",
	  do_unlink, VERB_ATTACHED },
	{ "free", "free IOVA",
	  do_free, VERB_ATTACHED },
	{ "destroy", "destroy IOVA len=L dir=D [attrs=A,..]",
	  do_destroy, VERB_ATTACHED },
	{ "query", "query IOVA [links=N] [path=iova|fallback] [p2p=mmio|bus]",
	  do_query, VERB_ATTACHED },
	{ "copy", "copy SRC DST len=L [soff=O] [doff=O] [unsynced] [unlinked]",
	  do_copy, VERB_ATTACHED },
	{ "p2psg", "p2psg PROVIDER [map=bus|mmio|none]   RAM, p2pmem, RAM in one\n"
		   "    scatterlist for the attached device, as the verdict says",
	  do_p2psg, VERB_ATTACHED },
	{ "shell", "shell COMMAND...       a shell command that must succeed (e.g. an unbind)",
	  do_shell, 0 },
	{ "expect", "expect ERRNO STEP...   the step must fail with ERRNO (e.g. EEXIST)",
	  do_expect, VERB_CONTROL },
	{ "echo", "echo TEXT...",
	  do_echo, VERB_CONTROL },
};

#define NR_VERBS (sizeof(verbs) / sizeof(verbs[0]))

const char scenario_help_rules[] =
"    '#' starts a comment; $NAME is replaced by the environment variable.\n"
"    Positional words come first, then key=value options.  Sizes take k,\n"
"    M and G suffixes, and p for pages of the kernel's page size: 2p is\n"
"    8k with 4 KiB pages, 32k with 16 KiB pages, 128k with 64 KiB pages,\n"
"    so that one scenario runs on every page size.\n";

const char scenario_help_notes[] =
"    Every step but attach, shell, expect and echo needs a device attached\n"
"    first.  each=E splits a link or unlink into consecutive pieces of E\n"
"    bytes (one link per page with each=1p); attrs are skip_cpu_sync and\n"
"    weak_ordering.  verify fails on any page that translates wrongly;\n"
"    with 'unmapped' also on any page still mapped; with 'bus' unless\n"
"    the pages are reached by PCI bus address alone.  p2p buffers come\n"
"    from PROVIDER's p2pmem pool, user-p2p ones from this process's\n"
"    mapping of its p2pmem/allocate file; 'reachable' takes pages the\n"
"    device's DMA mask reaches.  copy has the attached device's DMA\n"
"    engine copy between two IOVA objects and fails on any byte that\n"
"    differs or any guard byte touched.\n";

void scenario_help(FILE *out)
{
	const char *line, *end;
	size_t i;

	for (i = 0; i < NR_VERBS; i++)
		for (line = verbs[i].syntax; *line; line = *end ? end + 1 : end) {
			end = strchrnul(line, '\n');
			fprintf(out, "    %.*s\n", (int)(end - line), line);
		}
}

/*
 * Run a split step (@expected: as the STEP of an expect): 0, a negative
 * errno, SCENARIO_PARSE_ERROR or SCENARIO_REPORTED.
 */
static int run_step(struct scenario *s, struct step *st, bool expected)
{
	size_t i;

	for (i = 0; i < NR_VERBS; i++) {
		if (strcmp(st->argv[0], verbs[i].name) ||
		    (expected && (verbs[i].flags & VERB_CONTROL)))
			continue;
		if ((verbs[i].flags & VERB_ATTACHED) && s->fd < 0)
			return parse_fail(s, "%s: no device attached yet", st->argv[0]);
		return verbs[i].fn(s, st);
	}
	return parse_fail(s, "unknown step '%s'", st->argv[0]);
}

/* Replace $NAME by the environment's value. */
static void expand(const char *in, char *out, size_t len)
{
	size_t o = 0, n;
	char name[64];
	const char *v;

	while (*in && o + 1 < len) {
		if (*in != '$') {
			out[o++] = *in++;
			continue;
		}
		in++;
		for (n = 0; (isalnum((unsigned char)*in) || *in == '_') &&
			    n + 1 < sizeof(name); n++)
			name[n] = *in++;
		name[n] = '\0';
		v = getenv(name);
		while (v && *v && o + 1 < len)
			out[o++] = *v++;
	}
	out[o] = '\0';
}

int scenario_line(struct scenario *s, const char *text,
		  struct scenario_result *res)
{
	char line[1024];
	struct step st;
	int ret = 0;

	expand(text, line, sizeof(line));
	split(line, &st);
	if (st.argc)
		ret = run_step(s, &st, false);
	if (ret && ret != SCENARIO_PARSE_ERROR && ret != SCENARIO_REPORTED)
		ret = step_fail(s, &st, -ret, NULL);
	if (res)
		*res = st.res;
	return ret;
}

void scenario_init(struct scenario *s, const char *file)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->file = file;
}

void scenario_fini(struct scenario *s)
{
	int i;

	if (s->fd >= 0)
		close(s->fd);
	for (i = 0; i < s->nobjs; i++)
		if (s->objs[i].mem)
			munmap(s->objs[i].mem, s->objs[i].length);
}
