/*
 * binxml.c - EVTX Binary XML: names, templates and values of a chunk.
 *
 * Format (spec: shared/kb/spec/Windows XML Event Log (EVTX).asciidoc,
 * "Binary XML"): a token stream (open element, attribute, text,
 * substitution, template instance, ...) whose names are structures stored
 * once per chunk and referenced by chunk offset; a template definition is
 * such a stream with numbered substitutions, stored once per chunk and
 * referenced by the records that instantiate it.
 *
 * Here: the names of the chunk, decoded once (cb_evtx_name_intern); the
 * token stream compiled into a flat list of operations (cb_evtx_compile),
 * each template once per chunk, plus a copy pruned for use at the root
 * (what record.c runs for most records); the substitution values rendered
 * as text (cb_evtx_render), as evtxexport and Event Viewer print them.
 * Every offset, length and count is checked against the chunk.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "evtx_internal.h"

/* ---- buffers and failures ------------------------------------------- */

int cb_evtx_sb_grow(struct sbuf *b, size_t extra)
{
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

int cb_evtx_fail(struct state *st, enum rec_err e, const char *fmt, ...)
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

int cb_evtx_room_grow(struct state *st, struct sbuf *b, size_t extra)
{
    int r = cb_evtx_sb_grow(b, extra);
    if (r == 0)
        return 0;
    if (r == -1)
        return nomem(st);
    return cb_evtx_fail(st, RE_LIMIT, "expands past %u bytes of text",
                        CB_LIMIT_EVTX_RECORD_TEXT);
}

/* ---- names of the chunk --------------------------------------------- */

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
        if (known_names[i].len == len && memcmp(known_names[i].s, s, len) == 0)
            return known_names[i].kind;
    }
    if (len >= 5 && memcmp(s, "xmlns", 5) == 0 && (len == 5 || s[5] == ':'))
        return K_XMLNS;
    return K_OTHER;
}

/* Slot of the name structure at chunk offset off, decoding it the first
 * time; -1 when it does not fit the chunk (err set). */
static int name_at(struct state *st, uint32_t off, uint32_t *slot)
{
    _Static_assert(CB_LIMIT_EVTX_NAME_SLOTS == 1u << 13, "hash width");
    uint32_t h = (off * 2654435761u) >> 19; /* 13 bits */
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
        return cb_evtx_fail(st, RE_BAD, "too many names in chunk");
    if (off < CHUNK_HEADER || (size_t)off + 8 > st->clen)
        return cb_evtx_fail(st, RE_BAD, "name offset 0x%x outside the chunk",
                            off);
    size_t nch = cb_le16(st->c + off + 6);
    if (nch > CB_LIMIT_EVTX_NAME_CHARS || off + 8 + 2 * nch > st->clen)
        return cb_evtx_fail(st, RE_BAD, "name at 0x%x runs past the chunk",
                            off);
    struct sbuf *t = &st->names_text;
    if (sb_room(t, 3 * nch + 1) != 0)
        return nomem(st);
    size_t k = cb_utf16le_to_utf8(st->c + off + 8, nch, t->p + t->len);
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

const char *cb_evtx_name_intern(struct cb_parse *p, struct state *st,
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
            return cb_evtx_fail(st, RE_LIMIT, "more than %u operations",
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
        uint32_t sz = 8 + 2 * ((uint32_t)cb_le16(st->c + *pos + 6) + 1);
        if (sz > end - *pos)
            return cb_evtx_fail(st, RE_BAD, "name at 0x%x runs past its data",
                                *pos);
        *pos += sz;
    }
    return 0;
}

static int get_template(struct state *st, uint32_t def_off, uint32_t *slot);
static int prune_root(struct state *st, uint32_t slot);

/* Could a name offset read just before chunk offset after be one: the
 * name stored right there, or earlier in the chunk? */
static int name_plausible(const struct state *st, uint32_t off, uint32_t after)
{
    return off >= CHUNK_HEADER && (size_t)off + 8 <= st->clen && off <= after;
}

/* The substitution values of a template instance at chunk offset off:
 * where they end (no values are kept). */
static int instance_end(struct state *st, uint32_t off, uint32_t end,
                        uint32_t *out)
{
    if (end < off || end - off < 4)
        return cb_evtx_fail(st, RE_BAD, "template values at 0x%x cut short",
                            off);
    uint32_t n = cb_le32(st->c + off);
    if (n > (end - off - 4) / 4)
        return cb_evtx_fail(st, RE_BAD, "%u template values at 0x%x do not fit",
                            n, off);
    uint32_t pos = off + 4 + 4 * n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t sz = cb_le16(st->c + off + 4 + 4 * i);
        if (sz > end - pos)
            return cb_evtx_fail(st, RE_BAD,
                                "template value %u at 0x%x runs past its data",
                                i, off);
        pos += sz;
    }
    *out = pos;
    return 0;
}

/* A token at chunk offset pos whose fields run past [pos, end). */
static int short_token(struct state *st, uint32_t pos)
{
    return cb_evtx_fail(st, RE_BAD, "token 0x%02x at 0x%x runs past its data",
                        st->c[pos], pos);
}

/*
 * Open start element (tok 0x01, 0x41 with attributes) at *pos: token,
 * [dependency id], data size, name offset, [attribute list size]. The
 * dependency id is left out inside Binary XML values (dep 0); when the
 * expected layout gives an impossible name, the other one is tried.
 */
static inline int open_element(struct state *st, unsigned tok, uint32_t *pos,
                               uint32_t end, int dep, struct op *o)
{
    const unsigned char *c = st->c;
    uint32_t at = *pos, left = end - at;
    if (left < 9 || (dep && left < 11))
        return short_token(st, at);
    uint32_t hdr = dep ? 11 : 9;
    uint32_t name_off = cb_le32(c + at + hdr - 4);
    if (!name_plausible(st, name_off, at + hdr)) {
        uint32_t alt = dep ? 9 : 11;
        if (alt <= left &&
            name_plausible(st, cb_le32(c + at + alt - 4), at + alt)) {
            hdr = alt;
            name_off = cb_le32(c + at + alt - 4);
        }
    }
    if (left < hdr + ((tok & 0x40) ? 4u : 0u))
        return short_token(st, at);
    *pos = at + hdr;
    o->kind = OP_OPEN;
    if (name_ref(st, name_off, pos, end, &o->a) != 0)
        return -1;
    if (tok & 0x40) { /* attribute list size */
        if (end - *pos < 4)
            return short_token(st, *pos);
        *pos += 4;
    }
    return 0;
}

/*
 * Value text (0x05), CDATA (0x07), character and entity references (0x08,
 * 0x09) and processing instructions (0x0a target, 0x0b data) at *pos.
 * Returns 0 with o filled, 1 for a token that is not kept (processing
 * instructions), -1 on failure.
 */
static inline int text_token(struct state *st, unsigned t, uint32_t *pos,
                             uint32_t end, struct op *o)
{
    const unsigned char *c = st->c;
    uint32_t at = *pos, left = end - at, n;
    switch (t) {
    case 0x05: /* type (UTF-16 only), units, text */
        if (left < 4)
            return short_token(st, at);
        if (c[at + 1] != 0x01)
            return cb_evtx_fail(st, RE_BAD, "value text of type 0x%02x at 0x%x",
                                c[at + 1], at);
        n = cb_le16(c + at + 2);
        if (2 * n > left - 4)
            return short_token(st, at);
        o->kind = OP_TEXT;
        o->type = T_UTF16;
        o->a = at + 4;
        o->b = n;
        *pos = at + 4 + 2 * n;
        return 0;
    case 0x07: /* CDATA: units, text */
        if (left < 3)
            return short_token(st, at);
        n = cb_le16(c + at + 1);
        if (2 * n > left - 3)
            return short_token(st, at);
        o->kind = OP_TEXT;
        o->type = T_UTF16;
        o->a = at + 3;
        o->b = n;
        *pos = at + 3 + 2 * n;
        return 0;
    case 0x08: /* character reference */
        if (left < 3)
            return short_token(st, at);
        o->kind = OP_TEXT;
        o->type = T_CHAR;
        o->a = cb_le16(c + at + 1);
        *pos = at + 3;
        return 0;
    case 0x09: /* entity reference: name offset */
        if (left < 5)
            return short_token(st, at);
        *pos = at + 5;
        o->kind = OP_TEXT;
        o->type = T_ENTITY;
        return name_ref(st, cb_le32(c + at + 1), pos, end, &o->a);
    case 0x0a: { /* processing instruction target: not kept */
        if (left < 5)
            return short_token(st, at);
        uint32_t slot;
        *pos = at + 5;
        return name_ref(st, cb_le32(c + at + 1), pos, end, &slot) != 0 ? -1 : 1;
    }
    default: /* 0x0b, processing instruction data: not kept */
        if (left < 3)
            return short_token(st, at);
        n = cb_le16(c + at + 1);
        if (2 * n > left - 3)
            return short_token(st, at);
        *pos = at + 3 + 2 * n;
        return 1;
    }
}

/*
 * Template instance (0x0c) at *pos: token, 1 byte, template id, definition
 * offset; the definition itself when it is stored right there (its first
 * use in the chunk); then the substitution values.
 */
static inline int template_instance(struct state *st, int tmpl, uint32_t *pos,
                                    uint32_t end, struct op *o)
{
    uint32_t at = *pos;
    if (tmpl)
        return cb_evtx_fail(st, RE_BAD,
                            "template instance inside a template "
                            "definition at 0x%x",
                            at);
    if (end - at < 10)
        return short_token(st, at);
    uint32_t def_off = cb_le32(st->c + at + 6);
    at += 10;
    uint32_t slot = 0;
    if (get_template(st, def_off, &slot) != 0)
        return -1;
    if (def_off == at) { /* the definition is stored here */
        uint32_t sz = 24 + st->tpls[slot].size;
        if (sz > end - at)
            return cb_evtx_fail(st, RE_BAD,
                                "template at 0x%x runs past its data", at);
        at += sz;
    }
    uint32_t iend = 0;
    if (instance_end(st, at, end, &iend) != 0)
        return -1;
    o->kind = OP_TEMPLATE;
    o->a = slot;
    o->b = at;
    o->c = iend;
    *pos = iend;
    return 0;
}

int cb_evtx_compile(struct state *st, uint32_t pos, uint32_t end, int tmpl,
                    int dep, uint32_t *endpos)
{
    const unsigned char *c = st->c;
    int depth = 0;
    while (pos < end) {
        /* compiling counts against the record's budget too: a value
         * referenced many times is compiled each time */
        if (++st->w.steps > CB_LIMIT_EVTX_RECORD_STEPS)
            return cb_evtx_fail(st, RE_LIMIT, "more than %u steps",
                                CB_LIMIT_EVTX_RECORD_STEPS);
        unsigned tok = c[pos];
        unsigned t = tok & ~0x40u;
        if ((tok & 0x40) && t != 0x01 && (t < 0x05 || t > 0x09))
            return cb_evtx_fail(st, RE_BAD, "unknown token 0x%02x at 0x%x", tok,
                                pos);
        struct op o = {0};
        int r;
        switch (t) {
        case 0x00: /* end of fragment */
            *endpos = pos + 1;
            return 0;
        case 0x0f: /* fragment header: token, major, minor, flags */
            if (end - pos < 4)
                return short_token(st, pos);
            pos += 4;
            continue;
        case 0x01: /* open start element */
            if (open_element(st, tok, &pos, end, dep, &o) != 0)
                return -1;
            if (++depth > CB_LIMIT_BINXML_DEPTH)
                return cb_evtx_fail(st, RE_LIMIT,
                                    "elements nested deeper than %d",
                                    CB_LIMIT_BINXML_DEPTH);
            break;
        case 0x02: /* close start element */
            o.kind = OP_CONTENT;
            pos++;
            break;
        case 0x03: /* close empty element */
        case 0x04: /* end element */
            if (--depth < 0)
                return cb_evtx_fail(st, RE_BAD, "element closed twice at 0x%x",
                                    pos);
            o.kind = OP_CLOSE;
            pos++;
            break;
        case 0x06: /* attribute: name offset */
            if (end - pos < 5)
                return short_token(st, pos);
            o.kind = OP_ATTR;
            pos += 5;
            if (name_ref(st, cb_le32(c + pos - 4), &pos, end, &o.a) != 0)
                return -1;
            break;
        case 0x05:
        case 0x07:
        case 0x08:
        case 0x09:
        case 0x0a:
        case 0x0b:
            r = text_token(st, t, &pos, end, &o);
            if (r < 0)
                return -1;
            if (r > 0)
                continue;
            break;
        case 0x0c: /* template instance */
            if (template_instance(st, tmpl, &pos, end, &o) != 0)
                return -1;
            break;
        case 0x0d: /* normal substitution */
        case 0x0e: /* optional substitution */
            if (end - pos < 4)
                return short_token(st, pos);
            o.kind = OP_SUBST;
            o.idx = cb_le16(c + pos + 1);
            o.type = c[pos + 3];
            o.optional = t == 0x0e;
            pos += 4;
            break;
        default:
            return cb_evtx_fail(st, RE_BAD, "unknown token 0x%02x at 0x%x", tok,
                                pos);
        }
        if (push_op(st, tmpl, &o) != 0)
            return -1;
    }
    *endpos = pos;
    return 0;
}

/* The template defined at chunk offset def_off, compiled on first use. */
static int get_template(struct state *st, uint32_t def_off, uint32_t *slot)
{
    _Static_assert(CB_LIMIT_EVTX_TEMPLATE_SLOTS == 1u << 12, "hash width");
    uint32_t h = (def_off * 2654435761u) >> 20; /* 12 bits */
    for (;;) {
        struct tpl *t = &st->tpls[h];
        if (t->gen != st->gen)
            break;
        if (t->off == def_off) {
            if (t->state == TPL_BROKEN)
                return cb_evtx_fail(st, RE_BAD, "template at 0x%x is broken",
                                    def_off);
            if (t->state == TPL_COMPILING)
                return cb_evtx_fail(
                    st, RE_BAD, "template at 0x%x refers to itself", def_off);
            *slot = h;
            return 0;
        }
        h = (h + 1) & (CB_LIMIT_EVTX_TEMPLATE_SLOTS - 1);
    }
    if (st->ntpls >= CB_LIMIT_EVTX_TEMPLATE_SLOTS / 8 * 7)
        return cb_evtx_fail(st, RE_BAD, "too many templates in chunk");
    st->ntpls++;
    /* a broken definition is remembered too: later records that use it
     * fail at once */
    struct tpl *t = &st->tpls[h];
    t->gen = st->gen;
    t->off = def_off;
    t->state = TPL_BROKEN;
    t->first = t->n = t->size = 0;
    if (def_off < CHUNK_HEADER || (size_t)def_off + 24 > st->clen)
        return cb_evtx_fail(st, RE_BAD,
                            "template offset 0x%x outside the chunk", def_off);
    uint32_t size = cb_le32(st->c + def_off + 20);
    if (size > st->clen - def_off - 24)
        return cb_evtx_fail(st, RE_BAD, "template at 0x%x runs past the chunk",
                            def_off);
    t->size = size;
    t->state = TPL_COMPILING;
    t->first = (uint32_t)st->ntops;
    uint32_t endpos;
    if (cb_evtx_compile(st, def_off + 24, def_off + 24 + size, 1, 1, &endpos) !=
        0) {
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
            case R_EVENTID:
            case R_LEVEL:
            case R_RECORDID:
            case R_CHANNEL:
            case R_COMPUTER:
            case R_DATA:
            case R_DATA_INNER:
            case R_UD:
                break;
            case R_NONE:
            case R_EVENT:
            case R_SYSTEM:
            case R_EVENTDATA:
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

/* ---- text of values ------------------------------------------------- */

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
            o += cb_utf8_put(o, c < 0xA0 ? cp1252[c - 0x80] : c);
    }
    return (size_t)(o - start);
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

/* ---- values ---------------------------------------------------------- */

/* GUID (16 bytes): "{00000000-0000-0000-0000-000000000000}". */
static char *put_guid(char *o, const unsigned char *p)
{
    *o++ = '{';
    o = put_hex(o, cb_le32(p), 8, 1);
    *o++ = '-';
    o = put_hex(o, cb_le16(p + 4), 4, 1);
    *o++ = '-';
    o = put_hex(o, cb_le16(p + 6), 4, 1);
    *o++ = '-';
    for (int i = 8; i < 16; i++) {
        if (i == 10)
            *o++ = '-';
        o = put_hex(o, p[i], 2, 1);
    }
    *o++ = '}';
    return o;
}

/* SYSTEMTIME (16 bytes), printed as stored: "2024-11-15T01:58:12.3450000Z"
 */
static char *put_systemtime(char *o, const unsigned char *p)
{
    o = put_dec(o, cb_le16(p) % 10000u, 4);
    *o++ = '-';
    o = put_dec(o, cb_le16(p + 2) % 100u, 2);
    *o++ = '-';
    o = put_dec(o, cb_le16(p + 6) % 100u, 2);
    *o++ = 'T';
    o = put_dec(o, cb_le16(p + 8) % 100u, 2);
    *o++ = ':';
    o = put_dec(o, cb_le16(p + 10) % 100u, 2);
    *o++ = ':';
    o = put_dec(o, cb_le16(p + 12) % 100u, 2);
    *o++ = '.';
    o = put_dec(o, cb_le16(p + 14) % 1000u * 10000u, 7);
    *o++ = 'Z';
    return o;
}

/* SID (8 + 4 * sub-authority count bytes, checked by the caller):
 * "S-revision-authority-sub-...", the authority in hex past 32 bits. */
static char *put_sid(char *o, const unsigned char *p)
{
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
        o = put_u64(o, cb_le32(p + 8 + 4 * i));
    }
    return o;
}

static size_t type_size(unsigned type)
{
    switch (type & 0x7F) {
    case 0x03:
    case 0x04:
        return 1;
    case 0x05:
    case 0x06:
        return 2;
    case 0x07:
    case 0x08:
    case 0x0b:
    case 0x0d:
    case 0x14:
        return 4;
    case 0x09:
    case 0x0a:
    case 0x0c:
    case 0x11:
    case 0x15:
        return 8;
    case 0x0f:
    case 0x12:
        return 16;
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
        return o + cb_utf16le_to_utf8(p, n / 2, o);
    case 0x02:
        return o + ansi_to_utf8(p, n, o);
    case 0x03:
    case 0x05:
    case 0x07:
    case 0x09:
        if (!value_int(t, p, n, &v))
            break;
        return put_i64(o, (int64_t)v);
    case 0x04:
    case 0x06:
    case 0x08:
    case 0x0a:
        if (!value_int(t, p, n, &v))
            break;
        return put_u64(o, v);
    case 0x0b: {
        if (n != 4)
            break;
        float f;
        uint32_t u = cb_le32(p);
        memcpy(&f, &u, 4);
        return o + snprintf(o, 48, "%.9g", (double)f);
    }
    case 0x0c: {
        if (n != 8)
            break;
        double d;
        uint64_t u = cb_le64(p);
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
        return put_guid(o, p);
    case 0x10:
    case 0x14:
    case 0x15:
        if (!value_int(t, p, n, &v))
            break;
        *o++ = '0';
        *o++ = 'x';
        return put_hex(o, v, n == 4 ? 8 : 16, 0);
    case 0x11:
        if (n != 8)
            break;
        return put_filetime(o, cb_le64(p));
    case 0x12: /* SYSTEMTIME: printed as stored */
        if (n != 16)
            break;
        return put_systemtime(o, p);
    case 0x13: /* SID */
        if (n < 8 || n != 8 + 4 * (size_t)p[1])
            break;
        return put_sid(o, p);
    default:
        break;
    }
    /* binary, unknown types and sizes that do not fit the type */
    for (size_t i = 0; i < n; i++)
        o = put_hex(o, p[i], 2, 1);
    return o;
}

size_t cb_evtx_array_item(unsigned t, const unsigned char *p, size_t n,
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

int cb_evtx_render(struct state *st, struct sbuf *b, unsigned type,
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
        size_t step = cb_evtx_array_item(t, p, n, i, &k);
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
