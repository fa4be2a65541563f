/*
 * analysis.c - an analysis's life: created with the parser table it reads
 * with (the core names no parser: the table is handed in, as libarchive
 * registers formats on a handle), finished once every input is read,
 * destroyed with everything in it; and detection of a format by bids over
 * that table.
 */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "casebrief/analysis.h"
#include "sort.h"
#include "timebasis.h"

struct cb_analysis *cb_analysis_create(const struct cb_limits *limits)
{
    struct cb_analysis *an = cb_calloc(1, sizeof *an);
    if (!an)
        return NULL;
    if (limits)
        an->limits = *limits;
    else
        cb_limits_default(&an->limits);
    an->budget.bytes = an->limits.memory_bytes;
    an->opts.jobs = 1;
    cb_scope_init(&an->scope);
    an->arena = cb_arena_create();
    an->strings = an->arena ? cb_intern_create(an->arena) : NULL;
    if (!an->strings) {
        cb_arena_destroy(&an->arena);
        cb_free(an);
        return NULL;
    }
    return an;
}

void cb_analysis_destroy(struct cb_analysis **pan)
{
    if (!pan || !*pan)
        return;
    struct cb_analysis *an = *pan;
    for (size_t i = 0; i < sizeof an->pools / sizeof an->pools[0]; i++)
        if (an->pools[i].pool && an->pools[i].ops->pool_free)
            an->pools[i].ops->pool_free(an->pools[i].pool);
    for (size_t i = 0; i < an->nsources; i++) {
        cb_free(an->sources[i]->events);
        cb_free(an->sources[i]->times);
    }
    cb_free(an->sources);
    cb_intern_destroy(&an->strings);
    cb_arena_destroy(&an->ev_arena);
    cb_arena_destroy(&an->arena);
    cb_free(an);
    *pan = NULL;
}

uint64_t cb_analysis_event_count(const struct cb_analysis *an)
{
    uint64_t n = 0;
    for (size_t i = 0; i < an->nsources; i++)
        n += an->sources[i]->nevents;
    return n;
}

void cb_analysis_use_parsers(struct cb_analysis *an,
                             const struct cb_parser_ops *const *table,
                             size_t count)
{
    an->parsers = table;
    an->nparsers = count;
}

/* Nested paths in the order a walk of one directory holding every input
 * would meet them: component by component ('/' and the archive
 * separator '!' sort before every other byte), so "a/x" before "a-b" and
 * "a.zip!m" before "a.zip x"; then byte by byte, so that only equal paths
 * are equal. */
static int cmp_path(const char *a, const char *b)
{
    const char *a0 = a, *b0 = b;
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x == '/' || x == '!')
            x = 1;
        if (y == '/' || y == '!')
            y = 1;
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            return strcmp(a0, b0);
    }
}

/* Input by input in path order; in each, what it holds in path order,
 * then what its sidecars pass read (an .evtx's LocaleMetaData named on
 * the command line), then the order it was read in. */
static int cmp_from(const struct cb_input_of *x, const char *xpath,
                    const struct cb_input_of *y, const char *ypath)
{
    int c = cmp_path(x->input ? x->input : xpath, y->input ? y->input : ypath);
    if (c)
        return c;
    if (x->sidecar != y->sidecar)
        return x->sidecar < y->sidecar ? -1 : 1;
    return cmp_path(xpath, ypath);
}

static int cmp_source(const void *a, const void *b)
{
    const struct cb_source *x = *(const struct cb_source *const *)a;
    const struct cb_source *y = *(const struct cb_source *const *)b;
    int c = cmp_from(&x->from, x->path, &y->from, y->path);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

struct warning_at {
    struct cb_warning *w;
    size_t seq;
};

static int cmp_warning(const void *a, const void *b)
{
    const struct warning_at *x = a, *y = b;
    int c = cmp_from(&x->w->from, x->w->source ? x->w->source : "",
                     &y->w->from, y->w->source ? y->w->source : "");
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The bundle-level warnings in the order of their sources, each source's
 * in the order they were raised. */
static enum cb_status sort_warnings(struct cb_analysis *an)
{
    size_t n = 0;
    for (struct cb_warning *w = an->warnings; w; w = w->next)
        n++;
    if (n < 2)
        return CB_OK;
    struct warning_at *v = cb_malloc(n * sizeof *v);
    if (!v)
        return CB_E_NOMEM;
    size_t k = 0;
    for (struct cb_warning *w = an->warnings; w; w = w->next, k++)
        v[k] = (struct warning_at){w, k};
    cb_sort(v, n, sizeof *v, cmp_warning);
    for (size_t i = 0; i + 1 < n; i++)
        v[i].w->next = v[i + 1].w;
    v[n - 1].w->next = NULL;
    an->warnings = v[0].w;
    an->warnings_tail = v[n - 1].w;
    cb_free(v);
    return CB_OK;
}

/* ---- damage -------------------------------------------------------- */

const char *cb_damage_kind_name(int kind)
{
    switch (kind) {
    case CB_DAMAGE_ARCHIVE: return "archive";
    case CB_DAMAGE_MEMBER: return "member";
    case CB_DAMAGE_LOG: return "log";
    default: return "";
    }
}

struct damage_at {
    const char *path;
    const struct cb_input_of *from;
    const struct cb_warning *w;
    unsigned count;
    size_t seq;
};

/* Path order, as the sources; on one path the highest rank first. */
static int cmp_damage(const void *a, const void *b)
{
    const struct damage_at *x = a, *y = b;
    int c = cmp_from(x->from, x->path, y->from, y->path);
    if (c)
        return c;
    if (x->w->damage != y->w->damage)
        return x->w->damage < y->w->damage ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* "offset 30000: " / "line 7: " before a warning's message. */
static const char *damage_detail(struct cb_analysis *an,
                                 const struct cb_warning *w)
{
    char buf[1200];
    if (w->where_kind == CB_WHERE_OFFSET)
        snprintf(buf, sizeof buf, "offset %llu: %s",
                 (unsigned long long)w->where, w->msg);
    else if (w->where_kind == CB_WHERE_LINE)
        snprintf(buf, sizeof buf, "line %llu: %s",
                 (unsigned long long)w->where, w->msg);
    else
        return w->msg;
    return cb_arena_strdup(an->arena, buf);
}

/* an->damaged from the bundle-level warnings and the sources marked as
 * damage, one entry a path, once both are in order. */
static enum cb_status collect_damage(struct cb_analysis *an)
{
    size_t n = 0, k = 0;
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        n += w->damage != 0;
    for (size_t i = 0; i < an->nsources; i++)
        n += an->sources[i]->damage != NULL;
    an->damaged = NULL;
    an->ndamaged = 0;
    if (!n)
        return CB_OK;
    struct damage_at *v = cb_malloc(n * sizeof *v);
    if (!v)
        return CB_E_NOMEM;
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        if (w->damage) {
            v[k] = (struct damage_at){w->source ? w->source : "", &w->from, w,
                                      1, k};
            k++;
        }
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (s->damage) {
            v[k] = (struct damage_at){s->path, &s->from, s->damage,
                                      s->ndamage, k};
            k++;
        }
    }
    cb_sort(v, n, sizeof *v, cmp_damage);
    an->damaged = cb_arena_calloc(an->arena, n, sizeof *an->damaged);
    enum cb_status st = an->damaged ? CB_OK : CB_E_NOMEM;
    for (size_t i = 0; i < n && st == CB_OK; i++) {
        struct cb_damage *d = an->ndamaged ? &an->damaged[an->ndamaged - 1]
                                           : NULL;
        if (d && strcmp(d->source, v[i].path) == 0) {
            d->count += v[i].count;
            continue;
        }
        d = &an->damaged[an->ndamaged++];
        *d = (struct cb_damage){v[i].path, v[i].w->damage,
                                damage_detail(an, v[i].w), v[i].count};
        if (!d->detail)
            st = CB_E_NOMEM;
    }
    cb_free(v);
    return st;
}

/*
 * The sources in input and path order, numbered in it, before anything
 * reads their order (the parsers' finish passes, the time basis, the
 * timeline's ties and de-duplication, the reports): the same files named
 * in any order on the command line, or packed in any order into an
 * archive, give the same report. One directory holding them all is read
 * in this order already.
 */
static enum cb_status order_sources(struct cb_analysis *an)
{
    cb_sort(an->sources, an->nsources, sizeof *an->sources, cmp_source);
    for (size_t i = 0; i < an->nsources; i++)
        an->sources[i]->index = (unsigned)i;
    return sort_warnings(an);
}

/* "256 MiB", "1.5 GiB" */
static void size_words(uint64_t v, char *buf, size_t size)
{
    if (v >= (1ULL << 30))
        snprintf(buf, size, "%.1f GiB", (double)v / (double)(1ULL << 30));
    else
        snprintf(buf, size, "%llu MiB", (unsigned long long)(v >> 20));
}

/* What the memory budget cost, in one bundle warning each. */
static void budget_warnings(struct cb_analysis *an)
{
    const struct cb_budget *b = &an->budget;
    char size[32];
    size_words(b->bytes, size, sizeof size);
    if (b->lines || b->evidence)
        cb_analysis_warn(an, b->reached, CB_WHERE_NONE, 0,
                         "memory budget %s (--max-memory): %llu lines no "
                         "rule reads were counted, not kept, from here on; "
                         "their times still count for spans and silent "
                         "periods",
                         size, (unsigned long long)b->lines);
    if (b->evidence) {
        char rules[CB_LIMIT_BUDGET_RULES * 48] = "";
        size_t at = 0;
        for (unsigned i = 0; i < b->nrules && at < sizeof rules; i++)
            at += (size_t)snprintf(rules + at, sizeof rules - at, "%s%s",
                                   i ? ", " : "", b->rules[i]);
        cb_analysis_warn(an, b->reached, CB_WHERE_NONE, 0,
                         "memory budget %s used up: %llu lines that rules "
                         "read were counted, not kept; findings of %s may "
                         "be missing or incomplete (raise --max-memory)",
                         size, (unsigned long long)b->evidence,
                         b->nrules ? rules : "some rules");
    }
    if (b->unfiltered)
        cb_analysis_warn(an, b->reached, CB_WHERE_NONE, 0,
                         "memory budget %s passed: %llu events of formats "
                         "whose events are all kept (EVTX, event exports) "
                         "were kept beyond it",
                         size, (unsigned long long)b->unfiltered);
}

enum cb_status cb_analysis_finish(struct cb_analysis *an)
{
    if (an->finished)
        return CB_OK;
    if (order_sources(an) != CB_OK)
        return CB_E_NOMEM;
    budget_warnings(an);
    for (size_t i = 0; i < an->nparsers; i++) {
        if (!an->parsers[i]->finish)
            continue;
        enum cb_status st = an->parsers[i]->finish(an);
        if (st != CB_OK)
            return st;
    }
    enum cb_status st = cb_timebasis_resolve(an);
    if (st == CB_OK)
        st = collect_damage(an);
    if (st == CB_OK)
        an->finished = 1;
    return st;
}

enum cb_status cb_parser_detect_in(const struct cb_parser_ops *const *table,
                                   size_t count, const unsigned char *head,
                                   size_t len, const char *name,
                                   const struct cb_parser_ops **out,
                                   struct cb_error *err)
{
    const struct cb_parser_ops *best = NULL, *second = NULL;
    int best_bid = 0, second_bid = 0;
    for (size_t i = 0; i < count; i++) {
        int b = table[i]->bid(head, len, name);
        if (b > best_bid) {
            second = best;
            second_bid = best_bid;
            best = table[i];
            best_bid = b;
        } else if (b > 0 && b == best_bid) {
            second = table[i];
            second_bid = b;
        } else if (b > second_bid) {
            second = table[i];
            second_bid = b;
        }
    }
    *out = NULL;
    if (!best)
        return cb_error_set(err, CB_E_UNKNOWN_FORMAT, CB_WHERE_NONE, 0,
                            "no parser recognises this input");
    if (second && second_bid == best_bid)
        return cb_error_set(err, CB_E_AMBIGUOUS, CB_WHERE_NONE, 0,
                            "format is %s or %s (equal bids %d); use "
                            "--input-format to choose",
                            best->name, second->name, best_bid);
    *out = best;
    return CB_OK;
}
