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
 * How it is read:
 * - Streamed 64 KiB at a time. Only stale chunks that come before live
 *   ones are held back (at most CB_LIMIT_EVTX_DEFERRED_CHUNKS).
 * - Each template definition is compiled once per chunk into a flat list
 *   of operations (open, attribute, text, substitution, close). A record
 *   runs that list over its values through a small state machine that
 *   routes each value straight into the event: no XML text is built.
 *   System/Provider@Name, EventID, Level, TimeCreated@SystemTime,
 *   EventRecordID, Execution@ProcessID/ThreadID, Channel and Computer fill
 *   the event; EventData/Data and the leaves under UserData become fields.
 * - Live chunks: inside the header's first..last range, or, in a dirty
 *   file, continuing the record ids of the live chunk just before (the
 *   header was not rewritten; libevtx and Event Viewer read these too).
 *   Any other valid chunk is stale: its records are flagged recovered, and
 *   a stale copy of a live record (same id and time) is dropped.
 * - Damage is a warning with its file offset: a chunk without signature
 *   is skipped, a bad record is skipped by searching the next "**\0\0",
 *   a record whose template is broken is skipped. CRC mismatches are
 *   reported and the data read anyway. Every length, offset and count
 *   read from the file is checked against the chunk before use.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "crc32.h"
#include "stream.h"
#include "casebrief/limits.h"
#include "casebrief/parser.h"

#define FILE_HEADER 4096u
#define CHUNK 65536u
#define CHUNK_HEADER 512u
#define REC_HEADER 24u
#define PAIR_SLOTS 512u      /* "Element@Attribute" field names */
#define POSITION_NAMES 256u  /* "1", "2", ... kept interned */

/* ---- little-endian fields, CRC-32 ---------------------------------- */

static inline uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const unsigned char *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- growable byte buffer ------------------------------------------ */

struct sbuf {
    char *p;
    size_t len, cap;
};

/* 0, or -1 on out of memory, -2 past CB_LIMIT_EVTX_RECORD_TEXT. */
static int sb_room(struct sbuf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    if (extra > CB_LIMIT_EVTX_RECORD_TEXT ||
        b->len + extra > CB_LIMIT_EVTX_RECORD_TEXT)
        return -2;
    size_t ncap = b->cap ? b->cap : 4096;
    while (ncap - b->len < extra)
        ncap *= 2;
    char *np = cb_realloc(b->p, ncap);
    if (!np)
        return -1;
    b->p = np;
    b->cap = ncap;
    return 0;
}

/* ---- text conversions ---------------------------------------------- */

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * n UTF-16LE units at s into o, which has room for 3n bytes (a surrogate
 * pair takes 4 bytes for 2 units). Stops at a NUL unit. Lone surrogates
 * become U+FFFD. Returns the bytes written.
 */
static size_t utf16_to_utf8(const unsigned char *s, size_t n, char *o)
{
    char *start = o;
    size_t i = 0;
    while (i < n) {
        /* four ASCII units at a time: the common case by far */
        while (i + 4 <= n) {
            uint64_t v;
            memcpy(&v, s + 2 * i, 8);
            if ((v & 0xFF80FF80FF80FF80ULL) ||
                ((v - 0x0001000100010001ULL) & ~v & 0x8000800080008000ULL))
                break; /* a non-ASCII or NUL unit among them */
            o[0] = (char)s[2 * i];
            o[1] = (char)s[2 * i + 2];
            o[2] = (char)s[2 * i + 4];
            o[3] = (char)s[2 * i + 6];
            o += 4;
            i += 4;
        }
        if (i >= n)
            break;
        unsigned cu = (unsigned)s[2 * i] | (unsigned)s[2 * i + 1] << 8;
        i++;
        if (cu < 0x80) {
            if (cu == 0)
                break;
            *o++ = (char)cu;
        } else if (cu < 0xD800 || cu > 0xDFFF) {
            o += put_utf8(o, cu);
        } else if (cu < 0xDC00 && i < n) {
            unsigned lo = (unsigned)s[2 * i] | (unsigned)s[2 * i + 1] << 8;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i++;
                o += put_utf8(o, 0x10000 + ((cu - 0xD800) << 10) +
                                     (lo - 0xDC00));
            } else {
                o += put_utf8(o, 0xFFFD);
            }
        } else {
            o += put_utf8(o, 0xFFFD);
        }
    }
    return (size_t)(o - start);
}

/* Windows-1252 (evtxexport's default code page for ANSI strings) for
 * 0x80..0x9F; 0xA0..0xFF are Latin-1. Unassigned bytes give U+FFFD. */
static const uint16_t cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static size_t ansi_to_utf8(const unsigned char *s, size_t n, char *o)
{
    char *start = o;
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned c = s[i];
        if (c < 0x80)
            *o++ = (char)c;
        else
            o += put_utf8(o, c < 0xA0 ? cp1252[c - 0x80] : c);
    }
    return (size_t)(o - start);
}

static char *put_u64(char *o, uint64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        *o++ = tmp[--k];
    return o;
}

static char *put_i64(char *o, int64_t v)
{
    if (v < 0) {
        *o++ = '-';
        return put_u64(o, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(o, (uint64_t)v);
}

static char *put_hex(char *o, uint64_t v, int digits, int upper)
{
    const char *hx = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--)
        *o++ = hx[v >> (4 * i) & 15];
    return o;
}

static char *put_dec(char *o, unsigned v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        o[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return o + digits;
}

/* Days since 1970-01-01 to a proleptic Gregorian date. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* "2024-11-15T01:58:12.3456789Z" (at most 40 bytes). */
static char *put_filetime(char *o, uint64_t ft)
{
    uint64_t secs = ft / 10000000u;
    unsigned frac = (unsigned)(ft % 10000000u);
    int64_t days = (int64_t)(secs / 86400) - 134774; /* 1601 -> 1970 */
    unsigned sod = (unsigned)(secs % 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    o = y >= 0 && y < 10000 ? put_dec(o, (unsigned)y, 4) : put_i64(o, y);
    *o++ = '-';
    o = put_dec(o, m, 2);
    *o++ = '-';
    o = put_dec(o, d, 2);
    *o++ = 'T';
    o = put_dec(o, sod / 3600, 2);
    *o++ = ':';
    o = put_dec(o, sod / 60 % 60, 2);
    *o++ = ':';
    o = put_dec(o, sod % 60, 2);
    *o++ = '.';
    o = put_dec(o, frac, 7);
    *o++ = 'Z';
    return o;
}

/* ---- names and roles ----------------------------------------------- */

enum known {
    K_OTHER,
    K_EVENT,
    K_SYSTEM,
    K_PROVIDER,
    K_EVENTID,
    K_LEVEL,
    K_TIMECREATED,
    K_EVENTRECORDID,
    K_EXECUTION,
    K_CHANNEL,
    K_COMPUTER,
    K_EVENTDATA,
    K_DATA,
    K_NAME,
    K_QUALIFIERS,
    K_SYSTEMTIME,
    K_PROCESSID,
    K_THREADID,
    K_RENDERINGINFO,
    K_XMLNS
};

static const struct {
    const char *s;
    uint8_t len, kind;
} known_names[] = {
    {"Event", 5, K_EVENT},
    {"System", 6, K_SYSTEM},
    {"Provider", 8, K_PROVIDER},
    {"EventID", 7, K_EVENTID},
    {"Level", 5, K_LEVEL},
    {"TimeCreated", 11, K_TIMECREATED},
    {"EventRecordID", 13, K_EVENTRECORDID},
    {"Execution", 9, K_EXECUTION},
    {"Channel", 7, K_CHANNEL},
    {"Computer", 8, K_COMPUTER},
    {"EventData", 9, K_EVENTDATA},
    {"Data", 4, K_DATA},
    {"Name", 4, K_NAME},
    {"Qualifiers", 10, K_QUALIFIERS},
    {"SystemTime", 10, K_SYSTEMTIME},
    {"ProcessID", 9, K_PROCESSID},
    {"ThreadID", 8, K_THREADID},
    {"RenderingInfo", 13, K_RENDERINGINFO},
};

static uint8_t classify(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof known_names / sizeof *known_names; i++) {
        if (known_names[i].len == len &&
            memcmp(known_names[i].s, s, len) == 0)
            return known_names[i].kind;
    }
    if (len >= 5 && memcmp(s, "xmlns", 5) == 0 && (len == 5 || s[5] == ':'))
        return K_XMLNS;
    return K_OTHER;
}

/* A name structure of the current chunk, decoded once. */
struct name {
    uint32_t gen;  /* valid when equal to the state's chunk generation */
    uint32_t off;  /* chunk offset of the name structure */
    uint32_t str;  /* its UTF-8 text in names_text */
    uint16_t len;
    uint8_t kind;  /* enum known */
    const char *interned; /* when needed as a field name */
};

/* Where an element sits, which decides what its values mean. */
enum role {
    R_NONE,      /* above the root */
    R_EVENT,
    R_SYSTEM,
    R_PROVIDER,
    R_EVENTID,
    R_LEVEL,
    R_TIME,
    R_RECORDID,
    R_EXECUTION,
    R_CHANNEL,
    R_COMPUTER,
    R_EVENTDATA,
    R_DATA,       /* a child of EventData: one field */
    R_DATA_INNER, /* markup inside such a field: text goes to the field */
    R_USERDATA,   /* UserData, or another data child of Event */
    R_UD,         /* an element below it: a field when it is a leaf */
    R_IGNORE
};

/* Where a value goes. */
enum sink {
    S_NONE,
    S_PROVIDER, /* text sinks, in sys[] order */
    S_CHANNEL,
    S_COMPUTER,
    S_EVENTID, /* numeric sinks, in num[] order */
    S_QUALIFIERS,
    S_LEVEL,
    S_RECORDID,
    S_PID,
    S_TID,
    S_TIME,
    S_DATANAME, /* Data@Name */
    S_FIELD,    /* the value of the open field */
    S_UDATTR    /* an attribute under UserData: a field of its own */
};

#define NUM_BASE S_EVENTID
#define NNUM 6
#define NSYS 3

/* ---- compiled Binary XML ------------------------------------------- */

enum op_kind {
    OP_OPEN,     /* a: name slot */
    OP_ATTR,     /* a: name slot */
    OP_CONTENT,  /* end of the start tag */
    OP_CLOSE,    /* end of the element (empty or not) */
    OP_TEXT,     /* type T_*: a, b as below */
    OP_SUBST,    /* idx: value index; type: declared value type */
    OP_TEMPLATE  /* a: template slot; b..c: instance data in the chunk */
};

enum text_kind {
    T_UTF16, /* a: chunk offset, b: units */
    T_CHAR,  /* a: code point */
    T_ENTITY /* a: name slot */
};

struct op {
    uint8_t kind, type, optional;
    uint16_t idx;
    uint32_t a, b, c;
    const char *cache; /* interned text of a Data@Name literal */
};

struct tpl {
    uint32_t gen;
    uint32_t off;   /* chunk offset of the definition */
    uint32_t first; /* its operations in tops */
    uint32_t n;
    uint32_t size;  /* of the definition's Binary XML */
    uint32_t rfirst, rn; /* the same, pruned for use at the root */
    uint8_t state;  /* TPL_OK, TPL_BROKEN, TPL_COMPILING */
};

enum { TPL_OK, TPL_BROKEN, TPL_COMPILING };

struct val {
    uint32_t off; /* chunk offset */
    uint16_t size;
    uint8_t type;
};

/* ---- per-record walk ------------------------------------------------ */

struct frame {
    uint8_t role;
    uint8_t started;   /* content began (after the start tag) */
    uint8_t had_child; /* an element opened inside */
    uint8_t had_attr;  /* an attribute field was taken from it */
    uint8_t content;   /* text, a value or a child arrived */
    uint8_t nullopt;   /* an optional substitution without value */
    uint32_t name;     /* name slot */
    uint32_t val;      /* fields text offset where its value starts */
    const char *fname; /* field name of a Data element */
};

struct fld {
    const char *name;
    uint32_t off, len; /* value in st->text */
};

enum rec_err { RE_OK, RE_NOMEM, RE_BAD, RE_LIMIT };

struct walk {
    unsigned depth;
    unsigned nest;      /* nested Binary XML values */
    unsigned long steps;
    struct frame f[CB_LIMIT_BINXML_DEPTH + 1]; /* f[0]: above the root */
    uint8_t in_attr, sink;
    uint32_t attr_name;
    uint32_t attr_val; /* text offset of an S_UDATTR value */
    unsigned attr_pieces;
    /* Data@Name being assembled */
    const char *dn_cached;
    struct op *dn_op;
    unsigned dn_pieces;
    unsigned unnamed; /* Data without a Name so far */
    uint64_t num[NNUM];
    uint8_t has_num[NNUM];
    cb_time time;
    int has_time;
    int has_channel; /* System/Channel seen, maybe empty */
};

struct deferred {
    unsigned char *data;
    size_t len;
    uint64_t slot;
};

struct icache {
    char raw[256];
    size_t len;
    const char *s;    /* interned value */
    const char *host; /* Computer: interned short upper-case name */
};

struct par;

struct state {
    /* file header */
    int hdr_valid;   /* "ElfFile" signature seen: the range means something */
    int dirty;
    int no_crc;      /* format 3.2 flag 0x4: CRC fields not kept */
    uint64_t first_chunk, last_chunk;
    uint64_t base;   /* file offset of chunk slot 0 */
    /* reading */
    int eof;
    uint64_t next_slot;
    unsigned char *buf; /* the chunk read last */
    /* the chunk being parsed */
    const unsigned char *c;
    size_t clen;
    uint64_t slot;
    uint64_t coff;  /* file offset of the chunk */
    int in_chunk;
    int stale;
    int resyncing;   /* past a bad record, looking for the next one */
    int after_damage; /* records now come from a scan past damage */
    uint32_t damage_off;
    uint64_t quiet_skips; /* records past damage that did not parse */
    uint32_t rec;    /* next record offset */
    uint32_t rec_end;
    uint64_t hdr_last_rid; /* of the chunk, from its header */
    uint64_t max_rid;      /* largest record id read from it */
    int prev_live;         /* the slot before was read as live */
    uint64_t prev_last_rid, prev_max_rid;
    uint32_t gen;          /* chunk generation: resets the caches */
    /* caches of the chunk */
    struct name *names;
    unsigned nnames;
    struct sbuf names_text;
    struct tpl *tpls;
    unsigned ntpls;
    struct op *tops;
    size_t ntops, tops_cap;
    struct {
        uint32_t gen, key;
        const char *s;
    } pairs[PAIR_SLOTS];
    /* per record */
    struct op *sops; /* compiled record and nested Binary XML, a stack */
    size_t nsops, sops_cap;
    struct val *vals; /* substitution values, a stack */
    size_t nvals, vals_cap;
    struct sbuf text;    /* field values, NUL-terminated */
    struct sbuf dname;   /* Data@Name being assembled */
    struct sbuf tmp;     /* a value rendered for a number or time */
    struct sbuf sys[NSYS];
    struct fld *flds;
    size_t nflds, flds_cap;
    struct walk w;
    enum rec_err err;
    char errmsg[160];
    struct icache ic[NSYS];
    const char *positions[POSITION_NAMES + 1];
    const char *f_qualifiers, *f_computer, *f_empty;
    /* live record ids and times, to drop stale copies */
    struct live {
        uint64_t rid;
        cb_time ts;
    } *live;
    size_t nlive, live_cap;
    size_t live_sorted_n; /* length of the prefix known to be sorted */
    /* stale chunks waiting for the live ones after them */
    struct deferred *defer;
    size_t ndefer, defer_done;
    int defer_full;
    /* counts for the summary warnings */
    uint64_t recovered, stale_chunks, dropped_copies;
    uint64_t cont_chunks, cont_first, cont_last;
    uint64_t scanned;
    /* chunk-parallel decoding (-j N) */
    int worker;         /* a worker's decoder: admit() is the consumer's */
    char *blk;          /* the block of the event decoded last */
    size_t blk_size;
    struct par *par;    /* the consumer's pipeline, NULL with -j 1 */
    int par_wanted;     /* -j N: start it once past the first chunks */
};

static int rec_fail(struct state *st, enum rec_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int rec_fail(struct state *st, enum rec_err e, const char *fmt, ...)
{
    if (st->err == RE_OK) {
        st->err = e;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int nomem(struct state *st)
{
    return rec_fail(st, RE_NOMEM, "out of memory");
}

/* Room for extra bytes in a record text buffer, or -1 (err set). */
static int room(struct state *st, struct sbuf *b, size_t extra)
{
    int r = sb_room(b, extra);
    if (r == 0)
        return 0;
    if (r == -1)
        return nomem(st);
    return rec_fail(st, RE_LIMIT, "expands past %u bytes of text",
                    CB_LIMIT_EVTX_RECORD_TEXT);
}

/* ---- names of the chunk --------------------------------------------- */

/* Slot of the name structure at chunk offset off, decoding it the first
 * time; -1 when it does not fit the chunk (err set). */
static int name_at(struct state *st, uint32_t off, uint32_t *slot)
{
    uint32_t h = (off * 2654435761u) >> 19; /* 13 bits: the name slots */
    for (;;) {
        struct name *n = &st->names[h];
        if (n->gen != st->gen)
            break;
        if (n->off == off) {
            *slot = h;
            return 0;
        }
        h = (h + 1) & (CB_LIMIT_EVTX_NAME_SLOTS - 1);
    }
    if (st->nnames >= CB_LIMIT_EVTX_NAME_SLOTS / 8 * 7)
        return rec_fail(st, RE_BAD, "too many names in chunk");
    if (off < CHUNK_HEADER || (size_t)off + 8 > st->clen)
        return rec_fail(st, RE_BAD, "name offset 0x%x outside the chunk",
                        off);
    size_t nch = le16(st->c + off + 6);
    if (nch > CB_LIMIT_EVTX_NAME_CHARS || off + 8 + 2 * nch > st->clen)
        return rec_fail(st, RE_BAD, "name at 0x%x runs past the chunk", off);
    struct sbuf *t = &st->names_text;
    if (sb_room(t, 3 * nch + 1) != 0)
        return nomem(st);
    size_t k = utf16_to_utf8(st->c + off + 8, nch, t->p + t->len);
    struct name *n = &st->names[h];
    n->gen = st->gen;
    n->off = off;
    n->str = (uint32_t)t->len;
    n->len = (uint16_t)k;
    n->kind = classify(t->p + t->len, k);
    n->interned = NULL;
    t->len += k;
    t->p[t->len++] = '\0';
    st->nnames++;
    *slot = h;
    return 0;
}

static const char *name_str(const struct state *st, uint32_t slot)
{
    return st->names_text.p + st->names[slot].str;
}

/* The interned text of a name (field names); NULL on out of memory. */
static const char *name_intern(struct cb_parse *p, struct state *st,
                               uint32_t slot)
{
    struct name *n = &st->names[slot];
    if (!n->interned)
        n->interned = cb_intern(p->strings, name_str(st, slot), n->len);
    return n->interned;
}

/* ---- compiling Binary XML ------------------------------------------- */

static int push_op(struct state *st, int tmpl, const struct op *o)
{
    struct op **arr = tmpl ? &st->tops : &st->sops;
    size_t *n = tmpl ? &st->ntops : &st->nsops;
    size_t *cap = tmpl ? &st->tops_cap : &st->sops_cap;
    if (*n == *cap) {
        if (*cap >= CB_LIMIT_EVTX_OPS)
            return rec_fail(st, RE_LIMIT, "more than %u operations",
                            CB_LIMIT_EVTX_OPS);
        size_t ncap = *cap ? *cap * 2 : 1024;
        struct op *na = cb_realloc(*arr, ncap * sizeof *na);
        if (!na)
            return nomem(st);
        *arr = na;
        *cap = ncap;
    }
    (*arr)[(*n)++] = *o;
    return 0;
}

/* A name offset field just read ends at *pos: resolve it, and step over
 * the name structure when it is stored right there. */
static int name_ref(struct state *st, uint32_t name_off, uint32_t *pos,
                    uint32_t end, uint32_t *slot)
{
    if (name_at(st, name_off, slot) != 0)
        return -1;
    if (name_off == *pos) {
        uint32_t sz = 8 + 2 * ((uint32_t)le16(st->c + *pos + 6) + 1);
        if (sz > end - *pos)
            return rec_fail(st, RE_BAD, "name at 0x%x runs past its data",
                            *pos);
        *pos += sz;
    }
    return 0;
}

static int get_template(struct state *st, uint32_t def_off, uint32_t *slot);
static int prune_root(struct state *st, uint32_t slot);

static int compile(struct state *st, uint32_t pos, uint32_t end, int tmpl,
                   int dep, uint32_t *endpos);

/* Could a name offset read just before chunk offset after be one: the
 * name stored right there, or earlier in the chunk? */
static int name_plausible(const struct state *st, uint32_t off,
                          uint32_t after)
{
    return off >= CHUNK_HEADER && (size_t)off + 8 <= st->clen &&
           off <= after;
}

/* The substitution values of a template instance at chunk offset off:
 * where they end (no values are kept). */
static int instance_end(struct state *st, uint32_t off, uint32_t end,
                        uint32_t *out)
{
    if (end < off || end - off < 4)
        return rec_fail(st, RE_BAD, "template values at 0x%x cut short",
                        off);
    uint32_t n = le32(st->c + off);
    if (n > (end - off - 4) / 4)
        return rec_fail(st, RE_BAD, "%u template values at 0x%x do not fit",
                        n, off);
    uint32_t pos = off + 4 + 4 * n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t sz = le16(st->c + off + 4 + 4 * i);
        if (sz > end - pos)
            return rec_fail(st, RE_BAD,
                            "template value %u at 0x%x runs past its data",
                            i, off);
        pos += sz;
    }
    *out = pos;
    return 0;
}

/*
 * Compile the Binary XML in chunk bytes [pos, end) into operations, onto
 * tops (a template definition) or sops. dep: element starts carry a
 * dependency id (all but Binary XML values that start with an element).
 * Stops after the end-of-fragment token; *endpos gets where it stopped.
 */
static int compile(struct state *st, uint32_t pos, uint32_t end, int tmpl,
                   int dep, uint32_t *endpos)
{
    const unsigned char *c = st->c;
    int depth = 0;
    while (pos < end) {
        /* compiling counts against the record's budget too: a value
         * referenced many times is compiled each time */
        if (++st->w.steps > CB_LIMIT_EVTX_RECORD_STEPS)
            return rec_fail(st, RE_LIMIT, "more than %u steps",
                            CB_LIMIT_EVTX_RECORD_STEPS);
        unsigned tok = c[pos];
        unsigned t = tok & ~0x40u;
        if ((tok & 0x40) && t != 0x01 && (t < 0x05 || t > 0x09))
            return rec_fail(st, RE_BAD, "unknown token 0x%02x at 0x%x", tok,
                            pos);
        struct op o = {0};
        uint32_t left = end - pos;
        switch (t) {
        case 0x00: /* end of fragment */
            *endpos = pos + 1;
            return 0;
        case 0x0f: /* fragment header: token, major, minor, flags */
            if (left < 4)
                goto short_token;
            pos += 4;
            continue;
        case 0x01: { /* open start element */
            /* token, [dependency id], data size, name offset: the
             * dependency id is left out inside Binary XML values; when
             * the expected layout gives an impossible name, try the
             * other one */
            int d = dep;
            if (left < 9 || (d && left < 11))
                goto short_token;
            uint32_t hdr = d ? 11 : 9;
            uint32_t name_off = le32(c + pos + hdr - 4);
            if (!name_plausible(st, name_off, pos + hdr)) {
                uint32_t alt = d ? 9 : 11;
                if (alt <= left && name_plausible(st, le32(c + pos + alt - 4),
                                                  pos + alt)) {
                    hdr = alt;
                    name_off = le32(c + pos + alt - 4);
                }
            }
            if (left < hdr + ((tok & 0x40) ? 4u : 0u))
                goto short_token;
            pos += hdr;
            o.kind = OP_OPEN;
            if (name_ref(st, name_off, &pos, end, &o.a) != 0)
                return -1;
            if (tok & 0x40) { /* attribute list size */
                if (end - pos < 4)
                    goto short_token;
                pos += 4;
            }
            if (++depth > CB_LIMIT_BINXML_DEPTH)
                return rec_fail(st, RE_LIMIT,
                                "elements nested deeper than %d",
                                CB_LIMIT_BINXML_DEPTH);
            break;
        }
        case 0x02: /* close start element */
            o.kind = OP_CONTENT;
            pos++;
            break;
        case 0x03: /* close empty element */
        case 0x04: /* end element */
            if (--depth < 0)
                return rec_fail(st, RE_BAD, "element closed twice at 0x%x",
                                pos);
            o.kind = OP_CLOSE;
            pos++;
            break;
        case 0x05: { /* value text */
            if (left < 4)
                goto short_token;
            if (c[pos + 1] != 0x01)
                return rec_fail(st, RE_BAD,
                                "value text of type 0x%02x at 0x%x",
                                c[pos + 1], pos);
            uint32_t n = le16(c + pos + 2);
            if (2 * n > left - 4)
                goto short_token;
            o.kind = OP_TEXT;
            o.type = T_UTF16;
            o.a = pos + 4;
            o.b = n;
            pos += 4 + 2 * n;
            break;
        }
        case 0x06: { /* attribute */
            if (left < 5)
                goto short_token;
            uint32_t name_off = le32(c + pos + 1);
            pos += 5;
            o.kind = OP_ATTR;
            if (name_ref(st, name_off, &pos, end, &o.a) != 0)
                return -1;
            break;
        }
        case 0x07: { /* CDATA section */
            if (left < 3)
                goto short_token;
            uint32_t n = le16(c + pos + 1);
            if (2 * n > left - 3)
                goto short_token;
            o.kind = OP_TEXT;
            o.type = T_UTF16;
            o.a = pos + 3;
            o.b = n;
            pos += 3 + 2 * n;
            break;
        }
        case 0x08: /* character reference */
            if (left < 3)
                goto short_token;
            o.kind = OP_TEXT;
            o.type = T_CHAR;
            o.a = le16(c + pos + 1);
            pos += 3;
            break;
        case 0x09: { /* entity reference */
            if (left < 5)
                goto short_token;
            uint32_t name_off = le32(c + pos + 1);
            pos += 5;
            o.kind = OP_TEXT;
            o.type = T_ENTITY;
            if (name_ref(st, name_off, &pos, end, &o.a) != 0)
                return -1;
            break;
        }
        case 0x0a: { /* processing instruction target: not kept */
            if (left < 5)
                goto short_token;
            uint32_t name_off = le32(c + pos + 1), slot;
            pos += 5;
            if (name_ref(st, name_off, &pos, end, &slot) != 0)
                return -1;
            continue;
        }
        case 0x0b: { /* processing instruction data: not kept */
            if (left < 3)
                goto short_token;
            uint32_t n = le16(c + pos + 1);
            if (2 * n > left - 3)
                goto short_token;
            pos += 3 + 2 * n;
            continue;
        }
        case 0x0c: { /* template instance */
            if (tmpl)
                return rec_fail(st, RE_BAD,
                                "template instance inside a template "
                                "definition at 0x%x",
                                pos);
            if (left < 10)
                goto short_token;
            uint32_t def_off = le32(c + pos + 6);
            pos += 10;
            uint32_t slot = 0;
            if (get_template(st, def_off, &slot) != 0)
                return -1;
            if (def_off == pos) { /* the definition is stored here */
                uint32_t sz = 24 + st->tpls[slot].size;
                if (sz > end - pos)
                    return rec_fail(st, RE_BAD,
                                    "template at 0x%x runs past its data",
                                    pos);
                pos += sz;
            }
            uint32_t iend = 0;
            if (instance_end(st, pos, end, &iend) != 0)
                return -1;
            o.kind = OP_TEMPLATE;
            o.a = slot;
            o.b = pos;
            o.c = iend;
            pos = iend;
            break;
        }
        case 0x0d: /* normal substitution */
        case 0x0e: /* optional substitution */
            if (left < 4)
                goto short_token;
            o.kind = OP_SUBST;
            o.idx = le16(c + pos + 1);
            o.type = c[pos + 3];
            o.optional = t == 0x0e;
            pos += 4;
            break;
        default:
            return rec_fail(st, RE_BAD, "unknown token 0x%02x at 0x%x", tok,
                            pos);
        }
        if (push_op(st, tmpl, &o) != 0)
            return -1;
    }
    *endpos = pos;
    return 0;
short_token:
    return rec_fail(st, RE_BAD, "token 0x%02x at 0x%x runs past its data",
                    c[pos], pos);
}

/* The template defined at chunk offset def_off, compiled on first use. */
static int get_template(struct state *st, uint32_t def_off, uint32_t *slot)
{
    uint32_t h = (def_off * 2654435761u) >> 20; /* 12 bits: the template slots */
    for (;;) {
        struct tpl *t = &st->tpls[h];
        if (t->gen != st->gen)
            break;
        if (t->off == def_off) {
            if (t->state == TPL_BROKEN)
                return rec_fail(st, RE_BAD, "template at 0x%x is broken",
                                def_off);
            if (t->state == TPL_COMPILING)
                return rec_fail(st, RE_BAD,
                                "template at 0x%x refers to itself",
                                def_off);
            *slot = h;
            return 0;
        }
        h = (h + 1) & (CB_LIMIT_EVTX_TEMPLATE_SLOTS - 1);
    }
    if (st->ntpls >= CB_LIMIT_EVTX_TEMPLATE_SLOTS / 8 * 7)
        return rec_fail(st, RE_BAD, "too many templates in chunk");
    st->ntpls++;
    /* a broken definition is remembered too: later records that use it
     * fail at once */
    struct tpl *t = &st->tpls[h];
    t->gen = st->gen;
    t->off = def_off;
    t->state = TPL_BROKEN;
    t->first = t->n = t->size = 0;
    if (def_off < CHUNK_HEADER || (size_t)def_off + 24 > st->clen)
        return rec_fail(st, RE_BAD, "template offset 0x%x outside the chunk",
                        def_off);
    uint32_t size = le32(st->c + def_off + 20);
    if (size > st->clen - def_off - 24)
        return rec_fail(st, RE_BAD, "template at 0x%x runs past the chunk",
                        def_off);
    t->size = size;
    t->state = TPL_COMPILING;
    t->first = (uint32_t)st->ntops;
    uint32_t endpos;
    if (compile(st, def_off + 24, def_off + 24 + size, 1, 1, &endpos) != 0) {
        t->state = TPL_BROKEN;
        st->ntops = t->first;
        return -1;
    }
    t->n = (uint32_t)(st->ntops - t->first);
    if (prune_root(st, h) != 0) {
        t->state = TPL_BROKEN;
        st->ntops = t->first;
        return -1;
    }
    t->state = TPL_OK;
    *slot = h;
    return 0;
}

/* ---- values ---------------------------------------------------------- */

static size_t type_size(unsigned type)
{
    switch (type & 0x7F) {
    case 0x03: case 0x04: return 1;
    case 0x05: case 0x06: return 2;
    case 0x07: case 0x08: case 0x0b: case 0x0d: case 0x14: return 4;
    case 0x09: case 0x0a: case 0x0c: case 0x11: case 0x15: return 8;
    case 0x0f: case 0x12: return 16;
    default: return 0;
    }
}

/* The integer in a value of an integer type; 0 when it has none. */
static int value_int(unsigned type, const unsigned char *p, size_t n,
                     uint64_t *v)
{
    switch (type) {
    case 0x03:
        *v = n == 1 ? (uint64_t)(int64_t)(int8_t)p[0] : 0;
        return n == 1;
    case 0x04:
        *v = n == 1 ? p[0] : 0;
        return n == 1;
    case 0x05:
        *v = n == 2 ? (uint64_t)(int64_t)(int16_t)le16(p) : 0;
        return n == 2;
    case 0x06:
        *v = n == 2 ? le16(p) : 0;
        return n == 2;
    case 0x07:
        *v = n == 4 ? (uint64_t)(int64_t)(int32_t)le32(p) : 0;
        return n == 4;
    case 0x08:
    case 0x14:
        *v = n == 4 ? le32(p) : 0;
        return n == 4;
    case 0x09:
    case 0x0a:
    case 0x15:
        *v = n == 8 ? le64(p) : 0;
        return n == 8;
    case 0x10:
        *v = n == 4 ? le32(p) : n == 8 ? le64(p) : 0;
        return n == 4 || n == 8;
    default:
        return 0;
    }
}

/* Render one scalar of type t (no array bit) at p, n bytes, to o, which
 * has room for 4n + 64 bytes. Returns the end. */
static char *render_one(unsigned t, const unsigned char *p, size_t n, char *o)
{
    uint64_t v;
    switch (t) {
    case 0x00:
        return o;
    case 0x01:
        return o + utf16_to_utf8(p, n / 2, o);
    case 0x02:
        return o + ansi_to_utf8(p, n, o);
    case 0x03: case 0x05: case 0x07: case 0x09:
        if (!value_int(t, p, n, &v))
            break;
        return put_i64(o, (int64_t)v);
    case 0x04: case 0x06: case 0x08: case 0x0a:
        if (!value_int(t, p, n, &v))
            break;
        return put_u64(o, v);
    case 0x0b: {
        if (n != 4)
            break;
        float f;
        uint32_t u = le32(p);
        memcpy(&f, &u, 4);
        return o + snprintf(o, 48, "%.9g", (double)f);
    }
    case 0x0c: {
        if (n != 8)
            break;
        double d;
        uint64_t u = le64(p);
        memcpy(&d, &u, 8);
        return o + snprintf(o, 48, "%.17g", d);
    }
    case 0x0d: { /* any non-zero is true, as Windows treats it */
        if (n == 0 || n > 8)
            break;
        int any = 0;
        for (size_t i = 0; i < n; i++)
            any |= p[i];
        memcpy(o, any ? "true" : "false", any ? 4 : 5);
        return o + (any ? 4 : 5);
    }
    case 0x0f:
        if (n != 16)
            break;
        *o++ = '{';
        o = put_hex(o, le32(p), 8, 1);
        *o++ = '-';
        o = put_hex(o, le16(p + 4), 4, 1);
        *o++ = '-';
        o = put_hex(o, le16(p + 6), 4, 1);
        *o++ = '-';
        for (int i = 8; i < 16; i++) {
            if (i == 10)
                *o++ = '-';
            o = put_hex(o, p[i], 2, 1);
        }
        *o++ = '}';
        return o;
    case 0x10: case 0x14: case 0x15:
        if (!value_int(t, p, n, &v))
            break;
        *o++ = '0';
        *o++ = 'x';
        return put_hex(o, v, n == 4 ? 8 : 16, 0);
    case 0x11:
        if (n != 8)
            break;
        return put_filetime(o, le64(p));
    case 0x12: /* SYSTEMTIME: printed as stored */
        if (n != 16)
            break;
        o = put_dec(o, le16(p) % 10000u, 4);
        *o++ = '-';
        o = put_dec(o, le16(p + 2) % 100u, 2);
        *o++ = '-';
        o = put_dec(o, le16(p + 6) % 100u, 2);
        *o++ = 'T';
        o = put_dec(o, le16(p + 8) % 100u, 2);
        *o++ = ':';
        o = put_dec(o, le16(p + 10) % 100u, 2);
        *o++ = ':';
        o = put_dec(o, le16(p + 12) % 100u, 2);
        *o++ = '.';
        o = put_dec(o, le16(p + 14) % 1000u * 10000u, 7);
        *o++ = 'Z';
        return o;
    case 0x13: { /* SID: S-revision-authority-sub... */
        if (n < 8 || n != 8 + 4 * (size_t)p[1])
            break;
        uint64_t auth = 0;
        for (int i = 2; i < 8; i++)
            auth = auth << 8 | p[i];
        *o++ = 'S';
        *o++ = '-';
        o = put_u64(o, p[0]);
        *o++ = '-';
        if (auth >> 32) {
            *o++ = '0';
            *o++ = 'x';
            o = put_hex(o, auth, 12, 1);
        } else {
            o = put_u64(o, auth);
        }
        for (size_t i = 0; i < p[1]; i++) {
            *o++ = '-';
            o = put_u64(o, le32(p + 8 + 4 * i));
        }
        return o;
    }
    default:
        break;
    }
    /* binary, unknown types and sizes that do not fit the type */
    for (size_t i = 0; i < n; i++)
        o = put_hex(o, p[i], 2, 1);
    return o;
}

/* The item of an array of t (no array bit) at p + i: its bytes (*k) and
 * how far the next one starts, past a string's terminator. */
static size_t array_item(unsigned t, const unsigned char *p, size_t n,
                         size_t i, size_t *k)
{
    size_t len, step;
    if (t == 0x01) {
        len = 0;
        while (i + len + 1 < n && (p[i + len] | p[i + len + 1]))
            len += 2;
        step = len + 2;
    } else if (t == 0x02) {
        len = 0;
        while (i + len < n && p[i + len])
            len++;
        step = len + 1;
    } else if (t == 0x13) {
        len = n - i >= 8 ? 8 + 4 * (size_t)p[i + 1] : n - i;
        step = len;
    } else if (t == 0x10) {
        len = step = n % 8 == 0 ? 8 : 4;
    } else {
        len = step = type_size(t);
        if (len == 0)
            len = step = n - i;
    }
    if (len > n - i)
        len = n - i;
    if (step > n - i)
        step = n - i;
    *k = len;
    return step;
}

static int is_array(unsigned type)
{
    /* arrays of binary or Binary XML are not defined */
    return (type & 0x80) && type != 0x8e && type != 0xa1;
}

/*
 * Append the text of value (type, p, n) to b. Array items are joined with
 * ", " here; as the content of a Data element or a UserData leaf they
 * become one field each instead (see m_value), as Windows repeats the
 * element.
 */
static int render(struct state *st, struct sbuf *b, unsigned type,
                  const unsigned char *p, size_t n)
{
    /* the widest case: a byte array "-128, " is 6 bytes per input byte */
    if (room(st, b, 6 * n + 64) != 0)
        return -1;
    char *o = b->p + b->len;
    if (!is_array(type)) {
        o = render_one(type & 0x7F, p, n, o);
        b->len = (size_t)(o - b->p);
        return 0;
    }
    unsigned t = type & 0x7F;
    for (size_t i = 0, k; i < n;) {
        size_t step = array_item(t, p, n, i, &k);
        if (i) {
            *o++ = ',';
            *o++ = ' ';
        }
        o = render_one(t, p + i, k, o);
        i += step;
    }
    b->len = (size_t)(o - b->p);
    return 0;
}

/* ---- the walk: values routed into the event -------------------------- */

static int run(struct cb_parse *p, struct state *st, int tmpl, uint32_t first,
               uint32_t n, size_t vbase, size_t nv);

static uint8_t child_role(uint8_t parent, uint8_t kind)
{
    switch (parent) {
    case R_NONE:
        return kind == K_EVENT ? R_EVENT : R_IGNORE;
    case R_EVENT:
        if (kind == K_SYSTEM)
            return R_SYSTEM;
        if (kind == K_EVENTDATA)
            return R_EVENTDATA;
        if (kind == K_RENDERINGINFO)
            return R_IGNORE;
        return R_USERDATA;
    case R_SYSTEM:
        switch (kind) {
        case K_PROVIDER: return R_PROVIDER;
        case K_EVENTID: return R_EVENTID;
        case K_LEVEL: return R_LEVEL;
        case K_TIMECREATED: return R_TIME;
        case K_EVENTRECORDID: return R_RECORDID;
        case K_EXECUTION: return R_EXECUTION;
        case K_CHANNEL: return R_CHANNEL;
        case K_COMPUTER: return R_COMPUTER;
        default: return R_IGNORE;
        }
    case R_EVENTDATA:
        return R_DATA;
    case R_DATA:
    case R_DATA_INNER:
        return R_DATA_INNER;
    case R_USERDATA:
    case R_UD:
        return R_UD;
    default:
        return R_IGNORE;
    }
}

static uint8_t content_sink(const struct frame *f)
{
    switch (f->role) {
    case R_EVENTID: return S_EVENTID;
    case R_LEVEL: return S_LEVEL;
    case R_RECORDID: return S_RECORDID;
    case R_CHANNEL: return S_CHANNEL;
    case R_COMPUTER: return S_COMPUTER;
    case R_DATA:
    case R_DATA_INNER: return S_FIELD;
    case R_UD: return f->had_child ? S_NONE : S_FIELD;
    default: return S_NONE;
    }
}

static int add_field(struct state *st, const char *name, uint32_t off,
                     uint32_t len)
{
    if (st->nflds == st->flds_cap) {
        size_t ncap = st->flds_cap ? st->flds_cap * 2 : 64;
        struct fld *nf = cb_realloc(st->flds, ncap * sizeof *nf);
        if (!nf)
            return nomem(st);
        st->flds = nf;
        st->flds_cap = ncap;
    }
    st->flds[st->nflds].name = name;
    st->flds[st->nflds].off = off;
    st->flds[st->nflds].len = len;
    st->nflds++;
    return 0;
}

/* NUL-terminate the text of a field that started at off and keep it. */
static int end_field(struct state *st, const char *name, uint32_t off)
{
    if (!name)
        return nomem(st);
    if (room(st, &st->text, 1) != 0)
        return -1;
    uint32_t len = (uint32_t)st->text.len - off;
    st->text.p[st->text.len++] = '\0';
    return add_field(st, name, off, len);
}

/* Interned, cut to CB_LIMIT_INTERN_STRING on a character boundary (a
 * field name read from the data can be any length); NULL only on out of
 * memory. */
static const char *intern_cut(struct cb_parse *p, const char *s, size_t n)
{
    if (n > CB_LIMIT_INTERN_STRING) {
        n = CB_LIMIT_INTERN_STRING;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return cb_intern(p->strings, s, n);
}

/* "Element@Attribute", interned once per chunk. */
static const char *pair_name(struct cb_parse *p, struct state *st,
                             uint32_t elem, uint32_t attr)
{
    uint32_t key = elem << 16 | attr;
    unsigned h = (key * 2654435761u) >> 23; /* 9 bits: PAIR_SLOTS */
    if (st->pairs[h].gen == st->gen && st->pairs[h].key == key)
        return st->pairs[h].s;
    const struct name *e = &st->names[elem], *a = &st->names[attr];
    char buf[2 * 3 * CB_LIMIT_EVTX_NAME_CHARS + 2];
    size_t n = 0;
    memcpy(buf, name_str(st, elem), e->len);
    n += e->len;
    buf[n++] = '@';
    memcpy(buf + n, name_str(st, attr), a->len);
    n += a->len;
    const char *s = intern_cut(p, buf, n);
    if (s) {
        st->pairs[h].gen = st->gen;
        st->pairs[h].key = key;
        st->pairs[h].s = s;
    }
    return s;
}

static const char *position_name(struct cb_parse *p, struct state *st,
                                 unsigned i)
{
    if (i <= POSITION_NAMES && st->positions[i])
        return st->positions[i];
    char buf[16];
    int n = snprintf(buf, sizeof buf, "%u", i);
    const char *s = cb_intern(p->strings, buf, (size_t)n);
    if (i <= POSITION_NAMES)
        st->positions[i] = s;
    return s;
}

static int end_attr(struct cb_parse *p, struct state *st)
{
    struct walk *w = &st->w;
    if (!w->in_attr)
        return 0;
    w->in_attr = 0;
    struct frame *f = &w->f[w->depth];
    if (w->sink == S_DATANAME && w->dn_pieces) {
        const char *s = w->dn_cached;
        if (!s) {
            s = intern_cut(p, st->dname.p, st->dname.len);
            if (!s)
                return nomem(st);
            if (w->dn_pieces == 1 && w->dn_op)
                w->dn_op->cache = s;
        }
        f->fname = s;
    } else if (w->sink == S_UDATTR && w->attr_pieces) {
        f->had_attr = 1;
        if (end_field(st, pair_name(p, st, f->name, w->attr_name),
                      w->attr_val) != 0)
            return -1;
    }
    return 0;
}

/* Where the value of an attribute (name kind) of an element in role goes;
 * a function of the two only, so templates can be pruned ahead. */
static uint8_t attr_sink(uint8_t role, uint8_t kind)
{
    switch (role) {
    case R_PROVIDER:
        return kind == K_NAME ? S_PROVIDER : S_NONE;
    case R_EVENTID:
        return kind == K_QUALIFIERS ? S_QUALIFIERS : S_NONE;
    case R_TIME:
        return kind == K_SYSTEMTIME ? S_TIME : S_NONE;
    case R_EXECUTION:
        return kind == K_PROCESSID ? S_PID
               : kind == K_THREADID ? S_TID
                                    : S_NONE;
    case R_DATA:
        return kind == K_NAME ? S_DATANAME : S_NONE; /* overrides <X> */
    case R_UD:
        return kind == K_XMLNS ? S_NONE : S_UDATTR;
    default:
        return S_NONE;
    }
}

static int m_open(struct cb_parse *p, struct state *st, uint32_t slot)
{
    struct walk *w = &st->w;
    if (end_attr(p, st) != 0)
        return -1;
    if (w->depth >= CB_LIMIT_BINXML_DEPTH)
        return rec_fail(st, RE_LIMIT, "elements nested deeper than %d",
                        CB_LIMIT_BINXML_DEPTH);
    struct frame *parent = &w->f[w->depth];
    parent->content = 1;
    if (parent->role == R_UD && !parent->had_child) {
        parent->had_child = 1;
        if (parent->started) /* text before the child is not a value */
            st->text.len = parent->val;
    }
    struct frame *f = &w->f[++w->depth];
    f->role = child_role(parent->role, st->names[slot].kind);
    if (f->role == R_CHANNEL)
        w->has_channel = 1;
    f->started = f->had_child = f->had_attr = 0;
    f->content = f->nullopt = 0;
    f->name = slot;
    f->val = (uint32_t)st->text.len;
    f->fname = NULL;
    if (f->role == R_DATA && st->names[slot].kind != K_DATA) {
        f->fname = name_intern(p, st, slot); /* <Binary> and the like */
        if (!f->fname)
            return nomem(st);
    }
    return 0;
}

static int m_attr(struct cb_parse *p, struct state *st, uint32_t slot)
{
    struct walk *w = &st->w;
    if (end_attr(p, st) != 0)
        return -1;
    uint8_t sink = attr_sink(w->f[w->depth].role, st->names[slot].kind);
    w->in_attr = 1;
    w->sink = sink;
    w->attr_name = slot;
    if (sink == S_DATANAME) {
        st->dname.len = 0;
        w->dn_cached = NULL;
        w->dn_op = NULL;
        w->dn_pieces = 0;
    } else if (sink == S_UDATTR) {
        w->attr_val = (uint32_t)st->text.len;
        w->attr_pieces = 0;
    }
    return 0;
}

static int m_content(struct cb_parse *p, struct state *st)
{
    struct walk *w = &st->w;
    if (end_attr(p, st) != 0)
        return -1;
    struct frame *f = &w->f[w->depth];
    if (!f->started) {
        f->started = 1;
        f->val = (uint32_t)st->text.len;
    }
    return 0;
}

static int m_close(struct cb_parse *p, struct state *st)
{
    struct walk *w = &st->w;
    if (end_attr(p, st) != 0)
        return -1;
    if (w->depth == 0)
        return 0; /* unbalanced: nothing open */
    struct frame *f = &w->f[w->depth--];
    if (f->nullopt && !f->content)
        return 0; /* its only content was absent: Windows omits it */
    if (f->role == R_DATA) {
        uint32_t off = f->started ? f->val : (uint32_t)st->text.len;
        const char *name = f->fname;
        if (!name)
            name = position_name(p, st, ++w->unnamed);
        return end_field(st, name, off);
    }
    if (f->role == R_UD && !f->had_child) {
        if (!f->started && f->had_attr)
            return 0; /* <Error Code="5"/>: the attribute said it all */
        uint32_t off = f->started ? f->val : (uint32_t)st->text.len;
        return end_field(st, name_intern(p, st, f->name), off);
    }
    return 0;
}

/* The sink for a piece of text or a value arriving now. */
static uint8_t sink_now(const struct walk *w)
{
    return w->in_attr ? w->sink : content_sink(&w->f[w->depth]);
}

static int parse_number(const char *s, size_t n, uint64_t *v)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    uint64_t x = 0;
    int digits = 0;
    if (i + 2 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        for (i += 2; i < n; i++, digits++) {
            unsigned c = (unsigned char)s[i], d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                d = (c | 0x20) - 'a' + 10;
            else
                break;
            x = x << 4 | d;
        }
    } else {
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
            x = x * 10 + (uint64_t)(s[i] - '0');
    }
    if (!digits)
        return 0;
    *v = x;
    return 1;
}

/* "2024-11-15T01:58:12.3456789Z" and shorter fractions. */
static int parse_time(const char *s, size_t n, cb_time *t)
{
    int v[6] = {0}, lens[6] = {4, 2, 2, 2, 2, 2};
    size_t i = 0;
    for (int k = 0; k < 6; k++) {
        if (i + (size_t)lens[k] > n)
            return 0;
        for (int j = 0; j < lens[k]; j++, i++) {
            if (s[i] < '0' || s[i] > '9')
                return 0;
            v[k] = v[k] * 10 + (s[i] - '0');
        }
        if (k < 5)
            i++; /* separator */
    }
    int frac = 0, nd = 0;
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (nd < 7) {
                frac = frac * 10 + (s[i] - '0');
                nd++;
            }
        }
    }
    while (nd++ < 7)
        frac *= 10;
    cb_time r = cb_time_from_civil(v[0], v[1], v[2], v[3], v[4], v[5], frac);
    if (r == CB_TIME_NONE)
        return 0;
    *t = r;
    return 1;
}

/* Text (UTF-8 s, n) or a value arriving for a number or time sink. */
static void number_text(struct walk *w, uint8_t sink, const char *s, size_t n)
{
    if (sink == S_TIME) {
        w->has_time |= parse_time(s, n, &w->time);
        return;
    }
    uint64_t v;
    if (parse_number(s, n, &v)) {
        w->num[sink - NUM_BASE] = v;
        w->has_num[sink - NUM_BASE] = 1;
    }
}

/* Spell out a cached Data@Name before a second piece joins it. */
static int dname_spell(struct state *st)
{
    struct walk *w = &st->w;
    if (!w->dn_cached)
        return 0;
    size_t k = strlen(w->dn_cached);
    if (room(st, &st->dname, k) != 0)
        return -1;
    memcpy(st->dname.p, w->dn_cached, k);
    st->dname.len = k;
    w->dn_cached = NULL;
    return 0;
}

/* The buffer a text sink collects into; numbers and times go to tmp,
 * emptied first. */
static struct sbuf *sink_buf(struct state *st, uint8_t sink)
{
    switch (sink) {
    case S_FIELD:
    case S_UDATTR:
        st->w.attr_pieces++;
        return &st->text;
    case S_DATANAME:
        return &st->dname;
    case S_PROVIDER:
    case S_CHANNEL:
    case S_COMPUTER:
        return &st->sys[sink - S_PROVIDER];
    default:
        st->tmp.len = 0;
        return &st->tmp;
    }
}

/* Text of the record (UTF-16 in the chunk, a character or an entity)
 * into whatever the walk says it is. */
static int m_text(struct cb_parse *p, struct state *st, struct op *o)
{
    (void)p;
    struct walk *w = &st->w;
    if (!w->in_attr)
        w->f[w->depth].content = 1;
    uint8_t sink = sink_now(w);
    if (sink == S_NONE)
        return 0;
    char lit[3 * CB_LIMIT_EVTX_NAME_CHARS + 8];
    size_t litn = 0;
    if (o->type == T_CHAR) {
        unsigned cp = o->a >= 0xD800 && o->a <= 0xDFFF ? 0xFFFD : o->a;
        litn = put_utf8(lit, cp);
    } else if (o->type == T_ENTITY) {
        static const struct {
            const char *name, *text;
        } ent[] = {{"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""},
                   {"apos", "'"}};
        const struct name *n = &st->names[o->a];
        const char *s = name_str(st, o->a);
        for (size_t i = 0; i < 5 && !litn; i++) {
            if (strlen(ent[i].name) == n->len &&
                memcmp(ent[i].name, s, n->len) == 0) {
                lit[0] = ent[i].text[0];
                litn = 1;
            }
        }
        if (!litn) { /* unknown entity: kept as written */
            lit[0] = '&';
            memcpy(lit + 1, s, n->len);
            lit[n->len + 1] = ';';
            litn = n->len + 2u;
        }
    }
    if (sink == S_DATANAME) {
        if (w->dn_pieces == 0 && o->cache) {
            w->dn_cached = o->cache;
            w->dn_pieces = 1;
            w->dn_op = o;
            return 0;
        }
        if (dname_spell(st) != 0)
            return -1;
        w->dn_pieces++;
        w->dn_op = o;
    }
    struct sbuf *b = sink_buf(st, sink);
    if (o->type == T_UTF16) {
        if (room(st, b, 3 * (size_t)o->b) != 0)
            return -1;
        b->len += utf16_to_utf8(st->c + o->a, o->b, b->p + b->len);
    } else {
        if (room(st, b, litn) != 0)
            return -1;
        memcpy(b->p + b->len, lit, litn);
        b->len += litn;
    }
    if (sink >= S_EVENTID && sink <= S_TIME)
        number_text(w, sink, b->p, b->len);
    return 0;
}

/* An array as the content of a Data element or a UserData leaf: one
 * field per item, under the same name (unnamed Data: the next
 * positions), as Windows repeats the element. */
static int field_items(struct cb_parse *p, struct state *st, struct frame *f,
                       unsigned type, const unsigned char *d, size_t n)
{
    unsigned t = type & 0x7F;
    for (size_t i = 0, k; i < n;) {
        size_t step = array_item(t, d, n, i, &k);
        if (i) { /* the item before is a field of its own */
            const char *name;
            if (f->role == R_DATA)
                name = f->fname ? f->fname
                                : position_name(p, st, ++st->w.unnamed);
            else
                name = name_intern(p, st, f->name);
            if (end_field(st, name, f->val) != 0)
                return -1;
            f->val = (uint32_t)st->text.len;
        }
        if (render(st, &st->text, t, d + i, k) != 0)
            return -1;
        i += step;
    }
    return 0;
}

/* A substitution value into whatever the walk says it is. */
static int m_value(struct cb_parse *p, struct state *st, const struct val *v)
{
    struct walk *w = &st->w;
    const unsigned char *d = st->c + v->off;
    if (v->type == 0x21) { /* Binary XML: walked in place */
        if (w->nest >= CB_LIMIT_BINXML_DEPTH)
            return rec_fail(st, RE_LIMIT,
                            "Binary XML values nested deeper than %d",
                            CB_LIMIT_BINXML_DEPTH);
        size_t mark = st->nsops;
        uint32_t endpos;
        w->dn_op = NULL; /* the operation arrays may move */
        int dep = !(v->size && (d[0] & ~0x40u) == 0x01);
        if (compile(st, v->off, v->off + v->size, 0, dep, &endpos) != 0)
            return -1;
        w->nest++;
        int r = run(p, st, 0, (uint32_t)mark, (uint32_t)(st->nsops - mark),
                    st->nvals, 0);
        w->nest--;
        st->nsops = mark;
        return r;
    }
    struct frame *f = &w->f[w->depth];
    if (!w->in_attr)
        f->content = 1;
    uint8_t sink = sink_now(w);
    if (sink == S_NONE)
        return 0;
    if (sink == S_FIELD && is_array(v->type) &&
        (f->role == R_DATA || f->role == R_UD))
        return field_items(p, st, f, v->type, d, v->size);
    uint64_t x;
    if (sink >= S_EVENTID && sink <= S_TID &&
        value_int(v->type, d, v->size, &x)) {
        w->num[sink - NUM_BASE] = x;
        w->has_num[sink - NUM_BASE] = 1;
        return 0;
    }
    if (sink == S_TIME && v->type == 0x11 && v->size == 8) {
        uint64_t ft = le64(d);
        if (ft <= (uint64_t)INT64_MAX) {
            w->time = (cb_time)ft;
            w->has_time = 1;
        }
        return 0;
    }
    if (sink == S_DATANAME) {
        if (dname_spell(st) != 0)
            return -1;
        w->dn_pieces += 2; /* never cached on an operation */
    }
    struct sbuf *b = sink_buf(st, sink);
    if (render(st, b, v->type, d, v->size) != 0)
        return -1;
    if (sink >= S_EVENTID && sink <= S_TIME)
        number_text(w, sink, b->p, b->len);
    return 0;
}

/*
 * Most records run their template from the root (the Event element), where
 * the role of every element is known ahead: drop what cannot reach the
 * event (System/Version, Task, Keywords, Correlation, Security, attributes
 * such as Provider@Guid, text in elements that keep none). Substitutions
 * that could be Binary XML stay wherever their elements could matter.
 * Returns -1 on out of memory.
 */
static int prune_root(struct state *st, uint32_t slot)
{
    struct tpl *t = &st->tpls[slot];
    uint8_t roles[CB_LIMIT_BINXML_DEPTH + 2];
    unsigned depth = 0, skip = 0;
    int in_attr = 0, drop_attr = 0;
    roles[0] = R_NONE;
    t->rfirst = (uint32_t)st->ntops;
    for (uint32_t i = t->first; i < t->first + t->n; i++) {
        struct op o = st->tops[i];
        if (skip) { /* inside an element nothing reads */
            if (o.kind == OP_OPEN)
                skip++;
            else if (o.kind == OP_CLOSE)
                skip--;
            continue;
        }
        uint8_t role = roles[depth];
        switch (o.kind) {
        case OP_OPEN: {
            uint8_t child = child_role(role, st->names[o.a].kind);
            in_attr = 0;
            if (child == R_IGNORE) {
                skip = 1;
                continue;
            }
            if (depth + 1 < sizeof roles)
                roles[++depth] = child;
            break;
        }
        case OP_ATTR:
            in_attr = 1;
            drop_attr = attr_sink(role, st->names[o.a].kind) == S_NONE;
            if (drop_attr)
                continue;
            break;
        case OP_CONTENT:
            in_attr = 0;
            break;
        case OP_CLOSE:
            in_attr = 0;
            if (depth)
                depth--;
            break;
        case OP_TEXT:
        case OP_SUBST:
            if (in_attr) {
                if (drop_attr)
                    continue;
                break;
            }
            switch (role) { /* content: does anything read it? */
            case R_EVENTID: case R_LEVEL: case R_RECORDID: case R_CHANNEL:
            case R_COMPUTER: case R_DATA: case R_DATA_INNER: case R_UD:
                break;
            case R_NONE: case R_EVENT: case R_SYSTEM: case R_EVENTDATA:
            case R_USERDATA: /* Binary XML here may hold fields */
                if (o.kind == OP_TEXT)
                    continue;
                break;
            default:
                continue;
            }
            break;
        default:
            break;
        }
        if (push_op(st, 1, &o) != 0)
            return -1;
        t = &st->tpls[slot];
    }
    t->rn = (uint32_t)(st->ntops - t->rfirst);
    return 0;
}

/* Run a template over the values of an instance at chunk [off, end). */
static int instantiate(struct cb_parse *p, struct state *st, uint32_t slot,
                       uint32_t off, uint32_t end)
{
    uint32_t n = le32(st->c + off); /* checked by instance_end */
    size_t vbase = st->nvals;
    if (vbase + n > st->vals_cap) {
        if (vbase + n > CB_LIMIT_EVTX_OPS)
            return rec_fail(st, RE_LIMIT, "more than %u values", CB_LIMIT_EVTX_OPS);
        size_t ncap = st->vals_cap ? st->vals_cap : 256;
        while (ncap < vbase + n)
            ncap *= 2;
        struct val *nv = cb_realloc(st->vals, ncap * sizeof *nv);
        if (!nv)
            return nomem(st);
        st->vals = nv;
        st->vals_cap = ncap;
    }
    uint32_t pos = off + 4 + 4 * n;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *dsc = st->c + off + 4 + 4 * i;
        struct val *v = &st->vals[vbase + i];
        v->off = pos;
        v->size = le16(dsc);
        v->type = dsc[2];
        pos += v->size;
    }
    if (pos > end)
        return rec_fail(st, RE_BAD, "template values at 0x%x overrun", off);
    st->nvals = vbase + n;
    const struct tpl *t = &st->tpls[slot];
    struct walk *w = &st->w;
    int root = w->depth == 0 && !w->in_attr && w->f[0].role == R_NONE;
    int r = root ? run(p, st, 1, t->rfirst, t->rn, vbase, n)
                 : run(p, st, 1, t->first, t->n, vbase, n);
    st->nvals = vbase;
    return r;
}

static int run(struct cb_parse *p, struct state *st, int tmpl, uint32_t first,
               uint32_t n, size_t vbase, size_t nv)
{
    struct walk *w = &st->w;
    for (uint32_t i = first; i < first + n; i++) {
        if (++w->steps > CB_LIMIT_EVTX_RECORD_STEPS)
            return rec_fail(st, RE_LIMIT, "more than %u steps",
                            CB_LIMIT_EVTX_RECORD_STEPS);
        /* the arrays may move when nested values compile: index again */
        struct op *o = tmpl ? &st->tops[i] : &st->sops[i];
        int r = 0;
        switch (o->kind) {
        case OP_OPEN: r = m_open(p, st, o->a); break;
        case OP_ATTR: r = m_attr(p, st, o->a); break;
        case OP_CONTENT: r = m_content(p, st); break;
        case OP_CLOSE: r = m_close(p, st); break;
        case OP_TEXT: r = m_text(p, st, o); break;
        case OP_SUBST: {
            struct val v = {0};
            if (o->idx < nv)
                v = st->vals[vbase + o->idx];
            if (v.type != 0 && v.size != 0)
                r = m_value(p, st, &v);
            else if (v.type == 0 && o->optional && !w->in_attr)
                w->f[w->depth].nullopt = 1;
            break;
        }
        case OP_TEMPLATE: {
            uint32_t slot = o->a, off = o->b, end = o->c;
            r = instantiate(p, st, slot, off, end);
            break;
        }
        }
        if (r != 0)
            return -1;
    }
    return 0;
}

/* ---- records ---------------------------------------------------------- */

/* Interned text of a System sink, through a one-entry cache (a log
 * mostly repeats its provider, channel and computer). For the computer,
 * c->host gets the short upper-case name. NULL on out of memory. */
static const char *sys_intern(struct cb_parse *p, struct state *st, int k)
{
    struct sbuf *b = &st->sys[k];
    struct icache *c = &st->ic[k];
    size_t n = b->len < CB_LIMIT_INTERN_STRING ? b->len
                                               : CB_LIMIT_INTERN_STRING;
    while (n > 0 && n < b->len && ((unsigned char)b->p[n] & 0xC0) == 0x80)
        n--; /* cut on a character boundary */
    if (c->s && c->len == n && memcmp(c->raw, b->p, n) == 0)
        return c->s;
    c->s = cb_intern(p->strings, b->p, n);
    if (!c->s)
        return NULL;
    c->len = n <= sizeof c->raw ? n : SIZE_MAX; /* too long: no key */
    if (n <= sizeof c->raw)
        memcpy(c->raw, b->p, n);
    if (k == S_COMPUTER - S_PROVIDER) {
        char host[256];
        size_t h = 0;
        while (h < n && h < sizeof host && b->p[h] != '.') {
            char ch = b->p[h];
            host[h++] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
        }
        c->host = cb_intern(p->strings, host, h);
        if (!c->host) {
            c->s = NULL;
            return NULL;
        }
    }
    return c->s;
}

static int live_cmp(const void *a, const void *b)
{
    const struct live *x = a, *y = b;
    if (x->rid != y->rid)
        return x->rid < y->rid ? -1 : 1;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int live_has(struct state *st, uint64_t rid, cb_time ts)
{
    if (st->live_sorted_n != st->nlive) { /* a wrapped log: sort once */
        qsort(st->live, st->nlive, sizeof *st->live, live_cmp);
        st->live_sorted_n = st->nlive;
    }
    struct live key = {rid, ts};
    return bsearch(&key, st->live, st->nlive, sizeof *st->live, live_cmp) !=
           NULL;
}

static int live_add(struct state *st, uint64_t rid, cb_time ts)
{
    if (st->nlive == st->live_cap) {
        size_t ncap = st->live_cap ? st->live_cap * 2 : 4096;
        struct live *nl = cb_realloc(st->live, ncap * sizeof *nl);
        if (!nl)
            return -1;
        st->live = nl;
        st->live_cap = ncap;
    }
    struct live e = {rid, ts};
    if (st->live_sorted_n == st->nlive &&
        (st->nlive == 0 || live_cmp(&st->live[st->nlive - 1], &e) <= 0))
        st->live_sorted_n++; /* still in order: no sort needed later */
    st->live[st->nlive].rid = rid;
    st->live[st->nlive].ts = ts;
    st->nlive++;
    return 0;
}

static uint8_t level_of(uint64_t v)
{
    return v >= 1 && v <= 5 ? (uint8_t)v : CB_LEVEL_INFO;
}

/* "Name: value; Name: value", cut at CB_LIMIT_EVTX_MESSAGE bytes. */
/*
 * Whether a decoded record is kept, in file order: a stale copy of a live
 * record is dropped; live ones are remembered for that. Counts recovered
 * and scanned records. 1 kept, 0 dropped, -1 on out of memory.
 */
static int admit(struct state *st, uint64_t rid, cb_time ts, int after_damage)
{
    if (st->stale) {
        if (st->nlive && live_has(st, rid, ts)) {
            st->dropped_copies++;
            return 0;
        }
        st->recovered++;
    } else if (after_damage) {
        st->scanned++;
    }
    if (!st->stale && live_add(st, rid, ts) != 0)
        return -1;
    return 1;
}

/*
 * The record at chunk offset off (size already checked) into ev.
 * Returns 1 for an event, 0 when the record is skipped (warned) or
 * dropped, -1 on out of memory.
 */
static int record(struct cb_parse *p, struct state *st, struct cb_event *ev,
                  uint32_t off, uint32_t size)
{
    uint64_t hdr_rid = le64(st->c + off + 8);
    uint64_t hdr_time = le64(st->c + off + 16);
    uint64_t where = st->coff + off;
    struct walk *w = &st->w;
    w->depth = 0;
    w->nest = 0;
    w->steps = 0;
    w->f[0].role = R_NONE;
    w->f[0].had_child = 0;
    w->in_attr = 0;
    w->unnamed = 0;
    memset(w->has_num, 0, sizeof w->has_num);
    w->has_time = 0;
    w->has_channel = 0;
    st->err = RE_OK;
    st->text.len = 0;
    for (int k = 0; k < NSYS; k++)
        st->sys[k].len = 0;
    st->nflds = 0;
    st->nsops = 0;
    st->nvals = 0;
    uint32_t endpos;
    int r = compile(st, off + REC_HEADER, off + size - 4, 0, 1, &endpos);
    if (r == 0)
        r = run(p, st, 0, 0, (uint32_t)st->nsops, 0, 0);
    while (r == 0 && w->depth > 0) /* close what the data left open */
        r = m_close(p, st);
    if (r != 0) {
        if (st->err == RE_NOMEM) {
            cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_OFFSET, where,
                         "out of memory");
            return -1;
        }
        if (st->after_damage)
            st->quiet_skips++; /* summed up at the end of the chunk */
        else
            cb_parse_warn(p, CB_WHERE_OFFSET, where,
                          "chunk %llu: record %llu skipped: %s",
                          (unsigned long long)st->slot,
                          (unsigned long long)hdr_rid, st->errmsg);
        return 0;
    }
    uint64_t rid = w->has_num[S_RECORDID - NUM_BASE]
                       ? w->num[S_RECORDID - NUM_BASE]
                       : hdr_rid;
    cb_time ts = w->has_time ? w->time
                 : hdr_time <= (uint64_t)INT64_MAX ? (cb_time)hdr_time
                                                   : 0;
    if (rid > st->max_rid)
        st->max_rid = rid;
    if (!st->worker) {
        int a = admit(st, rid, ts, st->after_damage);
        if (a < 0) {
            cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_OFFSET, where,
                         "out of memory");
            return -1;
        }
        if (a == 0)
            return 0;
    }

    memset(ev, 0, sizeof *ev);
    ev->ts = ts;
    ev->record_id = rid;
    ev->flags = CB_EV_HAS_RECORD_ID |
                (st->stale || st->after_damage ? CB_EV_RECOVERED : 0);
    ev->origin = where;
    if (w->has_num[S_EVENTID - NUM_BASE]) {
        ev->event_id = (uint32_t)(w->num[S_EVENTID - NUM_BASE] & 0xFFFF);
        ev->flags |= CB_EV_HAS_EVENT_ID;
    }
    ev->level = w->has_num[S_LEVEL - NUM_BASE]
                    ? level_of(w->num[S_LEVEL - NUM_BASE])
                    : CB_LEVEL_INFO;
    if (w->has_num[S_PID - NUM_BASE] || w->has_num[S_TID - NUM_BASE]) {
        ev->pid = (uint32_t)w->num[S_PID - NUM_BASE];
        ev->tid = (uint32_t)w->num[S_TID - NUM_BASE];
        if (!w->has_num[S_PID - NUM_BASE])
            ev->pid = 0;
        if (!w->has_num[S_TID - NUM_BASE])
            ev->tid = 0;
        ev->flags |= CB_EV_HAS_PID;
    }
    const char *computer = NULL;
    int fail = 0;
    if (st->sys[0].len && !(ev->provider = sys_intern(p, st, 0)))
        fail = 1;
    if (st->sys[1].len && !(ev->channel = sys_intern(p, st, 1)))
        fail = 1;
    if (!st->sys[1].len && w->has_channel)
        ev->channel = st->f_empty; /* <Channel/>: empty, not missing */
    if (st->sys[2].len) {
        computer = sys_intern(p, st, 2);
        ev->host = st->ic[2].host;
        if (!computer || !ev->host)
            fail = 1;
    }
    /* data fields, then Qualifiers and Computer (not in the message) */
    size_t nd = st->nflds, nq = 0;
    char qual[24];
    if (w->has_num[S_QUALIFIERS - NUM_BASE]) {
        nq = (size_t)(put_u64(qual, w->num[S_QUALIFIERS - NUM_BASE]) - qual);
        qual[nq++] = '\0';
    }
    size_t nf = nd + (nq ? 1 : 0) + (computer ? 1 : 0);
    size_t bytes = nf * sizeof(struct cb_field) + st->text.len + nq;
    char *blk = fail ? NULL : cb_arena_alloc(p->arena, bytes);
    if (!blk) {
        cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_OFFSET, where,
                     "out of memory");
        return -1;
    }
    struct cb_field *fields = (struct cb_field *)(void *)blk;
    char *text = blk + nf * sizeof(struct cb_field);
    memcpy(text, st->text.p, st->text.len);
    for (size_t i = 0; i < nd; i++) {
        fields[i].name = st->flds[i].name;
        fields[i].value = text + st->flds[i].off;
    }
    char *o = text + st->text.len;
    size_t k = nd;
    if (nq) {
        memcpy(o, qual, nq);
        fields[k].name = st->f_qualifiers;
        fields[k++].value = o;
        o += nq;
    }
    if (computer) {
        fields[k].name = st->f_computer;
        fields[k++].value = computer;
    }
    ev->fields = fields;
    ev->nfields = (uint32_t)nf;
    /* the message is the data values, rendered when read */
    ev->message = NULL;
    ev->msg_fields = (uint16_t)(nd < UINT16_MAX ? nd : UINT16_MAX);
    ev->flags |= CB_EV_MESSAGE_SYNTH | CB_EV_MESSAGE_LAZY;
    st->blk = blk;
    st->blk_size = bytes;
    return 1;
}

/* Next record of the current chunk into ev: 1 event, 0 chunk done,
 * -1 failure. */
static int chunk_next(struct cb_parse *p, struct state *st,
                      struct cb_event *ev)
{
    const unsigned char *c = st->c;
    while (st->rec < st->rec_end && st->rec + REC_HEADER <= st->clen) {
        uint32_t off = st->rec;
        uint32_t size = le32(c + off + 4);
        const char *why = NULL;
        if (memcmp(c + off, "**\0\0", 4) != 0)
            why = "no record signature";
        else if (size < REC_HEADER + 4 + 1 || size > CHUNK - off)
            why = "record size out of bounds";
        else if (size > st->clen - off)
            why = "record cut short by the end of the file";
        else if (le32(c + off + size - 4) != size)
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
        int r = record(p, st, ev, off, size);
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

/* Whether data (len bytes of chunk slot) can be a chunk at all: 0 when
 * it is skipped (warned), 1 when it goes on to chunk_classify. Reads only
 * the data: safe on a worker. */
static int chunk_sane(struct cb_parse *p, const unsigned char *data,
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
                          (unsigned long long)slot,
                          (unsigned long long)coff);
        }
        return 0;
    }
    return 1;
}

/* Live or stale, in file order (prev_live: the slot before was read as
 * live). Returns 1 live, 0 stale, 2 held back (copied to st->defer), -1
 * on out of memory. Emits no warning. */
static int chunk_classify(struct state *st, const unsigned char *data,
                          size_t len, uint64_t slot, int deferred,
                          int prev_live)
{
    uint64_t first_rid = le64(data + 24);
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
                struct deferred *nd = cb_realloc(
                    st->defer, (st->ndefer + 1) * sizeof *st->defer);
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

/* Make a sane chunk the one st decodes: checks its CRCs and free space
 * offset (warnings), resets the chunk caches. Safe on a worker. */
static void chunk_setup(struct cb_parse *p, struct state *st,
                        const unsigned char *data, size_t len, uint64_t slot,
                        uint64_t coff, int stale)
{
    uint64_t last_rid = le64(data + 32);
    uint32_t flags = le32(data + 120);
    int check = !st->no_crc && !(flags & 4);
    if (check) {
        uint32_t want = le32(data + 124);
        uint32_t got = cb_crc32(cb_crc32(0, data, 120), data + 128,
                                    CHUNK_HEADER - 128);
        if (want != got)
            cb_parse_warn(p, CB_WHERE_OFFSET, coff,
                          "chunk %llu: header CRC32 0x%08x, stored 0x%08x; "
                          "read anyway",
                          (unsigned long long)slot, got, want);
    }
    uint32_t fso = le32(data + 48);
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
            uint32_t want = le32(data + 52);
            uint32_t got = cb_crc32(0, data + CHUNK_HEADER,
                                        fso - CHUNK_HEADER);
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
    if (!chunk_sane(p, data, len, slot, coff))
        return 0;
    int live = chunk_classify(st, data, len, slot, deferred, prev_live);
    if (live < 0 || live == 2)
        return live;
    chunk_setup(p, st, data, len, slot, coff, !live);
    return 1;
}

/* The end of a chunk's records: the summary of quiet skips. */
static void chunk_end_warn(struct cb_parse *p, const struct state *st)
{
    if (st->quiet_skips)
        cb_parse_warn(p, CB_WHERE_OFFSET, st->coff + st->damage_off,
                      "chunk %llu: %llu more records past the damage "
                      "at chunk offset 0x%x skipped (overwritten, or "
                      "their templates are gone)",
                      (unsigned long long)st->slot,
                      (unsigned long long)st->quiet_skips, st->damage_off);
}

/* Load the next chunk to parse: 1 loaded, 0 no more, -1 failure. */
static int chunk_load(struct cb_parse *p, struct state *st)
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

static void free_state(struct state *st)
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
    st->first_chunk = le64(hdr + 8);
    st->last_chunk = le64(hdr + 16);
    uint32_t flags = le32(hdr + 120);
    st->dirty = flags & 1;
    st->no_crc = (flags & 4) != 0;
    unsigned minor = le16(hdr + 36), major = le16(hdr + 38);
    if (major != 3 || minor < 1 || minor > 2)
        cb_parse_warn(p, CB_WHERE_OFFSET, 36,
                      "format version %u.%u not known; read as 3.1", major,
                      minor);
    if (le16(hdr + 40) != FILE_HEADER)
        cb_parse_warn(p, CB_WHERE_OFFSET, 40,
                      "header block size %u, not 4096; chunks read from "
                      "4096",
                      le16(hdr + 40));
    if (!st->no_crc) {
        uint32_t want = le32(hdr + 124), got = cb_crc32(0, hdr, 120);
        if (want != got)
            cb_parse_warn(p, CB_WHERE_OFFSET, 124,
                          "file header CRC32 0x%08x, stored 0x%08x; read "
                          "anyway",
                          got, want);
    }
    return CB_OK;
}

/* A decoder: buffers and chunk caches, field names interned through p.
 * NULL on out of memory. */
static struct state *state_new(struct cb_parse *p)
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
        free_state(st);
        return NULL;
    }
    return st;
}

/* ---- chunk-parallel decoding (-j N) -------------------------------------
 *
 * The first PAR_AFTER_CHUNKS chunk slots are read as with -j 1; a longer
 * file goes on with workers from the next slot (the state carried from
 * chunk to chunk is the consumer's either way).
 * The consumer (the thread calling next()) still reads the stream chunk by
 * chunk, into a ring of WINDOW_PER_JOB * jobs slots: memory is bounded by
 * the ring, not the file. Workers take the slots in ring order and decode
 * each chunk with a decoder of their own (chunk_sane, chunk_setup and
 * chunk_next, as with -j 1): events, their strings in the slot's arena,
 * names interned in the worker's own table, warnings on a private source.
 * Only what depends on the chunks before is left to the consumer, which
 * takes the slots in file order: whether the chunk is live, stale or held
 * back (chunk_classify, using the previous chunk's decoded record ids),
 * dropping stale copies of live records (admit), and the warnings, which
 * it replays onto the real source in the order -j 1 gives them. It copies
 * each event's block into p->arena and maps the worker's interned strings
 * to p->strings. Output, order and warnings are those of -j 1.
 */

#define WINDOW_PER_JOB 3u
/* Starting workers costs a few ms of system time (threads, their arenas):
 * a log of up to 2 MiB is done sooner on the calling thread, and a bundle
 * holds hundreds of those. */
#define PAR_AFTER_CHUNKS 32u
/* Workers kept across the files of an analysis (cb_parse.pool) cost
 * that once: then only the first chunks of a file are read here. */
#define PAR_AFTER_CHUNKS_POOLED 4u
#define MAX_JOBS 64u

enum job_state { J_FREE, J_QUEUED, J_RUNNING, J_DONE };

struct jev {
    struct cb_event *ev; /* in the worker's events arena */
    char *blk; /* fields, their text and the message (see record) */
    size_t size;
};

struct job {
    int state; /* enum job_state, under par.mu */
    unsigned char *data;
    size_t len;
    uint64_t slot;
    int deferred;
    /* results, written by the worker */
    unsigned worker;
    int sane;
    struct cb_source src; /* its warnings (in the worker's events arena) */
    struct jev *evs;
    size_t nev, evcap, emit;
    uint64_t max_rid, hdr_last_rid;
    int fail;
    struct cb_error err;
};

/* A worker's interned pointer -> the analysis' one. */
struct pmap {
    const char **k, **v;
    size_t cap, n;
};

struct worker {
    struct par *par;
    unsigned idx;
    pthread_t thread;
    struct cb_arena *arena; /* its interned strings */
    struct cb_intern *strings;
    /* the decoded events, which the consumer keeps where the worker wrote
     * them: adopted by the analysis' arena when the workers stop after
     * one file, kept with the pool over every file otherwise */
    struct cb_arena *events;
    struct state *st;
    struct pmap map; /* the consumer's */
};

struct par {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int stop;
    struct job *ring;
    unsigned window;
    unsigned head, tail, disp; /* consume, fill, dispatch */
    unsigned nout;             /* slots queued, running or done */
    struct worker *wk;
    unsigned nwk;
    struct job *cur; /* the slot whose events next() hands out */
    int feeding_defer;
    int read_failed;
    struct cb_error read_err;
    int pooled; /* kept in a cb_parse.pool between files */
};

static void job_reset(struct job *j)
{
    memset(&j->src, 0, sizeof j->src);
    j->nev = 0;
    j->emit = 0;
    j->fail = 0;
    j->sane = 0;
    memset(&j->err, 0, sizeof j->err);
}

static void job_fail(struct job *j, const struct cb_error *err)
{
    j->fail = 1;
    if (err && err->code)
        j->err = *err;
    else
        cb_error_set(&j->err, CB_E_NOMEM, CB_WHERE_NONE, 0, "out of memory");
}

/* Decode the chunk of j on worker w. */
static void job_decode(struct worker *w, struct job *j)
{
    struct state *st = w->st;
    struct cb_parse wp = {.in = NULL,
                          .src = &j->src,
                          .arena = w->events,
                          .strings = w->strings,
                          .opts = NULL};
    uint64_t coff = st->base + j->slot * CHUNK;
    j->sane = chunk_sane(&wp, j->data, j->len, j->slot, coff);
    if (!j->sane)
        return;
    chunk_setup(&wp, st, j->data, j->len, j->slot, coff, 0);
    for (;;) {
        if (j->nev == j->evcap) {
            size_t ncap = j->evcap ? j->evcap * 2 : 256;
            struct jev *ne = cb_realloc(j->evs, ncap * sizeof *ne);
            if (!ne) {
                job_fail(j, NULL);
                break;
            }
            j->evs = ne;
            j->evcap = ncap;
        }
        struct jev *e = &j->evs[j->nev];
        /* the consumer hands the event on where it is: the page faults
         * and the copy of its memory stay on this thread (a slot left
         * unused at the chunk's end is the only waste) */
        if (!(e->ev = cb_arena_alloc(w->events, sizeof *e->ev))) {
            job_fail(j, NULL);
            break;
        }
        int r = chunk_next(&wp, st, e->ev);
        if (r == 0)
            break;
        if (r < 0) {
            job_fail(j, &wp.err);
            break;
        }
        e->blk = st->blk;
        e->size = st->blk_size;
        j->nev++;
    }
    chunk_end_warn(&wp, st);
    j->max_rid = st->max_rid;
    j->hdr_last_rid = st->hdr_last_rid;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct par *pp = w->par;
    pthread_mutex_lock(&pp->mu);
    for (;;) {
        while (!pp->stop && pp->ring[pp->disp].state != J_QUEUED)
            pthread_cond_wait(&pp->work, &pp->mu);
        if (pp->stop)
            break;
        struct job *j = &pp->ring[pp->disp];
        pp->disp = (pp->disp + 1) % pp->window;
        j->state = J_RUNNING;
        pthread_mutex_unlock(&pp->mu);
        j->worker = w->idx;
        job_decode(w, j);
        pthread_mutex_lock(&pp->mu);
        j->state = J_DONE;
        pthread_cond_signal(&pp->done);
    }
    pthread_mutex_unlock(&pp->mu);
    return NULL;
}

/* Stop the workers and free what they used; the events they decoded
 * move into keep (NULL: freed). */
static void par_free(struct par *pp, struct cb_arena *keep)
{
    if (!pp)
        return;
    pthread_mutex_lock(&pp->mu);
    pp->stop = 1;
    pthread_cond_broadcast(&pp->work);
    pthread_mutex_unlock(&pp->mu);
    for (unsigned i = 0; i < pp->nwk; i++)
        pthread_join(pp->wk[i].thread, NULL);
    for (unsigned i = 0; i < pp->window; i++) {
        job_reset(&pp->ring[i]);
        cb_free(pp->ring[i].data);
        cb_free(pp->ring[i].evs);
    }
    for (unsigned i = 0; i < pp->nwk; i++) {
        struct worker *w = &pp->wk[i];
        if (w->st)
            free_state(w->st);
        cb_intern_destroy(&w->strings);
        cb_arena_destroy(&w->arena);
        if (keep)
            cb_arena_adopt(keep, &w->events);
        cb_arena_destroy(&w->events);
        cb_free(w->map.k);
        cb_free(w->map.v);
    }
    pthread_cond_destroy(&pp->work);
    pthread_cond_destroy(&pp->done);
    pthread_mutex_destroy(&pp->mu);
    cb_free(pp->ring);
    cb_free(pp->wk);
    cb_free(pp);
}

static void pool_free(void *pool)
{
    par_free(pool, NULL);
}

/* The end of a file on pooled workers: jobs not started are dropped,
 * running ones awaited, and the ring emptied for the next file. The
 * decoded events stay in the workers' events arenas, which live as long
 * as the pool, that is as long as the analysis (cb_analysis_destroy frees
 * it): one arena over every file keeps its large, huge-page blocks, where
 * a fresh one per file started again from 64 KiB malloc'd blocks (on a
 * bundle of 225 small logs, most of the run's page faults). */
static void par_file_done(struct par *pp)
{
    pthread_mutex_lock(&pp->mu);
    for (unsigned i = 0; i < pp->window; i++)
        if (pp->ring[i].state == J_QUEUED)
            pp->ring[i].state = J_FREE;
    for (;;) {
        int running = 0;
        for (unsigned i = 0; i < pp->window; i++)
            running |= pp->ring[i].state == J_RUNNING;
        if (!running)
            break;
        pthread_cond_wait(&pp->done, &pp->mu);
    }
    for (unsigned i = 0; i < pp->window; i++) {
        job_reset(&pp->ring[i]);
        pp->ring[i].state = J_FREE;
    }
    pp->head = pp->tail = pp->disp = pp->nout = 0;
    pp->cur = NULL;
    pp->feeding_defer = pp->read_failed = 0;
    pthread_mutex_unlock(&pp->mu);
}

/* Workers for a file whose header st has read; NULL when jobs <= 1 or
 * anything fails (the file is then read on the caller's thread). */
static struct par *par_new(struct cb_parse *p, const struct state *st)
{
    unsigned jobs = p->opts ? p->opts->jobs : 1;
    if (jobs <= 1)
        return NULL;
    if (p->pool && *p->pool) { /* the workers of an earlier file */
        struct par *pp = *p->pool;
        for (unsigned i = 0; i < pp->nwk; i++) {
            pp->wk[i].st->base = st->base;
            pp->wk[i].st->no_crc = st->no_crc;
        }
        return pp;
    }
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    struct par *pp = cb_calloc(1, sizeof *pp);
    if (!pp)
        return NULL;
    if (pthread_mutex_init(&pp->mu, NULL) != 0) {
        cb_free(pp);
        return NULL;
    }
    pthread_cond_init(&pp->work, NULL);
    pthread_cond_init(&pp->done, NULL);
    pp->window = WINDOW_PER_JOB * jobs;
    pp->ring = cb_calloc(pp->window, sizeof *pp->ring);
    pp->wk = cb_calloc(jobs, sizeof *pp->wk);
    if (!pp->ring || !pp->wk)
        goto fail;
    for (unsigned i = 0; i < pp->window; i++)
        if (!(pp->ring[i].data = cb_malloc(CHUNK)))
            goto fail;
    for (unsigned i = 0; i < jobs; i++) {
        struct worker *w = &pp->wk[i];
        w->par = pp;
        w->idx = i;
        w->arena = cb_arena_create();
        w->strings = w->arena ? cb_intern_create(w->arena) : NULL;
        w->events = cb_arena_create();
        if (!w->strings || !w->events)
            goto fail;
        struct cb_parse wp = {.strings = w->strings, .arena = w->arena};
        w->st = state_new(&wp);
        if (!w->st)
            goto fail;
        w->st->worker = 1;
        w->st->base = st->base;
        w->st->no_crc = st->no_crc;
    }
    for (unsigned i = 0; i < jobs; i++) {
        if (pthread_create(&pp->wk[i].thread, NULL, worker_main, &pp->wk[i]) !=
            0)
            goto fail;
        pp->nwk++;
    }
    if (p->pool) {
        pp->pooled = 1;
        *p->pool = pp;
    }
    return pp;
fail:
    /* par_free frees the workers of every slot, joins the started ones */
    if (pp->wk)
        for (unsigned i = pp->nwk; i < jobs; i++) {
            struct worker *w = &pp->wk[i];
            if (w->st)
                free_state(w->st);
            w->st = NULL;
            cb_intern_destroy(&w->strings);
            cb_arena_destroy(&w->arena);
            cb_arena_destroy(&w->events);
        }
    par_free(pp, p->arena);
    return NULL;
}

/* The analysis' interned copy of a worker's interned string s. */
static const char *remap(struct cb_parse *p, struct pmap *m, const char *s)
{
    if (!s)
        return NULL;
    if (m->n * 2 >= m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 256;
        const char **nk = cb_calloc(ncap, sizeof *nk);
        const char **nv = cb_calloc(ncap, sizeof *nv);
        if (!nk || !nv) {
            cb_free(nk);
            cb_free(nv);
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->k[i])
                continue;
            size_t h =
                (size_t)(((uintptr_t)m->k[i] >> 3) * 0x9E3779B97F4A7C15ULL) &
                (ncap - 1);
            while (nk[h])
                h = (h + 1) & (ncap - 1);
            nk[h] = m->k[i];
            nv[h] = m->v[i];
        }
        cb_free(m->k);
        cb_free(m->v);
        m->k = nk;
        m->v = nv;
        m->cap = ncap;
    }
    size_t h =
        (size_t)(((uintptr_t)s >> 3) * 0x9E3779B97F4A7C15ULL) & (m->cap - 1);
    while (m->k[h]) {
        if (m->k[h] == s)
            return m->v[h];
        h = (h + 1) & (m->cap - 1);
    }
    const char *g = cb_intern(p->strings, s, strlen(s));
    if (!g)
        return NULL;
    m->k[h] = s;
    m->v[h] = g;
    m->n++;
    return g;
}

/* Fill free slots from the stream, then from the held-back chunks. */
static void par_fill(struct cb_parse *p, struct state *st, struct par *pp)
{
    while (pp->nout < pp->window) {
        struct job *j = &pp->ring[pp->tail];
        if (!st->eof) {
            size_t n = cb_stream_read(p->in, j->data, CHUNK);
            if (n == 0) {
                st->eof = 1;
                if (p->in->failed) {
                    pp->read_failed = 1;
                    pp->read_err = p->in->err;
                }
                continue;
            }
            if (n < CHUNK)
                st->eof = 1;
            j->len = n;
            j->slot = st->next_slot++;
            j->deferred = 0;
        } else if (!pp->read_failed && st->defer_done < st->ndefer &&
                   (pp->feeding_defer || pp->nout == 0)) {
            /* every chunk of the stream is classified: all held back */
            pp->feeding_defer = 1;
            struct deferred *d = &st->defer[st->defer_done++];
            memcpy(j->data, d->data, d->len);
            j->len = d->len;
            j->slot = d->slot;
            j->deferred = 1;
        } else {
            break;
        }
        pthread_mutex_lock(&pp->mu);
        j->state = J_QUEUED;
        pthread_cond_signal(&pp->work);
        pthread_mutex_unlock(&pp->mu);
        pp->tail = (pp->tail + 1) % pp->window;
        pp->nout++;
    }
}

static void par_release(struct par *pp, struct job *j)
{
    job_reset(j);
    pthread_mutex_lock(&pp->mu);
    j->state = J_FREE;
    pthread_mutex_unlock(&pp->mu);
    pp->head = (pp->head + 1) % pp->window;
    pp->nout--;
}

static enum cb_next par_nomem(struct cb_parse *p)
{
    cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_NONE, 0, "out of memory");
    return CB_NEXT_FAIL;
}

/* A decoded event with the analysis' strings, handed over where the
 * worker wrote it (its events arena: see struct worker); the worker is
 * done with it. */
static int par_emit(struct cb_parse *p, struct pmap *m, const struct jev *e,
                    int stale)
{
    struct cb_event *ev = e->ev;
    if (stale)
        ev->flags |= CB_EV_RECOVERED;
    const char *lo = e->blk, *hi = e->blk + e->size;
    struct cb_field *f = (struct cb_field *)(void *)e->blk;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        f[i].name = remap(p, m, f[i].name);
        if (f[i].value < lo || f[i].value >= hi)
            f[i].value = remap(p, m, f[i].value);
        if (!f[i].name || !f[i].value)
            return -1;
    }
    const char *host = ev->host, *channel = ev->channel,
               *provider = ev->provider;
    ev->host = remap(p, m, host);
    ev->channel = remap(p, m, channel);
    ev->provider = remap(p, m, provider);
    if ((host && !ev->host) || (channel && !ev->channel) ||
        (provider && !ev->provider))
        return -1;
    p->ev_own = ev;
    return 0;
}

/* Warnings a worker put on its private source, onto the real one. */
static void replay_warnings(struct cb_parse *p, const struct job *j)
{
    unsigned kept = 0;
    for (const struct cb_warning *w = j->src.warnings; w; w = w->next) {
        cb_parse_warn(p, (enum cb_where_kind)w->where_kind, w->where, "%s",
                      w->msg);
        kept++;
    }
    /* beyond the per-source cap: counted, not kept (as with -j 1) */
    p->src->nwarnings += j->src.nwarnings - kept;
}

/* The next event of the workers, in file order, through p->ev_own. */
static enum cb_next par_next(struct cb_parse *p, struct state *st,
                             struct par *pp)
{
    for (;;) {
        struct job *j = pp->cur;
        if (j) {
            while (j->emit < j->nev) {
                const struct jev *e = &j->evs[j->emit++];
                int a = admit(st, e->ev->record_id, e->ev->ts,
                              (e->ev->flags & CB_EV_RECOVERED) != 0);
                if (a < 0)
                    return par_nomem(p);
                if (a == 0)
                    continue;
                if (par_emit(p, &pp->wk[j->worker].map, e, st->stale) != 0)
                    return par_nomem(p);
                return CB_NEXT_EVENT;
            }
            if (j->fail) {
                p->err = j->err;
                return CB_NEXT_FAIL;
            }
            st->prev_live = !st->stale;
            st->prev_last_rid = j->hdr_last_rid;
            st->prev_max_rid = j->max_rid;
            pp->cur = NULL;
            par_release(pp, j);
        }
        par_fill(p, st, pp);
        if (pp->nout == 0) {
            if (pp->read_failed) {
                p->err = pp->read_err;
                return CB_NEXT_FAIL;
            }
            return CB_NEXT_END;
        }
        j = &pp->ring[pp->head];
        pthread_mutex_lock(&pp->mu);
        while (j->state != J_DONE)
            pthread_cond_wait(&pp->done, &pp->mu);
        pthread_mutex_unlock(&pp->mu);
        /* as chunk_begin does it, in file order */
        int prev_live = st->prev_live;
        st->prev_live = 0;
        if (!j->sane) {
            replay_warnings(p, j);
            int fail = j->fail;
            if (fail)
                p->err = j->err;
            par_release(pp, j);
            if (fail)
                return CB_NEXT_FAIL;
            continue;
        }
        int live = chunk_classify(st, j->data, j->len, j->slot, j->deferred,
                                  prev_live);
        if (live < 0)
            return par_nomem(p);
        if (live == 2) { /* decoded again when its turn comes */
            par_release(pp, j);
            continue;
        }
        st->stale = !live;
        replay_warnings(p, j);
        pp->cur = j;
    }
}

static enum cb_status open_(struct cb_parse *p, void **state)
{
    struct state *st = state_new(p);
    if (!st)
        return CB_E_NOMEM;
    p->src->time_basis = "UTC (EVTX FILETIME)";
    p->src->time_kind = CB_TK_UTC;
    p->src->origin_is_line = 0;
    enum cb_status s = read_header(p, st);
    if (s != CB_OK) {
        free_state(st);
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
        return par_next(p, st, st->par);
    for (;;) {
        if (st->in_chunk) {
            int r = chunk_next(p, st, ev);
            if (r > 0)
                return CB_NEXT_EVENT;
            if (r < 0)
                return CB_NEXT_FAIL;
            st->in_chunk = 0;
            chunk_end_warn(p, st);
            st->prev_live = !st->stale;
            st->prev_last_rid = st->hdr_last_rid;
            st->prev_max_rid = st->max_rid;
        }
        if (st->par_wanted &&
            st->next_slot >= (p->pool ? PAR_AFTER_CHUNKS_POOLED
                                      : PAR_AFTER_CHUNKS) &&
            !st->eof) { /* the rest of the file on workers */
            st->par_wanted = 0;
            st->par = par_new(p, st);
            if (st->par)
                return par_next(p, st, st->par);
        }
        int c = chunk_load(p, st);
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
    if (st->par && st->par->pooled) {
        par_file_done(st->par);
    } else {
        par_free(st->par, p->arena);
    }
    st->par = NULL;
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
    free_state(st);
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
    .pool_free = pool_free, /* -j workers kept across files */
};
