/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every ioctl of uapi/linux/dmactl.h, in three flavours (iommufd's):
 *
 *   _test_cmd_x(fd, ...)          returns 0 or -errno
 *   test_cmd_x(fd, ...)           ASSERTs success (inside a test)
 *   test_err_x(E, fd, ...)        ASSERTs failure with errno E
 *
 * and, for callers that bend a request before making it (the ABI test,
 * the fuzzer), the argument itself: dmactl_arg_x(...) returns the struct,
 * @size set, with the fields the helpers take.  The helpers copy a reply
 * out only on success, as the kernel writes one back only then.
 */
#ifndef DMACTL_LIB_IOCTL_H
#define DMACTL_LIB_IOCTL_H

#include <sys/ioctl.h>

#include <linux/dmactl.h>

#include "device.h"

/* One ioctl: 0 or -errno. */
static inline int dmactl_ioc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* One ioctl whose whole struct is the reply: @len bytes of it to @out. */
static inline int dmactl_ioc_reply(int fd, unsigned long req, void *cmd,
				   void *out, size_t len)
{
	int ret = dmactl_ioc(fd, req, cmd);

	if (!ret && out)
		memcpy(out, cmd, len);
	return ret;
}

#define test_err(_errno, _expr) ASSERT_EQ(-(_errno), (_expr))

/* ---- GET_VERSION ---- */

static inline int _test_cmd_get_version(int fd, __u32 *version)
{
	struct dmactl_get_version cmd = { .size = sizeof(cmd) };
	int ret = dmactl_ioc(fd, DMACTL_GET_VERSION, &cmd);

	if (!ret && version)
		*version = cmd.out_abi_version;
	return ret;
}
#define test_cmd_get_version(...) ASSERT_EQ(0, _test_cmd_get_version(__VA_ARGS__))
#define test_err_get_version(_errno, ...) \
	test_err(_errno, _test_cmd_get_version(__VA_ARGS__))

/* ---- ATTACH ---- */

static inline struct dmactl_attach dmactl_arg_attach(const char *name)
{
	struct dmactl_attach cmd = { .size = sizeof(cmd) };

	snprintf(cmd.name, sizeof(cmd.name), "%s", name);
	return cmd;
}

static inline int _test_cmd_attach(int fd, const char *name,
				   struct dmactl_attach *out)
{
	struct dmactl_attach cmd = dmactl_arg_attach(name);

	return dmactl_ioc_reply(fd, DMACTL_ATTACH, &cmd, out, sizeof(cmd));
}
#define test_cmd_attach(...) ASSERT_EQ(0, _test_cmd_attach(__VA_ARGS__))
#define test_err_attach(_errno, ...) test_err(_errno, _test_cmd_attach(__VA_ARGS__))

/* ---- BUF_ALLOC ---- */

static inline struct dmactl_buf_alloc
dmactl_arg_buf_alloc(__u32 kind, __u32 order, __u64 length, void *uaddr,
		     __u32 flags)
{
	return (struct dmactl_buf_alloc){
		.size = sizeof(struct dmactl_buf_alloc),
		.flags = flags,
		.kind = kind,
		.order = order,
		.length = length,
		.user_addr = (__u64)(unsigned long)uaddr,
		.node = DMACTL_NO_NODE,
	};
}

static inline int _test_cmd_buf_alloc_flags(int fd, __u32 kind, __u32 order,
					    __u64 length, void *uaddr,
					    __u32 flags, __u32 *id)
{
	struct dmactl_buf_alloc cmd = dmactl_arg_buf_alloc(kind, order, length,
							   uaddr, flags);
	int ret = dmactl_ioc(fd, DMACTL_BUF_ALLOC, &cmd);

	if (!ret && id)
		*id = cmd.out_id;
	return ret;
}
#define test_cmd_buf_alloc_flags(...) \
	ASSERT_EQ(0, _test_cmd_buf_alloc_flags(__VA_ARGS__))
#define test_err_buf_alloc_flags(_errno, ...) \
	test_err(_errno, _test_cmd_buf_alloc_flags(__VA_ARGS__))

static inline int _test_cmd_buf_alloc(int fd, __u32 kind, __u32 order,
				      __u64 length, void *uaddr, __u32 *id)
{
	return _test_cmd_buf_alloc_flags(fd, kind, order, length, uaddr, 0, id);
}
#define test_cmd_buf_alloc(...) ASSERT_EQ(0, _test_cmd_buf_alloc(__VA_ARGS__))
#define test_err_buf_alloc(_errno, ...) \
	test_err(_errno, _test_cmd_buf_alloc(__VA_ARGS__))

/* ---- BUF_FREE ---- */

static inline struct dmactl_buf_free dmactl_arg_buf_free(__u32 id)
{
	return (struct dmactl_buf_free){
		.size = sizeof(struct dmactl_buf_free), .id = id,
	};
}

static inline int _test_cmd_buf_free(int fd, __u32 id)
{
	struct dmactl_buf_free cmd = dmactl_arg_buf_free(id);

	return dmactl_ioc(fd, DMACTL_BUF_FREE, &cmd);
}
#define test_cmd_buf_free(...) ASSERT_EQ(0, _test_cmd_buf_free(__VA_ARGS__))
#define test_err_buf_free(_errno, ...) test_err(_errno, _test_cmd_buf_free(__VA_ARGS__))

/* ---- BUF_FILL ---- */

static inline struct dmactl_buf_fill
dmactl_arg_buf_fill(__u32 id, __u64 offset, __u64 length, __u64 seed)
{
	return (struct dmactl_buf_fill){
		.size = sizeof(struct dmactl_buf_fill), .id = id,
		.offset = offset, .length = length, .seed = seed,
	};
}

static inline int _test_cmd_buf_fill(int fd, __u32 id, __u64 offset,
				     __u64 length, __u64 seed)
{
	struct dmactl_buf_fill cmd = dmactl_arg_buf_fill(id, offset, length, seed);

	return dmactl_ioc(fd, DMACTL_BUF_FILL, &cmd);
}
#define test_cmd_buf_fill(...) ASSERT_EQ(0, _test_cmd_buf_fill(__VA_ARGS__))
#define test_err_buf_fill(_errno, ...) test_err(_errno, _test_cmd_buf_fill(__VA_ARGS__))

/* ---- BUF_CHECKSUM ---- */

static inline struct dmactl_buf_checksum
dmactl_arg_buf_checksum(__u32 id, __u64 offset, __u64 length)
{
	return (struct dmactl_buf_checksum){
		.size = sizeof(struct dmactl_buf_checksum), .id = id,
		.offset = offset, .length = length,
	};
}

static inline int _test_cmd_buf_checksum(int fd, __u32 id, __u64 offset,
					 __u64 length, __u32 *crc)
{
	struct dmactl_buf_checksum cmd = dmactl_arg_buf_checksum(id, offset, length);
	int ret = dmactl_ioc(fd, DMACTL_BUF_CHECKSUM, &cmd);

	if (!ret && crc)
		*crc = cmd.out_crc32c;
	return ret;
}
#define test_cmd_buf_checksum(...) ASSERT_EQ(0, _test_cmd_buf_checksum(__VA_ARGS__))
#define test_err_buf_checksum(_errno, ...) \
	test_err(_errno, _test_cmd_buf_checksum(__VA_ARGS__))

/* crc32c of a buffer range, as BUF_CHECKSUM gives it; 0 on failure. */
static inline __u32 dmactl_buf_crc(int fd, __u32 id, __u64 off, __u64 len)
{
	__u32 sum = 0;

	return _test_cmd_buf_checksum(fd, id, off, len, &sum) ? 0 : sum;
}

/* ---- IOVA_ALLOC ---- */

static inline struct dmactl_iova_alloc
dmactl_arg_iova_alloc(__u64 length, __u64 first_offset, __u32 flags)
{
	return (struct dmactl_iova_alloc){
		.size = sizeof(struct dmactl_iova_alloc), .flags = flags,
		.length = length, .first_offset = first_offset,
	};
}

static inline int _test_cmd_iova_alloc(int fd, __u64 length, __u64 first_offset,
				       __u32 flags, struct dmactl_iova_alloc *out)
{
	struct dmactl_iova_alloc cmd = dmactl_arg_iova_alloc(length, first_offset,
							     flags);

	return dmactl_ioc_reply(fd, DMACTL_IOVA_ALLOC, &cmd, out, sizeof(cmd));
}
#define test_cmd_iova_alloc(...) ASSERT_EQ(0, _test_cmd_iova_alloc(__VA_ARGS__))
#define test_err_iova_alloc(_errno, ...) \
	test_err(_errno, _test_cmd_iova_alloc(__VA_ARGS__))

/* ---- IOVA_LINK ---- */

static inline struct dmactl_iova_link
dmactl_arg_iova_link(__u32 iova, __u32 buf, __u64 buf_offset, __u64 iova_offset,
		     __u64 length, __u32 dir, __u32 attrs)
{
	return (struct dmactl_iova_link){
		.size = sizeof(struct dmactl_iova_link), .iova_id = iova,
		.buf_id = buf, .buf_offset = buf_offset,
		.iova_offset = iova_offset, .length = length, .dir = dir,
		.attrs = attrs,
	};
}

static inline int _test_cmd_iova_link(int fd, __u32 iova, __u32 buf,
				      __u64 buf_offset, __u64 iova_offset,
				      __u64 length, __u32 dir, __u32 attrs)
{
	struct dmactl_iova_link cmd = dmactl_arg_iova_link(iova, buf, buf_offset,
							   iova_offset, length,
							   dir, attrs);

	return dmactl_ioc(fd, DMACTL_IOVA_LINK, &cmd);
}
#define test_cmd_iova_link(...) ASSERT_EQ(0, _test_cmd_iova_link(__VA_ARGS__))
#define test_err_iova_link(_errno, ...) \
	test_err(_errno, _test_cmd_iova_link(__VA_ARGS__))

/* ---- IOVA_SYNC ---- */

static inline struct dmactl_iova_sync
dmactl_arg_iova_sync(__u32 iova, __u64 offset, __u64 length)
{
	return (struct dmactl_iova_sync){
		.size = sizeof(struct dmactl_iova_sync), .iova_id = iova,
		.offset = offset, .length = length,
	};
}

static inline int _test_cmd_iova_sync(int fd, __u32 iova, __u64 offset,
				      __u64 length)
{
	struct dmactl_iova_sync cmd = dmactl_arg_iova_sync(iova, offset, length);

	return dmactl_ioc(fd, DMACTL_IOVA_SYNC, &cmd);
}
#define test_cmd_iova_sync(...) ASSERT_EQ(0, _test_cmd_iova_sync(__VA_ARGS__))
#define test_err_iova_sync(_errno, ...) \
	test_err(_errno, _test_cmd_iova_sync(__VA_ARGS__))

/* ---- IOVA_UNLINK ---- */

static inline struct dmactl_iova_unlink
dmactl_arg_iova_unlink(__u32 iova, __u64 offset, __u64 length, __u32 dir,
		       __u32 attrs)
{
	return (struct dmactl_iova_unlink){
		.size = sizeof(struct dmactl_iova_unlink), .iova_id = iova,
		.offset = offset, .length = length, .dir = dir, .attrs = attrs,
	};
}

static inline int _test_cmd_iova_unlink(int fd, __u32 iova, __u64 offset,
					__u64 length, __u32 dir, __u32 attrs)
{
	struct dmactl_iova_unlink cmd = dmactl_arg_iova_unlink(iova, offset, length,
							       dir, attrs);

	return dmactl_ioc(fd, DMACTL_IOVA_UNLINK, &cmd);
}
#define test_cmd_iova_unlink(...) ASSERT_EQ(0, _test_cmd_iova_unlink(__VA_ARGS__))
#define test_err_iova_unlink(_errno, ...) \
	test_err(_errno, _test_cmd_iova_unlink(__VA_ARGS__))

/* ---- IOVA_FREE ---- */

static inline struct dmactl_iova_free dmactl_arg_iova_free(__u32 iova)
{
	return (struct dmactl_iova_free){
		.size = sizeof(struct dmactl_iova_free), .iova_id = iova,
	};
}

static inline int _test_cmd_iova_free(int fd, __u32 iova)
{
	struct dmactl_iova_free cmd = dmactl_arg_iova_free(iova);

	return dmactl_ioc(fd, DMACTL_IOVA_FREE, &cmd);
}
#define test_cmd_iova_free(...) ASSERT_EQ(0, _test_cmd_iova_free(__VA_ARGS__))
#define test_err_iova_free(_errno, ...) \
	test_err(_errno, _test_cmd_iova_free(__VA_ARGS__))

/* ---- IOVA_DESTROY ---- */

static inline struct dmactl_iova_destroy
dmactl_arg_iova_destroy(__u32 iova, __u64 mapped_len, __u32 dir, __u32 attrs)
{
	return (struct dmactl_iova_destroy){
		.size = sizeof(struct dmactl_iova_destroy), .iova_id = iova,
		.mapped_len = mapped_len, .dir = dir, .attrs = attrs,
	};
}

static inline int _test_cmd_iova_destroy(int fd, __u32 iova, __u64 mapped_len,
					 __u32 dir, __u32 attrs)
{
	struct dmactl_iova_destroy cmd = dmactl_arg_iova_destroy(iova, mapped_len,
								 dir, attrs);

	return dmactl_ioc(fd, DMACTL_IOVA_DESTROY, &cmd);
}
#define test_cmd_iova_destroy(...) ASSERT_EQ(0, _test_cmd_iova_destroy(__VA_ARGS__))
#define test_err_iova_destroy(_errno, ...) \
	test_err(_errno, _test_cmd_iova_destroy(__VA_ARGS__))

/* ---- IOVA_QUERY ---- */

static inline struct dmactl_iova_query
dmactl_arg_iova_query(__u32 iova, struct dmactl_link_info *links, __u32 nr_links)
{
	return (struct dmactl_iova_query){
		.size = sizeof(struct dmactl_iova_query), .iova_id = iova,
		.links_uptr = (__u64)(unsigned long)links, .nr_links = nr_links,
	};
}

static inline int _test_cmd_iova_query(int fd, __u32 iova,
				       struct dmactl_iova_query *out,
				       struct dmactl_link_info *links,
				       __u32 nr_links)
{
	struct dmactl_iova_query cmd = dmactl_arg_iova_query(iova, links, nr_links);

	return dmactl_ioc_reply(fd, DMACTL_IOVA_QUERY, &cmd, out, sizeof(cmd));
}
#define test_cmd_iova_query(...) ASSERT_EQ(0, _test_cmd_iova_query(__VA_ARGS__))
#define test_err_iova_query(_errno, ...) \
	test_err(_errno, _test_cmd_iova_query(__VA_ARGS__))

/* ---- IOVA_VERIFY ---- */

static inline struct dmactl_iova_verify
dmactl_arg_iova_verify(__u32 iova, __u64 offset, __u64 length)
{
	return (struct dmactl_iova_verify){
		.size = sizeof(struct dmactl_iova_verify), .iova_id = iova,
		.offset = offset, .length = length,
	};
}

static inline int _test_cmd_iova_verify(int fd, __u32 iova, __u64 offset,
					__u64 length, struct dmactl_iova_verify *out)
{
	struct dmactl_iova_verify cmd = dmactl_arg_iova_verify(iova, offset, length);

	return dmactl_ioc_reply(fd, DMACTL_IOVA_VERIFY, &cmd, out, sizeof(cmd));
}
#define test_cmd_iova_verify(...) ASSERT_EQ(0, _test_cmd_iova_verify(__VA_ARGS__))
#define test_err_iova_verify(_errno, ...) \
	test_err(_errno, _test_cmd_iova_verify(__VA_ARGS__))

/* ---- P2P_QUERY ---- */

static inline struct dmactl_p2p_query
dmactl_arg_p2p_query(const char *provider, const char *client)
{
	struct dmactl_p2p_query cmd = { .size = sizeof(cmd) };

	snprintf(cmd.provider, sizeof(cmd.provider), "%s", provider);
	snprintf(cmd.client, sizeof(cmd.client), "%s", client);
	return cmd;
}

static inline int _test_cmd_p2p_query(int fd, const char *provider,
				      const char *client,
				      struct dmactl_p2p_query *out)
{
	struct dmactl_p2p_query cmd = dmactl_arg_p2p_query(provider, client);

	return dmactl_ioc_reply(fd, DMACTL_P2P_QUERY, &cmd, out, sizeof(cmd));
}
#define test_cmd_p2p_query(...) ASSERT_EQ(0, _test_cmd_p2p_query(__VA_ARGS__))
#define test_err_p2p_query(_errno, ...) \
	test_err(_errno, _test_cmd_p2p_query(__VA_ARGS__))

/* ---- P2PMEM_PUBLISH ---- */

static inline struct dmactl_p2pmem_publish
dmactl_arg_p2pmem_publish(__u32 bar, __u64 offset, __u64 length)
{
	return (struct dmactl_p2pmem_publish){
		.size = sizeof(struct dmactl_p2pmem_publish), .bar = bar,
		.offset = offset, .length = length,
	};
}

static inline int _test_cmd_p2pmem_publish(int fd, __u32 bar, __u64 offset,
					   __u64 length, __u64 *out_length)
{
	struct dmactl_p2pmem_publish cmd = dmactl_arg_p2pmem_publish(bar, offset,
								     length);
	int ret = dmactl_ioc(fd, DMACTL_P2PMEM_PUBLISH, &cmd);

	if (!ret && out_length)
		*out_length = cmd.out_length;
	return ret;
}
#define test_cmd_p2pmem_publish(...) \
	ASSERT_EQ(0, _test_cmd_p2pmem_publish(__VA_ARGS__))
#define test_err_p2pmem_publish(_errno, ...) \
	test_err(_errno, _test_cmd_p2pmem_publish(__VA_ARGS__))

/* ---- COPY ---- */

static inline struct dmactl_copy
dmactl_arg_copy(__u32 src, __u64 src_offset, __u32 dst, __u64 dst_offset,
		__u64 length, __u32 flags)
{
	return (struct dmactl_copy){
		.size = sizeof(struct dmactl_copy), .flags = flags,
		.src_iova_id = src, .dst_iova_id = dst,
		.src_offset = src_offset, .dst_offset = dst_offset,
		.length = length,
	};
}

/* @out: the whole reply (engine, transfers, mismatches ...), or NULL. */
static inline int _test_cmd_copy(int fd, __u32 src, __u64 src_offset,
				 __u32 dst, __u64 dst_offset, __u64 length,
				 __u32 flags, struct dmactl_copy *out)
{
	struct dmactl_copy cmd = dmactl_arg_copy(src, src_offset, dst, dst_offset,
						 length, flags);

	return dmactl_ioc_reply(fd, DMACTL_COPY, &cmd, out, sizeof(cmd));
}
#define test_cmd_copy(...) ASSERT_EQ(0, _test_cmd_copy(__VA_ARGS__))
#define test_err_copy(_errno, ...) test_err(_errno, _test_cmd_copy(__VA_ARGS__))

/* ---- BENCH_START, BENCH_RESULT, BENCH_FREE ---- */

/*
 * A run's parameters are many: the caller fills @p (dmactl_arg_bench_start()
 * gives a small run to start from) and gets the reply back in it.
 */
static inline struct dmactl_bench_start dmactl_arg_bench_start(__u32 mode)
{
	return (struct dmactl_bench_start){
		.size = sizeof(struct dmactl_bench_start), .mode = mode,
		.threads = 2, .node = DMACTL_NO_NODE, .pages = 4,
		.dir = DMACTL_DIR_BIDIRECTIONAL, .warmup_ios = 5, .ios = 50,
	};
}

static inline int _test_cmd_bench_start(int fd, struct dmactl_bench_start *p)
{
	return dmactl_ioc(fd, DMACTL_BENCH_START, p);
}
#define test_cmd_bench_start(...) ASSERT_EQ(0, _test_cmd_bench_start(__VA_ARGS__))
#define test_err_bench_start(_errno, ...) \
	test_err(_errno, _test_cmd_bench_start(__VA_ARGS__))

static inline struct dmactl_bench_result
dmactl_arg_bench_result(__u32 id, __u32 flags)
{
	return (struct dmactl_bench_result){
		.size = sizeof(struct dmactl_bench_result), .flags = flags,
		.id = id,
	};
}

/* @r: the reply; unlike the others, written (cleared) even on failure. */
static inline int _test_cmd_bench_result(int fd, __u32 id, __u32 flags,
					 struct dmactl_bench_result *r)
{
	*r = dmactl_arg_bench_result(id, flags);
	return dmactl_ioc(fd, DMACTL_BENCH_RESULT, r);
}
#define test_cmd_bench_result(...) ASSERT_EQ(0, _test_cmd_bench_result(__VA_ARGS__))
#define test_err_bench_result(_errno, ...) \
	test_err(_errno, _test_cmd_bench_result(__VA_ARGS__))

static inline struct dmactl_bench_free dmactl_arg_bench_free(__u32 id)
{
	return (struct dmactl_bench_free){
		.size = sizeof(struct dmactl_bench_free), .id = id,
	};
}

static inline int _test_cmd_bench_free(int fd, __u32 id)
{
	struct dmactl_bench_free cmd = dmactl_arg_bench_free(id);

	return dmactl_ioc(fd, DMACTL_BENCH_FREE, &cmd);
}
#define test_cmd_bench_free(...) ASSERT_EQ(0, _test_cmd_bench_free(__VA_ARGS__))
#define test_err_bench_free(_errno, ...) \
	test_err(_errno, _test_cmd_bench_free(__VA_ARGS__))

#endif /* DMACTL_LIB_IOCTL_H */
