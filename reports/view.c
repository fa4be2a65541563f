/*
 * view.c - the report model (view.h): hosts with their counts and clock
 * offsets, the span and counts of the timeline, where each evidence
 * event sits in the timeline, and the window of events the HTML picture
 * and table show. Every renderer reads it instead of walking the
 * analysis itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "casebrief/casebrief.h"
#include "fill.h"
#include "platform.h"
#include "shutdown.h"
#include "timebasis.h"
#include "timefmt.h"
#include "out.h"
#include "view.h"

/* ---- hosts ---------------------------------------------------------------
 * Found in one fixed order (sources, mixed sources' events, evidence) so
 * that the cap keeps the same hosts whichever list a renderer shows. */

static struct cb_view_host *host_get(struct cb_view *v, const char *name,
                                     enum cb_view_seen seen)
{
    for (size_t i = v->nhosts; i-- > 0;) {
        if (v->hosts[i].name == name) /* interned */
            return &v->hosts[i];
    }
    if (v->nhosts == CB_LIMIT_REPORT_HOSTS)
        return NULL;
    struct cb_view_host *h = &v->hosts[v->nhosts];
    *h = (struct cb_view_host){.name = name,
                               .seen = seen,
                               .rank = v->nhosts,
                               .first = CB_TIME_NONE,
                               .last = CB_TIME_NONE};
    v->nhosts++;
    return h;
}

static void host_count(struct cb_view_host *h, uint64_t n, cb_time first,
                       cb_time last)
{
    h->events += n;
    if (h->first == CB_TIME_NONE || first < h->first)
        h->first = first;
    if (h->last == CB_TIME_NONE || last > h->last)
        h->last = last;
}

/* Sources: each names its host; a source whose events all carry that
 * host is counted from its totals. Returns whether any is mixed. */
static int hosts_of_sources(struct cb_view *v)
{
    const struct cb_analysis *an = v->an;
    int any_mixed = 0;
    for (size_t i = 0; an && i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        struct cb_view_host *h =
            s->host[0] ? host_get(v, s->host, CB_VIEW_SEEN_SOURCE) : NULL;
        if (h)
            h->sources++;
        any_mixed |= s->mixed_hosts;
    }
    for (size_t i = 0; an && i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (s->mixed_hosts || !s->host[0] || !cb_view_source_events(s))
            continue;
        struct cb_view_host *h = host_get(v, s->host, CB_VIEW_SEEN_SOURCE);
        if (h)
            host_count(h, cb_view_source_events(s), s->first, s->last);
    }
    return any_mixed;
}

/* Events of sources whose events name several hosts, one by one. */
static void hosts_of_mixed_events(struct cb_view *v)
{
    const char *prev = NULL;
    struct cb_view_host *h = NULL;
    for (size_t i = 0; i < v->tl->count; i++) {
        const struct cb_event *e = v->tl->events[i];
        if (!e->source || !e->source->mixed_hosts || !e->host[0])
            continue;
        if (e->host != prev)
            h = host_get(v, e->host, CB_VIEW_SEEN_EVENTS);
        prev = e->host;
        if (h)
            host_count(h, 1, e->ts, e->ts);
    }
}

static int cmp_host(const void *a, const void *b)
{
    const struct cb_view_host *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->rank > y->rank) - (x->rank < y->rank);
}

static int collect_hosts(struct cb_view *v)
{
    v->hosts = cb_calloc(CB_LIMIT_REPORT_HOSTS, sizeof *v->hosts);
    if (!v->hosts)
        return -1;
    if (hosts_of_sources(v))
        hosts_of_mixed_events(v);
    for (size_t f = 0; f < v->nfind; f++) {
        for (size_t k = 0; k < v->find[f].nevidence; k++) {
            const char *name = v->find[f].evidence[k].ev->host;
            if (name[0])
                host_get(v, name, CB_VIEW_SEEN_EVIDENCE);
        }
    }
    qsort(v->hosts, v->nhosts, sizeof *v->hosts, cmp_host);
    v->names = cb_calloc(v->nhosts + 1, sizeof *v->names);
    if (!v->names)
        return -1;
    for (size_t i = 0; i < v->nhosts; i++) {
        struct cb_view_host *h = &v->hosts[i];
        if (v->an)
            h->offset_known = cb_host_utc_offset(v->an, h->name, &h->east_min);
        if (!v->nnames || strcmp(v->names[v->nnames - 1], h->name) != 0)
            v->names[v->nnames++] = h->name;
    }
    return 0;
}

int cb_view_utc_offset(const struct cb_view *v, const char *host,
                       int32_t *east_min)
{
    if (!host || !host[0])
        return 0;
    size_t lo = 0, hi = v->nhosts;
    while (lo < hi) { /* the first entry of that name */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v->hosts[mid].name, host) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < v->nhosts && strcmp(v->hosts[lo].name, host) == 0; lo++) {
        if (v->hosts[lo].name == host) {
            *east_min = v->hosts[lo].east_min;
            return v->hosts[lo].offset_known;
        }
    }
    /* past the cap: ask the analysis */
    return v->an ? cb_host_utc_offset(v->an, host, east_min) : 0;
}

/* ---- evidence and the window ------------------------------------------ */

size_t cb_view_bound(const struct cb_timeline *tl, cb_time t, int upper)
{
    size_t lo = 0, hi = tl->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        cb_time m = tl->events[mid]->ts;
        if (m < t || (upper && m == t))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The event's position in the timeline, by pointer. */
static size_t event_index(const struct cb_timeline *tl,
                          const struct cb_event *e)
{
    for (size_t i = cb_view_bound(tl, e->ts, 0);
         i < tl->count && tl->events[i]->ts == e->ts; i++) {
        if (tl->events[i] == e)
            return i;
    }
    for (size_t i = 0; i < tl->count; i++) { /* not in time order? */
        if (tl->events[i] == e)
            return i;
    }
    return CB_VIEW_NOT_FOUND;
}

static int locate_evidence(struct cb_view *v)
{
    v->evoff = cb_calloc(v->nfind + 1, sizeof *v->evoff);
    if (!v->evoff)
        return -1;
    size_t total = 0;
    for (size_t f = 0; f < v->nfind; f++) {
        v->evoff[f] = total;
        total += v->find[f].nevidence;
    }
    v->evoff[v->nfind] = total;
    v->evidx = cb_calloc(total ? total : 1, sizeof *v->evidx);
    if (!v->evidx)
        return -1;
    for (size_t f = 0; f < v->nfind; f++) {
        for (size_t k = 0; k < v->find[f].nevidence; k++)
            v->evidx[v->evoff[f] + k] =
                event_index(v->tl, v->find[f].evidence[k].ev);
    }
    return 0;
}

static cb_time sat_add(cb_time a, cb_time b)
{
    cb_time r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN + 1;
    return r == CB_TIME_NONE ? INT64_MIN + 1 : r;
}

/* Earliest and latest evidence time: 1, or 0 when no evidence has one. */
static int evidence_span(const struct cb_view *v, cb_time *emin, cb_time *emax)
{
    int any = 0;
    *emin = INT64_MAX;
    *emax = INT64_MIN;
    /* hosts outside the cluster (a workstation's 2012 logs) would
     * stretch the window over years: theirs count only when alone */
    int skip_apart = v->apart && v->napart < v->nfind;
    for (size_t f = 0; f < v->nfind; f++) {
        if (skip_apart && v->apart[f])
            continue;
        for (size_t k = 0; k < v->find[f].nevidence; k++) {
            cb_time t = v->find[f].evidence[k].ev->ts;
            if (t == CB_TIME_NONE)
                continue;
            any = 1;
            if (t < *emin)
                *emin = t;
            if (t > *emax)
                *emax = t;
        }
    }
    return any;
}

static void choose_window(struct cb_view *v)
{
    cb_time emin, emax;
    if (evidence_span(v, &emin, &emax)) {
        uint64_t pad = ((uint64_t)emax - (uint64_t)emin) / 10;
        uint64_t min_pad =
            (uint64_t)CB_LIMIT_REPORT_WINDOW_PAD_SEC * CB_TICKS_PER_SEC;
        if (pad < min_pad)
            pad = min_pad;
        if (pad > (uint64_t)INT64_MAX / 4)
            pad = (uint64_t)INT64_MAX / 4;
        v->window = 1;
        v->wfrom = sat_add(emin, -(cb_time)pad);
        v->wto = sat_add(emax, (cb_time)pad);
    } else if (v->tl->count) {
        size_t lo, hi; /* zeroed or absurd times would stretch it */
        cb_timeline_plausible(v->tl, &lo, &hi);
        if (lo == hi)
            hi = (lo = 0) + v->tl->count;
        v->window = 1;
        v->wfrom = v->tl->events[lo]->ts;
        v->wto = v->tl->events[hi - 1]->ts;
        if (v->wto < v->wfrom) { /* not in time order: be safe */
            cb_time t = v->wfrom;
            v->wfrom = v->wto;
            v->wto = t;
        }
    }
    if (v->window) {
        v->lo = cb_view_bound(v->tl, v->wfrom, 0);
        v->hi = cb_view_bound(v->tl, v->wto, 1);
        if (v->hi < v->lo)
            v->hi = v->lo;
    }
}

/* ---- the cluster's nodes ------------------------------------------------ */

static void node_add(struct cb_view *v, size_t cap, const char *name)
{
    if (!name || !name[0] || v->nnodes == cap)
        return;
    for (size_t i = 0; i < v->nnodes; i++) {
        if (strcasecmp(v->nodes[i], name) == 0)
            return;
    }
    v->nodes[v->nnodes++] = name;
}

static int collect_nodes(struct cb_view *v)
{
    size_t cap = CB_LIMIT_REPORT_HOSTS;
    v->nodes = cb_calloc(cap, sizeof *v->nodes);
    if (!v->nodes)
        return -1;
    for (size_t i = 0; v->an && i < v->an->nsources; i++) {
        for (const struct cb_table *t = v->an->sources[i]->tables; t;
             t = t->next) {
            if (strcmp(t->section, "Nodes") != 0 || !t->ncols ||
                strcasecmp(t->cols[0], "Name") != 0)
                continue;
            for (const struct cb_row *r = t->rows; r; r = r->next)
                node_add(v, cap, r->nvals ? r->vals[0] : NULL);
        }
    }
    if (!v->nnodes) {
        for (size_t i = 0; i < v->nnames; i++)
            node_add(v, cap, v->names[i]);
    }
    return 0;
}

/* ---- remediation with the case's values ---------------------------------- */

static const char *fill_or_null(struct cb_view *v, const struct cb_finding *f,
                                const struct cb_fill_ctx *ctx, const char *t,
                                enum cb_fill_mode mode, unsigned *unknown)
{
    unsigned u = 0;
    if (!t)
        return NULL;
    const char *r = cb_fill(v->arena, f, ctx, t, mode, &u);
    *unknown += u;
    return r ? r : "";
}

static int fill_steps(struct cb_view *v)
{
    v->arena = cb_arena_create();
    v->stepoff = cb_calloc(v->nfind + 1, sizeof *v->stepoff);
    if (!v->arena || !v->stepoff)
        return -1;
    size_t n = 0;
    for (size_t f = 0; f < v->nfind; f++) {
        v->stepoff[f] = n;
        n += v->find[f].nremediation;
    }
    v->stepoff[v->nfind] = n;
    v->steps = cb_arena_calloc(v->arena, n ? n : 1, sizeof *v->steps);
    if (!v->steps)
        return -1;
    struct cb_fill_ctx ctx = {v->nodes, v->nnodes};
    for (size_t f = 0; f < v->nfind; f++) {
        const struct cb_finding *fi = &v->find[f];
        for (size_t k = 0; k < fi->nremediation; k++) {
            const struct cb_remedy *rm = &fi->remediation[k];
            struct cb_view_step *st = &v->steps[v->stepoff[f] + k];
            st->kind = rm->kind;
            st->text = fill_or_null(v, fi, &ctx, rm->text, CB_FILL_STEP,
                                    &st->unknown);
            st->powershell = fill_or_null(v, fi, &ctx, rm->powershell,
                                          CB_FILL_POWERSHELL, &st->unknown);
            st->warning = fill_or_null(v, fi, &ctx, rm->warning,
                                       CB_FILL_STEP, &st->unknown);
        }
    }
    return 0;
}

/* ---- true times of unclean stops ----------------------------------------- */

static int stop_facts(struct cb_view *v)
{
    v->went_down = cb_calloc(v->nfind + 1, sizeof *v->went_down);
    v->stop_kind = cb_calloc(v->nfind + 1, sizeof *v->stop_kind);
    if (!v->went_down || !v->stop_kind)
        return -1;
    for (size_t f = 0; f < v->nfind; f++) {
        const struct cb_finding *fi = &v->find[f];
        v->went_down[f] = CB_TIME_NONE;
        /* only the finding's own events: a checkpoint failure that a
         * power loss corroborates did not itself go down */
        const char *own = cb_rule_main_step(fi->rule);
        for (size_t k = 0; k < fi->nevidence; k++) {
            const struct cb_event *e = fi->evidence[k].ev;
            if (own && fi->evidence[k].role &&
                strcmp(own, fi->evidence[k].role) != 0)
                continue;
            cb_time local;
            int32_t east;
            if (cb_6008_local_time(e, &local) &&
                cb_view_utc_offset(v, e->host, &east)) {
                cb_time utc = local - (cb_time)east * 60 * 10000000LL;
                if (v->went_down[f] == CB_TIME_NONE || utc < v->went_down[f])
                    v->went_down[f] = utc;
            }
            enum cb_stop_kind sk = cb_kp41_kind(e, NULL);
            /* a crash outranks a power loss seen by another node */
            if (sk != CB_STOP_UNKNOWN &&
                (v->stop_kind[f] == CB_STOP_UNKNOWN || sk == CB_STOP_BUGCHECK))
                v->stop_kind[f] = (int)sk;
        }
    }
    return 0;
}

/* ---- scope: the hosts outside the cluster, the run's focus --------------- */

static int judge_scope(struct cb_view *v)
{
    if (cb_scope_hosts(v->an, v->in->tl, &v->scope) != CB_OK)
        return -1;
    v->apart = cb_calloc(v->nfind + 1, 1);
    if (!v->apart)
        return -1;
    for (size_t f = 0; f < v->nfind; f++) {
        v->apart[f] = (unsigned char)cb_scope_finding_outside(&v->scope,
                                                              &v->find[f]);
        v->napart += v->apart[f];
    }
    return 0;
}

/* ---- outages ----------------------------------------------------------------
 * When a machine was off: from its last sign of life to the first event
 * it logged after it came back. The last sign of life is EventLog 6008's
 * own time when its node's offset is known; else, and for a Kernel-Power
 * 41 alone, the start of the host's longest silence before the boot
 * event. One rule for both (shutdown.c, cb_stop_outage): the analyzer's
 * spans of time="stop" findings, and here the boots other findings cite. */

static int is_unclean_boot(const struct cb_event *e)
{
    if (!(e->flags & CB_EV_HAS_EVENT_ID) || !e->provider)
        return 0;
    return (e->event_id == 6008 && strstr(e->provider, "EventLog")) ||
           (e->event_id == 41 && strstr(e->provider, "Kernel-Power"));
}

/* The outage a boot event at timeline index idx tells (shutdown.h,
 * cb_stop_outage, as the analyzer's time="stop" rules see it): 1 and
 * *o, or 0. */
static int outage_of(const struct cb_view *v, size_t idx,
                     struct cb_view_outage *o)
{
    struct cb_outage a;
    if (idx == CB_VIEW_NOT_FOUND || !cb_stop_outage(v->tl, idx, &a) ||
        a.to <= a.from)
        return 0;
    *o = (struct cb_view_outage){.host = a.host,
                                 .from = a.from,
                                 .to = a.to,
                                 .from_6008 = a.stop != CB_TIME_NONE};
    return 1;
}

/* Keep o unless an outage of the same host overlaps it; a 6008 time
 * replaces a derived one. */
static void outage_add(struct cb_view *v, const struct cb_view_outage *o)
{
    for (size_t i = 0; i < v->noutages; i++) {
        struct cb_view_outage *x = &v->outages[i];
        if (strcmp(x->host, o->host) != 0 || o->from > x->to ||
            o->to < x->from)
            continue;
        if (o->from_6008 && !x->from_6008) {
            size_t f = x->finding;
            *x = *o;
            x->finding = f;
        }
        return;
    }
    if (v->noutages < CB_LIMIT_REPORT_OUTAGES)
        v->outages[v->noutages++] = *o;
}

static int cmp_outage(const void *a, const void *b)
{
    const struct cb_view_outage *x = a, *y = b;
    int c = strcmp(x->host, y->host);
    if (c)
        return c;
    return x->from < y->from ? -1 : x->from > y->from;
}

static int find_outages(struct cb_view *v)
{
    v->outages = cb_calloc(CB_LIMIT_REPORT_OUTAGES, sizeof *v->outages);
    if (!v->outages)
        return -1;
    /* the analyzer's spans first (rules.h, cb_outage): they rest on the
     * whole timeline; the view derives one only for a boot they miss */
    for (size_t f = 0; f < v->nfind; f++) {
        for (size_t k = 0; k < v->find[f].noutages; k++) {
            const struct cb_outage *a = &v->find[f].outages[k];
            if (!a->host || !a->host[0] || a->to <= a->from)
                continue;
            struct cb_view_outage o = {.host = a->host,
                                       .from = a->from,
                                       .to = a->to,
                                       .from_6008 = a->stop != CB_TIME_NONE,
                                       .finding = f};
            outage_add(v, &o);
        }
    }
    for (size_t f = 0; f < v->nfind; f++) {
        const struct cb_finding *fi = &v->find[f];
        const char *own = cb_rule_main_step(fi->rule);
        for (size_t k = 0; k < fi->nevidence; k++) {
            const struct cb_event *e = fi->evidence[k].ev;
            if ((own && fi->evidence[k].role &&
                 strcmp(own, fi->evidence[k].role) != 0) ||
                !is_unclean_boot(e) || !e->host[0])
                continue;
            struct cb_view_outage o;
            if (outage_of(v, v->evidx[v->evoff[f] + k], &o)) {
                o.finding = f;
                outage_add(v, &o);
            }
        }
    }
    qsort(v->outages, v->noutages, sizeof *v->outages, cmp_outage);
    return 0;
}

/* ---- sources a case note cites, and the inventory's order ---------------- */

/* A hand-built source may leave a string NULL. */
static const char *nz(const char *s)
{
    return s ? s : "";
}

static int cmp_src_path(const void *a, const void *b)
{
    const struct cb_source *x = *(const struct cb_source *const *)a;
    const struct cb_source *y = *(const struct cb_source *const *)b;
    int c = strcmp(nz(x->path), nz(y->path));
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int cmp_src_host(const void *a, const void *b)
{
    const struct cb_source *x = *(const struct cb_source *const *)a;
    const struct cb_source *y = *(const struct cb_source *const *)b;
    const char *xh = nz(x->host), *yh = nz(y->host);
    int c = (!xh[0]) - (!yh[0]); /* no host last */
    if (!c)
        c = strcmp(xh, yh);
    if (!c)
        c = strcmp(nz(x->format), nz(y->format));
    return c ? c : cmp_src_path(a, b);
}

static int of_view(const struct cb_view *v, const struct cb_source *s)
{
    return s && v->an && s->index < v->an->nsources &&
           v->an->sources[s->index] == s;
}

static void cite_add(struct cb_view *v, const struct cb_source *s)
{
    if (of_view(v, s) && !v->cite[s->index]) {
        v->cited[v->ncited++] = s;
        v->cite[s->index] = (unsigned)v->ncited;
    }
}

static int collect_sources(struct cb_view *v)
{
    size_t n = v->an ? v->an->nsources : 0;
    v->nsources = n;
    v->cited = cb_calloc(n + 1, sizeof *v->cited);
    v->cite = cb_calloc(n + 1, sizeof *v->cite);
    v->inv = cb_calloc(n + 1, sizeof *v->inv);
    v->by_path = cb_calloc(n + 1, sizeof *v->by_path);
    if (!v->cited || !v->cite || !v->inv || !v->by_path)
        return -1;
    if (!n)
        return 0;
    memcpy(v->inv, v->an->sources, n * sizeof *v->inv);
    memcpy(v->by_path, v->an->sources, n * sizeof *v->by_path);
    qsort(v->inv, n, sizeof *v->inv, cmp_src_host);
    qsort(v->by_path, n, sizeof *v->by_path, cmp_src_path);
    for (size_t f = 0; f < v->nfind; f++) {
        for (size_t k = 0; k < v->find[f].nevidence; k++)
            cite_add(v, v->find[f].evidence[k].ev->source);
    }
    for (size_t i = 0; i < n; i++) {
        if (v->inv[i]->warnings)
            cite_add(v, v->inv[i]);
    }
    for (size_t i = 0; i < v->ndamaged; i++) {
        const char *p = v->damaged[i].source;
        if (p)
            cite_add(v, cb_view_source_by_path(v, p, strlen(p)));
    }
    return 0;
}

/* "1234", "12.3 k", "1.2 M" */
static void short_count(uint64_t n, char *buf, size_t size)
{
    if (n < 10000)
        snprintf(buf, size, "%llu", (unsigned long long)n);
    else if (n < 1000000)
        snprintf(buf, size, "%.1f k", (double)n / 1e3);
    else
        snprintf(buf, size, "%.1f M", (double)n / 1e6);
}

void cb_view_focus_line(const struct cb_view *v, char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    if (!v->an || !cb_scope_active(&v->an->scope) || size == 0)
        return;
    char what[1024], n[32];
    cb_scope_describe(&v->an->scope, what, sizeof what);
    uint64_t out = cb_timeline_left_out(v->tl);
    short_count(out, n, sizeof n);
    snprintf(buf, size, "%s: %s event%s outside left out", what, n,
             out == 1 ? "" : "s");
}

void cb_view_outside_line(const struct cb_view *v, char *buf, size_t size)
{
    cb_scope_headline(&v->scope, buf, size);
}

unsigned cb_view_cite(const struct cb_view *v, const struct cb_source *s)
{
    return of_view(v, s) && v->cite ? v->cite[s->index] : 0;
}

const struct cb_source *cb_view_source_by_path(const struct cb_view *v,
                                               const char *path, size_t n)
{
    size_t lo = 0, hi = v->nsources;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = nz(v->by_path[mid]->path);
        int c = strncmp(p, path, n);
        if (!c && p[n])
            c = 1; /* longer than path: after it */
        if (!c)
            return v->by_path[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- the view ------------------------------------------------------------ */

enum cb_status cb_view_build(struct cb_view *v,
                             const struct cb_report_input *in)
{
    static const struct cb_timeline empty = {0};
    *v = (struct cb_view){.in = in,
                          .an = in->an,
                          .tl = in->tl ? in->tl : &empty,
                          .find = in->findings ? in->findings->items : NULL,
                          .nfind = in->findings ? in->findings->count : 0};
    v->events_read = cb_timeline_events_read(v->tl);
    v->not_kept = cb_timeline_not_kept(v->tl);
    cb_timeline_span(v->tl, &v->first, &v->last);
    if (v->an) {
        v->damaged = v->an->damaged;
        v->ndamaged = v->an->ndamaged;
    }
    v->complete = v->ndamaged == 0;
    v->nothing_read =
        v->events_read == 0 && cb_analysis_read_sources(v->an) == 0;
    if (collect_hosts(v) != 0 || locate_evidence(v) != 0 ||
        collect_nodes(v) != 0 || stop_facts(v) != 0 || judge_scope(v) != 0 ||
        cb_incidents_build_apart(in->findings, v->nodes, v->nnodes,
                                 v->went_down, v->apart,
                                 &v->incidents) != CB_OK ||
        fill_steps(v) != 0 || find_outages(v) != 0 ||
        collect_sources(v) != 0 ||
        cb_overview_build(&v->overview, v->an, v->tl) != CB_OK) {
        cb_view_fini(v);
        return CB_E_NOMEM;
    }
    choose_window(v);
    return CB_OK;
}

void cb_view_damage_headline(const struct cb_view *v, char *buf, size_t size)
{
    /* what was damaged, by the rank of each entry: "2 members", "1
     * archive and 1 member" */
    static const char *const one[] = {"", "archive", "member", "log"};
    static const char *const many[] = {"", "archives", "members", "logs"};
    size_t n[4] = {0};
    for (size_t i = 0; i < v->ndamaged; i++)
        if (v->damaged[i].kind > 0 && v->damaged[i].kind < 4)
            n[v->damaged[i].kind]++;
    char what[160] = "";
    size_t len = 0, parts = 0, left = 0;
    for (int k = 1; k < 4; k++)
        left += n[k] != 0;
    for (int k = 1; k < 4 && len < sizeof what; k++) {
        if (!n[k])
            continue;
        left--;
        int w = snprintf(what + len, sizeof what - len, "%s%zu %s",
                         parts == 0 ? "" : left ? ", " : " and ", n[k],
                         n[k] == 1 ? one[k] : many[k]);
        len += w > 0 ? (size_t)w : 0;
        parts++;
    }
    snprintf(buf, size,
             "The upload is damaged: %s could not be read completely; "
             "findings may be missing",
             what);
}

void cb_view_fini(struct cb_view *v)
{
    cb_free(v->hosts);
    cb_free(v->names);
    cb_free(v->evoff);
    cb_free(v->evidx);
    cb_free(v->nodes);
    cb_free(v->went_down);
    cb_free(v->stop_kind);
    cb_free(v->outages);
    v->outages = NULL;
    v->noutages = 0;
    v->went_down = NULL;
    v->stop_kind = NULL;
    cb_incidents_fini(&v->incidents);
    cb_scope_result_fini(&v->scope);
    cb_free(v->apart);
    v->apart = NULL;
    v->napart = 0;
    cb_overview_fini(&v->overview);
    cb_free(v->stepoff);
    cb_arena_destroy(&v->arena);
    cb_free(v->cited);
    cb_free(v->cite);
    cb_free(v->inv);
    cb_free(v->by_path);
    v->cited = v->inv = v->by_path = NULL;
    v->cite = NULL;
    v->ncited = v->nsources = 0;
    v->stepoff = NULL;
    v->steps = NULL;
    v->nodes = NULL;
    v->nnodes = 0;
    v->hosts = NULL;
    v->names = NULL;
    v->evoff = v->evidx = NULL;
    v->nhosts = v->nnames = 0;
}

enum cb_status cb_view_render(FILE *f, const struct cb_report_input *in,
                              void (*body)(struct out *o,
                                           const struct cb_view *v))
{
    struct out *o = cb_malloc(sizeof *o); /* 64 KiB buffer: not on the stack */
    struct cb_view v;
    if (!o || cb_view_build(&v, in) != CB_OK) {
        cb_free(o);
        return CB_E_NOMEM;
    }
    out_init(o, f);
    body(o, &v);
    int rc = out_finish(o);
    cb_view_fini(&v);
    cb_free(o);
    return rc == 0 ? CB_OK : CB_E_IO;
}

/* ---- small facts and labels ---------------------------------------------- */

uint64_t cb_view_source_events(const struct cb_source *s)
{
    return s->nevents - s->duplicates + s->not_kept;
}

uint64_t cb_view_warnings_suppressed(const struct cb_source *s)
{
    return s->nwarnings > CB_LIMIT_WARNINGS_PER_SOURCE
               ? s->nwarnings - CB_LIMIT_WARNINGS_PER_SOURCE
               : 0;
}

void cb_view_where(const struct cb_event *e, char *buf, size_t size)
{
    if (e->flags & CB_EV_HAS_RECORD_ID)
        snprintf(buf, size, "record %llu", (unsigned long long)e->record_id);
    else
        snprintf(buf, size, "%s %llu",
                 e->source && e->source->origin_is_line ? "line" : "offset",
                 (unsigned long long)e->origin);
}

void cb_view_warning_where(const struct cb_warning *w, char *buf, size_t size)
{
    if (w->where_kind == CB_WHERE_LINE)
        snprintf(buf, size, "line %llu: ", (unsigned long long)w->where);
    else if (w->where_kind == CB_WHERE_OFFSET)
        snprintf(buf, size, "offset %llu: ", (unsigned long long)w->where);
    else if (size)
        buf[0] = '\0';
}

/* ---- case-note helpers ---------------------------------------------------- */

const char *cb_view_source_label(const char *path)
{
    if (!path)
        return "";
    const char *base = path;
    for (const char *p = path; *p; p++) {
        if ((*p == '!' || *p == '/' || *p == '\\') && p[1])
            base = p + 1;
    }
    return base;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

enum { PAREN_MAX = 80 }; /* a parenthesis kept whole is at most this long */

/* The end of a value that must be kept or dropped whole and that may hold
 * blanks, starting at s[i] (a token's start): a short parenthesis, a
 * quoted value ('x y' or
 * "x y", its closing quote not followed by a letter or digit) or a Windows
 * path (C:\... or \\server\..., up to ": ", ", ", "; ", ". ", a quote or
 * the end). i when there is none. */
static size_t protected_end(const char *s, size_t i, size_t n)
{
    char c = s[i];
    if (c == '(') { /* "(Virtual machine ID 8F2E...)": whole or not */
        for (size_t j = i + 1; j < n && j - i < PAREN_MAX; j++) {
            if (s[j] == '(')
                break;
            if (s[j] == ')')
                return j + 1;
        }
        return i;
    }
    if (c == '\'' || c == '"') {
        for (size_t j = i + 1; j < n; j++) {
            if (s[j] == c && (j + 1 == n || !alnum(s[j + 1])))
                return j + 1;
        }
        return i;
    }
    int drive = i + 2 < n && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                && s[i + 1] == ':' && s[i + 2] == '\\';
    int unc = i + 1 < n && c == '\\' && s[i + 1] == '\\';
    if (!drive && !unc)
        return i;
    size_t j = i + 2;
    for (; j < n; j++) {
        if (s[j] == '\'' || s[j] == '"')
            break;
        if (j + 1 < n && strchr(":,;.", s[j]) && blank(s[j + 1]))
            break;
    }
    return j;
}

size_t cb_view_cut_words(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    size_t best = 0;
    for (size_t i = 0; i <= max;) {
        if (i == 0 || blank(s[i - 1]) || s[i - 1] == '(') {
            size_t e = protected_end(s, i, n);
            if (e > max)
                break; /* the limit falls in it: cut before it */
            if (e > i) {
                i = e;
                continue;
            }
        }
        if (blank(s[i]) && i && !blank(s[i - 1]))
            best = i;
        i++;
    }
    /* drop what dangles at the cut: blanks, separators, an open bracket */
    while (best && (blank(s[best - 1]) || strchr(",;:(-", s[best - 1])))
        best--;
    return best ? best : out_utf8_cut(s, max);
}

/* Is the token [t, t + n) a path inside our own tree (a knowledge-base
 * file, a relative path), which a report for the customer must not name?
 * Windows paths (backslashes) and numbers ("1126/1127") are not. */
static int internal_path(const char *t, size_t n)
{
    if (n >= 3 && cb_memmem(t, n, "://", 3))
        return 0;
    if ((n >= 3 && memcmp(t, "../", 3) == 0) ||
        (n >= 2 && (memcmp(t, "./", 2) == 0 || memcmp(t, "~/", 2) == 0)) ||
        /* "/usr/x", not a command switch ("chkdsk /f") */
        (n >= 2 && t[0] == '/' && alnum(t[1]) && memchr(t + 1, '/', n - 1)))
        return 1;
    if (!memchr(t, '/', n))
        return 0;
    /* a segment our tree uses, or a file name with a letter extension */
    static const char *const segs[] = {"shared", "kb", "rules", "tests",
                                       "docs", "samples"};
    size_t a = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && t[i] != '/')
            continue;
        for (size_t k = 0; k < sizeof segs / sizeof *segs; k++) {
            if (i - a == strlen(segs[k]) && memcmp(t + a, segs[k], i - a) == 0)
                return 1;
        }
        a = i + 1;
    }
    const char *dot = NULL;
    for (size_t i = n; i-- > 0 && t[i] != '/';) {
        if (t[i] == '.') {
            dot = t + i;
            break;
        }
    }
    if (!dot || dot + 1 == t + n)
        return 0;
    for (const char *p = dot + 1; p < t + n; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return 0;
    }
    return 1;
}

static int token_sep(char c)
{
    return blank(c) || c == '(' || c == ')' || c == ',' || c == ';';
}

/* Does [s, s + n) hold an internal path token? */
static int has_internal_path(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        while (i < n && token_sep(s[i]))
            i++;
        size_t a = i;
        while (i < n && !token_sep(s[i]))
            i++;
        if (i > a && internal_path(s + a, i - a))
            return 1;
    }
    return 0;
}

/* Append [s, s + n) to buf (length *len, size size), blanks collapsed. */
static void put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *len + 1 < size; i++) {
        if (blank(s[i]) && (*len == 0 || buf[*len - 1] == ' '))
            continue;
        buf[(*len)++] = blank(s[i]) ? ' ' : s[i];
    }
    buf[*len] = '\0';
}

int cb_view_reference(const char *ref, char *title, size_t size,
                      const char **url, size_t *urllen)
{
    *url = NULL;
    *urllen = 0;
    if (!size)
        return 0;
    title[0] = '\0';
    size_t n = strlen(ref), ua = n, ue = n;
    const char *u = strstr(ref, "https://");
    if (!u)
        u = strstr(ref, "http://");
    if (u) {
        ua = (size_t)(u - ref);
        ue = ua;
        while (ue < n && !blank(ref[ue]))
            ue++;
        size_t e = ue;
        while (e > ua && strchr(".,;)", ref[e - 1]))
            e--;
        *url = u;
        *urllen = e - ua;
    }
    /* the text around the address, each parenthesis or token naming an
     * internal path left out */
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        if (i == ua) {
            i = ue;
            continue;
        }
        if (ref[i] == '(') {
            const char *close = memchr(ref + i, ')', (ua > i ? ua : n) - i);
            size_t e = close ? (size_t)(close - ref) + 1 : i + 1;
            if (close && has_internal_path(ref + i, e - i)) {
                i = e;
                continue;
            }
        }
        size_t a = i;
        if (!token_sep(ref[i])) {
            while (i < n && i != ua && !token_sep(ref[i]))
                i++;
            if (!internal_path(ref + a, i - a))
                put(title, size, &len, ref + a, i - a);
            continue;
        }
        put(title, size, &len, ref + i, 1);
        i++;
    }
    /* what dangles: "Title: " before the address, "( )" left empty */
    while (len && (title[len - 1] == ' ' || strchr(":,;-", title[len - 1])))
        title[--len] = '\0';
    char *empty;
    while ((empty = strstr(title, " ()")) != NULL) {
        memmove(empty, empty + 3, strlen(empty + 3) + 1);
        len -= 3;
    }
    return len > 0 || *url;
}
