/*
 * ingest.c - files, directories and archives (every format libarchive
 * reads, nested) streamed to the parsers. Nothing is ever written to disk:
 * member names are only labels, so a "../../etc/passwd" member is reported
 * and read in memory like any other.
 *
 * Every member is read through a callback that enforces the limits of
 * limits.h (member size, total size, compression ratio); a member that
 * trips one is cut or skipped with a warning naming it, and the rest of
 * the bundle goes on.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "casebrief/analysis.h"
#include "host.h"
#include "platform.h"
#include "sort.h"
#include "stream.h"
#include "term.h"
#include "timefmt.h"
#include "zipdir.h"

/* the stream buffer is also the longest line handed to a parser whole */
#define STREAM_BUF ((size_t)CB_LIMIT_LINE_BYTES)
#define ARCHIVE_BLOCK ((size_t)64 << 10)
#define PREFETCH_MIN ((size_t)256 << 10)
#define READAHEAD ((uint64_t)16 << 20)

static struct cb_warning *new_warning(struct cb_arena *arena,
                                      const char *source, int kind,
                                      uint64_t where, const char *fmt,
                                      va_list ap)
    __attribute__((format(printf, 5, 0)));

static struct cb_warning *new_warning(struct cb_arena *arena,
                                      const char *source, int kind,
                                      uint64_t where, const char *fmt,
                                      va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    struct cb_warning *w = cb_arena_calloc(arena, 1, sizeof *w);
    if (!w)
        return NULL;
    w->source = source;
    w->where_kind = kind;
    w->where = where;
    w->msg = cb_arena_strdup(arena, buf);
    return w->msg ? w : NULL;
}

static void analysis_warn_v(struct cb_analysis *an, int damage,
                            const char *source, int kind, uint64_t where,
                            const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void analysis_warn_v(struct cb_analysis *an, int damage,
                            const char *source, int kind, uint64_t where,
                            const char *fmt, va_list ap)
{
    struct cb_warning *w = new_warning(an->arena, source, kind, where, fmt, ap);
    if (!w)
        return;
    w->from = an->reading;
    w->damage = damage;
    if (an->warnings_tail)
        an->warnings_tail->next = w;
    else
        an->warnings = w;
    an->warnings_tail = w;
    an->nwarnings++;
}

void cb_analysis_warn(struct cb_analysis *an, const char *source,
                      enum cb_where_kind kind, uint64_t where,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    analysis_warn_v(an, CB_DAMAGE_NONE, source, kind, where, fmt, ap);
    va_end(ap);
}

void cb_analysis_damage(struct cb_analysis *an, enum cb_damage_kind damage,
                        const char *source, enum cb_where_kind kind,
                        uint64_t where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    analysis_warn_v(an, damage, source, kind, where, fmt, ap);
    va_end(ap);
}

/* Damage of rank damage on src: a more telling one than it had (none, or
 * of a lower rank: CB_DAMAGE_ARCHIVE is the highest). */
static int damage_wins(const struct cb_source *src, int damage)
{
    return damage &&
           (!src->damage || damage < src->damage->damage);
}

/* The arena of a parse is the analysis arena; sources keep a back pointer
 * through it, so warnings go straight onto the source. Damage is counted
 * and its first of the highest rank kept past the warnings cap too. */
static void source_warn_v(struct cb_arena *arena, struct cb_source *src,
                          int damage, int kind, uint64_t where,
                          const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void source_warn_v(struct cb_arena *arena, struct cb_source *src,
                          int damage, int kind, uint64_t where,
                          const char *fmt, va_list ap)
{
    src->nwarnings++;
    if (damage)
        src->ndamage++;
    int keep = src->nwarnings <= CB_LIMIT_WARNINGS_PER_SOURCE;
    int wins = damage_wins(src, damage);
    if (!keep && !wins)
        return;
    struct cb_warning *w = new_warning(arena, src->path, kind, where, fmt, ap);
    if (!w)
        return;
    w->damage = damage;
    if (wins)
        src->damage = w;
    if (!keep)
        return;
    if (src->warnings_tail)
        src->warnings_tail->next = w;
    else
        src->warnings = w;
    src->warnings_tail = w;
}

void cb_parse_warn(struct cb_parse *p, enum cb_where_kind kind,
                   unsigned long long where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    source_warn_v(p->arena, p->src, CB_DAMAGE_NONE, kind, where, fmt, ap);
    va_end(ap);
}

void cb_parse_damage(struct cb_parse *p, enum cb_damage_kind damage,
                     enum cb_where_kind kind, unsigned long long where,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    source_warn_v(p->arena, p->src, damage, kind, where, fmt, ap);
    va_end(ap);
}

void cb_parse_damage_count(struct cb_parse *p, unsigned n,
                           const struct cb_warning *first)
{
    p->src->ndamage += n;
    if (!first || !damage_wins(p->src, first->damage))
        return;
    /* first lives in a worker's arena: copied into the source's */
    struct cb_warning *c = cb_arena_calloc(p->arena, 1, sizeof *c);
    const char *msg = c ? cb_arena_strdup(p->arena, first->msg) : NULL;
    if (!msg)
        return;
    *c = (struct cb_warning){.source = p->src->path,
                             .where_kind = first->where_kind,
                             .where = first->where,
                             .msg = msg,
                             .damage = first->damage};
    p->src->damage = c;
}

static void source_warn(struct cb_analysis *an, struct cb_source *src,
                        int kind, uint64_t where, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void source_warn(struct cb_analysis *an, struct cb_source *src,
                        int kind, uint64_t where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    source_warn_v(an->arena, src, CB_DAMAGE_NONE, kind, where, fmt, ap);
    va_end(ap);
}

static struct cb_source *new_source(struct cb_analysis *an, const char *path)
{
    if (an->nsources == an->sources_cap) {
        size_t ncap = an->sources_cap ? an->sources_cap * 2 : 64;
        struct cb_source **ns =
            cb_realloc(an->sources, ncap * sizeof *an->sources);
        if (!ns)
            return NULL;
        an->sources = ns;
        an->sources_cap = ncap;
    }
    struct cb_source *src = cb_arena_calloc(an->arena, 1, sizeof *src);
    if (!src)
        return NULL;
    src->path = cb_arena_strdup(an->arena, path);
    if (!src->path)
        return NULL;
    char host[128];
    const char *rule = NULL;
    if (cb_host_from_path(path, host, sizeof host, &rule)) {
        src->host = cb_intern_cstr(an->strings, host);
        src->host_rule = rule;
    } else {
        src->host = cb_intern_cstr(an->strings, "");
    }
    if (!src->host)
        return NULL;
    src->format = "unknown";
    src->data_type = "windows:event";
    src->time_basis = "";
    src->first = src->last = CB_TIME_NONE;
    src->nk_first = src->nk_last = CB_TIME_NONE;
    src->index = (unsigned)an->nsources;
    src->from = an->reading;
    an->sources[an->nsources++] = src;
    return src;
}

/* A member that was not parsed: listed in the inventory with the reason,
 * and named in the bundle-level warnings (as damage when it is some). */
static enum cb_status skipped_v(struct cb_analysis *an, int damage,
                                const char *path, const char *why_fmt,
                                va_list ap) __attribute__((format(printf, 4, 0)));

static enum cb_status skipped_v(struct cb_analysis *an, int damage,
                                const char *path, const char *why_fmt,
                                va_list ap)
{
    char why[768];
    vsnprintf(why, sizeof why, why_fmt, ap);
    struct cb_source *src = new_source(an, path);
    if (!src)
        return CB_E_NOMEM;
    src->format = "skipped";
    source_warn(an, src, CB_WHERE_NONE, 0, "skipped: %s", why);
    cb_analysis_damage(an, damage, src->path, CB_WHERE_NONE, 0, "skipped: %s",
                       why);
    return CB_OK;
}

static enum cb_status skipped(struct cb_analysis *an, const char *path,
                              const char *why_fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum cb_status skipped(struct cb_analysis *an, const char *path,
                              const char *why_fmt, ...)
{
    va_list ap;
    va_start(ap, why_fmt);
    enum cb_status st = skipped_v(an, CB_DAMAGE_NONE, path, why_fmt, ap);
    va_end(ap);
    return st;
}

/* The same for a member that is damaged (its header, or an archive that
 * cannot be opened). */
static enum cb_status skipped_damaged(struct cb_analysis *an, int damage,
                                      const char *path, const char *why_fmt,
                                      ...) __attribute__((format(printf, 4, 5)));

static enum cb_status skipped_damaged(struct cb_analysis *an, int damage,
                                      const char *path, const char *why_fmt,
                                      ...)
{
    va_list ap;
    va_start(ap, why_fmt);
    enum cb_status st = skipped_v(an, damage, path, why_fmt, ap);
    va_end(ap);
    return st;
}

/* Whether a failed read is damage (the bytes are not all there) rather
 * than a limit of ours or an encrypted member, which are warnings. */
static int read_damage(enum cb_status code)
{
    return code == CB_E_CORRUPT || code == CB_E_IO;
}

/* An event whose time is zeroed (1601) or absurd (9999): flagged, counted
 * and left out of the source's span, so one bad record cannot stretch a
 * report over 8,000 years; source_done says so once. */
static void note_implausible(struct cb_source *src, struct cb_event *ev)
{
    ev->flags |= CB_EV_TIME_IMPLAUSIBLE;
    if (src->implausible++ == 0) {
        src->implausible_ts = ev->ts;
        src->implausible_at = ev->origin;
    }
}

/* Keep the event the parser wrote into slot (arena memory, so it is not
 * copied again). */
static int append_event(struct cb_analysis *an, struct cb_source *src,
                        struct cb_event *ev)
{
    if (src->nevents == src->events_cap) {
        size_t ncap = src->events_cap ? src->events_cap * 2 : 256;
        struct cb_event **ne = cb_realloc(src->events, ncap * sizeof *ne);
        if (!ne)
            return -1;
        /* twice: the timeline holds every kept event's pointer again */
        an->budget.tables += 2 * (ncap - src->events_cap) * sizeof *ne;
        src->events = ne;
        src->events_cap = ncap;
    }
    ev->source = src;
    int plausible = cb_time_plausible(ev->ts);
    if (!plausible)
        note_implausible(src, ev);
    if (!ev->host)
        ev->host = src->host;
    if (!ev->channel)
        ev->channel = src->format;
    if (!ev->message && !(ev->flags & CB_EV_MESSAGE_LAZY))
        ev->message = "";
    if (src->nevents == 0 || ev->ts < src->events[src->nevents - 1]->ts)
        src->runs++;
    src->events[src->nevents++] = ev;
    if (ev->host != src->host)
        src->mixed_hosts = 1;
    if (plausible && (src->first == CB_TIME_NONE || ev->ts < src->first))
        src->first = ev->ts;
    if (plausible && (src->last == CB_TIME_NONE || ev->ts > src->last))
        src->last = ev->ts;
    return 0;
}

/* Keep the time of every event of a filtered source (kept or not), for
 * the silent-period check. */
static int push_time(struct cb_analysis *an, struct cb_source *src, cb_time t)
{
    if (src->ntimes == src->times_cap) {
        size_t ncap = src->times_cap ? src->times_cap * 2 : 4096;
        cb_time *nt = cb_realloc(src->times, ncap * sizeof *nt);
        if (!nt)
            return -1;
        an->budget.tables += (ncap - src->times_cap) * sizeof *nt;
        src->times = nt;
        src->times_cap = ncap;
    }
    src->times[src->ntimes++] = t;
    return 0;
}

/* Past the budget (coalesce), a time is noted only when it goes back or
 * moves on by a second or more from the last one noted, and then with
 * the time read just before it: the runs and every gap stay as they were,
 * so the silent-period check and the source's order see what they would
 * have; a log whose time goes back on every line still costs 8 bytes a
 * line. */
static int note_time(struct cb_analysis *an, struct cb_source *src, cb_time t,
                     int coalesce)
{
    int noted = 1;
    if (!coalesce || src->ntimes == 0 || t < src->t_prev ||
        t - src->times[src->ntimes - 1] >= CB_TICKS_PER_SEC) {
        if (coalesce && src->ntimes && !src->t_prev_noted &&
            push_time(an, src, src->t_prev) != 0)
            return -1;
        if (push_time(an, src, t) != 0)
            return -1;
    } else {
        noted = 0;
    }
    src->t_prev = t;
    src->t_prev_noted = noted;
    return 0;
}

/* An event the analysis does not keep: counted and the source's span kept
 * as if it had been (its time was noted when it was read). */
static void count_event(struct cb_source *src, const struct cb_event *ev)
{
    src->not_kept++;
    if (!cb_time_plausible(ev->ts)) {
        struct cb_event copy = *ev;
        note_implausible(src, &copy);
        return;
    }
    if (src->nk_first == CB_TIME_NONE || ev->ts < src->nk_first)
        src->nk_first = ev->ts;
    if (src->nk_last == CB_TIME_NONE || ev->ts > src->nk_last)
        src->nk_last = ev->ts;
    if (src->first == CB_TIME_NONE || ev->ts < src->first)
        src->first = ev->ts;
    if (src->last == CB_TIME_NONE || ev->ts > src->last)
        src->last = ev->ts;
}

/* Context of a filtered source: the CB_LIMIT_CONTEXT_LINES lines before a line
 * a rule takes and after it are kept too, so that the report shows what led up
 * to the evidence and what followed. Lines not (yet) kept wait in a ring of
 * copies; the oldest one, pushed out, is counted, and so are the held ones when
 * another line is kept first (the order stays the log's). */

struct pending {
    struct cb_event ev;
    char *msg; /* ev.message's copy (ev.message points here) */
    size_t cap;
    int budget; /* held for the budget: 1 a line, 2 a line a rule reads */
};

struct context {
    struct pending ring[CB_LIMIT_CONTEXT_LINES];
    unsigned first, n; /* oldest entry, entries held */
    unsigned after;    /* lines still to keep after a kept one */
};

static void context_free(struct context *c)
{
    for (unsigned i = 0; i < CB_LIMIT_CONTEXT_LINES; i++)
        cb_free(c->ring[i].msg);
}

/* Hold a line not kept (its slot is rewound after this); the line it
 * pushes out of the ring is counted. */
static int context_hold(struct context *c, struct cb_source *src,
                        const struct cb_event *ev, int budget)
{
    if (c->n == CB_LIMIT_CONTEXT_LINES) {
        count_event(src, &c->ring[c->first].ev);
        c->first = (c->first + 1) % CB_LIMIT_CONTEXT_LINES;
        c->n--;
    }
    struct pending *pd = &c->ring[(c->first + c->n) % CB_LIMIT_CONTEXT_LINES];
    const char *m = ev->message ? ev->message : "";
    size_t len = strlen(m);
    if (len >= pd->cap) {
        size_t ncap = len + 1 > 256 ? len + 1 : 256;
        char *nm = cb_realloc(pd->msg, ncap);
        if (!nm)
            return -1;
        pd->msg = nm;
        pd->cap = ncap;
    }
    memcpy(pd->msg, m, len + 1);
    pd->ev = *ev;
    pd->ev.message = pd->msg;
    pd->budget = budget;
    c->n++;
    return 0;
}

/* The held lines, in order, into the analysis (before the kept line that
 * calls for them). */
static int context_flush(struct cb_analysis *an, struct context *c,
                         struct cb_source *src, struct cb_arena *arena)
{
    for (; c->n; c->n--, c->first = (c->first + 1) % CB_LIMIT_CONTEXT_LINES) {
        const struct pending *pd = &c->ring[c->first];
        if (pd->budget) { /* kept after all: not a cost of the budget */
            src->budget_not_kept--;
            if (pd->budget == 2)
                an->budget.evidence--;
            else
                an->budget.lines--;
        }
        struct cb_event *ev = cb_arena_alloc(arena, sizeof *ev);
        char *m = ev ? cb_arena_strdup(arena, pd->msg) : NULL;
        if (!m)
            return -1;
        *ev = pd->ev;
        ev->message = m;
        if (append_event(an, src, ev) != 0)
            return -1;
    }
    return 0;
}

/* The held lines, counted: the source ended, or a line kept without its
 * context came first. */
static void context_end(struct context *c, struct cb_source *src)
{
    for (; c->n; c->n--, c->first = (c->first + 1) % CB_LIMIT_CONTEXT_LINES)
        count_event(src, &c->ring[c->first].ev);
}

/* Parse one leaf (a non-archive file or member) with the parser that bids
 * highest, or the one forced by --input-format. */
/* The parser for a file's first bytes: --input-format's, or the best
 * bidder. NULL when there is none (src listed as "unknown", or as
 * "ambiguous" with a warning naming both). */
static const struct cb_parser_ops *choose_parser(struct cb_analysis *an,
                                                 struct cb_stream *in,
                                                 struct cb_source *src,
                                                 const char *path)
{
    size_t avail;
    const unsigned char *head = cb_stream_peek(in, CB_LIMIT_SNIFF_BYTES, &avail);
    if (an->forced)
        return an->forced;
    const char *base = strrchr(path, '!');
    base = base ? base + 1 : path;
    const struct cb_parser_ops *ops = NULL;
    struct cb_error err = {0};
    enum cb_status st = cb_parser_detect_in(an->parsers, an->nparsers, head,
                                            avail, base, &ops, &err);
    if (st == CB_E_AMBIGUOUS) {
        src->format = "ambiguous";
        source_warn(an, src, CB_WHERE_NONE, 0, "%s", err.msg);
        cb_analysis_warn(an, src->path, CB_WHERE_NONE, 0, "%s", err.msg);
        return NULL;
    }
    if (st != CB_OK) {
        src->bytes = avail;
        return NULL; /* not an event log: listed as "unknown" */
    }
    return ops;
}

/* Bytes of the kept events (see struct cb_budget). */
static uint64_t kept_bytes(const struct cb_analysis *an)
{
    return cb_arena_used(an->arena) +
           (an->ev_arena ? cb_arena_used(an->ev_arena) : 0) +
           an->budget.tables;
}

/* How far the budget is used: 0 under 3/4 of it, 1 past (lines no rule
 * reads are counted only), 2 past all of it (every line is). */
static int budget_level(struct cb_analysis *an, const struct cb_source *src)
{
    struct cb_budget *b = &an->budget;
    if (!b->bytes)
        return 0;
    uint64_t used = kept_bytes(an);
    if (used > b->peak)
        b->peak = used;
    if (used < b->bytes / 4 * 3)
        return 0;
    if (!b->reached)
        b->reached = src->path;
    return used < b->bytes ? 1 : 2;
}

/* A rule's line dropped for the budget: the rule it feeds, named once. */
static void budget_rule(struct cb_analysis *an, const struct cb_event *ev)
{
    struct cb_budget *b = &an->budget;
    const char *id = an->keep_rule ? an->keep_rule(an->keep_ctx, ev) : NULL;
    if (!id)
        return;
    for (unsigned i = 0; i < b->nrules; i++)
        if (strcmp(b->rules[i], id) == 0)
            return;
    if (b->nrules < CB_LIMIT_BUDGET_RULES)
        b->rules[b->nrules++] = id;
}

/* The keep filter on one event of a rewindable parser: 1 keep it, 0 it
 * was held back as possible context and its memory rewound to mark, -1
 * out of memory. Past the budget's level 1 a line a rule reads is kept
 * without its context and other lines are counted; past level 2 every
 * line is counted (struct pending says which to count as the budget's). */
static int filter_event(struct cb_analysis *an, struct cb_source *src,
                        struct context *ctx, struct cb_arena *evs,
                        struct cb_event *slot, struct cb_arena_mark mark)
{
    int level = budget_level(an, src);
    if (note_time(an, src, slot->ts, level > 0) != 0)
        return -1;
    /* the first event always stays: it shows the source's host and
     * channel to the checks that look for them */
    int k = src->nevents == 0 ? 1 : an->keep(an->keep_ctx, slot);
    int held_for = 0;
    if (level && src->nevents) {
        ctx->after = 0;
        if (k >= 2 && level == 2) {
            budget_rule(an, slot);
            an->budget.evidence++;
            held_for = 2;
            k = 0;
        } else if (k >= 2) {
            k = 1; /* kept, but not its context */
        } else if (k == 1) {
            an->budget.lines++;
            held_for = 1;
            k = 0;
        }
        src->budget_not_kept += held_for != 0;
    }
    if (k == 3)
        k = 1; /* a rule's, but no context */
    if (k == 2) {
        if (context_flush(an, ctx, src, evs) != 0)
            return -1;
        ctx->after = CB_LIMIT_CONTEXT_LINES;
    } else if (k) {
        context_end(ctx, src);
        if (ctx->after)
            ctx->after--;
    } else if (ctx->after) {
        ctx->after--;
    } else {
        if (context_hold(ctx, src, slot, held_for) != 0)
            return -1;
        cb_arena_rewind(evs, mark);
        return 0;
    }
    return 1;
}

/* Every event of the parse into its source; *r: how next() ended. */
static enum cb_status read_events(struct cb_analysis *an,
                                  const struct cb_parser_ops *ops,
                                  struct cb_parse *p, void *state,
                                  struct cb_arena *evs, struct context *ctx,
                                  enum cb_next *r)
{
    struct cb_source *src = p->src;
    struct cb_event *spare = NULL; /* a slot next() left unused */
    *r = CB_NEXT_END;
    for (;;) {
        struct cb_arena_mark mark = cb_arena_mark(evs);
        struct cb_event *slot =
            spare ? spare : cb_arena_alloc(evs, sizeof *slot);
        spare = NULL;
        if (!slot)
            return CB_E_NOMEM;
        *r = ops->next(p, state, slot);
        if (*r != CB_NEXT_EVENT)
            return CB_OK;
        if (p->ev_own) { /* not rewindable, so not filtered below */
            spare = slot;
            slot = p->ev_own;
            p->ev_own = NULL;
        }
        if (p->ev_arena) {
            int keep = filter_event(an, src, ctx, evs, slot, mark);
            if (keep < 0)
                return CB_E_NOMEM;
            if (!keep)
                continue;
        } else if (budget_level(an, src) == 2) {
            an->budget.unfiltered++; /* cannot be given back: said */
        }
        if (append_event(an, src, slot) != 0)
            return CB_E_NOMEM;
    }
}

/* After the parse: the runs of a filtered source, its size, and its host
 * from its events when its path did not give one. */
static void source_done(struct cb_source *src, const struct cb_stream *in,
                        int filtered)
{
    if (filtered) { /* the runs of all its events: at least those of the
                     * kept ones, and what the silent-period check needs */
        src->runs = src->ntimes > 0;
        for (size_t i = 1; i < src->ntimes; i++)
            src->runs += src->times[i] < src->times[i - 1];
    }
    src->bytes = cb_stream_tell(in);
    if (src->host[0] == '\0' && src->nevents && src->events[0]->host[0]) {
        src->host = src->events[0]->host;
        src->host_rule = "events' Computer field";
        src->mixed_hosts = 0;
        for (size_t i = 0; i < src->nevents && !src->mixed_hosts; i++)
            src->mixed_hosts = src->events[i]->host != src->host;
    }
}

/* A source's kept warnings: how many, whether all are per line with
 * the first one's words (a parser rejecting line after line), the place
 * of the last. */
struct warn_sum {
    unsigned kept;
    int alike;
    uint64_t last;
};

static struct warn_sum sum_warnings(const struct cb_source *src)
{
    struct warn_sum ws = {0, 1, 0};
    const struct cb_warning *first = src->warnings;
    for (const struct cb_warning *w = first; w; w = w->next, ws.kept++) {
        if (w->where_kind != CB_WHERE_LINE || strcmp(w->msg, first->msg))
            ws.alike = 0;
        ws.last = w->where;
    }
    return ws;
}

/* "no event read: ..." into buf: why a recognised file gave nothing,
 * from its warnings (ws); 0 when it had none (an empty log is no
 * problem). */
static int unread_reason(const struct cb_source *src,
                         const struct warn_sum *ws, char *buf, size_t size)
{
    const struct cb_warning *first = src->warnings;
    if (!first)
        return 0;
    unsigned long long from = first->where, to = ws->last;
    if (ws->alike && ws->kept > 1 && ws->kept == src->nwarnings)
        snprintf(buf, size,
                 "no event read: %u lines rejected (lines %llu to %llu): %s",
                 ws->kept, from, to, first->msg);
    else if (ws->alike && ws->kept > 1)
        snprintf(buf, size,
                 "no event read: %u warnings, the first %u (lines %llu to "
                 "%llu) each: %s",
                 src->nwarnings, ws->kept, from, to, first->msg);
    else if (src->nwarnings == 1 && first->where_kind == CB_WHERE_NONE)
        snprintf(buf, size, "no event read: %s", first->msg);
    else if (src->nwarnings == 1)
        snprintf(buf, size, "no event read: %s %llu: %s",
                 first->where_kind == CB_WHERE_LINE ? "line" : "offset", from,
                 first->msg);
    else if (first->where_kind == CB_WHERE_NONE)
        snprintf(buf, size, "no event read: %u warnings, the first: %s",
                 src->nwarnings, first->msg);
    else
        snprintf(buf, size,
                 "no event read: %u warnings, the first at %s %llu: %s",
                 src->nwarnings,
                 first->where_kind == CB_WHERE_LINE ? "line" : "offset",
                 from, first->msg);
    return 1;
}

/*
 * A file some parser took that yielded nothing (no event, no table, no
 * sidecar) although it said why: unless the parse already raised one
 * (tell 0), a bundle-level warning saying so; and when it said so line by
 * line with the same words, that one warning instead of one a line.
 * Different warnings stay (each says something), and so does damage: it
 * says where the file breaks.
 */
static void unread(struct cb_analysis *an, struct cb_source *src, int tell)
{
    char why[1200];
    if (src->nevents || src->not_kept || src->tables || src->sidecar ||
        src->ndamage)
        return;
    struct warn_sum ws = sum_warnings(src);
    if (!unread_reason(src, &ws, why, sizeof why))
        return;
    if (ws.alike && ws.kept > 1) {
        src->warnings = src->warnings_tail = NULL;
        src->nwarnings = 0;
        source_warn(an, src, CB_WHERE_NONE, 0, "%s", why);
    }
    if (tell)
        cb_analysis_warn(an, src->path, CB_WHERE_NONE, 0, "%s", why);
}

/* CB_DAMAGE_MEMBER when in's bytes could not all be read (its failure
 * then told), else 0: a parser stopping on what it read is a warning. */
static int stream_damage(struct cb_stream *in)
{
    if (!in->failed || !read_damage(in->err.code))
        return CB_DAMAGE_NONE;
    in->failure_told = 1;
    return CB_DAMAGE_MEMBER;
}

/* One warning for a source's events with implausible times. */
static void implausible_warning(struct cb_analysis *an, struct cb_source *src)
{
    char when[CB_TIMEFMT_MAX];
    cb_timefmt_ms(src->implausible_ts, ' ', when, sizeof when);
    source_warn(an, src,
                src->origin_is_line ? CB_WHERE_LINE : CB_WHERE_OFFSET,
                src->implausible_at,
                "%llu events with an implausible time (before 1990 or after "
                "2099; the first: %s UTC): kept, but left out of the time "
                "spans",
                (unsigned long long)src->implausible, when);
}

static enum cb_status parse_leaf(struct cb_analysis *an, struct cb_stream *in,
                                 const char *path)
{
    struct cb_source *src = new_source(an, path);
    if (!src)
        return CB_E_NOMEM;
    const struct cb_parser_ops *ops = choose_parser(an, in, src, path);
    if (!ops)
        return CB_OK;
    src->format = ops->name;
    src->data_type = ops->data_type;
    struct cb_parse p = {
        .in = in, .src = src, .arena = an->arena, .strings = an->strings,
        .opts = &an->opts};
    if (ops->pool_free) { /* the parser's slot in this analysis */
        for (size_t i = 0; i < sizeof an->pools / sizeof an->pools[0]; i++)
            if (!an->pools[i].ops || an->pools[i].ops == ops) {
                an->pools[i].ops = ops;
                p.pool = &an->pools[i].pool;
                break;
            }
    }
    void *state = NULL;
    enum cb_status st = ops->open ? ops->open(&p, &state) : CB_OK;
    if (st == CB_E_NOMEM)
        return st;
    if (st != CB_OK) {
        char msg[1200];
        cb_error_format(&p.err, msg, sizeof msg);
        source_warn(an, src, p.err.where_kind, p.err.where, "%s", p.err.msg);
        cb_analysis_damage(an, stream_damage(in), src->path, CB_WHERE_NONE, 0,
                           "not parsed as %s: %s", ops->name, msg);
        return CB_OK;
    }
    /* Parsers write straight into arena memory; the slot left over at the
     * end is the only waste. With a keep filter, the events of a parser
     * that allows it go to ev_arena, and one not kept is rewound. */
    struct cb_arena *evs = an->arena;
    if (an->keep && ops->events_rewindable) {
        if (!an->ev_arena && !(an->ev_arena = cb_arena_create()))
            st = CB_E_NOMEM;
        evs = p.ev_arena = an->ev_arena;
    }
    enum cb_next r = CB_NEXT_END;
    struct context ctx = {0};
    if (st == CB_OK)
        st = read_events(an, ops, &p, state, evs, &ctx, &r);
    if (r == CB_NEXT_FAIL) {
        if (p.err.code == CB_E_NOMEM) {
            st = CB_E_NOMEM;
        } else {
            source_warn(an, src, p.err.where_kind, p.err.where,
                        "stopped: %s", p.err.msg);
            cb_analysis_damage(an, stream_damage(in), src->path,
                               p.err.where_kind, p.err.where,
                               "read stopped after %llu events: %s",
                               (unsigned long long)src->nevents, p.err.msg);
        }
    }
    if (ops->close)
        ops->close(&p, &state);
    context_end(&ctx, src);
    context_free(&ctx);
    source_done(src, in, p.ev_arena != NULL);
    if (src->implausible)
        implausible_warning(an, src);
    if (st == CB_OK)
        unread(an, src, r != CB_NEXT_FAIL);
    return st;
}

/* ---- archives ---------------------------------------------------------- */

enum archive_kind { NOT_ARCHIVE = 0, ARCHIVE_STREAMABLE, ARCHIVE_NEEDS_SEEK };

static enum archive_kind archive_magic(const unsigned char *h, size_t n)
{
    static const struct {
        const char *magic;
        size_t len, at;
        enum archive_kind kind;
    } m[] = {
        {"PK\003\004", 4, 0, ARCHIVE_STREAMABLE},
        {"PK\005\006", 4, 0, ARCHIVE_STREAMABLE},
        {"PK\007\010", 4, 0, ARCHIVE_STREAMABLE},
        {"7z\274\257\047\034", 6, 0, ARCHIVE_NEEDS_SEEK},
        {"\037\213", 2, 0, ARCHIVE_STREAMABLE},          /* gzip */
        {"BZh", 3, 0, ARCHIVE_STREAMABLE},               /* bzip2 */
        {"\3757zXZ\0", 6, 0, ARCHIVE_STREAMABLE},        /* xz */
        {"\050\265\057\375", 4, 0, ARCHIVE_STREAMABLE},  /* zstd */
        {"\004\042\115\030", 4, 0, ARCHIVE_STREAMABLE},  /* lz4 */
        {"MSCF\0\0\0\0", 8, 0, ARCHIVE_STREAMABLE},      /* cab */
        {"Rar!\032\007", 6, 0, ARCHIVE_STREAMABLE},
        {"ustar", 5, 257, ARCHIVE_STREAMABLE},
        {"070701", 6, 0, ARCHIVE_STREAMABLE},            /* cpio */
        {"070702", 6, 0, ARCHIVE_STREAMABLE},
        {"070707", 6, 0, ARCHIVE_STREAMABLE},
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        if (n >= m[i].at + m[i].len &&
            memcmp(h + m[i].at, m[i].magic, m[i].len) == 0)
            return m[i].kind;
    }
    return NOT_ARCHIVE;
}

static void setup_reader(struct archive *a)
{
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_cab(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_cpio(a);
    /* a single compressed file (cluster.log.gz) */
    archive_read_support_format_raw(a);
}

/* Reading an archive out of its parent stream. */
struct parent_read {
    struct cb_stream *in;
    unsigned char block[ARCHIVE_BLOCK];
};

static la_ssize_t parent_read_cb(struct archive *a, void *ctx,
                                 const void **buf)
{
    struct parent_read *pr = ctx;
    size_t n = cb_stream_read(pr->in, pr->block, sizeof pr->block);
    if (n == 0 && pr->in->failed) {
        archive_set_error(a, EIO, "%s", pr->in->err.msg);
        return -1;
    }
    *buf = pr->block;
    return (la_ssize_t)n;
}

/* One member being read: enforces member, total and ratio limits. */
struct member_read {
    struct cb_analysis *an;
    struct archive *a;
    const char *path;
    uint64_t out;          /* uncompressed bytes handed out */
    int64_t raw_start;     /* archive input position at the header */
    int tripped;           /* 1 when a limit stopped this member */
    int ratio_tripped;
    uint64_t next_progress;
    /* The block libarchive handed out last and how much of it is used.
     * Blocks, not archive_read_data: on damage the latter drops the bytes
     * it had already decoded in that call. */
    const unsigned char *blk;
    size_t blk_len, blk_pos;
    int64_t blk_off;        /* member offset of blk[0] */
    int eof;
    /* libarchive's warning on the member's data (a bad CRC): the bytes
     * were handed out, but they are not those that were packed */
    int data_warned;
    uint64_t data_warn_at;
    char data_warn[256];
};

static int64_t raw_pos(struct archive *a)
{
    /* bytes consumed from the archive's own input (the last filter) */
    int n = archive_filter_count(a);
    return archive_filter_bytes(a, n > 0 ? n - 1 : -1);
}

static void progress(struct cb_analysis *an, const char *path)
{
    if (!an->progress)
        return;
    const char *base = strrchr(path, '!');
    char shown[64]; /* a top-level path is not cleaned as members are */
    cb_term_clean(base ? base + 1 : path, shown, sizeof shown);
    fprintf(stderr, "\r\033[Kcasebrief: %llu files, %.1f MB read: %s",
            (unsigned long long)__atomic_load_n(&an->members,
                                                __ATOMIC_RELAXED),
            (double)__atomic_load_n(&an->total_bytes, __ATOMIC_RELAXED) / 1e6,
            shown);
}

static long member_read_cb(void *ctx, void *buf, size_t n, struct cb_error *err)
{
    struct member_read *mr = ctx;
    struct cb_analysis *an = mr->an;
    while (mr->blk_pos == mr->blk_len && !mr->eof) {
        const void *b;
        size_t len;
        la_int64_t off;
        int r = archive_read_data_block(mr->a, &b, &len, &off);
        if (r == ARCHIVE_EOF) {
            mr->eof = 1;
            break;
        }
        if (r < ARCHIVE_WARN) {
            const char *why = archive_error_string(mr->a);
            int enc = archive_read_has_encrypted_entries(mr->a) > 0;
            return -(long)cb_error_set(
                err, enc ? CB_E_ENCRYPTED : CB_E_CORRUPT, CB_WHERE_OFFSET,
                mr->out, "%s", why ? why : "unreadable member data");
        }
        if (r == ARCHIVE_WARN && !mr->data_warned) {
            const char *why = archive_error_string(mr->a);
            mr->data_warned = 1;
            mr->data_warn_at = mr->out;
            snprintf(mr->data_warn, sizeof mr->data_warn, "%s",
                     why ? why : "archive warning");
        }
        mr->blk = b;
        mr->blk_len = len;
        mr->blk_pos = 0;
        mr->blk_off = off;
    }
    size_t got;
    if (mr->blk_pos == mr->blk_len) {
        got = 0;
    } else if ((uint64_t)mr->blk_off > mr->out) {
        /* a hole in a sparse member reads as zeros */
        uint64_t hole = (uint64_t)mr->blk_off - mr->out;
        got = hole < n ? (size_t)hole : n;
        memset(buf, 0, got);
    } else {
        got = mr->blk_len - mr->blk_pos;
        if (got > n)
            got = n;
        memcpy(buf, mr->blk + mr->blk_pos, got);
        mr->blk_pos += got;
        mr->blk_off += (int64_t)got;
    }
    if (got == 0)
        return 0;
    mr->out += (uint64_t)got;
    uint64_t total = __atomic_add_fetch(&an->total_bytes, (uint64_t)got,
                                        __ATOMIC_RELAXED);
    if (mr->out > an->limits.member_bytes) {
        mr->tripped = 1;
        return -(long)cb_error_set(err, CB_E_LIMIT, CB_WHERE_OFFSET, mr->out,
                                   "member larger than --max-member-size "
                                   "(%llu bytes)",
                                   (unsigned long long)an->limits.member_bytes);
    }
    if (total > an->limits.total_bytes) {
        mr->tripped = 1;
        __atomic_store_n(&an->total_exhausted, 1, __ATOMIC_RELAXED);
        return -(long)cb_error_set(err, CB_E_LIMIT, CB_WHERE_OFFSET, mr->out,
                                   "total uncompressed bytes exceed "
                                   "--max-total (%llu)",
                                   (unsigned long long)an->limits.total_bytes);
    }
    if (mr->out >= an->limits.ratio_min_bytes && an->limits.ratio) {
        int64_t raw = raw_pos(mr->a) - mr->raw_start;
        if (raw < 1)
            raw = 1;
        if (mr->out / (uint64_t)raw > an->limits.ratio) {
            mr->tripped = mr->ratio_tripped = 1;
            return -(long)cb_error_set(
                err, CB_E_LIMIT, CB_WHERE_OFFSET, mr->out,
                "compression ratio above --max-ratio %u (%llu bytes out of "
                "%lld): possible archive bomb",
                an->limits.ratio, (unsigned long long)mr->out,
                (long long)raw);
        }
    }
    if (an->progress && mr->out >= mr->next_progress) {
        mr->next_progress = mr->out + (64u << 20);
        progress(an, mr->path);
    }
    return (long)got;
}

static enum cb_status handle_stream(struct cb_analysis *an,
                                    struct cb_stream *in, const char *path,
                                    unsigned depth, const char *fs_path);

/* A member name is only a label, but say when it would have escaped. */
static const char *unsafe_name(const char *name)
{
    if (name[0] == '/' || name[0] == '\\')
        return "absolute path";
    if (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') &&
        name[1] == ':')
        return "drive-letter path";
    const char *p = name;
    while (*p) {
        size_t k = strcspn(p, "/\\");
        if (k == 2 && p[0] == '.' && p[1] == '.')
            return "'..' component";
        p += k;
        if (*p)
            p++;
    }
    return NULL;
}

/* Display name: what a terminal would act on replaced (term.h), and '!',
 * the nesting separator; length capped. */
static void clean_name(const char *name, char *out, size_t size)
{
    cb_term_clean(name, out, size);
    for (char *p = strchr(out, '!'); p; p = strchr(p + 1, '!'))
        *p = '?';
}

static const char *raw_member_name(const char *parent, char *buf, size_t size)
{
    /* "x.log.gz" holds "x.log" */
    const char *b = strrchr(parent, '!');
    b = b ? b + 1 : parent;
    const char *slash = strrchr(b, '/');
    b = slash ? slash + 1 : b;
    snprintf(buf, size, "%s", b);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
    else
        snprintf(buf, size, "data");
    return buf;
}

/* A member listed as skipped: 0 to go on with the next one, -1 to stop
 * (*st: out of memory). */
static int skip_member(enum cb_status *st, enum cb_status s)
{
    *st = s;
    return s == CB_OK ? 0 : -1;
}

/* Whether the member named child (pn in the archive) is read: 1 yes; 0
 * no (a directory, or listed as skipped with the reason); -1 stop
 * reading the archive (*st says how it ends). */
static int member_wanted(struct cb_analysis *an, struct archive_entry *entry,
                         const char *child, const char *pn, enum cb_status *st)
{
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFDIR)
        return 0;
    if (__atomic_add_fetch(&an->members, 1, __ATOMIC_RELAXED) >
        an->limits.members) {
        cb_analysis_warn(an, cb_arena_strdup(an->arena, child), CB_WHERE_NONE,
                         0,
                         "member count above --max-members (%llu): this "
                         "and all further members skipped",
                         (unsigned long long)an->limits.members);
        *st = CB_OK;
        return -1;
    }
    if (__atomic_load_n(&an->total_exhausted, __ATOMIC_RELAXED))
        return skip_member(st, skipped(an, child,
                                       "total uncompressed bytes "
                                       "already at --max-total"));
    const char *unsafe = unsafe_name(pn);
    if (unsafe)
        cb_analysis_warn(an, cb_arena_strdup(an->arena, child), CB_WHERE_NONE,
                         0,
                         "member name has an %s; read in memory only, "
                         "never extracted",
                         unsafe);
    if (archive_entry_symlink(entry) || type == AE_IFLNK) {
        const char *t = archive_entry_symlink(entry);
        return skip_member(st, skipped(an, child,
                                       "symbolic link to '%.200s' "
                                       "not followed",
                                       t ? t : "?"));
    }
    if (archive_entry_hardlink(entry))
        return skip_member(st, skipped(an, child,
                                       "hard link to '%.200s' not followed",
                                       archive_entry_hardlink(entry)));
    if (type != AE_IFREG && type != 0)
        return skip_member(st, skipped(an, child, "not a regular file"));
    if (archive_entry_is_encrypted(entry))
        return skip_member(st, skipped(an, child,
                                       "encrypted member (no "
                                       "password support)"));
    if (archive_entry_size_is_set(entry) &&
        (uint64_t)archive_entry_size(entry) > an->limits.member_bytes)
        return skip_member(
            st, skipped(an, child,
                        "declared size %lld above --max-member-size (%llu)",
                        (long long)archive_entry_size(entry),
                        (unsigned long long)an->limits.member_bytes));
    return 1;
}

/* Parse the member child of archive a (at path). *stop: the rest of the
 * archive is skipped (a compression-ratio trip in a compressed stream). */
static enum cb_status read_member(struct cb_analysis *an, struct archive *a,
                                  struct archive_entry *entry, const char *path,
                                  const char *child, unsigned depth, int *stop)
{
    struct member_read mr = {
        .an = an, .a = a, .path = child, .raw_start = raw_pos(a)};
    struct cb_stream ms;
    /* With -j above 1, members are decompressed on a thread of their own
     * while they are parsed; small ones are not worth a thread. -j 1
     * stays on one thread. */
    int big = an->opts.jobs > 1 &&
              (!archive_entry_size_is_set(entry) ||
               archive_entry_size(entry) > (la_int64_t)PREFETCH_MIN);
    if ((big ? cb_stream_init_prefetch(&ms, member_read_cb, &mr, STREAM_BUF)
             : cb_stream_init(&ms, member_read_cb, &mr, STREAM_BUF)) != CB_OK)
        return CB_E_NOMEM;
    progress(an, child);
    enum cb_status st = handle_stream(an, &ms, child, depth, NULL);
    int failed_read = ms.failed, told = ms.failure_told;
    struct cb_error rerr = ms.err;
    cb_stream_fini(&ms);
    if (st != CB_OK)
        return st;
    if (failed_read && mr.tripped)
        cb_analysis_warn(an, cb_arena_strdup(an->arena, child), CB_WHERE_OFFSET,
                         rerr.where, "member cut: %s", rerr.msg);
    else if (failed_read && !told && read_damage(rerr.code))
        cb_analysis_damage(an, CB_DAMAGE_MEMBER,
                           cb_arena_strdup(an->arena, child), CB_WHERE_OFFSET,
                           rerr.where,
                           "member could not be read to its end: %s",
                           rerr.msg);
    if (mr.data_warned)
        cb_analysis_damage(an, CB_DAMAGE_MEMBER,
                           cb_arena_strdup(an->arena, child), CB_WHERE_OFFSET,
                           mr.data_warn_at, "member data damaged: %s",
                           mr.data_warn);
    if (mr.ratio_tripped && archive_filter_count(a) > 1) {
        /* Skipping the rest would mean inflating the bomb anyway. */
        cb_analysis_warn(an, cb_arena_strdup(an->arena, path), CB_WHERE_NONE, 0,
                         "rest of this compressed archive skipped after "
                         "a compression-ratio trip");
        *stop = 1;
    }
    return CB_OK;
}

static enum cb_status read_archive(struct cb_analysis *an, struct archive *a,
                                   const char *path, unsigned depth)
{
    enum cb_status st = CB_OK;
    struct archive_entry *entry;
    char name[CB_LIMIT_MEMBER_NAME_BYTES + 1], child[CB_LIMIT_PATH_BYTES];
    int failures = 0, stop = 0;
    size_t headers = 0;
    while (!stop) {
        int r = archive_read_next_header(a, &entry);
        if (r == ARCHIVE_EOF)
            break;
        headers++;
        if (r == ARCHIVE_FATAL || (r == ARCHIVE_FAILED && ++failures > 16) ||
            (r == ARCHIVE_RETRY && ++failures > 16)) {
            const char *why = archive_error_string(a);
            cb_analysis_damage(an, CB_DAMAGE_ARCHIVE,
                               cb_arena_strdup(an->arena, path),
                               CB_WHERE_OFFSET, (uint64_t)raw_pos(a),
                               "archive damaged, rest of it skipped: %s",
                               why ? why : "unreadable header");
            break;
        }
        if (r == ARCHIVE_RETRY)
            continue;
        const char *pn = archive_entry_pathname_utf8(entry);
        if (!pn)
            pn = archive_entry_pathname(entry);
        if (!pn || !*pn)
            pn = "(unnamed)";
        if (archive_format(a) == ARCHIVE_FORMAT_RAW)
            pn = raw_member_name(path, name, sizeof name);
        size_t pn_len = strlen(pn);
        if (pn_len > CB_LIMIT_MEMBER_NAME_BYTES) {
            char shown[80];
            clean_name(pn, shown, sizeof shown);
            cb_analysis_warn(an, cb_arena_strdup(an->arena, path),
                             CB_WHERE_NONE, 0,
                             "member name of %zu bytes (over %u) skipped: "
                             "%s...",
                             pn_len, CB_LIMIT_MEMBER_NAME_BYTES, shown);
            continue;
        }
        clean_name(pn, name, sizeof name);
        if ((size_t)snprintf(child, sizeof child, "%s!%s", path, name) >=
            sizeof child) {
            cb_analysis_warn(an, cb_arena_strdup(an->arena, path),
                             CB_WHERE_NONE, 0,
                             "member path longer than %u bytes skipped",
                             CB_LIMIT_PATH_BYTES);
            continue;
        }
        if (r == ARCHIVE_FAILED) {
            const char *why = archive_error_string(a);
            if ((st = skipped_damaged(an, CB_DAMAGE_MEMBER, child,
                                      "unreadable header: %s",
                                      why ? why : "?")) != CB_OK)
                return st;
            continue;
        }
        if (r == ARCHIVE_WARN) {
            const char *why = archive_error_string(a);
            cb_analysis_warn(an, cb_arena_strdup(an->arena, child),
                             CB_WHERE_NONE, 0, "archive warning: %s",
                             why ? why : "?");
        }
        int want = member_wanted(an, entry, child, pn, &st);
        if (want < 0)
            return st;
        if (want == 0)
            continue;
        st = read_member(an, a, entry, path, child, depth, &stop);
        if (st != CB_OK)
            return st;
    }
    /* listed, not lost: a .gz of zeros reads as a tar holding nothing */
    if (headers == 0)
        return skipped(an, path, "archive holds no member (empty; a file "
                                 "of zeros reads as an empty tar)");
    return CB_OK;
}

/* Read a nested archive that needs seeking into memory. */
static unsigned char *slurp(struct cb_stream *in, uint64_t cap, size_t *len,
                            int *too_big)
{
    size_t size = 0, alloc = 1 << 20;
    unsigned char *buf = cb_malloc(alloc);
    *too_big = 0;
    if (!buf)
        return NULL;
    for (;;) {
        if (size == alloc) {
            if (alloc >= cap) {
                *too_big = 1;
                cb_free(buf);
                return NULL;
            }
            size_t na = alloc * 2;
            unsigned char *nb = cb_realloc(buf, na);
            if (!nb) {
                cb_free(buf);
                return NULL;
            }
            buf = nb;
            alloc = na;
        }
        size_t n = cb_stream_read(in, buf + size, alloc - size);
        if (n == 0)
            break;
        size += n;
    }
    *len = size;
    return buf;
}

static enum cb_status open_archive(struct cb_analysis *an,
                                   struct cb_stream *in, const char *path,
                                   unsigned depth, enum archive_kind kind,
                                   const char *fs_path)
{
    if (depth > an->limits.depth)
        return skipped(an, path, "archive nested deeper than --max-depth %u",
                       an->limits.depth);
    struct archive *a = archive_read_new();
    if (!a)
        return CB_E_NOMEM;
    setup_reader(a);
    struct parent_read *pr = NULL;
    unsigned char *mem = NULL;
    int r;
    if (fs_path) {
        /* top-level file: libarchive may seek (zip central directory) */
        r = archive_read_open_filename(a, fs_path, ARCHIVE_BLOCK);
    } else if (kind == ARCHIVE_NEEDS_SEEK) {
        size_t len = 0;
        int too_big;
        uint64_t cap = an->limits.member_bytes < CB_LIMIT_BUFFERED_ARCHIVE
                           ? an->limits.member_bytes
                           : CB_LIMIT_BUFFERED_ARCHIVE;
        mem = slurp(in, cap, &len, &too_big);
        if (!mem) {
            archive_read_free(a);
            if (!too_big && !in->failed)
                return CB_E_NOMEM;
            if (in->failed)
                return skipped_damaged(an, stream_damage(in), path,
                                       "unreadable: %s", in->err.msg);
            return skipped(an, path,
                           "nested archive needing random access larger "
                           "than %llu bytes",
                           (unsigned long long)cap);
        }
        r = archive_read_open_memory(a, mem, len);
    } else {
        pr = cb_malloc(sizeof *pr);
        if (!pr) {
            archive_read_free(a);
            return CB_E_NOMEM;
        }
        pr->in = in;
        r = archive_read_open2(a, pr, NULL, parent_read_cb, NULL, NULL);
    }
    enum cb_status st = CB_OK;
    if (r != ARCHIVE_OK) {
        const char *why = archive_error_string(a);
        int damage = in->failed ? stream_damage(in) : CB_DAMAGE_ARCHIVE;
        st = skipped_damaged(an, damage, path, "cannot open archive: %s",
                             why ? why : "?");
    } else {
        st = read_archive(an, a, path, depth);
    }
    archive_read_free(a);
    cb_free(pr);
    cb_free(mem);
    return st;
}

static enum cb_status handle_stream(struct cb_analysis *an,
                                    struct cb_stream *in, const char *path,
                                    unsigned depth, const char *fs_path)
{
    size_t avail;
    const unsigned char *head = cb_stream_peek(in, 512, &avail);
    if (avail == 0 && in->failed)
        return skipped_damaged(an, stream_damage(in), path, "unreadable: %s",
                               in->err.msg);
    enum archive_kind kind = archive_magic(head, avail);
    if (kind != NOT_ARCHIVE)
        return open_archive(an, in, path, depth + 1, kind, fs_path);
    return parse_leaf(an, in, path);
}

/* ---- files and directories --------------------------------------------- */

struct fd_read {
    int fd;
    uint64_t off;
    uint64_t advised; /* asked the kernel to read ahead up to here */
    struct cb_analysis *an;
    const char *path;
    uint64_t next_progress;
};

static long fd_read_cb(void *ctx, void *buf, size_t n, struct cb_error *err)
{
    struct fd_read *fr = ctx;
    long got = cb_read(fr->fd, buf, n);
    if (got < 0) {
        int e = errno;
        cb_error_set(err, CB_E_IO, CB_WHERE_OFFSET, fr->off, "read: %s",
                     strerror(e));
        err->sys_errno = e;
        return -1;
    }
    fr->off += (uint64_t)got;
    /* a file not in the page cache (a bundle just unpacked; this VM's
     * cache is small) is read from disk while the bytes before it are
     * parsed: ask for the next READAHEAD bytes whenever half are used */
    if (fr->off + READAHEAD / 2 > fr->advised) {
        cb_readahead(fr->fd, fr->advised, READAHEAD);
        fr->advised += READAHEAD;
    }
    uint64_t total = __atomic_add_fetch(&fr->an->total_bytes, (uint64_t)got,
                                        __ATOMIC_RELAXED);
    if (fr->off > fr->an->limits.member_bytes)
        return -(long)cb_error_set(err, CB_E_LIMIT, CB_WHERE_OFFSET, fr->off,
                                   "file larger than --max-member-size");
    if (total > fr->an->limits.total_bytes) {
        __atomic_store_n(&fr->an->total_exhausted, 1, __ATOMIC_RELAXED);
        return -(long)cb_error_set(err, CB_E_LIMIT, CB_WHERE_OFFSET, fr->off,
                                   "total uncompressed bytes exceed "
                                   "--max-total");
    }
    if (fr->an->progress && fr->off >= fr->next_progress) {
        fr->next_progress = fr->off + (64u << 20);
        progress(fr->an, fr->path);
    }
    return (long)got;
}

static enum cb_status ingest_file(struct cb_analysis *an, const char *fs_path,
                                  const char *label, struct cb_error *err)
{
    /* blocking: a FIFO named on the command line waits for its writer
     * (directory walks and sidecars open regular files only) */
    int fd = cb_open_read(fs_path);
    if (fd < 0) {
        int e = errno;
        cb_error_set_source(err, label);
        cb_error_set(err, CB_E_IO, CB_WHERE_NONE, 0, "cannot open: %s",
                     strerror(e));
        if (err)
            err->sys_errno = e;
        return CB_E_IO;
    }
    struct cb_stat sb;
    int regular = cb_fstat(fd, &sb) == 0 && sb.kind == CB_KIND_FILE;
    if (__atomic_add_fetch(&an->members, 1, __ATOMIC_RELAXED) >
        an->limits.members) {
        cb_close(fd);
        cb_analysis_warn(an, cb_arena_strdup(an->arena, label), CB_WHERE_NONE,
                         0, "file count above --max-members: skipped");
        return CB_OK;
    }
    if (regular && sb.size > an->limits.member_bytes) {
        cb_close(fd);
        return skipped(an, label, "size %lld above --max-member-size (%llu)",
                       (long long)sb.size,
                       (unsigned long long)an->limits.member_bytes);
    }
    struct fd_read fr = {.fd = fd, .an = an, .path = label};
    struct cb_stream s;
    if (cb_stream_init(&s, fd_read_cb, &fr, STREAM_BUF) != CB_OK) {
        cb_close(fd);
        return CB_E_NOMEM;
    }
    progress(an, label);
    size_t avail;
    const unsigned char *head = cb_stream_peek(&s, 512, &avail);
    enum cb_status st;
    int zip = avail >= 4 && memcmp(head, "PK\3\4", 4) == 0;
    if (regular && zip && cb_zipdir_ends_whole(fd, sb.size) == 0) {
        /* cut short: read member by member from the local headers, as a
         * nested zip is (a seeking reader would take the end record of a
         * zip stored inside for the upload's) */
        cb_analysis_damage(an, CB_DAMAGE_ARCHIVE,
                           cb_arena_strdup(an->arena, label), CB_WHERE_OFFSET,
                           sb.size,
                           "zip cut short or damaged: no end-of-central-"
                           "directory record at its end; read member by "
                           "member from the local headers");
        regular = 0;
    }
    if (regular && archive_magic(head, avail) != NOT_ARCHIVE) {
        /* Let libarchive open the file itself so it can seek; the bytes
         * peeked here are not counted twice. */
        __atomic_sub_fetch(&an->total_bytes, fr.off, __ATOMIC_RELAXED);
        st = avail >= 2 && memcmp(head, "PK", 2) == 0
                 ? cb_zipdir_check_fd(an, label, fd, sb.size)
                 : CB_OK;
        cb_stream_fini(&s);
        cb_close(fd);
        fd = -1;
        struct cb_stream dummy = {0};
        if (st == CB_OK)
            st = open_archive(an, &dummy, label, 1, ARCHIVE_STREAMABLE,
                              fs_path);
    } else {
        st = handle_stream(an, &s, label, 0, NULL);
        if (s.failed && s.err.code == CB_E_LIMIT)
            cb_analysis_warn(an, cb_arena_strdup(an->arena, label),
                             CB_WHERE_OFFSET, s.err.where, "file cut: %s",
                             s.err.msg);
        else if (s.failed && !s.failure_told && read_damage(s.err.code))
            cb_analysis_damage(an, CB_DAMAGE_MEMBER,
                               cb_arena_strdup(an->arena, label),
                               CB_WHERE_OFFSET, s.err.where,
                               "file could not be read to its end: %s",
                               s.err.msg);
        cb_stream_fini(&s);
    }
    if (fd >= 0)
        cb_close(fd);
    return st;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum cb_status ingest_dir(struct cb_analysis *an, const char *fs_path,
                                 const char *label, unsigned level)
{
    if (level > CB_LIMIT_DIR_DEPTH)
        return skipped(an, label, "directory nesting deeper than %u",
                       CB_LIMIT_DIR_DEPTH);
    DIR *d = opendir(fs_path);
    if (!d)
        return skipped(an, label, "cannot open directory: %s",
                       strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    enum cb_status st = CB_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = cb_realloc(names, cap * sizeof *names);
            if (!nn) {
                st = CB_E_NOMEM;
                break;
            }
            names = nn;
        }
        names[n] = cb_arena_strdup(an->arena, de->d_name);
        if (!names[n]) {
            st = CB_E_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (names)
        cb_sort(names, n, sizeof *names, cmp_names); /* deterministic order */
    char fs_child[CB_LIMIT_PATH_BYTES], child[CB_LIMIT_PATH_BYTES];
    for (size_t i = 0; i < n && st == CB_OK; i++) {
        if ((size_t)snprintf(fs_child, sizeof fs_child, "%s/%s", fs_path,
                             names[i]) >= sizeof fs_child ||
            (size_t)snprintf(child, sizeof child, "%s/%s", label, names[i]) >=
                sizeof child) {
            cb_analysis_warn(an, cb_arena_strdup(an->arena, label),
                             CB_WHERE_NONE, 0, "path too long, skipped");
            continue;
        }
        struct cb_stat sb;
        if (cb_lstat(fs_child, &sb) != 0) {
            st = skipped(an, child, "cannot stat: %s", strerror(errno));
            continue;
        }
        if (sb.kind == CB_KIND_LINK) {
            st = skipped(an, child, "symbolic link not followed");
        } else if (sb.kind == CB_KIND_DIR) {
            st = ingest_dir(an, fs_child, child, level + 1);
        } else if (sb.kind == CB_KIND_FILE) {
            struct cb_error e = {0};
            st = ingest_file(an, fs_child, child, &e);
            if (st == CB_E_IO) {
                st = skipped(an, child, "%s", e.msg);
            }
        } else {
            st = skipped(an, child, "not a regular file");
        }
    }
    cb_free(names);
    return st;
}

/* The label of a top-level input: its path as given, without "./" and
 * trailing slashes, so that nested paths read naturally. */
static void input_label(const char *path, char *out, size_t size)
{
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    snprintf(out, size, "%s", path);
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
}

/* Mark what follows as brought by the input named label (the outermost
 * call only: sidecars are ingested from inside one). */
static enum cb_status reading_begin(struct cb_analysis *an, const char *label)
{
    if (an->reading_depth++ == 0) {
        an->reading.input = cb_arena_strdup(an->arena, label);
        an->reading.sidecar = 0;
        if (!an->reading.input)
            return CB_E_NOMEM;
    }
    return CB_OK;
}

static void reading_end(struct cb_analysis *an)
{
    if (--an->reading_depth == 0)
        an->reading = (struct cb_input_of){NULL, 0};
}

static enum cb_status ingest_input(struct cb_analysis *an, const char *path,
                                   const char *label, struct cb_error *err)
{
    struct cb_stat sb;
    if (cb_stat(path, &sb) != 0) {
        int e = errno;
        cb_error_set_source(err, label);
        cb_error_set(err, CB_E_IO, CB_WHERE_NONE, 0, "%s", strerror(e));
        if (err)
            err->sys_errno = e;
        return CB_E_IO;
    }
    enum cb_status st;
    if (sb.kind == CB_KIND_DIR)
        st = ingest_dir(an, path, label, 0);
    else
        st = ingest_file(an, path, label, err);
    /* files beside it that belong to it (an .evtx's LocaleMetaData) */
    int outer = an->reading_depth == 1, was = an->reading.sidecar;
    if (outer)
        an->reading.sidecar = 1;
    for (size_t i = 0; i < an->nparsers && st == CB_OK; i++)
        if (sb.kind != CB_KIND_DIR && an->parsers[i]->sidecars)
            st = an->parsers[i]->sidecars(an, path);
    if (outer)
        an->reading.sidecar = was;
    return st;
}

enum cb_status cb_ingest_path(struct cb_analysis *an, const char *path,
                              struct cb_error *err)
{
    char label[CB_LIMIT_PATH_BYTES];
    input_label(path, label, sizeof label);
    enum cb_status st = reading_begin(an, label);
    if (st == CB_OK)
        st = ingest_input(an, path, label, err);
    reading_end(an);
    if (an->progress)
        fprintf(stderr, "\r\033[K");
    return st;
}

enum cb_status cb_ingest_memory(struct cb_analysis *an, const char *name,
                                const void *data, size_t len,
                                struct cb_error *err)
{
    (void)err;
    struct cb_stream s;
    if (cb_stream_init_mem(&s, data, len) != CB_OK)
        return CB_E_NOMEM;
    __atomic_add_fetch(&an->members, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&an->total_bytes, len, __ATOMIC_RELAXED);
    enum cb_status st = reading_begin(an, name);
    /* a zip read as a stream: its directory is in memory too */
    if (st == CB_OK && len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
        st = cb_zipdir_check_mem(an, name, data, len);
    if (st == CB_OK)
        st = handle_stream(an, &s, name, 0, NULL);
    reading_end(an);
    cb_stream_fini(&s);
    return st;
}

enum cb_status cb_ingest_leaf_memory(struct cb_analysis *an, const char *name,
                                     const void *data, size_t len,
                                     const struct cb_parser_ops *ops)
{
    struct cb_stream s;
    if (cb_stream_init_mem(&s, data, len) != CB_OK)
        return CB_E_NOMEM;
    const struct cb_parser_ops *saved = an->forced;
    if (ops)
        an->forced = ops;
    __atomic_add_fetch(&an->members, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&an->total_bytes, len, __ATOMIC_RELAXED);
    enum cb_status st = reading_begin(an, name);
    if (st == CB_OK)
        st = parse_leaf(an, &s, name);
    reading_end(an);
    an->forced = saved;
    cb_stream_fini(&s);
    return st;
}
