/*
 * jsonv.c - the small JSON reader of jsonv.h: recursive descent over a
 * length-bounded buffer, nesting capped, every value in one arena.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "casebrief/arena.h"
#include "jsonv.h"
#include "utf.h"

struct cb_jdoc {
    struct cb_arena *arena;
    struct cb_jv *root;
};

struct parse {
    const char *p, *end, *start;
    struct cb_arena *arena;
    const char *err;
};

static void ws(struct parse *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int fail(struct parse *ps, const char *msg)
{
    if (!ps->err)
        ps->err = msg;
    return -1;
}

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

/* At the opening quote; the decoded text is never longer than the raw. */
static char *string(struct parse *ps)
{
    const char *s = ++ps->p;
    while (ps->p < ps->end && *ps->p != '"') {
        if (*ps->p == '\\' && ps->end - ps->p < 2) {
            ps->p = ps->end;
            break;
        }
        if (*ps->p == '\\')
            ps->p++;
        else if ((unsigned char)*ps->p < 0x20) {
            fail(ps, "control character in a string");
            return NULL;
        }
        ps->p++;
    }
    if (ps->p >= ps->end) {
        fail(ps, "unterminated string");
        return NULL;
    }
    size_t raw = (size_t)(ps->p - s);
    ps->p++; /* the closing quote */
    char *out = cb_arena_alloc(ps->arena, raw + 1);
    if (!out) {
        fail(ps, "out of memory");
        return NULL;
    }
    size_t o = 0;
    for (const char *q = s, *qe = s + raw; q < qe;) {
        if (*q != '\\') {
            out[o++] = *q++;
            continue;
        }
        q++; /* q < qe: a backslash never ends the raw text */
        char c = *q++;
        switch (c) {
        case '"': case '\\': case '/': out[o++] = c; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (qe - q < 4 || hex4(q, &cp) != 0) {
                fail(ps, "bad \\u escape");
                return NULL;
            }
            q += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && qe - q >= 6 && q[0] == '\\' &&
                q[1] == 'u' && hex4(q + 2, &lo) == 0 && lo >= 0xDC00 &&
                lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                q += 6;
            } else if (cp == 0) {
                cp = CB_UTF_REPLACEMENT; /* a lone surrogate becomes it too */
            }
            /* 6 raw bytes (12 for a pair) give at most 3 (4) */
            o += cb_utf8_put(out + o, cp);
            break;
        }
        default:
            fail(ps, "bad escape");
            return NULL;
        }
    }
    out[o] = '\0';
    if (memchr(out, '\0', o)) /* a raw NUL byte in the text */
        for (size_t i = 0; i < o; i++)
            if (!out[i])
                out[i] = '?';
    return out;
}

static int number(struct parse *ps, struct cb_jv *v)
{
    const char *s = ps->p;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    size_t digits = 0;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
        ps->p++, digits++;
    if (!digits)
        return fail(ps, "bad number");
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        digits = 0;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++, digits++;
        if (!digits)
            return fail(ps, "bad number");
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        digits = 0;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++, digits++;
        if (!digits)
            return fail(ps, "bad number");
    }
    v->type = CB_JNUM;
    v->str = cb_arena_strndup(ps->arena, s, (size_t)(ps->p - s));
    return v->str ? 0 : fail(ps, "out of memory");
}

static int literal(struct parse *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "unexpected character");
    ps->p += n;
    return 0;
}

static int value(struct parse *ps, struct cb_jv *v, int depth)
{
    if (depth > CB_LIMIT_JSON_DEPTH)
        return fail(ps, "nested too deeply");
    ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end");
    char c = *ps->p;
    if (c == '"') {
        v->type = CB_JSTR;
        v->str = string(ps);
        return v->str ? 0 : -1;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return number(ps, v);
    if (c == 't') {
        v->type = CB_JTRUE;
        return literal(ps, "true");
    }
    if (c == 'f') {
        v->type = CB_JFALSE;
        return literal(ps, "false");
    }
    if (c == 'n') {
        v->type = CB_JNULL;
        return literal(ps, "null");
    }
    if (c != '[' && c != '{')
        return fail(ps, "unexpected character");
    int obj = c == '{';
    char close = obj ? '}' : ']';
    v->type = obj ? CB_JOBJ : CB_JARR;
    ps->p++;
    ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    struct cb_jv **tail = &v->child;
    for (;;) {
        struct cb_jv *m = cb_arena_calloc(ps->arena, 1, sizeof *m);
        if (!m)
            return fail(ps, "out of memory");
        if (obj) {
            ws(ps);
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, "expected a member name");
            if (!(m->key = string(ps)))
                return -1;
            ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return fail(ps, "expected ':'");
            ps->p++;
        }
        if (value(ps, m, depth + 1) != 0)
            return -1;
        *tail = m;
        tail = &m->next;
        v->len++;
        ws(ps);
        if (ps->p >= ps->end)
            return fail(ps, "unexpected end");
        if (*ps->p == close) {
            ps->p++;
            return 0;
        }
        if (*ps->p != ',')
            return fail(ps, "expected ',' or a closing bracket");
        ps->p++;
    }
}

struct cb_jdoc *cb_json_parse(const char *text, size_t n, const char **err,
                              size_t *at)
{
    struct parse ps = {.p = text, .end = text + n, .start = text};
    struct cb_jdoc *d = cb_calloc(1, sizeof *d);
    if (d)
        d->arena = cb_arena_create();
    if (d && d->arena)
        d->root = cb_arena_calloc(d->arena, 1, sizeof *d->root);
    if (!d || !d->arena || !d->root) {
        fail(&ps, "out of memory");
    } else {
        ps.arena = d->arena;
        if (value(&ps, d->root, 0) == 0) {
            ws(&ps);
            if (ps.p != ps.end)
                fail(&ps, "text after the value");
        }
    }
    if (ps.err) {
        if (err)
            *err = ps.err;
        if (at)
            *at = (size_t)(ps.p - ps.start);
        cb_json_free(&d);
        return NULL;
    }
    return d;
}

const struct cb_jv *cb_json_root(const struct cb_jdoc *d)
{
    return d ? d->root : NULL;
}

void cb_json_free(struct cb_jdoc **d)
{
    if (!d || !*d)
        return;
    cb_arena_destroy(&(*d)->arena);
    cb_free(*d);
    *d = NULL;
}

const struct cb_jv *cb_json_get(const struct cb_jv *obj, const char *key)
{
    if (!obj || obj->type != CB_JOBJ)
        return NULL;
    for (const struct cb_jv *m = obj->child; m; m = m->next)
        if (strcmp(m->key, key) == 0)
            return m;
    return NULL;
}

const char *cb_json_str(const struct cb_jv *obj, const char *key)
{
    const struct cb_jv *v = cb_json_get(obj, key);
    return v && v->type == CB_JSTR ? v->str : NULL;
}

int64_t cb_json_int(const struct cb_jv *obj, const char *key, int64_t dflt)
{
    const struct cb_jv *v = cb_json_get(obj, key);
    if (!v || v->type != CB_JNUM || strpbrk(v->str, ".eE"))
        return dflt;
    errno = 0;
    char *end;
    long long x = strtoll(v->str, &end, 10);
    return errno || *end ? dflt : (int64_t)x;
}

struct cb_jdoc *cb_json_load(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = cb_malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= max) {
                cb_free(buf);
                buf = NULL;
                break;
            }
            size_t ncap = cap * 2 > max ? max : cap * 2;
            char *nb = cb_realloc(buf, ncap);
            if (!nb) {
                cb_free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        cb_free(buf);
        return NULL;
    }
    struct cb_jdoc *d = cb_json_parse(buf, n, NULL, NULL);
    cb_free(buf);
    return d;
}
