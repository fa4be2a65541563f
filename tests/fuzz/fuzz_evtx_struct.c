/*
 * fuzz_evtx_struct.c - the binary EVTX parser under structural mutation.
 *
 * Byte flips rarely get past an .evtx's gates: the file header CRC, each
 * chunk's header and records CRC, record sizes that must agree with their
 * copy, template and name offsets that must land on their structures. This
 * target's mutator (LLVMFuzzerCustomMutator, LLVMFuzzerCustomCrossOver)
 * knows the layout (shared/kb/FORMATS.md, libyal's EVTX document: 4 KiB
 * file header, 64 KiB chunks of a 512-byte header then records "**\0\0"):
 * it splices chunks within and across inputs, repeats and drops them,
 * points template definition and name offsets at other chunks' structures
 * or outside, sets header fields to extremes (chunk range and count, record
 * numbers and ids, header size, free space and last record offsets, flags),
 * breaks record sizes and their copies, retypes substitution values,
 * truncates inside records, and byte-mutates single records (libFuzzer's
 * own mutator and -dict). Then, most of the time, it re-fixes every CRC so
 * the mutation reaches the decoder rather than a checksum warning.
 *
 * Each input is read as FUZZ.evtx twice: with -j 1, and with -j 2, whose
 * workers take over after the first chunks (evtx/parallel.c): both must
 * give the same events (ids, times, fields, flags) and warnings, or the
 * harness aborts. The -j 1 result then goes through the timeline and
 * report.json, checked as the other harnesses do (fuzz_check.h).
 *
 * Seeds: tests/fuzz/corpus/evtx_struct (make_evtx_struct_seeds.py); real
 * logs join at run time (run.sh evtx_struct SECS BUILD EXTRA_DIR...).
 * mutcheck.c runs this mutator without libFuzzer under ctest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

#ifdef CB_LIBFUZZER
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
#endif

#define FHDR 4096u
#define CHK 65536u
#define CHDR 512u

/* What each mutation did, counted (mutcheck.c checks every kind runs). */
enum mkind {
    MK_BYTES,
    MK_CHUNK_COPY,
    MK_CHUNK_INSERT,
    MK_CHUNK_DROP,
    MK_CHUNK_SWAP,
    MK_CHUNK_REPEAT,
    MK_CHUNK_CONTINUE,
    MK_FILE_HEADER,
    MK_CHUNK_HEADER,
    MK_CHUNK_TABLES,
    MK_TEMPLATE_OFF,
    MK_TEMPLATE_SIZE,
    MK_NAME_OFF,
    MK_NAME_LEN,
    MK_VALUE_DESC,
    MK_SUBST_TYPE,
    MK_RECORD_SIZE,
    MK_RECORD_FIELDS,
    MK_RECORD_SPLICE,
    MK_TRUNCATE,
    MK_CROSS_CHUNK,
    MK_CROSS_RECORD,
    MK_N
};
unsigned long cb_fuzz_evtx_kinds[MK_N];
const int cb_fuzz_evtx_nkinds = MK_N;
int cb_fuzz_evtx_fixed; /* the last mutation re-fixed the CRCs */

/* ---- little helpers ---------------------------------------------------- */

static uint32_t g32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t g64(const uint8_t *p)
{
    return g32(p) | (uint64_t)g32(p + 4) << 32;
}

static void p16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void p32(uint8_t *p, uint32_t v)
{
    p16(p, v);
    p16(p + 2, v >> 16);
}

static void p64(uint8_t *p, uint64_t v)
{
    p32(p, (uint32_t)v);
    p32(p + 4, (uint32_t)(v >> 32));
}

/* Its own CRC-32 (zlib's), not the parser's cb_crc32. */
static uint32_t crc32z(uint32_t crc, const uint8_t *p, size_t n)
{
    static uint32_t tab[256];
    if (!tab[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            tab[i] = c;
        }
    }
    crc = ~crc;
    while (n--)
        crc = tab[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

struct rng {
    uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static size_t below(struct rng *r, size_t n)
{
    return n ? (size_t)(rnd(r) % n) : 0;
}

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ---- layout ------------------------------------------------------------ */

/* File offset of chunk slot 0: 0 for a bare chunk, else after the header. */
static size_t base_of(const uint8_t *d, size_t n)
{
    return n >= 8 && memcmp(d, "ElfChnk\0", 8) == 0 ? 0 : FHDR;
}

static size_t nchunks(const uint8_t *d, size_t n)
{
    size_t b = base_of(d, n);
    return n > b ? (n - b + CHK - 1) / CHK : 0;
}

static uint8_t *chunk_at(uint8_t *d, size_t n, size_t k, size_t *len)
{
    size_t off = base_of(d, n) + k * CHK;
    *len = min_sz(CHK, n - off);
    return d + off;
}

/* Every chunk's records CRC and header CRC, and the file header's. */
static void fix_crcs(uint8_t *d, size_t n)
{
    if (n >= FHDR && memcmp(d, "ElfFile\0", 8) == 0)
        p32(d + 124, crc32z(0, d, 120));
    for (size_t k = 0, nc = nchunks(d, n); k < nc; k++) {
        size_t len;
        uint8_t *c = chunk_at(d, n, k, &len);
        if (len < CHDR || memcmp(c, "ElfChnk\0", 8) != 0)
            continue;
        uint32_t fso = g32(c + 48);
        if (fso >= CHDR && fso <= len)
            p32(c + 52, crc32z(0, c + CHDR, fso - CHDR));
        p32(c + 124, crc32z(crc32z(0, c, 120), c + 128, CHDR - 128));
    }
}

/* ---- values to plant ---------------------------------------------------- */

static uint32_t extreme32(struct rng *r, uint32_t old)
{
    static const uint32_t v[] = {0,          1,          0x7f,       0x80,
                                 0xff,       0x100,      0x1ff,      CHDR,
                                 CHDR + 1,   0x1000,     0x7fff,     0xffff,
                                 CHK - 24,   CHK - 8,    CHK - 4,    CHK - 1,
                                 CHK,        CHK + 1,    0x7fffffff, 0x80000000u,
                                 0xfffffffe, 0xffffffff};
    switch (below(r, 4)) {
    case 0:
        return old + 1;
    case 1:
        return old - 1 - (uint32_t)below(r, 24);
    default:
        return v[below(r, sizeof v / sizeof *v)];
    }
}

static uint64_t extreme64(struct rng *r, uint64_t old)
{
    static const uint64_t v[] = {0, 1, 2, 31, 32, 33, 1999, 0xffff, 0xffffffffu,
                                 0x100000000u, 0x7fffffffffffffffu,
                                 0x8000000000000000u, 0xfffffffffffffffeu,
                                 0xffffffffffffffffu,
                                 /* FILETIMEs: 1601, 1970, year 9999+ */
                                 116444736000000000u, 2650467743999999999u};
    switch (below(r, 4)) {
    case 0:
        return old + 1 + below(r, 3);
    case 1:
        return old - 1 - below(r, 3);
    default:
        return v[below(r, sizeof v / sizeof *v)];
    }
}

/* ---- finding structures in a chunk ------------------------------------- */

#define MAXF 64

struct found {
    uint32_t at[MAXF];
    unsigned n, seen;
};

/* Reservoir-keep up to MAXF offsets. */
static void keep(struct found *f, struct rng *r, uint32_t at)
{
    f->seen++;
    if (f->n < MAXF)
        f->at[f->n++] = at;
    else if (below(r, f->seen) < MAXF)
        f->at[below(r, MAXF)] = at;
}

/* Offsets of record signatures in c[CHDR, len). */
static void find_records(const uint8_t *c, size_t len, struct rng *r,
                         struct found *f)
{
    f->n = f->seen = 0;
    for (size_t i = CHDR; i + 24 <= len; i += 8) { /* records are 8-aligned */
        if (memcmp(c + i, "**\0\0", 4) == 0)
            keep(f, r, (uint32_t)i);
    }
}

enum pat { P_TEMPLATE, P_ELEMENT, P_ATTR, P_SUBST };

/* Token-looking byte patterns (false hits are fine: it is a mutator). */
static void find_tokens(const uint8_t *c, size_t len, enum pat pat,
                        struct rng *r, struct found *f)
{
    f->n = f->seen = 0;
    for (size_t i = CHDR; i + 11 <= len; i++) {
        int hit = 0;
        switch (pat) {
        case P_TEMPLATE: /* 0x0c 0x01 id(4) definition offset(4) */
            hit = c[i] == 0x0c && c[i + 1] == 0x01 && g32(c + i + 6) >= CHDR &&
                  g32(c + i + 6) < CHK;
            break;
        case P_ELEMENT: /* 0x01/0x41, dependency id 0xffff, size, name */
            hit = (c[i] == 0x01 || c[i] == 0x41) && c[i + 1] == 0xff &&
                  c[i + 2] == 0xff && g32(c + i + 7) >= CHDR &&
                  g32(c + i + 7) < CHK;
            break;
        case P_ATTR: /* 0x06/0x46 name offset just after */
            hit = (c[i] == 0x06 || c[i] == 0x46) && g32(c + i + 1) >= CHDR &&
                  g32(c + i + 1) <= i + 1;
            break;
        case P_SUBST: /* 0x0d/0x0e index(2) type */
            hit = (c[i] == 0x0d || c[i] == 0x0e) && c[i + 2] == 0 &&
                  c[i + 1] < 64;
            break;
        }
        if (hit)
            keep(f, r, (uint32_t)i);
    }
}

/* The offset field of a token found by pattern pat at i. */
static uint32_t ref_field(enum pat pat, uint32_t i)
{
    return pat == P_TEMPLATE ? i + 6 : pat == P_ELEMENT ? i + 7 : i + 1;
}

/* ---- the mutations ------------------------------------------------------ */

struct mut {
    uint8_t *d;
    size_t n, max;
    struct rng *r;
};

static int pick_chunk(struct mut *m, uint8_t **c, size_t *len, size_t *k)
{
    size_t nc = nchunks(m->d, m->n);
    if (nc == 0)
        return 0;
    *k = below(m->r, nc);
    *c = chunk_at(m->d, m->n, *k, len);
    return *len >= CHDR;
}

/* Byte mutation of one record (or of a chunk or file header), in place. */
static int mut_bytes(struct mut *m)
{
    uint8_t *c, *p;
    size_t len, k, plen;
    if (!pick_chunk(m, &c, &len, &k))
        return 0;
    struct found recs;
    find_records(c, len, m->r, &recs);
    if (recs.n && below(m->r, 5)) {
        uint32_t at = recs.at[below(m->r, recs.n)];
        uint32_t sz = g32(c + at + 4);
        p = c + at;
        plen = sz >= 28 && sz <= len - at ? sz : min_sz(256, len - at);
    } else if (below(m->r, 2) || base_of(m->d, m->n) == 0) {
        p = c;
        plen = CHDR;
    } else {
        p = m->d;
        plen = min_sz(FHDR, m->n);
    }
#ifdef CB_LIBFUZZER
    uint8_t tmp[CHK];
    memcpy(tmp, p, plen);
    size_t got = LLVMFuzzerMutate(tmp, plen, plen);
    memcpy(p, tmp, got);
#else
    for (size_t i = 0, flips = 1 + below(m->r, 4); i < flips; i++)
        p[below(m->r, plen)] ^= (uint8_t)(1u << below(m->r, 8));
#endif
    return 1;
}

/* Chunk slot k is all there. */
static int whole(const struct mut *m, size_t k)
{
    return base_of(m->d, m->n) + (k + 1) * CHK <= m->n;
}

/* Chunks: copy one over another, insert a copy, drop, swap, repeat. */
static int mut_chunks(struct mut *m, enum mkind kind)
{
    size_t nc = nchunks(m->d, m->n), base = base_of(m->d, m->n);
    if (nc == 0)
        return 0;
    size_t j = below(m->r, nc), k = below(m->r, nc);
    size_t jlen = min_sz(CHK, m->n - base - j * CHK);
    uint8_t tmp[CHK];
    switch (kind) {
    case MK_CHUNK_COPY:
        if (j == k || !whole(m, j) || !whole(m, k))
            return 0;
        memmove(m->d + base + k * CHK, m->d + base + j * CHK, CHK);
        return 1;
    case MK_CHUNK_INSERT:
        if (m->n + CHK > m->max || jlen < CHK)
            return 0;
        memcpy(tmp, m->d + base + j * CHK, CHK);
        memmove(m->d + base + (k + 1) * CHK, m->d + base + k * CHK,
                m->n - base - k * CHK);
        memcpy(m->d + base + k * CHK, tmp, CHK);
        m->n += CHK;
        return 1;
    case MK_CHUNK_DROP: {
        if (nc < 2)
            return 0;
        size_t to = base + k * CHK, from = to + CHK;
        if (from < m->n) {
            memmove(m->d + to, m->d + from, m->n - from);
            m->n -= CHK;
        } else {
            m->n = to;
        }
        return 1;
    }
    case MK_CHUNK_SWAP:
        if (j == k || !whole(m, j) || !whole(m, k))
            return 0;
        memcpy(tmp, m->d + base + j * CHK, CHK);
        memmove(m->d + base + j * CHK, m->d + base + k * CHK, CHK);
        memcpy(m->d + base + k * CHK, tmp, CHK);
        return 1;
    default: { /* MK_CHUNK_REPEAT: the file becomes chunk j, many times */
        if (jlen < CHK)
            return 0;
        memcpy(tmp, m->d + base + j * CHK, CHK);
        size_t reps = (m->max - base) / CHK;
        if (reps < 2)
            return 0;
        reps = 2 + below(m->r, reps - 1);
        for (size_t i = 0; i < reps; i++)
            memcpy(m->d + base + i * CHK, tmp, CHK);
        m->n = base + reps * CHK;
        return 1;
    }
    }
}

/* A chunk past the header's range continuing the ids of the one before:
 * a dirty file whose header was not rewritten (or a lie about it). */
static int mut_continue(struct mut *m)
{
    size_t nc = nchunks(m->d, m->n), len, plen;
    if (nc < 2 || base_of(m->d, m->n) == 0)
        return 0;
    size_t k = 1 + below(m->r, nc - 1);
    uint8_t *prev = chunk_at(m->d, m->n, k - 1, &plen);
    uint8_t *c = chunk_at(m->d, m->n, k, &len);
    if (len < CHDR || plen < CHDR)
        return 0;
    uint64_t last = g64(prev + 32) + (below(m->r, 4) == 0);
    uint64_t span = g64(c + 32) - g64(c + 24);
    p64(c + 24, last + 1);
    p64(c + 32, last + 1 + span);
    p32(m->d + 120, g32(m->d + 120) | 1);   /* dirty */
    p64(m->d + 16, k - 1 - below(m->r, k)); /* last chunk before it */
    return 1;
}

static int mut_file_header(struct mut *m)
{
    if (base_of(m->d, m->n) == 0 || m->n < FHDR)
        return 0;
    uint8_t *h = m->d;
    switch (below(m->r, 9)) {
    case 0: /* first chunk */
    case 1: /* last chunk */
    case 2: /* next record id */ {
        size_t at = 8 + 8 * below(m->r, 3);
        p64(h + at, extreme64(m->r, g64(h + at)));
        break;
    }
    case 3: /* header size */
        p32(h + 32, extreme32(m->r, g32(h + 32)));
        break;
    case 4: /* minor, major version */
        p16(h + 36 + 2 * below(m->r, 2), extreme32(m->r, 1));
        break;
    case 5: /* header block size */
        p16(h + 40, extreme32(m->r, FHDR));
        break;
    case 6: /* number of chunks */
        p16(h + 42, extreme32(m->r, g32(h + 42) & 0xffff));
        break;
    case 7: /* flags: dirty, full, no CRC */
        p32(h + 120, g32(h + 120) ^ (1u << below(m->r, 3)));
        break;
    default: /* first and last chunk swapped, or the same */
        if (below(m->r, 2)) {
            uint64_t a = g64(h + 8);
            p64(h + 8, g64(h + 16));
            p64(h + 16, a);
        } else {
            p64(h + 16, g64(h + 8));
        }
        break;
    }
    return 1;
}

static int mut_chunk_header(struct mut *m)
{
    uint8_t *c;
    size_t len, k;
    if (!pick_chunk(m, &c, &len, &k))
        return 0;
    size_t at;
    switch (below(m->r, 7)) {
    case 0: /* first, last record number, first, last record id */
        at = 8 + 8 * below(m->r, 4);
        p64(c + at, extreme64(m->r, g64(c + at)));
        return 1;
    case 1: /* header size */
        p32(c + 40, extreme32(m->r, g32(c + 40)));
        return 1;
    case 2: { /* last event record offset: another record, or extreme */
        struct found recs;
        find_records(c, len, m->r, &recs);
        p32(c + 44, recs.n && below(m->r, 2) ? recs.at[below(m->r, recs.n)]
                                             : extreme32(m->r, g32(c + 44)));
        return 1;
    }
    case 3: /* free space offset: inside a record, or extreme */
    case 4: {
        uint32_t fso = g32(c + 48);
        if (below(m->r, 2) && fso > CHDR && fso <= CHK)
            p32(c + 48, CHDR + (uint32_t)below(m->r, fso - CHDR));
        else
            p32(c + 48, extreme32(m->r, fso));
        return 1;
    }
    case 5: /* flags */
        p32(c + 120, g32(c + 120) ^ (1u << below(m->r, 3)));
        return 1;
    default: /* signature gone, or the whole chunk zeroed */
        if (below(m->r, 2))
            c[below(m->r, 8)] ^= 0x20;
        else
            memset(c, 0, len);
        return 1;
    }
}

/* The common-string and template pointer tables of the chunk header. */
static int mut_chunk_tables(struct mut *m)
{
    uint8_t *c;
    size_t len, k;
    if (!pick_chunk(m, &c, &len, &k))
        return 0;
    size_t at = 128 + 4 * below(m->r, (CHDR - 128) / 4);
    p32(c + at, extreme32(m->r, g32(c + at)));
    return 1;
}

/* Collect the offsets pattern pat refers to, across every chunk. */
static void refs_everywhere(struct mut *m, enum pat pat, struct found *out)
{
    out->n = out->seen = 0;
    for (size_t k = 0, nc = nchunks(m->d, m->n); k < nc; k++) {
        size_t len;
        uint8_t *c = chunk_at(m->d, m->n, k, &len);
        struct found f;
        find_tokens(c, len, pat, m->r, &f);
        for (unsigned i = 0; i < f.n; i++)
            keep(out, m->r, g32(c + ref_field(pat, f.at[i])));
    }
}

/* A template definition or name offset pointed at another chunk's
 * structure (same offset, other bytes here), its own token, a record
 * header, or outside the chunk. */
static int mut_ref(struct mut *m, enum pat pat)
{
    uint8_t *c;
    size_t len, k;
    if (!pick_chunk(m, &c, &len, &k))
        return 0;
    struct found f, other, recs;
    find_tokens(c, len, pat, m->r, &f);
    if (!f.n)
        return 0;
    uint32_t i = f.at[below(m->r, f.n)];
    uint32_t at = ref_field(pat, i);
    uint32_t v;
    switch (below(m->r, 5)) {
    case 0:
    case 1:
        refs_everywhere(m, pat, &other);
        v = other.n ? other.at[below(m->r, other.n)] : i;
        break;
    case 2:
        v = below(m->r, 2) ? i : at + 4; /* itself, or inline right here */
        break;
    case 3:
        find_records(c, len, m->r, &recs);
        v = recs.n ? recs.at[below(m->r, recs.n)] + (uint32_t)below(m->r, 32)
                   : i;
        break;
    default:
        v = extreme32(m->r, g32(c + at));
        break;
    }
    p32(c + at, v);
    return 1;
}

/* A template definition's data size, or a name's character count. */
static int mut_size_field(struct mut *m, enum pat pat)
{
    uint8_t *c;
    size_t len, k;
    if (!pick_chunk(m, &c, &len, &k))
        return 0;
    struct found f;
    find_tokens(c, len, pat, m->r, &f);
    if (!f.n)
        return 0;
    uint32_t def = g32(c + ref_field(pat, f.at[below(m->r, f.n)]));
    if (pat == P_TEMPLATE) {
        if ((size_t)def + 24 > len)
            return 0;
        p32(c + def + 20, extreme32(m->r, g32(c + def + 20)));
    } else {
        if ((size_t)def + 8 > len)
            return 0;
        p16(c + def + 6, extreme32(m->r, g32(c + def + 6) & 0xffff));
    }
    return 1;
}

/* A template instance's value count, or one value's size or type. */
static int mut_value_desc(struct mut *m)
{
    uint8_t *c;
    size_t len, k;
    if (!pick_chunk(m, &c, &len, &k))
        return 0;
    struct found f;
    find_tokens(c, len, P_TEMPLATE, m->r, &f);
    if (!f.n)
        return 0;
    uint32_t i = f.at[below(m->r, f.n)], at = i + 10;
    uint32_t def = g32(c + i + 6);
    if (def == at && (size_t)def + 24 <= len)
        at += 24 + g32(c + def + 20);
    if ((size_t)at + 4 > len)
        return 0;
    uint32_t nv = g32(c + at);
    if (nv == 0 || below(m->r, 6) == 0) {
        p32(c + at, extreme32(m->r, nv));
        return 1;
    }
    uint32_t d = at + 4 + 4 * (uint32_t)below(m->r, nv);
    if ((size_t)d + 4 > len)
        return 0;
    static const uint8_t types[] = {0x00, 0x01, 0x02, 0x04, 0x06, 0x08,
                                    0x0a, 0x0d, 0x0e, 0x0f, 0x11, 0x12,
                                    0x13, 0x15, 0x21, 0x81, 0x82, 0x88,
                                    0x8f, 0x93, 0xa1, 0x7f, 0xff};
    if (below(m->r, 2))
        c[d + 2] = types[below(m->r, sizeof types)];
    else
        p16(c + d, extreme32(m->r, g32(c + d) & 0xffff));
    return 1;
}

/* A substitution's declared type (Binary XML 0x21, arrays, ...). */
static int mut_subst_type(struct mut *m)
{
    uint8_t *c;
    size_t len, k;
    if (!pick_chunk(m, &c, &len, &k))
        return 0;
    struct found f;
    find_tokens(c, len, P_SUBST, m->r, &f);
    if (!f.n)
        return 0;
    uint32_t i = f.at[below(m->r, f.n)];
    if (below(m->r, 3))
        c[i + 3] = (uint8_t)(below(m->r, 2) ? 0x21 : c[i + 3] ^ 0x80);
    else
        p16(c + i + 1, extreme32(m->r, g32(c + i + 1) & 0xffff));
    return 1;
}

static int mut_record(struct mut *m, enum mkind kind)
{
    uint8_t *c;
    size_t len, k;
    if (!pick_chunk(m, &c, &len, &k))
        return 0;
    struct found recs;
    find_records(c, len, m->r, &recs);
    if (!recs.n)
        return 0;
    uint32_t at = recs.at[below(m->r, recs.n)];
    uint32_t sz = g32(c + at + 4);
    switch (kind) {
    case MK_RECORD_SIZE: {
        uint32_t ns = extreme32(m->r, sz);
        if (below(m->r, 3) == 0 && recs.n > 1) /* another record's */
            ns = g32(c + recs.at[below(m->r, recs.n)] + 4);
        int copy = below(m->r, 3) != 0;
        if (copy && ns >= 4 && ns <= len - at)
            p32(c + at + ns - 4, ns); /* the copy agrees */
        else if (sz >= 4 && sz <= len - at && below(m->r, 2))
            p32(c + at + sz - 4, ns); /* only the copy changed */
        else
            p32(c + at + 4, ns);
        if (copy)
            p32(c + at + 4, ns);
        return 1;
    }
    case MK_RECORD_FIELDS: { /* record id, written time */
        size_t f = 8 + 8 * below(m->r, 2);
        p64(c + at + f, extreme64(m->r, g64(c + at + f)));
        return 1;
    }
    case MK_RECORD_SPLICE: { /* another chunk's record (or this one's) here */
        size_t nc = nchunks(m->d, m->n), olen;
        uint8_t *o = chunk_at(m->d, m->n, below(m->r, nc), &olen);
        struct found orecs;
        find_records(o, olen, m->r, &orecs);
        if (!orecs.n || olen < CHDR)
            return 0;
        uint32_t from = orecs.at[below(m->r, orecs.n)];
        uint32_t fsz = g32(o + from + 4);
        if (fsz < 28 || fsz > olen - from || fsz > len - at)
            return 0;
        memmove(c + at, o + from, fsz);
        if (below(m->r, 2)) /* the chunk ends after it */
            p32(c + 48, at + fsz);
        return 1;
    }
    default: { /* MK_TRUNCATE: the file ends inside this record */
        size_t cut = (size_t)(c - m->d) + at + 1 + below(m->r, sz ? sz : 64);
        if (cut >= m->n)
            return 0;
        m->n = cut;
        return 1;
    }
    }
}

static int apply(struct mut *m, enum mkind kind)
{
    switch (kind) {
    case MK_BYTES:
        return mut_bytes(m);
    case MK_CHUNK_COPY:
    case MK_CHUNK_INSERT:
    case MK_CHUNK_DROP:
    case MK_CHUNK_SWAP:
    case MK_CHUNK_REPEAT:
        return mut_chunks(m, kind);
    case MK_CHUNK_CONTINUE:
        return mut_continue(m);
    case MK_FILE_HEADER:
        return mut_file_header(m);
    case MK_CHUNK_HEADER:
        return mut_chunk_header(m);
    case MK_CHUNK_TABLES:
        return mut_chunk_tables(m);
    case MK_TEMPLATE_OFF:
        return mut_ref(m, P_TEMPLATE);
    case MK_NAME_OFF:
        return mut_ref(m, below(m->r, 2) ? P_ELEMENT : P_ATTR);
    case MK_TEMPLATE_SIZE:
        return mut_size_field(m, P_TEMPLATE);
    case MK_NAME_LEN:
        return mut_size_field(m, P_ELEMENT);
    case MK_VALUE_DESC:
        return mut_value_desc(m);
    case MK_SUBST_TYPE:
        return mut_subst_type(m);
    case MK_RECORD_SIZE:
    case MK_RECORD_FIELDS:
    case MK_RECORD_SPLICE:
    case MK_TRUNCATE:
        return mut_record(m, kind);
    default:
        return 0;
    }
}

/* Most of the time the CRCs are made right again; sometimes not, so the
 * mismatch warnings and no-CRC flags are exercised too. */
static size_t finish(struct mut *m)
{
    cb_fuzz_evtx_fixed = below(m->r, 10) != 0;
    if (cb_fuzz_evtx_fixed)
        fix_crcs(m->d, m->n);
    return m->n;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed)
{
    struct rng r = {seed * 0x2545F4914F6CDD1Du + 1};
    struct mut m = {data, size, max_size, &r};
    int evtx = size >= CHDR && (memcmp(data, "ElfFile\0", 8) == 0 ||
                                memcmp(data, "ElfChnk\0", 8) == 0);
    if (!evtx || below(&r, 20) == 0) { /* plain bytes, any length */
#ifdef CB_LIBFUZZER
        m.n = LLVMFuzzerMutate(data, size, max_size);
#else
        if (size)
            data[below(&r, size)] ^= 0x01;
#endif
        cb_fuzz_evtx_fixed = 0;
        return evtx ? finish(&m) : m.n;
    }
    for (size_t i = 0, n = 1 + below(&r, 3); i < n; i++) {
        for (int tries = 0; tries < 8; tries++) {
            /* byte mutations of a record weigh as much as the rest */
            enum mkind kind = below(&r, 3) == 0
                                  ? MK_BYTES
                                  : (enum mkind)(1 + below(&r, MK_CROSS_CHUNK - 1));
            if (apply(&m, kind)) {
                cb_fuzz_evtx_kinds[kind]++;
                break;
            }
        }
    }
    return finish(&m);
}

/* data1 with a chunk, the file header or a record of data2. */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                 const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size,
                                 unsigned int seed)
{
    struct rng r = {seed * 0x9E3779B97F4A7C15u + 7};
    size_t n = min_sz(size1, max_out_size);
    memcpy(out, data1, n);
    struct mut m = {out, n, max_out_size, &r};
    size_t nc1 = nchunks(out, n), nc2 = nchunks(data2, size2);
    if (nc2 == 0 || size2 < CHDR)
        return finish(&m);
    size_t j = below(&r, nc2), b2 = base_of(data2, size2);
    size_t jlen = min_sz(CHK, size2 - b2 - j * CHK);
    const uint8_t *src = data2 + b2 + j * CHK;
    size_t b1 = base_of(out, n);
    if (below(&r, 3) == 0 && nc1) { /* a record of data2 over one of data1 */
        size_t len;
        uint8_t *c = chunk_at(out, n, below(&r, nc1), &len);
        struct found a, b;
        find_records(c, len, &r, &a);
        find_records(src, jlen, &r, &b);
        if (a.n && b.n) {
            uint32_t to = a.at[below(&r, a.n)], from = b.at[below(&r, b.n)];
            uint32_t sz = g32(src + from + 4);
            if (sz >= 28 && sz <= jlen - from && sz <= len - to) {
                memcpy(c + to, src + from, sz);
                cb_fuzz_evtx_kinds[MK_CROSS_RECORD]++;
                return finish(&m);
            }
        }
    }
    if (jlen < CHK || b1 + CHK > max_out_size)
        return finish(&m);
    /* chunk j of data2 at slot k of data1: over it, or inserted there */
    size_t k = below(&r, nc1 + 1);
    size_t at = b1 + k * CHK;
    if (at > n)
        at = n;
    if (k < nc1 && below(&r, 2) && at + CHK <= n) {
        memcpy(out + at, src, CHK);
    } else if (n + CHK <= max_out_size) {
        memmove(out + at + CHK, out + at, n - at);
        memcpy(out + at, src, CHK);
        m.n = n + CHK;
    } else {
        return finish(&m);
    }
    cb_fuzz_evtx_kinds[MK_CROSS_CHUNK]++;
    return finish(&m);
}

/* ---- the checks ---------------------------------------------------------- */

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* -j 1 and -j 2 must read the same file the same way. */
static void check_same(const struct cb_analysis *a, const struct cb_analysis *b)
{
    if (a->nsources != b->nsources)
        abort();
    if (!a->nsources)
        return;
    const struct cb_source *x = a->sources[0], *y = b->sources[0];
    if (x->nevents != y->nevents || x->nwarnings != y->nwarnings)
        abort();
    for (uint64_t i = 0; i < x->nevents; i++) {
        const struct cb_event *e = x->events[i], *f = y->events[i];
        if (e->ts != f->ts || e->flags != f->flags ||
            e->event_id != f->event_id || e->record_id != f->record_id ||
            e->level != f->level || e->pid != f->pid || e->tid != f->tid ||
            e->origin != f->origin || e->nfields != f->nfields ||
            !same_str(e->host, f->host) || !same_str(e->channel, f->channel) ||
            !same_str(e->provider, f->provider))
            abort();
        for (uint32_t k = 0; k < e->nfields; k++)
            if (!same_str(e->fields[k].name, f->fields[k].name) ||
                !same_str(e->fields[k].value, f->fields[k].value))
                abort();
    }
    const struct cb_warning *w = x->warnings, *v = y->warnings;
    for (; w && v; w = w->next, v = v->next)
        if (w->where != v->where || !same_str(w->msg, v->msg))
            abort();
    if (w || v)
        abort();
}

static struct cb_analysis *read_evtx(const uint8_t *data, size_t size,
                                     unsigned jobs)
{
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    if (!an)
        return NULL;
    an->opts.jobs = jobs;
    cb_ingest_leaf_memory(an, "FUZZ.evtx", data, size, cb_parser_find("evtx"));
    return an;
}

/* report.json one valid document, the JSONL timeline one per event
 * (findings over parsed data are fuzz_report_json's). */
static void check_outputs(struct cb_analysis *an)
{
    struct cb_timeline tl;
    if (cb_analysis_finish(an) != CB_OK || cb_timeline_build(an, &tl) != CB_OK)
        return;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f) {
        enum cb_status rc = cb_report_json(f, an, &tl, NULL, NULL);
        if (fclose(f) == 0 && rc == CB_OK) {
            check_utf8((const unsigned char *)buf, len, 0);
            if (strlen(buf) != len || !json_valid(buf, len))
                abort();
        }
        free(buf);
    }
    buf = NULL;
    len = 0;
    f = open_memstream(&buf, &len);
    if (f) {
        enum cb_status rc = cb_timeline_write(f, &tl, CB_TL_JSONL);
        if (fclose(f) == 0 && rc == CB_OK) {
            check_utf8((const unsigned char *)buf, len, 0);
            size_t lines = 0;
            for (const char *p = buf; p < buf + len; lines++) {
                const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
                if (!nl || !json_valid(p, (size_t)(nl - p)))
                    abort();
                p = nl + 1;
            }
            if (lines != tl.count)
                abort();
        }
        free(buf);
    }
    cb_timeline_fini(&tl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cb_analysis *one = read_evtx(data, size, 1);
    struct cb_analysis *two = read_evtx(data, size, 2);
    if (one && two)
        check_same(one, two);
    cb_analysis_destroy(&two);
    if (one)
        check_outputs(one);
    cb_analysis_destroy(&one);
    return 0;
}
