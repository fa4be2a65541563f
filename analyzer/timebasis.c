/*
 * timebasis.c - local-time sources converted to UTC with the best offset
 * the bundle or the user gives, and every source's basis written down.
 *
 * The twin search: a local-time record and its UTC twin differ by the
 * host's offset, a whole number of quarter hours, less the fraction the
 * export cut off (CSV keeps seconds, text exports milliseconds). For a
 * sample of the local source's records every quarter-hour offset from
 * -14:00 to +14:00 is tried against the UTC records of the same event id;
 * each record votes once for each offset at which a twin exists. One
 * offset that clearly wins is the source's offset. When a second one an
 * hour away has real support too, the file crosses a DST change: every
 * record then takes the offset at which its own twin is found, or that of
 * the nearest record in time that has one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "sort.h"
#include "timebasis.h"

#define TICKS_PER_S 10000000LL
#define QUARTER (900LL * TICKS_PER_S)
#define MAX_QUARTERS 56       /* +-14:00 */
#define NOFF (2 * MAX_QUARTERS + 1)
#define TWIN_MIN_VOTES 3      /* fewer matches decide nothing... */
#define TWIN_SMALL_FILE 3     /* ...unless the file is that small */

/* A record of a UTC source, sorted by (event id, ts, seq). */
struct ref {
    uint32_t event_id;
    cb_time ts;
    const struct cb_event *ev;
    size_t seq; /* source order, then parse order */
};

/* A total order: records of equal id and time keep source and parse
 * order, which decides the twin a local record is paired with (and so
 * time_basis), whatever order the C library's qsort leaves ties in. */
static int cmp_ref(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    if (x->event_id != y->event_id)
        return x->event_id < y->event_id ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int host_compatible(const char *a, const char *b)
{
    return a == b || !a[0] || !b[0]; /* interned */
}

/* First ref with (id, ts) >= (id, t). */
static size_t lower(const struct ref *r, size_t n, uint32_t id, cb_time t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].event_id < id || (r[mid].event_id == id && r[mid].ts < t))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Is there a UTC twin of local record e if the host's offset were q
 * quarter hours east? The export cut the time down, never up: the twin
 * lies in [local - off, local - off + 1 s]. */
static const struct cb_event *twin_at(const struct ref *r, size_t n,
                                      const struct cb_event *e, int q)
{
    cb_time from = e->ts - (cb_time)q * QUARTER - 10000; /* 1 ms slack */
    cb_time to = e->ts - (cb_time)q * QUARTER + TICKS_PER_S;
    for (size_t i = lower(r, n, e->event_id, from);
         i < n && r[i].event_id == e->event_id && r[i].ts <= to; i++) {
        const struct cb_event *u = r[i].ev;
        if (!host_compatible(u->host, e->host))
            continue;
        if ((u->flags & e->flags & CB_EV_HAS_RECORD_ID) &&
            u->record_id != e->record_id)
            continue;
        return u;
    }
    return NULL;
}

static void fmt_offset(char *buf, size_t size, int32_t east_min)
{
    int32_t a = east_min < 0 ? -east_min : east_min;
    snprintf(buf, size, "%c%02d:%02d", east_min < 0 ? '-' : '+',
             (int)(a / 60), (int)(a % 60));
}

static const char *base_name(const char *path)
{
    const char *b = path;
    for (const char *c = path; *c; c++)
        if (*c == '/' || *c == '\\' || *c == '!')
            b = c + 1;
    return b;
}

/* Shift events of s by delta ticks (UTC = local - east): with
 * only_local, just those in local time (flagged CB_EV_TIME_ASSUMED; a
 * text export may give some records with a zone), and clear the flag. */
static void shift_all(struct cb_source *s, cb_time delta, int only_local)
{
    for (size_t i = 0; i < s->nevents; i++) {
        struct cb_event *e = s->events[i];
        if (only_local && !(e->flags & CB_EV_TIME_ASSUMED))
            continue;
        e->ts += delta;
        e->flags &= ~(uint32_t)CB_EV_TIME_ASSUMED;
    }
    /* the times of all its events, kept or only counted (a filtered
     * source: cluster.log, whose lines share one basis) */
    for (size_t i = 0; i < s->ntimes; i++)
        s->times[i] += delta;
    if (s->not_kept) {
        s->nk_first += delta;
        s->nk_last += delta;
    }
}

static int local_with_id(const struct cb_event *e)
{
    return (e->flags & (CB_EV_HAS_EVENT_ID | CB_EV_TIME_ASSUMED)) ==
           (CB_EV_HAS_EVENT_ID | CB_EV_TIME_ASSUMED);
}

static void recount(struct cb_source *s)
{
    s->first = s->last = CB_TIME_NONE;
    if (s->times) { /* every event's time, kept or only counted */
        s->runs = s->ntimes ? 1 : 0;
        for (size_t i = 0; i < s->ntimes; i++) {
            cb_time t = s->times[i];
            if (i && t < s->times[i - 1])
                s->runs++;
            if (!cb_time_plausible(t))
                continue; /* left out of spans (CB_EV_TIME_IMPLAUSIBLE) */
            if (s->first == CB_TIME_NONE || t < s->first)
                s->first = t;
            if (s->last == CB_TIME_NONE || t > s->last)
                s->last = t;
        }
        return;
    }
    s->runs = s->nevents ? 1 : 0;
    for (size_t i = 0; i < s->nevents; i++) {
        cb_time t = s->events[i]->ts;
        if (i && t < s->events[i - 1]->ts)
            s->runs++;
        if (s->events[i]->flags & CB_EV_TIME_IMPLAUSIBLE)
            continue;
        if (s->first == CB_TIME_NONE || t < s->first)
            s->first = t;
        if (s->last == CB_TIME_NONE || t > s->last)
            s->last = t;
    }
}

static const struct cb_tz_override *tz_for(const struct cb_analysis *an,
                                           const char *host)
{
    const struct cb_tz_override *any = NULL;
    for (unsigned i = 0; i < an->ntz; i++) {
        if (!an->tz[i].host)
            any = &an->tz[i];
        else if (host[0] && strcmp(an->tz[i].host, host) == 0)
            return &an->tz[i];
    }
    return any;
}

/* The cluster.log of host that states its offset, or NULL. */
static const struct cb_source *header_for(const struct cb_analysis *an,
                                          const char *host)
{
    if (!host[0])
        return NULL;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (s->host == host && s->utc_offset_known &&
            strcmp(s->format, "clusterlog") == 0)
            return s;
    }
    return NULL;
}

enum collector { COLLECTOR_UNKNOWN, COLLECTOR_TSS, COLLECTOR_SDP };

static int segment_starts(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *c = path; *c; c++)
        if ((c == path || c[-1] == '/' || c[-1] == '\\' || c[-1] == '!') &&
            strncasecmp(c, prefix, n) == 0)
            return 1;
    return 0;
}

/* The folders (path up to the base name) that hold a file named the SDP
 * way, <COMPUTER>_evt_<log>.*: found once, then looked up by bsearch (a
 * scan of every source for each header-less log was quadratic: 20,000
 * members took 6 s). */
struct dir {
    const char *p;
    size_t len;
};

struct sdp_dirs {
    struct dir *v;
    size_t n;
};

static int dir_cmp(const void *a, const void *b)
{
    const struct dir *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->p, y->p, x->len);
}

static int sdp_dirs_build(const struct cb_analysis *an, struct sdp_dirs *d)
{
    d->v = cb_malloc((an->nsources ? an->nsources : 1) * sizeof *d->v);
    if (!d->v)
        return -1;
    d->n = 0;
    for (size_t i = 0; i < an->nsources; i++) {
        const char *p = an->sources[i]->path, *base = base_name(p);
        if (strstr(base, "_evt_"))
            d->v[d->n++] = (struct dir){p, (size_t)(base - p)};
    }
    cb_sort(d->v, d->n, sizeof *d->v, dir_cmp); /* equal keys: equal */
    return 0;
}

/* Which collector made the bundle a source came in, from the names it
 * gives (FORMATS.md): TSS folders and zips start TSSv2_ or TSS_; SDP names
 * its event exports <COMPUTER>_evt_<log>.* and its zips *SDP*. */
static enum collector collector_of(const struct sdp_dirs *sdp,
                                   const struct cb_source *s)
{
    if (segment_starts(s->path, "TSSv2_") || segment_starts(s->path, "TSS_"))
        return COLLECTOR_TSS;
    if (strcasestr(s->path, "SDP"))
        return COLLECTOR_SDP;
    /* a sibling named the SDP way */
    struct dir key = {s->path, (size_t)(base_name(s->path) - s->path)};
    if (sdp->n && bsearch(&key, sdp->v, sdp->n, sizeof *sdp->v, dir_cmp))
        return COLLECTOR_SDP;
    return COLLECTOR_UNKNOWN;
}

struct twin_result {
    int found;
    int q;          /* winning offset, quarter hours east */
    int q_alt;      /* DST partner, or q when none */
    size_t matched; /* sampled records with a twin at q or q_alt */
    const struct cb_source *twin; /* the UTC source most twins came from */
};

/* Do the records that match only at the partner offset form a few long
 * stretches of the file (DST changes: a year of log has two), rather than
 * coincidences scattered through it? Walking the sampled records in file
 * order, count how often the offset that fits changes. */
static int few_stretches(const struct ref *r, size_t n, struct cb_source *s,
                         size_t step, int q, int q_alt)
{
    size_t k = 0, alt_only = 0, changes = 0;
    int last = 0; /* 1: fits q only, 2: fits q_alt only */
    for (size_t i = 0; i < s->nevents; i++) {
        const struct cb_event *e = s->events[i];
        if (!local_with_id(e) || k++ % step)
            continue;
        int at_q = twin_at(r, n, e, q) != NULL;
        int at_alt = twin_at(r, n, e, q_alt) != NULL;
        int now = at_q == at_alt ? 0 : at_q ? 1 : 2;
        if (!now)
            continue;
        alt_only += now == 2;
        if (last && now != last)
            changes++;
        last = now;
    }
    if (alt_only < 2)
        return 0;
    return changes <= 6 && (changes <= 2 || changes * 4 <= alt_only);
}

static int twin_offset(const struct ref *r, size_t n, struct cb_source *s,
                       struct twin_result *res)
{
    memset(res, 0, sizeof *res);
    size_t with_id = 0;
    for (size_t i = 0; i < s->nevents; i++)
        with_id += local_with_id(s->events[i]);
    if (!with_id || !n)
        return 0;
    size_t step =
        with_id > CB_LIMIT_TWIN_SAMPLE ? with_id / CB_LIMIT_TWIN_SAMPLE : 1;
    size_t votes[NOFF] = {0}, tried = 0, k = 0;
    for (size_t i = 0; i < s->nevents; i++) {
        const struct cb_event *e = s->events[i];
        if (!local_with_id(e))
            continue;
        if (k++ % step)
            continue;
        tried++;
        for (int q = -MAX_QUARTERS; q <= MAX_QUARTERS; q++)
            if (twin_at(r, n, e, q))
                votes[q + MAX_QUARTERS]++;
    }
    int best = 0;
    for (int j = 1; j < NOFF; j++)
        if (votes[j] > votes[best])
            best = j;
    size_t need = tried <= TWIN_SMALL_FILE ? tried : TWIN_MIN_VOTES;
    if (votes[best] < need || votes[best] == 0)
        return 0;
    /* the winner must stand out; its DST partner (an hour away) may be
     * strong too when its records form a few long stretches (DST) */
    size_t second = 0;
    int alt = best;
    for (int j = 0; j < NOFF; j++) {
        if (j == best)
            continue;
        if ((j == best - 4 || j == best + 4) && votes[j] >= 2 &&
            few_stretches(r, n, s, step, best - MAX_QUARTERS,
                          j - MAX_QUARTERS) &&
            (alt == best || votes[j] > votes[alt])) {
            alt = j;
            continue;
        }
        if (votes[j] > second)
            second = votes[j];
    }
    if (second * 2 >= votes[best])
        return 0; /* coincidences as strong as the winner: no decision */
    res->found = 1;
    res->q = best - MAX_QUARTERS;
    res->q_alt = alt - MAX_QUARTERS;
    res->matched = votes[best] + (alt != best ? votes[alt] : 0);
    /* name the UTC source that holds the twins */
    for (size_t i = 0; i < s->nevents && !res->twin; i++) {
        const struct cb_event *e = s->events[i];
        if (local_with_id(e)) {
            const struct cb_event *u = twin_at(r, n, e, res->q);
            if (u)
                res->twin = u->source;
        }
    }
    return 1;
}

/* Every record of s takes the offset (q or q_alt) at which its own twin
 * is, else that of the nearest record in parse order that has one (a file
 * is in time order, so parse order is time order). */
static void apply_twin_per_record(const struct ref *r, size_t n,
                                  struct cb_source *s,
                                  const struct twin_result *tw)
{
    signed char *own = cb_calloc(s->nevents ? s->nevents : 1, 1);
    if (!own) { /* no memory for the refinement: one offset for all */
        shift_all(s, -(cb_time)tw->q * QUARTER, 1);
        return;
    }
    for (size_t i = 0; i < s->nevents; i++) {
        const struct cb_event *e = s->events[i];
        if (!local_with_id(e))
            continue;
        if (twin_at(r, n, e, tw->q))
            own[i] = 1;
        else if (twin_at(r, n, e, tw->q_alt))
            own[i] = 2;
    }
    /* nearest decided neighbour: a forward then a backward sweep */
    size_t *prev = cb_malloc((s->nevents ? s->nevents : 1) * sizeof *prev);
    if (!prev) {
        cb_free(own);
        shift_all(s, -(cb_time)tw->q * QUARTER, 1);
        return;
    }
    size_t last = SIZE_MAX;
    for (size_t i = 0; i < s->nevents; i++) {
        if (own[i])
            last = i;
        prev[i] = last;
    }
    size_t next = SIZE_MAX;
    for (size_t j = s->nevents; j-- > 0;) {
        if (own[j])
            next = j;
        int pick = own[j];
        if (!pick) {
            size_t p = prev[j];
            if (p == SIZE_MAX)
                pick = next == SIZE_MAX ? 1 : own[next];
            else if (next == SIZE_MAX || j - p <= next - j)
                pick = own[p];
            else
                pick = own[next];
        }
        int q = pick == 2 ? tw->q_alt : tw->q;
        struct cb_event *e = s->events[j];
        if (!(e->flags & CB_EV_TIME_ASSUMED))
            continue; /* given with a zone */
        e->ts -= (cb_time)q * QUARTER;
        e->flags &= ~(uint32_t)CB_EV_TIME_ASSUMED;
    }
    cb_free(prev);
    cb_free(own);
}

static enum cb_status resolve_local(struct cb_analysis *an,
                                    struct cb_source *s, const struct ref *r,
                                    size_t n)
{
    char off[16], off2[16];
    const struct cb_tz_override *tz = tz_for(an, s->host);
    if (tz) {
        shift_all(s, -(cb_time)tz->east_min * 60 * TICKS_PER_S, 1);
        s->local_known = 1;
        s->local_east_min = tz->east_min;
        fmt_offset(off, sizeof off, tz->east_min);
        s->time_basis = cb_arena_printf(an->arena, "local(%s, from --tz)",
                                        off);
        return s->time_basis ? CB_OK : CB_E_NOMEM;
    }
    struct twin_result tw;
    if (twin_offset(r, n, s, &tw)) {
        fmt_offset(off, sizeof off, tw.q * 15);
        const char *twin = tw.twin ? base_name(tw.twin->path) : "?";
        if (tw.q_alt != tw.q) {
            apply_twin_per_record(r, n, s, &tw);
            fmt_offset(off2, sizeof off2, tw.q_alt * 15);
            s->time_basis = cb_arena_printf(
                an->arena, "local(%s and %s, from twin %s: %zu records)",
                off, off2, twin, tw.matched);
            s->time_basis_detail = cb_arena_printf(
                an->arena,
                "the offset changes inside the file (a DST change, or an "
                "export that converted with one offset): each record took "
                "the offset of its own twin in %s, or of its nearest "
                "neighbour's",
                twin);
        } else {
            shift_all(s, -(cb_time)tw.q * QUARTER, 1);
            s->local_known = 1;
            s->local_east_min = tw.q * 15;
            s->time_basis = cb_arena_printf(
                an->arena, "local(%s, from twin %s: %zu records)", off, twin,
                tw.matched);
        }
        return s->time_basis ? CB_OK : CB_E_NOMEM;
    }
    const struct cb_source *h = header_for(an, s->host);
    if (h) {
        int32_t east = -h->utc_offset_min;
        shift_all(s, -(cb_time)east * 60 * TICKS_PER_S, 1);
        s->local_known = 1;
        s->local_east_min = east;
        fmt_offset(off, sizeof off, east);
        s->time_basis = cb_arena_printf(an->arena,
                                        "local(%s, from %s header)", off,
                                        base_name(h->path));
        return s->time_basis ? CB_OK : CB_E_NOMEM;
    }
    s->time_basis = cb_arena_printf(
        an->arena,
        "local(+00:00, assumed: nothing in the bundle states %s's UTC "
        "offset; times are shown as written, --tz %s=+HH:MM sets it)",
        s->host[0] ? s->host : "the host", s->host[0] ? s->host : "HOST");
    return s->time_basis ? CB_OK : CB_E_NOMEM;
}

enum cb_status cb_timebasis_resolve(struct cb_analysis *an)
{
    /* the UTC records everything local is matched against */
    size_t nref = 0, nlocal = 0;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (s->time_resolved)
            continue;
        if (s->time_kind == CB_TK_LOCAL)
            nlocal++;
    }
    struct ref *r = NULL;
    if (nlocal) {
        for (size_t i = 0; i < an->nsources; i++)
            if (an->sources[i]->time_kind == CB_TK_UTC)
                nref += an->sources[i]->nevents;
        if (nref) {
            r = cb_malloc(nref * sizeof *r);
            if (!r)
                return CB_E_NOMEM;
            size_t k = 0;
            for (size_t i = 0; i < an->nsources; i++) {
                const struct cb_source *s = an->sources[i];
                if (s->time_kind != CB_TK_UTC)
                    continue;
                for (size_t j = 0; j < s->nevents; j++) {
                    const struct cb_event *e = s->events[j];
                    if (e->flags & CB_EV_HAS_EVENT_ID) {
                        r[k] = (struct ref){e->event_id, e->ts, e, k};
                        k++;
                    }
                }
            }
            nref = k;
            cb_sort(r, nref, sizeof *r, cmp_ref);
        }
    }
    enum cb_status st = CB_OK;
    char off[16];
    struct sdp_dirs sdp = {0};
    for (size_t i = 0; i < an->nsources && st == CB_OK; i++) {
        struct cb_source *s = an->sources[i];
        if (s->time_resolved)
            continue;
        s->time_resolved = 1;
        if (!s->time_basis_detail && s->time_basis && s->time_basis[0])
            s->time_basis_detail = s->time_basis;
        if (s->utc_offset_known) { /* the machine stated its clock */
            s->local_known = 1;
            s->local_east_min = -s->utc_offset_min;
        }
        switch (s->time_kind) {
        case CB_TK_UTC:
            s->time_basis = "utc";
            break;
        case CB_TK_UTC_ASSUMED:
            if (!sdp.v && sdp_dirs_build(an, &sdp) != 0) {
                st = CB_E_NOMEM;
                break;
            }
            switch (collector_of(&sdp, s)) {
            case COLLECTOR_TSS: /* its cluster script asks for local time */
                s->time_kind = CB_TK_LOCAL;
                s->time_basis_detail =
                    "no header; a TSS collection, whose cluster script runs "
                    "Get-ClusterLog -UseLocalTime";
                st = resolve_local(an, s, r, nref);
                break;
            case COLLECTOR_SDP:
                s->time_basis = "utc (assumed: no header; an SDP collection, "
                                "whose Get-ClusterLog writes UTC)";
                break;
            default:
                s->time_basis = "utc (assumed: no header states the time "
                                "basis; Get-ClusterLog writes UTC unless "
                                "-UseLocalTime)";
            }
            break;
        case CB_TK_LOCAL_STATED: {
            int32_t east = -s->utc_offset_min;
            const struct cb_tz_override *tz = tz_for(an, s->host);
            if (tz && tz->east_min != east) {
                /* converted with the header's offset; --tz wins */
                shift_all(s, (cb_time)(east - tz->east_min) * 60 * TICKS_PER_S,
                          0);
                fmt_offset(off, sizeof off, tz->east_min);
                s->time_basis = cb_arena_printf(
                    an->arena, "local(%s, from --tz over the header)", off);
                east = tz->east_min;
            } else {
                fmt_offset(off, sizeof off, east);
                s->time_basis = cb_arena_printf(an->arena,
                                                "local(%s, stated)", off);
            }
            s->local_known = 1;
            s->local_east_min = east;
            if (!s->time_basis)
                st = CB_E_NOMEM;
            break;
        }
        case CB_TK_LOCAL:
            st = resolve_local(an, s, r, nref);
            break;
        default:
            if (s->nevents && (!s->time_basis || !s->time_basis[0]))
                s->time_basis = "unknown";
            break;
        }
        if (s->time_kind == CB_TK_LOCAL || s->time_kind == CB_TK_LOCAL_STATED)
            recount(s);
    }
    cb_free(r);
    cb_free(sdp.v);
    return st;
}

int cb_host_utc_offset(const struct cb_analysis *an, const char *host,
                       int32_t *east_min)
{
    if (!host || !host[0])
        return 0;
    const struct cb_tz_override *tz = tz_for(an, host);
    if (tz) { /* the user's word first */
        *east_min = tz->east_min;
        return 1;
    }
    /* a header beats a twin */
    const struct cb_source *best = NULL;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (!s->local_known || s->host != host)
            continue;
        if (!best || (s->time_kind == CB_TK_LOCAL_STATED &&
                      best->time_kind != CB_TK_LOCAL_STATED))
            best = s;
    }
    if (!best)
        return 0;
    *east_min = best->local_east_min;
    return 1;
}
