/*
 * rules.c - loads the knowledge base: rules/NAME.xml (schema in
 * rules/README.md) parsed with expat into a small tree, then compiled into
 * matchers (PCRE2 with JIT and match limits) and correlation settings.
 *
 * Rule files are trusted more than customer data but still checked: every
 * unknown element or attribute, bad number, bad regex and dangling
 * reference is an error with file:line, and a file with errors adds no
 * rule.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "casebrief/limits.h"
#include "fill.h"
#include "rules_internal.h"
#include "sort.h"
#include "steplint.h"

/* ---- a small element tree ---------------------------------------------- */

struct node {
    const char *name;
    const char **attrs; /* name, value, ..., NULL */
    char *text;
    size_t text_len;
    unsigned line;
    struct node *parent, *child, *last, *next;
};

struct load {
    struct cb_arena *arena;
    const char *file;
    struct node *root, *cur;
    unsigned depth;
    int failed;
    struct cb_rule_error **errors;
    unsigned nerrors;
    XML_Parser xp;
};

static void add_error(struct load *l, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_error(struct load *l, unsigned line, const char *fmt, ...)
{
    l->failed = 1;
    l->nerrors++;
    struct cb_rule_error *e = cb_calloc(1, sizeof *e);
    if (!e)
        return;
    snprintf(e->where, sizeof e->where, "%s:%u", l->file, line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    struct cb_rule_error **p = l->errors;
    while (*p)
        p = &(*p)->next;
    *p = e;
}

static void XMLCALL on_start(void *ud, const XML_Char *name,
                             const XML_Char **attrs)
{
    struct load *l = ud;
    unsigned line = (unsigned)XML_GetCurrentLineNumber(l->xp);
    if (++l->depth > CB_LIMIT_RULE_DEPTH) {
        add_error(l, line, "elements nested deeper than %d",
                  CB_LIMIT_RULE_DEPTH);
        XML_StopParser(l->xp, XML_FALSE);
        return;
    }
    struct node *n = cb_arena_calloc(l->arena, 1, sizeof *n);
    size_t na = 0;
    while (attrs[na])
        na++;
    const char **a = cb_arena_calloc(l->arena, na + 1, sizeof *a);
    if (!n || !a) {
        XML_StopParser(l->xp, XML_FALSE);
        return;
    }
    for (size_t i = 0; i < na; i++)
        a[i] = cb_arena_strdup(l->arena, attrs[i]);
    n->name = cb_arena_strdup(l->arena, name);
    n->attrs = a;
    n->line = line;
    n->parent = l->cur;
    if (l->cur) {
        if (l->cur->last)
            l->cur->last->next = n;
        else
            l->cur->child = n;
        l->cur->last = n;
    } else {
        l->root = n;
    }
    l->cur = n;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct load *l = ud;
    (void)name;
    l->depth--;
    if (l->cur)
        l->cur = l->cur->parent;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct load *l = ud;
    struct node *n = l->cur;
    if (!n || len <= 0)
        return;
    char *t = cb_arena_alloc(l->arena, n->text_len + (size_t)len + 1);
    if (!t)
        return;
    if (n->text_len)
        memcpy(t, n->text, n->text_len);
    memcpy(t + n->text_len, s, (size_t)len);
    n->text_len += (size_t)len;
    t[n->text_len] = '\0';
    n->text = t;
}

/* Rule files need no DTD; refusing one rules out entity expansion. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name,
                               const XML_Char *sysid, const XML_Char *pubid,
                               int internal)
{
    struct load *l = ud;
    (void)name, (void)sysid, (void)pubid, (void)internal;
    add_error(l, (unsigned)XML_GetCurrentLineNumber(l->xp),
              "DOCTYPE is not allowed in rule files");
    XML_StopParser(l->xp, XML_FALSE);
}

/* ---- tree helpers ------------------------------------------------------- */

static const char *attr(const struct node *n, const char *name)
{
    for (const char **a = n->attrs; a[0]; a += 2) {
        if (strcmp(a[0], name) == 0)
            return a[1];
    }
    return NULL;
}

/* Text with surrounding white space trimmed and inner runs of white space
 * (line breaks in the XML) folded to one space. */
static const char *text_of(struct load *l, const struct node *n)
{
    const char *s = n->text ? n->text : "";
    char *o = cb_arena_alloc(l->arena, strlen(s) + 1);
    if (!o)
        return "";
    size_t k = 0;
    int space = 0;
    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            space = k > 0;
            continue;
        }
        if (space)
            o[k++] = ' ';
        space = 0;
        o[k++] = *s;
    }
    o[k] = '\0';
    return o;
}

/* Text kept as written, except the common indentation (PowerShell). */
static const char *code_of(struct load *l, const struct node *n)
{
    const char *s = n->text ? n->text : "";
    while (*s == '\n' || *s == '\r')
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    /* smallest indentation of the non-blank lines */
    size_t indent = SIZE_MAX, i = 0;
    while (i < len) {
        size_t k = 0;
        while (i + k < len && s[i + k] == ' ')
            k++;
        if (i + k < len && s[i + k] != '\n' && k < indent)
            indent = k;
        while (i < len && s[i] != '\n')
            i++;
        i++;
    }
    if (indent == SIZE_MAX)
        indent = 0;
    char *o = cb_arena_alloc(l->arena, len + 1);
    if (!o)
        return "";
    size_t k = 0;
    i = 0;
    while (i < len) {
        size_t skip = 0;
        while (skip < indent && i < len && s[i] == ' ')
            i++, skip++;
        while (i < len && s[i] != '\n') {
            if (s[i] != '\r')
                o[k++] = s[i];
            i++;
        }
        if (i < len)
            o[k++] = s[i++];
    }
    o[k] = '\0';
    return o;
}

static int check_attrs(struct load *l, const struct node *n,
                       const char *const *allowed)
{
    int ok = 1;
    for (const char **a = n->attrs; a[0]; a += 2) {
        int known = 0;
        for (const char *const *k = allowed; *k; k++)
            known |= strcmp(*k, a[0]) == 0;
        if (!known) {
            add_error(l, n->line, "<%s>: unknown attribute '%s'", n->name,
                      a[0]);
            ok = 0;
        }
    }
    return ok;
}

/* "90s", "5m", "2h", "1d", "250ms" -> ticks; -1 when malformed. */
static cb_time parse_duration(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    double mul;
    if (strcmp(end, "ms") == 0)
        mul = 1e4;
    else if (strcmp(end, "s") == 0 || *end == '\0')
        mul = 1e7;
    else if (strcmp(end, "m") == 0)
        mul = 60e7;
    else if (strcmp(end, "h") == 0)
        mul = 3600e7;
    else if (strcmp(end, "d") == 0)
        mul = 86400e7;
    else
        return -1;
    double t = v * mul;
    if (!(t <= 3.0e16)) /* about 95 years; also refuses "nan" */
        return -1;
    return (cb_time)t;
}

/* Space or comma separated words into an arena array. */
static const char **words(struct load *l, const char *s, unsigned *count)
{
    unsigned n = 0;
    const char **out = NULL;
    for (int pass = 0; pass < 2; pass++) {
        n = 0;
        const char *p = s;
        while (*p) {
            while (*p == ' ' || *p == ',')
                p++;
            if (!*p)
                break;
            const char *w = p;
            while (*p && *p != ' ' && *p != ',')
                p++;
            if (pass)
                out[n] = cb_arena_strndup(l->arena, w, (size_t)(p - w));
            n++;
        }
        if (!pass)
            out = cb_arena_calloc(l->arena, n + 1, sizeof *out);
        if (!out)
            return NULL;
    }
    *count = n;
    return out;
}

/* ---- regexes ------------------------------------------------------------ */

/* A pattern as written in <message>/<field>/<path>: line breaks (and the
 * indentation before them) around it are layout, not part of it. */
static const char *pattern_of(struct load *l, const struct node *n)
{
    const char *p = n->text ? n->text : "";
    if (!strchr(p, '\n'))
        return p;
    while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
        p++;
    size_t len = strlen(p);
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' ||
                   p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    const char *t = cb_arena_strndup(l->arena, p, len);
    return t ? t : "";
}

static pcre2_code *compile(struct load *l, struct cb_rules *rs,
                           const struct node *n, const char *pattern)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile(
        (PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
        PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DUPNAMES, &code, &off,
        NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        add_error(l, n->line, "<%s>: bad regular expression at offset %zu: "
                  "%s", n->name, (size_t)off, (const char *)msg);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional speed-up */
    if (rs->ncodes == rs->codes_cap) {
        size_t cap = rs->codes_cap ? rs->codes_cap * 2 : 64;
        pcre2_code **c = cb_realloc(rs->codes, cap * sizeof *c);
        if (!c) {
            pcre2_code_free(re);
            return NULL;
        }
        rs->codes = c;
        rs->codes_cap = cap;
    }
    rs->codes[rs->ncodes++] = re;
    return re;
}

/* Anything required_literal does not fully understand means no literal:
 * inline options after the start, \Q..\E, POSIX classes. */
static int scannable(const char *p)
{
    for (const char *q = p; *q; q++) {
        if (q[0] == '\\' && q[1]) {
            q++;
            continue;
        }
        if (q[0] == '(' && q[1] == '?') {
            char o = q[2];
            int named = o == '\'' || o == '<' ||
                        (o == 'P' && (q[3] == '<' || q[3] == '=' ||
                                      q[3] == '>'));
            if (!named && o != ':' && o != '=' && o != '!' && o != '#')
                return 0;
        }
        if (q[0] == '[' && q[1] == ':')
            return 0;
    }
    return 1;
}

/* The index after the group opening at p[i], and after its quantifier. */
static size_t skip_group(const char *p, size_t i)
{
    int depth = 0;
    while (p[i]) {
        if (p[i] == '\\' && p[i + 1]) {
            i += 2;
            continue;
        }
        if (p[i] == '[') {
            i++;
            if (p[i] == ']')
                i++;
            while (p[i] && p[i] != ']')
                i += p[i] == '\\' && p[i + 1] ? 2 : 1;
        }
        if (p[i] == '(')
            depth++;
        else if (p[i] == ')' && --depth == 0)
            break;
        if (p[i])
            i++;
    }
    if (p[i])
        i++;
    if (p[i] == '?' || p[i] == '*' || p[i] == '+' || p[i] == '{')
        i++; /* the group's quantifier */
    return i;
}

/*
 * The longest run of literal characters every match must contain, taken
 * from the pattern's top level only: groups (maybe optional or
 * alternatives), classes, escapes that stand for classes and quantified
 * characters end a run; a top-level '|' means there is none. Returns the
 * length (0: none worth using) and whether "(?i)" makes it case-blind.
 */
static size_t required_literal(const char *p, char *out, size_t size,
                               int *ci)
{
    char run[256], best[256];
    size_t rn = 0, bn = 0;
    *ci = 0;
    if (strncmp(p, "(?i)", 4) == 0) {
        *ci = 1;
        p += 4;
    }
    if (!scannable(p))
        return 0;
#define END_RUN()                                                            \
    do {                                                                     \
        if (rn > bn) {                                                       \
            memcpy(best, run, rn);                                           \
            bn = rn;                                                         \
        }                                                                    \
        rn = 0;                                                              \
    } while (0)
    for (size_t i = 0; p[i];) {
        char c = p[i];
        if (c == '\\') {
            char e = p[i + 1];
            if (!e)
                break;
            if (isalnum((unsigned char)e)) {
                /* one-letter class escapes end a run; escapes with
                 * arguments (\x41, \101, \cA, \p{..}, \Q) end the search */
                if (!strchr("dDwWsSbBhHvVRAzZG", e) || p[i + 2] == '{')
                    return 0;
                END_RUN();
            } else if ((unsigned char)e >= 0x80) {
                return 0;
            } else if (rn < sizeof run) {
                run[rn++] = e;
            }
            i += 2;
        } else if (c == '[') {
            END_RUN();
            i++;
            if (p[i] == '^')
                i++;
            if (p[i] == ']')
                i++;
            while (p[i] && p[i] != ']')
                i += p[i] == '\\' && p[i + 1] ? 2 : 1;
            if (p[i])
                i++;
        } else if (c == '(') {
            END_RUN();
            i = skip_group(p, i);
        } else if (c == '|') {
            return 0;
        } else if (c == '?' || c == '*' || c == '{') {
            if (rn)
                rn--; /* the quantified character may be absent */
            END_RUN();
            i++;
            if (c == '{')
                while (p[i] && p[i - 1] != '}')
                    i++;
        } else if (c == '+') {
            END_RUN();
            i++;
        } else if (c == '.' || c == '^' || c == '$' || c == ')') {
            END_RUN();
            i++;
        } else {
            if (rn < sizeof run)
                run[rn++] = c;
            i++;
        }
    }
    END_RUN();
#undef END_RUN
    if (bn < 4 || bn >= size)
        return 0;
    for (size_t i = 0; i < bn && *ci; i++) {
        if ((unsigned char)best[i] >= 0x80)
            return 0; /* case folding beyond ASCII: leave it to PCRE2 */
    }
    memcpy(out, best, bn);
    out[bn] = '\0';
    return bn;
}

static int literal_index(struct load *l, struct cb_rules *rs,
                         const char *pattern, int ci_outer)
{
    char buf[256];
    int ci;
    size_t n = required_literal(pattern, buf, sizeof buf, &ci);
    if (!n)
        return -1;
    ci |= ci_outer;
    for (size_t i = 0; i < n && ci; i++) {
        if ((unsigned char)buf[i] >= 0x80)
            return -1; /* case folding beyond ASCII: leave it to PCRE2 */
    }
    for (size_t i = 0; i < rs->nlits; i++) {
        if (rs->lits[i].len == n && rs->lits[i].ci == ci &&
            memcmp(rs->lits[i].s, buf, n) == 0)
            return (int)i;
    }
    if (rs->nlits == rs->lits_cap) {
        size_t cap = rs->lits_cap ? rs->lits_cap * 2 : 32;
        struct literal *nl = cb_realloc(rs->lits, cap * sizeof *nl);
        if (!nl)
            return -1;
        rs->lits = nl;
        rs->lits_cap = cap;
    }
    const char *copy = cb_arena_strndup(l->arena, buf, n);
    char *low = cb_arena_strndup(l->arena, buf, n);
    if (!copy || !low)
        return -1;
    for (char *q = low; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    rs->lits[rs->nlits] = (struct literal){copy, low, n, ci};
    return (int)rs->nlits++;
}

/*
 * Prefilter literals of a pattern: one per top-level alternative, each
 * required by its branch; the pattern can only match text holding one of
 * them. Returns the count, 0 when some branch has none.
 */
static unsigned prefilter(struct load *l, struct cb_rules *rs,
                          const char *pattern, int *out, unsigned max)
{
    int ci = strncmp(pattern, "(?i)", 4) == 0;
    const char *p = pattern + (ci ? 4 : 0);
    char branch[1024];
    if (strstr(p, "[:") || strstr(p, "\\Q"))
        return 0;
    unsigned n = 0;
    size_t start = 0, i = 0;
    int depth = 0;
    for (;; i++) {
        char c = p[i];
        if (c == '\\' && p[i + 1]) {
            i++;
            continue;
        }
        if (c == '[') {
            i++;
            if (p[i] == '^')
                i++;
            if (p[i] == ']')
                i++;
            while (p[i] && p[i] != ']')
                i += p[i] == '\\' && p[i + 1] ? 2 : 1;
            if (!p[i])
                return 0;
            continue;
        }
        if (c == '(')
            depth++;
        else if (c == ')')
            depth--;
        if ((c == '|' && depth == 0) || c == '\0') {
            size_t len = i - start;
            if (n == max || len >= sizeof branch)
                return 0;
            memcpy(branch, p + start, len);
            branch[len] = '\0';
            int idx = literal_index(l, rs, branch, ci);
            if (idx < 0)
                return 0;
            out[n++] = idx;
            start = i + 1;
            if (c == '\0')
                break;
        }
    }
    return n;
}

/* Well-known texts of the codes the knowledge base names. */
static const struct {
    unsigned long code;
    const char *text;
} hresult_texts[] = {
    {0x80070020, "being used by another process"},
    {0x80070005, "access is denied|general access denied error"},
    {0x80070002, "cannot find the file specified"},
    {0x80070003, "cannot find the path specified"},
    {0x80070570, "file or directory is corrupted and unreadable"},
    {0x80004004, "operation aborted"},
    {0x8000FFFF, "catastrophic failure"},
    {0x8009030E, "no credentials are available in the security package"},
    {0x8009030D, "credentials supplied to the package were not recognized"},
    {0x80070070, "not enough space on the disk"},
    {0x800705B4, "this operation returned because the timeout period "
                 "expired"},
};

size_t cb_hresult_pattern(unsigned long code, char *buf, size_t size)
{
    code &= 0xFFFFFFFFul;
    long sgn = (long)(int32_t)(uint32_t)code; /* long may be 32 bits */
    const char *text = NULL;
    for (size_t i = 0; i < sizeof hresult_texts / sizeof *hresult_texts; i++) {
        if (hresult_texts[i].code == code)
            text = hresult_texts[i].text;
    }
    int n = snprintf(buf, size,
                     "(?i)(?:\\b0x%08lx\\b|\\b(?:error|hresult|code|status)"
                     "[ :=]*%08lx\\b|(?<![0-9])%lu(?![0-9])|(?<![0-9])%ld"
                     "(?![0-9])%s%s)",
                     code, code, code, sgn, text ? "|" : "", text ? text : "");
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* ---- compiling one rule ------------------------------------------------- */

static const char *const level_names[] = {
    NULL, "critical", "error", "warning", "info", "verbose", "debug"};

static int step_index(struct load *l, struct cb_rule *r, const char *name,
                      int create)
{
    for (unsigned i = 0; i < r->nnames; i++) {
        if (strcmp(r->names[i], name) == 0)
            return (int)i;
    }
    if (!create)
        return -1;
    const char **nn = cb_arena_alloc(l->arena, (r->nnames + 1) * sizeof *nn);
    if (!nn)
        return -1;
    if (r->nnames) /* memcpy from NULL is undefined, even for 0 */
        memcpy(nn, r->names, r->nnames * sizeof *nn);
    nn[r->nnames] = cb_arena_strdup(l->arena, name);
    r->names = nn;
    return (int)r->nnames++;
}

static int add_channel(struct load *l, struct cb_rule *r, const char *c)
{
    for (unsigned i = 0; i < r->nchannels; i++) {
        if (strcmp(r->channels[i], c) == 0)
            return 0;
    }
    const char **nc = cb_arena_alloc(l->arena, (r->nchannels + 1) * sizeof *nc);
    if (!nc)
        return -1;
    if (r->nchannels)
        memcpy(nc, r->channels, r->nchannels * sizeof *nc);
    nc[r->nchannels++] = c;
    r->channels = nc;
    return 0;
}

static int parse_ids(struct load *l, const struct node *n, struct matcher *m)
{
    unsigned nw;
    const char **w = words(l, text_of(l, n), &nw);
    if (!w || nw == 0) {
        add_error(l, n->line, "<event-id>: empty");
        return -1;
    }
    m->ids = cb_arena_calloc(l->arena, nw, sizeof *m->ids);
    if (!m->ids)
        return -1;
    for (unsigned i = 0; i < nw; i++) {
        char *end;
        unsigned long lo = strtoul(w[i], &end, 10), hi = lo;
        if (*end == '-')
            hi = strtoul(end + 1, &end, 10);
        if (*end || end == w[i] || lo > 65535 || hi > 65535 || hi < lo) {
            add_error(l, n->line, "<event-id>: '%s' is not an id or range "
                      "of ids (0-65535)", w[i]);
            return -1;
        }
        m->ids[i][0] = (uint32_t)lo;
        m->ids[i][1] = (uint32_t)hi;
    }
    m->nids = nw;
    return 0;
}

/* ---- the conditions of a <match> -------------------------------------
 * One function per condition element, found by name in match_conds; t is
 * the element's text with white space folded. */

struct cond_ctx {
    struct load *l;
    struct cb_rules *rs;
    struct cb_rule *r;
    struct matcher *m;
};

/* <channel>, <provider>, <component>: one more accepted name. */
static int cond_name_list(struct cond_ctx *x, const struct node *c,
                          const char *t)
{
    struct matcher *m = x->m;
    const char ***list = c->name[0] == 'c' && c->name[1] == 'h'
                             ? &m->channels
                         : c->name[0] == 'p' ? &m->providers
                                             : &m->components;
    unsigned *cnt = list == &m->channels    ? &m->nchannels
                    : list == &m->providers ? &m->nproviders
                                            : &m->ncomponents;
    const char **nl = cb_arena_alloc(x->l->arena, (*cnt + 1) * sizeof *nl);
    if (!nl)
        return -1;
    if (*cnt)
        memcpy(nl, *list, *cnt * sizeof *nl);
    nl[(*cnt)++] = t;
    *list = nl;
    if (list == &m->channels && add_channel(x->l, x->r, t) != 0)
        return -1;
    return 0;
}

static int cond_event_id(struct cond_ctx *x, const struct node *c,
                         const char *t)
{
    (void)t;
    return parse_ids(x->l, c, x->m);
}

static int cond_level(struct cond_ctx *x, const struct node *c,
                      const char *t)
{
    unsigned nw;
    const char **w = words(x->l, t, &nw);
    for (unsigned i = 0; w && i < nw; i++) {
        unsigned k = 1;
        while (k <= 6 && strcmp(level_names[k], w[i]) != 0)
            k++;
        if (k > 6) {
            add_error(x->l, c->line, "<level>: unknown level '%s'", w[i]);
            return -1;
        }
        x->m->levels |= 1u << k;
    }
    return 0;
}

static int cond_field(struct cond_ctx *x, const struct node *c,
                      const char *t)
{
    (void)t;
    static const char *const fa[] = {"name", NULL};
    struct matcher *m = x->m;
    check_attrs(x->l, c, fa);
    pcre2_code *re = compile(x->l, x->rs, c, pattern_of(x->l, c));
    if (!re)
        return -1;
    struct field_re *nf =
        cb_arena_alloc(x->l->arena, (m->nfields + 1) * sizeof *nf);
    if (!nf)
        return -1;
    if (m->nfields)
        memcpy(nf, m->fields, m->nfields * sizeof *nf);
    nf[m->nfields].field = attr(c, "name");
    nf[m->nfields++].re = re;
    m->fields = nf;
    return 0;
}

/* <message> and <path>: a regex; the message's with its literals. */
static int cond_regex(struct cond_ctx *x, const struct node *c,
                      const char *t)
{
    (void)t;
    const char *pat = pattern_of(x->l, c);
    pcre2_code *re = compile(x->l, x->rs, c, pat);
    if (!re)
        return -1;
    if (c->name[0] == 'm') {
        x->m->message = re;
        x->m->nmessage_lits =
            prefilter(x->l, x->rs, pat, x->m->message_lits, 8);
    } else {
        x->m->path = re;
    }
    return 0;
}

/* The literals an HRESULT's pattern pat is sure to contain when it
 * matches: its hex digits, both decimal forms, its well-known texts. */
static void hresult_prefilter(struct cond_ctx *x, unsigned long code,
                              const char *pat)
{
    struct matcher *m = x->m;
    char lit[64];
    unsigned long uc = code & 0xFFFFFFFFul;
    long sc = (long)(int32_t)(uint32_t)uc; /* long may be 32 bits */
    const char *forms[3] = {lit, NULL, NULL};
    snprintf(lit, sizeof lit, "(?i)%08lx", uc);
    char dec[32], neg[32];
    snprintf(dec, sizeof dec, "%lu", uc);
    snprintf(neg, sizeof neg, "%ld", sc);
    forms[1] = dec;
    forms[2] = neg;
    unsigned nl = 0;
    for (int f = 0; f < 3; f++) {
        int idx = literal_index(x->l, x->rs, forms[f], 0);
        if (idx >= 0)
            m->hresult_lits[nl++] = idx;
    }
    const char *text = strstr(pat, "(?![0-9])|");
    if (text) { /* the well-known texts after the numeric forms */
        int more[8];
        char tmp[600];
        snprintf(tmp, sizeof tmp, "(?i)%s", text + 10);
        tmp[strlen(tmp) - 1] = '\0'; /* the closing ')' */
        unsigned nm = prefilter(x->l, x->rs, tmp, more, 5);
        for (unsigned k = 0; k < nm && nl < 8; k++)
            m->hresult_lits[nl++] = more[k];
        if (!nm)
            nl = 0; /* a text without a literal: no prefilter */
    }
    m->nhresult_lits = nl;
}

static int cond_hresult(struct cond_ctx *x, const struct node *c,
                        const char *t)
{
    char *end;
    unsigned long code = strtoul(t, &end, 0);
    char pat[512];
    if (*end || end == t || code > 0xFFFFFFFFul ||
        !cb_hresult_pattern(code, pat, sizeof pat)) {
        add_error(x->l, c->line, "<hresult>: '%s' is not a 32-bit "
                  "code such as 0x80070020", t);
        return -1;
    }
    x->m->hresult = compile(x->l, x->rs, c, pat);
    if (!x->m->hresult)
        return -1;
    hresult_prefilter(x, code, pat);
    return 0;
}

static const struct {
    const char *name;
    int (*compile)(struct cond_ctx *x, const struct node *c, const char *t);
} match_conds[] = {
    {"channel", cond_name_list}, {"provider", cond_name_list},
    {"component", cond_name_list}, {"event-id", cond_event_id},
    {"level", cond_level},       {"field", cond_field},
    {"message", cond_regex},     {"path", cond_regex},
    {"hresult", cond_hresult},
};

/* The conditions as one string: matchers with the same string give the
 * same verdict and captures, so the engine evaluates them once. */
static const char *match_signature(struct load *l, const struct node *n)
{
    size_t cap = 64 + CB_LIMIT_CAPTURE_BYTES + 8;
    for (const struct node *c = n->child; c; c = c->next)
        cap += strlen(c->name) + (c->text ? c->text_len : 0) + 80;
    char *sig = cb_arena_alloc(l->arena, cap);
    if (!sig)
        return NULL;
    size_t k = 0;
    for (const struct node *c = n->child; c; c = c->next) {
        const char *fname = attr(c, "name");
        k += (size_t)snprintf(sig + k, cap - k, "<%s %s>%s", c->name,
                              fname ? fname : "", c->text ? c->text : "");
    }
    const char *note = attr(n, "note");
    if (note) /* the note is part of what a match yields */
        snprintf(sig + k, cap - k, "<note>%.*s", CB_LIMIT_CAPTURE_BYTES,
                 note);
    return sig;
}

static int compile_match(struct load *l, struct cb_rules *rs,
                         struct cb_rule *r, const struct node *n,
                         struct matcher *m)
{
    static const char *const allowed[] = {"name", "note", NULL};
    check_attrs(l, n, allowed);
    const char *name = attr(n, "name");
    if (!name || !*name) {
        add_error(l, n->line, "<match> needs a name");
        return -1;
    }
    m->note = attr(n, "note");
    if (m->note && (!*m->note || strlen(m->note) > CB_LIMIT_CAPTURE_BYTES)) {
        add_error(l, n->line, "<match name='%s'>: note is 1..%d characters",
                  name, CB_LIMIT_CAPTURE_BYTES);
        return -1;
    }
    int step = step_index(l, r, name, 1);
    if (step < 0)
        return -1;
    m->step = (unsigned)step;
    m->rule = r;
    struct cond_ctx x = {l, rs, r, m};
    int conditions = 0;
    for (const struct node *c = n->child; c; c = c->next) {
        const char *t = text_of(l, c);
        conditions++;
        size_t k = 0, nconds = sizeof match_conds / sizeof match_conds[0];
        while (k < nconds && strcmp(c->name, match_conds[k].name) != 0)
            k++;
        if (k == nconds) {
            add_error(l, c->line, "<match>: unknown condition <%s>",
                      c->name);
            return -1;
        }
        if (match_conds[k].compile(&x, c, t) != 0)
            return -1;
    }
    if (!conditions) {
        add_error(l, n->line, "<match name='%s'> has no condition", name);
        return -1;
    }
    m->sig = match_signature(l, n);
    return m->sig ? 0 : -1;
}

static const char *const severity_names[] = {"info", "low", "medium", "high",
                                             "critical"};

const char *cb_step_kind_name(enum cb_step_kind k)
{
    return k == CB_STEP_DIAGNOSE ? "diagnose" : "fix";
}

const char *cb_severity_name(enum cb_severity s)
{
    return (unsigned)s < 5 ? severity_names[s] : "info";
}

static int compile_correlate(struct load *l, struct cb_rule *r,
                             const struct node *n)
{
    static const char *const allowed[] = {"type",      "window", "group",
                                          "min",       "min-hosts",
                                          "direction", "same-within",
                                          "time",      NULL};
    check_attrs(l, n, allowed);
    static const char *const types[] = {"single",  "sequence", "cooccur",
                                        "count",   "absence",
                                        "clock-skew"};
    const char *type = attr(n, "type");
    unsigned k = 0;
    while (type && k < 6 && strcmp(types[k], type) != 0)
        k++;
    if (!type || k == 6) {
        add_error(l, n->line, "<correlate>: type is single, sequence, "
                  "cooccur, count, absence or clock-skew");
        return -1;
    }
    r->type = (enum corr_type)k;
    const char *w = attr(n, "window");
    r->window = w ? parse_duration(w) : 0;
    if (r->window < 0) {
        add_error(l, n->line, "<correlate>: bad window '%s' (e.g. 90s, 5m, "
                  "2h, 1d)", w);
        return -1;
    }
    const char *g = attr(n, "group");
    if (!g || strcmp(g, "host") == 0) {
        r->group = GROUP_HOST;
    } else if (strcmp(g, "cluster") == 0) {
        r->group = GROUP_CLUSTER;
    } else if (strncmp(g, "entity:", 7) == 0 && g[7]) {
        r->group = GROUP_ENTITY;
        r->group_entity = g + 7;
    } else {
        add_error(l, n->line, "<correlate>: group is host, cluster or "
                  "entity:NAME, not '%s'", g);
        return -1;
    }
    const char *mn = attr(n, "min");
    r->min_count = 1;
    if (mn) {
        char *end;
        unsigned long v = strtoul(mn, &end, 10);
        if (*end || v == 0 || v > 1000000) {
            add_error(l, n->line, "<correlate>: bad min '%s'", mn);
            return -1;
        }
        r->min_count = (unsigned)v;
    }
    const char *mh = attr(n, "min-hosts");
    if (mh) {
        char *end;
        unsigned long v = strtoul(mh, &end, 10);
        if (*end || v == 0 || v > 4096 || r->type != CORR_COUNT) {
            add_error(l, n->line, "<correlate>: min-hosts is 1..4096, for "
                      "type='count'");
            return -1;
        }
        r->min_hosts = (unsigned)v;
    }
    const char *sw = attr(n, "same-within");
    if (sw) {
        r->same_within = parse_duration(sw);
        if (r->same_within <= 0 || r->type != CORR_SINGLE) {
            add_error(l, n->line, "<correlate>: same-within is a duration "
                      "(e.g. 2m), for type='single'");
            return -1;
        }
    }
    const char *at = attr(n, "time");
    if (at) {
        if (strcmp(at, "stop") && strcmp(at, "event")) {
            add_error(l, n->line, "<correlate>: time is event or stop");
            return -1;
        }
        r->at_stop = strcmp(at, "stop") == 0;
    }
    const char *dir = attr(n, "direction");
    if (dir) {
        if (r->type != CORR_ABSENCE ||
            (strcmp(dir, "after") && strcmp(dir, "both"))) {
            add_error(l, n->line, "<correlate>: direction is after or both, "
                      "for type='absence'");
            return -1;
        }
        r->both_ways = strcmp(dir, "both") == 0;
    }
    unsigned nsteps = 0;
    for (const struct node *c = n->child; c; c = c->next)
        nsteps++;
    if (nsteps > 16) { /* correlate.c follows a chain of at most 16 hits */
        add_error(l, n->line, "<correlate>: at most 16 steps");
        return -1;
    }
    r->steps = cb_arena_calloc(l->arena, nsteps ? nsteps : 1,
                               sizeof *r->steps);
    if (!r->steps)
        return -1;
    for (const struct node *c = n->child; c; c = c->next) {
        const char *m = attr(c, "match");
        int idx = m ? step_index(l, r, m, 0) : -1;
        if (strcmp(c->name, "step") != 0 || idx < 0) {
            add_error(l, c->line, "<correlate>: expected <step match='NAME'/>"
                      " naming a <match> of this rule");
            return -1;
        }
        r->steps[r->nsteps++] = (unsigned)idx;
    }
    if (r->type == CORR_SKEW) { /* no steps: the skew the gaps measure */
        if (r->nsteps || r->window <= 0) {
            add_error(l, n->line, "<correlate type='clock-skew'> takes no "
                      "step and a window: the least skew reported");
            return -1;
        }
        return 0;
    }
    unsigned need = r->type == CORR_SINGLE || r->type == CORR_COUNT ? 1 : 2;
    if (r->nsteps < need || (need == 1 && r->nsteps != 1) ||
        (r->type == CORR_ABSENCE && r->nsteps != 2)) {
        add_error(l, n->line, "<correlate type='%s'> takes %s step%s", type,
                  r->type == CORR_ABSENCE ? "exactly 2"
                  : need == 1             ? "exactly 1"
                                          : "2 or more",
                  need == 1 ? "" : "s");
        return -1;
    }
    if (r->type != CORR_SINGLE && r->window == 0) {
        add_error(l, n->line, "<correlate type='%s'> needs a window", type);
        return -1;
    }
    return 0;
}

/* The attributes of <rule>: id, pattern, severity, confidence. */
static void rule_attrs(struct load *l, const struct node *n, struct cb_rule *r)
{
    static const char *const allowed[] = {"id", "pattern", "severity",
                                          "confidence", NULL};
    check_attrs(l, n, allowed);
    r->file = l->file;
    r->line = n->line;
    r->id = attr(n, "id");
    r->pattern = attr(n, "pattern");
    const char *sev = attr(n, "severity");
    if (!r->id || !*r->id)
        add_error(l, n->line, "<rule> needs an id");
    if (!r->pattern || strlen(r->pattern) != 2 || r->pattern[0] != 'P' ||
        r->pattern[1] < '1' || r->pattern[1] > '9')
        add_error(l, n->line, "<rule %s>: pattern is P1..P9",
                  r->id ? r->id : "?");
    unsigned k = 0;
    while (sev && k < 5 && strcmp(severity_names[k], sev) != 0)
        k++;
    if (!sev || k == 5)
        add_error(l, n->line, "<rule %s>: severity is info, low, medium, "
                  "high or critical", r->id ? r->id : "?");
    r->severity = (enum cb_severity)k;
    const char *conf = attr(n, "confidence");
    r->confidence = conf ? atoi(conf) : 60;
    if (r->confidence < 1 || r->confidence > 100)
        add_error(l, n->line, "<rule %s>: confidence is 1..100",
                  r->id ? r->id : "?");
}

/* <adjust>: confidence moved by another match's presence or absence;
 * <require>: the same condition, but a finding without it is dropped.
 * A malformed one is an error and is left out; -1 only on no memory. */
static int compile_adjust(struct load *l, struct cb_rule *r,
                          const struct node *c)
{
    static const char *const aa[] = {"match", "absent", "within", "by",
                                     "scope", "covered", "uncovered", NULL};
    int gate = c->name[0] == 'r';
    check_attrs(l, c, aa);
    const char *m = attr(c, "match"), *ab = attr(c, "absent");
    const char *cov = attr(c, "covered"), *unc = attr(c, "uncovered");
    int coverage = cov ? 1 : unc ? 2 : 0;
    if (coverage && (!gate || m || ab || (cov && unc))) {
        add_error(l, c->line, "<require>: covered='NAME' or uncovered='NAME' "
                  "instead of match or absent, only in <require>");
        return 0;
    }
    if (coverage)
        m = cov ? cov : unc;
    const char *within = attr(c, "within"), *by = attr(c, "by");
    const char *scope = attr(c, "scope");
    int idx = step_index(l, r, m ? m : ab ? ab : "", 0);
    cb_time w = within ? parse_duration(within) : -1;
    if ((!m == !ab) || idx < 0 || w < 0 || !by == !gate ||
        (scope && strcmp(scope, "same") && strcmp(scope, "any"))) {
        add_error(l, c->line, gate ? "<require>: needs match='NAME' or "
                  "absent='NAME' of this rule, within='DURATION', optional "
                  "scope='same|any', and no by" : "<adjust>: needs "
                  "match='NAME' or absent='NAME' of this rule, "
                  "within='DURATION', by='+N' or '-N', optional "
                  "scope='same|any'");
        return 0;
    }
    struct adjust *na =
        cb_arena_alloc(l->arena, (r->nadjusts + 1) * sizeof *na);
    if (!na)
        return -1;
    if (r->nadjusts)
        memcpy(na, r->adjusts, r->nadjusts * sizeof *na);
    na[r->nadjusts++] = (struct adjust){
        (unsigned)idx, ab != NULL, !scope || !strcmp(scope, "same"), w,
        gate ? 0 : atoi(by), gate, coverage};
    r->adjusts = na;
    return 0;
}

/* <leads-to rule="ID" within="DURATION" [headline="TEXT"]/>: a causal
 * link, checked against the loaded rules by cb_rules_lint. */
static int compile_link(struct load *l, struct cb_rule *r,
                        const struct node *c)
{
    static const char *const aa[] = {"rule", "within", "headline", NULL};
    check_attrs(l, c, aa);
    const char *to = attr(c, "rule"), *within = attr(c, "within");
    cb_time w = within ? parse_duration(within) : -1;
    if (!to || !*to || w < 0) {
        add_error(l, c->line, "<leads-to>: needs rule='ID' and "
                  "within='DURATION', optional headline='TEXT'");
        return 0;
    }
    if (r->nlinks >= CB_LIMIT_RULE_LINKS) {
        add_error(l, c->line, "<leads-to>: more than %u in one rule",
                  CB_LIMIT_RULE_LINKS);
        return 0;
    }
    struct link *nl = cb_arena_alloc(l->arena, (r->nlinks + 1) * sizeof *nl);
    if (!nl)
        return -1;
    if (r->nlinks)
        memcpy(nl, r->links, r->nlinks * sizeof *nl);
    const char *hl = attr(c, "headline");
    nl[r->nlinks++] = (struct link){
        cb_arena_strdup(l->arena, to), w,
        hl ? cb_arena_strdup(l->arena, hl) : NULL, c->line};
    r->links = nl;
    return 0;
}

/* <remediation>: its <step>s, each with <do>, optional <powershell> and
 * <warning>. *nremedy counts the steps of every <remediation> so far. */
static int compile_remediation(struct load *l, struct cb_rule *r,
                               const struct node *c, unsigned *nremedy)
{
    for (const struct node *s = c->child; s; s = s->next)
        (*nremedy)++;
    r->remediation = cb_arena_calloc(l->arena, *nremedy ? *nremedy : 1,
                                     sizeof *r->remediation);
    if (!r->remediation)
        return -1;
    for (const struct node *s = c->child; s; s = s->next) {
        struct cb_remedy *rm = &r->remediation[r->nremediation];
        if (strcmp(s->name, "step") != 0) {
            add_error(l, s->line, "<remediation>: expected <step>");
            continue;
        }
        static const char *const sa[] = {"kind", NULL};
        check_attrs(l, s, sa);
        const char *kind = attr(s, "kind");
        if (kind && strcmp(kind, "diagnose") == 0)
            rm->kind = CB_STEP_DIAGNOSE;
        else if (kind && strcmp(kind, "fix") == 0)
            rm->kind = CB_STEP_FIX;
        else if (kind)
            add_error(l, s->line, "<step>: kind is diagnose (only reads) "
                      "or fix (changes something)");
        rm->line = s->line;
        for (const struct node *p = s->child; p; p = p->next) {
            if (strcmp(p->name, "do") == 0)
                rm->text = text_of(l, p);
            else if (strcmp(p->name, "powershell") == 0)
                rm->powershell = code_of(l, p);
            else if (strcmp(p->name, "warning") == 0)
                rm->warning = text_of(l, p);
            else
                add_error(l, p->line, "<step>: expected <do>, "
                          "<powershell> or <warning>");
        }
        if (!rm->text)
            add_error(l, s->line, "<step> needs <do>");
        r->nremediation++;
    }
    return 0;
}

/* <collect> (of <item>s) and <references> (of <ref>s). */
static int compile_text_list(struct load *l, struct cb_rule *r,
                             const struct node *c)
{
    int col = c->name[0] == 'c';
    unsigned cnt = 0;
    for (const struct node *s = c->child; s; s = s->next)
        cnt++;
    const char **list = cb_arena_calloc(l->arena, cnt + 1, sizeof *list);
    if (!list)
        return -1;
    unsigned k = 0;
    for (const struct node *s = c->child; s; s = s->next) {
        if (strcmp(s->name, col ? "item" : "ref") != 0) {
            add_error(l, s->line, "<%s>: expected <%s>", c->name,
                      col ? "item" : "ref");
            continue;
        }
        list[k++] = text_of(l, s);
    }
    if (col) {
        r->collect = list;
        r->ncollect = k;
    } else {
        r->references = list;
        r->nreferences = k;
        r->references_line = c->line;
    }
    return 0;
}

/* Every element of <rule> but <match>; -1 only on no memory. */
static int compile_rule_element(struct load *l, struct cb_rule *r,
                                const struct node *c, int *have_corr,
                                unsigned *nremedy)
{
    if (strcmp(c->name, "title") == 0) {
        r->title = text_of(l, c);
    } else if (strcmp(c->name, "summary") == 0) {
        r->summary = text_of(l, c);
    } else if (strcmp(c->name, "cause") == 0) {
        r->cause = text_of(l, c);
    } else if (strcmp(c->name, "headline") == 0) {
        r->headline = text_of(l, c);
    } else if (strcmp(c->name, "leads-to") == 0) {
        return compile_link(l, r, c);
    } else if (strcmp(c->name, "needs") == 0) {
        const char *t = text_of(l, c);
        const char **nn =
            cb_arena_alloc(l->arena, (r->nneeds + 1) * sizeof *nn);
        if (!nn)
            return -1;
        if (r->nneeds)
            memcpy(nn, r->needs, r->nneeds * sizeof *nn);
        nn[r->nneeds++] = t;
        r->needs = nn;
        return add_channel(l, r, t);
    } else if (strcmp(c->name, "correlate") == 0) {
        *have_corr = 1;
        compile_correlate(l, r, c);
    } else if (strcmp(c->name, "adjust") == 0 ||
               strcmp(c->name, "require") == 0) {
        return compile_adjust(l, r, c);
    } else if (strcmp(c->name, "remediation") == 0) {
        return compile_remediation(l, r, c, nremedy);
    } else if (strcmp(c->name, "collect") == 0 ||
               strcmp(c->name, "references") == 0) {
        return compile_text_list(l, r, c);
    } else {
        add_error(l, c->line, "<rule>: unknown element <%s>", c->name);
    }
    return 0;
}

/* What every rule must have, and the default correlation. */
static int rule_complete(struct load *l, const struct node *n,
                         struct cb_rule *r, int have_corr)
{
    const char *id = r->id ? r->id : "?";
    if (!r->title)
        add_error(l, n->line, "<rule %s> needs a <title>", id);
    if (!r->cause)
        add_error(l, n->line, "<rule %s> needs a <cause>", id);
    if (!r->nremediation)
        add_error(l, n->line, "<rule %s> needs <remediation> steps", id);
    if (!r->nmatchers && !(have_corr && r->type == CORR_SKEW))
        add_error(l, n->line, "<rule %s> needs at least one <match>", id);
    if (!have_corr && r->nmatchers) {
        /* default: every occurrence of the first match, per host */
        r->type = CORR_SINGLE;
        r->group = GROUP_HOST;
        r->min_count = 1;
        r->steps = cb_arena_calloc(l->arena, 1, sizeof *r->steps);
        if (!r->steps)
            return -1;
        r->nsteps = 1;
    }
    return 0;
}

static int compile_rule(struct load *l, struct cb_rules *rs,
                        const struct node *n, struct cb_rule **out)
{
    struct cb_rule *r = cb_arena_calloc(l->arena, 1, sizeof *r);
    if (!r)
        return -1;
    rule_attrs(l, n, r);
    unsigned nmatch = 0, nremedy = 0;
    for (const struct node *c = n->child; c; c = c->next)
        nmatch += strcmp(c->name, "match") == 0;
    r->matchers = cb_arena_calloc(l->arena, nmatch ? nmatch : 1,
                                  sizeof *r->matchers);
    if (!r->matchers)
        return -1;
    /* matches first: correlate and adjust refer to their names */
    for (const struct node *c = n->child; c; c = c->next) {
        if (strcmp(c->name, "match") == 0 &&
            compile_match(l, rs, r, c, &r->matchers[r->nmatchers]) == 0)
            r->nmatchers++;
    }
    int have_corr = 0;
    for (const struct node *c = n->child; c; c = c->next) {
        if (strcmp(c->name, "match") != 0 &&
            compile_rule_element(l, r, c, &have_corr, &nremedy) != 0)
            return -1;
    }
    if (rule_complete(l, n, r, have_corr) != 0)
        return -1;
    *out = r;
    return 0;
}

/* ---- the rule set ------------------------------------------------------- */

static struct cb_rules *rules_new(void)
{
    struct cb_rules *rs = cb_calloc(1, sizeof *rs);
    if (!rs)
        return NULL;
    rs->arena = cb_arena_create();
    rs->mctx = pcre2_match_context_create(NULL);
    if (!rs->arena || !rs->mctx) {
        cb_arena_destroy(&rs->arena);
        if (rs->mctx)
            pcre2_match_context_free(rs->mctx);
        cb_free(rs);
        return NULL;
    }
    /* a rule's regex meets hostile text: bound its work */
    pcre2_set_match_limit(rs->mctx, CB_LIMIT_REGEX_MATCH);
    pcre2_set_depth_limit(rs->mctx, CB_LIMIT_REGEX_DEPTH);
    return rs;
}

void cb_rules_free(struct cb_rules **prs)
{
    if (!prs || !*prs)
        return;
    struct cb_rules *rs = *prs;
    for (size_t i = 0; i < rs->ncodes; i++)
        pcre2_code_free(rs->codes[i]);
    cb_free(rs->codes);
    cb_free(rs->lits);
    cb_free(rs->rules);
    pcre2_match_context_free(rs->mctx);
    cb_arena_destroy(&rs->arena);
    cb_free(rs);
    *prs = NULL;
}

void cb_rule_errors_free(struct cb_rule_error **errors)
{
    if (!errors)
        return;
    struct cb_rule_error *e = *errors;
    while (e) {
        struct cb_rule_error *n = e->next;
        cb_free(e);
        e = n;
    }
    *errors = NULL;
}

static int add_rule(struct cb_rules *rs, struct cb_rule *r)
{
    for (size_t i = 0; i < rs->count; i++) {
        if (strcmp(rs->rules[i]->id, r->id) == 0) {
            rs->rules[i] = r; /* a later file replaces a shipped rule */
            return 0;
        }
    }
    if (rs->count == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 32;
        struct cb_rule **nr = cb_realloc(rs->rules, cap * sizeof *nr);
        if (!nr)
            return -1;
        rs->rules = nr;
        rs->cap = cap;
    }
    rs->rules[rs->count++] = r;
    return 0;
}

enum cb_status cb_rules_load_memory(struct cb_rules **prs, const char *name,
                                    const char *xml, size_t len,
                                    struct cb_rule_error **errors)
{
    if (!*prs && !(*prs = rules_new()))
        return CB_E_NOMEM;
    struct cb_rules *rs = *prs;
    struct load l = {.arena = rs->arena, .errors = errors};
    l.file = cb_arena_strdup(rs->arena, name);
    if (!l.file)
        return CB_E_NOMEM;
    if (len > CB_LIMIT_RULE_FILE_BYTES) {
        add_error(&l, 0, "rule file larger than %u bytes",
                  CB_LIMIT_RULE_FILE_BYTES);
        return CB_OK;
    }
    l.xp = XML_ParserCreate("UTF-8");
    if (!l.xp)
        return CB_E_NOMEM;
    XML_SetUserData(l.xp, &l);
    XML_SetElementHandler(l.xp, on_start, on_end);
    XML_SetCharacterDataHandler(l.xp, on_text);
    XML_SetStartDoctypeDeclHandler(l.xp, on_doctype);
    if (XML_Parse(l.xp, xml, (int)len, XML_TRUE) == XML_STATUS_ERROR &&
        !l.failed)
        add_error(&l, (unsigned)XML_GetCurrentLineNumber(l.xp), "%s",
                  XML_ErrorString(XML_GetErrorCode(l.xp)));
    XML_ParserFree(l.xp);
    if (l.failed)
        return CB_OK;
    if (!l.root || strcmp(l.root->name, "rules") != 0) {
        add_error(&l, l.root ? l.root->line : 1, "the root element must be "
                  "<rules>");
        return CB_OK;
    }
    struct cb_rule *batch[512];
    unsigned nb = 0;
    for (const struct node *c = l.root->child; c; c = c->next) {
        if (strcmp(c->name, "rule") != 0) {
            add_error(&l, c->line, "<rules>: expected <rule>, not <%s>",
                      c->name);
            continue;
        }
        struct cb_rule *r = NULL;
        if (compile_rule(&l, rs, c, &r) != 0)
            return CB_E_NOMEM;
        for (unsigned i = 0; i < nb && r->id; i++) {
            if (batch[i]->id && strcmp(batch[i]->id, r->id) == 0)
                add_error(&l, c->line, "rule id '%s' used twice in this "
                          "file", r->id);
        }
        if (nb == 512) {
            add_error(&l, c->line, "more than 512 rules in one file");
            break;
        }
        batch[nb++] = r;
    }
    if (l.failed)
        return CB_OK;
    for (unsigned i = 0; i < nb; i++) {
        if (add_rule(rs, batch[i]) != 0)
            return CB_E_NOMEM;
    }
    return CB_OK;
}

enum cb_status cb_rules_load_file(struct cb_rules **prs, const char *path,
                                  struct cb_rule_error **errors)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return CB_E_IO;
    char *buf = cb_malloc(CB_LIMIT_RULE_FILE_BYTES + 1);
    if (!buf) {
        fclose(f);
        return CB_E_NOMEM;
    }
    size_t n = fread(buf, 1, CB_LIMIT_RULE_FILE_BYTES + 1, f);
    int err = ferror(f);
    fclose(f);
    enum cb_status st = err ? CB_E_IO
                            : cb_rules_load_memory(prs, path, buf, n, errors);
    cb_free(buf);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum cb_status cb_rules_load_dir(struct cb_rules **prs, const char *dir,
                                 struct cb_rule_error **errors)
{
    DIR *d = opendir(dir);
    if (!d)
        return CB_E_IO;
    char *names[CB_LIMIT_RULE_FILES];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < CB_LIMIT_RULE_FILES) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".xml") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    cb_sort(names, n, sizeof *names, cmp_str);
    enum cb_status st = CB_OK;
    if (!*prs && !(*prs = rules_new()))
        st = CB_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (st == CB_OK)
            st = cb_rules_load_file(prs, path, errors);
        free(names[i]);
    }
    return st;
}

size_t cb_rules_count(const struct cb_rules *rs)
{
    return rs ? rs->count : 0;
}

const struct cb_rule *cb_rules_at(const struct cb_rules *rs, size_t i)
{
    return i < rs->count ? rs->rules[i] : NULL;
}

const char *cb_rule_id(const struct cb_rule *r)
{
    return r->id;
}

const char *cb_rule_pattern(const struct cb_rule *r)
{
    return r->pattern;
}

const char *cb_rule_title(const struct cb_rule *r)
{
    return r->title;
}

enum cb_severity cb_rule_severity(const struct cb_rule *r)
{
    return r->severity;
}

const char *cb_rule_main_step(const struct cb_rule *r)
{
    return r && r->nsteps ? r->names[r->steps[0]] : NULL;
}

size_t cb_rule_channels(const struct cb_rule *r, const char *const **out)
{
    *out = r->channels;
    return r->nchannels;
}

/* ---- rules check: what only the whole set can tell --------------------- */

static int lint_error(struct cb_rule_error **errors, const struct cb_rule *r,
                      unsigned line, const char *msg)
{
    struct load l = {.file = r->file, .errors = errors};
    add_error(&l, line, "<rule %s>: %s", r->id, msg);
    return 1;
}

/* A PowerShell line that deletes and silences the error that would say
 * the delete failed (a locked AVHDX is exactly that failure). */
static int silenced_delete(const char *ps)
{
    for (const char *line = ps; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char buf[2048];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1),
                 line);
        for (char *p = buf; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if ((strstr(buf, "remove-item") || strstr(buf, "del ") ||
             strstr(buf, "rm ")) &&
            strstr(buf, "silentlycontinue"))
            return 1;
        line = end ? end + 1 : NULL;
    }
    return 0;
}

/* Whether a regex of the rule captures name. */
static int captures(const struct cb_rule *r, const char *name)
{
    for (unsigned m = 0; m < r->nmatchers; m++) {
        const struct matcher *mt = &r->matchers[m];
        pcre2_code *codes[40];
        unsigned n = 0;
        if (mt->message)
            codes[n++] = mt->message;
        if (mt->path)
            codes[n++] = mt->path;
        for (unsigned f = 0; f < mt->nfields && n < 40; f++)
            codes[n++] = mt->fields[f].re;
        for (unsigned c = 0; c < n; c++) {
            if (pcre2_substring_number_from_name(codes[c],
                                                 (PCRE2_SPTR)name) >= 0 ||
                pcre2_substring_number_from_name(
                    codes[c], (PCRE2_SPTR)name) ==
                    PCRE2_ERROR_NOUNIQUESUBSTRING)
                return 1;
        }
    }
    return 0;
}

int cb_fill_possible(const struct cb_rule *r, const char *name)
{
    static const char *const always[] = {"count", "first", "last",
                                         "first_date", "hosts", "host",
                                         "other_node", NULL};
    for (const char *const *k = always; *k; k++) {
        if (strcmp(*k, name) == 0)
            return 1;
    }
    if (captures(r, name))
        return 1;
    /* clock-skew findings carry the measurement's hosts and size */
    if (r->type == CORR_SKEW &&
        (!strcmp(name, "ahead") || !strcmp(name, "behind") ||
         !strcmp(name, "skew")))
        return 1;
    /* derived from a captured file path (fill.c) */
    if (!strcmp(name, "csv_path") || !strcmp(name, "volume") ||
        !strcmp(name, "file_name"))
        return captures(r, "file");
    return 0;
}

/* Placeholders of text no finding of r can fill: one error each. */
static int lint_placeholders(struct cb_rule_error **errors,
                             const struct cb_rule *r, unsigned line,
                             const char *text)
{
    int n = 0;
    for (const char *p = text; p && (p = strchr(p, '{')) != NULL; p++) {
        size_t k = 1;
        while (isalnum((unsigned char)p[k]) || p[k] == '_')
            k++;
        if (p[k] != '}' || k == 1 || k > 41 || !isalpha((unsigned char)p[1]))
            continue;
        char name[48], msg[200];
        snprintf(name, sizeof name, "%.*s", (int)(k - 1), p + 1);
        if (cb_fill_possible(r, name))
            continue;
        snprintf(msg, sizeof msg, "placeholder {%s}: no finding of this "
                 "rule can fill it (capture (?'%s'...) or drop it)", name,
                 name);
        n += lint_error(errors, r, line, msg);
    }
    return n;
}

/* A step's kind against what its PowerShell does: a diagnose step that
 * changes something, or a fix step whose commands only read. */
static int lint_step_kind(struct cb_rule_error **errors,
                          const struct cb_rule *r, const struct cb_remedy *rm)
{
    char what[128], msg[300];
    if (!rm->powershell)
        return 0;
    int changes = cb_ps_changes(rm->powershell, what, sizeof what);
    if (rm->kind == CB_STEP_DIAGNOSE && changes) {
        snprintf(msg, sizeof msg, "a diagnose step changes something (%s): "
                 "mark it kind=\"fix\" and put it after the checks that "
                 "make it safe", what);
        return lint_error(errors, r, rm->line, msg);
    }
    if (rm->kind == CB_STEP_FIX && !changes)
        return lint_error(errors, r, rm->line, "a fix step's PowerShell only "
                          "reads: mark it kind=\"diagnose\", or give the "
                          "change it asks for");
    return 0;
}

/* A CSV is repaired only within its maintenance procedure: maintenance on
 * (Suspend-ClusterResource) before chkdsk /f, with a warning that every VM
 * on the volume goes offline; and never through a drive letter. */
static int lint_step_disk(struct cb_rule_error **errors,
                          const struct cb_rule *r, const struct cb_remedy *rm,
                          int maintained)
{
    int n = 0;
    const char *ps = rm->powershell;
    if (!ps)
        return 0;
    if (cb_ps_offline_repair(ps) && !maintained &&
        !cb_ps_maintenance_before(ps, NULL))
        n += lint_error(errors, r, rm->line, "chkdsk /f (or an offline "
                        "repair) outside the CSV maintenance procedure: turn "
                        "maintenance on first (Suspend-ClusterResource)");
    else if (cb_ps_offline_repair(ps) && !rm->warning)
        n += lint_error(errors, r, rm->line, "an offline disk repair needs "
                        "a <warning>: every VM on the volume goes offline");
    if (cb_ps_drive_letter(ps))
        n += lint_error(errors, r, rm->line, "a drive-letter tool "
                        "(-DriveLetter): a Cluster Shared Volume has no drive "
                        "letter, use its path");
    char what[128], msg[300];
    if (cb_ps_template_value(ps, what, sizeof what)) {
        snprintf(msg, sizeof msg, "'%s' looks like a template value: use a "
                 "placeholder ({vm}, {node}, ...) or a visibly marked "
                 "<value, and where to find it>", what);
        n += lint_error(errors, r, rm->line, msg);
    }
    return n;
}

static int lint_steps(struct cb_rule_error **errors, const struct cb_rule *r)
{
    int n = 0, diagnosed = 0, maintained = 0;
    for (unsigned k = 0; k < r->nremediation; k++) {
        const struct cb_remedy *rm = &r->remediation[k];
        const char *ps = rm->powershell;
        if (rm->kind == CB_STEP_UNSAID)
            n += lint_error(errors, r, rm->line, "<step> needs "
                            "kind=\"diagnose\" (only reads) or "
                            "kind=\"fix\" (changes something)");
        if (rm->kind == CB_STEP_FIX && !diagnosed)
            n += lint_error(errors, r, rm->line, "a fix step comes first: "
                            "put the checks that make it safe before it");
        diagnosed |= rm->kind == CB_STEP_DIAGNOSE;
        if (ps && silenced_delete(ps))
            n += lint_error(errors, r, rm->line,
                            "a remediation step deletes with "
                            "-ErrorAction SilentlyContinue: the failure "
                            "to watch for is hidden (move the file "
                            "aside, and let errors show)");
        else if (ps && rm->kind != CB_STEP_DIAGNOSE &&
                 strstr(ps, "SilentlyContinue"))
            n += lint_error(errors, r, rm->line, "a fix step silences "
                            "errors (-ErrorAction SilentlyContinue)");
        n += lint_step_kind(errors, r, rm);
        n += lint_step_disk(errors, r, rm, maintained);
        maintained |= ps && cb_ps_maintenance_before(ps, NULL);
        n += lint_placeholders(errors, r, rm->line, rm->text);
        n += lint_placeholders(errors, r, rm->line, ps);
        n += lint_placeholders(errors, r, rm->line, rm->warning);
    }
    return n;
}

/* Every reference a public document with its https address. */
static int lint_references(struct cb_rule_error **errors,
                           const struct cb_rule *r)
{
    int n = 0;
    for (unsigned k = 0; k < r->nreferences; k++) {
        const char *why = cb_ref_problem(r->references[k]);
        if (!why)
            continue;
        char msg[500];
        snprintf(msg, sizeof msg, "<ref>%.200s</ref> %s", r->references[k],
                 why);
        n += lint_error(errors, r,
                        r->references_line ? r->references_line : r->line,
                        msg);
    }
    return n;
}

int cb_rules_lint(const struct cb_rules *rs, struct cb_rule_error **errors)
{
    int n = 0;
    for (size_t i = 0; rs && i < rs->count; i++) {
        const struct cb_rule *r = rs->rules[i];
        for (unsigned k = 0; k < r->nlinks; k++) {
            size_t j = 0;
            while (j < rs->count && strcmp(rs->rules[j]->id, r->links[k].rule))
                j++;
            if (j == rs->count) {
                char msg[400];
                snprintf(msg, sizeof msg, "<leads-to rule='%.300s'>: no such "
                         "rule", r->links[k].rule);
                n += lint_error(errors, r, r->links[k].line, msg);
            }
        }
        n += lint_placeholders(errors, r, r->line, r->summary);
        n += lint_placeholders(errors, r, r->line, r->headline);
        n += lint_steps(errors, r);
        n += lint_references(errors, r);
    }
    return n;
}
