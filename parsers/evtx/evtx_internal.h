/*
 * evtx_internal.h - what the binary EVTX parser's files share: the
 * decoder state, the compiled Binary XML, and the functions one file
 * calls in another. Not part of any public API.
 *
 * Ownership, in one sentence: a struct state owns every buffer and cache
 * it points to until cb_evtx_state_free, except the chunk it decodes
 * (st->c: the caller's, unchanged until the next chunk) and the events and
 * strings it makes, which go to the cb_parse's arena and intern table.
 *
 * The files, bottom up (spec: shared/kb/spec/Windows XML Event Log
 * (EVTX).asciidoc, by libyal):
 *   evtx/binxml.c    Binary XML compiled into operations, the template
 *                    cache, value rendering
 *   evtx/record.c    the walk: a record's operations run over its values,
 *                    routed into the event
 *   evtx/chunk.c     chunk header, CRCs, live or stale, records of a
 *                    chunk, recovery past damage
 *   evtx/parallel.c  -j N: chunks decoded on worker threads
 *   evtx.c           file header and the parser interface
 */
#ifndef CASEBRIEF_EVTX_INTERNAL_H
#define CASEBRIEF_EVTX_INTERNAL_H

#include <stdint.h>

#include "alloc.h"
#include "endian.h"
#include "utf.h"
#include "casebrief/limits.h"
#include "casebrief/parser.h"

/* On-disk sizes (spec: "File header", "Chunk", "Event record"). */
#define FILE_HEADER 4096u
#define CHUNK 65536u
#define CHUNK_HEADER 512u
#define REC_HEADER 24u
/* Caches, not caps: a miss only costs time. */
#define PAIR_SLOTS 512u     /* "Element@Attribute" field names */
#define POSITION_NAMES 256u /* "1", "2", ... kept interned */
/* -j N: starting workers costs a few ms of system time (threads, their
 * arenas): a log of up to 2 MiB is done sooner on the calling thread, and
 * a bundle holds hundreds of those. Workers kept across the files of an
 * analysis (cb_parse.pool) cost that once: then only the first chunks of
 * a file are read on the calling thread. */
#define PAR_AFTER_CHUNKS 32u
#define PAR_AFTER_CHUNKS_POOLED 4u

/* ---- growable byte buffer ------------------------------------------ */

struct sbuf {
    char *p;
    size_t len, cap;
};

/* sb_room's slow path. */
int cb_evtx_sb_grow(struct sbuf *b, size_t extra);

/* 0, or -1 on out of memory, -2 past CB_LIMIT_EVTX_RECORD_TEXT. */
static inline int sb_room(struct sbuf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    return cb_evtx_sb_grow(b, extra);
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

/* A name structure of the current chunk, decoded once. */
struct name {
    uint32_t gen; /* valid when equal to the state's chunk generation */
    uint32_t off; /* chunk offset of the name structure */
    uint32_t str; /* its UTF-8 text in names_text */
    uint16_t len;
    uint8_t kind;         /* enum known */
    const char *interned; /* when needed as a field name */
};

/* Where an element sits, which decides what its values mean. */
enum role {
    R_NONE, /* above the root */
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
    OP_OPEN,    /* a: name slot */
    OP_ATTR,    /* a: name slot */
    OP_CONTENT, /* end of the start tag */
    OP_CLOSE,   /* end of the element (empty or not) */
    OP_TEXT,    /* type T_*: a, b as below */
    OP_SUBST,   /* idx: value index; type: declared value type */
    OP_TEMPLATE /* a: template slot; b..c: instance data in the chunk */
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
    uint32_t size;       /* of the definition's Binary XML */
    uint32_t rfirst, rn; /* the same, pruned for use at the root */
    uint8_t state;       /* TPL_OK, TPL_BROKEN, TPL_COMPILING */
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
    unsigned nest; /* nested Binary XML values */
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

/* A live record's id and time. */
struct live {
    uint64_t rid;
    cb_time ts;
};

struct par;

struct state {
    /* file header */
    int hdr_valid; /* "ElfFile" signature seen: the range means something */
    int dirty;
    int no_crc; /* format 3.2 flag 0x4: CRC fields not kept */
    uint64_t first_chunk, last_chunk;
    uint64_t base; /* file offset of chunk slot 0 */
    /* reading */
    int eof;
    uint64_t next_slot;
    unsigned char *buf; /* the chunk read last */
    /* the chunk being parsed */
    const unsigned char *c;
    size_t clen;
    uint64_t slot;
    uint64_t coff; /* file offset of the chunk */
    int in_chunk;
    int stale;
    int resyncing;    /* past a bad record, looking for the next one */
    int after_damage; /* records now come from a scan past damage */
    uint32_t damage_off;
    uint64_t quiet_skips; /* records past damage that did not parse */
    uint32_t rec;         /* next record offset */
    uint32_t rec_end;
    uint64_t hdr_last_rid; /* of the chunk, from its header */
    uint64_t max_rid;      /* largest record id read from it */
    int prev_live;         /* the slot before was read as live */
    uint64_t prev_last_rid, prev_max_rid;
    uint32_t gen; /* chunk generation: resets the caches */
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
    struct sbuf text;  /* field values, NUL-terminated */
    struct sbuf dname; /* Data@Name being assembled */
    struct sbuf tmp;   /* a value rendered for a number or time */
    struct sbuf sys[NSYS];
    struct fld *flds;
    size_t nflds, flds_cap;
    struct walk w;
    enum rec_err err;
    char errmsg[160];
    struct icache ic[NSYS];
    const char *positions[POSITION_NAMES + 1];
    const char *f_qualifiers, *f_computer, *f_empty;
    /* live records so far (open addressing, nslots a power of two, at
     * most half full; rid 0 with ts 0 marks an empty slot, so a record
     * like that is never remembered), to drop stale copies and repeats */
    struct live *live;
    size_t nlive, live_slots;
    /* stale chunks waiting for the live ones after them */
    struct deferred *defer;
    size_t ndefer, defer_done;
    int defer_full;
    /* counts for the summary warnings */
    uint64_t recovered, stale_chunks, dropped_copies;
    uint64_t repeats; /* live records repeating one read before: dropped */
    uint64_t repeat_rid, repeat_off; /* the first of them */
    uint64_t rec_off; /* file offset of the record being admitted */
    uint64_t cont_chunks, cont_first, cont_last;
    uint64_t scanned;
    /* chunk-parallel decoding (-j N) */
    int worker; /* a worker's decoder: cb_evtx_admit is the consumer's */
    char *blk;  /* the block of the event decoded last */
    size_t blk_size;
    struct par *par; /* the consumer's pipeline, NULL with -j 1 */
    int par_wanted;  /* -j N: start it once past the first chunks */
};

/* ---- a record's failure --------------------------------------------- */

/* Record the first failure of the record being decoded (e, and the
 * message a warning will carry); always -1. */
int cb_evtx_fail(struct state *st, enum rec_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int nomem(struct state *st)
{
    return cb_evtx_fail(st, RE_NOMEM, "out of memory");
}

/* room's slow path. */
int cb_evtx_room_grow(struct state *st, struct sbuf *b, size_t extra);

/* Room for extra bytes in a record text buffer, or -1 (err set). */
static inline int room(struct state *st, struct sbuf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    return cb_evtx_room_grow(st, b, extra);
}

static inline const char *name_str(const struct state *st, uint32_t slot)
{
    return st->names_text.p + st->names[slot].str;
}

/* ---- roles and values, for the walk and for pruning ahead ----------- */

/* The role of an element (name kind) inside an element in role parent. */
static inline uint8_t child_role(uint8_t parent, uint8_t kind)
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
        case K_PROVIDER:
            return R_PROVIDER;
        case K_EVENTID:
            return R_EVENTID;
        case K_LEVEL:
            return R_LEVEL;
        case K_TIMECREATED:
            return R_TIME;
        case K_EVENTRECORDID:
            return R_RECORDID;
        case K_EXECUTION:
            return R_EXECUTION;
        case K_CHANNEL:
            return R_CHANNEL;
        case K_COMPUTER:
            return R_COMPUTER;
        default:
            return R_IGNORE;
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

/* Where the value of an attribute (name kind) of an element in role goes;
 * a function of the two only, so templates can be pruned ahead. */
static inline uint8_t attr_sink(uint8_t role, uint8_t kind)
{
    switch (role) {
    case R_PROVIDER:
        return kind == K_NAME ? S_PROVIDER : S_NONE;
    case R_EVENTID:
        return kind == K_QUALIFIERS ? S_QUALIFIERS : S_NONE;
    case R_TIME:
        return kind == K_SYSTEMTIME ? S_TIME : S_NONE;
    case R_EXECUTION:
        return kind == K_PROCESSID  ? S_PID
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

static inline char *put_u64(char *o, uint64_t v)
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

/* The integer in a value of an integer type; 0 when it has none. */
static inline int value_int(unsigned type, const unsigned char *p, size_t n,
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
        *v = n == 2 ? (uint64_t)(int64_t)(int16_t)cb_le16(p) : 0;
        return n == 2;
    case 0x06:
        *v = n == 2 ? cb_le16(p) : 0;
        return n == 2;
    case 0x07:
        *v = n == 4 ? (uint64_t)(int64_t)(int32_t)cb_le32(p) : 0;
        return n == 4;
    case 0x08:
    case 0x14:
        *v = n == 4 ? cb_le32(p) : 0;
        return n == 4;
    case 0x09:
    case 0x0a:
    case 0x15:
        *v = n == 8 ? cb_le64(p) : 0;
        return n == 8;
    case 0x10:
        *v = n == 4 ? cb_le32(p) : n == 8 ? cb_le64(p) : 0;
        return n == 4 || n == 8;
    default:
        return 0;
    }
}

static inline int is_array(unsigned type)
{
    /* arrays of binary or Binary XML are not defined */
    return (type & 0x80) && type != 0x8e && type != 0xa1;
}

/* ---- binxml.c --------------------------------------------------------- */

/* The interned text of name slot (field names); NULL on out of memory. */
const char *cb_evtx_name_intern(struct cb_parse *p, struct state *st,
                                uint32_t slot);

/*
 * Compile the Binary XML in chunk bytes [pos, end) into operations, onto
 * tops (tmpl: a template definition) or sops. dep: element starts carry a
 * dependency id (all but Binary XML values that start with an element).
 * Stops after the end-of-fragment token; *endpos gets where it stopped.
 * Templates the bytes instantiate are compiled on first use. 0, or -1
 * (st->err set).
 */
int cb_evtx_compile(struct state *st, uint32_t pos, uint32_t end, int tmpl,
                    int dep, uint32_t *endpos);

/* The item of an array of t (no array bit) at p + i: its bytes (*k) and
 * how far the next one starts, past a string's terminator. */
size_t cb_evtx_array_item(unsigned t, const unsigned char *p, size_t n,
                          size_t i, size_t *k);

/*
 * Append the text of value (type, p, n) to b. Array items are joined with
 * ", " here; as the content of a Data element or a UserData leaf they
 * become one field each instead (record.c), as Windows repeats the
 * element. 0, or -1 (st->err set).
 */
int cb_evtx_render(struct state *st, struct sbuf *b, unsigned type,
                   const unsigned char *p, size_t n);

/* ---- record.c --------------------------------------------------------- */

/*
 * The record at chunk offset off (size already checked) into ev.
 * Returns 1 for an event, 0 when the record is skipped (warned) or
 * dropped, -1 on out of memory (p->err set).
 */
int cb_evtx_record(struct cb_parse *p, struct state *st, struct cb_event *ev,
                   uint32_t off, uint32_t size);

/* ---- chunk.c ---------------------------------------------------------- */

/*
 * Whether a decoded record is kept, in file order: a stale copy of a live
 * record is dropped, and so is a live record repeating one read before
 * (same id and time: a file made of copied chunks); live ones are
 * remembered for that. Counts recovered, scanned and repeated records.
 * 1 kept, 0 dropped, -1 on out of memory.
 */
int cb_evtx_admit(struct state *st, uint64_t rid, cb_time ts, int after_damage);

/* Whether data (len bytes of chunk slot, at file offset coff) can be a
 * chunk at all: 0 when it is skipped (warned), 1 when it goes on to
 * cb_evtx_chunk_classify. Reads only the data: safe on a worker. */
int cb_evtx_chunk_sane(struct cb_parse *p, const unsigned char *data,
                       size_t len, uint64_t slot, uint64_t coff);

/* Live or stale, in file order (prev_live: the slot before was read as
 * live). Returns 1 live, 0 stale, 2 held back (copied to st->defer), -1
 * on out of memory. Emits no warning. */
int cb_evtx_chunk_classify(struct state *st, const unsigned char *data,
                           size_t len, uint64_t slot, int deferred,
                           int prev_live);

/* Make a sane chunk the one st decodes: checks its CRCs and free space
 * offset (warnings), resets the chunk caches. Safe on a worker. */
void cb_evtx_chunk_setup(struct cb_parse *p, struct state *st,
                         const unsigned char *data, size_t len, uint64_t slot,
                         uint64_t coff, int stale);

/* Next record of the current chunk into ev: 1 event, 0 chunk done,
 * -1 failure. */
int cb_evtx_chunk_next(struct cb_parse *p, struct state *st,
                       struct cb_event *ev);

/* The end of a chunk's records: the summary of quiet skips. */
void cb_evtx_chunk_end_warn(struct cb_parse *p, const struct state *st);

/* Load the next chunk to parse: 1 loaded, 0 no more, -1 failure. */
int cb_evtx_chunk_load(struct cb_parse *p, struct state *st);

/* ---- parallel.c ------------------------------------------------------- */

/* Workers for a file whose header st has read; NULL when jobs <= 1 or
 * anything fails (the file is then read on the caller's thread). */
struct par *cb_evtx_par_new(struct cb_parse *p, const struct state *st);

/* The next event of the workers, in file order, through p->ev_own. */
enum cb_next cb_evtx_par_next(struct cb_parse *p, struct state *st,
                              struct par *pp);

/* The end of a file: pooled workers wait for the next one, others stop
 * (their events move into p->arena). Clears *pp; accepts NULL. */
void cb_evtx_par_close(struct cb_parse *p, struct par **pp);

/* cb_parser_ops.pool_free: stop pooled workers, free what they used. */
void cb_evtx_pool_free(void *pool);

/* ---- evtx.c ----------------------------------------------------------- */

/* A decoder: buffers and chunk caches, field names interned through p.
 * NULL on out of memory. */
struct state *cb_evtx_state_new(struct cb_parse *p);

void cb_evtx_state_free(struct state *st);

#endif
