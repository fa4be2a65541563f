/*
 * record.c - one EVTX record decoded into an event.
 *
 * Format (spec: shared/kb/spec/Windows XML Event Log (EVTX).asciidoc,
 * "Event record" and "Binary XML"): a record is a Binary XML fragment,
 * mostly one template instance: the template's operations (compiled by
 * binxml.c) run over the record's substitution values.
 *
 * The walk runs those operations through a small state machine that
 * routes each value straight into the event, no XML text is built:
 * System/Provider@Name, EventID, Level, TimeCreated@SystemTime,
 * EventRecordID, Execution@ProcessID/ThreadID, Channel and Computer fill
 * the event; EventData/Data and the leaves under UserData become fields,
 * as Windows names them (an array value: one field per item). The event's
 * fields and their text are then copied into the arena in one block.
 */
#include <stdio.h>
#include <string.h>

#include "evtx_internal.h"

/* ---- the walk: values routed into the event -------------------------- */

static int run(struct cb_parse *p, struct state *st, int tmpl, uint32_t first,
               uint32_t n, size_t vbase, size_t nv);

static uint8_t content_sink(const struct frame *f)
{
    switch (f->role) {
    case R_EVENTID:
        return S_EVENTID;
    case R_LEVEL:
        return S_LEVEL;
    case R_RECORDID:
        return S_RECORDID;
    case R_CHANNEL:
        return S_CHANNEL;
    case R_COMPUTER:
        return S_COMPUTER;
    case R_DATA:
    case R_DATA_INNER:
        return S_FIELD;
    case R_UD:
        return f->had_child ? S_NONE : S_FIELD;
    default:
        return S_NONE;
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

static int m_open(struct cb_parse *p, struct state *st, uint32_t slot)
{
    struct walk *w = &st->w;
    if (end_attr(p, st) != 0)
        return -1;
    if (w->depth >= CB_LIMIT_BINXML_DEPTH)
        return cb_evtx_fail(st, RE_LIMIT, "elements nested deeper than %d",
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
        f->fname = cb_evtx_name_intern(p, st, slot); /* <Binary> and the like */
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
        return end_field(st, cb_evtx_name_intern(p, st, f->name), off);
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
        litn = cb_utf8_put(lit, o->a); /* a surrogate: U+FFFD */
    } else if (o->type == T_ENTITY) {
        static const struct {
            const char *name, *text;
        } ent[] = {{"lt", "<"},
                   {"gt", ">"},
                   {"amp", "&"},
                   {"quot", "\""},
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
        b->len += cb_utf16le_to_utf8(st->c + o->a, o->b, b->p + b->len);
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
        size_t step = cb_evtx_array_item(t, d, n, i, &k);
        if (i) { /* the item before is a field of its own */
            const char *name;
            if (f->role == R_DATA)
                name =
                    f->fname ? f->fname : position_name(p, st, ++st->w.unnamed);
            else
                name = cb_evtx_name_intern(p, st, f->name);
            if (end_field(st, name, f->val) != 0)
                return -1;
            f->val = (uint32_t)st->text.len;
        }
        if (cb_evtx_render(st, &st->text, t, d + i, k) != 0)
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
            return cb_evtx_fail(st, RE_LIMIT,
                                "Binary XML values nested deeper than %d",
                                CB_LIMIT_BINXML_DEPTH);
        size_t mark = st->nsops;
        uint32_t endpos;
        w->dn_op = NULL; /* the operation arrays may move */
        int dep = !(v->size && (d[0] & ~0x40u) == 0x01);
        if (cb_evtx_compile(st, v->off, v->off + v->size, 0, dep, &endpos) != 0)
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
        uint64_t ft = cb_le64(d);
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
    if (cb_evtx_render(st, b, v->type, d, v->size) != 0)
        return -1;
    if (sink >= S_EVENTID && sink <= S_TIME)
        number_text(w, sink, b->p, b->len);
    return 0;
}

/* Run a template over the values of an instance at chunk [off, end). */
static int instantiate(struct cb_parse *p, struct state *st, uint32_t slot,
                       uint32_t off, uint32_t end)
{
    uint32_t n = cb_le32(st->c + off); /* checked by instance_end */
    size_t vbase = st->nvals;
    if (vbase + n > st->vals_cap) {
        if (vbase + n > CB_LIMIT_EVTX_OPS)
            return cb_evtx_fail(st, RE_LIMIT, "more than %u values",
                                CB_LIMIT_EVTX_OPS);
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
        v->size = cb_le16(dsc);
        v->type = dsc[2];
        pos += v->size;
    }
    if (pos > end)
        return cb_evtx_fail(st, RE_BAD, "template values at 0x%x overrun", off);
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
            return cb_evtx_fail(st, RE_LIMIT, "more than %u steps",
                                CB_LIMIT_EVTX_RECORD_STEPS);
        /* the arrays may move when nested values compile: index again */
        struct op *o = tmpl ? &st->tops[i] : &st->sops[i];
        int r = 0;
        switch (o->kind) {
        case OP_OPEN:
            r = m_open(p, st, o->a);
            break;
        case OP_ATTR:
            r = m_attr(p, st, o->a);
            break;
        case OP_CONTENT:
            r = m_content(p, st);
            break;
        case OP_CLOSE:
            r = m_close(p, st);
            break;
        case OP_TEXT:
            r = m_text(p, st, o);
            break;
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
    size_t n =
        b->len < CB_LIMIT_INTERN_STRING ? b->len : CB_LIMIT_INTERN_STRING;
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

static uint8_t level_of(uint64_t v)
{
    return v >= 1 && v <= 5 ? (uint8_t)v : CB_LEVEL_INFO;
}

/* Reset the walk and the record's buffers, then decode the Binary XML of
 * the record at chunk offset off (size bytes): 0, or -1 (st->err set). */
static int walk_record(struct cb_parse *p, struct state *st, uint32_t off,
                       uint32_t size)
{
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
    int r =
        cb_evtx_compile(st, off + REC_HEADER, off + size - 4, 0, 1, &endpos);
    if (r == 0)
        r = run(p, st, 0, 0, (uint32_t)st->nsops, 0, 0);
    while (r == 0 && w->depth > 0) /* close what the data left open */
        r = m_close(p, st);
    return r;
}

/* The System values the walk found into ev: event id, level, process and
 * thread, provider, channel and host; *computer gets the interned
 * Computer (also a field). -1 on out of memory. */
static int event_system(struct cb_parse *p, struct state *st,
                        struct cb_event *ev, const char **computer)
{
    const struct walk *w = &st->w;
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
    int fail = 0;
    if (st->sys[0].len && !(ev->provider = sys_intern(p, st, 0)))
        fail = 1;
    if (st->sys[1].len && !(ev->channel = sys_intern(p, st, 1)))
        fail = 1;
    if (!st->sys[1].len && w->has_channel)
        ev->channel = st->f_empty; /* <Channel/>: empty, not missing */
    if (st->sys[2].len) {
        *computer = sys_intern(p, st, 2);
        ev->host = st->ic[2].host;
        if (!*computer || !ev->host)
            fail = 1;
    }
    return fail ? -1 : 0;
}

/* The fields of ev in one arena block with their text: the data fields,
 * then Qualifiers and Computer (not in the message, which is rendered
 * from the data fields when read). -1 on out of memory. */
static int event_fields(struct cb_parse *p, struct state *st,
                        struct cb_event *ev, const char *computer)
{
    const struct walk *w = &st->w;
    size_t nd = st->nflds, nq = 0;
    char qual[24];
    if (w->has_num[S_QUALIFIERS - NUM_BASE]) {
        nq = (size_t)(put_u64(qual, w->num[S_QUALIFIERS - NUM_BASE]) - qual);
        qual[nq++] = '\0';
    }
    size_t nf = nd + (nq ? 1 : 0) + (computer ? 1 : 0);
    size_t bytes = nf * sizeof(struct cb_field) + st->text.len + nq;
    char *blk = cb_arena_alloc(p->arena, bytes);
    if (!blk)
        return -1;
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
    ev->message = NULL;
    ev->msg_fields = (uint16_t)(nd < UINT16_MAX ? nd : UINT16_MAX);
    ev->flags |= CB_EV_MESSAGE_SYNTH | CB_EV_MESSAGE_LAZY;
    st->blk = blk;
    st->blk_size = bytes;
    return 0;
}

static int record_nomem(struct cb_parse *p, uint64_t where)
{
    cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_OFFSET, where, "out of memory");
    return -1;
}

int cb_evtx_record(struct cb_parse *p, struct state *st, struct cb_event *ev,
                   uint32_t off, uint32_t size)
{
    uint64_t hdr_rid = cb_le64(st->c + off + 8);
    uint64_t hdr_time = cb_le64(st->c + off + 16);
    uint64_t where = st->coff + off;
    if (walk_record(p, st, off, size) != 0) {
        if (st->err == RE_NOMEM)
            return record_nomem(p, where);
        if (st->after_damage)
            st->quiet_skips++; /* summed up at the end of the chunk */
        else
            cb_parse_warn(p, CB_WHERE_OFFSET, where,
                          "chunk %llu: record %llu skipped: %s",
                          (unsigned long long)st->slot,
                          (unsigned long long)hdr_rid, st->errmsg);
        return 0;
    }
    const struct walk *w = &st->w;
    uint64_t rid = w->has_num[S_RECORDID - NUM_BASE]
                       ? w->num[S_RECORDID - NUM_BASE]
                       : hdr_rid;
    cb_time ts = w->has_time                       ? w->time
                 : hdr_time <= (uint64_t)INT64_MAX ? (cb_time)hdr_time
                                                   : 0;
    if (rid > st->max_rid)
        st->max_rid = rid;
    if (!st->worker) { /* a worker's consumer admits it, in file order */
        st->rec_off = where;
        int a = cb_evtx_admit(st, rid, ts, st->after_damage);
        if (a < 0)
            return record_nomem(p, where);
        if (a == 0)
            return 0;
    }
    memset(ev, 0, sizeof *ev);
    ev->ts = ts;
    ev->record_id = rid;
    ev->flags = CB_EV_HAS_RECORD_ID |
                (st->stale || st->after_damage ? CB_EV_RECOVERED : 0);
    ev->origin = where;
    const char *computer = NULL;
    if (event_system(p, st, ev, &computer) != 0 ||
        event_fields(p, st, ev, computer) != 0)
        return record_nomem(p, where);
    return 1;
}
