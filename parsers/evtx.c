/*
 * evtx.c - Windows XML Event Log (.evtx), read natively.
 *
 * Format (spec: shared/kb/spec/Windows XML Event Log (EVTX).asciidoc, by
 * libyal): a 4 KiB file header "ElfFile\0", then 64 KiB chunks
 * "ElfChnk\0". A chunk has a 512-byte header, then records "**\0\0"
 * (size, record id, FILETIME, Binary XML, size again). Most records are a
 * template instance: the template, an XML skeleton with numbered
 * substitutions, is defined once per chunk and later referenced by its
 * chunk offset; a record carries only the substitution values.
 *
 * How it is read (the parts in evtx/, evtx/evtx_internal.h lists them):
 * - Streamed 64 KiB at a time. Only stale chunks that come before live
 *   ones are held back (at most CB_LIMIT_EVTX_DEFERRED_CHUNKS).
 * - Each template definition is compiled once per chunk into a flat list
 *   of operations (open, attribute, text, substitution, close; binxml.c).
 *   A record runs that list over its values through a small state machine
 *   that routes each value straight into the event: no XML text is built
 *   (record.c).
 *   System/Provider@Name, EventID, Level, TimeCreated@SystemTime,
 *   EventRecordID, Execution@ProcessID/ThreadID, Channel and Computer fill
 *   the event; EventData/Data and the leaves under UserData become fields.
 * - Live chunks: inside the header's first..last range, or, in a dirty
 *   file, continuing the record ids of the live chunk just before (the
 *   header was not rewritten; libevtx and Event Viewer read these too).
 *   Any other valid chunk is stale: its records are flagged recovered, and
 *   a stale copy of a live record (same id and time) is dropped
 *   (chunk.c).
 * - Damage is a warning with its file offset: a chunk without signature
 *   is skipped, a bad record is skipped by searching the next "**\0\0",
 *   a record whose template is broken is skipped. CRC mismatches are
 *   reported and the data read anyway. Every length, offset and count
 *   read from the file is checked against the chunk before use.
 * - With -j N, a long file's chunks are decoded on worker threads
 *   (parallel.c), with the output and warnings of -j 1.
 * This file: the file header and the parser interface.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crc32.h"
#include "stream.h"
#include "evtx/evtx_internal.h"

/* ---- the parser interface -------------------------------------------- */

static int bid(const unsigned char *head, size_t len, const char *name)
{
    size_t nl = name ? strlen(name) : 0;
    int ext = nl >= 5 && strcasecmp(name + nl - 5, ".evtx") == 0;
    if (len >= 8 && memcmp(head, "ElfFile\0", 8) == 0)
        return 64 + (ext ? 8 : 0);
    if (len >= 8 && memcmp(head, "ElfChnk\0", 8) == 0)
        return 48;
    return ext ? 8 : 0;
}

void cb_evtx_state_free(struct state *st)
{
    cb_free(st->buf);
    cb_free(st->names);
    cb_free(st->names_text.p);
    cb_free(st->tpls);
    cb_free(st->tops);
    cb_free(st->sops);
    cb_free(st->vals);
    cb_free(st->text.p);
    cb_free(st->dname.p);
    cb_free(st->tmp.p);
    for (int k = 0; k < NSYS; k++)
        cb_free(st->sys[k].p);
    cb_free(st->flds);
    cb_free(st->live);
    for (size_t i = 0; i < st->ndefer; i++)
        cb_free(st->defer[i].data);
    cb_free(st->defer);
    cb_free(st);
}

/* The 4 KiB file header: the live chunk range and the flags. */
static enum cb_status read_header(struct cb_parse *p, struct state *st)
{
    size_t avail;
    const unsigned char *h = cb_stream_peek(p->in, 8, &avail);
    if (avail == 8 && memcmp(h, "ElfChnk\0", 8) == 0) {
        cb_parse_warn(p, CB_WHERE_OFFSET, 0,
                      "starts with a chunk, not a file header: every chunk "
                      "read as live");
        return CB_OK; /* base 0 */
    }
    unsigned char hdr[FILE_HEADER];
    size_t n = cb_stream_read(p->in, hdr, sizeof hdr);
    st->base = FILE_HEADER;
    st->next_slot = 0;
    if (n < sizeof hdr) {
        if (p->in->failed) {
            p->err = p->in->err;
            return p->err.code ? p->err.code : CB_E_IO;
        }
        cb_parse_warn(p, CB_WHERE_OFFSET, 0,
                      "file is %zu bytes, shorter than the 4 KiB file "
                      "header: no records",
                      n);
        st->eof = 1;
        return CB_OK;
    }
    if (memcmp(hdr, "ElfFile\0", 8) != 0) {
        cb_parse_warn(p, CB_WHERE_OFFSET, 0,
                      "no ElfFile signature: header ignored, every chunk "
                      "read as live");
        return CB_OK;
    }
    st->hdr_valid = 1;
    st->first_chunk = cb_le64(hdr + 8);
    st->last_chunk = cb_le64(hdr + 16);
    uint32_t flags = cb_le32(hdr + 120);
    st->dirty = flags & 1;
    st->no_crc = (flags & 4) != 0;
    unsigned minor = cb_le16(hdr + 36), major = cb_le16(hdr + 38);
    if (major != 3 || minor < 1 || minor > 2)
        cb_parse_warn(p, CB_WHERE_OFFSET, 36,
                      "format version %u.%u not known; read as 3.1", major,
                      minor);
    if (cb_le16(hdr + 40) != FILE_HEADER)
        cb_parse_warn(p, CB_WHERE_OFFSET, 40,
                      "header block size %u, not 4096; chunks read from "
                      "4096",
                      cb_le16(hdr + 40));
    if (!st->no_crc) {
        uint32_t want = cb_le32(hdr + 124), got = cb_crc32(0, hdr, 120);
        if (want != got)
            cb_parse_warn(p, CB_WHERE_OFFSET, 124,
                          "file header CRC32 0x%08x, stored 0x%08x; read "
                          "anyway",
                          got, want);
    }
    return CB_OK;
}

struct state *cb_evtx_state_new(struct cb_parse *p)
{
    struct state *st = cb_calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->buf = cb_malloc(CHUNK);
    st->names = cb_calloc(CB_LIMIT_EVTX_NAME_SLOTS, sizeof *st->names);
    st->tpls = cb_calloc(CB_LIMIT_EVTX_TEMPLATE_SLOTS, sizeof *st->tpls);
    st->f_qualifiers = cb_intern_cstr(p->strings, "Qualifiers");
    st->f_computer = cb_intern_cstr(p->strings, "Computer");
    st->f_empty = cb_intern_cstr(p->strings, "");
    /* text buffers are never NULL: an empty value is still a string */
    int bufs = sb_room(&st->text, 4096) | sb_room(&st->dname, 256) |
               sb_room(&st->tmp, 256) | sb_room(&st->names_text, 4096);
    for (int k = 0; k < NSYS; k++)
        bufs |= sb_room(&st->sys[k], 256);
    if (bufs || !st->buf || !st->names || !st->tpls || !st->f_qualifiers ||
        !st->f_computer || !st->f_empty) {
        cb_evtx_state_free(st);
        return NULL;
    }
    return st;
}

static enum cb_status open_(struct cb_parse *p, void **state)
{
    struct state *st = cb_evtx_state_new(p);
    if (!st)
        return CB_E_NOMEM;
    p->src->time_basis = "UTC (EVTX FILETIME)";
    p->src->time_kind = CB_TK_UTC;
    p->src->origin_is_line = 0;
    enum cb_status s = read_header(p, st);
    if (s != CB_OK) {
        cb_evtx_state_free(st);
        return s;
    }
    /* workers only for a file of more than PAR_AFTER_CHUNKS chunks: a
     * small log is read before threads would have started */
    st->par_wanted = p->opts && p->opts->jobs > 1;
    *state = st;
    return CB_OK;
}

static enum cb_next next(struct cb_parse *p, void *state, struct cb_event *ev)
{
    struct state *st = state;
    if (st->par)
        return cb_evtx_par_next(p, st, st->par);
    for (;;) {
        if (st->in_chunk) {
            int r = cb_evtx_chunk_next(p, st, ev);
            if (r > 0)
                return CB_NEXT_EVENT;
            if (r < 0)
                return CB_NEXT_FAIL;
            st->in_chunk = 0;
            cb_evtx_chunk_end_warn(p, st);
            st->prev_live = !st->stale;
            st->prev_last_rid = st->hdr_last_rid;
            st->prev_max_rid = st->max_rid;
        }
        if (st->par_wanted &&
            st->next_slot >=
                (p->pool ? PAR_AFTER_CHUNKS_POOLED : PAR_AFTER_CHUNKS) &&
            !st->eof) { /* the rest of the file on workers */
            st->par_wanted = 0;
            st->par = cb_evtx_par_new(p, st);
            if (st->par)
                return cb_evtx_par_next(p, st, st->par);
        }
        int c = cb_evtx_chunk_load(p, st);
        if (c < 0)
            return CB_NEXT_FAIL;
        if (c == 0)
            return CB_NEXT_END;
        st->in_chunk = 1;
    }
}

static void close_(struct cb_parse *p, void **state)
{
    if (!state || !*state)
        return;
    struct state *st = *state;
    cb_evtx_par_close(p, &st->par);
    if (st->cont_chunks)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "file header not rewritten (dirty): chunks %llu..%llu "
                      "continue the record ids past the header's last chunk "
                      "%llu and were read as live",
                      (unsigned long long)st->cont_first,
                      (unsigned long long)st->cont_last,
                      (unsigned long long)st->last_chunk);
    if (st->stale_chunks)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "%llu records recovered from %llu stale chunks "
                      "(outside the header's chunk range %llu..%llu); "
                      "flagged recovered; %llu stale copies of live records "
                      "dropped",
                      (unsigned long long)st->recovered,
                      (unsigned long long)st->stale_chunks,
                      (unsigned long long)st->first_chunk,
                      (unsigned long long)st->last_chunk,
                      (unsigned long long)st->dropped_copies);
    if (st->repeats)
        cb_parse_warn(p, CB_WHERE_OFFSET, st->repeat_off,
                      "%llu live records repeat the record id and time of "
                      "one read before (chunks copied?), the first record "
                      "id %llu: dropped, each is kept once",
                      (unsigned long long)st->repeats,
                      (unsigned long long)st->repeat_rid);
    if (st->scanned)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "%llu records found by scanning past damaged records "
                      "inside live chunks; flagged recovered",
                      (unsigned long long)st->scanned);
    if (st->defer_full)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "more than %u stale chunks before live ones: copies "
                      "of live records may remain among the recovered ones",
                      CB_LIMIT_EVTX_DEFERRED_CHUNKS);
    cb_evtx_state_free(st);
    *state = NULL;
}

const struct cb_parser_ops cb_parser_evtx = {
    .name = "evtx",
    .description = "Windows XML Event Log (.evtx), binary, incl. stale chunks",
    .data_type = "windows:evtx:record",
    .bid = bid,
    .open = open_,
    .next = next,
    .close = close_,
    .pool_free = cb_evtx_pool_free, /* -j workers kept across files */
};
