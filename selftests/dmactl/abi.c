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

FIXTURE(abi) {
	int fd;
	__u32 buf;
	__u32 iova;
	__u32 bench;
	__u64 next_offset;	/* where the next valid link goes */
	unsigned long taint;
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
	bool attach;		/* the fixture attaches first */
};

static void build_get_version(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_get_version *cmd = arg;

	cmd->size = sizeof(*cmd);
}

static void build_attach(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_attach *cmd = arg;

	cmd->size = sizeof(*cmd);
	snprintf(cmd->name, sizeof(cmd->name), "%s", dmactl_test_dev());
}

static void build_buf_alloc(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_buf_alloc *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->kind = DMACTL_BUF_KERNEL;
	cmd->length = SZ_4K;
	cmd->node = DMACTL_NO_NODE;
}

static void build_buf_free(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_buf_free *cmd = arg;
	__u32 id = 0;

	_test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, SZ_4K, NULL, &id);
	cmd->size = sizeof(*cmd);
	cmd->id = id;
}

static void build_buf_fill(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_buf_fill *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->id = self->buf;
	cmd->length = SZ_4K;
	cmd->seed = 1;
}

static void build_buf_checksum(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_buf_checksum *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->id = self->buf;
	cmd->length = SZ_4K;
}

static void build_iova_alloc(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_iova_alloc *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->flags = DMACTL_IOVA_ALLOW_FALLBACK;
	cmd->length = SZ_2M;
}

static void build_iova_link(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_iova_link *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->iova_id = self->iova;
	cmd->buf_id = self->buf;
	cmd->iova_offset = self->next_offset;
	cmd->length = SZ_4K;
	cmd->dir = DMACTL_DIR_TO_DEVICE;
	self->next_offset += SZ_4K;
}

static void build_iova_sync(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_iova_sync *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->iova_id = self->iova;
	cmd->length = SZ_4K;
}

static void build_iova_unlink(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_iova_unlink *cmd = arg;

	_test_cmd_iova_link(self->fd, self->iova, self->buf, 0, self->next_offset,
			    SZ_4K, DMACTL_DIR_TO_DEVICE, 0);
	cmd->size = sizeof(*cmd);
	cmd->iova_id = self->iova;
	cmd->offset = self->next_offset;
	cmd->length = SZ_4K;
	cmd->dir = DMACTL_DIR_TO_DEVICE;
	self->next_offset += SZ_4K;
}

static __u32 fresh_iova(FIXTURE_DATA(abi) *self)
{
	struct dmactl_iova_alloc ia = { 0 };

	_test_cmd_iova_alloc(self->fd, SZ_2M, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	return ia.out_id;
}

static void build_iova_free(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_iova_free *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->iova_id = fresh_iova(self);
}

static void build_iova_destroy(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_iova_destroy *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->iova_id = fresh_iova(self);
	cmd->dir = DMACTL_DIR_TO_DEVICE;
}

static void build_iova_query(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_iova_query *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->iova_id = self->iova;
}

static void build_iova_verify(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_iova_verify *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->iova_id = self->iova;
	cmd->length = SZ_4K;
}

/* A one-I/O phys run: it ends at once. */
static void build_bench_start(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_bench_start *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->mode = DMACTL_BENCH_PHYS;
	cmd->threads = 1;
	cmd->node = DMACTL_NO_NODE;
	cmd->pages = 1;
	cmd->dir = DMACTL_DIR_BIDIRECTIONAL;
	cmd->ios = 1;
}

static void build_bench_result(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_bench_result *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->id = self->bench;
}

static void build_bench_free(FIXTURE_DATA(abi) *self, void *arg)
{
	struct dmactl_bench_free *cmd = arg;

	cmd->size = sizeof(*cmd);
	cmd->id = self->bench;
}

#define ABI_VARIANT_V1(_name, _req, _struct, _id, _reserved, _attach, _v1)   \
	FIXTURE_VARIANT_ADD(abi, _name) {                                     \
		.req = _req, .size = sizeof(struct _struct),                  \
		.min_size = _v1,                                              \
		.build = build_##_name, .id_offset = _id,                     \
		.reserved_offset = _reserved, .attach = _attach,              \
	}
#define ABI_VARIANT(_name, _req, _struct, _id, _reserved, _attach)           \
	ABI_VARIANT_V1(_name, _req, _struct, _id, _reserved, _attach,         \
		       sizeof(struct _struct))
/* The end of a struct's first version, for structs that grew since. */
#define V1_END(_struct, _field) \
	(offsetof(struct _struct, _field) + sizeof(((struct _struct *)0)->_field))

ABI_VARIANT(get_version, DMACTL_GET_VERSION, dmactl_get_version, NO_FIELD,
	    offsetof(struct dmactl_get_version, __reserved), false);
ABI_VARIANT(attach, DMACTL_ATTACH, dmactl_attach, NO_FIELD, NO_FIELD, false);
ABI_VARIANT_V1(buf_alloc, DMACTL_BUF_ALLOC, dmactl_buf_alloc, NO_FIELD,
	       offsetof(struct dmactl_buf_alloc, __reserved), true,
	       V1_END(dmactl_buf_alloc, __reserved));
ABI_VARIANT(buf_free, DMACTL_BUF_FREE, dmactl_buf_free,
	    offsetof(struct dmactl_buf_free, id),
	    offsetof(struct dmactl_buf_free, __reserved), true);
ABI_VARIANT(buf_fill, DMACTL_BUF_FILL, dmactl_buf_fill,
	    offsetof(struct dmactl_buf_fill, id),
	    offsetof(struct dmactl_buf_fill, __reserved), true);
ABI_VARIANT(buf_checksum, DMACTL_BUF_CHECKSUM, dmactl_buf_checksum,
	    offsetof(struct dmactl_buf_checksum, id), NO_FIELD, true);
ABI_VARIANT(iova_alloc, DMACTL_IOVA_ALLOC, dmactl_iova_alloc, NO_FIELD,
	    NO_FIELD, true);
ABI_VARIANT(iova_link, DMACTL_IOVA_LINK, dmactl_iova_link,
	    offsetof(struct dmactl_iova_link, iova_id), NO_FIELD, true);
ABI_VARIANT(iova_sync, DMACTL_IOVA_SYNC, dmactl_iova_sync,
	    offsetof(struct dmactl_iova_sync, iova_id),
	    offsetof(struct dmactl_iova_sync, __reserved), true);
ABI_VARIANT(iova_unlink, DMACTL_IOVA_UNLINK, dmactl_iova_unlink,
	    offsetof(struct dmactl_iova_unlink, iova_id),
	    offsetof(struct dmactl_iova_unlink, __reserved), true);
ABI_VARIANT(iova_free, DMACTL_IOVA_FREE, dmactl_iova_free,
	    offsetof(struct dmactl_iova_free, iova_id),
	    offsetof(struct dmactl_iova_free, __reserved), true);
ABI_VARIANT(iova_destroy, DMACTL_IOVA_DESTROY, dmactl_iova_destroy,
	    offsetof(struct dmactl_iova_destroy, iova_id),
	    offsetof(struct dmactl_iova_destroy, __reserved), true);
ABI_VARIANT_V1(iova_query, DMACTL_IOVA_QUERY, dmactl_iova_query,
	       offsetof(struct dmactl_iova_query, iova_id),
	       offsetof(struct dmactl_iova_query, __reserved), true,
	       V1_END(dmactl_iova_query, __reserved));
ABI_VARIANT_V1(iova_verify, DMACTL_IOVA_VERIFY, dmactl_iova_verify,
	       offsetof(struct dmactl_iova_verify, iova_id),
	       offsetof(struct dmactl_iova_verify, __reserved), true,
	       V1_END(dmactl_iova_verify, out_first_mismatch));
ABI_VARIANT(bench_start, DMACTL_BENCH_START, dmactl_bench_start, NO_FIELD,
	    NO_FIELD, true);
ABI_VARIANT(bench_result, DMACTL_BENCH_RESULT, dmactl_bench_result,
	    offsetof(struct dmactl_bench_result, id), NO_FIELD, true);
ABI_VARIANT(bench_free, DMACTL_BENCH_FREE, dmactl_bench_free,
	    offsetof(struct dmactl_bench_free, id),
	    offsetof(struct dmactl_bench_free, __reserved), true);

FIXTURE_SETUP(abi)
{
	struct dmactl_iova_alloc ia;

	dmactl_fixture_open(self);
	if (!variant->attach)
		return;
	test_cmd_attach(self->fd, dmactl_test_dev(), NULL);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, SZ_2M, NULL, &self->buf);
	test_cmd_iova_alloc(self->fd, SZ_2M, 0, DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	self->iova = ia.out_id;
	{
		struct dmactl_bench_start bs;

		memset(&bs, 0, sizeof(bs));
		build_bench_start(self, &bs);
		ASSERT_EQ(0, dmactl_ioc(self->fd, DMACTL_BENCH_START, &bs));
		self->bench = bs.out_id;
	}
}

FIXTURE_TEARDOWN(abi)
{
	dmactl_fixture_close(self);
}

/* Room for any argument plus a tail. */
union abi_arg {
	__u64 words[32];
	__u8 bytes[256];
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

	build(self, variant, &arg);
	set_size(&arg, variant->min_size);
	EXPECT_EQ(0, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, nonzero_tail_is_e2big)
{
	union abi_arg arg;

	build(self, variant, &arg);
	set_size(&arg, variant->size + 8);
	arg.bytes[variant->size + 3] = 1;
	EXPECT_EQ(-E2BIG, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, zero_tail_is_accepted)
{
	union abi_arg arg;

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
	build(self, variant, &arg);
	memcpy(&arg.bytes[variant->id_offset], &bad, sizeof(bad));
	EXPECT_EQ(-ENOENT, dmactl_ioc(self->fd, variant->req, &arg));
}

TEST_F(abi, null_argument_is_efault)
{
	EXPECT_EQ(-EFAULT, dmactl_ioc(self->fd, variant->req, NULL));
}

FIXTURE(attach) {
	int fd;
};

FIXTURE_SETUP(attach)
{
	self->fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(attach)
{
	close(self->fd);
}

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
			   SZ_4K, NULL, NULL);
	test_err_iova_alloc(EBUSY, self->fd, SZ_4K, 0, 0, &ia);
	test_err_iova_free(ENOENT, self->fd, 1);
}

TEST_F(attach, reply_describes_the_device)
{
	struct dmactl_attach a;

	test_cmd_attach(self->fd, dmactl_test_dev(), &a);
	EXPECT_LE(DMACTL_DOMAIN_NONE, a.out_domain);
	EXPECT_GE(DMACTL_DOMAIN_OTHER, a.out_domain);
	/* A power of two, at least a page. */
	EXPECT_LE(4096, a.out_granule);
	EXPECT_EQ(0, a.out_granule & (a.out_granule - 1));
	EXPECT_LE(32, a.out_dma_mask_bits);
	EXPECT_TRUE(a.out_flags & (DMACTL_ATTACH_OUT_EXCLUSIVE |
				   DMACTL_ATTACH_OUT_SHARED));
	EXPECT_EQ(a.out_domain == DMACTL_DOMAIN_DMA ||
		  a.out_domain == DMACTL_DOMAIN_DMA_FQ,
		  !!(a.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE));
}

DMACTL_TEST_MAIN
