/*
 * chunk.c - EVTX chunks: which are live, which are stale, and their
 * records, read past damage.
 *
 * Format (spec: shared/kb/spec/Windows XML Event Log (EVTX).asciidoc,
 * "Chunk"): 64 KiB "ElfChnk\0" with a 512-byte header (first and last
 * record numbers and ids, free space offset, CRC-32 of the header and of
 * the records), then records "**\0\0" (size, record id, FILETIME, Binary
 * XML, size again) up to the free space offset.
 *
 * - Live chunks: inside the file header's first..last range, or, in a
 *   dirty file, continuing the record ids of the live chunk just before
 *   (the header was not rewritten; libevtx and Event Viewer read these
 *   too). Any other valid chunk is stale: its records are flagged
 *   recovered, and a stale copy of a live record (same id and time) is
 *   dropped. Stale chunks before the live range are held back (at most
 *   CB_LIMIT_EVTX_DEFERRED_CHUNKS) until the live ones are read.
 * - Damage is a warning with its file offset: a chunk without signature
 *   is skipped; a bad record is skipped by searching the next "**\0\0"
 *   (what follows is flagged recovered, and the records that then fail
 *   are summed up in one warning); CRC mismatches are reported and the
 *   data read anyway.
 * What needs no chunk before (sane, setup, records) runs on -j workers
 * too; what does (cb_evtx_chunk_classify, cb_evtx_admit) only on the
 * consumer, in file order.
 */
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "stream.h"
#include "evtx_internal.h"

/* ---- live records, to drop stale copies ------------------------------ */

static size_t live_slot(const struct state *st, uint64_t rid, cb_time ts)
{
    uint64_t h = (rid ^ ((uint64_t)ts * 0x9e3779b97f4a7c15ULL)) *
                 0xff51afd7ed558ccdULL;
    return (size_t)(h >> 17) & (st->live_slots - 1);
}

static int live_empty(const struct live *l)
{
    return l->rid == 0 && l->ts == 0;
}

/* Hashed, not sorted: a wrapped log's ids are not in file order, and a
 * sorted array re-sorted on every lookup made it quadratic. */
static int live_has(const struct state *st, uint64_t rid, cb_time ts)
{
    if (!st->live_slots)
        return 0;
    size_t mask = st->live_slots - 1;
    for (size_t i = live_slot(st, rid, ts);; i = (i + 1) & mask) {
        const struct live *l = &st->live[i];
        if (live_empty(l))
            return 0;
        if (l->rid == rid && l->ts == ts)
            return 1;
    }
}

static void live_put(struct state *st, uint64_t rid, cb_time ts)
{
    size_t i = live_slot(st, rid, ts);
    while (!live_empty(&st->live[i]))
        i = (i + 1) & (st->live_slots - 1);
    st->live[i] = (struct live){rid, ts};
    st->nlive++;
}

static int live_add(struct state *st, uint64_t rid, cb_time ts)
{
    if (rid == 0 && ts == 0)
        return 0; /* the empty mark: not remembered */
    if ((st->nlive + 1) * 2 > st->live_slots) {
        size_t n = st->live_slots ? st->live_slots * 2 : 4096;
        struct live *old = st->live;
        size_t nold = st->live_slots;
        st->live = cb_calloc(n, sizeof *st->live);
        if (!st->live) {
            st->live = old;
            return -1;
        }
        st->live_slots = n;
        st->nlive = 0;
        for (size_t k = 0; k < nold; k++)
            if (!live_empty(&old[k]))
                live_put(st, old[k].rid, old[k].ts);
        cb_free(old);
    }
    live_put(st, rid, ts);
    return 0;
}

int cb_evtx_admit(struct state *st, uint64_t rid, cb_time ts, int after_damage)
{
    if (st->stale) {
        if (st->nlive && live_has(st, rid, ts)) {
            st->dropped_copies++;
            return 0;
        }
        st->recovered++;
    } else if (st->nlive && live_has(st, rid, ts)) {
        if (st->repeats++ == 0) {
            st->repeat_rid = rid;
            st->repeat_off = st->rec_off;
        }
        return 0;
    } else if (after_damage) {
        st->scanned++;
    }
    if (!st->stale && live_add(st, rid, ts) != 0)
        return -1;
    return 1;
}

/* ---- records of a chunk ---------------------------------------------- */

int cb_evtx_chunk_next(struct cb_parse *p, struct state *st,
                       struct cb_event *ev)
{
    const unsigned char *c = st->c;
    while (st->rec < st->rec_end && st->rec + REC_HEADER <= st->clen) {
        uint32_t off = st->rec;
        uint32_t size = cb_le32(c + off + 4);
        const char *why = NULL;
        if (memcmp(c + off, "**\0\0", 4) != 0)
            why = "no record signature";
        else if (size < REC_HEADER + 4 + 1 || size > CHUNK - off)
            why = "record size out of bounds";
        else if (size > st->clen - off)
            why = "record cut short by the end of the file";
        else if (cb_le32(c + off + size - 4) != size)
            why = "record size and its copy differ";
        if (why) {
            int quiet = st->resyncing;
            st->resyncing = 1;
            if (!st->after_damage) {
                st->after_damage = 1;
                st->damage_off = off;
            }
            /* resynchronise on the next signature in the chunk */
            const unsigned char *nx =
                memmem(c + off + 1, st->rec_end - off - 1, "**\0\0", 4);
            uint32_t to = nx ? (uint32_t)(nx - c) : st->rec_end;
            if (!quiet)
                cb_parse_warn(p, CB_WHERE_OFFSET, st->coff + off,
                              "chunk %llu: %s (size %u) at chunk offset 0x%x; "
                              "%s",
                              (unsigned long long)st->slot, why, size, off,
                              nx ? "skipped to the next record signature"
                                 : "rest of the chunk skipped");
            st->rec = to;
            continue;
        }
        st->rec = off + size;
        st->resyncing = 0;
        int r = cb_evtx_record(p, st, ev, off, size);
        if (r != 0)
            return r;
    }
    return 0;
}

/* ---- chunks ------------------------------------------------------------ */

static int all_zero(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        if (v)
            return 0;
    }
    for (; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int in_range(const struct state *st, uint64_t slot)
{
    if (!st->hdr_valid)
        return 1;
    if (st->first_chunk <= st->last_chunk)
        return slot >= st->first_chunk && slot <= st->last_chunk;
    return slot >= st->first_chunk || slot <= st->last_chunk;
}

int cb_evtx_chunk_sane(struct cb_parse *p, const unsigned char *data,
                       size_t len, uint64_t slot, uint64_t coff)
{
    if (len < CHUNK && all_zero(data, len)) {
        cb_parse_warn(p, CB_WHERE_OFFSET, coff,
                      "chunk %llu: file ends %zu bytes into this empty "
                      "slot: the file was cut short",
                      (unsigned long long)slot, len);
        return 0;
    }
    if (len < CHUNK_HEADER) {
        cb_parse_warn(p, CB_WHERE_OFFSET, coff,
                      "chunk %llu: file ends %zu bytes into it, before "
                      "the end of its header; skipped",
                      (unsigned long long)slot, len);
        return 0;
    }
    if (memcmp(data, "ElfChnk\0", 8) != 0) {
        if (!all_zero(data, len)) {
            cb_parse_warn(p, CB_WHERE_OFFSET, coff,
                          "chunk %llu at file offset %llu: no ElfChnk "
                          "signature; skipped",
                          (unsigned long long)slot, (unsigned long long)coff);
        }
        return 0;
    }
    return 1;
}

int cb_evtx_chunk_classify(struct state *st, const unsigned char *data,
                           size_t len, uint64_t slot, int deferred,
                           int prev_live)
{
    uint64_t first_rid = cb_le64(data + 24);
    int live;
    if (deferred) {
        live = 0;
    } else if (in_range(st, slot)) {
        live = 1;
    } else if (st->dirty && prev_live && first_rid &&
               (first_rid == st->prev_last_rid + 1 ||
                first_rid == st->prev_max_rid + 1)) {
        live = 1; /* the header was not rewritten after this chunk */
        if (!st->cont_chunks++)
            st->cont_first = slot;
        st->cont_last = slot;
    } else {
        live = 0;
        if (st->hdr_valid && slot < st->first_chunk) {
            /* live chunks follow: hold this one back to drop copies */
            if (st->ndefer < CB_LIMIT_EVTX_DEFERRED_CHUNKS) {
                unsigned char *copy = cb_malloc(len);
                struct deferred *nd =
                    cb_realloc(st->defer, (st->ndefer + 1) * sizeof *st->defer);
                if (!copy || !nd) {
                    cb_free(copy);
                    if (nd)
                        st->defer = nd;
                    return -1;
                }
                st->defer = nd;
                memcpy(copy, data, len);
                st->defer[st->ndefer].data = copy;
                st->defer[st->ndefer].len = len;
                st->defer[st->ndefer].slot = slot;
                st->ndefer++;
                return 2;
            }
            st->defer_full = 1;
        }
    }
    if (!live)
        st->stale_chunks++;
    return live;
}

void cb_evtx_chunk_setup(struct cb_parse *p, struct state *st,
                         const unsigned char *data, size_t len, uint64_t slot,
                         uint64_t coff, int stale)
{
    uint64_t last_rid = cb_le64(data + 32);
    uint32_t flags = cb_le32(data + 120);
    int check = !st->no_crc && !(flags & 4);
    if (check) {
        uint32_t want = cb_le32(data + 124);
        uint32_t got =
            cb_crc32(cb_crc32(0, data, 120), data + 128, CHUNK_HEADER - 128);
        if (want != got)
            cb_parse_warn(p, CB_WHERE_OFFSET, coff,
                          "chunk %llu: header CRC32 0x%08x, stored 0x%08x; "
                          "read anyway",
                          (unsigned long long)slot, got, want);
    }
    uint32_t fso = cb_le32(data + 48);
    uint32_t end = (uint32_t)len;
    if (fso < CHUNK_HEADER || fso > CHUNK) {
        cb_parse_warn(p, CB_WHERE_OFFSET, coff,
                      "chunk %llu: free space offset 0x%x out of range; "
                      "records read to the end of the chunk",
                      (unsigned long long)slot, fso);
    } else {
        if (fso < end)
            end = fso;
        if (check && fso <= len) {
            uint32_t want = cb_le32(data + 52);
            uint32_t got = cb_crc32(0, data + CHUNK_HEADER, fso - CHUNK_HEADER);
            if (want != got)
                cb_parse_warn(p, CB_WHERE_OFFSET, coff,
                              "chunk %llu: records CRC32 0x%08x, stored "
                              "0x%08x (often a chunk still being written); "
                              "read anyway",
                              (unsigned long long)slot, got, want);
        }
    }
    if (len < CHUNK)
        cb_parse_warn(p, CB_WHERE_OFFSET, coff,
                      "chunk %llu: file ends %zu bytes into it; records "
                      "past that are lost",
                      (unsigned long long)slot, len);
    st->c = data;
    st->clen = len;
    st->slot = slot;
    st->coff = coff;
    st->stale = stale;
    st->rec = CHUNK_HEADER;
    st->rec_end = end;
    st->resyncing = 0;
    st->after_damage = 0;
    st->quiet_skips = 0;
    st->hdr_last_rid = last_rid;
    st->max_rid = 0;
    st->gen++;
    st->nnames = 0;
    st->ntpls = 0;
    st->names_text.len = 0;
    st->ntops = 0;
}

/* Make data (len bytes of chunk slot) the current chunk, if it is one.
 * Returns 1 to parse it now, 0 to skip it, 2 to hold it back, -1 on out
 * of memory. */
static int chunk_begin(struct cb_parse *p, struct state *st,
                       const unsigned char *data, size_t len, uint64_t slot,
                       int deferred)
{
    uint64_t coff = st->base + slot * CHUNK;
    int prev_live = st->prev_live;
    st->prev_live = 0;
    if (!cb_evtx_chunk_sane(p, data, len, slot, coff))
        return 0;
    int live = cb_evtx_chunk_classify(st, data, len, slot, deferred, prev_live);
    if (live < 0 || live == 2)
        return live;
    cb_evtx_chunk_setup(p, st, data, len, slot, coff, !live);
    return 1;
}

void cb_evtx_chunk_end_warn(struct cb_parse *p, const struct state *st)
{
    if (st->quiet_skips)
        cb_parse_warn(p, CB_WHERE_OFFSET, st->coff + st->damage_off,
                      "chunk %llu: %llu more records past the damage "
                      "at chunk offset 0x%x skipped (overwritten, or "
                      "their templates are gone)",
                      (unsigned long long)st->slot,
                      (unsigned long long)st->quiet_skips, st->damage_off);
}

int cb_evtx_chunk_load(struct cb_parse *p, struct state *st)
{
    while (!st->eof) {
        size_t n = cb_stream_read(p->in, st->buf, CHUNK);
        if (n == 0) {
            if (p->in->failed) {
                p->err = p->in->err;
                return -1;
            }
            st->eof = 1;
            break;
        }
        if (n < CHUNK)
            st->eof = 1;
        uint64_t slot = st->next_slot++;
        int r = chunk_begin(p, st, st->buf, n, slot, 0);
        if (r < 0) {
            cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_NONE, 0,
                         "out of memory");
            return -1;
        }
        if (r == 1)
            return 1;
    }
    while (st->defer_done < st->ndefer) {
        struct deferred *d = &st->defer[st->defer_done++];
        if (chunk_begin(p, st, d->data, d->len, d->slot, 1) == 1)
            return 1;
    }
    return 0;
}
