// SPDX-License-Identifier: GPL-2.0
/*
 * A model-checked fuzzer of the module's ioctls.
 *
 * Single-thread mode: a seeded generator makes sequences of well-formed
 * and malformed operations over a few buffers and IOVA objects -- every
 * object ioctl, wrong IDs, wrapping and misaligned ranges, holes, splits,
 * bad directions and attributes, short and long argument sizes -- and a
 * userspace model of the module's shadow state predicts each result: the
 * errno (in the order each ioctl's kernel-doc gives) or success, and what
 * QUERY, VERIFY and CHECKSUM then report -- also where the DMA layer
 * bounces through swiotlb: every mapping under swiotlb=force, or an
 * untrusted device's partial first and last granules of each IOVA link.
 * Any difference is a failure,
 * printed with the seed and a minimised sequence that replays it
 * (DMACTL_FUZZ_SEED, DMACTL_FUZZ_REPLAY).
 *
 * Threaded mode: threads share one file and also close dup'd descriptors,
 * fork, start and free benchmark runs, and a revoker takes the device off
 * the allow list and back.  No result is predicted; every errno must be
 * one the ioctl documents, QUERY must agree with itself, and every counter
 * is zero once everything is closed.
 *
 * DMACTL_FUZZ_OPS sets the number of operations per mode (default 20000:
 * make check's slice; make fuzz runs millions).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <time.h>
#include <sys/wait.h>

#include "dmactl_test.h"
#include "lib/errnos.h"

#define NBUF 4
#define NIOVA 4
/*
 * The granule the model knows: the page size (the setup skips a device
 * with another), known at run time only; sizes are counted in it.
 */
#define G PAGE_SZ
#define MAXBUF_G 16	/* a buffer's granules, at most */
#define MAXIOVA_G 32	/* an IOVA object's granules, at most */
#define MAXBUF (MAXBUF_G * G)
#define MAXIOVA (MAXIOVA_G * G)
#define MAXREC 64

/* ---- a small, seeded random source (splitmix64) ---- */

static __thread __u64 rnd_state;

static __u64 rnd(void)
{
	__u64 z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 below(__u64 n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* ---- operations, by slot, so a sequence replays on any file ---- */

enum op_kind {
	OP_BUF_ALLOC, OP_BUF_FREE, OP_FILL, OP_CHECKSUM, OP_IOVA_ALLOC,
	OP_LINK, OP_SYNC, OP_UNLINK, OP_FREE, OP_DESTROY, OP_QUERY,
	OP_VERIFY, OP_VERSION, NR_OPS,
};

static const char *const op_names[NR_OPS] = {
	"buf-alloc", "buf-free", "fill", "checksum", "iova-alloc", "link",
	"sync", "unlink", "free", "destroy", "query", "verify", "version",
};

/* How an argument is bent: its size, a tail byte, a flag, an ID. */
enum mangle { M_NONE, M_SHORT, M_TAIL, M_FLAG, M_RESERVED, M_BADID };

/**
 * struct op - one generated operation
 * @kind: enum op_kind
 * @mangle: enum mangle
 * @a: a slot (buffer or IOVA object)
 * @b: a second slot (LINK's buffer)
 * @off: an offset (IOVA, or buffer for FILL and CHECKSUM)
 * @boff: a buffer offset (LINK)
 * @len: a length
 * @dir: a direction, valid or not
 * @attrs: attributes, valid or not
 * @flags: BUF_ALLOC's kind / IOVA_ALLOC's flags
 * @seed: FILL's seed
 */
struct op {
	int kind;
	int mangle;
	int a, b;
	__u64 off, boff, len;
	__u32 dir, attrs, flags;
	__u64 seed;
};

/* ---- the model ---- */

/**
 * struct mrec - a link record as the module keeps it
 * @ioff: IOVA offset
 * @len: bytes
 * @unit: bytes of each link in it
 * @buf: the buffer's slot
 * @boff: buffer offset
 * @dir: direction
 * @attrs: attributes
 * @snap: when every mapping bounces through swiotlb, the buffer's bytes
 *	at link time -- what the bounce slots hold -- if unmapping copies
 *	them back over the buffer (the device may have written: FROM_DEVICE
 *	or BIDIRECTIONAL, without SKIP_CPU_SYNC); else NULL
 */
struct mrec {
	__u64 ioff, len, unit;
	int buf;
	__u64 boff;
	__u32 dir, attrs;
	unsigned char *snap;
};

/**
 * struct mbounce - a granule of an untrusted device's IOVA that
 *	dma_iova_link() bounced through swiotlb: a link's partial first or
 *	last granule, whose IOVA translates to a bounce slot
 * @on: the granule is bounced
 * @boff: the buffer bytes the slot holds: from @boff ...
 * @len: ... @len of them
 * @snap: their bytes at link time -- what the slot holds -- if unlinking
 *	copies the slot back over the buffer (FROM_DEVICE or BIDIRECTIONAL,
 *	without SKIP_CPU_SYNC); else NULL
 */
struct mbounce {
	bool on;
	__u64 boff, len;
	unsigned char *snap;
};

/* @data: MAXBUF bytes, allocated the first time the slot is; kept */
struct mbuf {
	bool live;
	__u32 id;
	__u64 len;
	unsigned long links;
	unsigned char *data;
};

struct miova {
	bool live;
	__u32 id;
	__u64 len, off0;
	int nrec;
	struct mrec rec[MAXREC];	/* sorted by ioff */
	bool synced[MAXIOVA_G + 2];
	struct mbounce bnc[MAXIOVA_G + 2];	/* by granule */
};

struct model {
	bool iova_path;
	bool bounce;		/* every mapping bounces (swiotlb=force) */
	/*
	 * An untrusted device on the IOVA path: each link's partial first
	 * and last granules bounce (link_bounces())
	 */
	bool untrusted;
	__u64 max_map;		/* fallback: a run's cap */
	struct mbuf buf[NBUF];
	struct miova io[NIOVA];
};

static __u64 gidx(struct miova *m, __u64 off)
{
	return (m->off0 + off) / G;
}

static __u64 gend(struct miova *m, __u64 end)
{
	return (m->off0 + end + G - 1) / G;
}

/* The record whose granules include granule @g, or -1. */
static int rec_at_granule(struct miova *m, __u64 g)
{
	int i;

	for (i = 0; i < m->nrec; i++)
		if (g >= gidx(m, m->rec[i].ioff) &&
		    g < gend(m, m->rec[i].ioff + m->rec[i].len))
			return i;
	return -1;
}

/* The record whose granules include @off's granule, or -1. */
static int rec_at(struct miova *m, __u64 off)
{
	return rec_at_granule(m, gidx(m, off));
}

static bool range_unlinked(struct miova *m, __u64 off, __u64 end)
{
	__u64 gs = gidx(m, off), ge = gend(m, end);
	int i;

	for (i = 0; i < m->nrec; i++)
		if (gidx(m, m->rec[i].ioff) < ge &&
		    gend(m, m->rec[i].ioff + m->rec[i].len) > gs)
			return false;
	return true;
}

static unsigned long nr_links(struct miova *m)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < m->nrec; i++)
		n += m->rec[i].len / m->rec[i].unit;
	return n;
}

static void rec_insert(struct miova *m, struct mrec r)
{
	int i = m->nrec;

	while (i > 0 && m->rec[i - 1].ioff > r.ioff) {
		m->rec[i] = m->rec[i - 1];
		i--;
	}
	m->rec[i] = r;
	m->nrec++;
}

static unsigned char *snapshot(const unsigned char *data, __u64 len)
{
	unsigned char *snap = malloc(len);

	if (!snap)
		abort();
	return memcpy(snap, data, len);
}

/*
 * Does unmapping a bounced mapping copy its slot back over the buffer?
 * For a direction the device may write, unless the CPU sync is skipped
 * (swiotlb_tbl_unmap_single()).
 */
static bool copied_back(__u32 dir, __u32 attrs)
{
	return dir != DMACTL_DIR_TO_DEVICE && !(attrs & DMACTL_ATTR_SKIP_CPU_SYNC);
}

/*
 * An untrusted device's link [@off, @off + @len) on the IOVA path:
 * dma_iova_link() (once per physically contiguous run, each later run
 * starting on a granule, each but the last ending on one) maps whole
 * granules of the caller's memory directly and bounces a partial first
 * and a partial last granule through swiotlb -- once when they are the
 * same granule (iommu_dma_iova_link_swiotlb()).  *@head and *@tail are
 * the bytes bounced at the link's start and at its end, 0 for none;
 * together at most @len.  True if anything bounced: the module's
 * DMACTL_LINK_SWIOTLB.
 */
static bool link_bounces(struct miova *m, __u64 off, __u64 len, __u64 *head,
			 __u64 *tail)
{
	__u64 in = (m->off0 + off) % G, out = (m->off0 + off + len) % G;

	*head = in ? (len < G - in ? len : G - in) : 0;
	*tail = out && *head < len ? out : 0;
	return *head || *tail;
}

/* Granule @g of @m bounced @len bytes of buffer @b from @boff. */
static void bounce_granule(struct miova *m, __u64 g, struct mbuf *b,
			   __u64 boff, __u64 len, bool back)
{
	m->bnc[g] = (struct mbounce){ .on = true, .boff = boff, .len = len,
				      .snap = back ? snapshot(b->data + boff, len) : NULL };
}

/*
 * Unmapping a bounced link the device may write copies its bounce slots
 * back over the buffer: the CPU's writes since the link are lost.  (An
 * untrusted device's too, granule by granule:
 * iommu_dma_iova_unlink_range_slow().)
 */
static void rec_remove(struct model *md, struct miova *m, int i)
{
	struct mrec *r = &m->rec[i];
	__u64 g;

	if (r->snap) {
		memcpy(md->buf[r->buf].data + r->boff, r->snap, r->len);
		free(r->snap);
	}
	for (g = gidx(m, r->ioff); g < gend(m, r->ioff + r->len); g++) {
		struct mbounce *bn = &m->bnc[g];

		if (bn->snap) {
			memcpy(md->buf[r->buf].data + bn->boff, bn->snap, bn->len);
			free(bn->snap);
		}
		memset(bn, 0, sizeof(*bn));
		m->synced[g] = false;
	}
	md->buf[r->buf].links -= r->len / r->unit;
	memmove(&m->rec[i], &m->rec[i + 1], (m->nrec - i - 1) * sizeof(*r));
	m->nrec--;
}

/* Split the record holding @off at @off (a link boundary), if inside. */
static void rec_split(struct miova *m, __u64 off)
{
	int i = rec_at(m, off);
	struct mrec tail;

	if (i < 0 || off <= m->rec[i].ioff || off >= m->rec[i].ioff + m->rec[i].len)
		return;
	tail = m->rec[i];
	tail.ioff = off;
	tail.boff += off - m->rec[i].ioff;
	tail.len = m->rec[i].ioff + m->rec[i].len - off;
	if (tail.snap)
		tail.snap = snapshot(m->rec[i].snap + (off - m->rec[i].ioff), tail.len);
	m->rec[i].len = off - m->rec[i].ioff;
	rec_insert(m, tail);
}

/* Forget every object, and the snapshots and buffer bytes held. */
static void model_reset(struct model *md)
{
	int i, j;

	for (i = 0; i < NIOVA; i++) {
		for (j = 0; j < md->io[i].nrec; j++)
			free(md->io[i].rec[j].snap);
		for (j = 0; j < MAXIOVA_G + 2; j++)
			free(md->io[i].bnc[j].snap);
	}
	for (i = 0; i < NBUF; i++)
		free(md->buf[i].data);
	memset(md, 0, sizeof(*md));
}

/*
 * The module's dmactl_links_span(): [off, end) exactly whole links, each
 * starting where the one before ends.  0, or the errno.
 */
static int links_span(struct miova *m, __u64 off, __u64 end, __u32 dir,
		      __u32 attrs, bool *m24, unsigned long *count)
{
	__u64 cur = off, rend;
	int i = rec_at(m, off);

	*m24 = false;
	*count = 0;
	if (i < 0 || off >= m->rec[i].ioff + m->rec[i].len)
		return ENOENT;
	for (;;) {
		struct mrec *r = &m->rec[i];

		if (cur < r->ioff || (cur - r->ioff) % r->unit)
			return EINVAL;
		if (r->dir != dir || r->attrs != attrs) {
			*m24 = true;
			return EINVAL;
		}
		rend = r->ioff + r->len;
		if (end < rend) {
			if ((end - r->ioff) % r->unit)
				return EINVAL;
			*count += (end - cur) / r->unit;
			return 0;
		}
		*count += (rend - cur) / r->unit;
		cur = rend;
		if (cur == end)
			return 0;
		i = rec_at(m, cur);
		if (i < 0 || m->rec[i].ioff != cur || (m->off0 + cur) % G)
			return EINVAL;
	}
}

/*
 * What the module will answer, by the order its handlers check things;
 * applies the effect to the model when it predicts success.  Returns the
 * errno or 0.  (Links are never longer than a fallback run's cap, 256 KiB
 * under swiotlb, which would make M8 depend on where the pages lie.)
 */
static int predict(struct model *md, const struct op *op)
{
	struct mbuf *b;
	struct miova *m;
	__u64 end, bend;
	unsigned long count;
	bool m24;
	int i, ret;

	(void)ret;
	if (op->mangle == M_SHORT)
		return EINVAL;
	if (op->mangle == M_TAIL)
		return E2BIG;
	if (op->kind == OP_VERSION)
		return op->mangle == M_FLAG || op->mangle == M_RESERVED ? EOPNOTSUPP : 0;

	switch (op->kind) {
	case OP_BUF_ALLOC:
		if (op->mangle == M_FLAG || op->mangle == M_RESERVED)
			return EOPNOTSUPP;
		if (!op->len || op->len > (1ULL << 30))
			return EINVAL;
		if (op->flags != DMACTL_BUF_KERNEL && op->flags != DMACTL_BUF_USER)
			return EINVAL;	/* no kind, or P2P without a provider */
		if (op->len % PAGE_SZ)
			return EINVAL;
		if (op->flags == DMACTL_BUF_USER)
			return EFAULT;	/* the fuzzer gives no memory: address 0 */
		b = &md->buf[op->a];
		if (b->live)
			return -2;	/* the generator never does this */
		if (!b->data)
			b->data = malloc(MAXBUF);
		if (!b->data)
			abort();
		b->live = true;
		b->len = op->len;
		b->links = 0;
		memset(b->data, 0, MAXBUF);
		return 0;
	case OP_IOVA_ALLOC:
		if (op->mangle == M_FLAG)
			return EOPNOTSUPP;
		if (!op->len || op->len > (4ULL << 30))
			return EINVAL;
		if (op->off >= G)
			return EINVAL;
		if (!md->iova_path && !(op->flags & DMACTL_IOVA_ALLOW_FALLBACK))
			return EOPNOTSUPP;
		m = &md->io[op->a];
		memset(m, 0, sizeof(*m));
		m->live = true;
		m->len = op->len;
		m->off0 = op->off;
		return 0;
	default:
		break;
	}

	/* Operations on an object: flags first, then ranges, then the ID. */
	switch (op->kind) {
	case OP_BUF_FREE:
		if (op->mangle == M_FLAG || op->mangle == M_RESERVED)
			return EOPNOTSUPP;
		b = &md->buf[op->a];
		if (op->mangle == M_BADID || !b->live)
			return ENOENT;
		if (b->links)
			return EBUSY;
		b->live = false;
		return 0;
	case OP_FILL:
	case OP_CHECKSUM:
		if (op->mangle == M_FLAG || (op->kind == OP_FILL && op->mangle == M_RESERVED))
			return EOPNOTSUPP;
		if (__builtin_add_overflow(op->off, op->len, &end))
			return EOVERFLOW;
		if (!op->len || (op->kind == OP_FILL && (op->off % 8 || op->len % 8)))
			return EINVAL;
		b = &md->buf[op->a];
		if (op->mangle == M_BADID || !b->live)
			return ENOENT;
		if (end > b->len)
			return ERANGE;
		if (op->kind == OP_FILL) {
			__u64 w;

			for (w = op->off / 8; w < end / 8; w++) {
				__u64 v = dmactl_pattern(op->seed, w);

				/* little-endian: x86, arm64 */
				memcpy(&b->data[w * 8], &v, 8);
			}
		}
		return 0;
	case OP_LINK:
		if (op->mangle == M_FLAG)
			return EOPNOTSUPP;
		if (op->attrs & ~(DMACTL_ATTR_SKIP_CPU_SYNC | DMACTL_ATTR_WEAK_ORDERING))
			return EOPNOTSUPP;
		if (__builtin_add_overflow(op->off, op->len, &end) ||
		    __builtin_add_overflow(op->boff, op->len, &bend))
			return EOVERFLOW;
		if (!op->len)
			return EINVAL;
		if (op->dir < 1 || op->dir > 3)
			return EINVAL;
		m = &md->io[op->a];
		b = &md->buf[op->b];
		if (op->mangle == M_BADID || !m->live || !b->live)
			return ENOENT;
		if (op->off && (m->off0 + op->off) % G)
			return EINVAL;
		if (bend > b->len)
			return ERANGE;
		if (!op->off && op->boff % G != m->off0)
			return EINVAL;
		if (op->off && op->boff % G)
			return EINVAL;
		if (end > m->len)
			return ERANGE;
		if (!range_unlinked(m, op->off, end))
			return EEXIST;
		/* The record of the granule before may take this link. */
		i = gidx(m, op->off) ? rec_at_granule(m, gidx(m, op->off) - 1) : -1;
		if (i >= 0 && md->iova_path) {
			struct mrec *p = &m->rec[i];

			if (p->buf == op->b && p->dir == op->dir &&
			    p->attrs == op->attrs && p->unit == op->len &&
			    p->ioff + p->len == op->off && p->boff + p->len == op->boff) {
				p->len += op->len;
				goto linked;
			}
		}
		rec_insert(m, (struct mrec){ .ioff = op->off, .len = op->len,
					     .unit = op->len, .buf = op->b,
					     .boff = op->boff, .dir = op->dir,
					     .attrs = op->attrs,
					     .snap = md->bounce && copied_back(op->dir, op->attrs) ?
						     snapshot(b->data + op->boff, op->len) : NULL });
linked:
		{
			__u64 g, head, tail;

			for (g = gidx(m, op->off); g < gend(m, end); g++)
				m->synced[g] = false;
			/*
			 * Each link bounces by itself, also one that continues
			 * a record.  (The module's record keeps its first
			 * link's DMACTL_LINK_SWIOTLB for all of them, also
			 * when split; it is never wrong: a record can be
			 * continued by a link with a partial granule only if
			 * it starts at IOVA offset 0 off the granule, and then
			 * its first link bounced, as does every later one.)
			 */
			if (md->untrusted &&
			    link_bounces(m, op->off, op->len, &head, &tail)) {
				bool back = copied_back(op->dir, op->attrs);

				if (head)
					bounce_granule(m, gidx(m, op->off), b,
						       op->boff, head, back);
				if (tail)
					bounce_granule(m, gend(m, end) - 1, b,
						       op->boff + op->len - tail,
						       tail, back);
			}
		}
		b->links++;
		return 0;
	case OP_SYNC:
		if (op->mangle == M_FLAG || op->mangle == M_RESERVED)
			return EOPNOTSUPP;
		if (__builtin_add_overflow(op->off, op->len, &end))
			return EOVERFLOW;
		if (!op->len)
			return EINVAL;
		m = &md->io[op->a];
		if (op->mangle == M_BADID || !m->live)
			return ENOENT;
		if (end > m->len)
			return ERANGE;
		for (i = 0; i < m->nrec; i++) {
			__u64 gs = gidx(m, op->off), ge = gend(m, end), g;
			__u64 rs = gidx(m, m->rec[i].ioff);
			__u64 re = gend(m, m->rec[i].ioff + m->rec[i].len);

			for (g = gs > rs ? gs : rs; g < (ge < re ? ge : re); g++)
				m->synced[g] = true;
		}
		return 0;
	case OP_UNLINK:
		if (op->mangle == M_FLAG || op->mangle == M_RESERVED)
			return EOPNOTSUPP;
		if (op->attrs & ~(DMACTL_ATTR_SKIP_CPU_SYNC | DMACTL_ATTR_WEAK_ORDERING))
			return EOPNOTSUPP;
		if (__builtin_add_overflow(op->off, op->len, &end))
			return EOVERFLOW;
		if (!op->len || op->dir < 1 || op->dir > 3)
			return EINVAL;
		m = &md->io[op->a];
		if (op->mangle == M_BADID || !m->live)
			return ENOENT;
		if (end > m->len)
			return ERANGE;
		ret = links_span(m, op->off, end, op->dir, op->attrs, &m24, &count);
		if (ret)
			return ret;
		rec_split(m, op->off);
		rec_split(m, end);
		for (i = 0; i < m->nrec; )
			if (gidx(m, m->rec[i].ioff) >= gidx(m, op->off) &&
			    gidx(m, m->rec[i].ioff) < gend(m, end))
				rec_remove(md, m, i);
			else
				i++;
		return 0;
	case OP_FREE:
		if (op->mangle == M_FLAG || op->mangle == M_RESERVED)
			return EOPNOTSUPP;
		m = &md->io[op->a];
		if (op->mangle == M_BADID || !m->live)
			return ENOENT;
		if (m->nrec)
			return EBUSY;
		m->live = false;
		return 0;
	case OP_DESTROY:
		if (op->mangle == M_FLAG || op->mangle == M_RESERVED)
			return EOPNOTSUPP;
		if (op->attrs & ~(DMACTL_ATTR_SKIP_CPU_SYNC | DMACTL_ATTR_WEAK_ORDERING))
			return EOPNOTSUPP;
		if (op->dir < 1 || op->dir > 3)
			return EINVAL;
		m = &md->io[op->a];
		if (op->mangle == M_BADID || !m->live)
			return ENOENT;
		if (op->len > m->len)
			return ERANGE;
		count = 0;
		if (op->len && links_span(m, 0, op->len, op->dir, op->attrs, &m24, &count))
			return EINVAL;
		if (count != nr_links(m))
			return EINVAL;
		while (m->nrec)
			rec_remove(md, m, 0);
		m->live = false;
		return 0;
	case OP_QUERY:
	case OP_VERIFY:
		if (op->mangle == M_FLAG || op->mangle == M_RESERVED)
			return EOPNOTSUPP;
		if (op->kind == OP_VERIFY) {
			if (__builtin_add_overflow(op->off, op->len, &end))
				return EOVERFLOW;
			if (!op->len)
				return EINVAL;
		}
		m = &md->io[op->a];
		if (op->mangle == M_BADID || !m->live)
			return ENOENT;
		if (op->kind == OP_VERIFY && end > m->len)
			return ERANGE;
		return 0;
	}
	return -2;
}

/* ---- the real calls ---- */

struct run {
	int fd;
	__u32 buf[NBUF], io[NIOVA];
	struct dmactl_iova_query q;
	struct dmactl_link_info links[MAXREC * 4];
	struct dmactl_iova_verify v;
	__u32 crc;
};

/* A struct of the largest argument, with room for a tail. */
union arg {
	struct dmactl_get_version ver;
	struct dmactl_buf_alloc ba;
	struct dmactl_buf_free bf;
	struct dmactl_buf_fill fill;
	struct dmactl_buf_checksum ck;
	struct dmactl_iova_alloc ia;
	struct dmactl_iova_link link;
	struct dmactl_iova_sync sync;
	struct dmactl_iova_unlink unlink;
	struct dmactl_iova_free free;
	struct dmactl_iova_destroy destroy;
	struct dmactl_iova_query query;
	struct dmactl_iova_verify verify;
	char bytes[512];
};

/* An operation's ioctl: request, argument size, its __reserved's offset (0: none). */
struct op_ioctl {
	unsigned long req;
	size_t size;
	size_t reserved;
};

#define OP_IOCTL(_req, _arg) \
	{ _req, sizeof(struct _arg), offsetof(struct _arg, __reserved) }
#define OP_IOCTL_UNRESERVED(_req, _arg) { _req, sizeof(struct _arg), 0 }

static const struct op_ioctl op_ioctls[NR_OPS] = {
	[OP_BUF_ALLOC] = OP_IOCTL(DMACTL_BUF_ALLOC, dmactl_buf_alloc),
	[OP_BUF_FREE] = OP_IOCTL(DMACTL_BUF_FREE, dmactl_buf_free),
	[OP_FILL] = OP_IOCTL(DMACTL_BUF_FILL, dmactl_buf_fill),
	[OP_CHECKSUM] = OP_IOCTL_UNRESERVED(DMACTL_BUF_CHECKSUM, dmactl_buf_checksum),
	[OP_IOVA_ALLOC] = OP_IOCTL_UNRESERVED(DMACTL_IOVA_ALLOC, dmactl_iova_alloc),
	[OP_LINK] = OP_IOCTL_UNRESERVED(DMACTL_IOVA_LINK, dmactl_iova_link),
	[OP_SYNC] = OP_IOCTL(DMACTL_IOVA_SYNC, dmactl_iova_sync),
	[OP_UNLINK] = OP_IOCTL(DMACTL_IOVA_UNLINK, dmactl_iova_unlink),
	[OP_FREE] = OP_IOCTL(DMACTL_IOVA_FREE, dmactl_iova_free),
	[OP_DESTROY] = OP_IOCTL(DMACTL_IOVA_DESTROY, dmactl_iova_destroy),
	[OP_QUERY] = OP_IOCTL(DMACTL_IOVA_QUERY, dmactl_iova_query),
	[OP_VERIFY] = OP_IOCTL(DMACTL_IOVA_VERIFY, dmactl_iova_verify),
	[OP_VERSION] = OP_IOCTL(DMACTL_GET_VERSION, dmactl_get_version),
};

static int execute(struct run *r, const struct op *op)
{
	const struct op_ioctl *ioc = &op_ioctls[op->kind];
	__u32 bad = 0x7fffff00, ioid = op->mangle == M_BADID ? bad : r->io[op->a];
	__u32 bufid = op->mangle == M_BADID ? bad : r->buf[op->a];
	union arg a;
	size_t size = ioc->size;
	int ret;

	memset(&a, 0, sizeof(a));
	switch (op->kind) {
	case OP_BUF_ALLOC:
		a.ba = dmactl_arg_buf_alloc(op->flags, 0, op->len, NULL, 0);
		break;
	case OP_BUF_FREE:
		a.bf = dmactl_arg_buf_free(bufid);
		break;
	case OP_FILL:
		a.fill = dmactl_arg_buf_fill(bufid, op->off, op->len, op->seed);
		break;
	case OP_CHECKSUM:
		a.ck = dmactl_arg_buf_checksum(bufid, op->off, op->len);
		break;
	case OP_IOVA_ALLOC:
		a.ia = dmactl_arg_iova_alloc(op->len, op->off, op->flags);
		break;
	case OP_LINK:
		a.link = dmactl_arg_iova_link(ioid, op->mangle == M_BADID ? bad : r->buf[op->b],
					      op->boff, op->off, op->len, op->dir, op->attrs);
		break;
	case OP_SYNC:
		a.sync = dmactl_arg_iova_sync(ioid, op->off, op->len);
		break;
	case OP_UNLINK:
		a.unlink = dmactl_arg_iova_unlink(ioid, op->off, op->len, op->dir,
						  op->attrs);
		break;
	case OP_FREE:
		a.free = dmactl_arg_iova_free(ioid);
		break;
	case OP_DESTROY:
		a.destroy = dmactl_arg_iova_destroy(ioid, op->len, op->dir, op->attrs);
		break;
	case OP_QUERY:
		a.query = dmactl_arg_iova_query(ioid, r->links, MAXREC * 4);
		break;
	case OP_VERIFY:
		a.verify = dmactl_arg_iova_verify(ioid, op->off, op->len);
		break;
	}
	a.ver.size = size;
	if (op->mangle == M_RESERVED && ioc->reserved)
		memcpy(&a.bytes[ioc->reserved], &(__u32){ 1 }, sizeof(__u32));
	if (op->mangle == M_FLAG)
		a.ver.flags = 1U << 30;
	if (op->mangle == M_SHORT)
		a.ver.size = 4;
	if (op->mangle == M_TAIL) {
		a.ver.size = size + 8;
		a.bytes[size + 3] = 1;
	}
	ret = dmactl_ioc(r->fd, ioc->req, &a);
	if (ret)
		return ret;
	switch (op->kind) {
	case OP_BUF_ALLOC:
		r->buf[op->a] = a.ba.out_id;
		break;
	case OP_IOVA_ALLOC:
		r->io[op->a] = a.ia.out_id;
		break;
	case OP_CHECKSUM:
		r->crc = a.ck.out_crc32c;
		break;
	case OP_QUERY:
		r->q = a.query;
		break;
	case OP_VERIFY:
		r->v = a.verify;
		break;
	}
	return 0;
}

/* Compare what QUERY, VERIFY or CHECKSUM said with the model. */
static bool outputs_agree(struct model *md, struct run *r, const struct op *op,
			  char *why, size_t len)
{
	struct miova *m = &md->io[op->a];
	__u64 synced = 0, linked = 0, off, end, in, pages = 0, mapped = 0;
	__u64 unmapped = 0, bounced = 0, head, tail;
	unsigned long n = 0;
	bool sw, any = false;
	int i;

	switch (op->kind) {
	case OP_CHECKSUM: {
		__u32 want = crc32c(md->buf[op->a].data + op->off, op->len);

		if (want != r->crc) {
			snprintf(why, len, "crc32c %08x, the model says %08x", r->crc, want);
			return false;
		}
		return true;
	}
	case OP_QUERY:
		for (i = 0; i < MAXIOVA_G + 2; i++)
			synced += m->synced[i];
		for (i = 0; i < m->nrec; i++)
			linked += m->rec[i].len;
		n = nr_links(m);
		if (r->q.out_nr_links != n || r->q.out_nr_records != (__u32)m->nrec ||
		    r->q.out_linked_bytes != linked || r->q.out_synced_bytes != synced * G ||
		    r->q.out_length != m->len || r->q.out_first_offset != m->off0 ||
		    r->q.out_path != (md->iova_path ? DMACTL_PATH_IOVA : DMACTL_PATH_FALLBACK)) {
			snprintf(why, len, "query: %u links in %u records, %llu linked, %llu synced; the model: %lu in %d, %llu, %llu",
				 r->q.out_nr_links, r->q.out_nr_records,
				 (unsigned long long)r->q.out_linked_bytes,
				 (unsigned long long)r->q.out_synced_bytes, n, m->nrec,
				 (unsigned long long)linked, (unsigned long long)synced * G);
			return false;
		}
		/* The link list: each link of each record, in IOVA order. */
		n = 0;
		for (i = 0; i < m->nrec; i++) {
			for (off = 0; off < m->rec[i].len; off += m->rec[i].unit, n++) {
				struct dmactl_link_info *l = &r->links[n];

				if (l->iova_offset != m->rec[i].ioff + off ||
				    l->length != m->rec[i].unit ||
				    l->buf_offset != m->rec[i].boff + off ||
				    l->buf_id != r->buf[m->rec[i].buf] ||
				    l->dir != m->rec[i].dir || l->attrs != m->rec[i].attrs) {
					snprintf(why, len, "query: link %lu is %llu+%llu, the model says %llu+%llu",
						 n, (unsigned long long)l->iova_offset,
						 (unsigned long long)l->length,
						 (unsigned long long)(m->rec[i].ioff + off),
						 (unsigned long long)m->rec[i].unit);
					return false;
				}
				/* An untrusted device's: did it bounce? */
				if (!md->untrusted)
					continue;
				sw = link_bounces(m, m->rec[i].ioff + off,
						  m->rec[i].unit, &head, &tail);
				any |= sw;
				if (!(l->flags & DMACTL_LINK_SWIOTLB) != !sw) {
					snprintf(why, len, "query: link %lu (%llu+%llu) flags %#x, the model says %s bounced",
						 n, (unsigned long long)l->iova_offset,
						 (unsigned long long)l->length, l->flags,
						 sw ? "it" : "nothing");
					return false;
				}
			}
		}
		if (md->untrusted && !(r->q.out_flags & DMACTL_LINK_SWIOTLB) != !any) {
			snprintf(why, len, "query: flags %#x, the model says %s bounced",
				 r->q.out_flags, any ? "a link" : "nothing");
			return false;
		}
		return true;
	case OP_VERIFY:
		/* The module walks the range in the kernel's pages. */
		end = op->off + op->len;
		for (off = op->off; off < end; off += PAGE_SZ - in) {
			int k = rec_at(m, off);

			in = (m->off0 + off) & (PAGE_SZ - 1);
			pages++;
			if (k >= 0 && off >= m->rec[k].ioff &&
			    off < m->rec[k].ioff + m->rec[k].len) {
				mapped++;
				/* A page is a granule: all of it or none bounced. */
				bounced += m->bnc[gidx(m, off)].on;
			} else if (k < 0) {
				unmapped++;
			}
		}
		/*
		 * Which linked pages bounced: an untrusted device's partial
		 * first and last granules of each link, exactly; elsewhere
		 * any of them (swiotlb=force: all; a mask below the memory:
		 * some).
		 */
		if (r->v.out_checked != pages || r->v.out_mismatches ||
		    r->v.out_mapped_ok + r->v.out_bounced != mapped ||
		    (md->untrusted && r->v.out_bounced != bounced) ||
		    r->v.out_unmapped_ok != (md->iova_path ? unmapped : 0)) {
			char nb[24];

			snprintf(nb, sizeof(nb), "%llu", (unsigned long long)bounced);
			snprintf(why, len, "verify: %llu pages, %llu ok + %llu bounced, %llu unmapped, %llu wrong; the model: %llu, %llu linked (%s of them bounced), %llu",
				 (unsigned long long)r->v.out_checked,
				 (unsigned long long)r->v.out_mapped_ok,
				 (unsigned long long)r->v.out_bounced,
				 (unsigned long long)r->v.out_unmapped_ok,
				 (unsigned long long)r->v.out_mismatches,
				 (unsigned long long)pages, (unsigned long long)mapped,
				 md->untrusted ? nb : "any",
				 (unsigned long long)unmapped);
			return false;
		}
		return true;
	}
	return true;
}

/* ---- generating ---- */

/* An offset or length: mostly granules, sometimes pieces, sometimes wild. */
static __u64 gen_size(__u64 span)
{
	switch (below(10)) {
	case 0:
		return below(span + 1);
	case 1:
		return below(span / 512 + 1) * 512;
	case 2:
		return chance(50) ? ~0ULL - below(G) : 1ULL << (32 + below(31));
	case 3:
		return 0;
	default:
		return below(span / G + 1) * G;
	}
}

/* A slot, mostly one holding a live object (@live[i] for slot i). */
static int pick(const bool *live, int n)
{
	int i, start = below(n);

	if (chance(85))
		for (i = 0; i < n; i++)
			if (live[(start + i) % n])
				return (start + i) % n;
	return start;
}

static struct op gen(struct model *md)
{
	struct op op = { .kind = below(NR_OPS) };
	bool blive[NBUF], ilive[NIOVA];
	struct miova *m;
	int i;

	for (i = 0; i < NBUF; i++)
		blive[i] = md->buf[i].live;
	for (i = 0; i < NIOVA; i++)
		ilive[i] = md->io[i].live;
	op.a = pick(ilive, NIOVA);
	op.b = pick(blive, NBUF);
	if (op.kind == OP_BUF_ALLOC || op.kind == OP_IOVA_ALLOC)
		op.a = below(op.kind == OP_BUF_ALLOC ? NBUF : NIOVA);
	else if (op.kind == OP_BUF_FREE || op.kind == OP_FILL ||
		 op.kind == OP_CHECKSUM)
		op.a = pick(blive, NBUF);
	op.dir = chance(95) ? 1 + below(3) : below(6);
	op.attrs = chance(90) ? 0 : chance(70) ? 1 + below(3) : 1U << below(32);
	op.seed = rnd();
	if (chance(4))
		op.mangle = 1 + below(M_BADID);
	switch (op.kind) {
	case OP_BUF_ALLOC:
		/* A live slot is freed first, so its ID is never lost. */
		if (md->buf[op.a].live)
			op.kind = OP_BUF_FREE;
		op.flags = chance(95) ? DMACTL_BUF_KERNEL : below(8);
		op.len = chance(90) ? (1 + below(MAXBUF_G)) * G : gen_size(MAXBUF);
		break;
	case OP_IOVA_ALLOC:
		if (md->io[op.a].live) {
			op.kind = chance(50) ? OP_FREE : OP_DESTROY;
			op.len = gen_size(MAXIOVA);
			break;
		}
		/*
		 * Never DMACTL_IOVA_REQUIRE_COHERENT: an untrusted device's
		 * dma_iova_link() refuses a link off the granule with it
		 * (EPERM), which the model does not know.
		 */
		op.flags = chance(90) ? DMACTL_IOVA_ALLOW_FALLBACK : below(2);
		op.off = chance(70) ? 0 : chance(80) ? below(G / 512) * 512 : gen_size(G * 2);
		op.len = chance(90) ? 1 + below(MAXIOVA - G) : gen_size(MAXIOVA);
		/* Within the model's space, or past the module's cap. */
		if (op.len > MAXIOVA - G && op.len <= (4ULL << 30))
			op.len = MAXIOVA - G;
		break;
	case OP_FILL:
	case OP_CHECKSUM:
		op.off = gen_size(MAXBUF);
		op.len = chance(60) ? MAXBUF : gen_size(MAXBUF);
		if (chance(50) && md->buf[op.a].live && op.off < md->buf[op.a].len &&
		    op.len > md->buf[op.a].len - op.off)
			op.len = md->buf[op.a].len - op.off;
		break;
	case OP_UNLINK:
	case OP_DESTROY:
		m = &md->io[op.a];
		/* Mostly the boundaries of existing links. */
		if (m->live && m->nrec && chance(80)) {
			i = below(m->nrec);
			op.off = m->rec[i].ioff + (chance(70) ? 0 : below(m->rec[i].len / m->rec[i].unit + 1) * m->rec[i].unit);
			op.len = chance(60) ? m->rec[i].unit * (1 + below(3)) :
				 m->rec[below(m->nrec)].ioff + m->rec[i].len - op.off;
			op.dir = chance(90) ? m->rec[i].dir : op.dir;
			op.attrs = chance(90) ? m->rec[i].attrs : op.attrs;
			if (op.kind == OP_DESTROY)
				op.len = op.off + op.len;
		} else {
			op.off = gen_size(MAXIOVA);
			op.len = gen_size(MAXIOVA);
		}
		break;
	default:
		op.off = gen_size(MAXIOVA);
		op.boff = gen_size(MAXBUF);
		/*
		 * No longer than a fallback run's cap (predict()): half the
		 * IOVA is 64 KiB at 4 KiB pages, but 1 MiB at 64 KiB.
		 */
		op.len = gen_size(md->max_map && md->max_map < MAXIOVA / 2 ?
				  md->max_map : MAXIOVA / 2);
		m = &md->io[op.a];
		if (op.kind == OP_LINK && m->live && chance(60)) {
			/*
			 * Aligned, as a caller that knows the rules makes them:
			 * at 0 from a buffer address off0 into its granule, or
			 * at a granule of the IOVA from a granule of the buffer.
			 */
			if (chance(30)) {
				op.off = 0;
				op.boff = m->off0 + below(4) * G;
			} else {
				op.off = (1 + below(m->len / G + 1)) * G - m->off0;
				op.boff = below(MAXBUF / G) * G;
			}
			op.len = chance(70) ? G * (1 + below(4)) : 1 + below(3 * G);
		}
		break;
	}
	return op;
}

/* ---- running and minimising ---- */

struct fuzzer {
	struct __test_metadata *meta;
	struct dmactl_attach dev;
	bool iova_path;
	bool bounce;
	bool untrusted;		/* struct model's */
	__u64 seed;
};

/* What the single-thread runs saw: successes per operation, errnos. */
static long stat_ok[NR_OPS], stat_refused[NR_OPS], stat_errno[160];

/* Run @ops[i] for each i with keep[i]; the index of the first divergence or -1. */
static long run_ops(struct fuzzer *fz, const struct op *ops, long n,
		    const bool *keep, char *why, size_t len)
{
	struct model *md = calloc(1, sizeof(*md));
	struct run *r = calloc(1, sizeof(*r));
	long i, bad = -1;
	int want, got;

	md->iova_path = fz->iova_path;
	md->bounce = fz->bounce;
	md->untrusted = fz->untrusted;
	md->max_map = fz->dev.out_max_mapping_size;
	r->fd = open(DMACTL_DEVICE, O_RDWR);
	if (r->fd < 0 || _test_cmd_attach(r->fd, dmactl_test_dev(), NULL)) {
		snprintf(why, len, "cannot open and attach");
		bad = 0;
		goto out;
	}
	for (i = 0; i < n && bad < 0; i++) {
		if (keep && !keep[i])
			continue;
		want = predict(md, &ops[i]);
		got = -execute(r, &ops[i]);
		if (!keep) {
			if (got)
				stat_refused[ops[i].kind]++;
			else
				stat_ok[ops[i].kind]++;
			if (got > 0 && got < 160)
				stat_errno[got]++;
		}
		if (want != got) {
			snprintf(why, len, "%s: %s, the model says %s", op_names[ops[i].kind],
				 got ? strerrorname_np(got) : "success",
				 want ? (want > 0 ? strerrorname_np(want) : "nothing") : "success");
			bad = i;
		} else if (!got && !outputs_agree(md, r, &ops[i], why, len)) {
			bad = i;
		}
	}
out:
	if (r->fd >= 0)
		close(r->fd);
	model_reset(md);
	free(md);
	free(r);
	return bad;
}

static void print_op(long i, const struct op *op)
{
	printf("#   %5ld %-10s a=%d b=%d off=%#llx boff=%#llx len=%#llx dir=%u attrs=%#x flags=%#x%s\n",
	       i, op_names[op->kind], op->a, op->b, (unsigned long long)op->off,
	       (unsigned long long)op->boff, (unsigned long long)op->len, op->dir,
	       op->attrs, op->flags,
	       op->mangle ? (const char *[]){ "", " size=4", " tail", " flag",
					      " reserved", " bad-id" }[op->mangle] : "");
}

/*
 * Drop operations while the same divergence stays -- at the last
 * operation, @n - 1, of the same kind (the first word of @want_why: the
 * operation, or the output that differs) -- halves, quarters, ...
 * down to single operations, at most a few hundred replays.  (Any other
 * divergence will not do: without the operations that set them up, later
 * ones can break the generator's own rules.)  @keep marks what is left:
 * a short sequence to replay.
 */
static void minimise(struct fuzzer *fz, const struct op *ops, long n, bool *keep,
		     const char *want_why)
{
	bool *saved = calloc(n, sizeof(*saved));
	int trials = 0;
	char why[512];
	long i, j, chunk;

	for (chunk = n / 2; chunk >= 1 && trials < 300; chunk /= 2) {
		for (i = 0; i < n - 1 && trials < 300; i += chunk, trials++) {
			memcpy(saved, keep, n * sizeof(*keep));
			for (j = i; j < i + chunk && j < n - 1; j++)
				keep[j] = false;
			if (run_ops(fz, ops, n, keep, why, sizeof(why)) != n - 1 ||
			    strncmp(why, want_why, strcspn(want_why, " ") + 1))
				memcpy(keep, saved, n * sizeof(*keep));
		}
	}
	free(saved);
}

FIXTURE(fuzz) {
	struct fuzzer fz;
	long ops;
	unsigned long taint;
};

FIXTURE_SETUP(fuzz)
{
	int fd;

	self->taint = dmactl_taint();
	self->ops = getenv("DMACTL_FUZZ_OPS") ? atol(getenv("DMACTL_FUZZ_OPS")) : 20000;
	self->fz.seed = getenv("DMACTL_FUZZ_SEED") ?
			strtoull(getenv("DMACTL_FUZZ_SEED"), NULL, 0) :
			(__u64)time(NULL) * 2654435761ULL ^ getpid();
	fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	test_cmd_attach(fd, dmactl_test_dev(), &self->fz.dev);
	self->fz.bounce = dmactl_links_bounce(fd, &self->fz.dev);
	close(fd);
	self->fz.iova_path = self->fz.dev.out_flags & DMACTL_ATTACH_OUT_IOVA_USABLE;
	self->fz.untrusted = self->fz.iova_path &&
			     (self->fz.dev.out_flags & DMACTL_ATTACH_OUT_UNTRUSTED);
	if (self->fz.dev.out_granule != G)
		SKIP(return, "the model knows a granule of one page (%llu bytes) only, not %llu",
		     (unsigned long long)G,
		     (unsigned long long)self->fz.dev.out_granule);
}

FIXTURE_TEARDOWN(fuzz)
{
	dmactl_teardown_check(self->taint);
}

/* One sequence of @n operations per 2000, each on a fresh file. */
#define SEQ_LEN 2000

TEST_F_TIMEOUT(fuzz, single_thread_matches_the_model, 1500)
{
	struct op *ops = calloc(SEQ_LEN, sizeof(*ops));
	bool *keep = calloc(SEQ_LEN, sizeof(*keep));
	const char *replay = getenv("DMACTL_FUZZ_REPLAY");
	struct model *gm = calloc(1, sizeof(*gm));
	long done = 0, seqs = 0, bad = -1, i, n;
	char why[512];
	__u64 seed;

	ASSERT_NE(NULL, ops);
	/*
	 * Without the IOVA path an untrusted device's dma_map_phys() bounces
	 * whole runs off the granule; the test bed never has one (an
	 * untrusted device is in a DMA domain), and the model knows only
	 * the IOVA path's bounces.
	 */
	if ((self->fz.dev.out_flags & DMACTL_ATTACH_OUT_UNTRUSTED) && !self->fz.iova_path)
		SKIP(goto out, "the model knows an untrusted device's bounces on the IOVA path only");
	while (done < self->ops) {
		seed = self->fz.seed + seqs;
		rnd_state = seed;
		n = self->ops - done < SEQ_LEN ? self->ops - done : SEQ_LEN;
		model_reset(gm);
		gm->iova_path = self->fz.iova_path;
		gm->bounce = self->fz.bounce;
		gm->untrusted = self->fz.untrusted;
		gm->max_map = self->fz.dev.out_max_mapping_size;
		/* The generator follows its own copy of the model. */
		for (i = 0; i < n; i++) {
			ops[i] = gen(gm);
			predict(gm, &ops[i]);
			keep[i] = true;
		}
		if (replay) {
			memset(keep, 0, n * sizeof(*keep));
			for (const char *p = replay; *p; p += strcspn(p, ",") + !!p[strcspn(p, ",")])
				if (atol(p) < n)
					keep[atol(p)] = true;
		}
		bad = run_ops(&self->fz, ops, n, replay ? keep : NULL, why, sizeof(why));
		if (bad >= 0) {
			printf("# divergence at operation %ld of sequence seed %#llx: %s\n",
			       bad, (unsigned long long)seed, why);
			for (i = 0; i < n; i++)
				keep[i] = i <= bad;
			if (!replay)
				minimise(&self->fz, ops, bad + 1, keep, why);
			printf("# minimised, it replays with DMACTL_FUZZ_SEED=%#llx DMACTL_FUZZ_OPS=%ld DMACTL_FUZZ_REPLAY=",
			       (unsigned long long)seed, n);
			for (i = 0; i <= bad; i++)
				if (keep[i])
					printf("%ld,", i);
			printf("\n");
			for (i = 0; i <= bad; i++)
				if (keep[i])
					print_op(i, &ops[i]);
			EXPECT_EQ(-1, bad);
			break;
		}
		done += n;
		seqs++;
		if (replay)
			break;
	}
	printf("# %ld operations in %ld sequences from seed %#llx, %s path%s: %s\n",
	       done + (bad >= 0 ? bad + 1 : 0), seqs + (bad >= 0),
	       (unsigned long long)self->fz.seed,
	       self->fz.iova_path ? "iova" : "fallback",
	       self->fz.bounce ? ", every link bounced through swiotlb" :
	       self->fz.untrusted ? ", untrusted: partial granules bounced through swiotlb" : "",
	       bad >= 0 ? "diverged from the model" : "no divergence from the model");
	printf("#   succeeded/refused:");
	for (i = 0; i < NR_OPS; i++)
		printf(" %s %ld/%ld", op_names[i], stat_ok[i], stat_refused[i]);
	printf("\n#   errnos:");
	for (i = 0; i < 160; i++)
		if (stat_errno[i])
			printf(" %s %ld", strerrorname_np(i), stat_errno[i]);
	printf("\n");
out:
	model_reset(gm);
	free(gm);
	free(keep);
	free(ops);
}

/* ---- threaded mode: invariants ---- */

struct tstate {
	pthread_t thread;
	int fd;
	bool dup;
	__u64 seed;
	long ops;
	long bad;
	char why[256];
};

static void *chaos(void *arg)
{
	struct tstate *t = arg;
	struct model *md = calloc(1, sizeof(*md));
	struct run *r = calloc(1, sizeof(*r));
	__u64 saved = t->seed;
	long i;
	int got, k;

	r->fd = t->fd;
	for (i = 0; i < t->ops && t->bad < 0; i++) {
		struct op op;

		/* The threads' models are guides for what to try, not oracles. */
		rnd_state = saved + i;
		op = gen(md);
		predict(md, &op);
		/* Share IDs: anything from any thread's range may be named. */
		for (k = 0; k < NBUF; k++)
			r->buf[k] = 1 + below(4 * t->ops);
		for (k = 0; k < NIOVA; k++)
			r->io[k] = 1 + below(4 * t->ops);
		/* Now and then a benchmark run, started and freed at random. */
		if (chance(2)) {
			/* Any mode (one past the last too), shape and flags. */
			struct dmactl_bench_start p =
				dmactl_arg_bench_start(1 + below(DMACTL_BENCH_LAST_MODE + 1));

			p.threads = 1;
			p.pages = 1 + below(chance(2) ? 64 : 4);
			p.dir = 1 + below(3);
			p.flags = below(16) | (chance(8) ? 1U << below(32) : 0);
			p.warmup_ios = 0;
			got = -_test_cmd_bench_start(r->fd, &p);
			if (got && !dmactl_errno_documented(DMACTL_BENCH_START, got))
				snprintf(t->why, sizeof(t->why), "bench-start gave %s", strerrorname_np(got));
			got = -_test_cmd_bench_free(r->fd, 1 + below(4 * t->ops));
			if (got && !dmactl_errno_documented(DMACTL_BENCH_FREE, got))
				snprintf(t->why, sizeof(t->why), "bench-free gave %s", strerrorname_np(got));
			if (t->why[0])
				t->bad = i;
			continue;
		}
		got = -execute(r, &op);
		if (got && !dmactl_errno_documented(op_ioctls[op.kind].req, got)) {
			snprintf(t->why, sizeof(t->why), "%s gave %s, not documented",
				 op_names[op.kind], strerrorname_np(got));
			t->bad = i;
		}
		if (!got && op.kind == OP_QUERY &&
		    (r->q.out_nr_records > r->q.out_nr_links ||
		     r->q.out_linked_bytes < r->q.out_nr_links)) {
			snprintf(t->why, sizeof(t->why), "query: %u records, %u links, %llu bytes",
				 r->q.out_nr_records, r->q.out_nr_links,
				 (unsigned long long)r->q.out_linked_bytes);
			t->bad = i;
		}
	}
	/* A dup'd file closes while the other threads go on. */
	if (t->dup)
		close(t->fd);
	model_reset(md);
	free(md);
	free(r);
	return NULL;
}

TEST_F_TIMEOUT(fuzz, threads_keep_the_invariants, 1500)
{
	const char *dev = dmactl_test_dev();
	struct tstate t[4];
	int fd, i, status, rounds = self->ops / 4000 + 1, round;
	pid_t pid;

	for (round = 0; round < rounds; round++) {
		fd = open(DMACTL_DEVICE, O_RDWR);
		ASSERT_LE(0, fd);
		test_cmd_attach(fd, dev, NULL);
		for (i = 0; i < 4; i++) {
			t[i] = (struct tstate){ .fd = i < 2 ? fd : dup(fd), .dup = i >= 2,
						.ops = 1000,
						.seed = self->fz.seed + 7919 * (round * 4 + i),
						.bad = -1 };
			ASSERT_EQ(0, pthread_create(&t[i].thread, NULL, chaos, &t[i]));
		}
		/* A child shares the file, uses it, and exits holding it. */
		pid = fork();
		if (!pid) {
			_test_cmd_buf_alloc(fd, DMACTL_BUF_KERNEL, 0, PAGE_SZ, NULL, NULL);
			_exit(0);
		}
		/* Every other round, the device is revoked under the threads. */
		if (round % 2) {
			usleep(20000);
			EXPECT_EQ(0, sysfs_put("/sys/class/misc/dmactl/disallow", dev));
			EXPECT_EQ(0, sysfs_put("/sys/class/misc/dmactl/allow", dev));
		}
		for (i = 0; i < 4; i++) {
			pthread_join(t[i].thread, NULL);
			EXPECT_EQ(-1, t[i].bad) {
				TH_LOG("round %d thread %d op %ld (seed %#llx): %s", round, i,
				       t[i].bad, (unsigned long long)t[i].seed, t[i].why);
			}
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		close(fd);
		dmactl_expect_no_leaks();
	}
	printf("# %d rounds of 4 threads x 1000 operations (seed %#llx), 2 of them on dup'd files, a child sharing the file, the device revoked every other round\n",
	       rounds, (unsigned long long)self->fz.seed);
}

DMACTL_TEST_MAIN
