// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI rules, for every ioctl (one fixture variant each): a size
 * below the struct's is EINVAL; a larger size with a non-zero byte past
 * the struct is E2BIG and with zero bytes is accepted; an unknown flag and
 * a non-zero __reserved are EOPNOTSUPP; an unknown object ID is ENOENT; a
 * NULL argument is EFAULT.  Then ATTACH's own errors.
 */
#include <stddef.h>

#include "dmactl_test.h"

#define NO_FIELD ((size_t)-1)
#define BAD_ID 0x7fffbeefU

/* What a variant's file is attached to, and what it holds. */
enum abi_target {
	ABI_FILE,	/* nothing: the ioctl needs no ATTACH */
	ABI_OBJECTS,	/* the test device: a buffer, IOVA space, a run */
	ABI_PUBLISHER,	/* a driverless ivshmem bound to dmactl: BAR2 */
	ABI_ENGINE,	/* the edu bound to dmactl: two objects to copy */
};

FIXTURE(abi) {
	int fd;
	__u32 buf;
	__u32 iova;
	__u32 bench;
	__u32 src, dst;		/* ABI_ENGINE: linked, synced, a page each */
	__u64 next_offset;	/* where the next valid link goes */
	unsigned long taint;
	char bound[32];		/* the device the setup bound to dmactl */
	bool was_bound;		/* ... which it already was */
	const char *no_success;	/* why no request can succeed here */
};

/* Fill @arg with a request that succeeds on the fixture's objects. */
typedef void (*build_fn)(FIXTURE_DATA(abi) *self, void *arg);

FIXTURE_VARIANT(abi) {
	unsigned long req;
	size_t size;
	size_t min_size;	/* the struct's first version: smaller is EINVAL */
	build_fn build;
	size_t id_offset;	/* an object ID field, or NO_FIELD */
	size_t reserved_offset;	/* a __reserved field, or NO_FIELD */
	enum abi_target target;
};

#define ARG(_type, _arg) (*(struct _type *)(_arg))

static void build_get_version(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_get_version, arg).size = sizeof(struct dmactl_get_version);
}

static void build_attach(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_attach, arg) = dmactl_arg_attach(dmactl_test_dev());
}

static void build_buf_alloc(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_buf_alloc, arg) =
		dmactl_arg_buf_alloc(DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, 0);
}

static void build_buf_free(FIXTURE_DATA(abi) *self, void *arg)
{
	__u32 id = 0;

	_test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, &id);
	ARG(dmactl_buf_free, arg) = dmactl_arg_buf_free(id);
}

static void build_buf_fill(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_buf_fill, arg) =
		dmactl_arg_buf_fill(self->buf, 0, PAGE_SZ, 1);
}

static void build_buf_checksum(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_buf_checksum, arg) =
		dmactl_arg_buf_checksum(self->buf, 0, PAGE_SZ);
}

static void build_iova_alloc(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_iova_alloc, arg) =
		dmactl_arg_iova_alloc(SZ_2M, 0, DMACTL_IOVA_ALLOW_FALLBACK);
}

static void build_iova_link(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_iova_link, arg) =
		dmactl_arg_iova_link(self->iova, self->buf, 0, self->next_offset,
				     PAGE_SZ, DMACTL_DIR_TO_DEVICE, 0);
	self->next_offset += PAGE_SZ;
}

static void build_iova_sync(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_iova_sync, arg) =
		dmactl_arg_iova_sync(self->iova, 0, PAGE_SZ);
}

static void build_iova_unlink(FIXTURE_DATA(abi) *self, void *arg)
{
	_test_cmd_iova_link(self->fd, self->iova, self->buf, 0, self->next_offset,
			    PAGE_SZ, DMACTL_DIR_TO_DEVICE, 0);
	ARG(dmactl_iova_unlink, arg) =
		dmactl_arg_iova_unlink(self->iova, self->next_offset, PAGE_SZ,
				       DMACTL_DIR_TO_DEVICE, 0);
	self->next_offset += PAGE_SZ;
}

static __u32 fresh_iova(FIXTURE_DATA(abi) *self)
{
	struct dmactl_iova_alloc ia = { 0 };

	_test_cmd_iova_alloc(self->fd, SZ_2M, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	return ia.out_id;
}

static void build_iova_free(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_iova_free, arg) = dmactl_arg_iova_free(fresh_iova(self));
}

static void build_iova_destroy(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_iova_destroy, arg) =
		dmactl_arg_iova_destroy(fresh_iova(self), 0, DMACTL_DIR_TO_DEVICE, 0);
}

static void build_iova_query(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_iova_query, arg) = dmactl_arg_iova_query(self->iova, NULL, 0);
}

static void build_iova_verify(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_iova_verify, arg) =
		dmactl_arg_iova_verify(self->iova, 0, PAGE_SZ);
}

/* The test device with itself: the same function, a distance of 0. */
static void build_p2p_query(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_p2p_query, arg) =
		dmactl_arg_p2p_query(dmactl_test_dev(), dmactl_test_dev());
}

/* ivshmem's BAR2 is 16 MiB: one whole subsection of it. */
static void build_p2pmem_publish(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_p2pmem_publish, arg) = dmactl_arg_p2pmem_publish(2, SZ_2M, SZ_2M);
}

static void build_copy(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_copy, arg) =
		dmactl_arg_copy(self->src, 0, self->dst, 0, PAGE_SZ, 0);
}

/* A one-I/O phys run: it ends at once. */
static void build_bench_start(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_bench_start *cmd = arg;

	*cmd = dmactl_arg_bench_start(DMACTL_BENCH_PHYS);
	cmd->threads = 1;
	cmd->pages = 1;
	cmd->warmup_ios = 0;
	cmd->ios = 1;
}

static void build_bench_result(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_bench_result, arg) = dmactl_arg_bench_result(self->bench, 0);
}

static void build_bench_free(FIXTURE_DATA(abi) *self, void *arg)
{
	ARG(dmactl_bench_free, arg) = dmactl_arg_bench_free(self->bench);
}

#define ABI_VARIANT_V1(_name, _req, _struct, _id, _reserved, _target, _v1)   \
	FIXTURE_VARIANT_ADD(abi, _name) {                                     \
		.req = _req, .size = sizeof(struct _struct),                  \
		.min_size = _v1,                                              \
		.build = build_##_name, .id_offset = _id,                     \
		.reserved_offset = _reserved, .target = _target,              \
	}
#define ABI_VARIANT(_name, _req, _struct, _id, _reserved, _target)           \
	ABI_VARIANT_V1(_name, _req, _struct, _id, _reserved, _target,         \
		       sizeof(struct _struct))
/* The end of a struct's first version, for structs that grew since. */
#define V1_END(_struct, _field) \
	(offsetof(struct _struct, _field) + sizeof(((struct _struct *)0)->_field))

ABI_VARIANT(get_version, DMACTL_GET_VERSION, dmactl_get_version, NO_FIELD,
	    offsetof(struct dmactl_get_version, __reserved), ABI_FILE);
ABI_VARIANT(attach, DMACTL_ATTACH, dmactl_attach, NO_FIELD, NO_FIELD, ABI_FILE);
ABI_VARIANT_V1(buf_alloc, DMACTL_BUF_ALLOC, dmactl_buf_alloc, NO_FIELD,
	       offsetof(struct dmactl_buf_alloc, __reserved), ABI_OBJECTS,
	       V1_END(dmactl_buf_alloc, __reserved));
ABI_VARIANT(buf_free, DMACTL_BUF_FREE, dmactl_buf_free,
	    offsetof(struct dmactl_buf_free, id),
	    offsetof(struct dmactl_buf_free, __reserved), ABI_OBJECTS);
ABI_VARIANT(buf_fill, DMACTL_BUF_FILL, dmactl_buf_fill,
	    offsetof(struct dmactl_buf_fill, id),
	    offsetof(struct dmactl_buf_fill, __reserved), ABI_OBJECTS);
ABI_VARIANT(buf_checksum, DMACTL_BUF_CHECKSUM, dmactl_buf_checksum,
	    offsetof(struct dmactl_buf_checksum, id), NO_FIELD, ABI_OBJECTS);
ABI_VARIANT(iova_alloc, DMACTL_IOVA_ALLOC, dmactl_iova_alloc, NO_FIELD,
	    NO_FIELD, ABI_OBJECTS);
ABI_VARIANT(iova_link, DMACTL_IOVA_LINK, dmactl_iova_link,
	    offsetof(struct dmactl_iova_link, iova_id), NO_FIELD, ABI_OBJECTS);
ABI_VARIANT(iova_sync, DMACTL_IOVA_SYNC, dmactl_iova_sync,
	    offsetof(struct dmactl_iova_sync, iova_id),
	    offsetof(struct dmactl_iova_sync, __reserved), ABI_OBJECTS);
ABI_VARIANT(iova_unlink, DMACTL_IOVA_UNLINK, dmactl_iova_unlink,
	    offsetof(struct dmactl_iova_unlink, iova_id),
	    offsetof(struct dmactl_iova_unlink, __reserved), ABI_OBJECTS);
ABI_VARIANT(iova_free, DMACTL_IOVA_FREE, dmactl_iova_free,
	    offsetof(struct dmactl_iova_free, iova_id),
	    offsetof(struct dmactl_iova_free, __reserved), ABI_OBJECTS);
ABI_VARIANT(iova_destroy, DMACTL_IOVA_DESTROY, dmactl_iova_destroy,
	    offsetof(struct dmactl_iova_destroy, iova_id),
	    offsetof(struct dmactl_iova_destroy, __reserved), ABI_OBJECTS);
ABI_VARIANT_V1(iova_query, DMACTL_IOVA_QUERY, dmactl_iova_query,
	       offsetof(struct dmactl_iova_query, iova_id),
	       offsetof(struct dmactl_iova_query, __reserved), ABI_OBJECTS,
	       V1_END(dmactl_iova_query, __reserved));
ABI_VARIANT_V1(iova_verify, DMACTL_IOVA_VERIFY, dmactl_iova_verify,
	       offsetof(struct dmactl_iova_verify, iova_id),
	       offsetof(struct dmactl_iova_verify, __reserved), ABI_OBJECTS,
	       V1_END(dmactl_iova_verify, out_first_mismatch));
ABI_VARIANT_V1(p2p_query, DMACTL_P2P_QUERY, dmactl_p2p_query, NO_FIELD,
	       offsetof(struct dmactl_p2p_query, __reserved), ABI_FILE,
	       V1_END(dmactl_p2p_query, __reserved));
ABI_VARIANT(p2pmem_publish, DMACTL_P2PMEM_PUBLISH, dmactl_p2pmem_publish,
	    NO_FIELD, offsetof(struct dmactl_p2pmem_publish, __reserved),
	    ABI_PUBLISHER);
ABI_VARIANT(copy, DMACTL_COPY, dmactl_copy,
	    offsetof(struct dmactl_copy, src_iova_id), NO_FIELD, ABI_ENGINE);
ABI_VARIANT(bench_start, DMACTL_BENCH_START, dmactl_bench_start, NO_FIELD,
	    NO_FIELD, ABI_OBJECTS);
ABI_VARIANT_V1(bench_result, DMACTL_BENCH_RESULT, dmactl_bench_result,
	       offsetof(struct dmactl_bench_result, id), NO_FIELD, ABI_OBJECTS,
	       V1_END(dmactl_bench_result, out_threads));
ABI_VARIANT(bench_free, DMACTL_BENCH_FREE, dmactl_bench_free,
	    offsetof(struct dmactl_bench_free, id),
	    offsetof(struct dmactl_bench_free, __reserved), ABI_OBJECTS);

/*
 * Bind self->bound to dmactl (as it is found, it goes back) and attach:
 * 0 or -errno.
 */
static int abi_bind_and_attach(FIXTURE_DATA(abi) *self)
{
	int ret;

	self->was_bound = driver_is(self->bound, "dmactl");
	ret = dmactl_bind_exclusive(self->bound);
	if (!ret && !wait_driver(self->bound, "dmactl"))
		ret = -EIO;
	return ret ?: _test_cmd_attach(self->fd, self->bound, NULL);
}

/*
 * Two objects of a page each over memory the edu reaches (28 bits), linked
 * and synced.
 */
static int abi_engine_objects(FIXTURE_DATA(abi) *self)
{
	const __u64 pg = PAGE_SZ;
	struct dmactl_iova_alloc ia = {};
	__u32 a = 0, b = 0;
	int ret;

	ret = _test_cmd_buf_alloc_flags(self->fd, DMACTL_BUF_KERNEL, 0, pg,
					NULL, DMACTL_BUF_ALLOC_REACHABLE, &a);
	ret = ret ?: _test_cmd_buf_alloc_flags(self->fd, DMACTL_BUF_KERNEL, 0,
					       pg, NULL,
					       DMACTL_BUF_ALLOC_REACHABLE, &b);
	ret = ret ?: _test_cmd_iova_alloc(self->fd, pg, 0,
					  DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	self->src = ia.out_id;
	ret = ret ?: _test_cmd_iova_alloc(self->fd, pg, 0,
					  DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	self->dst = ia.out_id;
	ret = ret ?: _test_cmd_iova_link(self->fd, self->src, a, 0, 0, pg,
					 DMACTL_DIR_TO_DEVICE, 0);
	ret = ret ?: _test_cmd_iova_link(self->fd, self->dst, b, 0, 0, pg,
					 DMACTL_DIR_FROM_DEVICE, 0);
	ret = ret ?: _test_cmd_iova_sync(self->fd, self->src, 0, pg);
	return ret ?: _test_cmd_iova_sync(self->fd, self->dst, 0, pg);
}

/*
 * A failing setup skips the teardown: one that bound a device gives it
 * back itself before it fails, or the next program finds it taken.
 */
static int abi_release_bound(FIXTURE_DATA(abi) *self, int ret)
{
	if (ret) {
		close(self->fd);
		self->fd = -1;
		dmactl_unbind_exclusive(self->bound, self->was_bound);
	}
	return ret;
}

FIXTURE_SETUP(abi)
{
	struct dmactl_bench_start bs;
	struct dmactl_iova_alloc ia;
	int ret;

	dmactl_fixture_open(self);
	switch (variant->target) {
	case ABI_FILE:
		/* P2P_QUERY's provider is a PCI device. */
		if (variant->req == DMACTL_P2P_QUERY && !pci_device_exists(dmactl_test_dev()))
			self->no_success = "the test device is not a PCI device";
		break;
	case ABI_OBJECTS:
		test_cmd_attach(self->fd, dmactl_test_dev(), NULL);
		test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, SZ_2M, NULL,
				   &self->buf);
		test_cmd_iova_alloc(self->fd, SZ_2M, 0, DMACTL_IOVA_ALLOW_FALLBACK,
				    &ia);
		self->iova = ia.out_id;
		build_bench_start(self, &bs);
		test_cmd_bench_start(self->fd, &bs);
		self->bench = bs.out_id;
		break;
	case ABI_PUBLISHER:
		if (kernel_has_p2pdma() == 0) {
			self->no_success = "the kernel has no CONFIG_PCI_P2PDMA";
			break;
		}
		/* Found by its ID: bound only if the user said it may be. */
		if (pci_find_expendable("1af4", "1110", self->bound,
					sizeof(self->bound))) {
			self->no_success = "no driverless ivshmem declared expendable here";
			break;
		}
		ASSERT_EQ(0, abi_release_bound(self, abi_bind_and_attach(self)));
		break;
	case ABI_ENGINE:
		if (!dmactl_test_excl_dev()) {
			self->no_success = "no edu device (DMACTL_SELFTESTS_EXCL_DEV)";
			break;
		}
		snprintf(self->bound, sizeof(self->bound), "%s", dmactl_test_excl_dev());
		ret = abi_bind_and_attach(self);
		ASSERT_EQ(0, abi_release_bound(self, ret ?: abi_engine_objects(self)));
		break;
	}
}

FIXTURE_TEARDOWN(abi)
{
	if (self->fd >= 0)
		close(self->fd);
	/* Published p2pmem goes with the unbind: the next test publishes. */
	if (self->bound[0])
		dmactl_unbind_exclusive(self->bound, self->was_bound);
	dmactl_teardown_check(self->taint);
}

/* Room for any argument plus a tail. */
/* Room for the largest struct and the tails the tests append to it. */
union abi_arg {
	__u64 words[64];
	__u8 bytes[512];
};

static void build(FIXTURE_DATA(abi) *self,
		  const FIXTURE_VARIANT(abi) *variant, union abi_arg *arg)
{
	memset(arg, 0, sizeof(*arg));
	variant->build(self, arg);
}

static void set_size(union abi_arg *arg, __u32 size)
{
	memcpy(arg->bytes, &size, sizeof(size));
}

TEST_F(abi, valid_request_succeeds)
{
	union abi_arg arg;

	if (self->no_success)
		SKIP(return, "%s", self->no_success);
	build(self, variant, &arg);
	EXPECT_EQ(0, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, short_size_is_einval)
{
	union abi_arg arg;

	build(self, variant, &arg);
	set_size(&arg, variant->min_size - 1);
	EXPECT_EQ(-EINVAL, dmactl_ioc(self->fd, variant->req, &arg));
	set_size(&arg, 4);
	EXPECT_EQ(-EINVAL, dmactl_ioc(self->fd, variant->req, &arg));
}

/* A caller built against the struct's first version keeps working. */
TEST_F(abi, first_version_size_works)
{
	union abi_arg arg;

	if (self->no_success)
		SKIP(return, "%s", self->no_success);
	build(self, variant, &arg);
	set_size(&arg, variant->min_size);
	EXPECT_EQ(0, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, nonzero_tail_is_e2big)
{
	union abi_arg arg;

	ASSERT_GE(sizeof(arg), variant->size + 8);
	build(self, variant, &arg);
	set_size(&arg, variant->size + 8);
	arg.bytes[variant->size + 3] = 1;
	EXPECT_EQ(-E2BIG, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, zero_tail_is_accepted)
{
	union abi_arg arg;

	if (self->no_success)
		SKIP(return, "%s", self->no_success);
	ASSERT_GE(sizeof(arg), variant->size + 8);
	build(self, variant, &arg);
	set_size(&arg, variant->size + 8);
	EXPECT_EQ(0, dmactl_ioc(self->fd, variant->req, &arg));
	/* Nothing is written past the kernel's own struct. */
	EXPECT_EQ(0, *(__u64 *)&arg.bytes[variant->size]);
}

TEST_F(abi, unknown_flag_is_eopnotsupp)
{
	union abi_arg arg;

	build(self, variant, &arg);
	arg.bytes[7] |= 0x80;	/* bit 31 of flags */
	EXPECT_EQ(-EOPNOTSUPP, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, nonzero_reserved_is_eopnotsupp)
{
	union abi_arg arg;

	if (variant->reserved_offset == NO_FIELD)
		SKIP(return, "no __reserved field");
	build(self, variant, &arg);
	arg.bytes[variant->reserved_offset] = 1;
	EXPECT_EQ(-EOPNOTSUPP, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, unknown_id_is_enoent)
{
	union abi_arg arg;
	__u32 bad = BAD_ID;

	if (variant->id_offset == NO_FIELD)
		SKIP(return, "no object ID");
	if (self->no_success)
		SKIP(return, "%s", self->no_success);
	build(self, variant, &arg);
	memcpy(&arg.bytes[variant->id_offset], &bad, sizeof(bad));
	EXPECT_EQ(-ENOENT, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, null_argument_is_efault)
{
	EXPECT_EQ(-EFAULT, dmactl_ioc(self->fd, variant->req, NULL));
}

DMACTL_OPEN_FIXTURE(attach);

TEST_F(attach, no_such_device_is_enodev)
{
	test_err_attach(ENODEV, self->fd, "0000:ff:1f.7", NULL);
}

TEST_F(attach, device_neither_bound_nor_allowed_is_eperm)
{
	/* The host bridge: present on every PCI machine, never allowed. */
	test_err_attach(EPERM, self->fd, "0000:00:00.0", NULL);
}

TEST_F(attach, twice_is_ebusy)
{
	test_cmd_attach(self->fd, dmactl_test_dev(), NULL);
	test_err_attach(EBUSY, self->fd, dmactl_test_dev(), NULL);
}

TEST_F(attach, bad_names_are_einval)
{
	struct dmactl_attach cmd = { .size = sizeof(cmd) };

	EXPECT_EQ(-EINVAL, dmactl_ioc(self->fd, DMACTL_ATTACH, &cmd));
	memset(cmd.name, 'a', sizeof(cmd.name));
	EXPECT_EQ(-EINVAL, dmactl_ioc(self->fd, DMACTL_ATTACH, &cmd));
}

TEST_F(attach, objects_need_attach)
{
	struct dmactl_iova_alloc ia;

	test_err_buf_alloc(EBUSY, self->fd, DMACTL_BUF_KERNEL, 0,
			   PAGE_SZ, NULL, NULL);
	test_err_iova_alloc(EBUSY, self->fd, PAGE_SZ, 0, 0, &ia);
	test_err_iova_free(ENOENT, self->fd, 1);
}

TEST_F(attach, reply_describes_the_device)
{
	struct dmactl_attach a;

	test_cmd_attach(self->fd, dmactl_test_dev(), &a);
	EXPECT_LE(DMACTL_DOMAIN_NONE, a.out_domain);
	EXPECT_GE(DMACTL_DOMAIN_OTHER, a.out_domain);
	/* A power of two, at least a page. */
	EXPECT_LE(PAGE_SZ, a.out_granule);
	EXPECT_EQ(0, a.out_granule & (a.out_granule - 1));
	EXPECT_LE(32, a.out_dma_mask_bits);
	EXPECT_TRUE(a.out_flags & (DMACTL_ATTACH_OUT_EXCLUSIVE |
				   DMACTL_ATTACH_OUT_SHARED));
	/* The kernel's capabilities, against its symbols where it lists them. */
	if (kernel_has_iova_api() >= 0) {
		EXPECT_EQ(kernel_has_iova_api(),
			  !!(a.out_flags & DMACTL_ATTACH_OUT_IOVA_API));
		EXPECT_EQ(kernel_has_p2pdma(),
			  !!(a.out_flags & DMACTL_ATTACH_OUT_P2PDMA));
	}
	EXPECT_EQ((a.out_domain == DMACTL_DOMAIN_DMA ||
		   a.out_domain == DMACTL_DOMAIN_DMA_FQ) &&
		  (a.out_flags & DMACTL_ATTACH_OUT_IOVA_API),
		  !!(a.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE));
}

DMACTL_TEST_MAIN
