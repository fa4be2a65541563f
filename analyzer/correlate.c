/*
 * correlate.c - the correlation engine: every event of the timeline meets
 * only the matchers indexed under its event id or cluster.log component
 * (plus the few text-only matchers); hits are then combined per rule into
 * findings: single occurrences, ordered sequences, co-occurrences, counts
 * over a sliding window, and absences, grouped by host, cluster or a
 * captured entity, one finding per group and episode.
 *
 * Hits are kept in timeline order, which is time order, so results do not
 * depend on the order of the input files.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "platform.h"
#include "casebrief/limits.h"
#include "casebrief/analysis.h"
#include "fill.h"
#include "rules_internal.h"
#include "shutdown.h"
#include "sort.h"

#define ID_RANGE_INDEXED 1024 /* wider id ranges go to the generic list */

struct hit {
    size_t ev;      /* index in the timeline */
    cb_time t;
    const char *key;
    struct cb_entity *ents;
    unsigned nents;
};

struct hits {
    struct hit *v;
    size_t n, cap;
};

/* Matchers with identical conditions, evaluated once per event for all
 * the rules that use them. */
struct member {
    const struct matcher *m;
    size_t rule; /* index in the rule set */
};

struct cgroup {
    const struct matcher *rep;
    struct member *members;
    size_t n, cap;
};

struct mlist {
    struct cgroup **m;
    size_t n, cap;
};

/* The matchers an event with this channel (or component) must meet,
 * built once per distinct interned string: events carry interned
 * pointers, so a lookup is a pointer comparison. */
struct bucket {
    const char *key;
    struct mlist list;
};

/* Found by a hash of the key's address: a cluster.log with 400k distinct
 * components made a linear search quadratic (issue 19 #3). */
struct buckets {
    struct bucket *v;
    size_t n, cap;
    size_t *slot; /* index + 1 into v, 0 = empty; nslots a power of 2 */
    size_t nslots;
};

/* in_list for an event's interned string, remembered: events repeat a
 * handful of channel, provider and component pointers millions of times. */
#define LIST_CACHE 4096

struct list_memo {
    const void *list;
    const char *s;
    int yes;
};

/* The outage an unclean-stop event reports, computed once per event for
 * every rule with time="stop". */
struct stop_memo {
    size_t ev;
    int known;
    struct cb_outage o;
};

struct engine {
    const struct cb_rules *rs;
    const struct cb_timeline *tl;
    struct cb_findings *out;
    struct cb_arena *arena;
    struct mlist *by_id;        /* 65536 lists, allocated on first use */
    struct mlist generic;       /* text-only matchers */
    struct mlist by_component;  /* component matchers without ids */
    struct buckets chan_buckets, comp_buckets;
    struct cgroup *groups;
    size_t ngroups;
    size_t event_no;            /* for the literal memo */
    size_t *lit_stamp;          /* event_no + 1 when lit_val is valid */
    unsigned char *lit_val;
    struct list_memo *memo;     /* LIST_CACHE entries */
    char *low;                  /* lower-cased message of one event */
    size_t low_len, low_cap, low_event;
    struct hits **hits;         /* [rule][step] */
    pcre2_match_data *md;
    int nomem;
    struct span *spans;         /* per host, for absences; lazily */
    size_t nspans;
    int spans_done;
    int no_captures;            /* the keeper: whether, not what */
    const struct cb_event *msg_ev; /* whose message msg holds, as event */
    size_t msg_no;                 /* event_no (slots are reused) */
    const char *msg;
    struct cb_msgbuf msgbuf;    /* msg, when rendered (CB_EV_MESSAGE_LAZY) */
    struct stop_memo *stops;    /* time="stop": by event, in scan order */
    size_t nstops, capstops;
};

/* The outage event ev reports (memo->known 0: none known). */
static const struct stop_memo *stop_of(struct engine *g, size_t ev)
{
    /* hits arrive in timeline order: the memo is sorted by ev */
    size_t lo = 0, hi = g->nstops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->stops[mid].ev < ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < g->nstops && g->stops[lo].ev == ev)
        return &g->stops[lo];
    if (g->nstops == g->capstops) {
        size_t cap = g->capstops ? g->capstops * 2 : 16;
        struct stop_memo *nv = cb_realloc(g->stops, cap * sizeof *nv);
        if (!nv) {
            g->nomem = 1;
            return NULL;
        }
        g->stops = nv;
        g->capstops = cap;
    }
    memmove(g->stops + lo + 1, g->stops + lo,
            (g->nstops - lo) * sizeof *g->stops);
    struct stop_memo *m = &g->stops[lo];
    g->nstops++;
    m->ev = ev;
    m->known = cb_stop_outage(g->tl, ev, &m->o);
    return m;
}

/* The message of e, rendered once per event when it is not stored. */
static const char *ev_message(struct engine *g, const struct cb_event *e)
{
    if (e->message)
        return e->message;
    if (g->msg_ev != e || g->msg_no != g->event_no) {
        g->msg = cb_event_message(e, &g->msgbuf);
        g->msg_ev = e;
        g->msg_no = g->event_no;
    }
    return g->msg;
}

/* The time a host's data covers. An absence on a host is judged only
 * where that host's logs reach, not where the whole bundle's do. */
struct span {
    const char *host;
    cb_time first, last;
};

/* The first and last time of the data: the timeline's, widened by the
 * events that were read but not kept (host NULL: every host). */
static void counted_span(const struct cb_timeline *tl, const char *host,
                         cb_time *first, cb_time *last)
{
    for (size_t i = 0; tl->an && i < tl->an->nsources; i++) {
        const struct cb_source *s = tl->an->sources[i];
        if (!s->not_kept || !s->nevents ||
            (host && s->events[0]->host != host) ||
            s->scope_out_nk == s->not_kept)
            continue;
        cb_time f = s->nk_first, l = s->nk_last;
        cb_scope_clamp(&tl->an->scope, &f, &l); /* --window */
        if (f < *first) /* what is not in the timeline */
            *first = f;
        if (l > *last)
            *last = l;
    }
}

static void host_span(struct engine *g, const char *host, cb_time *first,
                      cb_time *last)
{
    const struct cb_timeline *tl = g->tl;
    size_t lo, hi; /* leaving out zeroed or absurd times */
    cb_timeline_plausible(tl, &lo, &hi);
    if (lo == hi)
        hi = (lo = 0) + tl->count;
    *first = tl->events[lo]->ts;
    *last = tl->events[hi - 1]->ts;
    counted_span(tl, NULL, first, last);
    if (!g->spans_done) {
        g->spans_done = 1;
        g->spans =
            cb_arena_alloc(g->arena, CB_LIMIT_ABSENCE_HOSTS * sizeof *g->spans);
        for (size_t i = lo; g->spans && i < hi; i++) {
            const struct cb_event *e = tl->events[i];
            size_t k = 0;
            while (k < g->nspans && g->spans[k].host != e->host)
                k++;
            if (k == g->nspans) {
                /* too many hosts: whole bundle */
                if (k == CB_LIMIT_ABSENCE_HOSTS) {
                    g->nspans = 0;
                    g->spans = NULL;
                    break;
                }
                g->spans[g->nspans++] = (struct span){e->host, e->ts, e->ts};
            }
            g->spans[k].last = e->ts; /* in time order */
        }
    }
    for (size_t k = 0; k < g->nspans; k++)
        if (g->spans[k].host == host) {
            *first = g->spans[k].first;
            *last = g->spans[k].last;
            counted_span(tl, host, first, last);
            return;
        }
}

static int push_matcher(struct mlist *l, struct cgroup *m)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        struct cgroup **nm = cb_realloc(l->m, cap * sizeof *nm);
        if (!nm)
            return -1;
        l->m = nm;
        l->cap = cap;
    }
    l->m[l->n++] = m;
    return 0;
}

static int add_member(struct cgroup *cg, const struct matcher *m, size_t r)
{
    if (cg->n == cg->cap) {
        size_t cap = cg->cap ? cg->cap * 2 : 2;
        struct member *nm = cb_realloc(cg->members, cap * sizeof *nm);
        if (!nm)
            return -1;
        cg->members = nm;
        cg->cap = cap;
    }
    cg->members[cg->n++] = (struct member){m, r};
    return 0;
}

/* Matchers by their conditions; equal ones in rule order, then in their
 * order within the rule: the order a group's members are evaluated in. */
static int cmp_sig(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = strcmp(x->m->sig, y->m->sig);
    if (c)
        return c;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    /* same rule: both point into its matchers array */
    return x->m < y->m ? -1 : x->m > y->m;
}

static int build_index(struct engine *g)
{
    g->by_id = cb_calloc(65536, sizeof *g->by_id);
    if (!g->by_id)
        return -1;
    /* group matchers by their conditions */
    size_t total = 0;
    for (size_t r = 0; r < g->rs->count; r++)
        total += g->rs->rules[r]->nmatchers;
    struct member *all = cb_malloc((total + 1) * sizeof *all);
    g->groups = cb_calloc(total + 1, sizeof *g->groups);
    if (!all || !g->groups) {
        cb_free(all);
        return -1;
    }
    size_t k = 0;
    for (size_t r = 0; r < g->rs->count; r++)
        for (unsigned i = 0; i < g->rs->rules[r]->nmatchers; i++)
            all[k++] = (struct member){&g->rs->rules[r]->matchers[i], r};
    cb_sort(all, total, sizeof *all, cmp_sig);
    int rc = 0;
    for (size_t i = 0; i < total && rc == 0; i++) {
        if (g->ngroups == 0 ||
            strcmp(g->groups[g->ngroups - 1].rep->sig, all[i].m->sig) != 0)
            g->groups[g->ngroups++].rep = all[i].m;
        rc = add_member(&g->groups[g->ngroups - 1], all[i].m, all[i].rule);
    }
    cb_free(all);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < g->ngroups; i++) {
        struct cgroup *cg = &g->groups[i];
        const struct matcher *m = cg->rep;
        uint32_t span = 0;
        for (unsigned j = 0; j < m->nids; j++)
            span += m->ids[j][1] - m->ids[j][0] + 1;
        if (m->nids && span <= ID_RANGE_INDEXED) {
            for (unsigned j = 0; j < m->nids; j++)
                for (uint32_t id = m->ids[j][0]; id <= m->ids[j][1]; id++)
                    if (push_matcher(&g->by_id[id], cg) != 0)
                        return -1;
        } else if (m->ncomponents && !m->nids) {
            if (push_matcher(&g->by_component, cg) != 0)
                return -1;
        } else if (push_matcher(&g->generic, cg) != 0) {
            return -1;
        }
    }
    return 0;
}

static int in_list(const char *s, const char **list, unsigned n)
{
    if (!s)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        if (strcasecmp(s, list[i]) == 0)
            return 1;
    }
    return 0;
}

static int in_list_memo(struct list_memo *memo, const char *s,
                        const char **list, unsigned n)
{
    if (!s)
        return 0;
    uintptr_t h = ((uintptr_t)list >> 3) * 31u ^ ((uintptr_t)s >> 3);
    struct list_memo *c = &memo[(h ^ (h >> 12)) & (LIST_CACHE - 1)];
    if (c->list == (const void *)list && c->s == s)
        return c->yes;
    c->list = list;
    c->s = s;
    c->yes = in_list(s, list, n);
    return c->yes;
}

/* Keep the named captures of the last match as entities. */
static int take_captures(struct engine *g, pcre2_code *re, const char *subj,
                         struct cb_entity *ents, unsigned *nents)
{
    uint32_t count, size;
    PCRE2_SPTR table;
    if (g->no_captures)
        return 0;
    pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
    if (!count)
        return 0;
    pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(g->md);
    uint32_t pairs = pcre2_get_ovector_count(g->md);
    for (uint32_t i = 0; i < count && *nents < CB_LIMIT_FINDING_ENTITIES; i++) {
        PCRE2_SPTR e = table + i * size;
        uint32_t num = (uint32_t)(e[0] << 8 | e[1]);
        if (num >= pairs || ov[2 * num] == PCRE2_UNSET)
            continue;
        size_t len = ov[2 * num + 1] - ov[2 * num];
        if (len == 0)
            continue;
        if (len > CB_LIMIT_CAPTURE_BYTES)
            len = CB_LIMIT_CAPTURE_BYTES;
        const char *name = (const char *)e + 2;
        const char *at = subj + ov[2 * num];
        /* a VM is named by its cluster resource ("Virtual Machine SQL-B")
         * in cluster texts and by itself in Hyper-V's: one name */
        static const char vm_res[] = "Virtual Machine ";
        if (strcmp(name, "vm") == 0 && len > sizeof vm_res - 1 &&
            strncasecmp(at, vm_res, sizeof vm_res - 1) == 0) {
            at += sizeof vm_res - 1;
            len -= sizeof vm_res - 1;
        }
        const char *val = cb_arena_strndup(g->arena, at, len);
        if (!val)
            return -1;
        ents[(*nents)++] = (struct cb_entity){name, val};
    }
    return 0;
}

static int re_match(struct engine *g, pcre2_code *re, const char *s,
                    struct cb_entity *ents, unsigned *nents)
{
    if (!s)
        return 0;
    int rc = pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0,
                         g->md, g->rs->mctx);
    if (rc < 0)
        return 0; /* no match, or a limit hit on hostile text */
    if (take_captures(g, re, s, ents, nents) != 0)
        g->nomem = 1;
    return 1;
}

/* The message or any field value. */
static int re_anywhere(struct engine *g, pcre2_code *re,
                       const struct cb_event *e, struct cb_entity *ents,
                       unsigned *nents)
{
    if (re_match(g, re, ev_message(g, e), ents, nents))
        return 1;
    for (uint32_t i = 0; i < e->nfields; i++) {
        if (re_match(g, re, e->fields[i].value, ents, nents))
            return 1;
    }
    return 0;
}

/* Search for a short needle in a short haystack: memmem pays a set-up
 * per call that dominates on log-message sizes. */
static int find_bytes(const char *hay, size_t hlen, const char *needle,
                      size_t len)
{
    const unsigned char *p = (const unsigned char *)hay;
    const unsigned char *end = p + hlen;
    const unsigned char *n = (const unsigned char *)needle;
    while (end - p >= (ptrdiff_t)len &&
           (p = memchr(p, n[0], (size_t)(end - p) - len + 1)) != NULL) {
        if (memcmp(p + 1, n + 1, len - 1) == 0)
            return 1;
        p++;
    }
    return 0;
}

/* The event's message in lower case, made once per event when a
 * case-blind literal is first needed. */
static const char *lowered(struct engine *g, const char *msg, size_t *len)
{
    if (g->low_event != g->event_no + 1) {
        size_t n = strlen(msg);
        if (n + 1 > g->low_cap) {
            size_t cap = n + 1 < 4096 ? 4096 : n + 1;
            char *b = cb_realloc(g->low, cap);
            if (!b) {
                g->nomem = 1;
                *len = 0;
                return "";
            }
            g->low = b;
            g->low_cap = cap;
        }
        for (size_t i = 0; i < n; i++)
            g->low[i] = (char)tolower((unsigned char)msg[i]);
        g->low[n] = '\0';
        g->low_len = n;
        g->low_event = g->event_no + 1;
    }
    *len = g->low_len;
    return g->low;
}

static int find_literal(struct engine *g, const char *msg,
                        const struct literal *l)
{
    if (!l->ci)
        return find_bytes(msg, strlen(msg), l->s, l->len);
    size_t n;
    const char *low = lowered(g, msg, &n);
    return find_bytes(low, n, l->lower, l->len);
}

/* Does the message contain the literal? Remembered for this event. */
static int has_literal(struct engine *g, int lit, const char *msg)
{
    if (g->lit_stamp[lit] == g->event_no + 1)
        return g->lit_val[lit];
    const struct literal *l = &g->rs->lits[lit];
    int found = msg && find_literal(g, msg, l);
    g->lit_stamp[lit] = g->event_no + 1;
    g->lit_val[lit] = (unsigned char)found;
    return found;
}

/* One of the literals in the message (remembered per event) or in a
 * field value. */
static int any_literal_anywhere(struct engine *g, const int *lits,
                                unsigned n, const struct cb_event *e)
{
    for (unsigned k = 0; k < n; k++) {
        if (has_literal(g, lits[k], ev_message(g, e)))
            return 1;
    }
    for (uint32_t f = 0; f < e->nfields; f++) {
        const char *v = e->fields[f].value;
        if (!v)
            continue;
        for (unsigned k = 0; k < n; k++) {
            const struct literal *l = &g->rs->lits[lits[k]];
            if (l->ci ? cb_strcasestr(v, l->s) != NULL
                      : find_bytes(v, strlen(v), l->s, l->len))
                return 1;
        }
    }
    return 0;
}

static int matches(struct engine *g, const struct matcher *m,
                   const struct cb_event *e, struct cb_entity *ents,
                   unsigned *nents)
{
    *nents = 0;
    if (m->nchannels &&
        !in_list_memo(g->memo, e->channel, m->channels, m->nchannels))
        return 0;
    if (m->nproviders &&
        !in_list_memo(g->memo, e->provider, m->providers, m->nproviders))
        return 0;
    if (m->ncomponents &&
        !in_list_memo(g->memo, e->component, m->components, m->ncomponents))
        return 0;
    if (m->levels && (e->level > 6 || !(m->levels & (1u << e->level))))
        return 0;
    if (m->nids) {
        if (!(e->flags & CB_EV_HAS_EVENT_ID))
            return 0;
        int ok = 0;
        for (unsigned i = 0; i < m->nids && !ok; i++)
            ok = e->event_id >= m->ids[i][0] && e->event_id <= m->ids[i][1];
        if (!ok)
            return 0;
    }
    for (unsigned i = 0; i < m->nfields; i++) {
        const struct field_re *f = &m->fields[i];
        int ok = 0;
        for (uint32_t k = 0; k < e->nfields && !ok; k++) {
            if (f->field && strcasecmp(f->field, e->fields[k].name) != 0)
                continue;
            ok = re_match(g, f->re, e->fields[k].value, ents, nents);
        }
        if (!ok)
            return 0;
    }
    if (m->nmessage_lits) {
        int any = 0;
        for (unsigned k = 0; k < m->nmessage_lits && !any; k++)
            any = has_literal(g, m->message_lits[k], ev_message(g, e));
        if (!any)
            return 0;
    }
    if (m->message && !re_match(g, m->message, ev_message(g, e), ents, nents))
        return 0;
    if (m->hresult && m->nhresult_lits &&
        !any_literal_anywhere(g, m->hresult_lits, m->nhresult_lits, e))
        return 0;
    if (m->hresult && !re_anywhere(g, m->hresult, e, ents, nents))
        return 0;
    if (m->path && !re_anywhere(g, m->path, e, ents, nents))
        return 0;
    return 1;
}

static const char *entity(const struct hit *h, const char *name)
{
    for (unsigned i = 0; i < h->nents; i++) {
        if (strcmp(h->ents[i].name, name) == 0)
            return h->ents[i].value;
    }
    return NULL;
}

/* Entity keys compare without case: node and VM names are not cased
 * consistently across logs. */
static const char *group_key(struct engine *g, const struct cb_rule *r,
                             const struct cb_event *e, const struct hit *h)
{
    switch (r->group) {
    case GROUP_HOST:
        return e->host;
    case GROUP_CLUSTER:
        return "";
    case GROUP_ENTITY: {
        const char *v = entity(h, r->group_entity);
        if (!v)
            return "";
        char *k = cb_arena_strdup(g->arena, v);
        if (!k) {
            g->nomem = 1;
            return "";
        }
        for (char *p = k; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        return k;
    }
    }
    return "";
}

static int record_hit(struct engine *g, const struct member *mb, size_t ev,
                      const struct cb_entity *ents, unsigned nents)
{
    const struct matcher *m = mb->m;
    const struct cb_rule *r = m->rule;
    size_t ri = mb->rule;
    struct hits *hs = &g->hits[ri][m->step];
    /* one hit per event and step, even when alternatives both match; the
     * alternative that captured most entities describes it */
    if (hs->n && hs->v[hs->n - 1].ev == ev) {
        struct hit *h = &hs->v[hs->n - 1];
        if (nents <= h->nents)
            return 0;
        h->ents = cb_arena_alloc(g->arena, nents * sizeof *h->ents);
        if (!h->ents)
            return -1;
        memcpy(h->ents, ents, nents * sizeof *ents);
        h->nents = nents;
        h->key = group_key(g, r, g->tl->events[ev], h);
        return 0;
    }
    if (hs->n == hs->cap) {
        size_t cap = hs->cap ? hs->cap * 2 : 16;
        struct hit *nv = cb_realloc(hs->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        hs->v = nv;
        hs->cap = cap;
    }
    struct hit *h = &hs->v[hs->n];
    h->ev = ev;
    h->t = g->tl->events[ev]->ts;
    if (r->at_stop) {
        const struct stop_memo *sm = stop_of(g, ev);
        if (!sm)
            return -1;
        h->t = cb_outage_stop_time(&sm->o, sm->known, h->t);
    }
    h->nents = nents;
    h->ents = NULL;
    if (nents) {
        h->ents = cb_arena_alloc(g->arena, nents * sizeof *h->ents);
        if (!h->ents)
            return -1;
        memcpy(h->ents, ents, nents * sizeof *ents);
    }
    h->key = group_key(g, r, g->tl->events[ev], h);
    hs->n++;
    return 0;
}

static size_t key_hash(const char *key, size_t nslots)
{
    uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 32) & (nslots - 1);
}

/* The slot of key, or the empty one where it would go. */
static size_t *bucket_slot(const struct buckets *b, const char *key)
{
    size_t i = key_hash(key, b->nslots);
    while (b->slot[i] && b->v[b->slot[i] - 1].key != key)
        i = (i + 1) & (b->nslots - 1);
    return &b->slot[i];
}

/* Room for one more key at a load of at most 1/2; -1 on out of memory. */
static int buckets_grow(struct buckets *b)
{
    if ((b->n + 1) * 2 <= b->nslots)
        return 0;
    size_t ns = b->nslots ? b->nslots * 2 : 64;
    size_t *old = b->slot;
    b->slot = cb_calloc(ns, sizeof *b->slot);
    if (!b->slot) {
        b->slot = old;
        return -1;
    }
    b->nslots = ns;
    for (size_t i = 0; i < b->n; i++)
        *bucket_slot(b, b->v[i].key) = i + 1;
    cb_free(old);
    return 0;
}

/* Matchers of list whose condition on key (channels or components) can
 * hold, plus those without such a condition. */
static struct mlist *bucket_for(struct engine *g, struct buckets *b,
                                const struct mlist *from, const char *key,
                                int components)
{
    if (b->nslots) {
        size_t at = *bucket_slot(b, key);
        if (at)
            return &b->v[at - 1].list;
    }
    if (buckets_grow(b) != 0) {
        g->nomem = 1;
        return NULL;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct bucket *nv = cb_realloc(b->v, cap * sizeof *nv);
        if (!nv) {
            g->nomem = 1;
            return NULL;
        }
        b->v = nv;
        b->cap = cap;
    }
    struct bucket *bk = &b->v[b->n++];
    memset(bk, 0, sizeof *bk);
    bk->key = key;
    *bucket_slot(b, key) = b->n;
    for (size_t k = 0; k < from->n; k++) {
        const struct matcher *m = from->m[k]->rep;
        const char **names = components ? m->components : m->channels;
        unsigned n = components ? m->ncomponents : m->nchannels;
        if (n && !in_list(key, names, n))
            continue;
        if (push_matcher(&bk->list, from->m[k]) != 0) {
            g->nomem = 1;
            return NULL;
        }
    }
    return &bk->list;
}

static void free_buckets(struct buckets *b)
{
    for (size_t i = 0; i < b->n; i++)
        cb_free(b->v[i].list.m);
    cb_free(b->v);
    cb_free(b->slot);
}

/* The matcher groups an event can meet: by its id, its component and
 * its channel (entries may be NULL; g->nomem on failure). */
static void candidates(struct engine *g, const struct cb_event *e,
                       const struct mlist *lists[3])
{
    lists[0] = (e->flags & CB_EV_HAS_EVENT_ID) && e->event_id < 65536
                   ? &g->by_id[e->event_id]
                   : NULL;
    lists[1] = e->component ? bucket_for(g, &g->comp_buckets,
                                         &g->by_component, e->component, 1)
                            : NULL;
    lists[2] = bucket_for(g, &g->chan_buckets, &g->generic, e->channel, 0);
}

static int scan(struct engine *g)
{
    struct cb_entity ents[CB_LIMIT_FINDING_ENTITIES];
    unsigned nents;
    for (size_t i = 0; i < g->tl->count; i++) {
        const struct cb_event *e = g->tl->events[i];
        g->event_no = i;
        const struct mlist *lists[3];
        candidates(g, e, lists);
        if (g->nomem)
            return -1;
        for (int l = 0; l < 3; l++) {
            if (!lists[l])
                continue;
            for (size_t k = 0; k < lists[l]->n; k++) {
                const struct cgroup *cg = lists[l]->m[k];
                if (!matches(g, cg->rep, e, ents, &nents))
                    continue;
                if (cg->rep->note && !g->no_captures &&
                    nents < CB_LIMIT_FINDING_ENTITIES)
                    ents[nents++] = (struct cb_entity){"matched",
                                                       cg->rep->note};
                for (size_t mm = 0; mm < cg->n; mm++)
                    if (record_hit(g, &cg->members[mm], i, ents, nents) != 0)
                        return -1;
            }
        }
        if (g->nomem)
            return -1;
    }
    return 0;
}

/* ---- building findings -------------------------------------------------- */

struct draft {
    const struct cb_rule *rule;
    const char *key;
    size_t count;
    cb_time first, last;
    struct cb_evidence ev[CB_LIMIT_FINDING_EVIDENCE];
    size_t nev;
    size_t *all; /* timeline indices of every event taking part */
    size_t nall, capall;
    const struct hit *corr[CB_LIMIT_FINDING_EVIDENCE]; /* corroborating
                                  * hits whose entities the finding names */
    size_t ncorr;
};

static int draft_add(struct engine *g, struct draft *d, const struct hit *h,
                     const char *role)
{
    const struct cb_event *e = g->tl->events[h->ev];
    if (d->nall == d->capall) {
        size_t cap = d->capall ? d->capall * 2 : 16;
        size_t *na = cb_realloc(d->all, cap * sizeof *na);
        if (!na)
            return -1;
        d->all = na;
        d->capall = cap;
    }
    d->all[d->nall++] = h->ev;
    /* time="stop": when the node went down, not when it booted */
    cb_time t = d->rule->at_stop ? h->t : e->ts;
    if (d->first == CB_TIME_NONE || t < d->first)
        d->first = t;
    if (d->last == CB_TIME_NONE || t > d->last)
        d->last = t;
    /* evidence: the first ones, then the latest replace the tail */
    if (d->nev < CB_LIMIT_FINDING_EVIDENCE) {
        d->ev[d->nev++] = (struct cb_evidence){e, role};
    } else {
        memmove(d->ev + CB_LIMIT_FINDING_EVIDENCE / 2,
                d->ev + CB_LIMIT_FINDING_EVIDENCE / 2 + 1,
                (CB_LIMIT_FINDING_EVIDENCE / 2 - 1) * sizeof *d->ev);
        d->ev[CB_LIMIT_FINDING_EVIDENCE - 1] = (struct cb_evidence){e, role};
    }
    return 0;
}

/* Timeline indices, hosts (interned: equal names are one pointer) and
 * entities (distinct by name and value): no two elements compare equal
 * unless they are interchangeable, so these are total orders. */
static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_ent(const void *a, const void *b)
{
    const struct cb_entity *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Hits of a step with a given key inside [from, to] (timeline index order
 * equals time order). */
static const struct hit *find_hit(const struct hits *hs, const char *key,
                                  cb_time from, cb_time to, size_t after_ev)
{
    /* binary search for the first hit at or after 'from' */
    size_t lo = 0, hi = hs->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (hs->v[mid].t < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < hs->n && hs->v[i].t <= to; i++) {
        if (hs->v[i].ev <= after_ev && after_ev != SIZE_MAX)
            continue;
        if (strcmp(hs->v[i].key, key) == 0)
            return &hs->v[i];
    }
    return NULL;
}

static int any_hit(const struct hits *hs, const char *key, cb_time from,
                   cb_time to, const struct hit **out)
{
    const struct hit *h = find_hit(hs, key, from, to, SIZE_MAX);
    if (out)
        *out = h;
    return h != NULL;
}

static char *render_summary(struct engine *g, const struct cb_finding *f)
{
    const char *tpl = f->rule->summary;
    char deflt[256];
    if (!tpl) {
        snprintf(deflt, sizeof deflt, "%s: {count} times between {first} and "
                 "{last}", f->title);
        tpl = deflt;
    }
    return cb_fill(g->arena, f, NULL, tpl, CB_FILL_TEXT, NULL);
}

static int on_channels(const struct cb_event *e, const char *host,
                       const char *const *chans, unsigned nc)
{
    if (host && strcmp(e->host, host) != 0)
        return 0;
    int in = nc == 0;
    for (unsigned c = 0; c < nc && !in; c++)
        in = e->channel && strcasecmp(e->channel, chans[c]) == 0;
    return in;
}

/* Whether the channels step s of r reads (every channel when its
 * matchers name none) hold events from 'from' or earlier to 'to' or
 * later on one host: of the draft's events' hosts, or any host (scope
 * any). Whether a shutdown was near can only be judged where the System
 * log reaches. */
static int covers(struct engine *g, const struct cb_rule *r,
                  const struct adjust *ad, const struct draft *d, cb_time from,
                  cb_time to)
{
    const char *chans[32];
    unsigned nc = 0;
    for (unsigned m = 0; m < r->nmatchers; m++) {
        const struct matcher *mt = &r->matchers[m];
        for (unsigned k = 0; mt->step == ad->step && k < mt->nchannels &&
                             nc < 32; k++)
            chans[nc++] = mt->channels[k];
    }
    const struct cb_timeline *tl = g->tl;
    const char *done[8];
    size_t ndone = 0;
    for (size_t i = 0; i < d->nall; i++) {
        const char *host = ad->same_group ? tl->events[d->all[i]]->host : NULL;
        int seen = 0;
        for (size_t k = 0; k < ndone && !seen; k++)
            seen = done[k] == host;
        if (seen)
            continue;
        if (ndone < 8)
            done[ndone++] = host;
        int early = 0, late = 0;
        for (size_t k = 0; k < tl->count && tl->events[k]->ts <= from &&
                           !early; k++)
            early = on_channels(tl->events[k], host, chans, nc);
        for (size_t k = tl->count; k-- > 0 && tl->events[k]->ts >= to &&
                                   early && !late;)
            late = on_channels(tl->events[k], host, chans, nc);
        if (early && late)
            return 1;
        if (!host)
            break; /* every host was looked at */
    }
    return 0;
}

/* Confidence after the rule's adjustments; 0 when a <require> fails.
 * Corroborating hits that name something (a network, an interface) are
 * kept so that the finding names it too. */
static int adjust_confidence(struct engine *g, size_t ri, struct draft *d,
                             int *conf)
{
    const struct cb_rule *r = d->rule;
    int keep = 1;
    for (unsigned a = 0; a < r->nadjusts; a++) {
        const struct adjust *ad = &r->adjusts[a];
        const struct hits *hs = &g->hits[ri][ad->step];
        cb_time from = d->first - ad->within, to = d->last + ad->within;
        if (ad->coverage) {
            int c = covers(g, r, ad, d, from, d->last);
            if (c != (ad->coverage == 1))
                keep = 0;
            continue;
        }
        int found = 0;
        for (size_t i = 0; i < hs->n; i++) {
            if (hs->v[i].t < from || hs->v[i].t > to)
                continue;
            if (ad->same_group && strcmp(hs->v[i].key, d->key) != 0)
                continue;
            if (!found && !ad->absent && d->nev < CB_LIMIT_FINDING_EVIDENCE)
                d->ev[d->nev++] = (struct cb_evidence){
                    g->tl->events[hs->v[i].ev], r->names[ad->step]};
            found = 1;
            if (ad->absent)
                break;
            if (hs->v[i].nents && d->ncorr < CB_LIMIT_FINDING_EVIDENCE)
                d->corr[d->ncorr++] = &hs->v[i];
            else if (!hs->v[i].nents)
                continue;
            if (d->ncorr == CB_LIMIT_FINDING_EVIDENCE)
                break;
        }
        if (ad->gate && found == ad->absent)
            keep = 0;
        if (found != ad->absent)
            *conf += ad->by;
    }
    if (*conf < 1)
        *conf = 1;
    if (*conf > 100)
        *conf = 100;
    return keep;
}

/* Add the entities of hit h not yet in ents (distinct by name and value,
 * without case). */
static void merge_entities(struct cb_entity *ents, size_t *ne,
                           const struct hit *h)
{
    for (unsigned k = 0; k < h->nents; k++) {
        int seen = 0;
        for (size_t j = 0; j < *ne && !seen; j++)
            seen = !strcmp(ents[j].name, h->ents[k].name) &&
                   !strcasecmp(ents[j].value, h->ents[k].value);
        if (!seen && *ne < CB_LIMIT_FINDING_ENTITIES)
            ents[(*ne)++] = h->ents[k];
    }
}

/* One boot of one node: two events of it report the same outage. */
static int same_outage(const struct cb_outage *a, const struct cb_outage *b)
{
    return strcmp(a->host, b->host) == 0 &&
           ((a->stop != CB_TIME_NONE && a->stop == b->stop) || a->to == b->to);
}

/* The outages the events of a draft report, one per node and boot (the
 * richest report of each: a 6008 time, a Kernel-Power 41 verdict), in
 * time order. */
static int outages_of(struct engine *g, const struct draft *d,
                      struct cb_finding *f)
{
    struct cb_outage *v = cb_arena_alloc(
        g->arena, CB_LIMIT_FINDING_OUTAGES * sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < d->nall; i++) {
        const struct stop_memo *m = stop_of(g, d->all[i]);
        if (!m)
            return -1;
        if (!m->known)
            continue;
        size_t k = 0;
        while (k < n && !same_outage(&v[k], &m->o))
            k++;
        if (k == n) {
            if (n == CB_LIMIT_FINDING_OUTAGES)
                continue;
            v[n++] = m->o;
            continue;
        }
        if (v[k].stop == CB_TIME_NONE && m->o.stop != CB_TIME_NONE) {
            const char *how = v[k].how;
            v[k] = m->o;
            v[k].how = strcmp(how, "unclean stop") ? how : m->o.how;
        } else if (!strcmp(v[k].how, "unclean stop")) {
            v[k].how = m->o.how;
        }
    }
    for (size_t i = 1; i < n; i++) { /* insertion sort: few items */
        struct cb_outage x = v[i];
        size_t j = i;
        while (j > 0 && (v[j - 1].from > x.from ||
                         (v[j - 1].from == x.from &&
                          strcmp(v[j - 1].host, x.host) > 0)))
            v[j] = v[j - 1], j--;
        v[j] = x;
    }
    f->outages = v;
    f->noutages = n;
    return 0;
}

static int emit(struct engine *g, size_t ri, struct draft *d)
{
    const struct cb_rule *r = d->rule;
    struct cb_findings *out = g->out;
    if (out->count == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        struct cb_finding *ni = cb_realloc(out->items, cap * sizeof *ni);
        if (!ni)
            return -1;
        out->items = ni;
        out->cap = cap;
    }
    struct cb_finding *f = &out->items[out->count];
    memset(f, 0, sizeof *f);
    f->rule = r;
    f->seq = out->count;
    f->id = r->id;
    f->pattern = r->pattern;
    f->title = r->title;
    f->severity = r->severity;
    f->count = d->count;
    int conf = r->confidence;
    if (!adjust_confidence(g, ri, d, &conf))
        return 0; /* a <require> does not hold: no finding */
    f->confidence = conf;
    f->first = d->first;
    f->last = d->last;
    f->cause = r->cause;
    f->remediation = r->remediation;
    f->nremediation = r->nremediation;
    f->collect = r->collect;
    f->ncollect = r->ncollect;
    f->references = r->references;
    f->nreferences = r->nreferences;
    /* evidence in time order, each event once */
    struct cb_evidence *ev = cb_arena_alloc(g->arena,
                                            (d->nev ? d->nev : 1) * sizeof *ev);
    if (!ev)
        return -1;
    size_t nev = 0;
    for (size_t i = 0; i < d->nev; i++) {
        int dup = 0;
        for (size_t j = 0; j < nev && !dup; j++)
            dup = ev[j].ev == d->ev[i].ev;
        if (!dup)
            ev[nev++] = d->ev[i];
    }
    for (size_t i = 1; i < nev; i++) { /* insertion sort: few items */
        struct cb_evidence x = ev[i];
        size_t j = i;
        while (j > 0 && ev[j - 1].ev->ts > x.ev->ts)
            ev[j] = ev[j - 1], j--;
        ev[j] = x;
    }
    f->evidence = ev;
    f->nevidence = nev;
    /* hosts and entities over every event taking part */
    cb_sort(d->all, d->nall, sizeof *d->all, cmp_size);
    const char **hosts = cb_arena_alloc(g->arena, (d->nall + 1) * sizeof *hosts);
    struct cb_entity *ents =
        cb_arena_alloc(g->arena, CB_LIMIT_FINDING_ENTITIES * sizeof *ents);
    if (!hosts || !ents)
        return -1;
    size_t nh = 0, ne = 0;
    for (size_t i = 0; i < d->nall; i++) {
        const char *h = g->tl->events[d->all[i]]->host;
        int seen = !h[0];
        for (size_t j = 0; j < nh && !seen; j++)
            seen = hosts[j] == h;
        if (!seen)
            hosts[nh++] = h;
    }
    cb_sort(hosts, nh, sizeof *hosts, cmp_str);
    f->hosts = hosts;
    f->nhosts = nh;
    for (unsigned s = 0; s < r->nnames; s++) {
        const struct hits *hs = &g->hits[ri][s];
        for (size_t i = 0; i < hs->n; i++) {
            if (!bsearch(&hs->v[i].ev, d->all, d->nall, sizeof *d->all,
                         cmp_size))
                continue;
            merge_entities(ents, &ne, &hs->v[i]);
        }
    }
    for (size_t i = 0; i < d->ncorr; i++)
        merge_entities(ents, &ne, d->corr[i]);
    cb_sort(ents, ne, sizeof *ents, cmp_ent);
    f->entities = ents;
    f->nentities = ne;
    if (r->at_stop && outages_of(g, d, f) != 0)
        return -1;
    f->summary = render_summary(g, f);
    if (!f->summary)
        return -1;
    out->count++;
    return 0;
}

static void draft_reset(struct draft *d, const struct cb_rule *r,
                        const char *key)
{
    size_t *all = d->all, cap = d->capall;
    memset(d, 0, sizeof *d);
    d->all = all;
    d->capall = cap;
    d->rule = r;
    d->key = key;
    d->first = d->last = CB_TIME_NONE;
}

/* Distinct keys of a step's hits, sorted. */
static const char **keys_of(struct engine *g, const struct hits *hs,
                            size_t *n)
{
    const char **k = cb_arena_alloc(g->arena, (hs->n + 1) * sizeof *k);
    if (!k)
        return NULL;
    for (size_t i = 0; i < hs->n; i++)
        k[i] = hs->v[i].key;
    cb_sort(k, hs->n, sizeof *k, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < hs->n; i++) {
        if (m == 0 || strcmp(k[m - 1], k[i]) != 0)
            k[m++] = k[i];
    }
    *n = m;
    return k;
}

/* One group (key) of a rule: the hits of its first step with that key,
 * walked in time order, and the state of the episode being drafted. */
struct walk {
    struct engine *g;
    size_t ri;
    const struct cb_rule *r;
    const struct hits *first;
    const char *key;
    size_t *idx; /* indices in first of the key's hits */
    size_t nidx;
    cb_time start_of_data, end_of_data;
    size_t win_lo;        /* count: start of the sliding window */
    size_t added_upto;    /* count: hits before this are in drafts */
    cb_time episode_end;  /* of the occurrences drafted so far */
    cb_time last_counted; /* same-within */
};

/* What one hit of the first step makes of the rule: the hits taking part
 * (first step first) and when the occurrence ends. */
struct occurrence {
    const struct hit *chain[16];
    unsigned nchain;
    cb_time end;
};

/* Each type judges whether the j-th hit of the key is an occurrence. */
typedef int occurs_fn(struct walk *w, size_t j, const struct hit *h,
                      struct occurrence *o);

static int occurs_single(struct walk *w, size_t j, const struct hit *h,
                         struct occurrence *o)
{
    (void)w, (void)j;
    o->chain[o->nchain++] = h;
    return 1;
}

/* min_count hits of the key (on min_hosts hosts) within the window
 * ending at h. */
static int occurs_count(struct walk *w, size_t j, const struct hit *h,
                        struct occurrence *o)
{
    (void)o;
    const struct cb_rule *r = w->r;
    const struct hits *first = w->first;
    while (first->v[w->idx[w->win_lo]].t < h->t - r->window)
        w->win_lo++;
    if (j + 1 - w->win_lo < r->min_count)
        return 0;
    if (r->min_hosts <= 1)
        return 1;
    /* distinct hosts in the window (few: linear) */
    const char *seen[64];
    unsigned ns = 0;
    for (size_t i = w->win_lo; i <= j && ns < 64; i++) {
        const char *hh = w->g->tl->events[first->v[w->idx[i]].ev]->host;
        unsigned q = 0;
        while (q < ns && seen[q] != hh)
            q++;
        if (q == ns)
            seen[ns++] = hh;
    }
    return ns >= r->min_hosts;
}

/* Every further step in order after h, within the window. */
static int occurs_sequence(struct walk *w, size_t j, const struct hit *h,
                           struct occurrence *o)
{
    (void)j;
    const struct cb_rule *r = w->r;
    o->chain[o->nchain++] = h;
    const struct hit *prev = h;
    for (unsigned s = 1; s < r->nsteps; s++) {
        const struct hit *nx = find_hit(&w->g->hits[w->ri][r->steps[s]], w->key,
                                        prev->t, h->t + r->window, prev->ev);
        if (!nx)
            return 0;
        o->chain[o->nchain++] = nx;
        prev = nx;
    }
    o->end = prev->t;
    return 1;
}

/* Every further step within the window on either side of h. */
static int occurs_cooccur(struct walk *w, size_t j, const struct hit *h,
                          struct occurrence *o)
{
    (void)j;
    const struct cb_rule *r = w->r;
    o->chain[o->nchain++] = h;
    for (unsigned s = 1; s < r->nsteps; s++) {
        const struct hit *nx;
        if (!any_hit(&w->g->hits[w->ri][r->steps[s]], w->key, h->t - r->window,
                     h->t + r->window, &nx))
            return 0;
        o->chain[o->nchain++] = nx;
    }
    return 1;
}

/* No hit of the second step within the window after (or around) h. */
static int occurs_absence(struct walk *w, size_t j, const struct hit *h,
                          struct occurrence *o)
{
    (void)j;
    const struct cb_rule *r = w->r;
    /* only when the data covers the whole window: the host's data when
     * grouped by host */
    cb_time data_first = w->start_of_data;
    cb_time data_last = w->end_of_data;
    if (r->group == GROUP_HOST)
        host_span(w->g, w->g->tl->events[h->ev]->host, &data_first, &data_last);
    if (h->t + r->window > data_last)
        return 0;
    cb_time from = r->both_ways ? h->t - r->window : h->t;
    if (r->both_ways && from < data_first)
        return 0; /* the data does not reach back far enough */
    if (find_hit(&w->g->hits[w->ri][r->steps[1]], w->key, from,
                 h->t + r->window, r->both_ways ? SIZE_MAX : h->ev))
        return 0;
    o->chain[o->nchain++] = h;
    return 1;
}

static occurs_fn *const occurs_of[] = {
    [CORR_SINGLE] = occurs_single,   [CORR_SEQUENCE] = occurs_sequence,
    [CORR_COOCCUR] = occurs_cooccur, [CORR_COUNT] = occurs_count,
    [CORR_ABSENCE] = occurs_absence,
};

/* Enough occurrences in the draft for a finding. */
static int draft_counts(const struct draft *d)
{
    const struct cb_rule *r = d->rule;
    return d->count && d->count >= (r->type == CORR_SINGLE ? r->min_count : 1);
}

/* Add occurrence o of the j-th hit h to the draft, emitting the draft
 * first when o starts a new episode. */
static int join_episode(struct walk *w, struct draft *d, size_t j,
                        const struct hit *h, const struct occurrence *o)
{
    const struct cb_rule *r = w->r;
    int rc = 0;
    /* a new episode when this occurrence starts beyond the window after
     * the previous one (single: only with a window) */
    cb_time gap = r->window;
    if (d->count && w->episode_end != CB_TIME_NONE &&
        (r->type != CORR_SINGLE || gap) && h->t > w->episode_end + gap) {
        if (draft_counts(d))
            rc = emit(w->g, w->ri, d);
        draft_reset(d, r, w->key);
    }
    if (r->type == CORR_COUNT) {
        /* the whole window joins the episode; count hits, not windows */
        size_t from = w->win_lo > w->added_upto ? w->win_lo : w->added_upto;
        for (size_t i = from; i <= j && rc == 0; i++)
            rc = draft_add(w->g, d, &w->first->v[w->idx[i]],
                           r->names[r->steps[0]]);
        d->count += j + 1 - from;
        w->added_upto = j + 1;
    } else {
        /* several logs reporting one failure: one occurrence */
        if (!(r->same_within && d->count && w->last_counted != CB_TIME_NONE &&
              h->t - w->last_counted <= r->same_within)) {
            d->count++;
            w->last_counted = h->t;
        }
        for (unsigned c = 0; c < o->nchain && rc == 0; c++) {
            unsigned step = r->type == CORR_SINGLE || r->type == CORR_ABSENCE
                                ? r->steps[0]
                                : r->steps[c];
            rc = draft_add(w->g, d, o->chain[c], r->names[step]);
        }
    }
    if (w->episode_end == CB_TIME_NONE || o->end > w->episode_end)
        w->episode_end = o->end;
    return rc;
}

/* The findings of one group: its hits in time order, occurrences joined
 * into episodes, one finding per episode. */
static int correlate_key(struct walk *w, struct draft *d)
{
    const struct hits *first = w->first;
    draft_reset(d, w->r, w->key);
    w->episode_end = w->last_counted = CB_TIME_NONE;
    w->win_lo = w->added_upto = 0;
    w->nidx = 0;
    for (size_t i = 0; i < first->n; i++) {
        if (strcmp(first->v[i].key, w->key) == 0)
            w->idx[w->nidx++] = i;
    }
    int rc = 0;
    for (size_t j = 0; j < w->nidx && rc == 0; j++) {
        const struct hit *h = &first->v[w->idx[j]];
        struct occurrence o = {.nchain = 0, .end = h->t};
        if (occurs_of[w->r->type](w, j, h, &o))
            rc = join_episode(w, d, j, h, &o);
    }
    if (rc == 0 && draft_counts(d))
        rc = emit(w->g, w->ri, d);
    return rc;
}

static int correlate_rule(struct engine *g, size_t ri)
{
    const struct cb_rule *r = g->rs->rules[ri];
    if (r->type == CORR_SKEW)
        return 0; /* cb_skew_findings, once the gaps are known */
    struct hits *first = &g->hits[ri][r->steps[0]];
    if (!first->n)
        return 0;
    size_t nkeys;
    const char **keys = keys_of(g, first, &nkeys);
    if (!keys)
        return -1;
    struct walk w = {.g = g, .ri = ri, .r = r, .first = first};
    w.start_of_data = g->tl->events[0]->ts;
    w.end_of_data = g->tl->events[g->tl->count - 1]->ts;
    counted_span(g->tl, NULL, &w.start_of_data, &w.end_of_data);
    w.idx = cb_malloc((first->n + 1) * sizeof *w.idx);
    if (!w.idx)
        return -1;
    struct draft d = {0};
    int rc = 0;
    for (size_t k = 0; k < nkeys && rc == 0; k++) {
        w.key = keys[k];
        rc = correlate_key(&w, &d);
    }
    cb_free(w.idx);
    cb_free(d.all);
    return rc;
}

static int cmp_finding(const void *a, const void *b)
{
    const struct cb_finding *x = a, *y = b;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    if (x->confidence != y->confidence)
        return x->confidence > y->confidence ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    c = strcmp(x->summary, y->summary);
    if (c)
        return c;
    /* the same rule, time and summary: the order the engine found them */
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- one episode, one finding ---------------------------------------------
 * Two findings can tell one episode twice: a rule grouped by entity finds
 * the suspension of FS01 and that of EXCH01 in the same restart (two
 * identical findings but for the VM), and the per-node finding of a
 * shutdown repeats events the cluster-wide one already holds. They merge
 * into one finding with all the evidence, so that an incident lists the
 * episode once. */

static int same_hosts(const struct cb_finding *a, const struct cb_finding *b)
{
    if (a->nhosts != b->nhosts)
        return 0;
    for (size_t i = 0; i < a->nhosts; i++) /* both sorted */
        if (strcmp(a->hosts[i], b->hosts[i]) != 0)
            return 0;
    return 1;
}

static int has_host(const struct cb_finding *a, const char *h)
{
    for (size_t i = 0; i < a->nhosts; i++)
        if (strcmp(a->hosts[i], h) == 0)
            return 1;
    return 0;
}

static int has_event(const struct cb_finding *a, const struct cb_event *e)
{
    for (size_t i = 0; i < a->nevidence; i++)
        if (a->evidence[i].ev == e)
            return 1;
    return 0;
}

/* b is a's rule found again for another entity in the same episode:
 * same hosts, within the rule's window of each other. */
static int same_episode(const struct cb_finding *a, const struct cb_finding *b)
{
    const struct cb_rule *r = a->rule;
    return r == b->rule && r->group == GROUP_ENTITY && r->window > 0 &&
           same_hosts(a, b) && a->first <= b->last + r->window &&
           b->first <= a->last + r->window;
}

/* a's rule explains b's (a <leads-to>) and a already holds every event
 * and host of b: b repeats part of a. */
static int repeats(const struct cb_finding *a, const struct cb_finding *b)
{
    if (a == b || a->rule == b->rule || !b->nevidence)
        return 0;
    int linked = 0;
    for (unsigned k = 0; k < a->rule->nlinks && !linked; k++)
        linked = strcmp(a->rule->links[k].rule, b->id) == 0;
    if (!linked || a->severity < b->severity)
        return 0;
    for (size_t i = 0; i < b->nhosts; i++)
        if (!has_host(a, b->hosts[i]))
            return 0;
    for (size_t i = 0; i < b->nevidence; i++)
        if (!has_event(a, b->evidence[i].ev))
            return 0;
    return 1;
}

/* b's evidence, entities and outages join a's; a's span covers both. */
static int absorb(struct engine *g, struct cb_finding *a,
                  const struct cb_finding *b, int add_count)
{
    size_t nev = a->nevidence + b->nevidence;
    struct cb_evidence *ev = cb_arena_alloc(g->arena, nev * sizeof *ev);
    struct cb_entity *ents = cb_arena_alloc(
        g->arena, CB_LIMIT_FINDING_ENTITIES * sizeof *ents);
    struct cb_outage *out = cb_arena_alloc(
        g->arena, CB_LIMIT_FINDING_OUTAGES * sizeof *out);
    if (!ev || !ents || !out)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < a->nevidence; i++)
        ev[n++] = a->evidence[i];
    for (size_t i = 0; i < b->nevidence; i++)
        if (!has_event(a, b->evidence[i].ev))
            ev[n++] = b->evidence[i];
    for (size_t i = 1; i < n; i++) { /* insertion sort: few items */
        struct cb_evidence x = ev[i];
        size_t j = i;
        while (j > 0 && ev[j - 1].ev->ts > x.ev->ts)
            ev[j] = ev[j - 1], j--;
        ev[j] = x;
    }
    if (n > CB_LIMIT_FINDING_EVIDENCE) { /* the first half, the latest */
        size_t keep = CB_LIMIT_FINDING_EVIDENCE / 2;
        memmove(ev + keep, ev + n - keep, keep * sizeof *ev);
        n = CB_LIMIT_FINDING_EVIDENCE;
    }
    size_t ne = a->nentities;
    memcpy(ents, a->entities, ne * sizeof *ents);
    struct hit h = {.ents = b->entities, .nents = (unsigned)b->nentities};
    merge_entities(ents, &ne, &h);
    cb_sort(ents, ne, sizeof *ents, cmp_ent);
    size_t no = a->noutages;
    if (no)
        memcpy(out, a->outages, no * sizeof *out);
    for (size_t i = 0; i < b->noutages && no < CB_LIMIT_FINDING_OUTAGES; i++) {
        size_t k = 0;
        while (k < no && !same_outage(&out[k], &b->outages[i]))
            k++;
        if (k == no)
            out[no++] = b->outages[i];
    }
    a->evidence = ev;
    a->nevidence = n;
    a->entities = ents;
    a->nentities = ne;
    a->outages = out;
    a->noutages = no;
    if (b->first < a->first)
        a->first = b->first;
    if (b->last > a->last)
        a->last = b->last;
    if (add_count) {
        a->count += b->count;
        if (b->confidence > a->confidence)
            a->confidence = b->confidence;
    }
    a->summary = render_summary(g, a);
    return a->summary ? 0 : -1;
}

static int merge_duplicates(struct engine *g)
{
    struct cb_findings *fs = g->out;
    size_t n = fs->count;
    if (n < 2 || n > CB_LIMIT_INCIDENT_FINDINGS)
        return 0;
    unsigned char *gone = cb_calloc(n, 1);
    if (!gone)
        return -1;
    int rc = 0;
    /* the same rule for other entities first, so that a cluster-wide
     * finding then takes the per-node ones whole */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (size_t a = 0; a < n && rc == 0; a++) {
            for (size_t b = 0; b < n && rc == 0 && !gone[a]; b++) {
                if (a == b || gone[b])
                    continue;
                struct cb_finding *x = &fs->items[a], *y = &fs->items[b];
                int dup = pass == 0 ? b > a && same_episode(x, y)
                                    : repeats(x, y);
                if (!dup)
                    continue;
                rc = absorb(g, x, y, pass == 0);
                gone[b] = 1;
            }
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!gone[i])
            fs->items[k++] = fs->items[i];
    fs->count = k;
    cb_free(gone);
    return rc;
}

/* Total: by time, then timeline position. */
static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->ev > y->ev) - (x->ev < y->ev);
}

/* Hits of time="stop" rules in the order their nodes went down: boots
 * come in another order when nodes stayed down for different times. */
static void sort_stop_hits(struct engine *g)
{
    for (size_t r = 0; r < g->rs->count; r++) {
        if (!g->rs->rules[r]->at_stop)
            continue;
        for (unsigned s = 0; s <= g->rs->rules[r]->nnames; s++)
            cb_sort(g->hits[r][s].v, g->hits[r][s].n, sizeof *g->hits[r][s].v,
                    cmp_hit);
    }
}

/* The per-event machinery of an engine over rs (hits excluded). */
static int engine_init(struct engine *g, const struct cb_rules *rs)
{
    g->rs = rs;
    g->md = pcre2_match_data_create(64, NULL);
    g->lit_stamp = cb_calloc(rs->nlits + 1, sizeof *g->lit_stamp);
    g->lit_val = cb_calloc(rs->nlits + 1, 1);
    g->memo = cb_calloc(LIST_CACHE, sizeof *g->memo);
    if (!g->md || !g->lit_stamp || !g->lit_val || !g->memo)
        return -1;
    return build_index(g);
}

static void engine_fini(struct engine *g)
{
    if (g->by_id) {
        for (size_t i = 0; i < 65536; i++)
            cb_free(g->by_id[i].m);
        cb_free(g->by_id);
    }
    cb_free(g->generic.m);
    cb_free(g->by_component.m);
    for (size_t i = 0; g->groups && i < g->ngroups; i++)
        cb_free(g->groups[i].members);
    cb_free(g->groups);
    free_buckets(&g->chan_buckets);
    free_buckets(&g->comp_buckets);
    cb_free(g->lit_stamp);
    cb_free(g->lit_val);
    cb_free(g->low);
    cb_free(g->memo);
    cb_free(g->stops);
    if (g->hits) {
        for (size_t r = 0; r < g->rs->count; r++) {
            if (!g->hits[r])
                continue;
            for (unsigned s = 0; s <= g->rs->rules[r]->nnames; s++)
                cb_free(g->hits[r][s].v);
            cb_free(g->hits[r]);
        }
        cb_free(g->hits);
    }
    if (g->md)
        pcre2_match_data_free(g->md);
}

enum cb_status cb_correlate(const struct cb_rules *rs,
                            const struct cb_timeline *tl,
                            struct cb_findings *out)
{
    memset(out, 0, sizeof *out);
    out->arena = cb_arena_create();
    if (!out->arena)
        return CB_E_NOMEM;
    if (!rs || !rs->count || !tl->count)
        return CB_OK;
    struct engine g = {.tl = tl, .out = out, .arena = out->arena};
    enum cb_status st = CB_E_NOMEM;
    g.hits = cb_calloc(rs->count, sizeof *g.hits);
    if (!g.hits || engine_init(&g, rs) != 0)
        goto done;
    for (size_t r = 0; r < rs->count; r++) {
        g.hits[r] = cb_calloc(rs->rules[r]->nnames + 1, sizeof **g.hits);
        if (!g.hits[r])
            goto done;
    }
    if (scan(&g) != 0)
        goto done;
    sort_stop_hits(&g);
    for (size_t r = 0; r < rs->count; r++) {
        if (correlate_rule(&g, r) != 0)
            goto done;
    }
    if (merge_duplicates(&g) != 0)
        goto done;
    cb_sort(out->items, out->count, sizeof *out->items, cmp_finding);
    st = CB_OK;
done:
    g.rs = rs;
    engine_fini(&g);
    if (st != CB_OK)
        cb_findings_fini(out);
    return st;
}

/* ---- the keeper ---------------------------------------------------------
 * Whether an event is worth keeping for the analysis: some matcher of
 * the rules takes it (the same test the scan makes), or the report shows
 * it on its own merits. Asked once per cluster.log line while parsing. */

struct cb_keeper {
    struct engine g;
    const char *debug_channel; /* the interned "cluster.log", once seen */
};

struct cb_keeper *cb_keeper_create(const struct cb_rules *rs)
{
    if (!rs)
        return NULL;
    struct cb_keeper *k = cb_calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->g.no_captures = 1;
    if (engine_init(&k->g, rs) != 0) {
        cb_keeper_free(&k);
        return NULL;
    }
    return k;
}

void cb_keeper_free(struct cb_keeper **pk)
{
    if (!pk || !*pk)
        return;
    engine_fini(&(*pk)->g);
    cb_free(*pk);
    *pk = NULL;
}

int cb_keeper_wants(void *ctx, const struct cb_event *e)
{
    struct cb_keeper *k = ctx;
    struct engine *g = &k->g;
    int channel_line = 0; /* a line of an event channel ([System]) */
    if (e->channel != k->debug_channel) {
        if (!e->channel || strcmp(e->channel, "cluster.log") != 0)
            channel_line = 1;
        else
            k->debug_channel = e->channel;
    }
    /* warnings and above, and levels not known */
    int keep = channel_line || e->level == 0 || e->level <= CB_LEVEL_WARNING;
    g->event_no++; /* a new event for the literal memo */
    struct cb_entity ents[CB_LIMIT_FINDING_ENTITIES];
    unsigned nents;
    const struct mlist *lists[3];
    candidates(g, e, lists);
    if (g->nomem)
        return 1; /* in doubt, keep */
    for (int l = 0; l < 3; l++) {
        for (size_t i = 0; lists[l] && i < lists[l]->n; i++)
            if (matches(g, lists[l]->m[i]->rep, e, ents, &nents))
                return channel_line ? 3 : 2;
    }
    return g->nomem ? 1 : keep;
}

const char *cb_keeper_rule(void *ctx, const struct cb_event *e)
{
    struct cb_keeper *k = ctx;
    struct engine *g = &k->g;
    struct cb_entity ents[CB_LIMIT_FINDING_ENTITIES];
    unsigned nents;
    const struct mlist *lists[3];
    g->event_no++;
    candidates(g, e, lists);
    for (int l = 0; l < 3 && !g->nomem; l++)
        for (size_t i = 0; lists[l] && i < lists[l]->n; i++)
            if (matches(g, lists[l]->m[i]->rep, e, ents, &nents))
                return lists[l]->m[i]->members[0].m->rule->id;
    return NULL;
}

void cb_findings_fini(struct cb_findings *f)
{
    cb_free(f->items);
    f->items = NULL;
    f->count = f->cap = 0;
    cb_arena_destroy(&f->arena);
}

int cb_rule_takes(const struct cb_rules *rs, const struct cb_rule *r,
                  const char *step, const struct cb_event *ev,
                  struct cb_arena *arena, struct cb_entity *ents,
                  unsigned max, unsigned *nents)
{
    *nents = 0;
    struct engine g = {.arena = arena};
    g.rs = rs;
    g.md = pcre2_match_data_create(64, NULL);
    g.lit_stamp = cb_calloc(rs->nlits + 1, sizeof *g.lit_stamp);
    g.lit_val = cb_calloc(rs->nlits + 1, 1);
    g.memo = cb_calloc(LIST_CACHE, sizeof *g.memo);
    int taken = -1;
    if (!g.md || !g.lit_stamp || !g.lit_val || !g.memo)
        goto done;
    taken = 0;
    for (unsigned i = 0; i < r->nmatchers && !g.nomem; i++) {
        const struct matcher *m = &r->matchers[i];
        struct cb_entity e[CB_LIMIT_FINDING_ENTITIES];
        unsigned n;
        if (strcmp(r->names[m->step], step) != 0)
            continue;
        g.event_no++; /* no literal verdict carried between matchers */
        if (!matches(&g, m, ev, e, &n))
            continue;
        if (m->note && n < CB_LIMIT_FINDING_ENTITIES)
            e[n++] = (struct cb_entity){"matched", m->note};
        if (!taken || n > *nents) {
            *nents = n < max ? n : max;
            memcpy(ents, e, *nents * sizeof *e);
        }
        taken = 1;
    }
    if (g.nomem)
        taken = -1;
done:
    cb_free(g.lit_stamp);
    cb_free(g.lit_val);
    cb_free(g.low);
    cb_free(g.memo);
    if (g.md)
        pcre2_match_data_free(g.md);
    return taken;
}

/*
 * Findings of the clock-skew rules: one per pair of hosts whose clocks the
 * gaps found further apart than the rule's window (first and last: the
 * timeline's span; entities ahead, behind, skew). The findings are sorted
 * again with the new ones among them.
 */
enum cb_status cb_skew_findings(const struct cb_rules *rs,
                                const struct cb_timeline *tl,
                                const struct cb_gaps *gaps,
                                struct cb_findings *out)
{
    if (!rs || !gaps || !out->arena || !tl->count)
        return CB_OK;
    struct engine g = {.arena = out->arena, .rs = rs, .tl = tl};
    size_t before = out->count;
    for (size_t ri = 0; ri < rs->count; ri++) {
        const struct cb_rule *r = rs->rules[ri];
        if (r->type != CORR_SKEW)
            continue;
        for (size_t i = 0; i < gaps->count; i++) {
            const struct cb_gap *gp = &gaps->items[i];
            if (gp->kind != CB_GAP_CLOCK_SKEW ||
                gp->skew_ms < r->window / 10000 || !gp->host ||
                !gp->other_host)
                continue;
            if (out->count == out->cap) {
                size_t cap = out->cap ? out->cap * 2 : 16;
                struct cb_finding *ni = cb_realloc(out->items,
                                                   cap * sizeof *ni);
                if (!ni)
                    return CB_E_NOMEM;
                out->items = ni;
                out->cap = cap;
            }
            struct cb_finding *f = &out->items[out->count];
            memset(f, 0, sizeof *f);
            const char **hosts = cb_arena_alloc(out->arena, 2 * sizeof *hosts);
            struct cb_entity *ents = cb_arena_alloc(out->arena,
                                                    3 * sizeof *ents);
            const char *skew = cb_arena_printf(
                out->arena, "%lld min %lld s",
                (long long)(gp->skew_ms / 60000),
                (long long)(gp->skew_ms / 1000 % 60));
            if (!hosts || !ents || !skew)
                return CB_E_NOMEM;
            int ahead_first = strcmp(gp->host, gp->other_host) < 0;
            hosts[0] = ahead_first ? gp->host : gp->other_host;
            hosts[1] = ahead_first ? gp->other_host : gp->host;
            ents[0] = (struct cb_entity){"ahead", gp->host};
            ents[1] = (struct cb_entity){"behind", gp->other_host};
            ents[2] = (struct cb_entity){"skew", skew};
            *f = (struct cb_finding){
                .rule = r, .id = r->id, .pattern = r->pattern,
                .title = r->title, .severity = r->severity,
                .confidence = r->confidence, .first = tl->events[0]->ts,
                .last = tl->events[tl->count - 1]->ts, .count = gp->samples,
                .hosts = hosts, .nhosts = 2, .entities = ents,
                .nentities = 3, .cause = r->cause,
                .remediation = r->remediation,
                .nremediation = r->nremediation, .collect = r->collect,
                .ncollect = r->ncollect, .references = r->references,
                .nreferences = r->nreferences, .seq = out->count};
            f->summary = render_summary(&g, f);
            if (!f->summary)
                return CB_E_NOMEM;
            out->count++;
        }
    }
    if (out->count != before)
        cb_sort(out->items, out->count, sizeof *out->items, cmp_finding);
    return CB_OK;
}
