// SPDX-License-Identifier: GPL-2.0
/*
 * "dmactl list" against the truth: for every NVMe controller, the tool's
 * JSON must report the IOMMU domain type that sysfs shows, and that type
 * must be the one the machine promises ($DMACTL_EXPECT_DOMAIN, set by the
 * test bed's profiles; on other machines give it by hand, or the
 * comparison with the promise is skipped).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "lib/device.h"

#define NVME_CLASS "010802"

/* Read "dmactl list --json" into a json-c array, or NULL. */
static json_object *dmactl_list_json(void)
{
	const char *tool = dmactl_tool();
	char cmd[PATH_MAX + 32], *buf = NULL;
	size_t len = 0, n;
	json_object *arr;
	char chunk[4096];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s list --json", tool);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		buf = realloc(buf, len + n + 1);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	if (pclose(p) != 0 || !buf) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	arr = json_tokener_parse(buf);
	free(buf);
	return arr;
}

/* The domain type of a device straight from sysfs, "none" without group. */
static void sysfs_domain(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/iommu_group/type", bdf);
	f = fopen(path, "r");
	if (!f) {
		snprintf(out, len, "none");
		return;
	}
	if (!fgets(out, len, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static const char *str_field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

TEST(nvme_domain_matches_sysfs_and_profile)
{
	const char *expect = getenv("DMACTL_EXPECT_DOMAIN");
	json_object *arr = dmactl_list_json();
	char truth[64];
	int i, nvmes = 0;

	ASSERT_NE(NULL, arr) {
		TH_LOG("'dmactl list --json' failed or printed no JSON");
	}
	ASSERT_TRUE(json_object_is_type(arr, json_type_array));
	for (i = 0; i < (int)json_object_array_length(arr); i++) {
		json_object *dev = json_object_array_get_idx(arr, i);
		const char *bdf = str_field(dev, "bdf");
		const char *class = str_field(dev, "class");
		const char *domain = str_field(dev, "domain");

		ASSERT_NE(NULL, bdf);
		ASSERT_NE(NULL, class);
		ASSERT_NE(NULL, domain);
		if (strcmp(class, NVME_CLASS))
			continue;
		nvmes++;
		sysfs_domain(bdf, truth, sizeof(truth));
		EXPECT_STREQ(truth, domain) {
			TH_LOG("%s: dmactl says %s, sysfs says %s", bdf,
			       domain, truth);
		}
		if (expect) {
			EXPECT_STREQ(expect, domain) {
				TH_LOG("%s: domain %s, machine promises %s",
				       bdf, domain, expect);
			}
		}
	}
	json_object_put(arr);
	if (!nvmes)
		SKIP(return, "no NVMe controller on this machine");
	if (!expect)
		SKIP(return, "DMACTL_EXPECT_DOMAIN not set: checked against sysfs only");
}

TEST_HARNESS_MAIN
