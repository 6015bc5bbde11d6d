// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl p2p: can two PCI devices do peer-to-peer DMA, and which way does
 * the traffic go?  The verdict is the kernel's (DMACTL_P2P_QUERY); the
 * path, the ACS control bits of every port on it and the host bridge are
 * read from sysfs and config space, to explain that verdict.
 *
 * dmactl p2pmem publish: make a BAR of a device bound to dmactl p2pmem.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device.h"
#include "commands.h"
#include "pci.h"
#include "sysfs.h"
#include "util.h"

#define PATH_MAX_HOPS 16

/* PCI Express ACS: extended capability 0x000d, control register at +6. */
#define PCI_EXT_CAP_ID_ACS	0x000d
#define ACS_CTRL_OFFSET		6
#define ACS_REDIRECT_BITS	(0x04 | 0x08 | 0x20)	/* RR, CR, EC */

/**
 * struct p2p_hop - one device on the path from provider to client
 * @bdf: its PCI address
 * @role: "provider", "bridge", "common upstream bridge", "client"
 * @acs: its ACS control register, or -1 if it has no ACS capability
 */
struct p2p_hop {
	char bdf[32];
	const char *role;
	int acs;
};

/**
 * struct p2p_report - everything "dmactl p2p" says of a pair
 * @provider: the provider's PCI address
 * @client: the client's PCI address
 * @q: the kernel's answer
 * @nhops: entries in @hops
 * @hops: the path, provider first
 * @host_bridge: the path has no common upstream bridge
 * @redir: the disable_acs_redir value that would lift redirection ("" if
 *	none is set)
 * @hb: the host bridge device ("" if unknown)
 */
struct p2p_report {
	char provider[DMACTL_NAME_MAX];
	char client[DMACTL_NAME_MAX];
	struct dmactl_p2p_query q;
	int nhops;
	struct p2p_hop hops[2 * PATH_MAX_HOPS];
	bool host_bridge;
	char redir[512];
	char hb[80];
};

static const char *map_name(unsigned int map)
{
	switch (map) {
	case DMACTL_P2P_MAP_BUS_ADDR:
		return "bus-address";
	case DMACTL_P2P_MAP_THRU_HOST_BRIDGE:
		return "host-bridge";
	case DMACTL_P2P_MAP_NOT_SUPPORTED:
		return "not-supported";
	default:
		return "unknown";
	}
}

/* The ACS control register of a device, from its config space; -1 if none. */
static int acs_ctrl(const char *bdf)
{
	unsigned char cfg[4096];
	char path[256];
	unsigned int pos = 0x100, hdr, loops = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config",
		 sysfs_root(), bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, cfg, sizeof(cfg), 0);
	close(fd);
	while (n >= (ssize_t)(pos + 8) && pos >= 0x100 && loops++ < 256) {
		hdr = cfg[pos] | cfg[pos + 1] << 8 | cfg[pos + 2] << 16 |
		      (unsigned int)cfg[pos + 3] << 24;
		if (!hdr || hdr == 0xffffffff)
			break;
		if ((hdr & 0xffff) == PCI_EXT_CAP_ID_ACS)
			return cfg[pos + ACS_CTRL_OFFSET] |
			       cfg[pos + ACS_CTRL_OFFSET + 1] << 8;
		pos = hdr >> 20;
	}
	return -1;
}

/*
 * The PCI addresses from the root down to a device, from its sysfs path
 * (/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0 ...).  Returns the
 * count, and the root ("pci0000:00") in @root.
 */
static int pci_chain(const char *bdf, char chain[][32], char *root, size_t rlen)
{
	char path[PATH_MAX], real[PATH_MAX], *save = NULL, *w;
	int n = 0;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs_root(), bdf);
	if (!realpath(path, real))
		return -errno;
	root[0] = '\0';
	for (w = strtok_r(real, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
		if (!strncmp(w, "pci", 3) && strchr(w, ':')) {
			snprintf(root, rlen, "%s", w);
			n = 0;
		} else if (root[0] && n < PATH_MAX_HOPS) {
			snprintf(chain[n++], 32, "%s", w);
		}
	}
	return n;
}

static void add_hop(struct p2p_report *r, const char *bdf, const char *role)
{
	struct p2p_hop *h = &r->hops[r->nhops++];
	size_t len;

	snprintf(h->bdf, sizeof(h->bdf), "%s", bdf);
	h->role = role;
	h->acs = acs_ctrl(bdf);
	/*
	 * Redirection matters only below a common bridge (otherwise the
	 * path is through the host bridge anyway); listed in the kernel's
	 * own order, the provider's side first.
	 */
	if (!r->host_bridge && h->acs >= 0 && (h->acs & ACS_REDIRECT_BITS)) {
		len = strlen(r->redir);
		snprintf(r->redir + len, sizeof(r->redir) - len, "%s%s",
			 len ? ";" : "", bdf);
	}
}

/*
 * The path as the kernel walks it (drivers/pci/p2pdma.c): up from the
 * provider to the first bridge that is also above the client, then down
 * to the client; without one, through the host bridge.
 */
static int p2p_path(struct p2p_report *r)
{
	char a[PATH_MAX_HOPS][32], b[PATH_MAX_HOPS][32];
	char aroot[64], broot[64];
	int na, nb, common = 0, i;

	na = pci_chain(r->provider, a, aroot, sizeof(aroot));
	nb = pci_chain(r->client, b, broot, sizeof(broot));
	if (na <= 0 || nb <= 0)
		return -ENOENT;
	if (!strcmp(aroot, broot))
		while (common < na && common < nb && !strcmp(a[common], b[common]))
			common++;
	/* Only a bridge can be common; the same function is its own path. */
	r->host_bridge = common == 0;
	for (i = na - 1; i >= (common ? common - 1 : 0); i--)
		add_hop(r, a[i], i == na - 1 ? "provider" :
			i == common - 1 ? "common upstream bridge" : "bridge");
	for (i = common; i < nb; i++)
		add_hop(r, b[i], i == nb - 1 ? "client" : "bridge");
	r->hb[0] = '\0';
	if (r->host_bridge && strlen(aroot) > 3)
		snprintf(r->hb, sizeof(r->hb), "%s:00.0", aroot + 3);
	return 0;
}

static int p2p_ask(int fd, struct p2p_report *r)
{
	memset(&r->q, 0, sizeof(r->q));
	r->q.size = sizeof(r->q);
	snprintf(r->q.provider, sizeof(r->q.provider), "%s", r->provider);
	snprintf(r->q.client, sizeof(r->q.client), "%s", r->client);
	return dmactl_ioctl(fd, DMACTL_P2P_QUERY, &r->q);
}

static int p2p_report(int fd, const char *provider, const char *client,
		      struct p2p_report *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	device_name(provider, r->provider, sizeof(r->provider));
	device_name(client, r->client, sizeof(r->client));
	ret = p2p_ask(fd, r);
	if (ret)
		return ret;
	return p2p_path(r);
}

/* What the verdict says of the host bridge: yes, no, or not used. */
static const char *hb_allowed(const struct p2p_report *r)
{
	bool through = r->host_bridge || r->redir[0];

	if (!through)
		return NULL;
	if (r->q.out_distance == DMACTL_P2P_NO_PATH)
		return "no";
	return "yes";
}

static json_object *report_json(const struct p2p_report *r)
{
	json_object *o = json_object_new_object(), *path = json_object_new_array();
	const char *allowed = hb_allowed(r);
	json_object *h;
	int i;

	json_object_object_add(o, "provider", json_object_new_string(r->provider));
	json_object_object_add(o, "client", json_object_new_string(r->client));
	json_object_object_add(o, "map_type",
			       json_object_new_string(map_name(r->q.out_map_type)));
	json_object_object_add(o, "distance",
			       r->q.out_distance == DMACTL_P2P_NO_PATH ? NULL :
			       json_object_new_int(r->q.out_distance));
	json_object_object_add(o, "provider_has_p2pmem",
			       json_object_new_boolean(r->q.out_flags &
						       DMACTL_P2P_PROVIDER_HAS_MEM));
	if (r->q.out_flags & DMACTL_P2P_MIXED_SG_CHECKED) {
		h = json_object_new_object();
		json_object_object_add(h, "segments",
				       json_object_new_int(r->q.out_mixed_segments));
		json_object_object_add(h, "wrong",
				       json_object_new_int(r->q.out_mixed_wrong));
		json_object_object_add(o, "mixed_sg", h);
	} else {
		json_object_object_add(o, "mixed_sg", NULL);
	}
	for (i = 0; i < r->nhops; i++) {
		h = json_object_new_object();
		json_object_object_add(h, "bdf", json_object_new_string(r->hops[i].bdf));
		json_object_object_add(h, "role", json_object_new_string(r->hops[i].role));
		json_object_object_add(h, "acs_ctrl", r->hops[i].acs < 0 ? NULL :
				       json_object_new_int(r->hops[i].acs));
		json_object_object_add(h, "acs_redirect", json_object_new_boolean(
			r->hops[i].acs > 0 && (r->hops[i].acs & ACS_REDIRECT_BITS)));
		json_object_array_add(path, h);
	}
	json_object_object_add(o, "path", path);
	json_object_object_add(o, "crosses_host_bridge",
			       json_object_new_boolean(r->host_bridge));
	json_object_object_add(o, "host_bridge",
			       r->hb[0] ? json_object_new_string(r->hb) : NULL);
	json_object_object_add(o, "host_bridge_allowed",
			       allowed ? json_object_new_boolean(*allowed == 'y') : NULL);
	json_object_object_add(o, "disable_acs_redir",
			       r->redir[0] ? json_object_new_string(r->redir) : NULL);
	return o;
}

static void acs_text(int acs, char *buf, size_t len)
{
	static const char *const bits[] = { "SV", "TB", "RR", "CR", "UF", "EC", "DT" };
	size_t n = 0, i;

	if (acs < 0) {
		snprintf(buf, len, "no ACS");
		return;
	}
	n = snprintf(buf, len, "ACS ctrl %#06x", acs);
	for (i = 0; i < 7 && n < len; i++)
		if (acs & (1 << i))
			n += snprintf(buf + n, len - n, " %s", bits[i]);
}

static void report_print(const struct p2p_report *r)
{
	const char *allowed = hb_allowed(r);
	struct pci_info info;
	char acs[96];
	int i;

	printf("provider %s -> client %s\n", r->provider, r->client);
	printf("  kernel verdict: %s", map_name(r->q.out_map_type));
	if (r->q.out_distance == DMACTL_P2P_NO_PATH)
		printf(" (no P2P path)\n");
	else
		printf(", distance %u\n", r->q.out_distance);
	if (!(r->q.out_flags & DMACTL_P2P_PROVIDER_HAS_MEM))
		printf("  (the provider has no free p2pmem: the map type is not known)\n");
	else if (r->q.out_flags & DMACTL_P2P_MIXED_SG_CHECKED)
		printf("  RAM, p2pmem, RAM in one scatterlist: %u DMA segment(s), %s\n",
		       r->q.out_mixed_segments,
		       r->q.out_mixed_wrong ? "WRONG: not as the verdict says" :
		       "each page as the verdict says");
	printf("  path:\n");
	for (i = 0; i < r->nhops; i++) {
		acs_text(r->hops[i].acs, acs, sizeof(acs));
		printf("    %-14s %-24s %s%s\n", r->hops[i].bdf, r->hops[i].role,
		       acs, r->hops[i].acs > 0 &&
		       (r->hops[i].acs & ACS_REDIRECT_BITS) ? "  <- redirects P2P upstream" : "");
	}
	if (r->host_bridge) {
		printf("  no common upstream bridge: through the host bridge");
		if (r->hb[0] && !pci_read(r->hb, &info))
			printf(" %s [%04x:%04x]", r->hb, info.vendor, info.device);
		printf("\n");
	}
	if (allowed)
		printf("  P2P through the host bridge: %s by the kernel%s\n",
		       *allowed == 'y' ? "allowed" : "refused",
		       *allowed == 'y' ? "" : " (neither the bridge nor the CPU is on its allow-list)");
	if (r->redir[0])
		printf("  ACS redirect on the path; to lift it boot with pci=disable_acs_redir=%s\n",
		       r->redir);
}

static int p2p_one(int fd, const char *provider, const char *client, bool json)
{
	struct p2p_report r;
	json_object *o;
	int ret;

	ret = p2p_report(fd, provider, client, &r);
	if (ret) {
		fprintf(stderr, "dmactl p2p: %s -> %s: %s\n", provider, client,
			strerror(-ret));
		return ret == -ENODEV ? EXIT_UNSUPPORTED : EXIT_FAIL;
	}
	if (json) {
		o = report_json(&r);
		json_print(o, JSON_C_TO_STRING_PRETTY);
	} else {
		report_print(&r);
	}
	/* The DMA layer mapped a mixed table against its own verdict. */
	return r.q.out_mixed_wrong ? EXIT_FAIL : EXIT_OK;
}

/* Every provider (a device with p2pmem) against every other endpoint. */
static int p2p_all(int fd, bool json)
{
	json_object *arr = json_object_new_array();
	struct pci_info *devs;
	struct p2p_report r;
	int n, i, j, nprov = 0, status = EXIT_OK;

	n = pci_list(&devs);
	if (n < 0) {
		json_object_put(arr);
		return EXIT_FAIL;
	}
	if (!json) {
		printf("%-14s", "provider");
		for (j = 0; j < n; j++)
			if ((devs[j].class >> 16) != 0x06)
				printf(" %-14s", devs[j].bdf);
		printf("\n");
	}
	for (i = 0; i < n; i++) {
		if (!devs[i].has_p2pmem)
			continue;
		nprov++;
		if (!json)
			printf("%-14s", devs[i].bdf);
		for (j = 0; j < n; j++) {
			if ((devs[j].class >> 16) == 0x06)
				continue;	/* bridges are not clients */
			if (p2p_report(fd, devs[i].bdf, devs[j].bdf, &r)) {
				if (!json)
					printf(" %-14s", "?");
				continue;
			}
			if (r.q.out_mixed_wrong)
				status = EXIT_FAIL;
			if (json) {
				json_object_array_add(arr, report_json(&r));
			} else {
				char cell[32];

				if (r.q.out_distance == DMACTL_P2P_NO_PATH)
					snprintf(cell, sizeof(cell), "-");
				else
					snprintf(cell, sizeof(cell), "%s/%u%s",
						 map_name(r.q.out_map_type),
						 r.q.out_distance,
						 r.q.out_mixed_wrong ? "!" : "");
				printf(" %-14s", cell);
			}
		}
		if (!json)
			printf("\n");
	}
	if (json)
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	else if (!nprov)
		printf("(no device publishes p2pmem)\n");
	else
		printf("cells: map type/distance in PCI hops; - no P2P path; ! a\n"
		       "scatterlist of RAM and p2pmem mapped against the verdict\n");
	json_object_put(arr);
	free(devs);
	return status;
}

static int p2p_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, OPT_JSON, OPT_HELP, {}
	};
	bool json = false, all = false;
	int c, fd, ret;

	while ((c = getopt_long(argc, argv, "ajh", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if ((ret = opt_common(&cmd_p2p, c, &json)) >= 0)
			return ret;
	}
	if (all ? optind != argc : optind != argc - 2)
		return usage_error(&cmd_p2p, "expected PROVIDER CLIENT, or --all");
	ret = dmactl_open("p2p", &fd);
	if (ret)
		return ret;
	ret = all ? p2p_all(fd, json) : p2p_one(fd, argv[optind],
						  argv[optind + 1], json);
	close(fd);
	return ret;
}

const struct dmactl_cmd cmd_p2p = {
	.name = "p2p",
	.summary = "can two PCI devices do P2P DMA, and by which path",
	.help =
"NAME\n"
"    dmactl p2p - can two PCI devices do P2P DMA, and by which path\n"
"\n"
"SYNOPSIS\n"
"    dmactl p2p PROVIDER CLIENT [--json]\n"
"    dmactl p2p --all [--json]\n"
"\n"
"DESCRIPTION\n"
"    Asks the kernel how CLIENT would reach PROVIDER's p2pmem: its map\n"
"    type (bus-address: through a common switch; host-bridge: through an\n"
"    allow-listed host bridge, mapped with DMA_ATTR_MMIO; not-supported)\n"
"    and pci_p2pdma_distance().  The map type is what the DMA layer does\n"
"    with one page of the provider's p2pmem mapped for the client, so it\n"
"    is known only when the provider has free p2pmem.  With it, the\n"
"    kernel also maps a scatterlist of a RAM page, that p2pmem page and\n"
"    another RAM page (dma_map_sgtable's P2PDMA support, as a block\n"
"    request may mix them) and dmactl checks each page against the\n"
"    verdict: the P2P page alone in a segment marked as a bus address at\n"
"    its bus address, or translated like the RAM pages through the host\n"
"    bridge; EREMOTEIO when not supported (JSON: mixed_sg).\n"
"\n"
"    Then explains it: the PCI path between the two as the kernel walks\n"
"    it, the ACS control bits of each device on it (from config space;\n"
"    RR, CR and EC redirect P2P to the root), whether it crosses the host\n"
"    bridge and whether the kernel allows that, and when ACS redirection\n"
"    is set, the pci=disable_acs_redir= value that would lift it.\n"
"\n"
"    --all does it for every device that publishes p2pmem against every\n"
"    PCI device that is not a bridge, as a matrix.  Needs dmactl.ko and\n"
"    root.\n"
"\n"
"OPTIONS\n"
"    --all     every provider against every client\n"
"    --json    one JSON object per pair (an array with --all)\n"
"\n"
"EXIT STATUS\n"
"    0 success (whatever the verdict), 1 failure (also: a scatterlist of\n"
"    RAM and p2pmem came back from dma_map_sgtable() other than the\n"
"    verdict says), 2 usage error, 4 module not loaded or no such device.\n",
	.run = p2p_run,
};

static int p2pmem_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bar", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "offset", required_argument, NULL, 'o' },
		OPT_HELP,
		{}
	};
	struct dmactl_p2pmem_publish cmd = { .size = sizeof(cmd) };
	char dev[DMACTL_NAME_MAX];
	struct dmactl_attach a;
	bool have_bar = false;
	uint64_t v;
	int c, fd, ret;

	while ((c = getopt_long(argc, argv, "b:s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (parse_size(optarg, &v) || v > 5)
				return usage_error(&cmd_p2pmem, "bad BAR '%s'", optarg);
			cmd.bar = v;
			have_bar = true;
			break;
		case 's':
			if (parse_size(optarg, &v))
				return usage_error(&cmd_p2pmem, "bad size '%s'", optarg);
			cmd.length = v;
			break;
		case 'o':
			if (parse_size(optarg, &v))
				return usage_error(&cmd_p2pmem, "bad offset '%s'", optarg);
			cmd.offset = v;
			break;
		default:
			return opt_common(&cmd_p2pmem, c, NULL);
		}
	}
	if (optind != argc - 2 || strcmp(argv[optind], "publish") || !have_bar)
		return usage_error(&cmd_p2pmem, "expected: publish DEV --bar N");
	device_name(argv[optind + 1], dev, sizeof(dev));
	ret = dmactl_open_attach("p2pmem", dev, &a, &fd);
	if (ret)
		return ret;
	ret = dmactl_ioctl(fd, DMACTL_P2PMEM_PUBLISH, &cmd);
	close(fd);
	if (ret) {
		fprintf(stderr, "dmactl p2pmem: publish BAR %u of %s: %s (%s)%s\n",
			cmd.bar, dev, strerror(-ret), errno_name(-ret),
			ret == -EPERM ? "; bind it to dmactl first" : "");
		return EXIT_FAIL;
	}
	printf("%s: BAR %u published as p2pmem: %llu bytes at offset %#llx\n",
	       dev, cmd.bar, (unsigned long long)cmd.out_length,
	       (unsigned long long)cmd.offset);
	return EXIT_OK;
}

const struct dmactl_cmd cmd_p2pmem = {
	.name = "p2pmem",
	.summary = "publish a BAR of a device bound to dmactl as p2pmem",
	.help =
"NAME\n"
"    dmactl p2pmem - publish a BAR of a device bound to dmactl as p2pmem\n"
"\n"
"SYNOPSIS\n"
"    dmactl p2pmem publish DEV --bar N [--size BYTES] [--offset BYTES]\n"
"\n"
"DESCRIPTION\n"
"    Makes BAR N of DEV (or --size bytes of it from --offset, both\n"
"    page-aligned) P2P memory with ZONE_DEVICE pages and publishes it:\n"
"    /sys/bus/pci/devices/DEV/p2pmem/ appears, pci_p2pmem_find() sees it,\n"
"    and buffers can be made of it for other devices.  DEV must be bound\n"
"    to dmactl ('dmactl bind DEV'): e.g. the shared-memory BAR2 of\n"
"    ivshmem, or an FPGA's BAR.  The memory stays published until DEV is\n"
"    unbound, which first revokes every buffer of it and every link over\n"
"    them.  A BAR is published once.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure (EPERM: not bound to dmactl; EBUSY: already\n"
"    published), 2 usage error, 4 module not loaded or no such device.\n",
	.run = p2pmem_run,
};
