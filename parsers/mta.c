/*
 * mta.c - Event Viewer locale metadata: the LocaleMetaData/<log>_<LCID>.MTA
 * file that Event Viewer ("Save ... and display information"), wevtutil al
 * and TSS write next to an exported <log>.evtx. It carries the message
 * Windows rendered for every record, so the log reads the same on a
 * machine without the publishers' message DLLs. The parser registered here
 * loads it (no events of its own); the pairing pass in parsers/mta_pair.c (the parser's sidecars and finish ops)
 * gives the messages to the log's events.
 *
 * No format document was found. The layout below was worked out from one
 * real file (omerbenamram/evtx samples/mta/test_1033.MTA, 63236 bytes,
 * 239 records, one publisher) and checked against the Event Viewer CSV
 * export of the same log: the message found for every record through it
 * equals the CSV's (tests/unit/test_corpus_mta.c). "certain" below means
 * every byte of that file agrees; "inferred" means one file cannot tell.
 *
 * All integers little-endian; strings UTF-16LE.
 *
 * File header (certain)
 *   0   8  "MTAFile\0"
 *   8   4  1             (inferred: a version; the loader does not check)
 *   12  4  1             (as above)
 *   16  4  size in bytes of the section table that follows
 *   20  4  number of sections (3)
 *   24  -  section table, per section:
 *          u64 file offset, u64 size, u32 name size in bytes, name
 *          (UTF-16, no NUL): "EVT", "MSG", "PUB". The sections follow the
 *          table back to back and end at the end of the file.
 *
 * Section = a chain of pages, the first at section offset 0 (certain)
 *   0x00  4  0xFFFFFFFF
 *   0x04 56  14 x u32 index of the last entry of this page, counted over
 *            the whole section (99, 199, 238 for 239 entries; why it is
 *            repeated 14 times is unknown)
 *   0x3C  4  0xFFFFFFFF
 *   0x40  8  page number (0, 1, 2, ...)
 *   0x48  8  section offset of the next page; the page's own offset on
 *            the last page
 *   0x50  8  section offset of this page
 *   0x58 800 100 x u64 section offsets of the page's entries; 0 = unused
 *   0x378    the entries themselves, then the next page
 * Entry: u32 index (0, 1, 2, ... over the section), u32 size of the body
 * that follows, body.
 *
 * EVT body, 16 bytes (certain for this file; that the key is the record's
 * EventRecordID is inferred: keys run 10..248 exactly as the log's record
 * ids do, and the message found through them matches Event Viewer's for
 * all 239 records):
 *   u64 EventRecordID, u64 index of its message in MSG.
 * MSG body (certain): u32 string size in bytes including the NUL, then
 *   the string. The messages are already rendered: inserts are filled in
 *   (no %1 in any of them), one per record even when two read the same.
 *   The first MSG strings are the names the PUB lists point at.
 * PUB body, one per publisher (lists certain as far as their shape; which
 *   list is tasks is inferred: the second list is empty for the one real
 *   publisher and holds 0x00010000 -> "None" for the default one):
 *   levels:   u32 n, n x {u32 level, u32 MSG index}
 *   tasks:    u32 n, n x {u32 value, u32 MSG index}
 *   opcodes:  u32 n, n x {u32 opcode << 16 | task, u32 MSG index}
 *   keywords: u32 n, n x {u32 bit number (48 = ResponseTime ... 55 =
 *             Classic), u32 MSG index}
 *   u32 name size in bytes, name (no NUL): "DEFAULT_PUBLISHER" (the
 *   winmeta level/opcode/keyword names) then "Microsoft-Windows-Servicing".
 * The records do not name their publisher: the MTA belongs to one log.
 * Only publisher names are kept (to check that a log's events are the
 * MTA's); casebrief's event model has no task/opcode/keyword text.
 *
 * Hostile input: every offset, size and count is checked against the
 * section it lies in; page chains must move forward; an entry that does
 * not fit is skipped and counted; lone surrogates become U+FFFD.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "endian.h"
#include "stream.h"
#include "utf.h"
#include "casebrief/limits.h"
#include "mta.h"
#include "casebrief/parser.h"

#define MAGIC "MTAFile\0"
#define HDR_BYTES 24u
#define PAGE_MARK 0xFFFFFFFFu
#define PAGE_SLOTS 100u
#define PAGE_HDR 0x58u
#define PAGE_FIXED (PAGE_HDR + 8u * PAGE_SLOTS) /* 0x378 */

struct rec {
    uint64_t id;
    const char *msg; /* NULL: empty slot */
};

struct cb_mta {
    struct rec *tab; /* open addressing, cap a power of two */
    size_t cap, nrec;
    const char **pubs;
    size_t npubs;
};

struct section {
    uint64_t off, size; /* in the file */
    int present;
};

struct load {
    const unsigned char *d;
    size_t len;
    struct cb_arena *arena;
    struct cb_mta_stats st;
    char *u8; /* scratch for one decoded string */
    size_t u8_cap;
    const char **msgs; /* by MSG index */
    size_t nmsgs;
    size_t nslots;    /* entries counted by count_entry */
    struct cb_mta *m; /* being filled */
};

static void damage(struct load *L, uint64_t where)
{
    if (L->st.damaged++ == 0)
        L->st.first_damage = where;
}

/* Whether a NUL unit is among the units at s. */
static int has_nul(const unsigned char *s, size_t units)
{
    for (size_t i = 0; i < units; i++)
        if (s[2 * i] == 0 && s[2 * i + 1] == 0)
            return 1;
    return 0;
}

/* nbytes of UTF-16LE at s, up to the first NUL, as a UTF-8 string in the
 * arena; at most CB_LIMIT_MTA_MESSAGE units (*cut set when more). */
static const char *decode(struct load *L, const unsigned char *s, size_t nbytes,
                          int *cut)
{
    size_t units = nbytes / 2;
    *cut = 0;
    if (units > CB_LIMIT_MTA_MESSAGE) {
        units = CB_LIMIT_MTA_MESSAGE;
        *cut = 1;
    }
    size_t need = units * 3 + 1; /* a pair: 2 units, 4 bytes */
    if (need > L->u8_cap) {
        char *nb = cb_realloc(L->u8, need);
        if (!nb)
            return NULL;
        L->u8 = nb;
        L->u8_cap = need;
    }
    size_t o = cb_utf16le_to_utf8(s, units, L->u8);
    if (*cut && has_nul(s, units))
        *cut = 0; /* the message ended within the limit */
    return cb_arena_strndup(L->arena, L->u8, o);
}

/* One entry of a section: index, body of blen bytes at file offset off. */
typedef enum cb_status (*entry_fn)(struct load *L, uint32_t index,
                                   const unsigned char *body, size_t blen,
                                   uint64_t off);

/* Every entry of every page of s, in page and slot order. A page that
 * does not fit, or a chain that does not move forward, ends the walk. */
static enum cb_status walk(struct load *L, const struct section *s, entry_fn fn)
{
    const unsigned char *base = L->d + s->off;
    uint64_t page = 0;
    for (;;) {
        if (s->size < PAGE_FIXED || page > s->size - PAGE_FIXED) {
            damage(L, s->off + page);
            return CB_OK;
        }
        const unsigned char *p = base + page;
        if (cb_le32(p) != PAGE_MARK || cb_le32(p + 0x3C) != PAGE_MARK ||
            cb_le64(p + 0x50) != page) {
            damage(L, s->off + page);
            return CB_OK;
        }
        for (unsigned k = 0; k < PAGE_SLOTS; k++) {
            uint64_t eo = cb_le64(p + PAGE_HDR + 8u * k);
            if (eo == 0)
                continue;
            if (eo < PAGE_FIXED || eo > s->size - 8) {
                damage(L, s->off + page + PAGE_HDR + 8u * k);
                continue;
            }
            uint32_t idx = cb_le32(base + eo);
            uint32_t blen = cb_le32(base + eo + 4);
            if (blen > s->size - eo - 8) {
                damage(L, s->off + eo);
                continue;
            }
            enum cb_status st = fn(L, idx, base + eo + 8, blen, s->off + eo);
            if (st != CB_OK)
                return st;
        }
        uint64_t next = cb_le64(p + 0x48);
        if (next == page)
            return CB_OK;
        /* forward only, past this page's header: the walk ends */
        if (next < page + PAGE_FIXED) {
            damage(L, s->off + page + 0x48);
            return CB_OK;
        }
        page = next;
    }
}

static enum cb_status count_entry(struct load *L, uint32_t index,
                                  const unsigned char *body, size_t blen,
                                  uint64_t off)
{
    (void)index, (void)body, (void)blen, (void)off;
    L->nslots++;
    return CB_OK;
}

static enum cb_status msg_entry(struct load *L, uint32_t index,
                                const unsigned char *body, size_t blen,
                                uint64_t off)
{
    if (index >= L->nmsgs || L->msgs[index] || blen < 4 ||
        cb_le32(body) > blen - 4) {
        damage(L, off);
        return CB_OK;
    }
    int cut;
    const char *s = decode(L, body + 4, cb_le32(body), &cut);
    if (!s)
        return CB_E_NOMEM;
    L->st.cut += (size_t)cut;
    L->msgs[index] = s;
    L->st.messages++;
    return CB_OK;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static enum cb_status evt_entry(struct load *L, uint32_t index,
                                const unsigned char *body, size_t blen,
                                uint64_t off)
{
    (void)index;
    if (blen < 16) {
        damage(L, off);
        return CB_OK;
    }
    uint64_t id = cb_le64(body), mi = cb_le64(body + 8);
    if (mi >= L->nmsgs || !L->msgs[mi]) {
        damage(L, off);
        return CB_OK;
    }
    struct cb_mta *m = L->m;
    size_t mask = m->cap - 1;
    for (size_t h = (size_t)mix(id) & mask;; h = (h + 1) & mask) {
        if (!m->tab[h].msg) {
            m->tab[h].id = id;
            m->tab[h].msg = L->msgs[mi];
            m->nrec++;
            return CB_OK;
        }
        if (m->tab[h].id == id) {
            damage(L, off); /* the same record twice: the first stays */
            return CB_OK;
        }
    }
}

static enum cb_status pub_entry(struct load *L, uint32_t index,
                                const unsigned char *body, size_t blen,
                                uint64_t off)
{
    (void)index;
    size_t pos = 0;
    for (int list = 0; list < 4; list++) { /* levels, tasks, opcodes, kw */
        if (blen - pos < 4 || cb_le32(body + pos) > (blen - pos - 4) / 8) {
            damage(L, off);
            return CB_OK;
        }
        pos += 4 + (size_t)cb_le32(body + pos) * 8;
    }
    if (blen - pos < 4 || cb_le32(body + pos) > blen - pos - 4 ||
        L->m->npubs >= L->nslots) {
        damage(L, off);
        return CB_OK;
    }
    int cut;
    const char *name = decode(L, body + pos + 4, cb_le32(body + pos), &cut);
    if (!name)
        return CB_E_NOMEM;
    L->m->pubs[L->m->npubs++] = name;
    return CB_OK;
}

/* Entries of s counted (pages walked once more to fill). */
static enum cb_status count(struct load *L, const struct section *s, size_t *n)
{
    L->nslots = 0;
    size_t damaged = L->st.damaged;
    uint64_t first = L->st.first_damage;
    enum cb_status st = walk(L, s, count_entry);
    /* damage is counted by the filling walk, not twice */
    L->st.damaged = damaged;
    L->st.first_damage = first;
    *n = L->nslots;
    return st;
}

static enum cb_status load_sections(struct load *L, const struct section *evt,
                                    const struct section *msg,
                                    const struct section *pub)
{
    enum cb_status st = count(L, msg, &L->nmsgs);
    if (st != CB_OK)
        return st;
    L->msgs = cb_calloc(L->nmsgs ? L->nmsgs : 1, sizeof *L->msgs);
    if (!L->msgs)
        return CB_E_NOMEM;
    if ((st = walk(L, msg, msg_entry)) != CB_OK)
        return st;

    size_t nevt;
    if ((st = count(L, evt, &nevt)) != CB_OK)
        return st;
    struct cb_mta *m = L->m;
    m->cap = 16;
    while (m->cap < 2 * nevt)
        m->cap *= 2;
    m->tab = cb_arena_calloc(L->arena, m->cap, sizeof *m->tab);
    if (!m->tab)
        return CB_E_NOMEM;
    if ((st = walk(L, evt, evt_entry)) != CB_OK)
        return st;
    L->st.records = m->nrec;

    if (!pub->present)
        return CB_OK;
    if ((st = count(L, pub, &L->nslots)) != CB_OK)
        return st;
    m->pubs =
        cb_arena_calloc(L->arena, L->nslots ? L->nslots : 1, sizeof *m->pubs);
    if (!m->pubs)
        return CB_E_NOMEM;
    return walk(L, pub, pub_entry);
}

static int section_is(const unsigned char *name, uint32_t n, const char *want)
{
    size_t w = strlen(want);
    if (n != 2 * w)
        return 0;
    for (size_t i = 0; i < w; i++) {
        if (name[2 * i] != (unsigned char)want[i] || name[2 * i + 1] != 0)
            return 0;
    }
    return 1;
}

enum cb_status cb_mta_load(struct cb_arena *arena, const void *data, size_t len,
                           struct cb_mta **out, struct cb_mta_stats *stats,
                           struct cb_error *err)
{
    const unsigned char *d = data;
    *out = NULL;
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (len < HDR_BYTES || memcmp(d, MAGIC, 8) != 0)
        return cb_error_set(err, CB_E_CORRUPT, CB_WHERE_OFFSET, 0,
                            "not an MTA file (no MTAFile signature)");
    uint32_t tbytes = cb_le32(d + 16), nsec = cb_le32(d + 20);
    if (tbytes > len - HDR_BYTES || nsec > CB_LIMIT_MTA_SECTIONS)
        return cb_error_set(err, CB_E_CORRUPT, CB_WHERE_OFFSET, 16,
                            "section table of %u bytes, %u sections, does "
                            "not fit",
                            tbytes, nsec);
    struct section evt = {0}, msg = {0}, pub = {0};
    size_t pos = HDR_BYTES, end = HDR_BYTES + tbytes;
    for (uint32_t i = 0; i < nsec; i++) {
        if (end - pos < 20 || cb_le32(d + pos + 16) > end - pos - 20 ||
            cb_le32(d + pos + 16) > CB_LIMIT_MTA_SECTION_NAME)
            return cb_error_set(err, CB_E_CORRUPT, CB_WHERE_OFFSET, pos,
                                "section %u: entry does not fit the table", i);
        uint64_t off = cb_le64(d + pos), size = cb_le64(d + pos + 8);
        uint32_t nlen = cb_le32(d + pos + 16);
        if (off > len || size > len - off)
            return cb_error_set(err, CB_E_CORRUPT, CB_WHERE_OFFSET, pos,
                                "section %u: %llu bytes at %llu pass the end "
                                "of the file (%zu bytes)",
                                i, (unsigned long long)size,
                                (unsigned long long)off, len);
        struct section *s = section_is(d + pos + 20, nlen, "EVT")   ? &evt
                            : section_is(d + pos + 20, nlen, "MSG") ? &msg
                            : section_is(d + pos + 20, nlen, "PUB") ? &pub
                                                                    : NULL;
        if (s && !s->present) /* unknown names: ignored */
            *s = (struct section){.off = off, .size = size, .present = 1};
        pos += 20 + nlen;
    }
    if (!evt.present || !msg.present)
        return cb_error_set(err, CB_E_CORRUPT, CB_WHERE_OFFSET, HDR_BYTES,
                            "no %s section", evt.present ? "MSG" : "EVT");

    struct cb_mta *m = cb_arena_calloc(arena, 1, sizeof *m);
    if (!m)
        return cb_error_set(err, CB_E_NOMEM, CB_WHERE_NONE, 0, "MTA");
    struct load L = {.d = d, .len = len, .arena = arena, .m = m};
    enum cb_status st = load_sections(&L, &evt, &msg, &pub);
    cb_free(L.msgs);
    cb_free(L.u8);
    if (st != CB_OK)
        return cb_error_set(err, st, CB_WHERE_NONE, 0, "loading the MTA");
    if (stats)
        *stats = L.st;
    *out = m;
    return CB_OK;
}

const char *cb_mta_message(const struct cb_mta *m, uint64_t record_id)
{
    if (!m || !m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t h = (size_t)mix(record_id) & mask;; h = (h + 1) & mask) {
        if (!m->tab[h].msg)
            return NULL;
        if (m->tab[h].id == record_id)
            return m->tab[h].msg;
    }
}

size_t cb_mta_publisher_count(const struct cb_mta *m)
{
    return m ? m->npubs : 0;
}

const char *cb_mta_publisher(const struct cb_mta *m, size_t i)
{
    return m && i < m->npubs ? m->pubs[i] : NULL;
}

int cb_mta_has_publisher(const struct cb_mta *m, const char *name)
{
    int named = 0;
    for (size_t i = 0; i < m->npubs; i++) {
        if (strcmp(m->pubs[i], "DEFAULT_PUBLISHER") == 0)
            continue;
        named = 1;
        if (name && strcasecmp(m->pubs[i], name) == 0)
            return 1;
    }
    return !named;
}

/* ---- the parser: loads the file, hands out no events ------------------- */

static int bid(const unsigned char *head, size_t len, const char *name)
{
    if (len < 8 || memcmp(head, MAGIC, 8) != 0)
        return 0;
    size_t nl = name ? strlen(name) : 0;
    int ext = nl >= 4 && strcasecmp(name + nl - 4, ".mta") == 0;
    return 64 + (ext ? 8 : 0);
}

static enum cb_status open_(struct cb_parse *p, void **state)
{
    *state = NULL;
    size_t cap = CB_LIMIT_MTA_BYTES, len = 0, alloc = 64u << 10;
    unsigned char *buf = cb_malloc(alloc);
    if (!buf)
        return cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_NONE, 0, "MTA");
    for (;;) {
        if (len == alloc) {
            size_t na = alloc * 2 < cap + 1 ? alloc * 2 : cap + 1;
            unsigned char *nb = cb_realloc(buf, na);
            if (!nb) {
                cb_free(buf);
                return cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_NONE, 0,
                                    "MTA");
            }
            buf = nb;
            alloc = na;
        }
        size_t n = cb_stream_read(p->in, buf + len, alloc - len);
        if (n == 0)
            break;
        len += n;
        if (len > cap) {
            cb_free(buf);
            cb_parse_warn(p, CB_WHERE_NONE, 0,
                          "MTA larger than %zu bytes: its messages are not "
                          "used",
                          cap);
            return CB_OK;
        }
    }
    if (p->in->failed) {
        cb_free(buf);
        p->err = p->in->err;
        return p->err.code ? p->err.code : CB_E_IO;
    }
    struct cb_mta *m;
    struct cb_mta_stats stats;
    enum cb_status st = cb_mta_load(p->arena, buf, len, &m, &stats, &p->err);
    cb_free(buf);
    if (st != CB_OK)
        return st;
    p->src->sidecar = m;
    if (stats.damaged)
        cb_parse_warn(p, CB_WHERE_OFFSET, stats.first_damage,
                      "%zu malformed MTA entr%s skipped (first here)",
                      stats.damaged, stats.damaged == 1 ? "y" : "ies");
    if (stats.cut)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "%zu message%s longer than %u characters cut", stats.cut,
                      stats.cut == 1 ? "" : "s", CB_LIMIT_MTA_MESSAGE);
    return CB_OK;
}

static enum cb_next next(struct cb_parse *p, void *state, struct cb_event *ev)
{
    (void)p, (void)state, (void)ev;
    return CB_NEXT_END;
}

const struct cb_parser_ops cb_parser_mta = {
    .name = "mta",
    .description = "Event Viewer locale metadata (LocaleMetaData/*.MTA): "
                   "messages for the .evtx beside it",
    .data_type = "windows:evtx:record",
    .bid = bid,
    .open = open_,
    .next = next,
    .sidecars = cb_mta_ingest_sidecars,
    .finish = cb_mta_apply,
};
