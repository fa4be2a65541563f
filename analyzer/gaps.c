/*
 * gaps.c - evidence gaps: what the bundle lacks for the knowledge base to
 * judge (channels its rules read that no source provides) and where a
 * clock had to be assumed. Cleared logs and unexpected shutdowns are
 * findings of the P6 rules; this is the part no single event shows.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "casebrief/limits.h"
#include "rules_internal.h"
#include "sort.h"

/* Channel names, distinct (case-insensitively, so also as bytes). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push(struct cb_gaps *g, size_t *cap, struct cb_gap gap)
{
    if (g->count == *cap) {
        size_t n = *cap ? *cap * 2 : 16;
        struct cb_gap *ni = cb_realloc(g->items, n * sizeof *ni);
        if (!ni)
            return -1;
        g->items = ni;
        *cap = n;
    }
    g->items[g->count++] = gap;
    return 0;
}

/* Plain values: equal ones are interchangeable (also cmp_i64). */
static int cmp_time(const void *a, const void *b)
{
    cb_time x = *(const cb_time *)a, y = *(const cb_time *)b;
    return x < y ? -1 : x > y;
}

#define SILENT_MIN_EVENTS 200
#define SILENT_MIN_TICKS (3600LL * 10000000) /* an hour */
#define SILENT_FACTOR 200                    /* times the median interval */
#define SILENT_SAMPLE 65536
#define TIME_AT(s, k) ((s)->times ? (s)->times[k] : (s)->events[k]->ts)

/*
 * Stretches without events much longer than the source's usual rhythm
 * (over an hour, and over 200 times its median interval): a node down, a
 * service stopped, a log that wrapped. In a cluster.log such gaps usually
 * come from merging trace files, and the detail says so.
 */
static int silent_periods(const struct cb_analysis *an, struct cb_gaps *out,
                          size_t *cap)
{
    cb_time *d = NULL;
    size_t dcap = 0;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        /* every event's time: the kept events', or all of them when some
         * were only counted (times[]) */
        size_t count = s->times ? s->ntimes : s->nevents;
        if (count < SILENT_MIN_EVENTS || s->runs != 1)
            continue; /* too few to judge, or not in time order */
        /* the median interval from an even sample of at most 64 K of
         * them: sorting millions for one median costs more than parsing */
        size_t all = count - 1;
        size_t step = all / SILENT_SAMPLE + 1, n = 0;
        if (!d) {
            d = cb_malloc(SILENT_SAMPLE * sizeof *d);
            if (!d)
                return -1;
            dcap = SILENT_SAMPLE;
        }
        for (size_t k = 0; k < all && n < dcap; k += step)
            d[n++] = TIME_AT(s, k + 1) - TIME_AT(s, k);
        cb_sort(d, n, sizeof *d, cmp_time);
        cb_time median = d[n / 2];
        cb_time limit = median * SILENT_FACTOR;
        if (limit < SILENT_MIN_TICKS)
            limit = SILENT_MIN_TICKS;
        /* the CB_LIMIT_SILENT_PER_SOURCE longest gaps above the limit, in one
         * pass, then reported in time order */
        cb_time top[CB_LIMIT_SILENT_PER_SOURCE] = {0};
        size_t at[CB_LIMIT_SILENT_PER_SOURCE] = {0};
        cb_time prev = TIME_AT(s, 0);
        for (size_t k = 0; k < all; k++) {
            cb_time t = TIME_AT(s, k + 1), gap = t - prev;
            prev = t;
            if (gap <= limit || gap <= top[CB_LIMIT_SILENT_PER_SOURCE - 1])
                continue;
            size_t q = CB_LIMIT_SILENT_PER_SOURCE - 1;
            while (q > 0 && top[q - 1] < gap) {
                top[q] = top[q - 1];
                at[q] = at[q - 1];
                q--;
            }
            top[q] = gap;
            at[q] = k;
        }
        size_t nshow = 0;
        while (nshow < CB_LIMIT_SILENT_PER_SOURCE && top[nshow])
            nshow++;
        /* time order: by position in the (sorted) source */
        for (size_t a = 1; a < nshow; a++)
            for (size_t b = a; b > 0 && at[b - 1] > at[b]; b--) {
                size_t t = at[b];
                at[b] = at[b - 1];
                at[b - 1] = t;
            }
        int clusterlog = strcmp(s->format, "clusterlog") == 0;
        for (size_t q = 0; q < nshow; q++) {
            size_t k = at[q];
            struct cb_gap g = {
                .kind = CB_GAP_SILENT,
                .subject = s->path,
                .host = s->host,
                .from = TIME_AT(s, k),
                .to = TIME_AT(s, k + 1),
                .detail = clusterlog
                              ? "no lines for this long inside the cluster "
                                "log: usually trace files merged by "
                                "Get-ClusterLog, not lost data"
                              : "no events for this long, far beyond this "
                                "log's usual rhythm: was the node or its "
                                "service down, or did the log wrap?"};
            if (push(out, cap, g) != 0) {
                cb_free(d);
                return -1;
            }
        }
    }
    cb_free(d);
    return 0;
}

/* ---- clock skew -----------------------------------------------------------
 * A record every node logs once (a membership change, a role moving) is
 * the same moment on all of them: the differences of its timestamps are
 * the differences of the clocks. Only records that occur once per host,
 * on two or more hosts, within ten minutes, count; cluster.log debug
 * lines (different on every node) do not. */

#define SKEW_SPREAD (600LL * 10000000)  /* same record within 10 min */
#define SKEW_MIN_TICKS (2LL * 10000000) /* below 2 s: not worth saying */
#define SKEW_MIN_SAMPLES 3

struct stamp {
    uint64_t key;
    const char *host;
    cb_time ts;
};

/* Total: stamps equal in key, time and host (interned) are alike. */
static int cmp_stamp(const void *a, const void *b)
{
    const struct stamp *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return strcmp(x->host, y->host);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

struct deltas {
    int64_t *v;
    size_t n, cap;
};

/* An event that can show a clock's skew: an event log's, on a known host,
 * with a message of 24 bytes or more (m, NULL: not known yet). */
static int skew_candidate(const struct cb_event *e, const char *m)
{
    if (e->component || !e->host[0] || strcmp(e->channel, "cluster.log") == 0)
        return 0;
    if (!m)
        return e->message ? e->message[0] != '\0' : e->nfields > 0;
    return strlen(m) >= 24;
}

/* The stamps of every candidate event, sorted by key: *st is NULL when
 * there are fewer than two. -1 on no memory. */
static int skew_stamps(const struct cb_timeline *tl, struct stamp **st,
                       size_t *n)
{
    *st = NULL;
    *n = 0;
    /* count first: a bundle of debug lines has few candidates */
    size_t cand = 0;
    for (size_t i = 0; i < tl->count; i++)
        cand += skew_candidate(tl->events[i], NULL);
    if (cand < 2)
        return 0;
    struct stamp *v = cb_malloc(cand * sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    struct cb_msgbuf mb;
    for (size_t i = 0; i < tl->count; i++) {
        const struct cb_event *e = tl->events[i];
        if (!skew_candidate(e, NULL))
            continue;
        const char *m = cb_event_message(e, &mb);
        if (!skew_candidate(e, m))
            continue;
        /* keyed by content only: a pointer's value would make the key,
         * and so the order hosts are met in, differ from run to run */
        uint64_t h = cb_hash_bytes(m, strlen(m), 0);
        h = cb_hash_bytes(e->channel, strlen(e->channel), h);
        h = h * 31 + (e->flags & CB_EV_HAS_EVENT_ID ? e->event_id : 65536u);
        if (e->provider)
            h = cb_hash_bytes(e->provider, strlen(e->provider), h);
        v[k++] = (struct stamp){h, e->host, e->ts};
    }
    cb_sort(v, k, sizeof *v, cmp_stamp);
    *st = v;
    *n = k;
    return 0;
}

/* The hosts met so far, and for each pair (a, b) with a's name first the
 * differences of their clocks. */
struct skew {
    const char *hosts[CB_LIMIT_SKEW_HOSTS];
    size_t nh;
    struct deltas *d; /* CB_LIMIT_SKEW_HOSTS squared */
};

static size_t skew_host(struct skew *k, const char *host)
{
    size_t i = 0;
    while (i < k->nh && k->hosts[i] != host)
        i++;
    if (i == k->nh && k->nh < CB_LIMIT_SKEW_HOSTS)
        k->hosts[k->nh++] = host;
    return i;
}

/* The stamps [i, j) of one record: when it is once per host, on two or
 * more hosts close in time, each pair's difference. */
static int skew_record(struct skew *k, const struct stamp *st, size_t i,
                       size_t j)
{
    int ok = j - i >= 2 && j - i <= CB_LIMIT_SKEW_HOSTS &&
             st[j - 1].ts - st[i].ts <= SKEW_SPREAD;
    for (size_t a = i; a < j && ok; a++)
        for (size_t b = a + 1; b < j && ok; b++)
            ok = st[a].host != st[b].host;
    for (size_t a = i; a < j && ok; a++) {
        for (size_t b = i; b < j; b++) {
            if (strcmp(st[a].host, st[b].host) >= 0)
                continue;
            size_t ia = skew_host(k, st[a].host);
            size_t ib = skew_host(k, st[b].host);
            if (ia >= k->nh || ib >= k->nh)
                continue;
            struct deltas *x = &k->d[ia * CB_LIMIT_SKEW_HOSTS + ib];
            if (x->n == x->cap) {
                size_t c = x->cap ? x->cap * 2 : 16;
                int64_t *nv = cb_realloc(x->v, c * sizeof *nv);
                if (!nv)
                    return -1;
                x->v = nv;
                x->cap = c;
            }
            /* how far b's clock is ahead of a's */
            x->v[x->n++] = st[b].ts - st[a].ts;
        }
    }
    return 0;
}

/* One gap per pair of hosts whose median difference is worth saying, in
 * host-name order. */
static int skew_report(struct skew *k, struct cb_gaps *out, size_t *cap)
{
    /* d holds each pair once, under the name that sorts first */
    size_t order[CB_LIMIT_SKEW_HOSTS];
    for (size_t a = 0; a < k->nh; a++)
        order[a] = a;
    for (size_t a = 1; a < k->nh; a++) /* insertion sort: few hosts */
        for (size_t b = a;
             b > 0 && strcmp(k->hosts[order[b - 1]], k->hosts[order[b]]) > 0;
             b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (size_t oa = 0; oa < k->nh; oa++) {
        for (size_t ob = oa + 1; ob < k->nh; ob++) {
            size_t a = order[oa], b = order[ob];
            struct deltas *x = &k->d[a * CB_LIMIT_SKEW_HOSTS + b];
            if (x->n < SKEW_MIN_SAMPLES)
                continue;
            cb_sort(x->v, x->n, sizeof *x->v, cmp_i64);
            int64_t med = x->v[x->n / 2];
            if (med < SKEW_MIN_TICKS && med > -SKEW_MIN_TICKS)
                continue;
            const char *ahead = med > 0 ? k->hosts[b] : k->hosts[a];
            const char *behind = med > 0 ? k->hosts[a] : k->hosts[b];
            int64_t ms = (med > 0 ? med : -med) / 10000;
            struct cb_gap g = {
                .kind = CB_GAP_CLOCK_SKEW,
                .subject = cb_arena_printf(out->arena, "%s vs %s", ahead,
                                           behind),
                .detail = cb_arena_printf(
                    out->arena,
                    "%s's clock runs about %lld.%03lld s ahead of %s's "
                    "(median over %zu records both logged); compare "
                    "their events with that in mind",
                    ahead, (long long)(ms / 1000), (long long)(ms % 1000),
                    behind, x->n),
                .collect = "w32tm /query /status on every node, and the "
                           "Microsoft-Windows-Time-Service log",
                .host = ahead,
                .other_host = behind,
                .skew_ms = ms,
                .samples = x->n};
            if (!g.subject || !g.detail || push(out, cap, g) != 0)
                return -1;
        }
    }
    return 0;
}

static int clock_skew(const struct cb_timeline *tl, struct cb_gaps *out,
                      size_t *cap)
{
    struct stamp *st;
    size_t n;
    if (skew_stamps(tl, &st, &n) != 0)
        return -1;
    if (!st)
        return 0;
    struct skew k = {.nh = 0};
    k.d = cb_calloc(CB_LIMIT_SKEW_HOSTS * CB_LIMIT_SKEW_HOSTS, sizeof *k.d);
    if (!k.d) {
        cb_free(st);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1;
        while (j < n && st[j].key == st[i].key)
            j++;
        rc = skew_record(&k, st, i, j);
        i = j;
    }
    if (rc == 0)
        rc = skew_report(&k, out, cap);
    for (size_t i = 0; i < CB_LIMIT_SKEW_HOSTS * CB_LIMIT_SKEW_HOSTS; i++)
        cb_free(k.d[i].v);
    cb_free(k.d);
    cb_free(st);
    return rc;
}

/* A source that holds no event and whose file name names the channel
 * (exports are named after it, '/' written as "%4", '-' or '_'): the
 * channel was collected, it is empty. */
static const struct cb_source *empty_source_of(const struct cb_analysis *an,
                                               const char *channel)
{
    char want[256];
    size_t n = 0;
    for (const char *c = channel; *c && n + 1 < sizeof want; c++) {
        if (*c == '/' || *c == ' ' || *c == '-' || *c == '_')
            continue; /* compared without separators */
        want[n++] = (char)tolower((unsigned char)*c);
    }
    want[n] = '\0';
    for (size_t i = 0; an && n && i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (s->nevents || s->not_kept)
            continue;
        const char *base = strrchr(s->path, '/');
        base = base ? base + 1 : s->path;
        const char *bang = strrchr(base, '!');
        base = bang ? bang + 1 : base;
        char got[512];
        size_t k = 0;
        for (const char *c = base; *c && k + 1 < sizeof got; c++) {
            if (c[0] == '%' && c[1] == '4') {
                c++;
                continue;
            }
            if (*c == '/' || *c == ' ' || *c == '-' || *c == '_')
                continue;
            got[k++] = (char)tolower((unsigned char)*c);
        }
        got[k] = '\0';
        if (strstr(got, want))
            return s;
    }
    return NULL;
}

/* ---- evidence lost after an outage ------------------------------------------
 * What a log no longer holds because it was reset or cleared after the
 * outage the findings show: the in-flight work at the stop, the minutes
 * before it. A cluster log is generated from trace files of a fixed size
 * (Set-ClusterLog -Size); when its debug lines start after the outage,
 * they rolled over or were reset. */

#define LOST_WITHIN ((cb_time)7 * 24 * 3600 * 10000000) /* a week */
#define LOST_MAX 16

/* The latest outage of the findings that began before t (within a week),
 * preferring host's own; NULL when none. */
static const struct cb_outage *outage_before(const struct cb_findings *fs,
                                             const char *host, cb_time t)
{
    const struct cb_outage *best = NULL;
    int best_own = 0;
    for (size_t i = 0; fs && i < fs->count; i++) {
        for (size_t k = 0; k < fs->items[i].noutages; k++) {
            const struct cb_outage *o = &fs->items[i].outages[k];
            if (o->from >= t || t - o->from > LOST_WITHIN)
                continue;
            int own = host && strcmp(o->host, host) == 0;
            if (!best || own > best_own ||
                (own == best_own && o->from > best->from)) {
                best = o;
                best_own = own;
            }
        }
    }
    return best;
}

/* "2024-11-14 19:42 UTC" */
static void minute(cb_time t, char *buf, size_t size)
{
    char iso[40];
    cb_time_format_iso(t, iso, sizeof iso);
    snprintf(buf, size, "%.10s %.5s UTC", iso, iso + 11);
}

/* The first debug line of a cluster log: its channel-section lines
 * ([System] ...) are copies of event logs and start earlier. */
static cb_time debug_start(const struct cb_source *s)
{
    cb_time t = CB_TIME_NONE;
    for (size_t k = 0; k < s->nevents; k++) {
        const struct cb_event *e = s->events[k];
        if (e->channel && strcmp(e->channel, "cluster.log") == 0 &&
            !(e->flags & CB_EV_TIME_IMPLAUSIBLE) &&
            (t == CB_TIME_NONE || e->ts < t))
            t = e->ts;
    }
    if (s->not_kept && (t == CB_TIME_NONE || s->nk_first < t))
        t = s->nk_first; /* only debug lines go uncounted */
    return t;
}

static int reset_cluster_logs(const struct cb_analysis *an,
                              const struct cb_findings *fs,
                              struct cb_gaps *out, size_t *cap)
{
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (!s->format || strcmp(s->format, "clusterlog") != 0)
            continue;
        cb_time start = debug_start(s);
        const struct cb_outage *o =
            start == CB_TIME_NONE ? NULL : outage_before(fs, s->host, start);
        if (!o)
            continue;
        char at[40], down[40];
        minute(start, at, sizeof at);
        minute(o->from, down, sizeof down);
        struct cb_gap g = {
            .kind = CB_GAP_LOST,
            .subject = s->path,
            .host = s->host,
            .from = o->from,
            .to = start,
            .detail = cb_arena_printf(
                out->arena,
                "the cluster log was reset or rolled over: it starts at "
                "%s, after the outage of %s at %s; in-flight I/O at the "
                "outage is not recorded",
                at, o->host, down),
            .collect = "A cluster log generated before the reset, if "
                       "anyone kept one; otherwise the System and "
                       "Microsoft-Windows-FailoverClustering/Operational "
                       "logs of every node for the outage, and a larger "
                       "log from now on (Set-ClusterLog -Size)"};
        if (!g.detail || push(out, cap, g) != 0)
            return -1;
    }
    return 0;
}

static const char *field_of(const struct cb_event *e, const char *name)
{
    for (uint32_t i = 0; i < e->nfields; i++)
        if (e->fields[i].name && strcmp(e->fields[i].name, name) == 0)
            return e->fields[i].value;
    return NULL;
}

/* A log cleared (Eventlog 104: "The %3 log file was cleared.", the
 * Channel field; 1102: the Security log) after an outage. */
static int cleared_after_outage(const struct cb_timeline *tl,
                                const struct cb_findings *fs,
                                struct cb_gaps *out, size_t *cap)
{
    size_t n = 0;
    for (size_t i = 0; i < tl->count && n < LOST_MAX; i++) {
        const struct cb_event *e = tl->events[i];
        if (!(e->flags & CB_EV_HAS_EVENT_ID) ||
            (e->event_id != 104 && e->event_id != 1102) || !e->provider ||
            strcasecmp(e->provider, "Microsoft-Windows-Eventlog") != 0)
            continue;
        const char *ch = e->event_id == 1102 ? "Security" : field_of(e, "Channel");
        if (!ch || !ch[0])
            ch = "an event";
        const struct cb_outage *o = outage_before(fs, e->host, e->ts);
        if (!o)
            continue;
        char at[40], down[40];
        minute(e->ts, at, sizeof at);
        minute(o->from, down, sizeof down);
        struct cb_gap g = {
            .kind = CB_GAP_LOST,
            .subject = ch,
            .host = e->host,
            .from = o->from,
            .to = e->ts,
            .detail = cb_arena_printf(
                out->arena,
                "the %s log of %s was cleared at %s, after the outage of %s "
                "at %s: what it held about the outage and the hours before "
                "is gone; only other logs and other nodes can show them",
                ch, e->host, at, o->host, down),
            .collect = cb_arena_printf(
                out->arena,
                "A backup of the cleared log if one was written (the "
                "clearing event names its path); the %s log of the other "
                "nodes for the outage",
                ch)};
        if (!g.detail || !g.collect || push(out, cap, g) != 0)
            return -1;
        n++;
    }
    return 0;
}

/* ---- which rules a missing channel kept from judging ----------------------
 * A rule is kept from judging by a channel when it found nothing and one
 * step it cannot do without (a correlation step, a <require>d match) has
 * no source: every alternative of that step reads only channels the
 * bundle lacks (a <match> without <channel> reads what the rule <needs>,
 * else anything). A rule with <needs> is listed under those channels. */

struct present {
    const char *const *v;
    size_t n;
};

static int is_present(const struct present *p, const char *c)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcasecmp(p->v[i], c) == 0)
            return 1;
    return 0;
}

/* The channels matcher m reads; 0 when it can take any event. */
static unsigned reads(const struct cb_rule *r, const struct matcher *m,
                      const char *const **out)
{
    if (m->nchannels) {
        *out = m->channels;
        return m->nchannels;
    }
    *out = r->needs;
    return r->nneeds;
}

/* Step s of r has no source; channel c (may be NULL) is one it lacks. */
static int starved(const struct cb_rule *r, unsigned s, const char *c,
                   const struct present *p)
{
    int any = 0, names_c = c == NULL;
    for (unsigned k = 0; k < r->nmatchers; k++) {
        const struct matcher *m = &r->matchers[k];
        if (m->step != s)
            continue;
        any = 1;
        const char *const *ch;
        unsigned n = reads(r, m, &ch);
        if (!n)
            return 0;
        for (unsigned i = 0; i < n; i++) {
            if (is_present(p, ch[i]))
                return 0;
            names_c |= strcasecmp(ch[i], c ? c : "") == 0;
        }
    }
    return any && names_c;
}

static int fired(const struct cb_findings *fs, const struct cb_rule *r)
{
    for (size_t i = 0; fs && i < fs->count; i++)
        if (fs->items[i].rule == r || strcmp(fs->items[i].id, r->id) == 0)
            return 1;
    return 0;
}

/* Whether missing channel c kept r from judging. */
static int blocked(const struct cb_rule *r, const char *c,
                   const struct present *p, const struct cb_findings *fs)
{
    if (fired(fs, r))
        return 0;
    /* a rule that says where its events come from (<needs>) is listed
     * under those channels only, not under every channel a fallback
     * text match also accepts */
    int needed = r->nneeds == 0;
    for (unsigned i = 0; i < r->nneeds && !needed; i++)
        needed = strcasecmp(r->needs[i], c) == 0;
    if (!needed)
        return 0;
    unsigned nsteps = r->type == CORR_ABSENCE ? 1 : r->nsteps;
    for (unsigned i = 0; i < nsteps; i++)
        if (starved(r, r->steps[i], c, p))
            return 1;
    for (unsigned i = 0; i < r->nadjusts; i++) {
        const struct adjust *ad = &r->adjusts[i];
        if (ad->gate && !ad->absent && ad->coverage != 2 &&
            starved(r, ad->step, c, p))
            return 1;
    }
    return 0;
}

enum cb_status cb_gaps_find(const struct cb_rules *rs,
                            const struct cb_analysis *an,
                            const struct cb_timeline *tl,
                            struct cb_gaps *out)
{
    return cb_gaps_find_for(rs, an, tl, NULL, out);
}

enum cb_status cb_gaps_find_for(const struct cb_rules *rs,
                                const struct cb_analysis *an,
                                const struct cb_timeline *tl,
                                const struct cb_findings *fs,
                                struct cb_gaps *out)
{
    memset(out, 0, sizeof *out);
    out->arena = cb_arena_create();
    if (!out->arena)
        return CB_E_NOMEM;
    size_t cap = 0;
    if (tl->count && rs) {
        /* channels present: few distinct interned pointers */
        const char *present[CB_LIMIT_GAP_CHANNELS];
        size_t np = 0;
        const char *last = NULL;
        for (size_t i = 0; i < tl->count && np < CB_LIMIT_GAP_CHANNELS; i++) {
            const char *c = tl->events[i]->channel;
            if (c == last)
                continue;
            last = c;
            size_t k = 0;
            while (k < np && present[k] != c)
                k++;
            if (k == np)
                present[np++] = c;
        }
        /* channels needed, each with the rules needing it */
        const char *needed[CB_LIMIT_GAP_CHANNELS];
        size_t nn = 0;
        for (size_t r = 0; r < rs->count; r++) {
            const struct cb_rule *rule = rs->rules[r];
            for (unsigned c = 0;
                 c < rule->nchannels && nn < CB_LIMIT_GAP_CHANNELS; c++) {
                size_t k = 0;
                while (k < nn && strcasecmp(needed[k], rule->channels[c]))
                    k++;
                if (k == nn)
                    needed[nn++] = rule->channels[c];
            }
        }
        cb_sort(needed, nn, sizeof *needed, cmp_str);
        for (size_t k = 0; k < nn; k++) {
            int have = 0;
            for (size_t i = 0; i < np && !have; i++)
                have = strcasecmp(present[i], needed[k]) == 0;
            if (have)
                continue;
            const char **ids =
                cb_arena_calloc(out->arena, rs->count, sizeof *ids);
            if (!ids)
                goto nomem;
            size_t nids = 0;
            struct present pr = {present, np};
            for (size_t r = 0; r < rs->count; r++) {
                if (blocked(rs->rules[r], needed[k], &pr, fs))
                    ids[nids++] = rs->rules[r]->id;
            }
            /* a file name without '/' and with the usual prefix removed */
            const char *base = needed[k];
            if (strncmp(base, "Microsoft-Windows-", 18) == 0)
                base += 18;
            char *file = cb_arena_strdup(out->arena, base);
            if (!file)
                goto nomem;
            for (char *p = file; *p; p++)
                if (*p == '/' || *p == ' ')
                    *p = '-';
            const struct cb_source *empty = empty_source_of(an, needed[k]);
            struct cb_gap gap = {
                .kind = CB_GAP_MISSING_CHANNEL,
                .subject = needed[k],
                .detail = empty
                    ? cb_arena_printf(out->arena,
                          "present but empty: %s holds no event of it "
                          "(cleared, or a retention too short for the "
                          "incident?), so the rules listed could not "
                          "judge; asking for it again brings the same "
                          "empty log",
                          empty->path)
                    : nids ? "no source in the bundle holds this channel, "
                             "so the rules listed could not judge"
                           : "no source in the bundle holds this channel; "
                             "the rules that read it found something or "
                             "could judge from other sources",
                .collect = cb_arena_printf(
                    out->arena,
                    "On every node: wevtutil epl \"%s\" "
                    "C:\\Temp\\%%COMPUTERNAME%%-%s.evtx",
                    needed[k], file),
                .rules = ids,
                .nrules = nids};
            if (empty && gap.detail)
                gap.collect = cb_arena_printf(
                    out->arena,
                    "On the node: wevtutil gl \"%s\" (size and retention) "
                    "and whether it was cleared (System 104); a backup "
                    ".evtx if one was written",
                    needed[k]);
            if (!gap.detail || !gap.collect || push(out, &cap, gap) != 0)
                goto nomem;
        }
    }
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        int assumed = 0;
        if (s->time_kind == CB_TK_UTC || s->time_kind == CB_TK_LOCAL_STATED)
            continue; /* no event of theirs is an assumption */
        for (size_t k = 0; k < s->nevents && !assumed; k++)
            assumed = (s->events[k]->flags & CB_EV_TIME_ASSUMED) != 0;
        if (!assumed)
            continue;
        struct cb_gap gap = {
            .kind = CB_GAP_TIME_ASSUMED,
            .subject = s->path,
            .detail = s->time_basis,
            .collect = "A copy of the same events from an .evtx of that "
                       "node gives the exact offset"};
        if (push(out, &cap, gap) != 0)
            goto nomem;
    }
    if (silent_periods(an, out, &cap) != 0 ||
        clock_skew(tl, out, &cap) != 0)
        goto nomem;
    if (fs && (reset_cluster_logs(an, fs, out, &cap) != 0 ||
               cleared_after_outage(tl, fs, out, &cap) != 0))
        goto nomem;
    return CB_OK;
nomem:
    cb_gaps_fini(out);
    return CB_E_NOMEM;
}

void cb_gaps_fini(struct cb_gaps *g)
{
    cb_free(g->items);
    g->items = NULL;
    g->count = 0;
    cb_arena_destroy(&g->arena);
}
