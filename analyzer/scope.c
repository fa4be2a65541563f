/*
 * scope.c - the focus of a run (--window, --host) and the host-scope
 * rule (scope.h): which hosts of a bundle are not nodes of the cluster,
 * or lie far from it in time.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "casebrief/analysis.h"
#include "casebrief/rules.h"
#include "casebrief/scope.h"
#include "casebrief/timeline.h"
#include "sort.h"

#define DAY_TICKS (86400LL * CB_TICKS_PER_SEC)

void cb_scope_init(struct cb_scope *s)
{
    memset(s, 0, sizeof *s);
    s->from = s->to = CB_TIME_NONE;
}

int cb_scope_active(const struct cb_scope *s)
{
    return s && (cb_scope_bound(s->from) || cb_scope_bound(s->to) ||
                 s->nhosts != 0);
}

/* ---- parsing ------------------------------------------------------------- */

/* Digits at *p, exactly n of them; -1 when not. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return v;
}

/* "HH:MM[:SS[.f...]]" at *p: seconds of the day and 100 ns ticks. */
static int time_of_day(const char **p, int64_t *secs, int *frac)
{
    int h = digits(p, 2);
    if (h < 0 || **p != ':')
        return -1;
    (*p)++;
    int mi = digits(p, 2), s = 0;
    if (mi < 0)
        return -1;
    *frac = 0;
    if (**p == ':') {
        (*p)++;
        if ((s = digits(p, 2)) < 0)
            return -1;
        if (**p == '.' || **p == ',') {
            int nd = 0;
            for ((*p)++; isdigit((unsigned char)**p); (*p)++, nd++)
                if (nd < 7)
                    *frac = *frac * 10 + (**p - '0');
            if (nd == 0)
                return -1;
            for (; nd < 7; nd++)
                *frac *= 10;
        }
    }
    if (h > 23 || mi > 59 || s > 59)
        return -1;
    *secs = h * 3600 + mi * 60 + s;
    return 0;
}

/* The zone at *p: "", "Z", " UTC", "+HH:MM", "+HHMM", "-HH": minutes
 * east. -1 when it is anything else. */
static int zone(const char *p, int *east)
{
    *east = 0;
    if (*p == ' ')
        p++;
    if (*p == '\0' || strcmp(p, "Z") == 0 || strcmp(p, "UTC") == 0)
        return 0;
    if (*p != '+' && *p != '-')
        return -1;
    int sign = *p++ == '-' ? -1 : 1;
    int h = digits(&p, 2), m = 0;
    if (h < 0 || h > 14)
        return -1;
    if (*p == ':')
        p++;
    if (*p && ((m = digits(&p, 2)) < 0 || m > 59))
        return -1;
    if (*p)
        return -1;
    *east = sign * (h * 60 + m);
    return 0;
}

/* One side of a window (n bytes at s). day: FROM's midnight, for a TO
 * given as a time only (else CB_TIME_NONE). A date without a time is its
 * midnight, or with end_of_day the last tick of that day. */
static int one_time(const char *s, size_t n, cb_time day, int end_of_day,
                    cb_time *t)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *p = buf;
    cb_time base;
    int date_only = 0;
    if (n >= 10 && buf[4] == '-' && buf[7] == '-') {
        int y = digits(&p, 4);
        p++;
        int mo = digits(&p, 2);
        p++;
        int d = digits(&p, 2);
        if (y < 0 || mo < 0 || d < 0)
            return -1;
        base = cb_time_from_civil(y, mo, d, 0, 0, 0, 0);
        if (base == CB_TIME_NONE)
            return -1;
        if (*p == 'T' || *p == 't' ||
            (*p == ' ' && isdigit((unsigned char)p[1])))
            p++;
        else
            date_only = 1;
    } else if (day != CB_TIME_NONE) {
        base = day; /* "..23:00": FROM's day */
    } else {
        return -1;
    }
    int64_t secs = 0;
    int frac = 0, east;
    if (!date_only && time_of_day(&p, &secs, &frac) != 0)
        return -1;
    if (zone(p, &east) != 0)
        return -1;
    *t = base + secs * CB_TICKS_PER_SEC + frac -
         (cb_time)east * 60 * CB_TICKS_PER_SEC;
    if (date_only && end_of_day)
        *t += DAY_TICKS - 1;
    return 0;
}

int cb_scope_parse_window(const char *arg, cb_time *from, cb_time *to,
                          char *why, size_t size)
{
    *from = *to = CB_TIME_NONE;
    const char *sep = strstr(arg, "..");
    size_t seplen = 2;
    if (!sep && (sep = strchr(arg, ',')) != NULL)
        seplen = 1;
    if (!sep) {
        snprintf(why, size,
                 "window '%s' has no '..' between FROM and TO (e.g. "
                 "2026-11-14T19:00Z..2026-11-14T23:00Z, or FROM.. or ..TO)",
                 arg);
        return -1;
    }
    size_t a = (size_t)(sep - arg);
    const char *b = sep + seplen;
    if (a == 0 && *b == '\0') {
        snprintf(why, size, "window '%s' gives neither FROM nor TO", arg);
        return -1;
    }
    if (a && one_time(arg, a, CB_TIME_NONE, 0, from) != 0) {
        snprintf(why, size,
                 "window FROM '%.*s' is not an ISO 8601 UTC time (e.g. "
                 "2026-11-14T19:00Z or '2026-11-14 19:00')",
                 (int)(a > 64 ? 64 : a), arg);
        return -1;
    }
    cb_time day = CB_TIME_NONE;
    if (*from != CB_TIME_NONE) {
        cb_time d = *from - CB_TIME_UNIX_EPOCH;
        d -= ((d % DAY_TICKS) + DAY_TICKS) % DAY_TICKS;
        day = d + CB_TIME_UNIX_EPOCH;
    }
    if (*b && one_time(b, strlen(b), day, 1, to) != 0) {
        snprintf(why, size,
                 "window TO '%.64s' is not an ISO 8601 UTC time (e.g. "
                 "2026-11-14T23:00Z, or 23:00 on FROM's day)",
                 b);
        return -1;
    }
    if (*from != CB_TIME_NONE && *to != CB_TIME_NONE && *to < *from) {
        snprintf(why, size, "window '%s' ends before it starts", arg);
        return -1;
    }
    return 0;
}

int cb_scope_add_hosts(struct cb_scope *s, const char *list, char *why,
                       size_t size)
{
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        if (n == 0) {
            snprintf(why, size, "host list '%.100s' has an empty name", list);
            return -1;
        }
        if (n > CB_SCOPE_HOST_MAX) {
            snprintf(why, size, "host name '%.40s...' is too long", p);
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c < 0x20 || c == 0x7f) {
                snprintf(why, size, "host list '%.100s' holds a control "
                                    "character", list);
                return -1;
            }
        }
        if (s->nhosts == CB_SCOPE_MAX_HOSTS) {
            snprintf(why, size, "at most %d hosts (--host)",
                     CB_SCOPE_MAX_HOSTS);
            return -1;
        }
        memcpy(s->hosts[s->nhosts], p, n);
        s->hosts[s->nhosts++][n] = '\0';
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* ---- matching ------------------------------------------------------------ */

static size_t label_len(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (size_t)(dot - s) : strlen(s);
}

int cb_scope_host_matches(const char *want, const char *host)
{
    if (!want || !host || !want[0] || !host[0])
        return 0;
    if (strcasecmp(want, host) == 0)
        return 1;
    size_t a = label_len(want), b = label_len(host);
    /* one of them is a bare NetBIOS name: compare first labels */
    if (want[a] != '\0' && host[b] != '\0')
        return 0;
    return a == b && strncasecmp(want, host, a) == 0;
}

int cb_scope_keeps(const struct cb_scope *s, const char *host, cb_time ts)
{
    if (!s)
        return 1;
    if (cb_scope_bound(s->from) && ts < s->from)
        return 0;
    if (cb_scope_bound(s->to) && ts > s->to)
        return 0;
    if (!s->nhosts)
        return 1;
    for (size_t i = 0; i < s->nhosts; i++) {
        if (cb_scope_host_matches(s->hosts[i], host))
            return 1;
    }
    return 0;
}

void cb_scope_clamp(const struct cb_scope *s, cb_time *first, cb_time *last)
{
    if (!s)
        return;
    if (cb_scope_bound(s->from) && *first != CB_TIME_NONE && *first < s->from)
        *first = s->from;
    if (cb_scope_bound(s->to) && *last != CB_TIME_NONE && *last > s->to)
        *last = s->to;
}

/* "2026-11-14 19:00" or, when it has seconds, "2026-11-14 19:00:05". */
static void short_time(cb_time t, char *buf, size_t size)
{
    char iso[48];
    cb_time_format_iso(t, iso, sizeof iso);
    int secs = (t - CB_TIME_UNIX_EPOCH) % (60 * CB_TICKS_PER_SEC) != 0;
    snprintf(buf, size, "%.10s %.*s", iso, secs ? 8 : 5, iso + 11);
}

void cb_scope_describe(const struct cb_scope *s, char *buf, size_t size)
{
    size_t k = 0;
    if (size)
        buf[0] = '\0';
    if (!cb_scope_active(s) || size == 0)
        return;
    if (cb_scope_bound(s->from) || cb_scope_bound(s->to)) {
        char a[48] = "", b[48] = "";
        if (cb_scope_bound(s->from))
            short_time(s->from, a, sizeof a);
        if (cb_scope_bound(s->to))
            short_time(s->to, b, sizeof b);
        int w;
        if (!a[0])
            w = snprintf(buf, size, "window until %s UTC", b);
        else if (!b[0])
            w = snprintf(buf, size, "window from %s UTC", a);
        else /* the same day once: "2026-11-14 19:00..23:00" */
            w = snprintf(buf, size, "window %s..%s UTC", a,
                         strncmp(a, b, 10) == 0 ? b + 11 : b);
        k = w > 0 ? (size_t)w : 0;
    }
    for (size_t i = 0; i < s->nhosts && k < size; i++) {
        int w = snprintf(buf + k, size - k, "%s%s%s",
                         i ? ", " : k ? ", host" : "host",
                         i ? "" : s->nhosts > 1 ? "s " : " ", s->hosts[i]);
        k += w > 0 ? (size_t)w : 0;
    }
}

/* ---- the host-scope rule ------------------------------------------------- */

static int cmp_first(const void *a, const void *b)
{
    const struct cb_scope_host *x = *(const struct cb_scope_host *const *)a;
    const struct cb_scope_host *y = *(const struct cb_scope_host *const *)b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* A group of hosts close in time, and what ranks it. */
struct group {
    cb_time first, last;
    size_t members, hosts;
    uint64_t events;
};

static int group_better(const struct group *a, const struct group *b)
{
    if (a->members != b->members)
        return a->members > b->members;
    if (a->hosts != b->hosts)
        return a->hosts > b->hosts;
    /* then the latest: a case is about what happened before collection;
     * old logs that came along are the odd ones out */
    if (a->last != b->last)
        return a->last > b->last;
    return a->events > b->events;
}

size_t cb_scope_judge(struct cb_scope_host *h, size_t n,
                      enum cb_scope_members members, cb_time *ref_first,
                      cb_time *ref_last)
{
    *ref_first = *ref_last = CB_TIME_NONE;
    for (size_t i = 0; i < n; i++)
        h[i].outside = members != CB_MEMBERS_UNKNOWN && !h[i].member
                           ? CB_OUTSIDE_NOT_NODE
                           : 0;
    /* time groups over the hosts with events */
    struct cb_scope_host **by = cb_calloc(n ? n : 1, sizeof *by);
    size_t *gid = cb_calloc(n ? n : 1, sizeof *gid);
    struct group *g = cb_calloc(n ? n : 1, sizeof *g);
    size_t nby = 0, ng = 0;
    if (by && gid && g) {
        for (size_t i = 0; i < n; i++)
            if (h[i].first != CB_TIME_NONE && h[i].last != CB_TIME_NONE)
                by[nby++] = &h[i];
        cb_sort(by, nby, sizeof *by, cmp_first);
        const cb_time far = CB_SCOPE_FAR_DAYS * DAY_TICKS;
        for (size_t i = 0; i < nby; i++) {
            struct cb_scope_host *x = by[i];
            if (!ng || x->first > g[ng - 1].last + far)
                g[ng++] = (struct group){x->first, x->last, 0, 0, 0};
            struct group *c = &g[ng - 1];
            if (x->last > c->last)
                c->last = x->last;
            c->members += x->member && members != CB_MEMBERS_UNKNOWN;
            c->hosts++;
            c->events += x->events;
            gid[i] = ng - 1;
        }
        size_t best = 0;
        for (size_t k = 1; k < ng; k++)
            if (group_better(&g[k], &g[best]))
                best = k;
        if (ng) {
            *ref_first = g[best].first;
            *ref_last = g[best].last;
        }
        for (size_t i = 0; i < nby && ng > 1; i++) {
            /* the Nodes table is the cluster's own word: never overruled */
            int listed = members == CB_MEMBERS_NODES && by[i]->member;
            if (gid[i] != best && !listed)
                by[i]->outside |= CB_OUTSIDE_TIME;
        }
    }
    cb_free(by);
    cb_free(gid);
    cb_free(g);
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        out += h[i].outside != 0;
    return out;
}

/* ---- hosts of a run -------------------------------------------------------- */

/* A cluster has at most 64 nodes; names past this many (hostile
 * NodeName values) are not taken. */
#define MAX_NODES 256

struct hosts_b {
    struct cb_scope_result *r;
    size_t cap, ncap;
    size_t *slots; /* by interned pointer: index + 1, 0 empty */
    size_t nslots; /* a power of two, at least twice nhosts */
    const char *last_node;
};

static size_t slot_of(const struct hosts_b *b, const char *name)
{
    size_t i = (size_t)(((uintptr_t)name >> 3) * 0x9E3779B97F4A7C15ull) &
               (b->nslots - 1);
    while (b->slots[i] && b->r->hosts[b->slots[i] - 1].name != name)
        i = (i + 1) & (b->nslots - 1);
    return i;
}

static int rehash(struct hosts_b *b)
{
    size_t n = b->nslots ? 2 * b->nslots : 64;
    size_t *old = b->slots;
    b->slots = cb_calloc(n, sizeof *b->slots);
    if (!b->slots) {
        b->slots = old;
        return -1;
    }
    b->nslots = n;
    for (size_t i = 0; i < b->r->nhosts; i++)
        b->slots[slot_of(b, b->r->hosts[i].name)] = i + 1;
    cb_free(old);
    return 0;
}

/* The entry of an interned name (one per pointer; names equal but for
 * case are folded once collected). NULL on out of memory. */
static struct cb_scope_host *host_at(struct hosts_b *b, const char *name)
{
    struct cb_scope_result *r = b->r;
    if ((r->nhosts + 1) * 2 > b->nslots && rehash(b) != 0)
        return NULL;
    size_t at = slot_of(b, name);
    if (b->slots[at])
        return &r->hosts[b->slots[at] - 1];
    if (r->nhosts == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        struct cb_scope_host *nh = cb_realloc(r->hosts, cap * sizeof *nh);
        if (!nh)
            return NULL;
        r->hosts = nh;
        b->cap = cap;
    }
    struct cb_scope_host *h = &r->hosts[r->nhosts++];
    *h = (struct cb_scope_host){.name = name,
                                .first = CB_TIME_NONE,
                                .last = CB_TIME_NONE};
    b->slots[at] = r->nhosts;
    return h;
}

static int node_add(struct hosts_b *b, const char *name)
{
    struct cb_scope_result *r = b->r;
    if (!name || !name[0] || name == b->last_node || r->nnodes == MAX_NODES)
        return 0;
    b->last_node = name;
    for (size_t i = 0; i < r->nnodes; i++)
        if (cb_scope_host_matches(r->nodes[i], name))
            return 0;
    if (r->nnodes == b->ncap) {
        size_t cap = b->ncap ? 2 * b->ncap : 16;
        const char **nn = cb_realloc(r->nodes, cap * sizeof *nn);
        if (!nn)
            return -1;
        r->nodes = nn;
        b->ncap = cap;
    }
    r->nodes[r->nnodes++] = name;
    return 0;
}

static void span_add(struct cb_scope_host *h, cb_time first, cb_time last,
                     uint64_t n)
{
    h->events += n;
    if (first == CB_TIME_NONE)
        return;
    if (h->first == CB_TIME_NONE || first < h->first)
        h->first = first;
    if (h->last == CB_TIME_NONE || last > h->last)
        h->last = last;
}

static int is_clustering(const char *provider)
{
    return provider && strstr(provider, "FailoverClustering") != NULL;
}

/* The Nodes tables of cluster.log: the membership when there is one. */
static int nodes_from_tables(struct hosts_b *b, const struct cb_analysis *an)
{
    for (size_t i = 0; an && i < an->nsources; i++) {
        for (const struct cb_table *t = an->sources[i]->tables; t;
             t = t->next) {
            if (strcmp(t->section, "Nodes") != 0 || !t->ncols ||
                strcasecmp(t->cols[0], "Name") != 0)
                continue;
            for (const struct cb_row *row = t->rows; row; row = row->next)
                if (row->nvals && node_add(b, row->vals[0]) != 0)
                    return -1;
        }
    }
    if (b->r->nnodes)
        b->r->members = CB_MEMBERS_NODES;
    return 0;
}

/* Every host with its events; with no Nodes table, the hosts that wrote
 * a cluster.log or a FailoverClustering event, and the NodeName those
 * events give, make the membership. */
static int hosts_from_events(struct hosts_b *b, const struct cb_analysis *an,
                             const struct cb_timeline *tl)
{
    int tables = b->r->members == CB_MEMBERS_NODES;
    for (size_t i = 0; an && i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (!s->host[0])
            continue;
        if (!host_at(b, s->host))
            return -1;
        if (!tables && s->format && strcmp(s->format, "clusterlog") == 0 &&
            (s->nevents || s->not_kept) && node_add(b, s->host) != 0)
            return -1;
        if (s->not_kept && !s->mixed_hosts) { /* only counted: its span */
            cb_time f = s->nk_first, l = s->nk_last;
            cb_scope_clamp(&an->scope, &f, &l);
            if (cb_scope_keeps(&an->scope, s->host, f) ||
                cb_scope_keeps(&an->scope, s->host, l))
                span_add(host_at(b, s->host), f, l, s->not_kept);
        }
    }
    struct cb_scope_host *h = NULL;
    const char *prev = NULL, *prov = NULL;
    int clus = 0;
    for (size_t i = 0; tl && i < tl->count; i++) {
        const struct cb_event *e = tl->events[i];
        if (!e->host[0])
            continue;
        if (e->host != prev && !(h = host_at(b, e->host)))
            return -1;
        prev = e->host;
        int ok = !(e->flags & CB_EV_TIME_IMPLAUSIBLE);
        span_add(h, ok ? e->ts : CB_TIME_NONE, e->ts, 1);
        if (tables)
            continue;
        if (e->provider != prov) {
            prov = e->provider;
            clus = is_clustering(prov);
        }
        if (!clus)
            continue;
        if (node_add(b, e->host) != 0)
            return -1;
        for (uint32_t k = 0; k < e->nfields; k++)
            if (strcasecmp(e->fields[k].name, "NodeName") == 0 &&
                node_add(b, e->fields[k].value) != 0)
                return -1;
    }
    if (!tables && b->r->nnodes)
        b->r->members = CB_MEMBERS_EVENTS;
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    const struct cb_scope_host *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : strcmp(x->name, y->name);
}

enum cb_status cb_scope_hosts(const struct cb_analysis *an,
                              const struct cb_timeline *tl,
                              struct cb_scope_result *out)
{
    memset(out, 0, sizeof *out);
    out->ref_first = out->ref_last = CB_TIME_NONE;
    struct hosts_b b = {out, 0, 0, NULL, 0, NULL};
    int fail = nodes_from_tables(&b, an) != 0 ||
               hosts_from_events(&b, an, tl) != 0;
    cb_free(b.slots);
    if (fail) {
        cb_scope_result_fini(out);
        return CB_E_NOMEM;
    }
    /* one entry per name, whatever its case */
    cb_sort(out->hosts, out->nhosts, sizeof *out->hosts, cmp_name);
    size_t k = 0;
    for (size_t i = 0; i < out->nhosts; i++) {
        struct cb_scope_host *h = &out->hosts[i];
        if (k && strcasecmp(out->hosts[k - 1].name, h->name) == 0) {
            struct cb_scope_host *m = &out->hosts[k - 1];
            span_add(m, h->first, h->last, h->events);
            continue;
        }
        out->hosts[k++] = *h;
    }
    out->nhosts = k;
    for (size_t i = 0; i < out->nhosts; i++) {
        struct cb_scope_host *h = &out->hosts[i];
        for (size_t n = 0; n < out->nnodes && !h->member; n++)
            h->member = cb_scope_host_matches(out->nodes[n], h->name);
    }
    out->noutside = cb_scope_judge(out->hosts, out->nhosts, out->members,
                                   &out->ref_first, &out->ref_last);
    return CB_OK;
}

void cb_scope_result_fini(struct cb_scope_result *r)
{
    cb_free(r->hosts);
    cb_free(r->nodes);
    memset(r, 0, sizeof *r);
}

const struct cb_scope_host *cb_scope_host_find(const struct cb_scope_result *r,
                                               const char *host)
{
    if (!r || !host)
        return NULL;
    size_t lo = 0, hi = r->nhosts; /* sorted, one entry per name */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(r->hosts[mid].name, host);
        if (c == 0)
            return &r->hosts[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int cb_scope_finding_outside(const struct cb_scope_result *r,
                             const struct cb_finding *f)
{
    if (!r || !r->noutside || !f->nhosts)
        return 0;
    for (size_t i = 0; i < f->nhosts; i++) {
        const struct cb_scope_host *h = cb_scope_host_find(r, f->hosts[i]);
        if (!h || !h->outside)
            return 0;
    }
    return 1;
}

/* "14 years", "3 months", "45 days": how far apart two times are. */
static void distance(cb_time a, cb_time b, char *buf, size_t size)
{
    int64_t days = (b > a ? b - a : a - b) / DAY_TICKS;
    if (days >= 730)
        snprintf(buf, size, "%lld years", (long long)(days / 365));
    else if (days >= 60)
        snprintf(buf, size, "%lld months", (long long)(days / 30));
    else
        snprintf(buf, size, "%lld days", (long long)days);
}

void cb_scope_reason(const struct cb_scope_result *r,
                     const struct cb_scope_host *h, char *buf, size_t size)
{
    size_t k = 0;
    if (size)
        buf[0] = '\0';
    if (h->outside & CB_OUTSIDE_NOT_NODE) {
        int w = snprintf(buf, size, "%s",
                         r->members == CB_MEMBERS_NODES
                             ? "not in the cluster's node list (cluster.log "
                               "Nodes)"
                             : "no cluster log and no cluster event of its "
                               "own or naming it");
        k = w > 0 ? (size_t)w : 0;
    }
    if ((h->outside & CB_OUTSIDE_TIME) && k < size &&
        r->ref_first != CB_TIME_NONE) {
        char a[48], b[48], c[48], d[48], far[32];
        cb_time_format_iso(h->first, a, sizeof a);
        cb_time_format_iso(h->last, b, sizeof b);
        cb_time_format_iso(r->ref_first, c, sizeof c);
        cb_time_format_iso(r->ref_last, d, sizeof d);
        int before = h->last < r->ref_first;
        distance(before ? h->last : h->first,
                 before ? r->ref_first : r->ref_last, far, sizeof far);
        snprintf(buf + k, size - k,
                 "%sits events (%.10s .. %.10s) lie %s %s %s (%.10s .. %.10s)",
                 k ? "; " : "", a, b, far, before ? "before" : "after",
                 r->members ? "the cluster's" : "the rest of the case", c, d);
    }
}

void cb_scope_headline(const struct cb_scope_result *r, char *buf,
                       size_t size)
{
    if (size)
        buf[0] = '\0';
    if (!r || !r->noutside || !size)
        return;
    int all_not_node = 1;
    for (size_t i = 0; i < r->nhosts; i++)
        if (r->hosts[i].outside && !(r->hosts[i].outside & CB_OUTSIDE_NOT_NODE))
            all_not_node = 0;
    int w = snprintf(buf, size, "%zu host%s %s: ", r->noutside,
                     r->noutside == 1 ? "" : "s",
                     all_not_node
                         ? (r->noutside == 1 ? "is not a node of this cluster"
                                             : "are not nodes of this cluster")
                         : (r->noutside == 1 ? "lies outside this case"
                                             : "lie outside this case"));
    size_t k = w > 0 ? (size_t)w : 0;
    size_t shown = 0;
    for (size_t i = 0; i < r->nhosts && k < size; i++) {
        if (!r->hosts[i].outside)
            continue;
        if (shown == 10) {
            w = snprintf(buf + k, size - k, " and %zu more",
                         r->noutside - shown);
            k += w > 0 ? (size_t)w : 0;
            break;
        }
        w = snprintf(buf + k, size - k, "%s%s", shown ? ", " : "",
                     r->hosts[i].name);
        k += w > 0 ? (size_t)w : 0;
        shown++;
    }
    if (k < size)
        snprintf(buf + k, size - k, "; their findings are listed apart");
}

/* ---- gaps in scope --------------------------------------------------------- */

static int host_named(const struct cb_scope *s, const char *host)
{
    if (!s->nhosts || !host || !host[0])
        return 1;
    for (size_t i = 0; i < s->nhosts; i++)
        if (cb_scope_host_matches(s->hosts[i], host))
            return 1;
    return 0;
}

void cb_scope_gaps(const struct cb_scope *s, struct cb_gaps *g)
{
    if (!cb_scope_active(s) || !g)
        return;
    size_t k = 0;
    for (size_t i = 0; i < g->count; i++) {
        struct cb_gap *x = &g->items[i];
        int keep = host_named(s, x->host) &&
                   (x->kind != CB_GAP_CLOCK_SKEW ||
                    host_named(s, x->other_host));
        if (keep && x->kind == CB_GAP_SILENT) {
            keep = !(cb_scope_bound(s->from) && x->to < s->from) &&
                   !(cb_scope_bound(s->to) && x->from > s->to);
            cb_scope_clamp(s, &x->from, &x->to);
        }
        if (keep)
            g->items[k++] = *x;
    }
    g->count = k;
}
